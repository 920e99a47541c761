/* The parameters of plugin/LobeDice.xml as C data, generated at build time by cli_xml_gen.c:
 * the XML is the one source of the command line's names, flags, defaults, help text and
 * enumerations. */
#ifndef LOBEDICE_CLI_FLAGS_H
#define LOBEDICE_CLI_FLAGS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One parameter of the module description; NULL where the XML has no such child. */
typedef struct cli_flag {
    const char *tag;             /* the element: "boolean", "float", "string-enumeration", ... */
    const char *name;            /* <name> */
    const char *longflag;        /* <longflag> without its dashes; NULL for index parameters */
    const char *channel;         /* "input" or "output" */
    const char *label;           /* <label>, the GUI's name for it */
    const char *description;     /* <description>, the help text */
    const char *default_value;   /* <default> */
    const char *minimum;         /* <constraints><minimum> */
    const char *maximum;         /* <constraints><maximum> */
    const char *file_extensions; /* the fileExtensions attribute */
    const char *group;           /* the <label> of its <parameters> group */
    const char *const *elements; /* an enumeration's <element>s, NULL-terminated; else NULL */
    int index;                   /* <index>, or -1 for a flagged parameter */
} cli_flag;

extern const cli_flag cli_flags[];
extern const size_t cli_nflags;

/* The XML itself, byte for byte (what `LobeDice --xml` prints), NUL-terminated. */
extern const unsigned char lobedice_cli_xml[];
extern const size_t lobedice_cli_xml_size;

#ifdef __cplusplus
}
#endif

#endif
