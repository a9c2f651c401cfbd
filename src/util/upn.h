/*
 * upn.h — England's Unique Pupil Number (DfE, "Unique Pupil Numbers (UPNs): a guide for
 * schools and local authorities"): 13 characters, a check letter, the 3-digit code of the
 * authority that issued it, 8 digits, and a digit or (a temporary UPN) a letter.
 */
#ifndef CW_UTIL_UPN_H
#define CW_UTIL_UPN_H

#include <stdbool.h>

/* The check letter of characters 2-13 of a UPN, or 0 if they are not digits (or a letter
 * at 13). */
char cw_upn_check_letter(const char *upn);

/* True if upn is 13 characters of the right kinds and its first is the check letter. */
bool cw_upn_valid(const char *upn);

#endif
