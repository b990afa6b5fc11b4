/* `dropgate translate` as a user runs it (DG_BIN, set by ctest): canonical JSON out, X12 out
 * with envelope options, exit status 1 with a message naming mapping, rule and input position,
 * and no output file at all when the input cannot be mapped. Skips when DG_BIN is not built. */
#include "maptest.h"

#include <sys/wait.h>
#include <unistd.h>

/* Runs dropgate with args (a shell fragment) from the source tree; stderr into *err_text. */
static int run(const char *args, char **err_text)
{
    char cmd[4096], errf[1024];
    snprintf(errf, sizeof errf, "%s/stderr.txt", scratch);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' translate %s 2>'%s' >'%s/stdout.txt'",
             dg_test_source_dir(), getenv("DG_BIN"), args, errf, scratch);
    int st = system(cmd);
    if (err_text)
        *err_text = dg_test_read_file(errf, NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have_bin(void)
{
    const char *b = getenv("DG_BIN");
    if (!b || access(b, X_OK)) {
        print_message("SKIP: DG_BIN (the dropgate command) is not built\n");
        return false;
    }
    return true;
}

static void to_json_and_back(void **state)
{
    (void)state;
    if (!have_bin())
        skip();
    char args[2048], out[1024], *e = NULL;
    snprintf(out, sizeof out, "%s/po.json", scratch);
    snprintf(args, sizeof args, "--map mappings/x12-850-in.yaml samples/mapping/po-850.edi -o '%s'",
             out);
    assert_int_equal(run(args, &e), 0);
    free(e);
    char *json = dg_test_read_file(out, NULL);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"order_number\": \"PO-50001\""));
    assert_non_null(strstr(json, "\"vendor_sku\": \"KET-1L\""));
    free(json);
    char edi[1024];
    snprintf(edi, sizeof edi, "%s/po.edi", scratch);
    snprintf(args, sizeof args,
             "--to mappings/x12-850-out.yaml '%s' -o '%s' --sender ZZ:ME --receiver 01:THEM "
             "--control 77 --date 20240301 --time 0800",
             out, edi);
    assert_int_equal(run(args, &e), 0);
    free(e);
    char *x = dg_test_read_file(edi, NULL);
    assert_non_null(x);
    assert_non_null(
        strstr(x, "*ZZ*ME             *01*THEM           *240301*0800*U*00401*000000077*"));
    assert_non_null(strstr(x, "BEG*00*DS*PO-50001**20240301~"));
    free(x);
    /* a partner file straight to another partner format */
    snprintf(args, sizeof args,
             "--map mappings/storefront-orders-csv-in.yaml --to mappings/x12-850-out.yaml "
             "samples/mapping/storefront-orders.csv");
    assert_int_equal(run(args, &e), 0);
    free(e);
    char sp[1024];
    snprintf(sp, sizeof sp, "%s/stdout.txt", scratch);
    x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "BEG*00*DS*1001**20240301~"));
    free(x);
}

static void errors_leave_no_file(void **state)
{
    (void)state;
    if (!have_bin())
        skip();
    char args[2048], out[1024], bad[1024], *e = NULL;
    snprintf(out, sizeof out, "%s/never.json", scratch);
    snprintf(bad, sizeof bad, "%s/bad.csv", scratch);
    dg_test_write_file(
        bad, "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,"
             "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,"
             "Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
             "Shipping Province,Shipping Country,Shipping Phone,Notes\n"
             "#1,a@b.c,USD,1,Std,2024-01-02,1,X,1.00,SKU1,Al,,1 St,,Town,12345,TX,US,,\n"
             "#2,a@b.c,USD,1,Std,01/02/2024,1,X,1.00,SKU1,Al,,1 St,,Town,12345,TX,US,,\n");
    snprintf(args, sizeof args, "--map mappings/storefront-orders-csv-in.yaml '%s' -o '%s'", bad,
             out);
    /* one bad order of two: the good one is written, the bad one named on stderr, exit 3 */
    assert_int_equal(run(args, &e), 3);
    assert_non_null(strstr(e, "order failed at row 3 (2)"));
    assert_non_null(strstr(e, "storefront-orders-csv-in.yaml:"));
    assert_non_null(strstr(e, "rule 'order_date'"));
    assert_non_null(strstr(e, "1 order(s) written, 1 failed, 0 skipped"));
    free(e);
    char *written = dg_test_read_file(out, NULL);
    assert_non_null(written);
    assert_non_null(strstr(written, "\"order_number\": \"1\""));
    assert_null(strstr(written, "\"order_number\": \"2\""));
    free(written);
    unlink(out);
    /* every order bad: exit 1 and no file */
    dg_test_write_file(
        bad, "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,"
             "Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,"
             "Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
             "Shipping Province,Shipping Country,Shipping Phone,Notes\n"
             "#2,a@b.c,USD,1,Std,01/02/2024,1,X,1.00,SKU1,Al,,1 St,,Town,12345,TX,US,,\n");
    assert_int_equal(run(args, &e), 1);
    assert_non_null(strstr(e, "order failed at row 2 (2)"));
    free(e);
    assert_int_not_equal(access(out, F_OK), 0);

    snprintf(args, sizeof args,
             "--map mappings/x12-850-in.yaml samples/mapping/invoice-810.edi -o '%s'", out);
    assert_int_equal(run(args, &e), 1);
    assert_non_null(strstr(e, "no 850 transaction set"));
    free(e);
    assert_int_not_equal(access(out, F_OK), 0);

    /* a broken mapping file is exit 2 and names the line */
    char map[1024];
    snprintf(map, sizeof map, "%s/m.yaml", scratch);
    dg_test_write_file(
        map, "direction: in\ndocument: order\nformat: x12\nx12: {transaction_set: \"850\"}\n"
             "fields:\n  - {target: order_number, source: BEG3}\n");
    snprintf(args, sizeof args, "--map '%s' samples/mapping/po-850.edi -o '%s'", map, out);
    assert_int_equal(run(args, &e), 2);
    assert_non_null(strstr(e, "m.yaml:6"));
    assert_non_null(strstr(e, "'BEG3' is not an X12 path"));
    free(e);
    assert_int_not_equal(access(out, F_OK), 0);

    /* an inbound mapping given as --to */
    snprintf(args, sizeof args, "--to mappings/x12-850-in.yaml samples/mapping/po-850.edi");
    assert_int_equal(run(args, &e), 2);
    assert_non_null(strstr(e, "is an inbound mapping"));
    free(e);
}

/* The admin export as the issue met it: good orders written, each other one named on stderr
 * with its row and reason, exit 3; and the statuses are in --help. */
static void storefront_export_partial(void **state)
{
    (void)state;
    if (!have_bin())
        skip();
    char *e = NULL;
    assert_int_equal(run("--map mappings/storefront-orders-export-csv-in.yaml "
                         "samples/mapping/storefront-orders-export.csv",
                         &e),
                     3);
    assert_non_null(strstr(e, "order failed at row 5 (1017)"));
    assert_non_null(strstr(e, "rule 'ship_to.name': required field missing"));
    assert_non_null(strstr(e, "order failed at row 6 (1016)"));
    assert_non_null(strstr(e, "4 order(s) written, 2 failed, 0 skipped"));
    free(e);
    char sp[1024];
    snprintf(sp, sizeof sp, "%s/stdout.txt", scratch);
    char *x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "\"order_number\": \"1018\""));
    assert_non_null(strstr(x, "\"order_number\": \"1014\""));
    assert_null(strstr(x, "\"order_number\": \"1017\""));
    /* the gift cards are lines marked not to be routed; #1019 holds only one */
    assert_non_null(strstr(x, "\"order_number\": \"1019\""));
    assert_non_null(strstr(x, "\"description\": \"Gift Card - $25\""));
    assert_non_null(strstr(x, "\"status\": \"NOT_SHIPPABLE\""));
    assert_non_null(strstr(x, "\n]\n")); /* a whole JSON array */
    free(x);
    /* straight to a partner file: the PO file carries the good orders only, without the gift
     * cards; the gift-card-only order is skipped (nothing to route) */
    assert_int_equal(run("--map mappings/storefront-orders-export-csv-in.yaml "
                         "--to mappings/x12-850-out.yaml "
                         "samples/mapping/storefront-orders-export.csv",
                         &e),
                     3);
    assert_non_null(strstr(e, "order skipped at row 2 (1019): nothing to route: every line is "
                              "NOT_SHIPPABLE"));
    assert_non_null(strstr(e, "3 order(s) written, 2 failed, 1 skipped"));
    free(e);
    x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "BEG*00*DS*1018**20240305~"));
    assert_non_null(strstr(x, "PO1*1*1*EA*49.99**VP*WSB-L-WAL~"));
    assert_null(strstr(x, "Gift Card"));
    assert_null(strstr(x, "PO1*2*1*EA*25.00"));
    assert_non_null(strstr(x, "BEG*00*DS*1015**"));
    assert_null(strstr(x, "BEG*00*DS*1016**"));
    assert_null(strstr(x, "BEG*00*DS*1019**"));
    free(x);
    /* --strict: the first failed order fails the file and -o writes nothing */
    char args[2048], out[1024];
    snprintf(out, sizeof out, "%s/strict.json", scratch);
    snprintf(args, sizeof args,
             "--strict --map mappings/storefront-orders-export-csv-in.yaml "
             "samples/mapping/storefront-orders-export.csv -o '%s'",
             out);
    assert_int_equal(run(args, &e), 1);
    assert_non_null(strstr(e, "rule 'ship_to.name': required field missing (input row 5)"));
    /* a gift-card-only order is no failure, even when strict: the file stops at #1017 */
    assert_null(strstr(e, "(1019)"));
    free(e);
    assert_int_not_equal(access(out, F_OK), 0);
    assert_int_equal(run("--help", &e), 0);
    free(e);
    x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "3 some documents failed"));
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(to_json_and_back),
        cmocka_unit_test(errors_leave_no_file),
        cmocka_unit_test(storefront_export_partial),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
