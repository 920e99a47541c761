/* Argument parsing of the LobeDice command line (getopt_long). Every error is one sentence
 * naming the flag, the value and what was expected; the caller prints it and exits with
 * CLI_EXIT_USAGE. */
#define _GNU_SOURCE /* getopt_long, realpath, strdup */
#include "cli_options.h"

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

enum {
    OPT_LABELS = 256,
    OPT_LABEL_NAMES,
    OPT_REGIONS,
    OPT_SURFACE_DISTANCES,
    OPT_TOLERANCE,
    OPT_EMPTY_POLICY,
    OPT_OUTPUT_TABLE,
    OPT_OUTPUT_JSON,
    OPT_ERROR_MAP,
    OPT_THREADS,
    OPT_RETURN_PARAMETER_FILE,
    OPT_PROCESS_INFORMATION_ADDRESS,
    OPT_PRINT_TABLE,
    OPT_HELP,
    OPT_VERSION,
    OPT_XML
};

static const struct option cli_long_options[] = {
    {"labels", required_argument, NULL, OPT_LABELS},
    {"labelNames", required_argument, NULL, OPT_LABEL_NAMES},
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"surfaceDistances", no_argument, NULL, OPT_SURFACE_DISTANCES},
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {"emptyPolicy", required_argument, NULL, OPT_EMPTY_POLICY},
    {"outputTable", required_argument, NULL, OPT_OUTPUT_TABLE},
    {"outputJson", required_argument, NULL, OPT_OUTPUT_JSON},
    {"errorMap", required_argument, NULL, OPT_ERROR_MAP},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"returnparameterfile", required_argument, NULL, OPT_RETURN_PARAMETER_FILE},
    {"processinformationaddress", required_argument, NULL, OPT_PROCESS_INFORMATION_ADDRESS},
    {"printTable", no_argument, NULL, OPT_PRINT_TABLE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"xml", no_argument, NULL, OPT_XML},
    {NULL, 0, NULL, 0}};

static int fail(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

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

/* The surface-Dice tolerance when --tolerance is absent or empty: the core's default. */
static double default_tolerance(void)
{
    lobedice_surface_options defaults;
    lobedice_surface_options_init(&defaults);
    return defaults.tolerance_mm;
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
        return fail(msg, size, "out of memory while reading %s", what);
    if (rc == -2)
        return fail(msg, size, "%s expects whole numbers separated by '%c', got '%s'", what, sep,
                    text);
    int64_t *out = malloc(n * sizeof *out);
    if (!out) {
        free_items(items, n);
        return fail(msg, size, "out of memory while reading %s", what);
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_int64(items[i], &out[i]) != 0) {
            rc = fail(msg, size, "%s expects whole numbers separated by '%c', got '%s' in '%s'",
                      what, sep, items[i], text);
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (out[j] == out[i]) {
                rc = fail(msg, size, "%s names label %lld twice in '%s'", what, (long long)out[i],
                          text);
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
        return fail(msg, size, "out of memory while reading --regions");
    int none = strcmp(trimmed, "none") == 0;
    free(trimmed);
    if (none)
        return 0;

    char **items;
    size_t n;
    int rc = split(&items, &n, text, ',');
    if (rc == -1)
        return fail(msg, size, "out of memory while reading --regions");
    if (rc == -2)
        return fail(msg, size,
                    "--regions expects NAME=L+L+... items separated by ',', got an empty item "
                    "in '%s'",
                    text);
    cli_region *regions = calloc(n, sizeof *regions);
    if (!regions) {
        free_items(items, n);
        return fail(msg, size, "out of memory while reading --regions");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq) {
            rc = fail(msg, size, "--regions expects NAME=L+L+..., got '%s'", items[i]);
            break;
        }
        regions[i].name = dup_trimmed(items[i], (size_t)(eq - items[i]));
        if (!regions[i].name) {
            rc = fail(msg, size, "out of memory while reading --regions");
            break;
        }
        if (escape_name(&regions[i].name) != 0) {
            rc = fail(msg, size, "out of memory while reading --regions");
            break;
        }
        if (regions[i].name[0] == '\0' || has_control(regions[i].name)) {
            rc = fail(msg, size, "--regions expects a name before '=' in '%s'", items[i]);
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(regions[j].name, regions[i].name) == 0) {
                rc = fail(msg, size, "--regions names the region '%s' twice", regions[i].name);
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
        return fail(msg, size, "out of memory while reading --labelNames");
    if (rc == -2)
        return fail(msg, size,
                    "--labelNames expects names separated by ',', got an empty name in '%s'", text);
    for (size_t i = 0; i < opts->nlabel_names; i++) {
        if (has_control(opts->label_names[i]))
            return fail(msg, size,
                        "--labelNames expects printable names, got a control "
                        "character in name %zu",
                        i + 1);
        if (escape_name(&opts->label_names[i]) != 0)
            return fail(msg, size, "out of memory while reading --labelNames");
    }
    return 0;
}

static int parse_one(cli_options *opts, int code, const char *arg, char *msg, size_t size)
{
    switch (code) {
    case OPT_LABELS:
        free(opts->labels);
        opts->labels = NULL;
        opts->nlabels = 0;
        if (is_blank(arg))
            return 0; /* Slicer never passes an empty vector; treat it as "not given" */
        return parse_label_list(&opts->labels, &opts->nlabels, arg, ',', "--labels", msg, size);
    case OPT_LABEL_NAMES: return parse_names(opts, arg, msg, size);
    case OPT_REGIONS:
        if (is_blank(arg)) {
            cli_regions_free(opts->regions, opts->nregions);
            opts->regions = NULL;
            opts->nregions = 0;
            opts->regions_given = 0;
            return 0;
        }
        return parse_regions(opts, arg, msg, size);
    case OPT_SURFACE_DISTANCES: opts->surface_distances = 1; return 0;
    case OPT_TOLERANCE:
        /* Slicer passes a float even when its field is empty: empty means the default. */
        if (is_blank(arg)) {
            opts->tolerance_mm = default_tolerance();
            return 0;
        }
        if (parse_double(arg, &opts->tolerance_mm) != 0 || opts->tolerance_mm < 0)
            return fail(msg, size,
                        "--tolerance expects a distance in mm (a number, 0 or more), "
                        "got '%s'",
                        arg);
        return 0;
    case OPT_EMPTY_POLICY: {
        char *v = dup_trimmed(arg, strlen(arg));
        if (!v)
            return fail(msg, size, "out of memory while reading --emptyPolicy");
        int rc = 0;
        if (v[0] == '\0' || strcmp(v, "nan") == 0)
            opts->empty_policy = CLI_EMPTY_NAN;
        else if (strcmp(v, "one") == 0)
            opts->empty_policy = CLI_EMPTY_ONE;
        else if (strcmp(v, "zero") == 0)
            opts->empty_policy = CLI_EMPTY_ZERO;
        else
            rc = fail(msg, size, "--emptyPolicy expects nan, one or zero, got '%s'", arg);
        free(v);
        return rc;
    }
    case OPT_THREADS: {
        if (is_blank(arg)) {
            opts->threads = 0;
            return 0;
        }
        int64_t t;
        if (parse_int64(arg, &t) != 0 || t < 0 || t > CLI_MAX_THREADS)
            return fail(msg, size,
                        "--threads expects a whole number from 0 (every core) to %d, got '%s'",
                        CLI_MAX_THREADS, arg);
        opts->threads = (size_t)t;
        return 0;
    }
    case OPT_OUTPUT_TABLE: opts->output_table = is_blank(arg) ? NULL : arg; return 0;
    case OPT_OUTPUT_JSON: opts->output_json = is_blank(arg) ? NULL : arg; return 0;
    case OPT_ERROR_MAP: opts->error_map = is_blank(arg) ? NULL : arg; return 0;
    case OPT_RETURN_PARAMETER_FILE:
        opts->return_parameter_file = is_blank(arg) ? NULL : arg;
        return 0;
    case OPT_PROCESS_INFORMATION_ADDRESS: return 0; /* only for shared-library modules */
    case OPT_PRINT_TABLE: opts->print_table = 1; return 0;
    case OPT_HELP: opts->action = CLI_HELP; return 0;
    case OPT_VERSION: opts->action = CLI_VERSION; return 0;
    case OPT_XML: opts->action = CLI_XML; return 0;
    }
    return fail(msg, size, "internal error: option code %d has no handler", code);
}

/* getopt_long refused an option; optopt says which kind. A short option (optopt 1..255) may
 * sit inside a cluster such as "-xy", where argv[optind - 1] is not the option; a known long
 * option (optopt is its code) was given a value it does not take; otherwise (optopt 0) the long
 * option argv[optind - 1] is unknown or abbreviates several options. */
static int unknown_option(const char *arg, char *msg, size_t size)
{
    if (optopt > 0 && optopt < OPT_LABELS)
        return fail(msg, size, "unknown option '-%c'; see LobeDice --help", optopt);
    const char *name = arg + strspn(arg, "-");
    size_t len = strcspn(name, "=");
    if (optopt >= OPT_LABELS)
        return fail(msg, size, "option '%.*s' takes no value, got '%s'", (int)(name - arg + len),
                    arg, arg);
    const char *matches[2] = {NULL, NULL};
    size_t nmatches = 0;
    for (const struct option *o = cli_long_options; o->name; o++)
        if (len && strncmp(o->name, name, len) == 0 && nmatches++ < 2)
            matches[nmatches - 1] = o->name;
    if (nmatches > 1)
        return fail(msg, size, "option '%.*s' is ambiguous (--%s, --%s%s); see LobeDice --help",
                    (int)(name - arg + len), arg, matches[0], matches[1],
                    nmatches > 2 ? ", ..." : "");
    return fail(msg, size, "unknown option '%s'; see LobeDice --help", arg);
}

int cli_parse(cli_options *opts, int argc, char **argv, char *msg, size_t size)
{
    memset(opts, 0, sizeof *opts);
    opts->tolerance_mm = default_tolerance();
    if (size)
        msg[0] = '\0';

    optind = 0; /* full re-initialisation of getopt (glibc), so parsing can run again */
    opterr = 0;
    int code;
    while ((code = getopt_long(argc, argv, ":", cli_long_options, NULL)) != -1) {
        if (code == '?')
            return unknown_option(argv[optind - 1], msg, size);
        if (code == ':')
            return fail(msg, size, "option '%s' needs a value", argv[optind - 1]);
        int rc = parse_one(opts, code, optarg, msg, size);
        if (rc)
            return rc;
    }
    if (opts->action != CLI_RUN)
        return 0;

    int positional = argc - optind;
    if (positional != 2)
        return fail(msg, size,
                    "expected two label maps (reference, then prediction), got %d argument%s; "
                    "see LobeDice --help",
                    positional, positional == 1 ? "" : "s");
    opts->reference_path = argv[optind];
    opts->predicted_path = argv[optind + 1];
    if (opts->label_names && !opts->labels)
        return fail(msg, size,
                    "--labelNames needs --labels: give the labels the %zu names "
                    "belong to",
                    opts->nlabel_names);
    if (opts->label_names && opts->nlabel_names != opts->nlabels)
        return fail(msg, size, "--labelNames gives %zu name%s for the %zu label%s of --labels",
                    opts->nlabel_names, opts->nlabel_names == 1 ? "" : "s", opts->nlabels,
                    opts->nlabels == 1 ? "" : "s");
    return 0;
}

void cli_options_free(cli_options *opts)
{
    free(opts->labels);
    free_items(opts->label_names, opts->nlabel_names);
    cli_regions_free(opts->regions, opts->nregions);
    memset(opts, 0, sizeof *opts);
}

const char *cli_default_label_name(int64_t label, char *buf, size_t size)
{
    static const char *const lobes[] = {"RUL", "RML", "RLL", "LUL", "LLL"};
    if (label >= 1 && label <= 5)
        snprintf(buf, size, "%s", lobes[label - 1]);
    else
        snprintf(buf, size, "label %lld", (long long)label);
    return buf;
}

int cli_default_regions(cli_region **regions, size_t *nregions, const int64_t *labels,
                        size_t nlabels)
{
    *regions = NULL;
    *nregions = 0;
    if (nlabels != 5)
        return 0;
    unsigned seen = 0;
    for (size_t i = 0; i < nlabels; i++) {
        if (labels[i] < 1 || labels[i] > 5)
            return 0;
        seen |= 1u << labels[i];
    }
    if (seen != 0x3e)
        return 0;
    static const struct {
        const char *name;
        int64_t labels[5];
        size_t n;
    } lungs[] = {
        {"RightLung", {1, 2, 3}, 3}, {"LeftLung", {4, 5}, 2}, {"Lungs", {1, 2, 3, 4, 5}, 5}};
    cli_region *out = calloc(3, sizeof *out);
    if (!out)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        out[i].name = strdup(lungs[i].name);
        out[i].labels = malloc(lungs[i].n * sizeof *out[i].labels);
        if (!out[i].name || !out[i].labels) {
            cli_regions_free(out, 3);
            return -1;
        }
        memcpy(out[i].labels, lungs[i].labels, lungs[i].n * sizeof *out[i].labels);
        out[i].nlabels = lungs[i].n;
    }
    *regions = out;
    *nregions = 3;
    return 0;
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
    /* (the path helpers also fail when out of memory, which is as fatal) */
    if (opts->output_table && !(schema = cli_schema_path(opts->output_table)))
        return fail(msg, size, "--outputTable expects a file name ending in .csv or .tsv, got '%s'",
                    opts->output_table);
    if (opts->error_map && !(color = cli_color_table_path(opts->error_map))) {
        free(schema);
        return fail(msg, size,
                    "--errorMap expects a file name ending in .nrrd, .nii, .nii.gz or .mha, got "
                    "'%s'",
                    opts->error_map);
    }
    struct {
        const char *path, *what;
    } paths[] = {{opts->reference_path, "the reference"},
                 {opts->predicted_path, "the prediction"},
                 {opts->output_table, "--outputTable"},
                 {schema, "the table's schema"},
                 {opts->output_json, "--outputJson"},
                 {opts->error_map, "--errorMap"},
                 {color, "the error map's colour table"},
                 {opts->return_parameter_file, "--returnparameterfile"}};
    const size_t n = sizeof paths / sizeof *paths;
    int rc = 0;
    for (size_t i = 2; i < n && rc == 0; i++) { /* every output against everything before it */
        if (!paths[i].path)
            continue;
        rc = check_output_place(paths[i].path, paths[i].what, msg, size);
        if (rc)
            break;
        for (size_t j = 0; j < i; j++) {
            if (!paths[j].path || !same_file(paths[i].path, paths[j].path))
                continue;
            if (j < 2)
                rc = fail(msg, size,
                          "%s '%s' is the same file as %s; LobeDice never overwrites "
                          "an input",
                          paths[i].what, paths[i].path, paths[j].what);
            else
                rc = fail(msg, size, "%s '%s' is the same file as %s", paths[i].what, paths[i].path,
                          paths[j].what);
            break;
        }
    }
    free(schema);
    free(color);
    return rc;
}

void cli_print_help(FILE *out)
{
    /* the defaults the parser uses, printed as 1.0 rather than 1 */
    char tolerance[32];
    snprintf(tolerance, sizeof tolerance, "%g", default_tolerance());
    if (!strpbrk(tolerance, ".e"))
        strcat(tolerance, ".0");
    fprintf(
        out,
        "Usage: LobeDice [options] REFERENCE PREDICTION\n"
        "Compares a predicted lung-lobe label map with a reference one (Dice, Jaccard, precision,\n"
        "sensitivity, specificity, volumes, and with --surfaceDistances HD, HD95, ASSD, surface\n"
        "Dice). Without --outputJson and --outputTable it prints a table to standard output.\n"
        "\n"
        "Labels and regions:\n"
        "  --labels L,L,...         labels to report (default: every non-zero label in either "
        "map)\n"
        "  --labelNames N,N,...     one name per label of --labels (default: RUL RML RLL LUL LLL\n"
        "                           for 1..5, otherwise \"label N\")\n"
        "  --regions NAME=L+L,...   unions of labels measured as one mask; \"none\" for none\n"
        "                           (default for labels 1..5: RightLung=1+2+3,LeftLung=4+5,\n"
        "                           Lungs=1+2+3+4+5)\n"
        "Measures:\n"
        "  --surfaceDistances       also compute HD, HD95, ASSD and surface Dice (mm); off when\n"
        "                           absent\n"
        "  --tolerance MM           surface Dice tolerance in mm (default %s; empty = default)\n"
        "  --emptyPolicy nan|one|zero  Dice and Jaccard of a label absent from both maps\n"
        "                           (default nan: undefined, left out of the means)\n"
        "Outputs (written only when the whole run succeeds):\n"
        "  --outputTable FILE.csv|FILE.tsv  table, with FILE.schema.csv|tsv beside it\n"
        "  --outputJson FILE        JSON report\n"
        "  --errorMap FILE.nrrd     disagreement map on the reference grid (unsigned char up\n"
        "                           to 9 labels, short beyond), with FILE.ctbl (colour table\n"
        "                           naming each value) beside it\n"
        "  --printTable             print the table to standard output even with outputs\n"
        "Other:\n"
        "  --threads N              threads, 0 = every core (default; empty = default), at most\n"
        "                           %d\n"
        "  --returnparameterfile FILE  write meanDice, meanHD95, summary there (Slicer) and\n"
        "                           report progress on standard output\n"
        "  --help, --version, --xml (the Slicer module description)\n"
        "\n"
        "Exit status: 0 success, 1 failed run (unreadable or unsupported image, geometry),\n"
        "2 usage error. Errors are one sentence on standard error; no output is left behind.\n",
        tolerance, CLI_MAX_THREADS);
}
