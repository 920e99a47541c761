// The plots of lobedice-batch, drawn without a display: shapes with VTK's imaging pipeline
// (vtkImageCanvasSource2D), text with FreeType (vtkFreeTypeTools), PNG with vtkPNGWriter. No
// OpenGL, no X. The drawing helpers (canvas, axis, text) are small and self-contained so that
// they can be shared with the other pictures of the project. Everything drawn comes from the
// core's statistics; nothing is computed here but positions on the picture.
#include "batch.h"
#include "cli_palette.h"

#include <vtkFreeTypeTools.h>
#include <vtkImageCanvasSource2D.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkObject.h>
#include <vtkPNGWriter.h>
#include <vtkSmartPointer.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace
{

struct Rgb {
    double r, g, b;
};

const Rgb kBlack{0, 0, 0}, kGrey{150, 150, 150}, kLight{225, 225, 225}, kBox{120, 170, 220},
    kRed{200, 40, 40}, kBlue{40, 80, 190};

struct Text {
    int x, y;
    std::string s;
    int size;
    int hjust, vjust; // VTK_TEXT_LEFT/CENTERED/RIGHT, VTK_TEXT_BOTTOM/CENTERED/TOP
    double angle;
    bool bold;
    Rgb color;
};

// A white RGB picture; y goes up (VTK's image order). Text is blended on at the end.
class Canvas
{
  public:
    Canvas(int width, int height) : w_(width), h_(height)
    {
        c_->SetScalarTypeToUnsignedChar();
        c_->SetNumberOfScalarComponents(3);
        c_->SetExtent(0, w_ - 1, 0, h_ - 1, 0, 0);
        Color({255, 255, 255});
        c_->FillBox(0, w_ - 1, 0, h_ - 1);
    }
    void Color(Rgb c)
    {
        c_->SetDrawColor(c.r, c.g, c.b);
    }
    void Box(int x0, int x1, int y0, int y1, Rgb c)
    {
        Color(c);
        c_->FillBox(std::max(0, std::min(x0, x1)), std::min(w_ - 1, std::max(x0, x1)),
                    std::max(0, std::min(y0, y1)), std::min(h_ - 1, std::max(y0, y1)));
    }
    void Line(int x0, int y0, int x1, int y1, Rgb c, int width = 1)
    {
        Color(c);
        if (width <= 1) {
            c_->DrawSegment(x0, y0, x1, y1);
        } else if (x0 == x1 || y0 == y1) { // FillTube visits every pixel of the picture
            const int lo = (width - 1) / 2, hi = width / 2;
            Box(std::min(x0, x1) - (x0 == x1 ? lo : 0), std::max(x0, x1) + (x0 == x1 ? hi : 0),
                std::min(y0, y1) - (y0 == y1 ? lo : 0), std::max(y0, y1) + (y0 == y1 ? hi : 0), c);
        } else {
            c_->FillTube(x0, y0, x1, y1, width / 2.0);
        }
    }
    void Dashed(int x0, int y, int x1, Rgb c, int width = 1)
    {
        for (int x = x0; x < x1; x += 12)
            Line(x, y, std::min(x + 7, x1), y, c, width);
    }
    void Frame(int x0, int x1, int y0, int y1, Rgb c)
    {
        Line(x0, y0, x1, y0, c);
        Line(x1, y0, x1, y1, c);
        Line(x1, y1, x0, y1, c);
        Line(x0, y1, x0, y0, c);
    }
    void Dot(int x, int y, double radius, Rgb c)
    {
        Color(c);
        for (double r = radius; r > 0; r -= 0.5)
            c_->DrawCircle(x, y, r);
        c_->DrawPoint(x, y);
    }
    void Ring(int x, int y, double radius, Rgb c)
    {
        Color(c);
        c_->DrawCircle(x, y, radius);
        c_->DrawCircle(x, y, radius - 0.7);
    }
    void Write(int x, int y, const std::string &s, int size, int hjust, int vjust, Rgb c = kBlack,
               bool bold = false, double angle = 0)
    {
        texts_.push_back({x, y, s, size, hjust, vjust, angle, bold, c});
    }
    // The PNG bytes, or an empty vector when something failed.
    std::vector<unsigned char> Png()
    {
        c_->Update();
        vtkNew<vtkImageData> image;
        image->DeepCopy(c_->GetOutput());
        auto *pixels = static_cast<unsigned char *>(image->GetScalarPointer(0, 0, 0));
        vtkFreeTypeTools *ft = vtkFreeTypeTools::GetInstance();
        for (const Text &t : texts_) {
            vtkNew<vtkTextProperty> p;
            p->SetFontFamilyToArial();
            p->SetFontSize(t.size);
            p->SetBold(t.bold);
            p->SetJustification(t.hjust);
            p->SetVerticalJustification(t.vjust);
            p->SetOrientation(t.angle);
            p->SetColor(t.color.r / 255, t.color.g / 255, t.color.b / 255);
            vtkNew<vtkImageData> glyphs;
            int dims[2];
            if (!ft->RenderString(p, t.s, 72, glyphs, dims))
                return {};
            // the glyph image's extent is placed relative to the anchor (its justification)
            int e[6];
            glyphs->GetExtent(e);
            for (int j = e[2]; j <= e[3]; j++)
                for (int i = e[0]; i <= e[1]; i++) {
                    const int x = t.x + i, y = t.y + j;
                    if (x < 0 || y < 0 || x >= w_ || y >= h_)
                        continue;
                    auto *g = static_cast<unsigned char *>(glyphs->GetScalarPointer(i, j, 0));
                    const double a = g[3] / 255.0;
                    unsigned char *px = pixels + 3 * (static_cast<size_t>(y) * w_ + x);
                    for (int k = 0; k < 3; k++)
                        px[k] = static_cast<unsigned char>(std::lround(px[k] * (1 - a) + g[k] * a));
                }
        }
        vtkNew<vtkPNGWriter> writer;
        writer->SetInputData(image);
        writer->WriteToMemoryOn();
        writer->SetCompressionLevel(3); // flat colours compress well even at a fast level
        writer->Write();
        vtkUnsignedCharArray *bytes = writer->GetResult();
        if (!bytes || bytes->GetNumberOfValues() == 0)
            return {};
        const unsigned char *b = bytes->GetPointer(0);
        return std::vector<unsigned char>(b, b + bytes->GetNumberOfValues());
    }

  private:
    int w_, h_;
    vtkNew<vtkImageCanvasSource2D> c_;
    std::vector<Text> texts_;
};

// A linear axis over [lo, hi] with "nice" ticks (steps of 1, 2 or 5 times a power of ten).
struct Axis {
    double lo, hi, step;
    int p0, p1; // the pixels of lo and hi
    int At(double v) const
    {
        return p0 + static_cast<int>(std::lround((v - lo) / (hi - lo) * (p1 - p0)));
    }
};

Axis NiceAxis(double lo, double hi, int p0, int p1)
{
    if (!(hi > lo)) { // one value: a small range around it
        const double pad = lo != 0 ? std::fabs(lo) * 0.05 : 1.0;
        lo -= pad;
        hi += pad;
    }
    const double pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
    const double raw = (hi - lo) / 6, mag = std::pow(10, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5   ? mag
                        : raw / mag < 3.5 ? 2 * mag
                        : raw / mag < 7.5 ? 5 * mag
                                          : 10 * mag;
    return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step, p0, p1};
}

std::string Number(double v, double step)
{
    char buf[64];
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v) < step * 1e-6 ? 0.0 : v);
    return buf;
}

// Horizontal grid lines with tick labels on the left of [x0, x1].
void YAxis(Canvas &c, const Axis &a, int x0, int x1)
{
    for (double v = a.lo; v <= a.hi + a.step * 1e-6; v += a.step) {
        const int y = a.At(v);
        c.Line(x0, y, x1, y, kLight);
        c.Line(x0 - 5, y, x0, y, kBlack);
        c.Write(x0 - 8, y, Number(v, a.step), 13, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED);
    }
}

void XAxis(Canvas &c, const Axis &a, int y0, int y1)
{
    for (double v = a.lo; v <= a.hi + a.step * 1e-6; v += a.step) {
        const int x = a.At(v);
        c.Line(x, y0, x, y1, kLight);
        c.Line(x, y0 - 5, x, y0, kBlack);
        c.Write(x, y0 - 8, Number(v, a.step), 13, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
    }
}

unsigned char *Finish(Canvas &c, size_t *len, const char *what, char *msg, size_t size)
{
    std::vector<unsigned char> png = c.Png();
    unsigned char *out =
        png.empty() ? nullptr : static_cast<unsigned char *>(std::malloc(png.size()));
    if (!out) {
        std::snprintf(msg, size, "cannot draw the plot '%s'", what);
        return nullptr;
    }
    std::memcpy(out, png.data(), png.size());
    *len = png.size();
    return out;
}

} // namespace

extern "C" unsigned char *batch_plot_boxes(size_t *len, const char *title, const char *y_label,
                                           const batch_box *boxes, size_t nboxes, char *msg,
                                           size_t size)
{
    try {
        vtkObject::GlobalWarningDisplayOff();
        const int W = std::max(640, 140 + 110 * static_cast<int>(nboxes)), H = 560;
        const int left = 100, right = W - 30, bottom = 90, top = H - 70;
        Canvas c(W, H);
        c.Write(W / 2, H - 22, title, 22, VTK_TEXT_CENTERED, VTK_TEXT_CENTERED, kBlack, true);
        c.Write(26, (top + bottom) / 2, y_label, 16, VTK_TEXT_CENTERED, VTK_TEXT_CENTERED, kBlack,
                false, 90);
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (size_t i = 0; i < nboxes; i++) {
            if (boxes[i].stats.n == 0)
                continue;
            lo = std::min(lo, boxes[i].stats.min);
            hi = std::max(hi, boxes[i].stats.max);
        }
        if (lo > hi) { // nothing defined
            lo = 0;
            hi = 1;
        }
        const Axis y = NiceAxis(lo, hi, bottom, top);
        YAxis(c, y, left, right);
        c.Frame(left, right, bottom, top, kBlack);
        const double slot = static_cast<double>(right - left) / std::max<size_t>(nboxes, 1);
        for (size_t i = 0; i < nboxes; i++) {
            const lobedice_stats &s = boxes[i].stats;
            const int x = left + static_cast<int>(slot * (i + 0.5)),
                      half = static_cast<int>(slot * 0.22);
            c.Write(x, bottom - 30, boxes[i].name, 15, VTK_TEXT_CENTERED, VTK_TEXT_TOP, kBlack,
                    true);
            c.Write(x, bottom - 50, "n = " + std::to_string(s.n), 12, VTK_TEXT_CENTERED,
                    VTK_TEXT_TOP, kGrey);
            if (s.n == 0)
                continue;
            c.Line(x, y.At(s.whisker_low), x, y.At(s.q1), kBlack);
            c.Line(x, y.At(s.q3), x, y.At(s.whisker_high), kBlack);
            c.Line(x - half / 2, y.At(s.whisker_low), x + half / 2, y.At(s.whisker_low), kBlack);
            c.Line(x - half / 2, y.At(s.whisker_high), x + half / 2, y.At(s.whisker_high), kBlack);
            c.Box(x - half, x + half, y.At(s.q1), y.At(s.q3), kBox);
            c.Frame(x - half, x + half, y.At(s.q1), y.At(s.q3), kBlack);
            c.Line(x - half, y.At(s.median), x + half, y.At(s.median), kBlack, 3);
            c.Dot(x, y.At(s.mean), 4, kRed); // the mean
            for (size_t k = 0; k < boxes[i].noutliers; k++)
                c.Ring(x, y.At(boxes[i].outliers[k]), 4, kBlack);
        }
        c.Write(right, 14,
                "box: quartiles; line: median; red dot: mean; whiskers: 1.5 IQR; circles: outliers",
                12, VTK_TEXT_RIGHT, VTK_TEXT_BOTTOM, kGrey);
        return Finish(c, len, title, msg, size);
    } catch (...) {
        std::snprintf(msg, size, "cannot draw the plot '%s'", title);
        return nullptr;
    }
}

extern "C" unsigned char *batch_plot_bland_altman(size_t *len, const char *title,
                                                  const char *x_label, const char *y_label,
                                                  const batch_ba_group *groups, size_t ngroups,
                                                  char *msg, size_t size)
{
    try {
        vtkObject::GlobalWarningDisplayOff();
        const int cols = static_cast<int>(std::min<size_t>(std::max<size_t>(ngroups, 1), 3));
        const int rows = static_cast<int>((std::max<size_t>(ngroups, 1) + cols - 1) / cols);
        const int PW = 400, PH = 330, W = 90 + cols * PW, H = 110 + rows * PH;
        Canvas c(W, H);
        c.Write(W / 2, H - 24, title, 22, VTK_TEXT_CENTERED, VTK_TEXT_CENTERED, kBlack, true);
        c.Write(W / 2, 45, x_label, 16, VTK_TEXT_CENTERED, VTK_TEXT_CENTERED);
        c.Write(22, H / 2, y_label, 16, VTK_TEXT_CENTERED, VTK_TEXT_CENTERED, kBlack, false, 90);
        for (size_t g = 0; g < ngroups; g++) {
            const batch_ba_group &p = groups[g];
            const int col = static_cast<int>(g) % cols, row = static_cast<int>(g) / cols;
            const int x0 = 90 + col * PW + 55, x1 = 90 + (col + 1) * PW - 20;
            const int y1 = H - 60 - row * PH - 40, y0 = H - 60 - (row + 1) * PH + 60;
            double xlo = HUGE_VAL, xhi = -HUGE_VAL, ylo = 0, yhi = 0;
            for (size_t i = 0; i < p.n; i++)
                if (!std::isnan(p.x[i]) && !std::isnan(p.y[i])) {
                    xlo = std::min(xlo, p.x[i]);
                    xhi = std::max(xhi, p.x[i]);
                    ylo = std::min(ylo, p.y[i]);
                    yhi = std::max(yhi, p.y[i]);
                }
            const lobedice_agreement &a = p.agreement;
            if (!std::isnan(a.loa_low)) {
                ylo = std::min(ylo, a.loa_low);
                yhi = std::max(yhi, a.loa_high);
            }
            if (xlo > xhi) {
                xlo = 0;
                xhi = 1;
            }
            const double room = 0.12 * (yhi - ylo); // for the labels of the lines
            ylo -= room;
            yhi += room;
            const Axis xa = NiceAxis(xlo, xhi, x0, x1), ya = NiceAxis(ylo, yhi, y0, y1);
            YAxis(c, ya, x0, x1);
            XAxis(c, xa, y0, y1);
            c.Frame(x0, x1, y0, y1, kBlack);
            c.Line(x0, ya.At(0), x1, ya.At(0), kGrey);
            const cli_rgb label_colour = cli_label_color(g + 1); // as in the other pictures
            const Rgb colour{static_cast<double>(label_colour.r),
                             static_cast<double>(label_colour.g),
                             static_cast<double>(label_colour.b)};
            for (size_t i = 0; i < p.n; i++)
                if (!std::isnan(p.x[i]) && !std::isnan(p.y[i])) {
                    c.Dot(xa.At(p.x[i]), ya.At(p.y[i]), 4.5, colour);
                    c.Ring(xa.At(p.x[i]), ya.At(p.y[i]), 5, kBlack);
                }
            char line[160];
            if (!std::isnan(a.bias)) {
                c.Line(x0, ya.At(a.bias), x1, ya.At(a.bias), kBlue, 2);
                std::snprintf(line, sizeof line, "bias %+.1f", a.bias);
                c.Write(x1 - 4, ya.At(a.bias) + 6, line, 12, VTK_TEXT_RIGHT, VTK_TEXT_BOTTOM,
                        kBlue);
            }
            if (!std::isnan(a.loa_low)) {
                c.Dashed(x0, ya.At(a.loa_low), x1, kRed, 2);
                c.Dashed(x0, ya.At(a.loa_high), x1, kRed, 2);
                std::snprintf(line, sizeof line, "+1.96 SD %+.1f", a.loa_high);
                c.Write(x1 - 4, ya.At(a.loa_high) + 6, line, 12, VTK_TEXT_RIGHT, VTK_TEXT_BOTTOM,
                        kRed);
                std::snprintf(line, sizeof line, "-1.96 SD %+.1f", a.loa_low);
                c.Write(x1 - 4, ya.At(a.loa_low) - 5, line, 12, VTK_TEXT_RIGHT, VTK_TEXT_TOP, kRed);
            }
            std::snprintf(line, sizeof line, "%s (n = %zu)", p.name, a.n);
            c.Write((x0 + x1) / 2, y1 + 8, line, 15, VTK_TEXT_CENTERED, VTK_TEXT_BOTTOM, kBlack,
                    true);
        }
        return Finish(c, len, title, msg, size);
    } catch (...) {
        std::snprintf(msg, size, "cannot draw the plot '%s'", title);
        return nullptr;
    }
}
