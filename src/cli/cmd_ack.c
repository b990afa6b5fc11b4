/* dropgate ack: writes the 997 functional (or 999 implementation) acknowledgment for a received
 * X12 file, enveloped back to its sender with this side's control numbers. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/fs.h"
#include "x12/ack.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate ack [-o OUT] [--999 | --kind 997|999] [--edi DIR] [envelope options] "
        "FILE\n"
        "\n"
        "  Checks FILE (like 'dropgate validate') and writes the 997 for each of its\n"
        "  functional groups: AK1, AK2/AK3/AK4/AK5 per set, AK9, enveloped with sender and\n"
        "  receiver swapped, in the received group's version (GS08). With --999, the 005010\n"
        "  999 (AK2/IK3/IK4/IK5). At most 100 segment errors per set are detailed.\n"
        "  Acknowledgments (997, 999, TA1) are never acknowledged: nothing is written.\n"
        "\n"
        "  -o OUT             write there atomically (default stdout)\n"
        "  --999, --kind K    999 (or 997, the default)\n"
        "  --edi DIR          definition folder (default: $DG_EDI_DIR, ../edi beside the program)\n"
        "  --control N        ISA13 of the 997 (GS06 and ST02 default to N and 0001)\n"
        "  --counter FILE     take ISA13 from a counter file (read, add one, write back)\n"
        "                     when --control is not given; without either, 1\n"
        "  --gs-control N --st-control N\n"
        "  --sender Q:ID --receiver Q:ID   (default: the received ISA08 / ISA06)\n"
        "  --date CCYYMMDD --time HHMM --test --newline\n"
        "exit status: 0 acknowledgment written, 1 the file holds no group to acknowledge\n"
        "             (not X12), 2 usage or I/O error, 3 the file holds only acknowledgments\n"
        "             (997/999/TA1): nothing written\n",
        f);
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

/* Next number of a plain-text counter file (missing file: 1). */
static int next_counter(const char *path, char *out, size_t size)
{
    unsigned long v = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%lu", &v) != 1)
            v = 0;
        fclose(f);
    } else if (errno != ENOENT) {
        return -1;
    }
    v = v >= 999999999UL ? 1 : v + 1;
    char text[32];
    int n = snprintf(text, sizeof text, "%lu\n", v);
    dg_error err = {0};
    if (dg_fs_write_atomic(path, text, (size_t)n, &err))
        return -1;
    snprintf(out, size, "%lu", v);
    return 0;
}

int dg_cmd_ack(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"edi", required_argument, NULL, 'e'},
        {"control", required_argument, NULL, 'c'},
        {"counter", required_argument, NULL, 'C'},
        {"gs-control", required_argument, NULL, 'g'},
        {"st-control", required_argument, NULL, 's'},
        {"sender", required_argument, NULL, 'S'},
        {"receiver", required_argument, NULL, 'R'},
        {"date", required_argument, NULL, 'd'},
        {"time", required_argument, NULL, 't'},
        {"test", no_argument, NULL, 'T'},
        {"newline", no_argument, NULL, 'n'},
        {"no-ta1", no_argument, NULL, 'N'},
        {"999", no_argument, NULL, '9'},
        {"kind", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    dg_x12_ack_opts o;
    memset(&o, 0, sizeof o);
    const char *out_path = NULL, *edi = NULL, *counter = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'e': edi = optarg; break;
        case 'c': o.isa_control = optarg; break;
        case 'C': counter = optarg; break;
        case 'g': o.gs_control = optarg; break;
        case 's': o.st_control = optarg; break;
        case 'S': split_id(optarg, &o.sender_qual, &o.sender_id); break;
        case 'R': split_id(optarg, &o.receiver_qual, &o.receiver_id); break;
        case 'd': o.date = optarg; break;
        case 't': o.time = optarg; break;
        case 'T': o.usage = 'T'; break;
        case 'n': o.newline = true; break;
        case 'N': o.no_ta1 = true; break;
        case '9': o.kind = DG_X12_ACK_999; break;
        case 'k':
            if (!strcmp(optarg, "997"))
                o.kind = DG_X12_ACK_997;
            else if (!strcmp(optarg, "999"))
                o.kind = DG_X12_ACK_999;
            else {
                fprintf(stderr, "dropgate ack: --kind wants 997 or 999, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    char ctl[32] = "1";
    if (!o.isa_control && counter && next_counter(counter, ctl, sizeof ctl)) {
        fprintf(stderr, "dropgate ack: cannot update the counter file %s\n", counter);
        return 2;
    }
    if (!o.isa_control)
        o.isa_control = ctl;
    char buf[PATH_MAX];
    if (!edi && !(edi = dg_x12_find_edi_dir(argv[0], buf, sizeof buf))) {
        fputs("dropgate ack: cannot find the edi/ definition folder (use --edi DIR or "
              "DG_EDI_DIR)\n",
              stderr);
        return 2;
    }
    dg_x12_defs *defs = NULL;
    dg_error err = {0};
    if (dg_x12_defs_load(edi, &defs, &err)) {
        fprintf(stderr, "dropgate ack: %s\n", err.msg);
        return 2;
    }
    dg_buf out = DG_BUF_INIT;
    dg_x12_file_result *res = NULL;
    int rc = dg_x12_check_file(defs, argv[optind], &res, &err);
    if (!rc && dg_x12_ack_only(res)) {
        fprintf(stderr,
                "dropgate ack: %s holds only acknowledgments (997/999/TA1); acknowledgments are "
                "never acknowledged: nothing written\n",
                argv[optind]);
        dg_x12_file_result_free(res);
        dg_x12_defs_free(defs);
        return 3;
    }
    if (!rc)
        rc = dg_x12_ack_build(res, &o, &out, NULL, &err);
    dg_x12_file_result_free(res);
    int status = 0;
    if (rc) {
        fprintf(stderr, "dropgate ack: %s\n", err.msg);
        status = rc == DG_EVALID ? 1 : 2;
    } else if (out_path) {
        if (dg_fs_write_atomic(out_path, out.data ? out.data : "", out.len, &err)) {
            fprintf(stderr, "dropgate ack: %s\n", err.msg);
            status = 2;
        }
    } else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
        status = 2;
    }
    if (!status && !o.newline && !out_path)
        fputc('\n', stdout);
    dg_buf_free(&out);
    dg_x12_defs_free(defs);
    return status;
}
