/* One case's results as lobedice-batch keeps them: a JSON file per case, written when the case
 * ends, read back for the tables (so one run, a resumed run and a merge of shards all format
 * the same records). */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include "cli_report.h"
#include "cli_text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int file_identity(char *buf, size_t size, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return snprintf(buf, size, "missing");
    return snprintf(buf, size, "%lld bytes, modified %lld.%09ld", (long long)st.st_size,
                    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

char *batch_fingerprint(const char *options_text, const batch_case *c)
{
    char ref[128], pred[128];
    file_identity(ref, sizeof ref, c->reference);
    file_identity(pred, sizeof pred, c->prediction);
    size_t len = strlen(options_text) + strlen(c->reference) + strlen(c->prediction) + 512;
    char *text = malloc(len);
    if (text)
        snprintf(text, len, "lobedice %s\n%sreference %s: %s\nprediction %s: %s\n",
                 lobedice_version(), options_text, c->reference, ref, c->prediction, pred);
    char *out = text ? cli_text_escape(text) : NULL; /* kept in JSON: valid UTF-8 */
    free(text);
    return out;
}

char *batch_record_path(const char *cases_dir, const char *name)
{
    return batch_path_join(cases_dir, name, ".json");
}

int batch_record_make(batch_record *r, const batch_case *c, const char *fingerprint,
                      const cli_case *cc, const char *message)
{
    memset(r, 0, sizeof *r);
    r->name = strdup(c->name);
    r->reference = cli_text_escape(c->reference); /* file names need not be UTF-8 */
    r->prediction = cli_text_escape(c->prediction);
    r->fingerprint = strdup(fingerprint);
    r->failed = cc == NULL;
    r->message = cli_text_escape(cc ? "" : message);
    r->alignment = strdup(cc ? cli_alignment_name(cc->report.alignment) : "");
    int ok =
        r->name && r->reference && r->prediction && r->fingerprint && r->message && r->alignment;
    if (ok && cc) {
        const lobedice_comparison *cmp = cc->comparison;
        r->nrows = lobedice_comparison_rows(cmp);
        r->rows = calloc(r->nrows ? r->nrows : 1, sizeof *r->rows);
        ok = r->rows != NULL;
        for (size_t i = 0; ok && i < r->nrows; i++) {
            const lobedice_row_info *info = lobedice_comparison_row(cmp, i);
            batch_row *row = &r->rows[i];
            row->name = strdup(info->name);
            row->region = info->kind == LOBEDICE_ROW_REGION;
            row->presence = strdup(lobedice_presence_name(info->presence));
            row->labels = malloc(info->nlabels * sizeof *row->labels);
            row->nlabels = info->nlabels;
            ok = row->name && row->presence && row->labels;
            if (ok)
                memcpy(row->labels, info->labels, info->nlabels * sizeof *row->labels);
            for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++)
                row->values[m] = lobedice_comparison_value(cmp, i, (lobedice_measure)m);
        }
    }
    if (!ok) {
        batch_record_free(r);
        return -1;
    }
    return 0;
}

void batch_record_free(batch_record *r)
{
    for (size_t i = 0; r->rows && i < r->nrows; i++) {
        free(r->rows[i].name);
        free(r->rows[i].labels);
        free(r->rows[i].presence);
    }
    free(r->rows);
    free(r->name);
    free(r->reference);
    free(r->prediction);
    free(r->fingerprint);
    free(r->message);
    free(r->alignment);
    memset(r, 0, sizeof *r);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_t *row_json(const batch_row *row)
{
    json_t *o = json_object(), *labels = json_array(), *values = json_object();
    int ok = o && labels && values && cli_json_set(o, "name", json_string(row->name)) &&
             cli_json_set(o, "kind", json_string(row->region ? "region" : "label")) &&
             cli_json_set(o, "labels", json_incref(labels)) &&
             cli_json_set(o, "status", json_string(row->presence)) &&
             cli_json_set(o, "values", json_incref(values));
    for (size_t i = 0; ok && i < row->nlabels; i++)
        ok = json_array_append_new(labels, json_integer((json_int_t)row->labels[i])) == 0;
    for (int m = 0; ok && m < LOBEDICE_MEASURE_COUNT; m++) {
        const lobedice_measure measure = (lobedice_measure)m;
        ok = cli_json_set(values, lobedice_measure_get_info(measure)->key,
                          cli_json_measure(measure, row->values[m]));
    }
    json_decref(labels);
    json_decref(values);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *batch_record_json(const batch_record *r)
{
    json_t *o = json_object(), *rows = json_array();
    int ok = o && rows && cli_json_set(o, "tool", json_string("lobedice-batch")) &&
             cli_json_set(o, "version", json_string(lobedice_version())) &&
             cli_json_set(o, "case", json_string(r->name)) &&
             cli_json_set(o, "reference", json_string(r->reference)) &&
             cli_json_set(o, "prediction", json_string(r->prediction)) &&
             cli_json_set(o, "fingerprint", json_string(r->fingerprint)) &&
             cli_json_set(o, "status", json_string(r->failed ? "failed" : "ok")) &&
             cli_json_set(o, "message", json_string(r->message)) &&
             cli_json_set(o, "alignment", json_string(r->alignment)) &&
             cli_json_set(o, "rows", json_incref(rows));
    for (size_t i = 0; ok && i < r->nrows; i++) {
        json_t *row = row_json(&r->rows[i]);
        ok = row && json_array_append_new(rows, row) == 0;
    }
    char *text = ok ? cli_json_text(o, 1) : NULL;
    json_decref(rows);
    json_decref(o);
    return text;
}

static char *dup_string(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? strdup(s) : NULL;
}

/* The fields of a row; 0 or -1 when a field is missing or of the wrong type. */
static int row_load(batch_row *row, const json_t *o)
{
    const json_t *labels = json_object_get(o, "labels"), *values = json_object_get(o, "values");
    const char *kind = json_string_value(json_object_get(o, "kind"));
    row->name = dup_string(o, "name");
    row->presence = dup_string(o, "status");
    if (!row->name || !row->presence || !kind || !json_is_array(labels) ||
        json_array_size(labels) == 0 || !json_is_object(values))
        return -1;
    row->region = strcmp(kind, "region") == 0;
    row->nlabels = json_array_size(labels);
    row->labels = malloc(row->nlabels * sizeof *row->labels);
    if (!row->labels)
        return -1;
    for (size_t i = 0; i < row->nlabels; i++) {
        const json_t *v = json_array_get(labels, i);
        if (!json_is_integer(v))
            return -1;
        row->labels[i] = (int64_t)json_integer_value(v);
    }
    for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
        const json_t *v =
            json_object_get(values, lobedice_measure_get_info((lobedice_measure)m)->key);
        if (json_is_null(v))
            row->values[m] = NAN;
        else if (json_is_number(v))
            row->values[m] = json_number_value(v);
        else
            return -1;
    }
    return 0;
}

int batch_record_load(batch_record *r, const char *path, char *msg, size_t size)
{
    memset(r, 0, sizeof *r);
    json_error_t error;
    json_t *o = json_load_file(path, 0, &error);
    if (!o) {
        snprintf(msg, size, "cannot read the case record '%s': %s", path, error.text);
        return -1;
    }
    const char *tool = json_string_value(json_object_get(o, "tool"));
    const char *status = json_string_value(json_object_get(o, "status"));
    const json_t *rows = json_object_get(o, "rows");
    r->name = dup_string(o, "case");
    r->reference = dup_string(o, "reference");
    r->prediction = dup_string(o, "prediction");
    r->fingerprint = dup_string(o, "fingerprint");
    r->message = dup_string(o, "message");
    r->alignment = dup_string(o, "alignment");
    int ok = tool && strcmp(tool, "lobedice-batch") == 0 && status && r->name && r->reference &&
             r->prediction && r->fingerprint && r->message && r->alignment && json_is_array(rows);
    if (ok) {
        r->failed = strcmp(status, "ok") != 0;
        r->nrows = json_array_size(rows);
        r->rows = calloc(r->nrows ? r->nrows : 1, sizeof *r->rows);
        ok = r->rows != NULL;
        for (size_t i = 0; ok && i < r->nrows; i++)
            ok = row_load(&r->rows[i], json_array_get(rows, i)) == 0;
    }
    json_decref(o);
    if (!ok) {
        batch_record_free(r);
        snprintf(msg, size, "the case record '%s' is not a lobedice-batch record", path);
        return -1;
    }
    return 0;
}
