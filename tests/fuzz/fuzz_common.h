/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): where the source tree is, a scratch
 * file per process for APIs that read paths, and one input through an inbound mapping and back
 * out through an outbound one. Every harness defines LLVMFuzzerInitialize and
 * LLVMFuzzerTestOneInput; replay.c gives them a main() for ctest. */
#ifndef DG_FUZZ_COMMON_H
#define DG_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model_json.h"
#include "map/map.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline const char *fuzz_src(const char *rel)
{
    static char b[4][4096];
    static int k;
    char *p = b[k++ % 4];
    const char *env = getenv("DG_SOURCE_DIR");
    snprintf(p, 4096, "%s/%s", env && *env ? env : DG_FUZZ_SOURCE_DIR, rel);
    return p;
}

/* A private folder for this process (several fuzzing jobs may run at once). */
static inline const char *fuzz_dir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/dg-fuzz-%ld", t && *t ? t : "/tmp", (long)getpid());
        mkdir(dir, 0700);
    }
    return dir;
}

static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return path;
}

static inline dg_mapping *fuzz_map(const char *rel)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(fuzz_src(rel), &m, &err)) {
        fprintf(stderr, "fuzz: %s\n", err.msg);
        abort();
    }
    return m;
}

typedef struct {
    dg_doc *docs[64];
    size_t n;
} fuzz_docs;

static inline int fuzz_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    fuzz_docs *l = ctx;
    dg_buf json = DG_BUF_INIT;
    int rc = dg_doc_to_json(doc, 0, &json, err);
    dg_buf_free(&json);
    if (l->n < 64)
        l->docs[l->n++] = doc;
    else
        dg_doc_free(doc);
    return rc;
}

/* Reads path through in; the documents it gave (all of them, even when it then failed: a sink
 * may have been handed some) are written through out when their kind matches. */
static inline void fuzz_through(const dg_mapping *in, const char *path, const dg_mapping *out)
{
    fuzz_docs l = {0};
    dg_error err = {0};
    dg_map_read_file(in, path, fuzz_sink, &l, &err);
    if (out && l.n && dg_map_doc_kind(out) == dg_map_doc_kind(in)) {
        dg_buf b = DG_BUF_INIT;
        dg_map_envelope env = {"ZZ", "DROPGATE", "ZZ",   "PARTNER", 1,   1,
                               1,    "20240101", "1200", false,     NULL};
        dg_map_write(out, l.docs, l.n, &env, &b, &err);
        dg_buf_free(&b);
    }
    for (size_t i = 0; i < l.n; i++)
        dg_doc_free(l.docs[i]);
}

#endif
