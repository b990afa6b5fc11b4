/* Partner certification, offline: the sample order becomes a PO through the supplier's own
 * outbound mapping (valid X12, read back), and the partner's sample answers are read through its
 * own inbound mappings; certify_check.c then checks the documents against each other. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model_json.h"
#include "gateway/gw_internal.h"
#include "x12/defs.h"
#include "x12/validate.h"
#include "x12/x12.h"

/* The sample order as the flow renders a PO: three lines with the ids, UoM and prices the
 * answers must carry back (etc/certify/README.md lists them for partner engineers). */
static const char sample_po[] =
    "{\"kind\":\"order\",\"order\":{\"order_number\":\"" DG_GW_CERT_PO "\","
    "\"customer_order_number\":\"CERT-1001\",\"order_date\":\"2026-01-15\",\"purpose\":\"00\","
    "\"order_type\":\"DS\",\"currency\":\"USD\",\"buyer\":{\"id\":\"DROPGATE\","
    "\"name\":\"Retailer\"},\"bill_to\":{\"name\":\"Retailer\",\"address1\":\"100 Commerce Way\","
    "\"city\":\"Portland\",\"state\":\"OR\",\"postal_code\":\"97201\",\"country\":\"US\"},"
    "\"ship_to\":{\"name\":\"Ana Lopez\",\"address1\":\"123 Main St\",\"city\":\"Austin\","
    "\"state\":\"TX\",\"postal_code\":\"78701\",\"country\":\"US\"},"
    "\"seller\":{\"id\":\"supplier\",\"name\":\"supplier\"},\"carrier\":\"UPSN\","
    "\"service_level\":\"GROUND\",\"total\":\"49.40\",\"lines\":["
    "{\"line_number\":\"1\",\"buyer_sku\":\"SF-CERT-1\",\"vendor_sku\":\"CERT-1001\","
    "\"gtin\":\"012345678905\",\"description\":\"Certification mug\",\"quantity\":\"2\","
    "\"uom\":\"EA\",\"unit_price\":\"4.10\"},"
    "{\"line_number\":\"2\",\"buyer_sku\":\"SF-CERT-2\",\"vendor_sku\":\"CERT-1002\","
    "\"gtin\":\"012345678912\",\"description\":\"Certification kettle\",\"quantity\":\"1\","
    "\"uom\":\"EA\",\"unit_price\":\"21.50\"},"
    "{\"line_number\":\"3\",\"buyer_sku\":\"SF-CERT-3\",\"vendor_sku\":\"CERT-1003\","
    "\"gtin\":\"012345678929\",\"description\":\"Certification tumbler\",\"quantity\":\"3\","
    "\"uom\":\"EA\",\"unit_price\":\"6.90\"}]}}";

void gw_cert_add(dg_gw_cert_result *r, const char *check, const char *doc, bool pass,
                 const char *fmt, ...)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        dg_gw_cert_check *c = realloc(r->checks, cap * sizeof *c);
        if (!c)
            abort(); /* a table of a few dozen rows */
        r->checks = c;
        r->cap = cap;
    }
    dg_gw_cert_check *c = &r->checks[r->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->check, sizeof c->check, "%s", check);
    snprintf(c->doc, sizeof c->doc, "%s", doc);
    c->pass = pass;
    char text[sizeof c->detail];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* paths relative to the project root, as the partner files name them */
    size_t rl = r->root ? strlen(r->root) : 0, k = 0;
    for (const char *t = text; *t && k + 1 < sizeof c->detail;) {
        if (rl && !strncmp(t, r->root, rl) && t[rl] == '/') {
            t += rl + 1;
            if (!strncmp(t, "./", 2))
                t += 2;
            continue;
        }
        c->detail[k++] = *t++;
    }
    c->detail[k] = '\0';
    if (!pass)
        r->failed++;
}

void dg_gw_cert_result_free(dg_gw_cert_result *r)
{
    if (r)
        free(r->checks);
}

/* Documents read from the answers, with the file each came from. */
typedef struct docs {
    dg_doc **d;
    char **from;
    size_t n, cap;
    const char *label; /* the file being read */
} docs;

static int collect(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    docs *ds = ctx;
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 16;
        dg_doc **d = realloc(ds->d, cap * sizeof *d);
        char **f = d ? realloc(ds->from, cap * sizeof *f) : NULL;
        if (d)
            ds->d = d;
        if (!d || !f) {
            dg_doc_free(doc);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        ds->from = f;
        ds->cap = cap;
    }
    ds->from[ds->n] = strdup(ds->label);
    ds->d[ds->n++] = doc;
    return 0;
}

static void docs_free(docs *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        dg_doc_free(ds->d[i]);
        free(ds->from[i]);
    }
    free(ds->d);
    free(ds->from);
}

/* The first problem of an X12 check that rejects, in words. */
static bool x12_ok(const dg_x12_file_result *r, char *why, size_t size)
{
    if (r->not_x12) {
        snprintf(why, size, "%s", r->not_x12_msg);
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_problems && k + 1 < size; i++)
        if (!r->problems[i].warning) /* the segment's problem, then its elements' */
            k += (size_t)snprintf(why + k, size - k, "%s%s: %s", k ? "; " : "",
                                  r->problems[i].seg_id, r->problems[i].msg);
    if (k)
        return false;
    snprintf(why, size, "%ld set(s) valid against edi/", r->n_sets);
    return !r->rejected;
}

/* ---- the PO ----------------------------------------------------------------------------- */

static int render_po(const dg_gw_config *cfg, const dg_gw_partner *p, const dg_x12_defs *defs,
                     dg_doc *po, dg_gw_cert_result *out)
{
    const char *label = "PO " DG_GW_CERT_PO;
    dg_error err = {0};
    dg_mapping *m = NULL;
    dg_buf b = DG_BUF_INIT;
    int rc = dg_map_load(p->out.po_mapping, &m, &err);
    bool x12 = !rc && !strcmp(dg_map_format(m), "x12");
    if (!rc) {
        dg_map_envelope env;
        memset(&env, 0, sizeof env);
        env.sender_qualifier = cfg->our_qualifier;
        env.sender_id = cfg->our_id;
        env.receiver_qualifier = p->x12_qualifier ? p->x12_qualifier : "ZZ";
        env.receiver_id = p->x12_id ? p->x12_id : p->name;
        env.interchange_control = env.group_control = env.first_set_control = 1;
        env.test = true; /* a certification PO is never a real order */
        env.date = "20260115";
        env.time = "0900";
        env.defs = defs; /* fitted to edi/ and validated, as the gateway does */
        dg_doc *d[1] = {po};
        rc = dg_map_write(m, d, 1, &env, &b, &err);
    }
    gw_cert_add(out, "po_render", label, !rc, "%s", rc ? err.msg : p->out.po_mapping);
    if (!rc && x12) {
        dg_x12_file_result *xr = NULL;
        char why[400];
        dg_error e = {0};
        bool ok =
            !dg_x12_check_mem(defs, b.data, b.len, "PO", &xr, &e) && x12_ok(xr, why, sizeof why);
        gw_cert_add(out, "po_x12_valid", label, ok, "%s", xr ? why : e.msg);
        dg_x12_file_result_free(xr);
        /* Read back with the 850 reader: the PO carries every line, id, quantity and price. */
        char in[1200], tmp[] = "/tmp/dg-certify-po-XXXXXX";
        snprintf(in, sizeof in, "%s/x12-850-in.yaml", cfg->mappings_dir);
        int fd = mkstemp(tmp);
        dg_mapping *rm = NULL;
        docs back = {0};
        back.label = "PO";
        if (fd >= 0 && write(fd, b.data, b.len) == (ssize_t)b.len && !dg_map_load(in, &rm, &e) &&
            !dg_map_read_file(rm, tmp, collect, &back, &e) && back.n == 1 &&
            back.d[0]->kind == DG_DOC_ORDER) {
            gw_cert_po_back(out, po, back.d[0]);
        } else {
            gw_cert_add(out, "po_lines", label, false, "the PO does not read back as one 850: %s",
                        e.msg[0] ? e.msg : "no document");
        }
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        dg_map_free(rm);
        docs_free(&back);
    }
    dg_buf_free(&b);
    dg_map_free(m);
    return rc;
}

/* ---- the answers ------------------------------------------------------------------------ */

typedef struct x12_read {
    const dg_gw_partner *p;
    dg_gw_cert_result *out;
    docs *ds;
    const char *label;
    bool failed;
} x12_read;

static int read_set(void *ctx, const dg_x12_set *set)
{
    x12_read *x = ctx;
    if (!set->isa || !set->gs || !strcmp(set->id, "997") || !strcmp(set->id, "999"))
        return 0;
    char doc[160];
    snprintf(doc, sizeof doc, "%s set %s ST02 %s", x->label, set->id, set->control);
    bool sender = x->p->x12_id && !strcmp(set->isa->sender_id, x->p->x12_id);
    if (!sender)
        gw_cert_add(x->out, "answer_sender", doc, false,
                    "ISA06 '%s' is not %s's x12: id '%s' (routing would not take it)",
                    set->isa->sender_id, x->p->name, x->p->x12_id ? x->p->x12_id : "");
    const dg_gw_x12_set *row = dg_gw_x12_set_find(x->p, set->id, set->gs->version);
    if (!row) {
        gw_cert_add(x->out, "answer_read", doc, false, "no mapping for set %s in x12: sets: of %s",
                    set->id, x->p->file);
        return 0;
    }
    dg_error err = {0};
    dg_mapping *m = NULL;
    dg_map_x12_reader *rd = NULL;
    size_t before = x->ds->n;
    int rc = dg_map_load(row->mapping, &m, &err);
    if (!rc)
        rc = dg_map_x12_reader_new(m, &rd, &err);
    if (!rc)
        rc = dg_map_x12_read_set(rd, set, collect, x->ds, &err);
    dg_map_x12_reader_free(rd);
    dg_map_free(m);
    gw_cert_add(
        x->out, "answer_read", doc, !rc, "%s%s%s", rc ? err.msg : row->mapping, rc ? "" : " -> ",
        rc ? "" : (x->ds->n > before ? dg_doc_kind_name(x->ds->d[before]->kind) : "nothing"));
    return 0;
}

static void read_x12(const dg_gw_partner *p, const dg_x12_defs *defs, const char *path,
                     const char *label, docs *ds, dg_gw_cert_result *out)
{
    dg_x12_file_result *xr = NULL;
    dg_error e = {0};
    char why[400];
    bool ok = !dg_x12_check_file(defs, path, &xr, &e) && x12_ok(xr, why, sizeof why);
    gw_cert_add(out, "answer_x12_valid", label, ok, "%s", xr ? why : e.msg);
    dg_x12_file_result_free(xr);
    x12_read x = {p, out, ds, label, false};
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_set = read_set;
    if (dg_x12_parse_file(path, &cb, &x, &e))
        gw_cert_add(out, "answer_read", label, false, "%s", e.msg);
}

/* CSV/XML: the first inbound drop mapping of the partner that reads the file. */
static void read_flat(const dg_gw_partner *p, const char *path, const char *label, docs *ds,
                      dg_gw_cert_result *out)
{
    char all[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < p->n_drops; i++) {
        const dg_gw_drop *d = &p->drops[i];
        if (d->route_x12 || d->acks || !dg_gw_glob_selected(d, label))
            continue;
        const char *mp = d->mapping;
        dg_error e = {0};
        if (!mp && dg_gw_drop_mapping(d, path, &mp, &e)) {
            if (len + 1 < sizeof all)
                len +=
                    (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? "; " : "", e.msg);
            continue;
        }
        dg_mapping *m = NULL;
        size_t before = ds->n;
        int rc = dg_map_load(mp, &m, &e);
        if (!rc)
            rc = dg_map_read_file(m, path, collect, ds, &e);
        dg_map_free(m);
        if (!rc && ds->n > before) {
            gw_cert_add(out, "answer_read", label, true, "%s (drop %s) -> %zu %s", mp, d->folder,
                        ds->n - before, dg_doc_kind_name(ds->d[before]->kind));
            return;
        }
        while (ds->n > before) { /* a partial read of the wrong mapping */
            ds->n--;
            dg_doc_free(ds->d[ds->n]);
            free(ds->from[ds->n]);
        }
        if (len + 1 < sizeof all)
            len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? "; " : "",
                                    rc ? e.msg : "no document");
    }
    gw_cert_add(out, "answer_read", label, false, "no inbound mapping of %s reads it: %s", p->name,
                len ? all : "it has no inbound drop with a mapping");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_x12_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char head[8] = "";
    size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
    if (f)
        fclose(f);
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\r' || head[i] == '\n'))
        i++;
    return n - i >= 3 && !strncmp(head + i, "ISA", 3);
}

static int read_answers(const dg_gw_partner *p, const dg_x12_defs *defs, const char *dir, docs *ds,
                        dg_gw_cert_result *out, dg_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return dg_error_set(err, DG_EIO,
                            "%s: cannot open the answers folder (put the partner's sample 855, "
                            "856 and 810 answers to PO %s there, or name one with --answers)",
                            dir, DG_GW_CERT_PO);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strncmp(e->d_name, "README", 6))
            continue;
        char **g = realloc(names, (n + 1) * sizeof *g);
        if (!g)
            abort();
        names = g;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ds->label = names[i];
        if (is_x12_file(path))
            read_x12(p, defs, path, names[i], ds, out);
        else
            read_flat(p, path, names[i], ds, out);
        free(names[i]);
    }
    free(names);
    ds->label = "";
    return 0;
}

int dg_gw_certify(const dg_gw_config *cfg, const dg_gw_partner *p, const char *answers_dir,
                  dg_gw_cert_result *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    out->root = cfg->root;
    if (p->role != DG_ROLE_SUPPLIER || !p->out.po_mapping)
        return dg_error_set(err, DG_ECONFIG,
                            "%s: certify needs a supplier with outbound: po_mapping: (%s)", p->name,
                            p->file);
    dg_x12_defs *defs = NULL;
    dg_doc *po = NULL;
    int rc = dg_x12_defs_load(cfg->edi_dir, &defs, err);
    if (!rc)
        rc = dg_doc_from_json(sample_po, sizeof sample_po - 1, &po, err);
    if (rc) {
        dg_x12_defs_free(defs);
        return rc;
    }
    po->u.order.seller.id = (char *)p->name;
    po->u.order.seller.name = (char *)p->name;
    render_po(cfg, p, defs, po, out);
    docs ds = {0};
    rc = read_answers(p, defs, answers_dir, &ds, out, err);
    if (!rc)
        gw_cert_cross(out, po, ds.d, (const char *const *)ds.from, ds.n,
                      dg_gw_x12_set_find(p, "855", NULL) != NULL || p->sla_ack_855 >= 0);
    docs_free(&ds);
    dg_doc_free(po);
    dg_x12_defs_free(defs);
    if (rc)
        dg_gw_cert_result_free(out);
    return rc;
}
