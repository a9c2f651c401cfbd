/*
 * ledger.c — append, checkpoint and prove over the stored Merkle tree. The
 * storage layout of the tree is documented in ledger.h.
 *
 * Invariant between batches: builder holds the compact range of the stored
 * tree of size builder.size, which equals the number of stored entries and
 * the size of the latest stored checkpoint.
 */
#include "ledger/ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/random.h>
#endif

#include "util/file.h"
#include "util/json.h"
#include "util/time.h"

#define KEY_FILE_MAX 4096

struct cw_ledger {
    char *path; /* the database path it was opened with (owned) */
    cw_store *store;
    cw_hasher hasher;
    char origin[CW_NOTE_NAME_MAX + 1];
    cw_note_verifier verifier;
    cw_note_signer signer;
    int writable;

    cw_merkle_builder builder;
    int64_t last_recorded_ms;

    /* Immutable tree nodes already read, direct-mapped by (level, index);
     * allocated on first use. Cleared when a batch aborts, since rows read
     * inside an aborted batch never existed. */
    struct node_slot {
        uint64_t key; /* 0 = empty */
        uint8_t hash[CW_HASH_LEN];
    } * cache;

    /* Batch state. */
    int in_batch;
    int batch_failed; /* a store write failed mid-batch: only abort is allowed */
    cw_merkle_builder saved_builder;
    int64_t saved_last_ms;
    int64_t batch_ms;
    cw_buf leaf;
    cw_buf personal; /* the canonical bytes of the personal part being appended */
    /* Salts for personal parts, drawn from the kernel's CSPRNG 4 KiB at a time (one system
     * call for 128 entries, fill_salts); each is used once and wiped as it is taken. */
    uint8_t salts[4096];
    size_t salts_left;
};

cw_rc cw_ledger_default_origin(cw_buf *out, cw_error *err)
{
    uint8_t r[8];
    if (sodium_init() < 0)
        return cw_error_set(err, CW_ECRYPTO, "libsodium failed to initialise");
    randombytes_buf(r, sizeof r);
    return cw_buf_addf(out, "caseward.local/%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
                       r[3], r[4], r[5], r[6], r[7]);
}

cw_rc cw_ledger_key_path(const char *db_path, cw_buf *out, cw_error *err)
{
    if (cw_store_is_uri(db_path)) {
        const char *k = getenv(CW_LEDGER_KEY_ENV);
        if (!k || !*k)
            return cw_error_set(err, CW_EUSAGE,
                                CW_LEDGER_KEY_ENV
                                " is not set: a log in PostgreSQL has no file "
                                "to keep its signing key beside, so name the key file in it");
        if (cw_buf_addstr(out, k))
            return cw_error_set(err, CW_EINVAL, CW_LEDGER_KEY_ENV ": the path is too long");
        return CW_OK;
    }
    if (cw_buf_addf(out, "%s.key", db_path))
        return cw_error_set(err, CW_EINVAL, "%s: path too long", db_path);
    return CW_OK;
}

/* Node source over the store: see the layout table in ledger.h. */
#define NODE_CACHE_SLOTS 65536 /* 2.6 MB */

static cw_rc get_node(void *ctx, unsigned level, uint64_t index, uint8_t out[CW_HASH_LEN])
{
    cw_ledger *l = ctx;
    uint8_t hashes[CW_HASH_LEN * 65];
    size_t len = 0;
    uint64_t row = ((index + 1) << level) - 1;
    uint64_t key = row << 6 | level, slot = 0;
    if (!l->cache)
        l->cache = calloc(NODE_CACHE_SLOTS, sizeof *l->cache);
    if (l->cache) {
        slot = (key * 0x9e3779b97f4a7c15u) >> 48;
        if (l->cache[slot].key == key + 1) {
            memcpy(out, l->cache[slot].hash, CW_HASH_LEN);
            return CW_OK;
        }
    }
    cw_rc rc = cw_store_entry_hashes(l->store, row, hashes, sizeof hashes, &len, NULL);
    if (rc)
        return rc;
    if (len < (size_t)CW_HASH_LEN * (level + 1))
        return CW_ENOTFOUND; /* the node is not there: reported as damage */
    memcpy(out, hashes + (size_t)CW_HASH_LEN * level, CW_HASH_LEN);
    if (l->cache) {
        l->cache[slot].key = key + 1;
        memcpy(l->cache[slot].hash, out, CW_HASH_LEN);
    }
    return CW_OK;
}

void cw_ledger_source(cw_ledger *l, cw_merkle_source *src, cw_error *err)
{
    (void)err;
    src->get = get_node;
    src->ctx = l;
    src->hasher = &l->hasher;
}

static cw_rc node_failed(cw_rc rc, cw_error *err, const char *what)
{
    return cw_error_set(err, rc == CW_ENOTFOUND ? CW_EVERIFY : rc,
                        "%s: a stored tree node is missing or damaged (run caseward verify)", what);
}

/* Signs and stores the checkpoint for the builder's current tree. */
static cw_rc sign_checkpoint(cw_ledger *l, cw_error *err)
{
    cw_checkpoint cp;
    cw_buf text = CW_BUF_INIT(4096), note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    memcpy(cp.origin, l->origin, sizeof cp.origin);
    cp.size = l->builder.size;
    cw_rc rc = cw_merkle_builder_root(&l->builder, &l->hasher, cp.root);
    if (rc)
        cw_error_set(err, rc, "checkpoint: hashing failed");
    if (!rc && (rc = cw_checkpoint_format(&cp, &text)))
        cw_error_set(err, rc, "checkpoint: %s", cw_rc_str(rc));
    if (!rc)
        rc = cw_note_sign(&l->signer, text.data, text.len, &note, err);
    if (!rc)
        rc = cw_store_checkpoint_put(l->store, cp.size, note.data, note.len, err);
    cw_buf_release(&text);
    cw_buf_release(&note);
    return rc;
}

static cw_rc write_key_file(const char *path, const cw_note_signer *s, cw_error *err)
{
    cw_buf text = CW_BUF_INIT(KEY_FILE_MAX);
    cw_rc rc = cw_note_signer_format(s, &text);
    if (!rc)
        rc = cw_buf_addc(&text, '\n');
    if (rc)
        rc = cw_error_set(err, rc, "%s: cannot format the key", path);
    else
        rc = cw_file_write_atomic(path, text.data, text.len, 0600, 1, err);
    sodium_memzero(text.data, text.len);
    cw_buf_release(&text);
    return rc;
}

cw_rc cw_ledger_create(const char *db_path, const char *origin, cw_error *err)
{
    cw_buf key_path = CW_BUF_INIT(4096), vkey = CW_BUF_INIT(1024);
    cw_note_signer signer;
    cw_store *store = NULL;
    int made_key = 0, made_db = 0;
    char now[CW_RFC3339_MS_LEN + 1];
    cw_rc rc = cw_note_check_name(origin, err);
    if (rc) {
        cw_error_prefix(err, "origin: ");
        return rc;
    }
    int uri = cw_store_is_uri(db_path); /* PostgreSQL: no file; the store refuses a log */
    if ((rc = cw_ledger_key_path(db_path, &key_path, err)))
        return rc;
    if (!uri && access(db_path, F_OK) == 0) {
        rc = cw_error_set(err, CW_EEXIST, "%s: already exists; refusing to overwrite it", db_path);
        goto out;
    }
    if ((rc = cw_note_signer_generate(origin, &signer, err)))
        goto out;
    if ((rc = write_key_file(key_path.data, &signer, err)))
        goto out_signer;
    made_key = 1;
    if ((rc = cw_store_open(db_path, CW_STORE_CREATE, &store, err)))
        goto out_signer;
    made_db = 1; /* from here on the database file is ours to remove on failure */
    cw_time_format_ms(cw_time_now_ms(), now);
    if ((rc = cw_note_verifier_format(&signer.v, &vkey))) {
        cw_error_set(err, rc, "cannot format the verifier key");
        goto out_signer;
    }
    if ((rc = cw_store_begin(store, err)) ||
        (rc = cw_store_meta_put(store, "origin", origin, err)) ||
        (rc = cw_store_meta_put(store, "vkey", vkey.data, err)) ||
        (rc = cw_store_meta_put(store, "created_at", now, err)) ||
        (rc = cw_store_commit(store, err)))
        goto out_signer;
    cw_store_close(store);
    store = NULL;

    /* The first checkpoint, for the empty tree, goes through the normal path. */
    cw_ledger *l = NULL;
    if ((rc = cw_ledger_open(db_path, CW_LEDGER_WRITE, &l, err)))
        goto out_signer;
    if (!(rc = cw_store_begin(l->store, err)) && !(rc = sign_checkpoint(l, err)))
        rc = cw_store_commit(l->store, err);
    if (rc)
        cw_store_rollback(l->store);
    cw_ledger_close(l);

out_signer:
    cw_note_signer_release(&signer);
out:
    if (store)
        cw_store_close(store);
    if (rc && made_key)
        unlink(key_path.data);
    if (rc && made_db && !uri) {
        /* Leave nothing half-made, but never remove a file this call did not
         * create (a failed O_EXCL create means something else is there). */
        unlink(db_path);
        cw_buf tmp = CW_BUF_INIT(4200);
        if (!cw_buf_addf(&tmp, "%s-wal", db_path))
            unlink(tmp.data);
        cw_buf_reset(&tmp);
        if (!cw_buf_addf(&tmp, "%s-shm", db_path))
            unlink(tmp.data);
        cw_buf_release(&tmp);
    }
    cw_buf_release(&key_path);
    cw_buf_release(&vkey);
    return rc;
}

static cw_rc load_signer(cw_ledger *l, const char *db_path, cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096);
    char text[KEY_FILE_MAX];
    size_t len = 0;
    struct stat st;
    cw_rc rc = CW_OK;
    if ((rc = cw_ledger_key_path(db_path, &path, err)))
        return rc;
    /* One descriptor for the check and the read; no stdio buffer holds the key. */
    int fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO,
                          "%s: cannot read the log's signing key: %s", path.data, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = cw_error_set(err, CW_EIO, "%s: the signing key is not a regular file", path.data);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = cw_error_set(err, CW_EINVAL,
                          "%s: the signing key is readable by other users (mode %03o); "
                          "run chmod 600 on it",
                          path.data, (unsigned)(st.st_mode & 0777));
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, text + len, sizeof text - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = cw_error_set(err, CW_EIO, "%s: %s", path.data, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof text) {
            rc = cw_error_set(err, CW_EINVAL, "%s: too large to be a signing key", path.data);
            goto out;
        }
    }
    if ((rc = cw_note_signer_parse(text, len, &l->signer, err))) {
        cw_error_prefix(err, "%s: ", path.data);
        goto out;
    }
    if (strcmp(l->signer.v.name, l->verifier.name) != 0 ||
        memcmp(l->signer.v.public_key, l->verifier.public_key, 32) != 0)
        rc = cw_error_set(err, CW_EVERIFY,
                          "%s: this signing key is not the log's key (the database's vkey "
                          "differs)",
                          path.data);
out:
    if (fd >= 0)
        close(fd);
    sodium_memzero(text, sizeof text);
    cw_buf_release(&path);
    return rc;
}

/* Re-reads the stored size and the tree's right edge (O(log n) reads). */
static cw_rc load_tree(cw_ledger *l, cw_error *err)
{
    uint64_t end;
    cw_rc rc = cw_store_entries_end(l->store, &end, err);
    if (rc)
        return rc;
    if (!l->writable) {
        /* A reader needs only the size (roots and proofs read stored nodes
         * themselves), and a damaged log must still open so that caseward
         * verify can say where it is damaged. */
        l->builder.size = end;
        return CW_OK;
    }
    cw_merkle_source src;
    cw_ledger_source(l, &src, err);
    if ((rc = cw_merkle_builder_load(&l->builder, &src, end)))
        return node_failed(rc, err, "opening the log");
    l->last_recorded_ms = INT64_MIN;
    if (end > 0) {
        cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
        uint64_t idx;
        rc = cw_store_entry_leaf(l->store, end - 1, &leaf, err);
        if (!rc && cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &idx, &l->last_recorded_ms))
            rc = cw_error_set(err, CW_EVERIFY, "entry %llu is damaged (run caseward verify)",
                              (unsigned long long)(end - 1));
        cw_buf_release(&leaf);
    }
    return rc;
}

/* Before writing, check that the stored tree is the one the latest checkpoint signed. */
static cw_rc check_head(cw_ledger *l, cw_error *err)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    uint64_t size = 0;
    size_t text_len;
    cw_checkpoint cp;
    uint8_t root[CW_HASH_LEN];
    cw_rc rc = cw_store_checkpoint_latest(l->store, &note, &size, err);
    if (rc == CW_ENOTFOUND && l->builder.size == 0) {
        rc = CW_OK; /* a log being created: its first checkpoint is signed next */
        goto out;
    }
    if (rc)
        goto out;
    if ((rc = cw_note_open(&l->verifier, note.data, note.len, &text_len, err)) ||
        (rc = cw_checkpoint_parse(note.data, text_len, &cp, err))) {
        cw_error_prefix(err, "latest checkpoint: ");
        rc = CW_EVERIFY;
        goto out;
    }
    if (strcmp(cp.origin, l->origin) != 0) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the latest checkpoint's origin is not the log's; refusing to append "
                          "(run caseward verify)");
        goto out;
    }
    if (cp.size != l->builder.size) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the log has %llu entries but its latest checkpoint is for %llu; "
                          "refusing to append (run caseward verify)",
                          (unsigned long long)l->builder.size, (unsigned long long)cp.size);
        goto out;
    }
    if ((rc = cw_merkle_builder_root(&l->builder, &l->hasher, root)))
        goto out;
    if (memcmp(root, cp.root, CW_HASH_LEN) != 0)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the stored tree does not match the latest checkpoint; refusing to "
                          "append (run caseward verify)");
out:
    cw_buf_release(&note);
    return rc;
}

/* The database as messages name it: a URI, which may hold a password, is not repeated. */
static const char *shown_name(const char *db_path)
{
    return cw_store_is_uri(db_path) ? "database" : db_path;
}

cw_rc cw_ledger_open(const char *db_path, int flags, cw_ledger **out, cw_error *err)
{
    cw_buf val = CW_BUF_INIT(4096);
    *out = NULL;
    cw_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_buf_init(&l->leaf, CW_ENTRY_MAX_BYTES);
    cw_buf_init(&l->personal, CW_ENTRY_MAX_BYTES);
    l->writable = (flags & CW_LEDGER_WRITE) != 0;
    if (!(l->path = strdup(db_path))) {
        free(l);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    cw_rc rc = cw_hasher_init(&l->hasher);
    if (rc) {
        cw_error_set(err, rc, "cannot set up SHA-256");
        goto fail;
    }
    int sflags = l->writable ? 0 : CW_STORE_READONLY;
    if (flags & CW_LEDGER_NO_MMAP)
        sflags |= CW_STORE_NO_MMAP;
    if ((rc = cw_store_open(db_path, sflags, &l->store, err)))
        goto fail;
    if ((rc = cw_store_meta_get(l->store, "origin", &val, err)))
        goto fail;
    if (val.len > CW_NOTE_NAME_MAX) {
        rc = cw_error_set(err, CW_EDB, "%s: the stored origin is too long", shown_name(db_path));
        goto fail;
    }
    memcpy(l->origin, val.data, val.len + 1);
    if ((rc = cw_note_check_name(l->origin, err))) {
        cw_error_prefix(err, "%s: the stored origin is damaged: ", shown_name(db_path));
        rc = CW_EVERIFY;
        goto fail;
    }
    cw_buf_reset(&val);
    if ((rc = cw_store_meta_get(l->store, "vkey", &val, err)) ||
        (rc = cw_note_verifier_parse(val.data, val.len, &l->verifier, err)))
        goto fail;
    /* The size and the latest checkpoint as of one moment: another process may append
     * between two reads made apart (with PostgreSQL, from another machine too). */
    if ((rc = cw_store_begin_read(l->store, err)))
        goto fail;
    rc = load_tree(l, err);
    if (!rc && l->writable && !(rc = load_signer(l, db_path, err)))
        rc = check_head(l, err);
    cw_store_rollback(l->store);
    if (rc)
        goto fail;
    /* Once, for the salts of personal parts (fill_salts falls back to libsodium). */
    if (l->writable && sodium_init() < 0) {
        rc = cw_error_set(err, CW_ECRYPTO, "libsodium failed to initialise");
        goto fail;
    }
    cw_buf_release(&val);
    *out = l;
    return CW_OK;
fail:
    cw_buf_release(&val);
    cw_ledger_close(l);
    return rc;
}

void cw_ledger_close(cw_ledger *l)
{
    if (!l)
        return;
    if (l->in_batch)
        cw_ledger_batch_abort(l);
    cw_store_close(l->store);
    cw_hasher_release(&l->hasher);
    cw_note_signer_release(&l->signer);
    cw_buf_release(&l->leaf);
    cw_buf_release(&l->personal);
    sodium_memzero(l->salts, sizeof l->salts);
    free(l->cache);
    free(l->path);
    free(l);
}

const char *cw_ledger_path(const cw_ledger *l)
{
    return l->path;
}

cw_rc cw_ledger_refresh(cw_ledger *l, cw_error *err)
{
    if (l->writable)
        return CW_OK; /* a writer's size is its own */
    uint64_t end;
    cw_rc rc = cw_store_entries_end(l->store, &end, err);
    if (!rc)
        l->builder.size = end;
    return rc;
}

uint64_t cw_ledger_size(const cw_ledger *l)
{
    return l->builder.size;
}

const char *cw_ledger_origin(const cw_ledger *l)
{
    return l->origin;
}

cw_store *cw_ledger_store(cw_ledger *l)
{
    return l->store;
}

const cw_note_verifier *cw_ledger_verifier(const cw_ledger *l)
{
    return &l->verifier;
}

cw_rc cw_ledger_batch_begin(cw_ledger *l, cw_error *err)
{
    if (!l->writable)
        return cw_error_set(err, CW_EUSAGE, "the log was opened read-only");
    if (l->in_batch)
        return cw_error_set(err, CW_EUSAGE, "a batch is already open");
    cw_rc rc = cw_store_begin(l->store, err);
    if (rc)
        return rc;
    l->saved_builder = l->builder;
    l->saved_last_ms = l->last_recorded_ms;
    /* Another process may have appended since we last looked. What it
     * appended is signed only if the latest checkpoint vouches for it:
     * otherwise rows inserted into the file by someone without the key would
     * be covered by the next checkpoint this handle signs. */
    uint64_t end;
    if ((rc = cw_store_entries_end(l->store, &end, err)))
        goto fail;
    if (end != l->builder.size && ((rc = load_tree(l, err)) || (rc = check_head(l, err))))
        goto fail;
    /* recorded_at never goes backwards, even if the system clock does. */
    int64_t now = cw_time_now_ms();
    l->batch_ms = now > l->last_recorded_ms ? now : l->last_recorded_ms;
    l->in_batch = 1;
    return CW_OK;
fail:
    l->builder = l->saved_builder;
    l->last_recorded_ms = l->saved_last_ms;
    cw_store_rollback(l->store);
    return rc;
}

cw_rc cw_ledger_batch_add(cw_ledger *l, const cw_event *ev, uint64_t *index, cw_error *err)
{
    return cw_ledger_batch_add_source(l, ev, NULL, index, err);
}

cw_rc cw_ledger_batch_add_source(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                 uint64_t *index, cw_error *err)
{
    return cw_ledger_batch_add_personal(l, ev, src, NULL, index, err);
}

/*
 * Refills the salt pool. On Linux with one getrandom(2) call for the whole pool: libsodium's
 * randombytes_buf reads the same source (getrandom, flags 0) but in 256-byte pieces, 16 system
 * calls per pool. A short read (a signal) is continued; anything else falls back to libsodium.
 */
static void fill_salts(cw_ledger *l)
{
    size_t got = 0;
#ifdef __linux__
    while (got < sizeof l->salts) {
        ssize_t n = getrandom(l->salts + got, sizeof l->salts - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
#endif
    if (got < sizeof l->salts)
        randombytes_buf(l->salts + got, sizeof l->salts - got);
    l->salts_left = sizeof l->salts;
}

cw_rc cw_ledger_batch_add_personal(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                   const json_t *personal, uint64_t *index, cw_error *err)
{
    uint8_t hashes[65][CW_HASH_LEN];
    uint8_t salt[CW_PERSONAL_SALT_LEN], commitment[CW_HASH_LEN];
    unsigned ncompleted = 0;
    if (!l->in_batch || l->batch_failed)
        return cw_error_set(err, CW_EUSAGE, "no batch is open, or it failed and must be aborted");
    uint64_t idx = l->builder.size;
    cw_rc rc = CW_OK;
    cw_buf *body = &l->personal;
    cw_buf_reset(body);
    if (personal) {
        /* the part's canonical bytes, hidden behind a salt of its own */
        if (!json_is_object(personal))
            rc = cw_error_set(err, CW_EINVAL, "personal: must be a JSON object");
        else if ((rc = cw_json_write_canonical(personal, body)))
            rc = cw_error_set(err, rc, "personal: larger than %d bytes or nested too deeply",
                              CW_ENTRY_MAX_BYTES);
        if (!rc) {
            if (l->salts_left < sizeof salt)
                fill_salts(l); /* libsodium was initialised when the log was opened */
            l->salts_left -= sizeof salt;
            memcpy(salt, l->salts + l->salts_left, sizeof salt);
            sodium_memzero(l->salts + l->salts_left, sizeof salt);
            if ((rc = cw_hash_personal(&l->hasher, salt, body->data, body->len, commitment)))
                rc = cw_error_set(err, rc, "hashing entry %llu's personal part failed",
                                  (unsigned long long)idx);
        }
    }
    cw_buf_reset(&l->leaf);
    if (!rc)
        rc = cw_entry_encode_full(idx, l->batch_ms, ev, src, personal ? commitment : NULL, &l->leaf,
                                  err);
    if (rc) {
        l->batch_failed = 1; /* all or nothing: the caller must abort */
        return rc;
    }
    if ((rc = cw_hash_leaf(&l->hasher, l->leaf.data, l->leaf.len, hashes[0])) ||
        (rc =
             cw_merkle_builder_push(&l->builder, &l->hasher, hashes[0], hashes + 1, &ncompleted))) {
        l->batch_failed = 1;
        return cw_error_set(err, rc, "hashing entry %llu failed", (unsigned long long)idx);
    }
    rc = cw_store_entry_put(l->store, idx, hashes[0], (size_t)CW_HASH_LEN * (1 + ncompleted),
                            l->leaf.data, l->leaf.len, err);
    if (!rc && personal)
        rc = cw_store_personal_put(l->store, idx, salt, sizeof salt, body->data, body->len, err);
    sodium_memzero(salt, sizeof salt);
    if (body->len)
        sodium_memzero(body->data, body->len);
    if (rc) {
        /* The builder now runs ahead of the store; abort restores both. */
        l->batch_failed = 1;
        return rc;
    }
    l->last_recorded_ms = l->batch_ms;
    if (index)
        *index = idx;
    return CW_OK;
}

cw_rc cw_ledger_batch_commit(cw_ledger *l, uint64_t *new_size, cw_error *err)
{
    if (!l->in_batch || l->batch_failed)
        return cw_error_set(err, CW_EUSAGE, "no batch is open, or it failed and must be aborted");
    /* An empty batch adds nothing: the latest checkpoint already covers this
     * size, and a second one for the same size could not be stored. */
    cw_rc rc = l->builder.size == l->saved_builder.size ? CW_OK : sign_checkpoint(l, err);
    if (!rc)
        rc = cw_store_commit(l->store, err);
    if (rc) {
        cw_ledger_batch_abort(l);
        return rc;
    }
    l->in_batch = 0;
    if (new_size)
        *new_size = l->builder.size;
    return CW_OK;
}

int64_t cw_ledger_batch_ms(const cw_ledger *l)
{
    return l->batch_ms;
}

/* Subkey 1 of context ctx (8 bytes) from the signing key's seed (its first 32 bytes), the
 * master key: each key of its own, so one says nothing of another or of the signatures. */
static cw_rc derive_key(const cw_ledger *l, const char ctx[8], const char *what, uint8_t key[32],
                        cw_error *err)
{
    if (!l->writable)
        return cw_error_set(err, CW_EUSAGE, "the %s key needs the log open for writing", what);
    if (sodium_init() < 0 || crypto_kdf_derive_from_key(key, 32, 1, ctx, l->signer.secret_key) != 0)
        return cw_error_set(err, CW_ECRYPTO, "deriving the %s key failed", what);
    return CW_OK;
}

cw_rc cw_ledger_text_key(const cw_ledger *l, uint8_t key[32], cw_error *err)
{
    return derive_key(l, "cwprint1", "text", key, err);
}

cw_rc cw_ledger_device_key(const cw_ledger *l, uint8_t key[32], cw_error *err)
{
    return derive_key(l, "cwdevice", "device", key, err); /* a device cookie's MAC */
}

void cw_ledger_batch_abort(cw_ledger *l)
{
    if (!l->in_batch)
        return;
    cw_store_rollback(l->store);
    l->builder = l->saved_builder;
    l->last_recorded_ms = l->saved_last_ms;
    l->in_batch = 0;
    l->batch_failed = 0;
    if (l->cache)
        memset(l->cache, 0, NODE_CACHE_SLOTS * sizeof *l->cache);
}

cw_rc cw_ledger_append(cw_ledger *l, const cw_event *ev, size_t n, uint64_t *new_size,
                       cw_error *err)
{
    cw_rc rc = cw_ledger_batch_begin(l, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = cw_ledger_batch_add(l, &ev[i], NULL, err))) {
            if (n > 1)
                cw_error_prefix(err, "event %zu: ", i + 1);
            cw_ledger_batch_abort(l);
            return rc;
        }
    }
    return cw_ledger_batch_commit(l, new_size, err);
}

static cw_rc check_size(cw_ledger *l, uint64_t size, cw_error *err)
{
    if (size > l->builder.size)
        return cw_error_set(err, CW_EINVAL, "size %llu is beyond the log's %llu entries",
                            (unsigned long long)size, (unsigned long long)l->builder.size);
    return CW_OK;
}

cw_rc cw_ledger_root(cw_ledger *l, uint64_t size, uint8_t root[CW_HASH_LEN], cw_error *err)
{
    cw_merkle_source src;
    cw_rc rc = check_size(l, size, err);
    if (rc)
        return rc;
    cw_ledger_source(l, &src, err);
    if ((rc = cw_merkle_root(&src, size, root)))
        return node_failed(rc, err, "computing a root");
    return CW_OK;
}

cw_rc cw_ledger_inclusion_proof(cw_ledger *l, uint64_t index, uint64_t size,
                                uint8_t proof[][CW_HASH_LEN], size_t *n, cw_error *err)
{
    cw_merkle_source src;
    cw_rc rc = check_size(l, size, err);
    if (rc)
        return rc;
    if (index >= size)
        return cw_error_set(err, CW_EINVAL, "index %llu is not below the tree size %llu",
                            (unsigned long long)index, (unsigned long long)size);
    cw_ledger_source(l, &src, err);
    if ((rc = cw_merkle_inclusion_proof(&src, index, size, proof, n)))
        return node_failed(rc, err, "inclusion proof");
    return CW_OK;
}

cw_rc cw_ledger_consistency_proof(cw_ledger *l, uint64_t old, uint64_t size,
                                  uint8_t proof[][CW_HASH_LEN], size_t *n, cw_error *err)
{
    cw_merkle_source src;
    cw_rc rc = check_size(l, size, err);
    if (rc)
        return rc;
    if (old == 0 || old > size)
        return cw_error_set(err, CW_EINVAL,
                            "old size %llu must be at least 1 and at most the new size %llu",
                            (unsigned long long)old, (unsigned long long)size);
    cw_ledger_source(l, &src, err);
    if ((rc = cw_merkle_consistency_proof(&src, old, size, proof, n)))
        return node_failed(rc, err, "consistency proof");
    return CW_OK;
}

cw_rc cw_ledger_leaf(cw_ledger *l, uint64_t index, cw_buf *out, cw_error *err)
{
    return cw_store_entry_leaf(l->store, index, out, err);
}

cw_rc cw_ledger_checkpoint(cw_ledger *l, cw_buf *note, uint64_t *size, cw_error *err)
{
    /* What is handed out is checked first: signed by the log's key, for the
     * size it is stored under, within the log, and matching its root. */
    uint64_t s = 0, end = 0;
    size_t start = note->len, text_len;
    cw_checkpoint cp;
    uint8_t root[CW_HASH_LEN];
    cw_merkle_source src;
    cw_rc rc = cw_store_checkpoint_latest(l->store, note, &s, err);
    if (rc)
        return rc;
    if ((rc = cw_note_open(&l->verifier, note->data + start, note->len - start, &text_len, err)) ||
        (rc = cw_checkpoint_parse(note->data + start, text_len, &cp, err))) {
        cw_error_prefix(err, "the latest checkpoint does not verify (run caseward verify): ");
        rc = CW_EVERIFY;
    } else if (cp.size != s || strcmp(cp.origin, l->origin) != 0) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the latest checkpoint is not the log's own (run caseward verify)");
    } else if ((rc = cw_store_entries_end(l->store, &end, err))) {
        /* rc set */
    } else if (s > end) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the latest checkpoint covers %llu entries but the log has %llu (run "
                          "caseward verify)",
                          (unsigned long long)s, (unsigned long long)end);
    } else {
        cw_ledger_source(l, &src, err);
        if ((rc = cw_merkle_root(&src, s, root)))
            rc = node_failed(rc, err, "checking the latest checkpoint");
        else if (memcmp(root, cp.root, CW_HASH_LEN) != 0)
            rc = cw_error_set(err, CW_EVERIFY,
                              "the latest checkpoint does not match the log (run caseward "
                              "verify)");
    }
    if (rc) {
        note->len = start;
        if (note->data)
            note->data[start] = '\0';
        return rc;
    }
    if (size)
        *size = s;
    return CW_OK;
}

cw_rc cw_ledger_vkey(cw_ledger *l, cw_buf *out)
{
    return cw_note_verifier_format(&l->verifier, out);
}
