/* CSV reading (streamed over libcsv, one callback per record) and writing (RFC 4180 quoting),
 * used by the mapping engine's CSV adapter. */
#ifndef DG_CSV_CSV_H
#define DG_CSV_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* The longest record read: a file without line ends (a binary file, a quote never closed) is
 * refused at this size instead of filling memory. */
#define DG_CSV_MAX_RECORD (16u * 1024 * 1024)

typedef struct dg_csv_opts {
    char delim, quote; /* ',' and '"' when 0 */
    bool latin1;       /* input is ISO-8859-1 / Windows-1252: converted to UTF-8 */
} dg_csv_opts;

/* One record: fields are NUL-terminated (valid until the callback returns); record is the
 * 1-based record number in the file (the line number unless quoted fields span lines).
 * Return non-zero to stop reading; that value is returned by dg_csv_read_file. */
typedef int (*dg_csv_record_fn)(void *ctx, char **fields, const size_t *lens, size_t n, long record,
                                dg_error *err);

/* Streams path through libcsv (memory bounded by the longest record, at most
 * DG_CSV_MAX_RECORD). A UTF-8 BOM is skipped; blank lines are ignored. */
int dg_csv_read_file(const char *path, const dg_csv_opts *opts, dg_csv_record_fn fn, void *ctx,
                     dg_error *err);
/* Same over a buffer in memory (tests, small inputs). */
int dg_csv_read_buf(const char *data, size_t len, const char *name, const dg_csv_opts *opts,
                    dg_csv_record_fn fn, void *ctx, dg_error *err);

/* Test hook for this thread: true sends every line through libcsv (no fast paths), so that a
 * test can compare both ways on the same input. */
void dg_csv_debug_only_libcsv(bool on);
/* Test hook for this thread: true finds each line's delimiters and quotes one byte at a time
 * instead of with SSE2, so that a test can compare both scans. */
void dg_csv_debug_plain_scan(bool on);

/* Appends one field, quoted only when it holds the delimiter, a quote, CR/LF or edge spaces. */
void dg_csv_put_field(dg_buf *out, const char *s, size_t len, char delim, char quote);

#endif
