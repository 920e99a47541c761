/* All-or-nothing outputs: temporary files beside the targets, renamed together at the end. */
#define _POSIX_C_SOURCE 200809L
#include "cli_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct cli_output {
    char *target, *temp;
    int committed;
} cli_output;

struct cli_outputs {
    cli_output *items;
    size_t count, cap;
};

cli_outputs *cli_outputs_new(void)
{
    return calloc(1, sizeof(cli_outputs));
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
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    size_t n = strlen(target) + 64;
    char *temp = malloc(n), *copy = strdup(target);
    if (!temp || !copy) {
        free(temp);
        free(copy);
        return NULL;
    }
    snprintf(temp, n, "%.*s.lobedice-%ld-%zu-%s", (int)dir_len, target, (long)getpid(), set->count,
             target + dir_len);
    set->items[set->count++] = (cli_output){copy, temp, 0};
    return temp;
}

int cli_outputs_write_text(cli_outputs *set, const char *target, const char *text, char *msg,
                           size_t size)
{
    const char *temp = cli_outputs_reserve(set, target);
    if (!temp) {
        snprintf(msg, size, "out of memory while preparing '%s'", target);
        return -1;
    }
    FILE *f = fopen(temp, "wb");
    if (!f) {
        snprintf(msg, size, "cannot write '%s': %s", target, strerror(errno));
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
        snprintf(msg, size, "cannot write '%s': %s", target, strerror(err));
        return -1; /* the temporary file is removed by cli_outputs_free */
    }
    return 0;
}

int cli_outputs_commit(cli_outputs *set, char *msg, size_t size)
{
    for (size_t i = 0; i < set->count; i++) {
        if (rename(set->items[i].temp, set->items[i].target) == 0) {
            set->items[i].committed = 1;
            continue;
        }
        snprintf(msg, size, "cannot create '%s': %s", set->items[i].target, strerror(errno));
        for (size_t j = 0; j < i; j++) { /* this run's earlier outputs go too */
            remove(set->items[j].target);
            set->items[j].committed = 0;
            set->items[j].temp[0] = '\0'; /* nothing left to remove */
        }
        return -1;
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
    }
    free(set->items);
    free(set);
}
