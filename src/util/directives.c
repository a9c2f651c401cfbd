/*
 * directives.c — see directives.h.
 */
#include "util/directives.h"

#include <string.h>

#include "util/utf8.h"

cw_rc cw_directives_each(char *text, size_t len, const char *source, size_t max_line,
                         cw_directive_fn fn, void *ctx, cw_error *err)
{
    size_t bad = cw_utf8_check(text, len), line = 0;
    if (bad != len) {
        line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        return cw_error_set(err, CW_EINVAL, "%s:%zu: not valid UTF-8", source, line);
    }
    cw_rc rc = CW_OK;
    char *s = text, *end = text + len;
    while (s < end && !rc) {
        char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol)
            eol = end;
        line++;
        *eol = '\0';
        if (memchr(s, '\0', (size_t)(eol - s)))
            return cw_error_set(err, CW_EINVAL, "%s:%zu: a NUL byte", source, line);
        if ((size_t)(eol - s) > max_line)
            return cw_error_set(err, CW_EINVAL, "%s:%zu: longer than %zu bytes", source, line,
                                max_line);
        char *e = eol;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s && *s != '#') {
            char *kw = s;
            while (*s && *s != ' ' && *s != '\t')
                s++;
            while (*s == ' ' || *s == '\t')
                *s++ = '\0';
            rc = fn(ctx, line, kw, s);
        }
        s = eol + 1;
    }
    return rc;
}
