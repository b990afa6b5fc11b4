/* One-line-per-event logging to stderr: time, level, then key=value pairs the caller formats.
 * Never pass secrets here; transports redact URLs and credentials before logging. */
#ifndef DG_CORE_LOG_H
#define DG_CORE_LOG_H

typedef enum { DG_LOG_DEBUG = 0, DG_LOG_INFO, DG_LOG_WARN, DG_LOG_ERROR, DG_LOG_QUIET } dg_log_level;

/* Level from the DG_LOG_LEVEL environment variable (debug|info|warn|error|quiet) at first use. */
void dg_log_set_level(dg_log_level level);
dg_log_level dg_log_get_level(void);

void dg_log(dg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define dg_log_debug(...) dg_log(DG_LOG_DEBUG, __VA_ARGS__)
#define dg_log_info(...) dg_log(DG_LOG_INFO, __VA_ARGS__)
#define dg_log_warn(...) dg_log(DG_LOG_WARN, __VA_ARGS__)
#define dg_log_error(...) dg_log(DG_LOG_ERROR, __VA_ARGS__)

#endif
