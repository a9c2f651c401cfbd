/*
 * ledger.h — caseward's append-only, tamper-evident event log.
 *
 * Each entry is a leaf of an RFC 6962 Merkle tree (entry.h gives the leaf
 * bytes, hash.h the hashing). Interior nodes are stored, not recomputed: the
 * perfect subtree (level L, index j) is completed by leaf r = (j + 1) * 2^L - 1
 * and is kept in that leaf's row, so the store holds for row r
 *
 *   | bytes           | content                                          |
 *   |-----------------|--------------------------------------------------|
 *   | 0..31           | leaf hash of entry r                             |
 *   | 32*L..32*L+31   | hash of the perfect subtree at level L ending at |
 *   |                 | r, for L = 1 .. t, t = trailing zero bits of r+1 |
 *
 * (32 * (1 + t) bytes; on average 64). Any node is then one row read, and a
 * root or proof for any size costs O(log n) reads.
 *
 * After each append batch a checkpoint (note.h) for the new size is signed
 * with the log's Ed25519 key and stored in the same transaction, so a batch
 * and its checkpoint are committed together or not at all. The signing key
 * lives beside the database in "<db>.key" (mode 0600, Go note skey format).
 */
#ifndef CW_LEDGER_LEDGER_H
#define CW_LEDGER_LEDGER_H

#include <stdint.h>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "store/store.h"

typedef struct cw_ledger cw_ledger;

enum {
    CW_LEDGER_READONLY = 0, /* read, prove, export */
    CW_LEDGER_WRITE = 1,    /* also append: loads and checks the signing key */
    CW_LEDGER_NO_MMAP = 2,  /* a reader that does not map the file (servers' pooled readers) */
};

/* A default origin "caseward.local/<16 random hex digits>" for logs with no --origin. */
cw_rc cw_ledger_default_origin(cw_buf *out, cw_error *err);

/*
 * Path of the signing key: beside a database file, db_path + ".key"; for a
 * PostgreSQL URI (store.h, cw_store_is_uri), which has no file, the file named by
 * the environment variable CASEWARD_KEY_FILE (an error naming it if unset).
 */
#define CW_LEDGER_KEY_ENV "CASEWARD_KEY_FILE"
cw_rc cw_ledger_key_path(const char *db_path, cw_buf *out, cw_error *err);

/*
 * Creates a new, empty log: the database (0600), the signing key (0600) and
 * the first checkpoint (size 0). Refuses if either file exists; on failure
 * leaves neither behind. For a PostgreSQL URI the database must exist and hold
 * no log (its tables are made); the key file is CASEWARD_KEY_FILE's, refused if it
 * exists; a failure after the schema was loaded leaves the schema (drop it to retry).
 */
cw_rc cw_ledger_create(const char *db_path, const char *origin, cw_error *err);

cw_rc cw_ledger_open(const char *db_path, int flags, cw_ledger **out, cw_error *err);
void cw_ledger_close(cw_ledger *l);

uint64_t cw_ledger_size(const cw_ledger *l);
/* A reader kept open learns the log's current size (writers always know theirs). */
cw_rc cw_ledger_refresh(cw_ledger *l, cw_error *err);
/* The database path the log was opened with (for opening more connections). */
const char *cw_ledger_path(const cw_ledger *l);
const char *cw_ledger_origin(const cw_ledger *l);
cw_store *cw_ledger_store(cw_ledger *l);
const cw_note_verifier *cw_ledger_verifier(const cw_ledger *l);

/* Appends n events as one atomic batch and signs a checkpoint for it. */
cw_rc cw_ledger_append(cw_ledger *l, const cw_event *ev, size_t n, uint64_t *new_size,
                       cw_error *err);

/*
 * The same, streamed: begin, add any number of events, then commit (or
 * abort). Nothing is visible to readers until commit; abort or a failed add
 * leaves the log exactly as before begin. *index receives the new entry's
 * index.
 */
cw_rc cw_ledger_batch_begin(cw_ledger *l, cw_error *err);
cw_rc cw_ledger_batch_add(cw_ledger *l, const cw_event *ev, uint64_t *index, cw_error *err);
/* The same for a migrated event that says where it was first recorded (entry.h). */
cw_rc cw_ledger_batch_add_source(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                 uint64_t *index, cw_error *err);
/*
 * The same for an event whose personal part is kept beside its leaf (issue 13,
 * docs/ledger.md): ev->payload holds the event's facts and personal the texts taken out of
 * it (cw_casework_split). A random salt is drawn, the leaf carries the commitment to the
 * part, and the part and its salt are stored with the entry in the batch's transaction.
 * personal NULL: exactly cw_ledger_batch_add_source.
 */
cw_rc cw_ledger_batch_add_personal(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                   const json_t *personal, uint64_t *index, cw_error *err);
cw_rc cw_ledger_batch_commit(cw_ledger *l, uint64_t *new_size, cw_error *err);
void cw_ledger_batch_abort(cw_ledger *l);
/* The recorded_at (ms since the epoch) every entry of the open batch gets. */
int64_t cw_ledger_batch_ms(const cw_ledger *l);

/*
 * The key for fingerprints of personal text kept among the facts (util/textprint.h):
 * derived from the log's signing key (libsodium's KDF, its own context), so it is never
 * stored and never leaves the council. CW_EUSAGE for a ledger opened read-only.
 */
cw_rc cw_ledger_text_key(const cw_ledger *l, uint8_t key[32], cw_error *err);
/* The key that signs sign-in device cookies (src/http/throttle.c), derived like the text
 * key from the signing key (context "cwdevice"): the same across restarts, stored nowhere. */
cw_rc cw_ledger_device_key(const cw_ledger *l, uint8_t key[32], cw_error *err);

/* A node source over the stored tree, for merkle.h functions. */
void cw_ledger_source(cw_ledger *l, cw_merkle_source *src, cw_error *err);

cw_rc cw_ledger_root(cw_ledger *l, uint64_t size, uint8_t root[CW_HASH_LEN], cw_error *err);
cw_rc cw_ledger_inclusion_proof(cw_ledger *l, uint64_t index, uint64_t size,
                                uint8_t proof[][CW_HASH_LEN], size_t *n, cw_error *err);
cw_rc cw_ledger_consistency_proof(cw_ledger *l, uint64_t old, uint64_t size,
                                  uint8_t proof[][CW_HASH_LEN], size_t *n, cw_error *err);
/* Appends the leaf bytes of entry index to out. */
cw_rc cw_ledger_leaf(cw_ledger *l, uint64_t index, cw_buf *out, cw_error *err);
/* Appends the latest signed checkpoint to note. */
cw_rc cw_ledger_checkpoint(cw_ledger *l, cw_buf *note, uint64_t *size, cw_error *err);
/* Appends the verifier key (c2sp vkey) to out. */
cw_rc cw_ledger_vkey(cw_ledger *l, cw_buf *out);

/* Writes dir/entries.jsonl, dir/checkpoint and dir/vkey (files 0600). */
cw_rc cw_ledger_export(cw_ledger *l, const char *dir, uint64_t *size, cw_error *err);
/*
 * Reads the first max entries of the export in dir (fewer, if it holds fewer) into s, a store
 * in a write transaction (a scratch store); *n is how many were read and root their RFC 6962
 * root, for the caller to compare with a checkpoint it trusts (export.c).
 */
cw_rc cw_ledger_export_load(const char *dir, cw_store *s, uint64_t max, uint64_t *n,
                            uint8_t root[CW_HASH_LEN], cw_error *err);
/*
 * Checks that n entries whose RFC 6962 root is root (cw_ledger_export_load) are the log that
 * the export's signed checkpoint (dir/checkpoint) names, with the verifier key vkey (its text),
 * or, when vkey is NULL, the export's own dir/vkey (export.c).
 */
cw_rc cw_ledger_export_check(const char *dir, const char *vkey, uint64_t n,
                             const uint8_t root[CW_HASH_LEN], cw_error *err);
/*
 * Writes dir/personal.jsonl (0600): the personal parts of entries below size, held ones
 * with their salt, erased ones naming the erasure (export.c). Left out of a facts-only
 * export, which then holds no personal text recorded since issue 13.
 */
cw_rc cw_ledger_export_personal(cw_ledger *l, const char *dir, uint64_t size, uint64_t *held,
                                uint64_t *erased, cw_error *err);

#endif
