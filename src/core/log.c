/* Logging implementation: UTC timestamps, level filter from DG_LOG_LEVEL, one write per line
 * so lines from concurrent processes do not interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/escape.h"

static int g_level = -1;

static dg_log_level level_from_env(void)
{
    const char *v = getenv("DG_LOG_LEVEL");
    if (!v)
        return DG_LOG_INFO;
    if (!strcmp(v, "debug")) return DG_LOG_DEBUG;
    if (!strcmp(v, "warn")) return DG_LOG_WARN;
    if (!strcmp(v, "error")) return DG_LOG_ERROR;
    if (!strcmp(v, "quiet")) return DG_LOG_QUIET;
    return DG_LOG_INFO;
}

void dg_log_set_level(dg_log_level level) { g_level = (int)level; }

dg_log_level dg_log_get_level(void)
{
    if (g_level < 0)
        g_level = (int)level_from_env();
    return (dg_log_level)g_level;
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
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), names[level]);
    char raw[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* one event, one line: a file name with a newline or an escape sequence cannot forge a
     * second line or drive the terminal */
    dg_escape_ctl(raw, line + n, sizeof line - (size_t)n - 1);
    size_t len = strlen(line);
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
