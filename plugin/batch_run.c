/* Running the cases of lobedice-batch: `jobs` workers take the next case, run it with the
 * pipeline of LobeDice (cli_case_run) on `threads` threads, and write its record as soon as it
 * ends, so a killed run loses only the cases in flight. Progress goes to standard error: a bar
 * redrawn in place on a terminal, plain lines otherwise. */
#define _POSIX_C_SOURCE 200809L
#include "batch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct runner {
    const batch_info *info;
    const cli_options *opts;
    const size_t *todo;
    size_t ntodo;
    const batch_folder *folder;
    const batch_plan *plan;
    pthread_mutex_t lock;
    size_t next;     /* the next entry of todo to take */
    size_t done;     /* cases finished */
    size_t failed;   /* of which failed */
    int write_error; /* a record could not be written: stop taking cases */
    char msg[BATCH_MSG_SIZE];
    int tty;
    double start;
} runner;

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

/* Called with the lock held, after a case ended. */
static void show_progress(runner *r, const char *name, const char *failure)
{
    const double elapsed = now() - r->start;
    char took[32], left[32] = "--:--";
    clock_text(took, sizeof took, elapsed);
    if (r->done > 0 && r->done < r->ntodo)
        clock_text(left, sizeof left, elapsed / (double)r->done * (double)(r->ntodo - r->done));
    else if (r->done == r->ntodo)
        clock_text(left, sizeof left, 0);
    if (r->tty) {
        enum { WIDTH = 30 };
        char bar[WIDTH + 1];
        size_t full = r->ntodo ? r->done * WIDTH / r->ntodo : WIDTH;
        for (size_t i = 0; i < WIDTH; i++)
            bar[i] = i < full ? '#' : '.';
        bar[WIDTH] = '\0';
        if (failure) /* the reason stays on the screen above the bar */
            fprintf(stderr, "\r\033[Kcase %s failed: %s\n", name, failure);
        fprintf(stderr, "\r\033[K[%s] %zu/%zu done, %zu failed, %s elapsed, %s left", bar, r->done,
                r->ntodo, r->failed, took, left);
        if (r->done == r->ntodo)
            fputc('\n', stderr);
    } else {
        fprintf(stderr,
                "lobedice-batch: %zu/%zu done, %zu failed, %s elapsed, %s left: case %s %s%s\n",
                r->done, r->ntodo, r->failed, took, left, name, failure ? "failed: " : "ok",
                failure ? failure : "");
    }
    fflush(stderr);
}

/* Runs one case and writes its record. Returns 0 when the record is written (whether the case
 * failed or not). */
static int run_one(runner *r, const batch_case *c, int *failed, char *failure, size_t fsize,
                   char *msg, size_t size)
{
    char *fingerprint = batch_fingerprint(r->info->options_text, c);
    char *path = batch_record_path(r->folder->cases, c->name);
    if (!fingerprint || !path) {
        free(fingerprint);
        free(path);
        snprintf(msg, size, "out of memory");
        return -1;
    }
    cli_case cc;
    int rc = 0;
    failure[0] = '\0';
    if (c->problem) {
        snprintf(failure, fsize, "%s", c->problem);
        memset(&cc, 0, sizeof cc);
        rc = 1;
    } else {
        rc = cli_case_run(&cc, r->opts, c->reference, c->prediction, r->plan->threads, NULL, NULL,
                          failure, fsize);
    }
    *failed = rc != 0;
    batch_record rec;
    char *text = NULL;
    if (batch_record_make(&rec, c, fingerprint, rc ? NULL : &cc, failure) == 0) {
        text = batch_record_json(&rec);
        batch_record_free(&rec);
    }
    cli_case_free(&cc);
    int wrc = text ? batch_write_file(path, text, strlen(text), msg, size)
                   : (snprintf(msg, size, "out of memory while recording case '%s'", c->name), -1);
    free(text);
    free(path);
    free(fingerprint);
    return wrc;
}

static void *worker(void *arg)
{
    runner *r = arg;
    char failure[BATCH_MSG_SIZE], msg[BATCH_MSG_SIZE];
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (r->write_error || r->next == r->ntodo) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        const batch_case *c = &r->info->data.cases[r->todo[r->next++]];
        pthread_mutex_unlock(&r->lock);
        int failed = 0;
        int rc = run_one(r, c, &failed, failure, sizeof failure, msg, sizeof msg);
        pthread_mutex_lock(&r->lock);
        if (rc != 0 && !r->write_error) {
            r->write_error = 1;
            snprintf(r->msg, sizeof r->msg, "%s", msg);
        }
        if (rc == 0) {
            r->done++;
            r->failed += failed;
            show_progress(r, c->name, failed ? failure : NULL);
        }
        pthread_mutex_unlock(&r->lock);
    }
}

int batch_run_cases(const batch_info *info, const cli_options *opts, const size_t *todo,
                    size_t ntodo, const batch_folder *f, const batch_plan *plan, char *msg,
                    size_t size)
{
    runner r;
    memset(&r, 0, sizeof r);
    r.info = info;
    r.opts = opts;
    r.todo = todo;
    r.ntodo = ntodo;
    r.folder = f;
    r.plan = plan;
    r.tty = isatty(STDERR_FILENO);
    r.start = now();
    pthread_mutex_init(&r.lock, NULL);
    size_t jobs = plan->jobs < ntodo ? plan->jobs : ntodo;
    pthread_t *threads = calloc(jobs ? jobs : 1, sizeof *threads);
    size_t started = 0;
    if (threads)
        for (; started + 1 < jobs; started++)
            if (pthread_create(&threads[started], NULL, worker, &r) != 0)
                break; /* fewer workers: slower, not wrong */
    worker(&r);        /* the calling thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&r.lock);
    if (r.write_error) {
        snprintf(msg, size, "%s", r.msg);
        return -1;
    }
    return 0;
}
