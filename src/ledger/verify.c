/*
 * verify.c — `caseward verify`. Two passes over a database:
 *   1. every entry in index order: contiguous indexes, hashes column of the
 *      right length, leaf hash = SHA-256(0x00 || stored bytes), the bytes'
 *      own index and non-decreasing recorded_at, and every stored interior
 *      node equal to the hash of its children (recomputed by a streaming
 *      builder, never read back);
 *   2. every stored checkpoint: signature by the verifier key, origin, size
 *      within the log, root equal to the (now proven) tree at that size.
 * An export directory gets pass 1 without stored nodes, then its checkpoint.
 * The first problem found is reported with its entry index or checkpoint.
 */
#include "ledger/verify.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "ledger/entry.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/time.h"

/* A leaf's commitment to its personal part, kept from pass 1 for the check of the personal
 * table (verify_personal): 40 bytes per committing entry, none for the others. */
typedef struct commit_rec {
    uint64_t idx;
    uint8_t commitment[CW_HASH_LEN];
} commit_rec;

typedef struct scan_state {
    cw_hasher hasher;
    cw_merkle_builder builder; /* local to the chunk being scanned */
    uint64_t next;             /* global index expected next */
    int64_t first_ms;          /* recorded_at of the chunk's first entry */
    int64_t last_ms;
    /* Stored nodes above the chunk, found in the chunk's last row. */
    uint8_t upper[64][CW_HASH_LEN];
    unsigned nupper;
    /* Root of the tree at pinned_size, captured while streaming (directories). */
    uint64_t capture_size;
    int captured;
    uint8_t capture_root[CW_HASH_LEN];
    uint64_t commitments; /* leaves that commit to a personal part (issue 13) */
    /* With keep_commitments (a database), each of those leaves' commitment, in index order. */
    int keep_commitments;
    commit_rec *recs;
    size_t nrecs, caprecs;
    cw_error *err;
} scan_state;

static cw_rc check_leaf(scan_state *st, uint64_t idx, const uint8_t *leaf, size_t llen,
                        uint8_t leaf_hash[CW_HASH_LEN])
{
    uint64_t own;
    int64_t ms;
    if (cw_hash_leaf(&st->hasher, leaf, llen, leaf_hash))
        return cw_error_set(st->err, CW_ECRYPTO, "entry %" PRIu64 ": hashing failed", idx);
    if (cw_entry_peek(leaf, llen, &own, &ms))
        return cw_error_set(st->err, CW_EVERIFY,
                            "entry %" PRIu64 ": its bytes are not a caseward entry", idx);
    if (own != idx)
        return cw_error_set(st->err, CW_EVERIFY,
                            "entry %" PRIu64 ": its bytes say index %" PRIu64
                            " (entries were moved, swapped or inserted)",
                            idx, own);
    if (st->last_ms == INT64_MIN)
        st->first_ms = ms;
    if (ms < st->last_ms) {
        char a[CW_RFC3339_MS_LEN + 1], b[CW_RFC3339_MS_LEN + 1];
        cw_time_format_ms(ms, a);
        cw_time_format_ms(st->last_ms, b);
        return cw_error_set(st->err, CW_EVERIFY,
                            "entry %" PRIu64 ": recorded_at %s is earlier than the entry "
                            "before it (%s)",
                            idx, a, b);
    }
    if (memchr(leaf, '\n', llen))
        return cw_error_set(st->err, CW_EVERIFY, "entry %" PRIu64 ": contains a raw newline", idx);
    st->last_ms = ms;
    int committed = 0;
    uint8_t c[CW_HASH_LEN];
    cw_entry_peek_commitment(leaf, llen, &committed, c);
    st->commitments += (uint64_t)committed;
    if (committed && st->keep_commitments) {
        if (cw_array_grow(&st->recs, &st->caprecs, st->nrecs, sizeof *st->recs))
            return cw_error_set(st->err, CW_ENOMEM,
                                "entry %" PRIu64 ": out of memory keeping its commitment", idx);
        st->recs[st->nrecs].idx = idx;
        memcpy(st->recs[st->nrecs++].commitment, c, CW_HASH_LEN);
    }
    return CW_OK;
}

static cw_rc capture(scan_state *st)
{
    if (st->builder.size == st->capture_size && !st->captured) {
        if (cw_merkle_builder_root(&st->builder, &st->hasher, st->capture_root))
            return cw_error_set(st->err, CW_ECRYPTO, "hashing failed");
        st->captured = 1;
    }
    return CW_OK;
}

static cw_rc node_mismatch(cw_error *err, uint64_t idx, unsigned level)
{
    return cw_error_set(err, CW_EVERIFY,
                        "entry %" PRIu64 ": the stored tree node at level %u does not "
                        "match its children (an earlier entry or node was altered)",
                        idx, level);
}

static cw_rc db_entry(void *ctx, int64_t sidx, const uint8_t *hashes, size_t hlen,
                      const uint8_t *leaf, size_t llen)
{
    scan_state *st = ctx;
    uint8_t leaf_hash[CW_HASH_LEN];
    uint8_t completed[64][CW_HASH_LEN];
    unsigned nc;
    if (sidx < 0 || (uint64_t)sidx != st->next) {
        if (sidx >= 0 && (uint64_t)sidx > st->next)
            return cw_error_set(st->err, CW_EVERIFY,
                                "entry %" PRIu64 " is missing (the next stored entry is %" PRId64
                                "): entries were deleted",
                                st->next, sidx);
        return cw_error_set(st->err, CW_EVERIFY, "entry index %" PRId64 " is not valid", sidx);
    }
    uint64_t idx = (uint64_t)sidx;
    size_t want = (size_t)CW_HASH_LEN * (1 + cw_merkle_ctz(idx + 1));
    if (hlen != want)
        return cw_error_set(st->err, CW_EVERIFY,
                            "entry %" PRIu64 ": stored hashes are %zu bytes, expected %zu", idx,
                            hlen, want);
    cw_rc rc = check_leaf(st, idx, leaf, llen, leaf_hash);
    if (rc)
        return rc;
    if (memcmp(leaf_hash, hashes, CW_HASH_LEN) != 0)
        return cw_error_set(st->err, CW_EVERIFY,
                            "entry %" PRIu64 ": its bytes do not match its stored leaf hash "
                            "(the entry was altered)",
                            idx);
    if (cw_merkle_builder_push(&st->builder, &st->hasher, leaf_hash, completed, &nc))
        return cw_error_set(st->err, CW_ECRYPTO, "hashing failed");
    for (unsigned k = 0; k < nc; k++)
        if (memcmp(completed[k], hashes + (size_t)CW_HASH_LEN * (k + 1), CW_HASH_LEN) != 0)
            return node_mismatch(st->err, idx, k + 1);
    /* Nodes above the chunk are checked when the chunks are merged. */
    st->nupper = (unsigned)(hlen / CW_HASH_LEN) - 1 - nc;
    memcpy(st->upper, hashes + (size_t)CW_HASH_LEN * (1 + nc), (size_t)CW_HASH_LEN * st->nupper);
    st->next++;
    return capture(st);
}

/*
 * Pass 1 over a database runs on aligned chunks of 2^CHUNK_LEVEL entries. A
 * chunk is a perfect subtree, so every node inside it is checked by the
 * thread that scans it, with no shared state; nodes above the chunks (found in
 * each chunk's last row) and recorded_at across chunk boundaries are checked
 * when the chunks are merged in order. The first problem in the lowest chunk
 * is the one reported, so the result does not depend on thread timing.
 */
#define CHUNK_LEVEL        14
#define CHUNK              ((uint64_t)1 << CHUNK_LEVEL)
#define MAX_THREADS        8
#define MAX_PLAUSIBLE_SIZE ((uint64_t)1 << 48) /* 281 trillion entries */

typedef struct chunk_result {
    cw_rc rc;
    cw_error err;
    uint8_t root[CW_HASH_LEN]; /* root of the chunk (full chunks) */
    cw_merkle_builder partial; /* the builder of the last chunk */
    uint8_t upper[64][CW_HASH_LEN];
    unsigned nupper;
    int64_t first_ms, last_ms;
    uint64_t commitments;
    commit_rec *recs; /* the chunk's committing leaves, in index order (owned; freed by
                         commit_index_release) */
    size_t nrecs;
} chunk_result;

typedef struct pass1 {
    const char *path;
    uint64_t size;
    uint64_t nchunks;
    chunk_result *res;
    pthread_mutex_t lock;
    uint64_t next_chunk;   /* guarded by lock */
    uint64_t first_failed; /* guarded by lock; chunks above it are skipped */
    cw_rc open_rc;         /* guarded by lock */
    cw_error open_err;
} pass1;

static void scan_chunk(pass1 *p, cw_store *store, scan_state *st, uint64_t c)
{
    chunk_result *r = &p->res[c];
    uint64_t start = c * CHUNK, end = start + CHUNK < p->size ? start + CHUNK : p->size;
    cw_merkle_builder_init(&st->builder);
    st->next = start;
    st->last_ms = INT64_MIN;
    st->first_ms = INT64_MIN;
    st->nupper = 0;
    st->commitments = 0;
    st->keep_commitments = 1;
    st->recs = NULL;
    st->nrecs = st->caprecs = 0;
    st->err = &r->err;
    r->rc = cw_store_entry_scan(store, (int64_t)start, (int64_t)end, db_entry, st, &r->err);
    if (!r->rc && st->next != end)
        r->rc = cw_error_set(&r->err, CW_EVERIFY,
                             "entry %" PRIu64 " is missing: entries were deleted", st->next);
    if (!r->rc && cw_merkle_builder_root(&st->builder, &st->hasher, r->root))
        r->rc = cw_error_set(&r->err, CW_ECRYPTO, "hashing failed");
    r->partial = st->builder;
    memcpy(r->upper, st->upper, sizeof r->upper);
    r->nupper = st->nupper;
    r->first_ms = st->first_ms;
    r->last_ms = st->last_ms;
    r->commitments = st->commitments;
    r->recs = st->recs; /* handed over, even on failure, so that it is freed */
    r->nrecs = st->nrecs;
    st->recs = NULL;
}

static void *pass1_worker(void *arg)
{
    pass1 *p = arg;
    cw_store *store = NULL;
    cw_error err;
    scan_state *st = calloc(1, sizeof *st);
    cw_rc rc = st ? cw_hasher_init(&st->hasher) : CW_ENOMEM;
    if (!rc)
        rc = cw_store_open(p->path, CW_STORE_READONLY, &store, &err);
    else
        cw_error_set(&err, rc, "cannot set up SHA-256");
    pthread_mutex_lock(&p->lock);
    if (rc && !p->open_rc) {
        p->open_rc = rc;
        p->open_err = err;
    }
    pthread_mutex_unlock(&p->lock);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        uint64_t c = p->next_chunk++;
        int skip = rc || c >= p->nchunks || c > p->first_failed;
        pthread_mutex_unlock(&p->lock);
        if (skip)
            break;
        scan_chunk(p, store, st, c);
        if (p->res[c].rc) {
            pthread_mutex_lock(&p->lock);
            if (c < p->first_failed)
                p->first_failed = c;
            pthread_mutex_unlock(&p->lock);
        }
    }
    cw_store_close(store);
    if (st)
        cw_hasher_release(&st->hasher);
    free(st);
    return NULL;
}

static cw_rc merge_chunks(pass1 *p, cw_hasher *h, uint8_t root[CW_HASH_LEN], cw_error *err)
{
    cw_merkle_builder top, all;
    cw_merkle_builder_init(&top);
    int64_t last_ms = INT64_MIN;
    for (uint64_t c = 0; c < p->nchunks; c++) {
        chunk_result *r = &p->res[c];
        if (r->rc) {
            *err = r->err;
            return r->rc;
        }
        if (r->first_ms < last_ms)
            return cw_error_set(err, CW_EVERIFY,
                                "entry %" PRIu64 ": recorded_at is earlier than the entry "
                                "before it",
                                c * CHUNK);
        last_ms = r->last_ms;
        if ((c + 1) * CHUNK > p->size)
            break; /* the partial last chunk has no nodes above it */
        uint8_t completed[64][CW_HASH_LEN];
        unsigned nc;
        if (cw_merkle_builder_push(&top, h, r->root, completed, &nc))
            return cw_error_set(err, CW_ECRYPTO, "hashing failed");
        if (nc != r->nupper)
            return cw_error_set(err, CW_EVERIFY,
                                "entry %" PRIu64 ": wrong number of stored "
                                "tree nodes",
                                (c + 1) * CHUNK - 1);
        for (unsigned k = 0; k < nc; k++)
            if (memcmp(completed[k], r->upper[k], CW_HASH_LEN) != 0)
                return node_mismatch(err, (c + 1) * CHUNK - 1, CHUNK_LEVEL + k + 1);
    }
    /* The whole tree's compact range: chunk-level entries from top, the
     * partial last chunk's entries below them. */
    all.size = p->size;
    for (unsigned lv = 0; lv < 64; lv++) {
        if (!(p->size >> lv & 1))
            continue;
        if (lv < CHUNK_LEVEL)
            memcpy(all.stack[lv], p->res[p->nchunks - 1].partial.stack[lv], CW_HASH_LEN);
        else
            memcpy(all.stack[lv], top.stack[lv - CHUNK_LEVEL], CW_HASH_LEN);
    }
    if (cw_merkle_builder_root(&all, h, root))
        return cw_error_set(err, CW_ECRYPTO, "hashing failed");
    return CW_OK;
}

static void run_parallel(void *(*fn)(void *), void *const *args, unsigned n);
static unsigned ncpus(void);

static cw_rc no_negative(void *ctx, int64_t idx, const uint8_t *h, size_t hl, const uint8_t *l,
                         size_t ll)
{
    (void)h, (void)hl, (void)l, (void)ll;
    return cw_error_set(ctx, CW_EVERIFY, "entry index %" PRId64 " is not valid", idx);
}

/* The commitments pass 1 found, by chunk of CHUNK entries, each chunk's in index order. */
typedef struct commit_index {
    chunk_result *res; /* owned */
    uint64_t nchunks;
    uint64_t total; /* leaves that commit to a personal part */
} commit_index;

static void commit_index_release(commit_index *ci)
{
    for (uint64_t c = 0; ci->res && c < ci->nchunks; c++)
        free(ci->res[c].recs);
    free(ci->res);
    ci->res = NULL;
    ci->nchunks = 0;
}

/* The commitment of leaf idx, or NULL if it commits to none (idx below the log's size). */
static const commit_rec *commit_find(const commit_index *ci, uint64_t idx)
{
    uint64_t c = idx / CHUNK;
    if (c >= ci->nchunks)
        return NULL;
    const commit_rec *r = ci->res[c].recs;
    size_t lo = 0, hi = ci->res[c].nrecs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].idx < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ci->res[c].nrecs && r[lo].idx == idx ? &r[lo] : NULL;
}

/* Pass 1. On success ci holds every committing leaf's commitment; the caller releases it. */
static cw_rc verify_entries(const char *path, cw_store *store, uint64_t size, cw_hasher *h,
                            uint8_t root[CW_HASH_LEN], commit_index *ci, cw_error *err)
{
    memset(ci, 0, sizeof *ci);
    cw_rc rc = cw_store_entry_scan(store, INT64_MIN, 0, no_negative, err, err);
    if (rc)
        return rc;
    if (size > MAX_PLAUSIBLE_SIZE)
        return cw_error_set(err, CW_EVERIFY,
                            "entry index %" PRIu64 " is implausible: rows were inserted at "
                            "arbitrary indexes",
                            size - 1);
    if (size == 0)
        return cw_hash_raw(h, "", 0, root);
    pass1 p = {.path = path, .size = size, .nchunks = (size + CHUNK - 1) / CHUNK};
    p.first_failed = UINT64_MAX;
    p.res = calloc(p.nchunks, sizeof *p.res);
    if (!p.res)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    pthread_mutex_init(&p.lock, NULL);
    unsigned nthreads = ncpus();
    if (nthreads > p.nchunks)
        nthreads = (unsigned)p.nchunks;
    void *args[MAX_THREADS];
    for (unsigned i = 0; i < nthreads; i++)
        args[i] = &p; /* the workers share one queue of chunks */
    run_parallel(pass1_worker, args, nthreads);
    if (p.open_rc) {
        *err = p.open_err;
        rc = p.open_rc;
    } else {
        rc = merge_chunks(&p, h, root, err);
        for (uint64_t c = 0; !rc && c < p.nchunks; c++)
            ci->total += p.res[c].commitments;
    }
    pthread_mutex_destroy(&p.lock);
    ci->res = p.res;
    ci->nchunks = p.nchunks;
    if (rc)
        commit_index_release(ci);
    return rc;
}

/*
 * Pass 2: every stored checkpoint, split by size range across threads, each
 * with its own read-only ledger. Within a range checkpoints are checked in
 * size order and the first failure stops the range; the failure reported is
 * the one with the smallest size, so the result does not depend on timing.
 */
typedef struct cp_state {
    const char *path;
    const cw_note_verifier *v;
    const char *origin;
    uint64_t size; /* entries in the (verified) log */
    int64_t from, to;
    cw_ledger *ledger;
    /* Results. */
    uint64_t count; /* checkpoints verified */
    int any;
    uint64_t latest; /* largest size verified */
    uint8_t latest_root[CW_HASH_LEN];
    cw_rc rc;
    cw_error err;
    int root_mismatch;    /* rc is a root that does not match the log ... */
    uint64_t fail_size;   /* ... of the checkpoint for this size */
    int beyond;           /* rc is a checkpoint for more entries than were verified ... */
    uint64_t beyond_size; /* ... this many (a concurrent append, or a truncation) */
} cp_state;

static cw_rc open_checkpoint(const cw_note_verifier *v, const char *origin, const char *note,
                             size_t len, cw_checkpoint *cp, cw_error *err)
{
    size_t text_len;
    cw_rc rc = cw_note_open(v, note, len, &text_len, err);
    if (rc)
        return CW_EVERIFY;
    if ((rc = cw_checkpoint_parse(note, text_len, cp, err)))
        return CW_EVERIFY;
    if (strcmp(cp->origin, origin) != 0)
        return cw_error_set(err, CW_EVERIFY, "its origin \"%s\" is not the log's \"%s\"",
                            cp->origin, origin);
    return CW_OK;
}

static cw_rc db_checkpoint(void *ctx, int64_t size, const char *note, size_t len)
{
    cp_state *cs = ctx;
    cw_checkpoint cp;
    uint8_t root[CW_HASH_LEN];
    cw_rc rc = open_checkpoint(cs->v, cs->origin, note, len, &cp, &cs->err);
    if (rc) {
        cw_error_prefix(&cs->err, "checkpoint for size %" PRId64 ": ", size);
        return rc;
    }
    if (size < 0 || cp.size != (uint64_t)size)
        return cw_error_set(&cs->err, CW_EVERIFY,
                            "checkpoint stored under size %" PRId64 " says size %" PRIu64, size,
                            cp.size);
    if (cp.size > cs->size) {
        /* Sizes ascend, so every later checkpoint is beyond too. */
        cs->beyond = 1;
        cs->beyond_size = cp.size;
        return CW_EVERIFY;
    }
    if ((rc = cw_ledger_root(cs->ledger, cp.size, root, &cs->err)))
        return rc;
    if (memcmp(root, cp.root, CW_HASH_LEN) != 0) {
        cs->root_mismatch = 1;
        cs->fail_size = cp.size;
        return CW_EVERIFY;
    }
    cs->any = 1;
    cs->latest = cp.size;
    memcpy(cs->latest_root, root, CW_HASH_LEN);
    cs->count++;
    return CW_OK;
}

static void *pass2_worker(void *arg)
{
    cp_state *cs = arg;
    cs->rc = cw_ledger_open(cs->path, CW_LEDGER_READONLY, &cs->ledger, &cs->err);
    if (!cs->rc)
        cs->rc = cw_store_checkpoint_scan(cw_ledger_store(cs->ledger), cs->from, cs->to,
                                          db_checkpoint, cs, &cs->err);
    cw_ledger_close(cs->ledger);
    cs->ledger = NULL;
    return NULL;
}

/* Runs fn(args[i]) for i < n, on n - 1 new threads and this one. */
static void run_parallel(void *(*fn)(void *), void *const *args, unsigned n)
{
    pthread_t tid[MAX_THREADS];
    unsigned started = 0;
    for (; started + 1 < n; started++)
        if (pthread_create(&tid[started], NULL, fn, args[started + 1]) != 0)
            break;
    fn(args[0]);
    /* Work a thread could not be started for runs here. */
    for (unsigned i = started + 1; i < n; i++)
        fn(args[i]);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

static unsigned ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* Verifies every checkpoint; merges into *total (latest, latest_root, count). */
static cw_rc verify_checkpoints(const char *path, const cw_note_verifier *v, const char *origin,
                                uint64_t size, cp_state *total, cw_error *err)
{
    cp_state cs[MAX_THREADS];
    void *args[MAX_THREADS];
    unsigned n = size < 1024 ? 1 : ncpus();
    for (unsigned i = 0; i < n; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].path = path;
        cs[i].v = v;
        cs[i].origin = origin;
        cs[i].size = size;
        /* Inclusive ranges covering every possible size, negative ones too. */
        cs[i].from = i == 0 ? INT64_MIN : (int64_t)((size + 1) / n * i);
        cs[i].to = i + 1 == n ? INT64_MAX : (int64_t)((size + 1) / n * (i + 1)) - 1;
        args[i] = &cs[i];
    }
    run_parallel(pass2_worker, args, n);
    memset(total, 0, sizeof *total);
    for (unsigned i = 0; i < n; i++) {
        if (cs[i].rc && cs[i].root_mismatch) {
            uint64_t s = cs[i].fail_size;
            if (cs[i].any || total->any) {
                uint64_t good = cs[i].any ? cs[i].latest : total->latest;
                return cw_error_set(err, CW_EVERIFY,
                                    "checkpoint for size %" PRIu64 " does not match the log: "
                                    "entries %" PRIu64 " to %" PRIu64
                                    " were changed after it was signed (the checkpoint for size "
                                    "%" PRIu64 " still matches)",
                                    s, good, s - 1, good);
            }
            return cw_error_set(err, CW_EVERIFY,
                                "checkpoint for size %" PRIu64 " does not match the log: entries "
                                "0 to %" PRIu64 " were changed after it was signed",
                                s, s ? s - 1 : 0);
        }
        if (cs[i].rc && cs[i].beyond) {
            /* Entries and their checkpoint are committed together, so a
             * checkpoint beyond the verified size is either an append that
             * landed while verify ran, or a sign that entries were removed. */
            uint64_t now_end = 0;
            cw_store *st = NULL;
            if (cw_store_open(path, CW_STORE_READONLY, &st, NULL) == CW_OK)
                cw_store_entries_end(st, &now_end, NULL);
            cw_store_close(st);
            if (now_end < cs[i].beyond_size)
                return cw_error_set(err, CW_EVERIFY,
                                    "checkpoint for size %" PRIu64 " but the log has only %" PRIu64
                                    " entries: entries %" PRIu64 " and after were removed",
                                    cs[i].beyond_size, now_end, now_end);
            cs[i].rc = CW_OK; /* appended meanwhile: outside this verification */
        }
        if (cs[i].rc) {
            *err = cs[i].err;
            return cs[i].rc;
        }
        total->count += cs[i].count;
        if (cs[i].any) {
            total->any = 1;
            total->latest = cs[i].latest;
            memcpy(total->latest_root, cs[i].latest_root, CW_HASH_LEN);
        }
    }
    return CW_OK;
}

static cw_rc pick_key(const cw_verify_opts *o, const char *log_vkey, size_t log_len,
                      cw_note_verifier *v, cw_verify_report *r, cw_error *err)
{
    cw_rc rc;
    cw_note_verifier logv;
    int have_log = log_vkey && cw_note_verifier_parse(log_vkey, log_len, &logv, NULL) == CW_OK;
    if (o->vkey) {
        if ((rc = cw_note_verifier_parse(o->vkey, strlen(o->vkey), v, err))) {
            cw_error_prefix(err, "pinned key: ");
            return CW_EINVAL;
        }
        r->key_pinned = 1;
        if (have_log &&
            (strcmp(logv.name, v->name) != 0 || memcmp(logv.public_key, v->public_key, 32) != 0))
            return cw_error_set(err, CW_EVERIFY,
                                "the log's key %.*s is not the pinned key %s+%02x%02x%02x%02x: "
                                "the log was re-signed with a different key",
                                (int)log_len, log_vkey, v->name, v->key_id[0], v->key_id[1],
                                v->key_id[2], v->key_id[3]);
    } else {
        if (!have_log)
            return cw_error_set(err, CW_EVERIFY, "the log's verifier key is missing or damaged");
        *v = logv;
    }
    cw_buf b = CW_BUF_INIT(sizeof r->key - 1);
    if (!cw_note_verifier_format(v, &b))
        memcpy(r->key, b.data, b.len + 1);
    cw_buf_release(&b);
    return CW_OK;
}

/* Checks a pinned checkpoint against the verified log of size entries, whose
 * root at the pinned size is root_now (when have_root). */
static cw_rc check_pinned(const cw_checkpoint *pinned, uint64_t size,
                          const uint8_t root_now[CW_HASH_LEN], int have_root, cw_error *err)
{
    if (pinned->size > size)
        return cw_error_set(err, CW_EVERIFY,
                            "the pinned checkpoint is for %" PRIu64 " entries but the log has "
                            "only %" PRIu64 ": the log was truncated",
                            pinned->size, size);
    if (!have_root || memcmp(root_now, pinned->root, CW_HASH_LEN) != 0)
        return cw_error_set(err, CW_EVERIFY,
                            "the log no longer contains the pinned checkpoint (size %" PRIu64
                            "): entries before %" PRIu64 " were altered or the log was rewritten",
                            pinned->size, pinned->size);
    return CW_OK;
}

static cw_rc parse_pinned(const cw_verify_opts *o, const cw_note_verifier *v, const char *origin,
                          cw_checkpoint *cp, cw_error *err)
{
    cw_rc rc = open_checkpoint(v, origin, o->checkpoint, o->checkpoint_len, cp, err);
    if (rc)
        cw_error_prefix(err, "pinned checkpoint: ");
    return rc;
}

/*
 * Issue 13: the personal parts kept beside the leaves. Each stored row belongs to an entry
 * whose leaf commits to a personal part: a held part must hash, with its salt, to that
 * commitment (cw_hash_personal), and an erased one must name the later entry that erased it.
 * Rows and committing leaves are then equal in number, so no leaf's part was deleted.
 * The commitments are the ones pass 1 read from the leaves it hashed (commit_index), so no
 * leaf is read twice.
 */
typedef struct personal_check {
    const commit_index *ci;
    uint64_t size, rows;
    /* Rows naming an entry at or past size (as theirs or as their erasure): 1 + the highest such
     * entry, 0 if none. Appends that landed while verify ran, or a sign of tampering: which,
     * the log's size read after the scan says (verify_personal). */
    uint64_t beyond_end, beyond_row, erased_beyond_end, erased_beyond_row;
    cw_hasher *h;
    cw_error *err;
} personal_check;

/* A held part, with its salt, hashes to the commitment in its leaf (a database's row and an
 * export's line are held to the same rule). */
static int part_matches(cw_hasher *h, const commit_rec *rec, const uint8_t *salt, size_t salt_len,
                        const uint8_t *body, size_t body_len)
{
    uint8_t got[CW_HASH_LEN];
    return salt_len == CW_PERSONAL_SALT_LEN &&
           !cw_hash_personal(h, salt, body ? body : (const uint8_t *)"", body_len, got) &&
           !memcmp(got, rec->commitment, CW_HASH_LEN);
}

static cw_rc personal_row(void *ctx, uint64_t idx, const uint8_t *salt, size_t salt_len,
                          const uint8_t *body, size_t body_len, uint64_t erased_idx)
{
    personal_check *pc = ctx;
    if (idx >= pc->size) {
        if (idx + 1 > pc->beyond_end)
            pc->beyond_end = idx + 1, pc->beyond_row = idx;
        return CW_OK;
    }
    pc->rows++;
    const commit_rec *rec = commit_find(pc->ci, idx);
    if (!rec)
        return cw_error_set(pc->err, CW_EVERIFY,
                            "entry %" PRIu64 ": personal data is stored for it, but its leaf "
                            "commits to none (added afterwards)",
                            idx);
    if (!salt) {
        if (erased_idx <= idx)
            return cw_error_set(pc->err, CW_EVERIFY,
                                "entry %" PRIu64 ": its personal data is marked erased by entry "
                                "%" PRIu64 ", which is not a later entry of the log",
                                idx, erased_idx);
        if (erased_idx >= pc->size && erased_idx + 1 > pc->erased_beyond_end)
            pc->erased_beyond_end = erased_idx + 1, pc->erased_beyond_row = idx;
        return CW_OK;
    }
    if (!part_matches(pc->h, rec, salt, salt_len, body, body_len))
        return cw_error_set(pc->err, CW_EVERIFY,
                            "entry %" PRIu64 ": its personal data does not match the commitment "
                            "in its leaf (altered)",
                            idx);
    return CW_OK;
}

static cw_rc verify_personal(cw_ledger *l, uint64_t size, const commit_index *ci, cw_hasher *h,
                             cw_error *err)
{
    personal_check pc = {.ci = ci, .size = size, .h = h, .err = err};
    cw_rc rc = cw_store_personal_scan(cw_ledger_store(l), personal_row, &pc, err);
    if (!rc && (pc.beyond_end || pc.erased_beyond_end)) {
        /* A part and its entry are committed together, and an erasure with its entry: once the
         * scan has seen a row, its entry is in the log. Read the log's size again; a row past
         * it was not written by caseward. */
        uint64_t now_end = 0;
        cw_ledger *now = NULL;
        if ((rc = cw_ledger_open(cw_ledger_path(l), CW_LEDGER_READONLY, &now, err)))
            return rc;
        now_end = cw_ledger_size(now);
        cw_ledger_close(now);
        if (pc.beyond_end > now_end)
            return cw_error_set(err, CW_EVERIFY,
                                "personal data is stored for entry %" PRIu64 ", which the log "
                                "does not have",
                                pc.beyond_row);
        if (pc.erased_beyond_end > now_end)
            return cw_error_set(err, CW_EVERIFY,
                                "entry %" PRIu64 ": its personal data is marked erased by entry "
                                "%" PRIu64 ", which is not a later entry of the log",
                                pc.erased_beyond_row, pc.erased_beyond_end - 1);
    }
    if (!rc && pc.rows != ci->total)
        rc = cw_error_set(err, CW_EVERIFY,
                          "%" PRIu64 " entries commit to personal data that is neither held "
                          "nor erased (deleted)",
                          ci->total - pc.rows);
    return rc;
}

static cw_rc verify_db(const cw_verify_opts *o, cw_verify_report *r, cw_error *err)
{
    cw_ledger *l = NULL;
    scan_state st = {0};
    cw_note_verifier v;
    cw_checkpoint pinned;
    cw_buf vk = CW_BUF_INIT(1024);
    cw_rc rc = cw_ledger_open(o->db_path, CW_LEDGER_READONLY, &l, err);
    if (rc)
        return rc;
    if ((rc = cw_ledger_vkey(l, &vk)) || (rc = pick_key(o, vk.data, vk.len, &v, r, err)))
        goto out;
    if (o->checkpoint && (rc = parse_pinned(o, &v, cw_ledger_origin(l), &pinned, err)))
        goto out;
    if ((rc = cw_hasher_init(&st.hasher))) {
        cw_error_set(err, rc, "cannot set up SHA-256");
        goto out;
    }
    /* The ledger's size is one past the highest stored index; pass 1 proves
     * every index below it is present. */
    st.next = cw_ledger_size(l);
    commit_index ci;
    rc = verify_entries(o->db_path, cw_ledger_store(l), st.next, &st.hasher, r->root, &ci, err);
    if (!rc)
        rc = verify_personal(l, st.next, &ci, &st.hasher, err);
    r->commitments = ci.total;
    commit_index_release(&ci);
    if (rc)
        goto out;
    r->size = st.next;

    cp_state cs;
    if ((rc = verify_checkpoints(o->db_path, &v, cw_ledger_origin(l), st.next, &cs, err)))
        goto out;
    if (!cs.any) {
        rc = cw_error_set(err, CW_EVERIFY, "the log has no signed checkpoint");
        goto out;
    }
    if (cs.latest < st.next) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "entries %" PRIu64 " to %" PRIu64 " are not covered by any signed "
                          "checkpoint (they were added without signing)",
                          cs.latest, st.next - 1);
        goto out;
    }
    r->checkpoints = cs.count;
    /* Last, the structure: data damage above is located first, but a log
     * whose triggers were dropped has been opened for tampering even if its
     * data was put back. */
    if ((rc = cw_store_check_structure(cw_ledger_store(l), err)))
        goto out;
    if (o->checkpoint) {
        uint8_t root[CW_HASH_LEN], proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
        size_t n = 0;
        int have = pinned.size <= st.next && cw_ledger_root(l, pinned.size, root, NULL) == CW_OK;
        if ((rc = check_pinned(&pinned, st.next, root, have, err)))
            goto out;
        /* And prove it the way an outside auditor would: RFC 9162 consistency
         * from the pinned checkpoint to the latest one. */
        if (pinned.size > 0 && pinned.size < cs.latest) {
            if ((rc = cw_ledger_consistency_proof(l, pinned.size, cs.latest, proof, &n, err)))
                goto out;
            if (!cw_merkle_verify_consistency(&st.hasher, pinned.size, cs.latest, pinned.root,
                                              cs.latest_root, (const uint8_t(*)[CW_HASH_LEN])proof,
                                              n)) {
                rc = cw_error_set(err, CW_EVERIFY,
                                  "the consistency proof from the pinned checkpoint (size %" PRIu64
                                  ") to the latest (size %" PRIu64 ") does not verify",
                                  pinned.size, cs.latest);
                goto out;
            }
        }
        r->pinned_size = pinned.size;
    }
out:
    cw_hasher_release(&st.hasher);
    cw_buf_release(&vk);
    cw_ledger_close(l);
    return rc;
}

static cw_rc read_in(const char *dir, const char *name, size_t max, cw_buf *out, cw_error *err)
{
    cw_buf path = CW_BUF_INIT(4096);
    cw_rc rc = cw_buf_addf(&path, "%s/%s", dir, name);
    out->max = max;
    if (!rc)
        rc = cw_file_read(path.data, out, err);
    cw_buf_release(&path);
    return rc;
}

static int rec_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = ((const commit_rec *)b)->idx;
    return (x > y) - (x < y);
}

/*
 * An export's personal.jsonl, if there is one: every line a part a leaf commits to, in index
 * order, each held part hashing with its salt to that commitment, each erased one naming a
 * later entry; and every committing leaf has its line. No file: a facts-only export.
 */
static cw_rc verify_personal_file(const char *dir, const scan_state *st, cw_verify_report *r,
                                  cw_hasher *h, cw_error *err)
{
    /* a line holds a part's bytes as a JSON string: at most 6 for each (\u00XX), and a salt */
    cw_buf path = CW_BUF_INIT(4096), line = CW_BUF_INIT(8 * CW_ENTRY_MAX_BYTES);
    cw_rc rc = cw_buf_addf(&path, "%s/personal.jsonl", dir);
    FILE *f = rc ? NULL : fopen(path.data, "rb");
    uint64_t n = 0, last = 0;
    if (!f) {
        cw_buf_release(&path);
        return rc;
    }
    r->personal_file = 1;
    for (;;) {
        int eof, nl;
        json_error_t jerr;
        if ((rc = cw_file_read_line(f, &line, &eof, &nl))) {
            rc = cw_error_set(err, CW_EVERIFY, "personal.jsonl line %" PRIu64 ": %s", n + 1,
                              rc == CW_ETOOBIG ? "too long" : "read error");
            break;
        }
        if (eof)
            break;
        n++;
        json_t *o = nl ? json_loadb(line.data, line.len, 0, &jerr) : NULL;
        const json_t *ji = json_object_get(o, "index");
        const char *salt = json_string_value(json_object_get(o, "salt"));
        const json_t *part = json_object_get(o, "part");
        const json_t *by = json_object_get(o, "erased_by");
        uint64_t idx = json_is_integer(ji) && json_integer_value(ji) >= 0
                           ? (uint64_t)json_integer_value(ji)
                           : UINT64_MAX;
        const commit_rec *rec = idx == UINT64_MAX || !st->nrecs
                                    ? NULL /* bsearch is not given a NULL array, even empty */
                                    : bsearch(&idx, st->recs, st->nrecs, sizeof *st->recs, rec_cmp);
        uint8_t s[CW_PERSONAL_SALT_LEN];
        if (!o || idx == UINT64_MAX || (n > 1 && idx <= last))
            rc = cw_error_set(err, CW_EVERIFY,
                              "personal.jsonl line %" PRIu64 ": not a part's line in index "
                              "order (truncated or edited?)",
                              n);
        else if (!rec)
            rc = cw_error_set(err, CW_EVERIFY,
                              "personal.jsonl: entry %" PRIu64 " commits to no personal part "
                              "(added afterwards)",
                              idx);
        else if (json_is_integer(by) && !salt && !part) {
            if (json_integer_value(by) <= (json_int_t)idx ||
                (uint64_t)json_integer_value(by) >= st->next)
                rc = cw_error_set(err, CW_EVERIFY,
                                  "personal.jsonl: entry %" PRIu64 " is marked erased by an "
                                  "entry that is not a later one of the log",
                                  idx);
            r->personal_erased++;
        } else if (!salt || !json_is_string(part) ||
                   cw_base64_decode_exact(salt, strlen(salt), s, sizeof s) ||
                   !part_matches(h, rec, s, sizeof s, (const uint8_t *)json_string_value(part),
                                 json_string_length(part))) {
            rc = cw_error_set(err, CW_EVERIFY,
                              "personal.jsonl: entry %" PRIu64 "'s personal part does not "
                              "match the commitment in its leaf (altered)",
                              idx);
        } else {
            r->personal_held++;
        }
        json_decref(o);
        last = idx;
        if (rc)
            break;
    }
    if (!rc && n != st->nrecs)
        rc = cw_error_set(err, CW_EVERIFY,
                          "personal.jsonl holds %" PRIu64 " parts, but %zu leaves commit to one "
                          "(parts were left out)",
                          n, st->nrecs);
    if (line.len)
        sodium_memzero(line.data, line.len);
    fclose(f);
    cw_buf_release(&path);
    cw_buf_release(&line);
    return rc;
}

static cw_rc verify_dir(const cw_verify_opts *o, cw_verify_report *r, cw_error *err)
{
    cw_buf vk = CW_BUF_INIT(1024), note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_buf path = CW_BUF_INIT(4096), line = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    scan_state st = {0};
    cw_note_verifier v;
    cw_checkpoint head, pinned;
    FILE *f = NULL;
    cw_rc rc;
    int have_vk = read_in(o->dir, "vkey", 1024, &vk, o->vkey ? NULL : err) == CW_OK;
    if (!have_vk && !o->vkey) {
        rc = CW_EVERIFY;
        goto out;
    }
    if ((rc = pick_key(o, have_vk ? vk.data : NULL, vk.len, &v, r, err)))
        goto out;
    if ((rc = read_in(o->dir, "checkpoint", CW_NOTE_MAX_BYTES, &note, err)))
        goto out;
    if ((rc = open_checkpoint(&v, v.name, note.data, note.len, &head, err))) {
        cw_error_prefix(err, "%s/checkpoint: ", o->dir);
        goto out;
    }
    if (o->checkpoint && (rc = parse_pinned(o, &v, v.name, &pinned, err)))
        goto out;
    if ((rc = cw_hasher_init(&st.hasher))) {
        cw_error_set(err, rc, "cannot set up SHA-256");
        goto out;
    }
    cw_merkle_builder_init(&st.builder);
    st.last_ms = INT64_MIN;
    st.err = err;
    st.keep_commitments = 1; /* for personal.jsonl */
    st.capture_size = o->checkpoint ? pinned.size : UINT64_MAX;
    if ((rc = capture(&st)))
        goto out;
    if ((rc = cw_buf_addf(&path, "%s/entries.jsonl", o->dir)))
        goto out;
    f = fopen(path.data, "rb");
    if (!f) {
        rc = cw_error_set(err, CW_EVERIFY, "%s: cannot open", path.data);
        goto out;
    }
    for (;;) {
        int eof, nl;
        uint8_t leaf_hash[CW_HASH_LEN];
        rc = cw_file_read_line(f, &line, &eof, &nl);
        if (rc) {
            rc = cw_error_set(err, CW_EVERIFY, "entries.jsonl line %" PRIu64 ": %s", st.next + 1,
                              rc == CW_ETOOBIG ? "longer than an entry can be" : "read error");
            goto out;
        }
        if (eof)
            break;
        if (!nl) {
            rc = cw_error_set(err, CW_EVERIFY,
                              "entries.jsonl: the last line (entry %" PRIu64
                              ") does not end in a newline (truncated?)",
                              st.next);
            goto out;
        }
        if ((rc = check_leaf(&st, st.next, (const uint8_t *)line.data, line.len, leaf_hash)))
            goto out;
        if ((rc = cw_merkle_builder_push(&st.builder, &st.hasher, leaf_hash, NULL, NULL))) {
            cw_error_set(err, rc, "hashing failed");
            goto out;
        }
        st.next++;
        if ((rc = capture(&st)))
            goto out;
    }
    r->size = st.next;
    if ((rc = cw_merkle_builder_root(&st.builder, &st.hasher, r->root))) {
        cw_error_set(err, rc, "hashing failed");
        goto out;
    }
    if (head.size != st.next) {
        rc = cw_error_set(
            err, CW_EVERIFY,
            "entries.jsonl has %" PRIu64 " entries but the checkpoint is for %" PRIu64 "%s",
            st.next, head.size, head.size > st.next ? ": entries were removed from the end" : "");
        goto out;
    }
    if (memcmp(r->root, head.root, CW_HASH_LEN) != 0) {
        rc = cw_error_set(err, CW_EVERIFY,
                          "the root of entries.jsonl does not match the signed checkpoint: "
                          "entries were altered");
        goto out;
    }
    r->checkpoints = 1;
    r->commitments = st.commitments;
    if ((rc = verify_personal_file(o->dir, &st, r, &st.hasher, err)))
        goto out;
    if (o->checkpoint) {
        if ((rc = check_pinned(&pinned, st.next, st.capture_root, st.captured, err)))
            goto out;
        r->pinned_size = pinned.size;
    }
out:
    free(st.recs);
    if (f)
        fclose(f);
    cw_hasher_release(&st.hasher);
    cw_buf_release(&vk);
    cw_buf_release(&note);
    cw_buf_release(&path);
    cw_buf_release(&line);
    return rc;
}

cw_rc cw_verify(const cw_verify_opts *o, cw_verify_report *r, cw_error *err)
{
    memset(r, 0, sizeof *r);
    if (!!o->db_path == !!o->dir)
        return cw_error_set(err, CW_EUSAGE,
                            "verify: give exactly one of a database or a "
                            "directory");
    return o->db_path ? verify_db(o, r, err) : verify_dir(o, r, err);
}

/* ---- the log watched while a server appends to it ---- */

struct cw_integrity {
    char *path;
    cw_ledger *l; /* its own read-only connection */
    cw_hasher hasher;
    cw_merkle_builder builder; /* the verified tree's compact range */
    int64_t schema;            /* the schema version when last checked */
    cw_buf note;               /* the checkpoint verified last (for the verified size) */
};

uint64_t cw_integrity_size(const cw_integrity *m)
{
    return m->builder.size;
}

void cw_integrity_free(cw_integrity *m)
{
    if (!m)
        return;
    cw_ledger_close(m->l);
    cw_hasher_release(&m->hasher);
    cw_buf_release(&m->note);
    free(m->path);
    free(m);
}

/* The latest checkpoint must be signed by the log's key and vouch for exactly the verified
 * tree; it is kept, to be found unchanged next time. */
static cw_rc check_latest(cw_integrity *m, cw_error *err)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    uint64_t size = 0;
    cw_checkpoint cp;
    uint8_t root[CW_HASH_LEN];
    cw_rc rc = cw_store_checkpoint_latest(cw_ledger_store(m->l), &note, &size, err);
    if (rc == CW_ENOTFOUND)
        rc = cw_error_set(err, CW_EVERIFY, "the log has no signed checkpoint");
    if (!rc && (rc = open_checkpoint(cw_ledger_verifier(m->l), cw_ledger_origin(m->l), note.data,
                                     note.len, &cp, err)))
        cw_error_prefix(err, "checkpoint for size %" PRIu64 ": ", size);
    if (!rc && cp.size == size && cp.size > m->builder.size)
        rc = CW_EBUSY; /* another process appended since the entries were read: again */
    else if (!rc && (cp.size != size || cp.size != m->builder.size))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the latest checkpoint is for %" PRIu64
                          " entries but the log has %" PRIu64,
                          cp.size, m->builder.size);
    if (!rc && (rc = cw_merkle_builder_root(&m->builder, &m->hasher, root)))
        rc = cw_error_set(err, CW_ECRYPTO, "hashing failed");
    if (!rc && memcmp(root, cp.root, CW_HASH_LEN) != 0)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the checkpoint for size %" PRIu64 " does not match the entries' "
                          "hashes",
                          cp.size);
    /* The stored interior nodes that every root and proof is read from. */
    uint8_t stored[CW_HASH_LEN];
    if (!rc && (rc = cw_ledger_root(m->l, m->builder.size, stored, err)) == CW_OK &&
        memcmp(stored, root, CW_HASH_LEN) != 0)
        rc = cw_error_set(err, CW_EVERIFY,
                          "the stored tree nodes for size %" PRIu64 " do not match the entries",
                          m->builder.size);
    if (!rc) {
        cw_buf_reset(&m->note);
        rc = cw_buf_add(&m->note, note.data, note.len);
    }
    cw_buf_release(&note);
    return rc;
}

typedef struct same_note {
    const cw_buf *want;
    int found, same;
} same_note;

static cw_rc same_note_row(void *ctx, int64_t size, const char *note, size_t len)
{
    same_note *s = ctx;
    (void)size;
    s->found = 1;
    s->same = len == s->want->len && !memcmp(note, s->want->data, len);
    return CW_OK;
}

/* Everything again, from the start: at open, and when the database was changed by others. */
static cw_rc check_all(cw_integrity *m, cw_error *err)
{
    cw_verify_opts o = {.db_path = m->path};
    cw_verify_report r;
    cw_merkle_source src;
    uint8_t root[CW_HASH_LEN];
    cw_rc rc = cw_verify(&o, &r, err);
    if (rc)
        return rc;
    if ((rc = cw_ledger_refresh(m->l, err)))
        return rc;
    cw_ledger_source(m->l, &src, err);
    if ((rc = cw_merkle_builder_load(&m->builder, &src, r.size)) ||
        (rc = cw_merkle_builder_root(&m->builder, &m->hasher, root)))
        return cw_error_set(err, CW_EVERIFY, "the stored tree for size %" PRIu64 " cannot be read",
                            r.size);
    if (memcmp(root, r.root, CW_HASH_LEN) != 0)
        return cw_error_set(err, CW_EVERIFY,
                            "the stored tree nodes for size %" PRIu64 " do not match the entries",
                            r.size);
    /* The checkpoint for this size was verified with the rest; entries appended since
     * cw_verify looked are checked as increments. */
    cw_buf_reset(&m->note);
    return CW_OK;
}

static cw_rc check_increment(cw_integrity *m, cw_error *err);

static cw_rc check_increments(cw_integrity *m, cw_error *err)
{
    for (int tries = 0;; tries++) {
        cw_rc rc = check_increment(m, err);
        if (rc != CW_EBUSY)
            return rc;
        if (tries == 3)
            return cw_error_set(err, CW_EBUSY, "the log kept growing while it was checked");
    }
}

cw_rc cw_integrity_check_appended(cw_integrity *m, cw_error *err)
{
    return check_increments(m, err);
}

cw_rc cw_integrity_check(cw_integrity *m, int full, cw_error *err)
{
    int64_t schema, data;
    cw_store *st = cw_ledger_store(m->l);
    cw_rc rc = cw_store_versions(st, &schema, &data, err);
    if (rc)
        return rc;
    if (schema != m->schema) {
        /* The schema changed under the server: triggers dropped and perhaps put back. */
        if ((rc = cw_store_check_structure(st, err)))
            return rc;
        m->schema = schema;
        full = 1;
    }
    if (full && (rc = check_all(m, err)))
        return rc;
    return check_increments(m, err);
}

/* What was appended since the last check, then the latest checkpoint. */
static cw_rc check_increment(cw_integrity *m, cw_error *err)
{
    cw_store *st = cw_ledger_store(m->l);
    uint64_t end;
    cw_rc rc;
    /* The checkpoint verified last must still be there, byte for byte. */
    same_note sn = {&m->note, 0, 0};
    if (m->note.len &&
        ((rc = cw_store_checkpoint_scan(st, (int64_t)m->builder.size, (int64_t)m->builder.size,
                                        same_note_row, &sn, err)) ||
         !sn.found || !sn.same))
        return rc ? rc
                  : cw_error_set(err, CW_EVERIFY,
                                 "the checkpoint for size %" PRIu64 " was %s after it was verified",
                                 m->builder.size, sn.found ? "changed" : "removed");
    if ((rc = cw_ledger_refresh(m->l, err)))
        return rc;
    end = cw_ledger_size(m->l);
    if (end < m->builder.size)
        return cw_error_set(err, CW_EVERIFY,
                            "the log has %" PRIu64 " entries but %" PRIu64
                            " were verified: entries %" PRIu64 " and after were removed",
                            end, m->builder.size, end);
    /* The tree as verified with m->note, kept until the new entries' checkpoint is verified
     * too: if another process appends meanwhile (CW_EBUSY), or the checkpoint cannot be read
     * (a storage fault), the check starts again from here, where m->note still names the
     * checkpoint of the tree's size. */
    cw_merkle_builder verified = m->builder;
    if (end > m->builder.size) {
        scan_state *ss = calloc(1, sizeof *ss);
        if (!ss)
            return cw_error_set(err, CW_ENOMEM, "out of memory");
        ss->hasher = m->hasher;
        ss->builder = m->builder;
        ss->next = m->builder.size;
        ss->last_ms = INT64_MIN;
        ss->capture_size = UINT64_MAX;
        ss->err = err;
        rc = cw_store_entry_scan(st, (int64_t)m->builder.size, (int64_t)end, db_entry, ss, err);
        if (!rc && ss->next != end)
            rc = cw_error_set(err, CW_EVERIFY, "entry %" PRIu64 " is missing: entries were deleted",
                              ss->next);
        if (!rc)
            m->builder = ss->builder;
        free(ss);
        if (rc)
            return rc;
    }
    rc = check_latest(m, err);
    if (rc)
        m->builder = verified;
    return rc;
}

cw_rc cw_integrity_open(const char *db_path, cw_integrity **out, cw_error *err)
{
    int64_t data;
    *out = NULL;
    cw_integrity *m = calloc(1, sizeof *m);
    if (!m)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_buf_init(&m->note, CW_NOTE_MAX_BYTES);
    cw_rc rc = CW_OK;
    if (!(m->path = strdup(db_path)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    else if ((rc = cw_hasher_init(&m->hasher)))
        cw_error_set(err, rc, "cannot set up SHA-256");
    if (!rc)
        rc = cw_ledger_open(db_path, CW_LEDGER_READONLY | CW_LEDGER_NO_MMAP, &m->l, err);
    if (!rc)
        rc = cw_store_versions(cw_ledger_store(m->l), &m->schema, &data, err);
    if (!rc)
        rc = cw_store_check_structure(cw_ledger_store(m->l), err);
    if (!rc)
        rc = cw_integrity_check(m, 1, err);
    if (rc) {
        cw_integrity_free(m);
        return rc;
    }
    *out = m;
    return CW_OK;
}
