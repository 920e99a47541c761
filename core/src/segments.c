/* Layered segmentations flattened into one label map (lobedice_segments_flatten). Each layer has
 * its own lookup (a value -> its segment's index + 1); a voxel takes the label of the segments
 * that hold it, and two segments with different labels on one voxel are counted per pair, so
 * the overlap reported is the same for any thread count. When a voxel's values of all layers
 * take 1, 2 or 4 bytes, they are read as one value, run by run (label maps are long runs). */
#include "label_lookup.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LD_FLATTEN_CHUNK ((size_t)1 << 16)

typedef struct ld_flatten_ctx {
    const unsigned char *data;
    size_t width, nlayers, voxels, nsegments;
    ld_lookup *lookups;     /* one per layer: value -> segment index + 1 */
    const int64_t *labels;  /* per segment */
    size_t nlabelled;       /* segments with a label: they may conflict */
    const size_t *labelled; /* per segment: its index among them, or SIZE_MAX */
    void *out;
    lobedice_dtype out_dtype;
    uint64_t *segment_voxels; /* nworkers * nsegments */
    uint64_t *pairs;          /* nworkers * nlabelled * nlabelled (conflicts, i < j) */
} ld_flatten_ctx;

/* The segment at a raw value of a layer: its index + 1, 0 for none. */
static inline uint32_t ld_segment_at(const ld_flatten_ctx *ctx, size_t layer, uint32_t raw)
{
    return ld_lookup_raw(&ctx->lookups[layer], raw);
}

/* Writes label to out[v] for v in [begin, end). */
static void ld_fill_label(const ld_flatten_ctx *ctx, size_t begin, size_t end, int64_t label)
{
    if (lobedice_dtype_size(ctx->out_dtype) == 1) {
        memset((uint8_t *)ctx->out + begin, (int)(uint8_t)label, end - begin);
        return;
    }
    for (size_t v = begin; v < end; v++)
        ld_label_store(ctx->out, ctx->out_dtype, v, label);
}

/* The label of the voxel whose layer values start at `at` (values of width w, a constant once
 * inlined); its segments' voxel counts and conflicting pairs grow by n (a run of such voxels). */
static LD_ALWAYS_INLINE int64_t ld_flatten_voxel(const ld_flatten_ctx *ctx, const unsigned char *at,
                                                 uint64_t n, uint64_t *counts, uint64_t *pairs,
                                                 const size_t w)
{
    int64_t label = 0;
    size_t owner = SIZE_MAX; /* the labelled segment that set `label` */
    for (size_t layer = 0; layer < ctx->nlayers; layer++) {
        const uint32_t seg = ld_segment_at(ctx, layer, ld_raw_at(at + layer * w, w));
        if (!seg)
            continue;
        counts[seg - 1] += n;
        const int64_t l = ctx->labels[seg - 1];
        if (!l)
            continue;
        const size_t k = ctx->labelled[seg - 1];
        if (owner == SIZE_MAX) {
            label = l;
            owner = k;
        } else if (l != label) {
            const size_t a = owner < k ? owner : k, b = owner < k ? k : owner;
            pairs[a * ctx->nlabelled + b] += n;
        }
    }
    return label;
}

/* Voxels [begin, end) one by one. */
static LD_ALWAYS_INLINE void ld_flatten_voxels(const ld_flatten_ctx *ctx, size_t begin, size_t end,
                                               uint64_t *counts, uint64_t *pairs, const size_t w)
{
    const size_t stride = ctx->nlayers * w;
    for (size_t v = begin; v < end; v++)
        ld_label_store(ctx->out, ctx->out_dtype, v,
                       ld_flatten_voxel(ctx, ctx->data + v * stride, 1, counts, pairs, w));
}

static void ld_flatten_task(void *arg, size_t task, size_t worker)
{
    const ld_flatten_ctx *ctx = arg;
    const size_t begin = task * LD_FLATTEN_CHUNK;
    const size_t end = ld_chunk_end(ctx->voxels, task, LD_FLATTEN_CHUNK);
    uint64_t *counts = ctx->segment_voxels + worker * ctx->nsegments;
    uint64_t *pairs = ctx->pairs + worker * ctx->nlabelled * ctx->nlabelled;
    const size_t w = ctx->width, stride = ctx->nlayers * w;
    if (stride == 1 || stride == 2 || stride == 4) {
        /* a voxel's values of every layer read as one value: run by run */
        for (size_t x = begin, stop; x < end; x = stop) {
            stop = ld_run_end(ctx->data, x, end, stride);
            const unsigned char *at = ctx->data + x * stride;
            const uint64_t n = stop - x;
            const int64_t label = w == 1   ? ld_flatten_voxel(ctx, at, n, counts, pairs, 1)
                                  : w == 2 ? ld_flatten_voxel(ctx, at, n, counts, pairs, 2)
                                           : ld_flatten_voxel(ctx, at, n, counts, pairs, 4);
            ld_fill_label(ctx, x, stop, label);
        }
        return;
    }
    switch (w) {
    case 1: ld_flatten_voxels(ctx, begin, end, counts, pairs, 1); return;
    case 2: ld_flatten_voxels(ctx, begin, end, counts, pairs, 2); return;
    default: ld_flatten_voxels(ctx, begin, end, counts, pairs, 4); return;
    }
}

lobedice_status lobedice_segments_flatten(void *out, lobedice_dtype out_dtype, uint64_t *voxels,
                                          lobedice_segment_overlap *overlap,
                                          const lobedice_volume *layers, size_t nlayers,
                                          const lobedice_segment_label *segments, size_t nsegments,
                                          size_t threads)
{
    if (!out || !layers || (nsegments > 0 && !segments) || nlayers == 0)
        return LOBEDICE_EINVAL;
    size_t nvoxels = 0, bytes;
    lobedice_status st = lobedice_volume_voxels(&nvoxels, layers);
    if (st != LOBEDICE_OK)
        return st;
    int64_t out_min, out_max;
    if (!ld_dtype_range(out_dtype, &out_min, &out_max))
        return LOBEDICE_EDTYPE;
    if (!ld_mul_size(nvoxels, nlayers, &bytes) ||
        !ld_mul_size(bytes, lobedice_dtype_size(layers->dtype), &bytes) || nsegments >= UINT32_MAX)
        return LOBEDICE_EOVERFLOW;
    for (size_t i = 0; i < nsegments; i++) {
        if (segments[i].layer >= nlayers || segments[i].label < 0)
            return LOBEDICE_EINVAL;
        if (segments[i].label > out_max)
            return LOBEDICE_ENONINTEGER;
        for (size_t j = 0; j < i; j++)
            if (segments[j].layer == segments[i].layer && segments[j].value == segments[i].value)
                return LOBEDICE_EINVAL;
    }

    ld_flatten_ctx ctx = {
        .data = layers->data,
        .width = lobedice_dtype_size(layers->dtype),
        .nlayers = nlayers,
        .voxels = nvoxels,
        .nsegments = nsegments,
        .out = out,
        .out_dtype = out_dtype,
    };
    const size_t ntasks = ld_chunk_count(nvoxels, LD_FLATTEN_CHUNK);
    const size_t nworkers = ld_resolve_threads(threads, ntasks);
    int64_t *keys = malloc((nsegments ? nsegments : 1) * sizeof *keys);
    uint32_t *codes = malloc((nsegments ? nsegments : 1) * sizeof *codes);
    int64_t *labels = malloc((nsegments ? nsegments : 1) * sizeof *labels);
    size_t *labelled = malloc((nsegments ? nsegments : 1) * sizeof *labelled);
    ctx.lookups = calloc(nlayers, sizeof *ctx.lookups);
    st = keys && codes && labels && labelled && ctx.lookups ? LOBEDICE_OK : LOBEDICE_ENOMEM;
    for (size_t i = 0; i < nsegments && st == LOBEDICE_OK; i++) {
        labels[i] = segments[i].label;
        labelled[i] = labels[i] ? ctx.nlabelled++ : SIZE_MAX;
    }
    ctx.labels = labels;
    ctx.labelled = labelled;
    size_t built = 0;
    for (; built < nlayers && st == LOBEDICE_OK; built++) {
        size_t n = 0;
        for (size_t i = 0; i < nsegments; i++)
            if (segments[i].layer == built) {
                keys[n] = segments[i].value;
                codes[n++] = (uint32_t)i + 1;
            }
        st = ld_lookup_init(&ctx.lookups[built], layers->dtype, keys, codes, n);
        if (st != LOBEDICE_OK)
            break;
    }
    size_t per_worker_pairs, all_pairs, all_counts;
    if (st == LOBEDICE_OK &&
        (!ld_mul_size(ctx.nlabelled, ctx.nlabelled, &per_worker_pairs) ||
         !ld_mul_size(nworkers, per_worker_pairs ? per_worker_pairs : 1, &all_pairs) ||
         !ld_mul_size(nworkers, nsegments ? nsegments : 1, &all_counts)))
        st = LOBEDICE_EOVERFLOW;
    if (st == LOBEDICE_OK) {
        ctx.segment_voxels = calloc(all_counts, sizeof(uint64_t));
        ctx.pairs = calloc(all_pairs, sizeof(uint64_t));
        if (!ctx.segment_voxels || !ctx.pairs)
            st = LOBEDICE_ENOMEM;
    }
    if (st == LOBEDICE_OK) {
        ld_parallel_for_workers(threads, ntasks, ld_flatten_task, &ctx);
        /* the workers' counts, summed in worker order (sums: order does not matter) */
        for (size_t s = 0; s < nsegments; s++) {
            uint64_t total = 0;
            for (size_t w = 0; w < nworkers; w++)
                total += ctx.segment_voxels[w * nsegments + s];
            if (voxels)
                voxels[s] = total;
        }
        lobedice_segment_overlap worst = {0, 0, 0};
        const size_t nl = ctx.nlabelled;
        for (size_t a = 0; a < nl; a++)
            for (size_t b = a + 1; b < nl; b++) {
                uint64_t total = 0;
                for (size_t w = 0; w < nworkers; w++)
                    total += ctx.pairs[w * nl * nl + a * nl + b];
                if (total > worst.voxels)
                    worst = (lobedice_segment_overlap){a, b, total};
            }
        if (worst.voxels) {
            /* labelled indices back to segment indices */
            size_t first = 0, second = 0;
            for (size_t i = 0; i < nsegments; i++) {
                if (labelled[i] == worst.first)
                    first = i;
                if (labelled[i] == worst.second)
                    second = i;
            }
            if (overlap)
                *overlap = (lobedice_segment_overlap){first, second, worst.voxels};
            st = LOBEDICE_EOVERLAP;
        }
    }
    for (size_t l = 0; ctx.lookups && l < nlayers; l++)
        ld_lookup_free(&ctx.lookups[l]);
    free(ctx.lookups);
    free(ctx.segment_voxels);
    free(ctx.pairs);
    free(keys);
    free(codes);
    free(labels);
    free(labelled);
    return st;
}
