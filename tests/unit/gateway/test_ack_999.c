/* The gateway reads a received 999 through the same path as a 997 (gw_ack_parse): the group
 * control number, the group status and each set's IK5 status and detail reach the flow, and a
 * file with neither is refused with a message naming both. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "gateway/gw_internal.h"

typedef struct {
    int groups;
    char group[16], gstatus[4], set1[16], status1[4], reason1[200], set2[16], status2[4];
    size_t n_sets;
} seen;

static int on_ack(void *ctx, const char *sender, const char *isa_control, const dg_flow_ack *ack,
                  dg_error *err)
{
    (void)err;
    (void)sender;
    (void)isa_control;
    seen *s = ctx;
    s->groups++;
    snprintf(s->group, sizeof s->group, "%s", ack->group_control);
    snprintf(s->gstatus, sizeof s->gstatus, "%s", ack->group_status);
    s->n_sets = ack->n_sets;
    if (ack->n_sets >= 2) {
        snprintf(s->set1, sizeof s->set1, "%s", ack->sets[0].set_control);
        snprintf(s->status1, sizeof s->status1, "%s", ack->sets[0].status);
        snprintf(s->reason1, sizeof s->reason1, "%s",
                 ack->sets[0].reason ? ack->sets[0].reason : "");
        snprintf(s->set2, sizeof s->set2, "%s", ack->sets[1].set_control);
        snprintf(s->status2, sizeof s->status2, "%s", ack->sets[1].status);
    }
    return 0;
}

static void reads_999_like_997(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("gw_ack999");
    char path[1024];
    snprintf(path, sizeof path, "%s/in.999", tmp);
    dg_test_write_file(path,
                       "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *"
                       "260115*0930*^*00501*000000601*0*P*>~"
                       "GS*FA*NORTHWIND*DROPGATE*20260115*0930*601*X*005010X231A1~"
                       "ST*999*0001*005010X231A1~AK1*PO*102*005010~"
                       "AK2*850*0001~IK3*BEG*2**8~IK4*5*373*8*20261345~IK5*R*5~"
                       "AK2*850*0002~IK5*A~AK9*P*2*2*1~SE*9*0001~GE*1*601~"
                       "IEA*1*000000601~");
    seen s;
    memset(&s, 0, sizeof s);
    dg_error err = {0};
    int rc = gw_ack_parse(path, on_ack, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(s.groups, 1);
    assert_string_equal(s.group, "102");
    assert_string_equal(s.gstatus, "P");
    assert_int_equal(s.n_sets, 2);
    assert_string_equal(s.set1, "0001");
    assert_string_equal(s.status1, "R");
    assert_non_null(strstr(s.reason1, "segment BEG at position 2: IK304 8"));
    assert_non_null(strstr(s.reason1, "IK403 8 bad '20261345'"));
    assert_string_equal(s.set2, "0002");
    assert_string_equal(s.status2, "A");
    /* neither a 997 nor a 999 */
    dg_test_write_file(path,
                       "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *"
                       "260115*0930*U*00401*000000602*0*P*>~"
                       "GS*IN*NORTHWIND*DROPGATE*20260115*0930*602*X*004010~"
                       "ST*810*0001~BIG*20260115*I1~TDS*100~SE*4*0001~GE*1*602~"
                       "IEA*1*000000602~");
    assert_int_equal(gw_ack_parse(path, on_ack, &s, &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "no 997 or 999"));
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_999_like_997),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
