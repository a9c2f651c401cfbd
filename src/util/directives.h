/*
 * directives.h — the line format caseward's data files share (rule packs,
 * measures): UTF-8 text, one directive per line, a keyword and the rest of the
 * line. Lines whose first non-blank character is '#' and blank lines are
 * ignored; leading and trailing blanks (and the CR of a CRLF) do not count.
 */
#ifndef CW_UTIL_DIRECTIVES_H
#define CW_UTIL_DIRECTIVES_H

#include <stddef.h>

#include "util/error.h"

/* Called for each directive: its line number (from 1), its keyword, and the rest of the
 * line (both NUL-terminated, inside the text). A non-zero return stops the walk. */
typedef cw_rc (*cw_directive_fn)(void *ctx, size_t line, char *keyword, char *rest);

/*
 * Splits text (len bytes, and one more the caller provides, for a NUL: the last line's end is
 * written there) in place and calls fn for
 * each directive, in order. Refuses, naming source and line, text that is not valid UTF-8, a
 * NUL byte, and a line longer than max_line bytes.
 */
cw_rc cw_directives_each(char *text, size_t len, const char *source, size_t max_line,
                         cw_directive_fn fn, void *ctx, cw_error *err);

#endif
