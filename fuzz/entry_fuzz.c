/*
 * entry_fuzz.c — `caseward append` and `import` read JSON Lines from
 * outside: any line is parsed into an event or refused with a message.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_event ev;
    json_t *holder = NULL;
    cw_error err;
    if (cw_entry_parse_request((const char *)data, size, "fuzz", &ev, &holder, &err) == CW_OK)
        json_decref(holder);
    return 0;
}
