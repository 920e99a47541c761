/* Does itk::LobeDiceComparisonImageFilter cost anything over calling the core directly?
 *
 *   bench_wrapping [--size X,Y,Z] [--repeats N] [--threads N]
 *                  (default 512,512,320, 9 and all online cores)
 *
 * Both sides see the same two phantom buffers (wrapped by ITK images without a copy) and make
 * the same core calls with the same thread count; runs alternate so that a busy machine hurts
 * both alike. Prints the median time of each, the difference, and the peak bytes each side
 * allocated (a copy of the images would show there). */
#include "bench.h"
#include "itkLobeDiceComparisonImageFilter.h"
#include "itk_image_util.h"
#include "phantom_volume.h"

#include <getopt.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace
{

using ImageType = itk::Image<uint8_t, 3>;
using FilterType = itk::LobeDiceComparisonImageFilter<ImageType>;

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

/* The core call the filter makes (one lobedice_compare with the same settings), made directly.
 * Returns the Dice of the first label, plus its HD95 with surfaces, to check both sides computed
 * the same thing. */
double direct(const lobedice_volume &ref, const lobedice_volume &pred, const case_spec &c,
              size_t threads)
{
    static const int64_t lobes[5] = {1, 2, 3, 4, 5};
    lobedice_compare_options options = LOBEDICE_COMPARE_OPTIONS_INIT;
    if (!c.find_labels) {
        options.labels = lobes;
        options.nlabels = 5;
    }
    options.surface_distances = c.surface;
    options.threads = threads;
    lobedice_comparison *comparison = nullptr;
    die_on(lobedice_compare(&comparison, &ref, &pred, &options), "lobedice_compare");
    double check = lobedice_comparison_value(comparison, 0, LOBEDICE_MEASURE_DICE);
    if (c.surface)
        check += lobedice_comparison_value(comparison, 0, LOBEDICE_MEASURE_HD95);
    lobedice_comparison_free(comparison);
    return check;
}

struct Options {
    size_t size[3] = {512, 512, 320};
    int repeats = 9;
    size_t threads = 0; // 0: all online cores
};

[[noreturn]] void usage_error(const char *what, const char *value)
{
    if (what)
        std::fprintf(stderr, "bench_wrapping: %s, not '%s'\n", what, value);
    std::fprintf(stderr, "usage: bench_wrapping [--size X,Y,Z] [--repeats N (1..64)] "
                         "[--threads N]\n");
    std::exit(2);
}

Options parse(int argc, char **argv)
{
    static const option longs[] = {{"size", required_argument, nullptr, 's'},
                                   {"repeats", required_argument, nullptr, 'r'},
                                   {"threads", required_argument, nullptr, 't'},
                                   {nullptr, 0, nullptr, 0}};
    Options o;
    long v;
    for (int c; (c = getopt_long(argc, argv, "", longs, nullptr)) != -1;) {
        switch (c) {
        case 's':
            if (bench_parse_size(optarg, o.size) != 0)
                usage_error("--size expects X,Y,Z positive integers", optarg);
            break;
        case 'r':
            if (bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &v) != 0)
                usage_error("--repeats expects an integer in 1..64", optarg);
            o.repeats = int(v);
            break;
        case 't':
            if (bench_parse_count(optarg, 1, 1024, &v) != 0)
                usage_error("--threads expects an integer in 1..1024", optarg);
            o.threads = size_t(v);
            break;
        default: usage_error(nullptr, nullptr);
        }
    }
    if (optind != argc)
        usage_error("expected no more arguments", argv[optind]);
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    const size_t *size = o.size;
    const int repeats = o.repeats;
    phantom_pair *pair = phantom_pair_new(size);
    if (!pair) {
        std::fprintf(stderr, "bench_wrapping: not enough memory\n");
        return 1;
    }
    ImageType::Pointer ref_image =
                           itk_wrap<uint8_t, 3>(pair->ref, size, pair->spacing, pair->origin),
                       pred_image =
                           itk_wrap<uint8_t, 3>(pair->pred, size, pair->spacing, pair->origin);
    const lobedice_volume ref = phantom_volume(pair, PHANTOM_REFERENCE);
    const lobedice_volume pred = phantom_volume(pair, PHANTOM_PREDICTION);

    // The filter runs the core on its work units, at most its threader's maximum (its header
    // says so): with `threads` work units and a maximum not below it (ITK's thread pool keeps
    // at least its default size), it uses `threads`, the count the direct calls get.
    const size_t threads = o.threads ? o.threads : bench_cpu_count();
    auto filter = FilterType::New();
    filter->SetReferenceImage(ref_image);
    filter->SetPredictedImage(pred_image);
    filter->SetNumberOfWorkUnits(static_cast<itk::ThreadIdType>(threads));
    filter->GetMultiThreader()->SetMaximumNumberOfThreads(static_cast<itk::ThreadIdType>(threads));
    if (filter->GetNumberOfWorkUnits() != threads ||
        filter->GetMultiThreader()->GetMaximumNumberOfThreads() < threads) {
        std::fprintf(stderr, "bench_wrapping: ITK does not allow %zu threads here\n", threads);
        return 1;
    }

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
        /* Timed by hand, not with bench_time_stats: the two sides alternate, so that neither
         * always finds the caches warm. */
        for (int r = 0; r < repeats; r++) {
            if (r % 2) {
                run_core();
                run_filter();
            } else {
                run_filter();
                run_core();
            }
        }
        double mf = 1e3 * bench_median(t_filter.data(), t_filter.size()); /* sorts */
        double mc = 1e3 * bench_median(t_core.data(), t_core.size());
        double min_f = 1e3 * t_filter[0], min_c = 1e3 * t_core[0];
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
    phantom_pair_free(pair);
    return 0;
}
