/* Flow entry points shared by every document kind: outcome names, document records for replay
 * and idempotency, the gateway's single dispatch call and the outbox "sent" transition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/model_json.h"
#include "flow/flow_internal.h"

const char *dg_flow_outcome_name(dg_flow_outcome o)
{
    switch (o) {
    case DG_FLOW_OK: return "OK";
    case DG_FLOW_DUPLICATE: return "DUPLICATE";
    case DG_FLOW_MATCHED: return "MATCHED";
    case DG_FLOW_DISCREPANCY: return "DISCREPANCY";
    case DG_FLOW_CHANGED: return "CHANGED";
    }
    return "?";
}

void fl_docrec_init(fl_docrec *r, const dg_doc *doc)
{
    dg_buf b = DG_BUF_INIT;
    dg_error jerr = {0};
    /* The JSON is for tracing and replay; a document it cannot express is still recorded. */
    r->json = dg_doc_to_json(doc, 0, &b, &jerr) == 0 ? dg_buf_take(&b) : NULL;
    dg_buf_free(&b);
    dg_sha256_hex(r->json ? r->json : "", r->json ? strlen(r->json) : 0, r->sha);
}

void fl_docrec_free(fl_docrec *r)
{
    free(r->json);
    r->json = NULL;
}

int fl_already(dg_store *s, const fl_docrec *r, const dg_doc *doc, int64_t file_id, bool *seen,
               dg_error *err)
{
    int64_t id = 0;
    int rc = dg_store_document_find_sha(s, file_id, doc->source.position,
                                        dg_doc_kind_name(doc->kind), r->sha, &id, err);
    *seen = id > 0;
    return rc;
}

int fl_document_add(dg_store *s, const char *partner, const fl_docrec *r, const dg_doc *doc,
                    int64_t file_id, const char *outcome, int64_t *doc_id, dg_error *err)
{
    return dg_store_document_add_sha(s, dg_doc_kind_name(doc->kind), partner, file_id,
                                     doc->source.position, doc->source.interchange_control,
                                     doc->source.group_control, doc->source.set_control, r->json,
                                     r->sha, outcome, doc_id, err);
}

const char *fl_cause_kind(const dg_doc *doc)
{
    const char *ts = doc->source.transaction_set;
    return ts && *ts ? ts : dg_doc_kind_name(doc->kind);
}

int dg_flow_ingest_doc(dg_store *s, const dg_flow_rules *r, const char *partner, bool storefront,
                       dg_doc *doc, int64_t file_id, dg_flow_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!doc || !partner)
        return dg_error_set(err, DG_EINVAL, "flow: document and partner needed");
    res->kind = doc->kind;
    int rc;
    /* storefronts send orders and cancellations; suppliers everything else, and cancellations */
    if (doc->kind != DG_DOC_CANCEL && storefront != (doc->kind == DG_DOC_ORDER))
        return dg_error_set(err, DG_EVALID, "%s %s: a %s does not send %s documents", partner,
                            storefront ? "(storefront)" : "(supplier)",
                            storefront ? "storefront" : "supplier", dg_doc_kind_name(doc->kind));
    switch (doc->kind) {
    case DG_DOC_ORDER: {
        dg_flow_order_result o;
        if ((rc = dg_flow_ingest_order(s, r, partner, doc, file_id, &o, err)))
            return rc;
        res->outcome = o.outcome;
        snprintf(res->summary, sizeof res->summary,
                 "order=%s outcome=%s status=%s lines=%zu matched=%zu pos=%zu%s%s%s",
                 doc->u.order.order_number, dg_flow_outcome_name(o.outcome), o.status, o.lines,
                 o.matched, o.pos_created, o.changed[0] ? " changed=\"" : "", o.changed,
                 o.changed[0] ? "\" (not applied: the order stays as placed)" : "");
        return 0;
    }
    case DG_DOC_STOCK: {
        dg_flow_stock_result st;
        if ((rc = dg_flow_ingest_stock(s, partner, doc, file_id, &st, err)))
            return rc;
        res->outcome = st.outcome;
        snprintf(res->summary, sizeof res->summary, "stock outcome=%s items=%zu",
                 dg_flow_outcome_name(st.outcome), st.items);
        return 0;
    }
    case DG_DOC_SHIPMENT: {
        dg_flow_shipment_result sh;
        if ((rc = dg_flow_ingest_shipment(s, partner, doc, file_id, &sh, err)))
            return rc;
        res->outcome = sh.outcome;
        snprintf(res->summary, sizeof res->summary,
                 "asn=%s po=%s outcome=%s po_status=%s storefront=%s order=%s",
                 doc->u.shipment.shipment_id ? doc->u.shipment.shipment_id : "-",
                 doc->u.shipment.po_number, dg_flow_outcome_name(sh.outcome),
                 sh.po_status ? sh.po_status : "-", sh.storefront, sh.order_number);
        return 0;
    }
    case DG_DOC_ACK: {
        dg_flow_ack855_result a;
        if ((rc = dg_flow_ingest_acknowledgment(s, r, partner, doc, file_id, &a, err)))
            return rc;
        res->outcome = a.outcome;
        snprintf(res->summary, sizeof res->summary,
                 "ack=%s po=%s outcome=%s po_status=%s accepted=%zu changed=%zu backordered=%zu "
                 "rejected=%zu rerouted=%zu ended=%zu",
                 doc->u.ack.ack_type ? doc->u.ack.ack_type : "-", doc->u.ack.po_number,
                 dg_flow_outcome_name(a.outcome), a.po_status[0] ? a.po_status : "-", a.accepted,
                 a.changed, a.backordered, a.rejected, a.rerouted, a.ended);
        return 0;
    }
    case DG_DOC_INVOICE: {
        dg_flow_invoice_result *iv = calloc(1, sizeof *iv);
        if (!iv)
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        rc = dg_flow_ingest_invoice(s, r, partner, doc, file_id, iv, err);
        if (!rc) {
            res->outcome = iv->outcome;
            int k = snprintf(res->summary, sizeof res->summary,
                             "invoice=%s po=%s outcome=%s reasons=%zu",
                             doc->u.invoice.invoice_number, doc->u.invoice.po_number,
                             dg_flow_outcome_name(iv->outcome), iv->n_reasons);
            for (size_t i = 0; i < iv->n_reasons && k > 0 && (size_t)k < sizeof res->summary; i++)
                k += snprintf(res->summary + k, sizeof res->summary - (size_t)k, "%s%s",
                              i ? "," : " codes=", iv->reasons[i].code);
        }
        free(iv);
        return rc;
    }
    case DG_DOC_CANCEL: {
        dg_flow_cancel_result cr;
        if ((rc = storefront ? dg_flow_ingest_cancel(s, partner, doc, file_id, &cr, err)
                             : dg_flow_ingest_cancel_answer(s, partner, doc, file_id, &cr, err)))
            return rc;
        res->outcome = cr.outcome;
        snprintf(res->summary, sizeof res->summary,
                 "cancel %s=%s outcome=%s requested=%zu cancelled=%zu refused=%zu%s%s%s",
                 storefront ? "order" : "po", doc->u.order.order_number,
                 dg_flow_outcome_name(cr.outcome), cr.requested, cr.cancelled, cr.refused,
                 cr.detail[0] ? " refusal=\"" : "", cr.detail, cr.detail[0] ? "\"" : "");
        return 0;
    }
    default:
        return dg_error_set(err, DG_EVALID, "%s: document kind %s is not handled by the flow",
                            partner, dg_doc_kind_name(doc->kind));
    }
}

/* ---- outbox sent ------------------------------------------------------------------------- */

int dg_flow_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err)
{
    return dg_flow_outbox_sent_n(s, outbox_id, NULL, err);
}

int dg_flow_outbox_sent_n(dg_store *s, int64_t outbox_id, size_t *pos, dg_error *err)
{
    if (pos)
        *pos = 0;
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = dg_store_outbox_mark_sent(s, outbox_id, err)) ||
        (rc = dg_store_outbox_carried_sent(s, outbox_id, pos, err)) ||
        (rc = dg_store_cancel_outbox_sent(s, outbox_id, err)) ||
        (rc = dg_store_status_outbox_sent(s, outbox_id, err))) {
        dg_store_rollback(s);
        return rc;
    }
    return dg_store_commit(s, err);
}

int dg_flow_po_sent(dg_store *s, const char *po_number, dg_error *err)
{
    dg_store_po_ref po;
    bool found = false;
    int rc = dg_store_po_ref_get(s, po_number, &po, &found, err);
    if (rc)
        return rc;
    if (!found)
        return dg_error_set(err, DG_ENOTFOUND, "PO %s: not found", po_number);
    if (po.outbox_id <= 0)
        return dg_error_set(err, DG_ESTATE, "PO %s: not in the outbox yet (call po_queued)",
                            po_number);
    return dg_flow_outbox_sent(s, po.outbox_id, err);
}
