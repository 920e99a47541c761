/* Helpers of the CLI tests: the 4x6 example of docs/measures.md as NRRD files, a small CSV
 * reader, and the JSON comparison used by the golden files. The file and process helpers
 * (run_program, read_file, fresh_dir, write_nrrd, ...) come from testing/file_test_util.h,
 * included here. */
#ifndef LOBEDICE_CLI_TEST_UTIL_H
#define LOBEDICE_CLI_TEST_UTIL_H

#include "file_test_util.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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
