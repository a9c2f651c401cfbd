/*
 * project.c — the projections: each entry's effect on the current-state
 * tables, a function of the entries before it and nothing else (no clock, no
 * randomness), so that replaying the ledger reproduces the tables exactly.
 *
 * A correction changes an earlier entry's fields. Its effect is computed by
 * re-projecting every child the corrected entry is about: their rows are
 * deleted and their entries replayed in ledger order with the corrections
 * recorded so far merged in.
 */
#include <stdlib.h>
#include <string.h>

#include "casework/casework_int.h"
#include "util/time.h"
#include "util/buf.h"
#include "util/facts.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static cw_rc run(cw_ctx *c, cw_query q, const cw_value *v, size_t n, cw_error *err)
{
    return cw_store_run(c->store, q, v, n, NULL, NULL, NULL, err);
}

cw_date cw_casework_day_of(int64_t ms)
{
    return (cw_date)(ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000);
}

cw_date cw_casework_effective_date(const json_t *payload, int64_t recorded_ms)
{
    const char *s = payload ? str(payload, "date") : NULL;
    cw_date d;
    if (s && cw_date_parse(s, strlen(s), &d) == CW_OK)
        return d;
    return cw_casework_day_of(recorded_ms);
}

static cw_rc add_child(child_list *l, const char *id)
{
    if (!id || strlen(id) > 64)
        return CW_OK;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->ids[i], id))
            return CW_OK;
    if (l->n < sizeof l->ids / sizeof l->ids[0])
        memcpy(l->ids[l->n++], id, strlen(id) + 1);
    return CW_OK;
}

static cw_rc record_child_row(void *ctx, const cw_value *c, size_t n)
{
    char id[65];
    return n >= 2 && cw_value_copy(&c[1], id, sizeof id) > 0 ? add_child(ctx, id) : CW_OK;
}

static cw_rc event_child_row(void *ctx, const cw_value *c, size_t n)
{
    char id[65];
    return n >= 1 && cw_value_copy(&c[0], id, sizeof id) > 0 ? add_child(ctx, id) : CW_OK;
}

void cw_casework_child_list_add(child_list *l, const char *id)
{
    add_child(l, id);
}

cw_rc cw_casework_child_list_row(void *ctx, const cw_value *c, size_t n)
{
    return event_child_row(ctx, c, n);
}

cw_rc cw_casework_children_of(cw_ctx *c, const char *type, const json_t *p, child_list *out,
                              cw_error *err)
{
    out->n = 0;
    /* A look at a record is not an event in the child's case; nor is a legal hold on it
     * (the legal_holds table keeps holds, whatever becomes of the child's record). */
    if (!strcmp(type, "record_accessed") || !strncmp(type, "legal_hold_", 11) ||
        cw_casework_is_audit(type) || cw_casework_is_improve(type))
        return CW_OK;
    if (str(p, "child_id"))
        return add_child(out, str(p, "child_id"));
    static const char *const refs[] = {"contact_id", "referral_id", "assessment_id",
                                       "enquiry_id", "episode_id",  "erasure_id",
                                       NULL};
    for (const char *const *r = refs; *r; r++)
        if (str(p, *r)) {
            cw_value k = cw_text(str(p, *r));
            return cw_store_run(c->store, CW_Q_RECORD_GET, &k, 1, record_child_row, out, NULL, err);
        }
    if (!strcmp(type, "supervision_held")) {
        const json_t *list = json_object_get(p, "cases_discussed");
        for (size_t i = 0; i < json_array_size(list); i++)
            add_child(out, json_string_value(json_array_get(list, i)));
        return CW_OK;
    }
    const char *target = !strcmp(type, "correction")        ? "corrects"
                         : !strcmp(type, "work_signed_off") ? "entry"
                         : !strcmp(type, "work_returned")   ? "entry"
                                                            : NULL;
    if (target && json_is_integer(json_object_get(p, target))) {
        cw_value k = CW_INT(json_integer_value(json_object_get(p, target)));
        return cw_store_run(c->store, CW_Q_EVENT_CHILDREN, &k, 1, event_child_row, out, NULL, err);
    }
    return CW_OK;
}

/* A decision on work (sign-off), or a correction, names an earlier entry: its index. */
static int decision(const char *type)
{
    return !strcmp(type, "work_signed_off") || !strcmp(type, "work_returned");
}

cw_rc cw_casework_children(cw_store *s, const char *type, const json_t *payload, char (*ids)[65],
                           size_t cap, size_t *n, cw_error *err)
{
    cw_ctx c;
    memset(&c, 0, sizeof c);
    c.store = s;
    child_list l;
    cw_rc rc = cw_casework_children_of(&c, type, payload, &l, err);
    *n = 0;
    for (size_t i = 0; !rc && i < l.n && i < cap; i++)
        memcpy(ids[(*n)++], l.ids[i], sizeof ids[0]);
    return rc;
}

/* Applies the part of one entry that concerns organisation or records. */
static cw_rc apply_body(cw_ctx *c, const char *t, const json_t *p, cw_error *err)
{
    const char *date = str(p, "date");
    cw_value idx = CW_INT(c->idx);
    if (cw_casework_is_audit(t))
        return cw_casework_apply_audit(c, t, p, date, err);
    if (!strncmp(t, "access_change_", 14))
        return cw_casework_apply_access(c, t, p, err);
    /* A change applied by an approval closes its proposal (access_change.c). */
    if ((!strcmp(t, "staff_changed") || !strcmp(t, "restriction_changed") ||
         !strcmp(t, "account_changed")) &&
        str(p, "proposal_id")) {
        cw_rc rc = cw_casework_apply_access(c, t, p, err);
        if (rc)
            return rc;
    }
    if (cw_casework_is_improve(t)) {
        if (c->only_child) /* no child's: a re-projection of one leaves it alone */
            return CW_OK;
        cw_value v[] = {idx, cw_text(t)};
        return run(c, CW_Q_IMPROVE_PUT, v, 2, err);
    }
    if (!strcmp(t, "team_created")) {
        cw_value v[] = {cw_text(str(p, "team_id")), cw_text(str(p, "name")),
                        cw_text(str(p, "service_area")), idx};
        return run(c, CW_Q_TEAM_PUT, v, 4, err);
    }
    if (!strcmp(t, "staff_added")) {
        cw_value v[] = {cw_text(str(p, "staff_id")),   cw_text(str(p, "name")),
                        cw_text(str(p, "role")),       cw_text(str(p, "team_id")),
                        cw_text(str(p, "manager_id")), idx};
        return run(c, CW_Q_STAFF_PUT, v, 6, err);
    }
    if (!strcmp(t, "staff_changed")) {
        /* Merge with the current row: only the fields given change. */
        cw_staff_info cur;
        cw_value k = cw_text(str(p, "staff_id"));
        cw_rc rc = cw_casework_staff(c->store, str(p, "staff_id"), &cur, err);
        if (rc || !cur.found)
            return rc;
        cw_value v[] = {
            k,
            cw_text(cur.name),
            cw_text(str(p, "role") ? str(p, "role") : cur.role),
            cw_text(str(p, "team_id") ? str(p, "team_id") : (cur.team[0] ? cur.team : NULL)),
            cw_text(str(p, "manager_id") ? str(p, "manager_id")
                                         : (cur.manager[0] ? cur.manager : NULL)),
            idx};
        return run(c, CW_Q_STAFF_PUT, v, 6, err);
    }
    if (!strcmp(t, "staff_left")) {
        cw_value v[] = {cw_text(str(p, "staff_id")), cw_text(date), idx};
        return run(c, CW_Q_STAFF_LEFT, v, 3, err);
    }
    if (!strcmp(t, "child_registered")) {
        char today[CW_DATE_LEN + 1]; /* when the child became known: date, else recorded */
        cw_date_format(cw_casework_effective_date(p, c->recorded_ms), today);
        cw_value v[] = {cw_text(str(p, "child_id")),
                        cw_text(str(p, "given_name")),
                        cw_text(str(p, "family_name")),
                        cw_text(str(p, "date_of_birth")),
                        cw_text(str(p, "gender")),
                        cw_text(str(p, "ethnicity")),
                        cw_text(str(p, "language")),
                        cw_text(str(p, "address")),
                        CW_INT(json_is_true(json_object_get(p, "restricted"))),
                        idx,
                        cw_text(today),
                        cw_text(str(p, "family_language"))};
        cw_rc rc = run(c, CW_Q_CHILD_PUT, v, 12, err);
        const json_t *list = json_object_get(p, "restricted_to");
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            cw_value a[] = {cw_text(str(p, "child_id")),
                            cw_text(json_string_value(json_array_get(list, i)))};
            rc = run(c, CW_Q_ACCESS_PUT, a, 2, err);
        }
        return rc;
    }
    static const struct {
        const char *type, *id, *kind, *status;
    } opens[] = {
        {"contact_received", "contact_id", "contact", NULL},
        {"referral_received", "referral_id", "referral", NULL},
        {"assessment_started", "assessment_id", "assessment", NULL},
        {"strategy_discussion_held", "strategy_id", "strategy_discussion", "decision"},
        {"section_47_started", "enquiry_id", "section_47", NULL},
        {"conference_held", "conference_id", "conference", "decision"},
        {"plan_recorded", "plan_id", "plan", "kind"},
        {"missing_episode", "episode_id", "missing_episode", NULL},
        {"erasure_proposed", "erasure_id", "erasure", "lawful_basis"},
    };
    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        if (strcmp(t, opens[i].type) != 0)
            continue;
        cw_value v[] = {cw_text(str(p, opens[i].id)),
                        cw_text(opens[i].kind),
                        cw_text(str(p, "child_id")),
                        cw_text(date),
                        cw_text(opens[i].status ? str(p, opens[i].status) : NULL),
                        idx};
        cw_rc rc = run(c, CW_Q_RECORD_PUT, v, 6, err);
        if (!rc && !strcmp(t, "missing_episode") && str(p, "returned")) {
            cw_value w[] = {cw_text(str(p, "episode_id")), cw_text(str(p, "returned")), CW_NULL,
                            idx};
            rc = run(c, CW_Q_RECORD_CLOSE, w, 4, err);
        }
        if (!rc && !strcmp(t, "conference_held")) {
            const char *d = str(p, "decision");
            if (!strcmp(d, "register")) {
                cw_value w[] = {cw_text(str(p, "child_id")), cw_text(str(p, "category")),
                                cw_text(date)};
                rc = run(c, CW_Q_CHILD_SET_CP, w, 3, err);
            } else if (!strcmp(d, "deregister")) {
                cw_value w[] = {cw_text(str(p, "child_id")), CW_NULL, CW_NULL};
                rc = run(c, CW_Q_CHILD_SET_CP, w, 3, err);
            }
        }
        return rc;
    }
    static const struct {
        const char *type, *id, *status;
    } closes[] = {
        {"contact_decided", "contact_id", "outcome"},
        {"referral_decided", "referral_id", "decision"},
        {"assessment_completed", "assessment_id", "outcome"},
        {"section_47_completed", "enquiry_id", "outcome"},
        {"erasure_approved", "erasure_id", NULL},
        {"erasure_declined", "erasure_id", NULL},
    };
    for (size_t i = 0; i < sizeof closes / sizeof closes[0]; i++) {
        if (strcmp(t, closes[i].type) != 0)
            continue;
        const char *status = closes[i].status                 ? str(p, closes[i].status)
                             : !strcmp(t, "erasure_approved") ? "approved"
                                                              : "declined";
        cw_value v[] = {cw_text(str(p, closes[i].id)), cw_text(date), cw_text(status), idx};
        return run(c, CW_Q_RECORD_CLOSE, v, 4, err);
    }
    cw_value child = cw_text(str(p, "child_id"));
    if (!strcmp(t, "looked_after_started")) {
        cw_value v[] = {child, cw_text(date), cw_text(str(p, "placement_id")),
                        cw_text(str(p, "placement_type"))};
        return run(c, CW_Q_CHILD_SET_LOOKED_AFTER, v, 4, err);
    }
    if (!strcmp(t, "placement_changed")) {
        cw_value v[] = {child, cw_text(str(p, "placement_id")), cw_text(str(p, "placement_type"))};
        return run(c, CW_Q_CHILD_SET_PLACEMENT, v, 3, err);
    }
    if (!strcmp(t, "looked_after_ended")) {
        cw_value v[] = {child, CW_NULL, CW_NULL, CW_NULL};
        return run(c, CW_Q_CHILD_SET_LOOKED_AFTER, v, 4, err);
    }
    if (!strcmp(t, "statutory_visit")) {
        cw_value v[] = {
            idx, child, cw_text(date), CW_INT(json_is_true(json_object_get(p, "seen"))),
            CW_INT(json_is_true(json_object_get(p, "seen_alone"))),
            /* by presence: the text, or true once it is erased */
            CW_INT(str(p, "views") != NULL || json_is_true(json_object_get(p, "views")))};
        return run(c, CW_Q_VISIT_PUT, v, 6, err);
    }
    if (!strcmp(t, "supervision_held")) {
        cw_value v[] = {idx, cw_text(str(p, "supervisee_id")), cw_text(str(p, "supervisor_id")),
                        cw_text(date)};
        cw_rc rc = run(c, CW_Q_SUPERVISION_PUT, v, 4, err);
        const json_t *list = json_object_get(p, "cases_discussed");
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            const char *id = json_string_value(json_array_get(list, i));
            if (c->only_child && (!id || strcmp(id, c->only_child) != 0))
                continue;
            cw_value w[] = {idx, cw_text(id)};
            rc = run(c, CW_Q_SUPERVISION_CASE_PUT, w, 2, err);
        }
        return rc;
    }
    if (!strcmp(t, "case_allocated") || !strcmp(t, "case_transferred")) {
        cw_value v[] = {child, cw_text(str(p, "worker_id"))};
        return run(c, CW_Q_CHILD_SET_WORKER, v, 2, err);
    }
    if (!strcmp(t, "escalation_raised")) {
        /* An audit report's or action's escalation is about no child: keyed by "". */
        cw_value v[] = {str(p, "child_id") ? child : cw_text(""),
                        cw_text(str(p, "item")),
                        CW_INT(json_integer_value(json_object_get(p, "level"))),
                        cw_text(str(p, "notified_id")),
                        cw_text(str(p, "as_of")),
                        idx};
        return run(c, CW_Q_ESCALATION_PUT, v, 6, err);
    }
    if (!strcmp(t, "record_accessed")) {
        char at[CW_RFC3339_MS_LEN + 1];
        if (cw_time_format_ms(c->recorded_ms, at))
            return cw_error_set(err, CW_EINVAL, "entry %llu: its time cannot be written",
                                (unsigned long long)c->idx);
        cw_value v[] = {idx,
                        cw_text(str(p, "child_id")),
                        cw_text(c->actor),
                        cw_text(str(p, "what")),
                        CW_INT(json_is_true(json_object_get(p, "allowed"))),
                        cw_text(at)};
        return run(c, CW_Q_RECORD_ACCESS_PUT, v, 6, err);
    }
    if (!strcmp(t, "case_closed") || !strcmp(t, "case_reopened")) {
        cw_value v[] = {child, cw_text(!strcmp(t, "case_closed") ? "closed" : "open")};
        return run(c, CW_Q_CHILD_SET_STATUS, v, 2, err);
    }
    if (!strcmp(t, "restriction_changed")) {
        cw_value v[] = {child, CW_INT(json_is_true(json_object_get(p, "restricted")))};
        cw_rc rc = run(c, CW_Q_CHILD_SET_RESTRICTED, v, 2, err);
        if (!rc)
            rc = run(c, CW_Q_ACCESS_DELETE, &child, 1, err);
        const json_t *list = json_object_get(p, "restricted_to");
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            cw_value a[] = {child, cw_text(json_string_value(json_array_get(list, i)))};
            rc = run(c, CW_Q_ACCESS_PUT, a, 2, err);
        }
        return rc;
    }
    if (!strcmp(t, "legal_hold_placed")) {
        cw_value v[] = {cw_text(str(p, "hold_id")), child, cw_text(str(p, "kind")), cw_text(date),
                        cw_text(str(p, "until")),   idx};
        return run(c, CW_Q_HOLD_PUT, v, 6, err);
    }
    if (!strcmp(t, "legal_hold_lifted")) {
        cw_value v[] = {cw_text(str(p, "hold_id")), cw_text(date), idx};
        return run(c, CW_Q_HOLD_LIFT, v, 3, err);
    }
    if (!strcmp(t, "deputy_named")) {
        cw_value v[] = {cw_text(str(p, "manager_id")), cw_text(str(p, "deputy_id")),
                        cw_text(str(p, "until")), idx};
        return run(c, CW_Q_DEPUTY_PUT, v, 4, err);
    }
    if (!strcmp(t, "sign_off_policy")) {
        char list[256] = "";
        size_t used = 0;
        const json_t *kinds = json_object_get(p, "sign_off");
        for (size_t i = 0; i < json_array_size(kinds) && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "",
                                     json_string_value(json_array_get(kinds, i)));
        cw_value v[] = {cw_text("sign_off"), cw_text(list), idx};
        return run(c, CW_Q_POLICY_PUT, v, 3, err);
    }
    if (decision(t)) {
        /* Once per decision: a re-projection of the child leaves the row as it is. */
        if (c->only_child)
            return CW_OK;
        char day[CW_DATE_LEN + 1]; /* the decision's date: its own, else the day recorded */
        cw_date_format(cw_casework_effective_date(p, c->recorded_ms), day);
        cw_value v[] = {CW_INT(json_integer_value(json_object_get(p, "entry"))),
                        cw_text(!strcmp(t, "work_signed_off") ? "signed_off" : "returned"),
                        cw_text(c->actor), cw_text(day), idx};
        cw_rc rc = run(c, CW_Q_SIGNOFF_DECIDE, v, 5, err);
        /* A supervision confirmed by its supervisor now counts (its cases, if any, are
         * re-projected by the caller; one that discussed none is put here). */
        cw_signoff so;
        entry_view e = {0};
        if (!rc && !strcmp(t, "work_signed_off") &&
            !(rc = cw_casework_signoff(c->store, (uint64_t)v[0].i, &so, err)) &&
            !strcmp(so.kind, "supervision_held") &&
            !(rc = cw_casework_read_entry(c->store, (uint64_t)v[0].i, &e, err))) {
            cw_ctx w = *c;
            w.idx = (uint64_t)v[0].i;
            w.only_child = "";
            rc = apply_body(&w, e.type, e.payload, err);
        }
        json_decref(e.root);
        return rc;
    }
    return CW_OK;
}

/* A correction of work that was signed off or returned submits it again: the manager
 * signs off what it says now. */
static cw_rc resubmit(cw_ctx *c, uint64_t target, cw_error *err)
{
    cw_signoff so;
    cw_rc rc = cw_casework_signoff(c->store, target, &so, err);
    if (rc || !so.found || (strcmp(so.state, "signed_off") != 0 && strcmp(so.state, "returned")))
        return rc;
    cw_value v[] = {CW_INT(target), cw_text("pending"), CW_NULL, CW_NULL, CW_NULL};
    return run(c, CW_Q_SIGNOFF_DECIDE, v, 5, err);
}

/*
 * What the rules read of work of a sign-off kind (signoff.c): pending work as
 * sign_off=awaited, dated the day it was submitted (a CSE assessment counts at once, its
 * override held back); signed-off work as itself, counting from the day it was signed off;
 * returned work not at all (*skip). Anything else as it is. Returns a new payload, or NULL
 * to use p itself.
 */
static json_t *rules_view(const cw_signoff *so, const json_t *p, cw_date *day, int *skip)
{
    *skip = 0;
    if (!so->found)
        return NULL;
    if (!strcmp(so->state, "returned")) {
        *skip = 1;
        return NULL;
    }
    if (!strcmp(so->state, "pending")) {
        json_t *v = json_deep_copy(p);
        if (v) {
            json_object_del(v, "override_band");
            json_object_del(v, "override_reason");
            json_object_set_new(v, "sign_off", json_string("awaited"));
        }
        if (so->submitted_on > *day)
            *day = so->submitted_on;
        return v;
    }
    if (!strcmp(so->state, "signed_off") && so->decided_on > *day)
        *day = so->decided_on;
    return NULL;
}

static cw_rc reproject_child(cw_ctx *c, const char *child_id, cw_error *err);

/*
 * A child's history is kept in segments of whole records, each small enough
 * to stay inside one database page. Read in seg order, the segments make one
 * well-formed history. Putting an event in touches only the segments from
 * the one it belongs in to the end: for the usual latest event, the last.
 */
#define SEGMENT_BYTES 900

typedef struct tail {
    uint64_t index; /* the event being put in */
    cw_date date;
    cw_buf bytes; /* the segments read so far, last first */
    size_t *cut;  /* where each segment read starts in bytes (reversed at the end) */
    size_t ncut, capcut;
    int64_t first_seg; /* the lowest seg read; -1 if none */
} tail;

static cw_rc tail_row(void *ctx, const cw_value *c, size_t n)
{
    tail *t = ctx;
    size_t count;
    if (n < 2 || c[0].type != CW_V_INT || c[1].type != CW_V_BLOB ||
        cw_history_check((const uint8_t *)c[1].s, c[1].len, false, &count) || count == 0)
        return CW_EVERIFY;
    if (cw_array_grow(&t->cut, &t->capcut, t->ncut, sizeof *t->cut))
        return CW_ENOMEM;
    t->cut[t->ncut++] = t->bytes.len;
    t->first_seg = c[0].i;
    cw_rc rc = cw_buf_add(&t->bytes, c[1].s, c[1].len);
    if (rc)
        return rc;
    cw_history_event e;
    size_t pos = 0;
    cw_history_next((const uint8_t *)c[1].s, c[1].len, &pos, &e);
    if (e.date < t->date || (e.date == t->date && e.index < t->index)) {
        return CW_EEXIST; /* enough: the event goes in this segment or after it */
    }
    return CW_OK;
}

static cw_rc damaged(const char *child_id, cw_error *err)
{
    return cw_error_set(err, CW_EVERIFY,
                        "child %s: its history in the database is damaged (run caseward rebuild)",
                        child_id);
}

/* Writes history h as segments numbered from seg, and drops any after them. */
/* old: how many segments there were from seg on (contiguous); only if fewer are written now
 * do the rest need deleting. */
static cw_rc put_segments(cw_ctx *c, const char *child_id, int64_t seg, const cw_buf *h, size_t old,
                          cw_error *err)
{
    int64_t first = seg;
    const uint8_t *p = (const uint8_t *)h->data;
    size_t pos = 0, start = 0, end = 0;
    cw_history_event e;
    cw_rc rc = CW_OK;
    while (!rc && cw_history_next(p, h->len, &pos, &e)) {
        if (pos - start > SEGMENT_BYTES && end > start) {
            cw_value v[] = {cw_text(child_id), CW_INT(seg++), cw_blob(p + start, end - start)};
            rc = run(c, CW_Q_CHILD_HISTORY_PUT, v, 3, err);
            start = end;
        }
        end = pos;
    }
    if (!rc && end > start) {
        cw_value v[] = {cw_text(child_id), CW_INT(seg++), cw_blob(p + start, end - start)};
        rc = run(c, CW_Q_CHILD_HISTORY_PUT, v, 3, err);
    }
    if (!rc && (size_t)(seg - first) < old) {
        cw_value v[] = {cw_text(child_id), CW_INT(seg)};
        rc = run(c, CW_Q_CHILD_HISTORY_TRIM, v, 2, err);
    }
    return rc;
}

/* Puts the entry into the child's history, the rules' reading of the child. */
static cw_rc history_put(cw_ctx *c, const char *child_id, cw_date date, const char *type,
                         const cw_buf *facts, cw_error *err)
{
    cw_facts f = {(const uint8_t *)facts->data, facts->len};
    cw_value k = cw_text(child_id);
    tail t = {c->idx, date, CW_BUF_INIT(SIZE_MAX / 2), NULL, 0, 0, -1};
    cw_buf h = CW_BUF_INIT(SIZE_MAX / 2);
    size_t n;
    cw_rc rc = cw_store_run(c->store, CW_Q_CHILD_HISTORY_TAIL, &k, 1, tail_row, &t, NULL, err);
    if (rc == CW_EEXIST)
        rc = CW_OK;
    else if (rc == CW_EVERIFY)
        rc = damaged(child_id, err);
    else if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    /* The segments read, back in order, make the tail of the history. */
    for (size_t i = t.ncut; !rc && i-- > 0;) {
        size_t end = i + 1 < t.ncut ? t.cut[i + 1] : t.bytes.len;
        rc = cw_buf_add(&h, t.bytes.data + t.cut[i], end - t.cut[i]);
    }
    /* Each segment's framing was checked as it was read; across several, their order too. */
    if (!rc && t.ncut > 1 && cw_history_check((const uint8_t *)h.data, h.len, false, &n))
        rc = damaged(child_id, err);
    if (!rc && (rc = cw_history_put(&h, c->idx, date, type, f)))
        rc = cw_error_set(err, rc, "child %s: adding entry %llu to its history", child_id,
                          (unsigned long long)c->idx);
    if (!rc)
        rc = put_segments(c, child_id, t.first_seg < 0 ? 0 : t.first_seg, &h, t.ncut, err);
    cw_buf_release(&h);
    cw_buf_release(&t.bytes);
    free(t.cut);
    return rc;
}

cw_rc cw_casework_apply(cw_ctx *c, const char *type, const json_t *p, cw_error *err)
{
    if (!cw_casework_known_type(type))
        return CW_OK; /* not a catalogue event: nothing to project */
    child_list kids;
    cw_rc rc = cw_casework_children_of(c, type, p, &kids, err);
    if (rc)
        return rc;
    cw_signoff so;
    if ((rc = cw_casework_signoff_decide(c, type, p, kids.n ? kids.ids[0] : NULL, &so, err)))
        return rc;
    /* Returned work has no effect; a pending closure, supervision or override none yet. */
    int held =
        so.found && (!strcmp(so.state, "returned") ||
                     (!strcmp(so.state, "pending") &&
                      (!strcmp(so.kind, "case_closed") || !strcmp(so.kind, "supervision_held"))));
    if (!strcmp(type, "correction")) {
        uint64_t target = (uint64_t)json_integer_value(json_object_get(p, "corrects"));
        cw_value v[] = {CW_INT(c->idx), CW_INT(target), cw_text(str(p, "reason"))};
        if ((rc = run(c, CW_Q_CORRECTION_PUT, v, 3, err)) ||
            (!c->only_child && (rc = resubmit(c, target, err))))
            return rc;
    } else if (!held && (rc = apply_body(c, type, p, err))) {
        return rc;
    }
    char date[CW_DATE_LEN + 1];
    cw_date day = cw_casework_effective_date(p, c->recorded_ms);
    cw_date_format(day, date);
    cw_date rules_day = day;
    int skip = 0;
    json_t *view = rules_view(&so, p, &rules_day, &skip);
    if (so.found && !strcmp(so.state, "pending") && !view)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    /* The rules read casework: not caseward's own escalations of it, nor the decisions on
     * it (their effect is in the work they decide), nor returned work. */
    int in_history = strcmp(type, "escalation_raised") && !decision(type) &&
                     !cw_casework_is_erasure(type) && strncmp(type, "access_change_", 14) != 0 &&
                     !skip;
    cw_buf facts = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    if (!rc && kids.n && in_history && (rc = cw_casework_facts(type, view ? view : p, &facts)))
        rc = cw_error_set(err, rc, "indexing entry %llu", (unsigned long long)c->idx);
    json_decref(view);
    for (size_t i = 0; !rc && i < kids.n; i++) {
        if (c->only_child && strcmp(kids.ids[i], c->only_child) != 0)
            continue;
        cw_value v[] = {cw_text(kids.ids[i]), CW_INT(c->idx), cw_text(date), cw_text(type)};
        if (!(rc = run(c, CW_Q_CHILD_EVENT_PUT, v, 4, err)) && in_history)
            rc = history_put(c, kids.ids[i], rules_day, type, &facts, err);
        /* caseward's own escalations, corrections of the record and decisions on it are not
         * casework activity on the child: they must not hide a drifting case. */
        if (!rc && strcmp(type, "escalation_raised") && strcmp(type, "correction") &&
            !decision(type) && !cw_casework_is_erasure(type)) {
            cw_value w[] = {cw_text(kids.ids[i]), cw_text(date)};
            rc = run(c, CW_Q_CHILD_TOUCH, w, 2, err);
        }
    }
    cw_buf_release(&facts);
    /* A correction's or a decision's effect: the children it concerns, re-projected. */
    if (!rc && (!strcmp(type, "correction") || decision(type)) && !c->only_child)
        for (size_t i = 0; !rc && i < kids.n; i++)
            rc = reproject_child(c, kids.ids[i], err);
    /* An approved erasure destroys the personal parts it names, still held (in a replay of
     * the log they are gone already), and re-projects their children without them. */
    if (!rc && !strcmp(type, "erasure_approved") && !c->only_child)
        rc = cw_casework_erase(c, p, err);
    return rc;
}

cw_rc cw_casework_reproject(cw_ctx *c, const char *child_id, cw_error *err)
{
    return reproject_child(c, child_id, err);
}

/* ---- reading entries back ---- */

typedef struct parsed {
    json_t *root;
    const char *type;
    const char *actor;
    const json_t *payload;
    int64_t recorded_ms;
} parsed;

/* Entry idx as recorded: its facts with its personal part, while held, laid back over them. */
static cw_rc parse_leaf(cw_store *s, uint64_t idx, const char *leaf, size_t len, parsed *out,
                        cw_error *err)
{
    json_error_t jerr;
    uint64_t index;
    int64_t erased_by;
    memset(out, 0, sizeof *out);
    if (cw_entry_peek((const uint8_t *)leaf, len, &index, &out->recorded_ms) ||
        !(out->root = json_loadb(leaf, len, 0, &jerr)))
        return cw_error_set(err, CW_EVERIFY, "entry %llu cannot be read back (run caseward verify)",
                            (unsigned long long)idx);
    cw_rc rc = cw_casework_join_personal(s, idx, leaf, len, out->root, &erased_by, err);
    out->type = str(out->root, "type");
    out->actor = str(out->root, "actor");
    out->payload = json_object_get(out->root, "payload");
    if (!rc && (!out->type || !out->actor || !json_is_object(out->payload)))
        rc = cw_error_set(err, CW_EVERIFY, "entry %llu cannot be read back (run caseward verify)",
                          (unsigned long long)idx);
    if (rc) {
        json_decref(out->root);
        out->root = NULL;
    }
    return rc;
}

typedef struct idx_list {
    uint64_t *v;
    size_t n, cap;
} idx_list;

static cw_rc collect_idx(void *ctx, const cw_value *c, size_t n)
{
    idx_list *l = ctx;
    if (n < 1 || c[0].type != CW_V_INT)
        return CW_OK;
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    l->v[l->n++] = (uint64_t)c[0].i;
    return CW_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Merges the changes of a correction into payload (a copy the caller owns). */
static void merge_changes(json_t *payload, const json_t *changes)
{
    const char *k;
    json_t *v;
    json_t *ch;
    memcpy(&ch, &changes, sizeof ch);
    json_object_foreach(ch, k, v) json_object_set(payload, k, v);
}

/*
 * Replays child_id's entries in ledger order, with corrections merged into
 * the entries they correct, after deleting the child's rows.
 */
static cw_rc reproject_child(cw_ctx *c, const char *child_id, cw_error *err)
{
    idx_list l = {0};
    cw_value k = cw_text(child_id);
    cw_rc rc = cw_store_run(c->store, CW_Q_CHILD_EVENTS, &k, 1, collect_idx, &l, NULL, err);
    if (rc)
        goto out;
    qsort(l.v, l.n, sizeof *l.v, cmp_u64);
    static const cw_query wipe[] = {CW_Q_CHILD_DELETE,
                                    CW_Q_ACCESS_DELETE,
                                    CW_Q_RECORD_DELETE_CHILD,
                                    CW_Q_VISIT_DELETE_CHILD,
                                    CW_Q_SUPERVISION_CASE_DELETE_CHILD,
                                    CW_Q_ESCALATION_DELETE_CHILD,
                                    CW_Q_CHILD_EVENTS_DELETE,
                                    CW_Q_CHILD_HISTORY_DELETE};
    for (size_t i = 0; !rc && i < sizeof wipe / sizeof wipe[0]; i++)
        rc = run(c, wipe[i], &k, 1, err);
    /* Corrections first: idx -> merged changes, in the order recorded. */
    json_t *fixes = json_object();
    parsed *entries = calloc(l.n ? l.n : 1, sizeof *entries);
    if (!fixes || !entries) {
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        goto done;
    }
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
    for (size_t i = 0; !rc && i < l.n; i++) {
        cw_buf_reset(&leaf);
        if (cw_store_entry_leaf(c->store, l.v[i], &leaf, NULL)) {
            rc = cw_error_set(err, CW_EVERIFY,
                              "entry %llu cannot be read back (run caseward verify)",
                              (unsigned long long)l.v[i]);
            break;
        }
        if ((rc = parse_leaf(c->store, l.v[i], leaf.data, leaf.len, &entries[i], err)))
            break;
        if (!strcmp(entries[i].type, "correction")) {
            const json_t *target = json_object_get(entries[i].payload, "corrects");
            const json_t *changes = json_object_get(entries[i].payload, "changes");
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(target));
            json_t *acc = json_object_get(fixes, key);
            if (!acc) {
                acc = json_object();
                json_object_set_new(fixes, key, acc);
            }
            merge_changes(acc, changes);
        }
    }
    cw_buf_release(&leaf);
    cw_ctx sub = *c;
    sub.only_child = child_id;
    for (size_t i = 0; !rc && i < l.n; i++) {
        char key[24];
        snprintf(key, sizeof key, "%llu", (unsigned long long)l.v[i]);
        json_t *payload = json_deep_copy(entries[i].payload);
        if (!payload) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            break;
        }
        const json_t *acc = json_object_get(fixes, key);
        if (acc)
            merge_changes(payload, acc);
        sub.idx = l.v[i];
        sub.recorded_ms = entries[i].recorded_ms;
        sub.recorded = cw_casework_day_of(entries[i].recorded_ms);
        sub.actor = entries[i].actor;
        rc = cw_casework_apply(&sub, entries[i].type, payload, err);
        json_decref(payload);
    }
done:
    for (size_t i = 0; entries && i < l.n; i++)
        json_decref(entries[i].root);
    free(entries);
    json_decref(fixes);
out:
    free(l.v);
    return rc;
}

/* ---- catch-up and rebuild ---- */

typedef struct replay_ctx {
    cw_ctx c;
    cw_error *err;
} replay_ctx;

static cw_rc replay_one(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                        const uint8_t *leaf, size_t llen)
{
    replay_ctx *r = ctx;
    parsed e;
    (void)hashes, (void)hlen;
    if (parse_leaf(r->c.store, (uint64_t)idx, (const char *)leaf, llen, &e, r->err))
        return CW_EVERIFY;
    r->c.idx = (uint64_t)idx;
    r->c.recorded_ms = e.recorded_ms;
    r->c.recorded = cw_casework_day_of(e.recorded_ms);
    r->c.actor = e.actor;
    cw_rc rc = cw_casework_apply(&r->c, e.type, e.payload, r->err);
    if (rc)
        cw_error_prefix(r->err, "entry %lld: ", (long long)idx);
    json_decref(e.root);
    return rc;
}

cw_rc cw_casework_replay(cw_store *s, uint64_t from, uint64_t to, cw_error *err)
{
    replay_ctx r = {{s, 0, 0, 0, NULL, NULL}, err};
    cw_rc rc = CW_OK;
    if (from < to)
        rc = cw_store_entry_scan(s, (int64_t)from, (int64_t)to, replay_one, &r, err);
    if (!rc) {
        cw_value v = CW_INT(to);
        rc = cw_store_run(s, CW_Q_PROJECTION_SET_APPLIED, &v, 1, NULL, NULL, NULL, err);
    }
    return rc;
}

cw_rc cw_casework_rebuild(cw_ledger *l, cw_error *err)
{
    cw_store *s = cw_ledger_store(l);
    cw_rc rc = cw_store_begin(s, err);
    if (rc)
        return rc;
    uint64_t end = 0;
    if (!(rc = cw_store_entries_end(s, &end, err)) && !(rc = cw_store_projections_clear(s, err)) &&
        !(rc = cw_casework_replay(s, 0, end, err)))
        rc = cw_store_commit(s, err);
    if (rc)
        cw_store_rollback(s);
    return rc;
}
