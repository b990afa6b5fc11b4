/* Local-folder transport (the embedded default and the demo's): the same contract as the remote
 * ones, so the poll cycle cannot tell the difference, with fsync before every rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport/transport_internal.h"

#define LOCAL_CHUNK (1u << 20)

static int io_error(dg_error *err, const char *what, const char *path)
{
    int e = errno;
    if (e == ENOENT)
        return dg_error_set(err, DG_ENOTFOUND, "%s '%s': no such file or folder", what, path);
    return dg_error_set(err, DG_EIO, "%s '%s': %s", what, path, strerror(e));
}

static int local_connect(dg_transport *t, dg_error *err)
{
    (void)t;
    (void)err;
    return 0;
}

static void local_disconnect(dg_transport *t)
{
    (void)t;
}

static void fill(dg_remote_file *f, const struct stat *st)
{
    f->size = (uint64_t)st->st_size;
    f->mtime = (int64_t)st->st_mtime;
    f->is_dir = S_ISDIR(st->st_mode);
}

static int local_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                      dg_error *err)
{
    (void)t;
    DIR *d = opendir(dir);
    if (!d)
        return io_error(err, "cannot list", dir);
    tr_list l = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            strlen(e->d_name) >= sizeof l.items->name)
            continue;
        /* Symlinks are not followed and FIFOs, sockets, devices are skipped: a link in a drop
         * could hand over any file this user can read (/etc/passwd), a FIFO would block the
         * poll. Only regular files and real folders are offered. */
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
            continue; /* vanished */
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            continue;
        dg_remote_file *f = tr_list_add(&l);
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        fill(f, &st);
    }
    closedir(d);
    *files = l.items;
    *n = l.n;
    return 0;
}

static int local_fetch(dg_transport *t, const char *path, tr_sink sink, void *ctx, dg_error *err)
{
    (void)t;
    /* No symlink, and no waiting on a FIFO (O_NONBLOCK); only a regular file is read. Replaced
     * between list and fetch: DG_EINVAL, which skips this file without stopping the poll. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0 && errno == ELOOP)
        return dg_error_set(err, DG_EINVAL, "'%s' is a symbolic link: not taken", path);
    if (fd < 0)
        return io_error(err, "cannot open", path);
    struct stat fst;
    if (fstat(fd, &fst) || !S_ISREG(fst.st_mode)) {
        close(fd);
        return dg_error_set(err, DG_EINVAL, "'%s' is not a regular file: not taken", path);
    }
    char *buf = malloc(LOCAL_CHUNK);
    if (!buf) {
        close(fd);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, buf, LOCAL_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = io_error(err, "cannot read", path);
            break;
        }
        if (r == 0)
            break;
        if (sink(ctx, buf, (size_t)r)) {
            rc = dg_error_set(err, DG_EIO, "cannot store '%s'", path);
            break;
        }
    }
    free(buf);
    close(fd);
    return rc;
}

static int copy_fd(int in, int out, const char *src, const char *dst, dg_error *err)
{
    char *buf = malloc(LOCAL_CHUNK);
    if (!buf)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, LOCAL_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r < 0)
                rc = io_error(err, "cannot read", src);
            break;
        }
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = io_error(err, "cannot write", dst);
                goto out;
            }
            off += w;
        }
    }
out:
    free(buf);
    return rc;
}

static void sync_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        dg_fs_sync_dir(*dir ? dir : "/");
    } else {
        dg_fs_sync_dir(".");
    }
}

static int local_put(dg_transport *t, const char *local_path, const char *tmp_path,
                     const char *final_path, dg_error *err)
{
    (void)t;
    int in = open(local_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return io_error(err, "cannot open", local_path);
    int out = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        int rc = io_error(err, "cannot create", tmp_path);
        close(in);
        return rc;
    }
    int rc = copy_fd(in, out, local_path, tmp_path, err);
    close(in);
    if (!rc && fsync(out))
        rc = io_error(err, "cannot fsync", tmp_path);
    if (close(out) && !rc)
        rc = io_error(err, "cannot close", tmp_path);
    if (!rc && rename(tmp_path, final_path))
        rc = io_error(err, "cannot rename into", final_path);
    if (rc)
        unlink(tmp_path);
    else
        sync_parent(final_path);
    return rc;
}

static int local_rename(dg_transport *t, const char *from, const char *to, dg_error *err)
{
    (void)t;
    struct stat st;
    if (lstat(from, &st))
        return io_error(err, "cannot rename", from);
    if (rename(from, to))
        return dg_error_set(err, DG_EIO, "cannot rename '%s' to '%s': %s", from, to,
                            strerror(errno));
    sync_parent(to);
    return 0;
}

static int local_remove(dg_transport *t, const char *path, dg_error *err)
{
    (void)t;
    if (unlink(path))
        return io_error(err, "cannot remove", path);
    sync_parent(path);
    return 0;
}

static int local_mkdir1(dg_transport *t, const char *path, dg_error *err)
{
    (void)t;
    if (!mkdir(path, 0750))
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST && !stat(path, &st) && S_ISDIR(st.st_mode))
        return 0;
    errno = e;
    return dg_error_set(err, DG_EIO, "cannot create folder '%s': %s", path, strerror(e));
}

static int local_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    (void)t;
    struct stat st;
    if (stat(path, &st))
        return io_error(err, "cannot stat", path);
    fill(out, &st);
    return 0;
}

const tr_ops dg_tr_local_ops = {
    .scheme = "local",
    .connect = local_connect,
    .disconnect = local_disconnect,
    .list = local_list,
    .fetch = local_fetch,
    .put = local_put,
    .rename = local_rename,
    .remove = local_remove,
    .mkdir1 = local_mkdir1,
    .stat = local_stat,
};
