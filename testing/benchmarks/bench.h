/* Shared pieces of the benchmark programs: a clock, timing statistics, allocation tracking, the
 * core count and command-line values.
 * Linking bench.c into a program replaces malloc and friends with counting versions (glibc
 * only), so a benchmark can report the peak bytes a call allocated, whoever allocated them. */
#ifndef LOBEDICE_BENCH_H
#define LOBEDICE_BENCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds on a monotonic clock. */
double bench_now(void);

/* Median of v[0..n-1] (sorts v in place). */
double bench_median(double *v, size_t n);

/* Allocation tracking: bench_alloc_mark() starts a window; bench_alloc_peak() is the highest
 * number of bytes allocated above the level at the mark, since the mark. */
void bench_alloc_mark(void);
size_t bench_alloc_peak(void);

/* Peak resident set size of the process so far, in bytes. */
size_t bench_peak_rss(void);

/* The largest `repeats` bench_time_stats honours (--repeats of the benchmarks: 1..64). */
#define BENCH_MAX_REPEATS 64

/* Calls fn(ctx) once to warm up (untimed), then `repeats` times (clamped to
 * 1..BENCH_MAX_REPEATS); *median and *min receive the median and the shortest time in seconds
 * (either pointer may be NULL). */
void bench_time_stats(void (*fn)(void *ctx), void *ctx, int repeats, double *median, double *min);

/* Online cores, at least 1: the count the core uses when asked for 0 threads. */
size_t bench_cpu_count(void);

/* Command-line values (for getopt_long's optarg). A whole number in [min, max], the whole text:
 * returns 0 and sets *out, or -1. */
int bench_parse_count(const char *text, long min, long max, long *out);

/* "X,Y,Z": three positive whole numbers whose product fits in size_t. Returns 0 or -1. */
int bench_parse_size(const char *text, size_t size[3]);

/* A program run by a benchmark: fork + exec + wait4. */
typedef struct bench_child {
    int status;         /* exit status; 128 + signal when killed */
    double seconds;     /* wall time from the start */
    double cpu_seconds; /* user + system */
    size_t peak_rss;    /* bytes */
} bench_child;

enum { BENCH_QUIET_STDERR = 1, BENCH_NO_DISPLAY = 2 };

/* Starts argv[0] with standard output to /dev/null (standard error too with
 * BENCH_QUIET_STDERR; no DISPLAY with BENCH_NO_DISPLAY) and *start = bench_now(). Returns the
 * process id, or -1. */
long bench_start(char *const argv[], int flags, double *start);

/* Waits for the process `pid` started at `start`: 0 with *out filled, 1 while it still runs
 * when `nohang`, -1 on error. */
int bench_finish(long pid, double start, int nohang, bench_child *out);

/* bench_start, then bench_finish: 0 or -1 (out->status -1 when it could not start). */
int bench_run(char *const argv[], int flags, bench_child *out);

#ifdef __cplusplus
}
#endif

#endif
