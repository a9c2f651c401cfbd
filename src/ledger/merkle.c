/*
 * merkle.c — RFC 6962 / RFC 9162 tree arithmetic over perfect subtrees.
 * See merkle.h for the node model. Nothing here allocates.
 */
#include "ledger/merkle.h"

#include <assert.h>
#include <string.h>

unsigned cw_merkle_ctz(uint64_t x)
{
    assert(x != 0);
    return (unsigned)__builtin_ctzll(x);
}

/* The largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    assert(n >= 2);
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/*
 * MTH(D[a:b]) for a subtree of the RFC's recursion (b > a, and a is a
 * multiple of the largest power of two not exceeding b - a). The range splits
 * into perfect subtrees of strictly decreasing size; the RFC tree over them is
 * the right fold.
 */
static cw_rc range_hash(const cw_merkle_source *src, uint64_t a, uint64_t b,
                        uint8_t out[CW_HASH_LEN])
{
    uint8_t parts[64][CW_HASH_LEN];
    unsigned np = 0;
    cw_rc rc;
    while (a < b) {
        unsigned level = 63 - (unsigned)__builtin_clzll(b - a);
        assert((a & (((uint64_t)1 << level) - 1)) == 0);
        if ((rc = src->get(src->ctx, level, a >> level, parts[np++])))
            return rc;
        a += (uint64_t)1 << level;
    }
    memcpy(out, parts[np - 1], CW_HASH_LEN);
    for (unsigned i = np - 1; i-- > 0;)
        if ((rc = cw_hash_node(src->hasher, parts[i], out, out)))
            return rc;
    return CW_OK;
}

cw_rc cw_merkle_root(const cw_merkle_source *src, uint64_t size, uint8_t out[CW_HASH_LEN])
{
    if (size == 0)
        return cw_hash_raw(src->hasher, "", 0, out);
    return range_hash(src, 0, size, out);
}

cw_rc cw_merkle_inclusion_proof(const cw_merkle_source *src, uint64_t index, uint64_t size,
                                uint8_t proof[][CW_HASH_LEN], size_t *n)
{
    /* Walk down from the root recording each sibling range, then emit them
     * deepest first. */
    uint64_t sib_a[64], sib_b[64];
    unsigned depth = 0;
    uint64_t a = 0, b = size;
    if (index >= size)
        return CW_EINVAL;
    while (b - a > 1) {
        uint64_t k = split_point(b - a);
        if (index < a + k) {
            sib_a[depth] = a + k, sib_b[depth] = b;
            b = a + k;
        } else {
            sib_a[depth] = a, sib_b[depth] = a + k;
            a = a + k;
        }
        depth++;
    }
    for (unsigned i = 0; i < depth; i++) {
        cw_rc rc = range_hash(src, sib_a[depth - 1 - i], sib_b[depth - 1 - i], proof[i]);
        if (rc)
            return rc;
    }
    *n = depth;
    return CW_OK;
}

cw_rc cw_merkle_consistency_proof(const cw_merkle_source *src, uint64_t old, uint64_t size,
                                  uint8_t proof[][CW_HASH_LEN], size_t *n)
{
    /* SUBPROOF(m, D[a:b], flag) of RFC 6962 section 2.1.2, unrolled. */
    uint64_t rng_a[65], rng_b[65];
    unsigned depth = 0;
    uint64_t a = 0, b = size, m = old;
    bool whole = true;
    if (old == 0 || old > size)
        return CW_EINVAL;
    for (;;) {
        uint64_t len = b - a;
        if (m == len) {
            if (!whole)
                rng_a[depth] = a, rng_b[depth] = b, depth++;
            break;
        }
        uint64_t k = split_point(len);
        if (m <= k) {
            rng_a[depth] = a + k, rng_b[depth] = b, depth++;
            b = a + k;
        } else {
            rng_a[depth] = a, rng_b[depth] = a + k, depth++;
            a = a + k;
            m -= k;
            whole = false;
        }
    }
    for (unsigned i = 0; i < depth; i++) {
        cw_rc rc = range_hash(src, rng_a[depth - 1 - i], rng_b[depth - 1 - i], proof[i]);
        if (rc)
            return rc;
    }
    *n = depth;
    return CW_OK;
}

bool cw_merkle_verify_inclusion(cw_hasher *h, uint64_t index, uint64_t size,
                                const uint8_t leaf_hash[CW_HASH_LEN],
                                const uint8_t proof[][CW_HASH_LEN], size_t n,
                                const uint8_t root[CW_HASH_LEN])
{
    if (index >= size)
        return false;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[CW_HASH_LEN];
    memcpy(r, leaf_hash, CW_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            if (cw_hash_node(h, proof[i], r, r))
                return false;
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else if (cw_hash_node(h, r, proof[i], r)) {
            return false;
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, CW_HASH_LEN) == 0;
}

bool cw_merkle_verify_consistency(cw_hasher *h, uint64_t old, uint64_t size,
                                  const uint8_t old_root[CW_HASH_LEN],
                                  const uint8_t new_root[CW_HASH_LEN],
                                  const uint8_t proof[][CW_HASH_LEN], size_t n)
{
    if (old == 0 || old > size)
        return false;
    if (old == size)
        return n == 0 && memcmp(old_root, new_root, CW_HASH_LEN) == 0;
    if (n == 0)
        return false;

    /* If old is a power of two, the old root itself starts the path. */
    const uint8_t *first;
    size_t i = 0;
    if ((old & (old - 1)) == 0) {
        first = old_root;
    } else {
        first = proof[0];
        i = 1;
    }
    uint64_t fn = old - 1, sn = size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[CW_HASH_LEN], sr[CW_HASH_LEN];
    memcpy(fr, first, CW_HASH_LEN);
    memcpy(sr, first, CW_HASH_LEN);
    for (; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            if (cw_hash_node(h, proof[i], fr, fr) || cw_hash_node(h, proof[i], sr, sr))
                return false;
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else if (cw_hash_node(h, sr, proof[i], sr)) {
            return false;
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(fr, old_root, CW_HASH_LEN) == 0 &&
           memcmp(sr, new_root, CW_HASH_LEN) == 0;
}

void cw_merkle_builder_init(cw_merkle_builder *b)
{
    b->size = 0;
}

cw_rc cw_merkle_builder_load(cw_merkle_builder *b, const cw_merkle_source *src, uint64_t size)
{
    uint64_t a = 0;
    for (unsigned level = 64; level-- > 0;) {
        if (!(size >> level & 1))
            continue;
        cw_rc rc = src->get(src->ctx, level, a >> level, b->stack[level]);
        if (rc)
            return rc;
        a += (uint64_t)1 << level;
    }
    b->size = size;
    return CW_OK;
}

cw_rc cw_merkle_builder_push(cw_merkle_builder *b, cw_hasher *h, const uint8_t leaf[CW_HASH_LEN],
                             uint8_t completed[][CW_HASH_LEN], unsigned *ncompleted)
{
    uint8_t cur[CW_HASH_LEN];
    unsigned level = 0;
    memcpy(cur, leaf, CW_HASH_LEN);
    while (b->size >> level & 1) {
        cw_rc rc = cw_hash_node(h, b->stack[level], cur, cur);
        if (rc)
            return rc;
        if (completed)
            memcpy(completed[level], cur, CW_HASH_LEN);
        level++;
    }
    memcpy(b->stack[level], cur, CW_HASH_LEN);
    b->size++;
    if (ncompleted)
        *ncompleted = level;
    return CW_OK;
}

cw_rc cw_merkle_builder_root(const cw_merkle_builder *b, cw_hasher *h, uint8_t out[CW_HASH_LEN])
{
    if (b->size == 0)
        return cw_hash_raw(h, "", 0, out);
    unsigned level = cw_merkle_ctz(b->size);
    memcpy(out, b->stack[level], CW_HASH_LEN);
    for (level++; level < 64; level++) {
        if (b->size >> level & 1) {
            cw_rc rc = cw_hash_node(h, b->stack[level], out, out);
            if (rc)
                return rc;
        }
    }
    return CW_OK;
}
