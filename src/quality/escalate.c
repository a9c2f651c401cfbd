/*
 * escalate.c — what an audit leaves undone, escalated up to the director
 * (docs/audits.md, "Nothing buried"), as escalation_raised entries like every
 * other escalation: the log proves who was told and when. Run by `caseward
 * escalate` after the rules' escalations.
 *
 *   a critical finding with no action recorded, due the working day after the
 *   audit found it (its first step, the case's managers, is recorded at once
 *   when the audit is completed):
 *       1 working day late   the head of service            (level 2)
 *       3 working days late  the director                   (level 3)
 *   a report not acknowledged by a recipient within its working days:
 *       1 working day late   the recipient's manager        (level 1)
 *       5 working days late  the director                   (level 2)
 *   an action not closed by its due day:
 *       1 working day late   the owner's manager            (level 1)
 *       5 working days late  the head of service            (level 2)
 *      10 working days late  the director                   (level 3)
 *
 * Where the council has no director in caseward, the director's steps go to the head of
 * service. A run records the highest step reached, once (the escalations projection,
 * keyed by child, item and level; "" for the child of a report's or an action's
 * item); steps never run are not back-filled, as for the rules' escalations. Someone in the role is
 * looked for up the management chain first, then anyone in post; a step with nobody to tell is
 * counted, not recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "quality/audit.h"

typedef struct esc {
    cw_ledger *l;
    const cw_calendar *cal;
    cw_date as_of;
    uint64_t raised, unrouted;
    cw_error *err;
} esc;

static cw_rc first_row(void *ctx, const cw_value *c, size_t n)
{
    char *out = ctx;
    if (!out[0] && n >= 1)
        cw_value_copy(&c[0], out, 65);
    return CW_OK;
}

/* The first current holder of role up the chain from staff_id, else the first in post. */
static cw_rc holder(esc *e, const char *staff_id, const char *role, char out[65])
{
    cw_store *s = cw_ledger_store(e->l);
    char cur[65];
    cw_rc rc = CW_OK;
    out[0] = '\0';
    snprintf(cur, sizeof cur, "%s", staff_id ? staff_id : "");
    for (int depth = 0; !rc && depth < 64 && cur[0]; depth++) {
        cw_staff_info si;
        if ((rc = cw_casework_staff(s, cur, &si, e->err)) || !si.found)
            break;
        if (!si.left && !strcmp(si.role, role)) {
            snprintf(out, 65, "%s", cur);
            return CW_OK;
        }
        snprintf(cur, sizeof cur, "%s", si.manager);
    }
    cw_value k = cw_text(role);
    if (!rc)
        rc = cw_store_run(s, CW_Q_STAFF_IN_POST, &k, 1, first_row, out, NULL, e->err);
    /* A council with no director in caseward: the top of the chain is the head of service. */
    if (!rc && !out[0] && !strcmp(role, "director"))
        rc = holder(e, staff_id, "head_of_service", out);
    return rc;
}

/* The next current member of staff above staff_id. */
static cw_rc manager_of(esc *e, const char *staff_id, char out[65])
{
    return cw_casework_manager_in_post(cw_ledger_store(e->l), staff_id, out, e->err);
}

/* Working days from due (exclusive) to as_of (inclusive): 0 if not late. */
static cw_rc late_by(esc *e, cw_date due, int64_t *days)
{
    *days = 0;
    if (e->as_of <= due)
        return CW_OK;
    return cw_calendar_working_days(e->cal, due, e->as_of, days, e->err);
}

static cw_rc raise(esc *e, const char *child, const char *item, int level, const char *who,
                   int64_t days)
{
    int raised = 0;
    cw_rc rc =
        cw_casework_escalate_once(e->l, child, item, level, who, e->as_of, days, &raised, e->err);
    e->raised += raised > 0;
    e->unrouted += raised < 0;
    return rc;
}

static cw_rc day_of(const cw_value *v, cw_date *d)
{
    char buf[16];
    return cw_value_copy(v, buf, sizeof buf) > 0 && !cw_date_parse(buf, strlen(buf), d) ? CW_OK
                                                                                        : CW_EDB;
}

/* ---- the three kinds of item, each listed first, then escalated ---- */

typedef struct item {
    char a[65], b[65], c[65]; /* finding: programme, child; report: report, recipient;
                                 action: action, owner */
    cw_date due;
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

/* The next item of the list, grown as needed; NULL when out of memory. */
static item *next_item(items *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        item *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    item *x = &l->v[l->n];
    memset(x, 0, sizeof *x);
    return x;
}

static cw_rc finding_row(void *ctx, const cw_value *c, size_t n)
{
    items *l = ctx;
    if (n < 6)
        return CW_EDB;
    if (c[4].type != CW_V_NULL)
        return CW_OK; /* actioned */
    item *x = next_item(l);
    if (!x)
        return CW_ENOMEM;
    cw_value_copy(&c[0], x->a, sizeof x->a);
    cw_value_copy(&c[1], x->b, sizeof x->b);
    if (day_of(&c[2], &x->due))
        return CW_EDB;
    l->n++;
    return CW_OK;
}

static cw_rc action_row(void *ctx, const cw_value *c, size_t n)
{
    items *l = ctx;
    if (n < 5)
        return CW_EDB;
    item *x = next_item(l);
    if (!x)
        return CW_ENOMEM;
    cw_value_copy(&c[0], x->a, sizeof x->a);
    cw_value_copy(&c[2], x->b, sizeof x->b);
    if (day_of(&c[3], &x->due))
        return CW_EDB;
    l->n++;
    return CW_OK;
}

typedef struct report_scan {
    items *l;
    cw_store *s;
    const cw_calendar *cal;
    cw_error *err;
} report_scan;

typedef struct recip_scan {
    items *l;
    const char *report;
    cw_date due;
} recip_scan;

static cw_rc recip_row(void *ctx, const cw_value *c, size_t n)
{
    recip_scan *r = ctx;
    if (n < 3)
        return CW_EDB;
    if (c[1].type != CW_V_NULL)
        return CW_OK; /* acknowledged */
    item *x = next_item(r->l);
    if (!x)
        return CW_ENOMEM;
    r->l->n++;
    snprintf(x->a, sizeof x->a, "%s", r->report);
    cw_value_copy(&c[0], x->b, sizeof x->b);
    x->due = r->due;
    return CW_OK;
}

/* The reports, each as an item: a = its id, due = the day its acknowledgement is due. */
typedef struct report_list {
    items l;
    const cw_calendar *cal;
    cw_error *err;
} report_list;

static cw_rc report_row(void *ctx, const cw_value *c, size_t n)
{
    report_list *r = ctx;
    cw_date issued;
    if (n < 7 || day_of(&c[2], &issued))
        return CW_EDB;
    item *x = next_item(&r->l);
    if (!x)
        return CW_ENOMEM;
    cw_value_copy(&c[0], x->a, sizeof x->a);
    cw_rc rc = cw_calendar_add_working_days(r->cal, issued, c[4].i, &x->due, r->err);
    r->l.n += !rc;
    return rc;
}

cw_rc cw_audit_escalate(cw_ledger *l, const cw_calendar *cal, cw_date as_of, uint64_t *raised,
                        uint64_t *unrouted, cw_error *err)
{
    esc e = {l, cal, as_of, 0, 0, err};
    items *list = calloc(1, sizeof *list);
    report_list *reports = calloc(1, sizeof *reports);
    cw_rc rc =
        list && reports ? cw_casework_begin(l, err) : cw_error_set(err, CW_ENOMEM, "out of memory");
    if (rc) {
        free(list);
        free(reports);
        return rc;
    }
    cw_store *s = cw_ledger_store(l);
    char item_id[200], who[65];
    /* Critical findings: due the working day after they were found. */
    if (!(rc = cw_store_run(s, CW_Q_AUDIT_FINDINGS_ALL, NULL, 0, finding_row, list, NULL, err)))
        for (size_t i = 0; !rc && i < list->n; i++) {
            item *x = &list->v[i];
            cw_date due;
            int64_t late = 0;
            cw_child_info ci;
            if ((rc = cw_calendar_add_working_days(cal, x->due, 1, &due, err)) ||
                (rc = late_by(&e, due, &late)) || late < 1 ||
                (rc = cw_casework_child(s, x->b, &ci, err)))
                continue;
            const char *role = late >= 3 ? "director" : "head_of_service";
            snprintf(item_id, sizeof item_id, "audit_finding:%s:%s", x->a, role);
            if (!(rc = holder(&e, ci.worker, role, who)))
                rc = raise(&e, x->b, item_id, late >= 3 ? 3 : 2, who, late);
        }
    /* Reports not acknowledged: due within the report's working days. */
    list->n = 0;
    reports->cal = cal;
    reports->err = err;
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_REPORTS_ALL, NULL, 0, report_row, reports, NULL, err);
    for (size_t i = 0; !rc && i < reports->l.n; i++) {
        recip_scan r = {list, reports->l.v[i].a, reports->l.v[i].due};
        cw_value k = cw_text(reports->l.v[i].a);
        rc = cw_store_run(s, CW_Q_AUDIT_RECIPIENTS_OF, &k, 1, recip_row, &r, NULL, err);
    }
    for (size_t i = 0; !rc && i < list->n; i++) {
        item *x = &list->v[i];
        int64_t late = 0;
        if ((rc = late_by(&e, x->due, &late)) || late < 1)
            continue;
        snprintf(item_id, sizeof item_id, "audit_report:%s:%s", x->a, x->b);
        if (late >= 5 ? (rc = holder(&e, x->b, "director", who)) : (rc = manager_of(&e, x->b, who)))
            continue;
        /* the director, whom nobody is above, is reminded themselves */
        rc = raise(&e, NULL, item_id, late >= 5 ? 2 : 1, who[0] ? who : x->b, late);
    }
    /* Actions not closed by their due day. */
    list->n = 0;
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_ACTIONS_OPEN, NULL, 0, action_row, list, NULL, err);
    for (size_t i = 0; !rc && i < list->n; i++) {
        item *x = &list->v[i];
        int64_t late = 0;
        if ((rc = late_by(&e, x->due, &late)) || late < 1)
            continue;
        snprintf(item_id, sizeof item_id, "audit_action:%s", x->a);
        int level = late >= 10 ? 3 : late >= 5 ? 2 : 1;
        rc = level == 1   ? manager_of(&e, x->b, who)
             : level == 2 ? holder(&e, x->b, "head_of_service", who)
                          : holder(&e, x->b, "director", who);
        if (!rc)
            rc = raise(&e, NULL, item_id, level, who, late);
    }
    if (!rc)
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    if (rc == CW_ENOMEM)
        cw_error_set(err, rc, "out of memory");
    free(list->v);
    free(list);
    free(reports->l.v);
    free(reports);
    if (raised)
        *raised = e.raised;
    if (unrouted)
        *unrouted = e.unrouted;
    return rc;
}
