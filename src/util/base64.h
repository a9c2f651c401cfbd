/*
 * base64.h — standard, padded base64 (RFC 4648 section 4), for hashes, keys
 * and signatures. Temporary copies are wiped, since keys pass through here.
 */
#ifndef CW_UTIL_BASE64_H
#define CW_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define CW_BASE64_MAX_IN 384

/* Appends the base64 of n <= CW_BASE64_MAX_IN bytes to out. */
cw_rc cw_base64_encode(const uint8_t *in, size_t n, cw_buf *out);
/* Decodes base64 of exactly want (<= 256) bytes; CW_EINVAL otherwise. */
cw_rc cw_base64_decode_exact(const char *in, size_t len, uint8_t *out, size_t want);
/* The same (padded, canonical: unused low bits zero), but table-driven and not constant-time:
 * only for public data such as the commitments in leaves, read for every entry by verify.
 * Stricter in one way: a byte from 0x80 up is refused (libsodium 1.0.18 reads it as '/'). */
cw_rc cw_base64_decode_public(const char *in, size_t len, uint8_t *out, size_t want);

#endif
