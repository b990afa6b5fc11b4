/* dg_escape_ctl: the one place that decides how control characters are shown. Used by dg_log and
 * dg_error_set (so every logged name and every error message is covered) and by the quarantine's
 * reason files. Bytes >= 0x80 are left alone: UTF-8 names stay readable. */
#include "core/escape.h"

#include <stdio.h>
#include <string.h>

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

bool dg_has_ctl(const char *s)
{
    for (; s && *s; s++)
        if (is_ctl((unsigned char)*s))
            return true;
    return false;
}

char *dg_escape_ctl(const char *in, char *out, size_t size)
{
    if (!size)
        return out;
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p; p++) {
        char tmp[5];
        size_t n = 1;
        tmp[0] = (char)*p;
        if (*p == '\n')
            memcpy(tmp, "\\n", n = 2);
        else if (*p == '\r')
            memcpy(tmp, "\\r", n = 2);
        else if (*p == '\t')
            memcpy(tmp, "\\t", n = 2);
        else if (is_ctl(*p))
            n = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", *p);
        if (j + n >= size)
            break;
        memcpy(out + j, tmp, n);
        j += n;
    }
    out[j] = '\0';
    return out;
}
