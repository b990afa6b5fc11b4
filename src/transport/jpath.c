/* The JSON paths an HTTPS listing is read with: "$" followed by ".name", "['name']" or "[index]"
 * steps, no wildcards or filters (a listing needs one array and a few values per item). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "transport/transport_internal.h"

/* One step of path at *p: a key (into key, up to size) or an index. Returns 1 for a step, 0 at
 * the end, -1 for a malformed path. */
static int next_step(const char **p, char *key, size_t size, long *index, bool *is_index)
{
    const char *s = *p;
    if (!*s)
        return 0;
    *is_index = false;
    if (*s == '.') {
        size_t n = strcspn(s + 1, ".[");
        if (n == 0 || n >= size)
            return -1;
        memcpy(key, s + 1, n);
        key[n] = '\0';
        *p = s + 1 + n;
        return 1;
    }
    if (s[0] != '[')
        return -1;
    if (s[1] == '\'' || s[1] == '"') {
        char q = s[1];
        const char *end = strchr(s + 2, q);
        if (!end || end[1] != ']' || (size_t)(end - s - 2) >= size)
            return -1;
        memcpy(key, s + 2, (size_t)(end - s - 2));
        key[end - s - 2] = '\0';
        *p = end + 2;
        return 1;
    }
    if (!isdigit((unsigned char)s[1]))
        return -1;
    char *end;
    *index = strtol(s + 1, &end, 10);
    if (*end != ']' || *index < 0 || *index > 1000000)
        return -1;
    *is_index = true;
    *p = end + 1;
    return 1;
}

int tr_jpath_check(const char *path, dg_error *err)
{
    if (!path || path[0] != '$')
        return dg_error_set(err, DG_ECONFIG, "JSON path '%s' does not start with '$'",
                            path ? path : "");
    const char *p = path + 1;
    char key[256];
    long index;
    bool is_index;
    int r;
    while ((r = next_step(&p, key, sizeof key, &index, &is_index)) == 1)
        ;
    if (r < 0)
        return dg_error_set(err, DG_ECONFIG,
                            "JSON path '%s': cannot read it at '%s' (steps are .name, ['name'] "
                            "and [index]; no wildcards)",
                            path, p);
    return 0;
}

json_t *tr_jpath_get(json_t *root, const char *path)
{
    if (!root || !path || path[0] != '$')
        return NULL;
    const char *p = path + 1;
    char key[256];
    long index = 0;
    bool is_index = false;
    json_t *v = root;
    int r = 0;
    while (v && (r = next_step(&p, key, sizeof key, &index, &is_index)) == 1) {
        if (is_index)
            v = json_is_array(v) ? json_array_get(v, (size_t)index) : NULL;
        else
            v = json_is_object(v) ? json_object_get(v, key) : NULL;
    }
    return r < 0 ? NULL : v;
}
