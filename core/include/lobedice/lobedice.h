/*
 * LobeDice: per-label comparison of label maps and the multi-class soft Dice loss.
 *
 * One public header for the whole C core. Conventions:
 *  - every function returns a lobedice_status (0 = OK, negative = error) unless it cannot fail;
 *  - the caller allocates outputs; outputs come first in the parameter list;
 *  - inputs are const; nothing is printed, nothing exits, no global or thread-local state;
 *  - volumes are stored x fastest, then y, then z (ITK, NRRD and NIfTI order);
 *  - every measure follows docs/measures.md (one definition per measure, NaN where undefined);
 *  - threads == 0 means "all online cores"; results are bit-identical for any thread count.
 */
#ifndef LOBEDICE_H
#define LOBEDICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LOBEDICE_STATIC)
#define LOBEDICE_API
#elif defined(_WIN32)
#if defined(LOBEDICE_BUILDING)
#define LOBEDICE_API __declspec(dllexport)
#else
#define LOBEDICE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define LOBEDICE_API __attribute__((visibility("default")))
#else
#define LOBEDICE_API
#endif

/* ---------------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------------- */
#define LOBEDICE_VERSION_MAJOR 0
#define LOBEDICE_VERSION_MINOR 1
#define LOBEDICE_VERSION_PATCH 0
#define LOBEDICE_VERSION_NUMBER                                                                    \
    (LOBEDICE_VERSION_MAJOR * 10000 + LOBEDICE_VERSION_MINOR * 100 + LOBEDICE_VERSION_PATCH)
#define LOBEDICE_VERSION_STRING "0.1.0"

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH" and as a number. */
LOBEDICE_API const char *lobedice_version(void);
LOBEDICE_API unsigned lobedice_version_number(void);

/* ---------------------------------------------------------------------------------------------
 * Status
 * Values are pinned: never renumbered, never reused.
 * ------------------------------------------------------------------------------------------- */
typedef enum lobedice_status {
    LOBEDICE_OK = 0,
    LOBEDICE_EINVAL = -1,       /* a required pointer is NULL or an option is out of range */
    LOBEDICE_ENOMEM = -2,       /* memory allocation failed */
    LOBEDICE_EOVERFLOW = -3,    /* a size product does not fit in size_t */
    LOBEDICE_EDTYPE = -4,       /* the dtype is not one of lobedice_dtype */
    LOBEDICE_ESIZE = -5,        /* a size is zero, or two volumes differ in size */
    LOBEDICE_ESPACING = -6,     /* a spacing is not a finite positive number */
    LOBEDICE_ELABEL = -7,       /* a label value is missing from the palette or out of range */
    LOBEDICE_EPALETTE = -8,     /* the palette repeats a value or holds one the dtype cannot */
    LOBEDICE_ENOTFINITE = -9,   /* an input value is NaN or infinite */
    LOBEDICE_EWEIGHT = -10,     /* a weight is negative or not finite */
    LOBEDICE_ENONINTEGER = -11, /* a value meant to be a label is not a whole number in range */
    LOBEDICE_EIO = -12,         /* a file could not be read or written (wrapping layer) */
    LOBEDICE_EFORMAT = -13,     /* a file holds an image of a kind that is not supported */
    LOBEDICE_EGEOMETRY = -14    /* two images do not overlap in physical space */
} lobedice_status;

/* A fixed English sentence for a status (never NULL; unknown values get a generic sentence). */
LOBEDICE_API const char *lobedice_strerror(lobedice_status status);

/* ---------------------------------------------------------------------------------------------
 * Label volumes
 * ------------------------------------------------------------------------------------------- */
typedef enum lobedice_dtype {
    LOBEDICE_UINT8,
    LOBEDICE_INT8,
    LOBEDICE_UINT16,
    LOBEDICE_INT16,
    LOBEDICE_UINT32,
    LOBEDICE_INT32
} lobedice_dtype;

/* Bytes per value of a dtype, 0 for an unknown dtype. */
LOBEDICE_API size_t lobedice_dtype_size(lobedice_dtype dtype);

typedef enum lobedice_layout {
    LOBEDICE_CHANNELS_LAST = 0, /* index ((b*voxels + v)*channels + c) */
    LOBEDICE_CHANNELS_FIRST = 1 /* index ((b*channels + c)*voxels + v) */
} lobedice_layout;

typedef struct lobedice_volume {
    const void *data; /* x fastest, then y, then z (ITK, NRRD and NIfTI order) */
    lobedice_dtype dtype;
    size_t size[3];    /* voxels along x, y, z; a 2-D image has size[2] == 1 */
    double spacing[3]; /* mm */
} lobedice_volume;

/* *voxels = size[0]*size[1]*size[2]. Checks the volume: data not NULL, dtype known, no zero size
 * (LOBEDICE_ESIZE), finite positive spacing (LOBEDICE_ESPACING), and that the byte count fits in
 * size_t (LOBEDICE_EOVERFLOW). */
LOBEDICE_API lobedice_status lobedice_volume_voxels(size_t *voxels, const lobedice_volume *volume);

/* The distinct values of a volume, sorted ascending, 0 included when present.
 * labels: caller buffer of `capacity` entries; *count receives the number of distinct values,
 * which may exceed capacity (then only the `capacity` smallest are written; call again with a
 * larger buffer). labels may be NULL when capacity is 0. One pass, multithreaded; extra memory
 * follows the number of distinct values, never the volume. On any error status (LOBEDICE_EINVAL
 * for a NULL count, or NULL labels with capacity > 0; then the statuses of
 * lobedice_volume_voxels, and LOBEDICE_ENOMEM) neither labels nor *count is written. */
LOBEDICE_API lobedice_status lobedice_labels_present(int64_t *labels, size_t capacity,
                                                     size_t *count, const lobedice_volume *volume,
                                                     size_t threads);

/* The distinct values present in ref or in pred (or both), sorted ascending, 0 included when
 * present: the default label list of a comparison. Same buffer rules and statuses as
 * lobedice_labels_present (both volumes are checked); the two volumes may differ in size and
 * dtype. One pass over each. */
LOBEDICE_API lobedice_status lobedice_labels_union(int64_t *labels, size_t capacity, size_t *count,
                                                   const lobedice_volume *ref,
                                                   const lobedice_volume *pred, size_t threads);

/* Converts whole-numbered floating-point values (from a float image read from a file) into a
 * label buffer of `dtype` (`count` values; -0.0 becomes 0). Returns LOBEDICE_ENONINTEGER, with
 * *first_bad set to the index of the first offending value (the lowest index, whatever the
 * thread count), when a value is fractional, not finite, or outside the dtype's range; `out` is
 * then partly written. first_bad may be NULL. LOBEDICE_EDTYPE for an unknown dtype. Uses all
 * cores. */
LOBEDICE_API lobedice_status lobedice_labels_from_double(void *out, lobedice_dtype dtype,
                                                         const double *values, size_t count,
                                                         size_t *first_bad);

/* The smallest dtype (the first in the order of lobedice_dtype) able to hold every value in
 * [min, max]: [0, 5] is UINT8, [-1, 5] INT8, [-1, 300] INT16. LOBEDICE_ENONINTEGER when none can,
 * LOBEDICE_EINVAL when min > max. */
LOBEDICE_API lobedice_status lobedice_dtype_for_range(lobedice_dtype *dtype, int64_t min,
                                                      int64_t max);

/* Copies the box of `src` that starts at voxel `offset` of `dst` (may be negative: only the part
 * inside dst is written) into `dst`, converting values to dst's dtype; dst voxels outside src
 * keep their value, and a box entirely outside dst writes nothing. Used to place a cropped
 * segmentation on the full reference grid. dst holds dst_size[0]*dst_size[1]*dst_size[2] values
 * and must not overlap src. LOBEDICE_ENONINTEGER when a copied value does not fit dst's dtype
 * (dst is then partly written); LOBEDICE_ESIZE for a zero dst size; LOBEDICE_EOVERFLOW when a
 * size does not fit (or exceeds INT64_MAX). src is checked as lobedice_volume_voxels does
 * (LOBEDICE_EINVAL, LOBEDICE_EDTYPE, LOBEDICE_ESIZE, LOBEDICE_EOVERFLOW, and LOBEDICE_ESPACING
 * although paste never uses the spacing: a volume with a broken geometry is refused
 * everywhere). Uses all cores. */
LOBEDICE_API lobedice_status lobedice_volume_paste(void *dst, lobedice_dtype dst_dtype,
                                                   const size_t dst_size[3],
                                                   const lobedice_volume *src,
                                                   const int64_t offset[3]);

/* ---------------------------------------------------------------------------------------------
 * Overlap measures (docs/measures.md, "Overlap")
 * ------------------------------------------------------------------------------------------- */
typedef struct lobedice_label_overlap {
    int64_t label; /* the label, or the set id for lobedice_overlap_sets */
    uint64_t tp, fp, fn, tn;
    double dice, jaccard, precision, sensitivity, specificity; /* NaN where undefined */
    double volume_ref_ml, volume_pred_ml, volume_similarity;
} lobedice_label_overlap;

/* Presence of a label in the two maps. */
typedef enum lobedice_presence {
    LOBEDICE_PRESENT = 0,               /* in both maps */
    LOBEDICE_MISSING_IN_PREDICTION = 1, /* in the reference only: Dice 0 */
    LOBEDICE_MISSING_IN_REFERENCE = 2,  /* in the prediction only: Dice 0 */
    LOBEDICE_ABSENT = 3                 /* in neither: Dice undefined (NaN) */
} lobedice_presence;

LOBEDICE_API lobedice_presence lobedice_overlap_presence(const lobedice_label_overlap *overlap);

/* out[i] describes labels[i]; ref and pred must have the same size (spacing is taken from ref).
 * All labels are counted in one pass over both volumes, with no copy and no one-hot; ref and pred
 * may have different dtypes. A label the dtype cannot hold is simply absent. Uses all cores. */
LOBEDICE_API lobedice_status lobedice_overlap(lobedice_label_overlap *out,
                                              const lobedice_volume *ref,
                                              const lobedice_volume *pred, const int64_t *labels,
                                              size_t nlabels);

/* A union of labels measured as one mask (a region such as "right lung" = {1, 2, 3}). */
typedef struct lobedice_label_set {
    int64_t id;            /* copied into the result's `label` field */
    const int64_t *labels; /* the labels of the union */
    size_t nlabels;
} lobedice_label_set;

/* out[i] describes sets[i]: A = reference voxels whose value is in sets[i], B likewise in pred.
 * All sets together in one pass; `threads` 0 = all cores. lobedice_overlap is this with one
 * single-label set per label and all cores. LOBEDICE_EINVAL for NULL out or sets with
 * nsets > 0, or a set with labels NULL and nlabels > 0; LOBEDICE_EOVERFLOW when the sets name
 * UINT32_MAX labels or more in all (repeats counted; checked before any label is read); the
 * volume statuses of lobedice_overlap. */
LOBEDICE_API lobedice_status lobedice_overlap_sets(lobedice_label_overlap *out,
                                                   const lobedice_volume *ref,
                                                   const lobedice_volume *pred,
                                                   const lobedice_label_set *sets, size_t nsets,
                                                   size_t threads);

/* Aggregates over the labels asked for (docs/measures.md, "Aggregates"). For each measure: the
 * mean over results where it is defined, and the count that took part (NaN mean when none did).
 * pooled_dice = 2*sum(tp) / (2*sum(tp) + sum(fp) + sum(fn)), NaN when that is 0/0. */
typedef struct lobedice_overlap_summary {
    size_t labels;
    double mean_dice, mean_jaccard, mean_precision, mean_sensitivity, mean_specificity,
        mean_volume_similarity;
    size_t n_dice, n_jaccard, n_precision, n_sensitivity, n_specificity, n_volume_similarity;
    double pooled_dice;
} lobedice_overlap_summary;

LOBEDICE_API lobedice_status lobedice_overlap_summarize(lobedice_overlap_summary *summary,
                                                        const lobedice_label_overlap *overlaps,
                                                        size_t count);

/* Mean of the values that are not NaN, stride bytes apart (NaN when none); *used = how many
 * took part (may be NULL). For aggregating any field of any result array. */
LOBEDICE_API double lobedice_mean_defined(const double *values, size_t count, size_t stride,
                                          size_t *used);

/* The disagreement map, one value of `dtype` per voxel of ref's grid. With k(v) = i+1 when the
 * value v equals labels[i] and 0 otherwise (background or a label not asked for):
 *   k(ref) == k(pred) -> k  (0 agreement on background, i+1 a correct voxel of label i)
 *   k(ref) != k(pred) -> 100 + 10*k(ref) + k(pred)     when nlabels <= 9  (at most 198)
 *                        10000 + 100*k(ref) + k(pred)  when nlabels <= 99 (at most 19998)
 * so for lobes 1..5, 1..5 are the correctly labelled lobes, 130 is "reference RLL, predicted
 * background", 123 is "reference RML, predicted RLL". Any dtype whose range holds the largest
 * code is accepted (lobedice_disagreement_dtype gives the smallest). Statuses: LOBEDICE_EINVAL
 * (NULL out, ref or pred, NULL labels with nlabels > 0, nlabels > 99, a dtype too small for the
 * codes), LOBEDICE_EDTYPE (an unknown dtype for out or a volume), LOBEDICE_ESIZE,
 * LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW (also when the map's bytes do not fit in size_t),
 * LOBEDICE_ENOMEM. On any error nothing is written to out. */
LOBEDICE_API lobedice_status lobedice_disagreement_map(void *out, lobedice_dtype dtype,
                                                       const lobedice_volume *ref,
                                                       const lobedice_volume *pred,
                                                       const int64_t *labels, size_t nlabels,
                                                       size_t threads);

/* *dtype = the smallest dtype that holds every code of the disagreement map of nlabels labels:
 * LOBEDICE_UINT8 up to 9 labels (half the memory of a 16-bit map), LOBEDICE_INT16 up to 99.
 * LOBEDICE_EINVAL for a NULL dtype or more than 99 labels. */
LOBEDICE_API lobedice_status lobedice_disagreement_dtype(lobedice_dtype *dtype, size_t nlabels);

/* ---------------------------------------------------------------------------------------------
 * One-hot encoding
 * ------------------------------------------------------------------------------------------- */

/* out: batch*voxels*channels floats in `layout`; labels: batch*voxels values of dtype; palette[c]
 * is the label value of channel c. A value missing from the palette is LOBEDICE_ELABEL (never a
 * silent zero); a palette that repeats a value is LOBEDICE_EPALETTE. Other statuses:
 * LOBEDICE_EINVAL (a NULL pointer, an unknown layout), LOBEDICE_EDTYPE, LOBEDICE_ESIZE (batch,
 * voxels or channels 0), LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM. On any error nothing is written:
 * every label is checked before the first float is. */
LOBEDICE_API lobedice_status lobedice_onehot_encode(float *out, const void *labels,
                                                    lobedice_dtype dtype, size_t batch,
                                                    size_t voxels, const int64_t *palette,
                                                    size_t channels, lobedice_layout layout);

/* argmax over channels, ties to the lowest channel, written as palette values of dtype;
 * a NaN score is LOBEDICE_ENOTFINITE; a palette value the dtype cannot hold (or a repeated one)
 * is LOBEDICE_EPALETTE; other statuses as lobedice_onehot_encode. On any error nothing is
 * written: every score is checked before the first label is. */
LOBEDICE_API lobedice_status lobedice_onehot_decode(void *labels, lobedice_dtype dtype,
                                                    const float *scores, size_t batch,
                                                    size_t voxels, const int64_t *palette,
                                                    size_t channels, lobedice_layout layout);

/* ---------------------------------------------------------------------------------------------
 * Surface distances (docs/measures.md, "Surface distances")
 *
 * A = reference voxels whose value is in the label (or set), B = predicted voxels likewise.
 * Surface of a mask: its voxels with at least one face neighbour outside the mask; outside the
 * image counts as outside, so voxels on the image border are surface. 3-D images use the 6 face
 * neighbours. A 2-D image (size[2] == 1) uses the 4 in-plane neighbours: its missing z
 * neighbours are ignored, not counted as outside (otherwise every voxel would be surface); a
 * single-slice volume is therefore measured as a 2-D image.
 * D_AB: for every surface voxel of A, the Euclidean distance in mm (ref's spacing) between voxel
 * centres to the nearest surface voxel of B; D_BA likewise.
 *   hd   = max(max D_AB, max D_BA)
 *   hd95 = max(P95(D_AB), P95(D_BA)); P95 of n sorted values d[0..n-1] is the linear
 *          interpolation at rank 0.95*(n-1) (numpy's and torch's default)
 *   assd = (sum D_AB + sum D_BA) / (|D_AB| + |D_BA|)
 *   nsd  = (#{D_AB <= tolerance} + #{D_BA <= tolerance}) / (|D_AB| + |D_BA|)
 * Holes and islands have surfaces, so a hole far from the reference boundary raises hd although
 * the voxel-set Hausdorff distance (ITK's HausdorffDistanceImageFilter) hardly moves; this is
 * the convention of the surface-distance literature (MONAI, DeepMind's surface-distance).
 * Distances are exact: an exact separable Euclidean distance transform inside the bounding box
 * of A and B together (no chamfer, no sampling), evaluated at the surface voxels; a slice is
 * left out only where it provably cannot hold the nearest voxel. Extra memory: at most
 * about 6 bytes per voxel of the largest such box (10 when a side along x or y exceeds 65536
 * voxels; much less is touched when the surfaces are near each other), 8 bytes per surface
 * voxel of one side, and per thread the larger of about 4 bytes per voxel of one x-y slice of
 * the box and 16 per voxel of one x-z plane of it (of at most 256 voxels along x); never a copy
 * of the volume.
 * ------------------------------------------------------------------------------------------- */
typedef struct lobedice_label_surface {
    int64_t label; /* the label, or the set id */
    /* |D_AB| and |D_BA|: the surface voxels of A and of B; filled even when a side is empty */
    uint64_t ref_surface_voxels, pred_surface_voxels;
    /* mm, mm, mm, fraction in [0, 1]; NaN when A or B is empty */
    double hd, hd95, assd, nsd;
    /* Directed values (NaN when A or B is empty): ref_to_pred is over D_AB (reference surface
     * to predicted surface), pred_to_ref over D_BA; mean_* is the mean of that direction. */
    double hd_ref_to_pred, hd_pred_to_ref;
    double hd95_ref_to_pred, hd95_pred_to_ref;
    double mean_ref_to_pred, mean_pred_to_ref;
} lobedice_label_surface;

typedef struct lobedice_surface_options {
    unsigned version;    /* LOBEDICE_SURFACE_OPTIONS_VERSION */
    double tolerance_mm; /* surface-Dice tolerance, >= 0 (infinity allowed), default 1.0 */
    size_t threads;      /* 0 = all cores (default) */
    /* Optional histogram of all distances (both directions) per result: histogram has
     * count*histogram_bins entries (result i at i*histogram_bins), all written (zeros for a
     * result with an empty side); bin j counts distances d with j*w <= d < (j+1)*w,
     * w = histogram_bin_mm (> 0, default 1.0); the last bin also takes everything beyond.
     * NULL = none (default; then bins and bin_mm are ignored). */
    uint64_t *histogram;
    size_t histogram_bins;
    double histogram_bin_mm;
    /* Optional progress report: called from the calling thread only, after each result is
     * complete, with the fraction of the work done (0..1], weighted by the size of each result's
     * box; the last call passes exactly 1. NULL = none (default). */
    void (*progress)(void *user, double fraction);
    void *progress_user;
} lobedice_surface_options;

#define LOBEDICE_SURFACE_OPTIONS_VERSION 1

/* Fills the defaults above (NULL is ignored). */
LOBEDICE_API void lobedice_surface_options_init(lobedice_surface_options *opts);

/* out[i] describes labels[i] (nlabels entries, caller-allocated); tolerance_mm is the
 * surface-Dice tolerance. ref and pred must have the same size; ref's spacing is used; the
 * dtypes may differ; a label a dtype cannot hold is simply absent from that volume. Uses all
 * cores; results are bit-identical for any thread count. This is lobedice_surface_distances_sets
 * with one single-label set per label and default options.
 * Statuses: LOBEDICE_EINVAL (NULL ref, pred or data; NULL out or labels when nlabels > 0, as
 * both may be NULL when it is 0; a tolerance that is NaN or negative), LOBEDICE_EDTYPE,
 * LOBEDICE_ESIZE (a zero size, or sizes differ), LOBEDICE_ESPACING (not finite positive),
 * LOBEDICE_EOVERFLOW (a size product, or a bounding box side above 2^32-1 voxels),
 * LOBEDICE_ENOMEM. On error the contents of out are unspecified. */
LOBEDICE_API lobedice_status lobedice_surface_distances(lobedice_label_surface *out,
                                                        const lobedice_volume *ref,
                                                        const lobedice_volume *pred,
                                                        const int64_t *labels, size_t nlabels,
                                                        double tolerance_mm);

/* out[i] describes sets[i]: A = reference voxels whose value is any of sets[i].labels, B
 * likewise in pred (a region such as the lungs = {1, 2, 3, 4, 5} measured as one mask); the
 * result's label is sets[i].id. opts may be NULL for the defaults. Sets are measured one after
 * the other, each with all the threads asked for. Statuses as lobedice_surface_distances (out
 * and sets may be NULL when nsets is 0), plus LOBEDICE_EINVAL for a set with labels NULL and
 * nlabels > 0, an unknown opts->version, or a histogram with zero bins or a bin width that is
 * not finite positive, and LOBEDICE_EOVERFLOW when nsets*histogram_bins entries do not fit in
 * size_t. On error the contents of out and of the histogram are unspecified. */
LOBEDICE_API lobedice_status lobedice_surface_distances_sets(
    lobedice_label_surface *out, const lobedice_volume *ref, const lobedice_volume *pred,
    const lobedice_label_set *sets, size_t nsets, const lobedice_surface_options *opts);

/* ---------------------------------------------------------------------------------------------
 * Soft Dice loss (docs/measures.md, "The soft Dice loss of the training side")
 *
 * p = activation(input), g = the target (one-hot, soft, or a label map read as one-hot). Per
 * sample b (or over the whole batch with batch_dice) and channel c:
 *   I = sum_v p*g,   D = sum_v p + sum_v g   (sum p^2 + sum g^2 with squared_pred),
 *   dice = (2*I + smooth_nr) / (D + smooth_dr)
 *          (jaccard: (2*I + smooth_nr) / (2*(D - I) + smooth_dr)).
 * The default smoothing, smooth_nr = 2s and smooth_dr = s with s = 1e-5, is 2*(I + s)/(D + s); it
 * gives a channel empty in both prediction and target a dice of 2 (MONAI's smooth_nr = smooth_dr
 * gives 1, smooth_nr = 0 gives 0).
 * Undefined: a zero denominator (smooth_dr = 0 and a channel empty in both) makes that dice 0/0,
 * reported as NaN (undefined is NaN, never 0 or 1); the loss and every gradient entry that depends
 * on it are then NaN too (a zero weight does not hide it) and the status is still LOBEDICE_OK.
 * Keep smooth_dr > 0 when a channel can be empty.
 *
 * Precision: activations in float (exp good to 8.4e-8 relative), every sum in double, the
 * gradient in float. Extra memory: O(batch * channels) partial sums plus a few KB of tile buffers
 * per thread, whatever the voxel count. With a gradient, grad holds the activations between the
 * two sweeps: it must not overlap input, target or labels. On any error status nothing is written
 * (loss, dice, grad).
 * Threads: opts->threads, 1 by default (a library called from a training data loader or a batch
 * job must not start threads it was not asked for); 0 = all online cores. Results are
 * bit-identical for any thread count.
 * Thread safety: the functions are reentrant and keep no state; several threads may call them at
 * once, sharing inputs and options, as long as each call writes to its own outputs.
 * ------------------------------------------------------------------------------------------- */
typedef enum lobedice_activation {
    LOBEDICE_ACTIVATION_NONE = 0,    /* the input is p (probabilities) */
    LOBEDICE_ACTIVATION_SOFTMAX = 1, /* over the channels of each voxel */
    LOBEDICE_ACTIVATION_SIGMOID = 2  /* per element */
} lobedice_activation;

typedef enum lobedice_loss_reduction {
    LOBEDICE_LOSS_NEG_MEAN_DICE = 0, /* -mean_c( w_c * mean_b dice_bc ) (the default) */
    LOBEDICE_LOSS_MEAN = 1,          /* mean over (b, c) of w_c * (1 - dice_bc) */
    LOBEDICE_LOSS_SUM = 2            /* sum over (b, c) of w_c * (1 - dice_bc) */
} lobedice_loss_reduction;
/* The means run over the channels taking part (a zero weight still counts); with the same
 * smoothing, MEAN - NEG_MEAN_DICE = mean(w) exactly (in exact arithmetic). */

/* Class weights of the generalized loss, from the target volume G_c = sum_v g. */
typedef enum lobedice_gdl_weight {
    LOBEDICE_GDL_SQUARE = 0, /* 1 / G_c^2 (Sudre et al.) */
    LOBEDICE_GDL_SIMPLE = 1, /* 1 / G_c */
    LOBEDICE_GDL_UNIFORM = 2 /* 1 */
} lobedice_gdl_weight;

/* The shape of a score tensor: `batch` samples of `channels` channels of `voxels` voxels each
 * (voxels = the product of the spatial sizes), stored in `layout`. */
typedef struct lobedice_tensor_shape {
    size_t batch, channels, voxels;
    lobedice_layout layout;
} lobedice_tensor_shape;

/* Options of the three losses: start from LOBEDICE_DICE_LOSS_OPTIONS_INIT or
 * lobedice_dice_loss_options_init, then set what differs. Besides the defaults below:
 *  - activation: applied to the input first; the gradient is w.r.t. the raw input;
 *  - weights: each finite and >= 0 (the count cannot be checked from a pointer: pass exactly
 *    shape->channels);
 *  - smooth_nr, smooth_dr: finite, >= 0;
 *  - include_background 0: channel 0 takes no part (after the activation, so with softmax it
 *    still shapes the other channels' p) and the means run over the other channels; needs
 *    2 channels or more;
 *  - squared_pred: D = sum p^2 + sum g^2; jaccard: (2*I + smooth_nr) / (2*(D - I) + smooth_dr);
 *    batch_dice: the sums run over the whole batch, one dice per channel. */
typedef struct lobedice_dice_loss_options {
    unsigned version;                       /* LOBEDICE_DICE_LOSS_OPTIONS_VERSION */
    lobedice_activation activation;         /* default NONE */
    const double *weights;                  /* shape->channels weights, NULL = all 1 (default);
                                               ignored by the generalized loss */
    double smooth_nr, smooth_dr;            /* defaults 2e-5, 1e-5 */
    int include_background;                 /* default 1 */
    int squared_pred, jaccard, batch_dice;  /* default 0 */
    lobedice_loss_reduction reduction;      /* default LOBEDICE_LOSS_NEG_MEAN_DICE */
    lobedice_gdl_weight generalized_weight; /* lobedice_generalized_dice_loss only; default
                                               LOBEDICE_GDL_SQUARE */
    size_t threads;                         /* default 1; 0 = all online cores */
} lobedice_dice_loss_options;

#define LOBEDICE_DICE_LOSS_OPTIONS_VERSION 1
#define LOBEDICE_DICE_LOSS_OPTIONS_INIT                                                            \
    {                                                                                              \
        LOBEDICE_DICE_LOSS_OPTIONS_VERSION, LOBEDICE_ACTIVATION_NONE, NULL, 2e-5, 1e-5, 1, 0, 0,   \
            0, LOBEDICE_LOSS_NEG_MEAN_DICE, LOBEDICE_GDL_SQUARE, 1                                 \
    }

/* Fills the defaults for `version` (1..LOBEDICE_DICE_LOSS_OPTIONS_VERSION): the values of
 * LOBEDICE_DICE_LOSS_OPTIONS_INIT, with opts->version = version. Returns LOBEDICE_OK, or
 * LOBEDICE_EINVAL for NULL opts or another version (opts untouched). */
LOBEDICE_API lobedice_status lobedice_dice_loss_options_init(lobedice_dice_loss_options *opts,
                                                             unsigned version);

/* The soft Dice loss of `input` against a one-hot or soft `target`, both of `shape` (in
 * shape->layout). loss: the scalar; dice (nullable): batch*channels values, index
 * b*channels + c (channels values with batch_dice); channel 0 is included, NaN when
 * include_background is 0 (it takes no part: not reported); grad (nullable, NULL skips the
 * backward sweep): d loss / d input, same shape and layout as input. opts NULL = the defaults;
 * opts->generalized_weight is not read.
 * Returns LOBEDICE_OK, LOBEDICE_EINVAL (loss, shape, input or target NULL; opts->version 0 or
 * above LOBEDICE_DICE_LOSS_OPTIONS_VERSION; layout, activation or reduction not in its enum;
 * smooth_nr or smooth_dr negative or not finite; include_background 0 with one channel),
 * LOBEDICE_ESIZE (batch, channels or voxels 0, or channels > INT32_MAX), LOBEDICE_EOVERFLOW
 * (batch*voxels*channels floats do not fit in size_t), LOBEDICE_EWEIGHT (a weight negative or not
 * finite), LOBEDICE_ENOTFINITE (a NaN or infinite input or target value), LOBEDICE_ENOMEM. */
LOBEDICE_API lobedice_status lobedice_dice_loss(double *loss, double *dice, float *grad,
                                                const lobedice_tensor_shape *shape,
                                                const float *input, const float *target,
                                                const lobedice_dice_loss_options *opts);

/* The same with a label map target (batch*voxels values in [0, channels)), one-hot fused:
 * no channel-sized copy of the target is ever made. Gives the same bits as lobedice_dice_loss
 * with the one-hot target.
 * Returns the statuses of lobedice_dice_loss (LOBEDICE_EINVAL also for NULL labels in place of
 * target), LOBEDICE_EDTYPE (label_dtype unknown) and LOBEDICE_ELABEL (a label outside
 * [0, channels)). */
LOBEDICE_API lobedice_status lobedice_dice_loss_labels(double *loss, double *dice, float *grad,
                                                       const lobedice_tensor_shape *shape,
                                                       const float *input, const void *labels,
                                                       lobedice_dtype label_dtype,
                                                       const lobedice_dice_loss_options *opts);

/* Generalized Dice (Sudre et al. 2017): per-sample (or per-batch with batch_dice) class
 * weights from the target volume G_c = sum_v g, chosen by opts->generalized_weight; an infinite
 * weight (empty class) becomes the largest finite weight of that sample (of the batch with
 * batch_dice), 0 when every class is empty. f = 1 - (2*sum_c w*I + smooth_nr) /
 * (sum_c w*D + smooth_dr) (jaccard: the denominator is 2*sum_c w*(D - I) + smooth_dr; D follows
 * squared_pred); the sums over c skip channel 0 when include_background is 0. The loss reduces
 * f over samples with opts->reduction, MEAN (MONAI's) or SUM: the default, NEG_MEAN_DICE, is
 * refused, and so is opts NULL. opts->weights is not read. The class weights are constants for the
 * gradient (as in MONAI).
 * Returns LOBEDICE_OK, LOBEDICE_EINVAL (as lobedice_dice_loss, and also a reduction of
 * NEG_MEAN_DICE or a generalized_weight not in its enum), LOBEDICE_ESIZE, LOBEDICE_EOVERFLOW,
 * LOBEDICE_ENOTFINITE, LOBEDICE_ENOMEM (each as lobedice_dice_loss). */
LOBEDICE_API lobedice_status lobedice_generalized_dice_loss(double *loss, float *grad,
                                                            const lobedice_tensor_shape *shape,
                                                            const float *input, const float *target,
                                                            const lobedice_dice_loss_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* LOBEDICE_H */
