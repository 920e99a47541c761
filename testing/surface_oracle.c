/* The brute-force surface-distance oracle (surface_oracle.h): the definitions, literally. */
#include "surface_oracle.h"

#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t voxel_index(const size_t n[3], size_t x, size_t y, size_t z)
{
    return (z * n[1] + y) * n[0] + x;
}

size_t surface_oracle_voxels(size_t (*out)[3], const uint8_t *mask, const size_t n[3])
{
    size_t count = 0;
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                if (!mask[voxel_index(n, x, y, z)])
                    continue;
                const long p[3] = {(long)x, (long)y, (long)z};
                int surface = 0;
                for (int a = 0; a < 3; a++) {
                    if (a == 2 && n[2] == 1)
                        continue;
                    for (int step = -1; step <= 1; step += 2) {
                        long q[3] = {p[0], p[1], p[2]};
                        q[a] += step;
                        if (q[a] < 0 || q[a] >= (long)n[a] ||
                            !mask[voxel_index(n, (size_t)q[0], (size_t)q[1], (size_t)q[2])])
                            surface = 1;
                    }
                }
                if (surface) {
                    for (int a = 0; a < 3; a++)
                        out[count][a] = (size_t)p[a];
                    count++;
                }
            }
    return count;
}

double *surface_oracle_directed(size_t (*a)[3], size_t na, size_t (*b)[3], size_t nb,
                                const double spacing[3])
{
    double *d = malloc((na ? na : 1) * sizeof *d);
    CHECK_FATAL(d);
    for (size_t i = 0; i < na; i++) {
        double best = INFINITY;
        for (size_t j = 0; j < nb; j++) {
            double dx = ((double)a[i][0] - (double)b[j][0]) * spacing[0];
            double dy = ((double)a[i][1] - (double)b[j][1]) * spacing[1];
            double dz = ((double)a[i][2] - (double)b[j][2]) * spacing[2];
            double dist = sqrt(dx * dx + dy * dy + dz * dz);
            if (dist < best)
                best = dist;
        }
        d[i] = best;
    }
    return d;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double surface_oracle_p95(double *d, size_t n)
{
    qsort(d, n, sizeof *d, compare_doubles);
    double rank = 0.95 * (double)(n - 1);
    size_t k = (size_t)floor(rank);
    if (k + 1 >= n)
        return d[k];
    return d[k] + (d[k + 1] - d[k]) * (rank - (double)k);
}

/* Adds the distances of one direction to the histogram: bin j holds j*w <= d < (j+1)*w, the
 * last everything beyond. */
static void add_to_histogram(const surface_oracle_options *o, const double *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j + 1 < o->bins && (double)(j + 1) * o->bin_mm <= d[i])
            j++;
        o->histogram[j]++;
    }
}

surface_oracle_result surface_oracle_measure(const uint8_t *a, const uint8_t *b, const size_t n[3],
                                             const double spacing[3],
                                             const surface_oracle_options *o)
{
    surface_oracle_result r;
    memset(&r, 0, sizeof r);
    const size_t voxels = n[0] * n[1] * n[2];
    size_t(*sa)[3] = malloc(voxels * sizeof *sa);
    size_t(*sb)[3] = malloc(voxels * sizeof *sb);
    CHECK_FATAL(sa && sb);
    const size_t na = surface_oracle_voxels(sa, a, n), nb = surface_oracle_voxels(sb, b, n);
    r.ref_surface_voxels = na;
    r.pred_surface_voxels = nb;
    r.hd = r.hd95 = r.assd = r.nsd = NAN;
    r.hd_ref_to_pred = r.hd_pred_to_ref = r.hd95_ref_to_pred = r.hd95_pred_to_ref = NAN;
    r.mean_ref_to_pred = r.mean_pred_to_ref = NAN;
    if (o->histogram)
        memset(o->histogram, 0, o->bins * sizeof *o->histogram);
    if (na && nb) {
        double *dab = surface_oracle_directed(sa, na, sb, nb, spacing);
        double *dba = surface_oracle_directed(sb, nb, sa, na, spacing);
        double sum_ab = 0, sum_ba = 0, max_ab = 0, max_ba = 0;
        size_t within = 0;
        for (size_t i = 0; i < na; i++) {
            sum_ab += dab[i];
            max_ab = dab[i] > max_ab ? dab[i] : max_ab;
            within += dab[i] <= o->tolerance_mm;
        }
        for (size_t i = 0; i < nb; i++) {
            sum_ba += dba[i];
            max_ba = dba[i] > max_ba ? dba[i] : max_ba;
            within += dba[i] <= o->tolerance_mm;
        }
        if (o->histogram) {
            add_to_histogram(o, dab, na);
            add_to_histogram(o, dba, nb);
        }
        r.hd_ref_to_pred = max_ab;
        r.hd_pred_to_ref = max_ba;
        r.hd95_ref_to_pred = surface_oracle_p95(dab, na);
        r.hd95_pred_to_ref = surface_oracle_p95(dba, nb);
        r.mean_ref_to_pred = sum_ab / (double)na;
        r.mean_pred_to_ref = sum_ba / (double)nb;
        r.hd = fmax(max_ab, max_ba);
        r.hd95 = fmax(r.hd95_ref_to_pred, r.hd95_pred_to_ref);
        r.assd = (sum_ab + sum_ba) / (double)(na + nb);
        r.nsd = (double)within / (double)(na + nb);
        free(dab);
        free(dba);
    }
    free(sa);
    free(sb);
    return r;
}
