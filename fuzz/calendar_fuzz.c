/*
 * calendar_fuzz.c — a working-day calendar given with --holidays: any text
 * is loaded or refused, and a loaded one answers within its range.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_calendar c;
    cw_error err;
    if (cw_calendar_load(&c, (const char *)data, size, "fuzz.txt", &err) == CW_OK) {
        cw_date out;
        int64_t n;
        (void)cw_calendar_add_working_days(&c, c.first, 10, &out, &err);
        (void)cw_calendar_add_working_days(&c, c.last, -10, &out, &err);
        (void)cw_calendar_working_days(&c, c.first, c.last, &n, &err);
        cw_calendar_release(&c);
    }
    return 0;
}
