/* End-to-end benchmark of the LobeDice executable, the way Slicer runs it: the phantom pair
 * written as raw NRRD (short, unsigned char, and a short segmentation cropped to its extent),
 * every measure (overlap, surface distances, default regions), the JSON, the table with its
 * schema and the error map written. Each configuration runs once to warm the file cache, then
 * `repeats` times; the figures are the median wall time and the peak resident set size of the
 * LobeDice process (wait4's ru_maxrss), against the bytes of the two input volumes in memory.
 *
 *   bench_cli [--size X,Y,Z] [--repeats N] [--dir FOLDER]
 *
 * The files go to a new folder made inside FOLDER (default $TMPDIR or /tmp), removed with all
 * it holds at the end. Goals (issue 6): under 2 s, and a peak under 3x the two input volumes. */
#define _GNU_SOURCE
#include "bench.h"
#include "phantom.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* LobeDice runs timed by bench_time_stats: the highest peak RSS over them (the warm-up run
 * included), and whether every one succeeded (after a failure the other calls do nothing). */
typedef struct timed_runs {
    char *const *argv;
    size_t peak_rss;
    int failed, status;
} timed_runs;

static void run_timed(void *ctx)
{
    timed_runs *t = ctx;
    bench_child r;
    if (t->failed)
        return;
    if (bench_run(t->argv, 0, &r) != 0 || r.status != 0) {
        t->failed = 1;
        t->status = r.status;
        return;
    }
    if (r.peak_rss > t->peak_rss)
        t->peak_rss = r.peak_rss;
}

/* One more run as Slicer makes it (--returnparameterfile), reading the progress lines as they
 * come: the time between two <filter-comment> lines is the time of that step. */
static void print_stages(char *const argv[])
{
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    if (!in)
        return;
    char line[512], step[128] = "";
    double start = bench_now(), t0 = start;
    printf("  steps of one run:");
    while (fgets(line, sizeof line, in)) {
        char next[128];
        if (sscanf(line, "<filter-comment>%127[^<]</filter-comment>", next) != 1)
            continue;
        double now = bench_now();
        if (step[0])
            printf(" %s %.2f s;", step, now - t0);
        snprintf(step, sizeof step, "%s", next);
        t0 = now;
    }
    fclose(in);
    int status;
    waitpid(pid, &status, 0);
    printf(" total %.2f s\n", bench_now() - start);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "bench_cli: cannot remove %s: %s\n", path, strerror(errno));
    return 0; /* go on with the rest */
}

/* The voxels of the prediction lobedice-phantom writes with --crop-prediction: its non-zero
 * bounding box (the same rule, phantom_content_box). 0 when out of memory. */
static size_t cropped_voxels(const size_t size[3])
{
    uint8_t *pred = phantom_new(size, PHANTOM_PREDICTION);
    size_t lo[3], hi[3], n = 0;
    if (pred && phantom_content_box(pred, size, lo, hi) == 0)
        n = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    free(pred);
    return n;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: bench_cli [--size X,Y,Z] [--repeats N (1..64)] [--dir FOLDER] "
                "[--uchar-only]\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, 's'}, {"repeats", required_argument, NULL, 'r'},
        {"dir", required_argument, NULL, 'd'},  {"uchar-only", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    size_t dims[3] = {512, 512, 320};
    int repeats = 5, uchar_only = 0;
    const char *base = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    long v;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        switch (c) {
        case 's':
            if (bench_parse_size(optarg, dims) != 0) {
                fprintf(stderr, "bench_cli: --size expects X,Y,Z positive integers, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'r':
            if (bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &v) != 0) {
                fprintf(stderr, "bench_cli: --repeats expects an integer in 1..%d, not '%s'\n",
                        BENCH_MAX_REPEATS, optarg);
                return 2;
            }
            repeats = (int)v;
            break;
        case 'd': base = optarg; break;
        case 'u': uchar_only = 1; break; /* the scale run: one pair, as little else as can be */
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    char size[96];
    snprintf(size, sizeof size, "%zu,%zu,%zu", dims[0], dims[1], dims[2]);
    const size_t voxels = dims[0] * dims[1] * dims[2]; /* bench_parse_size checked the product */
    const size_t cropped = uchar_only ? 1 : cropped_voxels(dims); /* before any child */
    if (!cropped) {
        fprintf(stderr, "bench_cli: not enough memory for the %s phantom\n", size);
        return 1;
    }
    char dir[512];
    if ((size_t)snprintf(dir, sizeof dir, "%s/lobedice-bench-cli-XXXXXX", base) >= sizeof dir) {
        fprintf(stderr, "bench_cli: the folder name %s is too long\n", base);
        return 2;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_cli: cannot create a folder in %s: %s\n", base, strerror(errno));
        return 1;
    }
    static const struct {
        const char *name, *type;
        int crop;
    } configs[] = {
        {"short", "short", 0}, {"uchar", "uchar", 0}, {"short, cropped seg", "short", 1}};

    printf("LobeDice end to end on the %s phantom (raw NRRD), surface distances and regions,\n"
           "JSON + table + error map written; %d runs after a warm-up, %zu online cores\n\n",
           size, repeats, bench_cpu_count());
    printf("%-20s %12s %12s %10s %12s %14s\n", "inputs", "inputs MiB", "median s", "min s",
           "peak RSS MiB", "RSS / inputs");
    int failed = 0;
    char ref[600], pred[600], json[600], table[600], map[600], params[600];
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    snprintf(table, sizeof table, "%s/table.csv", dir);
    snprintf(map, sizeof map, "%s/errormap.nrrd", dir);
    snprintf(params, sizeof params, "%s/return.params", dir);
    for (size_t c = uchar_only; c < (uchar_only ? 2 : sizeof configs / sizeof *configs); c++) {
        char *make[] = {LOBEDICE_PHANTOM_EXE,
                        "--size",
                        size,
                        "--type",
                        (char *)configs[c].type,
                        "--encoding",
                        "raw",
                        configs[c].crop ? "--crop-prediction" : ref,
                        configs[c].crop ? ref : pred,
                        configs[c].crop ? pred : NULL,
                        NULL};
        bench_child r;
        if (bench_run(make, 0, &r) != 0 || r.status != 0) {
            fprintf(stderr, "bench_cli: lobedice-phantom failed\n");
            failed = 1;
            break;
        }
        const size_t bytes = strcmp(configs[c].type, "short") == 0 ? 2 : 1;
        const size_t inputs = bytes * (voxels + (configs[c].crop ? cropped : voxels));
        char *lobedice[] = {LOBEDICE_EXE,
                            "--surfaceDistances",
                            "--outputJson",
                            json,
                            "--outputTable",
                            table,
                            "--errorMap",
                            map,
                            ref,
                            pred,
                            NULL};
        timed_runs t = {lobedice, 0, 0, 0};
        double median, min;
        bench_time_stats(run_timed, &t, repeats, &median, &min);
        if (t.failed) {
            fprintf(stderr, "bench_cli: LobeDice failed (exit %d) on %s\n", t.status,
                    configs[c].name);
            failed = 1;
            continue;
        }
        printf("%-20s %12.1f %12.3f %10.3f %12.1f %13.2fx\n", configs[c].name, inputs / 1048576.0,
               median, min, t.peak_rss / 1048576.0, (double)t.peak_rss / (double)inputs);
        char *slicer[] = {LOBEDICE_EXE,
                          "--returnparameterfile",
                          params,
                          "--surfaceDistances",
                          "--outputJson",
                          json,
                          "--outputTable",
                          table,
                          "--errorMap",
                          map,
                          ref,
                          pred,
                          NULL};
        print_stages(slicer);
        if (median >= 2.0 || (double)t.peak_rss >= 3.0 * (double)inputs)
            printf("%-20s goal missed: median %.3f s (goal < 2 s), peak %.2fx (goal < 3x)\n", "",
                   median, (double)t.peak_rss / (double)inputs);
    }
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed;
}
