/* The label-value flags of the command line (--referenceLabels, --predictedLabels, their
 * --...LabelMap forms) and the sentences that go with them: a value that does not parse, a
 * convention given for a Slicer segmentation, and the core's label check (lobedice_labels_check)
 * when a run stops. The conventions and the check themselves are the core's. */
#ifndef LOBEDICE_CLI_LABELS_H
#define LOBEDICE_CLI_LABELS_H

#include "cli_options.h"
#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses one flag's value into labels: a preset or VALUE=LOBE pairs (the map form: is_map).
 * An empty value means the XML default (default_value) or, for a map, not given. Returns 0 or
 * CLI_EXIT_USAGE with one sentence naming --longflag, the value and what is wrong. */
int cli_labels_parse(cli_labels *labels, const char *longflag, const char *arg, int is_map,
                     const char *default_value, char *msg, size_t size);

/* Sets labels->convention once every flag is parsed; `input` is "reference" or "predicted"
 * (the flags' stem). Both a preset other than the default and a map: CLI_EXIT_USAGE. */
int cli_labels_resolve(cli_labels *labels, const char *input, char *msg, size_t size);

/* A Slicer segmentation is read by its segments' terminology and names, as lobedice values: a
 * convention given for it is a usage error (CLI_EXIT_USAGE, one sentence); 0 otherwise. role is
 * "the reference" or "the prediction". */
int cli_labels_check_segmentation(const cli_labels *labels, const char *input, const char *role,
                                  const char *path, const lobedice_segmentation *segmentation,
                                  char *msg, size_t size);

/* The sentence for a run the core's check stopped (lobedice_compare gave LOBEDICE_ECONVENTION):
 * which values fit which preset, and the flag to add. */
void cli_labels_mismatch(char *msg, size_t size, const lobedice_label_check *check,
                         const cli_options *opts, const char *reference_path,
                         const char *predicted_path);

/* "10 LUL, 11 LLL, 12 RUL, 13 RML, 14 RLL" for a map (sorted by value), "every value is its own
 * label" for the identity. */
void cli_labels_describe(char *buf, size_t size, const lobedice_label_convention *convention);

#ifdef __cplusplus
}
#endif

#endif
