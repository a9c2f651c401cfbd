/*
 * signoff.c — management sign-off as the approver's own act (docs/events.md,
 * "Sign-off").
 *
 * Work of a sign-off kind (an assessment completed, a referral decision, a
 * case closure, a plan, a CSE band override, a supervision recorded by the
 * supervisee) recorded while the log's sign_off_policy names its kind is
 * *submitted*: it does not count for the rules until an eligible manager
 * records work_signed_off (or work_returned, with a reason) in their own
 * session. The state lives in the signoffs table, one row per work entry:
 *
 *   pending     submitted, awaiting a decision
 *   signed_off  signed off by decided_by on decided_on (entry decided_idx)
 *   returned    returned by decided_by; the work does not count (a
 *               correction of it submits it again)
 *   claimed     the entry itself names who signed it off (signed_off_by,
 *               decided_by): history migrated from another system, or
 *               recorded before the policy; read as it says
 *   not_needed  the policy does not name the kind, or a manager's decision
 *               recorded by the manager (a referral decision, a closure, a
 *               plan, an override) is their own act
 *
 * The row is decided when its entry is first applied, from the policy and
 * the staff table as they stood at that point of the log, so a rebuild
 * decides the same; a re-projection of the child reads it, never redecides.
 */
#include <stdio.h>
#include <string.h>

#include "casework/casework_int.h"
#include "util/signoff.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

/* The sign-off kind of an entry (util/signoff.h), or NULL: a CSE risk assessment is
 * cse_override when it overrides the band, every other kind is the event's own type. */
static const char *signoff_kind(const char *type, const json_t *p)
{
    if (!strcmp(type, "cse_risk_assessment"))
        return str(p, "override_band") ? "cse_override" : NULL;
    for (const char *const *k = cw_sign_off_kinds; *k; k++)
        if (!strcmp(type, *k))
            return *k;
    return NULL;
}

static cw_rc row(void *ctx, const cw_value *c, size_t n)
{
    cw_signoff *so = ctx;
    char buf[16];
    if (n < 8)
        return CW_EDB;
    so->found = 1;
    cw_value_copy(&c[0], so->kind, sizeof so->kind);
    cw_value_copy(&c[1], so->child, sizeof so->child);
    cw_value_copy(&c[2], so->submitted_by, sizeof so->submitted_by);
    if (cw_value_copy(&c[3], buf, sizeof buf) > 0)
        cw_date_parse(buf, strlen(buf), &so->submitted_on);
    cw_value_copy(&c[4], so->state, sizeof so->state);
    cw_value_copy(&c[5], so->decided_by, sizeof so->decided_by);
    if (cw_value_copy(&c[6], buf, sizeof buf) > 0)
        cw_date_parse(buf, strlen(buf), &so->decided_on);
    so->decided_idx = c[7].type == CW_V_INT ? c[7].i : -1;
    return CW_OK;
}

cw_rc cw_casework_signoff(cw_store *s, uint64_t idx, cw_signoff *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    out->idx = idx;
    out->decided_idx = -1;
    cw_value k = CW_INT(idx);
    return cw_store_run(s, CW_Q_SIGNOFF_GET, &k, 1, row, out, NULL, err);
}

static cw_rc policy_row(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 1)
        cw_value_copy(&c[0], ctx, 256);
    return CW_OK;
}

/* Whether the policy in force names kind. */
static cw_rc policy_names(cw_store *s, const char *kind, int *yes, cw_error *err)
{
    char list[256] = "";
    cw_value k = cw_text("sign_off");
    cw_rc rc = cw_store_run(s, CW_Q_POLICY_GET, &k, 1, policy_row, list, NULL, err);
    *yes = 0;
    size_t n = strlen(kind);
    for (const char *p = list; !rc && *p;) {
        size_t w = strcspn(p, ",");
        if (w == n && !memcmp(p, kind, n))
            *yes = 1;
        p += w + (p[w] == ',');
    }
    return rc;
}

static int is_manager(const char *role)
{
    return !strcmp(role, "team_manager") || !strcmp(role, "service_manager") ||
           !strcmp(role, "head_of_service");
}

cw_rc cw_casework_signoff_decide(cw_ctx *c, const char *type, const json_t *p, const char *child,
                                 cw_signoff *out, cw_error *err)
{
    const char *kind = signoff_kind(type, p);
    memset(out, 0, sizeof *out);
    if (!kind)
        return CW_OK;
    cw_rc rc = cw_casework_signoff(c->store, c->idx, out, err);
    if (rc || out->found)
        return rc;
    const char *state = "not_needed", *by = NULL;
    char on[CW_DATE_LEN + 1] = "";
    int named = 0;
    if ((rc = policy_names(c->store, kind, &named, err)))
        return rc;
    const char *claim = !strcmp(type, "assessment_completed") ? str(p, "signed_off_by")
                        : !strcmp(type, "referral_decided")   ? str(p, "decided_by")
                                                              : NULL;
    if (claim) {
        state = "claimed";
        by = claim;
        cw_date_format(cw_casework_effective_date(p, c->recorded_ms), on);
    } else if (!named) {
        state = "not_needed";
    } else if (!strcmp(kind, "supervision_held")) {
        /* the supervisor's own record stands; the supervisee's awaits the supervisor */
        const char *sub = str(p, "supervisee_id");
        state = sub && !strcmp(sub, c->actor) ? "pending" : "not_needed";
    } else if (!strcmp(kind, "assessment_completed")) {
        state = "pending";
    } else {
        /* a manager's own decision (a referral, a closure, a plan, an override) stands */
        cw_staff_info si;
        if ((rc = cw_casework_staff(c->store, c->actor, &si, err)))
            return rc;
        state = si.found && is_manager(si.role) ? "not_needed" : "pending";
    }
    char day[CW_DATE_LEN + 1]; /* submitted: the day recorded; a claim, the entry's own day */
    if (on[0])
        memcpy(day, on, sizeof day);
    else
        cw_date_format(c->recorded, day);
    cw_value v[] = {CW_INT(c->idx), cw_text(child && child[0] ? child : NULL),
                    cw_text(kind),  cw_text(c->actor),
                    cw_text(day),   cw_text(state),
                    cw_text(by),    cw_text(on[0] ? on : NULL)};
    if ((rc = cw_store_run(c->store, CW_Q_SIGNOFF_PUT, v, 8, NULL, NULL, NULL, err)))
        return rc;
    return cw_casework_signoff(c->store, c->idx, out, err);
}

cw_rc cw_casework_may_sign_off(cw_store *s, uint64_t idx, const char *staff_id, cw_date on,
                               cw_error *err)
{
    cw_signoff so;
    cw_staff_info me;
    char at[24];
    snprintf(at, sizeof at, "%llu", (unsigned long long)idx);
    cw_rc rc = cw_casework_signoff(s, idx, &so, err);
    if (rc)
        return rc;
    if (!so.found)
        return cw_error_key(err, CW_EINVAL, "not_signoff_work", "entry", at, NULL);
    if (strcmp(so.state, "pending") != 0)
        return cw_error_key(err, CW_EINVAL,
                            !strcmp(so.state, "signed_off") ? "signed_off_already"
                            : !strcmp(so.state, "returned") ? "returned_already"
                                                            : "no_signoff_needed",
                            "entry", at, NULL);
    if (!strcmp(so.submitted_by, staff_id))
        return cw_error_key(err, CW_EFORBIDDEN, "own_work", "entry", NULL, NULL);
    if ((rc = cw_casework_staff(s, staff_id, &me, err)))
        return rc;
    if (!me.found || me.left)
        return cw_error_key(err, CW_EFORBIDDEN, "not_current_staff", "actor", staff_id, NULL);
    if (!strcmp(so.kind, "supervision_held")) {
        entry_view e;
        if ((rc = cw_casework_read_entry(s, idx, &e, err)))
            return rc;
        const char *sup = str(e.payload, "supervisor_id");
        int ok = sup && !strcmp(sup, staff_id);
        json_decref(e.root);
        return ok ? CW_OK
                  : cw_error_key(err, CW_EFORBIDDEN, "supervisor_confirms", "entry", NULL, NULL);
    }
    if (!is_manager(me.role))
        return cw_error_key(err, CW_EFORBIDDEN, "signoff_manager_above", "entry", so.submitted_by,
                            me.role);
    if (!strcmp(me.role, "head_of_service"))
        return CW_OK; /* the top of every chain in children's services */
    /* Up the chain from the recorder: the manager themselves, or a manager's named deputy on
     * the day. */
    char cur[65], day[CW_DATE_LEN + 1];
    cw_staff_info si;
    cw_date_format(on, day);
    snprintf(cur, sizeof cur, "%s", so.submitted_by);
    for (int depth = 0; depth < 64; depth++) {
        if ((rc = cw_casework_staff(s, cur, &si, err)))
            return rc;
        if (!si.found || !si.manager[0])
            break;
        int deputy = !strcmp(si.manager, staff_id);
        cw_value v[] = {cw_text(si.manager), cw_text(staff_id), cw_text(day)};
        if (!deputy && (rc = cw_store_exists(s, CW_Q_DEPUTY_HAS, v, 3, &deputy, err)))
            return rc;
        if (deputy)
            return CW_OK;
        memcpy(cur, si.manager, sizeof cur);
    }
    return cw_error_key(err, CW_EFORBIDDEN, "not_above", "entry", so.submitted_by, NULL);
}

static cw_rc max_row(void *ctx, const cw_value *c, size_t n)
{
    uint64_t *v = ctx;
    if (n >= 1 && c[0].type == CW_V_INT && (uint64_t)c[0].i > *v)
        *v = (uint64_t)c[0].i;
    return CW_OK;
}

cw_rc cw_casework_version(cw_store *s, uint64_t idx, uint64_t *version, cw_signoff *so,
                          cw_error *err)
{
    cw_signoff own;
    cw_value k = CW_INT(idx);
    if (!so)
        so = &own;
    *version = idx;
    cw_rc rc = cw_store_run(s, CW_Q_CORRECTIONS_OF, &k, 1, max_row, version, NULL, err);
    if (!rc)
        rc = cw_casework_signoff(s, idx, so, err);
    if (!rc && so->found && so->decided_idx >= 0 && (uint64_t)so->decided_idx > *version)
        *version = (uint64_t)so->decided_idx;
    return rc;
}

cw_rc cw_casework_adopt_policy(cw_ledger *l, const char *kinds, const char *actor, int *recorded,
                               cw_error *err)
{
    char now[256] = "";
    cw_value k = cw_text("sign_off");
    *recorded = 0;
    cw_rc rc = cw_store_run(cw_ledger_store(l), CW_Q_POLICY_GET, &k, 1, policy_row, now, NULL, err);
    if (rc || !strcmp(now, kinds))
        return rc;
    json_t *list = json_array();
    for (const char *p = kinds; list && *p;) {
        size_t w = strcspn(p, ",");
        json_array_append_new(list, json_stringn(p, w));
        p += w + (p[w] == ',');
    }
    json_t *payload = list ? json_pack("{s:o}", "sign_off", list) : NULL;
    if (!payload)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_event ev = {actor, "sign_off_policy", payload};
    rc = cw_casework_submit_alone(l, &ev, err);
    json_decref(payload);
    *recorded = !rc;
    return rc;
}
