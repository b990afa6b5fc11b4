/* Growable byte buffer: doubling growth, always NUL-terminated. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dg_buf_reserve(dg_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap * 2 : 256;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    char *p = realloc(b->data, ncap);
    if (!p) {
        fputs("dropgate: out of memory\n", stderr);
        abort();
    }
    b->data = p;
    b->cap = ncap;
}

void dg_buf_append(dg_buf *b, const void *data, size_t len)
{
    dg_buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void dg_buf_puts(dg_buf *b, const char *s) { dg_buf_append(b, s, strlen(s)); }

void dg_buf_putc(dg_buf *b, char c) { dg_buf_append(b, &c, 1); }

void dg_buf_printf(dg_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        dg_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void dg_buf_clear(dg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dg_buf_free(dg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *dg_buf_take(dg_buf *b)
{
    if (!b->data)
        dg_buf_reserve(b, 0), b->data[0] = '\0';
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
