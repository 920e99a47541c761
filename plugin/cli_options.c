/* Argument parsing of the LobeDice command line (getopt_long). Every error is one sentence
 * naming the flag, the value and what was expected; the caller prints it and exits with
 * CLI_EXIT_USAGE. */
#define _GNU_SOURCE /* getopt_long, realpath, strdup */
#include "cli_options.h"

#include "cli_flags.h"
#include "cli_labels.h"
#include "cli_text.h"
#include "lobedice/lobedice.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The options that are not module parameters: Slicer's and the usual ones. A module parameter
 * of the XML has the code OPT_FLAG + its index in cli_flags; short options are below 256. */
enum {
    OPT_RETURN_PARAMETER_FILE = 256,
    OPT_PROCESS_INFORMATION_ADDRESS,
    OPT_HELP,
    OPT_VERSION,
    OPT_XML,
    OPT_FLAG = 1024
};

static const struct option extra_options[] = {
    {"returnparameterfile", required_argument, NULL, OPT_RETURN_PARAMETER_FILE},
    {"processinformationaddress", required_argument, NULL, OPT_PROCESS_INFORMATION_ADDRESS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"xml", no_argument, NULL, OPT_XML}};
#define NEXTRA_OPTIONS (sizeof extra_options / sizeof *extra_options)

/* A copy of s[0..n) without the blanks around it (malloc'd; NULL when out of memory). */
static char *dup_trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* A whole decimal number that fits int64_t, blanks around it allowed. */
static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno == ERANGE)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v)) /* ERANGE with a finite result: a subnormal, still exact */
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Splits s at `sep` into trimmed, malloc'd items. An empty item is an error (-2); out of
 * memory is -1. */
static int split(char ***items, size_t *count, const char *s, char sep)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == sep;
    char **out = calloc(n, sizeof *out);
    if (!out)
        return -1;
    const char *start = s;
    for (size_t i = 0; i < n; i++) {
        const char *end = strchr(start, sep);
        size_t len = end ? (size_t)(end - start) : strlen(start);
        out[i] = dup_trimmed(start, len);
        if (!out[i] || out[i][0] == '\0') {
            int rc = out[i] ? -2 : -1;
            for (size_t j = 0; j <= i; j++)
                free(out[j]);
            free(out);
            return rc;
        }
        start = end ? end + 1 : start + len;
    }
    *items = out;
    *count = n;
    return 0;
}

static void free_items(char **items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

/* Names end up in CSV/TSV cells, JSON strings and the colour table: no control characters. */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Replaces *s by its valid UTF-8 form (cli_text.h), so that every report holds valid text.
 * -1 when out of memory. */
static int escape_name(char **s)
{
    char *escaped = cli_text_escape(*s);
    if (!escaped)
        return -1;
    free(*s);
    *s = escaped;
    return 0;
}

static int parse_label_list(int64_t **labels, size_t *count, const char *text, char sep,
                            const char *what, char *msg, size_t size)
{
    char **items;
    size_t n;
    int rc = split(&items, &n, text, sep);
    if (rc == -1)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading %s", what);
    if (rc == -2)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "%s expects whole numbers separated by '%c', got '%s'", what, sep,
                             text);
    int64_t *out = malloc(n * sizeof *out);
    if (!out) {
        free_items(items, n);
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading %s", what);
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_int64(items[i], &out[i]) != 0) {
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                               "%s expects whole numbers separated by '%c', got '%s' in '%s'", what,
                               sep, items[i], text);
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (out[j] == out[i]) {
                rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "%s names label %lld twice in '%s'",
                                   what, (long long)out[i], text);
                break;
            }
        if (rc)
            break;
    }
    free_items(items, n);
    if (rc) {
        free(out);
        return rc;
    }
    *labels = out;
    *count = n;
    return 0;
}

void cli_regions_free(cli_region *regions, size_t nregions)
{
    if (!regions)
        return;
    for (size_t i = 0; i < nregions; i++) {
        free(regions[i].name);
        free(regions[i].labels);
    }
    free(regions);
}

static int parse_regions(cli_options *opts, const char *text, char *msg, size_t size)
{
    cli_regions_free(opts->regions, opts->nregions);
    opts->regions = NULL;
    opts->nregions = 0;
    opts->regions_given = 1;
    char *trimmed = dup_trimmed(text, strlen(text));
    if (!trimmed)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --regions");
    int none = strcmp(trimmed, "none") == 0;
    free(trimmed);
    if (none)
        return 0;

    char **items;
    size_t n;
    int rc = split(&items, &n, text, ',');
    if (rc == -1)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --regions");
    if (rc == -2)
        return cli_text_fail(
            CLI_EXIT_USAGE, msg, size,
            "--regions expects NAME=L+L+... items separated by ',', got an empty item "
            "in '%s'",
            text);
    cli_region *regions = calloc(n, sizeof *regions);
    if (!regions) {
        free_items(items, n);
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --regions");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq) {
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                               "--regions expects NAME=L+L+..., got '%s'", items[i]);
            break;
        }
        regions[i].name = dup_trimmed(items[i], (size_t)(eq - items[i]));
        if (!regions[i].name) {
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --regions");
            break;
        }
        if (regions[i].name[0] == '\0') {
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                               "--regions expects a name before '=' in '%s'", items[i]);
            break;
        }
        if (has_control(regions[i].name)) { /* checked before escaping turns it into text */
            rc = cli_text_fail(
                CLI_EXIT_USAGE, msg, size,
                "--regions expects printable names, got a control character in region %zu", i + 1);
            break;
        }
        if (escape_name(&regions[i].name) != 0) {
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --regions");
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(regions[j].name, regions[i].name) == 0) {
                rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                   "--regions names the region '%s' twice", regions[i].name);
                break;
            }
        if (rc)
            break;
        char what[96];
        snprintf(what, sizeof what, "--regions (region '%s')", regions[i].name);
        rc =
            parse_label_list(&regions[i].labels, &regions[i].nlabels, eq + 1, '+', what, msg, size);
    }
    free_items(items, n);
    if (rc) {
        cli_regions_free(regions, n);
        return rc;
    }
    opts->regions = regions;
    opts->nregions = n;
    return 0;
}

static int parse_names(cli_options *opts, const char *text, char *msg, size_t size)
{
    free_items(opts->label_names, opts->nlabel_names);
    opts->label_names = NULL;
    opts->nlabel_names = 0;
    if (is_blank(text))
        return 0;
    int rc = split(&opts->label_names, &opts->nlabel_names, text, ',');
    if (rc == -1)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --labelNames");
    if (rc == -2)
        return cli_text_fail(
            CLI_EXIT_USAGE, msg, size,
            "--labelNames expects names separated by ',', got an empty name in '%s'", text);
    for (size_t i = 0; i < opts->nlabel_names; i++) {
        if (has_control(opts->label_names[i]))
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "--labelNames expects printable names, got a control "
                                 "character in name %zu",
                                 i + 1);
        if (escape_name(&opts->label_names[i]) != 0)
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "out of memory while reading --labelNames");
    }
    return 0;
}

/* ---- one handler per module parameter ------------------------------------------------------
 * Each gets the parameter's XML description (for its flag, enumeration and constraints) and
 * the value; cli_parse first runs it on the XML's <default>, so defaults come from the XML. */

typedef int (*flag_parser)(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                           size_t size);

static int parse_labels_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                             size_t size)
{
    (void)flag;
    free(opts->labels);
    opts->labels = NULL;
    opts->nlabels = 0;
    if (is_blank(arg))
        return 0; /* Slicer never passes an empty vector; treat it as "not given" */
    return parse_label_list(&opts->labels, &opts->nlabels, arg, ',', "--labels", msg, size);
}

static int parse_names_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                            size_t size)
{
    (void)flag;
    return parse_names(opts, arg, msg, size);
}

static int parse_regions_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                              size_t size)
{
    (void)flag;
    if (is_blank(arg)) {
        cli_regions_free(opts->regions, opts->nregions);
        opts->regions = NULL;
        opts->nregions = 0;
        opts->regions_given = 0;
        return 0;
    }
    return parse_regions(opts, arg, msg, size);
}

/* A boolean is passed alone, and only when true (the XML default sets the GUI only). */
static int *boolean_target(cli_options *opts, const cli_flag *flag)
{
    if (strcmp(flag->name, "surfaceDistances") == 0)
        return &opts->surface_distances;
    if (strcmp(flag->name, "printTable") == 0)
        return &opts->print_table;
    if (strcmp(flag->name, "allowDisjointLabels") == 0)
        return &opts->allow_disjoint_labels;
    return NULL;
}

static int parse_boolean_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                              size_t size)
{
    (void)arg;
    (void)msg;
    (void)size;
    *boolean_target(opts, flag) = 1;
    return 0;
}

static int parse_tolerance_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                                size_t size)
{
    /* Slicer passes a float even when its field is empty: empty means the default. */
    if (is_blank(arg))
        arg = flag->default_value;
    if (parse_double(arg, &opts->tolerance_mm) != 0 || opts->tolerance_mm < 0)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "--%s expects a distance in mm (a number, 0 or more), got '%s'",
                             flag->longflag, arg);
    return 0;
}

static int parse_empty_policy_flag(cli_options *opts, const cli_flag *flag, const char *arg,
                                   char *msg, size_t size)
{
    char *v = dup_trimmed(arg, strlen(arg));
    if (!v)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --%s",
                             flag->longflag);
    const char *value = v[0] ? v : flag->default_value;
    int known = 0;
    for (size_t i = 0; flag->elements[i]; i++)
        known = known || strcmp(value, flag->elements[i]) == 0;
    int rc = 0;
    if (!known || lobedice_empty_policy_parse(&opts->empty_policy, value) != LOBEDICE_OK) {
        char choices[128] = "";
        for (size_t i = 0; flag->elements[i]; i++)
            snprintf(choices + strlen(choices), sizeof choices - strlen(choices), "%s%s",
                     i == 0                  ? ""
                     : flag->elements[i + 1] ? ", "
                                             : " or ",
                     flag->elements[i]);
        rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "--%s expects %s, got '%s'", flag->longflag,
                           choices, arg);
    }
    free(v);
    return rc;
}

static int parse_threads_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                              size_t size)
{
    if (is_blank(arg))
        arg = flag->default_value;
    int64_t t, max = 0;
    parse_int64(flag->maximum, &max);
    if (parse_int64(arg, &t) != 0 || t < 0 || t > max)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "--%s expects a whole number from 0 (every core) to %lld, got '%s'",
                             flag->longflag, (long long)max, arg);
    opts->threads = (size_t)t;
    return 0;
}

/* A file: the path, or none when empty. */
static const char **output_target(cli_options *opts, const cli_flag *flag)
{
    if (strcmp(flag->name, "outputTable") == 0)
        return &opts->output_table;
    if (strcmp(flag->name, "outputJson") == 0)
        return &opts->output_json;
    if (strcmp(flag->name, "errorMap") == 0)
        return &opts->error_map;
    if (strcmp(flag->name, "distanceModel") == 0)
        return &opts->distance_model;
    if (strcmp(flag->name, "referenceModel") == 0)
        return &opts->reference_model;
    if (strcmp(flag->name, "snapshot") == 0)
        return &opts->snapshot;
    if (strcmp(flag->name, "ct") == 0)
        return &opts->ct_path;
    return NULL;
}

static int parse_output_flag(cli_options *opts, const cli_flag *flag, const char *arg, char *msg,
                             size_t size)
{
    (void)msg;
    (void)size;
    *output_target(opts, flag) = is_blank(arg) ? NULL : arg;
    return 0;
}

/* --referenceLabels, --predictedLabels and their --...LabelMap forms (cli_labels.c). */
static int parse_label_values_flag(cli_options *opts, const cli_flag *flag, const char *arg,
                                   char *msg, size_t size)
{
    cli_labels *labels = strncmp(flag->name, "reference", 9) == 0 ? &opts->reference_labels
                                                                  : &opts->predicted_labels;
    const int is_map = strstr(flag->name, "LabelMap") != NULL;
    return cli_labels_parse(labels, flag->longflag, arg, is_map, flag->default_value, msg, size);
}

/* center, worst, or a voxel I,J,K of the reference grid (checked against it after reading). */
static int parse_snapshot_at_flag(cli_options *opts, const cli_flag *flag, const char *arg,
                                  char *msg, size_t size)
{
    char *v = dup_trimmed(arg, strlen(arg));
    if (!v)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "out of memory while reading --%s",
                             flag->longflag);
    const char *value = v[0] ? v : flag->default_value;
    int rc = 0;
    if (strcmp(value, "worst") == 0) {
        opts->snapshot_at = CLI_AT_WORST;
    } else if (strcmp(value, "center") == 0) {
        opts->snapshot_at = CLI_AT_CENTER;
    } else {
        char **items = NULL;
        size_t n = 0;
        int64_t ijk[3];
        int ok = split(&items, &n, value, ',') == 0 && n == 3;
        for (size_t i = 0; ok && i < 3; i++)
            ok = parse_int64(items[i], &ijk[i]) == 0 && ijk[i] >= 0;
        free_items(items, n);
        if (ok) {
            opts->snapshot_at = CLI_AT_VOXEL;
            for (int a = 0; a < 3; a++)
                opts->snapshot_voxel[a] = (uint64_t)ijk[a];
        } else {
            rc = cli_text_fail(
                CLI_EXIT_USAGE, msg, size,
                "--%s expects worst, center or a voxel I,J,K (three whole numbers, 0 or "
                "more), got '%s'",
                flag->longflag, arg);
        }
    }
    free(v);
    return rc;
}

static const struct {
    const char *name;
    flag_parser parse;
} flag_parsers[] = {
    {"labels", parse_labels_flag},
    {"labelNames", parse_names_flag},
    {"regions", parse_regions_flag},
    {"surfaceDistances", parse_boolean_flag},
    {"tolerance", parse_tolerance_flag},
    {"emptyPolicy", parse_empty_policy_flag},
    {"outputTable", parse_output_flag},
    {"outputJson", parse_output_flag},
    {"errorMap", parse_output_flag},
    {"threads", parse_threads_flag},
    {"printTable", parse_boolean_flag},
    {"referenceLabels", parse_label_values_flag},
    {"referenceLabelMap", parse_label_values_flag},
    {"predictedLabels", parse_label_values_flag},
    {"predictedLabelMap", parse_label_values_flag},
    {"allowDisjointLabels", parse_boolean_flag},
    {"distanceModel", parse_output_flag},
    {"referenceModel", parse_output_flag},
    {"snapshot", parse_output_flag},
    {"snapshotAt", parse_snapshot_at_flag},
    {"ct", parse_output_flag},
};

static flag_parser parser_of(const cli_flag *flag)
{
    for (size_t i = 0; i < sizeof flag_parsers / sizeof *flag_parsers; i++)
        if (strcmp(flag_parsers[i].name, flag->name) == 0)
            return flag_parsers[i].parse;
    return NULL;
}

int cli_flags_check(char *msg, size_t size)
{
    for (size_t i = 0; i < cli_nflags; i++) {
        const cli_flag *f = &cli_flags[i];
        if (f->longflag && !parser_of(f))
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "internal error: the parameter '%s' of LobeDice.xml has no parser",
                                 f->name);
    }
    return 0;
}

static int parse_extra(cli_options *opts, int code, const char *arg, char *msg, size_t size)
{
    switch (code) {
    case OPT_RETURN_PARAMETER_FILE:
        opts->return_parameter_file = is_blank(arg) ? NULL : arg;
        return 0;
    case OPT_PROCESS_INFORMATION_ADDRESS: return 0; /* only for shared-library modules */
    case OPT_HELP: opts->action = CLI_HELP; return 0;
    case OPT_VERSION: opts->action = CLI_VERSION; return 0;
    case OPT_XML: opts->action = CLI_XML; return 0;
    }
    if (code >= OPT_FLAG && (size_t)(code - OPT_FLAG) < cli_nflags) {
        const cli_flag *flag = &cli_flags[code - OPT_FLAG];
        flag_parser parse = parser_of(flag);
        if (parse)
            return parse(opts, flag, arg, msg, size);
    }
    return cli_text_fail(CLI_EXIT_USAGE, msg, size, "internal error: option code %d has no handler",
                         code);
}

int cli_is_comparison_flag(const cli_flag *flag)
{
    /* settings of one LobeDice run and of its pictures, not of what is compared */
    static const char *const not_comparison[] = {"threads", "printTable", "snapshotAt", "ct"};
    if (!flag->longflag || strcmp(flag->channel, "input") != 0)
        return 0;
    for (size_t i = 0; i < sizeof not_comparison / sizeof *not_comparison; i++)
        if (strcmp(flag->name, not_comparison[i]) == 0)
            return 0;
    return 1;
}

/* getopt_long entries for the flagged parameters of the XML (only the comparison flags when
 * `comparison_only`), coded code_base + their index in cli_flags. */
static size_t flag_options(struct option *out, int code_base, int comparison_only)
{
    size_t n = 0;
    for (size_t i = 0; i < cli_nflags; i++) {
        const cli_flag *f = &cli_flags[i];
        if (!f->longflag || (comparison_only && !cli_is_comparison_flag(f)))
            continue;
        const int boolean = strcmp(f->tag, "boolean") == 0;
        out[n++] = (struct option){f->longflag, boolean ? no_argument : required_argument, NULL,
                                   code_base + (int)i};
    }
    return n;
}

size_t cli_comparison_options(struct option *out, int code_base)
{
    return flag_options(out, code_base, 1);
}

/* getopt_long's table: every flagged parameter of the XML, then the extra options. */
static struct option *long_options(void)
{
    struct option *out = calloc(cli_nflags + NEXTRA_OPTIONS + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t n = flag_options(out, OPT_FLAG, 0);
    memcpy(out + n, extra_options, sizeof extra_options);
    return out;
}

/* getopt_long refused an option; optopt says which kind. A short option (optopt 1..255) may
 * sit inside a cluster such as "-xy", where argv[optind - 1] is not the option; a known long
 * option (optopt is its code) was given a value it does not take; otherwise (optopt 0) the long
 * option argv[optind - 1] is unknown or abbreviates several options. */
static int unknown_option(const struct option *options, const char *arg, char *msg, size_t size)
{
    if (optopt > 0 && optopt < 256)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "unknown option '-%c'; see LobeDice --help",
                             optopt);
    const char *name = arg + strspn(arg, "-");
    size_t len = strcspn(name, "=");
    if (optopt >= 256)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size, "option '%.*s' takes no value, got '%s'",
                             (int)(name - arg + len), arg, arg);
    const char *matches[2] = {NULL, NULL};
    size_t nmatches = 0;
    for (const struct option *o = options; o->name; o++)
        if (len && strncmp(o->name, name, len) == 0 && nmatches++ < 2)
            matches[nmatches - 1] = o->name;
    if (nmatches > 1)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "option '%.*s' is ambiguous (--%s, --%s%s); see LobeDice --help",
                             (int)(name - arg + len), arg, matches[0], matches[1],
                             nmatches > 2 ? ", ..." : "");
    return cli_text_fail(CLI_EXIT_USAGE, msg, size, "unknown option '%s'; see LobeDice --help",
                         arg);
}

/* The defaults: every input parameter with a <default> (but booleans, whose default is the
 * GUI's only) parsed from the XML; only the comparison flags when `comparison_only`. */
static int parse_defaults(cli_options *opts, int comparison_only, char *msg, size_t size)
{
    for (size_t i = 0; i < cli_nflags; i++) {
        const cli_flag *f = &cli_flags[i];
        if (!f->longflag || !f->default_value || strcmp(f->tag, "boolean") == 0 ||
            (comparison_only && !cli_is_comparison_flag(f)))
            continue;
        int rc = parse_extra(opts, OPT_FLAG + (int)i, f->default_value, msg, size);
        if (rc)
            return rc;
    }
    return 0;
}

int cli_comparison_init(cli_options *opts, char *msg, size_t size)
{
    memset(opts, 0, sizeof *opts);
    if (size)
        msg[0] = '\0';
    int rc = cli_flags_check(msg, size);
    return rc ? rc : parse_defaults(opts, 1, msg, size);
}

int cli_parse_flag(cli_options *opts, size_t index, const char *arg, char *msg, size_t size)
{
    if (index >= cli_nflags)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "internal error: no parameter %zu in LobeDice.xml", index);
    return parse_extra(opts, OPT_FLAG + (int)index, arg, msg, size);
}

int cli_check_comparison(cli_options *opts, char *msg, size_t size)
{
    if (opts->label_names && !opts->labels)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "--labelNames needs --labels: give the labels the %zu names "
                             "belong to",
                             opts->nlabel_names);
    if (opts->label_names && opts->nlabel_names != opts->nlabels)
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "--labelNames gives %zu name%s for the %zu label%s of --labels",
                             opts->nlabel_names, opts->nlabel_names == 1 ? "" : "s", opts->nlabels,
                             opts->nlabels == 1 ? "" : "s");
    int rc = cli_labels_resolve(&opts->reference_labels, "reference", msg, size);
    return rc ? rc : cli_labels_resolve(&opts->predicted_labels, "predicted", msg, size);
}

int cli_parse(cli_options *opts, int argc, char **argv, char *msg, size_t size)
{
    memset(opts, 0, sizeof *opts);
    if (size)
        msg[0] = '\0';
    int rc = cli_flags_check(msg, size);
    if (rc == 0)
        rc = parse_defaults(opts, 0, msg, size);
    struct option *options = rc == 0 ? long_options() : NULL;
    if (rc == 0 && !options)
        rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                           "out of memory while reading the command line");
    if (rc) {
        free(options);
        return rc;
    }

    optind = 0; /* full re-initialisation of getopt (glibc), so parsing can run again */
    opterr = 0;
    int code;
    while (rc == 0 && (code = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        if (code == '?')
            rc = unknown_option(options, argv[optind - 1], msg, size);
        else if (code == ':')
            rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "option '%s' needs a value",
                               argv[optind - 1]);
        else
            rc = parse_extra(opts, code, optarg, msg, size);
    }
    free(options);
    if (rc || opts->action != CLI_RUN)
        return rc;

    int positional = argc - optind;
    if (positional != 2)
        return cli_text_fail(
            CLI_EXIT_USAGE, msg, size,
            "expected two label maps (reference, then prediction), got %d argument%s; "
            "see LobeDice --help",
            positional, positional == 1 ? "" : "s");
    opts->reference_path = argv[optind];
    opts->predicted_path = argv[optind + 1];
    return cli_check_comparison(opts, msg, size);
}

void cli_options_free(cli_options *opts)
{
    free(opts->labels);
    free_items(opts->label_names, opts->nlabel_names);
    cli_regions_free(opts->regions, opts->nregions);
    memset(opts, 0, sizeof *opts);
}

/* ---- paths --------------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/* Replaces the extension `ext` (which s ends with) by `with`. */
static char *replace_suffix(const char *s, size_t ext_len, const char *with)
{
    size_t stem = strlen(s) - ext_len, add = strlen(with);
    char *out = malloc(stem + add + 1);
    if (out) {
        memcpy(out, s, stem);
        memcpy(out + stem, with, add + 1);
    }
    return out;
}

char *cli_schema_path(const char *table_path)
{
    if (ends_with(table_path, ".csv"))
        return replace_suffix(table_path, 4, ".schema.csv");
    if (ends_with(table_path, ".tsv"))
        return replace_suffix(table_path, 4, ".schema.tsv");
    return NULL;
}

char cli_table_separator(const char *table_path)
{
    return ends_with(table_path, ".tsv") ? '\t' : ',';
}

static const char *const map_extensions[] = {".nii.gz", ".nrrd", ".nii", ".mha"};

char *cli_color_table_path(const char *map_path)
{
    for (size_t i = 0; i < sizeof map_extensions / sizeof *map_extensions; i++)
        if (ends_with(map_path, map_extensions[i]))
            return replace_suffix(map_path, strlen(map_extensions[i]), ".ctbl");
    return NULL;
}

/* "dir/name" with dir resolved by realpath, so "a/../x" and "x" compare equal even when the
 * file does not exist yet (malloc'd; NULL when the folder does not exist). */
static char *canonical_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir)
        return NULL;
    char *real = realpath(dir, NULL);
    free(dir);
    if (!real)
        return NULL;
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(real) + strlen(base) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", real, base);
    free(real);
    return out;
}

static int same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical_path(a), *cb = canonical_path(b);
    int same = ca && cb && strcmp(ca, cb) == 0;
    free(ca);
    free(cb);
    return same;
}

/* Where an output goes must be a file name in an existing folder: checked before any work,
 * since the final rename would fail only after it (and a folder must never be moved aside as a
 * backup). Returns 0 or CLI_EXIT_FAILURE with a sentence. */
static int check_output_place(const char *path, const char *what, char *msg, size_t size)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(msg, size, "%s '%s' is a folder; give a file name", what, path);
        return CLI_EXIT_FAILURE;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) {
        snprintf(msg, size, "out of memory while checking %s '%s'", what, path);
        return CLI_EXIT_FAILURE;
    }
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(msg, size, "%s '%s' goes into the folder '%s', which does not exist", what, path,
                 dir);
        rc = CLI_EXIT_FAILURE;
    }
    free(dir);
    return rc;
}

int cli_check_paths(const cli_options *opts, char *msg, size_t size)
{
    char *schema = NULL, *color = NULL;
    int rc = 0;
    /* (the path helpers also fail when out of memory, which is as fatal) */
    if (opts->output_table && !(schema = cli_schema_path(opts->output_table)))
        return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                             "--outputTable expects a file name ending in .csv or .tsv, got '%s'",
                             opts->output_table);
    if (opts->error_map && !(color = cli_color_table_path(opts->error_map))) {
        free(schema);
        return cli_text_fail(
            CLI_EXIT_USAGE, msg, size,
            "--errorMap expects a file name ending in .nrrd, .nii, .nii.gz or .mha, got "
            "'%s'",
            opts->error_map);
    }
    if (opts->distance_model && !ends_with(opts->distance_model, ".vtk") &&
        !ends_with(opts->distance_model, ".vtp"))
        rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                           "--distanceModel expects a file name ending in .vtk or .vtp, got '%s'",
                           opts->distance_model);
    else if (opts->reference_model && !ends_with(opts->reference_model, ".vtk") &&
             !ends_with(opts->reference_model, ".vtp"))
        rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                           "--referenceModel expects a file name ending in .vtk or .vtp, got '%s'",
                           opts->reference_model);
    else if (opts->snapshot && !ends_with(opts->snapshot, ".png"))
        rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                           "--snapshot expects a file name ending in .png, got '%s'",
                           opts->snapshot);
    if (rc) {
        free(schema);
        free(color);
        return rc;
    }
    struct {
        const char *path, *what;
    } paths[] = {{opts->reference_path, "the reference"},
                 {opts->predicted_path, "the prediction"},
                 {opts->ct_path, "--ct"},
                 {opts->output_table, "--outputTable"},
                 {schema, "the table's schema"},
                 {opts->output_json, "--outputJson"},
                 {opts->error_map, "--errorMap"},
                 {color, "the error map's colour table"},
                 {opts->distance_model, "--distanceModel"},
                 {opts->reference_model, "--referenceModel"},
                 {opts->snapshot, "--snapshot"},
                 {opts->return_parameter_file, "--returnparameterfile"}};
    const size_t n = sizeof paths / sizeof *paths, ninputs = 3;
    for (size_t i = ninputs; i < n && rc == 0; i++) { /* every output against all before it */
        if (!paths[i].path)
            continue;
        rc = check_output_place(paths[i].path, paths[i].what, msg, size);
        if (rc)
            break;
        for (size_t j = 0; j < i; j++) {
            if (!paths[j].path || !same_file(paths[i].path, paths[j].path))
                continue;
            if (j < ninputs)
                rc = cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                   "%s '%s' is the same file as %s; LobeDice never overwrites "
                                   "an input",
                                   paths[i].what, paths[i].path, paths[j].what);
            else
                rc = cli_text_fail(CLI_EXIT_USAGE, msg, size, "%s '%s' is the same file as %s",
                                   paths[i].what, paths[i].path, paths[j].what);
            break;
        }
    }
    free(schema);
    free(color);
    return rc;
}

/* What stands for a parameter's value in the help ("L,L,...", "nan|one|zero", "FILE.csv|...").
 */
static void metavar(char *buf, size_t size, const cli_flag *f)
{
    buf[0] = '\0';
    if (strcmp(f->tag, "boolean") == 0)
        return;
    if (f->elements) {
        for (size_t i = 0; f->elements[i]; i++)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "|" : "", f->elements[i]);
    } else if (strstr(f->tag, "-vector")) {
        snprintf(buf, size, "%s", strstr(f->tag, "integer") ? "L,L,..." : "ITEM,ITEM,...");
    } else if (strcmp(f->tag, "integer") == 0) {
        snprintf(buf, size, "N");
    } else if (strcmp(f->tag, "float") == 0 || strcmp(f->tag, "double") == 0) {
        snprintf(buf, size, "X");
    } else if (f->file_extensions) {
        const char *ext = f->file_extensions;
        while (*ext && size - strlen(buf) > 1) {
            size_t n = strcspn(ext, ",");
            snprintf(buf + strlen(buf), size - strlen(buf), "%sFILE%.*s",
                     ext == f->file_extensions ? "" : "|", (int)n, ext);
            ext += n + (ext[n] == ',');
        }
    } else {
        snprintf(buf, size, strcmp(f->tag, "string") == 0 ? "TEXT" : "FILE");
    }
}

/* Text wrapped to `width` columns, each line indented by `indent` blanks (the first line
 * continues where the cursor is, at column `column`). */
static void print_wrapped(FILE *out, const char *text, size_t column, size_t indent, size_t width)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t word = strcspn(p, " \n");
        if (!word)
            break;
        if (column + 1 + word > width && column > indent) {
            fprintf(out, "\n%*s", (int)indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fprintf(out, "%.*s", (int)word, p);
        column += word;
        p += word;
    }
    fputc('\n', out);
}

void cli_print_help(FILE *out)
{
    enum { INDENT = 4, WIDTH = 79 };
    fprintf(out, "Usage: LobeDice [options]");
    for (int index = 0;; index++) {
        const cli_flag *f = NULL;
        for (size_t i = 0; i < cli_nflags && !f; i++)
            if (cli_flags[i].index == index)
                f = &cli_flags[i];
        if (!f)
            break;
        fputc(' ', out);
        for (const char *c = f->label; *c; c++)
            fputc(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c, out);
    }
    fprintf(out, "\nCompares a predicted lung-lobe label map with a reference one. Without "
                 "--outputJson and\n--outputTable it prints a table to standard output. Every "
                 "option below is a parameter\nof the 3D Slicer module (LobeDice --xml).\n");
    const char *group = NULL;
    for (size_t i = 0; i < cli_nflags; i++) {
        const cli_flag *f = &cli_flags[i];
        if (!f->longflag)
            continue;
        if (!group || strcmp(group, f->group) != 0) {
            group = f->group;
            fprintf(out, "\n%s:\n", group);
        }
        char value[128];
        metavar(value, sizeof value, f);
        int column = fprintf(out, "  --%s%s%s", f->longflag, value[0] ? " " : "", value);
        fprintf(out, "\n%*s", INDENT, "");
        char text[2048];
        const int boolean = strcmp(f->tag, "boolean") == 0;
        snprintf(text, sizeof text, "%s%s%s%s", f->description,
                 f->default_value && !boolean ? " Default: " : "",
                 f->default_value && !boolean ? f->default_value : "",
                 boolean ? " Off when the flag is absent." : "");
        (void)column;
        print_wrapped(out, text, INDENT, INDENT, WIDTH);
    }
    fprintf(
        out,
        "\nOther:\n"
        "  --returnparameterfile FILE\n"
        "    Write the results (meanDice, meanHD95, summary) there and report progress on\n"
        "    standard output, as Slicer asks.\n"
        "  --help, --version, --xml (the Slicer module description)\n"
        "\n"
        "Exit status: 0 success, 1 failed run (unreadable or unsupported image, geometry),\n"
        "2 usage error. Errors are one sentence on standard error; no output is left behind.\n");
}
