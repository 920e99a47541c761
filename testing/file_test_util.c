/* File and process helpers of the tests (file_test_util.h). */
#define _GNU_SOURCE /* strdup, mkstemp */
#include "file_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* argv, or argv behind the words of LOBEDICE_TEST_WRAPPER for LobeDice (malloc'd array; the
 * words point into a static copy of the variable). */
static const char **wrapped(const char *const *argv)
{
    static char words[1024];
    size_t n = 0;
    while (argv[n])
        n++;
    const char *wrapper = getenv("LOBEDICE_TEST_WRAPPER");
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    const char **out = calloc(n + 64, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    if (wrapper && *wrapper && strncmp(base, "LobeDice", 8) == 0) {
        snprintf(words, sizeof words, "%s", wrapper);
        for (char *save = NULL, *w = strtok_r(words, " ", &save); w && k < 60;
             w = strtok_r(NULL, " ", &save))
            out[k++] = w;
    }
    for (size_t i = 0; i <= n; i++)
        out[k + i] = argv[i];
    return out;
}

static int run_child(run_result *r, const char *const *argv, long max_file_bytes, int sig,
                     int (*trigger)(const char *, const char *), const char *folder)
{
    memset(r, 0, sizeof *r);
    /* Output goes to unlinked temporary files: no pipe can fill up and block the child. */
    char out_name[] = "/tmp/lobedice-cli-out-XXXXXX", err_name[] = "/tmp/lobedice-cli-err-XXXXXX";
    int out = mkstemp(out_name), err = mkstemp(err_name);
    const char **full = wrapped(argv);
    if (out < 0 || err < 0 || !full)
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
        if (max_file_bytes > 0) {
            struct rlimit limit = {(rlim_t)max_file_bytes, (rlim_t)max_file_bytes};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &limit);
        }
        execvp(full[0], (char *const *)full);
        fprintf(stderr, "cannot run %s: %s\n", full[0], strerror(errno));
        _exit(127);
    }
    free(full);
    int status, sent = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, trigger ? WNOHANG : 0);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            return -1;
        char printed[4096];
        ssize_t n = trigger && !sent ? pread(out, printed, sizeof printed - 1, 0) : 0;
        printed[n > 0 ? n : 0] = '\0';
        if (trigger && !sent && trigger(folder, printed)) {
            kill(pid, sig);
            sent = 1;
        }
        if (trigger)
            usleep(1000);
    }
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out = slurp_fd(out, &r->out_len);
    r->err = slurp_fd(err, &r->err_len);
    close(out);
    close(err);
    return r->out && r->err ? 0 : -1;
}

int run_program(run_result *r, const char *const *argv)
{
    return run_child(r, argv, 0, 0, NULL, NULL);
}

int run_program_limited(run_result *r, const char *const *argv, long max_file_bytes)
{
    return run_child(r, argv, max_file_bytes, 0, NULL, NULL);
}

int run_program_signalled(run_result *r, const char *const *argv, int sig,
                          int (*trigger)(const char *folder, const char *out), const char *folder)
{
    return run_child(r, argv, 0, sig, trigger, folder);
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

const char *path_in(const char *dir, const char *name)
{
    static char paths[16][8192];
    static int next;
    char *p = paths[next];
    next = (next + 1) % 16;
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static char fixture_root[4096];

static void remove_fixture_root(void)
{
    remove_tree(fixture_root);
}

const char *fixture_path(const char *parent, const char *name)
{
    static char paths[8][8192];
    static int next;
    if (!fixture_root[0]) {
        snprintf(fixture_root, sizeof fixture_root, "%s/fixtures-XXXXXX", parent);
        if (!mkdtemp(fixture_root)) {
            fprintf(stderr, "cannot make a fixture folder in %s\n", parent);
            exit(1);
        }
        atexit(remove_fixture_root);
    }
    char *p = paths[next];
    next = (next + 1) % 8;
    snprintf(p, sizeof paths[0], "%s/%s", fixture_root, name);
    return p;
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
