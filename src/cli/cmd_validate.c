/* dropgate validate: checks X12 files (envelopes and every set against its edi/ definition) and
 * prints one line per problem with its 997/TA1 code, a summary per file, or a JSON report. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "x12/validate.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate validate [--json] [--edi DIR] FILE...\n"
        "\n"
        "  Checks each X12 file: interchange/group/set envelopes and every transaction set\n"
        "  against its definition in edi/. One line per problem naming the file, ISA/GS/ST\n"
        "  control numbers, segment position and id, element position and the 997 code\n"
        "  (TA1 interchange, AK9 group, AK5 set, AK3 segment, AK4 element), then a summary.\n"
        "\n"
        "  Memory stays flat with the number of interchanges: the text report is printed as\n"
        "  problems are found and only rejected items are kept; --json keeps one file's\n"
        "  result at a time and prints it when that file is done.\n"
        "\n"
        "  --json      machine-readable report on stdout\n"
        "  --edi DIR   definition folder (default: $DG_EDI_DIR, ../edi beside the program, ./edi)\n"
        "  --max-segment-errors N   segment errors detailed per set (default 100, 0: no cap);\n"
        "              the rest are counted and announced by one warning per set\n"
        "exit status: 0 all accepted, 1 a set, group or interchange rejected, 2 usage or I/O "
        "error\n",
        f);
}

static const char *kind_of(dg_x12_level l)
{
    switch (l) {
    case DG_X12_LEVEL_INTERCHANGE: return "TA1";
    case DG_X12_LEVEL_GROUP: return "AK9";
    case DG_X12_LEVEL_SET: return "AK5";
    case DG_X12_LEVEL_SEGMENT: return "AK3";
    case DG_X12_LEVEL_ELEMENT: return "AK4";
    }
    return "?";
}

/* The reader prefixes "<file>: segment N: "; the line already names both. */
static const char *bare_msg(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (!strncmp(msg, path, n) && !strncmp(msg + n, ": segment ", 10)) {
        const char *p = strchr(msg + n + 10, ':');
        if (p && p[1] == ' ')
            return p + 2;
    }
    return msg;
}

static void print_problem(void *ctx, const char *path, const dg_x12_problem *p)
{
    (void)ctx;
    if (p->level == DG_X12_LEVEL_SEGMENT && !strcmp(p->code, "8"))
        return; /* its AK4 lines follow and name the segment */
    char where[200];
    int n = snprintf(where, sizeof where, "ISA %s", p->isa_control[0] ? p->isa_control : "-");
    if (p->gs_control[0])
        n += snprintf(where + n, sizeof where - (size_t)n, " GS %s", p->gs_control);
    if (p->st_control[0] || p->set_id[0])
        n += snprintf(where + n, sizeof where - (size_t)n, " ST %s %s", p->set_id, p->st_control);
    char seg[160] = "";
    int k = 0;
    if (p->file_seg)
        k += snprintf(seg + k, sizeof seg - (size_t)k, " segment %ld", p->file_seg);
    if (p->set_seg)
        k += snprintf(seg + k, sizeof seg - (size_t)k, " (set position %ld)", p->set_seg);
    if (p->seg_id[0])
        k += snprintf(seg + k, sizeof seg - (size_t)k, " %s", p->seg_id);
    if (p->loop_id[0])
        k += snprintf(seg + k, sizeof seg - (size_t)k, " in loop %s", p->loop_id);
    if (p->elem) {
        k += snprintf(seg + k, sizeof seg - (size_t)k, " element %02d", p->elem);
        if (p->comp)
            k += snprintf(seg + k, sizeof seg - (size_t)k, "-%d", p->comp);
        if (p->elem_ref[0])
            k += snprintf(seg + k, sizeof seg - (size_t)k, " (ref %s)", p->elem_ref);
    }
    if (!p->code[0]) /* no X12 code describes it (an HL tree warning, a cap notice ...) */
        printf("%s: %s%s: %s%s\n", path, where, seg, p->warning ? "warning: " : "",
               bare_msg(p->msg, path));
    else
        printf("%s: %s%s: %s%s %s %s: %s\n", path, where, seg, p->warning ? "warning: " : "",
               kind_of(p->level), p->code, dg_x12_code_text(p->level, p->code),
               bare_msg(p->msg, path));
}

/* The problem lines were printed as they were found; this is the file's summary. */
static void print_summary(const dg_x12_file_result *r)
{
    if (r->not_x12) {
        printf("%s: not an X12 interchange: %s\n", r->path, bare_msg(r->not_x12_msg, r->path));
    }
    long rejected_sets = r->n_sets - r->n_sets_accepted;
    printf("%s: %s: %ld interchange(s), %ld group(s), %ld set(s): %ld accepted, %ld rejected; "
           "%zu error(s), %zu warning(s)",
           r->path, r->rejected ? "REJECTED" : "accepted", r->interchanges_read, r->groups_read,
           r->n_sets, r->n_sets_accepted, rejected_sets, r->n_errors, r->n_warnings);
    if (r->n_left_out)
        printf(" (%ld segment error(s) past the per-set cap left out of the detail)",
               r->n_left_out);
    putchar('\n');
}

static json_t *codes_json(const char codes[5][4], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(codes[i]));
    return a;
}

static json_t *problem_json(const dg_x12_file_result *r, const dg_x12_problem *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "level", json_string(kind_of(p->level)));
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "text", json_string(dg_x12_code_text(p->level, p->code)));
    json_object_set_new(o, "warning", json_boolean(p->warning));
    json_object_set_new(o, "isa_control", json_string(p->isa_control));
    json_object_set_new(o, "gs_control", json_string(p->gs_control));
    json_object_set_new(o, "set_id", json_string(p->set_id));
    json_object_set_new(o, "st_control", json_string(p->st_control));
    json_object_set_new(o, "segment", json_integer(p->file_seg));
    json_object_set_new(o, "set_position", json_integer(p->set_seg));
    json_object_set_new(o, "segment_id", json_string(p->seg_id));
    json_object_set_new(o, "loop_id", json_string(p->loop_id));
    json_object_set_new(o, "element", json_integer(p->elem));
    json_object_set_new(o, "component", json_integer(p->comp));
    json_object_set_new(o, "element_ref", json_string(p->elem_ref));
    json_object_set_new(o, "bad_value", json_string(p->bad_value));
    json_object_set_new(o, "message", json_string(bare_msg(p->msg, r->path)));
    return o;
}

static json_t *file_json(const dg_x12_file_result *r)
{
    json_t *f = json_object();
    json_object_set_new(f, "file", json_string(r->path));
    json_object_set_new(f, "accepted", json_boolean(!r->rejected));
    if (r->not_x12)
        json_object_set_new(f, "not_x12", json_string(bare_msg(r->not_x12_msg, r->path)));
    json_t *ics = json_array();
    for (size_t i = 0; i < r->n_interchanges; i++) {
        const dg_x12_interchange_result *ic = &r->interchanges[i];
        json_t *o = json_object();
        json_object_set_new(o, "control", json_string(ic->isa.control));
        json_object_set_new(o, "sender", json_string(ic->isa.sender_id));
        json_object_set_new(o, "receiver", json_string(ic->isa.receiver_id));
        json_object_set_new(o, "version", json_string(ic->isa.version));
        json_object_set_new(o, "accepted", json_boolean(!ic->rejected));
        json_object_set_new(o, "ta1_code", json_string(ic->ta1_code));
        json_array_append_new(ics, o);
    }
    json_object_set_new(f, "interchanges", ics);
    json_t *groups = json_array();
    for (size_t i = 0; i < r->n_groups; i++) {
        const dg_x12_group_result *g = &r->groups[i];
        json_t *o = json_object();
        json_object_set_new(o, "isa_control", json_string(g->isa.control));
        json_object_set_new(o, "control", json_string(g->gs.control));
        json_object_set_new(o, "functional_id", json_string(g->gs.functional_id));
        json_object_set_new(o, "version", json_string(g->gs.version));
        char st[2] = {g->status, 0};
        json_object_set_new(o, "status", json_string(st));
        json_object_set_new(o, "ak9_codes", codes_json(g->codes, g->n_codes));
        json_object_set_new(o, "included", json_integer(g->included));
        json_object_set_new(o, "received", json_integer(g->received));
        json_object_set_new(o, "accepted", json_integer(g->accepted));
        json_t *sets = json_array();
        for (size_t k = 0; k < g->n_sets; k++) {
            const dg_x12_set_result *s = &g->sets[k];
            json_t *so = json_object();
            json_object_set_new(so, "id", json_string(s->id));
            json_object_set_new(so, "control", json_string(s->control));
            char ss[2] = {s->status, 0};
            json_object_set_new(so, "status", json_string(ss));
            json_object_set_new(so, "ak5_codes", codes_json(s->codes, s->n_codes));
            json_object_set_new(so, "defined", json_boolean(s->defined));
            json_object_set_new(so, "segment_errors_left_out", json_integer(s->left_out));
            json_array_append_new(sets, so);
        }
        json_object_set_new(o, "sets", sets);
        json_array_append_new(groups, o);
    }
    json_object_set_new(f, "groups", groups);
    json_t *probs = json_array();
    for (size_t i = 0; i < r->n_problems; i++)
        json_array_append_new(probs, problem_json(r, &r->problems[i]));
    json_object_set_new(f, "problems", probs);
    json_object_set_new(f, "interchanges_read", json_integer(r->interchanges_read));
    json_object_set_new(f, "groups_read", json_integer(r->groups_read));
    json_object_set_new(f, "segment_errors_left_out", json_integer(r->n_left_out));
    json_object_set_new(f, "errors", json_integer((json_int_t)r->n_errors));
    json_object_set_new(f, "warnings", json_integer((json_int_t)r->n_warnings));
    return f;
}

int dg_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"edi", required_argument, NULL, 'e'},
        {"max-segment-errors", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    const char *edi = NULL;
    int max_seg = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'e': edi = optarg; break;
        case 'm': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000) {
                fprintf(stderr, "dropgate validate: --max-segment-errors wants 0..1000000\n");
                return 2;
            }
            max_seg = v ? (int)v : -1;
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    char buf[PATH_MAX];
    if (!edi && !(edi = dg_x12_find_edi_dir(argv[0], buf, sizeof buf))) {
        fputs("dropgate validate: cannot find the edi/ definition folder (use --edi DIR or "
              "DG_EDI_DIR)\n",
              stderr);
        return 2;
    }
    dg_x12_defs *defs = NULL;
    dg_error err = {0};
    if (dg_x12_defs_load(edi, &defs, &err)) {
        fprintf(stderr, "dropgate validate: %s\n", err.msg);
        return 2;
    }
    int status = 0;
    /* --json is streamed file by file: {"files": [ <file>, ... ], "accepted": ...} */
    if (json)
        fputs("{\n  \"files\": [", stdout);
    for (int i = optind; i < argc; i++) {
        dg_x12_file_result *r = NULL;
        /* text: print while reading and keep only counts and rejected items */
        dg_x12_check_opts copts = {!json, json ? NULL : print_problem, NULL, max_seg};
        int crc = dg_x12_check_file_opts(defs, argv[i], &copts, &r, &err);
        json_t *f = NULL;
        if (crc) {
            fprintf(stderr, "dropgate validate: %s\n", err.msg);
            if (json) {
                f = json_object();
                json_object_set_new(f, "file", json_string(argv[i]));
                json_object_set_new(f, "error", json_string(err.msg));
            }
            status = 2;
        } else {
            if (r->rejected && status == 0)
                status = 1;
            if (json)
                f = file_json(r);
            else
                print_summary(r);
            dg_x12_file_result_free(r);
        }
        if (f) {
            char *s = json_dumps(f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            printf("%s\n%s", i > optind ? "," : "", s ? s : "{}");
            free(s);
            json_decref(f);
        }
        fflush(stdout);
    }
    if (json)
        printf("\n  ],\n  \"accepted\": %s\n}\n", status == 0 ? "true" : "false");
    dg_x12_defs_free(defs);
    return status;
}
