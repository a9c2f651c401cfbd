/*
 * backup.c — caseward backup and caseward restore (backup.h).
 *
 * Backup: the store writes the snapshot (cw_store_snapshot) into a new private file beside the
 * final name; it is fsynced and its log verified (every hash, every signed checkpoint) before
 * it is linked to the final name, which link() never replaces. Restore into a file: the backup
 * is copied beside the target, fsynced, and that copy, the bytes that will be put in place, is
 * verified, the log and the read model, before rename() puts it there. Restore into
 * PostgreSQL is caseward migrate's copy (migrate.c), which verifies the same way.
 */
#include "casework/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casework/casework_int.h"
#include "casework/deepverify.h"
#include "casework/migrate.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/file.h"

#define PATH_MAX_LEN 4096

void cw_casework_backup_damaged(cw_error *err)
{
    char msg[CW_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->msg);
    cw_error_set(err, CW_EVERIFY, "the backup is damaged: %s; nothing was restored", msg);
}

/* A new, empty private file beside path: path.WHAT-XXXXXX, mode 0600 from its creation. */
static cw_rc temp_beside(const char *path, const char *what, cw_buf *tmp, cw_error *err)
{
    if (cw_buf_addf(tmp, "%s.%s-XXXXXX", path, what))
        return cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", path);
    int fd = mkstemp(tmp->data); /* O_CREAT | O_EXCL, mode 0600 */
    if (fd < 0) {
        cw_rc rc = cw_error_set(err, CW_EIO, "%s: cannot create a file beside it: %s", path,
                                strerror(errno));
        cw_buf_release(tmp);
        return rc;
    }
    close(fd);
    return CW_OK;
}

/* fsync of a whole file, by name. */
static cw_rc sync_file(const char *path, cw_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cw_rc rc = CW_OK;
    if (fd < 0 || fsync(fd) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: cannot sync it to disk: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Puts tmp under the name path, never over a file there: link, then unlink the temporary. */
static cw_rc publish(const char *tmp, const char *path, cw_error *err)
{
    if (link(tmp, path) != 0)
        return cw_error_set(err, errno == EEXIST ? CW_EEXIST : CW_EIO, "%s: %s", path,
                            errno == EEXIST ? "appeared meanwhile; refusing to overwrite it"
                                            : strerror(errno));
    unlink(tmp);
    return cw_file_sync_dir(path, err);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 || errno != ENOENT;
}

static cw_rc count_row(void *ctx, const cw_value *cols, size_t n)
{
    (void)cols, (void)n;
    (*(uint64_t *)ctx)++;
    return CW_OK;
}

/* The rows of accounts and api_tokens in the database file at path. */
static cw_rc count_accounts(const char *path, uint64_t *accounts, uint64_t *tokens, cw_error *err)
{
    cw_store *s = NULL;
    *accounts = *tokens = 0;
    cw_rc rc = cw_store_open(path, CW_STORE_READONLY | CW_STORE_NO_MMAP, &s, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_ACCOUNTS_ALL, NULL, 0, count_row, accounts, NULL, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_TOKENS_ALL, NULL, 0, count_row, tokens, NULL, err);
    cw_store_close(s);
    return rc;
}

/* The signing key of db read and checked to be the log's (the caller wipes key). */
static cw_rc source_key(const char *db, cw_buf *key_path, cw_buf *key, cw_error *err)
{
    cw_store *s = NULL;
    cw_rc rc = cw_ledger_key_path(db, key_path, err);
    if (!rc && (rc = cw_casework_key_read(key_path->data, key, err)))
        cw_error_prefix(err, "--with-key: ");
    if (!rc)
        rc = cw_store_open(db, CW_STORE_READONLY | CW_STORE_NO_MMAP, &s, err);
    if (!rc)
        rc = cw_casework_key_check(s, key_path->data, key, err);
    cw_store_close(s);
    return rc;
}

cw_rc cw_casework_backup(const char *db, const char *out, int with_key, cw_backup_report *r,
                         cw_error *err)
{
    cw_buf tmp = CW_BUF_INIT(PATH_MAX_LEN + 32), out_key = CW_BUF_INIT(PATH_MAX_LEN + 8);
    cw_buf key_path = CW_BUF_INIT(PATH_MAX_LEN), key = CW_BUF_INIT(4096);
    cw_store *src = NULL;
    int made_key = 0;
    struct stat st;
    cw_rc rc = CW_OK;
    memset(r, 0, sizeof *r);
    if (!out || !*out)
        return cw_error_set(err, CW_EUSAGE, "--out is required: the backup file to write");
    if (cw_store_is_uri(out))
        return cw_error_set(err, CW_EUSAGE,
                            "--out: give a file; a backup is always a file, which caseward "
                            "restore puts into a file or a PostgreSQL database");
    if (exists(out))
        return cw_error_set(err, CW_EEXIST,
                            "%s already exists; refusing to overwrite it (a backup is never "
                            "overwritten: give a new name)",
                            out);
    if (cw_buf_addf(&out_key, "%s.key", out))
        return cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", out);
    if (with_key && exists(out_key.data)) {
        rc = cw_error_set(err, CW_EEXIST, "%s already exists; refusing to overwrite it",
                          out_key.data);
        goto out;
    }
    if (with_key && (rc = source_key(db, &key_path, &key, err)))
        goto out;
    if ((rc = cw_store_open(db, CW_STORE_READONLY | CW_STORE_NO_MMAP, &src, err)) ||
        (rc = temp_beside(out, "partial", &tmp, err)))
        goto out;
    if ((rc = cw_store_snapshot(src, tmp.data, err)))
        goto out;
    cw_store_close(src);
    src = NULL;
    if ((rc = sync_file(tmp.data, err)))
        goto out;

    /* The copy's log verified before it has the final name. */
    cw_verify_opts o = {0};
    cw_verify_report vr;
    o.db_path = tmp.data;
    if ((rc = cw_verify(&o, &vr, err))) {
        cw_error_prefix(err, "the copy does not verify, so no backup was written: ");
        goto out;
    }
    r->size = vr.size;
    r->checkpoints = vr.checkpoints;
    memcpy(r->root, vr.root, CW_HASH_LEN);
    if ((rc = count_accounts(tmp.data, &r->accounts, &r->tokens, err)))
        goto out;
    if (stat(tmp.data, &st) == 0)
        r->bytes = (uint64_t)st.st_size;
    if (with_key) {
        if ((rc = cw_file_write_atomic(out_key.data, key.data, key.len, 0600, 1, err)))
            goto out;
        made_key = 1;
    }
    if ((rc = publish(tmp.data, out, err)))
        goto out;
    r->key_copied = made_key;
out:
    cw_store_close(src);
    if (tmp.data && exists(tmp.data))
        unlink(tmp.data);
    if (rc && made_key)
        unlink(out_key.data);
    cw_casework_key_wipe(&key);
    cw_buf_release(&tmp);
    cw_buf_release(&out_key);
    cw_buf_release(&key_path);
    return rc;
}

/* Copies the file from into the (empty, private) file to, and fsyncs it. */
static cw_rc copy_file(const char *from, const char *to, cw_error *err)
{
    char chunk[1 << 16];
    cw_rc rc = CW_OK;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return cw_error_set(err, CW_EIO, "%s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (out < 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", to, strerror(errno));
        close(in);
        return rc;
    }
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = cw_error_set(err, CW_EIO, "%s: %s", from, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, chunk + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = cw_error_set(err, CW_EIO, "%s: %s", to, strerror(errno));
                break;
            }
            done += w;
        }
        if (rc)
            break;
    }
    if (!rc && fsync(out) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: cannot sync it to disk: %s", to, strerror(errno));
    if (close(out) != 0 && !rc)
        rc = cw_error_set(err, CW_EIO, "%s: %s", to, strerror(errno));
    close(in);
    return rc;
}

/* err's message with the temporary copy's name tmp written as the backup's, from. */
static void name_backup(cw_error *err, const char *tmp, const char *from)
{
    char msg[CW_ERROR_MSG_MAX];
    const char *at = strstr(err->msg, tmp);
    if (!at)
        return;
    snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - err->msg), err->msg, from, at + strlen(tmp));
    memcpy(err->msg, msg, sizeof msg);
}

/* The restored copy tmp verified: the log, then the read model rebuilt from it. */
static cw_rc verify_copy(const char *tmp, const char *from, cw_store_diff_fn fn, void *ctx,
                         cw_restore_report *r, cw_error *err)
{
    cw_verify_opts o = {0};
    cw_verify_report vr;
    cw_deep_report dr;
    o.db_path = tmp;
    cw_rc rc = cw_verify(&o, &vr, err);
    if (!rc)
        rc = cw_casework_deep_verify(tmp, fn, ctx, &dr, err);
    if (rc) {
        name_backup(err, tmp, from);
        if (rc != CW_EVERIFY && rc != CW_EDB)
            return rc; /* out of memory, disk: not the backup's fault */
        cw_casework_backup_damaged(err);
        return CW_EVERIFY;
    }
    r->size = vr.size;
    r->checkpoints = vr.checkpoints;
    memcpy(r->root, vr.root, CW_HASH_LEN);
    r->model_rows = dr.rows;
    return CW_OK;
}

/*
 * The key for the restored log: *copy set if from.key (a backup made with its key) is to be
 * written to r->key_path; refused if a key file there holds another key. key is from.key's.
 */
static cw_rc plan_key(const char *from, const char *tmp, const char *to, cw_buf *key, int *copy,
                      cw_restore_report *r, cw_error *err)
{
    cw_buf from_key = CW_BUF_INIT(PATH_MAX_LEN + 8), there = CW_BUF_INIT(4096),
           to_key = CW_BUF_INIT(PATH_MAX_LEN);
    cw_store *s = NULL;
    *copy = 0;
    cw_rc rc = cw_ledger_key_path(to, &to_key, err);
    if (!rc && cw_buf_addf(&from_key, "%s.key", from))
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", from);
    if (!rc)
        rc = cw_store_open(tmp, CW_STORE_READONLY | CW_STORE_NO_MMAP, &s, err);
    if (rc)
        goto out;
    snprintf(r->key_path, sizeof r->key_path, "%s", to_key.data);
    if (exists(to_key.data)) {
        if ((rc = cw_casework_key_read(to_key.data, &there, err)) ||
            (rc = cw_casework_key_check(s, to_key.data, &there, err))) {
            cw_error_prefix(err, "nothing was restored: ");
            goto out;
        }
        r->key = 0;
    } else if (exists(from_key.data)) {
        if ((rc = cw_casework_key_read(from_key.data, key, err)) ||
            (rc = cw_casework_key_check(s, from_key.data, key, err))) {
            cw_error_prefix(err, "nothing was restored: ");
            goto out;
        }
        *copy = 1;
        r->key = 1;
    } else
        r->key = -1;
out:
    cw_store_close(s);
    cw_casework_key_wipe(&there);
    cw_buf_release(&from_key);
    cw_buf_release(&to_key);
    return rc;
}

/*
 * The database file to, about to be replaced: no other process may have it open, and what its
 * -wal holds goes into the file first (the last connection's close does it and removes the
 * -wal), so that the file kept is whole and no -wal is left to be read with the new file.
 */
static cw_rc retire(const char *to, cw_restore_report *r, cw_error *err)
{
    int busy = 0;
    struct stat st;
    cw_buf wal = CW_BUF_INIT(PATH_MAX_LEN + 8);
    cw_rc rc = cw_store_file_in_use(to, &busy, err);
    if (!rc && busy)
        rc = cw_error_set(err, CW_EBUSY,
                          "%s is open in another process (caseward serve?): stop it first; "
                          "nothing was restored",
                          to);
    if (rc)
        goto out;
    if (lstat(to, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = cw_error_set(err, CW_EUSAGE, "%s: not a database file; nothing was restored", to);
        goto out;
    }
    cw_store *s = NULL; /* a writer's open and close: the -wal is checkpointed and removed */
    if ((rc = cw_store_open(to, 0, &s, err))) {
        cw_error_prefix(err, "the database to replace: ");
        goto out;
    }
    cw_store_close(s);
    if (cw_buf_addf(&wal, "%s-wal", to)) {
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", to);
        goto out;
    }
    if (exists(wal.data)) {
        rc = cw_error_set(err, CW_EBUSY,
                          "%s is open in another process (its -wal file stays): stop it first; "
                          "nothing was restored",
                          to);
        goto out;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    if ((size_t)snprintf(r->before, sizeof r->before, "%s.before-restore-%s", to, stamp) >=
        sizeof r->before) {
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", to);
        goto out;
    }
    /* A second name for the old file; the rename that follows replaces only the first. */
    if (link(to, r->before) != 0 || chmod(r->before, 0600) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: %s; nothing was restored", r->before, strerror(errno));
out:
    if (rc)
        r->before[0] = '\0';
    cw_buf_release(&wal);
    return rc;
}

static cw_rc restore_file(const char *from, const char *to, int replace, cw_store_diff_fn fn,
                          void *ctx, cw_restore_report *r, cw_error *err)
{
    cw_buf tmp = CW_BUF_INIT(PATH_MAX_LEN + 32), key = CW_BUF_INIT(4096);
    int copy_key = 0, made_key = 0, there = exists(to);
    cw_rc rc = CW_OK;
    if (there && !replace)
        return cw_error_set(err, CW_EEXIST,
                            "%s already exists; refusing to replace it (give --replace to put "
                            "the backup in its place and keep it as %s.before-restore-TIME); "
                            "nothing was restored",
                            to, to);
    /* A -wal left from an earlier database of that name would be read into the new one. */
    if (!there) {
        cw_buf wal = CW_BUF_INIT(PATH_MAX_LEN + 8);
        int stale = !cw_buf_addf(&wal, "%s-wal", to) && exists(wal.data);
        cw_buf_release(&wal);
        if (stale)
            return cw_error_set(err, CW_EEXIST,
                                "%s-wal is left from an earlier database of that name: move it "
                                "away first; nothing was restored",
                                to);
    }
    if ((rc = temp_beside(to, "restoring", &tmp, err)) || (rc = copy_file(from, tmp.data, err)) ||
        (rc = verify_copy(tmp.data, from, fn, ctx, r, err)) ||
        (rc = plan_key(from, tmp.data, to, &key, &copy_key, r, err)) ||
        (rc = count_accounts(tmp.data, &r->accounts, &r->tokens, err)))
        goto out;
    if (copy_key) {
        if ((rc = cw_file_write_atomic(r->key_path, key.data, key.len, 0600, 1, err)))
            goto out;
        made_key = 1;
    }
    if (there) {
        if ((rc = retire(to, r, err)))
            goto out;
        if (rename(tmp.data, to) != 0) {
            rc = cw_error_set(err, CW_EIO, "%s: %s; nothing was restored", to, strerror(errno));
            unlink(r->before); /* the old file keeps its first name */
            r->before[0] = '\0';
            goto out;
        }
        rc = cw_file_sync_dir(to, err);
    } else
        rc = publish(tmp.data, to, err);
out:
    if (tmp.data && exists(tmp.data))
        unlink(tmp.data);
    if (rc && made_key)
        unlink(r->key_path);
    cw_casework_key_wipe(&key);
    cw_buf_release(&tmp);
    return rc;
}

cw_rc cw_casework_restore(const char *from, const char *to, int replace, cw_store_diff_fn fn,
                          void *ctx, cw_restore_report *r, cw_error *err)
{
    struct stat st;
    memset(r, 0, sizeof *r);
    if (!from || !*from)
        return cw_error_set(err, CW_EUSAGE, "--from is required: the backup file");
    if (!to || !*to)
        return cw_error_set(err, CW_EUSAGE, "--db is required: where to restore it");
    if (cw_store_is_uri(from))
        return cw_error_set(err, CW_EUSAGE,
                            "--from: give a backup file (caseward backup writes one)");
    if (stat(from, &st) != 0)
        return cw_error_set(err, CW_EUSAGE, "--from %s: %s", from, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cw_error_set(err, CW_EUSAGE, "--from %s: not a file", from);
    if (!cw_store_is_uri(to))
        return restore_file(from, to, replace, fn, ctx, r, err);

    if (replace)
        return cw_error_set(err, CW_EUSAGE,
                            "--replace is for a file; a PostgreSQL database is restored into "
                            "an empty database: drop and recreate it (docs/operations.md)");
    cw_migrate_report m;
    cw_rc rc = cw_casework_migrate_as(from, to, 1, fn, ctx, &m, err);
    if (rc)
        return rc;
    r->size = m.to_size;
    r->checkpoints = m.checkpoints;
    memcpy(r->root, m.to_root, CW_HASH_LEN);
    r->model_rows = m.model_rows;
    r->accounts = m.accounts;
    r->tokens = m.tokens;
    r->key = m.key_written;
    cw_buf kp = CW_BUF_INIT(PATH_MAX_LEN);
    if (!cw_ledger_key_path(to, &kp, NULL))
        snprintf(r->key_path, sizeof r->key_path, "%s", kp.data);
    cw_buf_release(&kp);
    return CW_OK;
}
