/* Build tool: turns LobeDice.xml, the one source of the command line, into C. Writes the XML's
 * bytes (what `LobeDice --xml` prints) and a table of its parameters (names, flags, defaults,
 * help, enumerations, constraints), which cli_options.c parses with and --help prints.
 * Usage: lobedice_cli_xml_gen LobeDice.xml out.c */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

static void put_literal(FILE *out, const char *s)
{
    if (!s) {
        fputs("NULL", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* The trimmed text of the first child element `name`, or NULL (xmlFree'd by the caller). */
static char *child_text(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
            continue;
        char *text = (char *)xmlNodeGetContent(c);
        if (!text)
            return NULL;
        char *start = text;
        while (*start == ' ' || *start == '\n' || *start == '\t')
            start++;
        size_t n = strlen(start);
        while (n && (start[n - 1] == ' ' || start[n - 1] == '\n' || start[n - 1] == '\t'))
            n--;
        memmove(text, start, n);
        text[n] = '\0';
        return text;
    }
    return NULL;
}

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static void put_field(FILE *out, const char *field, const char *value)
{
    fprintf(out, "     .%s = ", field);
    put_literal(out, value);
    fputs(",\n", out);
}

/* An enumeration's elements as a NULL-terminated array elements_<number> (nothing for other
 * parameters); returns whether it wrote one. */
static int put_elements(FILE *out, xmlNode *p, size_t number)
{
    size_t nelements = 0;
    for (xmlNode *c = p->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "element") == 0) {
            char *e = (char *)xmlNodeGetContent(c);
            if (nelements == 0)
                fprintf(out, "static const char *const elements_%zu[] = {", number);
            put_literal(out, e);
            fputs(", ", out);
            xmlFree(e);
            nelements++;
        }
    if (nelements)
        fputs("NULL};\n", out);
    return nelements > 0;
}

/* One entry of cli_flags. */
static void put_parameter(FILE *out, xmlNode *p, const char *group, size_t number, int has_elements)
{
    const char *texts[] = {"name",  "longflag",    "flag",   "channel",
                           "label", "description", "default"};
    char *v[7];
    for (int i = 0; i < 7; i++)
        v[i] = child_text(p, texts[i]);
    char *index = child_text(p, "index");
    xmlNode *constraints = child(p, "constraints");
    char *minimum = constraints ? child_text(constraints, "minimum") : NULL;
    char *maximum = constraints ? child_text(constraints, "maximum") : NULL;
    char *extensions = (char *)xmlGetProp(p, (const xmlChar *)"fileExtensions");
    const char *longflag = v[1];
    while (longflag && *longflag == '-')
        longflag++;
    if (!v[0]) {
        fprintf(stderr, "cli_xml_gen: a <%s> parameter has no <name>\n", p->name);
        failed = 1;
    }

    fputs("    {\n", out);
    put_field(out, "tag", (const char *)p->name);
    put_field(out, "name", v[0]);
    put_field(out, "longflag", longflag && *longflag ? longflag : NULL);
    put_field(out, "channel", v[3]);
    put_field(out, "label", v[4]);
    put_field(out, "description", v[5]);
    put_field(out, "default_value", v[6]);
    put_field(out, "minimum", minimum);
    put_field(out, "maximum", maximum);
    put_field(out, "file_extensions", extensions);
    put_field(out, "group", group);
    if (has_elements)
        fprintf(out, "     .elements = elements_%zu,\n", number);
    fprintf(out, "     .index = %s},\n", index ? index : "-1");
    for (int i = 0; i < 7; i++)
        xmlFree(v[i]);
    xmlFree(index);
    xmlFree(minimum);
    xmlFree(maximum);
    xmlFree(extensions);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LobeDice.xml out.c\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *bytes = malloc(size > 0 ? (size_t)size : 1);
    if (!bytes || size < 0 || fread(bytes, 1, (size_t)size, in) != (size_t)size) {
        fprintf(stderr, "cli_xml_gen: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(in);
    xmlDoc *doc = xmlReadMemory((const char *)bytes, (int)size, argv[1], NULL, XML_PARSE_NONET);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "executable") != 0) {
        fprintf(stderr, "cli_xml_gen: %s is not a module description\n", argv[1]);
        return 1;
    }

    char *temp = malloc(strlen(argv[2]) + 5);
    if (!temp)
        return 1;
    sprintf(temp, "%s.tmp", argv[2]);
    FILE *out = fopen(temp, "w");
    if (!out) {
        perror(temp);
        return 1;
    }
    fprintf(out, "/* Generated from %s by plugin/cli_xml_gen.c: do not edit. */\n",
            strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1]);
    fputs("#include \"cli_flags.h\"\n\n", out);
    fprintf(out, "const size_t lobedice_cli_xml_size = %ld;\n", size);
    fputs("const unsigned char lobedice_cli_xml[] = {", out);
    for (long i = 0; i < size; i++)
        fprintf(out, "%s0x%02x,", i % 16 ? "" : "\n    ", bytes[i]);
    fputs("\n    0x00};\n\n", out);

    /* two passes over the parameters: their enumerations' arrays, then the table */
    unsigned char has_elements[4096] = {0};
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            fputs("\nconst cli_flag cli_flags[] = {\n", out);
        n = 0;
        for (xmlNode *g = root->children; g; g = g->next) {
            if (g->type != XML_ELEMENT_NODE || strcmp((const char *)g->name, "parameters") != 0)
                continue;
            char *group = child_text(g, "label");
            for (xmlNode *p = g->children; p; p = p->next) {
                if (p->type != XML_ELEMENT_NODE || strcmp((const char *)p->name, "label") == 0 ||
                    strcmp((const char *)p->name, "description") == 0)
                    continue;
                if (n >= sizeof has_elements) {
                    fprintf(stderr, "cli_xml_gen: more than %zu parameters\n", sizeof has_elements);
                    return 1;
                }
                if (pass == 0)
                    has_elements[n] = (unsigned char)put_elements(out, p, n);
                else
                    put_parameter(out, p, group, n, has_elements[n]);
                n++;
            }
            xmlFree(group);
        }
    }
    fprintf(out, "};\nconst size_t cli_nflags = %zu;\n", n);
    xmlFreeDoc(doc);
    free(bytes);
    if (fclose(out) != 0 || failed || rename(temp, argv[2]) != 0) {
        remove(temp);
        fprintf(stderr, "cli_xml_gen: cannot write %s\n", argv[2]);
        return 1;
    }
    free(temp);
    return 0;
}
