/* Logging implementation: UTC timestamps, level filter from DG_LOG_LEVEL, text or JSON lines,
 * one write per line so lines from concurrent processes do not interleave. */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/escape.h"

static int g_level = -1;
static dg_log_format g_format = DG_LOG_FORMAT_TEXT;

int dg_log_level_parse(const char *v, dg_log_level *level)
{
    static const char *names[] = {"debug", "info", "warn", "error", "quiet"};
    for (int i = 0; v && i < 5; i++)
        if (!strcmp(v, names[i])) {
            *level = (dg_log_level)i;
            return 0;
        }
    return -1;
}

static dg_log_level level_from_env(void)
{
    dg_log_level l = DG_LOG_INFO;
    const char *v = getenv("DG_LOG_LEVEL");
    if (v && *v && dg_log_level_parse(v, &l) != 0)
        l = DG_LOG_INFO; /* dropgate's main() refuses it first; a library user gets info */
    return l;
}

void dg_log_set_level(dg_log_level level)
{
    g_level = (int)level;
}

dg_log_level dg_log_get_level(void)
{
    if (g_level < 0)
        g_level = (int)level_from_env();
    return (dg_log_level)g_level;
}

void dg_log_set_format(dg_log_format format)
{
    g_format = format;
}
dg_log_format dg_log_get_format(void)
{
    return g_format;
}

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether s (just after a closing quote) ends a quoted value: end of line, or a space and then
 * "key=" or "(". */
static bool value_end(const char *s)
{
    if (!*s)
        return true;
    if (*s != ' ')
        return false;
    s++;
    if (*s == '(')
        return true;
    const char *k = s;
    while (key_char(*s))
        s++;
    return s > k && *s == '=';
}

/* Sets key to the value text (JSON strings must be UTF-8: invalid bytes become U+FFFD '?'). */
static void set_value(json_t *o, const char *key, const char *v, size_t n)
{
    json_t *s = json_stringn(v, n);
    if (!s) {
        char *copy = malloc(n + 1);
        if (!copy)
            return;
        for (size_t i = 0; i < n; i++)
            copy[i] = (unsigned char)v[i] < 0x80 ? v[i] : '?';
        s = json_stringn(copy, n);
        free(copy);
    }
    if (s)
        json_object_set_new(o, key, s);
}

size_t dg_log_json_line(const char *time, const char *level, const char *msg, char *out,
                        size_t size)
{
    json_t *o = json_object();
    json_object_set_new(o, "time", json_string(time));
    json_object_set_new(o, "level", json_string(level));
    char rest[2048];
    size_t nrest = 0;
    const char *p = msg;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *k = p;
        while (key_char(*p))
            p++;
        if (p > k && *p == '=' && (size_t)(p - k) < 64) {
            char key[64];
            memcpy(key, k, (size_t)(p - k));
            key[p - k] = '\0';
            const char *v = ++p;
            if (*v == '"') {
                /* A quoted value (a reason quoting a name) ends at the quote after which the
                 * line ends or the next key=value or a "(...)" note starts. */
                v++;
                const char *e = v;
                while (*e && !(*e == '"' && value_end(e + 1)))
                    e++;
                set_value(o, key, v, (size_t)(e - v));
                p = *e ? e + 1 : e;
            } else {
                const char *e = v;
                while (*e && *e != ' ')
                    e++;
                set_value(o, key, v, (size_t)(e - v));
                p = e;
            }
            continue;
        }
        /* not key=value: a word of free text, kept in "msg" */
        p = k;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (nrest + (size_t)(e - p) + 2 < sizeof rest) {
            if (nrest)
                rest[nrest++] = ' ';
            memcpy(rest + nrest, p, (size_t)(e - p));
            nrest += (size_t)(e - p);
        }
        p = e;
    }
    if (nrest)
        set_value(o, "msg", rest, nrest);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    size_t len = 0;
    if (text && size > 1) {
        len = strlen(text);
        if (len > size - 2) /* cannot happen for a 2 KiB message; never cut JSON in half */
            len = (size_t)snprintf(out, size - 1,
                                   "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"(too long)\"}",
                                   time, level);
        else
            memcpy(out, text, len);
        out[len++] = '\n';
        out[len] = '\0';
    }
    free(text);
    return len;
}

void dg_log(dg_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < dg_log_get_level() || level >= DG_LOG_QUIET)
        return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[40];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    char raw[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t len;
    if (g_format == DG_LOG_FORMAT_JSON) {
        /* JSON escapes every control character itself: one event is one line either way */
        char big[6144];
        len = dg_log_json_line(stamp, names[level], raw, big, sizeof big);
        ssize_t w = write(STDERR_FILENO, big, len);
        (void)w;
        return;
    }
    int n = snprintf(line, sizeof line, "%s %-5s ", stamp, names[level]);
    /* one event, one line: a file name with a newline or an escape sequence cannot forge a
     * second line or drive the terminal */
    dg_escape_ctl(raw, line + n, sizeof line - (size_t)n - 1);
    len = strlen(line);
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
