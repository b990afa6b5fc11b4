/* 997 acknowledgments: exact content for accepted and rejected files, envelope options, several
 * groups, 005010 form, and reading received 997s back into per-set outcomes. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "x12/ack.h"

static dg_x12_defs *defs;

static int setup(void **state)
{
    (void)state;
    dg_error err = {0};
    return dg_x12_defs_load(dg_test_path("edi"), &defs, &err);
}

static int teardown(void **state)
{
    (void)state;
    dg_x12_defs_free(defs);
    return 0;
}

static dg_x12_ack_opts fixed_opts(void)
{
    dg_x12_ack_opts o;
    memset(&o, 0, sizeof o);
    o.isa_control = "42";
    o.date = "20260101";
    o.time = "1200";
    o.newline = true;
    return o;
}

static char *ack_of(const char *rel, const dg_x12_ack_opts *o)
{
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    int rc = dg_x12_ack_build_file(defs, dg_test_path(rel), o, &out, NULL, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return dg_buf_take(&out);
}

static void rejected_set_exact_997(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    char *got = ack_of("samples/x12/bad/element-too-long.edi", &o);
    const char *want =
        "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*STOREFRONT     *260101*1200*U*00401*"
        "000000042*0*P*:~\n"
        "GS*FA*NORTHWIND*STOREFRONT*20260101*1200*42*X*004010~\n"
        "ST*997*0001~\n"
        "AK1*PO*115~\n"
        "AK2*850*0001~\n"
        "AK3*BEG*2**8~\n"
        "AK4*3*324*5*PO-1000100000000000000000000001~\n"
        "AK5*R*5~\n"
        "AK9*R*1*1*0~\n"
        "SE*8*0001~\n"
        "GE*1*42~\n"
        "IEA*1*000000042~\n";
    assert_string_equal(got, want);
    free(got);
}

static void accepted_set_exact_997(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    o.isa_control = "000000007";
    o.gs_control = "70";
    o.st_control = "1234";
    o.sender_qual = "01";
    o.sender_id = "DROPGATE";
    o.usage = 'T';
    char *got = ack_of("samples/x12/856-asn.edi", &o);
    const char *want =
        "ISA*00*          *00*          *01*DROPGATE       *ZZ*NORTHWIND      *260101*1200*U*00401*"
        "000000007*0*T*:~\n"
        "GS*FA*DROPGATE*NORTHWIND*20260101*1200*70*X*004010~\n"
        "ST*997*1234~\n"
        "AK1*SH*301~\n"
        "AK2*856*0001~\n"
        "AK5*A~\n"
        "AK9*A*1*1*1~\n"
        "SE*6*1234~\n"
        "GE*1*70~\n"
        "IEA*1*000000007~\n";
    assert_string_equal(got, want);
    free(got);
}

static void envelope_errors_and_5010(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    /* AK5 carries the set's envelope code, AK9 the group's */
    char *got = ack_of("samples/x12/bad/wrong-counts.edi", &o);
    assert_non_null(strstr(got, "AK5*R*4~"));
    assert_non_null(strstr(got, "AK9*R*3*1*0*5~"));
    free(got);
    /* a 005010 group: AK1 names the version, ISA11 is the repetition separator */
    got = ack_of("samples/x12/850-5010.edi", &o);
    assert_non_null(strstr(got, "*^*00501*000000042*"));
    assert_non_null(strstr(got, "GS*FA*NORTHWIND*STOREFRONT*20260101*1200*42*X*005010~"));
    assert_non_null(strstr(got, "AK1*PO*103*005010~"));
    assert_non_null(strstr(got, "AK2*850*0001*005010~"));
    free(got);
}

static const char *two_groups =
    "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*0930*U*00401*"
    "000000005*0*P*>~"
    "GS*PO*A*B*20260115*0930*11*X*004010~"
    "ST*850*0001~BEG*00*DS*P1**20260115~PO1*1*1*EA*1**VN*X~SE*4*0001~"
    "ST*850*0002~BEG*00*DS*P2**20260115~SE*3*0002~"
    "GE*2*11~"
    "GS*IN*A*B*20260115*0930*12*X*004010~"
    "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~"
    "GE*1*12~IEA*2*000000005~";

static void several_groups_and_sets(void **state)
{
    (void)state;
    dg_x12_file_result *res = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, two_groups, strlen(two_groups), "two.edi", &res, &err),
                     0);
    assert_int_equal(res->n_groups, 2);
    dg_x12_ack_opts o = fixed_opts();
    o.newline = false;
    dg_buf out = DG_BUF_INIT;
    long n = 0;
    assert_int_equal(dg_x12_ack_build(res, &o, &out, &n, &err), 0);
    assert_int_equal(n, 1);
    const char *body = strstr(out.data, "ST*997*0001~");
    assert_non_null(body);
    assert_non_null(strstr(out.data, "AK1*PO*11~AK2*850*0001~AK5*A~AK2*850*0002~"
                                     "AK3*PO1*3*PO1*3~AK5*R*5~AK9*P*2*2*1~SE*9*0001~"));
    assert_non_null(strstr(out.data, "ST*997*0002~AK1*IN*12~AK2*810*0001~AK5*A~AK9*A*1*1*1~"
                                     "SE*6*0002~GE*2*42~"));
    /* the 997 it wrote is itself a valid 997 */
    dg_x12_file_result *back = NULL;
    assert_int_equal(dg_x12_check_mem(defs, out.data, out.len, "997", &back, &err), 0);
    assert_false(back->rejected);
    assert_int_equal(back->n_sets, 2);
    dg_x12_file_result_free(back);
    /* ... and reads back into outcomes per sent set */
    dg_x12_ack_report *rep = NULL;
    assert_int_equal(dg_x12_ack_parse_mem(out.data, out.len, "997", &rep, &err), 0);
    assert_int_equal(rep->n_997, 2);
    assert_int_equal(dg_x12_ack_outcome(rep, "11", "0001"), 'A');
    assert_int_equal(dg_x12_ack_outcome(rep, "000000011", "0002"), 'R');
    assert_int_equal(dg_x12_ack_outcome(rep, "12", "0001"), 'A');
    assert_int_equal(dg_x12_ack_outcome(rep, "99", "0001"), 0);
    assert_int_equal(rep->n_sets, 3);
    assert_int_equal(rep->sets[1].n_segment_notes, 1);
    assert_non_null(strstr(rep->sets[1].detail, "segment PO1 at position 3: AK304 3"));
    assert_int_equal(rep->groups[0].status, 'P');
    assert_int_equal(rep->groups[0].accepted, 1);
    dg_x12_ack_report_free(rep);
    dg_buf_free(&out);
    /* bad options and nothing to acknowledge */
    o.isa_control = "12X";
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EINVAL);
    o.isa_control = "1";
    o.date = "2026-01-01";
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EINVAL);
    dg_buf_free(&out);
    dg_x12_file_result_free(res);
    const char *bare = "ST*850*0001~BEG*00*DS*P1**20260115~SE*3*0001~";
    assert_int_equal(dg_x12_check_mem(defs, bare, strlen(bare), "bare.edi", &res, &err), 0);
    o = fixed_opts();
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EVALID);
    dg_x12_file_result_free(res);
    dg_buf_free(&out);
}

static void parses_received_997s(void **state)
{
    (void)state;
    dg_x12_ack_report *rep = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_ack_parse_file(dg_test_path("samples/x12/997-partial.edi"), &rep, &err),
                     0);
    assert_int_equal(rep->n_groups, 1);
    assert_string_equal(rep->groups[0].functional_id, "PO");
    assert_string_equal(rep->groups[0].group_control, "102");
    assert_int_equal(rep->groups[0].status, 'P');
    assert_int_equal(rep->groups[0].included, 2);
    assert_int_equal(rep->groups[0].received, 2);
    assert_int_equal(rep->groups[0].accepted, 1);
    assert_string_equal(rep->groups[0].ack_isa_control, "000000602");
    assert_string_equal(rep->groups[0].ack_sender, "NORTHWIND");
    assert_int_equal(rep->n_sets, 2);
    assert_int_equal(rep->sets[0].status, 'R');
    assert_string_equal(rep->sets[0].codes[0], "5");
    assert_string_equal(rep->sets[0].detail,
                        "segment BEG at position 2: AK304 8; element 5 (ref 373): AK403 8 bad "
                        "'20261345'");
    assert_int_equal(dg_x12_ack_outcome(rep, "102", "0001"), 'R');
    assert_int_equal(dg_x12_ack_outcome(rep, "102", "0002"), 'A');
    assert_false(rep->envelope_errors);
    dg_x12_ack_report_free(rep);
    /* a group accepted without AK2 loops accepts every set in it */
    const char *grp = "ISA*00*          *00*          *ZZ*B              *ZZ*A              *"
                      "260115*0930*U*00401*000000009*0*P*>~GS*FA*B*A*20260115*0930*9*X*004010~"
                      "ST*997*0001~AK1*PO*5~AK9*A*3*3*3~SE*4*0001~"
                      "ST*997*0002~AK1*IN*6~AK9*R*1*1*0*5~SE*4*0002~GE*2*9~IEA*1*000000009~";
    assert_int_equal(dg_x12_ack_parse_mem(grp, strlen(grp), "g.997", &rep, &err), 0);
    assert_int_equal(dg_x12_ack_outcome(rep, "5", "0003"), 'A');
    assert_int_equal(dg_x12_ack_outcome(rep, "6", "0001"), 'R');
    assert_string_equal(rep->groups[1].codes[0], "5");
    dg_x12_ack_report_free(rep);
    /* corpus-style 997 from another translator */
    assert_int_equal(dg_x12_ack_parse_mem("not x12", 7, "junk", &rep, &err), DG_EPARSE);
    assert_null(rep);
}

static void ta1_for_rejected_or_requested_interchanges(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    /* IEA02 does not match ISA13: TA1 R 001 before the FA group */
    char *got = ack_of("samples/x12/bad/bad-control-numbers.edi", &o);
    assert_non_null(strstr(got, "*000000042*0*P*:~\nTA1*000000113*260115*0930*R*001~\nGS*FA*"));
    free(got);
    o.no_ta1 = true;
    got = ack_of("samples/x12/bad/bad-control-numbers.edi", &o);
    assert_null(strstr(got, "TA1*"));
    free(got);
    /* an interchange without groups whose IEA01 is wrong: a TA1-only interchange */
    const char *nogs = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *"
                       "260115*0930*U*00401*000000077*1*P*>~IEA*1*000000077~";
    dg_x12_file_result *res = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, nogs, strlen(nogs), "nogs.edi", &res, &err), 0);
    assert_true(res->rejected);
    o.no_ta1 = false;
    o.newline = false;
    dg_buf out = DG_BUF_INIT;
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), 0);
    assert_non_null(strstr(out.data, "*000000042*0*P*:~TA1*000000077*260115*0930*R*021~"
                                     "IEA*0*000000042~"));
    dg_buf_free(&out);
    o.no_ta1 = true;
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EVALID);
    dg_buf_free(&out);
    dg_x12_file_result_free(res);
    /* ISA14 = 1 on a clean interchange: TA1 A 000 */
    const char *asked = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *"
                        "260115*0930*U*00401*000000078*1*P*>~"
                        "GS*IN*A*B*20260115*0930*12*X*004010~"
                        "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*12~IEA*1*000000078~";
    assert_int_equal(dg_x12_check_mem(defs, asked, strlen(asked), "asked.edi", &res, &err), 0);
    assert_false(res->rejected);
    o.no_ta1 = false;
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), 0);
    assert_non_null(strstr(out.data, "~TA1*000000078*260115*0930*A*000~GS*FA*B*A*"));
    /* and the result reads back as valid X12 */
    dg_x12_file_result *back = NULL;
    assert_int_equal(dg_x12_check_mem(defs, out.data, out.len, "997", &back, &err), 0);
    assert_false(back->rejected);
    dg_x12_file_result_free(back);
    dg_buf_free(&out);
    dg_x12_file_result_free(res);
}

static dg_x12_file_result *check(const char *data)
{
    dg_x12_file_result *res = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, data, strlen(data), "in.edi", &res, &err), 0);
    return res;
}

static char *build(const dg_x12_file_result *res, const dg_x12_ack_opts *o)
{
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    int rc = dg_x12_ack_build(res, o, &out, NULL, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return dg_buf_take(&out);
}

/* The acknowledgment written is valid X12 by our own validator, without warnings. */
static void assert_valid(const char *x12)
{
    dg_x12_file_result *back = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(defs, x12, strlen(x12), "ack", &back, &err), 0);
    if (back->rejected || back->n_warnings)
        for (size_t i = 0; i < back->n_problems; i++)
            fprintf(stderr, "  %s %s: %s\n", back->problems[i].code, back->problems[i].seg_id,
                    back->problems[i].msg);
    assert_false(back->rejected);
    assert_int_equal(back->n_warnings, 0);
    dg_x12_file_result_free(back);
}

/* Fix 1: acknowledgments (997, 999, TA1-only) are never acknowledged. */
static void acknowledgments_are_not_acknowledged(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    const char *files[] = {"samples/x12/997-accept.edi", "samples/x12/997-partial.edi"};
    for (size_t i = 0; i < 2; i++) {
        dg_x12_file_result *res = NULL;
        dg_error err = {0};
        assert_int_equal(dg_x12_check_file(defs, dg_test_path(files[i]), &res, &err), 0);
        assert_true(dg_x12_ack_only(res));
        dg_buf out = DG_BUF_INIT;
        assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EVALID);
        assert_int_equal(out.len, 0);
        assert_non_null(strstr(err.msg, "never acknowledged"));
        dg_buf_free(&out);
        dg_x12_file_result_free(res);
    }
    /* a 999 we wrote, and a TA1-only interchange asking for a TA1 */
    dg_x12_file_result *res = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_file(defs, dg_test_path("samples/x12/856-asn.edi"), &res, &err),
                     0);
    o.kind = DG_X12_ACK_999;
    char *ack = build(res, &o);
    dg_x12_file_result_free(res);
    res = check(ack);
    assert_true(dg_x12_ack_only(res));
    dg_buf out = DG_BUF_INIT;
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EVALID);
    dg_x12_file_result_free(res);
    free(ack);
    res = check("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
                "0930*U*00401*000000077*1*P*>~TA1*000000012*260114*1200*A*000~"
                "IEA*0*000000077~");
    assert_true(dg_x12_ack_only(res));
    assert_int_equal(dg_x12_ack_build(res, &o, &out, NULL, &err), DG_EVALID);
    assert_int_equal(out.len, 0);
    dg_x12_file_result_free(res);
    /* a PO group beside a 997 group in one interchange: only the PO group is acknowledged */
    res = check("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
                "0930*U*00401*000000079*0*P*>~"
                "GS*FA*A*B*20260115*0930*30*X*004010~ST*997*0001~AK1*PO*5~AK9*A*1*1*1~SE*4*0001~"
                "GE*1*30~GS*PO*A*B*20260115*0930*31*X*004010~ST*850*0001~"
                "BEG*00*DS*P1**20260115~PO1*1*1*EA*1**VN*X~SE*4*0001~GE*1*31~IEA*2*000000079~");
    assert_false(dg_x12_ack_only(res));
    o.kind = DG_X12_ACK_997;
    ack = build(res, &o);
    assert_non_null(strstr(ack, "AK1*PO*31~"));
    assert_null(strstr(ack, "AK1*FA*"));
    free(ack);
    dg_x12_file_result_free(res);
    dg_buf_free(&out);
}

/* Fix 3: an interchange rejected by its TA1 gets no AK9 A for its group. */
static void rejected_interchange_rejects_its_groups(void **state)
{
    (void)state;
    dg_x12_file_result *res =
        check("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
              "0930*U*00401*000000080*0*P*>~GS*IN*A*B*20260115*0930*12*X*004010~"
              "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*12~IEA*1*000000081~");
    assert_true(res->interchanges[0].rejected);
    assert_int_equal(res->groups[0].status, 'R');
    assert_int_equal(res->groups[0].accepted, 0);
    assert_int_equal(res->n_sets_accepted, 0);
    dg_x12_ack_opts o = fixed_opts();
    o.newline = false;
    char *ack = build(res, &o);
    assert_non_null(strstr(ack, "TA1*000000080*260115*0930*R*001~"));
    assert_non_null(strstr(ack, "AK5*R~AK9*R*1*1*0~"));
    assert_null(strstr(ack, "AK9*A"));
    assert_valid(ack);
    free(ack);
    dg_x12_file_result_free(res);
}

/* The 999: IK3/IK4/IK5 in a 005010X231A1 group, echoing the received GS08 in AK103 and ST03 in
 * AK203; the 997 echoes the received GS08 in its own GS08. */
static void writes_999_and_echoes_versions(void **state)
{
    (void)state;
    dg_x12_ack_opts o = fixed_opts();
    o.kind = DG_X12_ACK_999;
    char *got = ack_of("samples/x12/bad/element-too-long.edi", &o);
    const char *want =
        "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*STOREFRONT     *260101*1200*^*00501*"
        "000000042*0*P*:~\n"
        "GS*FA*NORTHWIND*STOREFRONT*20260101*1200*42*X*005010X231A1~\n"
        "ST*999*0001*005010X231A1~\n"
        "AK1*PO*115*004010~\n"
        "AK2*850*0001~\n"
        "IK3*BEG*2**8~\n"
        "IK4*3*324*5*PO-1000100000000000000000000001~\n"
        "IK5*R*5~\n"
        "AK9*R*1*1*0~\n"
        "SE*8*0001~\n"
        "GE*1*42~\n"
        "IEA*1*000000042~\n";
    assert_string_equal(got, want);
    assert_valid(got);
    /* read back like a 997 */
    dg_x12_ack_report *rep = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_ack_parse_mem(got, strlen(got), "999", &rep, &err), 0);
    assert_int_equal(rep->n_999, 1);
    assert_int_equal(rep->n_997, 0);
    assert_string_equal(rep->groups[0].ack_set_id, "999");
    assert_string_equal(rep->groups[0].group_control, "115");
    assert_int_equal(rep->groups[0].status, 'R');
    assert_int_equal(rep->sets[0].status, 'R');
    assert_string_equal(rep->sets[0].codes[0], "5");
    assert_string_equal(rep->sets[0].detail, "segment BEG at position 2: IK304 8; element 3 (ref "
                                             "324): IK403 5 bad 'PO-1000100000000000000000000001'");
    assert_int_equal(dg_x12_ack_outcome(rep, "115", "0001"), 'R');
    dg_x12_ack_report_free(rep);
    free(got);
    /* 999 of a 005010 set with ST03: AK203 echoes it */
    got = ack_of("samples/x12/850-5010.edi", &o);
    assert_non_null(strstr(got, "AK1*PO*103*005010~"));
    assert_non_null(strstr(got, "IK5*A~\nAK9*A*1*1*1~"));
    assert_valid(got);
    free(got);
    /* a 997 echoes the received GS08 whole (004010VICS), and is valid itself */
    dg_x12_file_result *res =
        check("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
              "0930*U*00401*000000082*0*P*>~GS*IN*A*B*20260115*0930*12*X*004010VICS~"
              "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*12~IEA*1*000000082~");
    o.kind = DG_X12_ACK_997;
    got = build(res, &o);
    assert_non_null(strstr(got, "*42*X*004010VICS~\nST*997*0001~\nAK1*IN*12~"));
    assert_valid(got);
    free(got);
    dg_x12_file_result_free(res);
    /* ... but not an implementation guide's id: a 997 for 005010X222A1 says 005010 */
    res = check("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
                "0930*^*00501*000000085*0*P*>~GS*IN*A*B*20260115*0930*12*X*005010X222A1~"
                "ST*810*0001*005010X222A1~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*12~"
                "IEA*1*000000085~");
    got = build(res, &o);
    assert_non_null(strstr(got, "*42*X*005010~\nST*997*0001~\nAK1*IN*12*005010X222A1~\n"
                                "AK2*810*0001*005010X222A1~"));
    assert_valid(got);
    free(got);
    dg_x12_file_result_free(res);
}

/* Fix 2 at the 997: a 004010 duplicate GS06 gives AK9 R without code 19; 005010 says 19. */
static void ak905_in_the_groups_version(void **state)
{
    (void)state;
    for (int v = 0; v < 2; v++) {
        dg_buf b = DG_BUF_INIT;
        dg_buf_printf(&b,
                      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *"
                      "260115*0930*%s*%s*000000083*0*P*>~",
                      v ? "^" : "U", v ? "00501" : "00401");
        for (int g = 0; g < 2; g++)
            dg_buf_printf(&b,
                          "GS*IN*A*B*20260115*0930*12*X*%s~ST*810*0001~BIG*20260115*I1~TDS*100~"
                          "SE*4*0001~GE*1*12~",
                          v ? "005010" : "004010");
        dg_buf_puts(&b, "IEA*2*000000083~");
        dg_x12_file_result *res = check(b.data);
        dg_buf_free(&b);
        dg_x12_ack_opts o = fixed_opts();
        o.newline = false;
        char *got = build(res, &o);
        if (v)
            assert_non_null(strstr(got, "AK9*R*1*1*1*19~"));
        else {
            assert_null(strstr(got, "*19~"));
            assert_non_null(strstr(got, "AK1*IN*12~AK2*810*0001~AK5*A~AK9*R*1*1*1~"));
        }
        assert_valid(got);
        free(got);
        dg_x12_file_result_free(res);
    }
}

/* TA1 025 for a duplicate interchange, when the caller (the gateway) says it is one. */
static void ta1_025_for_duplicates(void **state)
{
    (void)state;
    const char *asked = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *"
                        "260115*0930*U*00401*000000078*1*P*>~"
                        "GS*IN*A*B*20260115*0930*12*X*004010~"
                        "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*12~IEA*1*000000078~";
    dg_x12_file_result *res = check(asked);
    dg_x12_ack_opts o = fixed_opts();
    o.newline = false;
    const char *dups[] = {"78"};
    o.duplicate_isa = dups;
    o.n_duplicate_isa = 1;
    char *got = build(res, &o);
    assert_non_null(strstr(got, "~TA1*000000078*260115*0930*R*025~IEA*0*000000042~"));
    assert_null(strstr(got, "GS*FA")); /* not processed again: no 997 */
    assert_valid(got);
    free(got);
    /* the lone TA1 helper */
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    o.isa_control = "43";
    assert_int_equal(dg_x12_ta1_build(&res->interchanges[0].isa, 'R', "025", &o, &out, &err), 0);
    assert_non_null(strstr(out.data, "*ZZ*B              *ZZ*A              *260101*1200*U*00401*"
                                     "000000043*0*P*:~TA1*000000078*260115*0930*R*025~"
                                     "IEA*0*000000043~"));
    assert_valid(out.data);
    dg_buf_free(&out);
    assert_int_equal(dg_x12_ta1_build(&res->interchanges[0].isa, 'Q', "025", &o, &out, &err),
                     DG_EINVAL);
    assert_int_equal(dg_x12_ta1_build(&res->interchanges[0].isa, 'R', "25", &o, &out, &err),
                     DG_EINVAL);
    dg_buf_free(&out);
    dg_x12_file_result_free(res);
}

/* Issue 9 item 13: at most 100 AK3 per set in the 997 (the check keeps no more), still valid. */
static void ak3_detail_capped(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*"
                    "0930*U*00401*000000084*0*P*>~GS*PO*A*B*20260115*0930*12*X*004010~"
                    "ST*850*0001~BEG*00*DS*P1**20260115~");
    for (int i = 0; i < 250; i++)
        dg_buf_printf(&b, "PO1*%d*1*EA*1**VN*X~ZZZ*%d~", i + 1, i);
    dg_buf_puts(&b, "SE*503*0001~GE*1*12~IEA*1*000000084~");
    dg_x12_file_result *res = check(b.data);
    dg_buf_free(&b);
    assert_int_equal(res->groups[0].sets[0].left_out, 150);
    dg_x12_ack_opts o = fixed_opts();
    char *got = build(res, &o);
    int n = 0;
    for (const char *p = got; (p = strstr(p, "\nAK3*")); p++)
        n++;
    assert_int_equal(n, DG_X12_MAX_SEGMENT_ERRORS);
    assert_non_null(strstr(got, "AK5*R*5~"));
    assert_valid(got);
    free(got);
    dg_x12_file_result_free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejected_set_exact_997),
        cmocka_unit_test(accepted_set_exact_997),
        cmocka_unit_test(envelope_errors_and_5010),
        cmocka_unit_test(several_groups_and_sets),
        cmocka_unit_test(parses_received_997s),
        cmocka_unit_test(ta1_for_rejected_or_requested_interchanges),
        cmocka_unit_test(acknowledgments_are_not_acknowledged),
        cmocka_unit_test(rejected_interchange_rejects_its_groups),
        cmocka_unit_test(writes_999_and_echoes_versions),
        cmocka_unit_test(ak905_in_the_groups_version),
        cmocka_unit_test(ta1_025_for_duplicates),
        cmocka_unit_test(ak3_detail_capped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
