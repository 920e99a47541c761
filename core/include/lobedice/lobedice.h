/*
 * LobeDice: per-label comparison of label maps and the multi-class soft Dice loss.
 *
 * One public header for the whole C core. Conventions:
 *  - every function returns a lobedice_status (0 = OK, negative = error) unless it cannot fail;
 *    each declaration's comment ends with the statuses it returns;
 *  - the caller allocates outputs; outputs come first in the parameter list;
 *  - inputs are const; nothing is printed, nothing exits, no global or thread-local state;
 *  - volumes are stored x fastest, then y, then z (ITK, NRRD and NIfTI order);
 *  - every measure follows docs/measures.md (one definition per measure, NaN where undefined).
 *
 * Threads: every entry point that can use several threads takes the count, as a parameter or
 * in its options; 0 means "all online cores", and the options' default is 1 (a library called
 * from a training loop or a cluster job spawns no threads unasked). Threads live for one call
 * only. Results are bit-identical for any thread count.
 * Thread safety: every function is reentrant; calls may run at once from several threads as
 * long as they do not write the same output. A lobedice_comparison may be read from several
 * threads at once.
 *
 * Options: every options struct starts with a version field and comes with an _INIT macro and
 * an _init(opts, version) function (as libgit2 does). The library accepts every version from 1
 * up to its own; fields are only ever appended, and a caller built against an older version
 * gets the defaults for the fields it does not know.
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
/* The one source of the version: CMake reads these three lines (project version, package
 * files, the Slicer module's XML). */
#define LOBEDICE_VERSION_MAJOR 0
#define LOBEDICE_VERSION_MINOR 2
#define LOBEDICE_VERSION_PATCH 0
#define LOBEDICE_VERSION_NUMBER                                                                    \
    (LOBEDICE_VERSION_MAJOR * 10000 + LOBEDICE_VERSION_MINOR * 100 + LOBEDICE_VERSION_PATCH)
#define LOBEDICE_STRINGIFY_(x) #x
#define LOBEDICE_STRINGIFY(x) LOBEDICE_STRINGIFY_(x)
#define LOBEDICE_VERSION_STRING                                                                    \
    LOBEDICE_STRINGIFY(LOBEDICE_VERSION_MAJOR)                                                     \
    "." LOBEDICE_STRINGIFY(LOBEDICE_VERSION_MINOR) "." LOBEDICE_STRINGIFY(LOBEDICE_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH" and as a number
 * (MAJOR*10000 + MINOR*100 + PATCH). Cannot fail. */
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
    LOBEDICE_EGEOMETRY = -14,   /* two images do not overlap in physical space */
    LOBEDICE_ECONVENTION = -15, /* a map's values do not fit its label convention */
    LOBEDICE_EOVERLAP = -16     /* two segments standing for different labels share voxels */
} lobedice_status;

/* A fixed English sentence for a status (never NULL; unknown values get a generic sentence).
 * Cannot fail. */
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

/* Bytes per value of a dtype, 0 for an unknown dtype. Cannot fail. */
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
 * (LOBEDICE_ESIZE), finite positive spacing whose voxel volume, physical volume and squared
 * diagonal are finite and not below DBL_MIN (LOBEDICE_ESPACING), and that the byte count fits
 * in size_t (LOBEDICE_EOVERFLOW). Statuses: LOBEDICE_EINVAL (NULL voxels, volume or data),
 * LOBEDICE_EDTYPE, LOBEDICE_ESIZE, LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW. */
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
 * then partly written. first_bad may be NULL. Statuses: LOBEDICE_EINVAL (NULL out or values
 * with count > 0), LOBEDICE_EDTYPE (an unknown dtype), LOBEDICE_ENONINTEGER. */
LOBEDICE_API lobedice_status lobedice_labels_from_double(void *out, lobedice_dtype dtype,
                                                         const double *values, size_t count,
                                                         size_t *first_bad, size_t threads);

/* The index of the first value that is not finite (NaN or an infinity) among `count` IEEE-754
 * values of `value_size` bytes (4: binary32, 8: binary64) stored as in a file: unaligned, in
 * little-endian (big_endian 0) or big-endian byte order. *first = count when every value is
 * finite. For readers whose library silently turns such values into 0 (niftilib). Errors:
 * LOBEDICE_EINVAL (NULL pointer with count > 0, value_size not 4 or 8). */
LOBEDICE_API lobedice_status lobedice_first_nonfinite(size_t *first, const void *bytes,
                                                      size_t count, size_t value_size,
                                                      int big_endian);

/* The smallest dtype (the first in the order of lobedice_dtype) able to hold every value in
 * [min, max]: [0, 5] is UINT8, [-1, 5] INT8, [-1, 300] INT16. Statuses: LOBEDICE_ENONINTEGER
 * when none can, LOBEDICE_EINVAL (NULL dtype, or min > max). */
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
 * everywhere). */
LOBEDICE_API lobedice_status lobedice_volume_paste(void *dst, lobedice_dtype dst_dtype,
                                                   const size_t dst_size[3],
                                                   const lobedice_volume *src,
                                                   const int64_t offset[3], size_t threads);

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

/* Which of the four cases an overlap is (NULL counts as absent). Cannot fail. */
LOBEDICE_API lobedice_presence lobedice_overlap_presence(const lobedice_label_overlap *overlap);

/* "present", "missing_in_prediction", "missing_in_reference", "absent": the words of every
 * report (docs/measures.md); "unknown" for another value. Cannot fail. */
LOBEDICE_API const char *lobedice_presence_name(lobedice_presence presence);

/* out[i] describes labels[i]; ref and pred must have the same size (spacing is taken from ref).
 * All labels are counted in one pass over both volumes, with no copy and no one-hot; ref and pred
 * may have different dtypes. A label the dtype cannot hold is simply absent. Statuses as
 * lobedice_overlap_sets. */
LOBEDICE_API lobedice_status lobedice_overlap(lobedice_label_overlap *out,
                                              const lobedice_volume *ref,
                                              const lobedice_volume *pred, const int64_t *labels,
                                              size_t nlabels, size_t threads);

/* A union of labels measured as one mask (a region such as "right lung" = {1, 2, 3}). */
typedef struct lobedice_label_set {
    int64_t id;            /* copied into the result's `label` field */
    const int64_t *labels; /* the labels of the union */
    size_t nlabels;
} lobedice_label_set;

/* out[i] describes sets[i]: A = reference voxels whose value is in sets[i], B likewise in pred.
 * All sets together in one pass. lobedice_overlap is this with one single-label set per label.
 * Statuses: LOBEDICE_EINVAL for NULL out or sets with
 * nsets > 0, or a set with labels NULL and nlabels > 0; LOBEDICE_EOVERFLOW when the sets name
 * UINT32_MAX labels or more in all (repeats counted; checked before any label is read);
 * LOBEDICE_EINVAL, LOBEDICE_EDTYPE, LOBEDICE_ESIZE, LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW for
 * a volume lobedice_volume_voxels refuses, LOBEDICE_ESIZE when the sizes differ;
 * LOBEDICE_ENOMEM. */
LOBEDICE_API lobedice_status lobedice_overlap_sets(lobedice_label_overlap *out,
                                                   const lobedice_volume *ref,
                                                   const lobedice_volume *pred,
                                                   const lobedice_label_set *sets, size_t nsets,
                                                   size_t threads);

/* Aggregates over the labels asked for (docs/measures.md, "Aggregates"). For each measure: the
 * mean over results where it is defined, and the count that took part (NaN mean when none did).
 * pooled_dice = 2*sum(tp) / (2*sum(tp) + sum(fp) + sum(fn)), NaN when that is 0/0. A
 * lobedice_comparison computes this itself; this is for callers of lobedice_overlap_sets.
 * Statuses: LOBEDICE_EINVAL (NULL summary, or NULL overlaps with count > 0), LOBEDICE_ENOMEM. */
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

/* ---------------------------------------------------------------------------------------------
 * The disagreement map (docs/measures.md, "Disagreement map")
 *
 * For a list of n labels, the class of a value v is k(v) = i+1 when v == labels[i] and 0
 * otherwise (background, or a label not in the list). A voxel's code is
 *   k(ref)                                             when k(ref) == k(pred) (agreement)
 *   BASE + SCALE*k(ref) + k(pred)                      otherwise
 * with BASE 100 and SCALE 10 up to 9 labels (codes up to 198, fits unsigned char), BASE 10000
 * and SCALE 100 up to 99 labels (codes up to 19998). For lobes 1..5: 1..5 are correct voxels of
 * each lobe, 130 is "reference RLL, predicted background" (missed), 104 "reference background,
 * predicted LUL" (extra), 123 "reference RML, predicted RLL" (confused).
 * ------------------------------------------------------------------------------------------- */
#define LOBEDICE_DISAGREEMENT_SMALL_LABELS 9
#define LOBEDICE_DISAGREEMENT_SMALL_BASE 100
#define LOBEDICE_DISAGREEMENT_SMALL_SCALE 10
#define LOBEDICE_DISAGREEMENT_MAX_LABELS 99
#define LOBEDICE_DISAGREEMENT_LARGE_BASE 10000
#define LOBEDICE_DISAGREEMENT_LARGE_SCALE 100

typedef enum lobedice_disagreement_kind {
    LOBEDICE_AGREE_BACKGROUND = 0, /* both in class 0 */
    LOBEDICE_AGREE_LABEL = 1,      /* both in the same label */
    LOBEDICE_MISSED = 2,           /* a label in the reference, class 0 in the prediction */
    LOBEDICE_EXTRA = 3,            /* class 0 in the reference, a label in the prediction */
    LOBEDICE_CONFUSED = 4          /* two different labels */
} lobedice_disagreement_kind;

/* *code = the code of a voxel whose reference class is ref_class and predicted class
 * pred_class, for nlabels labels. Statuses: LOBEDICE_EINVAL (NULL code, nlabels above
 * LOBEDICE_DISAGREEMENT_MAX_LABELS, a class above nlabels). */
LOBEDICE_API lobedice_status lobedice_disagreement_code(int32_t *code, size_t nlabels,
                                                        size_t ref_class, size_t pred_class);

/* The classes of a code, and its kind (each output may be NULL). Statuses: LOBEDICE_EINVAL
 * (nlabels above LOBEDICE_DISAGREEMENT_MAX_LABELS, or a code the map of nlabels labels never
 * holds); the outputs are then untouched. */
LOBEDICE_API lobedice_status lobedice_disagreement_classes(size_t *ref_class, size_t *pred_class,
                                                           lobedice_disagreement_kind *kind,
                                                           int32_t code, size_t nlabels);

/* The map itself: one code of `dtype` per voxel of ref's grid. Any dtype whose range holds the
 * largest code is accepted (lobedice_disagreement_dtype gives the smallest). Statuses:
 * LOBEDICE_EINVAL (NULL out, ref or pred, NULL labels with nlabels > 0, nlabels > 99, a dtype
 * too small for the codes), LOBEDICE_EDTYPE (an unknown dtype for out or a volume),
 * LOBEDICE_ESIZE, LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW (also when the map's bytes do not fit in
 * size_t), LOBEDICE_ENOMEM. On any error nothing is written to out. */
LOBEDICE_API lobedice_status lobedice_disagreement_map(void *out, lobedice_dtype dtype,
                                                       const lobedice_volume *ref,
                                                       const lobedice_volume *pred,
                                                       const int64_t *labels, size_t nlabels,
                                                       size_t threads);

/* *dtype = the smallest dtype that holds every code of the disagreement map of nlabels labels:
 * LOBEDICE_UINT8 up to 9 labels (half the memory of a 16-bit map), LOBEDICE_INT16 up to 99.
 * Statuses: LOBEDICE_EINVAL (NULL dtype, or more than 99 labels). */
LOBEDICE_API lobedice_status lobedice_disagreement_dtype(lobedice_dtype *dtype, size_t nlabels);

/* Where the maps disagree most, the default place of a picture's slices: voxel[a] is the
 * index along axis a of the slice (the plane of voxels with that coordinate) holding the most
 * voxels whose classes differ (missed, extra or confused for labels[0..nlabels), classes as
 * above), the lowest such index among ties; *count (may be NULL) receives the number of
 * disagreeing voxels of the whole map. When the maps agree everywhere, voxel is the grid's
 * centre (size / 2 along each axis) and *count is 0. One pass over both maps; extra memory
 * follows one row and the labels, never the volume. Statuses: LOBEDICE_EINVAL (NULL voxel, NULL
 * labels with nlabels > 0), the volume statuses of lobedice_overlap_sets, LOBEDICE_ESIZE when
 * the sizes differ, LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM; voxel and *count are then untouched. */
LOBEDICE_API lobedice_status lobedice_disagreement_peak(uint64_t voxel[3], uint64_t *count,
                                                        const lobedice_volume *ref,
                                                        const lobedice_volume *pred,
                                                        const int64_t *labels, size_t nlabels,
                                                        size_t threads);

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
    size_t threads;      /* default 1; 0 = all online cores */
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
    /* Version 2. Optional: where each result's hd is attained, 3 entries per result (result i
     * at 3*i): the grid index (x, y, z) of a surface voxel whose distance to the other surface
     * is hd, on the reference side when hd_ref_to_pred >= hd_pred_to_ref, else on the predicted
     * side (among ties, one fixed choice whatever the thread count); all UINT64_MAX when hd is
     * undefined. NULL = none (default). */
    uint64_t *hd_voxel;
} lobedice_surface_options;

#define LOBEDICE_SURFACE_OPTIONS_VERSION 2
#define LOBEDICE_SURFACE_OPTIONS_INIT                                                              \
    {                                                                                              \
        LOBEDICE_SURFACE_OPTIONS_VERSION, 1.0, 1, NULL, 0, 1.0, NULL, NULL, NULL                   \
    }

/* Fills the defaults above for `version` (1..LOBEDICE_SURFACE_OPTIONS_VERSION; a caller built
 * against version 1 passes 1 and gets only the fields version 1 has). Statuses:
 * LOBEDICE_EINVAL (NULL opts, or another version; opts is then untouched). */
LOBEDICE_API lobedice_status lobedice_surface_options_init(lobedice_surface_options *opts,
                                                           unsigned version);

/* out[i] describes labels[i] (nlabels entries, caller-allocated); tolerance_mm is the
 * surface-Dice tolerance. ref and pred must have the same size; ref's spacing is used; the
 * dtypes may differ; a label a dtype cannot hold is simply absent from that volume. This is
 * lobedice_surface_distances_sets with one single-label set per label, `tolerance_mm` and
 * `threads`, and the other options at their defaults.
 * Statuses: LOBEDICE_EINVAL (NULL ref, pred or data; NULL out or labels when nlabels > 0, as
 * both may be NULL when it is 0; a tolerance that is NaN or negative), LOBEDICE_EDTYPE,
 * LOBEDICE_ESIZE (a zero size, or sizes differ), LOBEDICE_ESPACING (not finite positive),
 * LOBEDICE_EOVERFLOW (a size product, or a bounding box side above 2^32-1 voxels),
 * LOBEDICE_ENOMEM. On error the contents of out are unspecified. */
LOBEDICE_API lobedice_status lobedice_surface_distances(lobedice_label_surface *out,
                                                        const lobedice_volume *ref,
                                                        const lobedice_volume *pred,
                                                        const int64_t *labels, size_t nlabels,
                                                        double tolerance_mm, size_t threads);

/* out[i] describes sets[i]: A = reference voxels whose value is any of sets[i].labels, B
 * likewise in pred (a region such as the lungs = {1, 2, 3, 4, 5} measured as one mask); the
 * result's label is sets[i].id. opts may be NULL for the defaults. Sets are measured one after
 * the other, each with all the threads asked for. Statuses as lobedice_surface_distances (out
 * and sets may be NULL when nsets is 0), plus LOBEDICE_EINVAL for a set with labels NULL and
 * nlabels > 0, an opts->version of 0 or above LOBEDICE_SURFACE_OPTIONS_VERSION, or a histogram with
 * zero bins or a bin width that is not finite positive, and LOBEDICE_EOVERFLOW when
 * nsets*histogram_bins entries do not fit in size_t. On error the contents of out and of the
 * histogram are unspecified. */
LOBEDICE_API lobedice_status lobedice_surface_distances_sets(
    lobedice_label_surface *out, const lobedice_volume *ref, const lobedice_volume *pred,
    const lobedice_label_set *sets, size_t nsets, const lobedice_surface_options *opts);

/* ---------------------------------------------------------------------------------------------
 * Label values and label conventions (docs/conventions.md)
 *
 * A label convention says which value of a map stands for which label: the lobes are the labels
 * 1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL, and TotalSegmentator, for one, stores them as 12, 13, 14,
 * 10, 11. A comparison reads each map through its own convention: a value the convention names
 * is compared as its label, any other value counts as background (and is reported as ignored).
 * ------------------------------------------------------------------------------------------- */

/* The voxels of one distinct value of a map. */
typedef struct lobedice_value_count {
    int64_t value;
    uint64_t voxels;
} lobedice_value_count;

/* The distinct values of a volume with their voxel counts, ascending by value, 0 included when
 * present. Same buffer rules as lobedice_labels_present: *count receives the number of distinct
 * values, which may exceed capacity (then only the `capacity` smallest are written). One pass,
 * multithreaded, the same result for any thread count; extra memory follows the number of
 * distinct values (and 512 KB per thread for 16-bit volumes), never the volume. Statuses as
 * lobedice_labels_present. */
LOBEDICE_API lobedice_status lobedice_value_counts(lobedice_value_count *counts, size_t capacity,
                                                   size_t *count, const lobedice_volume *volume,
                                                   size_t threads);

/* The lobe named `name`: "RUL", "RML", "RLL", "LUL", "LLL" (any case) give 1..5. Statuses:
 * LOBEDICE_EINVAL (NULL argument or another name; *lobe is then untouched). */
LOBEDICE_API lobedice_status lobedice_lobe_parse(int64_t *lobe, const char *name);

#define LOBEDICE_CONVENTION_MAX_PAIRS 64
#define LOBEDICE_CONVENTION_NAME_SIZE 32

/* values[i] stands for labels[i] (labels > 0; values distinct); any other value is background.
 * identity != 0: every value is its own label (the pairs are not used). A plain struct: the
 * caller owns it, and a comparison copies it. */
typedef struct lobedice_label_convention {
    char name[LOBEDICE_CONVENTION_NAME_SIZE]; /* a preset's name, "custom" for a parsed map */
    int identity;
    size_t npairs;
    int64_t values[LOBEDICE_CONVENTION_MAX_PAIRS];
    int64_t labels[LOBEDICE_CONVENTION_MAX_PAIRS];
} lobedice_label_convention;

/* The preset `name` (docs/conventions.md cites each):
 *   "lobedice"            1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL
 *   "lungmask"            lungmask's LTRCLobes model: 1 LUL, 2 LLL, 3 RUL, 4 RML, 5 RLL
 *   "totalsegmentator"    TotalSegmentator v2, task total: 10 LUL, 11 LLL, 12 RUL, 13 RML, 14 RLL
 *   "totalsegmentator-v1" TotalSegmentator v1: 13 LUL, 14 LLL, 15 RUL, 16 RML, 17 RLL
 *   "identity"            every value is its own label (maps that are not lobe maps)
 * Statuses: LOBEDICE_EINVAL (NULL argument or another name; *conv is then untouched). */
LOBEDICE_API lobedice_status lobedice_convention_preset(lobedice_label_convention *conv,
                                                        const char *name);

/* The name of preset `index` in the order above; NULL past the last. Cannot fail. */
LOBEDICE_API const char *lobedice_convention_preset_name(size_t index);

typedef enum lobedice_convention_problem {
    LOBEDICE_CONVENTION_SYNTAX = 0,   /* an item is not VALUE=LOBE */
    LOBEDICE_CONVENTION_VALUE = 1,    /* the value is not a non-zero whole number of 32 bits */
    LOBEDICE_CONVENTION_LOBE = 2,     /* the lobe is not RUL, RML, RLL, LUL or LLL */
    LOBEDICE_CONVENTION_REPEAT = 3,   /* the value was given before */
    LOBEDICE_CONVENTION_TOO_MANY = 4, /* more than LOBEDICE_CONVENTION_MAX_PAIRS pairs */
    LOBEDICE_CONVENTION_EMPTY = 5     /* nothing but blanks */
} lobedice_convention_problem;

/* Where a text failed to parse: the item text[offset .. offset+length) and what is wrong. */
typedef struct lobedice_convention_error {
    size_t offset, length;
    lobedice_convention_problem problem;
} lobedice_convention_error;

/* A preset name (as lobedice_convention_preset) or an explicit map "10=LUL, 11=LLL, ..." (values
 * to lobe names, comma-separated, blanks allowed, lobe names in any case; a lobe may be named
 * by several values), named "custom". Statuses: LOBEDICE_EINVAL (NULL conv or text, or a text
 * that is neither; *error, which may be NULL, then says where and why, and *conv is
 * untouched). */
LOBEDICE_API lobedice_status lobedice_convention_parse(lobedice_label_convention *conv,
                                                       lobedice_convention_error *error,
                                                       const char *text);

/* The label `value` stands for under conv (NULL = identity): its label, 0 when conv does not
 * name it (background). Cannot fail. */
LOBEDICE_API int64_t lobedice_convention_label(const lobedice_label_convention *conv,
                                               int64_t value);

/* The labels of a map as voxels: out[i] = lobedice_convention_label(conv, value of voxel i),
 * written as out_dtype (in's voxel count), so that a front end that draws or meshes the labels
 * (pictures, surface models) reads the map as the comparison did. conv NULL or an identity
 * convention copies the values. Statuses: LOBEDICE_EINVAL (NULL out or in, or a convention
 * lobedice_labels_check would refuse), the statuses of lobedice_volume_voxels for in,
 * LOBEDICE_EDTYPE (out_dtype), LOBEDICE_ELABEL (a label out_dtype cannot hold; out is then
 * partly written), LOBEDICE_ENOMEM. Thread-safe; `threads` as everywhere (0 = all cores). */
LOBEDICE_API lobedice_status lobedice_convention_apply(void *out, lobedice_dtype out_dtype,
                                                       const lobedice_volume *in,
                                                       const lobedice_label_convention *conv,
                                                       size_t threads);

/* How a Slicer segment was recognised as a lobe. */
typedef enum lobedice_segment_match {
    LOBEDICE_MATCH_NONE = 0,        /* not a lobe */
    LOBEDICE_MATCH_TERMINOLOGY = 1, /* by the codes of its TerminologyEntry tag */
    LOBEDICE_MATCH_NAME = 2         /* by its name */
} lobedice_segment_match;

/* The lobe (1..5) a Slicer segment stands for, or 0. tags: the segment's tags as Slicer stores
 * them ("key:value|key:value|", docs/conventions.md); its TerminologyEntry is read first: the
 * SNOMED CT type "Upper lobe of lung" (45653009) or "Lower lobe of lung" (90572001) with the
 * laterality modifier Right (24028007) or Left (7771000), "Middle lobe of right lung"
 * (72481006), or a lateralised single concept (42400003, 44714003, 266005, 41224006). A
 * terminology that is not a lobe (every segment has one; Slicer's default is Tissue) falls back
 * to the name, compared without case, blanks, '-' and '_' ("right upper lobe", "RUL",
 * "lung_upper_lobe_right", "Upper lobe of right lung", ...). name and tags may be NULL.
 * Statuses: LOBEDICE_EINVAL (NULL lobe or how). */
LOBEDICE_API lobedice_status lobedice_segment_lobe(int64_t *lobe, lobedice_segment_match *how,
                                                   const char *name, const char *tags);

/* A segment of a layered segmentation: the voxels of layer `layer` that hold `value` stand for
 * `label` (0 = not compared: the segment is ignored). */
typedef struct lobedice_segment_label {
    size_t layer;
    int64_t value;
    int64_t label;
} lobedice_segment_label;

/* Two segments standing for different labels that claim the same voxels. */
typedef struct lobedice_segment_overlap {
    size_t first, second; /* segment indices, first < second */
    uint64_t voxels;      /* voxels both claim */
} lobedice_segment_overlap;

/* Flattens a layered segmentation into one label map: out (layers' voxel count values of
 * out_dtype) receives at each voxel the label of the segment that holds it, 0 where none with a
 * label > 0 does. layers->data holds nlayers values per voxel, layer fastest (the list axis of a
 * Slicer segmentation NRRD); its size and spacing describe the voxel grid. voxels (nullable):
 * nsegments counts, the voxels of every segment (ignored ones too). Two segments whose labels
 * differ may not share a voxel: LOBEDICE_EOVERLAP, with *overlap (nullable) naming the pair
 * that shares the most voxels (the lowest indices among equals) and how many; out is then
 * partly written. The result does not depend on the thread count. Statuses: LOBEDICE_EINVAL
 * (NULL out or layers, segments NULL with nsegments > 0, nlayers 0, a segment's layer >=
 * nlayers, a (layer, value) given twice, a negative label), LOBEDICE_ENONINTEGER (a label
 * out_dtype cannot hold), the statuses of lobedice_volume_voxels for layers and out_dtype
 * (LOBEDICE_EDTYPE), LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM, LOBEDICE_EOVERLAP. */
LOBEDICE_API lobedice_status lobedice_segments_flatten(
    void *out, lobedice_dtype out_dtype, uint64_t *voxels, lobedice_segment_overlap *overlap,
    const lobedice_volume *layers, size_t nlayers, const lobedice_segment_label *segments,
    size_t nsegments, size_t threads);

/* ---------------------------------------------------------------------------------------------
 * Signed distance (docs/measures.md, "Signed distance"), for surface models and pictures
 *
 * M = the voxels of `map` whose value is one of labels[0..nlabels) (one label, or a union such
 * as a whole lung). Its surface is the one of the surface measures above (6 face neighbours, 4
 * in a 2-D image; outside the image counts as outside M). The signed distance at a voxel centre
 * is the Euclidean distance in mm (map's spacing) to the nearest surface voxel centre of M,
 * negative inside M and positive outside; it is 0 on M's surface voxels, so its zero level runs
 * through the centres of M's outermost voxels, half a voxel inside M's boundary faces: a point
 * on a face between a voxel of M and one outside reads +s/2 (s the spacing across the face).
 * On M's surface voxels it equals the distances D_AB / D_BA of the surface measures, so
 * max |signed distance| over the predicted surface voxels of a label is hd_pred_to_ref.
 * The values come from the exact distance transform of the surface measures, inside the
 * bounding box of M and of the voxels needed; an empty M gives NaN (undefined) everywhere.
 * Results are the same for any thread count (0 = all online cores).
 * ------------------------------------------------------------------------------------------- */

/* out: the signed distance at every voxel centre of the box that starts at voxel box_lo and
 * holds box_size voxels (x fastest; box_size[0]*box_size[1]*box_size[2] floats); box_lo and
 * box_size both NULL = the whole grid. Extra memory: about 6 bytes per voxel of the bounding
 * box of M and the box together, and 8 per voxel of the box. Statuses: LOBEDICE_EINVAL (NULL
 * out, one of box_lo and box_size NULL, NULL labels with nlabels > 0), the statuses of
 * lobedice_volume_voxels for map, LOBEDICE_ESIZE (a box side of 0, or a box reaching outside
 * the grid), LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM. On error out is unspecified. */
LOBEDICE_API lobedice_status lobedice_signed_distance(float *out, const lobedice_volume *map,
                                                      const int64_t *labels, size_t nlabels,
                                                      const size_t box_lo[3],
                                                      const size_t box_size[3], size_t threads);

/* out[i]: the signed distance at points[3i..3i+2], interpolated trilinearly between the 8
 * voxel centres around it (the values lobedice_signed_distance gives there). Points are in the
 * grid's own frame in mm: the centre of voxel (i, j, k) is at (i*spacing[0], j*spacing[1],
 * k*spacing[2]) (surface extraction from the map with origin 0, spacing `spacing` and no
 * direction gives points in that frame); a point outside the voxel centres takes the value of
 * the nearest point inside them. Only the voxels around the points are measured: extra memory
 * is about 6 bytes per voxel of the bounding box of M and the points, plus 12 per voxel
 * measured. Statuses: LOBEDICE_EINVAL (NULL out or points with npoints > 0, NULL labels with
 * nlabels > 0), LOBEDICE_ENOTFINITE (a coordinate is NaN or infinite; nothing is written), the
 * statuses of lobedice_volume_voxels, LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM. */
LOBEDICE_API lobedice_status lobedice_signed_distance_at(float *out, const lobedice_volume *map,
                                                         const int64_t *labels, size_t nlabels,
                                                         const float *points, size_t npoints,
                                                         size_t threads);

/* The bounding box of each label's voxels: boxes[6i..6i+2] its first voxel (x, y, z),
 * boxes[6i+3..6i+5] its size in voxels, all 0 when labels[i] is absent from map (boxes holds
 * 6*nlabels entries). One pass over the map. Statuses: LOBEDICE_EINVAL (NULL boxes or labels
 * with nlabels > 0), the statuses of lobedice_volume_voxels, LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM.
 */
LOBEDICE_API lobedice_status lobedice_label_bounds(size_t *boxes, const lobedice_volume *map,
                                                   const int64_t *labels, size_t nlabels,
                                                   size_t threads);

/* ---------------------------------------------------------------------------------------------
 * The comparison (docs/measures.md for every measure, docs/architecture.md for its place)
 *
 * One call compares a predicted label map with a reference on the same grid and keeps all a
 * report needs: one row per label, then one row per region (a union of labels measured as one
 * mask), each with its overlap measures and, when asked, its surface measures; the empty-label
 * policy applied; the means over the label rows and the pooled Dice. Every front end (the
 * command line, the ITK filter, pictures, batch) reads its numbers from here, so they agree.
 * ------------------------------------------------------------------------------------------- */

/* Dice and Jaccard of a row absent from both maps (docs/measures.md, "Overlap"). */
typedef enum lobedice_empty_policy {
    LOBEDICE_EMPTY_NAN = 0, /* undefined (NaN), left out of the means (default) */
    LOBEDICE_EMPTY_ONE = 1, /* 1: two empty masks agree */
    LOBEDICE_EMPTY_ZERO = 2 /* 0 */
} lobedice_empty_policy;

/* "nan", "one", "zero"; NULL for another value. Cannot fail. */
LOBEDICE_API const char *lobedice_empty_policy_name(lobedice_empty_policy policy);

/* The policy named `name` (as lobedice_empty_policy_name spells it). Statuses: LOBEDICE_EINVAL
 * (NULL argument, or an unknown name; *policy is then untouched). */
LOBEDICE_API lobedice_status lobedice_empty_policy_parse(lobedice_empty_policy *policy,
                                                         const char *name);

/* The name reports give label `label` when the caller gives none: "RUL", "RML", "RLL", "LUL",
 * "LLL" for the lobes 1..5, otherwise "label N". Written into buf (always NUL-terminated,
 * truncated to fit). Statuses: LOBEDICE_EINVAL (NULL buf or size 0). */
LOBEDICE_API lobedice_status lobedice_label_name(char *buf, size_t size, int64_t label);

/* Every measure a comparison reports, in report order. Values are pinned: new measures are
 * appended before LOBEDICE_MEASURE_COUNT. */
typedef enum lobedice_measure {
    LOBEDICE_MEASURE_DICE = 0,
    LOBEDICE_MEASURE_JACCARD = 1,
    LOBEDICE_MEASURE_PRECISION = 2,
    LOBEDICE_MEASURE_SENSITIVITY = 3,
    LOBEDICE_MEASURE_SPECIFICITY = 4,
    LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR = 5,
    LOBEDICE_MEASURE_FALSE_POSITIVE_ERROR = 6,
    LOBEDICE_MEASURE_VOLUME_REF_ML = 7,
    LOBEDICE_MEASURE_VOLUME_PRED_ML = 8,
    LOBEDICE_MEASURE_VOLUME_SIMILARITY = 9,
    LOBEDICE_MEASURE_TP = 10,
    LOBEDICE_MEASURE_FP = 11,
    LOBEDICE_MEASURE_FN = 12,
    LOBEDICE_MEASURE_TN = 13,
    LOBEDICE_MEASURE_HD = 14,
    LOBEDICE_MEASURE_HD95 = 15,
    LOBEDICE_MEASURE_ASSD = 16,
    LOBEDICE_MEASURE_NSD = 17,
    LOBEDICE_MEASURE_HD_REF_TO_PRED = 18,
    LOBEDICE_MEASURE_HD_PRED_TO_REF = 19,
    LOBEDICE_MEASURE_HD95_REF_TO_PRED = 20,
    LOBEDICE_MEASURE_HD95_PRED_TO_REF = 21,
    LOBEDICE_MEASURE_ASD_REF_TO_PRED = 22,
    LOBEDICE_MEASURE_ASD_PRED_TO_REF = 23,
    LOBEDICE_MEASURE_REF_SURFACE_VOXELS = 24,
    LOBEDICE_MEASURE_PRED_SURFACE_VOXELS = 25,
    LOBEDICE_MEASURE_VOLUME_DIFFERENCE = 26,
    LOBEDICE_MEASURE_COUNT = 27
} lobedice_measure;

/* What a measure is, for reports (JSON keys, table columns and their schema). */
typedef struct lobedice_measure_info {
    const char *key;         /* "dice", "hd95_mm": the JSON key and the table column */
    const char *title;       /* "Dice", "HD95": a column title for people */
    const char *unit;        /* "mm", "ml", "voxels", or "" for a ratio */
    const char *description; /* one sentence: the formula and when it is undefined */
    int is_count;            /* a whole number of voxels (exact in a double below 2^53) */
    int is_surface;          /* computed only with surface distances */
    int is_averaged;         /* the comparison gives its mean over the label rows */
} lobedice_measure_info;

/* The description of a measure, or NULL for a value outside the enum. Static storage; cannot
 * fail. */
LOBEDICE_API const lobedice_measure_info *lobedice_measure_get_info(lobedice_measure measure);

/* A union of labels reported like a label ("RightLung" = 1, 2, 3). */
typedef struct lobedice_region {
    const char *name;      /* not NULL, not empty, unique among the regions */
    const int64_t *labels; /* at least one label, no repeats */
    size_t nlabels;
} lobedice_region;

typedef enum lobedice_region_mode {
    /* RightLung = 1+2+3, LeftLung = 4+5 and Lungs = 1+2+3+4+5 when the labels compared are
     * exactly the lobes 1..5 (in any order); no region otherwise (default) */
    LOBEDICE_REGIONS_LUNGS = 0,
    LOBEDICE_REGIONS_GIVEN = 1 /* exactly opts->regions (none when nregions is 0) */
} lobedice_region_mode;

typedef struct lobedice_compare_options {
    unsigned version; /* LOBEDICE_COMPARE_OPTIONS_VERSION */
    /* The labels to report, in this order (no repeats; 0 may be asked for). NULL (default):
     * every non-zero value present in either map, ascending. */
    const int64_t *labels;
    size_t nlabels;
    /* One name per label of `labels` (needs labels; names not empty). NULL (default): the names
     * of lobedice_label_name. The comparison copies them. */
    const char *const *label_names;
    lobedice_region_mode region_mode; /* default LOBEDICE_REGIONS_LUNGS */
    const lobedice_region *regions;   /* with LOBEDICE_REGIONS_GIVEN; copied */
    size_t nregions;
    int surface_distances;              /* 1: also HD, HD95, ASSD, NSD, ... (default 0) */
    double tolerance_mm;                /* surface-Dice tolerance, >= 0 (default 1.0) */
    lobedice_empty_policy empty_policy; /* default LOBEDICE_EMPTY_NAN */
    size_t threads;                     /* default 1; 0 = all online cores */
    /* Optional: called from the calling thread with the fraction done (0..1]; the last call
     * passes exactly 1. NULL = none (default). */
    void (*progress)(void *user, double fraction);
    void *progress_user;
    /* Version 2. How each map's values become labels (docs/conventions.md); copied. NULL
     * (default): every value is its own label, as in version 1. The labels, label names and
     * regions above are labels after this mapping (1..5 for the lobe conventions). */
    const lobedice_label_convention *ref_convention, *pred_convention;
    /* 1: refuse maps whose values do not fit their conventions (lobedice_labels_check) with
     * LOBEDICE_ECONVENTION; 0 (default, as in version 1): compare them anyway. */
    int check_labels;
} lobedice_compare_options;

#define LOBEDICE_COMPARE_OPTIONS_VERSION 2
#define LOBEDICE_COMPARE_OPTIONS_INIT                                                              \
    {                                                                                              \
        LOBEDICE_COMPARE_OPTIONS_VERSION, NULL, 0, NULL, LOBEDICE_REGIONS_LUNGS, NULL, 0, 0, 1.0,  \
            LOBEDICE_EMPTY_NAN, 1, NULL, NULL, NULL, NULL, 0                                       \
    }

/* Fills the defaults above for `version` (1..LOBEDICE_COMPARE_OPTIONS_VERSION). Statuses:
 * LOBEDICE_EINVAL (NULL opts, or another version; opts is then untouched). */
LOBEDICE_API lobedice_status lobedice_compare_options_init(lobedice_compare_options *opts,
                                                           unsigned version);

/* What lobedice_labels_check found. */
typedef enum lobedice_label_mismatch {
    LOBEDICE_LABELS_FIT = 0,          /* nothing wrong */
    LOBEDICE_LABELS_OTHER_PRESET = 1, /* a map's values fit another preset, not its own */
    LOBEDICE_LABELS_DISJOINT = 2      /* both maps hold values, but no label in common */
} lobedice_label_mismatch;

#define LOBEDICE_CHECK_MAX_VALUES 16

/* The values of one map and the labels its convention makes of them. */
typedef struct lobedice_input_labels {
    size_t nvalues;                            /* distinct non-zero values */
    int64_t values[LOBEDICE_CHECK_MAX_VALUES]; /* the smallest of them, ascending */
    size_t nlabels;                            /* distinct labels they stand for */
    int64_t labels[LOBEDICE_CHECK_MAX_VALUES]; /* the smallest of them, ascending */
} lobedice_input_labels;

typedef struct lobedice_label_check {
    lobedice_label_mismatch mismatch;
    size_t input;        /* OTHER_PRESET: 0 the reference, 1 the prediction */
    const char *fits[5]; /* OTHER_PRESET: the presets that fit, best first; NULL after the last */
    lobedice_input_labels inputs[2]; /* [0] the reference, [1] the prediction */
} lobedice_label_check;

/* Whether each map's values fit its convention (opts->ref_convention, opts->pred_convention;
 * the other options are not read; opts NULL or version 1: the identity for both). A map whose
 * convention does not fit it but a preset with other values does is OTHER_PRESET: a convention
 * fits when it names at least 3 of the map's non-zero values (all of them when it has fewer
 * than 3 pairs) and, for a preset, no value lies beyond those the tool writes; the identity
 * always fits. Otherwise, when both maps hold non-zero values and no label of one is a label
 * of the other, DISJOINT. A map with no non-zero value fits anything. The reference is checked
 * before the prediction. One pass over each volume. Statuses: LOBEDICE_EINVAL (NULL check, ref
 * or pred, an opts->version of 0 or too new, a convention lobedice_compare refuses), the
 * statuses of lobedice_value_counts. */
LOBEDICE_API lobedice_status lobedice_labels_check(lobedice_label_check *check,
                                                   const lobedice_volume *ref,
                                                   const lobedice_volume *pred,
                                                   const lobedice_compare_options *opts);

/* The result of a comparison: opaque, read through the functions below, freed with
 * lobedice_comparison_free. */
typedef struct lobedice_comparison lobedice_comparison;

typedef enum lobedice_row_kind {
    LOBEDICE_ROW_LABEL = 0, /* one label */
    LOBEDICE_ROW_REGION = 1 /* a union of labels measured as one mask */
} lobedice_row_kind;

/* A row as reports show it; owned by the comparison. Fields are only ever appended. */
typedef struct lobedice_row_info {
    lobedice_row_kind kind;
    const char *name;           /* the label's name, or the region's */
    const int64_t *labels;      /* the row's labels: one for a label row */
    size_t nlabels;             /* 1 for a label row */
    lobedice_presence presence; /* of the row's mask in the two maps */
} lobedice_row_info;

/* Compares pred with ref (same size; ref's spacing; the dtypes may differ) and stores the
 * result in *result (NULL on error). opts NULL = the defaults. Statuses: LOBEDICE_EINVAL (NULL
 * result, ref or pred; an opts->version of 0 or above LOBEDICE_COMPARE_OPTIONS_VERSION; labels
 * NULL with nlabels > 0, a repeated label, label_names without labels or with an empty or NULL
 * name; an unknown region_mode, a region without a name or labels, a repeated region name or
 * label within a region; a tolerance that is NaN or negative; an unknown empty_policy; a
 * convention with more than LOBEDICE_CONVENTION_MAX_PAIRS pairs, a repeated value or a label
 * that is not positive), LOBEDICE_ECONVENTION (check_labels and a mismatch: call
 * lobedice_labels_check for what it is), the volume statuses of lobedice_overlap_sets,
 * LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM. */
LOBEDICE_API lobedice_status lobedice_compare(lobedice_comparison **result,
                                              const lobedice_volume *ref,
                                              const lobedice_volume *pred,
                                              const lobedice_compare_options *opts);

/* Frees a comparison; NULL is allowed. */
LOBEDICE_API void lobedice_comparison_free(lobedice_comparison *comparison);

/* The options the comparison ran with, resolved: labels lists the labels compared (also when
 * the caller gave none), label_names their names, region_mode LOBEDICE_REGIONS_GIVEN with the
 * regions measured, progress NULL. Owned by the comparison; NULL for a NULL comparison. Cannot
 * fail. */
LOBEDICE_API const lobedice_compare_options *
lobedice_comparison_options(const lobedice_comparison *comparison);

/* Rows: the label rows first (one per label, in the order of the options' labels), then the
 * region rows. 0 for a NULL comparison. Cannot fail. */
LOBEDICE_API size_t lobedice_comparison_rows(const lobedice_comparison *comparison);
LOBEDICE_API size_t lobedice_comparison_label_rows(const lobedice_comparison *comparison);

/* Row `row`, or NULL when row is out of range (or comparison NULL). Cannot fail. */
LOBEDICE_API const lobedice_row_info *lobedice_comparison_row(const lobedice_comparison *comparison,
                                                              size_t row);

/* The value of a measure on row `row`: NaN when it is undefined (docs/measures.md), for a
 * surface measure when surface distances were not computed, and for a row or measure out of
 * range. Dice and Jaccard of an absent row follow the empty policy. Cannot fail. */
LOBEDICE_API double lobedice_comparison_value(const lobedice_comparison *comparison, size_t row,
                                              lobedice_measure measure);

/* The mean of a measure over the label rows where it is defined (NaN skipped); *used (may be
 * NULL) receives how many took part. NaN (used 0) when none did, for a measure that is not
 * averaged (lobedice_measure_info.is_averaged) and for a surface measure not computed. Cannot
 * fail. */
LOBEDICE_API double lobedice_comparison_mean(const lobedice_comparison *comparison,
                                             lobedice_measure measure, size_t *used);

/* 2*sum(tp) / (2*sum(tp) + sum(fp) + sum(fn)) over the label rows; NaN when that is 0/0 (or for
 * a NULL comparison). Cannot fail. */
LOBEDICE_API double lobedice_comparison_pooled_dice(const lobedice_comparison *comparison);

typedef enum lobedice_input {
    LOBEDICE_INPUT_REFERENCE = 0,
    LOBEDICE_INPUT_PREDICTION = 1
} lobedice_input;

/* The label convention `input` was read with (version 1 options or NULL: "identity"). Owned by
 * the comparison; NULL for a NULL comparison or another input. */
LOBEDICE_API const lobedice_label_convention *
lobedice_comparison_convention(const lobedice_comparison *comparison, lobedice_input input);

/* The non-zero values of `input` its convention does not name, counted as background, with
 * their voxels, ascending by value; *count (may be NULL) receives how many. Owned by the
 * comparison; NULL (count 0) when there are none, for the identity, and for a NULL comparison
 * or another input. */
LOBEDICE_API const lobedice_value_count *
lobedice_comparison_ignored(const lobedice_comparison *comparison, lobedice_input input,
                            size_t *count);

/* The disagreement map (lobedice_disagreement_map) of the comparison's labels, with ref and
 * pred read through the comparison's conventions: pass the volumes it compared. Statuses as
 * lobedice_disagreement_map, and LOBEDICE_EINVAL for a NULL comparison. */
LOBEDICE_API lobedice_status lobedice_comparison_disagreement_map(
    void *out, lobedice_dtype dtype, const lobedice_comparison *comparison,
    const lobedice_volume *ref, const lobedice_volume *pred, size_t threads);

/* Where row `row`'s hd is attained (lobedice_surface_options.hd_voxel): the grid index of that
 * surface voxel. Statuses: LOBEDICE_EINVAL (NULL argument, a row out of range, surface
 * distances not computed, or hd undefined on that row; voxel is then untouched). */
LOBEDICE_API lobedice_status lobedice_comparison_hd_voxel(uint64_t voxel[3],
                                                          const lobedice_comparison *comparison,
                                                          size_t row);

/* ---------------------------------------------------------------------------------------------
 * Statistics over cases (docs/batch.md): what a paper reports for a measure over a data set
 *
 * NaN values are undefined (a Dice of a label in neither map, a distance to an empty mask): they
 * are counted apart and take no part. Over the n defined values x[0..n-1], sorted:
 *   mean = sum x / n;  sd = sqrt(sum (x - mean)^2 / (n - 1)), NaN when n < 2;
 *   Q(p) = the linear interpolation at rank p*(n-1) of the sorted values (numpy's default
 *          percentile, the rule of hd95): q1 = Q(0.25), median = Q(0.5), q3 = Q(0.75),
 *          iqr = q3 - q1; min, max;
 *   whiskers (Tukey's box plot, as matplotlib draws it): the smallest value >= q1 - 1.5*iqr
 *          and the largest <= q3 + 1.5*iqr, or the box's edge (q1, q3) when no value lies
 *          between; values beyond them are the plot's outliers;
 *   ci_low, ci_high: percentile bootstrap interval of the mean: `resamples` resamples of n
 *          values drawn with replacement, each giving a mean; the interval is Q((1-c)/2) and
 *          Q((1+c)/2) of those means (c = confidence); NaN when n < 2 or resamples is 0.
 * The generator is fixed so that an interval is reproducible from its seed on every machine and
 * for any thread count: resample r uses xoshiro256** whose four state words are outputs
 * 4r+1 .. 4r+4 of splitmix64 seeded with `seed`; each index is drawn in [0, n) by Lemire's
 * unbiased multiply-and-reject method from the generator's next 64-bit output.
 * ------------------------------------------------------------------------------------------- */
#define LOBEDICE_STATS_DEFAULT_RESAMPLES 10000
#define LOBEDICE_STATS_DEFAULT_SEED 20240601u

typedef struct lobedice_stats_options {
    unsigned version;  /* LOBEDICE_STATS_OPTIONS_VERSION */
    size_t resamples;  /* bootstrap resamples; default LOBEDICE_STATS_DEFAULT_RESAMPLES; 0 = none */
    uint64_t seed;     /* default LOBEDICE_STATS_DEFAULT_SEED */
    double confidence; /* of the interval, in (0, 1); default 0.95 */
    size_t threads;    /* default 1; 0 = all online cores */
} lobedice_stats_options;

#define LOBEDICE_STATS_OPTIONS_VERSION 1
#define LOBEDICE_STATS_OPTIONS_INIT                                                                \
    {                                                                                              \
        LOBEDICE_STATS_OPTIONS_VERSION, LOBEDICE_STATS_DEFAULT_RESAMPLES,                          \
            LOBEDICE_STATS_DEFAULT_SEED, 0.95, 1                                                   \
    }

/* Fills the defaults above for `version` (1..LOBEDICE_STATS_OPTIONS_VERSION). Statuses:
 * LOBEDICE_EINVAL (NULL opts, or another version; opts is then untouched). */
LOBEDICE_API lobedice_status lobedice_stats_options_init(lobedice_stats_options *opts,
                                                         unsigned version);

/* The description of one series; every value NaN when n is 0. */
typedef struct lobedice_stats {
    size_t n;         /* defined values */
    size_t undefined; /* NaN values */
    double mean, sd, min, q1, median, q3, max, iqr;
    double whisker_low, whisker_high;
    double ci_low, ci_high; /* bootstrap interval of the mean */
} lobedice_stats;

/* Describes `count` values (NaN = undefined) as above. opts NULL = the defaults. Extra memory:
 * n + resamples doubles; quantiles by selection (no full sort). Statuses: LOBEDICE_EINVAL (NULL
 * out, NULL values with count > 0, an opts->version of 0 or above LOBEDICE_STATS_OPTIONS_VERSION, a
 * confidence outside (0, 1)), LOBEDICE_ENOTFINITE (an infinite value), LOBEDICE_EOVERFLOW,
 * LOBEDICE_ENOMEM; out is untouched on error. */
LOBEDICE_API lobedice_status lobedice_stats_describe(lobedice_stats *out, const double *values,
                                                     size_t count,
                                                     const lobedice_stats_options *opts);

/* Bland-Altman agreement of paired measurements (a volume in the reference and in the
 * prediction). A pair takes part when both values are defined (undefined counts the others):
 * d = predicted - reference; bias = mean d; sd = sd of d (n - 1; NaN when n < 2);
 * loa_low, loa_high = bias -/+ 1.96 sd (the 95 % limits of agreement). */
typedef struct lobedice_agreement {
    size_t n, undefined;
    double bias, sd, loa_low, loa_high;
} lobedice_agreement;

/* out: the agreement of reference[i] and predicted[i] over count pairs. means and differences
 * (each may be NULL; count entries): the plot's points, (reference + predicted) / 2 and
 * predicted - reference per pair, NaN for a pair that takes no part. Statuses: LOBEDICE_EINVAL
 * (NULL out, NULL reference or predicted with count > 0), LOBEDICE_ENOTFINITE (an infinite
 * value); nothing is written on error. */
LOBEDICE_API lobedice_status lobedice_bland_altman(lobedice_agreement *out, double *means,
                                                   double *differences, const double *reference,
                                                   const double *predicted, size_t count);

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
