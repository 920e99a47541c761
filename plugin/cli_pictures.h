/* Where the maps disagree, as pictures: surface models of the lobes coloured by their signed
 * distance to the other map (cli_model.cxx) and one quality-control PNG (cli_snapshot.cxx),
 * made with VTK. Every number comes from the core; VTK extracts, smooths, draws and writes. */
#ifndef LOBEDICE_CLI_PICTURES_H
#define LOBEDICE_CLI_PICTURES_H

#include "cli_options.h"
#include "cli_output.h"
#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_pictures {
    const lobedice_image *reference, *prediction; /* the prediction on the reference grid */
    const lobedice_real_image *ct;                /* NULL: no CT under the slices */
    const lobedice_comparison *comparison;
    const char *reference_path, *predicted_path;  /* as given, for the picture's title */
    const char *distance_model, *reference_model; /* targets, NULL when not asked for */
    const char *snapshot;
    cli_snapshot_at at; /* where the snapshot's slices cross */
    uint64_t voxel[3];  /* with CLI_AT_VOXEL */
    size_t threads;
} cli_pictures;

/* Makes the models and the snapshot asked for and writes each to a temporary file reserved in
 * `outputs` (renamed with the other outputs by cli_outputs_commit). Without an X display the
 * snapshot is made without its 3-D panel and one line on standard error says so. Returns 0,
 * or CLI_EXIT_USAGE / CLI_EXIT_FAILURE with one sentence in msg. */
int cli_pictures_write(const cli_pictures *pictures, cli_outputs *outputs, char *msg, size_t size);

#ifdef __cplusplus
}
#endif

#endif
