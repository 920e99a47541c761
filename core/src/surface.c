/* Surface distances per label or per set of labels (docs/measures.md, "Surface distances").
 *
 * 1. One pass over both volumes finds the bounding box of every label asked for.
 * 2. Per set, inside the bounding box of A and B together (every voxel outside it, like every
 *    position outside the image, is outside both masks): membership bits, then surface bits by
 *    the 6-neighbour rule (4 in-plane neighbours for a 2-D image).
 * 3. Per direction, exact distances from distance_transform.c, then the statistics.
 * One set is processed at a time and every phase is parallel inside it, so only one box of
 * scratch is alive and the results do not depend on the thread count. */
#include "distance_transform.h"
#include "surface_box.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The bytes of the options each version has (fields are only appended). */
static const size_t ld_surface_options_size[LOBEDICE_SURFACE_OPTIONS_VERSION] = {
    offsetof(lobedice_surface_options, hd_voxel), sizeof(lobedice_surface_options)};

static const lobedice_surface_options ld_surface_defaults = LOBEDICE_SURFACE_OPTIONS_INIT;

lobedice_status lobedice_surface_options_init(lobedice_surface_options *opts, unsigned version)
{
    return ld_options_init(opts, &ld_surface_defaults, ld_surface_options_size, version,
                           LOBEDICE_SURFACE_OPTIONS_VERSION);
}

/* ---- Statistics of one direction ------------------------------------------------------------- */

static void ld_swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static int ld_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rearranges v so that v[k] is the k-th smallest, with nothing larger before it and nothing
 * smaller after it (quickselect; sorts what is left if it degenerates). */
static void ld_select(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    int budget = 64;
    while (hi - lo > 16) {
        if (--budget == 0) {
            qsort(v + lo, (size_t)(hi - lo + 1), sizeof *v, ld_cmp_double);
            return;
        }
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            ld_swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            ld_swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            ld_swap(&v[hi], &v[mid]);
        const double pivot = v[mid];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                ld_swap(&v[i], &v[j]);
                i++;
                j--;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            return; /* v[j+1 .. i-1] all equal the pivot */
    }
    for (ptrdiff_t i = lo + 1; i <= hi; i++)
        for (ptrdiff_t j = i; j > lo && v[j] < v[j - 1]; j--)
            ld_swap(&v[j], &v[j - 1]);
}

double ld_percentile(double *v, size_t n, double q)
{
    const double rank = (double)(n - 1) * q;
    const size_t k = (size_t)floor(rank);
    const double t = rank - (double)k;
    ld_select(v, n, k);
    const double a = v[k];
    if (k + 1 >= n)
        return a;
    double b = v[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (v[i] < b)
            b = v[i];
    return ld_numpy_lerp(a, b, t);
}

typedef struct ld_directed {
    size_t n;
    double max, p95, sum;
    uint64_t within;
    size_t argmax; /* the first index of the largest distance, in array order */
} ld_directed;

/* "d <= tolerance", allowing for rounding (docs/measures.md): 3 x 1.1 mm is within 3.3 mm. */
static double ld_tolerance_limit(double tolerance)
{
    return tolerance * (1.0 + 1e-9);
}

/* Statistics of d[0..n) (n > 0), in array order, which does not depend on the thread count;
 * adds the distances to hist when it is not NULL. Reorders d. */
static void ld_directed_stats(ld_directed *s, double *d, size_t n, double tolerance, uint64_t *hist,
                              size_t bins, double bin_mm)
{
    double sum = 0.0, comp = 0.0, max = 0.0;
    size_t argmax = 0;
    uint64_t within = 0;
    const double limit = ld_tolerance_limit(tolerance);
    for (size_t i = 0; i < n; i++) {
        const double v = d[i];
        const double t = sum + v; /* Neumaier's compensated sum: values are >= 0 */
        comp += sum >= v ? (sum - t) + v : (v - t) + sum;
        sum = t;
        if (v > max) {
            max = v;
            argmax = i;
        }
        within += v <= limit;
    }
    if (hist) {
        for (size_t i = 0; i < n; i++) {
            const double q = floor(d[i] / bin_mm);
            size_t j = q >= (double)bins ? bins - 1 : (size_t)q;
            /* bin j holds [j*w, (j+1)*w): settle the rounding of the division */
            if (j > 0 && (double)j * bin_mm > d[i])
                j--;
            else if (j + 1 < bins && (double)(j + 1) * bin_mm <= d[i])
                j++;
            hist[j]++;
        }
    }
    s->n = n;
    s->sum = sum + comp;
    s->max = max;
    s->within = within;
    s->argmax = argmax;
    s->p95 = ld_percentile(d, n, 0.95);
}

/* ---- Per set --------------------------------------------------------------------------------- */

/* Buffers sized for the largest box of the call and reused set after set (fresh pages would
 * cost a page fault each time). */
typedef struct ld_workspace {
    uint8_t *flags;   /* box voxels */
    void *scratch;    /* the membership bits, then the distance transform's offset pairs */
    uint8_t *row_any; /* box rows */
    uint32_t *row_count[2];
    uint8_t *edge_rows; /* a row of zeros and a row of ones */
    double *dist;       /* distances of one direction */
    size_t dist_capacity;
} ld_workspace;

/* Measures one direction: distances from the surface of `query` to the surface of `feature`. */
static lobedice_status ld_direction(ld_directed *s, ld_workspace *ws, const ld_dt_box *box,
                                    int feature, int query, uint64_t count,
                                    const lobedice_surface_options *opts, uint64_t *hist)
{
    if (count > ws->dist_capacity) {
        size_t bytes;
        if (count > SIZE_MAX || !ld_mul_size((size_t)count, sizeof(double), &bytes))
            return LOBEDICE_EOVERFLOW;
        free(ws->dist);
        ws->dist = malloc(bytes);
        ws->dist_capacity = ws->dist ? (size_t)count : 0;
        if (!ws->dist)
            return LOBEDICE_ENOMEM;
    }
    lobedice_status st = ld_dt_directed(ws->dist, box, feature, query, ws->scratch, opts->threads);
    if (st == LOBEDICE_OK)
        ld_directed_stats(s, ws->dist, (size_t)count, opts->tolerance_mm, hist,
                          opts->histogram_bins, opts->histogram_bin_mm);
    return st;
}

/* The grid index of the k-th voxel of set s of a box, in the order of ld_dt_directed's
 * distances (y, then x, then z). */
static void ld_locate(uint64_t voxel[3], const ld_dt_box *box, const size_t lo[3], int s,
                      uint64_t k)
{
    const size_t nx = box->n[0], ny = box->n[1], nz = box->n[2];
    for (size_t y = 0; y < ny; y++) {
        uint64_t plane = 0;
        for (size_t z = 0; z < nz; z++)
            plane += box->row_count[s][y * nz + z];
        if (k >= plane) {
            k -= plane;
            continue;
        }
        for (size_t x = 0; x < nx; x++)
            for (size_t z = 0; z < nz; z++)
                if (box->flags[(y * nz + z) * nx + x] & (1u << s) && k-- == 0) {
                    voxel[0] = lo[0] + x;
                    voxel[1] = lo[1] + y;
                    voxel[2] = lo[2] + z;
                    return;
                }
    }
}

/* The result of one set; job holds the call's volumes, lookups and the set's in_set codes.
 * hd_voxel: where hd is attained (3 entries), or NULL. */
static lobedice_status ld_measure_set(lobedice_label_surface *out, uint64_t *hist,
                                      uint64_t *hd_voxel, ld_workspace *ws, ld_set_job *job,
                                      int64_t id, const ld_set_box *box,
                                      const lobedice_surface_options *opts)
{
    const double nan = NAN;
    if (hd_voxel)
        hd_voxel[0] = hd_voxel[1] = hd_voxel[2] = UINT64_MAX;
    out->label = id;
    out->ref_surface_voxels = out->pred_surface_voxels = 0;
    out->hd = out->hd95 = out->assd = out->nsd = nan;
    out->hd_ref_to_pred = out->hd_pred_to_ref = nan;
    out->hd95_ref_to_pred = out->hd95_pred_to_ref = nan;
    out->mean_ref_to_pred = out->mean_pred_to_ref = nan;
    if (hist)
        memset(hist, 0, opts->histogram_bins * sizeof *hist);
    if (box->n[0] == 0)
        return LOBEDICE_OK;

    for (int a = 0; a < 3; a++) {
        job->lo[a] = box->lo[a];
        job->n[a] = box->n[a];
    }
    job->nrows = job->n[1] * job->n[2];
    job->ntasks = job->nrows < 1024 ? job->nrows : 1024;
    job->mem = ws->scratch;
    job->row_any = ws->row_any;
    job->flags = ws->flags;
    job->row_count[0] = ws->row_count[0];
    job->row_count[1] = ws->row_count[1];
    job->zeros = ws->edge_rows;
    job->ones = ws->edge_rows + job->n[0];
    memset(ws->edge_rows, 0, job->n[0]);
    memset(ws->edge_rows + job->n[0], 1 | 2, job->n[0]);

    ld_parallel_for(opts->threads, job->ntasks, ld_member_task, job);
    ld_parallel_for(opts->threads, job->ntasks, ld_surface_task, job);

    uint64_t count[2] = {0, 0};
    for (size_t r = 0; r < job->nrows; r++) {
        count[0] += job->row_count[0][r];
        count[1] += job->row_count[1][r];
    }
    out->ref_surface_voxels = count[0];
    out->pred_surface_voxels = count[1];
    if (!count[0] || !count[1])
        return LOBEDICE_OK;

    ld_dt_box dt = {.flags = job->flags, .row_count = {job->row_count[0], job->row_count[1]}};
    for (int a = 0; a < 3; a++) {
        dt.n[a] = job->n[a];
        dt.spacing[a] = job->vol[0]->spacing[a];
    }
    ld_directed ab, ba;
    lobedice_status st = ld_direction(&ab, ws, &dt, 1, 0, count[0], opts, hist);
    if (st == LOBEDICE_OK)
        st = ld_direction(&ba, ws, &dt, 0, 1, count[1], opts, hist);
    if (st != LOBEDICE_OK)
        return st;

    const double total = (double)(ab.n + ba.n);
    out->hd_ref_to_pred = ab.max;
    out->hd_pred_to_ref = ba.max;
    out->hd95_ref_to_pred = ab.p95;
    out->hd95_pred_to_ref = ba.p95;
    /* A mean of distances is at most their maximum; rounding of the sum and the division could
     * put it an ulp above (three equal distances d gave 3d / 3 > d). */
    out->mean_ref_to_pred = fmin(ab.sum / (double)ab.n, ab.max);
    out->mean_pred_to_ref = fmin(ba.sum / (double)ba.n, ba.max);
    out->hd = ab.max > ba.max ? ab.max : ba.max;
    out->hd95 = ab.p95 > ba.p95 ? ab.p95 : ba.p95;
    out->assd = fmin((ab.sum + ba.sum) / total, out->hd);
    out->nsd = (double)(ab.within + ba.within) / total;
    if (hd_voxel) {
        const bool from_ref = ab.max >= ba.max;
        ld_locate(hd_voxel, &dt, job->lo, from_ref ? 0 : 1, from_ref ? ab.argmax : ba.argmax);
    }
    return LOBEDICE_OK;
}

/* Allocates the workspace for the largest of the sets' boxes. */
static lobedice_status ld_workspace_init(ld_workspace *ws, const ld_set_box *boxes, size_t nsets)
{
    size_t voxels = 0, scratch = 0, rows = 0, side = 0;
    for (size_t i = 0; i < nsets; i++) {
        const size_t *n = boxes[i].n;
        size_t pairs;
        if (n[0] == 0)
            continue;
        /* the one check of the box's sides (row counts and envelope indices are 32-bit) and of
         * its pair bytes; every product below is smaller than those bytes */
        if (ld_dt_pair_bytes(&pairs, n) != LOBEDICE_OK)
            return LOBEDICE_EOVERFLOW;
        const size_t nvox = n[0] * n[1] * n[2];
        voxels = nvox > voxels ? nvox : voxels;
        scratch = pairs > scratch ? pairs : scratch;
        rows = n[1] * n[2] > rows ? n[1] * n[2] : rows;
        side = n[0] > side ? n[0] : side;
    }
    if (!voxels)
        return LOBEDICE_OK;
    ws->flags = malloc(voxels);
    ws->scratch = malloc(scratch > voxels ? scratch : voxels);
    ws->row_any = malloc(rows);
    ws->row_count[0] = malloc(rows * sizeof(uint32_t));
    ws->row_count[1] = malloc(rows * sizeof(uint32_t));
    ws->edge_rows = malloc(2 * side);
    if (!ws->flags || !ws->scratch || !ws->row_any || !ws->row_count[0] || !ws->row_count[1] ||
        !ws->edge_rows)
        return LOBEDICE_ENOMEM;
    return LOBEDICE_OK;
}

static void ld_workspace_free(ld_workspace *ws)
{
    free(ws->flags);
    free(ws->scratch);
    free(ws->row_any);
    free(ws->row_count[0]);
    free(ws->row_count[1]);
    free(ws->edge_rows);
    free(ws->dist);
}

/* ---- Entry points ---------------------------------------------------------------------------- */

static lobedice_status ld_check_options(const lobedice_surface_options *opts, size_t nsets)
{
    if (isnan(opts->tolerance_mm) || opts->tolerance_mm < 0)
        return LOBEDICE_EINVAL;
    size_t entries;
    if (opts->hd_voxel && !ld_mul_size(nsets, 3 * sizeof(uint64_t), &entries))
        return LOBEDICE_EOVERFLOW;
    if (opts->histogram) {
        if (opts->histogram_bins == 0 || !isfinite(opts->histogram_bin_mm) ||
            opts->histogram_bin_mm <= 0)
            return LOBEDICE_EINVAL;
        if (!ld_mul_size(nsets, opts->histogram_bins, &entries) ||
            !ld_mul_size(entries, sizeof(uint64_t), &entries))
            return LOBEDICE_EOVERFLOW;
    }
    return LOBEDICE_OK;
}

lobedice_status ld_surface_distances_sets_mapped(lobedice_label_surface *out,
                                                 const lobedice_volume *ref,
                                                 const lobedice_volume *pred,
                                                 const ld_value_map *const *maps,
                                                 const lobedice_label_set *sets, size_t nsets,
                                                 const lobedice_surface_options *caller_opts)
{
    lobedice_surface_options resolved;
    const lobedice_surface_options *opts = &resolved;
    lobedice_status st =
        ld_options_resolve(&resolved, &ld_surface_defaults, ld_surface_options_size,
                           LOBEDICE_SURFACE_OPTIONS_VERSION, caller_opts);
    if (st != LOBEDICE_OK)
        return st;
    size_t voxels;
    st = ld_check_pair(&voxels, ref, pred);
    if (st != LOBEDICE_OK)
        return st;
    if (nsets && (!out || !sets))
        return LOBEDICE_EINVAL;
    st = ld_check_options(opts, nsets);
    if (st != LOBEDICE_OK)
        return st;

    /* Every label asked for, sorted and unique: label i of the list has code i+1 in both
     * volumes' lookups. */
    int64_t *all = NULL;
    size_t nunique = 0;
    st = ld_label_sets_distinct(&all, &nunique, sets, nsets);
    if (st != LOBEDICE_OK || nsets == 0) {
        free(all);
        return st;
    }
    ld_bbox_job job = {.vol = {ref, pred}, .nlabels = nunique};
    ld_set_job set_job = {.vol = {ref, pred}, .planar = ref->size[2] == 1};
    ld_lookup lookups[2];
    memset(lookups, 0, sizeof lookups);
    ld_workspace ws = {.flags = NULL};
    ld_bbox *boxes = NULL;
    ld_set_box *set_boxes = NULL;
    double *weight = NULL;
    uint8_t *in_set = NULL;
    size_t box_bytes, set_box_bytes, weight_bytes;
    st = LOBEDICE_EOVERFLOW;
    if (!ld_mul_size(2 * sizeof *boxes, nunique ? nunique : 1, &box_bytes) ||
        !ld_mul_size(nsets, sizeof *set_boxes, &set_box_bytes) ||
        !ld_mul_size(nsets, sizeof *weight, &weight_bytes))
        goto done;
    st = LOBEDICE_ENOMEM;
    boxes = malloc(box_bytes);
    set_boxes = malloc(set_box_bytes);
    weight = malloc(weight_bytes);
    in_set = malloc(nunique + 1); /* nunique < UINT32_MAX */
    if (!boxes || !set_boxes || !weight || !in_set)
        goto done;
    st = ld_lookup_pair_init(lookups, &job.lookup[0], &job.lookup[1], ref->dtype, pred->dtype, maps,
                             all, nunique);
    if (st != LOBEDICE_OK)
        goto done;
    st = ld_label_boxes(boxes, &job, opts->threads);
    if (st != LOBEDICE_OK)
        goto done;

    /* A set's box: the union of its labels' boxes in both volumes; its weight in the progress
     * reports is the box's voxel count. */
    double total_weight = 0;
    for (size_t i = 0; i < nsets; i++) {
        ld_bbox both;
        ld_bbox_clear(&both);
        for (size_t j = 0; j < sets[i].nlabels; j++) {
            const size_t u = ld_find_sorted(all, nunique, sets[i].labels[j]);
            ld_bbox_merge(&both, &boxes[u]);
            ld_bbox_merge(&both, &boxes[nunique + u]);
        }
        weight[i] = 1.0;
        for (int a = 0; a < 3; a++) {
            set_boxes[i].lo[a] = both.lo[a];
            set_boxes[i].n[a] = ld_bbox_empty(&both) ? 0 : both.hi[a] - both.lo[a] + 1;
            weight[i] *= ld_bbox_empty(&both) ? 1.0 : (double)set_boxes[i].n[a];
        }
        total_weight += weight[i];
    }

    st = ld_workspace_init(&ws, set_boxes, nsets);
    if (st != LOBEDICE_OK)
        goto done;
    set_job.lookup[0] = job.lookup[0];
    set_job.lookup[1] = job.lookup[1];
    set_job.in_set = in_set;
    double done_weight = 0;
    for (size_t i = 0; i < nsets; i++) {
        memset(in_set, 0, nunique + 1);
        for (size_t j = 0; j < sets[i].nlabels; j++)
            in_set[ld_find_sorted(all, nunique, sets[i].labels[j]) + 1] = 1 | 2;
        uint64_t *hist = opts->histogram ? opts->histogram + i * opts->histogram_bins : NULL;
        uint64_t *hd_voxel = opts->hd_voxel ? opts->hd_voxel + 3 * i : NULL;
        st =
            ld_measure_set(&out[i], hist, hd_voxel, &ws, &set_job, sets[i].id, &set_boxes[i], opts);
        if (st != LOBEDICE_OK)
            goto done;
        done_weight += weight[i];
        if (opts->progress)
            opts->progress(opts->progress_user, i + 1 == nsets ? 1.0 : done_weight / total_weight);
    }
    st = LOBEDICE_OK;

done:
    ld_workspace_free(&ws);
    ld_lookup_pair_free(lookups);
    free(job.partial);
    free(all);
    free(boxes);
    free(set_boxes);
    free(weight);
    free(in_set);
    return st;
}

lobedice_status lobedice_surface_distances_sets(lobedice_label_surface *out,
                                                const lobedice_volume *ref,
                                                const lobedice_volume *pred,
                                                const lobedice_label_set *sets, size_t nsets,
                                                const lobedice_surface_options *opts)
{
    return ld_surface_distances_sets_mapped(out, ref, pred, NULL, sets, nsets, opts);
}

lobedice_status lobedice_surface_distances(lobedice_label_surface *out, const lobedice_volume *ref,
                                           const lobedice_volume *pred, const int64_t *labels,
                                           size_t nlabels, double tolerance_mm, size_t threads)
{
    lobedice_label_set *sets;
    lobedice_status st = ld_single_label_sets(&sets, labels, nlabels);
    if (st != LOBEDICE_OK)
        return st;
    lobedice_surface_options opts = LOBEDICE_SURFACE_OPTIONS_INIT;
    opts.tolerance_mm = tolerance_mm;
    opts.threads = threads;
    st = lobedice_surface_distances_sets(out, ref, pred, sets, nlabels, &opts);
    free(sets);
    return st;
}
