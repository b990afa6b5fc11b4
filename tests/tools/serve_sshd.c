/* For shell tests: starts the harness's OpenSSH sshd (tests/support/servers.c) on a free port,
 * writes shell assignments (DG_SSHD_PORT, _USER, _KEY, _KNOWN_HOSTS, _ROOT) to the file named by
 * argv[1] (or DG_SSHD_SKIP="why" when sshd cannot run here), and stops the server and removes its
 * folders on SIGTERM/SIGINT or when the shell that started it is gone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "servers.h"

static int write_env(const char *path, const char *text)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        return -1;
    return rename(tmp, path); /* the shell never reads half a file */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dg_test_serve_sshd ENV_FILE\n");
        return 2;
    }
    static dg_test_sshd s;
    char text[8192];
    if (dg_test_sshd_start(&s)) {
        snprintf(text, sizeof text, "DG_SSHD_SKIP='%s'\n", s.why);
        write_env(argv[1], text);
        return 3;
    }
    snprintf(text, sizeof text,
             "DG_SSHD_PORT=%d\nDG_SSHD_USER='%s'\nDG_SSHD_KEY='%s'\nDG_SSHD_KNOWN_HOSTS='%s'\n"
             "DG_SSHD_ROOT='%s'\nDG_SSHD_PID=%ld\n",
             s.port, s.acct.user, s.key_file, s.known_hosts, s.root, (long)s.pid);
    if (write_env(argv[1], text)) {
        dg_test_sshd_stop(&s);
        return 2;
    }
    pid_t parent = getppid();
    while (getppid() == parent)
        sleep(1); /* SIGTERM/SIGINT: the harness stops the server and exits */
    dg_test_sshd_stop(&s);
    return 0;
}
