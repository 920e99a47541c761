/* All-or-nothing outputs: temporary files beside the targets, renamed together at the end; a
 * file that was there before is moved aside first and put back if anything fails. */
#define _POSIX_C_SOURCE 200809L
#include "cli_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cli_output {
    char *target, *temp, *backup;
    int committed; /* temp renamed onto target */
    int backed_up; /* the earlier target renamed to backup */
} cli_output;

struct cli_outputs {
    cli_output *items;
    size_t count, cap;
};

/* strerror(err) as a clause ("no such file or directory"), like lobedice_io's reasons. */
static const char *reason(char *buf, size_t size, int err)
{
    snprintf(buf, size, "%s", strerror(err));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

cli_outputs *cli_outputs_new(void)
{
    return calloc(1, sizeof(cli_outputs));
}

/* "<folder>/.lobedice-<pid>-<n>-<role><name>" beside target (malloc'd). */
static char *sibling_name(const char *target, size_t n, const char *role)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    size_t size = strlen(target) + strlen(role) + 64;
    char *name = malloc(size);
    if (name)
        snprintf(name, size, "%.*s.lobedice-%ld-%zu-%s%s", (int)dir_len, target, (long)getpid(), n,
                 role, target + dir_len);
    return name;
}

const char *cli_outputs_reserve(cli_outputs *set, const char *target)
{
    if (set->count == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 8;
        cli_output *grown = realloc(set->items, cap * sizeof *grown);
        if (!grown)
            return NULL;
        set->items = grown;
        set->cap = cap;
    }
    char *copy = strdup(target), *temp = sibling_name(target, set->count, ""),
         *backup = sibling_name(target, set->count, "backup-");
    if (!copy || !temp || !backup) {
        free(copy);
        free(temp);
        free(backup);
        return NULL;
    }
    set->items[set->count++] = (cli_output){copy, temp, backup, 0, 0};
    return temp;
}

int cli_outputs_write_text(cli_outputs *set, const char *target, const char *text, char *msg,
                           size_t size)
{
    char why[128];
    const char *temp = cli_outputs_reserve(set, target);
    if (!temp) {
        snprintf(msg, size, "out of memory while preparing '%s'", target);
        return -1;
    }
    FILE *f = fopen(temp, "wb");
    if (!f) {
        snprintf(msg, size, "cannot write '%s': %s", target, reason(why, sizeof why, errno));
        return -1;
    }
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        snprintf(msg, size, "cannot write '%s': %s", target, reason(why, sizeof why, err));
        return -1; /* the temporary file is removed by cli_outputs_free */
    }
    return 0;
}

/* Undoes a failed commit: this run's files leave the targets and the earlier files come back.
 * A backup that cannot be put back stays where it is, named in msg (never removed). */
static void roll_back(cli_outputs *set, char *msg, size_t size)
{
    for (size_t i = set->count; i-- > 0;) {
        cli_output *o = &set->items[i];
        if (o->committed) {
            remove(o->target);
            o->committed = 0;
            o->temp[0] = '\0'; /* renamed, then removed: nothing left to remove */
        }
        if (o->backed_up && rename(o->backup, o->target) == 0)
            o->backed_up = 0;
        if (o->backed_up) {
            size_t n = strlen(msg);
            snprintf(msg + n, size > n ? size - n : 0, "; the earlier '%s' is kept as '%s'",
                     o->target, o->backup);
        }
    }
}

int cli_outputs_commit(cli_outputs *set, char *msg, size_t size)
{
    char why[128];
    for (size_t i = 0; i < set->count; i++) { /* move the earlier files aside */
        cli_output *o = &set->items[i];
        struct stat st;
        if (lstat(o->target, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) { /* cli_check_paths refuses this; it may appear since */
            snprintf(msg, size, "cannot create '%s': it is a folder", o->target);
            roll_back(set, msg, size);
            return -1;
        }
        if (rename(o->target, o->backup) != 0) {
            snprintf(msg, size, "cannot replace '%s': %s", o->target,
                     reason(why, sizeof why, errno));
            roll_back(set, msg, size);
            return -1;
        }
        o->backed_up = 1;
    }
    for (size_t i = 0; i < set->count; i++) {
        cli_output *o = &set->items[i];
        if (rename(o->temp, o->target) != 0) {
            snprintf(msg, size, "cannot create '%s': %s", o->target,
                     reason(why, sizeof why, errno));
            roll_back(set, msg, size);
            return -1;
        }
        o->committed = 1;
    }
    for (size_t i = 0; i < set->count; i++) { /* all in place: the earlier files go */
        cli_output *o = &set->items[i];
        if (o->backed_up && unlink(o->backup) == 0)
            o->backed_up = 0;
    }
    return 0;
}

void cli_outputs_free(cli_outputs *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        if (!set->items[i].committed && set->items[i].temp[0])
            remove(set->items[i].temp); /* may not exist: the write failed before creating it */
        free(set->items[i].target);
        free(set->items[i].temp);
        free(set->items[i].backup);
    }
    free(set->items);
    free(set);
}
