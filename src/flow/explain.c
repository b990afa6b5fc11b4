/* `dropgate route --explain ORDER`: for each line of an order, every candidate supplier and why
 * it was chosen or skipped, as recorded when the order was routed and each time a line was
 * re-routed, and as the rules would decide now (a dry run over today's catalog and stock). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

static json_t *money_json(int64_t v)
{
    char buf[32];
    return json_string(dg_dec_format_fixed((dg_dec){v, true}, 2, buf, sizeof buf));
}

static json_t *recorded(const dg_store_decision *d, size_t n, long line_no)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (d[i].line_no != line_no)
            continue;
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "attempt", (json_int_t)d[i].attempt,
                              "supplier", d[i].supplier, "verdict", d[i].verdict, "reason",
                              d[i].reason, "cause", d[i].cause, "at", (json_int_t)d[i].at);
        if (d[i].has_landed)
            json_object_set_new(o, "landed_cost", money_json(d[i].landed));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The rules now, for this row: suppliers the line had before this row are not offered again. */
static int dry_run(dg_store *s, const dg_flow_rules *r, const dg_store_line *l, json_t **out,
                   dg_error *err)
{
    fl_line_ask ask = {.sku = l->retailer_sku,
                       .gtin = l->gtin,
                       .qty = {l->qty_ordered, true},
                       .price = {l->unit_price, l->has_price},
                       .country = l->ship_country[0] ? l->ship_country : r->default_country,
                       .test = fl_is_test_supplier(r, l->supplier)};
    int rc = l->rerouted_from > 0
                 ? dg_store_line_tried(s, l->rerouted_from, ask.tried, 24, &ask.n_tried, err)
                 : 0;
    fl_verdict *v = NULL;
    size_t n = 0;
    int best = -1;
    if (rc || (rc = fl_route_evaluate(s, r, &ask, &v, &n, &best, err)))
        return rc;
    *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:s,s:s}", "supplier", v[i].c.supplier, "verdict",
                              (int)i == best  ? "WOULD_CHOOSE"
                              : v[i].eligible ? "ELIGIBLE"
                                              : "SKIPPED",
                              "reason", v[i].reason);
        if (v[i].eligible)
            json_object_set_new(o, "landed_cost", money_json(v[i].landed.v));
        json_array_append_new(*out, o);
    }
    free(v);
    return 0;
}

int dg_flow_route_explain(dg_store *s, const dg_flow_rules *r, const char *storefront,
                          const char *order_number, json_t **out, dg_error *err)
{
    *out = NULL;
    int64_t order_id = 0, *ids = NULL;
    size_t n = 0, nd = 0;
    dg_store_decision *d = NULL;
    int rc = dg_store_order_id(s, storefront, order_number, &order_id, err);
    if (!rc)
        rc = dg_store_order_line_ids(s, order_id, &ids, &n, err);
    if (!rc)
        rc = dg_store_decisions(s, order_id, &d, &nd, err);
    json_t *lines = json_array();
    for (size_t i = 0; i < n && !rc; i++) {
        dg_store_line l;
        json_t *now = NULL;
        if ((rc = dg_store_line_get(s, ids[i], &l, err)) || (rc = dry_run(s, r, &l, &now, err)))
            break;
        char q[32];
        json_t *o = json_pack(
            "{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o}", "line_no", (json_int_t)l.line_no,
            "line_number", l.line_number, "sku", l.retailer_sku, "quantity",
            dg_dec_format((dg_dec){l.qty_ordered, true}, q, sizeof q), "supplier", l.supplier,
            "supplier_status", l.supplier_status[0] ? l.supplier_status : "OPEN", "attempt",
            (json_int_t)l.attempt, "recorded", recorded(d, nd, l.line_no), "now", now);
        json_object_set_new(o, "routing", json_string(l.status));
        if (l.reason[0])
            json_object_set_new(o, "routing_reason", json_string(l.reason));
        if (l.supplier_reason[0])
            json_object_set_new(o, "supplier_reason", json_string(l.supplier_reason));
        json_array_append_new(lines, o);
    }
    free(ids);
    free(d);
    if (rc) {
        json_decref(lines);
        return rc;
    }
    *out = json_pack("{s:s,s:o}", "order_number", order_number, "lines", lines);
    return 0;
}
