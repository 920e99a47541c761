/* A minimal fork-join pool: threads live for one call only, so the library keeps no state. */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct ld_pool {
    ld_worker_task_fn task;
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
} ld_pool;

/* One started thread: its id and the worker index it passes to the tasks. */
typedef struct ld_thread {
    pthread_t id;
    ld_pool *pool;
    size_t worker;
} ld_thread;

static void ld_work(ld_pool *pool, size_t worker)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (t >= pool->ntasks)
            break;
        pool->task(pool->ctx, t, worker);
    }
}

static void *ld_thread_main(void *arg)
{
    ld_thread *self = arg;
    ld_work(self->pool, self->worker);
    return NULL;
}

size_t ld_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

size_t ld_resolve_threads(size_t threads, size_t ntasks)
{
    size_t n = threads ? threads : ld_cpu_count();
    if (n > ntasks)
        n = ntasks;
    return n ? n : 1;
}

void ld_parallel_for_workers(size_t threads, size_t ntasks, ld_worker_task_fn task, void *ctx)
{
    if (ntasks == 0)
        return;
    ld_pool pool = {.task = task, .ctx = ctx, .ntasks = ntasks};
    atomic_init(&pool.next, 0);
    size_t extra = ld_resolve_threads(threads, ntasks) - 1, bytes;
    ld_thread *started_threads =
        extra && ld_mul_size(extra, sizeof *started_threads, &bytes) ? malloc(bytes) : NULL;
    size_t started = 0;
    if (started_threads) {
        for (; started < extra; started++) {
            ld_thread *t = &started_threads[started];
            t->pool = &pool;
            t->worker = started + 1; /* the calling thread is worker 0 */
            if (pthread_create(&t->id, NULL, ld_thread_main, t) != 0)
                break;
        }
    }
    ld_work(&pool, 0);
    for (size_t i = 0; i < started; i++)
        pthread_join(started_threads[i].id, NULL);
    free(started_threads);
}

/* ld_parallel_for's task, called through the worker-index interface. */
typedef struct ld_plain {
    ld_task_fn task;
    void *ctx;
} ld_plain;

static void ld_plain_task(void *ctx, size_t task, size_t worker)
{
    (void)worker;
    const ld_plain *plain = ctx;
    plain->task(plain->ctx, task);
}

void ld_parallel_for(size_t threads, size_t ntasks, ld_task_fn task, void *ctx)
{
    ld_plain plain = {.task = task, .ctx = ctx};
    ld_parallel_for_workers(threads, ntasks, ld_plain_task, &plain);
}
