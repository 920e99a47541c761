/* One case as every front end of the command line runs it: read the reference and the
 * prediction (lobedice_io), check their segments against the label conventions, bring the
 * prediction onto the reference grid, and compare them with the options of the command line
 * (lobedice_compare, with the conventions' check and its sentence). LobeDice and lobedice-batch
 * both call this, so the same case gives the same numbers in both. */
#ifndef LOBEDICE_CLI_CASE_H
#define LOBEDICE_CLI_CASE_H

#include "cli_options.h"
#include "cli_report.h"

#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Progress of a case: called with the fraction done (0..0.85 for the steps here) and the step's
 * name, or NULL as the comment while the comparison advances. */
typedef void (*cli_case_progress)(void *user, double fraction, const char *comment);

typedef struct cli_case {
    lobedice_image *reference, *predicted; /* the prediction on the reference grid */
    lobedice_region *regions;              /* the regions handed to the core */
    lobedice_comparison *comparison;
    cli_report report; /* images, alignment and comparison, for the report writers */
} cli_case;

/* Reads, aligns and compares reference_path with predicted_path using `threads` threads and
 * the comparison flags of opts (labels, names, regions, measures). progress may be NULL.
 * Returns 0, or CLI_EXIT_FAILURE with one sentence naming the file or step in msg; release c
 * with cli_case_free in both cases. */
int cli_case_run(cli_case *c, const cli_options *opts, const char *reference_path,
                 const char *predicted_path, size_t threads, cli_case_progress progress, void *user,
                 char *msg, size_t size);

void cli_case_free(cli_case *c);

/* "<what> failed: <reason>" in msg for a core status; returns CLI_EXIT_FAILURE. */
int cli_fail_status(char *msg, size_t size, const char *what, lobedice_status st);

/* The reason in a lobedice_io message, whose format is fixed: "<context>: <reason>." (the
 * context names the path the call was given), without its final period. Falls back to the
 * status when the message does not have that form. */
const char *cli_io_reason(char *buf, size_t size, const char *why, const char *context,
                          lobedice_status st);

/* "cannot read <role> '<path>': <reason>" in msg for a failed lobedice_io read whose message
 * was `why`; returns CLI_EXIT_FAILURE. */
int cli_read_failed(char *msg, size_t size, const char *role, const char *path, const char *why,
                    lobedice_status st);

#ifdef __cplusplus
}
#endif

#endif
