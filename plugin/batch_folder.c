/* The output folder of lobedice-batch: results are built in <out>/.lobedice-next/, which takes
 * the place of <out> in one rename when everything is written, so <out> always holds one whole
 * run: the last one that finished. */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE, nftw */
#include "batch.h"

#include "cli_output.h"
#include "cli_text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int batch_write_file(const char *path, const void *data, size_t len, char *msg, size_t size)
{
    cli_outputs *set = cli_outputs_new();
    int rc = set ? cli_outputs_write_data(set, path, data, len, msg, size)
                 : cli_text_fail(-1, msg, size, "out of memory while writing '%s'", path);
    if (rc == 0)
        rc = cli_outputs_commit(set, msg, size);
    cli_outputs_free(set);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes a folder and everything in it (lobedice-batch's own folders only). */
static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The names lobedice-batch writes into an output folder. */
static int is_ours(const char *name)
{
    static const char *const names[] = {"cases.csv",    "summary.csv",   "summary.json",
                                        "failures.csv", "unmatched.csv", "run.json",
                                        "cases",        "plots",         ".lobedice-next"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return strncmp(name, ".lobedice-", 10) == 0; /* a staged output's private folder */
}

/* Empties a folder but the names of `keep` (NULL-terminated). */
static int empty_folder(const char *dir, const char *const *keep)
{
    DIR *h = opendir(dir);
    if (!h)
        return -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(h)) != NULL) {
        int kept = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
        for (const char *const *k = keep; !kept && *k; k++)
            kept = strcmp(de->d_name, *k) == 0;
        if (kept)
            continue;
        char *path = batch_path_join(dir, de->d_name, "");
        if (!path || remove_tree(path) != 0)
            rc = -1;
        free(path);
    }
    closedir(h);
    return rc;
}

/* Removes what a killed run left staged in a folder (the private folders of lobedice_outputs,
 * with what is in them). */
static void remove_temporaries(const char *dir)
{
    DIR *h = opendir(dir);
    if (!h)
        return;
    struct dirent *de;
    while ((de = readdir(h)) != NULL) {
        if (strncmp(de->d_name, ".lobedice-", 10) != 0)
            continue;
        char *path = batch_path_join(dir, de->d_name, "");
        if (path)
            remove_tree(path);
        free(path);
    }
    closedir(h);
}

static int check_contents(const char *out, char *msg, size_t size)
{
    DIR *h = opendir(out);
    if (!h)
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot read the --out folder '%s': %s",
                             out, CLI_ERRNO_CLAUSE(errno));
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(h)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || is_ours(de->d_name))
            continue;
        rc = cli_text_fail(
            BATCH_EXIT_USAGE, msg, size,
            "the --out folder '%s' holds '%s', which lobedice-batch did not write; give a "
            "new or empty folder (results replace the folder's content whole)",
            out, de->d_name);
    }
    closedir(h);
    return rc;
}

int batch_folder_open(batch_folder *f, const char *out, int keep, char *msg, size_t size)
{
    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    f->out = strndup(out, n);
    if (!f->out)
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "out of memory");
    const char *slash = strrchr(f->out, '/');
    const char *base = slash ? slash + 1 : f->out;
    if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return cli_text_fail(BATCH_EXIT_USAGE, msg, size,
                             "--out expects the name of a results folder, got '%s'", out);
    struct stat st;
    if (stat(f->out, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return cli_text_fail(BATCH_EXIT_USAGE, msg, size, "--out '%s' is a file; give a folder",
                                 out);
        int rc = check_contents(f->out, msg, size);
        if (rc)
            return rc;
    } else if (mkdir(f->out, 0777) != 0) {
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot create the --out folder '%s': %s",
                             out, CLI_ERRNO_CLAUSE(errno));
    }
    f->work = batch_path_join(f->out, ".lobedice-next", "");
    f->cases = f->work ? batch_path_join(f->work, "cases", "") : NULL;
    f->old_cases = batch_path_join(f->out, "cases", "");
    char *lock = f->work ? batch_path_join(f->work, ".lock", "") : NULL;
    if (!f->cases || !f->old_cases || !lock) {
        free(lock);
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "out of memory");
    }
    if (mkdir(f->work, 0777) != 0 && errno != EEXIST) {
        free(lock);
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot create '%s': %s", f->work,
                             CLI_ERRNO_CLAUSE(errno));
    }
    f->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(lock);
    if (f->lock_fd < 0)
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot write into '%s': %s", f->work,
                             CLI_ERRNO_CLAUSE(errno));
    if (flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size,
                             "another lobedice-batch is writing the --out folder '%s'", out);
    /* a killed run's records stay for --resume; anything else is made anew */
    static const char *const lock_only[] = {".lock", NULL};
    static const char *const lock_and_cases[] = {".lock", "cases", NULL};
    if (keep)
        remove_temporaries(f->cases);
    if (empty_folder(f->work, keep ? lock_and_cases : lock_only) != 0) {
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot clear '%s': %s", f->work,
                             CLI_ERRNO_CLAUSE(errno));
    }
    if (mkdir(f->cases, 0777) != 0 && errno != EEXIST)
        return cli_text_fail(BATCH_EXIT_FATAL, msg, size, "cannot create '%s': %s", f->cases,
                             CLI_ERRNO_CLAUSE(errno));
    return 0;
}

int batch_folder_finish(batch_folder *f, char *msg, size_t size)
{
    const char *slash = strrchr(f->out, '/');
    size_t len = strlen(f->out) + 64;
    char *staged = malloc(len);
    if (!staged)
        return cli_text_fail(-1, msg, size, "out of memory");
    snprintf(staged, len, "%.*s.%s.lobedice-%ld", slash ? (int)(slash - f->out + 1) : 0, f->out,
             slash ? slash + 1 : f->out, (long)getpid());
    char *lock = batch_path_join(f->work, ".lock", "");
    if (lock)
        unlink(lock); /* the lock stays held on the open file until close */
    free(lock);
    int rc = 0;
    if (rename(f->work, staged) != 0) {
        rc = cli_text_fail(-1, msg, size, "cannot move the results into '%s': %s", f->out,
                           CLI_ERRNO_CLAUSE(errno));
    } else if (renameat2(AT_FDCWD, staged, AT_FDCWD, f->out, RENAME_EXCHANGE) != 0) {
        /* a file system without the exchange: two renames, the old results moved aside first */
        char *aside = malloc(len + 8);
        if (aside)
            snprintf(aside, len + 8, "%s-old", staged);
        if (!aside || rename(f->out, aside) != 0) {
            rc = cli_text_fail(-1, msg, size, "cannot replace '%s': %s", f->out,
                               aside ? CLI_ERRNO_CLAUSE(errno) : "out of memory");
        } else if (rename(staged, f->out) != 0) {
            rc = cli_text_fail(-1, msg, size, "cannot replace '%s': %s", f->out,
                               CLI_ERRNO_CLAUSE(errno));
            rename(aside, f->out);
        } else {
            rename(aside, staged); /* the old results, to remove below */
        }
        free(aside);
    }
    if (rc == 0)
        remove_tree(staged); /* the old results (their .lobedice-next went into place) */
    free(staged);
    return rc;
}

void batch_folder_close(batch_folder *f)
{
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    free(f->out);
    free(f->work);
    free(f->cases);
    free(f->old_cases);
    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
}
