/* Reading a fuzzer's bytes as typed values: every read succeeds (zeros past the end), so every
 * input is a valid case. Shared by the fuzz targets; header-only. */
#ifndef LOBEDICE_FUZZ_INPUT_H
#define LOBEDICE_FUZZ_INPUT_H

#include "lobedice/lobedice.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, at;
} fuzz_input;

static inline uint8_t fuzz_u8(fuzz_input *in)
{
    return in->at < in->size ? in->data[in->at++] : 0;
}

static inline uint64_t fuzz_u64(fuzz_input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)fuzz_u8(in) << (8 * i);
    return v;
}

/* A double: small whole and fractional values most of the time, any bit pattern (NaN,
 * infinities, subnormals, huge) when the selector byte says so. */
static inline double fuzz_double(fuzz_input *in)
{
    uint8_t kind = fuzz_u8(in);
    if (kind < 200)
        return (double)(kind % 40) / 8.0 + 0.125;
    uint64_t bits = fuzz_u64(in);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static inline float fuzz_float(fuzz_input *in)
{
    uint8_t kind = fuzz_u8(in);
    if (kind < 220)
        return (float)((int)kind - 110) / 16.0f;
    uint32_t bits = (uint32_t)fuzz_u64(in);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static inline lobedice_dtype fuzz_dtype(fuzz_input *in)
{
    return (lobedice_dtype)(fuzz_u8(in) % 6);
}

/* Fills n voxels of dtype with small labels (-2..9) from the input. */
static inline void fuzz_labels(fuzz_input *in, void *out, lobedice_dtype dtype, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int v = (int)(fuzz_u8(in) % 12) - 2;
        switch (dtype) {
        case LOBEDICE_UINT8: ((uint8_t *)out)[i] = (uint8_t)(v < 0 ? 255 : v); break;
        case LOBEDICE_INT8: ((int8_t *)out)[i] = (int8_t)v; break;
        case LOBEDICE_UINT16: ((uint16_t *)out)[i] = (uint16_t)(v < 0 ? 65535 : v); break;
        case LOBEDICE_INT16: ((int16_t *)out)[i] = (int16_t)v; break;
        case LOBEDICE_UINT32: ((uint32_t *)out)[i] = (uint32_t)(v < 0 ? 70000 : v); break;
        case LOBEDICE_INT32: ((int32_t *)out)[i] = (int32_t)v; break;
        }
    }
}

/* A reference and a prediction on one grid of up to max_dim - 1 voxels a side (0 is a bad
 * size the core must refuse), each of its own dtype, with one spacing: bytes read in the order
 * the seed corpora were made with (sizes, dtypes, spacing, reference voxels, prediction
 * voxels). Buffers are 4 bytes a voxel; free vr->data and vp->data. */
static inline void fuzz_volume_pair(fuzz_input *in, size_t max_dim, lobedice_volume *vr,
                                    lobedice_volume *vp)
{
    size_t dims[3];
    for (int a = 0; a < 3; a++)
        dims[a] = fuzz_u8(in) % max_dim;
    const lobedice_dtype tr = fuzz_dtype(in), tp = fuzz_dtype(in);
    double spacing[3];
    for (int a = 0; a < 3; a++)
        spacing[a] = fuzz_double(in);
    const size_t n = dims[0] * dims[1] * dims[2];
    void *ref = calloc(n ? n : 1, 4), *pred = calloc(n ? n : 1, 4);
    if (!ref || !pred)
        __builtin_trap();
    fuzz_labels(in, ref, tr, n);
    fuzz_labels(in, pred, tp, n);
    *vr = (lobedice_volume){
        ref, tr, {dims[0], dims[1], dims[2]}, {spacing[0], spacing[1], spacing[2]}};
    *vp = (lobedice_volume){
        pred, tp, {dims[0], dims[1], dims[2]}, {spacing[0], spacing[1], spacing[2]}};
}

/* A finding: the fuzzer (or the regression driver) reports the input that got here. */
#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#endif
