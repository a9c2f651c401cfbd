/*
 * audits.c — case-file audits in the catalogue (docs/audits.md): who may record
 * each audit event, what it must be consistent with, and its projection.
 *
 *   audit_programme_created   a programme: its dates, auditors and the framework's
 *                             themes and grade scale, as facts
 *   audit_sample_drawn        the cases drawn (caseward audit sample), each with its auditor
 *   audit_case_added          a case added by hand, with a reason
 *   audit_moderator_assigned  a second auditor to moderate a case
 *   audit_theme_graded        a theme's grade and narrative (pass: the audit or moderation)
 *   audit_case_completed      the overall grade: every theme graded; a critical grade opens
 *                             a critical finding
 *   audit_finding_actioned    the case's managers record the action taken on a finding
 *   audit_recommendation_made a themed recommendation, numbered in order
 *   audit_action_set          an improvement point of a recommendation: an action with an
 *                             owner and a due date
 *   audit_report_issued       the report: its figures and the content's SHA-256, its recipients
 *                             and the working days they have to acknowledge it; the
 *                             recommendations and actions are settled from then on
 *   audit_report_acknowledged a recipient acknowledges it
 *   audit_action_updated      progress on an action (its owner, or a manager above them)
 *   audit_action_completed    the owner says it is done, with evidence: awaiting sign-off
 *   audit_action_signed_off   closed, by someone other than its owner
 *   audit_action_returned     not done: back to its owner, with the reason
 *
 * Invariants: an auditor (or moderator) never works on the case or manages its worker,
 * directly or up the chain; a case is in a programme once; grades are on the programme's
 * scale and themes its own; nothing is graded once its pass is completed. Audit events are
 * not casework on the child: they are in no child's chronology or history (the rules and
 * measures never read them), and a child's re-projection leaves the audit tables alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework_int.h"
#include "ledger/ledger.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static cw_date date_of(const json_t *p, const char *k)
{
    const char *s = str(p, k);
    cw_date d = 0;
    if (s)
        cw_date_parse(s, strlen(s), &d);
    return d;
}

int cw_casework_is_audit(const char *type)
{
    return !strncmp(type, "audit_", 6);
}

/* ---- what the projections hold ---- */

typedef struct programme {
    int found;
    char commissioned_by[65];
    cw_date starts, ends;
    char themes[CW_AUDIT_THEMES_TEXT];
    int64_t grades;
    char critical[64];
    char area_manager[65];
} programme;

static cw_rc day_col(const cw_value *v, cw_date *d)
{
    char buf[16];
    if (cw_value_copy(v, buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), d))
        return CW_EDB;
    return CW_OK;
}

static cw_rc programme_row(void *ctx, const cw_value *c, size_t n)
{
    programme *p = ctx;
    if (n < 11)
        return CW_EDB;
    p->found = 1;
    cw_value_copy(&c[1], p->commissioned_by, sizeof p->commissioned_by);
    cw_value_copy(&c[6], p->themes, sizeof p->themes);
    p->grades = c[7].i;
    cw_value_copy(&c[8], p->critical, sizeof p->critical);
    cw_value_copy(&c[9], p->area_manager, sizeof p->area_manager);
    return day_col(&c[2], &p->starts) || day_col(&c[3], &p->ends) ? CW_EDB : CW_OK;
}

static cw_rc need_programme(cw_ctx *c, const json_t *p, programme *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    const char *id = str(p, "programme_id");
    cw_value k = cw_text(id);
    cw_rc rc =
        cw_store_run(c->store, CW_Q_AUDIT_PROGRAMME_GET, &k, 1, programme_row, out, NULL, err);
    if (!rc && !out->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_programme", "programme_id", id, NULL);
    return rc;
}

typedef struct audit_case {
    int found;
    char auditor[65];
    char moderator[65];
    int completed, moderated;
} audit_case;

static cw_rc case_row(void *ctx, const cw_value *c, size_t n)
{
    audit_case *a = ctx;
    if (n < 12)
        return CW_EDB;
    a->found = 1;
    cw_value_copy(&c[0], a->auditor, sizeof a->auditor);
    cw_value_copy(&c[8], a->moderator, sizeof a->moderator);
    a->completed = c[5].type != CW_V_NULL;
    a->moderated = c[9].type != CW_V_NULL;
    return CW_OK;
}

static cw_rc get_case(cw_ctx *c, const char *programme_id, const char *child, audit_case *out,
                      cw_error *err)
{
    memset(out, 0, sizeof *out);
    cw_value k[] = {cw_text(programme_id), cw_text(child)};
    return cw_store_run(c->store, CW_Q_AUDIT_CASE_GET, k, 2, case_row, out, NULL, err);
}

static cw_rc need_case(cw_ctx *c, const json_t *p, audit_case *out, cw_error *err)
{
    cw_rc rc = get_case(c, str(p, "programme_id"), str(p, "child_id"), out, err);
    if (!rc && !out->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "not_in_programme", "child_id", str(p, "child_id"),
                          str(p, "programme_id"));
    return rc;
}

/* A comma-separated list holds item. */
static int listed(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *s = list; s && *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == n && !strncmp(s, item, n))
            return 1;
        s = e ? e + 1 : NULL;
    }
    return 0;
}

/* Joins a JSON array of strings with commas into out; 0 if it does not fit. */
static int join(const json_t *list, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *s = json_string_value(json_array_get(list, i));
        int w = snprintf(out + used, cap - used, "%s%s", i ? "," : "", s ? s : "");
        if (w < 0 || (size_t)w >= cap - used)
            return 0;
        used += (size_t)w;
    }
    return 1;
}

static cw_rc current_staff(cw_ctx *c, const char *field, const char *id, cw_staff_info *si,
                           cw_error *err)
{
    cw_rc rc = cw_casework_staff(c->store, id, si, err);
    if (!rc && !si->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_staff", field, id, NULL);
    if (!rc && si->left)
        rc = cw_error_key(err, CW_EINVAL, "staff_left", field, id, NULL);
    return rc;
}

/* Whether staff_id is above owner in the management chain. */
static cw_rc above(cw_ctx *c, const char *owner, const char *staff_id, int *yes, cw_error *err)
{
    char cur[65];
    cw_rc rc = CW_OK;
    snprintf(cur, sizeof cur, "%s", owner);
    *yes = 0;
    for (int depth = 0; !rc && depth < 64 && cur[0]; depth++) {
        cw_staff_info si;
        if ((rc = cw_casework_staff(c->store, cur, &si, err)))
            break;
        snprintf(cur, sizeof cur, "%s", si.found ? si.manager : "");
        if (cur[0] && !strcmp(cur, staff_id)) {
            *yes = 1;
            break;
        }
    }
    return rc;
}

/*
 * Refuses staff_id as an auditor of child's case if they are its allocated worker or anyone
 * up the management chain from that worker: nobody audits their own work or their team's.
 */
static cw_rc independent(cw_ctx *c, const char *field, const char *staff_id, const char *child,
                         cw_error *err)
{
    cw_child_info ci;
    int yes = 0;
    cw_rc rc = cw_casework_child(c->store, child, &ci, err);
    if (!rc && !ci.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_child", "child_id", child, NULL);
    if (!rc && ci.worker[0] && !strcmp(ci.worker, staff_id))
        yes = 1;
    else if (!rc && ci.worker[0])
        rc = above(c, ci.worker, staff_id, &yes, err);
    if (!rc && yes)
        rc = cw_error_key(err, CW_EFORBIDDEN, "auditor_not_independent", field, staff_id, child);
    return rc;
}

static cw_rc need_auditor(cw_ctx *c, const char *programme_id, const char *field,
                          const char *staff_id, cw_error *err)
{
    int yes = 0;
    cw_value k[] = {cw_text(programme_id), cw_text(staff_id)};
    cw_rc rc = cw_store_exists(c->store, CW_Q_AUDIT_AUDITOR_HAS, k, 2, &yes, err);
    if (!rc && !yes)
        rc = cw_error_key(err, CW_EINVAL, "not_an_auditor", field, staff_id, programme_id);
    return rc;
}

/* The day an auditor acts on a case must be in the programme's dates. */
static cw_rc in_programme_dates(const programme *pr, const json_t *p, cw_error *err)
{
    cw_date d = date_of(p, "date");
    if (d >= pr->starts && d <= pr->ends)
        return CW_OK;
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
    cw_date_format(pr->starts, a);
    cw_date_format(pr->ends, b);
    char range[2 * CW_DATE_LEN + 8];
    snprintf(range, sizeof range, "%s to %s", a, b);
    return cw_error_key(err, CW_EINVAL, "outside_programme", "date", str(p, "date"), range);
}

/* Roles that commission a programme, draw or add its cases and assign moderators. */
static int commissions(const char *role)
{
    return !strcmp(role, "service_manager") || !strcmp(role, "head_of_service") ||
           !strcmp(role, "director") || !strcmp(role, "qa_auditor");
}

static cw_rc need_commissioner(cw_ctx *c, cw_error *err)
{
    cw_staff_info me;
    cw_rc rc = cw_casework_staff(c->store, c->actor, &me, err);
    if (!rc && (!me.found || !commissions(me.role)))
        rc = cw_error_key(err, CW_EFORBIDDEN, "audit_who", "actor", NULL, NULL);
    return rc;
}

/* ---- the checks ---- */

cw_rc cw_casework_check_audit_programme(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_staff_info si;
    programme pr;
    cw_rc rc = need_commissioner(c, err);
    if (!rc && !(rc = need_programme(c, p, &pr, err)))
        rc = cw_error_key(err, CW_EEXIST, "exists", "programme_id", str(p, "programme_id"), NULL);
    else if (rc == CW_ENOTFOUND) {
        cw_error_clear(err);
        rc = CW_OK;
    }
    if (!rc)
        rc = current_staff(c, "commissioned_by", str(p, "commissioned_by"), &si, err);
    if (!rc && !commissions(si.role))
        rc = cw_error_key(err, CW_EINVAL, "not_commissioner", "commissioned_by",
                          str(p, "commissioned_by"), NULL);
    if (!rc && str(p, "area_manager_id") &&
        !(rc = current_staff(c, "area_manager_id", str(p, "area_manager_id"), &si, err)) &&
        strcmp(si.role, "service_manager") && strcmp(si.role, "head_of_service") &&
        strcmp(si.role, "director"))
        rc = cw_error_key(err, CW_EINVAL, "not_area_manager", "area_manager_id",
                          str(p, "area_manager_id"), NULL);
    if (!rc && date_of(p, "ends") < date_of(p, "starts"))
        rc = cw_error_key(err, CW_EINVAL, "ends_before_starts", "ends", str(p, "ends"),
                          str(p, "starts"));
    /* Auditors read their cases until the programme ends: a year at most. */
    if (!rc && date_of(p, "ends") > cw_date_add_months(date_of(p, "starts"), 12))
        rc = cw_error_key(err, CW_EINVAL, "programme_too_long", "ends", str(p, "ends"),
                          str(p, "starts"));
    const json_t *auditors = json_object_get(p, "auditors");
    if (!rc && json_array_size(auditors) == 0)
        rc = cw_error_key(err, CW_EINVAL, "no_auditors", "auditors", NULL, NULL);
    for (size_t i = 0; !rc && i < json_array_size(auditors); i++)
        rc = current_staff(c, "auditors", json_string_value(json_array_get(auditors, i)), &si, err);
    int64_t grades = json_integer_value(json_object_get(p, "grades"));
    if (!rc && grades < 2)
        rc = cw_error_key(err, CW_EINVAL, "grades_range", "grades", NULL, NULL);
    const json_t *themes = json_object_get(p, "themes");
    char buf[CW_AUDIT_THEMES_TEXT];
    if (!rc && (json_array_size(themes) == 0 || !join(themes, buf, sizeof buf)))
        rc = cw_error_key(err, CW_EINVAL, "themes_count", "themes", NULL, NULL);
    const json_t *critical = json_object_get(p, "critical");
    if (!rc && json_array_size(critical) == 0)
        rc = cw_error_key(err, CW_EINVAL, "no_critical", "critical", NULL, NULL);
    for (size_t i = 0; !rc && i < json_array_size(critical); i++) {
        const char *g = json_string_value(json_array_get(critical, i));
        if (strlen(g) != 1 || g[0] < '1' || g[0] - '0' > grades)
            rc = cw_error_key(err, CW_EINVAL, "critical_not_grade", "critical", g, NULL);
    }
    const char *sha = str(p, "framework_sha256");
    if (!rc && (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64))
        rc = cw_error_key(err, CW_EINVAL, "not_sha256", "framework_sha256", NULL, NULL);
    return rc;
}

/* A case to be added to a programme: a child, not in it yet, an auditor of it who is
 * independent of the case, on a day before the programme ends. */
static cw_rc check_new_case(cw_ctx *c, const programme *pr, const char *programme_id,
                            const char *child, const char *auditor, cw_error *err)
{
    audit_case ac;
    /* Nobody gives themselves a case to read: someone else assigns an auditor. */
    if (!strcmp(auditor, c->actor))
        return cw_error_key(err, CW_EFORBIDDEN, "self_assigned", "auditor_id", auditor, NULL);
    /* A restricted record is given to an auditor by the head of service or the director. */
    cw_child_info ci;
    cw_staff_info me;
    cw_rc rc = cw_casework_child(c->store, child, &ci, err);
    if (!rc && ci.restricted && !(rc = cw_casework_staff(c->store, c->actor, &me, err)) &&
        (!me.found || (strcmp(me.role, "head_of_service") && strcmp(me.role, "director"))))
        rc = cw_error_key(err, CW_EFORBIDDEN, "restricted_audit", "child_id", child, NULL);
    if (!rc)
        rc = get_case(c, programme_id, child, &ac, err);
    if (!rc && ac.found)
        rc = cw_error_key(err, CW_EEXIST, "already_in_programme", "child_id", child, programme_id);
    if (!rc)
        rc = need_auditor(c, programme_id, "auditor_id", auditor, err);
    if (!rc)
        rc = independent(c, "auditor_id", auditor, child, err);
    (void)pr;
    return rc;
}

static cw_rc before_end(const programme *pr, const json_t *p, cw_error *err)
{
    if (date_of(p, "date") <= pr->ends)
        return CW_OK;
    char e[CW_DATE_LEN + 1];
    cw_date_format(pr->ends, e);
    return cw_error_key(err, CW_EINVAL, "programme_ended", "date", str(p, "date"), e);
}

cw_rc cw_casework_check_audit_sample(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    cw_rc rc = need_commissioner(c, err);
    if (!rc)
        rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = before_end(&pr, p, err);
    const json_t *cases = json_object_get(p, "cases"), *assigned = json_object_get(p, "assigned");
    if (!rc && json_array_size(cases) != json_array_size(assigned))
        rc = cw_error_key(err, CW_EINVAL, "assigned_count", "assigned", NULL, NULL);
    if (!rc && (uint64_t)json_integer_value(json_object_get(p, "log_size")) > c->idx)
        rc = cw_error_key(err, CW_EINVAL, "sample_log_size", "log_size", NULL, NULL);
    for (size_t i = 0; !rc && i < json_array_size(cases); i++) {
        const char *child = json_string_value(json_array_get(cases, i));
        const char *auditor = json_string_value(json_array_get(assigned, i));
        if ((rc = check_new_case(c, &pr, str(p, "programme_id"), child, auditor, err)))
            cw_error_prefix(err, "cases: %s: ", child);
    }
    return rc;
}

cw_rc cw_casework_check_audit_case_added(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    cw_rc rc = need_commissioner(c, err);
    if (!rc)
        rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = before_end(&pr, p, err);
    if (!rc)
        rc = check_new_case(c, &pr, str(p, "programme_id"), str(p, "child_id"),
                            str(p, "auditor_id"), err);
    return rc;
}

cw_rc cw_casework_check_audit_moderator(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    audit_case ac;
    const char *mod = str(p, "moderator_id");
    cw_rc rc = need_commissioner(c, err);
    if (!rc)
        rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = before_end(&pr, p, err);
    if (!rc)
        rc = need_case(c, p, &ac, err);
    if (!rc && !strcmp(mod, ac.auditor))
        rc = cw_error_key(err, CW_EINVAL, "moderator_is_auditor", "moderator_id", mod, NULL);
    if (!rc && !strcmp(mod, c->actor))
        rc = cw_error_key(err, CW_EFORBIDDEN, "self_assigned", "moderator_id", mod, NULL);
    if (!rc && ac.moderated)
        rc =
            cw_error_key(err, CW_EINVAL, "already_moderated", "child_id", str(p, "child_id"), NULL);
    if (!rc)
        rc = need_auditor(c, str(p, "programme_id"), "moderator_id", mod, err);
    if (!rc)
        rc = independent(c, "moderator_id", mod, str(p, "child_id"), err);
    return rc;
}

/* The pass an auditor's event is for, and that the actor is the one who may act in it. */
static cw_rc need_grader(cw_ctx *c, const json_t *p, const programme *pr, audit_case *ac,
                         int *moderation, cw_error *err)
{
    *moderation = json_is_true(json_object_get(p, "moderation"));
    cw_rc rc = need_case(c, p, ac, err);
    if (!rc)
        rc = in_programme_dates(pr, p, err);
    if (rc)
        return rc;
    const char *who = *moderation ? ac->moderator : ac->auditor;
    if (strcmp(who, c->actor))
        return cw_error_key(err, CW_EFORBIDDEN,
                            *moderation ? "not_the_moderator" : "not_the_auditor", "actor",
                            str(p, "child_id"), NULL);
    if (*moderation && !ac->completed)
        return cw_error_key(err, CW_EINVAL, "audit_not_completed", "moderation", str(p, "child_id"),
                            NULL);
    if (*moderation ? ac->moderated : ac->completed)
        return cw_error_key(err, CW_EINVAL, "pass_completed", "child_id", str(p, "child_id"), NULL);
    /* Still independent: the case may have moved to the auditor's team since it was drawn. */
    return independent(c, "actor", c->actor, str(p, "child_id"), err);
}

static cw_rc grade_on_scale(const programme *pr, const json_t *p, const char *field, cw_error *err)
{
    int64_t g = json_integer_value(json_object_get(p, field));
    if (g >= 1 && g <= pr->grades)
        return CW_OK;
    char max[24];
    return cw_error_key(err, CW_EINVAL, "grade_off_scale", field, cw_num_text(pr->grades, max),
                        NULL);
}

typedef struct evidence_check {
    const char *child;
    int about;
} evidence_check;

static cw_rc evidence_row(void *ctx, const cw_value *c, size_t n)
{
    evidence_check *e = ctx;
    char id[65];
    if (n >= 1 && cw_value_copy(&c[0], id, sizeof id) > 0 && !strcmp(id, e->child))
        e->about = 1;
    return CW_OK;
}

cw_rc cw_casework_check_audit_graded(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    audit_case ac;
    int moderation = 0;
    cw_rc rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = need_grader(c, p, &pr, &ac, &moderation, err);
    if (!rc && !listed(pr.themes, str(p, "theme")))
        rc = cw_error_key(err, CW_EINVAL, "not_a_theme", "theme", str(p, "theme"), pr.themes);
    /* A grade, or the theme marked not applicable to this case (stored as grade 0). */
    int na = json_is_true(json_object_get(p, "not_applicable"));
    if (!rc && na == !!json_object_get(p, "grade"))
        rc = cw_error_key(err, CW_EINVAL, "grade_or_not_applicable", "grade", NULL, NULL);
    if (!rc && !na)
        rc = grade_on_scale(&pr, p, "grade", err);
    /* Evidence: entries of the child's own record, before this one. */
    const json_t *ev = json_object_get(p, "evidence");
    for (size_t i = 0; !rc && i < json_array_size(ev); i++) {
        const char *s = json_string_value(json_array_get(ev, i));
        uint64_t idx;
        evidence_check e = {str(p, "child_id"), 0};
        if (cw_parse_u64(s, strlen(s), &idx) || idx >= c->idx)
            rc = cw_error_key(err, CW_EINVAL, "evidence_not_entry", "evidence", s, NULL);
        else {
            cw_value k = CW_INT(idx);
            rc = cw_store_run(c->store, CW_Q_EVENT_CHILDREN, &k, 1, evidence_row, &e, NULL, err);
            if (!rc && !e.about)
                rc = cw_error_key(err, CW_EINVAL, "evidence_other_child", "evidence", s,
                                  str(p, "child_id"));
        }
    }
    return rc;
}

typedef struct graded {
    const char *themes;
    const char *by; /* only the grades this auditor gave count (a moderator named again) */
    size_t n;
} graded;

static cw_rc graded_row(void *ctx, const cw_value *c, size_t n)
{
    graded *g = ctx;
    char theme[65], by[65];
    if (n >= 3 && cw_value_copy(&c[0], theme, sizeof theme) > 0 && listed(g->themes, theme) &&
        cw_value_copy(&c[2], by, sizeof by) > 0 && !strcmp(by, g->by))
        g->n++;
    return CW_OK;
}

static size_t count_themes(const char *list)
{
    size_t n = *list ? 1 : 0;
    for (const char *s = list; *s; s++)
        n += *s == ',';
    return n;
}

cw_rc cw_casework_check_audit_completed(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    audit_case ac;
    int moderation = 0;
    cw_rc rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = need_grader(c, p, &pr, &ac, &moderation, err);
    if (!rc)
        rc = grade_on_scale(&pr, p, "overall", err);
    graded g = {pr.themes, c->actor, 0};
    cw_value k[] = {cw_text(str(p, "programme_id")), cw_text(str(p, "child_id")),
                    cw_text(moderation ? "moderation" : "audit")};
    if (!rc)
        rc = cw_store_run(c->store, CW_Q_AUDIT_GRADES_OF, k, 3, graded_row, &g, NULL, err);
    if (!rc && g.n < count_themes(pr.themes)) {
        char have[24], want[24];
        rc = cw_error_key(err, CW_EINVAL, "themes_ungraded", "child_id",
                          cw_num_text((long long)g.n, have),
                          cw_num_text((long long)count_themes(pr.themes), want));
    }
    return rc;
}

typedef struct finding {
    int found, actioned;
    cw_date found_on;
} finding;

static cw_rc finding_row(void *ctx, const cw_value *c, size_t n)
{
    finding *f = ctx;
    if (n < 5)
        return CW_EDB;
    f->found = 1;
    f->actioned = c[2].type != CW_V_NULL;
    return day_col(&c[0], &f->found_on);
}

/* Who records the action on a critical finding: the case's worker's managers up the chain,
 * the programme's area manager, the head of service or the director. */
static cw_rc may_action(cw_ctx *c, const programme *pr, const char *child, cw_error *err)
{
    cw_staff_info me;
    cw_rc rc = cw_casework_staff(c->store, c->actor, &me, err);
    if (rc)
        return rc;
    if (me.found && (!strcmp(me.role, "head_of_service") || !strcmp(me.role, "director") ||
                     !strcmp(c->actor, pr->area_manager)))
        return CW_OK;
    cw_child_info ci;
    if ((rc = cw_casework_child(c->store, child, &ci, err)))
        return rc;
    int yes = 0;
    if ((rc = above(c, ci.worker, c->actor, &yes, err)) || yes)
        return rc;
    return cw_error_key(err, CW_EFORBIDDEN, "finding_who", "actor", child, NULL);
}

cw_rc cw_casework_check_audit_finding_actioned(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    finding f = {0};
    cw_value k[] = {cw_text(str(p, "programme_id")), cw_text(str(p, "child_id"))};
    cw_rc rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = cw_store_run(c->store, CW_Q_AUDIT_FINDING_GET, k, 2, finding_row, &f, NULL, err);
    if (!rc && !f.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_finding", "child_id", str(p, "child_id"),
                          str(p, "programme_id"));
    if (!rc && f.actioned)
        rc = cw_error_key(err, CW_EINVAL, "finding_actioned", "child_id", str(p, "child_id"), NULL);
    if (!rc && date_of(p, "date") < f.found_on) {
        char d[CW_DATE_LEN + 1];
        cw_date_format(f.found_on, d);
        rc = cw_error_key(err, CW_EINVAL, "before_finding", "date", str(p, "date"), d);
    }
    if (!rc)
        rc = may_action(c, &pr, str(p, "child_id"), err);
    return rc;
}

/* ---- the projection ---- */

static cw_rc run(cw_ctx *c, cw_query q, const cw_value *v, size_t n, cw_error *err)
{
    return cw_store_run(c->store, q, v, n, NULL, NULL, NULL, err);
}

static cw_rc team_row(void *ctx, const cw_value *c, size_t n)
{
    return n >= 2 ? (cw_value_copy(&c[1], ctx, 65), CW_OK) : CW_OK;
}

/* The team of the child's allocated worker now, or "". */
static cw_rc team_of(cw_ctx *c, const char *child, char team[65], cw_error *err)
{
    cw_child_info ci;
    team[0] = '\0';
    cw_rc rc = cw_casework_child(c->store, child, &ci, err);
    if (!rc && ci.worker[0]) {
        cw_value k = cw_text(ci.worker);
        rc = cw_store_run(c->store, CW_Q_STAFF_GET, &k, 1, team_row, team, NULL, err);
    }
    return rc;
}

static cw_rc put_case(cw_ctx *c, const char *programme_id, const char *child, const char *auditor,
                      const char *how, const char *date, cw_error *err)
{
    char team[65];
    cw_rc rc = team_of(c, child, team, err);
    cw_value v[] = {cw_text(programme_id),
                    cw_text(child),
                    cw_text(auditor),
                    cw_text(how),
                    cw_text(date),
                    CW_INT(c->idx),
                    cw_text(team[0] ? team : NULL)};
    return rc ? rc : run(c, CW_Q_AUDIT_CASE_PUT, v, 7, err);
}

/* Whether a completed audit has a critical grade: the overall or a theme's. */
static cw_rc has_critical(cw_ctx *c, const json_t *p, const programme *pr, int *yes, cw_error *err);

typedef struct crit_scan {
    const char *critical;
    int yes;
} crit_scan;

static cw_rc crit_row(void *ctx, const cw_value *c, size_t n)
{
    crit_scan *s = ctx;
    char g[24];
    if (n >= 2 && c[1].type == CW_V_INT && listed(s->critical, cw_num_text(c[1].i, g)))
        s->yes = 1;
    return CW_OK;
}

static cw_rc has_critical(cw_ctx *c, const json_t *p, const programme *pr, int *yes, cw_error *err)
{
    char g[24];
    crit_scan s = {
        pr->critical,
        listed(pr->critical, cw_num_text(json_integer_value(json_object_get(p, "overall")), g))};
    cw_value k[] = {cw_text(str(p, "programme_id")), cw_text(str(p, "child_id")), cw_text("audit")};
    cw_rc rc =
        s.yes ? CW_OK : cw_store_run(c->store, CW_Q_AUDIT_GRADES_OF, k, 3, crit_row, &s, NULL, err);
    *yes = s.yes;
    return rc;
}

static cw_rc apply_report(cw_ctx *c, const char *t, const json_t *p, const char *date,
                          cw_error *err);

cw_rc cw_casework_apply_audit(cw_ctx *c, const char *t, const json_t *p, const char *date,
                              cw_error *err)
{
    const char *prog = str(p, "programme_id");
    cw_value idx = CW_INT(c->idx);
    if (!strcmp(t, "audit_programme_created")) {
        char themes[CW_AUDIT_THEMES_TEXT], critical[64];
        if (!join(json_object_get(p, "themes"), themes, sizeof themes) ||
            !join(json_object_get(p, "critical"), critical, sizeof critical))
            return cw_error_set(err, CW_EINVAL, "entry %llu: its themes do not fit",
                                (unsigned long long)c->idx);
        cw_value v[] = {cw_text(prog),
                        cw_text(str(p, "title")),
                        cw_text(str(p, "commissioned_by")),
                        cw_text(str(p, "starts")),
                        cw_text(str(p, "ends")),
                        cw_text(str(p, "framework")),
                        cw_text(str(p, "framework_sha256")),
                        cw_text(themes),
                        CW_INT(json_integer_value(json_object_get(p, "grades"))),
                        cw_text(critical),
                        cw_text(str(p, "area_manager_id")),
                        idx};
        cw_rc rc = run(c, CW_Q_AUDIT_PROGRAMME_PUT, v, 12, err);
        const json_t *auditors = json_object_get(p, "auditors");
        for (size_t i = 0; !rc && i < json_array_size(auditors); i++) {
            cw_value a[] = {cw_text(prog), cw_text(json_string_value(json_array_get(auditors, i)))};
            rc = run(c, CW_Q_AUDIT_AUDITOR_PUT, a, 2, err);
        }
        return rc;
    }
    if (!strcmp(t, "audit_sample_drawn")) {
        cw_value v[] = {idx,
                        cw_text(prog),
                        cw_text(str(p, "seed")),
                        CW_INT(json_integer_value(json_object_get(p, "log_size"))),
                        CW_INT(json_integer_value(json_object_get(p, "size"))),
                        CW_INT(json_integer_value(json_object_get(p, "minimum"))),
                        cw_text(date)};
        cw_rc rc = run(c, CW_Q_AUDIT_SAMPLE_PUT, v, 7, err);
        const json_t *cases = json_object_get(p, "cases"), *who = json_object_get(p, "assigned");
        for (size_t i = 0; !rc && i < json_array_size(cases); i++)
            rc = put_case(c, prog, json_string_value(json_array_get(cases, i)),
                          json_string_value(json_array_get(who, i)), "drawn", date, err);
        return rc;
    }
    if (!strcmp(t, "audit_case_added"))
        return put_case(c, prog, str(p, "child_id"), str(p, "auditor_id"), "added", date, err);
    if (!strcmp(t, "audit_moderator_assigned")) {
        cw_value v[] = {cw_text(prog), cw_text(str(p, "child_id")),
                        cw_text(str(p, "moderator_id"))};
        return run(c, CW_Q_AUDIT_CASE_MODERATOR, v, 3, err);
    }
    int moderation = json_is_true(json_object_get(p, "moderation"));
    if (!strcmp(t, "audit_theme_graded")) {
        cw_value v[] = {cw_text(prog),
                        cw_text(str(p, "child_id")),
                        cw_text(moderation ? "moderation" : "audit"),
                        cw_text(str(p, "theme")),
                        CW_INT(json_integer_value(json_object_get(p, "grade"))), /* 0: n/a */
                        cw_text(c->actor),
                        cw_text(date),
                        idx};
        return run(c, CW_Q_AUDIT_GRADE_PUT, v, 8, err);
    }
    if (!strcmp(t, "audit_case_completed")) {
        cw_value v[] = {cw_text(prog), cw_text(str(p, "child_id")), cw_text(date),
                        CW_INT(json_integer_value(json_object_get(p, "overall"))), idx};
        cw_rc rc =
            run(c, moderation ? CW_Q_AUDIT_CASE_MODERATED : CW_Q_AUDIT_CASE_COMPLETE, v, 5, err);
        if (rc || moderation)
            return rc;
        programme pr;
        int critical = 0;
        if (!(rc = need_programme(c, p, &pr, err)) &&
            !(rc = has_critical(c, p, &pr, &critical, err)) && critical) {
            cw_value f[] = {cw_text(prog), cw_text(str(p, "child_id")), cw_text(date), idx};
            rc = run(c, CW_Q_AUDIT_FINDING_PUT, f, 4, err);
        }
        return rc;
    }
    if (!strcmp(t, "audit_finding_actioned")) {
        cw_value v[] = {cw_text(prog), cw_text(str(p, "child_id")), cw_text(date),
                        cw_text(c->actor), idx};
        return run(c, CW_Q_AUDIT_FINDING_ACTIONED, v, 5, err);
    }
    return apply_report(c, t, p, date, err);
}

/* ---- recommendations, the report and its actions ---- */

static cw_rc count_row(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 1 && c[0].type == CW_V_INT)
        *(int64_t *)ctx = c[0].i;
    return CW_OK;
}

static cw_rc count_of(cw_ctx *c, cw_query q, const char *key, int64_t *n, cw_error *err)
{
    cw_value k = cw_text(key);
    *n = 0;
    return cw_store_run(c->store, q, &k, 1, count_row, n, NULL, err);
}

typedef struct report_row {
    int found;
    char report_id[65], programme_id[65], issued_by[65];
    cw_date issued_on;
} report_row;

static cw_rc report_of_row(void *ctx, const cw_value *c, size_t n)
{
    report_row *r = ctx;
    if (n < 6)
        return CW_EDB;
    r->found = 1;
    cw_value_copy(&c[0], r->report_id, sizeof r->report_id);
    cw_value_copy(&c[2], r->issued_by, sizeof r->issued_by);
    return day_col(&c[1], &r->issued_on);
}

static cw_rc report_of(cw_ctx *c, const char *programme_id, report_row *r, cw_error *err)
{
    memset(r, 0, sizeof *r);
    cw_value k = cw_text(programme_id);
    return cw_store_run(c->store, CW_Q_AUDIT_REPORT_OF, &k, 1, report_of_row, r, NULL, err);
}

/* Recommendations and their actions are the report's content: settled before it is issued. */
static cw_rc not_issued(cw_ctx *c, const char *programme_id, cw_error *err)
{
    report_row r;
    cw_rc rc = report_of(c, programme_id, &r, err);
    if (!rc && r.found)
        rc = cw_error_key(err, CW_EINVAL, "report_issued", "programme_id", programme_id,
                          r.report_id);
    return rc;
}

/* Who drafts recommendations and actions: the commissioners, and the programme's auditors. */
static cw_rc need_drafter(cw_ctx *c, const char *programme_id, cw_error *err)
{
    cw_staff_info me;
    int auditor = 0;
    cw_value k[] = {cw_text(programme_id), cw_text(c->actor)};
    cw_rc rc = cw_casework_staff(c->store, c->actor, &me, err);
    if (!rc)
        rc = cw_store_exists(c->store, CW_Q_AUDIT_AUDITOR_HAS, k, 2, &auditor, err);
    if (!rc && !auditor && (!me.found || !commissions(me.role)))
        rc = cw_error_key(err, CW_EFORBIDDEN, "recommendation_who", "actor", NULL, NULL);
    return rc;
}

cw_rc cw_casework_check_audit_recommendation(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    int exists = 0;
    cw_value k = cw_text(str(p, "recommendation_id"));
    cw_rc rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = need_drafter(c, str(p, "programme_id"), err);
    if (!rc)
        rc = not_issued(c, str(p, "programme_id"), err);
    if (!rc)
        rc = cw_store_exists(c->store, CW_Q_AUDIT_RECOMMENDATION_GET, &k, 1, &exists, err);
    if (!rc && exists)
        rc = cw_error_key(err, CW_EEXIST, "exists", "recommendation_id",
                          str(p, "recommendation_id"), NULL);
    if (!rc && str(p, "theme") && !listed(pr.themes, str(p, "theme")))
        rc = cw_error_key(err, CW_EINVAL, "not_a_theme", "theme", str(p, "theme"), pr.themes);
    return rc;
}

typedef struct rec_row {
    int found;
    char programme_id[65];
    int64_t number;
} rec_row;

static cw_rc rec_get_row(void *ctx, const cw_value *c, size_t n)
{
    rec_row *r = ctx;
    if (n < 2)
        return CW_EDB;
    r->found = 1;
    cw_value_copy(&c[0], r->programme_id, sizeof r->programme_id);
    r->number = c[1].i;
    return CW_OK;
}

static cw_rc get_rec(cw_ctx *c, const char *id, rec_row *r, cw_error *err)
{
    memset(r, 0, sizeof *r);
    cw_value k = cw_text(id);
    cw_rc rc =
        cw_store_run(c->store, CW_Q_AUDIT_RECOMMENDATION_GET, &k, 1, rec_get_row, r, NULL, err);
    if (!rc && !r->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_recommendation", "recommendation_id", id, NULL);
    return rc;
}

cw_rc cw_casework_check_audit_action_set(cw_ctx *c, const json_t *p, cw_error *err)
{
    rec_row rec;
    cw_staff_info si;
    int exists = 0;
    cw_value k = cw_text(str(p, "action_id"));
    cw_rc rc = get_rec(c, str(p, "recommendation_id"), &rec, err);
    if (!rc)
        rc = need_drafter(c, rec.programme_id, err);
    if (!rc)
        rc = not_issued(c, rec.programme_id, err);
    if (!rc)
        rc = cw_store_exists(c->store, CW_Q_AUDIT_ACTION_GET, &k, 1, &exists, err);
    if (!rc && exists)
        rc = cw_error_key(err, CW_EEXIST, "exists", "action_id", str(p, "action_id"), NULL);
    if (!rc)
        rc = current_staff(c, "owner_id", str(p, "owner_id"), &si, err);
    if (!rc && date_of(p, "due") < date_of(p, "date"))
        rc = cw_error_key(err, CW_EINVAL, "due_before_date", "due", str(p, "due"), str(p, "date"));
    return rc;
}

cw_rc cw_casework_check_audit_report_issued(cw_ctx *c, const json_t *p, cw_error *err)
{
    programme pr;
    report_row r;
    cw_staff_info si;
    int64_t open = 0, recs = 0;
    int exists = 0;
    cw_value k = cw_text(str(p, "report_id"));
    cw_rc rc = need_commissioner(c, err);
    if (!rc)
        rc = need_programme(c, p, &pr, err);
    if (!rc)
        rc = report_of(c, str(p, "programme_id"), &r, err);
    if (!rc && r.found)
        rc = cw_error_key(err, CW_EINVAL, "report_issued", "programme_id", str(p, "programme_id"),
                          r.report_id);
    if (!rc)
        rc = cw_store_exists(c->store, CW_Q_AUDIT_REPORT_GET, &k, 1, &exists, err);
    if (!rc && exists)
        rc = cw_error_key(err, CW_EEXIST, "exists", "report_id", str(p, "report_id"), NULL);
    if (!rc)
        rc = count_of(c, CW_Q_AUDIT_CASES_OPEN_COUNT, str(p, "programme_id"), &open, err);
    if (!rc && open > 0) {
        char n[24];
        rc =
            cw_error_key(err, CW_EINVAL, "audits_open", "programme_id", cw_num_text(open, n), NULL);
    }
    if (!rc)
        rc = count_of(c, CW_Q_AUDIT_RECOMMENDATION_COUNT, str(p, "programme_id"), &recs, err);
    if (!rc && recs == 0)
        rc = cw_error_key(err, CW_EINVAL, "no_recommendations", "programme_id",
                          str(p, "programme_id"), NULL);
    if (!rc && (uint64_t)json_integer_value(json_object_get(p, "log_size")) > c->idx)
        rc = cw_error_key(err, CW_EINVAL, "sample_log_size", "log_size", NULL, NULL);
    /* The content was built from exactly the recommendations and actions there are now. */
    int64_t acts = 0;
    if (!rc)
        rc = count_of(c, CW_Q_AUDIT_ACTIONS_COUNT, str(p, "programme_id"), &acts, err);
    if (!rc && (json_integer_value(json_object_get(p, "recommendations")) != recs ||
                json_integer_value(json_object_get(p, "actions")) != acts))
        rc = cw_error_key(err, CW_ECONFLICT, "report_stale", "recommendations",
                          str(p, "programme_id"), NULL);
    const json_t *to = json_object_get(p, "recipients");
    if (!rc && json_array_size(to) == 0)
        rc = cw_error_key(err, CW_EINVAL, "no_recipients", "recipients", NULL, NULL);
    for (size_t i = 0; !rc && i < json_array_size(to); i++)
        rc = current_staff(c, "recipients", json_string_value(json_array_get(to, i)), &si, err);
    if (!rc && json_integer_value(json_object_get(p, "acknowledge_within")) < 1)
        rc = cw_error_key(err, CW_EINVAL, "not_in_range", "acknowledge_within", NULL, NULL);
    const char *sha = str(p, "content_sha256");
    if (!rc && (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64))
        rc = cw_error_key(err, CW_EINVAL, "not_sha256", "content_sha256", NULL, NULL);
    if (!rc && date_of(p, "date") < pr.starts) {
        char s[CW_DATE_LEN + 1];
        cw_date_format(pr.starts, s);
        rc = cw_error_key(err, CW_EINVAL, "before_programme", "date", str(p, "date"), s);
    }
    return rc;
}

typedef struct ack_scan {
    const char *who;
    int found, acknowledged;
} ack_scan;

static cw_rc ack_row(void *ctx, const cw_value *c, size_t n)
{
    ack_scan *a = ctx;
    char id[65];
    if (n >= 3 && cw_value_copy(&c[0], id, sizeof id) > 0 && !strcmp(id, a->who)) {
        a->found = 1;
        a->acknowledged = c[1].type != CW_V_NULL;
    }
    return CW_OK;
}

typedef struct report_get {
    int found;
    cw_date issued_on;
} report_get;

static cw_rc report_get_row(void *ctx, const cw_value *c, size_t n)
{
    report_get *r = ctx;
    if (n < 6)
        return CW_EDB;
    r->found = 1;
    return day_col(&c[1], &r->issued_on);
}

cw_rc cw_casework_check_audit_report_acknowledged(cw_ctx *c, const json_t *p, cw_error *err)
{
    report_get r = {0};
    ack_scan a = {c->actor, 0, 0};
    cw_value k = cw_text(str(p, "report_id"));
    cw_rc rc = cw_store_run(c->store, CW_Q_AUDIT_REPORT_GET, &k, 1, report_get_row, &r, NULL, err);
    if (!rc && !r.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_report", "report_id", str(p, "report_id"), NULL);
    if (!rc)
        rc = cw_store_run(c->store, CW_Q_AUDIT_RECIPIENTS_OF, &k, 1, ack_row, &a, NULL, err);
    if (!rc && !a.found)
        rc =
            cw_error_key(err, CW_EFORBIDDEN, "not_a_recipient", "actor", str(p, "report_id"), NULL);
    if (!rc && a.acknowledged)
        rc = cw_error_key(err, CW_EINVAL, "already_acknowledged", "report_id", str(p, "report_id"),
                          NULL);
    if (!rc && date_of(p, "date") < r.issued_on) {
        char d[CW_DATE_LEN + 1];
        cw_date_format(r.issued_on, d);
        rc = cw_error_key(err, CW_EINVAL, "before_report", "date", str(p, "date"), d);
    }
    return rc;
}

typedef struct action_row {
    int found;
    char programme_id[65], owner[65], status[24];
} action_row;

static cw_rc action_get_row(void *ctx, const cw_value *c, size_t n)
{
    action_row *a = ctx;
    if (n < 6)
        return CW_EDB;
    a->found = 1;
    cw_value_copy(&c[1], a->programme_id, sizeof a->programme_id);
    cw_value_copy(&c[2], a->owner, sizeof a->owner);
    cw_value_copy(&c[4], a->status, sizeof a->status);
    return CW_OK;
}

/* The action, of a programme whose report is issued (actions start with the report). */
static cw_rc need_action(cw_ctx *c, const json_t *p, action_row *a, report_row *r, cw_error *err)
{
    memset(a, 0, sizeof *a);
    cw_value k = cw_text(str(p, "action_id"));
    cw_rc rc = cw_store_run(c->store, CW_Q_AUDIT_ACTION_GET, &k, 1, action_get_row, a, NULL, err);
    if (!rc && !a->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_action", "action_id", str(p, "action_id"), NULL);
    if (!rc)
        rc = report_of(c, a->programme_id, r, err);
    if (!rc && !r->found)
        rc = cw_error_key(err, CW_EINVAL, "report_not_issued", "action_id", str(p, "action_id"),
                          NULL);
    if (!rc && !strcmp(a->status, "closed"))
        rc = cw_error_key(err, CW_EINVAL, "action_closed", "action_id", str(p, "action_id"), NULL);
    if (!rc && date_of(p, "date") < r->issued_on) {
        char d[CW_DATE_LEN + 1];
        cw_date_format(r->issued_on, d);
        rc = cw_error_key(err, CW_EINVAL, "before_report", "date", str(p, "date"), d);
    }
    return rc;
}

/* An update or a completion: the owner's own (or, for an update, a manager above them). */
static cw_rc check_progress(cw_ctx *c, const json_t *p, int completing, cw_error *err)
{
    action_row a;
    report_row r;
    int yes = 0;
    cw_rc rc = need_action(c, p, &a, &r, err);
    if (!rc && strcmp(c->actor, a.owner) && !completing)
        rc = above(c, a.owner, c->actor, &yes, err);
    if (!rc && strcmp(c->actor, a.owner) && !yes)
        rc = cw_error_key(err, CW_EFORBIDDEN, "not_the_owner", "actor", str(p, "action_id"), NULL);
    if (!rc && completing && !strcmp(a.status, "awaiting_sign_off"))
        rc =
            cw_error_key(err, CW_EINVAL, "action_awaiting", "action_id", str(p, "action_id"), NULL);
    return rc;
}

cw_rc cw_casework_check_audit_action_updated(cw_ctx *c, const json_t *p, cw_error *err)
{
    return check_progress(c, p, 0, err);
}

cw_rc cw_casework_check_audit_action_completed(cw_ctx *c, const json_t *p, cw_error *err)
{
    return check_progress(c, p, 1, err);
}

cw_rc cw_casework_check_audit_action_decided(cw_ctx *c, const json_t *p, cw_error *err)
{
    action_row a;
    report_row r;
    int yes = 0;
    cw_rc rc = need_action(c, p, &a, &r, err);
    if (!rc && strcmp(a.status, "awaiting_sign_off"))
        rc = cw_error_key(err, CW_EINVAL, "action_not_awaiting", "action_id", str(p, "action_id"),
                          NULL);
    /* Never the owner: someone above them, the report's issuer, a recipient, the head of
     * service or the director. */
    if (!rc && !strcmp(c->actor, a.owner))
        rc = cw_error_key(err, CW_EFORBIDDEN, "own_action", "actor", str(p, "action_id"), NULL);
    if (!rc && strcmp(c->actor, r.issued_by)) {
        cw_staff_info me;
        ack_scan rcp = {c->actor, 0, 0};
        cw_value k = cw_text(r.report_id);
        if (!(rc = cw_casework_staff(c->store, c->actor, &me, err)) &&
            !(rc = cw_store_run(c->store, CW_Q_AUDIT_RECIPIENTS_OF, &k, 1, ack_row, &rcp, NULL,
                                err)) &&
            !rcp.found &&
            !(me.found && (!strcmp(me.role, "head_of_service") || !strcmp(me.role, "director"))) &&
            !(rc = above(c, a.owner, c->actor, &yes, err)) && !yes)
            rc = cw_error_key(err, CW_EFORBIDDEN, "action_who", "actor", str(p, "action_id"), NULL);
    }
    return rc;
}

/* Applies the report and action events (called from cw_casework_apply_audit). */
static cw_rc apply_report(cw_ctx *c, const char *t, const json_t *p, const char *date,
                          cw_error *err)
{
    cw_value idx = CW_INT(c->idx);
    if (!strcmp(t, "audit_recommendation_made")) {
        int64_t n = 0;
        cw_rc rc = count_of(c, CW_Q_AUDIT_RECOMMENDATION_COUNT, str(p, "programme_id"), &n, err);
        cw_value v[] = {cw_text(str(p, "recommendation_id")),
                        cw_text(str(p, "programme_id")),
                        CW_INT(n + 1),
                        cw_text(str(p, "theme")),
                        cw_text(str(p, "text")),
                        idx};
        return rc ? rc : run(c, CW_Q_AUDIT_RECOMMENDATION_PUT, v, 6, err);
    }
    if (!strcmp(t, "audit_action_set")) {
        rec_row rec;
        int64_t n = 0;
        cw_rc rc = get_rec(c, str(p, "recommendation_id"), &rec, err);
        if (!rc)
            rc = count_of(c, CW_Q_AUDIT_ACTION_COUNT, str(p, "recommendation_id"), &n, err);
        cw_value v[] = {cw_text(str(p, "action_id")), cw_text(str(p, "recommendation_id")),
                        cw_text(rec.programme_id),    CW_INT(n + 1),
                        cw_text(str(p, "text")),      cw_text(str(p, "owner_id")),
                        cw_text(str(p, "due")),       idx};
        return rc ? rc : run(c, CW_Q_AUDIT_ACTION_PUT, v, 8, err);
    }
    if (!strcmp(t, "audit_report_issued")) {
        cw_value v[] = {cw_text(str(p, "report_id")),
                        cw_text(str(p, "programme_id")),
                        cw_text(date),
                        cw_text(c->actor),
                        CW_INT(json_integer_value(json_object_get(p, "acknowledge_within"))),
                        cw_text(str(p, "content_sha256")),
                        idx};
        cw_rc rc = run(c, CW_Q_AUDIT_REPORT_PUT, v, 7, err);
        const json_t *to = json_object_get(p, "recipients");
        for (size_t i = 0; !rc && i < json_array_size(to); i++) {
            cw_value r[] = {cw_text(str(p, "report_id")),
                            cw_text(json_string_value(json_array_get(to, i)))};
            rc = run(c, CW_Q_AUDIT_RECIPIENT_PUT, r, 2, err);
        }
        return rc;
    }
    if (!strcmp(t, "audit_report_acknowledged")) {
        cw_value v[] = {cw_text(str(p, "report_id")), cw_text(c->actor), cw_text(date), idx};
        return run(c, CW_Q_AUDIT_RECIPIENT_ACK, v, 4, err);
    }
    cw_value action = cw_text(str(p, "action_id"));
    if (!strcmp(t, "audit_action_updated") || !strcmp(t, "audit_action_returned")) {
        cw_value v[] = {action, cw_text("in_progress"), cw_text(date)};
        return run(c, CW_Q_AUDIT_ACTION_SET_STATUS, v, 3, err);
    }
    if (!strcmp(t, "audit_action_completed")) {
        cw_value v[] = {action, cw_text(date), idx};
        return run(c, CW_Q_AUDIT_ACTION_COMPLETE, v, 3, err);
    }
    if (!strcmp(t, "audit_action_signed_off")) {
        cw_value v[] = {action, cw_text(date), cw_text(c->actor), idx};
        return run(c, CW_Q_AUDIT_ACTION_CLOSE, v, 4, err);
    }
    return CW_OK;
}

/* ---- a critical finding, told at once ---- */

typedef struct idx_scan {
    int64_t *at;
} idx_scan;

/* A finding's row: its entry (the audit_case_completed that opened it). */
static cw_rc finding_idx_row(void *ctx, const cw_value *c, size_t n)
{
    idx_scan *s = ctx;
    if (n >= 2 && c[1].type == CW_V_INT)
        *s->at = c[1].i;
    return CW_OK;
}

/* The first current holder of role up the chain from staff_id (staff_id itself included). */
static cw_rc holder_above(cw_store *s, const char *staff_id, const char *role, char out[65],
                          cw_error *err)
{
    char cur[65];
    cw_rc rc = CW_OK;
    out[0] = '\0';
    snprintf(cur, sizeof cur, "%s", staff_id);
    for (int depth = 0; !rc && depth < 64 && cur[0]; depth++) {
        cw_staff_info si;
        if ((rc = cw_casework_staff(s, cur, &si, err)) || !si.found)
            break;
        if (!si.left && !strcmp(si.role, role)) {
            snprintf(out, 65, "%s", cur);
            break;
        }
        snprintf(cur, sizeof cur, "%s", si.manager);
    }
    return rc;
}

static cw_rc first_in_post(void *ctx, const cw_value *c, size_t n)
{
    char *out = ctx;
    if (!out[0] && n >= 1)
        cw_value_copy(&c[0], out, 65);
    return CW_OK;
}

static cw_rc tell(cw_ledger *l, const char *child, const char *item, const char *who,
                  const char *date, cw_error *err)
{
    json_t *e = json_pack("{s:s, s:s, s:i, s:s, s:s, s:i}", "item", item, "child_id", child,
                          "level", 1, "notified_id", who, "as_of", date, "days_overdue", 0);
    if (!e)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_event ev = {"system:escalation", "escalation_raised", e};
    cw_rc rc = cw_casework_submit(l, &ev, NULL, err);
    json_decref(e);
    return rc;
}

cw_rc cw_casework_audit_finding_told(cw_ledger *l, const cw_ctx *c, const json_t *p, cw_error *err)
{
    if (json_is_true(json_object_get(p, "moderation")))
        return CW_OK;
    int64_t at = -1;
    cw_value k[] = {cw_text(str(p, "programme_id")), cw_text(str(p, "child_id"))};
    idx_scan is = {&at};
    cw_rc rc =
        cw_store_run(c->store, CW_Q_AUDIT_FINDING_GET, k, 2, finding_idx_row, &is, NULL, err);
    if (rc || at != (int64_t)c->idx)
        return rc; /* nothing critical, or a finding opened before (not this audit's) */
    programme pr;
    cw_ctx cc = *c;
    if ((rc = need_programme(&cc, p, &pr, err)))
        return rc;
    cw_child_info ci;
    if ((rc = cw_casework_child(c->store, str(p, "child_id"), &ci, err)))
        return rc;
    static const char *const roles[] = {"team_manager", "service_manager"};
    char told[3][65] = {"", "", ""};
    for (size_t i = 0; !rc && i < 2 && ci.worker[0]; i++)
        rc = holder_above(c->store, ci.worker, roles[i], told[i], err);
    cw_staff_info am = {0};
    if (!rc && pr.area_manager[0] &&
        !(rc = cw_casework_staff(c->store, pr.area_manager, &am, err)) && am.found && !am.left)
        snprintf(told[2], sizeof told[2], "%s", pr.area_manager);
    static const char *const what[] = {"team_manager", "service_manager", "area_manager"};
    int any = 0;
    char item[200];
    for (size_t i = 0; !rc && i < 3; i++) {
        if (!told[i][0] || (i == 2 && (!strcmp(told[2], told[0]) || !strcmp(told[2], told[1]))))
            continue;
        snprintf(item, sizeof item, "audit_finding:%s:%s", str(p, "programme_id"), what[i]);
        rc = tell(l, str(p, "child_id"), item, told[i], str(p, "date"), err);
        any = 1;
    }
    if (!rc && !any) {
        char hos[65] = "";
        cw_value r = cw_text("head_of_service");
        if (!(rc = cw_store_run(c->store, CW_Q_STAFF_IN_POST, &r, 1, first_in_post, hos, NULL,
                                err)) &&
            hos[0]) {
            snprintf(item, sizeof item, "audit_finding:%s:head_of_service", str(p, "programme_id"));
            rc = tell(l, str(p, "child_id"), item, hos, str(p, "date"), err);
        }
    }
    return rc;
}
