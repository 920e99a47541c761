/* Plain helpers for the label tests (overlap, one-hot, labels): a seeded random generator and
 * typed access to label buffers, written independently of the core's own helpers. */
#ifndef LOBEDICE_LABEL_TEST_UTIL_H
#define LOBEDICE_LABEL_TEST_UTIL_H

#include "lobedice/lobedice.h"

#include <stdint.h>

static const lobedice_dtype all_dtypes[] = {LOBEDICE_UINT8, LOBEDICE_INT8,   LOBEDICE_UINT16,
                                            LOBEDICE_INT16, LOBEDICE_UINT32, LOBEDICE_INT32};

static inline const char *dtype_name(lobedice_dtype dtype)
{
    static const char *names[] = {"uint8", "int8", "uint16", "int16", "uint32", "int32"};
    return (unsigned)dtype < 6 ? names[dtype] : "?";
}

/* splitmix64 */
static inline uint64_t test_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A random integer in [0, n). */
static inline uint64_t test_below(uint64_t *state, uint64_t n)
{
    return test_random(state) % n;
}

static inline void test_range(lobedice_dtype dtype, int64_t *min, int64_t *max)
{
    switch (dtype) {
    case LOBEDICE_UINT8:
        *min = 0;
        *max = 255;
        break;
    case LOBEDICE_INT8:
        *min = -128;
        *max = 127;
        break;
    case LOBEDICE_UINT16:
        *min = 0;
        *max = 65535;
        break;
    case LOBEDICE_INT16:
        *min = -32768;
        *max = 32767;
        break;
    case LOBEDICE_UINT32:
        *min = 0;
        *max = 4294967295;
        break;
    case LOBEDICE_INT32:
        *min = -2147483647 - 1;
        *max = 2147483647;
        break;
    }
}

static inline int test_fits(lobedice_dtype dtype, int64_t v)
{
    int64_t min = 0, max = 0;
    test_range(dtype, &min, &max);
    return v >= min && v <= max;
}

static inline void test_store(void *data, lobedice_dtype dtype, size_t i, int64_t v)
{
    switch (dtype) {
    case LOBEDICE_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case LOBEDICE_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
    case LOBEDICE_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case LOBEDICE_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
    case LOBEDICE_UINT32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    case LOBEDICE_INT32: ((int32_t *)data)[i] = (int32_t)v; break;
    }
}

static inline int64_t test_load(const void *data, lobedice_dtype dtype, size_t i)
{
    switch (dtype) {
    case LOBEDICE_UINT8: return ((const uint8_t *)data)[i];
    case LOBEDICE_INT8: return ((const int8_t *)data)[i];
    case LOBEDICE_UINT16: return ((const uint16_t *)data)[i];
    case LOBEDICE_INT16: return ((const int16_t *)data)[i];
    case LOBEDICE_UINT32: return ((const uint32_t *)data)[i];
    case LOBEDICE_INT32: return ((const int32_t *)data)[i];
    }
    return 0;
}

#endif
