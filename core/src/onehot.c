/* One-hot encoding of label maps into float channels and argmax decoding back.
 * Both check everything before writing, so an error leaves the output untouched. */
#include "label_lookup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Voxels handled per step: label codes and running maxima live on the stack. */
#define LD_ONEHOT_TILE 1024

/* Checks the arguments shared by encode and decode; *values = batch * voxels. */
static lobedice_status ld_onehot_check(size_t *values, const void *labels, lobedice_dtype dtype,
                                       const float *floats, size_t batch, size_t voxels,
                                       const int64_t *palette, size_t channels,
                                       lobedice_layout layout)
{
    if (!labels || !floats || !palette)
        return LOBEDICE_EINVAL;
    size_t width = lobedice_dtype_size(dtype);
    if (width == 0)
        return LOBEDICE_EDTYPE;
    if (layout != LOBEDICE_CHANNELS_LAST && layout != LOBEDICE_CHANNELS_FIRST)
        return LOBEDICE_EINVAL;
    if (batch == 0 || voxels == 0 || channels == 0)
        return LOBEDICE_ESIZE;
    size_t n, scores, bytes;
    if (!ld_mul_size(batch, voxels, &n) || !ld_mul_size(n, width, &bytes) ||
        !ld_mul_size(n, channels, &scores) || !ld_mul_size(scores, sizeof(float), &bytes) ||
        !ld_mul_size(channels, sizeof(int64_t), &bytes) || channels >= UINT32_MAX)
        return LOBEDICE_EOVERFLOW;
    *values = n;
    return LOBEDICE_OK;
}

/* LOBEDICE_EPALETTE when the palette repeats a value (or, with fit_dtype, holds one the dtype
 * cannot store). */
static lobedice_status ld_palette_check(const int64_t *palette, size_t channels,
                                        lobedice_dtype dtype, bool fit_dtype)
{
    int64_t min = 0, max = 0;
    ld_dtype_range(dtype, &min, &max);
    int64_t *sorted = malloc(channels * sizeof *sorted); /* checked by ld_onehot_check */
    if (!sorted)
        return LOBEDICE_ENOMEM;
    memcpy(sorted, palette, channels * sizeof *sorted);
    ld_sort_int64(sorted, channels);
    lobedice_status st = LOBEDICE_OK;
    for (size_t c = 0; c < channels; c++) {
        if ((c > 0 && sorted[c] == sorted[c - 1]) ||
            (fit_dtype && (sorted[c] < min || sorted[c] > max)))
            st = LOBEDICE_EPALETTE;
    }
    free(sorted);
    return st;
}

lobedice_status lobedice_onehot_encode(float *out, const void *labels, lobedice_dtype dtype,
                                       size_t batch, size_t voxels, const int64_t *palette,
                                       size_t channels, lobedice_layout layout)
{
    size_t n = 0;
    lobedice_status st =
        ld_onehot_check(&n, labels, dtype, out, batch, voxels, palette, channels, layout);
    if (st == LOBEDICE_OK)
        st = ld_palette_check(palette, channels, dtype, false);
    if (st != LOBEDICE_OK)
        return st;
    ld_lookup lookup; /* palette[c] -> c + 1; code 0: not in the palette */
    st = ld_lookup_init(&lookup, dtype, palette, NULL, channels);
    if (st != LOBEDICE_OK)
        return st;

    uint32_t tile[LD_ONEHOT_TILE];
    for (size_t i = 0; i < n && st == LOBEDICE_OK; i += LD_ONEHOT_TILE) {
        size_t m = n - i < LD_ONEHOT_TILE ? n - i : LD_ONEHOT_TILE;
        ld_lookup_span(&lookup, tile, labels, i, m);
        for (size_t j = 0; j < m; j++)
            if (tile[j] == 0)
                st = LOBEDICE_ELABEL;
    }
    for (size_t b = 0; b < batch && st == LOBEDICE_OK; b++) {
        for (size_t v = 0; v < voxels; v += LD_ONEHOT_TILE) {
            size_t m = voxels - v < LD_ONEHOT_TILE ? voxels - v : LD_ONEHOT_TILE;
            ld_lookup_span(&lookup, tile, labels, b * voxels + v, m);
            if (layout == LOBEDICE_CHANNELS_LAST) {
                float *row = out + (b * voxels + v) * channels;
                for (size_t j = 0; j < m; j++, row += channels)
                    for (size_t c = 0; c < channels; c++)
                        row[c] = tile[j] == c + 1 ? 1.0f : 0.0f;
            } else {
                for (size_t c = 0; c < channels; c++) {
                    float *plane = out + (b * channels + c) * voxels + v;
                    for (size_t j = 0; j < m; j++)
                        plane[j] = tile[j] == c + 1 ? 1.0f : 0.0f;
                }
            }
        }
    }
    ld_lookup_free(&lookup);
    return st;
}

lobedice_status lobedice_onehot_decode(void *labels, lobedice_dtype dtype, const float *scores,
                                       size_t batch, size_t voxels, const int64_t *palette,
                                       size_t channels, lobedice_layout layout)
{
    size_t n = 0;
    lobedice_status st =
        ld_onehot_check(&n, labels, dtype, scores, batch, voxels, palette, channels, layout);
    if (st == LOBEDICE_OK)
        st = ld_palette_check(palette, channels, dtype, true);
    if (st != LOBEDICE_OK)
        return st;
    const size_t total = n * channels;
    for (size_t i = 0; i < total; i++)
        if (isnan(scores[i]))
            return LOBEDICE_ENOTFINITE;

    /* argmax with ties to the lowest channel: a later channel wins only when strictly
     * greater. */
    if (layout == LOBEDICE_CHANNELS_LAST) {
        for (size_t i = 0; i < n; i++) {
            const float *row = scores + i * channels;
            size_t best = 0;
            for (size_t c = 1; c < channels; c++)
                if (row[c] > row[best])
                    best = c;
            ld_label_store(labels, dtype, i, palette[best]);
        }
        return LOBEDICE_OK;
    }
    float best_score[LD_ONEHOT_TILE];
    uint32_t best[LD_ONEHOT_TILE];
    for (size_t b = 0; b < batch; b++) {
        for (size_t v = 0; v < voxels; v += LD_ONEHOT_TILE) {
            size_t m = voxels - v < LD_ONEHOT_TILE ? voxels - v : LD_ONEHOT_TILE;
            const float *plane = scores + b * channels * voxels + v;
            for (size_t j = 0; j < m; j++) {
                best_score[j] = plane[j];
                best[j] = 0;
            }
            for (size_t c = 1; c < channels; c++) {
                plane += voxels;
                for (size_t j = 0; j < m; j++) {
                    if (plane[j] > best_score[j]) {
                        best_score[j] = plane[j];
                        best[j] = (uint32_t)c;
                    }
                }
            }
            for (size_t j = 0; j < m; j++)
                ld_label_store(labels, dtype, b * voxels + v + j, palette[best[j]]);
        }
    }
    return LOBEDICE_OK;
}
