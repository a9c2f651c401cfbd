/*
 * date.h — civil dates (no time of day) as days since 1970-01-01, and their
 * ISO 8601 form "YYYY-MM-DD". Proleptic Gregorian, years 0001–9999.
 */
#ifndef CW_UTIL_DATE_H
#define CW_UTIL_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef int32_t cw_date;

#define CW_DATE_LEN 10

/* Parses exactly "YYYY-MM-DD"; refuses impossible dates (2023-02-29). */
cw_rc cw_date_parse(const char *s, size_t len, cw_date *out);
/* Writes "YYYY-MM-DD" and a NUL into out. */
void cw_date_format(cw_date d, char out[CW_DATE_LEN + 1]);
/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int cw_date_weekday(cw_date d);
cw_date cw_date_from_ymd(int y, unsigned m, unsigned d);
void cw_date_to_ymd(cw_date d, int *y, unsigned *m, unsigned *day);
/* d plus n calendar months (n may be negative), on the month's last day when it has no
 * such day: 31 January + 1 month is 28 (or 29) February. */
cw_date cw_date_add_months(cw_date d, int32_t n);

#endif
