/* Shared by the read-only operator commands (search, show): open the configured state store,
 * print times and archive paths the same way everywhere. */
#include <stdio.h>
#include <time.h>

#include "cli/cli_state.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

int dg_cli_state_open(const char *config, dg_cli_state *st, dg_error *err)
{
    st->cfg = NULL;
    st->store = NULL;
    st->rules = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &st->cfg, err);
    if (!rc)
        rc = dg_gw_open_store(st->cfg, &st->store, &st->rules, err);
    return rc;
}

void dg_cli_state_close(dg_cli_state *st)
{
    dg_flow_rules_free(st->rules);
    dg_store_close(st->store);
    dg_gw_config_free(st->cfg);
}

const char *dg_cli_time(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "-");
    return buf;
}

const char *dg_cli_archive_path(const dg_cli_state *st, const char *sha256, char *buf, size_t size)
{
    if (!sha256 || !*sha256)
        return NULL;
    snprintf(buf, size, "%s/%.2s/%s", st->cfg->archive_dir, sha256, sha256);
    return buf;
}
