/* textprint.c — see textprint.h. */
#include "util/textprint.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cw_rc cw_text_normalise(const char *text, cw_buf *out, int *words)
{
    int in_word = 0, n = 0;
    cw_rc rc = CW_OK;
    for (const unsigned char *p = (const unsigned char *)text; !rc && *p; p++) {
        unsigned c = *p;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (word && !in_word && n)
            rc = cw_buf_add(out, " ", 1);
        if (word && !in_word)
            n++;
        if (word && !rc) {
            char ch = (char)c;
            rc = cw_buf_add(out, &ch, 1);
        }
        in_word = word;
    }
    *words = n;
    return rc;
}

cw_rc cw_text_print(const uint8_t key[CW_TEXT_PRINT_KEY_LEN], const char *text,
                    char out[CW_TEXT_PRINT_MAX])
{
    cw_buf norm = CW_BUF_INIT(SIZE_MAX / 2);
    int words = 0;
    uint8_t h[8];
    cw_rc rc = cw_text_normalise(text, &norm, &words);
    if (!rc && crypto_generichash(h, sizeof h, (const unsigned char *)(norm.data ? norm.data : ""),
                                  norm.len, key, CW_TEXT_PRINT_KEY_LEN) != 0)
        rc = CW_ECRYPTO;
    if (!rc) {
        uint64_t v = 0;
        for (size_t i = 0; i < sizeof h; i++)
            v = v << 8 | h[i];
        snprintf(out, CW_TEXT_PRINT_MAX, "v1:%016" PRIx64 ":%d", v ? v : 1, words);
    }
    if (norm.len)
        sodium_memzero(norm.data, norm.len);
    cw_buf_release(&norm);
    return rc;
}

cw_rc cw_text_print_parse(const char *s, uint64_t *hash, int *words)
{
    char hex[17];
    int w = -1, end = 0;
    if (!s || strncmp(s, "v1:", 3) != 0 || strlen(s) < 3 + 16 + 2)
        return CW_EINVAL;
    memcpy(hex, s + 3, 16);
    hex[16] = '\0';
    if (strspn(hex, "0123456789abcdef") != 16 || s[19] != ':' ||
        sscanf(s + 20, "%d%n", &w, &end) != 1 || s[20 + end] != '\0' || w < 0)
        return CW_EINVAL;
    *hash = strtoull(hex, NULL, 16);
    *words = w;
    return *hash ? CW_OK : CW_EINVAL;
}
