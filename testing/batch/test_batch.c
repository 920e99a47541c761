/* lobedice-batch end to end: pairing by name (mixed formats, unmatched both ways) and by
 * manifest, a broken case among good ones, the per-case numbers against LobeDice's own table,
 * the summary against closed-form statistics of a tiny made-up set, the bootstrap interval
 * reproducible, resume after a killed run, a killed case failing alone, shards + merge equal to one
 * run, results replaced whole, the shared comparison flags and their errors, and the progress
 * lines. Each case works in its own scratch folder. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"
#include "lobedice/lobedice_io.h"

#include <errno.h>
#include <math.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char scratch[1024];

static const char *at(const char *fmt, ...)
{
    static char bufs[8][1024];
    static int next;
    char *buf = bufs[next++ % 8];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(buf, 1024, "%s/", scratch);
    vsnprintf(buf + n, 1024 - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

static void begin(const char *name)
{
    snprintf(scratch, sizeof scratch, "%s/%s", BATCH_SCRATCH_DIR, name);
    CHECK_FATAL(mkdir(BATCH_SCRATCH_DIR, 0777) == 0 || errno == EEXIST);
    CHECK_FATAL(fresh_dir(scratch) == 0);
}

/* Runs a program; prints its output when the status is not the one expected. */
static run_result run(int want, const char *const *argv)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != want) {
        fprintf(stderr, "%s: status %d, expected %d\n%s%s", command_text(argv), r.status, want,
                r.out, r.err);
        check_failures++;
    }
    return r;
}

/* The phantom pair of patient `variant` as <ref_dir>/<name><ref_ext> and
 * <pred_dir>/<name><pred_ext>, in the format the extension says. */
static void make_case(const char *ref_dir, const char *pred_dir, const char *name, int variant,
                      const char *ref_ext, const char *pred_ext, const char *size)
{
    char v[16], ref_nrrd[1100], pred_nrrd[1100];
    snprintf(v, sizeof v, "%d", variant);
    snprintf(ref_nrrd, sizeof ref_nrrd, "%s/tmp-ref.nrrd", scratch);
    snprintf(pred_nrrd, sizeof pred_nrrd, "%s/tmp-pred.nrrd", scratch);
    const char *argv[] = {
        LOBEDICE_PHANTOM_EXE, "--size", size, "--case", v, ref_nrrd, pred_nrrd, NULL};
    run_result r = run(0, argv);
    run_result_free(&r);
    const char *from[2] = {ref_nrrd, pred_nrrd}, *dir[2] = {ref_dir, pred_dir},
               *ext[2] = {ref_ext, pred_ext};
    for (int k = 0; k < 2; k++) {
        char to[1200], msg[512];
        snprintf(to, sizeof to, "%s/%s%s", dir[k], name, ext[k]);
        if (strcmp(ext[k], ".nrrd") == 0 || strcmp(ext[k], ".seg.nrrd") == 0) {
            CHECK_FATAL(rename(from[k], to) == 0);
            continue;
        }
        lobedice_image *image = NULL;
        CHECK_FATAL(lobedice_image_read(&image, from[k], 1, msg, sizeof msg) == LOBEDICE_OK);
        CHECK_FATAL(lobedice_image_write(image, to, 1, msg, sizeof msg) == LOBEDICE_OK);
        lobedice_image_free(image);
        remove(from[k]);
    }
}

static table read_table(const char *path)
{
    table t;
    char *text = read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        check_failures++;
        text = strdup("");
    }
    CHECK_FATAL(table_read(&t, text, ',') == 0);
    free(text);
    return t;
}

static const char *cell(const table *t, size_t row, const char *column)
{
    int c = table_column(t, column);
    if (c < 0 || row >= t->nrows || (size_t)c >= t->ncells[row])
        return NULL;
    return t->cells[row][c];
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = read_file(a, &na), *y = read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    if (!same)
        fprintf(stderr, "%s and %s differ\n", a, b);
    free(x);
    free(y);
    return same;
}

static double number(const char *s)
{
    return s && s[0] ? strtod(s, NULL) : NAN;
}

/* ---- pairing ------------------------------------------------------------------------------- */

static void pairing_by_name(void)
{
    begin("pairing");
    CHECK_FATAL(mkdir(at("ref"), 0777) == 0 && mkdir(at("pred"), 0777) == 0);
    const char *exts[5][2] = {{".nrrd", ".nii.gz"},
                              {".nii", ".seg.nrrd"},
                              {".mha", ".nrrd"},
                              {".nii.gz", ".mha"},
                              {".nrrd", ".nii"}};
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "case%d", i + 1);
        make_case(at("ref"), at("pred"), name, i + 1, exts[i][0], exts[i][1], "40,40,24");
    }
    make_case(at("ref"), at("pred"), "only_ref", 6, ".nrrd", ".nrrd", "40,40,24");
    remove(at("pred/only_ref.nrrd"));
    make_case(at("ref"), at("pred"), "only_pred", 7, ".nrrd", ".nii.gz", "40,40,24");
    remove(at("ref/only_pred.nrrd"));
    CHECK(write_file(at("pred/notes.txt"), "x", 1) == 0);
    CHECK(write_file(at("ref/.hidden"), "x", 1) == 0); /* hidden files are not data */
    const char *argv[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("out"), NULL};
    run_result r = run(1, argv); /* unmatched files: something to look at */
    CHECK(strstr(r.err, "only_ref.nrrd': no prediction file for case 'only_ref'") != NULL);
    CHECK(strstr(r.err, "only_pred.nii.gz': no reference file for case 'only_pred'") != NULL);
    CHECK(strstr(r.err, "notes.txt': not a label map file") != NULL);
    CHECK(strstr(r.err, "5 of 5 cases compared") != NULL);
    run_result_free(&r);
    table t = read_table(at("out/cases.csv"));
    CHECK_UINT(t.nrows, 1 + 5 * 8); /* 5 lobes and 3 regions per case */
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "case%d", i + 1);
        CHECK_STR(cell(&t, 1 + 8 * (size_t)i, "case"), name);
        CHECK_STR(cell(&t, 1 + 8 * (size_t)i, "status"), "ok");
        const char *pred = cell(&t, 1 + 8 * (size_t)i, "prediction");
        CHECK(pred && strstr(pred, exts[i][1]) != NULL);
    }
    table_free(&t);
    t = read_table(at("out/unmatched.csv"));
    CHECK_UINT(t.nrows, 4);
    CHECK_STR(cell(&t, 1, "side"), "prediction");
    CHECK(strstr(cell(&t, 1, "path"), "notes.txt") != NULL);
    CHECK(strstr(cell(&t, 2, "path"), "only_pred.nii.gz") != NULL);
    CHECK_STR(cell(&t, 3, "side"), "reference");
    CHECK(strstr(cell(&t, 3, "path"), "only_ref.nrrd") != NULL);
    table_free(&t);
    json_t *summary = load_json(at("out/summary.json"));
    CHECK_INT(
        json_integer_value(json_object_get(json_object_get(summary, "cases"), "unmatched_files")),
        3);
    CHECK_UINT(json_array_size(json_object_get(summary, "unmatched")), 3);
    json_decref(summary);

    /* two files for one case: that case fails, naming both */
    make_case(at("ref"), at("pred"), "case1", 1, ".mha", ".nrrd", "40,40,24");
    r = run(1, argv);
    t = read_table(at("out/failures.csv"));
    CHECK_UINT(t.nrows, 2);
    CHECK_STR(cell(&t, 1, "case"), "case1");
    CHECK(strstr(cell(&t, 1, "message"), "several files for this case") != NULL);
    table_free(&t);
    run_result_free(&r);
}

static void pairing_by_manifest(void)
{
    begin("manifest");
    CHECK_FATAL(mkdir(at("data"), 0777) == 0);
    make_case(at("data"), at("data"), "r1", 1, ".nrrd", ".nii.gz", "40,40,24");
    make_case(at("data"), at("data"), "r2", 2, ".mha", ".nii", "40,40,24");
    /* relative paths are relative to the manifest; a quoted cell with a comma in the name */
    const char *manifest = "prediction,case,reference\n"
                           "r2.nii,\"second, quoted\",r2.mha\n"
                           "r1.nii.gz,first,r1.nrrd\n";
    CHECK(write_file(at("data/pairs.csv"), manifest, strlen(manifest)) == 0);
    const char *argv[] = {LOBEDICE_BATCH_EXE, "--manifest", at("data/pairs.csv"), "--out",
                          at("out"),          NULL};
    run_result r = run(0, argv);
    run_result_free(&r);
    table t = read_table(at("out/cases.csv"));
    CHECK_UINT(t.nrows, 1 + 2 * 8);
    CHECK_STR(cell(&t, 1, "case"), "first"); /* sorted by case name */
    CHECK_STR(cell(&t, 9, "case"), "second, quoted");
    CHECK(strstr(cell(&t, 9, "reference"), "data/r2.mha") != NULL);
    table_free(&t);

    /* errors: one sentence naming the file and what is wrong; no results */
    const char *bad[] = {"case,reference\nx,a.nrrd\n", "case,reference,prediction\nx,a,b\nx,c,d\n",
                         "case,reference,prediction\nx,a\n", "case,reference,prediction\n"};
    const char *says[] = {"has no column 'prediction'", "lists the case 'x' twice",
                          "line 2 has 2 cells, expected 3", "lists no case"};
    for (int i = 0; i < 4; i++) {
        CHECK(write_file(at("bad.csv"), bad[i], strlen(bad[i])) == 0);
        const char *argv2[] = {LOBEDICE_BATCH_EXE, "--manifest", at("bad.csv"), "--out",
                               at("out2"),         NULL};
        r = run(2, argv2);
        CHECK(strstr(r.err, "bad.csv") && strstr(r.err, says[i]));
        CHECK(!file_exists(at("out2")));
        run_result_free(&r);
    }
}

/* ---- a broken case, and the numbers LobeDice gives ------------------------------------------ */

static void broken_case_and_lobedice_numbers(void)
{
    begin("broken");
    CHECK_FATAL(mkdir(at("ref"), 0777) == 0 && mkdir(at("pred"), 0777) == 0);
    for (int i = 1; i <= 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        make_case(at("ref"), at("pred"), name, i, ".nrrd", ".nrrd", "48,40,30");
    }
    CHECK(write_file(at("pred/p3.nrrd"), "NRRD0004\ntype: ???\n\n", 21) == 0);
    const char *argv[] = {LOBEDICE_BATCH_EXE,
                          "--surfaceDistances",
                          "--tolerance",
                          "2",
                          at("ref"),
                          at("pred"),
                          "--out",
                          at("out"),
                          NULL};
    run_result r = run(1, argv);
    CHECK(strstr(r.err, "case p3 failed: cannot read the prediction") != NULL);
    CHECK(strstr(r.err, "3 of 4 cases compared, 1 failed") != NULL);
    run_result_free(&r);
    table f = read_table(at("out/failures.csv"));
    CHECK_UINT(f.nrows, 2);
    CHECK_STR(cell(&f, 1, "case"), "p3");
    CHECK(strstr(cell(&f, 1, "message"), "p3.nrrd") != NULL);
    table_free(&f);

    /* every value of a case is byte for byte LobeDice's for the same pair and flags */
    table t = read_table(at("out/cases.csv"));
    for (int i = 1; i <= 4; i++) {
        if (i == 3)
            continue;
        char ref[1100], pred[1100];
        snprintf(ref, sizeof ref, "%s/ref/p%d.nrrd", scratch, i);
        snprintf(pred, sizeof pred, "%s/pred/p%d.nrrd", scratch, i);
        const char *lobedice[] = {LOBEDICE_EXE,
                                  "--surfaceDistances",
                                  "--tolerance",
                                  "2",
                                  "--outputTable",
                                  at("table.csv"),
                                  ref,
                                  pred,
                                  NULL};
        run_result l = run(0, lobedice);
        run_result_free(&l);
        table ld = read_table(at("table.csv"));
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        size_t first = 0;
        for (size_t row = 1; row < t.nrows; row++)
            if (!first && strcmp(cell(&t, row, "case"), name) == 0)
                first = row;
        CHECK_FATAL(first > 0);
        for (size_t row = 1; row + 1 < ld.nrows; row++) { /* the last is LobeDice's mean row */
            CHECK_STR(cell(&t, first + row - 1, "name"), cell(&ld, row, "name"));
            for (size_t c = 4; c < ld.ncells[0]; c++) /* the measures */
                CHECK_STR(cell(&t, first + row - 1, ld.cells[0][c]), ld.cells[row][c]);
        }
        table_free(&ld);
    }
    size_t failed_rows = 0;
    for (size_t row = 1; row < t.nrows; row++)
        if (strcmp(cell(&t, row, "status"), "failed") == 0) {
            failed_rows++;
            CHECK_STR(cell(&t, row, "case"), "p3");
            CHECK_STR(cell(&t, row, "dice"), "");
        }
    CHECK_UINT(failed_rows, 1);
    table_free(&t);
}

/* ---- the statistics of a tiny made-up set --------------------------------------------------- */

/* A 10 x 1 map: label 1 on [0, 4); the prediction's on [s, s + 4), so Dice = (4 - s) / 4; label
 * 2 on voxel 9 of both when `with2`, else in neither (undefined Dice). */
static void strip_case(const char *name, int s, int with2)
{
    int16_t ref[10] = {0}, pred[10] = {0};
    for (int x = 0; x < 4; x++) {
        ref[x] = 1;
        pred[s + x] = 1;
    }
    if (with2)
        ref[9] = pred[9] = 2;
    const size_t size[3] = {10, 1, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    char path[1100];
    snprintf(path, sizeof path, "%s/ref/%s.nrrd", scratch, name);
    CHECK_FATAL(write_nrrd(path, "short", 2, size, spacing, origin, ref) == 0);
    snprintf(path, sizeof path, "%s/pred/%s.nrrd", scratch, name);
    CHECK_FATAL(write_nrrd(path, "short", 2, size, spacing, origin, pred) == 0);
}

static json_t *measure(json_t *summary, const char *row, const char *key)
{
    json_t *rows = json_object_get(summary, "rows");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        if (strcmp(json_string_value(json_object_get(r, "name")), row) == 0)
            return json_object_get(json_object_get(r, "measures"), key);
    }
    return NULL;
}

static double field(json_t *m, const char *key)
{
    json_t *v = json_object_get(m, key);
    return json_is_null(v) || !v ? NAN : json_number_value(v);
}

static void statistics_closed_form(void)
{
    begin("statistics");
    CHECK_FATAL(mkdir(at("ref"), 0777) == 0 && mkdir(at("pred"), 0777) == 0);
    strip_case("a", 0, 1); /* Dice 1 */
    strip_case("b", 1, 1); /* 0.75 */
    strip_case("c", 2, 0); /* 0.5 */
    strip_case("d", 3, 0); /* 0.25 */
    strip_case("e", 1, 0); /* 0.75 */
    const char *argv[] = {LOBEDICE_BATCH_EXE, "--labels", "1,2",     at("ref"),
                          at("pred"),         "--out",    at("out"), NULL};
    run_result r = run(0, argv);
    run_result_free(&r);
    json_t *s = load_json(at("out/summary.json"));
    json_t *dice = measure(s, "RUL", "dice"); /* label 1 is named RUL */
    CHECK_FATAL(dice != NULL);
    /* {1, 0.75, 0.5, 0.25, 0.75}: mean 3.25/5; squared deviations .1225 .01 .0225 .16 .01 */
    CHECK_NEAR(field(dice, "n"), 5, 0);
    CHECK_NEAR(field(dice, "undefined"), 0, 0);
    CHECK_NEAR(field(dice, "mean"), 3.25 / 5, 1e-15);
    CHECK_NEAR(field(dice, "sd"), sqrt(0.325 / 4), 1e-15);
    /* sorted .25 .5 .75 .75 1: ranks 1, 2, 3 (numpy's rule at p = .25, .5, .75 of n = 5) */
    CHECK_NEAR(field(dice, "median"), 0.75, 0);
    CHECK_NEAR(field(dice, "q1"), 0.5, 0);
    CHECK_NEAR(field(dice, "q3"), 0.75, 0);
    CHECK_NEAR(field(dice, "iqr"), 0.25, 0);
    CHECK_NEAR(field(dice, "min"), 0.25, 0);
    CHECK_NEAR(field(dice, "max"), 1, 0);
    CHECK(field(dice, "ci95_low") < 0.65 && 0.65 < field(dice, "ci95_high"));
    CHECK(field(dice, "ci95_low") >= 0.25 && field(dice, "ci95_high") <= 1);
    /* label 2: in both maps of a and b (Dice 1), in neither of c, d, e (undefined) */
    json_t *dice2 = measure(s, "RML", "dice");
    CHECK_NEAR(field(dice2, "n"), 2, 0);
    CHECK_NEAR(field(dice2, "undefined"), 3, 0);
    CHECK_NEAR(field(dice2, "mean"), 1, 0);
    CHECK_NEAR(field(dice2, "sd"), 0, 0);
    /* volumes of 4 voxels of 1 mm3 in both maps: no difference */
    json_t *diff = measure(s, "RUL", "volume_difference_ml");
    CHECK_NEAR(field(diff, "mean"), 0, 0);
    json_t *rows = json_object_get(s, "rows");
    json_t *agreement = json_object_get(json_array_get(rows, 0), "volume_agreement");
    CHECK_NEAR(field(agreement, "bias"), 0, 0);
    CHECK_NEAR(field(agreement, "loa_high"), 0, 0);
    json_t *boot = json_object_get(json_object_get(s, "statistics"), "bootstrap");
    CHECK_NEAR(field(boot, "resamples"), 10000, 0);
    json_decref(s);
    /* the CSV carries the same numbers */
    table t = read_table(at("out/summary.csv"));
    CHECK_STR(cell(&t, 1, "measure"), "dice");
    CHECK_NEAR(number(cell(&t, 1, "mean")), 0.65, 1e-15);
    CHECK_NEAR(number(cell(&t, 1, "q1")), 0.5, 0);
    table_free(&t);

    /* the interval is reproducible: the same run again gives the same bytes */
    const char *again[] = {LOBEDICE_BATCH_EXE, "--labels", "1,2",   "--threads", "1",
                           at("ref"),          at("pred"), "--out", at("out2"),  NULL};
    r = run(0, again);
    run_result_free(&r);
    CHECK(same_file(at("out/summary.json"), at("out2/summary.json")));
    CHECK(same_file(at("out/summary.csv"), at("out2/summary.csv")));
}

/* ---- resume, shards, replacing -------------------------------------------------------------- */

static void make_dataset(int n, const char *size)
{
    CHECK_FATAL(mkdir(at("ref"), 0777) == 0 && mkdir(at("pred"), 0777) == 0);
    for (int i = 1; i <= n; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%02d", i);
        make_case(at("ref"), at("pred"), name, i, ".nrrd", i % 3 ? ".nrrd" : ".nii.gz", size);
    }
}

/* The records in a folder (not the temporary files of a write in progress). */
static int count_records(const char *dir)
{
    char *names[64];
    int n = list_dir(dir, names, 64), records = 0;
    for (int i = 0; i < n && i < 64; i++) {
        size_t len = strlen(names[i]);
        records += names[i][0] != '.' && len > 5 && strcmp(names[i] + len - 5, ".json") == 0;
        free(names[i]);
    }
    return records;
}

static void resume_after_kill(void)
{
    begin("resume");
    make_dataset(8, "112,112,72");
    const char *argv[] = {
        LOBEDICE_BATCH_EXE, "--surfaceDistances", "--jobs", "1",       "--threads", "1",
        at("ref"),          at("pred"),           "--out",  at("out"), NULL};
    run_result r = run(0, argv); /* a complete run first */
    run_result_free(&r);
    char *first = read_file(at("out/summary.json"), NULL);
    CHECK_FATAL(first != NULL);
    char saved[1100];
    snprintf(saved, sizeof saved, "%s/first-cases.csv", scratch);
    char *cases = read_file(at("out/cases.csv"), NULL);
    CHECK_FATAL(cases && write_file(saved, cases, strlen(cases)) == 0);
    free(cases);

    /* the same again, killed once two cases are recorded */
    pid_t pid = fork();
    CHECK_FATAL(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    const struct timespec tick = {0, 5000000};
    for (int i = 0; i < 6000 && count_records(at("out/.lobedice-next/cases")) < 2; i++)
        nanosleep(&tick, NULL);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status)); /* killed, not finished */
    const int kept = count_records(at("out/.lobedice-next/cases"));
    CHECK(kept >= 2 && kept < 8);
    /* the results of the first run are still there, whole */
    char *still = read_file(at("out/summary.json"), NULL);
    CHECK(still && strcmp(still, first) == 0);
    free(still);

    /* what a killed worker leaves staged: a private folder with its half-written record */
    CHECK_FATAL(mkdir(at("out/.lobedice-next/cases/.lobedice-0badf00d"), 0777) == 0);
    CHECK_FATAL(write_file(at("out/.lobedice-next/cases/.lobedice-0badf00d/c07.json"), "{", 1) ==
                0);

    /* --resume keeps the cases recorded (those of the killed run, the rest from the first) */
    const char *resume[] = {LOBEDICE_BATCH_EXE, "--surfaceDistances",
                            "--resume",         at("ref"),
                            at("pred"),         "--out",
                            at("out"),          NULL};
    r = run(0, resume);
    CHECK(strstr(r.err, "8 cases, 8 kept from an earlier run") != NULL);
    run_result_free(&r);
    CHECK(same_file(at("out/cases.csv"), saved));
    char *now = read_file(at("out/summary.json"), NULL);
    CHECK(now && strcmp(now, first) == 0);
    free(now);
    CHECK(!file_exists(at("out/.lobedice-next")));
    char *names[64];
    const int n = list_dir(at("out/cases"), names, 64);
    for (int i = 0; i < n && i < 64; i++) {
        CHECK(strncmp(names[i], ".lobedice-", 10) != 0); /* nothing staged is kept */
        free(names[i]);
    }

    /* a changed input is not kept: its record no longer matches the file */
    make_case(at("ref"), at("pred"), "c04", 9, ".nrrd", ".nrrd", "112,112,72");
    r = run(0, resume);
    CHECK(strstr(r.err, "8 cases, 7 kept from an earlier run") != NULL);
    run_result_free(&r);
    /* other flags are other results: nothing kept */
    const char *other[] = {LOBEDICE_BATCH_EXE, "--resume", at("ref"), at("pred"), "--out",
                           at("out"),          NULL};
    r = run(0, other);
    CHECK(strstr(r.err, "kept") == NULL);
    run_result_free(&r);
    free(first);
}

/* The parent process of `pid` (from /proc/<pid>/stat), or 0. */
static pid_t parent_of(const char *pid)
{
    char path[300], stat[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "rb");
    const size_t len = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
    if (f)
        fclose(f);
    stat[len] = '\0';
    const char *after_name = strrchr(stat, ')'); /* "pid (comm) state ppid ..." */
    int ppid = 0;
    return after_name && sscanf(after_name + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : 0;
}

/* The worker process of case `name` started by `batch` (other tests run batches at the same
 * time, with the same case names), or 0. */
static pid_t find_worker(pid_t batch, const char *name)
{
    char want[64];
    const int want_len = snprintf(want, sizeof want, "--worker-case%c%s%c", 0, name, 0);
    char *entries[4096];
    const int n = list_dir("/proc", entries, 4096);
    pid_t found = 0;
    for (int i = 0; i < n && i < 4096; i++) {
        char path[300], cmdline[4096];
        snprintf(path, sizeof path, "/proc/%s/cmdline", entries[i]);
        FILE *f = entries[i][0] >= '1' && entries[i][0] <= '9' ? fopen(path, "rb") : NULL;
        const size_t len = f ? fread(cmdline, 1, sizeof cmdline, f) : 0;
        if (f)
            fclose(f);
        if (!found && len >= (size_t)want_len && memmem(cmdline, len, want, (size_t)want_len) &&
            parent_of(entries[i]) == batch)
            found = (pid_t)atoi(entries[i]);
        free(entries[i]);
    }
    return found;
}

/* A case whose process dies (the OOM killer's SIGKILL, a crash) fails alone, with a sentence
 * naming the signal; the cases before and after it are compared. */
static void killed_worker_fails_alone(void)
{
    begin("killed");
    make_dataset(3, "160,160,100");
    const char *argv[] = {
        LOBEDICE_BATCH_EXE, "--surfaceDistances", "--jobs", "1",       "--threads", "1",
        at("ref"),          at("pred"),           "--out",  at("out"), NULL};
    const char *err_path = at("stderr.txt");
    pid_t batch = fork();
    CHECK_FATAL(batch >= 0);
    if (batch == 0) {
        freopen(err_path, "w", stderr);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    const struct timespec tick = {0, 1000000};
    pid_t worker = 0;
    for (int i = 0; i < 60000 && !worker; i++) {
        worker = find_worker(batch, "c02");
        if (!worker)
            nanosleep(&tick, NULL);
    }
    CHECK_FATAL(worker > 0);
    CHECK_INT(kill(worker, SIGKILL), 0);
    int status;
    CHECK_FATAL(waitpid(batch, &status, 0) == batch);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1); /* a case failed; the run finished */
    char *err = read_file(err_path, NULL);
    CHECK(err && strstr(err, "case c02 failed: the comparison ended abnormally (signal 9") != NULL);
    CHECK(err && strstr(err, "2 of 3 cases compared, 1 failed") != NULL);
    free(err);

    table f = read_table(at("out/failures.csv"));
    CHECK_FATAL(f.nrows == 2);
    CHECK_STR(cell(&f, 1, "case"), "c02");
    CHECK(strstr(cell(&f, 1, "message"), "signal 9") != NULL);
    table_free(&f);
    table t = read_table(at("out/cases.csv"));
    CHECK_FATAL(t.nrows > 1 && table_column(&t, "case") >= 0 && table_column(&t, "status") >= 0 &&
                table_column(&t, "dice") >= 0);
    size_t ok_rows[4] = {0};
    for (size_t row = 1; row < t.nrows; row++) {
        const char *name = cell(&t, row, "case");
        const int k = name[0] == 'c' ? atoi(name + 1) : 0;
        const int failed = strcmp(cell(&t, row, "status"), "failed") == 0;
        CHECK(failed == (k == 2));
        if (k >= 1 && k <= 3 && !failed && strcmp(cell(&t, row, "dice"), "") != 0)
            ok_rows[k]++;
    }
    CHECK(ok_rows[1] > 0 && ok_rows[3] > 0 && ok_rows[2] == 0);
    table_free(&t);
}

static void shards_and_merge(void)
{
    begin("shards");
    make_dataset(7, "40,40,24");
    CHECK(write_file(at("pred/c05.nrrd"), "broken", 6) == 0);
    CHECK(write_file(at("pred/extra.nrrd"), "x", 1) == 0); /* unmatched */
    const char *one[] = {
        LOBEDICE_BATCH_EXE, "--surfaceDistances", at("ref"), at("pred"), "--out", at("one"), NULL};
    run_result r = run(1, one);
    run_result_free(&r);
    for (int k = 1; k <= 3; k++) {
        char shard[16], out[16];
        snprintf(shard, sizeof shard, "%d/3", k);
        snprintf(out, sizeof out, "s%d", k);
        const char *argv[] = {LOBEDICE_BATCH_EXE,
                              "--surfaceDistances",
                              "--shard",
                              shard,
                              at("ref"),
                              at("pred"),
                              "--out",
                              at("%s", out),
                              NULL};
        r = run(1, argv); /* every shard has the unmatched file */
        run_result_free(&r);
        CHECK_INT(count_records(at("%s/cases", out)), k == 1 ? 3 : 2); /* 1,4,7 / 2,5 / 3,6 */
    }
    const char *merge[] = {LOBEDICE_BATCH_EXE, "merge",  at("merged"), at("s3"),
                           at("s1"),           at("s2"), NULL};
    r = run(1, merge);
    CHECK(strstr(r.err, "6 of 7 cases compared, 1 failed") != NULL);
    run_result_free(&r);
    CHECK(same_file(at("merged/cases.csv"), at("one/cases.csv")));
    CHECK(same_file(at("merged/summary.json"), at("one/summary.json")));
    CHECK(same_file(at("merged/summary.csv"), at("one/summary.csv")));
    CHECK(same_file(at("merged/failures.csv"), at("one/failures.csv")));
    CHECK(same_file(at("merged/unmatched.csv"), at("one/unmatched.csv")));

    /* a shard missing, given twice, or a whole run instead of a shard */
    const char *missing[] = {LOBEDICE_BATCH_EXE, "merge", at("m2"), at("s1"), at("s2"), NULL};
    r = run(2, missing);
    CHECK(strstr(r.err, "the shards are 3, but 2 folders were given") != NULL);
    run_result_free(&r);
    const char *twice[] = {LOBEDICE_BATCH_EXE, "merge",  at("m2"), at("s1"),
                           at("s1"),           at("s2"), NULL};
    r = run(2, twice);
    CHECK(strstr(r.err, "are both shard 1") != NULL);
    run_result_free(&r);
    const char *whole[] = {LOBEDICE_BATCH_EXE, "merge", at("m2"), at("one"), NULL};
    r = run(2, whole);
    CHECK(strstr(r.err, "not of a shard") != NULL);
    run_result_free(&r);
    CHECK(!file_exists(at("m2")));
}

static void results_replaced_whole(void)
{
    begin("replace");
    make_dataset(4, "40,40,24");
    const char *argv[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("out"), NULL};
    run_result r = run(0, argv);
    run_result_free(&r);
    CHECK_INT(count_records(at("out/cases")), 4);
    remove(at("ref/c04.nrrd"));
    remove(at("pred/c04.nrrd"));
    r = run(0, argv);
    run_result_free(&r);
    CHECK_INT(count_records(at("out/cases")), 3); /* no record of the earlier c04 */
    table t = read_table(at("out/cases.csv"));
    CHECK_UINT(t.nrows, 1 + 3 * 8);
    table_free(&t);
    char *names[16];
    int n = list_dir(at("out"), names, 16);
    CHECK_INT(n, 8); /* 6 files, cases/, plots/: no temporary or backup left */
    for (int i = 0; i < n && i < 16; i++)
        free(names[i]);
    /* a folder that holds other files is never replaced */
    CHECK_FATAL(mkdir(at("mine"), 0777) == 0);
    CHECK(write_file(at("mine/thesis.tex"), "x", 1) == 0);
    const char *mine[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("mine"), NULL};
    r = run(2, mine);
    CHECK(strstr(r.err, "holds 'thesis.tex', which lobedice-batch did not write") != NULL);
    run_result_free(&r);
    CHECK_INT(list_dir(at("mine"), NULL, 0), 1);
}

/* ---- flags shared with LobeDice, progress ---------------------------------------------------- */

/* A case the core's convention check stops fails with LobeDice's sentence, naming its files
 * and the flag to add (the batch once printed '(null)' for the paths). */
static void convention_mismatch_names_files(void)
{
    begin("mismatch");
    CHECK_FATAL(mkdir(at("ref"), 0777) == 0 && mkdir(at("pred"), 0777) == 0);
    const size_t size[3] = {5, 2, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    const uint8_t lobes[10] = {1, 2, 3, 4, 5, 0, 0, 0, 0, 0};
    const uint8_t totalsegmentator[10] = {12, 13, 14, 10, 11, 0, 0, 0, 0, 0};
    CHECK_FATAL(write_nrrd(at("ref/m.nrrd"), "unsigned char", 3, size, spacing, origin, lobes) ==
                0);
    CHECK_FATAL(write_nrrd(at("pred/m.nrrd"), "unsigned char", 3, size, spacing, origin,
                           totalsegmentator) == 0);
    const char *argv[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("out"), NULL};
    run_result r = run(1, argv);
    run_result_free(&r);
    table f = read_table(at("out/failures.csv"));
    CHECK_FATAL(f.nrows == 2 && cell(&f, 1, "message"));
    const char *message = cell(&f, 1, "message");
    CHECK(strstr(message, "(null)") == NULL);
    CHECK(strstr(message, "pred/m.nrrd' holds the values 10, 11, 12, 13, 14") != NULL);
    CHECK(strstr(message, "--predictedLabels totalsegmentator") != NULL);
    table_free(&f);
}

static void shared_flags(void)
{
    begin("flags");
    make_dataset(2, "40,40,24");
    const char *names[] = {LOBEDICE_BATCH_EXE,
                           "--labels",
                           "1,2,3",
                           "--labelNames",
                           "a,b,c",
                           "--regions",
                           "Right=1+2+3",
                           "--emptyPolicy",
                           "zero",
                           at("ref"),
                           at("pred"),
                           "--out",
                           at("out"),
                           NULL};
    run_result r = run(0, names);
    run_result_free(&r);
    table t = read_table(at("out/cases.csv"));
    CHECK_UINT(t.nrows, 1 + 2 * 4);
    CHECK_STR(cell(&t, 1, "name"), "a");
    CHECK_STR(cell(&t, 4, "name"), "Right");
    CHECK_STR(cell(&t, 4, "labels"), "1+2+3");
    table_free(&t);
    /* the same sentences as LobeDice, from the same parser */
    const char *pairs[][3] = {
        {"--tolerance", "abc", ""}, {"--labelNames", "a,b", ""}, {"--emptyPolicy", "maybe", ""}};
    for (int i = 0; i < 3; i++) {
        const char *batch[] = {LOBEDICE_BATCH_EXE, pairs[i][0], pairs[i][1], at("ref"),
                               at("pred"),         "--out",     at("x"),     NULL};
        const char *ld[] = {LOBEDICE_EXE, pairs[i][0], pairs[i][1], "a.nrrd", "b.nrrd", NULL};
        run_result rb = run(2, batch), rl = run(2, ld);
        const char *sentence = strchr(rl.err, ' ');
        CHECK(sentence && strstr(rb.err, sentence) != NULL);
        run_result_free(&rb);
        run_result_free(&rl);
    }
    const char *help[] = {LOBEDICE_BATCH_EXE, "--help", NULL};
    r = run(0, help);
    const char *flags[] = {"--labels",
                           "--labelNames",
                           "--regions",
                           "--referenceLabels",
                           "--allowDisjointLabels",
                           "--surfaceDistances",
                           "--tolerance",
                           "--emptyPolicy",
                           "--jobs",
                           "--shard",
                           "--resume"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        CHECK(strstr(r.out, flags[i]) != NULL);
    CHECK(strstr(r.out, "--outputJson") == NULL); /* LobeDice's outputs are not the batch's */
    CHECK(strstr(r.out, "--ct") == NULL);         /* nor its pictures' inputs */
    run_result_free(&r);
    const char *usage[][8] = {
        {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), NULL},
        {LOBEDICE_BATCH_EXE, "--jobs", "0", at("ref"), at("pred"), "--out", at("x"), NULL},
        {LOBEDICE_BATCH_EXE, "--shard", "4/3", at("ref"), at("pred"), "--out", at("x"), NULL},
        {LOBEDICE_BATCH_EXE, at("nothere"), at("pred"), "--out", at("x"), NULL}};
    const char *says[] = {"--out RESULTS is required", "--jobs expects", "--shard expects K/N",
                          "cannot read the reference folder"};
    for (int i = 0; i < 4; i++) {
        r = run(2, usage[i]);
        CHECK(strstr(r.err, says[i]) != NULL);
        run_result_free(&r);
    }
}

static void progress_lines(void)
{
    begin("progress");
    make_dataset(3, "40,40,24");
    const char *argv[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("out"), NULL};
    run_result r = run(0, argv); /* standard error is a pipe here: plain lines */
    CHECK(strstr(r.err, "lobedice-batch: 1/3 done, 0 failed, ") != NULL);
    CHECK(strstr(r.err, "lobedice-batch: 3/3 done, 0 failed, ") != NULL);
    CHECK(strstr(r.err, "elapsed") && strstr(r.err, "left"));
    CHECK(strchr(r.err, '\r') == NULL);
    run_result_free(&r);
}

/* On a terminal: one bar redrawn in place ("\r"), ending on a newline. */
static void progress_bar_on_terminal(void)
{
    begin("terminal");
    make_dataset(3, "40,40,24");
    const char *argv[] = {LOBEDICE_BATCH_EXE, at("ref"), at("pred"), "--out", at("out"), NULL};
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    CHECK_FATAL(pid >= 0);
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    char text[65536];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(master, text + len, sizeof text - 1 - len);
        if (n <= 0) /* EIO once the program has ended */
            break;
        len += (size_t)n;
    }
    text[len] = '\0';
    int status;
    waitpid(pid, &status, 0);
    close(master);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(strstr(text, "\r\033[K[##########....................] 1/3 done, 0 failed, ") != NULL);
    CHECK(strstr(text, "\r\033[K[##############################] 3/3 done, 0 failed, ") != NULL);
    CHECK(strstr(text, "lobedice-batch: 1/3 done") == NULL); /* no plain lines */
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"pairing_by_name", pairing_by_name},
        {"pairing_by_manifest", pairing_by_manifest},
        {"broken_case_and_lobedice_numbers", broken_case_and_lobedice_numbers},
        {"statistics_closed_form", statistics_closed_form},
        {"resume_after_kill", resume_after_kill},
        {"killed_worker_fails_alone", killed_worker_fails_alone},
        {"shards_and_merge", shards_and_merge},
        {"results_replaced_whole", results_replaced_whole},
        {"convention_mismatch_names_files", convention_mismatch_names_files},
        {"shared_flags", shared_flags},
        {"progress_lines", progress_lines},
        {"progress_bar_on_terminal", progress_bar_on_terminal},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
