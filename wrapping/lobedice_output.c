/* All-or-nothing output files (lobedice_io.h): each output is written under its own name in a
 * private folder beside its target and every one is renamed into place only at the commit. The
 * folder is what makes an interrupt safe: once it is removed, a writer still running in another
 * thread cannot create the file again. A file already at
 * a target is kept as a hard link (a backup) until the commit cannot fail any more, so a failed
 * or interrupted commit puts every earlier file back. The one atomic-write path of LobeDice:
 * lobedice_image_write and the command line's outputs both go through it. */
#define _POSIX_C_SOURCE 200809L
#include "lobedice/lobedice_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct staged {
    char *target, *folder, *temp; /* temp: <folder>/<target's name>; "" once gone */
    char *backup;                 /* NULL when the target did not exist */
    int renamed;                  /* temp is now the target */
    int linked;                   /* backup is a hard link (else the old file was moved there) */
} staged;

struct lobedice_outputs {
    pthread_mutex_t lock; /* held by every operation, so lobedice_outputs_abandon waits for a
                             commit step to finish */
    atomic_int abandoned;
    staged *items;
    size_t count, capacity;
    uint64_t random;
};

/* "<what> '<path>': <reason>." into the caller's buffer; a clause from errno. */
static void say(char *message, size_t size, const char *what, const char *path, int err)
{
    if (!message || size == 0)
        return;
    char reason[160];
    snprintf(reason, sizeof reason, "%s", strerror(err));
    if (reason[0] >= 'A' && reason[0] <= 'Z' && !(reason[1] >= 'A' && reason[1] <= 'Z'))
        reason[0] = (char)(reason[0] - 'A' + 'a');
    snprintf(message, size, "%s '%s': %s.", what, path, reason);
}

static uint64_t next_random(lobedice_outputs *set)
{
    /* xorshift64*: names need only differ; O_EXCL and link() make them unique */
    uint64_t x = set->random;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    set->random = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* A new name beside target: "<folder>/.lobedice-<8 hex><suffix>" (short, so it fits any
 * folder's NAME_MAX). malloc'd; NULL when out of memory. */
static char *sibling_name(lobedice_outputs *set, const char *target, const char *suffix)
{
    const char *slash = strrchr(target, '/');
    const int folder_len = slash ? (int)(slash - target) + 1 : 0;
    const size_t size = (size_t)folder_len + sizeof ".lobedice-12345678" + strlen(suffix);
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%.*s.lobedice-%08x%s", folder_len, target,
                 (unsigned)(next_random(set) >> 32), suffix);
    return out;
}

/* Removes a private folder and whatever a writer left in it. A writer in another thread may
 * still create its file until the folder is gone, so empty it until rmdir succeeds. */
static void remove_folder(char *folder)
{
    for (int attempt = 0; folder[0] && attempt < 1000; attempt++) {
        if (rmdir(folder) == 0 || errno == ENOENT)
            break;
        DIR *d = opendir(folder);
        for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[PATH_MAX];
            if (snprintf(path, sizeof path, "%s/%s", folder, e->d_name) < (int)sizeof path)
                unlink(path);
        }
        if (d)
            closedir(d);
    }
    folder[0] = '\0';
}

lobedice_status lobedice_outputs_new(lobedice_outputs **set)
{
    if (!set)
        return LOBEDICE_EINVAL;
    *set = calloc(1, sizeof **set);
    if (!*set)
        return LOBEDICE_ENOMEM;
    if (pthread_mutex_init(&(*set)->lock, NULL) != 0) {
        free(*set);
        *set = NULL;
        return LOBEDICE_ENOMEM;
    }
    atomic_init(&(*set)->abandoned, 0);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    (*set)->random = ((uint64_t)getpid() << 32) ^ (uint64_t)now.tv_nsec ^
                     ((uint64_t)now.tv_sec << 20) ^ (uint64_t)(uintptr_t)*set;
    if ((*set)->random == 0)
        (*set)->random = 1;
    return LOBEDICE_OK;
}

lobedice_status lobedice_outputs_stage(lobedice_outputs *set, const char *target, const char **temp,
                                       char *message, size_t message_size)
{
    if (temp)
        *temp = NULL;
    if (!set || !target || !*target || !temp)
        return LOBEDICE_EINVAL;
    pthread_mutex_lock(&set->lock);
    lobedice_status st = LOBEDICE_OK;
    if (atomic_load(&set->abandoned)) {
        snprintf(message, message_size, "Cannot write '%s': the run was interrupted.", target);
        st = LOBEDICE_EIO;
    } else if (set->count == set->capacity) {
        size_t capacity = set->capacity ? 2 * set->capacity : 8;
        staged *grown = realloc(set->items, capacity * sizeof *grown);
        if (grown) {
            set->items = grown;
            set->capacity = capacity;
        } else {
            st = LOBEDICE_ENOMEM;
        }
    }
    char *copy = NULL, *folder = NULL, *name = NULL;
    if (st == LOBEDICE_OK && !(copy = strdup(target)))
        st = LOBEDICE_ENOMEM;
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    for (int attempt = 0; st == LOBEDICE_OK && attempt < 100; attempt++) {
        free(folder);
        if (!(folder = sibling_name(set, target, ""))) {
            st = LOBEDICE_ENOMEM;
            break;
        }
        if (mkdir(folder, 0700) != 0) {
            if (errno != EEXIST) {
                say(message, message_size, "Cannot create a file beside", target, errno);
                st = LOBEDICE_EIO;
            }
            continue;
        }
        const size_t size = strlen(folder) + strlen(base) + 2;
        if (!(name = malloc(size))) {
            st = LOBEDICE_ENOMEM;
            remove_folder(folder);
            break;
        }
        snprintf(name, size, "%s/%s", folder, base);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            say(message, message_size, "Cannot create", target, errno);
            st = LOBEDICE_EIO;
            remove_folder(folder);
            break;
        }
        close(fd);
        set->items[set->count++] = (staged){copy, folder, name, NULL, 0, 0};
        *temp = name;
        pthread_mutex_unlock(&set->lock);
        return LOBEDICE_OK;
    }
    if (st == LOBEDICE_ENOMEM)
        snprintf(message, message_size, "Cannot write '%s': not enough memory.", target);
    else if (st == LOBEDICE_OK) {
        snprintf(message, message_size, "Cannot write '%s': no free temporary name beside it.",
                 target);
        st = LOBEDICE_EIO;
    }
    free(copy);
    free(folder);
    free(name);
    pthread_mutex_unlock(&set->lock);
    return st;
}

/* Undoes a commit that failed or was interrupted: each target gets its earlier file back (or
 * goes, when there was none). A backup that cannot be put back stays, named in message. */
static void roll_back(lobedice_outputs *set, char *message, size_t size)
{
    for (size_t i = set->count; i-- > 0;) {
        staged *o = &set->items[i];
        if (o->renamed) {
            int back = o->backup ? rename(o->backup, o->target) == 0 : unlink(o->target) == 0;
            o->renamed = 0;
            o->temp[0] = '\0'; /* renamed away: nothing left to remove */
            if (o->backup && back) {
                free(o->backup);
                o->backup = NULL;
            }
        } else if (o->backup &&
                   (o->linked ? unlink(o->backup) == 0 : rename(o->backup, o->target) == 0)) {
            free(o->backup);
            o->backup = NULL;
        }
        if (o->backup && message) {
            size_t n = strlen(message);
            snprintf(message + n, size > n ? size - n : 0, " The earlier '%s' is kept as '%s'.",
                     o->target, o->backup);
        }
    }
}

/* Keeps the file at o->target as o->backup: a hard link, or (where the file system has none)
 * the file itself moved there. */
static int keep_earlier(lobedice_outputs *set, staged *o, char *message, size_t size)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        char *name = sibling_name(set, o->target, "-old");
        if (!name) {
            snprintf(message, size, "Cannot replace '%s': not enough memory.", o->target);
            return -1;
        }
        if (link(o->target, name) == 0) {
            o->backup = name;
            o->linked = 1;
            return 0;
        }
        int err = errno;
        struct stat st;
        if (err != EEXIST && lstat(name, &st) != 0 && rename(o->target, name) == 0) {
            o->backup = name;
            o->linked = 0;
            return 0;
        }
        free(name);
        if (err != EEXIST) {
            say(message, size, "Cannot replace", o->target, err);
            return -1;
        }
    }
    snprintf(message, size, "Cannot replace '%s': no free backup name beside it.", o->target);
    return -1;
}

lobedice_status lobedice_outputs_commit(lobedice_outputs *set, char *message, size_t size)
{
    if (!set)
        return LOBEDICE_EINVAL;
    pthread_mutex_lock(&set->lock);
    int failed = atomic_load(&set->abandoned);
    if (failed)
        snprintf(message, size, "Cannot write the outputs: the run was interrupted.");
    for (size_t i = 0; !failed && i < set->count; i++) { /* keep the earlier files */
        staged *o = &set->items[i];
        struct stat st;
        if (lstat(o->target, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            snprintf(message, size, "Cannot replace '%s': it is a folder.", o->target);
            failed = 1;
        } else {
            failed = keep_earlier(set, o, message, size) != 0;
        }
    }
    for (size_t i = 0; !failed && i < set->count; i++) {
        staged *o = &set->items[i];
        if (rename(o->temp, o->target) != 0) {
            say(message, size, "Cannot create", o->target, errno);
            failed = 1;
        } else {
            o->renamed = 1;
        }
    }
    if (!failed && atomic_load(&set->abandoned)) { /* interrupted: the last moment to undo */
        snprintf(message, size, "Cannot write the outputs: the run was interrupted.");
        failed = 1;
    }
    if (failed) {
        roll_back(set, message, size);
        pthread_mutex_unlock(&set->lock);
        return LOBEDICE_EIO;
    }
    for (size_t i = 0; i < set->count; i++) { /* every output in place: the earlier files go */
        staged *o = &set->items[i];
        if (o->backup && unlink(o->backup) == 0) {
            free(o->backup);
            o->backup = NULL;
        }
        o->temp[0] = '\0';
        remove_folder(o->folder);
    }
    pthread_mutex_unlock(&set->lock);
    return LOBEDICE_OK;
}

void lobedice_outputs_abandon(lobedice_outputs *set)
{
    if (!set)
        return;
    atomic_store(&set->abandoned, 1);
    pthread_mutex_lock(&set->lock);
    for (size_t i = 0; i < set->count; i++) {
        staged *o = &set->items[i];
        if (!o->renamed && o->temp[0]) {
            unlink(o->temp);
            o->temp[0] = '\0';
        }
        remove_folder(o->folder);
    }
    pthread_mutex_unlock(&set->lock);
}

void lobedice_outputs_free(lobedice_outputs *set)
{
    if (!set)
        return;
    lobedice_outputs_abandon(set);
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].target);
        free(set->items[i].folder);
        free(set->items[i].temp);
        free(set->items[i].backup);
    }
    free(set->items);
    pthread_mutex_destroy(&set->lock);
    free(set);
}
