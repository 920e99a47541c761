#define _GNU_SOURCE
#include "cli_test_util.h"

#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- running a program -------------------------------------------------------------------- */

static char *slurp_fd(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (n + 1 >= cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                return NULL;
            }
            buf = grown;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int run_program(run_result *r, const char *const *argv)
{
    memset(r, 0, sizeof *r);
    /* Output goes to unlinked temporary files: no pipe can fill up and block the child. */
    char out_name[] = "/tmp/lobedice-cli-out-XXXXXX", err_name[] = "/tmp/lobedice-cli-err-XXXXXX";
    int out = mkstemp(out_name), err = mkstemp(err_name);
    if (out < 0 || err < 0)
        return -1;
    unlink(out_name);
    unlink(err_name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = slurp_fd(out, &r->out_len);
    r->err = slurp_fd(err, &r->err_len);
    close(out);
    close(err);
    return r->out && r->err ? 0 : -1;
}

void run_result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

const char *command_text(const char *const *argv)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; argv[i] && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, i ? " '%s'" : "%s", argv[i]);
    return buf;
}

/* ---- files -------------------------------------------------------------------------------- */

char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t n = 0;
    char *data = slurp_fd(fd, &n);
    close(fd);
    if (data && len)
        *len = n;
    return data;
}

int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", dir, name);
    return out;
}

void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                char *child = path_join(path, e->d_name);
                if (child)
                    remove_tree(child);
                free(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

int fresh_dir(const char *dir)
{
    remove_tree(dir);
    return mkdir(dir, 0755);
}

int list_dir(const char *dir, char **names, size_t capacity)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (names && (size_t)n < capacity)
            names[n] = strdup(e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- NRRD --------------------------------------------------------------------------------- */

int write_nrrd(const char *path, const char *type, int dim, const size_t size[3],
               const double spacing[3], const double origin[3], const void *data)
{
    size_t bytes = strcmp(type, "short") == 0           ? 2
                   : strcmp(type, "unsigned char") == 0 ? 1
                   : strcmp(type, "float") == 0         ? 4
                                                        : 0;
    if (!bytes)
        return -1;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = size[0] * size[1] * (dim == 3 ? size[2] : 1);
    if (dim == 2)
        fprintf(f,
                "NRRD0004\ntype: %s\ndimension: 2\nspace dimension: 2\nsizes: %zu %zu\n"
                "space directions: (%.17g,0) (0,%.17g)\nkinds: domain domain\n"
                "endian: little\nencoding: raw\nspace origin: (%.17g,%.17g)\n\n",
                type, size[0], size[1], spacing[0], spacing[1], origin[0], origin[1]);
    else
        fprintf(f,
                "NRRD0004\ntype: %s\ndimension: 3\nspace: left-posterior-superior\n"
                "sizes: %zu %zu %zu\nspace directions: (%.17g,0,0) (0,%.17g,0) (0,0,%.17g)\n"
                "kinds: domain domain domain\nendian: little\nencoding: raw\n"
                "space origin: (%.17g,%.17g,%.17g)\n\n",
                type, size[0], size[1], size[2], spacing[0], spacing[1], spacing[2], origin[0],
                origin[1], origin[2]);
    int ok = fwrite(data, bytes, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

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
