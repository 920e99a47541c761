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

#ifdef __cplusplus
}
#endif

#endif
