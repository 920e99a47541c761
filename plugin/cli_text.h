/* Text that reaches a person or a file as it came from the user (file names, label names,
 * messages that quote them) is made valid UTF-8 on one line: every byte that is not part of a
 * valid UTF-8 character, and every control character, becomes "\xHH". */
#ifndef LOBEDICE_CLI_TEXT_H
#define LOBEDICE_CLI_TEXT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The escaped copy of s (malloc'd; NULL when out of memory). */
char *cli_text_escape(const char *s);

/* The escaped copy of s into buf (truncated at a character boundary, always terminated). */
void cli_text_escape_into(char *buf, size_t size, const char *s);

/* The terminal columns valid UTF-8 text takes, one per character (what the printed table pads
 * by; lobe and region names hold no double-width characters). */
size_t cli_text_columns(const char *s);

/* A one-sentence message formatted into msg (truncated, always terminated); returns status, so
 * that a parser can `return cli_text_fail(CLI_EXIT_USAGE, msg, size, ...)`. */
int cli_text_fail(int status, char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A sentence made a clause of another, in place: its first letter small (unless the first
 * word is an acronym) and its final full stop dropped. Returns text. */
char *cli_text_clause(char *text);

/* strerror(err) as a clause ("no such file or directory") in buf. */
const char *cli_text_errno(char *buf, size_t size, int err);

/* "<program>: <msg>." on one line of `out`, msg escaped as above and its own final full stop
 * or spaces dropped: the one shape of every error the programs print. */
void cli_text_print_sentence(FILE *out, const char *program, const char *msg);

#ifndef __cplusplus
/* cli_text_errno in a buffer that lives until the end of the calling statement (C only). */
#define CLI_ERRNO_CLAUSE(err) cli_text_errno((char[128]){""}, 128, (err))
#endif

#ifdef __cplusplus
}
#endif

#endif
