/* LobeDice command line: the options, parsed with getopt_long the way Slicer passes them
 * (docs/cli.md and the Slicer CLI contract). Parsing only: nothing here reads an image. */
#ifndef LOBEDICE_CLI_OPTIONS_H
#define LOBEDICE_CLI_OPTIONS_H

#include "lobedice/lobedice.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses: 1 for a failed run (unreadable file, bad image), 2 for a usage error. */
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

typedef enum cli_action { CLI_RUN = 0, CLI_HELP, CLI_VERSION, CLI_XML } cli_action;

/* Where the snapshot's slices cross (--snapshotAt). */
typedef enum cli_snapshot_at {
    CLI_AT_WORST = 0, /* lobedice_disagreement_peak */
    CLI_AT_CENTER = 1,
    CLI_AT_VOXEL = 2 /* snapshot_voxel */
} cli_snapshot_at;

/* A union of labels reported like a label ("RightLung=1+2+3"). */
typedef struct cli_region {
    char *name;
    int64_t *labels;
    size_t nlabels;
} cli_region;

/* How one input's values become labels: --referenceLabels / --predictedLabels (a preset, or on
 * the command line VALUE=LOBE pairs) or --referenceLabelMap / --predictedLabelMap. */
typedef struct cli_labels {
    lobedice_label_convention convention; /* in force once cli_parse is done */
    lobedice_label_convention preset, map;
    int preset_given; /* --xLabels named another than the XML default */
    int map_given;    /* --xLabelMap was not empty */
} cli_labels;

typedef struct cli_options {
    cli_action action;
    const char *reference_path; /* index 0 */
    const char *predicted_path; /* index 1 */

    int64_t *labels; /* --labels; NULL: every non-zero label in either map */
    size_t nlabels;
    char **label_names; /* --labelNames; NULL: defaults (cli_default_label_name) */
    size_t nlabel_names;
    cli_region *regions; /* --regions */
    size_t nregions;
    int regions_given; /* 1 when --regions named regions or "none" */

    int surface_distances; /* --surfaceDistances: absent means off (Slicer passes it when on) */
    double tolerance_mm;   /* --tolerance, default lobedice_surface_options_init's */
    lobedice_empty_policy empty_policy;
    size_t threads; /* --threads, 0 = every core */

    const char *output_table; /* .csv or .tsv */
    const char *output_json;
    const char *error_map;
    const char *return_parameter_file; /* --returnparameterfile: set by Slicer */
    int print_table;                   /* --printTable: the stdout table even with outputs */

    cli_labels reference_labels, predicted_labels;
    int allow_disjoint_labels;   /* --allowDisjointLabels */
    const char *distance_model;  /* --distanceModel: .vtk or .vtp */
    const char *reference_model; /* --referenceModel: .vtk or .vtp */
    const char *snapshot;        /* --snapshot: .png */
    const char *ct_path;         /* --ct: the CT under the snapshot */
    cli_snapshot_at snapshot_at; /* --snapshotAt */
    uint64_t snapshot_voxel[3];  /* with CLI_AT_VOXEL */
} cli_options;

/* Parses argv into opts (which it initialises). Returns 0, or CLI_EXIT_USAGE with one sentence
 * (no trailing newline) in msg. For --help, --version and --xml, opts->action says so and the
 * positional arguments are not required. The strings in opts point into argv or are owned by
 * opts: release them with cli_options_free. */
int cli_parse(cli_options *opts, int argc, char **argv, char *msg, size_t msg_size);

/* Checks the output paths: extensions (.csv/.tsv table; .nrrd, .nii, .nii.gz or .mha error
 * map; .vtk or .vtp models; .png snapshot), no output equal to an input or to another output
 * (including the schema and colour table written beside the table and the map): CLI_EXIT_USAGE with
 * a sentence; an output that is an existing folder or whose folder does not exist: CLI_EXIT_FAILURE
 * with a sentence. Returns 0 when all is well. */
int cli_check_paths(const cli_options *opts, char *msg, size_t msg_size);

void cli_options_free(cli_options *opts);

void cli_regions_free(cli_region *regions, size_t nregions);

/* ---- The comparison flags, shared with lobedice-batch ---------------------------------------
 * Every input flag of LobeDice.xml that says what is compared: all but --threads, --printTable,
 * --snapshotAt and --ct (settings of one LobeDice run and its pictures) and the outputs; a flag
 * added to the XML later is one of them unless it is excluded here. */
struct cli_flag;
int cli_is_comparison_flag(const struct cli_flag *flag);

/* Initialises opts with the XML defaults of the comparison flags. Returns 0 or CLI_EXIT_USAGE
 * with a sentence. */
int cli_comparison_init(cli_options *opts, char *msg, size_t msg_size);

/* Writes the getopt_long entries of the comparison flags into out (room for cli_nflags
 * entries), each with the code code_base + the flag's index in cli_flags; returns how many. */
struct option;
size_t cli_comparison_options(struct option *out, int code_base);

/* Parses the value of the flag cli_flags[index] into opts, as cli_parse does. Returns 0 or
 * CLI_EXIT_USAGE with a sentence. */
int cli_parse_flag(cli_options *opts, size_t index, const char *arg, char *msg, size_t msg_size);

/* The rules across comparison flags (--labelNames needs --labels and as many names) and the
 * label conventions resolved (cli_labels_resolve), once every flag is parsed. Returns 0 or
 * CLI_EXIT_USAGE with a sentence. */
int cli_check_comparison(cli_options *opts, char *msg, size_t msg_size);

/* The schema path beside a table: "<stem>.schema.csv" for "<stem>.csv" (malloc'd, NULL when
 * out of memory or when the extension is not .csv/.tsv). */
char *cli_schema_path(const char *table_path);

/* ',' for a .csv table, '\t' for a .tsv one. */
char cli_table_separator(const char *table_path);

/* The colour table beside an error map: "<stem>.ctbl" for "<stem>.nrrd" (or .nii, .nii.gz,
 * .mha); malloc'd, NULL when the extension is not one of them. */
char *cli_color_table_path(const char *map_path);

/* The usage text printed by --help, made from the XML's parameters (cli_flags.h). */
void cli_print_help(FILE *out);

/* 0 when every flagged parameter of the XML has a parser here; otherwise CLI_EXIT_USAGE with a
 * sentence naming the first that has none (cli_parse checks it first). */
int cli_flags_check(char *msg, size_t size);

#ifdef __cplusplus
}
#endif

#endif
