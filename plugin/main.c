/* LobeDice: the Slicer CLI module and command-line tool. Parses the arguments, reads the two
 * label maps with lobedice_io, asks the core for every measure, and writes the reports; no
 * algorithm lives here. Outputs are written only when everything else succeeded. */
#define _POSIX_C_SOURCE 200809L
#include "cli_options.h"
#include "cli_output.h"
#include "cli_report.h"
#include "cli_signals.h"
#include "cli_text.h"
#include "lobedice/lobedice.h"
#include "lobedice/lobedice_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The module description, embedded at build time from plugin/LobeDice.xml. */
extern const unsigned char lobedice_cli_xml[];
extern const size_t lobedice_cli_xml_size;

#define MSG_SIZE 2048

static int print_xml(void)
{
    return fwrite(lobedice_cli_xml, 1, lobedice_cli_xml_size, stdout) == lobedice_cli_xml_size &&
                   fflush(stdout) == 0
               ? 0
               : CLI_EXIT_FAILURE;
}

/* One line on standard error: "LobeDice: <sentence>.", valid UTF-8 whatever the user typed. */
static void print_error(const char *msg)
{
    char line[4 * MSG_SIZE];
    cli_text_escape_into(line, sizeof line, msg);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '.' || line[n - 1] == ' '))
        n--;
    fprintf(stderr, "LobeDice: %.*s.\n", (int)n, line);
}

/* ---- progress (Slicer reads <filter-progress> lines from standard output) ----------------- */

typedef struct progress {
    int enabled;
    double from, to; /* the range a sub-step's fraction maps to */
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

static void surface_progress(void *user, double fraction)
{
    progress *p = user;
    progress_report(p, p->from + (p->to - p->from) * fraction, NULL);
}

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct run_state {
    lobedice_image *reference, *predicted, *error_map;
    int64_t *labels;
    size_t nlabels;
    char **names; /* names[i] for labels[i]; the strings are owned by names_storage or opts */
    char *names_storage;
    cli_region *default_regions;
    size_t ndefault_regions;
    lobedice_dtype map_dtype; /* of the error map, when asked for */
    lobedice_label_set *sets;
    lobedice_label_overlap *overlaps;
    lobedice_label_surface *surfaces;
    cli_row *rows;
    cli_outputs *outputs;
    char *schema_path, *color_path;
    char *texts[5];
} run_state;

typedef struct output_text {
    const char *target;
    char *text;
} output_text;

static void run_state_free(run_state *s)
{
    lobedice_image_free(s->reference);
    lobedice_image_free(s->predicted);
    lobedice_image_free(s->error_map);
    free(s->labels);
    free(s->names);
    free(s->names_storage);
    cli_regions_free(s->default_regions, s->ndefault_regions);
    free(s->sets);
    free(s->overlaps);
    free(s->surfaces);
    free(s->rows);
    cli_outputs_free(s->outputs);
    free(s->schema_path);
    free(s->color_path);
    for (size_t i = 0; i < sizeof s->texts / sizeof *s->texts; i++)
        free(s->texts[i]);
}

/* lobedice_strerror's sentence as a clause ("memory could not be allocated"), so that a message
 * built around it stays one sentence. */
static const char *status_reason(char *buf, size_t size, lobedice_status st)
{
    snprintf(buf, size, "%s", lobedice_strerror(st));
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '.')
        buf[n - 1] = '\0';
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

static int fail(char *msg, size_t size, const char *what, lobedice_status st)
{
    char reason[160];
    snprintf(msg, size, "%s failed: %s", what, status_reason(reason, sizeof reason, st));
    return CLI_EXIT_FAILURE;
}

/* The reason in a lobedice_io message, whose format is fixed: "<context>: <reason>." (the
 * context names the path the call was given). Falls back to the status when the message does
 * not have that form. */
static const char *io_reason(char *buf, size_t size, const char *why, const char *context,
                             lobedice_status st)
{
    size_t n = strlen(context);
    if (strncmp(why, context, n) != 0 || strncmp(why + n, ": ", 2) != 0 || !why[n + 2])
        return status_reason(buf, size, st);
    snprintf(buf, size, "%s", why + n + 2);
    n = strlen(buf);
    if (n && buf[n - 1] == '.')
        buf[n - 1] = '\0';
    return buf;
}

static int read_image(lobedice_image **image, const char *path, const char *role, char *msg,
                      size_t size)
{
    char why[MSG_SIZE] = "", context[MSG_SIZE], reason[MSG_SIZE];
    lobedice_status st = lobedice_image_read(image, path, why, sizeof why);
    if (st == LOBEDICE_OK)
        return 0;
    snprintf(context, sizeof context, "Cannot read '%s'", path);
    snprintf(msg, size, "cannot read %s '%s': %s", role, path,
             io_reason(reason, sizeof reason, why, context, st));
    return CLI_EXIT_FAILURE;
}

static void describe(cli_image_info *info, const char *path, const lobedice_image *image)
{
    info->path = path;
    for (int a = 0; a < 3; a++) {
        info->size[a] = image->volume.size[a];
        info->spacing[a] = image->volume.spacing[a];
        info->origin[a] = image->origin[a];
    }
}

/* Every non-zero label present in either map, ascending. */
static int labels_in_maps(run_state *s, size_t threads, char *msg, size_t size)
{
    size_t capacity = 256, count = 0;
    for (;;) {
        free(s->labels);
        s->labels = malloc(capacity * sizeof *s->labels);
        if (!s->labels)
            return fail(msg, size, "listing the labels", LOBEDICE_ENOMEM);
        lobedice_status st = lobedice_labels_union(
            s->labels, capacity, &count, &s->reference->volume, &s->predicted->volume, threads);
        if (st != LOBEDICE_OK)
            return fail(msg, size, "listing the labels", st);
        if (count <= capacity)
            break;
        capacity = count;
    }
    size_t n = 0; /* without the background */
    for (size_t i = 0; i < count; i++)
        if (s->labels[i] != 0)
            s->labels[n++] = s->labels[i];
    s->nlabels = n;
    return 0;
}

/* The error map codes at most 99 labels (lobedice_disagreement_map); its dtype says whether
 * these fit. Checked before any measuring. A usage error when --labels gave them. */
static int choose_map_dtype(run_state *s, const cli_options *opts, char *msg, size_t size)
{
    if (lobedice_disagreement_dtype(&s->map_dtype, s->nlabels) == LOBEDICE_OK)
        return 0;
    snprintf(msg, size,
             "--errorMap codes at most 99 labels, and %zu %s; choose at most 99 with --labels",
             s->nlabels, opts->labels ? "were given with --labels" : "were found in the maps");
    return opts->labels ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

static int choose_names(run_state *s, const cli_options *opts, char *msg, size_t size)
{
    enum { NAME_SIZE = 32 };
    s->names = calloc(s->nlabels ? s->nlabels : 1, sizeof *s->names);
    s->names_storage = malloc((s->nlabels ? s->nlabels : 1) * NAME_SIZE);
    if (!s->names || !s->names_storage)
        return fail(msg, size, "naming the labels", LOBEDICE_ENOMEM);
    for (size_t i = 0; i < s->nlabels; i++) {
        if (opts->label_names) {
            s->names[i] = opts->label_names[i];
        } else {
            s->names[i] = s->names_storage + i * NAME_SIZE;
            cli_default_label_name(s->labels[i], s->names[i], NAME_SIZE);
        }
    }
    return 0;
}

/* The rows: one per label, then one per region, with a label set each for the core. */
static int build_rows(run_state *s, const cli_region *regions, size_t nregions, char *msg,
                      size_t size)
{
    size_t n = s->nlabels + nregions;
    s->sets = calloc(n ? n : 1, sizeof *s->sets);
    s->rows = calloc(n ? n : 1, sizeof *s->rows);
    s->overlaps = calloc(n ? n : 1, sizeof *s->overlaps);
    s->surfaces = calloc(n ? n : 1, sizeof *s->surfaces);
    if (!s->sets || !s->rows || !s->overlaps || !s->surfaces)
        return fail(msg, size, "preparing the report", LOBEDICE_ENOMEM);
    for (size_t i = 0; i < s->nlabels; i++) {
        s->sets[i] = (lobedice_label_set){(int64_t)i, &s->labels[i], 1};
        s->rows[i] = (cli_row){.name = s->names[i], .label = s->labels[i]};
    }
    for (size_t r = 0; r < nregions; r++) {
        size_t i = s->nlabels + r;
        s->sets[i] = (lobedice_label_set){(int64_t)i, regions[r].labels, regions[r].nlabels};
        s->rows[i] = (cli_row){.name = regions[r].name,
                               .is_region = 1,
                               .labels = regions[r].labels,
                               .nlabels = regions[r].nlabels};
    }
    return 0;
}

static int make_error_map(run_state *s, size_t threads, char *msg, size_t size)
{
    const lobedice_image *ref = s->reference;
    const lobedice_dtype dtype = s->map_dtype; /* unsigned char up to 9 labels */
    lobedice_status st = lobedice_image_new(&s->error_map, dtype, ref->volume.size,
                                            ref->volume.spacing, ref->origin, ref->direction);
    if (st != LOBEDICE_OK)
        return fail(msg, size, "creating the error map", st);
    s->error_map->dimension = ref->dimension;
    st = lobedice_disagreement_map(lobedice_image_buffer(s->error_map), dtype, &ref->volume,
                                   &s->predicted->volume, s->labels, s->nlabels, threads);
    if (st != LOBEDICE_OK)
        return fail(msg, size, "computing the error map", st);
    return 0;
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
        return fail(msg, size, "preparing the outputs", LOBEDICE_ENOMEM);
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
            rc = fail(msg, size, "formatting the reports", LOBEDICE_ENOMEM);
    }
    for (size_t i = 0; rc == 0 && i < nfiles; i++)
        if (cli_outputs_write_text(s->outputs, files[i].target, files[i].text, msg, size) != 0)
            rc = CLI_EXIT_FAILURE;
    if (rc == 0 && opts->error_map &&
        cli_outputs_write_image(s->outputs, opts->error_map, "the error map", s->error_map, msg,
                                size) != 0)
        rc = CLI_EXIT_FAILURE;
    if (rc == 0 && cli_outputs_commit(s->outputs, msg, size) != 0)
        rc = CLI_EXIT_FAILURE;
    return rc;
}

static int run(const cli_options *opts, char *msg, size_t size)
{
    run_state s;
    memset(&s, 0, sizeof s);
    progress prog = {opts->return_parameter_file != NULL, 0, 1};
    int rc = 0;
    if (prog.enabled) {
        printf("<filter-name>LobeDice</filter-name>\n");
        progress_report(&prog, 0.0, "Reading the reference");
    }

    rc = read_image(&s.reference, opts->reference_path, "the reference", msg, size);
    if (rc == 0) {
        progress_report(&prog, 0.15, "Reading the prediction");
        rc = read_image(&s.predicted, opts->predicted_path, "the prediction", msg, size);
    }
    cli_report report;
    memset(&report, 0, sizeof report);
    if (rc == 0) {
        describe(&report.reference, opts->reference_path, s.reference);
        describe(&report.predicted, opts->predicted_path, s.predicted);
        progress_report(&prog, 0.3, "Aligning the prediction");
        char why[MSG_SIZE] = "", reason[MSG_SIZE];
        lobedice_status st =
            lobedice_image_align(&s.predicted, &report.alignment, s.reference, why, sizeof why);
        if (st != LOBEDICE_OK) {
            snprintf(msg, size, "cannot compare '%s' with '%s': %s", opts->predicted_path,
                     opts->reference_path,
                     io_reason(reason, sizeof reason, why, "Cannot align the images", st));
            rc = CLI_EXIT_FAILURE;
        }
    }

    if (rc == 0) {
        progress_report(&prog, 0.35, "Overlap");
        if (opts->labels) {
            s.labels = malloc(opts->nlabels * sizeof *s.labels);
            if (!s.labels)
                rc = fail(msg, size, "listing the labels", LOBEDICE_ENOMEM);
            else
                memcpy(s.labels, opts->labels, opts->nlabels * sizeof *s.labels);
            s.nlabels = opts->nlabels;
        } else {
            rc = labels_in_maps(&s, opts->threads, msg, size);
        }
    }
    if (rc == 0 && opts->error_map)
        rc = choose_map_dtype(&s, opts, msg, size);
    if (rc == 0)
        rc = choose_names(&s, opts, msg, size);
    const cli_region *regions = opts->regions;
    size_t nregions = opts->nregions;
    if (rc == 0 && !opts->regions_given) {
        if (cli_default_regions(&s.default_regions, &s.ndefault_regions, s.labels, s.nlabels))
            rc = fail(msg, size, "preparing the regions", LOBEDICE_ENOMEM);
        regions = s.default_regions;
        nregions = s.ndefault_regions;
    }
    if (rc == 0)
        rc = build_rows(&s, regions, nregions, msg, size);

    const size_t nsets = s.nlabels + nregions;
    if (rc == 0) {
        lobedice_status st = lobedice_overlap_sets(
            s.overlaps, &s.reference->volume, &s.predicted->volume, s.sets, nsets, opts->threads);
        if (st != LOBEDICE_OK)
            rc = fail(msg, size, "measuring the overlap", st);
    }
    if (rc == 0 && opts->surface_distances) {
        progress_report(&prog, 0.45, "Surface distances");
        lobedice_surface_options sopts;
        lobedice_surface_options_init(&sopts);
        sopts.tolerance_mm = opts->tolerance_mm;
        sopts.threads = opts->threads;
        prog.from = 0.45;
        prog.to = 0.85;
        if (prog.enabled) {
            sopts.progress = surface_progress;
            sopts.progress_user = &prog;
        }
        lobedice_status st = lobedice_surface_distances_sets(
            s.surfaces, &s.reference->volume, &s.predicted->volume, s.sets, nsets, &sopts);
        if (st != LOBEDICE_OK)
            rc = fail(msg, size, "measuring the surface distances", st);
    }
    if (rc == 0) {
        report.version = lobedice_version();
        report.empty_policy = opts->empty_policy;
        report.tolerance_mm = opts->tolerance_mm;
        report.distances = opts->surface_distances;
        report.rows = s.rows;
        report.nlabels = s.nlabels;
        report.nregions = nregions;
        report.overlaps = s.overlaps;
        report.surfaces = s.surfaces;
        lobedice_status st = cli_report_finish(&report);
        if (st != LOBEDICE_OK)
            rc = fail(msg, size, "summarising", st);
    }
    if (rc == 0 && opts->error_map) {
        progress_report(&prog, 0.88, "Error map");
        rc = make_error_map(&s, opts->threads, msg, size);
    }
    if (rc == 0) {
        progress_report(&prog, 0.92, "Writing");
        rc = write_outputs(&s, opts, &report, msg, size);
    }
    if (rc == 0) {
        if ((!opts->output_json && !opts->output_table) || opts->print_table)
            cli_report_print(stdout, &report);
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
        print_error(msg);
    cli_options_free(&opts);
    return rc;
}
