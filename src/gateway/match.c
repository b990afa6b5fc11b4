/* Which mapping of a CSV/XML drop reads a file: drops with several mappings pick one by a look
 * at the file's start (the XML document element, the CSV header's columns), so a storefront can
 * put orders and cancellations, or two export layouts, in one folder. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"

enum { LOOK = 65536 }; /* a header or a document element further in is not looked for */

static size_t head_of(const char *path, char *buf, size_t size, dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dg_error_set(err, DG_EIO, "%s: cannot read", path);
        return (size_t)-1;
    }
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

/* The document element's name: past the BOM, the XML declaration, processing instructions,
 * comments and the DOCTYPE. "" when none starts in the look. */
static void xml_root(const char *s, char *out, size_t size)
{
    out[0] = '\0';
    if (!strncmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    while ((s = strchr(s, '<'))) {
        if (!strncmp(s, "<?", 2)) {
            s = strstr(s, "?>");
        } else if (!strncmp(s, "<!--", 4)) {
            s = strstr(s, "-->");
        } else if (!strncmp(s, "<!", 2)) {
            s = strchr(s, '>'); /* DOCTYPE without an internal subset */
        } else {
            s++;
            size_t n = strcspn(s, " \t\r\n/>");
            snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
            return;
        }
        if (!s)
            return;
        s++;
    }
}

static bool root_matches(const char *root, const char *want)
{
    if (!strcmp(root, want))
        return true;
    const char *colon = strchr(root, ':'); /* ns:Order matches Order */
    return colon && !strcmp(colon + 1, want);
}

/* Whether the first line holds every column (split at , ; tab or |, quotes and spaces around
 * a name ignored). */
static bool has_columns(const char *head, const char *const *cols, size_t n)
{
    size_t line = strcspn(head, "\r\n");
    for (size_t c = 0; c < n; c++) {
        bool found = false;
        for (size_t i = 0; i < line && !found;) {
            size_t len = strcspn(head + i, ",;\t|\r\n");
            if (i + len > line)
                len = line - i;
            const char *cell = head + i;
            size_t cl = len;
            while (cl && (isspace((unsigned char)*cell) || *cell == '"'))
                cell++, cl--;
            while (cl && (isspace((unsigned char)cell[cl - 1]) || cell[cl - 1] == '"'))
                cl--;
            found = cl == strlen(cols[c]) && !strncmp(cell, cols[c], cl);
            i += len + 1;
        }
        if (!found)
            return false;
    }
    return true;
}

int dg_gw_drop_mapping(const dg_gw_drop *d, const char *path, const char **mapping, dg_error *err)
{
    *mapping = d->mapping;
    if (!d->n_matches)
        return 0;
    char *head = malloc(LOOK);
    if (!head)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    if (head_of(path, head, LOOK, err) == (size_t)-1) {
        free(head);
        return DG_EIO;
    }
    char root[128];
    xml_root(head, root, sizeof root);
    for (size_t i = 0; i < d->n_matches; i++) {
        const dg_gw_match *m = &d->matches[i];
        if ((m->root && root_matches(root, m->root)) ||
            (m->n_columns && has_columns(head, m->columns, m->n_columns)) ||
            (!m->root && !m->n_columns)) {
            *mapping = m->mapping;
            free(head);
            return 0;
        }
    }
    size_t line = strcspn(head, "\r\n");
    dg_error_set(err, DG_EMAP,
                 "no mapping of this drop matches the file (XML root element '%s'; first line "
                 "'%.*s'): add one to mappings: of the drop (root: or columns:)",
                 root, (int)(line > 200 ? 200 : line), head);
    free(head);
    return DG_EMAP;
}
