// bench_surface [--threads N] [--runs N | --repeats N] [--itk-runs N] [--no-itk] [--size X,Y,Z]
//
// Surface distances of the 5 lobes of the lung phantom (default 512x512x320, uint8, in memory,
// spacing from phantom_geometry), all four measures (hd, hd95, assd, nsd at 1 mm) in one call
// of lobedice_surface_distances_sets, against itk::HausdorffDistanceImageFilter run once per
// lobe on binary images thresholded from the same buffers (imported without a copy), with the
// same thread count. Prints the median times (after a warm-up), the ratio, the peak bytes the core
// call allocated next to one float copy of the volume, and the per-lobe values of both. Also times
// the call the LobeDice executable makes: the 5 lobes and the 3 default regions on short (int16)
// maps.
#include "bench.h"
#include "itk_image_util.h"
#include "lobedice/lobedice.h"
#include "phantom_volume.h"

#include <itkBinaryThresholdImageFilter.h>
#include <itkHausdorffDistanceImageFilter.h>
#include <itkMultiThreaderBase.h>

#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace
{

using LabelImage = itk::Image<unsigned char, 3>;
using Threshold = itk::BinaryThresholdImageFilter<LabelImage, LabelImage>;
using Hausdorff = itk::HausdorffDistanceImageFilter<LabelImage, LabelImage>;

const int64_t kLobes[5] = {1, 2, 3, 4, 5};
const char *const kNames[5] = {"RUL", "RML", "RLL", "LUL", "LLL"};

struct Options {
    size_t threads = 2;
    int runs = 5;
    int itk_runs = 3;
    bool itk = true;
    size_t size[3] = {512, 512, 320};
};

void usage(FILE *to)
{
    std::fprintf(to, "usage: bench_surface [--threads N] [--runs N] [--itk-runs N] [--no-itk] "
                     "[--size X,Y,Z]\n"
                     "  --threads N   threads for LobeDice and ITK (default 2)\n"
                     "  --runs N      LobeDice runs after a warm-up, the median is reported "
                     "(default 5;\n"
                     "                --repeats N is the same)\n"
                     "  --itk-runs N  ITK runs (default 3: one run takes tens of seconds)\n"
                     "  --no-itk      skip ITK\n"
                     "  --size X,Y,Z  phantom size (default 512,512,320)\n");
}

Options parse(int argc, char **argv)
{
    Options o;
    static const option longs[] = {
        {"threads", required_argument, nullptr, 't'}, {"runs", required_argument, nullptr, 'r'},
        {"repeats", required_argument, nullptr, 'r'}, {"itk-runs", required_argument, nullptr, 'i'},
        {"no-itk", no_argument, nullptr, 'n'},        {"size", required_argument, nullptr, 's'},
        {"help", no_argument, nullptr, 'h'},          {nullptr, 0, nullptr, 0}};
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "", longs, nullptr)) != -1) {
        switch (c) {
        case 't':
            if (bench_parse_count(optarg, 1, 1024, &v) != 0) {
                std::fprintf(stderr, "bench_surface: --threads expects 1..1024, got '%s'\n",
                             optarg);
                std::exit(2);
            }
            o.threads = size_t(v);
            break;
        case 'r':
        case 'i':
            if (bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &v) != 0) {
                std::fprintf(stderr, "bench_surface: --%s expects 1..64, got '%s'\n",
                             c == 'r' ? "runs" : "itk-runs", optarg);
                std::exit(2);
            }
            (c == 'r' ? o.runs : o.itk_runs) = int(v);
            break;
        case 'n': o.itk = false; break;
        case 's':
            if (bench_parse_size(optarg, o.size) != 0) {
                std::fprintf(stderr, "bench_surface: --size expects X,Y,Z, got '%s'\n", optarg);
                std::exit(2);
            }
            break;
        case 'h': usage(stdout); std::exit(0);
        default: usage(stderr); std::exit(2);
        }
    }
    if (optind != argc) {
        usage(stderr);
        std::exit(2);
    }
    return o;
}

struct CoreRun {
    lobedice_volume ref, pred;
    lobedice_label_set sets[5];
    lobedice_surface_options opts;
    lobedice_label_surface out[5];
    lobedice_status status;
};

void run_core(void *arg)
{
    auto *run = static_cast<CoreRun *>(arg);
    run->status =
        lobedice_surface_distances_sets(run->out, &run->ref, &run->pred, run->sets, 5, &run->opts);
}

struct CliRun {
    lobedice_volume ref, pred;
    lobedice_label_set sets[8];
    lobedice_surface_options opts;
    lobedice_label_surface out[8];
    lobedice_status status;
};

void run_cli_sets(void *arg)
{
    auto *run = static_cast<CliRun *>(arg);
    run->status =
        lobedice_surface_distances_sets(run->out, &run->ref, &run->pred, run->sets, 8, &run->opts);
}

LabelImage::Pointer binary(LabelImage *labels, unsigned char label)
{
    auto t = Threshold::New();
    t->SetInput(labels);
    t->SetLowerThreshold(label);
    t->SetUpperThreshold(label);
    t->SetInsideValue(1);
    t->SetOutsideValue(0);
    t->Update();
    return t->GetOutput();
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    double t0 = bench_now();
    phantom_pair *p = phantom_pair_new(o.size);
    if (!p) {
        std::fprintf(stderr, "bench_surface: cannot allocate the %zux%zux%zu phantom\n", o.size[0],
                     o.size[1], o.size[2]);
        return 1;
    }
    const size_t *n = p->size;
    const size_t voxels = p->voxels;
    const double *spacing = p->spacing;
    std::printf("bench_surface: phantom %zux%zux%zu uint8, spacing %.4f x %.4f x %.4f mm "
                "(made in %.1f s), %zu threads, %zu cores online\n",
                n[0], n[1], n[2], spacing[0], spacing[1], spacing[2], bench_now() - t0, o.threads,
                bench_cpu_count());

    CoreRun run;
    run.ref = phantom_volume(p, PHANTOM_REFERENCE);
    run.pred = phantom_volume(p, PHANTOM_PREDICTION);
    for (int i = 0; i < 5; i++)
        run.sets[i] = {kLobes[i], &kLobes[i], 1};
    lobedice_surface_options_init(&run.opts, LOBEDICE_SURFACE_OPTIONS_VERSION);
    run.opts.threads = o.threads;
    run.opts.tolerance_mm = 1.0;

    // Memory: one call inside an allocation window.
    bench_alloc_mark();
    run_core(&run);
    const size_t peak = bench_alloc_peak();
    if (run.status != LOBEDICE_OK) {
        std::fprintf(stderr, "bench_surface: lobedice_surface_distances_sets: %s\n",
                     lobedice_strerror(run.status));
        return 1;
    }
    double core_s;
    bench_time_stats(run_core, &run, o.runs, &core_s, nullptr);
    const double float_copy = 4.0 * double(voxels);
    std::printf("\nLobeDice  lobedice_surface_distances_sets, 5 lobes, hd+hd95+assd+nsd(1 mm): "
                "median of %d runs %.3f s\n",
                o.runs, core_s);
    std::printf("          peak extra memory %.1f MB = %.3f x one float copy of the volume "
                "(%.1f MB)\n",
                double(peak) / 1e6, double(peak) / float_copy, float_copy / 1e6);

    // The executable's call: short maps (as Slicer hands them over), lobes and default regions.
    {
        int16_t *ref16 = static_cast<int16_t *>(std::malloc(voxels * sizeof(int16_t)));
        int16_t *pred16 = static_cast<int16_t *>(std::malloc(voxels * sizeof(int16_t)));
        if (!ref16 || !pred16) {
            std::fprintf(stderr, "bench_surface: cannot allocate the short maps\n");
            return 1;
        }
        for (size_t i = 0; i < voxels; i++) {
            ref16[i] = p->ref[i];
            pred16[i] = p->pred[i];
        }
        // The LobeDice executable's default regions for labels 1..5 (cli_default_regions in
        // plugin/cli_options.c): RightLung = 1+2+3, LeftLung = 4+5, Lungs = 1..5. Copied, not
        // linked, so that the benchmark does not need the plugin (and jansson) to build.
        static const int64_t right[3] = {1, 2, 3}, left[2] = {4, 5};
        CliRun cli;
        cli.ref = run.ref;
        cli.ref.data = ref16;
        cli.ref.dtype = LOBEDICE_INT16;
        cli.pred = cli.ref;
        cli.pred.data = pred16;
        for (int i = 0; i < 5; i++)
            cli.sets[i] = run.sets[i];
        cli.sets[5] = {6, right, 3};
        cli.sets[6] = {7, left, 2};
        cli.sets[7] = {8, kLobes, 5};
        cli.opts = run.opts;
        double cli_s;
        bench_time_stats(run_cli_sets, &cli, o.runs, &cli_s, nullptr);
        if (cli.status != LOBEDICE_OK) {
            std::fprintf(stderr, "bench_surface: lobedice_surface_distances_sets (short): %s\n",
                         lobedice_strerror(cli.status));
            return 1;
        }
        std::printf("          as the LobeDice executable calls it (short maps, 5 lobes + "
                    "RightLung, LeftLung, Lungs): median of %d runs %.3f s\n",
                    o.runs, cli_s);
        std::free(ref16);
        std::free(pred16);
    }

    std::vector<double> itk_hd(5, 0.0), itk_avg(5, 0.0);
    double itk_s = 0, threshold_s = 0;
    if (o.itk) {
        itk::MultiThreaderBase::SetGlobalMaximumNumberOfThreads(itk::ThreadIdType(o.threads));
        itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(itk::ThreadIdType(o.threads));
        // Origin 0, as the core sees the volumes (the distances do not depend on it).
        LabelImage::Pointer ref_image = itk_wrap<uint8_t, 3>(p->ref, n, spacing),
                            pred_image = itk_wrap<uint8_t, 3>(p->pred, n, spacing);
        // Timed by hand, not with bench_time_stats: one run takes tens of seconds (no warm-up
        // run) and splits into thresholding and the Hausdorff filter, each run printed.
        std::vector<double> hd_times, threshold_times;
        for (int r = 0; r < o.itk_runs; r++) {
            double hd_total = 0, threshold_total = 0;
            for (int i = 0; i < 5; i++) {
                double t = bench_now();
                LabelImage::Pointer a = binary(ref_image, (unsigned char)kLobes[i]),
                                    b = binary(pred_image, (unsigned char)kLobes[i]);
                threshold_total += bench_now() - t;
                t = bench_now();
                auto filter = Hausdorff::New();
                filter->SetInput1(a);
                filter->SetInput2(b);
                filter->SetUseImageSpacing(true);
                filter->Update();
                hd_total += bench_now() - t;
                itk_hd[i] = filter->GetHausdorffDistance();
                itk_avg[i] = filter->GetAverageHausdorffDistance();
            }
            hd_times.push_back(hd_total);
            threshold_times.push_back(threshold_total);
            std::printf("ITK run %d: HausdorffDistanceImageFilter %.2f s, thresholding %.2f s\n",
                        r + 1, hd_total, threshold_total);
        }
        itk_s = bench_median(hd_times.data(), hd_times.size());
        threshold_s = bench_median(threshold_times.data(), threshold_times.size());
        std::printf("ITK       HausdorffDistanceImageFilter, once per lobe (hd and its average "
                    "only): median of %d runs %.3f s (+ %.3f s thresholding the label maps "
                    "into 10 binary images, not included)\n",
                    o.itk_runs, itk_s, threshold_s);
        std::printf("ratio     ITK / LobeDice = %.1f x (%.1f x with ITK's thresholding)\n",
                    itk_s / core_s, (itk_s + threshold_s) / core_s);
    }

    std::printf("\nlobe  surf.ref surf.pred   hd      hd95    assd    nsd@1mm  hd.r->p hd.p->r"
                "  | ITK hd   ITK avg.hd  hd - ITK hd\n");
    for (int i = 0; i < 5; i++) {
        const lobedice_label_surface &s = run.out[i];
        std::printf("%d %s %8llu %8llu %7.3f %7.3f %7.3f %7.4f  %7.3f %7.3f", int(s.label),
                    kNames[i], (unsigned long long)s.ref_surface_voxels,
                    (unsigned long long)s.pred_surface_voxels, s.hd, s.hd95, s.assd, s.nsd,
                    s.hd_ref_to_pred, s.hd_pred_to_ref);
        if (o.itk)
            std::printf("  | %7.3f  %7.3f     %+.1e", itk_hd[i], itk_avg[i], s.hd - itk_hd[i]);
        std::printf("\n");
    }
    std::printf("(mm. ITK's hd is the voxel-set Hausdorff distance and its average is over "
                "voxels, not surfaces.\n The prediction has a hole inside the RUL: its surface "
                "raises the surface hd, not the voxel-set one, by design;\n an island of RLL in "
                "the mediastinum raises both.)\n");
    phantom_pair_free(p);
    return 0;
}
