/* What lobedice-batch writes from the per-case records: cases.csv, summary.csv, summary.json,
 * failures.csv, unmatched.csv, run.json and the plots. The statistics are the core's
 * (lobedice_stats_describe, lobedice_bland_altman); this file groups the values and formats. */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include "cli_flags.h"
#include "cli_output.h"
#include "cli_report.h"
#include "cli_text.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- run description ----------------------------------------------------------------------- */

char *batch_options_text(char *const *flags, char *const *values, size_t nflags)
{
    size_t len = 1;
    for (size_t i = 0; i < nflags; i++)
        len += strlen(flags[i]) + strlen(values[i]) + 2;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < nflags; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s=%s\n", flags[i], values[i]);
    return out;
}

int batch_info_options(cli_options *opts, const batch_info *info, char *msg, size_t size)
{
    int rc = cli_comparison_init(opts, msg, size);
    for (size_t i = 0; rc == 0 && i < info->nflags; i++) {
        size_t index = cli_nflags;
        for (size_t f = 0; f < cli_nflags; f++)
            if (cli_flags[f].longflag && cli_is_comparison_flag(&cli_flags[f]) &&
                strcmp(info->flags[i] + 2, cli_flags[f].longflag) == 0)
                index = f;
        if (index == cli_nflags)
            rc = cli_text_fail(-1, msg, size,
                               "the option '%s' of the results is unknown to this version",
                               info->flags[i]);
        else
            rc = cli_parse_flag(opts, index, info->values[i], msg, size);
    }
    if (rc == 0)
        rc = cli_check_comparison(opts, msg, size);
    return rc ? -1 : 0;
}

void batch_info_free(batch_info *info)
{
    batch_dataset_free(&info->data);
    for (size_t i = 0; i < info->nflags; i++) {
        free(info->flags[i]);
        free(info->values[i]);
    }
    free(info->flags);
    free(info->values);
    free(info->options_text);
    memset(info, 0, sizeof *info);
}

static json_t *options_json(const batch_info *info)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < info->nflags; i++)
        if (!cli_json_set(o, info->flags[i], json_string(info->values[i]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

static json_t *unmatched_json(const batch_dataset *d)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < d->nunmatched; i++) {
        json_t *u = json_pack("{s:s, s:s, s:s}", "side", d->unmatched[i].side, "path",
                              d->unmatched[i].path, "reason", d->unmatched[i].reason);
        if (!u || json_array_append_new(a, u) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static char *dump(json_t *o)
{
    char *text = cli_json_text(o, 2);
    json_decref(o);
    return text;
}

static char *run_json(const batch_info *info)
{
    json_t *o = json_object(), *cases = json_array();
    int ok = o && cases && cli_json_set(o, "tool", json_string("lobedice-batch")) &&
             cli_json_set(o, "version", json_string(lobedice_version())) &&
             cli_json_set(o, "options", options_json(info)) &&
             cli_json_set(o, "shard",
                          info->shard_n ? json_pack("{s:I, s:I}", "k", (json_int_t)info->shard_k,
                                                    "n", (json_int_t)info->shard_n)
                                        : json_null()) &&
             cli_json_set(o, "cases", json_incref(cases)) &&
             cli_json_set(o, "unmatched", unmatched_json(&info->data));
    for (size_t i = 0; ok && i < info->data.ncases; i++) {
        const batch_case *c = &info->data.cases[i];
        char *ref = cli_text_escape(c->reference), *pred = cli_text_escape(c->prediction);
        json_t *j = ref && pred ? json_pack("{s:s, s:s, s:s}", "case", c->name, "reference", ref,
                                            "prediction", pred)
                                : NULL;
        ok = j && (!c->problem || cli_json_set(j, "problem", json_string(c->problem))) &&
             json_array_append_new(cases, j) == 0;
        free(ref);
        free(pred);
    }
    json_decref(cases);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return dump(o);
}

static char *dup_key(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? strdup(s) : NULL;
}

int batch_info_load(batch_info *info, const char *dir, char *msg, size_t size)
{
    memset(info, 0, sizeof *info);
    char *path = batch_path_join(dir, "run.json", "");
    if (!path)
        return cli_text_fail(-1, msg, size, "out of memory");
    json_error_t error;
    json_t *o = json_load_file(path, 0, &error);
    if (!o) {
        cli_text_fail(-1, msg, size, "'%s' holds no lobedice-batch results: cannot read '%s': %s",
                      dir, path, error.text);
        free(path);
        return -1;
    }
    const char *tool = json_string_value(json_object_get(o, "tool"));
    const char *version = json_string_value(json_object_get(o, "version"));
    json_t *options = json_object_get(o, "options"), *shard = json_object_get(o, "shard");
    json_t *cases = json_object_get(o, "cases"), *unmatched = json_object_get(o, "unmatched");
    int ok = tool && strcmp(tool, "lobedice-batch") == 0 && version && json_is_object(options) &&
             json_is_array(cases) && json_is_array(unmatched);
    int rc = 0;
    if (!ok)
        rc = cli_text_fail(-1, msg, size, "'%s' is not a lobedice-batch run description", path);
    else if (strcmp(version, lobedice_version()) != 0)
        rc = cli_text_fail(-1, msg, size, "'%s' was written by lobedice-batch %s, this is %s", path,
                           version, lobedice_version());
    if (rc == 0 && json_is_object(shard)) {
        info->shard_k = (unsigned)json_integer_value(json_object_get(shard, "k"));
        info->shard_n = (unsigned)json_integer_value(json_object_get(shard, "n"));
    }
    size_t nopt = json_object_size(options);
    info->flags = calloc(nopt + 1, sizeof *info->flags);
    info->values = calloc(nopt + 1, sizeof *info->values);
    if (rc == 0 && (!info->flags || !info->values))
        rc = cli_text_fail(-1, msg, size, "out of memory");
    const char *key;
    json_t *value;
    json_object_foreach(options, key, value)
    {
        if (rc || !json_is_string(value))
            break;
        info->flags[info->nflags] = strdup(key);
        info->values[info->nflags] = strdup(json_string_value(value));
        if (!info->flags[info->nflags++] || !info->values[info->nflags - 1])
            rc = cli_text_fail(-1, msg, size, "out of memory");
    }
    batch_dataset *d = &info->data;
    size_t nc = json_array_size(cases), nu = json_array_size(unmatched);
    d->cases = calloc(nc + 1, sizeof *d->cases);
    d->unmatched = calloc(nu + 1, sizeof *d->unmatched);
    if (rc == 0 && (!d->cases || !d->unmatched))
        rc = cli_text_fail(-1, msg, size, "out of memory");
    for (size_t i = 0; rc == 0 && i < nc; i++) {
        const json_t *c = json_array_get(cases, i);
        batch_case *bc = &d->cases[d->ncases++];
        bc->name = dup_key(c, "case");
        bc->reference = dup_key(c, "reference");
        bc->prediction = dup_key(c, "prediction");
        bc->problem = dup_key(c, "problem");
        if (!bc->name || !bc->reference || !bc->prediction)
            rc = cli_text_fail(-1, msg, size, "'%s': case %zu is incomplete", path, i + 1);
    }
    for (size_t i = 0; rc == 0 && i < nu; i++) {
        const json_t *u = json_array_get(unmatched, i);
        batch_unmatched *bu = &d->unmatched[d->nunmatched++];
        bu->side = dup_key(u, "side");
        bu->path = dup_key(u, "path");
        bu->reason = dup_key(u, "reason");
        if (!bu->side || !bu->path || !bu->reason)
            rc =
                cli_text_fail(-1, msg, size, "'%s': unmatched file %zu is incomplete", path, i + 1);
    }
    if (rc == 0) {
        info->options_text = batch_options_text(info->flags, info->values, info->nflags);
        if (!info->options_text)
            rc = cli_text_fail(-1, msg, size, "out of memory");
    }
    json_decref(o);
    free(path);
    if (rc)
        batch_info_free(info);
    return rc;
}

/* ---- grouping the rows of the cases -------------------------------------------------------- */

typedef struct group {
    const batch_row *first;                 /* name, kind and labels */
    double *values[LOBEDICE_MEASURE_COUNT]; /* one per case holding the row, in case order */
    size_t n;
} group;

static int same_row(const batch_row *a, const batch_row *b)
{
    return a->region == b->region && strcmp(a->name, b->name) == 0 && a->nlabels == b->nlabels &&
           memcmp(a->labels, b->labels, a->nlabels * sizeof(int64_t)) == 0;
}

/* Labels first, by label value then name; regions in the order they first appear. */
static int group_order(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->first->region != b->first->region)
        return a->first->region - b->first->region;
    if (!a->first->region) {
        if (a->first->labels[0] != b->first->labels[0])
            return a->first->labels[0] < b->first->labels[0] ? -1 : 1;
        return strcmp(a->first->name, b->first->name);
    }
    return 0;
}

static void groups_free(group *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++)
        for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
            free(g[i].values[m]);
    free(g);
}

static group *make_groups(size_t *count, const batch_record *records, size_t nrecords)
{
    group *g = NULL;
    size_t n = 0;
    for (size_t r = 0; r < nrecords; r++)
        for (size_t i = 0; i < records[r].nrows; i++) {
            const batch_row *row = &records[r].rows[i];
            size_t k = 0;
            while (k < n && !same_row(g[k].first, row))
                k++;
            if (k == n) {
                group *grown = realloc(g, (n + 1) * sizeof *grown);
                if (!grown) {
                    groups_free(g, n);
                    return NULL;
                }
                g = grown;
                memset(&g[n], 0, sizeof g[n]);
                g[n].first = row;
                for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
                    if (!(g[n].values[m] = malloc((nrecords ? nrecords : 1) * sizeof(double)))) {
                        groups_free(g, n + 1);
                        return NULL;
                    }
                n++;
            }
            for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
                g[k].values[m][g[k].n] = row->values[m];
            g[k].n++;
        }
    /* qsort is not stable: regions keep their order through their index */
    if (n > 1) {
        size_t regions = 0;
        for (size_t i = 0; i < n; i++)
            regions += g[i].first->region;
        group *sorted = malloc(n * sizeof *sorted);
        if (!sorted) {
            groups_free(g, n);
            return NULL;
        }
        size_t nl = 0, nr = n - regions;
        for (size_t i = 0; i < n; i++) {
            if (g[i].first->region)
                sorted[nr++] = g[i];
            else
                sorted[nl++] = g[i];
        }
        qsort(sorted, n - regions, sizeof *sorted, group_order);
        free(g);
        g = sorted;
    }
    *count = n;
    return g ? g : calloc(1, sizeof *g); /* no rows (every case failed): an empty list */
}

/* ---- text helpers -------------------------------------------------------------------------- */

typedef struct out_text {
    char *data;
    size_t len;
    FILE *f;
} out_text;

static int text_open(out_text *t)
{
    memset(t, 0, sizeof *t);
    t->f = open_memstream(&t->data, &t->len);
    return t->f ? 0 : -1;
}

static char *text_close(out_text *t)
{
    if (!t->f)
        return NULL;
    int bad = ferror(t->f);
    if (fclose(t->f) != 0 || bad) {
        free(t->data);
        return NULL;
    }
    return t->data;
}

/* A string cell, quoted as the LobeDice tables quote; first: no comma before it. */
static void cell(out_text *t, const char *s, int first)
{
    char *q = cli_csv_cell(s, ',');
    fprintf(t->f, "%s%s", first ? "" : ",", q ? q : "");
    if (!q)
        fputc('\0', t->f); /* out of memory: poisons the text (checked by the caller) */
    free(q);
}

static void measure_cell(out_text *t, lobedice_measure m, double v)
{
    char buf[40];
    cli_format_measure(buf, sizeof buf, m, v);
    fprintf(t->f, ",%s", buf);
}

static void number_cell(out_text *t, double v)
{
    char buf[40];
    cli_format_double(buf, sizeof buf, v);
    fprintf(t->f, ",%s", buf);
}

static void labels_cell(out_text *t, const int64_t *labels, size_t n)
{
    char *text = cli_labels_text(labels, n);
    fprintf(t->f, ",%s", text ? text : "");
    if (!text)
        fputc('\0', t->f); /* out of memory: poisons the text (checked by the caller) */
    free(text);
}

static char *cases_csv(const batch_record *records, size_t n, int surface)
{
    out_text t;
    if (text_open(&t) != 0)
        return NULL;
    fputs("case,reference,prediction,status,message,alignment,name,kind,labels,presence", t.f);
    CLI_FOR_EACH_MEASURE(m)
    {
        if (cli_measure_reported(m, surface))
            fprintf(t.f, ",%s", lobedice_measure_get_info(m)->key);
    }
    fputc('\n', t.f);
    for (size_t r = 0; r < n; r++) {
        const batch_record *rec = &records[r];
        for (size_t i = 0; i < (rec->nrows ? rec->nrows : 1); i++) {
            cell(&t, rec->name, 1);
            cell(&t, rec->reference, 0);
            cell(&t, rec->prediction, 0);
            cell(&t, rec->failed ? "failed" : "ok", 0);
            cell(&t, rec->message, 0);
            cell(&t, rec->alignment, 0);
            const batch_row *row = rec->nrows ? &rec->rows[i] : NULL;
            cell(&t, row ? row->name : "", 0);
            cell(&t, row ? (row->region ? "region" : "label") : "", 0);
            if (row)
                labels_cell(&t, row->labels, row->nlabels);
            else
                fputc(',', t.f);
            cell(&t, row ? row->presence : "", 0);
            CLI_FOR_EACH_MEASURE(m)
            {
                if (cli_measure_reported(m, surface))
                    measure_cell(&t, m, row ? row->values[m] : NAN);
            }
            fputc('\n', t.f);
        }
    }
    return text_close(&t);
}

static char *failures_csv(const batch_record *records, size_t n)
{
    out_text t;
    if (text_open(&t) != 0)
        return NULL;
    fputs("case,reference,prediction,message\n", t.f);
    for (size_t r = 0; r < n; r++)
        if (records[r].failed) {
            cell(&t, records[r].name, 1);
            cell(&t, records[r].reference, 0);
            cell(&t, records[r].prediction, 0);
            cell(&t, records[r].message, 0);
            fputc('\n', t.f);
        }
    return text_close(&t);
}

static char *unmatched_csv(const batch_dataset *d)
{
    out_text t;
    if (text_open(&t) != 0)
        return NULL;
    fputs("side,path,reason\n", t.f);
    for (size_t i = 0; i < d->nunmatched; i++) {
        cell(&t, d->unmatched[i].side, 1);
        cell(&t, d->unmatched[i].path, 0);
        cell(&t, d->unmatched[i].reason, 0);
        fputc('\n', t.f);
    }
    return text_close(&t);
}

/* ---- the summary ---------------------------------------------------------------------------- */

/* The statistics of one group: every reported measure that is not a count, then the volume
 * difference with its Bland-Altman agreement. */
typedef struct group_summary {
    lobedice_stats stats[LOBEDICE_MEASURE_COUNT];
    int has[LOBEDICE_MEASURE_COUNT];
    lobedice_stats difference;
    lobedice_agreement agreement;
    double *ba_x, *ba_y; /* per case: mean volume and difference (the plot's points) */
} group_summary;

#define VOLUME_DIFFERENCE_KEY "volume_difference_ml"

static lobedice_status summarize(group_summary *s, const group *g, int surface,
                                 const lobedice_stats_options *so)
{
    memset(s, 0, sizeof *s);
    lobedice_status st = LOBEDICE_OK;
    CLI_FOR_EACH_MEASURE(m)
    {
        if (st != LOBEDICE_OK || lobedice_measure_get_info(m)->is_count ||
            !cli_measure_reported(m, surface))
            continue;
        s->has[m] = 1;
        st = lobedice_stats_describe(&s->stats[m], g->values[m], g->n, so);
    }
    s->ba_x = malloc((g->n ? g->n : 1) * sizeof(double));
    s->ba_y = malloc((g->n ? g->n : 1) * sizeof(double));
    if (st == LOBEDICE_OK && (!s->ba_x || !s->ba_y))
        st = LOBEDICE_ENOMEM;
    if (st == LOBEDICE_OK)
        st = lobedice_bland_altman(&s->agreement, s->ba_x, s->ba_y,
                                   g->values[LOBEDICE_MEASURE_VOLUME_REF_ML],
                                   g->values[LOBEDICE_MEASURE_VOLUME_PRED_ML], g->n);
    if (st == LOBEDICE_OK)
        st = lobedice_stats_describe(&s->difference, s->ba_y, g->n, so);
    return st;
}

static void summary_free(group_summary *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].ba_x);
        free(s[i].ba_y);
    }
    free(s);
}

static json_t *stats_json(const lobedice_stats *s, const char *unit)
{
    json_t *o = json_object();
    int ok = o && cli_json_set(o, "unit", json_string(unit)) &&
             cli_json_set(o, "n", json_integer((json_int_t)s->n)) &&
             cli_json_set(o, "undefined", json_integer((json_int_t)s->undefined)) &&
             cli_json_set(o, "mean", cli_json_number(s->mean)) &&
             cli_json_set(o, "sd", cli_json_number(s->sd)) &&
             cli_json_set(o, "median", cli_json_number(s->median)) &&
             cli_json_set(o, "q1", cli_json_number(s->q1)) &&
             cli_json_set(o, "q3", cli_json_number(s->q3)) &&
             cli_json_set(o, "iqr", cli_json_number(s->iqr)) &&
             cli_json_set(o, "min", cli_json_number(s->min)) &&
             cli_json_set(o, "max", cli_json_number(s->max)) &&
             cli_json_set(o, "ci95_low", cli_json_number(s->ci_low)) &&
             cli_json_set(o, "ci95_high", cli_json_number(s->ci_high));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *labels_json(const batch_row *row)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < row->nlabels; i++)
        if (json_array_append_new(a, json_integer((json_int_t)row->labels[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static char *summary_json(const batch_info *info, const batch_record *records, size_t nrecords,
                          const group *g, const group_summary *s, size_t ngroups,
                          const lobedice_stats_options *so)
{
    size_t failed = 0;
    for (size_t r = 0; r < nrecords; r++)
        failed += records[r].failed;
    json_t *o = json_object(), *rows = json_array(), *failures = json_array();
    int ok =
        o && rows && failures && cli_json_set(o, "tool", json_string("lobedice-batch")) &&
        cli_json_set(o, "version", json_string(lobedice_version())) &&
        cli_json_set(o, "options", options_json(info)) &&
        cli_json_set(o, "cases",
                     json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)nrecords, "compared",
                               (json_int_t)(nrecords - failed), "failed", (json_int_t)failed,
                               "unmatched_files", (json_int_t)info->data.nunmatched)) &&
        cli_json_set(
            o, "statistics",
            json_pack("{s:s, s:s, s:s, s:{s:s, s:I, s:I, s:f, s:s}, s:s}", "undefined",
                      "NaN values (a Dice of a label in neither map, a distance to an empty "
                      "mask) are counted in 'undefined' and take no part",
                      "sd", "sample standard deviation (n - 1)", "quantiles",
                      "linear interpolation at rank p(n-1) of the sorted values (numpy's default "
                      "percentile); iqr = q3 - q1",
                      "bootstrap", "method", "percentile interval of the mean", "resamples",
                      (json_int_t)so->resamples, "seed", (json_int_t)so->seed, "confidence",
                      so->confidence, "generator", "xoshiro256** seeded by splitmix64",
                      "volume_agreement",
                      "Bland-Altman: difference = predicted - reference volume (ml); bias = mean "
                      "difference; limits of agreement = bias -/+ 1.96 sd")) &&
        cli_json_set(o, "rows", json_incref(rows)) &&
        cli_json_set(o, "failures", json_incref(failures)) &&
        cli_json_set(o, "unmatched", unmatched_json(&info->data));
    for (size_t i = 0; ok && i < ngroups; i++) {
        json_t *row = json_object(), *measures = json_object();
        ok = row && measures && cli_json_set(row, "name", json_string(g[i].first->name)) &&
             cli_json_set(row, "kind", json_string(g[i].first->region ? "region" : "label")) &&
             cli_json_set(row, "labels", labels_json(g[i].first)) &&
             cli_json_set(row, "cases", json_integer((json_int_t)g[i].n)) &&
             cli_json_set(row, "measures", json_incref(measures));
        CLI_FOR_EACH_MEASURE(m)
        {
            if (ok && s[i].has[m]) {
                const lobedice_measure_info *mi = lobedice_measure_get_info(m);
                ok = cli_json_set(measures, mi->key, stats_json(&s[i].stats[m], mi->unit));
            }
        }
        ok =
            ok && cli_json_set(measures, VOLUME_DIFFERENCE_KEY, stats_json(&s[i].difference, "ml"));
        const lobedice_agreement *a = &s[i].agreement;
        ok = ok &&
             cli_json_set(row, "volume_agreement",
                          json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "unit", "ml", "n",
                                    (json_int_t)a->n, "undefined", (json_int_t)a->undefined, "bias",
                                    cli_json_number(a->bias), "sd", cli_json_number(a->sd),
                                    "loa_low", cli_json_number(a->loa_low), "loa_high",
                                    cli_json_number(a->loa_high)));
        ok = ok && json_array_append(rows, row) == 0;
        json_decref(measures);
        json_decref(row);
    }
    for (size_t r = 0; ok && r < nrecords; r++)
        if (records[r].failed)
            ok = json_array_append_new(failures, json_pack("{s:s, s:s}", "case", records[r].name,
                                                           "message", records[r].message)) == 0;
    json_decref(rows);
    json_decref(failures);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return dump(o);
}

static void stats_cells(out_text *t, const lobedice_stats *s)
{
    fprintf(t->f, ",%zu,%zu", s->n, s->undefined);
    const double v[] = {s->mean, s->sd,  s->median, s->q1,     s->q3,
                        s->iqr,  s->min, s->max,    s->ci_low, s->ci_high};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        number_cell(t, v[i]);
}

static char *summary_csv(const group *g, const group_summary *s, size_t ngroups)
{
    out_text t;
    if (text_open(&t) != 0)
        return NULL;
    fputs("name,kind,labels,measure,unit,cases,n,undefined,mean,sd,median,q1,q3,iqr,min,max,"
          "ci95_low,ci95_high,loa_low,loa_high\n",
          t.f);
    for (size_t i = 0; i < ngroups; i++) {
        const batch_row *row = g[i].first;
        for (int m = 0; m <= LOBEDICE_MEASURE_COUNT; m++) {
            const int difference = m == LOBEDICE_MEASURE_COUNT;
            if (!difference && !s[i].has[m])
                continue;
            const lobedice_measure_info *mi =
                difference ? NULL : lobedice_measure_get_info((lobedice_measure)m);
            cell(&t, row->name, 1);
            cell(&t, row->region ? "region" : "label", 0);
            labels_cell(&t, row->labels, row->nlabels);
            cell(&t, difference ? VOLUME_DIFFERENCE_KEY : mi->key, 0);
            cell(&t, difference ? "ml" : mi->unit, 0);
            fprintf(t.f, ",%zu", g[i].n);
            stats_cells(&t, difference ? &s[i].difference : &s[i].stats[m]);
            number_cell(&t, difference ? s[i].agreement.loa_low : NAN);
            number_cell(&t, difference ? s[i].agreement.loa_high : NAN);
            fputc('\n', t.f);
        }
    }
    return text_close(&t);
}

/* The table for a person (standard output): per row, Dice and HD95 as papers report them and
 * the volume agreement. */
static char *person_table(const group *g, const group_summary *s, size_t ngroups, int surface)
{
    out_text t;
    if (text_open(&t) != 0)
        return NULL;
    fprintf(t.f, "%-10s %4s  %-17s %-24s %-18s", "", "", "Dice", "", "");
    fprintf(t.f, surface ? "  %-14s" : "%s", surface ? "HD95 mm" : "");
    fprintf(t.f, "  %s\n", "volume, predicted - reference (ml)");
    fprintf(t.f, "%-10s %4s  %-17s %-24s %-18s", "name", "n", "mean +- SD", "median [Q1, Q3]",
            "95% CI of mean");
    fprintf(t.f, surface ? "  %-14s" : "%s", surface ? "mean +- SD" : "");
    fprintf(t.f, "  %s\n", "bias [limits of agreement]");
    for (size_t i = 0; i < ngroups; i++) {
        const lobedice_stats *d = &s[i].stats[LOBEDICE_MEASURE_DICE];
        char a[64], b[64], c[64];
        snprintf(a, sizeof a, "%.4f +- %.4f", d->mean, d->sd);
        snprintf(b, sizeof b, "%.4f [%.4f, %.4f]", d->median, d->q1, d->q3);
        snprintf(c, sizeof c, "[%.4f, %.4f]", d->ci_low, d->ci_high);
        if (i > 0 && g[i].first->region && !g[i - 1].first->region)
            fputc('\n', t.f);
        fprintf(t.f, "%-10.10s %4zu  %-17s %-24s %-18s", g[i].first->name, d->n, a, b, c);
        if (surface) {
            const lobedice_stats *h = &s[i].stats[LOBEDICE_MEASURE_HD95];
            snprintf(a, sizeof a, "%.2f +- %.2f", h->mean, h->sd);
            fprintf(t.f, "  %-14s", a);
        }
        const lobedice_agreement *ag = &s[i].agreement;
        fprintf(t.f, "  %+.1f [%+.1f, %+.1f]\n", ag->bias, ag->loa_low, ag->loa_high);
    }
    return text_close(&t);
}

/* ---- plots ---------------------------------------------------------------------------------- */

/* A box plot of one measure over the label groups (the lobes). */
static unsigned char *box_plot(size_t *len, const group *g, const group_summary *s, size_t n,
                               lobedice_measure m, const char *title, const char *y_label,
                               char *msg, size_t size)
{
    batch_box *boxes = calloc(n ? n : 1, sizeof *boxes);
    double **outliers = calloc(n ? n : 1, sizeof *outliers);
    size_t nboxes = 0;
    unsigned char *png = NULL;
    int ok = boxes && outliers;
    for (size_t i = 0; ok && i < n; i++) {
        if (g[i].first->region || !s[i].has[m])
            continue;
        const lobedice_stats *st = &s[i].stats[m];
        outliers[nboxes] = malloc((g[i].n ? g[i].n : 1) * sizeof(double));
        if (!(ok = outliers[nboxes] != NULL))
            break;
        batch_box *b = &boxes[nboxes];
        b->name = g[i].first->name;
        b->stats = *st;
        b->outliers = outliers[nboxes];
        for (size_t k = 0; k < g[i].n; k++) {
            const double v = g[i].values[m][k];
            if (!isnan(v) && (v < st->whisker_low || v > st->whisker_high))
                outliers[nboxes][b->noutliers++] = v;
        }
        nboxes++;
    }
    if (!ok)
        cli_text_fail(-1, msg, size, "out of memory while drawing '%s'", title);
    else
        png = batch_plot_boxes(len, title, y_label, boxes, nboxes, msg, size);
    for (size_t i = 0; outliers && i < nboxes; i++)
        free(outliers[i]);
    free(outliers);
    free(boxes);
    return png;
}

static unsigned char *ba_plot(size_t *len, const group *g, const group_summary *s, size_t n,
                              char *msg, size_t size)
{
    batch_ba_group *panels = calloc(n ? n : 1, sizeof *panels);
    if (!panels) {
        cli_text_fail(-1, msg, size, "out of memory while drawing the Bland-Altman plot");
        return NULL;
    }
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (!g[i].first->region)
            panels[np++] =
                (batch_ba_group){g[i].first->name, s[i].ba_x, s[i].ba_y, g[i].n, s[i].agreement};
    unsigned char *png = batch_plot_bland_altman(
        len, "Lobe volumes: Bland-Altman agreement (prediction - reference)",
        "Mean of the two volumes (mL)", "Predicted - reference volume (mL)", panels, np, msg, size);
    free(panels);
    return png;
}

/* ---- everything ----------------------------------------------------------------------------- */

int batch_write_results(const char *dir, const batch_info *info, const batch_record *records,
                        size_t nrecords, size_t threads, char **table, char *msg, size_t size)
{
    *table = NULL;
    cli_options opts;
    if (batch_info_options(&opts, info, msg, size) != 0)
        return -1;
    const int surface = opts.surface_distances;
    cli_options_free(&opts);

    lobedice_stats_options so = LOBEDICE_STATS_OPTIONS_INIT;
    so.threads = threads;
    size_t ngroups = 0;
    group *g = make_groups(&ngroups, records, nrecords);
    group_summary *s = calloc(ngroups ? ngroups : 1, sizeof *s);
    if (!g || !s) {
        groups_free(g, ngroups);
        free(s);
        return cli_text_fail(-1, msg, size, "out of memory while summarizing");
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ngroups; i++) {
        lobedice_status st = summarize(&s[i], &g[i], surface, &so);
        if (st != LOBEDICE_OK)
            rc = cli_fail_status(msg, size, "summarizing the cases", st) ? -1 : 0;
    }
    enum { NFILES = 9 };
    struct {
        const char *name;
        unsigned char *data;
        size_t len;
    } files[NFILES] = {{"cases.csv", NULL, 0},          {"summary.csv", NULL, 0},
                       {"summary.json", NULL, 0},       {"failures.csv", NULL, 0},
                       {"unmatched.csv", NULL, 0},      {"run.json", NULL, 0},
                       {"plots/dice_box.png", NULL, 0}, {"plots/volume_bland_altman.png", NULL, 0},
                       {"plots/hd95_box.png", NULL, 0}};
    const size_t nfiles = surface ? NFILES : NFILES - 1;
    if (rc == 0) {
        files[0].data = (unsigned char *)cases_csv(records, nrecords, surface);
        files[1].data = (unsigned char *)summary_csv(g, s, ngroups);
        files[2].data = (unsigned char *)summary_json(info, records, nrecords, g, s, ngroups, &so);
        files[3].data = (unsigned char *)failures_csv(records, nrecords);
        files[4].data = (unsigned char *)unmatched_csv(&info->data);
        files[5].data = (unsigned char *)run_json(info);
        for (size_t i = 0; i < 6; i++) {
            if (!files[i].data) {
                rc =
                    cli_text_fail(-1, msg, size, "out of memory while writing '%s'", files[i].name);
                break;
            }
            files[i].len = strlen((char *)files[i].data);
        }
    }
    if (rc == 0)
        files[6].data = box_plot(&files[6].len, g, s, ngroups, LOBEDICE_MEASURE_DICE,
                                 "Dice per lobe", "Dice", msg, size);
    if (rc == 0 && !files[6].data)
        rc = -1;
    if (rc == 0 && !(files[7].data = ba_plot(&files[7].len, g, s, ngroups, msg, size)))
        rc = -1;
    if (rc == 0 && surface &&
        !(files[8].data = box_plot(&files[8].len, g, s, ngroups, LOBEDICE_MEASURE_HD95,
                                   "HD95 per lobe", "HD95 (mm)", msg, size)))
        rc = -1;
    char *plots = NULL;
    if (rc == 0) {
        plots = batch_path_join(dir, "plots", "");
        if (!plots || (mkdir(plots, 0777) != 0 && errno != EEXIST))
            rc = cli_text_fail(-1, msg, size, "cannot create '%s': %s", plots ? plots : "plots",
                               plots ? CLI_ERRNO_CLAUSE(errno) : "out of memory");
    }
    cli_outputs *set = rc == 0 ? cli_outputs_new() : NULL;
    if (rc == 0 && !set)
        rc = cli_text_fail(-1, msg, size, "out of memory");
    for (size_t i = 0; rc == 0 && i < nfiles; i++) {
        char *path = batch_path_join(dir, files[i].name, "");
        if (!path) {
            rc = cli_text_fail(-1, msg, size, "out of memory");
            break;
        }
        if (cli_outputs_write_data(set, path, files[i].data, files[i].len, msg, size) != 0)
            rc = -1;
        free(path);
    }
    if (rc == 0 && cli_outputs_commit(set, msg, size) != 0)
        rc = -1;
    if (rc == 0 && !(*table = person_table(g, s, ngroups, surface)))
        rc = cli_text_fail(-1, msg, size, "out of memory");
    cli_outputs_free(set);
    free(plots);
    for (size_t i = 0; i < NFILES; i++)
        free(files[i].data);
    summary_free(s, ngroups);
    groups_free(g, ngroups);
    return rc;
}
