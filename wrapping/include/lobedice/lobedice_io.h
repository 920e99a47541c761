/*
 * LobeDice image I/O: a C API over ITK's image readers and writers, and the geometry
 * reconciliation of two label maps. C++ inside, C outside: every ITK exception is caught at
 * this boundary and turned into a lobedice_status plus one clear sentence in a caller buffer
 * (which file, which voxel or field, what was expected). No global error state.
 *
 * `message` / `message_size`: a caller buffer receiving the sentence when a call fails (always
 * NUL-terminated, truncated to fit; may be NULL when message_size is 0). The sentence reads
 * "<Context>: <reason>." with a fixed context ("Cannot read '<path>'", "Cannot write '<path>'",
 * "Cannot align the images") and a reason that starts in lower case and names the field or
 * the file that is wrong, so a caller may strip the context or put its own words before it.
 * Messages call the image being aligned "the prediction" and the other "the reference".
 * Nothing thrown inside ever crosses this boundary (the functions are noexcept in C++).
 */
#ifndef LOBEDICE_IO_H
#define LOBEDICE_IO_H

#include "lobedice/lobedice.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LOBEDICE_IO_STATIC) || !defined(__GNUC__)
#define LOBEDICE_IO_API
#else
#define LOBEDICE_IO_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define LOBEDICE_IO_NOEXCEPT noexcept
#else
#define LOBEDICE_IO_NOEXCEPT
#endif

/* A label map with its geometry. volume.data is owned by the image. */
typedef struct lobedice_image {
    lobedice_volume volume; /* dtype, size (size[2] == 1 for 2-D), spacing in mm */
    double origin[3];       /* LPS position in mm of the centre of voxel (0,0,0) */
    double direction[9];    /* row-major 3x3 direction cosines; column j is the direction of
                               index axis j (ITK's Direction matrix) */
    unsigned dimension;     /* 2 or 3, as stored in the file */
} lobedice_image;

/* Reads a 2-D or 3-D scalar image: NRRD (raw or gzip, .nrrd/.nhdr, Slicer segmentations),
 * NIfTI (.nii, .nii.gz), MetaImage (.mha, .mhd). Integer pixel types the core knows are kept;
 * a floating-point or 64-bit integer image whose values are all whole numbers is converted to
 * the smallest lobedice_dtype that holds them. A 2-D file gets size[2] = 1, spacing[2] = 1 and
 * the identity along z (dimension 2); a file with more axes is read as 3-D only when every
 * extra axis has size 1 (as in an (x, y, z, 1) NIfTI file). Errors: LOBEDICE_EIO (missing or
 * unreadable file), LOBEDICE_EFORMAT (vector, multi-component or 4-D image, a file no reader
 * recognises), LOBEDICE_ENONINTEGER (a fractional, non-finite or out-of-range value: the
 * message names the voxel (x, y, z) and its value), LOBEDICE_EOVERFLOW (the voxel count does
 * not fit in memory), LOBEDICE_ENOMEM, LOBEDICE_EINVAL (NULL argument). The message reads
 * "Cannot read '<path>': <reason>.". On failure *image is NULL. `threads` (0 = all online
 * cores) converts a floating-point image. */
LOBEDICE_IO_API lobedice_status lobedice_image_read(lobedice_image **image, const char *path,
                                                    size_t threads, char *message,
                                                    size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* A segment of a Slicer segmentation (the keys vtkMRMLSegmentationStorageNode writes:
 * Segment<i>_ID, _Name, _Tags, _Color, _LabelValue, _Layer). */
typedef struct lobedice_segment {
    const char *id, *name;
    const char *tags;    /* "key:value|...", the terminology in its TerminologyEntry */
    double color[3];     /* 0..1; -1 each when the file gives none */
    int64_t label_value; /* the value of its voxels in its layer */
    size_t layer;        /* 0-based */
    int64_t lobe;        /* read: the lobe it stands for (lobedice_segment_lobe), 0 none */
    lobedice_segment_match matched_by; /* read: how that was found */
    uint64_t voxels;                   /* read: its voxels in the file */
} lobedice_segment;

typedef struct lobedice_segmentation {
    size_t nsegments;
    const lobedice_segment *segments; /* in the file's order */
    size_t nlayers;
    int64_t extent_offset[3]; /* Segmentation_ReferenceImageExtentOffset: where the file's grid
                                 starts in the segmentation's reference grid, in voxels */
} lobedice_segmentation;

/* A file is a Slicer segmentation when its header has Slicer's segmentation keys (Segment0_ID
 * or a Segmentation_ key), whatever its name: Slicer's CLI logic hands a segmentation given to
 * a label-map input over as "<pid>_<node id>.nrrd", gzip-compressed and uncropped. Such a file,
 * single-layer or with several layers (a list axis before the spatial ones), is read as the
 * lobe map its segments describe: each segment's lobe comes from lobedice_segment_lobe
 * (terminology, then name), the core flattens the layers (lobedice_segments_flatten) into
 * unsigned char 1..5 (0 elsewhere), and the segments stay available through
 * lobedice_image_segmentation. The file's grid (a cropped segmentation starts at its offset)
 * is kept; lobedice_image_align places it. Further errors: LOBEDICE_EOVERLAP (two segments of
 * different lobes share voxels: the message names both and the voxel count),
 * LOBEDICE_ECONVENTION (segments, but none is a lobe: the message names them), LOBEDICE_EFORMAT
 * (a segment in a layer the file does not have, a (layer, value) given twice, a key that is not
 * a number, floating-point values). */

/* The segments of an image read from a Slicer segmentation (carried over by
 * lobedice_image_align), NULL for any other image. image must come from this library. Owned by
 * the image. */
LOBEDICE_IO_API const lobedice_segmentation *
lobedice_image_segmentation(const lobedice_image *image) LOBEDICE_IO_NOEXCEPT;

/* Writes image (one layer) as a Slicer segmentation NRRD: lobedice_image_write's rules, plus
 * the keys Slicer's segmentation reader needs (Segmentation_MasterRepresentation,
 * _ContainedRepresentationNames, _ReferenceImageExtentOffset 0 0 0, and per segment _ID (given,
 * or "Segment_<i+1>"), _Name, _Color, _LabelValue, _Layer 0, _Extent the whole grid, _Tags), so
 * that Slicer loads it into a Segmentation node with named, coloured segments, while any NRRD
 * reader still sees a plain label map. The name must end in .nrrd (else LOBEDICE_EFORMAT).
 * segments' lobe, matched_by and voxels are not read. LOBEDICE_EINVAL also for a colour
 * component outside 0..1, a layer other than 0, or a line break in an ID, name or tags. Written
 * atomically, as lobedice_image_write. */
LOBEDICE_IO_API lobedice_status lobedice_image_write_segmentation(
    const lobedice_image *image, const lobedice_segment *segments, size_t nsegments,
    const char *path, int compress, char *message, size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* A new image of zeros on the given grid (direction NULL = identity), e.g. for an output map;
 * its dimension is 3 (set it to 2 to write a 2-D file). Errors: LOBEDICE_EINVAL (NULL argument,
 * origin or direction not finite, direction not invertible), LOBEDICE_EDTYPE, LOBEDICE_ESIZE,
 * LOBEDICE_ESPACING, LOBEDICE_EOVERFLOW, LOBEDICE_ENOMEM. On failure *image is NULL. */
LOBEDICE_IO_API lobedice_status lobedice_image_new(lobedice_image **image, lobedice_dtype dtype,
                                                   const size_t size[3], const double spacing[3],
                                                   const double origin[3],
                                                   const double direction[9]) LOBEDICE_IO_NOEXCEPT;

/* A grid's affine map from voxel index to LPS mm, lps = origin + direction * diag(spacing) *
 * index, as a row-major 3x4 matrix [A | origin], and its inverse from LPS mm to (fractional)
 * index, also 3x4; either output may be NULL. LOBEDICE_EINVAL for a NULL input, a value that is
 * not finite, a spacing not > 0 or a direction that is not invertible. */
LOBEDICE_IO_API lobedice_status lobedice_grid_affine(const double origin[3],
                                                     const double direction[9],
                                                     const double spacing[3],
                                                     double index_to_lps[12],
                                                     double lps_to_index[12]) LOBEDICE_IO_NOEXCEPT;

/* The image's voxel buffer, writable. */
LOBEDICE_IO_API void *lobedice_image_buffer(lobedice_image *image) LOBEDICE_IO_NOEXCEPT;

/* Frees an image; NULL is allowed. */
LOBEDICE_IO_API void lobedice_image_free(lobedice_image *image) LOBEDICE_IO_NOEXCEPT;

/* ---- All-or-nothing outputs ----------------------------------------------------------------
 * A set of output files written all or nothing, the one atomic-write path of LobeDice. Each
 * target is first written under its own name in a new private folder beside it,
 * ".lobedice-<8 hex digits>/" (mode 0700); the commit renames every file into place and removes
 * the folders. A file already at a target is kept (as a hard link) until every rename
 * succeeded, so a failed or interrupted commit leaves every earlier file as it was.
 * lobedice_outputs_abandon may be called from another thread (a signal watcher): it waits for a
 * commit step in progress, which then rolls back; removing the folders is what stops a writer
 * still running in another thread, which then cannot create its file again. */
typedef struct lobedice_outputs lobedice_outputs;

/* An empty set. Errors: LOBEDICE_EINVAL, LOBEDICE_ENOMEM. */
LOBEDICE_IO_API lobedice_status lobedice_outputs_new(lobedice_outputs **set) LOBEDICE_IO_NOEXCEPT;

/* Creates the private folder and in it the empty temporary file for target (mode 0666 less the
 * umask), and sets *temp to its path (owned by the set); write the output there. Errors:
 * LOBEDICE_EIO (the folder takes no new file; the set was abandoned), LOBEDICE_ENOMEM,
 * LOBEDICE_EINVAL; the message then names the target. */
LOBEDICE_IO_API lobedice_status lobedice_outputs_stage(lobedice_outputs *set, const char *target,
                                                       const char **temp, char *message,
                                                       size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* Renames every staged file onto its target. On failure (LOBEDICE_EIO: a target is a folder, a
 * rename failed, the set was abandoned) every target is as it was before, and the message
 * names the target and the reason. */
LOBEDICE_IO_API lobedice_status lobedice_outputs_commit(lobedice_outputs *set, char *message,
                                                        size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* Removes every staged file not committed and every private folder, with anything a writer
 * put there meanwhile; later stages and commits fail. Thread-safe against
 * the other calls on the set. NULL allowed. */
LOBEDICE_IO_API void lobedice_outputs_abandon(lobedice_outputs *set) LOBEDICE_IO_NOEXCEPT;

/* Abandons, then frees the set (NULL allowed). */
LOBEDICE_IO_API void lobedice_outputs_free(lobedice_outputs *set) LOBEDICE_IO_NOEXCEPT;

/* Writes an image with its geometry into a file staged in `set` for `target`; the format
 * follows target's extension (.nrrd, .nii, .nii.gz, .mha, any case; the two-file formats .nhdr
 * and .mhd are refused). compress != 0 asks for gzip where the format has it (.nii.gz is always
 * compressed, .nii never). dimension 2 writes a 2-D file (size[2] must be 1). The written file
 * is read back to check that it holds every byte (a full disk makes some writers only print).
 * Errors: LOBEDICE_EIO, LOBEDICE_EFORMAT (unknown extension), LOBEDICE_EINVAL, or the status
 * of an invalid volume; the message reads "Cannot write '<target>': <reason>.". On failure (NULL
 * arguments aside) the set is abandoned (lobedice_outputs_abandon): its commit then fails and
 * nothing of it is written. */
LOBEDICE_IO_API lobedice_status
lobedice_image_write_staged(const lobedice_image *image, lobedice_outputs *set, const char *target,
                            int compress, char *message, size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* lobedice_image_write_segmentation's file, staged in `set` for `target` like
 * lobedice_image_write_staged (the same rules and statuses). */
LOBEDICE_IO_API lobedice_status lobedice_image_write_segmentation_staged(
    const lobedice_image *image, const lobedice_segment *segments, size_t nsegments,
    lobedice_outputs *set, const char *target, int compress, char *message,
    size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* lobedice_image_write_staged and commit in a set of one: a failed write leaves no file behind
 * and an existing file is replaced whole or not at all. */
LOBEDICE_IO_API lobedice_status lobedice_image_write(const lobedice_image *image, const char *path,
                                                     int compress, char *message,
                                                     size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* A scalar image of real values with its geometry (a CT shown under a picture's labels);
 * data is owned by the image. */
typedef struct lobedice_real_image {
    const float *data;   /* size[0]*size[1]*size[2] values, x fastest */
    size_t size[3];      /* size[2] == 1 for 2-D */
    double spacing[3];   /* mm */
    double origin[3];    /* LPS position in mm of the centre of voxel (0,0,0) */
    double direction[9]; /* as lobedice_image */
    unsigned dimension;  /* 2 or 3, as stored in the file */
} lobedice_real_image;

/* Reads any 2-D or 3-D scalar image lobedice_image_read can open, of any pixel type, as float
 * (a CT in Hounsfield units, for instance). The same checks and errors as lobedice_image_read
 * (LOBEDICE_EFORMAT for a vector or 4-D image, naming its size), without the whole-number rule.
 * On failure *image is NULL. */
LOBEDICE_IO_API lobedice_status lobedice_real_image_read(lobedice_real_image **image,
                                                         const char *path, char *message,
                                                         size_t message_size) LOBEDICE_IO_NOEXCEPT;

/* Frees a real image; NULL is allowed. */
LOBEDICE_IO_API void lobedice_real_image_free(lobedice_real_image *image) LOBEDICE_IO_NOEXCEPT;

typedef enum lobedice_alignment {
    LOBEDICE_ALIGN_IDENTICAL = 0, /* same grid: the image was used as it is */
    LOBEDICE_ALIGN_PLACED = 1,    /* same spacing and direction, offset by whole voxels (e.g. a
                                     Slicer segmentation cropped to its segments): copied exactly
                                     onto the reference grid, background elsewhere */
    LOBEDICE_ALIGN_RESAMPLED = 2  /* any other grid: resampled onto the reference grid by
                                     nearest neighbour (the report must say so) */
} lobedice_alignment;

/* Brings *moving onto reference's grid. When the grids differ, *moving is replaced by a new
 * image on the reference grid (same dtype, reference's dimension) and the old one is freed;
 * *how says what happened. Same axes means spacing equal within 1e-6 (relative) and direction
 * cosines within 1e-6, ITK's own tolerances for "same physical space"; an origin offset is
 * whole when it is within 1e-3 voxel of an integer along every axis. Same axes, whole offset 0
 * and same size: IDENTICAL; same axes and a whole offset: PLACED (lobedice_volume_paste; parts
 * of moving outside the reference grid are dropped); anything else: RESAMPLED (ITK's
 * ResampleImageFilter, nearest neighbour, 0 outside moving). Maps whose physical boxes (voxel
 * edges) do not overlap are LOBEDICE_EGEOMETRY, the message giving both boxes in mm; *moving
 * is unchanged on failure. `threads` (0 = all online cores) places or resamples. */
LOBEDICE_IO_API lobedice_status lobedice_image_align(lobedice_image **moving,
                                                     lobedice_alignment *how,
                                                     const lobedice_image *reference,
                                                     size_t threads, char *message,
                                                     size_t message_size) LOBEDICE_IO_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
