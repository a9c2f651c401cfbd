/* buf.c — bounded growable buffer; see buf.h for the invariants. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cw_buf_init(cw_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void cw_buf_release(cw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void cw_buf_reset(cw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static cw_rc grow(cw_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return CW_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return CW_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return CW_ENOMEM;
    b->data = p;
    b->cap = cap;
    return CW_OK;
}

cw_rc cw_buf_add(cw_buf *b, const void *p, size_t n)
{
    cw_rc rc = grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CW_OK;
}

cw_rc cw_buf_addstr(cw_buf *b, const char *s)
{
    return cw_buf_add(b, s, strlen(s));
}

cw_rc cw_buf_addc(cw_buf *b, char c)
{
    return cw_buf_add(b, &c, 1);
}

cw_rc cw_buf_addf(cw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CW_EINVAL;
    cw_rc rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CW_OK;
}

char *cw_buf_detach(cw_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

cw_rc cw_buf_add_u64(cw_buf *b, uint64_t v)
{
    char tmp[20];
    int i = 20;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return cw_buf_add(b, tmp + i, (size_t)(20 - i));
}

cw_rc cw_array_grow(void *arrp, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return CW_OK;
    size_t c = *cap ? *cap : 16;
    while (c <= n)
        c *= 2;
    void *old;
    memcpy(&old, arrp, sizeof old); /* arrp points to a T *, of any T */
    void *q = realloc(old, c * size);
    if (!q)
        return CW_ENOMEM;
    memcpy(arrp, &q, sizeof q);
    *cap = c;
    return CW_OK;
}

void cw_buf_truncate(cw_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

cw_rc cw_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return CW_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return CW_EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return CW_OK;
}
