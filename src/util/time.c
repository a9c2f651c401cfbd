/*
 * time.c — UTC timestamps without the C library's time-zone machinery.
 * Civil-date arithmetic follows Howard Hinnant's days_from_civil algorithm.
 */
#include "util/time.h"

#include "util/date.h"

#include <time.h>

int64_t cw_time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Writes v as exactly width decimal digits. */
static void put(char *out, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

cw_rc cw_time_format_ms(int64_t ms, char out[CW_RFC3339_MS_LEN + 1])
{
    int64_t days = floordiv(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned mo, d;
    cw_civil_from_days(days, &y, &mo, &d);
    if (y < 0 || y > 9999)
        return CW_EINVAL;
    /* rem is in [0, 86400000), so every field has a fixed width. */
    put(out, (unsigned)y, 4);
    out[4] = '-';
    put(out + 5, mo, 2);
    out[7] = '-';
    put(out + 8, d, 2);
    out[10] = 'T';
    put(out + 11, (unsigned)(rem / 3600000), 2);
    out[13] = ':';
    put(out + 14, (unsigned)(rem / 60000 % 60), 2);
    out[16] = ':';
    put(out + 17, (unsigned)(rem / 1000 % 60), 2);
    out[19] = '.';
    put(out + 20, (unsigned)(rem % 1000), 3);
    out[23] = 'Z';
    out[24] = '\0';
    return CW_OK;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

cw_rc cw_time_parse_ms(const char *s, size_t len, int64_t *ms)
{
    int h = 0, mi = 0, sec = 0, milli = 0;
    cw_date day;
    if (len != CW_RFC3339_MS_LEN || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
        s[23] != 'Z' || cw_date_parse(s, CW_DATE_LEN, &day))
        return CW_EINVAL;
    if (digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec) ||
        digits(s + 20, 3, &milli) || h > 23 || mi > 59 || sec > 59)
        return CW_EINVAL;
    *ms = (((int64_t)day * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + milli;
    return CW_OK;
}
