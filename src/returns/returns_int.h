/*
 * returns_int.h — what the returns share in reading a child's facts and writing CSV rows
 * (private to src/returns).
 */
#ifndef CW_RETURNS_RETURNS_INT_H
#define CW_RETURNS_RETURNS_INT_H

#include <stdio.h>
#include <string.h>

#include "returns/returns.h"
#include "util/date.h"
#include "util/csv.h"
#include "util/facts.h"

/* A field of an event's facts: a string (or NULL), true, there at all, a date. */
static inline const char *sval(cw_facts f, const char *name)
{
    cw_fact v = cw_facts_get(f, name);
    return v.kind == CW_FACT_STRING ? v.s : NULL;
}

static inline int bval(cw_facts f, const char *name)
{
    return cw_facts_get(f, name).kind == CW_FACT_TRUE;
}

static inline int present(cw_facts f, const char *name)
{
    return cw_facts_get(f, name).kind != CW_FACT_ABSENT;
}

static inline int dval(cw_facts f, const char *name, cw_date *out)
{
    const char *s = sval(f, name);
    return s && !cw_date_parse(s, strlen(s), out);
}

/* Two codes, either absent: the same. */
static inline int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static inline int one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

/* A date as the DfE's CSV returns write it: dd/mm/yyyy. */
static inline void dmy(cw_date d, char out[11])
{
    int y;
    unsigned m, day;
    cw_date_to_ymd(d, &y, &m, &day);
    snprintf(out, 11, "%02u/%02u/%04u", day % 100, m % 100, (unsigned)y % 10000);
}

/* Whole years from dob to d. */
static inline int age_at(cw_date dob, cw_date d)
{
    int n = 0;
    while (n < 200 && cw_date_add_months(dob, 12 * (n + 1)) <= d)
        n++;
    return n;
}

/* A CSV row of the returns (every cell quoted, none a formula: util/csv.h), NULL a blank cell:
 * ROW(b, cell, ...). */
#define ROW(b, ...)                                                                                \
    cw_csv_row(b, (const char *const[]){__VA_ARGS__},                                              \
               sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *),                  \
               CW_CSV_QUOTE_ALL)

#endif
