/* Per-label overlap of two label maps in one pass, its aggregates, and the disagreement map.
 *
 * Every label named by any set becomes a class (class 0 = any other value). One pass over both
 * volumes counts, per class, the reference voxels, the predicted voxels and the voxels where
 * both maps agree on it; sets that unite several classes also count the voxels where reference
 * and prediction fall on two different classes of the same set. That is all a set's tp, fp, fn
 * and tn need. No copy of the volumes, no one-hot: memory follows the number of labels and
 * sets, never the volume.
 *
 * Two kernels, both specialised for the value widths of the two maps:
 *  - few classes and 8/16-bit values (lobes, segments): a per-task confusion matrix of class
 *    pairs, with table lookups and a shortcut for blocks where both maps are constant;
 *  - otherwise: runs of one (reference, prediction) pair, classified once per run.
 * Both compare 8 bytes at a time with the current value repeated, since label maps are mostly
 * long runs. */
#include "label_lookup.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Voxels per task. Fixed, so the partition never depends on the thread count. */
#define LD_OVERLAP_CHUNK ((size_t)1 << 18)
/* Constant-run detection: blocks of LD_BLOCK values, then steps of LD_STEP within a block. */
#define LD_BLOCK 32
#define LD_STEP 8
/* Tasks keep their counters on the stack up to this many. */
#define LD_STACK_COUNTERS 256

typedef struct ld_overlap_plan {
    size_t nclasses; /* K + 1 */
    const ld_lookup *ref_lookup, *pred_lookup;
    size_t nsets;
    size_t *set_start; /* the classes of set s: set_class[set_start[s] .. set_start[s + 1]) */
    uint32_t *set_class;
    bool has_unions;     /* some set has two or more classes */
    size_t *union_start; /* the sets with two or more classes holding class c: */
    size_t *union_set;   /* union_set[union_start[c] .. union_start[c + 1]), ascending */
    size_t ncounters;    /* see ld_counter_* below */
    ld_lookup lookups[2];
} ld_overlap_plan;

/* Counter layout: [ref count per class][pred count per class][agreement per class]
 * [cross-class agreement per set, when has_unions]. */
static inline size_t ld_counter_pred(const ld_overlap_plan *plan)
{
    return plan->nclasses;
}
static inline size_t ld_counter_both(const ld_overlap_plan *plan)
{
    return 2 * plan->nclasses;
}
static inline size_t ld_counter_union(const ld_overlap_plan *plan)
{
    return 3 * plan->nclasses;
}

static void ld_plan_free(ld_overlap_plan *plan)
{
    ld_lookup_pair_free(plan->lookups);
    free(plan->set_start);
    free(plan->set_class);
    free(plan->union_start);
    free(plan->union_set);
    memset(plan, 0, sizeof *plan);
}

static int ld_cmp_class(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Lists each set's distinct classes (ascending) and, for sets of several classes, which sets
 * each class belongs to. `distinct` holds the K sorted distinct labels (class i + 1 =
 * distinct[i]); `total` is the number of labels of all sets, below UINT32_MAX. */
static lobedice_status ld_plan_sets(ld_overlap_plan *plan, const lobedice_label_set *sets,
                                    const int64_t *distinct, size_t total)
{
    size_t n = plan->nsets, k = plan->nclasses;
    size_t start_bytes, class_bytes, union_bytes;
    if (!ld_mul_size(n + 1, sizeof *plan->set_start, &start_bytes) ||
        !ld_mul_size(total ? total : 1, sizeof *plan->set_class, &class_bytes) ||
        !ld_mul_size(k + 1, sizeof *plan->union_start, &union_bytes))
        return LOBEDICE_EOVERFLOW;
    plan->set_start = malloc(start_bytes);
    plan->set_class = malloc(class_bytes);
    plan->union_start = calloc(1, union_bytes);
    if (!plan->set_start || !plan->set_class || !plan->union_start)
        return LOBEDICE_ENOMEM;
    size_t used = 0, memberships = 0;
    for (size_t s = 0; s < n; s++) {
        const size_t first = used;
        plan->set_start[s] = first;
        for (size_t j = 0; j < sets[s].nlabels; j++)
            plan->set_class[used++] =
                (uint32_t)ld_find_sorted(distinct, k - 1, sets[s].labels[j]) + 1;
        /* sorted and without repeats: sort the set's segment, then drop repeats */
        if (used - first > 1)
            qsort(plan->set_class + first, used - first, sizeof *plan->set_class, ld_cmp_class);
        size_t unique = first;
        for (size_t j = first; j < used; j++)
            if (unique == first || plan->set_class[unique - 1] != plan->set_class[j])
                plan->set_class[unique++] = plan->set_class[j];
        used = unique;
        if (used - first > 1) {
            plan->has_unions = true;
            for (size_t j = first; j < used; j++)
                plan->union_start[plan->set_class[j] + 1]++;
            memberships += used - first;
        }
    }
    plan->set_start[n] = used;
    if (!plan->has_unions)
        return LOBEDICE_OK;
    for (size_t c = 0; c < k; c++)
        plan->union_start[c + 1] += plan->union_start[c];
    size_t fill_bytes, member_bytes;
    if (!ld_mul_size(k, sizeof(size_t), &fill_bytes) ||
        !ld_mul_size(memberships, sizeof *plan->union_set, &member_bytes))
        return LOBEDICE_EOVERFLOW;
    size_t *fill = malloc(fill_bytes);
    plan->union_set = malloc(member_bytes);
    if (!plan->union_set || !fill) {
        free(fill);
        return LOBEDICE_ENOMEM;
    }
    memcpy(fill, plan->union_start, fill_bytes);
    for (size_t s = 0; s < n; s++) {
        if (plan->set_start[s + 1] - plan->set_start[s] < 2)
            continue;
        for (size_t j = plan->set_start[s]; j < plan->set_start[s + 1]; j++)
            plan->union_set[fill[plan->set_class[j]]++] = s;
    }
    free(fill);
    return LOBEDICE_OK;
}

static lobedice_status ld_plan_init(ld_overlap_plan *plan, const lobedice_label_set *sets,
                                    size_t nsets, lobedice_dtype ref_dtype,
                                    lobedice_dtype pred_dtype, const ld_value_map *const *maps)
{
    memset(plan, 0, sizeof *plan);
    plan->nsets = nsets;
    int64_t *distinct = NULL;
    size_t unique = 0;
    lobedice_status st = ld_label_sets_distinct(&distinct, &unique, sets, nsets);
    if (st != LOBEDICE_OK)
        return st;
    size_t total = 0; /* below UINT32_MAX, checked by ld_label_sets_distinct */
    for (size_t s = 0; s < nsets; s++)
        total += sets[s].nlabels;
    plan->nclasses = unique + 1;
    st = ld_lookup_pair_init(plan->lookups, &plan->ref_lookup, &plan->pred_lookup, ref_dtype,
                             pred_dtype, maps, distinct, unique);
    if (st == LOBEDICE_OK)
        st = ld_plan_sets(plan, sets, distinct, total);
    /* the per-set union counters only when some set unites classes */
    if (st == LOBEDICE_OK &&
        (!ld_mul_size(plan->nclasses, 3, &plan->ncounters) ||
         !ld_add_size(plan->ncounters, plan->has_unions ? plan->nsets : 0, &plan->ncounters)))
        st = LOBEDICE_EOVERFLOW;
    free(distinct);
    if (st != LOBEDICE_OK)
        ld_plan_free(plan);
    return st;
}

/* ---- The counting pass -------------------------------------------------------------------- */

/* A run of voxels whose reference is class ca and prediction class cb, ca != cb: it counts as
 * agreement for every set holding both classes. */
static void ld_count_cross_run(uint64_t *union_counts, const ld_overlap_plan *plan, uint32_t ca,
                               uint32_t cb, uint64_t run)
{
    const size_t *x = plan->union_set + plan->union_start[ca];
    const size_t *x_end = plan->union_set + plan->union_start[ca + 1];
    const size_t *y = plan->union_set + plan->union_start[cb];
    const size_t *y_end = plan->union_set + plan->union_start[cb + 1];
    while (x < x_end && y < y_end) {
        if (*x < *y)
            x++;
        else if (*y < *x)
            y++;
        else {
            union_counts[*x] += run;
            x++;
            y++;
        }
    }
}

static inline void ld_count_run(uint64_t *counts, const ld_overlap_plan *plan, uint32_t ca,
                                uint32_t cb, uint64_t run)
{
    counts[ca] += run;
    counts[ld_counter_pred(plan) + cb] += run;
    if (ca == cb)
        counts[ld_counter_both(plan) + ca] += run;
    else if (plan->has_unions && ca && cb)
        ld_count_cross_run(counts + ld_counter_union(plan), plan, ca, cb, run);
}

/* The run kernel: counts the n voxel pairs at a (wa bytes each) and b (wb bytes each), once
 * per run of one pair. Inlined into one kernel per pair of widths, so wa and wb are constants
 * there. */
static LD_ALWAYS_INLINE void ld_count_runs(uint64_t *counts, const ld_overlap_plan *plan,
                                           const unsigned char *a, const unsigned char *b, size_t n,
                                           const size_t wa, const size_t wb)
{
    uint32_t ra = ld_raw_at(a, wa), rb = ld_raw_at(b, wb);
    uint32_t ca = ld_lookup_raw(plan->ref_lookup, ra), cb = ld_lookup_raw(plan->pred_lookup, rb);
    uint64_t pa = ld_splat(ra, wa), pb = ld_splat(rb, wb);
    uint64_t run = 0;
    size_t i = 0;
    while (i < n) {
        while (n - i >= LD_BLOCK && ld_repeats(a + i * wa, LD_BLOCK * wa, pa) &&
               ld_repeats(b + i * wb, LD_BLOCK * wb, pb)) {
            run += LD_BLOCK;
            i += LD_BLOCK;
        }
        size_t block_end = n - i < LD_BLOCK ? n : i + LD_BLOCK;
        while (i < block_end) {
            if (block_end - i >= LD_STEP && ld_repeats(a + i * wa, LD_STEP * wa, pa) &&
                ld_repeats(b + i * wb, LD_STEP * wb, pb)) {
                run += LD_STEP;
                i += LD_STEP;
                continue;
            }
            size_t step_end = block_end - i < LD_STEP ? block_end : i + LD_STEP;
            for (; i < step_end; i++) {
                uint32_t va = ld_raw_at(a + i * wa, wa), vb = ld_raw_at(b + i * wb, wb);
                if (va != ra || vb != rb) {
                    ld_count_run(counts, plan, ca, cb, run);
                    run = 0;
                    if (va != ra) {
                        ra = va;
                        ca = ld_lookup_raw(plan->ref_lookup, ra);
                        pa = ld_splat(ra, wa);
                    }
                    if (vb != rb) {
                        rb = vb;
                        cb = ld_lookup_raw(plan->pred_lookup, rb);
                        pb = ld_splat(rb, wb);
                    }
                }
                run++;
            }
        }
    }
    ld_count_run(counts, plan, ca, cb, run);
}

/* The matrix kernel, for few classes and 8/16-bit values (the usual case): a per-task confusion
 * matrix of class pairs. Blocks and steps where both maps are constant add their length at
 * once; other steps count voxel by voxel without a branch, into LD_LANES interleaved copies of
 * the matrix so that neighbouring voxels of one pair do not wait on each other's increment.
 * Unlike the run kernel, it stays fast on speckled predictions. */
#define LD_DENSE_CLASSES 32
#define LD_LANES 4

static LD_ALWAYS_INLINE void ld_count_matrix(uint32_t *matrix, const ld_overlap_plan *plan,
                                             const unsigned char *a, const unsigned char *b,
                                             size_t n, const size_t wa, const size_t wb)
{
    const uint32_t *ta = plan->ref_lookup->table, *tb = plan->pred_lookup->table;
    const size_t nc = plan->nclasses, lane = nc * nc;
    size_t i = 0;
    for (; n - i >= LD_BLOCK; i += LD_BLOCK) {
        const unsigned char *pa = a + i * wa, *pb = b + i * wb;
        uint32_t ra = ld_raw_at(pa, wa), rb = ld_raw_at(pb, wb);
        if (ld_repeats(pa, LD_BLOCK * wa, ld_splat(ra, wa)) &&
            ld_repeats(pb, LD_BLOCK * wb, ld_splat(rb, wb))) {
            matrix[ta[ra] * nc + tb[rb]] += LD_BLOCK;
            continue;
        }
        for (size_t j = 0; j < LD_BLOCK; j += LD_STEP) {
            const unsigned char *qa = pa + j * wa, *qb = pb + j * wb;
            ra = ld_raw_at(qa, wa);
            rb = ld_raw_at(qb, wb);
            if (ld_repeats(qa, LD_STEP * wa, ld_splat(ra, wa)) &&
                ld_repeats(qb, LD_STEP * wb, ld_splat(rb, wb))) {
                matrix[ta[ra] * nc + tb[rb]] += LD_STEP;
                continue;
            }
            for (size_t k = 0; k < LD_STEP; k += LD_LANES)
                for (size_t l = 0; l < LD_LANES; l++)
                    matrix[l * lane + ta[ld_raw_at(qa + (k + l) * wa, wa)] * nc +
                           tb[ld_raw_at(qb + (k + l) * wb, wb)]]++;
        }
    }
    for (; i < n; i++)
        matrix[ta[ld_raw_at(a + i * wa, wa)] * nc + tb[ld_raw_at(b + i * wb, wb)]]++;
}

/* Folds a task's confusion matrix (LD_LANES lanes) into the counters: each cell is a run of
 * its class pair. */
static void ld_fold_matrix(uint64_t *counts, const ld_overlap_plan *plan, uint32_t *matrix)
{
    const size_t nc = plan->nclasses, lane = nc * nc;
    for (size_t l = 1; l < LD_LANES; l++)
        for (size_t k = 0; k < lane; k++)
            matrix[k] += matrix[l * lane + k];
    for (size_t r = 0; r < nc; r++)
        for (size_t p = 0; p < nc; p++)
            if (matrix[r * nc + p])
                ld_count_run(counts, plan, (uint32_t)r, (uint32_t)p, matrix[r * nc + p]);
}

typedef void (*ld_count_fn)(uint64_t *counts, const ld_overlap_plan *plan, const unsigned char *a,
                            const unsigned char *b, size_t n);

#define LD_RUN_KERNEL(WA, WB)                                                                      \
    static void ld_count_runs_##WA##_##WB(uint64_t *counts, const ld_overlap_plan *plan,           \
                                          const unsigned char *a, const unsigned char *b,          \
                                          size_t n)                                                \
    {                                                                                              \
        ld_count_runs(counts, plan, a, b, n, WA, WB);                                              \
    }
LD_RUN_KERNEL(1, 1)
LD_RUN_KERNEL(1, 2)
LD_RUN_KERNEL(1, 4)
LD_RUN_KERNEL(2, 1)
LD_RUN_KERNEL(2, 2)
LD_RUN_KERNEL(2, 4)
LD_RUN_KERNEL(4, 1)
LD_RUN_KERNEL(4, 2)
LD_RUN_KERNEL(4, 4)

#define LD_MATRIX_KERNEL(WA, WB)                                                                   \
    static void ld_count_matrix_##WA##_##WB(uint64_t *counts, const ld_overlap_plan *plan,         \
                                            const unsigned char *a, const unsigned char *b,        \
                                            size_t n)                                              \
    {                                                                                              \
        uint32_t matrix[LD_LANES * LD_DENSE_CLASSES * LD_DENSE_CLASSES];                           \
        memset(matrix, 0, LD_LANES * plan->nclasses * plan->nclasses * sizeof *matrix);            \
        ld_count_matrix(matrix, plan, a, b, n, WA, WB);                                            \
        ld_fold_matrix(counts, plan, matrix);                                                      \
    }
LD_MATRIX_KERNEL(1, 1)
LD_MATRIX_KERNEL(1, 2)
LD_MATRIX_KERNEL(2, 1)
LD_MATRIX_KERNEL(2, 2)

/* The matrix for few classes when both dtypes have lookup tables, runs otherwise. */
static ld_count_fn ld_count_kernel(const ld_overlap_plan *plan, size_t wa, size_t wb)
{
    static const ld_count_fn runs[3][3] = {
        {ld_count_runs_1_1, ld_count_runs_1_2, ld_count_runs_1_4},
        {ld_count_runs_2_1, ld_count_runs_2_2, ld_count_runs_2_4},
        {ld_count_runs_4_1, ld_count_runs_4_2, ld_count_runs_4_4},
    };
    static const ld_count_fn matrix[2][2] = {
        {ld_count_matrix_1_1, ld_count_matrix_1_2},
        {ld_count_matrix_2_1, ld_count_matrix_2_2},
    };
    if (wa <= 2 && wb <= 2 && plan->nclasses <= LD_DENSE_CLASSES)
        return matrix[wa / 2][wb / 2];
    return runs[wa / 2][wb / 2]; /* widths 1, 2, 4 -> rows 0, 1, 2 */
}

typedef struct ld_overlap_ctx {
    const ld_overlap_plan *plan;
    ld_count_fn kernel;
    const unsigned char *ref, *pred;
    size_t ref_width, pred_width, voxels;
    _Atomic uint64_t *totals;
    atomic_int failed;
} ld_overlap_ctx;

/* Each task counts its chunk into its own counters and adds them to the totals. Integer sums
 * are exact in any order, so the totals do not depend on the thread count or on which task
 * finishes first. */
static void ld_overlap_task(void *arg, size_t task)
{
    ld_overlap_ctx *ctx = arg;
    const ld_overlap_plan *plan = ctx->plan;
    size_t begin = task * LD_OVERLAP_CHUNK, end = ld_chunk_end(ctx->voxels, task, LD_OVERLAP_CHUNK);
    uint64_t stack_counts[LD_STACK_COUNTERS];
    /* ncounters * sizeof *counts fits: the totals of that size were allocated */
    uint64_t *counts = plan->ncounters <= LD_STACK_COUNTERS
                           ? stack_counts
                           : malloc(plan->ncounters * sizeof *counts);
    if (!counts) {
        atomic_store(&ctx->failed, 1);
        return;
    }
    memset(counts, 0, plan->ncounters * sizeof *counts);
    ctx->kernel(counts, plan, ctx->ref + begin * ctx->ref_width,
                ctx->pred + begin * ctx->pred_width, end - begin);
    for (size_t i = 0; i < plan->ncounters; i++)
        if (counts[i])
            atomic_fetch_add_explicit(&ctx->totals[i], counts[i], memory_order_relaxed);
    if (counts != stack_counts)
        free(counts);
}

/* Fills one result from its counts (docs/measures.md, "Overlap"). */
static void ld_overlap_measures(lobedice_label_overlap *out, int64_t id, uint64_t ref_count,
                                uint64_t pred_count, uint64_t tp, uint64_t voxels, double voxel_ml)
{
    const uint64_t fp = pred_count - tp, fn = ref_count - tp;
    const uint64_t tn = voxels - tp - fp - fn;
    const uint64_t both = ref_count + pred_count; /* 2 tp + fp + fn */
    out->label = id;
    out->tp = tp;
    out->fp = fp;
    out->fn = fn;
    out->tn = tn;
    out->dice = both ? 2.0 * (double)tp / (double)both : NAN;
    out->jaccard = both ? (double)tp / (double)(both - tp) : NAN;
    out->precision = pred_count ? (double)tp / (double)pred_count : NAN;
    out->sensitivity = ref_count ? (double)tp / (double)ref_count : NAN;
    out->specificity = tn + fp ? (double)tn / (double)(tn + fp) : NAN;
    out->volume_ref_ml = (double)ref_count * voxel_ml;
    out->volume_pred_ml = (double)pred_count * voxel_ml;
    out->volume_similarity =
        both ? 2.0 * ((double)pred_count - (double)ref_count) / (double)both : NAN;
}

lobedice_status ld_overlap_sets_mapped(lobedice_label_overlap *out, const lobedice_volume *ref,
                                       const lobedice_volume *pred, const ld_value_map *const *maps,
                                       const lobedice_label_set *sets, size_t nsets, size_t threads)
{
    if (nsets > 0 && (!out || !sets))
        return LOBEDICE_EINVAL;
    size_t voxels = 0;
    lobedice_status st = ld_check_pair(&voxels, ref, pred);
    if (st != LOBEDICE_OK || nsets == 0)
        return st;
    ld_overlap_plan plan;
    st = ld_plan_init(&plan, sets, nsets, ref->dtype, pred->dtype, maps);
    if (st != LOBEDICE_OK)
        return st;
    size_t bytes;
    _Atomic uint64_t *totals = NULL;
    if (!ld_mul_size(plan.ncounters, sizeof *totals, &bytes)) {
        ld_plan_free(&plan);
        return LOBEDICE_EOVERFLOW;
    }
    totals = malloc(bytes);
    if (!totals) {
        ld_plan_free(&plan);
        return LOBEDICE_ENOMEM;
    }
    for (size_t i = 0; i < plan.ncounters; i++)
        atomic_init(&totals[i], 0);
    ld_overlap_ctx ctx = {
        .plan = &plan,
        .ref = ref->data,
        .pred = pred->data,
        .ref_width = lobedice_dtype_size(ref->dtype),
        .pred_width = lobedice_dtype_size(pred->dtype),
        .voxels = voxels,
        .totals = totals,
    };
    ctx.kernel = ld_count_kernel(&plan, ctx.ref_width, ctx.pred_width);
    atomic_init(&ctx.failed, 0);
    ld_parallel_for(threads, ld_chunk_count(voxels, LD_OVERLAP_CHUNK), ld_overlap_task, &ctx);
    if (atomic_load(&ctx.failed)) {
        st = LOBEDICE_ENOMEM;
    } else {
        const double voxel_ml = ref->spacing[0] * ref->spacing[1] * ref->spacing[2] / 1000.0;
        for (size_t s = 0; s < plan.nsets; s++) {
            uint64_t ref_count = 0, pred_count = 0, tp = 0;
            for (size_t j = plan.set_start[s]; j < plan.set_start[s + 1]; j++) {
                uint32_t c = plan.set_class[j];
                ref_count += atomic_load(&totals[c]);
                pred_count += atomic_load(&totals[ld_counter_pred(&plan) + c]);
                tp += atomic_load(&totals[ld_counter_both(&plan) + c]);
            }
            if (plan.has_unions)
                tp += atomic_load(&totals[ld_counter_union(&plan) + s]);
            ld_overlap_measures(&out[s], sets[s].id, ref_count, pred_count, tp, voxels, voxel_ml);
        }
    }
    free(totals);
    ld_plan_free(&plan);
    return st;
}

lobedice_status lobedice_overlap_sets(lobedice_label_overlap *out, const lobedice_volume *ref,
                                      const lobedice_volume *pred, const lobedice_label_set *sets,
                                      size_t nsets, size_t threads)
{
    return ld_overlap_sets_mapped(out, ref, pred, NULL, sets, nsets, threads);
}

lobedice_status lobedice_overlap(lobedice_label_overlap *out, const lobedice_volume *ref,
                                 const lobedice_volume *pred, const int64_t *labels, size_t nlabels,
                                 size_t threads)
{
    lobedice_label_set *sets = NULL;
    lobedice_status st = ld_single_label_sets(&sets, labels, nlabels);
    if (st == LOBEDICE_OK)
        st = lobedice_overlap_sets(out, ref, pred, sets, nlabels, threads);
    free(sets);
    return st;
}

lobedice_presence lobedice_overlap_presence(const lobedice_label_overlap *overlap)
{
    if (!overlap)
        return LOBEDICE_ABSENT;
    bool in_ref = overlap->tp + overlap->fn > 0, in_pred = overlap->tp + overlap->fp > 0;
    if (in_ref && in_pred)
        return LOBEDICE_PRESENT;
    if (in_ref)
        return LOBEDICE_MISSING_IN_PREDICTION;
    return in_pred ? LOBEDICE_MISSING_IN_REFERENCE : LOBEDICE_ABSENT;
}

const char *lobedice_presence_name(lobedice_presence presence)
{
    switch (presence) {
    case LOBEDICE_PRESENT: return "present";
    case LOBEDICE_MISSING_IN_PREDICTION: return "missing_in_prediction";
    case LOBEDICE_MISSING_IN_REFERENCE: return "missing_in_reference";
    case LOBEDICE_ABSENT: return "absent";
    }
    return "unknown";
}

/* ---- Aggregates ----------------------------------------------------------------------------- */

double ld_mean_defined(const double *values, size_t count, size_t *used)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (!isnan(values[i])) {
            sum += values[i];
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
    lobedice_overlap_summary s = {.labels = count};
    /* one field of every overlap at a time, gathered so the mean sees a plain array */
    double *field = malloc((count ? count : 1) * sizeof *field);
    if (!field)
        return LOBEDICE_ENOMEM;
    const struct {
        size_t offset;
        double *mean;
        size_t *used;
    } fields[] = {
        {offsetof(lobedice_label_overlap, dice), &s.mean_dice, &s.n_dice},
        {offsetof(lobedice_label_overlap, jaccard), &s.mean_jaccard, &s.n_jaccard},
        {offsetof(lobedice_label_overlap, precision), &s.mean_precision, &s.n_precision},
        {offsetof(lobedice_label_overlap, sensitivity), &s.mean_sensitivity, &s.n_sensitivity},
        {offsetof(lobedice_label_overlap, specificity), &s.mean_specificity, &s.n_specificity},
        {offsetof(lobedice_label_overlap, volume_similarity), &s.mean_volume_similarity,
         &s.n_volume_similarity},
    };
    for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
        for (size_t i = 0; i < count; i++)
            memcpy(&field[i], (const char *)&overlaps[i] + fields[f].offset, sizeof *field);
        *fields[f].mean = ld_mean_defined(field, count, fields[f].used);
    }
    free(field);
    s.pooled_dice = ld_pooled_dice(overlaps, count);
    *summary = s;
    return LOBEDICE_OK;
}

double ld_pooled_dice(const lobedice_label_overlap *overlaps, size_t count)
{
    uint64_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < count; i++) {
        tp += overlaps[i].tp;
        fp += overlaps[i].fp;
        fn += overlaps[i].fn;
    }
    double denominator = 2.0 * (double)tp + (double)fp + (double)fn;
    return denominator > 0 ? 2.0 * (double)tp / denominator : NAN;
}

/* ---- Disagreement map ---------------------------------------------------------------------
 * Blocks of LD_BLOCK voxels where both maps hold one value each (most of a label map) get one
 * code and a fill; other blocks are classified voxel by voxel. */

#define LD_DISAGREE_CHUNK ((size_t)1 << 16)

typedef struct ld_disagree_ctx {
    void *out;
    lobedice_dtype dtype;
    const lobedice_volume *ref, *pred;
    const ld_lookup *ref_lookup, *pred_lookup;
    size_t voxels;
    uint32_t base, scale; /* disagreement code = base + scale * k(ref) + k(pred) */
} ld_disagree_ctx;

static inline uint32_t ld_disagree_code(const ld_disagree_ctx *ctx, uint32_t kr, uint32_t kp)
{
    return kr == kp ? kr : ctx->base + ctx->scale * kr + kp;
}

static uint32_t ld_disagree_base(size_t nlabels)
{
    return nlabels <= LOBEDICE_DISAGREEMENT_SMALL_LABELS ? LOBEDICE_DISAGREEMENT_SMALL_BASE
                                                         : LOBEDICE_DISAGREEMENT_LARGE_BASE;
}

static uint32_t ld_disagree_scale(size_t nlabels)
{
    return nlabels <= LOBEDICE_DISAGREEMENT_SMALL_LABELS ? LOBEDICE_DISAGREEMENT_SMALL_SCALE
                                                         : LOBEDICE_DISAGREEMENT_LARGE_SCALE;
}

lobedice_status lobedice_disagreement_code(int32_t *code, size_t nlabels, size_t ref_class,
                                           size_t pred_class)
{
    if (!code || nlabels > LOBEDICE_DISAGREEMENT_MAX_LABELS || ref_class > nlabels ||
        pred_class > nlabels)
        return LOBEDICE_EINVAL;
    const ld_disagree_ctx ctx = {.base = ld_disagree_base(nlabels),
                                 .scale = ld_disagree_scale(nlabels)};
    *code = (int32_t)ld_disagree_code(&ctx, (uint32_t)ref_class, (uint32_t)pred_class);
    return LOBEDICE_OK;
}

lobedice_status lobedice_disagreement_classes(size_t *ref_class, size_t *pred_class,
                                              lobedice_disagreement_kind *kind, int32_t code,
                                              size_t nlabels)
{
    if (nlabels > LOBEDICE_DISAGREEMENT_MAX_LABELS || code < 0)
        return LOBEDICE_EINVAL;
    const uint32_t base = ld_disagree_base(nlabels), scale = ld_disagree_scale(nlabels);
    size_t r, p;
    if ((uint32_t)code <= nlabels) {
        r = p = (size_t)code;
    } else if ((uint32_t)code >= base) {
        r = ((uint32_t)code - base) / scale;
        p = ((uint32_t)code - base) % scale;
        if (r > nlabels || p > nlabels || r == p)
            return LOBEDICE_EINVAL;
    } else {
        return LOBEDICE_EINVAL;
    }
    if (ref_class)
        *ref_class = r;
    if (pred_class)
        *pred_class = p;
    if (kind)
        *kind = r == p   ? (r ? LOBEDICE_AGREE_LABEL : LOBEDICE_AGREE_BACKGROUND)
                : p == 0 ? LOBEDICE_MISSED
                : r == 0 ? LOBEDICE_EXTRA
                         : LOBEDICE_CONFUSED;
    return LOBEDICE_OK;
}

/* One typed loop per storage width: several times faster than ld_label_store per value, whose
 * switch the compiler keeps inside the loop. */
#define LD_STORE_LOOP(TYPE, VALUE)                                                                 \
    do {                                                                                           \
        TYPE *dst = (TYPE *)out + at;                                                              \
        for (size_t j = 0; j < n; j++)                                                             \
            dst[j] = (TYPE)(VALUE);                                                                \
    } while (0)

/* out[at + j] = code for j in [0, n) */
static void ld_fill_codes(void *out, lobedice_dtype dtype, size_t at, uint32_t code, size_t n)
{
    switch (dtype) {
    case LOBEDICE_UINT8:
    case LOBEDICE_INT8: memset((uint8_t *)out + at, (int)code, n); return;
    case LOBEDICE_UINT16:
    case LOBEDICE_INT16: LD_STORE_LOOP(uint16_t, code); return;
    case LOBEDICE_UINT32:
    case LOBEDICE_INT32: LD_STORE_LOOP(uint32_t, code); return;
    }
}

/* out[at + j] = codes[j] for j in [0, n) */
static void ld_store_codes(void *out, lobedice_dtype dtype, size_t at, const uint32_t *codes,
                           size_t n)
{
    switch (dtype) {
    case LOBEDICE_UINT8:
    case LOBEDICE_INT8: LD_STORE_LOOP(uint8_t, codes[j]); return;
    case LOBEDICE_UINT16:
    case LOBEDICE_INT16: LD_STORE_LOOP(uint16_t, codes[j]); return;
    case LOBEDICE_UINT32:
    case LOBEDICE_INT32: LD_STORE_LOOP(uint32_t, codes[j]); return;
    }
}
#undef LD_STORE_LOOP

static void ld_disagree_task(void *arg, size_t task)
{
    const ld_disagree_ctx *ctx = arg;
    const size_t begin = task * LD_DISAGREE_CHUNK;
    const size_t end = ld_chunk_end(ctx->voxels, task, LD_DISAGREE_CHUNK);
    const size_t wa = lobedice_dtype_size(ctx->ref->dtype),
                 wb = lobedice_dtype_size(ctx->pred->dtype);
    const unsigned char *a = ctx->ref->data, *b = ctx->pred->data;
    uint32_t kr[LD_BLOCK], kp[LD_BLOCK];
    for (size_t i = begin; i < end; i += LD_BLOCK) {
        const size_t n = end - i < LD_BLOCK ? end - i : LD_BLOCK;
        if (n == LD_BLOCK) {
            const uint32_t ra = ld_raw_at(a + i * wa, wa), rb = ld_raw_at(b + i * wb, wb);
            if (ld_repeats(a + i * wa, LD_BLOCK * wa, ld_splat(ra, wa)) &&
                ld_repeats(b + i * wb, LD_BLOCK * wb, ld_splat(rb, wb))) {
                const uint32_t code = ld_disagree_code(ctx, ld_lookup_raw(ctx->ref_lookup, ra),
                                                       ld_lookup_raw(ctx->pred_lookup, rb));
                ld_fill_codes(ctx->out, ctx->dtype, i, code, LD_BLOCK);
                continue;
            }
        }
        ld_lookup_span(ctx->ref_lookup, kr, ctx->ref->data, i, n);
        ld_lookup_span(ctx->pred_lookup, kp, ctx->pred->data, i, n);
        for (size_t j = 0; j < n; j++)
            kr[j] = ld_disagree_code(ctx, kr[j], kp[j]);
        ld_store_codes(ctx->out, ctx->dtype, i, kr, n);
    }
}

/* The largest code of the map for nlabels <= 99 labels: reference label n, predicted n-1. */
static uint32_t ld_disagree_max_code(size_t nlabels)
{
    if (nlabels == 0)
        return 0;
    const uint32_t n = (uint32_t)nlabels;
    return ld_disagree_base(nlabels) + ld_disagree_scale(nlabels) * n + n - 1;
}

lobedice_status lobedice_disagreement_dtype(lobedice_dtype *dtype, size_t nlabels)
{
    if (!dtype || nlabels > LOBEDICE_DISAGREEMENT_MAX_LABELS)
        return LOBEDICE_EINVAL;
    *dtype = nlabels <= LOBEDICE_DISAGREEMENT_SMALL_LABELS ? LOBEDICE_UINT8 : LOBEDICE_INT16;
    return LOBEDICE_OK;
}

lobedice_status ld_disagreement_map_mapped(void *out, lobedice_dtype dtype,
                                           const lobedice_volume *ref, const lobedice_volume *pred,
                                           const ld_value_map *const *maps, const int64_t *labels,
                                           size_t nlabels, size_t threads)
{
    if (!out || (nlabels > 0 && !labels) || nlabels > LOBEDICE_DISAGREEMENT_MAX_LABELS)
        return LOBEDICE_EINVAL;
    int64_t min, max;
    if (!ld_dtype_range(dtype, &min, &max))
        return LOBEDICE_EDTYPE;
    if ((int64_t)ld_disagree_max_code(nlabels) > max)
        return LOBEDICE_EINVAL;
    size_t voxels = 0, bytes = 0;
    lobedice_status st = ld_check_pair(&voxels, ref, pred);
    if (st != LOBEDICE_OK)
        return st;
    if (!ld_mul_size(voxels, lobedice_dtype_size(dtype), &bytes))
        return LOBEDICE_EOVERFLOW;
    ld_disagree_ctx ctx = {
        .out = out,
        .dtype = dtype,
        .ref = ref,
        .pred = pred,
        .voxels = voxels,
        .base = ld_disagree_base(nlabels),
        .scale = ld_disagree_scale(nlabels),
    };
    ld_lookup lookups[2];
    st = ld_lookup_pair_init(lookups, &ctx.ref_lookup, &ctx.pred_lookup, ref->dtype, pred->dtype,
                             maps, labels, nlabels);
    if (st != LOBEDICE_OK)
        return st;
    ld_parallel_for(threads, ld_chunk_count(voxels, LD_DISAGREE_CHUNK), ld_disagree_task, &ctx);
    ld_lookup_pair_free(lookups);
    return LOBEDICE_OK;
}

lobedice_status lobedice_disagreement_map(void *out, lobedice_dtype dtype,
                                          const lobedice_volume *ref, const lobedice_volume *pred,
                                          const int64_t *labels, size_t nlabels, size_t threads)
{
    return ld_disagreement_map_mapped(out, dtype, ref, pred, NULL, labels, nlabels, threads);
}
