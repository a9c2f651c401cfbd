/*
 * measures_fuzz.c — a council's performance-measure definitions are a text
 * file it edits (cw_measures_load, src/measures/parse.c), checked against
 * its rule pack: any text is loaded or refused with a message naming the
 * line, never crashes the loader. The first byte picks the pack (Wales or
 * England) the definitions are for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "measures/measures.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cw_rule_pack *packs[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[2] = {"wales", "england"};
    cw_error err;
    if (!packs[0])
        for (int i = 0; i < 2; i++)
            if (cw_rules_load_builtin(names[i], &packs[i], &err))
                abort();
    if (size < 1)
        return 0;
    cw_measure_set *m = NULL;
    cw_rc rc = cw_measures_load((const char *)data + 1, size - 1, "fuzz.measures",
                                packs[data[0] & 1], &m, &err);
    if (rc == CW_OK) {
        if (!cw_measures_digest(m))
            abort();
        cw_measures_free(m);
    } else if (!err.msg[0] || m) {
        abort(); /* a refusal says why, and loads nothing */
    }
    return 0;
}
