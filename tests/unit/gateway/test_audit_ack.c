/* Audit H4: the 997 for a quarantined X12 file rejects every set and group (AK5 R, AK9 R, never
 * an acceptance of what was not applied), and when the mapping refused a value its message names
 * (segment number in the file, SEGnn element), that set carries an AK3/AK4 for it; a message that
 * names another segment, or no segment at all, gives no made-up detail. */
#include "testutil.h"

#include <string.h>

#include "gateway/gw_internal.h"

static const char *one_set =
    "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *260115*0930*^*00501*"
    "000000501*0*P*>~\n"
    "GS*IB*NORTHWIND*DROPGATE*20260115*0930*501*X*005010~\n"
    "ST*846*0001~\nBIA*00*DD*INV-20260117*20260117~\nN1*SU*Northwind Supply~\n"
    "LIN**VN*NW-100*UP*012345678905~\nPID*F****Blue widget~\nQTY*33*1.2E2*EA~\n"
    "LIN**VN*NW-200~\nQTY*33*0*EA~\nCTT*2~\nSE*10*0001~\n"
    "GE*1*501~\nIEA*1*000000501~\n";

static const char *two_sets =
    "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *260115*0930*^*00501*"
    "000000502*0*P*>~\n"
    "GS*IB*NORTHWIND*DROPGATE*20260115*0930*502*X*005010~\n"
    "ST*846*0001~\nBIA*00*DD*INV-1*20260117~\nN1*SU*Northwind Supply~\n"
    "LIN**VN*NW-100*UP*012345678905~\nPID*F****Blue widget~\nQTY*33*5*EA~\n"
    "LIN**VN*NW-200~\nQTY*33*0*EA~\nCTT*2~\nSE*10*0001~\n"
    "ST*846*0002~\nBIA*00*DD*INV-2*20260117~\nLIN**VN*NW-300~\nQTY*33*7*EA~\nCTT*1~\n"
    "SE*6*0002~\nGE*2*502~\nIEA*1*000000502~\n";

/* The rejecting 997 for text (written to a file) and a quarantine reason. */
static char *build(const char *text, const char *reason)
{
    char *tmp = dg_test_tmpdir("gw_audit_ack");
    char path[1024];
    snprintf(path, sizeof path, "%s/in.edi", tmp);
    dg_test_write_file(path, text);
    dg_gw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.edi_dir = dg_test_path("edi");
    dg_gw g;
    memset(&g, 0, sizeof g);
    g.cfg = &cfg;
    gw_ack_env env = {"ZZ", "DROPGATE", "ZZ", "NORTHWIND", "000000007", "7", "0007", false, false};
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    int rc = gw_ack_build_rejected(&g, path, reason, &env, &b, &err);
    gw_ack_free(&g);
    dg_test_rmtree(tmp);
    free(tmp);
    if (rc)
        fail_msg("997: %s", err.msg);
    assert_non_null(b.data);
    return b.data;
}

static void rejects_all(const char *ack, const char *ak9)
{
    if (strstr(ack, "AK5*A") || strstr(ack, "AK5*E") || strstr(ack, "AK9*A") ||
        strstr(ack, "AK9*P") || strstr(ack, "AK9*E"))
        fail_msg("the 997 accepts a quarantined file:\n%s", ack);
    if (!strstr(ack, ak9))
        fail_msg("no %s in:\n%s", ak9, ack);
}

static void test_mapping_refused_value(void **state)
{
    (void)state;
    char *ack = build(one_set, "northwind/outbound/846_exp.edi: mappings/x12-846-in.yaml:23 rule "
                               "'quantity_available': '1.2E2' is not a number (input segment 8 "
                               "QTY[QTY01=33]/QTY02)");
    rejects_all(ack, "AK9*R*1*1*0~");
    assert_non_null(strstr(ack, "AK2*846*0001"));
    assert_non_null(strstr(ack, "AK3*QTY*6**8~"));
    assert_non_null(strstr(ack, "AK4*2**6*1.2E2~"));
    assert_non_null(strstr(ack, "AK5*R*5~"));
    free(ack);
}

static void test_no_made_up_detail(void **state)
{
    (void)state;
    /* the message names segment 7, which is a PID, not a QTY */
    char *ack = build(one_set, "rule 'q': '1.2E2' is not a number (input segment 7 QTY02)");
    rejects_all(ack, "AK9*R*1*1*0~");
    assert_null(strstr(ack, "AK3"));
    assert_non_null(strstr(ack, "AK5*R~"));
    free(ack);
    /* the flow refused it: no segment */
    ack = build(one_set, "stock 1: supplier northwind: unknown item");
    rejects_all(ack, "AK9*R*1*1*0~");
    assert_null(strstr(ack, "AK3"));
    free(ack);
    ack = build(one_set, NULL);
    rejects_all(ack, "AK9*R*1*1*0~");
    free(ack);
}

static void test_detail_in_its_set(void **state)
{
    (void)state;
    /* (the X12 check accepts both sets; the message is what a stricter mapping would say) */
    char *ack = build(two_sets, "rule 'quantity_available': '7' is not a number (input segment "
                                "16 QTY[QTY01=33]/QTY02)");
    rejects_all(ack, "AK9*R*2*2*0~");
    const char *s1 = strstr(ack, "AK2*846*0001"), *s2 = strstr(ack, "AK2*846*0002");
    assert_non_null(s1);
    assert_non_null(s2);
    const char *ak3 = strstr(ack, "AK3*QTY*4**8~");
    assert_non_null(ak3);
    assert_true(ak3 > s2); /* under the second set only */
    assert_non_null(strstr(ack, "AK4*2**6*7~"));
    const char *ak5_1 = strstr(s1, "AK5*R~"), *ak5_2 = strstr(s2, "AK5*R*5~");
    assert_non_null(ak5_1);
    assert_true(ak5_1 < s2); /* the first set: rejected, no segment in error */
    assert_non_null(ak5_2);
    free(ack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping_refused_value),
        cmocka_unit_test(test_no_made_up_detail),
        cmocka_unit_test(test_detail_in_its_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
