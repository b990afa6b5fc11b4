/* Audit L8: the buffers that held a secret are wiped (explicit_bzero) once the secret is copied
 * where it lives: the webhook's "Authorization: Bearer" header (our text and libcurl's list
 * copy), the webhook secret_file line and the transport password_file line read at load.
 * explicit_bzero is interposed here (the libraries are linked statically into this program):
 * each call is checked for a known secret, then the buffer is zeroed as the real one does. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "gateway/gateway.h"
#include "testutil.h"

static const char *const g_secrets[] = {"tok-SECRET-123", "hook-SECRET-456", "pw-SECRET-789"};
static int g_wiped[3];
static int g_bearer_wiped;

void explicit_bzero(void *s, size_t n);
void explicit_bzero(void *s, size_t n)
{
    for (int i = 0; i < 3; i++)
        if (memmem(s, n, g_secrets[i], strlen(g_secrets[i])))
            g_wiped[i]++;
    if (memmem(s, n, "Bearer tok-SECRET-123", 21))
        g_bearer_wiped++;
    volatile unsigned char *p = s;
    while (n--)
        *p++ = 0;
}

static void test_webhook_header_wiped(void **state)
{
    (void)state;
    memset(g_wiped, 0, sizeof g_wiped);
    g_bearer_wiped = 0;
    dg_error err = {0};
    /* Nothing listens on port 1: the request fails, the header was built and must be wiped. */
    int rc =
        dg_gw_webhook_post_key("http://127.0.0.1:1/hook", g_secrets[0], "k-1", 2000, "{}", 2, &err);
    assert_true(rc == DG_ENET || rc == DG_ETIMEOUT);
    assert_null(strstr(err.msg, g_secrets[0]));
    if (g_bearer_wiped < 2)
        fail_msg("Authorization header wiped %d time(s), want 2 (our buffer, libcurl's copy)",
                 g_bearer_wiped);
}

static void test_config_secret_lines_wiped(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("gw2_wipe");
    char path[1024], text[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_test_write_file(path, "state_dir: var\npartners_dir: etc/partners\n");
    snprintf(path, sizeof path, "%s/etc/secrets/hook", tmp);
    dg_test_write_secret(path, "hook-SECRET-456\n");
    snprintf(path, sizeof path, "%s/etc/secrets/pw", tmp);
    dg_test_write_secret(path, "pw-SECRET-789\n");
    snprintf(text, sizeof text,
             "name: shop\nrole: storefront\n"
             "transport: {kind: ftps, host: 127.0.0.1, user: u, password_file: %s/etc/secrets/pw}\n"
             "outbound:\n  webhook: {url: 'https://hooks.example.com/x', secret_file: "
             "etc/secrets/hook}\n",
             tmp);
    snprintf(path, sizeof path, "%s/etc/partners/shop.yaml", tmp);
    dg_test_write_file(path, text);
    memset(g_wiped, 0, sizeof g_wiped);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("load: %s", err.msg);
    /* The secrets themselves are kept where they are used ... */
    assert_string_equal(cfg->partners[0].out.webhook_secret, g_secrets[1]);
    assert_string_equal(cfg->partners[0].transport.password, g_secrets[2]);
    /* ... and the line buffers they were read into are wiped. */
    if (g_wiped[1] < 1)
        fail_msg("the webhook secret_file line was not wiped");
    if (g_wiped[2] < 1)
        fail_msg("the transport password_file line was not wiped");
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_header_wiped),
        cmocka_unit_test(test_config_secret_lines_wiped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
