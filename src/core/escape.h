/* Control characters escaped for display: a file name (or any text from outside) with a newline,
 * a carriage return or a terminal escape goes into logs, error messages and reason files as
 * visible \n, \r, \t or \xNN, so it can neither forge a log line nor drive the terminal. */
#ifndef DG_CORE_ESCAPE_H
#define DG_CORE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes in to out (size bytes, always NUL-terminated; cut at a character boundary of the
 * escaped form) with every byte below 0x20 and 0x7f escaped. Backslashes are left as they are,
 * so escaping twice changes nothing (a message escaped by dg_error_set may be logged). */
char *dg_escape_ctl(const char *in, char *out, size_t size);
/* True when s holds a byte dg_escape_ctl would escape. */
bool dg_has_ctl(const char *s);

#endif
