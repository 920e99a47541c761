/* A brute-force oracle of the surface distances, written straight from docs/measures.md
 * ("Surface distances") and independently of the core: no distance transform, no boxes, no
 * library call, an exhaustive nearest-point search over all surface voxel pairs. For small
 * images only (O(surface^2)). Shared by the core and the CLI tests; part of lobedice_check.
 *
 * Masks hold one byte per voxel, x fastest, then y, then z; non-zero means inside. */
#ifndef LOBEDICE_SURFACE_ORACLE_H
#define LOBEDICE_SURFACE_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every measure of one comparison, named as in lobedice_label_surface. */
typedef struct surface_oracle_result {
    uint64_t ref_surface_voxels, pred_surface_voxels;
    double hd, hd95, assd, nsd; /* NaN when a side is empty */
    double hd_ref_to_pred, hd_pred_to_ref;
    double hd95_ref_to_pred, hd95_pred_to_ref;
    double mean_ref_to_pred, mean_pred_to_ref;
} surface_oracle_result;

typedef struct surface_oracle_options {
    double tolerance_mm; /* for nsd */
    uint64_t *histogram; /* bins entries, all written; NULL for none */
    size_t bins;         /* bin j counts j*w <= d < (j+1)*w, the last also everything beyond */
    double bin_mm;       /* w */
} surface_oracle_options;

/* The surface voxels of a mask as coordinates (out has room for every voxel of the image):
 * voxels of the mask with a face neighbour outside it, outside the image counting as outside;
 * in a 2-D image (n[2] == 1) the missing z neighbours are ignored. Returns their number. */
size_t surface_oracle_voxels(size_t (*out)[3], const uint8_t *mask, const size_t n[3]);

/* For each of the na points of a, the distance in mm between voxel centres to the nearest of
 * the nb points of b (nb > 0): a new array of na values (in a's order) the caller frees. */
double *surface_oracle_directed(size_t (*a)[3], size_t na, size_t (*b)[3], size_t nb,
                                const double spacing[3]);

/* P95 of n > 0 values: sorts them, then the linear interpolation at rank 0.95*(n-1). */
double surface_oracle_p95(double *d, size_t n);

/* Every measure between mask a (the reference) and mask b (the prediction). */
surface_oracle_result surface_oracle_measure(const uint8_t *a, const uint8_t *b, const size_t n[3],
                                             const double spacing[3],
                                             const surface_oracle_options *options);

#ifdef __cplusplus
}
#endif

#endif
