/* dropgate hold|release|resend PO: an operator's actions on one supplier PO, each recorded with
 * who (--by, else the login name), when and why (--reason) in the state store. */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_state.h"
#include "cli/commands.h"
#include "gateway/gateway.h"
#include "store/store.h"

const char *dg_cli_actor(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *v = getenv("DG_ACTOR");
    if (v && *v)
        return v;
    if ((v = getenv("SUDO_USER")) && *v)
        return v;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        return pw->pw_name;
    return (v = getenv("USER")) && *v ? v : "unknown";
}

static void usage(const char *cmd, FILE *f)
{
    if (!strcmp(cmd, "resend"))
        fputs("usage: dropgate resend PO [--new-control-numbers | --whole-file] [--reason TEXT]\n"
              "                       [--by NAME]\n"
              "                       [--config FILE] [--json]\n"
              "\n"
              "Sends a supplier PO's file again. By default the same file (same name, same bytes,\n"
              "from the outbox or the archive) is queued again and the next cycle (daemon or\n"
              "'poll --once') uploads it once; works while the daemon runs. With\n"
              "--new-control-numbers the PO is rendered again through the supplier's mapping with\n"
              "fresh ISA13/GS06/ST02 under a new name (PO_<number>_<ISA13>), validated, and its\n"
              "997 expected for the new numbers (X12 suppliers; needs the state store's lock, so\n"
              "not while the daemon runs). A held PO must be released first.\n"
              "A PO sent in one file with other POs (outbound po_per_file) is resent alone with\n"
              "--new-control-numbers; the same file is sent again only with --whole-file, which\n"
              "sends every PO it carries again.\n",
              f);
    else
        fprintf(f,
                "usage: dropgate %s PO %s[--by NAME] [--config FILE] [--json]\n"
                "\n"
                "%s"
                "Works while the daemon runs (the state store only).\n",
                cmd, !strcmp(cmd, "hold") ? "--reason TEXT " : "[--reason TEXT] ",
                !strcmp(cmd, "hold")
                    ? "Holds a supplier PO: it is not uploaded or resent until\n"
                      "'dropgate release PO'. This hold is the operator's own: the next render\n"
                      "that validates does not clear it (unlike a hold for an invalid file).\n"
                    : "Releases a PO an operator held: the next cycle sends what is pending.\n");
    fputs("Recorded with who (--by NAME, else $DG_ACTOR, else the login name), when and why\n"
          "(--reason) in the state store (table operator_actions).\n"
          "exit status: 0 done, 1 refused (no such PO, not held, held, not sent yet), 2 usage,\n"
          "configuration or state store error\n",
          f);
}

static int report(const char *cmd, const dg_gw_po_action *a, bool as_json, int rc,
                  const dg_error *err, const char *actor)
{
    if (as_json) {
        json_t *o =
            json_pack("{s:s, s:b, s:s, s:s, s:s}", "action", cmd, "ok", rc == 0, "po_number",
                      a->po_number, "by", actor, rc ? "error" : "note", rc ? err->msg : a->note);
        if (*a->supplier) {
            json_object_set_new(o, "supplier", json_string(a->supplier));
            json_object_set_new(o, "status", json_string(a->status));
            json_object_set_new(o, "was_held", json_boolean(a->was_held));
            json_object_set_new(o, "validation_held", json_boolean(a->validation_held));
        }
        if (*a->file)
            json_object_set_new(o, "file", json_string(a->file));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(o);
    } else if (rc) {
        fprintf(stderr, "dropgate %s: %s\n", cmd, err->msg);
    } else {
        printf("%s: PO %s (supplier %s, status %s)%s%s: %s\n", cmd, a->po_number, a->supplier,
               a->status, *a->file ? " file " : "", a->file, a->note);
    }
    if (!rc)
        return 0;
    return rc == DG_ENOTFOUND || rc == DG_EINVAL || rc == DG_EDUP ? 1 : 2;
}

static int run(const char *cmd, int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"reason", required_argument, 0, 'r'},
                                         {"by", required_argument, 0, 'b'},
                                         {"json", no_argument, 0, 'j'},
                                         {"new-control-numbers", no_argument, 0, 'n'},
                                         {"whole-file", no_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *reason = NULL, *by = NULL;
    bool as_json = false, new_controls = false, whole_file = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'r': reason = optarg; break;
        case 'b': by = optarg; break;
        case 'j': as_json = true; break;
        case 'n': new_controls = true; break;
        case 'w': whole_file = true; break;
        case 'h': usage(cmd, stdout); return 0;
        default: usage(cmd, stderr); return 2;
        }
    }
    if (optind + 1 != argc || ((new_controls || whole_file) && strcmp(cmd, "resend") != 0) ||
        (new_controls && whole_file)) {
        usage(cmd, stderr);
        return 2;
    }
    if (!strcmp(cmd, "hold") && (!reason || !*reason)) {
        fputs("dropgate hold: --reason TEXT is required (why the PO is held, for whoever "
              "releases it)\n",
              stderr);
        return 2;
    }
    const char *po = argv[optind];
    const char *actor = dg_cli_actor(by);
    dg_error err = {0};
    dg_gw_po_action a;
    memset(&a, 0, sizeof a);
    snprintf(a.po_number, sizeof a.po_number, "%s", po);
    int rc;
    if (new_controls) {
        dg_gw_config *cfg = NULL;
        int lock = -1;
        dg_gw *g = NULL;
        if ((rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err)) ||
            (rc = dg_gw_lock(cfg->lock_base, &lock, &err)) || (rc = dg_gw_open(cfg, &g, &err))) {
            if (rc == DG_ELOCKED)
                dg_error_prefix(&err, "the daemon holds the state store; stop it for a resend "
                                      "with --new-control-numbers, or resend the same file: ");
            fprintf(stderr, "dropgate resend: %s\n", err.msg);
            dg_gw_unlock(lock);
            dg_gw_config_free(cfg);
            return 2;
        }
        rc = dg_gw_po_resend_new(g, po, actor, reason, &a, &err);
        dg_gw_close(g);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return report(cmd, &a, as_json, rc, &err, actor);
    }
    dg_cli_state st;
    if ((rc = dg_cli_state_open(config, &st, &err))) {
        fprintf(stderr, "dropgate %s: %s\n", cmd, err.msg);
        dg_cli_state_close(&st);
        return 2;
    }
    if (!strcmp(cmd, "resend"))
        rc = dg_gw_po_resend_same(st.store, po, whole_file, actor, reason, &a, &err);
    else
        rc = dg_gw_po_hold(st.store, po, !strcmp(cmd, "hold"), actor, reason, &a, &err);
    dg_cli_state_close(&st);
    return report(cmd, &a, as_json, rc, &err, actor);
}

int dg_cmd_hold(int argc, char **argv)
{
    return run("hold", argc, argv);
}
int dg_cmd_release(int argc, char **argv)
{
    return run("release", argc, argv);
}
int dg_cmd_resend(int argc, char **argv)
{
    return run("resend", argc, argv);
}
