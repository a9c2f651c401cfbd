/*
 * escalate.c — a plan's deadline and its actions' due days, escalated up to
 * the director and the improvement board (docs/improvement.md, "Deadlines and
 * escalation") as escalation_raised entries like every other escalation: the
 * log proves who was told, and when. Run by `caseward escalate` after the
 * rules' and the audits' escalations.
 *
 *   a plan not submitted by its due day (the notice's, or its own):
 *       1 working day late   the plan's owner                  (level 1)
 *       3 working days late  the director                      (level 2)
 *       5 working days late  the chair of the plan's board     (level 3)
 *   an action not signed off by its due day:
 *       1 working day late   the owner's manager               (level 1)
 *       5 working days late  the director                      (level 2)
 *      10 working days late  the chair of the plan's board     (level 3)
 *
 * Where nobody holds a step (no director in caseward, no chair named), the step goes to the
 * plan's owner. A run records the highest step reached, once (the escalations projection, keyed
 * by item and level, child ""); a step with nobody to tell is counted, not recorded.
 */
#include <stdio.h>
#include <string.h>

#include "casework/casework.h"
#include "improve/improve.h"
#include "ledger/ledger.h"

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

static cw_rc director(esc *e, char out[65])
{
    cw_value k = cw_text("director");
    out[0] = '\0';
    return cw_store_run(cw_ledger_store(e->l), CW_Q_STAFF_IN_POST, &k, 1, first_row, out, NULL,
                        e->err);
}

/* The next current member of staff above staff_id. */
static cw_rc manager_of(esc *e, const char *staff_id, char out[65])
{
    return cw_casework_manager_in_post(cw_ledger_store(e->l), staff_id, out, e->err);
}

static void chair_of(const cw_improve *st, const char *plan_id, cw_date on, char out[65])
{
    out[0] = '\0';
    for (size_t i = 0; i < st->nmembers; i++) {
        const cw_imp_member *m = &st->members[i];
        if (!strcmp(m->plan, plan_id) && !strcmp(m->role, "chair") && m->from <= on &&
            (!m->until || m->until > on))
            snprintf(out, 65, "%s", m->staff);
    }
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

/* Working days from due (exclusive) to as_of (inclusive): 0 if not late. */
static cw_rc late_by(esc *e, cw_date due, int64_t *days)
{
    *days = 0;
    if (e->as_of <= due)
        return CW_OK;
    return cw_calendar_working_days(e->cal, due, e->as_of, days, e->err);
}

cw_rc cw_improve_escalate(cw_ledger *l, const cw_calendar *cal, cw_date as_of, uint64_t *raised,
                          uint64_t *unrouted, cw_error *err)
{
    esc e = {l, cal, as_of, 0, 0, err};
    cw_improve *st = NULL;
    char item[160], who[65], dir[65];
    cw_rc rc = cw_casework_begin(l, err);
    if (rc)
        return rc;
    if (!(rc = cw_improve_load(cw_ledger_store(l), 0, &st, err)))
        rc = director(&e, dir);
    for (size_t i = 0; !rc && i < st->nplans; i++) {
        const cw_imp_plan *pl = &st->plans[i];
        int64_t late = 0;
        if (pl->submitted || (rc = late_by(&e, pl->due, &late)) || late < 1)
            continue;
        int level = late >= 5 ? 3 : late >= 3 ? 2 : 1;
        if (level == 3)
            chair_of(st, pl->id, as_of, who);
        else if (level == 2)
            snprintf(who, sizeof who, "%s", dir);
        else
            snprintf(who, sizeof who, "%s", pl->owner);
        snprintf(item, sizeof item, "improve_plan:%s", pl->id);
        rc = raise(&e, NULL, item, level, who[0] ? who : pl->owner, late);
    }
    for (size_t i = 0; !rc && i < st->nactions; i++) {
        const cw_imp_action *a = &st->actions[i];
        int64_t late = 0;
        if (a->status == CW_IMP_COMPLETE || (rc = late_by(&e, a->due, &late)) || late < 1)
            continue;
        const cw_imp_plan *pl = cw_improve_plan(st, a->plan);
        int level = late >= 10 ? 3 : late >= 5 ? 2 : 1;
        if (level == 3)
            chair_of(st, a->plan, as_of, who);
        else if (level == 2)
            snprintf(who, sizeof who, "%s", dir);
        else
            rc = manager_of(&e, a->owner, who);
        snprintf(item, sizeof item, "improve_action:%s", a->id);
        if (!rc)
            rc = raise(&e, NULL, item, level, who[0] ? who : pl ? pl->owner : "", late);
    }
    cw_improve_free(st);
    if (!rc)
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    if (raised)
        *raised = e.raised;
    if (unrouted)
        *unrouted = e.unrouted;
    return rc;
}
