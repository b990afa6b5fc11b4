/* Growing malloc'd arrays of records (result rows, candidates) one element at a time; the
 * arena's dg_arena_grow is the twin for arrays that live in an arena. */
#ifndef DG_CORE_ARRAY_H
#define DG_CORE_ARRAY_H

#include <stddef.h>

/* Makes room for element n of a malloc'd array of item_size-byte elements (capacity *cap,
 * doubled from first when full) and zeroes it. Returns the array, perhaps moved, or NULL
 * when out of memory, the array then left as it was (still the caller's to free). */
void *dg_array_slot(void *items, size_t item_size, size_t n, size_t *cap, size_t first);

#endif
