/* SIGINT, SIGTERM and SIGHUP: the staged outputs are removed and the process ends with status
 * 128 + the signal's number. A thread of its own waits for them (sigwait), so the clean-up may
 * take locks: it waits for a commit step in progress, which then rolls back. */
#ifndef LOBEDICE_CLI_SIGNALS_H
#define LOBEDICE_CLI_SIGNALS_H

#include "lobedice/lobedice_io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Blocks the three signals in the calling thread (so in every thread started after it: call
 * it first in main) and starts the thread that waits for them. Returns 0, or -1 when the thread
 * cannot be started (the signals then keep their default action). */
int cli_signals_start(void);

/* The set whose staged files a signal removes; NULL for none. */
void cli_signals_watch(lobedice_outputs *set);

#ifdef __cplusplus
}
#endif

#endif
