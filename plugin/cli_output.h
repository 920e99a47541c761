/* The outputs of one run, written all or nothing through lobedice_io's output sets (the one
 * atomic-write path): each output goes to a temporary file beside its target; only when every
 * one is written are they renamed into place, and a failure or an interrupt at any point leaves
 * every earlier file as it was. A signal (cli_signals.h) removes the staged files. */
#ifndef LOBEDICE_CLI_OUTPUT_H
#define LOBEDICE_CLI_OUTPUT_H

#include "lobedice/lobedice_io.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_outputs cli_outputs;

/* A new set, watched by the signal thread until it is freed. NULL when out of memory. */
cli_outputs *cli_outputs_new(void);

/* Writes `text` to a staged file for `target`. Returns 0, or -1 with a sentence in msg. */
int cli_outputs_write_text(cli_outputs *set, const char *target, const char *text, char *msg,
                           size_t msg_size);

/* The same for `len` bytes of any content (a PNG picture). */
int cli_outputs_write_data(cli_outputs *set, const char *target, const void *data, size_t len,
                           char *msg, size_t msg_size);

/* Writes an image (the error map) to a staged file for `target`, as a Slicer segmentation of
 * these segments when segments is not NULL. Returns 0, or -1 with a sentence naming `what` and
 * target in msg. */
int cli_outputs_write_image(cli_outputs *set, const char *target, const char *what,
                            const lobedice_image *image, const lobedice_segment *segments,
                            size_t nsegments, char *msg, size_t msg_size);

/* A staged file for `target` (owned by the set) for a writer of its own to fill, such as the
 * pictures'; NULL with a sentence in msg when the folder takes no new file. */
const char *cli_outputs_stage(cli_outputs *set, const char *target, char *msg, size_t msg_size);

/* Renames every staged file onto its target. Returns 0, or -1 with a sentence in msg (every
 * target then is as it was before the run). */
int cli_outputs_commit(cli_outputs *set, char *msg, size_t msg_size);

/* Removes every staged file not committed and frees the set (NULL allowed). */
void cli_outputs_free(cli_outputs *set);

#ifdef __cplusplus
}
#endif

#endif
