/* LobeDice reports: the JSON report (jansson), the table with its Slicer schema, the return
 * parameters, the colour table of the error map and the table printed for a person. Every
 * number, name and measure comes from the core's comparison (lobedice_compare); this module
 * only formats. */
#ifndef LOBEDICE_CLI_REPORT_H
#define LOBEDICE_CLI_REPORT_H

#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <jansson.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cli_image_info {
    const char *path;
    size_t size[3];
    double spacing[3];
    double origin[3];
    const lobedice_segmentation *segmentation; /* a Slicer segmentation's segments, or NULL */
} cli_image_info;

typedef struct cli_report {
    const char *version;
    cli_image_info reference, predicted;
    lobedice_alignment alignment;
    const lobedice_comparison *comparison;
} cli_report;

/* JSON building blocks shared by every JSON LobeDice writes: a number, or null where it is
 * undefined (NaN); and object[key] = value, stealing value's reference, false when value is NULL
 * (an allocation failed) or the set fails. */
json_t *cli_json_number(double v);
int cli_json_set(json_t *object, const char *key, json_t *value);
/* Every measure, in lobedice_measure order. */
#define CLI_FOR_EACH_MEASURE(m)                                                                    \
    for (lobedice_measure m = (lobedice_measure)0; m < LOBEDICE_MEASURE_COUNT;                     \
         m = (lobedice_measure)(m + 1))

/* Whether the tables show measure m: every one, the surface measures only when computed. */
int cli_measure_reported(lobedice_measure m, int surface_distances);

/* A measure's value as a table cell: a count as an integer, anything else as cli_format_double
 * ("" where it is undefined). */
void cli_format_measure(char *buf, size_t size, lobedice_measure m, double v);

/* "1+2+3" (malloc'd; NULL when out of memory). */
char *cli_labels_text(const int64_t *labels, size_t n);

/* A measure's value: a count as an integer, anything else as cli_json_number. */
json_t *cli_json_measure(lobedice_measure m, double v);
/* The text of o as a file holds it: `indent` spaces, every double to 17 digits, a final newline
 * (malloc'd; NULL for a NULL o or when out of memory). o is not released. */
char *cli_json_text(const json_t *o, int indent);

/* Each of these returns a malloc'd NUL-terminated text, or NULL when out of memory. */
char *cli_report_json(const cli_report *report);
char *cli_report_table(const cli_report *report, char separator);
char *cli_report_schema(const cli_report *report, char separator);
/* "meanDice = ...\nmeanHD95 = ...\nsummary = ...\n": no blank line, "\n" only; an undefined
 * value (no distances, or no defined Dice) is written empty, as Slicer passes empty numbers. */
char *cli_report_return_parameters(const cli_report *report);
/* "RUL 0.976, RML 0.951, ..." (label rows; "undefined" where Dice is). */
char *cli_report_summary_line(const cli_report *report);
/* Slicer colour table naming every value of the disagreement map of the label rows (the codes
 * and their kinds come from lobedice_disagreement_code). */
char *cli_report_color_table(const cli_report *report);

/* The segments of the disagreement map written as a Slicer segmentation: one per code present
 * (counts: the map's lobedice_value_counts; 0, agreement on background, has none), named and
 * coloured as in the colour table ("RML predicted as RLL"). Returns 0, or -1 when out of
 * memory. */
typedef struct cli_segments {
    lobedice_segment *segments;
    size_t count;
    char *names; /* the segments' names point here */
} cli_segments;
int cli_report_error_map_segments(cli_segments *out, const lobedice_comparison *comparison,
                                  const lobedice_value_count *counts, size_t ncounts);
void cli_segments_free(cli_segments *segments);

/* The table for a person: aligned columns, regions, means and a few lines of notes. */
void cli_report_print(FILE *out, const cli_report *report);

/* The shortest of %.15g, %.16g, %.17g that reads back as v; "" for NaN. */
const char *cli_format_double(char *buf, size_t size, double v);

/* A table cell as every table here writes it: quoted (CSV) when it holds the separator, a
 * quote or a newline. malloc'd; NULL when out of memory. */
char *cli_csv_cell(const char *s, char separator);

/* "identical", "placed" or "resampled". */
const char *cli_alignment_name(lobedice_alignment alignment);

#ifdef __cplusplus
}
#endif

#endif
