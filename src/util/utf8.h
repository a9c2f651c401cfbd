/* utf8.h — strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef CW_UTIL_UTF8_H
#define CW_UTIL_UTF8_H

#include <stddef.h>

/* Returns len if s[0..len) is valid UTF-8, else the offset of the first bad byte. */
size_t cw_utf8_check(const char *s, size_t len);

#endif
