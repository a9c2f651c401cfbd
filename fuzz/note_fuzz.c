/*
 * note_fuzz.c — checkpoints and verifier keys come from outside (an
 * inspector's pinned copies, an export): any bytes are parsed or refused.
 */
#include <stddef.h>
#include <stdint.h>

#include "ledger/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_error err;
    cw_note_verifier v;
    cw_checkpoint cp;
    size_t text_len;
    const char *s = (const char *)data;
    (void)cw_checkpoint_parse(s, size, &cp, &err);
    if (cw_note_verifier_parse(s, size, &v, &err) == CW_OK)
        (void)cw_note_open(&v, s, size, &text_len, &err);
    /* a fixed key against the input as a note */
    static const char vkey[] =
        "example.com/fuzz+8a8a8a8a+AQ4d6g4w5kC7aP1X8y7o1m3Z0VwF0yqR0bX4q3o1m3Z0";
    if (cw_note_verifier_parse(vkey, sizeof vkey - 1, &v, &err) == CW_OK)
        (void)cw_note_open(&v, s, size, &text_len, &err);
    return 0;
}
