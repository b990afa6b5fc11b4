/* Supplier PO acknowledgments through the shipped mappings (issue 11): x12-855-in turns BAK02 and
 * every ACK01 code into ACCEPTED / BACKORDERED / REJECTED / CHANGED with the code kept, quantities,
 * prices and the promised date (ACK05, SCH, DTM); real 855s from ../shared/corpus; csv-ack-in
 * reads words and codes, and a line-less row for the whole PO. */
#include "maptest.h"

#include <unistd.h>

static const char *corpus(const char *rel)
{
    static char path[2048];
    const char *dir = dg_test_corpus_dir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return path;
}

static const dg_ack_line *line(const dg_ack *a, const char *no)
{
    for (size_t i = 0; i < a->n_lines; i++)
        if (a->lines[i].line_number && !strcmp(a->lines[i].line_number, no))
            return &a->lines[i];
    fail_msg("no line %s", no);
    return NULL;
}

static char *dec(dg_dec d)
{
    static char buf[4][32];
    static int k;
    char *b = buf[k++ % 4];
    return d.set ? dg_dec_format(d, b, 32) : strcpy(b, "-");
}

/* Our sample: IB with ACK05, IP with the price in PO104, IQ with the quantity in ACK02, R2, and a
 * line without ACK that follows BAK02. */
static void every_code_of_the_sample(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-855-in.yaml", dg_test_path("samples/mapping/ack-855.edi"), &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.docs[0]->kind, DG_DOC_ACK);
    const dg_ack *a = &l.docs[0]->u.ack;
    assert_string_equal(a->po_number, "2004-NW");
    assert_string_equal(a->ack_type, "AC");
    assert_string_equal(a->status, DG_ACK_ACCEPTED);
    assert_string_equal(a->ack_number, "SO-5521");
    assert_string_equal(a->promised_date, "2026-12-10");
    assert_string_equal(a->ack_date, "2026-12-03");
    const dg_ack_line *x = line(a, "1");
    assert_string_equal(x->status, DG_ACK_BACKORDERED);
    assert_string_equal(x->code, "IB");
    assert_string_equal(x->date, "2026-12-24");
    assert_string_equal(x->vendor_sku, "NW-1006");
    assert_string_equal(x->buyer_sku, "SF-1006");
    x = line(a, "2");
    assert_string_equal(x->status, DG_ACK_CHANGED);
    assert_string_equal(x->code, "IP");
    assert_string_equal(dec(x->unit_price), "9.5");
    x = line(a, "3");
    assert_string_equal(x->code, "IQ");
    assert_string_equal(dec(x->quantity), "2");
    assert_string_equal(dec(x->quantity_ordered), "3");
    x = line(a, "4");
    assert_string_equal(x->status, DG_ACK_REJECTED);
    assert_string_equal(x->code, "R2");
    x = line(a, "5");
    assert_null(x->status); /* follows the header */
    assert_null(x->code);
    list_free(&l);
}

/* Real 855s: IA/IR lines (node-x12), a whole-PO rejection without lines (X358 RJ), IP/IA/IR with
 * SCH dates (X358 minor changes), SCH 068 ship dates without ACK, a UCS 855 with header DTM 067,
 * and two minimal 855s in one group. */
static void corpus_855s(void **state)
{
    (void)state;
    const char *f = corpus("x12/855/node-x12-855.edi");
    if (!f) {
        print_message("SKIP: no corpus\n");
        return;
    }
    doc_list l = {0};
    read_ok("mappings/x12-855-in.yaml", f, &l);
    const dg_ack *a = &l.docs[0]->u.ack;
    assert_string_equal(a->po_number, "POTEST1112");
    assert_string_equal(line(a, "1")->status, DG_ACK_ACCEPTED);
    assert_string_equal(line(a, "2")->status, DG_ACK_REJECTED);
    assert_string_equal(dec(line(a, "2")->quantity), "0");
    assert_string_equal(line(a, "1")->gtin, "9780446360265");
    list_free(&l);

    read_ok("mappings/x12-855-in.yaml", corpus("x12/855/stupidedi-X358-basic-po-ack-rejected.edi"),
            &l);
    a = &l.docs[0]->u.ack;
    assert_string_equal(a->ack_type, "RJ");
    assert_string_equal(a->status, DG_ACK_REJECTED);
    assert_int_equal(a->n_lines, 0);
    list_free(&l);

    read_ok("mappings/x12-855-in.yaml", corpus("x12/855/stupidedi-X358-po-ack-ship-details.edi"),
            &l);
    a = &l.docs[0]->u.ack;
    assert_string_equal(line(a, "1")->date, "2017-05-01"); /* the first SCH 068 */
    assert_string_equal(line(a, "3")->buyer_sku, "AB123-2");
    list_free(&l);

    read_ok("mappings/x12-855-in.yaml", corpus("x12/855/bots-855-004010UCS-01.edi"), &l);
    assert_int_equal(l.n, 6);
    a = &l.docs[0]->u.ack;
    assert_string_equal(a->ack_type, "AP");
    assert_string_equal(a->status, DG_ACK_ACCEPTED);
    assert_string_equal(a->promised_date, "2003-05-12");
    assert_int_equal(a->n_lines, 26);
    assert_string_equal(a->lines[0].line_number, "1"); /* PO101 empty: numbered in order */
    list_free(&l);

    read_ok("mappings/x12-855-in.yaml", corpus("x12/855/staedi-multi-tx-855.edi"), &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.docs[1]->u.ack.po_number, "ORDER2");
    list_free(&l);

    /* every 855 the corpus calls valid maps */
    static const char *const valid[] = {
        "oopfactory-855SSimmons.edi", "oopfactory-Example1_Adobe.edi",
        "stupidedi-004010-PR855-pass1.edi", "stupidedi-X358-basic-po-ack-accepted.edi",
        "stupidedi-X358-po-ack-ship-details.edi"};
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "x12/855/%s", valid[i]);
        read_ok("mappings/x12-855-in.yaml", corpus(rel), &l);
        assert_true(l.n >= 1);
        assert_non_null(l.docs[0]->u.ack.po_number);
        assert_non_null(l.docs[0]->u.ack.status);
        list_free(&l);
    }
}

/* An 855 without BAK03 is refused naming the field. */
static void po_number_required(void **state)
{
    (void)state;
    char dir[] = "/tmp/ackmapXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/bad.edi", dir);
    dg_test_write_file(
        path, "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261203*0900*"
              "U*00401*000000101*0*P*>~GS*PR*NORTHWIND*DROPGATE*20261203*0900*101*X*004010~"
              "ST*855*0001~BAK*00*AC**20261203~CTT*0~SE*4*0001~GE*1*101~IEA*1*000000101~");
    dg_error err = {0};
    assert_int_not_equal(read_fail(dg_test_path("mappings/x12-855-in.yaml"), path, &err), 0);
    assert_non_null(strstr(err.msg, "po_number"));
    unlink(path);
    rmdir(dir);
}

static void csv_acknowledgments(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/csv-ack-in.yaml", dg_test_path("samples/mapping/ack.csv"), &l);
    assert_int_equal(l.n, 2);
    const dg_ack *a = &l.docs[0]->u.ack;
    assert_string_equal(a->po_number, "2004-BL");
    assert_string_equal(a->ack_number, "SO-88");
    assert_int_equal(a->n_lines, 2);
    assert_string_equal(a->lines[0].status, DG_ACK_BACKORDERED);
    assert_string_equal(a->lines[0].code, "backordered");
    assert_string_equal(a->lines[0].date, "2026-12-24");
    assert_string_equal(a->lines[0].reason, "restock due");
    assert_string_equal(a->lines[1].status, DG_ACK_CHANGED); /* "IQ" */
    assert_string_equal(dec(a->lines[1].quantity), "2");
    a = &l.docs[1]->u.ack; /* a row without line: the whole PO */
    assert_string_equal(a->po_number, "2005-BL");
    assert_int_equal(a->n_lines, 1);
    assert_null(a->lines[0].line_number);
    assert_null(a->lines[0].vendor_sku);
    assert_string_equal(a->lines[0].status, DG_ACK_REJECTED);
    assert_string_equal(a->lines[0].reason, "account on hold");
    list_free(&l);
}

/* Several ACKs on one PO1 (tests/data/x12/855-multi-ack-logicbroker.edi: line 1 is Logicbroker's
 * documented 88 accepted, 1 backordered, 1 rejected of 90 with the DTM 068 after them; line 2
 * 50 accepted and 50 backordered, each with its ACK05 date): lines[] keeps the first ACK of each
 * PO1, acks[] has every one with its own quantity and date. */
static void several_acks_per_line(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-855-in.yaml",
            dg_test_path("tests/data/x12/855-multi-ack-logicbroker.edi"), &l);
    assert_int_equal(l.n, 1);
    const dg_ack *a = &l.docs[0]->u.ack;
    assert_int_equal(a->n_lines, 3);
    assert_int_equal(a->n_acks, 6);
    static const char *const want[6][5] = {{"1", "IA", "ACCEPTED", "88", "-"},
                                           {"1", "IB", "BACKORDERED", "1", "-"},
                                           {"1", "IR", "REJECTED", "1", "2016-07-28"},
                                           {"2", "IA", "ACCEPTED", "50", "2024-02-01"},
                                           {"2", "IB", "BACKORDERED", "50", "2024-03-01"},
                                           {"3", "IA", "ACCEPTED", "8", "2016-08-01"}};
    for (size_t i = 0; i < 6; i++) {
        const dg_ack_part *p = &a->acks[i];
        assert_string_equal(p->line_number, want[i][0]);
        assert_string_equal(p->code, want[i][1]);
        assert_string_equal(p->status, want[i][2]);
        assert_string_equal(dec(p->quantity), want[i][3]);
        assert_string_equal(p->date ? p->date : "-", want[i][4]);
    }
    const dg_ack_line *x = line(a, "1");
    assert_string_equal(x->vendor_sku, "V-123123");
    assert_string_equal(x->buyer_sku, "1234567");
    assert_string_equal(x->gtin, "0123456789012");
    assert_string_equal(x->code, "IA"); /* the first ACK */
    assert_string_equal(dec(x->quantity_ordered), "90");
    list_free(&l);
}

/* Every ACK01 code of the mapping's table reads to its status with the code kept: the sample's
 * first line answered with each code in turn (issue 11: a test for each ack code). */
static void every_ack_code_of_the_table(void **state)
{
    (void)state;
    static const char *const codes[][2] = {
        {"IA", DG_ACK_ACCEPTED},    {"AR", DG_ACK_ACCEPTED},    {"AC", DG_ACK_ACCEPTED},
        {"IE", DG_ACK_ACCEPTED},    {"SP", DG_ACK_ACCEPTED},    {"DR", DG_ACK_ACCEPTED},
        {"IB", DG_ACK_BACKORDERED}, {"BP", DG_ACK_BACKORDERED}, {"IH", DG_ACK_BACKORDERED},
        {"IW", DG_ACK_BACKORDERED}, {"IF", DG_ACK_BACKORDERED}, {"IC", DG_ACK_CHANGED},
        {"IQ", DG_ACK_CHANGED},     {"IP", DG_ACK_CHANGED},     {"IS", DG_ACK_CHANGED},
        {"IR", DG_ACK_REJECTED},    {"ID", DG_ACK_REJECTED},    {"R1", DG_ACK_REJECTED},
        {"R2", DG_ACK_REJECTED},    {"R3", DG_ACK_REJECTED},    {"R4", DG_ACK_REJECTED},
        {"R5", DG_ACK_REJECTED},    {"R6", DG_ACK_REJECTED},
    };
    size_t len = 0;
    char *sample = dg_test_read_file(dg_test_path("samples/mapping/ack-855.edi"), &len);
    assert_non_null(sample);
    char *at = strstr(sample, "ACK*IB*");
    assert_non_null(at);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        memcpy(at + 4, codes[i][0], 2);
        doc_list l = {0};
        read_ok("mappings/x12-855-in.yaml", write_tmp("code.edi", sample), &l);
        assert_int_equal(l.n, 1);
        const dg_ack_line *x = line(&l.docs[0]->u.ack, "1");
        if (!x->code || strcmp(x->code, codes[i][0]) || !x->status ||
            strcmp(x->status, codes[i][1]))
            fail_msg("ACK01 %s read as %s/%s, want %s", codes[i][0], x->code ? x->code : "-",
                     x->status ? x->status : "-", codes[i][1]);
        list_free(&l);
    }
    free(sample);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_of_the_sample),
        cmocka_unit_test(several_acks_per_line),
        cmocka_unit_test(corpus_855s),
        cmocka_unit_test(po_number_required),
        cmocka_unit_test(csv_acknowledgments),
        cmocka_unit_test(every_ack_code_of_the_table),
    };
    int rc = cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
    maptest_defs_free();
    return rc;
}
