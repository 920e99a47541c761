/* The core's conversions behind the wrapping layer (core/src/convert.c), against brute force:
 * lobedice_labels_from_double at every dtype's limits and with the first bad value spread over
 * several tasks, lobedice_dtype_for_range, lobedice_volume_paste with offsets on every side,
 * dtype conversions and every error status, and lobedice_volume_voxels on its own. Pure C: it
 * needs no ITK, only the core. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void from_double_limits(void)
{
    for (int k = 0; k < 6; k++) {
        int64_t lo = 0, hi = 0;
        test_range(all_dtypes[k], &lo, &hi);
        const double ok[5] = {(double)lo, (double)hi, -0.0, 1.0, (double)hi - 1};
        int32_t out[5];
        CHECK_INT(lobedice_labels_from_double(out, all_dtypes[k], ok, 5, NULL, 0), LOBEDICE_OK);
        CHECK_INT(test_load(out, all_dtypes[k], 0), lo);
        CHECK_INT(test_load(out, all_dtypes[k], 1), hi);
        CHECK_INT(test_load(out, all_dtypes[k], 2), 0);
        CHECK_INT(test_load(out, all_dtypes[k], 4), hi - 1);
        const double bad[6] = {(double)lo - 1, (double)hi + 1, 0.5, NAN, INFINITY, -INFINITY};
        for (int b = 0; b < 6; b++) {
            const double values[3] = {1, bad[b], 2};
            size_t first = 99;
            CHECK_INT(lobedice_labels_from_double(out, all_dtypes[k], values, 3, &first, 0),
                      LOBEDICE_ENONINTEGER);
            CHECK_UINT(first, 1);
            /* first_bad may be NULL: the status alone */
            CHECK_INT(lobedice_labels_from_double(out, all_dtypes[k], values, 3, NULL, 0),
                      LOBEDICE_ENONINTEGER);
        }
    }
    double one = 1;
    uint8_t byte;
    CHECK_INT(lobedice_labels_from_double(&byte, (lobedice_dtype)9, &one, 1, NULL, 0),
              LOBEDICE_EDTYPE);
    CHECK_INT(lobedice_labels_from_double(NULL, LOBEDICE_UINT8, &one, 1, NULL, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_from_double(&byte, LOBEDICE_UINT8, NULL, 1, NULL, 0),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_labels_from_double(NULL, LOBEDICE_UINT8, NULL, 0, NULL, 0), LOBEDICE_OK);
}

/* Many tasks: the reported index is the lowest bad one, wherever the others are. */
static void from_double_first_bad_is_lowest(void)
{
    const size_t n = 5u << 18;
    double *values = malloc(n * sizeof *values);
    uint16_t *out = malloc(n * sizeof *out);
    CHECK_FATAL(values && out);
    for (size_t i = 0; i < n; i++)
        values[i] = (double)(i % 1000);
    CHECK_INT(lobedice_labels_from_double(out, LOBEDICE_UINT16, values, n, NULL, 0), LOBEDICE_OK);
    int same = 1;
    for (size_t i = 0; i < n; i++)
        same &= out[i] == i % 1000;
    CHECK(same);
    const size_t bad[4] = {n - 1, 3 * (n / 5) + 7, (n / 5) + 11, 2 * (n / 5)};
    for (int k = 0; k < 4; k++) {
        values[bad[k]] = 0.25;
        size_t first = 0;
        for (int repeat = 0; repeat < 3; repeat++) {
            CHECK_INT(lobedice_labels_from_double(out, LOBEDICE_UINT16, values, n, &first, 0),
                      LOBEDICE_ENONINTEGER);
            CHECK_UINT(first, k < 2 ? bad[k] : bad[2]);
        }
    }
    free(values);
    free(out);
}

static void dtype_for_range_picks_the_smallest(void)
{
    static const struct {
        int64_t lo, hi;
        lobedice_dtype dtype;
    } cases[] = {{0, 0, LOBEDICE_UINT8},      {0, 255, LOBEDICE_UINT8},
                 {-1, 5, LOBEDICE_INT8},      {-128, 127, LOBEDICE_INT8},
                 {0, 256, LOBEDICE_UINT16},   {-1, 300, LOBEDICE_INT16},
                 {0, 65536, LOBEDICE_UINT32}, {0, UINT32_MAX, LOBEDICE_UINT32},
                 {-1, 70000, LOBEDICE_INT32}, {INT32_MIN, INT32_MAX, LOBEDICE_INT32}};
    for (size_t i = 0; i < CHECK_COUNT(cases); i++) {
        lobedice_dtype t = (lobedice_dtype)99;
        CHECK_INT(lobedice_dtype_for_range(&t, cases[i].lo, cases[i].hi), LOBEDICE_OK);
        CHECK_INT(t, cases[i].dtype);
    }
    lobedice_dtype t;
    CHECK_INT(lobedice_dtype_for_range(&t, -1, UINT32_MAX), LOBEDICE_ENONINTEGER);
    CHECK_INT(lobedice_dtype_for_range(&t, (int64_t)INT32_MIN - 1, 0), LOBEDICE_ENONINTEGER);
    CHECK_INT(lobedice_dtype_for_range(&t, 0, (int64_t)UINT32_MAX + 1), LOBEDICE_ENONINTEGER);
    CHECK_INT(lobedice_dtype_for_range(&t, 5, 4), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_dtype_for_range(NULL, 0, 1), LOBEDICE_EINVAL);
}

/* dst (7 x 6 x 5, filled with 99) receives a 4 x 3 x 3 src at every offset from fully outside
 * on one side to fully outside on the other; compared with a brute-force placement. */
static void paste_matches_brute_force(void)
{
    const size_t dsize[3] = {7, 6, 5}, ssize[3] = {4, 3, 3};
    uint8_t src[36];
    for (int i = 0; i < 36; i++)
        src[i] = (uint8_t)(i + 1);
    const lobedice_volume sv = {src, LOBEDICE_UINT8, {4, 3, 3}, {1, 1, 1}};
    int all_ok = 1;
    for (int64_t oz = -4; oz <= 6; oz++)
        for (int64_t oy = -4; oy <= 7; oy++)
            for (int64_t ox = -5; ox <= 8; ox++) {
                int16_t dst[210], expected[210];
                for (int i = 0; i < 210; i++)
                    dst[i] = expected[i] = 99;
                for (size_t z = 0; z < ssize[2]; z++)
                    for (size_t y = 0; y < ssize[1]; y++)
                        for (size_t x = 0; x < ssize[0]; x++) {
                            int64_t dx = ox + (int64_t)x, dy = oy + (int64_t)y,
                                    dz = oz + (int64_t)z;
                            if (dx >= 0 && dx < 7 && dy >= 0 && dy < 6 && dz >= 0 && dz < 5)
                                expected[dx + 7 * (dy + 6 * dz)] = src[x + 4 * (y + 3 * z)];
                        }
                const int64_t offset[3] = {ox, oy, oz};
                all_ok &= lobedice_volume_paste(dst, LOBEDICE_INT16, dsize, &sv, offset, 0) ==
                          LOBEDICE_OK;
                all_ok &= memcmp(dst, expected, sizeof dst) == 0;
            }
    CHECK(all_ok);

    /* Same dtype (the memcpy path), one offset. */
    uint8_t same[210];
    memset(same, 7, sizeof same);
    const int64_t offset[3] = {2, 1, 1};
    CHECK_INT(lobedice_volume_paste(same, LOBEDICE_UINT8, dsize, &sv, offset, 0), LOBEDICE_OK);
    CHECK_INT(same[2 + 7 * (1 + 6 * 1)], 1);
    CHECK_INT(same[5 + 7 * (3 + 6 * 3)], 36);
    CHECK_INT(same[0], 7);

    /* Offsets at the ends of int64 write nothing. */
    const int64_t far[3] = {INT64_MAX, 0, 0}, before[3] = {INT64_MIN, 0, 0};
    CHECK_INT(lobedice_volume_paste(same, LOBEDICE_UINT8, dsize, &sv, far, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_volume_paste(same, LOBEDICE_UINT8, dsize, &sv, before, 0), LOBEDICE_OK);
    CHECK_INT(same[2 + 7 * (1 + 6 * 1)], 1);
}

static void paste_checks_values_and_arguments(void)
{
    const size_t dsize[3] = {2, 2, 1};
    int16_t wide[4] = {-1, 2, 300, 4};
    const lobedice_volume sv = {wide, LOBEDICE_INT16, {2, 2, 1}, {1, 1, 1}};
    const int64_t zero[3] = {0, 0, 0};
    uint8_t dst[4] = {0, 0, 0, 0};
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &sv, zero, 0),
              LOBEDICE_ENONINTEGER);
    wide[0] = 1;
    wide[2] = 3;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &sv, zero, 0), LOBEDICE_OK);
    CHECK(dst[0] == 1 && dst[1] == 2 && dst[2] == 3 && dst[3] == 4);

    const size_t empty[3] = {2, 0, 1};
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, empty, &sv, zero, 0), LOBEDICE_ESIZE);
    CHECK_INT(lobedice_volume_paste(dst, (lobedice_dtype)7, dsize, &sv, zero, 0), LOBEDICE_EDTYPE);
    CHECK_INT(lobedice_volume_paste(NULL, LOBEDICE_UINT8, dsize, &sv, zero, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, NULL, zero, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &sv, NULL, 0), LOBEDICE_EINVAL);
    lobedice_volume bad = sv;
    bad.spacing[0] = 0;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_ESPACING);
    const size_t huge[3] = {SIZE_MAX / 2, 4, 1};
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, huge, &sv, zero, 0), LOBEDICE_EOVERFLOW);
}

/* Sizes beyond INT64_MAX (whose bytes fit in size_t), and every status of src, on either side of
 * the box test: dst is never written. */
static void paste_refuses_bad_sizes_without_writing(void)
{
    uint8_t src_data[4] = {1, 2, 3, 4};
    const lobedice_volume sv = {src_data, LOBEDICE_UINT8, {2, 2, 1}, {1, 1, 1}};
    const size_t dsize[3] = {2, 2, 1};
    const int64_t zero[3] = {0, 0, 0}, outside[3] = {5, 0, 0};
    uint8_t dst[4] = {9, 9, 9, 9};
    const size_t beyond = (size_t)INT64_MAX + 1;

    for (int a = 0; a < 3; a++) {
        size_t big_dst[3] = {1, 1, 1};
        big_dst[a] = beyond; /* 2^63 bytes: fits in size_t, not in int64_t */
        CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, big_dst, &sv, zero, 0),
                  LOBEDICE_EOVERFLOW);
        lobedice_volume big_src = sv;
        big_src.size[0] = big_src.size[1] = big_src.size[2] = 1;
        big_src.size[a] = beyond; /* a valid volume of 2^63 bytes, never read */
        CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &big_src, zero, 0),
                  LOBEDICE_EOVERFLOW);
        /* also when the box would be empty along another axis */
        CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &big_src, outside, 0),
                  LOBEDICE_EOVERFLOW);
    }
    lobedice_volume bad = sv;
    bad.dtype = (lobedice_dtype)6;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_EDTYPE);
    bad = sv;
    bad.size[1] = 0;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_ESIZE);
    bad = sv;
    bad.data = NULL;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_EINVAL);
    bad = sv;
    bad.spacing[2] = INFINITY; /* checked although paste does not use it (see the header) */
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_ESPACING);
    bad = sv;
    bad.dtype = LOBEDICE_INT32;
    bad.size[0] = SIZE_MAX / 4 + 1;
    bad.size[1] = 1;
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &bad, zero, 0), LOBEDICE_EOVERFLOW);
    CHECK(dst[0] == 9 && dst[1] == 9 && dst[2] == 9 && dst[3] == 9);
    CHECK_INT(lobedice_volume_paste(dst, LOBEDICE_UINT8, dsize, &sv, zero, 0), LOBEDICE_OK);
    CHECK(dst[0] == 1 && dst[1] == 2 && dst[2] == 3 && dst[3] == 4);
}

/* lobedice_volume_voxels on its own: the count, then each status in the order it checks. */
static void volume_voxels_checks_each_field(void)
{
    uint16_t data[30];
    const lobedice_volume good = {data, LOBEDICE_UINT16, {5, 3, 2}, {0.5, 1, 2.5}};
    size_t voxels = 0;
    CHECK_INT(lobedice_volume_voxels(&voxels, &good), LOBEDICE_OK);
    CHECK_UINT(voxels, 30);
    voxels = 123;
    CHECK_INT(lobedice_volume_voxels(NULL, &good), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_volume_voxels(&voxels, NULL), LOBEDICE_EINVAL);
    lobedice_volume v = good;
    v.data = NULL;
    CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_EINVAL);
    v = good;
    v.dtype = (lobedice_dtype)-1;
    CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_EDTYPE);
    for (int a = 0; a < 3; a++) {
        v = good;
        v.size[a] = 0;
        CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_ESIZE);
        const double spacings[4] = {0.0, -1.0, NAN, -INFINITY};
        for (int k = 0; k < 4; k++) {
            v = good;
            v.spacing[a] = spacings[k];
            CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_ESPACING);
        }
    }
    v = good;
    v.size[0] = SIZE_MAX / 2 + 1; /* the voxel count overflows */
    CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_EOVERFLOW);
    v = good;
    v.size[0] = SIZE_MAX / 2 + 1; /* the count fits, its bytes do not */
    v.size[1] = v.size[2] = 1;
    CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_EOVERFLOW);
    CHECK_UINT(voxels, 123);  /* no error wrote the count */
    v.dtype = LOBEDICE_UINT8; /* one byte each: fits */
    CHECK_INT(lobedice_volume_voxels(&voxels, &v), LOBEDICE_OK);
    CHECK_UINT(voxels, SIZE_MAX / 2 + 1);
    CHECK_UINT(lobedice_dtype_size(LOBEDICE_INT16), 2);
    CHECK_UINT(lobedice_dtype_size((lobedice_dtype)6), 0);
}

/* Finite spacings whose voxel volume, volume or squared extent is not finite (or is zero)
 * would report infinite or zero millilitres and distances: refused. */
static void volume_voxels_refuses_infinite_measures(void)
{
    uint8_t data[4] = {1, 0, 2, 1};
    const struct {
        size_t size[3];
        double spacing[3];
        lobedice_status want;
    } cases[] = {
        {{1, 1, 1}, {1e200, 1e200, 1}, LOBEDICE_ESPACING},   /* voxel volume 1e400 */
        {{1, 1, 1}, {1e-200, 1e-200, 1}, LOBEDICE_ESPACING}, /* voxel volume 1e-400 = 0 */
        {{1, 1, 1}, {DBL_MIN, 0.5, 1}, LOBEDICE_ESPACING},   /* a subnormal voxel volume */
        {{4, 1, 1}, {1e308, 1, 1}, LOBEDICE_ESPACING},       /* extent 4e308 */
        {{1, 1, 1}, {1e160, 1, 1}, LOBEDICE_ESPACING},       /* squared extent 1e320 */
        {{1, 1, 1}, {1e100, 1e100, 1e-100}, LOBEDICE_OK},    /* large but finite */
        {{4, 1, 1}, {1e150, 1, 1}, LOBEDICE_OK},             /* squared extent 1.6e301 */
        {{1, 1, 1}, {DBL_MIN, 1, 1}, LOBEDICE_OK},           /* the smallest normal volume */
    };
    for (size_t i = 0; i < CHECK_COUNT(cases); i++) {
        lobedice_volume v = {data, LOBEDICE_UINT8, {0, 0, 0}, {0, 0, 0}};
        memcpy(v.size, cases[i].size, sizeof v.size);
        memcpy(v.spacing, cases[i].spacing, sizeof v.spacing);
        size_t voxels = 0;
        CHECK_INT(lobedice_volume_voxels(&voxels, &v), cases[i].want);
        /* every entry point checks its volumes the same way */
        lobedice_comparison *c = NULL;
        lobedice_compare_options opts = LOBEDICE_COMPARE_OPTIONS_INIT;
        CHECK_INT(lobedice_compare(&c, &v, &v, &opts), cases[i].want);
        lobedice_comparison_free(c);
    }
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"from_double_limits", from_double_limits},
        {"from_double_first_bad_is_lowest", from_double_first_bad_is_lowest},
        {"dtype_for_range_picks_the_smallest", dtype_for_range_picks_the_smallest},
        {"paste_matches_brute_force", paste_matches_brute_force},
        {"paste_checks_values_and_arguments", paste_checks_values_and_arguments},
        {"paste_refuses_bad_sizes_without_writing", paste_refuses_bad_sizes_without_writing},
        {"volume_voxels_checks_each_field", volume_voxels_checks_each_field},
        {"volume_voxels_refuses_infinite_measures", volume_voxels_refuses_infinite_measures},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
