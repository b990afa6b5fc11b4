/* Online backup of the state store (SQLite's backup API): a consistent copy taken while the
 * daemon runs (WAL: the copy reads one snapshot and never blocks the writer), written under a
 * temporary name, synced and renamed, so a backup file is either whole or absent. The one file
 * besides db_sqlite.c that speaks sqlite3_*: the backup API has no SQL form. A PostgreSQL store
 * is backed up with pg_dump (the server's tools), not here. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "store/db_backend.h"
#include "store/store_internal.h"

static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int dg_store_backup(dg_store *s, const char *dest, dg_error *err)
{
    if (s->depth > 0)
        return dg_error_set(err, DG_EINVAL, "%s: backup inside a transaction", s->path);
    sqlite3 *src = db_sqlite_handle(s->db);
    if (!src)
        return dg_error_set(err, DG_EINVAL,
                            "%s: dropgate backup copies a SQLite store; back a PostgreSQL store up "
                            "with pg_dump",
                            s->path);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part.%ld", dest, (long)getpid());
    unlink(tmp);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", src, "main") : NULL;
    if (b) {
        rc = sqlite3_backup_step(b, -1); /* every page in one read transaction: one snapshot */
        sqlite3_backup_finish(b);
    }
    char why[512];
    snprintf(why, sizeof why, "%s", dst ? sqlite3_errmsg(dst) : "out of memory");
    if (!b || rc != SQLITE_DONE) {
        int code = rc & 0xff;
        st_note_failure(code == SQLITE_FULL                               ? DG_DBE_FULL
                        : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? DG_DBE_FATAL
                                                                          : DG_DBE_IO);
        sqlite3_close(dst);
        unlink(tmp);
        return dg_error_set(err, DG_ESTATE, "%s: backup to %s failed: %s", s->path, dest, why);
    }
    /* the copy keeps the store's WAL mode; fold it into the one file before it is renamed */
    rc = sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
    sqlite3_close(dst);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", tmp);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", tmp);
    unlink(wal);
    if (rc != SQLITE_OK || sync_file(tmp) != 0 || rename(tmp, dest) != 0) {
        snprintf(why, sizeof why, "%s", rc != SQLITE_OK ? "checkpoint failed" : strerror(errno));
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "%s: backup to %s failed: %s", s->path, dest, why);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dest);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    dg_fs_sync_dir(slash ? (dir[0] ? dir : "/") : ".");
    return 0;
}
