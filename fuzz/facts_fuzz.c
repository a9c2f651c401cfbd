/*
 * facts_fuzz.c — the compact histories read from the database
 * (src/util/facts.h): any bytes are either refused by the check or read
 * without going outside them.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"child_id", "date", "seen", "band", "zzz", ""};
    size_t count;
    if (cw_history_check(data, size, true, &count) == CW_OK) {
        size_t pos = 0;
        cw_history_event e;
        while (cw_history_next(data, size, &pos, &e))
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                (void)cw_facts_get(e.facts, names[i]);
    }
    cw_facts f = {data, size};
    if (cw_facts_check(f) == CW_OK)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            (void)cw_facts_get(f, names[i]);
    return 0;
}
