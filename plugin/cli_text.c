/* UTF-8 escaping of user text (cli_text.h). */
#include "cli_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 character at s (1 to 4), or 0 when s starts no valid character
 * (overlong forms, surrogates and values past U+10FFFF are invalid). Control characters are
 * reported invalid too, so that they are escaped. */
static size_t valid_char(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
        return 0; /* C1 control characters */
    return n;
}

void cli_text_escape_into(char *buf, size_t size, const char *s)
{
    if (size == 0)
        return;
    size_t used = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = valid_char(p);
        char piece[8];
        size_t len = n;
        if (n)
            memcpy(piece, p, n);
        else
            len = (size_t)snprintf(piece, sizeof piece, "\\x%02X", *p);
        if (used + len + 1 > size)
            break;
        memcpy(buf + used, piece, len);
        used += len;
        p += n ? n : 1;
    }
    buf[used] = '\0';
}

char *cli_text_escape(const char *s)
{
    size_t size = 4 * strlen(s) + 1; /* at most "\xHH" per byte */
    char *out = malloc(size);
    if (out)
        cli_text_escape_into(out, size, s);
    return out;
}

size_t cli_text_columns(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80; /* continuation bytes add no column */
    return n;
}

int cli_text_fail(int status, char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return status;
}

char *cli_text_clause(char *text)
{
    if (text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z'))
        text[0] = (char)(text[0] - 'A' + 'a');
    size_t n = strlen(text);
    if (n && text[n - 1] == '.')
        text[n - 1] = '\0';
    return text;
}

const char *cli_text_errno(char *buf, size_t size, int err)
{
    snprintf(buf, size, "%s", strerror(err));
    return cli_text_clause(buf);
}

void cli_text_print_sentence(FILE *out, const char *program, const char *msg)
{
    char *line = cli_text_escape(msg);
    const char *text = line ? line : "out of memory";
    size_t n = strlen(text);
    while (n && (text[n - 1] == '.' || text[n - 1] == ' '))
        n--;
    fprintf(out, "%s: %.*s.\n", program, (int)n, text);
    free(line);
}
