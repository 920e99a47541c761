/* The outputs of one run, written all or nothing: each output goes to a temporary file beside
 * its target; only when every one is written are they renamed into place. A file already at a
 * target is first renamed to a backup name beside it, put back if anything fails and removed
 * once every output is in place, so a failure at any point leaves the folder as it was. */
#ifndef LOBEDICE_CLI_OUTPUT_H
#define LOBEDICE_CLI_OUTPUT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_outputs cli_outputs;

cli_outputs *cli_outputs_new(void);

/* A temporary path for `target` in the same folder (".lobedice-<pid>-<n>-<name>": the extension
 * stays, so writers that choose the format by extension still work). The caller writes the
 * file there; the set owns the string. NULL when out of memory. */
const char *cli_outputs_reserve(cli_outputs *set, const char *target);

/* Writes `text` to a reserved temporary file for `target`. Returns 0, or -1 with a sentence in
 * msg. */
int cli_outputs_write_text(cli_outputs *set, const char *target, const char *text, char *msg,
                           size_t msg_size);

/* Moves each existing target to its backup name (".lobedice-<pid>-<n>-backup-<name>"), renames
 * every temporary file onto its target, then removes the backups. On failure, removes the
 * targets already renamed, restores the backups and returns -1 with a sentence in msg (which
 * also names a backup that could not be restored, left in place). */
int cli_outputs_commit(cli_outputs *set, char *msg, size_t msg_size);

/* Removes every temporary file not yet committed and frees the set (NULL allowed). */
void cli_outputs_free(cli_outputs *set);

#ifdef __cplusplus
}
#endif

#endif
