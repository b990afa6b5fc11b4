/* edi/ definition loading: the shipped versions and sets, version choice and inheritance, code
 * lists, finding the folder, and bad definition files reported with file and line. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x12/defs.h"

static void loads_shipped_definitions(void **state)
{
    (void)state;
    dg_x12_defs *d = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_defs_load(dg_test_path("edi"), &d, &err), 0);
    static const char *sets[] = {"850", "855", "856", "810", "846", "997"};
    for (size_t i = 0; i < 6; i++) {
        const dg_x12_set_def *s = dg_x12_defs_set(d, "004010", sets[i]);
        assert_non_null(s);
        assert_string_equal(s->root.body[0].seg->id, "ST");
        assert_string_equal(s->root.body[s->root.n_body - 1].seg->id, "SE");
        assert_non_null(dg_x12_defs_set(d, "005010", sets[i]));
    }
    assert_null(dg_x12_defs_set(d, "004010", "204"));
    /* the 856 HL loop and its level rules */
    const dg_x12_set_def *asn = dg_x12_defs_set(d, "004010", "856");
    assert_int_equal(asn->n_hl_levels, 5);
    const dg_x12_node *hl = &asn->root.body[3];
    assert_string_equal(hl->loop_id, "HL");
    assert_int_equal(hl->usage, 'M');
    assert_string_equal(hl->body[0].seg->id, "HL");
    /* 850: BEG mandatory once, PO1 a mandatory loop */
    const dg_x12_set_def *po = dg_x12_defs_set(d, "004010", "850");
    assert_string_equal(po->root.body[1].seg->id, "BEG");
    assert_int_equal(po->root.body[1].usage, 'M');
    assert_int_equal(po->root.body[1].max, 1);
    bool found = false;
    for (size_t i = 0; i < po->root.n_body; i++)
        if (!strcmp(po->root.body[i].loop_id, "PO1")) {
            found = true;
            assert_int_equal(po->root.body[i].usage, 'M');
        }
    assert_true(found);
    /* element dictionary and segment syntax */
    const dg_x12_seg_def *n1 = dg_x12_version_seg(dg_x12_defs_version(d, "004010"), "N1");
    assert_int_equal(n1->n_elems, 6);
    assert_int_equal(n1->n_rules, 2);
    assert_int_equal(n1->rules[1].kind, 'P');
    assert_int_equal(n1->rules[1].pos[0], 3);
    assert_int_equal(n1->rules[1].pos[1], 4);
    const dg_x12_elem_def *e373 = n1->elems[0].elem;
    assert_string_equal(e373->ref, "98");
    assert_int_equal(e373->type, DG_X12_ID);
    dg_x12_defs_free(d);
}

static void versions_and_inheritance(void **state)
{
    (void)state;
    dg_x12_defs *d = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_defs_load(dg_test_path("edi"), &d, &err), 0);
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "004010VICS")), "004010");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "004060")), "004010");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "005010X230")), "005010");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "006020")), "005010");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "003050")), "003060");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "002001")), "003060");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, "")), "004010");
    assert_string_equal(dg_x12_version_name(dg_x12_defs_version(d, NULL)), "004010");
    const dg_x12_version *v4 = dg_x12_defs_version(d, "004010");
    const dg_x12_version *v5 = dg_x12_defs_version(d, "005010");
    assert_false(dg_x12_version_is_5010(v4));
    assert_true(dg_x12_version_is_5010(v5));
    /* 005010 overrides: REF02 length, ST03, AK4 position composite */
    assert_int_equal(dg_x12_version_elem(v4, "127")->max, 30);
    assert_int_equal(dg_x12_version_elem(v5, "127")->max, 50);
    assert_int_equal(dg_x12_version_seg(v4, "ST")->n_elems, 2);
    assert_int_equal(dg_x12_version_seg(v5, "ST")->n_elems, 3);
    assert_int_equal(dg_x12_version_seg(v5, "AK4")->elems[0].comp->n_comps, 3);
    assert_int_equal(dg_x12_version_seg(v4, "AK4")->elems[0].comp->n_comps, 2);
    /* inherited sets point at the inheriting version's segments */
    const dg_x12_set_def *po5 = dg_x12_version_set(v5, "850");
    assert_string_equal(po5->version, "005010");
    assert_ptr_equal(po5->root.body[0].seg, dg_x12_version_seg(v5, "ST"));
    /* inherited elements unchanged; 003060 dates are six digits */
    assert_ptr_not_equal(dg_x12_version_elem(v5, "353"), NULL);
    assert_int_equal(dg_x12_version_elem(dg_x12_defs_version(d, "003060"), "373")->max, 6);
    /* code lists: closed for 353, known-only for 98, replaced in 005010 for 723 */
    const dg_x12_elem_def *e353 = dg_x12_version_elem(v4, "353");
    assert_true(dg_x12_elem_code_ok(e353, "00", 2));
    assert_false(dg_x12_elem_code_ok(e353, "99", 2));
    assert_false(dg_x12_elem_code_ok(e353, "0", 1));
    assert_false(e353->codes_open);
    assert_true(dg_x12_version_elem(v4, "98")->codes_open);
    assert_false(dg_x12_elem_code_ok(dg_x12_version_elem(v4, "723"), "13", 2));
    assert_true(dg_x12_elem_code_ok(dg_x12_version_elem(v5, "723"), "13", 2));
    dg_x12_defs_free(d);
}

/* A scratch edi/ with 004010/version.yaml plus the given file. */
static char *scratch(const char *file, const char *text)
{
    char *dir = dg_test_tmpdir("defs");
    char p[4096];
    snprintf(p, sizeof p, "%s/004010/version.yaml", dir);
    dg_test_write_file(p, "version: \"004010\"\n"
                          "elements:\n"
                          "  \"143\": [ID, 3, 3, Transaction Set Identifier Code]\n"
                          "  \"329\": [AN, 4, 9, Transaction Set Control Number]\n"
                          "  \"96\": [N0, 1, 10, Number of Included Segments]\n"
                          "  \"353\": [ID, 2, 2, Purpose]\n"
                          "segments:\n"
                          "  ST: {name: Header, elements: [\"143 M\", \"329 M\"]}\n"
                          "  SE: {name: Trailer, elements: [\"96 M\", \"329 M\"]}\n"
                          "  BEG: {name: Beginning, elements: [\"353 M\"]}\n");
    snprintf(p, sizeof p, "%s/004010/%s", dir, file);
    dg_test_write_file(p, text);
    return dir;
}

static void expect_bad(const char *file, const char *text, const char *want1, const char *want2)
{
    char *dir = scratch(file, text);
    dg_x12_defs *d = NULL;
    dg_error err = {0};
    int rc = dg_x12_defs_load(dir, &d, &err);
    if (!strstr(err.msg, want1) || (want2 && !strstr(err.msg, want2)))
        fprintf(stderr, "got: %s\n", err.msg);
    assert_int_equal(rc, DG_ECONFIG);
    assert_null(d);
    assert_non_null(strstr(err.msg, want1));
    if (want2)
        assert_non_null(strstr(err.msg, want2));
    dg_test_rmtree(dir);
    free(dir);
}

static void bad_definitions_name_file_and_line(void **state)
{
    (void)state;
    /* the good scratch folder loads */
    char *dir =
        scratch("850.yaml", "set: \"850\"\nstructure: [\"ST M 1\", \"BEG M 1\", \"SE M 1\"]\n");
    dg_x12_defs *d = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_defs_load(dir, &d, &err), 0);
    assert_non_null(dg_x12_defs_set(d, "004010", "850"));
    dg_x12_defs_free(d);
    dg_test_rmtree(dir);
    free(dir);

    expect_bad("850.yaml",
               "set: \"850\"\nstructure:\n  - \"ST M 1\"\n  - \"XYZ M 1\"\n  - \"SE M 1\"\n",
               "850.yaml:4", "segment XYZ is not in the segment dictionary");
    expect_bad("850.yaml",
               "set: \"850\"\nstructure:\n  - \"ST M 1\"\n  - \"BEG Q 1\"\n  - \"SE M 1\"\n",
               "850.yaml:4", "usage must be M or O");
    expect_bad("850.yaml", "set: \"850\"\nstructure:\n  - \"BEG M 1\"\n  - \"SE M 1\"\n",
               "850.yaml:3", "must start with ST and end with SE");
    expect_bad("850.yaml",
               "set: \"850\"\nstructure:\n  - \"ST M 1\"\n  - \"BEG M many\"\n  - \"SE M 1\"\n",
               "850.yaml:4", "max use must be a number");
    expect_bad("850.yaml",
               "set: \"850\"\nstructure:\n  - \"ST M 1\"\n  - {loop: N1, usage: O, repeat: 2}\n"
               "  - \"SE M 1\"\n",
               "850.yaml:4", "loop N1 needs a non-empty body");
    expect_bad("segs.yaml", "segments:\n  N1:\n    name: Name\n    elements: [\"98 M\"]\n",
               "segs.yaml:4", "unknown data element 98");
    expect_bad("segs.yaml",
               "segments:\n  N1:\n    name: Name\n    elements: [\"353 M\"]\n"
               "    syntax: [P0102]\n",
               "segs.yaml:5", "names a position the segment lacks");
    expect_bad("elems.yaml", "elements:\n  \"98\": [XX, 2, 3, Entity]\n", "elems.yaml:2",
               "unknown type 'XX'");
    expect_bad("elems.yaml", "elements:\n  \"98\": [ID, 5, 3, Entity]\n", "elems.yaml:2",
               "MIN and MAX");
    expect_bad("codes.yaml", "codes:\n  \"353\": oops\n", "codes.yaml:2",
               "expected a list of values");
    expect_bad("broken.yaml", "segments:\n  N1: [unclosed\n", "broken.yaml:", "YAML");
    expect_bad("typo.yaml", "segmnets: {}\n", "typo.yaml:1", "unknown key 'segmnets'");
    expect_bad("inherit.yaml", "inherits: \"009999\"\n", "inherits unknown version", NULL);
    /* a missing folder is an I/O error */
    assert_int_equal(dg_x12_defs_load("/nonexistent/edi", &d, &err), DG_EIO);
}

static void finds_the_edi_folder(void **state)
{
    (void)state;
    char buf[4096];
    setenv("DG_EDI_DIR", dg_test_path("edi"), 1);
    assert_string_equal(dg_x12_find_edi_dir("dropgate", buf, sizeof buf), dg_test_path("edi"));
    setenv("DG_EDI_DIR", "/nonexistent/edi", 1);
    assert_null(dg_x12_find_edi_dir("dropgate", buf, sizeof buf));
    unsetenv("DG_EDI_DIR");
    /* the test binary lives in the build tree inside the checkout: ../edi is found */
    const char *found = dg_x12_find_edi_dir(NULL, buf, sizeof buf);
    if (found) {
        dg_x12_defs *d = NULL;
        dg_error err = {0};
        assert_int_equal(dg_x12_defs_load(found, &d, &err), 0);
        dg_x12_defs_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_shipped_definitions),
        cmocka_unit_test(versions_and_inheritance),
        cmocka_unit_test(bad_definitions_name_file_and_line),
        cmocka_unit_test(finds_the_edi_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
