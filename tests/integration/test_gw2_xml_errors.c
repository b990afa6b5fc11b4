/* src/xml: libxml2's errors are collected into the dg_error, never printed: an invalid XPath,
 * an undefined prefix or unknown function at evaluation, malformed input; the handlers in place
 * before the call are put back after it. */
#include "testutil.h"

#include <fcntl.h>
#include <libxml/globals.h>
#include <libxml/xpathInternals.h>
#include <string.h>
#include <unistd.h>

#include "xml/xml.h"

static int g_saved = -1;
static char *g_dir;
static char g_err_path[1024];

/* fd 2 goes to a file for the test's duration, to see what libxml2 would have printed. */
static void stderr_to_file(void)
{
    g_dir = dg_test_tmpdir("gw2_xml");
    snprintf(g_err_path, sizeof g_err_path, "%s/stderr", g_dir);
    fflush(stderr);
    g_saved = dup(2);
    int fd = open(g_err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static char *stderr_back(void)
{
    fflush(stderr);
    dup2(g_saved, 2);
    close(g_saved);
    char *text = dg_test_read_file(g_err_path, NULL);
    dg_test_rmtree(g_dir);
    free(g_dir);
    return text;
}

static int g_mine_called;
static void mine(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
    g_mine_called++;
}

static void test_xpath_errors_collected(void **state)
{
    (void)state;
    xmlSetGenericErrorFunc(NULL, mine); /* a caller's handler: must be back afterwards */
    stderr_to_file();
    dg_error err = {0};
    xmlXPathCompExprPtr e = NULL;
    int rc = dg_xml_compile(NULL, "o:Currency[", &e, &err);
    assert_int_equal(rc, DG_ECONFIG);
    assert_null(e);
    assert_non_null(strstr(err.msg, "'o:Currency[' is not a valid XPath expression: "));
    assert_non_null(strstr(err.msg, "Invalid"));

    xmlDocPtr doc = NULL;
    const char *xml = "<a xmlns='urn:x'><b>1</b></a>";
    assert_int_equal(dg_xml_read_buf(xml, strlen(xml), "t.xml", &doc, &err), 0);
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    dg_buf out = {0};
    const char *bad[] = {"x:b", "nofunc(b)"};
    const char *why[] = {"Undefined namespace prefix", "Unregistered function"};
    for (int i = 0; i < 2; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(dg_xml_compile(ctx, bad[i], &e, &err), 0);
        rc = dg_xml_eval(ctx, e, xmlDocGetRootElement(doc), &out, &err);
        assert_true(rc < 0);
        if (!strstr(err.msg, why[i]))
            fail_msg("%s: '%s', want '%s'", bad[i], err.msg, why[i]);
        assert_int_equal(dg_xml_eval_text(ctx, e, xmlDocGetRootElement(doc), &out), 0);
        xmlXPathFreeCompExpr(e);
    }
    /* A good expression still works, with no error. */
    assert_int_equal(xmlXPathRegisterNs(ctx, (const xmlChar *)"u", (const xmlChar *)"urn:x"), 0);
    assert_int_equal(dg_xml_compile(ctx, "u:b", &e, &err), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(dg_xml_eval(ctx, e, xmlDocGetRootElement(doc), &out, &err), 1);
    assert_string_equal(out.data, "1");
    xmlXPathFreeCompExpr(e);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);

    const char *broken = "<a><![CDATA[ open\nsecond";
    assert_int_equal(dg_xml_read_buf(broken, strlen(broken), "b.xml", &doc, &err), DG_EPARSE);
    assert_null(strchr(err.msg, '\n'));
    char *printed = stderr_back();
    assert_non_null(printed);
    if (printed[0])
        fail_msg("libxml2 printed: %s", printed);
    free(printed);
    /* The caller's generic handler is back in place. */
    assert_true(xmlGenericError == (xmlGenericErrorFunc)mine);
    xmlSetGenericErrorFunc(NULL, NULL);
    dg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xpath_errors_collected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
