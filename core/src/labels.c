/* Label values: the lookups shared by the comparison modules, the labels present in a volume,
 * and the aggregates over per-label results. */
#include "label_lookup.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- Lookups ------------------------------------------------------------------------------ */

static int ld_cmp_int64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

void ld_sort_int64(int64_t *values, size_t count)
{
    if (count > 1)
        qsort(values, count, sizeof *values, ld_cmp_int64);
}

typedef struct ld_key_code {
    int64_t key;
    uint32_t code;
} ld_key_code;

static int ld_cmp_key_code(const void *x, const void *y)
{
    const ld_key_code *a = x, *b = y;
    if (a->key != b->key)
        return (a->key > b->key) - (a->key < b->key);
    return (a->code > b->code) - (a->code < b->code);
}

lobedice_status ld_lookup_init(ld_lookup *lookup, lobedice_dtype dtype, const int64_t *keys,
                               const uint32_t *codes, size_t nkeys)
{
    memset(lookup, 0, sizeof *lookup);
    lookup->dtype = dtype;
    int64_t min = 0, max = 0;
    ld_dtype_range(dtype, &min, &max);
    size_t width = lobedice_dtype_size(dtype);
    if (width <= 2) {
        lookup->table = calloc((size_t)1 << (8 * width), sizeof *lookup->table);
        if (!lookup->table)
            return LOBEDICE_ENOMEM;
        uint32_t mask = width == 1 ? 0xffu : 0xffffu;
        for (size_t i = 0; i < nkeys; i++) {
            if (keys[i] < min || keys[i] > max)
                continue;
            uint32_t *slot = &lookup->table[(uint32_t)keys[i] & mask];
            if (*slot == 0 || codes[i] < *slot)
                *slot = codes[i];
        }
        return LOBEDICE_OK;
    }
    ld_key_code *pairs = malloc((nkeys ? nkeys : 1) * sizeof *pairs);
    if (!pairs)
        return LOBEDICE_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i] >= min && keys[i] <= max)
            pairs[n++] = (ld_key_code){keys[i], codes[i]};
    if (n > 1)
        qsort(pairs, n, sizeof *pairs, ld_cmp_key_code);
    lookup->keys = malloc((n ? n : 1) * sizeof *lookup->keys);
    lookup->codes = malloc((n ? n : 1) * sizeof *lookup->codes);
    if (!lookup->keys || !lookup->codes) {
        free(pairs);
        ld_lookup_free(lookup);
        return LOBEDICE_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (lookup->nkeys && lookup->keys[lookup->nkeys - 1] == pairs[i].key)
            continue; /* sorted by code within a key: the first is the smallest */
        lookup->keys[lookup->nkeys] = pairs[i].key;
        lookup->codes[lookup->nkeys] = pairs[i].code;
        lookup->nkeys++;
    }
    free(pairs);
    return LOBEDICE_OK;
}

void ld_lookup_free(ld_lookup *lookup)
{
    free(lookup->table);
    free(lookup->keys);
    free(lookup->codes);
    memset(lookup, 0, sizeof *lookup);
}

uint32_t ld_lookup_search(const ld_lookup *lookup, int64_t value)
{
    size_t lo = 0, hi = lookup->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lookup->keys[mid] < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < lookup->nkeys && lookup->keys[lo] == value ? lookup->codes[lo] : 0;
}

/* One loop per storage type; 32-bit values go through the search with a last-value cache
 * (label maps are mostly long runs of one value). */
#define LD_SPAN_TABLE(TYPE, UTYPE)                                                                 \
    do {                                                                                           \
        const TYPE *v = (const TYPE *)data + begin;                                                \
        for (size_t j = 0; j < count; j++)                                                         \
            codes[j] = lookup->table[(UTYPE)v[j]];                                                 \
    } while (0)

#define LD_SPAN_SEARCH(TYPE)                                                                       \
    do {                                                                                           \
        const TYPE *v = (const TYPE *)data + begin;                                                \
        for (size_t j = 0; j < count; j++) {                                                       \
            if (j == 0 || v[j] != v[j - 1])                                                        \
                code = ld_lookup_search(lookup, (int64_t)v[j]);                                    \
            codes[j] = code;                                                                       \
        }                                                                                          \
    } while (0)

void ld_lookup_span(const ld_lookup *lookup, uint32_t *codes, const void *data, size_t begin,
                    size_t count)
{
    uint32_t code = 0;
    switch (lookup->dtype) {
    case LOBEDICE_UINT8: LD_SPAN_TABLE(uint8_t, uint8_t); break;
    case LOBEDICE_INT8: LD_SPAN_TABLE(int8_t, uint8_t); break;
    case LOBEDICE_UINT16: LD_SPAN_TABLE(uint16_t, uint16_t); break;
    case LOBEDICE_INT16: LD_SPAN_TABLE(int16_t, uint16_t); break;
    case LOBEDICE_UINT32: LD_SPAN_SEARCH(uint32_t); break;
    case LOBEDICE_INT32: LD_SPAN_SEARCH(int32_t); break;
    }
}

/* ---- Labels present ------------------------------------------------------------------------
 * 8/16-bit volumes: each task marks the values it sees in a bitmap on its stack and ORs it into
 * the shared bitmap. 32-bit volumes: each task collects its distinct values in a small hash
 * set and merges them into a shared one, so memory follows the number of distinct values, not
 * the volume. Either way the result is a set, so it does not depend on the thread count. */

#define LD_PRESENT_CHUNK ((size_t)1 << 18)

typedef struct ld_hash_set {
    int64_t *slots; /* LD_HASH_EMPTY = free (no 32-bit value is INT64_MIN) */
    size_t capacity, count;
} ld_hash_set;

#define LD_HASH_EMPTY INT64_MIN

static size_t ld_hash_slot(int64_t value, size_t capacity)
{
    uint64_t h = (uint64_t)value * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) & (capacity - 1);
}

static bool ld_hash_reserve(ld_hash_set *set, size_t capacity)
{
    int64_t *slots = malloc(capacity * sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < capacity; i++)
        slots[i] = LD_HASH_EMPTY;
    for (size_t i = 0; i < set->capacity; i++) {
        if (set->slots[i] == LD_HASH_EMPTY)
            continue;
        size_t s = ld_hash_slot(set->slots[i], capacity);
        while (slots[s] != LD_HASH_EMPTY)
            s = (s + 1) & (capacity - 1);
        slots[s] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return true;
}

/* Adds value; false when memory runs out. Kept at most half full. */
static bool ld_hash_add(ld_hash_set *set, int64_t value)
{
    if (2 * (set->count + 1) > set->capacity &&
        !ld_hash_reserve(set, set->capacity ? 2 * set->capacity : 64))
        return false;
    size_t s = ld_hash_slot(value, set->capacity);
    while (set->slots[s] != LD_HASH_EMPTY) {
        if (set->slots[s] == value)
            return true;
        s = (s + 1) & (set->capacity - 1);
    }
    set->slots[s] = value;
    set->count++;
    return true;
}

typedef struct ld_present_ctx {
    const lobedice_volume *volume;
    size_t voxels;
    _Atomic uint64_t bits[1024]; /* 8/16-bit: one bit per raw value */
    pthread_mutex_t lock;        /* 32-bit: guards `all` */
    ld_hash_set all;
    atomic_int failed;
} ld_present_ctx;

#define LD_MARK_RUNS(TYPE, UTYPE)                                                                  \
    do {                                                                                           \
        const TYPE *v = (const TYPE *)ctx->volume->data;                                           \
        UTYPE last = (UTYPE)v[begin];                                                              \
        local[last >> 6] |= UINT64_C(1) << (last & 63);                                            \
        for (size_t i = begin + 1; i < end; i++) {                                                 \
            UTYPE u = (UTYPE)v[i];                                                                 \
            if (u != last) {                                                                       \
                local[u >> 6] |= UINT64_C(1) << (u & 63);                                          \
                last = u;                                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define LD_COLLECT_RUNS(TYPE)                                                                      \
    do {                                                                                           \
        const TYPE *v = (const TYPE *)ctx->volume->data;                                           \
        for (size_t i = begin; i < end && ok; i++)                                                 \
            if (i == begin || v[i] != v[i - 1])                                                    \
                ok = ld_hash_add(&local, (int64_t)v[i]);                                           \
    } while (0)

static void ld_present_task(void *arg, size_t task)
{
    ld_present_ctx *ctx = arg;
    size_t begin = task * LD_PRESENT_CHUNK;
    size_t end = ctx->voxels - begin < LD_PRESENT_CHUNK ? ctx->voxels : begin + LD_PRESENT_CHUNK;
    lobedice_dtype dtype = ctx->volume->dtype;
    if (lobedice_dtype_size(dtype) <= 2) {
        uint64_t local[1024] = {0};
        switch (dtype) {
        case LOBEDICE_UINT8: LD_MARK_RUNS(uint8_t, uint8_t); break;
        case LOBEDICE_INT8: LD_MARK_RUNS(int8_t, uint8_t); break;
        case LOBEDICE_UINT16: LD_MARK_RUNS(uint16_t, uint16_t); break;
        case LOBEDICE_INT16: LD_MARK_RUNS(int16_t, uint16_t); break;
        default: break;
        }
        for (size_t w = 0; w < 1024; w++)
            if (local[w])
                atomic_fetch_or_explicit(&ctx->bits[w], local[w], memory_order_relaxed);
        return;
    }
    ld_hash_set local = {0};
    bool ok = true;
    if (dtype == LOBEDICE_UINT32)
        LD_COLLECT_RUNS(uint32_t);
    else
        LD_COLLECT_RUNS(int32_t);
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < local.capacity && ok; i++)
        if (local.slots[i] != LD_HASH_EMPTY)
            ok = ld_hash_add(&ctx->all, local.slots[i]);
    pthread_mutex_unlock(&ctx->lock);
    free(local.slots);
    if (!ok)
        atomic_store(&ctx->failed, 1);
}

lobedice_status lobedice_labels_present(int64_t *labels, size_t capacity, size_t *count,
                                        const lobedice_volume *volume, size_t threads)
{
    if (!count || (capacity > 0 && !labels))
        return LOBEDICE_EINVAL;
    size_t voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&voxels, volume);
    if (st != LOBEDICE_OK)
        return st;
    ld_present_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx)
        return LOBEDICE_ENOMEM;
    ctx->volume = volume;
    ctx->voxels = voxels;
    for (size_t w = 0; w < 1024; w++)
        atomic_init(&ctx->bits[w], 0);
    ctx->all = (ld_hash_set){0};
    atomic_init(&ctx->failed, 0);
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return LOBEDICE_ENOMEM;
    }
    size_t ntasks = voxels / LD_PRESENT_CHUNK + (voxels % LD_PRESENT_CHUNK != 0);
    ld_parallel_for(threads, ntasks, ld_present_task, ctx);

    st = atomic_load(&ctx->failed) ? LOBEDICE_ENOMEM : LOBEDICE_OK;
    size_t n = 0;
    if (st == LOBEDICE_OK && lobedice_dtype_size(volume->dtype) <= 2) {
        /* Visit raw values in ascending order of the values they stand for. */
        bool is_signed = volume->dtype == LOBEDICE_INT8 || volume->dtype == LOBEDICE_INT16;
        size_t nraw = lobedice_dtype_size(volume->dtype) == 1 ? 256 : 65536;
        for (size_t k = 0; k < nraw; k++) {
            size_t raw = is_signed ? (k + nraw / 2) % nraw : k;
            if (!(atomic_load_explicit(&ctx->bits[raw >> 6], memory_order_relaxed) >> (raw & 63) &
                  1))
                continue;
            if (n < capacity)
                labels[n] =
                    is_signed ? (int64_t)raw - (int64_t)(raw >= nraw / 2 ? nraw : 0) : (int64_t)raw;
            n++;
        }
    } else if (st == LOBEDICE_OK) {
        int64_t *values = ctx->all.slots; /* compacted in place, then sorted */
        for (size_t i = 0; i < ctx->all.capacity; i++)
            if (values[i] != LD_HASH_EMPTY)
                values[n++] = values[i];
        ld_sort_int64(values, n);
        if (capacity > 0)
            memcpy(labels, values, (n < capacity ? n : capacity) * sizeof *values);
    }
    if (st == LOBEDICE_OK)
        *count = n;
    pthread_mutex_destroy(&ctx->lock);
    free(ctx->all.slots);
    free(ctx);
    return st;
}

/* ---- Aggregates ----------------------------------------------------------------------------- */

double lobedice_mean_defined(const double *values, size_t count, size_t stride, size_t *used)
{
    double sum = 0.0;
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)values;
    for (size_t i = 0; values && i < count; i++) {
        double v;
        memcpy(&v, p + i * stride, sizeof v);
        if (!isnan(v)) {
            sum += v;
            n++;
        }
    }
    if (used)
        *used = n;
    return n ? sum / (double)n : NAN;
}

lobedice_status lobedice_overlap_summarize(lobedice_overlap_summary *summary,
                                           const lobedice_label_overlap *overlaps, size_t count)
{
    if (!summary || (count > 0 && !overlaps))
        return LOBEDICE_EINVAL;
        /* A field of overlaps[0] (NULL when there are none), stepped by the struct size. */
#define LD_FIELD(name) (count ? &overlaps->name : NULL), count, sizeof *overlaps
    lobedice_overlap_summary s = {.labels = count};
    s.mean_dice = lobedice_mean_defined(LD_FIELD(dice), &s.n_dice);
    s.mean_jaccard = lobedice_mean_defined(LD_FIELD(jaccard), &s.n_jaccard);
    s.mean_precision = lobedice_mean_defined(LD_FIELD(precision), &s.n_precision);
    s.mean_sensitivity = lobedice_mean_defined(LD_FIELD(sensitivity), &s.n_sensitivity);
    s.mean_specificity = lobedice_mean_defined(LD_FIELD(specificity), &s.n_specificity);
    s.mean_volume_similarity =
        lobedice_mean_defined(LD_FIELD(volume_similarity), &s.n_volume_similarity);
#undef LD_FIELD
    uint64_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < count; i++) {
        tp += overlaps[i].tp;
        fp += overlaps[i].fp;
        fn += overlaps[i].fn;
    }
    double denominator = 2.0 * (double)tp + (double)fp + (double)fn;
    s.pooled_dice = denominator > 0 ? 2.0 * (double)tp / denominator : NAN;
    *summary = s;
    return LOBEDICE_OK;
}
