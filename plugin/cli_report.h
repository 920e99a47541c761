/* LobeDice reports: the JSON report (jansson), the table with its Slicer schema, the return
 * parameters, the colour table of the error map and the table printed for a person. Every
 * value comes from the core; this module only aggregates with the core's helpers and formats. */
#ifndef LOBEDICE_CLI_REPORT_H
#define LOBEDICE_CLI_REPORT_H

#include "cli_options.h"
#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_image_info {
    const char *path;
    size_t size[3];
    double spacing[3];
    double origin[3];
} cli_image_info;

/* One reported row: a label, or a region (a union of labels measured as one mask). Its
 * measures are the report's overlaps[i] and surfaces[i]. */
typedef struct cli_row {
    const char *name;
    int is_region;
    int64_t label;         /* label rows */
    const int64_t *labels; /* region rows: the labels of the union */
    size_t nlabels;
} cli_row;

typedef struct cli_report {
    const char *version;
    cli_image_info reference, predicted;
    lobedice_alignment alignment;
    cli_empty_policy empty_policy;
    double tolerance_mm;
    int distances; /* surface distances computed */
    cli_row *rows; /* nlabels label rows, then nregions region rows */
    size_t nlabels, nregions;
    /* One per row, from lobedice_overlap_sets and lobedice_surface_distances_sets (surfaces is
     * read only when distances were computed). cli_report_finish applies the empty-label policy
     * to overlaps in place. */
    lobedice_label_overlap *overlaps;
    const lobedice_label_surface *surfaces;

    /* Aggregates over the label rows (cli_report_finish). */
    lobedice_overlap_summary summary;
    double mean_hd, mean_hd95, mean_assd, mean_nsd;
    size_t n_hd, n_hd95, n_assd, n_nsd;
} cli_report;

/* Applies the empty-label policy to the Dice and Jaccard of rows absent from both maps, and
 * computes the aggregates. Returns a lobedice_status. */
int cli_report_finish(cli_report *report);

/* Each of these returns a malloc'd NUL-terminated text, or NULL when out of memory. */
char *cli_report_json(const cli_report *report);
char *cli_report_table(const cli_report *report, char separator);
char *cli_report_schema(const cli_report *report, char separator);
/* "meanDice = ...\nmeanHD95 = ...\nsummary = ...\n": no blank line, "\n" only; an undefined
 * value (no distances, or no defined Dice) is written empty, as Slicer passes empty numbers. */
char *cli_report_return_parameters(const cli_report *report);
/* "RUL 0.976, RML 0.951, ..." (label rows; "undefined" where Dice is). */
char *cli_report_summary_line(const cli_report *report);
/* Slicer colour table naming every value of the disagreement map of the label rows; the values
 * come from lobedice_disagreement_map itself. */
char *cli_report_color_table(const cli_report *report);

/* The table for a person: aligned columns, regions, means and two lines of notes. */
void cli_report_print(FILE *out, const cli_report *report);

/* The shortest of %.15g, %.16g, %.17g that reads back as v; "" for NaN. */
const char *cli_format_double(char *buf, size_t size, double v);

/* "identical", "placed" or "resampled". */
const char *cli_alignment_name(lobedice_alignment alignment);
/* "present", "missing_in_prediction", "missing_in_reference" or "absent". */
const char *cli_presence_name(lobedice_presence presence);
/* "nan", "one" or "zero". */
const char *cli_empty_policy_name(cli_empty_policy policy);

#ifdef __cplusplus
}
#endif

#endif
