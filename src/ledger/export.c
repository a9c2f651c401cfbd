/*
 * export.c — `caseward export`: the log as files an outside verifier can
 * check with any RFC 6962 implementation.
 *
 *   | file          | content                                                   |
 *   |---------------|-----------------------------------------------------------|
 *   | entries.jsonl | line i is exactly the leaf bytes of entry i, then '\n'   |
 *   | checkpoint    | the latest signed checkpoint, byte for byte               |
 *   | vkey          | the verifier key (c2sp vkey) and '\n'                     |
 *
 * The entries written are exactly those the checkpoint covers, even if
 * another process appends meanwhile. Each file is written to a temporary name,
 * synced, and renamed, so a crash never leaves a half-written export.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "util/file.h"

typedef struct export_ctx {
    FILE *f;
    uint64_t next;
    cw_error *err;
} export_ctx;

static cw_rc write_entry(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                         const uint8_t *leaf, size_t llen)
{
    export_ctx *x = ctx;
    (void)hashes;
    (void)hlen;
    if (idx < 0 || (uint64_t)idx != x->next)
        return cw_error_set(x->err, CW_EVERIFY,
                            "entry %llu is missing or duplicated in the database (run caseward "
                            "verify)",
                            (unsigned long long)x->next);
    if (memchr(leaf, '\n', llen))
        return cw_error_set(x->err, CW_EVERIFY,
                            "entry %lld contains a raw newline (run caseward verify)",
                            (long long)idx);
    if (fwrite(leaf, 1, llen, x->f) != llen || putc('\n', x->f) == EOF)
        return cw_error_set(x->err, CW_EIO, "writing entries.jsonl: %s", strerror(errno));
    x->next++;
    return CW_OK;
}

static cw_rc path_in(cw_buf *b, const char *dir, const char *name)
{
    cw_buf_reset(b);
    return cw_buf_addf(b, "%s/%s", dir, name);
}

cw_rc cw_ledger_export(cw_ledger *l, const char *dir, uint64_t *size, cw_error *err)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), vkey = CW_BUF_INIT(1024);
    cw_buf path = CW_BUF_INIT(4096), tmp = CW_BUF_INIT(4096);
    uint64_t cp_size = 0;
    FILE *f = NULL;
    cw_rc rc;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cw_error_set(err, CW_EIO, "%s: %s", dir, strerror(errno));
    if ((rc = cw_ledger_checkpoint(l, &note, &cp_size, err)) || (rc = cw_ledger_vkey(l, &vkey)) ||
        (rc = cw_buf_addc(&vkey, '\n')))
        goto out;
    if (path_in(&path, dir, "entries.jsonl") ||
        cw_buf_addf(&tmp, "%s.tmp.%ld", path.data, (long)getpid())) {
        rc = cw_error_set(err, CW_EINVAL, "%s: path too long", dir);
        goto out;
    }
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && unlink(tmp.data) == 0)
        fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        rc = cw_error_set(err, CW_EIO, "%s: %s", tmp.data, strerror(errno));
        goto out;
    }
    char iobuf[1 << 16];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    export_ctx x = {f, 0, err};
    if ((rc = cw_store_entry_scan(cw_ledger_store(l), 0, (int64_t)cp_size, write_entry, &x, err)))
        goto out;
    if (x.next != cp_size) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the checkpoint covers %llu entries but the database has %llu "
                          "(run caseward verify)",
                          (unsigned long long)cp_size, (unsigned long long)x.next);
        goto out;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", tmp.data, strerror(errno));
        goto out;
    }
    fclose(f);
    f = NULL;
    if (rename(tmp.data, path.data) != 0) {
        rc = cw_error_set(err, CW_EIO, "%s: %s", path.data, strerror(errno));
        goto out;
    }
    if (path_in(&path, dir, "checkpoint") ||
        (rc = cw_file_write_atomic(path.data, note.data, note.len, 0600, 0, err)))
        goto out;
    if (path_in(&path, dir, "vkey") ||
        (rc = cw_file_write_atomic(path.data, vkey.data, vkey.len, 0600, 0, err)))
        goto out;
    if (size)
        *size = cp_size;
out:
    if (f) {
        fclose(f);
        unlink(tmp.data);
    }
    cw_buf_release(&note);
    cw_buf_release(&vkey);
    cw_buf_release(&path);
    cw_buf_release(&tmp);
    return rc;
}
