/* Error codes and the error record every fallible dropgate function fills.
 * Functions return 0 or a negative DG_E* code; the dg_error says what, where and how to fix it. */
#ifndef DG_CORE_ERROR_H
#define DG_CORE_ERROR_H

#include <stddef.h>

enum {
    DG_OK = 0,
    DG_EINVAL = -1,    /* bad argument or usage */
    DG_EIO = -2,       /* local file system */
    DG_ENOMEM = -3,
    DG_EPARSE = -4,    /* input is not well formed */
    DG_EVALID = -5,    /* well formed, but breaks its definition */
    DG_EMAP = -6,      /* mapping cannot handle this input */
    DG_ECONFIG = -7,   /* configuration or mapping file is wrong */
    DG_ENET = -8,      /* connection refused, dropped, timed out */
    DG_EAUTH = -9,     /* login refused */
    DG_EHOSTKEY = -10, /* host key or certificate not trusted */
    DG_ENOTFOUND = -11,
    DG_EDUP = -12,     /* already seen / already exists */
    DG_ESTATE = -13,   /* state store failure */
    DG_ETIMEOUT = -14,
    DG_ELOCKED = -15,  /* another instance holds the lock */
};

typedef struct dg_error {
    int code;
    char msg[1024];
} dg_error;

/* Records code and message in err (which may be NULL) and returns code, so callers can write
 * `return dg_error_set(err, DG_EPARSE, "...")`. */
int dg_error_set(dg_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("file.edi: " + msg); returns err->code. */
int dg_error_prefix(dg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void dg_error_clear(dg_error *err);

/* Short stable name of a code ("EPARSE"), for logs and JSON reports. */
const char *dg_error_name(int code);

#endif
