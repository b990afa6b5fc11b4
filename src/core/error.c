/* Error record helpers: formatting, prefixing context, code names. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/escape.h"

int dg_error_set(dg_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        char raw[sizeof err->msg];
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        /* messages name files and quote input: never pass a control character on */
        dg_escape_ctl(raw, err->msg, sizeof err->msg);
    }
    return code;
}

int dg_error_prefix(dg_error *err, const char *fmt, ...)
{
    if (!err)
        return DG_EINVAL;
    char raw[512], head[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    dg_escape_ctl(raw, head, sizeof head);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s%s", head, old);
    return err->code;
}

void dg_error_clear(dg_error *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *dg_error_name(int code)
{
    switch (code) {
    case DG_OK: return "OK";
    case DG_EINVAL: return "EINVAL";
    case DG_EIO: return "EIO";
    case DG_ENOMEM: return "ENOMEM";
    case DG_EPARSE: return "EPARSE";
    case DG_EVALID: return "EVALID";
    case DG_EMAP: return "EMAP";
    case DG_ECONFIG: return "ECONFIG";
    case DG_ENET: return "ENET";
    case DG_EAUTH: return "EAUTH";
    case DG_EHOSTKEY: return "EHOSTKEY";
    case DG_ENOTFOUND: return "ENOTFOUND";
    case DG_EDUP: return "EDUP";
    case DG_ESTATE: return "ESTATE";
    case DG_ETIMEOUT: return "ETIMEOUT";
    case DG_ELOCKED: return "ELOCKED";
    default: return "EUNKNOWN";
    }
}
