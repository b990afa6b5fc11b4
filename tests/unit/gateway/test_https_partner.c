/* kind: https partners through the whole gateway (demo config, real store and flow, the local
 * HTTPS test server): a storefront's orders listed on 3 pages are ingested once, across a second
 * poll and a restart, after a first poll refused with 401; supplier POs are POSTed from the
 * outbox with one Idempotency-Key per entry, across a lost answer, a crash and a restart, and a
 * 4xx answer marks only its entry failed with the server's words. */
#include "gwtest.h"

#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "gateway/gateway.h"
#include "httpsd.h"
#include "servers.h"
#include "store/store.h"

static dg_test_httpsd g_srv;
static bool g_up;

static int setup(void **state)
{
    (void)state;
    if (dg_test_httpsd_start(&g_srv))
        fprintf(stderr, "SKIP: https server: %s\n", g_srv.why);
    else
        g_up = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_up)
        dg_test_httpsd_stop(&g_srv);
    return 0;
}

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* The demo project in a scratch folder, with partner name's file replaced by yaml. */
static dg_gw_config *demo_with(const char *tag, const char *name, const char *yaml)
{
    dg_test_httpsd_reset(&g_srv);
    gw_demo_folder(tag);
    char file[300];
    snprintf(file, sizeof file, "etc/partners/%s.yaml", name);
    dg_test_write_file(at(file), yaml);
    dg_test_write_secret(at("etc/api.token"), "tok-abc\n");
    return gw_demo_config();
}

static dg_gw *open_gw(const dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    return g;
}

/* ---- inbound: a storefront's order listing --------------------------------------------- */

/* The demo's order export cut into one CSV document per order (header + its rows). */
static size_t demo_orders(char ids[8][16], char *docs[8])
{
    char *text = dg_test_read_file(dg_test_path("samples/demo/drops/shopfront/orders/"
                                                "orders-20261120.csv"),
                                   NULL);
    assert_non_null(text);
    char *nl = strchr(text, '\n');
    *nl = '\0';
    const char *header = text;
    size_t n = 0;
    for (char *line = nl + 1; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char id[16];
        snprintf(id, sizeof id, "%.*s", (int)strcspn(line + 1, ","), line + 1); /* "#2001" */
        if (!n || strcmp(ids[n - 1], id)) {
            assert_true(n < 8);
            snprintf(ids[n], sizeof ids[n], "%s", id);
            docs[n] = calloc(1, 8192);
            snprintf(docs[n], 8192, "%s\n", header);
            n++;
        }
        size_t have = strlen(docs[n - 1]);
        snprintf(docs[n - 1] + have, 8192 - have, "%.*s\n", (int)len, line);
        line += len + (end ? 1 : 0);
    }
    free(text);
    return n;
}

/* Page i of the listing: documents [from, to) and a link to page i + 1 unless last. */
static char *page(char ids[8][16], char *docs[8], size_t from, size_t to, int next)
{
    json_t *items = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(items, json_pack("{s:s, s:s}", "id", ids[i], "csv", docs[i]));
    char link[64];
    snprintf(link, sizeof link, "/api/orders?page=%d", next);
    json_t *root = json_pack("{s:o, s:s?}", "orders", items, "next", next ? link : NULL);
    char *s = json_dumps(root, 0);
    json_decref(root);
    return s;
}

static const char *shop_yaml(void)
{
    static char y[2048];
    snprintf(y, sizeof y,
             "name: shopfront\n"
             "role: storefront\n"
             "transport:\n"
             "  kind: https\n"
             "  url: https://127.0.0.1:%d/api\n"
             "  token_file: etc/api.token\n"
             "  ca_file: %s\n"
             "  retries: 1\n"
             "  backoff: 50ms\n"
             "  list: {items: $.orders, id: $.id, body: $.csv, next: $.next, extension: csv}\n"
             "  ack: {method: DELETE, url: 'orders/{id}'}\n"
             "inbound:\n"
             "  - folder: orders\n"
             "    include: ['*.csv']\n"
             "    mapping: mappings/storefront-orders-csv-in.yaml\n"
             "outbound:\n"
             "  folder: tracking\n"
             "  tracking_mapping: mappings/storefront-tracking-csv.yaml\n",
             g_srv.port, g_srv.cert_file);
    return y;
}

static void test_orders_listed_on_pages_taken_once(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    dg_gw_config *cfg = demo_with("gw_https_in", "shopfront", shop_yaml());
    char ids[8][16], *docs[8];
    size_t n = demo_orders(ids, docs);
    assert_int_equal(n, 5);
    char *p1 = page(ids, docs, 0, 2, 2), *p2 = page(ids, docs, 2, 4, 3),
         *p3 = page(ids, docs, 4, 5, 0);
    /* The first poll is refused (a token not yet activated), later ones see 3 pages. */
    dg_test_httpsd_script(&g_srv, "GET", "/api/orders", 401, NULL,
                          "{\"error\":\"token inactive\"}");
    dg_test_httpsd_script(&g_srv, "GET", "/api/orders", 200, NULL, p1);
    dg_test_httpsd_script(&g_srv, "GET", "/api/orders?page=2", 200, NULL, p2);
    dg_test_httpsd_script(&g_srv, "GET", "/api/orders?page=3", 200, NULL, p3);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/orders/%s", ids[i]);
        dg_test_httpsd_script(&g_srv, "DELETE", path, 204, NULL, NULL);
    }
    dg_gw *g = open_gw(cfg);
    const dg_gw_partner *shop = dg_gw_config_partner(cfg, "shopfront");
    dg_error err = {0};
    dg_test_capture_begin();
    int rc = dg_gw_poll_partner(g, shop, false, &err);
    char *log = dg_test_capture_end();
    assert_int_equal(rc, DG_EAUTH);
    assert_non_null(strstr(err.msg, "HTTP 401"));
    assert_non_null(strstr(log, "partner=shopfront outcome=poll-failed error=EAUTH"));
    assert_null(strstr(log, "tok-abc"));
    free(log);
    dg_gw_stats *s = dg_gw_get_stats(g);
    assert_int_equal(s->orders, 0);

    /* The next poll takes all five, each once, and acknowledges each. */
    assert_int_equal(dg_gw_poll_partner(g, shop, false, &err), 0);
    assert_int_equal(s->orders, 5);
    assert_int_equal(s->processed, 5);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/api/orders?page=3"), 1);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/orders/%s", ids[i]);
        assert_int_equal(dg_test_httpsd_hits(&g_srv, "DELETE", path), 1);
    }
    /* The acknowledgments were lost: the API lists the same five again. Nothing is ingested
     * twice, by a second poll or after a restart; they are acknowledged again. */
    assert_int_equal(dg_gw_poll_partner(g, shop, false, &err), 0);
    assert_int_equal(s->orders, 5);
    assert_int_equal(s->duplicates, 5);
    dg_gw_close(g);
    g = open_gw(cfg);
    s = dg_gw_get_stats(g);
    assert_int_equal(dg_gw_poll_partner(g, shop, false, &err), 0);
    assert_int_equal(s->orders, 0);
    assert_int_equal(s->processed, 0);
    assert_int_equal(s->duplicates, 5);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "DELETE", "/api/orders/2003"), 3);
    dg_gw_close(g);
    for (size_t i = 0; i < n; i++)
        free(docs[i]);
    free(p1);
    free(p2);
    free(p3);
    gw_demo_teardown(cfg);
}

/* A storefront REST API as it pages (the orders response {"orders": [...]}, the next page in the
 * Link header): each order object becomes "<id>.json" for the JSON order mapping, every order is
 * placed once, and a second poll places nothing. */
static json_t *rest_order(long id, const char *name, const char *sku, int qty)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:s, s:i, s:s, s:b}],"
                     " s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:[{s:s, s:s, s:s}]}",
                     "id", (json_int_t)id, "name", name, "email", "buyer@example.com", "created_at",
                     "2026-11-20T09:12:05-05:00", "currency", "USD", "test", 0, "line_items", "sku",
                     sku, "name", "Ceramic Mug", "quantity", qty, "price", "14.99",
                     "requires_shipping", 1, "shipping_address", "name", "Ana Lopez", "address1",
                     "123 Main St", "city", "Austin", "zip", "78701", "province_code", "TX",
                     "country_code", "US", "shipping_lines", "code", "STANDARD", "title",
                     "Standard", "price", "0.00");
}

static void test_json_orders_over_https(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    char y[2048];
    snprintf(y, sizeof y,
             "name: shopfront\n"
             "role: storefront\n"
             "transport:\n"
             "  kind: https\n"
             "  url: https://127.0.0.1:%d/admin/api\n"
             "  token_file: etc/api.token\n"
             "  ca_file: %s\n"
             "  list: {items: $.orders, id: $.id, body: $, next: link-header}\n"
             "inbound:\n"
             "  - folder: orders.json?status=open\n"
             "    mapping: mappings/storefront-order-json-in.yaml\n"
             "outbound:\n"
             "  folder: tracking\n"
             "  tracking_mapping: mappings/storefront-tracking-csv.yaml\n",
             g_srv.port, g_srv.cert_file);
    dg_gw_config *cfg = demo_with("gw_https_json", "shopfront", y);
    json_t *p1 = json_pack("{s:[o]}", "orders", rest_order(9001, "#3001", "SF-1001", 2));
    json_t *p2 = json_pack("{s:[o]}", "orders", rest_order(9002, "#3002", "SF-1007", 1));
    char *b1 = json_dumps(p1, 0), *b2 = json_dumps(p2, 0);
    json_decref(p1);
    json_decref(p2);
    dg_test_httpsd_script(&g_srv, "GET", "/admin/api/orders.json?status=open", 200,
                          "Link: </admin/api/orders.json?page_info=p2>; rel=\"next\"\r\n", b1);
    dg_test_httpsd_script(&g_srv, "GET", "/admin/api/orders.json?page_info=p2", 200,
                          "Link: </admin/api/orders.json?status=open>; rel=\"previous\"\r\n", b2);
    dg_gw *g = open_gw(cfg);
    const dg_gw_partner *shop = dg_gw_config_partner(cfg, "shopfront");
    dg_error err = {0};
    if (dg_gw_poll_partner(g, shop, false, &err))
        fail_msg("poll: %s", err.msg);
    dg_gw_stats *s = dg_gw_get_stats(g);
    assert_int_equal(s->processed, 2);
    assert_int_equal(s->orders, 2);
    assert_int_equal(s->quarantined, 0);
    assert_int_equal(dg_gw_poll_partner(g, shop, false, &err), 0);
    assert_int_equal(s->orders, 2);
    assert_int_equal(s->duplicates, 2);
    dg_gw_close(g);
    free(b1);
    free(b2);
    gw_demo_teardown(cfg);
}

/* ---- outbound: supplier POs POSTed from the outbox --------------------------------------- */

static const char *supplier_yaml(void)
{
    static char y[2048];
    snprintf(y, sizeof y,
             "name: brightline\n"
             "role: supplier\n"
             "transport:\n"
             "  kind: https\n"
             "  url: https://127.0.0.1:%d/bl\n"
             "  token_file: etc/api.token\n"
             "  ca_file: %s\n"
             "  retries: 0\n"
             "outbound:\n"
             "  folder: po\n"
             "  po_mapping: mappings/supplier-csv-po-out.yaml\n",
             g_srv.port, g_srv.cert_file);
    return y;
}

static size_t pending(dg_gw *g, const char *partner, char *state, size_t size, char *error,
                      size_t esize)
{
    dg_outbox_entry *rows = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_store_outbox_pending(dg_gw_store(g), partner, &rows, &n, &err), 0);
    if (state)
        snprintf(state, size, "%s", n ? rows[0].state : "");
    if (error)
        snprintf(error, esize, "%s", n && rows[0].last_error ? rows[0].last_error : "");
    dg_store_outbox_free(rows, n);
    return n;
}

static void header(int i, const char *name, char *out, size_t size)
{
    dg_test_httpsd_header(&g_srv, i, name, out, size);
}

static int g_uploads_left;
static void die_at_upload(const char *point, void *ctx)
{
    (void)ctx;
    if (!strcmp(point, "uploaded") && --g_uploads_left == 0)
        kill(getpid(), SIGKILL); /* as kill -9: no commit, no cleanup, no exit handlers */
}

/* A lost answer, then a crash between the accepted POST and its sent mark, then restarts: each
 * PO reaches the server with its one key, and once sent nothing goes again. */
static void test_pos_posted_once_per_key(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    dg_gw_config *cfg = demo_with("gw_https_out", "brightline", supplier_yaml());
    dg_test_httpsd_script(&g_srv, "POST", "/bl/po", 0, NULL, NULL); /* read, never answered */
    dg_test_httpsd_script(&g_srv, "POST", "/bl/po", 201, NULL, "{\"id\":\"x\"}");
    dg_gw *g = open_gw(cfg);
    dg_error err = {0};
    dg_gw_cycle(g, NULL, false, &err); /* brightline's send fails: reported, not fatal */
    char state_s[32], why[1024];
    assert_int_equal(pending(g, "brightline", state_s, sizeof state_s, why, sizeof why), 2);
    assert_string_equal(state_s, DG_OUTBOX_FAILED);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/bl/po"), 1);
    dg_gw_close(g);

    /* Restarted: it dies right after the server accepted the first PO, before marking it. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dg_gw *cg = NULL;
        if (dg_gw_open(cfg, &cg, &err))
            _exit(2);
        g_uploads_left = 1;
        dg_gw_test_hook = die_at_upload;
        dg_gw_cycle(cg, NULL, false, &err);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status)); /* it did die in the window, not after it */
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/bl/po"), 2);

    g = open_gw(cfg);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    assert_int_equal(pending(g, "brightline", NULL, 0, NULL, 0), 0);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/bl/po"), 4);
    /* requests 0-2 are the first PO (lost answer, crash, resent), 3 the second */
    char k0[128], k[128], b0[4096], b[4096], auth[128];
    header(0, "Idempotency-Key", k0, sizeof k0);
    dg_test_httpsd_request(&g_srv, 0, NULL, 0, NULL, 0, b0, sizeof b0);
    assert_true(strlen(k0) > 20);
    assert_true(strlen(b0) > 20); /* a PO CSV, not an empty body */
    for (int i = 1; i < 3; i++) {
        header(i, "Idempotency-Key", k, sizeof k);
        assert_string_equal(k, k0);
        dg_test_httpsd_request(&g_srv, i, NULL, 0, NULL, 0, b, sizeof b);
        assert_string_equal(b, b0);
    }
    header(3, "Idempotency-Key", k, sizeof k);
    assert_string_not_equal(k, k0);
    dg_test_httpsd_request(&g_srv, 3, NULL, 0, NULL, 0, b, sizeof b);
    assert_string_not_equal(b, b0);
    header(3, "Authorization", auth, sizeof auth);
    assert_string_equal(auth, "Bearer tok-abc");
    header(3, "Content-Type", auth, sizeof auth);
    assert_string_equal(auth, "text/csv");

    /* Sent is sent: later cycles and restarts POST nothing. */
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    dg_gw_close(g);
    g = open_gw(cfg);
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/bl/po"), 4);
    dg_gw_close(g);
    gw_demo_teardown(cfg);
}

/* The supplier refuses one PO (422): that entry is FAILED with the status and the server's words,
 * not retried within the round, and the next PO still goes out. */
static void test_refused_po_marked_failed(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    dg_gw_config *cfg = demo_with("gw_https_422", "brightline", supplier_yaml());
    dg_test_httpsd_script(&g_srv, "POST", "/bl/po", 422, NULL,
                          "{\"error\":\"unknown item BL-77\"}");
    dg_test_httpsd_script(&g_srv, "POST", "/bl/po", 201, NULL, NULL);
    dg_gw *g = open_gw(cfg);
    dg_error err = {0};
    dg_gw_cycle(g, NULL, false, &err);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/bl/po"), 2);
    char state_s[32], why[1024];
    assert_int_equal(pending(g, "brightline", state_s, sizeof state_s, why, sizeof why), 1);
    assert_string_equal(state_s, DG_OUTBOX_FAILED);
    assert_non_null(strstr(why, "HTTP 422"));
    assert_non_null(strstr(why, "unknown item BL-77"));
    dg_gw_close(g);
    gw_demo_teardown(cfg);
}

/* What the https transport cannot do is refused when the partner file loads. */
static void test_config_refuses_what_https_cannot_do(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    static const char *const cases[][2] = {
        {"  list: {body: $.c}\ninbound:\n  - folder: o\n    mapping: m.yaml\n    after: delete\n",
         "after: delete"},
        {"  list: {body: $.c}\ninbound:\n  - folder: o\n    mapping: m.yaml\n    after: move\n"
         "    archive_folder: done\n",
         "after: move"},
        {"inbound:\n  - folder: o\n    mapping: m.yaml\n    after: leave\n", "list: block"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char y[2048];
        snprintf(y, sizeof y,
                 "name: shopfront\nrole: storefront\ntransport:\n  kind: https\n"
                 "  url: https://127.0.0.1:%d/api\n%s",
                 g_srv.port, cases[i][0]);
        dg_test_httpsd_reset(&g_srv);
        g_tmp = dg_test_tmpdir("gw_https_conf");
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cp -r '%s/etc' '%s/'", dg_test_source_dir(), g_tmp);
        sh(cmd);
        dg_test_write_file(at("etc/partners/shopfront.yaml"), y);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        assert_int_equal(dg_gw_config_load(at("etc/dropgate.yaml"), NULL, &cfg, &err), DG_ECONFIG);
        if (!strstr(err.msg, cases[i][1]))
            fail_msg("case %zu: wanted '%s' in: %s", i, cases[i][1], err.msg);
        dg_gw_config_free(cfg);
        dg_test_rmtree(g_tmp);
        free(g_tmp);
        g_tmp = NULL;
    }
}

/* A token that is not there (token_env unset) skips the partner, named, and loads the rest of
 * the configuration: its drops keep their https meaning (listable, after: delete with ack:). */
static void test_missing_token_skips_the_partner(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    unsetenv("DG_TEST_NO_SUCH_TOKEN");
    const char *shop = shop_yaml(), *old = "  token_file: etc/api.token\n";
    const char *at_token = strstr(shop, old);
    assert_non_null(at_token);
    char y[2048];
    snprintf(y, sizeof y, "%.*s  token_env: DG_TEST_NO_SUCH_TOKEN\n%s", (int)(at_token - shop),
             shop, at_token + strlen(old));
    dg_gw_config *cfg = demo_with("gw_https_notoken", "shopfront", y);
    const dg_gw_partner *p = dg_gw_config_partner(cfg, "shopfront");
    assert_non_null(p);
    assert_non_null(p->secret_missing);
    assert_non_null(strstr(p->secret_missing, "DG_TEST_NO_SUCH_TOKEN"));
    assert_non_null(p->transport.http);
    assert_int_equal(p->drops[0].after, DG_AFTER_DELETE);
    dg_gw *g = open_gw(cfg);
    dg_error err = {0};
    assert_int_equal(dg_gw_poll_partner(g, p, false, &err), DG_EAUTH);
    assert_int_equal(dg_test_httpsd_count(&g_srv), 0); /* nothing asked without the token */
    dg_gw_close(g);
    gw_demo_teardown(cfg);
}

int main(void)
{
    dg_log_set_level(DG_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_listed_on_pages_taken_once),
        cmocka_unit_test(test_json_orders_over_https),
        cmocka_unit_test(test_pos_posted_once_per_key),
        cmocka_unit_test(test_refused_po_marked_failed),
        cmocka_unit_test(test_config_refuses_what_https_cannot_do),
        cmocka_unit_test(test_missing_token_skips_the_partner),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
