/* Helpers of the CLI tests: run a program and capture what it printed, files and folders,
 * NRRD files written by hand (the 4x6 example of docs/measures.md), a small CSV reader, and
 * the JSON comparison used by the golden files. */
#ifndef LOBEDICE_CLI_TEST_UTIL_H
#define LOBEDICE_CLI_TEST_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct run_result {
    int status; /* exit status; 128 + signal when killed */
    char *out, *err;
    size_t out_len, err_len;
} run_result;

/* Runs argv (argv[0] is a path) and waits; returns 0 or -1 when it could not be started. */
int run_program(run_result *result, const char *const *argv);
void run_result_free(run_result *result);

/* The command line as one string, for failure messages (static buffer). */
const char *command_text(const char *const *argv);

/* Whole file (NUL-terminated, *len without the NUL); NULL when it cannot be read. */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const void *data, size_t len);
int file_exists(const char *path);

/* "a/b" (malloc'd). */
char *path_join(const char *dir, const char *name);

/* An empty folder dir (removed first if it exists). */
int fresh_dir(const char *dir);
void remove_tree(const char *path);
/* Number of entries of a folder other than . and .., -1 when it cannot be read; names[] (may
 * be NULL) receives up to capacity malloc'd names. */
int list_dir(const char *dir, char **names, size_t capacity);

/* A raw NRRD as ITK writes it: type "short", "unsigned char" or "float"; dim 2 or 3. */
int write_nrrd(const char *path, const char *type, int dim, const size_t size[3],
               const double spacing[3], const double origin[3], const void *data);

/* The 4x6 example of docs/measures.md as int16 maps (row-major, x fastest: size 6 x 4). */
extern const int16_t example_ref[24], example_pred[24];
/* Writes the example pair as 2-D short raw NRRDs. */
int write_example_pair(const char *ref_path, const char *pred_path);

/* A CSV/TSV table: rows of cells (row 0 is the header). */
typedef struct table {
    char ***cells;
    size_t *ncells;
    size_t nrows;
} table;
int table_read(table *t, const char *text, char sep);
void table_free(table *t);
/* Column index of `name` in the header, -1 when absent. */
int table_column(const table *t, const char *name);

/* Parses a JSON file; a file that does not parse is fatal for the test (the reason is printed). */
json_t *load_json(const char *path);

/* Compares two JSON values: same structure, same keys (any order), same strings, integers
 * equal, reals within tol (relative to max(1, |value|)), null only against null. Keys named in
 * `ignore` (NULL-terminated) are skipped at any depth. Prints each difference with its path;
 * returns the number of differences. */
int json_compare(const json_t *got, const json_t *want, double tol, const char *const *ignore,
                 const char *path);

#ifdef __cplusplus
}
#endif

#endif
