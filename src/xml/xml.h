/* XML helpers over libxml2 for the mapping engine: safe parsing with positioned errors, XPath
 * evaluation to text, and building documents by simple element paths. */
#ifndef DG_XML_XML_H
#define DG_XML_XML_H

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/buf.h"
#include "core/error.h"

/* Parses a file without network access or entity expansion; errors name file and line. */
int dg_xml_read_file(const char *path, xmlDocPtr *out, dg_error *err);
int dg_xml_read_buf(const char *data, size_t len, const char *name, xmlDocPtr *out, dg_error *err);

/* Evaluates a compiled XPath at node; the text of the first node, or the string value of a
 * non-node result, into out (cleared first). Returns 1 when a value was found, 0 when not. */
int dg_xml_eval_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr expr, xmlNodePtr node,
                     dg_buf *out);

/* "a/b/@c" under parent: reuses existing elements of those names (creates them when missing)
 * and, when last_new, always creates the last element. Returns the element (or its owner for
 * an attribute, which is then set to value). */
xmlNodePtr dg_xml_path_node(xmlNodePtr parent, const char *path, int last_new, const char *value);

/* Serialises with an XML declaration, UTF-8, indented. */
void dg_xml_dump(xmlDocPtr doc, dg_buf *out);

#endif
