/* kind: https in a partner's transport block: the keys it takes, secrets from env or file only
 * (token or password), defaults, what the transport can do (caps), and errors naming file:line. */
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "testutil.h"
#include "transport/transport.h"

static int load(const char *yaml, dg_arena *a, dg_transport_config *c, dg_error *err,
                dg_node **root)
{
    int rc = dg_conf_parse(yaml, strlen(yaml), "partner.yaml", root, err);
    assert_int_equal(rc, 0);
    return dg_transport_config_load(dg_conf_get(*root, "transport"), a, c, err);
}

/* code: DG_ECONFIG for a wrong block; DG_EAUTH for a secret that is not there (the gateway
 * skips that partner and goes on with the others). */
static void expect_code(int code, const char *yaml, const char *where, const char *text)
{
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    int rc = load(yaml, a, &c, &err, &root);
    if (rc != code || !strstr(err.msg, where) || !strstr(err.msg, text))
        fail_msg("yaml:\n%s\nwanted %d with '%s' and '%s', got %d: %s", yaml, code, where, text, rc,
                 err.msg);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void expect_error(const char *yaml, const char *where, const char *text)
{
    expect_code(DG_ECONFIG, yaml, where, text);
}

static void test_full_block(void **state)
{
    (void)state;
    setenv("DG_TEST_API_TOKEN", "tok-123", 1);
    const char *y = "transport:\n"
                    "  kind: https\n"
                    "  url: https://api.acme.example:8443/v2\n"
                    "  token_env: DG_TEST_API_TOKEN\n"
                    "  ca_file: certs/acme-ca.pem\n"
                    "  timeout: 20s\n"
                    "  retries: 5\n"
                    "  list:\n"
                    "    items: $.documents\n"
                    "    id: $.id\n"
                    "    body: $.payload\n"
                    "    cursor: $.meta.next_cursor\n"
                    "    cursor_param: cursor\n"
                    "    extension: json\n"
                    "  ack: {method: POST, url: 'documents/{id}/ack'}\n"
                    "  send: {method: PUT, content_type: application/json}\n";
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    if (load(y, a, &c, &err, &root))
        fail_msg("%s", err.msg);
    assert_string_equal(c.kind, "https");
    assert_non_null(c.http);
    assert_string_equal(c.http->url, "https://api.acme.example:8443/v2");
    assert_string_equal(c.http->auth, "bearer"); /* a token means bearer */
    assert_string_equal(c.password, "tok-123");
    assert_string_equal(c.http->items, "$.documents");
    assert_string_equal(c.http->cursor_param, "cursor");
    assert_int_equal(c.http->max_pages, 1000);
    assert_string_equal(c.http->ack_method, "POST");
    assert_string_equal(c.http->send_method, "PUT");
    assert_int_equal(c.timeout_ms, 20000);
    assert_int_equal(c.retries, 5);
    dg_transport_caps k = dg_transport_config_caps(&c);
    assert_true(k.whole_files && k.can_list && k.can_remove && !k.can_move);
    dg_conf_free(root);

    /* send only (a supplier that takes POs): nothing to list, nothing to acknowledge */
    assert_int_equal(
        load("transport:\n  kind: https\n  url: https://po.example\n", a, &c, &err, &root), 0);
    assert_string_equal(c.http->auth, "none");
    k = dg_transport_config_caps(&c);
    assert_false(k.can_list);
    assert_false(k.can_remove);
    dg_conf_free(root);
    /* next: link-header follows the HTTP Link header instead of a path in the page */
    assert_int_equal(load("transport:\n  kind: https\n  url: https://po.example\n"
                          "  list: {body: $.c, next: link-header}\n",
                          a, &c, &err, &root),
                     0);
    assert_string_equal(c.http->next, "link-header");
    dg_conf_free(root);
    /* other kinds keep every capability */
    assert_int_equal(load("transport:\n  kind: local\n  root: x\n", a, &c, &err, &root), 0);
    k = dg_transport_config_caps(&c);
    assert_true(k.can_list && k.can_remove && k.can_move && !k.whole_files);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    unsetenv("DG_TEST_UNSET_TOKEN");
    setenv("DG_TEST_API_TOKEN", "tok-123", 1);
    setenv("DG_TEST_API_PW", "pw", 1);
    const char *h = "transport:\n  kind: https\n";
    char y[1024];
#define ERR(extra, line, text)                                                                     \
    do {                                                                                           \
        snprintf(y, sizeof y, "%s%s", h, extra);                                                   \
        expect_error(y, line, text);                                                               \
    } while (0)
    ERR("", "partner.yaml:2", "missing key 'url'");
    ERR("  url: http://api.example/v1\n", "partner.yaml:3", "not https");
    ERR("  url: https://me:pw@api.example/v1\n", "partner.yaml:3", "user name or password");
    ERR("  url: https://api.example/v1?x=1\n", "partner.yaml:3", "query");
    ERR("  url: https://api.example\n  host: api.example\n", "partner.yaml:4", "not used by kind");
    ERR("  url: https://api.example\n  verify_tls: false\n", "partner.yaml:4", "not offered");
    ERR("  url: https://api.example\n  token: abc\n", "partner.yaml:4", "unknown key 'token'");
    snprintf(y, sizeof y, "%s%s", h,
             "  url: https://api.example\n  token_env: DG_TEST_UNSET_TOKEN\n");
    expect_code(DG_EAUTH, y, "partner.yaml:4", "DG_TEST_UNSET_TOKEN");
    ERR("  url: https://api.example\n  token_env: DG_TEST_API_TOKEN\n"
        "  password_env: DG_TEST_API_PW\n",
        "partner.yaml:4", "keep one");
    ERR("  url: https://api.example\n  auth: bearer\n", "partner.yaml:4", "token_env");
    ERR("  url: https://api.example\n  auth: basic\n  password_env: DG_TEST_API_PW\n",
        "partner.yaml:4", "needs user");
    ERR("  url: https://api.example\n  auth: digest\n", "partner.yaml:4", "'digest'");
    ERR("  url: https://api.example\n  list: {items: $.data}\n", "partner.yaml:4",
        "say where each document is");
    ERR("  url: https://api.example\n  list: {items: data, body: $.c}\n", "partner.yaml:4",
        "does not start with '$'");
    ERR("  url: https://api.example\n  list: {items: '$.data[*]', body: $.c}\n", "partner.yaml:4",
        "no wildcards");
    ERR("  url: https://api.example\n  list: {items: \"$.data[?(@.s == 'new')]\", body: $.c}\n",
        "partner.yaml:4", "items: JSON path '$.data[?(@.s == 'new')]' may select several values");
    ERR("  url: https://api.example\n  list: {body: '$..c'}\n", "partner.yaml:4",
        "body: '$..c' is not a JSON path: '..' (recursive descent) is not supported");
    ERR("  url: https://api.example\n  list: {body: $.c, next: $.n, cursor: $.c, "
        "cursor_param: c}\n",
        "partner.yaml:4", "keep one");
    ERR("  url: https://api.example\n  list: {body: $.c, cursor: $.c}\n", "partner.yaml:4",
        "cursor_param");
    ERR("  url: https://api.example\n  list: {document: 'docs/x'}\n", "partner.yaml:4", "{id}");
    ERR("  url: https://api.example\n  list: {body: $.c, extension: 'j/s'}\n", "partner.yaml:4",
        "extension");
    ERR("  url: https://api.example\n  list: {body: $.c, bodyy: $.d}\n", "partner.yaml:4", "bodyy");
    ERR("  url: https://api.example\n  ack: {method: GET, url: 'd/{id}'}\n", "partner.yaml:4",
        "'GET'");
    ERR("  url: https://api.example\n  ack: {method: DELETE}\n", "partner.yaml:4", "{id}");
    ERR("  url: https://api.example\n  send: {method: PATCH}\n", "partner.yaml:4", "'PATCH'");
    ERR("  url: https://api.example\n  list: [items]\n", "partner.yaml:4", "not a list");
    /* https-only keys on other kinds */
    expect_error("transport:\n  kind: local\n  root: x\n  url: https://a.example\n",
                 "partner.yaml:4", "only for kind: https");
#undef ERR
}

/* A named secret that is not there is DG_EAUTH (the gateway skips the partner), and the block is
 * still read whole: the gateway's drops need to know what the transport can do. */
static void test_missing_secret_still_reads_the_block(void **state)
{
    (void)state;
    unsetenv("DG_TEST_UNSET_TOKEN");
    unsetenv("DG_TEST_UNSET_PW");
    const char *ys[] = {"transport:\n  kind: https\n  url: https://a.example\n"
                        "  token_env: DG_TEST_UNSET_TOKEN\n"
                        "  list: {body: $.c}\n  ack: {url: 'd/{id}'}\n",
                        "transport:\n  kind: https\n  url: https://a.example\n  user: u\n"
                        "  password_env: DG_TEST_UNSET_PW\n"
                        "  list: {body: $.c}\n  ack: {url: 'd/{id}'}\n"};
    const char *names[] = {"DG_TEST_UNSET_TOKEN", "DG_TEST_UNSET_PW"};
    for (int i = 0; i < 2; i++) {
        dg_arena *a = dg_arena_new();
        dg_transport_config c;
        dg_error err = {0};
        dg_node *root = NULL;
        assert_int_equal(load(ys[i], a, &c, &err, &root), DG_EAUTH);
        assert_non_null(strstr(err.msg, names[i]));
        assert_non_null(c.http);
        assert_string_equal(c.http->auth, i ? "basic" : "bearer");
        dg_transport_caps k = dg_transport_config_caps(&c);
        assert_true(k.can_list && k.can_remove);
        dg_conf_free(root);
        dg_arena_free(a);
    }
}

/* token_file: the first line, from a file only its owner may read; one others may read is
 * refused naming the file (as ssh refuses such a key). */
static void test_token_file(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("https_token");
    char path[1200], y[2048];
    snprintf(path, sizeof path, "%s/token", dir);
    dg_test_write_secret(path, "tok-from-file\n");
    snprintf(y, sizeof y, "transport:\n  kind: https\n  url: https://a.example\n  token_file: %s\n",
             path);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    if (load(y, a, &c, &err, &root))
        fail_msg("%s", err.msg);
    assert_string_equal(c.password, "tok-from-file");
    assert_string_equal(c.http->auth, "bearer");
    dg_conf_free(root);
    dg_arena_free(a);
    assert_int_equal(chmod(path, 0644), 0);
    expect_error(y, "partner.yaml:4", path);
    dg_test_rmtree(dir);
    free(dir);
}

/* The example partner shipped in etc/examples loads (with its secret set). */
static void test_example_loads(void **state)
{
    (void)state;
    setenv("ACME_API_TOKEN", "example-token", 1);
    dg_node *root = NULL;
    dg_error err = {0};
    const char *path = dg_test_path("etc/examples/https-supplier.yaml.example");
    if (dg_conf_load(path, &root, &err))
        fail_msg("%s", err.msg);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    if (dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(c.kind, "https");
    assert_true(dg_transport_config_caps(&c).can_list);
    dg_conf_free(root);
    dg_arena_free(a);
}

int main(void)
{
    dg_log_set_level(DG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_block),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_token_file),
        cmocka_unit_test(test_missing_secret_still_reads_the_block),
        cmocka_unit_test(test_example_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
