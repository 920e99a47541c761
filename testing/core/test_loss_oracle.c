#include "test_loss_oracle.h"

#include <math.h>
#include <stdlib.h>

static double activation(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                         const double *x, size_t b, size_t c, size_t v)
{
    size_t nc = s->channels, nv = s->voxels;
    double xv = x[(b * nc + c) * nv + v];
    if (o->activation == LOBEDICE_ACTIVATION_SIGMOID)
        return 1.0 / (1.0 + exp(-xv));
    if (o->activation == LOBEDICE_ACTIVATION_SOFTMAX) {
        double sum = 0.0;
        for (size_t k = 0; k < nc; k++)
            sum += exp(x[(b * nc + k) * nv + v] - xv);
        return 1.0 / sum;
    }
    return xv;
}

/* I, P (or sum p^2) and G (or sum g^2) of channel c over the samples [b0, b1); *volume = sum g. */
static void sums(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                 const double *x, const double *g, size_t b0, size_t b1, size_t c, double *i,
                 double *p, double *gs, double *volume)
{
    *i = *p = *gs = *volume = 0.0;
    for (size_t b = b0; b < b1; b++)
        for (size_t v = 0; v < s->voxels; v++) {
            double pv = activation(s, o, x, b, c, v);
            double gv = g[(b * s->channels + c) * s->voxels + v];
            *i += pv * gv;
            *p += o->squared_pred ? pv * pv : pv;
            *gs += o->squared_pred ? gv * gv : gv;
            *volume += gv;
        }
}

static double dice_of(const lobedice_dice_loss_options *o, double i, double p, double g)
{
    double den = o->jaccard ? 2.0 * (p + g - i) + o->smooth_dr : p + g + o->smooth_dr;
    return (2.0 * i + o->smooth_nr) / den;
}

double oracle_dice_loss(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                        const double *x, const double *g, double *dice)
{
    size_t nc = s->channels, groups = o->batch_dice ? 1 : s->batch;
    size_t first = o->include_background ? 0 : 1, taking_part = nc - first;
    double neg_mean = 0.0, sum = 0.0;
    for (size_t c = 0; c < nc; c++) {
        if (c < first) {
            if (dice)
                for (size_t k = 0; k < groups; k++)
                    dice[k * nc + c] = NAN;
            continue;
        }
        double w = o->weights ? o->weights[c] : 1.0, mean_b = 0.0;
        for (size_t k = 0; k < groups; k++) {
            size_t b0 = o->batch_dice ? 0 : k, b1 = o->batch_dice ? s->batch : k + 1;
            double i, p, gs, volume;
            sums(s, o, x, g, b0, b1, c, &i, &p, &gs, &volume);
            double d = dice_of(o, i, p, gs);
            if (dice)
                dice[k * nc + c] = d;
            mean_b += d / (double)groups;
            sum += w * (1.0 - d);
        }
        neg_mean -= w * mean_b / (double)taking_part;
    }
    switch (o->reduction) {
    case LOBEDICE_LOSS_NEG_MEAN_DICE: return neg_mean;
    case LOBEDICE_LOSS_MEAN: return sum / (double)(taking_part * groups);
    case LOBEDICE_LOSS_SUM: return sum;
    }
    return NAN;
}

double oracle_generalized_loss(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                               const double *x, const double *g)
{
    const lobedice_gdl_weight type = o->generalized_weight;
    size_t nc = s->channels, groups = o->batch_dice ? 1 : s->batch;
    size_t first = o->include_background ? 0 : 1;
    double *i = malloc(nc * sizeof *i), *p = malloc(nc * sizeof *p), *gs = malloc(nc * sizeof *gs);
    double *w = malloc(nc * sizeof *w);
    double total = 0.0;
    for (size_t k = 0; k < groups; k++) {
        size_t b0 = o->batch_dice ? 0 : k, b1 = o->batch_dice ? s->batch : k + 1;
        double largest = 0.0;
        for (size_t c = first; c < nc; c++) {
            double volume;
            sums(s, o, x, g, b0, b1, c, &i[c], &p[c], &gs[c], &volume);
            w[c] = type == LOBEDICE_GDL_UNIFORM  ? 1.0
                   : volume == 0.0               ? INFINITY /* an empty class */
                   : type == LOBEDICE_GDL_SIMPLE ? 1.0 / volume
                                                 : 1.0 / (volume * volume);
            if (isfinite(w[c]) && w[c] > largest)
                largest = w[c];
        }
        double wi = 0.0, wp = 0.0, wg = 0.0;
        for (size_t c = first; c < nc; c++) {
            if (isinf(w[c]))
                w[c] = largest;
            wi += w[c] * i[c];
            wp += w[c] * p[c];
            wg += w[c] * gs[c];
        }
        total += 1.0 - dice_of(o, wi, wp, wg);
    }
    free(i);
    free(p);
    free(gs);
    free(w);
    return o->reduction == LOBEDICE_LOSS_MEAN ? total / (double)groups : total;
}

size_t oracle_index(size_t b, size_t c, size_t v, size_t channels, size_t voxels,
                    lobedice_layout layout)
{
    return layout == LOBEDICE_CHANNELS_FIRST ? (b * channels + c) * voxels + v
                                             : (b * voxels + v) * channels + c;
}

void oracle_to_layout(float *out, const double *cf, size_t batch, size_t channels, size_t voxels,
                      lobedice_layout layout)
{
    for (size_t b = 0; b < batch; b++)
        for (size_t c = 0; c < channels; c++)
            for (size_t v = 0; v < voxels; v++)
                out[oracle_index(b, c, v, channels, voxels, layout)] =
                    (float)cf[(b * channels + c) * voxels + v];
}

double oracle_uniform(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (double)(*state >> 8) / 16777216.0;
}
