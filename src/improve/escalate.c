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

/* The next member of staff in post above staff_id, or "". */
static cw_rc manager_of(esc *e, const char *staff_id, char out[65])
{
    cw_store *s = cw_ledger_store(e->l);
    char cur[65];
    cw_rc rc = CW_OK;
    out[0] = '\0';
    snprintf(cur, sizeof cur, "%s", staff_id);
    for (int depth = 0; !rc && depth < 64; depth++) {
        cw_staff_info si, m;
        if ((rc = cw_casework_staff(s, cur, &si, e->err)) || !si.found || !si.manager[0])
            break;
        snprintf(cur, sizeof cur, "%s", si.manager);
        if (!(rc = cw_casework_staff(s, cur, &m, e->err)) && m.found && !m.left) {
            snprintf(out, 65, "%s", cur);
            break;
        }
    }
    return rc;
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

static cw_rc raise(esc *e, const char *item, int level, const char *who, int64_t days)
{
    cw_store *s = cw_ledger_store(e->l);
    int found = 0;
    cw_value v[] = {cw_text(""), cw_text(item), CW_INT(level)};
    cw_rc rc = cw_store_exists(s, CW_Q_ESCALATION_GET, v, 3, &found, e->err);
    if (rc || found)
        return rc;
    if (!who[0]) {
        e->unrouted++;
        return CW_OK;
    }
    char asof[CW_DATE_LEN + 1];
    cw_date_format(e->as_of, asof);
    json_t *p = json_pack("{s:s, s:i, s:s, s:s, s:I}", "item", item, "level", level, "notified_id",
                          who, "as_of", asof, "days_overdue", (json_int_t)days);
    if (!p)
        return cw_error_set(e->err, CW_ENOMEM, "out of memory");
    cw_event ev = {"system:escalation", "escalation_raised", p};
    rc = cw_casework_submit(e->l, &ev, NULL, e->err);
    json_decref(p);
    if (!rc)
        e->raised++;
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
        rc = raise(&e, item, level, who[0] ? who : pl->owner, late);
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
            rc = raise(&e, item, level, who[0] ? who : pl ? pl->owner : "", late);
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
