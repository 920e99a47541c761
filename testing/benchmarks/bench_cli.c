/* End-to-end benchmark of the LobeDice executable, the way Slicer runs it: the phantom pair
 * written as raw NRRD (short, unsigned char, and a short segmentation cropped to its extent),
 * every measure (overlap, surface distances, default regions), the JSON, the table with its
 * schema and the error map written. Each configuration runs once to warm the file cache, then
 * `repeats` times; the figures are the median wall time and the peak resident set size of the
 * LobeDice process (wait4's ru_maxrss), against the bytes of the two input volumes in memory.
 *
 *   bench_cli [--size X,Y,Z] [--repeats N] [--dir FOLDER]
 *
 * Goals (issue 6): under 2 s, and a peak under 3x the two input volumes. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct child_run {
    int status;
    double seconds;
    size_t peak_rss; /* bytes */
} child_run;

/* fork + exec + wait4: the child's own wall time and peak RSS; its stdout goes to /dev/null. */
static int run(child_run *out, char *const argv[])
{
    fflush(NULL); /* the child must not inherit unflushed output */
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "bench_cli: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    out->seconds = bench_now() - t0;
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    out->peak_rss = (size_t)ru.ru_maxrss * 1024;
    return 0;
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

/* Bytes of the voxel data of a NRRD written by lobedice-phantom (sizes and type from its
 * header), i.e. the volume as it sits in memory once read. */
static size_t nrrd_volume_bytes(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char line[512];
    size_t sizes[3] = {0, 0, 0}, bytes = 0;
    while (fgets(line, sizeof line, f) && line[0] != '\n') {
        if (sscanf(line, "sizes: %zu %zu %zu", &sizes[0], &sizes[1], &sizes[2]) == 3)
            continue;
        if (!strncmp(line, "type: short", 11))
            bytes = 2;
        else if (!strncmp(line, "type: unsigned char", 19))
            bytes = 1;
    }
    fclose(f);
    return sizes[0] * sizes[1] * sizes[2] * bytes;
}

int main(int argc, char **argv)
{
    const char *size = "512,512,320";
    int repeats = 5;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lobedice-bench-cli-%ld",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc)
            size = argv[++i];
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            snprintf(dir, sizeof dir, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: bench_cli [--size X,Y,Z] [--repeats N] [--dir FOLDER]\n");
            return 2;
        }
    }
    if (repeats < 1 || repeats > 64)
        repeats = 5;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_cli: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    static const struct {
        const char *name, *type;
        int crop;
    } configs[] = {
        {"short", "short", 0}, {"uchar", "uchar", 0}, {"short, cropped seg", "short", 1}};

    printf("LobeDice end to end on the %s phantom (raw NRRD), surface distances and regions,\n"
           "JSON + table + error map written; %d runs after a warm-up, %ld online cores\n\n",
           size, repeats, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-20s %12s %12s %10s %12s %14s\n", "inputs", "inputs MiB", "median s", "min s",
           "peak RSS MiB", "RSS / inputs");
    int failed = 0;
    for (size_t c = 0; c < sizeof configs / sizeof *configs; c++) {
        char ref[600], pred[600], json[600], table[600], map[600];
        snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
        snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
        snprintf(json, sizeof json, "%s/report.json", dir);
        snprintf(table, sizeof table, "%s/table.csv", dir);
        snprintf(map, sizeof map, "%s/errormap.nrrd", dir);
        char *make[] = {LOBEDICE_PHANTOM_EXE,
                        "--size",
                        (char *)size,
                        "--type",
                        (char *)configs[c].type,
                        "--encoding",
                        "raw",
                        configs[c].crop ? "--crop-prediction" : ref,
                        configs[c].crop ? ref : pred,
                        configs[c].crop ? pred : NULL,
                        NULL};
        child_run r;
        if (run(&r, make) != 0 || r.status != 0) {
            fprintf(stderr, "bench_cli: lobedice-phantom failed\n");
            return 1;
        }
        size_t inputs = nrrd_volume_bytes(ref) + nrrd_volume_bytes(pred);
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
        double seconds[64];
        size_t peak = 0;
        int ok = run(&r, lobedice) == 0 && r.status == 0; /* warm-up */
        for (int k = 0; ok && k < repeats; k++) {
            ok = run(&r, lobedice) == 0 && r.status == 0;
            seconds[k] = r.seconds;
            if (r.peak_rss > peak)
                peak = r.peak_rss;
        }
        if (!ok) {
            fprintf(stderr, "bench_cli: LobeDice failed (exit %d) on %s\n", r.status,
                    configs[c].name);
            failed = 1;
            continue;
        }
        double median = bench_median(seconds, (size_t)repeats), min = seconds[0];
        printf("%-20s %12.1f %12.3f %10.3f %12.1f %13.2fx\n", configs[c].name, inputs / 1048576.0,
               median, min, peak / 1048576.0, (double)peak / (double)inputs);
        char params[600];
        snprintf(params, sizeof params, "%s/return.params", dir);
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
        if (median >= 2.0 || (double)peak >= 3.0 * (double)inputs)
            printf("%-20s goal missed: median %.3f s (goal < 2 s), peak %.2fx (goal < 3x)\n", "",
                   median, (double)peak / (double)inputs);
    }
    char *files[] = {"reference.nrrd",   "prediction.nrrd", "report.json",   "table.csv",
                     "table.schema.csv", "errormap.nrrd",   "errormap.ctbl", "return.params"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    rmdir(dir);
    return failed;
}
