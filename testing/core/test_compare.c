/* lobedice_compare against its definitions: the worked example of docs/measures.md, the rows,
 * names and regions it chooses, the empty policy, the means and the pooled Dice recomputed
 * here from the per-row values, FNE/FPE, where HD is attained (checked with the brute-force
 * oracle), thread-count invariance, progress, options versions (a caller built against
 * version 1 of the surface options keeps working), the pinned ABI of the public structs and
 * enums, and every error status. */
#include "check.h"
#include "lobedice/lobedice.h"
#include "phantom.h"
#include "surface_oracle.h"

#include <stddef.h>

/* docs/measures.md's 4 x 6 example, row-major (x fastest). */
static const int16_t example_ref[24] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                        0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
static const int16_t example_pred[24] = {1, 1, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0,
                                         0, 0, 2, 2, 4, 4, 0, 0, 0, 2, 4, 0};
static const lobedice_volume ex_ref = {example_ref, LOBEDICE_INT16, {6, 4, 1}, {1, 1, 1}};
static const lobedice_volume ex_pred = {example_pred, LOBEDICE_INT16, {6, 4, 1}, {1, 1, 1}};

static double value(const lobedice_comparison *c, size_t row, lobedice_measure m)
{
    return lobedice_comparison_value(c, row, m);
}

static void worked_example(void)
{
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.labels = labels;
    o.nlabels = 5;
    lobedice_comparison *c = NULL;
    CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, &o) == LOBEDICE_OK);
    /* labels 1..5 given: the lung regions follow */
    CHECK_UINT(lobedice_comparison_label_rows(c), 5);
    CHECK_UINT(lobedice_comparison_rows(c), 8);
    const char *names[8] = {"RUL", "RML", "RLL", "LUL", "LLL", "RightLung", "LeftLung", "Lungs"};
    const lobedice_presence presence[5] = {LOBEDICE_PRESENT, LOBEDICE_PRESENT,
                                           LOBEDICE_MISSING_IN_PREDICTION,
                                           LOBEDICE_MISSING_IN_REFERENCE, LOBEDICE_ABSENT};
    for (size_t i = 0; i < 8; i++) {
        const lobedice_row_info *row = lobedice_comparison_row(c, i);
        CHECK_FATAL(row != NULL);
        CHECK_STR(row->name, names[i]);
        CHECK_INT(row->kind, i < 5 ? LOBEDICE_ROW_LABEL : LOBEDICE_ROW_REGION);
        if (i < 5) {
            CHECK_INT(row->presence, presence[i]);
            CHECK_UINT(row->nlabels, 1);
            CHECK_INT(row->labels[0], labels[i]);
        }
    }
    CHECK(lobedice_comparison_row(c, 8) == NULL);
    /* the table of docs/measures.md */
    const double tp[5] = {4, 5, 0, 0, 0}, fp[5] = {0, 1, 0, 3, 0}, fn[5] = {0, 1, 4, 0, 0};
    for (size_t i = 0; i < 5; i++) {
        CHECK_SAME(value(c, i, LOBEDICE_MEASURE_TP), tp[i]);
        CHECK_SAME(value(c, i, LOBEDICE_MEASURE_FP), fp[i]);
        CHECK_SAME(value(c, i, LOBEDICE_MEASURE_FN), fn[i]);
        CHECK_SAME(value(c, i, LOBEDICE_MEASURE_TN), 24 - tp[i] - fp[i] - fn[i]);
    }
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_DICE), 10.0 / 12.0, 1e-15);
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_JACCARD), 5.0 / 7.0, 1e-15);
    CHECK_SAME(value(c, 2, LOBEDICE_MEASURE_DICE), 0.0);
    CHECK_SAME(value(c, 3, LOBEDICE_MEASURE_DICE), 0.0);
    CHECK(isnan(value(c, 4, LOBEDICE_MEASURE_DICE)));
    /* FNE = fn/|A|, FPE = fp/|B|, undefined on an empty side */
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR), 1.0 / 6.0, 1e-15);
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_FALSE_POSITIVE_ERROR), 1.0 / 6.0, 1e-15);
    CHECK_SAME(value(c, 2, LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR), 1.0);
    CHECK(isnan(value(c, 2, LOBEDICE_MEASURE_FALSE_POSITIVE_ERROR)));
    CHECK(isnan(value(c, 3, LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR)));
    /* the relative volume difference (|B| - |A|) / |A|: 0 for RML (6 and 6), -1 for RLL (4 and
     * 0), undefined for LUL (no reference) */
    CHECK_SAME(value(c, 1, LOBEDICE_MEASURE_VOLUME_DIFFERENCE), 0.0);
    CHECK_SAME(value(c, 2, LOBEDICE_MEASURE_VOLUME_DIFFERENCE), -1.0);
    CHECK(isnan(value(c, 3, LOBEDICE_MEASURE_VOLUME_DIFFERENCE)));
    /* mean Dice 0.458333 over 4 labels, pooled Dice 2/3 (docs/measures.md) */
    size_t used = 99;
    CHECK_NEAR(lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, &used), 0.4583333333333333,
               1e-15);
    CHECK_UINT(used, 4);
    CHECK_NEAR(lobedice_comparison_pooled_dice(c), 2.0 / 3.0, 1e-15);
    /* regions: the right lung is 1+2+3 measured as one mask */
    CHECK_SAME(value(c, 5, LOBEDICE_MEASURE_TP), 9);
    CHECK_SAME(value(c, 5, LOBEDICE_MEASURE_FP), 1);
    CHECK_SAME(value(c, 5, LOBEDICE_MEASURE_FN), 5);
    /* no surface distances asked for: every surface measure is undefined, means too */
    CHECK(isnan(value(c, 0, LOBEDICE_MEASURE_HD)));
    CHECK(isnan(lobedice_comparison_mean(c, LOBEDICE_MEASURE_HD95, &used)));
    CHECK_UINT(used, 0);
    uint64_t voxel[3];
    CHECK_INT(lobedice_comparison_hd_voxel(voxel, c, 1), LOBEDICE_EINVAL);
    /* counts and volumes have no mean */
    CHECK(isnan(lobedice_comparison_mean(c, LOBEDICE_MEASURE_TP, &used)));
    CHECK_UINT(used, 0);
    /* the options it ran with, resolved */
    const lobedice_compare_options *r = lobedice_comparison_options(c);
    CHECK_UINT(r->nlabels, 5);
    CHECK_INT(r->region_mode, LOBEDICE_REGIONS_GIVEN);
    CHECK_UINT(r->nregions, 3);
    CHECK_STR(r->regions[2].name, "Lungs");
    CHECK_UINT(r->regions[2].nlabels, 5);
    CHECK_STR(r->label_names[3], "LUL");
    CHECK(r->progress == NULL);
    lobedice_comparison_free(c);
}

/* The means are the means of the per-row values where defined, for every averaged measure;
 * computed here independently, on the phantom with surfaces. */
static void means_and_surfaces_match_rows(void)
{
    const size_t size[3] = {36, 32, 28};
    phantom_pair *pair = phantom_pair_new(size);
    CHECK_FATAL(pair != NULL);
    const lobedice_volume ref = {pair->ref,
                                 LOBEDICE_UINT8,
                                 {size[0], size[1], size[2]},
                                 {pair->spacing[0], pair->spacing[1], pair->spacing[2]}};
    lobedice_volume pred = ref;
    pred.data = pair->pred;
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.surface_distances = 1;
    o.tolerance_mm = 3.0;
    o.threads = 3;
    lobedice_comparison *c = NULL;
    CHECK_FATAL(lobedice_compare(&c, &ref, &pred, &o) == LOBEDICE_OK);
    CHECK_UINT(lobedice_comparison_label_rows(c), 5); /* found in the maps */
    CHECK_UINT(lobedice_comparison_rows(c), 8);       /* with the lung regions */
    for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
        const lobedice_measure_info *info = lobedice_measure_get_info((lobedice_measure)m);
        double sum = 0;
        size_t n = 0, used = 99;
        for (size_t i = 0; i < 5; i++) {
            const double v = value(c, i, (lobedice_measure)m);
            CHECK(info->is_surface ? !isnan(v) : 1);
            if (!isnan(v)) {
                sum += v;
                n++;
            }
        }
        const double mean = lobedice_comparison_mean(c, (lobedice_measure)m, &used);
        if (info->is_averaged) {
            CHECK_NEAR(mean, sum / (double)n, 1e-12);
            CHECK_UINT(used, n);
        } else {
            CHECK(isnan(mean));
        }
    }
    /* surface values agree with the brute-force oracle, and HD is attained where reported:
     * that voxel is on the surface of its side and its distance to the other surface is HD */
    const size_t nvox = pair->voxels;
    uint8_t *a = malloc(nvox), *b = malloc(nvox);
    size_t(*sa)[3] = malloc(nvox * sizeof *sa), (*sb)[3] = malloc(nvox * sizeof *sb);
    CHECK_FATAL(a && b && sa && sb);
    for (size_t row = 0; row < 5; row++) {
        const int64_t label = (int64_t)row + 1;
        for (size_t i = 0; i < nvox; i++) {
            a[i] = pair->ref[i] == label;
            b[i] = pair->pred[i] == label;
        }
        const surface_oracle_options so = {.tolerance_mm = 3.0};
        const surface_oracle_result want = surface_oracle_measure(a, b, size, pair->spacing, &so);
        CHECK_NEAR(value(c, row, LOBEDICE_MEASURE_HD), want.hd, 1e-9);
        CHECK_NEAR(value(c, row, LOBEDICE_MEASURE_HD95_PRED_TO_REF), want.hd95_pred_to_ref, 1e-9);
        CHECK_NEAR(value(c, row, LOBEDICE_MEASURE_ASD_REF_TO_PRED), want.mean_ref_to_pred, 1e-9);
        CHECK_NEAR(value(c, row, LOBEDICE_MEASURE_NSD), want.nsd, 1e-12);
        CHECK_SAME(value(c, row, LOBEDICE_MEASURE_PRED_SURFACE_VOXELS),
                   (double)want.pred_surface_voxels);
        uint64_t v[3];
        CHECK_FATAL(lobedice_comparison_hd_voxel(v, c, row) == LOBEDICE_OK);
        const size_t na = surface_oracle_voxels(sa, a, size),
                     nb = surface_oracle_voxels(sb, b, size);
        const int from_ref = want.hd_ref_to_pred >= want.hd_pred_to_ref;
        size_t at[1][3] = {{(size_t)v[0], (size_t)v[1], (size_t)v[2]}};
        int on_surface = 0;
        for (size_t k = 0; k < (from_ref ? na : nb); k++) {
            const size_t *q = from_ref ? sa[k] : sb[k];
            on_surface |= q[0] == at[0][0] && q[1] == at[0][1] && q[2] == at[0][2];
        }
        CHECK(on_surface);
        double *d =
            surface_oracle_directed(at, 1, from_ref ? sb : sa, from_ref ? nb : na, pair->spacing);
        CHECK_FATAL(d != NULL);
        CHECK_NEAR(d[0], want.hd, 1e-9);
        free(d);
    }
    free(a);
    free(b);
    free(sa);
    free(sb);

    /* the same numbers, bit for bit, with one thread */
    o.threads = 1;
    lobedice_comparison *one = NULL;
    CHECK_FATAL(lobedice_compare(&one, &ref, &pred, &o) == LOBEDICE_OK);
    for (size_t row = 0; row < lobedice_comparison_rows(c); row++)
        for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
            CHECK_SAME(value(one, row, (lobedice_measure)m), value(c, row, (lobedice_measure)m));
    lobedice_comparison_free(one);
    lobedice_comparison_free(c);
    phantom_pair_free(pair);
}

/* Labels found in the maps; names and regions given; the empty policies. */
static void labels_names_regions_policy(void)
{
    lobedice_comparison *c = NULL;
    CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, NULL) == LOBEDICE_OK);
    /* every non-zero label in either map: 1..4, so no lung regions */
    CHECK_UINT(lobedice_comparison_label_rows(c), 4);
    CHECK_UINT(lobedice_comparison_rows(c), 4);
    lobedice_comparison_free(c);

    const int64_t labels[3] = {2, 7, 0};
    const char *names[3] = {"middle", "seven", "background"};
    const int64_t upper[2] = {1, 4};
    const lobedice_region regions[1] = {{"Upper", upper, 2}};
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.labels = labels;
    o.nlabels = 3;
    o.label_names = names;
    o.region_mode = LOBEDICE_REGIONS_GIVEN;
    o.regions = regions;
    o.nregions = 1;
    o.empty_policy = LOBEDICE_EMPTY_ONE;
    CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, &o) == LOBEDICE_OK);
    CHECK_UINT(lobedice_comparison_rows(c), 4);
    CHECK_STR(lobedice_comparison_row(c, 1)->name, "seven");
    CHECK_INT(lobedice_comparison_row(c, 1)->presence, LOBEDICE_ABSENT);
    CHECK_SAME(value(c, 1, LOBEDICE_MEASURE_DICE), 1.0); /* the policy */
    CHECK_SAME(value(c, 1, LOBEDICE_MEASURE_JACCARD), 1.0);
    CHECK(isnan(value(c, 1, LOBEDICE_MEASURE_PRECISION))); /* not the policy's */
    /* the background is a label like any other when asked for: 6 voxels in both */
    CHECK_SAME(value(c, 2, LOBEDICE_MEASURE_TP), 6);
    CHECK_STR(lobedice_comparison_row(c, 3)->name, "Upper");
    CHECK_SAME(value(c, 3, LOBEDICE_MEASURE_TP), 4); /* label 1 only: 4 is never in both */
    size_t used = 0;
    lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, &used);
    CHECK_UINT(used, 3); /* the absent label counts with its policy value */
    /* caller's strings are copied */
    const lobedice_compare_options *r = lobedice_comparison_options(c);
    CHECK(r->label_names[0] != names[0]);
    CHECK(r->regions[0].labels != upper);
    lobedice_comparison_free(c);

    o.empty_policy = LOBEDICE_EMPTY_ZERO;
    o.region_mode = LOBEDICE_REGIONS_GIVEN;
    o.nregions = 0;
    CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, &o) == LOBEDICE_OK);
    CHECK_SAME(value(c, 1, LOBEDICE_MEASURE_DICE), 0.0);
    CHECK_UINT(lobedice_comparison_rows(c), 3);
    lobedice_comparison_free(c);
}

typedef struct progress_log {
    double values[64];
    size_t n;
} progress_log;

static void record(void *user, double fraction)
{
    progress_log *log = user;
    if (log->n < 64)
        log->values[log->n] = fraction;
    log->n++;
}

static void progress_reports(void)
{
    for (int surface = 0; surface < 2; surface++) {
        progress_log log = {{0}, 0};
        lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
        o.surface_distances = surface;
        o.progress = record;
        o.progress_user = &log;
        lobedice_comparison *c = NULL;
        CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, &o) == LOBEDICE_OK);
        CHECK(log.n >= 1 && log.n <= 64);
        for (size_t i = 0; i + 1 < log.n && i + 1 < 64; i++)
            CHECK(log.values[i] > 0 && log.values[i] <= log.values[i + 1]);
        CHECK_SAME(log.values[log.n - 1], 1.0);
        lobedice_comparison_free(c);
    }
}

/* Options like libgit2's: _INIT and _init agree; versions 1..current are taken; a caller built
 * against version 1 of the surface options (a struct without hd_voxel) keeps working. */
typedef struct surface_options_v1 {
    unsigned version;
    double tolerance_mm;
    size_t threads;
    uint64_t *histogram;
    size_t histogram_bins;
    double histogram_bin_mm;
    void (*progress)(void *user, double fraction);
    void *progress_user;
} surface_options_v1;

/* Field by field: padding bytes are unspecified. */
static int same_compare_options(const lobedice_compare_options *a,
                                const lobedice_compare_options *b)
{
    return a->version == b->version && a->labels == b->labels && a->nlabels == b->nlabels &&
           a->label_names == b->label_names && a->region_mode == b->region_mode &&
           a->regions == b->regions && a->nregions == b->nregions &&
           a->surface_distances == b->surface_distances &&
           memcmp(&a->tolerance_mm, &b->tolerance_mm, sizeof a->tolerance_mm) == 0 &&
           a->empty_policy == b->empty_policy && a->threads == b->threads &&
           a->progress == b->progress && a->progress_user == b->progress_user;
}

static void options_versions(void)
{
    const lobedice_compare_options init = LOBEDICE_COMPARE_OPTIONS_INIT;
    lobedice_compare_options o;
    memset(&o, 0xab, sizeof o);
    CHECK_INT(lobedice_compare_options_init(&o, LOBEDICE_COMPARE_OPTIONS_VERSION), LOBEDICE_OK);
    CHECK(same_compare_options(&o, &init));
    CHECK_UINT(o.threads, 1);
    CHECK_NEAR(o.tolerance_mm, 1.0, 0);
    memset(&o, 0xab, sizeof o);
    lobedice_compare_options untouched;
    memcpy(&untouched, &o, sizeof o);
    CHECK_INT(lobedice_compare_options_init(&o, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_compare_options_init(&o, LOBEDICE_COMPARE_OPTIONS_VERSION + 1),
              LOBEDICE_EINVAL);
    CHECK(memcmp(&o, &untouched, sizeof o) == 0);
    CHECK_INT(lobedice_compare_options_init(NULL, 1), LOBEDICE_EINVAL);
    lobedice_comparison *c = (lobedice_comparison *)&o;
    o = init;
    o.version = LOBEDICE_COMPARE_OPTIONS_VERSION + 1;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    CHECK(c == NULL);

    const lobedice_surface_options sinit = LOBEDICE_SURFACE_OPTIONS_INIT;
    lobedice_surface_options so;
    CHECK_INT(lobedice_surface_options_init(&so, LOBEDICE_SURFACE_OPTIONS_VERSION), LOBEDICE_OK);
    CHECK(so.version == sinit.version && so.tolerance_mm == sinit.tolerance_mm &&
          so.threads == sinit.threads && so.histogram == NULL && so.histogram_bins == 0 &&
          so.histogram_bin_mm == 1.0 && so.progress == NULL && so.progress_user == NULL &&
          so.hd_voxel == NULL);
    CHECK_INT(lobedice_surface_options_init(&so, LOBEDICE_SURFACE_OPTIONS_VERSION + 1),
              LOBEDICE_EINVAL);

    /* A version-1 caller: init writes only the version-1 bytes (the guard after it stays), and
     * the library reads only those when measuring. */
    struct {
        surface_options_v1 v1;
        unsigned char guard[16];
    } old;
    memset(&old, 0x5a, sizeof old);
    CHECK_INT(lobedice_surface_options_init((lobedice_surface_options *)&old.v1, 1), LOBEDICE_OK);
    CHECK_UINT(old.v1.version, 1);
    CHECK_UINT(old.v1.threads, 1);
    CHECK(old.v1.histogram == NULL && old.v1.progress == NULL);
    for (size_t i = 0; i < sizeof old.guard; i++)
        CHECK_UINT(old.guard[i], 0x5a);
    old.v1.tolerance_mm = 0.5;
    const int64_t labels[2] = {1, 2};
    const lobedice_label_set sets[2] = {{1, &labels[0], 1}, {2, &labels[1], 1}};
    lobedice_label_surface got[2], want[2];
    CHECK_INT(lobedice_surface_distances_sets(got, &ex_ref, &ex_pred, sets, 2,
                                              (const lobedice_surface_options *)&old.v1),
              LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(want, &ex_ref, &ex_pred, labels, 2, 0.5, 1), LOBEDICE_OK);
    for (int i = 0; i < 2; i++) {
        CHECK_SAME(got[i].hd95, want[i].hd95);
        CHECK_SAME(got[i].nsd, want[i].nsd);
    }
    so = sinit;
    so.version = 0;
    CHECK_INT(lobedice_surface_distances_sets(got, &ex_ref, &ex_pred, sets, 2, &so),
              LOBEDICE_EINVAL);
}

/* The layout of the public structs and the values of the enums are part of the ABI: a program
 * built against this header must keep working with later libraries. Pinned for LP64. */
static void abi_pinned(void)
{
    CHECK_UINT(sizeof(lobedice_row_info), 40);
    CHECK_UINT(offsetof(lobedice_row_info, kind), 0);
    CHECK_UINT(offsetof(lobedice_row_info, name), 8);
    CHECK_UINT(offsetof(lobedice_row_info, labels), 16);
    CHECK_UINT(offsetof(lobedice_row_info, nlabels), 24);
    CHECK_UINT(offsetof(lobedice_row_info, presence), 32);
    CHECK_UINT(offsetof(lobedice_measure_info, key), 0);
    CHECK_UINT(offsetof(lobedice_measure_info, title), 8);
    CHECK_UINT(offsetof(lobedice_measure_info, unit), 16);
    CHECK_UINT(offsetof(lobedice_measure_info, description), 24);
    CHECK_UINT(offsetof(lobedice_measure_info, is_count), 32);
    CHECK_UINT(offsetof(lobedice_measure_info, is_surface), 36);
    CHECK_UINT(offsetof(lobedice_measure_info, is_averaged), 40);
    CHECK_UINT(offsetof(lobedice_compare_options, version), 0);
    CHECK_UINT(offsetof(lobedice_compare_options, labels), 8);
    CHECK_UINT(offsetof(lobedice_compare_options, nlabels), 16);
    CHECK_UINT(offsetof(lobedice_compare_options, label_names), 24);
    CHECK_UINT(offsetof(lobedice_compare_options, region_mode), 32);
    CHECK_UINT(offsetof(lobedice_compare_options, regions), 40);
    CHECK_UINT(offsetof(lobedice_compare_options, nregions), 48);
    CHECK_UINT(offsetof(lobedice_compare_options, surface_distances), 56);
    CHECK_UINT(offsetof(lobedice_compare_options, tolerance_mm), 64);
    CHECK_UINT(offsetof(lobedice_compare_options, empty_policy), 72);
    CHECK_UINT(offsetof(lobedice_compare_options, threads), 80);
    CHECK_UINT(offsetof(lobedice_compare_options, progress), 88);
    CHECK_UINT(offsetof(lobedice_compare_options, progress_user), 96);
    CHECK_UINT(offsetof(lobedice_region, name), 0);
    CHECK_UINT(offsetof(lobedice_region, labels), 8);
    CHECK_UINT(offsetof(lobedice_region, nlabels), 16);
    CHECK_UINT(offsetof(lobedice_surface_options, hd_voxel), 64); /* appended in version 2 */
    /* enum values are pinned: reports and saved results name them */
    CHECK_INT(LOBEDICE_MEASURE_DICE, 0);
    CHECK_INT(LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR, 5);
    CHECK_INT(LOBEDICE_MEASURE_TP, 10);
    CHECK_INT(LOBEDICE_MEASURE_HD, 14);
    CHECK_INT(LOBEDICE_MEASURE_NSD, 17);
    CHECK_INT(LOBEDICE_MEASURE_PRED_SURFACE_VOXELS, 25);
    CHECK_INT(LOBEDICE_MEASURE_VOLUME_DIFFERENCE, 26);
    CHECK_INT(LOBEDICE_EMPTY_ZERO, 2);
    CHECK_INT(LOBEDICE_REGIONS_GIVEN, 1);
    CHECK_INT(LOBEDICE_ROW_REGION, 1);
    CHECK_INT(LOBEDICE_CONFUSED, 4);
    /* every measure is described, keys unique, units as reports show them */
    for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
        const lobedice_measure_info *info = lobedice_measure_get_info((lobedice_measure)m);
        CHECK_FATAL(info && info->key && info->title && info->unit && info->description);
        for (int k = 0; k < m; k++)
            CHECK(strcmp(info->key, lobedice_measure_get_info((lobedice_measure)k)->key) != 0);
    }
    CHECK(lobedice_measure_get_info(LOBEDICE_MEASURE_COUNT) == NULL);
    CHECK(lobedice_measure_get_info((lobedice_measure)-1) == NULL);
    CHECK_STR(lobedice_measure_get_info(LOBEDICE_MEASURE_HD95)->key, "hd95_mm");
    CHECK_STR(lobedice_measure_get_info(LOBEDICE_MEASURE_VOLUME_REF_ML)->unit, "ml");
}

static void names(void)
{
    char buf[16];
    CHECK_INT(lobedice_label_name(buf, sizeof buf, 3), LOBEDICE_OK);
    CHECK_STR(buf, "RLL");
    CHECK_INT(lobedice_label_name(buf, sizeof buf, -7), LOBEDICE_OK);
    CHECK_STR(buf, "label -7");
    CHECK_INT(lobedice_label_name(buf, 4, 1234567), LOBEDICE_OK);
    CHECK_STR(buf, "lab"); /* truncated, terminated */
    CHECK_INT(lobedice_label_name(NULL, 4, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_label_name(buf, 0, 1), LOBEDICE_EINVAL);
    lobedice_empty_policy p = LOBEDICE_EMPTY_NAN;
    CHECK_INT(lobedice_empty_policy_parse(&p, "zero"), LOBEDICE_OK);
    CHECK_INT(p, LOBEDICE_EMPTY_ZERO);
    CHECK_INT(lobedice_empty_policy_parse(&p, "Zero"), LOBEDICE_EINVAL);
    CHECK_INT(p, LOBEDICE_EMPTY_ZERO);
    CHECK_STR(lobedice_empty_policy_name(LOBEDICE_EMPTY_ONE), "one");
    CHECK(lobedice_empty_policy_name((lobedice_empty_policy)3) == NULL);
    CHECK_STR(lobedice_presence_name(LOBEDICE_MISSING_IN_REFERENCE), "missing_in_reference");
}

/* The disagreement-map coding, both ways, and as the map writes it. */
static void disagreement_coding(void)
{
    int32_t code = 0;
    CHECK_INT(lobedice_disagreement_code(&code, 5, 3, 0), LOBEDICE_OK);
    CHECK_INT(code, 130);
    CHECK_INT(lobedice_disagreement_code(&code, 5, 2, 3), LOBEDICE_OK);
    CHECK_INT(code, 123);
    CHECK_INT(lobedice_disagreement_code(&code, 5, 4, 4), LOBEDICE_OK);
    CHECK_INT(code, 4);
    CHECK_INT(lobedice_disagreement_code(&code, 12, 11, 0), LOBEDICE_OK);
    CHECK_INT(code, 10000 + 1100);
    CHECK_INT(lobedice_disagreement_code(&code, 5, 6, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_code(&code, 100, 1, 0), LOBEDICE_EINVAL);
    for (size_t n = 0; n <= LOBEDICE_DISAGREEMENT_MAX_LABELS; n += n < 12 ? 1 : 29) {
        for (size_t r = 0; r <= n; r++)
            for (size_t p = 0; p <= n; p++) {
                size_t rr = 99, pp = 99;
                lobedice_disagreement_kind kind = LOBEDICE_AGREE_BACKGROUND;
                CHECK_INT(lobedice_disagreement_code(&code, n, r, p), LOBEDICE_OK);
                CHECK_INT(lobedice_disagreement_classes(&rr, &pp, &kind, code, n), LOBEDICE_OK);
                CHECK_UINT(rr, r);
                CHECK_UINT(pp, p);
                CHECK_INT(kind, r == p   ? (r ? LOBEDICE_AGREE_LABEL : LOBEDICE_AGREE_BACKGROUND)
                                : p == 0 ? LOBEDICE_MISSED
                                : r == 0 ? LOBEDICE_EXTRA
                                         : LOBEDICE_CONFUSED);
            }
    }
    size_t keep = 42;
    CHECK_INT(lobedice_disagreement_classes(&keep, NULL, NULL, 6, 5), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_classes(&keep, NULL, NULL, 99, 5), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_classes(&keep, NULL, NULL, 111, 5), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_classes(&keep, NULL, NULL, -1, 5), LOBEDICE_EINVAL);
    CHECK_UINT(keep, 42);
    /* the map uses the same codes: the example's voxel (4, 0) is RLL predicted as background */
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    uint8_t map[24];
    CHECK_INT(lobedice_disagreement_map(map, LOBEDICE_UINT8, &ex_ref, &ex_pred, labels, 5, 1),
              LOBEDICE_OK);
    CHECK_INT(lobedice_disagreement_code(&code, 5, 3, 0), LOBEDICE_OK);
    CHECK_INT(map[4], code);
    CHECK_INT(lobedice_disagreement_code(&code, 5, 0, 4), LOBEDICE_OK);
    CHECK_INT(map[16], code);
}

static void errors(void)
{
    lobedice_comparison *c = NULL;
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    CHECK_INT(lobedice_compare(NULL, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_compare(&c, NULL, &ex_pred, &o), LOBEDICE_EINVAL);
    const int64_t twice[2] = {1, 1}, one = 1;
    o.labels = twice;
    o.nlabels = 2;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    const char *names[1] = {"x"};
    o.label_names = names; /* without labels */
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    const char *empty_name[1] = {""};
    o.labels = &one;
    o.nlabels = 1;
    o.label_names = empty_name;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    const lobedice_region bad[2][2] = {{{"A", &one, 1}, {"A", &one, 1}},
                                       {{"", &one, 1}, {"B", NULL, 0}}};
    o.region_mode = LOBEDICE_REGIONS_GIVEN;
    o.regions = bad[0];
    o.nregions = 2; /* a repeated name */
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o.regions = bad[1];
    o.nregions = 1; /* an empty name */
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o.regions = bad[1] + 1; /* no labels */
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    o.region_mode = (lobedice_region_mode)7;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    o.tolerance_mm = NAN;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o.tolerance_mm = -1;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    o = (lobedice_compare_options)LOBEDICE_COMPARE_OPTIONS_INIT;
    o.empty_policy = (lobedice_empty_policy)3;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &ex_pred, &o), LOBEDICE_EINVAL);
    /* volumes */
    lobedice_volume small = ex_pred;
    small.size[0] = 5;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &small, NULL), LOBEDICE_ESIZE);
    lobedice_volume flat = ex_pred;
    flat.spacing[1] = 0;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &flat, NULL), LOBEDICE_ESPACING);
    lobedice_volume typeless = ex_pred;
    typeless.dtype = (lobedice_dtype)99;
    CHECK_INT(lobedice_compare(&c, &ex_ref, &typeless, NULL), LOBEDICE_EDTYPE);
    CHECK(c == NULL);
    /* reading a NULL result */
    CHECK_UINT(lobedice_comparison_rows(NULL), 0);
    CHECK(lobedice_comparison_row(NULL, 0) == NULL);
    CHECK(isnan(lobedice_comparison_value(NULL, 0, LOBEDICE_MEASURE_DICE)));
    CHECK(lobedice_comparison_options(NULL) == NULL);
    size_t used = 9;
    CHECK(isnan(lobedice_comparison_mean(NULL, LOBEDICE_MEASURE_DICE, &used)));
    CHECK_UINT(used, 0);
    lobedice_comparison_free(NULL);
    /* out-of-range row or measure */
    CHECK_FATAL(lobedice_compare(&c, &ex_ref, &ex_pred, NULL) == LOBEDICE_OK);
    CHECK(isnan(lobedice_comparison_value(c, 99, LOBEDICE_MEASURE_DICE)));
    CHECK(isnan(lobedice_comparison_value(c, 0, LOBEDICE_MEASURE_COUNT)));
    lobedice_comparison_free(c);
}

static const check_case cases[] = {
    {"worked_example", worked_example},
    {"means_and_surfaces_match_rows", means_and_surfaces_match_rows},
    {"labels_names_regions_policy", labels_names_regions_policy},
    {"progress_reports", progress_reports},
    {"options_versions", options_versions},
    {"abi_pinned", abi_pinned},
    {"names", names},
    {"disagreement_coding", disagreement_coding},
    {"errors", errors},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
