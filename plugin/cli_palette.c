/* The palette (cli_palette.h). */
#include "cli_palette.h"

cli_rgb cli_label_color(size_t k)
{
    static const cli_rgb generic_colors[] = {
        {128, 174, 128}, {241, 214, 145}, {177, 122, 101}, {111, 184, 210}, {216, 101, 79},
        {221, 130, 101}, {144, 238, 144}, {192, 104, 88},  {220, 245, 20},  {78, 63, 0}};
    const size_t n = sizeof generic_colors / sizeof *generic_colors;
    return generic_colors[(k ? k - 1 : 0) % n];
}

const cli_rgb cli_missed_color = {255, 0, 255}, cli_extra_color = {255, 230, 0};
