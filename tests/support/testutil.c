/* Test helpers: source/corpus lookup and scratch folders. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fs.h"

const char *dg_test_source_dir(void)
{
    const char *s = getenv("DG_SOURCE_DIR");
    return s ? s : ".";
}

const char *dg_test_path(const char *rel)
{
    static char bufs[4][4096];
    static int slot;
    char *b = bufs[slot++ & 3];
    snprintf(b, 4096, "%s/%s", dg_test_source_dir(), rel);
    return b;
}

const char *dg_test_corpus_dir(void)
{
    static char b[4096];
    const char *env = getenv("DG_CORPUS_DIR");
    if (env)
        snprintf(b, sizeof b, "%s", env);
    else
        snprintf(b, sizeof b, "%s/../shared/corpus", dg_test_source_dir());
    struct stat st;
    if (stat(b, &st) == 0 && S_ISDIR(st.st_mode))
        return b;
    /* a user's clone may lack it (tests skip, saying so); CI must not pass without it */
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true"))
        fail_msg("CI=true and ../shared/corpus is missing (%s; DG_SOURCE_DIR/../shared/corpus or "
                 "DG_CORPUS_DIR): tests that read the corpus must run in CI",
                 b);
    return NULL;
}

char *dg_test_tmpdir(const char *tag)
{
    const char *base = getenv("DG_BUILD_DIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/testtmp", base ? base : "/tmp");
    mkdir(tmpl, 0750);
    snprintf(tmpl, sizeof tmpl, "%s/testtmp/%s-XXXXXX", base ? base : "/tmp", tag);
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

void dg_test_rmtree(const char *path)
{
    if (!path || !*path || !strcmp(path, "/"))
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    int rc = system(cmd);
    (void)rc;
}

char *dg_test_read_file(const char *path, size_t *len)
{
    dg_buf b = DG_BUF_INIT;
    if (dg_fs_read_all(path, &b, NULL) != 0) {
        dg_buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return dg_buf_take(&b);
}

void dg_test_write_file(const char *path, const char *text)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        assert_int_equal(dg_fs_mkdirs(dir, NULL), 0);
    }
    dg_error err = {0};
    assert_int_equal(dg_fs_write_atomic(path, text, strlen(text), &err), 0);
}

void dg_test_write_secret(const char *path, const char *text)
{
    dg_test_write_file(path, text);
    assert_int_equal(chmod(path, 0600), 0);
}

void dg_test_copy_demo(const char *dir)
{
    const char *src = dg_test_source_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops'",
             src, src, src, dir, src, dir);
    if (system(cmd) != 0)
        fail_msg("cannot copy the demo into %s", dir);
}

void dg_test_append_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    if (fclose(f) || bad)
        fail_msg("cannot append to %s", path);
}
