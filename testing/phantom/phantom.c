#include "phantom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void phantom_geometry(const size_t size[3], double spacing[3], double origin[3])
{
    const double fov[3] = {PHANTOM_FOV_X, PHANTOM_FOV_Y, PHANTOM_FOV_Z};
    for (int a = 0; a < 3; a++) {
        spacing[a] = fov[a] / (double)size[a];
        origin[a] = -0.5 * fov[a] + 0.5 * spacing[a];
    }
}

/* Shape parameters in normalized coordinates u, v, w in [-1, 1] (x, y, z). */
typedef struct lung {
    double cu, cv, cw;    /* centre */
    double au, av, aw;    /* semi-axes; below the centre the base is flattened */
    double oblique_w;     /* oblique fissure: lower lobe where w < oblique_w + slope*(v - cv) */
    double oblique_slope; /* w rises towards the back */
    double oblique_twist; /* and tilts slightly from the mediastinum outwards */
    double horizontal_w;  /* right lung only: middle lobe where w < horizontal_w + tilt*v */
    double horizontal_tilt;
    int upper, middle, lower; /* labels; middle 0 for the left lung */
} lung;

typedef struct blob {
    double cu, cv, cw, r; /* a sphere in normalized coordinates (r along u) */
    int label;
} blob;

typedef struct phantom_model {
    lung lungs[2];
    double warp; /* amplitude of the smooth boundary warp */
    int nblobs;
    blob blobs[2];
} phantom_model;

/* A number in [0, 1) that varies irregularly with the case (the fractional part of a multiple
 * of an irrational): cases differ without a random generator. */
static double phantom_jitter(unsigned variant, double factor)
{
    double v = (double)variant * factor;
    return v - floor(v);
}

static phantom_model phantom_model_for(enum phantom_kind kind, unsigned variant)
{
    phantom_model m = {
        .lungs = {{-0.46, 0.05, 0.02, 0.34, 0.56, 0.80, -0.05, 0.95, 0.10, 0.12, 0.0, 1, 2, 3},
                  {0.47, 0.08, 0.02, 0.31, 0.52, 0.78, 0.05, 0.90, -0.08, 0, 0, 4, 0, 5}},
        .warp = 0.0,
        .nblobs = 0,
    };
    if (kind == PHANTOM_PREDICTION) {
        m.lungs[0].oblique_w += 0.035;
        m.lungs[0].oblique_slope -= 0.06;
        m.lungs[0].horizontal_w -= 0.03;
        m.lungs[0].horizontal_tilt = 0.08;
        m.lungs[1].oblique_w -= 0.03;
        m.lungs[1].oblique_twist += 0.05;
        m.warp = 0.045;
        m.nblobs = 2;
        m.blobs[0] = (blob){0.02, 0.30, -0.25, 0.045, 3};  /* false positive in the mediastinum */
        m.blobs[1] = (blob){-0.48, -0.05, 0.50, 0.050, 0}; /* hole inside the RUL */
    }
    if (variant) { /* another patient: lung size, and how far the prediction is off */
        const double size = 0.92 + 0.16 * phantom_jitter(variant, 0.7548776662),
                     off = 0.4 + 1.4 * phantom_jitter(variant, 0.5698402910);
        for (int l = 0; l < 2; l++) {
            m.lungs[l].au *= size;
            m.lungs[l].av *= size;
            m.lungs[l].aw *= 0.96 + 0.08 * phantom_jitter(variant, 0.3247179572 + l);
        }
        if (kind == PHANTOM_PREDICTION) {
            const phantom_model base = phantom_model_for(PHANTOM_REFERENCE, 0);
            for (int l = 0; l < 2; l++) {
                m.lungs[l].oblique_w = base.lungs[l].oblique_w +
                                       off * (m.lungs[l].oblique_w - base.lungs[l].oblique_w);
                m.lungs[l].horizontal_w =
                    base.lungs[l].horizontal_w +
                    off * (m.lungs[l].horizontal_w - base.lungs[l].horizontal_w);
            }
            m.warp *= 0.5 + phantom_jitter(variant, 0.4142135624);
            m.blobs[0].r *= 0.5 + phantom_jitter(variant, 0.2360679775);
        }
    }
    return m;
}

static int lung_label(const lung *g, double u, double v, double w, double warp_term)
{
    double du = (u - g->cu) / g->au, dv = (v - g->cv) / g->av, dw = (w - g->cw) / g->aw;
    double dw2 = dw * dw;
    if (dw < 0)
        dw2 = dw2 * dw2 * dw2; /* a flatter base, like the diaphragm */
    if (du * du + dv * dv + dw2 > 1.0 + warp_term)
        return 0;
    double side = g->cu < 0 ? -(u - g->cu) : (u - g->cu); /* positive towards the mediastinum */
    double oblique = g->oblique_w + g->oblique_slope * (v - g->cv) + g->oblique_twist * side;
    if (w < oblique)
        return g->lower;
    if (g->middle && w < g->horizontal_w + g->horizontal_tilt * v && v < g->cv + 0.15)
        return g->middle;
    return g->upper;
}

int phantom_fill(uint8_t *out, const size_t size[3], enum phantom_kind kind)
{
    return phantom_fill_case(out, size, kind, 0);
}

int phantom_fill_case(uint8_t *out, const size_t size[3], enum phantom_kind kind, unsigned variant)
{
    if (size[0] == 0 || size[1] == 0 || size[2] == 0)
        return -1;
    phantom_model m = phantom_model_for(kind, variant);
    const double pi = 3.14159265358979323846;
    size_t i = 0;
    for (size_t z = 0; z < size[2]; z++) {
        double w = 2.0 * ((double)z + 0.5) / (double)size[2] - 1.0;
        for (size_t y = 0; y < size[1]; y++) {
            double v = 2.0 * ((double)y + 0.5) / (double)size[1] - 1.0;
            double warp_vw = m.warp * sin(5.0 * pi * v) * cos(3.0 * pi * w);
            for (size_t x = 0; x < size[0]; x++, i++) {
                double u = 2.0 * ((double)x + 0.5) / (double)size[0] - 1.0;
                double warp = m.warp ? warp_vw + 0.5 * m.warp * sin(4.0 * pi * u + 2.0 * w) : 0.0;
                int label = lung_label(&m.lungs[u < 0 ? 0 : 1], u, v, w, warp);
                for (int b = 0; b < m.nblobs; b++) {
                    const blob *s = &m.blobs[b];
                    /* the sphere is round in mm: scale v and w by the field-of-view ratios */
                    double du = u - s->cu, dv = (v - s->cv) * (PHANTOM_FOV_Y / PHANTOM_FOV_X),
                           dw = (w - s->cw) * (PHANTOM_FOV_Z / PHANTOM_FOV_X);
                    if (du * du + dv * dv + dw * dw <= s->r * s->r)
                        label = s->label;
                }
                out[i] = (uint8_t)label;
            }
        }
    }
    return 0;
}

uint8_t *phantom_new(const size_t size[3], enum phantom_kind kind)
{
    return phantom_new_case(size, kind, 0);
}

uint8_t *phantom_new_case(const size_t size[3], enum phantom_kind kind, unsigned variant)
{
    size_t n = size[0];
    if (__builtin_mul_overflow(n, size[1], &n) || __builtin_mul_overflow(n, size[2], &n) || !n)
        return NULL;
    uint8_t *out = malloc(n);
    if (out && phantom_fill_case(out, size, kind, variant) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

phantom_pair *phantom_pair_new(const size_t size[3])
{
    phantom_pair *pair = calloc(1, sizeof *pair);
    if (!pair)
        return NULL;
    pair->ref = phantom_new(size, PHANTOM_REFERENCE);
    pair->pred = pair->ref ? phantom_new(size, PHANTOM_PREDICTION) : NULL;
    if (!pair->pred) {
        phantom_pair_free(pair);
        return NULL;
    }
    memcpy(pair->size, size, sizeof pair->size);
    pair->voxels = size[0] * size[1] * size[2]; /* phantom_new checked the product */
    phantom_geometry(size, pair->spacing, pair->origin);
    return pair;
}

void phantom_pair_free(phantom_pair *pair)
{
    if (!pair)
        return;
    free(pair->ref);
    free(pair->pred);
    free(pair);
}

int phantom_content_box(const uint8_t *map, const size_t size[3], size_t lo[3], size_t hi[3])
{
    size_t first[3] = {size[0], size[1], size[2]}, last[3] = {0, 0, 0};
    size_t i = 0;
    for (size_t z = 0; z < size[2]; z++)
        for (size_t y = 0; y < size[1]; y++)
            for (size_t x = 0; x < size[0]; x++, i++) {
                if (!map[i])
                    continue;
                const size_t p[3] = {x, y, z};
                for (int a = 0; a < 3; a++) {
                    if (p[a] < first[a])
                        first[a] = p[a];
                    if (p[a] + 1 > last[a])
                        last[a] = p[a] + 1;
                }
            }
    if (last[0] == 0)
        return -1;
    memcpy(lo, first, sizeof first);
    memcpy(hi, last, sizeof last);
    return 0;
}
