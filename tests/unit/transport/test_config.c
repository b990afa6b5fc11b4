/* dg_transport_config_load: the keys etc/ uses, secrets from env/file only, defaults, and
 * errors that name file:line. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void test_defaults_and_local(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    assert_int_equal(load("transport:\n  kind: local\n  root: drops/x\n", a, &c, &err, &root), 0);
    assert_string_equal(c.kind, "local");
    assert_string_equal(c.root, "drops/x");
    assert_true(c.strict_host_key);
    assert_true(c.verify_tls);
    assert_int_equal(c.timeout_ms, 30000);
    assert_int_equal(c.retries, 3);
    assert_int_equal(c.backoff_ms, 500);
    assert_int_equal(c.keepalive_s, 30);
    assert_null(c.password);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_sftp_with_env_secret(void **state)
{
    (void)state;
    setenv("DG_TEST_SFTP_PW", "pw-from-env", 1);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    const char *y = "name: acme\n"
                    "transport:\n"
                    "  kind: sftp\n"
                    "  host: sftp.acme.example\n"
                    "  port: 2222\n"
                    "  user: dropgate\n"
                    "  password_env: DG_TEST_SFTP_PW\n"
                    "  known_hosts: /etc/dropgate/known_hosts\n"
                    "  timeout_ms: 15000\n"
                    "  retries: 5\n"
                    "  backoff: 2s\n"
                    "  keepalive: 1m\n";
    assert_int_equal(load(y, a, &c, &err, &root), 0);
    assert_string_equal(c.kind, "sftp");
    assert_string_equal(c.host, "sftp.acme.example");
    assert_int_equal(c.port, 2222);
    assert_string_equal(c.user, "dropgate");
    assert_string_equal(c.password, "pw-from-env");
    assert_string_equal(c.known_hosts, "/etc/dropgate/known_hosts");
    assert_int_equal(c.timeout_ms, 15000);
    assert_int_equal(c.retries, 5);
    assert_int_equal(c.backoff_ms, 2000);
    assert_int_equal(c.keepalive_s, 60);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_secret_files_and_tls(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("tconf");
    char pw[4200], pp[4200], yaml[9000];
    snprintf(pw, sizeof pw, "%s/pw", dir);
    snprintf(pp, sizeof pp, "%s/pp", dir);
    dg_test_write_secret(pw, "file-secret\n");
    dg_test_write_secret(pp, "phrase\r\n");
    snprintf(yaml, sizeof yaml,
             "transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n"
             "  ca_file: /etc/ca.pem\n  verify_tls: false\n  timeout: 500ms\n",
             pw);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    assert_int_equal(load(yaml, a, &c, &err, &root), 0);
    assert_string_equal(c.password, "file-secret");
    assert_string_equal(c.ca_file, "/etc/ca.pem");
    assert_false(c.verify_tls);
    assert_int_equal(c.timeout_ms, 500);
    dg_conf_free(root);
    snprintf(yaml, sizeof yaml,
             "transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: /k\n"
             "  passphrase_file: %s\n  strict_host_key: false\n",
             pp);
    assert_int_equal(load(yaml, a, &c, &err, &root), 0);
    assert_string_equal(c.key_passphrase, "phrase");
    assert_string_equal(c.key_file, "/k");
    assert_false(c.strict_host_key);
    dg_conf_free(root);
    dg_arena_free(a);
    dg_test_rmtree(dir);
    free(dir);
}

/* Each bad config: the error names partner.yaml:<line> and what is wrong. */
/* code: DG_ECONFIG for a wrong file; DG_EAUTH for a right file whose secret is missing (the
 * gateway skips that partner and goes on with the others). */
static void expect_code(int code, const char *yaml, const char *where, const char *what)
{
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    int rc = load(yaml, a, &c, &err, &root);
    if (rc != code || !strstr(err.msg, where) || !strstr(err.msg, what))
        fprintf(stderr, "yaml:\n%s\ngot %d: %s\n", yaml, rc, err.msg);
    assert_int_equal(rc, code);
    assert_non_null(strstr(err.msg, where));
    assert_non_null(strstr(err.msg, what));
    dg_conf_free(root);
    dg_arena_free(a);
}

static void expect_error(const char *yaml, const char *where, const char *what)
{
    expect_code(DG_ECONFIG, yaml, where, what);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    unsetenv("DG_TEST_UNSET_VAR");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  password: hunter2\n",
                 "partner.yaml:5", "password_env");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  pasword_env: X\n",
                 "partner.yaml:5", "unknown key 'pasword_env'");
    expect_error("transport:\n  kind: gopher\n", "partner.yaml:2", "gopher");
    expect_error("transport:\n  root: x\n", "partner.yaml:2", "missing key 'kind'");
    expect_error("transport:\n  kind: sftp\n  user: u\n  key_file: k\n", "partner.yaml:2",
                 "missing key 'host'");
    expect_code(DG_EAUTH,
                "transport:\n  kind: sftp\n  host: h\n  user: u\n"
                "  password_env: DG_TEST_UNSET_VAR\n  known_hosts: k\n",
                "partner.yaml:5", "DG_TEST_UNSET_VAR");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  known_hosts: k\n",
                 "partner.yaml:2", "no credentials");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: k\n",
                 "partner.yaml:2", "known_hosts");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  port: 70000\n", "partner.yaml:5",
                 "port");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  timeout: soon\n",
                 "partner.yaml:5", "duration");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  verify_tls: maybe\n",
                 "partner.yaml:5", "verify_tls");
    expect_code(DG_EAUTH,
                "transport:\n  kind: ftp\n  host: h\n  user: u\n  password_file: /nonexistent/pw\n",
                "partner.yaml:5", "cannot read secret file");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  passive: false\n",
                 "partner.yaml:5", "passive");
    expect_error("transport: local\n", "partner.yaml:1", "expected a map");
}

/* Wrong shapes of the transport block and of its values: file:line, never ignored. */
static void test_wrong_shapes(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"transport: [kind, local]\n", "partner.yaml:1", "expected a map"},
        {"transport:\n  - kind: local\n", "partner.yaml:2", "expected a map"},
        {"transport:\n", "partner.yaml:1", "expected a map"},
        {"transport: ~\n", "partner.yaml:1", "expected a map"},
        {"transport: {kind: [local]}\n", "partner.yaml:1",
         "'kind' in transport must be text, not a list"},
        {"transport:\n  kind: ftp\n  host: {a: b}\n", "partner.yaml:3",
         "'host' in transport must be text, not a map"},
        {"transport:\n  kind: ftp\n  port: [21]\n", "partner.yaml:3",
         "'port' in transport must be text, not a list"},
        {"transport:\n  kind: ftp\n  verify_tls: [false]\n", "partner.yaml:3",
         "'verify_tls' in transport must be text"},
        {"transport:\n  kind: ftp\n  timeout: {s: 3}\n", "partner.yaml:3",
         "'timeout' in transport must be text, not a map"},
        {"transport:\n  kind: sftp\n  password_env: [X]\n", "partner.yaml:3",
         "'password_env' in transport must be text, not a list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_error(cases[i][0], cases[i][1], cases[i][2]);
}

/* Loads yaml with stderr captured into log (size bytes); returns load's code. */
static int load_capturing(const char *yaml, char *log, size_t size, dg_error *err)
{
    char *dir = dg_test_tmpdir("tconf_log");
    char path[4200];
    snprintf(path, sizeof path, "%s/stderr", dir);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_node *root = NULL;
    int rc = load(yaml, a, &c, err, &root);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    char *text = dg_test_read_file(path, NULL);
    snprintf(log, size, "%s", text ? text : "");
    free(text);
    dg_conf_free(root);
    dg_arena_free(a);
    dg_test_rmtree(dir);
    free(dir);
    return rc;
}

/* Plain FTP, verify_tls: false and strict_host_key: false are named as risks and logged as
 * warnings with file:line at load; the safe settings say nothing. */
static void test_insecure_settings_warn(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"transport:\n  kind: ftp\n  host: h\n  user: u\n", "plain FTP"},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  verify_tls: false\n",
         "verify_tls: false accepts any server certificate"},
        {"transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: /k\n"
         "  strict_host_key: false\n",
         "strict_host_key: false accepts an unknown host key"},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n", NULL},
        {"transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: /k\n  known_hosts: /kh\n",
         NULL},
        {"transport:\n  kind: local\n  root: d\n", NULL},
    };
    dg_log_set_level(DG_LOG_INFO);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char log[4096];
        dg_error err = {0};
        if (load_capturing(cases[i][0], log, sizeof log, &err))
            fail_msg("case %zu: %s", i, err.msg);
        if (cases[i][1] ? !strstr(log, "WARN") || !strstr(log, "partner.yaml:2: transport: ") ||
                              !strstr(log, cases[i][1])
                        : strstr(log, "WARN") != NULL)
            fail_msg("case %zu: log '%s', want %s", i, log, cases[i][1] ? cases[i][1] : "none");
        /* the same sentence for partner check */
        dg_arena *a = dg_arena_new();
        dg_transport_config c;
        dg_node *root = NULL;
        assert_int_equal(load(cases[i][0], a, &c, &err, &root), 0);
        const char *risks[4];
        size_t n = dg_transport_config_risks(&c, risks, 4);
        assert_int_equal(n, cases[i][1] ? 1 : 0);
        if (n)
            assert_non_null(strstr(risks[0], cases[i][1]));
        dg_conf_free(root);
        dg_arena_free(a);
    }
}

/* As ssh does: a password, passphrase or key file others may read or write is refused. */
static void test_open_secret_files_refused(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("tconf_perm");
    char f[4200], yaml[9000];
    snprintf(f, sizeof f, "%s/secret", dir);
    static const struct {
        const char *fmt;
        mode_t mode;
        const char *words; /* NULL: loads */
    } cases[] = {
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n", 0644,
         "permissions 0644: others than its owner may read it; run chmod 600"},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n", 0666,
         "permissions 0666: others than its owner may change it"},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n", 0640,
         "permissions 0640"},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n", 0600, NULL},
        {"transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n", 0400, NULL},
        {"transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: %s\n  known_hosts: k\n", 0604,
         "permissions 0604"},
        {"transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: %s\n  known_hosts: k\n", 0600,
         NULL},
        {"transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: /k\n  known_hosts: k\n"
         "  passphrase_file: %s\n",
         0660, "permissions 0660: others than its owner may change it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_test_write_file(f, "s3cret\n");
        assert_int_equal(chmod(f, cases[i].mode), 0);
        snprintf(yaml, sizeof yaml, cases[i].fmt, f);
        dg_arena *a = dg_arena_new();
        dg_transport_config c;
        dg_error err = {0};
        dg_node *root = NULL;
        int rc = load(yaml, a, &c, &err, &root);
        if (cases[i].words ? rc != DG_ECONFIG || !strstr(err.msg, cases[i].words) ||
                                 !strstr(err.msg, i == 7 ? "partner.yaml:7" : "partner.yaml:5") ||
                                 strstr(err.msg, "s3cret")
                           : rc != 0)
            fail_msg("case %zu: got %d '%s', want %s", i, rc, err.msg,
                     cases[i].words ? cases[i].words : "ok");
        dg_conf_free(root);
        dg_arena_free(a);
    }
    dg_test_rmtree(dir);
    free(dir);
}

/* The repository's own partner files load. */
static void test_repository_partners_load(void **state)
{
    (void)state;
    const char *files[] = {"etc/partners/brightline.yaml", "etc/partners/northwind.yaml",
                           "etc/partners/shopfront.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        dg_node *root = NULL;
        dg_error err = {0};
        if (dg_conf_load(dg_test_path(files[i]), &root, &err)) {
            fprintf(stderr, "SKIP %s: %s\n", files[i], err.msg);
            continue;
        }
        dg_arena *a = dg_arena_new();
        dg_transport_config c;
        int rc = dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err);
        if (rc)
            fprintf(stderr, "%s: %s\n", files[i], err.msg);
        assert_int_equal(rc, 0);
        assert_string_equal(c.kind, "local");
        dg_arena_free(a);
        dg_conf_free(root);
    }
}

static void test_sftp_example_loads(void **state)
{
    (void)state;
    dg_node *root = NULL;
    dg_error err = {0};
    if (dg_conf_load(dg_test_path("etc/examples/sftp-supplier.yaml.example"), &root, &err)) {
        fprintf(stderr, "SKIP: %s\n", err.msg);
        skip();
    }
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    unsetenv("ACME_SFTP_PASSWORD");
    assert_int_equal(dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err),
                     DG_EAUTH); /* a missing secret: the gateway skips the partner */
    assert_non_null(strstr(err.msg, "ACME_SFTP_PASSWORD"));
    assert_non_null(strstr(err.msg, "sftp-supplier.yaml.example:"));
    setenv("ACME_SFTP_PASSWORD", "example-pw", 1);
    assert_int_equal(dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err), 0);
    assert_string_equal(c.kind, "sftp");
    assert_string_equal(c.password, "example-pw");
    assert_int_equal(c.timeout_ms, 30000);
    assert_int_equal(c.retries, 3);
    unsetenv("ACME_SFTP_PASSWORD");
    dg_arena_free(a);
    dg_conf_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_local),
        cmocka_unit_test(test_sftp_with_env_secret),
        cmocka_unit_test(test_secret_files_and_tls),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_wrong_shapes),
        cmocka_unit_test(test_insecure_settings_warn),
        cmocka_unit_test(test_open_secret_files_refused),
        cmocka_unit_test(test_repository_partners_load),
        cmocka_unit_test(test_sftp_example_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
