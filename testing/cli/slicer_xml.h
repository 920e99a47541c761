/* The parameters of a Slicer CLI module description, read with libxml2 the way Slicer's
 * ModuleDescriptionParser reads them (name taken from longflag when missing, leading dashes
 * stripped), and the command line Slicer builds from them. */
#ifndef LOBEDICE_SLICER_XML_H
#define LOBEDICE_SLICER_XML_H

#include <stddef.h>

typedef struct sx_param {
    char *tag;      /* element name: integer, float, boolean, image, table, ... */
    char *name;     /* <name>, or the longflag without dashes */
    char *flag;     /* one character, dashes stripped; NULL when absent */
    char *longflag; /* dashes stripped; NULL when absent */
    char *channel;  /* input, output or NULL */
    char *default_value;
    char *type_attr; /* attribute type= */
    char *file_extensions;
    char *minimum, *maximum; /* <constraints>; NULL when absent */
    long index;              /* -1 when there is no <index> */
    char **elements;
    size_t nelements;
} sx_param;

typedef struct sx_module {
    sx_param *params;
    size_t nparams;
    char *title, *category, *version;
} sx_module;

/* Parses the XML text; returns 0, or -1 with a sentence in err (not well-formed, no
 * <executable> root, an <index> that is not a whole number >= 0). */
int sx_parse(sx_module *module, const char *xml, size_t len, char *err, size_t err_size);
void sx_free(sx_module *module);

/* Return parameters: output channel, neither flag nor index (Slicer's IsReturnParameter). */
int sx_is_return(const sx_param *p);

/* Builds argv the way vtkSlicerCLIModuleLogic does: executable, --returnparameterfile FILE
 * when the module has return parameters, then every flagged parameter in XML order
 * (booleans alone and only when "true"; strings, files, directories and vectors only when not
 * empty; integers, floats, doubles and enumerations always, even empty; images, tables and
 * other nodes only when a value is given), then the index parameters in index order.
 * value(name) gives the GUI value of a parameter (NULL = no value / no node selected). The
 * returned array and its strings are malloc'd (free with sx_argv_free). */
char **sx_command_line(const sx_module *module, const char *executable,
                       const char *return_parameter_file,
                       const char *(*value)(void *ctx, const sx_param *p), void *ctx);
void sx_argv_free(char **argv);

#endif
