/* A PO whose supplier has no partner configuration is never rendered or sent: it stays QUEUED.
 * Once it is older than its supplier's earlier overdue time (ack_after / asn_after) it is listed
 * as overdue "send" ("never sent") by dg_flow_overdue_pos and in dg_flow_status_json, so
 * `dropgate status` shows it instead of it waiting silently. */
#include "flowtest.h"

#define T0 1700000000

/* nw: ack_after 1h, asn_after 2h (ft_rules); bl: the defaults, 24h / 72h. Order Q-1 -> PO
 * Q-1-NW, order Q-2 -> PO Q-2-BL, both QUEUED at T0. */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-3:50:20.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", NULL);
    dg_doc *d = order_doc("Q-1", "US", "A-3:1:40.00", NULL);
    assert_int_equal(ft_order(f, "shop", d).pos_created, 1);
    dg_doc_free(d);
    d = order_doc("Q-2", "US", "A-2:1:15.00", NULL);
    assert_int_equal(ft_order(f, "shop", d).pos_created, 1);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE status='QUEUED'"), 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

static size_t overdue(ft *f, int64_t now, dg_flow_overdue **rows)
{
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, now, rows, &n, &err), 0);
    return n;
}

static void queued_po_is_overdue_never_sent(void **state)
{
    ft *f = *state;
    dg_flow_overdue *rows = NULL;
    assert_int_equal(overdue(f, T0 + 3600, &rows), 0); /* not older than nw's ack_after */
    free(rows);
    assert_int_equal(overdue(f, T0 + 3601, &rows), 1);
    assert_string_equal(rows[0].po_number, "Q-1-NW");
    assert_string_equal(rows[0].supplier, "nw");
    assert_string_equal(rows[0].order_number, "Q-1");
    assert_string_equal(rows[0].status, DG_PO_QUEUED);
    assert_string_equal(rows[0].what, "send");
    assert_string_equal(rows[0].note, "never sent");
    assert_int_equal(rows[0].age_seconds, 3601);
    assert_int_equal(rows[0].sent_at, 0);
    free(rows);
    /* bl uses the default ack_after (24h). */
    assert_int_equal(overdue(f, T0 + 24 * 3600 + 1, &rows), 2);
    assert_string_equal(rows[0].po_number, "Q-1-NW");
    assert_string_equal(rows[1].po_number, "Q-2-BL");
    assert_string_equal(rows[1].what, "send");
    free(rows);

    char *json = NULL;
    dg_error err = {0};
    assert_int_equal(dg_flow_status_json(f->s, f->r, T0 + 3601, &json, &err), 0);
    assert_non_null(strstr(json, "\"po_number\": \"Q-1-NW\""));
    assert_non_null(strstr(json, "\"what\": \"send\""));
    assert_non_null(strstr(json, "\"note\": \"never sent\""));
    assert_null(strstr(json, "Q-2-BL"));
    free(json);
}

/* Rendered into the outbox but the upload keeps failing: still QUEUED, still never sent. Once
 * sent it ages from sent_at as before and is only overdue for its 997. */
static void queued_in_outbox_then_sent(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    dg_flow_envelope env = {"1", "1", "0001"};
    int64_t ob = 0;
    assert_int_equal(
        dg_flow_po_queued(f->s, "Q-1-NW", "PO_Q-1-NW.edi", "sha", "/tmp/x", &env, true, &ob, &err),
        0);
    assert_int_equal(dg_store_outbox_mark_failed(f->s, ob, "connection refused", &err), 0);
    dg_flow_overdue *rows = NULL;
    assert_int_equal(overdue(f, T0 + 3601, &rows), 1);
    assert_string_equal(rows[0].what, "send");
    free(rows);
    dg_store_set_now(f->s, T0 + 7200);
    assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='Q-1-NW'"),
                        DG_PO_SENT);
    assert_int_equal(overdue(f, T0 + 7200 + 3600, &rows), 0);
    free(rows);
    assert_int_equal(overdue(f, T0 + 7200 + 3601, &rows), 1);
    assert_string_equal(rows[0].po_number, "Q-1-NW");
    assert_string_equal(rows[0].what, "ack");
    assert_string_equal(rows[0].note, "no 997 received");
    assert_int_equal(rows[0].sent_at, T0 + 7200);
    free(rows);
}

/* A PO that was shipped, or refused by the supplier, is never "never sent". */
static void only_queued_pos_count(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    assert_int_equal(dg_store_exec(f->s,
                                   "UPDATE supplier_pos SET status = 'REJECTED'"
                                   " WHERE po_number = 'Q-1-NW'",
                                   &err),
                     0);
    dg_flow_overdue *rows = NULL;
    assert_int_equal(overdue(f, T0 + 30 * 24 * 3600, &rows), 1);
    assert_string_equal(rows[0].po_number, "Q-2-BL");
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(queued_po_is_overdue_never_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(queued_in_outbox_then_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(only_queued_pos_count, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
