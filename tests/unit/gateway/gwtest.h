/* Helpers shared by the gateway tests that run on the shipped demo: a scratch folder (g_tmp)
 * holding a copy of it, paths in it, and its configuration loaded. Included by each
 * tests/unit/gateway/test_*.c that needs them. */
#ifndef DG_GWTEST_H
#define DG_GWTEST_H

#include "testutil.h"

#include <stdlib.h>

#include "gateway/gateway.h"

static char *g_tmp;

/* "<g_tmp>/<rel>" in a static buffer per call slot (4 rotating buffers). */
static inline const char *at(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_tmp, rel);
    return p;
}

/* A fresh scratch folder g_tmp with the demo copied into it (dg_test_copy_demo). */
static inline void gw_demo_folder(const char *tag)
{
    g_tmp = dg_test_tmpdir(tag);
    dg_test_copy_demo(g_tmp);
}

/* g_tmp's etc/dropgate.yaml loaded; fails the test on error. */
static inline dg_gw_config *gw_demo_config(void)
{
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(at("etc/dropgate.yaml"), NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    return cfg;
}

static inline dg_gw_config *gw_demo_setup(const char *tag)
{
    gw_demo_folder(tag);
    return gw_demo_config();
}

/* Frees cfg and removes g_tmp. */
static inline void gw_demo_teardown(dg_gw_config *cfg)
{
    dg_gw_config_free(cfg);
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    g_tmp = NULL;
}

#endif
