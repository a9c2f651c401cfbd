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
 * - Nothing is ever under the final name half written: the backup is written in a private
 *   directory OUT.partial-XXXXXX (mkdtemp, 0700: no one else can swap the file for a link),
 *   into a file made there (mode 0600 from its creation, exclusive), fsynced, its log
 *   verified, and then linked to OUT, which never replaces an existing file; the directory is
 *   removed and OUT's fsynced after. Its SHA-256 goes to OUT.sha256: the log's verification
 *   does not cover the accounts and tokens, the digest kept apart does.
 * - Restore puts nothing in place before the copy that will be put in place has verified: the
 *   log (every hash, every signed checkpoint) and the read model rebuilt from it (deep verify).
 * - A file target is replaced only when asked (replace), never while another process has it
 *   open, never by another log's backup, never by an older one unless accept_loss (the log
 *   would fork), and the database replaced stays, as PATH.before-restore-TIMESTAMP[-N] (mode
 *   0600), a damaged one with its -wal, -shm and -journal.
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
    char sha256[65];           /* the backup file's SHA-256 (hex), also written to OUT.sha256 */
} cw_backup_report;

/*
 * Writes the backup of the database db (a file or a PostgreSQL URI) to the new file out, while
 * servers and other writers carry on. With with_key, the signing key (cw_ledger_key_path of db)
 * is checked to be the log's and copied to out.key (mode 0600, never over a file). The backup's
 * SHA-256 is written to out.sha256 (as sha256sum writes it; mode 0600). Refuses an out (or
 * out.key, out.sha256) that exists. On failure nothing is left under any of those names. The
 * copy is written in a private directory (mode 0700) beside out, out.partial-XXXXXX, then
 * linked to out; a backup killed half way leaves that directory, to delete.
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
    char sha256[65];           /* the backup file's SHA-256 (hex) */
    int sha256_checked;        /* 1: it is the one the operator gave (opts.sha256) */
    /* A database replaced (before[0] != 0): */
    uint64_t old_size; /* its latest checkpoint's size */
    uint64_t lost;     /* entries it had beyond the backup's (accept_loss) */
    char unread[512];  /* "" or why it could not be read, so was not compared */
    int moved;         /* 1: unreadable, moved aside with its -wal, -shm, -journal */
} cw_restore_report;

typedef struct cw_restore_opts {
    int replace;        /* an existing file target is replaced (kept as .before-restore-...) */
    int accept_loss;    /* ... even when it has entries the backup has not */
    const char *sha256; /* NULL, or the SHA-256 (hex) the backup file must have */
} cw_restore_opts;

/*
 * Restores the backup in the file from into to:
 *  - a file: from is copied beside to (a temporary name, mode 0600), fsynced and verified as
 *    `caseward verify --db` does (the log, then the read model: fn receives each differing
 *    row), then renamed to to. An existing to is refused unless replace; then it must not be
 *    open in another process (caseward serve), it must hold the same log (origin and verifier
 *    key, and the same root for the entries both have) with no more entries than the backup
 *    (unless accept_loss), and it is kept as
 *    to.before-restore-TIMESTAMP[-N]. One that cannot be read (damaged) is not compared: it is
 *    kept, with its -wal, -shm and -journal moved to the same name, and replaced.
 *  - from must be a backup, not a database in use: a -wal beside it, or WAL mode in its
 *    header, is refused. With opts->sha256, its SHA-256 must be that.
 *  - a PostgreSQL URI: an empty database, filled as caseward migrate does (one transaction,
 *    verified before and after); replace is refused there (drop and recreate the database).
 * The key: from.key (a backup made with its key) goes to to's key file if that does not exist;
 * a key file there that holds another log's key is refused before anything is put in place.
 * A backup that does not verify: CW_EVERIFY, "the backup is damaged: ...; nothing was
 * restored".
 */
cw_rc cw_casework_restore(const char *from, const char *to, const cw_restore_opts *opts,
                          cw_store_diff_fn fn, void *ctx, cw_restore_report *r, cw_error *err);

#endif
