/*
 * access.c — who may see and change which child's record (docs/api.md,
 * "Roles and scope"). One function, consulted by the pipeline for every
 * route whose path names a child; a route's roles say who may use it at
 * all, this says for which children.
 *
 *   restricted record   hidden from other staff, never from oversight: the
 *                       staff named on it (child_access), its allocated worker,
 *                       the management chain above that worker, the head of
 *                       service and inspectors (reading); a named social
 *                       worker still changes only their own cases
 *   head of service     every child
 *   inspector           every child, read only (routes give inspectors no
 *                       writes), until the account expires
 *   service manager     children whose worker's team is in their service area,
 *                       or whose worker's manager reports to them, and
 *                       unallocated children
 *   team manager        children allocated to their team or to someone they
 *                       manage, and unallocated ones
 *   social worker       read: their own cases and their team's; change: their own
 *   an auditor          reads the cases drawn (or added) for them to audit or
 *                       moderate, while the programme runs (docs/audits.md), whatever
 *                       their role; a QA auditor sees no other case
 */
#include <string.h>

#include "http/http_int.h"
#include "util/time.h"

typedef struct scope {
    int found;
    char worker[65];
    int restricted;
    char team[65];
    char area[101];
    char manager[65], manager2[65]; /* the worker's manager, and theirs */
} scope;

static cw_rc scope_row(void *ctx, const cw_value *c, size_t n)
{
    scope *x = ctx;
    if (n < 6)
        return CW_EVERIFY;
    x->found = 1;
    cw_value_copy(&c[0], x->worker, sizeof x->worker);
    x->restricted = c[1].type == CW_V_INT && c[1].i != 0;
    cw_value_copy(&c[2], x->team, sizeof x->team);
    cw_value_copy(&c[3], x->area, sizeof x->area);
    cw_value_copy(&c[4], x->manager, sizeof x->manager);
    cw_value_copy(&c[5], x->manager2, sizeof x->manager2);
    return CW_OK;
}

static cw_rc manager_row(void *ctx, const cw_value *c, size_t n)
{
    char *next = ctx;
    if (n >= 3)
        cw_value_copy(&c[2], next, 65);
    return CW_OK;
}

/* *yes = whether staff_id is first, or anywhere above first, in the management chain. */
static cw_rc chain_has(cw_store *st, const char *first, const char *staff_id, int *yes,
                       cw_error *err)
{
    char cur[65];
    snprintf(cur, sizeof cur, "%s", first);
    *yes = 0;
    for (int depth = 0; depth < 64 && cur[0]; depth++) {
        if (!strcmp(cur, staff_id)) {
            *yes = 1;
            return CW_OK;
        }
        cw_value k = cw_text(cur);
        char next[65] = "";
        cw_rc rc = cw_store_run(st, CW_Q_STAFF_GET, &k, 1, manager_row, next, NULL, err);
        if (rc)
            return rc;
        memcpy(cur, next, sizeof cur);
    }
    return CW_OK;
}

static cw_rc scope_of(cw_ledger *ro, const principal *who, const char *child_id, int write,
                      cw_error *err)
{
    cw_store *st = cw_ledger_store(ro);
    scope x = {0};
    cw_value k = cw_text(child_id);
    cw_rc rc = cw_store_run(st, CW_Q_CHILD_SCOPE, &k, 1, scope_row, &x, NULL, err);
    if (rc)
        return rc;
    /* Unknown and out of scope read alike to whoever may not see every child. */
    if (!x.found)
        return cw_error_key(err, CW_ENOTFOUND, "no_child_you_see", "id", child_id, NULL);
    const char *refused = write ? "not_yours_change" : "not_yours_see";
    int own = who->staff_id[0] && !strcmp(x.worker, who->staff_id);
    if (x.restricted) {
        /* Hidden from other staff, never from oversight: the head of service, an inspector
         * (reading), and the management chain above the allocated worker keep it. */
        if (who->role == R_HEAD_OF_SERVICE)
            return CW_OK;
        if (who->role == R_INSPECTOR)
            return write ? cw_error_key(err, CW_EFORBIDDEN, refused, "id", child_id, NULL) : CW_OK;
        int above = 0;
        if (who->staff_id[0] && (who->role & R_MANAGERS) &&
            (rc = chain_has(st, x.manager, who->staff_id, &above, err)))
            return rc;
        if (above)
            return CW_OK;
        int named = own;
        cw_value v[] = {k, cw_text(who->staff_id)};
        if (!named && who->staff_id[0] &&
            (rc = cw_store_exists(st, CW_Q_CHILD_ACCESS_HAS, v, 2, &named, err)))
            return rc;
        int ok = named && (!write || own || (who->role & R_MANAGERS));
        return ok ? CW_OK : cw_error_key(err, CW_EFORBIDDEN, refused, "id", child_id, NULL);
    }
    int unallocated = x.worker[0] == '\0';
    int manages = who->staff_id[0] && !strcmp(x.manager, who->staff_id);
    int manages2 = manages || (who->staff_id[0] && !strcmp(x.manager2, who->staff_id));
    int ok = 0;
    switch (who->role) {
    case R_HEAD_OF_SERVICE:
        ok = 1;
        break;
    case R_INSPECTOR:
        ok = !write;
        break;
    case R_SERVICE_MANAGER:
        ok =
            unallocated || manages2 || (who->service_area[0] && !strcmp(x.area, who->service_area));
        break;
    case R_TEAM_MANAGER:
        ok = unallocated || manages || (who->team_id[0] && !strcmp(x.team, who->team_id));
        break;
    case R_SOCIAL_WORKER:
        ok = own || (!write && who->team_id[0] && !strcmp(x.team, who->team_id));
        break;
    default: /* QA auditors (only the cases drawn for them, above), administrators (no case
              * content) */
        ok = 0;
    }
    return ok ? CW_OK : cw_error_key(err, CW_EFORBIDDEN, refused, "id", child_id, NULL);
}

cw_rc cw_access_team(cw_ledger *ro, const principal *who, const char *team_id,
                     const char *service_area, cw_error *err)
{
    int ok = who->role == R_HEAD_OF_SERVICE || who->role == R_INSPECTOR ||
             (who->role == R_TEAM_MANAGER && !strcmp(who->team_id, team_id)) ||
             (who->role == R_SERVICE_MANAGER && who->service_area[0] &&
              !strcmp(who->service_area, service_area));
    if (!ok && (who->role & (R_TEAM_MANAGER | R_SERVICE_MANAGER)) && who->staff_id[0]) {
        cw_value v[] = {cw_text(team_id), cw_text(who->staff_id)};
        cw_rc rc = cw_store_exists(cw_ledger_store(ro), CW_Q_TEAM_REPORTS_TO, v, 2, &ok, err);
        if (rc)
            return rc;
    }
    return ok ? CW_OK : cw_error_key(err, CW_EFORBIDDEN, "team_not_yours", "team", team_id, NULL);
}

typedef struct team_row_ctx {
    int found;
    char *area;
} team_row_ctx;

static cw_rc team_row(void *ctx, const cw_value *c, size_t n)
{
    team_row_ctx *t = ctx;
    t->found = 1;
    if (n >= 1)
        cw_value_copy(&c[0], t->area, 101);
    return CW_OK;
}

cw_rc cw_team_area(cw_ledger *ro, const char *team_id, char area[101], int *found, cw_error *err)
{
    team_row_ctx t = {0, area};
    area[0] = '\0';
    cw_value k = cw_text(team_id);
    cw_rc rc = cw_store_run(cw_ledger_store(ro), CW_Q_TEAM_AREA, &k, 1, team_row, &t, NULL, err);
    if (found)
        *found = t.found;
    return rc;
}

int cw_access_scope_free(const principal *who, const char *type)
{
    return who->role == R_DATA_PROTECTION &&
           (!strncmp(type, "erasure_", 8) || !strncmp(type, "legal_hold_", 11));
}

cw_rc cw_access_child(cw_ledger *ro, const principal *who, const char *child_id, int write,
                      cw_error *err)
{
    return cw_access_child_as(ro, who, child_id, write, 1, err);
}

cw_rc cw_access_child_as(cw_ledger *ro, const principal *who, const char *child_id, int write,
                         int audit, cw_error *err)
{
    cw_rc rc = scope_of(ro, who, child_id, write, err);
    if (rc != CW_EFORBIDDEN || write || !audit || !who->staff_id[0])
        return rc;
    /* Refused by role and team: an auditor still reads the cases drawn for them while their
     * programme runs, restricted ones added by hand included (given to them by name). */
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), today);
    cw_value v[] = {cw_text(child_id), cw_text(who->staff_id), cw_text(today)};
    int auditing = 0;
    cw_error keep = *err;
    cw_rc a = cw_store_exists(cw_ledger_store(ro), CW_Q_AUDIT_ACCESS, v, 3, &auditing, err);
    if (a)
        return a;
    if (auditing)
        return CW_OK;
    *err = keep;
    return rc;
}
