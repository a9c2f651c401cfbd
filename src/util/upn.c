/*
 * upn.c — see upn.h. The check letter: each of characters 2-13 times its position,
 * summed, modulo 23, as a letter of ABCDEFGHJKLMNPQRTUVWXYZ; a letter at 13 counts as its
 * place in that alphabet.
 */
#include "util/upn.h"

#include <string.h>

static const char LETTERS[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

char cw_upn_check_letter(const char *upn)
{
    if (!upn || strlen(upn) != 13)
        return 0;
    unsigned sum = 0;
    for (int i = 1; i < 13; i++) {
        char c = upn[i];
        unsigned v;
        if (c >= '0' && c <= '9') {
            v = (unsigned)(c - '0');
        } else if (i == 12 && c && strchr(LETTERS, c)) {
            v = (unsigned)(strchr(LETTERS, c) - LETTERS);
        } else {
            return 0;
        }
        sum += v * (unsigned)(i + 1);
    }
    return LETTERS[sum % 23];
}

bool cw_upn_valid(const char *upn)
{
    char want = cw_upn_check_letter(upn);
    return want && upn[0] == want;
}
