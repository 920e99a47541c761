/* All-or-nothing outputs of the command line, over lobedice_outputs (cli_output.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_output.h"
#include "cli_text.h"

#include "cli_signals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_outputs {
    lobedice_outputs *set;
};

cli_outputs *cli_outputs_new(void)
{
    cli_outputs *out = calloc(1, sizeof *out);
    if (out && lobedice_outputs_new(&out->set) != LOBEDICE_OK) {
        free(out);
        return NULL;
    }
    if (out)
        cli_signals_watch(out->set);
    return out;
}

const char *cli_outputs_stage(cli_outputs *out, const char *target, char *msg, size_t size)
{
    const char *temp = NULL;
    if (lobedice_outputs_stage(out->set, target, &temp, msg, size) != LOBEDICE_OK) {
        cli_text_clause(msg);
        return NULL;
    }
    return temp;
}

int cli_outputs_write_text(cli_outputs *out, const char *target, const char *text, char *msg,
                           size_t size)
{
    return cli_outputs_write_data(out, target, text, strlen(text), msg, size);
}

int cli_outputs_write_data(cli_outputs *out, const char *target, const void *data, size_t len,
                           char *msg, size_t size)
{
    const char *temp = cli_outputs_stage(out, target, msg, size);
    if (!temp)
        return -1;
    FILE *f = fopen(temp, "wb");
    if (!f) {
        snprintf(msg, size, "cannot write '%s': %s", target, CLI_ERRNO_CLAUSE(errno));
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        snprintf(msg, size, "cannot write '%s': %s", target, CLI_ERRNO_CLAUSE(err));
        return -1; /* the staged file is removed by cli_outputs_free */
    }
    return 0;
}

int cli_outputs_write_image(cli_outputs *out, const char *target, const char *what,
                            const lobedice_image *image, const lobedice_segment *segments,
                            size_t nsegments, char *msg, size_t size)
{
    char why[2048] = "";
    const lobedice_status st =
        segments ? lobedice_image_write_segmentation_staged(image, segments, nsegments, out->set,
                                                            target, 0, why, sizeof why)
                 : lobedice_image_write_staged(image, out->set, target, 0, why, sizeof why);
    if (st == LOBEDICE_OK)
        return 0;
    cli_text_clause(why);
    snprintf(msg, size, "%s: %s", what, why);
    return -1;
}

int cli_outputs_commit(cli_outputs *out, char *msg, size_t size)
{
    if (lobedice_outputs_commit(out->set, msg, size) == LOBEDICE_OK)
        return 0;
    cli_text_clause(msg);
    return -1;
}

void cli_outputs_free(cli_outputs *out)
{
    if (!out)
        return;
    cli_signals_watch(NULL);
    lobedice_outputs_free(out->set);
    free(out);
}
