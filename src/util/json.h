/*
 * json.h — caseward's canonical JSON writer (over jansson values).
 *
 * Canonical form, used for every leaf of the ledger:
 *   - no whitespace;
 *   - object members sorted by key, comparing the UTF-8 bytes (= code points);
 *   - strings as UTF-8; escaped are only '"' and '\' (as \" and \\), and the
 *     control characters U+0000–U+001F (\b \f \n \r \t, others as \u00XX,
 *     lowercase hex);
 *   - integers in decimal; reals as the shortest of "%.17g" that reads back
 *     exactly, with ".0" added when it would otherwise look like an integer;
 *   - true, false, null.
 * Nesting deeper than CW_JSON_MAX_DEPTH is refused.
 */
#ifndef CW_UTIL_JSON_H
#define CW_UTIL_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "util/buf.h"

#define CW_JSON_MAX_DEPTH 64

/* Appends the canonical form of v to out. CW_EINVAL if too deep. */
cw_rc cw_json_write_canonical(const json_t *v, cw_buf *out);

/* Appends s (n bytes of valid UTF-8) as a canonical JSON string, with quotes. */
cw_rc cw_json_write_string(const char *s, size_t n, cw_buf *out);

#endif
