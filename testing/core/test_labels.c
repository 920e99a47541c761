/* Labels present in a volume (every dtype, negative values, many distinct 32-bit values,
 * long runs and chunk edges, thread counts), the labels of either of two volumes, the mean of
 * defined values, and their error statuses. */
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

/* Long runs of 0 (followed a word at a time) broken by single values at every offset within
 * a word, at the chunk edges (2^18 voxels) and at the very end, for every dtype. */
static void test_runs_and_chunk_edges(void)
{
    const size_t chunk = (size_t)1 << 18;
    const size_t size[3] = {2 * chunk + 21, 1, 1};
    const size_t n = size[0];
    int32_t *buffer = calloc(n, sizeof *buffer);
    CHECK_FATAL(buffer);
    for (size_t d = 0; d < 6; d++) {
        const lobedice_dtype dtype = all_dtypes[d];
        int64_t min = 0, max = 0;
        test_range(dtype, &min, &max);
        memset(buffer, 0, n * sizeof *buffer);
        const size_t at[] = {0,  9,         17,    26,        35,        44,    53,    62,
                             71, chunk - 1, chunk, chunk + 1, 2 * chunk, n - 9, n - 2, n - 1};
        for (size_t i = 0; i < CHECK_COUNT(at); i++)
            test_store(buffer, dtype, at[i], i % 3 == 0 ? max - (int64_t)i : min + (int64_t)i);
        /* a run of 100 voxels of 7 across the first chunk edge */
        for (size_t i = chunk - 50; i < chunk + 50; i++)
            if (i != chunk - 1 && i != chunk && i != chunk + 1)
                test_store(buffer, dtype, i, 7);
        check_present(buffer, dtype, size);
    }
    free(buffer);
}

/* The sorted union of two sorted distinct lists, written plainly; returns its length. */
static size_t naive_union(int64_t *out, const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    memcpy(out, a, na * sizeof *out);
    memcpy(out + na, b, nb * sizeof *out);
    qsort(out, na + nb, sizeof *out, cmp_int64);
    size_t m = 0;
    for (size_t i = 0; i < na + nb; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

/* lobedice_labels_union against the naive union of the two volumes' distinct values. */
static void check_union(const lobedice_volume *ref, const lobedice_volume *pred)
{
    const size_t nr = ref->size[0] * ref->size[1] * ref->size[2];
    const size_t np = pred->size[0] * pred->size[1] * pred->size[2];
    int64_t *a = malloc(nr * sizeof *a), *b = malloc(np * sizeof *b);
    int64_t *want = malloc((nr + np) * sizeof *want), *got = malloc((nr + np + 1) * sizeof *got);
    CHECK_FATAL(a && b && want && got);
    const size_t na = naive_distinct(a, ref->data, ref->dtype, nr);
    const size_t nb = naive_distinct(b, pred->data, pred->dtype, np);
    const size_t nwant = naive_union(want, a, na, b, nb);
    const size_t threads[5] = {0, 1, 2, 3, 7};
    for (size_t t = 0; t < 5; t++) {
        size_t count = 0;
        got[nwant] = 12345; /* past the distinct values: must stay */
        CHECK_INT(lobedice_labels_union(got, nr + np + 1, &count, ref, pred, threads[t]),
                  LOBEDICE_OK);
        CHECK_UINT(count, nwant);
        CHECK(memcmp(got, want, nwant * sizeof *got) == 0);
        CHECK_INT(got[nwant], 12345);
    }
    /* the union is symmetric */
    size_t count = 0;
    CHECK_INT(lobedice_labels_union(got, nr + np + 1, &count, pred, ref, 2), LOBEDICE_OK);
    CHECK_UINT(count, nwant);
    CHECK(memcmp(got, want, nwant * sizeof *got) == 0);
    free(a);
    free(b);
    free(want);
    free(got);
}

static void test_union(void)
{
    /* both maps contribute, 0 included */
    const uint8_t r[6] = {0, 1, 1, 2, 0, 0}, p[6] = {0, 2, 3, 3, 0, 0};
    lobedice_volume ref = {r, LOBEDICE_UINT8, {3, 2, 1}, {1, 1, 1}};
    lobedice_volume pred = {p, LOBEDICE_UINT8, {3, 2, 1}, {1, 1, 1}};
    int64_t got[8];
    size_t count = 0;
    CHECK_INT(lobedice_labels_union(got, 8, &count, &ref, &pred, 0), LOBEDICE_OK);
    CHECK_UINT(count, 4);
    const int64_t want[4] = {0, 1, 2, 3};
    CHECK(memcmp(got, want, sizeof want) == 0);
    check_union(&ref, &pred);

    /* disjoint label sets, mixed dtypes and sizes, no 0 anywhere */
    const int8_t s8[4] = {-5, 7, 7, -5};
    const uint32_t u32[5] = {4294967295u, 70000, 70000, 8, 4294967295u};
    lobedice_volume small = {s8, LOBEDICE_INT8, {2, 2, 1}, {1, 1, 1}};
    lobedice_volume wide = {u32, LOBEDICE_UINT32, {5, 1, 1}, {0.5, 2, 3}};
    const int64_t want_mixed[5] = {-5, 7, 8, 70000, 4294967295};
    CHECK_INT(lobedice_labels_union(got, 8, &count, &small, &wide, 1), LOBEDICE_OK);
    CHECK_UINT(count, 5);
    CHECK(memcmp(got, want_mixed, sizeof want_mixed) == 0);
    check_union(&small, &wide);

    /* one volume's values a subset of the other's: the union is the larger set */
    const int16_t s16[3] = {-300, 2, 1000};
    lobedice_volume sub = {s16, LOBEDICE_INT16, {3, 1, 1}, {1, 1, 1}};
    const int32_t s32[4] = {1000, -300, 2, -300};
    lobedice_volume super = {s32, LOBEDICE_INT32, {1, 2, 2}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_union(got, 8, &count, &sub, &super, 0), LOBEDICE_OK);
    CHECK_UINT(count, 3);
    CHECK_INT(got[0], -300);
    CHECK_INT(got[1], 2);
    CHECK_INT(got[2], 1000);

    /* runs and noise, every pair of dtypes; a few pairs with several tasks per volume */
    uint64_t rng = 17;
    const size_t few[2][3] = {{30, 20, 7}, {11, 13, 17}};
    const size_t big[2][3] = {{90, 70, 60}, {50, 40, 81}}; /* 378 000 and 162 000 voxels */
    const size_t nbig = big[0][0] * big[0][1] * big[0][2];
    int32_t *a = malloc(nbig * sizeof *a), *b = malloc(nbig * sizeof *b);
    CHECK_FATAL(a && b);
    for (size_t rd = 0; rd < 6; rd++) {
        for (size_t pd = 0; pd < 6; pd++) {
            const size_t(*size)[3] = (rd * 6 + pd) % 11 == 0 ? big : few;
            const size_t na = size[0][0] * size[0][1] * size[0][2];
            const size_t nb = size[1][0] * size[1][1] * size[1][2];
            int64_t rmin = 0, rmax = 0, pmin = 0, pmax = 0;
            test_range(all_dtypes[rd], &rmin, &rmax);
            test_range(all_dtypes[pd], &pmin, &pmax);
            for (size_t i = 0; i < na;) {
                int64_t v = rmin + (int64_t)test_below(&rng, (uint64_t)(rmax - rmin) + 1);
                for (size_t len = 1 + (size_t)test_below(&rng, 200); len > 0 && i < na; len--, i++)
                    test_store(a, all_dtypes[rd], i, test_below(&rng, 3) ? v % 6 : v);
            }
            for (size_t i = 0; i < nb; i++)
                test_store(b, all_dtypes[pd], i,
                           pmin + (int64_t)test_below(&rng, (uint64_t)(pmax - pmin) + 1));
            lobedice_volume va = {
                a, all_dtypes[rd], {size[0][0], size[0][1], size[0][2]}, {1, 1, 1}};
            lobedice_volume vb = {
                b, all_dtypes[pd], {size[1][0], size[1][1], size[1][2]}, {1, 1, 1}};
            check_union(&va, &vb);
        }
    }
    free(a);
    free(b);
}

/* The buffer rules of lobedice_labels_present, for the union. */
static void test_union_capacity(void)
{
    const uint16_t r[4] = {9, 2, 700, 2};
    const int32_t p[3] = {-4, 9, 65535};
    lobedice_volume ref = {r, LOBEDICE_UINT16, {4, 1, 1}, {1, 1, 1}};
    lobedice_volume pred = {p, LOBEDICE_INT32, {3, 1, 1}, {1, 1, 1}};
    int64_t got[5] = {-1, -1, -1, -1, -1};
    size_t count = 0;
    CHECK_INT(lobedice_labels_union(got, 3, &count, &ref, &pred, 0), LOBEDICE_OK);
    CHECK_UINT(count, 5); /* -4 2 9 700 65535 */
    CHECK_INT(got[0], -4);
    CHECK_INT(got[1], 2);
    CHECK_INT(got[2], 9);
    CHECK_INT(got[3], -1);
    count = 0;
    CHECK_INT(lobedice_labels_union(NULL, 0, &count, &ref, &pred, 0), LOBEDICE_OK);
    CHECK_UINT(count, 5);
    CHECK_INT(lobedice_labels_union(got, 5, &count, &ref, &pred, 0), LOBEDICE_OK);
    CHECK_INT(got[3], 700);
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

/* Every status of lobedice_labels_present and lobedice_labels_union, with labels and *count
 * untouched, whichever of the two volumes is bad. */
static void test_errors_write_nothing(void)
{
    uint8_t data[4] = {3, 0, 0, 1};
    const lobedice_volume volume = {data, LOBEDICE_UINT8, {2, 2, 1}, {1, 1, 1}};
    lobedice_volume bad[6];
    const lobedice_status want[6] = {LOBEDICE_EINVAL,   LOBEDICE_EDTYPE,    LOBEDICE_ESIZE,
                                     LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW, LOBEDICE_EOVERFLOW};
    for (size_t i = 0; i < 6; i++)
        bad[i] = volume;
    bad[0].data = NULL;
    bad[1].dtype = (lobedice_dtype)6;
    bad[2].size[1] = 0;
    bad[3].spacing[2] = NAN;
    bad[4].size[0] = SIZE_MAX / 2 + 1; /* voxels overflow; never read */
    bad[5].dtype = LOBEDICE_INT32;     /* voxels fit, their bytes do not */
    bad[5].size[0] = SIZE_MAX / 4 + 1;
    bad[5].size[1] = 1;
    for (size_t i = 0; i < 6; i++) {
        int64_t got[4] = {-9, -9, -9, -9};
        size_t count = 77;
        CHECK_INT(lobedice_labels_present(got, 4, &count, &bad[i], 0), want[i]);
        CHECK_INT(lobedice_labels_union(got, 4, &count, &bad[i], &volume, 0), want[i]);
        CHECK_INT(lobedice_labels_union(got, 4, &count, &volume, &bad[i], 0), want[i]);
        CHECK_UINT(count, 77);
        CHECK(got[0] == -9 && got[1] == -9 && got[2] == -9 && got[3] == -9);
    }
    int64_t got[4] = {-9, -9, -9, -9};
    size_t count = 77;
    CHECK_INT(lobedice_labels_union(got, 4, NULL, &volume, &volume, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_union(NULL, 4, &count, &volume, &volume, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_union(got, 4, &count, NULL, &volume, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_union(got, 4, &count, &volume, NULL, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_present(NULL, 1, &count, &volume, 0), LOBEDICE_EINVAL);
    CHECK_UINT(count, 77);
    CHECK(got[0] == -9 && got[1] == -9 && got[2] == -9 && got[3] == -9);
    CHECK_INT(lobedice_labels_union(got, 4, &count, &volume, &volume, 0), LOBEDICE_OK);
    CHECK_UINT(count, 3);
    CHECK(got[0] == 0 && got[1] == 1 && got[2] == 3 && got[3] == -9);
}

static const check_case cases[] = {
    {"each_dtype", test_each_dtype},
    {"many_values", test_many_values},
    {"runs_and_chunk_edges", test_runs_and_chunk_edges},
    {"union", test_union},
    {"union_capacity", test_union_capacity},
    {"capacity", test_capacity},
    {"errors", test_errors},
    {"errors_write_nothing", test_errors_write_nothing},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
