/*
 * migrate.h — a council's log moved from its SQLite file into PostgreSQL (issue 15, item 5;
 * docs/postgres.md, "Moving from a file to PostgreSQL"): how a council moves when it
 * outgrows one file.
 *
 * The copy is the log itself, not a new log made from its events: every entry byte for byte
 * with its stored tree nodes, every signed checkpoint, the personal parts (held, or erased
 * with the entry that erased them), the log's settings, and the accounts and API tokens,
 * which the log does not hold (password and token hashes, sign-in counters), row for row.
 * The projections are then rebuilt from the copied log. The moved log therefore has the same
 * entries, tree, root and checkpoints, and the same signing key.
 */
#ifndef CW_CASEWORK_MIGRATE_H
#define CW_CASEWORK_MIGRATE_H

#include <stdint.h>

#include "ledger/hash.h"
#include "store/store.h"

typedef struct cw_migrate_report {
    uint64_t size;                /* entries copied: the file's size, as verified */
    uint8_t root[CW_HASH_LEN];    /* the file's root, as verified */
    uint64_t to_size;             /* the database's size, as verified after the copy */
    uint8_t to_root[CW_HASH_LEN]; /* the database's root, as verified after the copy */
    uint64_t checkpoints;         /* signed checkpoints copied */
    uint64_t held, erased;        /* personal parts copied: held, and erased */
    uint64_t accounts, tokens;    /* rows of accounts and api_tokens copied */
    uint64_t model_rows;          /* read-model rows the database's deep verify compared */
    int key_written; /* 1: the key file was made; 0: it held the key already; -1: no key copied
                        (cw_casework_migrate_as restoring a backup made without its key) */
    int committed;   /* 1 once the copy is committed (then it stays) */
} cw_migrate_report;

/*
 * Moves the log in the SQLite file `from` into the empty PostgreSQL database `to` (a URI),
 * its signing key from `from`.key into the file CASEWARD_KEY_FILE names:
 *
 *  1. Refuses (CW_EUSAGE, naming the problem) a `from` that is not a file holding a log, a
 *     `to` that is not a postgresql:// URI, CASEWARD_KEY_FILE unset, a database that holds a
 *     log already, and a key file there that holds another key. `from`.key must be the log's
 *     key (its public half the log's vkey).
 *  2. Verifies the file as `caseward verify --db` does (the log, then the read model; fn
 *     receives each differing row) and refuses one that does not verify; the copy is of
 *     exactly what was verified (a file that grew meanwhile is refused).
 *  3. In ONE transaction on the database: its schema (CW_STORE_CREATE_UNCOMMITTED), the
 *     settings (origin, vkey, created_at, rule_pack), entries, checkpoints, personal parts,
 *     accounts, tokens, each streamed from the file; the projections replayed from the copied
 *     log; the latest checkpoint compared byte for byte with the file's. The key file is
 *     written (0600, never over another file) just before the commit and removed if the
 *     commit fails: a failure before the commit leaves the database as it was and no key
 *     file made.
 *  4. After the commit, verifies the database as `caseward verify --db` does, with the file's
 *     verifier key pinned and its latest checkpoint held to, and checks that size and root
 *     are the file's. A failure then (r->committed is 1) leaves the copy committed: the
 *     message says to drop and recreate the database.
 *
 * Nothing printed or put in err holds personal data or a URI's password.
 */
cw_rc cw_casework_migrate(const char *from, const char *to, cw_store_diff_fn fn, void *ctx,
                          cw_migrate_report *r, cw_error *err);

/*
 * cw_casework_migrate, or with restore set, caseward restore of a backup (backup.h) into an
 * empty PostgreSQL database: the signing key is copied only if from.key exists (a backup made
 * with --with-key); otherwise CASEWARD_KEY_FILE is neither needed nor touched (key_written -1).
 * A backup that does not verify is "the backup is damaged: ...; nothing was restored".
 */
cw_rc cw_casework_migrate_as(const char *from, const char *to, int restore, cw_store_diff_fn fn,
                             void *ctx, cw_migrate_report *r, cw_error *err);

#endif
