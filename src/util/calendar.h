/*
 * calendar.h — the working-day calendar that statutory timescales count in.
 *
 * A working day is a Monday to Friday that is not a bank holiday. A calendar
 * covers a fixed range of dates (the default, England and Wales 2010–2035, is
 * rules/calendar/england-and-wales.txt, embedded at build time) and refuses
 * to answer outside it rather than guess.
 *
 * Counting convention (the one timescales use: "within 42 working days of
 * the referral" counts the days after the referral):
 *   cw_calendar_add_working_days(d, n), n > 0: the n-th working day after d;
 *     n < 0: the |n|-th working day before d; n = 0: d itself.
 *   cw_calendar_working_days(from, to): the working days after from up to and
 *     including to (negative, counted the same way, when to < from). So
 *     working_days(d, add_working_days(d, n)) == n for every n >= 0.
 *
 * Calendar file format (text, UTF-8):
 *   '#' comment lines and blank lines are ignored;
 *   "range FIRST LAST" once, before any holiday: the dates covered;
 *   "YYYY-MM-DD NAME" per holiday, in increasing date order, inside the
 *   range, on a weekday (weekends are never working days anyway).
 */
#ifndef CW_UTIL_CALENDAR_H
#define CW_UTIL_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/date.h"

typedef struct cw_calendar {
    cw_date first, last;
    /* cum[i]: working days in [first, first + i]; one entry per day of range. */
    int32_t *cum;
    /* nth[k - 1]: the k-th working day of the range (k = 1 .. cum[last]). */
    cw_date *nth;
    size_t nholidays;
} cw_calendar;

/* Loads a calendar from text; errors name the source, the line and the problem. */
cw_rc cw_calendar_load(cw_calendar *c, const char *text, size_t len, const char *source,
                       cw_error *err);
/* The built-in England and Wales calendar. */
cw_rc cw_calendar_load_default(cw_calendar *c, cw_error *err);
void cw_calendar_release(cw_calendar *c);

/* CW_EINVAL (with a message) if d is outside the calendar. */
cw_rc cw_calendar_is_working_day(const cw_calendar *c, cw_date d, bool *out, cw_error *err);
cw_rc cw_calendar_add_working_days(const cw_calendar *c, cw_date d, int64_t n, cw_date *out,
                                   cw_error *err);
cw_rc cw_calendar_working_days(const cw_calendar *c, cw_date from, cw_date to, int64_t *out,
                               cw_error *err);

#endif
