/* Signed distance, label bounds and the place of greatest disagreement (label core), against
 * brute force written from docs/measures.md: every voxel against every surface voxel
 * (surface_oracle_voxels gives the surface), trilinear interpolation written out, and counts of
 * disagreeing voxels per slice. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"
#include "surface_oracle.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The brute-force signed distance at every voxel (x fastest) to the surface of the voxels of
 * `map` with a value in labels; NaN everywhere when there are none. */
static double *oracle_field(const uint8_t *map, const size_t n[3], const double spacing[3],
                            const uint8_t *labels, size_t nlabels)
{
    const size_t voxels = n[0] * n[1] * n[2];
    uint8_t *mask = calloc(voxels, 1);
    size_t(*surf)[3] = malloc(voxels * sizeof *surf);
    double *out = malloc(voxels * sizeof *out);
    CHECK_FATAL(mask && surf && out);
    for (size_t i = 0; i < voxels; i++)
        for (size_t k = 0; k < nlabels; k++)
            mask[i] |= map[i] == labels[k];
    const size_t ns = surface_oracle_voxels(surf, mask, n);
    for (size_t i = 0; i < voxels; i++) {
        const double p[3] = {(double)(i % n[0]), (double)(i / n[0] % n[1]),
                             (double)(i / n[0] / n[1])};
        double best = INFINITY;
        for (size_t s = 0; s < ns; s++) {
            double d2 = 0;
            for (int a = 0; a < 3; a++) {
                const double d = (p[a] - (double)surf[s][a]) * spacing[a];
                d2 += d * d;
            }
            best = d2 < best ? d2 : best;
        }
        out[i] = ns == 0 ? NAN : mask[i] ? -sqrt(best) : sqrt(best);
    }
    free(mask);
    free(surf);
    return out;
}

/* Trilinear interpolation of the voxel-centre values at a point in the grid frame (mm),
 * clamped to the outermost voxel centres. */
static double oracle_at(const double *field, const size_t n[3], const double spacing[3],
                        const float p[3])
{
    size_t lo[3], hi[3];
    double t[3];
    for (int a = 0; a < 3; a++) {
        double u = p[a] / spacing[a];
        u = fmax(0.0, fmin(u, (double)(n[a] - 1)));
        lo[a] = (size_t)floor(u);
        if (lo[a] + 1 >= n[a])
            lo[a] = n[a] > 1 ? n[a] - 2 : 0;
        hi[a] = n[a] > 1 ? lo[a] + 1 : lo[a];
        t[a] = n[a] > 1 ? u - (double)lo[a] : 0.0;
    }
    double v = 0;
    for (int k = 0; k < 8; k++) {
        size_t q[3];
        double w = 1;
        for (int a = 0; a < 3; a++) {
            const int up = (k >> a) & 1;
            q[a] = up ? hi[a] : lo[a];
            w *= up ? t[a] : 1 - t[a];
        }
        if (w != 0)
            v += w * field[(q[2] * n[1] + q[1]) * n[0] + q[0]];
    }
    return v;
}

/* Random blobs of labels 1..3 on a background. */
static uint8_t *random_map(uint64_t *seed, const size_t n[3], unsigned blobs)
{
    const size_t voxels = n[0] * n[1] * n[2];
    uint8_t *map = calloc(voxels, 1);
    CHECK_FATAL(map);
    for (unsigned b = 0; b < blobs; b++) {
        size_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = test_below(seed, n[a]);
            hi[a] = lo[a] + test_below(seed, n[a] - lo[a]);
        }
        const uint8_t v = (uint8_t)(1 + test_below(seed, 3));
        for (size_t z = lo[2]; z <= hi[2]; z++)
            for (size_t y = lo[1]; y <= hi[1]; y++)
                for (size_t x = lo[0]; x <= hi[0]; x++)
                    map[(z * n[1] + y) * n[0] + x] = v;
    }
    return map;
}

static void check_box(const lobedice_volume *v, const double *want, const int64_t *labels,
                      size_t nlabels, const size_t lo[3], const size_t size[3])
{
    const size_t *n = v->size;
    float *got = malloc(size[0] * size[1] * size[2] * sizeof *got);
    CHECK_FATAL(got);
    CHECK_INT(lobedice_signed_distance(got, v, labels, nlabels, lo, size, 2), LOBEDICE_OK);
    for (size_t z = 0; z < size[2]; z++)
        for (size_t y = 0; y < size[1]; y++)
            for (size_t x = 0; x < size[0]; x++) {
                const double w = want[((lo[2] + z) * n[1] + lo[1] + y) * n[0] + lo[0] + x];
                const float g = got[(z * size[1] + y) * size[0] + x];
                CHECK_NEAR(g, w, 1e-5 * (1 + fabs(w)));
            }
    free(got);
}

/* The whole grid and sub-boxes against brute force, single labels and unions, anisotropic
 * spacing, 3-D and 2-D. */
static void field_matches_brute_force(void)
{
    uint64_t seed = 12;
    const size_t sizes[][3] = {{9, 7, 6}, {12, 5, 8}, {11, 9, 1}, {1, 8, 7}, {6, 6, 6}};
    const double spacing[3] = {0.7, 1.3, 2.1};
    for (size_t c = 0; c < CHECK_COUNT(sizes); c++)
        for (int round = 0; round < 4; round++) {
            const size_t *n = sizes[c];
            uint8_t *map = random_map(&seed, n, 3 + (unsigned)round);
            const lobedice_volume v = {
                map, LOBEDICE_UINT8, {n[0], n[1], n[2]}, {spacing[0], spacing[1], spacing[2]}};
            const uint8_t one[1] = {1}, two[2] = {2, 3};
            const int64_t one64[1] = {1}, two64[3] = {3, 2, 3}; /* a repeat is harmless */
            double *f1 = oracle_field(map, n, spacing, one, 1);
            double *f2 = oracle_field(map, n, spacing, two, 2);
            const size_t zero[3] = {0, 0, 0};
            check_box(&v, f1, one64, 1, zero, n);
            check_box(&v, f2, two64, 3, zero, n);
            size_t lo[3], size[3];
            for (int a = 0; a < 3; a++) {
                lo[a] = test_below(&seed, n[a]);
                size[a] = 1 + test_below(&seed, n[a] - lo[a]);
            }
            check_box(&v, f1, one64, 1, lo, size);
            check_box(&v, f2, two64, 3, lo, size);
            /* NULL box = whole grid; thread counts give the same bits */
            const size_t voxels = n[0] * n[1] * n[2];
            float *a = malloc(voxels * sizeof *a), *b = malloc(voxels * sizeof *b);
            CHECK_FATAL(a && b);
            CHECK_INT(lobedice_signed_distance(a, &v, two64, 3, NULL, NULL, 1), LOBEDICE_OK);
            CHECK_INT(lobedice_signed_distance(b, &v, two64, 3, NULL, NULL, 0), LOBEDICE_OK);
            CHECK(memcmp(a, b, voxels * sizeof *a) == 0);
            free(a);
            free(b);
            free(f1);
            free(f2);
            free(map);
        }
}

/* A closed form: a 4 x 4 x 4 cube inside a 12^3 grid, spacing (1, 2, 3). */
static void cube_closed_form(void)
{
    uint8_t *map = calloc(12 * 12 * 12, 1);
    CHECK_FATAL(map);
    for (size_t z = 4; z < 8; z++)
        for (size_t y = 4; y < 8; y++)
            for (size_t x = 4; x < 8; x++)
                map[(z * 12 + y) * 12 + x] = 5;
    const lobedice_volume v = {map, LOBEDICE_UINT8, {12, 12, 12}, {1, 2, 3}};
    const int64_t five = 5;
    float *f = malloc(12 * 12 * 12 * sizeof *f);
    CHECK_FATAL(f);
    CHECK_INT(lobedice_signed_distance(f, &v, &five, 1, NULL, NULL, 0), LOBEDICE_OK);
#define AT(x, y, z) f[((z)*12 + (y)) * 12 + (x)]
    CHECK_NEAR(AT(4, 5, 5), 0.0, 0);                    /* a surface voxel */
    CHECK(!signbit(AT(4, 5, 5)));                       /* +0, never -0 */
    CHECK_NEAR(AT(5, 5, 5), -1.0, 1e-6);                /* one voxel in along x: 1 mm */
    CHECK_NEAR(AT(1, 5, 5), 3.0, 1e-6);                 /* three voxels out along x */
    CHECK_NEAR(AT(5, 10, 5), 6.0, 1e-6);                /* three voxels out along y: 3 * 2 mm */
    CHECK_NEAR(AT(5, 5, 11), 12.0, 1e-6);               /* four out along z: 4 * 3 mm */
    CHECK_NEAR(AT(0, 0, 0), sqrt(16 + 64 + 144), 1e-5); /* to the corner voxel (4, 4, 4) */
#undef AT
    /* the points on the faces read +s/2 (docs/measures.md), the centre -min over axes */
    const float points[] = {3.5f,  10.0f, 15.0f, 5.0f,  7.0f,  15.0f, 5.0f, 10.0f,
                            22.5f, 5.5f,  12.0f, 18.0f, -4.0f, 10.0f, 15.0f};
    float at[5];
    CHECK_INT(lobedice_signed_distance_at(at, &v, &five, 1, points, 5, 1), LOBEDICE_OK);
    CHECK_NEAR(at[0], 0.5, 1e-6); /* x face: s = 1 */
    CHECK_NEAR(at[1], 1.0, 1e-6); /* y face: s = 2 */
    CHECK_NEAR(at[2], 1.5, 1e-6); /* z face: s = 3 */
    CHECK_NEAR(at[3], -1.0, 1e-6);
    CHECK_NEAR(at[4], 4.0, 1e-6); /* clamped to x = 0: four voxels out */
    free(f);
    free(map);
}

/* Points anywhere (inside, outside, beyond the grid) against the brute-force field. */
static void points_match_brute_force(void)
{
    uint64_t seed = 99;
    const size_t sizes[][3] = {{10, 8, 7}, {9, 9, 1}, {5, 13, 6}};
    const double spacing[3] = {1.1, 0.6, 1.7};
    for (size_t c = 0; c < CHECK_COUNT(sizes); c++)
        for (int round = 0; round < 3; round++) {
            const size_t *n = sizes[c];
            uint8_t *map = random_map(&seed, n, 4);
            const lobedice_volume v = {
                map, LOBEDICE_UINT8, {n[0], n[1], n[2]}, {spacing[0], spacing[1], spacing[2]}};
            const uint8_t lab[2] = {1, 2};
            const int64_t lab64[2] = {2, 1};
            double *field = oracle_field(map, n, spacing, lab, 2);
            enum { NP = 300 };
            float points[3 * NP], got[NP], again[NP];
            for (size_t i = 0; i < 3 * NP; i++) {
                const int a = (int)(i % 3);
                const double extent = (double)n[a] * spacing[a];
                points[i] = (float)((double)test_below(&seed, 100000) / 100000.0 * extent * 1.4 -
                                    0.2 * extent);
            }
            CHECK_INT(lobedice_signed_distance_at(got, &v, lab64, 2, points, NP, 1), LOBEDICE_OK);
            CHECK_INT(lobedice_signed_distance_at(again, &v, lab64, 2, points, NP, 0), LOBEDICE_OK);
            CHECK(memcmp(got, again, sizeof got) == 0);
            for (size_t i = 0; i < NP; i++) {
                const double want = oracle_at(field, n, spacing, &points[3 * i]);
                CHECK_NEAR(got[i], want, 1e-4 * (1 + fabs(want)));
            }
            free(field);
            free(map);
        }
}

/* On the predicted surface voxels, |signed distance to the reference| is D_BA: its maximum is
 * hd_pred_to_ref of the surface measures. */
static void agrees_with_surface_distances(void)
{
    uint64_t seed = 5;
    const size_t n[3] = {14, 12, 10};
    const double spacing[3] = {0.8, 1.0, 2.5};
    for (int round = 0; round < 6; round++) {
        uint8_t *ref = random_map(&seed, n, 5), *pred = random_map(&seed, n, 5);
        const lobedice_volume r = {
            ref, LOBEDICE_UINT8, {n[0], n[1], n[2]}, {spacing[0], spacing[1], spacing[2]}};
        const lobedice_volume p = {
            pred, LOBEDICE_UINT8, {n[0], n[1], n[2]}, {spacing[0], spacing[1], spacing[2]}};
        const int64_t label = 2;
        lobedice_label_surface s;
        CHECK_INT(lobedice_surface_distances(&s, &r, &p, &label, 1, 1.0, 1), LOBEDICE_OK);
        float *f = malloc(n[0] * n[1] * n[2] * sizeof *f);
        uint8_t *mask = malloc(n[0] * n[1] * n[2]);
        size_t(*surf)[3] = malloc(n[0] * n[1] * n[2] * sizeof *surf);
        CHECK_FATAL(f && mask && surf);
        CHECK_INT(lobedice_signed_distance(f, &r, &label, 1, NULL, NULL, 2), LOBEDICE_OK);
        for (size_t i = 0; i < n[0] * n[1] * n[2]; i++)
            mask[i] = pred[i] == 2;
        const size_t ns = surface_oracle_voxels(surf, mask, n);
        double worst = ns ? 0 : NAN;
        for (size_t k = 0; k < ns; k++)
            worst = fmax(worst, fabs(f[(surf[k][2] * n[1] + surf[k][1]) * n[0] + surf[k][0]]));
        if (isnan(s.hd_pred_to_ref) || ns == 0)
            CHECK(isnan(s.hd_pred_to_ref));
        else
            CHECK_NEAR(worst, s.hd_pred_to_ref, 1e-5 * s.hd_pred_to_ref);
        free(f);
        free(mask);
        free(surf);
        free(ref);
        free(pred);
    }
}

/* An empty M: NaN everywhere; int16 maps and labels the dtype cannot hold. */
static void empty_and_dtypes(void)
{
    int16_t map[4 * 3 * 2] = {0};
    map[7] = -300;
    const lobedice_volume v = {map, LOBEDICE_INT16, {4, 3, 2}, {1, 1, 1}};
    float f[24], p[2];
    const int64_t absent[2] = {7, 100000}, present = -300;
    const float pts[6] = {0, 0, 0, 3, 2, 1};
    CHECK_INT(lobedice_signed_distance(f, &v, absent, 2, NULL, NULL, 1), LOBEDICE_OK);
    for (int i = 0; i < 24; i++)
        CHECK(isnan(f[i]));
    CHECK_INT(lobedice_signed_distance(f, &v, NULL, 0, NULL, NULL, 1), LOBEDICE_OK);
    CHECK(isnan(f[0]));
    CHECK_INT(lobedice_signed_distance_at(p, &v, absent, 2, pts, 2, 1), LOBEDICE_OK);
    CHECK(isnan(p[0]) && isnan(p[1]));
    CHECK_INT(lobedice_signed_distance(f, &v, &present, 1, NULL, NULL, 1), LOBEDICE_OK);
    CHECK_NEAR(f[7], 0.0, 0);    /* the one voxel (3, 1, 0) is its own surface */
    CHECK_NEAR(f[6], 1.0, 1e-6); /* (2, 1, 0) */
    CHECK_NEAR(f[12 + 7], 1.0, 1e-6);
}

static void errors(void)
{
    uint8_t map[8] = {1};
    const lobedice_volume v = {map, LOBEDICE_UINT8, {2, 2, 2}, {1, 1, 1}};
    lobedice_volume bad = v;
    bad.spacing[1] = 0;
    const int64_t one = 1;
    float f[8];
    const size_t lo[3] = {1, 0, 0}, size[3] = {2, 1, 1}, ok_size[3] = {1, 1, 1},
                 zero_size[3] = {1, 0, 1};
    CHECK_INT(lobedice_signed_distance(NULL, &v, &one, 1, NULL, NULL, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_signed_distance(f, &v, NULL, 1, NULL, NULL, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_signed_distance(f, &v, &one, 1, lo, NULL, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_signed_distance(f, &v, &one, 1, lo, size, 1), LOBEDICE_ESIZE);
    CHECK_INT(lobedice_signed_distance(f, &v, &one, 1, lo, zero_size, 1), LOBEDICE_ESIZE);
    CHECK_INT(lobedice_signed_distance(f, &v, &one, 1, lo, ok_size, 1), LOBEDICE_OK);
    CHECK_INT(lobedice_signed_distance(f, &bad, &one, 1, NULL, NULL, 1), LOBEDICE_ESPACING);
    CHECK_INT(lobedice_signed_distance(f, NULL, &one, 1, NULL, NULL, 1), LOBEDICE_EINVAL);
    const float nanpt[3] = {0, NAN, 0};
    f[0] = 42;
    CHECK_INT(lobedice_signed_distance_at(f, &v, &one, 1, nanpt, 1, 1), LOBEDICE_ENOTFINITE);
    CHECK_NEAR(f[0], 42, 0);
    CHECK_INT(lobedice_signed_distance_at(NULL, &v, &one, 1, nanpt, 1, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_signed_distance_at(NULL, &v, &one, 1, NULL, 0, 1), LOBEDICE_OK);
    size_t boxes[6];
    CHECK_INT(lobedice_label_bounds(NULL, &v, &one, 1, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_label_bounds(boxes, &bad, &one, 1, 1), LOBEDICE_ESPACING);
    uint64_t voxel[3];
    CHECK_INT(lobedice_disagreement_peak(NULL, NULL, &v, &v, &one, 1, 1), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_disagreement_peak(voxel, NULL, &v, &v, NULL, 1, 1), LOBEDICE_EINVAL);
    const lobedice_volume other = {map, LOBEDICE_UINT8, {4, 2, 1}, {1, 1, 1}};
    CHECK_INT(lobedice_disagreement_peak(voxel, NULL, &v, &other, &one, 1, 1), LOBEDICE_ESIZE);
}

static void bounds_brute_force(void)
{
    uint64_t seed = 3;
    const size_t n[3] = {13, 9, 7};
    for (int round = 0; round < 10; round++) {
        uint8_t *map = random_map(&seed, n, 1 + (unsigned)round % 4);
        const lobedice_volume v = {map, LOBEDICE_UINT8, {13, 9, 7}, {1, 1, 1}};
        const int64_t labels[5] = {3, 1, 2, 9, 1};
        size_t boxes[30];
        CHECK_INT(lobedice_label_bounds(boxes, &v, labels, 5, 2), LOBEDICE_OK);
        for (int i = 0; i < 5; i++) {
            size_t lo[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, hi[3] = {0, 0, 0};
            for (size_t k = 0; k < n[0] * n[1] * n[2]; k++) {
                if (map[k] != labels[i])
                    continue;
                const size_t q[3] = {k % n[0], k / n[0] % n[1], k / n[0] / n[1]};
                for (int a = 0; a < 3; a++) {
                    lo[a] = q[a] < lo[a] ? q[a] : lo[a];
                    hi[a] = q[a] > hi[a] ? q[a] : hi[a];
                }
            }
            for (int a = 0; a < 3; a++) {
                CHECK_UINT(boxes[6 * i + a], lo[a] == SIZE_MAX ? 0 : lo[a]);
                CHECK_UINT(boxes[6 * i + 3 + a], lo[a] == SIZE_MAX ? 0 : hi[a] - lo[a] + 1);
            }
        }
        free(map);
    }
}

/* The slice counts written out; the peak is the first largest along each axis. */
static void peak_brute_force(void)
{
    uint64_t seed = 77;
    const size_t n[3] = {11, 8, 9};
    const size_t voxels = n[0] * n[1] * n[2];
    for (int round = 0; round < 12; round++) {
        uint8_t *a = random_map(&seed, n, 4), *b = random_map(&seed, n, 4);
        int16_t *b16 = malloc(voxels * sizeof *b16);
        CHECK_FATAL(b16);
        for (size_t i = 0; i < voxels; i++)
            b16[i] = b[i] == 3 ? 1000 : b[i]; /* 1000 is no label of the list: class 0 */
        const lobedice_volume ra = {a, LOBEDICE_UINT8, {11, 8, 9}, {1, 1, 1}};
        const lobedice_volume pb = {b16, LOBEDICE_INT16, {11, 8, 9}, {1, 1, 1}};
        const int64_t labels[3] = {1, 2, 3};
        uint64_t along[3][11] = {{0}}, total = 0;
        for (size_t i = 0; i < voxels; i++) {
            const int ka = a[i] >= 1 && a[i] <= 3 ? a[i] : 0;
            const int kb = b16[i] >= 1 && b16[i] <= 3 ? b16[i] : 0;
            if (ka == kb)
                continue;
            total++;
            along[0][i % n[0]]++;
            along[1][i / n[0] % n[1]]++;
            along[2][i / n[0] / n[1]]++;
        }
        uint64_t voxel[3], count = 0, again[3];
        CHECK_INT(lobedice_disagreement_peak(voxel, &count, &ra, &pb, labels, 3, 1), LOBEDICE_OK);
        CHECK_INT(lobedice_disagreement_peak(again, NULL, &ra, &pb, labels, 3, 0), LOBEDICE_OK);
        CHECK_UINT(count, total);
        for (int ax = 0; ax < 3; ax++) {
            size_t best = 0;
            for (size_t i = 1; i < n[ax]; i++)
                if (along[ax][i] > along[ax][best])
                    best = i;
            CHECK_UINT(voxel[ax], total ? best : n[ax] / 2);
            CHECK_UINT(again[ax], voxel[ax]);
        }
        /* a map against itself: no disagreement, the centre */
        CHECK_INT(lobedice_disagreement_peak(voxel, &count, &ra, &ra, labels, 3, 2), LOBEDICE_OK);
        CHECK_UINT(count, 0);
        CHECK_UINT(voxel[0], 5);
        CHECK_UINT(voxel[1], 4);
        CHECK_UINT(voxel[2], 4);
        free(a);
        free(b);
        free(b16);
    }
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"field", field_matches_brute_force}, {"cube", cube_closed_form},
        {"points", points_match_brute_force}, {"surface", agrees_with_surface_distances},
        {"empty", empty_and_dtypes},          {"errors", errors},
        {"bounds", bounds_brute_force},       {"peak", peak_brute_force},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
