/*
 * verify.h — independent verification of a caseward log, from its database
 * or from an export directory.
 *
 * Recomputes every leaf hash from the stored bytes and every interior node
 * from its children, checks every stored checkpoint's signature and root,
 * and, given a pinned verifier key and an older checkpoint an outsider kept,
 * proves the log still contains that checkpoint (RFC 9162 consistency).
 * Without a pinned key it trusts the key stored with the log and says so.
 */
#ifndef CW_LEDGER_VERIFY_H
#define CW_LEDGER_VERIFY_H

#include <stdint.h>

#include "ledger/hash.h"
#include "ledger/note.h"

typedef struct cw_verify_opts {
    const char *db_path;    /* verify a database, or ... */
    const char *dir;        /* ... an export directory */
    const char *vkey;       /* pinned verifier key text, or NULL for the log's own */
    const char *checkpoint; /* an older signed checkpoint to hold the log to, or NULL */
    size_t checkpoint_len;
} cw_verify_opts;

typedef struct cw_verify_report {
    uint64_t size;                   /* entries verified */
    uint8_t root[CW_HASH_LEN];       /* root of the whole log */
    uint64_t checkpoints;            /* signed checkpoints verified */
    int key_pinned;                  /* 1 if the caller's key was used */
    char key[CW_NOTE_NAME_MAX + 64]; /* the verifier key used (vkey text) */
    uint64_t pinned_size;            /* size of the pinned checkpoint, if any */
} cw_verify_report;

/* CW_OK if the log verifies; CW_EVERIFY with what and where if not. */
cw_rc cw_verify(const cw_verify_opts *opts, cw_verify_report *report, cw_error *err);

#endif
