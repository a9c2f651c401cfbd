/*
 * report.h — obligations, signals and a chronology as JSON, the one shape the
 * command line (--json) and the HTTP API (docs/api.md) both print.
 */
#ifndef CW_RULES_REPORT_H
#define CW_RULES_REPORT_H

#include <jansson.h>

#include "casework/casework.h"
#include "rules/rules.h"

json_t *cw_report_obligation(const char *child_id, const cw_obligation *o);
json_t *cw_report_signal(const char *child_id, const cw_signal *s);
/* An array: each entry with its corrected payload, the corrections and the original. */
json_t *cw_report_chronology(const cw_history *h);

#endif
