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
#include <inttypes.h>
#include <stdlib.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "ledger/hash.h"
#include "ledger/note.h"
#include "util/file.h"
#include "ledger/merkle.h"
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

/* Opens dir/name's temporary file (0600, never through a link) for writing, buffered by
 * iobuf: *path is dir/name, *tmp the temporary name. */
static cw_rc open_tmp(const char *dir, const char *name, cw_buf *path, cw_buf *tmp, FILE **f,
                      char *iobuf, size_t iolen, cw_error *err)
{
    *f = NULL;
    cw_buf_reset(tmp);
    if (path_in(path, dir, name) || cw_buf_addf(tmp, "%s.tmp.%ld", path->data, (long)getpid()))
        return cw_error_set(err, CW_EINVAL, "%s: path too long", dir);
    int fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && unlink(tmp->data) == 0)
        fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!*f) {
        if (fd >= 0)
            close(fd);
        return cw_error_set(err, CW_EIO, "%s: %s", tmp->data, strerror(errno));
    }
    setvbuf(*f, iobuf, _IOFBF, iolen);
    return CW_OK;
}

/* Syncs and closes *f, then renames tmp to path: the file is whole or not there. */
static cw_rc finish_tmp(FILE **f, const cw_buf *tmp, const cw_buf *path, cw_error *err)
{
    if (fflush(*f) != 0 || fsync(fileno(*f)) != 0)
        return cw_error_set(err, CW_EIO, "%s: %s", tmp->data, strerror(errno));
    fclose(*f);
    *f = NULL;
    if (rename(tmp->data, path->data) != 0)
        return cw_error_set(err, CW_EIO, "%s: %s", path->data, strerror(errno));
    return CW_OK;
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
    char iobuf[1 << 16];
    if ((rc = open_tmp(dir, "entries.jsonl", &path, &tmp, &f, iobuf, sizeof iobuf, err)))
        goto out;
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
    if ((rc = finish_tmp(&f, &tmp, &path, err)))
        goto out;
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
    FILE *f;
    cw_buf line; /* one line at a time, wiped after it is written */
    uint64_t size;
    uint64_t held, erased;
    cw_error *err;
} personal_ctx;

static cw_rc write_part(void *ctx, uint64_t idx, const uint8_t *salt, size_t salt_len,
                        const uint8_t *body, size_t body_len, uint64_t erased_idx)
{
    personal_ctx *x = ctx;
    cw_rc rc;
    if (idx >= x->size)
        return CW_OK; /* appended after the checkpoint the export is for */
    cw_buf_reset(&x->line);
    if (!salt) {
        x->erased++;
        rc = cw_buf_addf(&x->line, "{\"index\":%llu,\"erased_by\":%llu}\n", (unsigned long long)idx,
                         (unsigned long long)erased_idx);
    } else {
        x->held++;
        rc = cw_buf_addf(&x->line, "{\"index\":%llu,\"salt\":\"", (unsigned long long)idx);
        if (!rc)
            rc = cw_base64_encode(salt, salt_len, &x->line);
        if (!rc)
            rc = cw_buf_add(&x->line, "\",\"part\":", 9);
        if (!rc)
            rc = cw_json_write_string((const char *)body, body_len, &x->line);
        if (!rc)
            rc = cw_buf_add(&x->line, "}\n", 2);
    }
    if (rc)
        return cw_error_set(x->err, rc, "personal.jsonl: entry %llu's part is too large to write",
                            (unsigned long long)idx);
    if (fwrite(x->line.data, 1, x->line.len, x->f) != x->line.len)
        rc = cw_error_set(x->err, CW_EIO, "writing personal.jsonl: %s", strerror(errno));
    sodium_memzero(x->line.data, x->line.len);
    return rc;
}

cw_rc cw_ledger_export_personal(cw_ledger *l, const char *dir, uint64_t size, uint64_t *held,
                                uint64_t *erased, cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096), tmp = CW_BUF_INIT(4096);
    /* a line: a part's bytes as a JSON string (at most 6 for each: \u00XX) and its salt */
    personal_ctx x = {NULL, CW_BUF_INIT(8 * CW_ENTRY_MAX_BYTES), size, 0, 0, err};
    char iobuf[1 << 16];
    cw_rc rc = open_tmp(dir, "personal.jsonl", &path, &tmp, &x.f, iobuf, sizeof iobuf, err);
    if (!rc)
        rc = cw_store_personal_scan(cw_ledger_store(l), write_part, &x, err);
    if (!rc)
        rc = finish_tmp(&x.f, &tmp, &path, err);
    if (x.f) {
        fclose(x.f);
        unlink(tmp.data);
    }
    sodium_memzero(iobuf, sizeof iobuf); /* stdio's copy of the last lines written */
    cw_buf_release(&x.line);
    cw_buf_release(&path);
    cw_buf_release(&tmp);
    if (held)
        *held = x.held;
    if (erased)
        *erased = x.erased;
    return rc;
}

/*
 * Reads the first max entries of the export in dir (all of them, if it holds fewer) into the
 * store s, which must be in a write transaction (a scratch store: cw_store_open_scratch), with
 * their leaf and subtree hashes; *n is how many, root the RFC 6962 root of those n. A line that
 * is not a whole line (no '\n' at its end) ends the read. The caller compares the root with a
 * checkpoint it trusts.
 */
cw_rc cw_ledger_export_load(const char *dir, cw_store *s, uint64_t max, uint64_t *n,
                            uint8_t root[CW_HASH_LEN], cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096);
    *n = 0;
    cw_rc rc = cw_buf_addf(&path, "%s/entries.jsonl", dir);
    if (rc)
        return cw_error_set(err, rc, "%s: the path is too long", dir);
    FILE *f = fopen(path.data, "rb");
    if (!f) {
        rc = cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path.data,
                          strerror(errno));
        cw_buf_release(&path);
        return rc;
    }
    cw_hasher h;
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    char *line = NULL;
    size_t cap = 0;
    uint64_t idx = 0;
    if ((rc = cw_hasher_init(&h)))
        rc = cw_error_set(err, rc, "SHA-256 is not available");
    while (!rc && idx < max) {
        ssize_t len = getline(&line, &cap, f);
        if (len <= 0 || line[len - 1] != '\n')
            break;
        uint8_t hashes[CW_HASH_LEN * 65];
        unsigned done = 0;
        if ((rc = cw_hash_leaf(&h, line, (size_t)len - 1, hashes)) ||
            (rc = cw_merkle_builder_push(&b, &h, hashes,
                                         (uint8_t(*)[CW_HASH_LEN])(hashes + CW_HASH_LEN), &done))) {
            rc = cw_error_set(err, rc, "entry %" PRIu64 ": cannot be hashed", idx);
            break;
        }
        rc = cw_store_entry_put(s, idx, hashes, CW_HASH_LEN * (1 + (size_t)done), line,
                                (size_t)len - 1, err);
        idx++;
    }
    if (!rc && (rc = cw_merkle_builder_root(&b, &h, root)))
        rc = cw_error_set(err, rc, "the export's root cannot be computed");
    *n = idx;
    free(line);
    fclose(f);
    cw_hasher_release(&h);
    cw_buf_release(&path);
    return rc;
}

cw_rc cw_ledger_export_check(const char *dir, const char *vkey, uint64_t n,
                             const uint8_t root[CW_HASH_LEN], cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096), key = CW_BUF_INIT(4096), note = CW_BUF_INIT(1 << 16);
    cw_note_verifier v;
    cw_checkpoint cp;
    size_t text_len = 0;
    cw_rc rc = CW_OK;
    if (!vkey) {
        if (!(rc = cw_buf_addf(&path, "%s/vkey", dir)) &&
            !(rc = cw_file_read(path.data, &key, err)))
            vkey = key.data ? key.data : "";
    }
    cw_buf_reset(&path);
    if (!rc && !(rc = cw_note_verifier_parse(vkey, strlen(vkey), &v, err)) &&
        !(rc = cw_buf_addf(&path, "%s/checkpoint", dir)) &&
        !(rc = cw_file_read(path.data, &note, err)) &&
        !(rc = cw_note_open(&v, note.data ? note.data : "", note.len, &text_len, err)) &&
        !(rc = cw_checkpoint_parse(note.data, text_len, &cp, err)) &&
        (cp.size != n || memcmp(cp.root, root, CW_HASH_LEN)))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the export's entries (%" PRIu64 ") are not the log its signed "
                          "checkpoint names (size %" PRIu64 "): verify it with caseward verify "
                          "--dir first",
                          n, cp.size);
    cw_buf_release(&path);
    cw_buf_release(&key);
    cw_buf_release(&note);
    return rc;
}
