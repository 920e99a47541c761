/* lobedice-batch: compares every case of a data set the way LobeDice compares one (cli_case),
 * then writes per-case tables, the statistics papers report, and plots (docs/batch.md).
 *
 *   lobedice-batch [flags] REF_DIR PRED_DIR --out RESULTS
 *   lobedice-batch [flags] --manifest pairs.csv --out RESULTS
 *   lobedice-batch merge RESULTS SHARD_DIR...
 *
 * Parsing and orchestration only: the comparison flags are LobeDice's (plugin/LobeDice.xml,
 * parsed by cli_options.c). */
#define _GNU_SOURCE /* getopt_long */
#include "batch.h"

#include "cli_flags.h"
#include "cli_signals.h"
#include "cli_text.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_OUT = 256,
    OPT_MANIFEST,
    OPT_JOBS,
    OPT_THREADS,
    OPT_RESUME,
    OPT_SHARD,
    OPT_HELP,
    OPT_VERSION,
    OPT_WORKER, /* internal: one case in a process of its own (batch_run.c) */
    OPT_WORKER_REFERENCE,
    OPT_WORKER_PREDICTION,
    OPT_WORKER_RECORDS,
    OPT_FLAG = 1024 /* + the index of a comparison flag in cli_flags */
};

static const struct option batch_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"manifest", required_argument, NULL, OPT_MANIFEST},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {BATCH_WORKER_FLAG, required_argument, NULL, OPT_WORKER},
    {"worker-reference", required_argument, NULL, OPT_WORKER_REFERENCE},
    {"worker-prediction", required_argument, NULL, OPT_WORKER_PREDICTION},
    {"worker-records", required_argument, NULL, OPT_WORKER_RECORDS}};
#define NBATCH_OPTIONS (sizeof batch_options / sizeof *batch_options)

typedef struct batch_args {
    int merge, help, version, resume;
    const char *out, *manifest, *reference_dir, *prediction_dir;
    char **shards; /* merge: the shard folders */
    size_t nshards;
    size_t jobs, threads; /* 0: chosen */
    unsigned shard_k, shard_n;
    const char **given; /* per cli_flags index: the value given, NULL when not given */
    cli_options opts;
    /* the worker of one case (batch_run.c starts it): its name, files and records folder */
    const char *worker, *worker_reference, *worker_prediction, *worker_records;
} batch_args;

static int parse_count(const char *arg, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (end == arg || *end || errno || v < (long long)lo || v > (long long)hi)
        return -1;
    *out = (size_t)v;
    return 0;
}

static void print_help(void)
{
    printf("Usage: lobedice-batch [flags] REF_DIR PRED_DIR --out RESULTS\n"
           "       lobedice-batch [flags] --manifest pairs.csv --out RESULTS\n"
           "       lobedice-batch merge RESULTS SHARD_DIR...\n"
           "Compares every predicted label map with its reference, as LobeDice does, and writes\n"
           "cases.csv, summary.csv, summary.json, failures.csv, unmatched.csv and plots/ into\n"
           "RESULTS (docs/batch.md). Cases pair by file name without the extension (.nrrd,\n"
           ".seg.nrrd, .nii, .nii.gz, .mha, .mhd, .nhdr).\n\n"
           "  --out DIR          the results folder, replaced whole when the run ends\n"
           "  --manifest FILE    CSV with the columns case,reference,prediction\n"
           "  --jobs N           cases at once (default: the threads, at most the cases)\n"
           "  --threads N        threads in all, 0 = every core (default); each case gets\n"
           "                     threads / jobs\n"
           "  --resume           keep the cases already in RESULTS with the same inputs and flags\n"
           "  --shard K/N        only the K-th of N slices (cases K, K+N, ... in name order)\n\n"
           "Comparison flags, as LobeDice's (LobeDice --help):\n");
    for (size_t i = 0; i < cli_nflags; i++)
        if (cli_is_comparison_flag(&cli_flags[i]))
            printf("  --%s%s\n", cli_flags[i].longflag,
                   strcmp(cli_flags[i].tag, "boolean") == 0 ? "" : " VALUE");
    printf("\nExit status: 0 every case compared; 1 results written, but a case failed or a\n"
           "file had no partner; 2 usage error; 3 no results written.\n");
}

static int parse_args(batch_args *a, int argc, char **argv, char *msg, size_t size)
{
    memset(a, 0, sizeof *a);
    int rc = cli_comparison_init(&a->opts, msg, size);
    if (rc)
        return rc;
    a->given = calloc(cli_nflags + 1, sizeof *a->given);
    struct option *options = calloc(cli_nflags + NBATCH_OPTIONS + 1, sizeof *options);
    if (!a->given || !options) {
        free(options);
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                             "out of memory while reading the command line");
    }
    size_t n = cli_comparison_options(options, OPT_FLAG);
    memcpy(options + n, batch_options, sizeof batch_options);
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "merge") == 0) {
        a->merge = 1;
        first = 2;
    }
    optind = first;
    opterr = 0;
    int code;
    while (rc == 0 && (code = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (code) {
        case OPT_OUT: a->out = optarg; break;
        case OPT_MANIFEST: a->manifest = optarg; break;
        case OPT_RESUME: a->resume = 1; break;
        case OPT_HELP: a->help = 1; break;
        case OPT_VERSION: a->version = 1; break;
        case OPT_WORKER: a->worker = optarg; break;
        case OPT_WORKER_REFERENCE: a->worker_reference = optarg; break;
        case OPT_WORKER_PREDICTION: a->worker_prediction = optarg; break;
        case OPT_WORKER_RECORDS: a->worker_records = optarg; break;
        case OPT_JOBS:
            if (parse_count(optarg, 1, 4096, &a->jobs) != 0)
                rc =
                    cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                                  "--jobs expects a whole number from 1 to 4096, got '%s'", optarg);
            break;
        case OPT_THREADS:
            if (parse_count(optarg, 0, 4096, &a->threads) != 0)
                rc = cli_text_fail(
                    BATCH_EXIT_USAGE, msg, size,
                    "--threads expects a whole number from 0 (every core) to 4096, got "
                    "'%s'",
                    optarg);
            break;
        case OPT_SHARD: {
            unsigned k = 0, nn = 0;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &k, &nn, &tail) != 2 || nn < 1 || k < 1 || k > nn)
                rc = cli_text_fail(
                    BATCH_EXIT_USAGE, msg, size,
                    "--shard expects K/N with 1 <= K <= N (the K-th of N slices), got "
                    "'%s'",
                    optarg);
            a->shard_k = k;
            a->shard_n = nn;
            break;
        }
        case '?':
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "unknown option '%s'; see lobedice-batch --help", argv[optind - 1]);
            break;
        case ':':
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "option '%s' needs a value",
                               argv[optind - 1]);
            break;
        default: {
            size_t index = (size_t)(code - OPT_FLAG);
            rc = cli_parse_flag(&a->opts, index, optarg ? optarg : "", msg, size);
            a->given[index] = optarg ? optarg : "true";
        }
        }
    }
    free(options);
    if (rc || a->help || a->version)
        return rc;
    rc = cli_check_comparison(&a->opts, msg, size);
    if (rc || a->worker)
        return rc;
    int positional = argc - optind;
    if (a->merge) {
        if (positional < 2)
            return cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                                 "merge expects the results folder and at least one shard folder: "
                                 "lobedice-batch merge RESULTS SHARD_DIR...");
        a->out = argv[optind];
        a->shards = argv + optind + 1;
        a->nshards = (size_t)positional - 1;
        return 0;
    }
    if (!a->out)
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                             "--out RESULTS is required: the folder the results go to");
    if (a->manifest && positional != 0)
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                             "--manifest replaces REF_DIR PRED_DIR; got %d folder%s as well",
                             positional, positional == 1 ? "" : "s");
    if (!a->manifest && positional != 2)
        return cli_text_fail(
            BATCH_EXIT_USAGE, msg, size,
            "expected two folders (references, then predictions) or --manifest, got %d "
            "argument%s; see lobedice-batch --help",
            positional, positional == 1 ? "" : "s");
    if (!a->manifest) {
        a->reference_dir = argv[optind];
        a->prediction_dir = argv[optind + 1];
    }
    return 0;
}

/* The comparison flags given, in XML order, as the run description keeps them. */
static int given_flags(batch_info *info, const batch_args *a)
{
    info->flags = calloc(cli_nflags + 1, sizeof *info->flags);
    info->values = calloc(cli_nflags + 1, sizeof *info->values);
    if (!info->flags || !info->values)
        return -1;
    for (size_t i = 0; i < cli_nflags; i++) {
        if (!a->given[i])
            continue;
        size_t len = strlen(cli_flags[i].longflag) + 3;
        char *flag = malloc(len), *value = strdup(a->given[i]);
        info->flags[info->nflags] = flag; /* owned by info from here, freed with it */
        info->values[info->nflags++] = value;
        if (!flag || !value)
            return -1;
        snprintf(flag, len, "--%s", cli_flags[i].longflag);
    }
    info->options_text = batch_options_text(info->flags, info->values, info->nflags);
    return info->options_text ? 0 : -1;
}

static void report_unmatched(const batch_dataset *d)
{
    for (size_t i = 0; i < d->nunmatched; i++)
        fprintf(stderr, "lobedice-batch: unmatched %s file '%s': %s.\n", d->unmatched[i].side,
                d->unmatched[i].path, d->unmatched[i].reason);
}

/* A valid record of case c with this fingerprint, in the work folder or, from the last
 * complete run, in <out>/cases (copied into the work folder). 1 when found. */
static int reuse_record(const batch_folder *f, const batch_case *c, const char *options_text)
{
    char *fingerprint = batch_fingerprint(options_text, c);
    int found = 0;
    for (int where = 0; fingerprint && where < 2 && !found; where++) {
        char *path = batch_record_path(where == 0 ? f->cases : f->old_cases, c->name);
        batch_record r;
        char msg[BATCH_MSG_SIZE];
        if (path && batch_record_load(&r, path, msg, sizeof msg) == 0) {
            found = !r.failed && strcmp(r.name, c->name) == 0 &&
                    strcmp(r.fingerprint, fingerprint) == 0;
            if (found && where == 1) {
                char *text = batch_record_json(&r), *to = batch_record_path(f->cases, c->name);
                found =
                    text && to && batch_write_file(to, text, strlen(text), msg, sizeof msg) == 0;
                free(text);
                free(to);
            }
            batch_record_free(&r);
        }
        free(path);
    }
    free(fingerprint);
    return found;
}

/* Loads the records of the cases `which` from `dir`, in case order. */
static batch_record *load_records(const batch_info *info, const size_t *which, size_t n,
                                  char *const *dirs, char *msg, size_t size)
{
    batch_record *records = calloc(n ? n : 1, sizeof *records);
    if (!records) {
        snprintf(msg, size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const batch_case *c = &info->data.cases[which[i]];
        char *path = batch_record_path(dirs[i], c->name);
        int rc = path ? batch_record_load(&records[i], path, msg, size) : -1;
        if (rc == 0 && strcmp(records[i].name, c->name) != 0)
            rc = -1, snprintf(msg, size, "the record '%s' is not case '%s'", path, c->name);
        free(path);
        if (rc != 0) {
            for (size_t k = 0; k < i; k++)
                batch_record_free(&records[k]);
            free(records);
            return NULL;
        }
    }
    return records;
}

static size_t cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* Writes the results of `records` into the work folder, puts it in place and says how it went.
 */
static int finish(batch_folder *f, const batch_info *info, const batch_record *records, size_t n,
                  size_t threads, char *msg, size_t size)
{
    char *table = NULL;
    if (batch_write_results(f->work, info, records, n, threads, &table, msg, size) != 0 ||
        batch_folder_finish(f, msg, size) != 0) {
        free(table);
        return BATCH_EXIT_FATAL;
    }
    fputs(table, stdout);
    fflush(stdout);
    free(table);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += records[i].failed;
    fprintf(stderr, "lobedice-batch: %zu of %zu case%s compared", n - failed, n, n == 1 ? "" : "s");
    if (failed)
        fprintf(stderr, ", %zu failed (%s/failures.csv)", failed, f->out);
    if (info->data.nunmatched)
        fprintf(stderr, ", %zu file%s without a partner (%s/unmatched.csv)", info->data.nunmatched,
                info->data.nunmatched == 1 ? "" : "s", f->out);
    fprintf(stderr, "; results in %s/.\n", f->out);
    return failed || info->data.nunmatched ? BATCH_EXIT_PARTIAL : 0;
}

/* The comparison flags given, as words of a command line: "--flag=value", or "--flag" for a
 * switch (what a worker is started with). */
static char **flag_words(const batch_info *info)
{
    char **words = calloc(info->nflags + 1, sizeof *words);
    for (size_t i = 0; words && i < info->nflags; i++) {
        int is_switch = 0;
        for (size_t f = 0; f < cli_nflags; f++)
            if (cli_flags[f].longflag && strcmp(info->flags[i] + 2, cli_flags[f].longflag) == 0)
                is_switch = strcmp(cli_flags[f].tag, "boolean") == 0;
        size_t len = strlen(info->flags[i]) + strlen(info->values[i]) + 2;
        if (!(words[i] = malloc(len)))
            return words; /* the caller sees the hole */
        snprintf(words[i], len, is_switch ? "%s" : "%s=%s", info->flags[i], info->values[i]);
    }
    return words;
}

static void free_words(char **words, size_t n)
{
    for (size_t i = 0; words && i < n; i++)
        free(words[i]);
    free(words);
}

/* One case, in the process batch_run.c started for it: compare and write the record. */
static int worker(batch_args *a, char *msg, size_t size)
{
    batch_info info;
    memset(&info, 0, sizeof info);
    if (!a->worker_reference || !a->worker_prediction || !a->worker_records ||
        given_flags(&info, a) != 0) {
        batch_info_free(&info);
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "an incomplete worker command line");
    }
    batch_case c = {(char *)a->worker, (char *)a->worker_reference, (char *)a->worker_prediction,
                    NULL};
    batch_folder f;
    memset(&f, 0, sizeof f);
    f.cases = (char *)a->worker_records;
    int rc = batch_run_one(&info, &a->opts, &f, &c, a->threads ? a->threads : 1, msg, size);
    batch_info_free(&info);
    return rc ? BATCH_EXIT_FATAL : 0;
}

static int run(batch_args *a, char *msg, size_t size)
{
    batch_info info;
    memset(&info, 0, sizeof info);
    int rc = a->manifest
                 ? batch_read_manifest(&info.data, a->manifest, msg, size)
                 : batch_pair_folders(&info.data, a->reference_dir, a->prediction_dir, msg, size);
    if (rc)
        return rc;
    info.shard_k = a->shard_k;
    info.shard_n = a->shard_n;
    if (given_flags(&info, a) != 0) {
        batch_info_free(&info);
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
    }
    report_unmatched(&info.data);
    batch_folder f;
    rc = batch_folder_open(&f, a->out, a->resume, msg, size);
    size_t *slice = calloc(info.data.ncases + 1, sizeof *slice);
    size_t *todo = calloc(info.data.ncases + 1, sizeof *todo);
    char **dirs = calloc(info.data.ncases + 1, sizeof *dirs);
    if (rc == 0 && (!slice || !todo || !dirs))
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
    size_t nslice = 0, ntodo = 0;
    for (size_t i = 0; rc == 0 && i < info.data.ncases; i++) {
        if (!batch_in_shard(i, a->shard_k, a->shard_n))
            continue;
        dirs[nslice] = f.cases;
        slice[nslice++] = i;
        if (!a->resume || !reuse_record(&f, &info.data.cases[i], info.options_text))
            todo[ntodo++] = i;
    }
    batch_plan plan = {0, 1, NULL, 0};
    const size_t budget = a->threads ? a->threads : cores();
    plan.jobs = a->jobs ? a->jobs : budget;
    if (plan.jobs > ntodo && ntodo > 0 && !a->jobs)
        plan.jobs = ntodo;
    plan.threads = budget / plan.jobs ? budget / plan.jobs : 1;
    if (rc == 0) {
        fprintf(stderr, "lobedice-batch: %zu case%s", nslice, nslice == 1 ? "" : "s");
        if (a->shard_n)
            fprintf(stderr, " (shard %u of %u, of %zu in all)", a->shard_k, a->shard_n,
                    info.data.ncases);
        if (nslice > ntodo)
            fprintf(stderr, ", %zu kept from an earlier run", nslice - ntodo);
        fprintf(stderr, "; %zu at a time, %zu thread%s each.\n", plan.jobs, plan.threads,
                plan.threads == 1 ? "" : "s");
        plan.flag_words = flag_words(&info);
        plan.nflag_words = info.nflags;
        for (size_t i = 0; plan.flag_words && i < info.nflags; i++)
            if (!plan.flag_words[i])
                rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
        if (!plan.flag_words)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
        if (rc == 0 && batch_run_cases(&info, todo, ntodo, &f, &plan, msg, size) != 0)
            rc = BATCH_EXIT_FATAL;
        free_words(plan.flag_words, plan.nflag_words);
    }
    batch_record *records = NULL;
    if (rc == 0 && !(records = load_records(&info, slice, nslice, dirs, msg, size)))
        rc = BATCH_EXIT_FATAL;
    if (rc == 0)
        rc = finish(&f, &info, records, nslice, budget, msg, size);
    for (size_t i = 0; records && i < nslice; i++)
        batch_record_free(&records[i]);
    free(records);
    free(slice);
    free(todo);
    free(dirs);
    batch_folder_close(&f);
    batch_info_free(&info);
    return rc;
}

static int same_cases(const batch_dataset *a, const batch_dataset *b)
{
    if (a->ncases != b->ncases || a->nunmatched != b->nunmatched)
        return 0;
    for (size_t i = 0; i < a->ncases; i++) {
        const batch_case *x = &a->cases[i], *y = &b->cases[i];
        if (strcmp(x->name, y->name) || strcmp(x->reference, y->reference) ||
            strcmp(x->prediction, y->prediction) || !x->problem != !y->problem ||
            (x->problem && strcmp(x->problem, y->problem)))
            return 0;
    }
    for (size_t i = 0; i < a->nunmatched; i++)
        if (strcmp(a->unmatched[i].side, b->unmatched[i].side) ||
            strcmp(a->unmatched[i].path, b->unmatched[i].path))
            return 0;
    return 1;
}

static int merge(batch_args *a, char *msg, size_t size)
{
    batch_info *shards = calloc(a->nshards, sizeof *shards);
    if (!shards)
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
    int rc = 0;
    size_t loaded = 0;
    for (; rc == 0 && loaded < a->nshards; loaded++)
        if (batch_info_load(&shards[loaded], a->shards[loaded], msg, size) != 0)
            rc = BATCH_EXIT_USAGE;
    if (rc)
        loaded--;
    const unsigned n = rc == 0 ? shards[0].shard_n : 0;
    for (size_t i = 0; rc == 0 && i < a->nshards; i++) {
        const batch_info *s = &shards[i];
        if (s->shard_n == 0)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "'%s' holds the results of a whole run, not of a shard",
                               a->shards[i]);
        else if (s->shard_n != n)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "'%s' is shard %u of %u, but '%s' is of %u", a->shards[i],
                               s->shard_k, s->shard_n, a->shards[0], n);
        else if (strcmp(s->options_text, shards[0].options_text) != 0)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "'%s' ran with other comparison flags than '%s'", a->shards[i],
                               a->shards[0]);
        else if (!same_cases(&s->data, &shards[0].data))
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "'%s' ran on other cases than '%s'",
                               a->shards[i], a->shards[0]);
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (shards[j].shard_k == s->shard_k)
                rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "'%s' and '%s' are both shard %u",
                                   a->shards[j], a->shards[i], s->shard_k);
    }
    if (rc == 0 && a->nshards != n)
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                           "the shards are %u, but %zu folder%s given: give every shard once", n,
                           a->nshards, a->nshards == 1 ? " was" : "s were");
    const batch_info *first = rc == 0 ? &shards[0] : NULL;
    size_t ncases = first ? first->data.ncases : 0;
    size_t *all = calloc(ncases + 1, sizeof *all);
    char **dirs = calloc(ncases + 1, sizeof *dirs);
    if (rc == 0 && (!all || !dirs))
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
    for (size_t i = 0; rc == 0 && i < ncases; i++) {
        all[i] = i;
        for (size_t s = 0; s < a->nshards; s++)
            if (batch_in_shard(i, shards[s].shard_k, n)) {
                dirs[i] = batch_path_join(a->shards[s], "cases", "");
            }
        if (!dirs[i])
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory");
    }
    batch_record *records = NULL;
    if (rc == 0 && !(records = load_records(first, all, ncases, dirs, msg, size)))
        rc = BATCH_EXIT_USAGE;
    batch_folder f;
    memset(&f, 0, sizeof f);
    f.lock_fd = -1;
    if (rc == 0)
        rc = batch_folder_open(&f, a->out, 0, msg, size);
    for (size_t i = 0; rc == 0 && i < ncases; i++) {
        char *text = batch_record_json(&records[i]);
        char *path = batch_record_path(f.cases, records[i].name);
        if (!text || !path || batch_write_file(path, text, strlen(text), msg, size) != 0)
            rc = BATCH_EXIT_FATAL;
        free(text);
        free(path);
    }
    if (rc == 0) {
        batch_info merged = *first;
        merged.shard_k = merged.shard_n = 0;
        report_unmatched(&merged.data);
        rc = finish(&f, &merged, records, ncases, a->threads ? a->threads : cores(), msg, size);
    }
    batch_folder_close(&f);
    for (size_t i = 0; records && i < ncases; i++)
        batch_record_free(&records[i]);
    free(records);
    for (size_t i = 0; dirs && i < ncases; i++)
        free(dirs[i]);
    free(dirs);
    free(all);
    for (size_t i = 0; i < loaded; i++)
        batch_info_free(&shards[i]);
    free(shards);
    return rc;
}

int main(int argc, char **argv)
{
    /* Before any thread: a signal removes the files being staged (the records already written
     * stay for --resume). */
    cli_signals_start();
    batch_args a;
    char msg[BATCH_MSG_SIZE] = "";
    int rc = parse_args(&a, argc, argv, msg, sizeof msg);
    if (rc == 0 && a.help)
        print_help();
    else if (rc == 0 && a.version)
        printf("lobedice-batch %s\n", lobedice_version());
    else if (rc == 0 && a.worker)
        rc = worker(&a, msg, sizeof msg);
    else if (rc == 0)
        rc = a.merge ? merge(&a, msg, sizeof msg) : run(&a, msg, sizeof msg);
    if (rc != 0 && msg[0])
        cli_text_print_sentence(stderr, "lobedice-batch", msg);
    cli_options_free(&a.opts);
    free(a.given);
    return rc;
}
