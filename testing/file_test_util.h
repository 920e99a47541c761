/* File and process helpers shared by the test programs (linked into every test by
 * lobedice_add_test): run a program and capture what it printed, whole files, folders, and raw
 * NRRD files written by hand. POSIX only; no JSON (testing/cli/cli_test_util.h has that). */
#ifndef LOBEDICE_FILE_TEST_UTIL_H
#define LOBEDICE_FILE_TEST_UTIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct run_result {
    int status; /* exit status; 128 + signal when killed */
    char *out, *err;
    size_t out_len, err_len;
} run_result;

/* Runs argv (argv[0] is a path) and waits; returns 0 or -1 when it could not be started. When
 * the environment variable LOBEDICE_TEST_WRAPPER is set (e.g. "valgrind --error-exitcode=99"),
 * programs whose name starts with "LobeDice" run under it. */
int run_program(run_result *result, const char *const *argv);

/* The same with the child's file size limit (RLIMIT_FSIZE) set to max_file_bytes, as a full
 * disk would be: writes past it fail with EFBIG (SIGXFSZ ignored). */
int run_program_limited(run_result *result, const char *const *argv, long max_file_bytes);

/* The same, sending `sig` to the child as soon as `trigger` holds: trigger(folder, out) is
 * polled every millisecond while the child runs, with what the child printed so far on
 * standard output (the signal is sent at most once). */
int run_program_signalled(run_result *result, const char *const *argv, int sig,
                          int (*trigger)(const char *folder, const char *out), const char *folder);
void run_result_free(run_result *result);

/* The command line as one string, for failure messages (static buffer). */
const char *command_text(const char *const *argv);

/* Whole file (NUL-terminated, *len without the NUL; len may be NULL); NULL when it cannot be
 * read. */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const void *data, size_t len);
int file_exists(const char *path);

/* "a/b" (malloc'd). */
char *path_join(const char *dir, const char *name);
/* "a/b" in one of 16 buffers used in rotation (paths of one test's scratch folder). */
const char *path_in(const char *dir, const char *name);

/* An empty folder dir (removed first if it exists). */
int fresh_dir(const char *dir);
void remove_tree(const char *path);
/* A path in this program's fixture folder, <parent>/fixtures-XXXXXX, made on first use and
 * removed with everything in it at exit; 8 buffers in rotation. */
const char *fixture_path(const char *parent, const char *name);

/* Number of entries of a folder other than . and .., -1 when it cannot be read; names[] (may
 * be NULL) receives up to capacity malloc'd names. */
int list_dir(const char *dir, char **names, size_t capacity);

/* A raw NRRD as ITK writes it: type "short", "unsigned char" or "float"; dim 2 or 3. */
int write_nrrd(const char *path, const char *type, int dim, const size_t size[3],
               const double spacing[3], const double origin[3], const void *data);

#ifdef __cplusplus
}
#endif

#endif
