/* The signal thread of the command line (cli_signals.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static lobedice_outputs *watched;

static void signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

static void *wait_for_signals(void *unused)
{
    (void)unused;
    sigset_t set;
    signal_set(&set);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    /* Held until the end: the set cannot be freed under us, and no second clean-up starts. */
    pthread_mutex_lock(&watch_lock);
    lobedice_outputs_abandon(watched);
    _exit(128 + sig);
}

int cli_signals_start(void)
{
    sigset_t set;
    signal_set(&set);
    pthread_t thread;
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    if (pthread_create(&thread, NULL, wait_for_signals, NULL) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        return -1;
    }
    pthread_detach(thread);
    return 0;
}

void cli_signals_watch(lobedice_outputs *set)
{
    pthread_mutex_lock(&watch_lock);
    watched = set;
    pthread_mutex_unlock(&watch_lock);
}
