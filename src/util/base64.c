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
