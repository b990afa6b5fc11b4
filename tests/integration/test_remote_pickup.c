/* Pickup safety over real servers (OpenSSH sshd for SFTP, vsftpd for FTP): a file that grows
 * after it was fetched is neither deleted nor moved (its new version is taken by the next poll),
 * and a file whose processing fails for a reason of ours (a missing mapping file, a state store
 * that cannot commit) is still in the partner's drop afterwards. Each server skips, saying why,
 * when it cannot run here. */
#include "store/db.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "gateway/gateway.h"
#include "servers.h"
#include "store/store.h"
#include "testutil.h"

static dg_test_sshd g_sshd;
static dg_test_ftpd g_ftpd;
static bool g_sshd_up, g_ftpd_up;

static const char *orders_hdr =
    "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,"
    "Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,"
    "Shipping Phone,Notes\n";

typedef struct remote {
    const char *root;            /* the server's folder as seen locally */
    const dg_test_account *acct; /* owner of what the test writes there */
    char transport[2048];        /* the partner's transport: block */
} remote;

static int setup(void **state)
{
    (void)state;
    if (dg_test_sshd_start(&g_sshd))
        fprintf(stderr, "SKIP: sshd: %s\n", g_sshd.why);
    else
        g_sshd_up = true;
    if (dg_test_ftpd_start(&g_ftpd))
        fprintf(stderr, "SKIP: vsftpd: %s\n", g_ftpd.why);
    else
        g_ftpd_up = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_sshd_up)
        dg_test_sshd_stop(&g_sshd);
    if (g_ftpd_up)
        dg_test_ftpd_stop(&g_ftpd);
    return 0;
}

static void sftp_remote(remote *r, const char *tmp)
{
    (void)tmp;
    r->root = g_sshd.root;
    r->acct = &g_sshd.acct;
    snprintf(r->transport, sizeof r->transport,
             "transport:\n  kind: sftp\n  host: 127.0.0.1\n  port: %d\n  user: %s\n"
             "  key_file: %s\n  known_hosts: %s\n  root: %s/shop\n  timeout: 10s\n  retries: 1\n",
             g_sshd.port, g_sshd.acct.user, g_sshd.key_file, g_sshd.known_hosts, g_sshd.root);
}

static void ftp_remote(remote *r, const char *tmp)
{
    char pwfile[1024];
    snprintf(pwfile, sizeof pwfile, "%s/ftp-password", tmp);
    dg_test_write_secret(pwfile, g_ftpd.acct.password);
    r->root = g_ftpd.root;
    r->acct = &g_ftpd.acct;
    snprintf(r->transport, sizeof r->transport,
             "transport:\n  kind: ftp\n  host: 127.0.0.1\n  port: %d\n  user: %s\n"
             "  password_file: %s\n  root: /shop\n  timeout: 10s\n  retries: 1\n",
             g_ftpd.port, g_ftpd.acct.user, pwfile);
}

static const char *srv(const remote *r, const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/shop/%s", r->root, rel);
    return p;
}

static void append_orders(const char *path, int first, int n)
{
    bool fresh = !dg_fs_exists(path);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    if (fresh)
        fputs(orders_hdr, f);
    for (int i = 0; i < n; i++)
        fprintf(f,
                "#%d,a@example.com,USD,9.99,Standard,2026-11-20 10:00:00 -0500,1,Thing,9.99,"
                "SF-9999,Ana Lopez,,%d Main St,,Austin,78701,TX,US,,\n",
                first + i, first + i);
    fclose(f);
}

/* A storefront on r with one order drop (drop_yaml adds keys; mapping: the drop's mapping). */
static dg_gw_config *load(const remote *r, const char *tmp, const char *mapping,
                          const char *drop_yaml)
{
    char path[1024], text[8192], dir[2100];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_test_write_file(path, "state_dir: var\npartners_dir: etc/partners\nrouting: etc/none.yaml\n"
                             "catalog: etc/none.csv\n");
    snprintf(path, sizeof path, "%s/etc/partners/shop.yaml", tmp);
    snprintf(text, sizeof text,
             "name: shop\nrole: storefront\n%sinbound:\n  - folder: orders\n"
             "    include: ['*.csv']\n    mapping: %s\n%s",
             r->transport, mapping, drop_yaml);
    dg_test_write_file(path, text);
    snprintf(dir, sizeof dir, "mkdir -p '%s' '%s'", srv(r, "orders"), srv(r, "orders/done"));
    assert_int_equal(system(dir), 0);
    dg_test_server_chown(r->acct, srv(r, ""));
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    return cfg;
}

static long stored_orders(dg_gw *g)
{
    dg_stmt *st = NULL;
    assert_int_equal(
        dg_db_prepare(dg_store_db(dg_gw_store(g)), "SELECT count(*) FROM orders", &st, NULL), 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    long n = (long)dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return n;
}

typedef struct grow_ctx {
    const char *path;
    int first, n, times;
} grow_ctx;

/* The writer appends right after our fetch. */
static void grow_after_fetch(const char *point, void *v)
{
    grow_ctx *c = v;
    if (strcmp(point, "fetched") || c->times == 0)
        return;
    c->times--;
    append_orders(c->path, c->first, c->n);
}

static void changed_after_fetch(const remote *r, const char *tmp, const char *drop_yaml,
                                const char *moved_rel)
{
    dg_gw_config *cfg =
        load(r, tmp, dg_test_path("mappings/storefront-orders-csv-in.yaml"), drop_yaml);
    const char *file = srv(r, "orders/export.csv");
    char path[2048];
    snprintf(path, sizeof path, "%s", file);
    unlink(path);
    append_orders(path, 300, 3);
    dg_test_server_chown(r->acct, path);
    grow_ctx c = {path, 303, 5, 1};
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    dg_gw_test_hook = grow_after_fetch;
    dg_gw_test_hook_ctx = &c;
    int rc = dg_gw_poll_partner(g, &cfg->partners[0], false, &err);
    dg_gw_test_hook = NULL;
    if (rc)
        fail_msg("poll: %s", err.msg);
    assert_int_equal(c.times, 0);
    assert_int_equal(stored_orders(g), 3);
    assert_true(dg_fs_exists(path)); /* not deleted or moved with 5 unread rows */
    if (moved_rel)
        assert_false(dg_fs_exists(srv(r, moved_rel)));
    if ((rc = dg_gw_poll_partner(g, &cfg->partners[0], false, &err)))
        fail_msg("poll: %s", err.msg);
    assert_int_equal(stored_orders(g), 8);
    assert_false(dg_fs_exists(path));
    if (moved_rel)
        assert_true(dg_fs_exists(srv(r, moved_rel)));
    dg_gw_close(g);
    dg_gw_config_free(cfg);
}

static void failed_processing_keeps_file(const remote *r, const char *tmp)
{
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/mappings/missing.yaml", tmp);
    dg_gw_config *cfg = load(r, tmp, missing, "    stable_seconds: 0\n");
    const char *file = srv(r, "orders/a.csv");
    char path[2048];
    snprintf(path, sizeof path, "%s", file);
    append_orders(path, 400, 1);
    dg_test_server_chown(r->acct, path);
    dg_gw *g = NULL;
    dg_error err = {0};
    assert_int_equal(dg_gw_open(cfg, &g, &err), 0);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), DG_ECONFIG);
    assert_int_equal(dg_gw_get_stats(g)->quarantined, 0);
    dg_gw_close(g);
    dg_gw_config_free(cfg);
    assert_true(dg_fs_exists(path));

    /* The state store refuses to commit: still on the server. */
    cfg = load(r, tmp, dg_test_path("mappings/storefront-orders-csv-in.yaml"),
               "    stable_seconds: 0\n");
    assert_int_equal(dg_gw_open(cfg, &g, &err), 0);
    long before = stored_orders(g);
    dg_store_debug_fail_commits(dg_gw_store(g), 0);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), DG_ESTATE);
    assert_true(dg_fs_exists(path));
    dg_store_debug_fail_commits(dg_gw_store(g), -1);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), 0);
    assert_int_equal(stored_orders(g), before + 1);
    assert_false(dg_fs_exists(path));
    dg_gw_close(g);
    dg_gw_config_free(cfg);
}

static void test_sftp(void **state)
{
    (void)state;
    if (!g_sshd_up)
        skip();
    char *tmp = dg_test_tmpdir("remote_pickup_sftp");
    remote r;
    sftp_remote(&r, tmp);
    changed_after_fetch(&r, tmp, "    stable_seconds: 0\n", NULL); /* after: delete */
    failed_processing_keeps_file(&r, tmp);
    dg_test_rmtree(tmp);
    free(tmp);
}

static void test_ftp(void **state)
{
    (void)state;
    if (!g_ftpd_up)
        skip();
    char *tmp = dg_test_tmpdir("remote_pickup_ftp");
    remote r;
    ftp_remote(&r, tmp);
    changed_after_fetch(&r, tmp,
                        "    stable_seconds: 0\n    after: move\n    archive_folder: orders/done\n",
                        "orders/done/export.csv");
    failed_processing_keeps_file(&r, tmp);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sftp),
        cmocka_unit_test(test_ftp),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
