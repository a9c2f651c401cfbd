/*
 * backup.c — caseward backup and caseward restore (backup.h).
 *
 * Backup: the store writes the snapshot (cw_store_snapshot) into a new private file in a new
 * private directory beside the final name; it is fsynced and its log verified (every hash,
 * every signed checkpoint) before it is linked to the final name, which link() never
 * replaces. Restore into a file: the backup is copied into a private directory beside the
 * target, fsynced, and that copy, the bytes that will be put in place, is verified, the log
 * and the read model, and compared with the database it replaces (the same log, not further
 * on), before rename() puts it there. Restore into
 * PostgreSQL is caseward migrate's copy (migrate.c), which verifies the same way.
 */
#include "casework/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

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

/*
 * A new private directory beside path, path.WHAT-XXXXXX (mkdtemp: mode 0700, made by us alone),
 * and in it the new, empty file *file (mode 0600): no one else can create, replace or redirect
 * (a symbolic link) anything under that name, whoever else may write in path's directory.
 */
static cw_rc temp_beside(const char *path, const char *what, cw_buf *dir, cw_buf *file,
                         cw_error *err)
{
    if (cw_buf_addf(dir, "%s.%s-XXXXXX", path, what))
        return cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", path);
    if (!mkdtemp(dir->data)) {
        cw_rc rc = cw_error_set(err, CW_EIO, "%s: cannot create a directory beside it: %s", path,
                                strerror(errno));
        cw_buf_release(dir);
        return rc;
    }
    int fd = -1;
    if (cw_buf_addf(file, "%s/%s.db", dir->data, what) ||
        (fd = open(file->data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        cw_rc rc = cw_error_set(err, CW_EIO, "%s: cannot create a file in it: %s", dir->data,
                                file->data ? strerror(errno) : "the path is too long");
        rmdir(dir->data);
        cw_buf_release(dir);
        cw_buf_release(file);
        return rc;
    }
    close(fd);
    return CW_OK;
}

/* The temporary directory removed with whatever is in it (the copy, a -wal, -shm or -journal
 * SQLite left beside it): it is ours alone, made by temp_beside. */
static void temp_remove(cw_buf *dir)
{
    if (!dir->data)
        return;
    DIR *d = opendir(dir->data);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir->data);
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
    return lstat(path, &st) == 0;
}

/* *there: whether anything is at path; an error naming the reason if that cannot be told (a
 * directory that may not be searched, say), never taken for "it exists". */
static cw_rc look(const char *path, int *there, cw_error *err)
{
    struct stat st;
    *there = lstat(path, &st) == 0;
    if (!*there && errno != ENOENT)
        return cw_error_set(err, CW_EIO, "%s: cannot tell whether it exists: %s", path,
                            strerror(errno));
    return CW_OK;
}

static cw_rc hash_piece(void *ctx, const void *data, size_t len, cw_error *err)
{
    (void)err;
    crypto_hash_sha256_update(ctx, data, (unsigned long long)len);
    return CW_OK;
}

/* The SHA-256 of the file at path, in lowercase hex. */
static cw_rc file_sha256(const char *path, char hex[65], cw_error *err)
{
    unsigned char chunk[1 << 16], h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(err, CW_EIO, "%s: %s", path, strerror(errno));
    crypto_hash_sha256_init(&st);
    cw_rc rc = cw_file_read_fd(fd, path, chunk, sizeof chunk, hash_piece, &st, err);
    close(fd);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return rc;
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
    cw_buf dir = CW_BUF_INIT(PATH_MAX_LEN + 32), tmp = CW_BUF_INIT(PATH_MAX_LEN + 64);
    cw_buf out_key = CW_BUF_INIT(PATH_MAX_LEN + 8), out_sum = CW_BUF_INIT(PATH_MAX_LEN + 8);
    cw_buf key_path = CW_BUF_INIT(PATH_MAX_LEN), key = CW_BUF_INIT(4096);
    cw_buf sum = CW_BUF_INIT(PATH_MAX_LEN + 80);
    cw_store *src = NULL;
    int made_key = 0, made_sum = 0, there = 0;
    struct stat st;
    cw_rc rc = CW_OK;
    memset(r, 0, sizeof *r);
    if (!out || !*out)
        return cw_error_set(err, CW_EUSAGE, "--out is required: the backup file to write");
    if (cw_store_is_uri(out))
        return cw_error_set(err, CW_EUSAGE,
                            "--out: give a file; a backup is always a file, which caseward "
                            "restore puts into a file or a PostgreSQL database");
    if ((rc = look(out, &there, err)))
        return rc;
    if (there)
        return cw_error_set(err, CW_EEXIST,
                            "%s already exists; refusing to overwrite it (a backup is never "
                            "overwritten: give a new name)",
                            out);
    if (cw_buf_addf(&out_key, "%s.key", out) || cw_buf_addf(&out_sum, "%s.sha256", out)) {
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", out);
        goto out;
    }
    if ((rc = look(out_sum.data, &there, err)) ||
        (with_key && !there && (rc = look(out_key.data, &there, err))))
        goto out;
    if (there) {
        rc = cw_error_set(err, CW_EEXIST, "%s already exists; refusing to overwrite it",
                          exists(out_sum.data) ? out_sum.data : out_key.data);
        goto out;
    }
    if (with_key && (rc = source_key(db, &key_path, &key, err)))
        goto out;
    if ((rc = cw_store_open(db, CW_STORE_READONLY | CW_STORE_NO_MMAP, &src, err)) ||
        (rc = temp_beside(out, "partial", &dir, &tmp, err)))
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
    if ((rc = count_accounts(tmp.data, &r->accounts, &r->tokens, err)) ||
        (rc = file_sha256(tmp.data, r->sha256, err)))
        goto out;
    if (stat(tmp.data, &st) == 0)
        r->bytes = (uint64_t)st.st_size;
    if (with_key) {
        if ((rc = cw_file_write_atomic(out_key.data, key.data, key.len, 0600, 1, err)))
            goto out;
        made_key = 1;
    }
    /* OUT.sha256 as sha256sum writes it (sha256sum -c checks it, in OUT's directory). */
    const char *base = strrchr(out, '/');
    if (cw_buf_addf(&sum, "%s  %s\n", r->sha256, base ? base + 1 : out)) {
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", out);
        goto out;
    }
    if ((rc = cw_file_write_atomic(out_sum.data, sum.data, sum.len, 0600, 1, err)))
        goto out;
    made_sum = 1;
    if ((rc = publish(tmp.data, out, err)))
        goto out;
    r->key_copied = made_key;
out:
    cw_store_close(src);
    temp_remove(&dir);
    if (rc && made_key)
        unlink(out_key.data);
    if (rc && made_sum)
        unlink(out_sum.data);
    cw_casework_key_wipe(&key);
    cw_buf_release(&dir);
    cw_buf_release(&tmp);
    cw_buf_release(&out_key);
    cw_buf_release(&out_sum);
    cw_buf_release(&sum);
    cw_buf_release(&key_path);
    return rc;
}

/* A piece read, written whole to the descriptor out. */
typedef struct copy_to {
    int fd;
    const char *name;
} copy_to;

static cw_rc write_piece(void *ctx, const void *data, size_t len, cw_error *err)
{
    const copy_to *out = ctx;
    for (size_t done = 0; done < len;) {
        ssize_t w = write(out->fd, (const char *)data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return cw_error_set(err, CW_EIO, "%s: %s", out->name, strerror(errno));
        done += (size_t)w;
    }
    return CW_OK;
}

/* Copies the file from into the (empty, private) file to, and fsyncs it. */
static cw_rc copy_file(const char *from, const char *to, cw_error *err)
{
    char chunk[1 << 16];
    cw_rc rc = CW_OK;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return cw_error_set(err, CW_EIO, "%s: %s", from, strerror(errno));
    copy_to out = {open(to, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC), to};
    if (out.fd < 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", to, strerror(errno));
        close(in);
        return rc;
    }
    rc = cw_file_read_fd(in, from, chunk, sizeof chunk, write_piece, &out, err);
    if (!rc && fsync(out.fd) != 0)
        rc = cw_error_set(err, CW_EIO, "%s: cannot sync it to disk: %s", to, strerror(errno));
    if (close(out.fd) != 0 && !rc)
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
    int to_there = 0, from_there = 0;
    if ((rc = look(to_key.data, &to_there, err)) ||
        (!to_there && (rc = look(from_key.data, &from_there, err))))
        goto out;
    if (to_there) {
        if ((rc = cw_casework_key_read(to_key.data, &there, err))) {
            cw_error_prefix(err, "nothing was restored: ");
            goto out;
        }
        if ((rc = cw_casework_key_check(s, to_key.data, &there, err))) {
            if (rc == CW_EVERIFY) /* the key is another log's: so is the backup */
                rc = cw_error_set(err, CW_EVERIFY,
                                  "the backup is of another log than the one %s signs; nothing "
                                  "was restored",
                                  to_key.data);
            else
                cw_error_prefix(err, "nothing was restored: ");
            goto out;
        }
        r->key = 0;
    } else if (from_there) {
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

/* The files SQLite keeps beside a database, which belong to it and to no other file. */
static const char *const sidecars[] = {"-wal", "-shm", "-journal"};
#define SIDECARS (sizeof sidecars / sizeof sidecars[0])

/* What says which log a database holds and how far it has gone: its origin, its verifier key
 * and its latest checkpoint's size (0 if none). */
typedef struct log_id {
    cw_buf origin, vkey;
    uint64_t size;
} log_id;

static cw_rc read_id(const char *path, log_id *id, cw_error *err)
{
    cw_store *s = NULL;
    cw_buf note = CW_BUF_INIT(65536);
    id->size = 0;
    cw_rc rc = cw_store_open(path, CW_STORE_READONLY | CW_STORE_NO_MMAP, &s, err);
    if (!rc)
        rc = cw_store_meta_get(s, "origin", &id->origin, err);
    if (!rc)
        rc = cw_store_meta_get(s, "vkey", &id->vkey, err);
    if (!rc && (rc = cw_store_checkpoint_latest(s, &note, &id->size, err)) == CW_ENOTFOUND)
        rc = CW_OK;
    cw_store_close(s);
    cw_buf_release(&note);
    return rc;
}

/* The root of the first size entries of the log at path. */
static cw_rc root_at(const char *path, uint64_t size, uint8_t root[CW_HASH_LEN], cw_error *err)
{
    cw_ledger *l = NULL;
    cw_rc rc = cw_ledger_open(path, CW_LEDGER_READONLY | CW_LEDGER_NO_MMAP, &l, err);
    if (!rc)
        rc = cw_ledger_root(l, size, root, err);
    cw_ledger_close(l);
    return rc;
}

static int same_text(const cw_buf *a, const cw_buf *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/*
 * The database old, about to be replaced by the verified copy tmp (of the backup from):
 * refused if it is another log's (origin or verifier key), or if it has more entries than the
 * backup unless accept_loss (r->lost: how many). *readable = 0 (r->unread: why) if it cannot
 * be read at all, a damaged file: then it cannot be compared, and that is no reason to refuse.
 */
static cw_rc compare_old(const char *old, const char *tmp, int accept_loss, int *readable,
                         cw_restore_report *r, cw_error *err)
{
    log_id o = {CW_BUF_INIT(4096), CW_BUF_INIT(4096), 0},
           b = {CW_BUF_INIT(4096), CW_BUF_INIT(4096), 0};
    cw_error why = {0};
    cw_rc rc = CW_OK;
    *readable = 1;
    if (read_id(old, &o, &why)) {
        *readable = 0;
        snprintf(r->unread, sizeof r->unread, "%s", why.msg);
        goto out;
    }
    if ((rc = read_id(tmp, &b, err)))
        goto out;
    r->old_size = o.size;
    if (!same_text(&o.origin, &b.origin) || !same_text(&o.vkey, &b.vkey)) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the backup is of another log than %s; nothing was restored", old);
        goto out;
    }
    if (o.size > r->size) {
        if (!accept_loss) {
            rc = cw_error_set(err, CW_EVERIFY,
                              "%s has %" PRIu64 " entries, the backup only %" PRIu64
                              ": restoring it would lose the %" PRIu64
                              " recorded since (and new ones would take their numbers); give "
                              "--accept-loss to restore it all the same (%s is kept as "
                              "%s.before-restore-TIME); nothing was restored",
                              old, o.size, r->size, o.size - r->size, old, old);
            goto out;
        }
        r->lost = o.size - r->size;
    }
    /* The same log, but the same history? The root of the entries both have, in both. */
    uint64_t n = o.size < r->size ? o.size : r->size;
    uint8_t o_root[CW_HASH_LEN], b_root[CW_HASH_LEN];
    if (n && root_at(old, n, o_root, &why)) /* its tree cannot be read: damaged there */
        snprintf(r->unread, sizeof r->unread, "%s", why.msg);
    else if (n && !(rc = root_at(tmp, n, b_root, err)) && memcmp(o_root, b_root, CW_HASH_LEN))
        rc = cw_error_set(err, CW_EVERIFY,
                          "%s and the backup are two different histories of the log: their "
                          "first %" PRIu64
                          " entries differ (was a copy restored and written to since?); "
                          "nothing was restored (move %s away to restore the backup there)",
                          old, n, old);
out:
    cw_buf_release(&o.origin);
    cw_buf_release(&o.vkey);
    cw_buf_release(&b.origin);
    cw_buf_release(&b.vkey);
    return rc;
}

/*
 * The second names under which the database to, and when moved (a damaged one) its -wal,
 * -shm and -journal, are kept: to.before-restore-STAMP, then -1, -2, ... if that is taken
 * (two restores in one second); link() never replaces a file. r->before is set.
 */
static cw_rc keep_old(const char *to, int with_sidecars, cw_restore_report *r, cw_error *err)
{
    char stamp[32], side[PATH_MAX_LEN + 16], kept[PATH_MAX_LEN + 16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int n = 0; n < 1000; n++) {
        int len = n ? snprintf(r->before, sizeof r->before, "%s.before-restore-%s-%d", to, stamp, n)
                    : snprintf(r->before, sizeof r->before, "%s.before-restore-%s", to, stamp);
        if (len < 0 || (size_t)len + 16 >= sizeof r->before)
            return cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", to);
        if (link(to, r->before) != 0) {
            if (errno == EEXIST)
                continue;
            return cw_error_set(err, CW_EIO, "%s: %s; nothing was restored", r->before,
                                strerror(errno));
        }
        size_t i = 0;
        int taken = 0;
        for (; with_sidecars && i < SIDECARS; i++) {
            snprintf(side, sizeof side, "%s%s", to, sidecars[i]);
            snprintf(kept, sizeof kept, "%s%s", r->before, sidecars[i]);
            if (!exists(side))
                continue;
            if (link(side, kept) != 0) {
                taken = errno == EEXIST;
                break;
            }
        }
        if (!with_sidecars || i == SIDECARS) {
            if (chmod(r->before, 0600) == 0)
                return CW_OK;
            i = SIDECARS;
        }
        int e = errno;
        while (i-- > 0) { /* undone: the old files keep only their first names */
            snprintf(side, sizeof side, "%s%s", to, sidecars[i]);
            snprintf(kept, sizeof kept, "%s%s", r->before, sidecars[i]);
            if (exists(side))
                unlink(kept);
        }
        unlink(r->before);
        if (!taken)
            return cw_error_set(err, CW_EIO, "%s: %s; nothing was restored", r->before,
                                strerror(e));
    }
    return cw_error_set(err, CW_EEXIST,
                        "%s: too many files named %s.before-restore-%s-N; nothing was restored", to,
                        to, stamp);
}

/*
 * The database file to, about to be replaced by the verified copy tmp: no other process may
 * have it open; it must be the backup's log (compare_old). What its -wal holds goes into the
 * file first (the last connection's close does it and removes the -wal), so that the file
 * kept is whole and no -wal is left to be read with the new file. A file that cannot be opened
 * (damaged: the case a restore is for) is not opened for writing: it is kept as it is, and its
 * -wal, -shm and -journal with it (*moved = 1; the caller removes their first names).
 */
static cw_rc retire(const char *to, const char *tmp, int accept_loss, int *moved,
                    cw_restore_report *r, cw_error *err)
{
    int busy = 0, readable = 1, there = 0;
    struct stat st;
    cw_buf wal = CW_BUF_INIT(PATH_MAX_LEN + 8);
    *moved = 0;
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
    if ((rc = compare_old(to, tmp, accept_loss, &readable, r, err)))
        goto out;
    if (readable) {
        cw_store *s = NULL; /* a writer's open and close: the -wal is checkpointed and removed */
        cw_error why = {0};
        if (cw_store_open(to, 0, &s, &why)) {
            readable = 0;
            snprintf(r->unread, sizeof r->unread, "%s", why.msg);
        }
        cw_store_close(s);
    }
    if (cw_buf_addf(&wal, "%s-wal", to)) {
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", to);
        goto out;
    }
    if (readable && (rc = look(wal.data, &there, err)))
        goto out;
    if (there) {
        rc = cw_error_set(err, CW_EBUSY,
                          "%s is open in another process (its -wal file stays): stop it first; "
                          "nothing was restored",
                          to);
        goto out;
    }
    if ((rc = keep_old(to, !readable, r, err)))
        goto out;
    *moved = !readable;
out:
    if (rc)
        r->before[0] = '\0';
    cw_buf_release(&wal);
    return rc;
}

/* The first names of to's -wal, -shm and -journal removed (kept under r->before's), or with
 * back, given back to them. */
static void move_sidecars(const char *to, const cw_restore_report *r, int back)
{
    char side[PATH_MAX_LEN + 16], kept[PATH_MAX_LEN + 16];
    for (size_t i = 0; i < SIDECARS; i++) {
        snprintf(side, sizeof side, "%s%s", to, sidecars[i]);
        snprintf(kept, sizeof kept, "%s%s", r->before, sidecars[i]);
        if (!exists(kept))
            continue;
        if (back) {
            if (link(kept, side) == 0)
                unlink(kept);
        } else
            unlink(side);
    }
}

/*
 * A file that is a database in use rather than a backup: a -wal beside it (what it holds is
 * not in the file), or WAL mode in its header (bytes 18-19 are 2, 2; a backup's are 1, 1).
 */
static cw_rc check_from(const char *from, cw_error *err)
{
    static const char live[] = "--from %s: this is a live database, not a backup (%s): make one "
                               "with caseward backup; nothing was restored";
    cw_buf wal = CW_BUF_INIT(PATH_MAX_LEN + 8);
    unsigned char h[20];
    int there = 0;
    cw_rc rc = CW_OK;
    if (cw_buf_addf(&wal, "%s-wal", from))
        rc = cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", from);
    else if (!(rc = look(wal.data, &there, err)) && there)
        rc = cw_error_set(err, CW_EUSAGE, live, from, "a -wal file is beside it");
    cw_buf_release(&wal);
    if (rc)
        return rc;
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(err, CW_EUSAGE, "--from %s: %s", from, strerror(errno));
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    /* Not a SQLite file, or cut short: the verification says it is damaged. */
    if (n == (ssize_t)sizeof h && !memcmp(h, "SQLite format 3", 16) && (h[18] != 1 || h[19] != 1))
        return cw_error_set(err, CW_EUSAGE, live, from, "its header says it is in WAL mode");
    return CW_OK;
}

/* The SHA-256 the operator gave, compared with the file's (the copy about to be verified). */
static cw_rc check_sha256(const char *path, const char *from, const char *want,
                          cw_restore_report *r, cw_error *err)
{
    cw_rc rc = file_sha256(path, r->sha256, err);
    if (rc || !want)
        return rc;
    size_t n = strlen(want);
    int ok = n == 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = (want[i] >= '0' && want[i] <= '9') ||
             ((want[i] | 0x20) >= 'a' && (want[i] | 0x20) <= 'f');
    if (!ok)
        return cw_error_set(err, CW_EUSAGE,
                            "--sha256: give the 64 hexadecimal digits caseward backup printed "
                            "(and wrote to FILE.sha256)");
    for (size_t i = 0; i < n; i++)
        if ((want[i] | 0x20) != r->sha256[i])
            return cw_error_set(err, CW_EVERIFY,
                                "%s: its SHA-256 is %s, not the one given: it is not the file "
                                "that was backed up, or it has been changed since; nothing was "
                                "restored",
                                from, r->sha256);
    r->sha256_checked = 1;
    return CW_OK;
}

static cw_rc restore_file(const char *from, const char *to, const cw_restore_opts *opts,
                          cw_store_diff_fn fn, void *ctx, cw_restore_report *r, cw_error *err)
{
    cw_buf dir = CW_BUF_INIT(PATH_MAX_LEN + 32), tmp = CW_BUF_INIT(PATH_MAX_LEN + 64),
           key = CW_BUF_INIT(4096);
    int copy_key = 0, made_key = 0, there = 0, moved = 0;
    cw_rc rc = look(to, &there, err);
    if (rc)
        return rc;
    if (there && !opts->replace)
        return cw_error_set(err, CW_EEXIST,
                            "%s already exists; refusing to replace it (give --replace to put "
                            "the backup in its place and keep it as %s.before-restore-TIME); "
                            "nothing was restored",
                            to, to);
    /* A -wal or -journal left from an earlier database of that name would be read into the
     * new one (a -shm is only an index, rebuilt). */
    for (size_t i = 0; !there && i < SIDECARS; i++) {
        cw_buf side = CW_BUF_INIT(PATH_MAX_LEN + 16);
        int stale = 0;
        if (strcmp(sidecars[i], "-shm") && !cw_buf_addf(&side, "%s%s", to, sidecars[i]))
            rc = look(side.data, &stale, err);
        cw_buf_release(&side);
        if (rc)
            return rc;
        if (stale)
            return cw_error_set(err, CW_EEXIST,
                                "%s%s is left from an earlier database of that name: move it "
                                "away first; nothing was restored",
                                to, sidecars[i]);
    }
    if ((rc = temp_beside(to, "restoring", &dir, &tmp, err)) ||
        (rc = copy_file(from, tmp.data, err)) ||
        (rc = check_sha256(tmp.data, from, opts->sha256, r, err)) ||
        (rc = verify_copy(tmp.data, from, fn, ctx, r, err)) ||
        (rc = plan_key(from, tmp.data, to, &key, &copy_key, r, err)) ||
        (rc = count_accounts(tmp.data, &r->accounts, &r->tokens, err)))
        goto out;
    if (copy_key) {
        if ((rc = cw_file_write_atomic(r->key_path, key.data, key.len, 0600, 1, err)))
            goto out;
        made_key = 1;
    }
    if (there && (rc = retire(to, tmp.data, opts->accept_loss, &moved, r, err)))
        goto out;
    if (there) {
        if (moved)
            move_sidecars(to, r, 0);
        if (rename(tmp.data, to) != 0) {
            rc = cw_error_set(err, CW_EIO, "%s: %s; nothing was restored", to, strerror(errno));
            if (moved)
                move_sidecars(to, r, 1);
            unlink(r->before); /* the old file keeps its first name */
            r->before[0] = '\0';
            goto out;
        }
        r->moved = moved;
        rc = cw_file_sync_dir(to, err);
    } else
        rc = publish(tmp.data, to, err);
out:
    temp_remove(&dir);
    if (rc && made_key)
        unlink(r->key_path);
    cw_casework_key_wipe(&key);
    cw_buf_release(&dir);
    cw_buf_release(&tmp);
    return rc;
}

cw_rc cw_casework_restore(const char *from, const char *to, const cw_restore_opts *opts,
                          cw_store_diff_fn fn, void *ctx, cw_restore_report *r, cw_error *err)
{
    struct stat st;
    cw_rc rc;
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
    if ((rc = check_from(from, err)))
        return rc;
    if (!cw_store_is_uri(to))
        return restore_file(from, to, opts, fn, ctx, r, err);

    if (opts->replace)
        return cw_error_set(err, CW_EUSAGE,
                            "--replace is for a file; a PostgreSQL database is restored into "
                            "an empty database: drop and recreate it (docs/operations.md)");
    if ((rc = check_sha256(from, from, opts->sha256, r, err)))
        return rc;
    cw_migrate_report m;
    rc = cw_casework_migrate_as(from, to, 1, fn, ctx, &m, err);
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
