/*
 * calendar_test.c — tests of util/date.h and util/calendar.h: the civil
 * dates that timescales are written in, and the working-day calendar that
 * counts them (England and Wales bank holidays, 2010–2035, built in).
 *
 * Sources of truth, none of them the file rules/calendar/ or the Python
 * generator (the built-in calendar is what is under test, so nothing here
 * reads a file at run time):
 *   1. The bank holidays as published, 2010–2027, typed in below with the
 *      source of each year. For each year the weekdays that are not working
 *      days must be exactly that list: an extra or a missing day fails.
 *   2. A reference implementation of the standard rules written here: its
 *      own civil-date arithmetic (Sakamoto's weekday), Easter by Gauss's
 *      algorithm (the generator uses Meeus/Jones/Butcher), first and last
 *      Mondays, and the substitute days worked out case by case from the
 *      weekday of 1 January and 25 December. It must explain every published
 *      year once the proclaimed exceptions are applied, and must agree with
 *      the calendar on every day of 2028–2035 (projections until announced).
 *   3. Worked examples counted by hand, day by day, in the comments.
 *   4. Properties over every day of the range: working_days(d, add(d, n)) == n,
 *      add(add(d, n), -n) == d on working days, antisymmetry, and agreement
 *      with a day-by-day count over the reference's own table.
 *
 * Counting convention (calendar.h): add_working_days(d, n) is the n-th
 * working day after d (before it when n < 0; d itself when n == 0), and
 * working_days(from, to) counts the working days after from up to and
 * including to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/calendar.h"
#include "util/date.h"

#define FIRST_YEAR     2010
#define LAST_YEAR      2035
#define LAST_PUBLISHED 2027
#define RANGE_TEXT     "(2010-01-01 to 2035-12-31)"

/* ---------------------------------------------------------------------- */
/* A reference civil calendar, independent of date.c and time.c            */

typedef struct ymd {
    int y, m, d;
} ymd;

static int ref_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int ref_mdays(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return n[m - 1] + (m == 2 && ref_leap(y));
}

/* ISO weekday (1 = Monday ... 7 = Sunday) by Sakamoto's method. */
static int ref_weekday(ymd a)
{
    static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int y = a.y - (a.m < 3);
    int w = (y + y / 4 - y / 100 + y / 400 + t[a.m - 1] + a.d) % 7; /* 0 = Sunday */
    return w == 0 ? 7 : w;
}

static ymd ref_next(ymd a)
{
    if (++a.d > ref_mdays(a.y, a.m)) {
        a.d = 1;
        if (++a.m > 12) {
            a.m = 1;
            a.y++;
        }
    }
    return a;
}

static ymd ref_prev(ymd a)
{
    if (--a.d < 1) {
        if (--a.m < 1) {
            a.m = 12;
            a.y--;
        }
        a.d = ref_mdays(a.y, a.m);
    }
    return a;
}

static ymd ref_add(ymd a, int n)
{
    for (; n > 0; n--)
        a = ref_next(a);
    for (; n < 0; n++)
        a = ref_prev(a);
    return a;
}

static int ref_key(ymd a)
{
    return a.y * 10000 + a.m * 100 + a.d;
}

static ymd mk(int y, int m, int d)
{
    ymd a = {y, m, d};
    return a;
}

static void ref_str(ymd a, char out[16])
{
    /* Years 0001-9999 always fit; anything else is a test bug. */
    int n = snprintf(out, 16, "%04d-%02d-%02d", a.y, a.m, a.d);
    assert_true(n == 10);
}

/* Easter Sunday by Gauss's algorithm, with its two exceptions. */
static ymd ref_easter(int y)
{
    int a = y % 19, b = y % 4, c = y % 7, k = y / 100;
    int p = (13 + 8 * k) / 25, q = k / 4;
    int M = (15 - p + k - q) % 30, N = (4 + k - q) % 7;
    int d = (19 * a + M) % 30;
    int e = (2 * b + 4 * c + 6 * d + N) % 7;
    int march = 22 + d + e; /* day of March; > 31 runs into April */
    if (d == 29 && e == 6)
        return mk(y, 4, 19);
    if (d == 28 && e == 6 && (11 * M + 11) % 30 < 19)
        return mk(y, 4, 18);
    return march <= 31 ? mk(y, 3, march) : mk(y, 4, march - 31);
}

static ymd first_monday(int y, int m)
{
    int w = ref_weekday(mk(y, m, 1));
    return mk(y, m, 1 + (8 - w) % 7);
}

static ymd last_monday(int y, int m)
{
    int last = ref_mdays(y, m);
    return mk(y, m, last - (ref_weekday(mk(y, m, last)) - 1));
}

/*
 * The standard pattern (Banking and Financial Dealings Act 1971 and the
 * yearly proclamations): New Year's Day, Good Friday, Easter Monday, first
 * Monday of May, last Monday of May, last Monday of August, Christmas Day,
 * Boxing Day; a day on a Saturday or Sunday moves to the next weekday that is
 * not already a holiday. Written out case by case. Returns the count; keys
 * YYYYMMDD in increasing order.
 */
static int ref_rules(int y, int out[16])
{
    int n = 0;
    int w = ref_weekday(mk(y, 1, 1));
    out[n++] = ref_key(mk(y, 1, w == 6 ? 3 : w == 7 ? 2 : 1)); /* Sat -> Mon 3; Sun -> Mon 2 */
    ymd easter = ref_easter(y);
    out[n++] = ref_key(ref_add(easter, -2));
    out[n++] = ref_key(ref_add(easter, 1));
    out[n++] = ref_key(first_monday(y, 5));
    out[n++] = ref_key(last_monday(y, 5));
    out[n++] = ref_key(last_monday(y, 8));
    switch (ref_weekday(mk(y, 12, 25))) {
    case 5: /* Christmas Friday; Boxing Day Saturday -> Monday 28 */
        out[n++] = ref_key(mk(y, 12, 25));
        out[n++] = ref_key(mk(y, 12, 28));
        break;
    case 6: /* Christmas Saturday -> Monday 27; Boxing Day Sunday -> Tuesday 28 */
        out[n++] = ref_key(mk(y, 12, 27));
        out[n++] = ref_key(mk(y, 12, 28));
        break;
    case 7: /* Christmas Sunday -> Tuesday 27, as Boxing Day has Monday 26 */
        out[n++] = ref_key(mk(y, 12, 26));
        out[n++] = ref_key(mk(y, 12, 27));
        break;
    default:
        out[n++] = ref_key(mk(y, 12, 25));
        out[n++] = ref_key(mk(y, 12, 26));
    }
    return n;
}

/* ---------------------------------------------------------------------- */
/* The published lists, England and Wales, 2010–2027                       */

/*
 * Sources, year by year:
 *   2010, 2011: GOV.UK's list and JSON feed (https://www.gov.uk/bank-holidays,
 *     /bank-holidays.json) begin at 2012; these two years are Directgov's list
 *     of the time (GOV.UK's predecessor), as reproduced in public holiday
 *     tables, with the Royal wedding (29 April 2011) proclaimed on top.
 *   2012–2021: GOV.UK's bank-holidays.json (alphagov/calendars
 *     lib/data/bank-holidays.json; the copy cached by the govuk-bank-holidays
 *     package, whose 2012–2022 snapshot lists the same dates).
 *   2022–2027: GOV.UK's bank-holidays.json as transcribed in DfE's reference
 *     data (DFE-Digital/dfe-reference-data, bank holidays 2019–2028), with
 *     the State Funeral (19 September 2022) and the Coronation (8 May 2023).
 *   Checked on GOV.UK's page for the substitute days and the moved days.
 */
#define MAXPER 12
static const struct {
    int year;
    const char *days[MAXPER];
} published[] = {
    /* 2010: Christmas Saturday and Boxing Day Sunday -> 27, 28 December. */
    {2010,
     {"2010-01-01", "2010-04-02", "2010-04-05", "2010-05-03", "2010-05-31", "2010-08-30",
      "2010-12-27", "2010-12-28"}},
    /* 2011: New Year Saturday -> 3 January; Royal wedding 29 April;
     * Christmas Sunday -> 27 December (Boxing Day is Monday 26). */
    {2011,
     {"2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30",
      "2011-08-29", "2011-12-26", "2011-12-27"}},
    /* 2012: New Year Sunday -> 2 January; spring holiday moved from 28 May to
     * 4 June; Diamond Jubilee 5 June. */
    {2012,
     {"2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05",
      "2012-08-27", "2012-12-25", "2012-12-26"}},
    {2013,
     {"2013-01-01", "2013-03-29", "2013-04-01", "2013-05-06", "2013-05-27", "2013-08-26",
      "2013-12-25", "2013-12-26"}},
    {2014,
     {"2014-01-01", "2014-04-18", "2014-04-21", "2014-05-05", "2014-05-26", "2014-08-25",
      "2014-12-25", "2014-12-26"}},
    /* 2015: Boxing Day Saturday -> 28 December. */
    {2015,
     {"2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31",
      "2015-12-25", "2015-12-28"}},
    /* 2016: Christmas Sunday -> 27 December. */
    {2016,
     {"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29",
      "2016-12-26", "2016-12-27"}},
    /* 2017: New Year Sunday -> 2 January. */
    {2017,
     {"2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29", "2017-08-28",
      "2017-12-25", "2017-12-26"}},
    {2018,
     {"2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27",
      "2018-12-25", "2018-12-26"}},
    {2019,
     {"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26",
      "2019-12-25", "2019-12-26"}},
    /* 2020: early May holiday moved from Monday 4 May to Friday 8 May (VE Day);
     * Boxing Day Saturday -> 28 December. */
    {2020,
     {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31",
      "2020-12-25", "2020-12-28"}},
    /* 2021: Christmas Saturday, Boxing Day Sunday -> 27, 28 December. */
    {2021,
     {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30",
      "2021-12-27", "2021-12-28"}},
    /* 2022: New Year Saturday -> 3 January; spring holiday moved from 30 May
     * to Thursday 2 June; Platinum Jubilee 3 June; State Funeral 19 September;
     * Christmas Sunday -> 27 December. */
    {2022,
     {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
      "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}},
    /* 2023: New Year Sunday -> 2 January; Coronation 8 May. */
    {2023,
     {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
      "2023-08-28", "2023-12-25", "2023-12-26"}},
    {2024,
     {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
      "2024-12-25", "2024-12-26"}},
    {2025,
     {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
      "2025-12-25", "2025-12-26"}},
    /* 2026: Boxing Day Saturday -> 28 December. */
    {2026,
     {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
      "2026-12-25", "2026-12-28"}},
    /* 2027: Christmas Saturday, Boxing Day Sunday -> 27, 28 December. */
    {2027,
     {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
      "2027-12-27", "2027-12-28"}},
};
#define NPUBLISHED (sizeof published / sizeof published[0])

/* The proclaimed departures from the standard pattern, 2010–2027. */
static const struct {
    int year;
    const char *removed[2]; /* a standard day that was moved away (a working day) */
    const char *added[4];   /* the day it moved to, and extra one-off days */
} proclaimed[] = {
    {2011, {NULL}, {"2011-04-29"}},                                     /* Royal wedding */
    {2012, {"2012-05-28"}, {"2012-06-04", "2012-06-05"}},               /* Diamond Jubilee */
    {2020, {"2020-05-04"}, {"2020-05-08"}},                             /* VE Day 75 */
    {2022, {"2022-05-30"}, {"2022-06-02", "2022-06-03", "2022-09-19"}}, /* Jubilee, funeral */
    {2023, {NULL}, {"2023-05-08"}},                                     /* Coronation */
};

static ymd parse_ref(const char *s)
{
    ymd a = {0, 0, 0};
    char tail;
    assert_int_equal(sscanf(s, "%4d-%2d-%2d%c", &a.y, &a.m, &a.d, &tail), 3);
    return a;
}

static int published_keys(int y, int out[MAXPER])
{
    for (size_t i = 0; i < NPUBLISHED; i++) {
        if (published[i].year != y)
            continue;
        int n = 0;
        while (n < MAXPER && published[i].days[n]) {
            out[n] = ref_key(parse_ref(published[i].days[n]));
            n++;
        }
        return n;
    }
    fail_msg("no published list for %d", y);
    return 0;
}

/* The bank holidays the reference says year y has: published or by rule. */
static int ref_holidays(int y, int out[16])
{
    return y <= LAST_PUBLISHED ? published_keys(y, out) : ref_rules(y, out);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void join_keys(const int *k, int n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%04d-%02d-%02d", i ? " " : "",
                                k[i] / 10000, k[i] / 100 % 100, k[i] % 100);
}

static void expect_same_keys(const char *what, int y, const int *want, int nwant, const int *got,
                             int ngot)
{
    if (nwant == ngot && memcmp(want, got, (size_t)nwant * sizeof *want) == 0)
        return;
    char a[512], b[512];
    join_keys(want, nwant, a, sizeof a);
    join_keys(got, ngot, b, sizeof b);
    fail_msg("%s %d:\n  expected %s\n  got      %s", what, y, a, b);
}

/* ---------------------------------------------------------------------- */
/* Fixture: the built-in calendar, and the reference's working-day table   */

#define RANGE_DAYS 9496 /* 2010-01-01 .. 2035-12-31 inclusive */

static cw_calendar cal;
static cw_date range_first;       /* the library's number for 2010-01-01 */
static bool ref_work[RANGE_DAYS]; /* reference: is day i a working day */
static int ref_upto[RANGE_DAYS];  /* reference: working days in [0, i] */
static int ref_wdays[RANGE_DAYS]; /* reference: index of the k-th working day (0-based) */
static int ref_nwork;

static int group_setup(void **state)
{
    (void)state;
    cw_error err;
    cw_error_clear(&err);
    if (cw_calendar_load_default(&cal, &err) != CW_OK) {
        fprintf(stderr, "cannot load the built-in calendar: %s\n", err.msg);
        return -1;
    }
    range_first = cw_date_from_ymd(2010, 1, 1);
    ymd a = mk(FIRST_YEAR, 1, 1);
    int count = 0, year = 0, hol[16], nhol = 0;
    for (int i = 0; i < RANGE_DAYS; i++, a = ref_next(a)) {
        if (a.y != year) {
            year = a.y;
            nhol = ref_holidays(year, hol);
        }
        bool holiday = false;
        for (int j = 0; j < nhol; j++)
            holiday |= hol[j] == ref_key(a);
        ref_work[i] = ref_weekday(a) <= 5 && !holiday;
        if (ref_work[i])
            ref_wdays[count++] = i;
        ref_upto[i] = count;
    }
    ref_nwork = count;
    if (a.y != LAST_YEAR + 1 || a.m != 1 || a.d != 1) {
        fprintf(stderr, "RANGE_DAYS is wrong\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    cw_calendar_release(&cal);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static cw_date D(const char *s)
{
    cw_date d;
    if (cw_date_parse(s, strlen(s), &d) != CW_OK)
        fail_msg("test bug: %s is not a date", s);
    return d;
}

static bool working(const cw_calendar *c, cw_date d)
{
    bool w = false;
    cw_error err;
    cw_error_clear(&err);
    cw_rc rc = cw_calendar_is_working_day(c, d, &w, &err);
    if (rc != CW_OK) {
        char s[CW_DATE_LEN + 1];
        cw_date_format(d, s);
        fail_msg("is_working_day %s: %s", s, err.msg);
    }
    return w;
}

/* add_working_days(from, n) must be want. */
static void check_add(const cw_calendar *c, const char *from, int64_t n, const char *want)
{
    cw_date out = 0;
    cw_error err;
    cw_error_clear(&err);
    cw_rc rc = cw_calendar_add_working_days(c, D(from), n, &out, &err);
    if (rc != CW_OK)
        fail_msg("%s %+lld: %s", from, (long long)n, err.msg);
    char got[CW_DATE_LEN + 1];
    cw_date_format(out, got);
    if (strcmp(got, want) != 0)
        fail_msg("%s %+lld working days: expected %s, got %s", from, (long long)n, want, got);
}

/* working_days(from, to) must be want, and working_days(to, from) -want. */
static void check_count(const cw_calendar *c, const char *from, const char *to, int64_t want)
{
    int64_t got = 0, back = 0;
    cw_error err;
    cw_error_clear(&err);
    if (cw_calendar_working_days(c, D(from), D(to), &got, &err) != CW_OK ||
        cw_calendar_working_days(c, D(to), D(from), &back, &err) != CW_OK)
        fail_msg("working_days %s %s: %s", from, to, err.msg);
    if (got != want || back != -want)
        fail_msg("working_days(%s, %s): expected %lld (and %lld back), got %lld and %lld", from, to,
                 (long long)want, (long long)-want, (long long)got, (long long)back);
}

static void check_msg(const cw_error *err, const char *needle)
{
    if (!strstr(err->msg, needle))
        fail_msg("error message \"%s\" does not contain \"%s\"", err->msg, needle);
}

/* ---------------------------------------------------------------------- */
/* Dates                                                                  */

static void test_date_parse_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2023-02-29", /* 2023 is not a leap year */
        "2024-02-30",  "2024-04-31", "2024-13-01",   "2024-00-10",
        "2024-01-00",  "2024-01-32", "1900-02-29", /* divisible by 100, not by 400 */
        "2100-02-29",  "0000-01-01", "2024-1-01",    "2024-01-1",
        "24-01-01",    "2024/01/01", "2024-01-01x",  "2024-01-01 ",
        " 2024-01-01", "2024-01-0x", "+024-01-01",   "2024-0a-01",
        "20240101",    "",           "2024-01-01\n", "-024-01-01",
        "2024--1-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cw_date d = 12345;
        if (cw_date_parse(bad[i], strlen(bad[i]), &d) != CW_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d, 12345); /* untouched */
    }
    /* len, not the NUL, ends the input: a good prefix with the wrong len. */
    cw_date d;
    assert_int_equal(cw_date_parse("2024-01-01", 9, &d), CW_EINVAL);
    assert_int_equal(cw_date_parse("2024-01-015", 10, &d), CW_OK);
    assert_int_equal(d, 19723);
}

static void test_date_parse_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        cw_date days; /* days since 1970-01-01, worked out by hand */
    } good[] = {
        {"1970-01-01", 0},       {"1969-12-31", -1},
        {"2000-01-01", 10957}, /* 30 years, 7 of them leap: 30 * 365 + 7 */
        {"2000-02-29", 11016}, /* + 31 + 28 */
        {"2024-01-01", 19723}, /* 54 * 365 + 13 leap days */
        {"2024-02-29", 19782}, /* + 31 + 28 */
        {"2024-03-01", 19783},   {"2010-01-01", 14610},
        {"2035-12-31", 24105},   {"0001-01-01", -719162},
        {"9999-12-31", 2932896},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cw_date d = 0;
        if (cw_date_parse(good[i].s, strlen(good[i].s), &d) != CW_OK)
            fail_msg("refused \"%s\"", good[i].s);
        if (d != good[i].days)
            fail_msg("%s: expected day %d, got %d", good[i].s, good[i].days, d);
    }
}

/* Months are added on the calendar, clamped to the month's last day. */
static void test_date_add_months(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int32_t n;
        const char *to;
    } cases[] = {
        {"2026-01-31", 1, "2026-02-28"},   {"2024-01-31", 1, "2024-02-29"},
        {"2000-01-31", 1, "2000-02-29"},   {"2100-01-31", 1, "2100-02-28"},
        {"2026-03-31", -1, "2026-02-28"},  {"2026-11-22", 3, "2027-02-22"},
        {"2026-11-22", -12, "2025-11-22"}, {"2026-08-31", 6, "2027-02-28"},
        {"2026-05-15", 0, "2026-05-15"},   {"2026-01-01", -1, "2025-12-01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_date d;
        char out[CW_DATE_LEN + 1];
        assert_int_equal(cw_date_parse(cases[i].from, strlen(cases[i].from), &d), CW_OK);
        cw_date_format(cw_date_add_months(d, cases[i].n), out);
        if (strcmp(out, cases[i].to) != 0)
            fail_msg("%s + %d months: %s, expected %s", cases[i].from, cases[i].n, out,
                     cases[i].to);
    }
}

static void test_date_weekday_known(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int w;
    } known[] = {
        {"1970-01-01", 4}, /* a Thursday */
        {"1969-12-31", 3}, {"2000-01-01", 6}, {"2000-02-29", 2},
        {"2010-01-01", 5}, {"2011-04-29", 5}, /* the Royal wedding, a Friday */
        {"2020-05-08", 5},                    /* VE Day, a Friday */
        {"2022-06-02", 4}, {"2022-06-03", 5}, {"2022-09-19", 1},
        {"2023-05-08", 1}, {"2024-02-29", 4}, {"2024-03-09", 6},
        {"2024-03-10", 7}, {"2035-12-31", 1}, {"0001-01-01", 1}, /* proleptic Gregorian */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (cw_date_weekday(D(known[i].s)) != known[i].w)
            fail_msg("%s: expected weekday %d, got %d", known[i].s, known[i].w,
                     cw_date_weekday(D(known[i].s)));
}

/* from_ymd, to_ymd, weekday and format agree with the reference, day by day,
 * 1900–2100; and format round-trips through parse. */
static void test_date_against_reference(void **state)
{
    (void)state;
    ymd a = mk(1900, 1, 1);
    cw_date expect = cw_date_from_ymd(1900, 1, 1);
    assert_int_equal(expect, -25567); /* 70 years, 17 leap days: 70 * 365 + 17 */
    for (; a.y <= 2100; a = ref_next(a), expect++) {
        cw_date d = cw_date_from_ymd(a.y, (unsigned)a.m, (unsigned)a.d);
        if (d != expect)
            fail_msg("%d-%d-%d: from_ymd gave %d, expected %d", a.y, a.m, a.d, d, expect);
        int y;
        unsigned m, day;
        cw_date_to_ymd(d, &y, &m, &day);
        if (y != a.y || (int)m != a.m || (int)day != a.d)
            fail_msg("to_ymd(%d) = %d-%u-%u, expected %d-%d-%d", d, y, m, day, a.y, a.m, a.d);
        if (cw_date_weekday(d) != ref_weekday(a))
            fail_msg("%d-%d-%d: weekday %d, expected %d", a.y, a.m, a.d, cw_date_weekday(d),
                     ref_weekday(a));
        char s[CW_DATE_LEN + 1], want[16];
        memset(s, 'x', sizeof s);
        cw_date_format(d, s);
        ref_str(a, want);
        if (strcmp(s, want) != 0)
            fail_msg("format(%d) = \"%.11s\", expected %s", d, s, want);
        cw_date back = 0;
        if (cw_date_parse(s, strlen(s), &back) != CW_OK || back != d)
            fail_msg("%s does not round-trip", s);
    }
}

/* Every date of the calendar's range, 2010–2035, round-trips. */
static void test_date_format_roundtrip_range(void **state)
{
    (void)state;
    cw_date last = D("2035-12-31");
    int n = 0;
    for (cw_date d = D("2010-01-01"); d <= last; d++, n++) {
        char s[CW_DATE_LEN + 1];
        cw_date back = 0;
        cw_date_format(d, s);
        assert_int_equal(strlen(s), CW_DATE_LEN);
        if (cw_date_parse(s, CW_DATE_LEN, &back) != CW_OK || back != d)
            fail_msg("%s (day %d) does not round-trip", s, d);
    }
    assert_int_equal(n, RANGE_DAYS);
}

/* ---------------------------------------------------------------------- */
/* The reference itself                                                   */

static void test_reference_easter(void **state)
{
    (void)state;
    /* Easter Sundays from the published tables, including both of Gauss's
     * exceptional cases (1981 and 2076: 19 April; 1954 and 2049: 18 April). */
    static const char *const known[] = {
        "1954-04-18", "1981-04-19", "2008-03-23", "2010-04-04", "2011-04-24", "2016-03-27",
        "2019-04-21", "2024-03-31", "2025-04-20", "2027-03-28", "2028-04-16", "2029-04-01",
        "2030-04-21", "2031-04-13", "2032-03-28", "2033-04-17", "2034-04-09", "2035-03-25",
        "2038-04-25", "2049-04-18", "2076-04-19", "2285-03-22",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        ymd want = parse_ref(known[i]);
        ymd got = ref_easter(want.y);
        char s[16];
        ref_str(got, s);
        if (strcmp(s, known[i]) != 0)
            fail_msg("Easter %d: expected %s, got %s", want.y, known[i], s);
        assert_int_equal(ref_weekday(got), 7);
    }
}

/* The reference rules, with the proclaimed exceptions, give every published
 * year exactly: so the rules used for 2028–2035 are the right rules, and the
 * table above has no typing slip (each entry is checked two ways). */
static void test_reference_explains_published(void **state)
{
    (void)state;
    for (int y = FIRST_YEAR; y <= LAST_PUBLISHED; y++) {
        int rules[16], n = ref_rules(y, rules);
        for (size_t i = 0; i < sizeof proclaimed / sizeof proclaimed[0]; i++) {
            if (proclaimed[i].year != y)
                continue;
            for (int r = 0; r < 2 && proclaimed[i].removed[r]; r++) {
                int k = ref_key(parse_ref(proclaimed[i].removed[r])), j = 0;
                while (j < n && rules[j] != k)
                    j++;
                if (j == n)
                    fail_msg("%d: the rules do not give %s", y, proclaimed[i].removed[r]);
                rules[j] = rules[--n];
            }
            for (int a = 0; a < 4 && proclaimed[i].added[a]; a++)
                rules[n++] = ref_key(parse_ref(proclaimed[i].added[a]));
        }
        qsort(rules, (size_t)n, sizeof *rules, cmp_int);
        int pub[MAXPER], np = published_keys(y, pub);
        expect_same_keys("rules and proclamations vs published", y, pub, np, rules, n);
        for (int i = 0; i < np; i++)
            if (ref_weekday(mk(pub[i] / 10000, pub[i] / 100 % 100, pub[i] % 100)) > 5)
                fail_msg("published %d is a weekend", pub[i]);
    }
}

/* ---------------------------------------------------------------------- */
/* The built-in calendar against the published lists and the rules        */

/* The weekdays of year y that the calendar says are not working days. */
static int calendar_non_working_weekdays(int y, int out[MAXPER + 8])
{
    int n = 0;
    for (ymd a = mk(y, 1, 1); a.y == y; a = ref_next(a)) {
        cw_date d = cw_date_from_ymd(a.y, (unsigned)a.m, (unsigned)a.d);
        bool w = working(&cal, d);
        if (ref_weekday(a) >= 6) {
            if (w)
                fail_msg("%d-%02d-%02d is a weekend day but a working day", a.y, a.m, a.d);
        } else if (!w) {
            if (n == MAXPER + 8)
                fail_msg("%d: too many non-working weekdays", y);
            out[n++] = ref_key(a);
        }
    }
    return n;
}

static void test_published_2010_2027(void **state)
{
    (void)state;
    for (int y = FIRST_YEAR; y <= LAST_PUBLISHED; y++) {
        int want[MAXPER], got[MAXPER + 8];
        int nw = published_keys(y, want), ng = calendar_non_working_weekdays(y, got);
        expect_same_keys("bank holidays (published)", y, want, nw, got, ng);
    }
}

static void test_rules_2028_2035(void **state)
{
    (void)state;
    for (int y = LAST_PUBLISHED + 1; y <= LAST_YEAR; y++) {
        int want[16], got[MAXPER + 8];
        int nw = ref_rules(y, want), ng = calendar_non_working_weekdays(y, got);
        expect_same_keys("bank holidays (standard rules)", y, want, nw, got, ng);
    }
    /* And every day of the range against the reference table. */
    for (int i = 0; i < RANGE_DAYS; i++)
        if (working(&cal, range_first + i) != ref_work[i]) {
            char s[CW_DATE_LEN + 1];
            cw_date_format(range_first + i, s);
            fail_msg("%s: calendar says %s", s, ref_work[i] ? "holiday" : "working day");
        }
}

/* The one-off and moved days, one by one, with the days they replaced. */
static void test_moved_and_one_off_days(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool working;
    } days[] = {
        {"2011-04-29", false}, /* Royal wedding */
        {"2012-05-28", true},  /* the last Monday of May 2012: spring holiday moved away */
        {"2012-06-04", false}, /* ... to here */
        {"2012-06-05", false}, /* Diamond Jubilee */
        {"2020-05-04", true},  /* first Monday of May 2020: early May holiday moved away */
        {"2020-05-08", false}, /* ... to Friday, VE Day */
        {"2022-05-30", true},  /* last Monday of May 2022: spring holiday moved away */
        {"2022-06-02", false}, /* ... to Thursday */
        {"2022-06-03", false}, /* Platinum Jubilee */
        {"2022-06-06", true},  /* the Monday after the Jubilee weekend */
        {"2022-09-19", false}, /* State Funeral of Queen Elizabeth II */
        {"2023-05-08", false}, /* Coronation of King Charles III */
        {"2023-05-01", false}, /* and the ordinary early May holiday that year */
        {"2010-12-27", false}, {"2010-12-28", false},
        {"2011-01-03", false}, {"2011-12-26", false},
        {"2011-12-27", false}, {"2012-01-02", false},
        {"2015-12-28", false}, {"2016-12-26", false},
        {"2016-12-27", false}, {"2017-01-02", false},
        {"2020-12-28", false}, {"2021-12-27", false},
        {"2021-12-28", false}, {"2022-01-03", false},
        {"2022-12-26", false}, {"2022-12-27", false},
        {"2023-01-02", false}, {"2026-12-28", false},
        {"2027-12-27", false}, {"2027-12-28", false},
        {"2021-12-24", true}, /* Christmas Eve is not a bank holiday */
        {"2021-12-29", true},  {"2022-12-28", true},
        {"2023-01-03", true},  {"2021-12-31", true}, /* New Year's Eve neither */
    };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (working(&cal, D(days[i].s)) != days[i].working)
            fail_msg("%s should %sbe a working day", days[i].s, days[i].working ? "" : "not ");
}

static void test_default_calendar_shape(void **state)
{
    (void)state;
    assert_int_equal(cal.first, D("2010-01-01"));
    assert_int_equal(cal.last, D("2035-12-31"));
    int total = 0, h[16];
    for (int y = FIRST_YEAR; y <= LAST_YEAR; y++)
        total += ref_holidays(y, h);
    assert_int_equal(cal.nholidays, total);
    /* 2024 has 262 weekdays and 8 bank holidays. */
    int64_t n = 0;
    assert_int_equal(cw_calendar_working_days(&cal, D("2023-12-31"), D("2024-12-31"), &n, NULL),
                     CW_OK);
    assert_int_equal(n, 254);
    /* 2022: 260 weekdays, 10 bank holidays. */
    assert_int_equal(cw_calendar_working_days(&cal, D("2021-12-31"), D("2022-12-31"), &n, NULL),
                     CW_OK);
    assert_int_equal(n, 250);
    assert_int_equal(cw_calendar_working_days(&cal, D("2010-01-01"), D("2035-12-31"), &n, NULL),
                     CW_OK);
    assert_int_equal(n, ref_nwork); /* 2010-01-01 is a holiday, so "after" loses nothing */
}

/* ---------------------------------------------------------------------- */
/* Worked examples                                                        */

static void test_add_worked_examples(void **state)
{
    (void)state;
    /* Fri 8 Mar 2024 + 1: Sat 9, Sun 10 are weekend; Mon 11 is the 1st. */
    check_add(&cal, "2024-03-08", 1, "2024-03-11");
    /* Sat 9 Mar 2024 + 1: Sun 10 weekend; Mon 11 is the 1st. Sunday likewise. */
    check_add(&cal, "2024-03-09", 1, "2024-03-11");
    check_add(&cal, "2024-03-10", 1, "2024-03-11");
    /* Fri 8 Mar 2024 + 5: Mon 11 (1), Tue 12 (2), Wed 13 (3), Thu 14 (4), Fri 15 (5). */
    check_add(&cal, "2024-03-08", 5, "2024-03-15");
    /* Thu 28 Mar 2024 + 1: Fri 29 Good Friday, Sat 30, Sun 31 Easter Day,
     * Mon 1 Apr Easter Monday; Tue 2 Apr is the 1st. */
    check_add(&cal, "2024-03-28", 1, "2024-04-02");
    /* Thu 17 Apr 2025 + 1: Fri 18 Good Friday, weekend, Mon 21 Easter Monday;
     * Tue 22 is the 1st. */
    check_add(&cal, "2025-04-17", 1, "2025-04-22");
    /* Fri 24 Dec 2021 + 1: Sat 25, Sun 26, Mon 27 and Tue 28 (substitutes for
     * Christmas and Boxing Day); Wed 29 is the 1st. */
    check_add(&cal, "2021-12-24", 1, "2021-12-29");
    /* Fri 31 Dec 2021 + 1: Sat 1 Jan, Sun 2, Mon 3 (New Year substitute);
     * Tue 4 Jan 2022 is the 1st. */
    check_add(&cal, "2021-12-31", 1, "2022-01-04");
    /* Fri 23 Dec 2022 + 3: Sat 24, Sun 25, Mon 26 Boxing Day, Tue 27 Christmas
     * substitute; Wed 28 (1), Thu 29 (2), Fri 30 (3). */
    check_add(&cal, "2022-12-23", 3, "2022-12-30");
    /* ... + 4: then Sat 31, Sun 1 Jan, Mon 2 Jan New Year substitute; Tue 3 Jan (4). */
    check_add(&cal, "2022-12-23", 4, "2023-01-03");
    /* The Jubilee weekend: Fri 27 May 2022 + 5: Mon 30 May is a working day
     * that year (1), Tue 31 (2), Wed 1 Jun (3), Thu 2 spring holiday, Fri 3
     * Jubilee, Sat 4, Sun 5, Mon 6 (4), Tue 7 (5). */
    check_add(&cal, "2022-05-27", 5, "2022-06-07");
    /* VE Day 2020: Fri 1 May + 1 is Mon 4 May (a working day that year);
     * Thu 7 May + 1: Fri 8 holiday, weekend; Mon 11 May. */
    check_add(&cal, "2020-05-01", 1, "2020-05-04");
    check_add(&cal, "2020-05-07", 1, "2020-05-11");
    /* State funeral: Fri 16 Sep 2022 + 1: weekend, Mon 19 holiday; Tue 20. */
    check_add(&cal, "2022-09-16", 1, "2022-09-20");
    /* Coronation: Fri 5 May 2023 + 1: weekend, Mon 8 holiday; Tue 9. */
    check_add(&cal, "2023-05-05", 1, "2023-05-09");
    /* Leap day: Wed 28 Feb 2024 + 1 = Thu 29 Feb; Thu 29 Feb + 1 = Fri 1 Mar. */
    check_add(&cal, "2024-02-28", 1, "2024-02-29");
    check_add(&cal, "2024-02-29", 1, "2024-03-01");
    /* Not a leap year: Tue 28 Feb 2023 + 1 = Wed 1 Mar. */
    check_add(&cal, "2023-02-28", 1, "2023-03-01");
    /* Month end: Fri 30 Aug 2024 + 1: Sat 31, Sun 1 Sep; Mon 2 Sep.
     * Fri 24 May 2024 + 1: weekend, Mon 27 spring holiday; Tue 28 May.
     * Year end: Fri 29 Dec 2023 + 1: weekend, Mon 1 Jan 2024 holiday; Tue 2 Jan. */
    check_add(&cal, "2024-08-30", 1, "2024-09-02");
    check_add(&cal, "2024-05-24", 1, "2024-05-28");
    check_add(&cal, "2023-12-29", 1, "2024-01-02");
    /* Negative N: Mon 11 Mar 2024 - 1 = Fri 8 Mar (Sun 10, Sat 9 skipped). */
    check_add(&cal, "2024-03-11", -1, "2024-03-08");
    /* Sat 9 Mar 2024 - 1 = Fri 8 Mar; Sun 10 - 1 likewise. */
    check_add(&cal, "2024-03-09", -1, "2024-03-08");
    check_add(&cal, "2024-03-10", -1, "2024-03-08");
    /* Mon 6 Jun 2022 - 2: Sun 5, Sat 4, Fri 3 Jubilee, Thu 2 spring holiday;
     * Wed 1 Jun (1), Tue 31 May (2). */
    check_add(&cal, "2022-06-06", -2, "2022-05-31");
    /* Tue 2 Apr 2024 - 1: Mon 1 Easter Monday, Sun, Sat, Fri 29 Good Friday;
     * Thu 28 Mar. */
    check_add(&cal, "2024-04-02", -1, "2024-03-28");
    /* Wed 29 Dec 2021 - 1: Tue 28, Mon 27 holidays, Sun 26, Sat 25; Fri 24. */
    check_add(&cal, "2021-12-29", -1, "2021-12-24");
    /* Fri 1 Mar 2024 - 1 = Thu 29 Feb. */
    check_add(&cal, "2024-03-01", -1, "2024-02-29");
    /* N = 0 is the date itself, working day or not. */
    check_add(&cal, "2024-03-09", 0, "2024-03-09"); /* a Saturday */
    check_add(&cal, "2024-03-10", 0, "2024-03-10"); /* a Sunday */
    check_add(&cal, "2024-12-25", 0, "2024-12-25"); /* Christmas Day */
    check_add(&cal, "2024-03-11", 0, "2024-03-11");
    /* Christmas Day itself + 1: Thu 26 Boxing Day; Fri 27 Dec 2024. */
    check_add(&cal, "2024-12-25", 1, "2024-12-27");
}

static void test_count_worked_examples(void **state)
{
    (void)state;
    /* Same day: none after it. */
    check_count(&cal, "2024-03-11", "2024-03-11", 0);
    /* Fri to Mon: only Mon counts (after Fri, up to and including Mon). */
    check_count(&cal, "2024-03-08", "2024-03-11", 1);
    /* Fri to Sat or Sun: nothing yet. */
    check_count(&cal, "2024-03-08", "2024-03-09", 0);
    check_count(&cal, "2024-03-08", "2024-03-10", 0);
    /* Sat to Sun: 0; Sat to Mon: 1. */
    check_count(&cal, "2024-03-09", "2024-03-10", 0);
    check_count(&cal, "2024-03-09", "2024-03-11", 1);
    /* Mon 11 to Fri 15 Mar 2024: Tue, Wed, Thu, Fri = 4. */
    check_count(&cal, "2024-03-11", "2024-03-15", 4);
    /* Fri 24 Dec 2021 to Fri 31 Dec 2021: Wed 29, Thu 30, Fri 31 = 3. */
    check_count(&cal, "2021-12-24", "2021-12-31", 3);
    /* Fri 27 May to Tue 7 Jun 2022 = 5 (see the Jubilee example). */
    check_count(&cal, "2022-05-27", "2022-06-07", 5);
    /* Thu 28 Mar to Tue 2 Apr 2024 = 1 (Easter). */
    check_count(&cal, "2024-03-28", "2024-04-02", 1);
    /* February 2024 (29 days): 21 weekdays, no holidays: Wed 31 Jan to Thu 29 Feb. */
    check_count(&cal, "2024-01-31", "2024-02-29", 21);
    /* February 2023 (28 days): 20 weekdays: Tue 31 Jan to Tue 28 Feb. */
    check_count(&cal, "2023-01-31", "2023-02-28", 20);
    /* December 2022: 22 weekdays less 26 and 27 = 20: Wed 30 Nov to Sat 31 Dec. */
    check_count(&cal, "2022-11-30", "2022-12-31", 20);
}

/*
 * A Wales assessment: "completed within 42 working days of referral" (PM24).
 * Referral received Wednesday 13 March 2024. Counting the working days after
 * it:
 *   Thu 14, Fri 15 Mar ................................  1–2
 *   18–22 Mar .........................................  3–7
 *   25–28 Mar (Fri 29 Good Friday) ....................  8–11
 *   2–5 Apr (Mon 1 Easter Monday) ..................... 12–15
 *   8–12, 15–19, 22–26 Apr ............................ 16–30
 *   29 Apr – 3 May .................................... 31–35
 *   7–10 May (Mon 6 early May holiday) ................ 36–39
 *   Mon 13, Tue 14, Wed 15 May ......................... 40–42
 * so the assessment is due by Wednesday 15 May 2024 (63 calendar days; 42
 * weekdays alone would have said Friday 10 May).
 */
static void test_assessment_42_working_days(void **state)
{
    (void)state;
    check_add(&cal, "2024-03-13", 42, "2024-05-15");
    check_count(&cal, "2024-03-13", "2024-05-15", 42);
    check_count(&cal, "2024-03-13", "2024-05-14", 41); /* still in time */
    check_count(&cal, "2024-03-13", "2024-05-16", 43); /* a day late */
    check_count(&cal, "2024-03-13", "2024-05-10", 39);
    /* England's 45 working days: Thu 16 (43), Fri 17 (44), Mon 20 May (45). */
    check_add(&cal, "2024-03-13", 45, "2024-05-20");
}

/*
 * An initial child protection conference within 15 working days of the
 * strategy discussion, held Thursday 15 December 2022:
 *   Fri 16 Dec ......................................... 1
 *   19–23 Dec .......................................... 2–6
 *   Mon 26 Boxing Day, Tue 27 Christmas substitute
 *   Wed 28, Thu 29, Fri 30 Dec ......................... 7–9
 *   Mon 2 Jan 2023 New Year substitute
 *   3–6 Jan ............................................ 10–13
 *   Mon 9, Tue 10 Jan .................................. 14–15
 * so the conference is due by Tuesday 10 January 2023.
 */
static void test_icpc_15_working_days(void **state)
{
    (void)state;
    check_add(&cal, "2022-12-15", 15, "2023-01-10");
    check_count(&cal, "2022-12-15", "2023-01-10", 15);
    check_count(&cal, "2022-12-15", "2023-01-02", 9); /* the substitute day adds nothing */
    check_count(&cal, "2022-12-15", "2022-12-30", 9);
    /* Counting back from the conference gives the discussion again. */
    check_add(&cal, "2023-01-10", -15, "2022-12-15");
}

/* ---------------------------------------------------------------------- */
/* Properties over the whole range                                        */

/* For every day d and n in [0, 300]: working_days(d, add(d, n)) == n; the
 * result is a working day (n > 0) after d; add(add(d, n), -n) is d when d is
 * a working day, and otherwise the last working day before d. */
static void test_identities(void **state)
{
    (void)state;
    cw_error err;
    for (int i = 0; i < RANGE_DAYS; i++) {
        cw_date d = range_first + i, prev_e = d;
        for (int64_t n = 0; n <= 300; n++) {
            cw_date e = 0, back = 0;
            int64_t count = 0;
            cw_error_clear(&err);
            cw_rc rc = cw_calendar_add_working_days(&cal, d, n, &e, &err);
            bool fits = ref_upto[i] + n <= ref_nwork;
            if (!fits) {
                if (rc != CW_EINVAL)
                    fail_msg("day %d + %lld should fall outside the calendar", i, (long long)n);
                break;
            }
            if (rc != CW_OK)
                fail_msg("day %d + %lld: %s", i, (long long)n, err.msg);
            if (cw_calendar_working_days(&cal, d, e, &count, &err) != CW_OK || count != n)
                fail_msg("working_days(day %d, add(day %d, %lld)) = %lld", i, i, (long long)n,
                         (long long)count);
            if (n > 0 && (e <= prev_e || !ref_work[e - range_first]))
                fail_msg("add(day %d, %lld) is not a later working day", i, (long long)n);
            prev_e = e;
            rc = cw_calendar_add_working_days(&cal, e, -n, &back, &err);
            if (n == 0 || ref_work[i]) {
                if (rc != CW_OK || back != d)
                    fail_msg("add(add(day %d, %lld), -%lld) != day %d", i, (long long)n,
                             (long long)n, i);
            } else if (ref_upto[i] > 0) {
                /* d is not a working day: n back from the n-th after d lands
                 * on the last working day before d. */
                if (rc != CW_OK || back != range_first + ref_wdays[ref_upto[i] - 1])
                    fail_msg("add(add(day %d, %lld), -%lld) is not the working day before", i,
                             (long long)n, (long long)n);
            }
        }
    }
}

/* add and count against the reference's own table, n in [-300, 300]. */
static void test_against_reference_table(void **state)
{
    (void)state;
    for (int i = 0; i < RANGE_DAYS; i++) {
        cw_date d = range_first + i;
        for (int n = -300; n <= 300; n++) {
            /* The reference answer: the n-th working day after or before day i. */
            int want = -1;
            if (n == 0)
                want = i;
            else if (n > 0 && ref_upto[i] + n <= ref_nwork)
                want = ref_wdays[ref_upto[i] + n - 1];
            else if (n < 0) {
                int before = ref_upto[i] - ref_work[i]; /* working days strictly before i */
                if (before + n >= 0)
                    want = ref_wdays[before + n];
            }
            cw_date e = 0;
            cw_rc rc = cw_calendar_add_working_days(&cal, d, n, &e, NULL);
            if (want < 0 ? rc != CW_EINVAL : rc != CW_OK || e != range_first + want)
                fail_msg("add(day %d, %d): expected day %d, got rc %d day %d", i, n, want, rc,
                         rc ? -1 : e - range_first);
        }
    }
    /* Day by day, without the table's cumulative counts, on a sample. */
    for (int i = 0; i < RANGE_DAYS; i += 37) {
        for (int j = i; j < RANGE_DAYS && j <= i + 400; j += 7) {
            int64_t got = 0;
            int want = 0;
            for (int k = i + 1; k <= j; k++)
                want += ref_work[k];
            assert_int_equal(
                cw_calendar_working_days(&cal, range_first + i, range_first + j, &got, NULL),
                CW_OK);
            if (got != want)
                fail_msg("working_days(day %d, day %d) = %lld, expected %d", i, j, (long long)got,
                         want);
        }
    }
}

static void test_antisymmetry(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int t = 0; t < 200000; t++) {
        x = x * 1103515245u + 12345u;
        int i = (int)((x >> 8) % RANGE_DAYS);
        x = x * 1103515245u + 12345u;
        int j = (int)((x >> 8) % RANGE_DAYS);
        int64_t ab = 0, ba = 0;
        assert_int_equal(
            cw_calendar_working_days(&cal, range_first + i, range_first + j, &ab, NULL), CW_OK);
        assert_int_equal(
            cw_calendar_working_days(&cal, range_first + j, range_first + i, &ba, NULL), CW_OK);
        if (ab != -ba || ab != (int64_t)ref_upto[j] - ref_upto[i])
            fail_msg("working_days(day %d, day %d) = %lld, back %lld", i, j, (long long)ab,
                     (long long)ba);
    }
}

/* ---------------------------------------------------------------------- */
/* Range errors                                                           */

static void test_range_errors(void **state)
{
    (void)state;
    cw_error err;
    bool w;
    cw_date out = 0;
    int64_t n = 0;
    static const char *const outside[] = {"2009-12-31", "2036-01-01", "1970-01-01", "9999-12-31"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        cw_date d = D(outside[i]);
        cw_error_clear(&err);
        assert_int_equal(cw_calendar_is_working_day(&cal, d, &w, &err), CW_EINVAL);
        check_msg(&err, outside[i]);
        check_msg(&err, RANGE_TEXT);
        cw_error_clear(&err);
        assert_int_equal(cw_calendar_add_working_days(&cal, d, 0, &out, &err), CW_EINVAL);
        check_msg(&err, outside[i]);
        check_msg(&err, RANGE_TEXT);
        cw_error_clear(&err);
        assert_int_equal(cw_calendar_add_working_days(&cal, d, 5, &out, &err), CW_EINVAL);
        check_msg(&err, outside[i]);
        cw_error_clear(&err);
        assert_int_equal(cw_calendar_working_days(&cal, d, D("2024-01-01"), &n, &err), CW_EINVAL);
        check_msg(&err, outside[i]);
        check_msg(&err, RANGE_TEXT);
        cw_error_clear(&err);
        assert_int_equal(cw_calendar_working_days(&cal, D("2024-01-01"), d, &n, &err), CW_EINVAL);
        check_msg(&err, outside[i]);
        check_msg(&err, RANGE_TEXT);
    }
    /* The edges themselves are inside. 2010-01-01 is a Friday and New Year's
     * Day; 2035-12-31 is a Monday and a working day. */
    assert_false(working(&cal, D("2010-01-01")));
    assert_true(working(&cal, D("2035-12-31")));
    check_add(&cal, "2035-12-28", 1, "2035-12-31");
    check_add(&cal, "2010-01-05", -1, "2010-01-04");
    check_add(&cal, "2010-01-01", 1, "2010-01-04");
    check_add(&cal, "2035-12-31", 0, "2035-12-31");
    check_count(&cal, "2010-01-01", "2010-01-04", 1);

    /* Results that would fall outside: the message names the count, the
     * date counted from and the range. */
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2035-12-31"), 1, &out, &err), CW_EINVAL);
    check_msg(&err, "after 2035-12-31");
    check_msg(&err, RANGE_TEXT);
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2035-12-20"), 20, &out, &err),
                     CW_EINVAL);
    check_msg(&err, "20 working days after 2035-12-20");
    check_msg(&err, RANGE_TEXT);
    /* 2010-01-04 is the first working day of the range: nothing before it. */
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2010-01-04"), -1, &out, &err),
                     CW_EINVAL);
    check_msg(&err, "1 working day before 2010-01-04");
    check_msg(&err, RANGE_TEXT);
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2010-03-01"), -100, &out, &err),
                     CW_EINVAL);
    check_msg(&err, "100 working days before 2010-03-01");
    /* More working days than the whole range holds, either way. */
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2024-01-01"), 10000, &out, &err),
                     CW_EINVAL);
    check_msg(&err, RANGE_TEXT);
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&cal, D("2024-01-01"), -10000, &out, &err),
                     CW_EINVAL);
    check_msg(&err, RANGE_TEXT);
}

/* N at the ends of int64_t is refused cleanly (no overflow). */
static void test_extreme_n(void **state)
{
    (void)state;
    static const char *const from[] = {"2010-01-01", "2010-01-04", "2024-06-03", "2035-12-31"};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        static const int64_t ns[] = {INT64_MAX,     INT64_MAX - 1, INT64_MIN,
                                     INT64_MIN + 1, INT32_MAX,     INT32_MIN};
        for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
            cw_error err;
            cw_date out = 0;
            cw_error_clear(&err);
            if (cw_calendar_add_working_days(&cal, D(from[i]), ns[j], &out, &err) != CW_EINVAL)
                fail_msg("%s %+lld was not refused", from[i], (long long)ns[j]);
            check_msg(&err, from[i]);
            check_msg(&err, RANGE_TEXT);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Loading calendar files                                                 */

static void test_load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want; /* the whole message */
    } cases[] = {
        {"# made up\n2024-01-08 Holiday\nrange 2024-01-01 2024-12-31\n",
         "t.txt:2: a holiday before the range line"},
        {"range 2024-01-01 2024-12-31\n2024-01-08 X\nrange 2024-01-01 2024-12-31\n",
         "t.txt:3: a second range line"},
        {"range 2024-01-01 2024-12-31\n\n2024-02-30 Not a day\n",
         "t.txt:3: expected: YYYY-MM-DD name"},
        {"range 2024-01-01 2024-12-31\n2024-1-08 Short\n", "t.txt:2: expected: YYYY-MM-DD name"},
        {"range 2024-01-01 2024-12-31\n2024-01-08\n", "t.txt:2: expected: YYYY-MM-DD name"},
        {"range 2024-01-01 2024-12-31\n2024-01-08\tTab\n", "t.txt:2: expected: YYYY-MM-DD name"},
        {"range 2024-01-01 2024-12-31\n 2024-01-08 Indented\n",
         "t.txt:2: expected: YYYY-MM-DD name"},
        {"range 2024-01-01 2024-12-31\n2025-01-01 Next year\n",
         "t.txt:2: the date is outside the range"},
        {"range 2024-01-02 2024-12-31\n2024-01-01 Day before\n",
         "t.txt:2: the date is outside the range"},
        {"range 2024-01-01 2024-12-31\n2024-03-05 B\n2024-03-04 A\n",
         "t.txt:3: dates must be in increasing order, each once"},
        {"range 2024-01-01 2024-12-31\n2024-03-04 A\n# same again\n2024-03-04 A again\n",
         "t.txt:4: dates must be in increasing order, each once"},
        {"range 2024-01-01 2024-12-31\n2024-03-09 A Saturday\n",
         "t.txt:2: the date is a Saturday or Sunday (list the substitute weekday)"},
        {"range 2024-01-01 2024-12-31\n2024-03-10 A Sunday\n",
         "t.txt:2: the date is a Saturday or Sunday (list the substitute weekday)"},
        {"range 2024-01-01\n", "t.txt:1: expected: range YYYY-MM-DD YYYY-MM-DD"},
        {"range 2024-01-01  2024-12-31\n", "t.txt:1: expected: range YYYY-MM-DD YYYY-MM-DD"},
        {"range 2024-01-01 2024-12-31 extra\n", "t.txt:1: expected: range YYYY-MM-DD YYYY-MM-DD"},
        {"range 2024-01-01 2024-13-31\n", "t.txt:1: expected: range YYYY-MM-DD YYYY-MM-DD"},
        {"range 2024-12-31 2024-01-01\n", "t.txt:1: the range is empty or too long"},
        {"range 1800-01-01 2024-01-01\n", "t.txt:1: the range is empty or too long"},
        {"", "t.txt: no range line"},
        {"# only a comment\n\n", "t.txt: no range line"},
        /* Line numbers count CRLF lines the same. */
        {"range 2024-01-01 2024-12-31\r\n# c\r\n2024-03-09 Saturday\r\n",
         "t.txt:3: the date is a Saturday or Sunday (list the substitute weekday)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_calendar c;
        cw_error err;
        cw_error_clear(&err);
        cw_rc rc = cw_calendar_load(&c, cases[i].text, strlen(cases[i].text), "t.txt", &err);
        if (rc != CW_EINVAL)
            fail_msg("case %zu: loaded (rc %d): %s", i, rc, cases[i].text);
        if (strcmp(err.msg, cases[i].want) != 0)
            fail_msg("case %zu: expected \"%s\", got \"%s\"", i, cases[i].want, err.msg);
        assert_null(c.cum);
        cw_calendar_release(&c); /* harmless after a failed load */
    }
}

/* A made-up calendar: CRLF, comments, blank lines, no final newline. Monday
 * 8 January 2024 is made a holiday. */
static void test_load_custom(void **state)
{
    (void)state;
    static const char text[] = "# A made-up calendar\r\n"
                               "\r\n"
                               "range 2024-01-01 2024-02-29\r\n"
                               "# the council's own closure day\r\n"
                               "2024-01-08 Made-up Monday\r\n"
                               "2024-02-29 Leap day off";
    cw_calendar c;
    cw_error err;
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_load(&c, text, strlen(text), "custom.txt", &err), CW_OK);
    assert_int_equal(c.first, D("2024-01-01"));
    assert_int_equal(c.last, D("2024-02-29"));
    assert_int_equal(c.nholidays, 2);
    /* 1 January is a working day here: this calendar does not list it, and
     * it is the first day of the range (the count starts there). */
    assert_true(working(&c, D("2024-01-01")));
    assert_false(working(&c, D("2024-01-08")));
    assert_false(working(&c, D("2024-02-29")));
    assert_true(working(&c, D("2024-02-28")));
    /* Fri 5 Jan + 1: weekend, Mon 8 made-up holiday; Tue 9 Jan. */
    check_add(&c, "2024-01-05", 1, "2024-01-09");
    check_add(&c, "2024-01-09", -1, "2024-01-05");
    check_add(&c, "2024-01-02", -1, "2024-01-01");
    /* January 2024: 23 weekdays less 8 Jan = 22; after Mon 1 Jan: 21. */
    check_count(&c, "2024-01-01", "2024-01-31", 21);
    /* Nothing before the first day, nothing after Wed 28 Feb. */
    cw_date out;
    cw_error_clear(&err);
    assert_int_equal(cw_calendar_add_working_days(&c, D("2024-01-01"), -1, &out, &err), CW_EINVAL);
    check_msg(&err, "(2024-01-01 to 2024-02-29)");
    assert_int_equal(cw_calendar_add_working_days(&c, D("2024-02-28"), 1, &out, &err), CW_EINVAL);
    assert_int_equal(cw_calendar_add_working_days(&c, D("2024-02-27"), 1, &out, NULL), CW_OK);
    assert_int_equal(out, D("2024-02-28"));
    /* The built-in calendar disagrees: 2024-01-01 is New Year's Day there. */
    assert_false(working(&cal, D("2024-01-01")));
    assert_true(working(&cal, D("2024-01-08")));
    cw_calendar_release(&c);

    /* A range of one day: a Saturday. */
    static const char one[] = "range 2024-03-09 2024-03-09\n";
    assert_int_equal(cw_calendar_load(&c, one, strlen(one), "one.txt", &err), CW_OK);
    assert_false(working(&c, D("2024-03-09")));
    assert_int_equal(cw_calendar_add_working_days(&c, D("2024-03-09"), 1, &out, &err), CW_EINVAL);
    assert_int_equal(cw_calendar_add_working_days(&c, D("2024-03-09"), 0, &out, &err), CW_OK);
    cw_calendar_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_refuses),
        cmocka_unit_test(test_date_parse_accepts),
        cmocka_unit_test(test_date_weekday_known),
        cmocka_unit_test(test_date_add_months),
        cmocka_unit_test(test_date_against_reference),
        cmocka_unit_test(test_date_format_roundtrip_range),
        cmocka_unit_test(test_reference_easter),
        cmocka_unit_test(test_reference_explains_published),
        cmocka_unit_test(test_published_2010_2027),
        cmocka_unit_test(test_rules_2028_2035),
        cmocka_unit_test(test_moved_and_one_off_days),
        cmocka_unit_test(test_default_calendar_shape),
        cmocka_unit_test(test_add_worked_examples),
        cmocka_unit_test(test_count_worked_examples),
        cmocka_unit_test(test_assessment_42_working_days),
        cmocka_unit_test(test_icpc_15_working_days),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_against_reference_table),
        cmocka_unit_test(test_antisymmetry),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_extreme_n),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_custom),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
