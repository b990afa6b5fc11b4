/* Meanings of the canonical fields and the Markdown reference generated from the field tables
 * (model_fields.c): a field added to the model without a meaning here shows up as missing in
 * `dropgate fields` and fails tests/unit/core/test_model_doc.c. */
#include "core/model_doc.h"

#include <stdio.h>
#include <string.h>

typedef struct meaning {
    dg_doc_kind kind; /* DG_DOC_NONE: every kind (source fields) */
    const char *path; /* "order_number", "lines[].quantity", "ship_to" (a party object) */
    const char *text;
} meaning;

/* Routing, deduplication and matching are said in the meaning of the field they use, in bold. */
static const meaning meanings[] = {
    /* ---- order ---- */
    {DG_DOC_ORDER, "order_number",
     "The order's number: the storefront's order id inbound, our PO number on supplier POs. "
     "**Dedup:** an order number already placed by the same storefront is a duplicate (other "
     "content under it is an amendment attempt, recorded, not applied); at most 63 characters."},
    {DG_DOC_ORDER, "order_date", "Date of the order, `YYYY-MM-DD`."},
    {DG_DOC_ORDER, "purpose", "X12 BEG01: `00` original, `01` cancellation, `05` replace."},
    {DG_DOC_ORDER, "version",
     "On a change of a supplier PO (a cancellation request): the PO's version after it, `2` for "
     "the first change (the PO as first sent is 1), one more with each (cXML `orderVersion`)."},
    {DG_DOC_ORDER, "order_type", "X12 BEG02: `SA` stand-alone, `DS` drop ship ..."},
    {DG_DOC_ORDER, "currency", "ISO 4217 code of the order's amounts."},
    {DG_DOC_ORDER, "customer_order_number",
     "On a supplier PO: the storefront's own order number (X12 REF*CO)."},
    {DG_DOC_ORDER, "buyer", "The retailer (X12 N1*BY)."},
    {DG_DOC_ORDER, "seller", "The supplier (X12 N1*SE / VN)."},
    {DG_DOC_ORDER, "bill_to", "Who pays: the retailer (from routing.yaml) on supplier POs."},
    {DG_DOC_ORDER, "ship_to",
     "The end customer the goods go to. **Routing:** `ship_to.country` (else the rules' "
     "`default_country`) is checked against each supplier's and catalog row's ship-to "
     "countries."},
    {DG_DOC_ORDER, "carrier", "Requested carrier (SCAC)."},
    {DG_DOC_ORDER, "service_level", "Requested service as text (`GROUND`, `2DAY`, `UPS Ground`)."},
    {DG_DOC_ORDER, "service_level_code", "X12 TD512 service level code (`CG`, `ND`, `SD` ...)."},
    {DG_DOC_ORDER, "requested_ship_date", "Date the goods should leave, `YYYY-MM-DD`."},
    {DG_DOC_ORDER, "notes", "Free text for the whole order (delivery instructions)."},
    {DG_DOC_ORDER, "test",
     "A test order when true/yes/1/t/y: routed only to partners in test mode (partner test: "
     "true), never to a production supplier."},
    {DG_DOC_ORDER, "total", "The order total the partner sent (X12 AMT/CTT), not computed."},
    {DG_DOC_ORDER, "lines[].line_number", "The partner's line number (X12 PO101)."},
    {DG_DOC_ORDER, "lines[].buyer_sku",
     "The retailer's SKU (X12 BP/IN). **Catalog:** routing looks the line up by this value in "
     "the catalog's `retailer_sku` column (by `vendor_sku` when it is empty)."},
    {DG_DOC_ORDER, "lines[].vendor_sku",
     "The supplier's SKU (X12 VP/VN). **Catalog:** the line's retailer SKU when `buyer_sku` is "
     "empty (a storefront names its own SKU so); on supplier POs the catalog's `supplier_sku`."},
    {DG_DOC_ORDER, "lines[].gtin",
     "UPC/EAN/GTIN (X12 UP/EN/UK). **Catalog:** also matched against the catalog's `gtin`."},
    {DG_DOC_ORDER, "lines[].product_ids",
     "Every id pair the partner sent, `Q=value;Q=value` (`VN=AB3542;CB=065322-117`)."},
    {DG_DOC_ORDER, "lines[].description", "Product description."},
    {DG_DOC_ORDER, "lines[].comment", "The customer's note on this line (ICDF product comment)."},
    {DG_DOC_ORDER, "lines[].quantity", "Quantity ordered (more than 0 to be routed)."},
    {DG_DOC_ORDER, "lines[].uom", "X12 unit of measure code (`EA`, `CA` ...)."},
    {DG_DOC_ORDER, "lines[].unit_price",
     "Price per unit: the storefront's selling price inbound (routing refuses a loss unless "
     "`allow_loss`), the supplier cost on supplier POs."},
    {DG_DOC_ORDER, "lines[].retail_price", "Retail price the end customer pays (X12 CTP)."},
    {DG_DOC_ORDER, "lines[].status",
     "Set by routing: `MATCHED`, `PRODUCT_NOT_FOUND`, `OUT_OF_STOCK`, `SHIPPING_UNAVAILABLE`, "
     "`NOT_APPROVED`. Inbound only `NOT_SHIPPABLE` (a gift card) and `NOT_ROUTED` (the "
     "storefront keeps the line) are kept, as a `skip_when`/`only_when` with a `status` gives "
     "them: the line is recorded and never routed; any other status that comes in is ignored."},
    {DG_DOC_ORDER, "lines[].status_reason",
     "Set by routing: why a line was not placed; or the reason a filter's `status` came with."},
    {DG_DOC_ORDER, "lines[].supplier", "Set by routing: the supplier(s) chosen for the line."},
    {DG_DOC_ORDER, "charges[].type",
     "`FREIGHT`, `HANDLING`, `DISCOUNT`, `TAX` or `OTHER` (X12 SAC02 through a code table)."},
    {DG_DOC_ORDER, "charges[].code", "The partner's own charge code (X12 SAC02)."},
    {DG_DOC_ORDER, "charges[].amount", "Amount: positive for a charge, negative for an allowance."},
    {DG_DOC_ORDER, "charges[].description", "Text of the charge (X12 SAC15)."},
    {DG_DOC_ORDER, "charges[].line_number",
     "The line (its `line_number`) the charge applies to; empty: the whole order."},
    {DG_DOC_ORDER, "charges[].percent", "Percent, when given instead of or with the amount."},
    /* ---- shipment ---- */
    {DG_DOC_SHIPMENT, "shipment_id",
     "The supplier's shipment id (X12 BSN02). **Dedup:** the same supplier, shipment id and PO "
     "again is a duplicate."},
    {DG_DOC_SHIPMENT, "po_number",
     "**Matching:** the PO it ships (our PO number, X12 PRF01); the PO must be the supplier's."},
    {DG_DOC_SHIPMENT, "ship_date", "Date shipped, `YYYY-MM-DD`."},
    {DG_DOC_SHIPMENT, "ship_time", "Time shipped, `HH:MM:SS`."},
    {DG_DOC_SHIPMENT, "carrier", "Carrier (SCAC, X12 TD503)."},
    {DG_DOC_SHIPMENT, "service_level", "Service as text (X12 TD505)."},
    {DG_DOC_SHIPMENT, "service_level_code", "X12 TD512 service level code."},
    {DG_DOC_SHIPMENT, "gross_weight", "Weight of the whole shipment (packages have their own)."},
    {DG_DOC_SHIPMENT, "gross_weight_uom", "Unit of `gross_weight` (`LB`, `KG`)."},
    {DG_DOC_SHIPMENT, "ship_from", "Where the goods left from (the supplier's warehouse)."},
    {DG_DOC_SHIPMENT, "ship_to", "Where the goods go (the end customer)."},
    {DG_DOC_SHIPMENT, "packages[].tracking_number",
     "Carrier tracking number: what the storefront's tracking notification carries."},
    {DG_DOC_SHIPMENT, "packages[].sscc", "Serial shipping container code (X12 MAN*GM)."},
    {DG_DOC_SHIPMENT, "packages[].weight", "Weight of the package."},
    {DG_DOC_SHIPMENT, "packages[].weight_uom", "Unit of the package weight."},
    {DG_DOC_SHIPMENT, "items[].line_number",
     "**Matching:** the PO line shipped, by our PO line number when no SKU is given."},
    {DG_DOC_SHIPMENT, "items[].buyer_sku",
     "Retailer's SKU. **Matching:** against the PO lines' supplier SKU, then retailer SKU."},
    {DG_DOC_SHIPMENT, "items[].vendor_sku",
     "Supplier's SKU. **Matching:** against the PO lines' supplier SKU, then retailer SKU "
     "(before `buyer_sku`)."},
    {DG_DOC_SHIPMENT, "items[].gtin",
     "**Matching:** against the PO lines' GTIN when no SKU matched."},
    {DG_DOC_SHIPMENT, "items[].quantity_shipped",
     "Units shipped (more than ordered is refused). A shipment without items ships everything "
     "still open on the PO."},
    {DG_DOC_SHIPMENT, "items[].uom", "Unit of measure code."},
    {DG_DOC_SHIPMENT, "items[].package_id",
     "The package holding the item: its tracking number or SSCC."},
    /* ---- invoice ---- */
    {DG_DOC_INVOICE, "invoice_number",
     "The supplier's invoice number (X12 BIG02). **Dedup:** a number the supplier already "
     "sent is a `DUPLICATE_INVOICE` discrepancy."},
    {DG_DOC_INVOICE, "invoice_date", "Date of the invoice, `YYYY-MM-DD`."},
    {DG_DOC_INVOICE, "po_number",
     "**Matching:** the PO invoiced (our PO number, X12 BIG04); the PO must be the supplier's."},
    {DG_DOC_INVOICE, "currency", "ISO 4217 code (must be the PO's)."},
    {DG_DOC_INVOICE, "terms", "Payment terms (X12 ITD): text or net days."},
    {DG_DOC_INVOICE, "remit_to", "Where payment goes (the supplier)."},
    {DG_DOC_INVOICE, "bill_to", "Who is billed (the retailer)."},
    {DG_DOC_INVOICE, "ship_to", "Where the goods went."},
    {DG_DOC_INVOICE, "tax", "Tax amount of the whole invoice."},
    {DG_DOC_INVOICE, "total",
     "Invoice total (X12 TDS01): must equal lines + charges + tax within the tolerance."},
    {DG_DOC_INVOICE, "lines[].line_number",
     "**Matching:** the PO line invoiced, by number when no SKU is given."},
    {DG_DOC_INVOICE, "lines[].buyer_sku", "Retailer's SKU. **Matching:** as for shipment items."},
    {DG_DOC_INVOICE, "lines[].vendor_sku", "Supplier's SKU. **Matching:** as for shipment items."},
    {DG_DOC_INVOICE, "lines[].gtin",
     "**Matching:** against the PO lines' GTIN when no SKU matched."},
    {DG_DOC_INVOICE, "lines[].description", "Product description."},
    {DG_DOC_INVOICE, "lines[].quantity", "Units invoiced (not above units shipped)."},
    {DG_DOC_INVOICE, "lines[].uom", "Unit of measure code."},
    {DG_DOC_INVOICE, "lines[].unit_price",
     "Price per unit, compared with the PO cost within the rules' price tolerance."},
    {DG_DOC_INVOICE, "charges[].type",
     "`FREIGHT`, `HANDLING`, `DISCOUNT`, `TAX` or `OTHER` (limits in routing.yaml)."},
    {DG_DOC_INVOICE, "charges[].code", "The partner's own charge code (X12 SAC02)."},
    {DG_DOC_INVOICE, "charges[].amount",
     "Amount: positive for a charge, negative for an allowance."},
    {DG_DOC_INVOICE, "charges[].description", "Text of the charge."},
    {DG_DOC_INVOICE, "charges[].line_number",
     "The invoice line it applies to; empty: the whole invoice."},
    {DG_DOC_INVOICE, "charges[].percent", "Percent, when given instead of or with the amount."},
    /* ---- stock ---- */
    {DG_DOC_STOCK, "supplier", "The partner that sent the feed (the gateway fills it when empty)."},
    {DG_DOC_STOCK, "as_of", "Date of the feed, `YYYY-MM-DD`."},
    {DG_DOC_STOCK, "items[].vendor_sku",
     "Supplier's SKU. **Catalog:** the stock row routing finds through the catalog's "
     "`supplier_sku`; an item without one is matched by `gtin` through the catalog."},
    {DG_DOC_STOCK, "items[].buyer_sku", "Retailer's SKU, when the supplier sends it."},
    {DG_DOC_STOCK, "items[].gtin",
     "**Catalog:** finds the supplier SKU when `vendor_sku` is empty."},
    {DG_DOC_STOCK, "items[].description", "Product description."},
    {DG_DOC_STOCK, "items[].quantity_available",
     "Units available: routing's stock check (and the quantity it reserves)."},
    {DG_DOC_STOCK, "items[].cost", "Supplier cost per unit: preferred over the catalog's cost."},
    {DG_DOC_STOCK, "items[].msrp", "Manufacturer's suggested retail price."},
    {DG_DOC_STOCK, "items[].map_price", "Minimum advertised price."},
    {DG_DOC_STOCK, "items[].warehouse", "Where the units are (X12 846 N1)."},
    {DG_DOC_STOCK, "items[].available_date", "Restock date when the quantity is 0."},
    {DG_DOC_STOCK, "locations[].vendor_sku", "The item, as its LIN names it (supplier's SKU)."},
    {DG_DOC_STOCK, "locations[].buyer_sku", "The item's retailer SKU."},
    {DG_DOC_STOCK, "locations[].gtin", "The item's GTIN."},
    {DG_DOC_STOCK, "locations[].warehouse", "Location id (X12 N104 / SDQ id), else its name."},
    {DG_DOC_STOCK, "locations[].quantity_available",
     "Units at this location (the item keeps the total)."},
    /* ---- acknowledgment (a supplier's answer to our PO: X12 855, CSV) ---- */
    {DG_DOC_ACK, "po_number",
     "Our PO number the supplier answers (X12 BAK03). **Match:** the PO, which must be this "
     "supplier's."},
    {DG_DOC_ACK, "ack_number", "The supplier's own order number (X12 BAK08)."},
    {DG_DOC_ACK, "ack_date", "Date of the acknowledgment, `YYYY-MM-DD` (X12 BAK04)."},
    {DG_DOC_ACK, "purpose", "X12 BAK01: `00` original, `05` replace ..."},
    {DG_DOC_ACK, "ack_type", "X12 BAK02 as sent (`AC`, `AD`, `AK`, `RJ` ...)."},
    {DG_DOC_ACK, "status",
     "The whole PO: `ACCEPTED` or `REJECTED` (a mapping table from BAK02); lines without a "
     "status of their own follow it."},
    {DG_DOC_ACK, "promised_date",
     "Promised ship/delivery date for the whole PO (X12 DTM 067/068/017/002), `YYYY-MM-DD`."},
    {DG_DOC_ACK, "currency", "ISO 4217 code of the prices."},
    {DG_DOC_ACK, "reason", "The supplier's words for the whole PO."},
    {DG_DOC_ACK, "lines[].line_number",
     "Our PO line it answers (X12 PO101). **Match:** after `vendor_sku`, `buyer_sku`, `gtin`; a "
     "line with none of them answers every line no other line names."},
    {DG_DOC_ACK, "lines[].buyer_sku", "Retailer's SKU as the supplier repeats it (X12 BP/IN)."},
    {DG_DOC_ACK, "lines[].vendor_sku",
     "Supplier's SKU (X12 VP/VN). **Match:** the PO line's supplier SKU first."},
    {DG_DOC_ACK, "lines[].gtin", "UPC/EAN/GTIN (X12 UP/EN)."},
    {DG_DOC_ACK, "lines[].quantity_ordered",
     "Quantity ordered as the supplier repeats it (PO102)."},
    {DG_DOC_ACK, "lines[].uom", "Unit of measure (X12 PO103)."},
    {DG_DOC_ACK, "lines[].unit_price",
     "The price the supplier confirms (X12 PO104; changed with IP/IC): the invoice match "
     "compares the invoice with it."},
    {DG_DOC_ACK, "lines[].status",
     "`ACCEPTED`, `BACKORDERED`, `REJECTED` or `CHANGED` (a mapping table from ACK01): a "
     "rejected or long-backordered line is re-routed (routing.yaml `reroute`)."},
    {DG_DOC_ACK, "lines[].code", "The partner's code as sent (X12 ACK01: `IA`, `IB`, `R2` ...)."},
    {DG_DOC_ACK, "lines[].quantity",
     "The quantity the status is about (X12 ACK02); with `CHANGED`, what will ship."},
    {DG_DOC_ACK, "lines[].date",
     "Promised date for the line (X12 ACK05, the ACK's DTM, SCH), `YYYY-MM-DD`."},
    {DG_DOC_ACK, "lines[].reason", "The supplier's words for the line."},
    {DG_DOC_ACK, "acks[].line_number",
     "The PO line this status is about (X12 PO101 of the ACK's PO1). A line with several "
     "`acks[]` is split by them: each part keeps its own status, quantity and date."},
    {DG_DOC_ACK, "acks[].status",
     "`ACCEPTED`, `BACKORDERED`, `REJECTED` or `CHANGED` for this part of the line (X12 ACK01 "
     "through the mapping table)."},
    {DG_DOC_ACK, "acks[].code", "The partner's code as sent (X12 ACK01)."},
    {DG_DOC_ACK, "acks[].quantity",
     "How much of the line this status is about (X12 ACK02): the parts of one line add up to "
     "at most what was ordered."},
    {DG_DOC_ACK, "acks[].date", "Promised date of this part (X12 ACK05, the ACK's DTM)."},
    {DG_DOC_ACK, "acks[].reason", "The supplier's words for this part."},
    /* ---- status (the storefront status feed, outbound only) ---- */
    {DG_DOC_STATUS, "update_id",
     "The update's id, unique and stable: the same update sent again (after a crash, a "
     "webhook retry) has the same id, so the storefront drops a repeat."},
    {DG_DOC_STATUS, "order_number", "The storefront's order number the update is about."},
    {DG_DOC_STATUS, "what",
     "What changed: `order` (its outcome or fulfilment status), `po` (a supplier PO) or `line` "
     "(an order line at its supplier)."},
    {DG_DOC_STATUS, "status",
     "Its new status: an order `FAILED`, `PARTIALLY_CONVERTED`, `CONVERTED`, or its fulfilment "
     "status; a PO `AWAITING_CONFIRMATION`, `AWAITING_FULFILMENT`, `AWAITING_SHIPMENT`, "
     "`AWAITING_DELIVERY`, `COMPLETED`, `CANCELLED`; a line `ACCEPTED`, `BACKORDERED`, "
     "`REJECTED`, `REROUTED`, `PARTIALLY_SHIPPED`, `SHIPPED`, `CANCELLED`."},
    {DG_DOC_STATUS, "previous_status", "The status before the change (empty for a first one)."},
    {DG_DOC_STATUS, "order_status",
     "The order's outcome now: `CONVERTED`, `PARTIALLY_CONVERTED` or `FAILED`."},
    {DG_DOC_STATUS, "fulfilment_status",
     "The order's fulfilment now, as far as its least advanced PO (`AWAITING_...`, `COMPLETED`, "
     "`CANCELLED`); empty when it has no PO."},
    {DG_DOC_STATUS, "po_number", "The supplier PO the update is about (a `po` or `line` update)."},
    {DG_DOC_STATUS, "supplier", "That PO's supplier (partner name)."},
    {DG_DOC_STATUS, "cause",
     "What caused it: `order` (placed), `mapping` (its mapping could not read it), `ack` (an "
     "855), `shipment` (an ASN), `cancel` (a cancellation), `reroute` ..."},
    {DG_DOC_STATUS, "reason", "Why, in words (the lines not placed and why, a supplier's words)."},
    {DG_DOC_STATUS, "changed_at", "When it changed, ISO 8601 UTC (`2026-12-03T10:15:00Z`)."},
    {DG_DOC_STATUS, "lines[].line_number",
     "The storefront's line number. The lines are the one that changed (a `line` update), the "
     "PO's (`po`) or the order's (`order`); an order its mapping could not read has one line "
     "without values (so a line-by-line file still has its row)."},
    {DG_DOC_STATUS, "lines[].sku", "The storefront's SKU of the line."},
    {DG_DOC_STATUS, "lines[].description", "Product description."},
    {DG_DOC_STATUS, "lines[].quantity", "Quantity ordered (of this supplier's part)."},
    {DG_DOC_STATUS, "lines[].quantity_shipped", "Quantity shipped so far (every ASN added up)."},
    {DG_DOC_STATUS, "lines[].quantity_cancelled", "Quantity cancelled."},
    {DG_DOC_STATUS, "lines[].status",
     "The line's status at its supplier (`ACCEPTED`, `BACKORDERED`, `SHIPPED`, `CANCELLED` ...), "
     "else routing's (`MATCHED`, `PRODUCT_NOT_FOUND`, `OUT_OF_STOCK` ...)."},
    {DG_DOC_STATUS, "lines[].reason",
     "Why the line has that status (the supplier's or routing's)."},
    {DG_DOC_STATUS, "lines[].supplier", "The supplier the line went to."},
    {DG_DOC_STATUS, "lines[].po_number", "The supplier PO carrying the line."},
    /* ---- every kind ---- */
    {DG_DOC_NONE, "source.format", "`x12`, `csv`, `xml` (filled by the reader)."},
    {DG_DOC_NONE, "source.sender_id", "X12 ISA06/GS02, or the partner's configured id."},
    {DG_DOC_NONE, "source.receiver_id", "X12 ISA08/GS03."},
    {DG_DOC_NONE, "source.interchange_control", "X12 ISA13."},
    {DG_DOC_NONE, "source.group_control", "X12 GS06."},
    {DG_DOC_NONE, "source.set_control", "X12 ST02."},
    {DG_DOC_NONE, "source.transaction_set", "X12 ST01 (`850` ...)."},
};

/* The parts of a party (dg_party), whatever object holds it. */
static const struct {
    const char *name, *text;
} party_parts[] = {
    {"id", "The partner's id for the party (X12 N104, a GLN, a customer number)."},
    {"id_qualifier", "What kind of id `id` is (X12 N103: `92` assigned by buyer, `UL` GLN ...)."},
    {"name", "Person or main name."},
    {"company", "Company name."},
    {"address1", "First address line."},
    {"address2", "Second address line."},
    {"city", "City."},
    {"state", "State or province code."},
    {"postal_code", "Postal code (kept as text: leading zeros stay)."},
    {"country",
     "ISO 3166-1 alpha-2 country code (mappings convert names through tables/countries.yaml)."},
    {"phone", "Phone number as text."},
    {"email", "E-mail address."},
};

#define N(a) (sizeof(a) / sizeof *(a))

static const char *lookup(dg_doc_kind kind, const char *path, size_t len)
{
    for (size_t i = 0; i < N(meanings); i++)
        if ((meanings[i].kind == kind || meanings[i].kind == DG_DOC_NONE) &&
            strlen(meanings[i].path) == len && !strncmp(meanings[i].path, path, len))
            return meanings[i].text;
    return NULL;
}

static const char *party_part(const char *name)
{
    for (size_t i = 0; i < N(party_parts); i++)
        if (!strcmp(party_parts[i].name, name))
            return party_parts[i].text;
    return NULL;
}

const char *dg_field_meaning(dg_doc_kind kind, const dg_field *f)
{
    if (f->object && f->group == DG_FIELD_BODY) /* a party part: the object must be known too */
        return lookup(kind, f->object, strlen(f->object)) ? party_part(f->name) : NULL;
    return lookup(kind, f->path, strlen(f->path));
}

const char *dg_field_type_name(dg_field_type t)
{
    return t == DG_FIELD_DEC ? "quantity" : t == DG_FIELD_MONEY ? "money" : "text";
}

static size_t kind_table(dg_doc_kind kind, dg_buf *out)
{
    size_t n, missing = 0;
    const dg_field *fs = dg_fields_list(kind, &n);
    dg_buf_printf(out, "\n### %s\n\n| Field | Type | Meaning |\n|---|---|---|\n",
                  dg_doc_kind_name(kind));
    for (size_t i = 0; i < n; i++) {
        const dg_field *f = &fs[i];
        if (f->group == DG_FIELD_SOURCE)
            continue;
        const char *text = dg_field_meaning(kind, f);
        if (!text)
            missing++;
        if (f->object) { /* one row per party object, its parts listed once below */
            if (i > 0 && fs[i - 1].object && !strcmp(fs[i - 1].object, f->object))
                continue;
            const char *obj = lookup(kind, f->object, strlen(f->object));
            dg_buf_printf(out, "| `%s.*` | party | %s |\n", f->object,
                          obj ? obj : "(no meaning written)");
            continue;
        }
        dg_buf_printf(out, "| `%s` | %s | %s |\n", f->path, dg_field_type_name(f->type),
                      text ? text : "(no meaning written)");
    }
    return missing;
}

size_t dg_fields_markdown(dg_buf *out)
{
    static const dg_doc_kind kinds[] = {DG_DOC_ORDER, DG_DOC_SHIPMENT, DG_DOC_INVOICE,
                                        DG_DOC_STOCK, DG_DOC_ACK,      DG_DOC_STATUS};
    size_t missing = 0;
    dg_buf_puts(out,
                "<!-- generated by `dropgate fields --markdown` from src/core/model_fields.c and "
                "the meanings in src/core/model_doc.c; edit those, not this section -->\n\n"
                "Every field a mapping can read or write, by document. A `target:` or a "
                "placeholder names it by this path (inside a group the `lines[].` prefix may be "
                "left out). Types: **text** (dates `YYYY-MM-DD`, times `HH:MM:SS`), **quantity** "
                "and **money** (exact decimals, 4 places kept; money is written with at least 2). "
                "Absent and empty are the same: a field without a value is left out of the "
                "canonical JSON.\n\n"
                "What the flow matches on: **routing** looks each order line up in the catalog "
                "by `lines[].buyer_sku` (else `lines[].vendor_sku`) against `retailer_sku`, or "
                "by `lines[].gtin` against `gtin`, and checks `ship_to.country`; stock feeds "
                "are keyed by `items[].vendor_sku` (the catalog's `supplier_sku`); shipments and "
                "invoices find their PO by `po_number` and their PO lines by `vendor_sku` / "
                "`buyer_sku`, then `gtin`, then `line_number`; orders are deduplicated by "
                "`order_number` per storefront, shipments by `shipment_id` per PO, invoices by "
                "`invoice_number`. Each is marked in bold below.\n");
    for (size_t k = 0; k < N(kinds); k++)
        missing += kind_table(kinds[k], out);
    dg_buf_puts(out, "\n### party (`ship_to.*`, `bill_to.*`, `buyer.*`, `seller.*`, "
                     "`ship_from.*`, `remit_to.*`)\n\n| Field | Type | Meaning |\n|---|---|---|\n");
    size_t n;
    const dg_field *fs = dg_fields_list(DG_DOC_ORDER, &n);
    const char *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!fs[i].object || fs[i].group != DG_FIELD_BODY)
            continue;
        if (!first)
            first = fs[i].object;
        if (strcmp(first, fs[i].object))
            break;
        const char *text = party_part(fs[i].name);
        dg_buf_printf(out, "| `%s` | text | %s |\n", fs[i].name,
                      text ? text : "(no meaning written)");
    }
    dg_buf_puts(out, "\n### source (every document; filled by the reader, not by rules)\n\n"
                     "| Field | Type | Meaning |\n|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        if (fs[i].group != DG_FIELD_SOURCE)
            continue;
        const char *text = dg_field_meaning(DG_DOC_ORDER, &fs[i]);
        if (!text)
            missing++;
        dg_buf_printf(out, "| `%s` | %s | %s |\n", fs[i].path, dg_field_type_name(fs[i].type),
                      text ? text : "(no meaning written)");
    }
    dg_buf_puts(out, "| `source.position` | number | Where the document starts in its file "
                     "(segment, row or line). |\n");
    return missing;
}
