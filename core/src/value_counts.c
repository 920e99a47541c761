/* The distinct values of a volume with their voxel counts (a histogram), one step per run of one
 * value. 8/16-bit volumes: each worker adds run lengths into its own table indexed by the raw
 * value (256 or 65536 counters), summed at the end. 32-bit volumes: each task collects its
 * (value, count) pairs in a small hash table and merges them into the volume's under a lock.
 * Counts are sums, so the result never depends on the thread count. */
#include "label_lookup.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LD_COUNT_CHUNK ((size_t)1 << 18)
#define LD_COUNT_EMPTY INT64_MIN /* no 32-bit value is INT64_MIN */

typedef struct ld_count_map {
    int64_t *keys;
    uint64_t *counts;
    size_t capacity, count;
} ld_count_map;

static size_t ld_count_slot(int64_t value, size_t capacity)
{
    uint64_t h = (uint64_t)value * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (capacity - 1);
}

static bool ld_count_reserve(ld_count_map *map, size_t capacity)
{
    size_t bytes;
    if (!ld_mul_size(capacity, sizeof(int64_t), &bytes))
        return false;
    int64_t *keys = malloc(bytes);
    uint64_t *counts = calloc(capacity, sizeof *counts);
    if (!keys || !counts) {
        free(keys);
        free(counts);
        return false;
    }
    for (size_t i = 0; i < capacity; i++)
        keys[i] = LD_COUNT_EMPTY;
    for (size_t i = 0; i < map->capacity; i++) {
        if (map->keys[i] == LD_COUNT_EMPTY)
            continue;
        size_t s = ld_count_slot(map->keys[i], capacity);
        while (keys[s] != LD_COUNT_EMPTY)
            s = (s + 1) & (capacity - 1);
        keys[s] = map->keys[i];
        counts[s] = map->counts[i];
    }
    free(map->keys);
    free(map->counts);
    map->keys = keys;
    map->counts = counts;
    map->capacity = capacity;
    return true;
}

/* Adds n voxels of value; false when memory runs out. Kept at most half full. */
static bool ld_count_add(ld_count_map *map, int64_t value, uint64_t n)
{
    if (2 * (map->count + 1) > map->capacity &&
        !ld_count_reserve(map, map->capacity ? 2 * map->capacity : 64))
        return false;
    size_t s = ld_count_slot(value, map->capacity);
    while (map->keys[s] != LD_COUNT_EMPTY && map->keys[s] != value)
        s = (s + 1) & (map->capacity - 1);
    if (map->keys[s] == LD_COUNT_EMPTY) {
        map->keys[s] = value;
        map->count++;
    }
    map->counts[s] += n;
    return true;
}

static void ld_count_map_free(ld_count_map *map)
{
    free(map->keys);
    free(map->counts);
    memset(map, 0, sizeof *map);
}

typedef struct ld_count_ctx {
    const unsigned char *data;
    lobedice_dtype dtype;
    size_t width, voxels, nraw; /* nraw: table size for 8/16-bit, else 0 */
    uint64_t *tables;           /* nworkers * nraw */
    ld_count_map all;           /* 32-bit, guarded by lock */
    pthread_mutex_t lock;
    atomic_int failed;
} ld_count_ctx;

static LD_ALWAYS_INLINE void ld_count_runs(uint64_t *table, const unsigned char *p, size_t n,
                                           const size_t width)
{
    for (size_t x = 0, end; x < n; x = end) {
        end = ld_run_end(p, x, n, width);
        table[ld_raw_at(p + x * width, width)] += end - x;
    }
}

static void ld_count_task(void *arg, size_t task, size_t worker)
{
    ld_count_ctx *ctx = arg;
    const size_t begin = task * LD_COUNT_CHUNK;
    const size_t n = ld_chunk_end(ctx->voxels, task, LD_COUNT_CHUNK) - begin;
    const unsigned char *p = ctx->data + begin * ctx->width;
    if (ctx->nraw) {
        uint64_t *table = ctx->tables + worker * ctx->nraw;
        if (ctx->width == 1)
            ld_count_runs(table, p, n, 1);
        else
            ld_count_runs(table, p, n, 2);
        return;
    }
    ld_count_map local = {0};
    const bool is_signed = ctx->dtype == LOBEDICE_INT32;
    bool ok = true;
    for (size_t x = 0, end; x < n && ok; x = end) {
        end = ld_run_end(p, x, n, 4);
        const uint32_t raw = ld_raw_at(p + 4 * x, 4);
        ok = ld_count_add(&local, is_signed ? (int64_t)(int32_t)raw : (int64_t)raw, end - x);
    }
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < local.capacity && ok; i++)
        if (local.keys[i] != LD_COUNT_EMPTY)
            ok = ld_count_add(&ctx->all, local.keys[i], local.counts[i]);
    pthread_mutex_unlock(&ctx->lock);
    ld_count_map_free(&local);
    if (!ok)
        atomic_store(&ctx->failed, 1);
}

static int ld_cmp_value_count(const void *x, const void *y)
{
    const lobedice_value_count *a = x, *b = y;
    return (a->value > b->value) - (a->value < b->value);
}

/* The result of the pass as a sorted array (a new array the caller frees) and its length. */
static lobedice_status ld_count_result(lobedice_value_count **out, size_t *n, ld_count_ctx *ctx,
                                       size_t nworkers)
{
    size_t m = 0;
    lobedice_value_count *all;
    if (ctx->nraw) {
        /* sum the workers' tables into the first */
        for (size_t w = 1; w < nworkers; w++)
            for (size_t r = 0; r < ctx->nraw; r++)
                ctx->tables[r] += ctx->tables[w * ctx->nraw + r];
        for (size_t r = 0; r < ctx->nraw; r++)
            m += ctx->tables[r] != 0;
        all = malloc((m ? m : 1) * sizeof *all); /* m <= 65536 */
        if (!all)
            return LOBEDICE_ENOMEM;
        /* ascending by the value the raw bits stand for: negatives (upper half) first */
        const bool is_signed = ctx->dtype == LOBEDICE_INT8 || ctx->dtype == LOBEDICE_INT16;
        size_t k = 0;
        for (size_t i = 0; i < ctx->nraw; i++) {
            const size_t raw = is_signed ? (i + ctx->nraw / 2) % ctx->nraw : i;
            if (!ctx->tables[raw])
                continue;
            all[k].value = is_signed && raw >= ctx->nraw / 2 ? (int64_t)raw - (int64_t)ctx->nraw
                                                             : (int64_t)raw;
            all[k++].voxels = ctx->tables[raw];
        }
    } else {
        m = ctx->all.count;
        all = malloc((m ? m : 1) * sizeof *all); /* no larger than the map's arrays */
        if (!all)
            return LOBEDICE_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < ctx->all.capacity; i++)
            if (ctx->all.keys[i] != LD_COUNT_EMPTY)
                all[k++] = (lobedice_value_count){ctx->all.keys[i], ctx->all.counts[i]};
        if (m > 1)
            qsort(all, m, sizeof *all, ld_cmp_value_count);
    }
    *out = all;
    *n = m;
    return LOBEDICE_OK;
}

lobedice_status ld_value_counts_alloc(lobedice_value_count **counts, size_t *count,
                                      const lobedice_volume *volume, size_t threads)
{
    size_t voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&voxels, volume);
    if (st != LOBEDICE_OK)
        return st;
    ld_count_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return LOBEDICE_ENOMEM;
    ctx->data = volume->data;
    ctx->dtype = volume->dtype;
    ctx->width = lobedice_dtype_size(volume->dtype);
    ctx->voxels = voxels;
    ctx->nraw = ctx->width == 1 ? 256 : ctx->width == 2 ? 65536 : 0;
    atomic_init(&ctx->failed, 0);
    const size_t ntasks = ld_chunk_count(voxels, LD_COUNT_CHUNK);
    const size_t nworkers = ld_resolve_threads(threads, ntasks);
    if (ctx->nraw) {
        ctx->tables = calloc(nworkers * ctx->nraw, sizeof *ctx->tables);
        if (!ctx->tables) {
            free(ctx);
            return LOBEDICE_ENOMEM;
        }
    }
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx->tables);
        free(ctx);
        return LOBEDICE_ENOMEM;
    }
    ld_parallel_for_workers(threads, ntasks, ld_count_task, ctx);
    st =
        atomic_load(&ctx->failed) ? LOBEDICE_ENOMEM : ld_count_result(counts, count, ctx, nworkers);
    pthread_mutex_destroy(&ctx->lock);
    ld_count_map_free(&ctx->all);
    free(ctx->tables);
    free(ctx);
    return st;
}

lobedice_status lobedice_value_counts(lobedice_value_count *counts, size_t capacity, size_t *count,
                                      const lobedice_volume *volume, size_t threads)
{
    if (!count || (capacity > 0 && !counts))
        return LOBEDICE_EINVAL;
    lobedice_value_count *all = NULL;
    size_t n = 0;
    lobedice_status st = ld_value_counts_alloc(&all, &n, volume, threads);
    if (st != LOBEDICE_OK)
        return st;
    if (capacity > 0)
        memcpy(counts, all, (n < capacity ? n : capacity) * sizeof *counts);
    *count = n;
    free(all);
    return LOBEDICE_OK;
}
