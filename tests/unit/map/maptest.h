/* Helpers shared by the mapping tests: load a mapping, read a file into an array of docs,
 * write a scratch mapping file. Included by each tests/unit/map/test_*.c. */
#ifndef DG_MAPTEST_H
#define DG_MAPTEST_H

#include "testutil.h"

#include <string.h>

#include "core/model_json.h"
#include "map/map.h"
#include "x12/defs.h"

typedef struct {
    dg_doc *docs[512];
    size_t n;
} doc_list;

static inline int list_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    doc_list *l = ctx;
    if (l->n == 512) {
        dg_doc_free(doc);
        return 0;
    }
    l->docs[l->n++] = doc;
    return 0;
}

static inline void list_free(doc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        dg_doc_free(l->docs[i]);
    l->n = 0;
}

/* rel: below the source tree, or an absolute path (a mapping a test wrote). */
static inline dg_mapping *load_map(const char *rel)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    int rc = dg_map_load(rel[0] == '/' ? rel : dg_test_path(rel), &m, &err);
    if (rc)
        fail_msg("%s: %s", rel, err.msg);
    return m;
}

/* The test program's scratch folder: maptest_setup and maptest_teardown are its group fixtures
 * (cmocka_run_group_tests), tmp_path names a file in it, write_tmp writes one. */
static char *scratch __attribute__((unused));

static inline int maptest_setup(void **state)
{
    (void)state;
    scratch = dg_test_tmpdir("map");
    return 0;
}

static inline int maptest_teardown(void **state)
{
    (void)state;
    dg_test_rmtree(scratch);
    free(scratch);
    scratch = NULL;
    return 0;
}

static inline const char *tmp_path(const char *name)
{
    static char path[4][1024];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 1024, "%s/%s", scratch, name);
    return p;
}

static inline const char *write_tmp(const char *name, const char *text)
{
    const char *p = tmp_path(name);
    dg_test_write_file(p, text);
    return p;
}

/* The source tree's edi/ definitions, loaded once per test program (freed at exit). */
static dg_x12_defs *maptest_defs_;
static inline void maptest_defs_free(void)
{
    dg_x12_defs_free(maptest_defs_);
}
static inline const dg_x12_defs *test_defs(void)
{
    if (!maptest_defs_) {
        dg_error err = {0};
        if (dg_x12_defs_load(dg_test_path("edi"), &maptest_defs_, &err))
            fail_msg("edi: %s", err.msg);
        atexit(maptest_defs_free);
    }
    return maptest_defs_;
}

/* Reads rel (source tree) or an absolute path with mapping rel_map; fails the test on error. */
static inline void read_ok(const char *rel_map, const char *input, doc_list *out)
{
    dg_mapping *m = load_map(rel_map);
    dg_error err = {0};
    const char *path = input[0] == '/' ? input : dg_test_path(input);
    int rc = dg_map_read_file(m, path, list_sink, out, &err);
    if (rc)
        fail_msg("%s on %s: %s", rel_map, input, err.msg);
    dg_map_free(m);
}

/* Round trip: docs written through out_map into the scratch file name, read back through
 * in_map into back; the text written stays in *text when text is not NULL. */
static inline void write_read(const char *out_map, dg_doc *const *docs, size_t n,
                              const char *in_map, const char *name, doc_list *back, dg_buf *text)
{
    dg_mapping *out = load_map(out_map);
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    if (dg_map_write(out, docs, n, NULL, &b, &err))
        fail_msg("%s: %s", out_map, err.msg);
    read_ok(in_map, write_tmp(name, b.data ? b.data : ""), back);
    if (text)
        dg_buf_append(text, b.data ? b.data : "", b.len);
    dg_buf_free(&b);
    dg_map_free(out);
}

/* Reads and expects failure; returns the code and leaves the message in err. */
static inline int read_fail(const char *map_path, const char *input_path, dg_error *err)
{
    dg_mapping *m = NULL;
    int rc = dg_map_load(map_path, &m, err);
    if (rc)
        return rc;
    doc_list l = {0};
    rc = dg_map_read_file(m, input_path, list_sink, &l, err);
    list_free(&l);
    dg_map_free(m);
    return rc;
}

static inline char *json_of(const dg_doc *d)
{
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_doc_to_json(d, 0, &b, &err), 0);
    return dg_buf_take(&b);
}

/* Canonical JSON without the source block, for comparing round trips across formats; without
 * "product_ids" too (every id pair as the partner sent it: an outbound mapping writes the ids
 * it knows, under its own qualifiers). */
static inline char *body_json(const dg_doc *d)
{
    char *j = json_of(d);
    char *body = strstr(j, "},\"");
    char *res = strdup(body ? body + 2 : j);
    free(j);
    for (char *p; (p = strstr(res, "\"product_ids\":\""));) {
        char *e = strchr(p + 15, '"');
        if (!e)
            break;
        e += 1 + (e[1] == ',');
        memmove(p, e, strlen(e) + 1);
    }
    return res;
}

#define DEC_EQ(d, str)                                                                             \
    do {                                                                                           \
        char b_[64];                                                                               \
        assert_true((d).set);                                                                      \
        assert_string_equal(dg_dec_format(d, b_, sizeof b_), str);                                 \
    } while (0)

#endif
