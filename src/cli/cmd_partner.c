/* dropgate partner check NAME: the onboarding test kit. Connects with the partner's transport,
 * lists its folders, and runs its mappings over sample files without placing anything: nothing
 * is removed remotely, nothing is written to the state store. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/fs.h"
#include "gateway/gateway.h"
#include "map/map.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate partner check NAME [--config FILE] [--max N] [SAMPLE...]\n"
        "\n"
        "Connects to partner NAME, lists its inbound and outbound folders, says which files a\n"
        "poll would take now, and maps up to N (default 5) files of each inbound drop with the\n"
        "drop's mapping (fetched into a scratch folder; the remote files stay where they are).\n"
        "SAMPLE files given on the command line are mapped with the mapping of the first drop\n"
        "whose include patterns select their name. The outbound mappings are loaded and checked.\n"
        "Nothing is placed: no order, PO or record is created.\n"
        "exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error\n",
        f);
}

typedef struct {
    size_t docs;
    int kinds[8];
} count_ctx;

static int count_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    count_ctx *c = ctx;
    c->docs++;
    if ((unsigned)doc->kind < 8)
        c->kinds[doc->kind]++;
    dg_doc_free(doc);
    return 0;
}

/* Maps one local file; prints one line; returns 0 when it maps. */
static int try_map(const char *mapping, const char *path, const char *label)
{
    dg_error err = {0};
    dg_mapping *m = NULL;
    int rc = dg_map_load(mapping, &m, &err);
    if (!rc && dg_map_get_direction(m) != DG_MAP_IN)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is not an inbound mapping", mapping);
    count_ctx c = {0};
    if (!rc)
        rc = dg_map_read_file(m, path, count_sink, &c, &err);
    if (rc)
        printf("  map     %-40s FAIL %s: %s\n", label, dg_error_name(rc), err.msg);
    else
        printf("  map     %-40s ok   %zu %s document(s)\n", label, c.docs,
               dg_doc_kind_name(dg_map_doc_kind(m)));
    dg_map_free(m);
    return rc ? 1 : 0;
}

static int check_out_mapping(const char *what, const char *path)
{
    if (!path)
        return 0;
    dg_error err = {0};
    dg_mapping *m = NULL;
    int rc = dg_map_load(path, &m, &err);
    if (!rc && dg_map_get_direction(m) != DG_MAP_OUT)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is not an outbound mapping", path);
    if (rc)
        printf("  %-7s %-40s FAIL %s\n", what, path, err.msg);
    else
        printf("  %-7s %-40s ok   %s %s\n", what, path, dg_map_format(m),
               dg_doc_kind_name(dg_map_doc_kind(m)));
    dg_map_free(m);
    return rc ? 1 : 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const dg_remote_file *)a)->name, ((const dg_remote_file *)b)->name);
}

static int check_drop(dg_transport *t, const dg_gw_partner *p, const dg_gw_drop *d, long max,
                      const char *scratch)
{
    dg_error err = {0};
    dg_remote_file *files = NULL;
    size_t n = 0;
    int rc = dg_transport_list(t, d->folder, &files, &n, &err);
    if (rc == DG_ENOTFOUND) {
        printf("  list    %-40s ok   absent (nothing dropped yet)\n", d->folder);
        return 0;
    }
    if (rc) {
        printf("  list    %-40s FAIL %s\n", d->folder, err.msg);
        return 1;
    }
    if (n > 1)
        qsort(files, n, sizeof *files, cmp_name);
    printf("  list    %-40s ok   %zu entr%s (%s)\n", d->folder, n, n == 1 ? "y" : "ies",
           d->acks ? "997 acknowledgments" : d->mapping);
    dg_gw_looks *looks = dg_gw_looks_new();
    int failed = 0;
    long mapped = 0;
    for (size_t i = 0; i < n; i++) {
        dg_gw_pick pick =
            dg_gw_pick_check(looks, p->name, d, &files[i], files, n, (int64_t)time(NULL));
        if (pick == DG_PICK_SKIP)
            continue;
        printf("    %-44s %10llu bytes  %s\n", files[i].name, (unsigned long long)files[i].size,
               pick == DG_PICK_UNSTABLE ? "would be taken once stable"
               : pick == DG_PICK_TAKE   ? "would be taken"
               : pick == DG_PICK_TOO_LARGE
                   ? "too large: over the drop's max_file_bytes, would be left in the drop"
                   : dg_gw_pick_name(pick));
        if (pick == DG_PICK_TOO_LARGE || d->acks || !d->mapping || mapped >= max)
            continue;
        char remote[1024], local[1400];
        snprintf(remote, sizeof remote, "%s/%s", d->folder, files[i].name);
        snprintf(local, sizeof local, "%s/%s", scratch, files[i].name);
        char sha[DG_SHA256_HEX_LEN];
        uint64_t bytes = 0;
        if ((rc = dg_transport_fetch(t, remote, local, sha, &bytes, &err))) {
            printf("  fetch   %-40s FAIL %s\n", remote, err.msg);
            failed = 1;
            continue;
        }
        mapped++;
        failed |= try_map(d->mapping, local, files[i].name);
        unlink(local);
    }
    dg_gw_looks_free(looks);
    free(files);
    return failed;
}

static const dg_gw_drop *drop_for(const dg_gw_partner *p, const char *name)
{
    for (size_t i = 0; i < p->n_drops; i++)
        if (!p->drops[i].acks && dg_gw_glob_selected(&p->drops[i], name))
            return &p->drops[i];
    return NULL;
}

static int check(const dg_gw_config *cfg, const dg_gw_partner *p, long max, char **samples,
                 int n_samples)
{
    int failed = 0;
    printf("partner %s (%s, %s)\n", p->name,
           p->role == DG_ROLE_SUPPLIER ? "supplier" : "storefront", p->file);
    const char *risks[4];
    size_t n_risks = dg_transport_config_risks(&p->transport, risks, 4);
    for (size_t i = 0; i < n_risks; i++)
        printf("  warning %s\n", risks[i]);
    dg_error err = {0};
    dg_transport *t = NULL;
    if (dg_transport_open(&p->transport, &t, &err)) {
        printf("  connect %-40s FAIL %s\n", p->transport.kind, err.msg);
        failed = 1;
    } else {
        printf("  connect %-40s ok\n", dg_transport_describe(t));
        char scratch[1024];
        snprintf(scratch, sizeof scratch, "%s/dropgate-check-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(scratch)) {
            printf("  scratch folder: cannot create %s\n", scratch);
            failed = 1;
        } else {
            for (size_t i = 0; i < p->n_drops; i++)
                failed |= check_drop(t, p, &p->drops[i], max, scratch);
            rmdir(scratch);
        }
        const char *outs[] = {p->out.folder, p->out.ack_folder};
        for (size_t i = 0; i < 2; i++) {
            if (!outs[i] || (i == 1 && p->out.folder && !strcmp(outs[0], outs[1])))
                continue;
            dg_remote_file *files = NULL;
            size_t n = 0;
            int lrc = dg_transport_list(t, outs[i], &files, &n, &err);
            if (lrc == DG_ENOTFOUND) {
                printf("  list    %-40s ok   absent (created by the first upload)\n", outs[i]);
            } else if (lrc) {
                printf("  list    %-40s FAIL %s\n", outs[i], err.msg);
                failed = 1;
            } else {
                printf("  list    %-40s ok   %zu entr%s (outbound)\n", outs[i], n,
                       n == 1 ? "y" : "ies");
            }
            free(files);
        }
        dg_transport_close(t);
    }
    failed |= check_out_mapping("po", p->out.po_mapping);
    failed |= check_out_mapping("track", p->out.tracking_mapping);
    for (int i = 0; i < n_samples; i++) {
        const char *base = strrchr(samples[i], '/') ? strrchr(samples[i], '/') + 1 : samples[i];
        const dg_gw_drop *d = drop_for(p, base);
        if (!d) {
            printf("  map     %-40s FAIL no inbound drop of %s selects this name\n", base, p->name);
            failed = 1;
            continue;
        }
        failed |= try_map(d->mapping, samples[i], samples[i]);
    }
    (void)cfg;
    printf("%s: %s\n", p->name, failed ? "CHECK FAILED" : "all checks passed");
    return failed;
}

int dg_cmd_partner(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"max", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL;
    long max = 5;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'm': max = strtol(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind < 2 || strcmp(argv[optind], "check")) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[optind + 1];
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    if (dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err)) {
        fprintf(stderr, "dropgate partner: %s\n", err.msg);
        return 2;
    }
    const dg_gw_partner *p = dg_gw_config_partner(cfg, name);
    if (!p) {
        fprintf(stderr, "dropgate partner: no partner named '%s' in %s\n", name, cfg->file);
        dg_gw_config_free(cfg);
        return 2;
    }
    int failed = check(cfg, p, max, argv + optind + 2, argc - optind - 2);
    dg_gw_config_free(cfg);
    return failed ? 1 : 0;
}
