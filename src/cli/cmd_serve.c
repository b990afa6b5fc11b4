/* dropgate serve: the web console and /metrics over the configured state store (see
 * src/console/console.h); runs beside `dropgate run` and stops on SIGTERM/SIGINT. */
#include <getopt.h>
#include <stdio.h>

#include "cli/commands.h"
#include "console/console.h"
#include "gateway/gateway.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate serve [--config FILE] [--listen HOST:PORT]\n"
          "\n"
          "The web console (overview, search, order/PO/document detail, quarantine with\n"
          "reprocess, reconciliation exceptions, overdue acknowledgments, audit log), GET\n"
          "/metrics (Prometheus) and GET /healthz.\n"
          "  --listen HOST:PORT  default console: listen, else " DG_GW_CONSOLE_LISTEN "; a\n"
          "                      non-loopback address needs console: allow_remote: true; port 0\n"
          "                      picks a free port (printed)\n"
          "Actions need the token from $DG_CONSOLE_TOKEN or console: token_file (mode 600, at\n"
          "least 16 characters); without one the console is read-only.\n"
          "exit status: 0 stopped by SIGTERM/SIGINT, 2 usage, configuration or listen error\n",
          f);
}

int dg_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"listen", required_argument, 0, 'l'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *listen = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'l': listen = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    dg_console *con = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (!rc) {
        dg_gw_install_signals();
        rc = dg_console_start(cfg, listen, &con, &err);
    }
    if (rc) {
        fprintf(stderr, "dropgate serve: %s\n", err.msg);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_console_addr a;
    dg_console_parse_listen(listen ? listen : cfg->console_listen, &a, &err);
    printf("dropgate serve: listening on http://%s%s%s:%u/ (%s)\n", a.ipv6 ? "[" : "", a.host,
           a.ipv6 ? "]" : "", (unsigned)dg_console_port(con),
           dg_console_writable(con) ? "actions enabled with the token" : "read-only: no token");
    fflush(stdout);
    while (dg_gw_nap(1000))
        ;
    dg_console_stop(con);
    dg_gw_config_free(cfg);
    return 0;
}
