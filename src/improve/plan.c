/*
 * plan.c — the fold of improve_* entries into a plan's state, and what is
 * derived from it: RAG ratings, budget totals, review days, money in words.
 *
 * cw_improve_fold trusts nothing: an entry naming a record that is not there,
 * or an identifier used twice, is refused with CW_EVERIFY and leaves the state
 * as it was (an export that does not fold is not believed). What a user may
 * record is cw_improve_check's (check.c), which gives the reasons in words.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "improve/improve.h"

/* ---- money ---- */

void cw_improve_pounds(cw_pence p, char out[32])
{
    char digits[24];
    int neg = p < 0;
    /* |INT64_MIN| does not fit: amounts are bounded far below it (CW_IMPROVE_MAX_PENCE). */
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)p : (uint64_t)p;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(u / 100));
    size_t n = strlen(digits), o = 0;
    if (neg)
        out[o++] = '-';
    memcpy(out + o, "\xc2\xa3", 2); /* £ */
    o += 2;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, 32 - o, ".%02u", (unsigned)(u % 100));
}

cw_rc cw_improve_parse_pounds(const char *s, cw_pence *out, cw_error *err)
{
    const char *p = s;
    if (!strncmp(p, "\xc2\xa3", 2))
        p += 2;
    else if (*p == '-' || !strncmp(p, "-\xc2\xa3", 3))
        return cw_error_set(err, CW_EINVAL,
                            "amount: %.40s is negative; amounts are never below "
                            "£0.00 (a refund reverses the spend)",
                            s);
    uint64_t whole = 0;
    int digits = 0, group = -1; /* digits since the last comma; -1: no comma yet */
    for (; *p && *p != '.'; p++) {
        if (*p == ',') {
            if (!digits || (group >= 0 && group != 3) || (group < 0 && digits > 3))
                goto bad;
            group = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            goto bad;
        if (whole > (uint64_t)CW_IMPROVE_MAX_PENCE / 10)
            goto big;
        whole = whole * 10 + (uint64_t)(*p - '0');
        digits++;
        if (group >= 0)
            group++;
    }
    if (!digits || (group >= 0 && group != 3))
        goto bad;
    uint64_t pence = 0;
    if (*p == '.') {
        p++;
        int dp = 0;
        for (; *p; p++, dp++) {
            if (*p < '0' || *p > '9' || dp >= 2)
                goto bad;
            pence = pence * 10 + (uint64_t)(*p - '0');
        }
        if (!dp)
            goto bad;
        if (dp == 1)
            pence *= 10;
    }
    if (whole > (uint64_t)CW_IMPROVE_MAX_PENCE / 100 ||
        whole * 100 + pence > (uint64_t)CW_IMPROVE_MAX_PENCE)
        goto big;
    *out = (cw_pence)(whole * 100 + pence);
    return CW_OK;
bad:
    return cw_error_set(err, CW_EINVAL,
                        "amount: \"%.40s\" is not an amount in pounds and pence (write 1333333.33 "
                        "or £1,333,333.33: at most two decimal places)",
                        s);
big:
    return cw_error_set(err, CW_EINVAL, "amount: %.40s is more than caseward records in one amount",
                        s);
}

cw_rc cw_improve_parse_target(const char *s, int64_t *tenths, cw_error *err)
{
    int64_t v = 0;
    int digits = 0, dp = -1;
    for (const char *p = s; *p; p++) {
        if (*p == '.' && dp < 0 && digits) {
            dp = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || digits >= 7 || dp >= 1)
            return cw_error_set(err, CW_EINVAL,
                                "target: \"%.20s\" is not a figure with at most one decimal place "
                                "(85 or 85.0)",
                                s);
        v = v * 10 + (*p - '0');
        digits++;
        if (dp >= 0)
            dp++;
    }
    if (!digits || dp == 0)
        return cw_error_set(err, CW_EINVAL,
                            "target: \"%.20s\" is not a figure with at most one decimal place "
                            "(85 or 85.0)",
                            s);
    *tenths = dp == 1 ? v : v * 10;
    return CW_OK;
}

/* ---- the calendar ---- */

static cw_calendar calendar;
static int calendar_ok;
static pthread_once_t calendar_once = PTHREAD_ONCE_INIT;

static void load_calendar(void)
{
    calendar_ok = !cw_calendar_load_default(&calendar, NULL);
}

const cw_calendar *cw_improve_calendar(void)
{
    pthread_once(&calendar_once, load_calendar);
    return calendar_ok ? &calendar : NULL;
}

/* ---- the state ---- */

cw_improve *cw_improve_new(void)
{
    return calloc(1, sizeof(cw_improve));
}

void cw_improve_free(cw_improve *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->ninspections; i++)
        free(st->inspections[i].title), free(st->inspections[i].report_ref);
    for (size_t i = 0; i < st->nfindings; i++)
        free(st->findings[i].text);
    for (size_t i = 0; i < st->nnotices; i++)
        free(st->notices[i].issued_by);
    for (size_t i = 0; i < st->nplans; i++)
        free(st->plans[i].title), free(st->plans[i].submitted_to);
    for (size_t i = 0; i < st->nrecommendations; i++)
        free(st->recommendations[i].text), free(st->recommendations[i].findings);
    for (size_t i = 0; i < st->npoints; i++)
        free(st->points[i].text);
    for (size_t i = 0; i < st->nactions; i++)
        free(st->actions[i].text), free(st->actions[i].note);
    for (size_t i = 0; i < st->nevidence; i++)
        free(st->evidence[i].title);
    for (size_t i = 0; i < st->nallocations; i++)
        free(st->allocations[i].source);
    for (size_t i = 0; i < st->nmoney; i++)
        free(st->money[i].reason);
    for (size_t i = 0; i < st->nreports; i++)
        free(st->reports[i].recipients);
    free(st->inspections), free(st->findings), free(st->notices), free(st->plans);
    free(st->members), free(st->recommendations), free(st->points), free(st->actions);
    free(st->evidence), free(st->allocations), free(st->commitments), free(st->spends);
    free(st->money), free(st->reports);
    free(st);
}

/* Room for one more element of a vector; NULL when out of memory. The new element is zeroed. */
static void *grow(void **v, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        void *p = realloc(*v, c * size);
        if (!p)
            return NULL;
        *v = p;
        *cap = c;
    }
    void *e = (char *)*v + *n * size;
    memset(e, 0, size);
    return e;
}
#define PUSH(st, name)                                                                             \
    grow((void **)&(st)->name, &(st)->n##name, &(st)->cap_##name, sizeof *(st)->name)

#define FIND(st, name, key)                                                                        \
    for (size_t i_ = 0; i_ < (st)->n##name; i_++)                                                  \
        if ((key) && !strcmp((st)->name[i_].id, (key)))                                            \
            return &(st)->name[i_];                                                                \
    return NULL

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

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

const cw_imp_plan *cw_improve_plan(const cw_improve *st, const char *id)
{
    FIND(st, plans, id);
}

const cw_imp_action *cw_improve_action(const cw_improve *st, const char *id)
{
    FIND(st, actions, id);
}

const cw_imp_allocation *cw_improve_allocation(const cw_improve *st, const char *id)
{
    FIND(st, allocations, id);
}

static cw_imp_inspection *inspection(const cw_improve *st, const char *id)
{
    FIND(st, inspections, id);
}
static cw_imp_finding *finding(const cw_improve *st, const char *id)
{
    FIND(st, findings, id);
}
static cw_imp_notice *notice(const cw_improve *st, const char *id)
{
    FIND(st, notices, id);
}
static cw_imp_plan *plan(const cw_improve *st, const char *id)
{
    FIND(st, plans, id);
}
static cw_imp_recommendation *recommendation(const cw_improve *st, const char *id)
{
    FIND(st, recommendations, id);
}
static cw_imp_point *point(const cw_improve *st, const char *id)
{
    FIND(st, points, id);
}
static cw_imp_action *action(const cw_improve *st, const char *id)
{
    FIND(st, actions, id);
}
static cw_imp_evidence *evidence(const cw_improve *st, const char *id)
{
    FIND(st, evidence, id);
}
static cw_imp_allocation *allocation(const cw_improve *st, const char *id)
{
    FIND(st, allocations, id);
}
static cw_imp_commitment *commitment(const cw_improve *st, const char *id)
{
    FIND(st, commitments, id);
}
static cw_imp_spend *spend(const cw_improve *st, const char *id)
{
    FIND(st, spends, id);
}
static cw_imp_report *report(const cw_improve *st, const char *id)
{
    FIND(st, reports, id);
}

const cw_imp_member *cw_improve_member(const cw_improve *st, const char *plan_id,
                                       const char *staff_id, cw_date on)
{
    for (size_t i = st->nmembers; i-- > 0;) {
        const cw_imp_member *m = &st->members[i];
        if ((!plan_id || !strcmp(m->plan, plan_id)) && !strcmp(m->staff, staff_id) &&
            m->from <= on && (!m->until || m->until > on))
            return m;
    }
    return NULL;
}

int cw_improve_editor(const cw_improve *st, const char *plan_id, const char *staff_id,
                      const char *role, cw_date on)
{
    if (role && !strcmp(role, "director"))
        return 1;
    for (size_t i = 0; i < st->nplans; i++)
        if ((!plan_id || !strcmp(st->plans[i].id, plan_id)) &&
            !strcmp(st->plans[i].owner, staff_id))
            return 1;
    for (size_t i = 0; i < st->nmembers; i++) {
        const cw_imp_member *m = &st->members[i];
        if ((!plan_id || !strcmp(m->plan, plan_id)) && !strcmp(m->staff, staff_id) &&
            m->from <= on && (!m->until || m->until > on) && strcmp(m->role, "observer"))
            return 1;
    }
    return 0;
}

cw_rc cw_improve_review_due(const cw_calendar *cal, cw_date issued, const char *offset,
                            cw_date *out, cw_error *err)
{
    char *end = NULL;
    long n = strtol(offset, &end, 10);
    if (end == offset || n <= 0 || n > 3660 || offset[0] < '0' || offset[0] > '9')
        goto bad;
    if (!strcmp(end, "d")) {
        *out = issued + (cw_date)n;
        return CW_OK;
    }
    if (!strcmp(end, "m") && n <= 120) {
        *out = cw_date_add_months(issued, (int32_t)n);
        return CW_OK;
    }
    if (!strcmp(end, "wd") && n <= 2500) {
        if (!cal)
            return cw_error_set(err, CW_EINVAL, "reviews: no working-day calendar is loaded");
        return cw_calendar_add_working_days(cal, issued, n, out, err);
    }
bad:
    return cw_error_set(err, CW_EINVAL,
                        "reviews: \"%.20s\" is not a review point (90d: days, 6m: months, 20wd: "
                        "working days)",
                        offset);
}

/* ---- the fold ---- */

static cw_rc broken(cw_error *err, uint64_t idx, const char *type, const char *what)
{
    return cw_error_set(err, CW_EVERIFY, "entry %llu (%s): %s", (unsigned long long)idx, type,
                        what);
}

static cw_rc money(cw_improve *st, uint64_t idx, const json_t *p, const char *actor,
                   const char *type, const char *id, const char *plan_id, cw_pence before,
                   cw_pence after)
{
    cw_imp_plan *mp = plan(st, plan_id);
    assert(!mp || mp->money_entries < CW_IMPROVE_MAX_MONEY); /* fold() refuses the one past it */
    cw_imp_money_change *m = PUSH(st, money);
    if (mp)
        mp->money_entries++;
    if (!m)
        return CW_ENOMEM;
    m->idx = idx;
    m->date = day(p, "date");
    copy(m->by, sizeof m->by, actor);
    copy(m->type, sizeof m->type, type);
    copy(m->id, sizeof m->id, id);
    copy(m->plan, sizeof m->plan, plan_id);
    m->before = before;
    m->after = after;
    m->reason = dup(str(p, "reason"));
    st->nmoney++;
    return CW_OK;
}

static cw_pence amount(const json_t *p)
{
    json_int_t v = json_integer_value(json_object_get(p, "amount_pence"));
    return v < 0 || v > CW_IMPROVE_MAX_PENCE ? -1 : (cw_pence)v;
}

/* Whether target is reachable from `from` along dependencies: a depth-first search that visits
 * each action once (seen[] by action index), so a plan of many actions costs linear time. */
static int reaches(const cw_improve *st, const char *from, const char *target, unsigned char *seen)
{
    /* An explicit stack: a long chain of dependencies is not a deep recursion. */
    size_t cap = CW_IMPROVE_MAX_DEPS * st->nactions + 1, n = 0; /* each visited once */
    const char **stack = malloc(cap * sizeof *stack);
    int found = 0;
    if (!stack)
        return 1; /* out of memory: refused, as a circle would be */
    stack[n++] = from;
    while (n && !found) {
        const char *id = stack[--n];
        for (size_t i = 0; i < st->nactions; i++) {
            const cw_imp_action *a = &st->actions[i];
            if (strcmp(a->id, id) || seen[i])
                continue;
            seen[i] = 1;
            for (size_t k = 0; k < a->ndeps && !found; k++) {
                if (!strcmp(a->deps[k], target))
                    found = 1;
                else
                    stack[n++] = a->deps[k]; /* n < cap: each action's deps pushed once */
            }
            break;
        }
    }
    free(stack);
    return found;
}

static int has_dep_cycle(const cw_improve *st, const char *from, const char *target)
{
    unsigned char *seen = calloc(st->nactions + 1, 1);
    int r = seen ? reaches(st, from, target, seen) : 1;
    free(seen);
    return r;
}

/* The dependencies listed in p: each an action of the same plan, none the action itself, and
 * no cycle. Returns 0 and sets deps, or a description of the problem. */
const char *cw_improve_deps_problem(const cw_improve *st, const char *action_id,
                                    const char *plan_id, const json_t *list);
const char *cw_improve_deps_problem(const cw_improve *st, const char *action_id,
                                    const char *plan_id, const json_t *list)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *d = json_string_value(json_array_get(list, i));
        if (d && !strcmp(d, action_id))
            return "cycle"; /* waiting for itself */
        const cw_imp_action *a = d ? action(st, d) : NULL;
        if (!a)
            return "unknown_action";
        if (strcmp(a->plan, plan_id))
            return "other_plan";
        if (!strcmp(d, action_id) || has_dep_cycle(st, d, action_id))
            return "cycle";
    }
    return NULL;
}

static void set_deps(cw_imp_action *a, const json_t *list)
{
    a->ndeps = 0;
    for (size_t i = 0; i < json_array_size(list) && i < CW_IMPROVE_MAX_DEPS; i++)
        copy(a->deps[a->ndeps++], 65, json_string_value(json_array_get(list, i)));
}

static cw_rc fold(cw_improve *st, uint64_t idx, const char *t, const char *actor, const json_t *p,
                  cw_date recorded, cw_error *err)
{
    const char *pid = str(p, "plan_id");
    cw_date date = day(p, "date");
    /* Every money entry adds one change to its plan's: bounded per plan, so that no sum can
     * overflow and no plan's editors can stop another plan's money being recorded. */
    if (!strncmp(t, "improve_funding_", 16) || !strcmp(t, "improve_budget_committed") ||
        !strcmp(t, "improve_commitment_changed") || !strncmp(t, "improve_spend_", 14)) {
        const char *of = pid;
        const cw_imp_action *ma = action(st, str(p, "action_id"));
        const cw_imp_allocation *mal = allocation(st, str(p, "allocation_id"));
        const cw_imp_commitment *mc = commitment(st, str(p, "commitment_id"));
        const cw_imp_spend *ms = spend(st, str(p, "spend_id"));
        if (!of && ma)
            of = ma->plan;
        if (!of && mal)
            of = mal->plan;
        if (!of && mc && action(st, mc->action))
            of = action(st, mc->action)->plan;
        if (!of && ms && action(st, ms->action))
            of = action(st, ms->action)->plan;
        const cw_imp_plan *mp = of ? plan(st, of) : NULL;
        if (mp && mp->money_entries >= CW_IMPROVE_MAX_MONEY)
            return broken(err, idx, t, "more money entries than caseward keeps for one plan");
    }
#define NEED(cond, what)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return broken(err, idx, t, what);                                                      \
    } while (0)
#define NEW(kind, key) NEED(key && !kind(st, key), "its identifier is missing or used already")
    if (!strcmp(t, "improve_inspection_recorded")) {
        NEW(inspection, str(p, "inspection_id"));
        cw_imp_inspection *x = PUSH(st, inspections);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, str(p, "inspection_id"));
        copy(x->inspectorate, sizeof x->inspectorate, str(p, "inspectorate"));
        x->title = dup(str(p, "title"));
        x->report_ref = dup(str(p, "report_ref"));
        x->started = day(p, "started");
        x->ended = day(p, "ended");
        x->published = day(p, "published");
        x->idx = idx;
        st->ninspections++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_finding_recorded")) {
        NEW(finding, str(p, "finding_id"));
        NEED(inspection(st, str(p, "inspection_id")), "its inspection is not recorded");
        int number = 1;
        for (size_t i = 0; i < st->nfindings; i++)
            number += !strcmp(st->findings[i].inspection, str(p, "inspection_id"));
        cw_imp_finding *x = PUSH(st, findings);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, str(p, "finding_id"));
        copy(x->inspection, sizeof x->inspection, str(p, "inspection_id"));
        copy(x->theme, sizeof x->theme, str(p, "theme"));
        copy(x->severity, sizeof x->severity, str(p, "severity"));
        x->text = dup(str(p, "text"));
        x->number = number;
        x->idx = idx;
        st->nfindings++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_notice_issued")) {
        NEW(notice, str(p, "notice_id"));
        NEED(inspection(st, str(p, "inspection_id")), "its inspection is not recorded");
        const cw_calendar *cal = cw_improve_calendar();
        cw_imp_notice x = {0};
        copy(x.id, sizeof x.id, str(p, "notice_id"));
        copy(x.inspection, sizeof x.inspection, str(p, "inspection_id"));
        copy(x.kind, sizeof x.kind, str(p, "kind"));
        x.issued = day(p, "issued");
        x.plan_within = (int)json_integer_value(json_object_get(p, "plan_within"));
        NEED(cal && !cw_calendar_add_working_days(cal, x.issued, x.plan_within, &x.plan_due, NULL),
             "its plan's due day is outside the calendar");
        const json_t *rv = json_object_get(p, "reviews");
        for (size_t i = 0; i < json_array_size(rv) && i < CW_IMPROVE_MAX_REVIEWS; i++) {
            copy(x.reviews[i], sizeof x.reviews[i], json_string_value(json_array_get(rv, i)));
            NEED(!cw_improve_review_due(cal, x.issued, x.reviews[i], &x.review_due[i], NULL),
                 "a review point cannot be read");
            x.nreviews++;
        }
        cw_imp_notice *n = PUSH(st, notices);
        if (!n)
            return CW_ENOMEM;
        *n = x;
        n->issued_by = dup(str(p, "issued_by"));
        n->idx = idx;
        st->nnotices++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_plan_created")) {
        NEW(plan, pid);
        const char *ins = str(p, "inspection_id"), *nid = str(p, "notice_id");
        const cw_imp_notice *no = nid ? notice(st, nid) : NULL;
        NEED(!ins || inspection(st, ins), "its inspection is not recorded");
        NEED(!nid || no, "its notice is not recorded");
        cw_date due = day(p, "due");
        if (!due && no)
            due = no->plan_due;
        NEED(due, "it has no due day");
        cw_imp_plan *x = PUSH(st, plans);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, pid);
        copy(x->inspection, sizeof x->inspection, ins ? ins : no ? no->inspection : "");
        copy(x->notice, sizeof x->notice, nid);
        copy(x->owner, sizeof x->owner, str(p, "owner_id"));
        copy(x->created_by, sizeof x->created_by, actor);
        x->title = dup(str(p, "title"));
        x->created = date;
        x->due = due;
        x->idx = idx;
        st->nplans++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_board_member_added") || !strcmp(t, "improve_board_member_removed")) {
        NEED(plan(st, pid), "its plan is not recorded");
        const char *staff = str(p, "staff_id");
        int adding = !strcmp(t, "improve_board_member_added");
        for (size_t i = 0; i < st->nmembers; i++)
            if (!strcmp(st->members[i].plan, pid) && !strcmp(st->members[i].staff, staff) &&
                !st->members[i].until) {
                NEED(!adding, "already a member of the board");
                NEED(date >= st->members[i].from, "removed before joining");
                st->members[i].until = date; /* a member on the days before it */
                return CW_OK;
            }
        NEED(adding, "not a member of the board");
        cw_imp_member *m = PUSH(st, members);
        if (!m)
            return CW_ENOMEM;
        copy(m->plan, sizeof m->plan, pid);
        copy(m->staff, sizeof m->staff, staff);
        copy(m->role, sizeof m->role, str(p, "board_role"));
        m->from = date;
        st->nmembers++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_plan_submitted")) {
        cw_imp_plan *x = plan(st, pid);
        NEED(x && !x->submitted, "its plan is not recorded, or was submitted already");
        x->submitted = recorded; /* the day it was recorded: a typed date cannot make it on time */
        x->submitted_to = dup(str(p, "submitted_to"));
        return CW_OK;
    }
    if (!strcmp(t, "improve_recommendation_added")) {
        NEW(recommendation, str(p, "recommendation_id"));
        NEED(plan(st, pid), "its plan is not recorded");
        const json_t *fl = json_object_get(p, "findings");
        for (size_t i = 0; i < json_array_size(fl); i++)
            NEED(finding(st, json_string_value(json_array_get(fl, i))),
                 "a finding it answers is not recorded");
        int number = 1;
        for (size_t i = 0; i < st->nrecommendations; i++)
            number += !strcmp(st->recommendations[i].plan, pid);
        cw_imp_recommendation *x = PUSH(st, recommendations);
        if (!x)
            return CW_ENOMEM;
        size_t nf = json_array_size(fl);
        if (nf && !(x->findings = calloc(nf, sizeof *x->findings)))
            return CW_ENOMEM;
        for (size_t i = 0; i < nf; i++)
            copy(x->findings[i], 65, json_string_value(json_array_get(fl, i)));
        x->nfindings = nf;
        copy(x->id, sizeof x->id, str(p, "recommendation_id"));
        copy(x->plan, sizeof x->plan, pid);
        copy(x->audit_recommendation, sizeof x->audit_recommendation,
             str(p, "audit_recommendation_id"));
        x->text = dup(str(p, "text"));
        x->number = number;
        x->idx = idx;
        st->nrecommendations++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_point_added")) {
        NEW(point, str(p, "point_id"));
        const cw_imp_recommendation *r = recommendation(st, str(p, "recommendation_id"));
        NEED(r, "its recommendation is not recorded");
        int number = 1;
        for (size_t i = 0; i < st->npoints; i++)
            number += !strcmp(st->points[i].recommendation, r->id);
        cw_imp_point *x = PUSH(st, points);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, str(p, "point_id"));
        copy(x->recommendation, sizeof x->recommendation, r->id);
        copy(x->plan, sizeof x->plan, r->plan);
        x->text = dup(str(p, "text"));
        x->number = number;
        x->idx = idx;
        st->npoints++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_action_added")) {
        const char *id = str(p, "action_id");
        NEW(action, id);
        const cw_imp_point *pt = point(st, str(p, "point_id"));
        NEED(pt, "its improvement point is not recorded");
        NEED(!cw_improve_deps_problem(st, id, pt->plan, json_object_get(p, "depends_on")),
             "its dependencies are not actions of its plan, or go round in a circle");
        int number = 1;
        for (size_t i = 0; i < st->nactions; i++)
            number += !strcmp(st->actions[i].point, pt->id);
        cw_imp_action *x = PUSH(st, actions);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, id);
        copy(x->point, sizeof x->point, pt->id);
        copy(x->plan, sizeof x->plan, pt->plan);
        copy(x->owner, sizeof x->owner, str(p, "owner_id"));
        x->text = dup(str(p, "text"));
        x->number = number;
        x->set_on = date;
        x->due = x->first_due = day(p, "due");
        set_deps(x, json_object_get(p, "depends_on"));
        x->idx = idx;
        st->nactions++;
        return CW_OK;
    }
    if (!strncmp(t, "improve_action_", 15)) {
        cw_imp_action *a = action(st, str(p, "action_id"));
        NEED(a, "its action is not recorded");
        NEED(a->status != CW_IMP_COMPLETE, "its action is complete");
        if (!strcmp(t, "improve_action_changed")) {
            const json_t *dl = json_object_get(p, "depends_on");
            NEED(a->status != CW_IMP_AWAITING_SIGN_OFF, "its action awaits sign-off");
            NEED(!dl || !cw_improve_deps_problem(st, a->id, a->plan, dl),
                 "its dependencies are not actions of its plan, or go round in a circle");
            if (str(p, "owner_id"))
                copy(a->owner, sizeof a->owner, str(p, "owner_id"));
            if (day(p, "due"))
                a->due = day(p, "due");
            if (dl)
                set_deps(a, dl);
            a->replanned++;
            return CW_OK;
        }
        if (!strcmp(t, "improve_action_updated")) {
            NEED(a->status != CW_IMP_AWAITING_SIGN_OFF, "its action awaits sign-off");
            /* The note is personal: beside the leaf, not in it (a check sees it; a fold of
             * the log does not), so it may be absent. */
            const char *given = str(p, "note");
            char *note = dup(given);
            if (given && !note)
                return CW_ENOMEM;
            free(a->note);
            a->note = note;
            a->noted_on = recorded;
            a->blocked = json_is_true(json_object_get(p, "blocked"));
            a->status = CW_IMP_IN_PROGRESS;
            return CW_OK;
        }
        if (!strcmp(t, "improve_action_completed")) {
            NEED(a->status != CW_IMP_AWAITING_SIGN_OFF, "its action awaits sign-off already");
            NEED(a->nevidence, "its action has no evidence");
            a->status = CW_IMP_AWAITING_SIGN_OFF;
            a->completed_on = recorded;
            a->blocked = 0;
            copy(a->completed_by, sizeof a->completed_by, actor);
            return CW_OK;
        }
        NEED(a->status == CW_IMP_AWAITING_SIGN_OFF, "its action does not await sign-off");
        NEED(strcmp(actor, a->owner) && strcmp(actor, a->completed_by),
             "decided by the action's owner");
        if (!strcmp(t, "improve_action_signed_off")) {
            for (size_t i = 0; i < a->ndeps; i++) {
                const cw_imp_action *d = action(st, a->deps[i]);
                NEED(!d || d->status == CW_IMP_COMPLETE, "an action it depends on is not complete");
            }
            a->status = CW_IMP_COMPLETE;
            a->signed_off_on = recorded;
            copy(a->signed_off_by, sizeof a->signed_off_by, actor);
            return CW_OK;
        }
        NEED(!strcmp(t, "improve_action_returned"), "not an improvement plan event");
        a->status = CW_IMP_IN_PROGRESS;
        a->completed_on = 0;
        a->completed_by[0] = '\0';
        a->returned++;
        return CW_OK;
    }
    if (!strcmp(t, "improve_evidence_added")) {
        NEW(evidence, str(p, "evidence_id"));
        cw_imp_action *a = action(st, str(p, "action_id"));
        NEED(a && a->status != CW_IMP_COMPLETE && a->status != CW_IMP_AWAITING_SIGN_OFF,
             "its action is not recorded, or awaits sign-off or is complete");
        cw_imp_evidence *x = PUSH(st, evidence);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, str(p, "evidence_id"));
        copy(x->action, sizeof x->action, a->id);
        copy(x->kind, sizeof x->kind, str(p, "kind"));
        copy(x->measure, sizeof x->measure, str(p, "measure_id"));
        copy(x->direction, sizeof x->direction, str(p, "direction"));
        copy(x->audit_report, sizeof x->audit_report, str(p, "audit_report_id"));
        copy(x->sha256, sizeof x->sha256, str(p, "sha256"));
        copy(x->by, sizeof x->by, actor);
        x->title = dup(str(p, "title"));
        x->date = recorded;
        x->idx = idx;
        if (str(p, "target") && cw_improve_parse_target(str(p, "target"), &x->target, NULL)) {
            free(x->title);
            return broken(err, idx, t, "its target is not a figure");
        }
        st->nevidence++;
        a->nevidence++;
        if (a->status == CW_IMP_NOT_STARTED)
            a->status = CW_IMP_IN_PROGRESS;
        return CW_OK;
    }
    if (!strcmp(t, "improve_funding_allocated")) {
        const char *id = str(p, "allocation_id");
        NEW(allocation, id);
        NEED(plan(st, pid), "its plan is not recorded");
        cw_pence v = amount(p);
        NEED(v >= 0, "its amount is out of range");
        cw_imp_allocation *x = PUSH(st, allocations);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, id);
        copy(x->plan, sizeof x->plan, pid);
        x->source = dup(str(p, "source"));
        x->amount = v;
        x->idx = idx;
        st->nallocations++;
        return money(st, idx, p, actor, t, id, pid, 0, v);
    }
    if (!strcmp(t, "improve_funding_changed")) {
        cw_imp_allocation *x = allocation(st, str(p, "allocation_id"));
        cw_pence v = amount(p);
        NEED(x, "its allocation is not recorded");
        NEED(v >= x->committed, "it would leave the allocation committed beyond its amount");
        cw_pence before = x->amount;
        x->amount = v;
        return money(st, idx, p, actor, t, x->id, x->plan, before, v);
    }
    if (!strcmp(t, "improve_budget_committed")) {
        const char *id = str(p, "commitment_id");
        NEW(commitment, id);
        cw_imp_action *a = action(st, str(p, "action_id"));
        cw_imp_allocation *al = allocation(st, str(p, "allocation_id"));
        cw_pence v = amount(p);
        NEED(a && al && !strcmp(a->plan, al->plan),
             "its action or allocation is not recorded, or they are of different plans");
        NEED(v > 0 && v <= al->amount - al->committed,
             "it commits more than the allocation has uncommitted");
        cw_imp_commitment *x = PUSH(st, commitments);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, id);
        copy(x->action, sizeof x->action, a->id);
        copy(x->allocation, sizeof x->allocation, al->id);
        x->amount = v;
        x->idx = idx;
        st->ncommitments++;
        al->committed += v;
        a->committed += v;
        return money(st, idx, p, actor, t, id, a->plan, 0, v);
    }
    if (!strcmp(t, "improve_commitment_changed")) {
        cw_imp_commitment *x = commitment(st, str(p, "commitment_id"));
        NEED(x, "its commitment is not recorded");
        cw_imp_allocation *al = allocation(st, x->allocation);
        cw_imp_action *a = action(st, x->action);
        cw_pence v = amount(p);
        NEED(al && a, "its commitment's allocation or action is not recorded");
        NEED(v >= 0 && v - x->amount <= al->amount - al->committed,
             "it commits more than the allocation has uncommitted");
        cw_pence before = x->amount;
        al->committed += v - before;
        a->committed += v - before;
        x->amount = v;
        return money(st, idx, p, actor, t, x->id, a->plan, before, v);
    }
    if (!strcmp(t, "improve_spend_recorded")) {
        const char *id = str(p, "spend_id");
        NEW(spend, id);
        cw_imp_action *a = action(st, str(p, "action_id"));
        cw_imp_allocation *al = allocation(st, str(p, "allocation_id"));
        cw_pence v = amount(p);
        NEED(a && al && !strcmp(a->plan, al->plan),
             "its action or allocation is not recorded, or they are of different plans");
        NEED(v > 0, "its amount is not above £0.00");
        cw_imp_spend *x = PUSH(st, spends);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, id);
        copy(x->action, sizeof x->action, a->id);
        copy(x->allocation, sizeof x->allocation, al->id);
        x->amount = v;
        x->date = date;
        x->idx = idx;
        st->nspends++;
        al->spent += v;
        a->spent += v;
        return money(st, idx, p, actor, t, id, a->plan, 0, v);
    }
    if (!strcmp(t, "improve_spend_reversed")) {
        cw_imp_spend *x = spend(st, str(p, "spend_id"));
        NEED(x && !x->reversed, "its spend is not recorded, or was reversed already");
        cw_imp_allocation *al = allocation(st, x->allocation);
        cw_imp_action *a = action(st, x->action);
        NEED(al && a, "its spend's allocation or action is not recorded");
        x->reversed = 1;
        al->spent -= x->amount;
        a->spent -= x->amount;
        return money(st, idx, p, actor, t, x->id, a->plan, x->amount, 0);
    }
    if (!strcmp(t, "improve_report_issued")) {
        NEW(report, str(p, "report_id"));
        NEED(plan(st, pid), "its plan is not recorded");
        cw_imp_report *x = PUSH(st, reports);
        if (!x)
            return CW_ENOMEM;
        copy(x->id, sizeof x->id, str(p, "report_id"));
        copy(x->plan, sizeof x->plan, pid);
        copy(x->kind, sizeof x->kind, str(p, "kind"));
        copy(x->by, sizeof x->by, actor);
        copy(x->content_sha256, sizeof x->content_sha256, str(p, "content_sha256"));
        copy(x->measures_sha256, sizeof x->measures_sha256, str(p, "measures_sha256"));
        x->recipients = dup(str(p, "recipients"));
        x->date = date;
        x->as_of = day(p, "as_of");
        x->log_size = (uint64_t)json_integer_value(json_object_get(p, "log_size"));
        x->idx = idx;
        st->nreports++;
        return CW_OK;
    }
#undef NEW
#undef NEED
    return broken(err, idx, t, "not an improvement plan event");
}

cw_rc cw_improve_fold(cw_improve *st, uint64_t idx, const char *type, const char *actor,
                      cw_date recorded, const json_t *payload, cw_error *err)
{
    if (!json_is_object(payload) || !type || !actor)
        return broken(err, idx, type ? type : "?", "it cannot be read");
    if (st->entries && idx <= st->last_idx)
        return broken(err, idx, type, "it is out of order");
    cw_rc rc = fold(st, idx, type, actor, payload, recorded, err);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc) {
        st->entries++;
        st->last_idx = idx;
    }
    return rc;
}

/* ---- what is derived ---- */

const char *cw_improve_rag_name(cw_rag r)
{
    static const char *const names[] = {"green", "amber", "red", "complete"};
    return names[r];
}

const char *cw_improve_status_name(cw_imp_status s)
{
    static const char *const names[] = {"not_started", "in_progress", "awaiting_sign_off",
                                        "complete"};
    return names[s];
}

cw_rag cw_improve_rag(const cw_improve *st, const cw_imp_action *a, const cw_calendar *cal,
                      cw_date as_of, const char **reason)
{
    const char *why = "on_track";
    cw_rag r = CW_RAG_GREEN;
    if (a->status == CW_IMP_COMPLETE && a->signed_off_on <= as_of) {
        r = CW_RAG_COMPLETE;
        why = "complete";
        goto out;
    }
    if (as_of > a->due) {
        r = CW_RAG_RED;
        why = "overdue";
        goto out;
    }
    if (a->blocked) {
        r = CW_RAG_AMBER;
        why = "blocked";
        goto out;
    }
    /* A late dependency first, then one due on or after this action. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < a->ndeps; i++) {
            const cw_imp_action *d = action(st, a->deps[i]);
            if (!d || (d->status == CW_IMP_COMPLETE && d->signed_off_on <= as_of))
                continue;
            if (pass == 0 && as_of > d->due) {
                r = CW_RAG_AMBER;
                why = "dependency_late";
                goto out;
            }
            if (pass == 1 && d->due >= a->due) {
                r = CW_RAG_AMBER;
                why = "dependency_after_due";
                goto out;
            }
        }
    if (!a->nevidence && a->status != CW_IMP_AWAITING_SIGN_OFF) {
        int64_t left = 0;
        if (cal && !cw_calendar_working_days(cal, as_of, a->due, &left, NULL) &&
            left <= CW_IMPROVE_AMBER_DAYS) {
            r = CW_RAG_AMBER;
            why = "due_soon_no_evidence";
        }
    }
out:
    if (reason)
        *reason = why;
    return r;
}

void cw_improve_budget_of(const cw_improve *st, const char *plan_id, cw_improve_budget *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < st->nallocations; i++) {
        const cw_imp_allocation *al = &st->allocations[i];
        if (strcmp(al->plan, plan_id))
            continue;
        out->allocated += al->amount;
        out->committed += al->committed;
        out->spent += al->spent;
    }
    out->uncommitted = out->allocated - out->committed;
    out->unspent = out->allocated - out->spent;
    for (size_t i = 0; i < st->nactions; i++) {
        const cw_imp_action *a = &st->actions[i];
        if (!strcmp(a->plan, plan_id) && a->spent > a->committed) {
            out->overspend += a->spent - a->committed;
            out->overspent_actions++;
        }
    }
}
