/* The dropgate subcommands; each lives in its own cmd_*.c file and returns the exit status:
 * 0 success, 1 the input or a partner was rejected, 2 usage, configuration or I/O error,
 * 3 done but part of the input was set aside (poll: files quarantined; translate: documents
 * failed). */
#ifndef DG_CLI_COMMANDS_H
#define DG_CLI_COMMANDS_H

int dg_cmd_validate(int argc, char **argv);
int dg_cmd_ack(int argc, char **argv);
int dg_cmd_translate(int argc, char **argv);
int dg_cmd_poll(int argc, char **argv);
int dg_cmd_run(int argc, char **argv);
int dg_cmd_status(int argc, char **argv);
int dg_cmd_report(int argc, char **argv);
int dg_cmd_partner(int argc, char **argv);
int dg_cmd_demo(int argc, char **argv);
int dg_cmd_backup(int argc, char **argv);
int dg_cmd_reprocess(int argc, char **argv);
int dg_cmd_search(int argc, char **argv);
int dg_cmd_show(int argc, char **argv);
int dg_cmd_fields(int argc, char **argv);
int dg_cmd_serve(int argc, char **argv);
int dg_cmd_hold(int argc, char **argv);
int dg_cmd_release(int argc, char **argv);
int dg_cmd_resend(int argc, char **argv);
int dg_cmd_certify(int argc, char **argv);
int dg_cmd_route(int argc, char **argv);

/* Who runs an operator action: opt (--by), else $DG_ACTOR, $SUDO_USER, the login name. */
const char *dg_cli_actor(const char *opt);

#endif
