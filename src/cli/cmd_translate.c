/* dropgate translate: a partner file -> canonical JSON through an inbound mapping, or canonical
 * JSON / a partner file -> another partner format through an outbound mapping (--to). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/fs.h"
#include "core/model_json.h"
#include "map/map.h"
#include "x12/defs.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate translate --map MAPPING INPUT [-o OUT] [--jsonl] [--strict]\n"
        "       dropgate translate [--map MAPPING] --to MAPPING INPUT [-o OUT] [envelope options]\n"
        "\n"
        "  --map MAPPING   inbound mapping (mappings/*-in.yaml); without --to the output is\n"
        "                  canonical JSON: an array of documents (or --jsonl: one per line)\n"
        "  --to MAPPING    outbound mapping; INPUT is canonical JSON unless --map is given\n"
        "  --strict        all or nothing: the first document that fails stops the file\n"
        "                  (exit 1; with -o nothing is written)\n"
        "  -o OUT          write there (atomically: nothing is left behind on error); default\n"
        "                  stdout, where documents are written as they are mapped\n"
        "  --sender Q:ID --receiver Q:ID --control N --date CCYYMMDD --time HHMM --test\n"
        "                  X12 envelope values for --to (defaults: ZZ:DROPGATE, ZZ:PARTNER, 1)\n"
        "  --edi DIR       X12 definitions that --to output is fitted to and validated against\n"
        "                  (default: $DG_EDI_DIR, ../edi beside the program, ./edi)\n"
        "\n"
        "A file is a batch of documents: one the mapping cannot complete (a required value\n"
        "missing, a bad date) is reported on stderr with its position and reason, and the\n"
        "others are still written. A document whose every line a skip_when/only_when filter\n"
        "dropped (a test order) is reported as skipped; it is not a failure. Lines a filter\n"
        "kept with a status (a gift card, NOT_SHIPPABLE) are in the canonical JSON; --to\n"
        "leaves them out, and skips an order that has no other line.\n"
        "exit status: 0 every document mapped (or skipped), 3 some documents failed and the\n"
        "others were written, 1 no document could be mapped or the file cannot be read as\n"
        "this mapping's format, 2 usage, mapping-file or I/O error\n",
        f);
}

typedef struct {
    dg_doc **docs;
    size_t n, cap;
    dg_buf *json; /* JSON mode: serialise and free each document as it arrives */
    bool jsonl;
    FILE *out; /* where output goes as it is produced (stdout or -o's temporary file) */
    const char *out_name;
    const char *input, *kind;
    size_t failed, skipped;
    bool strict;
} collect;

/* Memory stays bounded by the largest document: JSON leaves in pieces of about this size, each
 * in one write (the stream is unbuffered: stdio would split a piece into a 4 KiB buffer's worth
 * and the rest, two or three syscalls per piece). 256 KiB rather than 64: a 160 MB 850 file's
 * 600 MB of JSON took 18,128 writes, now 2,287; sys time ~35 ms -> ~15 ms. */
#define FLUSH_AT ((size_t)1 << 18)

static int flush(collect *c, dg_buf *b, dg_error *err)
{
    if (b->len && fwrite(b->data, 1, b->len, c->out) != b->len)
        return dg_error_set(err, DG_EIO, "%s: %s", c->out_name, strerror(errno));
    dg_buf_clear(b);
    return 0;
}

static int outcome(void *ctx, const dg_map_outcome *o, dg_error *err);

/* A separator of n (<= 2) bytes between documents, without dg_buf_puts' strlen and memcpy
 * calls (once per document). */
static void put_sep(dg_buf *b, const char *s, size_t n)
{
    dg_buf_reserve(b, 2);
    memcpy(b->data + b->len, s, 2); /* the room allows 2; a 1-byte separator's NUL follows */
    b->len += n;
    b->data[b->len] = '\0';
}

/* --to writes what a supplier would be sent: the lines a mapping marked not to be routed (a
 * gift card, NOT_SHIPPABLE) are left out, and an order left with none is skipped. Canonical
 * JSON output keeps them, as the gateway records them. */
static bool routable_only(collect *c, dg_doc *doc, dg_error *err, int *rc)
{
    dg_order *o = &doc->u.order;
    size_t k = 0;
    const char *status = NULL;
    for (size_t i = 0; i < o->n_lines; i++) {
        if (dg_line_status_unrouted(o->lines[i].status))
            status = o->lines[i].status;
        else
            o->lines[k++] = o->lines[i];
    }
    o->n_lines = k;
    if (k || !status)
        return true;
    char why[160];
    snprintf(why, sizeof why, "nothing to route: every line is %s", status);
    const char *f = doc->source.format;
    dg_map_outcome skip = {true,
                           !f                  ? "document"
                           : !strcmp(f, "csv") ? "row"
                                               : "line",
                           doc->source.position, o->order_number, why};
    *rc = outcome(c, &skip, err);
    dg_doc_free(doc);
    return false;
}

static int sink(void *ctx, dg_doc *doc, dg_error *err)
{
    collect *c = ctx;
    int rc = 0;
    if (!c->json && doc->kind == DG_DOC_ORDER && !routable_only(c, doc, err, &rc))
        return rc;
    if (c->json) {
        if (!c->jsonl)
            put_sep(c->json, c->n ? ",\n" : "[\n", 2);
        rc = dg_doc_to_json(doc, c->jsonl ? 0 : DG_JSON_PRETTY, c->json, err);
        if (c->jsonl)
            put_sep(c->json, "\n", 1);
        c->n++;
        dg_doc_free(doc);
        if (!rc && c->json->len >= FLUSH_AT)
            rc = flush(c, c->json, err);
        return rc;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        dg_doc **p = realloc(c->docs, c->cap * sizeof *p);
        if (!p)
            abort();
        c->docs = p;
    }
    c->docs[c->n++] = doc;
    return 0;
}

static int outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    collect *c = ctx;
    if (c->strict && !o->skipped) /* the file fails with this document's reason */
        return dg_error_set(err, DG_EMAP, "%s", o->reason);
    if (o->skipped)
        c->skipped++;
    else
        c->failed++;
    fprintf(stderr, "dropgate translate: %s: %s %s at %s %ld%s%s%s: %s\n", c->input, c->kind,
            o->skipped ? "skipped" : "failed", o->unit, o->position, o->key ? " (" : "",
            o->key ? o->key : "", o->key ? ")" : "", o->reason);
    return 0;
}

static void split_id(char *arg, const char **qual, const char **id)
{
    char *colon = strchr(arg, ':');
    if (colon) {
        *colon = '\0';
        *qual = arg;
        *id = colon + 1;
    } else {
        *id = arg;
    }
}

static int status_of(int rc)
{
    return rc == DG_EMAP || rc == DG_EPARSE || rc == DG_EVALID ? 1 : 2;
}

int dg_cmd_translate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"map", required_argument, 0, 'm'},      {"to", required_argument, 0, 't'},
        {"output", required_argument, 0, 'o'},   {"jsonl", no_argument, 0, 'j'},
        {"strict", no_argument, 0, 's'},         {"sender", required_argument, 0, 'S'},
        {"receiver", required_argument, 0, 'R'}, {"control", required_argument, 0, 'c'},
        {"date", required_argument, 0, 'D'},     {"time", required_argument, 0, 'T'},
        {"test", no_argument, 0, 'x'},           {"edi", required_argument, 0, 'E'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    const char *in_map = NULL, *out_map = NULL, *out_path = NULL, *edi = NULL;
    bool jsonl = false;
    dg_map_envelope env = {"ZZ", "DROPGATE", "ZZ", "PARTNER", 1, 1, 1, NULL, NULL, false, NULL};
    collect col = {0};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "m:t:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': in_map = optarg; break;
        case 't': out_map = optarg; break;
        case 'o': out_path = optarg; break;
        case 'j': jsonl = true; break;
        case 's': col.strict = true; break;
        case 'S': split_id(optarg, &env.sender_qualifier, &env.sender_id); break;
        case 'R': split_id(optarg, &env.receiver_qualifier, &env.receiver_id); break;
        case 'c':
            env.interchange_control = env.group_control = strtol(optarg, NULL, 10);
            env.first_set_control = env.interchange_control;
            break;
        case 'D': env.date = optarg; break;
        case 'T': env.time = optarg; break;
        case 'x': env.test = true; break;
        case 'E': edi = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || (!in_map && !out_map)) {
        usage(stderr);
        return 2;
    }
    const char *input = argv[optind];
    dg_error err = {0};
    dg_mapping *min = NULL, *mout = NULL;
    dg_buf out = DG_BUF_INIT, text = DG_BUF_INIT;
    int rc = 0;
    if (in_map && (rc = dg_map_load(in_map, &min, &err)) == 0 &&
        dg_map_get_direction(min) != DG_MAP_IN)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is an outbound mapping; use it with --to", in_map);
    if (!rc && out_map && (rc = dg_map_load(out_map, &mout, &err)) == 0 &&
        dg_map_get_direction(mout) != DG_MAP_OUT)
        rc = dg_error_set(&err, DG_ECONFIG, "%s is an inbound mapping; use it with --map", out_map);
    /* X12 out is never written unchecked: without definitions the command refuses. */
    dg_x12_defs *defs = NULL;
    char edi_buf[4096];
    if (!rc && mout && !strcmp(dg_map_format(mout), "x12")) {
        if (!edi && !(edi = dg_x12_find_edi_dir(argv[0], edi_buf, sizeof edi_buf)))
            rc = dg_error_set(&err, DG_ECONFIG,
                              "cannot find the edi/ definition folder that X12 output is "
                              "validated against (use --edi DIR or DG_EDI_DIR)");
        else if (!(rc = dg_x12_defs_load(edi, &defs, &err)))
            env.defs = defs;
    }
    if (!rc && !mout) {
        col.json = &out;
        col.jsonl = jsonl;
    }
    /* -o: a temporary file renamed into place at the end, so a failure leaves nothing */
    dg_fs_atomic dst = {0};
    col.out = stdout;
    col.out_name = "stdout";
    if (!rc && out_path && !(rc = dg_fs_atomic_open(&dst, out_path, &err))) {
        col.out = dst.f;
        col.out_name = dst.tmp;
    }
    if (!rc)
        setvbuf(col.out, NULL, _IONBF, 0); /* flush() hands over whole pieces */
    if (!rc && min) {
        col.input = input;
        col.kind = dg_doc_kind_name(dg_map_doc_kind(min));
        rc = dg_map_read_each(min, input, sink, outcome, &col, &err);
    } else if (!rc) {
        rc = dg_fs_read_all(input, &text, &err);
        if (!rc && (rc = dg_docs_from_json(text.data ? text.data : "", text.len, sink, &col, &err)))
            dg_error_prefix(&err, "%s: ", input);
    }
    if (!rc && col.json && !jsonl)
        dg_buf_puts(&out, col.n ? "\n]\n" : "[]\n");
    if (!rc && mout)
        rc = dg_map_write(mout, col.docs, col.n, &env, &out, &err);
    if (!rc)
        rc = flush(&col, &out, &err);
    bool none = col.failed && !col.n; /* nothing to write: -o leaves no file, as on error */
    if (!rc && out_path && !none)
        rc = dg_fs_atomic_commit(&dst, &err);
    else if (!rc && fflush(stdout) != 0)
        rc = dg_error_set(&err, DG_EIO, "stdout: %s", strerror(errno));
    dg_fs_atomic_abort(&dst); /* after a failure: the temporary file goes */
    if (rc)
        fprintf(stderr, "dropgate translate: %s\n", err.msg);
    for (size_t i = 0; !col.json && i < col.n; i++)
        dg_doc_free(col.docs[i]);
    free(col.docs);
    dg_buf_free(&out);
    dg_buf_free(&text);
    dg_map_free(min);
    dg_map_free(mout);
    dg_x12_defs_free(defs);
    if (rc)
        return status_of(rc);
    if (col.failed || col.skipped)
        fprintf(stderr, "dropgate translate: %s: %zu %s(s) written, %zu failed, %zu skipped\n",
                input, col.n, col.kind, col.failed, col.skipped);
    return !col.failed ? 0 : col.n ? 3 : 1;
}
