/* Temporary stubs so the API links while the implementation lands. */
#include "store/store.h"

int dg_store_open(const char *path, dg_store **out, dg_error *err)
{
    (void)path;
    (void)out;
    (void)err;
    return DG_EINVAL;
}

void dg_store_close(dg_store *s)
{
    (void)s;
}

int dg_store_schema_version(dg_store *s)
{
    (void)s;
    return DG_EINVAL;
}

int dg_store_begin(dg_store *s, dg_error *err)
{
    (void)s;
    (void)err;
    return DG_EINVAL;
}

int dg_store_commit(dg_store *s, dg_error *err)
{
    (void)s;
    (void)err;
    return DG_EINVAL;
}

void dg_store_rollback(dg_store *s)
{
    (void)s;
}

int dg_store_depth(const dg_store *s)
{
    (void)s;
    return DG_EINVAL;
}

struct sqlite3 *dg_store_db(dg_store *s)
{
    (void)s;
    return NULL;
}

int dg_store_exec(dg_store *s, const char *sql, dg_error *err)
{
    (void)s;
    (void)sql;
    (void)err;
    return DG_EINVAL;
}

int dg_store_fail(dg_store *s, dg_error *err, const char *what)
{
    (void)s;
    (void)err;
    (void)what;
    return DG_EINVAL;
}

int64_t dg_store_now(const dg_store *s)
{
    (void)s;
    return 0;
}

void dg_store_set_now(dg_store *s, int64_t now)
{
    (void)s;
    (void)now;
}

int dg_store_file_add(dg_store *s, const char *sha256, const char *partner, const char *direction, const char *name, uint64_t size, int64_t *file_id, dg_error *err)
{
    (void)s;
    (void)sha256;
    (void)partner;
    (void)direction;
    (void)name;
    (void)size;
    (void)file_id;
    (void)err;
    return DG_EINVAL;
}

int dg_store_pickup_lookup(dg_store *s, const dg_pickup_key *k, dg_pickup_info *info, dg_error *err)
{
    (void)s;
    (void)k;
    (void)info;
    (void)err;
    return DG_EINVAL;
}

int dg_store_pickup_record(dg_store *s, const dg_pickup_key *k, dg_pickup_state state, const char *reason, const char *quarantine_path, int64_t file_id, int64_t *pickup_id, dg_error *err)
{
    (void)s;
    (void)k;
    (void)state;
    (void)reason;
    (void)quarantine_path;
    (void)file_id;
    (void)pickup_id;
    (void)err;
    return DG_EINVAL;
}

int dg_store_pickup_mark_remote_done(dg_store *s, const dg_pickup_key *k, dg_error *err)
{
    (void)s;
    (void)k;
    (void)err;
    return DG_EINVAL;
}

int dg_store_document_find(dg_store *s, int64_t file_id, long position, const char *kind, int64_t *doc_id, dg_error *err)
{
    (void)s;
    (void)file_id;
    (void)position;
    (void)kind;
    (void)doc_id;
    (void)err;
    return DG_EINVAL;
}

int dg_store_document_add(dg_store *s, const char *kind, const char *partner, int64_t file_id, long position, const char *interchange_control, const char *group_control, const char *set_control, const char *json, const char *outcome, int64_t *doc_id, dg_error *err)
{
    (void)s;
    (void)kind;
    (void)partner;
    (void)file_id;
    (void)position;
    (void)interchange_control;
    (void)group_control;
    (void)set_control;
    (void)json;
    (void)outcome;
    (void)doc_id;
    (void)err;
    return DG_EINVAL;
}

int dg_store_next_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out, dg_error *err)
{
    (void)s;
    (void)partner;
    (void)kind;
    (void)out;
    (void)err;
    return DG_EINVAL;
}

int dg_store_last_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out, dg_error *err)
{
    (void)s;
    (void)partner;
    (void)kind;
    (void)out;
    (void)err;
    return DG_EINVAL;
}

int dg_store_outbox_add(dg_store *s, const char *partner, const char *kind, const char *ref, const char *file_name, const char *content_sha256, const char *local_path, int64_t *id, bool *existed, dg_error *err)
{
    (void)s;
    (void)partner;
    (void)kind;
    (void)ref;
    (void)file_name;
    (void)content_sha256;
    (void)local_path;
    (void)id;
    (void)existed;
    (void)err;
    return DG_EINVAL;
}

int dg_store_outbox_pending(dg_store *s, const char *partner, dg_outbox_entry **rows, size_t *n, dg_error *err)
{
    (void)s;
    (void)partner;
    (void)rows;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

int dg_store_outbox_get(dg_store *s, int64_t id, dg_outbox_entry *row, dg_error *err)
{
    (void)s;
    (void)id;
    (void)row;
    (void)err;
    return DG_EINVAL;
}

void dg_store_outbox_entry_clear(dg_outbox_entry *row)
{
    (void)row;
}

void dg_store_outbox_free(dg_outbox_entry *rows, size_t n)
{
    (void)rows;
    (void)n;
}

int dg_store_outbox_mark_sent(dg_store *s, int64_t id, dg_error *err)
{
    (void)s;
    (void)id;
    (void)err;
    return DG_EINVAL;
}

int dg_store_outbox_mark_failed(dg_store *s, int64_t id, const char *error, dg_error *err)
{
    (void)s;
    (void)id;
    (void)error;
    (void)err;
    return DG_EINVAL;
}
