/* Routing X12 by envelope over the shipped demo setup (northwind: one type: x12 drop, its sets in
 * x12: sets:), with the real store, flow and validator: an 856 and an 810 in one interchange are
 * both applied; an unknown sender is quarantined naming the id and the partner file; a set with
 * no mapping is answered AK5 R 1; one bad set of three leaves the file PARTIAL with AK3/AK4 for it
 * and the other two applied; a reprocess applies only what was not applied (counted); a duplicate
 * ISA13 is kept, not applied, and answered TA1 025 when asked; X12 on a drop without ack: true is
 * validated before mapping. */
#include "gwtest.h"

#include "store/db.h"
#include <string.h>
#include <time.h>

#include "core/fs.h"
#include "gateway/gateway.h"
#include "store/store.h"

static dg_gw_config *g_cfg;
static dg_gw *g_gw;

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static void open_gw(void)
{
    dg_error err = {0};
    if (dg_gw_config_load(at("etc/dropgate.yaml"), NULL, &g_cfg, &err))
        fail_msg("config: %s", err.msg);
    if (dg_gw_open(g_cfg, &g_gw, &err))
        fail_msg("open: %s", err.msg);
}

static void close_gw(void)
{
    dg_gw_close(g_gw);
    dg_gw_config_free(g_cfg);
    g_gw = NULL;
    g_cfg = NULL;
}

/* The demo's folders and configuration; edit (a sed script, may be NULL) changes northwind's
 * partner file first. Cycle 1: the 846, the orders, the POs (2001-NW, 2003-NW, 2004-NW). */
static void demo(const char *edit)
{
    gw_demo_folder("gw_route");
    if (edit) {
        char cmd[8192];
        snprintf(cmd, sizeof cmd, "sed -i -e '%s' '%s'", edit, at("etc/partners/northwind.yaml"));
        sh(cmd);
    }
    open_gw();
    dg_error err = {0};
    if (dg_gw_cycle(g_gw, NULL, false, &err))
        fail_msg("cycle: %s", err.msg);
}

static int teardown(void **state)
{
    (void)state;
    close_gw();
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static long count(const char *sql)
{
    dg_stmt *st = NULL;
    if (dg_db_prepare(dg_store_db(dg_gw_store(g_gw)), sql, &st, NULL) != 0)
        fail_msg("%s: %s", sql, dg_db_errmsg(dg_store_db(dg_gw_store(g_gw))));
    long n = dg_stmt_step(st) == DG_DB_ROW ? (long)dg_stmt_int64(st, 0) : -1;
    dg_stmt_finalize(st);
    return n;
}

static char *text(const char *sql)
{
    dg_stmt *st = NULL;
    if (dg_db_prepare(dg_store_db(dg_gw_store(g_gw)), sql, &st, NULL) != 0)
        fail_msg("%s", sql);
    const char *t = dg_stmt_step(st) == DG_DB_ROW ? dg_stmt_text(st, 0) : NULL;
    char *out = strdup(t ? (const char *)t : "");
    dg_stmt_finalize(st);
    return out;
}

static void poll_northwind(const char *name, const char *x12)
{
    char rel[512];
    snprintf(rel, sizeof rel, "drops/northwind/outbound/%s", name);
    dg_test_write_file(at(rel), x12);
    dg_error err = {0};
    const dg_gw_partner *p = dg_gw_config_partner(g_cfg, "northwind");
    if (dg_gw_poll_partner(g_gw, p, false, &err))
        fail_msg("poll: %s", err.msg);
    if (dg_gw_send_outbox(g_gw, p, &err))
        fail_msg("send: %s", err.msg);
}

/* The newest acknowledgment we sent northwind (997_/TA1_ file), read from its inbound folder. */
static char *last_ack(const char *prefix)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT file_name FROM outbox WHERE partner='northwind' AND kind='ack' AND "
             "file_name LIKE '%s%%' ORDER BY id DESC LIMIT 1",
             prefix);
    char *name = text(sql);
    if (!*name)
        fail_msg("no %s acknowledgment in the outbox", prefix);
    char rel[600];
    snprintf(rel, sizeof rel, "drops/northwind/inbound/%s", name);
    free(name);
    char *ack = dg_test_read_file(at(rel), NULL);
    if (!ack)
        fail_msg("%s not delivered", rel);
    return ack;
}

static void has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' not in:\n%s", needle, hay);
}

/* ---- X12 text ------------------------------------------------------------------------------ */

static char g_x12[8192];

static const char *isa(const char *sender, long ctl, int ack_requested)
{
    static char b[200];
    snprintf(b, sizeof b,
             "ISA*00*          *00*          *ZZ*%-15s*ZZ*DROPGATE       *261122*0900*U*00401*"
             "%09ld*%d*P*>~\n",
             sender, ctl, ack_requested);
    return b;
}

static const char *set856(const char *st, const char *shipment, const char *po, const char *sku,
                          int qty)
{
    static char b[600];
    snprintf(b, sizeof b,
             "ST*856*%s~\nBSN*00*%s*20261121*1430*0001~\nHL*1**S~\nTD5**2*UPSN**GROUND~\n"
             "HL*2*1*O~\nPRF*%s~\nHL*3*2*P~\nREF*CN*1Z%s~\nHL*4*3*I~\nLIN*1*VP*%s~\nSN1**%d*EA~\n"
             "CTT*4~\nSE*13*%s~\n",
             st, shipment, po, shipment, sku, qty, st);
    return b;
}

/* An 810 for 2001-NW; bad: ITD13 holds text (a day of month), rejected by the X12 check. */
static const char *set810(const char *st, const char *invoice, bool bad)
{
    static char b[800];
    snprintf(b, sizeof b,
             "ST*810*%s~\nBIG*20261122*%s**2001-NW~\nCUR*SE*USD~\n"
             "N1*RI*Northwind Supply*92*NW01~\n%s~\nIT1*1*2*EA*4.10**VP*NW-1001~\n"
             "IT1*2*1*EA*21.50**VP*NW-1002~\nTDS*3470~\nSAC*C*D240***500**********Freight~\n"
             "CTT*2~\nSE*11*%s~\n",
             st, invoice, bad ? "ITD*01*3***********Net 30" : "ITD*01*3**********Net 30", st);
    return b;
}

static void gs(const char *fid, long ctl)
{
    size_t n = strlen(g_x12);
    snprintf(g_x12 + n, sizeof g_x12 - n, "GS*%s*NORTHWIND*DROPGATE*20261122*0900*%ld*X*004010~\n",
             fid, ctl);
}

static void add(const char *text_)
{
    size_t n = strlen(g_x12);
    snprintf(g_x12 + n, sizeof g_x12 - n, "%s", text_);
}

static void ge(int sets, long ctl)
{
    size_t n = strlen(g_x12);
    snprintf(g_x12 + n, sizeof g_x12 - n, "GE*%d*%ld~\n", sets, ctl);
}

static void iea(int groups, long ctl)
{
    size_t n = strlen(g_x12);
    snprintf(g_x12 + n, sizeof g_x12 - n, "IEA*%d*%09ld~\n", groups, ctl);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_mixed_interchange_both_applied(void **state)
{
    (void)state;
    demo(NULL);
    char *nw3 = dg_test_read_file(
        dg_test_path("samples/demo/responses/northwind/outbound/NW_0003.x12"), NULL);
    assert_non_null(strstr(nw3, "ST*856") && strstr(nw3, "ST*810") ? nw3 : NULL);
    poll_northwind("NW_0003.x12", nw3); /* no set in its name: routed by its envelope */
    free(nw3);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-NW-9001'"), 1);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-NW-5001'"), 1);
    char *state_ = text("SELECT state FROM pickups WHERE path='outbound/NW_0003.x12'");
    assert_string_equal(state_, "DONE");
    free(state_);
    char *ack = last_ack("997_");
    has(ack, "AK1*SH*4801~");
    has(ack, "AK1*IN*4901~");
    assert_null(strstr(ack, "AK5*R"));
    free(ack);
}

static void test_unknown_sender_quarantined(void **state)
{
    (void)state;
    demo(NULL);
    long acks = count("SELECT count(*) FROM outbox WHERE kind='ack'");
    g_x12[0] = '\0';
    add(isa("ACME", 9001, 0));
    add("GS*SH*ACME*DROPGATE*20261122*0900*9001*X*004010~\n");
    add(set856("0001", "SH-ACME-1", "2004-NW", "NW-1006", 1));
    ge(1, 9001);
    iea(1, 9001);
    poll_northwind("from-acme.x12", g_x12);
    char *st = text("SELECT state FROM pickups WHERE path='outbound/from-acme.x12'");
    assert_string_equal(st, "QUARANTINED");
    free(st);
    char *reason = text("SELECT reason FROM pickups WHERE path='outbound/from-acme.x12'");
    has(reason, "ZZ/ACME");
    has(reason, "x12: {qualifier: ZZ, id: ACME}");
    has(reason, "etc/partners");
    has(reason, "northwind.yaml");
    free(reason);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-ACME-1'"), 0);
    /* nobody to answer: no 997 */
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind='ack'"), acks);
}

/* Northwind without 810 in its set table: its 810 is rejected AK5 R 1 (not supported); after the
 * set is added, a reprocess applies only the 810 of the partial file. */
static void test_unknown_set_then_reprocess(void **state)
{
    (void)state;
    demo("/\"810\":/d");
    /* a lone 810: nothing applied, quarantined, answered AK5 R 1 */
    g_x12[0] = '\0';
    add(isa("NORTHWIND", 8000, 0));
    gs("IN", 8000);
    add(set810("0001", "INV-T-8000", false));
    ge(1, 8000);
    iea(1, 8000);
    poll_northwind("NW_8000.x12", g_x12);
    char *st = text("SELECT state FROM pickups WHERE path='outbound/NW_8000.x12'");
    assert_string_equal(st, "QUARANTINED");
    free(st);
    char *reason = text("SELECT reason FROM pickups WHERE path='outbound/NW_8000.x12'");
    has(reason, "not supported");
    has(reason, "x12: sets:");
    free(reason);
    char *ack = last_ack("997_");
    has(ack, "AK2*810*0001~");
    has(ack, "AK5*R*1~");
    has(ack, "AK9*R*1*1*0~");
    free(ack);

    /* an 856 and an 810 in one interchange: the 856 applied, the 810 rejected: PARTIAL */
    g_x12[0] = '\0';
    add(isa("NORTHWIND", 8001, 0));
    gs("SH", 8001);
    add(set856("0001", "SH-T-8001", "2004-NW", "NW-1006", 1));
    ge(1, 8001);
    gs("IN", 8002);
    add(set810("0002", "INV-T-8001", false));
    ge(1, 8002);
    iea(2, 8001);
    poll_northwind("NW_8001.x12", g_x12);
    st = text("SELECT state FROM pickups WHERE path='outbound/NW_8001.x12'");
    assert_string_equal(st, "PARTIAL");
    free(st);
    ack = last_ack("997_");
    has(ack, "AK1*SH*8001~");
    has(ack, "AK9*A*1*1*1~");
    has(ack, "AK1*IN*8002~");
    has(ack, "AK5*R*1~");
    has(ack, "AK9*R*1*1*0~");
    free(ack);
    long file_id = count("SELECT file_id FROM pickups WHERE path='outbound/NW_8001.x12'");
    long q_file = count("SELECT file_id FROM pickups WHERE path='outbound/NW_8000.x12'");
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-T-8001'"), 1);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-8001'"), 0);
    long docs = count("SELECT count(*) FROM documents");
    long shipments = count("SELECT count(*) FROM shipments");

    /* the partner engineer adds the 810 mapping; reprocess both files */
    close_gw();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "sed -i -e 's|^  sets:$|  sets:\\n    \"810\": mappings/x12-810-in.yaml|' '%s'",
             at("etc/partners/northwind.yaml"));
    sh(cmd);
    open_gw();
    dg_gw_reprocess_result r;
    dg_error err = {0};
    if (dg_gw_reprocess_x12(g_gw, file_id, &r, &err))
        fail_msg("reprocess: %s", err.msg);
    assert_int_equal(r.applied_now, 1);
    assert_int_equal(r.applied_before, 1);
    assert_int_equal(r.rejected, 0);
    assert_string_equal(r.state, "DONE");
    assert_int_equal(count("SELECT count(*) FROM shipments"), shipments); /* 856 not again */
    assert_int_equal(count("SELECT count(*) FROM documents"), docs + 1);  /* the 810 only */
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-8001'"), 1);
    st = text("SELECT state FROM pickups WHERE path='outbound/NW_8001.x12'");
    assert_string_equal(st, "DONE");
    free(st);
    /* a second reprocess applies nothing */
    if (dg_gw_reprocess_x12(g_gw, file_id, &r, &err))
        fail_msg("reprocess again: %s", err.msg);
    assert_int_equal(r.applied_now, 0);
    assert_int_equal(count("SELECT count(*) FROM documents"), docs + 1);
    /* the quarantined lone 810 too */
    if (dg_gw_reprocess_x12(g_gw, q_file, &r, &err))
        fail_msg("reprocess quarantined: %s", err.msg);
    assert_int_equal(r.applied_now, 1);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-8000'"), 1);
    st = text("SELECT state FROM pickups WHERE path='outbound/NW_8000.x12'");
    assert_string_equal(st, "DONE");
    free(st);
}

/* One bad set of three: the two good ones applied, the bad one rejected with AK3/AK4 and its
 * reason; a reprocess (nothing fixed) applies nothing again. */
static void test_partial_file(void **state)
{
    (void)state;
    demo(NULL);
    g_x12[0] = '\0';
    add(isa("NORTHWIND", 8101, 0));
    gs("SH", 8101);
    add(set856("0001", "SH-T-8101", "2001-NW", "NW-1002", 1));
    ge(1, 8101);
    gs("IN", 8102);
    add(set810("0002", "INV-T-1", false));
    add(set810("0003", "INV-T-2", true));
    ge(2, 8102);
    iea(2, 8101);
    long docs = count("SELECT count(*) FROM documents");
    poll_northwind("NW_8101.x12", g_x12);
    char *st = text("SELECT state FROM pickups WHERE path='outbound/NW_8101.x12'");
    assert_string_equal(st, "PARTIAL");
    free(st);
    char *reason = text("SELECT reason FROM pickups WHERE path='outbound/NW_8101.x12'");
    has(reason, "2 of 3 transaction set(s) applied");
    free(reason);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-T-8101'"), 1);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-1'"), 1);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-2'"), 0);
    assert_int_equal(count("SELECT count(*) FROM documents"), docs + 2);
    long file_id = count("SELECT file_id FROM pickups WHERE path='outbound/NW_8101.x12'");
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT reason FROM x12_sets WHERE file_id=%ld AND state='REJECTED' AND "
             "set_control='0003'",
             file_id);
    reason = text(sql);
    has(reason, "ITD");
    free(reason);
    char *ack = last_ack("997_");
    has(ack, "AK2*856*0001~\nAK5*A~");
    has(ack, "AK2*810*0002~\nAK5*A~");
    has(ack, "AK2*810*0003~\nAK3*ITD*");
    has(ack, "AK4*13*");
    has(ack, "AK5*R");
    has(ack, "AK9*A*1*1*1~");
    has(ack, "AK9*P*2*2*1~");
    free(ack);
    dg_gw_reprocess_result r;
    dg_error err = {0};
    if (dg_gw_reprocess_x12(g_gw, file_id, &r, &err))
        fail_msg("reprocess: %s", err.msg);
    assert_int_equal(r.applied_now, 0);
    assert_int_equal(r.applied_before, 2);
    assert_int_equal(r.rejected, 1);
    assert_string_equal(r.state, "PARTIAL");
    assert_int_equal(count("SELECT count(*) FROM documents"), docs + 2);
    assert_int_equal(count("SELECT count(*) FROM invoices WHERE invoice_number='INV-T-1'"), 1);
}

static void interchange_7001(int ack_requested)
{
    g_x12[0] = '\0';
    add(isa("NORTHWIND", 7001, ack_requested));
    gs("SH", 7001);
    add(set856("0001", "SH-D-7001", "2004-NW", "NW-1006", 1));
    ge(1, 7001);
    iea(1, 7001);
}

static void test_duplicate_interchange(void **state)
{
    (void)state;
    demo(NULL);
    interchange_7001(0);
    poll_northwind("first.x12", g_x12);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-D-7001'"), 1);
    long docs = count("SELECT count(*) FROM documents");
    /* the same ISA13 again under another name, asking for a TA1 */
    interchange_7001(1);
    poll_northwind("again.x12", g_x12);
    char *st = text("SELECT state FROM pickups WHERE path='outbound/again.x12'");
    assert_string_equal(st, "QUARANTINED");
    free(st);
    char *reason = text("SELECT reason FROM pickups WHERE path='outbound/again.x12'");
    has(reason, "duplicate interchange: ISA13 000007001 from ZZ/NORTHWIND");
    free(reason);
    assert_int_equal(count("SELECT count(*) FROM documents"), docs); /* not applied again */
    assert_true(count("SELECT count(*) FROM pickups WHERE path='outbound/again.x12' AND "
                      "quarantine_path IS NOT NULL") == 1); /* kept */
    char *ta1 = last_ack("TA1_");
    has(ta1, "TA1*000007001*261122*0900*R*025~");
    assert_null(strstr(ta1, "AK1*"));
    free(ta1);
    /* without ISA14 = 1: kept, no TA1 */
    long acks = count("SELECT count(*) FROM outbox WHERE kind='ack'");
    interchange_7001(0);
    add("\n"); /* other bytes: another file */
    poll_northwind("third.x12", g_x12);
    st = text("SELECT state FROM pickups WHERE path='outbound/third.x12'");
    assert_string_equal(st, "QUARANTINED");
    free(st);
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind='ack'"), acks);
    /* past northwind's window (30 days by default) the ISA13 is new again */
    dg_store_set_now(dg_gw_store(g_gw), (int64_t)time(NULL) + 31L * 86400);
    interchange_7001(0);
    add("\n\n");
    poll_northwind("later.x12", g_x12);
    st = text("SELECT state FROM pickups WHERE path='outbound/later.x12'");
    assert_string_equal(st, "DONE");
    free(st);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-D-7001'"), 1);
}

/* x12: ack: 999: a 5010 partner's interchange is answered with a 999 (IK5 per set, its group
 * echoed in AK1 with its GS08), named 999_<ISA13>.edi, never a 997. */
static void test_999_for_5010_partner(void **state)
{
    (void)state;
    demo("s/^  ack: 997 .*$/  ack: 999/");
    g_x12[0] = '\0';
    add("ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261122*0900*^*"
        "00501*000008201*0*P*>~\n");
    add("GS*SH*NORTHWIND*DROPGATE*20261122*0900*8201*X*005010~\n");
    add(set856("0001", "SH-T-8201", "2004-NW", "NW-1006", 1));
    ge(1, 8201);
    iea(1, 8201);
    poll_northwind("NW_8201.x12", g_x12);
    assert_int_equal(count("SELECT count(*) FROM shipments WHERE shipment_ref='SH-T-8201'"), 1);
    char *ack = last_ack("999_");
    has(ack, "ST*999*");
    has(ack, "AK1*SH*8201*005010");
    has(ack, "AK2*856*0001");
    has(ack, "IK5*A~");
    has(ack, "AK9*A*1*1*1~");
    assert_null(strstr(ack, "ST*997"));
    free(ack);
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE file_name LIKE '997_%' AND "
                           "created_at >= (SELECT max(created_at) FROM outbox WHERE file_name "
                           "LIKE '999_%')"),
                     0);
}

/* A 999 from the supplier is read like a 997: the PO it accepts is ACCEPTED, the one it
 * rejects REJECTED. */
static void test_incoming_999_marks_pos(void **state)
{
    (void)state;
    demo(NULL);
    char *st = text("SELECT status FROM supplier_pos WHERE po_number='2004-NW'");
    assert_string_equal(st, "SENT");
    free(st);
    char *gs04 = text("SELECT group_control FROM supplier_pos WHERE po_number='2004-NW'");
    char *st04 = text("SELECT set_control FROM supplier_pos WHERE po_number='2004-NW'");
    char *gs01 = text("SELECT group_control FROM supplier_pos WHERE po_number='2001-NW'");
    char *st01 = text("SELECT set_control FROM supplier_pos WHERE po_number='2001-NW'");
    char body[2048];
    snprintf(body, sizeof body,
             "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261122*0900*"
             "^*00501*000008301*0*P*>~\n"
             "GS*FA*NORTHWIND*DROPGATE*20261122*0900*8301*X*005010X231A1~\n"
             "ST*999*0001*005010X231A1~\nAK1*PO*%s*004010~\nAK2*850*%s~\nIK5*A~\n"
             "AK9*A*1*1*1~\nSE*6*0001~\n"
             "ST*999*0002*005010X231A1~\nAK1*PO*%s*004010~\nAK2*850*%s~\nIK5*R*5~\n"
             "AK9*R*1*1*0~\nSE*6*0002~\nGE*2*8301~\nIEA*1*000008301~\n",
             gs04, st04, gs01, st01);
    free(gs04);
    free(st04);
    free(gs01);
    free(st01);
    long acks = count("SELECT count(*) FROM outbox WHERE kind='ack'");
    poll_northwind("NW_8301.x12", body);
    st = text("SELECT state FROM pickups WHERE path='outbound/NW_8301.x12'");
    assert_string_equal(st, "DONE");
    free(st);
    st = text("SELECT status FROM supplier_pos WHERE po_number='2004-NW'");
    assert_string_equal(st, "ACCEPTED");
    free(st);
    st = text("SELECT status FROM supplier_pos WHERE po_number='2001-NW'");
    assert_string_equal(st, "REJECTED");
    free(st);
    /* acknowledgments are never acknowledged */
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind='ack'"), acks);
}

/* Issue 9 item 14: an old-style X12 drop without ack: true validates before mapping. */
static void test_validated_without_ack(void **state)
{
    (void)state;
    demo(NULL);
    dg_test_write_file(at("etc/partners/legacy.yaml"),
                       "name: legacy\nrole: supplier\ntransport: {kind: local, root: "
                       "drops/legacy}\ninbound:\n  - folder: out\n    stable_seconds: 0\n"
                       "    mapping: mappings/x12-846-in.yaml\n");
    close_gw();
    open_gw();
    char sku[80];
    memset(sku, 'X', 60);
    sku[60] = '\0';
    char body[2048];
    snprintf(body, sizeof body,
             "%sGS*IB*LEGACY*DROPGATE*20261122*0900*1*X*004010~\nST*846*0001~\n"
             "BIA*00*DD*INV-L-1*20261122~\nLIN*1*VP*%s~\nQTY*33*5*EA~\nSE*5*0001~\nGE*1*1~\n"
             "IEA*1*000000001~\n",
             isa("LEGACY", 1, 0), sku);
    dg_test_write_file(at("drops/legacy/out/stock.edi"), body);
    dg_error err = {0};
    const dg_gw_partner *p = dg_gw_config_partner(g_cfg, "legacy");
    assert_non_null(p);
    if (dg_gw_poll_partner(g_gw, p, false, &err))
        fail_msg("poll: %s", err.msg);
    char *st = text("SELECT state FROM pickups WHERE path='out/stock.edi'");
    assert_string_equal(st, "QUARANTINED");
    free(st);
    char *reason = text("SELECT reason FROM pickups WHERE path='out/stock.edi'");
    has(reason, "rejected by the X12 check");
    free(reason);
    assert_int_equal(count("SELECT count(*) FROM stock WHERE supplier='legacy'"), 0);
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE partner='legacy'"), 0); /* no ack */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_mixed_interchange_both_applied, teardown),
        cmocka_unit_test_teardown(test_unknown_sender_quarantined, teardown),
        cmocka_unit_test_teardown(test_unknown_set_then_reprocess, teardown),
        cmocka_unit_test_teardown(test_partial_file, teardown),
        cmocka_unit_test_teardown(test_duplicate_interchange, teardown),
        cmocka_unit_test_teardown(test_validated_without_ack, teardown),
        cmocka_unit_test_teardown(test_999_for_5010_partner, teardown),
        cmocka_unit_test_teardown(test_incoming_999_marks_pos, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
