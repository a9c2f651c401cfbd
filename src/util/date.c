/* date.c — civil dates; see date.h. Arithmetic shares time.c's algorithms. */
#include "util/date.h"

#include "util/time.h"

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int y, unsigned m)
{
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return d[m - 1] + (m == 2 && leap(y));
}

cw_date cw_date_from_ymd(int y, unsigned m, unsigned d)
{
    return (cw_date)cw_days_from_civil(y, m, d);
}

cw_date cw_date_add_months(cw_date d, int32_t n)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y;
    unsigned m, day;
    cw_date_to_ymd(d, &y, &m, &day);
    int64_t total = (int64_t)y * 12 + (m - 1) + n;
    /* Floor division: before year 0 the remainder of C's / is negative (month 0 or less). */
    int64_t years = total / 12, month0 = total % 12;
    if (month0 < 0) {
        month0 += 12;
        years--;
    }
    y = (int)years;
    m = (unsigned)month0 + 1;
    unsigned last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return cw_date_from_ymd(y, m, day < last ? day : last);
}

void cw_date_to_ymd(cw_date d, int *y, unsigned *m, unsigned *day)
{
    int64_t yy;
    cw_civil_from_days(d, &yy, m, day);
    *y = (int)yy;
}

cw_rc cw_date_parse(const char *s, size_t len, cw_date *out)
{
    int v[3] = {0, 0, 0};
    static const int width[3] = {4, 2, 2};
    if (len != CW_DATE_LEN || s[4] != '-' || s[7] != '-')
        return CW_EINVAL;
    const char *p = s;
    for (int f = 0; f < 3; f++, p++) {
        for (int i = 0; i < width[f]; i++, p++) {
            if (*p < '0' || *p > '9')
                return CW_EINVAL;
            v[f] = v[f] * 10 + (*p - '0');
        }
    }
    if (v[0] < 1 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
        (unsigned)v[2] > month_days(v[0], (unsigned)v[1]))
        return CW_EINVAL;
    *out = cw_date_from_ymd(v[0], (unsigned)v[1], (unsigned)v[2]);
    return CW_OK;
}

void cw_date_format(cw_date d, char out[CW_DATE_LEN + 1])
{
    int y;
    unsigned m, day;
    cw_date_to_ymd(d, &y, &m, &day);
    unsigned vals[3] = {(unsigned)y, m, day};
    static const int width[3] = {4, 2, 2};
    char *p = out;
    for (int f = 0; f < 3; f++) {
        for (int i = width[f] - 1; i >= 0; i--) {
            p[i] = (char)('0' + vals[f] % 10);
            vals[f] /= 10;
        }
        p += width[f];
        *p++ = f < 2 ? '-' : '\0';
    }
}

int cw_date_weekday(cw_date d)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = ((int64_t)d + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}
