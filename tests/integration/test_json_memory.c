/* JSON files are read one document at a time: `dropgate translate` of a 20 MB storefront
 * orders file through the shipped mapping, in a child process whose peak RSS is measured, stays
 * far below what jansson needs to hold the same file as one tree (measured beside it, so the
 * bound is shown to matter: a reader that loads the whole file fails this test). */
#include "testutil.h"

#include <jansson.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define RSS_BOUND_KB (64L * 1024)
#define N_ORDERS 25000

static char *g_dir;
static char g_json[1024], g_out[1024];

static void generate(void)
{
    snprintf(g_json, sizeof g_json, "%s/orders.json", g_dir);
    snprintf(g_out, sizeof g_out, "%s/canonical.json", g_dir);
    FILE *f = fopen(g_json, "w");
    assert_non_null(f);
    fputs("{\"orders\": [\n", f);
    for (int i = 0; i < N_ORDERS; i++)
        fprintf(f,
                "%s{\"id\": %d, \"name\": \"#%d\", \"email\": \"c%d@example.com\", "
                "\"created_at\": \"2024-03-01T10:15:32-05:00\", \"currency\": \"USD\", "
                "\"test\": false, \"total_price\": \"86.96\", \"note\": \"padding padding padding "
                "padding padding padding padding padding\",\n \"line_items\": [{\"id\": 1, "
                "\"sku\": \"MUG-%d\", \"title\": \"Ceramic Mug\", \"quantity\": %d, \"price\": "
                "\"12.99\", \"grams\": 350, \"requires_shipping\": true}, {\"id\": 2, \"sku\": "
                "\"GIFT\", \"title\": \"Gift Card\", \"quantity\": 1, \"price\": \"25.00\", "
                "\"requires_shipping\": false}, {\"id\": 3, \"sku\": \"KETTLE\", \"title\": "
                "\"Kettle\", \"quantity\": 1, \"price\": 48.5, \"requires_shipping\": true}],\n "
                "\"shipping_address\": {\"name\": \"Customer %d\", \"address1\": \"%d Oak "
                "Street\", \"city\": \"Austin\", \"province_code\": \"TX\", \"zip\": \"78701\", "
                "\"country_code\": \"US\", \"phone\": \"+1 512 555 0100\"},\n \"billing_address\": "
                "{\"name\": \"Customer %d\", \"address1\": \"%d Oak Street\", \"city\": "
                "\"Austin\", \"province_code\": \"TX\", \"zip\": \"78701\", \"country_code\": "
                "\"US\"},\n \"shipping_lines\": [{\"code\": \"STD\", \"title\": \"Standard\", "
                "\"price\": \"5.00\"}]}",
                i ? ",\n" : "", 100000 + i, 1000 + i, i, i % 977, i % 9 + 1, i, i % 9000, i,
                i % 9000);
    fputs("\n], \"next_page\": null}\n", f);
    long size = ftell(f);
    fclose(f);
    assert_true(size > 20L << 20);
}

static int wait_rss(pid_t pid, long *rss_kb)
{
    int st = 0;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    *rss_kb = ru.ru_maxrss;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void large_json_bounded(void **state)
{
    (void)state;
    const char *bin = getenv("DG_BIN");
    assert_non_null(bin);
    char map[1024];
    snprintf(map, sizeof map, "%s", dg_test_path("mappings/storefront-order-json-in.yaml"));
    fflush(stdout);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(bin, bin, "translate", "--map", map, g_json, "-o", g_out, (char *)NULL);
        _exit(98);
    }
    long rss = 0;
    assert_int_equal(wait_rss(pid, &rss), 0);
    /* and as one tree, what a reader that loads the file would need */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        json_error_t je;
        json_t *all = json_load_file(g_json, 0, &je);
        _exit(all ? 0 : 1);
    }
    long whole = 0;
    assert_int_equal(wait_rss(pid, &whole), 0);
    printf("# translate of a 20 MB JSON file: peak RSS %ld KB (bound %ld KB); the file as one "
           "jansson tree: %ld KB\n",
           rss, RSS_BOUND_KB, whole);
#ifdef UNDER_ASAN
    printf("# SKIPPED the RSS bound: AddressSanitizer keeps freed memory in quarantine\n");
#else
    assert_true(rss < RSS_BOUND_KB);
    assert_true(whole > 2 * RSS_BOUND_KB); /* the bound tells a streaming reader from the rest */
#endif
    size_t len = 0;
    char *out = dg_test_read_file(g_out, &len);
    assert_non_null(out);
    assert_non_null(strstr(out, "\"order_number\": \"1000\""));
    char last[64];
    snprintf(last, sizeof last, "\"order_number\": \"%d\"", 1000 + N_ORDERS - 1);
    assert_non_null(strstr(out, last));
    /* the gift card in each is a line marked not to be routed */
    assert_non_null(strstr(out, "\"vendor_sku\": \"GIFT"));
    assert_non_null(strstr(out, "\"status\": \"NOT_SHIPPABLE\""));
    assert_string_equal(out + len - 3, "\n]\n");
    free(out);
}

static int setup(void **state)
{
    (void)state;
    g_dir = dg_test_tmpdir("json_memory");
    generate();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_dir);
    free(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(large_json_bounded)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
