/* Does itk::LobeDiceComparisonImageFilter cost anything over calling the core directly?
 *
 *   bench_wrapping [--size X,Y,Z] [--repeats N]      (default 512,512,320 and 9)
 *
 * Both sides see the same two phantom buffers (wrapped by ITK images without a copy) and make
 * the same core calls with the same thread count; runs alternate so that a busy machine hurts
 * both alike. Prints the median time of each, the difference, and the peak bytes each side
 * allocated (a copy of the images would show there). */
#include "bench.h"
#include "itkImage.h"
#include "itkLobeDiceComparisonImageFilter.h"
#include "phantom.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace
{

using ImageType = itk::Image<uint8_t, 3>;
using FilterType = itk::LobeDiceComparisonImageFilter<ImageType>;

/* An ITK image over an existing buffer (no copy, not owned). */
ImageType::Pointer wrap(uint8_t *buffer, const size_t size[3])
{
    double spacing[3], origin[3];
    phantom_geometry(size, spacing, origin);
    auto image = ImageType::New();
    ImageType::RegionType region;
    for (unsigned a = 0; a < 3; a++)
        region.SetSize(a, size[a]);
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->GetPixelContainer()->SetImportPointer(buffer, region.GetNumberOfPixels(), false);
    return image;
}

struct side_result {
    double seconds;
    size_t peak_bytes;
};

struct case_spec {
    const char *name;
    bool find_labels; /* the filter's default: every non-zero label present */
    bool surface;
};

void die_on(lobedice_status st, const char *call)
{
    if (st != LOBEDICE_OK) {
        std::fprintf(stderr, "bench_wrapping: %s failed: %s\n", call, lobedice_strerror(st));
        std::exit(1);
    }
}

/* The core calls the filter makes, made directly. Returns the Dice of the first label, to
 * check both sides computed the same thing. */
double direct(const lobedice_volume &ref, const lobedice_volume &pred, const case_spec &c,
              size_t threads)
{
    std::vector<int64_t> labels = {1, 2, 3, 4, 5};
    if (c.find_labels) {
        labels.clear();
        for (const lobedice_volume *v : {&ref, &pred}) {
            std::vector<int64_t> present(256);
            size_t count = 0;
            die_on(lobedice_labels_present(present.data(), present.size(), &count, v, threads),
                   "lobedice_labels_present");
            present.resize(count);
            labels.insert(labels.end(), present.begin(), present.end());
        }
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
        labels.erase(std::remove(labels.begin(), labels.end(), 0), labels.end());
    }
    std::vector<lobedice_label_set> sets(labels.size());
    for (size_t i = 0; i < labels.size(); i++)
        sets[i] = {labels[i], &labels[i], 1};
    std::vector<lobedice_label_overlap> overlaps(labels.size());
    lobedice_overlap_summary summary;
    die_on(lobedice_overlap_sets(overlaps.data(), &ref, &pred, sets.data(), sets.size(), threads),
           "lobedice_overlap_sets");
    die_on(lobedice_overlap_summarize(&summary, overlaps.data(), overlaps.size()),
           "lobedice_overlap_summarize");
    if (c.surface) {
        lobedice_surface_options options;
        lobedice_surface_options_init(&options);
        options.threads = threads;
        std::vector<lobedice_label_surface> surfaces(labels.size());
        die_on(lobedice_surface_distances_sets(surfaces.data(), &ref, &pred, sets.data(),
                                               sets.size(), &options),
               "lobedice_surface_distances_sets");
        return overlaps[0].dice + surfaces[0].hd95;
    }
    return overlaps[0].dice;
}

} // namespace

int main(int argc, char **argv)
{
    size_t size[3] = {512, 512, 320};
    int repeats = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--size") == 0 &&
            std::sscanf(argv[i + 1], "%zu,%zu,%zu", &size[0], &size[1], &size[2]) == 3)
            continue;
        if (std::strcmp(argv[i], "--repeats") == 0 && (repeats = std::atoi(argv[i + 1])) > 0 &&
            repeats <= 64)
            continue;
        std::fprintf(stderr, "usage: bench_wrapping [--size X,Y,Z] [--repeats N (1..64)]\n");
        return 2;
    }
    uint8_t *ref_map = phantom_new(size, PHANTOM_REFERENCE);
    uint8_t *pred_map = phantom_new(size, PHANTOM_PREDICTION);
    if (!ref_map || !pred_map) {
        std::fprintf(stderr, "bench_wrapping: not enough memory\n");
        return 1;
    }
    ImageType::Pointer ref_image = wrap(ref_map, size), pred_image = wrap(pred_map, size);
    double spacing[3], origin[3];
    phantom_geometry(size, spacing, origin);
    lobedice_volume ref = {
        ref_map, LOBEDICE_UINT8, {size[0], size[1], size[2]}, {spacing[0], spacing[1], spacing[2]}};
    lobedice_volume pred = ref;
    pred.data = pred_map;

    auto filter = FilterType::New();
    filter->SetReferenceImage(ref_image);
    filter->SetPredictedImage(pred_image);
    const size_t threads = std::min<size_t>(
        filter->GetNumberOfWorkUnits(), filter->GetMultiThreader()->GetMaximumNumberOfThreads());

    std::printf("bench_wrapping: %zux%zux%zu uint8 lung phantom, %zu threads, median of %d "
                "alternating runs\n",
                size[0], size[1], size[2], threads, repeats);
    const case_spec cases[] = {{"overlap, labels 1-5 given", false, false},
                               {"overlap, labels found", true, false},
                               {"overlap + surface distances", false, true}};
    for (const case_spec &c : cases) {
        filter->SetLabels(c.find_labels ? FilterType::LabelListType{}
                                        : FilterType::LabelListType{1, 2, 3, 4, 5});
        filter->SetComputeSurfaceDistances(c.surface);
        std::vector<double> t_filter, t_core;
        size_t peak_filter = 0, peak_core = 0;
        double check_filter = 0, check_core = 0;
        auto run_filter = [&] {
            filter->Modified();
            bench_alloc_mark();
            double t0 = bench_now();
            filter->Update();
            t_filter.push_back(bench_now() - t0);
            peak_filter = std::max(peak_filter, bench_alloc_peak());
            check_filter = filter->GetDiceCoefficient(filter->GetMeasuredLabels()[0]) +
                           (c.surface ? filter->GetHausdorffDistance95(1) : 0.0);
        };
        auto run_core = [&] {
            bench_alloc_mark();
            double t0 = bench_now();
            check_core = direct(ref, pred, c, threads);
            t_core.push_back(bench_now() - t0);
            peak_core = std::max(peak_core, bench_alloc_peak());
        };
        for (int r = 0; r < repeats; r++) {
            /* Alternate who goes first, so neither always finds the caches warm. */
            if (r % 2) {
                run_core();
                run_filter();
            } else {
                run_filter();
                run_core();
            }
        }
        double min_f = *std::min_element(t_filter.begin(), t_filter.end()) * 1e3;
        double min_c = *std::min_element(t_core.begin(), t_core.end()) * 1e3;
        double mf = 1e3 * bench_median(t_filter.data(), t_filter.size());
        double mc = 1e3 * bench_median(t_core.data(), t_core.size());
        std::printf("%-28s filter %8.2f ms  core %8.2f ms  difference %+7.2f ms (%+.1f%%)  "
                    "[min %.2f vs %.2f ms]  peak alloc filter %zu KiB, core %zu KiB  same "
                    "results: %s\n",
                    c.name, mf, mc, mf - mc, 100.0 * (mf - mc) / mc, min_f, min_c,
                    peak_filter / 1024, peak_core / 1024,
                    check_filter == check_core ? "yes" : "NO");
    }
    filter = nullptr;
    ref_image = nullptr;
    pred_image = nullptr;
    std::free(ref_map);
    std::free(pred_map);
    return 0;
}
