/*
 * backup.h — caseward backup and caseward restore (issue 18, item 4; docs/operations.md).
 *
 * A backup is one file: a SQLite caseward database in rollback-journal mode holding the whole
 * database as of one moment (store.h, cw_store_snapshot): the log, its checkpoints, the
 * personal parts, the projections, and the accounts and API tokens, which the log does not
 * hold. The same format whichever backend it came from (a PostgreSQL database's backup is its
 * one REPEATABLE READ snapshot written as a SQLite file), so any backup restores to either.
 * The signing key is not in it: only when asked (with_key) is it copied beside it, OUT.key.
 *
 * Invariants:
 * - Nothing is ever under the final name half written: the backup is written to OUT.partial-
 *   XXXXXX (mode 0600 from its creation, exclusive), fsynced, its log verified, and then linked
 *   to OUT, which never replaces an existing file; the directory is fsynced after.
 * - Restore puts nothing in place before the copy that will be put in place has verified: the
 *   log (every hash, every signed checkpoint) and the read model rebuilt from it (deep verify).
 * - A file target is replaced only when asked (replace), never while another process has it
 *   open, and the database replaced stays, as PATH.before-restore-TIMESTAMP (mode 0600).
 * - Messages name files, sizes and entry indexes, never a row's content or a URI's password.
 */
#ifndef CW_CASEWORK_BACKUP_H
#define CW_CASEWORK_BACKUP_H

#include <stdint.h>

#include "ledger/hash.h"
#include "store/store.h"

typedef struct cw_backup_report {
    uint64_t size;             /* entries in the backup, verified */
    uint8_t root[CW_HASH_LEN]; /* its root */
    uint64_t checkpoints;      /* signed checkpoints verified */
    uint64_t accounts, tokens; /* rows of accounts and api_tokens in it */
    uint64_t bytes;            /* the backup file's size */
    int key_copied;            /* 1: the signing key was written to OUT.key */
} cw_backup_report;

/*
 * Writes the backup of the database db (a file or a PostgreSQL URI) to the new file out, while
 * servers and other writers carry on. With with_key, the signing key (cw_ledger_key_path of db)
 * is checked to be the log's and copied to out.key (mode 0600, never over a file). Refuses an
 * out (or out.key) that exists. On failure nothing is left under either name.
 */
cw_rc cw_casework_backup(const char *db, const char *out, int with_key, cw_backup_report *r,
                         cw_error *err);

typedef struct cw_restore_report {
    uint64_t size;             /* entries restored, verified */
    uint8_t root[CW_HASH_LEN]; /* their root */
    uint64_t checkpoints;      /* signed checkpoints verified */
    uint64_t model_rows;       /* read-model rows the deep verification compared */
    uint64_t accounts, tokens; /* rows of accounts and api_tokens restored */
    char before[4096];         /* the database replaced, kept under this name; "" if none */
    int key;                   /* 1: the key was copied from the backup's FROM.key;
                                  0: the target's key file held the log's key already;
                                  -1: no key: the log can be read and verified, not appended to */
    char key_path[4096];       /* where the restored log's key is (or is to go) */
} cw_restore_report;

/*
 * Restores the backup in the file from into to:
 *  - a file: from is copied beside to (a temporary name, mode 0600), fsynced and verified as
 *    `caseward verify --db` does (the log, then the read model: fn receives each differing
 *    row), then renamed to to. An existing to is refused unless replace; then it must not be
 *    open in another process (caseward serve), and it is kept as to.before-restore-TIMESTAMP.
 *  - a PostgreSQL URI: an empty database, filled as caseward migrate does (one transaction,
 *    verified before and after); replace is refused there (drop and recreate the database).
 * The key: from.key (a backup made with its key) goes to to's key file if that does not exist;
 * a key file there that holds another log's key is refused before anything is put in place.
 * A backup that does not verify: CW_EVERIFY, "the backup is damaged: ...; nothing was
 * restored".
 */
cw_rc cw_casework_restore(const char *from, const char *to, int replace, cw_store_diff_fn fn,
                          void *ctx, cw_restore_report *r, cw_error *err);

#endif
