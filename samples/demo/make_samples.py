#!/usr/bin/env python3
"""Writes the demo's partner files (samples/demo/drops and samples/demo/responses).

Run it after changing the demo catalog (etc/catalog.csv) or the PO numbering; the files it writes
are committed, so the demo itself never needs Python. PO numbers are "<order>-<supplier code>"
(see etc/routing.yaml); X12 control numbers assume a fresh state store: northwind's 997 for the
846 takes ISA/GS/ST 1, then the three northwind POs take 2, 3 and 4 in order-number order."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
NW, BL = "NW", "BL"  # supplier codes in etc/routing.yaml


def po(order, code):
    return f"{order}-{code}"


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)


def x12_groups(sender, receiver, ctl, date, time_, groups):
    """groups: list of (functional id, GS06, [(set id, [segments without ST/SE])]); one
    interchange (ISA13 ctl) holding them all, as partners batch an 856 and an 810 together."""
    segs = [f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{date[2:]}*{time_}*U*00401*{ctl:09d}*0*P*>"]
    st_n = 0
    for fid, gs_ctl, sets in groups:
        segs.append(f"GS*{fid}*{sender}*{receiver}*{date}*{time_}*{gs_ctl}*X*004010")
        for sid, body in sets:
            st_n += 1
            st = f"{st_n:04d}"
            segs.append(f"ST*{sid}*{st}")
            segs.extend(body)
            segs.append(f"SE*{len(body) + 2}*{st}")
        segs.append(f"GE*{len(sets)}*{gs_ctl}")
    segs.append(f"IEA*{len(groups)}*{ctl:09d}")
    return "~\n".join(segs) + "~\n"


def x12(sender, receiver, fid, ctl, date, time_, sets):
    """sets: list of (set id, [segments without ST/SE]); one group, one interchange."""
    return x12_groups(sender, receiver, ctl, date, time_, [(fid, ctl, sets)])


# ---- the storefront's order export ----------------------------------------------------------
HDR = ("Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,"
       "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,"
       "Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
       "Shipping Province,Shipping Country,Shipping Phone,Notes\n")
ORDERS = [
    # number, email, total, created, ship-to (name, company, a1, a2, city, zip, state, country,
    # phone), notes, lines (qty, title, price, sku)
    ("2001", "ana.lopez@example.com", "89.97", "2026-11-20 09:12:05 -0500",
     ("Ana Lopez", "", "123 Main St", "Apt 4", "Austin", "78701", "TX", "US", "+1 512 555 0100"),
     "Leave at door", [(2, "Ceramic Mug - Blue", "14.99", "SF-1001"),
                       (1, "Pour-Over Kettle 1L", "59.99", "SF-1002")]),
    ("2002", "ben@example.org", "29.99", "2026-11-20 10:01:00 -0500",
     ("Ben Okafor", "Okafor Design LLC", "9 Elm Rd", "", "Boston", "'02134", "MA", "US", ""),
     "", [(1, "Milk Frother", "29.99", "SF-1007")]),
    ("2003", "chloe@example.net", "923.98", "2026-11-20 11:45:10 -0500",  # split: NW + BL
     ("Chloe Martin", "", "45 Pine St", "", "Portland", "97205", "OR", "US", "503-555-0199"),
     "", [(1, "Espresso Machine", "899.00", "SF-1003"), (2, "Tea Sampler", "12.49", "SF-1004")]),
    ("2004", "dev@example.com", "109.98", "2026-11-20 13:30:00 -0500",  # one unknown SKU
     ("Dev Patel", "", "700 Larimer St", "Unit 12", "Denver", "80202", "CO", "US", ""),
     "", [(1, "Burr Coffee Grinder", "99.99", "SF-1006"), (1, "Gift Wrap", "9.99", "SF-9999")]),
    ("2005", "eva@example.com", "39.99", "2026-11-20 15:05:00 -0500",  # out of stock
     ("Eva Novak", "", "233 S Wacker Dr", "", "Chicago", "60606", "IL", "US", ""),
     "", [(1, "Gooseneck Scale", "39.99", "SF-1009")]),
]


def orders_csv():
    out = [HDR]
    for num, email, total, created, st, notes, lines in ORDERS:
        for i, (q, title, price, sku) in enumerate(lines):
            head = i == 0
            name, company, a1, a2, city, zip_, state, country, phone = st
            cells = [f"#{num}", email if head else "", "paid" if head else "",
                     "USD" if head else "", total if head else "", "0.00" if head else "",
                     "0.00" if head else "", total if head else "", "Standard" if head else "",
                     created, str(q), title, price, sku,
                     name if head else "", company if head else "", a1 if head else "",
                     a2 if head else "", city if head else "", zip_ if head else "",
                     state if head else "", country if head else "", phone if head else "",
                     notes if head else ""]
            out.append(",".join(f'"{c}"' if "," in c else c for c in cells) + "\n")
    return "".join(out)


write("drops/shopfront/orders/orders-20261120.csv", orders_csv())

# ---- inventory feeds --------------------------------------------------------------------------
NW_STOCK = [("NW-1001", "Ceramic Mug 12oz Blue", "012345678905", 120, "4.10", "14.99"),
            ("NW-1002", "Pour-Over Kettle 1L", "012345678912", 15, "21.50", "59.99"),
            ("NW-1003", "Espresso Machine", "012345678929", 5, "640.00", "899.00"),
            ("NW-1005", "French Press 1L", "012345678943", 30, "14.75", "34.99"),
            ("NW-1006", "Burr Coffee Grinder", "012345678950", 12, "48.00", "99.99"),
            ("NW-1008", "Travel Tumbler", "012345678974", 40, "6.90", "19.99"),
            ("NW-1009", "Gooseneck Scale", "012345678981", 0, "17.25", "39.99")]
body = ["BIA*00*DD*INV-NW-20261120*20261120"]
for i, (sku, title, upc, qty, cost, msrp) in enumerate(NW_STOCK, 1):
    body += [f"LIN*{i}*VP*{sku}*UP*{upc}", f"PID*F****{title}", f"CTP**WHL*{cost}",
             f"CTP**MSR*{msrp}", f"QTY*33*{qty}*EA"]
    if qty == 0:
        body.append("DTM*018*20261215")
body.append(f"CTT*{len(NW_STOCK)}")
# northwind names its files as it likes (NW_<n>.x12) and puts everything in one folder: dropgate
# routes each set by its envelope (ISA06 -> partner, ST01 -> northwind's x12: sets: table).
write("drops/northwind/outbound/NW_0001.x12",
      x12("NORTHWIND", "DROPGATE", "IB", 4601, "20261120", "0600", [("846", body)]))

BL_STOCK = [("P-1", "BL-1001", "Ceramic Mug - Blue", "012345678905", 200, "4.30", "14.99"),
            ("P-2", "BL-1002", "Pour-Over Kettle 1L", "012345678912", 10, "20.90", "59.99"),
            ("P-4", "BL-1004", "Tea Sampler", "012345678936", 80, "5.20", "12.49"),
            ("P-5", "BL-1005", "French Press 1L", "012345678943", 25, "14.20", "34.99"),
            ("P-7", "BL-1007", "Milk Frother", "012345678967", 35, "11.40", "29.99"),
            ("P-8", "BL-1008", "Travel Tumbler", "012345678974", 60, "7.10", "19.99"),
            ("P-10", "BL-1010", "Cold Brew Kit", "012345678998", 0, "12.60", "32.99")]
rows = ["item_id,sku_id,title,upc,quantity_in_stock,wholesale_cost,msrp,warehouse,restock_date,as_of\n"]
for item, sku, title, upc, qty, cost, msrp in BL_STOCK:
    restock = "2026-12-20" if qty == 0 else ""
    rows.append(f"{item},{sku},{title},{upc},{qty},{cost},{msrp},OH1,{restock},2026-11-20\n")
write("drops/brightline/feeds/inventory-20261120.csv", "".join(rows))

# ---- northwind answers: 997 for the three 850s, two ASNs, one invoice ------------------------
acks = []
for gs, order in ((2, "2001"), (3, "2003"), (4, "2004")):
    acks.append(("997", [f"AK1*PO*{gs}", f"AK2*850*{gs:04d}", "AK5*A", "AK9*A*1*1*1"]))
write("responses/northwind/outbound/NW_0002.x12",
      x12("NORTHWIND", "DROPGATE", "FA", 4701, "20261120", "1700", acks))


def asn_body(shipment, order, tracking, items, ship_to):
    name, a1, city, state, zip_ = ship_to
    body = [f"BSN*00*{shipment}*20261121*1430*0001", "HL*1**S", "TD5**2*UPSN**GROUND",
            "DTM*011*20261121", f"N1*ST*{name}", f"N3*{a1}", f"N4*{city}*{state}*{zip_}*US",
            "N1*SF*Northwind Supply*92*NW01", "N4*Reno*NV*89501*US",
            "HL*2*1*O", f"PRF*{po(order, NW)}", "HL*3*2*P", "TD1******G*3.2*LB",
            f"REF*CN*{tracking}"]
    hl = 4
    for line, sku, qty in items:
        body += [f"HL*{hl}*3*I", f"LIN*{line}*VP*{sku}", f"SN1**{qty}*EA"]
        hl += 1
    body.append(f"CTT*{hl - 1}")
    return body


inv = ["BIG*20261122*INV-NW-5001**" + po("2001", NW), "CUR*SE*USD",
       "N1*RI*Northwind Supply*92*NW01", "N3*400 Depot Rd", "N4*Reno*NV*89501*US",
       "N1*BT*Shopfront Inc*92*SHOPFRONT", "ITD*01*3" + "*" * 10 + "Net 30",
       "IT1*1*2*EA*4.10**VP*NW-1001", "PID*F****Ceramic Mug 12oz Blue",
       "IT1*2*1*EA*21.50**VP*NW-1002", "PID*F****Pour-Over Kettle 1L",
       "TDS*3470", "SAC*C*D240***500**********Freight", "CTT*2"]
# One interchange holding the ASN of 2001-NW (group SH 4801) and its invoice (group IN 4901).
write("responses/northwind/outbound/NW_0003.x12",
      x12_groups("NORTHWIND", "DROPGATE", 4801, "20261122", "0900", [
          ("SH", 4801, [("856", asn_body("SH-NW-9001", "2001", "1Z999AA10123456784",
                                         [(1, "NW-1001", 2), (2, "NW-1002", 1)],
                                         ("Ana Lopez", "123 Main St", "Austin", "TX",
                                          "78701")))]),
          ("IN", 4901, [("810", inv)])]))
write("responses/northwind/outbound/NW_0004.x12",
      x12("NORTHWIND", "DROPGATE", "SH", 4802, "20261121", "1500",
          [("856", asn_body("SH-NW-9002", "2003", "1Z999AA10123456791", [(1, "NW-1003", 1)],
                            ("Chloe Martin", "45 Pine St", "Portland", "OR", "97205")))]))

# ---- brightline answers: tracking CSV and invoice CSV (one price above tolerance) -----------
write("responses/brightline/shipments/tracking-20261121.csv",
      "retailer_po,supplier_po,tracking_number,sku_id,quantity_shipped,package_weight,"
      "package_ship_date,supplier_provided_carrier,supplier_provided_method\n"
      f"{po('2002', BL)},SO-BL-3101,9400111899223100001234,BL-1007,1,1.4,2026-11-21,USPS,PRIORITY\n"
      f"{po('2003', BL)},SO-BL-3102,9400111899223100005678,BL-1004,2,0.8,2026-11-21,USPS,PRIORITY\n")
write("responses/brightline/invoices/invoice-20261122.csv",
      "invoice_number,invoice_date,retailer_po,supplier_po,sku_id,quantity_invoiced,"
      "supplier_provided_sku_cost,supplier_provided_tax,supplier_provided_shipping_cost,"
      "supplier_provided_drop_ship_fee,supplier_provided_order_total,currency\n"
      # matched: 1 x 11.40 + 4.95 shipping
      f"INV-BL-7001,2026-11-22,{po('2002', BL)},SO-BL-3101,BL-1007,1,11.40,0.00,4.95,,16.35,USD\n"
      # discrepancy: 5.90 a unit against the PO's 5.20 (+13.5%; tolerance 1% or 0.05)
      f"INV-BL-7002,2026-11-22,{po('2003', BL)},SO-BL-3102,BL-1004,2,5.90,0.00,4.95,,16.75,USD\n")

# ---- later in the demo: a late order, and northwind backorders it ----------------------------
# `dropgate demo` drops these after the first answers were taken (samples/demo/late-order, then
# samples/demo/late-answers): order 2006 goes to northwind (PO 2006-NW), northwind's 855
# backorders its line until mid-January, beyond routing.yaml's reroute.backorder_after, so the
# line is re-routed to brightline on PO 2006-BL in the same cycle.
LATE = [("2006", "fay@example.com", "59.99", "2026-11-21 08:30:00 -0500",
         ("Fay Wong", "", "12 Harbor Rd", "", "Seattle", "98101", "WA", "US", ""),
         "", [(1, "Pour-Over Kettle 1L", "59.99", "SF-1002")])]
ORDERS[:] = LATE
write("late-order/shopfront/orders/orders-20261121.csv", orders_csv())
ack855 = ["BAK*00*AC*" + po("2006", NW) + "*20261121****SO-NW-7781", "CUR*SE*USD",
          "PO1*1*1*EA*21.50**VP*NW-1002*BP*SF-1002", "PID*F****Pour-Over Kettle 1L",
          "ACK*IB*1*EA*068*20270115", "CTT*1"]
write("late-answers/northwind/outbound/NW_0005.x12",
      x12("NORTHWIND", "DROPGATE", "PR", 4903, "20261121", "1200", [("855", ack855)]))
