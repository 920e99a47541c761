/* Every error path of LobeDice: the exit status (2 usage, 1 failed run), one line on standard
 * error that names the flag, value or file, nothing on standard output, and no output file or
 * temporary file left behind, even when the failure comes after other outputs were written. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"

#include <sys/stat.h>
#include <unistd.h>

static char dir[1024], ref[1100], pred[1100];

/* A fresh folder holding the 4x6 example pair (reference.nrrd, prediction.nrrd). */
static void setup(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s", CLI_SCRATCH_DIR, name);
    CHECK_FATAL(fresh_dir(dir) == 0);
    snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
}

/* One sentence: "LobeDice: " and a lower-case start (no sentence of a library pasted in whole),
 * no ". " followed by a capital inside, a full stop at the end. */
static int one_sentence(const char *err)
{
    const char *body = err + 10;
    if (strncmp(err, "LobeDice: ", 10) != 0 || (*body >= 'A' && *body <= 'Z'))
        return 0;
    for (const char *p = body; (p = strstr(p, ". ")) != NULL; p++)
        if (p[2] >= 'A' && p[2] <= 'Z')
            return 0;
    return 1;
}

/* Runs argv and checks the status, a single line on stderr holding every `mentions` in one
 * sentence, nothing on stdout, and that the folder holds exactly `files` entries afterwards. */
static void expect_failure(const char *const *argv, int status, const char *const *mentions,
                           int files)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != status) {
        fprintf(stderr, "%s: exit %d, expected %d (stderr: %s)\n", command_text(argv), r.status,
                status, r.err);
        check_failures++;
    }
    CHECK(r.err_len > 0 && strchr(r.err, '\n') == r.err + r.err_len - 1); /* one line */
    CHECK(strncmp(r.err, "LobeDice: ", 10) == 0);
    CHECK(r.err_len >= 2 && r.err[r.err_len - 2] == '.');
    if (!one_sentence(r.err)) {
        fprintf(stderr, "stderr '%s' is not one sentence\n", r.err);
        check_failures++;
    }
    for (size_t i = 0; mentions && mentions[i]; i++)
        if (!strstr(r.err, mentions[i])) {
            fprintf(stderr, "stderr '%s' does not mention '%s'\n", r.err, mentions[i]);
            check_failures++;
        }
    CHECK_UINT(r.out_len, 0);
    char *names[32];
    int n = list_dir(dir, names, 32);
    if (n != files) {
        fprintf(stderr, "%s left %d entries in %s, expected %d:\n", command_text(argv), n, dir,
                files);
        for (int i = 0; i < n && i < 32; i++)
            fprintf(stderr, "  %s\n", names[i]);
        check_failures++;
    }
    for (int i = 0; i < n && i < 32; i++)
        free(names[i]);
    run_result_free(&r);
}

#define MENTIONS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void error_unknown_flag(void)
{
    setup("unknown_flag");
    const char *argv[] = {LOBEDICE_EXE, "--bogus", "1", ref, pred, NULL};
    expect_failure(argv, 2, MENTIONS("--bogus"), 2);
}

static void error_missing_value(void)
{
    setup("missing_value");
    const char *argv[] = {LOBEDICE_EXE, ref, pred, "--tolerance", NULL};
    expect_failure(argv, 2, MENTIONS("--tolerance", "needs a value"), 2);
}

static void error_bad_numbers(void)
{
    setup("bad_numbers");
    const char *tolerance[] = {LOBEDICE_EXE, "--tolerance", "abc", ref, pred, NULL};
    expect_failure(tolerance, 2, MENTIONS("--tolerance", "'abc'"), 2);
    const char *negative[] = {LOBEDICE_EXE, "--tolerance", "-1", ref, pred, NULL};
    expect_failure(negative, 2, MENTIONS("--tolerance", "'-1'"), 2);
    const char *threads[] = {LOBEDICE_EXE, "--threads", "-1", ref, pred, NULL};
    expect_failure(threads, 2, MENTIONS("--threads", "'-1'"), 2);
    const char *fraction[] = {LOBEDICE_EXE, "--threads", "1.5", ref, pred, NULL};
    expect_failure(fraction, 2, MENTIONS("--threads", "'1.5'"), 2);
    const char *labels[] = {LOBEDICE_EXE, "--labels", "1,x", ref, pred, NULL};
    expect_failure(labels, 2, MENTIONS("--labels", "'x'"), 2);
    const char *repeated[] = {LOBEDICE_EXE, "--labels", "1,2,1", ref, pred, NULL};
    expect_failure(repeated, 2, MENTIONS("--labels", "twice"), 2);
    const char *region[] = {LOBEDICE_EXE, "--regions", "Right=1+y", ref, pred, NULL};
    expect_failure(region, 2, MENTIONS("--regions", "'y'"), 2);
    const char *unnamed[] = {LOBEDICE_EXE, "--regions", "1+2", ref, pred, NULL};
    expect_failure(unnamed, 2, MENTIONS("--regions", "NAME=L+L"), 2);
    const char *label_twice[] = {LOBEDICE_EXE, "--regions", "A=1+1", ref, pred, NULL};
    expect_failure(label_twice, 2, MENTIONS("--regions", "region 'A'", "label 1 twice"), 2);
    const char *empty_item[] = {LOBEDICE_EXE, "--regions", "A=1,,B=2", ref, pred, NULL};
    expect_failure(empty_item, 2, MENTIONS("--regions", "empty item", "'A=1,,B=2'"), 2);
    const char *no_labels[] = {LOBEDICE_EXE, "--regions", "A=", ref, pred, NULL};
    expect_failure(no_labels, 2, MENTIONS("--regions", "region 'A'", "whole numbers"), 2);
}

/* Options getopt_long refuses: a short-option cluster names the option, not the program; an
 * abbreviation of two options says it is ambiguous. */
static void error_refused_options(void)
{
    setup("refused_options");
    run_result r;
    const char *cluster[] = {LOBEDICE_EXE, "-xy", ref, pred, NULL};
    expect_failure(cluster, 2, MENTIONS("unknown option '-x'"), 2);
    CHECK_FATAL(run_program(&r, cluster) == 0);
    CHECK(strstr(r.err, LOBEDICE_EXE) == NULL);
    run_result_free(&r);
    const char *ambiguous[] = {LOBEDICE_EXE, "--label", "1", ref, pred, NULL};
    expect_failure(ambiguous, 2, MENTIONS("'--label'", "ambiguous", "--labels", "--labelNames"), 2);
    const char *unknown[] = {LOBEDICE_EXE, "--labelz", "1", ref, pred, NULL};
    expect_failure(unknown, 2, MENTIONS("unknown option '--labelz'"), 2);
}

static void error_bad_enumeration(void)
{
    setup("bad_enumeration");
    const char *argv[] = {LOBEDICE_EXE, "--emptyPolicy", "maybe", ref, pred, NULL};
    expect_failure(argv, 2, MENTIONS("--emptyPolicy", "'maybe'", "nan, one or zero"), 2);
}

static void error_label_names(void)
{
    setup("label_names");
    const char *count[] = {LOBEDICE_EXE, "--labels", "1,2,3", "--labelNames",
                           "A,B",        ref,        pred,    NULL};
    expect_failure(count, 2, MENTIONS("--labelNames", "2 names", "3 labels"), 2);
    const char *alone[] = {LOBEDICE_EXE, "--labelNames", "A,B", ref, pred, NULL};
    expect_failure(alone, 2, MENTIONS("--labelNames", "--labels"), 2);
    const char *empty[] = {LOBEDICE_EXE, "--labels", "1,2,3", "--labelNames",
                           "A,,B",       ref,        pred,    NULL};
    expect_failure(empty, 2, MENTIONS("--labelNames", "empty name", "'A,,B'"), 2);
}

/* "1,2,...,count" (static buffer). */
static const char *label_list(int count)
{
    static char list[1024];
    list[0] = '\0';
    for (int label = 1; label <= count; label++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", label > 1 ? "," : "",
                 label);
    return list;
}

/* The error map codes at most 99 labels, whether --labels names more or the maps hold more;
 * without --errorMap the same runs are fine. */
static void error_map_label_limit(void)
{
    setup("map_label_limit");
    const char *given[] = {
        LOBEDICE_EXE, "--labels", label_list(100), "--errorMap", path_in(dir, "map.nrrd"), ref,
        pred,         NULL};
    expect_failure(given, 2, MENTIONS("--errorMap", "at most 99 labels", "100 were given"), 2);

    int16_t many[100];
    for (int i = 0; i < 100; i++)
        many[i] = (int16_t)(i + 1);
    const size_t size[3] = {10, 10, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    CHECK_FATAL(write_nrrd(path_in(dir, "many.nrrd"), "short", 2, size, spacing, origin, many) ==
                0);
    const char *found[] = {LOBEDICE_EXE,
                           "--referenceLabels",
                           "identity",
                           "--predictedLabels",
                           "identity",
                           "--errorMap",
                           path_in(dir, "map.nrrd"),
                           "--outputJson",
                           path_in(dir, "out.json"),
                           path_in(dir, "many.nrrd"),
                           path_in(dir, "many.nrrd"),
                           NULL};
    /* (the same file twice is allowed: only outputs must differ from the inputs) */
    expect_failure(found, 1, MENTIONS("--errorMap", "at most 99 labels", "100 were found"), 3);

    const char *no_map[] = {LOBEDICE_EXE,
                            "--referenceLabels",
                            "identity",
                            "--predictedLabels",
                            "identity",
                            "--outputJson",
                            path_in(dir, "out.json"),
                            path_in(dir, "many.nrrd"),
                            path_in(dir, "many.nrrd"),
                            NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, no_map) == 0);
    CHECK_INT(r.status, 0);
    json_t *report = load_json(path_in(dir, "out.json"));
    CHECK_UINT(json_array_size(json_object_get(report, "labels")), 100);
    json_decref(report);
    run_result_free(&r);
}

static void error_arguments(void)
{
    setup("arguments");
    const char *one[] = {LOBEDICE_EXE, ref, NULL};
    expect_failure(one, 2, MENTIONS("two label maps", "got 1 argument"), 2);
    const char *three[] = {LOBEDICE_EXE, ref, pred, pred, NULL};
    expect_failure(three, 2, MENTIONS("two label maps", "got 3 arguments"), 2);
}

static void error_output_paths(void)
{
    setup("output_paths");
    size_t before = 0;
    char *original = read_file(ref, &before);
    CHECK_FATAL(original != NULL);
    const char *json[] = {LOBEDICE_EXE, "--outputJson", ref, ref, pred, NULL};
    expect_failure(json, 2, MENTIONS("--outputJson", "never overwrites an input"), 2);
    /* the same file spelt another way */
    char other[1200];
    snprintf(other, sizeof other, "%s/../output_paths/prediction.nrrd", dir);
    const char *map[] = {LOBEDICE_EXE, "--errorMap", other, ref, pred, NULL};
    expect_failure(map, 2, MENTIONS("--errorMap", "the prediction"), 2);
    const char *rpf[] = {LOBEDICE_EXE, "--returnparameterfile", pred, ref, pred, NULL};
    expect_failure(rpf, 2, MENTIONS("--returnparameterfile"), 2);
    const char *twice[] = {LOBEDICE_EXE,
                           "--outputJson",
                           path_in(dir, "a.csv"),
                           "--outputTable",
                           path_in(dir, "a.csv"),
                           ref,
                           pred,
                           NULL};
    expect_failure(twice, 2, MENTIONS("--outputTable", "--outputJson"), 2);
    const char *ext[] = {LOBEDICE_EXE, "--outputTable", path_in(dir, "table.txt"), ref, pred, NULL};
    expect_failure(ext, 2, MENTIONS("--outputTable", ".csv or .tsv", "table.txt"), 2);
    const char *mapext[] = {LOBEDICE_EXE, "--errorMap", path_in(dir, "map.png"), ref, pred, NULL};
    expect_failure(mapext, 2, MENTIONS("--errorMap", "map.png"), 2);
    /* the files written beside the table and the map collide with other outputs */
    const char *schema[] = {LOBEDICE_EXE,
                            "--outputTable",
                            path_in(dir, "t.csv"),
                            "--outputJson",
                            path_in(dir, "t.schema.csv"),
                            ref,
                            pred,
                            NULL};
    expect_failure(schema, 2, MENTIONS("--outputJson", "t.schema.csv", "the table's schema"), 2);
    const char *ctbl[] = {LOBEDICE_EXE,
                          "--errorMap",
                          path_in(dir, "m.nrrd"),
                          "--returnparameterfile",
                          path_in(dir, "m.ctbl"),
                          ref,
                          pred,
                          NULL};
    expect_failure(ctbl, 2,
                   MENTIONS("--returnparameterfile", "m.ctbl", "the error map's colour table"), 2);
    /* an output into a folder that does not exist, refused before any work */
    const char *json_folder[] = {
        LOBEDICE_EXE, "--outputJson", path_in(dir, "no-such-folder/out.json"), ref, pred, NULL};
    expect_failure(json_folder, 1,
                   MENTIONS("--outputJson", "no-such-folder/out.json", "does not exist"), 2);
    const char *rpf_folder[] = {
        LOBEDICE_EXE, "--returnparameterfile", path_in(dir, "no-such-folder/r.params"), ref, pred,
        NULL};
    expect_failure(rpf_folder, 1,
                   MENTIONS("--returnparameterfile", "no-such-folder/r.params", "does not exist"),
                   2);
    size_t after = 0;
    char *now = read_file(ref, &after);
    CHECK(now && after == before && memcmp(now, original, before) == 0);
    free(now);
    free(original);
}

static void error_unreadable_file(void)
{
    setup("unreadable_file");
    const char *argv[] = {
        LOBEDICE_EXE, "--outputJson", path_in(dir, "out.json"), ref, path_in(dir, "missing.nrrd"),
        NULL};
    expect_failure(argv, 1, MENTIONS("missing.nrrd"), 2);
    CHECK(write_file(path_in(dir, "garbage.nrrd"), "not an image\n", 13) == 0);
    const char *garbage[] = {
        LOBEDICE_EXE, "--outputJson", path_in(dir, "out.json"), path_in(dir, "garbage.nrrd"), pred,
        NULL};
    expect_failure(garbage, 1, MENTIONS("garbage.nrrd"), 3);
}

static void error_fractional_labels(void)
{
    setup("fractional_labels");
    float values[24];
    for (int i = 0; i < 24; i++)
        values[i] = (float)example_pred[i];
    values[3] = 2.5f; /* voxel (3, 0, 0): the first fractional value is the one named */
    values[9] = 1.5f;
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    CHECK_FATAL(write_nrrd(path_in(dir, "fractional.nrrd"), "float", 2, size, spacing, origin,
                           values) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "out.json"),
                          ref,
                          path_in(dir, "fractional.nrrd"),
                          NULL};
    expect_failure(
        argv, 1, MENTIONS("fractional.nrrd", "the prediction", "(3, 0, 0)", "2.5", "whole number"),
        3);
}

static void error_disjoint_geometry(void)
{
    setup("disjoint_geometry");
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {500, 500, 0};
    CHECK_FATAL(
        write_nrrd(path_in(dir, "far.nrrd"), "short", 2, size, spacing, origin, example_pred) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "out.json"),
                          "--errorMap",
                          path_in(dir, "map.nrrd"),
                          ref,
                          path_in(dir, "far.nrrd"),
                          NULL};
    expect_failure(argv, 1, MENTIONS("far.nrrd"), 3);
}

/* Outputs that cannot be made: nothing of the run stays. (Both are refused before any work
 * now; error_map_write_fails makes a write fail after the others.) */
static void error_late_write_failure(void)
{
    setup("late_write_failure");
    const char *map[] = {LOBEDICE_EXE,
                         "--outputJson",
                         path_in(dir, "ok.json"),
                         "--outputTable",
                         path_in(dir, "ok.csv"),
                         "--errorMap",
                         path_in(dir, "no-such-folder/map.nrrd"),
                         ref,
                         pred,
                         NULL};
    expect_failure(map, 1, MENTIONS("no-such-folder/map"), 2); /* (now refused up front) */
    /* a folder takes the table's name */
    CHECK_FATAL(mkdir(path_in(dir, "taken.csv"), 0755) == 0);
    const char *rename_fails[] = {LOBEDICE_EXE,
                                  "--outputJson",
                                  path_in(dir, "ok.json"),
                                  "--outputTable",
                                  path_in(dir, "taken.csv"),
                                  ref,
                                  pred,
                                  NULL};
    expect_failure(rename_fails, 1, MENTIONS("taken.csv"), 3);
    CHECK(!file_exists(path_in(dir, "ok.json")));
    CHECK(!file_exists(path_in(dir, "taken.schema.csv")));
}

/* The error map's write really fails, after the JSON, the table, its schema and the colour
 * table were written: the disk is full (a 4 KiB file size limit: the texts fit, the map does
 * not). The sentence names the map and the reason, never a temporary name; a JSON report from
 * an earlier run stays as it was; nothing else is left. */
static void error_map_write_fails(void)
{
    setup("map_write_fails");
    int16_t big[64 * 64];
    for (size_t i = 0; i < 64 * 64; i++)
        big[i] = (int16_t)(i % 3);
    const size_t size[3] = {64, 64, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    CHECK_FATAL(write_nrrd(ref, "short", 2, size, spacing, origin, big) == 0);
    CHECK_FATAL(write_nrrd(pred, "short", 2, size, spacing, origin, big) == 0);
    static const char earlier[] = "{\"an earlier report\": true}\n";
    CHECK_FATAL(write_file(path_in(dir, "ok.json"), earlier, sizeof earlier - 1) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "ok.json"),
                          "--outputTable",
                          path_in(dir, "t.csv"),
                          "--errorMap",
                          path_in(dir, "map.nrrd"),
                          ref,
                          pred,
                          NULL};
    run_result r;
    CHECK_FATAL(run_program_limited(&r, argv, 4096) == 0);
    CHECK_INT(r.status, 1);
    CHECK(strstr(r.err, "LobeDice: the error map: cannot write '") == r.err);
    CHECK(strstr(r.err, "map.nrrd': the file system took only ") != NULL);
    CHECK(strstr(r.err, "(disk full or file size limit).\n") != NULL);
    CHECK(strstr(r.err, ".lobedice-") == NULL);
    CHECK(strchr(r.err, '\n') == r.err + r.err_len - 1);
    run_result_free(&r);
    CHECK_INT(list_dir(dir, NULL, 0), 3);
    size_t len = 0;
    char *kept = read_file(path_in(dir, "ok.json"), &len);
    CHECK(kept && len == sizeof earlier - 1 && memcmp(kept, earlier, len) == 0);
    free(kept);
}

/* Output names of 220 to 255 bytes (NAME_MAX) work: the staged names fit the folder's limit. */
static void long_output_names_work(void)
{
    setup("long_names");
    for (size_t n = 220; n <= 255; n += 5) {
        char stem[256], json[1400], map[1400];
        memset(stem, 'm', sizeof stem);
        stem[n - 5] = '\0'; /* + ".json" = n bytes */
        snprintf(json, sizeof json, "%s/%s.json", dir, stem);
        stem[n - 5] = 'm';
        stem[n - 7] = '\0'; /* + ".nrrd" = n - 2; its ".ctbl" fits too */
        snprintf(map, sizeof map, "%s/%s.nrrd", dir, stem);
        const char *argv[] = {LOBEDICE_EXE, "--outputJson", json, "--errorMap", map,
                              ref,          pred,           NULL};
        run_result r;
        CHECK_FATAL(run_program(&r, argv) == 0);
        if (r.status != 0)
            fprintf(stderr, "name of %zu bytes: %s", n, r.err);
        CHECK_INT(r.status, 0);
        CHECK(file_exists(json) && file_exists(map));
        run_result_free(&r);
        CHECK_FATAL(fresh_dir(dir) == 0 && write_example_pair(ref, pred) == 0);
    }
}

/* Earlier outputs survive a failed run: a folder in the table's place stops the run, and the
 * JSON report already there keeps its bytes (no temporary or backup file is left). */
static void error_existing_outputs_kept(void)
{
    setup("existing_outputs_kept");
    static const char earlier[] = "earlier bytes\n";
    CHECK_FATAL(write_file(path_in(dir, "ok.json"), earlier, sizeof earlier - 1) == 0);
    CHECK_FATAL(mkdir(path_in(dir, "taken.csv"), 0755) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "ok.json"),
                          "--outputTable",
                          path_in(dir, "taken.csv"),
                          ref,
                          pred,
                          NULL};
    expect_failure(argv, 1, MENTIONS("--outputTable", "taken.csv", "is a folder"), 4);
    size_t len = 0;
    char *kept = read_file(path_in(dir, "ok.json"), &len);
    CHECK(kept && len == sizeof earlier - 1 && memcmp(kept, earlier, len) == 0);
    free(kept);
    /* and a successful run replaces it */
    CHECK_FATAL(rmdir(path_in(dir, "taken.csv")) == 0);
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    run_result_free(&r);
    kept = read_file(path_in(dir, "ok.json"), &len);
    CHECK(kept && strncmp(kept, "{", 1) == 0);
    free(kept);
    CHECK_INT(list_dir(dir, NULL, 0), 2 + 1 + 2);
}

/* Both maps empty: no label to report, said in the printed table (with --printTable beside
 * the outputs too), and a report without rows. */
static void no_label_to_report(void)
{
    setup("no_label");
    int16_t zeros[24] = {0};
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    CHECK_FATAL(write_nrrd(ref, "short", 2, size, spacing, origin, zeros) == 0);
    CHECK_FATAL(write_nrrd(pred, "short", 2, size, spacing, origin, zeros) == 0);
    const char *argv[] = {
        LOBEDICE_EXE, "--printTable", "--outputJson", path_in(dir, "out.json"), ref, pred, NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    CHECK_UINT(r.err_len, 0);
    CHECK(strstr(r.out, "\nNo label to report: neither map holds a non-zero label.\n") != NULL);
    CHECK(strstr(r.out, "\nmean ") != NULL);
    run_result_free(&r);
    json_t *report = load_json(path_in(dir, "out.json"));
    CHECK_UINT(json_array_size(json_object_get(report, "labels")), 0);
    CHECK_UINT(json_array_size(json_object_get(report, "regions")), 0);
    CHECK(json_is_null(json_object_get(json_object_get(report, "summary"), "mean_dice")));
    json_decref(report);
    /* without --printTable, outputs mean a quiet standard output */
    const char *quiet[] = {LOBEDICE_EXE, "--outputJson", path_in(dir, "out.json"), ref, pred, NULL};
    CHECK_FATAL(run_program(&r, quiet) == 0);
    CHECK_INT(r.status, 0);
    CHECK_UINT(r.out_len, 0);
    run_result_free(&r);
}

static void error_success_control(void)
{
    /* the same folder layout succeeds when nothing is wrong: the failures above are real */
    setup("success_control");
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "ok.json"),
                          "--outputTable",
                          path_in(dir, "ok.csv"),
                          "--errorMap",
                          path_in(dir, "map.nrrd"),
                          ref,
                          pred,
                          NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != 0)
        fprintf(stderr, "%s: %s", command_text(argv), r.err);
    CHECK_INT(r.status, 0);
    CHECK_UINT(r.err_len, 0);
    CHECK_INT(list_dir(dir, NULL, 0), 2 + 1 + 2 + 2);
    run_result_free(&r);
}

static const check_case cases[] = {{"error_unknown_flag", error_unknown_flag},
                                   {"error_missing_value", error_missing_value},
                                   {"error_bad_numbers", error_bad_numbers},
                                   {"error_bad_enumeration", error_bad_enumeration},
                                   {"error_label_names", error_label_names},
                                   {"error_refused_options", error_refused_options},
                                   {"error_map_label_limit", error_map_label_limit},
                                   {"error_arguments", error_arguments},
                                   {"error_output_paths", error_output_paths},
                                   {"error_unreadable_file", error_unreadable_file},
                                   {"error_fractional_labels", error_fractional_labels},
                                   {"error_disjoint_geometry", error_disjoint_geometry},
                                   {"error_late_write_failure", error_late_write_failure},
                                   {"error_map_write_fails", error_map_write_fails},
                                   {"long_output_names_work", long_output_names_work},
                                   {"error_existing_outputs_kept", error_existing_outputs_kept},
                                   {"no_label_to_report", no_label_to_report},
                                   {"error_success_control", error_success_control}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
