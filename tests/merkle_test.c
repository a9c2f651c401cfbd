/*
 * merkle_test.c — tests of ledger/hash.h and ledger/merkle.h.
 *
 * Three independent sources of truth:
 *   1. Known answers (RFC 6962 empty root, the Certificate Transparency
 *      8-leaf test tree's roots and proofs, hasher vectors), written here.
 *   2. A reference implementation of RFC 6962 section 2.1 (MTH, PATH,
 *      PROOF/SUBPROOF), straight from the recursive definitions, over an
 *      in-memory array of leaf hashes and hashing with libsodium's SHA-256
 *      (not ledger/hash.c). MTH is memoised by range; that changes nothing
 *      about the definition.
 *   3. Reference verifiers derived from the same recursions (they rebuild
 *      both roots from a proof by the shape PATH/SUBPROOF gives), not from
 *      RFC 9162's bit arithmetic that merkle.c uses. A proof does not commit
 *      to the tree size: the same proof and root still verify at another
 *      size where the proof has the same shape (inclusion of 0 in 8 and in
 *      7, say). For such claims (size +-1, x2, /2, and the old size of a
 *      consistency proof) the library must agree with these verifiers.
 *
 * The node source for merkle.h is an in-memory store of perfect subtrees
 * filled by cw_merkle_builder_push; test_builder_push checks every node in it
 * against the reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/hash.h"
#include "ledger/merkle.h"

#define HL    CW_HASH_LEN
#define CP(p) ((const uint8_t(*)[HL])(p))

/* Exhaustive sizes 1..EXHAUSTIVE_N; the all-bits flips for sizes up to ALLBITS_N. */
#define EXHAUSTIVE_N 300
#define ALLBITS_N    32
/* Leaves in the shared tree: enough for the largest sampled size plus pushes. */
#define MAXLEAF 65600u
#define LEVELS  18 /* 2^17 > MAXLEAF */

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex) / 2;
    assert_true(strlen(hex) % 2 == 0);
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void unhex32(const char *hex, uint8_t out[HL])
{
    assert_int_equal(strlen(hex), 2 * HL);
    assert_int_equal(unhex(hex, out, HL), HL);
}

static void assert_hash_hex(const uint8_t h[HL], const char *hex)
{
    uint8_t want[HL];
    unhex32(hex, want);
    if (memcmp(h, want, HL) != 0) {
        char got[2 * HL + 1];
        for (size_t i = 0; i < HL; i++)
            snprintf(got + 2 * i, 3, "%02x", h[i]);
        fail_msg("hash %s, want %s", got, hex);
    }
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void flip(uint8_t h[HL], unsigned bit)
{
    h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* Bits needed to write n (0 for 0). */
static unsigned bitlen(uint64_t n)
{
    unsigned b = 0;
    while (n) {
        b++;
        n >>= 1;
    }
    return b;
}

static unsigned popcount(uint64_t n)
{
    unsigned c = 0;
    for (; n; n >>= 1)
        c += (unsigned)(n & 1);
    return c;
}

/* The largest power of two strictly less than n (n >= 2), by counting up. */
static uint64_t ref_split(uint64_t n)
{
    uint64_t k = 1;
    assert_true(n >= 2);
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* ---------------------------------------------------------------------- */
/* Reference RFC 6962 over libsodium SHA-256                              */

/* The Certificate Transparency test tree's leaf inputs, then our own. */
static const char *const ct_leaf_hex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const ct_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static uint8_t (*ref_leaf)[HL]; /* reference leaf hashes, MAXLEAF of them */

static void ref_leaf_hash(const uint8_t *data, size_t len, uint8_t out[HL])
{
    crypto_hash_sha256_state st;
    const uint8_t zero = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

static void ref_node(const uint8_t l[HL], const uint8_t r[HL], uint8_t out[HL])
{
    uint8_t buf[1 + 2 * HL];
    buf[0] = 0x01;
    memcpy(buf + 1, l, HL);
    memcpy(buf + 1 + HL, r, HL);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* Leaf i's input bytes: the CT inputs for i < 8, then distinct text. */
static size_t leaf_input(uint64_t i, uint8_t *buf, size_t max)
{
    if (i < 8)
        return unhex(ct_leaf_hex[i], buf, max);
    int n = snprintf((char *)buf, max, "caseward merkle test leaf %llu", (unsigned long long)i);
    assert_true(n > 0 && (size_t)n < max);
    return (size_t)n;
}

/* Memo of MTH(D[a:b]) by range (open addressing). */
typedef struct memo_ent {
    uint32_t a, b; /* b == 0: empty slot */
    uint8_t h[HL];
} memo_ent;

#define MEMO_CAP (1u << 19)
static memo_ent *memo;
static size_t memo_count;

static memo_ent *memo_slot(uint64_t a, uint64_t b)
{
    uint64_t x = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL);
    x ^= x >> 29;
    for (size_t i = (size_t)x & (MEMO_CAP - 1);; i = (i + 1) & (MEMO_CAP - 1))
        if (memo[i].b == 0 || (memo[i].a == a && memo[i].b == b))
            return &memo[i];
}

/* MTH(D[a:b]), b > a: RFC 6962 section 2.1. */
static void ref_mth(uint64_t a, uint64_t b, uint8_t out[HL])
{
    assert_true(b > a && b <= MAXLEAF);
    if (b - a == 1) {
        memcpy(out, ref_leaf[a], HL);
        return;
    }
    memo_ent *e = memo_slot(a, b);
    if (e->b) {
        memcpy(out, e->h, HL);
        return;
    }
    uint64_t k = ref_split(b - a);
    uint8_t l[HL], r[HL];
    ref_mth(a, a + k, l);
    ref_mth(a + k, b, r);
    ref_node(l, r, out);
    assert_true(memo_count < MEMO_CAP * 3 / 4);
    e = memo_slot(a, b); /* the recursion may have filled the slot found above */
    e->a = (uint32_t)a;
    e->b = (uint32_t)b;
    memcpy(e->h, out, HL);
    memo_count++;
}

/* The tree head of size n (n may be 0). */
static void ref_root(uint64_t n, uint8_t out[HL])
{
    static const uint8_t nothing[1];
    if (n == 0)
        crypto_hash_sha256(out, nothing, 0);
    else
        ref_mth(0, n, out);
}

/* PATH(m, D[a:b]), leaf to root. */
static void ref_path(uint64_t m, uint64_t a, uint64_t b, uint8_t out[][HL], size_t *n)
{
    if (b - a == 1) {
        *n = 0;
        return;
    }
    uint64_t k = ref_split(b - a);
    if (m < k) {
        ref_path(m, a, a + k, out, n);
        ref_mth(a + k, b, out[(*n)++]);
    } else {
        ref_path(m - k, a + k, b, out, n);
        ref_mth(a, a + k, out[(*n)++]);
    }
}

/* SUBPROOF(m, D[a:b], whole), leaf to root; appends at out[*n]. */
static void ref_subproof(uint64_t m, uint64_t a, uint64_t b, bool whole, uint8_t out[][HL],
                         size_t *n)
{
    if (m == b - a) {
        if (!whole)
            ref_mth(a, b, out[(*n)++]);
        return;
    }
    uint64_t k = ref_split(b - a);
    if (m <= k) {
        ref_subproof(m, a, a + k, whole, out, n);
        ref_mth(a + k, b, out[(*n)++]);
    } else {
        ref_subproof(m - k, a + k, b, false, out, n);
        ref_mth(a, a + k, out[(*n)++]);
    }
}

/* PROOF(m, D[0:n]) for 0 < m <= n. */
static void ref_consistency(uint64_t m, uint64_t n, uint8_t out[][HL], size_t *len)
{
    *len = 0;
    ref_subproof(m, 0, n, true, out, len);
}

/*
 * Reference inclusion verifier: PATH's recursion says how the root is built
 * from the leaf and the proof (the last proof hash is the top-level sibling).
 */
static bool ref_incl_root(uint64_t m, uint64_t n, const uint8_t leaf[HL], const uint8_t (*p)[HL],
                          size_t len, uint8_t out[HL])
{
    if (n == 1) {
        memcpy(out, leaf, HL);
        return len == 0;
    }
    if (len == 0)
        return false;
    uint64_t k = ref_split(n);
    uint8_t sub[HL];
    if (m < k) {
        if (!ref_incl_root(m, k, leaf, p, len - 1, sub))
            return false;
        ref_node(sub, p[len - 1], out);
    } else {
        if (!ref_incl_root(m - k, n - k, leaf, p, len - 1, sub))
            return false;
        ref_node(p[len - 1], sub, out);
    }
    return true;
}

static bool ref_verify_inclusion(uint64_t m, uint64_t n, const uint8_t leaf[HL],
                                 const uint8_t (*p)[HL], size_t len, const uint8_t root[HL])
{
    uint8_t r[HL];
    if (m >= n)
        return false;
    return ref_incl_root(m, n, leaf, p, len, r) && memcmp(r, root, HL) == 0;
}

/*
 * Reference consistency verifier from SUBPROOF's recursion: rebuilds the old
 * root (o) and the new root (nw) of the subtree from the proof.
 */
static bool ref_cons_roots(uint64_t m, uint64_t n, bool whole, const uint8_t old_root[HL],
                           const uint8_t (*p)[HL], size_t len, uint8_t o[HL], uint8_t nw[HL])
{
    if (m == n) {
        if (whole) {
            memcpy(o, old_root, HL);
            memcpy(nw, old_root, HL);
            return len == 0;
        }
        if (len != 1)
            return false;
        memcpy(o, p[0], HL);
        memcpy(nw, p[0], HL);
        return true;
    }
    if (len == 0)
        return false;
    uint64_t k = ref_split(n);
    uint8_t so[HL], sn[HL];
    if (m <= k) {
        if (!ref_cons_roots(m, k, whole, old_root, p, len - 1, so, sn))
            return false;
        memcpy(o, so, HL);
        ref_node(sn, p[len - 1], nw);
    } else {
        if (!ref_cons_roots(m - k, n - k, false, old_root, p, len - 1, so, sn))
            return false;
        ref_node(p[len - 1], so, o);
        ref_node(p[len - 1], sn, nw);
    }
    return true;
}

static bool ref_verify_consistency(uint64_t m, uint64_t n, const uint8_t old_root[HL],
                                   const uint8_t new_root[HL], const uint8_t (*p)[HL], size_t len)
{
    uint8_t o[HL], nw[HL];
    if (m == 0 || m > n)
        return false;
    return ref_cons_roots(m, n, true, old_root, p, len, o, nw) && memcmp(o, old_root, HL) == 0 &&
           memcmp(nw, new_root, HL) == 0;
}

/* ---------------------------------------------------------------------- */
/* The node store: perfect subtrees reported by cw_merkle_builder_push     */

typedef struct store {
    uint8_t (*node[LEVELS])[HL];
    bool *have[LEVELS];
    uint64_t limit;      /* the tree size the library is working on */
    unsigned long reads; /* node reads since last reset */
    unsigned long bad;   /* reads outside [0, limit) or of missing nodes */
    cw_rc fail_with;     /* if set, every read fails with it */
} store;

static store tree;
static cw_hasher hasher;
static uint8_t (*lib_leaf)[HL]; /* cw_hash_leaf of each leaf input */

static cw_rc store_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HL])
{
    store *s = ctx;
    s->reads++;
    if (s->fail_with)
        return s->fail_with;
    if (level >= LEVELS || index >= (MAXLEAF >> level) || ((index + 1) << level) > s->limit ||
        !s->have[level][index]) {
        s->bad++;
        return CW_ENOTFOUND;
    }
    memcpy(out, s->node[level][index], HL);
    return CW_OK;
}

static void store_put(store *s, unsigned level, uint64_t index, const uint8_t h[HL])
{
    memcpy(s->node[level][index], h, HL);
    s->have[level][index] = true;
}

/* Records leaf n (the builder is at size n) and what push completed. */
static cw_rc store_push(store *s, cw_merkle_builder *b, const uint8_t leaf[HL], unsigned *ncomp,
                        uint8_t completed[64][HL])
{
    uint64_t n = b->size;
    cw_rc rc = cw_merkle_builder_push(b, &hasher, leaf, completed, ncomp);
    if (rc)
        return rc;
    store_put(s, 0, n, leaf);
    for (unsigned k = 0; k < *ncomp && k + 1 < LEVELS; k++)
        store_put(s, k + 1, ((n + 1) >> (k + 1)) - 1, completed[k]);
    return CW_OK;
}

static cw_merkle_source source(uint64_t limit)
{
    tree.limit = limit;
    tree.reads = 0;
    tree.bad = 0;
    tree.fail_with = CW_OK;
    return (cw_merkle_source){store_get, &tree, &hasher};
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || cw_hasher_init(&hasher))
        return -1;
    ref_leaf = calloc(MAXLEAF, HL);
    lib_leaf = calloc(MAXLEAF, HL);
    memo = calloc(MEMO_CAP, sizeof *memo);
    if (!ref_leaf || !lib_leaf || !memo)
        return -1;
    for (unsigned l = 0; l < LEVELS; l++) {
        tree.node[l] = calloc((MAXLEAF >> l) + 1, HL);
        tree.have[l] = calloc((MAXLEAF >> l) + 1, sizeof(bool));
        if (!tree.node[l] || !tree.have[l])
            return -1;
    }
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    for (uint64_t i = 0; i < MAXLEAF; i++) {
        uint8_t in[64], completed[64][HL];
        unsigned nc;
        size_t len = leaf_input(i, in, sizeof in);
        ref_leaf_hash(in, len, ref_leaf[i]);
        if (cw_hash_leaf(&hasher, in, len, lib_leaf[i]) ||
            store_push(&tree, &b, lib_leaf[i], &nc, completed))
            return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (unsigned l = 0; l < LEVELS; l++) {
        free(tree.node[l]);
        free(tree.have[l]);
    }
    free(ref_leaf);
    free(lib_leaf);
    free(memo);
    cw_hasher_release(&hasher);
    return 0;
}

/* Sizes beyond the exhaustive range, each with sampled indices. */
static const uint64_t big_sizes[] = {301,  511,  512,  513,  1000,  1023,  1024,
                                     1025, 4095, 4096, 4097, 65535, 65536, 65537};

/* Fills idx[] with interesting values in [lo, hi] plus random ones. */
static size_t sample(uint64_t lo, uint64_t hi, uint64_t *idx, size_t max)
{
    size_t n = 0;
    const uint64_t fixed[] = {lo, lo + 1, lo + 2, hi / 2, hi - 2, hi - 1, hi};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i] >= lo && fixed[i] <= hi)
            idx[n++] = fixed[i];
    for (uint64_t p = 2; p <= hi + 1; p *= 2)
        for (int d = -1; d <= 1; d++) {
            uint64_t v = p + (uint64_t)(int64_t)d;
            if (v >= lo && v <= hi && n < max)
                idx[n++] = v;
        }
    while (n < max)
        idx[n++] = lo + rng() % (hi - lo + 1);
    return n;
}

/* ---------------------------------------------------------------------- */
/* Hasher                                                                 */

static void test_hasher_vectors(void **state)
{
    (void)state;
    uint8_t h[HL], a[HL], b[HL];
    cw_hasher hh;
    assert_int_equal(cw_hasher_init(&hh), CW_OK);

    assert_int_equal(cw_hash_raw(&hh, "", 0, h), CW_OK);
    assert_hash_hex(h, ct_roots[0]);
    assert_int_equal(cw_hash_raw(&hh, "abc", 3, h), CW_OK);
    assert_hash_hex(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    assert_int_equal(cw_hash_leaf(&hh, "", 0, h), CW_OK);
    assert_hash_hex(h, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assert_int_equal(cw_hash_leaf(&hh, "L123456", 7, h), CW_OK);
    assert_hash_hex(h, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
    /* Reusing the context gives the same answer. */
    assert_int_equal(cw_hash_leaf(&hh, "L123456", 7, h), CW_OK);
    assert_hash_hex(h, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");

    /* Node hash vector over short inputs, as raw SHA-256 of 0x01 || l || r. */
    assert_int_equal(cw_hash_raw(&hh, "\x01N123N456", 9, h), CW_OK);
    assert_hash_hex(h, "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");

    /* cw_hash_node: the 2-leaf CT root from the two leaf hashes. */
    assert_int_equal(cw_hash_leaf(&hh, "", 0, a), CW_OK);
    assert_int_equal(cw_hash_leaf(&hh, "\x00", 1, b), CW_OK);
    assert_hash_hex(b, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    assert_int_equal(cw_hash_node(&hh, a, b, h), CW_OK);
    assert_hash_hex(h, ct_roots[2]);
    /* Order matters. */
    assert_int_equal(cw_hash_node(&hh, b, a, h), CW_OK);
    assert_memory_not_equal(h, (uint8_t[HL]){0}, HL);
    uint8_t want[HL];
    unhex32(ct_roots[2], want);
    assert_memory_not_equal(h, want, HL);
    /* Output may alias an input, as merkle.c relies on. */
    memcpy(h, a, HL);
    assert_int_equal(cw_hash_node(&hh, h, b, h), CW_OK);
    assert_hash_hex(h, ct_roots[2]);
    memcpy(h, b, HL);
    assert_int_equal(cw_hash_node(&hh, a, h, h), CW_OK);
    assert_hash_hex(h, ct_roots[2]);

    /* Agreement with the reference over every shared test leaf input. */
    for (uint64_t i = 0; i < MAXLEAF; i++)
        if (memcmp(lib_leaf[i], ref_leaf[i], HL) != 0)
            fail_msg("cw_hash_leaf of leaf %llu differs from SHA-256(0x00 || data)",
                     (unsigned long long)i);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng() % MAXLEAF, y = rng() % MAXLEAF;
        uint8_t r[HL];
        assert_int_equal(cw_hash_node(&hh, ref_leaf[x], ref_leaf[y], h), CW_OK);
        ref_node(ref_leaf[x], ref_leaf[y], r);
        assert_memory_equal(h, r, HL);
    }
    cw_hasher_release(&hh);
    assert_null(hh.ctx);
}

static void test_ctz(void **state)
{
    (void)state;
    assert_int_equal(cw_merkle_ctz(1), 0);
    assert_int_equal(cw_merkle_ctz(2), 1);
    assert_int_equal(cw_merkle_ctz(12), 2);
    assert_int_equal(cw_merkle_ctz(0x8000000000000000ULL), 63);
    assert_int_equal(cw_merkle_ctz(UINT64_MAX), 0);
    for (unsigned i = 0; i < 64; i++)
        assert_int_equal(cw_merkle_ctz(((uint64_t)1 << i) | ((uint64_t)1 << 63)), i);
}

/* ---------------------------------------------------------------------- */
/* Known answers                                                          */

static void test_empty_tree(void **state)
{
    (void)state;
    uint8_t h[HL];
    cw_merkle_source src = source(0);
    memset(h, 0xaa, HL);
    assert_int_equal(cw_merkle_root(&src, 0, h), CW_OK);
    assert_hash_hex(h, ct_roots[0]);
    assert_int_equal(tree.reads, 0);

    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    assert_int_equal(b.size, 0);
    memset(h, 0xaa, HL);
    assert_int_equal(cw_merkle_builder_root(&b, &hasher, h), CW_OK);
    assert_hash_hex(h, ct_roots[0]);
    ref_root(0, h);
    assert_hash_hex(h, ct_roots[0]);

    src = source(0);
    assert_int_equal(cw_merkle_builder_load(&b, &src, 0), CW_OK);
    assert_int_equal(b.size, 0);
    assert_int_equal(cw_merkle_builder_root(&b, &hasher, h), CW_OK);
    assert_hash_hex(h, ct_roots[0]);
}

static void test_ct_roots(void **state)
{
    (void)state;
    for (uint64_t n = 1; n <= 8; n++) {
        uint8_t h[HL];
        cw_merkle_source src = source(n);
        assert_int_equal(cw_merkle_root(&src, n, h), CW_OK);
        assert_hash_hex(h, ct_roots[n]);
        /* The reference agrees, which validates it too. */
        ref_root(n, h);
        assert_hash_hex(h, ct_roots[n]);
    }
    /* And a builder fed the 8 CT leaves, root after each push. */
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    for (uint64_t n = 0; n < 8; n++) {
        uint8_t in[16], leaf[HL], h[HL];
        size_t len = unhex(ct_leaf_hex[n], in, sizeof in);
        assert_int_equal(cw_hash_leaf(&hasher, in, len, leaf), CW_OK);
        assert_int_equal(cw_merkle_builder_push(&b, &hasher, leaf, NULL, NULL), CW_OK);
        assert_int_equal(cw_merkle_builder_root(&b, &hasher, h), CW_OK);
        assert_hash_hex(h, ct_roots[n + 1]);
    }
}

typedef struct kat_proof {
    uint64_t a, n; /* inclusion: index, size; consistency: old, size */
    const char *hex[3];
    size_t len;
} kat_proof;

static const kat_proof kat_inclusion[] = {
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
     3},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
     3},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}, 1},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"},
     3},
};

static const kat_proof kat_consistency[] = {
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
     3},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
     3},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"},
     2},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
     3},
};

static void test_ct_proofs(void **state)
{
    (void)state;
    uint8_t proof[CW_MERKLE_MAX_PROOF][HL], want[3][HL], root[HL], old_root[HL], leaf[HL];
    for (size_t t = 0; t < sizeof kat_inclusion / sizeof kat_inclusion[0]; t++) {
        const kat_proof *k = &kat_inclusion[t];
        size_t n = 99;
        for (size_t i = 0; i < k->len; i++)
            unhex32(k->hex[i], want[i]);
        cw_merkle_source src = source(k->n);
        assert_int_equal(cw_merkle_inclusion_proof(&src, k->a, k->n, proof, &n), CW_OK);
        assert_int_equal(n, k->len);
        assert_memory_equal(proof, want, k->len * HL);
        /* The reference gives the same. */
        ref_path(k->a, 0, k->n, proof, &n);
        assert_int_equal(n, k->len);
        assert_memory_equal(proof, want, k->len * HL);

        unhex32(ct_roots[k->n], root);
        uint8_t in[16];
        size_t len = unhex(ct_leaf_hex[k->a], in, sizeof in);
        assert_int_equal(cw_hash_leaf(&hasher, in, len, leaf), CW_OK);
        assert_true(cw_merkle_verify_inclusion(&hasher, k->a, k->n, leaf, CP(want), k->len, root));
        assert_true(ref_verify_inclusion(k->a, k->n, leaf, CP(want), k->len, root));
        flip(want[k->len - 1], 7);
        assert_false(cw_merkle_verify_inclusion(&hasher, k->a, k->n, leaf, CP(want), k->len, root));
    }
    for (size_t t = 0; t < sizeof kat_consistency / sizeof kat_consistency[0]; t++) {
        const kat_proof *k = &kat_consistency[t];
        size_t n = 99;
        for (size_t i = 0; i < k->len; i++)
            unhex32(k->hex[i], want[i]);
        cw_merkle_source src = source(k->n);
        assert_int_equal(cw_merkle_consistency_proof(&src, k->a, k->n, proof, &n), CW_OK);
        assert_int_equal(n, k->len);
        assert_memory_equal(proof, want, k->len * HL);
        ref_consistency(k->a, k->n, proof, &n);
        assert_int_equal(n, k->len);
        assert_memory_equal(proof, want, k->len * HL);

        unhex32(ct_roots[k->a], old_root);
        unhex32(ct_roots[k->n], root);
        assert_true(
            cw_merkle_verify_consistency(&hasher, k->a, k->n, old_root, root, CP(want), k->len));
        assert_true(ref_verify_consistency(k->a, k->n, old_root, root, CP(want), k->len));
        flip(want[0], 0);
        assert_false(
            cw_merkle_verify_consistency(&hasher, k->a, k->n, old_root, root, CP(want), k->len));
    }
}

/* ---------------------------------------------------------------------- */
/* Builder                                                                */

static void test_builder_push(void **state)
{
    (void)state;
    /* Every node in the store (all filled by pushes) is the reference MTH
     * of its range, and nothing else was filled. */
    for (unsigned l = 0; l < LEVELS; l++) {
        uint64_t width = (uint64_t)1 << l;
        for (uint64_t j = 0; j < (MAXLEAF >> l) + 1; j++) {
            bool complete = (j + 1) * width <= MAXLEAF;
            if (tree.have[l][j] != complete)
                fail_msg("store node (%u, %llu): have %d, want %d", l, (unsigned long long)j,
                         tree.have[l][j], complete);
            if (complete) {
                uint8_t h[HL];
                ref_mth(j * width, (j + 1) * width, h);
                if (memcmp(h, tree.node[l][j], HL) != 0)
                    fail_msg("builder node (%u, %llu) is not MTH of its range", l,
                             (unsigned long long)j);
            }
        }
    }

    /* A fresh builder: completed counts and hashes, and the root each step. */
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    for (uint64_t n = 0; n < 4200; n++) {
        uint8_t completed[64][HL], h[HL], r[HL];
        unsigned nc = 999, ones = 0;
        for (uint64_t x = n; x & 1; x >>= 1)
            ones++;
        memset(completed, 0, sizeof completed);
        assert_int_equal(cw_merkle_builder_push(&b, &hasher, lib_leaf[n], completed, &nc), CW_OK);
        assert_int_equal(b.size, n + 1);
        assert_int_equal(nc, ones);
        for (unsigned k = 0; k < nc; k++) {
            uint64_t w = (uint64_t)1 << (k + 1);
            ref_mth(n + 1 - w, n + 1, r);
            assert_memory_equal(completed[k], r, HL);
        }
        if (n < EXHAUSTIVE_N || ((n + 1) & n) == 0 || (n + 1) % 97 == 0) {
            assert_int_equal(cw_merkle_builder_root(&b, &hasher, h), CW_OK);
            ref_root(n + 1, r);
            assert_memory_equal(h, r, HL);
        }
    }
    /* NULL outputs are allowed. */
    uint8_t h[HL], r[HL];
    assert_int_equal(cw_merkle_builder_push(&b, &hasher, lib_leaf[4200], NULL, NULL), CW_OK);
    assert_int_equal(cw_merkle_builder_root(&b, &hasher, h), CW_OK);
    ref_root(4201, r);
    assert_memory_equal(h, r, HL);
}

static void check_load(uint64_t s, uint64_t more)
{
    cw_merkle_builder pushed, loaded;
    uint8_t h[HL], r[HL];
    cw_merkle_builder_init(&pushed);
    for (uint64_t i = 0; i < s; i++)
        assert_int_equal(cw_merkle_builder_push(&pushed, &hasher, lib_leaf[i], NULL, NULL), CW_OK);

    memset(&loaded, 0x5a, sizeof loaded);
    cw_merkle_source src = source(s);
    assert_int_equal(cw_merkle_builder_load(&loaded, &src, s), CW_OK);
    assert_int_equal(tree.bad, 0);
    assert_int_equal(tree.reads, popcount(s));
    assert_int_equal(loaded.size, s);
    for (unsigned l = 0; l < 64; l++)
        if (s >> l & 1)
            assert_memory_equal(loaded.stack[l], pushed.stack[l], HL);
    assert_int_equal(cw_merkle_builder_root(&loaded, &hasher, h), CW_OK);
    ref_root(s, r);
    assert_memory_equal(h, r, HL);

    for (uint64_t i = s; i < s + more; i++) {
        uint8_t completed[64][HL];
        unsigned nc;
        assert_int_equal(cw_merkle_builder_push(&loaded, &hasher, lib_leaf[i], completed, &nc),
                         CW_OK);
        for (unsigned k = 0; k < nc; k++)
            assert_memory_equal(completed[k], tree.node[k + 1][((i + 1) >> (k + 1)) - 1], HL);
        assert_int_equal(cw_merkle_builder_root(&loaded, &hasher, h), CW_OK);
        ref_root(i + 1, r);
        assert_memory_equal(h, r, HL);
    }
}

static void test_builder_load(void **state)
{
    (void)state;
    for (uint64_t s = 0; s <= EXHAUSTIVE_N; s++)
        check_load(s, s < 70 ? 40 : 3);
    for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++)
        check_load(big_sizes[i], 40);
}

/* ---------------------------------------------------------------------- */
/* Roots and proofs against the reference, with mutations                 */

static void check_root(uint64_t n)
{
    uint8_t h[HL], r[HL];
    cw_merkle_source src = source(n);
    memset(h, 0, HL);
    assert_int_equal(cw_merkle_root(&src, n, h), CW_OK);
    assert_int_equal(tree.bad, 0);
    assert_true(tree.reads <= bitlen(n));
    ref_root(n, r);
    if (memcmp(h, r, HL) != 0)
        fail_msg("root of size %llu differs from the reference", (unsigned long long)n);
}

static void test_roots(void **state)
{
    (void)state;
    for (uint64_t n = 0; n <= EXHAUSTIVE_N; n++)
        check_root(n);
    for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++)
        check_root(big_sizes[i]);
}

static bool lib_incl(uint64_t m, uint64_t n, const uint8_t leaf[HL], uint8_t (*p)[HL], size_t len,
                     const uint8_t root[HL])
{
    return cw_merkle_verify_inclusion(&hasher, m, n, leaf, CP(p), len, root);
}

/* Claims at another size that the reference (rightly) accepts, of those tried. */
static unsigned long neighbour_ok, neighbour_tried;

static void check_inclusion(uint64_t m, uint64_t n, bool all_bits)
{
    uint8_t p[CW_MERKLE_MAX_PROOF + 2][HL], q[CW_MERKLE_MAX_PROOF + 2][HL];
    uint8_t want[CW_MERKLE_MAX_PROOF][HL], root[HL], bad[HL];
    const uint8_t *leaf = ref_leaf[m];
    size_t len = 999, wlen = 0;

    cw_merkle_source src = source(n);
    assert_int_equal(cw_merkle_inclusion_proof(&src, m, n, p, &len), CW_OK);
    assert_int_equal(tree.bad, 0);
    assert_true(tree.reads <= 2 * bitlen(n));
    ref_path(m, 0, n, want, &wlen);
    if (len != wlen || memcmp(p, want, len * HL) != 0)
        fail_msg("inclusion proof %llu in %llu differs from PATH (length %zu, want %zu)",
                 (unsigned long long)m, (unsigned long long)n, len, wlen);
    ref_root(n, root);

    if (!lib_incl(m, n, leaf, p, len, root))
        fail_msg("inclusion %llu in %llu does not verify", (unsigned long long)m,
                 (unsigned long long)n);
    assert_true(ref_verify_inclusion(m, n, leaf, CP(p), len, root));

    /* One bit flipped in one proof hash. */
    if (len > 0) {
        memcpy(q, p, len * HL);
        flip(q[rng() % len], (unsigned)(rng() % 256));
        assert_false(lib_incl(m, n, leaf, q, len, root));
    }
    if (all_bits) {
        memcpy(q, p, len * HL);
        for (size_t i = 0; i < len; i++)
            for (unsigned bit = 0; bit < 256; bit++) {
                flip(q[i], bit);
                if (lib_incl(m, n, leaf, q, len, root))
                    fail_msg("inclusion %llu in %llu verifies with bit %u of hash %zu flipped",
                             (unsigned long long)m, (unsigned long long)n, bit, i);
                flip(q[i], bit);
            }
        for (unsigned bit = 0; bit < 256; bit++) {
            memcpy(bad, leaf, HL);
            flip(bad, bit);
            assert_false(lib_incl(m, n, bad, p, len, root));
            memcpy(bad, root, HL);
            flip(bad, bit);
            assert_false(lib_incl(m, n, leaf, p, len, bad));
        }
    }
    /* Wrong leaf hash, wrong root. */
    memcpy(bad, leaf, HL);
    flip(bad, (unsigned)(rng() % 256));
    assert_false(lib_incl(m, n, bad, p, len, root));
    memcpy(bad, root, HL);
    flip(bad, (unsigned)(rng() % 256));
    assert_false(lib_incl(m, n, leaf, p, len, bad));
    /* Another leaf's hash at this index. */
    assert_false(lib_incl(m, n, ref_leaf[(m + 1) % MAXLEAF], p, len, root));

    /* Wrong index: never verifies in the same tree (the leaves are distinct);
     * m + 1 == n also exercises index >= size. */
    if (m > 0) {
        assert_false(lib_incl(m - 1, n, leaf, p, len, root));
        assert_false(ref_verify_inclusion(m - 1, n, leaf, CP(p), len, root));
    }
    assert_false(lib_incl(m + 1, n, leaf, p, len, root));
    assert_false(ref_verify_inclusion(m + 1, n, leaf, CP(p), len, root));
    assert_false(lib_incl(m ^ 1, n, leaf, p, len, root));
    assert_false(lib_incl(m ^ 2, n, leaf, p, len, root));

    /* Wrong size (n - 1, n + 1, n / 2, 2n): an inclusion proof does not
     * commit to the tree size, so the claim still verifies where the proof has
     * the same shape in the other tree (index 0 in 8 and in 7, say); the
     * reference decides, and the library must agree either way. */
    const uint64_t sizes[] = {n - 1, n + 1, n / 2, n * 2};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t n2 = sizes[i];
        bool lib = lib_incl(m, n2, leaf, p, len, root);
        bool ref = ref_verify_inclusion(m, n2, leaf, CP(p), len, root);
        if (lib != ref)
            fail_msg("inclusion %llu in %llu claimed at size %llu: library %d, reference %d",
                     (unsigned long long)m, (unsigned long long)n, (unsigned long long)n2, lib,
                     ref);
        neighbour_ok += lib;
        neighbour_tried++;
    }
    assert_false(lib_incl(m, 0, leaf, p, len, root));
    assert_false(lib_incl(m, m, leaf, p, len, root));

    /* Truncated, extended, prepended. */
    if (len > 0) {
        assert_false(lib_incl(m, n, leaf, p, len - 1, root));
        assert_false(lib_incl(m, n, leaf, p + 1, len - 1, root));
    }
    memcpy(q, p, len * HL);
    memcpy(q[len], ref_leaf[rng() % MAXLEAF], HL);
    assert_false(lib_incl(m, n, leaf, q, len + 1, root));
    memcpy(q[len], root, HL);
    assert_false(lib_incl(m, n, leaf, q, len + 1, root));
    memcpy(q[0], leaf, HL);
    memcpy(q + 1, p, len * HL);
    assert_false(lib_incl(m, n, leaf, q, len + 1, root));
    memcpy(q[0], ref_leaf[rng() % MAXLEAF], HL);
    assert_false(lib_incl(m, n, leaf, q, len + 1, root));
    /* Two hashes swapped. */
    if (len > 1) {
        size_t i = rng() % (len - 1);
        memcpy(q, p, len * HL);
        memcpy(q[i], p[i + 1], HL);
        memcpy(q[i + 1], p[i], HL);
        assert_false(lib_incl(m, n, leaf, q, len, root));
    }
}

static void test_inclusion(void **state)
{
    (void)state;
    rng_state = 1;
    neighbour_ok = neighbour_tried = 0;
    for (uint64_t n = 1; n <= EXHAUSTIVE_N; n++)
        for (uint64_t m = 0; m < n; m++)
            check_inclusion(m, n, n <= ALLBITS_N);
    for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++) {
        uint64_t idx[48], n = big_sizes[i];
        size_t k = sample(0, n - 1, idx, 48);
        for (size_t j = 0; j < k; j++)
            check_inclusion(idx[j], n, false);
    }
    /* Both outcomes of the other-size claims were exercised. */
    assert_true(neighbour_ok > 0 && neighbour_ok < neighbour_tried);
}

static bool lib_cons(uint64_t m, uint64_t n, const uint8_t o[HL], const uint8_t r[HL],
                     uint8_t (*p)[HL], size_t len)
{
    return cw_merkle_verify_consistency(&hasher, m, n, o, r, CP(p), len);
}

static void check_consistency(uint64_t m, uint64_t n, bool all_bits)
{
    uint8_t p[CW_MERKLE_MAX_PROOF + 2][HL], q[CW_MERKLE_MAX_PROOF + 2][HL];
    uint8_t want[CW_MERKLE_MAX_PROOF][HL], o[HL], r[HL], bad[HL];
    size_t len = 999, wlen = 0;

    cw_merkle_source src = source(n);
    assert_int_equal(cw_merkle_consistency_proof(&src, m, n, p, &len), CW_OK);
    assert_int_equal(tree.bad, 0);
    assert_true(tree.reads <= 2 * bitlen(n) + 1);
    ref_consistency(m, n, want, &wlen);
    if (len != wlen || memcmp(p, want, len * HL) != 0)
        fail_msg("consistency proof %llu -> %llu differs from PROOF (length %zu, want %zu)",
                 (unsigned long long)m, (unsigned long long)n, len, wlen);
    ref_root(m, o);
    ref_root(n, r);

    if (!lib_cons(m, n, o, r, p, len))
        fail_msg("consistency %llu -> %llu does not verify", (unsigned long long)m,
                 (unsigned long long)n);
    assert_true(ref_verify_consistency(m, n, o, r, CP(p), len));

    if (len > 0) {
        memcpy(q, p, len * HL);
        flip(q[rng() % len], (unsigned)(rng() % 256));
        assert_false(lib_cons(m, n, o, r, q, len));
    }
    if (all_bits) {
        memcpy(q, p, len * HL);
        for (size_t i = 0; i < len; i++)
            for (unsigned bit = 0; bit < 256; bit++) {
                flip(q[i], bit);
                if (lib_cons(m, n, o, r, q, len))
                    fail_msg("consistency %llu -> %llu verifies with bit %u of hash %zu flipped",
                             (unsigned long long)m, (unsigned long long)n, bit, i);
                flip(q[i], bit);
            }
        for (unsigned bit = 0; bit < 256; bit++) {
            memcpy(bad, o, HL);
            flip(bad, bit);
            assert_false(lib_cons(m, n, bad, r, p, len));
            memcpy(bad, r, HL);
            flip(bad, bit);
            assert_false(lib_cons(m, n, o, bad, p, len));
        }
    }
    /* Wrong roots. */
    memcpy(bad, o, HL);
    flip(bad, (unsigned)(rng() % 256));
    assert_false(lib_cons(m, n, bad, r, p, len));
    memcpy(bad, r, HL);
    flip(bad, (unsigned)(rng() % 256));
    assert_false(lib_cons(m, n, o, bad, p, len));
    if (m < n) {
        assert_false(lib_cons(m, n, r, o, p, len)); /* swapped */
        assert_false(lib_cons(m, n, r, r, p, len));
        assert_false(lib_cons(m, n, o, o, p, len));
    }

    /* Other sizes claimed for the same proof and roots: the library must
     * agree with the reference (out of range sizes are refused by both). */
    const uint64_t olds[] = {m - 1, m + 1, m ^ 2, m, m, m, m};
    const uint64_t news[] = {n, n, n, n - 1, n + 1, n / 2, n * 2};
    for (size_t i = 0; i < sizeof olds / sizeof olds[0]; i++) {
        bool lib = lib_cons(olds[i], news[i], o, r, p, len);
        bool ref = ref_verify_consistency(olds[i], news[i], o, r, CP(p), len);
        if (lib != ref)
            fail_msg("consistency %llu -> %llu claimed as %llu -> %llu: library %d, reference %d",
                     (unsigned long long)m, (unsigned long long)n, (unsigned long long)olds[i],
                     (unsigned long long)news[i], lib, ref);
        if (i < 3 && lib)
            fail_msg("consistency %llu -> %llu verifies as %llu -> %llu", (unsigned long long)m,
                     (unsigned long long)n, (unsigned long long)olds[i], (unsigned long long)n);
        neighbour_ok += lib;
        neighbour_tried++;
    }
    assert_false(lib_cons(0, n, o, r, p, len));
    assert_false(lib_cons(n + 1, n, o, r, p, len));

    /* Truncated, extended, prepended (the old root first is a classic). */
    if (len > 0) {
        assert_false(lib_cons(m, n, o, r, p, len - 1));
        assert_false(lib_cons(m, n, o, r, p + 1, len - 1));
    }
    memcpy(q, p, len * HL);
    memcpy(q[len], ref_leaf[rng() % MAXLEAF], HL);
    assert_false(lib_cons(m, n, o, r, q, len + 1));
    memcpy(q[len], r, HL);
    assert_false(lib_cons(m, n, o, r, q, len + 1));
    memcpy(q[0], o, HL);
    memcpy(q + 1, p, len * HL);
    assert_false(lib_cons(m, n, o, r, q, len + 1));
    memcpy(q[0], ref_leaf[rng() % MAXLEAF], HL);
    assert_false(lib_cons(m, n, o, r, q, len + 1));
    if (len > 1) {
        size_t i = rng() % (len - 1);
        memcpy(q, p, len * HL);
        memcpy(q[i], p[i + 1], HL);
        memcpy(q[i + 1], p[i], HL);
        assert_false(lib_cons(m, n, o, r, q, len));
    }
}

static void test_consistency(void **state)
{
    (void)state;
    rng_state = 2;
    neighbour_ok = neighbour_tried = 0;
    for (uint64_t n = 1; n <= EXHAUSTIVE_N; n++)
        for (uint64_t m = 1; m <= n; m++)
            check_consistency(m, n, n <= ALLBITS_N);
    for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++) {
        uint64_t idx[48], n = big_sizes[i];
        size_t k = sample(1, n, idx, 48);
        for (size_t j = 0; j < k; j++)
            check_consistency(idx[j], n, false);
    }
    assert_true(neighbour_ok > 0 && neighbour_ok < neighbour_tried);
}

/* ---------------------------------------------------------------------- */
/* Verifier rules and argument checks                                     */

static void test_verifier_rules(void **state)
{
    (void)state;
    uint8_t p[CW_MERKLE_MAX_PROOF][HL], r8[HL], r5[HL], e[HL];
    size_t n = 0;
    ref_root(8, r8);
    ref_root(5, r5);
    ref_root(0, e);

    /* Inclusion refuses index >= size even with a proof that fits. */
    cw_merkle_source src = source(8);
    assert_int_equal(cw_merkle_inclusion_proof(&src, 7, 8, p, &n), CW_OK);
    assert_true(cw_merkle_verify_inclusion(&hasher, 7, 8, ref_leaf[7], CP(p), n, r8));
    assert_false(cw_merkle_verify_inclusion(&hasher, 8, 8, ref_leaf[7], CP(p), n, r8));
    assert_false(cw_merkle_verify_inclusion(&hasher, 15, 8, ref_leaf[7], CP(p), n, r8));
    assert_false(cw_merkle_verify_inclusion(&hasher, UINT64_MAX, 8, ref_leaf[7], CP(p), n, r8));
    assert_false(cw_merkle_verify_inclusion(&hasher, 0, 0, ref_leaf[0], CP(p), 0, e));
    /* Size 1: the root is the leaf and the proof empty. */
    assert_true(cw_merkle_verify_inclusion(&hasher, 0, 1, ref_leaf[0], CP(p), 0, ref_leaf[0]));
    assert_false(cw_merkle_verify_inclusion(&hasher, 1, 1, ref_leaf[0], CP(p), 0, ref_leaf[0]));
    assert_false(cw_merkle_verify_inclusion(&hasher, 0, 1, ref_leaf[0], CP(p), 1, ref_leaf[0]));
    /* Huge claimed sizes with a short proof fail. */
    assert_false(cw_merkle_verify_inclusion(&hasher, 7, UINT64_MAX, ref_leaf[7], CP(p), n, r8));

    /* Consistency: old == 0 refused, even from the empty tree to itself. */
    assert_false(cw_merkle_verify_consistency(&hasher, 0, 0, e, e, CP(p), 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 0, 8, e, r8, CP(p), 0));
    src = source(8);
    assert_int_equal(cw_merkle_consistency_proof(&src, 5, 8, p, &n), CW_OK);
    assert_true(n > 0);
    assert_true(cw_merkle_verify_consistency(&hasher, 5, 8, r5, r8, CP(p), n));
    assert_false(cw_merkle_verify_consistency(&hasher, 0, 8, r5, r8, CP(p), n));
    /* old > size refused. */
    assert_false(cw_merkle_verify_consistency(&hasher, 8, 5, r8, r5, CP(p), n));
    assert_false(cw_merkle_verify_consistency(&hasher, 9, 8, r8, r8, CP(p), 0));
    /* old == size: empty proof and equal roots. */
    assert_true(cw_merkle_verify_consistency(&hasher, 8, 8, r8, r8, CP(p), 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 8, 8, r8, r8, CP(p), 1));
    assert_false(cw_merkle_verify_consistency(&hasher, 8, 8, r8, r5, CP(p), 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 8, 8, r5, r8, CP(p), 0));
    /* old < size with an empty proof fails, even for equal roots. */
    assert_false(cw_merkle_verify_consistency(&hasher, 5, 8, r5, r8, CP(p), 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 5, 8, r8, r8, CP(p), 0));
    /* An empty proof need not point anywhere: it is never read. */
    assert_false(cw_merkle_verify_consistency(&hasher, 5, 8, r5, r8, NULL, 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 3, 8, r5, r8, NULL, 0));
    assert_false(cw_merkle_verify_consistency(&hasher, 4, 8, r5, r8, NULL, 0));
    assert_true(cw_merkle_verify_consistency(&hasher, 8, 8, r8, r8, NULL, 0));
    assert_true(cw_merkle_verify_inclusion(&hasher, 0, 1, ref_leaf[0], NULL, 0, ref_leaf[0]));
    assert_false(cw_merkle_verify_inclusion(&hasher, 0, 2, ref_leaf[0], NULL, 0, ref_leaf[0]));
    /* A power-of-two old size: the old root is not part of the proof. */
    uint8_t r4[HL];
    ref_root(4, r4);
    src = source(8);
    assert_int_equal(cw_merkle_consistency_proof(&src, 4, 8, p, &n), CW_OK);
    assert_int_equal(n, 1);
    assert_true(cw_merkle_verify_consistency(&hasher, 4, 8, r4, r8, CP(p), 1));
    assert_false(cw_merkle_verify_consistency(&hasher, 4, 8, r4, r8, CP(p), 0));

    /* Proof generation checks its arguments. */
    src = source(8);
    assert_int_equal(cw_merkle_inclusion_proof(&src, 8, 8, p, &n), CW_EINVAL);
    assert_int_equal(cw_merkle_inclusion_proof(&src, 0, 0, p, &n), CW_EINVAL);
    assert_int_equal(cw_merkle_consistency_proof(&src, 0, 8, p, &n), CW_EINVAL);
    assert_int_equal(cw_merkle_consistency_proof(&src, 9, 8, p, &n), CW_EINVAL);
    assert_int_equal(cw_merkle_consistency_proof(&src, 0, 0, p, &n), CW_EINVAL);
    n = 77;
    assert_int_equal(cw_merkle_consistency_proof(&src, 8, 8, p, &n), CW_OK);
    assert_int_equal(n, 0);
    n = 77;
    src = source(1);
    assert_int_equal(cw_merkle_inclusion_proof(&src, 0, 1, p, &n), CW_OK);
    assert_int_equal(n, 0);
}

static void test_source_errors(void **state)
{
    (void)state;
    uint8_t p[CW_MERKLE_MAX_PROOF][HL], h[HL];
    size_t n;
    cw_merkle_builder b;
    const uint64_t sizes[] = {1, 2, 3, 7, 8, 300};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t s = sizes[i];
        cw_merkle_source src = source(s);
        tree.fail_with = CW_EDB;
        assert_int_equal(cw_merkle_root(&src, s, h), CW_EDB);
        assert_int_equal(cw_merkle_builder_load(&b, &src, s), CW_EDB);
        if (s > 1) {
            assert_int_equal(cw_merkle_inclusion_proof(&src, s - 1, s, p, &n), CW_EDB);
            assert_int_equal(cw_merkle_consistency_proof(&src, 1, s, p, &n), CW_EDB);
        }
        /* A missing node is reported too. */
        src = source(s - 1);
        assert_int_equal(cw_merkle_root(&src, s, h), CW_ENOTFOUND);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hasher_vectors), cmocka_unit_test(test_ctz),
        cmocka_unit_test(test_empty_tree),     cmocka_unit_test(test_ct_roots),
        cmocka_unit_test(test_ct_proofs),      cmocka_unit_test(test_builder_push),
        cmocka_unit_test(test_builder_load),   cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion),      cmocka_unit_test(test_consistency),
        cmocka_unit_test(test_verifier_rules), cmocka_unit_test(test_source_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
