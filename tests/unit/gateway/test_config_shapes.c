/* Partner and main configuration files of the wrong shape (a list where a map belongs, text
 * where a map belongs, empty or null blocks, endless nesting) are refused with file:line; a
 * wrong shape is never silently taken as "absent". */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"

typedef struct {
    const char *text;
    const char *line;  /* ":N" expected after the file name */
    const char *words; /* expected in the message */
} shape_case;

/* lines 1-3 */
#define HEAD "name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"

static const shape_case partner_cases[] = {
    /* the file */
    {"- name: x\n- role: supplier\n", ":1",
     "a partner file (name, role, transport, ...) must be a map of keys, not a list"},
    {"supplier\n", ":1", "must be a map of keys, not text"},
    {"~\n", ":1", "must be a map of keys, not empty"},
    {"name: [x]\nrole: supplier\ntransport: {kind: local}\n", ":1", "'name' in a partner file"},
    {"name: x\nrole: {a: b}\ntransport: {kind: local}\n", ":2",
     "'role' in a partner file (name, role, transport, ...) must be text, not a map"},
    /* transport */
    {"name: x\nrole: supplier\ntransport: [kind, local]\n", ":3",
     "'transport' in a partner file (name, role, transport, ...) must be a map, not a list"},
    {"name: x\nrole: supplier\ntransport:\n  - kind: local\n", ":4", "must be a map, not a list"},
    {"name: x\nrole: supplier\ntransport: local\n", ":3", "must be a map, not text"},
    {"name: x\nrole: supplier\ntransport:\n", ":3", "must be a map, not empty"},
    {"name: x\nrole: supplier\ntransport: ~\n", ":3", "must be a map, not empty"},
    {"name: x\nrole: supplier\ntransport: {kind: [local]}\n", ":3",
     "'kind' in transport must be text, not a list"},
    {"name: x\nrole: supplier\ntransport: {kind: local, root: {a: b}}\n", ":3",
     "'root' in transport must be text, not a map"},
    /* x12 (was read with dg_conf_str: a list gave "missing key id", unknown keys passed) */
    {HEAD "x12: [ZZ, ACME]\n", ":4",
     "'x12' in a partner file (name, role, transport, ...) must be a map, not a list"},
    {HEAD "x12: ACME\n", ":4", "must be a map, not text"},
    {HEAD "x12:\n", ":4", "must be a map, not empty"},
    {HEAD "x12: {id: [ACME]}\n", ":4", "'id' in x12 must be text, not a list"},
    {HEAD "x12: {id: ACME, qualifer: ZZ}\n", ":4", "unknown key 'qualifer' in x12"},
    /* schedule (was: "schedule: 5m" silently polled every 60 s) */
    {HEAD "schedule: 5m\n", ":4",
     "'schedule' in a partner file (name, role, transport, ...) must be a map, not text"},
    {HEAD "schedule: [5m]\n", ":4", "must be a map, not a list"},
    {HEAD "schedule:\n", ":4", "must be a map, not empty"},
    {HEAD "schedule: {every: [5m]}\n", ":4", "'every' in schedule must be text, not a list"},
    {HEAD "schedule: {evry: 5m}\n", ":4", "unknown key 'evry' in schedule"},
    /* inbound and its drops */
    {HEAD "inbound: {folder: out}\n", ":4",
     "'inbound' in a partner file (name, role, transport, ...) must be a list, not a map"},
    {HEAD "inbound: out\n", ":4", "must be a list, not text"},
    {HEAD "inbound:\n", ":4", "must be a list, not empty"},
    {HEAD "inbound:\n  - [out, m.yaml]\n", ":5",
     "an inbound drop (folder, mapping, ...) must be a map of keys, not a list"},
    {HEAD "inbound:\n  - out\n", ":5",
     "an inbound drop (folder, mapping, ...) must be a map of keys, not text"},
    {HEAD "inbound:\n  - ~\n", ":5", "must be a map of keys, not empty"},
    {HEAD "inbound:\n  - {folder: [out], mapping: m.yaml}\n", ":5",
     "'folder' in an inbound drop (folder, mapping, ...) must be text, not a list"},
    {HEAD "inbound:\n  - {folder: out, mapping: m.yaml, include: {a: b}}\n", ":5",
     "'include' in an inbound drop (folder, mapping, ...) must be text or a list, not a map"},
    {HEAD "inbound:\n  - {folder: out, mapping: m.yaml, include: [[a]]}\n", ":5",
     "each item must be a glob"},
    {HEAD "inbound:\n  - {folder: out, mapping: m.yaml, ack: [true]}\n", ":5",
     "'ack' in an inbound drop (folder, mapping, ...) must be text, not a list"},
    /* outbound and its webhook */
    {HEAD "outbound: [in]\n", ":4",
     "'outbound' in a partner file (name, role, transport, ...) must be a map, not a list"},
    {HEAD "outbound: in\n", ":4", "must be a map, not text"},
    {HEAD "outbound:\n", ":4", "must be a map, not empty"},
    {HEAD "outbound: {folder: [in]}\n", ":4",
     "'folder' in outbound (folder, po_mapping, ...) must be text, not a list"},
    {HEAD "outbound: {folder: in, webhook: [a]}\n", ":4",
     "'webhook' in outbound (folder, po_mapping, ...) must be text or a map, not a list"},
    {HEAD "outbound:\n  folder: in\n  webhook: {url: [a]}\n", ":6",
     "'url' in webhook must be text, not a list"},
};

static const shape_case main_cases[] = {
    {"- state_dir: var\n", ":1", "the main configuration must be a map of keys, not a list"},
    {"var\n", ":1", "the main configuration must be a map of keys, not text"},
    {"state_dir: [var]\n", ":1", "'state_dir' in the main configuration must be text, not a list"},
    {"us: [ZZ, ME]\n", ":1", "'us' in the main configuration must be a map, not a list"},
    {"us: ME\n", ":1", "'us' in the main configuration must be a map, not text"},
    {"us:\n", ":1", "'us' in the main configuration must be a map, not empty"},
    {"us: {id: [ME]}\n", ":1", "'id' in us must be text, not a list"},
    {"us: {idd: ME}\n", ":1", "unknown key 'idd' in us"},
    {"x12_test: {a: b}\n", ":1", "'x12_test' in the main configuration must be text, not a map"},
};

static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_shapes");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static int load(const char *main_text, const char *partner_text, dg_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/partners/p.yaml", g_tmp);
    dg_test_write_file(path, partner_text);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    char text[4096];
    snprintf(text, sizeof text, "partners_dir: etc/partners\n%s", main_text);
    dg_test_write_file(path, text);
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(path, NULL, &cfg, err);
    dg_gw_config_free(cfg);
    return rc;
}

static void check(const shape_case *c, size_t i, const char *file, int rc, const dg_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "%s%s:", file, c->line);
    if (rc != DG_ECONFIG || !strstr(err->msg, where) || !strstr(err->msg, c->words))
        fail_msg("case %zu: got %d '%s', want %s ... %s\n%s", i, rc, err->msg, where, c->words,
                 c->text);
}

/* The right shapes of every block load, so each case below fails for its shape alone. */
static void right_shapes_load(void **state)
{
    (void)state;
    dg_error err = {0};
    int rc = load("us: {qualifier: ZZ, id: ME}\nx12_test: false\n",
                  HEAD "x12: {qualifier: ZZ, id: ACME}\nschedule: {every: 5m}\n"
                       "inbound:\n  - {folder: out, mapping: m.yaml, include: '*.csv', ack: true}\n"
                       "outbound:\n  folder: in\n  webhook: {url: 'http://127.0.0.1:9/x'}\n",
                  &err);
    if (rc)
        fail_msg("%s", err.msg);
}

static void wrong_partner_shapes_name_file_and_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof partner_cases / sizeof *partner_cases; i++) {
        dg_error err = {0};
        int rc = load("", partner_cases[i].text, &err);
        check(&partner_cases[i], i, "p.yaml", rc, &err);
    }
}

static void wrong_main_shapes_name_file_and_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof main_cases / sizeof *main_cases; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
        dg_test_write_file(path, main_cases[i].text);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        int rc = dg_gw_config_load(path, NULL, &cfg, &err);
        dg_gw_config_free(cfg);
        check(&main_cases[i], i, "dropgate.yaml", rc, &err);
    }
}

/* 50,000 nested lists in a partner file: a clear error at the cap, not a stack overflow. */
static void deep_nesting_is_refused(void **state)
{
    (void)state;
    size_t depth = 50000;
    char *text = malloc(strlen(HEAD "description: ") + 2 * depth + 2);
    assert_non_null(text);
    size_t p = (size_t)sprintf(text, HEAD "description: ");
    memset(text + p, '[', depth);
    memset(text + p + depth, ']', depth);
    strcpy(text + p + 2 * depth, "\n");
    dg_error err = {0};
    int rc = load("", text, &err);
    free(text);
    assert_int_equal(rc, DG_ECONFIG);
    if (!strstr(err.msg, "p.yaml:4") || !strstr(err.msg, "nested deeper than"))
        fail_msg("unexpected message: %s", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(right_shapes_load, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_partner_shapes_name_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_main_shapes_name_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(deep_nesting_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
