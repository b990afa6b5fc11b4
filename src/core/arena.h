/* Region allocator: each parsed document owns one arena and frees everything in one call.
 * Allocation never fails silently: out of memory aborts, as no caller could recover anyway. */
#ifndef DG_CORE_ARENA_H
#define DG_CORE_ARENA_H

#include <stddef.h>

typedef struct dg_arena dg_arena;

dg_arena *dg_arena_new(void);
void dg_arena_free(dg_arena *a);
/* Forget every allocation but keep the first block, for reuse across documents. */
void dg_arena_reset(dg_arena *a);

void *dg_arena_alloc(dg_arena *a, size_t size);   /* zeroed, 16-byte aligned */
char *dg_arena_strdup(dg_arena *a, const char *s); /* NULL stays NULL */
char *dg_arena_strndup(dg_arena *a, const char *s, size_t n);
char *dg_arena_printf(dg_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grows an array kept in the arena: returns a pointer with room for *cap >= need items. */
void *dg_arena_grow(dg_arena *a, void *items, size_t item_size, size_t count, size_t *cap,
                    size_t need);
/* Bytes handed out since creation or the last reset (for benchmarks and memory bounds). */
size_t dg_arena_used(const dg_arena *a);

#endif
