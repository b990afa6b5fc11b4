/* Mapping files of the wrong shape (a list where a map belongs, text where a list belongs, an
 * empty or null block, nesting without end) are refused with file:line, never a crash. */
#include "maptest.h"

#include <stdlib.h>

typedef struct {
    const char *text;
    const char *line;  /* ":N" expected after the file name */
    const char *words; /* expected in the message */
} shape_case;

#define CSV_IN "direction: in\ndocument: order\nformat: csv\n"            /* lines 1-3 */
#define X12_IN "direction: in\ndocument: order\nformat: x12\n"            /* lines 1-3 */
#define XML_IN "direction: in\ndocument: order\nformat: xml\n"            /* lines 1-3 */
#define X12_OUT "direction: out\ndocument: order\nformat: x12\n"          /* lines 1-3 */
#define CSV_OUT "direction: out\ndocument: order\nformat: csv\n"          /* lines 1-3 */
#define FIELDS "fields:\n  - {target: order_number, source: po}\n"        /* 2 lines */
#define FIELDS_X12 "fields:\n  - {target: order_number, source: BEG03}\n" /* 2 lines */
#define X12_BLOCK "x12: {transaction_set: \"850\"}\n"                     /* 1 line */
#define XML_BLOCK "xml: {documents: //Order}\n"                           /* 1 line */
#define SEGS "segments:\n  - BEG: [\"00\", SA, \"{order_number}\"]\n"     /* 2 lines */
#define COLS "columns:\n  - {header: po, value: \"{order_number}\"}\n"    /* 2 lines */

static const shape_case cases[] = {
    /* the file itself */
    {"- direction: in\n- format: csv\n", ":1", "a mapping file must be a map of keys, not a list"},
    {"just text\n", ":1", "must be a map of keys, not text"},
    {"~\n", ":1", "must be a map of keys, not empty"},
    {CSV_IN "name: [a, b]\n" FIELDS, ":4", "'name' in a mapping file must be text, not a list"},
    {"direction: {in: 1}\ndocument: order\nformat: csv\n" FIELDS, ":1",
     "'direction' in a mapping file must be text, not a map"},
    /* csv: (the crash of issue 9 item 5: strcmp on a list item's NULL key) */
    {CSV_IN "csv: [header, true]\n" FIELDS, ":4",
     "'csv' in a mapping file must be a map, not a list"},
    {CSV_IN "csv:\n  - header: true\n" FIELDS, ":5", "must be a map, not a list"},
    {CSV_IN "csv: comma\n" FIELDS, ":4", "'csv' in a mapping file must be a map, not text"},
    {CSV_IN "csv:\n" FIELDS, ":4", "'csv' in a mapping file must be a map, not empty"},
    {CSV_IN "csv: ~\n" FIELDS, ":4", "must be a map, not empty"},
    {CSV_IN "csv: null\n" FIELDS, ":4", "must be a map, not empty"},
    {CSV_IN "csv: {header: [true]}\n" FIELDS, ":4",
     "'header' in the 'csv' block must be text, not a list"},
    {CSV_IN "csv:\n  delimiter: {a: b}\n" FIELDS, ":5",
     "'delimiter' in the 'csv' block must be text, not a map"},
    {CSV_IN "csv: {delimitr: ';'}\n" FIELDS, ":4", "unknown key 'delimitr' in the 'csv' block"},
    /* x12: */
    {X12_IN "x12: [transaction_set, \"850\"]\n" FIELDS_X12, ":4",
     "'x12' in a mapping file must be a map, not a list"},
    {X12_IN "x12:\n  - transaction_set: \"850\"\n" FIELDS_X12, ":5", "must be a map, not a list"},
    {X12_IN "x12: \"850\"\n" FIELDS_X12, ":4", "must be a map, not text"},
    {X12_IN "x12:\n" FIELDS_X12, ":4", "must be a map, not empty"},
    {X12_IN "x12: ~\n" FIELDS_X12, ":4", "must be a map, not empty"},
    {X12_IN "x12: {transaction_set: [\"850\"]}\n" FIELDS_X12, ":4",
     "'transaction_set' in the 'x12' block must be text, not a list"},
    {X12_IN "x12: {transaction_set: \"850\", until: CTT}\n" FIELDS_X12, ":4",
     "'until' in the 'x12' block must be a list, not text"},
    {X12_IN "x12: {transaction_set: \"850\", until: {a: b}}\n" FIELDS_X12, ":4",
     "must be a list, not a map"},
    /* xml: */
    {XML_IN "xml: [documents, //Order]\n" FIELDS, ":4",
     "'xml' in a mapping file must be a map, not a list"},
    {XML_IN "xml: //Order\n" FIELDS, ":4", "must be a map, not text"},
    {XML_IN "xml:\n" FIELDS, ":4", "must be a map, not empty"},
    {XML_IN "xml: null\n" FIELDS, ":4", "must be a map, not empty"},
    {XML_IN "xml: {documents: //Order, namespaces: [a, b]}\n" FIELDS, ":4",
     "'namespaces' in the 'xml' block must be a map, not a list"},
    {XML_IN "xml: {documents: [//Order]}\n" FIELDS, ":4",
     "'documents' in the 'xml' block must be text, not a list"},
    /* tables: */
    {CSV_IN "tables: [a, b]\n" FIELDS, ":4",
     "'tables' in a mapping file must be a map, not a list"},
    {CSV_IN "tables: carriers\n" FIELDS, ":4", "must be a map, not text"},
    {CSV_IN "tables:\n" FIELDS, ":4", "must be a map, not empty"},
    {CSV_IN "tables:\n  t: [a, b]\n" FIELDS, ":5", "table 't' must map codes to values"},
    {CSV_IN "tables:\n  t: {A: [1]}\n" FIELDS, ":5", "value of 'A' must be text"},
    /* fields: and the rules in it */
    {CSV_IN "fields: {target: order_number, source: po}\n", ":4",
     "'fields' in a mapping file must be a list, not a map"},
    {CSV_IN "fields: order_number\n", ":4", "must be a list, not text"},
    {CSV_IN "fields:\n", ":4", "must be a list, not empty"},
    {CSV_IN "fields:\n  - [order_number, po]\n", ":5", "a rule must be a map"},
    {CSV_IN "fields:\n  - order_number\n", ":5", "a rule must be a map"},
    {CSV_IN "fields:\n  - {target: [order_number], source: po}\n", ":5", "unknown document field"},
    {CSV_IN "fields:\n  - {target: order_number, source: {a: b}}\n", ":5",
     "'source' must be text or a list"},
    {CSV_IN "fields:\n  - {target: order_number, source: [[po]]}\n", ":5", "a source must be text"},
    {CSV_IN "fields:\n  - {target: order_number, source: po, date: [ISO]}\n", ":5",
     "unknown date format"},
    {CSV_IN "fields:\n  - {target: order_number, source: po, required: [true]}\n", ":5",
     "'required' must be true or false"},
    /* groups: */
    {CSV_IN "groups: {target: lines}\n", ":4",
     "'groups' in a mapping file must be a list, not a map"},
    {CSV_IN "groups:\n", ":4", "must be a list, not empty"},
    {CSV_IN "groups:\n  - [lines]\n", ":5", "a group must be a map of keys, not a list"},
    {CSV_IN "groups:\n  - ~\n", ":5", "a group must be a map of keys, not empty"},
    {CSV_IN "groups:\n  - {target: [lines]}\n", ":5",
     "'target' in a group must be text, not a list"},
    {CSV_IN "groups:\n  - {target: lines, fields: {a: b}}\n", ":5",
     "'fields' in a group must be a list, not a map"},
    {CSV_IN "groups:\n  - {target: lines, when: {a: b}}\n", ":5",
     "'when' in a group must be text or a list, not a map"},
    /* outbound: segments / columns / elements and what is in them */
    {X12_OUT X12_BLOCK "segments: {BEG: [a]}\n", ":5",
     "'segments' in a mapping file must be a list, not a map"},
    {X12_OUT X12_BLOCK "segments:\n", ":5", "must be a list, not empty"},
    {X12_OUT X12_BLOCK "segments:\n  - [BEG, \"00\"]\n", ":6", "expected a map"},
    {X12_OUT X12_BLOCK "segments:\n  - BEG: {a: b}\n", ":6",
     "segment BEG needs a list of elements"},
    {X12_OUT X12_BLOCK "segments:\n  - BEG: [[a]]\n", ":6", "expected text"},
    {X12_OUT X12_BLOCK "segments:\n  - {segment: [BEG], elements: [a]}\n", ":6",
     "'segment' in a segment must be text, not a list"},
    {X12_OUT X12_BLOCK "segments:\n  - {segment: BEG, elements: a}\n", ":6",
     "'elements' in a segment must be a list, not text"},
    {X12_OUT X12_BLOCK "segments:\n  - {each: [lines], segments: []}\n", ":6",
     "'each' in an 'each' block must be text, not a list"},
    {X12_OUT X12_BLOCK "segments:\n  - {each: lines, segments: {a: b}}\n", ":6",
     "'segments' in an 'each' block must be a list, not a map"},
    {X12_OUT X12_BLOCK "segments:\n  - {each: lines, match: [a], segments: []}\n", ":6",
     "'match' in an 'each' block must be a map, not a list"},
    {CSV_OUT "columns: {header: po}\n", ":4",
     "'columns' in a mapping file must be a list, not a map"},
    {CSV_OUT "columns:\n  - {header: [po], value: x}\n", ":5",
     "'header' in a column must be text, not a list"},
    {CSV_OUT "columns:\n  - {header: po, value: {a: b}}\n", ":5",
     "'value' in a column must be text, not a map"},
    {CSV_OUT "csv: [a]\n" COLS, ":4", "'csv' in a mapping file must be a map, not a list"},
    {"direction: out\ndocument: order\nformat: xml\nxml: [root, Orders]\nelements: []\n", ":4",
     "'xml' in a mapping file must be a map, not a list"},
};

static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("map_shapes");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static int load_text(const char *text, dg_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/m.yaml", g_tmp);
    dg_test_write_file(path, text);
    dg_mapping *m = NULL;
    int rc = dg_map_load(path, &m, err);
    dg_map_free(m);
    return rc;
}

/* The right shapes of the same blocks load, so each case fails for its shape alone. */
static void right_shapes_load(void **state)
{
    (void)state;
    const char *good[] = {
        CSV_IN "csv: {header: true, delimiter: ';'}\ntables:\n  t: {A: B}\n" FIELDS,
        X12_IN X12_BLOCK FIELDS_X12,
        XML_IN XML_BLOCK FIELDS,
        X12_OUT X12_BLOCK SEGS,
        CSV_OUT COLS,
        CSV_IN "csv: {}\n" FIELDS,
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        dg_error err = {0};
        if (load_text(good[i], &err))
            fail_msg("case %zu should load: %s\n%s", i, err.msg, good[i]);
    }
}

static void wrong_shapes_name_file_and_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_error err = {0};
        int rc = load_text(cases[i].text, &err);
        char where[64];
        snprintf(where, sizeof where, "m.yaml%s:", cases[i].line);
        if (rc != DG_ECONFIG || !strstr(err.msg, where) || !strstr(err.msg, cases[i].words))
            fail_msg("case %zu: got %d '%s', want %s ... %s\n%s", i, rc, err.msg, where,
                     cases[i].words, cases[i].text);
    }
}

/* 50,000 nested lists: a clear error at the cap, not a stack overflow. */
static void deep_nesting_is_refused(void **state)
{
    (void)state;
    size_t depth = 50000;
    size_t len = strlen(CSV_IN "name: ") + 2 * depth + 2;
    char *text = malloc(len + 1);
    assert_non_null(text);
    size_t p = (size_t)sprintf(text, CSV_IN "name: ");
    memset(text + p, '[', depth);
    memset(text + p + depth, ']', depth);
    strcpy(text + p + 2 * depth, "\n");
    dg_error err = {0};
    assert_int_equal(load_text(text, &err), DG_ECONFIG);
    free(text);
    if (!strstr(err.msg, "m.yaml:4") || !strstr(err.msg, "nested deeper than 64 levels"))
        fail_msg("unexpected message: %s", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(right_shapes_load, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_shapes_name_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(deep_nesting_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
