/*
 * sha256.h — a SHA-256 digest in lowercase hex (libsodium's), for naming the
 * exact text of a definition (a rule pack, a measures file, a calendar).
 */
#ifndef CW_UTIL_SHA256_H
#define CW_UTIL_SHA256_H

#include <stddef.h>

/* Writes the 64 hex digits of SHA-256(data) and a NUL into out. */
void cw_sha256_hex(const void *data, size_t len, char out[65]);

#endif
