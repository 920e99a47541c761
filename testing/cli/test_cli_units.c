/* Unit tests of the CLI's parsing and report writing (no image I/O): option values the way
 * Slicer passes them, the errors, the regions, and the report texts built from the core's
 * results on the 4x6 example of docs/measures.md. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_options.h"
#include "cli_output.h"
#include "cli_report.h"
#include "cli_test_util.h"

#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(cli_options *o, char *msg, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"LobeDice";
    for (size_t i = 0; args[i]; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    return cli_parse(o, argc, argv, msg, 512);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void units_parse_defaults(void)
{
    cli_options o;
    char msg[512];
    CHECK_INT(parse(&o, msg, ARGS("ref.nrrd", "pred.nrrd")), 0);
    CHECK_STR(o.reference_path, "ref.nrrd");
    CHECK_STR(o.predicted_path, "pred.nrrd");
    CHECK(o.labels == NULL && o.label_names == NULL && o.regions == NULL && !o.regions_given);
    CHECK_INT(o.surface_distances, 0); /* absent boolean = false, as Slicer passes it */
    CHECK_NEAR(o.tolerance_mm, 1.0, 0);
    CHECK_INT(o.empty_policy, LOBEDICE_EMPTY_NAN);
    CHECK_UINT(o.threads, 0);
    CHECK(!o.output_json && !o.output_table && !o.error_map && !o.return_parameter_file);
    cli_options_free(&o);
}

static void units_parse_slicer_command(void)
{
    cli_options o;
    char msg[512];
    /* as vtkSlicerCLIModuleLogic builds it: return-parameter file first, empty numbers and
     * enumerations passed as "", vectors comma-joined, index arguments last */
    int rc =
        parse(&o, msg,
              ARGS("--returnparameterfile", "/tmp/1_2.params", "--labels", "1, 2,3", "--labelNames",
                   "RUL,RML , RLL", "--regions", "R=1+2, All=1+2+3", "--surfaceDistances",
                   "--tolerance", "", "--emptyPolicy", "", "--outputTable", "t.csv", "--threads",
                   "", "--processinformationaddress", "0x55d1", "ref.nrrd", "pred.nrrd"));
    if (rc)
        fprintf(stderr, "%s\n", msg);
    CHECK_INT(rc, 0);
    CHECK_STR(o.return_parameter_file, "/tmp/1_2.params");
    CHECK_UINT(o.nlabels, 3);
    if (o.nlabels == 3)
        CHECK(o.labels[0] == 1 && o.labels[1] == 2 && o.labels[2] == 3);
    CHECK_UINT(o.nlabel_names, 3);
    if (o.nlabel_names == 3)
        CHECK_STR(o.label_names[1], "RML");
    CHECK_UINT(o.nregions, 2);
    if (o.nregions == 2) {
        CHECK_STR(o.regions[1].name, "All");
        CHECK_UINT(o.regions[1].nlabels, 3);
    }
    CHECK_INT(o.surface_distances, 1);
    CHECK_NEAR(o.tolerance_mm, 1.0, 0);
    CHECK_INT(o.empty_policy, LOBEDICE_EMPTY_NAN);
    CHECK_UINT(o.threads, 0);
    CHECK_STR(o.output_table, "t.csv");
    cli_options_free(&o);

    CHECK_INT(parse(&o, msg,
                    ARGS("--threads", "3", "--tolerance", "2.5", "--emptyPolicy", "zero",
                         "--regions", "none", "a", "b")),
              0);
    CHECK_UINT(o.threads, 3);
    CHECK_NEAR(o.tolerance_mm, 2.5, 0);
    CHECK_INT(o.empty_policy, LOBEDICE_EMPTY_ZERO);
    CHECK(o.regions_given && o.nregions == 0);
    cli_options_free(&o);

    CHECK_INT(parse(&o, msg, ARGS("--help")), 0);
    CHECK_INT(o.action, CLI_HELP);
    cli_options_free(&o);
    CHECK_INT(parse(&o, msg, ARGS("--threads", "-1")), 2); /* "-1" is the value, and bad */
    cli_options_free(&o);
}

static void expect_usage(const char *const *args, const char *mention)
{
    cli_options o;
    char msg[512];
    int rc = parse(&o, msg, args);
    CHECK_INT(rc, 2);
    if (!strstr(msg, mention)) {
        fprintf(stderr, "message '%s' does not mention '%s'\n", msg, mention);
        check_failures++;
    }
    CHECK(strchr(msg, '\n') == NULL);
    cli_options_free(&o);
}

static void units_parse_errors(void)
{
    expect_usage(ARGS("--bogus", "a", "b"), "'--bogus'");
    expect_usage(ARGS("a", "b", "--labels"), "'--labels' needs a value");
    expect_usage(ARGS("--tolerance", "1mm", "a", "b"), "'1mm'");
    expect_usage(ARGS("--tolerance", "nan", "a", "b"), "'nan'");
    expect_usage(ARGS("--threads", "99999", "a", "b"), "'99999'");
    expect_usage(ARGS("--labels", "1,,2", "a", "b"), "--labels");
    expect_usage(ARGS("--labels", "99999999999999999999", "a", "b"), "--labels");
    expect_usage(ARGS("--labelNames", "A,B\tC", "--labels", "1,2", "a", "b"), "--labelNames");
    expect_usage(ARGS("--regions", "R=1+2,R=3", "a", "b"), "twice");
    expect_usage(ARGS("--regions", "=1", "a", "b"), "name");
    expect_usage(ARGS("--emptyPolicy", "NaN", "a", "b"), "'NaN'");
    expect_usage(ARGS("--surfaceDistances=true", "a", "b"), "--surfaceDistances=true");
    expect_usage(ARGS("a"), "two label maps");
}

static void units_paths(void)
{
    char *p = cli_schema_path("dir/report.table.csv");
    CHECK_STR(p, "dir/report.table.schema.csv");
    free(p);
    p = cli_schema_path("t.TSV");
    CHECK_STR(p, "t.schema.tsv");
    free(p);
    CHECK(cli_schema_path("t.txt") == NULL);
    p = cli_color_table_path("out/map.nii.gz");
    CHECK_STR(p, "out/map.ctbl");
    free(p);
    p = cli_color_table_path("map.nrrd");
    CHECK_STR(p, "map.ctbl");
    free(p);
    CHECK(cli_color_table_path("map.nhdr") == NULL); /* two files: not renamed atomically */
    CHECK_INT(cli_table_separator("a.tsv"), '\t');
    CHECK_INT(cli_table_separator("a.csv"), ',');
}

static void units_format_double(void)
{
    char buf[40];
    const double values[] = {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 123456789.125, 0.0, -2.5};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        CHECK_SAME(strtod(cli_format_double(buf, sizeof buf, values[i]), NULL), values[i]);
    CHECK_STR(cli_format_double(buf, sizeof buf, 0.1), "0.1");
    CHECK_STR(cli_format_double(buf, sizeof buf, NAN), "");
}

/* A comparison of the 4x6 example, as the command line makes it. */
static lobedice_comparison *example_comparison(lobedice_empty_policy policy)
{
    const lobedice_volume ref = {example_ref, LOBEDICE_INT16, {6, 4, 1}, {1, 1, 1}};
    const lobedice_volume pred = {example_pred, LOBEDICE_INT16, {6, 4, 1}, {1, 1, 1}};
    static const int64_t labels[5] = {1, 2, 3, 4, 5}, right[3] = {1, 2, 3};
    static const char *const names[5] = {"RUL", "RML", "RLL", "LUL, \"left\"", "LLL"};
    const lobedice_region region = {"RightLung", right, 3};
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.labels = labels;
    o.nlabels = 5;
    o.label_names = names;
    o.region_mode = LOBEDICE_REGIONS_GIVEN;
    o.regions = &region;
    o.nregions = 1;
    o.empty_policy = policy;
    lobedice_comparison *c = NULL;
    CHECK_FATAL(lobedice_compare(&c, &ref, &pred, &o) == LOBEDICE_OK);
    return c;
}

/* The texts of a report of the 4x6 example. */
static void units_report_texts(void)
{
    lobedice_comparison *c = example_comparison(LOBEDICE_EMPTY_NAN);
    cli_report report = {.version = "0.1.0",
                         .reference = {"r.nrrd", {6, 4, 1}, {1, 1, 1}, {0, 0, 0}},
                         .predicted = {"p.nrrd", {6, 4, 1}, {1, 1, 1}, {0, 0, 0}},
                         .alignment = LOBEDICE_ALIGN_IDENTICAL,
                         .comparison = c};

    char *summary = cli_report_summary_line(&report);
    CHECK_STR(summary, "RUL 1.000, RML 0.833, RLL 0.000, LUL, \"left\" 0.000, LLL undefined");
    free(summary);
    char *params = cli_report_return_parameters(&report);
    const char *expected = "meanDice = 0.45833333333333337\nmeanHD95 = \nsummary = RUL 1.000, ";
    if (!params || strncmp(params, expected, strlen(expected)) != 0) {
        fprintf(stderr, "return parameters:\n%s", params ? params : "(null)");
        check_failures++;
    }
    free(params);

    /* CSV: the name with a comma and quotes is quoted; undefined cells are empty */
    char *csv = cli_report_table(&report, ',');
    CHECK_FATAL(csv != NULL);
    table t;
    CHECK_FATAL(table_read(&t, csv, ',') == 0);
    CHECK_UINT(t.nrows, 1 + 5 + 1 + 1);
    CHECK_STR(t.cells[4][0], "LUL, \"left\"");
    CHECK_STR(t.cells[5][table_column(&t, "dice")], "");
    CHECK_STR(t.cells[2][table_column(&t, "dice")], "0.8333333333333334");
    CHECK_STR(t.cells[6][table_column(&t, "labels")], "1+2+3");
    CHECK_STR(t.cells[7][table_column(&t, "name")], "mean");
    CHECK_STR(t.cells[7][table_column(&t, "tp")], "");
    CHECK(table_column(&t, "hd_mm") < 0);
    table_free(&t);
    free(csv);

    /* JSON: null for undefined, no distance keys, the summary */
    char *text = cli_report_json(&report);
    CHECK_FATAL(text != NULL);
    json_error_t error;
    json_t *j = json_loads(text, 0, &error);
    CHECK_FATAL(j != NULL);
    const json_t *lll = json_array_get(json_object_get(j, "labels"), 4);
    CHECK(json_is_null(json_object_get(lll, "dice")));
    CHECK(json_object_get(lll, "hd95_mm") == NULL);
    CHECK_STR(json_string_value(json_object_get(lll, "status")), "absent");
    const json_t *summary_json = json_object_get(j, "summary");
    CHECK_NEAR(json_real_value(json_object_get(summary_json, "pooled_dice")), 2.0 / 3.0, 1e-15);
    CHECK_NEAR(json_real_value(json_object_get(summary_json, "mean_dice")), 0.4583333333333333,
               1e-15);
    CHECK_INT(json_integer_value(json_object_get(summary_json, "n_dice")), 4);
    /* FNE of RML = fn / |A| = 1/6; a count is an integer */
    const json_t *rml = json_array_get(json_object_get(j, "labels"), 1);
    CHECK_NEAR(json_real_value(json_object_get(rml, "false_negative_error")), 1.0 / 6.0, 1e-15);
    CHECK(json_is_integer(json_object_get(rml, "tp")));
    json_decref(j);
    free(text);
    lobedice_comparison_free(c);

    /* the policy "one" gives the absent label a Dice of 1, which then counts in the mean */
    c = example_comparison(LOBEDICE_EMPTY_ONE);
    report.comparison = c;
    CHECK_NEAR(lobedice_comparison_value(c, 4, LOBEDICE_MEASURE_DICE), 1.0, 0);
    size_t used = 0;
    lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, &used);
    CHECK_UINT(used, 5);

    char *colors = cli_report_color_table(&report);
    CHECK_FATAL(colors != NULL);
    size_t lines = 0;
    for (const char *p = colors; *p; p++)
        lines += *p == '\n';
    CHECK_UINT(lines, 2 + 36); /* header, then (5+1)^2 values */
    CHECK(strstr(colors, "\n4 LUL,_\"left\"_correct ") != NULL);
    CHECK(strstr(colors, "\n150 LLL_predicted_as_background ") != NULL);
    free(colors);
    lobedice_comparison_free(c);
}

/* The folder holds exactly these files with these bytes (name, content, ..., NULL). */
static void expect_folder(const char *dir, const char *const *files)
{
    size_t n = 0;
    for (; files[n]; n += 2) {
        char *path = path_join(dir, files[n]);
        size_t len = 0;
        char *data = path ? read_file(path, &len) : NULL;
        if (!data || strcmp(data, files[n + 1]) != 0) {
            fprintf(stderr, "%s holds '%s', expected '%s'\n", files[n], data ? data : "(none)",
                    files[n + 1]);
            check_failures++;
        }
        free(data);
        free(path);
    }
    char *names[16];
    int count = list_dir(dir, names, 16);
    if (count != (int)(n / 2)) {
        fprintf(stderr, "%s holds %d entries, expected %zu:\n", dir, count, n / 2);
        for (int i = 0; i < count && i < 16; i++)
            fprintf(stderr, "  %s\n", names[i]);
        check_failures++;
    }
    for (int i = 0; i < count && i < 16; i++)
        free(names[i]);
}

/* A sentence for the user: no capital after "LobeDice: ", no second sentence inside. */
static void expect_clause(const char *msg, const char *mention)
{
    CHECK(msg[0] && !(msg[0] >= 'A' && msg[0] <= 'Z'));
    for (const char *p = msg; (p = strstr(p, ". ")) != NULL; p++)
        CHECK(!(p[2] >= 'A' && p[2] <= 'Z'));
    if (!strstr(msg, mention)) {
        fprintf(stderr, "message '%s' does not mention '%s'\n", msg, mention);
        check_failures++;
    }
}

/* Removes the staged file <name> from the private folder (".lobedice-...") in dir. */
static void remove_staged(const char *dir, const char *name)
{
    char *names[16];
    int count = list_dir(dir, names, 16), removed = 0;
    for (int i = 0; i < count && i < 16; i++) {
        if (strncmp(names[i], ".lobedice-", 10) == 0) {
            char *folder = path_join(dir, names[i]);
            char *path = folder ? path_join(folder, name) : NULL;
            removed += path && unlink(path) == 0;
            free(path);
            free(folder);
        }
        free(names[i]);
    }
    CHECK_INT(removed, 1);
}

/* cli_outputs: all or nothing, and files that were at the targets before survive a failure.
 * The failures are made at the commit itself, as they can happen after cli_check_paths: a
 * rename onto a target failing after an earlier output is already in place (its temporary file
 * is gone), and a folder appearing at a target. */
static void units_outputs_all_or_nothing(void)
{
    char dir[1024], *a, *b, *c;
    snprintf(dir, sizeof dir, "%s/outputs", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    a = path_join(dir, "ok.json");
    b = path_join(dir, "b.csv");
    c = path_join(dir, "c.nrrd");
    CHECK_FATAL(a && b && c);
    CHECK_FATAL(write_file(a, "earlier a", 9) == 0 && write_file(b, "earlier b", 9) == 0);
    char msg[512] = "";

    /* the last rename fails once ok.json and b.csv hold this run's files */
    cli_outputs *set = cli_outputs_new();
    CHECK_FATAL(set != NULL);
    CHECK_INT(cli_outputs_write_text(set, a, "new a", msg, sizeof msg), 0);
    CHECK_INT(cli_outputs_write_text(set, b, "new b", msg, sizeof msg), 0);
    CHECK_INT(cli_outputs_write_text(set, c, "new c", msg, sizeof msg), 0);
    remove_staged(dir, "c.nrrd"); /* its staged file vanishes before the commit */
    CHECK_INT(cli_outputs_commit(set, msg, sizeof msg), -1);
    expect_clause(msg, "cannot create '");
    expect_clause(msg, "c.nrrd'");
    cli_outputs_free(set);
    expect_folder(dir, (const char *const[]){"ok.json", "earlier a", "b.csv", "earlier b", NULL});

    /* a folder appears where an output goes */
    set = cli_outputs_new();
    CHECK_FATAL(set != NULL);
    CHECK_INT(cli_outputs_write_text(set, a, "new a", msg, sizeof msg), 0);
    CHECK_INT(cli_outputs_write_text(set, c, "new c", msg, sizeof msg), 0);
    CHECK_FATAL(mkdir(c, 0755) == 0);
    CHECK_INT(cli_outputs_commit(set, msg, sizeof msg), -1);
    expect_clause(msg, "is a folder");
    cli_outputs_free(set);
    CHECK_FATAL(rmdir(c) == 0);
    expect_folder(dir, (const char *const[]){"ok.json", "earlier a", "b.csv", "earlier b", NULL});

    /* success replaces the earlier files and leaves no backup */
    set = cli_outputs_new();
    CHECK_FATAL(set != NULL);
    CHECK_INT(cli_outputs_write_text(set, a, "new a", msg, sizeof msg), 0);
    CHECK_INT(cli_outputs_write_text(set, c, "new c", msg, sizeof msg), 0);
    CHECK_INT(cli_outputs_commit(set, msg, sizeof msg), 0);
    cli_outputs_free(set);
    expect_folder(dir, (const char *const[]){"ok.json", "new a", "b.csv", "earlier b", "c.nrrd",
                                             "new c", NULL});
    free(a);
    free(b);
    free(c);
}

static const check_case cases[] = {{"units_parse_defaults", units_parse_defaults},
                                   {"units_parse_slicer_command", units_parse_slicer_command},
                                   {"units_parse_errors", units_parse_errors},
                                   {"units_paths", units_paths},
                                   {"units_format_double", units_format_double},
                                   {"units_report_texts", units_report_texts},
                                   {"units_outputs_all_or_nothing", units_outputs_all_or_nothing}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
