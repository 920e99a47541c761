/* Report writers of the LobeDice command line: JSON (jansson), CSV/TSV table and its Slicer
 * schema, return parameters, the error map's colour table, and the table for a person. They
 * read the core's comparison and format it; the measures, their names and units, the rows and
 * the summaries are the core's. */
#include "cli_report.h"

#include "cli_labels.h"
#include "cli_palette.h"
#include "cli_text.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing text buffer ---------------------------------------------------------------- */

typedef struct text {
    char *data;
    size_t len, cap;
    int failed; /* an allocation failed: text_finish returns NULL */
} text;

static void text_vappend(text *t, const char *fmt, va_list ap)
{
    if (t->failed)
        return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (!t->data || t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->data = grown;
        t->cap = cap;
        vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    }
    t->len += (size_t)n;
}

static void text_append(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vappend(t, fmt, ap);
    va_end(ap);
}

static char *text_finish(text *t)
{
    if (!t->failed && !t->data)
        text_append(t, "%s", "");
    if (t->failed) {
        free(t->data);
        return NULL;
    }
    return t->data;
}

/* ---- names and numbers -------------------------------------------------------------------- */

const char *cli_format_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "%s", "");
        return buf;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *cli_alignment_name(lobedice_alignment alignment)
{
    switch (alignment) {
    case LOBEDICE_ALIGN_IDENTICAL: return "identical";
    case LOBEDICE_ALIGN_PLACED: return "placed";
    case LOBEDICE_ALIGN_RESAMPLED: return "resampled";
    }
    return "unknown";
}

/* The labels of a row joined by '+': "2" for a label row, "1+2+3" for a region. */
static void append_labels(text *t, const int64_t *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_append(t, "%s%lld", i ? "+" : "", (long long)labels[i]);
}

char *cli_labels_text(const int64_t *labels, size_t n)
{
    text t = {0};
    append_labels(&t, labels, n);
    return text_finish(&t);
}

/* The measures a report shows: every one, but the surface measures only when computed. */
int cli_measure_reported(lobedice_measure m, int surface_distances)
{
    return !lobedice_measure_get_info(m)->is_surface || surface_distances;
}

static int reported(const cli_report *report, lobedice_measure m)
{
    return cli_measure_reported(m,
                                lobedice_comparison_options(report->comparison)->surface_distances);
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* A number, or null where it is undefined. Every set_* below steals the reference; a NULL
 * (allocation failure) makes json_object_set_new fail, which the caller sees in `ok`. */
json_t *cli_json_number(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

json_t *cli_json_measure(lobedice_measure m, double v)
{
    if (lobedice_measure_get_info(m)->is_count && !isnan(v))
        return json_integer((json_int_t)v);
    return cli_json_number(v);
}

static json_t *json_triple_size(const size_t v[3])
{
    return json_pack("[III]", (json_int_t)v[0], (json_int_t)v[1], (json_int_t)v[2]);
}

static json_t *json_triple(const double v[3])
{
    return json_pack("[fff]", v[0], v[1], v[2]);
}

int cli_json_set(json_t *object, const char *key, json_t *value)
{
    return value && json_object_set_new(object, key, value) == 0;
}

static json_t *json_image(const cli_image_info *info)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    char *path = cli_text_escape(info->path); /* a file name need not be UTF-8 */
    int ok = path && cli_json_set(o, "path", json_string(path)) &&
             cli_json_set(o, "size", json_triple_size(info->size)) &&
             cli_json_set(o, "spacing", json_triple(info->spacing)) &&
             cli_json_set(o, "origin", json_triple(info->origin));
    free(path);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *match_name(lobedice_segment_match how)
{
    switch (how) {
    case LOBEDICE_MATCH_TERMINOLOGY: return "terminology";
    case LOBEDICE_MATCH_NAME: return "name";
    case LOBEDICE_MATCH_NONE: break;
    }
    return "none";
}

static json_t *json_label_name(int64_t label)
{
    char name[32];
    lobedice_label_name(name, sizeof name, label);
    return json_string(name);
}

/* A Slicer segmentation's segments: how each was read. */
static json_t *json_segmentation(const lobedice_segmentation *seg)
{
    json_t *o = json_object(), *segments = json_array();
    int ok = o && segments && cli_json_set(o, "layers", json_integer((json_int_t)seg->nlayers)) &&
             cli_json_set(o, "extent_offset",
                          json_pack("[III]", (json_int_t)seg->extent_offset[0],
                                    (json_int_t)seg->extent_offset[1],
                                    (json_int_t)seg->extent_offset[2])) &&
             cli_json_set(o, "segments", json_incref(segments));
    for (size_t i = 0; ok && i < seg->nsegments; i++) {
        const lobedice_segment *g = &seg->segments[i];
        json_t *item = json_object();
        ok = item && cli_json_set(item, "id", json_string(g->id)) &&
             cli_json_set(item, "name", json_string(g->name)) &&
             cli_json_set(item, "layer", json_integer((json_int_t)g->layer)) &&
             cli_json_set(item, "value", json_integer((json_int_t)g->label_value)) &&
             cli_json_set(item, "label",
                          g->lobe ? json_integer((json_int_t)g->lobe) : json_null()) &&
             cli_json_set(item, "lobe", g->lobe ? json_label_name(g->lobe) : json_null()) &&
             cli_json_set(item, "matched_by", json_string(match_name(g->matched_by))) &&
             cli_json_set(item, "voxels", json_integer((json_int_t)g->voxels)) &&
             json_array_append_new(segments, item) == 0;
        if (!ok)
            json_decref(item);
    }
    json_decref(segments);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* How an input's values became labels: its convention, the value -> label pairs, the values
 * counted as background, and a segmentation's segments. */
static json_t *json_input_labels(const cli_report *report, lobedice_input input,
                                 const cli_image_info *info)
{
    const lobedice_label_convention *conv =
        lobedice_comparison_convention(report->comparison, input);
    size_t nignored = 0;
    const lobedice_value_count *ignored =
        lobedice_comparison_ignored(report->comparison, input, &nignored);
    json_t *o = json_object(), *mapping = json_array(), *ignored_json = json_array();
    int ok = o && mapping && ignored_json && conv &&
             cli_json_set(o, "convention", json_string(conv->name)) &&
             cli_json_set(o, "identity", json_boolean(conv->identity)) &&
             cli_json_set(o, "mapping", json_incref(mapping)) &&
             cli_json_set(o, "ignored", json_incref(ignored_json));
    /* the pairs by value, ascending */
    int64_t last = INT64_MIN;
    for (size_t done = 0; ok && !conv->identity && done < conv->npairs; done++) {
        size_t next = conv->npairs;
        for (size_t i = 0; i < conv->npairs; i++)
            if (conv->values[i] > last &&
                (next == conv->npairs || conv->values[i] < conv->values[next]))
                next = i;
        if (next == conv->npairs)
            break;
        last = conv->values[next];
        ok = json_array_append_new(mapping,
                                   json_pack("{sIsIso}", "value", (json_int_t)conv->values[next],
                                             "label", (json_int_t)conv->labels[next], "name",
                                             json_label_name(conv->labels[next]))) == 0;
    }
    for (size_t i = 0; ok && i < nignored; i++)
        ok = json_array_append_new(ignored_json,
                                   json_pack("{sIsI}", "value", (json_int_t)ignored[i].value,
                                             "voxels", (json_int_t)ignored[i].voxels)) == 0;
    if (ok && info->segmentation)
        ok = cli_json_set(o, "segmentation", json_segmentation(info->segmentation));
    json_decref(mapping);
    json_decref(ignored_json);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *json_row(const cli_report *report, size_t index)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const lobedice_row_info *row = lobedice_comparison_row(report->comparison, index);
    int ok;
    if (row->kind == LOBEDICE_ROW_REGION) {
        json_t *labels = json_array();
        ok = cli_json_set(o, "name", json_string(row->name)) && cli_json_set(o, "labels", labels);
        for (size_t i = 0; ok && i < row->nlabels; i++)
            ok = json_array_append_new(labels, json_integer((json_int_t)row->labels[i])) == 0;
    } else {
        ok = cli_json_set(o, "label", json_integer((json_int_t)row->labels[0])) &&
             cli_json_set(o, "name", json_string(row->name));
    }
    ok = ok && cli_json_set(o, "status", json_string(lobedice_presence_name(row->presence)));
    CLI_FOR_EACH_MEASURE(m)
    {
        if (ok && reported(report, m))
            ok = cli_json_set(
                o, lobedice_measure_get_info(m)->key,
                cli_json_measure(m, lobedice_comparison_value(report->comparison, index, m)));
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "mean_<key>" and "n_<key>" for every averaged measure, and the pooled Dice. */
static int json_summary(json_t *summary, const cli_report *report)
{
    const lobedice_comparison *c = report->comparison;
    int ok =
        cli_json_set(summary, "labels",
                     json_integer((json_int_t)lobedice_comparison_label_rows(c))) &&
        cli_json_set(summary, "pooled_dice", cli_json_number(lobedice_comparison_pooled_dice(c)));
    CLI_FOR_EACH_MEASURE(m)
    {
        const lobedice_measure_info *info = lobedice_measure_get_info(m);
        if (!ok || !info->is_averaged || !reported(report, m))
            continue;
        size_t used = 0;
        double mean = lobedice_comparison_mean(c, m, &used);
        char key[96];
        snprintf(key, sizeof key, "mean_%s", info->key);
        ok = cli_json_set(summary, key, cli_json_number(mean));
        snprintf(key, sizeof key, "n_%s", info->key);
        ok = ok && cli_json_set(summary, key, json_integer((json_int_t)used));
    }
    return ok;
}

char *cli_report_json(const cli_report *report)
{
    const lobedice_compare_options *o = lobedice_comparison_options(report->comparison);
    /* Containers are kept with a reference of our own while being filled, so a failed step
     * anywhere releases everything with the decrefs at the end. */
    json_t *root = json_object(), *reference = json_image(&report->reference),
           *predicted = json_image(&report->predicted), *labels = json_array(),
           *regions = json_array(), *summary = json_object();
    int ok =
        root && reference && predicted && labels && regions && summary &&
        cli_json_set(root, "tool", json_string("LobeDice")) &&
        cli_json_set(root, "version", json_string(report->version)) &&
        cli_json_set(root, "reference", json_incref(reference)) &&
        cli_json_set(reference, "labels",
                     json_input_labels(report, LOBEDICE_INPUT_REFERENCE, &report->reference)) &&
        cli_json_set(root, "predicted", json_incref(predicted)) &&
        cli_json_set(predicted, "labels",
                     json_input_labels(report, LOBEDICE_INPUT_PREDICTION, &report->predicted)) &&
        cli_json_set(predicted, "resampled",
                     json_boolean(report->alignment == LOBEDICE_ALIGN_RESAMPLED)) &&
        cli_json_set(predicted, "alignment", json_string(cli_alignment_name(report->alignment))) &&
        cli_json_set(root, "empty_policy",
                     json_string(lobedice_empty_policy_name(o->empty_policy))) &&
        cli_json_set(root, "surface_distances", json_boolean(o->surface_distances)) &&
        cli_json_set(root, "tolerance_mm", json_real(o->tolerance_mm)) &&
        cli_json_set(root, "labels", json_incref(labels)) &&
        cli_json_set(root, "regions", json_incref(regions));
    const size_t nlabels = lobedice_comparison_label_rows(report->comparison);
    for (size_t i = 0; ok && i < lobedice_comparison_rows(report->comparison); i++) {
        json_t *row = json_row(report, i);
        ok = row && json_array_append_new(i < nlabels ? labels : regions, row) == 0;
    }
    ok = ok && cli_json_set(root, "summary", json_incref(summary)) && json_summary(summary, report);
    char *out = ok ? cli_json_text(root, 2) : NULL;
    json_decref(summary);
    json_decref(regions);
    json_decref(labels);
    json_decref(predicted);
    json_decref(reference);
    json_decref(root);
    return out;
}

char *cli_json_text(const json_t *o, int indent)
{
    char *dumped = o ? json_dumps(o, JSON_INDENT(indent) | JSON_REAL_PRECISION(17)) : NULL;
    if (!dumped)
        return NULL;
    /* A file ends with a newline; jansson's text does not. */
    size_t n = strlen(dumped);
    char *withnl = malloc(n + 2);
    if (withnl) {
        memcpy(withnl, dumped, n);
        memcpy(withnl + n, "\n", 2);
    }
    free(dumped);
    return withnl;
}

/* ---- table and schema --------------------------------------------------------------------- */

/* The columns before the measures. */
static const struct {
    const char *name, *title, *description;
} row_columns[] = {
    {"name", "Name", "Label or region name; mean for the mean row"},
    {"kind", "Kind", "label, region or mean"},
    {"labels", "Labels",
     "The label value; the labels of a region joined by +; the labels averaged by the mean row"},
    {"status", "Status",
     "present, missing_in_prediction, missing_in_reference or absent (in neither map)"},
};
#define NROW_COLUMNS (sizeof row_columns / sizeof *row_columns)

/* A cell: CSV quotes a field holding the separator, a quote or a newline. Names cannot hold
 * control characters (cli_parse), so TSV cells never need quoting. */
static void append_cell(text *t, const char *s, char sep, int first)
{
    if (!first)
        text_append(t, "%c", sep);
    if (sep == ',' && strpbrk(s, ",\"\n\r")) {
        text_append(t, "\"");
        for (const char *p = s; *p; p++)
            text_append(t, *p == '"' ? "\"\"" : "%c", *p);
        text_append(t, "\"");
    } else {
        text_append(t, "%s", s);
    }
}

void cli_format_measure(char *buf, size_t size, lobedice_measure m, double v)
{
    if (lobedice_measure_get_info(m)->is_count && !isnan(v))
        snprintf(buf, size, "%.0f", v);
    else
        cli_format_double(buf, size, v);
}

static void append_value_cell(text *t, lobedice_measure m, double v, char sep)
{
    char buf[40];
    cli_format_measure(buf, sizeof buf, m, v);
    append_cell(t, buf, sep, 0);
}

static void append_row(text *t, const cli_report *report, size_t index, char sep)
{
    const lobedice_row_info *row = lobedice_comparison_row(report->comparison, index);
    char *label_text = cli_labels_text(row->labels, row->nlabels);
    if (!label_text) {
        t->failed = 1;
        return;
    }
    append_cell(t, row->name, sep, 1);
    append_cell(t, row->kind == LOBEDICE_ROW_REGION ? "region" : "label", sep, 0);
    append_cell(t, label_text, sep, 0);
    free(label_text);
    append_cell(t, lobedice_presence_name(row->presence), sep, 0);
    CLI_FOR_EACH_MEASURE(m)
    {
        if (reported(report, m))
            append_value_cell(t, m, lobedice_comparison_value(report->comparison, index, m), sep);
    }
    text_append(t, "\n");
}

/* The mean row: the mean of each averaged measure over the label rows where it is defined (the
 * JSON summary's means); counts and volumes are left empty (a mean count means nothing). */
static void append_mean_row(text *t, const cli_report *report, char sep)
{
    const lobedice_compare_options *o = lobedice_comparison_options(report->comparison);
    append_cell(t, "mean", sep, 1);
    append_cell(t, "mean", sep, 0);
    char *label_text = cli_labels_text(o->labels, o->nlabels);
    if (!label_text) {
        t->failed = 1;
        return;
    }
    append_cell(t, label_text, sep, 0);
    free(label_text);
    append_cell(t, "", sep, 0);
    CLI_FOR_EACH_MEASURE(m)
    {
        if (reported(report, m))
            append_value_cell(t, m, lobedice_comparison_mean(report->comparison, m, NULL), sep);
    }
    text_append(t, "\n");
}

char *cli_report_table(const cli_report *report, char sep)
{
    text t = {0};
    for (size_t c = 0; c < NROW_COLUMNS; c++)
        append_cell(&t, row_columns[c].name, sep, c == 0);
    CLI_FOR_EACH_MEASURE(m)
    {
        if (reported(report, m))
            append_cell(&t, lobedice_measure_get_info(m)->key, sep, 0);
    }
    text_append(&t, "\n");
    for (size_t i = 0; i < lobedice_comparison_rows(report->comparison); i++)
        append_row(&t, report, i, sep);
    append_mean_row(&t, report, sep);
    return text_finish(&t);
}

char *cli_report_schema(const cli_report *report, char sep)
{
    const lobedice_compare_options *o = lobedice_comparison_options(report->comparison);
    /* Slicer's table storage node (vtkMRMLTableStorageNode) reads these columns; a numeric cell
     * left empty gets the column's nullValue (0 when none is given), so an undefined measure
     * needs "nan". Voxel counts are double too: the mean row leaves them undefined. */
    text t = {0};
    append_cell(&t, "columnName", sep, 1);
    append_cell(&t, "type", sep, 0);
    append_cell(&t, "nullValue", sep, 0);
    append_cell(&t, "title", sep, 0);
    append_cell(&t, "unitLabel", sep, 0);
    append_cell(&t, "description", sep, 0);
    text_append(&t, "\n");
    for (size_t c = 0; c < NROW_COLUMNS; c++) {
        append_cell(&t, row_columns[c].name, sep, 1);
        append_cell(&t, "string", sep, 0);
        append_cell(&t, "", sep, 0);
        append_cell(&t, row_columns[c].title, sep, 0);
        append_cell(&t, "", sep, 0);
        append_cell(&t, row_columns[c].description, sep, 0);
        text_append(&t, "\n");
    }
    CLI_FOR_EACH_MEASURE(m)
    {
        const lobedice_measure_info *info = lobedice_measure_get_info(m);
        if (!reported(report, m))
            continue;
        append_cell(&t, info->key, sep, 1);
        append_cell(&t, "double", sep, 0);
        append_cell(&t, "nan", sep, 0);
        append_cell(&t, info->title, sep, 0);
        append_cell(&t, info->unit, sep, 0);
        if (m == LOBEDICE_MEASURE_NSD) {
            char description[256];
            snprintf(description, sizeof description, "%s (tolerance %g mm)", info->description,
                     o->tolerance_mm);
            append_cell(&t, description, sep, 0);
        } else {
            append_cell(&t, info->description, sep, 0);
        }
        text_append(&t, "\n");
    }
    return text_finish(&t);
}

/* ---- return parameters -------------------------------------------------------------------- */

char *cli_report_summary_line(const cli_report *report)
{
    text t = {0};
    for (size_t i = 0; i < lobedice_comparison_label_rows(report->comparison); i++) {
        const char *name = lobedice_comparison_row(report->comparison, i)->name;
        double dice = lobedice_comparison_value(report->comparison, i, LOBEDICE_MEASURE_DICE);
        if (isnan(dice))
            text_append(&t, "%s%s undefined", i ? ", " : "", name);
        else
            text_append(&t, "%s%s %.3f", i ? ", " : "", name, dice);
    }
    return text_finish(&t);
}

char *cli_report_return_parameters(const cli_report *report)
{
    char *summary = cli_report_summary_line(report);
    if (!summary)
        return NULL;
    char dice[40], hd95[40];
    cli_format_double(dice, sizeof dice,
                      lobedice_comparison_mean(report->comparison, LOBEDICE_MEASURE_DICE, NULL));
    cli_format_double(hd95, sizeof hd95,
                      lobedice_comparison_mean(report->comparison, LOBEDICE_MEASURE_HD95, NULL));
    text t = {0};
    /* Keys are the XML names; Slicer's reader trims the blanks around key and value. */
    text_append(&t, "meanDice = %s\nmeanHD95 = %s\nsummary = %s\n", dice, hd95, summary);
    free(summary);
    return text_finish(&t);
}

/* ---- colour table of the error map -------------------------------------------------------- */

typedef cli_rgb rgb;

static rgb mix(rgb a, rgb b, double wb)
{
    rgb out = {(int)lround(a.r * (1 - wb) + b.r * wb), (int)lround(a.g * (1 - wb) + b.g * wb),
               (int)lround(a.b * (1 - wb) + b.b * wb)};
    return out;
}

/* A name, without blanks when `tokens` (Slicer's colour files separate fields by spaces). */
static void append_name(text *t, const char *name, int tokens)
{
    for (const char *p = name; *p; p++)
        text_append(t, "%c", tokens && *p == ' ' ? '_' : *p);
}

/* The colour of a (reference class, predicted class) pair, by its kind. */
static rgb pair_color(lobedice_disagreement_kind kind, size_t r, size_t p)
{
    const rgb black = {0, 0, 0}, red = {230, 20, 20};
    switch (kind) {
    case LOBEDICE_AGREE_BACKGROUND: return black;
    case LOBEDICE_AGREE_LABEL: return cli_label_color(r);
    case LOBEDICE_MISSED: return mix(cli_label_color(r), cli_missed_color, 0.6);
    case LOBEDICE_EXTRA: return mix(cli_label_color(p), cli_extra_color, 0.6);
    case LOBEDICE_CONFUSED: return mix(mix(cli_label_color(p), red, 0.45), black, 0.2);
    }
    return black;
}

/* The name of class pair (r, p): "background", "RUL correct", "RML predicted as RLL" (with '_'
 * for blanks when `tokens`). */
static void append_class_name(text *t, const lobedice_comparison *c, size_t r, size_t p,
                              lobedice_disagreement_kind kind, int tokens)
{
    const char *ref_name = r ? lobedice_comparison_row(c, r - 1)->name : "background";
    const char *pred_name = p ? lobedice_comparison_row(c, p - 1)->name : "background";
    append_name(t, ref_name, tokens);
    if (kind == LOBEDICE_AGREE_LABEL) {
        append_name(t, " correct", tokens);
    } else if (kind != LOBEDICE_AGREE_BACKGROUND) {
        append_name(t, " predicted as ", tokens);
        append_name(t, pred_name, tokens);
    }
}

char *cli_report_color_table(const cli_report *report)
{
    const size_t n = lobedice_comparison_label_rows(report->comparison);
    if (n > LOBEDICE_DISAGREEMENT_MAX_LABELS)
        return NULL;
    text t = {0};
    text_append(&t, "# Color table file LobeDice disagreement map\n");
    text_append(&t, "# %zu values\n", (n + 1) * (n + 1));
    for (size_t r = 0; r <= n; r++)
        for (size_t p = 0; p <= n; p++) {
            int32_t code = 0;
            lobedice_disagreement_kind kind = LOBEDICE_AGREE_BACKGROUND;
            lobedice_disagreement_code(&code, n, r, p);
            lobedice_disagreement_classes(NULL, NULL, &kind, code, n);
            const rgb c = pair_color(kind, r, p);
            text_append(&t, "%ld ", (long)code);
            append_class_name(&t, report->comparison, r, p, kind, 1);
            text_append(&t, " %d %d %d %d\n", c.r, c.g, c.b,
                        kind == LOBEDICE_AGREE_BACKGROUND ? 0 : 255);
        }
    return text_finish(&t);
}

void cli_segments_free(cli_segments *segments)
{
    if (!segments)
        return;
    free(segments->segments);
    free(segments->names);
    memset(segments, 0, sizeof *segments);
}

int cli_report_error_map_segments(cli_segments *out, const lobedice_comparison *comparison,
                                  const lobedice_value_count *counts, size_t ncounts)
{
    memset(out, 0, sizeof *out);
    const size_t n = lobedice_comparison_label_rows(comparison);
    text names = {0};
    size_t *offsets = calloc(ncounts ? ncounts : 1, sizeof *offsets);
    out->segments = calloc(ncounts ? ncounts : 1, sizeof *out->segments);
    if (!offsets || !out->segments) {
        free(offsets);
        cli_segments_free(out);
        return -1;
    }
    for (size_t i = 0; i < ncounts; i++) {
        size_t r = 0, p = 0;
        lobedice_disagreement_kind kind;
        if (counts[i].value <= 0 || counts[i].value > INT32_MAX ||
            lobedice_disagreement_classes(&r, &p, &kind, (int32_t)counts[i].value, n) !=
                LOBEDICE_OK)
            continue; /* background agreement, or no code of this map */
        lobedice_segment *seg = &out->segments[out->count];
        const rgb c = pair_color(kind, r, p);
        seg->color[0] = c.r / 255.0;
        seg->color[1] = c.g / 255.0;
        seg->color[2] = c.b / 255.0;
        seg->label_value = counts[i].value;
        offsets[out->count++] = names.len;
        append_class_name(&names, comparison, r, p, kind, 0);
        text_append(&names, "%c", '\0');
    }
    out->names = text_finish(&names);
    if (!out->names) {
        free(offsets);
        cli_segments_free(out);
        return -1;
    }
    for (size_t i = 0; i < out->count; i++)
        out->segments[i].name = out->names + offsets[i];
    free(offsets);
    return 0;
}

/* ---- the table for a person --------------------------------------------------------------- */

static void format_fixed(char *buf, size_t size, double v, int decimals)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", decimals, v);
}

/* One line on how an input's values became labels, when that is not the default (lobedice
 * values, nothing ignored): its convention and ignored values, or a segmentation's segments. */
static void print_labels(FILE *out, const cli_report *report, lobedice_input input,
                         const cli_image_info *info)
{
    const char *role = input == LOBEDICE_INPUT_REFERENCE ? "reference" : "prediction";
    const lobedice_label_convention *conv =
        lobedice_comparison_convention(report->comparison, input);
    size_t nignored = 0;
    const lobedice_value_count *ignored =
        lobedice_comparison_ignored(report->comparison, input, &nignored);
    const lobedice_segmentation *seg = info->segmentation;
    if (!conv || (!seg && !nignored && strcmp(conv->name, "lobedice") == 0))
        return;
    enum { SHOWN = 8 };
    if (seg) {
        fprintf(out, "  labels      %s: Slicer segmentation, lobes", role);
        size_t shown = 0, other = 0;
        for (size_t i = 0; i < seg->nsegments; i++) {
            const lobedice_segment *g = &seg->segments[i];
            if (!g->lobe)
                continue;
            char name[32];
            lobedice_label_name(name, sizeof name, g->lobe);
            fprintf(out, "%s '%s' %s (%s)", shown++ ? "," : "", g->name, name,
                    g->matched_by == LOBEDICE_MATCH_TERMINOLOGY ? "terminology" : "name");
        }
        for (size_t i = 0; i < seg->nsegments; i++) {
            const lobedice_segment *g = &seg->segments[i];
            if (g->lobe)
                continue;
            if (other < SHOWN)
                fprintf(out, "%s '%s' (%llu voxels)", other ? "," : "; ignored", g->name,
                        (unsigned long long)g->voxels);
            other++;
        }
        if (other > SHOWN)
            fprintf(out, ", ... (%zu segments)", other);
        fprintf(out, "\n");
        return;
    }
    char pairs[1024];
    cli_labels_describe(pairs, sizeof pairs, conv);
    fprintf(out, "  labels      %s read as %s (%s)", role, conv->name, pairs);
    for (size_t i = 0; i < nignored && i < SHOWN; i++)
        fprintf(out, "%s%lld (%llu voxels)",
                i ? ", " : "; other values are background: ", (long long)ignored[i].value,
                (unsigned long long)ignored[i].voxels);
    if (nignored > SHOWN)
        fprintf(out, ", ... (%zu values)", nignored);
    fprintf(out, "\n");
}

void cli_report_print(FILE *out, const cli_report *report)
{
    const lobedice_comparison *c = report->comparison;
    const lobedice_compare_options *o = lobedice_comparison_options(c);
    const size_t nrows = lobedice_comparison_rows(c), nlabels = lobedice_comparison_label_rows(c);
    const int distances = o->surface_distances;
    /* Each row's labels text, made once for the column width and the row itself. */
    char **labels = calloc(nrows ? nrows : 1, sizeof *labels);
    size_t wname = strlen("name"), wlabels = strlen("labels");
    for (size_t i = 0; i < nrows; i++) {
        const lobedice_row_info *row = lobedice_comparison_row(c, i);
        if (cli_text_columns(row->name) > wname)
            wname = cli_text_columns(row->name);
        if (labels)
            labels[i] = cli_labels_text(row->labels, row->nlabels);
        if (labels && labels[i] && strlen(labels[i]) > wlabels)
            wlabels = strlen(labels[i]);
    }
    const cli_image_info *ref = &report->reference, *pred = &report->predicted;
    char *ref_path = cli_text_escape(ref->path), *pred_path = cli_text_escape(pred->path);
    fprintf(out, "LobeDice %s\n", report->version);
    fprintf(out, "  reference   %s: %zu x %zu x %zu voxels of %.4g x %.4g x %.4g mm\n",
            ref_path ? ref_path : "?", ref->size[0], ref->size[1], ref->size[2], ref->spacing[0],
            ref->spacing[1], ref->spacing[2]);
    fprintf(out, "  prediction  %s: %zu x %zu x %zu voxels of %.4g x %.4g x %.4g mm\n",
            pred_path ? pred_path : "?", pred->size[0], pred->size[1], pred->size[2],
            pred->spacing[0], pred->spacing[1], pred->spacing[2]);
    free(ref_path);
    free(pred_path);
    print_labels(out, report, LOBEDICE_INPUT_REFERENCE, ref);
    print_labels(out, report, LOBEDICE_INPUT_PREDICTION, pred);
    fprintf(out, "\n");

    if (nrows == 0)
        fprintf(out, "No label to report: neither map holds a non-zero label.\n\n");
    fprintf(out, "%-*s  %-*s  %7s  %7s  %9s  %9s", (int)wlabels, "labels", (int)wname, "name",
            "Dice", "Jaccard", "ref ml", "pred ml");
    if (distances)
        fprintf(out, "  %8s  %8s", "HD95 mm", "ASSD mm");
    fprintf(out, "  status\n");
    for (size_t i = 0; i < nrows; i++) {
        const lobedice_row_info *row = lobedice_comparison_row(c, i);
        if (i == nlabels)
            fprintf(out, "\n");
        char dice[32], jac[32], vref[32], vpred[32];
        format_fixed(dice, sizeof dice, lobedice_comparison_value(c, i, LOBEDICE_MEASURE_DICE), 4);
        format_fixed(jac, sizeof jac, lobedice_comparison_value(c, i, LOBEDICE_MEASURE_JACCARD), 4);
        format_fixed(vref, sizeof vref,
                     lobedice_comparison_value(c, i, LOBEDICE_MEASURE_VOLUME_REF_ML), 1);
        format_fixed(vpred, sizeof vpred,
                     lobedice_comparison_value(c, i, LOBEDICE_MEASURE_VOLUME_PRED_ML), 1);
        fprintf(out, "%-*s  %s%*s  %7s  %7s  %9s  %9s", (int)wlabels,
                labels && labels[i] ? labels[i] : "?", row->name,
                (int)(wname - cli_text_columns(row->name)), "", dice, jac, vref, vpred);
        if (distances) {
            char hd95[32], assd[32];
            format_fixed(hd95, sizeof hd95, lobedice_comparison_value(c, i, LOBEDICE_MEASURE_HD95),
                         2);
            format_fixed(assd, sizeof assd, lobedice_comparison_value(c, i, LOBEDICE_MEASURE_ASSD),
                         2);
            fprintf(out, "  %8s  %8s", hd95, assd);
        }
        fprintf(out, "  %s\n", lobedice_presence_name(row->presence));
    }
    for (size_t i = 0; labels && i < nrows; i++)
        free(labels[i]);
    free(labels);

    /* the mean row, in the same columns (volumes left blank, no trailing blanks) */
    size_t n_dice = 0;
    const double mean_dice = lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, &n_dice);
    char of[48], dice[32], jac[32];
    if (n_dice == nlabels)
        snprintf(of, sizeof of, "%zu labels", nlabels);
    else
        snprintf(of, sizeof of, "%zu of %zu", n_dice, nlabels);
    format_fixed(dice, sizeof dice, mean_dice, 4);
    format_fixed(jac, sizeof jac, lobedice_comparison_mean(c, LOBEDICE_MEASURE_JACCARD, NULL), 4);
    fprintf(out, "\n%-*s  %-*s  %7s  %7s", (int)wlabels, "mean", (int)wname, of, dice, jac);
    if (distances) {
        char hd95[32], assd[32];
        format_fixed(hd95, sizeof hd95, lobedice_comparison_mean(c, LOBEDICE_MEASURE_HD95, NULL),
                     2);
        format_fixed(assd, sizeof assd, lobedice_comparison_mean(c, LOBEDICE_MEASURE_ASSD, NULL),
                     2);
        fprintf(out, "  %9s  %9s  %8s  %8s", "", "", hd95, assd);
    }
    fprintf(out, "\n");
    char pooled[32];
    format_fixed(pooled, sizeof pooled, lobedice_comparison_pooled_dice(c), 4);
    fprintf(out,
            "pooled Dice %s (the labels' voxels counted together: 2*TP / (2*TP + FP + FN) "
            "over all labels)\n\n",
            pooled);

    switch (report->alignment) {
    case LOBEDICE_ALIGN_IDENTICAL:
        fprintf(out, "Alignment: both maps share one grid; compared voxel by voxel.\n");
        break;
    case LOBEDICE_ALIGN_PLACED:
        fprintf(out, "Alignment: the prediction covers part of the reference grid (a cropped "
                     "segmentation);\n  it was placed on it exactly, background elsewhere.\n");
        break;
    case LOBEDICE_ALIGN_RESAMPLED:
        fprintf(out, "Alignment: the prediction lies on another grid; it was resampled onto the "
                     "reference grid\n  by nearest neighbour (boundaries may shift by a voxel).\n");
        break;
    }
    fprintf(out, "Dice, Jaccard: 1 = identical, 0 = no overlap.\n");
    if (distances)
        fprintf(out, "HD95: 95th percentile of the distances between the two surfaces; ASSD: "
                     "their mean (mm).\n");
    fprintf(out, "\"-\" = undefined: Dice/Jaccard of a label in neither map%s%s.\n",
            o->empty_policy == LOBEDICE_EMPTY_NAN ? "" : " (set by --emptyPolicy here)",
            distances ? ", distances when a mask is empty" : "");
    if (!distances)
        fprintf(out, "Surface distances (HD95, ASSD) were not computed: add --surfaceDistances.\n");
}

/* ---- for the other table writers (lobedice-batch) ----------------------------------------- */

char *cli_csv_cell(const char *s, char separator)
{
    text t = {0};
    append_cell(&t, s, separator, 1);
    return text_finish(&t);
}
