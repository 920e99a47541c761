/* The soft Dice loss of the reference training step: batch 2 x 64 x 96 x 96 voxels x 6 channels,
 * channels last, softmax, uint8 label target, weights (0,1,1,1,1,1). Prints the median (and
 * minimum) time of loss plus gradient at one thread and at several, of the loss alone, of the
 * same with a one-hot target, and the peak bytes each call allocates.
 *
 *   bench_loss [--repeats N] [--threads N]   (default 15 calls; 2 threads for the
 *                                             multi-threaded rows) */
#define _GNU_SOURCE
#include "bench.h"
#include "phantom.h"

#include <lobedice/lobedice.h>

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH = 2, CHANNELS = 6 };

typedef struct run_ctx {
    lobedice_tensor_shape shape;
    lobedice_dice_loss_options opts;
    const float *input, *onehot;
    const uint8_t *labels;
    float *grad; /* NULL: loss only */
    int use_onehot;
    double loss;
    lobedice_status status;
} run_ctx;

static void run(void *ctx)
{
    run_ctx *r = ctx;
    r->status =
        r->use_onehot
            ? lobedice_dice_loss(&r->loss, NULL, r->grad, &r->shape, r->input, r->onehot, &r->opts)
            : lobedice_dice_loss_labels(&r->loss, NULL, r->grad, &r->shape, r->input, r->labels,
                                        LOBEDICE_UINT8, &r->opts);
    if (r->status != LOBEDICE_OK) {
        fprintf(stderr, "bench_loss: the loss failed: %s\n", lobedice_strerror(r->status));
        exit(1);
    }
}

/* Times `repeats` calls on `threads` threads after one warm-up call and prints the median and the
 * minimum in ms. Returns the median. */
static double report(const char *what, run_ctx *r, int use_onehot, int with_grad, float *grad,
                     size_t threads, int repeats)
{
    r->use_onehot = use_onehot;
    r->grad = with_grad ? grad : NULL;
    r->opts.threads = threads;
    double median, min;
    bench_time_stats(run, r, repeats, &median, &min);
    char label[96];
    snprintf(label, sizeof label, "%s, %zu thread%s", what, threads, threads > 1 ? "s" : "");
    printf("  %-48s %8.2f %8.2f\n", label, 1e3 * median, 1e3 * min);
    return 1e3 * median;
}

static size_t peak_bytes(run_ctx *r, int use_onehot, int with_grad, float *grad, size_t threads)
{
    r->use_onehot = use_onehot;
    r->grad = with_grad ? grad : NULL;
    r->opts.threads = threads;
    bench_alloc_mark();
    run(r);
    return bench_alloc_peak();
}

static void usage(FILE *to)
{
    fprintf(to, "usage: bench_loss [--repeats N (1..64)] [--threads N]\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"repeats", required_argument, NULL, 'r'},
                                          {"threads", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int repeats = 15;
    size_t threads = 2; /* the multi-threaded rows (the library's default is 1) */
    long value;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        if (c == 'r' && bench_parse_count(optarg, 1, BENCH_MAX_REPEATS, &value) == 0)
            repeats = (int)value;
        else if (c == 't' && bench_parse_count(optarg, 1, 1024, &value) == 0)
            threads = (size_t)value;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            if (c == 'r' || c == 't')
                fprintf(stderr, "bench_loss: --%s expects an integer in 1..%d, not '%s'\n",
                        c == 'r' ? "repeats" : "threads", c == 'r' ? BENCH_MAX_REPEATS : 1024,
                        optarg);
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    const size_t size[3] = {96, 96, 64};
    const size_t voxels = size[0] * size[1] * size[2];
    const size_t n = BATCH * voxels;
    uint8_t *reference = phantom_new(size, PHANTOM_REFERENCE);
    uint8_t *prediction = phantom_new(size, PHANTOM_PREDICTION);
    uint8_t *labels = malloc(n);
    float *input = malloc(n * CHANNELS * sizeof *input);
    float *onehot = malloc(n * CHANNELS * sizeof *onehot);
    float *grad = malloc(n * CHANNELS * sizeof *grad);
    if (!reference || !prediction || !labels || !input || !onehot || !grad) {
        fprintf(stderr, "bench_loss: out of memory\n");
        return 1;
    }
    /* Sample 0 targets the phantom's reference, sample 1 its prediction; the logits favour the
     * other map's label by 3 and carry deterministic noise in [-1, 1). */
    uint32_t state = 12345u;
    for (size_t b = 0; b < BATCH; b++)
        for (size_t v = 0; v < voxels; v++) {
            size_t i = b * voxels + v;
            labels[i] = b == 0 ? reference[v] : prediction[v];
            uint8_t favoured = b == 0 ? prediction[v] : reference[v];
            for (size_t c = 0; c < CHANNELS; c++) {
                state = state * 1664525u + 1013904223u;
                float noise = (float)(state >> 8) / 8388608.0f - 1.0f;
                input[i * CHANNELS + c] = (c == favoured ? 3.0f : 0.0f) + noise;
                onehot[i * CHANNELS + c] = c == labels[i] ? 1.0f : 0.0f;
            }
        }

    static const double weights[CHANNELS] = {0, 1, 1, 1, 1, 1};
    run_ctx r;
    memset(&r, 0, sizeof r);
    r.input = input;
    r.onehot = onehot;
    r.labels = labels;
    r.shape = (lobedice_tensor_shape){BATCH, CHANNELS, voxels, LOBEDICE_CHANNELS_LAST};
    r.opts = (lobedice_dice_loss_options)LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    r.opts.activation = LOBEDICE_ACTIVATION_SOFTMAX;
    r.opts.weights = weights;

    printf(
        "soft Dice loss: batch %d x %zu x %zu x %zu voxels x %d channels (%zu floats), channels "
        "last,\nsoftmax, weights (0,1,1,1,1,1), default smoothing (2e-5, 1e-5); %zu online cores\n",
        BATCH, size[2], size[1], size[0], CHANNELS, n * CHANNELS, bench_cpu_count());
    char heading[64];
    snprintf(heading, sizeof heading, "ms per call, over %d calls after a warm-up", repeats);
    printf("  %-48s %8s %8s\n", heading, "median", "min");
    double goal = report("label target, loss + gradient", &r, 0, 1, grad, 1, repeats);
    report("label target, loss + gradient", &r, 0, 1, grad, threads, repeats);
    double label_loss = r.loss;
    report("label target, loss only", &r, 0, 0, grad, 1, repeats);
    report("label target, loss only", &r, 0, 0, grad, threads, repeats);
    report("one-hot target, loss + gradient", &r, 1, 1, grad, 1, repeats);
    report("one-hot target, loss + gradient", &r, 1, 1, grad, threads, repeats);
    printf("loss %.12f (label target), %.12f (one-hot target)\n", label_loss, r.loss);
    printf("goal: label target, loss + gradient, 1 thread, under 30 ms: %s (median %.2f ms)\n",
           goal < 30.0 ? "met" : "NOT met", goal);

    printf("peak bytes allocated by one call (the input alone is %zu bytes):\n",
           n * CHANNELS * sizeof(float));
    printf("  label target, loss + gradient:   %zu at 1 thread, %zu at %zu threads\n",
           peak_bytes(&r, 0, 1, grad, 1), peak_bytes(&r, 0, 1, grad, threads), threads);
    printf("  label target, loss only:         %zu at 1 thread, %zu at %zu threads\n",
           peak_bytes(&r, 0, 0, grad, 1), peak_bytes(&r, 0, 0, grad, threads), threads);
    printf("  one-hot target, loss + gradient: %zu at 1 thread, %zu at %zu threads\n",
           peak_bytes(&r, 1, 1, grad, 1), peak_bytes(&r, 1, 1, grad, threads), threads);

    free(reference);
    free(prediction);
    free(labels);
    free(input);
    free(onehot);
    free(grad);
    return 0;
}
