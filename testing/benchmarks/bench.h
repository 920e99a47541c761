/* Shared pieces of the benchmark programs: a clock, medians, and allocation tracking.
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

/* Runs `repeats` times and returns the median seconds of fn(ctx). */
double bench_time_median(void (*fn)(void *ctx), void *ctx, int repeats);

#ifdef __cplusplus
}
#endif

#endif
