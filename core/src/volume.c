/* Volume validation and dtype facts. */
#include "internal.h"

#include <float.h>
#include <math.h>

size_t lobedice_dtype_size(lobedice_dtype dtype)
{
    switch (dtype) {
    case LOBEDICE_UINT8:
    case LOBEDICE_INT8: return 1;
    case LOBEDICE_UINT16:
    case LOBEDICE_INT16: return 2;
    case LOBEDICE_UINT32:
    case LOBEDICE_INT32: return 4;
    }
    return 0;
}

bool ld_dtype_range(lobedice_dtype dtype, int64_t *min, int64_t *max)
{
    switch (dtype) {
    case LOBEDICE_UINT8:
        *min = 0;
        *max = UINT8_MAX;
        return true;
    case LOBEDICE_INT8:
        *min = INT8_MIN;
        *max = INT8_MAX;
        return true;
    case LOBEDICE_UINT16:
        *min = 0;
        *max = UINT16_MAX;
        return true;
    case LOBEDICE_INT16:
        *min = INT16_MIN;
        *max = INT16_MAX;
        return true;
    case LOBEDICE_UINT32:
        *min = 0;
        *max = UINT32_MAX;
        return true;
    case LOBEDICE_INT32:
        *min = INT32_MIN;
        *max = INT32_MAX;
        return true;
    }
    return false;
}

lobedice_status lobedice_volume_voxels(size_t *voxels, const lobedice_volume *volume)
{
    if (!voxels || !volume || !volume->data)
        return LOBEDICE_EINVAL;
    size_t bytes = lobedice_dtype_size(volume->dtype);
    if (bytes == 0)
        return LOBEDICE_EDTYPE;
    size_t n = 1;
    for (int a = 0; a < 3; a++) {
        if (volume->size[a] == 0)
            return LOBEDICE_ESIZE;
        if (!(isfinite(volume->spacing[a]) && volume->spacing[a] > 0))
            return LOBEDICE_ESPACING;
        if (!ld_mul_size(n, volume->size[a], &n))
            return LOBEDICE_EOVERFLOW;
    }
    if (!ld_mul_size(n, bytes, &bytes))
        return LOBEDICE_EOVERFLOW;
    /* Volumes (count x voxel volume) and squared distances (sum of squared extents) must stay
     * finite and non-zero, or a report would hold infinities or zeros for real numbers. */
    double extent[3], voxel_volume = volume->spacing[0] * volume->spacing[1] * volume->spacing[2];
    for (int a = 0; a < 3; a++)
        extent[a] = (double)volume->size[a] * volume->spacing[a];
    if (!(voxel_volume >= DBL_MIN) || !isfinite(extent[0] * extent[1] * extent[2]) ||
        !isfinite(extent[0] * extent[0] + extent[1] * extent[1] + extent[2] * extent[2]))
        return LOBEDICE_ESPACING;
    *voxels = n;
    return LOBEDICE_OK;
}

lobedice_status ld_check_pair(size_t *voxels, const lobedice_volume *ref,
                              const lobedice_volume *pred)
{
    size_t nref = 0, npred = 0;
    lobedice_status st = lobedice_volume_voxels(&nref, ref);
    if (st != LOBEDICE_OK)
        return st;
    st = lobedice_volume_voxels(&npred, pred);
    if (st != LOBEDICE_OK)
        return st;
    for (int a = 0; a < 3; a++)
        if (ref->size[a] != pred->size[a])
            return LOBEDICE_ESIZE;
    *voxels = nref;
    return LOBEDICE_OK;
}
