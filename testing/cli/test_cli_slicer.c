/* Runs LobeDice the way 3D Slicer does, from its own XML: the command line is built from
 * `LobeDice --xml` with Slicer's rules (return-parameter file first, flagged parameters in XML
 * order, booleans only when true, vectors comma-joined, numbers and enumerations always even
 * when empty, index arguments last), the inputs are raw NRRDs as Slicer writes them (short and
 * unsigned char label maps, a segmentation cropped to its extent), and everything Slicer reads
 * back is checked: the return-parameter file, the table with its schema, the error map. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"
#include "lobedice/lobedice_io.h"
#include "phantom.h"
#include "slicer_xml.h"

#include <unistd.h>

static const size_t phantom_size[3] = {48, 40, 36};

typedef struct gui {
    const char *const *overrides; /* name, value, name, value, ..., NULL */
} gui;

/* The value a parameter holds in Slicer's GUI: the scenario's, else the XML default. */
static const char *gui_value(void *ctx, const sx_param *p)
{
    const gui *g = ctx;
    for (size_t i = 0; g->overrides[i]; i += 2)
        if (!strcmp(g->overrides[i], p->name))
            return g->overrides[i + 1];
    return p->default_value;
}

static sx_module load_module(void)
{
    const char *argv[] = {LOBEDICE_EXE, "--xml", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0 && r.status == 0);
    sx_module m;
    char err[256];
    CHECK_FATAL(sx_parse(&m, r.out, r.out_len, err, sizeof err) == 0);
    run_result_free(&r);
    return m;
}

static void make_phantom_pair(const char *ref, const char *pred, const char *type, int crop)
{
    char size[64];
    snprintf(size, sizeof size, "%zu,%zu,%zu", phantom_size[0], phantom_size[1], phantom_size[2]);
    const char *argv[] = {LOBEDICE_PHANTOM_EXE,
                          "--size",
                          size,
                          "--type",
                          type,
                          "--encoding",
                          "raw",
                          crop ? "--crop-prediction" : ref,
                          crop ? ref : pred,
                          crop ? pred : NULL,
                          NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != 0)
        fprintf(stderr, "%s: %s", command_text(argv), r.err);
    CHECK_FATAL(r.status == 0);
    run_result_free(&r);
}

/* ---- what Slicer reads back --------------------------------------------------------------- */

/* The lines of the return-parameter file, checked the way Slicer's reader needs them. */
static void check_return_parameters(const char *path, const sx_module *m, const json_t *report,
                                    int distances)
{
    size_t len;
    char *text = read_file(path, &len);
    CHECK_FATAL(text != NULL);
    CHECK(strchr(text, '\r') == NULL);
    CHECK(len > 0 && text[len - 1] == '\n');
    CHECK(strstr(text, "\n\n") == NULL && text[0] != '\n'); /* a blank line makes Slicer throw */

    /* keys: the XML's return parameters, in XML order */
    const char *names[8];
    size_t nnames = 0;
    for (size_t i = 0; i < m->nparams; i++)
        if (sx_is_return(&m->params[i]) && nnames < 8)
            names[nnames++] = m->params[i].name;
    char *values[8] = {0};
    size_t line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(l, " = ");
        CHECK_FATAL(eq != NULL);
        *eq = '\0';
        CHECK_FATAL(line < nnames);
        CHECK_STR(l, names[line]);
        values[line++] = eq + 3;
    }
    CHECK_UINT(line, nnames);
    CHECK_UINT(nnames, 3);

    const json_t *summary = json_object_get(report, "summary");
    const json_t *mean_dice = json_object_get(summary, "mean_dice");
    if (json_is_null(mean_dice))
        CHECK_STR(values[0], "");
    else
        CHECK_SAME(strtod(values[0], NULL), json_real_value(mean_dice));
    if (distances)
        CHECK_SAME(strtod(values[1], NULL),
                   json_real_value(json_object_get(summary, "mean_hd95_mm")));
    else
        CHECK_STR(values[1], ""); /* an absent value is empty, as Slicer passes empty numbers */

    char expected[1024] = "";
    const json_t *labels = json_object_get(report, "labels");
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const json_t *label = json_array_get(labels, i);
        const json_t *dice = json_object_get(label, "dice");
        char item[128];
        if (json_is_null(dice))
            snprintf(item, sizeof item, "%s%s undefined", i ? ", " : "",
                     json_string_value(json_object_get(label, "name")));
        else
            snprintf(item, sizeof item, "%s%s %.3f", i ? ", " : "",
                     json_string_value(json_object_get(label, "name")), json_real_value(dice));
        strncat(expected, item, sizeof expected - strlen(expected) - 1);
    }
    CHECK_STR(values[2], expected);
    free(text);
}

static const char *const real_columns[] = {"dice",           "jaccard",           "precision",
                                           "sensitivity",    "specificity",       "volume_ref_ml",
                                           "volume_pred_ml", "volume_similarity", NULL};
static const char *const distance_columns[] = {"hd_mm", "hd95_mm", "assd_mm", "nsd", NULL};
static const char *const count_columns[] = {"tp", "fp", "fn", "tn", NULL};

/* A table cell holds exactly the JSON number (shortest round-trip text), or nothing for null. */
static void check_cell(const table *t, size_t row, const char *column, const json_t *value)
{
    int c = table_column(t, column);
    CHECK(c >= 0);
    if (c < 0 || row >= t->nrows || (size_t)c >= t->ncells[row]) {
        check_failures++;
        return;
    }
    const char *cell = t->cells[row][c];
    if (!value || json_is_null(value)) {
        if (cell[0]) {
            fprintf(stderr, "row %zu %s: '%s', expected an empty cell\n", row, column, cell);
            check_failures++;
        }
        return;
    }
    if (json_is_integer(value))
        CHECK_UINT(strtoull(cell, NULL, 10), json_integer_value(value));
    else
        CHECK_SAME(strtod(cell, NULL), json_real_value(value));
}

static void check_table(const char *path, char sep, const json_t *report, int distances)
{
    char *text = read_file(path, NULL);
    CHECK_FATAL(text != NULL);
    table t;
    CHECK_FATAL(table_read(&t, text, sep) == 0);
    free(text);

    /* the schema beside it: one row per column, types Slicer knows, units */
    char schema_path[1024];
    snprintf(schema_path, sizeof schema_path, "%.*s.schema.%s", (int)(strlen(path) - 4), path,
             sep == ',' ? "csv" : "tsv");
    char *schema_text = read_file(schema_path, NULL);
    CHECK_FATAL(schema_text != NULL);
    table s;
    CHECK_FATAL(table_read(&s, schema_text, sep) == 0);
    free(schema_text);
    /* the columns vtkMRMLTableStorageNode reads (testing/vtk reads them as it does) */
    CHECK_FATAL(s.nrows >= 2 && s.ncells[0] == 6);
    CHECK_STR(s.cells[0][0], "columnName");
    CHECK_STR(s.cells[0][1], "type");
    CHECK_STR(s.cells[0][2], "nullValue");
    CHECK_STR(s.cells[0][3], "title");
    CHECK_STR(s.cells[0][4], "unitLabel");
    CHECK_STR(s.cells[0][5], "description");
    CHECK_UINT(s.nrows - 1, t.ncells[0]);
    for (size_t r = 1; r < s.nrows && r - 1 < t.ncells[0]; r++) {
        CHECK_UINT(s.ncells[r], 6);
        CHECK_STR(s.cells[r][0], t.cells[0][r - 1]);
        const char *type = s.cells[r][1];
        CHECK(!strcmp(type, "string") || !strcmp(type, "double"));
        CHECK_STR(s.cells[r][2], strcmp(type, "double") ? "" : "nan");
        CHECK(s.cells[r][3][0] != '\0');
        if (!strcmp(s.cells[r][0], "volume_ref_ml"))
            CHECK_STR(s.cells[r][4], "ml");
        if (!strcmp(s.cells[r][0], "hd95_mm"))
            CHECK_STR(s.cells[r][4], "mm");
        CHECK(s.cells[r][5][0] != '\0');
    }
    table_free(&s);

    const json_t *labels = json_object_get(report, "labels");
    const json_t *regions = json_object_get(report, "regions");
    size_t nl = json_array_size(labels), nr = json_array_size(regions);
    CHECK_UINT(t.nrows, 1 + nl + nr + 1);
    for (size_t r = 1; r < t.nrows; r++)
        CHECK_UINT(t.ncells[r], t.ncells[0]);
    CHECK_INT(table_column(&t, "hd95_mm") >= 0, distances);
    for (size_t i = 0; i < nl + nr && 1 + i < t.nrows; i++) {
        const json_t *item = i < nl ? json_array_get(labels, i) : json_array_get(regions, i - nl);
        size_t row = 1 + i;
        CHECK_STR(t.cells[row][table_column(&t, "name")],
                  json_string_value(json_object_get(item, "name")));
        CHECK_STR(t.cells[row][table_column(&t, "kind")], i < nl ? "label" : "region");
        CHECK_STR(t.cells[row][table_column(&t, "status")],
                  json_string_value(json_object_get(item, "status")));
        char expected[256] = "";
        if (i < nl) {
            snprintf(expected, sizeof expected, "%lld",
                     (long long)json_integer_value(json_object_get(item, "label")));
        } else {
            const json_t *ls = json_object_get(item, "labels");
            for (size_t k = 0; k < json_array_size(ls); k++) {
                char part[32];
                snprintf(part, sizeof part, "%s%lld", k ? "+" : "",
                         (long long)json_integer_value(json_array_get(ls, k)));
                strncat(expected, part, sizeof expected - strlen(expected) - 1);
            }
        }
        CHECK_STR(t.cells[row][table_column(&t, "labels")], expected);
        for (size_t k = 0; real_columns[k]; k++)
            check_cell(&t, row, real_columns[k], json_object_get(item, real_columns[k]));
        for (size_t k = 0; count_columns[k]; k++)
            check_cell(&t, row, count_columns[k], json_object_get(item, count_columns[k]));
        for (size_t k = 0; distances && distance_columns[k]; k++)
            check_cell(&t, row, distance_columns[k], json_object_get(item, distance_columns[k]));
    }
    size_t mean = t.nrows - 1;
    const json_t *summary = json_object_get(report, "summary");
    CHECK_STR(t.cells[mean][table_column(&t, "kind")], "mean");
    check_cell(&t, mean, "dice", json_object_get(summary, "mean_dice"));
    check_cell(&t, mean, "jaccard", json_object_get(summary, "mean_jaccard"));
    check_cell(&t, mean, "tp", NULL);
    if (distances) {
        check_cell(&t, mean, "hd95_mm", json_object_get(summary, "mean_hd95_mm"));
        check_cell(&t, mean, "assd_mm", json_object_get(summary, "mean_assd_mm"));
        check_cell(&t, mean, "nsd", json_object_get(summary, "mean_nsd"));
    }
    table_free(&t);
}

/* A header key's value ("key: value" or "key:=value"), or NULL (static buffer). */
static const char *nrrd_key(const char *header, const char *key, const char *sep)
{
    static char value[4096];
    char line[256];
    snprintf(line, sizeof line, "\n%s%s", key, sep);
    const char *at = strstr(header, line);
    if (!at)
        return NULL;
    at += strlen(line);
    const size_t n = strcspn(at, "\n");
    snprintf(value, sizeof value, "%.*s", (int)n, at);
    return value;
}

/* The error map as Slicer reads it. As a label map (vtkMRMLVolumeArchetypeStorageNode, ITK's
 * NRRD reader): the raw voxels with their geometry, against the coding of
 * lobedice_disagreement_map computed here from the phantom itself (unsigned char up to 9 labels,
 * short beyond). As a Segmentation (vtkMRMLSegmentationStorageNode::
 * ReadBinaryLabelmapRepresentation): Segment<i>_ID for i = 0, 1, ... with a LabelValue, a Layer
 * within the file's one layer, an Extent, a Name and a Color, one segment per code present. */
static void check_error_map(const char *path, const json_t *report)
{
    size_t len = 0;
    char *file = read_file(path, &len);
    CHECK_FATAL(file != NULL);
    char *blank = strstr(file, "\n\n");
    CHECK_FATAL(blank != NULL);
    blank[1] = '\0'; /* the header, then the raw voxels */
    const char *header = file;
    const unsigned char *voxels = (const unsigned char *)blank + 2;
    CHECK_STR(nrrd_key(header, "encoding", ": "), "raw");
    CHECK_STR(nrrd_key(header, "space", ": "), "left-posterior-superior");
    double spacing[3], origin[3], o[3], d[9];
    phantom_geometry(phantom_size, spacing, origin);
    size_t sz[3] = {0, 0, 0};
    CHECK_FATAL(sscanf(nrrd_key(header, "sizes", ": "), "%zu %zu %zu", &sz[0], &sz[1], &sz[2]) ==
                3);
    CHECK_FATAL(
        sscanf(nrrd_key(header, "space origin", ": "), "(%lf,%lf,%lf)", &o[0], &o[1], &o[2]) == 3);
    CHECK_FATAL(sscanf(nrrd_key(header, "space directions", ": "),
                       "(%lf,%lf,%lf) (%lf,%lf,%lf) (%lf,%lf,%lf)", &d[0], &d[1], &d[2], &d[3],
                       &d[4], &d[5], &d[6], &d[7], &d[8]) == 9);
    for (int a = 0; a < 3; a++) {
        CHECK_UINT(sz[a], phantom_size[a]);
        CHECK_NEAR(d[4 * a], spacing[a], 1e-9);
        CHECK_NEAR(o[a], origin[a], 1e-9);
    }
    const json_t *labels = json_object_get(report, "labels");
    size_t nl = json_array_size(labels);
    CHECK_FATAL(nl >= 1 && nl <= 99);
    const int narrow = nl <= 9;
    CHECK_STR(nrrd_key(header, "type", ": "), narrow ? "unsigned char" : "short");
    const size_t n = phantom_size[0] * phantom_size[1] * phantom_size[2];
    CHECK_FATAL(len - (size_t)(voxels - (const unsigned char *)file) == n * (narrow ? 1 : 2));
    int k_of[256] = {0};
    for (size_t i = 0; i < nl; i++) {
        json_int_t v = json_integer_value(json_object_get(json_array_get(labels, i), "label"));
        if (v >= 0 && v < 256)
            k_of[v] = (int)i + 1;
    }
    uint8_t *ref = phantom_new(phantom_size, PHANTOM_REFERENCE);
    uint8_t *pred = phantom_new(phantom_size, PHANTOM_PREDICTION);
    CHECK_FATAL(ref && pred);
    size_t wrong = 0, disagree = 0;
    static char present[20000];
    memset(present, 0, sizeof present);
    for (size_t i = 0; i < n; i++) {
        int kr = k_of[ref[i]], kp = k_of[pred[i]];
        int expected = kr == kp ? kr : narrow ? 100 + 10 * kr + kp : 10000 + 100 * kr + kp;
        int got = voxels[i];
        if (!narrow) { /* 2 bytes per voxel only in a short map */
            int16_t wide;
            memcpy(&wide, voxels + 2 * i, sizeof wide);
            got = wide;
        }
        disagree += kr != kp;
        if (got >= 0 && got < 20000)
            present[got] = 1;
        if (got != expected && wrong++ < 5)
            fprintf(stderr, "error map voxel %zu: %d, expected %d\n", i, got, expected);
    }
    CHECK_UINT(wrong, 0);
    CHECK(disagree > 0); /* the phantom pair disagrees somewhere: the check has teeth */
    free(ref);
    free(pred);

    /* the segments Slicer's segmentation reader finds: one per code present but 0 */
    CHECK_STR(nrrd_key(header, "Segmentation_MasterRepresentation", ":="), "Binary labelmap");
    CHECK_STR(nrrd_key(header, "Segmentation_ReferenceImageExtentOffset", ":="), "0 0 0");
    char key[64], extent[64];
    snprintf(extent, sizeof extent, "0 %zu 0 %zu 0 %zu", phantom_size[0] - 1, phantom_size[1] - 1,
             phantom_size[2] - 1);
    size_t nsegments = 0, npresent = 0;
    for (int code = 1; code < 20000; code++)
        npresent += present[code];
    for (;; nsegments++) {
        snprintf(key, sizeof key, "Segment%zu_ID", nsegments);
        if (!nrrd_key(header, key, ":="))
            break;
        snprintf(key, sizeof key, "Segment%zu_LabelValue", nsegments);
        const char *value = nrrd_key(header, key, ":=");
        CHECK_FATAL(value != NULL);
        const int code = atoi(value);
        CHECK(code > 0 && code < 20000 && present[code]);
        snprintf(key, sizeof key, "Segment%zu_Layer", nsegments);
        CHECK_STR(nrrd_key(header, key, ":="), "0");
        snprintf(key, sizeof key, "Segment%zu_Extent", nsegments);
        CHECK_STR(nrrd_key(header, key, ":="), extent);
        double rgb[3];
        snprintf(key, sizeof key, "Segment%zu_Color", nsegments);
        CHECK(nrrd_key(header, key, ":=") &&
              sscanf(nrrd_key(header, key, ":="), "%lf %lf %lf", &rgb[0], &rgb[1], &rgb[2]) == 3 &&
              rgb[0] >= 0 && rgb[0] <= 1 && rgb[1] >= 0 && rgb[1] <= 1 && rgb[2] >= 0 &&
              rgb[2] <= 1);
        snprintf(key, sizeof key, "Segment%zu_Name", nsegments);
        const char *name = nrrd_key(header, key, ":=");
        CHECK(name != NULL);
        if (name && code == (narrow ? 123 : 10203))
            CHECK_STR(name, "RML predicted as RLL");
        if (name && code == 1)
            CHECK_STR(name, "RUL correct");
    }
    CHECK_UINT(nsegments, npresent);
    CHECK(nsegments > 5);
    free(file);

    /* the colour table beside it names every value */
    char ctbl[1024];
    snprintf(ctbl, sizeof ctbl, "%.*s.ctbl", (int)(strlen(path) - 5), path);
    char *text = read_file(ctbl, NULL);
    CHECK_FATAL(text != NULL);
    CHECK(strncmp(text, "# Color table file", 18) == 0);
    CHECK(strstr(text, "\n0 background 0 0 0 0\n") != NULL);
    CHECK(strstr(text, "\n1 RUL_correct ") != NULL);
    CHECK(strstr(text, narrow ? "\n130 RLL_predicted_as_background "
                              : "\n10300 RLL_predicted_as_background ") != NULL);
    CHECK(strstr(text, narrow ? "\n123 RML_predicted_as_RLL " : "\n10203 RML_predicted_as_RLL ") !=
          NULL);
    CHECK(strstr(text, narrow ? "\n104 background_predicted_as_LUL "
                              : "\n10004 background_predicted_as_LUL ") != NULL);
    free(text);
}

/* Slicer's progress reading: <filter-progress> lines in 0..1, never going back, ending at 1. */
static void check_progress(const char *out, int distances)
{
    double last = -1;
    size_t count = 0, during_distances = 0;
    int name = 0;
    for (const char *l = out; *l;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        if (strncmp(l, "<filter-", 8) != 0) {
            fprintf(stderr, "unexpected output line: %.*s\n", (int)n, l);
            check_failures++;
        }
        if (!strncmp(l, "<filter-name>", 13))
            name = 1;
        if (!strncmp(l, "<filter-progress>", 17)) {
            double f = strtod(l + 17, NULL);
            CHECK(f >= 0 && f <= 1 && f >= last);
            during_distances += f > 0.45 && f < 0.85;
            last = f;
            count++;
        }
        l += n + (end != NULL);
    }
    CHECK(name);
    CHECK(count >= 5);
    CHECK(last == 1.0);
    if (distances)
        CHECK(during_distances >= 1);
}

/* ---- scenarios ---------------------------------------------------------------------------- */

typedef struct scenario {
    const char *name, *type; /* pixel type of the inputs */
    int crop, distances;
    const char *table_ext; /* ".csv" or ".tsv" */
    const char *const *overrides;
} scenario;

static json_t *run_scenario(const scenario *sc)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", CLI_SCRATCH_DIR, sc->name);
    CHECK_FATAL(fresh_dir(dir) == 0);
    /* file names like Slicer's temporary files */
    char ref[1100], pred[1100], tablep[1100], json[1100], map[1100], params[1100];
    snprintf(ref, sizeof ref, "%s/BGHA_vtkMRMLLabelMapVolumeNodeA.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/BGHA_vtkMRMLSegmentationNodeB.seg.nrrd", dir);
    snprintf(tablep, sizeof tablep, "%s/BGHA_vtkMRMLTableNodeC%s", dir, sc->table_ext);
    snprintf(json, sizeof json, "%s/report.json", dir);
    snprintf(map, sizeof map, "%s/BGHA_vtkMRMLLabelMapVolumeNodeD.nrrd", dir);
    snprintf(params, sizeof params, "%s/%ld_%d.params", dir, (long)getpid(), rand());
    make_phantom_pair(ref, pred, sc->type, sc->crop);

    const char *overrides[64];
    size_t n = 0;
    const char *const common[] = {
        "referenceVolume", ref,    "predictedVolume",  pred,
        "outputTable",     tablep, "outputJson",       json,
        "errorMap",        map,    "surfaceDistances", sc->distances ? "true" : "false"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        overrides[n++] = common[i];
    for (size_t i = 0; sc->overrides && sc->overrides[i]; i++)
        overrides[n++] = sc->overrides[i];
    overrides[n] = NULL;
    gui g = {overrides};

    sx_module m = load_module();
    char **argv = sx_command_line(&m, LOBEDICE_EXE, params, gui_value, &g);
    CHECK_FATAL(argv != NULL);
    CHECK_STR(argv[1], "--returnparameterfile");
    size_t argc = 0;
    while (argv[argc])
        argc++;
    CHECK_STR(argv[argc - 2], ref); /* index arguments last */
    CHECK_STR(argv[argc - 1], pred);
    run_result r;
    CHECK_FATAL(run_program(&r, (const char *const *)argv) == 0);
    if (r.status != 0)
        fprintf(stderr, "%s\n -> exit %d: %s", command_text((const char *const *)argv), r.status,
                r.err);
    CHECK_FATAL(r.status == 0);
    CHECK_UINT(r.err_len, 0);
    check_progress(r.out, sc->distances);

    json_t *report = load_json(json);
    check_return_parameters(params, &m, report, sc->distances);
    check_table(tablep, strcmp(sc->table_ext, ".tsv") ? ',' : '\t', report, sc->distances);
    check_error_map(map, report);
    /* nothing but the outputs (no temporary file is left) */
    CHECK_INT(list_dir(dir, NULL, 0), 2 + 2 + 1 + 2 + 1);
    run_result_free(&r);
    sx_argv_free(argv);
    sx_free(&m);
    return report;
}

static void slicer_defaults_cropped_segmentation(void)
{
    /* GUI defaults: distances on, tolerance 1.0, policy nan, threads 0, no labels given */
    const scenario sc = {"defaults", "short", 1, 1, ".csv", NULL};
    json_t *report = run_scenario(&sc);
    const json_t *predicted = json_object_get(report, "predicted");
    CHECK_STR(json_string_value(json_object_get(predicted, "alignment")), "placed");
    CHECK(json_is_false(json_object_get(predicted, "resampled")));
    const json_t *labels = json_object_get(report, "labels");
    CHECK_UINT(json_array_size(labels), 5);
    CHECK_UINT(json_array_size(json_object_get(report, "regions")), 3);
    CHECK(json_object_get(json_array_get(labels, 0), "hd95_mm") != NULL);
    json_decref(report);
}

static void slicer_empty_numbers_no_distances(void)
{
    /* distances unchecked (flag absent), empty tolerance/threads/policy (passed as ""),
     * label 6 in neither map, names and regions given, unsigned char maps on one grid */
    const char *const overrides[] = {"tolerance",   "",
                                     "threads",     "",
                                     "emptyPolicy", "",
                                     "labels",      "1,2,3,4,5,6",
                                     "labelNames",  "RUL,RML,RLL,LUL,LLL,Extra",
                                     "regions",     "Right=1+2+3",
                                     NULL};
    const scenario sc = {"empty", "uchar", 0, 0, ".tsv", overrides};
    json_t *report = run_scenario(&sc);
    const json_t *predicted = json_object_get(report, "predicted");
    CHECK_STR(json_string_value(json_object_get(predicted, "alignment")), "identical");
    CHECK_STR(json_string_value(json_object_get(report, "empty_policy")), "nan");
    CHECK_NEAR(json_real_value(json_object_get(report, "tolerance_mm")), 1.0, 0);
    const json_t *labels = json_object_get(report, "labels");
    CHECK_UINT(json_array_size(labels), 6);
    const json_t *extra = json_array_get(labels, 5);
    CHECK_STR(json_string_value(json_object_get(extra, "name")), "Extra");
    CHECK_STR(json_string_value(json_object_get(extra, "status")), "absent");
    CHECK(json_is_null(json_object_get(extra, "dice")));
    CHECK(json_object_get(extra, "hd_mm") == NULL);
    const json_t *regions = json_object_get(report, "regions");
    CHECK_UINT(json_array_size(regions), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(regions, 0), "name")), "Right");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(report, "summary"), "n_dice")), 5);
    json_decref(report);
}

static void slicer_empty_policy_one(void)
{
    const char *const overrides[] = {"labels", "1,2,3,4,5,6", "emptyPolicy", "one", NULL};
    const scenario sc = {"policy_one", "short", 0, 1, ".csv", overrides};
    json_t *report = run_scenario(&sc);
    const json_t *extra = json_array_get(json_object_get(report, "labels"), 5);
    CHECK_STR(json_string_value(json_object_get(extra, "name")), "label 6");
    CHECK_STR(json_string_value(json_object_get(extra, "status")), "absent");
    CHECK_NEAR(json_real_value(json_object_get(extra, "dice")), 1.0, 0);
    CHECK_NEAR(json_real_value(json_object_get(extra, "jaccard")), 1.0, 0);
    CHECK(json_is_null(json_object_get(extra, "hd95_mm"))); /* distances stay undefined */
    CHECK_INT(json_integer_value(json_object_get(json_object_get(report, "summary"), "n_dice")), 6);
    /* labels 1..6 are not 1..5: no default regions */
    CHECK_UINT(json_array_size(json_object_get(report, "regions")), 0);
    json_decref(report);
}

static void slicer_ten_labels_short_map(void)
{
    /* more than 9 labels: the error map's codes need a short (10000 + 100 R + P) */
    const char *const overrides[] = {"labels", "1,2,3,4,5,6,7,8,9,10", NULL};
    const scenario sc = {"ten_labels", "short", 0, 0, ".csv", overrides};
    json_t *report = run_scenario(&sc);
    CHECK_UINT(json_array_size(json_object_get(report, "labels")), 10);
    json_decref(report);
}

static const check_case cases[] = {
    {"slicer_defaults_cropped_segmentation", slicer_defaults_cropped_segmentation},
    {"slicer_empty_numbers_no_distances", slicer_empty_numbers_no_distances},
    {"slicer_empty_policy_one", slicer_empty_policy_one},
    {"slicer_ten_labels_short_map", slicer_ten_labels_short_map}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
