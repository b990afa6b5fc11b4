/* dropgate command entry: dispatches to one subcommand per file (see commands.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"validate", dg_cmd_validate, "check X12 envelopes and sets against edi/ definitions"},
    {"ack", dg_cmd_ack, "write the 997 functional acknowledgment for an X12 file"},
    {"translate", dg_cmd_translate, "map a partner file to canonical JSON or another format"},
    {"poll", dg_cmd_poll, "run one poll cycle (--once) over the configured partners"},
    {"run", dg_cmd_run, "the gateway daemon: poll on schedule, process, send the outbox"},
    {"status", dg_cmd_status, "orders by state, overdue acks and ASNs, open discrepancies"},
    {"report", dg_cmd_report, "reports: reconcile, orders (CSV or JSON)"},
    {"search", dg_cmd_search, "find orders, POs, shipments, invoices, files by any number"},
    {"show", dg_cmd_show, "the whole story of one order or PO (show order|po ID)"},
    {"fields", dg_cmd_fields, "the canonical fields for mapping authors (type, meaning)"},
    {"route", dg_cmd_route, "why each line went to its supplier (route --explain ORDER)"},
    {"backup", dg_cmd_backup, "online copy of the state store (restore: README, Backup)"},
    {"partner", dg_cmd_partner, "partner tools: check NAME (onboarding test kit)"},
    {"serve", dg_cmd_serve, "the web console, /metrics and /healthz (loopback by default)"},
    {"certify", dg_cmd_certify, "offline partner certification: PO out, answers back, checks"},
    {"reprocess", dg_cmd_reprocess, "run a quarantined or archived file again after a fix"},
    {"hold", dg_cmd_hold, "hold a supplier PO: not sent until released"},
    {"release", dg_cmd_release, "release a PO an operator held"},
    {"resend", dg_cmd_resend, "send a PO's file again (same bytes, or new control numbers)"},
    {"demo", dg_cmd_demo, "run the shipped dropship demo end to end on local folders"},
};

static void usage(FILE *out)
{
    fputs("usage: dropgate COMMAND [OPTIONS]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fputs("\n'dropgate COMMAND --help' describes a command's options; 'dropgate --version' the\n"
          "version. Commands that print records take --json for one JSON document instead.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("dropgate %s\n", DG_VERSION);
        return 0;
    }
    /* A mistyped level would silently log at info (or hide the debug lines asked for). */
    const char *lv = getenv("DG_LOG_LEVEL");
    dg_log_level level;
    if (lv && *lv && dg_log_level_parse(lv, &level) != 0) {
        fprintf(stderr,
                "dropgate: DG_LOG_LEVEL='%s' is not a log level: use debug, info, warn, error or "
                "quiet (or unset it: info)\n",
                lv);
        return 2;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dropgate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
