/* Growing malloc'd arrays one zeroed element at a time (see array.h). */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *dg_array_slot(void *items, size_t item_size, size_t n, size_t *cap, size_t first)
{
    if (n >= *cap) {
        size_t want = *cap ? *cap * 2 : (first ? first : 1);
        if (want <= n)
            want = n + 1;
        if (want > SIZE_MAX / item_size)
            return NULL;
        void *grown = realloc(items, want * item_size);
        if (!grown)
            return NULL;
        items = grown;
        *cap = want;
    }
    memset((char *)items + n * item_size, 0, item_size);
    return items;
}
