/* Text that reaches a person or a file as it came from the user (file names, label names,
 * messages that quote them) is made valid UTF-8 on one line: every byte that is not part of a
 * valid UTF-8 character, and every control character, becomes "\xHH". */
#ifndef LOBEDICE_CLI_TEXT_H
#define LOBEDICE_CLI_TEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The escaped copy of s (malloc'd; NULL when out of memory). */
char *cli_text_escape(const char *s);

/* The escaped copy of s into buf (truncated at a character boundary, always terminated). */
void cli_text_escape_into(char *buf, size_t size, const char *s);

#ifdef __cplusplus
}
#endif

#endif
