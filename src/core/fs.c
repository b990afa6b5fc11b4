/* File-system helpers: atomic writes via temporary name + fsync + rename, SHA-256 via OpenSSL. */
#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dg_fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* some file systems cannot fsync a directory at all: nothing more can be done there */
    if (rc != 0 && (errno == EINVAL || errno == ENOTSUP))
        rc = 0;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* fsync of the folder holding path, so that a rename or mkdir in it survives power loss. */
static int sync_parent(const char *path, dg_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    const char *dir = dirname(tmp);
    if (dg_fs_sync_dir(dir) != 0)
        return dg_error_set(err, DG_EIO, "cannot sync folder '%s' (after writing '%s'): %s", dir,
                            path, strerror(errno));
    return 0;
}

/* One mkdir; a folder made here gets its parent synced (a new folder is an entry in it). */
static int mkdir1(const char *dir, dg_error *err)
{
    if (mkdir(dir, 0750) == 0)
        return sync_parent(dir, err);
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return dg_error_set(err, DG_EIO,
                            "cannot create folder '%s': a file of that name is in the way", dir);
    if (e != EEXIST)
        return dg_error_set(err, DG_EIO, "cannot create directory '%s': %s", dir, strerror(e));
    return 0;
}

int dg_fs_mkdirs(const char *path, dg_error *err)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp)
        return dg_error_set(err, DG_EINVAL, "bad directory path '%s'", path);
    struct stat st; /* the common case, a folder that is there: one call, not one per level */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    memcpy(tmp, path, n + 1);
    int rc;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if ((rc = mkdir1(tmp, err)) != 0)
            return rc;
        *p = '/';
    }
    return mkdir1(tmp, err);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int dg_fs_write_atomic(const char *path, const void *data, size_t len, dg_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", tmp, strerror(e));
    }
    if (close(fd) != 0) { /* NFS and quotas report a failed write here */
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(e));
    }
    return sync_parent(path, err);
}

int dg_fs_atomic_open(dg_fs_atomic *a, const char *path, dg_error *err)
{
    a->path = path;
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        return dg_error_set(err, DG_EIO, "cannot create '%s': %s", a->tmp, strerror(e));
    }
    return 0;
}

void dg_fs_atomic_abort(dg_fs_atomic *a)
{
    if (!a->f)
        return;
    fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}

int dg_fs_atomic_commit(dg_fs_atomic *a, dg_error *err)
{
    if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) {
        int e = errno;
        dg_fs_atomic_abort(a);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", a->tmp, strerror(e));
    }
    FILE *f = a->f;
    a->f = NULL;
    if (fclose(f) != 0) { /* NFS and quotas report a failed write here */
        int e = errno;
        unlink(a->tmp);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", a->tmp, strerror(e));
    }
    if (rename(a->tmp, a->path) != 0) {
        int e = errno;
        unlink(a->tmp);
        return dg_error_set(err, DG_EIO, "cannot rename '%s' to '%s': %s", a->tmp, a->path,
                            strerror(e));
    }
    return sync_parent(a->path, err);
}

int dg_fs_read_all(const char *path, dg_buf *out, dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, errno == ENOENT ? DG_ENOTFOUND : DG_EIO, "cannot open '%s': %s",
                            path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        dg_buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return dg_error_set(err, DG_EIO, "cannot read '%s'", path);
    if (!out->data)
        dg_buf_reserve(out, 0), out->data[0] = '\0';
    return 0;
}

int dg_fs_copy_atomic(const char *src, const char *dst, dg_error *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return dg_error_set(err, DG_EIO, "cannot open '%s': %s", src, strerror(errno));
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid());
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0) {
        close(in);
        return dg_error_set(err, DG_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    }
    char chunk[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write_all(out, chunk, (size_t)n) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc != 0 || fsync(out) != 0) {
        int e = errno;
        close(in), close(out), unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot copy '%s' to '%s': %s", src, dst, strerror(e));
    }
    close(in);
    if (close(out) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot copy '%s' to '%s': %s", src, dst, strerror(e));
    }
    if (rename(tmp, dst) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot rename '%s': %s", tmp, strerror(e));
    }
    return sync_parent(dst, err);
}

int dg_fs_move(const char *src, const char *dst, dg_error *err)
{
    if (rename(src, dst) == 0)
        return sync_parent(dst, err);
    if (errno != EXDEV)
        return dg_error_set(err, DG_EIO, "cannot move '%s' to '%s': %s", src, dst, strerror(errno));
    int rc = dg_fs_copy_atomic(src, dst, err);
    if (rc == 0)
        unlink(src);
    return rc;
}

int dg_fs_check_private(const char *path, dg_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode))
        return dg_error_set(err, DG_ECONFIG, "secret file '%s' is not a regular file", path);
    if (st.st_mode & 077)
        return dg_error_set(err, DG_ECONFIG,
                            "secret file '%s' has permissions %04o: others than its owner may "
                            "%s it; run chmod 600 '%s'",
                            path, (unsigned)(st.st_mode & 07777),
                            (st.st_mode & 022) ? "change" : "read", path);
    return 0;
}

int dg_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

struct dg_sha256_ctx {
    EVP_MD_CTX *md;
};

dg_sha256_ctx *dg_sha256_begin(void)
{
    dg_sha256_ctx *c = malloc(sizeof *c);
    if (!c)
        abort();
    c->md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
    return c;
}

void dg_sha256_update(dg_sha256_ctx *c, const void *data, size_t len)
{
    EVP_DigestUpdate(c->md, data, len);
}

void dg_sha256_end(dg_sha256_ctx *c, char hex[DG_SHA256_HEX_LEN])
{
    unsigned char d[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(c->md, d, &n);
    EVP_MD_CTX_free(c->md);
    free(c);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

void dg_sha256_hex(const void *data, size_t len, char hex[DG_SHA256_HEX_LEN])
{
    dg_sha256_ctx *c = dg_sha256_begin();
    dg_sha256_update(c, data, len);
    dg_sha256_end(c, hex);
}

int dg_sha256_file(const char *path, char hex[DG_SHA256_HEX_LEN], dg_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, "cannot open '%s': %s", path, strerror(errno));
    dg_sha256_ctx *c = dg_sha256_begin();
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        dg_sha256_update(c, chunk, (size_t)n);
    }
    close(fd);
    dg_sha256_end(c, hex);
    if (n < 0)
        return dg_error_set(err, DG_EIO, "cannot read '%s'", path);
    return 0;
}
