/* Text a user typed reaches files and terminals as valid UTF-8 on one line: input and output
 * file names that are not UTF-8 or hold a newline, label and region names that are not UTF-8
 * (JSON, CSV and TSV, schema, colour table, return parameters, printed table), names with a
 * control character (refused in one line), values that are not UTF-8 in error sentences; the
 * printed table keeps its columns with a name of multi-byte characters; and a subnormal
 * tolerance is a number like any other. Validity is checked with jansson, not with
 * LobeDice's own code. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"

#include <float.h>

static char dir[1024];

static void setup(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s", CLI_SCRATCH_DIR, name);
    CHECK_FATAL(fresh_dir(dir) == 0);
}

/* Valid UTF-8 by jansson's check, and no control character but the line ends (and the tabs
 * between cells when `tabs`). */
static int clean_text_tabs(const char *text, size_t len, int tabs)
{
    json_t *s = json_stringn(text, len);
    int ok = s != NULL;
    json_decref(s);
    for (size_t i = 0; ok && i < len; i++)
        ok = text[i] == '\n' || (tabs && text[i] == '\t') ||
             ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f);
    return ok;
}

static int clean_text(const char *text, size_t len)
{
    return clean_text_tabs(text, len, 0);
}

/* The file is clean text (tabs allowed in a .tsv); returns it (malloc'd) and its lines. */
static char *clean_file(const char *path, size_t *lines)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s was not written\n", path);
        check_failures++;
        return NULL;
    }
    const size_t n = strlen(path);
    if (!clean_text_tabs(text, len, n > 4 && strcmp(path + n - 4, ".tsv") == 0)) {
        fprintf(stderr, "%s is not valid UTF-8 without control characters\n", path);
        check_failures++;
    }
    *lines = 0;
    for (size_t i = 0; i < len; i++)
        *lines += text[i] == '\n';
    return text;
}

static const char *json_str(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    return json_string_value(b ? json_object_get(v, b) : v);
}

/* The terminal column (one per UTF-8 character) where the n-th blank-separated field of the
 * line ends. */
static size_t field_end_column(const char *line, int n)
{
    size_t column = 0, end = 0;
    int field = 0, in_field = 0;
    for (const unsigned char *p = (const unsigned char *)line; *p && *p != '\n'; p++) {
        if ((*p & 0xc0) == 0x80)
            continue;
        column++;
        const int blank = *p == ' ';
        if (!blank && !in_field)
            field++;
        in_field = !blank;
        if (in_field && field == n)
            end = column;
    }
    return end;
}

/* Names as typed: Latin-1 "ete", Greek mu in UTF-8, a lone continuation byte; a region name
 * with a byte that starts no character; file names with bytes that are not UTF-8 and with a
 * newline. Each output kind once as CSV with a NRRD map, once as TSV with a NIfTI map. */
static void text_reports(void)
{
    static const char *const names[] = {"\\xE9t\\xE9", "\xce\xbc", "a\\x80b", "R\\xFF", "mean"};
    const struct {
        const char *table, *schema, *map;
        char sep;
    } kinds[2] = {{"t.csv", "t.schema.csv", "m.nrrd", ','},
                  {"t.tsv", "t.schema.tsv", "m.nii.gz", '\t'}};
    for (int k = 0; k < 2; k++) {
        setup(k == 0 ? "reports_csv" : "reports_tsv");
        const char *ref = path_in(dir, "ref-\xff\xfe.nrrd"),
                   *pred = path_in(dir, "pred-\xe9\n.nrrd");
        CHECK_FATAL(write_example_pair(ref, pred) == 0);
        const char *json = path_in(dir, "r\xff.json");
        const char *argv[] = {LOBEDICE_EXE,
                              "--labels",
                              "1,2,3",
                              "--labelNames",
                              "\xe9t\xe9,\xce\xbc,a\x80"
                              "b",
                              "--regions",
                              "R\xff=1+2",
                              "--outputJson",
                              json,
                              "--outputTable",
                              path_in(dir, kinds[k].table),
                              "--errorMap",
                              path_in(dir, kinds[k].map),
                              "--returnparameterfile",
                              path_in(dir, "r.params"),
                              "--printTable",
                              ref,
                              pred,
                              NULL};
        run_result r;
        CHECK_FATAL(run_program(&r, argv) == 0);
        if (r.status != 0)
            fprintf(stderr, "%s: %s", command_text(argv), r.err);
        CHECK_INT(r.status, 0);
        CHECK_UINT(r.err_len, 0);
        CHECK(clean_text(r.out, r.out_len));
        CHECK(strstr(r.out, "ref-\\xFF\\xFE.nrrd: 6 x 4 x 1 voxels") != NULL);
        CHECK(strstr(r.out, "pred-\\xE9\\x0A.nrrd: 6 x 4 x 1 voxels") != NULL);
        /* the printed table's Dice column ends in one terminal column on every row, mu (two
         * bytes, one character) included */
        const char *header = strstr(r.out, "\nlabels ");
        CHECK_FATAL(header != NULL);
        const size_t dice_column = field_end_column(header + 1, 3);
        int rows = 0;
        for (const char *line = strchr(header + 1, '\n'); line && line[1];
             line = strchr(line, '\n')) {
            line++;
            const int label_row = *line >= '1' && *line <= '3' && line[1] == ' ';
            if (label_row || strncmp(line, "mean ", 5) == 0) { /* "mean  3 labels  0.9..." */
                CHECK_UINT(field_end_column(line, label_row ? 3 : 4), dice_column);
                rows++;
            }
        }
        CHECK_INT(rows, 4); /* three labels and the mean */
        run_result_free(&r);

        /* JSON: parses (jansson refuses invalid UTF-8), names and paths escaped */
        json_t *report = load_json(json);
        char want[1300];
        snprintf(want, sizeof want, "%s/ref-\\xFF\\xFE.nrrd", dir);
        CHECK_STR(json_str(report, "reference", "path"), want);
        snprintf(want, sizeof want, "%s/pred-\\xE9\\x0A.nrrd", dir);
        CHECK_STR(json_str(report, "predicted", "path"), want);
        const json_t *labels = json_object_get(report, "labels");
        CHECK_UINT(json_array_size(labels), 3);
        for (size_t i = 0; i < 3; i++)
            CHECK_STR(json_str(json_array_get(labels, i), "name", NULL), names[i]);
        const json_t *regions = json_object_get(report, "regions");
        CHECK_UINT(json_array_size(regions), 1);
        CHECK_STR(json_str(json_array_get(regions, 0), "name", NULL), names[3]);
        json_decref(report);

        /* table: one row per label, region and the mean, each with every column */
        size_t lines = 0;
        char *text = clean_file(path_in(dir, kinds[k].table), &lines);
        table t;
        CHECK_FATAL(text && table_read(&t, text, kinds[k].sep) == 0);
        CHECK_UINT(lines, 6);
        CHECK_UINT(t.nrows, 6);
        const int name = table_column(&t, "name");
        CHECK(name >= 0);
        for (size_t row = 1; row < t.nrows && name >= 0; row++) {
            CHECK_UINT(t.ncells[row], t.ncells[0]);
            CHECK_STR(t.cells[row][name], names[row - 1]);
        }
        table_free(&t);
        free(text);
        free(clean_file(path_in(dir, kinds[k].schema), &lines));

        /* colour table: 2 comment lines and 16 values (0, 3 correct, 12 confusions), each
         * "value name r g b a" */
        text = clean_file(path_in(dir, "m.ctbl"), &lines);
        CHECK_UINT(lines, 18);
        int entries = 0;
        for (const char *line = text; line && *line;) {
            char value[16], token[200];
            int rgba[4];
            if (*line != '#')
                entries += sscanf(line, "%15s %199s %d %d %d %d", value, token, &rgba[0], &rgba[1],
                                  &rgba[2], &rgba[3]) == 6;
            line = strchr(line, '\n');
            line = line ? line + 1 : NULL;
        }
        CHECK_INT(entries, 16);
        CHECK(text && strstr(text, "\n1 \\xE9t\\xE9_correct ") != NULL);
        CHECK(text && strstr(text, "\n123 \xce\xbc_predicted_as_a\\x80b ") != NULL);
        free(text);

        /* return parameters: one "key = value" per line */
        text = clean_file(path_in(dir, "r.params"), &lines);
        CHECK_UINT(lines, 3);
        CHECK(text &&
              strstr(text, "\nsummary = \\xE9t\\xE9 1.000, \xce\xbc 0.833, a\\x80b 0.000\n"));
        free(text);
    }
}

/* Runs argv, expecting `status`, nothing on standard output, exactly `want` (one clean line)
 * on standard error, and a folder holding `files` entries. */
static void expect_sentence(const char *const *argv, int status, const char *want, int files)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != status || strcmp(r.err, want) != 0) {
        fprintf(stderr, "%s: exit %d, expected %d\n  got  %s  want %s", command_text(argv),
                r.status, status, r.err, want);
        check_failures++;
    }
    CHECK(clean_text(r.err, r.err_len));
    CHECK_UINT(r.out_len, 0);
    CHECK_INT(list_dir(dir, NULL, 0), files);
    run_result_free(&r);
}

static void text_errors(void)
{
    setup("errors");
    const char *ref = path_in(dir, "ref.nrrd"), *pred = path_in(dir, "pred.nrrd");
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    const char *missing[] = {
        LOBEDICE_EXE, "--outputJson", path_in(dir, "r.json"), ref, path_in(dir, "miss-\xff\n.nrrd"),
        NULL};
    char want[1400];
    snprintf(want, sizeof want,
             "LobeDice: cannot read the prediction '%s/miss-\\xFF\\x0A.nrrd': no such file or "
             "directory.\n",
             dir);
    expect_sentence(missing, 1, want, 2);
    const char *tolerance[] = {LOBEDICE_EXE, "--tolerance", "\xff\n", ref, pred, NULL};
    expect_sentence(
        tolerance, 2,
        "LobeDice: --tolerance expects a distance in mm (a number, 0 or more), got '\\xFF\\x0A'.\n",
        2);
    const char *label_name[] = {LOBEDICE_EXE, "--labels", "1,2,3", "--labelNames",
                                "a,b\nc,d",   ref,        pred,    NULL};
    expect_sentence(
        label_name, 2,
        "LobeDice: --labelNames expects printable names, got a control character in name 2.\n", 2);
    const char *region_name[] = {LOBEDICE_EXE, "--regions", "A=1,B\nC=2", ref, pred, NULL};
    expect_sentence(
        region_name, 2,
        "LobeDice: --regions expects printable names, got a control character in region 2.\n", 2);
    const char *region_tab[] = {LOBEDICE_EXE, "--regions", "A\tB=1+2", ref, pred, NULL};
    expect_sentence(
        region_tab, 2,
        "LobeDice: --regions expects printable names, got a control character in region 1.\n", 2);
    const char *label[] = {LOBEDICE_EXE, "--labels", "1,\xc3", ref, pred, NULL};
    expect_sentence(
        label, 2,
        "LobeDice: --labels expects whole numbers separated by ',', got '\\xC3' in '1,\\xC3'.\n",
        2);
}

/* The smallest subnormal tolerance is kept exactly and measures like 0 on this grid (every
 * distance is 0 or at least 1 mm); a tolerance that overflows is refused. */
static void text_subnormal_tolerance(void)
{
    setup("subnormal");
    const char *ref = path_in(dir, "ref.nrrd"), *pred = path_in(dir, "pred.nrrd");
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    json_t *reports[2];
    const char *tolerances[2] = {"4.9406564584124654e-324", "0"};
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {LOBEDICE_EXE,
                              "--surfaceDistances",
                              "--tolerance",
                              tolerances[i],
                              "--outputJson",
                              path_in(dir, "r.json"),
                              ref,
                              pred,
                              NULL};
        run_result r;
        CHECK_FATAL(run_program(&r, argv) == 0);
        CHECK_INT(r.status, 0);
        CHECK_UINT(r.err_len, 0);
        run_result_free(&r);
        reports[i] = load_json(path_in(dir, "r.json"));
    }
    const double tol = json_real_value(json_object_get(reports[0], "tolerance_mm"));
    CHECK(tol > 0 && tol < DBL_MIN);
    CHECK_SAME(tol, 4.9406564584124654e-324);
    const json_t *a = json_object_get(reports[0], "labels"),
                 *b = json_object_get(reports[1], "labels");
    CHECK_UINT(json_array_size(a), 4);
    for (size_t i = 0; i < json_array_size(a); i++) { /* labels 3 and 4: one side empty */
        const json_t *nsd = json_object_get(json_array_get(a, i), "nsd");
        CHECK(i >= 2 ? json_is_null(nsd) : json_is_real(nsd));
        CHECK(json_equal(nsd, json_object_get(json_array_get(b, i), "nsd")));
    }
    json_decref(reports[0]);
    json_decref(reports[1]);
    const char *huge[] = {LOBEDICE_EXE, "--tolerance", "1e400", ref, pred, NULL};
    expect_sentence(
        huge, 2,
        "LobeDice: --tolerance expects a distance in mm (a number, 0 or more), got '1e400'.\n", 3);
}

static const check_case cases[] = {{"text_reports", text_reports},
                                   {"text_errors", text_errors},
                                   {"text_subnormal_tolerance", text_subnormal_tolerance}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
