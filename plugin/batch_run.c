/* Running the cases of lobedice-batch: up to `jobs` cases at once, each in a process of its own
 * (this program started again as the worker of one case) that runs the pipeline of LobeDice
 * (cli_case_run) on `threads` threads and writes the case's record before it ends. A process per
 * case keeps cases apart: a case that crashes fails alone, its memory goes back to the system when
 * it ends, and image reading (whose library output lobedice_io captures through the process's
 * standard error, one read at a time) runs in parallel. A killed run loses only the cases in
 * flight. Progress goes to standard error: a bar redrawn in place on a terminal, plain lines
 * otherwise. */
#define _GNU_SOURCE /* prctl */
#include "batch.h"

#include "cli_text.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct progress {
    size_t total, done, failed;
    int tty;
    double start;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void clock_text(char *buf, size_t size, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%02ld:%02ld", s / 60, s % 60);
}

/* After a case ended: the bar, or one line. */
static void show_progress(const progress *p, const char *name, const char *failure)
{
    const double elapsed = now() - p->start;
    char took[32], left[32] = "--:--";
    clock_text(took, sizeof took, elapsed);
    if (p->done > 0)
        clock_text(left, sizeof left, elapsed / (double)p->done * (double)(p->total - p->done));
    if (p->tty) {
        enum { WIDTH = 30 };
        char bar[WIDTH + 1];
        size_t full = p->total ? p->done * WIDTH / p->total : WIDTH;
        for (size_t i = 0; i < WIDTH; i++)
            bar[i] = i < full ? '#' : '.';
        bar[WIDTH] = '\0';
        if (failure) /* the reason stays on the screen above the bar */
            fprintf(stderr, "\r\033[Kcase %s failed: %s\n", name, failure);
        fprintf(stderr, "\r\033[K[%s] %zu/%zu done, %zu failed, %s elapsed, %s left", bar, p->done,
                p->total, p->failed, took, left);
        if (p->done == p->total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr,
                "lobedice-batch: %zu/%zu done, %zu failed, %s elapsed, %s left: case %s %s%s\n",
                p->done, p->total, p->failed, took, left, name, failure ? "failed: " : "ok",
                failure ? failure : "");
    }
    fflush(stderr);
}

/* Writes the record of case c: its results, or the failure `failure` when cc is NULL.
 * fingerprint: the inputs as they were when the case was read (NULL: as they are now; a failed
 * case is never kept by --resume). */
static int write_record(const batch_info *info, const batch_folder *f, const batch_case *c,
                        const char *fingerprint, const cli_case *cc, const char *failure, char *msg,
                        size_t size)
{
    char *now = fingerprint ? NULL : batch_fingerprint(info->options_text, c);
    if (!fingerprint)
        fingerprint = now;
    char *path = batch_record_path(f->cases, c->name);
    batch_record rec;
    char *text = NULL;
    if (fingerprint && path && batch_record_make(&rec, c, fingerprint, cc, failure) == 0) {
        text = batch_record_json(&rec);
        batch_record_free(&rec);
    }
    int rc = text ? batch_write_file(path, text, strlen(text), msg, size)
                  : (snprintf(msg, size, "out of memory while recording case '%s'", c->name), -1);
    free(text);
    free(path);
    free(now);
    return rc;
}

int batch_run_one(const batch_info *info, const cli_options *opts, const batch_folder *f,
                  const batch_case *c, size_t threads, char *msg, size_t size)
{
    char failure[BATCH_MSG_SIZE] = "";
    /* before the inputs are read: a file changed meanwhile is not mistaken for the one compared */
    char *fingerprint = batch_fingerprint(info->options_text, c);
    if (!fingerprint) {
        snprintf(msg, size, "out of memory while recording case '%s'", c->name);
        return -1;
    }
    cli_case cc;
    memset(&cc, 0, sizeof cc);
    int rc = cli_case_run(&cc, opts, c->reference, c->prediction, threads, NULL, NULL, failure,
                          sizeof failure);
    int wrc = write_record(info, f, c, fingerprint, rc == 0 ? &cc : NULL, failure, msg, size);
    cli_case_free(&cc);
    free(fingerprint);
    return wrc;
}

/* Starts the process of case c: this program again (a fresh process, not a copy of this one,
 * whose threads and locks it would inherit), as the worker of that one case. */
static pid_t start_worker(const batch_folder *f, const batch_case *c, const batch_plan *plan)
{
    char threads[32];
    snprintf(threads, sizeof threads, "%zu", plan->threads);
    const size_t fixed = 11;
    char **argv = calloc(fixed + plan->nflag_words + 1, sizeof *argv);
    if (!argv)
        return -1;
    size_t n = 0;
    argv[n++] = "lobedice-batch";
    argv[n++] = "--" BATCH_WORKER_FLAG;
    argv[n++] = c->name;
    argv[n++] = "--worker-reference";
    argv[n++] = c->reference;
    argv[n++] = "--worker-prediction";
    argv[n++] = c->prediction;
    argv[n++] = "--worker-records";
    argv[n++] = f->cases;
    argv[n++] = "--threads";
    argv[n++] = threads;
    for (size_t i = 0; i < plan->nflag_words; i++)
        argv[n++] = plan->flag_words[i];
    fflush(NULL); /* the child must not inherit unflushed output */
    pid_t pid = fork();
    if (pid == 0) {
        /* The parent waits for signals in a thread of its own (cli_signals.h); the worker takes
         * them as they come, and ends with its parent. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    free(argv);
    return pid;
}

/* A child that ended: whether its case failed, and why, from the record it wrote; a child that
 * did not write one (it crashed or was killed) gets a failure record written here. Returns 0,
 * or -1 with a sentence when no record can be had. */
static int collect(const batch_info *info, const batch_folder *f, const batch_case *c, int status,
                   int *failed, char *failure, size_t fsize, char *msg, size_t size)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == BATCH_EXIT_FATAL) {
        snprintf(msg, size, "the record of case '%s' could not be written (see above)", c->name);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        char *path = batch_record_path(f->cases, c->name);
        batch_record rec;
        int rc = path ? batch_record_load(&rec, path, msg, size) : -1;
        free(path);
        if (rc != 0)
            return -1;
        *failed = rec.failed;
        snprintf(failure, fsize, "%s", rec.message);
        batch_record_free(&rec);
        return 0;
    }
    if (WIFSIGNALED(status))
        snprintf(failure, fsize, "the comparison ended abnormally (signal %d, %s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(failure, fsize, "the comparison ended abnormally (exit status %d)",
                 WEXITSTATUS(status));
    *failed = 1;
    return write_record(info, f, c, NULL, NULL, failure, msg, size);
}

int batch_run_cases(const batch_info *info, const size_t *todo, size_t ntodo, const batch_folder *f,
                    const batch_plan *plan, char *msg, size_t size)
{
    progress p = {ntodo, 0, 0, isatty(STDERR_FILENO), now()};
    const size_t jobs = plan->jobs ? plan->jobs : 1;
    pid_t *pids = calloc(jobs, sizeof *pids);
    size_t *slot_case = calloc(jobs, sizeof *slot_case);
    if (!pids || !slot_case) {
        free(pids);
        free(slot_case);
        snprintf(msg, size, "out of memory");
        return -1;
    }
    size_t next = 0, running = 0;
    int rc = 0;
    char failure[BATCH_MSG_SIZE], shown[2 * BATCH_MSG_SIZE];
    while (running > 0 || (rc == 0 && next < ntodo)) {
        while (rc == 0 && running < jobs && next < ntodo) {
            size_t slot = 0;
            while (pids[slot])
                slot++;
            const batch_case *c = &info->data.cases[todo[next]];
            pid_t pid = c->problem ? 0 : start_worker(f, c, plan);
            if (c->problem) { /* nothing to run: the case fails with its reason */
                int failed = 1;
                if (write_record(info, f, c, NULL, NULL, c->problem, msg, size) != 0) {
                    rc = -1;
                    break;
                }
                next++;
                p.done++;
                p.failed += failed;
                cli_text_escape_into(shown, sizeof shown, c->problem);
                show_progress(&p, c->name, shown);
                continue;
            }
            if (pid < 0) {
                snprintf(msg, size, "cannot start the process of case '%s': %s", c->name,
                         CLI_ERRNO_CLAUSE(errno));
                rc = -1;
                break;
            }
            pids[slot] = pid;
            slot_case[slot] = todo[next++];
            running++;
        }
        if (running == 0)
            break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            snprintf(msg, size, "waiting for the cases failed: %s", CLI_ERRNO_CLAUSE(errno));
            rc = -1;
            break;
        }
        size_t slot = 0;
        while (slot < jobs && pids[slot] != pid)
            slot++;
        if (slot == jobs)
            continue; /* not one of ours */
        pids[slot] = 0;
        running--;
        const batch_case *c = &info->data.cases[slot_case[slot]];
        int failed = 0;
        char why[BATCH_MSG_SIZE];
        if (collect(info, f, c, status, &failed, failure, sizeof failure, why, sizeof why) != 0) {
            if (rc == 0) /* the first error is the one reported; the others end first */
                snprintf(msg, size, "%s", why);
            rc = -1;
            continue;
        }
        p.done++;
        p.failed += failed;
        cli_text_escape_into(shown, sizeof shown, failure);
        show_progress(&p, c->name, failed ? shown : NULL);
    }
    free(pids);
    free(slot_case);
    return rc;
}
