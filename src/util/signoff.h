/*
 * signoff.h — the kinds of work that can need a manager's sign-off
 * (docs/events.md, "Sign-off"): one vocabulary for the rule packs' sign_off
 * line (rules/parse.c), the log's sign_off_policy entries and the sign-off
 * states (casework/).
 */
#ifndef CW_UTIL_SIGNOFF_H
#define CW_UTIL_SIGNOFF_H

#include <stdbool.h>

/* assessment_completed, referral_decided, case_closed, plan_recorded, cse_override,
 * supervision_held; NULL-terminated. */
extern const char *const cw_sign_off_kinds[];

/* The same, as the words an error message lists. */
#define CW_SIGN_OFF_KINDS_TEXT                                                                     \
    "assessment_completed, referral_decided, case_closed, plan_recorded, cse_override, "           \
    "supervision_held"

bool cw_sign_off_kind_known(const char *kind);

#endif
