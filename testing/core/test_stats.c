/* Statistics over cases (core/src/stats.c) against closed-form values computed here: mean, SD
 * with n - 1, the numpy quartile rule, Tukey's whiskers, Bland-Altman; the bootstrap interval
 * against distributions known exactly, its reproducibility from the seed and for any thread
 * count, and the generator the header documents, re-derived from its description. */
#include "check.h"
#include "lobedice/lobedice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static lobedice_stats describe(const double *v, size_t n, size_t resamples, uint64_t seed,
                               double confidence, size_t threads)
{
    lobedice_stats_options o = LOBEDICE_STATS_OPTIONS_INIT;
    o.resamples = resamples;
    o.seed = seed;
    o.confidence = confidence;
    o.threads = threads;
    lobedice_stats s;
    memset(&s, 0xAB, sizeof s);
    CHECK_INT(lobedice_stats_describe(&s, v, n, &o), LOBEDICE_OK);
    return s;
}

/* {2, 4, 4, 4, 5, 5, 7, 9} and two undefined values, shuffled. */
static void descriptive(void)
{
    const double v[10] = {5, NAN, 9, 4, 2, 4, NAN, 7, 5, 4};
    lobedice_stats s = describe(v, 10, 0, 1, 0.95, 1);
    CHECK_UINT(s.n, 8);
    CHECK_UINT(s.undefined, 2);
    CHECK_NEAR(s.mean, 40.0 / 8.0, 1e-15);
    /* squared deviations from 5: 9 1 1 1 0 0 4 16 = 32 */
    CHECK_NEAR(s.sd, sqrt(32.0 / 7.0), 1e-15);
    CHECK_NEAR(s.min, 2, 0);
    CHECK_NEAR(s.max, 9, 0);
    /* ranks 0.25*7 = 1.75 (4 and 4), 3.5 (4 and 5), 5.25 (5 and 7) of 2 4 4 4 5 5 7 9 */
    CHECK_NEAR(s.q1, 4, 1e-15);
    CHECK_NEAR(s.median, 4.5, 1e-15);
    CHECK_NEAR(s.q3, 5 + 0.25 * 2, 1e-15);
    CHECK_NEAR(s.iqr, 1.5, 1e-15);
    /* fences 4 - 2.25 = 1.75 and 5.5 + 2.25 = 7.75: 9 is an outlier */
    CHECK_NEAR(s.whisker_low, 2, 0);
    CHECK_NEAR(s.whisker_high, 7, 0);
    CHECK(isnan(s.ci_low) && isnan(s.ci_high)); /* no resamples asked for */

    /* odd count: the median is the middle value, quartiles at whole ranks */
    const double w[5] = {10, 1, 3, 2, 100};
    s = describe(w, 5, 0, 1, 0.95, 1);
    CHECK_NEAR(s.median, 3, 0);
    CHECK_NEAR(s.q1, 2, 0);
    CHECK_NEAR(s.q3, 10, 0);
    CHECK_NEAR(s.whisker_high, 10, 0); /* fence 10 + 1.5*8 = 22 */
    CHECK_NEAR(s.whisker_low, 1, 0);
}

static void small_counts(void)
{
    const double none[2] = {NAN, NAN};
    lobedice_stats s = describe(none, 2, 100, 1, 0.95, 1);
    CHECK_UINT(s.n, 0);
    CHECK_UINT(s.undefined, 2);
    CHECK(isnan(s.mean) && isnan(s.sd) && isnan(s.median) && isnan(s.min) && isnan(s.ci_low));
    s = describe(NULL, 0, 100, 1, 0.95, 1);
    CHECK_UINT(s.n, 0);
    CHECK(isnan(s.mean));
    const double one[1] = {0.75};
    s = describe(one, 1, 100, 1, 0.95, 1);
    CHECK_UINT(s.n, 1);
    CHECK_NEAR(s.mean, 0.75, 0);
    CHECK_NEAR(s.median, 0.75, 0);
    CHECK_NEAR(s.q1, 0.75, 0);
    CHECK_NEAR(s.iqr, 0, 0);
    CHECK(isnan(s.sd));                         /* n - 1 = 0 */
    CHECK(isnan(s.ci_low) && isnan(s.ci_high)); /* no interval from one value */
}

static void bootstrap_known_distributions(void)
{
    /* constant values: every resample mean is the constant */
    const double c[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    lobedice_stats s = describe(c, 6, 1000, 7, 0.95, 1);
    CHECK_NEAR(s.ci_low, 0.5, 0);
    CHECK_NEAR(s.ci_high, 0.5, 0);
    /* {0, 1}: a resample mean is 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4, so the 2.5th
     * and 97.5th percentiles of 10000 of them are 0 and 1 and the 30th and 70th both 0.5 */
    const double b[2] = {0, 1};
    s = describe(b, 2, 10000, 7, 0.95, 1);
    CHECK_NEAR(s.ci_low, 0, 0);
    CHECK_NEAR(s.ci_high, 1, 0);
    s = describe(b, 2, 10000, 7, 0.40, 1);
    CHECK_NEAR(s.ci_low, 0.5, 0);
    CHECK_NEAR(s.ci_high, 0.5, 0);
    /* 1..200: the interval is about mean -/+ 1.96 sigma/sqrt(n), sigma^2 = (n^2 - 1)/12 the
     * variance of the values themselves (the bootstrap resamples them) */
    double v[200];
    for (int i = 0; i < 200; i++)
        v[i] = i + 1;
    s = describe(v, 200, 10000, 11, 0.95, 0);
    const double half = 1.96 * sqrt((200.0 * 200.0 - 1) / 12.0) / sqrt(200.0);
    CHECK_NEAR(s.mean, 100.5, 1e-12);
    CHECK_NEAR(s.ci_high - s.mean, half, 0.08 * half);
    CHECK_NEAR(s.mean - s.ci_low, half, 0.08 * half);
}

static void bootstrap_reproducible(void)
{
    double v[57];
    for (int i = 0; i < 57; i++)
        v[i] = sin(i * 1.7) * 3 + (i % 5);
    v[13] = NAN;
    lobedice_stats a = describe(v, 57, 5000, 123, 0.95, 1);
    lobedice_stats b = describe(v, 57, 5000, 123, 0.95, 2);
    lobedice_stats c = describe(v, 57, 5000, 123, 0.95, 0);
    lobedice_stats d = describe(v, 57, 5000, 124, 0.95, 1);
    CHECK_SAME(a.ci_low, b.ci_low);
    CHECK_SAME(a.ci_high, b.ci_high);
    CHECK_SAME(a.ci_low, c.ci_low);
    CHECK_SAME(a.ci_high, c.ci_high);
    CHECK(a.ci_low != d.ci_low || a.ci_high != d.ci_high); /* another seed, other resamples */
    CHECK(a.ci_low < a.mean && a.mean < a.ci_high);
    /* the defaults: LOBEDICE_STATS_DEFAULT_RESAMPLES with LOBEDICE_STATS_DEFAULT_SEED */
    lobedice_stats e,
        f = describe(v, 57, LOBEDICE_STATS_DEFAULT_RESAMPLES, LOBEDICE_STATS_DEFAULT_SEED, 0.95, 1);
    CHECK_INT(lobedice_stats_describe(&e, v, 57, NULL), LOBEDICE_OK);
    CHECK_SAME(e.ci_low, f.ci_low);
    CHECK_SAME(e.ci_high, f.ci_high);
}

/* The generator exactly as lobedice.h describes it, written from that text. */
static uint64_t spec_splitmix(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + k * 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t spec_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t spec_next(uint64_t s[4])
{
    uint64_t result = spec_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = spec_rotl(s[3], 45);
    return result;
}

/* floor(x * n / 2^64) with Lemire's rejection, through long double-free integer steps: n is
 * tiny here (3), so x * n fits in 66 bits split as (x >> 32) * n and (x & mask) * n. */
static uint64_t spec_below(uint64_t s[4], uint64_t n)
{
    for (;;) {
        uint64_t x = spec_next(s);
        uint64_t lo_part = (x & 0xFFFFFFFFu) * n, hi_part = (x >> 32) * n;
        uint64_t mid = hi_part + (lo_part >> 32);
        uint64_t hi = mid >> 32, lo = (mid << 32) | (lo_part & 0xFFFFFFFFu);
        if (lo >= n || lo >= (0 - n) % n)
            return hi;
    }
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bootstrap_generator_as_documented(void)
{
    const double v[3] = {0, 10, 100};
    const uint64_t seed = 42;
    enum { B = 7 };
    double means[B];
    for (uint64_t r = 0; r < B; r++) {
        uint64_t s[4];
        for (uint64_t w = 0; w < 4; w++)
            s[w] = spec_splitmix(seed, 4 * r + w + 1);
        double sum = 0;
        for (int i = 0; i < 3; i++)
            sum += v[spec_below(s, 3)];
        means[r] = sum / 3;
    }
    qsort(means, B, sizeof *means, by_value);
    /* confidence 0.5: ranks 0.25*6 = 1.5 and 0.75*6 = 4.5 of the 7 sorted means */
    lobedice_stats s = describe(v, 3, B, seed, 0.5, 1);
    CHECK_NEAR(s.ci_low, (means[1] + means[2]) / 2, 1e-12);
    CHECK_NEAR(s.ci_high, (means[4] + means[5]) / 2, 1e-12);
    /* splitmix64's published first output for seed 0 */
    CHECK_UINT(spec_splitmix(0, 1), 0xE220A8397B1DCDAFu);
}

static void bland_altman(void)
{
    const double ref[5] = {100, 200, 300, NAN, 50};
    const double pred[5] = {110, 190, 330, 5, NAN};
    double mean[5], diff[5];
    lobedice_agreement a;
    CHECK_INT(lobedice_bland_altman(&a, mean, diff, ref, pred, 5), LOBEDICE_OK);
    CHECK_UINT(a.n, 3);
    CHECK_UINT(a.undefined, 2);
    /* differences 10, -10, 30: bias 10, deviations 0, -20, 20, sd sqrt(800/2) = 20 */
    CHECK_NEAR(a.bias, 10, 1e-12);
    CHECK_NEAR(a.sd, 20, 1e-12);
    CHECK_NEAR(a.loa_low, 10 - 1.96 * 20, 1e-12);
    CHECK_NEAR(a.loa_high, 10 + 1.96 * 20, 1e-12);
    CHECK_NEAR(mean[0], 105, 0);
    CHECK_NEAR(diff[2], 30, 0);
    CHECK(isnan(mean[3]) && isnan(diff[3]) && isnan(mean[4]) && isnan(diff[4]));
    CHECK_INT(lobedice_bland_altman(&a, NULL, NULL, ref, pred, 1), LOBEDICE_OK);
    CHECK_UINT(a.n, 1);
    CHECK_NEAR(a.bias, 10, 0);
    CHECK(isnan(a.sd) && isnan(a.loa_low));
}

static void errors(void)
{
    const double v[3] = {1, INFINITY, 2};
    lobedice_stats s;
    lobedice_agreement a;
    memset(&s, 0, sizeof s);
    CHECK_INT(lobedice_stats_describe(&s, v, 3, NULL), LOBEDICE_ENOTFINITE);
    CHECK_UINT(s.n, 0); /* untouched */
    CHECK_INT(lobedice_stats_describe(NULL, v, 1, NULL), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_stats_describe(&s, NULL, 1, NULL), LOBEDICE_EINVAL);
    lobedice_stats_options o = LOBEDICE_STATS_OPTIONS_INIT;
    o.confidence = 1.0;
    CHECK_INT(lobedice_stats_describe(&s, v, 1, &o), LOBEDICE_EINVAL);
    o.confidence = 0.95;
    o.version = 0;
    CHECK_INT(lobedice_stats_describe(&s, v, 1, &o), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_stats_options_init(&o, 2), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_stats_options_init(&o, 1), LOBEDICE_OK);
    CHECK_UINT(o.resamples, LOBEDICE_STATS_DEFAULT_RESAMPLES);
    CHECK_NEAR(o.confidence, 0.95, 0);
    CHECK_INT(lobedice_bland_altman(&a, NULL, NULL, v, v, 3), LOBEDICE_ENOTFINITE);
    CHECK_INT(lobedice_bland_altman(NULL, NULL, NULL, v, v, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_bland_altman(&a, NULL, NULL, NULL, v, 1), LOBEDICE_EINVAL);
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"descriptive", descriptive},
        {"small_counts", small_counts},
        {"bootstrap_known_distributions", bootstrap_known_distributions},
        {"bootstrap_reproducible", bootstrap_reproducible},
        {"bootstrap_generator_as_documented", bootstrap_generator_as_documented},
        {"bland_altman", bland_altman},
        {"errors", errors},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
