/* The CLI tests' own helpers: the 4x6 example as NRRD files, the CSV reader and the JSON
 * comparison (the file and process helpers are in testing/file_test_util.c). */
#define _GNU_SOURCE /* strndup */
#include "cli_test_util.h"

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs/measures.md, "Worked example": 4 rows of 6, row-major. */
const int16_t example_ref[24] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
const int16_t example_pred[24] = {1, 1, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0,
                                  0, 0, 2, 2, 4, 4, 0, 0, 0, 2, 4, 0};

int write_example_pair(const char *ref_path, const char *pred_path)
{
    const size_t size[3] = {6, 4, 1};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    if (write_nrrd(ref_path, "short", 2, size, spacing, origin, example_ref) != 0)
        return -1;
    return write_nrrd(pred_path, "short", 2, size, spacing, origin, example_pred);
}

/* ---- tables ------------------------------------------------------------------------------- */

static int push_cell(table *t, const char *start, size_t len)
{
    size_t r = t->nrows - 1;
    char **grown = realloc(t->cells[r], (t->ncells[r] + 1) * sizeof *grown);
    if (!grown)
        return -1;
    t->cells[r] = grown;
    grown[t->ncells[r]] = strndup(start, len);
    if (!grown[t->ncells[r]])
        return -1;
    t->ncells[r]++;
    return 0;
}

static int push_row(table *t)
{
    char ***cells = realloc(t->cells, (t->nrows + 1) * sizeof *cells);
    if (!cells)
        return -1;
    t->cells = cells;
    size_t *ncells = realloc(t->ncells, (t->nrows + 1) * sizeof *ncells);
    if (!ncells)
        return -1;
    t->ncells = ncells;
    t->cells[t->nrows] = NULL;
    t->ncells[t->nrows] = 0;
    t->nrows++;
    return 0;
}

int table_read(table *t, const char *text, char sep)
{
    memset(t, 0, sizeof *t);
    const char *p = text;
    char *cell = malloc(strlen(text) + 1);
    if (!cell)
        return -1;
    while (*p) {
        if (push_row(t))
            return -1;
        for (;;) { /* one cell */
            size_t n = 0;
            if (*p == '"') {
                for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                    if (*p == '"')
                        p++; /* "" is one quote */
                    cell[n++] = *p;
                }
                if (*p == '"')
                    p++;
            } else {
                while (*p && *p != sep && *p != '\n')
                    cell[n++] = *p++;
            }
            if (push_cell(t, cell, n))
                return -1;
            if (*p == sep) {
                p++;
                continue;
            }
            if (*p == '\n')
                p++;
            break;
        }
    }
    free(cell);
    return 0;
}

void table_free(table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncells[r]; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    free(t->cells);
    free(t->ncells);
    memset(t, 0, sizeof *t);
}

int table_column(const table *t, const char *name)
{
    if (t->nrows == 0)
        return -1;
    for (size_t c = 0; c < t->ncells[0]; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return (int)c;
    return -1;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static int ignored(const char *key, const char *const *ignore)
{
    for (size_t i = 0; ignore && ignore[i]; i++)
        if (strcmp(key, ignore[i]) == 0)
            return 1;
    return 0;
}

json_t *load_json(const char *path)
{
    json_error_t error;
    json_t *j = json_load_file(path, 0, &error);
    if (!j)
        fprintf(stderr, "%s: %s (line %d)\n", path, error.text, error.line);
    CHECK_FATAL(j != NULL);
    return j;
}

int json_compare(const json_t *got, const json_t *want, double tol, const char *const *ignore,
                 const char *path)
{
    char child[512];
    if (json_is_number(got) && json_is_number(want)) {
        double g = json_number_value(got), w = json_number_value(want);
        double scale = fabs(w) > 1 ? fabs(w) : 1;
        if (fabs(g - w) <= tol * scale)
            return 0;
        fprintf(stderr, "  %s: %.17g, expected %.17g\n", path, g, w);
        return 1;
    }
    if (json_typeof(got) != json_typeof(want) && !(json_is_boolean(got) && json_is_boolean(want))) {
        fprintf(stderr, "  %s: JSON types differ (%d vs expected %d)\n", path, json_typeof(got),
                json_typeof(want));
        return 1;
    }
    int diffs = 0;
    if (json_is_object(want)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)want, key, value)
        {
            if (ignored(key, ignore))
                continue;
            snprintf(child, sizeof child, "%s.%s", path, key);
            json_t *g = json_object_get(got, key);
            if (!g) {
                fprintf(stderr, "  %s: missing\n", child);
                diffs++;
                continue;
            }
            diffs += json_compare(g, value, tol, ignore, child);
        }
        json_object_foreach((json_t *)got, key, value)
        {
            if (!ignored(key, ignore) && !json_object_get(want, key)) {
                fprintf(stderr, "  %s.%s: not expected\n", path, key);
                diffs++;
            }
        }
    } else if (json_is_array(want)) {
        if (json_array_size(got) != json_array_size(want)) {
            fprintf(stderr, "  %s: %zu items, expected %zu\n", path, json_array_size(got),
                    json_array_size(want));
            return 1;
        }
        for (size_t i = 0; i < json_array_size(want); i++) {
            snprintf(child, sizeof child, "%s[%zu]", path, i);
            diffs +=
                json_compare(json_array_get(got, i), json_array_get(want, i), tol, ignore, child);
        }
    } else if (json_is_string(want)) {
        if (strcmp(json_string_value(got), json_string_value(want)) != 0) {
            fprintf(stderr, "  %s: \"%s\", expected \"%s\"\n", path, json_string_value(got),
                    json_string_value(want));
            diffs++;
        }
    } else if (json_is_boolean(want)) {
        if (json_is_true(got) != json_is_true(want)) {
            fprintf(stderr, "  %s: boolean differs\n", path);
            diffs++;
        }
    }
    return diffs;
}
