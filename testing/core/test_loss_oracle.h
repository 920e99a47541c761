/* A plain double-precision reference of the soft Dice losses, written straight from
 * docs/measures.md and the header's comments (libm exp, no tiles, no chunks, no lanes), and the
 * small helpers the loss tests share. Arrays are channel-first: index (b*channels + c)*voxels + v.
 */
#ifndef LOBEDICE_TEST_LOSS_ORACLE_H
#define LOBEDICE_TEST_LOSS_ORACLE_H

#include <lobedice/lobedice.h>

#include <stddef.h>
#include <stdint.h>

/* The loss of lobedice_dice_loss for raw input x and target g of shape s (its layout is not
 * read: x and g are channel-first); dice (nullable) receives the per-(group, channel) values like
 * the library's, NaN for a channel that takes no part. */
double oracle_dice_loss(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                        const double *x, const double *g, double *dice);

/* The loss of lobedice_generalized_dice_loss (class weights from o->generalized_weight). */
double oracle_generalized_loss(const lobedice_tensor_shape *s, const lobedice_dice_loss_options *o,
                               const double *x, const double *g);

/* Copies a channel-first double array into float in `layout`. */
void oracle_to_layout(float *out, const double *cf, size_t batch, size_t channels, size_t voxels,
                      lobedice_layout layout);

/* Index of element (b, c, v) in `layout`. */
size_t oracle_index(size_t b, size_t c, size_t v, size_t channels, size_t voxels,
                    lobedice_layout layout);

/* A deterministic generator: uniform in [0, 1) on a grid of 2^-24. */
double oracle_uniform(uint32_t *state);

#endif
