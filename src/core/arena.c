/* Region allocator: a chain of blocks, bump allocation, one free for the lot. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN 16384

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct dg_arena {
    block *head;
    size_t total;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("dropgate: out of memory\n", stderr);
        abort();
    }
    return p;
}

static block *block_new(size_t need)
{
    size_t size = need > BLOCK_MIN ? need : BLOCK_MIN;
    block *b = xmalloc(sizeof(block) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

/* One emptied arena kept per thread for the next dg_arena_new: translating makes and frees an
 * arena per document, and the malloc and free of its first 16 KiB block (too big for malloc's
 * per-thread cache, so each went through the general allocator and its consolidation) cost
 * about a thousand instructions a document. The kept arena holds its first block only (at most
 * BLOCK_MIN bytes per thread). Not in sanitizer builds: there a freed arena is freed, so that
 * a use after dg_arena_free is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_KEEP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_KEEP 0
#endif
#endif
#ifndef ARENA_KEEP
#define ARENA_KEEP 1
#endif
static _Thread_local dg_arena *kept;

dg_arena *dg_arena_new(void)
{
    if (ARENA_KEEP && kept) {
        dg_arena *a = kept;
        kept = NULL;
        return a;
    }
    dg_arena *a = xmalloc(sizeof *a);
    a->head = block_new(BLOCK_MIN);
    a->total = 0;
    return a;
}

void dg_arena_free(dg_arena *a)
{
    if (!a)
        return;
    if (ARENA_KEEP && !kept) {
        dg_arena_reset(a); /* frees every block but the first */
        kept = a;
        return;
    }
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

void dg_arena_reset(dg_arena *a)
{
    block *b = a->head;
    while (b->next) {
        block *n = b->next;
        free(b);
        b = n;
    }
    /* keep the oldest block (the last in the chain) */
    a->head = b;
    b->used = 0;
    a->total = 0;
}

static void *arena_grow(dg_arena *a, size_t size)
{
    block *b = block_new(size > a->head->size * 2 ? size : a->head->size * 2);
    b->next = a->head;
    a->head = b;
    b->used = size;
    a->total += size;
    return b->data;
}

/* size bytes (a multiple of 16, not 0), not cleared */
static inline void *arena_bump(dg_arena *a, size_t size)
{
    block *b = a->head;
    if (__builtin_expect(b->size - b->used < size, 0))
        return arena_grow(a, size);
    void *p = b->data + b->used;
    b->used += size;
    a->total += size;
    return p;
}

void *dg_arena_alloc(dg_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    void *p = arena_bump(a, size);
    memset(p, 0, size);
    return p;
}

/* The per-value copy of the readers and mappings: no clearing of bytes about to be written.
 * The rest of the 16-byte slot is cleared as dg_arena_alloc would have left it. */
char *dg_arena_strndup(dg_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t size = (n + 16) & ~(size_t)15; /* n + 1 rounded up */
    char *p = arena_bump(a, size);
    memset(p + size - 16, 0, 16); /* the last slot, NUL terminator included */
    memcpy(p, s, n);
    return p;
}

char *dg_arena_strdup(dg_arena *a, const char *s)
{
    return s ? dg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *dg_arena_printf(dg_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = dg_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(p, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void *dg_arena_grow(dg_arena *a, void *items, size_t item_size, size_t count, size_t *cap,
                    size_t need)
{
    if (need <= *cap && items)
        return items;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = dg_arena_alloc(a, ncap * item_size);
    if (items && count)
        memcpy(p, items, count * item_size);
    *cap = ncap;
    return p;
}

size_t dg_arena_used(const dg_arena *a)
{
    return a->total;
}
