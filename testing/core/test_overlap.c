/* Overlap measures: the worked example of docs/measures.md, label sets, random volumes against
 * a naive per-label count, thread-count invariance, the disagreement map and every error
 * status. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- The 4 x 6 example of docs/measures.md ------------------------------------------------ */

static const int example_ref[24] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                    0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
static const int example_pred[24] = {1, 1, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0,
                                     0, 0, 2, 2, 4, 4, 0, 0, 0, 2, 4, 0};
static const double example_spacing[3] = {0.5, 2.0, 3.0}; /* 3 mm^3 = 0.003 ml per voxel */

static lobedice_volume example_volume(void *buffer, lobedice_dtype dtype, const int *values)
{
    for (size_t i = 0; i < 24; i++)
        test_store(buffer, dtype, i, values[i]);
    lobedice_volume v = {buffer, dtype, {6, 4, 1}, {0, 0, 0}};
    memcpy(v.spacing, example_spacing, sizeof v.spacing);
    return v;
}

typedef struct expected_overlap {
    int64_t label;
    uint64_t tp, fp, fn, tn;
    double dice, jaccard, precision, sensitivity, specificity, vref, vpred, vs;
    lobedice_presence presence;
} expected_overlap;

static const expected_overlap example_expected[5] = {
    {1, 4, 0, 0, 20, 1.0, 1.0, 1.0, 1.0, 1.0, 0.012, 0.012, 0.0, LOBEDICE_PRESENT},
    {2, 5, 1, 1, 17, 10.0 / 12, 5.0 / 7, 5.0 / 6, 5.0 / 6, 17.0 / 18, 0.018, 0.018, 0.0,
     LOBEDICE_PRESENT},
    {3, 0, 0, 4, 20, 0.0, 0.0, NAN, 0.0, 1.0, 0.012, 0.0, -2.0, LOBEDICE_MISSING_IN_PREDICTION},
    {4, 0, 3, 0, 21, 0.0, 0.0, 0.0, NAN, 21.0 / 24, 0.0, 0.009, 2.0, LOBEDICE_MISSING_IN_REFERENCE},
    {5, 0, 0, 0, 24, NAN, NAN, NAN, NAN, 1.0, 0.0, 0.0, NAN, LOBEDICE_ABSENT},
};

static void check_expected(const lobedice_label_overlap *got, const expected_overlap *want)
{
    CHECK_INT(got->label, want->label);
    CHECK_UINT(got->tp, want->tp);
    CHECK_UINT(got->fp, want->fp);
    CHECK_UINT(got->fn, want->fn);
    CHECK_UINT(got->tn, want->tn);
    CHECK_NEAR(got->dice, want->dice, 1e-15);
    CHECK_NEAR(got->jaccard, want->jaccard, 1e-15);
    CHECK_NEAR(got->precision, want->precision, 1e-15);
    CHECK_NEAR(got->sensitivity, want->sensitivity, 1e-15);
    CHECK_NEAR(got->specificity, want->specificity, 1e-15);
    CHECK_NEAR(got->volume_ref_ml, want->vref, 1e-15);
    CHECK_NEAR(got->volume_pred_ml, want->vpred, 1e-15);
    CHECK_NEAR(got->volume_similarity, want->vs, 1e-15);
    CHECK_INT(lobedice_overlap_presence(got), want->presence);
}

static void test_worked_example(void)
{
    int32_t rbuf[24], pbuf[24];
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    /* every pair of dtypes gives the same numbers */
    for (size_t r = 0; r < 6; r++) {
        for (size_t p = 0; p < 6; p++) {
            lobedice_volume ref = example_volume(rbuf, all_dtypes[r], example_ref);
            lobedice_volume pred = example_volume(pbuf, all_dtypes[p], example_pred);
            lobedice_label_overlap out[5];
            CHECK_INT(lobedice_overlap(out, &ref, &pred, labels, 5, 0), LOBEDICE_OK);
            for (size_t i = 0; i < 5; i++)
                check_expected(&out[i], &example_expected[i]);
        }
    }
    /* the printed figures of measures.md */
    lobedice_volume ref = example_volume(rbuf, LOBEDICE_UINT8, example_ref);
    lobedice_volume pred = example_volume(pbuf, LOBEDICE_UINT8, example_pred);
    lobedice_label_overlap out[5];
    CHECK_INT(lobedice_overlap(out, &ref, &pred, labels, 5, 0), LOBEDICE_OK);
    CHECK_NEAR(out[1].dice, 0.833333, 5e-7);
    CHECK_NEAR(out[1].jaccard, 0.714286, 5e-7);

    lobedice_overlap_summary all, four;
    CHECK_INT(lobedice_overlap_summarize(&all, out, 5), LOBEDICE_OK);
    CHECK_UINT(all.labels, 5);
    CHECK_NEAR(all.mean_dice, 0.458333, 5e-7);
    CHECK_NEAR(all.mean_dice, (1.0 + 10.0 / 12) / 4, 1e-15);
    CHECK_UINT(all.n_dice, 4);
    CHECK_NEAR(all.mean_jaccard, (1.0 + 5.0 / 7) / 4, 1e-15);
    CHECK_UINT(all.n_jaccard, 4);
    CHECK_NEAR(all.mean_precision, (1.0 + 5.0 / 6 + 0.0) / 3, 1e-15);
    CHECK_UINT(all.n_precision, 3);
    CHECK_NEAR(all.mean_sensitivity, (1.0 + 5.0 / 6 + 0.0) / 3, 1e-15);
    CHECK_UINT(all.n_sensitivity, 3);
    CHECK_NEAR(all.mean_specificity, (1.0 + 17.0 / 18 + 1.0 + 21.0 / 24 + 1.0) / 5, 1e-15);
    CHECK_UINT(all.n_specificity, 5);
    CHECK_NEAR(all.mean_volume_similarity, 0.0, 1e-15);
    CHECK_UINT(all.n_volume_similarity, 4);
    CHECK_NEAR(all.pooled_dice, 2.0 / 3, 1e-15);
    CHECK_INT(lobedice_overlap_summarize(&four, out, 4), LOBEDICE_OK);
    CHECK_NEAR(four.pooled_dice, 0.666667, 5e-7);
    CHECK_NEAR(four.pooled_dice, 18.0 / 27, 1e-15);
    CHECK_UINT(four.n_dice, 4);
}

/* tn + fp = 0: every voxel is the label in both maps. */
static void test_specificity_undefined(void)
{
    uint8_t ref_data[8], pred_data[8];
    memset(ref_data, 3, sizeof ref_data);
    memset(pred_data, 3, sizeof pred_data);
    lobedice_volume ref = {ref_data, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    lobedice_volume pred = {pred_data, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    const int64_t labels[2] = {3, 0};
    lobedice_label_overlap out[2];
    CHECK_INT(lobedice_overlap(out, &ref, &pred, labels, 2, 0), LOBEDICE_OK);
    CHECK_UINT(out[0].tp, 8);
    CHECK_UINT(out[0].tn, 0);
    CHECK(isnan(out[0].specificity));
    CHECK_NEAR(out[0].dice, 1.0, 0);
    /* label 0 is absent here, and is measured like any other label when asked for */
    CHECK_UINT(out[1].tn, 8);
    CHECK_NEAR(out[1].specificity, 1.0, 0);
    CHECK(isnan(out[1].dice));
}

/* ---- Label sets ---------------------------------------------------------------------------- */

static void test_label_sets(void)
{
    /* reference 1 1 2 2 0, prediction 2 1 1 0 2 */
    const uint8_t ref_data[5] = {1, 1, 2, 2, 0};
    const int16_t pred_data[5] = {2, 1, 1, 0, 2};
    lobedice_volume ref = {ref_data, LOBEDICE_UINT8, {5, 1, 1}, {1, 1, 1}};
    lobedice_volume pred = {pred_data, LOBEDICE_INT16, {5, 1, 1}, {1, 1, 1}};
    const int64_t both[2] = {1, 2}, twice[4] = {2, 1, 2, 1}, one[1] = {1}, two[1] = {2},
                  other[2] = {0, 9};
    const lobedice_label_set sets[6] = {
        {12, both, 2}, {21, twice, 4}, {1, one, 1}, {2, two, 1}, {7, NULL, 0}, {90, other, 2},
    };
    lobedice_label_overlap out[6];
    for (size_t threads = 0; threads < 3; threads++) {
        CHECK_INT(lobedice_overlap_sets(out, &ref, &pred, sets, 6, threads), LOBEDICE_OK);
        /* {1, 2}: voxels 0..3 in the reference, 0, 1, 2, 4 in the prediction */
        for (size_t s = 0; s < 2; s++) {
            CHECK_INT(out[s].label, sets[s].id);
            CHECK_UINT(out[s].tp, 3);
            CHECK_UINT(out[s].fp, 1);
            CHECK_UINT(out[s].fn, 1);
            CHECK_UINT(out[s].tn, 0);
            CHECK_NEAR(out[s].dice, 0.75, 1e-15);
            CHECK_NEAR(out[s].specificity, 0.0, 0); /* tn 0, fp 1 */
        }
        CHECK_INT(out[2].label, 1);
        CHECK_UINT(out[2].tp, 1);
        CHECK_UINT(out[2].fp, 1);
        CHECK_UINT(out[2].fn, 1);
        CHECK_UINT(out[2].tn, 2);
        CHECK_UINT(out[3].tp, 0);
        CHECK_UINT(out[3].fp, 2);
        CHECK_UINT(out[3].fn, 2);
        CHECK_UINT(out[3].tn, 1);
        /* the empty set: nothing in either map */
        CHECK_INT(out[4].label, 7);
        CHECK_UINT(out[4].tp + out[4].fp + out[4].fn, 0);
        CHECK_UINT(out[4].tn, 5);
        CHECK(isnan(out[4].dice));
        CHECK_INT(lobedice_overlap_presence(&out[4]), LOBEDICE_ABSENT);
        /* {0, 9}: voxel 4 in the reference, voxel 3 in the prediction */
        CHECK_UINT(out[5].tp, 0);
        CHECK_UINT(out[5].fp, 1);
        CHECK_UINT(out[5].fn, 1);
    }
}

/* ---- Random volumes against a naive count --------------------------------------------------- */

static const int64_t value_pool[] = {
    0,    1,    2,     3,     4,      5,          7,     -1,    -3,   200,         255,        300,
    1000, -200, 65535, 70000, -40000, 2147483647, -5000, 32767, -128, -2147483648, 4294967295, 127};
#define POOL_SIZE (sizeof value_pool / sizeof value_pool[0])

static int64_t random_value(lobedice_dtype dtype, uint64_t *rng)
{
    for (;;) {
        /* mostly lobes, sometimes other small labels or anything */
        uint64_t pick = test_below(rng, 4);
        int64_t v = pick < 2    ? (int64_t)test_below(rng, 6)
                    : pick == 2 ? (int64_t)test_below(rng, 46)
                                : value_pool[test_below(rng, POOL_SIZE)];
        if (test_fits(dtype, v))
            return v;
    }
}

/* A label map made of runs (length 1 .. max_run), and a prediction that copies it with some
 * runs replaced, the way a segmentation disagrees near boundaries. */
static void fill_pair(void *ref, lobedice_dtype rd, void *pred, lobedice_dtype pd, size_t n,
                      size_t max_run, uint64_t *rng)
{
    for (size_t i = 0; i < n;) {
        int64_t v = random_value(rd, rng);
        size_t len = 1 + (size_t)test_below(rng, max_run);
        for (size_t j = 0; j < len && i < n; j++, i++)
            test_store(ref, rd, i, v);
    }
    for (size_t i = 0; i < n; i++) {
        int64_t v = test_load(ref, rd, i);
        test_store(pred, pd, i, test_fits(pd, v) ? v : random_value(pd, rng));
    }
    for (size_t i = 0; i < n;) {
        size_t gap = (size_t)test_below(rng, 3 * max_run + 1);
        size_t len = 1 + (size_t)test_below(rng, max_run);
        int64_t v = random_value(pd, rng);
        for (i += gap; len > 0 && i < n; len--, i++)
            test_store(pred, pd, i, v);
    }
}

static int in_set(int64_t v, const int64_t *labels, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (labels[j] == v)
            return 1;
    return 0;
}

/* The measures of one set counted voxel by voxel, straight from docs/measures.md. */
static void check_naive(const lobedice_label_overlap *got, const lobedice_label_set *set,
                        const lobedice_volume *ref, const lobedice_volume *pred, size_t n)
{
    uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        int a = in_set(test_load(ref->data, ref->dtype, i), set->labels, set->nlabels);
        int b = in_set(test_load(pred->data, pred->dtype, i), set->labels, set->nlabels);
        tp += a && b;
        fp += !a && b;
        fn += a && !b;
        tn += !a && !b;
    }
    double ml = ref->spacing[0] * ref->spacing[1] * ref->spacing[2] / 1000.0;
    double A = (double)(tp + fn), B = (double)(tp + fp);
    CHECK_INT(got->label, set->id);
    CHECK_UINT(got->tp, tp);
    CHECK_UINT(got->fp, fp);
    CHECK_UINT(got->fn, fn);
    CHECK_UINT(got->tn, tn);
    CHECK_NEAR(got->dice, A + B > 0 ? 2.0 * tp / (2.0 * tp + fp + fn) : NAN, 1e-15);
    CHECK_NEAR(got->jaccard, A + B > 0 ? (double)tp / (double)(tp + fp + fn) : NAN, 1e-15);
    CHECK_NEAR(got->precision, B > 0 ? tp / B : NAN, 1e-15);
    CHECK_NEAR(got->sensitivity, A > 0 ? tp / A : NAN, 1e-15);
    CHECK_NEAR(got->specificity, tn + fp > 0 ? (double)tn / (double)(tn + fp) : NAN, 1e-15);
    CHECK_NEAR(got->volume_ref_ml, A * ml, 1e-12);
    CHECK_NEAR(got->volume_pred_ml, B * ml, 1e-12);
    CHECK_NEAR(got->volume_similarity, A + B > 0 ? 2.0 * (B - A) / (A + B) : NAN, 1e-15);
}

/* Labels asked for: lobes, absent ones, repeats, negatives, values some dtypes cannot hold. */
static const int64_t asked[] = {1,  2,   3,   4,     5,           0,          6,      3,
                                -1, 255, 300, 70000, -2147483648, 4294967295, -40000, 127};
#define NASKED (sizeof asked / sizeof asked[0])
static const int64_t right[] = {1, 2, 3}, left[] = {4, 5}, lungs[] = {5, 4, 3, 2, 1},
                     mixed[] = {300, -1, 255, 1, 1}, wide[] = {4294967295, 0, -2147483648, 7};
static const lobedice_label_set random_sets[] = {
    {101, right, 3}, {102, left, 2}, {103, lungs, 5},      {104, mixed, 5},
    {105, wide, 4},  {106, NULL, 0}, {107, asked, NASKED}, {108, right + 1, 1},
};
#define NSETS (sizeof random_sets / sizeof random_sets[0])

/* Labels 0..39 and a few unions: more classes than the confusion-matrix kernel takes. */
static int64_t many_labels[40];
static const lobedice_label_set many_sets[] = {
    {201, many_labels, 40}, {202, many_labels + 1, 5}, {203, many_labels + 30, 10},
    {204, right, 3},        {205, lungs, 5},           {206, many_labels + 38, 1},
};
#define NMANY_SETS (sizeof many_sets / sizeof many_sets[0])

typedef struct label_request {
    const int64_t *labels;
    size_t nlabels;
    const lobedice_label_set *sets;
    size_t nsets;
} label_request;

static void compare_random(lobedice_dtype rd, lobedice_dtype pd, const size_t size[3],
                           size_t max_run, const label_request *ask, uint64_t *rng)
{
    size_t n = size[0] * size[1] * size[2];
    void *rbuf = malloc(4 * n), *pbuf = malloc(4 * n);
    lobedice_label_overlap *out = malloc((ask->nlabels + ask->nsets) * sizeof *out);
    CHECK_FATAL(rbuf && pbuf && out);
    fill_pair(rbuf, rd, pbuf, pd, n, max_run, rng);
    lobedice_volume ref = {rbuf, rd, {size[0], size[1], size[2]}, {0.7, 1.1, 2.5}};
    lobedice_volume pred = {pbuf, pd, {size[0], size[1], size[2]}, {9.0, 9.0, 9.0}};

    CHECK_INT(lobedice_overlap(out, &ref, &pred, ask->labels, ask->nlabels, 0), LOBEDICE_OK);
    for (size_t i = 0; i < ask->nlabels; i++) {
        lobedice_label_set one = {ask->labels[i], &ask->labels[i], 1};
        check_naive(&out[i], &one, &ref, &pred, n);
    }
    CHECK_INT(lobedice_overlap_sets(out, &ref, &pred, ask->sets, ask->nsets, 2), LOBEDICE_OK);
    for (size_t s = 0; s < ask->nsets; s++)
        check_naive(&out[s], &ask->sets[s], &ref, &pred, n);
    free(rbuf);
    free(pbuf);
    free(out);
}

static void test_random_volumes(void)
{
    uint64_t rng = 20240611;
    const label_request few = {asked, NASKED, random_sets, NSETS};
    const size_t small[3][3] = {{1, 1, 1}, {5, 3, 2}, {33, 17, 9}};
    for (size_t r = 0; r < 6; r++)
        for (size_t p = 0; p < 6; p++)
            for (size_t s = 0; s < 3; s++)
                compare_random(all_dtypes[r], all_dtypes[p], small[s], 1 + 20 * s, &few, &rng);
    /* more than one task (chunks of 2^18 voxels), long runs and pure noise */
    const size_t large[3] = {70, 60, 70};
    compare_random(LOBEDICE_UINT8, LOBEDICE_UINT8, large, 300, &few, &rng);
    compare_random(LOBEDICE_INT16, LOBEDICE_INT16, large, 100, &few, &rng);
    compare_random(LOBEDICE_INT16, LOBEDICE_UINT8, large, 40, &few, &rng);
    compare_random(LOBEDICE_INT32, LOBEDICE_UINT16, large, 1, &few, &rng);
}

/* 8/16-bit maps with more labels than the confusion-matrix kernel takes. */
static void test_random_many_labels(void)
{
    uint64_t rng = 4;
    for (size_t i = 0; i < 40; i++)
        many_labels[i] = (int64_t)i;
    const label_request many = {many_labels, 40, many_sets, NMANY_SETS};
    const size_t size[3] = {41, 23, 19};
    for (size_t r = 0; r < 4; r++)
        for (size_t p = 0; p < 4; p++)
            compare_random(all_dtypes[r], all_dtypes[p], size, 1 + 7 * r + p, &many, &rng);
}

/* ---- Thread-count invariance ---------------------------------------------------------------- */

static void check_same_overlap(const lobedice_label_overlap *a, const lobedice_label_overlap *b)
{
    CHECK_INT(a->label, b->label);
    CHECK_UINT(a->tp, b->tp);
    CHECK_UINT(a->fp, b->fp);
    CHECK_UINT(a->fn, b->fn);
    CHECK_UINT(a->tn, b->tn);
    CHECK_SAME(a->dice, b->dice);
    CHECK_SAME(a->jaccard, b->jaccard);
    CHECK_SAME(a->precision, b->precision);
    CHECK_SAME(a->sensitivity, b->sensitivity);
    CHECK_SAME(a->specificity, b->specificity);
    CHECK_SAME(a->volume_ref_ml, b->volume_ref_ml);
    CHECK_SAME(a->volume_pred_ml, b->volume_pred_ml);
    CHECK_SAME(a->volume_similarity, b->volume_similarity);
}

/* Both kernels: the confusion matrix (int16 / uint8) and runs (int32 / uint8). */
static void test_thread_invariance(void)
{
    uint64_t rng = 7;
    const size_t size[3] = {128, 100, 97}; /* 1241600 voxels: 5 tasks */
    size_t n = size[0] * size[1] * size[2];
    int32_t *rbuf = malloc(n * sizeof *rbuf);
    uint8_t *pbuf = malloc(n);
    int16_t *map1 = malloc(n * sizeof *map1), *map = malloc(n * sizeof *map);
    uint8_t *map8 = malloc(n);
    CHECK_FATAL(rbuf && pbuf && map1 && map && map8);
    const lobedice_dtype ref_dtypes[2] = {LOBEDICE_INT16, LOBEDICE_INT32};
    for (size_t d = 0; d < 2; d++) {
        fill_pair(rbuf, ref_dtypes[d], pbuf, LOBEDICE_UINT8, n, 50, &rng);
        lobedice_volume ref = {rbuf, ref_dtypes[d], {size[0], size[1], size[2]}, {0.3, 0.7, 1.9}};
        lobedice_volume pred = {pbuf, LOBEDICE_UINT8, {size[0], size[1], size[2]}, {1, 1, 1}};
        const int64_t lobes[5] = {1, 2, 3, 4, 5};

        lobedice_label_overlap first[NSETS], again[NSETS];
        CHECK_INT(lobedice_overlap_sets(first, &ref, &pred, random_sets, NSETS, 1), LOBEDICE_OK);
        CHECK_INT(lobedice_disagreement_map(map1, LOBEDICE_INT16, &ref, &pred, lobes, 5, 1),
                  LOBEDICE_OK);
        for (size_t s = 0; s < NSETS; s++) /* every task counted, once */
            check_naive(&first[s], &random_sets[s], &ref, &pred, n);
        const size_t thread_counts[] = {2, 3, 7, 0};
        for (size_t t = 0; t < 4; t++) {
            memset(again, 0xab, sizeof again);
            CHECK_INT(
                lobedice_overlap_sets(again, &ref, &pred, random_sets, NSETS, thread_counts[t]),
                LOBEDICE_OK);
            for (size_t s = 0; s < NSETS; s++)
                check_same_overlap(&first[s], &again[s]);
            memset(map, 0x55, n * sizeof *map);
            CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, lobes, 5,
                                                thread_counts[t]),
                      LOBEDICE_OK);
            CHECK(memcmp(map, map1, n * sizeof *map) == 0);
            memset(map8, 0x55, n);
            CHECK_INT(lobedice_disagreement_map(map8, LOBEDICE_UINT8, &ref, &pred, lobes, 5,
                                                thread_counts[t]),
                      LOBEDICE_OK);
            size_t differ = 0;
            for (size_t i = 0; i < n; i++)
                differ += map8[i] != map1[i];
            CHECK_UINT(differ, 0);
        }
        /* lobedice_overlap is the single-label sets on all cores */
        lobedice_label_overlap single[5];
        lobedice_label_set one[5];
        for (size_t i = 0; i < 5; i++)
            one[i] = (lobedice_label_set){lobes[i], &lobes[i], 1};
        CHECK_INT(lobedice_overlap(single, &ref, &pred, lobes, 5, 0), LOBEDICE_OK);
        CHECK_INT(lobedice_overlap_sets(again, &ref, &pred, one, 5, 3), LOBEDICE_OK);
        for (size_t i = 0; i < 5; i++)
            check_same_overlap(&single[i], &again[i]);
    }
    free(rbuf);
    free(pbuf);
    free(map1);
    free(map);
    free(map8);
}

/* ---- Disagreement map ----------------------------------------------------------------------- */

static void test_disagreement_map(void)
{
    uint8_t rbuf[24];
    int32_t pbuf[24];
    lobedice_volume ref = example_volume(rbuf, LOBEDICE_UINT8, example_ref);
    lobedice_volume pred = example_volume(pbuf, LOBEDICE_INT32, example_pred);
    int16_t map[24];
    uint8_t map8[24];

    const int64_t lobes[5] = {1, 2, 3, 4, 5};
    const int16_t want_lobes[24] = {1, 1, 2, 2, 130, 130, 1, 1, 2, 120, 130, 130,
                                    0, 0, 2, 2, 104, 104, 0, 0, 0, 102, 104, 0};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, lobes, 5, 0),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map[i], want_lobes[i]);
    /* the same codes in one byte each */
    memset(map8, 0xee, sizeof map8);
    CHECK_INT(lobedice_disagreement_map(map8, LOBEDICE_UINT8, &ref, &pred, lobes, 5, 0),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map8[i], want_lobes[i]);

    /* k follows the order of `labels`; values not asked for count as background */
    const int64_t two_one[2] = {2, 1};
    const int16_t want_two_one[24] = {2, 2, 1, 1, 0, 0, 2, 2, 1, 110, 0, 0,
                                      0, 0, 1, 1, 0, 0, 0, 0, 0, 101, 0, 0};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, two_one, 2, 1),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map[i], want_two_one[i]);
    /* two labels code at most 121, which int8 holds */
    int8_t map_s8[24];
    CHECK_INT(lobedice_disagreement_map(map_s8, LOBEDICE_INT8, &ref, &pred, two_one, 2, 1),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map_s8[i], want_two_one[i]);
    /* a repeated label keeps its first position */
    const int64_t repeated[4] = {2, 1, 2, 1};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, repeated, 4, 1),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map[i], want_two_one[i]);

    /* 10..99 labels: 10000 + 100 k(ref) + k(pred) */
    int64_t many[12];
    for (size_t i = 0; i < 12; i++)
        many[i] = (int64_t)i + 1;
    const int16_t want_many[24] = {1, 1, 2, 2, 10300, 10300, 1, 1, 2, 10200, 10300, 10300,
                                   0, 0, 2, 2, 10004, 10004, 0, 0, 0, 10002, 10004, 0};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, many, 12, 2),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map[i], want_many[i]);
    int32_t map32[24];
    CHECK_INT(lobedice_disagreement_map(map32, LOBEDICE_INT32, &ref, &pred, many, 12, 2),
              LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map32[i], want_many[i]);

    /* 9 labels is the last with the short coding, 10 the first with the long one */
    const uint8_t r9[2] = {9, 0}, p9[2] = {8, 10};
    lobedice_volume ref9 = {r9, LOBEDICE_UINT8, {2, 1, 1}, {1, 1, 1}};
    lobedice_volume pred9 = {p9, LOBEDICE_UINT8, {2, 1, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref9, &pred9, many, 9, 0),
              LOBEDICE_OK);
    CHECK_INT(map[0], 198);
    CHECK_INT(map[1], 0); /* 10 is not asked for: background */
    CHECK_INT(lobedice_disagreement_map(map8, LOBEDICE_UINT8, &ref9, &pred9, many, 9, 0),
              LOBEDICE_OK);
    CHECK_INT(map8[0], 198); /* the largest code of 9 labels fits one unsigned byte */
    CHECK_INT(map8[1], 0);
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref9, &pred9, many, 10, 0),
              LOBEDICE_OK);
    CHECK_INT(map[0], 10908);
    CHECK_INT(map[1], 10010);

    /* 99 labels is the largest coding: reference label 99 predicted as label 98 */
    int64_t most[99];
    for (size_t i = 0; i < 99; i++)
        most[i] = (int64_t)i + 1;
    uint8_t r1[2] = {99, 99}, p1[2] = {98, 99};
    lobedice_volume ref1 = {r1, LOBEDICE_UINT8, {2, 1, 1}, {1, 1, 1}};
    lobedice_volume pred1 = {p1, LOBEDICE_UINT8, {2, 1, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref1, &pred1, most, 99, 0),
              LOBEDICE_OK);
    CHECK_INT(map[0], 10000 + 100 * 99 + 98);
    CHECK_INT(map[1], 99);

    /* no labels: all background */
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT16, &ref, &pred, NULL, 0, 0), LOBEDICE_OK);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(map[i], 0);

    /* the smallest dtype for a label count */
    lobedice_dtype dtype = (lobedice_dtype)-1;
    const size_t counts[] = {0, 1, 9, 10, 99};
    const lobedice_dtype smallest[] = {LOBEDICE_UINT8, LOBEDICE_UINT8, LOBEDICE_UINT8,
                                       LOBEDICE_INT16, LOBEDICE_INT16};
    for (size_t i = 0; i < CHECK_COUNT(counts); i++) {
        CHECK_INT(lobedice_disagreement_dtype(&dtype, counts[i]), LOBEDICE_OK);
        CHECK_INT(dtype, smallest[i]);
    }
    CHECK_INT(lobedice_disagreement_dtype(&dtype, 100), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_dtype(NULL, 5), LOBEDICE_EINVAL);
}

/* k(v) as the header defines it: position + 1 of v's first occurrence in labels, else 0. */
static uint32_t naive_k(int64_t v, const int64_t *labels, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (labels[j] == v)
            return (uint32_t)j + 1;
    return 0;
}

/* Random runs (long ones take the constant-block path, short ones the per-voxel one) over
 * several tasks and a ragged end, every pair of input dtypes, every output dtype that holds
 * the codes, against the header's formula voxel by voxel. */
static void test_disagreement_map_random(void)
{
    uint64_t rng = 99;
    const size_t n = 3 * 65536 + 77;
    int32_t *rbuf = malloc(n * sizeof *rbuf), *pbuf = malloc(n * sizeof *pbuf);
    uint32_t *map = malloc(n * sizeof *map);
    CHECK_FATAL(rbuf && pbuf && map);
    const int64_t five[5] = {1, 2, 3, 4, 5};
    int64_t twelve[12];
    for (size_t i = 0; i < 12; i++)
        twelve[i] = (int64_t)i;
    const lobedice_dtype pairs[][2] = {{LOBEDICE_UINT8, LOBEDICE_UINT8},
                                       {LOBEDICE_INT16, LOBEDICE_INT16},
                                       {LOBEDICE_INT16, LOBEDICE_UINT8},
                                       {LOBEDICE_INT32, LOBEDICE_INT16},
                                       {LOBEDICE_UINT32, LOBEDICE_INT8}};
    for (size_t c = 0; c < CHECK_COUNT(pairs); c++) {
        const lobedice_dtype rd = pairs[c][0], pd = pairs[c][1];
        fill_pair(rbuf, rd, pbuf, pd, n, 200, &rng);
        const lobedice_volume ref = {rbuf, rd, {n, 1, 1}, {1, 1, 1}};
        const lobedice_volume pred = {pbuf, pd, {n, 1, 1}, {1, 1, 1}};
        for (int many = 0; many < 2; many++) {
            const int64_t *labels = many ? twelve : five;
            const size_t nlabels = many ? 12 : 5;
            const uint32_t base = many ? 10000 : 100, scale = many ? 100 : 10;
            for (size_t d = 0; d < CHECK_COUNT(all_dtypes); d++) {
                const lobedice_dtype out = all_dtypes[d];
                int64_t min, max;
                test_range(out, &min, &max);
                lobedice_status st =
                    lobedice_disagreement_map(map, out, &ref, &pred, labels, nlabels, 2);
                if (max < (many ? 19998 : 198)) {
                    CHECK_INT(st, LOBEDICE_EINVAL); /* too small for the codes */
                    continue;
                }
                CHECK_INT(st, LOBEDICE_OK);
                size_t wrong = 0;
                for (size_t i = 0; i < n; i++) {
                    const uint32_t kr = naive_k(test_load(rbuf, rd, i), labels, nlabels),
                                   kp = naive_k(test_load(pbuf, pd, i), labels, nlabels);
                    const int64_t want = kr == kp ? kr : base + scale * kr + kp;
                    wrong += test_load(map, out, i) != want;
                }
                CHECK_UINT(wrong, 0);
            }
        }
    }
    free(rbuf);
    free(pbuf);
    free(map);
}

/* ---- Error statuses -------------------------------------------------------------------------- */

static void test_errors(void)
{
    uint8_t a[8] = {0}, b[8] = {0};
    const int64_t labels[1] = {1};
    lobedice_label_overlap out[2];
    int16_t map[8];
    const lobedice_volume good = {a, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    lobedice_volume pred = {b, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    lobedice_volume bad;

    CHECK_INT(lobedice_overlap(out, &good, &pred, labels, 1, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_overlap(NULL, &good, &pred, labels, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap(out, &good, &pred, NULL, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap(out, NULL, &pred, labels, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap(out, &good, NULL, labels, 1, 0), LOBEDICE_EINVAL);
    bad = good;
    bad.data = NULL;
    CHECK_INT(lobedice_overlap(out, &bad, &pred, labels, 1, 0), LOBEDICE_EINVAL);
    bad = good;
    bad.dtype = (lobedice_dtype)42;
    CHECK_INT(lobedice_overlap(out, &bad, &pred, labels, 1, 0), LOBEDICE_EDTYPE);
    CHECK_INT(lobedice_overlap(out, &pred, &bad, labels, 1, 0), LOBEDICE_EDTYPE);
    bad = good;
    bad.size[1] = 1;
    CHECK_INT(lobedice_overlap(out, &bad, &pred, labels, 1, 0), LOBEDICE_ESIZE);
    bad.size[1] = 0;
    CHECK_INT(lobedice_overlap(out, &bad, &pred, labels, 1, 0), LOBEDICE_ESIZE);
    const double bad_spacings[4] = {0.0, -1.0, NAN, INFINITY};
    for (size_t i = 0; i < 4; i++) {
        bad = good;
        bad.spacing[2] = bad_spacings[i];
        CHECK_INT(lobedice_overlap(out, &bad, &pred, labels, 1, 0), LOBEDICE_ESPACING);
    }
    /* only the reference's spacing is used, but both volumes must be valid */
    CHECK_INT(lobedice_overlap(out, &good, &bad, labels, 1, 0), LOBEDICE_ESPACING);
    bad = good;
    bad.size[0] = SIZE_MAX / 2 + 1;
    bad.size[1] = 2;
    CHECK_INT(lobedice_overlap(out, &bad, &bad, labels, 1, 0), LOBEDICE_EOVERFLOW);
    bad.dtype = LOBEDICE_INT32;
    bad.size[0] = SIZE_MAX / 8 + 1;
    bad.size[1] = 1;
    CHECK_INT(lobedice_overlap(out, &bad, &bad, labels, 1, 0), LOBEDICE_EOVERFLOW);

    /* nothing asked: fine, nothing written */
    memset(out, 0x5a, sizeof out);
    CHECK_INT(lobedice_overlap(NULL, &good, &pred, NULL, 0, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_overlap(out, &good, &pred, labels, 0, 0), LOBEDICE_OK);
    CHECK_UINT(out[0].tp, UINT64_C(0x5a5a5a5a5a5a5a5a));
    CHECK_INT(lobedice_overlap(NULL, &good, &bad, NULL, 0, 0), LOBEDICE_EOVERFLOW);

    /* sets */
    const lobedice_label_set null_labels = {1, NULL, 2}, empty = {2, NULL, 0};
    const lobedice_label_set huge = {3, labels, SIZE_MAX / 4};
    const lobedice_label_set halves[2] = {{1, labels, SIZE_MAX / 2 + 1},
                                          {2, labels, SIZE_MAX / 2 + 1}};
    CHECK_INT(lobedice_overlap_sets(out, &good, &pred, NULL, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap_sets(NULL, &good, &pred, &empty, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap_sets(out, &good, &pred, &null_labels, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap_sets(out, &good, &pred, &empty, 1, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_overlap_sets(out, &good, &pred, &huge, 1, 0), LOBEDICE_EOVERFLOW);
    CHECK_INT(lobedice_overlap_sets(out, &good, &pred, halves, 2, 0), LOBEDICE_EOVERFLOW);
    bad = good;
    bad.size[2] = 3;
    CHECK_INT(lobedice_overlap_sets(out, &good, &bad, &empty, 1, 0), LOBEDICE_ESIZE);

    /* disagreement map */
    int64_t hundred[100];
    for (size_t i = 0; i < 100; i++)
        hundred[i] = (int64_t)i;
    const lobedice_dtype i16 = LOBEDICE_INT16;
    CHECK_INT(lobedice_disagreement_map(NULL, i16, &good, &pred, labels, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &good, &pred, NULL, 1, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &good, &pred, hundred, 100, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &good, &pred, hundred, 99, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_disagreement_map(map, i16, &good, &bad, labels, 1, 0), LOBEDICE_ESIZE);
    CHECK_INT(lobedice_disagreement_map(map, i16, NULL, &pred, labels, 1, 0), LOBEDICE_EINVAL);
    /* an output dtype too small for the codes, or unknown */
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_UINT8, &good, &pred, hundred, 10, 0),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_UINT8, &good, &pred, hundred, 9, 0),
              LOBEDICE_OK);
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT8, &good, &pred, hundred, 3, 0),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_INT8, &good, &pred, hundred, 2, 0),
              LOBEDICE_OK);
    CHECK_INT(lobedice_disagreement_map(map, (lobedice_dtype)42, &good, &pred, labels, 1, 0),
              LOBEDICE_EDTYPE);
    bad = good;
    bad.spacing[0] = NAN;
    CHECK_INT(lobedice_disagreement_map(map, i16, &bad, &pred, labels, 1, 0), LOBEDICE_ESPACING);
    bad = good;
    bad.dtype = (lobedice_dtype)-1;
    CHECK_INT(lobedice_disagreement_map(map, i16, &good, &bad, labels, 1, 0), LOBEDICE_EDTYPE);

    /* aggregates */
    lobedice_overlap_summary summary;
    CHECK_INT(lobedice_overlap_summarize(NULL, out, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap_summarize(&summary, NULL, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_overlap_summarize(&summary, NULL, 0), LOBEDICE_OK);
    CHECK_UINT(summary.labels, 0);
    CHECK(isnan(summary.mean_dice));
    CHECK_UINT(summary.n_dice, 0);
    CHECK(isnan(summary.pooled_dice));
    CHECK_INT(lobedice_overlap_presence(NULL), LOBEDICE_ABSENT);
}

/* Every error status of the disagreement map leaves the map as it was. */
static void test_disagreement_errors_write_nothing(void)
{
    uint8_t a[8] = {1, 1, 2, 2, 0, 0, 3, 3}, b[8] = {1, 2, 2, 0, 0, 3, 3, 1};
    const lobedice_volume ref = {a, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    const lobedice_volume pred = {b, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    const int64_t labels[3] = {1, 2, 3};
    int64_t hundred[100];
    for (size_t i = 0; i < 100; i++)
        hundred[i] = (int64_t)i;
    lobedice_volume bad[7];
    for (size_t i = 0; i < 7; i++)
        bad[i] = pred;
    bad[0].data = NULL;
    bad[1].dtype = (lobedice_dtype)9;
    bad[2].size[0] = 3; /* differs from ref */
    bad[3].size[2] = 0;
    bad[4].spacing[1] = -1;
    bad[5].size[0] = SIZE_MAX / 2 + 1; /* the voxel count overflows */
    bad[6].dtype = LOBEDICE_INT32;     /* voxels fit, their bytes do not */
    bad[6].size[0] = SIZE_MAX / 4 + 1;
    bad[6].size[1] = bad[6].size[2] = 1;
    const lobedice_status want[7] = {LOBEDICE_EINVAL,   LOBEDICE_EDTYPE,   LOBEDICE_ESIZE,
                                     LOBEDICE_ESIZE,    LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW,
                                     LOBEDICE_EOVERFLOW};
    int16_t map[8];
    memset(map, 0x7b, sizeof map);
    const lobedice_dtype i16 = LOBEDICE_INT16;
    for (size_t i = 0; i < 7; i++) {
        CHECK_INT(lobedice_disagreement_map(map, i16, &ref, &bad[i], labels, 3, 0), want[i]);
        CHECK_INT(lobedice_disagreement_map(map, i16, &bad[i], &pred, labels, 3, 0), want[i]);
    }
    CHECK_INT(lobedice_disagreement_map(map, i16, NULL, &pred, labels, 3, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &ref, NULL, labels, 3, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &ref, &pred, NULL, 3, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, i16, &ref, &pred, hundred, 100, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_UINT8, &ref, &pred, hundred, 10, 0),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_map(map, (lobedice_dtype)6, &ref, &pred, labels, 3, 0),
              LOBEDICE_EDTYPE);
    /* uint8 maps claiming SIZE_MAX/2 + 1 voxels are valid volumes, but an int16 map of them does
     * not fit in size_t bytes: LOBEDICE_EOVERFLOW, and neither volume is read */
    lobedice_volume huge_ref = ref, huge_pred = pred;
    huge_ref.size[0] = huge_pred.size[0] = SIZE_MAX / 2 + 1;
    huge_ref.size[1] = huge_pred.size[1] = huge_ref.size[2] = huge_pred.size[2] = 1;
    CHECK_INT(lobedice_disagreement_map(map, i16, &huge_ref, &huge_pred, labels, 3, 0),
              LOBEDICE_EOVERFLOW);
    size_t touched = 0;
    for (size_t i = 0; i < 8; i++)
        touched += map[i] != 0x7b7b;
    CHECK_UINT(touched, 0);
    CHECK_INT(lobedice_disagreement_map(map, i16, &ref, &pred, labels, 3, 0), LOBEDICE_OK);
    CHECK_INT(map[1], 112); /* reference 1, predicted 2 */
}

/* A set's labels only limit how many there may be: a set claiming UINT32_MAX labels is
 * LOBEDICE_EOVERFLOW before any is read (the array holds one; a read past it would be caught by
 * the sanitizers), and so are UINT32_MAX single labels. */
static void test_label_count_limit(void)
{
    uint8_t a[8] = {0}, b[8] = {0};
    const lobedice_volume ref = {a, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    const lobedice_volume pred = {b, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    const int64_t labels[1] = {1};
    const lobedice_label_set claims = {1, labels, UINT32_MAX};
    const lobedice_label_set split[2] = {{1, labels, UINT32_MAX / 2},
                                         {2, labels, UINT32_MAX / 2 + 1}};
    lobedice_label_overlap out[2];
    memset(out, 0x3c, sizeof out);
    CHECK_INT(lobedice_overlap_sets(out, &ref, &pred, &claims, 1, 0), LOBEDICE_EOVERFLOW);
    CHECK_INT(lobedice_overlap_sets(out, &ref, &pred, split, 2, 0), LOBEDICE_EOVERFLOW);
    CHECK_INT(lobedice_overlap(out, &ref, &pred, labels, UINT32_MAX, 0), LOBEDICE_EOVERFLOW);
    CHECK_UINT(out[0].tp, UINT64_C(0x3c3c3c3c3c3c3c3c));
    /* one label less is allowed (not tried: it would read UINT32_MAX - 1 labels) */
}

/* One set of 100 000 labels (with repeats, out of order): its class list is built by sorting,
 * not by insertion; counted against the naive definition. */
static void test_large_set(void)
{
    const size_t nlabels = 100000;
    int64_t *labels = malloc(nlabels * sizeof *labels);
    CHECK_FATAL(labels);
    uint64_t rng = 31;
    for (size_t i = 0; i < nlabels; i++) /* 50 000 distinct values, each twice, shuffled */
        labels[i] = (int64_t)(i % 50000) * 3 - 20000;
    for (size_t i = nlabels - 1; i > 0; i--) {
        size_t j = (size_t)test_below(&rng, i + 1);
        int64_t t = labels[i];
        labels[i] = labels[j];
        labels[j] = t;
    }
    const size_t size[3] = {20, 10, 10}, n = 2000;
    int32_t *rbuf = malloc(n * sizeof *rbuf), *pbuf = malloc(n * sizeof *pbuf);
    CHECK_FATAL(rbuf && pbuf);
    fill_pair(rbuf, LOBEDICE_INT32, pbuf, LOBEDICE_INT32, n, 30, &rng);
    for (size_t i = 0; i < n; i += 7) /* values of the set, some matching */
        rbuf[i] = (int32_t)labels[test_below(&rng, 64)];
    for (size_t i = 0; i < n; i += 5)
        pbuf[i] = (int32_t)labels[test_below(&rng, 64)];
    const lobedice_volume ref = {rbuf, LOBEDICE_INT32, {size[0], size[1], size[2]}, {1, 1, 1}};
    const lobedice_volume pred = {pbuf, LOBEDICE_INT32, {size[0], size[1], size[2]}, {1, 1, 1}};
    const lobedice_label_set sets[2] = {{1, labels, nlabels}, {2, labels, 3}};
    lobedice_label_overlap out[2];
    CHECK_INT(lobedice_overlap_sets(out, &ref, &pred, sets, 2, 0), LOBEDICE_OK);
    check_naive(&out[0], &sets[0], &ref, &pred, n);
    check_naive(&out[1], &sets[1], &ref, &pred, n);
    free(labels);
    free(rbuf);
    free(pbuf);
}

static const check_case cases[] = {
    {"worked_example", test_worked_example},
    {"specificity_undefined", test_specificity_undefined},
    {"label_sets", test_label_sets},
    {"random_volumes", test_random_volumes},
    {"random_many_labels", test_random_many_labels},
    {"thread_invariance", test_thread_invariance},
    {"disagreement_map", test_disagreement_map},
    {"disagreement_map_random", test_disagreement_map_random},
    {"errors", test_errors},
    {"disagreement_errors_write_nothing", test_disagreement_errors_write_nothing},
    {"label_count_limit", test_label_count_limit},
    {"large_set", test_large_set},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
