/* The comparison: which labels and regions, the overlap and surface measures of each, the
 * empty-label policy and the summaries, computed once for every front end. The measures
 * themselves come from overlap.c and surface.c; this file decides what is measured and keeps
 * the results. */
#include "label_lookup.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Measures ------------------------------------------------------------------------------- */

/* In enum order; the descriptions follow docs/measures.md. */
static const lobedice_measure_info ld_measures[LOBEDICE_MEASURE_COUNT] = {
    {"dice", "Dice", "", "2TP/(2TP+FP+FN); undefined when the mask is in neither map", 0, 0, 1},
    {"jaccard", "Jaccard", "", "TP/(TP+FP+FN); undefined when the mask is in neither map", 0, 0, 1},
    {"precision", "Precision", "", "TP/(TP+FP); undefined when the prediction is empty", 0, 0, 1},
    {"sensitivity", "Sensitivity", "", "TP/(TP+FN); undefined when the reference is empty", 0, 0,
     1},
    {"specificity", "Specificity", "", "TN/(TN+FP); undefined when TN+FP is 0", 0, 0, 1},
    {"false_negative_error", "False negative error", "",
     "FN/(TP+FN), 1 - sensitivity; undefined when the reference is empty", 0, 0, 1},
    {"false_positive_error", "False positive error", "",
     "FP/(TP+FP), 1 - precision; undefined when the prediction is empty", 0, 0, 1},
    {"volume_ref_ml", "Reference volume", "ml", "Reference voxels times the voxel volume", 0, 0, 0},
    {"volume_pred_ml", "Predicted volume", "ml", "Predicted voxels times the voxel volume", 0, 0,
     0},
    {"volume_similarity", "Volume similarity", "",
     "2(pred-ref)/(pred+ref) volumes (ITK's signed form); undefined when both are empty", 0, 0, 1},
    {"tp", "TP", "voxels", "True positives: voxels of the mask in both maps", 1, 0, 0},
    {"fp", "FP", "voxels", "False positives: voxels of the mask in the prediction only", 1, 0, 0},
    {"fn", "FN", "voxels", "False negatives: voxels of the mask in the reference only", 1, 0, 0},
    {"tn", "TN", "voxels", "True negatives: voxels in neither mask", 1, 0, 0},
    {"hd_mm", "HD", "mm",
     "Hausdorff distance between the two surfaces; undefined when a mask is empty", 0, 1, 1},
    {"hd95_mm", "HD95", "mm",
     "95th percentile Hausdorff distance, the larger of the two directions; undefined when a "
     "mask is empty",
     0, 1, 1},
    {"assd_mm", "ASSD", "mm", "Average symmetric surface distance; undefined when a mask is empty",
     0, 1, 1},
    {"nsd", "Surface Dice", "",
     "Normalized surface Dice: fraction of both surfaces within the tolerance of the other; "
     "undefined when a mask is empty",
     0, 1, 1},
    {"hd_ref_to_pred_mm", "HD ref to pred", "mm",
     "Largest distance from the reference surface to the predicted one", 0, 1, 1},
    {"hd_pred_to_ref_mm", "HD pred to ref", "mm",
     "Largest distance from the predicted surface to the reference one", 0, 1, 1},
    {"hd95_ref_to_pred_mm", "HD95 ref to pred", "mm",
     "95th percentile of the distances from the reference surface to the predicted one", 0, 1, 1},
    {"hd95_pred_to_ref_mm", "HD95 pred to ref", "mm",
     "95th percentile of the distances from the predicted surface to the reference one", 0, 1, 1},
    {"asd_ref_to_pred_mm", "ASD ref to pred", "mm",
     "Average distance from the reference surface to the predicted one (directed ASSD)", 0, 1, 1},
    {"asd_pred_to_ref_mm", "ASD pred to ref", "mm",
     "Average distance from the predicted surface to the reference one (directed ASSD)", 0, 1, 1},
    {"ref_surface_voxels", "Reference surface", "voxels", "Surface voxels of the reference mask", 1,
     1, 0},
    {"pred_surface_voxels", "Predicted surface", "voxels", "Surface voxels of the predicted mask",
     1, 1, 0},
    {"volume_difference", "Volume difference", "",
     "(pred-ref)/ref volumes, the relative volume difference; undefined when the reference is "
     "empty",
     0, 0, 1},
};

const lobedice_measure_info *lobedice_measure_get_info(lobedice_measure measure)
{
    return (unsigned)measure < LOBEDICE_MEASURE_COUNT ? &ld_measures[measure] : NULL;
}

/* ---- Names ---------------------------------------------------------------------------------- */

static const char *const ld_empty_policy_names[] = {"nan", "one", "zero"};

const char *lobedice_empty_policy_name(lobedice_empty_policy policy)
{
    return (unsigned)policy < 3 ? ld_empty_policy_names[policy] : NULL;
}

lobedice_status lobedice_empty_policy_parse(lobedice_empty_policy *policy, const char *name)
{
    if (!policy || !name)
        return LOBEDICE_EINVAL;
    for (unsigned i = 0; i < 3; i++)
        if (strcmp(name, ld_empty_policy_names[i]) == 0) {
            *policy = (lobedice_empty_policy)i;
            return LOBEDICE_OK;
        }
    return LOBEDICE_EINVAL;
}

static const char *const ld_lobe_names[] = {"RUL", "RML", "RLL", "LUL", "LLL"};

lobedice_status lobedice_label_name(char *buf, size_t size, int64_t label)
{
    if (!buf || size == 0)
        return LOBEDICE_EINVAL;
    if (label >= 1 && label <= 5)
        snprintf(buf, size, "%s", ld_lobe_names[label - 1]);
    else
        snprintf(buf, size, "label %lld", (long long)label);
    return LOBEDICE_OK;
}

/* ---- Options -------------------------------------------------------------------------------- */

/* The bytes of the options each version has (fields are only appended). */
static const size_t ld_compare_options_size[LOBEDICE_COMPARE_OPTIONS_VERSION] = {
    offsetof(lobedice_compare_options, ref_convention), sizeof(lobedice_compare_options)};

static const lobedice_compare_options ld_compare_defaults = LOBEDICE_COMPARE_OPTIONS_INIT;

lobedice_status lobedice_compare_options_init(lobedice_compare_options *opts, unsigned version)
{
    return ld_options_init(opts, &ld_compare_defaults, ld_compare_options_size, version,
                           LOBEDICE_COMPARE_OPTIONS_VERSION);
}

static bool ld_has_repeat(const int64_t *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (labels[i] == labels[j])
                return true;
    return false;
}

static lobedice_status ld_check_compare_options(const lobedice_compare_options *o)
{
    if ((o->nlabels && !o->labels) || ld_has_repeat(o->labels, o->nlabels))
        return LOBEDICE_EINVAL;
    if (o->label_names) {
        if (!o->labels)
            return LOBEDICE_EINVAL;
        for (size_t i = 0; i < o->nlabels; i++)
            if (!o->label_names[i] || !o->label_names[i][0])
                return LOBEDICE_EINVAL;
    }
    if (o->region_mode != LOBEDICE_REGIONS_LUNGS && o->region_mode != LOBEDICE_REGIONS_GIVEN)
        return LOBEDICE_EINVAL;
    if (o->region_mode == LOBEDICE_REGIONS_GIVEN) {
        if (o->nregions && !o->regions)
            return LOBEDICE_EINVAL;
        for (size_t r = 0; r < o->nregions; r++) {
            const lobedice_region *g = &o->regions[r];
            if (!g->name || !g->name[0] || !g->nlabels || !g->labels ||
                ld_has_repeat(g->labels, g->nlabels))
                return LOBEDICE_EINVAL;
            for (size_t q = 0; q < r; q++)
                if (strcmp(o->regions[q].name, g->name) == 0)
                    return LOBEDICE_EINVAL;
        }
    }
    if (isnan(o->tolerance_mm) || o->tolerance_mm < 0)
        return LOBEDICE_EINVAL;
    if (!lobedice_empty_policy_name(o->empty_policy))
        return LOBEDICE_EINVAL;
    if (!ld_convention_valid(o->ref_convention) || !ld_convention_valid(o->pred_convention))
        return LOBEDICE_EINVAL;
    return LOBEDICE_OK;
}

/* ---- The result ----------------------------------------------------------------------------- */

struct lobedice_comparison {
    lobedice_compare_options options; /* resolved; its pointers point into this object */
    size_t nlabels, nrows;
    int64_t *labels; /* the labels compared, then every region's labels */
    char **names;    /* one per row, owned */
    lobedice_region *regions;
    lobedice_row_info *rows;
    lobedice_label_overlap *overlaps; /* one per row, the empty policy applied */
    double *fne, *fpe;                /* one per row */
    lobedice_label_surface *surfaces; /* one per row, when surface distances were asked for */
    uint64_t *hd_voxels;              /* 3 per row, likewise */
    double mean[LOBEDICE_MEASURE_COUNT];
    size_t used[LOBEDICE_MEASURE_COUNT];
    double pooled_dice;
    /* per input: the convention, its pairs sorted by value (the map the kernels read; NULL for
     * the identity), the values it ignores */
    lobedice_label_convention conventions[2];
    int64_t map_values[2][LOBEDICE_CONVENTION_MAX_PAIRS],
        map_labels[2][LOBEDICE_CONVENTION_MAX_PAIRS];
    ld_value_map map_storage[2];
    const ld_value_map *maps[2];
    lobedice_value_count *ignored[2];
    size_t nignored[2];
};

void lobedice_comparison_free(lobedice_comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->names && i < c->nrows; i++)
        free(c->names[i]);
    free(c->names);
    free(c->labels);
    free(c->regions);
    free(c->rows);
    free(c->overlaps);
    free(c->fne);
    free(c->fpe);
    free(c->surfaces);
    free(c->hd_voxels);
    free(c->ignored[0]);
    free(c->ignored[1]);
    free(c);
}

static char *ld_strdup(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

/* calloc of n items of `size` bytes (at least one item), NULL on overflow (calloc checks the
 * product) or without memory. */
static void *ld_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

/* The conventions the comparison reads the maps with: the caller's, or the identity; their
 * pairs sorted by value become the maps the kernels look values up in. */
static void ld_set_conventions(lobedice_comparison *c, const lobedice_compare_options *o)
{
    const lobedice_label_convention *given[2] = {o->ref_convention, o->pred_convention};
    for (int i = 0; i < 2; i++) {
        lobedice_label_convention *conv = &c->conventions[i];
        if (given[i])
            *conv = *given[i];
        else
            lobedice_convention_preset(conv, "identity");
        c->maps[i] = NULL;
        if (conv->identity)
            continue;
        /* insertion sort of at most LOBEDICE_CONVENTION_MAX_PAIRS pairs */
        size_t n = 0;
        for (size_t k = 0; k < conv->npairs; k++) {
            size_t at = n;
            while (at > 0 && c->map_values[i][at - 1] > conv->values[k]) {
                c->map_values[i][at] = c->map_values[i][at - 1];
                c->map_labels[i][at] = c->map_labels[i][at - 1];
                at--;
            }
            c->map_values[i][at] = conv->values[k];
            c->map_labels[i][at] = conv->labels[k];
            n++;
        }
        c->map_storage[i] = (ld_value_map){c->map_values[i], c->map_labels[i], n};
        c->maps[i] = &c->map_storage[i];
    }
}

/* The labels compared: the caller's, or every non-zero label the maps' values stand for, and
 * the values each convention ignores (from the value counts of both maps, when needed). */
static lobedice_status ld_choose_labels(int64_t **labels, size_t *nlabels, lobedice_comparison *c,
                                        const lobedice_compare_options *o,
                                        const lobedice_volume *ref, const lobedice_volume *pred)
{
    const bool identity = c->conventions[0].identity && c->conventions[1].identity;
    lobedice_value_count *counts[2] = {NULL, NULL};
    size_t ncounts[2] = {0, 0};
    lobedice_status st = LOBEDICE_OK;
    if (!o->labels || !identity || o->check_labels) {
        st = ld_value_counts_alloc(&counts[0], &ncounts[0], ref, o->threads);
        if (st == LOBEDICE_OK)
            st = ld_value_counts_alloc(&counts[1], &ncounts[1], pred, o->threads);
    }
    if (st == LOBEDICE_OK && o->check_labels) {
        lobedice_label_check check;
        const lobedice_label_convention *conventions[2] = {&c->conventions[0], &c->conventions[1]};
        const lobedice_value_count *const cc[2] = {counts[0], counts[1]};
        ld_labels_check(&check, conventions, cc, ncounts);
        if (check.mismatch != LOBEDICE_LABELS_FIT)
            st = LOBEDICE_ECONVENTION;
    }
    /* the ignored values (the identity ignores none) */
    for (int i = 0; i < 2 && st == LOBEDICE_OK; i++) {
        if (c->conventions[i].identity)
            continue;
        c->ignored[i] = ld_calloc(ncounts[i], sizeof *c->ignored[i]);
        if (!c->ignored[i]) {
            st = LOBEDICE_ENOMEM;
            break;
        }
        for (size_t k = 0; k < ncounts[i]; k++)
            if (counts[i][k].value != 0 && ld_map_label(c->maps[i], counts[i][k].value) == 0)
                c->ignored[i][c->nignored[i]++] = counts[i][k];
    }
    if (st == LOBEDICE_OK && o->labels) {
        *labels = ld_calloc(o->nlabels, sizeof **labels);
        if (*labels) {
            memcpy(*labels, o->labels, o->nlabels * sizeof **labels);
            *nlabels = o->nlabels;
        } else {
            st = LOBEDICE_ENOMEM;
        }
    } else if (st == LOBEDICE_OK) {
        /* the labels of both maps' values, sorted without repeats or 0 */
        int64_t *found = ld_calloc(ncounts[0] + ncounts[1], sizeof *found);
        size_t n = 0;
        if (!found)
            st = LOBEDICE_ENOMEM;
        for (int i = 0; i < 2 && found; i++)
            for (size_t k = 0; k < ncounts[i]; k++) {
                const int64_t label = ld_map_label(c->maps[i], counts[i][k].value);
                if (label != 0)
                    found[n++] = label;
            }
        if (found) {
            *nlabels = ld_sort_unique_int64(found, n);
            *labels = found;
        }
    }
    free(counts[0]);
    free(counts[1]);
    return st;
}

/* The three lung regions when the labels are exactly the lobes 1..5. */
static size_t ld_lung_regions(lobedice_region regions[3], const int64_t *labels, size_t nlabels)
{
    static const int64_t right[] = {1, 2, 3}, left[] = {4, 5}, lungs[] = {1, 2, 3, 4, 5};
    unsigned seen = 0;
    for (size_t i = 0; i < nlabels; i++) {
        if (labels[i] < 1 || labels[i] > 5)
            return 0;
        seen |= 1u << labels[i];
    }
    if (nlabels != 5 || seen != 0x3e)
        return 0;
    regions[0] = (lobedice_region){"RightLung", right, 3};
    regions[1] = (lobedice_region){"LeftLung", left, 2};
    regions[2] = (lobedice_region){"Lungs", lungs, 5};
    return 3;
}

/* Owned copies of the labels, names and regions; fills c->options' pointers and c->rows. */
static lobedice_status ld_build_rows(lobedice_comparison *c, int64_t *labels, size_t nlabels,
                                     const lobedice_compare_options *o)
{
    lobedice_region lungs[3];
    const lobedice_region *regions = o->regions;
    size_t nregions = o->nregions;
    if (o->region_mode == LOBEDICE_REGIONS_LUNGS) {
        nregions = ld_lung_regions(lungs, labels, nlabels);
        regions = lungs;
    }
    size_t total = nlabels, nrows;
    bool fits = ld_add_size(nlabels, nregions, &nrows);
    for (size_t r = 0; r < nregions; r++)
        fits = fits && ld_add_size(total, regions[r].nlabels, &total);
    int64_t *all = fits ? ld_calloc(total, sizeof *all) : NULL;
    if (!all) {
        free(labels);
        return fits ? LOBEDICE_ENOMEM : LOBEDICE_EOVERFLOW;
    }
    memcpy(all, labels, nlabels * sizeof *all);
    free(labels);
    c->labels = all;
    c->nlabels = nlabels;
    c->nrows = nrows;
    c->names = ld_calloc(nrows, sizeof *c->names);
    c->regions = ld_calloc(nregions, sizeof *c->regions);
    c->rows = ld_calloc(nrows, sizeof *c->rows);
    if (!c->names || !c->regions || !c->rows)
        return LOBEDICE_ENOMEM;
    for (size_t i = 0; i < nlabels; i++) {
        char name[32];
        lobedice_label_name(name, sizeof name, all[i]);
        c->names[i] = ld_strdup(o->label_names ? o->label_names[i] : name);
        if (!c->names[i])
            return LOBEDICE_ENOMEM;
        c->rows[i] =
            (lobedice_row_info){LOBEDICE_ROW_LABEL, c->names[i], &all[i], 1, LOBEDICE_ABSENT};
    }
    size_t at = nlabels;
    for (size_t r = 0; r < nregions; r++) {
        const size_t row = nlabels + r;
        c->names[row] = ld_strdup(regions[r].name);
        if (!c->names[row])
            return LOBEDICE_ENOMEM;
        memcpy(all + at, regions[r].labels, regions[r].nlabels * sizeof *all);
        c->regions[r] = (lobedice_region){c->names[row], all + at, regions[r].nlabels};
        c->rows[row] = (lobedice_row_info){LOBEDICE_ROW_REGION, c->names[row], all + at,
                                           regions[r].nlabels, LOBEDICE_ABSENT};
        at += regions[r].nlabels;
    }
    c->options = *o;
    c->options.labels = all;
    c->options.nlabels = nlabels;
    c->options.label_names = (const char *const *)c->names;
    c->options.region_mode = LOBEDICE_REGIONS_GIVEN;
    c->options.regions = c->regions;
    c->options.nregions = nregions;
    c->options.progress = NULL;
    c->options.progress_user = NULL;
    return LOBEDICE_OK;
}

/* The caller's progress callback over [from, to] of the whole comparison. */
typedef struct ld_progress_span {
    const lobedice_compare_options *options;
    double from, to;
} ld_progress_span;

static void ld_progress_forward(void *user, double fraction)
{
    const ld_progress_span *span = user;
    span->options->progress(span->options->progress_user,
                            fraction >= 1.0 ? span->to
                                            : span->from + (span->to - span->from) * fraction);
}

static lobedice_status ld_measure(lobedice_comparison *c, const lobedice_volume *ref,
                                  const lobedice_volume *pred, const lobedice_compare_options *o)
{
    const size_t n = c->nrows;
    lobedice_label_set *sets = ld_calloc(n, sizeof *sets);
    c->overlaps = ld_calloc(n, sizeof *c->overlaps);
    c->fne = ld_calloc(n, sizeof *c->fne);
    c->fpe = ld_calloc(n, sizeof *c->fpe);
    if (!sets || !c->overlaps || !c->fne || !c->fpe) {
        free(sets);
        return LOBEDICE_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        sets[i] = (lobedice_label_set){(int64_t)i, c->rows[i].labels, c->rows[i].nlabels};
    lobedice_status st =
        ld_overlap_sets_mapped(c->overlaps, ref, pred, c->maps, sets, n, o->threads);
    const double overlap_share = o->surface_distances ? 0.1 : 1.0;
    if (st == LOBEDICE_OK && o->progress)
        o->progress(o->progress_user, overlap_share);
    if (st == LOBEDICE_OK && o->surface_distances) {
        c->surfaces = ld_calloc(n, sizeof *c->surfaces);
        c->hd_voxels = ld_calloc(n, 3 * sizeof *c->hd_voxels);
        st = c->surfaces && c->hd_voxels ? LOBEDICE_OK : LOBEDICE_ENOMEM;
        lobedice_surface_options sopts = LOBEDICE_SURFACE_OPTIONS_INIT;
        ld_progress_span span = {o, overlap_share, 1.0};
        sopts.tolerance_mm = o->tolerance_mm;
        sopts.threads = o->threads;
        sopts.hd_voxel = c->hd_voxels;
        if (o->progress) {
            sopts.progress = ld_progress_forward;
            sopts.progress_user = &span;
        }
        if (st == LOBEDICE_OK)
            st = ld_surface_distances_sets_mapped(c->surfaces, ref, pred, c->maps, sets, n, &sopts);
        if (st == LOBEDICE_OK && o->progress && n == 0)
            o->progress(o->progress_user, 1.0);
    }
    free(sets);
    return st;
}

/* Presence, the empty policy, the error rates, the means and the pooled Dice. */
static lobedice_status ld_summarize(lobedice_comparison *c)
{
    double *values = ld_calloc(c->nlabels, sizeof *values);
    if (!values)
        return LOBEDICE_ENOMEM;
    const lobedice_empty_policy policy = c->options.empty_policy;
    for (size_t i = 0; i < c->nrows; i++) {
        lobedice_label_overlap *ov = &c->overlaps[i];
        ov->label = c->rows[i].kind == LOBEDICE_ROW_LABEL ? c->rows[i].labels[0] : (int64_t)i;
        if (c->surfaces)
            c->surfaces[i].label = ov->label;
        c->rows[i].presence = lobedice_overlap_presence(ov);
        if (c->rows[i].presence == LOBEDICE_ABSENT && policy != LOBEDICE_EMPTY_NAN)
            ov->dice = ov->jaccard = policy == LOBEDICE_EMPTY_ONE ? 1.0 : 0.0;
        const uint64_t in_ref = ov->tp + ov->fn, in_pred = ov->tp + ov->fp;
        c->fne[i] = in_ref ? (double)ov->fn / (double)in_ref : NAN;
        c->fpe[i] = in_pred ? (double)ov->fp / (double)in_pred : NAN;
    }
    for (unsigned m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
        c->mean[m] = NAN;
        c->used[m] = 0;
        if (!ld_measures[m].is_averaged || (ld_measures[m].is_surface && !c->surfaces))
            continue;
        for (size_t i = 0; i < c->nlabels; i++)
            values[i] = lobedice_comparison_value(c, i, (lobedice_measure)m);
        c->mean[m] = ld_mean_defined(values, c->nlabels, &c->used[m]);
    }
    free(values);
    c->pooled_dice = ld_pooled_dice(c->overlaps, c->nlabels);
    return LOBEDICE_OK;
}

lobedice_status lobedice_compare(lobedice_comparison **result, const lobedice_volume *ref,
                                 const lobedice_volume *pred, const lobedice_compare_options *opts)
{
    if (!result)
        return LOBEDICE_EINVAL;
    *result = NULL;
    lobedice_compare_options o;
    lobedice_status st = ld_options_resolve(&o, &ld_compare_defaults, ld_compare_options_size,
                                            LOBEDICE_COMPARE_OPTIONS_VERSION, opts);
    if (st == LOBEDICE_OK)
        st = ld_check_compare_options(&o);
    size_t voxels;
    if (st == LOBEDICE_OK)
        st = ld_check_pair(&voxels, ref, pred);
    if (st != LOBEDICE_OK)
        return st;

    lobedice_comparison *c = calloc(1, sizeof *c);
    if (!c)
        return LOBEDICE_ENOMEM;
    int64_t *labels = NULL;
    size_t nlabels = 0;
    ld_set_conventions(c, &o);
    st = ld_choose_labels(&labels, &nlabels, c, &o, ref, pred);
    if (st == LOBEDICE_OK)
        st = ld_build_rows(c, labels, nlabels, &o); /* takes labels */
    else
        free(labels);
    c->options.ref_convention = &c->conventions[0];
    c->options.pred_convention = &c->conventions[1];
    if (st == LOBEDICE_OK)
        st = ld_measure(c, ref, pred, &o);
    if (st == LOBEDICE_OK)
        st = ld_summarize(c);
    if (st != LOBEDICE_OK) {
        lobedice_comparison_free(c);
        return st;
    }
    *result = c;
    return LOBEDICE_OK;
}

/* ---- Reading the result --------------------------------------------------------------------- */

const lobedice_compare_options *lobedice_comparison_options(const lobedice_comparison *c)
{
    return c ? &c->options : NULL;
}

size_t lobedice_comparison_rows(const lobedice_comparison *c)
{
    return c ? c->nrows : 0;
}

size_t lobedice_comparison_label_rows(const lobedice_comparison *c)
{
    return c ? c->nlabels : 0;
}

const lobedice_row_info *lobedice_comparison_row(const lobedice_comparison *c, size_t row)
{
    return c && row < c->nrows ? &c->rows[row] : NULL;
}

double lobedice_comparison_value(const lobedice_comparison *c, size_t row, lobedice_measure measure)
{
    if (!c || row >= c->nrows || (unsigned)measure >= LOBEDICE_MEASURE_COUNT)
        return NAN;
    if (ld_measures[measure].is_surface && !c->surfaces)
        return NAN;
    const lobedice_label_overlap *o = &c->overlaps[row];
    const lobedice_label_surface *s = c->surfaces ? &c->surfaces[row] : NULL;
    switch (measure) {
    case LOBEDICE_MEASURE_DICE: return o->dice;
    case LOBEDICE_MEASURE_JACCARD: return o->jaccard;
    case LOBEDICE_MEASURE_PRECISION: return o->precision;
    case LOBEDICE_MEASURE_SENSITIVITY: return o->sensitivity;
    case LOBEDICE_MEASURE_SPECIFICITY: return o->specificity;
    case LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR: return c->fne[row];
    case LOBEDICE_MEASURE_FALSE_POSITIVE_ERROR: return c->fpe[row];
    case LOBEDICE_MEASURE_VOLUME_REF_ML: return o->volume_ref_ml;
    case LOBEDICE_MEASURE_VOLUME_PRED_ML: return o->volume_pred_ml;
    case LOBEDICE_MEASURE_VOLUME_SIMILARITY: return o->volume_similarity;
    case LOBEDICE_MEASURE_TP: return (double)o->tp;
    case LOBEDICE_MEASURE_FP: return (double)o->fp;
    case LOBEDICE_MEASURE_FN: return (double)o->fn;
    case LOBEDICE_MEASURE_TN: return (double)o->tn;
    case LOBEDICE_MEASURE_HD: return s->hd;
    case LOBEDICE_MEASURE_HD95: return s->hd95;
    case LOBEDICE_MEASURE_ASSD: return s->assd;
    case LOBEDICE_MEASURE_NSD: return s->nsd;
    case LOBEDICE_MEASURE_HD_REF_TO_PRED: return s->hd_ref_to_pred;
    case LOBEDICE_MEASURE_HD_PRED_TO_REF: return s->hd_pred_to_ref;
    case LOBEDICE_MEASURE_HD95_REF_TO_PRED: return s->hd95_ref_to_pred;
    case LOBEDICE_MEASURE_HD95_PRED_TO_REF: return s->hd95_pred_to_ref;
    case LOBEDICE_MEASURE_ASD_REF_TO_PRED: return s->mean_ref_to_pred;
    case LOBEDICE_MEASURE_ASD_PRED_TO_REF: return s->mean_pred_to_ref;
    case LOBEDICE_MEASURE_REF_SURFACE_VOXELS: return (double)s->ref_surface_voxels;
    case LOBEDICE_MEASURE_PRED_SURFACE_VOXELS: return (double)s->pred_surface_voxels;
    case LOBEDICE_MEASURE_VOLUME_DIFFERENCE:
        return o->tp + o->fn
                   ? ((double)(o->tp + o->fp) - (double)(o->tp + o->fn)) / (double)(o->tp + o->fn)
                   : NAN;
    case LOBEDICE_MEASURE_COUNT: break;
    }
    return NAN;
}

double lobedice_comparison_mean(const lobedice_comparison *c, lobedice_measure measure,
                                size_t *used)
{
    const bool known = c && (unsigned)measure < LOBEDICE_MEASURE_COUNT;
    if (used)
        *used = known ? c->used[measure] : 0;
    return known ? c->mean[measure] : NAN;
}

double lobedice_comparison_pooled_dice(const lobedice_comparison *c)
{
    return c ? c->pooled_dice : NAN;
}

lobedice_status lobedice_comparison_hd_voxel(uint64_t voxel[3], const lobedice_comparison *c,
                                             size_t row)
{
    if (!voxel || !c || row >= c->nrows || !c->hd_voxels || c->hd_voxels[3 * row] == UINT64_MAX)
        return LOBEDICE_EINVAL;
    memcpy(voxel, &c->hd_voxels[3 * row], 3 * sizeof *voxel);
    return LOBEDICE_OK;
}

const lobedice_label_convention *lobedice_comparison_convention(const lobedice_comparison *c,
                                                                lobedice_input input)
{
    return c && (unsigned)input < 2 ? &c->conventions[input] : NULL;
}

const lobedice_value_count *lobedice_comparison_ignored(const lobedice_comparison *c,
                                                        lobedice_input input, size_t *count)
{
    const bool known = c && (unsigned)input < 2 && c->nignored[input] > 0;
    if (count)
        *count = known ? c->nignored[input] : 0;
    return known ? c->ignored[input] : NULL;
}

lobedice_status lobedice_comparison_disagreement_map(void *out, lobedice_dtype dtype,
                                                     const lobedice_comparison *c,
                                                     const lobedice_volume *ref,
                                                     const lobedice_volume *pred, size_t threads)
{
    if (!c)
        return LOBEDICE_EINVAL;
    return ld_disagreement_map_mapped(out, dtype, ref, pred, c->maps, c->labels, c->nlabels,
                                      threads);
}

lobedice_status lobedice_labels_check(lobedice_label_check *check, const lobedice_volume *ref,
                                      const lobedice_volume *pred,
                                      const lobedice_compare_options *opts)
{
    if (!check || !ref || !pred)
        return LOBEDICE_EINVAL;
    lobedice_compare_options o;
    lobedice_status st = ld_options_resolve(&o, &ld_compare_defaults, ld_compare_options_size,
                                            LOBEDICE_COMPARE_OPTIONS_VERSION, opts);
    if (st != LOBEDICE_OK)
        return st;
    if (!ld_convention_valid(o.ref_convention) || !ld_convention_valid(o.pred_convention))
        return LOBEDICE_EINVAL;
    lobedice_label_convention conventions[2];
    const lobedice_label_convention *given[2] = {o.ref_convention, o.pred_convention};
    for (int i = 0; i < 2; i++) {
        if (given[i])
            conventions[i] = *given[i];
        else
            lobedice_convention_preset(&conventions[i], "identity");
    }
    lobedice_value_count *counts[2] = {NULL, NULL};
    size_t ncounts[2] = {0, 0};
    st = ld_value_counts_alloc(&counts[0], &ncounts[0], ref, o.threads);
    if (st == LOBEDICE_OK)
        st = ld_value_counts_alloc(&counts[1], &ncounts[1], pred, o.threads);
    if (st == LOBEDICE_OK) {
        const lobedice_label_convention *const cv[2] = {&conventions[0], &conventions[1]};
        const lobedice_value_count *const cc[2] = {counts[0], counts[1]};
        st = ld_labels_check(check, cv, cc, ncounts);
    }
    free(counts[0]);
    free(counts[1]);
    return st;
}
