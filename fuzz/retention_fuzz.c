/*
 * retention_fuzz.c — a council's retention schedule given with
 * `caseward retention --rules-file` (cw_retention_load): any text is loaded
 * or refused with a message, never crashes the loader.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "casework/retention.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_retention_rules r;
    cw_error err;
    if (cw_retention_load((const char *)data, size, "fuzz.txt", &r, &err) == CW_OK)
        cw_retention_rules_release(&r);
    else if (!err.msg[0])
        abort();
    return 0;
}
