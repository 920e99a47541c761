/* Surface distances against values other libraries publish in their own tests, and the tie at
 * the surface-Dice tolerance (docs/measures.md: d <= tau*(1 + 1e-9)).
 *  - MONAI, tests/metrics/test_surface_dice.py (Project-MONAI/MONAI): its voxel boundaries and
 *    Euclidean distances are ours, so its surface-Dice values are reproduced exactly.
 *  - DeepMind surface-distance, surface_distance_test.py (google-deepmind/surface-distance):
 *    it measures surfels between voxels (areas, corner points), so only the values that do not
 *    depend on that choice carry over: the Hausdorff distance and its 95th percentile of its
 *    2-pixel and shifted-cube cases, and the volumetric Dice. Its average distances and
 *    area-weighted surface Dice are a different definition (docs/surface.md). */
#include "check.h"
#include "lobedice/lobedice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A comparison of one label (and optionally the background, label 0) with surface distances. */
static lobedice_comparison *compare(const uint8_t *ref, const uint8_t *pred, const size_t size[3],
                                    const double spacing[3], double tolerance, int background)
{
    const lobedice_volume r = {
        ref, LOBEDICE_UINT8, {size[0], size[1], size[2]}, {spacing[0], spacing[1], spacing[2]}};
    lobedice_volume p = r;
    p.data = pred;
    const int64_t labels[2] = {0, 1};
    lobedice_compare_options o = LOBEDICE_COMPARE_OPTIONS_INIT;
    o.labels = background ? labels : labels + 1;
    o.nlabels = background ? 2 : 1;
    o.region_mode = LOBEDICE_REGIONS_GIVEN;
    o.surface_distances = 1;
    o.tolerance_mm = tolerance;
    o.threads = 2;
    lobedice_comparison *c = NULL;
    CHECK_INT(lobedice_compare(&c, &r, &p, &o), LOBEDICE_OK);
    CHECK_FATAL(c);
    return c;
}

static double value(const lobedice_comparison *c, size_t row, lobedice_measure m)
{
    return lobedice_comparison_value(c, row, m);
}

/* ---- The tie: 3 voxels of 1.1 mm against a 3.3 mm tolerance --------------------------------- */

static void test_tie_at_tolerance(void)
{
    /* two bars 6 voxels long, 3 voxels apart along x (spacing 1.1 mm) */
    const size_t size[3] = {20, 4, 1};
    const double spacing[3] = {1.1, 1.0, 1.0};
    uint8_t ref[80] = {0}, pred[80] = {0};
    for (size_t y = 0; y < 4; y++)
        for (size_t x = 0; x < 20; x++) {
            ref[y * 20 + x] = x >= 2 && x < 8;
            pred[y * 20 + x] = x >= 5 && x < 11;
        }
    lobedice_comparison *c = compare(ref, pred, size, spacing, 3.3, 0);
    /* the farthest surface voxels are 3 x 1.1 mm apart, which rounds above 3.3 */
    const double hd = value(c, 0, LOBEDICE_MEASURE_HD);
    CHECK(hd > 3.3);
    CHECK_NEAR(hd, 3.3, 1e-12);
    CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_NSD), 1.0);
    lobedice_comparison_free(c);
    /* a tolerance truly below leaves them out */
    c = compare(ref, pred, size, spacing, 3.3 * (1 - 1e-6), 0);
    CHECK(value(c, 0, LOBEDICE_MEASURE_NSD) < 1.0);
    lobedice_comparison_free(c);
}

/* ---- MONAI --------------------------------------------------------------------------------- */

/* test_tolerance_all_distances: 10 x 10, the prediction at rows 1..3 of column 1, the labels at
 * rows 5..7 of column 6 (MONAI's [row, column] is our (y, x)); class 0 is the background. */
static void test_monai_all_distances(void)
{
    const size_t size[3] = {10, 10, 1};
    const double spacing[3] = {1, 1, 1};
    uint8_t gt[100] = {0}, pred[100] = {0};
    for (size_t row = 1; row < 4; row++)
        pred[row * 10 + 1] = 1;
    for (size_t row = 5; row < 8; row++)
        gt[row * 10 + 6] = 1;
    const struct {
        double tol_background, tol_class;
        double background, label;
    } expected[] = {
        {0, 0, 1 - (8.0 + 4) / (36 * 2 + 8 + 4), 0},
        {2.8, 5.5, 1 - 3.0 / (36 * 2 + 8 + 4), 1 - (2.0 + 2) / (3 + 3)},
        {3, 6, 1 - 1.0 / (36 * 2 + 8 + 4), 1 - 2.0 / (3 + 3)},
    };
    for (size_t i = 0; i < CHECK_COUNT(expected); i++) {
        lobedice_comparison *c = compare(gt, pred, size, spacing, expected[i].tol_background, 1);
        CHECK_NEAR(value(c, 0, LOBEDICE_MEASURE_NSD), expected[i].background, 1e-15);
        lobedice_comparison_free(c);
        c = compare(gt, pred, size, spacing, expected[i].tol_class, 0);
        CHECK_NEAR(value(c, 0, LOBEDICE_MEASURE_NSD), expected[i].label, 1e-15);
        lobedice_comparison_free(c);
    }
}

/* test_tolerance_euclidean_distance_with_spacing: 480 x 640 with spacing (0.85, 1.2), the
 * prediction from column 50 on, the labels from column 60 on; at 12 mm (10 columns of 1.2 mm,
 * a tie) and beyond every boundary voxel is within; an empty pair gives 1 for the background and
 * NaN (MONAI's nan) for the class. */
static void test_monai_spacing(void)
{
    const size_t size[3] = {640, 480, 1};
    const double spacing[3] = {1.2, 0.85, 1};
    const size_t n = 640 * 480;
    uint8_t *gt = calloc(n, 1), *pred = calloc(n, 1);
    CHECK_FATAL(gt && pred);
    for (size_t row = 0; row < 480; row++)
        for (size_t col = 0; col < 640; col++) {
            pred[row * 640 + col] = col >= 50;
            gt[row * 640 + col] = col >= 60;
        }
    lobedice_comparison *c = compare(gt, pred, size, spacing, 0, 1);
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_NSD),
               1 - (478.0 + 480 + 9 * 2) / (480 * 4 + 588 * 2 + 578 * 2), 1e-15);
    CHECK_NEAR(value(c, 0, LOBEDICE_MEASURE_NSD),
               1 - (478.0 + 480 + 9 * 2) / (480 * 4 + 48 * 2 + 58 * 2), 1e-15);
    lobedice_comparison_free(c);
    double previous[2] = {0, 0};
    const double tolerances[] = {1, 9, 10, 11, 12, 13};
    for (size_t t = 0; t < CHECK_COUNT(tolerances); t++) {
        c = compare(gt, pred, size, spacing, tolerances[t], 1);
        for (size_t row = 0; row < 2; row++) {
            const double nsd = value(c, row, LOBEDICE_MEASURE_NSD);
            if (tolerances[t] < 12)
                CHECK(nsd > previous[row] && nsd < 1); /* MONAI: res0 < res1 < ... < res11 */
            else
                CHECK_SAME(nsd, 1.0); /* res12 == res13: surface Dice 1.0 */
            previous[row] = nsd;
        }
        lobedice_comparison_free(c);
    }
    memset(gt, 0, n);
    memset(pred, 0, n);
    c = compare(gt, pred, size, spacing, 0, 1);
    CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_NSD), 1.0);
    CHECK(isnan(value(c, 1, LOBEDICE_MEASURE_NSD)));
    lobedice_comparison_free(c);
    free(gt);
    free(pred);
}

/* test_tolerance_euclidean_distance_3d: 200 x 110 x 80 (MONAI's axes; our z, y, x), the
 * prediction from 20 on along the last axis, the labels from 30 on. */
static void test_monai_3d(void)
{
    const size_t size[3] = {80, 110, 200};
    const double spacing[3] = {1, 1, 1};
    const size_t n = 80 * 110 * 200;
    uint8_t *gt = malloc(n), *pred = malloc(n);
    CHECK_FATAL(gt && pred);
    for (size_t i = 0; i < n; i++) {
        pred[i] = i % 80 >= 20;
        gt[i] = i % 80 >= 30;
    }
    lobedice_comparison *c = compare(gt, pred, size, spacing, 0, 1);
    const double common = 200 * 110 + 198 * 108 + 9 * 200 * 2 + 9 * 108 * 2;
    CHECK_NEAR(value(c, 1, LOBEDICE_MEASURE_NSD),
               1 - common / (200 * 110 * 4 + (58 + 48) * 200 * 2 + (58 + 48) * 108 * 2), 1e-15);
    CHECK_NEAR(value(c, 0, LOBEDICE_MEASURE_NSD),
               1 - common / (200 * 110 * 4 + (28 + 18) * 200 * 2 + (28 + 18) * 108 * 2), 1e-15);
    lobedice_comparison_free(c);
    double at[3][2];
    const double tolerances[3] = {1, 10, 11};
    for (int t = 0; t < 3; t++) {
        c = compare(gt, pred, size, spacing, tolerances[t], 1);
        for (size_t row = 0; row < 2; row++)
            at[t][row] = value(c, row, LOBEDICE_MEASURE_NSD);
        lobedice_comparison_free(c);
    }
    for (size_t row = 0; row < 2; row++) {
        CHECK(at[0][row] < at[1][row]);     /* res1 < res10 */
        CHECK_SAME(at[1][row], at[2][row]); /* res10 == res11 */
    }
    free(gt);
    free(pred);
}

/* ---- DeepMind surface-distance --------------------------------------------------------------- */

/* test_on_2_pixels_2mm_away, 2-D: (50, 70) and (50, 72) of 128 x 128 with spacing (2, 1) (their
 * rows are our y); 3-D: (50, 60, 70) and (50, 60, 72) of 128^3 with spacing (3, 2, 1). Both:
 * Hausdorff 2.0 and its 95th percentile 2.0, volumetric Dice 0. */
static void test_deepmind_two_pixels(void)
{
    for (int dims = 2; dims <= 3; dims++) {
        const size_t size[3] = {128, 128, dims == 3 ? 128 : 1};
        const double spacing[3] = {1, 2, dims == 3 ? 3 : 1};
        const size_t n = size[0] * size[1] * size[2];
        uint8_t *gt = calloc(n, 1), *pred = calloc(n, 1);
        CHECK_FATAL(gt && pred);
        const size_t z = dims == 3 ? 50 : 0, y = dims == 3 ? 60 : 50;
        gt[(z * 128 + y) * 128 + 70] = 1;
        pred[(z * 128 + y) * 128 + 72] = 1;
        lobedice_comparison *c = compare(gt, pred, size, spacing, 1, 0);
        CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_HD), 2.0);
        CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_HD95), 2.0);
        CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_DICE), 0.0);
        lobedice_comparison_free(c);
        free(gt);
        free(pred);
    }
}

/* test_two_cubes_shifted_by_one_pixel: [0:50] and [0:51] along the first of 100^3 axes with
 * spacing (2, 1, 1) (their first axis is our z): Hausdorff 2.0, 95th percentile 2.0, volumetric
 * Dice 0.990 (to their 3 places). */
static void test_deepmind_two_cubes(void)
{
    const size_t size[3] = {100, 100, 100};
    const double spacing[3] = {1, 1, 2};
    const size_t n = 100 * 100 * 100;
    uint8_t *gt = malloc(n), *pred = malloc(n);
    CHECK_FATAL(gt && pred);
    for (size_t i = 0; i < n; i++) {
        gt[i] = i / 10000 < 50;
        pred[i] = i / 10000 < 51;
    }
    lobedice_comparison *c = compare(gt, pred, size, spacing, 1, 0);
    CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_HD), 2.0);
    CHECK_SAME(value(c, 0, LOBEDICE_MEASURE_HD95), 2.0);
    CHECK_NEAR(value(c, 0, LOBEDICE_MEASURE_DICE), 0.990, 0.0005);
    lobedice_comparison_free(c);
    free(gt);
    free(pred);
}

static const check_case cases[] = {
    {"tie_at_tolerance", test_tie_at_tolerance},
    {"monai_all_distances", test_monai_all_distances},
    {"monai_spacing", test_monai_spacing},
    {"monai_3d", test_monai_3d},
    {"deepmind_two_pixels", test_deepmind_two_pixels},
    {"deepmind_two_cubes", test_deepmind_two_cubes},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
