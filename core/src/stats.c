/* Statistics over cases: descriptive statistics, the percentile bootstrap interval of the mean
 * and Bland-Altman agreement (lobedice.h, "Statistics over cases"; docs/batch.md). */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Options -------------------------------------------------------------------------------- */

static const size_t ld_stats_options_size[LOBEDICE_STATS_OPTIONS_VERSION] = {
    sizeof(lobedice_stats_options)};

static const lobedice_stats_options ld_stats_defaults = LOBEDICE_STATS_OPTIONS_INIT;

lobedice_status lobedice_stats_options_init(lobedice_stats_options *opts, unsigned version)
{
    return ld_options_init(opts, &ld_stats_defaults, ld_stats_options_size, version,
                           LOBEDICE_STATS_OPTIONS_VERSION);
}

/* ---- The generator: splitmix64 seeds xoshiro256** (Blackman and Vigna) ---------------------- */

#define LD_GOLDEN_GAMMA 0x9E3779B97F4A7C15u

/* Output k (1-based) of splitmix64 seeded with `seed`: splitmix64 is a counter, so resample r
 * can start its own generator without running the ones before it. */
static uint64_t ld_splitmix64_output(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + k * LD_GOLDEN_GAMMA;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

typedef struct ld_xoshiro {
    uint64_t s[4];
} ld_xoshiro;

static uint64_t ld_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ld_xoshiro_next(ld_xoshiro *g)
{
    uint64_t *s = g->s;
    const uint64_t result = ld_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ld_rotl(s[3], 45);
    return result;
}

/* The high and low 64 bits of a*b, portably (no 128-bit type in C11). */
static void ld_mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    const uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* A uniform integer in [0, n), n > 0: Lemire's multiply-and-reject, unbiased. */
static uint64_t ld_uniform_below(ld_xoshiro *g, uint64_t n)
{
    uint64_t hi, lo;
    ld_mul64(ld_xoshiro_next(g), n, &hi, &lo);
    if (lo < n) {
        const uint64_t threshold = (0 - n) % n;
        while (lo < threshold)
            ld_mul64(ld_xoshiro_next(g), n, &hi, &lo);
    }
    return hi;
}

/* ---- Descriptive statistics ----------------------------------------------------------------- */

typedef struct ld_bootstrap {
    const double *values; /* the n defined values */
    size_t n, resamples;
    uint64_t seed;
    double *means; /* one per resample */
} ld_bootstrap;

enum { LD_RESAMPLES_PER_TASK = 64 };

static void ld_bootstrap_task(void *ctx, size_t task)
{
    const ld_bootstrap *b = ctx;
    const size_t end = ld_chunk_end(b->resamples, task, LD_RESAMPLES_PER_TASK);
    for (size_t r = task * LD_RESAMPLES_PER_TASK; r < end; r++) {
        ld_xoshiro g;
        for (uint64_t w = 0; w < 4; w++)
            g.s[w] = ld_splitmix64_output(b->seed, 4 * (uint64_t)r + w + 1);
        double sum = 0.0;
        for (size_t i = 0; i < b->n; i++)
            sum += b->values[ld_uniform_below(&g, b->n)];
        b->means[r] = sum / (double)b->n;
    }
}

lobedice_status lobedice_stats_describe(lobedice_stats *out, const double *values, size_t count,
                                        const lobedice_stats_options *opts)
{
    lobedice_stats_options o;
    if (ld_options_resolve(&o, &ld_stats_defaults, ld_stats_options_size,
                           LOBEDICE_STATS_OPTIONS_VERSION, opts) != LOBEDICE_OK)
        return LOBEDICE_EINVAL;
    if (!out || (count > 0 && !values) || !(o.confidence > 0.0 && o.confidence < 1.0))
        return LOBEDICE_EINVAL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (isinf(values[i]))
            return LOBEDICE_ENOTFINITE;
        n += !isnan(values[i]);
    }
    lobedice_stats s = {n, count - n, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    if (n == 0) {
        *out = s;
        return LOBEDICE_OK;
    }
    const size_t nmeans = n >= 2 ? o.resamples : 0;
    size_t bytes, mean_bytes;
    if (!ld_mul_size(n, sizeof(double), &bytes) ||
        !ld_mul_size(nmeans, sizeof(double), &mean_bytes))
        return LOBEDICE_EOVERFLOW;
    double *defined = malloc(bytes), *means = nmeans ? malloc(mean_bytes) : NULL;
    if (!defined || (nmeans && !means)) {
        free(defined);
        free(means);
        return LOBEDICE_ENOMEM;
    }
    /* the defined values in their given order: the sums below follow it */
    for (size_t i = 0, j = 0; i < count; i++)
        if (!isnan(values[i]))
            defined[j++] = values[i];
    s.mean = ld_mean_defined(defined, n, NULL);
    if (n >= 2) {
        double ss = 0.0;
        for (size_t i = 0; i < n; i++)
            ss += (defined[i] - s.mean) * (defined[i] - s.mean);
        s.sd = sqrt(ss / (double)(n - 1));
    }
    if (nmeans) {
        ld_bootstrap b = {defined, n, nmeans, o.seed, means};
        ld_parallel_for(o.threads, ld_chunk_count(nmeans, LD_RESAMPLES_PER_TASK), ld_bootstrap_task,
                        &b);
        s.ci_low = ld_percentile(means, nmeans, (1.0 - o.confidence) / 2.0);
        s.ci_high = ld_percentile(means, nmeans, (1.0 + o.confidence) / 2.0);
    }
    s.q1 = ld_percentile(defined, n, 0.25); /* (reorders the values: the sums are done) */
    s.median = ld_percentile(defined, n, 0.5);
    s.q3 = ld_percentile(defined, n, 0.75);
    s.iqr = s.q3 - s.q1;
    const double fence_low = s.q1 - 1.5 * s.iqr, fence_high = s.q3 + 1.5 * s.iqr;
    s.min = s.max = defined[0];
    s.whisker_low = s.q1; /* the box's own edges hold values within the fences */
    s.whisker_high = s.q3;
    for (size_t i = 0; i < n; i++) {
        const double v = defined[i];
        s.min = v < s.min ? v : s.min;
        s.max = v > s.max ? v : s.max;
        if (v >= fence_low && v < s.whisker_low)
            s.whisker_low = v;
        if (v <= fence_high && v > s.whisker_high)
            s.whisker_high = v;
    }
    free(defined);
    free(means);
    *out = s;
    return LOBEDICE_OK;
}

/* ---- Bland-Altman --------------------------------------------------------------------------- */

lobedice_status lobedice_bland_altman(lobedice_agreement *out, double *means, double *differences,
                                      const double *reference, const double *predicted,
                                      size_t count)
{
    if (!out || (count > 0 && (!reference || !predicted)))
        return LOBEDICE_EINVAL;
    for (size_t i = 0; i < count; i++)
        if (isinf(reference[i]) || isinf(predicted[i]))
            return LOBEDICE_ENOTFINITE;
    lobedice_agreement a = {0, 0, NAN, NAN, NAN, NAN};
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) {
        const int used = !isnan(reference[i]) && !isnan(predicted[i]);
        const double d = predicted[i] - reference[i];
        if (means)
            means[i] = used ? (reference[i] + predicted[i]) / 2.0 : NAN;
        if (differences)
            differences[i] = used ? d : NAN;
        if (used) {
            sum += d;
            a.n++;
        }
    }
    a.undefined = count - a.n;
    if (a.n > 0)
        a.bias = sum / (double)a.n;
    if (a.n >= 2) {
        double ss = 0.0;
        for (size_t i = 0; i < count; i++)
            if (!isnan(reference[i]) && !isnan(predicted[i])) {
                const double e = (predicted[i] - reference[i]) - a.bias;
                ss += e * e;
            }
        a.sd = sqrt(ss / (double)(a.n - 1));
        a.loa_low = a.bias - 1.96 * a.sd;
        a.loa_high = a.bias + 1.96 * a.sd;
    }
    *out = a;
    return LOBEDICE_OK;
}
