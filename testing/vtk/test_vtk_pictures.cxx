/* The surface models and the snapshot of LobeDice (label vtk), read back with VTK's own readers:
 * the models' frame on a grid with a non-identity direction and origin, SignedDistance against
 * closed forms on shifted, dilated and eroded lobes, lobes missing from one map; the picture's
 * size, orientation, colours, CT background and the missing display; bad input. Every fixture
 * is made here and written with lobedice_io (label maps) or by hand (CT, a 4-D image). */
#include "check.h"
#include "cli_palette.h"
#include "cli_snapshot_layout.h"
#include "file_test_util.h"
#include "lobedice/lobedice_io.h"

#include <vtkCellArray.h>
#include <vtkFieldData.h>
#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataReader.h>
#include <vtkStringArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkXMLPolyDataReader.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace
{

std::string scratch(const char *name)
{
    std::string dir = std::string(LOBEDICE_VTK_SCRATCH) + "/" + name;
    CHECK_FATAL(fresh_dir(dir.c_str()) == 0);
    return dir;
}

/* A label map geometry: x fastest; direction row-major (column j = index axis j in LPS). */
struct geometry {
    size_t n[3];
    double spacing[3], origin[3], direction[9];

    double lps(int r, double i, double j, double k) const
    {
        const double q[3] = {i * spacing[0], j * spacing[1], k * spacing[2]};
        return origin[r] + direction[3 * r] * q[0] + direction[3 * r + 1] * q[1] +
               direction[3 * r + 2] * q[2];
    }
    /* LPS -> continuous index (the direction is orthonormal: its inverse is its transpose) */
    void index(double out[3], const double p[3]) const
    {
        for (int a = 0; a < 3; a++) {
            double s = 0;
            for (int r = 0; r < 3; r++)
                s += direction[3 * r + a] * (p[r] - origin[r]);
            out[a] = s / spacing[a];
        }
    }
};

/* A direction that swaps and flips axes (determinant -1), and an origin far from 0. */
const geometry oblique = {
    {40, 36, 30}, {1.2, 0.9, 1.5}, {-31.0, 57.5, -112.25}, {0, 1, 0, -1, 0, 0, 0, 0, -1}};

using labels = std::vector<uint8_t>;
using shape = std::function<int(size_t, size_t, size_t)>;

labels make(const geometry &g, const shape &f)
{
    labels out(g.n[0] * g.n[1] * g.n[2]);
    for (size_t z = 0; z < g.n[2]; z++)
        for (size_t y = 0; y < g.n[1]; y++)
            for (size_t x = 0; x < g.n[0]; x++)
                out[(z * g.n[1] + y) * g.n[0] + x] = static_cast<uint8_t>(f(x, y, z));
    return out;
}

void write_map(const std::string &path, const geometry &g, const labels &v)
{
    lobedice_image *img = nullptr;
    char msg[512];
    CHECK_FATAL(lobedice_image_new(&img, LOBEDICE_UINT8, g.n, g.spacing, g.origin, g.direction) ==
                LOBEDICE_OK);
    std::copy(v.begin(), v.end(), static_cast<uint8_t *>(lobedice_image_buffer(img)));
    if (lobedice_image_write(img, path.c_str(), 0, msg, sizeof msg) != LOBEDICE_OK) {
        std::fprintf(stderr, "%s\n", msg);
        CHECK_FATAL(!"written");
    }
    lobedice_image_free(img);
}

/* Runs LobeDice; returns the exit status, standard error in *err. */
int lobedice(const std::vector<std::string> &args, std::string *err = nullptr, bool display = false)
{
    std::vector<const char *> argv = {LOBEDICE_EXE};
    for (auto &a : args)
        argv.push_back(a.c_str());
    argv.push_back(nullptr);
    std::string saved = std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "";
    if (!display)
        unsetenv("DISPLAY");
    run_result r;
    CHECK_FATAL(run_program(&r, argv.data()) == 0);
    if (!display && !saved.empty())
        setenv("DISPLAY", saved.c_str(), 1);
    if (err)
        *err = std::string(r.err, r.err_len);
    if (r.status != 0 && !err)
        std::fprintf(stderr, "%s: %.*s", command_text(argv.data()), (int)r.err_len, r.err);
    const int status = r.status;
    run_result_free(&r);
    return status;
}

vtkSmartPointer<vtkPolyData> read_vtk(const std::string &path, std::string *header = nullptr)
{
    vtkNew<vtkPolyDataReader> reader;
    reader->SetFileName(path.c_str());
    reader->ReadAllScalarsOn();
    reader->ReadAllFieldsOn();
    reader->Update();
    if (header)
        *header = reader->GetHeader() ? reader->GetHeader() : "";
    return reader->GetOutput();
}

vtkFloatArray *distances(vtkPolyData *m)
{
    return vtkFloatArray::SafeDownCast(m->GetPointData()->GetArray("SignedDistance"));
}

vtkIntArray *labels_of(vtkPolyData *m)
{
    return vtkIntArray::SafeDownCast(m->GetPointData()->GetArray("Label"));
}

/* ---- models -------------------------------------------------------------------------------- */

/* Three box lobes; the model must lie in the image's physical box, each lobe's vertex centroid
 * on its voxels' physical centroid (a mirrored model fails), in the legacy and XML formats. */
void model_frame()
{
    const std::string dir = scratch("model_frame");
    const geometry &g = oblique;
    const labels ref = make(g, [](size_t x, size_t y, size_t z) {
        if (x >= 4 && x < 14 && y >= 5 && y < 30 && z >= 3 && z < 25)
            return 1;
        if (x >= 20 && x < 34 && y >= 5 && y < 17 && z >= 6 && z < 20)
            return 4;
        if (x >= 20 && x < 34 && y >= 17 && y < 31 && z >= 6 && z < 20)
            return 5;
        return 0;
    });
    write_map(dir + "/ref.nrrd", g, ref);
    CHECK_INT(lobedice({"--distanceModel", dir + "/m.vtk", "--referenceModel", dir + "/r.vtp",
                        dir + "/ref.nrrd", dir + "/ref.nrrd"}),
              0);
    std::string header;
    auto m = read_vtk(dir + "/m.vtk", &header);
    CHECK(header.find("SPACE=LPS") != std::string::npos);
    vtkNew<vtkXMLPolyDataReader> xml;
    xml->SetFileName((dir + "/r.vtp").c_str());
    xml->Update();
    vtkPolyData *r = xml->GetOutput();
    auto *space = vtkStringArray::SafeDownCast(r->GetFieldData()->GetAbstractArray("SPACE"));
    CHECK(space && space->GetNumberOfValues() == 1 && space->GetValue(0) == "LPS");
    CHECK_INT(r->GetNumberOfPoints(), m->GetNumberOfPoints());
    auto *names = vtkStringArray::SafeDownCast(m->GetFieldData()->GetAbstractArray("LobeName"));
    CHECK(names && names->GetNumberOfValues() == 3 && names->GetValue(0) == "RUL" &&
          names->GetValue(2) == "LLL");
    auto *colors =
        vtkUnsignedCharArray::SafeDownCast(m->GetFieldData()->GetAbstractArray("LobeColor"));
    CHECK(colors && colors->GetNumberOfTuples() == 3);
    if (colors && colors->GetNumberOfTuples() == 3)
        CHECK_INT(colors->GetValue(3 * 1 + 0), cli_label_color(2).r);

    vtkFloatArray *d = distances(m);
    vtkIntArray *lab = labels_of(m);
    CHECK_FATAL(d && lab && m->GetNumberOfPoints() > 0);
    const int lobes[3] = {1, 4, 5};
    double sum[3][3] = {{0}}, count[3] = {0};
    vtkIdType near = 0;
    for (vtkIdType i = 0; i < m->GetNumberOfPoints(); i++) {
        double p[3], q[3];
        m->GetPoint(i, p);
        g.index(q, p);
        for (int a = 0; a < 3; a++)
            CHECK(q[a] >= -0.5 - 1e-3 && q[a] <= g.n[a] - 0.5 + 1e-3);
        /* the same map: between 0 and s/2 on the faces (docs/measures.md), more only at the
         * edges and corners, where the smoothing rounds the box */
        near += d->GetValue(i) >= -1e-3 && d->GetValue(i) <= 0.5 * 1.5 + 1e-3;
        for (int k = 0; k < 3; k++)
            if (lab->GetValue(i) == lobes[k]) {
                for (int a = 0; a < 3; a++)
                    sum[k][a] += p[a];
                count[k]++;
            }
    }
    CHECK(near > 0.8 * m->GetNumberOfPoints());
    for (int k = 0; k < 3; k++) {
        CHECK(count[k] > 100); /* every lobe present has points */
        double want[3] = {0, 0, 0}, nv = 0;
        for (size_t i = 0; i < ref.size(); i++)
            if (ref[i] == lobes[k]) {
                const double x = (double)(i % g.n[0]), y = (double)(i / g.n[0] % g.n[1]),
                             z = (double)(i / g.n[0] / g.n[1]);
                for (int a = 0; a < 3; a++)
                    want[a] += g.lps(a, x, y, z);
                nv++;
            }
        for (int a = 0; a < 3; a++) /* a box's surface centroid is its volume centroid */
            CHECK_NEAR(sum[k][a] / count[k], want[a] / nv, 0.05);
    }
}

/* A box lobe and the prediction shifted by k voxels along index axis 0: on the faces normal to
 * it SignedDistance is (k + 1/2) s on the side beyond the reference and -(k - 1/2) s on the
 * side inside it (docs/measures.md), so +-k s within half a voxel; where the faces coincide it
 * is s'/2, 0 within half a voxel. */
void model_shift()
{
    const std::string dir = scratch("model_shift");
    const geometry &g = oblique;
    const int k = 3;
    auto box = [](int shift) {
        return [shift](size_t x, size_t y, size_t z) {
            const long sx = (long)x - shift;
            return sx >= 8 && sx < 26 && y >= 6 && y < 28 && z >= 5 && z < 24 ? 2 : 0;
        };
    };
    write_map(dir + "/ref.nrrd", g, make(g, box(0)));
    write_map(dir + "/pred.nrrd", g, make(g, box(k)));
    CHECK_INT(lobedice({"--distanceModel", dir + "/m.vtk", dir + "/ref.nrrd", dir + "/pred.nrrd"}),
              0);
    auto m = read_vtk(dir + "/m.vtk");
    vtkFloatArray *d = distances(m);
    CHECK_FATAL(d);
    const double sx = g.spacing[0], sy = g.spacing[1];
    size_t beyond = 0, inside = 0, side = 0;
    for (vtkIdType i = 0; i < m->GetNumberOfPoints(); i++) {
        double p[3], q[3];
        m->GetPoint(i, p);
        g.index(q, p);
        const bool mid_y = q[1] > 11 && q[1]<22, mid_z = q[2]> 9 && q[2] < 19;
        const double v = d->GetValue(i);
        if (std::fabs(q[0] - (25.5 + k)) < 0.1 && mid_y && mid_z) { /* the far x face */
            CHECK_NEAR(v, (k + 0.5) * sx, 0.05 * sx);
            CHECK_NEAR(v, k * sx, 0.501 * sx); /* half a voxel, and float rounding */
            beyond++;
        } else if (std::fabs(q[0] - (7.5 + k)) < 0.1 && mid_y && mid_z) { /* the near x face */
            CHECK_NEAR(v, -(k - 0.5) * sx, 0.05 * sx);
            CHECK_NEAR(v, -k * sx, 0.501 * sx);
            inside++;
        } else if (std::fabs(q[1] - 27.5) < 0.1 && q[0] > 12 + k && q[0] < 23 && mid_z) {
            CHECK_NEAR(v, 0.5 * sy, 0.05 * sy); /* a y face both share */
            CHECK_NEAR(v, 0.0, 0.501 * sy);
            side++;
        }
    }
    CHECK(beyond > 50 && inside > 50 && side > 30);
}

/* A ball, and predictions one voxel larger and one voxel smaller (6-neighbour dilation and
 * erosion): every vertex is positive on the first, negative on the second. */
void model_sign()
{
    const std::string dir = scratch("model_sign");
    geometry g = oblique;
    g.n[0] = g.n[1] = g.n[2] = 32;
    auto ball = [](size_t x, size_t y, size_t z) {
        const double dx = x - 15.5, dy = y - 15.0, dz = z - 16.0;
        return dx * dx + dy * dy * 0.8 + dz * dz * 1.3 < 100 ? 3 : 0;
    };
    const labels ref = make(g, ball);
    auto morph = [&](bool grow) {
        return make(g, [&, grow](size_t x, size_t y, size_t z) {
            auto in = [&](long a, long b, long c) {
                if (a < 0 || b < 0 || c < 0 || a >= 32 || b >= 32 || c >= 32)
                    return false;
                return ref[((size_t)c * 32 + (size_t)b) * 32 + (size_t)a] != 0;
            };
            const long a = (long)x, b = (long)y, c = (long)z;
            const int n = in(a - 1, b, c) + in(a + 1, b, c) + in(a, b - 1, c) + in(a, b + 1, c) +
                          in(a, b, c - 1) + in(a, b, c + 1);
            const bool self = in(a, b, c);
            return (grow ? (self || n > 0) : (self && n == 6)) ? 3 : 0;
        });
    };
    write_map(dir + "/ref.nrrd", g, ref);
    write_map(dir + "/big.nrrd", g, morph(true));
    write_map(dir + "/small.nrrd", g, morph(false));
    for (int grow = 0; grow < 2; grow++) {
        const std::string model = dir + (grow ? "/big.vtk" : "/small.vtk");
        CHECK_INT(lobedice({"--distanceModel", model, dir + "/ref.nrrd",
                            dir + (grow ? "/big.nrrd" : "/small.nrrd")}),
                  0);
        auto m = read_vtk(model);
        vtkFloatArray *d = distances(m);
        CHECK_FATAL(d && d->GetNumberOfTuples() > 100);
        size_t wrong = 0;
        for (vtkIdType i = 0; i < d->GetNumberOfTuples(); i++)
            wrong += grow ? !(d->GetValue(i) > 0) : !(d->GetValue(i) < 0);
        CHECK_UINT(wrong, 0);
    }
}

/* A lobe the reference lacks still has its surface, with SignedDistance NaN (undefined) and
 * status missing_in_reference; a lobe the prediction lacks has no predicted surface, and its
 * reference surface says NaN. */
void model_missing()
{
    const std::string dir = scratch("model_missing");
    const geometry &g = oblique;
    const labels ref = make(g, [](size_t x, size_t y, size_t z) {
        return x >= 4 && x < 14 && y >= 5 && y < 30 && z >= 3 && z < 25    ? 1
               : x >= 20 && x < 34 && y >= 5 && y < 30 && z >= 6 && z < 20 ? 3
                                                                           : 0;
    });
    const labels pred = make(g, [](size_t x, size_t y, size_t z) {
        return x >= 4 && x < 14 && y >= 5 && y < 30 && z >= 3 && z < 25    ? 1
               : x >= 20 && x < 34 && y >= 5 && y < 30 && z >= 6 && z < 20 ? 2
                                                                           : 0;
    });
    write_map(dir + "/ref.nrrd", g, ref);
    write_map(dir + "/pred.nrrd", g, pred);
    CHECK_INT(lobedice({"--distanceModel", dir + "/m.vtk", "--referenceModel", dir + "/r.vtk",
                        dir + "/ref.nrrd", dir + "/pred.nrrd"}),
              0);
    for (int which = 0; which < 2; which++) {
        auto m = read_vtk(dir + (which ? "/r.vtk" : "/m.vtk"));
        vtkFloatArray *d = distances(m);
        vtkIntArray *lab = labels_of(m);
        CHECK_FATAL(d && lab);
        const int missing = which ? 3 : 2, absent = which ? 2 : 3;
        size_t n_missing = 0, n_absent = 0, nan_elsewhere = 0;
        for (vtkIdType i = 0; i < m->GetNumberOfPoints(); i++) {
            if (lab->GetValue(i) == missing) {
                n_missing++;
                CHECK(std::isnan(d->GetValue(i)));
            } else {
                n_absent += lab->GetValue(i) == absent;
                nan_elsewhere += std::isnan(d->GetValue(i));
            }
        }
        CHECK(n_missing > 100);
        CHECK_UINT(n_absent, 0);
        CHECK_UINT(nan_elsewhere, 0);
        auto *status =
            vtkStringArray::SafeDownCast(m->GetFieldData()->GetAbstractArray("LobeStatus"));
        auto *ids = vtkIntArray::SafeDownCast(m->GetFieldData()->GetAbstractArray("LobeLabel"));
        CHECK_FATAL(status && ids && status->GetNumberOfValues() == 3);
        for (int i = 0; i < 3; i++) /* labels 1, 2, 3 */
            CHECK_STR(status->GetValue(i).c_str(), ids->GetValue(i) == 1 ? "present"
                                                   : ids->GetValue(i) == 2
                                                       ? "missing_in_reference"
                                                       : "missing_in_prediction");
    }
}

/* ---- the picture --------------------------------------------------------------------------- */

struct png {
    int w = 0, h = 0;
    std::vector<unsigned char> rgb; /* top row first */
    const unsigned char *at(int x, int top) const
    {
        return &rgb[3 * ((size_t)top * w + x)];
    }
};

png read_png(const std::string &path)
{
    vtkNew<vtkPNGReader> reader;
    reader->SetFileName(path.c_str());
    reader->Update();
    vtkImageData *img = reader->GetOutput();
    png out;
    int dims[3];
    img->GetDimensions(dims);
    out.w = dims[0];
    out.h = dims[1];
    const int nc = img->GetNumberOfScalarComponents();
    out.rgb.resize(3 * (size_t)out.w * out.h);
    for (int top = 0; top < out.h; top++)
        for (int x = 0; x < out.w; x++)
            for (int c = 0; c < 3; c++)
                out.rgb[3 * ((size_t)top * out.w + x) + c] = static_cast<unsigned char>(
                    img->GetScalarComponentAsDouble(x, out.h - 1 - top, 0, nc >= 3 ? c : 0));
    return out;
}

/* The pixels of exactly colour c in a rectangle: how many, and their mean x within it. */
struct found {
    size_t n = 0;
    double mean_x = 0;
};
found find(const png &img, snapshot_rect r, cli_rgb c)
{
    found f;
    double sx = 0;
    for (int top = r.top; top < r.top + r.h; top++)
        for (int x = r.x; x < r.x + r.w; x++) {
            const unsigned char *p = img.at(x, top);
            if (p[0] == c.r && p[1] == c.g && p[2] == c.b) {
                f.n++;
                sx += x - r.x;
            }
        }
    f.mean_x = f.n ? sx / f.n : -1;
    return f;
}

/* An asymmetric pair on a grid whose first index axis runs from the patient's left to right
 * (direction flips x): lobe 1 on the patient's right, lobe 4 on the left, a missed bite of lobe
 * 1 and an extra piece of lobe 4 beyond the reference. */
const geometry flipped = {
    {48, 40, 24}, {1.0, 1.1, 2.0}, {40.0, -20.0, -30.0}, {-1, 0, 0, 0, 1, 0, 0, 0, 1}};

/* Patient's right = LPS x small = index x large with this direction. */
int asym_ref(size_t x, size_t y, size_t z)
{
    if (y < 6 || y >= 34 || z < 3 || z >= 21)
        return 0;
    if (x >= 28 && x < 44)
        return 1; /* patient's right */
    if (x >= 4 && x < 20)
        return 4; /* patient's left */
    return 0;
}

int asym_pred(size_t x, size_t y, size_t z)
{
    if (x >= 36 && x < 44 && y >= 6 && y < 14 && z >= 3 && z < 21)
        return 0; /* missed */
    if (x >= 4 && x < 20 && y >= 34 && y < 38 && z >= 3 && z < 21)
        return 4; /* extra */
    return asym_ref(x, y, z);
}

void write_asym(const std::string &dir)
{
    write_map(dir + "/ref.nrrd", flipped, make(flipped, asym_ref));
    write_map(dir + "/pred.nrrd", flipped, make(flipped, asym_pred));
}

/* Size, content, the lobes on the right sides of the axial panel, missed and extra where
 * planted; without a display it still succeeds and says so. */
void snapshot_layout_and_colors()
{
    const std::string dir = scratch("snapshot_colors");
    write_asym(dir);
    std::string err;
    CHECK_INT(lobedice({"--surfaceDistances", "--snapshot", dir + "/s.png", "--snapshotAt",
                        "24,20,12", dir + "/ref.nrrd", dir + "/pred.nrrd"},
                       &err),
              0);
    CHECK(err.find("no X display") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    const png img = read_png(dir + "/s.png");
    CHECK_INT(img.w, snapshot_width);
    CHECK_INT(img.h, snapshot_height);
    CHECK_FATAL(img.w == snapshot_width && img.h == snapshot_height);
    const snapshot_rect axial = snapshot_panel(0);
    /* outlines are opaque in the lobe's colour: lobe 1 (patient's right) on the image's left */
    const found right = find(img, axial, cli_label_color(1)),
                left = find(img, axial, cli_label_color(2));
    CHECK(right.n > 50 && left.n > 50);
    CHECK(right.mean_x > 0 && right.mean_x < axial.w / 2.0);
    CHECK(left.mean_x > axial.w / 2.0);
    /* the missed bite is in lobe 1 (image left), the extra piece beside lobe 4 (image right) */
    const found missed = find(img, axial, cli_missed_color),
                extra = find(img, axial, cli_extra_color);
    CHECK(missed.n > 50 && extra.n > 50);
    CHECK(missed.mean_x > 0 && missed.mean_x < axial.w / 2.0);
    CHECK(extra.mean_x > axial.w / 2.0);
    /* not blank: many colours in the panels */
    size_t lit = 0;
    for (int k = 0; k < 3; k++) {
        const snapshot_rect r = snapshot_panel(k);
        for (int top = r.top; top < r.top + r.h; top++)
            for (int x = r.x; x < r.x + r.w; x++)
                lit += img.at(x, top)[0] + img.at(x, top)[1] + img.at(x, top)[2] > 60;
    }
    CHECK(lit > 10000);
}

/* A CT on another grid covering the patient's left half only, at -600 HU (the window's level:
 * mid grey): the axial panel's background is grey there and black beyond. */
void snapshot_ct()
{
    const std::string dir = scratch("snapshot_ct");
    write_asym(dir);
    const size_t n[3] = {30, 50, 20};
    const double spacing[3] = {0.8, 1.0, 3.0};
    /* LPS x from 18 to 18 + 29*0.8: the patient's left part of the maps (x from -7 to 40,
     * centred at 16.5 in the panel) */
    const double origin[3] = {18.0, -25.0, -35.0};
    std::vector<float> ct(n[0] * n[1] * n[2], -600.0f);
    CHECK_FATAL(write_nrrd((dir + "/ct.nrrd").c_str(), "float", 3, n, spacing, origin, ct.data()) ==
                0);
    CHECK_INT(lobedice({"--snapshot", dir + "/s.png", "--snapshotAt", "24,20,12", "--ct",
                        dir + "/ct.nrrd", dir + "/ref.nrrd", dir + "/pred.nrrd"}),
              0);
    const png img = read_png(dir + "/s.png");
    CHECK_FATAL(img.w == snapshot_width);
    const snapshot_rect axial = snapshot_panel(0);
    size_t grey_right = 0, grey_left = 0, black_left = 0;
    for (int top = axial.top + 30; top < axial.top + axial.h - 30; top++)
        for (int x = axial.x + 30; x < axial.x + axial.w - 30; x++) {
            const unsigned char *p = img.at(x, top);
            const bool grey = p[0] == p[1] && p[1] == p[2] && p[0] > 100 && p[0] < 156;
            const bool black = p[0] == 0 && p[1] == 0 && p[2] == 0;
            const bool left_half = x - axial.x < axial.w / 2;
            grey_right += grey && !left_half;
            grey_left += grey && left_half;
            black_left += black && left_half;
        }
    CHECK(grey_right > 1000); /* the patient's left is on the image's right */
    CHECK_UINT(grey_left, 0);
    CHECK(black_left > 1000);
}

/* Under a display (CTest runs this case under xvfb-run): the 3-D panel holds the rendering. */
void snapshot_display()
{
    const std::string dir = scratch("snapshot_display");
    write_asym(dir);
    std::string err;
    CHECK_INT(lobedice({"--surfaceDistances", "--snapshot", dir + "/s.png", dir + "/ref.nrrd",
                        dir + "/pred.nrrd"},
                       &err, true),
              0);
    CHECK(err.empty());
    const png img = read_png(dir + "/s.png");
    CHECK_FATAL(img.w == snapshot_width);
    const snapshot_rect r = snapshot_panel(3);
    size_t colored = 0;
    for (int top = r.top + 30; top < r.top + r.h; top++)
        for (int x = r.x; x < r.x + r.w - 80; x++) { /* left of the colour bar */
            const unsigned char *p = img.at(x, top);
            colored += p[0] + p[1] + p[2] > 90;
        }
    CHECK(colored > 2000);
}

/* ---- label conventions ----------------------------------------------------------------------- */

/* The prediction coded as TotalSegmentator writes it (RUL 12, LUL 10) with another organ at value
 * 5 outside the lungs: its pictures are those of the same prediction coded 1..5, pixel for
 * pixel and vertex for vertex; the organ is background, not lobe 5. */
void pictures_follow_conventions()
{
    const std::string plain = scratch("conventions_plain"), coded = scratch("conventions_ts");
    write_asym(plain);
    write_map(coded + "/ref.nrrd", flipped, make(flipped, asym_ref));
    write_map(coded + "/pred.nrrd", flipped, make(flipped, [](size_t x, size_t y, size_t z) {
                  const int lobe = asym_pred(x, y, z);
                  if (lobe == 0)
                      return x < 3 && y < 4 ? 5 : 0; /* the liver, in a corner */
                  return lobe == 1 ? 12 : 10;
              }));
    for (const std::string &dir : {plain, coded}) {
        std::vector<std::string> args = {"--surfaceDistances", "--snapshot",   dir + "/s.png",
                                         "--distanceModel",    dir + "/m.vtk", dir + "/ref.nrrd",
                                         dir + "/pred.nrrd"};
        if (dir == coded)
            args.insert(args.begin(), {"--predictedLabels", "totalsegmentator"});
        CHECK_INT(lobedice(args), 0);
    }
    const png a = read_png(plain + "/s.png"), b = read_png(coded + "/s.png");
    CHECK_FATAL(a.w == b.w && a.h == b.h);
    size_t differ = 0;
    for (int top = 40; top < a.h; top++) /* below the title, which names the folders */
        for (int x = 0; x < a.w; x++)
            differ += std::memcmp(a.at(x, top), b.at(x, top), 3) != 0;
    CHECK_INT(differ, 0);
    vtkSmartPointer<vtkPolyData> ma = read_vtk(plain + "/m.vtk"), mb = read_vtk(coded + "/m.vtk");
    CHECK_FATAL(ma && mb);
    CHECK_INT(mb->GetNumberOfPoints(), ma->GetNumberOfPoints());
    CHECK_FATAL(ma->GetNumberOfPoints() == mb->GetNumberOfPoints() && distances(ma) &&
                distances(mb) && labels_of(mb));
    for (vtkIdType i = 0; i < ma->GetNumberOfPoints(); i++) {
        CHECK(distances(ma)->GetValue(i) == distances(mb)->GetValue(i));
        CHECK(labels_of(mb)->GetValue(i) != 5);
    }
}

/* ---- bad input ---------------------------------------------------------------------------- */

/* One sentence, the exit status, and nothing new in the folder. */
void expect_refused(const std::string &dir, const std::vector<std::string> &args, int status,
                    const char *mention)
{
    const int before = list_dir(dir.c_str(), nullptr, 0);
    std::string err;
    CHECK_INT(lobedice(args, &err), status);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(err.compare(0, 10, "LobeDice: ") == 0);
    if (err.find(mention) == std::string::npos) {
        std::fprintf(stderr, "expected '%s' in: %s", mention, err.c_str());
        check_failures++;
    }
    CHECK_INT(list_dir(dir.c_str(), nullptr, 0), before);
}

void bad_input()
{
    const std::string dir = scratch("bad_input");
    write_asym(dir);
    /* a 4-D CT */
    const std::string header = "NRRD0004\ntype: float\ndimension: 4\nsizes: 4 4 4 3\n"
                               "encoding: raw\nendian: little\n\n";
    std::string data = header + std::string(4 * 4 * 4 * 3 * sizeof(float), '\0');
    CHECK_FATAL(write_file((dir + "/ct4d.nrrd").c_str(), data.data(), data.size()) == 0);
    const std::string ref = dir + "/ref.nrrd", pred = dir + "/pred.nrrd";
    expect_refused(dir,
                   {"--snapshot", dir + "/s.png", "--distanceModel", dir + "/m.vtk", "--ct",
                    dir + "/ct4d.nrrd", ref, pred},
                   1, "4-D");
    expect_refused(dir, {"--snapshot", dir + "/no/such/folder/s.png", ref, pred}, 1,
                   "does not exist");
    expect_refused(dir, {"--snapshot", ref + "/s.png", ref, pred}, 1, "s.png");
    expect_refused(dir, {"--distanceModel", dir + "/m.stl", ref, pred}, 2, ".vtk or .vtp");
    expect_refused(dir, {"--snapshot", dir + "/s.jpg", ref, pred}, 2, ".png");
    expect_refused(dir, {"--snapshot", dir + "/s.png", "--snapshotAt", "1,2", ref, pred}, 2,
                   "--snapshotAt");
    expect_refused(dir, {"--snapshot", dir + "/s.png", "--snapshotAt", "48,0,0", ref, pred}, 2,
                   "outside");
    expect_refused(dir, {"--snapshot", dir + "/c.png", "--ct", dir + "/c.png", ref, pred}, 2,
                   "never overwrites an input");
}

} // namespace

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"model_frame", model_frame},
        {"model_shift", model_shift},
        {"model_sign", model_sign},
        {"model_missing", model_missing},
        {"snapshot_colors", snapshot_layout_and_colors},
        {"snapshot_ct", snapshot_ct},
        {"snapshot_display", snapshot_display},
        {"bad_input", bad_input},
        {"pictures_follow_conventions", pictures_follow_conventions},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
