/*
 * hash.c — SHA-256 through OpenSSL's EVP interface. The EVP_MD is fetched once
 * (pthread_once) and released at exit; each cw_hasher reuses one context.
 * (OpenSSL 3.0 still allocates its provider context on every init.)
 */
#include "ledger/hash.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_free(void)
{
    EVP_MD_free(sha256);
    sha256 = NULL;
}

static void sha256_fetch(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256)
        atexit(sha256_free);
}

cw_rc cw_hasher_init(cw_hasher *h)
{
    pthread_once(&sha256_once, sha256_fetch);
    h->ctx = NULL;
    if (!sha256)
        return CW_ECRYPTO;
    h->ctx = EVP_MD_CTX_new();
    return h->ctx ? CW_OK : CW_ENOMEM;
}

void cw_hasher_release(cw_hasher *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

static cw_rc digest(cw_hasher *h, const void *p1, size_t n1, const void *p2, size_t n2,
                    const void *p3, size_t n3, uint8_t out[CW_HASH_LEN])
{
    EVP_MD_CTX *ctx = h->ctx;
    if (!EVP_DigestInit_ex2(ctx, sha256, NULL) || (n1 && !EVP_DigestUpdate(ctx, p1, n1)) ||
        (n2 && !EVP_DigestUpdate(ctx, p2, n2)) || (n3 && !EVP_DigestUpdate(ctx, p3, n3)) ||
        !EVP_DigestFinal_ex(ctx, out, NULL))
        return CW_ECRYPTO;
    return CW_OK;
}

cw_rc cw_hash_leaf(cw_hasher *h, const void *data, size_t len, uint8_t out[CW_HASH_LEN])
{
    static const uint8_t prefix = 0x00;
    return digest(h, &prefix, 1, data, len, NULL, 0, out);
}

cw_rc cw_hash_node(cw_hasher *h, const uint8_t left[CW_HASH_LEN], const uint8_t right[CW_HASH_LEN],
                   uint8_t out[CW_HASH_LEN])
{
    static const uint8_t prefix = 0x01;
    return digest(h, &prefix, 1, left, CW_HASH_LEN, right, CW_HASH_LEN, out);
}

cw_rc cw_hash_raw(cw_hasher *h, const void *data, size_t len, uint8_t out[CW_HASH_LEN])
{
    return digest(h, data, len, NULL, 0, NULL, 0, out);
}

cw_rc cw_hash_personal(cw_hasher *h, const uint8_t salt[CW_PERSONAL_SALT_LEN], const void *body,
                       size_t len, uint8_t out[CW_HASH_LEN])
{
    static const char prefix[] = "caseward personal v1"; /* and its NUL, the 0x00 */
    return digest(h, prefix, sizeof prefix, salt, CW_PERSONAL_SALT_LEN, body, len, out);
}
