/*
 * csv.h — CSV (RFC 4180) cells and rows that a spreadsheet opens safely: a cell starting with =,
 * +, -, @, a tab or a carriage return gets a leading apostrophe, so it is never run as a formula.
 */
#ifndef CW_UTIL_CSV_H
#define CW_UTIL_CSV_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

enum {
    CW_CSV_QUOTE_ALL = 1, /* every cell quoted (else only one with a comma, quote or line break) */
    CW_CSV_NUMBERS = 2,   /* a negative whole number ("-123") stays a number, unprefixed */
};

/* One cell (NULL: blank), then a comma or, if last, CRLF. */
cw_rc cw_csv_cell(cw_buf *b, const char *s, int last, unsigned flags);

/* A row of n cells. */
cw_rc cw_csv_row(cw_buf *b, const char *const *cells, size_t n, unsigned flags);

#endif
