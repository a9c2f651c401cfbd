/*
 * values_fuzz.c — the small values caseward reads from outside, in JSON
 * payloads, query strings, headers and command-line options: the first byte
 * picks the parser, the rest is its text.
 *   0  a date, YYYY-MM-DD (cw_date_parse)            written back and read again: the same
 *   1  a time, RFC 3339 with ms (cw_time_parse_ms)   the same
 *   2  a migrated event's source time (cw_entry_parse_source_time)
 *   3  money (cw_improve_parse_pounds)               in range; written back and read again
 *   4  a measure's target (cw_improve_parse_target)
 *   5  a decimal count (cw_parse_u64)                written back: the same text
 *   6  a text print (cw_text_print_parse)
 *   7  an Accept-Language header (cw_lang_accept)
 *   8  a date and a number of working days on the England and Wales calendar: adding them
 *      and counting back agree
 *   9  a date plus months (cw_date_add_months), from the date and a signed count
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "improve/improve.h"
#include "ledger/entry.h"
#include "util/buf.h"
#include "util/calendar.h"
#include "util/date.h"
#include "util/messages.h"
#include "util/textprint.h"
#include "util/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cw_calendar cal;
static int have_cal;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    cw_error err;
    /* the text, NUL-terminated, for the parsers that take a string */
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    size_t n = size - 1;
    switch (data[0] % 10) {
    case 0: {
        cw_date d, again;
        char out[CW_DATE_LEN + 1];
        if (cw_date_parse(s, n, &d) == CW_OK) {
            cw_date_format(d, out);
            if (cw_date_parse(out, strlen(out), &again) != CW_OK || again != d)
                abort();
        }
        break;
    }
    case 1: {
        int64_t ms, again;
        char out[CW_RFC3339_MS_LEN + 1];
        if (cw_time_parse_ms(s, n, &ms) == CW_OK) {
            if (cw_time_format_ms(ms, out) != CW_OK ||
                cw_time_parse_ms(out, strlen(out), &again) != CW_OK || again != ms)
                abort();
        }
        break;
    }
    case 2: {
        int64_t ms;
        if (cw_entry_parse_source_time(s, &ms, &err) != CW_OK && !err.msg[0])
            abort();
        break;
    }
    case 3: {
        cw_pence p, again;
        char out[32];
        if (cw_improve_parse_pounds(s, &p, &err) == CW_OK) {
            if (p < 0 || p > CW_IMPROVE_MAX_PENCE)
                abort();
            cw_improve_pounds(p, out);
            if (cw_improve_parse_pounds(out, &again, &err) != CW_OK || again != p)
                abort();
        } else if (!err.msg[0]) {
            abort();
        }
        break;
    }
    case 4: {
        int64_t tenths;
        if (cw_improve_parse_target(s, &tenths, &err) != CW_OK && !err.msg[0])
            abort();
        break;
    }
    case 5: {
        uint64_t v;
        char out[24];
        if (cw_parse_u64(s, n, &v) == CW_OK) {
            snprintf(out, sizeof out, "%" PRIu64, v);
            if (strlen(out) != n || memcmp(out, s, n) != 0)
                abort();
        }
        break;
    }
    case 6: {
        uint64_t hash;
        int words;
        if (cw_text_print_parse(s, &hash, &words) == CW_OK && (hash == 0 || words < 0))
            abort();
        break;
    }
    case 7: {
        int found;
        cw_lang l = cw_lang_accept(s, &found);
        if (l != CW_LANG_EN && l != CW_LANG_CY)
            abort();
        break;
    }
    case 8: {
        cw_date d, out;
        int64_t back;
        if (!have_cal) {
            if (cw_calendar_load_default(&cal, &err))
                abort();
            have_cal = 1;
        }
        if (n < CW_DATE_LEN + 1 || cw_date_parse(s, CW_DATE_LEN, &d) != CW_OK)
            break;
        int64_t days = (int8_t)s[CW_DATE_LEN] * 7 + (s[CW_DATE_LEN] & 7);
        if (days > 0 && cw_calendar_add_working_days(&cal, d, days, &out, &err) == CW_OK &&
            (cw_calendar_working_days(&cal, d, out, &back, &err) != CW_OK || back != days))
            abort();
        break;
    }
    case 9: {
        cw_date d;
        if (n < CW_DATE_LEN + 2 || cw_date_parse(s, CW_DATE_LEN, &d) != CW_OK)
            break;
        int32_t months =
            (int16_t)((uint16_t)(uint8_t)s[CW_DATE_LEN] << 8 | (uint8_t)s[CW_DATE_LEN + 1]);
        cw_date e = cw_date_add_months(d, months);
        char out[CW_DATE_LEN + 1];
        cw_date_format(e, out);
        break;
    }
    }
    free(s);
    return 0;
}
