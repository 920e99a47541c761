/* The soft Dice loss, the generalized Dice loss and their gradients (docs/measures.md, "The soft
 * Dice loss of the training side").
 *
 * Two sweeps. The forward sweep applies the activation and accumulates, per sample and channel,
 * I = sum p*g, P = sum p (or p^2), G = sum g and sum g^2 in double. From these the loss and
 * dL/dI, dL/dP per (sample, channel) follow in closed form; the backward sweep (only when a
 * gradient is asked for) turns them into dL/dp = alpha*g + beta*(p or 1) and then into the
 * gradient w.r.t. the raw input through the activation's Jacobian.
 *
 * Determinism: voxels are split into chunks that depend only on the sizes; each chunk sums into
 * its own double lanes (voxel position mod 8, folded in a fixed order) and the chunks are
 * combined in chunk order afterwards, so any thread count gives the same bits.
 *
 * Speed: voxels go through tiles of up to LD_TILE_MAX voxels held channel-first (one row of
 * floats per channel), so every inner loop runs over contiguous floats and GCC vectorizes it
 * (softmax included, through ld_exp_neg_abs). With a gradient the forward sweep keeps the
 * activations in the caller's grad buffer, in the tile's own region, so the backward sweep does
 * not compute them again; the label path builds the one-hot rows of one tile at a time.
 * Extra memory: the chunk partial sums (at most LD_CHUNKS_MAX per sample) and one tile scratch
 * per worker thread, whatever the number of voxels. */
#include "internal.h"
#include "loss_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    LD_LANES = 8,          /* double partial sums per row: one per voxel position mod 8 */
    LD_TILE_MAX = 256,     /* voxels per tile, at most */
    LD_TILE_FLOATS = 2048, /* channels * tile voxels, aimed at (a tile row set stays in L1) */
    LD_CHUNK_MIN = 4096,   /* voxels per chunk, at least (then rounded up to whole tiles) */
    LD_CHUNKS_MAX = 64     /* chunks per sample, at most */
};

/* The sums kept per (sample, channel). */
enum { LD_SUM_I, LD_SUM_P, LD_SUM_G, LD_SUM_GG, LD_NSUMS };

/* What a chunk found wrong. */
enum { LD_BAD_INPUT = 1, LD_BAD_TARGET = 2, LD_BAD_LABEL = 4 };

/* The kernels are inlined into the chunk functions, and those are compiled twice, for AVX2
 * and for the baseline, the loader picking one (function multiversioning, glibc's ifunc): the
 * same plain C, 8 floats a step instead of 4, which halves the time at the benchmark's size. Both
 * clones do the same IEEE operations in the same order (no FMA contraction: "avx2" does not
 * enable FMA), so the results do not depend on which one runs. Other platforms get the plain
 * build. */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LD_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LD_CLONES
#define LD_CLONES
#endif

/* The largest channel count: label values are compared as int32. */
#define LD_CHANNELS_MAX ((size_t)INT32_MAX)

typedef struct ld_job {
    size_t batch, channels, voxels;
    lobedice_layout layout;
    lobedice_activation activation;
    int squared;
    const float *input;
    const float *target; /* one-hot or soft target in the input's layout, or NULL */
    const void *labels;  /* label map (batch*voxels), or NULL */
    lobedice_dtype label_dtype;
    float *grad; /* NULL: no backward sweep; else also the activations' store */

    size_t tile, chunk_voxels, chunks_per_sample, nchunks, workers;
    unsigned char *scratch; /* workers * scratch_bytes: one slot per worker */
    size_t scratch_bytes;

    double *partial;    /* [chunk][LD_NSUMS][channels] */
    unsigned char *bad; /* [chunk] LD_BAD_* bits */

    /* Backward: dL/dp = alpha*g + beta*(squared ? p : 1), per [group][channel] where the group
     * is the sample, or 0 with batch_dice. */
    const float *alpha, *beta;
    int batch_dice;
} ld_job;

/* One worker's tile buffers (rows of `tile` floats, one per channel). */
typedef struct ld_scratch {
    double *lanes; /* [channels][LD_NSUMS][LD_LANES] */
    float *xt, *pt, *gt, *ot, *aux0, *aux1;
    int32_t *lt;
} ld_scratch;

static size_t ld_round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* A worker's scratch: the lanes, four tiles of channel rows (input, activations, target,
 * gradient), two rows and the labels of a tile; 64-byte aligned pieces. Returns the size and
 * points s (when not NULL) into base. */
static size_t ld_scratch_layout(size_t channels, size_t tile, ld_scratch *s, unsigned char *base)
{
    size_t rows = ld_round_up(channels * tile * sizeof(float), 64);
    size_t row = ld_round_up(tile * sizeof(float), 64);
    size_t lanes = ld_round_up(channels * LD_NSUMS * LD_LANES * sizeof(double), 64);
    if (s) {
        s->lanes = (double *)(void *)base;
        s->xt = (float *)(void *)(base + lanes);
        s->pt = (float *)(void *)(base + lanes + rows);
        s->gt = (float *)(void *)(base + lanes + 2 * rows);
        s->ot = (float *)(void *)(base + lanes + 3 * rows);
        s->aux0 = (float *)(void *)(base + lanes + 4 * rows);
        s->aux1 = (float *)(void *)(base + lanes + 4 * rows + row);
        s->lt = (int32_t *)(void *)(base + lanes + 4 * rows + 2 * row);
    }
    return lanes + 4 * rows + 3 * row;
}

/* ---- Row kernels: contiguous loops that GCC vectorizes ------------------------------------ */

/* 1 when a value of x[0..n) is NaN or infinite (all exponent bits set). */
static LD_ALWAYS_INLINE unsigned ld_any_nonfinite(const float *restrict x, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return bad != 0;
}

/* Channels-last voxels [0, n) -> channel rows of stride `tile`, and back. One channel at a
 * time with strided loads (or stores); a constant channel count lets GCC vectorize them, hence
 * the cases below for the usual small counts. */
static LD_ALWAYS_INLINE void ld_gather_n(float *restrict rows, size_t tile,
                                         const float *restrict src, size_t channels, size_t n)
{
    for (size_t c = 0; c < channels; c++)
        for (size_t v = 0; v < n; v++)
            rows[c * tile + v] = src[v * channels + c];
}

static LD_ALWAYS_INLINE void ld_scatter_n(float *restrict dst, const float *restrict rows,
                                          size_t tile, size_t channels, size_t n)
{
    for (size_t c = 0; c < channels; c++)
        for (size_t v = 0; v < n; v++)
            dst[v * channels + c] = rows[c * tile + v];
}

static LD_ALWAYS_INLINE void ld_gather(float *restrict rows, size_t tile, const float *restrict src,
                                       size_t channels, size_t n)
{
    switch (channels) {
    case 2: ld_gather_n(rows, tile, src, 2, n); break;
    case 3: ld_gather_n(rows, tile, src, 3, n); break;
    case 4: ld_gather_n(rows, tile, src, 4, n); break;
    case 5: ld_gather_n(rows, tile, src, 5, n); break;
    case 6: ld_gather_n(rows, tile, src, 6, n); break;
    case 7: ld_gather_n(rows, tile, src, 7, n); break;
    case 8: ld_gather_n(rows, tile, src, 8, n); break;
    default: ld_gather_n(rows, tile, src, channels, n); break;
    }
}

static LD_ALWAYS_INLINE void ld_scatter(float *restrict dst, const float *restrict rows,
                                        size_t tile, size_t channels, size_t n)
{
    switch (channels) {
    case 2: ld_scatter_n(dst, rows, tile, 2, n); break;
    case 3: ld_scatter_n(dst, rows, tile, 3, n); break;
    case 4: ld_scatter_n(dst, rows, tile, 4, n); break;
    case 5: ld_scatter_n(dst, rows, tile, 5, n); break;
    case 6: ld_scatter_n(dst, rows, tile, 6, n); break;
    case 7: ld_scatter_n(dst, rows, tile, 7, n); break;
    case 8: ld_scatter_n(dst, rows, tile, 8, n); break;
    default: ld_scatter_n(dst, rows, tile, channels, n); break;
    }
}

/* sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) below, with e = exp(-|x|) (never overflows); the
 * choice is made on the sign bit, as a float compare-and-select would not vectorize. */
static LD_ALWAYS_INLINE void ld_sigmoid_row(float *p, const float *x, size_t n)
{
    for (size_t v = 0; v < n; v++) {
        float e = ld_exp_neg_abs(x[v]);
        float r = 1.0f / (1.0f + e);
        float er = e * r;
        uint32_t sign, ur, uer;
        memcpy(&sign, &x[v], sizeof sign);
        memcpy(&ur, &r, sizeof ur);
        memcpy(&uer, &er, sizeof uer);
        uint32_t negative = 0u - (sign >> 31);
        uint32_t u = (ur & ~negative) | (uer & negative);
        memcpy(&p[v], &u, sizeof u);
    }
}

/* Softmax over the channel rows, the largest value subtracted first (x - max <= 0). */
static LD_ALWAYS_INLINE void ld_softmax_rows(float *p, size_t ps, const float *x, size_t xs,
                                             size_t channels, size_t n, float *restrict max,
                                             float *restrict sum)
{
    memcpy(max, x, n * sizeof *max);
    for (size_t c = 1; c < channels; c++) {
        const float *xc = x + c * xs;
        for (size_t v = 0; v < n; v++)
            max[v] = xc[v] > max[v] ? xc[v] : max[v];
    }
    memset(sum, 0, n * sizeof *sum);
    for (size_t c = 0; c < channels; c++) {
        const float *xc = x + c * xs;
        float *pc = p + c * ps;
        for (size_t v = 0; v < n; v++) {
            float e = ld_exp_neg_abs(xc[v] - max[v]);
            pc[v] = e;
            sum[v] += e;
        }
    }
    for (size_t v = 0; v < n; v++)
        sum[v] = 1.0f / sum[v]; /* sum >= 1: the largest channel contributes exp(0) */
    for (size_t c = 0; c < channels; c++) {
        float *pc = p + c * ps;
        for (size_t v = 0; v < n; v++)
            pc[v] *= sum[v];
    }
}

static LD_ALWAYS_INLINE void ld_activate(lobedice_activation activation, float *p, size_t ps,
                                         const float *x, size_t xs, size_t channels, size_t n,
                                         const ld_scratch *s)
{
    switch (activation) {
    case LOBEDICE_ACTIVATION_NONE:
        if (p != x)
            for (size_t c = 0; c < channels; c++)
                memcpy(p + c * ps, x + c * xs, n * sizeof *p);
        break;
    case LOBEDICE_ACTIVATION_SIGMOID:
        for (size_t c = 0; c < channels; c++)
            ld_sigmoid_row(p + c * ps, x + c * xs, n);
        break;
    case LOBEDICE_ACTIVATION_SOFTMAX:
        ld_softmax_rows(p, ps, x, xs, channels, n, s->aux0, s->aux1);
        break;
    }
}

/* Adds row sums into 8 double lanes per sum (position mod 8, so the order is fixed). */
static LD_ALWAYS_INLINE void ld_sum_row(double *restrict lanes, const float *restrict p,
                                        const float *restrict g, size_t n, int squared)
{
    double *sum_i = lanes + LD_SUM_I * LD_LANES, *sum_p = lanes + LD_SUM_P * LD_LANES;
    double *sum_g = lanes + LD_SUM_G * LD_LANES, *sum_gg = lanes + LD_SUM_GG * LD_LANES;
    size_t whole = n / LD_LANES * LD_LANES;
    if (squared) {
        for (size_t v = 0; v < whole; v += LD_LANES)
            for (size_t k = 0; k < LD_LANES; k++) {
                double pv = p[v + k], gv = g[v + k];
                sum_i[k] += pv * gv;
                sum_p[k] += pv * pv;
                sum_g[k] += gv;
                sum_gg[k] += gv * gv;
            }
    } else {
        for (size_t v = 0; v < whole; v += LD_LANES)
            for (size_t k = 0; k < LD_LANES; k++) {
                double pv = p[v + k], gv = g[v + k];
                sum_i[k] += pv * gv;
                sum_p[k] += pv;
                sum_g[k] += gv;
            }
    }
    for (size_t v = whole, k = 0; v < n; v++, k++) {
        double pv = p[v], gv = g[v];
        sum_i[k] += pv * gv;
        sum_p[k] += squared ? pv * pv : pv;
        sum_g[k] += gv;
        sum_gg[k] += gv * gv;
    }
}

/* Labels [offset, offset+n) as int32; LD_BAD_LABEL when one is outside [0, channels). */
static LD_ALWAYS_INLINE unsigned ld_load_labels(int32_t *restrict out, const void *labels,
                                                lobedice_dtype dtype, size_t offset, size_t n,
                                                size_t channels)
{
    const uint32_t limit = (uint32_t)channels; /* channels <= INT32_MAX */
    uint32_t bad = 0;
    /* Widened to 32 bits (sign-extended for signed types), a negative value compares as a huge
     * unsigned one; 32-bit lanes keep the loop vectorized. */
#define LD_LOAD(type, wide)                                                                        \
    do {                                                                                           \
        const type *src = (const type *)labels + offset;                                           \
        for (size_t v = 0; v < n; v++) {                                                           \
            wide l = src[v];                                                                       \
            bad |= (uint32_t)l >= limit;                                                           \
            out[v] = (int32_t)l;                                                                   \
        }                                                                                          \
    } while (0)
    switch (dtype) {
    case LOBEDICE_UINT8: LD_LOAD(uint8_t, uint32_t); break;
    case LOBEDICE_INT8: LD_LOAD(int8_t, int32_t); break;
    case LOBEDICE_UINT16: LD_LOAD(uint16_t, uint32_t); break;
    case LOBEDICE_INT16: LD_LOAD(int16_t, int32_t); break;
    case LOBEDICE_UINT32: LD_LOAD(uint32_t, uint32_t); break;
    case LOBEDICE_INT32: LD_LOAD(int32_t, int32_t); break;
    }
#undef LD_LOAD
    return bad ? LD_BAD_LABEL : 0;
}

/* The one-hot rows of one tile of labels. */
static LD_ALWAYS_INLINE void ld_onehot_rows(float *restrict rows, size_t tile,
                                            const int32_t *restrict labels, size_t channels,
                                            size_t n)
{
    for (size_t c = 0; c < channels; c++) {
        float *row = rows + c * tile;
        const int32_t cc = (int32_t)c;
        for (size_t v = 0; v < n; v++)
            row[v] = labels[v] == cc ? 1.0f : 0.0f;
    }
}

/* ---- Tiles --------------------------------------------------------------------------------- */

/* The tile's region of grad, where its activations are kept between the sweeps: rows of n
 * floats inside the tile's own channels-last block, or the channel rows themselves. */
static LD_ALWAYS_INLINE float *ld_region(const ld_job *job, size_t b, size_t v0, size_t n,
                                         size_t *stride)
{
    size_t c = job->channels, v = job->voxels;
    if (job->layout == LOBEDICE_CHANNELS_FIRST) {
        *stride = v;
        return job->grad + b * c * v + v0;
    }
    *stride = n;
    return job->grad + (b * v + v0) * c;
}

/* The target rows of a tile (labels turned one-hot, or the target gathered or in place). */
static LD_ALWAYS_INLINE const float *ld_target_rows(const ld_job *job, const ld_scratch *s,
                                                    size_t b, size_t v0, size_t n, size_t *stride,
                                                    unsigned *bad)
{
    size_t c = job->channels, v = job->voxels;
    if (job->labels) {
        *bad |= ld_load_labels(s->lt, job->labels, job->label_dtype, b * v + v0, n, c);
        ld_onehot_rows(s->gt, job->tile, s->lt, c, n);
        *stride = job->tile;
        return s->gt;
    }
    if (job->layout == LOBEDICE_CHANNELS_FIRST) {
        *stride = v;
        return job->target + b * c * v + v0;
    }
    ld_gather(s->gt, job->tile, job->target + (b * v + v0) * c, c, n);
    *stride = job->tile;
    return s->gt;
}

/* The input rows of a tile (in place, or gathered from channels last); *bad gets
 * LD_BAD_INPUT when `check` is set and a value is not finite. */
static LD_ALWAYS_INLINE const float *ld_input_rows(const ld_job *job, const ld_scratch *s, size_t b,
                                                   size_t v0, size_t n, size_t *stride, int check,
                                                   unsigned *bad)
{
    const size_t nc = job->channels, nv = job->voxels;
    unsigned bad_input = 0;
    if (job->layout == LOBEDICE_CHANNELS_FIRST) {
        const float *x = job->input + b * nc * nv + v0;
        if (check)
            for (size_t c = 0; c < nc; c++)
                bad_input |= ld_any_nonfinite(x + c * nv, n);
        if (bad_input)
            *bad |= LD_BAD_INPUT;
        *stride = nv;
        return x;
    }
    const float *src = job->input + (b * nv + v0) * nc;
    if (check && ld_any_nonfinite(src, n * nc))
        *bad |= LD_BAD_INPUT;
    ld_gather(s->xt, job->tile, src, nc, n);
    *stride = job->tile;
    return s->xt;
}

static LD_ALWAYS_INLINE unsigned ld_forward_tile(const ld_job *job, const ld_scratch *s, size_t b,
                                                 size_t v0, size_t n)
{
    const size_t nc = job->channels;
    unsigned bad = 0;
    size_t xs, ps, gs;
    /* With a gradient the validation sweep has checked the input already. */
    const float *x = ld_input_rows(job, s, b, v0, n, &xs, job->grad == NULL, &bad);
    const float *p;
    if (job->grad) {
        float *region = ld_region(job, b, v0, n, &ps);
        ld_activate(job->activation, region, ps, x, xs, nc, n, s);
        p = region;
    } else if (job->activation == LOBEDICE_ACTIVATION_NONE) {
        p = x;
        ps = xs;
    } else {
        ld_activate(job->activation, s->pt, job->tile, x, xs, nc, n, s);
        p = s->pt;
        ps = job->tile;
    }
    const float *g = ld_target_rows(job, s, b, v0, n, &gs, &bad);
    for (size_t c = 0; c < nc; c++)
        ld_sum_row(s->lanes + c * LD_NSUMS * LD_LANES, p + c * ps, g + c * gs, n, job->squared);
    return bad;
}

static LD_ALWAYS_INLINE void ld_backward_tile(const ld_job *job, const ld_scratch *s, size_t b,
                                              size_t v0, size_t n)
{
    const size_t nc = job->channels, group = job->batch_dice ? 0 : b;
    const float *alpha = job->alpha + group * nc, *beta = job->beta + group * nc;
    const int squared = job->squared;
    size_t ps, gs;
    float *p = ld_region(job, b, v0, n, &ps);
    unsigned ignored = 0;
    const float *g = ld_target_rows(job, s, b, v0, n, &gs, &ignored);
    /* Channels first: the gradient replaces the activations row by row (each element of row c
     * depends only on row c and the per-voxel t). Channels last: through a tile, since the
     * region holds the activations as rows. */
    const int in_place = job->layout == LOBEDICE_CHANNELS_FIRST;
    float *out = in_place ? p : s->ot;
    const size_t os = in_place ? ps : job->tile;

    if (job->activation == LOBEDICE_ACTIVATION_SOFTMAX) {
        /* d/dx_c = p_c * (q_c - sum_k p_k q_k), with q = dL/dp. */
        float *t = s->aux0;
        memset(t, 0, n * sizeof *t);
        for (size_t c = 0; c < nc; c++) {
            const float *pc = p + c * ps, *gc = g + c * gs;
            const float a = alpha[c], bt = beta[c];
            for (size_t v = 0; v < n; v++) {
                float m = squared ? pc[v] : 1.0f;
                t[v] += pc[v] * (a * gc[v] + bt * m);
            }
        }
        for (size_t c = 0; c < nc; c++) {
            const float *pc = p + c * ps, *gc = g + c * gs;
            float *oc = out + c * os;
            const float a = alpha[c], bt = beta[c];
            for (size_t v = 0; v < n; v++) {
                float m = squared ? pc[v] : 1.0f;
                oc[v] = pc[v] * (a * gc[v] + bt * m - t[v]);
            }
        }
    } else {
        const int sigmoid = job->activation == LOBEDICE_ACTIVATION_SIGMOID;
        for (size_t c = 0; c < nc; c++) {
            const float *pc = p + c * ps, *gc = g + c * gs;
            float *oc = out + c * os;
            const float a = alpha[c], bt = beta[c];
            if (sigmoid) /* sigmoid' = p(1-p) */
                for (size_t v = 0; v < n; v++) {
                    float m = squared ? pc[v] : 1.0f;
                    oc[v] = (a * gc[v] + bt * m) * (pc[v] * (1.0f - pc[v]));
                }
            else
                for (size_t v = 0; v < n; v++) {
                    float m = squared ? pc[v] : 1.0f;
                    oc[v] = a * gc[v] + bt * m;
                }
        }
    }
    if (!in_place)
        ld_scatter(job->grad + (b * job->voxels + v0) * nc, s->ot, job->tile, nc, n);
}

/* ---- Sweeps -------------------------------------------------------------------------------- */

/* The tile buffers of a worker (every sweep runs on job->workers threads). */
static void ld_worker_scratch(const ld_job *job, size_t worker, ld_scratch *s)
{
    ld_scratch_layout(job->channels, job->tile, s, job->scratch + worker * job->scratch_bytes);
}

static void ld_chunk_range(const ld_job *job, size_t chunk, size_t *b, size_t *begin, size_t *end)
{
    *b = chunk / job->chunks_per_sample;
    *begin = chunk % job->chunks_per_sample * job->chunk_voxels;
    *end = *begin + job->chunk_voxels < job->voxels ? *begin + job->chunk_voxels : job->voxels;
}

LD_CLONES static void ld_forward_chunk(void *ctx, size_t chunk, size_t worker)
{
    ld_job *job = ctx;
    ld_scratch s;
    ld_worker_scratch(job, worker, &s);
    size_t b, begin, end, nc = job->channels;
    ld_chunk_range(job, chunk, &b, &begin, &end);
    memset(s.lanes, 0, nc * LD_NSUMS * LD_LANES * sizeof *s.lanes);
    unsigned bad = 0;
    for (size_t v0 = begin; v0 < end; v0 += job->tile)
        bad |= ld_forward_tile(job, &s, b, v0, end - v0 < job->tile ? end - v0 : job->tile);
    double *out = job->partial + chunk * LD_NSUMS * nc;
    for (size_t c = 0; c < nc; c++)
        for (size_t k = 0; k < LD_NSUMS; k++) {
            const double *lane = s.lanes + (c * LD_NSUMS + k) * LD_LANES;
            double sum = 0.0;
            for (size_t i = 0; i < LD_LANES; i++)
                sum += lane[i];
            out[k * nc + c] = sum;
        }
    job->bad[chunk] = (unsigned char)bad;
}

LD_CLONES static void ld_backward_chunk(void *ctx, size_t chunk, size_t worker)
{
    ld_job *job = ctx;
    ld_scratch s;
    ld_worker_scratch(job, worker, &s);
    size_t b, begin, end;
    ld_chunk_range(job, chunk, &b, &begin, &end);
    for (size_t v0 = begin; v0 < end; v0 += job->tile)
        ld_backward_tile(job, &s, b, v0, end - v0 < job->tile ? end - v0 : job->tile);
}

/* Checks everything a sweep could find wrong before grad is used as scratch, so that an error
 * leaves every output untouched. */
LD_CLONES static void ld_validate_chunk(void *ctx, size_t chunk, size_t worker)
{
    ld_job *job = ctx;
    ld_scratch s;
    ld_worker_scratch(job, worker, &s);
    size_t b, begin, end, nc = job->channels, nv = job->voxels;
    ld_chunk_range(job, chunk, &b, &begin, &end);
    unsigned bad = 0;
    size_t n = end - begin;
    if (job->layout == LOBEDICE_CHANNELS_FIRST) {
        for (size_t c = 0; c < nc; c++) {
            size_t at = (b * nc + c) * nv + begin;
            if (ld_any_nonfinite(job->input + at, n))
                bad |= LD_BAD_INPUT;
            if (job->target && ld_any_nonfinite(job->target + at, n))
                bad |= LD_BAD_TARGET;
        }
    } else {
        size_t at = (b * nv + begin) * nc;
        if (ld_any_nonfinite(job->input + at, n * nc))
            bad |= LD_BAD_INPUT;
        if (job->target && ld_any_nonfinite(job->target + at, n * nc))
            bad |= LD_BAD_TARGET;
    }
    if (job->labels)
        for (size_t v0 = begin; v0 < end; v0 += job->tile)
            bad |= ld_load_labels(s.lt, job->labels, job->label_dtype, b * nv + v0,
                                  end - v0 < job->tile ? end - v0 : job->tile, nc);
    job->bad[chunk] = (unsigned char)bad;
}

static lobedice_status ld_job_status(const ld_job *job)
{
    unsigned bad = 0;
    for (size_t i = 0; i < job->nchunks; i++)
        bad |= job->bad[i];
    if (bad & (LD_BAD_INPUT | LD_BAD_TARGET))
        return LOBEDICE_ENOTFINITE;
    if (bad & LD_BAD_LABEL)
        return LOBEDICE_ELABEL;
    return LOBEDICE_OK;
}

static void ld_job_free(ld_job *job)
{
    free(job->scratch);
    free(job->partial);
    free(job->bad);
}

/* Splits the work (from the sizes only) and allocates the partial sums and the scratch. */
static lobedice_status ld_job_prepare(ld_job *job, size_t threads)
{
    size_t nc = job->channels;
    size_t tile = LD_TILE_FLOATS / nc / LD_LANES * LD_LANES;
    job->tile = tile < LD_LANES ? LD_LANES : tile > LD_TILE_MAX ? LD_TILE_MAX : tile;
    size_t chunks = (job->voxels + LD_CHUNK_MIN - 1) / LD_CHUNK_MIN;
    if (chunks > LD_CHUNKS_MAX)
        chunks = LD_CHUNKS_MAX;
    job->chunk_voxels = ld_round_up((job->voxels + chunks - 1) / chunks, job->tile);
    job->chunks_per_sample = (job->voxels + job->chunk_voxels - 1) / job->chunk_voxels;
    job->nchunks = job->batch * job->chunks_per_sample; /* <= batch * voxels: fits */
    job->workers = ld_resolve_threads(threads, job->nchunks);
    if (nc > SIZE_MAX / 1024) /* the scratch takes under 512 bytes per channel */
        return LOBEDICE_EOVERFLOW;
    job->scratch_bytes = ld_scratch_layout(nc, job->tile, NULL, NULL);

    size_t partial_bytes, scratch_total;
    if (!ld_mul_size(job->nchunks, LD_NSUMS * sizeof(double), &partial_bytes) ||
        !ld_mul_size(partial_bytes, nc, &partial_bytes) ||
        !ld_mul_size(job->workers, job->scratch_bytes, &scratch_total))
        return LOBEDICE_EOVERFLOW;
    job->partial = malloc(partial_bytes);
    job->bad = calloc(job->nchunks, 1);
    /* scratch_bytes is a multiple of 64, as aligned_alloc requires of the size */
    job->scratch = aligned_alloc(64, scratch_total);
    if (!job->partial || !job->bad || !job->scratch) {
        ld_job_free(job);
        return LOBEDICE_ENOMEM;
    }
    return LOBEDICE_OK;
}

/* Runs the forward sweep (after a validation sweep when grad will be used as scratch) and
 * combines the chunk sums in order into totals[group][LD_NSUMS][channels]; groups are the
 * samples, or one with batch_dice. */
static lobedice_status ld_job_forward(ld_job *job, double *totals)
{
    if (job->grad) {
        ld_parallel_for_workers(job->workers, job->nchunks, ld_validate_chunk, job);
        lobedice_status st = ld_job_status(job);
        if (st != LOBEDICE_OK)
            return st;
    }
    ld_parallel_for_workers(job->workers, job->nchunks, ld_forward_chunk, job);
    lobedice_status st = ld_job_status(job);
    if (st != LOBEDICE_OK)
        return st;
    size_t nc = job->channels, groups = job->batch_dice ? 1 : job->batch;
    memset(totals, 0, groups * LD_NSUMS * nc * sizeof *totals);
    for (size_t chunk = 0; chunk < job->nchunks; chunk++) {
        size_t group = job->batch_dice ? 0 : chunk / job->chunks_per_sample;
        const double *part = job->partial + chunk * LD_NSUMS * nc;
        double *tot = totals + group * LD_NSUMS * nc;
        for (size_t i = 0; i < LD_NSUMS * nc; i++)
            tot[i] += part[i];
    }
    /* The target is checked here: a double sum of finite floats is always finite. */
    for (size_t i = 0; i < groups * LD_NSUMS * nc; i++)
        if (!isfinite(totals[i]))
            return LOBEDICE_ENOTFINITE;
    return LOBEDICE_OK;
}

/* ---- Options ------------------------------------------------------------------------------- */

/* The bytes of the options each version has (fields are only appended). */
static const size_t ld_loss_options_size[LOBEDICE_DICE_LOSS_OPTIONS_VERSION] = {
    sizeof(lobedice_dice_loss_options)};
static const lobedice_dice_loss_options ld_loss_defaults = LOBEDICE_DICE_LOSS_OPTIONS_INIT;

lobedice_status lobedice_dice_loss_options_init(lobedice_dice_loss_options *opts, unsigned version)
{
    return ld_options_init(opts, &ld_loss_defaults, ld_loss_options_size, version,
                           LOBEDICE_DICE_LOSS_OPTIONS_VERSION);
}

/* The caller's options of any version as the current one (*o), then the shape and everything
 * in them but the weights, the reduction and the generalized weight. */
static lobedice_status ld_loss_options(lobedice_dice_loss_options *o,
                                       const lobedice_tensor_shape *s,
                                       const lobedice_dice_loss_options *given)
{
    lobedice_status st = ld_options_resolve(o, &ld_loss_defaults, ld_loss_options_size,
                                            LOBEDICE_DICE_LOSS_OPTIONS_VERSION, given);
    if (st != LOBEDICE_OK)
        return st;
    if (s->layout != LOBEDICE_CHANNELS_LAST && s->layout != LOBEDICE_CHANNELS_FIRST)
        return LOBEDICE_EINVAL;
    if (o->activation != LOBEDICE_ACTIVATION_NONE && o->activation != LOBEDICE_ACTIVATION_SOFTMAX &&
        o->activation != LOBEDICE_ACTIVATION_SIGMOID)
        return LOBEDICE_EINVAL;
    if (s->batch == 0 || s->channels == 0 || s->voxels == 0 || s->channels > LD_CHANNELS_MAX)
        return LOBEDICE_ESIZE;
    size_t n;
    if (!ld_mul_size(s->batch, s->voxels, &n) || !ld_mul_size(n, s->channels, &n) ||
        !ld_mul_size(n, sizeof(float), &n))
        return LOBEDICE_EOVERFLOW;
    if (!o->include_background && s->channels < 2)
        return LOBEDICE_EINVAL; /* no channel would take part */
    if (!(isfinite(o->smooth_nr) && o->smooth_nr >= 0.0 && isfinite(o->smooth_dr) &&
          o->smooth_dr >= 0.0))
        return LOBEDICE_EINVAL;
    return LOBEDICE_OK;
}

/* dice = N / den with its derivatives w.r.t. I and P (P's already doubled when squared). */
typedef struct ld_dice_term {
    double dice, d_i, d_p;
} ld_dice_term;

static ld_dice_term ld_dice_of(const lobedice_dice_loss_options *o, double i, double p, double g)
{
    ld_dice_term t;
    double num = 2.0 * i + o->smooth_nr;
    double den = o->jaccard ? 2.0 * (p + g - i) + o->smooth_dr : p + g + o->smooth_dr;
    if (den == 0.0) { /* an empty prediction and target with smooth_dr = 0: undefined */
        t.dice = t.d_i = t.d_p = NAN;
        return t;
    }
    t.dice = num / den;
    t.d_i = o->jaccard ? (2.0 + 2.0 * t.dice) / den : 2.0 / den;
    t.d_p = (o->jaccard ? -2.0 * t.dice : -t.dice) / den;
    if (o->squared_pred)
        t.d_p *= 2.0; /* dP/dp = 2p: the kernel multiplies by p */
    return t;
}

/* The per-(group, channel) totals (LD_NSUMS each) and backward coefficients (alpha, beta). */
static lobedice_status ld_alloc_terms(size_t groups, size_t channels, double **totals, float **coef)
{
    size_t terms, bytes;
    *totals = NULL;
    *coef = NULL;
    if (!ld_mul_size(groups, channels, &terms) ||
        !ld_mul_size(terms, LD_NSUMS * sizeof(double), &bytes))
        return LOBEDICE_EOVERFLOW;
    *totals = malloc(bytes);
    *coef = malloc(2 * terms * sizeof(float)); /* fits: smaller than the totals */
    if (!*totals || !*coef) {
        free(*totals);
        free(*coef);
        return LOBEDICE_ENOMEM;
    }
    return LOBEDICE_OK;
}

/* The forward half shared by both losses: fills *job, allocates the totals and backward
 * coefficients, and sums the activations. On failure everything is freed. */
static lobedice_status ld_loss_forward(ld_job *job, double **totals, float **coef,
                                       const lobedice_tensor_shape *s,
                                       const lobedice_dice_loss_options *o, const float *input,
                                       const float *target, const void *labels,
                                       lobedice_dtype label_dtype, float *grad)
{
    *job = (ld_job){.batch = s->batch,
                    .channels = s->channels,
                    .voxels = s->voxels,
                    .layout = s->layout,
                    .activation = o->activation,
                    .squared = o->squared_pred != 0,
                    .input = input,
                    .target = target,
                    .labels = labels,
                    .label_dtype = label_dtype,
                    .grad = grad,
                    .batch_dice = o->batch_dice != 0};
    const size_t groups = job->batch_dice ? 1 : s->batch;
    lobedice_status st = ld_alloc_terms(groups, s->channels, totals, coef);
    if (st != LOBEDICE_OK)
        return st;
    st = ld_job_prepare(job, o->threads);
    if (st == LOBEDICE_OK) {
        st = ld_job_forward(job, *totals);
        if (st != LOBEDICE_OK)
            ld_job_free(job);
    }
    if (st != LOBEDICE_OK) {
        free(*totals);
        free(*coef);
    }
    return st;
}

/* The backward half: the gradient from the coefficients (when asked for), then cleanup. */
static void ld_loss_backward(ld_job *job, float *coef, size_t groups)
{
    if (job->grad) {
        job->alpha = coef;
        job->beta = coef + groups * job->channels;
        ld_parallel_for_workers(job->workers, job->nchunks, ld_backward_chunk, job);
    }
    free(coef);
    ld_job_free(job);
}

/* ---- Public entry points ------------------------------------------------------------------- */

static lobedice_status ld_dice_loss_run(double *loss, double *dice, float *grad,
                                        const lobedice_tensor_shape *shape, const float *input,
                                        const float *target, const void *labels,
                                        lobedice_dtype label_dtype,
                                        const lobedice_dice_loss_options *opts)
{
    if (!loss || !shape || !input || (!target && !labels))
        return LOBEDICE_EINVAL;
    lobedice_dice_loss_options resolved;
    const lobedice_dice_loss_options *o = &resolved;
    lobedice_status st = ld_loss_options(&resolved, shape, opts);
    if (st != LOBEDICE_OK)
        return st;
    if (o->reduction != LOBEDICE_LOSS_NEG_MEAN_DICE && o->reduction != LOBEDICE_LOSS_MEAN &&
        o->reduction != LOBEDICE_LOSS_SUM)
        return LOBEDICE_EINVAL;
    if (labels && lobedice_dtype_size(label_dtype) == 0)
        return LOBEDICE_EDTYPE;
    const size_t nc = shape->channels;
    if (o->weights)
        for (size_t c = 0; c < nc; c++)
            if (!(isfinite(o->weights[c]) && o->weights[c] >= 0.0))
                return LOBEDICE_EWEIGHT;

    ld_job job;
    double *totals;
    float *coef;
    st = ld_loss_forward(&job, &totals, &coef, shape, o, input, target, labels, label_dtype, grad);
    if (st != LOBEDICE_OK)
        return st;
    const size_t groups = job.batch_dice ? 1 : shape->batch;

    /* loss = -mean_c(w_c mean_b dice) | mean_{b,c} w_c (1 - dice) | sum_{b,c} w_c (1 - dice),
     * over the channels that take part; dL/ddice is the same for every sample of a channel. */
    const size_t first = o->include_background ? 0 : 1, taking_part = nc - first;
    const double per_term =
        o->reduction == LOBEDICE_LOSS_SUM ? 1.0 : 1.0 / ((double)taking_part * (double)groups);
    float *alpha = coef, *beta = coef + groups * nc;
    double acc = 0.0;
    for (size_t c = 0; c < nc; c++) {
        if (c < first) {
            for (size_t b = 0; b < groups; b++) {
                if (dice)
                    dice[b * nc + c] = NAN; /* takes no part: not reported */
                alpha[b * nc + c] = beta[b * nc + c] = 0.0f;
            }
            continue;
        }
        const double w = o->weights ? o->weights[c] : 1.0;
        double dice_sum = 0.0, term_sum = 0.0;
        for (size_t b = 0; b < groups; b++) {
            const double *tot = totals + b * LD_NSUMS * nc;
            ld_dice_term t = ld_dice_of(o, tot[LD_SUM_I * nc + c], tot[LD_SUM_P * nc + c],
                                        tot[(job.squared ? LD_SUM_GG : LD_SUM_G) * nc + c]);
            if (dice)
                dice[b * nc + c] = t.dice;
            dice_sum += t.dice;
            term_sum += w * (1.0 - t.dice);
            const double d_loss = -w * per_term; /* dL/ddice */
            alpha[b * nc + c] = (float)(d_loss * t.d_i);
            beta[b * nc + c] = (float)(d_loss * t.d_p);
        }
        acc += o->reduction == LOBEDICE_LOSS_NEG_MEAN_DICE ? w * (dice_sum / (double)groups)
                                                           : term_sum;
    }
    *loss = o->reduction == LOBEDICE_LOSS_NEG_MEAN_DICE ? -acc / (double)taking_part
            : o->reduction == LOBEDICE_LOSS_MEAN        ? acc * per_term
                                                        : acc;
    free(totals);
    ld_loss_backward(&job, coef, groups);
    return LOBEDICE_OK;
}

lobedice_status lobedice_dice_loss(double *loss, double *dice, float *grad,
                                   const lobedice_tensor_shape *shape, const float *input,
                                   const float *target, const lobedice_dice_loss_options *opts)
{
    return ld_dice_loss_run(loss, dice, grad, shape, input, target, NULL, LOBEDICE_UINT8, opts);
}

lobedice_status lobedice_dice_loss_labels(double *loss, double *dice, float *grad,
                                          const lobedice_tensor_shape *shape, const float *input,
                                          const void *labels, lobedice_dtype label_dtype,
                                          const lobedice_dice_loss_options *opts)
{
    return ld_dice_loss_run(loss, dice, grad, shape, input, NULL, labels, label_dtype, opts);
}

lobedice_status lobedice_generalized_dice_loss(double *loss, float *grad,
                                               const lobedice_tensor_shape *shape,
                                               const float *input, const float *target,
                                               const lobedice_dice_loss_options *opts)
{
    if (!loss || !shape || !input || !target)
        return LOBEDICE_EINVAL;
    lobedice_dice_loss_options resolved;
    const lobedice_dice_loss_options *o = &resolved;
    lobedice_status st = ld_loss_options(&resolved, shape, opts);
    if (st != LOBEDICE_OK)
        return st;
    if (o->reduction != LOBEDICE_LOSS_MEAN && o->reduction != LOBEDICE_LOSS_SUM)
        return LOBEDICE_EINVAL;
    const lobedice_gdl_weight weight_type = o->generalized_weight;
    if (weight_type != LOBEDICE_GDL_SQUARE && weight_type != LOBEDICE_GDL_SIMPLE &&
        weight_type != LOBEDICE_GDL_UNIFORM)
        return LOBEDICE_EINVAL;
    const size_t nc = shape->channels;
    size_t w_bytes;
    if (!ld_mul_size(nc, sizeof(double), &w_bytes))
        return LOBEDICE_EOVERFLOW;
    double *w = malloc(w_bytes);
    if (!w)
        return LOBEDICE_ENOMEM;
    ld_job job;
    double *totals;
    float *coef;
    st = ld_loss_forward(&job, &totals, &coef, shape, o, input, target, NULL, LOBEDICE_UINT8, grad);
    if (st != LOBEDICE_OK) {
        free(w);
        return st;
    }
    const size_t groups = job.batch_dice ? 1 : shape->batch;

    /* Per group: class weights from the target volume, then one dice of the weighted sums. */
    const size_t first = o->include_background ? 0 : 1;
    const double d_loss = o->reduction == LOBEDICE_LOSS_MEAN ? 1.0 / (double)groups : 1.0;
    float *alpha = coef, *beta = coef + groups * nc;
    double acc = 0.0;
    for (size_t b = 0; b < groups; b++) {
        const double *tot = totals + b * LD_NSUMS * nc;
        double largest = 0.0;
        for (size_t c = first; c < nc; c++) {
            double volume = tot[LD_SUM_G * nc + c];
            double wc = weight_type == LOBEDICE_GDL_UNIFORM  ? 1.0
                        : volume <= 0.0                      ? INFINITY
                        : weight_type == LOBEDICE_GDL_SIMPLE ? 1.0 / volume
                                                             : 1.0 / (volume * volume);
            w[c] = wc;
            if (isfinite(wc) && wc > largest)
                largest = wc;
        }
        double i = 0.0, p = 0.0, g = 0.0;
        for (size_t c = first; c < nc; c++) {
            if (!isfinite(w[c]))
                w[c] = largest; /* an empty class takes the largest finite weight */
            i += w[c] * tot[LD_SUM_I * nc + c];
            p += w[c] * tot[LD_SUM_P * nc + c];
            g += w[c] * tot[(job.squared ? LD_SUM_GG : LD_SUM_G) * nc + c];
        }
        ld_dice_term t = ld_dice_of(o, i, p, g);
        acc += 1.0 - t.dice;
        for (size_t c = 0; c < nc; c++) {
            alpha[b * nc + c] = c < first ? 0.0f : (float)(-d_loss * t.d_i * w[c]);
            beta[b * nc + c] = c < first ? 0.0f : (float)(-d_loss * t.d_p * w[c]);
        }
    }
    *loss = acc * d_loss;
    free(totals);
    free(w);
    ld_loss_backward(&job, coef, groups);
    return LOBEDICE_OK;
}
