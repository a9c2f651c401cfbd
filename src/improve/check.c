/*
 * check.c — who may record each improve_* entry, and what it must agree with
 * (docs/improvement.md, "Who may do what" and "What is refused"), with the
 * reasons in words (en and cy, util/messages.c). The fold (plan.c) repeats the
 * checks that keep the state whole; these are the ones a person is told.
 *
 * Editors of a plan: a director in post, the plan's owner, its board's chair
 * and members (not observers). An action's owner records its progress and
 * evidence and says it is done; sign-off is an editor's who is neither its
 * owner nor the one who said it was done.
 */
#include <stdio.h>
#include <string.h>

#include "improve/improve.h"

const char *cw_improve_deps_problem(const cw_improve *st, const char *action_id,
                                    const char *plan_id, const json_t *list);

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static cw_date day(const json_t *p, const char *k)
{
    const char *s = str(p, k);
    cw_date d = 0;
    if (s)
        cw_date_parse(s, strlen(s), &d);
    return d;
}

static const char *day_text(cw_date d, char out[CW_DATE_LEN + 1])
{
    cw_date_format(d, out);
    return out;
}

typedef struct ck {
    const cw_improve *st;
    const cw_improve_env *env;
    const cw_improve_who *who;
    const json_t *p;
    cw_date on;
    cw_error *err;
} ck;

static cw_rc unknown(ck *c, const char *field)
{
    return cw_error_key(c->err, CW_ENOTFOUND, "imp_unknown", field, str(c->p, field), NULL);
}

static cw_rc editor(ck *c, const char *plan_id)
{
    if (cw_improve_editor(c->st, plan_id, c->who->staff_id, c->who->role, c->on))
        return CW_OK;
    return cw_error_key(c->err, CW_EFORBIDDEN, "imp_not_editor", "actor", c->who->staff_id,
                        plan_id);
}

/* A member of staff in post, and their role. */
static cw_rc in_post(ck *c, const char *field, char role[32])
{
    const char *id = str(c->p, field);
    int ok = 0;
    char manager[65];
    cw_rc rc = c->env->staff(c->env->ctx, id, &ok, role, manager, c->err);
    if (!rc && !ok)
        rc = cw_error_key(c->err, CW_EINVAL, "not_current_staff", field, id, NULL);
    return rc;
}

static cw_rc new_id(ck *c, const char *field, int used)
{
    return used ? cw_error_key(c->err, CW_EINVAL, "imp_used", field, str(c->p, field), NULL)
                : CW_OK;
}

static int findings_has(const cw_improve *st, const char *id)
{
    for (size_t i = 0; i < st->nfindings; i++)
        if (!strcmp(st->findings[i].id, id))
            return 1;
    return 0;
}

static const cw_imp_inspection *inspection(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->ninspections; i++)
        if (!strcmp(st->inspections[i].id, id))
            return &st->inspections[i];
    return NULL;
}

static const cw_imp_notice *notice(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->nnotices; i++)
        if (!strcmp(st->notices[i].id, id))
            return &st->notices[i];
    return NULL;
}

static const cw_imp_recommendation *recommendation(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->nrecommendations; i++)
        if (!strcmp(st->recommendations[i].id, id))
            return &st->recommendations[i];
    return NULL;
}

static const cw_imp_point *point(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->npoints; i++)
        if (!strcmp(st->points[i].id, id))
            return &st->points[i];
    return NULL;
}

static const cw_imp_commitment *commitment(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->ncommitments; i++)
        if (!strcmp(st->commitments[i].id, id))
            return &st->commitments[i];
    return NULL;
}

static const cw_imp_spend *spend(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->nspends; i++)
        if (!strcmp(st->spends[i].id, id))
            return &st->spends[i];
    return NULL;
}

static int report_used(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->nreports; i++)
        if (!strcmp(st->reports[i].id, id))
            return 1;
    return 0;
}

static int evidence_used(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && i < st->nevidence; i++)
        if (!strcmp(st->evidence[i].id, id))
            return 1;
    return 0;
}

static cw_rc not_before(ck *c, const char *field, cw_date d, cw_date floor, const char *key)
{
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
    if (d && floor && d < floor)
        return cw_error_key(c->err, CW_EINVAL, key, field, day_text(d, a), day_text(floor, b));
    return CW_OK;
}

static int is_sha256(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

static cw_rc deps(ck *c, const char *action_id, const char *plan_id)
{
    const json_t *list = json_object_get(c->p, "depends_on");
    const char *why = list ? cw_improve_deps_problem(c->st, action_id, plan_id, list) : NULL;
    if (!why)
        return CW_OK;
    char key[40];
    snprintf(key, sizeof key, "imp_deps_%s", why);
    return cw_error_key(c->err, CW_EINVAL, key, "depends_on", action_id, plan_id);
}

static cw_rc amount(ck *c, cw_pence *out)
{
    json_int_t v = json_integer_value(json_object_get(c->p, "amount_pence"));
    char b[32];
    if (v > CW_IMPROVE_MAX_PENCE) {
        cw_improve_pounds(CW_IMPROVE_MAX_PENCE, b);
        return cw_error_key(c->err, CW_EINVAL, "imp_too_much", "amount_pence", CW_NUM(v), b);
    }
    *out = (cw_pence)v;
    return CW_OK;
}

/* The action named by action_id, not complete. */
static cw_rc need_action(ck *c, const cw_imp_action **out)
{
    const cw_imp_action *a = cw_improve_action(c->st, str(c->p, "action_id"));
    *out = a;
    if (!a)
        return unknown(c, "action_id");
    if (a->status == CW_IMP_COMPLETE)
        return cw_error_key(c->err, CW_EINVAL, "imp_action_complete", "action_id", a->id, NULL);
    return CW_OK;
}

/* The action's owner, or an editor of its plan. */
static cw_rc owner_or_editor(ck *c, const cw_imp_action *a)
{
    if (!strcmp(a->owner, c->who->staff_id) ||
        cw_improve_editor(c->st, a->plan, c->who->staff_id, c->who->role, c->on))
        return CW_OK;
    return cw_error_key(c->err, CW_EFORBIDDEN, "imp_not_owner", "actor", a->id, a->owner);
}

static cw_rc check(ck *c, const char *t)
{
    const json_t *p = c->p;
    const cw_improve *st = c->st;
    const char *pid = str(p, "plan_id");
    cw_date date = day(p, "date");
    char role[32] = "";
    cw_rc rc;
    if (!strcmp(t, "improve_inspection_recorded")) {
        if ((rc = editor(c, NULL)) ||
            (rc = new_id(c, "inspection_id", inspection(st, str(p, "inspection_id")) != NULL)))
            return rc;
        if ((rc = not_before(c, "ended", day(p, "ended"), day(p, "started"), "imp_before_start")))
            return rc;
        return not_before(c, "published", day(p, "published"), day(p, "ended"), "imp_before_end");
    }
    if (!strcmp(t, "improve_finding_recorded")) {
        if ((rc = editor(c, NULL)) ||
            (rc = new_id(c, "finding_id", findings_has(st, str(p, "finding_id")))))
            return rc;
        return inspection(st, str(p, "inspection_id")) ? CW_OK : unknown(c, "inspection_id");
    }
    if (!strcmp(t, "improve_notice_issued")) {
        const cw_imp_inspection *in = inspection(st, str(p, "inspection_id"));
        if ((rc = editor(c, NULL)) ||
            (rc = new_id(c, "notice_id", notice(st, str(p, "notice_id")) != NULL)))
            return rc;
        if (!in)
            return unknown(c, "inspection_id");
        if ((rc = not_before(c, "issued", day(p, "issued"), in->started, "imp_before_start")))
            return rc;
        if (!json_integer_value(json_object_get(p, "plan_within")))
            return cw_error_key(c->err, CW_EINVAL, "imp_plan_within", "plan_within", NULL, NULL);
        const json_t *rv = json_object_get(p, "reviews");
        for (size_t i = 0; i < json_array_size(rv); i++) {
            cw_date d;
            if ((rc = cw_improve_review_due(c->env->cal, day(p, "issued"),
                                            json_string_value(json_array_get(rv, i)), &d, c->err)))
                return rc;
        }
        cw_date due;
        if (!c->env->cal || cw_calendar_add_working_days(
                                c->env->cal, day(p, "issued"),
                                json_integer_value(json_object_get(p, "plan_within")), &due, NULL))
            return cw_error_key(c->err, CW_EINVAL, "imp_outside_calendar", "plan_within", NULL,
                                NULL);
        return CW_OK;
    }
    if (!strcmp(t, "improve_plan_created")) {
        if ((rc = editor(c, NULL)) || (rc = new_id(c, "plan_id", cw_improve_plan(st, pid) != NULL)))
            return rc;
        const char *ins = str(p, "inspection_id"), *nid = str(p, "notice_id");
        if (ins && !inspection(st, ins))
            return unknown(c, "inspection_id");
        const cw_imp_notice *no = notice(st, nid);
        if (nid && !no)
            return unknown(c, "notice_id");
        if (ins && no && strcmp(no->inspection, ins))
            return cw_error_key(c->err, CW_EINVAL, "imp_notice_other", "notice_id", nid, ins);
        if (!no && !str(p, "due"))
            return cw_error_key(c->err, CW_EINVAL, "imp_plan_due", "due", NULL, NULL);
        if ((rc = in_post(c, "owner_id", role)))
            return rc;
        if (strcmp(role, "director") && strcmp(role, "head_of_service"))
            return cw_error_key(c->err, CW_EINVAL, "imp_plan_owner", "owner_id", str(p, "owner_id"),
                                NULL);
        return not_before(c, "due", day(p, "due"), date, "imp_due_before");
    }
    if (!strncmp(t, "improve_board_member_", 21) || !strcmp(t, "improve_plan_submitted") ||
        !strcmp(t, "improve_recommendation_added") || !strcmp(t, "improve_funding_allocated") ||
        !strcmp(t, "improve_report_issued")) {
        const cw_imp_plan *pl = cw_improve_plan(st, pid);
        if (!pl)
            return unknown(c, "plan_id");
        if ((rc = editor(c, pid)))
            return rc;
        if (!strcmp(t, "improve_board_member_added") ||
            !strcmp(t, "improve_board_member_removed")) {
            int adding = t[21] == 'a';
            int current = 0;
            for (size_t i = 0; i < st->nmembers; i++)
                current |= !strcmp(st->members[i].plan, pid) &&
                           !strcmp(st->members[i].staff, str(p, "staff_id")) &&
                           !st->members[i].until;
            if (adding && current)
                return cw_error_key(c->err, CW_EINVAL, "imp_member_already", "staff_id",
                                    str(p, "staff_id"), pid);
            if (!adding && !current)
                return cw_error_key(c->err, CW_EINVAL, "imp_not_member", "staff_id",
                                    str(p, "staff_id"), pid);
            return adding ? in_post(c, "staff_id", role) : CW_OK;
        }
        if (!strcmp(t, "improve_plan_submitted")) {
            if (pl->submitted)
                return cw_error_key(c->err, CW_EINVAL, "imp_submitted", "plan_id", pid, NULL);
            size_t n = 0;
            for (size_t i = 0; i < st->nactions; i++)
                n += !strcmp(st->actions[i].plan, pid);
            return n ? CW_OK
                     : cw_error_key(c->err, CW_EINVAL, "imp_plan_empty", "plan_id", pid, NULL);
        }
        if (!strcmp(t, "improve_recommendation_added")) {
            if ((rc = new_id(c, "recommendation_id",
                             recommendation(st, str(p, "recommendation_id")) != NULL)))
                return rc;
            const char *ar = str(p, "audit_recommendation_id");
            int exists = 0;
            if (ar && c->env->audit_recommendation &&
                (rc = c->env->audit_recommendation(c->env->ctx, ar, &exists, c->err)))
                return rc;
            if (ar && !exists)
                return cw_error_key(c->err, CW_EINVAL, "imp_audit_recommendation",
                                    "audit_recommendation_id", ar, NULL);
            const json_t *fl = json_object_get(p, "findings");
            for (size_t i = 0; i < json_array_size(fl); i++) {
                const char *fid = json_string_value(json_array_get(fl, i));
                if (!findings_has(st, fid))
                    return cw_error_key(c->err, CW_EINVAL, "imp_unknown", "findings", fid, NULL);
                for (size_t k = 0; pl->inspection[0] && k < st->nfindings; k++)
                    if (!strcmp(st->findings[k].id, fid) &&
                        strcmp(st->findings[k].inspection, pl->inspection))
                        return cw_error_key(c->err, CW_EINVAL, "imp_finding_other", "findings", fid,
                                            pl->inspection);
            }
            return CW_OK;
        }
        if (!strcmp(t, "improve_funding_allocated")) {
            cw_pence v;
            if ((rc = new_id(c, "allocation_id",
                             cw_improve_allocation(st, str(p, "allocation_id")) != NULL)))
                return rc;
            return amount(c, &v);
        }
        /* improve_report_issued */
        if ((rc = new_id(c, "report_id", report_used(st, str(p, "report_id")))))
            return rc;
        if (!is_sha256(str(p, "content_sha256")))
            return cw_error_key(c->err, CW_EINVAL, "imp_sha256", "content_sha256", NULL, NULL);
        if (str(p, "measures_sha256") && !is_sha256(str(p, "measures_sha256")))
            return cw_error_key(c->err, CW_EINVAL, "imp_sha256", "measures_sha256", NULL, NULL);
        return not_before(c, "date", date, day(p, "as_of"), "imp_before_as_of");
    }
    if (!strcmp(t, "improve_point_added")) {
        const cw_imp_recommendation *r = recommendation(st, str(p, "recommendation_id"));
        if (!r)
            return unknown(c, "recommendation_id");
        if ((rc = editor(c, r->plan)))
            return rc;
        return new_id(c, "point_id", point(st, str(p, "point_id")) != NULL);
    }
    if (!strcmp(t, "improve_action_added")) {
        const cw_imp_point *pt = point(st, str(p, "point_id"));
        if (!pt)
            return unknown(c, "point_id");
        if ((rc = editor(c, pt->plan)) ||
            (rc = new_id(c, "action_id", cw_improve_action(st, str(p, "action_id")) != NULL)) ||
            (rc = in_post(c, "owner_id", role)) ||
            (rc = not_before(c, "due", day(p, "due"), date, "imp_due_before")))
            return rc;
        return deps(c, str(p, "action_id"), pt->plan);
    }
    if (!strcmp(t, "improve_evidence_added") || !strncmp(t, "improve_action_", 15)) {
        const cw_imp_action *a;
        if ((rc = need_action(c, &a)))
            return rc;
        if ((rc = not_before(c, "date", date, a->set_on, "imp_before_set")))
            return rc;
        if (!strcmp(t, "improve_action_changed")) {
            if ((rc = editor(c, a->plan)))
                return rc;
            /* What was said to be done is signed off or returned as it stands. */
            if (a->status == CW_IMP_AWAITING_SIGN_OFF)
                return cw_error_key(c->err, CW_EINVAL, "imp_awaiting", "action_id", a->id, NULL);
            if (!str(p, "owner_id") && !str(p, "due") && !json_object_get(p, "depends_on"))
                return cw_error_key(c->err, CW_EINVAL, "imp_no_change", "reason", a->id, NULL);
            if (str(p, "owner_id") && (rc = in_post(c, "owner_id", role)))
                return rc;
            if ((rc = not_before(c, "due", day(p, "due"), date, "imp_due_before")))
                return rc;
            return deps(c, a->id, a->plan);
        }
        int deciding =
            !strcmp(t, "improve_action_signed_off") || !strcmp(t, "improve_action_returned");
        if (!deciding && (rc = owner_or_editor(c, a)))
            return rc;
        int awaiting = a->status == CW_IMP_AWAITING_SIGN_OFF;
        if (!strcmp(t, "improve_action_updated") || !strcmp(t, "improve_evidence_added") ||
            !strcmp(t, "improve_action_completed")) {
            if (awaiting)
                return cw_error_key(c->err, CW_EINVAL, "imp_awaiting", "action_id", a->id, NULL);
        }
        if (!strcmp(t, "improve_evidence_added")) {
            const char *kind = str(p, "kind");
            if ((rc = new_id(c, "evidence_id", evidence_used(st, str(p, "evidence_id")))))
                return rc;
            if (!strcmp(kind, "measure")) {
                int64_t tenths;
                if (!str(p, "measure_id"))
                    return cw_error_key(c->err, CW_EINVAL, "imp_evidence_needs", "measure_id", kind,
                                        NULL);
                if (!str(p, "target"))
                    return cw_error_key(c->err, CW_EINVAL, "imp_evidence_needs", "target", kind,
                                        NULL);
                if (!str(p, "direction"))
                    return cw_error_key(c->err, CW_EINVAL, "imp_evidence_needs", "direction", kind,
                                        NULL);
                if ((rc = cw_improve_parse_target(str(p, "target"), &tenths, c->err)))
                    return rc;
                int known = 1;
                if (c->env->measure &&
                    (rc = c->env->measure(c->env->ctx, str(p, "measure_id"), &known, c->err)))
                    return rc;
                return known ? CW_OK
                             : cw_error_key(c->err, CW_EINVAL, "imp_measure", "measure_id",
                                            str(p, "measure_id"), NULL);
            }
            if (!strcmp(kind, "audit_report")) {
                int issued = 0;
                if (!str(p, "audit_report_id"))
                    return cw_error_key(c->err, CW_EINVAL, "imp_evidence_needs", "audit_report_id",
                                        kind, NULL);
                if (c->env->audit_report &&
                    (rc = c->env->audit_report(c->env->ctx, str(p, "audit_report_id"), &issued,
                                               c->err)))
                    return rc;
                return issued ? CW_OK
                              : cw_error_key(c->err, CW_EINVAL, "imp_audit_report",
                                             "audit_report_id", str(p, "audit_report_id"), NULL);
            }
            if (!is_sha256(str(p, "sha256")))
                return cw_error_key(c->err, CW_EINVAL, "imp_sha256", "sha256", NULL, NULL);
            return CW_OK;
        }
        if (!strcmp(t, "improve_action_updated"))
            return CW_OK;
        if (!strcmp(t, "improve_action_completed")) {
            if (!a->nevidence)
                return cw_error_key(c->err, CW_EINVAL, "imp_no_evidence", "action_id", a->id, NULL);
            for (size_t i = 0; i < a->ndeps; i++) {
                const cw_imp_action *d = cw_improve_action(st, a->deps[i]);
                if (d && d->status != CW_IMP_COMPLETE)
                    return cw_error_key(c->err, CW_EINVAL, "imp_dep_open", "action_id", a->id,
                                        d->id);
            }
            return CW_OK;
        }
        /* signed off or returned: an editor other than its owner and whoever said it was done */
        if (!awaiting)
            return cw_error_key(c->err, CW_EINVAL, "imp_not_awaiting", "action_id", a->id, NULL);
        if (!strcmp(a->owner, c->who->staff_id) || !strcmp(a->completed_by, c->who->staff_id))
            return cw_error_key(c->err, CW_EFORBIDDEN, "imp_own_sign_off", "actor", a->id, NULL);
        if ((rc = editor(c, a->plan)))
            return rc;
        for (size_t i = 0; !strcmp(t, "improve_action_signed_off") && i < a->ndeps; i++) {
            const cw_imp_action *d = cw_improve_action(st, a->deps[i]);
            if (d && d->status != CW_IMP_COMPLETE)
                return cw_error_key(c->err, CW_EINVAL, "imp_dep_open", "action_id", a->id, d->id);
        }
        /* Its days are the days recorded (plan.c): a decision is recorded after what it decides,
         * whatever dates are typed. */
        return CW_OK;
    }
    if (!strcmp(t, "improve_funding_changed")) {
        const cw_imp_allocation *al = cw_improve_allocation(st, str(p, "allocation_id"));
        cw_pence v;
        char a[32], b[32];
        if (!al)
            return unknown(c, "allocation_id");
        if ((rc = editor(c, al->plan)) || (rc = amount(c, &v)))
            return rc;
        if (v < al->committed) {
            cw_improve_pounds(v, a);
            cw_improve_pounds(al->committed, b);
            return cw_error_key(c->err, CW_EINVAL, "imp_below_committed", "amount_pence", a, b);
        }
        return CW_OK;
    }
    if (!strcmp(t, "improve_budget_committed") || !strcmp(t, "improve_spend_recorded")) {
        const cw_imp_action *ac = cw_improve_action(st, str(p, "action_id"));
        const cw_imp_allocation *al = cw_improve_allocation(st, str(p, "allocation_id"));
        cw_pence v;
        char a[32], b[32];
        int committing = t[8] == 'b';
        if (!ac)
            return unknown(c, "action_id");
        if (!al)
            return unknown(c, "allocation_id");
        if ((rc = editor(c, ac->plan)))
            return rc;
        if (strcmp(ac->plan, al->plan))
            return cw_error_key(c->err, CW_EINVAL, "imp_other_plan", "allocation_id", al->id,
                                ac->plan);
        if ((rc = new_id(c, committing ? "commitment_id" : "spend_id",
                         committing ? commitment(st, str(p, "commitment_id")) != NULL
                                    : spend(st, str(p, "spend_id")) != NULL)) ||
            (rc = amount(c, &v)))
            return rc;
        if (!v)
            return cw_error_key(c->err, CW_EINVAL, "imp_zero", "amount_pence", NULL, NULL);
        if (committing && v > al->amount - al->committed) {
            cw_improve_pounds(v, a);
            cw_improve_pounds(al->amount - al->committed, b);
            return cw_error_key(c->err, CW_EINVAL, "imp_over_commit", "amount_pence", a, b);
        }
        return CW_OK;
    }
    if (!strcmp(t, "improve_commitment_changed")) {
        const cw_imp_commitment *x = commitment(st, str(p, "commitment_id"));
        cw_pence v;
        char a[32], b[32];
        if (!x)
            return unknown(c, "commitment_id");
        const cw_imp_allocation *al = cw_improve_allocation(st, x->allocation);
        const cw_imp_action *ac = cw_improve_action(st, x->action);
        if (!al || !ac)
            return unknown(c, "commitment_id");
        if ((rc = editor(c, ac->plan)) || (rc = amount(c, &v)))
            return rc;
        if (v - x->amount > al->amount - al->committed) {
            cw_improve_pounds(v - x->amount, a);
            cw_improve_pounds(al->amount - al->committed, b);
            return cw_error_key(c->err, CW_EINVAL, "imp_over_commit", "amount_pence", a, b);
        }
        return CW_OK;
    }
    if (!strcmp(t, "improve_spend_reversed")) {
        const cw_imp_spend *x = spend(st, str(p, "spend_id"));
        if (!x)
            return unknown(c, "spend_id");
        const cw_imp_action *ac = cw_improve_action(st, x->action);
        if ((rc = editor(c, ac ? ac->plan : "")))
            return rc;
        if (x->reversed)
            return cw_error_key(c->err, CW_EINVAL, "imp_reversed", "spend_id", x->id, NULL);
        return CW_OK;
    }
    return cw_error_set(c->err, CW_EINVAL, "type: %.64s is not an improvement plan event", t);
}

cw_rc cw_improve_check(const cw_improve *st, const cw_improve_env *env, const cw_improve_who *who,
                       const char *type, const json_t *payload, cw_date recorded, cw_error *err)
{
    if (!who->in_post)
        return cw_error_key(err, CW_EINVAL, "not_current_staff", "actor", who->staff_id, NULL);
    ck c = {st, env, who, payload, recorded, err};
    return check(&c, type);
}
