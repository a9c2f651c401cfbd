/*
 * export.c — `caseward export`: the log as files an outside verifier can
 * check with any RFC 6962 implementation.
 *
 *   | file          | content                                                   |
 *   |---------------|-----------------------------------------------------------|
 *   | entries.jsonl | line i is exactly the leaf bytes of entry i, then '\n'   |
 *   | checkpoint    | the latest signed checkpoint, byte for byte               |
 *   | vkey          | the verifier key (c2sp vkey) and '\n'                     |
 *   | personal.jsonl| each personal part the entries commit to (issue 13), one  |
 *   |               | line each in index order: held, {"index","salt","part"}   |
 *   |               | (part: the canonical JSON bytes, as a string); erased,    |
 *   |               | {"index","erased_by"}. Not written with --facts-only.      |
 *
 * The entries written are exactly those the checkpoint covers, even if
 * another process appends meanwhile. Each file is written to a temporary name,
 * synced, and renamed, so a crash never leaves a half-written export.
 */
#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "util/base64.h"
#include "util/json.h"
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

/* ---- personal parts (issue 13) ---- */

typedef struct personal_ctx {
    cw_buf *out;
    uint64_t size;
    uint64_t held, erased;
} personal_ctx;

static cw_rc write_part(void *ctx, uint64_t idx, const uint8_t *salt, size_t salt_len,
                        const uint8_t *body, size_t body_len, uint64_t erased_idx)
{
    personal_ctx *x = ctx;
    if (idx >= x->size)
        return CW_OK; /* appended after the checkpoint the export is for */
    if (!salt) {
        x->erased++;
        return cw_buf_addf(x->out, "{\"index\":%llu,\"erased_by\":%llu}\n", (unsigned long long)idx,
                           (unsigned long long)erased_idx);
    }
    x->held++;
    cw_rc rc = cw_buf_addf(x->out, "{\"index\":%llu,\"salt\":\"", (unsigned long long)idx);
    if (!rc)
        rc = cw_base64_encode(salt, salt_len, x->out);
    if (!rc)
        rc = cw_buf_add(x->out, "\",\"part\":", 9);
    if (!rc)
        rc = cw_json_write_string((const char *)body, body_len, x->out);
    if (!rc)
        rc = cw_buf_add(x->out, "}\n", 2);
    return rc;
}

cw_rc cw_ledger_export_personal(cw_ledger *l, const char *dir, uint64_t size, uint64_t *held,
                                uint64_t *erased, cw_error *err)
{
    cw_buf out = CW_BUF_INIT(SIZE_MAX / 2), path = CW_BUF_INIT(4096);
    personal_ctx x = {&out, size, 0, 0};
    cw_rc rc = cw_store_personal_scan(cw_ledger_store(l), write_part, &x, err);
    if (rc == CW_ENOMEM || rc == CW_ETOOBIG)
        rc = cw_error_set(err, rc, "writing personal.jsonl: out of memory");
    if (!rc && path_in(&path, dir, "personal.jsonl"))
        rc = cw_error_set(err, CW_EINVAL, "%s: path too long", dir);
    if (!rc)
        rc = cw_file_write_atomic(path.data, out.data ? out.data : "", out.len, 0600, 0, err);
    if (out.len)
        sodium_memzero(out.data, out.len);
    cw_buf_release(&out);
    cw_buf_release(&path);
    if (held)
        *held = x.held;
    if (erased)
        *erased = x.erased;
    return rc;
}
