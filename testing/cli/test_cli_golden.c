/* Golden JSON reports, compared structurally and numerically (paths and versions ignored):
 *  - the 4x6 example of docs/measures.md, whose values are derived by hand in
 *    testing/cli/golden/README.md;
 *  - a small phantom pair (cropped short prediction, as Slicer hands a segmentation over),
 *    whose golden values are recomputed here by brute force from the definitions of
 *    docs/measures.md (counts here, surface distances by the exhaustive nearest-point search of
 *    testing/surface_oracle.h), so a golden file cannot drift from the definitions unnoticed.
 *    test_cli_golden_itk checks the same golden file against ITK's
 *    LabelOverlapMeasuresImageFilter.
 * And the table printed for a person: its rows, names and values to the printed precision. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"
#include "phantom.h"
#include "surface_oracle.h"

#include <math.h>

static const char *const ignored_keys[] = {"path", "version", NULL};

static json_t *run_to_json(const char *const *argv, const char *json_path)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != 0)
        fprintf(stderr, "%s -> exit %d: %s", command_text(argv), r.status, r.err);
    CHECK_FATAL(r.status == 0);
    CHECK_UINT(r.err_len, 0);
    CHECK_UINT(r.out_len, 0); /* outputs were asked for: nothing on stdout */
    run_result_free(&r);
    return load_json(json_path);
}

/* The measure `key` of a JSON row as the printed table shows it ("-" where undefined). */
static void printed(char *buf, size_t size, const json_t *row, const char *key, int decimals)
{
    const json_t *v = json_object_get(row, key);
    CHECK_FATAL(v != NULL);
    if (json_is_null(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", decimals, json_number_value(v));
}

/* The table LobeDice prints against the report of the same run: a header, one line per row of
 * `rows` (labels text, name, Dice, Jaccard, status), then the mean line (Dice and Jaccard of
 * the summary, and HD95 and ASSD when distances were computed) and the pooled Dice. */
static void check_printed_table(const char *out, const json_t *report, const json_t *rows)
{
    const char *line = strstr(out, "\nlabels ");
    CHECK_FATAL(line != NULL);
    line = strchr(line + 1, '\n');
    CHECK_FATAL(line != NULL);
    line++;
    const int distances = json_is_true(json_object_get(report, "surface_distances"));
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        char labels[64], name[64], dice[32], jac[32], want_labels[64], want_dice[32], want_jac[32];
        CHECK_FATAL(sscanf(line, "%63s %63s %31s %31s", labels, name, dice, jac) == 4);
        snprintf(want_labels, sizeof want_labels, "%lld",
                 (long long)json_integer_value(json_object_get(row, "label")));
        printed(want_dice, sizeof want_dice, row, "dice", 4);
        printed(want_jac, sizeof want_jac, row, "jaccard", 4);
        CHECK_STR(labels, want_labels);
        CHECK_STR(name, json_string_value(json_object_get(row, "name")));
        CHECK_STR(dice, want_dice);
        CHECK_STR(jac, want_jac);
        const char *end = strchr(line, '\n');
        CHECK_FATAL(end != NULL);
        char status[64];
        snprintf(status, sizeof status, "  %s\n",
                 json_string_value(json_object_get(row, "status")));
        CHECK(strncmp(end + 1 - strlen(status), status, strlen(status)) == 0);
        line = end + 1;
    }
    /* label rows end with a blank line (before the regions, or before the mean) */
    CHECK(line[0] == '\n');
    const json_t *summary = json_object_get(report, "summary");
    const char *mean = strstr(line, "\nmean ");
    CHECK_FATAL(mean != NULL);
    const char *mean_end = strchr(mean + 1, '\n');
    CHECK_FATAL(mean_end != NULL);
    char *mean_line = strndup(mean + 1, (size_t)(mean_end - mean - 1));
    CHECK_FATAL(mean_line != NULL);
    size_t count = 0;
    char dice[32], jac[32], hd95[32], assd[32], want[32], extra[32];
    int fields = sscanf(mean_line, "mean %zu labels %31s %31s %31s %31s %31s", &count, dice, jac,
                        hd95, assd, extra);
    CHECK_INT(fields, distances ? 5 : 3);
    CHECK_UINT(count, json_array_size(rows));
    printed(want, sizeof want, summary, "mean_dice", 4);
    CHECK_STR(dice, want);
    printed(want, sizeof want, summary, "mean_jaccard", 4);
    CHECK_STR(jac, want);
    if (distances) {
        printed(want, sizeof want, summary, "mean_hd95_mm", 2);
        CHECK_STR(hd95, want);
        printed(want, sizeof want, summary, "mean_assd_mm", 2);
        CHECK_STR(assd, want);
    }
    /* the line is whole and ends with its last value, without trailing blanks */
    const char *last = distances ? assd : jac;
    size_t n = strlen(mean_line);
    CHECK(n >= strlen(last) && strcmp(mean_line + n - strlen(last), last) == 0);
    free(mean_line);
    char pooled[32];
    const char *p = strstr(mean, "\npooled Dice ");
    CHECK_FATAL(p && sscanf(p, " pooled Dice %31s", pooled) == 1);
    printed(want, sizeof want, summary, "pooled_dice", 4);
    CHECK_STR(pooled, want);
}

static void compare_with_golden(const json_t *got, const char *golden_name, double tol)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CLI_GOLDEN_DIR, golden_name);
    json_t *want = load_json(path);
    int diffs = json_compare(got, want, tol, ignored_keys, golden_name);
    if (diffs)
        fprintf(stderr, "%d difference(s) from %s\n", diffs, path);
    CHECK_INT(diffs, 0);
    json_decref(want);
}

static void golden_example_4x6(void)
{
    char dir[1024], ref[1100], pred[1100], json[1100];
    snprintf(dir, sizeof dir, "%s/example", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--labels",
                          "1,2,3,4,5",
                          "--surfaceDistances",
                          "--tolerance",
                          "1",
                          "--outputJson",
                          json,
                          ref,
                          pred,
                          NULL};
    json_t *got = run_to_json(argv, json);
    compare_with_golden(got, "example_4x6.json", 1e-12);
    json_decref(got);
}

/* The example's prediction on a grid twice as fine (each voxel split 2 x 2, same physical
 * extent): it is resampled onto the reference grid by nearest neighbour, which gives back the
 * example exactly, so every label and region equals the golden file; the report says
 * "resampled", in the JSON and in the printed table. */
static void golden_example_resampled(void)
{
    char dir[1024], ref[1100], pred[1100], json[1100];
    snprintf(dir, sizeof dir, "%s/resampled", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    int16_t fine[96];
    for (size_t y = 0; y < 8; y++)
        for (size_t x = 0; x < 12; x++)
            fine[x + 12 * y] = example_pred[x / 2 + 6 * (y / 2)];
    const size_t size[3] = {12, 8, 1};
    const double spacing[3] = {0.5, 0.5, 1}, origin[3] = {-0.25, -0.25, 0};
    CHECK_FATAL(write_nrrd(pred, "short", 2, size, spacing, origin, fine) == 0);
    const char *argv[] = {
        LOBEDICE_EXE, "--labels", "1,2,3,4,5", "--surfaceDistances", "--outputJson", json,
        ref,          pred,       NULL};
    json_t *got = run_to_json(argv, json);
    char path[1024];
    snprintf(path, sizeof path, "%s/example_4x6.json", CLI_GOLDEN_DIR);
    json_t *want = load_json(path);
    const char *const keys[] = {"labels", "regions", "summary"};
    for (size_t k = 0; k < 3; k++)
        CHECK_INT(json_compare(json_object_get(got, keys[k]), json_object_get(want, keys[k]), 1e-12,
                               ignored_keys, keys[k]),
                  0);
    const json_t *predicted = json_object_get(got, "predicted");
    CHECK_STR(json_string_value(json_object_get(predicted, "alignment")), "resampled");
    CHECK(json_is_true(json_object_get(predicted, "resampled")));
    CHECK_NEAR(json_real_value(json_array_get(json_object_get(predicted, "spacing"), 0)), 0.5, 0);
    json_decref(want);

    /* printed without --labels: the four labels either map holds (LLL is in neither) */
    const char *print[] = {LOBEDICE_EXE, ref, pred, NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, print) == 0);
    CHECK_INT(r.status, 0);
    CHECK(strstr(r.out, "resampled onto the reference grid\n  by nearest neighbour") != NULL);
    json_t *four = json_deep_copy(got);
    json_t *labels = json_object_get(four, "labels");
    CHECK_FATAL(json_array_size(labels) == 5);
    json_array_remove(labels, 4);
    json_object_set_new(four, "surface_distances", json_false());
    check_printed_table(r.out, four, labels);
    json_decref(four);
    run_result_free(&r);
    json_decref(got);
}

/* A region of many labels makes the labels column wide: the printed rows and the mean line
 * stay whole (the mean line once lost its end to a fixed buffer), and --printTable prints the
 * table beside the outputs. */
static void golden_printed_wide_region(void)
{
    char dir[1024], ref[1100], pred[1100], json[1100], region[600] = "Wide=1";
    snprintf(dir, sizeof dir, "%s/wide", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    for (int label = 2; label <= 120; label++)
        snprintf(region + strlen(region), sizeof region - strlen(region), "+%d", label);
    CHECK(strlen(region) > 256);
    const char *argv[] = {LOBEDICE_EXE,   "--labels", "1,2,3",        "--surfaceDistances",
                          "--regions",    region,     "--outputJson", json,
                          "--printTable", ref,        pred,           NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    json_t *got = load_json(json);
    check_printed_table(r.out, got, json_object_get(got, "labels"));
    CHECK(strstr(r.out, region + 5) != NULL); /* the region's labels, whole */
    json_decref(got);
    run_result_free(&r);
}

/* ---- the definitions, by brute force ------------------------------------------------------ */

static int in_set(uint8_t v, const int64_t *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v == labels[i])
            return 1;
    return 0;
}

static double get(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    CHECK_FATAL(v != NULL);
    return json_is_null(v) ? NAN : json_number_value(v);
}

/* Checks one golden row (a label or a region) against the definitions. */
static void check_row(const json_t *row, const uint8_t *ref, const uint8_t *pred, const size_t s[3],
                      const double sp[3], double tolerance_mm, const int64_t *labels, size_t n)
{
    size_t voxels = s[0] * s[1] * s[2];
    uint8_t *a = calloc(voxels, 1), *b = calloc(voxels, 1);
    CHECK_FATAL(a && b);
    uint64_t tp = 0, fp = 0, fn = 0, na = 0, nb = 0;
    for (size_t i = 0; i < voxels; i++) {
        a[i] = (uint8_t)in_set(ref[i], labels, n);
        b[i] = (uint8_t)in_set(pred[i], labels, n);
        tp += a[i] && b[i];
        fp += !a[i] && b[i];
        fn += a[i] && !b[i];
        na += a[i];
        nb += b[i];
    }
    uint64_t tn = voxels - tp - fp - fn;
    CHECK_UINT(json_integer_value(json_object_get(row, "tp")), tp);
    CHECK_UINT(json_integer_value(json_object_get(row, "fp")), fp);
    CHECK_UINT(json_integer_value(json_object_get(row, "fn")), fn);
    CHECK_UINT(json_integer_value(json_object_get(row, "tn")), tn);
    const double tol = 1e-12, ml = sp[0] * sp[1] * sp[2] / 1000.0;
    CHECK_NEAR(get(row, "dice"), 2.0 * tp / (2.0 * tp + fp + fn), tol);
    CHECK_NEAR(get(row, "jaccard"), (double)tp / (double)(tp + fp + fn), tol);
    CHECK_NEAR(get(row, "precision"), (double)tp / (double)nb, tol);
    CHECK_NEAR(get(row, "sensitivity"), (double)tp / (double)na, tol);
    CHECK_NEAR(get(row, "specificity"), (double)tn / (double)(tn + fp), tol);
    CHECK_NEAR(get(row, "volume_ref_ml"), na * ml, 1e-9);
    CHECK_NEAR(get(row, "volume_pred_ml"), nb * ml, 1e-9);
    CHECK_NEAR(get(row, "volume_similarity"), 2.0 * ((double)nb - (double)na) / (double)(na + nb),
               tol);
    CHECK_NEAR(get(row, "false_negative_error"), (double)fn / (double)na, tol);
    CHECK_NEAR(get(row, "false_positive_error"), (double)fp / (double)nb, tol);
    CHECK_NEAR(get(row, "volume_difference"), ((double)nb - (double)na) / (double)na, tol);

    const surface_oracle_options options = {.tolerance_mm = tolerance_mm};
    const surface_oracle_result o = surface_oracle_measure(a, b, s, sp, &options);
    CHECK_FATAL(o.ref_surface_voxels > 0 && o.pred_surface_voxels > 0);
    const double dtol = 1e-9;
    CHECK_NEAR(get(row, "hd_mm"), o.hd, dtol);
    CHECK_NEAR(get(row, "hd95_mm"), o.hd95, dtol);
    CHECK_NEAR(get(row, "assd_mm"), o.assd, dtol);
    CHECK_NEAR(get(row, "nsd"), o.nsd, dtol);
    CHECK_NEAR(get(row, "hd_ref_to_pred_mm"), o.hd_ref_to_pred, dtol);
    CHECK_NEAR(get(row, "hd_pred_to_ref_mm"), o.hd_pred_to_ref, dtol);
    CHECK_NEAR(get(row, "hd95_ref_to_pred_mm"), o.hd95_ref_to_pred, dtol);
    CHECK_NEAR(get(row, "hd95_pred_to_ref_mm"), o.hd95_pred_to_ref, dtol);
    CHECK_NEAR(get(row, "asd_ref_to_pred_mm"), o.mean_ref_to_pred, dtol);
    CHECK_NEAR(get(row, "asd_pred_to_ref_mm"), o.mean_pred_to_ref, dtol);
    CHECK_UINT(json_integer_value(json_object_get(row, "ref_surface_voxels")),
               o.ref_surface_voxels);
    CHECK_UINT(json_integer_value(json_object_get(row, "pred_surface_voxels")),
               o.pred_surface_voxels);
    free(a);
    free(b);
}

/* The phantom golden file agrees with the definitions, recomputed here from the maps. */
static void golden_phantom_definitions(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/phantom_40x40x32.json", CLI_GOLDEN_DIR);
    json_t *golden = load_json(path);
    const size_t s[3] = {40, 40, 32};
    double sp[3], origin[3];
    phantom_geometry(s, sp, origin);
    uint8_t *ref = phantom_new(s, PHANTOM_REFERENCE), *pred = phantom_new(s, PHANTOM_PREDICTION);
    CHECK_FATAL(ref && pred);
    const double tolerance = get(golden, "tolerance_mm");
    CHECK_NEAR(tolerance, 1.0, 0); /* the default */
    const json_t *labels = json_object_get(golden, "labels");
    CHECK_UINT(json_array_size(labels), 5);
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const json_t *row = json_array_get(labels, i);
        int64_t label = (int64_t)json_integer_value(json_object_get(row, "label"));
        CHECK_INT(label, (int64_t)i + 1);
        check_row(row, ref, pred, s, sp, tolerance, &label, 1);
    }
    const json_t *regions = json_object_get(golden, "regions");
    CHECK_UINT(json_array_size(regions), 3);
    for (size_t i = 0; i < json_array_size(regions); i++) {
        const json_t *row = json_array_get(regions, i);
        const json_t *ls = json_object_get(row, "labels");
        int64_t set[8];
        size_t n = json_array_size(ls);
        CHECK_FATAL(n <= 8);
        for (size_t k = 0; k < n; k++)
            set[k] = (int64_t)json_integer_value(json_array_get(ls, k));
        check_row(row, ref, pred, s, sp, tolerance, set, n);
    }
    /* the summary: means over the labels, pooled Dice of the summed counts */
    const json_t *summary = json_object_get(golden, "summary");
    double dice = 0, hd95 = 0, tp = 0, fpfn = 0;
    for (size_t i = 0; i < 5; i++) {
        const json_t *row = json_array_get(labels, i);
        dice += get(row, "dice") / 5;
        hd95 += get(row, "hd95_mm") / 5;
        tp += get(row, "tp");
        fpfn += get(row, "fp") + get(row, "fn");
    }
    CHECK_NEAR(get(summary, "mean_dice"), dice, 1e-12);
    CHECK_NEAR(get(summary, "mean_hd95_mm"), hd95, 1e-9);
    CHECK_NEAR(get(summary, "pooled_dice"), 2 * tp / (2 * tp + fpfn), 1e-12);
    for (int a = 0; a < 3; a++) {
        const json_t *r = json_object_get(golden, "reference");
        CHECK_UINT(json_integer_value(json_array_get(json_object_get(r, "size"), a)), s[a]);
        CHECK_NEAR(json_real_value(json_array_get(json_object_get(r, "spacing"), a)), sp[a], 1e-12);
        CHECK_NEAR(json_real_value(json_array_get(json_object_get(r, "origin"), a)), origin[a],
                   1e-9);
    }
    free(ref);
    free(pred);
    json_decref(golden);
}

/* LobeDice on the phantom pair written as Slicer hands it over reproduces the golden file. */
static void golden_phantom_run(void)
{
    char dir[1024], ref[1100], pred[1100], json[1100];
    snprintf(dir, sizeof dir, "%s/phantom", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.seg.nrrd", dir);
    snprintf(json, sizeof json, "%s/report.json", dir);
    const char *make[] = {
        LOBEDICE_PHANTOM_EXE, "--size", "40,40,32", "--type", "short", "--encoding", "raw",
        "--crop-prediction",  ref,      pred,       NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, make) == 0 && r.status == 0);
    run_result_free(&r);
    const char *argv[] = {LOBEDICE_EXE, "--surfaceDistances", "--outputJson", json, ref, pred,
                          NULL};
    json_t *got = run_to_json(argv, json);
    compare_with_golden(got, "phantom_40x40x32.json", 1e-9);
    json_decref(got);
}

static const check_case cases[] = {{"golden_example_4x6", golden_example_4x6},
                                   {"golden_example_resampled", golden_example_resampled},
                                   {"golden_phantom_definitions", golden_phantom_definitions},
                                   {"golden_phantom_run", golden_phantom_run},
                                   {"golden_printed_wide_region", golden_printed_wide_region}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
