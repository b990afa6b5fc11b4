/* libFuzzer harness: the gateway configuration loader with arbitrary bytes as the one partner
 * file (transport, schedule, drops, outbound, webhook). Always a message, never a crash. */
#include "fuzz_common.h"

#include "gateway/gateway.h"

static char cfg_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/etc", fuzz_dir());
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/etc/partners", fuzz_dir());
    mkdir(dir, 0700);
    const char *main_cfg = "state_dir: var\npartners_dir: etc/partners\n"
                           "routing: etc/none.yaml\ncatalog: etc/none.csv\n";
    const char *p = fuzz_write("etc/dropgate.yaml", (const uint8_t *)main_cfg, strlen(main_cfg));
    snprintf(cfg_path, sizeof cfg_path, "%s", p);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("etc/partners/fuzz.yaml", data, size);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(cfg_path, NULL, &cfg, &err) == 0)
        dg_gw_config_free(cfg);
    else if (!err.msg[0])
        abort(); /* every refusal says why */
    return 0;
}
