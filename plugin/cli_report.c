/* Report writers of the LobeDice command line: JSON (jansson), CSV/TSV table and its Slicer
 * schema, return parameters, the error map's colour table, and the table for a person. */
#include "cli_report.h"

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

const char *cli_presence_name(lobedice_presence presence)
{
    switch (presence) {
    case LOBEDICE_PRESENT: return "present";
    case LOBEDICE_MISSING_IN_PREDICTION: return "missing_in_prediction";
    case LOBEDICE_MISSING_IN_REFERENCE: return "missing_in_reference";
    case LOBEDICE_ABSENT: return "absent";
    }
    return "unknown";
}

const char *cli_empty_policy_name(cli_empty_policy policy)
{
    switch (policy) {
    case CLI_EMPTY_NAN: return "nan";
    case CLI_EMPTY_ONE: return "one";
    case CLI_EMPTY_ZERO: return "zero";
    }
    return "unknown";
}

/* The labels of rows[0..n) joined by '+' (a region row gives its union): "2" for a label row,
 * "1+2+3" for a region, "1+2+3+4+5" for the label rows the mean row averages. malloc'd; NULL
 * when out of memory. */
static char *labels_text(const cli_row *rows, size_t n)
{
    text t = {0};
    const char *sep = "";
    for (size_t r = 0; r < n; r++) {
        const int64_t *labels = rows[r].is_region ? rows[r].labels : &rows[r].label;
        size_t count = rows[r].is_region ? rows[r].nlabels : 1;
        for (size_t i = 0; i < count; i++, sep = "+")
            text_append(&t, "%s%lld", sep, (long long)labels[i]);
    }
    return text_finish(&t);
}

/* ---- aggregation -------------------------------------------------------------------------- */

#define SURFACE_MEAN(report, field, used)                                                          \
    lobedice_mean_defined(&(report)->surfaces[0].field, (report)->nlabels,                         \
                          sizeof(lobedice_label_surface), &(used))

int cli_report_finish(cli_report *report)
{
    for (size_t i = 0; i < report->nlabels + report->nregions; i++) {
        lobedice_label_overlap *ov = &report->overlaps[i];
        if (lobedice_overlap_presence(ov) == LOBEDICE_ABSENT &&
            report->empty_policy != CLI_EMPTY_NAN) {
            double v = report->empty_policy == CLI_EMPTY_ONE ? 1.0 : 0.0;
            ov->dice = v;
            ov->jaccard = v;
        }
    }
    /* The label rows come first: their overlaps are the first nlabels entries. */
    lobedice_status st =
        lobedice_overlap_summarize(&report->summary, report->overlaps, report->nlabels);
    if (st != LOBEDICE_OK)
        return st;
    report->mean_hd = report->mean_hd95 = report->mean_assd = report->mean_nsd = NAN;
    report->n_hd = report->n_hd95 = report->n_assd = report->n_nsd = 0;
    if (report->distances && report->nlabels) {
        report->mean_hd = SURFACE_MEAN(report, hd, report->n_hd);
        report->mean_hd95 = SURFACE_MEAN(report, hd95, report->n_hd95);
        report->mean_assd = SURFACE_MEAN(report, assd, report->n_assd);
        report->mean_nsd = SURFACE_MEAN(report, nsd, report->n_nsd);
    }
    return LOBEDICE_OK;
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* A number, or null where it is undefined. Every set_* below steals the reference; a NULL
 * (allocation failure) makes json_object_set_new fail, which the caller sees in `ok`. */
static json_t *json_number(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static json_t *json_triple_size(const size_t v[3])
{
    return json_pack("[III]", (json_int_t)v[0], (json_int_t)v[1], (json_int_t)v[2]);
}

static json_t *json_triple(const double v[3])
{
    return json_pack("[fff]", v[0], v[1], v[2]);
}

static int set(json_t *object, const char *key, json_t *value)
{
    return value && json_object_set_new(object, key, value) == 0;
}

static json_t *json_image(const cli_image_info *info)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    char *path = cli_text_escape(info->path); /* a file name need not be UTF-8 */
    int ok = path && set(o, "path", json_string(path)) &&
             set(o, "size", json_triple_size(info->size)) &&
             set(o, "spacing", json_triple(info->spacing)) &&
             set(o, "origin", json_triple(info->origin));
    free(path);
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
    const cli_row *row = &report->rows[index];
    const lobedice_label_overlap *ov = &report->overlaps[index];
    int ok;
    if (row->is_region) {
        json_t *labels = json_array();
        ok = set(o, "name", json_string(row->name)) && set(o, "labels", labels);
        for (size_t i = 0; ok && i < row->nlabels; i++)
            ok = json_array_append_new(labels, json_integer((json_int_t)row->labels[i])) == 0;
    } else {
        ok = set(o, "label", json_integer((json_int_t)row->label)) &&
             set(o, "name", json_string(row->name));
    }
    ok = ok && set(o, "status", json_string(cli_presence_name(lobedice_overlap_presence(ov)))) &&
         set(o, "tp", json_integer((json_int_t)ov->tp)) &&
         set(o, "fp", json_integer((json_int_t)ov->fp)) &&
         set(o, "fn", json_integer((json_int_t)ov->fn)) &&
         set(o, "tn", json_integer((json_int_t)ov->tn)) && set(o, "dice", json_number(ov->dice)) &&
         set(o, "jaccard", json_number(ov->jaccard)) &&
         set(o, "precision", json_number(ov->precision)) &&
         set(o, "sensitivity", json_number(ov->sensitivity)) &&
         set(o, "specificity", json_number(ov->specificity)) &&
         set(o, "volume_ref_ml", json_number(ov->volume_ref_ml)) &&
         set(o, "volume_pred_ml", json_number(ov->volume_pred_ml)) &&
         set(o, "volume_similarity", json_number(ov->volume_similarity));
    if (ok && report->distances) {
        const lobedice_label_surface *sf = &report->surfaces[index];
        ok = set(o, "hd_mm", json_number(sf->hd)) && set(o, "hd95_mm", json_number(sf->hd95)) &&
             set(o, "assd_mm", json_number(sf->assd)) && set(o, "nsd", json_number(sf->nsd));
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *cli_report_json(const cli_report *report)
{
    /* Containers are kept with a reference of our own while being filled, so a failed step
     * anywhere releases everything with the decrefs at the end. */
    json_t *root = json_object(), *predicted = json_image(&report->predicted),
           *labels = json_array(), *regions = json_array(), *summary = json_object();
    int ok =
        root && predicted && labels && regions && summary &&
        set(root, "tool", json_string("LobeDice")) &&
        set(root, "version", json_string(report->version)) &&
        set(root, "reference", json_image(&report->reference)) &&
        set(root, "predicted", json_incref(predicted)) &&
        set(predicted, "resampled", json_boolean(report->alignment == LOBEDICE_ALIGN_RESAMPLED)) &&
        set(predicted, "alignment", json_string(cli_alignment_name(report->alignment))) &&
        set(root, "empty_policy", json_string(cli_empty_policy_name(report->empty_policy))) &&
        set(root, "surface_distances", json_boolean(report->distances)) &&
        set(root, "tolerance_mm", json_real(report->tolerance_mm)) &&
        set(root, "labels", json_incref(labels)) && set(root, "regions", json_incref(regions));
    for (size_t i = 0; ok && i < report->nlabels + report->nregions; i++) {
        json_t *row = json_row(report, i);
        ok = row && json_array_append_new(i < report->nlabels ? labels : regions, row) == 0;
    }
    const lobedice_overlap_summary *s = &report->summary;
    ok = ok && set(root, "summary", json_incref(summary)) &&
         set(summary, "labels", json_integer((json_int_t)report->nlabels)) &&
         set(summary, "mean_dice", json_number(s->mean_dice)) &&
         set(summary, "n_dice", json_integer((json_int_t)s->n_dice)) &&
         set(summary, "pooled_dice", json_number(s->pooled_dice)) &&
         set(summary, "mean_jaccard", json_number(s->mean_jaccard)) &&
         set(summary, "n_jaccard", json_integer((json_int_t)s->n_jaccard));
    if (ok && report->distances)
        ok = set(summary, "mean_hd95_mm", json_number(report->mean_hd95)) &&
             set(summary, "n_hd95", json_integer((json_int_t)report->n_hd95)) &&
             set(summary, "mean_assd_mm", json_number(report->mean_assd)) &&
             set(summary, "n_assd", json_integer((json_int_t)report->n_assd)) &&
             set(summary, "mean_nsd", json_number(report->mean_nsd)) &&
             set(summary, "n_nsd", json_integer((json_int_t)report->n_nsd));
    char *out = NULL;
    if (ok)
        out = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(summary);
    json_decref(regions);
    json_decref(labels);
    json_decref(predicted);
    json_decref(root);
    if (!out)
        return NULL;
    /* A file ends with a newline; jansson's text does not. */
    size_t n = strlen(out);
    char *withnl = malloc(n + 2);
    if (withnl) {
        memcpy(withnl, out, n);
        memcpy(withnl + n, "\n", 2);
    }
    free(out);
    return withnl;
}

/* ---- table and schema --------------------------------------------------------------------- */

typedef struct column {
    const char *name, *type, *unit, *description;
    int distance; /* only when surface distances were computed */
} column;

static const column columns[] = {
    {"name", "string", "", "Label or region name; mean for the mean row", 0},
    {"kind", "string", "", "label, region or mean", 0},
    {"labels", "string", "",
     "The label value; the labels of a region joined by +; the labels averaged by the mean row", 0},
    {"status", "string", "",
     "present, missing_in_prediction, missing_in_reference or absent (label in neither map)", 0},
    {"dice", "double", "", "Dice 2TP/(2TP+FP+FN); empty when undefined", 0},
    {"jaccard", "double", "", "Jaccard TP/(TP+FP+FN); empty when undefined", 0},
    {"precision", "double", "", "TP/(TP+FP); empty when the prediction is empty", 0},
    {"sensitivity", "double", "", "TP/(TP+FN); empty when the reference is empty", 0},
    {"specificity", "double", "", "TN/(TN+FP)", 0},
    {"volume_ref_ml", "double", "ml", "Reference volume", 0},
    {"volume_pred_ml", "double", "ml", "Predicted volume", 0},
    {"volume_similarity", "double", "",
     "2(pred-ref)/(pred+ref) volumes (ITK's signed form); empty when both are empty", 0},
    {"tp", "long long", "voxels", "True positives: voxels of the label in both maps", 0},
    {"fp", "long long", "voxels", "False positives: predicted only", 0},
    {"fn", "long long", "voxels", "False negatives: in the reference only", 0},
    {"tn", "long long", "voxels", "True negatives: in neither map", 0},
    {"hd_mm", "double", "mm", "Hausdorff distance between the surfaces; empty when a mask is empty",
     1},
    {"hd95_mm", "double", "mm", "95th percentile Hausdorff distance (max of both directions)", 1},
    {"assd_mm", "double", "mm", "Average symmetric surface distance", 1},
    {"nsd", "double", "", "Surface Dice: fraction of surface within the tolerance", 1},
};
#define NCOLUMNS (sizeof columns / sizeof *columns)

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

static void append_real_cell(text *t, double v, char sep)
{
    char buf[40];
    append_cell(t, cli_format_double(buf, sizeof buf, v), sep, 0);
}

static void append_count_cell(text *t, uint64_t v, char sep)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    append_cell(t, buf, sep, 0);
}

static void append_row(text *t, const cli_report *report, size_t index, char sep)
{
    const cli_row *row = &report->rows[index];
    const lobedice_label_overlap *ov = &report->overlaps[index];
    char *label_text = labels_text(row, 1);
    if (!label_text) {
        t->failed = 1;
        return;
    }
    append_cell(t, row->name, sep, 1);
    append_cell(t, row->is_region ? "region" : "label", sep, 0);
    append_cell(t, label_text, sep, 0);
    free(label_text);
    append_cell(t, cli_presence_name(lobedice_overlap_presence(ov)), sep, 0);
    const double reals[] = {ov->dice,           ov->jaccard,          ov->precision,
                            ov->sensitivity,    ov->specificity,      ov->volume_ref_ml,
                            ov->volume_pred_ml, ov->volume_similarity};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        append_real_cell(t, reals[i], sep);
    append_count_cell(t, ov->tp, sep);
    append_count_cell(t, ov->fp, sep);
    append_count_cell(t, ov->fn, sep);
    append_count_cell(t, ov->tn, sep);
    if (report->distances) {
        const lobedice_label_surface *sf = &report->surfaces[index];
        append_real_cell(t, sf->hd, sep);
        append_real_cell(t, sf->hd95, sep);
        append_real_cell(t, sf->assd, sep);
        append_real_cell(t, sf->nsd, sep);
    }
    text_append(t, "\n");
}

/* The mean row: the mean of each measure over the label rows where it is defined (the JSON
 * summary's means); counts and volumes are left empty (a mean count means nothing). */
static void append_mean_row(text *t, const cli_report *report, char sep)
{
    const lobedice_overlap_summary *s = &report->summary;
    append_cell(t, "mean", sep, 1);
    append_cell(t, "mean", sep, 0);
    char *label_text = labels_text(report->rows, report->nlabels);
    if (!label_text) {
        t->failed = 1;
        return;
    }
    append_cell(t, label_text, sep, 0);
    free(label_text);
    append_cell(t, "", sep, 0);
    const double reals[] = {s->mean_dice,
                            s->mean_jaccard,
                            s->mean_precision,
                            s->mean_sensitivity,
                            s->mean_specificity,
                            NAN,
                            NAN,
                            s->mean_volume_similarity};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        append_real_cell(t, reals[i], sep);
    for (int i = 0; i < 4; i++)
        append_cell(t, "", sep, 0);
    if (report->distances) {
        append_real_cell(t, report->mean_hd, sep);
        append_real_cell(t, report->mean_hd95, sep);
        append_real_cell(t, report->mean_assd, sep);
        append_real_cell(t, report->mean_nsd, sep);
    }
    text_append(t, "\n");
}

char *cli_report_table(const cli_report *report, char sep)
{
    text t = {0};
    int first = 1;
    for (size_t c = 0; c < NCOLUMNS; c++) {
        if (columns[c].distance && !report->distances)
            continue;
        append_cell(&t, columns[c].name, sep, first);
        first = 0;
    }
    text_append(&t, "\n");
    for (size_t i = 0; i < report->nlabels + report->nregions; i++)
        append_row(&t, report, i, sep);
    append_mean_row(&t, report, sep);
    return text_finish(&t);
}

char *cli_report_schema(const cli_report *report, char sep)
{
    text t = {0};
    append_cell(&t, "columnName", sep, 1);
    append_cell(&t, "type", sep, 0);
    append_cell(&t, "unitLabel", sep, 0);
    append_cell(&t, "description", sep, 0);
    text_append(&t, "\n");
    for (size_t c = 0; c < NCOLUMNS; c++) {
        if (columns[c].distance && !report->distances)
            continue;
        append_cell(&t, columns[c].name, sep, 1);
        append_cell(&t, columns[c].type, sep, 0);
        append_cell(&t, columns[c].unit, sep, 0);
        if (strcmp(columns[c].name, "nsd") == 0) {
            char description[128];
            snprintf(description, sizeof description,
                     "Surface Dice: fraction of surface within %g mm", report->tolerance_mm);
            append_cell(&t, description, sep, 0);
        } else {
            append_cell(&t, columns[c].description, sep, 0);
        }
        text_append(&t, "\n");
    }
    return text_finish(&t);
}

/* ---- return parameters -------------------------------------------------------------------- */

char *cli_report_summary_line(const cli_report *report)
{
    text t = {0};
    for (size_t i = 0; i < report->nlabels; i++) {
        const char *name = report->rows[i].name;
        double dice = report->overlaps[i].dice;
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
    cli_format_double(dice, sizeof dice, report->summary.mean_dice);
    cli_format_double(hd95, sizeof hd95, report->distances ? report->mean_hd95 : NAN);
    text t = {0};
    /* Keys are the XML names; Slicer's reader trims the blanks around key and value. */
    text_append(&t, "meanDice = %s\nmeanHD95 = %s\nsummary = %s\n", dice, hd95, summary);
    free(summary);
    return text_finish(&t);
}

/* ---- colour table of the error map -------------------------------------------------------- */

typedef struct rgb {
    int r, g, b;
} rgb;

static rgb label_color(size_t k)
{
    static const rgb palette[] = {
        {128, 174, 128}, {241, 214, 145}, {177, 122, 101}, {111, 184, 210}, {216, 101, 79},
        {221, 130, 101}, {144, 238, 144}, {192, 104, 88},  {220, 245, 20},  {78, 63, 0}};
    return palette[(k - 1) % (sizeof palette / sizeof *palette)];
}

static rgb mix(rgb a, rgb b, double wb)
{
    rgb out = {(int)lround(a.r * (1 - wb) + b.r * wb), (int)lround(a.g * (1 - wb) + b.g * wb),
               (int)lround(a.b * (1 - wb) + b.b * wb)};
    return out;
}

/* A name without blanks (Slicer's colour files separate fields by spaces). */
static void append_token(text *t, const char *name)
{
    for (const char *p = name; *p; p++)
        text_append(t, "%c", *p == ' ' ? '_' : *p);
}

/* The value lobedice_disagreement_map gives each (reference k, predicted k) pair for n labels
 * (k = 0: background or a label not reported), codes[r * (n + 1) + p]: asked of the map itself,
 * on a tiny image holding every pair once, so that the coding lives in the core alone and the
 * table names exactly the values the map holds. malloc'd; NULL when out of memory or when the
 * map refuses n (more than 99 labels). */
static int32_t *disagreement_codes(size_t n)
{
    const size_t side = n + 1, count = side * side; /* n <= 99: at most 10000 voxels */
    int16_t *ref = malloc(count * sizeof *ref), *pred = malloc(count * sizeof *pred);
    int64_t *labels = malloc(side * sizeof *labels);
    int32_t *codes = malloc(count * sizeof *codes);
    lobedice_status st = LOBEDICE_ENOMEM;
    if (ref && pred && labels && codes && n < INT16_MAX) {
        for (size_t k = 0; k < n; k++)
            labels[k] = (int64_t)k + 1; /* value v is the v-th label */
        for (size_t i = 0; i < count; i++) {
            ref[i] = (int16_t)(i / side);
            pred[i] = (int16_t)(i % side);
        }
        const lobedice_volume vref = {ref, LOBEDICE_INT16, {count, 1, 1}, {1, 1, 1}};
        const lobedice_volume vpred = {pred, LOBEDICE_INT16, {count, 1, 1}, {1, 1, 1}};
        st = lobedice_disagreement_map(codes, LOBEDICE_INT32, &vref, &vpred, labels, n, 1);
    }
    free(ref);
    free(pred);
    free(labels);
    if (st != LOBEDICE_OK) {
        free(codes);
        return NULL;
    }
    return codes;
}

char *cli_report_color_table(const cli_report *report)
{
    const size_t n = report->nlabels, side = n + 1;
    int32_t *codes = disagreement_codes(n);
    if (!codes)
        return NULL;
    const rgb black = {0, 0, 0}, red = {230, 20, 20}, yellow = {250, 230, 0},
              magenta = {255, 0, 255};
    text t = {0};
    text_append(&t, "# Color table file LobeDice disagreement map\n");
    text_append(&t, "# %zu values\n", side * side);
    text_append(&t, "%ld background 0 0 0 0\n", (long)codes[0]);
    for (size_t k = 1; k <= n; k++) {
        rgb c = label_color(k);
        text_append(&t, "%ld ", (long)codes[k * side + k]);
        append_token(&t, report->rows[k - 1].name);
        text_append(&t, "_correct %d %d %d 255\n", c.r, c.g, c.b);
    }
    for (size_t r = 0; r <= n; r++)
        for (size_t p = 0; p <= n; p++) {
            if (r == p)
                continue;
            rgb c;
            if (p == 0) /* missed: a dark tone of the reference label */
                c = mix(mix(label_color(r), red, 0.5), black, 0.3);
            else if (r == 0) /* predicted where the reference has background */
                c = mix(label_color(p), yellow, 0.6);
            else /* one label taken for another: the predicted label's colour, loud */
                c = mix(label_color(p), magenta, 0.45);
            text_append(&t, "%ld ", (long)codes[r * side + p]);
            append_token(&t, r ? report->rows[r - 1].name : "background");
            text_append(&t, "_predicted_as_");
            append_token(&t, p ? report->rows[p - 1].name : "background");
            text_append(&t, " %d %d %d 255\n", c.r, c.g, c.b);
        }
    free(codes);
    return text_finish(&t);
}

/* ---- the table for a person --------------------------------------------------------------- */

static void format_fixed(char *buf, size_t size, double v, int decimals)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", decimals, v);
}

void cli_report_print(FILE *out, const cli_report *report)
{
    const size_t nrows = report->nlabels + report->nregions;
    /* Each row's labels text, made once for the column width and the row itself. */
    char **labels = calloc(nrows ? nrows : 1, sizeof *labels);
    size_t wname = strlen("name"), wlabels = strlen("labels");
    for (size_t i = 0; i < nrows; i++) {
        const cli_row *row = &report->rows[i];
        if (strlen(row->name) > wname)
            wname = strlen(row->name);
        if (labels)
            labels[i] = labels_text(row, 1);
        if (labels && labels[i] && strlen(labels[i]) > wlabels)
            wlabels = strlen(labels[i]);
    }
    const cli_image_info *ref = &report->reference, *pred = &report->predicted;
    fprintf(out, "LobeDice %s\n", report->version);
    fprintf(out, "  reference   %s: %zu x %zu x %zu voxels of %.4g x %.4g x %.4g mm\n", ref->path,
            ref->size[0], ref->size[1], ref->size[2], ref->spacing[0], ref->spacing[1],
            ref->spacing[2]);
    fprintf(out, "  prediction  %s: %zu x %zu x %zu voxels of %.4g x %.4g x %.4g mm\n\n",
            pred->path, pred->size[0], pred->size[1], pred->size[2], pred->spacing[0],
            pred->spacing[1], pred->spacing[2]);

    if (nrows == 0)
        fprintf(out, "No label to report: neither map holds a non-zero label.\n\n");
    fprintf(out, "%-*s  %-*s  %7s  %7s  %9s  %9s", (int)wlabels, "labels", (int)wname, "name",
            "Dice", "Jaccard", "ref ml", "pred ml");
    if (report->distances)
        fprintf(out, "  %8s  %8s", "HD95 mm", "ASSD mm");
    fprintf(out, "  status\n");
    for (size_t i = 0; i < nrows; i++) {
        const cli_row *row = &report->rows[i];
        const lobedice_label_overlap *ov = &report->overlaps[i];
        if (i == report->nlabels)
            fprintf(out, "\n");
        char dice[32], jac[32], vref[32], vpred[32];
        format_fixed(dice, sizeof dice, ov->dice, 4);
        format_fixed(jac, sizeof jac, ov->jaccard, 4);
        format_fixed(vref, sizeof vref, ov->volume_ref_ml, 1);
        format_fixed(vpred, sizeof vpred, ov->volume_pred_ml, 1);
        fprintf(out, "%-*s  %-*s  %7s  %7s  %9s  %9s", (int)wlabels,
                labels && labels[i] ? labels[i] : "?", (int)wname, row->name, dice, jac, vref,
                vpred);
        if (report->distances) {
            char hd95[32], assd[32];
            format_fixed(hd95, sizeof hd95, report->surfaces[i].hd95, 2);
            format_fixed(assd, sizeof assd, report->surfaces[i].assd, 2);
            fprintf(out, "  %8s  %8s", hd95, assd);
        }
        fprintf(out, "  %s\n", cli_presence_name(lobedice_overlap_presence(ov)));
    }
    for (size_t i = 0; labels && i < nrows; i++)
        free(labels[i]);
    free(labels);

    /* the mean row, in the same columns (volumes left blank, no trailing blanks) */
    const lobedice_overlap_summary *s = &report->summary;
    char of[48], dice[32], jac[32];
    if (s->n_dice == report->nlabels)
        snprintf(of, sizeof of, "%zu labels", report->nlabels);
    else
        snprintf(of, sizeof of, "%zu of %zu", s->n_dice, report->nlabels);
    format_fixed(dice, sizeof dice, s->mean_dice, 4);
    format_fixed(jac, sizeof jac, s->mean_jaccard, 4);
    fprintf(out, "\n%-*s  %-*s  %7s  %7s", (int)wlabels, "mean", (int)wname, of, dice, jac);
    if (report->distances) {
        char hd95[32], assd[32];
        format_fixed(hd95, sizeof hd95, report->mean_hd95, 2);
        format_fixed(assd, sizeof assd, report->mean_assd, 2);
        fprintf(out, "  %9s  %9s  %8s  %8s", "", "", hd95, assd);
    }
    fprintf(out, "\n");
    char pooled[32];
    format_fixed(pooled, sizeof pooled, s->pooled_dice, 4);
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
    if (report->distances)
        fprintf(out, "HD95: 95th percentile of the distances between the two surfaces; ASSD: "
                     "their mean (mm).\n");
    fprintf(out, "\"-\" = undefined: Dice/Jaccard of a label in neither map%s%s.\n",
            report->empty_policy == CLI_EMPTY_NAN ? "" : " (set by --emptyPolicy here)",
            report->distances ? ", distances when a mask is empty" : "");
    if (!report->distances)
        fprintf(out, "Surface distances (HD95, ASSD) were not computed: add --surfaceDistances.\n");
}
