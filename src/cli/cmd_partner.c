/* dropgate partner check NAME: the onboarding test kit. Connects with the partner's transport,
 * lists its folders, and runs its mappings over sample files without placing anything: nothing
 * is removed remotely, nothing is written to the state store. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/model_json.h"
#include "gateway/gateway.h"
#include "map/map.h"
#include "x12/defs.h"
#include "x12/x12.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate partner check NAME [--config FILE] [--max N] [SAMPLE...]\n"
          "\n"
          "Connects to partner NAME, lists its inbound and outbound folders, says which files a\n"
          "poll would take now, and maps up to N (default 5) files of each inbound drop with the\n"
          "drop's mapping (fetched into a scratch folder; the remote files stay where they are).\n"
          "SAMPLE files given on the command line are mapped with the mapping of the first drop\n"
          "whose include patterns select their name. Every inbound mapping of every drop and the\n"
          "outbound mappings are loaded and checked, whether or not a file waits; a sample PO is\n"
          "rendered through the outbound PO mapping (X12: fitted to and validated against edi/).\n"
          "Nothing is placed: no order, PO or record is created.\n"
          "exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error\n",
          f);
}

typedef struct {
    size_t docs;
    int kinds[8];
} count_ctx;

static int count_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    count_ctx *c = ctx;
    c->docs++;
    if ((unsigned)doc->kind < 8)
        c->kinds[doc->kind]++;
    dg_doc_free(doc);
    return 0;
}

/* Maps one local file; prints one line; returns 0 when it maps. */
static int try_map(const char *mapping, const char *path, const char *label)
{
    dg_error err = {0};
    dg_mapping *m = NULL;
    int rc = dg_map_load(mapping, &m, &err);
    if (!rc && dg_map_get_direction(m) != DG_MAP_IN)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is not an inbound mapping", mapping);
    count_ctx c = {0};
    if (!rc)
        rc = dg_map_read_file(m, path, count_sink, &c, &err);
    if (rc)
        printf("  map     %-40s FAIL %s: %s\n", label, dg_error_name(rc), err.msg);
    else
        printf("  map     %-40s ok   %zu %s document(s)\n", label, c.docs,
               dg_doc_kind_name(dg_map_doc_kind(m)));
    dg_map_free(m);
    return rc ? 1 : 0;
}

/* A drop with several mappings picks one per file (XML root element, CSV header columns). */
static int try_map_drop(const dg_gw_drop *d, const char *path, const char *label)
{
    const char *mapping = NULL;
    dg_error err = {0};
    int rc = dg_gw_drop_mapping(d, path, &mapping, &err);
    if (rc) {
        printf("  map     %-40s FAIL %s: %s\n", label, dg_error_name(rc), err.msg);
        return 1;
    }
    return try_map(mapping, path, label);
}

/* type: x12 drops: each set of a sample goes where routing would send it (sender -> partner,
 * ST01/GS08 -> that partner's x12: sets: mapping); unknown senders and sets are failures. */
typedef struct route_try {
    const dg_gw_config *cfg;
    count_ctx c;
    long acks;
    dg_mapping **maps; /* loaded once per sample file */
    const char **paths;
    size_t n_maps;
    char fail[700];
} route_try;

static dg_mapping *route_map(route_try *r, const char *path, dg_error *err)
{
    for (size_t i = 0; i < r->n_maps; i++)
        if (!strcmp(r->paths[i], path))
            return r->maps[i];
    dg_mapping *m = NULL;
    if (dg_map_load(path, &m, err))
        return NULL;
    r->maps = realloc(r->maps, (r->n_maps + 1) * sizeof *r->maps);
    r->paths = realloc(r->paths, (r->n_maps + 1) * sizeof *r->paths);
    if (!r->maps || !r->paths)
        abort();
    r->paths[r->n_maps] = path;
    r->maps[r->n_maps++] = m;
    return m;
}

static int route_set(void *ctx, const dg_x12_set *set)
{
    route_try *r = ctx;
    if (!set->isa || !set->gs)
        return 0;
    if (!strcmp(set->id, "997") || !strcmp(set->id, "999")) {
        r->acks++;
        return 0;
    }
    const dg_gw_partner *p = NULL;
    for (size_t i = 0; i < r->cfg->n_partners && !p; i++) {
        const dg_gw_partner *q = &r->cfg->partners[i];
        if (q->x12_id && !strcmp(q->x12_id, set->isa->sender_id) &&
            !strcmp(q->x12_qualifier, set->isa->sender_qual))
            p = q;
    }
    if (!p) {
        snprintf(r->fail, sizeof r->fail, "sender %s/%s matches no partner (x12: in %s)",
                 set->isa->sender_qual, set->isa->sender_id, r->cfg->partners_dir);
        return 1;
    }
    const dg_gw_x12_set *row = dg_gw_x12_set_find(p, set->id, set->gs->version);
    if (!row) {
        snprintf(r->fail, sizeof r->fail, "set %s (GS08 %s) of %s: no mapping in x12: sets: of %s",
                 set->id, set->gs->version, p->name, p->file);
        return 1;
    }
    dg_error err = {0};
    dg_mapping *m = route_map(r, row->mapping, &err);
    dg_map_x12_reader *rd = NULL;
    int rc = m ? dg_map_x12_reader_new(m, &rd, &err) : DG_ECONFIG;
    if (!rc)
        rc = dg_map_x12_read_set(rd, set, count_sink, &r->c, &err);
    dg_map_x12_reader_free(rd);
    if (rc) {
        snprintf(r->fail, sizeof r->fail, "set %s ST02 %s: %s", set->id, set->control, err.msg);
        return 1;
    }
    return 0;
}

static int try_route(const dg_gw_config *cfg, const char *path, const char *label)
{
    route_try r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_set = route_set;
    dg_error err = {0};
    int rc = dg_x12_parse_file(path, &cb, &r, &err);
    for (size_t i = 0; i < r.n_maps; i++)
        dg_map_free(r.maps[i]);
    free(r.maps);
    free(r.paths);
    if (rc) {
        printf("  map     %-40s FAIL %s\n", label, r.fail[0] ? r.fail : err.msg);
        return 1;
    }
    char kinds[200] = "";
    int n_kinds = 0;
    size_t len = 0;
    for (int k = 0; k < 8; k++)
        if (r.c.kinds[k]) {
            len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%d %s", n_kinds ? ", " : "",
                                    r.c.kinds[k], dg_doc_kind_name((dg_doc_kind)k));
            n_kinds++;
        }
    if (n_kinds == 1)
        printf("  map     %-40s ok   %s document(s)", label, kinds);
    else
        printf("  map     %-40s ok   %zu document(s)%s%s", label, r.c.docs, n_kinds ? ": " : "",
               kinds);
    printf(r.acks ? " + %ld acknowledgment set(s)\n" : "\n", r.acks);
    return 0;
}

static int check_out_mapping(const char *what, const char *path)
{
    if (!path)
        return 0;
    dg_error err = {0};
    dg_mapping *m = NULL;
    int rc = dg_map_load(path, &m, &err);
    if (!rc && dg_map_get_direction(m) != DG_MAP_OUT)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is not an outbound mapping", path);
    if (rc)
        printf("  %-7s %-40s FAIL %s\n", what, path, err.msg);
    else
        printf("  %-7s %-40s ok   %s %s\n", what, path, dg_map_format(m),
               dg_doc_kind_name(dg_map_doc_kind(m)));
    dg_map_free(m);
    return rc ? 1 : 0;
}

/* An inbound mapping of a drop (folder), loaded without any file. */
static int check_in_mapping(const char *folder, const char *path)
{
    if (!path)
        return 0;
    dg_error err = {0};
    dg_mapping *m = NULL;
    int rc = dg_map_load(path, &m, &err);
    if (!rc && dg_map_get_direction(m) != DG_MAP_IN)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is not an inbound mapping", path);
    if (rc)
        printf("  mapping %-40s FAIL %s\n", folder, err.msg);
    else
        printf("  mapping %-40s ok   %s\n", folder, path);
    dg_map_free(m);
    return rc ? 1 : 0;
}

/* A PO as the flow renders one (no ids, carrier or notes: the sparse case real POs hit). */
static const char sample_po[] =
    "{\"kind\":\"order\",\"order\":{\"order_number\":\"CHECK-0001\","
    "\"customer_order_number\":\"1001\",\"order_date\":\"2026-01-15\",\"purpose\":\"00\","
    "\"order_type\":\"DS\",\"currency\":\"USD\",\"bill_to\":{\"name\":\"Retailer\"},"
    "\"ship_to\":{\"name\":\"Ana Lopez\",\"address1\":\"123 Main St\",\"city\":\"Austin\","
    "\"state\":\"TX\",\"postal_code\":\"78701\",\"country\":\"US\"},"
    "\"seller\":{\"id\":\"supplier\",\"name\":\"supplier\"},\"total\":\"8.20\","
    "\"lines\":[{\"line_number\":\"1\",\"buyer_sku\":\"SF-1001\",\"vendor_sku\":\"V-1001\","
    "\"description\":\"Sample item\",\"quantity\":\"2\",\"uom\":\"EA\","
    "\"unit_price\":\"4.10\"}]}}";

/* Renders the sample PO through p's outbound PO mapping; X12 is fitted to edi/ and validated
 * as the gateway does before it queues a PO, so a PO the supplier would reject shows now. */
static int check_sample_po(const dg_gw_config *cfg, const dg_gw_partner *p)
{
    if (!p->out.po_mapping)
        return 0;
    dg_error err = {0};
    dg_mapping *m = NULL;
    dg_doc *doc = NULL;
    dg_x12_defs *defs = NULL;
    dg_buf b = DG_BUF_INIT;
    int rc = dg_map_load(p->out.po_mapping, &m, &err);
    if (!rc)
        rc = dg_doc_from_json(sample_po, sizeof sample_po - 1, &doc, &err);
    bool x12 = !rc && !strcmp(dg_map_format(m), "x12");
    if (x12)
        rc = dg_x12_defs_load(cfg->edi_dir, &defs, &err);
    if (!rc) {
        dg_map_envelope env;
        memset(&env, 0, sizeof env);
        env.sender_qualifier = cfg->our_qualifier;
        env.sender_id = cfg->our_id;
        env.receiver_qualifier = p->x12_qualifier ? p->x12_qualifier : "ZZ";
        env.receiver_id = p->x12_id ? p->x12_id : p->name;
        env.interchange_control = env.group_control = env.first_set_control = 1;
        env.defs = defs;
        dg_doc *docs[1] = {doc};
        rc = dg_map_write(m, docs, 1, &env, &b, &err);
    }
    if (rc)
        printf("  po      %-40s FAIL sample PO: %s\n", "render", err.msg);
    else
        printf("  po      %-40s ok   sample PO: %zu bytes%s\n", "render", b.len,
               x12 ? ", valid X12" : "");
    dg_buf_free(&b);
    dg_x12_defs_free(defs);
    dg_doc_free(doc);
    dg_map_free(m);
    return rc ? 1 : 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const dg_remote_file *)a)->name, ((const dg_remote_file *)b)->name);
}

static int check_drop(const dg_gw_config *cfg, dg_transport *t, const dg_gw_partner *p,
                      const dg_gw_drop *d, long max, const char *scratch)
{
    dg_error err = {0};
    dg_remote_file *files = NULL;
    size_t n = 0;
    int rc = dg_transport_list(t, d->folder, &files, &n, &err);
    if (rc == DG_ENOTFOUND) {
        printf("  list    %-40s ok   absent (nothing dropped yet)\n", d->folder);
        return 0;
    }
    if (rc) {
        printf("  list    %-40s FAIL %s\n", d->folder, err.msg);
        return 1;
    }
    if (n > 1)
        qsort(files, n, sizeof *files, cmp_name);
    printf("  list    %-40s ok   %zu entr%s (%s)\n", d->folder, n, n == 1 ? "y" : "ies",
           d->acks        ? "997 acknowledgments"
           : d->route_x12 ? "X12 routed by envelope"
           : d->n_matches ? "several mappings, matched per file"
                          : d->mapping);
    dg_gw_looks *looks = dg_gw_looks_new();
    int failed = 0;
    long mapped = 0;
    for (size_t i = 0; i < n; i++) {
        dg_gw_pick pick =
            dg_gw_pick_check(looks, p->name, d, &files[i], files, n, (int64_t)time(NULL));
        if (pick == DG_PICK_SKIP)
            continue;
        printf("    %-44s %10llu bytes  %s\n", files[i].name, (unsigned long long)files[i].size,
               pick == DG_PICK_UNSTABLE ? "would be taken once stable"
               : pick == DG_PICK_TAKE   ? "would be taken"
               : pick == DG_PICK_TOO_LARGE
                   ? "too large: over the drop's max_file_bytes, would be left in the drop"
                   : dg_gw_pick_name(pick));
        if (pick == DG_PICK_TOO_LARGE || d->acks ||
            (!d->mapping && !d->n_matches && !d->route_x12) || mapped >= max)
            continue;
        char remote[1024], local[1400];
        snprintf(remote, sizeof remote, "%s/%s", d->folder, files[i].name);
        snprintf(local, sizeof local, "%s/%s", scratch, files[i].name);
        char sha[DG_SHA256_HEX_LEN];
        uint64_t bytes = 0;
        if ((rc = dg_transport_fetch(t, remote, local, sha, &bytes, &err))) {
            printf("  fetch   %-40s FAIL %s\n", remote, err.msg);
            failed = 1;
            continue;
        }
        mapped++;
        failed |= d->route_x12 ? try_route(cfg, local, files[i].name)
                               : try_map_drop(d, local, files[i].name);
        unlink(local);
    }
    dg_gw_looks_free(looks);
    free(files);
    return failed;
}

static const dg_gw_drop *drop_for(const dg_gw_partner *p, const char *name)
{
    for (size_t i = 0; i < p->n_drops; i++)
        if (!p->drops[i].acks && dg_gw_glob_selected(&p->drops[i], name))
            return &p->drops[i];
    return NULL;
}

static int check(const dg_gw_config *cfg, const dg_gw_partner *p, long max, char **samples,
                 int n_samples)
{
    int failed = 0;
    printf("partner %s (%s, %s)\n", p->name,
           p->role == DG_ROLE_SUPPLIER ? "supplier" : "storefront", p->file);
    const char *risks[4];
    size_t n_risks = dg_transport_config_risks(&p->transport, risks, 4);
    for (size_t i = 0; i < n_risks; i++)
        printf("  warning %s\n", risks[i]);
    dg_error err = {0};
    dg_transport *t = NULL;
    if (p->secret_missing) { /* the mappings are still checked below */
        printf("  secret  %-40s FAIL %s\n", "", p->secret_missing);
        failed = 1;
    } else if (dg_transport_open(&p->transport, &t, &err)) {
        printf("  connect %-40s FAIL %s\n", p->transport.kind, err.msg);
        failed = 1;
    } else {
        printf("  connect %-40s ok\n", dg_transport_describe(t));
        char scratch[1024];
        snprintf(scratch, sizeof scratch, "%s/dropgate-check-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(scratch)) {
            printf("  scratch folder: cannot create %s\n", scratch);
            failed = 1;
        } else {
            for (size_t i = 0; i < p->n_drops; i++)
                failed |= check_drop(cfg, t, p, &p->drops[i], max, scratch);
            rmdir(scratch);
        }
        const char *outs[] = {p->out.folder, p->out.ack_folder};
        for (size_t i = 0; i < 2; i++) {
            if (!outs[i] || (i == 1 && p->out.folder && !strcmp(outs[0], outs[1])))
                continue;
            if (!dg_transport_config_caps(&p->transport).outbound_listable) {
                printf("  list    %-40s ok   not listed (an endpoint we send to)\n", outs[i]);
                continue;
            }
            dg_remote_file *files = NULL;
            size_t n = 0;
            int lrc = dg_transport_list(t, outs[i], &files, &n, &err);
            if (lrc == DG_ENOTFOUND) {
                printf("  list    %-40s ok   absent (created by the first upload)\n", outs[i]);
            } else if (lrc) {
                printf("  list    %-40s FAIL %s\n", outs[i], err.msg);
                failed = 1;
            } else {
                printf("  list    %-40s ok   %zu entr%s (outbound)\n", outs[i], n,
                       n == 1 ? "y" : "ies");
            }
            free(files);
        }
        dg_transport_close(t);
    }
    failed |= check_out_mapping("po", p->out.po_mapping);
    failed |= check_sample_po(cfg, p);
    failed |= check_out_mapping("track", p->out.tracking_mapping);
    for (int i = 0; i < n_samples; i++) {
        const char *base = strrchr(samples[i], '/') ? strrchr(samples[i], '/') + 1 : samples[i];
        const dg_gw_drop *d = drop_for(p, base);
        if (!d) {
            printf("  map     %-40s FAIL no inbound drop of %s selects this name\n", base, p->name);
            failed = 1;
            continue;
        }
        failed |= d->route_x12 ? try_route(cfg, samples[i], samples[i])
                               : try_map_drop(d, samples[i], samples[i]);
    }
    /* Every inbound mapping of every drop loads as an inbound mapping, whether or not a file
     * waits in the drop (a mistyped path shows now, not when the first file arrives). */
    for (size_t i = 0; i < p->n_drops; i++) {
        const dg_gw_drop *d = &p->drops[i];
        failed |= check_in_mapping(d->folder, d->mapping);
        for (size_t k = 0; k < d->n_matches; k++)
            failed |= check_in_mapping(d->folder, d->matches[k].mapping);
    }
    /* Every mapping of the set table loads and reads its ST01 (a mistyped path shows now,
     * not when the first file arrives). */
    for (size_t i = 0; i < p->n_x12_sets; i++) {
        const dg_gw_x12_set *e = &p->x12_sets[i];
        dg_error merr = {0};
        dg_mapping *m = NULL;
        int rc = dg_map_load(e->mapping, &m, &merr);
        const char *reads = rc ? NULL : dg_map_x12_set_id(m);
        if (!rc && (dg_map_get_direction(m) != DG_MAP_IN || !reads || strcmp(reads, e->set_id)))
            rc = dg_error_set(&merr, DG_ECONFIG, "%s is not an inbound X12 %s mapping", e->mapping,
                              e->set_id);
        char label[64];
        snprintf(label, sizeof label, "%s%s%s", e->set_id, e->version ? "/" : "",
                 e->version ? e->version : "");
        if (rc)
            printf("  set     %-40s FAIL %s\n", label, merr.msg);
        else
            printf("  set     %-40s ok   %s\n", label, e->mapping);
        failed |= rc ? 1 : 0;
        dg_map_free(m);
    }
    printf("%s: %s\n", p->name, failed ? "CHECK FAILED" : "all checks passed");
    return failed;
}

int dg_cmd_partner(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"max", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL;
    long max = 5;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'm': max = strtol(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind < 2 || strcmp(argv[optind], "check")) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[optind + 1];
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    if (dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err)) {
        fprintf(stderr, "dropgate partner: %s\n", err.msg);
        return 2;
    }
    const dg_gw_partner *p = dg_gw_config_partner(cfg, name);
    if (!p) {
        fprintf(stderr, "dropgate partner: no partner named '%s' in %s\n", name, cfg->file);
        dg_gw_config_free(cfg);
        return 2;
    }
    int failed = check(cfg, p, max, argv + optind + 2, argc - optind - 2);
    dg_gw_config_free(cfg);
    return failed ? 1 : 0;
}
