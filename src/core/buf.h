/* Growable byte buffer for building output (segments, CSV, JSON, SQL). */
#ifndef DG_CORE_BUF_H
#define DG_CORE_BUF_H

#include <stddef.h>

typedef struct dg_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len, cap;
} dg_buf;

#define DG_BUF_INIT {NULL, 0, 0}

void dg_buf_reserve(dg_buf *b, size_t extra);
void dg_buf_append(dg_buf *b, const void *data, size_t len);
void dg_buf_puts(dg_buf *b, const char *s);
void dg_buf_putc(dg_buf *b, char c);
void dg_buf_printf(dg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dg_buf_clear(dg_buf *b); /* length 0, memory kept */
void dg_buf_free(dg_buf *b);
/* Hands the data to the caller (free() it); the buffer is empty afterwards. */
char *dg_buf_take(dg_buf *b);

#endif
