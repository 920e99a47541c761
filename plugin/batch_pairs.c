/* The data set of lobedice-batch: two folders paired by case name, or a manifest. */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include "cli_text.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

char *batch_path_join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t len = n + strlen(name) + strlen(suffix) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%.*s/%s%s", (int)n, dir, name, suffix);
    return out;
}

/* Longest first, so "a.seg.nrrd" is case "a" and "a.nii.gz" is not "a.nii". */
static const char *const label_map_extensions[] = {".seg.nrrd", ".nii.gz", ".nrrd", ".nhdr",
                                                   ".nii",      ".mha",    ".mhd"};

/* The length of name's case part, 0 when the extension is not a label map's. */
static size_t stem_length(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof label_map_extensions / sizeof *label_map_extensions; i++) {
        size_t m = strlen(label_map_extensions[i]);
        if (n > m && strcasecmp(name + n - m, label_map_extensions[i]) == 0)
            return n - m;
    }
    return 0;
}

typedef struct entry {
    char *stem, *file;
} entry;

static int by_stem(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->stem, y->stem);
    return c ? c : strcmp(x->file, y->file);
}

static int add_unmatched(batch_dataset *d, const char *side, char *path, const char *reason)
{
    batch_unmatched *grown = realloc(d->unmatched, (d->nunmatched + 1) * sizeof *grown);
    if (!grown) {
        free(path);
        return -1;
    }
    d->unmatched = grown;
    d->unmatched[d->nunmatched].side = strdup(side);
    d->unmatched[d->nunmatched].path = cli_text_escape(path); /* shown and written only */
    d->unmatched[d->nunmatched].reason = cli_text_escape(reason);
    free(path);
    d->nunmatched++;
    return d->unmatched[d->nunmatched - 1].side && d->unmatched[d->nunmatched - 1].reason ? 0 : -1;
}

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].stem);
        free(e[i].file);
    }
    free(e);
}

/* The label maps of a folder as (case, path) entries sorted by case; other files go to
 * unmatched. */
static int list_folder(entry **out, size_t *count, batch_dataset *d, const char *dir,
                       const char *side, const char *flag, char *msg, size_t size)
{
    DIR *h = opendir(dir);
    char why[128];
    if (!h)
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "cannot read the %s folder '%s' (%s): %s",
                             side, dir, flag, cli_text_errno(why, sizeof why, errno));
    entry *e = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(h)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden files, ".", ".." */
        char *path = batch_path_join(dir, de->d_name, "");
        struct stat st;
        if (!path) {
            rc = -1;
            break;
        }
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            free(path);
            continue;
        }
        size_t stem = stem_length(de->d_name);
        if (stem == 0) {
            rc = add_unmatched(d, side, path, "not a label map file (unknown extension)");
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            entry *grown = realloc(e, cap * sizeof *grown);
            if (!grown) {
                free(path);
                rc = -1;
                break;
            }
            e = grown;
        }
        e[n].stem = strndup(de->d_name, stem);
        e[n].file = path;
        if (!e[n++].stem)
            rc = -1;
    }
    closedir(h);
    if (rc) {
        free_entries(e, n);
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory while listing '%s'", dir);
    }
    if (n)
        qsort(e, n, sizeof *e, by_stem);
    *out = e;
    *count = n;
    return 0;
}

static int add_case(batch_dataset *d, const char *name, const char *reference,
                    const char *prediction, const char *problem)
{
    batch_case *grown = realloc(d->cases, (d->ncases + 1) * sizeof *grown);
    if (!grown)
        return -1;
    d->cases = grown;
    batch_case *c = &d->cases[d->ncases++];
    c->name = cli_text_escape(name); /* a key and a label: valid UTF-8 for every report */
    c->reference = strdup(reference ? reference : "");
    c->prediction = strdup(prediction ? prediction : "");
    c->problem = problem ? cli_text_escape(problem) : NULL;
    return c->name && c->reference && c->prediction && (!problem || c->problem) ? 0 : -1;
}

static int by_side_path(const void *a, const void *b)
{
    const batch_unmatched *x = a, *y = b;
    int c = strcmp(x->side, y->side);
    return c ? c : strcmp(x->path, y->path);
}

/* Entries e[i..j) share one stem: their paths joined by ", ". */
static char *paths_of(const entry *e, size_t i, size_t j)
{
    size_t len = 1;
    for (size_t k = i; k < j; k++)
        len += strlen(e[k].file) + 4;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t k = i; k < j; k++)
        snprintf(out + strlen(out), len - strlen(out), "%s'%s'", k > i ? ", " : "", e[k].file);
    return out;
}

int batch_pair_folders(batch_dataset *d, const char *reference_dir, const char *prediction_dir,
                       char *msg, size_t size)
{
    memset(d, 0, sizeof *d);
    entry *ref = NULL, *pred = NULL;
    size_t nref = 0, npred = 0;
    int rc = list_folder(&ref, &nref, d, reference_dir, "reference", "REF_DIR", msg, size);
    if (rc == 0)
        rc = list_folder(&pred, &npred, d, prediction_dir, "prediction", "PRED_DIR", msg, size);
    size_t i = 0, j = 0;
    while (rc == 0 && (i < nref || j < npred)) {
        int c = i == nref ? 1 : j == npred ? -1 : strcmp(ref[i].stem, pred[j].stem);
        const char *stem = c <= 0 ? ref[i].stem : pred[j].stem;
        size_t i_end = i, j_end = j;
        while (i_end < nref && strcmp(ref[i_end].stem, stem) == 0)
            i_end++;
        while (j_end < npred && strcmp(pred[j_end].stem, stem) == 0)
            j_end++;
        if (i_end == i || j_end == j) { /* one side only: every file of the stem is unmatched */
            const int on_ref = i_end > i;
            const entry *e = on_ref ? ref : pred;
            for (size_t k = on_ref ? i : j; rc == 0 && k < (on_ref ? i_end : j_end); k++) {
                char reason[256];
                snprintf(reason, sizeof reason, "no %s file for case '%s'",
                         on_ref ? "prediction" : "reference", stem);
                char *path = strdup(e[k].file);
                rc =
                    path ? add_unmatched(d, on_ref ? "reference" : "prediction", path, reason) : -1;
            }
        } else if (i_end - i > 1 || j_end - j > 1) { /* which one was meant is not known */
            const int on_ref = i_end - i > 1;
            char *paths = on_ref ? paths_of(ref, i, i_end) : paths_of(pred, j, j_end);
            char *problem = NULL;
            if (paths) {
                size_t len = strlen(paths) + 128;
                problem = malloc(len);
                if (problem)
                    snprintf(problem, len, "the %s folder holds several files for this case: %s",
                             on_ref ? "reference" : "prediction", paths);
            }
            rc = problem ? add_case(d, stem, ref[i].file, pred[j].file, problem) : -1;
            free(paths);
            free(problem);
        } else {
            rc = add_case(d, stem, ref[i].file, pred[j].file, NULL);
        }
        i = i_end;
        j = j_end;
    }
    free_entries(ref, nref);
    free_entries(pred, npred);
    if (rc == -1)
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "out of memory while pairing the folders");
    if (rc == 0 && d->nunmatched)
        qsort(d->unmatched, d->nunmatched, sizeof *d->unmatched, by_side_path);
    if (rc)
        batch_dataset_free(d);
    return rc;
}

/* ---- manifest ------------------------------------------------------------------------------ */

/* One CSV record from *p (RFC 4180: quoted cells may hold commas, quotes and newlines); *p
 * advances past it. Cells are malloc'd. Returns the cell count, -1 when out of memory, -2 for a
 * quote that is never closed. */
static int csv_record(const char **p, char ***cells)
{
    const char *s = *p;
    char **out = NULL;
    int n = 0;
    for (;;) {
        size_t cap = strlen(s) + 1, len = 0;
        char *cell = malloc(cap);
        char **grown = realloc(out, (size_t)(n + 1) * sizeof *grown);
        if (!cell || !grown) {
            free(cell);
            free(grown ? grown : out);
            return -1;
        }
        out = grown;
        out[n++] = cell;
        if (*s == '"') {
            s++;
            for (;;) {
                if (*s == '\0') {
                    for (int k = 0; k < n; k++)
                        free(out[k]);
                    free(out);
                    return -2;
                }
                if (*s == '"' && s[1] == '"') {
                    cell[len++] = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    cell[len++] = *s++;
                }
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            cell[len++] = *s++;
        cell[len] = '\0';
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
        break;
    }
    *p = s;
    *cells = out;
    return n;
}

static void free_cells(char **cells, int n)
{
    for (int i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

static char *read_text(const char *path, char *msg, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char why[128];
        cli_text_fail(BATCH_EXIT_USAGE, msg, size, "cannot read the manifest '%s': %s", path,
                      cli_text_errno(why, sizeof why, errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    while (text) {
        size_t got = fread(text + len, 1, cap - len - 1, f);
        len += got;
        if (len + 1 < cap)
            break;
        char *grown = realloc(text, cap *= 2);
        if (!grown)
            free(text);
        text = grown;
    }
    int bad = ferror(f);
    fclose(f);
    if (!text || bad) {
        free(text);
        cli_text_fail(BATCH_EXIT_USAGE, msg, size, "cannot read the manifest '%s': %s", path,
                      text ? "read error" : "out of memory");
        return NULL;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                      "the manifest '%s' is not a text file (it holds a NUL byte)", path);
        return NULL;
    }
    return text;
}

static int valid_case_name(const char *s)
{
    if (!s[0] || s[0] == '.')
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '/' || *s == 0x7f)
            return 0;
    return 1;
}

static int by_case(const void *a, const void *b)
{
    return strcmp(((const batch_case *)a)->name, ((const batch_case *)b)->name);
}

int batch_read_manifest(batch_dataset *d, const char *path, char *msg, size_t size)
{
    memset(d, 0, sizeof *d);
    char *text = read_text(path, msg, size);
    if (!text)
        return BATCH_EXIT_USAGE;
    const char *slash = strrchr(path, '/');
    char *base = slash ? strndup(path, (size_t)(slash - path)) : NULL;
    const char *p = text;
    char **cells = NULL;
    int ncells = csv_record(&p, &cells), rc = 0;
    int col[3] = {-1, -1, -1};
    static const char *const names[3] = {"case", "reference", "prediction"};
    if (ncells < 0)
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "the manifest '%s' line 1: %s", path,
                           ncells == -1 ? "out of memory" : "a quote is never closed");
    for (int i = 0; rc == 0 && i < ncells; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(cells[i], names[k]) == 0)
                col[k] = i;
    for (int k = 0; rc == 0 && k < 3; k++)
        if (col[k] < 0)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "the manifest '%s' has no column '%s': its first line must name the "
                               "columns case,reference,prediction",
                               path, names[k]);
    free_cells(cells, ncells > 0 ? ncells : 0);
    for (size_t line = 2; rc == 0 && *p; line++) {
        ncells = csv_record(&p, &cells);
        if (ncells < 0) {
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "the manifest '%s' line %zu: %s", path,
                               line, ncells == -1 ? "out of memory" : "a quote is never closed");
            break;
        }
        if (ncells == 1 && cells[0][0] == '\0') { /* a blank line */
            free_cells(cells, ncells);
            continue;
        }
        int need = col[0] > col[1] ? col[0] : col[1];
        need = (need > col[2] ? need : col[2]) + 1;
        if (ncells < need)
            rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                               "the manifest '%s' line %zu has %d cells, expected %d", path, line,
                               ncells, need);
        for (int k = 0; rc == 0 && k < 3; k++)
            if (cells[col[k]][0] == '\0')
                rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                                   "the manifest '%s' line %zu has an empty '%s'", path, line,
                                   names[k]);
        if (rc == 0 && !valid_case_name(cells[col[0]]))
            rc = cli_text_fail(
                BATCH_EXIT_USAGE, msg, size,
                "the manifest '%s' line %zu: the case name '%s' must not start with '.' "
                "or hold '/' or control characters",
                path, line, cells[col[0]]);
        if (rc == 0) {
            char *ref = base && cells[col[1]][0] != '/' ? batch_path_join(base, cells[col[1]], "")
                                                        : strdup(cells[col[1]]);
            char *pred = base && cells[col[2]][0] != '/' ? batch_path_join(base, cells[col[2]], "")
                                                         : strdup(cells[col[2]]);
            if (!ref || !pred || add_case(d, cells[col[0]], ref, pred, NULL) != 0)
                rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                                   "out of memory while reading the manifest '%s'", path);
            free(ref);
            free(pred);
        }
        free_cells(cells, ncells);
    }
    free(text);
    free(base);
    if (rc == 0 && d->ncases == 0)
        rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size, "the manifest '%s' lists no case", path);
    if (rc == 0) {
        qsort(d->cases, d->ncases, sizeof *d->cases, by_case);
        for (size_t i = 1; rc == 0 && i < d->ncases; i++)
            if (strcmp(d->cases[i].name, d->cases[i - 1].name) == 0)
                rc = cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                                   "the manifest '%s' lists the case '%s' twice", path,
                                   d->cases[i].name);
    }
    if (rc)
        batch_dataset_free(d);
    return rc;
}

void batch_dataset_free(batch_dataset *d)
{
    for (size_t i = 0; i < d->ncases; i++) {
        free(d->cases[i].name);
        free(d->cases[i].reference);
        free(d->cases[i].prediction);
        free(d->cases[i].problem);
    }
    for (size_t i = 0; i < d->nunmatched; i++) {
        free(d->unmatched[i].side);
        free(d->unmatched[i].path);
        free(d->unmatched[i].reason);
    }
    free(d->cases);
    free(d->unmatched);
    memset(d, 0, sizeof *d);
}

int batch_in_shard(size_t index, unsigned k, unsigned n)
{
    return n == 0 || index % n == (size_t)(k - 1);
}
