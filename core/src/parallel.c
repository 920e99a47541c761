/* A minimal fork-join pool: threads live for one call only, so the library keeps no state. */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct ld_pool {
    ld_task_fn task;
    void *ctx;
    size_t ntasks;
    atomic_size_t next;
} ld_pool;

static void *ld_worker(void *arg)
{
    ld_pool *pool = arg;
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (t >= pool->ntasks)
            break;
        pool->task(pool->ctx, t);
    }
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

void ld_parallel_for(size_t threads, size_t ntasks, ld_task_fn task, void *ctx)
{
    if (ntasks == 0)
        return;
    ld_pool pool = {.task = task, .ctx = ctx, .ntasks = ntasks};
    atomic_init(&pool.next, 0);
    size_t extra = ld_resolve_threads(threads, ntasks) - 1;
    pthread_t *ids = extra ? malloc(extra * sizeof *ids) : NULL;
    size_t started = 0;
    if (ids) {
        while (started < extra && pthread_create(&ids[started], NULL, ld_worker, &pool) == 0)
            started++;
    }
    ld_worker(&pool);
    for (size_t i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    free(ids);
}
