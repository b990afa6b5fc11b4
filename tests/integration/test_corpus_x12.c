/* X12 conformance: every x12 file of ../shared/corpus/MANIFEST.tsv through the validator
 * (valid -> accepted, invalid -> rejected with the reason its notes name), and the validate/ack
 * commands end to end on samples/x12. The corpus part is skipped, saying so, without the folder. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "x12/ack.h"
#include "x12/validate.h"

/* Files the corpus calls valid that break the X12 standard; we keep rejecting them, with this
 * code, citing the rule (the manifest's hand review moved every earlier dispute to `invalid`). */
static const struct {
    const char *path;
    dg_x12_level level;
    const char *code;
    const char *why;
} disputed[] = {
    {"x12/999/oopfactory-DHS_Wisconsin_Sample.edi", DG_X12_LEVEL_ELEMENT, "4",
     "AK2*837*002: AK202 is data element 329, AN 4/9 (a 3-character control number)"},
};

/* Invalid files whose notes name the reason: the problem we must report for it (seg NULL: any
 * segment). The `reviewed:` notes of MANIFEST.tsv name these codes. */
static const struct {
    const char *path;
    dg_x12_level level;
    const char *code;
    const char *seg;
} reasons[] = {
    {"x12/997/staedi-empty997-MALFORMED.edi", DG_X12_LEVEL_SEGMENT, "3", "AK1"},
    {"x12/997/staedi-extraDelimiter997-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "12", "AK3"},
    {"x12/997/staedi-invalid997-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "5", "AK1"},
    {"x12/997/staedi-invalid997-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "6", "AK4"},
    {"x12/997/staedi-invalid997_min-MALFORMED.edi", DG_X12_LEVEL_SEGMENT, "8", "AK1"},
    {"x12/850/edinet-Issue101-MALFORMED.edi", DG_X12_LEVEL_SEGMENT, "1", "TFS"},
    {"x12/850/edinet-Issue101-MALFORMED.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/850/ediengine-850.SyntaxNotes.ERR-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "2", "PO1"},
    {"x12/850/ediengine-850.SyntaxNotes.ERR-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "2", "PO4"},
    {"x12/other/ediengine-940-ControlNumbersMismatch-MALFORMED.edi", DG_X12_LEVEL_SET, "3", "SE"},
    {"x12/other/ediengine-940-ControlNumbersMismatch-MALFORMED.edi", DG_X12_LEVEL_GROUP, "4", NULL},
    {"x12/other/ediengine-940-ControlNumbersMismatch-MALFORMED.edi", DG_X12_LEVEL_INTERCHANGE,
     "001", NULL},
    {"x12/other/ediengine-940-WrongGroupsAndTranCount-MALFORMED.edi", DG_X12_LEVEL_GROUP, "5",
     NULL},
    {"x12/other/ediengine-940-WrongGroupsAndTranCount-MALFORMED.edi", DG_X12_LEVEL_INTERCHANGE,
     "021", NULL},
    {"x12/malformed/gtlogistics-no-ge-trailer.edi", DG_X12_LEVEL_GROUP, "3", NULL},
    {"x12/malformed/gtlogistics-no-iea-trailer.edi", DG_X12_LEVEL_INTERCHANGE, "023", NULL},
    {"x12/malformed/gtlogistics-no-matching-gs-count.edi", DG_X12_LEVEL_INTERCHANGE, "021", NULL},
    {"x12/malformed/gtlogistics-no-matching-segment-count.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/malformed/gtlogistics-no-matching-st-count.edi", DG_X12_LEVEL_GROUP, "5", NULL},
    {"x12/malformed/gtlogistics-no-se-trailer.edi", DG_X12_LEVEL_SET, "2", NULL},
    {"x12/850/edifabric-PurchaseOrderInvalid-MALFORMED.edi", DG_X12_LEVEL_ELEMENT, "5", "PO1"},
    {"x12/850/edifabric-PurchaseOrderInvalid-MALFORMED.edi", DG_X12_LEVEL_SET, "4", "SE"},
    /* duplicate GS06 in a 004010 interchange: 004010 has no AK905 code for it (its 19 is a
     * security code, edi/004010/ack.yaml); rejected with AK9 R and no code */
    {"x12/malformed/edifabric-DuplicateGroup-850.edi", DG_X12_LEVEL_GROUP, "", "GS"},
    {"x12/malformed/edifabric-DuplicateInterchange-850.edi", DG_X12_LEVEL_INTERCHANGE, "025", NULL},
    {"x12/malformed/edifabric-DuplicateMessage-850.edi", DG_X12_LEVEL_SET, "23", "ST"},
    /* from the hand review (MANIFEST.tsv notes "reviewed: ...") */
    {"x12/810/oopfactory-Example3_MultiInvoice.edi", DG_X12_LEVEL_SEGMENT, "7", "TDS"},
    {"x12/810/oopfactory-Example5_Walmart.edi", DG_X12_LEVEL_SEGMENT, "7", "TDS"},
    {"x12/810/oopfactory-Example5_Walmart.edi", DG_X12_LEVEL_SEGMENT, "7", "CAD"},
    {"x12/846/oopfactory-Example2.edi", DG_X12_LEVEL_ELEMENT, "3", "REF"},
    {"x12/846/oopfactory-Example2.edi", DG_X12_LEVEL_ELEMENT, "5", "QTY"},
    {"x12/856/oopfactory-Example2.edi", DG_X12_LEVEL_ELEMENT, "1", "BSN"},
    {"x12/856/oopfactory-Example2.edi", DG_X12_LEVEL_ELEMENT, "5", "TD1"},
    {"x12/856/oopfactory-Example2.edi", DG_X12_LEVEL_ELEMENT, "5", "CLD"},
    {"x12/856/oopfactory-Example4.edi", DG_X12_LEVEL_ELEMENT, "5", "N4"},
    /* the review names N1 P0304 (AK403 2) in the 850 group; that group is GS08 003010, older
     * than edi/'s lowest version, so it is rejected as not supported (AK905 2) unchecked */
    {"x12/mixed/staedi-invoice810_po850_dual.edi", DG_X12_LEVEL_GROUP, "2", "GS"},
    {"x12/850/node-x12-850_fat.edi", DG_X12_LEVEL_INTERCHANGE, "025", "ISA"},
    {"x12/850/edinet-850.edi", DG_X12_LEVEL_INTERCHANGE, "001", "IEA"},
    {"x12/850/edinet-850a.edi", DG_X12_LEVEL_INTERCHANGE, "001", "IEA"},
    {"x12/850/edinet-850a.edi", DG_X12_LEVEL_ELEMENT, "5", "N4"},
    {"x12/850/edinet-810.mandatory-conditions.edi", DG_X12_LEVEL_INTERCHANGE, "001", "IEA"},
    {"x12/850/edinet-810.mandatory-conditions.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/850/edinet-Issue91.edi", DG_X12_LEVEL_INTERCHANGE, "001", "IEA"},
    {"x12/850/edinet-Issue91.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/850/edinet-Issue172.edi", DG_X12_LEVEL_INTERCHANGE, "001", "IEA"},
    {"x12/850/edinet-Issue172.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/other/silvenga-odd-separator-837.edi", DG_X12_LEVEL_SET, "2", NULL},
    {"x12/other/silvenga-odd-separator-837.edi", DG_X12_LEVEL_GROUP, "3", NULL},
    {"x12/other/silvenga-odd-separator-837.edi", DG_X12_LEVEL_INTERCHANGE, "023", NULL},
    {"x12/850/stupidedi-003010-PO850-fail1.edi", DG_X12_LEVEL_SET, "4", "SE"},
    {"x12/855/stupidedi-004010-PR855-fail2.edi", DG_X12_LEVEL_ELEMENT, "5", NULL},
    {"x12/855/stupidedi-X358-po-ack-minor-changes.edi", DG_X12_LEVEL_ELEMENT, "2", "ACK"},
    {"x12/850/edifabric-PurchaseOrders.edi", DG_X12_LEVEL_ELEMENT, "5", "PO1"},
    {"x12/856/edifabric-ShipNotice.edi", DG_X12_LEVEL_ELEMENT, "8", "DTM"},
    {"x12/856/edifabric-ShipNotice.edi", DG_X12_LEVEL_GROUP, "5", "GE"},
    {"x12/855/edifabric-PurchaseOrdersAcknowledgement.edi", DG_X12_LEVEL_GROUP, "5", "GE"},
    {"x12/mixed/edifabric-MixedTransactions.edi", DG_X12_LEVEL_GROUP, "", "GS"},
    /* TAX is element-checked (it was "structure only"): TAX02 is 309, ID 1/2 */
    {"x12/mixed/edifabric-MixedTransactions.edi", DG_X12_LEVEL_ELEMENT, "5", "TAX"},
    {"x12/mixed/bots-mailbag01-multi-interchange-mixed-delimiters.edi", DG_X12_LEVEL_SET, "23",
     "ST"},
    {"x12/mixed/bots-mailbag01-multi-interchange-mixed-delimiters.edi", DG_X12_LEVEL_ELEMENT, "2",
     "DTM"},
    {"x12/810/libedi-Sample_4010_810.edi", DG_X12_LEVEL_SET, "4", "SE"},
};

/* Files the review left `lenient` (readable, the call is ours): what we say about each. accept:
 * the file is accepted with that warning; otherwise it is rejected with that error and without
 * any segment or element error (no false error on what the review found sound). */
static const struct {
    const char *path;
    dg_x12_level level;
    const char *code;
    bool accept;
} lenient[] = {
    {"x12/846/oopfactory-Example1.edi", DG_X12_LEVEL_INTERCHANGE, "016", true}, /* blank ISA11 */
    {"x12/856/oopfactory-Example3.edi", DG_X12_LEVEL_INTERCHANGE, "004", true}, /* ellipsis */
    {"x12/other/staedi-ts214_ellipses_segterm.edi", DG_X12_LEVEL_INTERCHANGE, "004", true},
    {"x12/810/oopfactory-Example4_Adobe.edi", DG_X12_LEVEL_INTERCHANGE, "017", true},
    /* GS04 071214 under GS08 004010 (DT 8/8): enforced, TA1 024 */
    {"x12/997/edifabric-997.edi", DG_X12_LEVEL_INTERCHANGE, "024", false},
    /* older than edi/'s lowest version: not supported, never checked against 004010 (the pack
     * under item and the 3050 heading NTE were false errors) */
    {"x12/856/stupidedi-002001-SH856-fail1.edi", DG_X12_LEVEL_GROUP, "2", false},
    {"x12/850/stupidedi-003050-PO850-fail1.edi", DG_X12_LEVEL_GROUP, "2", false},
};

static dg_x12_defs *defs;

static int setup(void **state)
{
    (void)state;
    dg_error err = {0};
    return dg_x12_defs_load(dg_test_path("edi"), &defs, &err);
}

static int teardown(void **state)
{
    (void)state;
    dg_x12_defs_free(defs);
    return 0;
}

static bool has(const dg_x12_file_result *r, dg_x12_level level, const char *code, const char *seg)
{
    for (size_t i = 0; i < r->n_problems; i++) {
        const dg_x12_problem *p = &r->problems[i];
        if (p->level == level && !strcmp(p->code, code) && !p->warning &&
            (!seg || !strcmp(p->seg_id, seg)))
            return true;
    }
    return false;
}

static void dump(const dg_x12_file_result *r)
{
    for (size_t i = 0; i < r->n_problems && i < 12; i++)
        fprintf(stderr, "    L%d %s%s %s: %s\n", r->problems[i].level, r->problems[i].code,
                r->problems[i].warning ? "w" : "", r->problems[i].seg_id, r->problems[i].msg);
}

/* Every file that holds a group can be acknowledged with a 997 and a 999, and each is itself
 * valid X12 by our own validator; a file of acknowledgments only gets none (never acked). */
static int check_acks(const char *rel, const dg_x12_file_result *r)
{
    if (!r->n_groups && !r->n_interchanges)
        return 0;
    int failures = 0;
    for (int kind = DG_X12_ACK_997; kind <= DG_X12_ACK_999; kind++) {
        dg_x12_ack_opts o;
        memset(&o, 0, sizeof o);
        o.isa_control = "1";
        o.kind = (dg_x12_ack_kind)kind;
        dg_buf out = DG_BUF_INIT;
        dg_error err = {0};
        int rc = dg_x12_ack_build(r, &o, &out, NULL, &err);
        if (dg_x12_ack_only(r)) {
            if (rc != DG_EVALID || out.len) {
                fprintf(stderr, "FAIL %s: an acknowledgment was acknowledged\n", rel);
                failures++;
            }
        } else if (rc && r->n_groups) {
            fprintf(stderr, "FAIL %s: no %s: %s\n", rel, kind ? "999" : "997", err.msg);
            failures++;
        } else if (!rc) {
            dg_x12_file_result *back = NULL;
            assert_int_equal(dg_x12_check_mem(defs, out.data, out.len, "ack", &back, &err), 0);
            if (back->rejected || back->n_warnings) {
                fprintf(stderr, "FAIL %s: its %s is not valid\n%s\n", rel, kind ? "999" : "997",
                        out.data);
                dump(back);
                failures++;
            }
            dg_x12_file_result_free(back);
        }
        dg_buf_free(&out);
    }
    return failures;
}

static bool has_warning(const dg_x12_file_result *r, dg_x12_level level, const char *code)
{
    for (size_t i = 0; i < r->n_problems; i++)
        if (r->problems[i].level == level && !strcmp(r->problems[i].code, code) &&
            r->problems[i].warning)
            return true;
    return false;
}

static int check_lenient(const char *rel, const dg_x12_file_result *r)
{
    for (size_t k = 0; k < sizeof lenient / sizeof *lenient; k++) {
        if (strcmp(lenient[k].path, rel))
            continue;
        bool ok = lenient[k].accept
                      ? !r->rejected && has_warning(r, lenient[k].level, lenient[k].code)
                      : r->rejected && has(r, lenient[k].level, lenient[k].code, NULL);
        for (size_t i = 0; !lenient[k].accept && i < r->n_problems; i++)
            if (!r->problems[i].warning && (r->problems[i].level == DG_X12_LEVEL_SEGMENT ||
                                            r->problems[i].level == DG_X12_LEVEL_ELEMENT))
                ok = false;
        if (!ok) {
            fprintf(stderr, "FAIL %s: lenient file: want %s with L%d %s\n", rel,
                    lenient[k].accept ? "accepted, a warning" : "rejected, only", lenient[k].level,
                    lenient[k].code);
            dump(r);
            return 1;
        }
    }
    return 0;
}

static void corpus_manifest(void **state)
{
    (void)state;
    const char *corpus = dg_test_corpus_dir();
    if (!corpus) {
        const char *ci = getenv("CI");
        if (ci && !strcmp(ci, "true"))
            fail_msg("CI=true and ../shared/corpus is missing (DG_SOURCE_DIR/../shared/corpus or "
                     "DG_CORPUS_DIR): the X12 conformance test must run in CI");
        fprintf(stderr, "SKIP: ../shared/corpus not found beside the checkout (DG_SOURCE_DIR/../"
                        "shared/corpus or DG_CORPUS_DIR): X12 conformance not run\n");
        skip();
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", corpus);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    int n = 0, failures = 0, n_valid = 0, n_invalid = 0, n_disputed = 0;
    while (fgets(line, sizeof line, f)) {
        char *rel = strtok(line, "\t\n"), *expect = strtok(NULL, "\t\n");
        if (!rel || !expect || strncmp(rel, "x12/", 4))
            continue;
        n++;
        snprintf(path, sizeof path, "%s/%s", corpus, rel);
        dg_x12_file_result *r = NULL;
        dg_error err = {0};
        if (dg_x12_check_file(defs, path, &r, &err)) {
            fprintf(stderr, "FAIL %s: cannot read: %s\n", rel, err.msg);
            failures++;
            continue;
        }
        size_t d = 0;
        while (d < sizeof disputed / sizeof *disputed && strcmp(disputed[d].path, rel))
            d++;
        if (d < sizeof disputed / sizeof *disputed) {
            n_disputed++;
            if (!r->rejected || !has(r, disputed[d].level, disputed[d].code, NULL)) {
                fprintf(stderr, "FAIL %s: disputed file no longer rejected with %s\n", rel,
                        disputed[d].code);
                failures++;
            } else {
                fprintf(stderr, "note %s: corpus says valid; rejected (%s)\n", rel,
                        disputed[d].why);
            }
        } else if (!strcmp(expect, "valid")) {
            n_valid++;
            if (r->rejected) {
                fprintf(stderr, "FAIL %s: valid but rejected\n", rel);
                dump(r);
                failures++;
            }
        } else if (!strcmp(expect, "invalid")) {
            n_invalid++;
            if (!r->rejected) {
                fprintf(stderr, "FAIL %s: invalid but accepted\n", rel);
                failures++;
            }
            for (size_t k = 0; k < sizeof reasons / sizeof *reasons; k++)
                if (!strcmp(reasons[k].path, rel) &&
                    !has(r, reasons[k].level, reasons[k].code, reasons[k].seg)) {
                    fprintf(stderr, "FAIL %s: reason L%d code %s %s not reported\n", rel,
                            reasons[k].level, reasons[k].code,
                            reasons[k].seg ? reasons[k].seg : "");
                    dump(r);
                    failures++;
                }
        } else if (r->not_x12) { /* lenient: must at least be read */
            fprintf(stderr, "FAIL %s: lenient file not read as X12\n", rel);
            failures++;
        } else {
            failures += check_lenient(rel, r);
        }
        failures += check_acks(rel, r);
        dg_x12_file_result_free(r);
    }
    fclose(f);
    fprintf(stderr,
            "x12 corpus: %d files (%d valid, %d invalid checked, %d disputed), %d failures\n", n,
            n_valid, n_invalid, n_disputed, failures);
    assert_true(n > 50);
    assert_int_equal(failures, 0);
}

/* ---- the commands ---------------------------------------------------------------------- */

static int run(const char *args, const char *out_file)
{
    const char *bin = getenv("DG_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "DG_EDI_DIR='%s' '%s' %s > '%s' 2>&1", dg_test_path("edi"), bin, args,
             out_file);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void validate_and_ack_commands(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("x12cli");
    char out[4096], args[8192];
    snprintf(out, sizeof out, "%s/out.txt", tmp);
    /* all samples accepted: exit 0 */
    snprintf(args, sizeof args, "validate '%s' '%s' '%s' '%s' '%s' '%s'",
             dg_test_path("samples/x12/850-dropship.edi"), dg_test_path("samples/x12/855-ack.edi"),
             dg_test_path("samples/x12/856-asn.edi"), dg_test_path("samples/x12/810-invoice.edi"),
             dg_test_path("samples/x12/846-inventory.edi"),
             dg_test_path("samples/x12/997-accept.edi"));
    assert_int_equal(run(args, out), 0);
    char *text = dg_test_read_file(out, NULL);
    assert_non_null(strstr(text, "856-asn.edi: accepted: 1 interchange(s), 1 group(s), 1 set(s)"));
    free(text);
    /* a rejected file: exit 1, a line naming file, controls, segment, element and code */
    snprintf(args, sizeof args, "validate '%s'",
             dg_test_path("samples/x12/bad/element-too-long.edi"));
    assert_int_equal(run(args, out), 1);
    text = dg_test_read_file(out, NULL);
    assert_non_null(strstr(text, "element-too-long.edi: ISA 000000115 GS 115 ST 850 0001 segment 4 "
                                 "(set position 2) BEG element 03 (ref 324): AK4 5 data element "
                                 "too long"));
    assert_non_null(strstr(text, "REJECTED"));
    free(text);
    /* --json */
    snprintf(args, sizeof args, "validate --json '%s' '%s'",
             dg_test_path("samples/x12/bad/invalid-date-code.edi"),
             dg_test_path("samples/x12/850-dropship.edi"));
    assert_int_equal(run(args, out), 1);
    json_error_t jerr;
    json_t *root = json_load_file(out, 0, &jerr);
    assert_non_null(root);
    assert_false(json_is_true(json_object_get(root, "accepted")));
    json_t *files = json_object_get(root, "files");
    assert_int_equal(json_array_size(files), 2);
    json_t *f0 = json_array_get(files, 0);
    assert_false(json_is_true(json_object_get(f0, "accepted")));
    json_t *g = json_array_get(json_object_get(f0, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "status")), "R");
    bool date = false;
    json_t *probs = json_object_get(f0, "problems");
    for (size_t i = 0; i < json_array_size(probs); i++) {
        json_t *p = json_array_get(probs, i);
        if (!strcmp(json_string_value(json_object_get(p, "segment_id")), "BEG") &&
            !strcmp(json_string_value(json_object_get(p, "level")), "AK4") &&
            !strcmp(json_string_value(json_object_get(p, "code")), "8") &&
            json_integer_value(json_object_get(p, "element")) == 5)
            date = true;
    }
    assert_true(date);
    assert_true(json_is_true(json_object_get(json_array_get(files, 1), "accepted")));
    json_decref(root);
    /* usage and I/O errors: exit 2 */
    assert_int_equal(run("validate", out), 2);
    assert_int_equal(run("validate /nonexistent/file.edi", out), 2);
    assert_int_equal(run("validate --edi /nonexistent/edi x.edi", out), 2);
    /* ack: a 997 file that validates, with the counter file advancing ISA13 */
    char ack[4096], counter[4096];
    snprintf(ack, sizeof ack, "%s/ack.997", tmp);
    snprintf(counter, sizeof counter, "%s/counter", tmp);
    snprintf(args, sizeof args, "ack --counter '%s' -o '%s' '%s'", counter, ack,
             dg_test_path("samples/x12/bad/missing-mandatory.edi"));
    assert_int_equal(run(args, out), 0);
    assert_int_equal(run(args, out), 0);
    text = dg_test_read_file(ack, NULL);
    assert_non_null(strstr(text, "*000000002*0*P*"));
    assert_non_null(strstr(text, "AK3*BEG*2**3~"));
    assert_non_null(strstr(text, "AK9*R*1*1*0~"));
    free(text);
    snprintf(args, sizeof args, "validate '%s'", ack);
    assert_int_equal(run(args, out), 0);
    snprintf(args, sizeof args, "ack '%s'", dg_test_path("samples/x12/bad/truncated-isa.edi"));
    assert_int_equal(run(args, out), 1);
    /* an acknowledgment is never acknowledged: exit 3, nothing written, a message saying so */
    char none[4096];
    snprintf(none, sizeof none, "%s/none.997", tmp);
    snprintf(args, sizeof args, "ack -o '%s' '%s'", none, ack);
    assert_int_equal(run(args, out), 3);
    assert_int_equal(access(none, F_OK), -1);
    text = dg_test_read_file(out, NULL);
    assert_non_null(strstr(text, "acknowledgments are never acknowledged"));
    free(text);
    snprintf(args, sizeof args, "ack '%s'", dg_test_path("samples/x12/997-accept.edi"));
    assert_int_equal(run(args, out), 3);
    /* --999: IK3/IK5 in a 005010X231A1 group, itself valid */
    char ack999[4096];
    snprintf(ack999, sizeof ack999, "%s/ack.999", tmp);
    snprintf(args, sizeof args, "ack --999 --control 7 -o '%s' '%s'", ack999,
             dg_test_path("samples/x12/bad/missing-mandatory.edi"));
    assert_int_equal(run(args, out), 0);
    text = dg_test_read_file(ack999, NULL);
    assert_non_null(strstr(text, "ST*999*0001*005010X231A1~"));
    assert_non_null(strstr(text, "IK3*BEG*2**3~"));
    assert_non_null(strstr(text, "IK5*R*5~"));
    assert_null(strstr(text, "AK3"));
    free(text);
    snprintf(args, sizeof args, "validate '%s'", ack999);
    assert_int_equal(run(args, out), 0);
    snprintf(args, sizeof args, "ack --kind 998 '%s'",
             dg_test_path("samples/x12/bad/missing-mandatory.edi"));
    assert_int_equal(run(args, out), 2);
    assert_int_equal(run("ack", out), 2);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_manifest),
        cmocka_unit_test(validate_and_ack_commands),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
