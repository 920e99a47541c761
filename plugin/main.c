/* LobeDice: the Slicer CLI module and command-line tool. Parses the arguments, reads the two
 * label maps with lobedice_io, asks the core for every measure, and writes the reports; no
 * algorithm lives here. Outputs are written only when everything else succeeded. */
#define _POSIX_C_SOURCE 200809L
#include "cli_case.h"
#include "cli_flags.h"
#include "cli_labels.h"
#include "cli_options.h"
#include "cli_output.h"
#include "cli_pictures.h"
#include "cli_report.h"
#include "cli_signals.h"
#include "cli_text.h"
#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MSG_SIZE 2048

static int print_xml(void)
{
    return fwrite(lobedice_cli_xml, 1, lobedice_cli_xml_size, stdout) == lobedice_cli_xml_size &&
                   fflush(stdout) == 0
               ? 0
               : CLI_EXIT_FAILURE;
}

/* ---- progress (Slicer reads <filter-progress> lines from standard output) ----------------- */

typedef struct progress {
    int enabled;
} progress;

static void progress_report(progress *p, double fraction, const char *comment)
{
    if (!p->enabled)
        return;
    if (comment)
        printf("<filter-comment>%s</filter-comment>\n", comment);
    printf("<filter-progress>%.4f</filter-progress>\n", fraction);
    fflush(stdout);
}

/* cli_case's steps, as Slicer's progress lines. */
static void case_progress(void *user, double fraction, const char *comment)
{
    progress_report(user, fraction, comment);
}

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct run_state {
    cli_case input; /* the two maps and their comparison */
    lobedice_image *error_map;
    lobedice_real_image *ct;
    cli_outputs *outputs;
    char *schema_path, *color_path;
    char *texts[5];
    cli_segments error_segments; /* the error map's classes, when it is written as NRRD */
} run_state;

typedef struct output_text {
    const char *target;
    char *text;
} output_text;

static void run_state_free(run_state *s)
{
    cli_case_free(&s->input);
    lobedice_image_free(s->error_map);
    lobedice_real_image_free(s->ct);
    cli_outputs_free(s->outputs);
    free(s->schema_path);
    free(s->color_path);
    cli_segments_free(&s->error_segments);
    for (size_t i = 0; i < sizeof s->texts / sizeof *s->texts; i++)
        free(s->texts[i]);
}

/* The error map codes at most 99 labels (lobedice_disagreement_map); a usage error when
 * --labels named more. */
static int make_error_map(run_state *s, const cli_options *opts, char *msg, size_t size)
{
    const lobedice_compare_options *co = lobedice_comparison_options(s->input.comparison);
    lobedice_dtype dtype;
    if (lobedice_disagreement_dtype(&dtype, co->nlabels) != LOBEDICE_OK) {
        snprintf(msg, size,
                 "--errorMap codes at most %d labels, and %zu %s; choose at most %d with --labels",
                 LOBEDICE_DISAGREEMENT_MAX_LABELS, co->nlabels,
                 opts->labels ? "were given with --labels" : "were found in the maps",
                 LOBEDICE_DISAGREEMENT_MAX_LABELS);
        return opts->labels ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    const lobedice_image *ref = s->input.reference;
    lobedice_status st = lobedice_image_new(&s->error_map, dtype, ref->volume.size,
                                            ref->volume.spacing, ref->origin, ref->direction);
    if (st != LOBEDICE_OK)
        return cli_fail_status(msg, size, "creating the error map", st);
    s->error_map->dimension = ref->dimension;
    st = lobedice_comparison_disagreement_map(lobedice_image_buffer(s->error_map), dtype,
                                              s->input.comparison, &ref->volume,
                                              &s->input.predicted->volume, opts->threads);
    if (st != LOBEDICE_OK)
        return cli_fail_status(msg, size, "computing the error map", st);
    /* As NRRD it is also a Slicer segmentation: a segment per class present, named and
     * coloured, so that a Segmentation node chosen for it in Slicer shows them. */
    const size_t n = strlen(opts->error_map);
    if (n < 5 || strcasecmp(opts->error_map + n - 5, ".nrrd") != 0)
        return 0;
    lobedice_value_count counts[LOBEDICE_DISAGREEMENT_SMALL_BASE * 2 + 1];
    lobedice_value_count *all = counts;
    size_t ncounts = 0;
    st = lobedice_value_counts(counts, sizeof counts / sizeof *counts, &ncounts,
                               &s->error_map->volume, opts->threads);
    if (st == LOBEDICE_OK && ncounts > sizeof counts / sizeof *counts) {
        all = malloc(ncounts * sizeof *all); /* a short map with many classes */
        st = all ? lobedice_value_counts(all, ncounts, &ncounts, &s->error_map->volume,
                                         opts->threads)
                 : LOBEDICE_ENOMEM;
    }
    if (st == LOBEDICE_OK &&
        cli_report_error_map_segments(&s->error_segments, s->input.comparison, all, ncounts) != 0)
        st = LOBEDICE_ENOMEM;
    if (all != counts)
        free(all);
    return st == LOBEDICE_OK ? 0 : cli_fail_status(msg, size, "naming the error map's classes", st);
}

/* *out = NULL when conv is the identity (the map's values are its labels), else a new
 * unsigned char image of the map's labels under conv (lobedice_convention_apply). */
static int labels_image(lobedice_image **out, const lobedice_image *map,
                        const lobedice_label_convention *conv, size_t threads, char *msg,
                        size_t size)
{
    *out = NULL;
    if (!conv || conv->identity)
        return 0;
    lobedice_status st = lobedice_image_new(out, LOBEDICE_UINT8, map->volume.size,
                                            map->volume.spacing, map->origin, map->direction);
    if (st == LOBEDICE_OK) {
        (*out)->dimension = map->dimension;
        st = lobedice_convention_apply(lobedice_image_buffer(*out), LOBEDICE_UINT8, &map->volume,
                                       conv, threads);
    }
    return st == LOBEDICE_OK
               ? 0
               : cli_fail_status(msg, size, "reading the labels for the pictures", st);
}

/* Writes every output to a temporary file, then renames them all; on failure nothing stays. */
static int write_outputs(run_state *s, const cli_options *opts, const cli_report *report, char *msg,
                         size_t size)
{
    s->outputs = cli_outputs_new();
    s->schema_path = opts->output_table ? cli_schema_path(opts->output_table) : NULL;
    s->color_path = opts->error_map ? cli_color_table_path(opts->error_map) : NULL;
    if (!s->outputs || (opts->output_table && !s->schema_path) ||
        (opts->error_map && !s->color_path))
        return cli_fail_status(msg, size, "preparing the outputs", LOBEDICE_ENOMEM);
    output_text files[5];
    size_t nfiles = 0;
    if (opts->output_json)
        files[nfiles++] = (output_text){opts->output_json, cli_report_json(report)};
    if (opts->output_table) {
        char sep = cli_table_separator(opts->output_table);
        files[nfiles++] = (output_text){opts->output_table, cli_report_table(report, sep)};
        files[nfiles++] = (output_text){s->schema_path, cli_report_schema(report, sep)};
    }
    if (opts->error_map)
        files[nfiles++] = (output_text){s->color_path, cli_report_color_table(report)};
    if (opts->return_parameter_file)
        files[nfiles++] =
            (output_text){opts->return_parameter_file, cli_report_return_parameters(report)};
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++) {
        s->texts[i] = files[i].text;
        if (rc == 0 && !files[i].text)
            rc = cli_fail_status(msg, size, "formatting the reports", LOBEDICE_ENOMEM);
    }
    for (size_t i = 0; rc == 0 && i < nfiles; i++)
        if (cli_outputs_write_text(s->outputs, files[i].target, files[i].text, msg, size) != 0)
            rc = CLI_EXIT_FAILURE;
    if (rc == 0 && opts->error_map &&
        cli_outputs_write_image(s->outputs, opts->error_map, "the error map", s->error_map,
                                s->error_segments.segments, s->error_segments.count, msg,
                                size) != 0)
        rc = CLI_EXIT_FAILURE;
    if (rc == 0 && (opts->distance_model || opts->reference_model || opts->snapshot)) {
        /* the pictures draw labels: each map as the comparison read it */
        const lobedice_compare_options *co = lobedice_comparison_options(s->input.comparison);
        lobedice_image *ref_labels = NULL, *pred_labels = NULL;
        rc = labels_image(&ref_labels, s->input.reference, co->ref_convention, opts->threads, msg,
                          size);
        if (rc == 0)
            rc = labels_image(&pred_labels, s->input.predicted, co->pred_convention, opts->threads,
                              msg, size);
        const cli_pictures pictures = {
            ref_labels ? ref_labels : s->input.reference,
            pred_labels ? pred_labels : s->input.predicted,
            s->ct,
            s->input.comparison,
            opts->reference_path,
            opts->predicted_path,
            opts->distance_model,
            opts->reference_model,
            opts->snapshot,
            opts->snapshot_at,
            {opts->snapshot_voxel[0], opts->snapshot_voxel[1], opts->snapshot_voxel[2]},
            opts->threads};
        if (rc == 0)
            rc = cli_pictures_write(&pictures, s->outputs, msg, size);
        lobedice_image_free(ref_labels);
        lobedice_image_free(pred_labels);
    }
    if (rc == 0 && cli_outputs_commit(s->outputs, msg, size) != 0)
        rc = CLI_EXIT_FAILURE;
    return rc;
}

/* parse (done) -> read -> align -> compare (cli_case) -> CT -> error map -> write. */
static int run(const cli_options *opts, char *msg, size_t size)
{
    run_state s;
    memset(&s, 0, sizeof s);
    progress prog = {opts->return_parameter_file != NULL};
    if (prog.enabled)
        printf("<filter-name>LobeDice</filter-name>\n");
    int rc = cli_case_run(&s.input, opts, opts->reference_path, opts->predicted_path, opts->threads,
                          prog.enabled ? case_progress : NULL, &prog, msg, size);
    if (rc == 0 && opts->ct_path) {
        char why[MSG_SIZE] = "";
        lobedice_status st = lobedice_real_image_read(&s.ct, opts->ct_path, why, sizeof why);
        if (st != LOBEDICE_OK)
            rc = cli_read_failed(msg, size, "the CT", opts->ct_path, why, st);
    }
    if (rc == 0 && opts->error_map) {
        progress_report(&prog, 0.88, "Error map");
        rc = make_error_map(&s, opts, msg, size);
    }
    if (rc == 0 && (opts->distance_model || opts->reference_model || opts->snapshot))
        progress_report(&prog, 0.9, "Surface models and snapshot");
    if (rc == 0) {
        progress_report(&prog, 0.92, "Writing");
        rc = write_outputs(&s, opts, &s.input.report, msg, size);
    }
    if (rc == 0) {
        if ((!opts->output_json && !opts->output_table) || opts->print_table)
            cli_report_print(stdout, &s.input.report);
        progress_report(&prog, 1.0, "Done");
        fflush(stdout);
    }
    run_state_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    /* Slicer asks for the description with argv[1] == "--xml" and reads standard output: print
     * it before anything else can be printed. */
    if (argc > 1 && strcmp(argv[1], "--xml") == 0)
        return print_xml();
    cli_signals_start(); /* before any thread: every thread inherits the blocked signals */

    cli_options opts;
    char msg[MSG_SIZE];
    int rc = cli_parse(&opts, argc, argv, msg, sizeof msg);
    if (rc == 0) {
        switch (opts.action) {
        case CLI_HELP: cli_print_help(stdout); break;
        case CLI_VERSION: printf("LobeDice %s\n", lobedice_version()); break;
        case CLI_XML: rc = print_xml(); break;
        case CLI_RUN:
            rc = cli_check_paths(&opts, msg, sizeof msg);
            if (rc == 0)
                rc = run(&opts, msg, sizeof msg);
            break;
        }
    }
    if (rc != 0 && msg[0])
        cli_text_print_sentence(stderr, "LobeDice", msg);
    cli_options_free(&opts);
    return rc;
}
