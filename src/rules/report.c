/*
 * report.c — see report.h.
 */
#include "rules/report.h"

static json_t *day(cw_date d)
{
    char s[CW_DATE_LEN + 1];
    cw_date_format(d, s);
    return json_string(s);
}

json_t *cw_report_obligation(const char *child_id, const cw_obligation *o)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s?, s:I, s:o, s:o, s:s, s:o, s:o, s:I, s:i, s:s?}", "child_id", child_id,
        "rule", o->rule_id, "title", o->title, "title_cy", o->title_cy, "started_by",
        (json_int_t)o->started_by, "start", day(o->start), "due", day(o->due), "state",
        cw_obligation_state_name(o->state), "met_by",
        o->met ? json_integer((json_int_t)o->met_by) : json_null(), "met_on",
        o->met ? day(o->met_on) : json_null(), "days_overdue", (json_int_t)o->days_overdue,
        "escalation_level", o->escalation_level, "escalate_to", o->escalate_to);
    /* ended_by_closure: the day the closure (signed off) ended it */
    if (j && o->state == CW_OBLIGATION_ENDED_BY_CLOSURE)
        json_object_set_new(j, "ended_on", day(o->ended_on));
    return j;
}

json_t *cw_report_signal(const char *child_id, const cw_signal *s)
{
    json_t *ev = json_array();
    for (size_t i = 0; ev && i < s->nevidence; i++)
        json_array_append_new(ev, json_integer((json_int_t)s->evidence[i]));
    return json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:i, s:s?}", "child_id", child_id, "rule",
                     s->rule_id, "title", s->title, "title_cy", s->title_cy, "since", day(s->since),
                     "evidence", ev, "escalation_level", s->escalation_level, "escalate_to",
                     s->escalate_to);
}

json_t *cw_report_chronology(const cw_history *h)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < h->n; i++) {
        const cw_history_entry *e = &h->entries[i];
        json_t *corr = json_array();
        for (size_t k = 0; corr && k < e->ncorrections; k++)
            json_array_append_new(corr, json_integer((json_int_t)e->corrected_by[k]));
        json_t *item =
            json_pack("{s:I, s:o, s:s, s:s, s:O, s:o, s:O?}", "index", (json_int_t)e->index, "date",
                      day(e->date), "type", e->type, "actor", e->actor, "payload", e->payload,
                      "corrected_by", corr, "original", e->original);
        /* personal data removed: when, under what lawful basis, by which approval */
        if (item && e->removed_by >= 0) {
            json_t *fields = json_array();
            const char *k;
            json_t *v;
            json_object_foreach(e->payload, k,
                                v) if (json_is_true(v) && cw_casework_field_personal(e->type, k))
                json_array_append_new(fields, json_string(k));
            json_object_set_new(item, "removed",
                                json_pack("{s:o, s:s, s:s, s:I, s:o}", "on", day(e->removed_on),
                                          "under", e->removed_under, "under_label",
                                          cw_casework_basis_label(e->removed_under), "entry",
                                          (json_int_t)e->removed_by, "fields", fields));
        }
        if (!item || json_array_append_new(arr, item)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
