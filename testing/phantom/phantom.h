/* A deterministic lung phantom made in code, shared by tests, benchmarks and the demo.
 *
 * The reference is a lobe map of two lungs in a chest field of view of 350 x 350 x 300 mm
 * (LPS: x from patient right to left, y from anterior to posterior, z from inferior to
 * superior), labels 0 background, 1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL, separated by the two
 * oblique fissures and the right horizontal fissure. The prediction derived from it disagrees
 * the way a network does: shifted and tilted fissures, a smoothly warped lung boundary, a
 * false-positive island of RLL in the mediastinum and a hole in the RUL. Any size works; the
 * spacing follows from the fixed field of view, so it is anisotropic for most sizes. */
#ifndef LOBEDICE_PHANTOM_H
#define LOBEDICE_PHANTOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum phantom_kind { PHANTOM_REFERENCE = 0, PHANTOM_PREDICTION = 1 };

/* Field of view in mm along x, y, z. */
#define PHANTOM_FOV_X 350.0
#define PHANTOM_FOV_Y 350.0
#define PHANTOM_FOV_Z 300.0

/* spacing = field of view / size; origin = the LPS position of voxel (0,0,0) (centred FOV). */
void phantom_geometry(const size_t size[3], double spacing[3], double origin[3]);

/* Fills out (size[0]*size[1]*size[2] bytes, x fastest) with the reference or the prediction.
 * Returns 0, or -1 when a size is zero. */
int phantom_fill(uint8_t *out, const size_t size[3], enum phantom_kind kind);

/* Allocates and fills a map (free() it); NULL when a size is zero, the voxel count overflows or
 * memory runs out. */
uint8_t *phantom_new(const size_t size[3], enum phantom_kind kind);

/* The same for another patient of a data set: variant 0 is the pair above; each variant > 0
 * changes the lung size and how far the prediction is off (fissure shifts, boundary warp,
 * false-positive island), deterministically. */
int phantom_fill_case(uint8_t *out, const size_t size[3], enum phantom_kind kind, unsigned variant);
uint8_t *phantom_new_case(const size_t size[3], enum phantom_kind kind, unsigned variant);

/* The reference and the prediction of one size, with their geometry: what most tests and
 * benchmarks start from. phantom_volume.h turns it into lobedice volumes; this header stays
 * free of the core so that lobedice-phantom builds without it. */
typedef struct phantom_pair {
    uint8_t *ref, *pred; /* `voxels` labels each, x fastest */
    size_t size[3];
    size_t voxels;
    double spacing[3], origin[3]; /* from phantom_geometry */
} phantom_pair;

/* Makes both maps; NULL when a size is zero, the voxel count overflows or memory runs out.
 * Release it with phantom_pair_free (NULL is allowed there). */
phantom_pair *phantom_pair_new(const size_t size[3]);
void phantom_pair_free(phantom_pair *pair);

/* The bounding box of the non-zero voxels of a map: [lo[a], hi[a]) along each axis. Returns 0,
 * or -1 when every voxel is 0 (lo and hi are then untouched). */
int phantom_content_box(const uint8_t *map, const size_t size[3], size_t lo[3], size_t hi[3]);

#ifdef __cplusplus
}
#endif

#endif
