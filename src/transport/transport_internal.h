/* What the local, SFTP and FTP back ends implement, and the shared handle. transport.c owns the
 * handle, path checks, retries with backoff and the .part/fsync/rename discipline of fetch. */
#ifndef DG_TRANSPORT_INTERNAL_H
#define DG_TRANSPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "transport/transport.h"

/* fetch hands every received chunk to this sink; a non-zero return aborts the transfer. */
typedef int (*tr_sink)(void *ctx, const void *data, size_t len);

/* Paths given to the operations are full paths on the server (root already applied). Every
 * operation returns 0 or a DG_E* code; DG_ENET and DG_ETIMEOUT mean "reconnect and retry". */
typedef struct tr_ops {
    const char *scheme;
    int (*connect)(dg_transport *t, dg_error *err);
    void (*disconnect)(dg_transport *t);
    int (*list)(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n, dg_error *err);
    int (*fetch)(dg_transport *t, const char *path, tr_sink sink, void *ctx, dg_error *err);
    /* Uploads local_path as tmp_path then renames it over final_path. */
    int (*put)(dg_transport *t, const char *local_path, const char *tmp_path,
               const char *final_path, dg_error *err);
    int (*rename)(dg_transport *t, const char *from, const char *to, dg_error *err);
    int (*remove)(dg_transport *t, const char *path, dg_error *err);
    /* One level; an existing folder is not an error. */
    int (*mkdir1)(dg_transport *t, const char *path, dg_error *err);
    int (*stat)(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err);
    /* Optional: frees what outlives a reconnect (HTTPS: the last listing), at close. */
    void (*destroy)(dg_transport *t);
} tr_ops;

struct dg_transport {
    const tr_ops *ops;
    dg_transport_config cfg; /* strings below are private copies */
    char *strings[12];
    char describe[512];
    bool connected;
    long retry_after_ms;  /* set by a back end whose server said when to retry (HTTP 429/503) */
    dg_http_config *http; /* kind: https: a private deep copy of cfg.http */
    void *impl;           /* the back end's state */
};

extern const tr_ops dg_tr_local_ops;
extern const tr_ops dg_tr_sftp_ops;
extern const tr_ops dg_tr_ftp_ops;
extern const tr_ops dg_tr_https_ops;

/* https.c: a private copy of an HTTPS config (every string duplicated), and its release. */
dg_http_config *tr_http_dup(const dg_http_config *c);
void tr_http_free(dg_http_config *c);
/* Host, port (default 443) and path ("/" when none) of an https base URL; DG_ECONFIG saying why
 * when it is not one (not https, a user or password in it, a query). */
int tr_http_split_url(const char *url, char *host, size_t host_size, int *port, char *path,
                      size_t path_size, dg_error *err);

/* config.c: "file:line: transport: msg" errors, text values (arena copies) and secrets named by
 * KEY_env or KEY_file (a file must be private), for https_config.c. */
int tr_conf_error(dg_error *err, const dg_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tr_conf_str(const dg_node *map, const char *key, dg_arena *a, const char **out, dg_error *err);
int tr_conf_secret(const dg_node *map, const char *env_key, const char *file_key, const char *base,
                   dg_arena *a, const char **out, dg_error *err);
/* https_config.c: the kind: https keys of node into out (host, port and root stay unset). */
int tr_https_config_load(const dg_node *node, const char *base, dg_arena *a,
                         dg_transport_config *out, dg_error *err);

/* https_config.c: one JSON path of an HTTPS listing, compiled into a by src/json (read with
 * dg_json_path_first): it starts at "$" and selects one value (.name, ['name'], [index]; no
 * wildcards or filters). NULL with DG_ECONFIG saying what is wrong with it. */
struct dg_json_path;
const struct dg_json_path *tr_jpath_compile(dg_arena *a, const char *path, dg_error *err);

/* hashpipe.c: SHA-256 of a stream, on a second thread once it passes a few MiB (see there).
 * tr_hasher_end joins the thread, writes the hex digest (hex may be NULL) and frees h. */
typedef struct tr_hasher tr_hasher;
tr_hasher *tr_hasher_begin(void);
void tr_hasher_update(tr_hasher *h, const void *data, size_t len);
void tr_hasher_end(tr_hasher *h, char hex[DG_SHA256_HEX_LEN]);
bool tr_hasher_threaded(const tr_hasher *h); /* for tests: has the thread started? */

/* Growable listing used by the back ends. */
typedef struct tr_list {
    dg_remote_file *items;
    size_t n, cap;
} tr_list;
dg_remote_file *tr_list_add(tr_list *l);

/* "base/rel" with doubled slashes folded; out must hold size bytes. */
void tr_join(char *out, size_t size, const char *base, const char *rel);

/* Parses one "ls -l" line (as FTP LIST gives); false for lines that are not entries.
 * now decides the year of recent entries shown with a time instead of a year. */
bool tr_parse_ls_line(const char *line, int64_t now, dg_remote_file *out);
/* Parses one MLSD line ("type=file;size=12;modify=20240101120000; name"). */
bool tr_parse_mlsd_line(const char *line, dg_remote_file *out);

/* Base64 without padding, as OpenSSH prints SHA256 fingerprints. */
void tr_base64_nopad(const unsigned char *in, size_t len, char *out, size_t size);

#endif
