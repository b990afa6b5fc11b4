/* dropgate report: placeholder until its issue lands; replaced by the real command. */
#include <stdio.h>

#include "cli/commands.h"

int dg_cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dropgate report: not available in this build yet\n", stderr);
    return 2;
}
