/* Fuzz target: one-hot encode and decode and the soft Dice losses on arbitrary shapes and
 * values: NaN and infinite scores, weights and smoothing, and sizes whose products overflow
 * (which must be refused before any buffer is touched). */
#include "fuzz_input.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A size: small most of the time, or huge (up to SIZE_MAX) to test the overflow checks. */
static size_t fuzz_size(fuzz_input *in, size_t small)
{
    uint8_t kind = fuzz_u8(in);
    return kind < 240 ? (size_t)kind % small + 1 : (size_t)fuzz_u64(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    const size_t batch = fuzz_size(&in, 3), channels = fuzz_size(&in, 5),
                 voxels = fuzz_size(&in, 40);
    size_t elements = 0, labels_count = 0;
    /* Overflowing or empty shapes: the core must refuse them before reading, so they get
     * one-element buffers (a zero size with a huge one does not overflow: batch x 0 x voxels). */
    const int huge = __builtin_mul_overflow(batch, channels, &elements) ||
                     __builtin_mul_overflow(elements, voxels, &elements) ||
                     __builtin_mul_overflow(batch, voxels, &labels_count) || batch == 0 ||
                     channels == 0 || voxels == 0;
    if (!huge && elements > 4096)
        return 0; /* a real shape too big for quick runs: its buffers would have to be real */
    const size_t alloc = huge ? 1 : elements, nlab = huge ? 1 : labels_count;
    float *input = calloc(alloc, sizeof *input), *target = calloc(alloc, sizeof *target),
          *grad = calloc(alloc, sizeof *grad);
    int32_t *labels = calloc(nlab, sizeof *labels);
    int64_t palette[5];
    double weights[5];
    double dice[3 * 5];
    FUZZ_REQUIRE(input && target && grad && labels);
    for (size_t i = 0; i < alloc; i++) {
        input[i] = fuzz_float(&in);
        target[i] = fuzz_float(&in);
    }
    for (size_t i = 0; i < nlab; i++)
        labels[i] = (int32_t)(fuzz_u8(&in) % 7) - 1;
    for (int c = 0; c < 5; c++) {
        palette[c] = (int64_t)(fuzz_u8(&in) % 8) - 1;
        weights[c] = fuzz_double(&in);
    }
    const lobedice_layout layout = (lobedice_layout)(fuzz_u8(&in) & 1);
    if (channels <= 5 || huge) {
        lobedice_onehot_encode(input, labels, LOBEDICE_INT32, batch, voxels, palette, channels,
                               layout);
        lobedice_onehot_decode(labels, LOBEDICE_INT32, input, batch, voxels, palette, channels,
                               layout);
    }
    const lobedice_tensor_shape shape = {batch, channels, voxels, layout};
    lobedice_dice_loss_options opts = LOBEDICE_DICE_LOSS_OPTIONS_INIT;
    opts.activation = (lobedice_activation)(fuzz_u8(&in) % 3);
    uint8_t flags = fuzz_u8(&in);
    opts.weights = (flags & 1) && channels <= 5 ? weights : NULL;
    opts.include_background = (flags >> 1) & 1;
    opts.squared_pred = (flags >> 2) & 1;
    opts.jaccard = (flags >> 3) & 1;
    opts.batch_dice = (flags >> 4) & 1;
    opts.reduction = (lobedice_loss_reduction)((flags >> 5) % 3);
    opts.smooth_nr = fuzz_double(&in);
    opts.smooth_dr = fuzz_double(&in);
    opts.threads = fuzz_u8(&in) % 3;
    double loss = 0;
    const int small_dice = batch <= 3 && channels <= 5;
    lobedice_dice_loss(&loss, small_dice ? dice : NULL, grad, &shape, input, target, &opts);
    lobedice_dice_loss_labels(&loss, small_dice ? dice : NULL, grad, &shape, input, labels,
                              LOBEDICE_INT32, &opts);
    opts.generalized_weight = (lobedice_gdl_weight)(fuzz_u8(&in) % 4); /* 3: unknown */
    lobedice_generalized_dice_loss(&loss, grad, &shape, input, target, &opts);
    free(input);
    free(target);
    free(grad);
    free(labels);
    return 0;
}
