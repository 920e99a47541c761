/* Exact Euclidean distances between two voxel sets of a box (private to the core).
 *
 * The box holds one flag byte per voxel (x fastest); bit 1<<s marks the voxels of set s
 * (s = 0 or 1). ld_dt_directed measures, for every voxel of the query set, the distance in mm
 * to the nearest voxel of the feature set, with a separable exact distance transform (the lower
 * envelope of parabolas along x, then y, then the minimum along z at the queries; see
 * distance_transform.c). It is exact inside the box because every feature lies inside it. */
#ifndef LOBEDICE_DISTANCE_TRANSFORM_H
#define LOBEDICE_DISTANCE_TRANSFORM_H

#include "internal.h"

typedef struct ld_dt_box {
    size_t n[3];       /* box size along x, y, z */
    double spacing[3]; /* mm */
    /* n[0]*n[1]*n[2] bytes in plane-major order: voxel (x, y, z) at (y*n[2] + z)*n[0] + x, so
     * that the z pass reads each plane y as one contiguous block. */
    const uint8_t *flags;
    /* row_count[s][y*n[2] + z]: voxels of set s in row (y, z); lets the passes skip rows,
     * slices and planes that hold nothing. */
    const uint32_t *row_count[2];
} ld_dt_box;

/* Bytes of the offset pairs for a box of size n: 4 per voxel, 8 when a side along x or y
 * exceeds 65536. LOBEDICE_EOVERFLOW when a side exceeds 2^32-1 or the product overflows. */
lobedice_status ld_dt_pair_bytes(size_t *bytes, const size_t n[3]);

/* dist: one value per voxel of set `query`, in mm, written in a fixed order that does not
 * depend on `threads`: y ascending, then x, then z. The box must have passed ld_dt_pair_bytes.
 * pairs: ld_dt_pair_bytes of caller scratch (contents irrelevant, overwritten); only the pairs
 * the z pass reads are written. Further memory: one byte per pair of the query ranges (at most
 * one per voxel of the box), one byte per column (x, y), and per thread the larger of about
 * 4 bytes per voxel of one x-y slice and 16 per voxel of one x-z plane of at most 256 columns.
 * Returns LOBEDICE_OK, LOBEDICE_ENOMEM, LOBEDICE_EOVERFLOW (the per-thread scratch does not
 * fit), or LOBEDICE_EINVAL when the set `feature` is empty (a precondition: nothing is
 * written). */
lobedice_status ld_dt_directed(double *dist, const ld_dt_box *box, int feature, int query,
                               void *pairs, size_t threads);

#endif
