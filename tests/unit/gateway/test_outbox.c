/* The outbox over local folders with the real store and flow: when the upload fails, the entry
 * stays pending (FAILED, attempts counted, the error kept) and the PO is not marked sent; the
 * retry sends the SAME file name with the SAME bytes (X12 control numbers are not taken again),
 * and only then is the entry SENT. */
#include "testutil.h"

#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

static char *g_tmp;

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static const char *at(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_tmp, rel);
    return p;
}

static void sha_of(const char *path, char out[DG_SHA256_HEX_LEN])
{
    dg_error err = {0};
    if (dg_sha256_file(path, out, &err))
        fail_msg("%s", err.msg);
}

static void test_failed_upload_is_retried_with_same_bytes(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_outbox");
    const char *src = dg_test_source_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops'",
             src, src, src, g_tmp, src, g_tmp);
    sh(cmd);
    /* The suppliers' PO folders are files: every upload fails. */
    dg_test_write_file(at("drops/brightline/po"), "not a folder");
    dg_test_write_file(at("drops/northwind/inbound"), "not a folder");

    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(at("etc/dropgate.yaml"), NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    dg_gw *g = NULL;
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    dg_gw_cycle(g, NULL, false, &err); /* partners fail to receive: reported, not fatal */
    const dg_gw_stats *s = dg_gw_get_stats(g);
    assert_int_equal(s->pos_queued, 5);
    assert_int_equal(s->pos_sent, 0);
    assert_true(s->send_failed >= 2);

    dg_store *st = dg_gw_store(g);
    dg_outbox_entry *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_store_outbox_pending(st, "northwind", &rows, &n, &err), 0);
    size_t pos = 0;
    char sha_2001[DG_SHA256_HEX_LEN] = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].kind, "po"))
            continue;
        pos++;
        assert_string_equal(rows[i].state, DG_OUTBOX_FAILED);
        assert_true(rows[i].attempts >= 1);
        assert_non_null(rows[i].last_error);
        if (!strcmp(rows[i].file_name, "PO_2001-NW.edi"))
            snprintf(sha_2001, sizeof sha_2001, "%s", rows[i].content_sha256);
    }
    dg_store_outbox_free(rows, n);
    assert_int_equal(pos, 3);
    assert_true(sha_2001[0]);
    int64_t isa_before = 0;
    assert_int_equal(dg_store_last_control(st, "northwind", DG_CTL_INTERCHANGE, &isa_before, &err),
                     0);

    /* The folders come back: the same files go out, nothing is rendered again. */
    unlink(at("drops/brightline/po"));
    unlink(at("drops/northwind/inbound"));
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    assert_int_equal(s->pos_sent, 5);
    assert_int_equal(s->pos_queued, 5);
    int64_t isa_after = 0;
    assert_int_equal(dg_store_last_control(st, "northwind", DG_CTL_INTERCHANGE, &isa_after, &err),
                     0);
    assert_int_equal(isa_after, isa_before); /* no new control numbers for a retry */
    char got[DG_SHA256_HEX_LEN];
    sha_of(at("drops/northwind/inbound/PO_2001-NW.edi"), got);
    assert_string_equal(got, sha_2001);
    assert_int_equal(dg_store_outbox_pending(st, NULL, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    dg_store_outbox_free(rows, n);

    /* Sent means sent: another cycle sends nothing. */
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    assert_int_equal(s->pos_sent, 5);
    dg_gw_close(g);
    dg_gw_config_free(cfg);
    dg_test_rmtree(g_tmp);
    free(g_tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_upload_is_retried_with_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
