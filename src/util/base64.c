/* base64.c — standard base64 through libsodium; see base64.h. */
#include "util/base64.h"

#include <sodium.h>
#include <string.h>

cw_rc cw_base64_encode(const uint8_t *in, size_t n, cw_buf *out)
{
    char tmp[CW_BASE64_MAX_IN / 3 * 4 + 8];
    if (n > CW_BASE64_MAX_IN)
        return CW_ETOOBIG;
    sodium_bin2base64(tmp, sizeof tmp, in, n, sodium_base64_VARIANT_ORIGINAL);
    cw_rc rc = cw_buf_addstr(out, tmp);
    sodium_memzero(tmp, sizeof tmp); /* it may have held a secret key */
    return rc;
}

cw_rc cw_base64_decode_exact(const char *in, size_t len, uint8_t *out, size_t want)
{
    uint8_t tmp[256];
    size_t got = 0;
    const char *end = NULL;
    if (want > sizeof tmp ||
        len != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1)
        return CW_EINVAL;
    cw_rc rc = CW_OK;
    if (sodium_base642bin(tmp, sizeof tmp, in, len, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != want || end != in + len)
        rc = CW_EINVAL;
    else
        memcpy(out, tmp, want);
    sodium_memzero(tmp, sizeof tmp); /* it may have held a secret key */
    return rc;
}

/* 0..63 for the alphabet, 64 for anything else. */
static const uint8_t b64_value[256] = {
    ['A'] = 0,  ['B'] = 1,  ['C'] = 2,  ['D'] = 3,  ['E'] = 4,  ['F'] = 5,  ['G'] = 6,  ['H'] = 7,
    ['I'] = 8,  ['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13, ['O'] = 14, ['P'] = 15,
    ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20, ['V'] = 21, ['W'] = 22, ['X'] = 23,
    ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27, ['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31,
    ['g'] = 32, ['h'] = 33, ['i'] = 34, ['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39,
    ['o'] = 40, ['p'] = 41, ['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47,
    ['w'] = 48, ['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
    ['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62, ['/'] = 63,
};

static int b64_digit(char c, uint32_t *acc)
{
    uint8_t v = b64_value[(unsigned char)c];
    if (v == 0 && c != 'A')
        return -1;
    *acc = *acc << 6 | v;
    return 0;
}

cw_rc cw_base64_decode_public(const char *in, size_t len, uint8_t *out, size_t want)
{
    size_t full = want / 3, rest = want % 3;
    if (want > 256 || len != (full + (rest != 0)) * 4)
        return CW_EINVAL;
    for (size_t q = 0; q < full; q++) {
        uint32_t acc = 0;
        for (int k = 0; k < 4; k++)
            if (b64_digit(in[4 * q + (size_t)k], &acc))
                return CW_EINVAL;
        out[3 * q] = (uint8_t)(acc >> 16);
        out[3 * q + 1] = (uint8_t)(acc >> 8);
        out[3 * q + 2] = (uint8_t)acc;
    }
    if (rest) {
        /* rest 1: "xx==" (4 unused bits); rest 2: "xxx=" (2 unused bits), all zero */
        const char *t = in + 4 * full;
        uint32_t acc = 0;
        size_t digits = rest + 1;
        for (size_t k = 0; k < digits; k++)
            if (b64_digit(t[k], &acc))
                return CW_EINVAL;
        for (size_t k = digits; k < 4; k++)
            if (t[k] != '=')
                return CW_EINVAL;
        unsigned unused = rest == 1 ? 4 : 2;
        if (acc & ((1u << unused) - 1))
            return CW_EINVAL;
        acc >>= unused;
        if (rest == 1) {
            out[3 * full] = (uint8_t)acc;
        } else {
            out[3 * full] = (uint8_t)(acc >> 8);
            out[3 * full + 1] = (uint8_t)acc;
        }
    }
    return CW_OK;
}
