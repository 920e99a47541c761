/* One-hot encoding and argmax decoding: an 8 x 8 lobe map, round trips for every dtype
 * and both layouts, palette errors, ties, NaN, random scores against a naive argmax, and every
 * error status. */
#include "check.h"
#include "label_test_util.h"
#include "lobedice/lobedice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Index of (b, v, c) in a batch*voxels*channels buffer of `layout`, written out plainly. */
static size_t at(lobedice_layout layout, size_t b, size_t v, size_t c, size_t voxels,
                 size_t channels)
{
    return layout == LOBEDICE_CHANNELS_LAST ? (b * voxels + v) * channels + c
                                            : (b * channels + c) * voxels + v;
}

static const lobedice_layout layouts[2] = {LOBEDICE_CHANNELS_LAST, LOBEDICE_CHANNELS_FIRST};

/* An 8 x 8 lobe map with labels 0..5 becomes 6 channels and decodes back. */
static void test_lobe_map_example(void)
{
    const uint8_t map[64] = {
        0, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 1, 1, 1, 4, 4, 4, 0, /**/
        0, 1, 1, 1, 4, 4, 4, 0, /**/ 0, 2, 2, 1, 4, 4, 5, 0, /**/
        0, 2, 2, 3, 5, 5, 5, 0, /**/ 0, 3, 3, 3, 5, 5, 5, 0, /**/
        0, 3, 3, 3, 5, 5, 5, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0,
    };
    const int64_t palette[6] = {0, 1, 2, 3, 4, 5};
    for (size_t l = 0; l < 2; l++) {
        float hot[64 * 6];
        uint8_t back[64];
        CHECK_INT(lobedice_onehot_encode(hot, map, LOBEDICE_UINT8, 1, 64, palette, 6, layouts[l]),
                  LOBEDICE_OK);
        for (size_t v = 0; v < 64; v++)
            for (size_t c = 0; c < 6; c++)
                CHECK_SAME(hot[at(layouts[l], 0, v, c, 64, 6)], map[v] == c ? 1.0 : 0.0);
        /* spot checks of the layouts: voxel 9 is label 1 */
        CHECK_SAME(hot[layouts[l] == LOBEDICE_CHANNELS_LAST ? 9 * 6 + 1 : 1 * 64 + 9], 1.0);
        CHECK_SAME(hot[layouts[l] == LOBEDICE_CHANNELS_LAST ? 9 * 6 + 0 : 0 * 64 + 9], 0.0);
        memset(back, 0xff, sizeof back);
        CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, hot, 1, 64, palette, 6, layouts[l]),
                  LOBEDICE_OK);
        CHECK(memcmp(back, map, sizeof map) == 0);
    }
}

/* Palettes with each dtype's extremes, in no particular order. */
static size_t palette_for(lobedice_dtype dtype, int64_t *palette)
{
    int64_t min = 0, max = 0;
    test_range(dtype, &min, &max);
    const int64_t values[6] = {3, max, 0, min == 0 ? 17 : -7, min, 1};
    size_t n = 0;
    for (size_t i = 0; i < 6; i++) {
        int seen = 0;
        for (size_t j = 0; j < n; j++)
            seen |= palette[j] == values[i];
        if (!seen)
            palette[n++] = values[i];
    }
    return n;
}

static void test_round_trips(void)
{
    enum { BATCH = 3, VOXELS = 1100 }; /* more than one tile of 1024 voxels */
    uint64_t rng = 99;
    static int32_t labels[BATCH * VOXELS], back[BATCH * VOXELS];
    static float hot[BATCH * VOXELS * 6];
    for (size_t d = 0; d < 6; d++) {
        lobedice_dtype dtype = all_dtypes[d];
        int64_t palette[6];
        size_t channels = palette_for(dtype, palette);
        size_t index[BATCH * VOXELS];
        for (size_t i = 0; i < BATCH * VOXELS; i++) {
            index[i] = (size_t)test_below(&rng, channels);
            test_store(labels, dtype, i, palette[index[i]]);
        }
        for (size_t l = 0; l < 2; l++) {
            CHECK_INT(lobedice_onehot_encode(hot, labels, dtype, BATCH, VOXELS, palette, channels,
                                             layouts[l]),
                      LOBEDICE_OK);
            size_t wrong = 0;
            for (size_t b = 0; b < BATCH; b++)
                for (size_t v = 0; v < VOXELS; v++)
                    for (size_t c = 0; c < channels; c++)
                        wrong += hot[at(layouts[l], b, v, c, VOXELS, channels)] !=
                                 (index[b * VOXELS + v] == c ? 1.0f : 0.0f);
            CHECK_UINT(wrong, 0);
            memset(back, 0, sizeof back);
            CHECK_INT(lobedice_onehot_decode(back, dtype, hot, BATCH, VOXELS, palette, channels,
                                             layouts[l]),
                      LOBEDICE_OK);
            size_t differ = 0;
            for (size_t i = 0; i < BATCH * VOXELS; i++)
                differ += test_load(back, dtype, i) != test_load(labels, dtype, i);
            if (differ)
                fprintf(stderr, "%s layout %d\n", dtype_name(dtype), (int)layouts[l]);
            CHECK_UINT(differ, 0);
        }
    }
}

static void test_palette_errors(void)
{
    const int16_t labels[4] = {0, 1, 2, 1};
    const int64_t repeated[3] = {0, 1, 1}, missing[2] = {0, 1}, ok[3] = {2, 1, 0};
    float hot[12], sentinel[12];
    for (size_t i = 0; i < 12; i++)
        hot[i] = sentinel[i] = 42.0f;
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_INT16, 1, 4, repeated, 3,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_EPALETTE);
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_INT16, 1, 4, missing, 2,
                                     LOBEDICE_CHANNELS_FIRST),
              LOBEDICE_ELABEL);
    CHECK(memcmp(hot, sentinel, sizeof hot) == 0); /* errors leave the output untouched */
    CHECK_INT(
        lobedice_onehot_encode(hot, labels, LOBEDICE_INT16, 1, 4, ok, 3, LOBEDICE_CHANNELS_LAST),
        LOBEDICE_OK);
    CHECK_SAME(hot[0 * 3 + 2], 1.0); /* label 0 is channel 2 */
    CHECK_SAME(hot[2 * 3 + 0], 1.0); /* label 2 is channel 0 */

    /* encode: a palette value the dtype cannot hold is a channel that is never hot */
    const uint8_t small[3] = {0, 255, 0};
    const int64_t wide[3] = {0, 300, 255};
    float three[9];
    CHECK_INT(
        lobedice_onehot_encode(three, small, LOBEDICE_UINT8, 1, 3, wide, 3, LOBEDICE_CHANNELS_LAST),
        LOBEDICE_OK);
    CHECK_SAME(three[1], 0.0);
    CHECK_SAME(three[3 + 2], 1.0);
    CHECK_SAME(three[3 + 1], 0.0);
    /* 300 would wrap to 44 in uint8: value 44 is not in the palette */
    const uint8_t wraps[1] = {44};
    float before[9];
    memcpy(before, three, sizeof three);
    CHECK_INT(
        lobedice_onehot_encode(three, wraps, LOBEDICE_UINT8, 1, 1, wide, 3, LOBEDICE_CHANNELS_LAST),
        LOBEDICE_ELABEL);
    CHECK(memcmp(three, before, sizeof three) == 0);

    /* decode: the palette must fit the dtype and not repeat */
    const float scores[6] = {0.1f, 0.9f, 0.0f, 0.2f, 0.3f, 0.5f};
    uint8_t out8[2] = {7, 7};
    CHECK_INT(
        lobedice_onehot_decode(out8, LOBEDICE_UINT8, scores, 1, 2, wide, 3, LOBEDICE_CHANNELS_LAST),
        LOBEDICE_EPALETTE);
    CHECK_INT(lobedice_onehot_decode(out8, LOBEDICE_UINT8, scores, 1, 2, repeated, 3,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_EPALETTE);
    CHECK_INT(out8[0], 7);
    CHECK_INT(out8[1], 7);
    const int64_t below_int8[3] = {0, -129, 1}, negative[3] = {0, -1, 1};
    int8_t outs8[2] = {5, 5};
    uint32_t out32[2] = {5, 5};
    CHECK_INT(lobedice_onehot_decode(outs8, LOBEDICE_INT8, scores, 1, 2, below_int8, 3,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_EPALETTE);
    CHECK_INT(lobedice_onehot_decode(out32, LOBEDICE_UINT32, scores, 1, 2, negative, 3,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_EPALETTE);
    CHECK(outs8[0] == 5 && outs8[1] == 5 && out32[0] == 5 && out32[1] == 5);
    CHECK_INT(lobedice_onehot_decode(outs8, LOBEDICE_INT8, scores, 1, 2, negative, 3,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_OK);
    CHECK_INT(outs8[0], -1); /* channel 1 (0.9) */
    CHECK_INT(outs8[1], 1);  /* channel 2 (0.5) */
}

static void test_ties(void)
{
    const float inf = INFINITY;
    /* 7 voxels, 3 channels, channels last; expected channel per voxel */
    const float last[21] = {0.5f, 0.5f, 0.1f,  0.1f, 0.7f, 0.7f, 0.0f, 0.0f, 0.0f, -0.0f, 0.0f,
                            0.0f, 0.0f, -0.0f, 0.0f, -inf, -inf, -inf, 1.0f, inf,  inf};
    const size_t want[7] = {0, 1, 0, 0, 0, 0, 1};
    const int64_t palette[3] = {10, 20, 30};
    float first[21];
    for (size_t v = 0; v < 7; v++)
        for (size_t c = 0; c < 3; c++)
            first[c * 7 + v] = last[v * 3 + c];
    int16_t out[7];
    CHECK_INT(
        lobedice_onehot_decode(out, LOBEDICE_INT16, last, 1, 7, palette, 3, LOBEDICE_CHANNELS_LAST),
        LOBEDICE_OK);
    for (size_t v = 0; v < 7; v++)
        CHECK_INT(out[v], palette[want[v]]);
    memset(out, 0, sizeof out);
    CHECK_INT(lobedice_onehot_decode(out, LOBEDICE_INT16, first, 1, 7, palette, 3,
                                     LOBEDICE_CHANNELS_FIRST),
              LOBEDICE_OK);
    for (size_t v = 0; v < 7; v++)
        CHECK_INT(out[v], palette[want[v]]);
}

static void test_nan(void)
{
    const int64_t palette[2] = {0, 1};
    float scores[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
    uint8_t out[4] = {9, 9, 9, 9};
    for (size_t where = 0; where < 8; where++) {
        float keep = scores[where];
        scores[where] = NAN;
        for (size_t l = 0; l < 2; l++)
            CHECK_INT(
                lobedice_onehot_decode(out, LOBEDICE_UINT8, scores, 2, 2, palette, 2, layouts[l]),
                LOBEDICE_ENOTFINITE);
        scores[where] = keep;
    }
    for (size_t i = 0; i < 4; i++)
        CHECK_INT(out[i], 9);
    CHECK_INT(lobedice_onehot_decode(out, LOBEDICE_UINT8, scores, 2, 2, palette, 2,
                                     LOBEDICE_CHANNELS_LAST),
              LOBEDICE_OK);
    CHECK_INT(out[0], 1);
}

/* Random scores, some tied, against argmax written plainly. */
static void test_random_argmax(void)
{
    enum { BATCH = 2, VOXELS = 1500, CHANNELS = 7 };
    static float scores[BATCH * VOXELS * CHANNELS];
    static int32_t out[BATCH * VOXELS];
    const int64_t palette[CHANNELS] = {-5, 0, 1, 2, 3, 4, 1000000};
    uint64_t rng = 5;
    for (size_t i = 0; i < BATCH * VOXELS * CHANNELS; i++)
        scores[i] = (float)test_below(&rng, 6) * 0.25f - 0.5f; /* few values: many ties */
    for (size_t l = 0; l < 2; l++) {
        CHECK_INT(lobedice_onehot_decode(out, LOBEDICE_INT32, scores, BATCH, VOXELS, palette,
                                         CHANNELS, layouts[l]),
                  LOBEDICE_OK);
        size_t wrong = 0;
        for (size_t b = 0; b < BATCH; b++) {
            for (size_t v = 0; v < VOXELS; v++) {
                size_t best = 0;
                for (size_t c = 0; c < CHANNELS; c++)
                    if (scores[at(layouts[l], b, v, c, VOXELS, CHANNELS)] >
                        scores[at(layouts[l], b, v, best, VOXELS, CHANNELS)])
                        best = c;
                wrong += out[b * VOXELS + v] != palette[best];
            }
        }
        CHECK_UINT(wrong, 0);
    }
}

/* A bad label (encode) or a NaN score (decode) far past the first tile of LD_ONEHOT_TILE (1024)
 * values, in the second sample: the error is found before anything is written. */
static void test_late_errors_write_nothing(void)
{
    enum { BATCH = 2, VOXELS = 1500, CHANNELS = 3 };
    static int16_t labels[BATCH * VOXELS], back[BATCH * VOXELS];
    static float hot[BATCH * VOXELS * CHANNELS], scores[BATCH * VOXELS * CHANNELS];
    const int64_t palette[CHANNELS] = {0, 1, 2};
    uint64_t rng = 8;
    for (size_t i = 0; i < BATCH * VOXELS; i++)
        labels[i] = (int16_t)test_below(&rng, CHANNELS);
    for (size_t i = 0; i < BATCH * VOXELS * CHANNELS; i++)
        scores[i] = (float)test_below(&rng, 100);
    const size_t bad_label[3] = {1024, VOXELS + 1100, BATCH * VOXELS - 1};
    const size_t bad_score[3] = {3 * 1024, (VOXELS + 1100) * CHANNELS + 2,
                                 BATCH * VOXELS * CHANNELS - 1};
    for (size_t k = 0; k < 3; k++) {
        for (size_t l = 0; l < 2; l++) {
            const int16_t keep = labels[bad_label[k]];
            labels[bad_label[k]] = 3; /* not in the palette */
            for (size_t i = 0; i < BATCH * VOXELS * CHANNELS; i++)
                hot[i] = -7.0f;
            CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_INT16, BATCH, VOXELS, palette,
                                             CHANNELS, layouts[l]),
                      LOBEDICE_ELABEL);
            size_t touched = 0;
            for (size_t i = 0; i < BATCH * VOXELS * CHANNELS; i++)
                touched += hot[i] != -7.0f;
            CHECK_UINT(touched, 0);
            labels[bad_label[k]] = keep;

            const float kept = scores[bad_score[k]];
            scores[bad_score[k]] = NAN;
            for (size_t i = 0; i < BATCH * VOXELS; i++)
                back[i] = -7;
            CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_INT16, scores, BATCH, VOXELS, palette,
                                             CHANNELS, layouts[l]),
                      LOBEDICE_ENOTFINITE);
            touched = 0;
            for (size_t i = 0; i < BATCH * VOXELS; i++)
                touched += back[i] != -7;
            CHECK_UINT(touched, 0);
            scores[bad_score[k]] = kept;
        }
    }
    /* and without the bad values, both succeed */
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_INT16, BATCH, VOXELS, palette, CHANNELS,
                                     LOBEDICE_CHANNELS_FIRST),
              LOBEDICE_OK);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_INT16, hot, BATCH, VOXELS, palette, CHANNELS,
                                     LOBEDICE_CHANNELS_FIRST),
              LOBEDICE_OK);
    CHECK(memcmp(back, labels, sizeof back) == 0);
}

static void test_errors(void)
{
    const uint8_t labels[2] = {0, 1};
    const int64_t palette[2] = {0, 1};
    float hot[4] = {-1.0f, -1.0f, -1.0f, -1.0f};
    uint8_t back[2] = {77, 77};
    const lobedice_layout last = LOBEDICE_CHANNELS_LAST;
    CHECK_INT(lobedice_onehot_encode(NULL, labels, LOBEDICE_UINT8, 1, 2, palette, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_encode(hot, NULL, LOBEDICE_UINT8, 1, 2, palette, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, 2, NULL, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_encode(hot, labels, (lobedice_dtype)6, 1, 2, palette, 2, last),
              LOBEDICE_EDTYPE);
    CHECK_INT(
        lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, 2, palette, 2, (lobedice_layout)2),
        LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 0, 2, palette, 2, last),
              LOBEDICE_ESIZE);
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, 0, palette, 2, last),
              LOBEDICE_ESIZE);
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, 2, palette, 0, last),
              LOBEDICE_ESIZE);
    CHECK_INT(
        lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, SIZE_MAX / 2 + 1, 2, palette, 2, last),
        LOBEDICE_EOVERFLOW);
    CHECK_INT(
        lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, SIZE_MAX / 4, palette, 8, last),
        LOBEDICE_EOVERFLOW);
    CHECK_INT(
        lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, SIZE_MAX / 2, palette, 1, last),
        LOBEDICE_EOVERFLOW); /* the float count fits, its bytes do not */
    const int64_t repeated[2] = {1, 1};
    CHECK_INT(lobedice_onehot_encode(hot, labels, LOBEDICE_UINT8, 1, 2, repeated, 2, last),
              LOBEDICE_EPALETTE);
    CHECK(hot[0] == -1.0f && hot[1] == -1.0f && hot[2] == -1.0f && hot[3] == -1.0f);

    const float scores[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    CHECK_INT(lobedice_onehot_decode(NULL, LOBEDICE_UINT8, scores, 1, 2, palette, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, NULL, 1, 2, palette, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 2, NULL, 2, last),
              LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_decode(back, (lobedice_dtype)-3, scores, 1, 2, palette, 2, last),
              LOBEDICE_EDTYPE);
    CHECK_INT(
        lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 2, palette, 2, (lobedice_layout)7),
        LOBEDICE_EINVAL);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 2, palette, 0, last),
              LOBEDICE_ESIZE);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 0, 2, palette, 2, last),
              LOBEDICE_ESIZE);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 0, palette, 2, last),
              LOBEDICE_ESIZE);
    CHECK_INT(
        lobedice_onehot_decode(back, LOBEDICE_INT32, scores, 1, SIZE_MAX / 2, palette, 1, last),
        LOBEDICE_EOVERFLOW);
    CHECK_INT(
        lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, SIZE_MAX / 2 + 1, 2, palette, 2, last),
        LOBEDICE_EOVERFLOW);
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 2, repeated, 2, last),
              LOBEDICE_EPALETTE);
    CHECK(back[0] == 77 && back[1] == 77); /* no error wrote anything */
    CHECK_INT(lobedice_onehot_decode(back, LOBEDICE_UINT8, scores, 1, 2, palette, 2, last),
              LOBEDICE_OK);
    CHECK_INT(back[0], 1);
    CHECK_INT(back[1], 0);
}

static const check_case cases[] = {
    {"lobe_map_example", test_lobe_map_example},
    {"round_trips", test_round_trips},
    {"palette_errors", test_palette_errors},
    {"ties", test_ties},
    {"nan", test_nan},
    {"random_argmax", test_random_argmax},
    {"late_errors_write_nothing", test_late_errors_write_nothing},
    {"errors", test_errors},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
