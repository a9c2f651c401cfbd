/*
 * merkle.h — the RFC 6962 / RFC 9162 Merkle tree: roots, inclusion and
 * consistency proofs, their verification, and a streaming tree builder.
 *
 * Knows nothing of storage: hashes of "perfect" subtrees come from a caller's
 * node source. A perfect subtree (level L, index j) covers the 2^L leaves
 * [j * 2^L, (j + 1) * 2^L); level 0 is the leaf hash. Every subtree the RFC's
 * recursion uses for a tree of any size is either perfect or the ragged right
 * edge [a, n), which is folded from at most 64 perfect subtrees, so a root
 * or a proof costs O(log n) node reads.
 *
 * Proofs are ordered leaf to root, as RFC 9162 specifies.
 */
#ifndef CW_LEDGER_MERKLE_H
#define CW_LEDGER_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/hash.h"

#define CW_MERKLE_MAX_PROOF 130

/* Writes the hash of perfect subtree (level, index) into out. */
typedef cw_rc (*cw_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                                  uint8_t out[CW_HASH_LEN]);

typedef struct cw_merkle_source {
    cw_merkle_get_fn get;
    void *ctx;
    cw_hasher *hasher;
} cw_merkle_source;

/* MTH(D[0:size]); the empty tree's root is SHA-256 of nothing. */
cw_rc cw_merkle_root(const cw_merkle_source *src, uint64_t size, uint8_t out[CW_HASH_LEN]);

/* PATH(index, D[0:size]); requires index < size. *n receives the length. */
cw_rc cw_merkle_inclusion_proof(const cw_merkle_source *src, uint64_t index, uint64_t size,
                                uint8_t proof[][CW_HASH_LEN], size_t *n);

/* PROOF(old, D[0:size]); requires 0 < old <= size (old == size gives n = 0). */
cw_rc cw_merkle_consistency_proof(const cw_merkle_source *src, uint64_t old, uint64_t size,
                                  uint8_t proof[][CW_HASH_LEN], size_t *n);

/*
 * RFC 9162 section 2.1.3.2. Returns true only if proof shows leaf_hash at
 * index in the tree of size with the given root. Refuses index >= size and a
 * proof of the wrong length.
 */
bool cw_merkle_verify_inclusion(cw_hasher *h, uint64_t index, uint64_t size,
                                const uint8_t leaf_hash[CW_HASH_LEN],
                                const uint8_t proof[][CW_HASH_LEN], size_t n,
                                const uint8_t root[CW_HASH_LEN]);

/*
 * RFC 9162 section 2.1.4.2. Refuses old == 0 and old > size; old == size needs
 * an empty proof and equal roots; old < size needs a non-empty proof.
 */
bool cw_merkle_verify_consistency(cw_hasher *h, uint64_t old, uint64_t size,
                                  const uint8_t old_root[CW_HASH_LEN],
                                  const uint8_t new_root[CW_HASH_LEN],
                                  const uint8_t proof[][CW_HASH_LEN], size_t n);

/*
 * Streaming builder (a "compact range" from 0): holds one hash per set bit of
 * size, so memory is O(log n). cw_merkle_builder_push adds the next leaf hash
 * and reports each perfect subtree it completes, lowest level first:
 * completed[k] is the hash at level k + 1 ending at the new leaf; *ncompleted
 * is the number of trailing 1 bits of the old size.
 */
typedef struct cw_merkle_builder {
    uint64_t size;
    uint8_t stack[64][CW_HASH_LEN]; /* stack[L] valid iff bit L of size is set */
} cw_merkle_builder;

void cw_merkle_builder_init(cw_merkle_builder *b);
/* Loads the state for a tree of size from a node source (O(log n) reads). */
cw_rc cw_merkle_builder_load(cw_merkle_builder *b, const cw_merkle_source *src, uint64_t size);
cw_rc cw_merkle_builder_push(cw_merkle_builder *b, cw_hasher *h, const uint8_t leaf[CW_HASH_LEN],
                             uint8_t completed[][CW_HASH_LEN], unsigned *ncompleted);
cw_rc cw_merkle_builder_root(const cw_merkle_builder *b, cw_hasher *h, uint8_t out[CW_HASH_LEN]);

/* Number of trailing zero bits of x (x > 0). */
unsigned cw_merkle_ctz(uint64_t x);

#endif
