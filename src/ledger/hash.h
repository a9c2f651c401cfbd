/*
 * hash.h — RFC 6962 / RFC 9162 hashing with SHA-256 (OpenSSL EVP).
 *
 *   | hash            | input bytes                         | output   |
 *   |-----------------|-------------------------------------|----------|
 *   | empty tree      | (nothing)                           | 32 bytes |
 *   | leaf            | 0x00 || leaf bytes                  | 32 bytes |
 *   | interior node   | 0x01 || left (32) || right (32)     | 32 bytes |
 *
 * The SHA-256 implementation is fetched from OpenSSL once per process; each
 * cw_hasher owns one reusable digest context and is used by one thread.
 */
#ifndef CW_LEDGER_HASH_H
#define CW_LEDGER_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define CW_HASH_LEN 32

typedef struct cw_hasher {
    void *ctx; /* EVP_MD_CTX */
} cw_hasher;

cw_rc cw_hasher_init(cw_hasher *h);
void cw_hasher_release(cw_hasher *h);

cw_rc cw_hash_leaf(cw_hasher *h, const void *data, size_t len, uint8_t out[CW_HASH_LEN]);
cw_rc cw_hash_node(cw_hasher *h, const uint8_t left[CW_HASH_LEN], const uint8_t right[CW_HASH_LEN],
                   uint8_t out[CW_HASH_LEN]);
/*
 * The commitment to an entry's personal part (issue 13, docs/ledger.md): SHA-256 of the 20
 * bytes "caseward personal v1", a 0x00, the entry's random salt and the part's canonical
 * JSON. The prefix keeps it apart from leaf and node hashes; the salt, kept beside the part
 * and erased with it, means a guessed text cannot be confirmed from the leaf.
 */
#define CW_PERSONAL_SALT_LEN 32
cw_rc cw_hash_personal(cw_hasher *h, const uint8_t salt[CW_PERSONAL_SALT_LEN], const void *body,
                       size_t len, uint8_t out[CW_HASH_LEN]);
/* Plain SHA-256 of data (the empty tree's root is cw_hash_raw of nothing). */
cw_rc cw_hash_raw(cw_hasher *h, const void *data, size_t len, uint8_t out[CW_HASH_LEN]);

#endif
