/* The outbox over local folders with the real store and flow: when the upload fails, the entry
 * stays pending (FAILED, attempts counted, the error kept) and the PO is not marked sent; the
 * retry sends the SAME file name with the SAME bytes (X12 control numbers are not taken again),
 * and only then is the entry SENT. */
#include "gwtest.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "servers.h"
#include "store/store.h"

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
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
    gw_demo_folder("gw_outbox");
    /* The suppliers' PO folders are files: every upload fails. */
    dg_test_write_file(at("drops/brightline/po"), "not a folder");
    dg_test_write_file(at("drops/northwind/inbound"), "not a folder");

    dg_gw_config *cfg = gw_demo_config();
    dg_error err = {0};
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
    gw_demo_teardown(cfg);
}

/* ---- a partner that consumes its inbound folder -------------------------------------------
 * Each delivered PO file is moved out of the supplier's folder at once (as a supplier's import
 * does), so a second delivery of the same name is a second file, counted where it arrives. */
typedef struct delivery {
    char name[128];
    char sha[DG_SHA256_HEX_LEN];
    int times;
} delivery;

typedef struct consumer {
    delivery d[64];
    size_t n;
    int total;
    int dup_same_bytes; /* re-deliveries with the same name and bytes */
    int dup_other;      /* re-deliveries with other bytes (never acceptable) */
} consumer;

static void consume_folder(consumer *c, const char *rel)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "ls -1p '%s' 2>/dev/null | grep -v '/$' || true", at(rel));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char name[256];
    while (fgets(name, sizeof name, p)) {
        name[strcspn(name, "\n")] = '\0';
        char path[2600], sha[DG_SHA256_HEX_LEN];
        snprintf(path, sizeof path, "%s/%s", at(rel), name);
        sha_of(path, sha);
        assert_int_equal(unlink(path), 0);
        c->total++;
        size_t i = 0;
        while (i < c->n && strcmp(c->d[i].name, name))
            i++;
        if (i == c->n) {
            assert_true(c->n < 64);
            snprintf(c->d[i].name, sizeof c->d[i].name, "%s", name);
            snprintf(c->d[i].sha, sizeof c->d[i].sha, "%s", sha);
            c->n++;
        } else if (!strcmp(c->d[i].sha, sha)) {
            c->dup_same_bytes++;
        } else {
            c->dup_other++;
        }
        c->d[i].times++;
    }
    pclose(p);
}

/* Files delivered under names starting with prefix. */
static int named(const consumer *c, const char *prefix)
{
    int k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += !strncmp(c->d[i].name, prefix, strlen(prefix));
    return k;
}

static void consume(consumer *c)
{
    consume_folder(c, "drops/northwind/inbound");
    consume_folder(c, "drops/brightline/po");
}

/* The process dies (like kill -9: no commit, no cleanup) at the nth confirmed upload. */
static int g_uploads_left;
static void die_at_upload(const char *point, void *ctx)
{
    (void)ctx;
    if (!strcmp(point, "uploaded") && --g_uploads_left == 0)
        _exit(9);
}

/* Item 2 of issue 9: sent marks were committed 200 at a time, so a crash after some uploads
 * re-sent every file of the open batch. Now each upload is marked in its own commit: after a
 * crash at the fifth upload (the third of northwind's batch), only that file (in flight) may arrive
 * twice, with the same name and bytes. */
static void test_crash_resends_only_the_file_in_flight(void **state)
{
    (void)state;
    dg_gw_config *cfg = gw_demo_setup("gw_outbox_crash");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dg_gw *g = NULL;
        dg_error err = {0};
        if (dg_gw_open(cfg, &g, &err))
            _exit(2);
        g_uploads_left = 5; /* brightline's 2 POs, then northwind's 997 and 2 of its 3 POs */
        dg_gw_test_hook = die_at_upload;
        dg_gw_cycle(g, NULL, false, &err);
        _exit(0); /* not reached: 5 POs are uploaded */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 9); /* it did die at the fifth upload */
    consumer c = {0};
    consume(&c);
    assert_int_equal(c.total, 5);

    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    consume(&c);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    consume(&c);
    dg_gw_close(g);
    /* Every file arrived: 5 POs and northwind's 997 for its stock feed. */
    assert_int_equal(c.n, 6);
    assert_int_equal(named(&c, "PO_"), 5);
    assert_int_equal(named(&c, "997_"), 1);
    assert_int_equal(c.dup_other, 0);      /* never other bytes under a name */
    assert_int_equal(c.dup_same_bytes, 1); /* only the one in flight, once */
    assert_int_equal(c.total, 7);
    gw_demo_teardown(cfg);
}

/* Item 3 of issue 9: a store that cannot commit (a full disk) made every poll upload the same
 * POs again. Now nothing is sent while it cannot record what was sent, with a clear log line. */
static void test_full_store_stops_sending(void **state)
{
    (void)state;
    dg_gw_config *cfg = gw_demo_setup("gw_outbox_full");
    /* Cycle 1 queues the 5 POs; their uploads fail (the folders are files). */
    dg_test_write_file(at("drops/brightline/po"), "not a folder");
    dg_test_write_file(at("drops/northwind/inbound"), "not a folder");
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    dg_gw_cycle(g, NULL, false, &err);
    assert_int_equal(dg_gw_get_stats(g)->pos_queued, 5);
    unlink(at("drops/brightline/po"));
    unlink(at("drops/northwind/inbound"));
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s'", at("drops/brightline/po"),
             at("drops/northwind/inbound"));
    sh(cmd);

    /* The disk is full: four polls deliver nothing and say why. */
    consumer c = {0};
    dg_store_debug_fail_commits(dg_gw_store(g), 0);
    dg_test_capture_begin();
    for (int i = 0; i < 4; i++) {
        assert_int_equal(dg_gw_cycle(g, NULL, false, &err), DG_ESTATE);
        consume(&c);
    }
    char *log = dg_test_capture_end();
    assert_int_equal(c.total, 0);
    assert_non_null(strstr(log, "outcome=sending-stopped"));
    assert_non_null(strstr(log, "database or disk is full"));
    free(log);

    /* The disk fills up between two uploads: the upload whose mark failed is the only one out,
     * and it is not sent again, neither while the store is full nor after. */
    /* the three partners' poll records (one commit each), the probe and one mark pass */
    dg_store_debug_fail_commits(dg_gw_store(g), 3 + 2);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(dg_gw_cycle(g, NULL, false, &err), DG_ESTATE);
        consume(&c);
    }
    assert_int_equal(c.total, 2);
    dg_store_debug_fail_commits(dg_gw_store(g), -1);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    consume(&c);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    consume(&c);
    assert_int_equal(c.n, 6); /* 5 POs and northwind's 997 */
    assert_int_equal(named(&c, "PO_"), 5);
    assert_int_equal(c.total, 6); /* each exactly once */
    assert_int_equal(dg_gw_get_stats(g)->pos_sent, 5);
    dg_outbox_entry *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_store_outbox_pending(dg_gw_store(g), NULL, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    dg_store_outbox_free(rows, n);
    dg_gw_close(g);
    gw_demo_teardown(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_upload_is_retried_with_same_bytes),
        cmocka_unit_test(test_crash_resends_only_the_file_in_flight),
        cmocka_unit_test(test_full_store_stops_sending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
