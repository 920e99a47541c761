/* The C I/O API (lobedice_io.h), called from C as a C program would: every format round-trips
 * with its geometry (checked against the bytes of the written headers, not only through our own
 * reader); files written by other writers (hand-made NRRD, seg.nrrd, MetaImage and NIfTI, and
 * lobedice-phantom's NRRD) read correctly; float inputs convert or fail naming the voxel;
 * vector, 4-D, missing and garbage files fail; failed writes leave nothing; and
 * lobedice_image_align places, resamples or refuses as documented. Fixtures are made in a
 * temporary folder under the build tree and removed at exit. */
#define _XOPEN_SOURCE 700
#include "check.h"
#include "file_test_util.h"
#include "label_test_util.h"
#include "lobedice/lobedice_io.h"
#include "phantom.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- Fixture folder ------------------------------------------------------------------------ */

static const char *fixture(const char *name)
{
    return fixture_path(LOBEDICE_TEST_BINARY_DIR, name);
}

/* Writes header text then payload (gzip-compressed when asked), as other programs do. */
static void write_header_and_data(const char *path, const char *header, const void *payload,
                                  size_t bytes, int gzip)
{
    FILE *f = fopen(path, "wb");
    CHECK_FATAL(f != NULL);
    fputs(header, f);
    if (!gzip && bytes)
        CHECK_FATAL(fwrite(payload, 1, bytes, f) == bytes);
    CHECK_FATAL(fclose(f) == 0);
    if (gzip) {
        gzFile z = gzopen(path, "ab");
        CHECK_FATAL(z != NULL);
        CHECK_FATAL(gzwrite(z, payload, (unsigned)bytes) == (int)bytes);
        CHECK_FATAL(gzclose(z) == Z_OK);
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK_FATAL(f != NULL);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}

/* ---- Geometry helpers ---------------------------------------------------------------------- */

/* A proper rotation: 30 degrees about z, then 20 degrees about x (row-major). */
static void oblique_direction(double d[9])
{
    double a = 30.0 * M_PI / 180.0, b = 20.0 * M_PI / 180.0;
    double rz[9] = {cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1};
    double rx[9] = {1, 0, 0, 0, cos(b), -sin(b), 0, sin(b), cos(b)};
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            d[3 * r + c] = 0;
            for (int k = 0; k < 3; k++)
                d[3 * r + c] += rz[3 * r + k] * rx[3 * k + c];
        }
}

static void check_geometry_near(const lobedice_image *a, const double spacing[3],
                                const double origin[3], const double direction[9], double tol)
{
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(a->volume.spacing[i], spacing[i], tol * spacing[i]);
        CHECK_NEAR(a->origin[i], origin[i], tol * (1 + fabs(origin[i])));
    }
    for (int i = 0; i < 9; i++)
        CHECK_NEAR(a->direction[i], direction[i], tol);
}

static size_t voxels_of(const lobedice_image *im)
{
    return im->volume.size[0] * im->volume.size[1] * im->volume.size[2];
}

/* ---- Round trips --------------------------------------------------------------------------- */

/* An image of dtype on an oblique anisotropic grid whose values span the dtype's range. */
static lobedice_image *range_image(lobedice_dtype t)
{
    const size_t size[3] = {5, 4, 3};
    const double spacing[3] = {0.7, 1.25, 2.5}, origin[3] = {-120.5, 33.25, 210.0};
    double direction[9];
    oblique_direction(direction);
    lobedice_image *im = NULL;
    CHECK_FATAL(lobedice_image_new(&im, t, size, spacing, origin, direction) == LOBEDICE_OK);
    size_t n = voxels_of(im);
    int64_t lo = 0, hi = 0;
    test_range(t, &lo, &hi);
    for (size_t i = 0; i < n; i++)
        test_store(lobedice_image_buffer(im), t, i,
                   i == n - 1 ? hi
                              : lo + (int64_t)((double)(hi - lo) * (double)i / (double)(n - 1)));
    return im;
}

static void roundtrip_every_format_and_dtype(void)
{
    static const struct {
        const char *name;
        int compress;
        double tol; /* NIfTI stores geometry as float32 */
    } formats[] = {{"a.nrrd", 0, 1e-12},  {"b.seg.nrrd", 1, 1e-12}, {"c.nii", 0, 1e-5},
                   {"d.nii.gz", 1, 1e-5}, {"e.mha", 0, 1e-12},      {"f.mha", 1, 1e-12}};
    char message[512];
    for (size_t f = 0; f < CHECK_COUNT(formats); f++)
        for (size_t k = 0; k < 6; k++) {
            lobedice_image *im = range_image(all_dtypes[k]);
            const char *path = fixture(formats[f].name);
            CHECK_INT(lobedice_image_write(im, path, formats[f].compress, message, sizeof message),
                      LOBEDICE_OK);
            lobedice_image *back = NULL;
            lobedice_status st = lobedice_image_read(&back, path, 0, message, sizeof message);
            CHECK_INT(st, LOBEDICE_OK);
            if (st != LOBEDICE_OK) {
                fprintf(stderr, "%s (%s): %s\n", formats[f].name, "read", message);
                lobedice_image_free(im);
                continue;
            }
            CHECK_INT(back->volume.dtype, all_dtypes[k]);
            CHECK_UINT(back->dimension, 3);
            for (int a = 0; a < 3; a++)
                CHECK_UINT(back->volume.size[a], im->volume.size[a]);
            check_geometry_near(back, im->volume.spacing, im->origin, im->direction,
                                formats[f].tol);
            CHECK(memcmp(back->volume.data, im->volume.data,
                         voxels_of(im) * lobedice_dtype_size(all_dtypes[k])) == 0);
            lobedice_image_free(back);
            lobedice_image_free(im);
        }
}

/* The geometry as other programs see it: NRRD "space directions" are the columns of
 * direction * spacing in LPS; NIfTI's sform rows are the same matrix in RAS (x and y negated). */
/* The 348-byte header of im written by ITK's NIfTI writer as fixture `name`. */
static void written_nifti_header(const lobedice_image *im, const char *name, unsigned char h[348])
{
    char message[512];
    const char *nii = fixture(name);
    CHECK_INT(lobedice_image_write(im, nii, 0, message, sizeof message), LOBEDICE_OK);
    FILE *f = fopen(nii, "rb");
    CHECK_FATAL(f != NULL);
    CHECK_FATAL(fread(h, 1, 348, f) == 348);
    fclose(f);
}

static void written_headers_hold_the_geometry(void)
{
    lobedice_image *im = range_image(LOBEDICE_INT16);
    char message[512];
    const char *nrrd = fixture("geometry.nrrd");
    CHECK_INT(lobedice_image_write(im, nrrd, 0, message, sizeof message), LOBEDICE_OK);
    const char *text = read_text(nrrd);
    CHECK(strstr(text, "type: short") != NULL);
    CHECK(strstr(text, "space: left-posterior-superior") != NULL);
    double v[9], o[3];
    const char *dirs = strstr(text, "space directions:");
    const char *orig = strstr(text, "space origin:");
    CHECK_FATAL(dirs && orig);
    CHECK_INT(sscanf(dirs, "space directions: (%lf,%lf,%lf) (%lf,%lf,%lf) (%lf,%lf,%lf)", &v[0],
                     &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]),
              9);
    CHECK_INT(sscanf(orig, "space origin: (%lf,%lf,%lf)", &o[0], &o[1], &o[2]), 3);
    for (int axis = 0; axis < 3; axis++)
        for (int r = 0; r < 3; r++)
            CHECK_NEAR(v[3 * axis + r], im->direction[3 * r + axis] * im->volume.spacing[axis],
                       1e-12);
    for (int r = 0; r < 3; r++)
        CHECK_NEAR(o[r], im->origin[r], 1e-12);

    unsigned char h[348];
    written_nifti_header(im, "geometry.nii", h);
    int16_t datatype, sform_code;
    float srow[3][4];
    memcpy(&datatype, h + 70, 2);
    memcpy(&sform_code, h + 254, 2);
    memcpy(srow, h + 280, sizeof srow);
    CHECK_INT(datatype, 4); /* NIFTI_TYPE_INT16 */
    CHECK(sform_code > 0);
    for (int r = 0; r < 3; r++) {
        double sign = r < 2 ? -1.0 : 1.0;
        for (int c = 0; c < 3; c++)
            CHECK_NEAR(srow[r][c], sign * im->direction[3 * r + c] * im->volume.spacing[c], 1e-5);
        CHECK_NEAR(srow[r][3], sign * im->origin[r], 1e-4);
    }
    lobedice_image_free(im);
}

static void roundtrip_2d(void)
{
    const size_t size[3] = {7, 5, 1};
    const double spacing[3] = {0.5, 0.8, 1.0}, origin[3] = {10.0, -4.0, 0.0};
    const double direction[9] = {0, 1, 0, -1, 0, 0, 0, 0, 1}; /* rotated in plane */
    lobedice_image *im = NULL;
    CHECK_FATAL(lobedice_image_new(&im, LOBEDICE_UINT8, size, spacing, origin, direction) ==
                LOBEDICE_OK);
    im->dimension = 2;
    for (size_t i = 0; i < 35; i++)
        ((uint8_t *)lobedice_image_buffer(im))[i] = (uint8_t)(i % 6);
    const char *names[] = {"flat.nrrd", "flat.nii.gz", "flat.mha"};
    char message[512];
    for (int k = 0; k < 3; k++) {
        const char *path = fixture(names[k]);
        CHECK_INT(lobedice_image_write(im, path, 1, message, sizeof message), LOBEDICE_OK);
        lobedice_image *back = NULL;
        CHECK_INT(lobedice_image_read(&back, path, 0, message, sizeof message), LOBEDICE_OK);
        CHECK_FATAL(back != NULL);
        CHECK_UINT(back->dimension, 2);
        CHECK_UINT(back->volume.size[0], 7);
        CHECK_UINT(back->volume.size[1], 5);
        CHECK_UINT(back->volume.size[2], 1);
        check_geometry_near(back, spacing, origin, direction, 1e-6);
        CHECK(memcmp(back->volume.data, im->volume.data, 35) == 0);
        lobedice_image_free(back);
    }
    im->volume.size[2] = 2; /* a 2-D image cannot have two slices */
    CHECK_INT(lobedice_image_write(im, fixture("bad2d.nrrd"), 0, message, sizeof message),
              LOBEDICE_EINVAL);
    im->volume.size[2] = 1;
    lobedice_image_free(im);
}

/* ---- Files from other writers -------------------------------------------------------------- */

/* A seg.nrrd as Slicer writes one with a single layer: gzip, LPS, Segment keys, cropped origin. */
static void reads_slicer_seg_nrrd(void)
{
    uint8_t data[4 * 3 * 2];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i % 3 == 0 ? 0 : 1 + i % 5);
    const char *header =
        "NRRD0004\n"
        "# Complete NRRD file format specification at:\n"
        "# http://teem.sourceforge.net/nrrd/format.html\n"
        "type: unsigned char\n"
        "dimension: 3\n"
        "space: left-posterior-superior\n"
        "sizes: 4 3 2\n"
        "space directions: (0,0.75,0) (-0.75,0,0) (0,0,2.5)\n"
        "kinds: domain domain domain\n"
        "encoding: gzip\n"
        "space origin: (-10.5,20.25,-300)\n"
        "Segment0_Color:=0.501961 0.682353 0.501961\n"
        "Segment0_ColorAutoGenerated:=1\n"
        "Segment0_Extent:=0 3 0 2 0 1\n"
        "Segment0_ID:=Segment_1\n"
        "Segment0_LabelValue:=1\n"
        "Segment0_Layer:=0\n"
        "Segment0_Name:=right upper lobe\n"
        "Segment0_NameAutoGenerated:=0\n"
        "Segment0_Tags:=Segmentation.Status:inprogress|TerminologyEntry:Segmentation category "
        "and type - 3D Slicer General Anatomy list~SCT^123037004^Anatomical Structure~SCT^"
        "45653009^Upper lobe of lung~^^~Anatomic codes - DICOM master list~^^~^^|\n"
        "Segment1_ID:=Segment_2\n"
        "Segment1_LabelValue:=2\n"
        "Segment1_Layer:=0\n"
        "Segment1_Name:=right middle lobe\n"
        "Segmentation_ContainedRepresentationNames:=Binary labelmap|Closed surface|\n"
        "Segmentation_ConversionParameters:=Collapse labelmaps|1|Merge the labelmaps into as "
        "few shared labelmaps as possible 1 = created labelmaps will be shared if possible "
        "without overwriting each other.&Compute surface normals|1|Compute surface normals. 1 "
        "(default) = surface normals are computed. 0 = surface normals are not computed "
        "(slightly faster but produces less smooth surface display).\n"
        "Segmentation_MasterRepresentation:=Binary labelmap\n"
        "Segmentation_ReferenceImageExtentOffset:=12 40 7\n"
        "\n";
    const char *path = fixture("slicer.seg.nrrd");
    write_header_and_data(path, header, data, sizeof data, 1);
    lobedice_image *im = NULL;
    char message[512];
    CHECK_INT(lobedice_image_read(&im, path, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_FATAL(im != NULL);
    CHECK_INT(im->volume.dtype, LOBEDICE_UINT8);
    CHECK_UINT(im->volume.size[0], 4);
    CHECK_UINT(im->volume.size[1], 3);
    CHECK_UINT(im->volume.size[2], 2);
    const double spacing[3] = {0.75, 0.75, 2.5}, origin[3] = {-10.5, 20.25, -300};
    const double direction[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1};
    check_geometry_near(im, spacing, origin, direction, 1e-12);
    /* read as the lobes its segments name: 1 "right upper lobe" (its terminology has no
     * laterality, so the name decides), 2 "right middle lobe"; values of no segment are 0 */
    const uint8_t *lobes = im->volume.data;
    for (size_t i = 0; i < sizeof data; i++)
        CHECK_UINT(lobes[i], data[i] <= 2 ? data[i] : 0);
    const lobedice_segmentation *seg = lobedice_image_segmentation(im);
    CHECK_FATAL(seg != NULL);
    CHECK_UINT(seg->nsegments, 2);
    CHECK_INT(seg->extent_offset[0], 12);
    CHECK_INT(seg->segments[0].matched_by, LOBEDICE_MATCH_NAME);
    lobedice_image_free(im);
}

/* lobedice-phantom's NRRD (its own writer, not ITK's): short, gzip, cropped prediction. The
 * cropped prediction aligned onto the reference is PLACED and equals the uncropped map voxel
 * for voxel, so every measure is the same. */
static void phantom_crop_is_placed_exactly(void)
{
    const size_t size[3] = {48, 40, 32};
    const char *ref_path = fixture("phantom_ref.nrrd"), *pred_path = fixture("phantom_pred.nrrd");
    char command[8192];
    CHECK_FATAL(snprintf(command, sizeof command,
                         "'%s' --size 48,40,32 --type short --encoding gzip --crop-prediction "
                         "'%s' '%s'",
                         LOBEDICE_PHANTOM_EXE, ref_path, pred_path) < (int)sizeof command);
    CHECK_FATAL(system(command) == 0);
    uint8_t *ref_map = phantom_new(size, PHANTOM_REFERENCE);
    uint8_t *pred_map = phantom_new(size, PHANTOM_PREDICTION);
    CHECK_FATAL(ref_map && pred_map);
    double spacing[3], origin[3];
    phantom_geometry(size, spacing, origin);

    char message[512];
    lobedice_image *ref = NULL, *pred = NULL;
    CHECK_FATAL(lobedice_image_read(&ref, ref_path, 0, message, sizeof message) == LOBEDICE_OK);
    CHECK_FATAL(lobedice_image_read(&pred, pred_path, 0, message, sizeof message) == LOBEDICE_OK);
    CHECK_INT(ref->volume.dtype, LOBEDICE_INT16);
    CHECK_INT(pred->volume.dtype, LOBEDICE_INT16);
    CHECK(pred->volume.size[0] < size[0] && pred->volume.size[2] < size[2]); /* really cropped */
    const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    check_geometry_near(ref, spacing, origin, identity, 1e-12);
    size_t n = size[0] * size[1] * size[2];
    int same = 1;
    for (size_t i = 0; i < n; i++)
        same &= ((const int16_t *)ref->volume.data)[i] == ref_map[i];
    CHECK(same);

    lobedice_alignment how = LOBEDICE_ALIGN_RESAMPLED;
    CHECK_INT(lobedice_image_align(&pred, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_INT(how, LOBEDICE_ALIGN_PLACED);
    for (int a = 0; a < 3; a++)
        CHECK_UINT(pred->volume.size[a], size[a]);
    CHECK_INT(pred->volume.dtype, LOBEDICE_INT16);
    same = 1;
    for (size_t i = 0; i < n; i++)
        same &= ((const int16_t *)pred->volume.data)[i] == pred_map[i];
    CHECK(same);

    /* The measures of the placed map equal those of the uncropped one. */
    const lobedice_volume full_ref = {
        ref_map, LOBEDICE_UINT8, {48, 40, 32}, {spacing[0], spacing[1], spacing[2]}};
    const lobedice_volume full_pred = {
        pred_map, LOBEDICE_UINT8, {48, 40, 32}, {spacing[0], spacing[1], spacing[2]}};
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    lobedice_label_overlap placed[5], uncropped[5];
    CHECK_INT(lobedice_overlap(placed, &ref->volume, &pred->volume, labels, 5, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_overlap(uncropped, &full_ref, &full_pred, labels, 5, 0), LOBEDICE_OK);
    for (int k = 0; k < 5; k++) {
        CHECK_UINT(placed[k].tp, uncropped[k].tp);
        CHECK_UINT(placed[k].fp, uncropped[k].fp);
        CHECK_UINT(placed[k].fn, uncropped[k].fn);
        CHECK_UINT(placed[k].tn, uncropped[k].tn);
        CHECK_SAME(placed[k].dice, uncropped[k].dice);
        CHECK_SAME(placed[k].volume_pred_ml, uncropped[k].volume_pred_ml);
    }
    lobedice_image_free(ref);
    lobedice_image_free(pred);
    free(ref_map);
    free(pred_map);
}

/* A 4-D NIfTI-1 file (x, y, z, 1) with an oblique sform, written byte by byte. */
static void write_nifti(const char *path, const int16_t dims[5], int16_t datatype, int16_t bitpix,
                        const void *data, size_t bytes)
{
    unsigned char h[352];
    memset(h, 0, sizeof h);
    int32_t sizeof_hdr = 348;
    memcpy(h, &sizeof_hdr, 4);
    int16_t dim[8] = {dims[0], dims[1], dims[2], dims[3], dims[4], 1, 1, 1};
    memcpy(h + 40, dim, sizeof dim);
    memcpy(h + 70, &datatype, 2);
    memcpy(h + 72, &bitpix, 2);
    float pixdim[8] = {1, 0.5f, 2.0f, 3.0f, 1, 1, 1, 1};
    memcpy(h + 76, pixdim, sizeof pixdim);
    float vox_offset = 352, scl_slope = 1;
    memcpy(h + 108, &vox_offset, 4);
    memcpy(h + 112, &scl_slope, 4);
    h[123] = 10; /* xyzt_units: mm, s */
    int16_t qform_code = 0, sform_code = 1;
    memcpy(h + 252, &qform_code, 2);
    memcpy(h + 254, &sform_code, 2);
    /* RAS: i -> -y (LPS +y), j -> +x (LPS -x), k -> +z; origin RAS (5, -6, 7). */
    float srow[3][4] = {{0, 2.0f, 0, 5}, {-0.5f, 0, 0, -6}, {0, 0, 3.0f, 7}};
    memcpy(h + 280, srow, sizeof srow);
    memcpy(h + 344, "n+1\0", 4);
    FILE *f = fopen(path, "wb");
    CHECK_FATAL(f != NULL);
    CHECK_FATAL(fwrite(h, 1, sizeof h, f) == sizeof h);
    CHECK_FATAL(fwrite(data, 1, bytes, f) == bytes);
    CHECK_FATAL(fclose(f) == 0);
}

static void reads_nifti_with_trailing_axis(void)
{
    uint8_t data[3 * 4 * 2 * 2];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i % 7);
    const int16_t dims[5] = {4, 3, 4, 2, 1};
    const char *path = fixture("trailing.nii");
    write_nifti(path, dims, 2 /* uint8 */, 8, data, 24);
    lobedice_image *im = NULL;
    char message[512];
    CHECK_INT(lobedice_image_read(&im, path, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_FATAL(im != NULL);
    CHECK_UINT(im->dimension, 3);
    CHECK_UINT(im->volume.size[0], 3);
    CHECK_UINT(im->volume.size[1], 4);
    CHECK_UINT(im->volume.size[2], 2);
    const double spacing[3] = {0.5, 2.0, 3.0}, origin[3] = {-5, 6, 7};
    const double direction[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1}; /* LPS columns: +y, -x, +z */
    check_geometry_near(im, spacing, origin, direction, 1e-6);
    CHECK(memcmp(im->volume.data, data, 24) == 0);
    lobedice_image_free(im);

    const int16_t four[5] = {4, 3, 4, 2, 2}; /* a real fourth axis */
    const char *path4 = fixture("four.nii");
    write_nifti(path4, four, 2, 8, data, sizeof data);
    CHECK_INT(lobedice_image_read(&im, path4, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK(im == NULL);
    CHECK(strstr(message, path4) != NULL);
    CHECK(strstr(message, "4-D") != NULL);
    CHECK(strstr(message, "3 x 4 x 2 x 2") != NULL);
}

/* ---- Floating-point inputs ----------------------------------------------------------------- */

static void write_float_nrrd(const char *path, const char *type, const void *values, size_t bytes)
{
    char header[512];
    snprintf(header, sizeof header,
             "NRRD0004\ntype: %s\ndimension: 3\nspace: left-posterior-superior\n"
             "sizes: 3 4 2\nspace directions: (1,0,0) (0,1,0) (0,0,2)\n"
             "kinds: domain domain domain\nendian: little\nencoding: raw\n"
             "space origin: (1,2,3)\n\n",
             type);
    write_header_and_data(path, header, values, bytes, 0);
}

static void float_whole_values_convert(void)
{
    char message[512];
    lobedice_image *im = NULL;
    float f[24];
    double d[24];
    int64_t ll[24];

    for (int i = 0; i < 24; i++)
        f[i] = (float)(i % 6);
    write_float_nrrd(fixture("whole.nrrd"), "float", f, sizeof f);
    CHECK_INT(lobedice_image_read(&im, fixture("whole.nrrd"), 0, message, sizeof message),
              LOBEDICE_OK);
    CHECK_FATAL(im != NULL);
    CHECK_INT(im->volume.dtype, LOBEDICE_UINT8);
    for (size_t i = 0; i < 24; i++)
        CHECK_INT(test_load(im->volume.data, im->volume.dtype, i), i % 6);
    const double spacing[3] = {1, 1, 2}, origin[3] = {1, 2, 3};
    const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    check_geometry_near(im, spacing, origin, identity, 1e-12);
    lobedice_image_free(im);

    static const struct {
        double lo, hi;
        lobedice_dtype expected;
    } ranges[] = {{-1, 5, LOBEDICE_INT8},
                  {0, 300, LOBEDICE_UINT16},
                  {-1, 300, LOBEDICE_INT16},
                  {0, 70000, LOBEDICE_UINT32},
                  {-70000, 5, LOBEDICE_INT32}};
    for (size_t r = 0; r < CHECK_COUNT(ranges); r++) {
        for (int i = 0; i < 24; i++)
            d[i] = i == 3 ? ranges[r].lo : i == 17 ? ranges[r].hi : i % 4;
        write_float_nrrd(fixture("range.nrrd"), "double", d, sizeof d);
        CHECK_INT(lobedice_image_read(&im, fixture("range.nrrd"), 0, message, sizeof message),
                  LOBEDICE_OK);
        CHECK_FATAL(im != NULL);
        CHECK_INT(im->volume.dtype, ranges[r].expected);
        for (size_t i = 0; i < 24; i++)
            CHECK_INT(test_load(im->volume.data, im->volume.dtype, i), (int64_t)d[i]);
        lobedice_image_free(im);
    }

    for (int i = 0; i < 24; i++)
        ll[i] = i == 5 ? 40000 : i % 3;
    write_float_nrrd(fixture("int64.nrrd"), "int64", ll, sizeof ll);
    CHECK_INT(lobedice_image_read(&im, fixture("int64.nrrd"), 0, message, sizeof message),
              LOBEDICE_OK);
    CHECK_FATAL(im != NULL);
    CHECK_INT(im->volume.dtype, LOBEDICE_UINT16);
    CHECK_INT(test_load(im->volume.data, im->volume.dtype, 5), 40000);
    lobedice_image_free(im);

    /* MetaImage float, written by hand. */
    const char *mha = fixture("float.mha");
    write_header_and_data(
        mha,
        "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = "
        "False\nCompressedData = False\nTransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = "
        "-1 -2 -3\nElementSpacing = 0.5 0.5 1\nDimSize = 3 4 2\nElementType = "
        "MET_FLOAT\nElementDataFile = LOCAL\n",
        f, sizeof f, 0);
    CHECK_INT(lobedice_image_read(&im, mha, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_FATAL(im != NULL);
    CHECK_INT(im->volume.dtype, LOBEDICE_UINT8);
    CHECK_NEAR(im->origin[2], -3.0, 1e-12);
    CHECK_INT(test_load(im->volume.data, im->volume.dtype, 23), 23 % 6);
    lobedice_image_free(im);
}

static void fractional_values_fail_naming_the_voxel(void)
{
    char message[512];
    lobedice_image *im = NULL;
    float f[24];
    double d[24];
    for (int i = 0; i < 24; i++)
        f[i] = (float)(i % 3);
    f[1 + 3 * (2 + 4 * 1)] = 2.5f; /* voxel (1, 2, 1) */
    f[23] = 0.25f;                 /* a later one is not the one named */
    const char *path = fixture("fraction.nrrd");
    write_float_nrrd(path, "float", f, sizeof f);
    CHECK_INT(lobedice_image_read(&im, path, 0, message, sizeof message), LOBEDICE_ENONINTEGER);
    CHECK(im == NULL);
    CHECK(strstr(message, path) != NULL);
    CHECK(strstr(message, "(1, 2, 1)") != NULL);
    CHECK(strstr(message, "2.5") != NULL);
    CHECK(strstr(message, "not a whole number") != NULL);
    CHECK(strchr(message, '\n') == NULL);

    for (int i = 0; i < 24; i++)
        d[i] = i % 3;
    d[2 + 3 * (0 + 4 * 1)] = NAN; /* voxel (2, 0, 1) */
    write_float_nrrd(path, "double", d, sizeof d);
    CHECK_INT(lobedice_image_read(&im, path, 0, message, sizeof message), LOBEDICE_ENONINTEGER);
    CHECK(strstr(message, "(2, 0, 1)") != NULL);
    CHECK(strstr(message, "not a finite number") != NULL);

    d[2 + 3 * (0 + 4 * 1)] = 1;
    d[0] = -1;
    d[7] = 5e9; /* voxel (1, 2, 0): whole, but -1..5e9 fits no label type */
    write_float_nrrd(path, "double", d, sizeof d);
    CHECK_INT(lobedice_image_read(&im, path, 0, message, sizeof message), LOBEDICE_ENONINTEGER);
    CHECK(strstr(message, "(1, 2, 0)") != NULL);
    CHECK(strstr(message, "5000000000") != NULL);
    CHECK(strstr(message, "fit no label type") != NULL);
}

/* ---- Files that are not label maps ---------------------------------------------------------- */

static void unsupported_and_broken_files_fail(void)
{
    char message[512];
    lobedice_image *im = (lobedice_image *)&message; /* must be reset to NULL */
    uint8_t data[3 * 4 * 5 * 6];
    memset(data, 1, sizeof data);

    const char *vector = fixture("vector.nrrd");
    write_header_and_data(vector,
                          "NRRD0004\ntype: unsigned char\ndimension: 4\nsizes: 3 4 5 6\n"
                          "kinds: vector domain domain domain\nencoding: raw\n\n",
                          data, 3 * 4 * 5 * 6, 0);
    CHECK_INT(lobedice_image_read(&im, vector, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK(im == NULL);
    CHECK(strstr(message, vector) != NULL);
    CHECK(strstr(message, "3 values per voxel") != NULL);

    const char *layers = fixture("layers.seg.nrrd");
    write_header_and_data(
        layers,
        "NRRD0004\ntype: unsigned char\ndimension: 4\nspace: left-posterior-superior\n"
        "sizes: 2 4 5 6\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\n"
        "kinds: list domain domain domain\nencoding: raw\nspace origin: (0,0,0)\n\n",
        data, 2 * 4 * 5 * 6, 0);
    CHECK_INT(lobedice_image_read(&im, layers, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK(strstr(message, "2 values per voxel") != NULL);

    const char *four = fixture("four.nrrd");
    write_header_and_data(four,
                          "NRRD0004\ntype: unsigned char\ndimension: 4\nsizes: 2 3 4 5\n"
                          "kinds: domain domain domain domain\nencoding: raw\n\n",
                          data, 2 * 3 * 4 * 5, 0);
    CHECK_INT(lobedice_image_read(&im, four, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK(strstr(message, "4-D") != NULL);

    /* A header whose voxel count overflows (teem checks this itself, MetaIO does not): refused
     * before ITK multiplies the sizes unchecked and allocates. */
    const char *huge = fixture("huge.mha");
    write_header_and_data(huge,
                          "ObjectType = Image\nNDims = 3\nDimSize = 4194304 4194304 4194304\n"
                          "ElementType = MET_UCHAR\nElementDataFile = LOCAL\n",
                          data, 10, 0);
    CHECK_INT(lobedice_image_read(&im, huge, 0, message, sizeof message), LOBEDICE_EOVERFLOW);
    CHECK(strstr(message, "4194304 x 4194304 x 4194304") != NULL);

    const char *missing = fixture("missing.nrrd");
    CHECK_INT(lobedice_image_read(&im, missing, 0, message, sizeof message), LOBEDICE_EIO);
    CHECK(strstr(message, missing) != NULL);
    CHECK(strstr(message, "no such file") != NULL);

    const char *garbage = fixture("garbage.nrrd");
    write_header_and_data(garbage, "this is not an image\n", data, 100, 0);
    CHECK_INT(lobedice_image_read(&im, garbage, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK(strstr(message, garbage) != NULL);
    CHECK(strstr(message, "no ITK reader") != NULL);

    const char *truncated = fixture("truncated.nrrd");
    write_header_and_data(truncated,
                          "NRRD0004\ntype: unsigned char\ndimension: 3\nsizes: 40 40 40\n"
                          "encoding: raw\n\n",
                          data, 10, 0);
    CHECK_INT(lobedice_image_read(&im, truncated, 0, message, sizeof message), LOBEDICE_EIO);
    CHECK(strstr(message, truncated) != NULL);
    CHECK(strchr(message, '\n') == NULL);

    const char *folder = fixture("folder.nrrd");
    CHECK_FATAL(mkdir(folder, 0777) == 0);
    CHECK_INT(lobedice_image_read(&im, folder, 0, message, sizeof message), LOBEDICE_EIO);
    CHECK(strstr(message, "folder") != NULL);

    /* A tiny caller buffer gets a truncated, terminated sentence. */
    char tiny[8];
    CHECK_INT(lobedice_image_read(&im, missing, 0, tiny, sizeof tiny), LOBEDICE_EIO);
    CHECK_UINT(strlen(tiny), sizeof tiny - 1);
    CHECK_INT(lobedice_image_read(&im, missing, 0, NULL, 0), LOBEDICE_EIO);
    CHECK_INT(lobedice_image_read(NULL, missing, 0, message, sizeof message), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_image_read(&im, NULL, 0, message, sizeof message), LOBEDICE_EINVAL);
}

/* ---- Writing ------------------------------------------------------------------------------- */

static void failed_writes_leave_nothing(void)
{
    lobedice_image *im = range_image(LOBEDICE_UINT8);
    char message[512];
    const char *folder = fixture("out");
    CHECK_FATAL(mkdir(folder, 0755) == 0);

    /* The target is an existing folder: the temporary file is written, the rename fails, and
     * the temporary file must be gone. */
    char target[4200];
    CHECK_FATAL(snprintf(target, sizeof target, "%s/taken.nrrd", folder) < (int)sizeof target);
    CHECK_FATAL(mkdir(target, 0755) == 0);
    CHECK_INT(lobedice_image_write(im, target, 0, message, sizeof message), LOBEDICE_EIO);
    CHECK(strstr(message, target) != NULL);
    CHECK_INT(list_dir(folder, NULL, 0), 1); /* only the folder named taken.nrrd */

    /* A folder that does not exist. */
    CHECK_FATAL(snprintf(target, sizeof target, "%s/no/such/folder/x.nii.gz", folder) <
                (int)sizeof target);
    CHECK_INT(lobedice_image_write(im, target, 1, message, sizeof message), LOBEDICE_EIO);
    CHECK(strstr(message, "no such file") != NULL);
    CHECK(!file_exists(target));

    /* A folder nobody may write to, root included (the tests may run as root, for whom
     * permission bits do not stop a write). */
    CHECK_INT(lobedice_image_write(im, "/proc/lobedice-test.nrrd", 0, message, sizeof message),
              LOBEDICE_EIO);
    CHECK(strstr(message, "Cannot create a file beside '/proc/lobedice-test.nrrd'") != NULL);
    CHECK(!file_exists("/proc/lobedice-test.nrrd"));

    /* A "folder" that is a file. */
    const char *plain = fixture("plain");
    write_header_and_data(plain, "x", NULL, 0, 0);
    CHECK_FATAL(snprintf(target, sizeof target, "%s/x.nrrd", plain) < (int)sizeof target);
    CHECK_INT(lobedice_image_write(im, target, 0, message, sizeof message), LOBEDICE_EIO);

    /* An extension that picks no single-file format. */
    CHECK_FATAL(snprintf(target, sizeof target, "%s/x.png", folder) < (int)sizeof target);
    CHECK_INT(lobedice_image_write(im, target, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK_FATAL(snprintf(target, sizeof target, "%s/x.nhdr", folder) < (int)sizeof target);
    CHECK_INT(lobedice_image_write(im, target, 0, message, sizeof message), LOBEDICE_EFORMAT);
    CHECK_INT(list_dir(folder, NULL, 0), 1);

    /* A successful write over an existing file replaces it whole and leaves no extra file. */
    CHECK_FATAL(snprintf(target, sizeof target, "%s/replaced.mha", folder) < (int)sizeof target);
    write_header_and_data(target, "old", NULL, 0, 0);
    CHECK_INT(lobedice_image_write(im, target, 1, message, sizeof message), LOBEDICE_OK);
    lobedice_image *back = NULL;
    CHECK_INT(lobedice_image_read(&back, target, 0, message, sizeof message), LOBEDICE_OK);
    CHECK(back && memcmp(back->volume.data, im->volume.data, voxels_of(im)) == 0);
    lobedice_image_free(back);
    CHECK_INT(list_dir(folder, NULL, 0), 2);

    CHECK_INT(lobedice_image_write(NULL, target, 0, message, sizeof message), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_image_write(im, "", 0, message, sizeof message), LOBEDICE_EINVAL);
    lobedice_image_free(im);
}

/* ---- Geometry reconciliation ---------------------------------------------------------------- */

static lobedice_image *grid_image(lobedice_dtype t, const size_t size[3], const double spacing[3],
                                  const double origin[3], const double direction[9])
{
    lobedice_image *im = NULL;
    CHECK_FATAL(lobedice_image_new(&im, t, size, spacing, origin, direction) == LOBEDICE_OK);
    return im;
}

static void align_identical_keeps_the_image(void)
{
    const size_t size[3] = {6, 5, 4};
    const double spacing[3] = {1, 2, 3}, origin[3] = {0, 0, 0};
    double direction[9];
    oblique_direction(direction);
    lobedice_image *ref = grid_image(LOBEDICE_UINT8, size, spacing, origin, direction);
    lobedice_image *mov = grid_image(LOBEDICE_INT16, size, spacing, origin, direction);
    /* float32 rounding of a NIfTI header is far inside the tolerance */
    mov->origin[0] += 1e-5;
    mov->volume.spacing[1] *= 1 + 1e-7;
    const lobedice_image *before = mov;
    lobedice_alignment how = LOBEDICE_ALIGN_RESAMPLED;
    char message[512];
    CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_INT(how, LOBEDICE_ALIGN_IDENTICAL);
    CHECK(mov == before);
    CHECK_INT(mov->volume.dtype, LOBEDICE_INT16);
    lobedice_image_free(ref);
    lobedice_image_free(mov);
}

/* A crop of an oblique reference, partly outside it (negative offset along y): the part inside
 * lands on the right voxels, the rest of the grid is background, the part outside is dropped. */
static void align_places_crops_on_oblique_grids(void)
{
    const size_t size[3] = {9, 8, 7}, crop[3] = {4, 5, 3};
    const double spacing[3] = {0.8, 1.1, 2.0}, origin[3] = {12, -30, 5};
    double direction[9];
    oblique_direction(direction);
    lobedice_image *ref = grid_image(LOBEDICE_UINT8, size, spacing, origin, direction);
    const int64_t offset[3] = {3, -2, 4}; /* crop voxel (0,0,0) at reference voxel offset */
    double crop_origin[3];
    for (int r = 0; r < 3; r++) {
        crop_origin[r] = origin[r];
        for (int c = 0; c < 3; c++)
            crop_origin[r] += direction[3 * r + c] * spacing[c] * (double)offset[c];
    }
    lobedice_image *mov = grid_image(LOBEDICE_INT8, crop, spacing, crop_origin, direction);
    int8_t *m = lobedice_image_buffer(mov);
    for (size_t i = 0; i < 60; i++)
        m[i] = (int8_t)(-(int)(i % 5) - 1); /* negative labels survive as int8 */
    lobedice_alignment how = LOBEDICE_ALIGN_IDENTICAL;
    char message[512];
    CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_INT(how, LOBEDICE_ALIGN_PLACED);
    CHECK_INT(mov->volume.dtype, LOBEDICE_INT8);
    for (int a = 0; a < 3; a++)
        CHECK_UINT(mov->volume.size[a], size[a]);
    check_geometry_near(mov, spacing, origin, direction, 0);
    const int8_t *placed = mov->volume.data;
    int correct = 1;
    for (size_t z = 0; z < size[2]; z++)
        for (size_t y = 0; y < size[1]; y++)
            for (size_t x = 0; x < size[0]; x++) {
                int64_t cx = (int64_t)x - offset[0], cy = (int64_t)y - offset[1],
                        cz = (int64_t)z - offset[2];
                int inside = cx >= 0 && cx < 4 && cy >= 0 && cy < 5 && cz >= 0 && cz < 3;
                int expected = inside ? -(int)((size_t)(cx + 4 * (cy + 5 * cz)) % 5) - 1 : 0;
                correct &= placed[x + size[0] * (y + size[1] * z)] == expected;
            }
    CHECK(correct);
    lobedice_image_free(ref);
    lobedice_image_free(mov);
}

/* Spacing 2 against spacing 1 with the origin half a reference voxel along: reference voxel i
 * lies at moving continuous index i/2 - 0.25, so nearest neighbour takes moving voxel i/2. */
static void align_resamples_other_grids(void)
{
    const size_t rsize[3] = {10, 8, 6}, msize[3] = {4, 3, 2};
    const double rspacing[3] = {1, 1, 1}, mspacing[3] = {2, 2, 2};
    const double rorigin[3] = {0, 0, 0}, morigin[3] = {0.5, 0.5, 0.5};
    lobedice_dtype types[2] = {LOBEDICE_INT16, LOBEDICE_UINT32};
    for (int k = 0; k < 2; k++) {
        lobedice_image *ref = grid_image(LOBEDICE_UINT8, rsize, rspacing, rorigin, NULL);
        lobedice_image *mov = grid_image(types[k], msize, mspacing, morigin, NULL);
        for (size_t i = 0; i < 24; i++)
            test_store(lobedice_image_buffer(mov), types[k], i,
                       types[k] == LOBEDICE_INT16 ? -1000 - (int64_t)i : 4000000000LL + (int64_t)i);
        lobedice_alignment how = LOBEDICE_ALIGN_IDENTICAL;
        char message[512];
        CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
        CHECK_INT(how, LOBEDICE_ALIGN_RESAMPLED);
        CHECK_INT(mov->volume.dtype, types[k]);
        for (int a = 0; a < 3; a++)
            CHECK_UINT(mov->volume.size[a], rsize[a]);
        int correct = 1;
        for (size_t z = 0; z < 6; z++)
            for (size_t y = 0; y < 8; y++)
                for (size_t x = 0; x < 10; x++) {
                    size_t mx = x / 2, my = y / 2, mz = z / 2;
                    int64_t expected = 0;
                    if (mx < 4 && my < 3 && mz < 2) {
                        size_t j = mx + 4 * (my + 3 * mz);
                        expected = types[k] == LOBEDICE_INT16 ? -1000 - (int64_t)j
                                                              : 4000000000LL + (int64_t)j;
                    }
                    correct &=
                        test_load(mov->volume.data, types[k], x + 10 * (y + 8 * z)) == expected;
                }
        CHECK(correct);
        lobedice_image_free(ref);
        lobedice_image_free(mov);
    }

    /* Same spacing, shifted by a third of a voxel: not whole, so resampled. */
    lobedice_image *ref = grid_image(LOBEDICE_UINT8, rsize, rspacing, rorigin, NULL);
    const double shifted[3] = {0.33, 0, 0};
    lobedice_image *mov = grid_image(LOBEDICE_UINT8, rsize, rspacing, shifted, NULL);
    lobedice_alignment how = LOBEDICE_ALIGN_IDENTICAL;
    char message[512];
    CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_INT(how, LOBEDICE_ALIGN_RESAMPLED);
    lobedice_image_free(mov);
    /* Same grid but another direction: resampled. */
    double direction[9];
    oblique_direction(direction);
    mov = grid_image(LOBEDICE_UINT8, rsize, rspacing, rorigin, direction);
    CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message), LOBEDICE_OK);
    CHECK_INT(how, LOBEDICE_ALIGN_RESAMPLED);
    lobedice_image_free(mov);
    lobedice_image_free(ref);
}

static void align_refuses_disjoint_maps(void)
{
    const size_t size[3] = {10, 10, 10};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0}, far[3] = {0, 0, 10.0};
    lobedice_image *ref = grid_image(LOBEDICE_UINT8, size, spacing, origin, NULL);
    lobedice_image *mov = grid_image(LOBEDICE_UINT8, size, spacing, far, NULL);
    const lobedice_image *before = mov;
    lobedice_alignment how = LOBEDICE_ALIGN_PLACED;
    char message[512];
    /* Touching faces (z from 9.5 to 19.5 against -0.5 to 9.5) share no volume. */
    CHECK_INT(lobedice_image_align(&mov, &how, ref, 0, message, sizeof message),
              LOBEDICE_EGEOMETRY);
    CHECK(mov == before);
    CHECK_INT(how, LOBEDICE_ALIGN_PLACED);
    CHECK(strstr(message, "z [9.50, 19.50]") != NULL);
    CHECK(strstr(message, "z [-0.50, 9.50]") != NULL);
    CHECK(strstr(message, "do not overlap") != NULL);
    CHECK(strchr(message, '\n') == NULL);

    /* Grids turned 45 degrees about z, side by side along their own x axis: their axis-aligned
     * physical boxes overlap, their voxels do not. */
    const double c = sqrt(0.5), turned[9] = {c, -c, 0, c, c, 0, 0, 0, 1};
    const size_t flat[3] = {10, 10, 1};
    const double beside[3] = {12 * c, 12 * c, 0};
    lobedice_image *tref = grid_image(LOBEDICE_UINT8, flat, spacing, origin, turned);
    lobedice_image *tmov = grid_image(LOBEDICE_UINT8, flat, spacing, beside, turned);
    CHECK_INT(lobedice_image_align(&tmov, &how, tref, 0, message, sizeof message),
              LOBEDICE_EGEOMETRY);
    lobedice_image_free(tref);
    lobedice_image_free(tmov);

    CHECK_INT(lobedice_image_align(NULL, &how, ref, 0, message, sizeof message), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_image_align(&mov, NULL, ref, 0, message, sizeof message), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_image_align(&mov, &how, NULL, 0, message, sizeof message), LOBEDICE_EINVAL);
    lobedice_image_free(ref);
    lobedice_image_free(mov);
}

static void new_image_checks_its_arguments(void)
{
    const size_t size[3] = {2, 2, 2}, empty[3] = {2, 0, 2};
    const double spacing[3] = {1, 1, 1}, bad_spacing[3] = {1, -1, 1}, origin[3] = {0, 0, 0};
    const double singular[9] = {1, 0, 0, 1, 0, 0, 0, 0, 1};
    lobedice_image *im = NULL;
    CHECK_INT(lobedice_image_new(&im, LOBEDICE_INT32, size, spacing, origin, NULL), LOBEDICE_OK);
    CHECK(im && im->dimension == 3 && im->direction[0] == 1 && im->direction[1] == 0);
    for (size_t i = 0; i < 8; i++)
        CHECK_INT(((const int32_t *)im->volume.data)[i], 0);
    lobedice_image_free(im);
    CHECK_INT(lobedice_image_new(&im, LOBEDICE_INT32, empty, spacing, origin, NULL),
              LOBEDICE_ESIZE);
    CHECK(im == NULL);
    CHECK_INT(lobedice_image_new(&im, LOBEDICE_INT32, size, bad_spacing, origin, NULL),
              LOBEDICE_ESPACING);
    CHECK_INT(lobedice_image_new(&im, (lobedice_dtype)42, size, spacing, origin, NULL),
              LOBEDICE_EDTYPE);
    CHECK_INT(lobedice_image_new(&im, LOBEDICE_INT32, size, spacing, origin, singular),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_image_new(NULL, LOBEDICE_INT32, size, spacing, origin, NULL),
              LOBEDICE_EINVAL);
    lobedice_image_free(NULL);
    CHECK(lobedice_image_buffer(NULL) == NULL);
}

/* lobedice_grid_affine against the sform ITK's NIfTI writer stores (RAS, so x and y negated),
 * its inverse against the identity, and its refusals. */
static void grid_affine_matches_the_written_sform(void)
{
    lobedice_image *im = range_image(LOBEDICE_UINT8);
    unsigned char h[348];
    written_nifti_header(im, "affine.nii", h);
    float srow[3][4];
    memcpy(srow, h + 280, sizeof srow);

    double to_lps[12], to_index[12];
    CHECK_INT(lobedice_grid_affine(im->origin, im->direction, im->volume.spacing, to_lps, to_index),
              LOBEDICE_OK);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
            CHECK_NEAR(to_lps[4 * r + c], (r < 2 ? -1.0 : 1.0) * srow[r][c], 1e-4);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) { /* to_index o to_lps = [I | 0] */
            double v = c == 3 ? to_index[4 * r + 3] : 0;
            for (int k = 0; k < 3; k++)
                v += to_index[4 * r + k] * to_lps[4 * k + c];
            CHECK_NEAR(v, (double)(r == c), 1e-12);
        }
    double only_back[12];
    CHECK_INT(lobedice_grid_affine(im->origin, im->direction, im->volume.spacing, NULL, only_back),
              LOBEDICE_OK);
    CHECK(memcmp(only_back, to_index, sizeof only_back) == 0);

    /* a spacing of 1 um is still a grid: invertibility is the direction's */
    const double tiny[3] = {1e-3, 1e-3, 1e-3}, zero_spacing[3] = {1, 0, 1};
    const double singular[9] = {1, 0, 0, 1, 0, 0, 0, 0, 1};
    const double nan_origin[3] = {0, NAN, 0};
    CHECK_INT(lobedice_grid_affine(im->origin, im->direction, tiny, to_lps, to_index), LOBEDICE_OK);
    CHECK_NEAR(to_index[0] * to_lps[0] + to_index[1] * to_lps[4] + to_index[2] * to_lps[8], 1,
               1e-12);
    CHECK_INT(lobedice_grid_affine(im->origin, im->direction, zero_spacing, to_lps, NULL),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_grid_affine(im->origin, singular, im->volume.spacing, to_lps, NULL),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_grid_affine(nan_origin, im->direction, im->volume.spacing, to_lps, NULL),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_grid_affine(NULL, im->direction, im->volume.spacing, to_lps, NULL),
              LOBEDICE_EINVAL);
    lobedice_image_free(im);
}

/* An interrupt (lobedice_outputs_abandon from the signal thread) can come while another thread
 * is about to open its staged file: the late writer must find nowhere to write, rather than
 * create the file again after the clean-up (a leftover the old flat staging names allowed). */
static void abandoned_outputs_leave_nothing(void)
{
    char folder[4200];
    snprintf(folder, sizeof folder, "%s", fixture("abandon"));
    CHECK_FATAL(mkdir(folder, 0777) == 0);
    char target[4300], message[512];
    snprintf(target, sizeof target, "%s/m.nii.gz", folder);
    lobedice_outputs *set = NULL;
    CHECK_FATAL(lobedice_outputs_new(&set) == LOBEDICE_OK);
    const char *temp = NULL;
    CHECK_INT(lobedice_outputs_stage(set, target, &temp, message, sizeof message), LOBEDICE_OK);
    CHECK_FATAL(temp != NULL);
    char *staged = strdup(temp);
    CHECK(strstr(staged, "/m.nii.gz") != NULL);
    CHECK_INT(list_dir(folder, NULL, 0), 1); /* the private folder */

    lobedice_outputs_abandon(set);
    FILE *late = fopen(staged, "wb"); /* the writer, a moment too late */
    CHECK(late == NULL);
    if (late)
        fclose(late);
    CHECK_INT(list_dir(folder, NULL, 0), 0);
    CHECK_INT(lobedice_outputs_stage(set, target, &temp, message, sizeof message), LOBEDICE_EIO);
    CHECK_INT(lobedice_outputs_commit(set, message, sizeof message), LOBEDICE_EIO);
    lobedice_outputs_free(set);
    CHECK_INT(list_dir(folder, NULL, 0), 0);
    free(staged);

    /* an image that cannot be written abandons its set: the other output is not committed */
    CHECK_FATAL(lobedice_outputs_new(&set) == LOBEDICE_OK);
    snprintf(target, sizeof target, "%s/report.json", folder);
    CHECK_INT(lobedice_outputs_stage(set, target, &temp, message, sizeof message), LOBEDICE_OK);
    lobedice_image *im = range_image(LOBEDICE_UINT8);
    char image_target[4300];
    snprintf(image_target, sizeof image_target, "%s/map.xyz", folder);
    CHECK_INT(lobedice_image_write_staged(im, set, image_target, 0, message, sizeof message),
              LOBEDICE_EFORMAT);
    CHECK(strstr(message, "map.xyz") != NULL);
    CHECK_INT(lobedice_outputs_commit(set, message, sizeof message), LOBEDICE_EIO);
    lobedice_outputs_free(set);
    lobedice_image_free(im);
    CHECK_INT(list_dir(folder, NULL, 0), 0);
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"roundtrip_every_format_and_dtype", roundtrip_every_format_and_dtype},
        {"written_headers_hold_the_geometry", written_headers_hold_the_geometry},
        {"roundtrip_2d", roundtrip_2d},
        {"reads_slicer_seg_nrrd", reads_slicer_seg_nrrd},
        {"phantom_crop_is_placed_exactly", phantom_crop_is_placed_exactly},
        {"reads_nifti_with_trailing_axis", reads_nifti_with_trailing_axis},
        {"float_whole_values_convert", float_whole_values_convert},
        {"fractional_values_fail_naming_the_voxel", fractional_values_fail_naming_the_voxel},
        {"unsupported_and_broken_files_fail", unsupported_and_broken_files_fail},
        {"failed_writes_leave_nothing", failed_writes_leave_nothing},
        {"align_identical_keeps_the_image", align_identical_keeps_the_image},
        {"align_places_crops_on_oblique_grids", align_places_crops_on_oblique_grids},
        {"align_resamples_other_grids", align_resamples_other_grids},
        {"align_refuses_disjoint_maps", align_refuses_disjoint_maps},
        {"new_image_checks_its_arguments", new_image_checks_its_arguments},
        {"grid_affine_matches_the_written_sform", grid_affine_matches_the_written_sform},
        {"abandoned_outputs_leave_nothing", abandoned_outputs_leave_nothing},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
