/* Bounding boxes of labels and the surface voxels of a set of labels inside a box: the part of
 * the surface measures (surface.c) that the signed distance (signed_distance.c) shares, so that
 * both use one surface definition (docs/measures.md). Private to the core. */
#ifndef LOBEDICE_SURFACE_BOX_H
#define LOBEDICE_SURFACE_BOX_H

#include "label_lookup.h"

typedef struct ld_bbox {
    size_t lo[3], hi[3]; /* inclusive; lo[0] == SIZE_MAX when empty */
} ld_bbox;

void ld_bbox_clear(ld_bbox *b);
bool ld_bbox_empty(const ld_bbox *b);
void ld_bbox_merge(ld_bbox *b, const ld_bbox *o);

/* vol[1] and lookup[1] may be NULL: one volume only (its boxes stay empty). */
typedef struct ld_bbox_job {
    const lobedice_volume *vol[2];
    const ld_lookup *lookup[2]; /* label i of the list -> code i+1 */
    size_t nlabels, nrows, ntasks;
    ld_bbox *partial; /* [task][volume][label] */
} ld_bbox_job;

/* The bounding box of label i of the list in either volume: boxes[i] (vol[0]),
 * boxes[nlabels + i] (vol[1]); one pass over the volumes for all labels. job->vol, lookup and
 * nlabels are the caller's; the rest is scratch. LOBEDICE_OK, LOBEDICE_ENOMEM, LOBEDICE_EOVERFLOW.
 */
lobedice_status ld_label_boxes(ld_bbox *boxes, ld_bbox_job *job, size_t threads);

/* The box of a set: the bounding box of A and B together, in voxels. */
typedef struct ld_set_box {
    size_t lo[3], n[3]; /* n[0] == 0: A and B are both empty */
} ld_set_box;

/* One set inside one box: membership bits, then surface bits. vol[1] and lookup[1] may be NULL
 * (one volume: only bit 1 is set). */
typedef struct ld_set_job {
    const lobedice_volume *vol[2];
    const ld_lookup *lookup[2]; /* the call's lookups: label i of its list -> code i+1 */
    const uint8_t *in_set;      /* per code: 1|2 when its label is in the set */
    size_t lo[3], n[3];         /* the box in the image */
    bool planar;                /* a 2-D image: in-plane neighbours only */
    size_t nrows, ntasks;
    uint8_t *mem;                /* box bytes: bit 1 in A, bit 2 in B */
    uint8_t *row_any;            /* per box row: holds a member */
    const uint8_t *zeros, *ones; /* one box row each */
    /* box bytes, plane-major (ld_dt_box): bit 1 surface of A, bit 2 surface of B */
    uint8_t *flags;
    uint32_t *row_count[2]; /* plane-major rows, as ld_dt_box */
} ld_set_job;

/* Task t of job->ntasks over the box rows: the member bits of A (bit 1) and B (bit 2) into
 * job->mem, and job->row_any. */
void ld_member_task(void *ctx, size_t t);

/* Task t: surface bits into job->flags (plane-major, ld_dt_box) and job->row_count, from
 * job->mem (6 face neighbours, 4 in a 2-D image; outside the box is outside both masks). */
void ld_surface_task(void *ctx, size_t t);

#endif
