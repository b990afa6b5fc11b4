/* Amounts too large for dg_dec (audit H3): 1,000,000 x 1,000,000,000 used to wrap negative and be
 * placed; now the line is NOT_APPROVED with a reason, and a PO total that cannot be computed is
 * refused (DG_EVALID) instead of being stored or sent. */
#include "testutil.h"

#include <string.h>

#include "flowtest.h"

static void overflowing_line_amount_not_approved(void **state)
{
    (void)state;
    ft *f = ft_new(); /* no max_line_amount, allow_loss: only the overflow check can stop it */
    ft_stock(f, "bl", "BL-2:2000000:5.00", NULL);
    dg_doc *d = order_doc("OVF-1", "US", "A-2:1000000:1000000000", NULL);
    dg_flow_order_result r = ft_order(f, "shop", d);
    assert_int_equal(r.pos_created, 0);
    assert_string_equal(ft_qs(f, "SELECT status FROM order_lines"), "NOT_APPROVED");
    assert_non_null(strstr(ft_qs(f, "SELECT reason FROM order_lines"), "too large to compute"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 0);
    dg_doc_free(d);
    ft_free(f);
}

static void overflowing_po_total_refused(void **state)
{
    (void)state;
    ft *f = ft_new();
    ft_stock(f, "bl", "BL-2:300000000000000:5.00", NULL);
    /* each line 5e14 fits; their PO total 1e15 does not */
    dg_doc *d = order_doc("OVF-2", "US", "A-2:100000000000000:5", "A-2:100000000000000:5", NULL);
    dg_flow_order_result res;
    dg_error err = {0};
    int rc = dg_flow_ingest_order(f->s, f->r, "shop", d, ft_file(f), &res, &err);
    assert_int_equal(rc, DG_EVALID);
    assert_non_null(strstr(err.msg, "PO total for bl is too large"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM orders"), 0); /* rolled back */
    dg_doc_free(d);
    ft_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overflowing_line_amount_not_approved),
        cmocka_unit_test(overflowing_po_total_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
