/*
 * rules.c — the small parts of rules.h: the built-in packs, freeing a pack,
 * the results arrays, state names, and adding a rule's interval to a date.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

/* Embedded at build time from rules/wales.rules and rules/england.rules. */
extern const char cw_rules_pack_wales[];
extern const char cw_rules_pack_england[];

cw_rc cw_rules_load_builtin(const char *name, cw_rule_pack **out, cw_error *err)
{
    *out = NULL;
    if (name && !strcmp(name, "wales"))
        return cw_rules_load(cw_rules_pack_wales, strlen(cw_rules_pack_wales), "rules/wales.rules",
                             out, err);
    if (name && !strcmp(name, "england"))
        return cw_rules_load(cw_rules_pack_england, strlen(cw_rules_pack_england),
                             "rules/england.rules", out, err);
    return cw_error_set(err, CW_ENOTFOUND,
                        "rule pack \"%s\": no such built-in pack (wales, england)",
                        name ? name : "");
}

void cw_rules_free(cw_rule_pack *p)
{
    if (!p)
        return;
    free(p->text);
    free(p->rules);
    free(p->clauses);
    free(p->matchers);
    free(p->conds);
    free(p->values);
    free(p->entries);
    free(p->type_first);
    free(p->type_n);
    free(p->type_mfirst);
    free(p->type_mn);
    free(p->type_m);
    free(p);
}

const char *cw_rules_name(const cw_rule_pack *p)
{
    return p->name;
}

int cw_rules_outstanding(const cw_rule_pack *p, const cw_calendar *cal, const cw_obligation *o,
                         cw_date as_of)
{
    if (o->state == CW_OBLIGATION_OVERDUE)
        return 1;
    if (o->state != CW_OBLIGATION_ENDED_BY_CLOSURE || o->days_overdue <= 0 || !p->has_resume)
        return 0;
    cw_date until = o->ended_on;
    return cw_rules_add_interval(cal, o->ended_on, p->resume, &until, NULL) == CW_OK &&
           as_of <= until;
}

const char *cw_rules_digest(const cw_rule_pack *p)
{
    return p->digest;
}

const char *cw_rules_sign_off(const cw_rule_pack *p)
{
    return p->sign_off;
}

const cw_integrity_thresholds *cw_rules_integrity(const cw_rule_pack *p)
{
    return &p->integrity;
}

const char *cw_integrity_pattern_id(cw_integrity_pattern p)
{
    static const char *const ids[CW_INTEGRITY_NPATTERNS] = {
        "late_recording", "overdue_hidden", "date_correction", "deadline_clustering",
        "clock_reset",    "bulk_entry",     "boilerplate",     "outside_team"};
    return (unsigned)p < CW_INTEGRITY_NPATTERNS ? ids[p] : "unknown";
}

const char *cw_obligation_state_name(cw_obligation_state s)
{
    switch (s) {
    case CW_OBLIGATION_OPEN:
        return "open";
    case CW_OBLIGATION_MET_ON_TIME:
        return "met_on_time";
    case CW_OBLIGATION_MET_LATE:
        return "met_late";
    case CW_OBLIGATION_OVERDUE:
        return "overdue";
    case CW_OBLIGATION_MISSED:
        return "missed";
    case CW_OBLIGATION_ENDED_BY_CLOSURE:
        return "ended_by_closure";
    }
    return "unknown";
}

void cw_rule_results_init(cw_rule_results *r)
{
    memset(r, 0, sizeof *r);
}

void cw_rule_results_reset(cw_rule_results *r)
{
    r->nobligations = 0;
    r->nsignals = 0;
}

void cw_rule_results_release(cw_rule_results *r)
{
    free(r->obligations);
    free(r->signals);
    memset(r, 0, sizeof *r);
}

cw_rc cw_rules_add_interval(const cw_calendar *cal, cw_date d, cw_interval iv, cw_date *out,
                            cw_error *err)
{
    switch (iv.unit) {
    case CW_UNIT_WORKING_DAYS:
        return cw_calendar_add_working_days(cal, d, iv.n, out, err);
    case CW_UNIT_DAYS:
        *out = d + iv.n;
        return CW_OK;
    case CW_UNIT_WEEKS:
        *out = d + 7 * iv.n;
        return CW_OK;
    case CW_UNIT_MONTHS:
        *out = cw_date_add_months(d, iv.n);
        return CW_OK;
    }
    return cw_error_set(err, CW_EINVAL, "unknown unit");
}
