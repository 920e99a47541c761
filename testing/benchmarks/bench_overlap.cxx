// bench_overlap [--threads N | N] [--repeats N] [--size X,Y,Z]: per-label overlap of the lung
// phantom (default 512x512x320, uint8, in memory). A bare number is the thread count, as
// `bench_overlap [threads]` always took it. Times, as medians of several runs (default 7, after
// a warm-up) with the same thread count:
//   core   lobedice_overlap for the lobes 1..5 (lobedice_overlap_sets when threads are given)
//   itk    itk::LabelOverlapMeasuresImageFilter on the same buffers, imported without a copy
//   plain  one pass that reads both volumes and sums their bytes
// and prints the ratios itk/core and core/plain, plus the peak bytes the core call allocated,
// also for a smaller phantom (extra memory must not grow with the volume).
#include "bench.h"
#include "itk_image_util.h"
#include "lobedice/lobedice.h"
#include "phantom_volume.h"

#include <itkLabelOverlapMeasuresImageFilter.h>
#include <itkMultiThreaderBase.h>

#include <getopt.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace
{

constexpr size_t kChunk = size_t(1) << 18; // voxels per task, as the core

using LabelImage = itk::Image<unsigned char, 3>;
using Overlap = itk::LabelOverlapMeasuresImageFilter<LabelImage>;

struct Phantom {
    phantom_pair *pair;
    lobedice_volume ref_volume, pred_volume;
};

Phantom make_phantom(const size_t size[3])
{
    phantom_pair *pair = phantom_pair_new(size);
    if (!pair) {
        std::fprintf(stderr, "bench_overlap: cannot allocate the %zux%zux%zu phantom\n", size[0],
                     size[1], size[2]);
        std::exit(1);
    }
    return {pair, phantom_volume(pair, PHANTOM_REFERENCE),
            phantom_volume(pair, PHANTOM_PREDICTION)};
}

const int64_t kLobes[5] = {1, 2, 3, 4, 5};

struct CoreRun {
    const Phantom *phantom;
    size_t threads; // 0: lobedice_overlap itself (all cores)
    lobedice_label_overlap out[5];
    lobedice_status status;
};

void run_core(void *arg)
{
    auto *run = static_cast<CoreRun *>(arg);
    if (run->threads == 0) {
        run->status = lobedice_overlap(run->out, &run->phantom->ref_volume,
                                       &run->phantom->pred_volume, kLobes, 5, 0);
        return;
    }
    lobedice_label_set sets[5];
    for (size_t i = 0; i < 5; i++)
        sets[i] = {kLobes[i], &kLobes[i], 1};
    run->status = lobedice_overlap_sets(run->out, &run->phantom->ref_volume,
                                        &run->phantom->pred_volume, sets, 5, run->threads);
}

struct ItkRun {
    LabelImage::Pointer ref, pred;
    unsigned threads;
    double dice[5];
};

void run_itk(void *arg)
{
    auto *run = static_cast<ItkRun *>(arg);
    auto filter = Overlap::New();
    filter->SetSourceImage(run->pred); // source = segmentation, target = ground truth
    filter->SetTargetImage(run->ref);
    filter->SetNumberOfWorkUnits(run->threads);
    filter->Update();
    for (unsigned i = 0; i < 5; i++)
        run->dice[i] = filter->GetDiceCoefficient(static_cast<unsigned char>(i + 1));
}

// The plain pass: every byte of both volumes summed, chunks handed out to `threads` threads
// like the core's tasks, per-chunk sums added in chunk order.
struct PlainRun {
    const Phantom *phantom;
    size_t threads;
    uint64_t sum;
};

void run_plain(void *arg)
{
    auto *run = static_cast<PlainRun *>(arg);
    const size_t n = run->phantom->pair->voxels, nchunks = (n + kChunk - 1) / kChunk;
    std::vector<uint64_t> sums(nchunks, 0);
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t c; (c = next.fetch_add(1)) < nchunks;) {
            const uint8_t *a = run->phantom->pair->ref, *b = run->phantom->pair->pred;
            size_t end = std::min(n, (c + 1) * kChunk);
            uint64_t s = 0;
            for (size_t i = c * kChunk; i < end; i++)
                s += a[i] + b[i];
            sums[c] = s;
        }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < run->threads; t++)
        pool.emplace_back(worker);
    worker();
    for (auto &t : pool)
        t.join();
    run->sum = 0;
    for (uint64_t s : sums)
        run->sum += s;
}

size_t core_peak_bytes(const Phantom &p, size_t threads)
{
    CoreRun run{&p, threads, {}, LOBEDICE_OK};
    bench_alloc_mark();
    run_core(&run);
    return bench_alloc_peak();
}

struct Options {
    size_t threads = 0; // 0: not given, all online cores
    int repeats = 7;
    size_t size[3] = {512, 512, 320};
};

[[noreturn]] void usage_error(const char *what, const char *value)
{
    if (what)
        std::fprintf(stderr, "bench_overlap: %s, not '%s'\n", what, value);
    std::fprintf(stderr, "usage: bench_overlap [--threads N | N] [--repeats N] [--size X,Y,Z]\n");
    std::exit(2);
}

Options parse(int argc, char **argv)
{
    static const option longs[] = {{"threads", required_argument, nullptr, 't'},
                                   {"repeats", required_argument, nullptr, 'r'},
                                   {"size", required_argument, nullptr, 's'},
                                   {"help", no_argument, nullptr, 'h'},
                                   {nullptr, 0, nullptr, 0}};
    Options o;
    const char *threads = nullptr;
    long v;
    for (int c; (c = getopt_long(argc, argv, "", longs, nullptr)) != -1;) {
        switch (c) {
        case 't': threads = optarg; break;
        case 'r':
            if (bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &v) != 0)
                usage_error("--repeats expects an integer in 1..64", optarg);
            o.repeats = int(v);
            break;
        case 's':
            if (bench_parse_size(optarg, o.size) != 0)
                usage_error("--size expects X,Y,Z positive integers", optarg);
            break;
        case 'h':
            std::printf("usage: bench_overlap [--threads N | N] [--repeats N] [--size X,Y,Z]\n");
            std::exit(0);
        default: usage_error(nullptr, nullptr);
        }
    }
    if (optind < argc && !threads)
        threads = argv[optind++]; // the positional form of --threads
    if (optind != argc)
        usage_error("expected no more arguments", argv[optind]);
    if (threads) {
        if (bench_parse_count(threads, 1, 1024, &v) != 0)
            usage_error("the thread count must be an integer in 1..1024", threads);
        o.threads = size_t(v);
    }
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    const bool threads_given = o.threads != 0;
    const size_t threads = threads_given ? o.threads : bench_cpu_count();

    Phantom big = make_phantom(o.size);
    std::printf("phantom %zux%zux%zu uint8 (%zu voxels, %.1f MB per volume), lobes 1..5\n",
                o.size[0], o.size[1], o.size[2], big.pair->voxels, big.pair->voxels / 1e6);
    std::printf("threads: %zu (%s), median of %d runs\n", threads,
                threads_given ? "from the command line" : "all online cores", o.repeats);

    CoreRun core{&big, threads_given ? threads : 0, {}, LOBEDICE_OK};
    double t_core;
    bench_time_stats(run_core, &core, o.repeats, &t_core, nullptr);
    if (core.status != LOBEDICE_OK) {
        std::fprintf(stderr, "bench_overlap: %s\n", lobedice_strerror(core.status));
        return 1;
    }

    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(static_cast<unsigned>(threads));
    const phantom_pair *p = big.pair;
    ItkRun itk_run{itk_wrap<uint8_t, 3>(p->ref, p->size, p->spacing, p->origin),
                   itk_wrap<uint8_t, 3>(p->pred, p->size, p->spacing, p->origin),
                   static_cast<unsigned>(threads),
                   {}};
    double t_itk;
    bench_time_stats(run_itk, &itk_run, o.repeats, &t_itk, nullptr);

    PlainRun plain{&big, threads, 0};
    double t_plain;
    bench_time_stats(run_plain, &plain, o.repeats, &t_plain, nullptr);

    double max_diff = 0;
    for (int i = 0; i < 5; i++)
        max_diff = std::max(max_diff, std::fabs(core.out[i].dice - itk_run.dice[i]));

    std::printf("core  %s: %8.2f ms\n",
                threads_given ? "lobedice_overlap_sets (5 single-label sets)" : "lobedice_overlap",
                1e3 * t_core);
    std::printf("itk   LabelOverlapMeasuresImageFilter:   %8.2f ms (work units %zu)\n", 1e3 * t_itk,
                threads);
    std::printf("plain read of both volumes:              %8.2f ms (byte sum %llu)\n",
                1e3 * t_plain, static_cast<unsigned long long>(plain.sum));
    std::printf("itk / core   = %6.1f   (goal >= 10)\n", t_itk / t_core);
    std::printf("core / plain = %6.2f   (goal <= 2)\n", t_core / t_plain);
    std::printf("max |Dice core - Dice itk| over the lobes = %.3g\n", max_diff);
    std::printf("Dice per lobe:");
    for (int i = 0; i < 5; i++)
        std::printf(" %.6f", core.out[i].dice);
    std::printf("\n");

    size_t peak_big = core_peak_bytes(big, core.threads);
    const size_t small_size[3] = {128, 128, 80};
    Phantom small = make_phantom(small_size);
    size_t peak_small = core_peak_bytes(small, core.threads);
    std::printf("core peak extra heap bytes: %zu at %zux%zux%zu, %zu at 128x128x80\n", peak_big,
                o.size[0], o.size[1], o.size[2], peak_small);
    itk_run = {};
    phantom_pair_free(big.pair);
    phantom_pair_free(small.pair);
    return 0;
}
