#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void bench_time_stats(void (*fn)(void *ctx), void *ctx, int repeats, double *median, double *min)
{
    double t[BENCH_MAX_REPEATS];
    if (repeats < 1)
        repeats = 1;
    if (repeats > BENCH_MAX_REPEATS)
        repeats = BENCH_MAX_REPEATS;
    fn(ctx); /* warm-up: caches, page faults, thread pools */
    for (int r = 0; r < repeats; r++) {
        double t0 = bench_now();
        fn(ctx);
        t[r] = bench_now() - t0;
    }
    double m = bench_median(t, (size_t)repeats); /* sorts t */
    if (median)
        *median = m;
    if (min)
        *min = t[0];
}

size_t bench_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

int bench_parse_count(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int bench_parse_size(const char *text, size_t size[3])
{
    size_t v[3], n = 1;
    char tail;
    /* %zu would take "-1" as a huge size */
    if (strchr(text, '-') || sscanf(text, "%zu,%zu,%zu%c", &v[0], &v[1], &v[2], &tail) != 3)
        return -1;
    for (int a = 0; a < 3; a++)
        if (v[a] == 0 || __builtin_mul_overflow(n, v[a], &n))
            return -1;
    memcpy(size, v, sizeof v);
    return 0;
}

size_t bench_peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (size_t)ru.ru_maxrss * 1024;
}

/* ---- counting allocator (glibc) ---------------------------------------------------------- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_size_t bench_current, bench_peak, bench_base;

static void bench_count(void *p)
{
    if (!p)
        return;
    size_t now = atomic_fetch_add(&bench_current, malloc_usable_size(p)) + malloc_usable_size(p);
    size_t peak = atomic_load(&bench_peak);
    while (now > peak && !atomic_compare_exchange_weak(&bench_peak, &peak, now)) {
    }
}

static void bench_uncount(void *p)
{
    if (p)
        atomic_fetch_sub(&bench_current, malloc_usable_size(p));
}

void bench_alloc_mark(void)
{
    size_t now = atomic_load(&bench_current);
    atomic_store(&bench_base, now);
    atomic_store(&bench_peak, now);
}

size_t bench_alloc_peak(void)
{
    size_t peak = atomic_load(&bench_peak), base = atomic_load(&bench_base);
    return peak > base ? peak - base : 0;
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    bench_count(p);
    return p;
}

void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    bench_count(p);
    return p;
}

void *realloc(void *old, size_t n)
{
    bench_uncount(old);
    void *p = __libc_realloc(old, n);
    if (p)
        bench_count(p);
    else if (old && n)
        bench_count(old); /* the old block is still there */
    return p;
}

void free(void *p)
{
    bench_uncount(p);
    __libc_free(p);
}

void *aligned_alloc(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    bench_count(p);
    return p;
}

void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    bench_count(p);
    return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    bench_count(p);
    *out = p;
    return 0;
}

long bench_start(char *const argv[], int flags, double *start)
{
    fflush(NULL); /* the child must not inherit unflushed output */
    *start = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        if (flags & BENCH_NO_DISPLAY)
            unsetenv("DISPLAY");
        if (!freopen("/dev/null", "w", stdout) ||
            ((flags & BENCH_QUIET_STDERR) && !freopen("/dev/null", "w", stderr)))
            _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int bench_finish(long pid, double start, int nohang, bench_child *out)
{
    int status;
    struct rusage ru;
    for (;;) {
        const pid_t done = wait4((pid_t)pid, &status, nohang ? WNOHANG : 0, &ru);
        if (done == (pid_t)pid)
            break;
        if (done == 0)
            return 1;
        if (errno != EINTR)
            return -1;
    }
    out->seconds = bench_now() - start;
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    out->cpu_seconds = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                       (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    out->peak_rss = (size_t)ru.ru_maxrss * 1024;
    return 0;
}

int bench_run(char *const argv[], int flags, bench_child *out)
{
    *out = (bench_child){-1, 0, 0, 0};
    double start;
    const long pid = bench_start(argv, flags, &start);
    return pid < 0 ? -1 : bench_finish(pid, start, 0, out);
}
