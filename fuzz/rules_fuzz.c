/*
 * rules_fuzz.c — a council's rule pack is a text file it edits: any text is
 * loaded or refused with a message, never crashes the loader.
 */
#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_rule_pack *p = NULL;
    cw_error err;
    if (cw_rules_load((const char *)data, size, "fuzz.rules", &p, &err) == CW_OK)
        cw_rules_free(p);
    return 0;
}
