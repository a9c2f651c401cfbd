/*
 * time.h — UTC instants as milliseconds since the Unix epoch, and their
 * RFC 3339 text form with milliseconds: "2026-11-22T09:05:03.042Z" (always
 * 24 characters, always 'Z'). Proleptic Gregorian calendar, years 0000–9999.
 */
#ifndef CW_UTIL_TIME_H
#define CW_UTIL_TIME_H

#include <stdint.h>

#include "util/error.h"

#define CW_RFC3339_MS_LEN 24

/* The system clock now (CLOCK_REALTIME), in ms since the epoch. */
int64_t cw_time_now_ms(void);

/* Days since 1970-01-01 for a civil date (no range check on the inputs). */
int64_t cw_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The civil date of a day count since 1970-01-01 (inverse of the above). */
void cw_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Writes the RFC 3339 form of ms into out (CW_RFC3339_MS_LEN + 1 bytes). */
cw_rc cw_time_format_ms(int64_t ms, char out[CW_RFC3339_MS_LEN + 1]);

/* Parses exactly the form cw_time_format_ms writes; rejects impossible dates. */
cw_rc cw_time_parse_ms(const char *s, size_t len, int64_t *ms);

#endif
