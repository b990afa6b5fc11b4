/* The shipped demo's work folder: a fresh copy of etc/, mappings/, edi/ and the sample drop
 * folders (samples/demo/drops), and later the suppliers' answers (samples/demo/responses). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "gateway/gateway.h"

#define DEMO_MARKER ".dropgate-demo"

/* Copies the tree at src into dst (files atomically); skips names starting with '.'. */
static int copy_tree(const char *src, const char *dst, dg_error *err)
{
    DIR *d = opendir(src);
    if (!d)
        return dg_error_set(err, DG_EIO, "%s: cannot open folder: %s", src, strerror(errno));
    int rc = dg_fs_mkdirs(dst, err);
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char s[2048], t[2048];
        snprintf(s, sizeof s, "%s/%s", src, e->d_name);
        snprintf(t, sizeof t, "%s/%s", dst, e->d_name);
        struct stat st;
        if (stat(s, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = copy_tree(s, t, err);
        else if (S_ISREG(st.st_mode))
            rc = dg_fs_copy_atomic(s, t, err);
    }
    closedir(d);
    return rc;
}

static int remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= remove_tree(p);
        else
            rc |= unlink(p);
    }
    closedir(d);
    return rc | rmdir(path);
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return true;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = false;
    closedir(d);
    return empty;
}

int dg_gw_demo_setup(const char *source, const char *dir, dg_error *err)
{
    char p[2048], q[2048];
    snprintf(p, sizeof p, "%s/%s", dir, DEMO_MARKER);
    if (dg_fs_exists(p)) {
        if (remove_tree(dir) != 0)
            return dg_error_set(err, DG_EIO, "%s: cannot remove the previous demo folder", dir);
    } else if (!dir_is_empty(dir)) {
        return dg_error_set(err, DG_EINVAL,
                            "%s: folder exists and is not a demo folder; choose another --dir",
                            dir);
    }
    int rc = dg_fs_mkdirs(dir, err);
    if (!rc)
        rc = dg_fs_write_atomic(p, "dropgate demo work folder\n", 26, err);
    static const char *const trees[][2] = {
        {"etc", "etc"}, {"mappings", "mappings"}, {"edi", "edi"}, {"samples/demo/drops", "drops"}};
    for (size_t i = 0; !rc && i < sizeof trees / sizeof *trees; i++) {
        snprintf(p, sizeof p, "%s/%s", source, trees[i][0]);
        snprintf(q, sizeof q, "%s/%s", dir, trees[i][1]);
        rc = copy_tree(p, q, err);
    }
    return rc;
}

int dg_gw_demo_answer(const char *source, const char *dir, dg_error *err)
{
    char p[2048], q[2048];
    snprintf(p, sizeof p, "%s/samples/demo/responses", source);
    snprintf(q, sizeof q, "%s/drops", dir);
    return copy_tree(p, q, err);
}

int dg_gw_demo_drop(const char *source, const char *what, const char *dir, dg_error *err)
{
    char p[2048], q[2048];
    snprintf(p, sizeof p, "%s/samples/demo/%s", source, what);
    snprintf(q, sizeof q, "%s/drops", dir);
    return copy_tree(p, q, err);
}

int dg_gw_demo_find_source(const char *opt, const char *argv0, char *out, size_t size)
{
    char cand[4][2048];
    size_t n = 0;
    if (opt)
        snprintf(cand[n++], sizeof cand[0], "%s", opt);
    const char *env = getenv("DG_SOURCE_DIR");
    if (env)
        snprintf(cand[n++], sizeof cand[0], "%s", env);
    char exe[1800];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(cand[n++], sizeof cand[0], "%s/..", exe); /* build/dropgate */
    }
    (void)argv0;
    snprintf(cand[n++], sizeof cand[0], ".");
    for (size_t i = 0; i < n; i++) {
        char probe[2100];
        snprintf(probe, sizeof probe, "%s/samples/demo/drops", cand[i]);
        if (dg_fs_exists(probe)) {
            char real[PATH_MAX];
            snprintf(out, size, "%s", realpath(cand[i], real) ? real : cand[i]);
            return 0;
        }
    }
    return DG_ENOTFOUND;
}
