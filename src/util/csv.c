/*
 * csv.c — see csv.h.
 */
#include "util/csv.h"

#include <string.h>

cw_rc cw_csv_cell(cw_buf *b, const char *s, int last, unsigned flags)
{
    s = s ? s : "";
    int quote = (flags & CW_CSV_QUOTE_ALL) || strpbrk(s, ",\"\r\n") != NULL;
    int numeric = (flags & CW_CSV_NUMBERS) && *s == '-' && s[1];
    for (const char *q = s + 1; numeric && *q; q++)
        numeric = *q >= '0' && *q <= '9';
    cw_rc rc = quote ? cw_buf_addc(b, '"') : CW_OK;
    if (!rc && !numeric && *s && strchr("=+-@\t\r", *s))
        rc = cw_buf_addc(b, '\'');
    for (; !rc && *s; s++)
        rc = *s == '"' ? cw_buf_addstr(b, "\"\"") : cw_buf_addc(b, *s);
    if (!rc && quote)
        rc = cw_buf_addc(b, '"');
    return rc ? rc : cw_buf_addstr(b, last ? "\r\n" : ",");
}

cw_rc cw_csv_row(cw_buf *b, const char *const *cells, size_t n, unsigned flags)
{
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < n; i++)
        rc = cw_csv_cell(b, cells[i], i + 1 == n, flags);
    return rc;
}
