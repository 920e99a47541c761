/* The soft Dice losses: the default formula and every option on cases computed by hand, the
 * identities between reductions, label and one-hot targets, layouts, thread counts, the defined
 * values of the edge cases, and every error status. Gradients against finite differences are in
 * test_loss_grad.c, the exponential in test_loss_exp.c. */
#include "check.h"
#include "test_loss_oracle.h"

#include <lobedice/lobedice.h>

#include <float.h>

static const double default_s = 1e-5; /* the defaults: smooth_nr = 2s, smooth_dr = s */

static int same_floats(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* The documented defaults, from the macro and from the function alike (field by field: padding
 * bytes are unspecified). */
static void check_defaults(const lobedice_dice_loss_options *o)
{
    CHECK_UINT(o->version, 1);
    CHECK_INT(o->activation, LOBEDICE_ACTIVATION_NONE);
    CHECK(o->weights == NULL);
    CHECK(o->smooth_nr == 2e-5);
    CHECK(o->smooth_dr == 1e-5);
    CHECK_INT(o->include_background, 1);
    CHECK_INT(o->squared_pred, 0);
    CHECK_INT(o->jaccard, 0);
    CHECK_INT(o->batch_dice, 0);
    CHECK_INT(o->reduction, LOBEDICE_LOSS_NEG_MEAN_DICE);
    CHECK_INT(o->generalized_weight, LOBEDICE_GDL_SQUARE);
    CHECK_UINT(o->threads, 1);
}

static void options_init(void)
{
    CHECK_UINT(LOBEDICE_DICE_LOSS_OPTIONS_VERSION, 1);
    const lobedice_dice_loss_options macro = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    check_defaults(&macro);
    lobedice_dice_loss_options o;
    memset(&o, 0xab, sizeof o);
    CHECK_INT(lobedice_dice_loss_options_init(&o, 1), LOBEDICE_OK);
    check_defaults(&o);

    /* Version 0 and versions above the library's are refused, leaving opts untouched. */
    const unsigned bad_version[3] = {0, LOBEDICE_DICE_LOSS_OPTIONS_VERSION + 1, 0xffffffffu};
    for (int i = 0; i < 3; i++) {
        lobedice_dice_loss_options before;
        memset(&o, 0xab, sizeof o);
        memcpy(&before, &o, sizeof o);
        CHECK_INT(lobedice_dice_loss_options_init(&o, bad_version[i]), LOBEDICE_EINVAL);
        CHECK(memcmp(&o, &before, sizeof o) == 0);
    }
    CHECK_INT(lobedice_dice_loss_options_init(NULL, 1), LOBEDICE_EINVAL);
}

/* The hand case: one sample, 2 channels, 4 voxels, no activation, channels last.
 *   p1 = (1, 0.5, 0, 0.25), p0 = 1 - p1, labels (1, 1, 0, 0).
 *   channel 1: I = 1.5, P = 1.75, G = 2, D = 3.75;   channel 0: I = 1.75, P = 2.25, G = 2,
 *   D = 4.25. Defaults: dice = 2(I + s)/(D + s). */
static const float hand_p1[4] = {1.0f, 0.5f, 0.0f, 0.25f};
static const uint8_t hand_labels[4] = {1, 1, 0, 0};

static void hand_input(float *x)
{
    for (int v = 0; v < 4; v++) {
        x[2 * v + 0] = 1.0f - hand_p1[v];
        x[2 * v + 1] = hand_p1[v];
    }
}

static void default_formula_by_hand(void)
{
    float x[8], grad[8];
    hand_input(x);
    lobedice_tensor_shape shape = {1, 2, 4, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    const double s = default_s;
    const double dice0 = 2 * (1.75 + s) / (4.25 + s), dice1 = 2 * (1.5 + s) / (3.75 + s);
    double loss = 0, dice[2];
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(dice[0], dice0, 1e-15);
    CHECK_NEAR(dice[1], dice1, 1e-15);
    CHECK_NEAR(loss, -(dice0 + dice1) / 2, 1e-15);
    /* d dice/d p_v = 2 g_v/(D + s) - 2(I + s)/(D + s)^2; dL/dp = -(1/2) d dice/dp. */
    for (int v = 0; v < 4; v++) {
        double g1 = hand_labels[v] == 1, g0 = hand_labels[v] == 0;
        double d1 = 2 * g1 / (3.75 + s) - 2 * (1.5 + s) / ((3.75 + s) * (3.75 + s));
        double d0 = 2 * g0 / (4.25 + s) - 2 * (1.75 + s) / ((4.25 + s) * (4.25 + s));
        CHECK_NEAR(grad[2 * v + 1], -0.5 * d1, 1e-7);
        CHECK_NEAR(grad[2 * v + 0], -0.5 * d0, 1e-7);
    }

    /* Weights (0, 1): background out of the numerator, still in the mean. */
    static const double w01[2] = {0, 1};
    o.weights = w01;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(loss, -dice1 / 2, 1e-15);
    CHECK_NEAR(dice[0], dice0, 1e-15); /* still reported */
    for (int v = 0; v < 4; v++)
        CHECK(grad[2 * v] == 0.0f); /* weight 0 and no activation: no gradient */

    /* MONAI's smoothing: (2I + s)/(D + s). */
    o.weights = NULL;
    o.smooth_nr = o.smooth_dr = 1e-5;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(dice[1], (3.0 + 1e-5) / (3.75 + 1e-5), 1e-15);
    CHECK_NEAR(dice[0], (3.5 + 1e-5) / (4.25 + 1e-5), 1e-15);
}

static void options_by_hand(void)
{
    float x[8];
    hand_input(x);
    const double s = default_s;
    lobedice_tensor_shape shape = {1, 2, 4, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    double loss, dice[4];

    /* squared_pred: P1 = 1 + 0.25 + 0 + 0.0625, P0 = 0 + 0.25 + 1 + 0.5625; g^2 = g. */
    o.squared_pred = 1;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(dice[1], 2 * (1.5 + s) / (1.3125 + 2 + s), 1e-15);
    CHECK_NEAR(dice[0], 2 * (1.75 + s) / (1.8125 + 2 + s), 1e-15);

    /* jaccard: (2I + snr) / (2(D - I) + sdr). */
    o = (lobedice_dice_loss_options)LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    o.jaccard = 1;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(dice[1], (3 + 2 * s) / (2 * (3.75 - 1.5) + s), 1e-15);
    CHECK_NEAR(dice[0], (3.5 + 2 * s) / (2 * (4.25 - 1.75) + s), 1e-15);

    /* Reductions and include_background. */
    const double dice0 = 2 * (1.75 + s) / (4.25 + s), dice1 = 2 * (1.5 + s) / (3.75 + s);
    static const double w[2] = {0.5, 3.0};
    o = (lobedice_dice_loss_options)LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    o.weights = w;
    o.reduction = LOBEDICE_LOSS_MEAN;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, NULL, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(loss, (0.5 * (1 - dice0) + 3.0 * (1 - dice1)) / 2, 1e-15);
    o.reduction = LOBEDICE_LOSS_SUM;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, NULL, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(loss, 0.5 * (1 - dice0) + 3.0 * (1 - dice1), 1e-15);
    o.include_background = 0;
    dice[0] = 0;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(loss, 3.0 * (1 - dice1), 1e-15);
    CHECK(isnan(dice[0])); /* takes no part: not reported */
    CHECK_NEAR(dice[1], dice1, 1e-15);
    o.reduction = LOBEDICE_LOSS_NEG_MEAN_DICE;
    CHECK_INT(
        lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, hand_labels, LOBEDICE_UINT8, &o),
        LOBEDICE_OK);
    CHECK_NEAR(loss, -3.0 * dice1, 1e-15); /* the mean runs over channel 1 alone */

    /* A second sample: p1 = (0, 0, 1, 1), labels (1, 0, 0, 0).
     *   channel 1: I = 0, P = 2, G = 1;   channel 0: I = 1, P = 2, G = 3.
     * batch_dice sums both samples: channel 1: I = 1.5, P = 3.75, G = 3; channel 0: I = 2.75,
     * P = 4.25, G = 5. */
    float x2[16];
    hand_input(x2);
    static const float p1b[4] = {0, 0, 1, 1};
    for (int v = 0; v < 4; v++) {
        x2[8 + 2 * v] = 1.0f - p1b[v];
        x2[8 + 2 * v + 1] = p1b[v];
    }
    static const uint8_t labels2[8] = {1, 1, 0, 0, 1, 0, 0, 0};
    o = (lobedice_dice_loss_options)LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    shape.batch = 2;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x2, labels2, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    const double b1d1 = 2 * (0 + s) / (3 + s), b1d0 = 2 * (1 + s) / (5 + s);
    CHECK_NEAR(dice[0], dice0, 1e-15);
    CHECK_NEAR(dice[1], dice1, 1e-15);
    CHECK_NEAR(dice[2], b1d0, 1e-15);
    CHECK_NEAR(dice[3], b1d1, 1e-15);
    CHECK_NEAR(loss, -((dice0 + b1d0) / 2 + (dice1 + b1d1) / 2) / 2, 1e-15);
    o.batch_dice = 1;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x2, labels2, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    const double bd0 = 2 * (2.75 + s) / (9.25 + s), bd1 = 2 * (1.5 + s) / (6.75 + s);
    CHECK_NEAR(dice[0], bd0, 1e-15);
    CHECK_NEAR(dice[1], bd1, 1e-15);
    CHECK_NEAR(loss, -(bd0 + bd1) / 2, 1e-15);
}

/* softmax(0, ln 3) = (1/4, 3/4); sigmoid(+-ln 3) = 3/4, 1/4. Float ln 3 makes them exact to
 * ~1e-7. */
static void activations_by_hand(void)
{
    const float l3 = logf(3.0f);
    const double s = default_s;
    static const uint8_t labels[2] = {1, 0};
    lobedice_tensor_shape shape = {1, 2, 2, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    double loss, dice[2];
    float grad[4];

    /* Softmax: p1 = (3/4, 1/4), p0 = (1/4, 3/4). Both channels: I = 3/4, P = 1, G = 1. */
    const float xs[4] = {0.0f, l3, l3, 0.0f};
    o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, grad, &shape, xs, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    const double d = 2 * (0.75 + s) / (2 + s);
    CHECK_NEAR(dice[0], d, 1e-7);
    CHECK_NEAR(dice[1], d, 1e-7);
    CHECK_NEAR(loss, -d, 1e-7);
    /* Gradient: q_c(v) = dL/dp_c(v) = -(1/2)(2 g/(D+s) - 2(I+s)/(D+s)^2), then
     * dL/dx_c = p_c (q_c - sum_k p_k q_k). */
    const double p[2][2] = {{0.25, 0.75}, {0.75, 0.25}}; /* [v][c] */
    for (int v = 0; v < 2; v++) {
        double q[2], t = 0;
        for (int c = 0; c < 2; c++) {
            double g = labels[v] == c;
            q[c] = -0.5 * (2 * g / (2 + s) - 2 * (0.75 + s) / ((2 + s) * (2 + s)));
            t += p[v][c] * q[c];
        }
        for (int c = 0; c < 2; c++)
            CHECK_NEAR(grad[2 * v + c], p[v][c] * (q[c] - t), 1e-7);
    }

    /* Sigmoid: x1 = (ln 3, -ln 3) -> p1 = (3/4, 1/4); x0 = (-ln 3, -ln 3) -> p0 = (1/4, 1/4).
     * channel 1: I = 3/4, P = 1, G = 1; channel 0: I = 1/4, P = 1/2, G = 1. */
    const float xg[4] = {-l3, l3, -l3, -l3};
    o.activation = LOBEDICE_ACTIVATION_SIGMOID;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, grad, &shape, xg, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK_NEAR(dice[1], 2 * (0.75 + s) / (2 + s), 1e-7);
    CHECK_NEAR(dice[0], 2 * (0.25 + s) / (1.5 + s), 1e-7);
    /* dL/dx = q p (1 - p); channel 1, voxel 0: g = 1, p = 3/4. */
    double q = -0.5 * (2 / (2 + s) - 2 * (0.75 + s) / ((2 + s) * (2 + s)));
    CHECK_NEAR(grad[1], q * 0.75 * 0.25, 1e-7);
}

/* Generalized Dice, one sample, 3 channels, 4 voxels, no activation; channel 2 is empty.
 *   p0 = (1/8, 1/4, 5/8, 1/2), p1 = (3/4, 1/2, 1/4, 1/4), p2 = (1/8, 1/4, 1/8, 1/4),
 *   labels (1, 1, 1, 0): G = (1, 3, 0); I = (1/2, 3/2, 0); P = (3/2, 7/4, 3/4);
 *   D = (5/2, 19/4, 3/4). */
static void generalized_by_hand(void)
{
    static const float p[3][4] = {
        {0.125f, 0.25f, 0.625f, 0.5f}, {0.75f, 0.5f, 0.25f, 0.25f}, {0.125f, 0.25f, 0.125f, 0.25f}};
    static const double labels[4] = {1, 1, 1, 0};
    float x[12], g[12];
    for (int c = 0; c < 3; c++)
        for (int v = 0; v < 4; v++) {
            x[3 * v + c] = p[c][v];
            g[3 * v + c] = labels[v] == c;
        }
    const double s = default_s, I[3] = {0.5, 1.5, 0}, D[3] = {2.5, 4.75, 0.75};
    lobedice_tensor_shape shape = {1, 3, 4, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    o.reduction = LOBEDICE_LOSS_MEAN;
    /* Weights: square (1, 1/9, inf -> 1), simple (1, 1/3, inf -> 1), uniform (1, 1, 1). */
    const double w[3][3] = {{1, 1.0 / 9, 1}, {1, 1.0 / 3, 1}, {1, 1, 1}};
    for (int type = 0; type < 3; type++) {
        double wi = 0, wd = 0, loss = 0;
        for (int c = 0; c < 3; c++) {
            wi += w[type][c] * I[c];
            wd += w[type][c] * D[c];
        }
        o.generalized_weight = (lobedice_gdl_weight)type;
        CHECK_INT(lobedice_generalized_dice_loss(&loss, NULL, &shape, x, g, &o), LOBEDICE_OK);
        CHECK_NEAR(loss, 1 - (2 * wi + 2 * s) / (wd + s), 1e-15);
    }
    /* Background left out: square weights (1/9, inf -> 1/9). */
    o.generalized_weight = LOBEDICE_GDL_SQUARE;
    o.include_background = 0;
    double loss = 0;
    CHECK_INT(lobedice_generalized_dice_loss(&loss, NULL, &shape, x, g, &o), LOBEDICE_OK);
    CHECK_NEAR(loss, 1 - (2 * (1.5 / 9) + 2 * s) / ((4.75 + 0.75) / 9 + s), 1e-15);
    /* Every class empty (an all-zero soft target): every weight 0, f = 1 - smooth_nr/smooth_dr. */
    float zero[12] = {0};
    o.include_background = 1;
    CHECK_INT(lobedice_generalized_dice_loss(&loss, NULL, &shape, x, zero, &o), LOBEDICE_OK);
    CHECK_NEAR(loss, 1 - 2e-5 / 1e-5, 1e-12);
    /* SUM over two samples is twice the MEAN of two equal samples. */
    float x2[24], g2[24];
    memcpy(x2, x, sizeof x);
    memcpy(x2 + 12, x, sizeof x);
    memcpy(g2, g, sizeof g);
    memcpy(g2 + 12, g, sizeof g);
    o = (lobedice_dice_loss_options)LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    shape.batch = 2;
    o.reduction = LOBEDICE_LOSS_SUM;
    double sum, mean;
    CHECK_INT(lobedice_generalized_dice_loss(&sum, NULL, &shape, x2, g2, &o), LOBEDICE_OK);
    o.reduction = LOBEDICE_LOSS_MEAN;
    CHECK_INT(lobedice_generalized_dice_loss(&mean, NULL, &shape, x2, g2, &o), LOBEDICE_OK);
    CHECK_NEAR(sum, 2 * mean, 1e-15);
    CHECK_NEAR(mean, 1 - (2 * (0.5 + 1.5 / 9) + 2 * s) / (2.5 + 4.75 / 9 + 0.75 + s), 1e-15);
}

/* A random problem: softmax logits in [-3, 3], labels in [0, channels), every class present in
 * every sample (labels v mod channels on the first voxels). */
typedef struct random_problem {
    size_t batch, channels, voxels;
    float *x_cl, *x_cf, *onehot_cl, *onehot_cf;
    uint8_t *labels;
} random_problem;

static random_problem random_new(size_t batch, size_t channels, size_t voxels, uint32_t seed)
{
    random_problem r = {batch, channels, voxels, NULL, NULL, NULL, NULL, NULL};
    size_t n = batch * channels * voxels;
    r.x_cl = malloc(n * sizeof(float));
    r.x_cf = malloc(n * sizeof(float));
    r.onehot_cl = malloc(n * sizeof(float));
    r.onehot_cf = malloc(n * sizeof(float));
    r.labels = malloc(batch * voxels);
    CHECK_FATAL(r.x_cl && r.x_cf && r.onehot_cl && r.onehot_cf && r.labels);
    uint32_t state = seed;
    for (size_t b = 0; b < batch; b++)
        for (size_t v = 0; v < voxels; v++) {
            uint8_t l =
                v < channels ? (uint8_t)v : (uint8_t)(oracle_uniform(&state) * (double)channels);
            r.labels[b * voxels + v] = l;
            for (size_t c = 0; c < channels; c++) {
                float xv = (float)(6.0 * oracle_uniform(&state) - 3.0);
                size_t cl = oracle_index(b, c, v, channels, voxels, LOBEDICE_CHANNELS_LAST);
                size_t cf = oracle_index(b, c, v, channels, voxels, LOBEDICE_CHANNELS_FIRST);
                r.x_cl[cl] = r.x_cf[cf] = xv;
                r.onehot_cl[cl] = r.onehot_cf[cf] = c == l ? 1.0f : 0.0f;
            }
        }
    return r;
}

static void random_free(random_problem *r)
{
    free(r->x_cl);
    free(r->x_cf);
    free(r->onehot_cl);
    free(r->onehot_cf);
    free(r->labels);
}

/* opts NULL is the defaults: the same bits as the macro's and the function's options, for both
 * targets and both layouts (the problem spans several chunks per sample). */
static void null_options_are_defaults(void)
{
    const size_t B = 2, C = 4, V = 5003, n = B * C * V;
    random_problem r = random_new(B, C, V, 43);
    float *want_grad = malloc(n * sizeof(float)), *grad = malloc(n * sizeof(float));
    CHECK_FATAL(want_grad && grad);
    const lobedice_dice_loss_options macro = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    lobedice_dice_loss_options initialized;
    CHECK_INT(lobedice_dice_loss_options_init(&initialized, LOBEDICE_DICE_LOSS_OPTIONS_VERSION),
              LOBEDICE_OK);
    const lobedice_dice_loss_options *explicit_opts[2] = {&macro, &initialized};
    for (int layout = 0; layout < 2; layout++)
        for (int labels = 0; labels < 2; labels++)
            for (int k = 0; k < 2; k++) {
                const lobedice_tensor_shape shape = {B, C, V, (lobedice_layout)layout};
                const float *x = layout ? r.x_cf : r.x_cl;
                const float *t = layout ? r.onehot_cf : r.onehot_cl;
                double want, got, want_dice[8], dice[8];
                lobedice_status st_want, st_got;
                if (labels) {
                    st_want = lobedice_dice_loss_labels(&want, want_dice, want_grad, &shape, x,
                                                        r.labels, LOBEDICE_UINT8, explicit_opts[k]);
                    st_got = lobedice_dice_loss_labels(&got, dice, grad, &shape, x, r.labels,
                                                       LOBEDICE_UINT8, NULL);
                } else {
                    st_want = lobedice_dice_loss(&want, want_dice, want_grad, &shape, x, t,
                                                 explicit_opts[k]);
                    st_got = lobedice_dice_loss(&got, dice, grad, &shape, x, t, NULL);
                }
                CHECK_INT(st_want, LOBEDICE_OK);
                CHECK_INT(st_got, LOBEDICE_OK);
                CHECK_SAME(got, want);
                for (int i = 0; i < 8; i++)
                    CHECK_SAME(dice[i], want_dice[i]);
                CHECK(same_floats(grad, want_grad, n));
            }
    free(want_grad);
    free(grad);
    random_free(&r);
}

/* MEAN - NEG_MEAN_DICE = mean(w) over the channels taking part, exactly in exact arithmetic
 * (here 1e-12), with smooth 0 (the MONAI/nnU-Net comparison) and with the default smoothing; SUM is
 * MEAN times the term count. */
static void reductions_differ_by_mean_weight(void)
{
    random_problem r = random_new(2, 4, 50, 7);
    static const double w[4] = {0.25, 1.0, 2.0, 0.0};
    for (int flags = 0; flags < 32; flags++) {
        lobedice_tensor_shape shape = {2, 4, 50, LOBEDICE_CHANNELS_LAST};
        lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
        o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
        o.squared_pred = flags & 1;
        o.jaccard = (flags >> 1) & 1;
        o.batch_dice = (flags >> 2) & 1;
        o.include_background = !((flags >> 3) & 1);
        if ((flags >> 4) & 1)
            o.smooth_nr = o.smooth_dr = 0.0;
        for (int weighted = 0; weighted < 2; weighted++) {
            o.weights = weighted ? w : NULL;
            size_t first = o.include_background ? 0 : 1, terms = (4 - first);
            double mean_w = 0;
            for (size_t c = first; c < 4; c++)
                mean_w += (weighted ? w[c] : 1.0) / (double)terms;
            double neg, mean, sum;
            o.reduction = LOBEDICE_LOSS_NEG_MEAN_DICE;
            CHECK_INT(lobedice_dice_loss_labels(&neg, NULL, NULL, &shape, r.x_cl, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            o.reduction = LOBEDICE_LOSS_MEAN;
            CHECK_INT(lobedice_dice_loss_labels(&mean, NULL, NULL, &shape, r.x_cl, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            o.reduction = LOBEDICE_LOSS_SUM;
            CHECK_INT(lobedice_dice_loss_labels(&sum, NULL, NULL, &shape, r.x_cl, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            CHECK_NEAR(mean - neg, mean_w, 1e-12);
            CHECK_NEAR(sum, mean * (double)(terms * (o.batch_dice ? 1 : 2)), 1e-12);
        }
    }
    random_free(&r);
}

/* A label map of every dtype and its one-hot form give the same bits: loss, dice, gradient. */
static void labels_match_onehot(void)
{
    const size_t B = 2, C = 4, V = 300, n = B * C * V; /* 300: a whole tile and a partial one */
    random_problem r = random_new(B, C, V, 11);
    float *grad_l = malloc(n * sizeof(float)), *grad_o = malloc(n * sizeof(float));
    void *labels = malloc(B * V * 4);
    CHECK_FATAL(grad_l && grad_o && labels);
    for (int dtype = LOBEDICE_UINT8; dtype <= LOBEDICE_INT32; dtype++) {
        for (size_t i = 0; i < B * V; i++) {
            switch ((lobedice_dtype)dtype) {
            case LOBEDICE_UINT8: ((uint8_t *)labels)[i] = r.labels[i]; break;
            case LOBEDICE_INT8: ((int8_t *)labels)[i] = (int8_t)r.labels[i]; break;
            case LOBEDICE_UINT16: ((uint16_t *)labels)[i] = r.labels[i]; break;
            case LOBEDICE_INT16: ((int16_t *)labels)[i] = r.labels[i]; break;
            case LOBEDICE_UINT32: ((uint32_t *)labels)[i] = r.labels[i]; break;
            case LOBEDICE_INT32: ((int32_t *)labels)[i] = r.labels[i]; break;
            }
        }
        for (int layout = 0; layout < 2; layout++)
            for (int act = 0; act < 3; act++)
                for (int squared = 0; squared < 2; squared++) {
                    lobedice_tensor_shape shape = {B, C, V, (lobedice_layout)layout};
                    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
                    o.activation = (lobedice_activation)act;
                    o.squared_pred = squared;
                    const float *x = layout ? r.x_cf : r.x_cl;
                    const float *onehot = layout ? r.onehot_cf : r.onehot_cl;
                    double loss_l, loss_o, dice_l[8], dice_o[8];
                    CHECK_INT(lobedice_dice_loss_labels(&loss_l, dice_l, grad_l, &shape, x, labels,
                                                        (lobedice_dtype)dtype, &o),
                              LOBEDICE_OK);
                    CHECK_INT(lobedice_dice_loss(&loss_o, dice_o, grad_o, &shape, x, onehot, &o),
                              LOBEDICE_OK);
                    CHECK_SAME(loss_l, loss_o);
                    for (int i = 0; i < 8; i++)
                        CHECK_SAME(dice_l[i], dice_o[i]);
                    CHECK(same_floats(grad_l, grad_o, n));
                }
    }
    free(grad_l);
    free(grad_o);
    free(labels);
    random_free(&r);
}

/* The same problem in both layouts gives the same bits (the gradient transposed). */
static void layouts_agree(void)
{
    const size_t B = 2, C = 3, V = 1000, n = B * C * V;
    random_problem r = random_new(B, C, V, 13);
    float *grad_cl = malloc(n * sizeof(float)), *grad_cf = malloc(n * sizeof(float));
    CHECK_FATAL(grad_cl && grad_cf);
    for (int act = 0; act < 3; act++)
        for (int flags = 0; flags < 8; flags++)
            for (int api = 0; api < 3; api++) { /* labels, one-hot, generalized */
                lobedice_tensor_shape shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
                lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
                o.activation = (lobedice_activation)act;
                o.squared_pred = flags & 1;
                o.batch_dice = (flags >> 1) & 1;
                o.include_background = !((flags >> 2) & 1);
                if (api == 2)
                    o.reduction = LOBEDICE_LOSS_MEAN;
                double loss[2], dice[2][6];
                float *grad[2] = {grad_cl, grad_cf};
                for (int layout = 0; layout < 2; layout++) {
                    shape.layout = (lobedice_layout)layout;
                    const float *x = layout ? r.x_cf : r.x_cl;
                    const float *t = layout ? r.onehot_cf : r.onehot_cl;
                    lobedice_status st =
                        api == 0
                            ? lobedice_dice_loss_labels(&loss[layout], dice[layout], grad[layout],
                                                        &shape, x, r.labels, LOBEDICE_UINT8, &o)
                        : api == 1 ? lobedice_dice_loss(&loss[layout], dice[layout], grad[layout],
                                                        &shape, x, t, &o)
                                   : lobedice_generalized_dice_loss(&loss[layout], grad[layout],
                                                                    &shape, x, t, &o);
                    CHECK_INT(st, LOBEDICE_OK);
                }
                CHECK_SAME(loss[0], loss[1]);
                if (api < 2)
                    for (size_t i = 0; i < (o.batch_dice ? 1 : B) * C; i++)
                        CHECK_SAME(dice[0][i], dice[1][i]);
                int same = 1;
                for (size_t b = 0; b < B; b++)
                    for (size_t c = 0; c < C; c++)
                        for (size_t v = 0; v < V; v++)
                            same &=
                                memcmp(
                                    &grad_cl[oracle_index(b, c, v, C, V, LOBEDICE_CHANNELS_LAST)],
                                    &grad_cf[oracle_index(b, c, v, C, V, LOBEDICE_CHANNELS_FIRST)],
                                    sizeof(float)) == 0;
                CHECK(same);
            }
    free(grad_cl);
    free(grad_cf);
    random_free(&r);
}

/* grad NULL skips the backward sweep and changes nothing else. */
static void gradient_is_optional(void)
{
    const size_t B = 2, C = 5, V = 777, n = B * C * V;
    random_problem r = random_new(B, C, V, 17);
    float *grad = malloc(n * sizeof(float));
    CHECK_FATAL(grad);
    for (int layout = 0; layout < 2; layout++)
        for (int act = 0; act < 3; act++) {
            lobedice_tensor_shape shape = {B, C, V, (lobedice_layout)layout};
            lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
            o.activation = (lobedice_activation)act;
            const float *x = layout ? r.x_cf : r.x_cl, *t = layout ? r.onehot_cf : r.onehot_cl;
            double with, without, dice_with[10], dice_without[10];
            CHECK_INT(lobedice_dice_loss_labels(&with, dice_with, grad, &shape, x, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            CHECK_INT(lobedice_dice_loss_labels(&without, dice_without, NULL, &shape, x, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            CHECK_SAME(with, without);
            for (int i = 0; i < 10; i++)
                CHECK_SAME(dice_with[i], dice_without[i]);
            o.reduction = LOBEDICE_LOSS_SUM;
            o.generalized_weight = LOBEDICE_GDL_SIMPLE;
            CHECK_INT(lobedice_generalized_dice_loss(&with, grad, &shape, x, t, &o), LOBEDICE_OK);
            CHECK_INT(lobedice_generalized_dice_loss(&without, NULL, &shape, x, t, &o),
                      LOBEDICE_OK);
            CHECK_SAME(with, without);
        }
    free(grad);
    random_free(&r);
}

/* 1, 2, 3, 7 and all threads give the same bits; the problem spans several chunks per sample. */
static void threads_give_same_bits(void)
{
    const size_t B = 3, C = 4, V = 20011, n = B * C * V;
    random_problem r = random_new(B, C, V, 19);
    enum { NT = 5 };
    float *grad[NT];
    for (int i = 0; i < NT; i++)
        CHECK_FATAL((grad[i] = malloc(n * sizeof(float))) != NULL);
    /* Set explicitly (the default is 1); 7 is more workers than this machine has cores. */
    static const size_t threads[NT] = {1, 2, 3, 7, 0};
    for (int variant = 0; variant < 4; variant++) {
        lobedice_tensor_shape shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
        lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
        double loss[NT], dice[NT][12];
        for (int k = 0; k < NT; k++) {
            o.threads = threads[k];
            lobedice_status st = LOBEDICE_EINVAL;
            switch (variant) {
            case 0: /* the reference training loss: softmax, labels, channels last */
                o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
                st = lobedice_dice_loss_labels(&loss[k], dice[k], grad[k], &shape, r.x_cl, r.labels,
                                               LOBEDICE_UINT8, &o);
                break;
            case 1: /* sigmoid, one-hot, channels first, batch dice, squared */
                o.activation = LOBEDICE_ACTIVATION_SIGMOID;
                shape.layout = LOBEDICE_CHANNELS_FIRST;
                o.batch_dice = o.squared_pred = 1;
                st =
                    lobedice_dice_loss(&loss[k], dice[k], grad[k], &shape, r.x_cf, r.onehot_cf, &o);
                break;
            case 2: /* generalized */
                o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
                o.reduction = LOBEDICE_LOSS_MEAN;
                st = lobedice_generalized_dice_loss(&loss[k], grad[k], &shape, r.x_cl, r.onehot_cl,
                                                    &o);
                memset(dice[k], 0, sizeof dice[k]);
                break;
            case 3: /* loss only */
                o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
                st = lobedice_dice_loss_labels(&loss[k], dice[k], NULL, &shape, r.x_cl, r.labels,
                                               LOBEDICE_UINT8, &o);
                memset(grad[k], 0, n * sizeof(float));
                break;
            }
            CHECK_INT(st, LOBEDICE_OK);
        }
        for (int k = 1; k < NT; k++) {
            CHECK_SAME(loss[0], loss[k]);
            for (int i = 0; i < 12; i++)
                CHECK_SAME(dice[0][i], dice[k][i]);
            CHECK(same_floats(grad[0], grad[k], n));
        }
    }
    for (int i = 0; i < NT; i++)
        free(grad[i]);
    random_free(&r);
}

/* A larger problem (several chunks, a partial tile) against the double oracle. */
static void many_voxels_match_oracle(void)
{
    const size_t B = 2, C = 6, V = 9013, n = B * C * V;
    random_problem r = random_new(B, C, V, 23);
    double *x = malloc(n * sizeof(double)), *g = malloc(n * sizeof(double));
    CHECK_FATAL(x && g);
    for (size_t i = 0; i < n; i++) {
        x[i] = r.x_cf[i];
        g[i] = r.onehot_cf[i];
    }
    static const double w[6] = {0, 1, 1, 1, 1, 1};
    for (int act = 0; act < 3; act++)
        for (int flags = 0; flags < 4; flags++) {
            lobedice_tensor_shape shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
            lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
            o.activation = (lobedice_activation)act;
            o.weights = w;
            o.squared_pred = flags & 1;
            o.jaccard = (flags >> 1) & 1;
            double loss, dice[12], expected_dice[12];
            CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, r.x_cl, r.labels,
                                                LOBEDICE_UINT8, &o),
                      LOBEDICE_OK);
            double expected = oracle_dice_loss(&shape, &o, x, g, expected_dice);
            CHECK_NEAR(loss, expected, 1e-6 * fabs(expected));
            for (int i = 0; i < 12; i++)
                CHECK_NEAR(dice[i], expected_dice[i], 1e-6 * fabs(expected_dice[i]));
            o.reduction = LOBEDICE_LOSS_MEAN;
            CHECK_INT(lobedice_generalized_dice_loss(&loss, NULL, &shape, r.x_cl, r.onehot_cl, &o),
                      LOBEDICE_OK);
            expected = oracle_generalized_loss(&shape, &o, x, g);
            CHECK_NEAR(loss, expected, 1e-6 * fabs(expected));
        }
    free(x);
    free(g);
    random_free(&r);
}

/* An empty channel (prediction and target all 0):
 *  - smooth_dr = 0: D = 0, dice 0/0 is undefined: NaN, and so are the loss and the gradient
 *    entries that depend on it (even under weight 0); the status is still OK;
 *  - smooth_nr = 0 < smooth_dr: dice 0;
 *  - the default smoothing: 2s/s = 2; MONAI's equal smoothing: 1. */
static void empty_channel(void)
{
    /* channel 0 = 1 everywhere, channel 1 = 0 everywhere, labels all 0. */
    static const float x[8] = {1, 0, 1, 0, 1, 0, 1, 0};
    static const uint8_t labels[4] = {0, 0, 0, 0};
    lobedice_tensor_shape shape = {1, 2, 4, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    double loss, dice[2];
    float grad[8];

    o.smooth_nr = o.smooth_dr = 0.0;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK(isnan(dice[1]));
    CHECK_NEAR(dice[0], 1.0, 0); /* 2*4 / (4 + 4) */
    CHECK(isnan(loss));
    for (int v = 0; v < 4; v++) {
        CHECK(isnan(grad[2 * v + 1]));
        CHECK(isfinite(grad[2 * v]));
    }
    static const double w10[2] = {1, 0};
    o.weights = w10;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK(isnan(loss));
    o.weights = NULL;
    o.include_background = 0; /* only the empty channel takes part */
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK(isnan(loss));
    o.include_background = 1;

    o.smooth_dr = 1e-5;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK(dice[1] == 0.0);
    CHECK(isfinite(loss));
    for (int i = 0; i < 8; i++)
        CHECK(isfinite(grad[i]));

    o.smooth_nr = 2e-5;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK_NEAR(dice[1], 2.0, 1e-15);
    o.smooth_nr = 1e-5;
    CHECK_INT(lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, labels, LOBEDICE_UINT8, &o),
              LOBEDICE_OK);
    CHECK_NEAR(dice[1], 1.0, 1e-15);

    /* Generalized with smooth 0 and an all-zero target: 0/0, NaN. */
    float zero[8] = {0};
    o.smooth_nr = o.smooth_dr = 0.0;
    o.reduction = LOBEDICE_LOSS_MEAN;
    CHECK_INT(lobedice_generalized_dice_loss(&loss, NULL, &shape, x, zero, &o), LOBEDICE_OK);
    CHECK(isnan(loss));
}

/* Huge but finite logits saturate without NaN. */
static void extreme_logits(void)
{
    static const float x[8] = {3e4f, -3e4f, -1e30f, 1e30f, 0, 0, -FLT_MAX, FLT_MAX};
    static const uint8_t labels[4] = {0, 1, 0, 1};
    for (int act = 1; act < 3; act++) {
        lobedice_tensor_shape shape = {1, 2, 4, LOBEDICE_CHANNELS_LAST};
        lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
        o.activation = (lobedice_activation)act;
        double loss, dice[2];
        float grad[8];
        CHECK_INT(
            lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o),
            LOBEDICE_OK);
        CHECK(isfinite(loss) && isfinite(dice[0]) && isfinite(dice[1]));
        for (int i = 0; i < 8; i++)
            CHECK(isfinite(grad[i]));
        /* Both activations saturate the same way: p0 = (1, 0, 1/2, 0), p1 = (0, 1, 1/2, 1).
         * channel 0: I = 3/2, P = 3/2, G = 2; channel 1: I = 2, P = 5/2, G = 2. */
        CHECK_NEAR(dice[0], 2 * (1.5 + default_s) / (3.5 + default_s), 1e-7);
        CHECK_NEAR(dice[1], 2 * (2 + default_s) / (4.5 + default_s), 1e-7);
    }
}

/* Every error status, and outputs left untouched by an error. */
static void errors(void)
{
    const size_t B = 2, C = 3, V = 600, n = B * C * V;
    random_problem r = random_new(B, C, V, 29);
    float *x = malloc(n * sizeof(float)), *t = malloc(n * sizeof(float));
    float *grad = malloc(n * sizeof(float));
    uint8_t *labels = malloc(B * V);
    CHECK_FATAL(x && t && grad && labels);
    const lobedice_tensor_shape good_shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
    lobedice_tensor_shape shape = good_shape;
    lobedice_dice_loss_options o, good = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    good.activation = LOBEDICE_ACTIVATION_SOFTMAX;
    double loss, dice[6];

#define EXPECT(status, call)                                                                       \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < n; i_++)                                                          \
            grad[i_] = 12345.0f;                                                                   \
        loss = 7.0;                                                                                \
        for (int i_ = 0; i_ < 6; i_++)                                                             \
            dice[i_] = 7.0;                                                                        \
        CHECK_INT(call, status);                                                                   \
        CHECK(loss == 7.0);                                                                        \
        int untouched_ = 1;                                                                        \
        for (size_t i_ = 0; i_ < n; i_++)                                                          \
            untouched_ &= grad[i_] == 12345.0f;                                                    \
        for (int i_ = 0; i_ < 6; i_++)                                                             \
            untouched_ &= dice[i_] == 7.0;                                                         \
        CHECK(untouched_);                                                                         \
    } while (0)
    /* The three losses on `shape` with the given options. */
#define DICE(opts, xx, tt) lobedice_dice_loss(&loss, dice, grad, &shape, xx, tt, opts)
#define LABELS(opts, xx, ll, dt)                                                                   \
    lobedice_dice_loss_labels(&loss, dice, grad, &shape, xx, ll, dt, opts)
#define GDL(opts, xx, tt) lobedice_generalized_dice_loss(&loss, grad, &shape, xx, tt, opts)

    memcpy(x, r.x_cl, n * sizeof(float));
    memcpy(t, r.onehot_cl, n * sizeof(float));
    memcpy(labels, r.labels, B * V);
    o = good;
    CHECK_INT(DICE(&o, x, t), LOBEDICE_OK);

    /* EINVAL: NULL pointers, enums out of range, options out of range. */
    EXPECT(LOBEDICE_EINVAL, lobedice_dice_loss(NULL, dice, grad, &shape, x, t, &o));
    EXPECT(LOBEDICE_EINVAL, lobedice_dice_loss(&loss, dice, grad, NULL, x, t, &o));
    EXPECT(LOBEDICE_EINVAL, DICE(&o, NULL, t));
    EXPECT(LOBEDICE_EINVAL, DICE(&o, x, NULL));
    EXPECT(LOBEDICE_EINVAL, LABELS(&o, x, NULL, LOBEDICE_UINT8));
    EXPECT(LOBEDICE_EINVAL,
           lobedice_dice_loss_labels(NULL, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o));
    EXPECT(LOBEDICE_EINVAL,
           lobedice_dice_loss_labels(&loss, dice, grad, NULL, x, labels, LOBEDICE_UINT8, &o));
    o.reduction = LOBEDICE_LOSS_MEAN;
    EXPECT(LOBEDICE_EINVAL, GDL(&o, x, NULL));
    EXPECT(LOBEDICE_EINVAL, lobedice_generalized_dice_loss(NULL, grad, &shape, x, t, &o));
    EXPECT(LOBEDICE_EINVAL, lobedice_generalized_dice_loss(&loss, grad, NULL, x, t, &o));
    /* An options version of 0, or above the library's. */
    const unsigned bad_version[2] = {0, LOBEDICE_DICE_LOSS_OPTIONS_VERSION + 1};
    for (int i = 0; i < 2; i++) {
        o = good;
        o.version = bad_version[i];
        EXPECT(LOBEDICE_EINVAL, DICE(&o, x, t));
        EXPECT(LOBEDICE_EINVAL, LABELS(&o, x, labels, LOBEDICE_UINT8));
        o.reduction = LOBEDICE_LOSS_MEAN;
        EXPECT(LOBEDICE_EINVAL, GDL(&o, x, t));
    }
    o = good;
    shape.layout = (lobedice_layout)2;
    EXPECT(LOBEDICE_EINVAL, DICE(&o, x, t));
    shape = good_shape;
    o.activation = (lobedice_activation)3;
    EXPECT(LOBEDICE_EINVAL, LABELS(&o, x, labels, LOBEDICE_UINT8));
    o = good;
    o.reduction = (lobedice_loss_reduction)3;
    EXPECT(LOBEDICE_EINVAL, DICE(&o, x, t));
    o = good; /* NEG_MEAN_DICE is not a generalized reduction */
    EXPECT(LOBEDICE_EINVAL, GDL(&o, x, t));
    EXPECT(LOBEDICE_EINVAL, GDL(NULL, x, t)); /* the defaults have it */
    o.reduction = LOBEDICE_LOSS_MEAN;
    o.generalized_weight = (lobedice_gdl_weight)3;
    EXPECT(LOBEDICE_EINVAL, GDL(&o, x, t));
    CHECK_INT(DICE(&o, x, t), LOBEDICE_OK); /* which the other losses do not read */
    const double bad_smooth[3] = {-1e-5, NAN, INFINITY};
    for (int i = 0; i < 3; i++) {
        o = good;
        o.smooth_nr = bad_smooth[i];
        EXPECT(LOBEDICE_EINVAL, DICE(&o, x, t));
        o = good;
        o.smooth_dr = bad_smooth[i];
        EXPECT(LOBEDICE_EINVAL, LABELS(&o, x, labels, LOBEDICE_UINT8));
    }
    o = good;
    shape = (lobedice_tensor_shape){B * C, 1, V, LOBEDICE_CHANNELS_LAST};
    o.include_background = 0; /* one channel, background left out */
    EXPECT(LOBEDICE_EINVAL, DICE(&o, x, t));

    /* ESIZE: a zero size; more channels than label values can name. */
    o = good;
    shape = good_shape;
    shape.batch = 0;
    EXPECT(LOBEDICE_ESIZE, DICE(&o, x, t));
    shape = good_shape;
    shape.channels = 0;
    EXPECT(LOBEDICE_ESIZE, LABELS(&o, x, labels, LOBEDICE_UINT8));
    shape = good_shape;
    shape.voxels = 0;
    o.reduction = LOBEDICE_LOSS_MEAN;
    EXPECT(LOBEDICE_ESIZE, GDL(&o, x, t));
    o = good;
    shape = (lobedice_tensor_shape){1, (size_t)INT32_MAX + 1, 1, LOBEDICE_CHANNELS_LAST};
    EXPECT(LOBEDICE_ESIZE, DICE(&o, x, t));

    /* EOVERFLOW: batch * voxels * channels * sizeof(float) does not fit in size_t. */
    shape = (lobedice_tensor_shape){SIZE_MAX / 8, 3, 2, LOBEDICE_CHANNELS_LAST};
    EXPECT(LOBEDICE_EOVERFLOW, DICE(&o, x, t));
    shape = (lobedice_tensor_shape){1, 3, SIZE_MAX / 2, LOBEDICE_CHANNELS_LAST};
    EXPECT(LOBEDICE_EOVERFLOW, LABELS(&o, x, labels, LOBEDICE_UINT8));
    shape = good_shape;

    /* EWEIGHT: negative or not finite. */
    const double bad_weight[3] = {-0.5, NAN, INFINITY};
    for (int i = 0; i < 3; i++) {
        double w[3] = {1, 1, 1};
        w[i] = bad_weight[i];
        o = good;
        o.weights = w;
        EXPECT(LOBEDICE_EWEIGHT, DICE(&o, x, t));
        EXPECT(LOBEDICE_EWEIGHT, LABELS(&o, x, labels, LOBEDICE_UINT8));
    }

    /* EDTYPE. */
    o = good;
    EXPECT(LOBEDICE_EDTYPE, LABELS(&o, x, labels, (lobedice_dtype)6));

    /* ELABEL: == channels, negative, huge; with and without the gradient. */
    o = good;
    int32_t *wide = malloc(B * V * sizeof *wide);
    CHECK_FATAL(wide);
    const int32_t bad_label[3] = {3, -1, INT32_MAX};
    for (int i = 0; i < 3; i++) {
        for (size_t v = 0; v < B * V; v++)
            wide[v] = labels[v];
        wide[B * V - 1 - (size_t)i * 301] = bad_label[i];
        EXPECT(LOBEDICE_ELABEL, LABELS(&o, x, wide, LOBEDICE_INT32));
        EXPECT(LOBEDICE_ELABEL,
               lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x, wide, LOBEDICE_INT32, &o));
    }
    labels[0] = 3;
    EXPECT(LOBEDICE_ELABEL, LABELS(&o, x, labels, LOBEDICE_UINT8));
    labels[0] = r.labels[0];
    int8_t *small = malloc(B * V);
    CHECK_FATAL(small);
    for (size_t v = 0; v < B * V; v++)
        small[v] = (int8_t)labels[v];
    small[B * V / 2] = -128;
    EXPECT(LOBEDICE_ELABEL, LABELS(&o, x, small, LOBEDICE_INT8));
    free(small);
    free(wide);

    /* ENOTFINITE: NaN and infinities in the input (every activation, both layouts) and in the
     * target, with and without the gradient. */
    const float bad_value[3] = {NAN, INFINITY, -INFINITY};
    for (int layout = 0; layout < 2; layout++)
        for (int act = 0; act < 3; act++)
            for (int i = 0; i < 3; i++) {
                o = good;
                shape.layout = (lobedice_layout)layout;
                o.activation = (lobedice_activation)act;
                memcpy(x, layout ? r.x_cf : r.x_cl, n * sizeof(float));
                memcpy(t, layout ? r.onehot_cf : r.onehot_cl, n * sizeof(float));
                size_t at = (size_t)(i + 1) * n / 4;
                x[at] = bad_value[i];
                EXPECT(LOBEDICE_ENOTFINITE, DICE(&o, x, t));
                EXPECT(LOBEDICE_ENOTFINITE, LABELS(&o, x, labels, LOBEDICE_UINT8));
                EXPECT(LOBEDICE_ENOTFINITE,
                       lobedice_dice_loss(&loss, dice, NULL, &shape, x, t, &o));
                EXPECT(LOBEDICE_ENOTFINITE, lobedice_dice_loss_labels(&loss, dice, NULL, &shape, x,
                                                                      labels, LOBEDICE_UINT8, &o));
                o.reduction = LOBEDICE_LOSS_MEAN;
                o.generalized_weight = LOBEDICE_GDL_SIMPLE;
                EXPECT(LOBEDICE_ENOTFINITE, GDL(&o, x, t));
                o.reduction = LOBEDICE_LOSS_NEG_MEAN_DICE;
                x[at] = 0.5f;
                t[n - 1 - at] = bad_value[i];
                EXPECT(LOBEDICE_ENOTFINITE, DICE(&o, x, t));
                EXPECT(LOBEDICE_ENOTFINITE,
                       lobedice_dice_loss(&loss, dice, NULL, &shape, x, t, &o));
                o.reduction = LOBEDICE_LOSS_SUM;
                o.generalized_weight = LOBEDICE_GDL_UNIFORM;
                EXPECT(LOBEDICE_ENOTFINITE, GDL(&o, x, t));
                EXPECT(LOBEDICE_ENOTFINITE,
                       lobedice_generalized_dice_loss(&loss, NULL, &shape, x, t, &o));
            }
#undef EXPECT
#undef DICE
#undef LABELS
#undef GDL
    free(x);
    free(t);
    free(grad);
    free(labels);
    random_free(&r);
}

/* Sentinels in every output, to check that a failing call writes nothing. */
enum { SENTINEL_DICE = 8 };

static void fill_sentinels(double *loss, double *dice, float *grad, size_t n)
{
    *loss = 7.0;
    for (int i = 0; i < SENTINEL_DICE; i++)
        dice[i] = 7.0;
    for (size_t i = 0; i < n; i++)
        grad[i] = 12345.0f;
}

static int sentinels_intact(const double *loss, const double *dice, const float *grad, size_t n)
{
    int intact = *loss == 7.0;
    for (int i = 0; i < SENTINEL_DICE; i++)
        intact &= dice[i] == 7.0;
    for (size_t i = 0; i < n; i++)
        intact &= grad[i] == 12345.0f;
    return intact;
}

/* The generalized loss's own validation: every error status, with loss and grad untouched. */
static void generalized_errors(void)
{
    const size_t B = 2, C = 3, V = 300, n = B * C * V;
    random_problem r = random_new(B, C, V, 31);
    float *grad = malloc(n * sizeof(float));
    CHECK_FATAL(grad);
    double loss, dice[SENTINEL_DICE];
    const lobedice_tensor_shape good_shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
    lobedice_tensor_shape shape = good_shape;
    lobedice_dice_loss_options o, good = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    good.activation = LOBEDICE_ACTIVATION_SOFTMAX;
    good.reduction = LOBEDICE_LOSS_MEAN;
    const float *x = r.x_cl, *t = r.onehot_cl;
#define GDL_EXPECT(status, sh, opts, xx, tt)                                                       \
    do {                                                                                           \
        fill_sentinels(&loss, dice, grad, n);                                                      \
        CHECK_INT(lobedice_generalized_dice_loss(&loss, grad, sh, xx, tt, opts), status);          \
        CHECK(sentinels_intact(&loss, dice, grad, n));                                             \
    } while (0)

    fill_sentinels(&loss, dice, grad, n);
    CHECK_INT(lobedice_generalized_dice_loss(&loss, grad, &shape, x, t, &good), LOBEDICE_OK);
    CHECK(loss != 7.0 && grad[0] != 12345.0f); /* the good call writes */

    GDL_EXPECT(LOBEDICE_EINVAL, NULL, &good, x, t);
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, NULL, x, t); /* the default reduction */
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &good, NULL, t);
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &good, x, NULL);
    o = good;
    o.version = 0;
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    o.version = LOBEDICE_DICE_LOSS_OPTIONS_VERSION + 1;
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    const int bad_weight_type[2] = {-1, 3};
    for (int i = 0; i < 2; i++) {
        o = good;
        o.generalized_weight = (lobedice_gdl_weight)bad_weight_type[i];
        GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    }
    o = good;
    shape.layout = (lobedice_layout)2;
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    shape = good_shape;
    o.activation = (lobedice_activation)3;
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    const double bad_smooth[3] = {-1e-5, NAN, INFINITY};
    for (int i = 0; i < 3; i++) {
        o = good;
        o.smooth_nr = bad_smooth[i];
        GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
        o = good;
        o.smooth_dr = bad_smooth[i];
        GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    }
    o = good;
    shape = (lobedice_tensor_shape){B * C, 1, V, LOBEDICE_CHANNELS_LAST};
    o.include_background = 0; /* one channel, background left out */
    GDL_EXPECT(LOBEDICE_EINVAL, &shape, &o, x, t);
    o.include_background = 1; /* with the background, one channel is fine */
    fill_sentinels(&loss, dice, grad, n);
    CHECK_INT(lobedice_generalized_dice_loss(&loss, grad, &shape, x, t, &o), LOBEDICE_OK);
    shape = (lobedice_tensor_shape){SIZE_MAX / 8, 3, 2, LOBEDICE_CHANNELS_LAST};
    GDL_EXPECT(LOBEDICE_EOVERFLOW, &shape, &o, x, t);
    shape = (lobedice_tensor_shape){1, 3, SIZE_MAX / 2, LOBEDICE_CHANNELS_LAST};
    o.reduction = LOBEDICE_LOSS_SUM;
    GDL_EXPECT(LOBEDICE_EOVERFLOW, &shape, &o, x, t);
#undef GDL_EXPECT
    free(grad);
    random_free(&r);
}

/* The generalized loss ignores opts->weights (its weights come from the target), even invalid
 * ones: the same bits as without weights. */
static void generalized_ignores_weights(void)
{
    const size_t B = 2, C = 4, V = 500, n = B * C * V;
    random_problem r = random_new(B, C, V, 37);
    float *want_grad = malloc(n * sizeof(float)), *grad = malloc(n * sizeof(float));
    CHECK_FATAL(want_grad && grad);
    lobedice_tensor_shape shape = {B, C, V, LOBEDICE_CHANNELS_LAST};
    lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
    o.reduction = LOBEDICE_LOSS_MEAN;
    o.generalized_weight = LOBEDICE_GDL_SIMPLE;
    double want = 0, got = 0;
    CHECK_INT(lobedice_generalized_dice_loss(&want, want_grad, &shape, r.x_cl, r.onehot_cl, &o),
              LOBEDICE_OK);
    const double invalid[3][4] = {{-1.0, 1, 1, 1}, {1, NAN, 1, 1}, {1, 1, INFINITY, -INFINITY}};
    for (int i = 0; i < 3; i++) {
        o.weights = invalid[i];
        CHECK_INT(lobedice_generalized_dice_loss(&got, grad, &shape, r.x_cl, r.onehot_cl, &o),
                  LOBEDICE_OK);
        CHECK_SAME(got, want);
        CHECK(same_floats(grad, want_grad, n));
    }
    free(want_grad);
    free(grad);
    random_free(&r);
}

/* Nothing is written on error, also when the input spans several chunks and the bad value sits
 * in the very last one (the chunk a single thread reaches last, after the others would have
 * written their part of grad): input, target and label errors, both layouts, 1 and all
 * threads, with a gradient. */
static void error_in_last_chunk(void)
{
    const size_t B = 2, C = 3, V = 3 * 4096 + 37, n = B * C * V; /* V > 8192: several chunks */
    random_problem r = random_new(B, C, V, 41);
    float *x = malloc(n * sizeof(float)), *t = malloc(n * sizeof(float));
    float *grad = malloc(n * sizeof(float));
    uint8_t *labels = malloc(B * V);
    CHECK_FATAL(x && t && grad && labels);
    double loss, dice[SENTINEL_DICE];
    static const size_t threads[2] = {1, 0};
    for (int layout = 0; layout < 2; layout++)
        for (int k = 0; k < 2; k++) {
            lobedice_tensor_shape shape = {B, C, V, (lobedice_layout)layout};
            lobedice_dice_loss_options o = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
            o.activation = LOBEDICE_ACTIVATION_SOFTMAX;
            o.threads = threads[k];
            const float *x0 = layout ? r.x_cf : r.x_cl, *t0 = layout ? r.onehot_cf : r.onehot_cl;
            const size_t last = oracle_index(B - 1, C - 1, V - 1, C, V, shape.layout);
            memcpy(x, x0, n * sizeof(float));
            memcpy(t, t0, n * sizeof(float));
            memcpy(labels, r.labels, B * V);

            /* the same calls without the bad value succeed and write */
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(lobedice_dice_loss(&loss, dice, grad, &shape, x, t, &o), LOBEDICE_OK);
            CHECK(grad[0] != 12345.0f && grad[last] != 12345.0f && loss != 7.0);

            x[last] = NAN;
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(lobedice_dice_loss(&loss, dice, grad, &shape, x, t, &o), LOBEDICE_ENOTFINITE);
            CHECK(sentinels_intact(&loss, dice, grad, n));
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(
                lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o),
                LOBEDICE_ENOTFINITE);
            CHECK(sentinels_intact(&loss, dice, grad, n));
            o.reduction = LOBEDICE_LOSS_MEAN;
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(lobedice_generalized_dice_loss(&loss, grad, &shape, x, t, &o),
                      LOBEDICE_ENOTFINITE);
            CHECK(sentinels_intact(&loss, dice, grad, n));
            o.reduction = LOBEDICE_LOSS_NEG_MEAN_DICE;
            x[last] = x0[last];

            t[last] = INFINITY;
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(lobedice_dice_loss(&loss, dice, grad, &shape, x, t, &o), LOBEDICE_ENOTFINITE);
            CHECK(sentinels_intact(&loss, dice, grad, n));
            o.reduction = LOBEDICE_LOSS_SUM;
            o.generalized_weight = LOBEDICE_GDL_UNIFORM;
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(lobedice_generalized_dice_loss(&loss, grad, &shape, x, t, &o),
                      LOBEDICE_ENOTFINITE);
            CHECK(sentinels_intact(&loss, dice, grad, n));
            o.reduction = LOBEDICE_LOSS_NEG_MEAN_DICE;

            labels[B * V - 1] = (uint8_t)C; /* one past the last channel */
            fill_sentinels(&loss, dice, grad, n);
            CHECK_INT(
                lobedice_dice_loss_labels(&loss, dice, grad, &shape, x, labels, LOBEDICE_UINT8, &o),
                LOBEDICE_ELABEL);
            CHECK(sentinels_intact(&loss, dice, grad, n));
        }
    free(x);
    free(t);
    free(grad);
    free(labels);
    random_free(&r);
}

static const check_case cases[] = {
    {"options_init", options_init},
    {"null_options_are_defaults", null_options_are_defaults},
    {"default_formula_by_hand", default_formula_by_hand},
    {"options_by_hand", options_by_hand},
    {"activations_by_hand", activations_by_hand},
    {"generalized_by_hand", generalized_by_hand},
    {"reductions_differ_by_mean_weight", reductions_differ_by_mean_weight},
    {"labels_match_onehot", labels_match_onehot},
    {"layouts_agree", layouts_agree},
    {"gradient_is_optional", gradient_is_optional},
    {"threads_give_same_bits", threads_give_same_bits},
    {"many_voxels_match_oracle", many_voxels_match_oracle},
    {"empty_channel", empty_channel},
    {"extreme_logits", extreme_logits},
    {"errors", errors},
    {"generalized_errors", generalized_errors},
    {"generalized_ignores_weights", generalized_ignores_weights},
    {"error_in_last_chunk", error_in_last_chunk},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
