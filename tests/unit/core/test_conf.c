/* YAML configuration tree: values, positions, and clear errors for bad files. */
#include "testutil.h"

#include <string.h>

#include "core/conf.h"

static const char *yaml = "name: acme\n"
                          "port: 2222\n"
                          "strict: yes\n"
                          "code: \"00123\"\n"
                          "folders:\n"
                          "  - in\n"
                          "  - out\n"
                          "rules:\n"
                          "  - field: order.order_number\n"
                          "    path: BEG03\n";

static void parses_maps_sequences_and_lines(void **state)
{
    (void)state;
    dg_node *root = NULL;
    dg_error err = {0};
    assert_int_equal(dg_conf_parse(yaml, strlen(yaml), "t.yaml", &root, &err), 0);
    assert_string_equal(dg_conf_str(root, "name", NULL), "acme");
    long port = 0;
    bool strict = false;
    assert_int_equal(dg_conf_long(root, "port", 22, &port, &err), 0);
    assert_int_equal(port, 2222);
    assert_int_equal(dg_conf_bool(root, "strict", false, &strict, &err), 0);
    assert_true(strict);
    const dg_node *code = dg_conf_get(root, "code");
    assert_true(code->quoted);
    assert_string_equal(code->value, "00123");
    const dg_node *folders = dg_conf_get(root, "folders");
    assert_int_equal(folders->type, DG_NODE_SEQ);
    assert_int_equal(folders->n_items, 2);
    assert_string_equal(folders->items[1]->value, "out");
    const dg_node *rule = dg_conf_get(root, "rules")->items[0];
    assert_int_equal(rule->line, 9);
    assert_string_equal(dg_conf_str(rule, "path", NULL), "BEG03");
    assert_null(dg_conf_get(root, "missing"));
    assert_string_equal(dg_conf_str(root, "missing", "dflt"), "dflt");
    dg_conf_free(root);
}

static void bad_values_name_file_and_line(void **state)
{
    (void)state;
    const char *t = "a: 1\nport: twelve\nflag: maybe\n";
    dg_node *root = NULL;
    dg_error err = {0};
    assert_int_equal(dg_conf_parse(t, strlen(t), "p.yaml", &root, &err), 0);
    long v;
    bool b;
    assert_int_equal(dg_conf_long(root, "port", 0, &v, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "p.yaml:2"));
    assert_non_null(strstr(err.msg, "twelve"));
    assert_int_equal(dg_conf_bool(root, "flag", false, &b, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "p.yaml:3"));
    dg_conf_free(root);
}

static void syntax_errors_are_reported(void **state)
{
    (void)state;
    const char *t = "a: [1, 2\nb: c\n";
    dg_node *root = NULL;
    dg_error err = {0};
    assert_int_equal(dg_conf_parse(t, strlen(t), "bad.yaml", &root, &err), DG_ECONFIG);
    assert_null(root);
    assert_non_null(strstr(err.msg, "bad.yaml"));
    assert_int_equal(dg_conf_parse("", 0, "empty.yaml", &root, &err), DG_ECONFIG);
}

static void loads_from_file(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("conf");
    char path[4200];
    snprintf(path, sizeof path, "%s/x.yaml", dir);
    dg_test_write_file(path, yaml);
    dg_node *root = NULL;
    dg_error err = {0};
    assert_int_equal(dg_conf_load(path, &root, &err), 0);
    assert_string_equal(dg_conf_get(root, "rules")->items[0]->file, path);
    dg_conf_free(root);
    assert_int_equal(dg_conf_load("/nonexistent/x.yaml", &root, &err), DG_ENOTFOUND);
    dg_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_maps_sequences_and_lines),
        cmocka_unit_test(bad_values_name_file_and_line),
        cmocka_unit_test(syntax_errors_are_reported),
        cmocka_unit_test(loads_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
