/* Fuzz target: the command-line parser (plugin/cli_options.c) and the text escaping of
 * messages (plugin/cli_text.c) on arbitrary argument vectors: the input is split at NUL bytes
 * into arguments. A parse error must leave one sentence without a line break once escaped. */
#include "cli_options.h"
#include "cli_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *argv[66];
    int argc = 0;
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = (char *)"LobeDice";
    for (char *p = copy; argc < 65 && p <= copy + size; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    cli_options opts;
    char msg[2048];
    if (cli_parse(&opts, argc, argv, msg, sizeof msg) != 0) {
        char line[4 * sizeof msg];
        cli_text_escape_into(line, sizeof line, msg);
        if (strchr(line, '\n') || strchr(line, '\r'))
            __builtin_trap();
    }
    cli_options_free(&opts);
    free(copy);
    return 0;
}
