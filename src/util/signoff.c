/* signoff.c — the kinds of work that can need a manager's sign-off (signoff.h). */
#include <string.h>

#include "util/signoff.h"

const char *const cw_sign_off_kinds[] = {
    "assessment_completed", "referral_decided", "case_closed", "plan_recorded",
    "cse_override",         "supervision_held", NULL};

bool cw_sign_off_kind_known(const char *kind)
{
    for (const char *const *k = cw_sign_off_kinds; *k; k++)
        if (!strcmp(*k, kind))
            return true;
    return false;
}
