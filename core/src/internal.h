/* Internal helpers shared by the core's modules. Not installed. */
#ifndef LOBEDICE_INTERNAL_H
#define LOBEDICE_INTERNAL_H

#include "lobedice/lobedice.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* For the small typed kernels that must be inlined into their callers to be specialized. */
#if defined(__GNUC__)
#define LD_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define LD_ALWAYS_INLINE inline
#endif

/* Overflow-checked size arithmetic: return false when the result does not fit. */
static inline bool ld_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool ld_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* An option struct's version is accepted from 1 up to the library's own (older callers keep
 * working). */
static inline bool ld_version_ok(unsigned version, unsigned current)
{
    return version >= 1 && version <= current;
}

/* Options structs of every version (options.c): sizes[v - 1] is the bytes version v had.
 * ld_options_init writes version `version`'s defaults; ld_options_resolve fills `out` (a current
 * struct) with the defaults, then with the caller's struct of its own version (caller may be
 * NULL). Both return LOBEDICE_EINVAL for a version the library does not accept. */
lobedice_status ld_options_init(void *opts, const void *defaults, const size_t *sizes,
                                unsigned version, unsigned current);
lobedice_status ld_options_resolve(void *out, const void *defaults, const size_t *sizes,
                                   unsigned current, const void *caller);

/* Work split in fixed chunks (so the partition never depends on the thread count): the number
 * of chunks of `chunk` items covering n items, and the end of chunk `task` (the last is short). */
static inline size_t ld_chunk_count(size_t n, size_t chunk)
{
    return n / chunk + (n % chunk != 0);
}
static inline size_t ld_chunk_end(size_t n, size_t task, size_t chunk)
{
    const size_t begin = task * chunk;
    return n - begin < chunk ? n : begin + chunk;
}

/* a + t*(b - a) for t in [0, 1], evaluated as numpy's percentile does (from the nearer end), so
 * that every quantile of the core (hd95, the statistics over cases) matches numpy's bits. */
static inline double ld_numpy_lerp(double a, double b, double t)
{
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

/* Q(q) of n >= 1 values: the linear interpolation at rank q*(n-1) of the values sorted, as
 * numpy's default percentile computes it (hd95 and the statistics over cases). Reorders v
 * (selection, no full sort). */
double ld_percentile(double *v, size_t n, double q);

/* Value i of a label buffer of dtype, widened; the dtype must be valid. */
static inline int64_t ld_label_at(const void *data, lobedice_dtype dtype, size_t i)
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

/* Stores v (which must fit) at index i of a label buffer of dtype. */
static inline void ld_label_store(void *data, lobedice_dtype dtype, size_t i, int64_t v)
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

/* The inclusive value range of a dtype; false for an unknown dtype. */
bool ld_dtype_range(lobedice_dtype dtype, int64_t *min, int64_t *max);

/* Validates two volumes for a comparison: each valid (lobedice_volume_voxels) and equal sizes.
 * *voxels receives the voxel count. */
lobedice_status ld_check_pair(size_t *voxels, const lobedice_volume *ref,
                              const lobedice_volume *pred);

/* ---- Threads ------------------------------------------------------------------------------
 * ld_parallel_for runs task(ctx, t) for every t in [0, ntasks) on up to `threads` workers
 * (0 = all online cores; never more workers than tasks). Tasks are handed out dynamically, so
 * a caller that wants thread-count-independent results must make each task's output depend
 * only on t (write per-task partial results and combine them in task order afterwards).
 * The calling thread works too, so a worker that cannot be started only costs speed. */
typedef void (*ld_task_fn)(void *ctx, size_t task);
void ld_parallel_for(size_t threads, size_t ntasks, ld_task_fn task, void *ctx);

/* The same, also telling each task which worker runs it: worker < ld_resolve_threads(threads,
 * ntasks), the calling thread being worker 0, and a worker runs one task at a time. Per-worker
 * scratch is then nworkers slots indexed by `worker`, with no locking. */
typedef void (*ld_worker_task_fn)(void *ctx, size_t task, size_t worker);
void ld_parallel_for_workers(size_t threads, size_t ntasks, ld_worker_task_fn task, void *ctx);

/* Mean of the values that are not NaN (NaN when none); *used (may be NULL) = how many. */
double ld_mean_defined(const double *values, size_t count, size_t *used);

/* 2*sum(tp) / (2*sum(tp) + sum(fp) + sum(fn)), NaN when that is 0/0. */
double ld_pooled_dice(const lobedice_label_overlap *overlaps, size_t count);

/* Number of online cores (at least 1). */
size_t ld_cpu_count(void);

/* The worker count ld_parallel_for would use for `threads` and `ntasks`. */
size_t ld_resolve_threads(size_t threads, size_t ntasks);

/* ---- Label conventions inside the comparison ------------------------------------------------
 * A value -> label mapping of one volume (a label convention resolved): values ascending and
 * distinct, labels > 0; a value it does not name is background (label 0). NULL stands for the
 * identity: every value is its own label. */
typedef struct ld_value_map {
    const int64_t *values, *labels;
    size_t n;
} ld_value_map;

/* The label of value under map (NULL = identity). */
int64_t ld_map_label(const ld_value_map *map, int64_t value);

/* lobedice_overlap_sets, lobedice_surface_distances_sets and lobedice_disagreement_map with each
 * volume read through its map (maps[0] for ref, maps[1] for pred; NULL = identity): the sets'
 * labels are labels after the mapping. */
lobedice_status ld_overlap_sets_mapped(lobedice_label_overlap *out, const lobedice_volume *ref,
                                       const lobedice_volume *pred, const ld_value_map *const *maps,
                                       const lobedice_label_set *sets, size_t nsets,
                                       size_t threads);
lobedice_status ld_surface_distances_sets_mapped(lobedice_label_surface *out,
                                                 const lobedice_volume *ref,
                                                 const lobedice_volume *pred,
                                                 const ld_value_map *const *maps,
                                                 const lobedice_label_set *sets, size_t nsets,
                                                 const lobedice_surface_options *opts);
lobedice_status ld_disagreement_map_mapped(void *out, lobedice_dtype dtype,
                                           const lobedice_volume *ref, const lobedice_volume *pred,
                                           const ld_value_map *const *maps, const int64_t *labels,
                                           size_t nlabels, size_t threads);

/* Whether a caller's convention can be used: NULL, an identity, or at most
 * LOBEDICE_CONVENTION_MAX_PAIRS distinct values, each with a label > 0. */
bool ld_convention_valid(const lobedice_label_convention *conv);

/* lobedice_labels_check on value counts (ascending by value) already taken. */
lobedice_status ld_labels_check(lobedice_label_check *check,
                                const lobedice_label_convention *const conventions[2],
                                const lobedice_value_count *const counts[2],
                                const size_t ncounts[2]);

/* The value counts of a volume as a new array (*counts, freed by the caller) of *count entries,
 * ascending by value. Statuses as lobedice_value_counts. */
lobedice_status ld_value_counts_alloc(lobedice_value_count **counts, size_t *count,
                                      const lobedice_volume *volume, size_t threads);

#endif
