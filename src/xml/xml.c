/* libxml2 glue: parsing with errors users can act on, XPath to text, path-based building. */
#include "xml/xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <string.h>

/* The first error is the one to fix (later ones follow from it), so it is kept apart from
 * libxml2's last error. */
typedef struct {
    bool set;
    int line;
    char msg[512];
} first_error;

static void keep_first(void *ctx, const xmlError *e)
{
    first_error *f = ctx;
    if (f->set || !e || e->level < XML_ERR_ERROR)
        return;
    f->set = true;
    f->line = e->line;
    snprintf(f->msg, sizeof f->msg, "%s", e->message ? e->message : "not well-formed XML");
}

static int parse_error(const char *name, const first_error *f, dg_error *err)
{
    const xmlError *e = xmlGetLastError();
    char msg[512];
    int line = f->set ? f->line : e ? e->line : 0;
    snprintf(msg, sizeof msg, "%s",
             f->set            ? f->msg
             : e && e->message ? e->message
                               : "not well-formed XML");
    size_t l = strlen(msg);
    while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
        msg[--l] = '\0';
    return dg_error_set(err, DG_EPARSE, "%s:%d: malformed XML: %s", name, line, msg);
}

static const int parse_opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

static xmlDocPtr parse(const char *path, const char *data, size_t len, first_error *f)
{
    xmlResetLastError();
    xmlSetStructuredErrorFunc(f, (xmlStructuredErrorFunc)keep_first);
    xmlDocPtr d = data ? xmlReadMemory(data, (int)len, path, NULL, parse_opts)
                       : xmlReadFile(path, NULL, parse_opts);
    xmlSetStructuredErrorFunc(NULL, NULL);
    return d;
}

int dg_xml_read_file(const char *path, xmlDocPtr *out, dg_error *err)
{
    first_error f = {0};
    *out = parse(path, NULL, 0, &f);
    return *out ? 0 : parse_error(path, &f, err);
}

int dg_xml_read_buf(const char *data, size_t len, const char *name, xmlDocPtr *out, dg_error *err)
{
    first_error f = {0};
    *out = parse(name, data ? data : "", len, &f);
    return *out ? 0 : parse_error(name, &f, err);
}

int dg_xml_eval_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node, dg_buf *out)
{
    dg_buf_clear(out);
    ctx->node = node;
    xmlXPathObjectPtr r = xmlXPathCompiledEval(expr, ctx);
    if (!r)
        return 0;
    int found = 0;
    if (r->type == XPATH_NODESET) {
        if (r->nodesetval && r->nodesetval->nodeNr > 0) {
            xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
            if (s) {
                dg_buf_puts(out, (const char *)s);
                xmlFree(s);
            }
            found = 1;
        }
    } else {
        xmlChar *s = xmlXPathCastToString(r);
        if (s) {
            dg_buf_puts(out, (const char *)s);
            found = s[0] != '\0';
            xmlFree(s);
        }
    }
    xmlXPathFreeObject(r);
    return found;
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

xmlNodePtr dg_xml_path_node(xmlNodePtr parent, const char *path, int last_new, const char *value)
{
    char part[256];
    const char *p = path;
    xmlNodePtr cur = parent;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len >= sizeof part)
            len = sizeof part - 1;
        memcpy(part, p, len);
        part[len] = '\0';
        bool last = !slash;
        if (part[0] == '@') {
            xmlSetProp(cur, (const xmlChar *)part + 1, (const xmlChar *)(value ? value : ""));
            return cur;
        }
        xmlNodePtr next = (last && last_new) ? NULL : child_named(cur, part);
        if (!next)
            next = xmlNewChild(cur, cur->ns, (const xmlChar *)part, NULL);
        cur = next;
        if (last && value)
            xmlNodeAddContent(cur, (const xmlChar *)value);
        p = slash ? slash + 1 : p + len;
    }
    return cur;
}

void dg_xml_dump(xmlDocPtr doc, dg_buf *out)
{
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (mem) {
        dg_buf_append(out, mem, (size_t)size);
        xmlFree(mem);
    }
}
