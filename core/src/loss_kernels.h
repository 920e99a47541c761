/* Element kernels of the soft Dice loss, private to core/src/loss.c (and its unit test, which
 * includes this header to check the exponential against libm). */
#ifndef LOBEDICE_LOSS_KERNELS_H
#define LOBEDICE_LOSS_KERNELS_H

#include <stdint.h>
#include <string.h>

/* exp(-|x|) in float, written so that GCC vectorizes a loop of calls at -O2/-O3 with plain SSE2:
 * no branch, no libm call, the clamp done on the bit pattern (a float compare-and-select would
 * be split into paths that -ftrapping-math forbids merging).
 *
 * Cephes' expf reduction: n = round(z / ln 2) by the 1.5*2^23 trick, r = z - n*ln 2 in two parts
 * (|r| <= ln2/2), exp(r) by its degree-7 polynomial, times 2^n built in the exponent bits.
 * Error, measured against libm's double exp over every float z in [-87.3365, 0]
 * (exp(z) >= FLT_MIN): relative error <= 8.4e-8 (1.4 units of 2^-24). Below, the result is 0
 * or a subnormal with an absolute error below 1.2e-38; NaN and infinities give 0 (callers
 * check finiteness themselves). */
static inline float ld_exp_neg_abs(float x)
{
    uint32_t m;
    memcpy(&m, &x, sizeof m);
    m &= 0x7fffffffu;                      /* |x| */
    m = m < 0x42c80000u ? m : 0x42c80000u; /* min(|x|, 100); NaN and inf become 100 */
    m |= 0x80000000u;                      /* -min(|x|, 100) */
    float z;
    memcpy(&z, &m, sizeof z);
    float t = z * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f; /* z / ln 2 rounded to nearest, in [-145, 0] */
    float r = z - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t e = (int32_t)n + 127; /* biased exponent of 2^n; 2^n below FLT_MIN becomes 0 */
    e = e > 0 ? e : 0;
    uint32_t bits = (uint32_t)e << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#endif
