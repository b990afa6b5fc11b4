/* An order number sent again: the same order (a re-export, a re-sent file) or an amendment
 * attempt (other lines, quantities, address). Compared on the order's canonical JSON without its
 * source block (file position and envelope numbers differ on every re-send). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

/* The "order" object of a document's canonical JSON (a new reference), or NULL. */
static json_t *order_of(const char *json)
{
    json_t *root = json ? json_loads(json, 0, NULL) : NULL;
    json_t *o = root ? json_object_get(root, "order") : NULL;
    json_incref(o);
    json_decref(root);
    return o;
}

static void note(char *out, size_t size, const char *key)
{
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? ", " : "", key);
}

int fl_order_changes(dg_store *s, int64_t order_id, const char *json, char *out, size_t size,
                     dg_error *err)
{
    out[0] = '\0';
    char *placed = NULL;
    int rc = dg_store_order_json(s, order_id, &placed, err);
    if (rc)
        return rc;
    json_t *a = order_of(placed), *b = order_of(json);
    free(placed);
    if (a && b && !json_equal(a, b)) {
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v)
        {
            if (!json_equal(v, json_object_get(b, k)))
                note(out, size, k);
        }
        json_object_foreach(b, k, v)
        {
            if (!json_object_get(a, k)) /* keys only the new one has */
                note(out, size, k);
        }
    }
    json_decref(a);
    json_decref(b);
    return 0;
}
