/* json.c — canonical JSON output; the format is specified in json.h. */
#include "util/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether any of the 8 bytes at p is below 0x20, '"' or '\\' (the bytes that need an escape).
 * Each test is the exact "has a byte less than / equal to" of Bit Twiddling Hacks: a bit may
 * be set for a byte that does not match, but the word is non-zero if and only if one does.
 */
static int any_escape8(const char *p)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t v, q, b;
    memcpy(&v, p, sizeof v);
    q = v ^ (ones * '"');
    b = v ^ (ones * '\\');
    return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

cw_rc cw_json_write_string(const char *s, size_t n, cw_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    cw_rc rc = cw_buf_addc(out, '"');
    size_t run = 0; /* start of the pending run of bytes needing no escape */
    for (size_t i = 0; !rc && i < n; i++) {
        while (n - i >= 8 && !any_escape8(s + i)) /* text runs long without escapes */
            i += 8;
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if ((rc = cw_buf_add(out, s + run, i - run)))
            break;
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            len = 6;
        }
        rc = cw_buf_add(out, esc, len);
    }
    if (!rc)
        rc = cw_buf_add(out, s + run, n - run);
    if (!rc)
        rc = cw_buf_addc(out, '"');
    return rc;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cw_rc write_real(double d, cw_buf *out)
{
    char tmp[40];
    /* The shortest precision that reads back to the same double. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    cw_rc rc = cw_buf_addstr(out, tmp);
    if (!rc && !strpbrk(tmp, ".eE"))
        rc = cw_buf_addstr(out, ".0");
    return rc;
}

static cw_rc write_value(const json_t *v, cw_buf *out, int depth)
{
    if (depth > CW_JSON_MAX_DEPTH)
        return CW_EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char *small[32];
        const char **keys = n <= 32 ? small : malloc(n * sizeof *keys);
        if (!keys)
            return CW_ENOMEM;
        /* jansson's iterator is not const-correct; the object is only read. */
        json_t *obj;
        memcpy(&obj, &v, sizeof obj);
        for (void *it = json_object_iter(obj); it && i < n; it = json_object_iter_next(obj, it))
            keys[i++] = json_object_iter_key(it);
        qsort(keys, n, sizeof *keys, cmp_keys);
        cw_rc rc = cw_buf_addc(out, '{');
        for (i = 0; !rc && i < n; i++) {
            if (i)
                rc = cw_buf_addc(out, ',');
            if (!rc)
                rc = cw_json_write_string(keys[i], strlen(keys[i]), out);
            if (!rc)
                rc = cw_buf_addc(out, ':');
            if (!rc)
                rc = write_value(json_object_get(v, keys[i]), out, depth + 1);
        }
        if (!rc)
            rc = cw_buf_addc(out, '}');
        if (keys != small)
            free(keys);
        return rc;
    }
    case JSON_ARRAY: {
        cw_rc rc = cw_buf_addc(out, '[');
        for (size_t i = 0; !rc && i < json_array_size(v); i++) {
            if (i)
                rc = cw_buf_addc(out, ',');
            if (!rc)
                rc = write_value(json_array_get(v, i), out, depth + 1);
        }
        return rc ? rc : cw_buf_addc(out, ']');
    }
    case JSON_STRING:
        return cw_json_write_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER: {
        json_int_t x = json_integer_value(v);
        if (x < 0) {
            cw_rc rc = cw_buf_addc(out, '-');
            return rc ? rc : cw_buf_add_u64(out, (uint64_t)0 - (uint64_t)x);
        }
        return cw_buf_add_u64(out, (uint64_t)x);
    }
    case JSON_REAL:
        return write_real(json_real_value(v), out);
    case JSON_TRUE:
        return cw_buf_addstr(out, "true");
    case JSON_FALSE:
        return cw_buf_addstr(out, "false");
    case JSON_NULL:
        return cw_buf_addstr(out, "null");
    }
    return CW_EINVAL;
}

cw_rc cw_json_write_canonical(const json_t *v, cw_buf *out)
{
    size_t start = out->len;
    cw_rc rc = write_value(v, out, 0);
    if (rc)
        cw_buf_truncate(out, start);
    return rc;
}
