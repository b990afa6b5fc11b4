/* Pickup rules: include/exclude globs, done-markers, minimum age and the stable-file check
 * (size and mtime unchanged across two looks), so a file still being written is never taken. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "gateway/gateway.h"

bool dg_gw_glob_selected(const dg_gw_drop *d, const char *name)
{
    bool in = d->n_include == 0;
    for (size_t i = 0; i < d->n_include && !in; i++)
        if (fnmatch(d->include[i], name, FNM_PERIOD) == 0)
            in = true;
    for (size_t i = 0; i < d->n_exclude && in; i++)
        if (fnmatch(d->exclude[i], name, 0) == 0)
            in = false;
    return in;
}

typedef struct look {
    char *key; /* "partner/folder/name" */
    uint64_t size;
    int64_t mtime;
    int64_t since; /* when this size+mtime was first seen */
    bool seen_now; /* touched in the current round, for forgetting vanished files */
} look;

struct dg_gw_looks {
    look *items;
    size_t n, cap;
};

dg_gw_looks *dg_gw_looks_new(void)
{
    return calloc(1, sizeof(dg_gw_looks));
}

void dg_gw_looks_free(dg_gw_looks *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].key);
    free(l->items);
    free(l);
}

/* Linear search is fine: a drop holds at most a few thousand files between polls, and entries
 * of files that were taken are dropped by dg_gw_looks_forget. */
static look *find_look(dg_gw_looks *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].key, key))
            return &l->items[i];
    return NULL;
}

static look *add_look(dg_gw_looks *l, const char *key)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        look *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            abort(); /* as the arena: no caller can recover from out of memory */
        l->items = items;
        l->cap = cap;
    }
    look *k = &l->items[l->n++];
    memset(k, 0, sizeof *k);
    k->key = strdup(key);
    if (!k->key)
        abort();
    return k;
}

static bool has_marker(const char *name, const char *suffix, const dg_remote_file *listing,
                       size_t n)
{
    size_t a = strlen(name), b = strlen(suffix);
    for (size_t i = 0; i < n; i++) {
        const char *m = listing[i].name;
        if (!listing[i].is_dir && strlen(m) == a + b && !strncmp(m, name, a) &&
            !strcmp(m + a, suffix))
            return true;
    }
    return false;
}

/* Temporary names of uploads in progress, exactly: ".NAME" (hidden, also ".NAME.part"),
 * "NAME.part" and "NAME.tmp.<digits>" (our own and most transports' temp + rename). A name
 * that merely contains ".part" or ".tmp." (orders.partner-eu.csv) is a partner file. */
static bool is_temp_name(const char *name)
{
    size_t len = strlen(name);
    if (name[0] == '.')
        return true;
    if (len > 5 && !strcmp(name + len - 5, ".part"))
        return true;
    const char *t = strstr(name, ".tmp.");
    while (t) {
        const char *d = t + 5;
        if (t > name && *d && strspn(d, "0123456789") == strlen(d))
            return true;
        t = strstr(t + 1, ".tmp.");
    }
    return false;
}

static bool is_marker(const char *name, const char *suffix)
{
    size_t a = strlen(name), b = strlen(suffix);
    return a > b && !strcmp(name + a - b, suffix);
}

dg_gw_pick dg_gw_pick_check(dg_gw_looks *l, const char *key, const dg_gw_drop *d,
                            const dg_remote_file *f, const dg_remote_file *listing, size_t n,
                            int64_t now)
{
    if (f->is_dir)
        return DG_PICK_SKIP;
    /* Temporary upload names of transports and our own spool are never partner files. */
    if (is_temp_name(f->name)) {
        dg_log_debug("file=%s/%s outcome=skipped why=temporary-name", key, f->name);
        return DG_PICK_SKIP;
    }
    if (d->done_marker && *d->done_marker && is_marker(f->name, d->done_marker))
        return DG_PICK_SKIP;
    if (!dg_gw_glob_selected(d, f->name))
        return DG_PICK_SKIP;
    /* Checked on the listing, before any byte is fetched (the fetch enforces it again). */
    if (d->max_file_bytes > 0 && f->size > (uint64_t)d->max_file_bytes)
        return DG_PICK_TOO_LARGE;
    if (d->done_marker && *d->done_marker && !has_marker(f->name, d->done_marker, listing, n))
        return DG_PICK_NO_MARKER;
    if (d->min_age_seconds > 0 && now - f->mtime < d->min_age_seconds)
        return DG_PICK_TOO_YOUNG;
    if (d->stable_seconds <= 0 || (d->done_marker && *d->done_marker))
        return DG_PICK_TAKE; /* a done-marker is the writer's own word that the file is whole */
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", key, f->name);
    look *k = find_look(l, full);
    if (!k) {
        k = add_look(l, full);
        k->size = f->size;
        k->mtime = f->mtime;
        k->since = now;
        return DG_PICK_UNSTABLE;
    }
    if (k->size != f->size || k->mtime != f->mtime) {
        k->size = f->size;
        k->mtime = f->mtime;
        k->since = now;
        return DG_PICK_UNSTABLE;
    }
    return now - k->since >= d->stable_seconds ? DG_PICK_TAKE : DG_PICK_UNSTABLE;
}

const char *dg_gw_pick_name(dg_gw_pick p)
{
    switch (p) {
    case DG_PICK_TAKE: return "take";
    case DG_PICK_UNSTABLE: return "unstable";
    case DG_PICK_TOO_YOUNG: return "too-young";
    case DG_PICK_NO_MARKER: return "no-done-marker";
    case DG_PICK_SKIP: return "skip";
    case DG_PICK_TOO_LARGE: return "too-large";
    }
    return "?";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void dg_gw_looks_prune(dg_gw_looks *l, const char *key, const dg_remote_file *listing, size_t n)
{
    size_t klen = strlen(key);
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++)
        names[i] = listing[i].name;
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < l->n;) {
        look *k = &l->items[i];
        const char *rest = k->key + klen;
        /* Several drops may share a folder: only a name gone from the listing is forgotten. */
        if (strncmp(k->key, key, klen) || rest[0] != '/' || strchr(rest + 1, '/')) {
            i++;
            continue;
        }
        const char *name = rest + 1;
        if (n && bsearch(&name, names, n, sizeof *names, cmp_str)) {
            i++;
            continue;
        }
        free(k->key);
        *k = l->items[--l->n]; /* i again: the moved entry is looked at next */
    }
    free(names);
}

size_t dg_gw_looks_count(const dg_gw_looks *l)
{
    return l ? l->n : 0;
}

bool dg_gw_looks_first_note(dg_gw_looks *l, const char *key, const dg_remote_file *f)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", key, f->name);
    look *k = find_look(l, full);
    if (k && k->size == f->size && k->mtime == f->mtime)
        return false;
    if (!k)
        k = add_look(l, full);
    k->size = f->size;
    k->mtime = f->mtime;
    k->since = (int64_t)time(NULL);
    return true;
}

void dg_gw_looks_forget(dg_gw_looks *l, const char *key, const char *name)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", key, name);
    look *k = find_look(l, full);
    if (!k)
        return;
    free(k->key);
    *k = l->items[--l->n];
}
