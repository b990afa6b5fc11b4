/* kind: https against a real local HTTPS server (tests/support/httpsd.c, certificate made at
 * start): listing pages by next link and by cursor, inline and linked documents, bearer and basic
 * credentials, an auth failure, TLS refusal and trust by ca_file, retries of 5xx, 429 with
 * Retry-After and a dropped connection with one Idempotency-Key, 4xx not retried, acks. */
#include <string.h>
#include <time.h>

#include "core/fs.h"
#include "core/log.h"
#include "httpsd.h"
#include "servers.h"
#include "testutil.h"
#include "transport/transport.h"

static dg_test_httpsd g_srv;
static bool g_up;
static char *g_tmp;
static char g_base[128];

static int setup(void **state)
{
    (void)state;
    if (dg_test_httpsd_start(&g_srv)) {
        fprintf(stderr, "SKIP: https server: %s\n", g_srv.why);
        return 0;
    }
    g_up = true;
    snprintf(g_base, sizeof g_base, "https://127.0.0.1:%d/v1", g_srv.port);
    g_tmp = dg_test_tmpdir("https");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_up)
        dg_test_httpsd_stop(&g_srv);
    if (g_tmp) {
        dg_test_rmtree(g_tmp);
        free(g_tmp);
    }
    return 0;
}

static int reset(void **state)
{
    (void)state;
    if (g_up)
        dg_test_httpsd_reset(&g_srv);
    return 0;
}

#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!g_up)                                                                                 \
            skip();                                                                                \
    } while (0)

/* A listing of inline documents at $.data, next page at $.links.next, bearer token. */
static dg_http_config http_inline(void)
{
    dg_http_config h = {.url = g_base,
                        .auth = "bearer",
                        .items = "$.data",
                        .id = "$.id",
                        .body = "$.content",
                        .next = "$.links.next",
                        .extension = "csv",
                        .ack_method = "DELETE",
                        .ack_template = "documents/{id}"};
    return h;
}

static dg_transport_config cfg_for(const dg_http_config *h)
{
    dg_transport_config c = {.kind = "https",
                             .password = "s3cret-token",
                             .ca_file = g_srv.cert_file,
                             .verify_tls = true,
                             .timeout_ms = 20000, /* TLS on a loaded 2-core machine took over 5 s */
                             .retries = 0,
                             .backoff_ms = 50,
                             .http = h};
    return c;
}

static dg_transport *open_ok(const dg_transport_config *c)
{
    dg_transport *t = NULL;
    dg_error err = {0};
    if (dg_transport_open(c, &t, &err))
        fail_msg("open: %s", err.msg);
    return t;
}

/* One listing of dir: its files (free them), their count and the error. */
typedef struct {
    dg_remote_file *files;
    size_t n;
    dg_error err;
    int rc;
} listing;

static listing list_dir(dg_transport *t, const char *dir)
{
    listing l = {0};
    l.rc = dg_transport_list(t, dir, &l.files, &l.n, &l.err);
    return l;
}

/* The same, failing the test when the listing fails. */
static listing list_ok(dg_transport *t, const char *dir)
{
    listing l = list_dir(t, dir);
    if (l.rc)
        fail_msg("list %s: %s", dir, l.err.msg);
    return l;
}

static const char *fetch_text(dg_transport *t, const char *path)
{
    static char text[4096];
    char local[1200], sha[DG_SHA256_HEX_LEN];
    snprintf(local, sizeof local, "%s/fetched", g_tmp);
    dg_error err = {0};
    uint64_t bytes = 0;
    if (dg_transport_fetch(t, path, local, sha, &bytes, &err))
        fail_msg("fetch %s: %s", path, err.msg);
    char *s = dg_test_read_file(local, NULL);
    snprintf(text, sizeof text, "%s", s ? s : "");
    free(s);
    assert_int_equal(bytes, strlen(text));
    return text;
}

static void script_three_pages(void)
{
    char p2[256];
    snprintf(p2, sizeof p2,
             "{\"data\":[{\"id\":\"A-3\",\"content\":\"sku,qty\\nC,3\\n\"}],\"links\":{\"next\":"
             "\"https://127.0.0.1:%d/v1/orders?page=3\"}}",
             g_srv.port);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, NULL,
                          "{\"data\":[{\"id\":\"A-1\",\"content\":\"sku,qty\\nA,1\\n\"},"
                          "{\"id\":2,\"content\":{\"sku\":\"B\",\"qty\":2}}],"
                          "\"links\":{\"next\":\"/v1/orders?page=2\"}}");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page=2", 200, NULL, p2);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page=3", 200, NULL,
                          "{\"data\":[{\"id\":\"x/../y\",\"content\":\"odd id\"},"
                          "{\"content\":\"no id\"}],\"links\":{\"next\":null}}");
}

static void test_pages_by_next_link(void **state)
{
    (void)state;
    NEED_SERVER();
    script_three_pages();
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "orders");
    dg_remote_file *files = l.files;
    dg_error err = {0};
    /* 5 items on 3 pages; the one without an id is left at the partner (logged) */
    assert_int_equal(l.n, 4);
    assert_string_equal(files[0].name, "A-1.csv");
    assert_int_equal(files[0].size, strlen("sku,qty\nA,1\n"));
    assert_int_equal(files[0].mtime, 0);
    assert_string_equal(files[1].name, "2.csv");
    assert_string_equal(files[2].name, "A-3.csv");
    /* an id that is no safe file name becomes one, with a hash so it stays one-to-one */
    assert_true(!strncmp(files[3].name, "x_.._y_", 7));
    assert_null(strchr(files[3].name, '/'));
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders"), 1);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page=2"), 1);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page=3"), 1);
    char auth[200];
    dg_test_httpsd_header(&g_srv, 0, "Authorization", auth, sizeof auth);
    assert_string_equal(auth, "Bearer s3cret-token");
    /* inline documents: a string as is, an object as compact JSON; no request to fetch */
    assert_string_equal(fetch_text(t, "orders/A-1.csv"), "sku,qty\nA,1\n");
    assert_string_equal(fetch_text(t, "orders/2.csv"), "{\"sku\":\"B\",\"qty\":2}");
    assert_int_equal(dg_test_httpsd_count(&g_srv), 3);
    dg_remote_file st;
    assert_int_equal(dg_transport_stat(t, "orders/2.csv", &st, &err), 0);
    assert_int_equal(st.size, strlen("{\"sku\":\"B\",\"qty\":2}"));
    assert_int_equal(dg_transport_stat(t, "orders/none.csv", &st, &err), DG_ENOTFOUND);
    /* after: delete acknowledges: DELETE below url; already gone is DG_ENOTFOUND */
    dg_test_httpsd_script(&g_srv, "DELETE", "/v1/documents/A-1", 204, NULL, NULL);
    assert_int_equal(dg_transport_remove(t, "orders/A-1.csv", &err), 0);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "DELETE", "/v1/documents/A-1"), 1);
    dg_test_httpsd_script(&g_srv, "DELETE", "/v1/documents/2", 404, NULL, NULL);
    assert_int_equal(dg_transport_remove(t, "orders/2.csv", &err), DG_ENOTFOUND);
    /* never moved */
    assert_int_equal(dg_transport_rename(t, "orders/A-3.csv", "done/A-3.csv", &err), DG_EINVAL);
    assert_non_null(strstr(err.msg, "cannot be moved"));
    free(files);
    dg_transport_close(t);
}

static void test_pages_by_cursor_and_linked_documents(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/inbox?state=new", 200, NULL,
                          "{\"items\":[{\"id\":\"d1\",\"href\":\"/v1/files/d1\"}],"
                          "\"meta\":{\"next_cursor\":\"c 2\"}}");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/inbox?state=new&after=c%202", 200, NULL,
                          "{\"items\":[{\"id\":\"d2\",\"href\":\"files/d2\"}],"
                          "\"meta\":{\"next_cursor\":\"\"}}");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/files/d1", 200, NULL, "<order id=\"1\"/>");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/files/d2", 200, NULL, "<order id=\"2\"/>");
    dg_http_config h = {.url = g_base,
                        .auth = "basic",
                        .items = "$.items",
                        .id = "$['id']",
                        .doc_url = "$.href",
                        .cursor = "$.meta.next_cursor",
                        .cursor_param = "after",
                        .extension = "xml"};
    dg_transport_config c = cfg_for(&h);
    c.user = "dropgate";
    c.password = "pa55";
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "inbox?state=new");
    dg_remote_file *files = l.files;
    dg_error err = {0};
    assert_int_equal(l.n, 2);
    assert_string_equal(files[0].name, "d1.xml");
    assert_string_equal(files[1].name, "d2.xml");
    assert_int_equal(files[0].size, 0); /* unknown until fetched */
    char auth[200];
    dg_test_httpsd_header(&g_srv, 0, "Authorization", auth, sizeof auth);
    assert_string_equal(auth, "Basic ZHJvcGdhdGU6cGE1NQ=="); /* dropgate:pa55 */
    assert_string_equal(fetch_text(t, "inbox?state=new/d1.xml"), "<order id=\"1\"/>");
    /* a relative link is relative to its page */
    assert_string_equal(fetch_text(t, "inbox?state=new/d2.xml"), "<order id=\"2\"/>");
    dg_remote_file st;
    assert_int_equal(dg_transport_stat(t, "inbox?state=new/d2.xml", &st, &err), 0);
    assert_int_equal(st.size, strlen("<order id=\"2\"/>"));
    /* no ack: configured: documents cannot be removed */
    assert_int_equal(dg_transport_remove(t, "inbox?state=new/d1.xml", &err), DG_EINVAL);
    free(files);
    dg_transport_close(t);
}

/* next: link-header follows the HTTP Link header's rel="next" (as storefront and code-hosting
 * APIs page), absolute or relative, among other rels; a page without one is the last. */
static void test_pages_by_link_header(void **state)
{
    (void)state;
    NEED_SERVER();
    char link1[256];
    snprintf(link1, sizeof link1,
             "Link: <https://127.0.0.1:%d/v1/orders?page_info=b2>; rel=\"next\"\r\n", g_srv.port);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, link1,
                          "[{\"id\":1,\"content\":\"one\"}]");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page_info=b2", 200,
                          "Link: </v1/orders?page_info=a1>; rel=\"previous\", "
                          "</v1/orders?page_info=c3>; rel=next\r\n",
                          "[{\"id\":2,\"content\":\"two\"}]");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page_info=c3", 200,
                          "Link: </v1/orders?page_info=b2>; rel=\"previous\"\r\n",
                          "[{\"id\":3,\"content\":\"three\"}]");
    dg_http_config h = http_inline();
    h.items = "$";
    h.next = "link-header";
    dg_transport_config c = cfg_for(&h);
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "orders");
    assert_int_equal(l.n, 3);
    assert_string_equal(l.files[2].name, "3.csv");
    assert_int_equal(dg_test_httpsd_count(&g_srv), 3);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page_info=a1"), 0);
    free(l.files);
    dg_transport_close(t);
}

/* The listing's paths are src/json paths that select one value: quoted names, an index from
 * the end, a null next link ends the paging; a path that may select several values (a wildcard,
 * a filter), refused at configuration load, is refused when a transport built in code is
 * opened, naming the path, before anything is asked of the server. */
static void test_listing_paths(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, NULL,
                          "{\"result\":{\"open orders\":[{\"ids\":[\"x\",\"A-7\"],\"doc\":\"one\"},"
                          "{\"ids\":[null],\"doc\":\"no id\"}]},\"next\":null}");
    dg_http_config h = http_inline();
    h.items = "$.result['open orders']";
    h.id = "$.ids[-1]";
    h.body = "$.doc";
    h.next = "$.next";
    dg_transport_config c = cfg_for(&h);
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "orders");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.files[0].name, "A-7.csv");
    assert_string_equal(fetch_text(t, "orders/A-7.csv"), "one");
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1);
    free(l.files);
    dg_transport_close(t);
    const char *bad[][2] = {{"$.data[*]", "no wildcards"},
                            {"$.data[?(@.state == 'new')]", "several values"},
                            {"data", "does not start with '$'"},
                            {"$..id", "recursive descent"}};
    for (size_t i = 0; i < 4; i++) {
        h.items = bad[i][0];
        dg_error err = {0};
        t = NULL;
        assert_int_equal(dg_transport_open(&c, &t, &err), DG_ECONFIG);
        assert_null(t);
        if (!strstr(err.msg, bad[i][1]) || !strstr(err.msg, "list: "))
            fail_msg("%s: %s", bad[i][0], err.msg);
    }
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1);
}

/* A listing that links to another host never gets our token: refused with the reason. */
static void test_foreign_links_refused(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, NULL,
                          "{\"data\":[{\"id\":\"a\",\"content\":\"x\"}],"
                          "\"links\":{\"next\":\"https://evil.example/steal\"}}");
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    dg_transport *t = open_ok(&c);
    listing l = list_dir(t, "orders");
    assert_int_equal(l.rc, DG_EVALID);
    assert_non_null(strstr(l.err.msg, "evil.example"));
    assert_non_null(strstr(l.err.msg, "refused"));
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1);
    dg_transport_close(t);
}

static void test_auth_failure(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 401, NULL, "{\"error\":\"invalid token\"}");
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    c.retries = 3;
    dg_transport *t = open_ok(&c);
    dg_test_capture_begin();
    listing l = list_dir(t, "orders");
    char *log = dg_test_capture_end();
    assert_int_equal(l.rc, DG_EAUTH);
    assert_non_null(strstr(l.err.msg, "HTTP 401"));
    assert_non_null(strstr(l.err.msg, "refused our credentials"));
    assert_non_null(strstr(l.err.msg, "invalid token")); /* the server's own words */
    assert_null(strstr(l.err.msg, "s3cret-token"));
    assert_null(strstr(log, "s3cret-token"));
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1); /* not retried */
    free(log);
    dg_transport_close(t);
}

static void test_tls_refused_unless_trusted(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, NULL, "{\"data\":[]}");
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    c.timeout_ms = 60000; /* loading the system CA store is slow under valgrind */
    const char *untrusted[] = {NULL, g_srv.other_ca_file};
    for (int i = 0; i < 2; i++) {
        c.ca_file = untrusted[i]; /* the system store, then an unrelated CA */
        dg_transport *t = open_ok(&c);
        listing l = list_dir(t, "orders");
        assert_int_equal(l.rc, DG_EHOSTKEY);
        assert_non_null(strstr(l.err.msg, "not trusted"));
        assert_non_null(strstr(l.err.msg, "ca_file"));
        dg_transport_close(t);
    }
    assert_int_equal(dg_test_httpsd_count(&g_srv), 0); /* nothing was asked of an untrusted host */
    c.ca_file = g_srv.cert_file;
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "orders");
    assert_int_equal(l.n, 0);
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1);
    free(l.files);
    dg_transport_close(t);
}

static void write_po(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", g_tmp, name);
    dg_test_write_file(path, text);
}

/* 500, a dropped connection, 429 with Retry-After: 1, then 201: one PUT succeeds, the server saw
 * four requests with the same body and the same Idempotency-Key, and waited out Retry-After. */
static void test_send_retried_with_one_key(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "PUT", "/v1/po/PO_1.json", 500, NULL, "{\"error\":\"oops\"}");
    dg_test_httpsd_script(&g_srv, "PUT", "/v1/po/PO_1.json", 0, NULL, NULL);
    dg_test_httpsd_script(&g_srv, "PUT", "/v1/po/PO_1.json", 429, "Retry-After: 1\r\n", NULL);
    dg_test_httpsd_script(&g_srv, "PUT", "/v1/po/PO_1.json", 201, NULL, "{\"ok\":true}");
    dg_http_config h = http_inline();
    h.send_method = "PUT";
    dg_transport_config c = cfg_for(&h);
    c.retries = 4;
    dg_transport *t = open_ok(&c);
    char local[1200];
    write_po("PO_1.json", "{\"po\":\"1\"}", local, sizeof local);
    dg_error err = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (dg_transport_put(t, local, "po", "PO_1.json", &err))
        fail_msg("put: %s", err.msg);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double waited = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(waited >= 0.95); /* Retry-After: 1, though the backoff was only 200 ms */
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "PUT", "/v1/po/PO_1.json"), 4);
    char key0[128], key[128], ct[128], body[256];
    dg_test_httpsd_header(&g_srv, 0, "Idempotency-Key", key0, sizeof key0);
    assert_true(strlen(key0) > 20);
    for (int i = 1; i < 4; i++) {
        dg_test_httpsd_header(&g_srv, i, "Idempotency-Key", key, sizeof key);
        assert_string_equal(key, key0);
        dg_test_httpsd_request(&g_srv, i, NULL, 0, NULL, 0, body, sizeof body);
        assert_string_equal(body, "{\"po\":\"1\"}");
    }
    dg_test_httpsd_header(&g_srv, 3, "Content-Type", ct, sizeof ct);
    assert_string_equal(ct, "application/json");
    dg_transport_close(t);

    /* A restart sends the same file with the same key; another file gets another key. */
    t = open_ok(&c);
    assert_int_equal(dg_transport_put(t, local, "po", "PO_1.json", &err), 0);
    dg_test_httpsd_header(&g_srv, 4, "Idempotency-Key", key, sizeof key);
    assert_string_equal(key, key0);
    char other[1200];
    write_po("PO_2.json", "{\"po\":\"2\"}", other, sizeof other);
    dg_test_httpsd_script(&g_srv, "PUT", "/v1/po/PO_2.json", 201, NULL, NULL);
    assert_int_equal(dg_transport_put(t, other, "po", "PO_2.json", &err), 0);
    dg_test_httpsd_header(&g_srv, 5, "Idempotency-Key", key, sizeof key);
    assert_string_not_equal(key, key0);
    dg_transport_close(t);
}

/* A 4xx other than 408/429 is the partner's final word: not retried, reported with the status
 * and what the server said. POST goes to the folder. */
static void test_client_error_not_retried(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "POST", "/v1/po", 422, NULL, "{\"error\":\"unknown sku ZZ-9\"}");
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    c.retries = 3;
    dg_transport *t = open_ok(&c);
    char local[1200];
    write_po("PO_3.csv", "sku,qty\nZZ-9,1\n", local, sizeof local);
    dg_error err = {0};
    assert_int_equal(dg_transport_put(t, local, "po", "PO_3.csv", &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "HTTP 422"));
    assert_non_null(strstr(err.msg, "unknown sku ZZ-9"));
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "POST", "/v1/po"), 1);
    char ct[128];
    dg_test_httpsd_header(&g_srv, 0, "Content-Type", ct, sizeof ct);
    assert_string_equal(ct, "text/csv");
    dg_transport_close(t);
}

/* A listing page that fails (500, a dropped connection) is asked again; the listing is whole. */
static void test_listing_retried(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders", 200, NULL,
                          "{\"data\":[{\"id\":\"a\",\"content\":\"1\"}],"
                          "\"links\":{\"next\":\"/v1/orders?page=2\"}}");
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page=2", 503, NULL, NULL);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page=2", 0, NULL, NULL);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/orders?page=2", 200, NULL,
                          "{\"data\":[{\"id\":\"b\",\"content\":\"2\"}]}");
    dg_http_config h = http_inline();
    dg_transport_config c = cfg_for(&h);
    c.retries = 2;
    dg_transport *t = open_ok(&c);
    listing l = list_ok(t, "orders");
    assert_int_equal(l.n, 2);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page=2"), 3);
    free(l.files);
    dg_transport_close(t);
}

/* A listing stops following pages once it holds max_bytes of inline documents (or max_pages
 * pages): what it has is taken, the rest waits for a later poll; memory stays bounded. */
static void test_listing_limits(void **state)
{
    (void)state;
    NEED_SERVER();
    script_three_pages();
    dg_http_config h = http_inline();
    h.max_bytes = 10; /* page 1 holds 12 + 19 bytes */
    dg_transport_config c = cfg_for(&h);
    dg_transport *t = open_ok(&c);
    dg_log_set_level(DG_LOG_WARN);
    dg_test_capture_begin();
    listing l = list_dir(t, "orders");
    char *log = dg_test_capture_end();
    dg_log_set_level(DG_LOG_ERROR);
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page=2"), 0);
    assert_non_null(strstr(log, "outcome=listing-limit"));
    free(log);
    free(l.files);
    /* a listing again replaces the folder's documents: the limit holds across polls */
    l = list_ok(t, "orders");
    assert_int_equal(l.n, 2);
    free(l.files);
    h.max_bytes = 0;
    h.max_pages = 2;
    dg_transport_close(t);
    t = open_ok(&c);
    l = list_ok(t, "orders");
    assert_int_equal(l.n, 3);
    assert_int_equal(dg_test_httpsd_hits(&g_srv, "GET", "/v1/orders?page=3"), 0);
    free(l.files);
    dg_transport_close(t);
}

int main(void)
{
    dg_log_set_level(DG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pages_by_next_link, reset),
        cmocka_unit_test_setup(test_pages_by_cursor_and_linked_documents, reset),
        cmocka_unit_test_setup(test_pages_by_link_header, reset),
        cmocka_unit_test_setup(test_listing_paths, reset),
        cmocka_unit_test_setup(test_foreign_links_refused, reset),
        cmocka_unit_test_setup(test_auth_failure, reset),
        cmocka_unit_test_setup(test_tls_refused_unless_trusted, reset),
        cmocka_unit_test_setup(test_send_retried_with_one_key, reset),
        cmocka_unit_test_setup(test_client_error_not_retried, reset),
        cmocka_unit_test_setup(test_listing_retried, reset),
        cmocka_unit_test_setup(test_listing_limits, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
