/* dropgate ack: placeholder until its issue lands; replaced by the real command. */
#include <stdio.h>

#include "cli/commands.h"

int dg_cmd_ack(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dropgate ack: not available in this build yet\n", stderr);
    return 2;
}
