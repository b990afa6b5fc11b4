/* Local copies the gateway keeps: the archive of every received and sent file by SHA-256, and
 * the quarantine of files that failed, each with a reason file beside it. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/escape.h"
#include "core/fs.h"
#include "gateway/gateway.h"

int dg_gw_archive(const dg_gw_config *cfg, const char *path, const char *sha256, dg_error *err)
{
    char dir[1024], dst[1200];
    snprintf(dir, sizeof dir, "%s/%.2s", cfg->archive_dir, sha256);
    snprintf(dst, sizeof dst, "%s/%s", dir, sha256);
    if (dg_fs_exists(dst))
        return 0; /* same content already kept: the archive is content-addressed */
    int rc = dg_fs_mkdirs(dir, err);
    if (rc)
        return rc;
    return dg_fs_copy_atomic(path, dst, err);
}

/* Keeps only characters that are safe in a local file name. */
static void safe_name(const char *name, char *out, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; name[i] && j + 1 < size; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
}

int dg_gw_quarantine(const dg_gw_config *cfg, const char *partner, const char *local_path,
                     const char *name, const char *reason, char *where, size_t where_size,
                     dg_error *err)
{
    char dir[1024], base[256], pname[128], dst[1400], rpath[1500];
    safe_name(partner, pname, sizeof pname);
    safe_name(name, base, sizeof base);
    snprintf(dir, sizeof dir, "%s/%s", cfg->quarantine_dir, pname);
    int rc = dg_fs_mkdirs(dir, err);
    if (rc)
        return rc;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%04d%02d%02dT%02d%02d%02d.%06ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
    snprintf(dst, sizeof dst, "%s/%s-%s", dir, stamp, base);
    snprintf(rpath, sizeof rpath, "%s.reason.txt", dst);
    char text[2048], ename[600], ereason[1100];
    /* a name or reason with a newline would forge lines of the reason file: escape them */
    int n = snprintf(text, sizeof text, "partner: %s\nfile: %s\nreason: %s\n", partner,
                     dg_escape_ctl(name, ename, sizeof ename),
                     dg_escape_ctl(reason ? reason : "(none)", ereason, sizeof ereason));
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof text)
        n = (int)sizeof text - 1;
    /* The reason first: a quarantined file is never found without its explanation. */
    if ((rc = dg_fs_write_atomic(rpath, text, (size_t)n, err)))
        return rc;
    if (local_path && dg_fs_exists(local_path))
        rc = dg_fs_copy_atomic(local_path, dst, err);
    else
        rc = dg_fs_write_atomic(dst, "", 0, err);
    if (!rc && where)
        snprintf(where, where_size, "%s", dst);
    return rc;
}

const char *dg_gw_resolve(dg_arena *a, const char *base, const char *rel)
{
    if (!rel)
        return NULL;
    if (rel[0] == '/' || !base || !*base)
        return dg_arena_strdup(a, rel);
    return dg_arena_printf(a, "%s/%s", base, rel);
}
