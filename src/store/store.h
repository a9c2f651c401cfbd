/*
 * store.h — the storage interface. Everything above this layer reaches the
 * database only through these functions; a backend (SQLite now, PostgreSQL
 * later) supplies a cw_store_ops table. The store knows rows and bytes, not
 * Merkle trees or children.
 *
 * Writes happen between cw_store_begin and cw_store_commit; a failed write
 * leaves the transaction open for the caller to roll back, so a batch is
 * stored whole or not at all.
 */
#ifndef CW_STORE_STORE_H
#define CW_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

typedef struct cw_store cw_store;

enum {
    CW_STORE_CREATE = 1,   /* create a new database; refuse if the file exists */
    CW_STORE_READONLY = 2, /* open an existing database for reading only */
};

/* Called for each entry in index order; a non-zero return stops the scan. */
typedef cw_rc (*cw_store_entry_fn)(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                                   const uint8_t *leaf, size_t llen);
/* Called for each checkpoint in size order. */
typedef cw_rc (*cw_store_checkpoint_fn)(void *ctx, int64_t size, const char *note, size_t len);

typedef struct cw_store_ops {
    void (*close)(cw_store *s);
    cw_rc (*begin)(cw_store *s, cw_error *err);
    cw_rc (*commit)(cw_store *s, cw_error *err);
    void (*rollback)(cw_store *s);
    cw_rc (*meta_get)(cw_store *s, const char *key, cw_buf *value, cw_error *err);
    cw_rc (*meta_put)(cw_store *s, const char *key, const char *value, cw_error *err);
    cw_rc (*entries_end)(cw_store *s, uint64_t *end, cw_error *err);
    cw_rc (*entry_put)(cw_store *s, uint64_t idx, const uint8_t *hashes, size_t hlen,
                       const void *leaf, size_t llen, cw_error *err);
    cw_rc (*entry_hashes)(cw_store *s, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                          cw_error *err);
    cw_rc (*entry_leaf)(cw_store *s, uint64_t idx, cw_buf *leaf, cw_error *err);
    cw_rc (*entry_scan)(cw_store *s, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                        cw_error *err);
    cw_rc (*checkpoint_put)(cw_store *s, uint64_t size, const char *note, size_t len,
                            cw_error *err);
    cw_rc (*checkpoint_latest)(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err);
    cw_rc (*checkpoint_scan)(cw_store *s, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                             void *ctx, cw_error *err);
    cw_rc (*check_structure)(cw_store *s, cw_error *err);
} cw_store_ops;

struct cw_store {
    const cw_store_ops *ops;
};

/* Opens (or with CW_STORE_CREATE creates, mode 0600) the database at path. */
cw_rc cw_store_open(const char *path, int flags, cw_store **out, cw_error *err);
void cw_store_close(cw_store *s);

cw_rc cw_store_begin(cw_store *s, cw_error *err);
cw_rc cw_store_commit(cw_store *s, cw_error *err);
void cw_store_rollback(cw_store *s);

/* CW_ENOTFOUND if key is not set. */
cw_rc cw_store_meta_get(cw_store *s, const char *key, cw_buf *value, cw_error *err);
cw_rc cw_store_meta_put(cw_store *s, const char *key, const char *value, cw_error *err);

/* One past the highest stored index (0 when empty). */
cw_rc cw_store_entries_end(cw_store *s, uint64_t *end, cw_error *err);
cw_rc cw_store_entry_put(cw_store *s, uint64_t idx, const uint8_t *hashes, size_t hlen,
                         const void *leaf, size_t llen, cw_error *err);
/* Copies entry idx's hashes column into out; CW_ENOTFOUND if absent. */
cw_rc cw_store_entry_hashes(cw_store *s, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                            cw_error *err);
/* Appends entry idx's leaf bytes to leaf; CW_ENOTFOUND if absent. */
cw_rc cw_store_entry_leaf(cw_store *s, uint64_t idx, cw_buf *leaf, cw_error *err);
/* Visits every stored entry with from <= idx < to, in index order. */
cw_rc cw_store_entry_scan(cw_store *s, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                          cw_error *err);

cw_rc cw_store_checkpoint_put(cw_store *s, uint64_t size, const char *note, size_t len,
                              cw_error *err);
/* The checkpoint with the largest size; CW_ENOTFOUND if there is none. */
cw_rc cw_store_checkpoint_latest(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err);
/* Visits every checkpoint with from <= size <= to, in size order. */
cw_rc cw_store_checkpoint_scan(cw_store *s, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                               void *ctx, cw_error *err);

/*
 * Checks that the database's tables, triggers and indexes are exactly those
 * of caseward's schema: a dropped or altered insert-only trigger, a table
 * recreated without its constraints, or an extra object is evidence of
 * tampering even when the data happens to verify. CW_EVERIFY names the object.
 */
cw_rc cw_store_check_structure(cw_store *s, cw_error *err);

#endif
