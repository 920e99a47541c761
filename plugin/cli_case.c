/* One case: read -> align -> compare, shared by LobeDice and lobedice-batch. */
#define _POSIX_C_SOURCE 200809L
#include "cli_case.h"
#include "cli_text.h"

#include "cli_labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_SIZE 2048

/* lobedice_strerror's sentence as a clause ("memory could not be allocated"), so that a message
 * built around it stays one sentence. */
static const char *status_reason(char *buf, size_t size, lobedice_status st)
{
    snprintf(buf, size, "%s", lobedice_strerror(st));
    return cli_text_clause(buf);
}

int cli_fail_status(char *msg, size_t size, const char *what, lobedice_status st)
{
    char reason[160];
    snprintf(msg, size, "%s failed: %s", what, status_reason(reason, sizeof reason, st));
    return CLI_EXIT_FAILURE;
}

const char *cli_io_reason(char *buf, size_t size, const char *why, const char *context,
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

int cli_read_failed(char *msg, size_t size, const char *role, const char *path, const char *why,
                    lobedice_status st)
{
    char context[MSG_SIZE], reason[MSG_SIZE];
    snprintf(context, sizeof context, "Cannot read '%s'", path);
    snprintf(msg, size, "cannot read %s '%s': %s", role, path,
             cli_io_reason(reason, sizeof reason, why, context, st));
    return CLI_EXIT_FAILURE;
}

static int read_image(lobedice_image **image, const char *path, const char *role, size_t threads,
                      char *msg, size_t size)
{
    char why[MSG_SIZE] = "";
    lobedice_status st = lobedice_image_read(image, path, threads, why, sizeof why);
    return st == LOBEDICE_OK ? 0 : cli_read_failed(msg, size, role, path, why, st);
}

static void describe(cli_image_info *info, const char *path, const lobedice_image *image)
{
    info->path = path;
    info->segmentation = lobedice_image_segmentation(image);
    for (int a = 0; a < 3; a++) {
        info->size[a] = image->volume.size[a];
        info->spacing[a] = image->volume.spacing[a];
        info->origin[a] = image->origin[a];
    }
}

typedef struct progress_hook {
    cli_case_progress report;
    void *user;
} progress_hook;

static void step(const progress_hook *hook, double fraction, const char *comment)
{
    if (hook->report)
        hook->report(hook->user, fraction, comment);
}

/* The comparison's own progress, mapped onto 0.35..0.85 of the case. */
static void compare_progress(void *user, double fraction)
{
    const progress_hook *hook = user;
    hook->report(hook->user, 0.35 + 0.5 * fraction, NULL);
}

/* The comparison the options ask for: the core decides the labels found, the default names
 * and regions, and every measure. */
static int compare(cli_case *c, const cli_options *opts, size_t threads, progress_hook *hook,
                   char *msg, size_t size)
{
    lobedice_compare_options co = LOBEDICE_COMPARE_OPTIONS_INIT;
    co.labels = opts->labels;
    co.nlabels = opts->nlabels;
    co.label_names = (const char *const *)opts->label_names;
    if (opts->regions_given) {
        c->regions = calloc(opts->nregions ? opts->nregions : 1, sizeof *c->regions);
        if (!c->regions)
            return cli_fail_status(msg, size, "preparing the regions", LOBEDICE_ENOMEM);
        for (size_t r = 0; r < opts->nregions; r++)
            c->regions[r] = (lobedice_region){opts->regions[r].name, opts->regions[r].labels,
                                              opts->regions[r].nlabels};
        co.region_mode = LOBEDICE_REGIONS_GIVEN;
        co.regions = c->regions;
        co.nregions = opts->nregions;
    }
    co.surface_distances = opts->surface_distances;
    co.tolerance_mm = opts->tolerance_mm;
    co.empty_policy = opts->empty_policy;
    co.threads = threads;
    co.ref_convention = &opts->reference_labels.convention;
    co.pred_convention = &opts->predicted_labels.convention;
    co.check_labels = !opts->allow_disjoint_labels;
    if (hook->report) {
        co.progress = compare_progress;
        co.progress_user = hook;
    }
    lobedice_status st =
        lobedice_compare(&c->comparison, &c->reference->volume, &c->predicted->volume, &co);
    lobedice_label_check check;
    if (st == LOBEDICE_ECONVENTION &&
        lobedice_labels_check(&check, &c->reference->volume, &c->predicted->volume, &co) ==
            LOBEDICE_OK) {
        cli_labels_mismatch(msg, size, &check, opts, c->report.reference.path,
                            c->report.predicted.path);
        return CLI_EXIT_FAILURE;
    }
    return st == LOBEDICE_OK ? 0 : cli_fail_status(msg, size, "comparing the maps", st);
}

int cli_case_run(cli_case *c, const cli_options *opts, const char *reference_path,
                 const char *predicted_path, size_t threads, cli_case_progress progress, void *user,
                 char *msg, size_t size)
{
    memset(c, 0, sizeof *c);
    progress_hook hook = {progress, user};
    step(&hook, 0.0, "Reading the reference");
    int rc = read_image(&c->reference, reference_path, "the reference", threads, msg, size);
    if (rc == 0) {
        step(&hook, 0.15, "Reading the prediction");
        rc = read_image(&c->predicted, predicted_path, "the prediction", threads, msg, size);
    }
    if (rc == 0)
        rc = cli_labels_check_segmentation(&opts->reference_labels, "reference", "the reference",
                                           reference_path,
                                           lobedice_image_segmentation(c->reference), msg, size);
    if (rc == 0)
        rc = cli_labels_check_segmentation(&opts->predicted_labels, "predicted", "the prediction",
                                           predicted_path,
                                           lobedice_image_segmentation(c->predicted), msg, size);
    if (rc == 0) {
        describe(&c->report.reference, reference_path, c->reference);
        describe(&c->report.predicted, predicted_path, c->predicted);
        step(&hook, 0.3, "Aligning the prediction");
        char why[MSG_SIZE] = "", reason[MSG_SIZE];
        lobedice_status st = lobedice_image_align(&c->predicted, &c->report.alignment, c->reference,
                                                  threads, why, sizeof why);
        if (st != LOBEDICE_OK) {
            snprintf(msg, size, "cannot compare '%s' with '%s': %s", predicted_path, reference_path,
                     cli_io_reason(reason, sizeof reason, why, "Cannot align the images", st));
            rc = CLI_EXIT_FAILURE;
        }
    }
    if (rc == 0) {
        step(&hook, 0.35, "Comparing");
        rc = compare(c, opts, threads, &hook, msg, size);
    }
    if (rc == 0) {
        c->report.version = lobedice_version();
        c->report.comparison = c->comparison;
    }
    return rc;
}

void cli_case_free(cli_case *c)
{
    lobedice_image_free(c->reference);
    lobedice_image_free(c->predicted);
    free(c->regions);
    lobedice_comparison_free(c->comparison);
    memset(c, 0, sizeof *c);
}
