/* Guards the state folder against a lost store: a missing or empty dropgate.db beside var/archive,
 * var/outbox or var/quarantine that hold files means the store was deleted or truncated, not that
 * this is a first start. A new store there would take re-dropped files as new (orders and POs
 * placed again) and restart control numbers at 1, so it is refused unless asked for. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "gateway/gw_internal.h"

/* The first regular file under dir (depth-first, bounded depth), into out; false when none. */
static bool first_file(const char *dir, int depth, char *out, size_t size)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISREG(st.st_mode)) {
            snprintf(out, size, "%s", path);
            found = true;
        } else if (S_ISDIR(st.st_mode) && depth < 4) {
            found = first_file(path, depth + 1, out, size);
        }
    }
    closedir(d);
    return found;
}

bool dg_gw_store_is_new(const dg_gw_config *cfg)
{
    if (cfg->store_pg) /* a server's database: no file here to have lost */
        return false;
    struct stat st;
    return stat(cfg->db_path, &st) != 0 || st.st_size == 0;
}

bool dg_gw_state_history(const dg_gw_config *cfg, char *example, size_t size)
{
    const char *dirs[] = {cfg->archive_dir, cfg->outbox_dir, cfg->quarantine_dir};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        if (first_file(dirs[i], 0, example, size))
            return true;
    return false;
}

int dg_gw_check_store(const dg_gw_config *cfg, dg_error *err)
{
    char example[4096];
    if (!dg_gw_store_is_new(cfg) || !dg_gw_state_history(cfg, example, sizeof example))
        return 0;
    if (cfg->new_store) {
        dg_log_warn("state=%s outcome=new-store history=%s (started on a new store on purpose: "
                    "files taken before are unknown to it)",
                    cfg->db_path, example);
        return 0;
    }
    /* not DG_ESTATE: the daemon waits out a locked or full store, but no wait brings this back */
    return dg_error_set(err, DG_ENOTFOUND,
                        "%s is %s, but %s holds the history of an earlier store (%s): a new "
                        "store would take files dropped again as new (orders and POs placed "
                        "twice) and restart control numbers at 1. Restore the store from a "
                        "backup ('dropgate backup', see README), or start on a new store on "
                        "purpose with --new-store",
                        cfg->db_path, dg_fs_exists(cfg->db_path) ? "empty" : "missing",
                        cfg->state_dir, example);
}
