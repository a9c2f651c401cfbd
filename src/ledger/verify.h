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
    /* Personal parts (issue 13): leaves that commit to one; of a directory, whether it holds
     * personal.jsonl (a facts-only export does not), and the parts held and erased there. */
    uint64_t commitments;
    int personal_file;
    uint64_t personal_held, personal_erased;
} cw_verify_report;

/* CW_OK if the log verifies; CW_EVERIFY with what and where if not. */
cw_rc cw_verify(const cw_verify_opts *opts, cw_verify_report *report, cw_error *err);

/*
 * The log watched while a server appends to it. cw_integrity_open verifies
 * the whole database as cw_verify does and remembers the verified tree (its
 * size and compact range). cw_integrity_check then verifies only what was
 * appended since: each new entry's bytes re-hashed against its stored leaf
 * hash and its stored nodes recomputed, the tree extended from the verified
 * one (so the new root is consistent with the old by construction), the
 * latest checkpoint's signature, size and root, the root over the stored
 * nodes, and the checkpoint verified last still stored unchanged. It also
 * reads the database's schema version: a change (an insert-only trigger
 * dropped, say) means the structure check and a whole re-verification; so
 * does full, which the caller sets when another process has written to a
 * SQLite database (store.h, cw_store_versions), since there rows can be changed
 * without a schema change by a connection that turns triggers off.
 * Messages name entry indexes, sizes and objects, never an entry's content.
 */
typedef struct cw_integrity cw_integrity;
cw_rc cw_integrity_open(const char *db_path, cw_integrity **out, cw_error *err);
cw_rc cw_integrity_check(cw_integrity *m, int full, cw_error *err);
/* Only what was appended, without reading the schema version: after the caller's own write,
 * whose cw_integrity_check before it read the version (a change since is found by the next). */
cw_rc cw_integrity_check_appended(cw_integrity *m, cw_error *err);
/* The size verified so far. */
uint64_t cw_integrity_size(const cw_integrity *m);
void cw_integrity_free(cw_integrity *m);

#endif
