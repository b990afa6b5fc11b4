/* Loads the main configuration (etc/dropgate.yaml) and the partner files (etc/partners/NAME.yaml)
 * into one arena; every error names file:line and the key, as the operator must fix it there. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "x12/defs.h"

static int conf_error(dg_error *err, const dg_node *n, const char *fmt, const char *what)
{
    char where[512];
    dg_conf_where(n, where, sizeof where);
    char msg[600];
    snprintf(msg, sizeof msg, fmt, what);
    return dg_error_set(err, DG_ECONFIG, "%s: %s", where, msg);
}

/* Optional duration key ("60s"); absent gives def. */
static int get_duration(const dg_node *map, const char *key, long def, long *out, dg_error *err)
{
    const dg_node *v = dg_conf_get(map, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (v->type != DG_NODE_SCALAR || dg_gw_parse_duration(v->value, out) != 0)
        return conf_error(err, v, "%s: expected a duration such as 30, 30s, 5m or 1h", key);
    return 0;
}

static int get_globs(dg_arena *a, const dg_node *map, const char *key, const char ***out, size_t *n,
                     dg_error *err)
{
    const dg_node *v = dg_conf_get(map, key);
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (v->type == DG_NODE_SCALAR) {
        *out = dg_arena_alloc(a, sizeof **out);
        (*out)[0] = dg_arena_strdup(a, v->value);
        *n = 1;
        return 0;
    }
    if (v->type != DG_NODE_SEQ)
        return conf_error(err, v, "%s: expected a glob or a list of globs", key);
    *out = dg_arena_alloc(a, sizeof **out * (v->n_items + 1));
    for (size_t i = 0; i < v->n_items; i++) {
        if (v->items[i]->type != DG_NODE_SCALAR)
            return conf_error(err, v->items[i], "%s: each item must be a glob", key);
        (*out)[i] = dg_arena_strdup(a, v->items[i]->value);
    }
    *n = v->n_items;
    return 0;
}

/* Key tables for dg_conf_check: unknown keys and wrong shapes (a list where a map belongs) are
 * errors naming file:line, so a typo or a misplaced dash is never silently ignored. */
enum { T = DG_SHAPE_TEXT, M = DG_SHAPE_MAP, L = DG_SHAPE_LIST };

static int finish_drop(dg_gw_config *cfg, const dg_node *n, const dg_transport_caps *caps,
                       dg_gw_drop *d, dg_error *err);

/* mappings: [{mapping: ..., root: Order}, {mapping: ..., columns: [Name, Lineitem sku]}, ...] */
static int load_matches(dg_gw_config *cfg, const dg_node *list, dg_gw_drop *d, dg_error *err)
{
    static const dg_conf_key keys[] = {{"mapping", T}, {"root", T}, {"columns", T | L}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    if (!list->n_items)
        return conf_error(err, list, "%s: list at least one {mapping: ...}", "mappings");
    d->matches = dg_arena_alloc(a, sizeof *d->matches * list->n_items);
    for (size_t i = 0; i < list->n_items; i++) {
        const dg_node *it = list->items[i];
        int rc = dg_conf_check(it, "mappings (mapping, root or columns)", keys, err);
        if (rc)
            return rc;
        dg_gw_match *m = &d->matches[d->n_matches++];
        const char *path = dg_conf_str(it, "mapping", NULL);
        if (!path)
            return conf_error(err, it, "mappings: missing key '%s'", "mapping");
        m->mapping = dg_gw_resolve(a, cfg->root, path);
        m->root = dg_arena_strdup(a, dg_conf_str(it, "root", NULL));
        if ((rc = get_globs(a, it, "columns", &m->columns, &m->n_columns, err)))
            return rc;
        if (m->root && m->n_columns)
            return conf_error(err, it, "mappings: '%s' takes root (XML) or columns (CSV), not both",
                              path);
    }
    return 0;
}

static int load_drop(dg_gw_config *cfg, const dg_node *n, const dg_transport_caps *caps,
                     dg_gw_drop *d, dg_error *err)
{
    static const dg_conf_key known[] = {{"folder", T},
                                        {"include", T | L},
                                        {"exclude", T | L},
                                        {"mapping", T},
                                        {"after", T},
                                        {"archive_folder", T},
                                        {"stable_seconds", T},
                                        {"done_marker", T},
                                        {"min_age_seconds", T},
                                        {"max_files", T},
                                        {"max_file_bytes", T},
                                        {"ack", T},
                                        {"type", T},
                                        {"senders", T | L},
                                        {"mappings", L},
                                        {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(n, "an inbound drop (folder, mapping, ...)", known, err);
    if (rc)
        return rc;
    d->line = n->line;
    d->folder = dg_arena_strdup(a, dg_conf_str(n, "folder", NULL));
    if (!d->folder)
        return conf_error(err, n, "inbound drop: missing key '%s'", "folder");
    const char *type = dg_conf_str(n, "type", "documents");
    if (!strcmp(type, "acks"))
        d->acks = true;
    else if (!strcmp(type, "x12"))
        d->route_x12 = true;
    else if (strcmp(type, "documents"))
        return conf_error(err, dg_conf_get(n, "type"), "type: '%s' is not documents, x12 or acks",
                          type);
    const char *mapping = dg_conf_str(n, "mapping", NULL);
    const dg_node *several = dg_conf_get(n, "mappings");
    if (several && (mapping || d->acks || d->route_x12))
        return conf_error(err, several,
                          "%s: a drop has either one mapping: or several mappings: (documents "
                          "only)",
                          "mappings");
    if (!mapping && !several && !d->acks && !d->route_x12)
        return conf_error(err, n,
                          "inbound drop: missing key '%s' (inbound mapping file; X12 drops can "
                          "say type: x12 instead, routed by envelope)",
                          "mapping");
    if (mapping && d->route_x12)
        return conf_error(err, dg_conf_get(n, "mapping"),
                          "%s: a type: x12 drop takes no mapping (each set's mapping is in the "
                          "partner's x12: sets: table)",
                          "mapping");
    const dg_node *snd = dg_conf_get(n, "senders");
    if (snd && !d->route_x12)
        return conf_error(err, snd, "%s: only a type: x12 drop routes by sender", "senders");
    if (snd && snd->type == DG_NODE_SCALAR && !strcmp(snd->value, "any"))
        d->senders_any = true;
    else if ((rc = get_globs(a, n, "senders", &d->senders, &d->n_senders, err)))
        return rc;
    if (several && (rc = load_matches(cfg, several, d, err)))
        return rc;
    d->mapping = dg_gw_resolve(a, cfg->root, mapping);
    return finish_drop(cfg, n, caps, d, err);
}

/* The pickup keys every drop has (globs, after-action, stability, ack). */
static int finish_drop(dg_gw_config *cfg, const dg_node *n, const dg_transport_caps *caps,
                       dg_gw_drop *d, dg_error *err)
{
    dg_arena *a = cfg->arena;
    int rc;
    if ((rc = get_globs(a, n, "include", &d->include, &d->n_include, err)) ||
        (rc = get_globs(a, n, "exclude", &d->exclude, &d->n_exclude, err)))
        return rc;
    /* What the transport cannot do is refused here, not found out at the first poll (an https
     * partner lists only with list:, deletes only with ack:, never moves). */
    if (!caps->can_list)
        return conf_error(err, n, "inbound drop: the transport cannot list this folder (%s)",
                          "kind: https needs a list: block");
    const char *after = dg_conf_str(n, "after", caps->can_remove ? "delete" : "leave");
    if (!strcmp(after, "delete"))
        d->after = DG_AFTER_DELETE;
    else if (!strcmp(after, "move"))
        d->after = DG_AFTER_MOVE;
    else if (!strcmp(after, "leave"))
        d->after = DG_AFTER_LEAVE;
    else
        return conf_error(err, dg_conf_get(n, "after"), "after: '%s' is not delete, move or leave",
                          after);
    if ((d->after == DG_AFTER_DELETE && !caps->can_remove) ||
        (d->after == DG_AFTER_MOVE && !caps->can_move))
        return conf_error(err, dg_conf_get(n, "after") ? dg_conf_get(n, "after") : n,
                          "after: %s is not possible with this transport (kind: https moves "
                          "nothing and deletes only with an ack: block; say after: leave)",
                          after);
    d->archive_folder = dg_arena_strdup(a, dg_conf_str(n, "archive_folder", NULL));
    if (d->after == DG_AFTER_MOVE && !d->archive_folder)
        return conf_error(err, n, "inbound drop: after: move needs '%s'", "archive_folder");
    d->done_marker = dg_arena_strdup(a, dg_conf_str(n, "done_marker", NULL));
    /* A drop that says nothing about how its files are written gets the stable check: an
     * export appended in place must not be taken half-written. A done-marker is the writer's
     * own word; `stable_seconds: 0` declares a writer that renames complete files into place;
     * a transport that serves whole documents (https) needs no check. */
    long stable_default =
        (d->done_marker && *d->done_marker) || caps->whole_files ? 0 : DG_GW_STABLE_DEFAULT;
    if ((rc = get_duration(n, "stable_seconds", stable_default, &d->stable_seconds, err)) ||
        (rc = get_duration(n, "min_age_seconds", 0, &d->min_age_seconds, err)) ||
        (rc = dg_conf_long(n, "max_files", 0, &d->max_files, err)) ||
        (rc = dg_conf_long(n, "max_file_bytes", DG_GW_MAX_FILE_BYTES, &d->max_file_bytes, err)) ||
        (rc = dg_conf_bool(n, "ack", false, &d->ack, err)))
        return rc;
    if (d->max_files < 0)
        return conf_error(err, dg_conf_get(n, "max_files"), "%s must be 0 or more", "max_files");
    if (d->max_file_bytes < 0)
        return conf_error(err, dg_conf_get(n, "max_file_bytes"), "%s must be 0 or more",
                          "max_file_bytes");
    return 0;
}

/* webhook: URL, or {url, secret_env | secret_file, timeout_seconds} (a storefront's outbound
 * webhook, the main configuration's alerts webhook). missing (a partner's): an unset secret_env
 * is noted there and the partner skipped, not a configuration error. */
static int load_webhook(dg_gw_config *cfg, const dg_node *w, const char **url, const char **secret,
                        long *timeout_ms, const char **missing, dg_error *err)
{
    static const dg_conf_key wknown[] = {
        {"url", T}, {"secret_env", T}, {"secret_file", T}, {"timeout_seconds", T}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc;
    *timeout_ms = 10000;
    if (w->type == DG_NODE_SCALAR) {
        *url = dg_arena_strdup(a, w->value);
        dg_error uerr = {0};
        if (dg_gw_webhook_check_url(*url, false, &uerr))
            return conf_error(err, w, "%s", uerr.msg);
        return 0;
    }
    if ((rc = dg_conf_check(w, "webhook", wknown, err)))
        return rc;
    *url = dg_arena_strdup(a, dg_conf_str(w, "url", NULL));
    if (!*url)
        return conf_error(err, w, "webhook: missing key '%s'", "url");
    long t;
    if ((rc = get_duration(w, "timeout_seconds", 10, &t, err)))
        return rc;
    *timeout_ms = t * 1000;
    const char *env = dg_conf_str(w, "secret_env", NULL);
    const char *file = dg_conf_str(w, "secret_file", NULL);
    if (env) {
        const char *v = getenv(env);
        if (!v && !missing)
            return conf_error(err, w, "webhook: environment variable %s is not set", env);
        if (!v) { /* as a transport secret: the partner is skipped, the others go on */
            char where[300];
            *missing = dg_arena_printf(a, "%s: webhook: environment variable %s is not set",
                                       dg_conf_where(w, where, sizeof where), env);
            v = "";
        }
        *secret = dg_arena_strdup(a, v);
    } else if (file) {
        const char *path = dg_gw_resolve(a, cfg->root, file);
        dg_error perr = {0};
        if (dg_fs_check_private(path, &perr))
            return conf_error(err, dg_conf_get(w, "secret_file"), "webhook: %s", perr.msg);
        FILE *f = fopen(path, "r");
        char line[512] = "";
        if (!f || !fgets(line, sizeof line, f)) {
            explicit_bzero(line, sizeof line);
            if (f)
                fclose(f);
            return conf_error(err, w, "webhook: cannot read secret_file %s", path);
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        *secret = dg_arena_strdup(a, line);
        explicit_bzero(line, sizeof line); /* the arena copy is the only one left */
    }
    dg_error uerr = {0};
    if (dg_gw_webhook_check_url(*url, *secret && **secret, &uerr))
        return conf_error(err, dg_conf_get(w, "url"), "%s", uerr.msg);
    return 0;
}

/* sla: {ack_997_hours, ack_855_hours, first_856_days}: hours/days (decimals allowed) -> seconds,
 * -1 for a key not given. */
static int load_sla(const dg_node *n, dg_gw_partner *p, dg_error *err)
{
    static const dg_conf_key known[] = {
        {"ack_997_hours", T}, {"ack_855_hours", T}, {"first_856_days", T}, {NULL, 0}};
    static const struct {
        const char *key;
        double unit;
        size_t off;
    } items[] = {{"ack_997_hours", 3600, offsetof(dg_gw_partner, sla_ack_997)},
                 {"ack_855_hours", 3600, offsetof(dg_gw_partner, sla_ack_855)},
                 {"first_856_days", 86400, offsetof(dg_gw_partner, sla_first_856)}};
    int rc = dg_conf_check(n, "sla (ack_997_hours, ack_855_hours, first_856_days)", known, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        const char *v = dg_conf_str(n, items[i].key, NULL);
        if (!v)
            continue;
        char *end = NULL;
        double d = strtod(v, &end);
        if (end == v || *end || !(d > 0) || d > 3650.0 * 24) {
            char where[512];
            dg_conf_where(dg_conf_get(n, items[i].key), where, sizeof where);
            return dg_error_set(err, DG_ECONFIG, "%s: sla: %s: '%s' is not a positive number",
                                where, items[i].key, v);
        }
        *(long *)((char *)p + items[i].off) = (long)(d * items[i].unit + 0.5);
    }
    return 0;
}

/* status: {mapping, folder, webhook, webhook_mapping}: how a storefront is told what became of
 * its orders (the status feed); at least a mapping (a file) or a webhook. */
static int load_status(dg_gw_config *cfg, dg_gw_partner *p, const dg_node *n, dg_error *err)
{
    static const dg_conf_key known[] = {
        {"mapping", T}, {"folder", T}, {"webhook", T | M}, {"webhook_mapping", T}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(n, "status (mapping, folder, webhook, webhook_mapping)", known, err);
    if (rc)
        return rc;
    if (p->role != DG_ROLE_STOREFRONT)
        return conf_error(err, n, "outbound: %s: only a storefront has a status feed", "status");
    p->out.status_mapping = dg_gw_resolve(a, cfg->root, dg_conf_str(n, "mapping", NULL));
    p->out.status_folder = dg_arena_strdup(a, dg_conf_str(n, "folder", p->out.folder));
    p->out.status_webhook_mapping =
        dg_gw_resolve(a, cfg->root, dg_conf_str(n, "webhook_mapping", NULL));
    const dg_node *w = dg_conf_get(n, "webhook");
    if (w && (rc = load_webhook(cfg, w, &p->out.status_webhook_url, &p->out.status_webhook_secret,
                                &p->out.status_webhook_timeout_ms, &p->secret_missing, err)))
        return rc;
    if (!p->out.status_mapping && !p->out.status_webhook_url)
        return conf_error(err, n, "status: set a %s (a status file) or a webhook, or both",
                          "mapping");
    if (p->out.status_mapping && !p->out.status_folder)
        return conf_error(err, n, "status: missing key '%s' (or outbound: folder)", "folder");
    if (p->out.status_webhook_url && !p->out.status_webhook_mapping)
        return conf_error(err, n,
                          "status: webhook needs %s, the JSON mapping of its body "
                          "(mappings/storefront-status-json-out.yaml)",
                          "webhook_mapping");
    return 0;
}

static int load_outbound(dg_gw_config *cfg, dg_gw_partner *p, const dg_node *n, dg_error *err)
{
    static const dg_conf_key known[] = {
        {"folder", T},     {"po_mapping", T},  {"tracking_mapping", T},
        {"ack_folder", T}, {"webhook", T | M}, {"cancel_mapping", T},
        {"status", M},     {"po_per_file", T}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(n, "outbound (folder, po_mapping, ...)", known, err);
    if (rc)
        return rc;
    p->out.folder = dg_arena_strdup(a, dg_conf_str(n, "folder", NULL));
    p->out.ack_folder = dg_arena_strdup(a, dg_conf_str(n, "ack_folder", p->out.folder));
    p->out.po_mapping = dg_gw_resolve(a, cfg->root, dg_conf_str(n, "po_mapping", NULL));
    p->out.tracking_mapping = dg_gw_resolve(a, cfg->root, dg_conf_str(n, "tracking_mapping", NULL));
    p->out.cancel_mapping = dg_gw_resolve(a, cfg->root, dg_conf_str(n, "cancel_mapping", NULL));
    if ((p->out.po_mapping || p->out.tracking_mapping || p->out.cancel_mapping) && !p->out.folder)
        return conf_error(err, n, "outbound: missing key '%s'", "folder");
    /* Several POs per file: fewer files, uploads and durable syncs per PO (the PO mapping must
     * write several documents into one file: X12, CSV, JSON/XML lists). */
    if ((rc = dg_conf_long(n, "po_per_file", 1, &p->out.po_per_file, err)))
        return rc;
    if (p->out.po_per_file < 1 || p->out.po_per_file > DG_GW_PO_PER_FILE_MAX)
        return conf_error(err, dg_conf_get(n, "po_per_file"), "%s must be 1 to 1000",
                          "outbound.po_per_file");
    if (p->out.po_per_file > 1 && !p->out.po_mapping)
        return conf_error(err, dg_conf_get(n, "po_per_file"), "%s needs a po_mapping",
                          "outbound.po_per_file");
    p->out.webhook_timeout_ms = 10000;
    const dg_node *w = dg_conf_get(n, "webhook");
    if (w && (rc = load_webhook(cfg, w, &p->out.webhook_url, &p->out.webhook_secret,
                                &p->out.webhook_timeout_ms, &p->secret_missing, err)))
        return rc;
    const dg_node *st = dg_conf_get(n, "status");
    return st ? load_status(cfg, p, st, err) : 0;
}

/* sets: {"856": mappings/x12-856-in.yaml, "810/005010": ...}: ST01, optionally "/" and a GS08
 * prefix, to an inbound mapping. */
static int load_x12_sets(dg_gw_config *cfg, const dg_node *n, dg_gw_partner *p, dg_error *err)
{
    dg_arena *a = cfg->arena;
    if (n->type != DG_NODE_MAP)
        return conf_error(err, n,
                          "%s: expected a map of transaction sets to mappings, e.g. "
                          "{\"856\": mappings/x12-856-in.yaml}",
                          "x12.sets");
    p->x12_sets = dg_arena_alloc(a, sizeof *p->x12_sets * (n->n_items + 1));
    for (size_t i = 0; i < n->n_items; i++) {
        const dg_node *it = n->items[i];
        const char *key = it->key ? it->key : "";
        const char *slash = strchr(key, '/');
        size_t idlen = slash ? (size_t)(slash - key) : strlen(key);
        bool ok = idlen == 3;
        for (size_t k = 0; k < idlen && ok; k++)
            ok = key[k] >= '0' && key[k] <= '9';
        if (!ok || (slash && !slash[1]))
            return conf_error(err, it,
                              "x12.sets: '%s' is not a transaction set id (three digits, "
                              "optionally /GS08 version such as 810/005010)",
                              key);
        if (it->type != DG_NODE_SCALAR || !it->value || !*it->value)
            return conf_error(err, it, "x12.sets: '%s' needs a mapping file", key);
        if (!strncmp(key, "997", 3) || !strncmp(key, "999", 3))
            return conf_error(err, it,
                              "x12.sets: '%s' needs no mapping: acknowledgments are read by "
                              "dropgate itself",
                              key);
        dg_gw_x12_set *e = &p->x12_sets[p->n_x12_sets++];
        e->set_id = dg_arena_strndup(a, key, idlen);
        e->version = slash ? dg_arena_strdup(a, slash + 1) : NULL;
        e->mapping = dg_gw_resolve(a, cfg->root, it->value);
    }
    return 0;
}

static int load_x12(dg_gw_config *cfg, const dg_node *x12, dg_gw_partner *p, dg_error *err)
{
    static const dg_conf_key known[] = {{"qualifier", T}, {"id", T},  {"gs_id", T},
                                        {"sets", M},      {"ack", T}, {"duplicate_window", T},
                                        {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(x12, "x12", known, err);
    if (rc)
        return rc;
    p->x12_qualifier = dg_arena_strdup(a, dg_conf_str(x12, "qualifier", "ZZ"));
    p->x12_id = dg_arena_strdup(a, dg_conf_str(x12, "id", NULL));
    if (!p->x12_id)
        return conf_error(err, x12, "x12: missing key '%s'", "id");
    p->x12_gs_id = dg_arena_strdup(a, dg_conf_str(x12, "gs_id", p->x12_id));
    const char *ack = dg_conf_str(x12, "ack", "997");
    if (!strcmp(ack, "997"))
        p->x12_ack = 997;
    else if (!strcmp(ack, "999"))
        p->x12_ack = 999;
    else
        return conf_error(err, dg_conf_get(x12, "ack"), "x12.ack: '%s' is not 997 or 999", ack);
    if ((rc = get_duration(x12, "duplicate_window", 30L * 86400, &p->x12_duplicate_window, err)))
        return rc;
    const dg_node *sets = dg_conf_get(x12, "sets");
    return sets ? load_x12_sets(cfg, sets, p, err) : 0;
}

const dg_gw_x12_set *dg_gw_x12_set_find(const dg_gw_partner *p, const char *set_id,
                                        const char *version)
{
    const dg_gw_x12_set *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < p->n_x12_sets; i++) {
        const dg_gw_x12_set *e = &p->x12_sets[i];
        if (strcmp(e->set_id, set_id))
            continue;
        size_t len = e->version ? strlen(e->version) : 0;
        if (e->version && (!version || strncmp(version, e->version, len)))
            continue;
        if (!best || len > best_len) {
            best = e;
            best_len = len;
        }
    }
    return best;
}

/* A partner name becomes a folder name (spool, outbox, quarantine) and a key in the store:
 * letters, digits, '-' and '_' only, at most 63 characters. */
static bool valid_partner_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Local transports: a relative root means "under the project root", not the current folder. */
static void resolve_transport_root(dg_gw_config *cfg, dg_gw_partner *p)
{
    if (p->transport.kind && !strcmp(p->transport.kind, "local"))
        p->transport.root =
            dg_gw_resolve(cfg->arena, cfg->root, p->transport.root ? p->transport.root : ".");
}

static int load_partner_tree(dg_gw_config *cfg, const dg_node *root, dg_gw_partner *p,
                             dg_error *err)
{
    static const dg_conf_key known[] = {{"name", T},      {"role", T},        {"x12", M},
                                        {"transport", M}, {"schedule", M},    {"inbound", L},
                                        {"outbound", M},  {"description", T}, {"test", T},
                                        {"test_of", T},   {"sla", M},         {NULL, 0}};
    static const dg_conf_key schedule_keys[] = {{"every", T}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(root, "a partner file (name, role, transport, ...)", known, err);
    if (rc)
        return rc;
    p->name = dg_arena_strdup(a, dg_conf_str(root, "name", NULL));
    if (!p->name || !*p->name)
        return conf_error(err, root, "partner: missing key '%s'", "name");
    if (!valid_partner_name(p->name))
        return conf_error(err, dg_conf_get(root, "name"),
                          "name: '%s' is not a partner name (letters, digits, '-' and '_', at "
                          "most 63 characters)",
                          p->name);
    const char *role = dg_conf_str(root, "role", NULL);
    if (role && !strcmp(role, "storefront"))
        p->role = DG_ROLE_STOREFRONT;
    else if (role && !strcmp(role, "supplier"))
        p->role = DG_ROLE_SUPPLIER;
    else
        return conf_error(err, dg_conf_get(root, "role") ? dg_conf_get(root, "role") : root,
                          "role: '%s' is not storefront or supplier", role ? role : "(missing)");
    if ((rc = dg_conf_bool(root, "test", false, &p->test, err)))
        return rc;
    p->test_of = dg_arena_strdup(a, dg_conf_str(root, "test_of", NULL));
    if (p->test_of && !p->test)
        return conf_error(err, dg_conf_get(root, "test_of"),
                          "test_of: '%s' needs test: true (a partner in test mode)", p->test_of);
    p->sla_ack_997 = p->sla_ack_855 = p->sla_first_856 = -1;
    const dg_node *sla = dg_conf_get(root, "sla");
    if (sla && (rc = load_sla(sla, p, err)))
        return rc;
    p->x12_ack = 997;
    p->x12_duplicate_window = 30L * 86400;
    const dg_node *x12 = dg_conf_get(root, "x12");
    if (x12 && (rc = load_x12(cfg, x12, p, err)))
        return rc;
    const dg_node *t = dg_conf_get(root, "transport");
    if (!t)
        return conf_error(err, root, "partner: missing key '%s'", "transport");
    rc = dg_transport_config_load_in(t, cfg->root, a, &p->transport, err);
    if (rc == DG_EAUTH) {
        /* The file is right but its secret is missing here: the partner is skipped (reported on
         * every poll and by partner check), the others go on, and commands that only read the
         * state (status, report, search, show) never need it. */
        p->secret_missing = dg_arena_strdup(a, err->msg);
        rc = 0;
    }
    if (rc)
        return rc;
    resolve_transport_root(cfg, p);
    p->every_seconds = 60;
    const dg_node *s = dg_conf_get(root, "schedule");
    if (s && ((rc = dg_conf_check(s, "schedule", schedule_keys, err)) ||
              (rc = get_duration(s, "every", 60, &p->every_seconds, err))))
        return rc;
    const dg_node *in = dg_conf_get(root, "inbound");
    dg_transport_caps caps = dg_transport_config_caps(&p->transport);
    if (in) {
        p->n_drops = in->n_items;
        p->drops = dg_arena_alloc(a, sizeof *p->drops * (in->n_items + 1));
        for (size_t i = 0; i < in->n_items; i++)
            if ((rc = load_drop(cfg, in->items[i], &caps, &p->drops[i], err)))
                return rc;
    }
    const dg_node *out = dg_conf_get(root, "outbound");
    if (out && (rc = load_outbound(cfg, p, out, err)))
        return rc;
    for (size_t i = 0; i < p->n_drops; i++)
        if (p->drops[i].route_x12 && !p->x12_id && !p->drops[i].senders_any &&
            !p->drops[i].n_senders)
            return conf_error(err, root,
                              "a type: x12 drop needs the partner's '%s' (its ISA05/06 and the "
                              "sets it sends: x12: {qualifier: ZZ, id: ..., sets: {...}})",
                              "x12");
    return 0;
}

int dg_gw_partner_load(dg_gw_config *cfg, const char *path, dg_gw_partner *p, dg_error *err)
{
    dg_node *root = NULL;
    memset(p, 0, sizeof *p);
    int rc = dg_conf_load(path, &root, err);
    if (rc)
        return rc;
    p->file = dg_arena_strdup(cfg->arena, path);
    rc = load_partner_tree(cfg, root, p, err);
    dg_conf_free(root);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_partners(dg_gw_config *cfg, dg_error *err)
{
    DIR *dir = opendir(cfg->partners_dir);
    if (!dir)
        return dg_error_set(err, DG_ECONFIG, "%s: cannot open partners folder %s", cfg->file,
                            cfg->partners_dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        names = dg_arena_grow(cfg->arena, names, sizeof *names, n, &cap, n + 1);
        names[n++] = dg_arena_strdup(cfg->arena, e->d_name);
    }
    closedir(dir);
    if (n == 0)
        dg_log_warn("%s: partners folder %s holds no partner file (NAME.yaml): nothing to poll",
                    cfg->file, cfg->partners_dir);
    if (n > 1) /* qsort(NULL, 0) is undefined behaviour: an empty partners folder has no names */
        qsort(names, n, sizeof *names, cmp_str); /* a stable order for logs and polls */
    cfg->partners = dg_arena_alloc(cfg->arena, sizeof *cfg->partners * (n + 1));
    for (size_t i = 0; i < n; i++) {
        const char *path = dg_arena_printf(cfg->arena, "%s/%s", cfg->partners_dir, names[i]);
        int rc = dg_gw_partner_load(cfg, path, &cfg->partners[i], err);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cfg->partners[j].name, cfg->partners[i].name))
                return dg_error_set(err, DG_ECONFIG, "%s: partner name '%s' already used by %s",
                                    path, cfg->partners[i].name, cfg->partners[j].file);
        cfg->n_partners = i + 1;
    }
    /* test_of: names a production supplier. */
    for (size_t i = 0; i < cfg->n_partners; i++) {
        const dg_gw_partner *p = &cfg->partners[i];
        const dg_gw_partner *of = p->test_of ? dg_gw_config_partner(cfg, p->test_of) : NULL;
        if (p->test_of &&
            (!of || of->test || of->role != DG_ROLE_SUPPLIER || p->role != DG_ROLE_SUPPLIER))
            return dg_error_set(err, DG_ECONFIG,
                                "%s: test_of: '%s' must name a supplier that is not in test "
                                "mode, and %s must be a supplier (partner files in %s)",
                                p->file, p->test_of, p->name, cfg->partners_dir);
    }
    /* senders: of a type: x12 drop name partners that exist. */
    for (size_t i = 0; i < cfg->n_partners; i++)
        for (size_t j = 0; j < cfg->partners[i].n_drops; j++) {
            const dg_gw_drop *d = &cfg->partners[i].drops[j];
            for (size_t k = 0; k < d->n_senders; k++)
                if (!dg_gw_config_partner(cfg, d->senders[k]))
                    return dg_error_set(err, DG_ECONFIG,
                                        "%s:%d: senders: '%s' is not a partner name (partner "
                                        "files in %s)",
                                        cfg->partners[i].file, d->line, d->senders[k],
                                        cfg->partners_dir);
        }
    return 0;
}

static char *parent_dir(dg_arena *a, const char *path)
{
    char *p = dg_arena_strdup(a, path);
    char *slash = strrchr(p, '/');
    if (!slash)
        return dg_arena_strdup(a, ".");
    if (slash == p)
        return dg_arena_strdup(a, "/");
    *slash = '\0';
    return p;
}

/* store: a SQLite file (default <state_dir>/dropgate.db) or a postgresql:// URI shared by
 * several instances. A password is refused there (the configuration is not a secret, and the
 * location is logged): libpq takes it from PGPASSWORD or a password file (PGPASSFILE,
 * ~/.pgpass, or passfile= in the URI). */
static int load_store(dg_gw_config *cfg, const dg_node *root, dg_error *err)
{
    dg_arena *a = cfg->arena;
    const char *store = dg_conf_str(root, "store", NULL);
    cfg->store_pg =
        store && (!strncmp(store, "postgresql://", 13) || !strncmp(store, "postgres://", 11));
    if (!cfg->store_pg) {
        cfg->db_path = store ? dg_gw_resolve(a, cfg->root, store)
                             : dg_arena_printf(a, "%s/dropgate.db", cfg->state_dir);
        cfg->lock_base = cfg->db_path;
        return 0;
    }
    const char *auth = strstr(store, "://") + 3;
    size_t host_len = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', host_len);
    if ((at && memchr(auth, ':', (size_t)(at - auth))) || strstr(store, "password="))
        return conf_error(err, dg_conf_get(root, "store"),
                          "%s: a password does not belong in the configuration (it is logged "
                          "and read by all who read the file): set PGPASSWORD in the service's "
                          "environment, or name a password file (PGPASSFILE, or passfile= in "
                          "the URI)",
                          "store");
    cfg->db_path = dg_arena_strdup(a, store);
    /* One daemon per state folder (its spool, outbox files, requests); other instances on
     * the same database each have their own. */
    cfg->lock_base = dg_arena_printf(a, "%s/dropgate", cfg->state_dir);
    return 0;
}

static int load_main(dg_gw_config *cfg, const dg_node *root, dg_error *err)
{
    static const dg_conf_key known[] = {{"state_dir", T}, {"store", T},         {"archive_dir", T},
                                        {"edi_dir", T},   {"mappings_dir", T},  {"routing", T},
                                        {"catalog", T},   {"partners_dir", T},  {"us", M},
                                        {"x12_test", T},  {"log_format", T},    {"console", M},
                                        {"alerts", M},    {"lease_seconds", T}, {NULL, 0}};
    static const dg_conf_key us_keys[] = {{"qualifier", T}, {"id", T}, {NULL, 0}};
    static const dg_conf_key console_keys[] = {
        {"listen", T}, {"allow_remote", T}, {"token_file", T}, {NULL, 0}};
    dg_arena *a = cfg->arena;
    int rc = dg_conf_check(root, "the main configuration", known, err);
    if (!rc && dg_conf_get(root, "us"))
        rc = dg_conf_check(dg_conf_get(root, "us"), "us", us_keys, err);
    const dg_node *console = dg_conf_get(root, "console");
    if (!rc && console)
        rc =
            dg_conf_check(console, "console (listen, allow_remote, token_file)", console_keys, err);
    if (rc)
        return rc;
    const char *r = cfg->root;
    cfg->state_dir = dg_gw_resolve(a, r, dg_conf_str(root, "state_dir", "var"));
    if ((rc = load_store(cfg, root, err)))
        return rc;
    cfg->spool_dir = dg_arena_printf(a, "%s/spool", cfg->state_dir);
    const char *archive = dg_conf_str(root, "archive_dir", NULL);
    cfg->archive_dir =
        archive ? dg_gw_resolve(a, r, archive) : dg_arena_printf(a, "%s/archive", cfg->state_dir);
    cfg->quarantine_dir = dg_arena_printf(a, "%s/quarantine", cfg->state_dir);
    cfg->outbox_dir = dg_arena_printf(a, "%s/outbox", cfg->state_dir);
    /* Several instances on one store: how long a dead instance's partners wait for takeover;
     * longer than the slowest file or upload (a commit past it is refused, see lease.c). */
    if ((rc = dg_conf_long(root, "lease_seconds", 60, &cfg->lease_seconds, err)))
        return rc;
    if (cfg->lease_seconds < 1 || cfg->lease_seconds > 86400)
        return conf_error(err, dg_conf_get(root, "lease_seconds"),
                          "%s: out of range (1 to 86400 seconds)", "lease_seconds");
    cfg->edi_dir = dg_gw_resolve(a, r, dg_conf_str(root, "edi_dir", "edi"));
    char edi[4096];
    /* Not configured and no edi/ in the project root: the definitions installed with the
     * binary (share/dropgate/edi), so an installed dropgate needs no copy of them. */
    if (!dg_conf_get(root, "edi_dir") && !dg_fs_exists(cfg->edi_dir) &&
        dg_x12_find_edi_dir(NULL, edi, sizeof edi))
        cfg->edi_dir = dg_arena_strdup(a, edi);
    cfg->mappings_dir = dg_gw_resolve(a, r, dg_conf_str(root, "mappings_dir", "mappings"));
    cfg->routing_file = dg_gw_resolve(a, r, dg_conf_str(root, "routing", "etc/routing.yaml"));
    cfg->catalog_file = dg_gw_resolve(a, r, dg_conf_str(root, "catalog", "etc/catalog.csv"));
    cfg->partners_dir = dg_gw_resolve(a, r, dg_conf_str(root, "partners_dir", "etc/partners"));
    const dg_node *us = dg_conf_get(root, "us");
    cfg->our_qualifier = dg_arena_strdup(a, us ? dg_conf_str(us, "qualifier", "ZZ") : "ZZ");
    cfg->our_id = dg_arena_strdup(a, us ? dg_conf_str(us, "id", "DROPGATE") : "DROPGATE");
    const char *lf = dg_conf_str(root, "log_format", "text");
    if (strcmp(lf, "text") != 0 && strcmp(lf, "json") != 0)
        return conf_error(err, dg_conf_get(root, "log_format"),
                          "log_format: '%s' is not a log format: text (default) or json", lf);
    cfg->log_json = !strcmp(lf, "json");
    /* Applied at once: whatever the rest of the load warns about is logged in that format. */
    dg_log_set_format(cfg->log_json ? DG_LOG_FORMAT_JSON : DG_LOG_FORMAT_TEXT);
    cfg->console_listen = dg_arena_strdup(
        a, console ? dg_conf_str(console, "listen", DG_GW_CONSOLE_LISTEN) : DG_GW_CONSOLE_LISTEN);
    const char *token_file = console ? dg_conf_str(console, "token_file", NULL) : NULL;
    cfg->console_token_file = token_file ? dg_gw_resolve(a, r, token_file) : NULL;
    if (console &&
        (rc = dg_conf_bool(console, "allow_remote", false, &cfg->console_allow_remote, err)))
        return rc;
    const dg_node *alerts = dg_conf_get(root, "alerts");
    if (alerts) {
        static const dg_conf_key akeys[] = {{"webhook", T | M}, {NULL, 0}};
        if ((rc = dg_conf_check(alerts, "alerts (webhook)", akeys, err)))
            return rc;
        const dg_node *w = dg_conf_get(alerts, "webhook");
        if (w && (rc = load_webhook(cfg, w, &cfg->alerts_url, &cfg->alerts_secret,
                                    &cfg->alerts_timeout_ms, NULL, err)))
            return rc;
    }
    return dg_conf_bool(root, "x12_test", false, &cfg->x12_test, err);
}

int dg_gw_config_load(const char *path, const char *root, dg_gw_config **out, dg_error *err)
{
    *out = NULL;
    dg_gw_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    cfg->arena = dg_arena_new();
    cfg->file = dg_arena_strdup(cfg->arena, path);
    cfg->root = root ? dg_arena_strdup(cfg->arena, root)
                     : parent_dir(cfg->arena, parent_dir(cfg->arena, path));
    dg_node *tree = NULL;
    int rc = dg_conf_load(path, &tree, err);
    if (!rc)
        rc = load_main(cfg, tree, err);
    dg_conf_free(tree);
    if (!rc)
        rc = load_partners(cfg, err);
    if (rc) {
        dg_gw_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

void dg_gw_config_free(dg_gw_config *cfg)
{
    if (!cfg)
        return;
    dg_arena_free(cfg->arena);
    free(cfg);
}

const dg_gw_partner *dg_gw_config_partner(const dg_gw_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_partners; i++)
        if (!strcmp(cfg->partners[i].name, name))
            return &cfg->partners[i];
    return NULL;
}
