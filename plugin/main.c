/* LobeDice: the Slicer CLI module and command-line tool. Parses the arguments, reads the two
 * label maps with lobedice_io, asks the core for every measure, and writes the reports; no
 * algorithm lives here. Outputs are written only when everything else succeeded. */
#define _POSIX_C_SOURCE 200809L
#include "cli_options.h"
#include "cli_output.h"
#include "cli_report.h"
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

/* One line on standard error: "LobeDice: <sentence>." */
static void print_error(const char *msg)
{
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.' || msg[n - 1] == ' '))
        n--;
    fprintf(stderr, "LobeDice: %.*s.\n", (int)n, msg);
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

static int fail(char *msg, size_t size, const char *what, lobedice_status st)
{
    snprintf(msg, size, "%s failed: %s", what, lobedice_strerror(st));
    return CLI_EXIT_FAILURE;
}

static int read_image(lobedice_image **image, const char *path, const char *role, char *msg,
                      size_t size)
{
    char why[MSG_SIZE] = "";
    lobedice_status st = lobedice_image_read(image, path, why, sizeof why);
    if (st == LOBEDICE_OK)
        return 0;
    if (why[0] && strstr(why, path)) /* lobedice_io's sentence names the file */
        snprintf(msg, size, "%s", why);
    else if (why[0])
        snprintf(msg, size, "cannot read %s '%s': %s", role, path, why);
    else
        snprintf(msg, size, "cannot read %s '%s': %s", role, path, lobedice_strerror(st));
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
    const lobedice_volume *vols[2] = {&s->reference->volume, &s->predicted->volume};
    int64_t *found[2] = {NULL, NULL};
    size_t count[2] = {0, 0};
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        size_t capacity = 256;
        for (;;) {
            free(found[k]);
            found[k] = malloc(capacity * sizeof *found[k]);
            if (!found[k]) {
                rc = fail(msg, size, "listing the labels", LOBEDICE_ENOMEM);
                break;
            }
            lobedice_status st =
                lobedice_labels_present(found[k], capacity, &count[k], vols[k], threads);
            if (st != LOBEDICE_OK) {
                rc = fail(msg, size, "listing the labels", st);
                break;
            }
            if (count[k] <= capacity)
                break;
            capacity = count[k];
        }
    }
    if (rc == 0) {
        s->labels = malloc((count[0] + count[1] + 1) * sizeof *s->labels);
        if (!s->labels)
            rc = fail(msg, size, "listing the labels", LOBEDICE_ENOMEM);
    }
    if (rc == 0) { /* merge two sorted lists, without 0 and without repeats */
        size_t i = 0, j = 0, n = 0;
        while (i < count[0] || j < count[1]) {
            int64_t v;
            if (j >= count[1] || (i < count[0] && found[0][i] <= found[1][j]))
                v = found[0][i++];
            else
                v = found[1][j++];
            if (v != 0 && (n == 0 || s->labels[n - 1] != v))
                s->labels[n++] = v;
        }
        s->nlabels = n;
    }
    free(found[0]);
    free(found[1]);
    return rc;
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
        s->rows[i].name = s->names[i];
        s->rows[i].label = s->labels[i];
    }
    for (size_t r = 0; r < nregions; r++) {
        size_t i = s->nlabels + r;
        s->sets[i] = (lobedice_label_set){(int64_t)i, regions[r].labels, regions[r].nlabels};
        s->rows[i].name = regions[r].name;
        s->rows[i].is_region = 1;
        s->rows[i].labels = regions[r].labels;
        s->rows[i].nlabels = regions[r].nlabels;
    }
    return 0;
}

static int make_error_map(run_state *s, size_t threads, char *msg, size_t size)
{
    const lobedice_image *ref = s->reference;
    lobedice_dtype dtype; /* unsigned char up to 9 labels: half the memory and the file */
    lobedice_status st = lobedice_disagreement_dtype(&dtype, s->nlabels);
    if (st == LOBEDICE_OK)
        st = lobedice_image_new(&s->error_map, dtype, ref->volume.size, ref->volume.spacing,
                                ref->origin, ref->direction);
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
    if (rc == 0 && opts->error_map) {
        const char *temp = cli_outputs_reserve(s->outputs, opts->error_map);
        char why[MSG_SIZE] = "";
        lobedice_status st =
            temp ? lobedice_image_write(s->error_map, temp, 0, why, sizeof why) : LOBEDICE_ENOMEM;
        if (st != LOBEDICE_OK) {
            snprintf(msg, size, "cannot write the error map '%s': %s", opts->error_map,
                     why[0] ? why : lobedice_strerror(st));
            rc = CLI_EXIT_FAILURE;
        }
    }
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
        lobedice_alignment how = LOBEDICE_ALIGN_IDENTICAL;
        char why[MSG_SIZE] = "";
        lobedice_status st = lobedice_image_align(&s.predicted, &how, s.reference, why, sizeof why);
        if (st != LOBEDICE_OK) {
            snprintf(msg, size, "cannot compare '%s' with '%s': %s", opts->predicted_path,
                     opts->reference_path, why[0] ? why : lobedice_strerror(st));
            rc = CLI_EXIT_FAILURE;
        }
        report.alignment = (cli_alignment)how;
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
    if (rc == 0 && opts->error_map && s.nlabels > CLI_MAX_MAP_LABELS) {
        snprintf(msg, size,
                 "the error map codes at most %d labels and the maps hold %zu; choose at most %d "
                 "with --labels",
                 CLI_MAX_MAP_LABELS, s.nlabels, CLI_MAX_MAP_LABELS);
        rc = CLI_EXIT_FAILURE;
    }
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
        for (size_t i = 0; i < nsets; i++) {
            s.rows[i].overlap = s.overlaps[i];
            s.rows[i].surface = s.surfaces[i];
        }
        report.version = lobedice_version();
        report.empty_policy = opts->empty_policy;
        report.tolerance_mm = opts->tolerance_mm;
        report.distances = opts->surface_distances;
        report.rows = s.rows;
        report.nlabels = s.nlabels;
        report.nregions = nregions;
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
