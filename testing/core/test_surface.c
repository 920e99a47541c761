/* Surface distances (label core): closed-form cases, the brute-force oracle of
 * testing/surface_oracle.h, sets, thread-count invariance, progress reports and error statuses. */
#include "check.h"
#include "lobedice/lobedice.h"
#include "phantom.h"
#include "surface_oracle.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Fixtures ------------------------------------------------------------------------------- */

static size_t idx(const size_t n[3], size_t x, size_t y, size_t z)
{
    return (z * n[1] + y) * n[0] + x;
}

static size_t count_of(const size_t n[3])
{
    return n[0] * n[1] * n[2];
}

static lobedice_volume volume_of(const void *data, lobedice_dtype dtype, const size_t n[3],
                                 const double s[3])
{
    lobedice_volume v = {.data = data, .dtype = dtype};
    for (int a = 0; a < 3; a++) {
        v.size[a] = n[a];
        v.spacing[a] = s[a];
    }
    return v;
}

/* Sets the voxels of the inclusive box [lo, hi] to value. */
static void fill_box(uint8_t *map, const size_t n[3], const size_t lo[3], const size_t hi[3],
                     uint8_t value)
{
    for (size_t z = lo[2]; z <= hi[2]; z++)
        for (size_t y = lo[1]; y <= hi[1]; y++)
            for (size_t x = lo[0]; x <= hi[0]; x++)
                map[idx(n, x, y, z)] = value;
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rng_uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* Random ellipsoids of labels 1..3, then salt (single voxels of random labels: holes and
 * islands). */
static void random_shapes(uint8_t *map, const size_t n[3], int ellipsoids, double salt)
{
    for (int e = 0; e < ellipsoids; e++) {
        const uint8_t label = (uint8_t)(1 + rng_next() % 3);
        double c[3], r[3];
        for (int a = 0; a < 3; a++) {
            c[a] = rng_uniform(-1.0, (double)n[a]);
            r[a] = n[a] == 1 ? 1.0 : rng_uniform(1.2, 0.45 * (double)n[a] + 1.5);
        }
        for (size_t z = 0; z < n[2]; z++)
            for (size_t y = 0; y < n[1]; y++)
                for (size_t x = 0; x < n[0]; x++) {
                    double u = ((double)x - c[0]) / r[0], v = ((double)y - c[1]) / r[1],
                           w = n[2] == 1 ? 0.0 : ((double)z - c[2]) / r[2];
                    if (u * u + v * v + w * w <= 1.0)
                        map[idx(n, x, y, z)] = label;
                }
    }
    for (size_t i = 0; i < count_of(n); i++)
        if (rng_uniform(0.0, 1.0) < salt)
            map[i] = (uint8_t)(rng_next() % 4);
}

/* ---- The brute-force oracle (testing/surface_oracle.h) ----------------------------------------
 */

/* The oracle's result for the masks in_a (reference) and in_b (prediction), label 0. */
static lobedice_label_surface oracle_measure(const uint8_t *in_a, const uint8_t *in_b,
                                             const size_t n[3], const double s[3],
                                             const surface_oracle_options *o)
{
    const surface_oracle_result w = surface_oracle_measure(in_a, in_b, n, s, o);
    lobedice_label_surface r;
    memset(&r, 0, sizeof r);
    r.ref_surface_voxels = w.ref_surface_voxels;
    r.pred_surface_voxels = w.pred_surface_voxels;
    r.hd = w.hd;
    r.hd95 = w.hd95;
    r.assd = w.assd;
    r.nsd = w.nsd;
    r.hd_ref_to_pred = w.hd_ref_to_pred;
    r.hd_pred_to_ref = w.hd_pred_to_ref;
    r.hd95_ref_to_pred = w.hd95_ref_to_pred;
    r.hd95_pred_to_ref = w.hd95_pred_to_ref;
    r.mean_ref_to_pred = w.mean_ref_to_pred;
    r.mean_pred_to_ref = w.mean_pred_to_ref;
    return r;
}

/* Value of voxel i of a volume, widened. */
static int64_t value_at(const lobedice_volume *v, size_t i)
{
    switch (v->dtype) {
    case LOBEDICE_UINT8: return ((const uint8_t *)v->data)[i];
    case LOBEDICE_INT8: return ((const int8_t *)v->data)[i];
    case LOBEDICE_UINT16: return ((const uint16_t *)v->data)[i];
    case LOBEDICE_INT16: return ((const int16_t *)v->data)[i];
    case LOBEDICE_UINT32: return ((const uint32_t *)v->data)[i];
    case LOBEDICE_INT32: return ((const int32_t *)v->data)[i];
    }
    return 0;
}

static uint8_t *mask_of(const lobedice_volume *v, const lobedice_label_set *set)
{
    size_t n = count_of(v->size);
    uint8_t *m = calloc(n, 1);
    CHECK_FATAL(m);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < set->nlabels; j++)
            if (value_at(v, i) == set->labels[j])
                m[i] = 1;
    return m;
}

static lobedice_label_surface oracle_set(const lobedice_volume *ref, const lobedice_volume *pred,
                                         const lobedice_label_set *set,
                                         const surface_oracle_options *o)
{
    uint8_t *a = mask_of(ref, set), *b = mask_of(pred, set);
    lobedice_label_surface r = oracle_measure(a, b, ref->size, ref->spacing, o);
    r.label = set->id;
    free(a);
    free(b);
    return r;
}

/* Agreement to rounding: the library sums and squares in another order than the oracle. */
#define CHECK_MEASURE(got, want) CHECK_NEAR((got), (want), 1e-12 * (1.0 + fabs((double)(want))))

static void check_same_result(const lobedice_label_surface *got, const lobedice_label_surface *want)
{
    CHECK_INT(got->label, want->label);
    CHECK_UINT(got->ref_surface_voxels, want->ref_surface_voxels);
    CHECK_UINT(got->pred_surface_voxels, want->pred_surface_voxels);
    CHECK_MEASURE(got->hd, want->hd);
    CHECK_MEASURE(got->hd95, want->hd95);
    CHECK_MEASURE(got->assd, want->assd);
    CHECK_MEASURE(got->nsd, want->nsd);
    CHECK_MEASURE(got->hd_ref_to_pred, want->hd_ref_to_pred);
    CHECK_MEASURE(got->hd_pred_to_ref, want->hd_pred_to_ref);
    CHECK_MEASURE(got->hd95_ref_to_pred, want->hd95_ref_to_pred);
    CHECK_MEASURE(got->hd95_pred_to_ref, want->hd95_pred_to_ref);
    CHECK_MEASURE(got->mean_ref_to_pred, want->mean_ref_to_pred);
    CHECK_MEASURE(got->mean_pred_to_ref, want->mean_pred_to_ref);
}

/* Measures one label with the library (threads 2, the given tolerance). */
static lobedice_label_surface measure_one(const lobedice_volume *ref, const lobedice_volume *pred,
                                          int64_t label, double tolerance)
{
    lobedice_label_surface r;
    memset(&r, 0, sizeof r);
    lobedice_label_set set = {label, &label, 1};
    lobedice_surface_options o;
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.tolerance_mm = tolerance;
    o.threads = 2;
    CHECK_INT(lobedice_surface_distances_sets(&r, ref, pred, &set, 1, &o), LOBEDICE_OK);
    return r;
}

/* ---- Closed-form cases ---------------------------------------------------------------------- */

static const double aniso[3] = {0.7, 1.1, 2.3};

/* A box shifted by one voxel along axis a: every distance is 0 or at most s[a], and the face
 * left behind (more than 5% of each surface) is exactly s[a] away, so hd = hd95 = s[a] in both
 * directions, bit for bit (sqrt of a correctly rounded square returns the value). */
static void test_shift_one_voxel(void)
{
    const size_t n[3] = {12, 11, 10};
    for (int a = 0; a < 3; a++) {
        uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
        CHECK_FATAL(ref && pred);
        size_t lo[3] = {2, 2, 2}, hi[3] = {7, 7, 7};
        fill_box(ref, n, lo, hi, 1);
        lo[a]++;
        hi[a]++;
        fill_box(pred, n, lo, hi, 1);
        lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                        p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
        lobedice_label_surface s = measure_one(&r, &p, 1, aniso[a]);
        CHECK_UINT(s.ref_surface_voxels, 6 * 6 * 6 - 4 * 4 * 4);
        CHECK_UINT(s.pred_surface_voxels, 6 * 6 * 6 - 4 * 4 * 4);
        CHECK_SAME(s.hd, aniso[a]);
        CHECK_SAME(s.hd95, aniso[a]);
        CHECK_SAME(s.hd_ref_to_pred, aniso[a]);
        CHECK_SAME(s.hd_pred_to_ref, aniso[a]);
        CHECK_SAME(s.hd95_ref_to_pred, aniso[a]);
        CHECK_SAME(s.hd95_pred_to_ref, aniso[a]);
        CHECK(s.assd > 0 && s.assd < aniso[a]);
        CHECK_SAME(s.nsd, 1.0); /* every distance <= s[a] */
        free(ref);
        free(pred);
    }
}

/* Statistics of closed-form distance lists, computed as the definitions say. */
static lobedice_label_surface from_lists(double *dab, size_t na, double *dba, size_t nb,
                                         double tolerance)
{
    lobedice_label_surface r;
    memset(&r, 0, sizeof r);
    double sab = 0, sba = 0;
    size_t within = 0;
    r.hd_ref_to_pred = r.hd_pred_to_ref = 0;
    for (size_t i = 0; i < na; i++) {
        sab += dab[i];
        r.hd_ref_to_pred = fmax(r.hd_ref_to_pred, dab[i]);
        within += dab[i] <= tolerance;
    }
    for (size_t i = 0; i < nb; i++) {
        sba += dba[i];
        r.hd_pred_to_ref = fmax(r.hd_pred_to_ref, dba[i]);
        within += dba[i] <= tolerance;
    }
    r.ref_surface_voxels = na;
    r.pred_surface_voxels = nb;
    r.hd95_ref_to_pred = surface_oracle_p95(dab, na);
    r.hd95_pred_to_ref = surface_oracle_p95(dba, nb);
    r.mean_ref_to_pred = sab / (double)na;
    r.mean_pred_to_ref = sba / (double)nb;
    r.hd = fmax(r.hd_ref_to_pred, r.hd_pred_to_ref);
    r.hd95 = fmax(r.hd95_ref_to_pred, r.hd95_pred_to_ref);
    r.assd = (sab + sba) / (double)(na + nb);
    r.nsd = (double)within / (double)(na + nb);
    return r;
}

/* Surface voxels of the box [lo, hi] (sides of at least 3 voxels). */
static size_t box_shell(const size_t lo[3], const size_t hi[3])
{
    size_t all = 1, inner = 1;
    for (int a = 0; a < 3; a++) {
        all *= hi[a] - lo[a] + 1;
        inner *= hi[a] - lo[a] - 1;
    }
    return all - inner;
}

/* A box A inside a box B. Every surface voxel of B lies outside A (margins >= 1), so its
 * distance is the distance to the box A (per axis, the excess over A's range). Every surface
 * voxel of A lies inside B, so its nearest surface voxel of B is the foot on the nearest face of
 * B. Both are closed forms per voxel; hd is the corner of B farthest from A,
 * sqrt(sum (s_i * larger margin_i)^2). */
static void check_nested_boxes(const size_t alo[3], const size_t ahi[3], const size_t blo[3],
                               const size_t bhi[3])
{
    const size_t n[3] = {20, 19, 13};
    uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
    double *dab = malloc(count_of(n) * sizeof *dab), *dba = malloc(count_of(n) * sizeof *dba);
    CHECK_FATAL(ref && pred && dab && dba);
    fill_box(ref, n, alo, ahi, 1);
    fill_box(pred, n, blo, bhi, 1);
    size_t na = 0, nb = 0;
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                const size_t p[3] = {x, y, z};
                int on_a = 1, shell_a = 0, on_b = 1, shell_b = 0;
                for (int a = 0; a < 3; a++) {
                    on_a &= p[a] >= alo[a] && p[a] <= ahi[a];
                    shell_a |= p[a] == alo[a] || p[a] == ahi[a];
                    on_b &= p[a] >= blo[a] && p[a] <= bhi[a];
                    shell_b |= p[a] == blo[a] || p[a] == bhi[a];
                }
                if (on_a && shell_a) {
                    double d = INFINITY;
                    for (int a = 0; a < 3; a++) {
                        d = fmin(d, aniso[a] * (double)(p[a] - blo[a]));
                        d = fmin(d, aniso[a] * (double)(bhi[a] - p[a]));
                    }
                    dab[na++] = d;
                }
                if (on_b && shell_b) {
                    double e[3];
                    for (int a = 0; a < 3; a++) {
                        double below = p[a] < alo[a] ? (double)(alo[a] - p[a]) : 0.0;
                        double above = p[a] > ahi[a] ? (double)(p[a] - ahi[a]) : 0.0;
                        e[a] = aniso[a] * (below + above);
                    }
                    dba[nb++] = sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
                }
            }
    double corner = 0;
    for (int a = 0; a < 3; a++) {
        double margin =
            (double)(alo[a] - blo[a] > bhi[a] - ahi[a] ? alo[a] - blo[a] : bhi[a] - ahi[a]);
        corner += pow(aniso[a] * margin, 2);
    }
    corner = sqrt(corner);
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    for (double tol = 0.5; tol < 8; tol += 1.7) {
        lobedice_label_surface got = measure_one(&r, &p, 1, tol);
        lobedice_label_surface want = from_lists(dab, na, dba, nb, tol);
        want.label = 1;
        check_same_result(&got, &want);
        CHECK_MEASURE(got.hd, corner);
        CHECK_MEASURE(got.hd_pred_to_ref, corner);
        CHECK_UINT(got.ref_surface_voxels, box_shell(alo, ahi));
        CHECK_UINT(got.pred_surface_voxels, box_shell(blo, bhi));
    }
    free(ref);
    free(pred);
    free(dab);
    free(dba);
}

static void test_nested_boxes(void)
{
    /* concentric cubes in voxels (margin 2 everywhere): hd = 2*|s| */
    const size_t alo[3] = {6, 6, 4}, ahi[3] = {12, 12, 8};
    const size_t blo[3] = {4, 4, 2}, bhi[3] = {14, 14, 10};
    check_nested_boxes(alo, ahi, blo, bhi);
    /* margins (3,4) (2,2) (2,3) */
    const size_t clo[3] = {6, 5, 4}, chi[3] = {12, 11, 7};
    const size_t dlo[3] = {3, 3, 2}, dhi[3] = {16, 13, 10};
    check_nested_boxes(clo, chi, dlo, dhi);
}

/* Concentric balls of radii r < R mm (round in mm under anisotropic spacing). Surface voxels of
 * a ball of radius q lie at |p - c| in (q - s_max, q], so every distance exceeds R - r - s_max;
 * none exceeds R - r + |s| (the voxel diagonal). The exact values come from the oracle. */
static void test_concentric_spheres(void)
{
    const size_t n[3] = {31, 23, 13};
    const double s[3] = {0.8, 1.05, 1.9}, r_in = 4.0, r_out = 9.5;
    const double c[3] = {15 * 0.8 + 0.13, 11 * 1.05 - 0.21, 6 * 1.9 + 0.3};
    uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
    CHECK_FATAL(ref && pred);
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                double dx = (double)x * s[0] - c[0], dy = (double)y * s[1] - c[1],
                       dz = (double)z * s[2] - c[2];
                double rho = sqrt(dx * dx + dy * dy + dz * dz);
                ref[idx(n, x, y, z)] = rho <= r_in;
                pred[idx(n, x, y, z)] = rho <= r_out;
            }
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, s),
                    p = volume_of(pred, LOBEDICE_UINT8, n, s);
    lobedice_label_surface got = measure_one(&r, &p, 1, 5.0);
    const double diag = sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
    const double lo = r_out - r_in - s[2], hi = r_out - r_in + diag;
    const double values[] = {got.hd,
                             got.hd95,
                             got.assd,
                             got.hd_ref_to_pred,
                             got.hd_pred_to_ref,
                             got.mean_ref_to_pred,
                             got.mean_pred_to_ref};
    for (size_t i = 0; i < CHECK_COUNT(values); i++)
        CHECK(values[i] > lo && values[i] <= hi);
    surface_oracle_options o = {.tolerance_mm = 5.0};
    lobedice_label_surface want = oracle_measure(ref, pred, n, s, &o);
    want.label = 1;
    check_same_result(&got, &want);
    free(ref);
    free(pred);
}

/* A one-voxel hole in the centre of a 9x9x9 box: the hole's 6 neighbours join the predicted
 * surface; the nearest reference surface voxel of the neighbour along axis a is on the nearest
 * face: min(3*s[a], 4*s[b], 4*s[c]). hd rises to the largest of these, hd95 stays 0 (6 of 392
 * values), while the voxel-set Hausdorff distance would be min(s). */
static void test_hole(void)
{
    const size_t n[3] = {13, 13, 13};
    uint8_t *ref = calloc(count_of(n), 1), *pred;
    CHECK_FATAL(ref);
    const size_t lo[3] = {2, 2, 2}, hi[3] = {10, 10, 10};
    fill_box(ref, n, lo, hi, 1);
    pred = malloc(count_of(n));
    CHECK_FATAL(pred);
    memcpy(pred, ref, count_of(n));
    pred[idx(n, 6, 6, 6)] = 0;
    double hole[3], sum = 0, hd = 0;
    for (int a = 0; a < 3; a++) {
        hole[a] = 3 * aniso[a];
        for (int b = 0; b < 3; b++)
            if (b != a)
                hole[a] = fmin(hole[a], 4 * aniso[b]);
        sum += 2 * hole[a];
        hd = fmax(hd, hole[a]);
    }
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    lobedice_label_surface got = measure_one(&r, &p, 1, 1.0);
    CHECK_UINT(got.ref_surface_voxels, 9 * 9 * 9 - 7 * 7 * 7);
    CHECK_UINT(got.pred_surface_voxels, 9 * 9 * 9 - 7 * 7 * 7 + 6);
    CHECK_MEASURE(got.hd, hd);
    CHECK_MEASURE(got.hd_pred_to_ref, hd);
    CHECK_SAME(got.hd_ref_to_pred, 0.0);
    CHECK_SAME(got.hd95, 0.0);
    CHECK_MEASURE(got.assd, sum / (2.0 * 386 + 6));
    CHECK_MEASURE(got.mean_pred_to_ref, sum / 392.0);
    CHECK_MEASURE(got.nsd, (2.0 * 386) / (2.0 * 386 + 6)); /* every hole distance > 1 mm */
    free(ref);
    free(pred);
}

/* An island: one voxel of the label 5 voxels to the right of a box. Its distance to the box's
 * surface is 5*s[0] (it lies level with the box's middle), which becomes hd. */
static void test_island(void)
{
    const size_t n[3] = {16, 9, 9};
    uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
    CHECK_FATAL(ref && pred);
    const size_t lo[3] = {1, 1, 1}, hi[3] = {7, 7, 7};
    fill_box(ref, n, lo, hi, 1);
    fill_box(pred, n, lo, hi, 1);
    pred[idx(n, 12, 4, 4)] = 1;
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    lobedice_label_surface got = measure_one(&r, &p, 1, 1.0);
    const size_t shell = 7 * 7 * 7 - 5 * 5 * 5;
    CHECK_UINT(got.ref_surface_voxels, shell);
    CHECK_UINT(got.pred_surface_voxels, shell + 1);
    CHECK_MEASURE(got.hd, 5 * aniso[0]);
    CHECK_MEASURE(got.hd_pred_to_ref, 5 * aniso[0]);
    CHECK_SAME(got.hd_ref_to_pred, 0.0);
    CHECK_MEASURE(got.mean_pred_to_ref, 5 * aniso[0] / (double)(shell + 1));
    CHECK_MEASURE(got.nsd, (double)(2 * shell) / (double)(2 * shell + 1));
    free(ref);
    free(pred);
}

/* The image border counts as outside: a label filling the image has the border as surface. */
static void test_border(void)
{
    const size_t n[3] = {7, 6, 5};
    uint8_t *ref = malloc(count_of(n)), *pred = malloc(count_of(n));
    CHECK_FATAL(ref && pred);
    memset(ref, 1, count_of(n));
    memset(pred, 1, count_of(n));
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    lobedice_label_surface got = measure_one(&r, &p, 1, 0.0);
    CHECK_UINT(got.ref_surface_voxels, 7 * 6 * 5 - 5 * 4 * 3);
    CHECK_UINT(got.pred_surface_voxels, 7 * 6 * 5 - 5 * 4 * 3);
    CHECK_SAME(got.hd, 0.0);
    CHECK_SAME(got.assd, 0.0);
    CHECK_SAME(got.nsd, 1.0);

    /* The prediction misses the x = 0 face: that face of the reference is s[0] away. */
    const size_t lo[3] = {0, 0, 0}, hi[3] = {0, 5, 4};
    fill_box(pred, n, lo, hi, 0);
    got = measure_one(&r, &p, 1, 0.0);
    CHECK_UINT(got.pred_surface_voxels, 6 * 6 * 5 - 4 * 4 * 3);
    CHECK_SAME(got.hd, aniso[0]);
    CHECK_SAME(got.hd_ref_to_pred, aniso[0]);
    CHECK_SAME(got.hd_pred_to_ref, aniso[0]); /* the inner face x = 1 is one voxel from x = 0 */
    surface_oracle_options o = {.tolerance_mm = 0.0};
    lobedice_label_surface want = oracle_measure(ref, pred, n, aniso, &o);
    want.label = 1;
    check_same_result(&got, &want);

    /* A volume one voxel thick along x: both x neighbours are outside, every voxel is surface. */
    const size_t thin[3] = {1, 5, 4};
    r = volume_of(ref, LOBEDICE_UINT8, thin, aniso);
    p = volume_of(ref, LOBEDICE_UINT8, thin, aniso);
    got = measure_one(&r, &p, 1, 0.0);
    CHECK_UINT(got.ref_surface_voxels, 20);
    CHECK_SAME(got.hd, 0.0);
    free(ref);
    free(pred);
}

/* A 2-D image (size[2] == 1) uses the 4 in-plane neighbours: a filled 5x4 rectangle has 14
 * surface voxels, not 20; a one-voxel shift along y gives s[1]. */
static void test_planar(void)
{
    const size_t n[3] = {12, 9, 1};
    uint8_t ref[12 * 9] = {0}, pred[12 * 9] = {0};
    const size_t lo[3] = {3, 2, 0}, hi[3] = {7, 5, 0};
    fill_box(ref, n, lo, hi, 1);
    const size_t plo[3] = {3, 3, 0}, phi[3] = {7, 6, 0};
    fill_box(pred, n, plo, phi, 1);
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    lobedice_label_surface got = measure_one(&r, &p, 1, 0.5);
    CHECK_UINT(got.ref_surface_voxels, 14);
    CHECK_UINT(got.pred_surface_voxels, 14);
    CHECK_SAME(got.hd, aniso[1]);
    CHECK_SAME(got.hd95, aniso[1]);
    surface_oracle_options o = {.tolerance_mm = 0.5};
    lobedice_label_surface want = oracle_measure(ref, pred, n, aniso, &o);
    want.label = 1;
    check_same_result(&got, &want);
}

/* An empty side: NaN measures, surface counts still reported, histogram row all zeros. */
static void test_empty_side(void)
{
    const size_t n[3] = {8, 8, 8};
    uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
    CHECK_FATAL(ref && pred);
    const size_t lo[3] = {2, 2, 2}, hi[3] = {4, 4, 4};
    fill_box(ref, n, lo, hi, 1);
    fill_box(pred, n, lo, hi, 2);
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    const int64_t labels[3] = {1, 2, 3};
    lobedice_label_surface out[3];
    CHECK_INT(lobedice_surface_distances(out, &r, &p, labels, 3, 1.0, 0), LOBEDICE_OK);
    CHECK_UINT(out[0].ref_surface_voxels, 26);
    CHECK_UINT(out[0].pred_surface_voxels, 0);
    CHECK_UINT(out[1].ref_surface_voxels, 0);
    CHECK_UINT(out[1].pred_surface_voxels, 26);
    CHECK_UINT(out[2].ref_surface_voxels, 0);
    CHECK_UINT(out[2].pred_surface_voxels, 0);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(out[i].label, labels[i]);
        const double v[] = {out[i].hd,
                            out[i].hd95,
                            out[i].assd,
                            out[i].nsd,
                            out[i].hd_ref_to_pred,
                            out[i].hd_pred_to_ref,
                            out[i].hd95_ref_to_pred,
                            out[i].hd95_pred_to_ref,
                            out[i].mean_ref_to_pred,
                            out[i].mean_pred_to_ref};
        for (size_t k = 0; k < CHECK_COUNT(v); k++)
            CHECK(isnan(v[k]));
    }
    uint64_t hist[3 * 4];
    memset(hist, 0xff, sizeof hist);
    lobedice_label_set sets[3] = {{1, &labels[0], 1}, {2, &labels[1], 1}, {3, &labels[2], 1}};
    lobedice_surface_options o;
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.histogram = hist;
    o.histogram_bins = 4;
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, sets, 3, &o), LOBEDICE_OK);
    for (int i = 0; i < 12; i++)
        CHECK_UINT(hist[i], 0);
    free(ref);
    free(pred);
}

/* ---- The oracle on random shapes and on a small phantom ---------------------------------------
 */

static void compare_with_oracle(const lobedice_volume *ref, const lobedice_volume *pred,
                                const lobedice_label_set *sets, size_t nsets)
{
    const double tolerances[] = {0.0, 0.5, 1.3, 2.7};
    const size_t bins = 7;
    const double bin_mm = 0.75;
    lobedice_label_surface *got = calloc(nsets, sizeof *got);
    uint64_t *hist = calloc(nsets * bins, sizeof *hist), want_hist[7];
    CHECK_FATAL(got && hist);
    for (size_t t = 0; t < CHECK_COUNT(tolerances); t++) {
        lobedice_surface_options o;
        lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
        o.tolerance_mm = tolerances[t];
        o.histogram = hist;
        o.histogram_bins = bins;
        o.histogram_bin_mm = bin_mm;
        o.threads = 1 + t;
        CHECK_INT(lobedice_surface_distances_sets(got, ref, pred, sets, nsets, &o), LOBEDICE_OK);
        for (size_t i = 0; i < nsets; i++) {
            surface_oracle_options bo = {tolerances[t], want_hist, bins, bin_mm};
            lobedice_label_surface want = oracle_set(ref, pred, &sets[i], &bo);
            check_same_result(&got[i], &want);
            for (size_t j = 0; j < bins; j++)
                CHECK_UINT(hist[i * bins + j], want_hist[j]);
        }
    }
    free(got);
    free(hist);
}

static void test_oracle_random(void)
{
    static const size_t sizes[][3] = {{21, 17, 13}, {16, 25, 9}, {30, 22, 1}, {9, 11, 27}};
    static const double spacings[][3] = {
        {0.7, 1.1, 2.3}, {1.0, 1.0, 1.0}, {0.45, 0.9, 3.0}, {2.5, 0.6, 0.8}};
    const int64_t l1 = 1, l2 = 2, l3 = 3, l12[2] = {1, 2}, all[3] = {3, 2, 1}, none = 7;
    const lobedice_label_set sets[] = {{1, &l1, 1},  {2, &l2, 1},  {3, &l3, 1},
                                       {12, l12, 2}, {99, all, 3}, {7, &none, 1}};
    rng_state = 0x9E3779B97F4A7C15u;
    for (size_t c = 0; c < CHECK_COUNT(sizes); c++) {
        for (int round = 0; round < 2; round++) {
            const size_t *n = sizes[c];
            uint8_t *ref = calloc(count_of(n), 1), *pred = malloc(count_of(n));
            CHECK_FATAL(ref && pred);
            random_shapes(ref, n, 6, 0.01);
            memcpy(pred, ref, count_of(n));
            random_shapes(pred, n, 3, 0.02);
            lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, spacings[c]),
                            p = volume_of(pred, LOBEDICE_UINT8, n, spacings[c]);
            compare_with_oracle(&r, &p, sets, CHECK_COUNT(sets));
            free(ref);
            free(pred);
        }
    }
}

/* Other dtypes (negative labels, 32-bit searches, a label one dtype cannot hold). */
static void test_oracle_dtypes(void)
{
    const size_t n[3] = {19, 14, 11};
    const int32_t ref_codes[4] = {0, -7, 1000, 70000};
    const int16_t pred_codes[4] = {0, -7, 1000, -300};
    const int64_t a = -7, b = 1000, c = 70000, d = -300, ab[2] = {-7, 1000};
    const lobedice_label_set sets[] = {{1, &a, 1}, {2, &b, 1}, {3, &c, 1}, {4, &d, 1}, {5, ab, 2}};
    rng_state = 12345;
    uint8_t *ref8 = calloc(count_of(n), 1), *pred8 = malloc(count_of(n));
    int32_t *ref = malloc(count_of(n) * sizeof *ref);
    int16_t *pred = malloc(count_of(n) * sizeof *pred);
    CHECK_FATAL(ref8 && pred8 && ref && pred);
    random_shapes(ref8, n, 6, 0.01);
    memcpy(pred8, ref8, count_of(n));
    random_shapes(pred8, n, 3, 0.02);
    for (size_t i = 0; i < count_of(n); i++) {
        ref[i] = ref_codes[ref8[i]];
        pred[i] = pred_codes[pred8[i]];
    }
    lobedice_volume r = volume_of(ref, LOBEDICE_INT32, n, aniso),
                    p = volume_of(pred, LOBEDICE_INT16, n, aniso);
    compare_with_oracle(&r, &p, sets, CHECK_COUNT(sets));
    free(ref8);
    free(pred8);
    free(ref);
    free(pred);
}

static void check_bitwise(const lobedice_label_surface *a, const lobedice_label_surface *b);

/* The phantom (lobes, fissures, a hole and an island) at a small size; then the same maps as
 * 16-bit and signed 8-bit values, whose long runs are read eight bytes at a time: the results
 * must not change by a bit. */
static void test_oracle_phantom(void)
{
    const size_t n[3] = {40, 36, 30};
    double s[3], origin[3];
    phantom_geometry(n, s, origin);
    uint8_t *ref = phantom_new(n, PHANTOM_REFERENCE), *pred = phantom_new(n, PHANTOM_PREDICTION);
    int16_t *ref16 = malloc(count_of(n) * sizeof *ref16);
    uint16_t *pred16 = malloc(count_of(n) * sizeof *pred16);
    CHECK_FATAL(ref && pred && ref16 && pred16);
    const int64_t lobes[5] = {1, 2, 3, 4, 5};
    const lobedice_label_set sets[] = {{1, &lobes[0], 1}, {2, &lobes[1], 1}, {3, &lobes[2], 1},
                                       {4, &lobes[3], 1}, {5, &lobes[4], 1}, {10, lobes, 5}};
    enum { NSETS = CHECK_COUNT(sets) };
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, s),
                    p = volume_of(pred, LOBEDICE_UINT8, n, s);
    compare_with_oracle(&r, &p, sets, NSETS);

    lobedice_label_surface want[NSETS], got[NSETS];
    CHECK_INT(lobedice_surface_distances_sets(want, &r, &p, sets, NSETS, NULL), LOBEDICE_OK);
    for (size_t i = 0; i < count_of(n); i++) {
        ref16[i] = (int16_t)ref[i];
        pred16[i] = (uint16_t)pred[i];
    }
    const lobedice_volume r16 = volume_of(ref16, LOBEDICE_INT16, n, s),
                          p16 = volume_of(pred16, LOBEDICE_UINT16, n, s),
                          r8 = volume_of(ref, LOBEDICE_INT8, n, s);
    CHECK_INT(lobedice_surface_distances_sets(got, &r16, &p16, sets, NSETS, NULL), LOBEDICE_OK);
    for (size_t i = 0; i < NSETS; i++)
        check_bitwise(&got[i], &want[i]);
    CHECK_INT(lobedice_surface_distances_sets(got, &r8, &p16, sets, NSETS, NULL), LOBEDICE_OK);
    for (size_t i = 0; i < NSETS; i++)
        check_bitwise(&got[i], &want[i]);
    free(ref);
    free(pred);
    free(ref16);
    free(pred16);
}

/* Equal spacings along x and y take the integer pass y, unequal ones the floating-point one:
 * both against the oracle on the same shapes, with in-plane spacings as in CT. */
static void test_oracle_in_plane_spacing(void)
{
    const size_t n[3] = {23, 19, 15};
    static const double spacings[][3] = {
        {0.68, 0.68, 0.94}, {0.68, 0.6800001, 0.94}, {1.3, 1.3, 0.4}, {0.9, 1.3, 0.4}};
    const int64_t l1 = 1, l2 = 2, l12[2] = {1, 2};
    const lobedice_label_set sets[] = {{1, &l1, 1}, {2, &l2, 1}, {12, l12, 2}};
    rng_state = 4242;
    uint8_t *ref = calloc(count_of(n), 1), *pred = malloc(count_of(n));
    CHECK_FATAL(ref && pred);
    random_shapes(ref, n, 5, 0.01);
    memcpy(pred, ref, count_of(n));
    random_shapes(pred, n, 3, 0.02);
    for (size_t c = 0; c < CHECK_COUNT(spacings); c++) {
        lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, spacings[c]),
                        p = volume_of(pred, LOBEDICE_UINT8, n, spacings[c]);
        compare_with_oracle(&r, &p, sets, CHECK_COUNT(sets));
    }
    free(ref);
    free(pred);
}

/* Surfaces far apart along z: a query's outward visits from the nearest slice would cover more
 * slices than there are, so the z pass takes the pass over all of them, the plain minimum on
 * the columns through the top and bottom faces (2 queries each) and the envelope on those of
 * the side walls (12 queries each). Then a box one voxel wide (its rows are a single voxel,
 * first and last at once). */
static void test_oracle_far_apart(void)
{
    const size_t n[3] = {12, 10, 32};
    uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
    CHECK_FATAL(ref && pred);
    fill_box(ref, n, (const size_t[3]){2, 2, 1}, (const size_t[3]){8, 7, 12}, 1);
    fill_box(pred, n, (const size_t[3]){3, 1, 27}, (const size_t[3]){9, 6, 29}, 1);
    const int64_t one = 1;
    const lobedice_label_set set = {1, &one, 1};
    static const double spacings[][3] = {{0.8, 0.8, 0.5}, {0.8, 1.1, 0.5}};
    for (size_t c = 0; c < CHECK_COUNT(spacings); c++) {
        lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, spacings[c]),
                        p = volume_of(pred, LOBEDICE_UINT8, n, spacings[c]);
        compare_with_oracle(&r, &p, &set, 1);
    }
    free(ref);
    free(pred);

    const size_t thin[3] = {1, 9, 20};
    ref = calloc(count_of(thin), 1);
    pred = calloc(count_of(thin), 1);
    CHECK_FATAL(ref && pred);
    fill_box(ref, thin, (const size_t[3]){0, 1, 2}, (const size_t[3]){0, 7, 5}, 1);
    fill_box(pred, thin, (const size_t[3]){0, 3, 9}, (const size_t[3]){0, 8, 17}, 1);
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, thin, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, thin, aniso);
    compare_with_oracle(&r, &p, &set, 1);
    free(ref);
    free(pred);
}

/* Boxes with a side above 65536 voxels take the 64-bit offset path. */
static void test_oracle_wide_box(void)
{
    static const size_t sizes[][3] = {{70001, 3, 2}, {2, 66000, 3}};
    for (size_t c = 0; c < CHECK_COUNT(sizes); c++) {
        const size_t *n = sizes[c];
        uint8_t *ref = calloc(count_of(n), 1), *pred = calloc(count_of(n), 1);
        CHECK_FATAL(ref && pred);
        const size_t far = n[0] > n[1] ? n[0] : n[1];
        for (size_t k = 0; k < 4; k++) {
            size_t along = k == 0 ? 0 : k == 1 ? 5 : k == 2 ? far / 2 : far - 1;
            size_t v = n[0] > n[1] ? idx(n, along, k % 3, k % 2) : idx(n, k % 2, along, k % 3);
            ref[v] = 1;
            pred[n[0] > n[1] ? idx(n, (along + 7 * k) % far, 1, 1)
                             : idx(n, 1, (along + 11 * k + 3) % far, 1)] = 1;
        }
        const double s[3] = {0.3, 0.45, 1.7};
        lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, s),
                        p = volume_of(pred, LOBEDICE_UINT8, n, s);
        const int64_t one = 1;
        const lobedice_label_set set = {1, &one, 1};
        compare_with_oracle(&r, &p, &set, 1);
        free(ref);
        free(pred);
    }
}

/* ---- Sets, threads, progress ------------------------------------------------------------------
 */

/* A set equals the single label of maps where its labels were merged into one value. */
static void test_sets(void)
{
    const size_t n[3] = {24, 20, 16};
    rng_state = 777;
    uint8_t *ref = calloc(count_of(n), 1), *pred = malloc(count_of(n));
    uint8_t *ref_m = malloc(count_of(n)), *pred_m = malloc(count_of(n));
    CHECK_FATAL(ref && pred && ref_m && pred_m);
    random_shapes(ref, n, 8, 0.005);
    memcpy(pred, ref, count_of(n));
    random_shapes(pred, n, 3, 0.01);
    for (size_t i = 0; i < count_of(n); i++) {
        ref_m[i] = ref[i] == 1 || ref[i] == 3 ? 9 : ref[i];
        pred_m[i] = pred[i] == 1 || pred[i] == 3 ? 9 : pred[i];
    }
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso),
                    rm = volume_of(ref_m, LOBEDICE_UINT8, n, aniso),
                    pm = volume_of(pred_m, LOBEDICE_UINT8, n, aniso);
    const int64_t l13[3] = {3, 1, 3}, l9 = 9;
    const lobedice_label_set set = {42, l13, 3};
    lobedice_label_surface got, want;
    CHECK_INT(lobedice_surface_distances_sets(&got, &r, &p, &set, 1, NULL), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(&want, &rm, &pm, &l9, 1, 1.0, 0), LOBEDICE_OK);
    CHECK_INT(got.label, 42);
    CHECK_UINT(got.ref_surface_voxels, want.ref_surface_voxels);
    CHECK_UINT(got.pred_surface_voxels, want.pred_surface_voxels);
    CHECK_SAME(got.hd, want.hd);
    CHECK_SAME(got.hd95, want.hd95);
    CHECK_SAME(got.assd, want.assd);
    CHECK_SAME(got.nsd, want.nsd);
    CHECK_SAME(got.mean_ref_to_pred, want.mean_ref_to_pred);
    CHECK_SAME(got.hd95_pred_to_ref, want.hd95_pred_to_ref);
    CHECK(got.ref_surface_voxels > 0 && got.pred_surface_voxels > 0);
    free(ref);
    free(pred);
    free(ref_m);
    free(pred_m);
}

static void check_bitwise(const lobedice_label_surface *a, const lobedice_label_surface *b)
{
    CHECK_INT(a->label, b->label);
    CHECK_UINT(a->ref_surface_voxels, b->ref_surface_voxels);
    CHECK_UINT(a->pred_surface_voxels, b->pred_surface_voxels);
    CHECK_SAME(a->hd, b->hd);
    CHECK_SAME(a->hd95, b->hd95);
    CHECK_SAME(a->assd, b->assd);
    CHECK_SAME(a->nsd, b->nsd);
    CHECK_SAME(a->hd_ref_to_pred, b->hd_ref_to_pred);
    CHECK_SAME(a->hd_pred_to_ref, b->hd_pred_to_ref);
    CHECK_SAME(a->hd95_ref_to_pred, b->hd95_ref_to_pred);
    CHECK_SAME(a->hd95_pred_to_ref, b->hd95_pred_to_ref);
    CHECK_SAME(a->mean_ref_to_pred, b->mean_ref_to_pred);
    CHECK_SAME(a->mean_pred_to_ref, b->mean_pred_to_ref);
}

/* 1, 2, 3 and 5 threads give bit-identical results and histograms; inputs are untouched. */
static void test_thread_invariance(void)
{
    const size_t n[3] = {96, 96, 60};
    double s[3], origin[3];
    phantom_geometry(n, s, origin);
    uint8_t *ref = phantom_new(n, PHANTOM_REFERENCE), *pred = phantom_new(n, PHANTOM_PREDICTION);
    uint8_t *ref_copy = malloc(count_of(n)), *pred_copy = malloc(count_of(n));
    CHECK_FATAL(ref && pred && ref_copy && pred_copy);
    memcpy(ref_copy, ref, count_of(n));
    memcpy(pred_copy, pred, count_of(n));
    const int64_t lobes[5] = {1, 2, 3, 4, 5}, right[3] = {1, 2, 3};
    const lobedice_label_set sets[] = {{1, &lobes[0], 1}, {2, &lobes[1], 1}, {3, &lobes[2], 1},
                                       {4, &lobes[3], 1}, {5, &lobes[4], 1}, {10, lobes, 5},
                                       {11, right, 3}};
    enum { NSETS = CHECK_COUNT(sets), BINS = 40 };
    const size_t threads[] = {1, 2, 3, 5};
    lobedice_label_surface out[4][NSETS];
    uint64_t hist[4][NSETS * BINS];
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, s),
                    p = volume_of(pred, LOBEDICE_UINT8, n, s);
    for (int t = 0; t < 4; t++) {
        lobedice_surface_options o;
        lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
        o.threads = threads[t];
        o.tolerance_mm = 4.0;
        o.histogram = hist[t];
        o.histogram_bins = BINS;
        o.histogram_bin_mm = 0.5;
        CHECK_INT(lobedice_surface_distances_sets(out[t], &r, &p, sets, NSETS, &o), LOBEDICE_OK);
    }
    for (int t = 1; t < 4; t++) {
        for (int i = 0; i < NSETS; i++)
            check_bitwise(&out[t][i], &out[0][i]);
        CHECK(memcmp(hist[t], hist[0], sizeof hist[0]) == 0);
    }
    for (int i = 0; i < NSETS; i++)
        CHECK(out[0][i].hd > 0 && out[0][i].nsd > 0 && out[0][i].nsd < 1);
    CHECK(memcmp(ref, ref_copy, count_of(n)) == 0);
    CHECK(memcmp(pred, pred_copy, count_of(n)) == 0);
    free(ref);
    free(pred);
    free(ref_copy);
    free(pred_copy);
}

typedef struct progress_log {
    pthread_t caller;
    int calls, wrong_thread;
    double fractions[8];
} progress_log;

static void on_progress(void *user, double fraction)
{
    progress_log *log = user;
    if (!pthread_equal(pthread_self(), log->caller))
        log->wrong_thread++;
    if (log->calls < 8)
        log->fractions[log->calls] = fraction;
    log->calls++;
}

/* One call per result, from the calling thread, increasing, the last exactly 1. */
static void test_progress(void)
{
    const size_t n[3] = {48, 48, 30};
    double s[3], origin[3];
    phantom_geometry(n, s, origin);
    uint8_t *ref = phantom_new(n, PHANTOM_REFERENCE), *pred = phantom_new(n, PHANTOM_PREDICTION);
    CHECK_FATAL(ref && pred);
    const int64_t lobes[6] = {1, 2, 3, 4, 5, 6};
    const lobedice_label_set sets[] = {
        {1, &lobes[0], 1}, {6, &lobes[5], 1}, {3, &lobes[2], 1}, {10, lobes, 5}};
    lobedice_label_surface out[4];
    progress_log log = {.caller = pthread_self()};
    lobedice_surface_options o;
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.threads = 3;
    o.progress = on_progress;
    o.progress_user = &log;
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, s),
                    p = volume_of(pred, LOBEDICE_UINT8, n, s);
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, sets, 4, &o), LOBEDICE_OK);
    CHECK_INT(log.calls, 4);
    CHECK_INT(log.wrong_thread, 0);
    for (int i = 0; i < 4; i++)
        CHECK(log.fractions[i] > (i ? log.fractions[i - 1] : 0.0) && log.fractions[i] <= 1.0);
    CHECK_SAME(log.fractions[3], 1.0);
    free(ref);
    free(pred);
}

/* ---- Errors ------------------------------------------------------------------------------------
 */

static void test_errors(void)
{
    const size_t n[3] = {6, 5, 4};
    uint8_t ref[120] = {0}, pred[120] = {0};
    ref[idx(n, 2, 2, 2)] = pred[idx(n, 3, 2, 2)] = 1;
    lobedice_volume r = volume_of(ref, LOBEDICE_UINT8, n, aniso),
                    p = volume_of(pred, LOBEDICE_UINT8, n, aniso);
    const int64_t label = 1;
    const lobedice_label_set set = {1, &label, 1};
    lobedice_label_surface out[2];
    lobedice_surface_options o;

    CHECK_INT(lobedice_surface_distances(out, &r, &p, &label, 1, 1.0, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(out, &r, &p, &label, 0, 1.0, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(NULL, &r, &p, &label, 1, 1.0, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, NULL, &p, &label, 1, 1.0, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, &r, NULL, &label, 1, 1.0, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, &r, &p, NULL, 1, 1.0, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, &r, &p, &label, 1, -0.5, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, &r, &p, &label, 1, NAN, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances(out, &r, &p, &label, 1, INFINITY, 0), LOBEDICE_OK);
    CHECK_SAME(out[0].nsd, 1.0);

    lobedice_volume bad = p;
    bad.data = NULL;
    CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_EINVAL);
    bad = p;
    bad.size[1] = 4; /* fewer voxels than ref: sizes differ */
    CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_ESIZE);
    bad = p;
    bad.size[2] = 0;
    CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_ESIZE);
    bad = p;
    bad.spacing[0] = 0.0;
    CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_ESPACING);
    bad = r;
    bad.spacing[2] = NAN;
    CHECK_INT(lobedice_surface_distances(out, &bad, &p, &label, 1, 1.0, 0), LOBEDICE_ESPACING);
    bad = r;
    bad.spacing[1] = -1.0;
    CHECK_INT(lobedice_surface_distances(out, &bad, &p, &label, 1, 1.0, 0), LOBEDICE_ESPACING);
    bad = r;
    bad.dtype = (lobedice_dtype)42;
    CHECK_INT(lobedice_surface_distances(out, &bad, &p, &label, 1, 1.0, 0), LOBEDICE_EDTYPE);
    bad = p;
    bad.dtype = (lobedice_dtype)-1;
    CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_EDTYPE);
    for (int a = 0; a < 3; a++) { /* a zero size along any axis, of pred or of ref */
        bad = p;
        bad.size[a] = 0;
        CHECK_INT(lobedice_surface_distances(out, &r, &bad, &label, 1, 1.0, 0), LOBEDICE_ESIZE);
        CHECK_INT(lobedice_surface_distances(out, &bad, &r, &label, 1, 1.0, 0), LOBEDICE_ESIZE);
    }
    bad = r;
    bad.size[0] = SIZE_MAX / 2;
    bad.size[1] = 4;
    CHECK_INT(lobedice_surface_distances(out, &bad, &p, &label, 1, 1.0, 0), LOBEDICE_EOVERFLOW);

    /* sets and options */
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, NULL, 1, NULL), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, NULL, 0, NULL), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances_sets(NULL, &r, &p, &set, 1, NULL), LOBEDICE_EINVAL);
    /* with no result asked for, out (and sets, labels) may be NULL, as the header says; the
     * volumes are still checked */
    CHECK_INT(lobedice_surface_distances_sets(NULL, &r, &p, NULL, 0, NULL), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(NULL, &r, &p, NULL, 0, 1.0, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(NULL, &r, &p, &label, 0, 1.0, 0), LOBEDICE_OK);
    CHECK_INT(lobedice_surface_distances(NULL, NULL, &p, NULL, 0, 1.0, 0), LOBEDICE_EINVAL);
    CHECK_INT(lobedice_surface_distances_sets(NULL, &r, NULL, NULL, 0, NULL), LOBEDICE_EINVAL);
    const lobedice_label_set no_labels = {1, NULL, 2};
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &no_labels, 1, NULL), LOBEDICE_EINVAL);
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.version = 0;
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_EINVAL);
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.tolerance_mm = -1e-9;
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_EINVAL);
    uint64_t hist[8];
    const double bad_bins[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t i = 0; i < CHECK_COUNT(bad_bins); i++) {
        lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
        o.histogram = hist;
        o.histogram_bins = 8;
        o.histogram_bin_mm = bad_bins[i];
        CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_EINVAL);
    }
    lobedice_surface_options_init(&o, LOBEDICE_SURFACE_OPTIONS_VERSION);
    o.histogram = hist;
    o.histogram_bins = 0;
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_EINVAL);
    const lobedice_label_set two[2] = {set, set};
    o.histogram_bins = SIZE_MAX / 2 + 1; /* 2 results * bins overflows */
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, two, 2, &o), LOBEDICE_EOVERFLOW);
    o.histogram_bins = SIZE_MAX / 8 + 1; /* one result: the entries fit, their bytes do not */
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_EOVERFLOW);
    o.histogram_bins = 8; /* a valid histogram: distances 0.7 and 0.7, both in bin 0 */
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_OK);
    CHECK_UINT(hist[0], 2);
    CHECK_SAME(out[0].hd, aniso[0]);
    o.histogram = NULL; /* without a histogram its fields are ignored */
    o.histogram_bins = 0;
    o.histogram_bin_mm = NAN;
    CHECK_INT(lobedice_surface_distances_sets(out, &r, &p, &set, 1, &o), LOBEDICE_OK);
    lobedice_surface_options_init(NULL, LOBEDICE_SURFACE_OPTIONS_VERSION);
}

static const check_case cases[] = {
    {"shift_one_voxel", test_shift_one_voxel},
    {"nested_boxes", test_nested_boxes},
    {"concentric_spheres", test_concentric_spheres},
    {"hole", test_hole},
    {"island", test_island},
    {"border", test_border},
    {"planar", test_planar},
    {"empty_side", test_empty_side},
    {"oracle_random", test_oracle_random},
    {"oracle_dtypes", test_oracle_dtypes},
    {"oracle_phantom", test_oracle_phantom},
    {"oracle_in_plane_spacing", test_oracle_in_plane_spacing},
    {"oracle_far_apart", test_oracle_far_apart},
    {"oracle_wide_box", test_oracle_wide_box},
    {"sets", test_sets},
    {"thread_invariance", test_thread_invariance},
    {"progress", test_progress},
    {"errors", test_errors},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
