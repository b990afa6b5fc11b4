/* Local file-system helpers that never leave a half-written file behind, and SHA-256. */
#ifndef DG_CORE_FS_H
#define DG_CORE_FS_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"

/* mkdir -p with mode 0750. */
int dg_fs_mkdirs(const char *path, dg_error *err);
/* Write to "path.tmp.PID", fsync, rename over path, fsync the directory. */
int dg_fs_write_atomic(const char *path, const void *data, size_t len, dg_error *err);
/* The same for output written as it is produced (translate streams its documents): f writes
 * to "path.tmp.PID"; commit makes it path (flush, fsync, rename, fsync the directory), abort
 * removes it. Either one closes f; nothing ever appears under path half-written. */
typedef struct dg_fs_atomic {
    FILE *f;
    const char *path;
    char tmp[4200];
} dg_fs_atomic;
int dg_fs_atomic_open(dg_fs_atomic *a, const char *path, dg_error *err);
int dg_fs_atomic_commit(dg_fs_atomic *a, dg_error *err);
void dg_fs_atomic_abort(dg_fs_atomic *a);
/* Read a whole (small) file; for configuration and tests, never for partner payloads. */
int dg_fs_read_all(const char *path, dg_buf *out, dg_error *err);
/* Copy src to dst atomically (temporary name, fsync, rename). */
int dg_fs_copy_atomic(const char *src, const char *dst, dg_error *err);
/* Rename, falling back to copy+unlink across file systems. */
int dg_fs_move(const char *src, const char *dst, dg_error *err);
int dg_fs_exists(const char *path);
/* As ssh does for keys: refuses (DG_ECONFIG) a secret file - password, passphrase, private key,
 * webhook secret - that its group or others may read or write (mode & 077), or that is not a
 * regular file. A missing file passes: the caller reports it when it reads it. */
int dg_fs_check_private(const char *path, dg_error *err);
/* fsync a directory so a rename inside it survives power loss. */
int dg_fs_sync_dir(const char *dir);

#define DG_SHA256_HEX_LEN 65
/* Streamed SHA-256 of a file, as 64 lowercase hex digits. */
int dg_sha256_file(const char *path, char hex[DG_SHA256_HEX_LEN], dg_error *err);
void dg_sha256_hex(const void *data, size_t len, char hex[DG_SHA256_HEX_LEN]);

/* Incremental hashing for streams (transports hash while they download). */
typedef struct dg_sha256_ctx dg_sha256_ctx;
dg_sha256_ctx *dg_sha256_begin(void);
void dg_sha256_update(dg_sha256_ctx *c, const void *data, size_t len);
void dg_sha256_end(dg_sha256_ctx *c, char hex[DG_SHA256_HEX_LEN]); /* frees c */

#endif
