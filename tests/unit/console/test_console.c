/* The console's guards on their own: HTML escaping (markup, quotes, bad UTF-8, control bytes),
 * form decoding, the token (env, private file, too short), sessions, CSRF tokens (bound to the
 * credential and to this process's key), the Origin check and the listen-address policy. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console/console.h"
#include "gateway/gateway.h"

static char *esc(const char *in)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "");
    dg_html_escape(&b, in);
    return dg_buf_take(&b);
}

static void escaping(void **state)
{
    (void)state;
    char *s = esc("<script>alert(\"x\")</script>&'");
    assert_string_equal(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    free(s);
    s = esc("Z\xc3\xbcrich \xe2\x82\xac 5\tok\n");
    assert_string_equal(s, "Z\xc3\xbcrich \xe2\x82\xac 5\tok\n");
    free(s);
    /* a lone byte, an overlong '<', a surrogate, ESC and DEL: each one U+FFFD, nothing raw */
    s = esc("a\xff"
            "b\xc0\xbc"
            "c\xed\xa0\x80"
            "d\x1b[31me\x7f");
    assert_null(strchr(s, '<'));
    assert_null(strchr(s, '\x1b'));
    assert_string_equal(s, "a\xef\xbf\xbd"
                           "b\xef\xbf\xbd\xef\xbf\xbd"
                           "c\xef\xbf\xbd\xef\xbf\xbd"
                           "\xef\xbf\xbd"
                           "d\xef\xbf\xbd[31me\xef\xbf\xbd");
    free(s);
    s = esc(NULL);
    assert_string_equal(s, "");
    free(s);
    dg_buf b = DG_BUF_INIT;
    dg_html_url_encode(&b, "a b&c/\xc3\xa9\"<");
    assert_string_equal(b.data, "a%20b%26c%2F%C3%A9%22%3C");
    dg_buf_free(&b);
}

static void forms(void **state)
{
    (void)state;
    dg_form f;
    dg_error err = {0};
    const char *body = "a=1&b=x+y%21&c=&d&&e=%3Cb%3E";
    assert_int_equal(dg_form_parse(body, strlen(body), &f, &err), 0);
    assert_string_equal(dg_form_get(&f, "a"), "1");
    assert_string_equal(dg_form_get(&f, "b"), "x y!");
    assert_string_equal(dg_form_get(&f, "c"), "");
    assert_string_equal(dg_form_get(&f, "d"), "");
    assert_string_equal(dg_form_get(&f, "e"), "<b>");
    assert_null(dg_form_get(&f, "z"));
    dg_form_free(&f);
    static const char *const bad[] = {"a=%zz", "a=%4", "a=%", "a=%00b", "%0=1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(dg_form_parse(bad[i], strlen(bad[i]), &f, &err), DG_EINVAL);
        assert_int_equal(f.n, 0);
    }
    char many[400] = "";
    for (int i = 0; i < 33; i++)
        strcat(many, "x=1&");
    assert_int_equal(dg_form_parse(many, strlen(many), &f, &err), DG_EINVAL);
    assert_non_null(strstr(err.msg, "more than 32"));
    /* a NUL byte inside the body is refused, not a silent cut */
    assert_int_equal(dg_form_parse("a=1\0b=2", 7, &f, &err), DG_EINVAL);
}

static void tokens(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("console-token");
    char path[4096];
    snprintf(path, sizeof path, "%s/token", dir);
    char *t = NULL;
    dg_error err = {0};
    unsetenv("DG_CONSOLE_TOKEN");
    assert_int_equal(dg_console_token_load(NULL, &t, &err), 0);
    assert_null(t); /* none: read-only */
    dg_test_write_secret(path, "0123456789abcdef0123\n");
    assert_int_equal(dg_console_token_load(path, &t, &err), 0);
    assert_string_equal(t, "0123456789abcdef0123");
    dg_console_token_free(t);
    chmod(path, 0644);
    assert_int_equal(dg_console_token_load(path, &t, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(t);
    dg_test_write_secret(path, "short\n");
    assert_int_equal(dg_console_token_load(path, &t, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "at least 16"));
    assert_null(strstr(err.msg, "short")); /* the token itself is never in a message */
    /* the environment wins over the file */
    setenv("DG_CONSOLE_TOKEN", "from-the-environment-1", 1);
    assert_int_equal(dg_console_token_load(path, &t, &err), 0);
    assert_string_equal(t, "from-the-environment-1");
    dg_console_token_free(t);
    setenv("DG_CONSOLE_TOKEN", "tooshort", 1);
    assert_int_equal(dg_console_token_load(NULL, &t, &err), DG_ECONFIG);
    unsetenv("DG_CONSOLE_TOKEN");
    dg_test_rmtree(dir);
    free(dir);
}

static void sessions_and_csrf(void **state)
{
    (void)state;
    const char *token = "0123456789abcdef0123";
    dg_console_auth *a = dg_console_auth_new(token), *b = dg_console_auth_new(token);
    dg_console_auth *ro = dg_console_auth_new(NULL);
    assert_true(dg_console_auth_writable(a));
    assert_false(dg_console_auth_writable(ro));
    assert_true(dg_console_auth_token_ok(a, token));
    assert_false(dg_console_auth_token_ok(a, "0123456789abcdef012"));
    assert_false(dg_console_auth_token_ok(a, "0123456789abcdef01234"));
    assert_false(dg_console_auth_token_ok(a, NULL));
    assert_false(dg_console_auth_token_ok(ro, token));
    assert_false(dg_console_auth_token_ok(ro, ""));
    char id[32];
    dg_console_auth_token_id(a, id);
    assert_int_equal(strncmp(id, "token:", 6), 0);
    assert_int_equal(strlen(id), 18);
    assert_null(strstr(id, "0123456789"));

    char sid[65], sid2[65];
    assert_int_equal(dg_console_auth_session_new(a, 1000, sid), 0);
    assert_int_equal(dg_console_auth_session_new(a, 1000, sid2), 0);
    assert_int_equal(strlen(sid), 64);
    assert_string_not_equal(sid, sid2);
    assert_true(dg_console_auth_session_ok(a, sid, 1000 + 3600));
    assert_false(dg_console_auth_session_ok(a, sid, 1000 + 13 * 3600)); /* expired */
    assert_false(dg_console_auth_session_ok(b, sid, 1000));             /* another process */
    dg_console_auth_session_end(a, sid);
    assert_false(dg_console_auth_session_ok(a, sid, 1000));
    assert_true(dg_console_auth_session_ok(a, sid2, 1000));

    char c1[65], c2[65], cb[65];
    dg_console_auth_csrf(a, "session:x", c1);
    dg_console_auth_csrf(a, "session:y", c2);
    dg_console_auth_csrf(b, "session:x", cb);
    assert_int_equal(strlen(c1), 64);
    assert_true(dg_console_auth_csrf_ok(a, "session:x", c1));
    assert_string_not_equal(c1, c2); /* bound to the credential */
    assert_false(dg_console_auth_csrf_ok(a, "session:y", c1));
    assert_string_not_equal(c1, cb); /* and to this process's key */
    assert_false(dg_console_auth_csrf_ok(b, "session:x", c1));
    c1[10] = c1[10] == 'a' ? 'b' : 'a';
    assert_false(dg_console_auth_csrf_ok(a, "session:x", c1));
    assert_false(dg_console_auth_csrf_ok(a, "session:x", ""));
    assert_false(dg_console_auth_csrf_ok(a, "session:x", NULL));
    dg_console_auth_free(a);
    dg_console_auth_free(b);
    dg_console_auth_free(ro);
}

static void origins(void **state)
{
    (void)state;
    assert_true(dg_console_origin_ok(NULL, "127.0.0.1:8080"));
    assert_true(dg_console_origin_ok("http://127.0.0.1:8080", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("http://evil.example", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("http://127.0.0.1:8081", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("http://127.0.0.1:8080.evil.example", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("https://127.0.0.1:8080", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("null", "127.0.0.1:8080"));
    assert_false(dg_console_origin_ok("http://127.0.0.1:8080", NULL));
}

static void listen_addresses(void **state)
{
    (void)state;
    dg_console_addr a;
    dg_error err = {0};
    assert_int_equal(dg_console_parse_listen("127.0.0.1:8080", &a, &err), 0);
    assert_true(a.loopback);
    assert_int_equal(a.port, 8080);
    assert_int_equal(dg_console_parse_listen("localhost:0", &a, &err), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_true(a.loopback);
    assert_int_equal(dg_console_parse_listen("127.9.9.9:1", &a, &err), 0);
    assert_true(a.loopback);
    assert_int_equal(dg_console_parse_listen("[::1]:9000", &a, &err), 0);
    assert_true(a.ipv6 && a.loopback);
    assert_int_equal(dg_console_parse_listen("0.0.0.0:80", &a, &err), 0);
    assert_false(a.loopback);
    assert_int_equal(dg_console_parse_listen("[::]:80", &a, &err), 0);
    assert_false(a.loopback);
    assert_int_equal(dg_console_parse_listen("10.1.2.3:80", &a, &err), 0);
    assert_false(a.loopback);
    static const char *const bad[] = {"example.com:80",  ":80",        "127.0.0.1",
                                      "127.0.0.1:99999", "127.0.0.1:", "[::1:80",
                                      "127.0.0.1:8x",    "",           "[fe80::zz]:1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(dg_console_parse_listen(bad[i], &a, &err), DG_EINVAL);
}

static void refuses_remote_unless_allowed(void **state)
{
    (void)state;
    unsetenv("DG_CONSOLE_TOKEN");
    dg_gw_config cfg = {.file = "etc/dropgate.yaml",
                        .console_listen = "127.0.0.1:0",
                        .db_path = "/nonexistent/dropgate.db"};
    dg_console *c = NULL;
    dg_error err = {0};
    assert_int_equal(dg_console_start(&cfg, "0.0.0.0:0", &c, &err), DG_ECONFIG);
    assert_null(c);
    assert_non_null(strstr(err.msg, "allow_remote"));
    /* loopback: serves, on the port the system picked, read-only without a token */
    assert_int_equal(dg_console_start(&cfg, NULL, &c, &err), 0);
    assert_true(dg_console_port(c) > 0);
    assert_false(dg_console_writable(c));
    dg_console_stop(c);
    cfg.console_allow_remote = true;
    assert_int_equal(dg_console_start(&cfg, "0.0.0.0:0", &c, &err), 0);
    dg_console_stop(c);
}

/* The console: block of etc/dropgate.yaml: defaults, values, and unknown keys refused. */
static void console_config(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("console-config");
    char path[4096], yaml[4096];
    snprintf(path, sizeof path, "%s/etc/partners/.keep", dir);
    dg_test_write_file(path, "");
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", dir);
    dg_test_write_file(path, "state_dir: var\n");
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(dg_gw_config_load(path, NULL, &cfg, &err), 0);
    assert_string_equal(cfg->console_listen, DG_GW_CONSOLE_LISTEN);
    assert_false(cfg->console_allow_remote);
    assert_null(cfg->console_token_file);
    dg_gw_config_free(cfg);
    dg_test_write_file(path, "console:\n  listen: 0.0.0.0:9090\n  allow_remote: true\n"
                             "  token_file: etc/console.token\n");
    assert_int_equal(dg_gw_config_load(path, NULL, &cfg, &err), 0);
    assert_string_equal(cfg->console_listen, "0.0.0.0:9090");
    assert_true(cfg->console_allow_remote);
    snprintf(yaml, sizeof yaml, "%s/etc/console.token", dir);
    assert_string_equal(cfg->console_token_file, yaml);
    dg_gw_config_free(cfg);
    dg_test_write_file(path, "console:\n  listen: 127.0.0.1:1\n  tokenfile: x\n");
    assert_int_equal(dg_gw_config_load(path, NULL, &cfg, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "tokenfile"));
    assert_null(cfg);
    dg_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping),
        cmocka_unit_test(forms),
        cmocka_unit_test(tokens),
        cmocka_unit_test(sessions_and_csrf),
        cmocka_unit_test(origins),
        cmocka_unit_test(listen_addresses),
        cmocka_unit_test(refuses_remote_unless_allowed),
        cmocka_unit_test(console_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
