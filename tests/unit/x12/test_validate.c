/* Set validation against edi/: each AK3 segment code and AK4 element code, syntax rules, 856 HL
 * parents, 005010 differences, sets without a definition, and the shipped samples. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "x12/validate.h"

static dg_x12_defs *defs;

static int setup(void **state)
{
    (void)state;
    dg_error err = {0};
    int rc = dg_x12_defs_load(dg_test_path("edi"), &defs, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    dg_x12_defs_free(defs);
    return 0;
}

/* An interchange around one set: body is "SEG~SEG~..." without ST/SE; counts are right. */
static dg_x12_file_result *check_set(const char *set_id, const char *body, const char *gs08)
{
    bool v5 = strncmp(gs08, "005", 3) == 0;
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b,
                  "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                  "0930*%s*%s*000000001*0*P*>~",
                  v5 ? "^" : "U", v5 ? "00501" : "00401");
    dg_buf_printf(&b, "GS*PO*SENDER*RECEIVER*20260115*0930*1*X*%s~ST*%s*0001~", gs08, set_id);
    int n = 2;
    for (const char *p = body; *p; p++)
        n += *p == '~';
    dg_buf_printf(&b, "%sSE*%d*0001~GE*1*1~IEA*1*000000001~", body, n);
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
    dg_buf_free(&b);
    return r;
}

static const char *po_tail = "N1*ST*Jane Doe~N3*12 Main St~N4*Springfield*IL*62701*US~"
                             "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~";

static dg_x12_file_result *check_850(const char *head)
{
    char body[2048];
    snprintf(body, sizeof body, "%s%s", head, po_tail);
    return check_set("850", body, "004010");
}

/* The first non-warning problem of level/code, or NULL. */
static const dg_x12_problem *find(const dg_x12_file_result *r, dg_x12_level level, const char *code)
{
    for (size_t i = 0; i < r->n_problems; i++)
        if (r->problems[i].level == level && !strcmp(r->problems[i].code, code) &&
            !r->problems[i].warning)
            return &r->problems[i];
    return NULL;
}

static void dump(const dg_x12_file_result *r)
{
    for (size_t i = 0; i < r->n_problems; i++)
        fprintf(stderr, "  L%d %s %s pos=%ld elem=%d: %s\n", r->problems[i].level,
                r->problems[i].code, r->problems[i].seg_id, r->problems[i].set_seg,
                r->problems[i].elem, r->problems[i].msg);
}

static void expect_seg(const char *head, const char *code, const char *seg, long set_seg)
{
    dg_x12_file_result *r = check_850(head);
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_SEGMENT, code);
    if (!p)
        dump(r);
    assert_non_null(p);
    assert_string_equal(p->seg_id, seg);
    if (set_seg)
        assert_int_equal(p->set_seg, set_seg);
    assert_string_equal(p->isa_control, "000000001");
    assert_string_equal(p->gs_control, "1");
    assert_string_equal(p->st_control, "0001");
    assert_string_equal(p->set_id, "850");
    assert_true(r->rejected);
    assert_int_equal(r->groups[0].sets[0].status, 'R');
    assert_string_equal(r->groups[0].sets[0].codes[0], "5");
    dg_x12_file_result_free(r);
}

static void expect_elem(const char *head, const char *code, const char *seg, int elem,
                        const char *ref, const char *bad)
{
    dg_x12_file_result *r = check_850(head);
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, code);
    if (!p)
        dump(r);
    assert_non_null(p);
    assert_string_equal(p->seg_id, seg);
    assert_int_equal(p->elem, elem);
    assert_string_equal(p->elem_ref, ref);
    if (bad)
        assert_string_equal(p->bad_value, bad);
    /* the segment note comes first, with code 8 */
    const dg_x12_problem *s = find(r, DG_X12_LEVEL_SEGMENT, "8");
    assert_non_null(s);
    assert_true(s < p);
    assert_string_equal(s->seg_id, seg);
    assert_true(r->rejected);
    dg_x12_file_result_free(r);
}

static void accepts_a_good_850(void **state)
{
    (void)state;
    dg_x12_file_result *r = check_850("BEG*00*DS*PO-1**20260115~REF*IA*V1~DTM*002*20260120~");
    if (r->n_problems)
        dump(r);
    assert_false(r->rejected);
    assert_int_equal(r->n_errors, 0);
    assert_int_equal(r->groups[0].status, 'A');
    assert_int_equal(r->groups[0].accepted, 1);
    dg_x12_file_result_free(r);
}

static void segment_codes(void **state)
{
    (void)state;
    expect_seg("BEG*00*DS*PO-1**20260115~ZZZ*1~", "1", "ZZZ", 3);
    expect_seg("BEG*00*DS*PO-1**20260115~LQ*1*A~", "2", "LQ", 3);
    expect_seg("REF*IA*V1~", "3", "BEG", 0);
    expect_seg("BEG*00*DS*PO-1**20260115~PER*BD*A~PER*BD*B~PER*BD*C~PER*BD*D~", "5", "PER", 6);
    expect_seg("BEG*00*DS*PO-1**20260115~BSN*00*X*20260115*1200~", "6", "BSN", 3);
    expect_seg("BEG*00*DS*PO-1**20260115~DTM*002*20260120~REF*IA*V1~", "7", "REF", 4);
    expect_seg("BEG*00*DS**20260115~", "8", "BEG", 2);
}

static void loop_over_max_and_missing_loop(void **state)
{
    (void)state;
    /* CTT loop repeats at most once */
    dg_x12_file_result *r =
        check_set("850", "BEG*00*DS*PO-1**20260115~PO1*1*2*EA*1.5**VN*A~CTT*1~CTT*1~", "004010");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_SEGMENT, "4");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "CTT");
    assert_string_equal(p->loop_id, "CTT");
    dg_x12_file_result_free(r);
    /* the PO1 loop is mandatory in an 850 */
    r = check_set("850", "BEG*00*DS*PO-1**20260115~CTT*1~", "004010");
    p = find(r, DG_X12_LEVEL_SEGMENT, "3");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "PO1");
    assert_string_equal(p->loop_id, "PO1");
    dg_x12_file_result_free(r);
}

static void element_codes(void **state)
{
    (void)state;
    expect_elem("BEG*00**PO-1**20260115~", "1", "BEG", 2, "92", NULL);
    expect_elem("BEG*00*DS*PO-1**20260115~N1*ST*Jane*92~", "2", "N1", 4, "67", NULL);
    expect_elem("BEG*00*DS*PO-1**20260115~N9*ZZ*1*****A>B*X~", "3", "N9", 8, "", "X");
    expect_elem("BEG*00*DS*PO-1**20260115~N1*SF*Acme~N4*X~", "4", "N4", 1, "19", "X");
    expect_elem("BEG*00*DS*PO-12345678901234567890123**20260115~", "5", "BEG", 3, "324",
                "PO-12345678901234567890123");
    expect_elem("BEG*00*DS*PO-1**20260115~CTP**PUR*1.2.3~", "6", "CTP", 3, "212", "1.2.3");
    expect_elem("BEG*99*DS*PO-1**20260115~", "7", "BEG", 1, "353", "99");
    expect_elem("BEG*00*DS*PO-1**20260230~", "8", "BEG", 5, "373", "20260230");
    expect_elem("BEG*00*DS*PO-1**20260115~DTM*002*20260120*2561~", "9", "DTM", 3, "337", "2561");
    /* QTY02 and QTY04 exclude each other (E0204) */
    dg_x12_file_result *r = check_set(
        "850", "BEG*00*DS*PO-1**20260115~PO1*1*2*EA*1.5**VN*A~QTY*01*5**note~CTT*1~", "004010");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, "10");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "QTY");
    assert_int_equal(p->elem, 4);
    assert_string_equal(p->elem_ref, "61");
    assert_string_equal(p->loop_id, "QTY");
    dg_x12_file_result_free(r);
}

static void composite_components(void **state)
{
    (void)state;
    /* MEA04 is composite C001: its first component is a unit code of two characters */
    dg_x12_file_result *r = check_850("BEG*00*DS*PO-1**20260115~MEA*PD*WT*5*LBS>2~");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, "5");
    assert_non_null(p);
    assert_int_equal(p->elem, 4);
    assert_int_equal(p->comp, 1);
    assert_string_equal(p->elem_ref, "355");
    dg_x12_file_result_free(r);
    r = check_850("BEG*00*DS*PO-1**20260115~MEA*PD*WT*5*LB>2~");
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
}

static void known_code_lists_warn(void **state)
{
    (void)state;
    /* N101 lists only the common entity codes: another is a warning, the set is accepted */
    dg_x12_file_result *r = check_850("BEG*00*DS*PO-1**20260115~N1*Q7*Somebody~");
    assert_false(r->rejected);
    assert_int_equal(r->n_warnings, 1);
    assert_string_equal(r->problems[0].code, "7");
    assert_true(r->problems[0].warning);
    dg_x12_file_result_free(r);
}

/* The first warning of level/code, or NULL. */
static const dg_x12_problem *find_warning(const dg_x12_file_result *r, dg_x12_level level,
                                          const char *code)
{
    for (size_t i = 0; i < r->n_problems; i++)
        if (r->problems[i].level == level && !strcmp(r->problems[i].code, code) &&
            r->problems[i].warning)
            return &r->problems[i];
    return NULL;
}

/* Problems of one level/code (warnings included) naming this segment. */
static int count(const dg_x12_file_result *r, dg_x12_level level, const char *code, const char *seg)
{
    int n = 0;
    for (size_t i = 0; i < r->n_problems; i++)
        n += r->problems[i].level == level && (!code || !strcmp(r->problems[i].code, code)) &&
             (!seg || !strcmp(r->problems[i].seg_id, seg));
    return n;
}

static void hl_parents(void **state)
{
    (void)state;
    const char *ok = "BSN*00*SH1*20260117*1430~HL*1**S~HL*2*1*O~PRF*PO1~HL*3*2*P~HL*4*3*I~"
                     "LIN**VN*A~SN1**1*EA~CTT*4~";
    dg_x12_file_result *r = check_set("856", ok, "004010");
    /* (the helper's GS01 is PO: one warning that an 856 belongs in an SH group) */
    assert_false(r->rejected);
    assert_int_equal(r->n_errors, 0);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "", "HL"), 0);
    dg_x12_file_result_free(r);
    /* a pack under an item: the standard has no rule against it, so nothing is said */
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~HL*2*1*O~HL*3*2*I~HL*4*3*P~CTT*4~",
                  "004010");
    assert_false(r->rejected);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "", "HL"), 0);
    dg_x12_file_result_free(r);
    /* HL02 naming no earlier HL: a warning without an X12 code (HL02 is not a coded element:
     * never AK4 7), the set is accepted */
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~HL*2*5*O~", "004010");
    assert_null(find(r, DG_X12_LEVEL_ELEMENT, "7"));
    assert_int_equal(count(r, DG_X12_LEVEL_ELEMENT, "7", "HL"), 0);
    const dg_x12_problem *p = find_warning(r, DG_X12_LEVEL_SEGMENT, "");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "HL");
    assert_int_equal(p->elem, 2);
    assert_string_equal(p->elem_ref, "734");
    assert_string_equal(p->bad_value, "5");
    assert_int_equal(p->set_seg, 4);
    assert_non_null(strstr(p->msg, "names no earlier HL"));
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    /* an order under an item: an unusual nesting (edi hl_levels), a warning only */
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~HL*2*1*I~HL*3*2*O~", "004010");
    p = find_warning(r, DG_X12_LEVEL_SEGMENT, "");
    assert_non_null(p);
    assert_int_equal(p->set_seg, 5);
    assert_non_null(strstr(p->msg, "HL level O under HL 2 of level I"));
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    /* a repeated HL01: a warning naming HL01 */
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~HL*1*1*O~", "004010");
    p = find_warning(r, DG_X12_LEVEL_SEGMENT, "");
    assert_non_null(p);
    assert_int_equal(p->elem, 1);
    assert_string_equal(p->elem_ref, "628");
    assert_non_null(strstr(p->msg, "repeats the id"));
    dg_x12_file_result_free(r);
    /* many HLs (past the inline table): parents found, a late bad parent still caught */
    dg_buf big = DG_BUF_INIT;
    dg_buf_puts(&big, "BSN*00*SH1*20260117*1430~HL*1**S~HL*2*1*O~");
    for (int i = 3; i <= 300; i++)
        dg_buf_printf(&big, "HL*%d*2*I~LIN**VN*A%d~SN1**1*EA~", i, i);
    dg_buf_puts(&big, "HL*301*299*O~HL*302*2*I~HL*302*2*I~");
    r = check_set("856", big.data, "004010");
    dg_buf_free(&big);
    p = find_warning(r, DG_X12_LEVEL_SEGMENT, "");
    assert_non_null(p);
    assert_string_equal(p->bad_value, "299");
    assert_non_null(strstr(p->msg, "HL level O under HL 299 of level I"));
    int dups = 0;
    for (size_t i = 0; i < r->n_problems; i++)
        dups += r->problems[i].elem == 1 && !strcmp(r->problems[i].bad_value, "302");
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "", "HL"), 2);
    assert_int_equal(dups, 1);
    assert_int_equal(r->n_errors, 0);
    dg_x12_file_result_free(r);
    /* the HL loop is mandatory */
    r = check_set("856", "BSN*00*SH1*20260117*1430~CTT*1~", "004010");
    p = find(r, DG_X12_LEVEL_SEGMENT, "3");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "HL");
    dg_x12_file_result_free(r);
}

static void version_5010_differences(void **state)
{
    (void)state;
    char body[1024];
    /* REF02 (127) allows 50 characters in 005010, 30 in 004010 */
    snprintf(body, sizeof body, "BEG*00*DS*PO-1**20260115~REF*IA*%s~%s",
             "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQR", po_tail);
    dg_x12_file_result *r = check_set("850", body, "005010");
    if (r->n_problems)
        dump(r);
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    r = check_set("850", body, "004010");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, "5");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "REF");
    dg_x12_file_result_free(r);
    /* a component separator in a simple element: 13 in 005010, 6 in 004010 */
    snprintf(body, sizeof body, "BEG*00*DS*PO>1**20260115~%s", po_tail);
    r = check_set("850", body, "005010");
    assert_non_null(find(r, DG_X12_LEVEL_ELEMENT, "13"));
    dg_x12_file_result_free(r);
    r = check_set("850", body, "004010");
    assert_non_null(find(r, DG_X12_LEVEL_ELEMENT, "6"));
    dg_x12_file_result_free(r);
    /* a repetition in an element that does not repeat (005010 only): 12 */
    snprintf(body, sizeof body, "BEG*00*DS*PO-1^PO-2**20260115~%s", po_tail);
    r = check_set("850", body, "005010");
    p = find(r, DG_X12_LEVEL_ELEMENT, "12");
    assert_non_null(p);
    assert_int_equal(p->elem, 3);
    dg_x12_file_result_free(r);
    /* N407 (country subdivision) exists in 005010 only; N402 and N407 exclude each other */
    r = check_set("850",
                  "BEG*00*DS*PO-1**20260115~N1*ST*Jane~N4*Toronto**M5V1A1*CA***ON~"
                  "PO1*1*2*EA*1.5**VN*A~CTT*1~",
                  "005010");
    if (r->n_problems)
        dump(r);
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    r = check_set("850",
                  "BEG*00*DS*PO-1**20260115~N1*ST*Jane~N4*Toronto**M5V1A1*CA***ON~"
                  "PO1*1*2*EA*1.5**VN*A~CTT*1~",
                  "004010");
    p = find(r, DG_X12_LEVEL_ELEMENT, "3");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "N4");
    dg_x12_file_result_free(r);
    r = check_set("850",
                  "BEG*00*DS*PO-1**20260115~N1*ST*Jane~N4*Toronto*ON*M5V1A1*CA***ON~"
                  "PO1*1*2*EA*1.5**VN*A~CTT*1~",
                  "005010");
    p = find(r, DG_X12_LEVEL_ELEMENT, "10");
    assert_non_null(p);
    assert_int_equal(p->elem, 7);
    dg_x12_file_result_free(r);
    /* a decimal with an exponent: 005010 only */
    r = check_set("850", "BEG*00*DS*PO-1**20260115~PO1*1*2*EA*15E-1**VN*A~CTT*1~", "005010");
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    r = check_set("850", "BEG*00*DS*PO-1**20260115~PO1*1*2*EA*15E-1**VN*A~CTT*1~", "004010");
    p = find(r, DG_X12_LEVEL_ELEMENT, "6");
    assert_non_null(p);
    assert_string_equal(p->elem_ref, "212");
    dg_x12_file_result_free(r);
    /* 997 AK1 has a third element (the version) in 005010 only */
    r = check_set("997", "AK1*PO*1*004010~AK9*A*1*1*1~", "005010");
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    r = check_set("997", "AK1*PO*1*004010~AK9*A*1*1*1~", "004010");
    p = find(r, DG_X12_LEVEL_ELEMENT, "3");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "AK1");
    dg_x12_file_result_free(r);
}

static void undefined_set_is_envelope_checked(void **state)
{
    (void)state;
    dg_x12_file_result *r = check_set("204", "B2**XXXX**123~", "004010");
    assert_false(r->rejected);
    assert_int_equal(r->n_warnings, 1);
    assert_int_equal(r->problems[0].level, DG_X12_LEVEL_SET);
    assert_string_equal(r->problems[0].code, "1");
    assert_false(r->groups[0].sets[0].defined);
    dg_x12_file_result_free(r);
}

typedef struct {
    dg_x12_problem p[16];
    int n;
} seen_problems;

static int collect(void *ctx, const dg_x12_problem *p)
{
    seen_problems *s = ctx;
    if (s->n < 16)
        s->p[s->n++] = *p;
    return 0;
}

static void direct_api_counts_errors(void **state)
{
    (void)state;
    /* dg_x12_validate_set on a set built by hand, the way the benchmark and gateway call it */
    const char *st[] = {"ST", "850", "0001"};
    const char *beg[] = {"BEG", "00", "DS", "", "", "20260115"};
    const char *se[] = {"SE", "3", "0001"};
    uint32_t stl[] = {2, 3, 4}, begl[] = {3, 2, 2, 0, 0, 8}, sel[] = {2, 1, 4};
    dg_x12_seg segs[3] = {{st, stl, 2, 1, 1}, {beg, begl, 5, 2, 2}, {se, sel, 2, 3, 3}};
    dg_x12_set set;
    memset(&set, 0, sizeof set);
    strcpy(set.id, "850");
    strcpy(set.control, "0001");
    set.segs = segs;
    set.n_segs = 3;
    set.complete = true;
    /* BEG03 missing (its segment note AK3 8 + AK4 1) and the PO1 loop missing (AK3 3) */
    seen_problems seen = {0};
    int n = dg_x12_validate_set(defs, &set, collect, &seen);
    assert_int_equal(n, 3);
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.p[0].level, DG_X12_LEVEL_SEGMENT);
    assert_string_equal(seen.p[0].code, "8");
    assert_string_equal(seen.p[0].seg_id, "BEG");
    assert_int_equal(seen.p[1].level, DG_X12_LEVEL_ELEMENT);
    assert_string_equal(seen.p[1].code, "1");
    assert_string_equal(seen.p[1].seg_id, "BEG");
    assert_int_equal(seen.p[1].elem, 3);
    assert_string_equal(seen.p[1].elem_ref, "324");
    assert_int_equal(seen.p[2].level, DG_X12_LEVEL_SEGMENT);
    assert_string_equal(seen.p[2].code, "3");
    assert_string_equal(seen.p[2].seg_id, "PO1");
    assert_string_equal(seen.p[2].loop_id, "PO1");
    /* without a callback the count is the same */
    assert_int_equal(dg_x12_validate_set(defs, &set, NULL, NULL), 3);
}

static void samples_accepted_and_rejected(void **state)
{
    (void)state;
    static const char *good[] = {"850-dropship.edi", "855-ack.edi",       "856-asn.edi",
                                 "810-invoice.edi",  "846-inventory.edi", "997-accept.edi",
                                 "997-partial.edi",  "850-5010.edi",      "856-hl-warnings.edi"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "samples/x12/%s", good[i]);
        dg_x12_file_result *r = NULL;
        dg_error err = {0};
        assert_int_equal(dg_x12_check_file(defs, dg_test_path(rel), &r, &err), 0);
        if (r->rejected || (r->n_warnings && !strstr(rel, "hl-warnings"))) {
            fprintf(stderr, "%s\n", rel);
            dump(r);
        }
        assert_false(r->rejected);
        /* the HL sample: a dangling HL02 and an item under an item, warnings only */
        assert_int_equal(r->n_warnings, strstr(rel, "hl-warnings") ? 2 : 0);
        assert_int_equal(r->n_sets, 1);
        dg_x12_file_result_free(r);
    }
    static const struct {
        const char *file;
        dg_x12_level level;
        const char *code;
    } bad[] = {
        {"bad/wrong-counts.edi", DG_X12_LEVEL_SET, "4"},
        {"bad/wrong-counts.edi", DG_X12_LEVEL_GROUP, "5"},
        {"bad/wrong-counts.edi", DG_X12_LEVEL_INTERCHANGE, "021"},
        {"bad/bad-control-numbers.edi", DG_X12_LEVEL_SET, "3"},
        {"bad/bad-control-numbers.edi", DG_X12_LEVEL_GROUP, "4"},
        {"bad/bad-control-numbers.edi", DG_X12_LEVEL_INTERCHANGE, "001"},
        {"bad/unknown-segment.edi", DG_X12_LEVEL_SEGMENT, "1"},
        {"bad/element-too-long.edi", DG_X12_LEVEL_ELEMENT, "5"},
        {"bad/missing-mandatory.edi", DG_X12_LEVEL_SEGMENT, "3"},
        {"bad/invalid-date-code.edi", DG_X12_LEVEL_ELEMENT, "8"},
        {"bad/invalid-date-code.edi", DG_X12_LEVEL_ELEMENT, "7"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "samples/x12/%s", bad[i].file);
        dg_x12_file_result *r = NULL;
        dg_error err = {0};
        assert_int_equal(dg_x12_check_file(defs, dg_test_path(rel), &r, &err), 0);
        assert_true(r->rejected);
        if (!find(r, bad[i].level, bad[i].code)) {
            fprintf(stderr, "%s: want L%d %s\n", rel, bad[i].level, bad[i].code);
            dump(r);
        }
        assert_non_null(find(r, bad[i].level, bad[i].code));
        dg_x12_file_result_free(r);
    }
    /* a truncated ISA is not X12 at all */
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(
        dg_x12_check_file(defs, dg_test_path("samples/x12/bad/truncated-isa.edi"), &r, &err), 0);
    assert_true(r->not_x12);
    assert_true(r->rejected);
    dg_x12_file_result_free(r);
    assert_int_not_equal(dg_x12_check_file(defs, "/nonexistent/x.edi", &r, &err), 0);
}

static void count_cb(void *ctx, const char *path, const dg_x12_problem *p)
{
    assert_non_null(strstr(path, "invalid-date-code.edi"));
    seen_problems *s = ctx;
    if (s->n < 16)
        s->p[s->n++] = *p;
}

static void summary_only_keeps_counts(void **state)
{
    (void)state;
    seen_problems seen = {0};
    dg_x12_check_opts o = {true, count_cb, &seen, 0};
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_file_opts(
                         defs, dg_test_path("samples/x12/bad/invalid-date-code.edi"), &o, &r, &err),
                     0);
    assert_true(r->rejected);
    assert_int_equal(r->n_problems, 0); /* seen by the callback, not kept */
    assert_int_equal((size_t)seen.n, r->n_errors + r->n_warnings);
    /* BEG01 '99' (AK4 7) and BEG05 '20261345' (AK4 8) under one AK3 8 for BEG */
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.p[0].code, "8");
    assert_int_equal(seen.p[0].level, DG_X12_LEVEL_SEGMENT);
    assert_string_equal(seen.p[0].seg_id, "BEG");
    assert_string_equal(seen.p[1].code, "7");
    assert_int_equal(seen.p[1].elem, 1);
    assert_string_equal(seen.p[1].bad_value, "99");
    assert_string_equal(seen.p[2].code, "8");
    assert_int_equal(seen.p[2].elem, 5);
    assert_string_equal(seen.p[2].bad_value, "20261345");
    assert_int_equal(r->n_groups, 1); /* the rejected group and set are kept */
    assert_int_equal(r->groups[0].n_sets, 1);
    assert_int_equal(r->groups[0].received, 1);
    assert_int_equal(r->interchanges_read, 1);
    dg_x12_file_result_free(r);
    o.on_problem = NULL;
    assert_int_equal(
        dg_x12_check_file_opts(defs, dg_test_path("samples/x12/856-asn.edi"), &o, &r, &err), 0);
    assert_false(r->rejected);
    /* an accepted interchange is only counted: nothing of it is kept */
    assert_int_equal(r->n_interchanges, 0);
    assert_int_equal(r->n_groups, 0);
    assert_int_equal(r->interchanges_read, 1);
    assert_int_equal(r->groups_read, 1);
    assert_int_equal(r->n_sets_accepted, 1);
    dg_x12_file_result_free(r);
    /* three interchanges: accepted, rejected at its IEA (after its group ended), accepted: only
     * the rejected one is kept, with its group rejected too */
    dg_buf b = DG_BUF_INIT;
    for (int i = 1; i <= 3; i++)
        dg_buf_printf(&b,
                      "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *"
                      "260115*0930*U*00401*00000000%d*0*P*>~GS*PO*SENDER*RECEIVER*20260115*0930*"
                      "%d*X*004010~ST*850*0001~BEG*00*DS*PO-1**20260115~N1*ST*Jane Doe~"
                      "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~SE*6*0001~GE*1*%d~IEA*1*00000000%d~",
                      i, i, i, i == 2 ? 9 : i);
    assert_int_equal(dg_x12_check_mem_opts(defs, b.data, b.len, "three.edi", &o, &r, &err), 0);
    dg_buf_free(&b);
    assert_true(r->rejected);
    assert_int_equal(r->interchanges_read, 3);
    assert_int_equal(r->groups_read, 3);
    assert_int_equal(r->n_interchanges, 1);
    assert_string_equal(r->interchanges[0].isa.control, "000000002");
    assert_string_equal(r->interchanges[0].ta1_code, "001");
    assert_int_equal(r->n_groups, 1);
    assert_string_equal(r->groups[0].gs.control, "2");
    assert_int_equal(r->groups[0].interchange, 0);
    assert_int_equal(r->groups[0].status, 'R');
    assert_int_equal(r->n_sets, 3);
    assert_int_equal(r->n_sets_accepted, 2);
    dg_x12_file_result_free(r);
}

/* A whole interchange from parts: ISA with isa11/isa12, one GS (fid, date, time, version), one
 * set of body (without ST/SE, counts right). */
static dg_x12_file_result *check_gs(const char *isa11, const char *isa12, const char *fid,
                                    const char *date, const char *time, const char *gs08,
                                    const char *set_id, const char *body)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b,
                  "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                  "0930*%s*%s*000000001*0*P*>~",
                  isa11, isa12);
    dg_buf_printf(&b, "GS*%s*SENDER*RECEIVER*%s*%s*1*X*%s~ST*%s*0001~", fid, date, time, gs08,
                  set_id);
    int n = 2;
    for (const char *p = body; *p; p++)
        n += *p == '~';
    dg_buf_printf(&b, "%sSE*%d*0001~GE*1*1~IEA*1*000000001~", body, n);
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
    dg_buf_free(&b);
    return r;
}

static const char *po_body = "BEG*00*DS*PO-1**20260115~N1*ST*Jane Doe~"
                             "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~";
/* NTE is a heading segment of the 003050 850 (position 030), not of the 004010 one */
static const char *po_body_3050 = "BEG*00*DS*PO-1**950115~NTE**Leave at the back door~"
                                  "N1*ST*Jane Doe~PO1*1*2*EA*19.95**VN*NW-100~CTT*1~";

/* Fix 5: a group older than every edi/ version is not checked against newer structures (a
 * 003050 850 with NTE was rejected for NTE): AK905 2 for the group, AK502 1 for the set, and
 * no segment or element error at all. */
static void old_versions_not_supported(void **state)
{
    (void)state;
    dg_x12_file_result *r =
        check_gs("U", "00305", "PO", "950115", "0930", "003050", "850", po_body_3050);
    assert_true(r->rejected);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "7", NULL), 0);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "2", NULL), 0);
    for (size_t i = 0; i < r->n_problems; i++)
        assert_true(r->problems[i].level != DG_X12_LEVEL_SEGMENT &&
                    r->problems[i].level != DG_X12_LEVEL_ELEMENT);
    assert_false(r->groups[0].supported);
    assert_int_equal(r->groups[0].status, 'R');
    assert_string_equal(r->groups[0].codes[0], "2");
    assert_string_equal(r->groups[0].sets[0].codes[0], "1");
    assert_non_null(strstr(find(r, DG_X12_LEVEL_GROUP, "2")->msg, "older than any definition"));
    /* its acknowledgment answers in the lowest version edi/ knows */
    assert_string_equal(r->groups[0].ack_version, "003060");
    dg_x12_file_result_free(r);
    /* the same set in 003060 (six-digit dates) is checked and accepted */
    r = check_gs("U", "00306", "PO", "950115", "0930", "003060", "850",
                 "BEG*00*DS*PO-1**950115~N1*ST*Jane Doe~"
                 "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~");
    if (r->rejected)
        dump(r);
    assert_false(r->rejected);
    assert_true(r->groups[0].supported);
    dg_x12_file_result_free(r);
}

/* Fix 6: GS04 date and GS05 time are checked (TA1 024: the 997 has no group code for them),
 * and GS01 against the set's functional group (a warning: implementation guides differ). */
static void gs_checks(void **state)
{
    (void)state;
    dg_x12_file_result *r =
        check_gs("U", "00401", "PO", "260115", "0930", "004010", "850", po_body);
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_INTERCHANGE, "024");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "GS");
    assert_int_equal(p->elem, 4);
    assert_non_null(strstr(p->msg, "CCYYMMDD"));
    assert_true(r->rejected);
    assert_int_equal(r->groups[0].status, 'R');
    dg_x12_file_result_free(r);
    r = check_gs("U", "00401", "PO", "20260115", "2561", "004010", "850", po_body);
    p = find(r, DG_X12_LEVEL_INTERCHANGE, "024");
    assert_non_null(p);
    assert_int_equal(p->elem, 5);
    assert_true(r->rejected);
    dg_x12_file_result_free(r);
    r = check_gs("U", "00401", "PO", "20260115", "093059", "004010", "850", po_body);
    if (r->rejected)
        dump(r);
    assert_false(r->rejected);
    assert_int_equal(r->n_warnings, 0);
    dg_x12_file_result_free(r);
    /* an 850 in an IN (invoice) group */
    r = check_gs("U", "00401", "IN", "20260115", "0930", "004010", "850", po_body);
    p = find_warning(r, DG_X12_LEVEL_SET, "6");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "GS01 PO, not IN"));
    dg_x12_file_result_free(r);
}

/* Fix 7: TAX was "structure only" and never element-checked. */
static void tax_is_element_checked(void **state)
{
    (void)state;
    dg_x12_file_result *r = check_850("BEG*00*DS*PO-1**20260115~TAX*53247765*TTT*CA~");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, "5");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "TAX");
    assert_int_equal(p->elem, 2);
    assert_string_equal(p->elem_ref, "309");
    assert_string_equal(p->bad_value, "TTT");
    dg_x12_file_result_free(r);
    r = check_850("BEG*00*DS*PO-1**20260115~TAX*53247765*SP*CA~");
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    /* TAX02 without TAX03 (P0203) */
    r = check_850("BEG*00*DS*PO-1**20260115~TAX*53247765*SP~");
    p = find(r, DG_X12_LEVEL_ELEMENT, "2");
    assert_non_null(p);
    assert_int_equal(p->elem, 3);
    dg_x12_file_result_free(r);
}

/* Fix 7 (rest): segments that were "structure only" (SDQ, PO3, TD3, CTB, PWK ...) now carry
 * their 004010 elements (from the Bots 004010 grammar), so a missing mandatory element or a bad
 * value in them is reported with its AK4 code; each of these was accepted before. */
static dg_x12_file_result *check_850_line(const char *head, const char *line)
{
    char body[2048];
    snprintf(body, sizeof body,
             "%sN1*ST*Jane Doe~N3*12 Main St~N4*Springfield*IL*62701*US~"
             "PO1*1*2*EA*19.95**VN*NW-100~%sCTT*1~",
             head, line);
    return check_set("850", body, "004010");
}

static void expect_line_elem(const char *head, const char *line, const char *code, const char *seg,
                             int elem, const char *ref)
{
    dg_x12_file_result *r = check_850_line(head, line);
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, code);
    if (!p) {
        fprintf(stderr, "no AK4 %s for %s%s:\n", code, head, line);
        dump(r);
    }
    assert_non_null(p);
    assert_string_equal(p->seg_id, seg);
    assert_int_equal(p->elem, elem);
    assert_string_equal(p->elem_ref, ref);
    assert_true(r->rejected);
    dg_x12_file_result_free(r);
}

static void former_structure_only_segments_checked(void **state)
{
    (void)state;
    const char *beg = "BEG*00*DS*PO-1**20260115~";
    /* well-formed uses are accepted */
    dg_x12_file_result *r = check_850_line(
        "BEG*00*DS*PO-1**20260115~DIS*TMD*AP*10*SA*5~"
        "PWK*CT*BM***92*LAB1*Lab report*A>B~TD3*TL*ABCD*0721356789~PCT*BF*5~CTB*OR*Ship complete~",
        "CN1*02*1500~PO3*RS*20260115****5*EA~IT8*******B0~SDQ*EA*92*STORE1*2*STORE2*3~TC2*J*5811~");
    if (r->rejected)
        dump(r);
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    /* SDQ04 (380, M) missing -> AK4 1 */
    expect_line_elem(beg, "SDQ*EA*92*STORE1~", "1", "SDQ", 4, "380");
    /* PO3 with an impossible date (373) -> AK4 8 */
    expect_line_elem(beg, "PO3*RS*20261399****5*EA~", "8", "PO3", 2, "373");
    /* PO307 (355, M) missing -> AK4 1 */
    expect_line_elem(beg, "PO3*RS*20260115****5~", "1", "PO3", 7, "355");
    /* TD303 Equipment Number (207) is 1/10 -> 11 characters, AK4 5 */
    expect_line_elem("BEG*00*DS*PO-1**20260115~TD3*TL*ABCD*07213567890~", "", "5", "TD3", 3, "207");
    /* CTB04 Quantity (380, R) not a number -> AK4 6 */
    expect_line_elem("BEG*00*DS*PO-1**20260115~CTB*OR**01*lots~", "", "6", "CTB", 4, "380");
    /* IT807 Product/Service Substitution Code (566) is 1/2 -> AK4 5 */
    expect_line_elem(beg, "IT8*******ABC~", "5", "IT8", 7, "566");
    /* DIS05 Discount Control Limit (657, M) missing -> AK4 1 */
    expect_line_elem("BEG*00*DS*PO-1**20260115~DIS*TMD*AP*10*SA~", "", "1", "DIS", 5, "657");
    /* LDT03 Unit of Time Period (344, M) missing -> AK4 1 */
    expect_line_elem("BEG*00*DS*PO-1**20260115~LDT*AA*5~", "", "1", "LDT", 3, "344");
    /* 856: LH1 well formed is accepted; LH102 Lading Quantity (80, N0) with a decimal point is
     * AK4 6 */
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~LH1*EA*2*UN1203~HL*2*1*O~CTT*2~",
                  "004010");
    if (r->rejected)
        dump(r);
    assert_false(r->rejected);
    dg_x12_file_result_free(r);
    r = check_set("856", "BSN*00*SH1*20260117*1430~HL*1**S~LH1*EA*2.5*UN1203~HL*2*1*O~CTT*2~",
                  "004010");
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_ELEMENT, "6");
    if (!p)
        dump(r);
    assert_non_null(p);
    assert_string_equal(p->seg_id, "LH1");
    assert_int_equal(p->elem, 2);
    assert_string_equal(p->elem_ref, "80");
    dg_x12_file_result_free(r);
    /* PWK has 9 elements: a tenth is AK4 3 */
    expect_line_elem("BEG*00*DS*PO-1**20260115~PWK*CT*BM*1*******X~", "", "3", "PWK", 10, "");
}

/* Fix 8: SE01 of 10 digits, REF01 IK, a misplaced TDS reported once in its own loop. */
static void se01_ik_and_misplaced_tds(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                    "0930*U*00401*000000001*0*P*>~GS*PO*SENDER*RECEIVER*20260115*0930*1*X*004010~"
                    "ST*850*0001~BEG*00*DS*PO-1**20260115~REF*IK*INV-1~N1*ST*Jane Doe~"
                    "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~SE*0000000007*0001~GE*1*1~"
                    "IEA*1*000000001~");
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
    dg_buf_free(&b);
    if (r->n_problems)
        dump(r);
    assert_false(r->rejected);
    assert_int_equal(r->n_warnings, 0); /* IK is a known reference qualifier */
    dg_x12_file_result_free(r);
    /* 11 digits is too many for N0 1/10 */
    dg_buf_puts(&b, "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                    "0930*U*00401*000000001*0*P*>~GS*PO*SENDER*RECEIVER*20260115*0930*1*X*004010~"
                    "ST*850*0001~BEG*00*DS*PO-1**20260115~N1*ST*Jane Doe~"
                    "PO1*1*2*EA*19.95**VN*NW-100~CTT*1~SE*00000000006*0001~GE*1*1~"
                    "IEA*1*000000001~");
    assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
    dg_buf_free(&b);
    assert_true(r->rejected);
    assert_string_equal(r->groups[0].sets[0].codes[0], "4");
    dg_x12_file_result_free(r);
    /* TDS after the ISS loop: one AK3 7 for TDS, outside any loop; no "TDS missing" */
    r = check_set("810", "BIG*20260117*INV-1~IT1*1*2*EA*19.95**VN*NW-100~ISS*1*CT~TDS*3990~CTT*1~",
                  "004010");
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, NULL, "TDS") + 0, 1);
    const dg_x12_problem *p = find(r, DG_X12_LEVEL_SEGMENT, "7");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "TDS");
    assert_string_equal(p->loop_id, "");
    assert_null(find(r, DG_X12_LEVEL_SEGMENT, "3"));
    dg_x12_file_result_free(r);
    /* a TDS really missing is still reported missing */
    r = check_set("810", "BIG*20260117*INV-1~IT1*1*2*EA*19.95**VN*NW-100~CTT*1~", "004010");
    p = find(r, DG_X12_LEVEL_SEGMENT, "3");
    assert_non_null(p);
    assert_string_equal(p->seg_id, "TDS");
    dg_x12_file_result_free(r);
}

/* Fix 8: two syntax rules failing on one element give one AK4, not two. */
static void one_ak4_per_element_and_code(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("edi1");
    char path[4096];
    snprintf(path, sizeof path, "%s/004010", dir);
    assert_int_equal(mkdir(path, 0750), 0);
    snprintf(path, sizeof path, "%s/004010/defs.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: \"004010\"\ndefault: true\n"
          "elements:\n  \"143\": [ID, 3, 3, Id]\n  \"329\": [AN, 4, 9, Control]\n"
          "  \"96\": [N0, 1, 10, Count]\n  \"67\": [AN, 1, 10, Code]\n"
          "segments:\n  ST: {name: ST, elements: [\"143 M\", \"329 M\"]}\n"
          "  SE: {name: SE, elements: [\"96 M\", \"329 M\"]}\n"
          "  ZZ1: {name: Z, elements: [\"67 O\", \"67 X\"], syntax: [P0102, C0102]}\n"
          "set: \"990\"\nstructure: [\"ST M 1\", \"ZZ1 M 1\", \"SE M 1\"]\n",
          f);
    fclose(f);
    dg_x12_defs *d = NULL;
    dg_error err = {0};
    int rc = dg_x12_defs_load(dir, &d, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    const char *st[] = {"ST", "990", "0001"}, *zz[] = {"ZZ1", "A"}, *se[] = {"SE", "3", "0001"};
    dg_x12_seg segs[3] = {{st, NULL, 2, 1, 1}, {zz, NULL, 1, 2, 2}, {se, NULL, 2, 3, 3}};
    dg_x12_set set;
    memset(&set, 0, sizeof set);
    strcpy(set.id, "990");
    strcpy(set.control, "0001");
    set.segs = segs;
    set.n_segs = 3;
    set.complete = true;
    seen_problems seen = {0};
    assert_int_equal(dg_x12_validate_set(d, &set, collect, &seen), 2);
    assert_int_equal(seen.n, 2); /* AK3 8 and one AK4 2 on ZZ102 */
    assert_string_equal(seen.p[1].code, "2");
    assert_int_equal(seen.p[1].elem, 2);
    dg_x12_defs_free(d);
    dg_test_rmtree(dir);
    free(dir);
}

/* Fix 9: a multi-byte segment terminator and a blank ISA11 are read, with a warning each. */
static void terminator_and_isa11_warnings(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    const char *t = "\xe2\x80\xa6"; /* the UTF-8 ellipsis */
    dg_buf_printf(&b,
                  "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                  "0930* *00401*000000001*0*P*>%sGS*PO*SENDER*RECEIVER*20260115*0930*1*X*004010%s"
                  "ST*850*0001%sBEG*00*DS*PO-1**20260115%sN1*ST*Jane Doe%s"
                  "PO1*1*2*EA*19.95**VN*NW-100%sCTT*1%sSE*6*0001%sGE*1*1%sIEA*1*000000001%s",
                  t, t, t, t, t, t, t, t, t, t);
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
    dg_buf_free(&b);
    if (r->rejected)
        dump(r);
    assert_false(r->rejected);
    assert_int_equal(r->n_sets_accepted, 1);
    const dg_x12_problem *p = find_warning(r, DG_X12_LEVEL_INTERCHANGE, "004");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "multi-byte"));
    p = find_warning(r, DG_X12_LEVEL_INTERCHANGE, "016");
    assert_non_null(p);
    assert_int_equal(p->elem, 11);
    assert_non_null(strstr(p->msg, "ISA11 is blank"));
    dg_x12_file_result_free(r);
    /* "~\r\n" is a terminator and a line break: no warning */
    r = check_850("BEG*00*DS*PO-1**20260115~\r\n");
    assert_int_equal(r->n_warnings, 0);
    dg_x12_file_result_free(r);
}

/* Fix 2: a 004010 group's envelope codes come from 004010's lists (edi/004010/ack.yaml): a
 * duplicate GS06 is AK905 19 only from 005010 on (in 004010, 19 is a security code). */
static void group_codes_per_version(void **state)
{
    (void)state;
    for (int v = 0; v < 2; v++) {
        const char *isa12 = v ? "00501" : "00401", *gs08 = v ? "005010" : "004010";
        dg_buf b = DG_BUF_INIT;
        dg_buf_printf(&b,
                      "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *"
                      "260115*0930*%s*%s*000000001*0*P*>~",
                      v ? "^" : "U", isa12);
        for (int g = 0; g < 2; g++)
            dg_buf_printf(&b,
                          "GS*PO*SENDER*RECEIVER*20260115*0930*7*X*%s~ST*850*0001~"
                          "BEG*00*DS*PO-1**20260115~N1*ST*Jane Doe~PO1*1*2*EA*19.95**VN*NW-100~"
                          "CTT*1~SE*6*0001~GE*1*7~",
                          gs08);
        dg_buf_puts(&b, "IEA*2*000000001~");
        dg_x12_file_result *r = NULL;
        dg_error err = {0};
        assert_int_equal(dg_x12_check_mem(defs, b.data, b.len, "t.edi", &r, &err), 0);
        dg_buf_free(&b);
        assert_true(r->rejected);
        assert_int_equal(r->groups[1].status, 'R');
        assert_true(r->groups[1].envelope_error);
        if (v) {
            assert_int_equal(r->groups[1].n_codes, 1);
            assert_string_equal(r->groups[1].codes[0], "19");
        } else {
            assert_int_equal(r->groups[1].n_codes, 0); /* no 004010 code: AK9 R alone */
            const dg_x12_problem *p = find(r, DG_X12_LEVEL_GROUP, "");
            assert_non_null(p);
            assert_non_null(strstr(p->msg, "repeats an earlier group"));
        }
        assert_int_equal(r->groups[0].status, 'A');
        dg_x12_file_result_free(r);
    }
}

/* Issue 9 item 13: a set keeps at most max_segment_errors segment errors, counts the rest and
 * says so once. */
static void segment_errors_capped_per_set(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "BEG*00*DS*PO-1**20260115~N1*ST*Jane Doe~");
    for (int i = 0; i < 150; i++)
        dg_buf_printf(&b, "PO1*%d*2*EA*19.95**VN*NW-%d~QTY*01*5**x~", i + 1, i);
    dg_buf_puts(&b, "CTT*150~");
    dg_buf env = DG_BUF_INIT;
    dg_buf_printf(&env,
                  "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*"
                  "0930*U*00401*000000001*0*P*>~GS*PO*SENDER*RECEIVER*20260115*0930*1*X*004010~"
                  "ST*850*0001~%sSE*305*0001~GE*1*1~IEA*1*000000001~",
                  b.data);
    dg_buf_free(&b);
    dg_x12_check_opts o = {false, NULL, NULL, 0};
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem_opts(defs, env.data, env.len, "t.edi", &o, &r, &err), 0);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "8", "QTY"), DG_X12_MAX_SEGMENT_ERRORS);
    assert_int_equal(count(r, DG_X12_LEVEL_ELEMENT, "10", "QTY"), DG_X12_MAX_SEGMENT_ERRORS);
    assert_int_equal(r->groups[0].sets[0].left_out, 50);
    assert_int_equal(r->n_left_out, 50);
    assert_int_equal(r->groups[0].sets[0].status, 'R');
    const dg_x12_problem *p = find_warning(r, DG_X12_LEVEL_SET, "");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "50 more segment error(s)"));
    assert_int_equal(r->n_errors, 300); /* all counted */
    dg_x12_file_result_free(r);
    o.max_segment_errors = 10;
    assert_int_equal(dg_x12_check_mem_opts(defs, env.data, env.len, "t.edi", &o, &r, &err), 0);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "8", "QTY"), 10);
    assert_int_equal(r->groups[0].sets[0].left_out, 140);
    dg_x12_file_result_free(r);
    o.max_segment_errors = -1; /* no cap */
    assert_int_equal(dg_x12_check_mem_opts(defs, env.data, env.len, "t.edi", &o, &r, &err), 0);
    assert_int_equal(count(r, DG_X12_LEVEL_SEGMENT, "8", "QTY"), 150);
    assert_int_equal(r->n_left_out, 0);
    dg_x12_file_result_free(r);
    dg_buf_free(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_a_good_850),
        cmocka_unit_test(segment_codes),
        cmocka_unit_test(loop_over_max_and_missing_loop),
        cmocka_unit_test(element_codes),
        cmocka_unit_test(composite_components),
        cmocka_unit_test(known_code_lists_warn),
        cmocka_unit_test(hl_parents),
        cmocka_unit_test(version_5010_differences),
        cmocka_unit_test(undefined_set_is_envelope_checked),
        cmocka_unit_test(direct_api_counts_errors),
        cmocka_unit_test(samples_accepted_and_rejected),
        cmocka_unit_test(summary_only_keeps_counts),
        cmocka_unit_test(old_versions_not_supported),
        cmocka_unit_test(gs_checks),
        cmocka_unit_test(tax_is_element_checked),
        cmocka_unit_test(former_structure_only_segments_checked),
        cmocka_unit_test(se01_ik_and_misplaced_tds),
        cmocka_unit_test(one_ak4_per_element_and_code),
        cmocka_unit_test(terminator_and_isa11_warnings),
        cmocka_unit_test(group_codes_per_version),
        cmocka_unit_test(segment_errors_capped_per_set),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
