/* Every error path of LobeDice: the exit status (2 usage, 1 failed run), one line on standard
 * error that names the flag, value or file, nothing on standard output, and no output file or
 * temporary file left behind, even when the failure comes after other outputs were written. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"

#include <sys/stat.h>

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

static char *in_dir(const char *name)
{
    static char paths[8][1100];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 1100, "%s/%s", dir, name);
    return p;
}

/* Runs argv and checks the status, a single line on stderr holding every `mentions`, nothing
 * on stdout, and that the folder holds exactly `files` entries afterwards. */
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
    const char *twice[] = {
        LOBEDICE_EXE, "--outputJson", in_dir("a.csv"), "--outputTable", in_dir("a.csv"), ref, pred,
        NULL};
    expect_failure(twice, 2, MENTIONS("--outputTable", "--outputJson"), 2);
    const char *ext[] = {LOBEDICE_EXE, "--outputTable", in_dir("table.txt"), ref, pred, NULL};
    expect_failure(ext, 2, MENTIONS("--outputTable", ".csv or .tsv", "table.txt"), 2);
    const char *mapext[] = {LOBEDICE_EXE, "--errorMap", in_dir("map.png"), ref, pred, NULL};
    expect_failure(mapext, 2, MENTIONS("--errorMap", "map.png"), 2);
    size_t after = 0;
    char *now = read_file(ref, &after);
    CHECK(now && after == before && memcmp(now, original, before) == 0);
    free(now);
    free(original);
}

static void error_unreadable_file(void)
{
    setup("unreadable_file");
    const char *argv[] = {LOBEDICE_EXE, "--outputJson",         in_dir("out.json"),
                          ref,          in_dir("missing.nrrd"), NULL};
    expect_failure(argv, 1, MENTIONS("missing.nrrd"), 2);
    CHECK(write_file(in_dir("garbage.nrrd"), "not an image\n", 13) == 0);
    const char *garbage[] = {LOBEDICE_EXE,           "--outputJson", in_dir("out.json"),
                             in_dir("garbage.nrrd"), pred,           NULL};
    expect_failure(garbage, 1, MENTIONS("garbage.nrrd"), 3);
}

static void error_fractional_labels(void)
{
    setup("fractional_labels");
    float values[24];
    for (int i = 0; i < 24; i++)
        values[i] = (float)example_pred[i];
    values[9] = 1.5f;
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    CHECK_FATAL(write_nrrd(in_dir("fractional.nrrd"), "float", 2, size, spacing, origin, values) ==
                0);
    const char *argv[] = {
        LOBEDICE_EXE, "--outputJson", in_dir("out.json"), ref, in_dir("fractional.nrrd"), NULL};
    expect_failure(argv, 1, MENTIONS("fractional.nrrd"), 3);
}

static void error_disjoint_geometry(void)
{
    setup("disjoint_geometry");
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {500, 500, 0};
    CHECK_FATAL(write_nrrd(in_dir("far.nrrd"), "short", 2, size, spacing, origin, example_pred) ==
                0);
    const char *argv[] = {LOBEDICE_EXE,       "--outputJson",
                          in_dir("out.json"), "--errorMap",
                          in_dir("map.nrrd"), ref,
                          in_dir("far.nrrd"), NULL};
    expect_failure(argv, 1, MENTIONS("far.nrrd"), 3);
}

/* A write that fails after others succeeded: nothing of the run stays. */
static void error_late_write_failure(void)
{
    setup("late_write_failure");
    /* the error map is written last (after the JSON, the table and its schema) */
    const char *map[] = {LOBEDICE_EXE,
                         "--outputJson",
                         in_dir("ok.json"),
                         "--outputTable",
                         in_dir("ok.csv"),
                         "--errorMap",
                         in_dir("no-such-folder/map.nrrd"),
                         ref,
                         pred,
                         NULL};
    expect_failure(map, 1, MENTIONS("no-such-folder/map"), 2);
    /* a rename that fails once the JSON is already in place: a folder takes the table's name */
    CHECK_FATAL(mkdir(in_dir("taken.csv"), 0755) == 0);
    const char *rename_fails[] = {LOBEDICE_EXE,
                                  "--outputJson",
                                  in_dir("ok.json"),
                                  "--outputTable",
                                  in_dir("taken.csv"),
                                  ref,
                                  pred,
                                  NULL};
    expect_failure(rename_fails, 1, MENTIONS("taken.csv"), 3);
    CHECK(!file_exists(in_dir("ok.json")));
    CHECK(!file_exists(in_dir("taken.schema.csv")));
}

static void error_success_control(void)
{
    /* the same folder layout succeeds when nothing is wrong: the failures above are real */
    setup("success_control");
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          in_dir("ok.json"),
                          "--outputTable",
                          in_dir("ok.csv"),
                          "--errorMap",
                          in_dir("map.nrrd"),
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
                                   {"error_arguments", error_arguments},
                                   {"error_output_paths", error_output_paths},
                                   {"error_unreadable_file", error_unreadable_file},
                                   {"error_fractional_labels", error_fractional_labels},
                                   {"error_disjoint_geometry", error_disjoint_geometry},
                                   {"error_late_write_failure", error_late_write_failure},
                                   {"error_success_control", error_success_control}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
