/* The label-value flags and their sentences (cli_labels.h). */
#include "cli_labels.h"
#include "cli_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends to buf (always NUL-terminated). */
static void append(char *buf, size_t size, const char *fmt, ...)
{
    const size_t n = strlen(buf);
    if (n + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

static int blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* "lobedice, lungmask, ... or identity" */
static void preset_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; lobedice_convention_preset_name(i); i++)
        append(buf, size, "%s%s",
               i == 0                                   ? ""
               : lobedice_convention_preset_name(i + 1) ? ", "
                                                        : " or ",
               lobedice_convention_preset_name(i));
}

int cli_labels_parse(cli_labels *labels, const char *longflag, const char *arg, int is_map,
                     const char *default_value, char *msg, size_t size)
{
    if (blank(arg)) {
        if (is_map) {
            labels->map_given = 0;
            return 0;
        }
        arg = default_value;
    }
    lobedice_label_convention parsed;
    lobedice_convention_error error;
    if (lobedice_convention_parse(&parsed, &error, arg) != LOBEDICE_OK) {
        char presets[160];
        preset_list(presets, sizeof presets);
        const char *expects = "VALUE=LOBE pairs such as 10=LUL,11=LLL with the lobes RUL, RML, "
                              "RLL, LUL and LLL";
        const int item = (int)error.length;
        const char *at = arg + error.offset;
        switch (error.problem) {
        case LOBEDICE_CONVENTION_VALUE:
            return cli_text_fail(
                CLI_EXIT_USAGE, msg, size,
                "--%s: '%.*s' in '%s' does not start with a non-zero whole number of at "
                "most 32 bits",
                longflag, item, at, arg);
        case LOBEDICE_CONVENTION_LOBE:
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "--%s: '%.*s' in '%s' names no lobe (RUL, RML, RLL, LUL or LLL)",
                                 longflag, item, at, arg);
        case LOBEDICE_CONVENTION_REPEAT:
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "--%s: '%.*s' in '%s' gives a value a second time", longflag, item,
                                 at, arg);
        case LOBEDICE_CONVENTION_TOO_MANY:
            return cli_text_fail(CLI_EXIT_USAGE, msg, size, "--%s: '%s' has more than %d pairs",
                                 longflag, arg, LOBEDICE_CONVENTION_MAX_PAIRS);
        default:
            if (is_map)
                return cli_text_fail(CLI_EXIT_USAGE, msg, size, "--%s expects %s, got '%s'",
                                     longflag, expects, arg);
            return cli_text_fail(CLI_EXIT_USAGE, msg, size,
                                 "--%s expects a preset (%s) or %s, got '%s'", longflag, presets,
                                 expects, arg);
        }
    }
    if (is_map) {
        labels->map = parsed;
        labels->map_given = 1;
    } else {
        labels->preset = parsed;
        lobedice_label_convention fallback;
        labels->preset_given = !default_value ||
                               lobedice_convention_parse(&fallback, NULL, default_value) != 0 ||
                               memcmp(&fallback, &parsed, sizeof parsed) != 0;
    }
    return 0;
}

int cli_labels_resolve(cli_labels *labels, const char *input, char *msg, size_t size)
{
    if (labels->map_given && labels->preset_given)
        return cli_text_fail(
            CLI_EXIT_USAGE, msg, size,
            "--%sLabels %s and --%sLabelMap both say how to read the %s; give one of "
            "them",
            input, labels->preset.name, input,
            strcmp(input, "reference") == 0 ? "reference" : "prediction");
    labels->convention = labels->map_given ? labels->map : labels->preset;
    return 0;
}

int cli_labels_check_segmentation(const cli_labels *labels, const char *input, const char *role,
                                  const char *path, const lobedice_segmentation *segmentation,
                                  char *msg, size_t size)
{
    if (!segmentation || (!labels->preset_given && !labels->map_given))
        return 0;
    return cli_text_fail(
        CLI_EXIT_USAGE, msg, size,
        "--%s%s does not apply to %s '%s': it is a Slicer segmentation, whose segments "
        "are matched to lobes by their terminology and names (leave the flag out)",
        input, labels->map_given ? "LabelMap" : "Labels", role, path);
}

void cli_labels_describe(char *buf, size_t size, const lobedice_label_convention *c)
{
    buf[0] = '\0';
    if (c->identity) {
        append(buf, size, "every value is its own label");
        return;
    }
    /* by value, ascending */
    size_t order[LOBEDICE_CONVENTION_MAX_PAIRS];
    const size_t n =
        c->npairs < LOBEDICE_CONVENTION_MAX_PAIRS ? c->npairs : LOBEDICE_CONVENTION_MAX_PAIRS;
    for (size_t i = 0; i < n; i++) {
        size_t at = i;
        while (at > 0 && c->values[order[at - 1]] > c->values[i]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    for (size_t i = 0; i < n; i++) {
        char name[32];
        lobedice_label_name(name, sizeof name, c->labels[order[i]]);
        append(buf, size, "%s%lld %s", i ? ", " : "", (long long)c->values[order[i]], name);
    }
}

/* "1, 5, 10, ..., 16" (the stored values, and how many there are when more). */
static void value_list(char *buf, size_t size, const int64_t *values, size_t n, size_t total)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < LOBEDICE_CHECK_MAX_VALUES; i++)
        append(buf, size, "%s%lld", i ? ", " : "", (long long)values[i]);
    if (total > n)
        append(buf, size, ", ... (%zu values)", total);
}

void cli_labels_mismatch(char *msg, size_t size, const lobedice_label_check *check,
                         const cli_options *opts, const char *reference_path,
                         const char *predicted_path)
{
    const cli_labels *labels[2] = {&opts->reference_labels, &opts->predicted_labels};
    const char *roles[2] = {"the reference", "the prediction"};
    const char *paths[2] = {reference_path, predicted_path};
    const char *stems[2] = {"reference", "predicted"};
    msg[0] = '\0';
    if (check->mismatch == LOBEDICE_LABELS_OTHER_PRESET) {
        const size_t i = check->input < 2 ? check->input : 1;
        const lobedice_input_labels *in = &check->inputs[i];
        char values[256], in_force[512], fits[512];
        value_list(values, sizeof values, in->values,
                   in->nvalues < LOBEDICE_CHECK_MAX_VALUES ? in->nvalues
                                                           : LOBEDICE_CHECK_MAX_VALUES,
                   in->nvalues);
        cli_labels_describe(in_force, sizeof in_force, &labels[i]->convention);
        lobedice_label_convention best;
        lobedice_convention_preset(&best, check->fits[0]);
        cli_labels_describe(fits, sizeof fits, &best);
        append(msg, size,
               "%s '%s' holds the values %s, which fit the label convention %s (%s)%s%s%s, not %s "
               "(%s) that it is read with: add --%sLabels %s",
               roles[i], paths[i], values, check->fits[0], fits,
               check->fits[1] ? " as well as " : "", check->fits[1] ? check->fits[1] : "",
               check->fits[1] ? " (the values cannot tell them apart)" : "",
               labels[i]->convention.name, in_force, stems[i], check->fits[0]);
        if (check->fits[1])
            append(msg, size, " or --%sLabels %s", stems[i], check->fits[1]);
        append(msg, size, ", or --allowDisjointLabels to compare anyway");
        return;
    }
    /* DISJOINT: no label in common */
    char parts[2][512];
    for (int i = 0; i < 2; i++) {
        const lobedice_input_labels *in = &check->inputs[i];
        char values[256], label_list[256];
        value_list(values, sizeof values, in->values,
                   in->nvalues < LOBEDICE_CHECK_MAX_VALUES ? in->nvalues
                                                           : LOBEDICE_CHECK_MAX_VALUES,
                   in->nvalues);
        value_list(label_list, sizeof label_list, in->labels,
                   in->nlabels < LOBEDICE_CHECK_MAX_VALUES ? in->nlabels
                                                           : LOBEDICE_CHECK_MAX_VALUES,
                   in->nlabels);
        /* a long path is cut, never overrun (and GCC's -O1 truncation warning is answered) */
        if (snprintf(parts[i], sizeof parts[i], "%s '%s' (values %s, read as %s: %s%s)", roles[i],
                     paths[i], values, labels[i]->convention.name, in->nlabels ? "labels " : "",
                     in->nlabels ? label_list : "no label") < 0)
            parts[i][0] = '\0';
    }
    append(msg, size,
           "%s and %s have no label in common: say how to read them with --referenceLabels and "
           "--predictedLabels (a preset, or VALUE=LOBE pairs such as 10=LUL,11=LLL), or add "
           "--allowDisjointLabels to compare anyway",
           parts[0], parts[1]);
}
