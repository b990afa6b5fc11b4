/* XML helpers: parse errors name file and line, no external entities are fetched, XPath to
 * text, and documents built from element paths serialise as expected. */
#include "testutil.h"

#include <string.h>

#include <libxml/xpathInternals.h>

#include "xml/xml.h"

static void malformed_names_line(void **state)
{
    (void)state;
    const char *in = "<a>\n<b>text</b>\n<c></a>\n";
    xmlDocPtr d = NULL;
    dg_error err = {0};
    assert_int_equal(dg_xml_read_buf(in, strlen(in), "bad.xml", &d, &err), DG_EPARSE);
    assert_null(d);
    assert_non_null(strstr(err.msg, "bad.xml"));
    assert_non_null(strstr(err.msg, "3"));
}

static void no_external_entities(void **state)
{
    (void)state;
    const char *in = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "
                     "\"file:///etc/passwd\">]>\n<a>&x;</a>\n";
    xmlDocPtr d = NULL;
    dg_error err = {0};
    /* refused, naming file, line and entity: neither read (XXE) nor taken as empty */
    assert_int_equal(dg_xml_read_buf(in, strlen(in), "xxe.xml", &d, &err), DG_EPARSE);
    assert_null(d);
    if (!strstr(err.msg, "xxe.xml:3") || !strstr(err.msg, "&x;") || !strstr(err.msg, "external") ||
        strstr(err.msg, "root:"))
        fail_msg("unexpected message: %s", err.msg);
    /* the declaration alone, never referenced, is harmless: the document is read, nothing of
     * the file is in it */
    const char *unused = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "
                         "\"file:///etc/passwd\">]>\n<a b=\"1\">text</a>\n";
    dg_error_clear(&err);
    assert_int_equal(dg_xml_read_buf(unused, strlen(unused), "unused.xml", &d, &err), 0);
    assert_non_null(d);
    xmlChar *t = xmlNodeGetContent(xmlDocGetRootElement(d));
    assert_string_equal((const char *)t, "text");
    xmlFree(t);
    xmlFreeDoc(d);
}

static void xpath_text_and_build(void **state)
{
    (void)state;
    const char *in =
        "<o:Orders xmlns:o=\"urn:x\"><o:Order n=\"7\"><o:Sku>A</o:Sku></o:Order></o:Orders>";
    xmlDocPtr d = NULL;
    dg_error err = {0};
    assert_int_equal(dg_xml_read_buf(in, strlen(in), "ok.xml", &d, &err), 0);
    xmlXPathContextPtr ctx = xmlXPathNewContext(d);
    xmlXPathRegisterNs(ctx, (const xmlChar *)"p", (const xmlChar *)"urn:x");
    xmlXPathCompExprPtr e1 = xmlXPathCompile((const xmlChar *)"/p:Orders/p:Order/p:Sku");
    xmlXPathCompExprPtr e2 = xmlXPathCompile((const xmlChar *)"/p:Orders/p:Order/@n");
    xmlXPathCompExprPtr e3 = xmlXPathCompile((const xmlChar *)"/p:Orders/p:Nothing");
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_xml_eval_text(ctx, e1, (xmlNodePtr)d, &b), 1);
    assert_string_equal(b.data, "A");
    assert_int_equal(dg_xml_eval_text(ctx, e2, (xmlNodePtr)d, &b), 1);
    assert_string_equal(b.data, "7");
    assert_int_equal(dg_xml_eval_text(ctx, e3, (xmlNodePtr)d, &b), 0);
    xmlXPathFreeCompExpr(e1);
    xmlXPathFreeCompExpr(e2);
    xmlXPathFreeCompExpr(e3);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(d);

    xmlDocPtr o = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)"Orders");
    xmlDocSetRootElement(o, root);
    xmlNodePtr ord = dg_xml_path_node(root, "Order", 1, NULL);
    dg_xml_path_node(ord, "ShipTo/Name", 0, "Ana & Co");
    dg_xml_path_node(ord, "ShipTo/City", 0, "Austin");
    dg_xml_path_node(ord, "@purpose", 0, "00");
    dg_xml_path_node(ord, "Lines/Line", 1, NULL);
    dg_xml_path_node(ord, "Lines/Line", 1, NULL);
    dg_buf_clear(&b);
    dg_xml_dump(o, &b);
    assert_non_null(strstr(b.data, "<Order purpose=\"00\">"));
    assert_non_null(strstr(b.data, "<Name>Ana &amp; Co</Name>"));
    assert_non_null(strstr(b.data, "<City>Austin</City>"));
    const char *first = strstr(b.data, "<ShipTo>");
    assert_non_null(first);
    assert_null(strstr(first + 1, "<ShipTo>")); /* one ShipTo, reused */
    const char *l1 = strstr(b.data, "<Line/>");
    assert_non_null(l1);
    assert_non_null(strstr(l1 + 1, "<Line/>")); /* two Lines: last_new */
    xmlFreeDoc(o);
    dg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_names_line),
        cmocka_unit_test(no_external_entities),
        cmocka_unit_test(xpath_text_and_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
