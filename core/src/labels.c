/* Label values: the lookups and label-set helpers shared by the comparison modules, and the
 * labels present in one volume or in either of two. */
#include "label_lookup.h"

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

size_t ld_sort_unique_int64(int64_t *values, size_t count)
{
    ld_sort_int64(values, count);
    size_t unique = 0;
    for (size_t i = 0; i < count; i++)
        if (unique == 0 || values[unique - 1] != values[i])
            values[unique++] = values[i];
    return unique;
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

/* The code of keys[i]: codes[i], or i + 1 without codes. */
#define LD_CODE(i) (codes ? codes[i] : (uint32_t)(i) + 1)

/* ld_lookup_init with the code of every other value. */
static lobedice_status ld_lookup_init_fallback(ld_lookup *lookup, lobedice_dtype dtype,
                                               const int64_t *keys, const uint32_t *codes,
                                               size_t nkeys, uint32_t fallback)
{
    memset(lookup, 0, sizeof *lookup);
    lookup->dtype = dtype;
    lookup->fallback = fallback;
    int64_t min = 0, max = 0;
    ld_dtype_range(dtype, &min, &max);
    size_t width = lobedice_dtype_size(dtype);
    if (width <= 2) {
        lookup->table = calloc((size_t)1 << (8 * width), sizeof *lookup->table);
        if (!lookup->table)
            return LOBEDICE_ENOMEM;
        for (size_t r = 0; fallback && r < ((size_t)1 << (8 * width)); r++)
            lookup->table[r] = fallback;
        uint32_t mask = width == 1 ? 0xffu : 0xffffu;
        for (size_t i = 0; i < nkeys; i++) {
            if (keys[i] < min || keys[i] > max)
                continue;
            uint32_t *slot = &lookup->table[(uint32_t)keys[i] & mask];
            uint32_t code = LD_CODE(i);
            if (*slot == fallback || code < *slot)
                *slot = code;
        }
        return LOBEDICE_OK;
    }
    size_t bytes;
    if (!ld_mul_size(nkeys ? nkeys : 1, sizeof(ld_key_code), &bytes))
        return LOBEDICE_ENOMEM; /* cannot happen for keys that exist in memory */
    ld_key_code *pairs = malloc(bytes);
    if (!pairs)
        return LOBEDICE_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i] >= min && keys[i] <= max)
            pairs[n++] = (ld_key_code){keys[i], LD_CODE(i)};
    if (n > 1)
        qsort(pairs, n, sizeof *pairs, ld_cmp_key_code);
    /* n <= nkeys: these are smaller than the pairs, whose size was checked */
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
#undef LD_CODE

lobedice_status ld_lookup_init(ld_lookup *lookup, lobedice_dtype dtype, const int64_t *keys,
                               const uint32_t *codes, size_t nkeys)
{
    return ld_lookup_init_fallback(lookup, dtype, keys, codes, nkeys, 0);
}

void ld_lookup_free(ld_lookup *lookup)
{
    free(lookup->table);
    free(lookup->keys);
    free(lookup->codes);
    memset(lookup, 0, sizeof *lookup);
}

void ld_lookup_pair_free(ld_lookup pair[2])
{
    ld_lookup_free(&pair[0]);
    ld_lookup_free(&pair[1]); /* zeroed when shared: nothing to free */
}

int64_t ld_map_label(const ld_value_map *map, int64_t value)
{
    if (!map)
        return value;
    size_t i = ld_find_sorted(map->values, map->n, value);
    return i < map->n && map->values[i] == value ? map->labels[i] : 0;
}

/* The code of `label` among keys: i + 1 for the first keys[i] equal to it, 0 when none. */
static uint32_t ld_key_code_of(const int64_t *keys, size_t nkeys, int64_t label)
{
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i] == label)
            return (uint32_t)i + 1;
    return 0;
}

/* The code of each map value's label among keys (0 when its label is not a key), and the code
 * of label 0; new arrays in *values and *codes. keys[i] has code i + 1 (the smallest i of a
 * repeated key). */
static lobedice_status ld_map_codes(int64_t **values, uint32_t **codes, uint32_t *background,
                                    const ld_value_map *map, const int64_t *keys, size_t nkeys)
{
    *values = malloc((map->n ? map->n : 1) * sizeof **values);
    *codes = malloc((map->n ? map->n : 1) * sizeof **codes);
    if (!*values || !*codes) {
        free(*values);
        free(*codes);
        return LOBEDICE_ENOMEM;
    }
    for (size_t j = 0; j < map->n; j++) { /* at most LOBEDICE_CONVENTION_MAX_PAIRS */
        (*values)[j] = map->values[j];
        (*codes)[j] = ld_key_code_of(keys, nkeys, map->labels[j]);
    }
    *background = ld_key_code_of(keys, nkeys, 0);
    return LOBEDICE_OK;
}

/* One volume's lookup through its map. */
static lobedice_status ld_lookup_init_mapped(ld_lookup *lookup, lobedice_dtype dtype,
                                             const ld_value_map *map, const int64_t *keys,
                                             size_t nkeys)
{
    if (!map)
        return ld_lookup_init(lookup, dtype, keys, NULL, nkeys);
    int64_t *values;
    uint32_t *codes, background = 0;
    lobedice_status st = ld_map_codes(&values, &codes, &background, map, keys, nkeys);
    if (st == LOBEDICE_OK)
        st = ld_lookup_init_fallback(lookup, dtype, values, codes, map->n, background);
    free(values);
    free(codes);
    return st;
}

lobedice_status ld_lookup_pair_init(ld_lookup pair[2], const ld_lookup **ref,
                                    const ld_lookup **pred, lobedice_dtype ref_dtype,
                                    lobedice_dtype pred_dtype, const ld_value_map *const *maps,
                                    const int64_t *keys, size_t nkeys)
{
    const ld_value_map *ref_map = maps ? maps[0] : NULL, *pred_map = maps ? maps[1] : NULL;
    const bool shared = ref_dtype == pred_dtype && ref_map == pred_map;
    memset(&pair[1], 0, sizeof pair[1]);
    lobedice_status st = ld_lookup_init_mapped(&pair[0], ref_dtype, ref_map, keys, nkeys);
    if (st == LOBEDICE_OK && !shared) {
        st = ld_lookup_init_mapped(&pair[1], pred_dtype, pred_map, keys, nkeys);
        if (st != LOBEDICE_OK)
            ld_lookup_free(&pair[0]);
    }
    *ref = &pair[0];
    *pred = &pair[!shared];
    return st;
}

uint32_t ld_lookup_search(const ld_lookup *lookup, int64_t value)
{
    size_t i = ld_find_sorted(lookup->keys, lookup->nkeys, value);
    return i < lookup->nkeys && lookup->keys[i] == value ? lookup->codes[i] : lookup->fallback;
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

/* ---- Label sets ------------------------------------------------------------------------------ */

lobedice_status ld_label_sets_distinct(int64_t **distinct, size_t *ndistinct,
                                       const lobedice_label_set *sets, size_t nsets)
{
    if (nsets > 0 && !sets)
        return LOBEDICE_EINVAL;
    size_t total = 0;
    for (size_t s = 0; s < nsets; s++) {
        if (sets[s].nlabels > 0 && !sets[s].labels)
            return LOBEDICE_EINVAL;
        if (!ld_add_size(total, sets[s].nlabels, &total))
            return LOBEDICE_EOVERFLOW;
    }
    size_t bytes;
    if (total >= UINT32_MAX || !ld_mul_size(total ? total : 1, sizeof **distinct, &bytes))
        return LOBEDICE_EOVERFLOW;
    int64_t *all = malloc(bytes);
    if (!all)
        return LOBEDICE_ENOMEM;
    size_t n = 0;
    for (size_t s = 0; s < nsets; s++) {
        if (sets[s].nlabels > 0)
            memcpy(all + n, sets[s].labels, sets[s].nlabels * sizeof *all);
        n += sets[s].nlabels;
    }
    *distinct = all;
    *ndistinct = ld_sort_unique_int64(all, n);
    return LOBEDICE_OK;
}

lobedice_status ld_single_label_sets(lobedice_label_set **sets, const int64_t *labels,
                                     size_t nlabels)
{
    *sets = NULL;
    if (nlabels == 0)
        return LOBEDICE_OK;
    if (!labels)
        return LOBEDICE_EINVAL;
    size_t bytes; /* the limit of ld_label_sets_distinct, before allocating for it */
    if (nlabels >= UINT32_MAX || !ld_mul_size(nlabels, sizeof **sets, &bytes))
        return LOBEDICE_EOVERFLOW;
    lobedice_label_set *all = malloc(bytes);
    if (!all)
        return LOBEDICE_ENOMEM;
    for (size_t i = 0; i < nlabels; i++)
        all[i] = (lobedice_label_set){labels[i], &labels[i], 1};
    *sets = all;
    return LOBEDICE_OK;
}

/* ---- Labels present ------------------------------------------------------------------------
 * One pass over each volume, one step per run of one value (ld_run_end). 8/16-bit volumes: each
 * task marks the raw values it sees in a bitmap on its stack and ORs it into the volume's shared
 * bitmap. 32-bit volumes: each task collects its distinct values in a small hash set and merges
 * them into the volume's shared one, so memory follows the number of distinct values, not the
 * volume. Either way the result is a set, so it does not depend on the thread count. The union
 * of two volumes merges their two sorted lists. */

#define LD_PRESENT_CHUNK ((size_t)1 << 18)
/* Bitmap words for all raw values of a 16-bit dtype; an 8-bit dtype uses the first 4. */
#define LD_BITMAP_WORDS 1024

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
    size_t bytes;
    if (!ld_mul_size(capacity, sizeof *set->slots, &bytes))
        return false;
    int64_t *slots = malloc(bytes);
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

/* The distinct values of one volume. */
typedef struct ld_present_volume {
    const unsigned char *data;
    lobedice_dtype dtype;
    size_t width, voxels, first_task;       /* its tasks start at first_task */
    size_t nwords;                          /* bitmap words in use: 4 (8-bit), 1024 (16-bit), 0 */
    _Atomic uint64_t bits[LD_BITMAP_WORDS]; /* 8/16-bit: one bit per raw value */
    ld_hash_set all;                        /* 32-bit, guarded by the context's lock */
} ld_present_volume;

typedef struct ld_present_ctx {
    ld_present_volume vol[2];
    size_t nvolumes;
    pthread_mutex_t lock;
    atomic_int failed;
} ld_present_ctx;

/* Marks the raw value of every run of p[0..n) (elements of width 1 or 2 bytes). */
static LD_ALWAYS_INLINE void ld_mark_runs(uint64_t *bits, const unsigned char *p, size_t n,
                                          const size_t width)
{
    for (size_t x = 0; x < n; x = ld_run_end(p, x, n, width)) {
        const uint32_t raw = ld_raw_at(p + x * width, width);
        bits[raw >> 6] |= UINT64_C(1) << (raw & 63);
    }
}

/* Adds the value of every run of p[0..n) (32-bit elements); false when memory runs out. */
static bool ld_collect_runs(ld_hash_set *set, const unsigned char *p, size_t n, bool is_signed)
{
    for (size_t x = 0; x < n; x = ld_run_end(p, x, n, 4)) {
        const uint32_t raw = ld_raw_at(p + 4 * x, 4);
        if (!ld_hash_add(set, is_signed ? (int64_t)(int32_t)raw : (int64_t)raw))
            return false;
    }
    return true;
}

static void ld_present_task(void *arg, size_t task)
{
    ld_present_ctx *ctx = arg;
    ld_present_volume *vol = &ctx->vol[ctx->nvolumes > 1 && task >= ctx->vol[1].first_task];
    const size_t chunk = task - vol->first_task;
    const size_t begin = chunk * LD_PRESENT_CHUNK;
    const size_t n = ld_chunk_end(vol->voxels, chunk, LD_PRESENT_CHUNK) - begin;
    const unsigned char *p = vol->data + begin * vol->width;
    if (vol->width <= 2) {
        uint64_t local[LD_BITMAP_WORDS];
        memset(local, 0, vol->nwords * sizeof *local);
        if (vol->width == 1)
            ld_mark_runs(local, p, n, 1);
        else
            ld_mark_runs(local, p, n, 2);
        for (size_t w = 0; w < vol->nwords; w++)
            if (local[w])
                atomic_fetch_or_explicit(&vol->bits[w], local[w], memory_order_relaxed);
        return;
    }
    ld_hash_set local = {0};
    bool ok = ld_collect_runs(&local, p, n, vol->dtype == LOBEDICE_INT32);
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < local.capacity && ok; i++)
        if (local.slots[i] != LD_HASH_EMPTY)
            ok = ld_hash_add(&vol->all, local.slots[i]);
    pthread_mutex_unlock(&ctx->lock);
    free(local.slots);
    if (!ok)
        atomic_store(&ctx->failed, 1);
}

/* The distinct values of a volume after the pass, ascending: *values is a new array (the
 * caller frees it), *n its length. */
static lobedice_status ld_present_sorted(int64_t **values, size_t *n, ld_present_volume *vol)
{
    if (vol->width > 2) { /* hand over the hash set's slots, compacted in place, then sorted */
        int64_t *all = vol->all.slots;
        size_t m = 0;
        for (size_t i = 0; i < vol->all.capacity; i++)
            if (all[i] != LD_HASH_EMPTY)
                all[m++] = all[i];
        ld_sort_int64(all, m);
        vol->all = (ld_hash_set){0};
        *values = all;
        *n = m;
        return LOBEDICE_OK;
    }
    size_t m = 0;
    for (size_t w = 0; w < vol->nwords; w++)
        m +=
            (size_t)__builtin_popcountll(atomic_load_explicit(&vol->bits[w], memory_order_relaxed));
    int64_t *out = malloc((m ? m : 1) * sizeof *out); /* m <= 65536 */
    if (!out)
        return LOBEDICE_ENOMEM;
    /* Visit raw values in ascending order of the values they stand for: a signed dtype's
     * negative values (the upper half of the raw values) come first. */
    const bool is_signed = vol->dtype == LOBEDICE_INT8 || vol->dtype == LOBEDICE_INT16;
    const size_t nraw = vol->nwords * 64;
    size_t k = 0;
    for (size_t i = 0; i < nraw; i++) {
        const size_t raw = is_signed ? (i + nraw / 2) % nraw : i;
        if (atomic_load_explicit(&vol->bits[raw >> 6], memory_order_relaxed) >> (raw & 63) & 1)
            out[k++] = is_signed && raw >= nraw / 2 ? (int64_t)raw - (int64_t)nraw : (int64_t)raw;
    }
    *values = out;
    *n = m;
    return LOBEDICE_OK;
}

/* The distinct values of one or two volumes, with the buffer rules of
 * lobedice_labels_present. */
static lobedice_status ld_labels_distinct(int64_t *labels, size_t capacity, size_t *count,
                                          const lobedice_volume *const *volumes, size_t nvolumes,
                                          size_t threads)
{
    if (!count || (capacity > 0 && !labels))
        return LOBEDICE_EINVAL;
    size_t voxels[2] = {0, 0};
    for (size_t v = 0; v < nvolumes; v++) {
        lobedice_status st = lobedice_volume_voxels(&voxels[v], volumes[v]);
        if (st != LOBEDICE_OK)
            return st;
    }
    ld_present_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx)
        return LOBEDICE_ENOMEM;
    ctx->nvolumes = nvolumes;
    atomic_init(&ctx->failed, 0);
    size_t ntasks = 0;
    for (size_t v = 0; v < nvolumes; v++) {
        ld_present_volume *vol = &ctx->vol[v];
        vol->data = volumes[v]->data;
        vol->dtype = volumes[v]->dtype;
        vol->width = lobedice_dtype_size(vol->dtype);
        vol->voxels = voxels[v];
        vol->first_task = ntasks;
        vol->nwords = vol->width == 1 ? 4 : vol->width == 2 ? LD_BITMAP_WORDS : 0;
        for (size_t w = 0; w < vol->nwords; w++)
            atomic_init(&vol->bits[w], 0);
        vol->all = (ld_hash_set){0};
        ntasks += ld_chunk_count(voxels[v], LD_PRESENT_CHUNK); /* voxels fit in memory */
    }
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return LOBEDICE_ENOMEM;
    }
    ld_parallel_for(threads, ntasks, ld_present_task, ctx);

    lobedice_status st = atomic_load(&ctx->failed) ? LOBEDICE_ENOMEM : LOBEDICE_OK;
    int64_t *values[2] = {NULL, NULL};
    size_t nvalues[2] = {0, 0};
    for (size_t v = 0; v < nvolumes && st == LOBEDICE_OK; v++)
        st = ld_present_sorted(&values[v], &nvalues[v], &ctx->vol[v]);
    if (st == LOBEDICE_OK) {
        /* merge the sorted lists, counting every distinct value, writing the smallest */
        size_t i = 0, j = 0, n = 0;
        while (i < nvalues[0] || j < nvalues[1]) {
            int64_t next;
            if (j == nvalues[1] || (i < nvalues[0] && values[0][i] < values[1][j]))
                next = values[0][i++];
            else if (i == nvalues[0] || values[1][j] < values[0][i])
                next = values[1][j++];
            else {
                next = values[0][i++];
                j++;
            }
            if (n < capacity)
                labels[n] = next;
            n++;
        }
        *count = n;
    }
    free(values[0]);
    free(values[1]);
    pthread_mutex_destroy(&ctx->lock);
    for (size_t v = 0; v < nvolumes; v++)
        free(ctx->vol[v].all.slots);
    free(ctx);
    return st;
}

lobedice_status lobedice_labels_present(int64_t *labels, size_t capacity, size_t *count,
                                        const lobedice_volume *volume, size_t threads)
{
    return ld_labels_distinct(labels, capacity, count, &volume, 1, threads);
}

lobedice_status lobedice_labels_union(int64_t *labels, size_t capacity, size_t *count,
                                      const lobedice_volume *ref, const lobedice_volume *pred,
                                      size_t threads)
{
    const lobedice_volume *volumes[2] = {ref, pred};
    return ld_labels_distinct(labels, capacity, count, volumes, 2, threads);
}
