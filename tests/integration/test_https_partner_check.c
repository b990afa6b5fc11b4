/* `dropgate partner check` on a kind: https supplier (the shipped example, pointed at the local
 * HTTPS test server): it lists the API's shipments, maps the one listed document without placing
 * it, does not take the PO endpoint for a folder to list, and never prints the token; a 401
 * fails the check naming the status. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "httpsd.h"
#include "testutil.h"

static dg_test_httpsd g_srv;
static char *g_tmp;

static const char *at(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_tmp, rel);
    return p;
}

/* Runs dropgate with args; its exit status, its output into out (malloc'd). */
static int dropgate(const char *args, char **out)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ACME_API_TOKEN=tok-secret-42 '%s' %s --config '%s' >'%s' 2>&1",
             getenv("DG_BIN"), args, at("etc/dropgate.yaml"), at("out.txt"));
    int st = system(cmd);
    *out = dg_test_read_file(at("out.txt"), NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The shipped example with this server's URL and certificate. */
static void write_partner(void)
{
    char *ex = dg_test_read_file(dg_test_path("etc/examples/https-supplier.yaml.example"), NULL);
    assert_non_null(ex);
    char *url = strstr(ex, "https://api.acme.example/v1");
    assert_non_null(url);
    char *rest = url + strlen("https://api.acme.example/v1");
    char *ca = strstr(ex, "# ca_file: /etc/dropgate/acme-ca.pem");
    assert_non_null(ca);
    char *ca_rest = ca + strlen("# ca_file: /etc/dropgate/acme-ca.pem");
    char y[8192];
    snprintf(y, sizeof y, "%.*shttps://127.0.0.1:%d/v1%.*sca_file: %s%s", (int)(url - ex), ex,
             g_srv.port, (int)(ca - rest), rest, g_srv.cert_file, ca_rest);
    dg_test_write_file(at("etc/partners/acme-api.yaml"), y);
    free(ex);
}

static void test_partner_check_over_https(void **state)
{
    (void)state;
    if (dg_test_httpsd_start(&g_srv)) {
        fprintf(stderr, "SKIP: https server: %s\n", g_srv.why);
        skip();
    }
    g_tmp = dg_test_tmpdir("https_check");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/'", dg_test_source_dir(),
             dg_test_source_dir(), dg_test_source_dir(), g_tmp);
    assert_int_equal(system(cmd), 0);
    write_partner();
    char *asn = dg_test_read_file(
        dg_test_path("samples/demo/responses/brightline/shipments/tracking-20261121.csv"), NULL);
    assert_non_null(asn);
    /* the CSV as a JSON string: escape quotes, backslashes and line ends */
    char esc[8192], page[9000];
    size_t o = 0;
    for (const char *p = asn; *p && o + 3 < sizeof esc; p++) {
        if (*p == '"' || *p == '\\')
            esc[o++] = '\\';
        if (*p == '\n') {
            esc[o++] = '\\';
            esc[o++] = 'n';
            continue;
        }
        esc[o++] = *p;
    }
    esc[o] = '\0';
    free(asn);
    snprintf(page, sizeof page,
             "{\"data\":[{\"id\":\"SHIP-1\",\"content\":\"%s\"}],\"links\":{\"next\":null}}", esc);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/shipments", 200, NULL, page);

    char *out = NULL;
    int rc = dropgate("partner check acme-api", &out);
    if (rc != 0)
        fail_msg("partner check exited %d:\n%s", rc, out);
    assert_non_null(strstr(out, "https://127.0.0.1:"));
    assert_non_null(strstr(out, "SHIP-1.csv"));
    assert_non_null(strstr(out, "would be taken"));
    assert_non_null(strstr(out, "2 shipment document(s)")); /* the listed CSV, mapped */
    assert_non_null(strstr(out, "not listed (an endpoint we send to)"));
    assert_null(strstr(out, "tok-secret-42"));
    char auth[128];
    dg_test_httpsd_header(&g_srv, 0, "Authorization", auth, sizeof auth);
    assert_string_equal(auth, "Bearer tok-secret-42");
    assert_int_equal(dg_test_httpsd_count(&g_srv), 1); /* the listing only: nothing acknowledged */
    free(out);

    /* A refused token fails the check with the status, still without the token. */
    dg_test_httpsd_reset(&g_srv);
    dg_test_httpsd_script(&g_srv, "GET", "/v1/shipments", 401, NULL, "{\"error\":\"expired\"}");
    rc = dropgate("partner check acme-api", &out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "HTTP 401"));
    assert_non_null(strstr(out, "CHECK FAILED"));
    assert_null(strstr(out, "tok-secret-42"));
    free(out);
    dg_test_httpsd_stop(&g_srv);
    dg_test_rmtree(g_tmp);
    free(g_tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partner_check_over_https),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
