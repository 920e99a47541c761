/* Label value -> small code lookups, shared by overlap, the disagreement map and one-hot
 * encoding. Private to the core. */
#ifndef LOBEDICE_LABEL_LOOKUP_H
#define LOBEDICE_LABEL_LOOKUP_H

#include "internal.h"

#include <string.h>

/* Maps the values of one dtype to codes: keys[i] -> codes[i], any other value -> fallback (0
 * unless built by ld_lookup_pair_init).
 * 8- and 16-bit dtypes use a table indexed by the value's raw unsigned bits (256 or 65536
 * entries, so a lookup is one load); 32-bit dtypes use a binary search over the sorted keys.
 * Memory depends on the dtype and the number of keys, never on a volume's size. */
typedef struct ld_lookup {
    lobedice_dtype dtype;
    uint32_t *table; /* 8/16-bit dtypes */
    int64_t *keys;   /* 32-bit dtypes: sorted, distinct */
    uint32_t *codes; /* 32-bit dtypes: code of keys[i] */
    size_t nkeys;
    uint32_t fallback; /* the code of any other value */
} ld_lookup;

/* Builds the lookup for `dtype`. codes NULL means code i + 1 for keys[i] (nkeys must then be
 * below UINT32_MAX). Keys the dtype cannot hold are dropped (those values never occur); a key
 * given twice keeps its smallest code. LOBEDICE_ENOMEM or LOBEDICE_OK; on failure nothing needs
 * freeing. */
lobedice_status ld_lookup_init(ld_lookup *lookup, lobedice_dtype dtype, const int64_t *keys,
                               const uint32_t *codes, size_t nkeys);
void ld_lookup_free(ld_lookup *lookup);

void ld_lookup_pair_free(ld_lookup pair[2]);

/* The lookups of a comparison's two volumes, each read through its map (maps[0] ref, maps[1]
 * pred; maps or either NULL = identity): *ref and *pred point into pair, at one shared lookup
 * when the dtypes and maps are the same; on failure nothing needs freeing, else free with
 * ld_lookup_pair_free. A value gets the code of its label among keys (keys[i] has code i + 1, the
 * smallest i of a repeated key). Under a map, a value it does not name is background, label 0,
 * so it gets the code of key 0 when 0 is a key and 0 otherwise; a named value whose label is
 * not a key gets 0. */
lobedice_status ld_lookup_pair_init(ld_lookup pair[2], const ld_lookup **ref,
                                    const ld_lookup **pred, lobedice_dtype ref_dtype,
                                    lobedice_dtype pred_dtype, const ld_value_map *const *maps,
                                    const int64_t *keys, size_t nkeys);

/* Code of the value of a 32-bit lookup (binary search). */
uint32_t ld_lookup_search(const ld_lookup *lookup, int64_t value);

/* Code of a value given by its raw bits (the value's bytes read as an unsigned integer of the
 * dtype's width). */
static inline uint32_t ld_lookup_raw(const ld_lookup *lookup, uint32_t raw)
{
    if (lookup->table)
        return lookup->table[raw];
    int64_t value = lookup->dtype == LOBEDICE_INT32 ? (int64_t)(int32_t)raw : (int64_t)raw;
    return ld_lookup_search(lookup, value);
}

/* codes[j] = code of data[begin + j] for j in [0, count); data holds values of lookup->dtype. */
void ld_lookup_span(const ld_lookup *lookup, uint32_t *codes, const void *data, size_t begin,
                    size_t count);

/* Sorts values ascending in place. */
void ld_sort_int64(int64_t *values, size_t count);

/* Sorts values[0..count) ascending and drops repeats; returns the number left. */
size_t ld_sort_unique_int64(int64_t *values, size_t count);

/* ---- Label sets ------------------------------------------------------------------------------ */

/* The labels named by any of the sets, sorted ascending without repeats, in *distinct (a new
 * array the caller frees, never NULL on success) and *ndistinct. Label i of that list gets class
 * code i + 1, so the limit is one rule: LOBEDICE_EOVERFLOW when the sets name UINT32_MAX labels
 * or more in all. Repeats count towards it, which bounds the distinct count without reading a
 * single label (nor allocating for them). LOBEDICE_EINVAL for sets NULL with nsets > 0 or a set
 * with labels NULL and nlabels > 0; LOBEDICE_ENOMEM. */
lobedice_status ld_label_sets_distinct(int64_t **distinct, size_t *ndistinct,
                                       const lobedice_label_set *sets, size_t nsets);

/* One single-label set per label ({labels[i], &labels[i], 1}), the way lobedice_overlap and
 * lobedice_surface_distances hand their labels to the set functions. *sets is a new array the
 * caller frees (NULL when nlabels is 0). LOBEDICE_EINVAL for labels NULL with nlabels > 0;
 * LOBEDICE_EOVERFLOW for nlabels >= UINT32_MAX (the limit of ld_label_sets_distinct, checked
 * before allocating); LOBEDICE_ENOMEM. */
lobedice_status ld_single_label_sets(lobedice_label_set **sets, const int64_t *labels,
                                     size_t nlabels);

/* Index of the first element of sorted[0..n) not below value (n when none). */
static inline size_t ld_find_sorted(const int64_t *sorted, size_t n, int64_t value)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- Raw values and runs: label maps are mostly long runs of one value -------------------- */

/* The value at p (width 1, 2 or 4 bytes) as an unsigned integer of that width. */
static inline uint32_t ld_raw_at(const unsigned char *p, size_t width)
{
    if (width == 1)
        return *p;
    if (width == 2) {
        uint16_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* raw repeated over 8 bytes: the memory image of 8 / width copies of the value. */
static inline uint64_t ld_splat(uint32_t raw, size_t width)
{
    if (width == 1)
        return raw * UINT64_C(0x0101010101010101);
    if (width == 2)
        return raw * UINT64_C(0x0001000100010001);
    return raw * UINT64_C(0x0000000100000001);
}

/* True when the nbytes at p (a multiple of 8) all repeat `pattern`. */
static inline bool ld_repeats(const unsigned char *p, size_t nbytes, uint64_t pattern)
{
    uint64_t diff = 0;
    for (size_t o = 0; o < nbytes; o += 8) {
        uint64_t w;
        memcpy(&w, p + o, sizeof w);
        diff |= w ^ pattern;
    }
    return diff == 0;
}

/* The end of the run that starts at element x < n of p (n elements of `width` bytes): the
 * index of the first element after x whose raw value differs from element x's, n when none
 * does. Label maps are mostly long runs, so 8 bytes are compared at once. */
static inline size_t ld_run_end(const unsigned char *p, size_t x, size_t n, size_t width)
{
    const uint32_t v = ld_raw_at(p + x * width, width);
    const uint64_t pattern = ld_splat(v, width);
    const size_t per_word = 8 / width;
    size_t e = x + 1;
    while (n - e >= per_word && ld_repeats(p + e * width, 8, pattern))
        e += per_word;
    while (e < n && ld_raw_at(p + e * width, width) == v)
        e++;
    return e;
}

#endif
