/* Label conventions: the presets against the values their tools document, the explicit map
 * syntax, value counts against a plain count, a comparison through conventions against the same
 * comparison of maps remapped by hand (overlap, surface distances, regions, disagreement map),
 * the mismatch check, compare options of version 1, Slicer segments recognised as lobes, and
 * layered segmentations flattened. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"
#include "phantom_volume.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Presets and the map syntax ----------------------------------------------------------- */

/* The values of RUL, RML, RLL, LUL, LLL, as documented by each tool (docs/conventions.md). */
static const struct {
    const char *name;
    int64_t values[5];
} documented[] = {
    {"lobedice", {1, 2, 3, 4, 5}},
    {"lungmask", {3, 4, 5, 1, 2}},                 /* README: 1 LUL 2 LLL 3 RUL 4 RML 5 RLL */
    {"totalsegmentator", {12, 13, 14, 10, 11}},    /* class_map["total"] */
    {"totalsegmentator-v1", {15, 16, 17, 13, 14}}, /* class_map["total_v1"] */
};

static void test_presets(void)
{
    for (size_t i = 0; i < CHECK_COUNT(documented); i++) {
        lobedice_label_convention c;
        CHECK_INT(lobedice_convention_preset(&c, documented[i].name), LOBEDICE_OK);
        CHECK_STR(c.name, documented[i].name);
        CHECK_INT(c.identity, 0);
        CHECK_UINT(c.npairs, 5);
        for (int64_t lobe = 1; lobe <= 5; lobe++)
            CHECK_INT(lobedice_convention_label(&c, documented[i].values[lobe - 1]), lobe);
        CHECK_INT(lobedice_convention_label(&c, 0), 0);
        CHECK_INT(lobedice_convention_label(&c, 99), 0);
        CHECK_STR(lobedice_convention_preset_name(i), documented[i].name);
    }
    lobedice_label_convention id;
    CHECK_INT(lobedice_convention_preset(&id, "identity"), LOBEDICE_OK);
    CHECK_INT(id.identity, 1);
    CHECK_INT(lobedice_convention_label(&id, 17), 17);
    CHECK_INT(lobedice_convention_label(NULL, -3), -3);
    CHECK_STR(lobedice_convention_preset_name(4), "identity");
    CHECK(lobedice_convention_preset_name(5) == NULL);
    lobedice_label_convention untouched;
    memset(&untouched, 0x5a, sizeof untouched);
    CHECK_INT(lobedice_convention_preset(&untouched, "TotalSegmentator"), LOBEDICE_EINVAL);
    CHECK_UINT(untouched.npairs, 0x5a5a5a5a5a5a5a5aull);
    CHECK_INT(lobedice_convention_preset(NULL, "lobedice"), LOBEDICE_EINVAL);

    int64_t lobe = 0;
    CHECK_INT(lobedice_lobe_parse(&lobe, "lll"), LOBEDICE_OK);
    CHECK_INT(lobe, 5);
    CHECK_INT(lobedice_lobe_parse(&lobe, "RML"), LOBEDICE_OK);
    CHECK_INT(lobe, 2);
    CHECK_INT(lobedice_lobe_parse(&lobe, "RMLX"), LOBEDICE_EINVAL);
    CHECK_INT(lobe, 2);
}

static void expect_parse_error(const char *text, lobedice_convention_problem problem,
                               const char *item)
{
    lobedice_label_convention c;
    lobedice_convention_error e = {99, 99, LOBEDICE_CONVENTION_EMPTY};
    CHECK_INT(lobedice_convention_parse(&c, &e, text), LOBEDICE_EINVAL);
    CHECK_INT(e.problem, problem);
    CHECK(e.offset <= strlen(text) && e.offset + e.length <= strlen(text));
    if (strlen(item) != e.length || strncmp(text + e.offset, item, e.length) != 0) {
        fprintf(stderr, "'%s': item '%.*s', expected '%s'\n", text, (int)e.length, text + e.offset,
                item);
        check_failures++;
    }
}

static void test_parse(void)
{
    lobedice_label_convention c;
    lobedice_convention_error e;
    CHECK_INT(lobedice_convention_parse(&c, &e, " 10=LUL, 11 = lll,12=RUL ,13=rml,14=RLL "),
              LOBEDICE_OK);
    CHECK_STR(c.name, "custom");
    CHECK_UINT(c.npairs, 5);
    const int64_t want[][2] = {{10, 4}, {11, 5}, {12, 1}, {13, 2}, {14, 3}, {15, 0}, {1, 0}};
    for (size_t i = 0; i < CHECK_COUNT(want); i++)
        CHECK_INT(lobedice_convention_label(&c, want[i][0]), want[i][1]);
    /* a lobe named by two values, negative and 32-bit values */
    CHECK_INT(lobedice_convention_parse(&c, NULL, "-3=RUL,4294967295=RUL,7=LLL"), LOBEDICE_OK);
    CHECK_INT(lobedice_convention_label(&c, -3), 1);
    CHECK_INT(lobedice_convention_label(&c, 4294967295), 1);
    /* presets by name, in any case and with blanks */
    CHECK_INT(lobedice_convention_parse(&c, NULL, " TotalSegmentator "), LOBEDICE_OK);
    CHECK_STR(c.name, "totalsegmentator");
    CHECK_INT(lobedice_convention_parse(&c, NULL, "identity"), LOBEDICE_OK);
    CHECK_INT(c.identity, 1);

    expect_parse_error("10=LUL,11=LUX", LOBEDICE_CONVENTION_LOBE, "11=LUX");
    expect_parse_error("10=LUL, x=RUL", LOBEDICE_CONVENTION_VALUE, "x=RUL");
    expect_parse_error("0=RUL", LOBEDICE_CONVENTION_VALUE, "0=RUL");
    expect_parse_error("4294967296=RUL", LOBEDICE_CONVENTION_VALUE, "4294967296=RUL");
    expect_parse_error("10=RUL,10=RML", LOBEDICE_CONVENTION_REPEAT, "10=RML");
    expect_parse_error("10=RUL,,11=RML", LOBEDICE_CONVENTION_SYNTAX, "");
    expect_parse_error("totalsegmentator2", LOBEDICE_CONVENTION_SYNTAX, "totalsegmentator2");
    expect_parse_error("  ", LOBEDICE_CONVENTION_EMPTY, "");
    char many[1024] = "";
    for (int v = 1; v <= LOBEDICE_CONVENTION_MAX_PAIRS + 1; v++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d=RUL", v > 1 ? "," : "", v);
    expect_parse_error(many, LOBEDICE_CONVENTION_TOO_MANY, "65=RUL");
    CHECK_INT(lobedice_convention_parse(NULL, NULL, "lobedice"), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_convention_parse(&c, NULL, NULL), LOBEDICE_EINVAL);
}

/* ---- Value counts ------------------------------------------------------------------------- */

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_value_counts(void)
{
    uint64_t seed = 7;
    const size_t size[3] = {67, 45, 33}, n = 67 * 45 * 33;
    int64_t *values = malloc(n * sizeof *values), *sorted = malloc(n * sizeof *sorted);
    int32_t *buffer = malloc(n * sizeof *buffer);
    lobedice_value_count *got = malloc(n * sizeof *got), *again = malloc(n * sizeof *again);
    CHECK_FATAL(values && sorted && buffer && got && again);
    for (size_t d = 0; d < CHECK_COUNT(all_dtypes); d++) {
        const lobedice_dtype dtype = all_dtypes[d];
        int64_t min = 0, max = 0;
        test_range(dtype, &min, &max);
        /* runs of values from a small palette, with extremes of the dtype */
        const int64_t palette[6] = {0, 1, 5, max, min, max / 3};
        for (size_t i = 0; i < n;) {
            const int64_t v = palette[test_below(&seed, 6)];
            for (size_t run = 1 + test_below(&seed, 40); run && i < n; run--, i++)
                values[i] = v;
        }
        for (size_t i = 0; i < n; i++)
            test_store(buffer, dtype, i, values[i]);
        memcpy(sorted, values, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_int64);
        const lobedice_volume vol = {buffer, dtype, {size[0], size[1], size[2]}, {1, 1, 1}};
        size_t count = 0, count2 = 0;
        CHECK_INT(lobedice_value_counts(got, n, &count, &vol, 1), LOBEDICE_OK);
        /* the plain count: runs of the sorted values */
        size_t k = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && sorted[j] == sorted[i])
                j++;
            CHECK(k < count);
            if (k < count) {
                CHECK_INT(got[k].value, sorted[i]);
                CHECK_UINT(got[k].voxels, j - i);
            }
            k++;
            i = j;
        }
        CHECK_UINT(count, k);
        CHECK_INT(lobedice_value_counts(again, n, &count2, &vol, 3), LOBEDICE_OK);
        CHECK_UINT(count2, count);
        CHECK(memcmp(got, again, count * sizeof *got) == 0);
        /* a short buffer: the smallest values, and the full count */
        lobedice_value_count two[2];
        CHECK_INT(lobedice_value_counts(two, 2, &count2, &vol, 2), LOBEDICE_OK);
        CHECK_UINT(count2, count);
        CHECK(memcmp(two, got, sizeof two) == 0);
    }
    size_t count;
    const lobedice_volume vol = {buffer, LOBEDICE_UINT8, {size[0], size[1], size[2]}, {1, 1, 1}};
    CHECK_INT(lobedice_value_counts(NULL, 1, &count, &vol, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_value_counts(got, 1, NULL, &vol, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_value_counts(NULL, 0, &count, &vol, 1), LOBEDICE_OK);
    free(values);
    free(sorted);
    free(buffer);
    free(got);
    free(again);
}

/* ---- A TotalSegmentator-labelled prediction ----------------------------------------------- */

/* TotalSegmentator v2 stores the lobes 1..5 as these values (class_map["total"]). */
static const int64_t ts_value_of_lobe[6] = {0, 12, 13, 14, 10, 11};

/* The phantom's prediction relabelled the TotalSegmentator way, with other organs written over
 * parts of the background: spleen 1, liver 5, trachea 16 (int16). Returns the voxel counts of
 * the three organs in organs[]. */
static int16_t *ts_prediction(const phantom_pair *pair, uint64_t organs[3])
{
    int16_t *out = malloc(pair->voxels * sizeof *out);
    CHECK_FATAL(out);
    organs[0] = organs[1] = organs[2] = 0;
    for (size_t i = 0; i < pair->voxels; i++) {
        const uint8_t lobe = pair->pred[i];
        const size_t x = i % pair->size[0], z = i / (pair->size[0] * pair->size[1]);
        int16_t v = (int16_t)ts_value_of_lobe[lobe];
        if (!lobe && z < 4) {
            v = x < pair->size[0] / 2 ? 5 : 1; /* liver and spleen below the lungs */
            organs[v == 5 ? 1 : 0]++;
        } else if (!lobe && x == pair->size[0] / 2) {
            v = 16;
            organs[2]++;
        }
        out[i] = v;
    }
    return out;
}

static lobedice_compare_options ts_options(const lobedice_label_convention *ref_conv,
                                           const lobedice_label_convention *pred_conv,
                                           int distances)
{
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.ref_convention = ref_conv;
    o.pred_convention = pred_conv;
    o.surface_distances = distances;
    o.threads = 2;
    o.check_labels = 1;
    return o;
}

/* Every value of two comparisons with the same rows is the same. */
static void check_same_comparison(const lobedice_comparison *a, const lobedice_comparison *b)
{
    CHECK_UINT(lobedice_comparison_rows(a), lobedice_comparison_rows(b));
    CHECK_UINT(lobedice_comparison_label_rows(a), lobedice_comparison_label_rows(b));
    for (size_t r = 0; r < lobedice_comparison_rows(a) && r < lobedice_comparison_rows(b); r++) {
        CHECK_STR(lobedice_comparison_row(a, r)->name, lobedice_comparison_row(b, r)->name);
        for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
            CHECK_SAME(lobedice_comparison_value(a, r, (lobedice_measure)m),
                       lobedice_comparison_value(b, r, (lobedice_measure)m));
    }
    CHECK_SAME(lobedice_comparison_pooled_dice(a), lobedice_comparison_pooled_dice(b));
}

static void test_totalsegmentator_prediction(void)
{
    const size_t size[3] = {48, 40, 32};
    phantom_pair *pair = phantom_pair_new(size);
    CHECK_FATAL(pair);
    uint64_t organs[3];
    int16_t *ts = ts_prediction(pair, organs);
    const lobedice_volume ref = phantom_volume(pair, PHANTOM_REFERENCE);
    const lobedice_volume pred_lobes = phantom_volume(pair, PHANTOM_PREDICTION);
    lobedice_volume pred = pred_lobes;
    pred.data = ts;
    pred.dtype = LOBEDICE_INT16;

    lobedice_label_convention lobes, total;
    CHECK_INT(lobedice_convention_preset(&lobes, "lobedice"), LOBEDICE_OK);
    CHECK_INT(lobedice_convention_preset(&total, "totalsegmentator"), LOBEDICE_OK);
    for (int distances = 0; distances <= 1; distances++) {
        /* the oracle: the same comparison of the prediction relabelled by hand */
        lobedice_compare_options plain = LOBEDICE_COMPARE_OPTIONS_INIT;
        plain.surface_distances = distances;
        lobedice_comparison *want = NULL, *got = NULL;
        CHECK_INT(lobedice_compare(&want, &ref, &pred_lobes, &plain), LOBEDICE_OK);
        lobedice_compare_options o = ts_options(&lobes, &total, distances);
        CHECK_INT(lobedice_compare(&got, &ref, &pred, &o), LOBEDICE_OK);
        CHECK_FATAL(want && got);
        CHECK_UINT(lobedice_comparison_label_rows(got), 5);
        CHECK_UINT(lobedice_comparison_rows(got), 8); /* the lung regions too */
        check_same_comparison(got, want);
        CHECK_STR(lobedice_comparison_convention(got, LOBEDICE_INPUT_PREDICTION)->name,
                  "totalsegmentator");
        CHECK_STR(lobedice_comparison_options(got)->pred_convention->name, "totalsegmentator");
        /* the organs are background, listed with their voxels */
        size_t n = 9;
        const lobedice_value_count *ignored =
            lobedice_comparison_ignored(got, LOBEDICE_INPUT_PREDICTION, &n);
        CHECK_UINT(n, 3);
        CHECK_FATAL(ignored && n == 3);
        CHECK_INT(ignored[0].value, 1);
        CHECK_UINT(ignored[0].voxels, organs[0]);
        CHECK_INT(ignored[1].value, 5);
        CHECK_UINT(ignored[1].voxels, organs[1]);
        CHECK_INT(ignored[2].value, 16);
        CHECK_UINT(ignored[2].voxels, organs[2]);
        CHECK(lobedice_comparison_ignored(got, LOBEDICE_INPUT_REFERENCE, &n) == NULL);
        CHECK_UINT(n, 0);

        /* the disagreement map through the conventions equals the map of the relabelled pair */
        uint8_t *a = malloc(pair->voxels), *b = malloc(pair->voxels);
        CHECK_FATAL(a && b);
        const lobedice_compare_options *co = lobedice_comparison_options(got);
        CHECK_INT(lobedice_disagreement_map(a, LOBEDICE_UINT8, &ref, &pred_lobes, co->labels,
                                            co->nlabels, 1),
                  LOBEDICE_OK);
        CHECK_INT(lobedice_comparison_disagreement_map(b, LOBEDICE_UINT8, got, &ref, &pred, 2),
                  LOBEDICE_OK);
        CHECK(memcmp(a, b, pair->voxels) == 0);
        free(a);
        free(b);
        lobedice_comparison_free(want);
        lobedice_comparison_free(got);
    }

    /* a reference read as its own values, the prediction through its convention */
    lobedice_compare_options mixed = ts_options(NULL, &total, 0);
    lobedice_comparison *m = NULL;
    CHECK_INT(lobedice_compare(&m, &ref, &pred, &mixed), LOBEDICE_OK);
    size_t nm = 0;
    CHECK(lobedice_comparison_ignored(m, LOBEDICE_INPUT_PREDICTION, &nm) != NULL);
    CHECK_UINT(nm, 3);
    CHECK_STR(lobedice_comparison_convention(m, LOBEDICE_INPUT_REFERENCE)->name, "identity");
    CHECK_UINT(lobedice_comparison_label_rows(m), 5);
    lobedice_comparison_free(m);

    /* label 0 under a convention is the background: every value it does not name */
    const int64_t with_background[2] = {0, 1};
    lobedice_compare_options o = ts_options(&lobes, &total, 0);
    o.labels = with_background;
    o.nlabels = 2;
    lobedice_comparison *got = NULL;
    CHECK_INT(lobedice_compare(&got, &ref, &pred, &o), LOBEDICE_OK);
    uint64_t background = 0;
    for (size_t i = 0; i < pair->voxels; i++)
        background += pair->pred[i] == 0;
    CHECK_SAME(lobedice_comparison_value(got, 0, LOBEDICE_MEASURE_TP) +
                   lobedice_comparison_value(got, 0, LOBEDICE_MEASURE_FP),
               (double)background);
    lobedice_comparison_free(got);

    /* read as lobedice (the default of the command line), the prediction is refused */
    o = ts_options(&lobes, &lobes, 0);
    got = (lobedice_comparison *)&o; /* must become NULL */
    CHECK_INT(lobedice_compare(&got, &ref, &pred, &o), LOBEDICE_ECONVENTION);
    CHECK(got == NULL);
    lobedice_label_check check;
    CHECK_INT(lobedice_labels_check(&check, &ref, &pred, &o), LOBEDICE_OK);
    CHECK_INT(check.mismatch, LOBEDICE_LABELS_OTHER_PRESET);
    CHECK_UINT(check.input, 1);
    CHECK_STR(check.fits[0], "totalsegmentator");
    CHECK(check.fits[1] == NULL);
    CHECK_UINT(check.inputs[1].nvalues, 8); /* 1 5 10 11 12 13 14 16 */
    CHECK_INT(check.inputs[1].values[0], 1);
    CHECK_INT(check.inputs[1].values[7], 16);
    CHECK_UINT(check.inputs[1].nlabels, 2); /* 1 and 5 read as RUL and LLL */
    CHECK_UINT(check.inputs[0].nvalues, 5);
    /* without the check the comparison runs, and the lobes are background */
    o.check_labels = 0;
    CHECK_INT(lobedice_compare(&got, &ref, &pred, &o), LOBEDICE_OK);
    CHECK_SAME(lobedice_comparison_value(got, 1, LOBEDICE_MEASURE_TP), 0.0); /* RML */
    lobedice_comparison_free(got);
    free(ts);
    phantom_pair_free(pair);
}

/* ---- The mismatch check on small maps ----------------------------------------------------- */

static lobedice_label_check check_of(const int64_t *ref_values, size_t nref,
                                     const int64_t *pred_values, size_t npred, const char *ref_conv,
                                     const char *pred_conv)
{
    int32_t a[64] = {0}, b[64] = {0};
    for (size_t i = 0; i < nref; i++)
        a[i] = (int32_t)ref_values[i];
    for (size_t i = 0; i < npred; i++)
        b[i] = (int32_t)pred_values[i];
    const lobedice_volume ref = {a, LOBEDICE_INT32, {8, 8, 1}, {1, 1, 1}};
    const lobedice_volume pred = {b, LOBEDICE_INT32, {8, 8, 1}, {1, 1, 1}};
    lobedice_label_convention rc, pc;
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    if (ref_conv) {
        CHECK_FATAL(lobedice_convention_parse(&rc, NULL, ref_conv) == LOBEDICE_OK);
        o.ref_convention = &rc;
    }
    if (pred_conv) {
        CHECK_FATAL(lobedice_convention_parse(&pc, NULL, pred_conv) == LOBEDICE_OK);
        o.pred_convention = &pc;
    }
    lobedice_label_check check;
    memset(&check, 0x33, sizeof check);
    CHECK_INT(lobedice_labels_check(&check, &ref, &pred, &o), LOBEDICE_OK);
    /* lobedice_compare agrees */
    o.check_labels = 1;
    lobedice_comparison *c = NULL;
    const lobedice_status st = lobedice_compare(&c, &ref, &pred, &o);
    CHECK_INT(st, check.mismatch == LOBEDICE_LABELS_FIT ? LOBEDICE_OK : LOBEDICE_ECONVENTION);
    lobedice_comparison_free(c);
    return check;
}

static void test_mismatch(void)
{
    static const int64_t lobes[] = {1, 2, 3, 4, 5}, four_lobes[] = {1, 2, 3, 5};
    static const int64_t ts_lobes[] = {10, 11, 12, 13, 14};
    static const int64_t ts_full[] = {1, 2, 5, 7, 10, 11, 12, 13, 14, 15, 16, 90, 117};
    static const int64_t odd[] = {20, 21, 22};
    int64_t v1_full[104];
    for (int i = 0; i < 104; i++)
        v1_full[i] = i + 1;
    lobedice_label_check c;

    c = check_of(lobes, 5, four_lobes, 4, "lobedice", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    c = check_of(lobes, 5, ts_lobes, 5, "lobedice", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_OTHER_PRESET);
    CHECK_STR(c.fits[0], "totalsegmentator");
    /* a whole TotalSegmentator output: the liver (5) and the others are in 1..9 */
    c = check_of(lobes, 5, ts_full, CHECK_COUNT(ts_full), "lobedice", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_OTHER_PRESET);
    CHECK_STR(c.fits[0], "totalsegmentator");
    CHECK(c.fits[1] == NULL); /* 117 is beyond version 1 */
    c = check_of(lobes, 5, ts_full, CHECK_COUNT(ts_full), "lobedice", "totalsegmentator");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    /* version 1 and 2 cannot be told apart from values 1..104: both are named */
    c = check_of(lobes, 5, v1_full, 64, "lobedice", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_OTHER_PRESET);
    CHECK_STR(c.fits[0], "totalsegmentator");
    CHECK_STR(c.fits[1], "totalsegmentator-v1");
    /* a lobe map read as TotalSegmentator: lobedice and lungmask both fit (the same values) */
    c = check_of(lobes, 5, lobes, 5, "totalsegmentator", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_OTHER_PRESET);
    CHECK_UINT(c.input, 0);
    CHECK_STR(c.fits[0], "lobedice");
    CHECK_STR(c.fits[1], "lungmask");
    /* lungmask and lobedice share their values: the check cannot tell them apart */
    c = check_of(lobes, 5, lobes, 5, "lobedice", "lungmask");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    /* an explicit map that names the values fits */
    c = check_of(lobes, 5, ts_lobes, 5, "lobedice", "10=LUL,11=LLL,12=RUL,13=RML,14=RLL");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    /* values no convention names: no preset to suggest, and no label in common */
    c = check_of(lobes, 5, odd, 3, "lobedice", "lobedice");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_DISJOINT);
    CHECK_UINT(c.inputs[1].nvalues, 3);
    CHECK_UINT(c.inputs[1].nlabels, 0);
    /* two identity maps without a shared value */
    c = check_of(lobes, 5, ts_lobes, 5, NULL, NULL);
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_DISJOINT);
    CHECK_UINT(c.inputs[0].nlabels, 5);
    c = check_of(lobes, 5, four_lobes, 4, NULL, NULL);
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    /* an empty map fits anything */
    c = check_of(lobes, 5, NULL, 0, "lobedice", "totalsegmentator");
    CHECK_INT(c.mismatch, LOBEDICE_LABELS_FIT);
    lobedice_label_check check;
    const int32_t zero[4] = {0};
    const lobedice_volume v = {zero, LOBEDICE_INT32, {2, 2, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_labels_check(NULL, &v, &v, NULL), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_check(&check, &v, &v, NULL), LOBEDICE_OK);
    CHECK_INT(check.mismatch, LOBEDICE_LABELS_FIT);
    /* a convention past its arrays is refused, not read (it once overflowed the stack) */
    lobedice_label_convention broken;
    CHECK_INT(lobedice_convention_preset(&broken, "totalsegmentator"), LOBEDICE_OK);
    broken.npairs = LOBEDICE_CONVENTION_MAX_PAIRS + 100;
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.pred_convention = &broken;
    CHECK_INT(lobedice_labels_check(&check, &v, &v, &o), LOBEDICE_EINVAL);
}

/* ---- Options of version 1 ------------------------------------------------------------------- */

/* The layout of lobedice_compare_options at version 1, as a caller built then declares it. */
typedef struct compare_options_v1 {
    unsigned version;
    const int64_t *labels;
    size_t nlabels;
    const char *const *label_names;
    lobedice_region_mode region_mode;
    const lobedice_region *regions;
    size_t nregions;
    int surface_distances;
    double tolerance_mm;
    lobedice_empty_policy empty_policy;
    size_t threads;
    void (*progress)(void *user, double fraction);
    void *progress_user;
} compare_options_v1;

static void test_options_v1(void)
{
    /* init writes only the bytes version 1 has */
    struct {
        compare_options_v1 v1;
        unsigned char guard[64];
    } block;
    memset(&block, 0xa5, sizeof block);
    CHECK_INT(lobedice_compare_options_init((lobedice_compare_options *)&block.v1, 1), LOBEDICE_OK);
    CHECK_UINT(block.v1.version, 1);
    CHECK(block.v1.labels == NULL && block.v1.progress == NULL);
    CHECK_NEAR(block.v1.tolerance_mm, 1.0, 0);
    for (size_t i = 0; i < sizeof block.guard; i++)
        CHECK_UINT(block.guard[i], 0xa5);

    /* a version 1 caller compares as before: every value is its own label, no check, even
     * when the bytes after its struct hold garbage */
    const size_t size[3] = {40, 32, 24};
    phantom_pair *pair = phantom_pair_new(size);
    CHECK_FATAL(pair);
    for (size_t i = 0; i < pair->voxels; i++)
        if (pair->pred[i] == 2)
            pair->pred[i] = 12; /* a value lobedice does not name */
    const lobedice_volume ref = phantom_volume(pair, PHANTOM_REFERENCE);
    const lobedice_volume pred = phantom_volume(pair, PHANTOM_PREDICTION);
    block.v1.surface_distances = 1;
    block.v1.threads = 2;
    lobedice_comparison *old = NULL, *now = NULL;
    CHECK_INT(lobedice_compare(&old, &ref, &pred, (const lobedice_compare_options *)&block.v1),
              LOBEDICE_OK);
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.surface_distances = 1;
    o.threads = 1;
    CHECK_INT(lobedice_compare(&now, &ref, &pred, &o), LOBEDICE_OK);
    CHECK_FATAL(old && now);
    check_same_comparison(old, now);
    CHECK_UINT(lobedice_comparison_label_rows(old), 6); /* 1..5 and 12 */
    CHECK_STR(lobedice_comparison_convention(old, LOBEDICE_INPUT_PREDICTION)->name, "identity");
    CHECK(lobedice_comparison_ignored(old, LOBEDICE_INPUT_PREDICTION, NULL) == NULL);
    lobedice_label_check check;
    CHECK_INT(
        lobedice_labels_check(&check, &ref, &pred, (const lobedice_compare_options *)&block.v1),
        LOBEDICE_OK);
    CHECK_INT(check.mismatch, LOBEDICE_LABELS_FIT);
    lobedice_comparison_free(old);
    lobedice_comparison_free(now);
    /* a version beyond the library's is refused */
    o.version = LOBEDICE_COMPARE_OPTIONS_VERSION + 1;
    CHECK_INT(lobedice_compare(&now, &ref, &pred, &o), LOBEDICE_EINVAL);
    /* a broken convention is refused */
    lobedice_label_convention bad;
    CHECK_INT(lobedice_convention_preset(&bad, "lobedice"), LOBEDICE_OK);
    bad.values[1] = bad.values[0];
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    o.pred_convention = &bad;
    CHECK_INT(lobedice_compare(&now, &ref, &pred, &o), LOBEDICE_EINVAL);
    bad.values[1] = 2;
    bad.labels[2] = 0;
    CHECK_INT(lobedice_compare(&now, &ref, &pred, &o), LOBEDICE_EINVAL);
    bad.labels[2] = 3;
    bad.npairs = LOBEDICE_CONVENTION_MAX_PAIRS + 1;
    CHECK_INT(lobedice_compare(&now, &ref, &pred, &o), LOBEDICE_EINVAL);
    phantom_pair_free(pair);
}

/* ---- Slicer segments ---------------------------------------------------------------------- */

/* A tags string the way vtkMRMLSegmentationStorageNode writes it (SerializeTerminologyEntry of
 * Slicer's terminology logic: context~category~type~modifier~region context~region~region
 * modifier, each code as scheme^value^meaning). */
static void tags_with(char *out, size_t size, const char *type, const char *modifier)
{
    snprintf(out, size,
             "Segmentation.Status:inprogress|TerminologyEntry:Segmentation category and type - "
             "3D Slicer General Anatomy list~SCT^123037004^Anatomical Structure~%s~%s~Anatomic "
             "codes - DICOM master list~^^~^^|",
             type, modifier);
}

static int64_t lobe_of(const char *name, const char *tags, lobedice_segment_match *how)
{
    int64_t lobe = -1;
    CHECK_INT(lobedice_segment_lobe(&lobe, how, name, tags), LOBEDICE_OK);
    return lobe;
}

static void test_segment_lobes(void)
{
    static const struct {
        const char *type, *modifier;
        int64_t lobe;
    } coded[] = {
        {"SCT^45653009^Upper lobe of lung", "SCT^24028007^Right", 1},
        {"SCT^45653009^Upper lobe of lung", "SCT^7771000^Left", 4},
        {"SCT^90572001^Lower lobe of lung", "SCT^24028007^Right", 3},
        {"SCT^90572001^Lower lobe of lung", "SCT^7771000^Left", 5},
        {"SCT^72481006^Middle lobe of right lung", "^^", 2},
        {"SCT^42400003^Upper lobe of right lung", "^^", 1},
        {"SCT^44714003^Upper lobe of left lung", "^^", 4},
        {"SCT^266005^Lower lobe of right lung", "^^", 3},
        {"SCT^41224006^Lower lobe of left lung", "^^", 5},
        /* no laterality, both sides, another scheme, the lung: not a lobe */
        {"SCT^45653009^Upper lobe of lung", "^^", 0},
        {"SCT^90572001^Lower lobe of lung", "SCT^51440002^Right and left", 0},
        {"XYZ^72481006^Middle lobe of right lung", "^^", 0},
        {"SCT^39607008^Lung", "SCT^24028007^Right", 0},
        {"SCT^85756007^Tissue", "^^", 0},
    };
    char tags[512];
    lobedice_segment_match how;
    for (size_t i = 0; i < CHECK_COUNT(coded); i++) {
        tags_with(tags, sizeof tags, coded[i].type, coded[i].modifier);
        /* a name that says another lobe: the terminology wins */
        CHECK_INT(lobe_of("Segment_7", tags, &how), coded[i].lobe);
        CHECK_INT(how, coded[i].lobe ? LOBEDICE_MATCH_TERMINOLOGY : LOBEDICE_MATCH_NONE);
        if (coded[i].lobe) {
            CHECK_INT(lobe_of("LLL", tags, &how), coded[i].lobe);
            CHECK_INT(how, LOBEDICE_MATCH_TERMINOLOGY);
        }
    }
    /* Slicer's default terminology (Tissue) falls back to the name */
    tags_with(tags, sizeof tags, "SCT^85756007^Tissue", "^^");
    static const struct {
        const char *name;
        int64_t lobe;
    } named[] = {
        {"right upper lobe", 1},
        {"RUL", 1},
        {"rml", 2},
        {"Right Lower Lobe", 3},
        {"lung_upper_lobe_left", 4},
        {"lung_lower_lobe_left", 5},
        {"lung_middle_lobe_right", 2},
        {"lung_left_upper_lobe", 4},
        {"Upper lobe of right lung", 1},
        {"superior lobe of left lung", 4},
        {"inferior lobe of right lung", 3},
        {"RightUpperLobe", 1},
        {"middle lobe", 2},
        {"Lower-Lobe-Left", 5},
        {"right lung", 0},
        {"lung_left", 0},
        {"right upper lobe nodule", 0},
        {"left middle lobe", 0},
        {"lingula", 0},
        {"Segment_1", 0},
        {"", 0},
    };
    for (size_t i = 0; i < CHECK_COUNT(named); i++) {
        const int64_t got = lobe_of(named[i].name, tags, &how);
        if (got != named[i].lobe)
            fprintf(stderr, "name '%s'\n", named[i].name);
        CHECK_INT(got, named[i].lobe);
        CHECK_INT(how, named[i].lobe ? LOBEDICE_MATCH_NAME : LOBEDICE_MATCH_NONE);
        CHECK_INT(lobe_of(named[i].name, NULL, &how), named[i].lobe);
    }
    CHECK_INT(lobe_of(NULL, NULL, &how), 0);
    int64_t lobe;
    CHECK_INT(lobedice_segment_lobe(&lobe, NULL, "RUL", NULL), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_segment_lobe(NULL, &how, "RUL", NULL), LOBEDICE_EINVAL);
}

/* ---- Layered segmentations ------------------------------------------------------------------ */

static void test_flatten(void)
{
    /* two layers, label values reused per layer: layer 0 holds 1 = RLL and 2 = LUL, layer 1
     * holds 1 = RUL, 2 = "vessels" (ignored) and 3 = RML */
    const size_t nx = 37, ny = 29, nz = 11, n = nx * ny * nz;
    uint8_t *layers = calloc(2 * n, 1), *out = malloc(n), *again = malloc(n);
    uint8_t *want = calloc(n, 1);
    CHECK_FATAL(layers && out && again && want);
    uint64_t expect_voxels[5] = {0};
    for (size_t v = 0; v < n; v++) {
        const size_t x = v % nx, y = v / nx % ny;
        uint8_t l0 = 0, l1 = 0;
        if (x < 12)
            l0 = 1; /* RLL */
        else if (x >= 25)
            l0 = 2; /* LUL */
        else if (y < 10)
            l1 = 1; /* RUL */
        else if (y < 20)
            l1 = 3; /* RML */
        if (y == 28)
            l1 = 2; /* vessels over everything in the last row */
        layers[2 * v] = l0;
        layers[2 * v + 1] = l1;
        want[v] = l0 == 1 ? 3 : l0 == 2 ? 4 : l1 == 1 ? 1 : l1 == 3 ? 2 : 0;
        expect_voxels[0] += l0 == 1;
        expect_voxels[1] += l0 == 2;
        expect_voxels[2] += l1 == 1;
        expect_voxels[3] += l1 == 2;
        expect_voxels[4] += l1 == 3;
    }
    const lobedice_volume vol = {layers, LOBEDICE_UINT8, {nx, ny, nz}, {0.7, 0.7, 2}};
    const lobedice_segment_label segments[5] = {
        {0, 1, 3}, {0, 2, 4}, {1, 1, 1}, {1, 2, 0}, {1, 3, 2}};
    uint64_t voxels[5], voxels2[5];
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, voxels, NULL, &vol, 2, segments, 5, 1),
              LOBEDICE_OK);
    CHECK(memcmp(out, want, n) == 0);
    for (int s = 0; s < 5; s++)
        CHECK_UINT(voxels[s], expect_voxels[s]);
    CHECK_INT(
        lobedice_segments_flatten(again, LOBEDICE_UINT8, voxels2, NULL, &vol, 2, segments, 5, 3),
        LOBEDICE_OK);
    CHECK(memcmp(out, again, n) == 0);
    CHECK(memcmp(voxels, voxels2, sizeof voxels) == 0);

    /* three layers (a voxel's values no longer one 1-, 2- or 4-byte value: voxel by voxel),
     * the third holding an ignored segment: the same map and counts */
    uint8_t *three = calloc(3 * n, 1);
    CHECK_FATAL(three);
    uint64_t marks = 0;
    for (size_t v = 0; v < n; v++) {
        three[3 * v] = layers[2 * v];
        three[3 * v + 1] = layers[2 * v + 1];
        three[3 * v + 2] = v % 5 == 0 ? 7 : 0;
        marks += v % 5 == 0;
    }
    const lobedice_volume vol3 = {three, LOBEDICE_UINT8, {nx, ny, nz}, {0.7, 0.7, 2}};
    const lobedice_segment_label segments3[6] = {{0, 1, 3}, {0, 2, 4}, {1, 1, 1},
                                                 {1, 2, 0}, {1, 3, 2}, {2, 7, 0}};
    uint64_t voxels3[6];
    CHECK_INT(
        lobedice_segments_flatten(again, LOBEDICE_UINT8, voxels3, NULL, &vol3, 3, segments3, 6, 2),
        LOBEDICE_OK);
    CHECK(memcmp(again, want, n) == 0);
    CHECK(memcmp(voxels3, voxels, sizeof voxels) == 0);
    CHECK_UINT(voxels3[5], marks);
    free(three);

    /* the same lobe in two layers may overlap; two lobes may not */
    const lobedice_segment_label same[5] = {{0, 1, 3}, {0, 2, 3}, {1, 1, 1}, {1, 2, 3}, {1, 3, 2}};
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, NULL, &vol, 2, same, 5, 2),
              LOBEDICE_OK);
    const lobedice_segment_label clash[5] = {{0, 1, 3}, {0, 2, 4}, {1, 1, 1}, {1, 2, 5}, {1, 3, 2}};
    lobedice_segment_overlap overlap = {9, 9, 9};
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, &overlap, &vol, 2, clash, 5, 2),
              LOBEDICE_EOVERLAP);
    /* the last row: layer 0 RLL (x < 12, 12 voxels) and LUL (x >= 25, 12 voxels) under the
     * segment at value 2 of layer 1: the first pair is (0, 3) and (1, 3) ties it */
    CHECK_UINT(overlap.first, 0);
    CHECK_UINT(overlap.second, 3);
    CHECK_UINT(overlap.voxels, 12 * nz);

    /* one layer, values shuffled, int16 */
    int16_t *single = malloc(n * sizeof *single);
    CHECK_FATAL(single);
    for (size_t v = 0; v < n; v++)
        single[v] = (int16_t)(want[v] ? 40 - want[v] : (v % 7 == 0 ? 99 : 0));
    const lobedice_volume one = {single, LOBEDICE_INT16, {nx, ny, nz}, {1, 1, 1}};
    const lobedice_segment_label shuffled[6] = {{0, 39, 1}, {0, 38, 2}, {0, 37, 3},
                                                {0, 36, 4}, {0, 35, 5}, {0, 99, 0}};
    uint64_t counts[6];
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, counts, NULL, &one, 1, shuffled, 6, 2),
              LOBEDICE_OK);
    CHECK(memcmp(out, want, n) == 0);
    uint64_t zeros = 0;
    for (size_t v = 0; v < n; v++)
        zeros += !want[v] && v % 7 == 0;
    CHECK_UINT(counts[5], zeros);

    /* bad arguments */
    const lobedice_segment_label twice[2] = {{0, 1, 1}, {0, 1, 2}};
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, NULL, &vol, 2, twice, 2, 1),
              LOBEDICE_EINVAL);
    const lobedice_segment_label layer2[1] = {{2, 1, 1}};
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, NULL, &vol, 2, layer2, 1, 1),
              LOBEDICE_EINVAL);
    const lobedice_segment_label big[1] = {{0, 1, 300}};
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, NULL, &vol, 2, big, 1, 1),
              LOBEDICE_ENONINTEGER);
    CHECK_INT(lobedice_segments_flatten(out, LOBEDICE_UINT8, NULL, NULL, &vol, 0, segments, 5, 1),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_segments_flatten(NULL, LOBEDICE_UINT8, NULL, NULL, &vol, 2, segments, 5, 1),
              LOBEDICE_EINVAL);
    free(single);
    free(layers);
    free(out);
    free(again);
    free(want);
}

/* lobedice_convention_apply: each voxel's label under the convention (closed form on a small
 * TotalSegmentator map with other organs), the same with threads and 32-bit values, the identity
 * copying, and its refusals. */
static void test_apply(void)
{
    /* 10 LUL, 11 LLL, 12 RUL, 13 RML, 14 RLL; 5 (liver) and 7 are background */
    const int16_t values[12] = {0, 10, 11, 12, 13, 14, 5, 7, 14, 12, 0, 10};
    const uint8_t want[12] = {0, 4, 5, 1, 2, 3, 0, 0, 3, 1, 0, 4};
    lobedice_volume in = {values, LOBEDICE_INT16, {4, 3, 1}, {1, 1, 1}};
    lobedice_label_convention ts;
    CHECK_INT(lobedice_convention_preset(&ts, "totalsegmentator"), LOBEDICE_OK);
    for (size_t threads = 1; threads <= 3; threads++) {
        uint8_t out[12];
        memset(out, 0xee, sizeof out);
        CHECK_INT(lobedice_convention_apply(out, LOBEDICE_UINT8, &in, &ts, threads), LOBEDICE_OK);
        CHECK(memcmp(out, want, sizeof want) == 0);
    }
    int32_t wide[12];
    for (size_t i = 0; i < 12; i++)
        wide[i] = values[i] == 7 ? 100000 : values[i];
    lobedice_volume in32 = {wide, LOBEDICE_INT32, {4, 3, 1}, {1, 1, 1}};
    int16_t out16[12];
    CHECK_INT(lobedice_convention_apply(out16, LOBEDICE_INT16, &in32, &ts, 0), LOBEDICE_OK);
    for (size_t i = 0; i < 12; i++)
        CHECK_INT(out16[i], want[i]);

    /* the identity copies, and refuses a value the output cannot hold */
    uint8_t copy[12];
    CHECK_INT(lobedice_convention_apply(copy, LOBEDICE_UINT8, &in, NULL, 1), LOBEDICE_OK);
    for (size_t i = 0; i < 12; i++)
        CHECK_INT(copy[i], values[i]);
    CHECK_INT(lobedice_convention_apply(copy, LOBEDICE_UINT8, &in32, NULL, 1), LOBEDICE_ELABEL);

    lobedice_label_convention bad = ts;
    bad.labels[0] = 0;
    CHECK_INT(lobedice_convention_apply(copy, LOBEDICE_UINT8, &in, &bad, 1), LOBEDICE_EINVAL);
    bad = ts;
    bad.npairs = LOBEDICE_CONVENTION_MAX_PAIRS + 1;
    CHECK_INT(lobedice_convention_apply(copy, LOBEDICE_UINT8, &in, &bad, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_convention_apply(NULL, LOBEDICE_UINT8, &in, &ts, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_convention_apply(copy, (lobedice_dtype)9, &in, &ts, 1), LOBEDICE_EDTYPE);
    lobedice_volume empty = {values, LOBEDICE_INT16, {0, 3, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_convention_apply(copy, LOBEDICE_UINT8, &empty, &ts, 1), LOBEDICE_ESIZE);
}

static const check_case cases[] = {
    {"presets", test_presets},
    {"parse", test_parse},
    {"value_counts", test_value_counts},
    {"totalsegmentator_prediction", test_totalsegmentator_prediction},
    {"mismatch", test_mismatch},
    {"options_v1", test_options_v1},
    {"segment_lobes", test_segment_lobes},
    {"flatten", test_flatten},
    {"apply", test_apply},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
