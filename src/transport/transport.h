/* One interface over partner drop folders: local directories, SFTP (libssh2), FTP/FTPS (libcurl),
 * and HTTPS APIs (libcurl) whose listed documents look like files to the poller.
 * Uploads go to a temporary name and are renamed, so a partner never reads half a file. */
#ifndef DG_TRANSPORT_TRANSPORT_H
#define DG_TRANSPORT_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/error.h"
#include "core/fs.h"

typedef struct dg_transport dg_transport;

typedef struct dg_remote_file {
    char name[256]; /* entry name inside the listed folder, no path */
    uint64_t size;
    int64_t mtime; /* seconds since the epoch, UTC */
    bool is_dir;
} dg_remote_file;

/* kind: https: how a folder's listing reads (a JSON API listing documents), how a taken document
 * is acknowledged, and how ours are sent. JSON paths are "$.a.b[0]": src/json paths that select
 * one value. */
typedef struct dg_http_config {
    const char *url;          /* base URL "https://host[:port][/path]"; folders are below it */
    const char *auth;         /* "bearer" (the secret is the token), "basic", "none" */
    const char *items;        /* listing page: path of the array of documents ("$": the page) */
    const char *id;           /* item: path of the document id (text or integer) */
    const char *body;         /* item: path of the inline document (a string is taken as is) */
    const char *doc_url;      /* item: path of the document's URL (relative to the page) */
    const char *doc_template; /* or the document's URL below url, "{id}" replaced */
    const char *next;         /* page: path of the next page's URL (null/absent: last page) */
    const char *cursor;       /* page: path of the next cursor (null/absent/"": last page) */
    const char *cursor_param; /* the query parameter that takes the cursor */
    const char *extension;    /* a document becomes the file "<id>.<extension>" (default json) */
    long max_pages;           /* pages followed per listing (default 1000) */
    long max_bytes;           /* inline documents held per listing (default 256 MiB) */
    const char *ack_method;   /* acknowledge a taken document: DELETE, POST or PUT; NULL: none */
    const char *ack_template; /* its URL below url, "{id}" replaced */
    const char *send_method;  /* ours: POST to the folder (default) or PUT to folder/name */
    const char *content_type; /* of what we send; default from the file's extension */
} dg_http_config;

typedef struct dg_transport_config {
    const char *kind; /* "local", "sftp", "ftp", "ftps", "https" */
    const char *root; /* local: base directory; remote: optional base path */
    const char *host;
    int port; /* 0: the protocol default */
    const char *user;
    const char *password; /* resolved secret: never logged, never in an error message */
    const char *key_file; /* SFTP private key (public key = key_file + ".pub" if present) */
    const char *key_passphrase;
    const char *known_hosts;    /* SFTP: OpenSSH known_hosts file */
    bool strict_host_key;       /* default true: unknown or changed key is refused */
    const char *ca_file;        /* FTPS: CA bundle for certificate verification */
    bool verify_tls;            /* default true */
    long timeout_ms;            /* every network call; default 30000 */
    int retries;                /* connect/transfer retries with backoff; default 3 */
    long backoff_ms;            /* first backoff, doubled each retry; default 500 */
    long keepalive_s;           /* SFTP keepalive interval; default 30 */
    bool fetch_no_sync;         /* (added by transport) true: fetch skips its fsyncs, for callers
                                   that make the data durable themselves (the gateway copies each
                                   file into the archive with fsync); .part + rename stay */
    const dg_http_config *http; /* kind: https only (host, port and root come from http->url) */
} dg_transport_config;

/* What a configured transport can do with the files of a drop, for the gateway's checks: an
 * HTTPS listing serves whole documents (no stable check needed), can only delete (acknowledge)
 * when an ack: is configured, and never moves. */
typedef struct dg_transport_caps {
    bool whole_files; /* a listed file is complete: the stable check adds nothing */
    bool can_list;
    bool can_remove;
    bool can_move;
    bool outbound_listable; /* an outbound folder is a folder (https: an endpoint to send to) */
} dg_transport_caps;
dg_transport_caps dg_transport_config_caps(const dg_transport_config *c);

/* Builds a config from a partner's `transport:` YAML node. Secrets come from `password_env`,
 * `password_file`, `passphrase_env`, `passphrase_file` (never inline); strings live in arena. */
int dg_transport_config_load(const dg_node *node, dg_arena *arena, dg_transport_config *out,
                             dg_error *err);
/* The same with relative key_file, known_hosts, ca_file, password_file and passphrase_file
 * resolved against base (the gateway's project root); base NULL: the current folder. */
int dg_transport_config_load_in(const dg_node *node, const char *base, dg_arena *arena,
                                dg_transport_config *out, dg_error *err);

/* The settings of c that leave files and passwords open to anyone on the network (plain FTP,
 * verify_tls: false, strict_host_key: false), one sentence each into out (at most max);
 * returns how many. Logged as warnings at config load and printed by `partner check`. */
size_t dg_transport_config_risks(const dg_transport_config *c, const char **out, size_t max);

int dg_transport_open(const dg_transport_config *cfg, dg_transport **out, dg_error *err);
void dg_transport_close(dg_transport *t);
/* "sftp://user@host:port/root" with no secret, for logs. */
const char *dg_transport_describe(const dg_transport *t);

/* Lists regular files and folders of dir (relative to root). *files is malloc'd; free() it. */
int dg_transport_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                      dg_error *err);
/* Streams remote_path into local_path (written as local_path.part, fsync'd, renamed), hashing
 * on the way. Never holds the whole file in memory. */
int dg_transport_fetch(dg_transport *t, const char *remote_path, const char *local_path,
                       char sha256_hex[DG_SHA256_HEX_LEN], uint64_t *bytes, dg_error *err);
/* The same, refusing a file larger than max_bytes (0: no limit) while it streams, in case the
 * listing's size was wrong or the file grew: DG_EVALID naming the limit, nothing left locally. */
int dg_transport_fetch_max(dg_transport *t, const char *remote_path, const char *local_path,
                           uint64_t max_bytes, char sha256_hex[DG_SHA256_HEX_LEN], uint64_t *bytes,
                           dg_error *err);
/* Uploads local_path as remote_dir/name via a temporary name then rename. Replaces an existing
 * file of that name (a retry of the same upload). */
int dg_transport_put(dg_transport *t, const char *local_path, const char *remote_dir,
                     const char *name, dg_error *err);
int dg_transport_rename(dg_transport *t, const char *from, const char *to, dg_error *err);
int dg_transport_remove(dg_transport *t, const char *path, dg_error *err);
/* mkdir -p; an existing folder is not an error. */
int dg_transport_mkdir(dg_transport *t, const char *path, dg_error *err);
/* Size and mtime of one file; DG_ENOTFOUND when absent (used for done-markers and checks). */
int dg_transport_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err);

#endif
