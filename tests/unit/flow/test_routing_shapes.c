/* routing.yaml of the wrong shape (a list where a map belongs, text where a block belongs, a map
 * where one value belongs) is refused with file:line, never taken as "absent". */
#include "testutil.h"

#include <string.h>

#include "flow/flow.h"

static void wrong_shapes_name_file_and_line(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"- split: true\n", "r.yaml:1: the routing rules must be a map of keys, not a list"},
        {"currency: [USD]\n", "r.yaml:1: 'currency' in the routing rules must be text, not a list"},
        {"split: {a: b}\n", "r.yaml:1: 'split' in the routing rules must be text, not a map"},
        {"choose: {a: b}\n", "r.yaml:1: 'choose' in the routing rules must be text or a list"},
        {"retailer: [a]\n", "r.yaml:1: 'retailer' in the routing rules must be a map, not a list"},
        {"retailer: ACME\n", "r.yaml:1: 'retailer' in the routing rules must be a map, not text"},
        {"retailer:\n  name: [a]\n", "r.yaml:2: 'name' in retailer must be text, not a list"},
        {"approval: 100\n", "r.yaml:1: 'approval' in the routing rules must be a map, not text"},
        {"approval:\n", "r.yaml:1: 'approval' in the routing rules must be a map, not empty"},
        {"reconcile: [a]\n", "r.yaml:1: 'reconcile' in the routing rules must be a map"},
        {"overdue: {ack_after: [1d]}\n", "r.yaml:1: 'ack_after' in overdue must be text"},
        {"suppliers: [northwind]\n", "r.yaml:1: 'suppliers' in the routing rules must be a map"},
        {"suppliers:\n  northwind: [a]\n", "r.yaml:2: a supplier's rules must be a map of keys"},
        {"suppliers:\n  northwind: {code: [N]}\n",
         "r.yaml:2: 'code' in a supplier's rules must be text"},
        {"suppliers:\n  northwind: {ship_to: {a: b}}\n", "must be text or a list, not a map"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_flow_rules *r = NULL;
        dg_error err = {0};
        int rc = dg_flow_rules_parse(cases[i][0], strlen(cases[i][0]), "r.yaml", &r, &err);
        dg_flow_rules_free(r);
        if (rc != DG_ECONFIG || !strstr(err.msg, cases[i][1]))
            fail_msg("case %zu: got %d '%s', want %s", i, rc, err.msg, cases[i][1]);
    }
    /* and the right shapes load */
    const char *good = "currency: USD\nchoose: [priority]\nretailer: {name: Shop}\n"
                       "approval: {max_line_amount: 100}\noverdue: {ack_after: 1d}\n"
                       "suppliers:\n  northwind: {code: N, ship_to: [US, CA]}\n  brightline:\n";
    dg_flow_rules *r = NULL;
    dg_error err = {0};
    if (dg_flow_rules_parse(good, strlen(good), "r.yaml", &r, &err))
        fail_msg("%s", err.msg);
    dg_flow_rules_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrong_shapes_name_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
