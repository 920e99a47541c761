// bench_overlap [threads]: per-label overlap of the 512x512x320 lung phantom (uint8, in memory).
// Times, as medians of several runs with the same thread count:
//   core   lobedice_overlap for the lobes 1..5 (lobedice_overlap_sets when threads are given)
//   itk    itk::LabelOverlapMeasuresImageFilter on the same buffers, imported without a copy
//   plain  one pass that reads both volumes and sums their bytes
// and prints the ratios itk/core and core/plain, plus the peak bytes the core call allocated,
// also for a smaller phantom (extra memory must not grow with the volume).
#include "bench.h"
#include "lobedice/lobedice.h"
#include "phantom.h"

#include <itkImportImageFilter.h>
#include <itkLabelOverlapMeasuresImageFilter.h>
#include <itkMultiThreaderBase.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace
{

constexpr int kRepeats = 7;
constexpr size_t kChunk = size_t(1) << 18; // voxels per task, as the core

using LabelImage = itk::Image<unsigned char, 3>;
using Import = itk::ImportImageFilter<unsigned char, 3>;
using Overlap = itk::LabelOverlapMeasuresImageFilter<LabelImage>;

struct Phantom {
    size_t size[3];
    size_t voxels;
    uint8_t *ref, *pred;
    lobedice_volume ref_volume, pred_volume;
};

Phantom make_phantom(size_t nx, size_t ny, size_t nz)
{
    Phantom p{{nx, ny, nz}, nx * ny * nz, nullptr, nullptr, {}, {}};
    p.ref = phantom_new(p.size, PHANTOM_REFERENCE);
    p.pred = phantom_new(p.size, PHANTOM_PREDICTION);
    if (!p.ref || !p.pred) {
        std::fprintf(stderr, "bench_overlap: cannot allocate the %zux%zux%zu phantom\n", nx, ny,
                     nz);
        std::exit(1);
    }
    double spacing[3], origin[3];
    phantom_geometry(p.size, spacing, origin);
    p.ref_volume = {p.ref, LOBEDICE_UINT8, {nx, ny, nz}, {spacing[0], spacing[1], spacing[2]}};
    p.pred_volume = p.ref_volume;
    p.pred_volume.data = p.pred;
    return p;
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
                                       &run->phantom->pred_volume, kLobes, 5);
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

// Wraps a buffer as an ITK image without copying it (the image does not own the buffer).
LabelImage::Pointer wrap(uint8_t *data, const Phantom &p)
{
    double spacing[3], origin[3];
    phantom_geometry(p.size, spacing, origin);
    Import::RegionType region;
    for (unsigned a = 0; a < 3; a++)
        region.SetSize(a, p.size[a]);
    auto import = Import::New();
    import->SetRegion(region);
    import->SetSpacing(spacing);
    import->SetOrigin(origin);
    import->SetImportPointer(data, p.voxels, false);
    import->Update();
    LabelImage::Pointer image = import->GetOutput();
    image->DisconnectPipeline();
    return image;
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
    const size_t n = run->phantom->voxels, nchunks = (n + kChunk - 1) / kChunk;
    std::vector<uint64_t> sums(nchunks, 0);
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t c; (c = next.fetch_add(1)) < nchunks;) {
            const uint8_t *a = run->phantom->ref, *b = run->phantom->pred;
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

} // namespace

int main(int argc, char **argv)
{
    size_t threads = std::thread::hardware_concurrency();
    bool threads_given = argc > 1;
    if (threads_given) {
        char *end = nullptr;
        long t = std::strtol(argv[1], &end, 10);
        if (*end != '\0' || t < 1 || t > 1024) {
            std::fprintf(stderr,
                         "bench_overlap: the thread count must be an integer in 1..1024, "
                         "not '%s'\n",
                         argv[1]);
            return 1;
        }
        threads = static_cast<size_t>(t);
    }
    if (threads == 0)
        threads = 1;

    Phantom big = make_phantom(512, 512, 320);
    std::printf("phantom 512x512x320 uint8 (%zu voxels, %.1f MB per volume), lobes 1..5\n",
                big.voxels, big.voxels / 1e6);
    std::printf("threads: %zu (%s), median of %d runs\n", threads,
                threads_given ? "from the command line" : "all online cores", kRepeats);

    CoreRun core{&big, threads_given ? threads : 0, {}, LOBEDICE_OK};
    run_core(&core); // warm-up
    double t_core = bench_time_median(run_core, &core, kRepeats);
    if (core.status != LOBEDICE_OK) {
        std::fprintf(stderr, "bench_overlap: %s\n", lobedice_strerror(core.status));
        return 1;
    }

    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(static_cast<unsigned>(threads));
    ItkRun itk_run{wrap(big.ref, big), wrap(big.pred, big), static_cast<unsigned>(threads), {}};
    run_itk(&itk_run);
    double t_itk = bench_time_median(run_itk, &itk_run, kRepeats);

    PlainRun plain{&big, threads, 0};
    run_plain(&plain);
    double t_plain = bench_time_median(run_plain, &plain, kRepeats);

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
    Phantom small = make_phantom(128, 128, 80);
    size_t peak_small = core_peak_bytes(small, core.threads);
    std::printf("core peak extra heap bytes: %zu at 512x512x320, %zu at 128x128x80\n", peak_big,
                peak_small);
    std::free(big.ref);
    std::free(big.pred);
    std::free(small.ref);
    std::free(small.pred);
    return 0;
}
