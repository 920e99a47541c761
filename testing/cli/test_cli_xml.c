/* The module description against every rule of the Slicer CLI contract
 * (shared/docs/slicer-cli-contract.md): what `LobeDice --xml` prints, the copies beside the
 * built and the installed executable, the elements, attributes, names, flags and indices the
 * parser accepts, and that the executable accepts every flag the description declares. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"
#include "lobedice/lobedice.h"
#include "slicer_xml.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

static char *xml_text;
static size_t xml_len;

/* `LobeDice --xml`, once. */
static const char *module_xml(void)
{
    if (xml_text)
        return xml_text;
    const char *argv[] = {LOBEDICE_EXE, "--xml", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    CHECK_INT(r.err_len, 0);
    xml_text = r.out;
    xml_len = r.out_len;
    free(r.err);
    return xml_text;
}

static void check_same_bytes(const char *path, const char *what)
{
    size_t len = 0;
    char *copy = read_file(path, &len);
    if (!copy) {
        fprintf(stderr, "%s: cannot read %s '%s'\n", __func__, what, path);
        check_failures++;
        return;
    }
    if (len != xml_len || memcmp(copy, xml_text, len) != 0) {
        fprintf(stderr, "%s '%s' differs from the output of LobeDice --xml\n", what, path);
        check_failures++;
    }
    free(copy);
}

static void xml_output(void)
{
    const char *xml = module_xml();
    CHECK(xml_len > 6);
    CHECK(memcmp(xml, "<?xml ", 6) == 0); /* no byte-order mark, no blank before it */
    check_same_bytes(LOBEDICE_XML_SOURCE, "plugin/LobeDice.xml with its version filled in");
    check_same_bytes(LOBEDICE_XML_BUILD_COPY, "the copy beside the built executable");
    check_same_bytes(LOBEDICE_XML_INSTALLED, "the installed LobeDice.xml");
    /* Slicer takes files with the run bit, beside their XML */
    CHECK(access(LOBEDICE_EXE, X_OK) == 0);
    CHECK(access(LOBEDICE_EXE_INSTALLED, X_OK) == 0);
    /* Slicer's discovery of the installed module (components runtime and cli only): it starts,
     * finding its libraries in the prefix, and prints plugin/LobeDice.xml byte for byte */
    const char *installed[] = {LOBEDICE_EXE_INSTALLED, "--xml", NULL};
    run_result ri;
    CHECK_FATAL(run_program(&ri, installed) == 0);
    if (ri.status != 0)
        fprintf(stderr, "%s: exit %d: %s\n", command_text(installed), ri.status, ri.err);
    CHECK_INT(ri.status, 0);
    CHECK_UINT(ri.err_len, 0);
    size_t source_len = 0;
    char *source = read_file(LOBEDICE_XML_SOURCE, &source_len);
    CHECK_FATAL(source != NULL);
    CHECK(ri.out_len == source_len && memcmp(ri.out, source, source_len) == 0);
    free(source);
    run_result_free(&ri);
    /* Slicer takes only dot-free executables as modules */
    const char *base = strrchr(LOBEDICE_EXE, '/');
    CHECK(base && strchr(base + 1, '.') == NULL);

    /* --xml is checked in argv[1] before anything else, as GenerateCLP does */
    const char *argv[] = {LOBEDICE_EXE, "--xml", "--bogus", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    CHECK(r.out_len == xml_len && memcmp(r.out, xml_text, xml_len) == 0);
    run_result_free(&r);
}

/* ---- the rules ---------------------------------------------------------------------------- */

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static const char *const top_level[] = {"category",    "index",       "title",
                                        "description", "version",     "documentation-url",
                                        "license",     "contributor", "acknowledgements",
                                        "location",    "parameters",  NULL};
static const char *const parameter_tags[] = {"integer",
                                             "float",
                                             "double",
                                             "boolean",
                                             "string",
                                             "integer-vector",
                                             "float-vector",
                                             "double-vector",
                                             "string-vector",
                                             "integer-enumeration",
                                             "float-enumeration",
                                             "double-enumeration",
                                             "string-enumeration",
                                             "file",
                                             "directory",
                                             "image",
                                             "geometry",
                                             "transform",
                                             "point",
                                             "region",
                                             "table",
                                             "measurement",
                                             "pointfile",
                                             NULL};
static const char *const parameter_children[] = {
    "name",    "flag",  "longflag", "description", "label",     "default",
    "channel", "index", "element",  "constraints", "reference", NULL};
static const char *const image_types[] = {"any",
                                          "scalar",
                                          "label",
                                          "tensor",
                                          "diffusion-weighted",
                                          "vector",
                                          "signal",
                                          "multichannel",
                                          "dynamic-contrast-enhanced",
                                          NULL};
static const char *const return_tags[] = {
    "integer",        "float",        "double",        "boolean",       "string",
    "integer-vector", "float-vector", "double-vector", "string-vector", NULL};

static int is_element(xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE;
}

/* [A-Za-z_][A-Za-z0-9_]*: a name, or a longflag once sx_parse stripped its dashes. */
static int identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Text outside elements must be blank (the parser treats other text as content). */
static void check_only_blank_text(xmlNode *parent, const char *where)
{
    for (xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_TEXT_NODE)
            continue;
        for (const xmlChar *p = n->content; p && *p; p++)
            if (!isspace(*p)) {
                fprintf(stderr, "text outside elements in %s\n", where);
                check_failures++;
                return;
            }
    }
}

static void check_attributes(xmlNode *n, const char *const *allowed, const char *where)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (!allowed || !in_list((const char *)a->name, allowed)) {
            fprintf(stderr, "%s: attribute '%s' is not allowed\n", where, a->name);
            check_failures++;
        }
}

/* The structure of one parameter element, on the raw nodes: its element name, attributes,
 * children, repeated children. Its values (name, flags, index, channel, default, elements) are
 * checked on what slicer_xml.c reads, in check_parameter_values. */
static void check_parameter(xmlNode *p)
{
    const char *tag = (const char *)p->name;
    char where[128];
    snprintf(where, sizeof where, "<%s> at line %ld", tag, (long)xmlGetLineNo(p));
    if (!in_list(tag, parameter_tags)) {
        fprintf(stderr, "%s: not a parameter element\n", where);
        check_failures++;
        return;
    }
    static const char *const image_attrs[] = {"type", NULL};
    static const char *const table_attrs[] = {"type", "fileExtensions", NULL};
    static const char *const file_attrs[] = {"multiple", "fileExtensions", NULL};
    /* ModuleDescriptionParser.cxx: a geometry's type is fiberbundle or model */
    static const char *const geometry_attrs[] = {"multiple",       "aggregate", "type",
                                                 "fileExtensions", "reference", NULL};
    if (!strcmp(tag, "image")) {
        check_attributes(p, image_attrs, where);
        xmlChar *type = xmlGetProp(p, (const xmlChar *)"type");
        if (type && !in_list((const char *)type, image_types)) {
            fprintf(stderr, "%s: image type '%s' is not one Slicer knows\n", where, type);
            check_failures++;
        }
        xmlFree(type);
    } else if (!strcmp(tag, "table")) {
        check_attributes(p, table_attrs, where);
        xmlChar *type = xmlGetProp(p, (const xmlChar *)"type");
        if (type && strcmp((const char *)type, "color") != 0) {
            fprintf(stderr, "%s: a table's type can only be color\n", where);
            check_failures++;
        }
        xmlFree(type);
    } else if (!strcmp(tag, "file")) {
        check_attributes(p, file_attrs, where);
    } else if (!strcmp(tag, "geometry")) {
        check_attributes(p, geometry_attrs, where);
        xmlChar *type = xmlGetProp(p, (const xmlChar *)"type");
        if (type && strcmp((const char *)type, "model") != 0 &&
            strcmp((const char *)type, "fiberbundle") != 0) {
            fprintf(stderr, "%s: a geometry's type can only be model or fiberbundle\n", where);
            check_failures++;
        }
        xmlFree(type);
    } else {
        check_attributes(p, NULL, where);
    }
    xmlChar *ext = xmlGetProp(p, (const xmlChar *)"fileExtensions");
    if (ext) { /* ".csv,.tsv" */
        char *copy = strdup((const char *)ext), *save = NULL;
        for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save))
            if (e[0] != '.' || strlen(e) < 2) {
                fprintf(stderr, "%s: file extension '%s' does not start with a dot\n", where, e);
                check_failures++;
            }
        free(copy);
        xmlFree(ext);
    }
    check_only_blank_text(p, where);

    /* children Slicer reads once: a second one would silently win */
    static const char *const once[] = {"name",    "flag",  "longflag", "channel",
                                       "default", "index", NULL};
    int counts[6] = {0}, nelements = 0;
    for (xmlNode *c = p->children; c; c = c->next) {
        if (!is_element(c))
            continue;
        const char *child = (const char *)c->name;
        if (!in_list(child, parameter_children)) {
            fprintf(stderr, "%s: child <%s> is not allowed\n", where, child);
            check_failures++;
            continue;
        }
        for (size_t k = 0; once[k]; k++)
            if (!strcmp(child, once[k]) && ++counts[k] == 2) {
                fprintf(stderr, "%s: <%s> given twice\n", where, child);
                check_failures++;
            }
        if (!strcmp(child, "element"))
            nelements++;
        if (!strcmp(child, "constraints")) {
            static const char *const limits[] = {"minimum", "maximum", "step", NULL};
            for (xmlNode *k = c->children; k; k = k->next)
                if (is_element(k) && !in_list((const char *)k->name, limits)) {
                    fprintf(stderr, "%s: <constraints> holds <%s>\n", where, k->name);
                    check_failures++;
                }
        }
    }
    if (nelements && !strstr(tag, "enumeration")) {
        fprintf(stderr, "%s: <element> outside an enumeration\n", where);
        check_failures++;
    }
}

/* The values of one parameter as slicer_xml.c reads them (trimmed, dashes stripped from the
 * flags, the name taken from the longflag when missing): the contract's rules on names, flags,
 * indices, channels, defaults and enumerations. Names and flags are collected to find
 * repeats; indices to check that they run 0, 1, ... */
static void check_parameter_values(const sx_param *p, long *indices, size_t *nindices,
                                   char names[][64], size_t *nnames, char flags[][64],
                                   size_t *nflags)
{
    char where[128];
    snprintf(where, sizeof where, "<%s> '%s'", p->tag, p->name ? p->name : "");
    const int has_index = p->index >= 0;
    if (p->flag && (strlen(p->flag) != 1 || !isalnum((unsigned char)p->flag[0]))) {
        fprintf(stderr, "%s: flag '%s' is not one character\n", where, p->flag);
        check_failures++;
    }
    if (p->longflag && !identifier(p->longflag)) {
        fprintf(stderr, "%s: longflag '%s' does not match [A-Za-z_][A-Za-z0-9_]*\n", where,
                p->longflag);
        check_failures++;
    }
    if (!p->name || !identifier(p->name)) {
        fprintf(stderr, "%s: name missing or not [A-Za-z_][A-Za-z0-9_]*\n", where);
        check_failures++;
    }
    if (has_index && (p->flag || p->longflag)) {
        fprintf(stderr, "%s: has both an index and a flag\n", where);
        check_failures++;
    }
    if (!p->channel || (strcmp(p->channel, "input") && strcmp(p->channel, "output"))) {
        fprintf(stderr, "%s: channel must be input or output\n", where);
        check_failures++;
    }
    if (!has_index && !p->flag && !p->longflag) {
        /* a return parameter: an output scalar or string Slicer reads back */
        if (!sx_is_return(p) || !in_list(p->tag, return_tags)) {
            fprintf(stderr, "%s: without index or flag it must be an output scalar or string\n",
                    where);
            check_failures++;
        }
    }
    const char *def = p->default_value;
    if (strstr(p->tag, "enumeration")) {
        if (p->nelements == 0) {
            fprintf(stderr, "%s: an enumeration without <element>\n", where);
            check_failures++;
        }
        int found = !def;
        for (size_t e = 0; e < p->nelements && def; e++)
            found |= strcmp(p->elements[e], def) == 0;
        if (!found) {
            fprintf(stderr, "%s: default '%s' is not one of the elements\n", where, def);
            check_failures++;
        }
    }
    if (def && !strcmp(p->tag, "boolean") && strcmp(def, "true") && strcmp(def, "false")) {
        fprintf(stderr, "%s: boolean default '%s'\n", where, def);
        check_failures++;
    }
    if (def &&
        (!strcmp(p->tag, "integer") || !strcmp(p->tag, "float") || !strcmp(p->tag, "double"))) {
        char *end;
        if (!strcmp(p->tag, "integer"))
            (void)strtol(def, &end, 10);
        else
            (void)strtod(def, &end);
        if (end == def || *end) {
            fprintf(stderr, "%s: default '%s' is not a number of its type\n", where, def);
            check_failures++;
        }
    }
    if (has_index)
        indices[(*nindices)++] = p->index;
    if (p->name) {
        for (size_t i = 0; i < *nnames; i++)
            if (!strcmp(names[i], p->name)) {
                fprintf(stderr, "%s: name '%s' used twice\n", where, p->name);
                check_failures++;
            }
        snprintf(names[(*nnames)++], 64, "%s", p->name);
    }
    const char *keys[2] = {p->flag, p->longflag};
    for (int k = 0; k < 2; k++) {
        if (!keys[k])
            continue;
        char key[64];
        snprintf(key, sizeof key, "%s%s", k ? "--" : "-", keys[k]);
        for (size_t i = 0; i < *nflags; i++)
            if (!strcmp(flags[i], key)) {
                fprintf(stderr, "%s: flag '%s' used twice\n", where, key);
                check_failures++;
            }
        snprintf(flags[(*nflags)++], 64, "%s", key);
        if (!strcmp(key, "--returnparameterfile") || !strcmp(key, "--xml") ||
            !strcmp(key, "--processinformationaddress")) {
            fprintf(stderr, "%s: flag '%s' is reserved by Slicer\n", where, key);
            check_failures++;
        }
    }
}

static int error_count;
static void count_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
    error_count++;
}

static void xml_rules(void)
{
    module_xml();
    xmlSetGenericErrorFunc(NULL, count_error);
    xmlDoc *doc = xmlReadMemory(xml_text, (int)xml_len, "LobeDice.xml", NULL, XML_PARSE_NONET);
    xmlSetGenericErrorFunc(NULL, NULL);
    CHECK_FATAL(doc != NULL);
    CHECK_INT(error_count, 0);
    xmlNode *root = xmlDocGetRootElement(doc);
    CHECK_FATAL(root && !strcmp((const char *)root->name, "executable"));
    check_attributes(root, NULL, "<executable>");
    check_only_blank_text(root, "<executable>");

    size_t groups = 0, nparams = 0;
    int seen_parameters = 0, seen[16] = {0};
    for (xmlNode *top = root->children; top; top = top->next) {
        if (!is_element(top))
            continue;
        const char *tag = (const char *)top->name;
        if (!in_list(tag, top_level)) {
            fprintf(stderr, "<%s> is not allowed in <executable>\n", tag);
            check_failures++;
            continue;
        }
        if (strcmp(tag, "parameters") != 0) {
            if (seen_parameters) {
                fprintf(stderr, "<%s> after the <parameters> groups\n", tag);
                check_failures++;
            }
            for (size_t i = 0; top_level[i]; i++)
                if (!strcmp(top_level[i], tag) && seen[i]++) {
                    fprintf(stderr, "<%s> given twice\n", tag);
                    check_failures++;
                }
            check_attributes(top, NULL, tag);
            continue;
        }
        seen_parameters = 1;
        groups++;
        static const char *const group_attrs[] = {"advanced", NULL};
        check_attributes(top, group_attrs, "<parameters>");
        xmlChar *adv = xmlGetProp(top, (const xmlChar *)"advanced");
        if (adv && strcmp((const char *)adv, "true") && strcmp((const char *)adv, "false")) {
            fprintf(stderr, "<parameters advanced=\"%s\">\n", adv);
            check_failures++;
        }
        xmlFree(adv);
        check_only_blank_text(top, "<parameters>");
        int labels = 0, descriptions = 0, params = 0;
        for (xmlNode *p = top->children; p; p = p->next) {
            if (!is_element(p))
                continue;
            if (!strcmp((const char *)p->name, "label"))
                labels++;
            else if (!strcmp((const char *)p->name, "description"))
                descriptions++;
            else {
                params++;
                check_parameter(p);
            }
        }
        CHECK_INT(labels, 1);
        CHECK_INT(descriptions, 1);
        CHECK(params > 0);
        nparams += (size_t)params;
    }
    CHECK(groups > 0);
    /* title, category, description and version are what Slicer shows */
    CHECK(seen[2] == 1 && seen[0] == 1 && seen[3] == 1 && seen[4] == 1);
    xmlFreeDoc(doc);

    /* the values, as the parser reads them */
    sx_module m;
    char err[256];
    int parsed = sx_parse(&m, xml_text, xml_len, err, sizeof err);
    if (parsed != 0)
        fprintf(stderr, "%s\n", err);
    CHECK_FATAL(parsed == 0);
    CHECK_UINT(m.nparams, nparams); /* every parameter element was read */
    long indices[64];
    size_t nindices = 0, nnames = 0, nflags = 0;
    char names[128][64], flags[128][64];
    CHECK_FATAL(m.nparams <= 64);
    for (size_t i = 0; i < m.nparams; i++)
        check_parameter_values(&m.params[i], indices, &nindices, names, &nnames, flags, &nflags);
    sx_free(&m);
    /* indices run 0, 1, ... without gaps or repeats */
    for (size_t i = 0; i < nindices; i++) {
        int count = 0;
        for (size_t j = 0; j < nindices; j++)
            count += indices[j] == (long)i;
        if (count != 1) {
            fprintf(stderr, "index %zu appears %d times\n", i, count);
            check_failures++;
        }
    }
}

/* ---- the module's own parameters (issue 6) ------------------------------------------------ */

static const sx_param *find(const sx_module *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (!strcmp(m->params[i].name, name))
            return &m->params[i];
    fprintf(stderr, "parameter '%s' missing\n", name);
    check_failures++;
    return NULL;
}

static void expect(const sx_module *m, const char *name, const char *tag, const char *longflag,
                   long index, const char *channel, const char *def, const char *type)
{
    const sx_param *p = find(m, name);
    if (!p)
        return;
    CHECK_STR(p->tag, tag);
    if (longflag)
        CHECK_STR(p->longflag, longflag);
    else
        CHECK(p->longflag == NULL && p->flag == NULL);
    CHECK_INT(p->index, index);
    CHECK_STR(p->channel, channel);
    if (def)
        CHECK_STR(p->default_value, def);
    if (type)
        CHECK_STR(p->type_attr, type);
}

static void xml_module_parameters(void)
{
    module_xml();
    sx_module m;
    char err[256];
    CHECK_FATAL(sx_parse(&m, xml_text, xml_len, err, sizeof err) == 0);
    CHECK_STR(m.title, "Lung Lobe Dice");
    CHECK_STR(m.category, "Quantification");
    CHECK_STR(m.version, lobedice_version());
    expect(&m, "referenceVolume", "image", NULL, 0, "input", NULL, "label");
    expect(&m, "predictedVolume", "image", NULL, 1, "input", NULL, "label");
    expect(&m, "labels", "integer-vector", "labels", -1, "input", NULL, NULL);
    expect(&m, "labelNames", "string-vector", "labelNames", -1, "input", NULL, NULL);
    expect(&m, "surfaceDistances", "boolean", "surfaceDistances", -1, "input", "true", NULL);
    expect(&m, "tolerance", "float", "tolerance", -1, "input", "1.0", NULL);
    expect(&m, "emptyPolicy", "string-enumeration", "emptyPolicy", -1, "input", "nan", NULL);
    expect(&m, "outputTable", "table", "outputTable", -1, "output", NULL, NULL);
    expect(&m, "outputJson", "file", "outputJson", -1, "output", NULL, NULL);
    expect(&m, "errorMap", "image", "errorMap", -1, "output", NULL, "label");
    expect(&m, "regions", "string-vector", "regions", -1, "input", NULL, NULL);
    expect(&m, "threads", "integer", "threads", -1, "input", "0", NULL);
    expect(&m, "printTable", "boolean", "printTable", -1, "input", "false", NULL);
    expect(&m, "meanDice", "float", NULL, -1, "output", NULL, NULL);
    expect(&m, "meanHD95", "float", NULL, -1, "output", NULL, NULL);
    expect(&m, "summary", "string", NULL, -1, "output", NULL, NULL);
    expect(&m, "distanceModel", "geometry", "distanceModel", -1, "output", NULL, "model");
    expect(&m, "referenceModel", "geometry", "referenceModel", -1, "output", NULL, "model");
    expect(&m, "snapshot", "file", "snapshot", -1, "output", NULL, NULL);
    expect(&m, "snapshotAt", "string", "snapshotAt", -1, "input", "worst", NULL);
    expect(&m, "ct", "image", "ct", -1, "input", NULL, "scalar");
    const sx_param *p = find(&m, "emptyPolicy");
    if (p) {
        CHECK_UINT(p->nelements, 3);
        if (p->nelements == 3) {
            CHECK_STR(p->elements[0], "nan");
            CHECK_STR(p->elements[1], "one");
            CHECK_STR(p->elements[2], "zero");
        }
    }
    p = find(&m, "outputTable");
    if (p) {
        CHECK_STR(p->file_extensions, ".csv,.tsv");
        CHECK(p->type_attr == NULL); /* a plain table, not a colour table */
    }
    expect(&m, "referenceLabels", "string-enumeration", "referenceLabels", -1, "input", "lobedice",
           NULL);
    expect(&m, "predictedLabels", "string-enumeration", "predictedLabels", -1, "input", "lobedice",
           NULL);
    expect(&m, "referenceLabelMap", "string", "referenceLabelMap", -1, "input", NULL, NULL);
    expect(&m, "predictedLabelMap", "string", "predictedLabelMap", -1, "input", NULL, NULL);
    expect(&m, "allowDisjointLabels", "boolean", "allowDisjointLabels", -1, "input", "false", NULL);
    p = find(&m, "predictedLabels");
    if (p) {
        CHECK_UINT(p->nelements, 5);
        for (size_t i = 0; i < p->nelements && i < 5; i++)
            CHECK_STR(p->elements[i], lobedice_convention_preset_name(i));
    }
    p = find(&m, "distanceModel");
    if (p) /* the first extension is the one Slicer's temporary file gets */
        CHECK_STR(p->file_extensions, ".vtk,.vtp");
    CHECK_UINT(m.nparams, 26);
    sx_free(&m);
}

/* ---- every declared flag is accepted ------------------------------------------------------ */

/* A value of the parameter's type that the parser takes. */
static const char *sample_value(const sx_param *p)
{
    if (!strcmp(p->tag, "boolean"))
        return NULL;
    if (!strcmp(p->name, "regions"))
        return "Right=1+2+3";
    if (strstr(p->name, "LabelMap"))
        return "10=LUL,11=LLL";
    if (p->default_value && p->default_value[0])
        return p->default_value;
    if (p->nelements)
        return p->elements[0];
    if (!strcmp(p->tag, "integer-vector"))
        return "1,2";
    if (!strcmp(p->tag, "integer"))
        return "1";
    if (!strcmp(p->tag, "float") || !strcmp(p->tag, "double"))
        return "0.5";
    if (!strcmp(p->tag, "table"))
        return "out.csv";
    if (!strcmp(p->tag, "image"))
        return "out.nrrd";
    return "x";
}

static int run_status(const char *const *argv, int *one_line_error)
{
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    int status = r.status;
    if (one_line_error)
        *one_line_error = r.err_len > 0 && strchr(r.err, '\n') == r.err + r.err_len - 1;
    if (status == 0 && strncmp(r.out, "Usage:", 6) != 0) {
        fprintf(stderr, "%s printed no help\n", command_text(argv));
        status = -1;
    }
    run_result_free(&r);
    return status;
}

static void xml_flags_accepted(void)
{
    module_xml();
    sx_module m;
    char err[256];
    CHECK_FATAL(sx_parse(&m, xml_text, xml_len, err, sizeof err) == 0);
    size_t tried = 0;
    for (size_t i = 0; i < m.nparams; i++) {
        const sx_param *p = &m.params[i];
        if (!p->flag && !p->longflag)
            continue;
        char key[128];
        snprintf(key, sizeof key, p->longflag ? "--%s" : "-%s",
                 p->longflag ? p->longflag : p->flag);
        const char *value = sample_value(p);
        /* the parser reads the flag (and its value) before reaching --help */
        const char *argv[] = {LOBEDICE_EXE, key, value ? value : "--help", value ? "--help" : NULL,
                              NULL};
        int status = run_status(argv, NULL);
        if (status != 0) {
            fprintf(stderr, "%s: exit %d, the flag is not accepted\n", command_text(argv), status);
            check_failures++;
        }
        /* an empty value, as Slicer passes empty numbers and enumerations */
        if (value && (strstr(p->tag, "enumeration") || !strcmp(p->tag, "integer") ||
                      !strcmp(p->tag, "float"))) {
            const char *empty[] = {LOBEDICE_EXE, key, "", "--help", NULL};
            CHECK_INT(run_status(empty, NULL), 0);
        }
        tried++;
    }
    CHECK_UINT(tried, 21);
    /* what Slicer adds itself */
    const char *slicer[] = {LOBEDICE_EXE, "--returnparameterfile",
                            "x.params",   "--processinformationaddress",
                            "0x1234",     "--help",
                            NULL};
    CHECK_INT(run_status(slicer, NULL), 0);
    /* the checks above can fail: an undeclared flag and a bad value are refused */
    int one_line = 0;
    const char *bogus[] = {LOBEDICE_EXE, "--notAFlag", "--help", NULL};
    CHECK_INT(run_status(bogus, &one_line), 2);
    CHECK(one_line);
    const char *bad[] = {LOBEDICE_EXE, "--tolerance", "abc", "--help", NULL};
    CHECK_INT(run_status(bad, &one_line), 2);
    CHECK(one_line);
    sx_free(&m);
}

/* Every value the GUI allows (<constraints>) is one the executable accepts, and --threads
 * refuses one past the XML's maximum: the two limits are the same. */
static void xml_constraints_accepted(void)
{
    module_xml();
    sx_module m;
    char err[256];
    CHECK_FATAL(sx_parse(&m, xml_text, xml_len, err, sizeof err) == 0);
    size_t tried = 0;
    for (size_t i = 0; i < m.nparams; i++) {
        const sx_param *p = &m.params[i];
        if (!p->longflag || (!p->minimum && !p->maximum))
            continue;
        char key[128];
        snprintf(key, sizeof key, "--%s", p->longflag);
        const char *limits[2] = {p->minimum, p->maximum};
        for (int k = 0; k < 2; k++) {
            if (!limits[k])
                continue;
            const char *argv[] = {LOBEDICE_EXE, key, limits[k], "--help", NULL};
            int status = run_status(argv, NULL);
            if (status != 0) {
                fprintf(stderr, "%s: exit %d, a value the XML allows is refused\n",
                        command_text(argv), status);
                check_failures++;
            }
            tried++;
        }
        if (!strcmp(p->name, "threads")) {
            CHECK_FATAL(p->maximum != NULL);
            char beyond[32];
            snprintf(beyond, sizeof beyond, "%ld", strtol(p->maximum, NULL, 10) + 1);
            const char *argv[] = {LOBEDICE_EXE, key, beyond, "--help", NULL};
            int one_line = 0;
            CHECK_INT(run_status(argv, &one_line), 2);
            CHECK(one_line);
        }
    }
    CHECK_UINT(tried, 4); /* tolerance and threads, minimum and maximum */
    sx_free(&m);
}

/* --help is made from the XML: every flag, its enumeration and its default appear in it. */
static void xml_help(void)
{
    module_xml();
    sx_module m;
    char err[256];
    CHECK_FATAL(sx_parse(&m, xml_text, xml_len, err, sizeof err) == 0);
    const char *argv[] = {LOBEDICE_EXE, "--help", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    for (size_t i = 0; i < m.nparams; i++) {
        const sx_param *p = &m.params[i];
        if (!p->longflag)
            continue;
        char text[256];
        snprintf(text, sizeof text, "  --%s", p->longflag);
        if (!strstr(r.out, text)) {
            fprintf(stderr, "--help does not show %s\n", text);
            check_failures++;
        }
        for (size_t e = 0; e < p->nelements; e++)
            CHECK(strstr(r.out, p->elements[e]) != NULL);
        if (p->default_value && strcmp(p->tag, "boolean") != 0) {
            snprintf(text, sizeof text, "Default: %s", p->default_value);
            CHECK(strstr(r.out, text) != NULL);
        }
    }
    run_result_free(&r);
    sx_free(&m);
}

static void xml_version(void)
{
    const char *argv[] = {LOBEDICE_EXE, "--version", NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "LobeDice %s\n", lobedice_version());
    CHECK_STR(r.out, expected);
    run_result_free(&r);
}

static const check_case cases[] = {{"xml_output", xml_output},
                                   {"xml_rules", xml_rules},
                                   {"xml_module_parameters", xml_module_parameters},
                                   {"xml_flags_accepted", xml_flags_accepted},
                                   {"xml_constraints_accepted", xml_constraints_accepted},
                                   {"xml_help", xml_help},
                                   {"xml_version", xml_version}};

int main(int argc, char **argv)
{
    int rc = check_main(argc, argv, cases, CHECK_COUNT(cases));
    free(xml_text);
    return rc;
}
