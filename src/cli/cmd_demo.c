/* dropgate demo: placeholder until its issue lands; replaced by the real command. */
#include <stdio.h>

#include "cli/commands.h"

int dg_cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dropgate demo: not available in this build yet\n", stderr);
    return 2;
}
