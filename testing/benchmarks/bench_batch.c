/* Benchmark of lobedice-batch against the single cases it is made of: N phantom patients
 * (lobedice-dataset, gzip NRRD), surface distances on. Each case is first run alone with
 * `LobeDice --threads 1` (the same read, align and compare, one JSON written): the sum of those
 * times divided by the cores is what a perfect batch would take. Then lobedice-batch runs the
 * whole set with its defaults (as many cases at once as cores, 1 thread each, a process per
 * case). Wall times; peak resident sizes from wait4 for the single cases and, for the batch,
 * the highest sum over its process and its case processes, sampled every 2 ms in a run of its
 * own.
 *
 *   bench_batch [--size X,Y,Z] [--cases N] [--repeats R] [--dir FOLDER]
 *
 * Goals (issue 14): batch wall time within 1.2x (sum of single-case times) / cores; batch peak
 * memory under 1.5x (largest single-case peak) x (cases in flight). The files go to a new
 * folder inside FOLDER (default $TMPDIR or /tmp), removed at the end. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Resident bytes of a process (/proc/PID/statm), 0 when it is gone. */
static size_t rss_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* The batch with its case processes: the highest sum of their resident sizes, sampled every
 * 2 ms (shared library pages count once per process: an upper bound). */
static int run_sampled(bench_child *out, size_t *peak_sum, char *const argv[])
{
    double start;
    const long pid = bench_start(argv, BENCH_QUIET_STDERR, &start);
    if (pid < 0)
        return -1;
    char children[128];
    snprintf(children, sizeof children, "/proc/%ld/task/%ld/children", pid, pid);
    const struct timespec tick = {0, 2000000};
    *peak_sum = 0;
    int rc;
    while ((rc = bench_finish(pid, start, 1, out)) == 1) {
        size_t sum = rss_of((pid_t)pid);
        FILE *f = fopen(children, "r");
        int child;
        while (f && fscanf(f, "%d", &child) == 1)
            sum += rss_of((pid_t)child);
        if (f)
            fclose(f);
        if (sum > *peak_sum)
            *peak_sum = sum;
        nanosleep(&tick, NULL);
    }
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    size_t size[3] = {256, 256, 160};
    long cases = 20, repeats = 3;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    static const struct option options[] = {{"size", required_argument, NULL, 's'},
                                            {"cases", required_argument, NULL, 'n'},
                                            {"repeats", required_argument, NULL, 'r'},
                                            {"dir", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        int bad = 0;
        switch (opt) {
        case 's': bad = bench_parse_size(optarg, size); break;
        case 'n': bad = bench_parse_count(optarg, 1, 99, &cases); break;
        case 'r': bad = bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &repeats); break;
        case 'd': base = optarg; break;
        default: bad = 1;
        }
        if (bad) {
            fprintf(stderr, "usage: bench_batch [--size X,Y,Z] [--cases N] [--repeats R] "
                            "[--dir FOLDER]\n");
            return 2;
        }
    }
    char dir[4096], sizes[96], ncases[16];
    snprintf(dir, sizeof dir, "%s/bench_batch.XXXXXX", base);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_batch: cannot create a folder in %s: %s\n", base, strerror(errno));
        return 1;
    }
    snprintf(sizes, sizeof sizes, "%zu,%zu,%zu", size[0], size[1], size[2]);
    snprintf(ncases, sizeof ncases, "%ld", cases);
    char data[4200], ref[4300], pred[4300], out[4300], json[4300];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(ref, sizeof ref, "%s/reference", data);
    snprintf(pred, sizeof pred, "%s/prediction", data);
    snprintf(out, sizeof out, "%s/results", dir);
    snprintf(json, sizeof json, "%s/case.json", dir);
    bench_child r;
    char *make[] = {LOBEDICE_DATASET_EXE, "--size", sizes, "--cases", ncases,
                    "--nrrd-only",        data,     NULL};
    int rc = bench_run(make, BENCH_QUIET_STDERR, &r) != 0 || r.status != 0;
    if (rc)
        fprintf(stderr, "bench_batch: lobedice-dataset failed\n");

    /* Rounds: every case alone, one after the other (LobeDice --threads 1), then the batch with
     * its defaults; round 0 warms the file cache and is not counted. The two take turns so that
     * a change in the load of this shared machine falls on both; each round gives a ratio. */
    const size_t cores = bench_cpu_count(), jobs = cores < (size_t)cases ? cores : (size_t)cases;
    double *sums = calloc((size_t)repeats, sizeof *sums),
           *walls = calloc((size_t)repeats, sizeof *walls),
           *ratios = calloc((size_t)repeats, sizeof *ratios);
    size_t single_peak = 0, batch_peak = 0;
    char *batch[] = {LOBEDICE_BATCH_EXE, "--surfaceDistances", ref, pred, "--out", out, NULL};
    for (long k = -1; rc == 0 && k < repeats; k++) {
        double sum = 0;
        for (long c = 1; rc == 0 && c <= cases; c++) {
            char rpath[4400], ppath[4400];
            snprintf(rpath, sizeof rpath, "%s/case%02ld.nrrd", ref, c);
            snprintf(ppath, sizeof ppath, "%s/case%02ld.nrrd", pred, c);
            char *one[] = {LOBEDICE_EXE,
                           "--surfaceDistances",
                           "--threads",
                           "1",
                           "--outputJson",
                           json,
                           rpath,
                           ppath,
                           NULL};
            rc = bench_run(one, BENCH_QUIET_STDERR, &r) != 0 || r.status != 0;
            sum += r.seconds;
            if (r.peak_rss > single_peak)
                single_peak = r.peak_rss;
        }
        if (rc) {
            fprintf(stderr, "bench_batch: LobeDice failed on a case\n");
            break;
        }
        rc = bench_run(batch, BENCH_QUIET_STDERR, &r) != 0 || r.status != 0;
        if (r.peak_rss > batch_peak)
            batch_peak = r.peak_rss;
        if (k >= 0) {
            sums[k] = sum;
            walls[k] = r.seconds;
            ratios[k] = r.seconds / (sum / (double)cores);
        }
    }
    size_t tree_peak = 0; /* one more run, sampled: the sampling does not touch the timings */
    if (rc == 0)
        rc = run_sampled(&r, &tree_peak, batch) != 0 || r.status != 0;
    if (rc) {
        fprintf(stderr, "bench_batch: lobedice-batch failed\n");
    } else {
        const double sum = bench_median(sums, (size_t)repeats),
                     ratio = bench_median(ratios, (size_t)repeats); /* sorts ratios */
        printf("lobedice-batch, %ld cases of %s with surface distances, %zu cores, %zu jobs x 1 "
               "thread; medians of %ld rounds\n",
               cases, sizes, cores, jobs, repeats);
        printf("  single cases (LobeDice --threads 1): sum %.2f s, sum / cores %.2f s\n", sum,
               sum / (double)cores);
        printf("  batch wall time %.2f s; per round, batch / (sum / cores) = %.3f (median; from "
               "%.3f to %.3f)   goal <= 1.2\n",
               bench_median(walls, (size_t)repeats), ratio, ratios[0], ratios[repeats - 1]);
        printf("  peak RSS: largest single case %.1f MiB; batch, its processes together %.1f MiB "
               "= %.3f x (largest x %zu jobs)   goal < 1.5\n",
               (double)single_peak / 1048576.0, (double)tree_peak / 1048576.0,
               (double)tree_peak / ((double)single_peak * (double)jobs), jobs);
        printf("  (the batch's own process alone peaked at %.1f MiB, at the end: records and "
               "plots)\n",
               (double)batch_peak / 1048576.0);
    }
    free(sums);
    free(walls);
    free(ratios);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
