/* libxml2 glue: parsing with errors users can act on, XPath to text, path-based building. */
#include "xml/xml.h"

#include <errno.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* libxml2 reports through handlers that print to stderr by default; dropgate reports through
 * dg_error. While one of our calls runs, both of libxml2's handlers (structured and generic)
 * point at a collector that keeps the first error - the one to fix, later ones follow from it -
 * and the previous handlers are put back afterwards. */
typedef struct {
    bool set;
    int line;
    char msg[512];
    char generic[512]; /* text of xmlGenericError calls (no structured error came with it) */
    size_t n_generic;
    char entity[128]; /* first undefined entity reported: libxml2 drops it (only a warning when
                         the DTD is external), we refuse the file */
    int entity_line;
    xmlStructuredErrorFunc old_s;
    void *old_sctx;
    xmlGenericErrorFunc old_g;
    void *old_gctx;
} collector;

/* One line: libxml2 messages may end with a newline or carry a second line (the bytes of an
 * encoding error, the text after an unfinished CDATA section). */
static void one_line(char *dst, size_t size, const char *src)
{
    size_t o = 0;
    bool space = false;
    for (const char *p = src; *p && o + 1 < size; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < size)
            dst[o++] = ' ';
        space = false;
        dst[o++] = *p;
    }
    dst[o] = '\0';
}

static void keep_first(void *ctx, const xmlError *e)
{
    collector *c = ctx;
    if (e && (e->code == XML_WAR_UNDECLARED_ENTITY || e->code == XML_ERR_UNDECLARED_ENTITY) &&
        !c->entity[0] && e->str1) {
        snprintf(c->entity, sizeof c->entity, "%s", e->str1);
        c->entity_line = e->line;
    }
    if (c->set || !e || e->level < XML_ERR_ERROR)
        return;
    c->set = true;
    c->line = e->line;
    if (e->message)
        one_line(c->msg, sizeof c->msg, e->message);
    else
        snprintf(c->msg, sizeof c->msg, "%s error %d",
                 e->domain == XML_FROM_XPATH ? "XPath" : "XML", e->code);
}

static void keep_generic(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void keep_generic(void *ctx, const char *fmt, ...)
{
    collector *c = ctx;
    if (c->n_generic + 1 >= sizeof c->generic)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->generic + c->n_generic, sizeof c->generic - c->n_generic, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->n_generic += (size_t)n < sizeof c->generic - c->n_generic
                            ? (size_t)n
                            : sizeof c->generic - c->n_generic - 1;
}

static void collect_begin(collector *c)
{
    memset(c, 0, sizeof *c);
    c->old_s = xmlStructuredError;
    c->old_sctx = xmlStructuredErrorContext;
    c->old_g = xmlGenericError;
    c->old_gctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(c, (xmlStructuredErrorFunc)keep_first);
    xmlSetGenericErrorFunc(c, keep_generic);
}

/* Puts the previous handlers back; the first error (structured, else the generic text) is
 * left in c->msg (empty when there was none). */
static void collect_end(collector *c)
{
    xmlSetStructuredErrorFunc(c->old_sctx, c->old_s);
    xmlSetGenericErrorFunc(c->old_gctx, c->old_g);
    if (!c->set && c->n_generic) {
        one_line(c->msg, sizeof c->msg, c->generic);
        c->set = c->msg[0] != '\0';
    }
}

static int parse_error(const char *name, const collector *c, dg_error *err)
{
    const xmlError *e = xmlGetLastError();
    char msg[512];
    int line = c->set ? c->line : e ? e->line : 0;
    one_line(msg, sizeof msg,
             c->set            ? c->msg
             : e && e->message ? e->message
                               : "not well-formed XML");
    return dg_error_set(err, DG_EPARSE, "%s:%d: malformed XML: %s", name, line, msg);
}

static int undefined_entity(const char *name, const collector *c, dg_error *err)
{
    return dg_error_set(err, DG_EPARSE,
                        "%s:%d: entity reference &%s; is not defined: dropgate reads no external "
                        "or undefined entities (write the value itself)",
                        name, c->entity_line, c->entity);
}

static const int parse_opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

static xmlDocPtr parse(const char *path, const char *data, size_t len, collector *c)
{
    xmlResetLastError();
    collect_begin(c);
    xmlDocPtr d = data ? xmlReadMemory(data, (int)len, path, NULL, parse_opts)
                       : xmlReadFile(path, NULL, parse_opts);
    collect_end(c);
    return d;
}

/* An entity reference the parser kept as a node: predefined (&amp;) and character references
 * never get here, an internal entity (<!ENTITY co "ACME">) is read as its text. An external or
 * undefined one would read as nothing - a value silently lost - so it is an error naming it. */
static int entity_ok(xmlDocPtr doc, xmlNodePtr n, const char *name, dg_error *err)
{
    xmlEntityPtr e = xmlGetDocEntity(doc, n->name);
    if (e && e->etype == XML_INTERNAL_GENERAL_ENTITY)
        return 0;
    return dg_error_set(err, DG_EPARSE,
                        "%s:%ld: entity reference &%s; is %s: dropgate reads no external or "
                        "undefined entities (write the value itself)",
                        name, (long)xmlGetLineNo(n->parent ? n->parent : n), (const char *)n->name,
                        e ? "external" : "not defined");
}

int dg_xml_check_entities(xmlNodePtr top, const char *name, dg_error *err)
{
    /* iterative walk: element depth is the parser's to bound, not our stack's */
    for (xmlNodePtr n = top; n;) {
        if (n->type == XML_ENTITY_REF_NODE) {
            int rc = entity_ok(n->doc, n, name, err);
            if (rc)
                return rc;
        }
        if (n->type == XML_ELEMENT_NODE)
            for (xmlAttrPtr a = n->properties; a; a = a->next)
                for (xmlNodePtr v = a->children; v; v = v->next)
                    if (v->type == XML_ENTITY_REF_NODE && entity_ok(n->doc, v, name, err))
                        return err->code;
        if (n->children && n->type != XML_ENTITY_REF_NODE && n->type != XML_DTD_NODE) {
            n = n->children;
            continue;
        }
        while (n && n != top && !n->next)
            n = n->parent;
        if (!n || n == top)
            break;
        n = n->next;
    }
    return 0;
}

static int checked(xmlDocPtr *out, const char *name, const collector *c, dg_error *err)
{
    int rc = c->entity[0] ? undefined_entity(name, c, err)
                          : dg_xml_check_entities((xmlNodePtr)*out, name, err);
    if (rc) {
        xmlFreeDoc(*out);
        *out = NULL;
    }
    return rc;
}

int dg_xml_read_file(const char *path, xmlDocPtr *out, dg_error *err)
{
    *out = NULL;
    /* "failed to load external entity" would hide a plain missing file or a folder. */
    struct stat st;
    if (stat(path, &st) != 0)
        return dg_error_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_EIO, "%s: cannot read: %s",
                            path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return dg_error_set(err, DG_EIO, "%s: cannot read: it is a folder", path);
    collector c;
    *out = parse(path, NULL, 0, &c);
    return *out ? checked(out, path, &c, err) : parse_error(path, &c, err);
}

/* One reader step with libxml2's errors collected. The reader may report an error a few steps
 * before it fails (it parses ahead), so the first one is kept across steps: it is the one to
 * fix, as in a whole-document parse. */
typedef enum { STEP_READ, STEP_NEXT, STEP_EXPAND } step_kind;

typedef struct {
    xmlTextReaderPtr r;
    const char *path;
    collector first;
    xmlNodePtr expanded;
    bool malformed; /* the parser failed (not an entity, not the caller) */
} stream;

static int step(stream *s, step_kind k, dg_error *err)
{
    collector c;
    collect_begin(&c);
    int ret = 1;
    if (k == STEP_EXPAND)
        ret = (s->expanded = xmlTextReaderExpand(s->r)) ? 1 : -1;
    else
        ret = k == STEP_READ ? xmlTextReaderRead(s->r) : xmlTextReaderNext(s->r);
    collect_end(&c);
    if (c.set && !s->first.set)
        s->first = c;
    if (c.entity[0])
        return undefined_entity(s->path, &c, err);
    if (ret < 0 || (ret == 0 && c.set)) {
        s->malformed = true;
        return parse_error(s->path, &s->first, err);
    }
    return ret;
}

static int stream_children(stream *s, xmlDocPtr doc, dg_xml_node_fn fn, void *ctx, dg_error *err)
{
    int ret = step(s, xmlTextReaderIsEmptyElement(s->r) ? STEP_NEXT : STEP_READ, err);
    while (ret == 1) {
        if (xmlTextReaderDepth(s->r) != 1 ||
            xmlTextReaderNodeType(s->r) != XML_READER_TYPE_ELEMENT) {
            ret = step(s, STEP_READ, err); /* text between children, the root's end */
            continue;
        }
        if ((ret = step(s, STEP_EXPAND, err)) < 0)
            return ret;
        int rc = dg_xml_check_entities(s->expanded, s->path, err);
        if (!rc)
            rc = fn(ctx, doc, s->expanded, true, err);
        if (rc < 0)
            return rc;
        if (rc == DG_XML_KEEP)
            xmlTextReaderPreserve(s->r);
        ret = step(s, STEP_NEXT, err);
    }
    return ret < 0 ? ret : 0;
}

#define WHOLE_REPARSE_MAX (1 << 20)

int dg_xml_stream_file(const char *path, dg_xml_node_fn fn, void *ctx, dg_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return dg_error_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_EIO, "%s: cannot read: %s",
                            path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return dg_error_set(err, DG_EIO, "%s: cannot read: it is a folder", path);
    xmlResetLastError();
    stream s = {.path = path};
    collect_begin(&s.first);
    s.r = xmlReaderForFile(path, NULL, parse_opts);
    collect_end(&s.first);
    if (!s.r)
        return parse_error(path, &s.first, err);
    int ret;
    while ((ret = step(&s, STEP_READ, err)) == 1 &&
           xmlTextReaderNodeType(s.r) != XML_READER_TYPE_ELEMENT)
        ;
    xmlDocPtr doc = ret == 1 ? xmlTextReaderCurrentDoc(s.r) : NULL; /* ours to free from now */
    int rc = ret < 0 ? ret : 0;
    if (ret == 0)
        rc = dg_error_set(err, DG_EPARSE, "%s:1: malformed XML: no root element", path);
    xmlNodePtr root = doc ? xmlTextReaderCurrentNode(s.r) : NULL;
    if (!rc && root)
        rc = fn(ctx, doc, root, false, err);
    if (rc == DG_XML_WHOLE) {
        rc = step(&s, STEP_EXPAND, err);
        if (rc > 0)
            rc = dg_xml_check_entities(s.expanded, path, err);
        if (!rc)
            rc = fn(ctx, doc, s.expanded, true, err);
        while (rc >= 0 && (ret = step(&s, STEP_NEXT, err)) == 1)
            ; /* to the end: what follows the root must be well formed too */
        if (rc >= 0 && ret < 0)
            rc = ret;
    } else if (rc >= 0 && root) {
        for (xmlAttrPtr a = root->properties; !rc && a; a = a->next)
            rc = dg_xml_check_entities((xmlNodePtr)a, path, err);
        if (!rc)
            rc = stream_children(&s, doc, fn, ctx, err);
    }
    xmlFreeTextReader(s.r);
    xmlFreeDoc(doc);
    /* The reader parses in pushed chunks and names some errors less well than a parse of the
     * whole text ("Extra content at the end of the document" for a CDATA section never
     * closed): for a file small enough, the whole-document parser says what is wrong. */
    if (s.malformed && st.st_size <= WHOLE_REPARSE_MAX) {
        collector c;
        xmlDocPtr d = parse(path, NULL, 0, &c);
        if (d)
            xmlFreeDoc(d);
        else
            parse_error(path, &c, err);
    }
    return rc < 0 ? rc : 0;
}

int dg_xml_read_buf(const char *data, size_t len, const char *name, xmlDocPtr *out, dg_error *err)
{
    collector c;
    *out = parse(name, data ? data : "", len, &c);
    return *out ? checked(out, name, &c, err) : parse_error(name, &c, err);
}

int dg_xml_compile(xmlXPathContextPtr ctx, const char *src, xmlXPathCompExprPtr *out, dg_error *err)
{
    collector c;
    collect_begin(&c);
    *out = ctx ? xmlXPathCtxtCompile(ctx, (const xmlChar *)src)
               : xmlXPathCompile((const xmlChar *)src);
    collect_end(&c);
    if (*out)
        return 0;
    return dg_error_set(err, DG_ECONFIG, "'%s' is not a valid XPath expression: %s", src,
                        c.set ? c.msg : "invalid expression");
}

/* Evaluates with the errors collected; NULL with err filled when libxml2 reported one (an
 * undefined namespace prefix, an unknown function). */
static xmlXPathObjectPtr eval(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node,
                              dg_error *err)
{
    collector c;
    /* Not the context's own error hook: libxml2 hands that one an error without its message;
     * the structured handler gets the formatted one. (A caller's ctx->error still wins.) */
    collect_begin(&c);
    ctx->node = node;
    xmlXPathObjectPtr r = xmlXPathCompiledEval(expr, ctx);
    collect_end(&c);
    if (c.set) {
        xmlXPathFreeObject(r);
        dg_error_set(err, DG_EMAP, "XPath: %s", c.msg);
        return NULL;
    }
    if (!r)
        dg_error_set(err, DG_EMAP, "XPath: evaluation failed");
    return r;
}

xmlXPathObjectPtr dg_xml_select(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node,
                                dg_error *err)
{
    return eval(ctx, expr, node, err);
}

int dg_xml_eval(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node, dg_buf *out,
                dg_error *err)
{
    dg_buf_clear(out);
    xmlXPathObjectPtr r = eval(ctx, expr, node, err);
    if (!r)
        return err->code ? err->code : DG_EMAP;
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

int dg_xml_eval_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node, dg_buf *out)
{
    dg_error ignored = {0};
    int rc = dg_xml_eval(ctx, expr, node, out, &ignored);
    return rc > 0 ? 1 : 0;
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static bool has_text(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            return true;
    return false;
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
        /* A value for an element that already holds one is a second element of that name
         * (cXML's Street, Street for address lines 1 and 2), never text glued onto the first. */
        if (next && last && value && has_text(next))
            next = NULL;
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
