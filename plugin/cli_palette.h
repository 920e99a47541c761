/* The one palette of LobeDice's outputs: the disagreement map's colour table, the snapshot and
 * the surface models colour the k-th reported label alike. */
#ifndef LOBEDICE_CLI_PALETTE_H
#define LOBEDICE_CLI_PALETTE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_rgb {
    int r, g, b; /* 0..255 */
} cli_rgb;

/* The colour of the k-th reported label (k >= 1): entries 1..10 of Slicer's GenericColors
 * (Base/Logic/Resources/ColorFiles/GenericColors.txt, Slicer's default colour table of label
 * maps, also the first entries of GenericAnatomyColors), repeated after 10. For lobes 1..5 the
 * colours Slicer's slice views show for the same label map. */
cli_rgb cli_label_color(size_t k);

/* Missed voxels (a label in the reference, background in the prediction) and extra voxels (the
 * reverse): saturated magenta and yellow, far from every label colour above. */
extern const cli_rgb cli_missed_color, cli_extra_color;

#ifdef __cplusplus
}
#endif

#endif
