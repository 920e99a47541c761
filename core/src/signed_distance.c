/* Signed distance to the surface of a label or a union of labels (docs/measures.md, "Signed
 * distance"), and the labels' bounding boxes.
 *
 * 1. One pass over the map finds the bounding box of M (surface_box.c).
 * 2. Inside the bounding box of M and of the voxels asked for (every voxel outside it is outside
 *    M), the membership and surface bits of M by the surface measures' rule (surface_box.c).
 * 3. The exact distance transform of the surface measures (distance_transform.c), from M's
 *    surface voxels (set 0) to the voxels asked for (set 1), signed by membership.
 * The whole box of the caller, or only the 8 voxel centres around each point (then interpolated
 * trilinearly), are asked for; the distances are the same in both, for any thread count. */
#include "distance_transform.h"
#include "surface_box.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Flag bit of a voxel inside M, beside the two sets' bits (the distance transform reads only
 * the bits of its two sets). */
enum { LD_INSIDE = 4 };

typedef struct ld_signed {
    const lobedice_volume *map;
    ld_lookup lookup;
    int64_t *labels; /* sorted, distinct */
    size_t nlabels;
    ld_bbox m;              /* the bounding box of M */
    size_t lo[3], n[3];     /* the box of the transform */
    uint8_t *flags;         /* plane-major (ld_dt_box): bit 1 surface of M, 2 asked for, 4 in M */
    uint32_t *row_count[2]; /* plane-major rows */
    void *scratch;          /* membership bits, then the transform's pairs */
    uint8_t *row_any, *edge_rows;
    double *dist; /* one per voxel asked for, in the transform's order */
    size_t queries;
} ld_signed;

static void ld_signed_free(ld_signed *s)
{
    ld_lookup_free(&s->lookup);
    free(s->labels);
    free(s->flags);
    free(s->row_count[0]);
    free(s->row_count[1]);
    free(s->scratch);
    free(s->row_any);
    free(s->edge_rows);
    free(s->dist);
}

/* Checks the map and the labels, and finds M's bounding box. */
static lobedice_status ld_signed_begin(ld_signed *s, const lobedice_volume *map,
                                       const int64_t *labels, size_t nlabels, size_t threads)
{
    memset(s, 0, sizeof *s);
    s->map = map;
    ld_bbox_clear(&s->m);
    size_t voxels;
    lobedice_status st = lobedice_volume_voxels(&voxels, map);
    if (st != LOBEDICE_OK)
        return st;
    if (nlabels && !labels)
        return LOBEDICE_EINVAL;
    const lobedice_label_set set = {0, labels, nlabels};
    st = ld_label_sets_distinct(&s->labels, &s->nlabels, &set, 1);
    if (st == LOBEDICE_OK)
        st = ld_lookup_init(&s->lookup, map->dtype, s->labels, NULL, s->nlabels);
    if (st != LOBEDICE_OK || !s->nlabels)
        return st;
    ld_bbox *boxes = malloc(2 * s->nlabels * sizeof *boxes);
    if (!boxes)
        return LOBEDICE_ENOMEM;
    ld_bbox_job job = {.vol = {map, NULL}, .lookup = {&s->lookup, NULL}, .nlabels = s->nlabels};
    st = ld_label_boxes(boxes, &job, threads);
    for (size_t i = 0; st == LOBEDICE_OK && i < s->nlabels; i++)
        ld_bbox_merge(&s->m, &boxes[i]);
    free(boxes);
    return st;
}

typedef struct ld_mark_job {
    ld_signed *s;
    const size_t *qlo, *qn; /* the caller's box, in transform box coordinates */
} ld_mark_job;

/* Row (y, z) of the transform box, plane-major: the inside bit from the membership bits, and
 * (box mode) the query bit over the caller's box. */
static void ld_mark_task(void *ctx, size_t r)
{
    ld_mark_job *job = ctx;
    ld_signed *s = job->s;
    const size_t nx = s->n[0], ny = s->n[1], nz = s->n[2];
    const size_t y = r / nz, z = r % nz;
    uint8_t *row = s->flags + r * nx;
    const uint8_t *mem = (const uint8_t *)s->scratch + (z * ny + y) * nx;
    for (size_t x = 0; x < nx; x++)
        row[x] |= (uint8_t)((mem[x] & 1) << 2);
    s->row_count[1][r] = 0;
    if (!job->qn)
        return;
    if (y < job->qlo[1] || y >= job->qlo[1] + job->qn[1] || z < job->qlo[2] ||
        z >= job->qlo[2] + job->qn[2])
        return;
    for (size_t x = job->qlo[0]; x < job->qlo[0] + job->qn[0]; x++)
        row[x] |= 2;
    s->row_count[1][r] = (uint32_t)job->qn[0];
}

/* Step 2 for the box lo/n (which holds M): flags with the surface, inside and (with qn) query
 * bits. Box mode marks the caller's box qlo/qn; point mode marks later. */
static lobedice_status ld_signed_flags(ld_signed *s, const size_t lo[3], const size_t n[3],
                                       const size_t *qlo, const size_t *qn, size_t threads)
{
    size_t voxels, pairs;
    if (ld_dt_pair_bytes(&pairs, n) != LOBEDICE_OK)
        return LOBEDICE_EOVERFLOW;
    voxels = n[0] * n[1] * n[2];
    memcpy(s->lo, lo, sizeof s->lo);
    memcpy(s->n, n, sizeof s->n);
    const size_t rows = n[1] * n[2];
    s->flags = malloc(voxels);
    s->scratch = malloc(pairs > voxels ? pairs : voxels);
    s->row_any = malloc(rows);
    s->row_count[0] = malloc(rows * sizeof(uint32_t));
    s->row_count[1] = malloc(rows * sizeof(uint32_t));
    s->edge_rows = malloc(2 * n[0]);
    uint8_t *in_set = calloc(s->nlabels + 1, 1);
    if (!s->flags || !s->scratch || !s->row_any || !s->row_count[0] || !s->row_count[1] ||
        !s->edge_rows || !in_set) {
        free(in_set);
        return LOBEDICE_ENOMEM;
    }
    memset(in_set + 1, 1 | 2, s->nlabels);
    memset(s->edge_rows, 0, n[0]);
    memset(s->edge_rows + n[0], 1 | 2, n[0]);
    ld_set_job job = {.vol = {s->map, NULL},
                      .lookup = {&s->lookup, NULL},
                      .in_set = in_set,
                      .planar = s->map->size[2] == 1,
                      .nrows = rows,
                      .ntasks = rows < 1024 ? rows : 1024,
                      .mem = s->scratch,
                      .row_any = s->row_any,
                      .zeros = s->edge_rows,
                      .ones = s->edge_rows + n[0],
                      .flags = s->flags,
                      .row_count = {s->row_count[0], s->row_count[1]}};
    memcpy(job.lo, lo, sizeof job.lo);
    memcpy(job.n, n, sizeof job.n);
    ld_parallel_for(threads, job.ntasks, ld_member_task, &job);
    ld_parallel_for(threads, job.ntasks, ld_surface_task, &job);
    free(in_set);
    ld_mark_job mark = {s, qlo, qn};
    ld_parallel_for(threads, rows, ld_mark_task, &mark);
    return LOBEDICE_OK;
}

/* Step 3: the distances of every voxel asked for, in the transform's order. */
static lobedice_status ld_signed_transform(ld_signed *s, size_t threads)
{
    const size_t rows = s->n[1] * s->n[2];
    uint64_t queries = 0;
    for (size_t r = 0; r < rows; r++)
        queries += s->row_count[1][r];
    if (queries > SIZE_MAX / sizeof(double))
        return LOBEDICE_EOVERFLOW;
    s->queries = (size_t)queries;
    s->dist = malloc(s->queries ? s->queries * sizeof(double) : 1);
    if (!s->dist)
        return LOBEDICE_ENOMEM;
    ld_dt_box box = {.flags = s->flags, .row_count = {s->row_count[0], s->row_count[1]}};
    for (int a = 0; a < 3; a++) {
        box.n[a] = s->n[a];
        box.spacing[a] = s->map->spacing[a];
    }
    return ld_dt_directed(s->dist, &box, 0, 1, s->scratch, threads);
}

/* The box of M and of [lo, lo + n) together. */
static void ld_union_box(size_t out_lo[3], size_t out_n[3], const ld_bbox *m, const size_t lo[3],
                         const size_t n[3])
{
    for (int a = 0; a < 3; a++) {
        const size_t hi = lo[a] + n[a] - 1;
        out_lo[a] = m->lo[a] < lo[a] ? m->lo[a] : lo[a];
        out_n[a] = (m->hi[a] > hi ? m->hi[a] : hi) - out_lo[a] + 1;
    }
}

static void ld_fill_nan(float *out, size_t n)
{
    const float nan = NAN;
    for (size_t i = 0; i < n; i++)
        out[i] = nan;
}

/* ---- The whole box ------------------------------------------------------------------------- */

typedef struct ld_box_out {
    const ld_signed *s;
    float *out;
    size_t qlo[3], qn[3]; /* the caller's box in transform box coordinates */
} ld_box_out;

/* Plane y of the caller's box: the transform's order (x, then z) into out's (x fastest). */
static void ld_box_out_task(void *ctx, size_t y)
{
    const ld_box_out *b = ctx;
    const ld_signed *s = b->s;
    const size_t qnx = b->qn[0], qny = b->qn[1], qnz = b->qn[2], nx = s->n[0], nz = s->n[2];
    const double *d = s->dist + y * qnx * qnz;
    const size_t by = b->qlo[1] + y;
    for (size_t x = 0; x < qnx; x++)
        for (size_t z = 0; z < qnz; z++) {
            const double v = *d++;
            const uint8_t f = s->flags[(by * nz + b->qlo[2] + z) * nx + b->qlo[0] + x];
            b->out[(z * qny + y) * qnx + x] = (float)((f & LD_INSIDE) && v > 0 ? -v : v);
        }
}

lobedice_status lobedice_signed_distance(float *out, const lobedice_volume *map,
                                         const int64_t *labels, size_t nlabels,
                                         const size_t box_lo[3], const size_t box_size[3],
                                         size_t threads)
{
    if (!out || (!box_lo) != (!box_size))
        return LOBEDICE_EINVAL;
    ld_signed s;
    lobedice_status st = ld_signed_begin(&s, map, labels, nlabels, threads);
    size_t qlo[3] = {0, 0, 0}, qn[3], count = 1;
    for (int a = 0; st == LOBEDICE_OK && a < 3; a++) {
        qlo[a] = box_lo ? box_lo[a] : 0;
        qn[a] = box_size ? box_size[a] : map->size[a];
        if (qn[a] == 0 || qlo[a] >= map->size[a] || qn[a] > map->size[a] - qlo[a])
            st = LOBEDICE_ESIZE;
        else if (!ld_mul_size(count, qn[a], &count))
            st = LOBEDICE_EOVERFLOW;
    }
    if (st == LOBEDICE_OK && !ld_mul_size(count, sizeof(float), &(size_t){0}))
        st = LOBEDICE_EOVERFLOW;
    if (st == LOBEDICE_OK && ld_bbox_empty(&s.m)) {
        ld_fill_nan(out, count); /* no surface: undefined */
        ld_signed_free(&s);
        return LOBEDICE_OK;
    }
    ld_box_out b = {.s = &s, .out = out};
    if (st == LOBEDICE_OK) {
        size_t lo[3], n[3];
        ld_union_box(lo, n, &s.m, qlo, qn);
        for (int a = 0; a < 3; a++) {
            b.qlo[a] = qlo[a] - lo[a];
            b.qn[a] = qn[a];
        }
        st = ld_signed_flags(&s, lo, n, b.qlo, b.qn, threads);
    }
    if (st == LOBEDICE_OK)
        st = ld_signed_transform(&s, threads);
    if (st == LOBEDICE_OK)
        ld_parallel_for(threads, qn[1], ld_box_out_task, &b);
    ld_signed_free(&s);
    return st;
}

/* ---- Points -------------------------------------------------------------------------------- */

/* The cell of a point along one axis: the lower corner c (clamped so that c + 1 is inside, or 0
 * on an axis of one voxel) and the weight t of the upper one. The point is clamped to the
 * outermost voxel centres first. */
static void ld_cell(size_t *c, double *t, double u, size_t n)
{
    const double top = (double)(n - 1);
    u = u < 0 ? 0 : u > top ? top : u;
    double f = floor(u);
    if (n > 1 && f > top - 1)
        f = top - 1;
    *c = (size_t)f;
    *t = n > 1 ? u - f : 0;
}

typedef struct ld_points_job {
    ld_signed *s;
    float *out;
    const float *points;
    size_t npoints;
    const size_t *colstart; /* per column y*nx + x of the transform box: its first query */
    const uint32_t *zs;     /* the queries' z, column after column (the transform's order) */
} ld_points_job;

enum { LD_POINTS_CHUNK = 4096 };

/* The signed distance of voxel (x, y, z) of the transform box, which was asked for. */
static double ld_voxel_value(const ld_points_job *job, size_t x, size_t y, size_t z)
{
    const ld_signed *s = job->s;
    const size_t col = y * s->n[0] + x;
    size_t k = job->colstart[col];
    while (job->zs[k] != z)
        k++;
    const double v = s->dist[k];
    return (s->flags[(y * s->n[2] + z) * s->n[0] + x] & LD_INSIDE) && v > 0 ? -v : v;
}

static void ld_points_task(void *ctx, size_t task)
{
    const ld_points_job *job = ctx;
    const ld_signed *s = job->s;
    const size_t end = ld_chunk_end(job->npoints, task, LD_POINTS_CHUNK);
    for (size_t i = task * LD_POINTS_CHUNK; i < end; i++) {
        size_t c[3];
        double t[3];
        for (int a = 0; a < 3; a++)
            ld_cell(&c[a], &t[a], job->points[3 * i + a] / s->map->spacing[a], s->map->size[a]);
        double v = 0;
        for (int k = 0; k < 8; k++) {
            double w = 1;
            size_t q[3];
            for (int a = 0; a < 3; a++) {
                const int up = (k >> a) & 1;
                w *= up ? t[a] : 1 - t[a];
                q[a] = c[a] + (size_t)(up && s->map->size[a] > 1) - s->lo[a];
            }
            if (w != 0)
                v += w * ld_voxel_value(job, q[0], q[1], q[2]);
        }
        job->out[i] = (float)v;
    }
}

/* Marks the 8 voxels around every point as asked for; the transform box holds them. */
static void ld_mark_points(ld_signed *s, const float *points, size_t npoints)
{
    const size_t nx = s->n[0], nz = s->n[2];
    for (size_t i = 0; i < npoints; i++) {
        size_t c[3];
        double t[3];
        for (int a = 0; a < 3; a++)
            ld_cell(&c[a], &t[a], points[3 * i + a] / s->map->spacing[a], s->map->size[a]);
        for (int k = 0; k < 8; k++) {
            size_t q[3];
            for (int a = 0; a < 3; a++)
                q[a] = c[a] + (size_t)(((k >> a) & 1) && s->map->size[a] > 1) - s->lo[a];
            const size_t r = q[1] * nz + q[2];
            uint8_t *f = &s->flags[r * nx + q[0]];
            if (!(*f & 2)) {
                *f |= 2;
                s->row_count[1][r]++;
            }
        }
    }
}

/* Where each query sits in the transform's order (plane y, then column x, then z). */
static lobedice_status ld_query_index(ld_signed *s, size_t **colstart, uint32_t **zs)
{
    const size_t nx = s->n[0], ny = s->n[1], nz = s->n[2], cols = nx * ny;
    *colstart = calloc(cols + 1, sizeof **colstart);
    *zs = malloc((s->queries ? s->queries : 1) * sizeof **zs);
    size_t *fill = calloc(cols ? cols : 1, sizeof *fill);
    if (!*colstart || !*zs || !fill) {
        free(fill);
        return LOBEDICE_ENOMEM;
    }
    size_t *start = *colstart;
    for (size_t y = 0; y < ny; y++)
        for (size_t z = 0; z < nz; z++) {
            if (!s->row_count[1][y * nz + z])
                continue;
            const uint8_t *row = s->flags + (y * nz + z) * nx;
            for (size_t x = 0; x < nx; x++)
                start[y * nx + x + 1] += (row[x] & 2) != 0;
        }
    for (size_t c = 0; c < cols; c++)
        start[c + 1] += start[c];
    for (size_t y = 0; y < ny; y++)
        for (size_t z = 0; z < nz; z++) {
            if (!s->row_count[1][y * nz + z])
                continue;
            const uint8_t *row = s->flags + (y * nz + z) * nx;
            for (size_t x = 0; x < nx; x++)
                if (row[x] & 2) {
                    const size_t col = y * nx + x;
                    (*zs)[start[col] + fill[col]++] = (uint32_t)z;
                }
        }
    free(fill);
    return LOBEDICE_OK;
}

lobedice_status lobedice_signed_distance_at(float *out, const lobedice_volume *map,
                                            const int64_t *labels, size_t nlabels,
                                            const float *points, size_t npoints, size_t threads)
{
    if (npoints && (!out || !points))
        return LOBEDICE_EINVAL;
    if (npoints > SIZE_MAX / (3 * sizeof(float)))
        return LOBEDICE_EOVERFLOW;
    ld_signed s;
    lobedice_status st = ld_signed_begin(&s, map, labels, nlabels, threads);
    for (size_t i = 0; st == LOBEDICE_OK && i < 3 * npoints; i++)
        if (!isfinite(points[i]))
            st = LOBEDICE_ENOTFINITE;
    if (st != LOBEDICE_OK || !npoints || ld_bbox_empty(&s.m)) {
        if (st == LOBEDICE_OK)
            ld_fill_nan(out, npoints); /* no surface: undefined */
        ld_signed_free(&s);
        return st;
    }
    /* the box of the cells of all points */
    size_t qlo[3], qhi[3];
    for (int a = 0; a < 3; a++) {
        qlo[a] = SIZE_MAX;
        qhi[a] = 0;
    }
    for (size_t i = 0; i < npoints; i++)
        for (int a = 0; a < 3; a++) {
            size_t c;
            double t;
            ld_cell(&c, &t, points[3 * i + a] / map->spacing[a], map->size[a]);
            const size_t top = c + (map->size[a] > 1);
            qlo[a] = c < qlo[a] ? c : qlo[a];
            qhi[a] = top > qhi[a] ? top : qhi[a];
        }
    size_t lo[3], n[3], qn[3];
    for (int a = 0; a < 3; a++)
        qn[a] = qhi[a] - qlo[a] + 1;
    ld_union_box(lo, n, &s.m, qlo, qn);
    size_t *colstart = NULL;
    uint32_t *zs = NULL;
    st = ld_signed_flags(&s, lo, n, NULL, NULL, threads);
    if (st == LOBEDICE_OK) {
        ld_mark_points(&s, points, npoints);
        st = ld_signed_transform(&s, threads);
    }
    if (st == LOBEDICE_OK)
        st = ld_query_index(&s, &colstart, &zs);
    if (st == LOBEDICE_OK) {
        ld_points_job job = {&s, out, points, npoints, colstart, zs};
        ld_parallel_for(threads, ld_chunk_count(npoints, LD_POINTS_CHUNK), ld_points_task, &job);
    }
    free(colstart);
    free(zs);
    ld_signed_free(&s);
    return st;
}

/* ---- Bounding boxes ------------------------------------------------------------------------ */

lobedice_status lobedice_label_bounds(size_t *boxes, const lobedice_volume *map,
                                      const int64_t *labels, size_t nlabels, size_t threads)
{
    size_t voxels, bytes;
    lobedice_status st = lobedice_volume_voxels(&voxels, map);
    if (st != LOBEDICE_OK)
        return st;
    if (nlabels && (!boxes || !labels))
        return LOBEDICE_EINVAL;
    if (!ld_mul_size(nlabels, 2 * sizeof(ld_bbox), &bytes))
        return LOBEDICE_EOVERFLOW;
    ld_lookup lookup;
    int64_t *sorted = NULL;
    size_t nsorted = 0;
    const lobedice_label_set set = {0, labels, nlabels};
    st = ld_label_sets_distinct(&sorted, &nsorted, &set, 1);
    if (st != LOBEDICE_OK)
        return st;
    ld_bbox *found = malloc(bytes ? bytes : 1);
    st = found ? ld_lookup_init(&lookup, map->dtype, sorted, NULL, nsorted) : LOBEDICE_ENOMEM;
    if (st == LOBEDICE_OK) {
        ld_bbox_job job = {.vol = {map, NULL}, .lookup = {&lookup, NULL}, .nlabels = nsorted};
        st = ld_label_boxes(found, &job, threads);
        ld_lookup_free(&lookup);
    }
    for (size_t i = 0; st == LOBEDICE_OK && i < nlabels; i++) {
        const ld_bbox *b = &found[ld_find_sorted(sorted, nsorted, labels[i])];
        for (int a = 0; a < 3; a++) {
            boxes[6 * i + a] = ld_bbox_empty(b) ? 0 : b->lo[a];
            boxes[6 * i + 3 + a] = ld_bbox_empty(b) ? 0 : b->hi[a] - b->lo[a] + 1;
        }
    }
    free(found);
    free(sorted);
    return st;
}
