/* Gradients of the soft Dice losses against central finite differences, for every option
 * combination, both layouts and every target kind.
 *
 * The API takes float input, so two differences are taken for each input element:
 *  1. of the library's own loss, with a fourth-order stencil (x +- h, x +- 2h). Inputs lie on a
 *     grid of 2^-10 and h = 2^-6, so every shifted input is an exact float. Only the shifted
 *     voxel's activations change between the four calls; their float rounding (a few 1e-8
 *     relative) moves the double loss by about 1e-7 * |dL/dp|, which the stencil divides by h,
 *     and the truncation error is h^4/30 times a fifth derivative. Measured worst: 3.3e-5 of the
 *     gradient's scale; tolerance 2e-4, far below what any formula error gives.
 *  2. of an independent double-precision oracle (test_loss_oracle.c) at the same float inputs,
 *     with h = 1e-6 (good to ~1e-9): this checks the float gradient to its own precision.
 *     Measured worst: 5.1e-7 of the scale; tolerance 5e-6.
 * The library's loss is also compared with the oracle's. */
#include "check.h"
#include "test_loss_oracle.h"

#include <lobedice/lobedice.h>

/* 11 voxels: one whole group of 8 summation lanes and a tail. */
enum { BATCH = 2, CHANNELS = 3, VOXELS = 11, N = BATCH * CHANNELS * VOXELS };
enum { TARGET_LABELS, TARGET_ONEHOT, TARGET_SOFT };

static const double step_float = 1.0 / 64.0, step_oracle = 1e-6;
/* Tolerances relative to the largest gradient magnitude of the case (see the top comment). */
static const double tol_stencil = 2e-4, tol_oracle = 5e-6;

typedef struct problem {
    lobedice_tensor_shape shape;
    lobedice_dice_loss_options o;
    int target_kind, generalized;
    double x_cf[N], g_cf[N]; /* channel-first doubles (exact copies of the float values) */
    float x[N], g[N];        /* in shape.layout */
    uint8_t labels[BATCH * VOXELS];
} problem;

static double library_loss(const problem *pb, const float *x, float *grad)
{
    double loss = NAN;
    lobedice_status st;
    if (pb->generalized)
        st = lobedice_generalized_dice_loss(&loss, grad, &pb->shape, x, pb->g, &pb->o);
    else if (pb->target_kind == TARGET_LABELS)
        st = lobedice_dice_loss_labels(&loss, NULL, grad, &pb->shape, x, pb->labels, LOBEDICE_UINT8,
                                       &pb->o);
    else
        st = lobedice_dice_loss(&loss, NULL, grad, &pb->shape, x, pb->g, &pb->o);
    CHECK_INT(st, LOBEDICE_OK);
    return loss;
}

static double oracle_loss(const problem *pb, const double *x_cf)
{
    return pb->generalized ? oracle_generalized_loss(&pb->shape, &pb->o, x_cf, pb->g_cf)
                           : oracle_dice_loss(&pb->shape, &pb->o, x_cf, pb->g_cf, NULL);
}

/* Inputs on a 2^-10 grid: in [0.05, 0.95] without activation (probabilities), else [-2, 2]. */
static void fill(problem *pb, uint32_t seed)
{
    uint32_t state = seed;
    const lobedice_dice_loss_options *o = &pb->o;
    for (size_t i = 0; i < N; i++) {
        double u = oracle_uniform(&state);
        pb->x_cf[i] = o->activation == LOBEDICE_ACTIVATION_NONE
                          ? (51.0 + floor(u * 922.0)) / 1024.0
                          : (floor(u * 4097.0) - 2048.0) / 1024.0;
    }
    /* Channel 2 is empty in sample 0 (an absent lobe), so generalized weights meet an infinite
     * weight and dice meets an empty class. */
    static const uint8_t labels[BATCH * VOXELS] = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, /* no 2 */
                                                   2, 0, 1, 2, 0, 2, 1, 1, 0, 2, 0};
    for (size_t b = 0; b < BATCH; b++)
        for (size_t c = 0; c < CHANNELS; c++)
            for (size_t v = 0; v < VOXELS; v++) {
                size_t i = (b * CHANNELS + c) * VOXELS + v;
                double soft = floor(oracle_uniform(&state) * 1024.0) / 1024.0;
                pb->labels[b * VOXELS + v] = labels[b * VOXELS + v];
                pb->g_cf[i] = pb->target_kind == TARGET_SOFT
                                  ? (b == 0 && c == 2 ? 0.0 : soft)
                                  : (double)(labels[b * VOXELS + v] == c);
            }
    oracle_to_layout(pb->x, pb->x_cf, BATCH, CHANNELS, VOXELS, pb->shape.layout);
    oracle_to_layout(pb->g, pb->g_cf, BATCH, CHANNELS, VOXELS, pb->shape.layout);
}

static void check_problem(problem *pb, const char *what)
{
    int before = check_failures;
    float grad[N], x[N];
    double x_cf[N];
    double loss = library_loss(pb, pb->x, grad);
    CHECK_NEAR(loss, oracle_loss(pb, pb->x_cf), 1e-6 * (1.0 + fabs(loss)));
    double scale = 0.0;
    for (size_t i = 0; i < N; i++)
        scale = fmax(scale, fabs(grad[i]));
    CHECK(scale > 0.0);
    memcpy(x, pb->x, sizeof x);
    memcpy(x_cf, pb->x_cf, sizeof x_cf);
    for (size_t b = 0; b < BATCH; b++)
        for (size_t c = 0; c < CHANNELS; c++)
            for (size_t v = 0; v < VOXELS; v++) {
                size_t i = oracle_index(b, c, v, CHANNELS, VOXELS, pb->shape.layout);
                size_t j = (b * CHANNELS + c) * VOXELS + v;
                const float x0 = x[i];
                double f[4];
                static const double offsets[4] = {2.0, 1.0, -1.0, -2.0};
                for (int k = 0; k < 4; k++) {
                    x[i] = (float)(x0 + offsets[k] * step_float); /* exact */
                    f[k] = library_loss(pb, x, NULL);
                }
                x[i] = x0;
                double stencil = (-f[0] + 8.0 * f[1] - 8.0 * f[2] + f[3]) / (12.0 * step_float);
                x_cf[j] = pb->x_cf[j] + step_oracle;
                double up = oracle_loss(pb, x_cf);
                x_cf[j] = pb->x_cf[j] - step_oracle;
                double down = oracle_loss(pb, x_cf);
                x_cf[j] = pb->x_cf[j];
                double central = (up - down) / (2.0 * step_oracle);
                CHECK_NEAR(grad[i], stencil, tol_stencil * scale);
                CHECK_NEAR(grad[i], central, tol_oracle * scale);
                /* Without softmax, channel 0 left out has no influence at all. */
                if (!pb->o.include_background && c == 0 &&
                    pb->o.activation != LOBEDICE_ACTIVATION_SOFTMAX)
                    CHECK(grad[i] == 0.0f);
            }
    if (check_failures != before)
        fprintf(stderr, "  in case: %s\n", what);
}

static const char *activation_name[] = {"none", "softmax", "sigmoid"};
static const char *reduction_name[] = {"neg_mean_dice", "mean", "sum"};
static const char *target_name[] = {"labels", "onehot", "soft"};
static const char *weight_name[] = {"square", "simple", "uniform"};

static void dice_all_options(void)
{
    static const double weights[CHANNELS] = {0.5, 1.0, 2.0};
    int cases = 0;
    for (int layout = 0; layout < 2; layout++)
        for (int act = 0; act < 3; act++)
            for (int flags = 0; flags < 16; flags++)
                for (int weighted = 0; weighted < 2; weighted++)
                    for (int red = 0; red < 3; red++)
                        for (int kind = 0; kind < 3; kind++) {
                            problem pb;
                            memset(&pb, 0, sizeof pb);
                            pb.shape = (lobedice_tensor_shape){BATCH, CHANNELS, VOXELS,
                                                               (lobedice_layout)layout};
                            CHECK_INT(lobedice_dice_loss_options_init(
                                          &pb.o, LOBEDICE_DICE_LOSS_OPTIONS_VERSION),
                                      LOBEDICE_OK);
                            pb.o.activation = (lobedice_activation)act;
                            pb.o.squared_pred = flags & 1;
                            pb.o.jaccard = (flags >> 1) & 1;
                            pb.o.batch_dice = (flags >> 2) & 1;
                            pb.o.include_background = !((flags >> 3) & 1);
                            pb.o.weights = weighted ? weights : NULL;
                            pb.o.reduction = (lobedice_loss_reduction)red;
                            pb.o.threads = 1;
                            pb.target_kind = kind;
                            fill(&pb, 1000u + (uint32_t)cases);
                            char what[200];
                            snprintf(what, sizeof what,
                                     "dice %s %s squared=%d jaccard=%d batch_dice=%d "
                                     "include_background=%d weights=%s %s target=%s",
                                     layout ? "channels_first" : "channels_last",
                                     activation_name[act], pb.o.squared_pred, pb.o.jaccard,
                                     pb.o.batch_dice, pb.o.include_background,
                                     weighted ? "(0.5,1,2)" : "NULL", reduction_name[red],
                                     target_name[kind]);
                            check_problem(&pb, what);
                            cases++;
                        }
    CHECK_INT(cases, 2 * 3 * 16 * 2 * 3 * 3);
}

static void generalized_all_options(void)
{
    int cases = 0;
    for (int layout = 0; layout < 2; layout++)
        for (int act = 0; act < 3; act++)
            for (int flags = 0; flags < 16; flags++)
                for (int red = 1; red < 3; red++)
                    for (int type = 0; type < 3; type++)
                        for (int kind = TARGET_ONEHOT; kind <= TARGET_SOFT; kind++) {
                            problem pb;
                            memset(&pb, 0, sizeof pb);
                            pb.shape = (lobedice_tensor_shape){BATCH, CHANNELS, VOXELS,
                                                               (lobedice_layout)layout};
                            CHECK_INT(lobedice_dice_loss_options_init(
                                          &pb.o, LOBEDICE_DICE_LOSS_OPTIONS_VERSION),
                                      LOBEDICE_OK);
                            pb.o.activation = (lobedice_activation)act;
                            pb.o.squared_pred = flags & 1;
                            pb.o.jaccard = (flags >> 1) & 1;
                            pb.o.batch_dice = (flags >> 2) & 1;
                            pb.o.include_background = !((flags >> 3) & 1);
                            pb.o.reduction = (lobedice_loss_reduction)red;
                            pb.o.threads = 1;
                            pb.generalized = 1;
                            pb.o.generalized_weight = (lobedice_gdl_weight)type;
                            pb.target_kind = kind;
                            fill(&pb, 5000u + (uint32_t)cases);
                            char what[200];
                            snprintf(what, sizeof what,
                                     "generalized %s %s squared=%d jaccard=%d batch_dice=%d "
                                     "include_background=%d %s weights=%s target=%s",
                                     layout ? "channels_first" : "channels_last",
                                     activation_name[act], pb.o.squared_pred, pb.o.jaccard,
                                     pb.o.batch_dice, pb.o.include_background, reduction_name[red],
                                     weight_name[type], target_name[kind]);
                            check_problem(&pb, what);
                            cases++;
                        }
    CHECK_INT(cases, 2 * 3 * 16 * 2 * 3 * 2);
}

static const check_case cases[] = {
    {"dice_all_options", dice_all_options},
    {"generalized_all_options", generalized_all_options},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
