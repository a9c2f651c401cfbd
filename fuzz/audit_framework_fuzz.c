/*
 * audit_framework_fuzz.c — a council's audit framework is a text file it
 * edits: any text is loaded or refused with a message, never crashes the
 * loader, and a loaded framework keeps the invariants framework.c states.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_audit_framework f;
    cw_error err;
    if (cw_audit_framework_load(&f, (const char *)data, size, "fuzz.audit", &err) != CW_OK)
        return 0;
    if (f.ngrades < 2 || f.ngrades > CW_AUDIT_MAX_GRADES || f.nthemes < 1 ||
        f.nthemes > CW_AUDIT_MAX_THEMES)
        abort();
    int critical = 0;
    for (size_t g = 0; g < f.ngrades; g++) {
        if (f.grades[g].value != (int)g + 1)
            abort();
        critical |= cw_audit_framework_critical(&f, (int)g + 1);
    }
    if (!critical)
        abort();
    for (size_t i = 0; i < f.nthemes; i++)
        if (!f.themes[i].guidance || !f.themes[i].guidance_cy || !f.themes[i].title[0] ||
            cw_audit_framework_theme(&f, f.themes[i].id) != &f.themes[i] ||
            strlen(f.themes[i].guidance) > CW_AUDIT_MAX_GUIDANCE)
            abort();
    cw_audit_framework_release(&f);
    return 0;
}
