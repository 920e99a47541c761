/* Conversions between label buffers: whole-numbered doubles to labels, the smallest dtype for a
 * value range, and pasting a (cropped) volume into a larger grid. These are the per-voxel loops
 * of the ITK wrapping layer, which has none of its own. */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>

/* Values per task of lobedice_labels_from_double: large enough to amortise the task hand-out,
 * small enough to balance a few cores. */
#define LD_CONVERT_CHUNK ((size_t)1 << 18)

typedef struct ld_from_double_ctx {
    void *out;
    lobedice_dtype dtype;
    const double *values;
    size_t count;
    double min, max; /* the dtype's range; exact in a double for every dtype */
    atomic_size_t first_bad;
} ld_from_double_ctx;

/* Lowers *first_bad to i. The minimum does not depend on the order tasks finish in, so the
 * reported voxel is always the first offending one. */
static void ld_lower_first_bad(atomic_size_t *first_bad, size_t i)
{
    size_t seen = atomic_load_explicit(first_bad, memory_order_relaxed);
    while (i < seen && !atomic_compare_exchange_weak_explicit(
                           first_bad, &seen, i, memory_order_relaxed, memory_order_relaxed)) {
    }
}

#define LD_FROM_DOUBLE_LOOP(type)                                                                  \
    do {                                                                                           \
        type *dst = (type *)c->out;                                                                \
        for (size_t i = begin; i < end; i++) {                                                     \
            double v = c->values[i];                                                               \
            /* The range test also rejects NaN; inside it the cast to int64 is defined. */         \
            if (!(v >= c->min && v <= c->max) || (double)(int64_t)v != v) {                        \
                ld_lower_first_bad(&c->first_bad, i);                                              \
                return;                                                                            \
            }                                                                                      \
            dst[i] = (type)(int64_t)v;                                                             \
        }                                                                                          \
    } while (0)

static void ld_from_double_task(void *ctx, size_t task)
{
    ld_from_double_ctx *c = ctx;
    size_t begin = task * LD_CONVERT_CHUNK, end = ld_chunk_end(c->count, task, LD_CONVERT_CHUNK);
    /* A bad value before this chunk is already known: this chunk cannot change the answer. */
    if (atomic_load_explicit(&c->first_bad, memory_order_relaxed) < begin)
        return;
    switch (c->dtype) {
    case LOBEDICE_UINT8: LD_FROM_DOUBLE_LOOP(uint8_t); break;
    case LOBEDICE_INT8: LD_FROM_DOUBLE_LOOP(int8_t); break;
    case LOBEDICE_UINT16: LD_FROM_DOUBLE_LOOP(uint16_t); break;
    case LOBEDICE_INT16: LD_FROM_DOUBLE_LOOP(int16_t); break;
    case LOBEDICE_UINT32: LD_FROM_DOUBLE_LOOP(uint32_t); break;
    case LOBEDICE_INT32: LD_FROM_DOUBLE_LOOP(int32_t); break;
    }
}

lobedice_status lobedice_labels_from_double(void *out, lobedice_dtype dtype, const double *values,
                                            size_t count, size_t *first_bad, size_t threads)
{
    int64_t min = 0, max = 0;
    if (!ld_dtype_range(dtype, &min, &max))
        return LOBEDICE_EDTYPE;
    if (count == 0)
        return LOBEDICE_OK;
    if (!out || !values)
        return LOBEDICE_EINVAL;
    ld_from_double_ctx ctx = {.out = out,
                              .dtype = dtype,
                              .values = values,
                              .count = count,
                              .min = (double)min,
                              .max = (double)max};
    atomic_init(&ctx.first_bad, SIZE_MAX);
    ld_parallel_for(threads, ld_chunk_count(count, LD_CONVERT_CHUNK), ld_from_double_task, &ctx);
    size_t bad = atomic_load(&ctx.first_bad);
    if (bad != SIZE_MAX) {
        if (first_bad)
            *first_bad = bad;
        return LOBEDICE_ENONINTEGER;
    }
    return LOBEDICE_OK;
}

lobedice_status lobedice_dtype_for_range(lobedice_dtype *dtype, int64_t min, int64_t max)
{
    if (!dtype || min > max)
        return LOBEDICE_EINVAL;
    static const lobedice_dtype order[] = {LOBEDICE_UINT8, LOBEDICE_INT8,   LOBEDICE_UINT16,
                                           LOBEDICE_INT16, LOBEDICE_UINT32, LOBEDICE_INT32};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int64_t lo = 0, hi = 0;
        ld_dtype_range(order[i], &lo, &hi);
        if (min >= lo && max <= hi) {
            *dtype = order[i];
            return LOBEDICE_OK;
        }
    }
    return LOBEDICE_ENONINTEGER;
}

typedef struct ld_paste_ctx {
    void *dst;
    lobedice_dtype dst_dtype;
    size_t dst_size[3];
    const lobedice_volume *src;
    int64_t offset[3];
    size_t lo[3], hi[3]; /* the box written, in dst voxels */
    int check_range;     /* src values may not fit dst's dtype */
    int64_t dst_min, dst_max;
    atomic_int misfit;
} ld_paste_ctx;

/* One task per dst z slice of the box. */
static void ld_paste_task(void *ctx, size_t task)
{
    ld_paste_ctx *c = ctx;
    const lobedice_volume *src = c->src;
    size_t z = c->lo[2] + task;
    size_t width = c->hi[0] - c->lo[0];
    size_t dst_bytes = lobedice_dtype_size(c->dst_dtype);
    /* Every index below lies inside one of the two volumes, whose sizes were checked. */
    size_t src_x = (size_t)((int64_t)c->lo[0] - c->offset[0]);
    size_t src_z = (size_t)((int64_t)z - c->offset[2]);
    for (size_t y = c->lo[1]; y < c->hi[1]; y++) {
        size_t src_y = (size_t)((int64_t)y - c->offset[1]);
        size_t s = src_x + src->size[0] * (src_y + src->size[1] * src_z);
        size_t d = c->lo[0] + c->dst_size[0] * (y + c->dst_size[1] * z);
        if (src->dtype == c->dst_dtype) {
            memcpy((char *)c->dst + d * dst_bytes, (const char *)src->data + s * dst_bytes,
                   width * dst_bytes);
            continue;
        }
        for (size_t x = 0; x < width; x++) {
            int64_t v = ld_label_at(src->data, src->dtype, s + x);
            if (c->check_range && (v < c->dst_min || v > c->dst_max)) {
                atomic_store_explicit(&c->misfit, 1, memory_order_relaxed);
                return;
            }
            ld_label_store(c->dst, c->dst_dtype, d + x, v);
        }
    }
}

lobedice_status lobedice_volume_paste(void *dst, lobedice_dtype dst_dtype, const size_t dst_size[3],
                                      const lobedice_volume *src, const int64_t offset[3],
                                      size_t threads)
{
    if (!dst || !dst_size || !offset)
        return LOBEDICE_EINVAL;
    size_t src_voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&src_voxels, src);
    if (st != LOBEDICE_OK)
        return st;
    ld_paste_ctx ctx = {.dst = dst, .dst_dtype = dst_dtype, .src = src};
    if (!ld_dtype_range(dst_dtype, &ctx.dst_min, &ctx.dst_max))
        return LOBEDICE_EDTYPE;
    size_t bytes = lobedice_dtype_size(dst_dtype);
    for (int a = 0; a < 3; a++) {
        if (dst_size[a] == 0)
            return LOBEDICE_ESIZE;
        if (!ld_mul_size(bytes, dst_size[a], &bytes))
            return LOBEDICE_EOVERFLOW;
    }
    for (int a = 0; a < 3; a++) /* the box arithmetic below is in int64_t */
        if (dst_size[a] > (size_t)INT64_MAX || src->size[a] > (size_t)INT64_MAX)
            return LOBEDICE_EOVERFLOW;
    for (int a = 0; a < 3; a++) {
        /* Box of src in dst coordinates: [offset, offset + size), clipped to [0, dst_size). */
        int64_t begin = offset[a], end = 0;
        if (__builtin_add_overflow(offset[a], (int64_t)src->size[a], &end))
            end = INT64_MAX; /* offset is huge and positive: clipped below */
        if (begin < 0)
            begin = 0;
        if (end > (int64_t)dst_size[a])
            end = (int64_t)dst_size[a];
        if (begin >= end)
            return LOBEDICE_OK; /* no voxel of src falls inside dst */
        ctx.lo[a] = (size_t)begin;
        ctx.hi[a] = (size_t)end;
        ctx.dst_size[a] = dst_size[a];
        ctx.offset[a] = offset[a];
    }
    int64_t src_min = 0, src_max = 0;
    ld_dtype_range(src->dtype, &src_min, &src_max);
    ctx.check_range = src_min < ctx.dst_min || src_max > ctx.dst_max;
    atomic_init(&ctx.misfit, 0);
    ld_parallel_for(threads, ctx.hi[2] - ctx.lo[2], ld_paste_task, &ctx);
    return atomic_load(&ctx.misfit) ? LOBEDICE_ENONINTEGER : LOBEDICE_OK;
}

lobedice_status lobedice_first_nonfinite(size_t *first, const void *bytes, size_t count,
                                         size_t value_size, int big_endian)
{
    if (!first || (count > 0 && !bytes) || (value_size != 4 && value_size != 8))
        return LOBEDICE_EINVAL;
    /* The exponent field, all ones for NaN and the infinities, sits in the two bytes next to the
     * sign: the last two bytes of a little-endian value, the first two of a big-endian one. */
    const unsigned char *b = bytes;
    const size_t hi = big_endian ? 0 : value_size - 1, lo = big_endian ? 1 : value_size - 2;
    const unsigned mask_lo = value_size == 4 ? 0x80u : 0xf0u;
    for (size_t i = 0; i < count; i++, b += value_size)
        if ((b[hi] & 0x7fu) == 0x7fu && (b[lo] & mask_lo) == mask_lo) {
            *first = i;
            return LOBEDICE_OK;
        }
    *first = count;
    return LOBEDICE_OK;
}
