#define _GNU_SOURCE
#include "slicer_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text_of(xmlNode *node)
{
    xmlChar *content = xmlNodeGetContent(node);
    char *out = strdup(content ? (const char *)content : "");
    xmlFree(content);
    /* Slicer trims the values it reads */
    char *start = out;
    while (*start == ' ' || *start == '\n' || *start == '\t' || *start == '\r')
        start++;
    size_t n = strlen(start);
    while (n && (start[n - 1] == ' ' || start[n - 1] == '\n' || start[n - 1] == '\t' ||
                 start[n - 1] == '\r'))
        n--;
    memmove(out, start, n);
    out[n] = '\0';
    return out;
}

static char *strip_dashes(char *s)
{
    size_t skip = strspn(s, "-");
    memmove(s, s + skip, strlen(s + skip) + 1);
    return s;
}

static char *attr(xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *out = strdup((const char *)v);
    xmlFree(v);
    return out;
}

static int is(xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

int sx_parse(sx_module *m, const char *xml, size_t len, char *err, size_t size)
{
    memset(m, 0, sizeof *m);
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "module.xml", NULL, XML_PARSE_NONET);
    if (!doc) {
        snprintf(err, size, "the XML is not well-formed");
        return -1;
    }
    int bad = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is(root, "executable")) {
        snprintf(err, size, "the root element is not <executable>");
        xmlFreeDoc(doc);
        return -1;
    }
    for (xmlNode *top = root->children; top; top = top->next) {
        if (is(top, "title"))
            m->title = text_of(top);
        else if (is(top, "category"))
            m->category = text_of(top);
        else if (is(top, "version"))
            m->version = text_of(top);
        if (!is(top, "parameters"))
            continue;
        for (xmlNode *p = top->children; p; p = p->next) {
            if (p->type != XML_ELEMENT_NODE || is(p, "label") || is(p, "description"))
                continue;
            sx_param *grown = realloc(m->params, (m->nparams + 1) * sizeof *grown);
            if (!grown)
                break;
            m->params = grown;
            sx_param *q = &m->params[m->nparams++];
            memset(q, 0, sizeof *q);
            q->tag = strdup((const char *)p->name);
            q->index = -1;
            q->type_attr = attr(p, "type");
            q->file_extensions = attr(p, "fileExtensions");
            for (xmlNode *c = p->children; c; c = c->next) {
                if (is(c, "name"))
                    q->name = text_of(c);
                else if (is(c, "flag"))
                    q->flag = strip_dashes(text_of(c));
                else if (is(c, "longflag"))
                    q->longflag = strip_dashes(text_of(c));
                else if (is(c, "channel"))
                    q->channel = text_of(c);
                else if (is(c, "default"))
                    q->default_value = text_of(c);
                else if (is(c, "index")) {
                    char *t = text_of(c), *end;
                    q->index = strtol(t, &end, 10);
                    if (end == t || *end || q->index < 0) {
                        snprintf(err, size, "<%s>: index '%s' is not a whole number >= 0", q->tag,
                                 t);
                        bad = 1;
                    }
                    free(t);
                } else if (is(c, "constraints")) {
                    for (xmlNode *k = c->children; k; k = k->next)
                        if (is(k, "minimum"))
                            q->minimum = text_of(k);
                        else if (is(k, "maximum"))
                            q->maximum = text_of(k);
                } else if (is(c, "element")) {
                    char **e = realloc(q->elements, (q->nelements + 1) * sizeof *e);
                    if (e) {
                        q->elements = e;
                        e[q->nelements++] = text_of(c);
                    }
                }
            }
            if (!q->name && q->longflag)
                q->name = strdup(q->longflag);
        }
    }
    xmlFreeDoc(doc);
    if (bad) {
        sx_free(m);
        return -1;
    }
    return 0;
}

void sx_free(sx_module *m)
{
    for (size_t i = 0; i < m->nparams; i++) {
        sx_param *p = &m->params[i];
        free(p->tag);
        free(p->name);
        free(p->flag);
        free(p->longflag);
        free(p->channel);
        free(p->default_value);
        free(p->type_attr);
        free(p->file_extensions);
        free(p->minimum);
        free(p->maximum);
        for (size_t e = 0; e < p->nelements; e++)
            free(p->elements[e]);
        free(p->elements);
    }
    free(m->params);
    free(m->title);
    free(m->category);
    free(m->version);
    memset(m, 0, sizeof *m);
}

int sx_is_return(const sx_param *p)
{
    return p->channel && strcmp(p->channel, "output") == 0 && !p->flag && !p->longflag &&
           p->index < 0;
}

static int tag_in(const char *tag, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(tag, list[i]) == 0)
            return 1;
    return 0;
}

static void push(char ***argv, size_t *n, const char *s)
{
    char **grown = realloc(*argv, (*n + 2) * sizeof *grown);
    if (!grown)
        return;
    *argv = grown;
    grown[(*n)++] = strdup(s);
    grown[*n] = NULL;
}

char **sx_command_line(const sx_module *m, const char *executable, const char *rpf,
                       const char *(*value)(void *ctx, const sx_param *p), void *ctx)
{
    static const char *const always[] = {"integer",
                                         "float",
                                         "double",
                                         "integer-enumeration",
                                         "float-enumeration",
                                         "double-enumeration",
                                         "string-enumeration",
                                         NULL};
    static const char *const when_not_empty[] = {"string",
                                                 "file",
                                                 "directory",
                                                 "integer-vector",
                                                 "float-vector",
                                                 "double-vector",
                                                 "string-vector",
                                                 "point",
                                                 "region",
                                                 "pointfile",
                                                 NULL};
    char **argv = NULL;
    size_t n = 0;
    push(&argv, &n, executable);
    int has_return = 0;
    for (size_t i = 0; i < m->nparams; i++)
        has_return |= sx_is_return(&m->params[i]);
    if (has_return) {
        push(&argv, &n, "--returnparameterfile");
        push(&argv, &n, rpf);
    }
    for (size_t i = 0; i < m->nparams; i++) {
        const sx_param *p = &m->params[i];
        if (!p->flag && !p->longflag)
            continue;
        char key[256];
        if (p->longflag)
            snprintf(key, sizeof key, "--%s", p->longflag);
        else
            snprintf(key, sizeof key, "-%s", p->flag);
        const char *v = value(ctx, p);
        if (strcmp(p->tag, "boolean") == 0) {
            if (v && strcmp(v, "true") == 0)
                push(&argv, &n, key);
        } else if (tag_in(p->tag, always)) {
            push(&argv, &n, key);
            push(&argv, &n, v ? v : "");
        } else if (tag_in(p->tag, when_not_empty)) {
            if (v && v[0]) {
                push(&argv, &n, key);
                push(&argv, &n, v);
            }
        } else if (v && v[0]) { /* image, table, geometry, transform, measurement: a node */
            push(&argv, &n, key);
            push(&argv, &n, v);
        }
    }
    for (long index = 0;; index++) {
        const sx_param *found = NULL;
        for (size_t i = 0; i < m->nparams; i++)
            if (m->params[i].index == index)
                found = &m->params[i];
        if (!found)
            break;
        const char *v = value(ctx, found);
        push(&argv, &n, v ? v : "");
    }
    return argv;
}

void sx_argv_free(char **argv)
{
    if (!argv)
        return;
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}
