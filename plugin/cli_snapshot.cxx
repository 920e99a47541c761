/* The quality-control picture (cli_pictures.h): three slices in radiological orientation, a
 * table, a legend and, with a display, the distance-coloured surfaces. The 2-D part is made
 * with VTK's imaging filters and its FreeType text renderer, which need no display: each panel
 * is resliced from the maps (and the CT) onto exact axial, coronal and sagittal planes through
 * the physical geometry, coloured through lookup tables and blended. Only the 3-D panel renders
 * with OpenGL, offscreen, when an X display can be opened. */
#include "cli_palette.h"
#include "cli_snapshot_layout.h"
#include "cli_vtk.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkExtractVOI.h>
#include <vtkFloatArray.h>
#include <vtkImageBlend.h>
#include <vtkImageCanvasSource2D.h>
#include <vtkImageContinuousDilate3D.h>
#include <vtkImageContinuousErode3D.h>
#include <vtkImageData.h>
#include <vtkImageMapToColors.h>
#include <vtkImageMapToWindowLevelColors.h>
#include <vtkImageMathematics.h>
#include <vtkImageReslice.h>
#include <vtkImageThreshold.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>
#include <vtkTypeFloat32Array.h>
#include <vtkTypeInt16Array.h>
#include <vtkTypeInt32Array.h>
#include <vtkTypeInt8Array.h>
#include <vtkTypeUInt16Array.h>
#include <vtkTypeUInt32Array.h>
#include <vtkTypeUInt8Array.h>
#include <vtkWindowToImageFilter.h>

#include <X11/Xlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace
{

using image_ptr = vtkSmartPointer<vtkImageData>;

/* ---- geometry ----------------------------------------------------------------------------- */

struct vec3 {
    double x, y, z;
};
vec3 operator+(vec3 a, vec3 b)
{
    return {a.x + b.x, a.y + b.y, a.z + b.z};
}
vec3 operator-(vec3 a, vec3 b)
{
    return {a.x - b.x, a.y - b.y, a.z - b.z};
}
vec3 operator*(double s, vec3 a)
{
    return {s * a.x, s * a.y, s * a.z};
}
double dot(vec3 a, vec3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

/* index -> LPS and back for a grid (the wrapping layer's affine map); ok is false for a
 * geometry it refuses, which an image that was read never has. */
struct grid {
    double to_lps[12], to_index[12];
    size_t n[3];
    bool ok;

    grid(const double origin[3], const double direction[9], const double spacing[3],
         const size_t size[3])
        : ok(lobedice_grid_affine(origin, direction, spacing, to_lps, to_index) == LOBEDICE_OK)
    {
        for (int r = 0; r < 3; r++)
            n[r] = size[r];
    }
    static vec3 apply(const double m[12], vec3 v, double w)
    {
        return {m[0] * v.x + m[1] * v.y + m[2] * v.z + w * m[3],
                m[4] * v.x + m[5] * v.y + m[6] * v.z + w * m[7],
                m[8] * v.x + m[9] * v.y + m[10] * v.z + w * m[11]};
    }
    vec3 lps(vec3 i) const
    {
        return apply(to_lps, i, 1);
    }
    vec3 linear_to_index(vec3 v) const /* a direction, without the origin */
    {
        return apply(to_index, v, 0);
    }
    vec3 index(vec3 p) const
    {
        return apply(to_index, p, 1);
    }
};

/* One slice panel: its axes in LPS (h to the right of the picture, up to its top), as Slicer's
 * slice views show them with the patient's right on the screen's left. */
struct view {
    const char *name;
    vec3 h, up, normal;
    const char *left, *right, *top, *bottom;
};
const view views[3] = {
    {"Axial", {1, 0, 0}, {0, -1, 0}, {0, 0, 1}, "R", "L", "A", "P"},
    {"Coronal", {1, 0, 0}, {0, 0, 1}, {0, 1, 0}, "R", "L", "S", "I"},
    {"Sagittal", {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, "A", "P", "S", "I"},
};

/* The plane of a panel: pixel (u, v) (v upwards) is at LPS corner + u*du + v*dv. */
struct plane {
    vec3 corner, du, dv, normal;
};

/* The panel's plane through p, scaled so that the reference grid's physical box fits w x h
 * pixels with square pixels, centred. */
plane fit_plane(const view &v, const grid &ref, vec3 p, int w, int h)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int k = 0; k < 8; k++) {
        const vec3 corner =
            ref.lps({(k & 1) ? ref.n[0] - 0.5 : -0.5, (k & 2) ? ref.n[1] - 0.5 : -0.5,
                     (k & 4) ? ref.n[2] - 0.5 : -0.5});
        const double a = dot(corner - p, v.h), b = dot(corner - p, v.up);
        lo[0] = std::min(lo[0], a);
        hi[0] = std::max(hi[0], a);
        lo[1] = std::min(lo[1], b);
        hi[1] = std::max(hi[1], b);
    }
    const double mm = std::max((hi[0] - lo[0]) / w, (hi[1] - lo[1]) / h);
    const double ca = 0.5 * (lo[0] + hi[0]) - 0.5 * (w - 1) * mm,
                 cb = 0.5 * (lo[1] + hi[1]) - 0.5 * (h - 1) * mm;
    return {p + ca * v.h + cb * v.up, mm * v.h, mm * v.up, v.normal};
}

/* vtkImageReslice's axes: output pixel (u, v, 0) -> input index of grid g. */
vtkSmartPointer<vtkMatrix4x4> reslice_axes(const plane &pl, const grid &g)
{
    const vec3 cols[4] = {g.linear_to_index(pl.du), g.linear_to_index(pl.dv),
                          g.linear_to_index(pl.normal), g.index(pl.corner)};
    auto m = vtkSmartPointer<vtkMatrix4x4>::New();
    for (int c = 0; c < 4; c++) {
        m->SetElement(0, c, cols[c].x);
        m->SetElement(1, c, cols[c].y);
        m->SetElement(2, c, cols[c].z);
    }
    return m;
}

/* ---- images ------------------------------------------------------------------------------- */

vtkSmartPointer<vtkDataArray> array_of(int vtk_type)
{
    switch (vtk_type) {
    case VTK_TYPE_UINT8: return vtkSmartPointer<vtkTypeUInt8Array>::New();
    case VTK_TYPE_INT8: return vtkSmartPointer<vtkTypeInt8Array>::New();
    case VTK_TYPE_UINT16: return vtkSmartPointer<vtkTypeUInt16Array>::New();
    case VTK_TYPE_INT16: return vtkSmartPointer<vtkTypeInt16Array>::New();
    case VTK_TYPE_UINT32: return vtkSmartPointer<vtkTypeUInt32Array>::New();
    case VTK_TYPE_INT32: return vtkSmartPointer<vtkTypeInt32Array>::New();
    default: return vtkSmartPointer<vtkTypeFloat32Array>::New();
    }
}

int vtk_type_of(lobedice_dtype d)
{
    switch (d) {
    case LOBEDICE_UINT8: return VTK_TYPE_UINT8;
    case LOBEDICE_INT8: return VTK_TYPE_INT8;
    case LOBEDICE_UINT16: return VTK_TYPE_UINT16;
    case LOBEDICE_INT16: return VTK_TYPE_INT16;
    case LOBEDICE_UINT32: return VTK_TYPE_UINT32;
    case LOBEDICE_INT32: return VTK_TYPE_INT32;
    }
    return VTK_TYPE_UINT8;
}

/* A buffer of n[0] x n[1] x n[2] values as a VTK image in index space (no copy). */
image_ptr wrap(const void *data, int vtk_type, const size_t n[3])
{
    auto a = array_of(vtk_type);
    a->SetVoidArray(const_cast<void *>(data), static_cast<vtkIdType>(n[0] * n[1] * n[2]), 1);
    auto image = image_ptr::New();
    image->SetExtent(0, static_cast<int>(n[0]) - 1, 0, static_cast<int>(n[1]) - 1, 0,
                     static_cast<int>(n[2]) - 1);
    image->GetPointData()->SetScalars(a);
    return image;
}

/* The input resampled on a panel's pixels. */
image_ptr reslice(vtkImageData *input, vtkMatrix4x4 *axes, bool linear, double background, int w,
                  int h)
{
    vtkNew<vtkImageReslice> r;
    r->SetInputData(input);
    r->SetResliceAxes(axes);
    r->SetOutputDimensionality(2);
    r->SetOutputSpacing(1, 1, 1);
    r->SetOutputOrigin(0, 0, 0);
    r->SetOutputExtent(0, w - 1, 0, h - 1, 0, 0);
    r->SetBackgroundLevel(background);
    if (linear)
        r->SetInterpolationModeToLinear();
    else
        r->SetInterpolationModeToNearestNeighbor();
    r->Update();
    return r->GetOutput();
}

/* A lookup table that maps the integer v to entry v (range [-0.5, n - 0.5]). */
vtkSmartPointer<vtkLookupTable> exact_table(size_t n)
{
    auto t = vtkSmartPointer<vtkLookupTable>::New();
    t->SetNumberOfTableValues(static_cast<vtkIdType>(n));
    t->SetTableRange(-0.5, static_cast<double>(n) - 0.5);
    for (size_t i = 0; i < n; i++)
        t->SetTableValue(static_cast<vtkIdType>(i), 0, 0, 0, 0);
    return t;
}

void set_rgb(vtkLookupTable *t, size_t i, cli_rgb c, double alpha)
{
    t->SetTableValue(static_cast<vtkIdType>(i), c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

image_ptr colored(vtkImageData *input, vtkLookupTable *t)
{
    vtkNew<vtkImageMapToColors> map;
    map->SetInputData(input);
    map->SetLookupTable(t);
    map->SetOutputFormatToRGBA();
    map->Update();
    return map->GetOutput();
}

/* A shallow copy of an image moved so that its pixel (0, 0) lands on (x, y) of the picture
 * (y upwards, as VTK images are). */
image_ptr placed(vtkImageData *img, int x, int y)
{
    int e[6];
    img->GetExtent(e);
    auto out = image_ptr::New();
    out->SetExtent(x, x + e[1] - e[0], y, y + e[3] - e[2], 0, 0);
    out->GetPointData()->SetScalars(img->GetPointData()->GetScalars());
    return out;
}

/* Text rendered by FreeType into an RGBA image (no display needed); NULL for empty text. */
image_ptr text_image(const std::string &text, int size, cli_rgb color, bool mono = false,
                     bool bold = false)
{
    if (text.empty())
        return nullptr;
    vtkNew<vtkTextProperty> p;
    p->SetFontSize(size);
    p->SetColor(color.r / 255.0, color.g / 255.0, color.b / 255.0);
    if (mono)
        p->SetFontFamilyToCourier();
    else
        p->SetFontFamilyToArial();
    p->SetBold(bold);
    auto img = image_ptr::New();
    int dims[2] = {0, 0};
    vtkTextRenderer *tr = vtkTextRenderer::GetInstance();
    if (!tr || !tr->RenderString(p, text, img, dims, 72) || dims[0] < 1 || dims[1] < 1)
        return nullptr;
    /* the renderer pads the image; keep the text's own box (at the bottom left) */
    vtkNew<vtkExtractVOI> crop;
    crop->SetInputData(img);
    crop->SetVOI(0, dims[0] - 1, 0, dims[1] - 1, 0, 0);
    crop->Update();
    return crop->GetOutput();
}

/* ---- the picture -------------------------------------------------------------------------- */

const cli_rgb white = {235, 235, 235}, grey = {160, 160, 160}, canvas_color = {22, 24, 28},
              panel_color = {0, 0, 0};

/* Everything blended onto the canvas, in order. */
struct picture {
    vtkNew<vtkImageCanvasSource2D> canvas;
    std::vector<image_ptr> layers;

    picture()
    {
        canvas->SetScalarTypeToUnsignedChar();
        canvas->SetNumberOfScalarComponents(3);
        canvas->SetExtent(0, snapshot_width - 1, 0, snapshot_height - 1, 0, 0);
        box(0, 0, snapshot_width, snapshot_height, canvas_color);
    }
    /* A filled box given from the picture's top-left corner (y downwards). */
    void box(int x, int top, int w, int h, cli_rgb c)
    {
        canvas->SetDrawColor(c.r, c.g, c.b);
        canvas->FillBox(x, x + w - 1, snapshot_height - top - h, snapshot_height - top - 1);
    }
    /* An image whose top-left corner goes to (x, top). */
    void add(vtkImageData *img, int x, int top)
    {
        if (!img)
            return;
        int e[6];
        img->GetExtent(e);
        layers.push_back(placed(img, x, snapshot_height - top - (e[3] - e[2] + 1)));
    }
    /* Text whose first line's top goes to (x, top); returns its height. */
    int text(const std::string &t, int x, int top, int size, cli_rgb c, bool mono = false,
             bool bold = false)
    {
        image_ptr img = text_image(t, size, c, mono, bold);
        add(img, x, top);
        int e[6] = {0, -1, 0, -1, 0, 0};
        if (img)
            img->GetExtent(e);
        return e[3] - e[2] + 1;
    }
    bool write(const char *path)
    {
        canvas->Update();
        vtkNew<vtkImageBlend> blend;
        blend->AddInputData(canvas->GetOutput());
        for (auto &l : layers)
            blend->AddInputData(l);
        vtkNew<vtkPNGWriter> png;
        png->SetInputConnection(blend->GetOutputPort());
        png->SetFileName(path);
        png->Write();
        return png->GetErrorCode() == 0;
    }
};

/* A panel image as the core sees it (a 2-D volume of the map's dtype). */
lobedice_volume slice_volume(vtkImageData *img, lobedice_dtype dtype, int w, int h)
{
    return {img->GetScalarPointer(),
            dtype,
            {static_cast<size_t>(w), static_cast<size_t>(h), 1},
            {1, 1, 1}};
}

/* The RGBA layers of a panel, from the core's disagreement codes: the predicted lobes filled,
 * missed and extra voxels, the reference lobes outlined. */
bool panel_layers(std::vector<image_ptr> *out, vtkImageData *ref_slice, vtkImageData *pred_slice,
                  const cli_pictures &p, int w, int h, std::string *why)
{
    const lobedice_compare_options *co = lobedice_comparison_options(p.comparison);
    const size_t nl = co->nlabels;
    lobedice_dtype code_dtype;
    if (lobedice_disagreement_dtype(&code_dtype, nl) != LOBEDICE_OK) {
        *why = "usage: --snapshot colours at most " +
               std::to_string(LOBEDICE_DISAGREEMENT_MAX_LABELS) + " labels, and " +
               std::to_string(nl) + " were compared; choose fewer with --labels";
        return false;
    }
    const lobedice_volume rv = slice_volume(ref_slice, p.reference->volume.dtype, w, h),
                          pv = slice_volume(pred_slice, p.prediction->volume.dtype, w, h);
    const size_t pixels = static_cast<size_t>(w) * static_cast<size_t>(h);
    const size_t n[3] = {static_cast<size_t>(w), static_cast<size_t>(h), 1};
    std::vector<int32_t> buffers(2 * pixels); /* large enough for either code dtype */
    void *codes = buffers.data(), *classes = buffers.data() + pixels;
    lobedice_status st =
        lobedice_disagreement_map(codes, code_dtype, &rv, &pv, co->labels, nl, p.threads);
    if (st == LOBEDICE_OK) /* a map against itself: every code is the reference class */
        st = lobedice_disagreement_map(classes, code_dtype, &rv, &rv, co->labels, nl, p.threads);
    if (st != LOBEDICE_OK) {
        *why = std::string("colouring the slices failed: ") + lobedice_strerror(st);
        return false;
    }
    const int code_type = vtk_type_of(code_dtype);
    image_ptr code_img = wrap(codes, code_type, n), class_img = wrap(classes, code_type, n);

    /* fill: the predicted class; errors: missed and extra */
    int32_t max_code = 0;
    lobedice_disagreement_code(&max_code, nl, nl, nl ? nl - 1 : 0);
    const size_t ncodes =
        static_cast<size_t>(std::max<int32_t>(max_code, static_cast<int32_t>(nl))) + 1;
    auto fill = exact_table(ncodes), errors = exact_table(ncodes);
    for (size_t c = 0; c < ncodes; c++) {
        size_t r = 0, q = 0;
        lobedice_disagreement_kind kind;
        if (lobedice_disagreement_classes(&r, &q, &kind, static_cast<int32_t>(c), nl) !=
            LOBEDICE_OK)
            continue;
        if (q)
            set_rgb(fill, c, cli_label_color(q), snapshot_fill_opacity);
        if (kind == LOBEDICE_MISSED)
            set_rgb(errors, c, cli_missed_color, 1);
        else if (kind == LOBEDICE_EXTRA)
            set_rgb(errors, c, cli_extra_color, 1);
    }
    /* outlines: reference classes where the 4-neighbourhood holds another class */
    vtkNew<vtkImageContinuousDilate3D> dilate;
    dilate->SetInputData(class_img);
    dilate->SetKernelSize(3, 3, 1);
    vtkNew<vtkImageContinuousErode3D> erode;
    erode->SetInputData(class_img);
    erode->SetKernelSize(3, 3, 1);
    vtkNew<vtkImageMathematics> spread;
    spread->SetOperationToSubtract();
    spread->SetInputConnection(0, dilate->GetOutputPort());
    spread->SetInputConnection(1, erode->GetOutputPort());
    vtkNew<vtkImageThreshold> edge;
    edge->SetInputConnection(spread->GetOutputPort());
    edge->ThresholdByUpper(1);
    edge->SetInValue(1);
    edge->SetOutValue(0);
    edge->ReplaceInOn();
    edge->ReplaceOutOn();
    vtkNew<vtkImageMathematics> outline;
    outline->SetOperationToMultiply();
    outline->SetInputConnection(0, edge->GetOutputPort());
    outline->SetInputData(1, class_img);
    outline->Update();
    auto outline_table = exact_table(nl + 1);
    for (size_t k = 1; k <= nl; k++)
        set_rgb(outline_table, k, cli_label_color(k), 1);
    out->push_back(colored(code_img, fill));
    out->push_back(colored(code_img, errors));
    out->push_back(colored(outline->GetOutput(), outline_table));
    return true;
}

/* One slice panel, w x h, through p: background (the CT in the lung window, or black), then
 * the layers. */
image_ptr slice_panel(const cli_pictures &p, const view &v, vec3 at, int w, int h, std::string *why)
{
    const lobedice_image &ref = *p.reference;
    const grid rg(ref.origin, ref.direction, ref.volume.spacing, ref.volume.size);
    const plane pl = fit_plane(v, rg, at, w, h);
    image_ptr ref_img = wrap(ref.volume.data, vtk_type_of(ref.volume.dtype), ref.volume.size),
              pred_img = wrap(p.prediction->volume.data, vtk_type_of(p.prediction->volume.dtype),
                              ref.volume.size);
    auto axes = reslice_axes(pl, rg);
    image_ptr ref_slice = reslice(ref_img, axes, false, 0, w, h),
              pred_slice = reslice(pred_img, axes, false, 0, w, h);
    vtkNew<vtkImageBlend> blend;
    if (p.ct) {
        const lobedice_real_image &ct = *p.ct;
        const grid cg(ct.origin, ct.direction, ct.spacing, ct.size);
        if (!cg.ok) {
            *why = "the CT's origin, spacing or direction cannot place its voxels";
            return nullptr;
        }
        image_ptr ct_img = wrap(ct.data, VTK_TYPE_FLOAT32, ct.size);
        image_ptr ct_slice = reslice(ct_img, reslice_axes(pl, cg), true, -3024, w, h);
        vtkNew<vtkImageMapToWindowLevelColors> window;
        window->SetInputData(ct_slice);
        window->SetWindow(snapshot_ct_window);
        window->SetLevel(snapshot_ct_level);
        window->SetOutputFormatToRGB();
        window->Update();
        blend->AddInputData(window->GetOutput());
    } else {
        vtkNew<vtkImageCanvasSource2D> black;
        black->SetScalarTypeToUnsignedChar();
        black->SetNumberOfScalarComponents(3);
        black->SetExtent(0, w - 1, 0, h - 1, 0, 0);
        black->SetDrawColor(panel_color.r, panel_color.g, panel_color.b);
        black->FillBox(0, w - 1, 0, h - 1);
        black->Update();
        blend->AddInputData(black->GetOutput());
    }
    std::vector<image_ptr> layers;
    if (!panel_layers(&layers, ref_slice, pred_slice, p, w, h, why))
        return nullptr;
    for (auto &l : layers)
        blend->AddInputData(l);
    blend->Update();
    return blend->GetOutput();
}

/* The X display, opened here and handed to VTK: VTK's X render window aborts the process when
 * it cannot open one itself. NULL without a display. */
struct x_display {
    Display *d = nullptr;
    x_display()
    {
        const char *name = std::getenv("DISPLAY");
        if (name && *name)
            d = XOpenDisplay(nullptr);
    }
    ~x_display()
    {
        if (d)
            XCloseDisplay(d);
    }
};

/* The distance-coloured surfaces, rendered offscreen from the front (the patient's right on
 * the left, superior up), with a colour bar from -range to +range mm. */
image_ptr render_surfaces(Display *display, vtkPolyData *surfaces, double range, int w, int h,
                          std::string *why)
{
    vtkNew<vtkPolyDataNormals> normals;
    normals->SetInputData(surfaces);
    normals->SplittingOff();
    vtkNew<vtkColorTransferFunction> colors;
    colors->AddRGBPoint(-range, 0.17, 0.35, 0.85);
    colors->AddRGBPoint(0, 0.95, 0.95, 0.95);
    colors->AddRGBPoint(range, 0.85, 0.15, 0.15);
    colors->SetNanColor(0.5, 0.5, 0.5);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(normals->GetOutputPort());
    mapper->SetLookupTable(colors);
    mapper->SetScalarModeToUsePointFieldData();
    mapper->SelectColorArray("SignedDistance");
    mapper->SetScalarRange(-range, range);
    mapper->ScalarVisibilityOn();
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    vtkNew<vtkScalarBarActor> bar;
    bar->SetLookupTable(colors);
    bar->SetTitle("mm");
    bar->SetNumberOfLabels(5);
    bar->SetWidth(0.1);
    bar->SetHeight(0.7);
    bar->SetPosition(0.87, 0.15);
    vtkNew<vtkRenderer> renderer;
    renderer->SetBackground(0, 0, 0);
    renderer->AddActor(actor);
    renderer->AddActor2D(bar);
    vtkNew<vtkRenderWindow> window;
    window->SetDisplayId(display);
    window->SetOffScreenRendering(1);
    window->SetSize(w, h);
    window->AddRenderer(renderer);
    renderer->ResetCamera();
    vtkCamera *camera = renderer->GetActiveCamera();
    double focal[3];
    camera->GetFocalPoint(focal);
    const double distance = camera->GetDistance();
    camera->SetPosition(focal[0], focal[1] - distance, focal[2]); /* anterior (LPS -y) */
    camera->SetViewUp(0, 0, 1);
    renderer->ResetCamera();
    camera->Zoom(1.2);
    cli_vtk_errors_clear();
    window->Render();
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->Update();
    if (!cli_vtk_last_error().empty()) {
        *why = cli_vtk_last_error();
        return nullptr;
    }
    image_ptr out = image_ptr::New();
    out->DeepCopy(grab->GetOutput());
    return out;
}

std::string format(const char *fmt, double v)
{
    if (std::isnan(v))
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

std::string base_name(const char *path)
{
    const char *slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

} // namespace

bool cli_snapshot_write(const cli_pictures &p, vtkPolyData *distance, const char *path,
                        std::string *why)
{
    const lobedice_image &ref = *p.reference;
    const lobedice_compare_options *co = lobedice_comparison_options(p.comparison);
    const size_t nl = co->nlabels;

    /* where the slices cross */
    uint64_t voxel[3] = {ref.volume.size[0] / 2, ref.volume.size[1] / 2, ref.volume.size[2] / 2};
    uint64_t disagreeing = 0;
    std::string where = "the reference grid's centre";
    if (p.at == CLI_AT_VOXEL) {
        for (int a = 0; a < 3; a++)
            if (p.voxel[a] >= ref.volume.size[a]) {
                *why = "usage: --snapshotAt voxel (" + std::to_string(p.voxel[0]) + ", " +
                       std::to_string(p.voxel[1]) + ", " + std::to_string(p.voxel[2]) +
                       ") lies outside the reference's " + std::to_string(ref.volume.size[0]) +
                       " x " + std::to_string(ref.volume.size[1]) + " x " +
                       std::to_string(ref.volume.size[2]) + " voxels";
                return false;
            }
        std::memcpy(voxel, p.voxel, sizeof voxel);
        where = "the voxel asked for";
    } else if (p.at == CLI_AT_WORST) {
        lobedice_status st = lobedice_disagreement_peak(
            voxel, &disagreeing, &ref.volume, &p.prediction->volume, co->labels, nl, p.threads);
        if (st != LOBEDICE_OK) {
            *why = std::string("finding the worst place failed: ") + lobedice_strerror(st);
            return false;
        }
        where = disagreeing ? "the slices with the most disagreeing voxels"
                            : "the centre (the maps agree everywhere)";
    }
    const grid rg(ref.origin, ref.direction, ref.volume.spacing, ref.volume.size);
    if (!rg.ok) {
        *why = "the reference's origin, spacing or direction cannot place its voxels";
        return false;
    }
    const vec3 at = rg.lps({static_cast<double>(voxel[0]), static_cast<double>(voxel[1]),
                            static_cast<double>(voxel[2])});

    picture pic;
    /* title */
    char line[1024];
    size_t used = 0;
    const double mean_dice = lobedice_comparison_mean(p.comparison, LOBEDICE_MEASURE_DICE, &used);
    std::snprintf(line, sizeof line,
                  "LobeDice   reference %s   prediction %s   mean Dice %s (%zu label%s)",
                  base_name(p.reference_path).c_str(), base_name(p.predicted_path).c_str(),
                  format("%.4f", mean_dice).c_str(), used, used == 1 ? "" : "s");
    pic.text(line, snapshot_margin, 8, 22, white, false, true);
    std::snprintf(line, sizeof line,
                  "Slices through voxel (%llu, %llu, %llu) = LPS (%.1f, %.1f, %.1f) mm: %s",
                  static_cast<unsigned long long>(voxel[0]),
                  static_cast<unsigned long long>(voxel[1]),
                  static_cast<unsigned long long>(voxel[2]), at.x, at.y, at.z, where.c_str());
    pic.text(line, snapshot_margin, 38, 15, grey);

    /* the three slices */
    for (int k = 0; k < 3; k++) {
        const snapshot_rect r = snapshot_panel(k);
        image_ptr panel = slice_panel(p, views[k], at, r.w, r.h, why);
        if (!panel)
            return false;
        pic.add(panel, r.x, r.top);
        const view &v = views[k];
        pic.text(v.name, r.x + 6, r.top + 4, 16, white, false, true);
        pic.text(v.left, r.x + 6, r.top + r.h / 2 - 8, 16, white, false, true);
        pic.text(v.right, r.x + r.w - 18, r.top + r.h / 2 - 8, 16, white, false, true);
        pic.text(v.top, r.x + r.w / 2 - 6, r.top + 4, 16, white, false, true);
        pic.text(v.bottom, r.x + r.w / 2 - 6, r.top + r.h - 22, 16, white, false, true);
    }

    /* the 3-D panel */
    const snapshot_rect r3 = snapshot_panel(3);
    pic.box(r3.x, r3.top, r3.w, r3.h, panel_color);
    bool rendered = false;
    x_display display; /* outlives the render window */
    vtkSmartPointer<vtkPolyData> surfaces = distance;
    if (display.d && !surfaces) { /* made here only when it can be shown */
        surfaces = cli_lobe_surfaces(*p.prediction, *p.reference, p.comparison, p.threads, why);
        if (!surfaces)
            return false;
    }
    const bool have_lobes =
        !display.d || (surfaces && surfaces->GetNumberOfPoints() > 0); /* unknown without */
    if (have_lobes) {
        if (display.d) {
            double range = 0;
            for (size_t i = 0; i < nl; i++) {
                const double v = lobedice_comparison_value(p.comparison, i, LOBEDICE_MEASURE_HD95);
                if (!std::isnan(v))
                    range = std::max(range, v);
            }
            range = range > 0 ? std::ceil(range) : snapshot_default_range_mm;
            std::string render_why;
            image_ptr view3d = render_surfaces(display.d, surfaces, range, r3.w, r3.h, &render_why);
            if (view3d) {
                pic.add(view3d, r3.x, r3.top);
                pic.text("Predicted lobes coloured by signed distance to the reference (mm): "
                         "red beyond it, blue short of it",
                         r3.x + 6, r3.top + 4, 12, white);
                rendered = true;
            } else {
                std::fprintf(stderr,
                             "LobeDice: the snapshot's 3-D view could not be rendered (%s), so "
                             "the picture has none.\n",
                             render_why.c_str());
            }
        } else {
            std::fprintf(stderr, "LobeDice: no X display, so the snapshot has no 3-D view (run "
                                 "under xvfb-run to get it).\n");
        }
    }
    if (!rendered)
        pic.text(!display.d   ? "3-D view: needs an X display (xvfb-run)"
                 : have_lobes ? "3-D view: could not be rendered"
                              : "3-D view: no predicted lobe",
                 r3.x + 20, r3.top + r3.h / 2 - 10, 16, grey);

    /* the table */
    const snapshot_rect rt = snapshot_table();
    const bool hd = co->surface_distances != 0;
    int top = rt.top;
    std::snprintf(line, sizeof line, "%-12s %8s %9s %11s", "", "Dice", hd ? "HD95 mm" : "",
                  "Vol.diff %");
    top += pic.text(line, rt.x + 22, top, 17, white, true, true) + 6;
    const size_t rows = std::min<size_t>(nl, snapshot_table_rows);
    for (size_t i = 0; i < rows; i++) {
        const lobedice_row_info *row = lobedice_comparison_row(p.comparison, i);
        const double dice = lobedice_comparison_value(p.comparison, i, LOBEDICE_MEASURE_DICE),
                     hd95 = lobedice_comparison_value(p.comparison, i, LOBEDICE_MEASURE_HD95),
                     dv = lobedice_comparison_value(p.comparison, i,
                                                    LOBEDICE_MEASURE_VOLUME_DIFFERENCE);
        std::snprintf(line, sizeof line, "%-12.12s %8s %9s %11s", row->name,
                      format("%.4f", dice).c_str(), hd ? format("%.2f", hd95).c_str() : "",
                      format("%+.1f", 100 * dv).c_str());
        pic.box(rt.x, top + 2, 16, 16, cli_label_color(i + 1));
        top += pic.text(line, rt.x + 22, top, 17, white, true) + 4;
    }
    if (nl > rows) {
        std::snprintf(line, sizeof line, "... %zu more labels in the table and JSON reports",
                      nl - rows);
        top += pic.text(line, rt.x + 22, top, 14, grey) + 4;
    }
    std::snprintf(
        line, sizeof line, "%-12s %8s %9s", "mean", format("%.4f", mean_dice).c_str(),
        hd ? format("%.2f", lobedice_comparison_mean(p.comparison, LOBEDICE_MEASURE_HD95, nullptr))
                 .c_str()
           : "");
    top += pic.text(line, rt.x + 22, top + 4, 17, white, true, true) + 14;
    pic.text("Vol.diff = (pred - ref) / ref volume, in %", rt.x, top, 13, grey);

    /* the legend */
    const snapshot_rect rl = snapshot_legend();
    top = rl.top;
    top += pic.text("Legend", rl.x, top, 17, white, false, true) + 8;
    pic.box(rl.x, top + 2, 16, 16, cli_missed_color);
    top += pic.text("missed: reference lobe, predicted background", rl.x + 24, top, 14, white) + 8;
    pic.box(rl.x, top + 2, 16, 16, cli_extra_color);
    top += pic.text("extra: predicted lobe, reference background", rl.x + 24, top, 14, white) + 8;
    top +=
        pic.text("fill: the predicted lobe (its colour, translucent)", rl.x + 24, top, 14, white) +
        8;
    top += pic.text("outline: the reference lobe (its colour)", rl.x + 24, top, 14, white) + 8;
    top +=
        pic.text("Slices: patient's right on the left, superior up;", rl.x, top + 6, 14, grey) + 4;
    top += pic.text(p.ct ? "CT in the lung window (W 1500, L -600 HU)" : "no CT given (--ct)", rl.x,
                    top + 6, 14, grey);

    cli_vtk_errors_clear();
    if (!pic.write(path)) {
        const std::string vtk = cli_vtk_last_error();
        *why = vtk.empty() ? "VTK could not write the PNG"
                           : "VTK could not write the PNG (" + vtk + ")";
        return false;
    }
    return true;
}
