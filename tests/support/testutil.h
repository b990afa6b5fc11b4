/* Shared helpers for cmocka tests: where the sources, corpus and scratch folders are. */
#ifndef DG_TESTUTIL_H
#define DG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* Source tree root (DG_SOURCE_DIR, set by ctest), e.g. for edi/, mappings/, samples/. */
const char *dg_test_source_dir(void);
/* "<source>/<rel>" in a static buffer per call slot (4 rotating buffers). */
const char *dg_test_path(const char *rel);
/* ../shared/corpus beside the checkout (or $DG_CORPUS_DIR), or NULL when absent (a user's clone):
 * skip then, saying so. With CI=true a missing corpus fails the calling test instead. */
const char *dg_test_corpus_dir(void);
/* A fresh empty scratch directory under the build tree; removed by dg_test_rmtree. */
char *dg_test_tmpdir(const char *tag);
void dg_test_rmtree(const char *path);
/* Whole file into a malloc'd NUL-terminated string (NULL if unreadable); len may be NULL. */
char *dg_test_read_file(const char *path, size_t *len);
/* Writes text to path (creating parent folders); fails the test on error. */
void dg_test_write_file(const char *path, const char *text);
/* The same, mode 0600: a password or key file (dropgate refuses one others may read). */
void dg_test_write_secret(const char *path, const char *text);
/* The shipped demo set up in dir: etc/, mappings/ and edi/ of the source tree, and the demo's
 * partner drops (samples/demo/drops) as dir/drops; fails the test on error. */
void dg_test_copy_demo(const char *dir);
/* Appends text to path; fails the test on error. */
void dg_test_append_file(const char *path, const char *text);

#endif
