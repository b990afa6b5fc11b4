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

/* Every node names the file, even past the first 256 (the old fix-up walk stopped there and
 * left the rest pointing at the caller's buffer). */
static void every_node_owns_its_file_name(void **state)
{
    (void)state;
    char text[8192] = "t:\n";
    for (int i = 0; i < 400; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "  k%d: v\n", i);
    char name[64] = "wide.yaml";
    dg_node *root = NULL;
    dg_error err = {0};
    assert_int_equal(dg_conf_parse(text, strlen(text), name, &root, &err), 0);
    memset(name, 'X', sizeof name - 1); /* the caller's buffer is gone */
    const dg_node *t = dg_conf_get(root, "t");
    assert_int_equal(t->n_items, 400);
    for (size_t i = 0; i < t->n_items; i++)
        assert_string_equal(t->items[i]->file, "wide.yaml");
    dg_conf_free(root);
}

static char *nested(size_t depth)
{
    char *t = malloc(2 * depth + 8);
    assert_non_null(t);
    strcpy(t, "a: ");
    memset(t + 3, '[', depth);
    memset(t + 3 + depth, ']', depth);
    strcpy(t + 3 + 2 * depth, "\n");
    return t;
}

/* 50,000 levels: a clear error, not a stack overflow; real depths still load. */
static void nesting_is_capped(void **state)
{
    (void)state;
    dg_node *root = NULL;
    dg_error err = {0};
    char *t = nested(50000);
    assert_int_equal(dg_conf_parse(t, strlen(t), "deep.yaml", &root, &err), DG_ECONFIG);
    assert_null(root);
    assert_non_null(strstr(err.msg, "deep.yaml:1"));
    assert_non_null(strstr(err.msg, "nested deeper than 64 levels"));
    free(t);
    t = nested(DG_CONF_MAX_DEPTH - 1); /* plus the root map */
    assert_int_equal(dg_conf_parse(t, strlen(t), "ok.yaml", &root, &err), 0);
    dg_conf_free(root);
    free(t);
    t = nested(DG_CONF_MAX_DEPTH);
    assert_int_equal(dg_conf_parse(t, strlen(t), "over.yaml", &root, &err), DG_ECONFIG);
    free(t);
}

/* dg_conf_check: the block, unknown keys and each value's shape, with file:line. */
static void check_names_shapes(void **state)
{
    (void)state;
    static const dg_conf_key keys[] = {{"name", DG_SHAPE_TEXT},
                                       {"opts", DG_SHAPE_MAP},
                                       {"list", DG_SHAPE_LIST},
                                       {"globs", DG_SHAPE_TEXT | DG_SHAPE_LIST},
                                       {NULL, 0}};
    static const struct {
        const char *text, *words;
    } cases[] = {
        {"b:\n  name: x\n  opts: {a: 1}\n  list: [1]\n  globs: '*'\n", NULL},
        {"b:\n  globs: [a, b]\n", NULL},
        {"b:\n  - name: x\n", "s.yaml:2: the block must be a map of keys, not a list"},
        {"b: x\n", "s.yaml:1: the block must be a map of keys, not text"},
        {"b:\n", "s.yaml:1: the block must be a map of keys, not empty"},
        {"b: ~\n", "s.yaml:1: the block must be a map of keys, not empty"},
        {"b: null\n", "s.yaml:1: the block must be a map of keys, not empty"},
        {"b: 'null'\n", "s.yaml:1: the block must be a map of keys, not text"},
        {"b:\n  nme: x\n", "s.yaml:2: unknown key 'nme' in the block"},
        {"b:\n  name: [x]\n", "s.yaml:2: 'name' in the block must be text, not a list"},
        {"b:\n  name: {x: 1}\n", "s.yaml:2: 'name' in the block must be text, not a map"},
        {"b:\n  opts: [a]\n", "s.yaml:2: 'opts' in the block must be a map, not a list"},
        {"b:\n  opts:\n", "s.yaml:2: 'opts' in the block must be a map, not empty"},
        {"b:\n  list: {a: 1}\n", "s.yaml:2: 'list' in the block must be a list, not a map"},
        {"b:\n  list: a\n", "s.yaml:2: 'list' in the block must be a list, not text"},
        {"b:\n  globs: {a: 1}\n",
         "s.yaml:2: 'globs' in the block must be text or a list, not a map"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_node *root = NULL;
        dg_error err = {0};
        assert_int_equal(dg_conf_parse(cases[i].text, strlen(cases[i].text), "s.yaml", &root, &err),
                         0);
        int rc = dg_conf_check(dg_conf_get(root, "b"), "the block", keys, &err);
        if (cases[i].words ? rc != DG_ECONFIG || !strstr(err.msg, cases[i].words) : rc != 0)
            fail_msg("case %zu: got %d '%s', want %s", i, rc, err.msg,
                     cases[i].words ? cases[i].words : "ok");
        dg_conf_free(root);
    }
    dg_error err = {0};
    assert_int_equal(dg_conf_check(NULL, "the block", keys, &err), DG_ECONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_maps_sequences_and_lines),
        cmocka_unit_test(bad_values_name_file_and_line),
        cmocka_unit_test(syntax_errors_are_reported),
        cmocka_unit_test(loads_from_file),
        cmocka_unit_test(every_node_owns_its_file_name),
        cmocka_unit_test(nesting_is_capped),
        cmocka_unit_test(check_names_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
