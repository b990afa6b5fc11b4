/* XML adapter: XPath (with declared namespaces) -> canonical documents, one per node selected
 * by xml.documents, read one child of the root at a time; and canonical documents -> XML built
 * from element paths. */
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_internal.h"
#include "xml/xml.h"

/* Every XPath is compiled once at load; the list lets map_xml_release free them. */
typedef struct {
    xmlXPathCompExprPtr *exprs;
    size_t n, cap;
} xml_priv;

static void *compile(dg_mapping *m, const char *src, int line, dg_error *err)
{
    xml_priv *p = m->xml_priv;
    xmlXPathCompExprPtr e = NULL;
    dg_error why = {0};
    if (dg_xml_compile(NULL, src, &e, &why)) { /* quiet: libxml2's reason goes in the message */
        dg_error_set(err, DG_ECONFIG, "%s:%d: '%s' is not a valid XPath expression (%s)", m->path,
                     line, src, why.msg);
        return NULL;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        xmlXPathCompExprPtr *ne = realloc(p->exprs, p->cap * sizeof *ne);
        if (!ne)
            abort();
        p->exprs = ne;
    }
    p->exprs[p->n++] = e;
    return e;
}

int map_xml_compile(dg_mapping *m, dg_error *err)
{
    xmlInitParser();
    m->xml_priv = calloc(1, sizeof(xml_priv));
    if (m->dir == DG_MAP_OUT)
        return 0;
    int line = dg_conf_get(m->conf, "xml") ? dg_conf_get(m->conf, "xml")->line : 1;
    if (!(m->xml.documents_c = compile(m, m->xml.documents, line, err)))
        return DG_ECONFIG;
    return map_compile_paths(m, compile, err);
}

void map_xml_release(dg_mapping *m)
{
    xml_priv *p = m->xml_priv;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        xmlXPathFreeCompExpr(p->exprs[i]);
    free(p->exprs);
    free(p);
    m->xml_priv = NULL;
}

typedef struct {
    const dg_mapping *m;
    xmlXPathContextPtr ctx;
    dg_buf vals[MAP_MAX_SOURCES];
} xml_read;

/* A rule the document lacks is noted in fail and the next one applied (map_fail). */
static int apply_rules(xml_read *x, const map_rule *rules, size_t n, xmlNodePtr node, dg_doc *doc,
                       int group, size_t idx, map_fail *fail, dg_error *err)
{
    map_pos pos = {"line", xmlGetLineNo(node), (const char *)node->name};
    for (size_t i = 0; i < n; i++) {
        const map_rule *r = &rules[i];
        const char *v[MAP_MAX_SOURCES];
        size_t l[MAP_MAX_SOURCES];
        size_t k = r->n_src < MAP_MAX_SOURCES ? r->n_src : MAP_MAX_SOURCES;
        for (size_t s = 0; s < k; s++) {
            /* an evaluation error (undefined prefix, unknown function) is a mapping bug: say so
             * rather than map an empty value, and stop the file (every document would fail) */
            int found = dg_xml_eval(x->ctx, r->src_c[s], node, &x->vals[s], err);
            if (found < 0) {
                dg_error_prefix(err, "%s:%d: rule %s: ", x->m->path, r->line, r->label);
                return err->code = DG_ECONFIG;
            }
            v[s] = found ? (x->vals[s].data ? x->vals[s].data : "") : NULL;
            l[s] = found ? x->vals[s].len : 0;
        }
        void *rec = dg_fields_record(doc, r->field->group == group ? group : r->field->group,
                                     r->field->group == group ? idx : 0);
        int rc = map_fail_note(fail, map_apply_in(x->m, r, v, l, k, doc, rec, &pos, err), err);
        if (rc)
            return rc;
    }
    return 0;
}

/* NULL with err->code set on an evaluation error, NULL alone when nothing matches. */
static xmlNodeSetPtr select_nodes(xml_read *x, xmlXPathCompExprPtr e, xmlNodePtr at,
                                  xmlXPathObjectPtr *keep, dg_error *err)
{
    *keep = dg_xml_select(x->ctx, e, at, err);
    return *keep && (*keep)->type == XPATH_NODESET ? (*keep)->nodesetval : NULL;
}

typedef struct {
    xml_read *x;
    const map_group *gr;
    xmlNodePtr item;
} xml_item;

static const char *filter_src(void *ctx, size_t k, size_t *len)
{
    xml_item *it = ctx;
    dg_buf *b = &it->x->vals[0];
    int found = dg_xml_eval_text(it->x->ctx, it->gr->filters[k].source_c, it->item, b);
    *len = found ? b->len : 0;
    return found ? b->data : NULL;
}

/* One document node: its fields, then its groups' elements (kept, dropped or carried by the
 * filters, tallied in t). Mapping failures are noted in fail; a carried line's own do not count. */
static int read_doc(xml_read *x, xmlNodePtr node, dg_doc **out, map_fail *fail, map_tally *t,
                    dg_error *err)
{
    const dg_mapping *m = x->m;
    dg_doc *doc = dg_doc_new(m->kind);
    doc->source.format = dg_arena_strdup(doc->arena, "xml");
    doc->source.position = xmlGetLineNo(node);
    int rc = apply_rules(x, m->rules, m->n_rules, node, doc, DG_FIELD_BODY, 0, fail, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        const map_group *gr = &m->groups[g];
        if (gr->if_empty >= 0 && dg_fields_count(doc, gr->if_empty))
            continue;
        xmlXPathObjectPtr keep = NULL;
        err->code = 0;
        xmlNodeSetPtr set = select_nodes(x, gr->each_c, node, &keep, err);
        if (!keep && err->code)
            rc = err->code = DG_ECONFIG; /* as above: the mapping's XPath, not the document */
        for (int i = 0; !rc && set && i < set->nodeNr; i++) {
            xmlNodePtr item = set->nodeTab[i];
            if (gr->when_c && !dg_xml_eval_text(x->ctx, gr->when_c, item, &x->vals[0]))
                continue;
            const map_filter *by = NULL;
            xml_item it = {x, gr, item};
            map_verdict v = gr->n_filters ? map_filter_element(gr, filter_src, &it, &by) : MAP_KEEP;
            if (gr->n_filters)
                map_tally_add(t, m, gr, v, by);
            if (v == MAP_DROP)
                continue;
            map_fail own = {0};
            size_t idx = dg_fields_add(doc, gr->group);
            rc = apply_rules(x, gr->rules, gr->n_rules, item, doc, gr->group, idx,
                             v == MAP_CARRY ? &own : fail, err);
            if (!rc && v == MAP_CARRY)
                map_filter_carry(by, doc, dg_fields_record(doc, gr->group, idx));
            if (!rc)
                map_group_finish(gr, doc, idx);
        }
        xmlXPathFreeObject(keep);
    }
    if (rc) {
        dg_doc_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

typedef struct {
    xml_read x;
    const map_reader *rd;
    bool found;      /* a document was selected */
    map_tally tally; /* the current document's */
} xml_stream;

/* A read document goes to the sink, or is reported skipped or failed (or stops the read). */
static int finish_doc(xml_stream *st, xmlNodePtr n, dg_doc *doc, const map_fail *fail,
                      dg_error *err)
{
    dg_error why = {0};
    bool skipped = map_tally_skipped(&st->tally, st->x.m, "element", &why) != NULL;
    if (!skipped && !(fail->failed && !map_fail_forgiven(fail, doc)))
        return st->rd->sink(st->rd->ctx, doc, err);
    dg_doc_free(doc);
    return map_report(st->rd, skipped, "line", xmlGetLineNo(n), NULL, skipped ? &why : &fail->why,
                      err);
}

static bool within(xmlNodePtr n, xmlNodePtr top)
{
    for (; n; n = n->parent)
        if (n == top)
            return true;
    return false;
}

/* The mapping's documents XPath runs against the root and the one child being read (and the
 * children kept before it), so memory is bounded by the largest document. Only nodes inside
 * the current child are taken: an earlier child still in the tree was read already. A child
 * holding no document stays (a batch header the rules may point at with an absolute path). */
static int on_node(void *ctx, xmlDocPtr doc, xmlNodePtr node, bool complete, dg_error *err)
{
    xml_stream *st = ctx;
    xml_read *x = &st->x;
    const dg_mapping *m = x->m;
    if (!x->ctx) {
        x->ctx = xmlXPathNewContext(doc);
        for (size_t i = 0; i < m->xml.n_ns; i++)
            xmlXPathRegisterNs(x->ctx, (const xmlChar *)m->xml.ns[i].prefix,
                               (const xmlChar *)m->xml.ns[i].uri);
    }
    xmlXPathObjectPtr keep = NULL;
    err->code = 0;
    xmlNodeSetPtr set = select_nodes(x, m->xml.documents_c, (xmlNodePtr)doc, &keep, err);
    if (!keep && err->code)
        return err->code;
    int rc = 0;
    bool here = false;
    for (int i = 0; !rc && set && i < set->nodeNr; i++) {
        xmlNodePtr n = set->nodeTab[i];
        if (!complete) { /* the root alone: is the whole file one document? */
            if (n == node)
                rc = DG_XML_WHOLE;
            continue;
        }
        if (!within(n, node))
            continue;
        here = st->found = true;
        dg_doc *doc_out = NULL;
        map_fail fail = {0};
        map_tally_reset(&st->tally);
        rc = read_doc(x, n, &doc_out, &fail, &st->tally, err);
        if (!rc)
            rc = finish_doc(st, n, doc_out, &fail, err);
    }
    xmlXPathFreeObject(keep);
    if (rc)
        return rc;
    return complete && !here ? DG_XML_KEEP : 0;
}

int map_xml_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err)
{
    xml_stream st = {.x = {.m = m}, .rd = rd};
    map_tally_init(&st.tally, m);
    int rc = dg_xml_stream_file(path, on_node, &st, err);
    map_tally_free(&st.tally);
    if (!rc && !st.found)
        rc = dg_error_set(
            err, DG_EMAP,
            "%s: %s: no element matches documents '%s' (check the root element and namespaces)",
            path, m->path, m->xml.documents);
    if (st.x.ctx)
        xmlXPathFreeContext(st.x.ctx);
    for (int i = 0; i < MAP_MAX_SOURCES; i++)
        dg_buf_free(&st.x.vals[i]);
    if (rc && rc != DG_EIO && !strstr(err->msg, path))
        dg_error_prefix(err, "%s: ", path);
    return rc;
}

/* ---- outbound ------------------------------------------------------------------------------- */

static int write_outs(const dg_mapping *m, const map_out *outs, size_t n, xmlNodePtr parent,
                      map_out_ctx *c, dg_buf *tmp, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const map_out *o = &outs[i];
        if (o->when) {
            void *rec = map_out_record(c, o->when);
            if (!rec || !dg_field_present(rec, o->when))
                continue;
        }
        if (o->each >= 0) {
            size_t cnt = dg_fields_count(c->doc, o->each);
            map_out_ctx sub = *c;
            sub.outer_group = c->group;
            sub.outer_idx = c->idx;
            sub.group = o->each;
            if (o->if_empty >= 0 && dg_fields_count(c->doc, o->if_empty) > 0)
                continue;
            for (size_t k = 0; k < cnt; k++) {
                if (!map_out_matches(o, c, k))
                    continue;
                sub.idx = k;
                xmlNodePtr el = o->name ? dg_xml_path_node(parent, o->name, 1, NULL) : parent;
                int rc = write_outs(m, o->kids, o->n_kids, el, &sub, tmp, err);
                if (rc)
                    return rc;
            }
            continue;
        }
        dg_buf_clear(tmp);
        int rc = map_render(m, o->vals, c, tmp, err);
        if (rc)
            return rc;
        if (tmp->len)
            dg_xml_path_node(parent, o->name, 0, tmp->data);
    }
    return 0;
}

int map_xml_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err)
{
    /* document "" makes the root the document (a cXML file is one request): one per file */
    if (!*m->xml.document && n > 1)
        return dg_error_set(err, DG_EMAP, "%s: writes one document per file, not %zu", m->path, n);
    xmlDocPtr xdoc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)m->xml.root);
    xmlDocSetRootElement(xdoc, root);
    if (m->xml.doctype) /* written for the receiver; our own reader never loads it */
        xmlCreateIntSubset(xdoc, (const xmlChar *)m->xml.root, NULL,
                           (const xmlChar *)m->xml.doctype);
    if (m->xml.ns_uri)
        xmlSetNs(root, xmlNewNs(root, (const xmlChar *)m->xml.ns_uri, NULL));
    dg_buf tmp = DG_BUF_INIT;
    int rc = 0;
    for (size_t d = 0; !rc && d < n; d++) {
        map_out_ctx c = {.doc = docs[d], .group = -1, .outer_group = -1, .doc_no = d + 1};
        xmlNodePtr el = dg_xml_path_node(root, m->xml.document, 1, NULL);
        rc = write_outs(m, m->outs, m->n_outs, el, &c, &tmp, err);
    }
    if (!rc)
        dg_xml_dump(xdoc, out);
    dg_buf_free(&tmp);
    xmlFreeDoc(xdoc);
    return rc;
}
