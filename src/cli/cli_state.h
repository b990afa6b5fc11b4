/* Helpers of the read-only operator commands (search, show): the configured store, UTC times
 * and the content-addressed archive path of a file. */
#ifndef DG_CLI_STATE_H
#define DG_CLI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct dg_gw_config;
struct dg_store;
struct dg_flow_rules;

typedef struct dg_cli_state {
    struct dg_gw_config *cfg;
    struct dg_store *store;
    struct dg_flow_rules *rules;
} dg_cli_state;

/* Loads the config (--config, $DROPGATE_CONFIG, ./etc/dropgate.yaml) and opens its store
 * without creating it. Close with dg_cli_state_close even on failure. */
int dg_cli_state_open(const char *config, dg_cli_state *st, dg_error *err);
void dg_cli_state_close(dg_cli_state *st);

/* "2026-11-20T10:00:00Z", or "-" for 0. */
const char *dg_cli_time(int64_t t, char *buf, size_t size);
/* ARCHIVE/ab/abcdef... for a 64-hex SHA-256; NULL when sha256 is empty. */
const char *dg_cli_archive_path(const dg_cli_state *st, const char *sha256, char *buf, size_t size);

#endif
