/*
 * note.c — signed notes, Ed25519 keys and checkpoints; see note.h for the
 * byte formats. libsodium provides Ed25519, SHA-256 for key ids, and base64.
 */
#include "ledger/note.h"
#include "util/base64.h"
#include "util/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define EMDASH      "\xe2\x80\x94"
#define ALG_ED25519 0x01

static cw_rc sodium_ready(cw_error *err)
{
    if (sodium_init() < 0)
        return cw_error_set(err, CW_ECRYPTO, "libsodium failed to initialise");
    return CW_OK;
}

cw_rc cw_note_check_name(const char *name, cw_error *err)
{
    size_t n = strlen(name);
    if (n == 0)
        return cw_error_set(err, CW_EINVAL, "key name is empty");
    if (n > CW_NOTE_NAME_MAX)
        return cw_error_set(err, CW_EINVAL, "key name is %zu bytes; the limit is %d", n,
                            CW_NOTE_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || c == '+')
            return cw_error_set(err, CW_EINVAL,
                                "key name \"%.*s\": byte %zu is not allowed (use printable "
                                "ASCII without spaces or '+')",
                                (int)(i < 64 ? i : 64), name, i);
    }
    return CW_OK;
}

static void key_id(const char *name, const uint8_t pk[32], uint8_t out[4])
{
    crypto_hash_sha256_state st;
    uint8_t sep[2] = {'\n', ALG_ED25519};
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, h, 4);
}

/* Standard padded base64: length a multiple of 4, '=' only as padding. */
static int base64_well_formed(const char *s, size_t n)
{
    if (n == 0 || n % 4)
        return 0;
    size_t pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < n - pad; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return 0;
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Splits "name+hexid+base64" (the tail of a vkey or skey). */
static cw_rc parse_key_tail(const char *s, size_t len, char name[CW_NOTE_NAME_MAX + 1],
                            uint8_t id[4], uint8_t key[32], const char *what, cw_error *err)
{
    const char *plus1 = memchr(s, '+', len);
    if (!plus1)
        return cw_error_set(err, CW_EINVAL, "%s: expected name+keyid+key", what);
    size_t nlen = (size_t)(plus1 - s);
    const char *rest = plus1 + 1;
    size_t rlen = len - nlen - 1;
    if (nlen == 0 || nlen > CW_NOTE_NAME_MAX)
        return cw_error_set(err, CW_EINVAL, "%s: key name is empty or too long", what);
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    cw_rc rc = cw_note_check_name(name, err);
    if (rc) {
        cw_error_prefix(err, "%s: ", what);
        return rc;
    }
    if (rlen < 9 || rest[8] != '+')
        return cw_error_set(err, CW_EINVAL, "%s: key id must be 8 lowercase hex digits", what);
    for (int i = 0; i < 4; i++) {
        int hi = hexval(rest[2 * i]), lo = hexval(rest[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return cw_error_set(err, CW_EINVAL, "%s: key id must be 8 lowercase hex digits", what);
        id[i] = (uint8_t)(hi << 4 | lo);
    }
    uint8_t raw[33];
    if (cw_base64_decode_exact(rest + 9, rlen - 9, raw, 33))
        return cw_error_set(err, CW_EINVAL, "%s: key is not base64 of 33 bytes", what);
    if (raw[0] != ALG_ED25519) {
        unsigned alg = raw[0];
        sodium_memzero(raw, sizeof raw);
        return cw_error_set(err, CW_EINVAL, "%s: key algorithm %u is not Ed25519 (1)", what, alg);
    }
    memcpy(key, raw + 1, 32);
    sodium_memzero(raw, sizeof raw);
    return CW_OK;
}

cw_rc cw_note_verifier_parse(const char *vkey, size_t len, cw_note_verifier *out, cw_error *err)
{
    while (len && (vkey[len - 1] == '\n' || vkey[len - 1] == '\r'))
        len--;
    cw_rc rc = sodium_ready(err);
    if (rc)
        return rc;
    uint8_t id[4];
    if ((rc = parse_key_tail(vkey, len, out->name, id, out->public_key, "verifier key", err)))
        return rc;
    key_id(out->name, out->public_key, out->key_id);
    if (memcmp(id, out->key_id, 4) != 0)
        return cw_error_set(err, CW_EINVAL, "verifier key: key id does not match the key");
    return CW_OK;
}

static cw_rc format_key(const char *prefix, const char *name, const uint8_t id[4],
                        const uint8_t key[32], cw_buf *out)
{
    uint8_t raw[33];
    raw[0] = ALG_ED25519;
    memcpy(raw + 1, key, 32);
    cw_rc rc = cw_buf_addf(out, "%s%s+%02x%02x%02x%02x+", prefix, name, id[0], id[1], id[2], id[3]);
    if (!rc)
        rc = cw_base64_encode(raw, 33, out);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

cw_rc cw_note_verifier_format(const cw_note_verifier *v, cw_buf *out)
{
    return format_key("", v->name, v->key_id, v->public_key, out);
}

cw_rc cw_note_signer_generate(const char *name, cw_note_signer *out, cw_error *err)
{
    cw_rc rc = sodium_ready(err);
    if (rc || (rc = cw_note_check_name(name, err)))
        return rc;
    memcpy(out->v.name, name, strlen(name) + 1);
    crypto_sign_keypair(out->v.public_key, out->secret_key);
    key_id(name, out->v.public_key, out->v.key_id);
    return CW_OK;
}

cw_rc cw_note_signer_parse(const char *skey, size_t len, cw_note_signer *out, cw_error *err)
{
    static const char prefix[] = "PRIVATE+KEY+";
    cw_rc rc = sodium_ready(err);
    if (rc)
        return rc;
    while (len && (skey[len - 1] == '\n' || skey[len - 1] == '\r'))
        len--;
    if (len < sizeof prefix - 1 || memcmp(skey, prefix, sizeof prefix - 1) != 0)
        return cw_error_set(err, CW_EINVAL, "signing key: does not start with PRIVATE+KEY+");
    uint8_t id[4], seed[32];
    if ((rc = parse_key_tail(skey + sizeof prefix - 1, len - (sizeof prefix - 1), out->v.name, id,
                             seed, "signing key", err)))
        return rc;
    crypto_sign_seed_keypair(out->v.public_key, out->secret_key, seed);
    sodium_memzero(seed, sizeof seed);
    key_id(out->v.name, out->v.public_key, out->v.key_id);
    if (memcmp(id, out->v.key_id, 4) != 0) {
        cw_note_signer_release(out);
        return cw_error_set(err, CW_EINVAL, "signing key: key id does not match the key");
    }
    return CW_OK;
}

cw_rc cw_note_signer_format(const cw_note_signer *s, cw_buf *out)
{
    /* libsodium's secret key is seed || public key. */
    return format_key("PRIVATE+KEY+", s->v.name, s->v.key_id, s->secret_key, out);
}

void cw_note_signer_release(cw_note_signer *s)
{
    sodium_memzero(s->secret_key, sizeof s->secret_key);
}

static cw_rc check_text(const char *text, size_t len, cw_error *err)
{
    if (len == 0 || text[len - 1] != '\n')
        return cw_error_set(err, CW_EINVAL, "note text is empty or does not end in a newline");
    size_t bad = cw_utf8_check(text, len);
    if (bad != len)
        return cw_error_set(err, CW_EINVAL, "note text: invalid UTF-8 at offset %zu", bad);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return cw_error_set(err, CW_EINVAL, "note text: control byte 0x%02x at offset %zu", c,
                                i);
    }
    if (sodium_ready(err))
        return CW_ECRYPTO;
    return CW_OK;
}

cw_rc cw_note_sign(const cw_note_signer *s, const char *text, size_t len, cw_buf *out,
                   cw_error *err)
{
    cw_rc rc = check_text(text, len, err);
    if (rc)
        return rc;
    uint8_t sig[68];
    memcpy(sig, s->v.key_id, 4);
    crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, len, s->secret_key);
    if ((rc = cw_buf_add(out, text, len)) ||
        (rc = cw_buf_addf(out, "\n" EMDASH " %s ", s->v.name)) ||
        (rc = cw_base64_encode(sig, sizeof sig, out)) || (rc = cw_buf_addc(out, '\n')))
        return cw_error_set(err, rc, "signed note: %s", cw_rc_str(rc));
    return CW_OK;
}

cw_rc cw_note_open(const cw_note_verifier *v, const char *note, size_t len, size_t *text_len,
                   cw_error *err)
{
    if (len > CW_NOTE_MAX_BYTES)
        return cw_error_set(err, CW_ETOOBIG, "signed note is %zu bytes; the limit is %d", len,
                            CW_NOTE_MAX_BYTES);
    if (len < 2 || note[len - 1] != '\n')
        return cw_error_set(err, CW_EINVAL, "signed note does not end in a newline");
    /* The text ends at the last blank line: find the last "\n\n". */
    size_t split = 0;
    int found = 0;
    for (size_t i = len - 1; i-- > 0;) {
        if (note[i] == '\n' && note[i + 1] == '\n') {
            split = i + 1;
            found = 1;
            break;
        }
    }
    if (!found)
        return cw_error_set(err, CW_EINVAL, "signed note has no blank line before its signatures");
    cw_rc rc = check_text(note, split, err);
    if (rc)
        return rc;

    const char *p = note + split + 1, *end = note + len;
    int nsigs = 0, good = 0;
    size_t nlen = strlen(v->name);
    if (p >= end)
        return cw_error_set(err, CW_EINVAL, "signed note has no signature lines");
    if (cw_utf8_check(p, (size_t)(end - p)) != (size_t)(end - p))
        return cw_error_set(err, CW_EINVAL, "signed note: signature lines are not valid UTF-8");
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)(eol - p);
        if (++nsigs > CW_NOTE_MAX_SIGS)
            return cw_error_set(err, CW_EINVAL, "signed note has more than %d signatures",
                                CW_NOTE_MAX_SIGS);
        if (ll < 4 || memcmp(p, EMDASH " ", 4) != 0)
            return cw_error_set(err, CW_EINVAL,
                                "signed note: signature line %d does not start "
                                "with an em dash and a space",
                                nsigs);
        const char *name = p + 4;
        const char *sp = memchr(name, ' ', (size_t)(eol - name));
        if (!sp || sp == name)
            return cw_error_set(err, CW_EINVAL, "signed note: signature line %d is malformed",
                                nsigs);
        const char *b64 = sp + 1;
        size_t blen = (size_t)(eol - b64);
        /* Every signature line must be base64 of a key id and a signature;
         * only ours is decoded in full, since other algorithms' signatures
         * (post-quantum ones reach several kB) are ignored. */
        if (!base64_well_formed(b64, blen) || blen < 8)
            return cw_error_set(err, CW_EINVAL,
                                "signed note: signature line %d is not base64 "
                                "of a key id and a signature",
                                nsigs);
        for (const char *q = name; q < sp; q++)
            if ((unsigned char)*q <= 0x20 || *q == '+')
                return cw_error_set(err, CW_EINVAL,
                                    "signed note: signature line %d has a bad key name", nsigs);
        if ((size_t)(sp - name) == nlen && memcmp(name, v->name, nlen) == 0) {
            uint8_t raw[4 + crypto_sign_BYTES + 3];
            size_t got = 0;
            /* The first 8 characters are the key id and two more bytes. */
            if (sodium_base642bin(raw, sizeof raw, b64, 8, NULL, &got, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) != 0 ||
                got != 6)
                return cw_error_set(err, CW_EINVAL,
                                    "signed note: signature line %d is not "
                                    "base64",
                                    nsigs);
            if (memcmp(raw, v->key_id, 4) == 0) {
                if (sodium_base642bin(raw, sizeof raw, b64, blen, NULL, &got, NULL,
                                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
                    got != 4 + crypto_sign_BYTES ||
                    crypto_sign_verify_detached(raw + 4, (const uint8_t *)note, split,
                                                v->public_key))
                    return cw_error_set(err, CW_EVERIFY,
                                        "signed note: the signature by %s does not verify",
                                        v->name);
                good = 1;
            }
        }
        p = eol + 1;
    }
    if (!good)
        return cw_error_set(err, CW_EVERIFY,
                            "signed note: no signature by the key %s+%02x%02x%02x%02x", v->name,
                            v->key_id[0], v->key_id[1], v->key_id[2], v->key_id[3]);
    if (text_len)
        *text_len = split;
    return CW_OK;
}

cw_rc cw_checkpoint_format(const cw_checkpoint *c, cw_buf *text)
{
    cw_rc rc = cw_buf_addf(text, "%s\n%llu\n", c->origin, (unsigned long long)c->size);
    if (!rc)
        rc = cw_base64_encode(c->root, CW_HASH_LEN, text);
    if (!rc)
        rc = cw_buf_addc(text, '\n');
    return rc;
}

cw_rc cw_checkpoint_parse(const char *text, size_t len, cw_checkpoint *out, cw_error *err)
{
    const char *line[3];
    size_t llen[3];
    const char *p = text, *end = text + len;
    for (int i = 0; i < 3; i++) {
        const char *eol = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!eol)
            return cw_error_set(err, CW_EINVAL,
                                "checkpoint: expected origin, size and root "
                                "lines");
        line[i] = p;
        llen[i] = (size_t)(eol - p);
        p = eol + 1;
    }
    if (llen[0] == 0 || llen[0] > CW_NOTE_NAME_MAX)
        return cw_error_set(err, CW_EINVAL, "checkpoint: origin line is empty or too long");
    memcpy(out->origin, line[0], llen[0]);
    out->origin[llen[0]] = '\0';
    uint64_t size;
    if (cw_parse_u64(line[1], llen[1], &size))
        return cw_error_set(err, CW_EINVAL,
                            "checkpoint: tree size \"%.*s\" is not a decimal number",
                            (int)(llen[1] > 24 ? 24 : llen[1]), line[1]);
    out->size = size;
    if (cw_base64_decode_exact(line[2], llen[2], out->root, CW_HASH_LEN))
        return cw_error_set(err, CW_EINVAL, "checkpoint: root hash is not base64 of 32 bytes");
    /* Extension lines may follow; tlog-checkpoint forbids empty ones. */
    for (; p < end; p++)
        if (*p == '\n' && (p == line[2] + llen[2] + 1 || p[-1] == '\n'))
            return cw_error_set(err, CW_EINVAL, "checkpoint: an extension line is empty");
    return CW_OK;
}
