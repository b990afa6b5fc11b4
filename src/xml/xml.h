/* XML helpers over libxml2 for the mapping engine: safe parsing with positioned errors, XPath
 * evaluation to text, and building documents by simple element paths. */
#ifndef DG_XML_XML_H
#define DG_XML_XML_H

#include <stdbool.h>

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/buf.h"
#include "core/error.h"

/* Parses a file without network access or entity expansion; errors name file and line. */
int dg_xml_read_file(const char *path, xmlDocPtr *out, dg_error *err);
int dg_xml_read_buf(const char *data, size_t len, const char *name, xmlDocPtr *out, dg_error *err);

/* DG_EPARSE naming name, the line and the entity when the subtree at top holds a reference
 * to an external or undefined entity (which would otherwise read as an empty value). */
int dg_xml_check_entities(xmlNodePtr top, const char *name, dg_error *err);

/* Streaming read (xmlTextReader): memory is bounded by the largest child of the root, not by
 * the file. fn is called first with the root element alone (complete false: its attributes
 * and namespaces, no children yet); returning DG_XML_WHOLE there builds the whole tree and
 * calls fn once more with the complete root. Otherwise fn is called with each child element of
 * the root, its subtree complete and checked for entities; the root is in doc and children
 * returned DG_XML_KEEP for stay in it (a header shared by the documents), the others are freed
 * as reading goes on. A negative return stops reading and is returned. */
enum { DG_XML_KEEP = 1, DG_XML_WHOLE = 2 };
typedef int (*dg_xml_node_fn)(void *ctx, xmlDocPtr doc, xmlNodePtr node, bool complete,
                              dg_error *err);
int dg_xml_stream_file(const char *path, dg_xml_node_fn fn, void *ctx, dg_error *err);

/* libxml2 never prints: while these calls run its error handlers (structured and generic, and
 * the XPath context's own) collect the first error into the dg_error, and are put back after. */

/* Compiles src (with ctx, for its namespaces and functions, or NULL); DG_ECONFIG naming src
 * and libxml2's reason when it is not a valid XPath expression. */
int dg_xml_compile(xmlXPathContextPtr ctx, const char *src, xmlXPathCompExprPtr *out,
                   dg_error *err);
/* Evaluates expr at node; NULL with err (DG_EMAP, "XPath: Undefined namespace prefix"...) on an
 * evaluation error. Free the result with xmlXPathFreeObject. */
xmlXPathObjectPtr dg_xml_select(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node,
                                dg_error *err);
/* Evaluates a compiled XPath at node; the text of the first node, or the string value of a
 * non-node result, into out (cleared first). Returns 1 when a value was found, 0 when not, a
 * negative DG_E code with err filled on an evaluation error. */
int dg_xml_eval(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node, dg_buf *out,
                dg_error *err);
/* The same, an evaluation error counting as no value (nothing printed either way). */
int dg_xml_eval_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node,
                     dg_buf *out);

/* "a/b/@c" under parent: reuses existing elements of those names (creates them when missing)
 * and, when last_new, always creates the last element; a value for a last element that already
 * holds text goes into a new element of the same name (two Street lines). Returns the element
 * (or its owner for an attribute, which is then set to value). */
xmlNodePtr dg_xml_path_node(xmlNodePtr parent, const char *path, int last_new, const char *value);

/* Serialises with an XML declaration, UTF-8, indented. */
void dg_xml_dump(xmlDocPtr doc, dg_buf *out);

#endif
