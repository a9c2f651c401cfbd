/*
 * command_fuzz.c — `caseward append` and `caseward import` read JSON Lines of
 * casework commands from outside (another system's records being migrated,
 * a council's scripts): each line is parsed (cw_entry_parse_command: type,
 * actor, payload, source) and validated against the catalogue's field specs
 * and the record as it stands (cw_casework_submit_source), in one batch, as
 * run_commands in src/cli/main.c does, against a small demo council in a
 * temporary log. The batch is then abandoned, so every input meets the same
 * record. Any line is accepted or refused with a message, never a crash.
 * CW_FUZZ_VERBOSE prints each refusal.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "casework/casework.h"
#include "ledger/entry.h"
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static cw_ledger *L;

static void close_log(void)
{
    cw_ledger_close(L);
    L = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char db[128];
    L = fuzz_log(db, sizeof db);
    atexit(close_log);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!L)
        LLVMFuzzerInitialize(NULL, NULL);
    cw_error err;
    uint64_t before = cw_ledger_size(L);
    if (cw_casework_begin(L, &err))
        fuzz_die("begin", &err);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        cw_event ev;
        cw_event_source src;
        json_t *holder = NULL;
        cw_rc rc = cw_entry_parse_command(p, len, "cli", &ev, &src, &holder, &err);
        if (!rc)
            rc = cw_casework_submit_source(L, &ev, &src, NULL, &err);
        json_decref(holder);
        if (rc && getenv("CW_FUZZ_VERBOSE"))
            fprintf(stderr, "refused: %s\n", err.msg);
        if (rc) {
            /* a refusal says what was wrong */
            if (!err.msg[0])
                abort();
            break;
        }
        p += len + 1;
    }
    cw_casework_abort(L);
    /* nothing of an abandoned batch stays */
    if (cw_ledger_size(L) != before)
        abort();
    return 0;
}
