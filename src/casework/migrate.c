/*
 * migrate.c — a log moved from its SQLite file into PostgreSQL (migrate.h).
 *
 * Invariants:
 * - Nothing is written to the database before the source has verified, and nothing is
 *   committed before every row is copied, the projections are rebuilt and the latest
 *   checkpoint is the file's byte for byte: one transaction holds the schema and all of it.
 * - The source is read in one read transaction, checked to be exactly the log verified,
 *   and streamed row by row into the database (never held in memory).
 * - The key file is made only by this call, whole (cw_file_write_atomic, exclusive), and
 *   removed again if the commit does not happen; an existing one is never changed.
 * - Messages name files, tables, indexes and sizes, never a row's content; the database is
 *   never named (its URI may hold a password): the caller shows it (cw_store_display_name).
 */
#include "casework/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casework/casework.h"
#include "casework/casework_int.h"
#include "casework/deepverify.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/file.h"

#define KEY_FILE_MAX 4096

/* The settings of the log that are copied; PostgreSQL's schema_version is init's own. */
static const struct {
    const char *key;
    int optional; /* a log made before it existed has none (rule_pack: wales by default; la_code:
                     the returns ask for --la) */
} settings[] = {{"origin", 0}, {"vkey", 0}, {"created_at", 0}, {"rule_pack", 1}, {"la_code", 1}};

typedef struct copy {
    cw_store *to;
    cw_error *err;
    uint64_t next; /* the entry index expected next */
    uint64_t rows;
    uint64_t held, erased;
} copy;

static cw_rc copy_entry(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                        const uint8_t *leaf, size_t llen)
{
    copy *c = ctx;
    if (idx < 0 || (uint64_t)idx != c->next)
        return cw_error_set(c->err, CW_EVERIFY, "the file has no entry %" PRIu64, c->next);
    c->next++;
    return cw_store_entry_put(c->to, (uint64_t)idx, hashes, hlen, leaf, llen, c->err);
}

static cw_rc copy_checkpoint(void *ctx, int64_t size, const char *note, size_t len)
{
    copy *c = ctx;
    c->rows++;
    return cw_store_checkpoint_put(c->to, (uint64_t)size, note, len, c->err);
}

/* A held part as it is; an erased one as the store makes one: stored, then erased, naming
 * the same erasure entry (the schema allows no other way to an erased row). */
static cw_rc copy_personal(void *ctx, uint64_t idx, const uint8_t *salt, size_t salt_len,
                           const uint8_t *body, size_t body_len, uint64_t erased_idx)
{
    copy *c = ctx;
    if (salt && body) {
        c->held++;
        return cw_store_personal_put(c->to, idx, salt, salt_len, body, body_len, c->err);
    }
    c->erased++;
    cw_rc rc = cw_store_personal_put(c->to, idx, NULL, 0, NULL, 0, c->err);
    return rc ? rc : cw_store_personal_erase(c->to, idx, erased_idx, c->err);
}

typedef struct copy_rows {
    copy *c;
    cw_query put;
    size_t ncols;
    const char *table;
} copy_rows;

/* A row of accounts or api_tokens, every column as it is. */
static cw_rc copy_row(void *ctx, const cw_value *cols, size_t n)
{
    copy_rows *cr = ctx;
    if (n != cr->ncols)
        return cw_error_set(cr->c->err, CW_EDB, "%s: a row has %zu columns, not %zu", cr->table, n,
                            cr->ncols);
    cr->c->rows++;
    return cw_store_run(cr->c->to, cr->put, cols, n, NULL, NULL, NULL, cr->c->err);
}

/* A piece of a key file, added to the buffer (ctx) if it fits. */
static cw_rc key_piece(void *ctx, const void *data, size_t len, cw_error *err)
{
    (void)err;
    return cw_buf_add(ctx, data, len) ? CW_ETOOBIG : CW_OK;
}

/* Reads a whole key file into out (KEY_FILE_MAX at most; the caller wipes it), with one
 * descriptor and no stdio buffer, never through a symbolic link, as the ledger reads it. */
cw_rc cw_casework_key_read(const char *path, cw_buf *out, cw_error *err)
{
    char chunk[512];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                            strerror(errno));
    cw_rc rc = cw_file_read_fd(fd, path, chunk, sizeof chunk, key_piece, out, err);
    if (rc == CW_ETOOBIG)
        cw_error_set(err, CW_ETOOBIG, "%s: too large to be a signing key", path);
    sodium_memzero(chunk, sizeof chunk);
    close(fd);
    return rc;
}

void cw_casework_key_wipe(cw_buf *b)
{
    if (b->data)
        sodium_memzero(b->data, b->len);
    cw_buf_release(b);
}

/* The checks that need no database: the two names, the key files. *same_key: the key file
 * at to_key holds the file's key already. */
static cw_rc check_args(const char *from, const char *to, int restore, cw_buf *from_key,
                        cw_buf *to_key, cw_buf *key, int *same_key, cw_error *err)
{
    struct stat st;
    if (!from || !*from)
        return cw_error_set(err, CW_EUSAGE, "--from is required: the log's file");
    if (cw_store_is_uri(from))
        return cw_error_set(err, CW_EUSAGE,
                            "--from: give the log's file; a log in PostgreSQL is moved with "
                            "PostgreSQL's own tools (pg_dump)");
    if (stat(from, &st) != 0)
        return cw_error_set(err, CW_EUSAGE, "--from %s: %s", from, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cw_error_set(err, CW_EUSAGE, "--from %s: not a file", from);
    if (!to || !*to)
        return cw_error_set(err, CW_EUSAGE, "%s is required: the database's URI",
                            restore ? "--db" : "--to");
    if (!cw_store_is_uri(to))
        return cw_error_set(err, CW_EUSAGE,
                            "%s: give a PostgreSQL URI (postgresql://...); a log is moved "
                            "from a file into PostgreSQL, not into another file",
                            restore ? "--db" : "--to");
    cw_rc rc;
    *same_key = 0;
    if ((rc = cw_ledger_key_path(from, from_key, err)))
        return rc;
    /* A backup without its key (restore): the key is the operator's to put in place. */
    if (restore && lstat(from_key->data, &st) != 0 && errno == ENOENT)
        return CW_OK;
    if ((rc = cw_ledger_key_path(to, to_key, err)))
        return rc;
    if ((rc = cw_casework_key_read(from_key->data, key, err))) {
        cw_error_prefix(err, "the log's signing key: ");
        return rc;
    }
    if (lstat(to_key->data, &st) != 0) {
        if (errno != ENOENT)
            return cw_error_set(err, CW_EIO, "%s: %s", to_key->data, strerror(errno));
        return CW_OK;
    }
    cw_buf there = CW_BUF_INIT(KEY_FILE_MAX);
    if (S_ISREG(st.st_mode) && !cw_casework_key_read(to_key->data, &there, NULL) &&
        there.len == key->len && sodium_memcmp(there.data, key->data, key->len) == 0)
        *same_key = 1;
    cw_casework_key_wipe(&there);
    if (!*same_key)
        return cw_error_set(err, CW_EUSAGE,
                            CW_LEDGER_KEY_ENV " names %s, which exists and does not hold this "
                                              "log's key (%s); refusing to overwrite it",
                            to_key->data, from_key->data);
    return CW_OK;
}

/* The key file must be the log's: its public half is the vkey in the log's settings. */
cw_rc cw_casework_key_check(cw_store *s, const char *path, const cw_buf *key, cw_error *err)
{
    cw_buf vkey = CW_BUF_INIT(1024);
    cw_note_verifier v;
    cw_note_signer signer;
    memset(&signer, 0, sizeof signer);
    cw_rc rc = cw_store_meta_get(s, "vkey", &vkey, err);
    if (!rc && (rc = cw_note_verifier_parse(vkey.data, vkey.len, &v, err)))
        cw_error_prefix(err, "the log's vkey: ");
    else if (!rc && (rc = cw_note_signer_parse(key->data, key->len, &signer, err)))
        cw_error_prefix(err, "%s: ", path);
    else if (!rc &&
             (strcmp(signer.v.name, v.name) || memcmp(signer.v.public_key, v.public_key, 32)))
        rc = cw_error_set(err, CW_EVERIFY,
                          "%s: this signing key is not the log's key (the log's vkey differs); "
                          "nothing was copied",
                          path);
    cw_note_signer_release(&signer);
    cw_buf_release(&vkey);
    return rc;
}

/* `caseward verify --db` of db: the log (with vkey and checkpoint pinned, if given), then
 * the read model. */
static cw_rc verify_db(const char *db, const cw_buf *vkey, const cw_buf *checkpoint,
                       cw_store_diff_fn fn, void *ctx, cw_verify_report *vr, uint64_t *rows,
                       cw_error *err)
{
    cw_verify_opts o = {0};
    cw_deep_report dr;
    o.db_path = db;
    if (vkey) {
        o.vkey = vkey->data;
    }
    if (checkpoint) {
        o.checkpoint = checkpoint->data;
        o.checkpoint_len = checkpoint->len;
    }
    cw_rc rc = cw_verify(&o, vr, err);
    if (!rc && !(rc = cw_casework_deep_verify(db, fn, ctx, &dr, err)))
        *rows = dr.rows;
    return rc;
}

/* Everything copied, in the database's open transaction, from the file's read transaction. */
static cw_rc copy_all(cw_store *src, cw_store *dst, uint64_t size, cw_migrate_report *r,
                      cw_error *err)
{
    cw_buf val = CW_BUF_INIT(8192);
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++) {
        cw_buf_reset(&val);
        rc = cw_store_meta_get(src, settings[i].key, &val, err);
        if (rc == CW_ENOTFOUND && settings[i].optional)
            rc = CW_OK;
        else if (!rc)
            rc = cw_store_meta_put(dst, settings[i].key, val.data ? val.data : "", err);
    }
    cw_buf_release(&val);
    if (rc)
        return rc;

    copy c = {dst, err, 0, 0, 0, 0};
    if ((rc = cw_store_entry_scan(src, 0, (int64_t)size, copy_entry, &c, err)))
        return rc;
    if (c.next != size)
        return cw_error_set(err, CW_EVERIFY, "the file has no entry %" PRIu64, c.next);
    if ((rc = cw_store_checkpoint_scan(src, 0, INT64_MAX, copy_checkpoint, &c, err)))
        return rc;
    r->checkpoints = c.rows;
    if ((rc = cw_store_personal_scan(src, copy_personal, &c, err)))
        return rc;
    r->held = c.held;
    r->erased = c.erased;

    copy_rows accounts = {&c, CW_Q_ACCOUNT_COPY, 11, "accounts"};
    c.rows = 0;
    if ((rc = cw_store_run(src, CW_Q_ACCOUNTS_ALL, NULL, 0, copy_row, &accounts, NULL, err)))
        return rc;
    r->accounts = c.rows;
    copy_rows tokens = {&c, CW_Q_TOKEN_COPY, 6, "api_tokens"};
    c.rows = 0;
    if ((rc = cw_store_run(src, CW_Q_TOKENS_ALL, NULL, 0, copy_row, &tokens, NULL, err)))
        return rc;
    r->tokens = c.rows;
    r->size = size;
    /* The projections, from the copied log (the personal parts as copied). */
    return cw_casework_replay(dst, 0, size, err);
}

/* The latest checkpoint of s, whole; its size in *size. */
static cw_rc latest(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err)
{
    cw_rc rc = cw_store_checkpoint_latest(s, note, size, err);
    if (rc == CW_ENOTFOUND)
        rc = cw_error_set(err, CW_EVERIFY, "the log has no checkpoint");
    return rc;
}

cw_rc cw_casework_migrate(const char *from, const char *to, cw_store_diff_fn fn, void *ctx,
                          cw_migrate_report *r, cw_error *err)
{
    return cw_casework_migrate_as(from, to, 0, fn, ctx, r, err);
}

cw_rc cw_casework_migrate_as(const char *from, const char *to, int restore, cw_store_diff_fn fn,
                             void *ctx, cw_migrate_report *r, cw_error *err)
{
    cw_buf from_key = CW_BUF_INIT(4096), to_key = CW_BUF_INIT(4096);
    cw_buf key = CW_BUF_INIT(KEY_FILE_MAX), vkey = CW_BUF_INIT(1024);
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), copied = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_store *src = NULL, *dst = NULL;
    cw_verify_report vr;
    uint64_t rows = 0, end = 0, cp_size = 0;
    int same_key = 0, made_key = 0;
    memset(r, 0, sizeof *r);

    cw_rc rc = check_args(from, to, restore, &from_key, &to_key, &key, &same_key, err);
    if (rc)
        goto out;
    if ((rc = cw_store_open(from, CW_STORE_READONLY, &src, err))) {
        cw_error_prefix(err, "--from: "); /* not a caseward log, or one to upgrade first */
        rc = CW_EUSAGE;
        goto out;
    }
    if ((key.len && (rc = cw_casework_key_check(src, from_key.data, &key, err))) ||
        (rc = cw_store_meta_get(src, "vkey", &vkey, err)))
        goto out;

    /* The schema, in a transaction left open: refused here if a log is there already. */
    if ((rc = cw_store_open(to, CW_STORE_CREATE | CW_STORE_CREATE_UNCOMMITTED, &dst, err))) {
        if (rc == CW_EEXIST)
            rc = cw_error_set(err, CW_EUSAGE,
                              "%s: the database already holds a caseward log; refusing to "
                              "overwrite it (%s needs an empty database)",
                              restore ? "--db" : "--to", restore ? "restore" : "migrate");
        else
            cw_error_prefix(err, "%s: ", restore ? "--db" : "--to");
        goto out;
    }

    /* The source verified first, as caseward verify --db does. */
    if ((rc = verify_db(from, NULL, NULL, fn, ctx, &vr, &rows, err))) {
        if (restore)
            cw_casework_backup_damaged(err);
        else
            cw_error_prefix(err, "%s does not verify, so nothing was copied: ", from);
        goto out;
    }
    memcpy(r->root, vr.root, CW_HASH_LEN);

    /* One snapshot of the file, which must be the log just verified. */
    if ((rc = cw_store_begin_read(src, err)) || (rc = cw_store_entries_end(src, &end, err)) ||
        (rc = latest(src, &note, &cp_size, err)))
        goto out;
    if (end != vr.size || cp_size != vr.size) {
        rc = cw_error_set(err, CW_EBUSY,
                          "%s changed while it was verified (%" PRIu64 " entries, then %" PRIu64
                          "): stop every process writing to it (caseward serve) and run migrate "
                          "again; nothing was copied",
                          from, vr.size, end);
        goto out;
    }
    if ((rc = copy_all(src, dst, vr.size, r, err))) {
        cw_error_prefix(err, "copying: ");
        goto out;
    }
    /* The copy's latest checkpoint is the file's, byte for byte, before anything is kept. */
    if ((rc = latest(dst, &copied, &cp_size, err)))
        goto out;
    if (copied.len != note.len || memcmp(copied.data, note.data, note.len) != 0) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the copy's latest checkpoint is not the file's; nothing was copied");
        goto out;
    }
    cw_store_rollback(src);

    if (key.len && !same_key) {
        if ((rc = cw_file_write_atomic(to_key.data, key.data, key.len, 0600, 1, err)))
            goto out;
        made_key = 1;
    }
    if ((rc = cw_store_commit(dst, err)))
        goto out;
    r->committed = 1;
    r->key_written = key.len ? made_key : -1;
    cw_store_close(dst);
    dst = NULL;

    /* The copy verified as caseward verify --db would, held to the file's key and checkpoint. */
    if ((rc = verify_db(to, &vkey, &note, fn, ctx, &vr, &r->model_rows, err)))
        goto out;
    r->to_size = vr.size;
    memcpy(r->to_root, vr.root, CW_HASH_LEN);
    if (r->to_size != r->size || memcmp(r->to_root, r->root, CW_HASH_LEN) != 0)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the copy has %" PRIu64 " entries and another root than the file's "
                          "%" PRIu64,
                          r->to_size, r->size);
out:
    if (rc && r->committed)
        cw_error_prefix(err, "the copy was committed but does not verify; drop and recreate the "
                             "database before running migrate again (the key file may stay): ");
    if (dst) { /* not committed: the schema goes with the rest */
        cw_store_rollback(dst);
        cw_store_close(dst);
    }
    if (rc && made_key && !r->committed)
        unlink(to_key.data);
    if (src) {
        cw_store_rollback(src);
        cw_store_close(src);
    }
    cw_casework_key_wipe(&key);
    cw_buf_release(&from_key);
    cw_buf_release(&to_key);
    cw_buf_release(&vkey);
    cw_buf_release(&note);
    cw_buf_release(&copied);
    return rc;
}
