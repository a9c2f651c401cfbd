/*
 * calendar.c — working days over a table of cumulative counts, so that every
 * query is a subtraction or a binary search. See calendar.h for the
 * conventions and the file format.
 */
#include "util/calendar.h"

#include <stdlib.h>
#include <string.h>

extern const char cw_calendar_england_and_wales[];

#define MAX_RANGE_DAYS (200 * 366) /* a calendar covers at most two centuries */

static cw_rc out_of_range(const cw_calendar *c, cw_date d, cw_error *err)
{
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1], x[CW_DATE_LEN + 1];
    cw_date_format(c->first, a);
    cw_date_format(c->last, b);
    cw_date_format(d, x);
    return cw_error_set(err, CW_EINVAL, "%s is outside the working-day calendar (%s to %s)", x, a,
                        b);
}

static cw_rc line_error(cw_error *err, const char *source, size_t line, const char *what)
{
    return cw_error_set(err, CW_EINVAL, "%s:%zu: %s", source, line, what);
}

cw_rc cw_calendar_load(cw_calendar *c, const char *text, size_t len, const char *source,
                       cw_error *err)
{
    memset(c, 0, sizeof *c);
    uint8_t *holiday = NULL;
    int have_range = 0;
    cw_date prev = INT32_MIN;
    size_t lineno = 0;
    cw_rc rc = CW_OK;
    const char *p = text, *end = text + len;
    while (p < end && !rc) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        size_t n = (size_t)(eol - p);
        lineno++;
        if (n && p[n - 1] == '\r')
            n--;
        if (n == 0 || p[0] == '#') {
            /* comment or blank */
        } else if (n >= 5 && memcmp(p, "range", 5) == 0 && (n == 5 || p[5] == ' ')) {
            if (have_range)
                rc = line_error(err, source, lineno, "a second range line");
            else if (n != 6 + 2 * CW_DATE_LEN + 1 || p[6 + CW_DATE_LEN] != ' ' ||
                     cw_date_parse(p + 6, CW_DATE_LEN, &c->first) ||
                     cw_date_parse(p + 7 + CW_DATE_LEN, CW_DATE_LEN, &c->last))
                rc = line_error(err, source, lineno, "expected: range YYYY-MM-DD YYYY-MM-DD");
            else if (c->last < c->first || c->last - c->first >= MAX_RANGE_DAYS)
                rc = line_error(err, source, lineno, "the range is empty or too long");
            else if (!(holiday = calloc((size_t)(c->last - c->first + 1), 1)))
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            else
                have_range = 1;
        } else {
            cw_date d;
            if (!have_range)
                rc = line_error(err, source, lineno, "a holiday before the range line");
            else if (n < CW_DATE_LEN + 2 || p[CW_DATE_LEN] != ' ' ||
                     cw_date_parse(p, CW_DATE_LEN, &d))
                rc = line_error(err, source, lineno, "expected: YYYY-MM-DD name");
            else if (d < c->first || d > c->last)
                rc = line_error(err, source, lineno, "the date is outside the range");
            else if (d <= prev)
                rc =
                    line_error(err, source, lineno, "dates must be in increasing order, each once");
            else if (cw_date_weekday(d) >= 6)
                rc = line_error(err, source, lineno,
                                "the date is a Saturday or Sunday (list the substitute weekday)");
            else {
                holiday[d - c->first] = 1;
                prev = d;
                c->nholidays++;
            }
        }
        p = eol + 1;
    }
    if (!rc && !have_range)
        rc = cw_error_set(err, CW_EINVAL, "%s: no range line", source);
    if (!rc) {
        size_t days = (size_t)(c->last - c->first + 1);
        c->cum = malloc(days * sizeof *c->cum);
        c->nth = malloc(days * sizeof *c->nth);
        if (!c->cum || !c->nth) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        } else {
            int32_t count = 0;
            for (size_t i = 0; i < days; i++) {
                if (cw_date_weekday(c->first + (cw_date)i) <= 5 && !holiday[i])
                    c->nth[count++] = c->first + (cw_date)i;
                c->cum[i] = count;
            }
        }
    }
    free(holiday);
    if (rc)
        cw_calendar_release(c);
    return rc;
}

cw_rc cw_calendar_load_default(cw_calendar *c, cw_error *err)
{
    return cw_calendar_load(c, cw_calendar_england_and_wales, strlen(cw_calendar_england_and_wales),
                            "rules/calendar/england-and-wales.txt", err);
}

void cw_calendar_release(cw_calendar *c)
{
    free(c->cum);
    free(c->nth);
    c->cum = NULL;
    c->nth = NULL;
}

static int32_t cum_at(const cw_calendar *c, cw_date d)
{
    return c->cum[d - c->first];
}

cw_rc cw_calendar_is_working_day(const cw_calendar *c, cw_date d, bool *out, cw_error *err)
{
    if (d < c->first || d > c->last)
        return out_of_range(c, d, err);
    *out = cum_at(c, d) != (d == c->first ? 0 : cum_at(c, d - 1));
    return CW_OK;
}

/* The first date whose cumulative count reaches k; NOT_FOUND past the end. */
static int first_reaching(const cw_calendar *c, int64_t k, cw_date *out)
{
    if (k <= 0 || k > c->cum[c->last - c->first])
        return -1;
    *out = c->nth[k - 1];
    return 0;
}

cw_rc cw_calendar_add_working_days(const cw_calendar *c, cw_date d, int64_t n, cw_date *out,
                                   cw_error *err)
{
    if (d < c->first || d > c->last)
        return out_of_range(c, d, err);
    if (n == 0) {
        *out = d;
        return CW_OK;
    }
    /* n > 0: the first day with cum = cum(d) + n. n < 0: the first day with
     * cum = (working days strictly before d) + n + 1. An |n| longer than the
     * range cannot fit, and is refused before it can overflow. */
    int64_t span = (int64_t)(c->last - c->first) + 1;
    int64_t before = d == c->first ? 0 : cum_at(c, d - 1);
    int64_t k = n > span || n < -span ? 0 : n > 0 ? cum_at(c, d) + n : before + n + 1;
    if (first_reaching(c, k, out)) {
        char x[CW_DATE_LEN + 1], a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
        cw_date_format(d, x);
        cw_date_format(c->first, a);
        cw_date_format(c->last, b);
        return cw_error_set(err, CW_EINVAL,
                            "%llu working day%s %s %s falls outside the working-day calendar "
                            "(%s to %s)",
                            n > 0 ? (unsigned long long)n : 0ULL - (unsigned long long)n,
                            n == 1 || n == -1 ? "" : "s", n > 0 ? "after" : "before", x, a, b);
    }
    return CW_OK;
}

cw_rc cw_calendar_working_days(const cw_calendar *c, cw_date from, cw_date to, int64_t *out,
                               cw_error *err)
{
    if (from < c->first || from > c->last)
        return out_of_range(c, from, err);
    if (to < c->first || to > c->last)
        return out_of_range(c, to, err);
    *out = (int64_t)cum_at(c, to) - cum_at(c, from);
    return CW_OK;
}
