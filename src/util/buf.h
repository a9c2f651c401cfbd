/*
 * buf.h — a growable byte buffer with a hard maximum (after curl's dynbuf).
 *
 * Invariants: data is NULL or holds len bytes followed by a NUL, so text can
 * be used as a C string; len < cap; len never exceeds max. Adding past max
 * fails with CW_ETOOBIG and leaves the buffer as it was.
 */
#ifndef CW_UTIL_BUF_H
#define CW_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct cw_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
} cw_buf;

#define CW_BUF_INIT(maxlen)                                                                        \
    {                                                                                              \
        NULL, 0, 0, (maxlen)                                                                       \
    }

void cw_buf_init(cw_buf *b, size_t max);
/* Frees the contents; the buffer may be reused after cw_buf_init. */
void cw_buf_release(cw_buf *b);
/* Empties the buffer, keeping its memory. */
void cw_buf_reset(cw_buf *b);
cw_rc cw_buf_add(cw_buf *b, const void *p, size_t n);
cw_rc cw_buf_addstr(cw_buf *b, const char *s);
cw_rc cw_buf_addc(cw_buf *b, char c);
cw_rc cw_buf_addf(cw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the decimal form of v. */
cw_rc cw_buf_add_u64(cw_buf *b, uint64_t v);
/* Shortens the contents to len bytes (no-op if already shorter). */
void cw_buf_truncate(cw_buf *b, size_t len);

/*
 * Makes room in a growable array for element n: *(T **)arrp has *cap
 * elements of size bytes; if n >= *cap it doubles (from 16) with realloc.
 * CW_ENOMEM leaves the array as it was.
 */
cw_rc cw_array_grow(void *arrp, size_t *cap, size_t n, size_t size);

/* Parses len bytes of strict decimal (digits only, no sign, no leading zero
 * unless the number is 0, no overflow). Not a buffer operation, but as basic. */
cw_rc cw_parse_u64(const char *s, size_t len, uint64_t *out);

/* Hands the memory to the caller (who frees it) and empties the buffer. */
char *cw_buf_detach(cw_buf *b, size_t *len);

#endif
