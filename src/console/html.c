/* HTML output and form input for the console: every value that reaches a page goes through
 * dg_html_escape; forms and query strings are decoded here, strictly. */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = (p[0] & 0xE0) == 0xC0   ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (!n || (n == 2 && p[0] < 0xC2) || (n == 4 && p[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

void dg_html_escape(dg_buf *b, const char *text)
{
    if (!text)
        return;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        switch (*p) {
        case '&':
            dg_buf_puts(b, "&amp;");
            p++;
            continue;
        case '<':
            dg_buf_puts(b, "&lt;");
            p++;
            continue;
        case '>':
            dg_buf_puts(b, "&gt;");
            p++;
            continue;
        case '"':
            dg_buf_puts(b, "&quot;");
            p++;
            continue;
        case '\'':
            dg_buf_puts(b, "&#39;");
            p++;
            continue;
        default: break;
        }
        if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F) {
            dg_buf_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        size_t n = utf8_len(p);
        if (!n) {
            dg_buf_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        dg_buf_append(b, p, n);
        p += n;
    }
}

void dg_html_url_encode(dg_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            dg_buf_putc(b, (char)*p);
        } else {
            dg_buf_putc(b, '%');
            dg_buf_putc(b, hex[*p >> 4]);
            dg_buf_putc(b, hex[*p & 15]);
        }
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes [s, s+len) into a new string; NULL on a bad escape or an encoded NUL. */
static char *decode(const char *s, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '\0') {
            free(out);
            return NULL;
        }
        *o++ = c;
    }
    *o = '\0';
    return out;
}

int dg_form_parse(const char *body, size_t len, dg_form *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && body[eq] != '=')
                eq++;
            if (out->n == sizeof out->name / sizeof *out->name) {
                dg_form_free(out);
                return dg_error_set(err, DG_EINVAL, "form: more than %zu fields",
                                    sizeof out->name / sizeof *out->name);
            }
            char *name = decode(body + i, eq - i);
            char *value = eq < end ? decode(body + eq + 1, end - eq - 1) : decode("", 0);
            if (!name || !value) {
                free(name);
                free(value);
                dg_form_free(out);
                return dg_error_set(err, DG_EINVAL, "form: field %zu is not well encoded",
                                    out->n + 1);
            }
            out->name[out->n] = name;
            out->value[out->n++] = value;
        }
        i = end + 1;
    }
    return 0;
}

const char *dg_form_get(const dg_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->name[i], name))
            return f->value[i];
    return NULL;
}

void dg_form_free(dg_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->value[i]);
    }
    f->n = 0;
}
