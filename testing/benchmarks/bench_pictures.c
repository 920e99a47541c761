/* What the pictures add to a LobeDice run (issue 12's goals): the same run with surface
 * distances, then with --distanceModel (5 lobes), then with --snapshot (no display, so no 3-D
 * panel), on the phantom pair written as raw NRRD. Each configuration runs once to warm the
 * file cache, then the three take turns `repeats` times; printed: the median wall time, what
 * the pictures add and the ratio to the run without them (medians over rounds), and the peak
 * resident set size of the LobeDice process (wait4's ru_maxrss) against the same run's. The median
 * CPU seconds (user + system) of the process are printed too: on a shared machine they move less
 * than wall time.
 *
 *   bench_pictures [--size X,Y,Z] [--repeats N] [--type uchar|short] [--dir FOLDER]
 *
 * Goals: the model adds under 1.5 s, the snapshot under 0.5 s; peak RSS under 2x. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct timed_runs {
    char *const *argv;
    size_t peak_rss;
    int failed, status;
    double cpu[BENCH_MAX_REPEATS + 1]; /* user + system seconds of each run */
    int runs;
} timed_runs;

/* One run without a display (the snapshot's 3-D panel is left out), output discarded. */
static void run_timed(void *ctx)
{
    timed_runs *t = ctx;
    if (t->failed)
        return;
    bench_child r;
    if (bench_run(t->argv, BENCH_QUIET_STDERR | BENCH_NO_DISPLAY, &r) != 0 || r.status != 0) {
        t->failed = 1;
        t->status = r.status;
        return;
    }
    if (r.peak_rss > t->peak_rss)
        t->peak_rss = r.peak_rss;
    if (t->runs <= BENCH_MAX_REPEATS)
        t->cpu[t->runs++] = r.cpu_seconds;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"size", required_argument, NULL, 's'},
                                          {"repeats", required_argument, NULL, 'r'},
                                          {"type", required_argument, NULL, 't'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {NULL, 0, NULL, 0}};
    size_t dims[3] = {512, 512, 320};
    int repeats = 5;
    const char *type = "uchar";
    const char *base = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    long v;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        if (c == 's' && bench_parse_size(optarg, dims) == 0)
            continue;
        if (c == 'r' && bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &v) == 0) {
            repeats = (int)v;
            continue;
        }
        if (c == 't' && (strcmp(optarg, "uchar") == 0 || strcmp(optarg, "short") == 0)) {
            type = optarg;
            continue;
        }
        if (c == 'd') {
            base = optarg;
            continue;
        }
        fprintf(stderr,
                "usage: bench_pictures [--size X,Y,Z] [--repeats N (1..%d)] "
                "[--type uchar|short] [--dir FOLDER]\n",
                BENCH_MAX_REPEATS);
        return 2;
    }
    char size[96], dir[512], ref[600], pred[600], model[600], png[600], json[600];
    snprintf(size, sizeof size, "%zu,%zu,%zu", dims[0], dims[1], dims[2]);
    if ((size_t)snprintf(dir, sizeof dir, "%s/lobedice-bench-pictures-XXXXXX", base) >=
            sizeof dir ||
        !mkdtemp(dir)) {
        fprintf(stderr, "bench_pictures: cannot create a folder in %s\n", base);
        return 1;
    }
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    snprintf(model, sizeof model, "%s/distance-model.vtk", dir);
    snprintf(png, sizeof png, "%s/snapshot.png", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    char *make[] = {LOBEDICE_PHANTOM_EXE, "--size", size, "--type", (char *)type,
                    "--encoding",         "raw",    ref,  pred,     NULL};
    timed_runs phantom = {.argv = make};
    run_timed(&phantom);
    if (phantom.failed) {
        fprintf(stderr, "bench_pictures: lobedice-phantom failed\n");
        return 1;
    }
    char *base_run[] = {LOBEDICE_EXE, "--surfaceDistances", "--outputJson", json, ref, pred, NULL};
    char *model_run[] = {LOBEDICE_EXE,
                         "--surfaceDistances",
                         "--outputJson",
                         json,
                         "--distanceModel",
                         model,
                         ref,
                         pred,
                         NULL};
    char *snap_run[] = {
        LOBEDICE_EXE, "--surfaceDistances", "--outputJson", json, "--snapshot", png, ref, pred,
        NULL};
    static const char *const names[3] = {"--surfaceDistances", "+ --distanceModel", "+ --snapshot"};
    /* The three runs take turns, so that each round's differences share the machine's load of
     * the moment (this machine is shared): the figures are medians over rounds. */
    timed_runs t[3] = {{.argv = base_run}, {.argv = model_run}, {.argv = snap_run}};
    double wall[3][BENCH_MAX_REPEATS], adds[3][BENCH_MAX_REPEATS], ratio[3][BENCH_MAX_REPEATS];
    for (int c = 0; c < 3; c++)
        run_timed(&t[c]); /* warm-up */
    for (int r = 0; r < repeats; r++)
        for (int c = 0; c < 3; c++) {
            const double start = bench_now();
            run_timed(&t[c]);
            wall[c][r] = bench_now() - start;
        }
    for (int c = 0; c < 3; c++)
        if (t[c].failed) {
            fprintf(stderr, "bench_pictures: LobeDice failed (exit %d) for %s\n", t[c].status,
                    names[c]);
            return 1;
        }
    printf("LobeDice on the %s %s phantom (raw NRRD), surface distances, JSON written; %d rounds "
           "of the three runs after a warm-up, %zu online cores, no display\n\n",
           size, type, repeats, bench_cpu_count());
    printf("%-20s %9s %10s %10s %8s %8s %12s %9s\n", "run", "median s", "adds s", "time ratio",
           "CPU s", "adds", "peak RSS MiB", "RSS ratio");
    double cpu[3], med_adds[3];
    for (int c = 0; c < 3; c++) {
        for (int r = 0; r < repeats; r++) {
            adds[c][r] = wall[c][r] - wall[0][r];
            ratio[c][r] = wall[c][r] / wall[0][r];
        }
        cpu[c] = bench_median(t[c].cpu + 1, (size_t)(t[c].runs - 1)); /* without the warm-up */
        med_adds[c] = bench_median(adds[c], (size_t)repeats);
        const double med_ratio = bench_median(ratio[c], (size_t)repeats);
        printf("%-20s %9.3f %10.3f %9.2fx %8.3f %8.3f %12.1f %8.2fx\n", names[c],
               bench_median(wall[c], (size_t)repeats), med_adds[c], med_ratio, cpu[c],
               cpu[c] - cpu[0], t[c].peak_rss / 1048576.0,
               (double)t[c].peak_rss / (double)t[0].peak_rss);
    }
    printf("\n(adds, time ratio: medians over rounds of each run against the same round's first "
           "run)\ngoals: the model adds < 1.5 s (%s), the snapshot < 0.5 s (%s), peak RSS < 2x "
           "(%s, %s)\n",
           med_adds[1] < 1.5 ? "met" : "missed", med_adds[2] < 0.5 ? "met" : "missed",
           t[1].peak_rss < 2 * t[0].peak_rss ? "met" : "missed",
           t[2].peak_rss < 2 * t[0].peak_rss ? "met" : "missed");
    remove(ref);
    remove(pred);
    remove(model);
    remove(png);
    remove(json);
    rmdir(dir);
    return 0;
}
