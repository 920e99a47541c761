/* Bounding boxes of labels and the surface voxels of a set inside a box (surface_box.h). */
#include "surface_box.h"

#include <stdlib.h>
#include <string.h>

/* ---- Runs: label maps are mostly long runs of one value, so rows are read run by run -------- */

/* The run of equal values that starts at element x of a row of n values: returns its end and
 * puts the code of its value in *code (one lookup per run). */
static LD_ALWAYS_INLINE size_t ld_next_run(uint32_t *code, const ld_lookup *lookup,
                                           const unsigned char *row, size_t x, size_t n,
                                           const size_t width)
{
    *code = ld_lookup_raw(lookup, ld_raw_at(row + x * width, width));
    return ld_run_end(row, x, n, width);
}

/* ---- 1. Bounding boxes of every label asked for, in both volumes ----------------------------- */

void ld_bbox_clear(ld_bbox *b)
{
    for (int a = 0; a < 3; a++) {
        b->lo[a] = SIZE_MAX;
        b->hi[a] = 0;
    }
}

bool ld_bbox_empty(const ld_bbox *b)
{
    return b->lo[0] == SIZE_MAX;
}

void ld_bbox_merge(ld_bbox *b, const ld_bbox *o)
{
    for (int a = 0; a < 3; a++) {
        if (o->lo[a] < b->lo[a])
            b->lo[a] = o->lo[a];
        if (o->hi[a] > b->hi[a])
            b->hi[a] = o->hi[a];
    }
}

static inline void ld_bbox_add_run(ld_bbox *b, size_t x0, size_t x1, size_t y, size_t z)
{
    if (x0 < b->lo[0])
        b->lo[0] = x0;
    if (x1 > b->hi[0])
        b->hi[0] = x1;
    if (y < b->lo[1])
        b->lo[1] = y;
    if (y > b->hi[1])
        b->hi[1] = y;
    if (z < b->lo[2])
        b->lo[2] = z;
    if (z > b->hi[2])
        b->hi[2] = z;
}

/* Adds the runs of row (y, z) to the boxes: code c > 0 is label c-1 of the list. */
static LD_ALWAYS_INLINE void ld_scan_runs(ld_bbox *boxes, const ld_lookup *lookup,
                                          const unsigned char *row, size_t n, size_t y, size_t z,
                                          const size_t width)
{
    for (size_t x = 0, end; x < n; x = end) {
        uint32_t code;
        end = ld_next_run(&code, lookup, row, x, n, width);
        if (code)
            ld_bbox_add_run(&boxes[code - 1], x, end - 1, y, z);
    }
}

static void ld_scan_row(ld_bbox *boxes, const ld_lookup *lookup, const void *data, size_t start,
                        size_t n, size_t y, size_t z)
{
    const size_t width = lobedice_dtype_size(lookup->dtype);
    const unsigned char *row = (const unsigned char *)data + start * width;
    switch (width) {
    case 1: ld_scan_runs(boxes, lookup, row, n, y, z, 1); return;
    case 2: ld_scan_runs(boxes, lookup, row, n, y, z, 2); return;
    default: ld_scan_runs(boxes, lookup, row, n, y, z, 4); return;
    }
}

static void ld_bbox_task(void *ctx, size_t t)
{
    ld_bbox_job *job = ctx;
    const size_t nx = job->vol[0]->size[0], ny = job->vol[0]->size[1];
    ld_bbox *mine = job->partial + t * 2 * job->nlabels;
    for (size_t i = 0; i < 2 * job->nlabels; i++)
        ld_bbox_clear(&mine[i]);
    const size_t r0 = job->nrows * t / job->ntasks, r1 = job->nrows * (t + 1) / job->ntasks;
    for (size_t r = r0; r < r1; r++)
        for (int s = 0; s < 2 && job->vol[s]; s++)
            ld_scan_row(mine + s * job->nlabels, job->lookup[s], job->vol[s]->data, r * nx, nx,
                        r % ny, r / ny);
}

/* ---- 2. Membership and surface bits inside a set's box --------------------------------------- */

/* out[i] = (first) or |= the member bit of value i of the row. in_set[code] is 1|2 when the
 * label of the code is in the set, 0 otherwise (code 0 included); bit is 1 (ref) or 2 (pred). */
static LD_ALWAYS_INLINE void ld_member_runs(uint8_t *out, const ld_lookup *lookup,
                                            const uint8_t *in_set, uint8_t bit,
                                            const unsigned char *row, size_t n, const size_t width,
                                            const bool first)
{
    for (size_t x = 0, end; x < n; x = end) {
        uint32_t code;
        end = ld_next_run(&code, lookup, row, x, n, width);
        const uint8_t member = in_set[code] & bit;
        if (first)
            memset(out + x, member, end - x);
        else if (member)
            for (size_t i = x; i < end; i++)
                out[i] |= member;
    }
}

/* The member bits of one row of one volume: written when `first`, else ORed in. */
static void ld_member_row(uint8_t *out, const ld_lookup *lookup, const uint8_t *in_set, uint8_t bit,
                          const void *data, size_t start, size_t n, bool first)
{
    const size_t width = lobedice_dtype_size(lookup->dtype);
    const unsigned char *row = (const unsigned char *)data + start * width;
    switch (width) {
    case 1:
        if (first)
            ld_member_runs(out, lookup, in_set, bit, row, n, 1, true);
        else
            ld_member_runs(out, lookup, in_set, bit, row, n, 1, false);
        return;
    case 2:
        if (first)
            ld_member_runs(out, lookup, in_set, bit, row, n, 2, true);
        else
            ld_member_runs(out, lookup, in_set, bit, row, n, 2, false);
        return;
    default:
        if (first)
            ld_member_runs(out, lookup, in_set, bit, row, n, 4, true);
        else
            ld_member_runs(out, lookup, in_set, bit, row, n, 4, false);
        return;
    }
}

void ld_member_task(void *ctx, size_t t)
{
    ld_set_job *job = ctx;
    const size_t bx = job->n[0], by = job->n[1];
    const size_t inx = job->vol[0]->size[0], iny = job->vol[0]->size[1];
    const size_t r0 = job->nrows * t / job->ntasks, r1 = job->nrows * (t + 1) / job->ntasks;
    for (size_t r = r0; r < r1; r++) {
        const size_t y = r % by, z = r / by;
        const size_t start = ((job->lo[2] + z) * iny + job->lo[1] + y) * inx + job->lo[0];
        uint8_t *out = job->mem + r * bx;
        for (int s = 0; s < 2 && job->vol[s]; s++)
            ld_member_row(out, job->lookup[s], job->in_set, (uint8_t)(1u << s), job->vol[s]->data,
                          start, bx, s == 0);
        uint8_t any = 0;
        for (size_t x = 0; x < bx; x++)
            any |= out[x];
        job->row_any[r] = any != 0;
    }
}

/* A member voxel is surface unless it and all its face neighbours are members; rows outside the
 * box are all zeros (outside both masks), the z rows of a 2-D image all ones (ignored). */
void ld_surface_task(void *ctx, size_t t)
{
    ld_set_job *job = ctx;
    const size_t bx = job->n[0], by = job->n[1], bz = job->n[2], slice = bx * by;
    const size_t r0 = job->nrows * t / job->ntasks, r1 = job->nrows * (t + 1) / job->ntasks;
    for (size_t r = r0; r < r1; r++) {
        const size_t y = r % by, z = r / by, pr = y * bz + z;
        uint8_t *out = job->flags + pr * bx; /* plane-major, see ld_dt_box */
        job->row_count[0][pr] = job->row_count[1][pr] = 0;
        if (!job->row_any[r]) {
            memset(out, 0, bx);
            continue;
        }
        const uint8_t *c = job->mem + r * bx;
        const uint8_t *up = y > 0 ? c - bx : job->zeros, *down = y + 1 < by ? c + bx : job->zeros;
        const uint8_t *front = job->ones, *back = job->ones;
        if (!job->planar) {
            front = z > 0 ? c - slice : job->zeros;
            back = z + 1 < bz ? c + slice : job->zeros;
        }
        /* the first and last voxels of a row have a neighbour outside the box */
        out[0] = c[0];
        out[bx - 1] = c[bx - 1];
        for (size_t x = 1; x + 1 < bx; x++) {
            const uint8_t inner = c[x] & c[x - 1] & c[x + 1] & up[x] & down[x] & front[x] & back[x];
            out[x] = c[x] & (uint8_t)~inner;
        }
        uint32_t na = 0, nb = 0;
        for (size_t x = 0; x < bx; x++) {
            na += out[x] & 1u;
            nb += out[x] >> 1;
        }
        job->row_count[0][pr] = na;
        job->row_count[1][pr] = nb;
    }
}

/* The bounding box of label i of the list in either volume: boxes[i] (ref), boxes[nlabels + i]
 * (pred); one pass over both volumes for all labels. */
lobedice_status ld_label_boxes(ld_bbox *boxes, ld_bbox_job *job, size_t threads)
{
    const size_t nlabels = job->nlabels;
    for (size_t i = 0; i < 2 * nlabels; i++)
        ld_bbox_clear(&boxes[i]);
    if (!nlabels)
        return LOBEDICE_OK;
    const lobedice_volume *ref = job->vol[0];
    job->nrows = ref->size[1] * ref->size[2];
    job->ntasks = job->nrows < 256 ? job->nrows : 256;
    /* keep the per-task boxes under about 64 MB when very many labels are asked for */
    const size_t budget = (size_t)64 << 20;
    size_t per_task, bytes;
    if (!ld_mul_size(2 * sizeof(ld_bbox), nlabels, &per_task))
        return LOBEDICE_EOVERFLOW;
    if (job->ntasks > 1 && per_task > budget / job->ntasks)
        job->ntasks = budget / per_task > 1 ? budget / per_task : 1;
    if (!ld_mul_size(job->ntasks, per_task, &bytes))
        return LOBEDICE_EOVERFLOW;
    job->partial = malloc(bytes);
    if (!job->partial)
        return LOBEDICE_ENOMEM;
    ld_parallel_for(threads, job->ntasks, ld_bbox_task, job);
    for (size_t i = 0; i < 2 * nlabels; i++)
        for (size_t t = 0; t < job->ntasks; t++)
            ld_bbox_merge(&boxes[i], &job->partial[t * 2 * nlabels + i]);
    free(job->partial);
    job->partial = NULL;
    return LOBEDICE_OK;
}
