/*
 * fixture.h — recording a test's history (header-only, as testutil.h): one command, given as JSON
 * text, in a batch of its own; the test fails naming the command if it is refused.
 */
#ifndef CW_TESTS_FIXTURE_H
#define CW_TESTS_FIXTURE_H

#include <cmocka.h>
#include <jansson.h>
#include <stdint.h>

#include "casework/casework.h"

static inline uint64_t fx_submit(cw_ledger *l, cw_error *err, const char *actor, const char *type,
                                 const char *payload)
{
    json_error_t jerr;
    json_t *p = json_loads(payload, 0, &jerr);
    if (!p)
        fail_msg("bad fixture JSON: %s (%s)", jerr.text, payload);
    cw_event ev = {actor, type, p};
    uint64_t idx = 0, size = 0;
    cw_rc rc = cw_casework_begin(l, err);
    if (!rc && !(rc = cw_casework_submit(l, &ev, &idx, err)))
        rc = cw_casework_commit(l, &size, err);
    if (rc)
        fail_msg("%s %s: %s", type, payload, err->msg);
    json_decref(p);
    return idx;
}

#endif
