/* Labels present in a volume (every dtype, negative values, many distinct 32-bit values,
 * thread counts), the mean of defined values, and their error statuses. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The sorted distinct values of a buffer, computed plainly; returns the count. */
static size_t naive_distinct(int64_t *out, const void *data, lobedice_dtype dtype, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = test_load(data, dtype, i);
    qsort(out, n, sizeof *out, cmp_int64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

/* Checks lobedice_labels_present on a volume against the naive answer for several thread
 * counts. */
static void check_present(const void *data, lobedice_dtype dtype, const size_t size[3])
{
    size_t n = size[0] * size[1] * size[2];
    int64_t *want = malloc(n * sizeof *want), *got = malloc((n + 1) * sizeof *got);
    CHECK_FATAL(want && got);
    size_t nwant = naive_distinct(want, data, dtype, n);
    lobedice_volume volume = {data, dtype, {size[0], size[1], size[2]}, {1, 1, 1}};
    const size_t threads[4] = {1, 2, 3, 7};
    for (size_t t = 0; t < 4; t++) {
        size_t count = 0;
        got[nwant] = 12345; /* past the distinct values: must stay */
        CHECK_INT(lobedice_labels_present(got, n + 1, &count, &volume, threads[t]), LOBEDICE_OK);
        CHECK_UINT(count, nwant);
        CHECK(memcmp(got, want, nwant * sizeof *got) == 0);
        CHECK_INT(got[nwant], 12345);
    }
    free(want);
    free(got);
}

static void test_each_dtype(void)
{
    uint64_t rng = 3;
    int32_t buffer[6 * 5 * 4];
    const size_t size[3] = {6, 5, 4};
    for (size_t d = 0; d < 6; d++) {
        lobedice_dtype dtype = all_dtypes[d];
        int64_t min = 0, max = 0;
        test_range(dtype, &min, &max);
        const int64_t values[7] = {min, max, 0, 5, min + 1, max / 2, min < 0 ? -3 : 3};
        for (size_t i = 0; i < 120;) {
            int64_t v = values[test_below(&rng, 7)];
            for (size_t len = 1 + (size_t)test_below(&rng, 9); len > 0 && i < 120; len--, i++)
                test_store(buffer, dtype, i, v);
        }
        check_present(buffer, dtype, size);
    }

    /* one hand-made case per signedness, with the exact answer */
    const int8_t s8[6] = {5, -128, -3, 5, 127, 0};
    const int64_t want8[5] = {-128, -3, 0, 5, 127};
    int64_t got[8];
    size_t count = 0;
    lobedice_volume v8 = {s8, LOBEDICE_INT8, {3, 2, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_present(got, 8, &count, &v8, 0), LOBEDICE_OK);
    CHECK_UINT(count, 5);
    CHECK(memcmp(got, want8, sizeof want8) == 0);
    const int32_t s32[4] = {-2147483647 - 1, 2147483647, -1, -1};
    const int64_t want32[3] = {-2147483648, -1, 2147483647};
    lobedice_volume v32 = {s32, LOBEDICE_INT32, {2, 2, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_present(got, 8, &count, &v32, 0), LOBEDICE_OK);
    CHECK_UINT(count, 3);
    CHECK(memcmp(got, want32, sizeof want32) == 0);
    const uint32_t u32[2] = {4294967295u, 0};
    lobedice_volume vu32 = {u32, LOBEDICE_UINT32, {2, 1, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_present(got, 8, &count, &vu32, 0), LOBEDICE_OK);
    CHECK_UINT(count, 2);
    CHECK_INT(got[0], 0);
    CHECK_INT(got[1], 4294967295);
}

/* Many distinct values over several tasks: every int16 value, and ~200 000 int32/uint32
 * values mixed with long runs. */
static void test_many_values(void)
{
    uint64_t rng = 11;
    const size_t size[3] = {100, 80, 70}; /* 560 000 voxels: 3 tasks */
    size_t n = size[0] * size[1] * size[2];
    int32_t *buffer = malloc(n * sizeof *buffer);
    CHECK_FATAL(buffer);
    for (size_t i = 0; i < n; i++)
        test_store(buffer, LOBEDICE_INT16, i, (int64_t)(i % 65536) - 32768);
    check_present(buffer, LOBEDICE_INT16, size);
    const lobedice_dtype wide[2] = {LOBEDICE_INT32, LOBEDICE_UINT32};
    for (size_t d = 0; d < 2; d++) {
        for (size_t i = 0; i < n;) {
            int64_t v = d == 0 ? (int64_t)test_below(&rng, 2000000000) - 1000000000
                               : (int64_t)test_below(&rng, 4000000000);
            size_t len = test_below(&rng, 2) ? 1 : 1 + (size_t)test_below(&rng, 40);
            for (; len > 0 && i < n; len--, i++)
                test_store(buffer, wide[d], i, v);
        }
        check_present(buffer, wide[d], size);
    }
    free(buffer);
}

static void test_capacity(void)
{
    const uint16_t values[6] = {9, 2, 700, 2, 65535, 0};
    lobedice_volume volume = {values, LOBEDICE_UINT16, {6, 1, 1}, {1, 1, 1}};
    int64_t got[3] = {-1, -1, -1};
    size_t count = 0;
    CHECK_INT(lobedice_labels_present(got, 2, &count, &volume, 0), LOBEDICE_OK);
    CHECK_UINT(count, 5);
    CHECK_INT(got[0], 0);
    CHECK_INT(got[1], 2);
    CHECK_INT(got[2], -1);
    CHECK_INT(lobedice_labels_present(NULL, 0, &count, &volume, 0), LOBEDICE_OK);
    CHECK_UINT(count, 5);
    const int32_t wide[4] = {40, -40, 40, 7};
    lobedice_volume wide_volume = {wide, LOBEDICE_INT32, {2, 2, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_present(got, 1, &count, &wide_volume, 0), LOBEDICE_OK);
    CHECK_UINT(count, 3);
    CHECK_INT(got[0], -40);
    CHECK_INT(got[1], 2);
}

static void test_mean_defined(void)
{
    const double values[5] = {1.0, NAN, 2.0, 6.0, NAN};
    size_t used = 99;
    CHECK_NEAR(lobedice_mean_defined(values, 5, sizeof(double), &used), 3.0, 1e-15);
    CHECK_UINT(used, 3);
    CHECK_NEAR(lobedice_mean_defined(values, 5, sizeof(double), NULL), 3.0, 1e-15);
    /* every other value: 1, 2, NaN */
    CHECK_NEAR(lobedice_mean_defined(values, 3, 2 * sizeof(double), &used), 1.5, 1e-15);
    CHECK_UINT(used, 2);
    CHECK(isnan(lobedice_mean_defined(values + 1, 1, sizeof(double), &used)));
    CHECK_UINT(used, 0);
    CHECK(isnan(lobedice_mean_defined(NULL, 0, sizeof(double), &used)));
    CHECK_UINT(used, 0);
    /* a field of a struct array */
    struct row {
        int id;
        double value;
    } rows[3] = {{1, 4.0}, {2, NAN}, {3, 8.0}};
    CHECK_NEAR(lobedice_mean_defined(&rows[0].value, 3, sizeof rows[0], &used), 6.0, 1e-15);
    CHECK_UINT(used, 2);
}

static void test_errors(void)
{
    uint8_t data[4] = {0};
    lobedice_volume volume = {data, LOBEDICE_UINT8, {2, 2, 1}, {1, 1, 1}};
    int64_t got[4];
    size_t count = 0;
    CHECK_INT(lobedice_labels_present(got, 4, NULL, &volume, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_present(NULL, 4, &count, &volume, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_present(got, 4, &count, NULL, 0), LOBEDICE_EINVAL);
    lobedice_volume bad = volume;
    bad.data = NULL;
    CHECK_INT(lobedice_labels_present(got, 4, &count, &bad, 0), LOBEDICE_EINVAL);
    bad = volume;
    bad.dtype = (lobedice_dtype)17;
    CHECK_INT(lobedice_labels_present(got, 4, &count, &bad, 0), LOBEDICE_EDTYPE);
    bad = volume;
    bad.size[2] = 0;
    CHECK_INT(lobedice_labels_present(got, 4, &count, &bad, 0), LOBEDICE_ESIZE);
    bad = volume;
    bad.spacing[1] = -2.0;
    CHECK_INT(lobedice_labels_present(got, 4, &count, &bad, 0), LOBEDICE_ESPACING);
    bad = volume;
    bad.size[0] = SIZE_MAX / 3;
    bad.size[1] = 5;
    CHECK_INT(lobedice_labels_present(got, 4, &count, &bad, 0), LOBEDICE_EOVERFLOW);
    CHECK_INT(lobedice_labels_present(got, 4, &count, &volume, 0), LOBEDICE_OK);
    CHECK_UINT(count, 1);
    CHECK_INT(got[0], 0);
}

static const check_case cases[] = {
    {"each_dtype", test_each_dtype}, {"many_values", test_many_values},
    {"capacity", test_capacity},     {"mean_defined", test_mean_defined},
    {"errors", test_errors},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
