/* One-line-per-event logging to stderr: time, level, then key=value pairs the caller formats;
 * or, with log_format: json, the same keys as one JSON object per line. Never pass secrets here;
 * transports redact URLs and credentials before logging. */
#ifndef DG_CORE_LOG_H
#define DG_CORE_LOG_H

#include <stddef.h>

typedef enum {
    DG_LOG_DEBUG = 0,
    DG_LOG_INFO,
    DG_LOG_WARN,
    DG_LOG_ERROR,
    DG_LOG_QUIET
} dg_log_level;
typedef enum { DG_LOG_FORMAT_TEXT = 0, DG_LOG_FORMAT_JSON } dg_log_format;

/* Level from the DG_LOG_LEVEL environment variable (debug|info|warn|error|quiet) at first use. */
void dg_log_set_level(dg_log_level level);
dg_log_level dg_log_get_level(void);
/* "debug", "info", "warn", "error" or "quiet" -> *level; -1 for anything else (the caller says
 * what is wrong: `dropgate` refuses a bad DG_LOG_LEVEL before it does anything). */
int dg_log_level_parse(const char *name, dg_log_level *level);
/* Text (the default): "2026-12-03T08:00:00.000Z INFO  key=value ...". JSON: {"time": ...,
 * "level": "INFO", "key": "value", ...} with the same keys, the values as strings, words that
 * are not key=value joined in "msg". */
void dg_log_set_format(dg_log_format format);
dg_log_format dg_log_get_format(void);
/* The JSON line (with its newline) of one event: time and level text, msg the key=value text as
 * a text line carries it. Writes at most size bytes (NUL-terminated); returns the length. */
size_t dg_log_json_line(const char *time, const char *level, const char *msg, char *out,
                        size_t size);

void dg_log(dg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define dg_log_debug(...) dg_log(DG_LOG_DEBUG, __VA_ARGS__)
#define dg_log_info(...) dg_log(DG_LOG_INFO, __VA_ARGS__)
#define dg_log_warn(...) dg_log(DG_LOG_WARN, __VA_ARGS__)
#define dg_log_error(...) dg_log(DG_LOG_ERROR, __VA_ARGS__)

#endif
