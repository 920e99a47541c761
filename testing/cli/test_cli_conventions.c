/* Label conventions on the command line: a TotalSegmentator-labelled prediction (with other
 * organs) against a lobe reference gives exactly the Dice of the relabelled pair, counted here
 * voxel by voxel; without its flag the run stops with a sentence naming the flag; explicit maps;
 * disjoint labels; a Slicer segmentation named as Slicer's CLI logic names it; overlapping
 * lobes; the JSON and the printed line that say how each map was read; --help. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"
#include "phantom.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const size_t size[3] = {40, 36, 30};
static char dir[1024];

static void setup(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s", CLI_SCRATCH_DIR, name);
    CHECK_FATAL(fresh_dir(dir) == 0);
}

typedef struct pair {
    uint8_t *ref, *pred; /* the phantom's lobes */
    size_t voxels;
    double spacing[3], origin[3];
} pair;

static pair make_pair(void)
{
    pair p;
    p.ref = phantom_new(size, PHANTOM_REFERENCE);
    p.pred = phantom_new(size, PHANTOM_PREDICTION);
    CHECK_FATAL(p.ref && p.pred);
    p.voxels = size[0] * size[1] * size[2];
    phantom_geometry(size, p.spacing, p.origin);
    return p;
}

static void free_pair(pair *p)
{
    free(p->ref);
    free(p->pred);
}

static void write_map(const char *path, const pair *p, const int16_t *values)
{
    CHECK_FATAL(write_nrrd(path, "short", 3, size, p->spacing, p->origin, values) == 0);
}

/* The lobes as short values through a table value_of[lobe]; organs[] (value, every n-th
 * background voxel) painted over the background. Returns the buffer; counts[] the organ voxels. */
static int16_t *relabel(const pair *p, const uint8_t *lobes, const int16_t value_of[6],
                        const int16_t organs[3], uint64_t counts[3])
{
    int16_t *out = malloc(p->voxels * sizeof *out);
    CHECK_FATAL(out);
    if (counts)
        counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < p->voxels; i++) {
        out[i] = value_of[lobes[i]];
        if (!lobes[i] && organs) {
            const size_t k = i % 7 == 0 ? 0 : i % 11 == 0 ? 1 : i % 13 == 0 ? 2 : 3;
            if (k < 3) {
                out[i] = organs[k];
                counts[k]++;
            }
        }
    }
    return out;
}

/* Dice of lobe k counted here. */
static double dice_of(const pair *p, uint8_t k)
{
    uint64_t tp = 0, in_ref = 0, in_pred = 0;
    for (size_t i = 0; i < p->voxels; i++) {
        tp += p->ref[i] == k && p->pred[i] == k;
        in_ref += p->ref[i] == k;
        in_pred += p->pred[i] == k;
    }
    return 2.0 * (double)tp / (double)(in_ref + in_pred);
}

static json_t *run_ok(const char *const *argv, const char *json, run_result *r)
{
    CHECK_FATAL(run_program(r, argv) == 0);
    if (r->status != 0)
        fprintf(stderr, "%s -> exit %d: %s", command_text(argv), r->status, r->err);
    CHECK_FATAL(r->status == 0);
    CHECK_UINT(r->err_len, 0);
    return load_json(json);
}

/* One line on standard error, the status, and every piece of text in it. */
static void expect_stop(const char *const *argv, int status, const char *const *mentions)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, status);
    CHECK_UINT(r.out_len, 0);
    CHECK(r.err_len > 0 && strchr(r.err, '\n') == r.err + r.err_len - 1);
    for (size_t i = 0; mentions[i]; i++)
        if (!strstr(r.err, mentions[i])) {
            fprintf(stderr, "stderr '%s' does not mention '%s'\n", r.err, mentions[i]);
            check_failures++;
        }
    run_result_free(&r);
}

#define MENTIONS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void check_lobe_dice(const json_t *report, const pair *p)
{
    const json_t *labels = json_object_get(report, "labels");
    CHECK_UINT(json_array_size(labels), 5);
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const json_t *row = json_array_get(labels, i);
        CHECK_INT(json_integer_value(json_object_get(row, "label")), (json_int_t)i + 1);
        CHECK_NEAR(json_real_value(json_object_get(row, "dice")), dice_of(p, (uint8_t)(i + 1)),
                   1e-15);
    }
    CHECK_UINT(json_array_size(json_object_get(report, "regions")), 3);
}

/* TotalSegmentator v2 ("total"): 10 LUL, 11 LLL, 12 RUL, 13 RML, 14 RLL; organs at 1 (spleen),
 * 5 (liver) and 16 (trachea). */
static const int16_t ts_value[6] = {0, 12, 13, 14, 10, 11};
static const int16_t ts_organs[3] = {1, 5, 16};
static const int16_t lobe_value[6] = {0, 1, 2, 3, 4, 5};

static void totalsegmentator_prediction(void)
{
    setup("totalsegmentator");
    pair p = make_pair();
    uint64_t organ_voxels[3];
    int16_t *ref = relabel(&p, p.ref, lobe_value, NULL, NULL);
    int16_t *ts = relabel(&p, p.pred, ts_value, ts_organs, organ_voxels);
    write_map(path_in(dir, "ref.nrrd"), &p, ref);
    write_map(path_in(dir, "ts.nrrd"), &p, ts);
    char json[1200];
    snprintf(json, sizeof json, "%s", path_in(dir, "report.json"));
    const char *argv[] = {
        LOBEDICE_EXE, "--predictedLabels", "totalsegmentator",       "--outputJson",
        json,         "--printTable",      path_in(dir, "ref.nrrd"), path_in(dir, "ts.nrrd"),
        NULL};
    run_result r;
    json_t *report = run_ok(argv, json, &r);
    check_lobe_dice(report, &p);
    const json_t *pl = json_object_get(json_object_get(report, "predicted"), "labels");
    CHECK_STR(json_string_value(json_object_get(pl, "convention")), "totalsegmentator");
    CHECK(json_is_false(json_object_get(pl, "identity")));
    const json_t *mapping = json_object_get(pl, "mapping");
    CHECK_UINT(json_array_size(mapping), 5);
    const json_t *first = json_array_get(mapping, 0);
    CHECK_INT(json_integer_value(json_object_get(first, "value")), 10);
    CHECK_INT(json_integer_value(json_object_get(first, "label")), 4);
    CHECK_STR(json_string_value(json_object_get(first, "name")), "LUL");
    const json_t *ignored = json_object_get(pl, "ignored");
    CHECK_UINT(json_array_size(ignored), 3);
    for (size_t k = 0; k < 3 && k < json_array_size(ignored); k++) {
        const json_t *item = json_array_get(ignored, k);
        CHECK_INT(json_integer_value(json_object_get(item, "value")), ts_organs[k]);
        CHECK_INT(json_integer_value(json_object_get(item, "voxels")), (json_int_t)organ_voxels[k]);
    }
    const json_t *rl = json_object_get(json_object_get(report, "reference"), "labels");
    CHECK_STR(json_string_value(json_object_get(rl, "convention")), "lobedice");
    CHECK_UINT(json_array_size(json_object_get(rl, "ignored")), 0);
    /* the printed line says how the prediction was read; the reference's default says nothing */
    char line[256];
    snprintf(line, sizeof line,
             "\n  labels      prediction read as totalsegmentator (10 LUL, 11 LLL, 12 RUL, 13 RML, "
             "14 RLL); other values are background: 1 (%llu voxels), 5 (%llu voxels), 16 (%llu "
             "voxels)\n",
             (unsigned long long)organ_voxels[0], (unsigned long long)organ_voxels[1],
             (unsigned long long)organ_voxels[2]);
    if (!strstr(r.out, line))
        fprintf(stderr, "printed:\n%s", r.out);
    CHECK(strstr(r.out, line) != NULL);
    CHECK(strstr(r.out, "labels      reference") == NULL);
    run_result_free(&r);
    json_decref(report);

    /* the same map given by hand, on the command line and as Slicer passes the free form */
    const char *map = "10=LUL, 11=LLL, 12=RUL, 13=RML, 14=RLL";
    const char *by_hand[] = {LOBEDICE_EXE,
                             "--predictedLabels",
                             map,
                             "--outputJson",
                             json,
                             path_in(dir, "ref.nrrd"),
                             path_in(dir, "ts.nrrd"),
                             NULL};
    report = run_ok(by_hand, json, &r);
    check_lobe_dice(report, &p);
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(json_object_get(report, "predicted"), "labels"), "convention")),
              "custom");
    run_result_free(&r);
    json_decref(report);
    const char *slicer[] = {LOBEDICE_EXE,
                            "--predictedLabels",
                            "lobedice",
                            "--predictedLabelMap",
                            map,
                            "--outputJson",
                            json,
                            path_in(dir, "ref.nrrd"),
                            path_in(dir, "ts.nrrd"),
                            NULL};
    report = run_ok(slicer, json, &r);
    check_lobe_dice(report, &p);
    run_result_free(&r);
    json_decref(report);

    /* without the flag the run stops, names the values, the preset and the flag, and writes
     * nothing */
    CHECK_FATAL(remove(json) == 0);
    const char *plain[] = {
        LOBEDICE_EXE, "--outputJson", json, path_in(dir, "ref.nrrd"), path_in(dir, "ts.nrrd"),
        NULL};
    expect_stop(plain, 1,
                MENTIONS("the prediction", "ts.nrrd",
                         "holds the values 1, 5, 10, 11, 12, 13, 14, 16",
                         "fit the label convention totalsegmentator", "not lobedice",
                         "--predictedLabels totalsegmentator", "--allowDisjointLabels"));
    CHECK(!file_exists(json));
    /* --allowDisjointLabels compares anyway: the lobes are then background */
    const char *anyway[] = {LOBEDICE_EXE, "--allowDisjointLabels",  "--outputJson",
                            json,         path_in(dir, "ref.nrrd"), path_in(dir, "ts.nrrd"),
                            NULL};
    report = run_ok(anyway, json, &r);
    CHECK_NEAR(json_real_value(
                   json_object_get(json_array_get(json_object_get(report, "labels"), 1), "dice")),
               0.0, 0);
    run_result_free(&r);
    json_decref(report);
    free(ref);
    free(ts);
    free_pair(&p);
}

static void flag_errors(void)
{
    setup("flag_errors");
    pair p = make_pair();
    int16_t *ref = relabel(&p, p.ref, lobe_value, NULL, NULL);
    write_map(path_in(dir, "ref.nrrd"), &p, ref);
    char r[1200];
    snprintf(r, sizeof r, "%s", path_in(dir, "ref.nrrd"));
    const char *lobe[] = {LOBEDICE_EXE, "--predictedLabels", "10=LUL,11=LUX", r, r, NULL};
    expect_stop(lobe, 2, MENTIONS("--predictedLabels", "'11=LUX'", "names no lobe"));
    const char *preset[] = {LOBEDICE_EXE, "--referenceLabels", "totalsegmentator2", r, r, NULL};
    expect_stop(preset, 2,
                MENTIONS("--referenceLabels expects a preset", "totalsegmentator-v1",
                         "VALUE=LOBE pairs", "'totalsegmentator2'"));
    const char *twice[] = {LOBEDICE_EXE, "--predictedLabelMap", "5=RUL,5=RML", r, r, NULL};
    expect_stop(twice, 2, MENTIONS("--predictedLabelMap", "'5=RML'", "a second time"));
    const char *both[] = {LOBEDICE_EXE,
                          "--predictedLabels",
                          "totalsegmentator",
                          "--predictedLabelMap",
                          "10=LUL",
                          r,
                          r,
                          NULL};
    expect_stop(both, 2,
                MENTIONS("--predictedLabels totalsegmentator", "--predictedLabelMap", "give one"));
    /* maps that share no label: identity values shifted by 20 */
    static const int16_t shifted[6] = {0, 21, 22, 23, 24, 25};
    int16_t *far = relabel(&p, p.pred, shifted, NULL, NULL);
    write_map(path_in(dir, "far.nrrd"), &p, far);
    const char *disjoint[] = {LOBEDICE_EXE,
                              "--referenceLabels",
                              "identity",
                              "--predictedLabels",
                              "identity",
                              r,
                              path_in(dir, "far.nrrd"),
                              NULL};
    expect_stop(disjoint, 1,
                MENTIONS("have no label in common", "values 1, 2, 3, 4, 5",
                         "values 21, 22, 23, 24, 25", "--allowDisjointLabels"));
    /* read as lobedice, the same values are no lobe: stopped too */
    const char *none[] = {LOBEDICE_EXE, r, path_in(dir, "far.nrrd"), NULL};
    expect_stop(none, 1, MENTIONS("read as lobedice: no label", "have no label in common"));
    free(far);
    free(ref);
    free_pair(&p);
}

/* ---- Slicer segmentations ------------------------------------------------------------------ */

/* A segmentation as Slicer's CLI logic hands a Segmentation node to a label-map input: the
 * node's storage node (gzip, not cropped), named "<pid>_<node id>.nrrd" with digits as letters. */
static void write_segmentation(const char *path, const pair *p, const uint8_t *data,
                               const char *const *names, const int *values, size_t n)
{
    char header[8192];
    size_t len = (size_t)snprintf(
        header, sizeof header,
        "NRRD0004\ntype: unsigned char\ndimension: 3\nspace: left-posterior-superior\nsizes: %zu "
        "%zu %zu\nspace directions: (%.17g,0,0) (0,%.17g,0) (0,0,%.17g)\nkinds: domain domain "
        "domain\nencoding: gzip\nspace origin: (%.17g,%.17g,%.17g)\n",
        size[0], size[1], size[2], p->spacing[0], p->spacing[1], p->spacing[2], p->origin[0],
        p->origin[1], p->origin[2]);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(
            header + len, sizeof header - len,
            "Segment%zu_Color:=0.5 0.5 0.5\nSegment%zu_Extent:=0 %zu 0 %zu 0 %zu\nSegment%zu_ID:="
            "Segment_%zu\nSegment%zu_LabelValue:=%d\nSegment%zu_Layer:=0\nSegment%zu_Name:=%s\n"
            "Segment%zu_Tags:=TerminologyEntry:Segmentation category and type - 3D Slicer General "
            "Anatomy list~SCT^85756007^Tissue~SCT^85756007^Tissue~^^~Anatomic codes - DICOM master "
            "list~^^~^^|\n",
            i, i, size[0] - 1, size[1] - 1, size[2] - 1, i, i + 1, i, values[i], i, i, names[i], i);
    len += (size_t)snprintf(header + len, sizeof header - len,
                            "Segmentation_MasterRepresentation:=Binary labelmap\n"
                            "Segmentation_ReferenceImageExtentOffset:=0 0 0\n\n");
    CHECK_FATAL(len < sizeof header);
    FILE *f = fopen(path, "wb");
    CHECK_FATAL(f && fputs(header, f) >= 0 && fclose(f) == 0);
    gzFile z = gzopen(path, "ab");
    CHECK_FATAL(z && gzwrite(z, data, (unsigned)p->voxels) == (int)p->voxels && gzclose(z) == Z_OK);
}

static void slicer_segmentation(void)
{
    setup("segmentation");
    pair p = make_pair();
    int16_t *ref = relabel(&p, p.ref, lobe_value, NULL, NULL);
    write_map(path_in(dir, "BJDE_vtkMRMLLabelMapVolumeNodeA.nrrd"), &p, ref);
    /* values shuffled, the lobes told by their names, and an airway segment */
    static const uint8_t value_of_lobe[6] = {0, 4, 9, 2, 7, 3};
    uint8_t *seg = malloc(p.voxels);
    CHECK_FATAL(seg);
    uint64_t airway = 0;
    for (size_t i = 0; i < p.voxels; i++) {
        seg[i] = value_of_lobe[p.pred[i]];
        if (!p.pred[i] && i % size[0] == size[0] / 2) {
            seg[i] = 1;
            airway++;
        }
    }
    const char *names[6] = {"Right upper lobe",     "right middle lobe",       "RLL",
                            "lung_upper_lobe_left", "Lower lobe of left lung", "airway"};
    const int values[6] = {4, 9, 2, 7, 3, 1};
    char pred[1200];
    snprintf(pred, sizeof pred, "%s", path_in(dir, "BJDE_vtkMRMLSegmentationNodeB.nrrd"));
    write_segmentation(pred, &p, seg, names, values, 6);
    char json[1200];
    snprintf(json, sizeof json, "%s", path_in(dir, "report.json"));
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          json,
                          "--printTable",
                          path_in(dir, "BJDE_vtkMRMLLabelMapVolumeNodeA.nrrd"),
                          pred,
                          NULL};
    run_result r;
    json_t *report = run_ok(argv, json, &r);
    check_lobe_dice(report, &p);
    const json_t *s = json_object_get(
        json_object_get(json_object_get(report, "predicted"), "labels"), "segmentation");
    CHECK_INT(json_integer_value(json_object_get(s, "layers")), 1);
    const json_t *segments = json_object_get(s, "segments");
    CHECK_UINT(json_array_size(segments), 6);
    const json_t *rml = json_array_get(segments, 1);
    CHECK_STR(json_string_value(json_object_get(rml, "lobe")), "RML");
    CHECK_STR(json_string_value(json_object_get(rml, "matched_by")), "name");
    const json_t *air = json_array_get(segments, 5);
    CHECK(json_is_null(json_object_get(air, "lobe")));
    CHECK_INT(json_integer_value(json_object_get(air, "voxels")), (json_int_t)airway);
    char line[512];
    snprintf(line, sizeof line,
             "  labels      prediction: Slicer segmentation, lobes 'Right upper lobe' RUL (name), "
             "'right middle lobe' RML (name), 'RLL' RLL (name), 'lung_upper_lobe_left' LUL "
             "(name), 'Lower lobe of left lung' LLL (name); ignored 'airway' (%llu voxels)\n",
             (unsigned long long)airway);
    if (!strstr(r.out, line))
        fprintf(stderr, "printed:\n%s", r.out);
    CHECK(strstr(r.out, line) != NULL);
    run_result_free(&r);
    json_decref(report);

    /* a value convention does not apply to a segmentation */
    const char *conv[] = {LOBEDICE_EXE,
                          "--predictedLabels",
                          "totalsegmentator",
                          path_in(dir, "BJDE_vtkMRMLLabelMapVolumeNodeA.nrrd"),
                          pred,
                          NULL};
    expect_stop(conv, 2,
                MENTIONS("--predictedLabels", "Slicer segmentation", "leave the flag out"));

    /* one layer cannot hold two segments with one value: the sentence names the segments
     * (overlapping lobes in two layers: test_wrapping_segmentation) */
    for (size_t i = 0; i < p.voxels; i++)
        seg[i] = p.pred[i] == 1 ? 1 : 0;
    const char *names2[2] = {"RUL", "right lower lobe"};
    const int values2[2] = {1, 1};
    write_segmentation(pred, &p, seg, names2, values2, 2);
    const char *bad[] = {LOBEDICE_EXE, path_in(dir, "BJDE_vtkMRMLLabelMapVolumeNodeA.nrrd"), pred,
                         NULL};
    expect_stop(bad, 1, MENTIONS("cannot read the prediction", "both have value 1 in layer 0"));
    free(seg);
    free(ref);
    free_pair(&p);
}

static void help_lists_flags(void)
{
    const char *argv[] = {LOBEDICE_EXE, "--help", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    const char *flags[] = {"--referenceLabels lobedice|lungmask|totalsegmentator|"
                           "totalsegmentator-v1|identity",
                           "--predictedLabels",
                           "--referenceLabelMap TEXT",
                           "--predictedLabelMap TEXT",
                           "--allowDisjointLabels",
                           "Label values:"};
    for (size_t i = 0; i < CHECK_COUNT(flags); i++) {
        if (!strstr(r.out, flags[i]))
            fprintf(stderr, "--help lacks '%s'\n", flags[i]);
        CHECK(strstr(r.out, flags[i]) != NULL);
    }
    run_result_free(&r);
}

static const check_case cases[] = {
    {"totalsegmentator_prediction", totalsegmentator_prediction},
    {"flag_errors", flag_errors},
    {"slicer_segmentation", slicer_segmentation},
    {"help_lists_flags", help_lists_flags},
};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
