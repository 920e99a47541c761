/* Surface models of the lobes coloured by their signed distance to the other map, and the
 * orchestration of the pictures (cli_pictures.h). VTK extracts (vtkDiscreteFlyingEdges3D),
 * smooths (vtkWindowedSincPolyDataFilter), moves into LPS and writes; the core gives the
 * bounding boxes and the signed distances. Model files follow what Slicer's
 * vtkMRMLModelStorageNode reads: points in LPS, said by "SPACE=LPS" in a legacy file's header
 * and by a field-data string array SPACE = "LPS" in a .vtp file. */
#include "cli_palette.h"
#include "cli_vtk.h"

#include <vtkAppendPolyData.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFieldData.h>
#include <vtkFloatArray.h>
#include <vtkImageConstantPad.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkLogger.h>
#include <vtkNew.h>
#include <vtkOutputWindow.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataWriter.h>
#include <vtkShortArray.h>
#include <vtkStringArray.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkTypeInt16Array.h>
#include <vtkTypeInt32Array.h>
#include <vtkTypeInt8Array.h>
#include <vtkTypeUInt16Array.h>
#include <vtkTypeUInt32Array.h>
#include <vtkTypeUInt8Array.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowedSincPolyDataFilter.h>
#include <vtkXMLPolyDataWriter.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <strings.h>
#include <thread>
#include <vector>

namespace
{

/* VTK prints its errors and warnings itself; the module keeps standard error to one sentence,
 * so they are kept here and the last one is named in that sentence. */
class quiet_output : public vtkOutputWindow
{
  public:
    static quiet_output *New();
    vtkTypeMacro(quiet_output, vtkOutputWindow);
    void DisplayText(const char *) override
    {
    }
    void DisplayErrorText(const char *text) override
    {
        std::lock_guard<std::mutex> hold(lock); /* lobes are made in several threads */
        last = text ? text : "";
    }
    void DisplayWarningText(const char *) override
    {
    }
    void DisplayGenericWarningText(const char *) override
    {
    }
    void DisplayDebugText(const char *) override
    {
    }
    std::string last;
    std::mutex lock;
};
vtkStandardNewMacro(quiet_output);

quiet_output *quiet()
{
    static vtkSmartPointer<quiet_output> window = [] {
        vtkLogger::SetStderrVerbosity(vtkLogger::VERBOSITY_OFF);
        auto w = vtkSmartPointer<quiet_output>::New();
        vtkOutputWindow::SetInstance(w);
        return w;
    }();
    return window;
}

/* A VTK array of the volume's dtype over its buffer (no copy; the image keeps ownership). */
vtkSmartPointer<vtkDataArray> wrap_labels(const lobedice_volume &v)
{
    vtkSmartPointer<vtkDataArray> a;
    switch (v.dtype) {
    case LOBEDICE_UINT8: a = vtkSmartPointer<vtkTypeUInt8Array>::New(); break;
    case LOBEDICE_INT8: a = vtkSmartPointer<vtkTypeInt8Array>::New(); break;
    case LOBEDICE_UINT16: a = vtkSmartPointer<vtkTypeUInt16Array>::New(); break;
    case LOBEDICE_INT16: a = vtkSmartPointer<vtkTypeInt16Array>::New(); break;
    case LOBEDICE_UINT32: a = vtkSmartPointer<vtkTypeUInt32Array>::New(); break;
    case LOBEDICE_INT32: a = vtkSmartPointer<vtkTypeInt32Array>::New(); break;
    }
    const vtkIdType n = static_cast<vtkIdType>(v.size[0] * v.size[1] * v.size[2]);
    a->SetVoidArray(const_cast<void *>(v.data), n, 1);
    a->SetName("Labels");
    return a;
}

/* The label map in the grid's own frame in mm: origin 0, the map's spacing, no direction. */
vtkSmartPointer<vtkImageData> grid_image(const lobedice_volume &v)
{
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetExtent(0, static_cast<int>(v.size[0]) - 1, 0, static_cast<int>(v.size[1]) - 1, 0,
                     static_cast<int>(v.size[2]) - 1);
    image->SetSpacing(v.spacing[0], v.spacing[1], v.spacing[2]);
    image->SetOrigin(0, 0, 0);
    image->GetPointData()->SetScalars(wrap_labels(v));
    return image;
}

/* Light smoothing: a low number of iterations of the windowed sinc filter, which hardly
 * shrinks; each lobe is smoothed alone, so lobes never pull on each other. */
constexpr int smoothing_iterations = 10;
constexpr double smoothing_pass_band = 0.1;

/* The surface of label `label` of `of` inside box (lo, size), one voxel of margin so that a lobe
 * touching the image border is closed, in the grid frame (mm). */
vtkSmartPointer<vtkPolyData> extract(vtkImageData *image, int64_t label, const size_t *box)
{
    vtkNew<vtkImageConstantPad> pad;
    pad->SetInputData(image);
    int extent[6];
    for (int a = 0; a < 3; a++) {
        extent[2 * a] = static_cast<int>(box[a]) - 1;
        extent[2 * a + 1] = static_cast<int>(box[a] + box[3 + a]);
    }
    pad->SetOutputWholeExtent(extent);
    pad->SetConstant(label == 0 ? 1 : 0); /* any value but the label */
    vtkNew<vtkDiscreteFlyingEdges3D> surface;
    surface->SetInputConnection(pad->GetOutputPort());
    surface->SetValue(0, static_cast<double>(label));
    surface->ComputeNormalsOff();
    surface->ComputeGradientsOff();
    surface->ComputeScalarsOff();
    vtkNew<vtkWindowedSincPolyDataFilter> smooth;
    smooth->SetInputConnection(surface->GetOutputPort());
    smooth->SetNumberOfIterations(smoothing_iterations);
    smooth->SetPassBand(smoothing_pass_band);
    smooth->BoundarySmoothingOff();
    smooth->FeatureEdgeSmoothingOff();
    smooth->NonManifoldSmoothingOn();
    smooth->NormalizeCoordinatesOn();
    smooth->Update();
    vtkSmartPointer<vtkPolyData> out = smooth->GetOutput();
    if (out->GetNumberOfPoints() == 0)
        out = surface->GetOutput(); /* nothing to smooth: an empty surface */
    return out;
}

/* The points as floats (x, y, z), as the core reads them. */
vtkSmartPointer<vtkFloatArray> float_points(vtkPolyData *surface)
{
    auto points = vtkSmartPointer<vtkFloatArray>::New();
    points->SetNumberOfComponents(3);
    points->DeepCopy(surface->GetPoints()->GetData());
    return points;
}

const char *status_reason(lobedice_status st)
{
    return lobedice_strerror(st);
}

} // namespace

void cli_vtk_errors_clear()
{
    quiet_output *q = quiet();
    std::lock_guard<std::mutex> hold(q->lock);
    q->last.clear();
}

std::string cli_vtk_last_error()
{
    quiet_output *q = quiet();
    std::lock_guard<std::mutex> hold(q->lock);
    return q->last;
}

vtkSmartPointer<vtkPolyData> cli_lobe_surfaces(const lobedice_image &of, const lobedice_image &to,
                                               const lobedice_comparison *comparison,
                                               size_t threads, std::string *why)
{
    quiet();
    const lobedice_compare_options *co = lobedice_comparison_options(comparison);
    const size_t n = co->nlabels;
    std::vector<size_t> boxes(6 * n + 1);
    lobedice_status st = lobedice_label_bounds(boxes.data(), &of.volume, co->labels, n, threads);
    if (st != LOBEDICE_OK) {
        *why = std::string("finding the lobes failed: ") + status_reason(st);
        return nullptr;
    }
    vtkNew<vtkAppendPolyData> all;
    vtkNew<vtkIntArray> field_labels;
    vtkNew<vtkStringArray> field_names, field_status;
    vtkNew<vtkUnsignedCharArray> field_colors;
    field_labels->SetName("LobeLabel");
    field_names->SetName("LobeName");
    field_status->SetName("LobeStatus");
    field_colors->SetName("LobeColor");
    field_colors->SetNumberOfComponents(3);
    for (size_t i = 0; i < n; i++) {
        const lobedice_row_info *row = lobedice_comparison_row(comparison, i);
        const cli_rgb c = cli_label_color(i + 1);
        field_labels->InsertNextValue(static_cast<int>(co->labels[i]));
        field_names->InsertNextValue(row->name);
        field_status->InsertNextValue(lobedice_presence_name(row->presence));
        const unsigned char rgb[3] = {static_cast<unsigned char>(c.r),
                                      static_cast<unsigned char>(c.g),
                                      static_cast<unsigned char>(c.b)};
        field_colors->InsertNextTypedTuple(rgb);
    }
    /* Lobes are independent: one worker per core takes the next lobe (each with its own image
     * object over the shared buffer, and one core thread), results kept in lobe order. */
    std::vector<vtkSmartPointer<vtkPolyData>> lobes(n);
    std::vector<lobedice_status> status(n, LOBEDICE_OK);
    std::atomic<size_t> next{0};
    auto work = [&] {
        auto image = grid_image(of.volume);
        for (size_t i; (i = next++) < n;) {
            if (boxes[6 * i + 3] == 0)
                continue; /* not in this map: no surface */
            const int64_t label = co->labels[i];
            vtkSmartPointer<vtkPolyData> surface = extract(image, label, &boxes[6 * i]);
            const vtkIdType np = surface->GetNumberOfPoints();
            if (np == 0)
                continue;
            auto points = float_points(surface);
            vtkNew<vtkFloatArray> distance;
            distance->SetName("SignedDistance");
            distance->SetNumberOfTuples(np);
            status[i] =
                lobedice_signed_distance_at(distance->GetPointer(0), &to.volume, &label, 1,
                                            points->GetPointer(0), static_cast<size_t>(np), 1);
            vtkNew<vtkIntArray> labels;
            labels->SetName("Label");
            labels->SetNumberOfTuples(np);
            labels->Fill(static_cast<double>(label));
            auto lobe = vtkSmartPointer<vtkPolyData>::New();
            lobe->SetPoints(surface->GetPoints());
            lobe->SetPolys(surface->GetPolys());
            lobe->GetPointData()->SetScalars(distance);
            lobe->GetPointData()->AddArray(labels);
            lobes[i] = lobe;
        }
    };
    size_t workers = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    workers = std::min(workers, n);
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; w++)
        pool.emplace_back(work);
    work();
    for (auto &t : pool)
        t.join();
    size_t surfaces = 0;
    for (size_t i = 0; i < n; i++) {
        if (status[i] != LOBEDICE_OK) {
            *why =
                std::string("measuring the signed distances failed: ") + status_reason(status[i]);
            return nullptr;
        }
        if (lobes[i]) {
            all->AddInputData(lobes[i]);
            surfaces++;
        }
    }
    vtkSmartPointer<vtkPolyData> merged;
    if (surfaces) {
        all->Update();
        merged = all->GetOutput();
    } else {
        merged = vtkSmartPointer<vtkPolyData>::New();
        merged->SetPoints(vtkSmartPointer<vtkPoints>::New());
    }
    /* grid frame (mm along the index axes) -> LPS: p = origin + direction * q */
    vtkNew<vtkTransform> to_lps;
    double m[16] = {0};
    for (int r = 0; r < 3; r++) {
        for (int col = 0; col < 3; col++)
            m[4 * r + col] = of.direction[3 * r + col];
        m[4 * r + 3] = of.origin[r];
    }
    m[15] = 1;
    to_lps->SetMatrix(m);
    vtkNew<vtkTransformPolyDataFilter> move;
    move->SetInputData(merged);
    move->SetTransform(to_lps);
    move->Update();
    vtkSmartPointer<vtkPolyData> out = move->GetOutput();
    if (out->GetPointData()->GetArray("SignedDistance"))
        out->GetPointData()->SetActiveScalars("SignedDistance");
    vtkFieldData *fd = out->GetFieldData();
    fd->AddArray(field_labels);
    fd->AddArray(field_names);
    fd->AddArray(field_status);
    fd->AddArray(field_colors);
    vtkNew<vtkStringArray> meaning;
    meaning->SetName("SignedDistanceMeaning");
    meaning->InsertNextValue("mm from the same lobe of the other map: + outside it, - inside; "
                             "NaN where the other map lacks the lobe");
    fd->AddArray(meaning);
    return out;
}

namespace
{

/* Writes a model as Slicer reads it back (see the top of the file). */
bool write_model(vtkPolyData *model, const char *path, std::string *why)
{
    cli_vtk_errors_clear();
    const size_t len = std::strlen(path);
    int ok = 0;
    if (len >= 4 && strcasecmp(path + len - 4, ".vtp") == 0) {
        vtkNew<vtkPolyData> copy; /* the SPACE array goes into the file, not the caller's model */
        copy->ShallowCopy(model);
        vtkNew<vtkFieldData> fd;
        fd->ShallowCopy(model->GetFieldData());
        vtkNew<vtkStringArray> space;
        space->SetName("SPACE");
        space->InsertNextValue("LPS");
        fd->AddArray(space);
        copy->SetFieldData(fd);
        vtkNew<vtkXMLPolyDataWriter> writer;
        writer->SetInputData(copy);
        writer->SetFileName(path);
        writer->SetDataModeToAppended();
        writer->SetCompressorTypeToZLib();
        ok = writer->Write() && writer->GetErrorCode() == 0;
    } else {
        vtkNew<vtkPolyDataWriter> writer;
        writer->SetInputData(model);
        writer->SetFileName(path);
        writer->SetFileTypeToBinary();
        writer->SetFileVersion(vtkPolyDataWriter::VTK_LEGACY_READER_VERSION_4_2);
        writer->SetHeader("LobeDice surface model. SPACE=LPS");
        ok = writer->Write() && writer->GetErrorCode() == 0;
    }
    if (!ok) {
        const std::string vtk = cli_vtk_last_error();
        *why = vtk.empty() ? "VTK could not write it" : "VTK could not write it (" + vtk + ")";
        while (!why->empty() && (why->back() == '\n' || why->back() == '.'))
            why->pop_back();
    }
    return ok != 0;
}

/* The message for a failed step: "<what>: <why>". */
int failed(char *msg, size_t size, const char *what, const char *target, const std::string &why)
{
    std::snprintf(msg, size, "%s '%s': %s", what, target, why.c_str());
    return CLI_EXIT_FAILURE;
}

} // namespace

extern "C" int cli_pictures_write(const cli_pictures *p, cli_outputs *outputs, char *msg,
                                  size_t size)
{
    try {
        std::string why;
        vtkSmartPointer<vtkPolyData> distance;
        if (p->distance_model) {
            distance =
                cli_lobe_surfaces(*p->prediction, *p->reference, p->comparison, p->threads, &why);
            if (!distance)
                return failed(msg, size, "cannot make the distance model", p->distance_model, why);
            const char *temp = cli_outputs_stage(outputs, p->distance_model, msg, size);
            if (!temp)
                return CLI_EXIT_FAILURE;
            if (!write_model(distance, temp, &why))
                return failed(msg, size, "cannot write the distance model", p->distance_model, why);
        }
        if (p->reference_model) {
            vtkSmartPointer<vtkPolyData> reference =
                cli_lobe_surfaces(*p->reference, *p->prediction, p->comparison, p->threads, &why);
            if (!reference)
                return failed(msg, size, "cannot make the reference model", p->reference_model,
                              why);
            const char *temp = cli_outputs_stage(outputs, p->reference_model, msg, size);
            if (!temp)
                return CLI_EXIT_FAILURE;
            if (!write_model(reference, temp, &why))
                return failed(msg, size, "cannot write the reference model", p->reference_model,
                              why);
        }
        if (p->snapshot) {
            const char *temp = cli_outputs_stage(outputs, p->snapshot, msg, size);
            if (!temp)
                return CLI_EXIT_FAILURE;
            if (!cli_snapshot_write(*p, distance, temp, &why)) {
                if (why.compare(0, 6, "usage:") == 0) {
                    std::snprintf(msg, size, "%s", why.c_str() + 7);
                    return CLI_EXIT_USAGE;
                }
                return failed(msg, size, "cannot write the snapshot", p->snapshot, why);
            }
        }
        return 0;
    } catch (const std::bad_alloc &) {
        std::snprintf(msg, size, "making the pictures ran out of memory");
    } catch (...) {
        std::snprintf(msg, size, "making the pictures failed");
    }
    return CLI_EXIT_FAILURE;
}
