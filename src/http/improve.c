/*
 * improve.c — the read API of improvement plans (src/improve/, docs/api.md
 * "Improvement plans"). Plans are recorded through POST /api/v1/commands/{type}
 * (the catalogue checks who may write); these routes read the plans folded
 * from the log.
 *
 * Who reads what (the route table lets in case readers: staff, QA auditors,
 * inspectors; administrators and the data protection officer are refused there):
 *   - the director and the head of service, service managers, QA auditors and
 *     inspectors read every plan in full;
 *   - a plan's board members (any board role, on today) read that plan in full;
 *   - anyone else reads only the plans with actions they own, and within them
 *     only those actions ("filtered": true; no budget, no money history).
 * Plans never name a child, so no read is recorded in a record's access log; a
 * refusal to someone signed in is recorded, as every refusal is.
 */
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "http/http_int.h"
#include "improve/improve.h"
#include "util/time.h"

/* What the caller may see of a plan. */
enum { SEE_NONE = 0, SEE_OWN, SEE_ALL };

/* The caller and the state they read. */
typedef struct reader {
    cw_improve *st;
    const cw_calendar *cal;
    const char *me; /* staff id, "" for a role account */
    char role[32];  /* staff role (staff_added's), "" for a role account */
    cw_date today;
} reader;

static cw_date today_utc(void)
{
    return (cw_date)(cw_time_now_ms() / 86400000);
}

static cw_rc open_reader(cw_http_srv *s, req *r, reader *rd, cw_error *err)
{
    memset(rd, 0, sizeof *rd);
    rd->me = r->who.staff_id;
    rd->today = today_utc();
    rd->cal = cw_improve_calendar() ? cw_improve_calendar() : &s->cal;
    cw_store *store = cw_ledger_store(r->ro);
    if (rd->me[0]) {
        cw_staff_info si;
        cw_rc rc = cw_casework_staff(store, rd->me, &si, err);
        if (rc)
            return rc;
        if (si.found && !si.left)
            snprintf(rd->role, sizeof rd->role, "%s", si.role);
    }
    return cw_improve_load_upto(store, cw_ledger_size(r->ro), 0, &rd->st, err);
}

static void close_reader(reader *rd)
{
    cw_improve_free(rd->st);
    rd->st = NULL;
}

/* The roles that oversee every plan. */
static int overseer(const req *r)
{
    return (r->who.role & (R_HEAD_OF_SERVICE | R_SERVICE_MANAGER | R_QA_AUDITOR | R_INSPECTOR)) !=
           0;
}

static int owns_action_in(const reader *rd, const char *plan_id)
{
    if (!rd->me[0])
        return 0;
    for (size_t i = 0; i < rd->st->nactions; i++)
        if (!strcmp(rd->st->actions[i].plan, plan_id) && !strcmp(rd->st->actions[i].owner, rd->me))
            return 1;
    return 0;
}

static int sees(const req *r, const reader *rd, const char *plan_id)
{
    if (overseer(r))
        return SEE_ALL;
    if (rd->me[0] && cw_improve_member(rd->st, plan_id, rd->me, rd->today))
        return SEE_ALL;
    return owns_action_in(rd, plan_id) ? SEE_OWN : SEE_NONE;
}

static int editable(const reader *rd, const char *plan_id)
{
    return rd->me[0] && rd->role[0] &&
           cw_improve_editor(rd->st, plan_id, rd->me, rd->role, rd->today);
}

/* as_of=YYYY-MM-DD, default today. */
static cw_rc as_of(req *r, cw_date *out, cw_error *err)
{
    const char *v = cw_http_query(r, "as_of");
    if (!v) {
        *out = today_utc();
        return CW_OK;
    }
    if (cw_date_parse(v, strlen(v), out))
        return cw_error_key(err, CW_EINVAL, "param_date", "as_of", NULL, NULL);
    return CW_OK;
}

/* A refusal to someone signed in is recorded in the log, like every other (docs/api.md). */
static cw_rc refuse(cw_http_srv *s, req *r, const char *plan_id, cw_error *err)
{
    cw_error_key(err, CW_EFORBIDDEN, "imp_not_reader", "plan_id", plan_id, NULL);
    cw_error keep = *err;
    cw_http_record_access(s, r, NULL, 0, 403);
    *err = keep;
    return CW_EFORBIDDEN;
}

static cw_rc oom(cw_error *err)
{
    return cw_error_set(err, CW_ENOMEM, "out of memory");
}

/*
 * Keeps only the caller's own actions in a plan's JSON (and the points and recommendations
 * that hold them), counts those, and drops the plan's budget: the view of someone who owns
 * actions in a plan they do not oversee.
 */
static void keep_own(json_t *plan, const char *me)
{
    json_t *recs = json_object_get(plan, "recommendations");
    const char *day = json_string_value(json_object_get(plan, "as_of"));
    json_int_t total = 0, due = 0, complete = 0, red = 0, amber = 0, green = 0;
    for (size_t i = json_array_size(recs); i-- > 0;) {
        json_t *pts = json_object_get(json_array_get(recs, i), "points");
        for (size_t j = json_array_size(pts); j-- > 0;) {
            json_t *acts = json_object_get(json_array_get(pts, j), "actions");
            for (size_t k = json_array_size(acts); k-- > 0;) {
                json_t *a = json_array_get(acts, k);
                const char *owner = json_string_value(json_object_get(a, "owner_id"));
                if (!owner || strcmp(owner, me)) {
                    json_array_remove(acts, k);
                    continue;
                }
                const char *rag = json_string_value(json_object_get(a, "rag"));
                const char *d = json_string_value(json_object_get(a, "due"));
                total++;
                due += d && day && strcmp(d, day) <= 0;
                complete += rag && !strcmp(rag, "complete");
                red += rag && !strcmp(rag, "red");
                amber += rag && !strcmp(rag, "amber");
                green += rag && !strcmp(rag, "green");
            }
            if (!json_array_size(acts))
                json_array_remove(pts, j);
        }
        if (!json_array_size(pts))
            json_array_remove(recs, i);
    }
    json_object_set_new(plan, "counts",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "actions", total, "due",
                                  due, "complete", complete, "late", red, "red", red, "amber",
                                  amber, "green", green));
    json_object_set_new(plan, "budget", json_null());
    /* Who sits on the board and what it was told are the board's and the overseers'. */
    json_object_set_new(plan, "board", json_array());
    json_object_set_new(plan, "reports", json_array());
}

/* The plan's JSON as the caller may see it, with "filtered". */
static json_t *plan_view(const reader *rd, const cw_imp_plan *pl, int see, cw_date day)
{
    json_t *o = cw_improve_plan_json(rd->st, pl, rd->cal, day);
    if (!o)
        return NULL;
    if (see == SEE_OWN)
        keep_own(o, rd->me);
    json_object_set_new(o, "filtered", json_boolean(see == SEE_OWN));
    return o;
}

static const cw_imp_inspection *inspection_of(const cw_improve *st, const char *id)
{
    for (size_t i = 0; id && id[0] && i < st->ninspections; i++)
        if (!strcmp(st->inspections[i].id, id))
            return &st->inspections[i];
    return NULL;
}

/* ---- GET /api/v1/improvement ---- */

cw_rc cw_http_improvement(cw_http_srv *s, req *r, cw_error *err)
{
    reader rd;
    cw_rc rc = open_reader(s, r, &rd, err);
    if (rc) {
        close_reader(&rd);
        return rc;
    }
    json_t *plans = json_array(), *inspections = json_array();
    cw_date day = rd.today;
    char *seen = calloc(rd.st->ninspections + 1, 1);
    if (!seen)
        rc = oom(err);
    for (size_t i = 0; !rc && plans && i < rd.st->nplans; i++) {
        const cw_imp_plan *pl = &rd.st->plans[i];
        int see = sees(r, &rd, pl->id);
        if (see == SEE_NONE)
            continue;
        for (size_t k = 0; k < rd.st->ninspections; k++)
            seen[k] |= !strcmp(rd.st->inspections[k].id, pl->inspection);
        json_t *v = plan_view(&rd, pl, see, day);
        if (!v) {
            rc = oom(err);
            break;
        }
        json_t *b = json_object_get(v, "budget"), *row = json_object();
        json_t *totals = json_is_object(b) ? json_pack("{s:O, s:O, s:O}", "allocated",
                                                       json_object_get(b, "allocated"), "committed",
                                                       json_object_get(b, "committed"), "spent",
                                                       json_object_get(b, "spent"))
                                           : json_null();
        static const char *const keep[] = {"plan_id",   "title", "inspection_id", "owner_id", "due",
                                           "submitted", "late",  "counts",        "filtered", NULL};
        for (size_t k = 0; row && keep[k]; k++)
            json_object_set(row, keep[k], json_object_get(v, keep[k]));
        if (row)
            json_object_set_new(row, "budget", totals);
        else
            json_decref(totals);
        json_object_set_new(row, "editable", json_boolean(editable(&rd, pl->id)));
        json_decref(v);
        if (!row || json_array_append_new(plans, row)) {
            rc = oom(err);
            break;
        }
    }
    for (size_t k = 0; !rc && inspections && k < rd.st->ninspections; k++)
        if (overseer(r) || seen[k])
            json_array_append_new(inspections,
                                  cw_improve_inspection_json(rd.st, &rd.st->inspections[k]));
    free(seen);
    close_reader(&rd);
    if (!rc && (!plans || !inspections))
        rc = oom(err);
    if (rc) {
        json_decref(plans);
        json_decref(inspections);
        return rc;
    }
    char d[CW_DATE_LEN + 1];
    cw_date_format(day, d);
    cw_resp_json(
        r, 200,
        json_pack("{s:s, s:o, s:o}", "as_of", d, "inspections", inspections, "plans", plans));
    return CW_OK;
}

/* ---- GET /api/v1/improvement/plans/{plan} ---- */

cw_rc cw_http_improvement_plan(cw_http_srv *s, req *r, cw_error *err)
{
    cw_date day;
    cw_rc rc = as_of(r, &day, err);
    if (rc)
        return rc;
    reader rd;
    if ((rc = open_reader(s, r, &rd, err))) {
        close_reader(&rd);
        return rc;
    }
    const cw_imp_plan *pl = cw_improve_plan(rd.st, r->param[0]);
    int see = pl ? sees(r, &rd, pl->id) : SEE_NONE;
    json_t *o = NULL;
    if (!pl)
        rc = cw_error_key(err, CW_ENOTFOUND, "imp_no_plan", "plan_id", r->param[0], NULL);
    else if (see == SEE_NONE)
        rc = refuse(s, r, pl->id, err);
    else if (!(o = plan_view(&rd, pl, see, day)))
        rc = oom(err);
    if (!rc) {
        const cw_imp_inspection *in = inspection_of(rd.st, pl->inspection);
        json_object_set_new(o, "editable", json_boolean(editable(&rd, pl->id)));
        json_object_set_new(o, "inspection",
                            in ? cw_improve_inspection_json(rd.st, in) : json_null());
        cw_resp_json(r, 200, o);
    }
    close_reader(&rd);
    return rc;
}

/* ---- GET /api/v1/improvement/actions/{action} ---- */

cw_rc cw_http_improvement_action(cw_http_srv *s, req *r, cw_error *err)
{
    cw_date day;
    cw_rc rc = as_of(r, &day, err);
    if (rc)
        return rc;
    reader rd;
    if ((rc = open_reader(s, r, &rd, err))) {
        close_reader(&rd);
        return rc;
    }
    const cw_imp_action *a = cw_improve_action(rd.st, r->param[0]);
    const cw_imp_plan *pl = a ? cw_improve_plan(rd.st, a->plan) : NULL;
    int see = pl ? sees(r, &rd, pl->id) : SEE_NONE;
    int mine = a && rd.me[0] && !strcmp(a->owner, rd.me);
    if (!a || !pl)
        rc = cw_error_key(err, CW_ENOTFOUND, "imp_no_action", "action_id", r->param[0], NULL);
    else if (see == SEE_NONE || (see == SEE_OWN && !mine))
        rc = refuse(s, r, pl->id, err);
    json_t *o = rc ? NULL : cw_improve_action_json(rd.st, a, rd.cal, day);
    if (!rc && !o)
        rc = oom(err);
    if (!rc) {
        int ed = editable(&rd, pl->id);
        json_object_set_new(o, "plan_title", pl->title ? json_string(pl->title) : json_null());
        char d[CW_DATE_LEN + 1];
        cw_date_format(day, d);
        json_object_set_new(o, "as_of", json_string(d));
        json_object_set_new(o, "editable", json_boolean(ed));
        json_object_set_new(o, "owner", json_boolean(mine));
        json_object_set_new(o, "may_sign_off",
                            json_boolean(ed && a->status == CW_IMP_AWAITING_SIGN_OFF && !mine &&
                                         strcmp(a->completed_by, rd.me) != 0));
        /* A measure-backed action: its measure's figure and trend against the target, computed
         * from the log as GET /api/v1/measures is (two at a time). */
        json_t *lines = NULL, *mr = NULL, *mine_lines = json_array();
        int measured = 0;
        for (size_t i = 0; i < rd.st->nevidence; i++)
            measured |= !strcmp(rd.st->evidence[i].action, a->id) &&
                        !strcmp(rd.st->evidence[i].kind, "measure");
        if (measured) {
            while (sem_wait(&s->measuring) != 0)
                ; /* interrupted: wait again */
            rc = cw_improve_measures(r->ro, s->pack, &s->cal, rd.st, pl->id, day, &lines, &mr, err);
            sem_post(&s->measuring);
        }
        for (size_t i = 0; !rc && i < json_array_size(lines); i++) {
            json_t *x = json_array_get(lines, i);
            if (!strcmp(json_string_value(json_object_get(x, "action_id")), a->id))
                json_array_append(mine_lines, x);
        }
        json_decref(lines);
        json_decref(mr);
        json_object_set_new(o, "measures", mine_lines);
        if (!rc)
            cw_resp_json(r, 200, o);
        else
            json_decref(o);
    }
    close_reader(&rd);
    return rc;
}

/* ---- GET /api/v1/improvement/plans/{plan}/budget ---- */

cw_rc cw_http_improvement_budget(cw_http_srv *s, req *r, cw_error *err)
{
    reader rd;
    cw_rc rc = open_reader(s, r, &rd, err);
    if (rc) {
        close_reader(&rd);
        return rc;
    }
    const cw_imp_plan *pl = cw_improve_plan(rd.st, r->param[0]);
    json_t *o = NULL, *acts = NULL;
    if (!pl)
        rc = cw_error_key(err, CW_ENOTFOUND, "imp_no_plan", "plan_id", r->param[0], NULL);
    else if (sees(r, &rd, pl->id) != SEE_ALL) /* the plan's money is its overseers' and board's */
        rc = refuse(s, r, pl->id, err);
    else if (!(o = cw_improve_budget_json(rd.st, pl->id)) || !(acts = json_array()))
        rc = oom(err);
    for (size_t i = 0; !rc && i < rd.st->nactions; i++) {
        const cw_imp_action *a = &rd.st->actions[i];
        if (strcmp(a->plan, pl->id))
            continue;
        json_t *full = cw_improve_action_json(rd.st, a, rd.cal, rd.today);
        json_t *row =
            full ? json_pack("{s:s, s:O, s:O, s:s, s:O, s:O, s:O}", "action_id", a->id, "ref",
                             json_object_get(full, "ref"), "text", json_object_get(full, "text"),
                             "owner_id", a->owner, "committed", json_object_get(full, "committed"),
                             "spent", json_object_get(full, "spent"), "variance",
                             json_object_get(full, "variance"))
                 : NULL;
        json_decref(full);
        if (!row || json_array_append_new(acts, row))
            rc = oom(err);
    }
    if (!rc) {
        json_object_set_new(o, "plan_id", json_string(pl->id));
        json_object_set_new(o, "title", pl->title ? json_string(pl->title) : json_null());
        json_object_set_new(o, "history", cw_improve_money_history_json(rd.st, pl->id));
        json_object_set_new(o, "actions", acts);
        acts = NULL;
        json_object_set_new(o, "editable", json_boolean(editable(&rd, pl->id)));
        cw_resp_json(r, 200, o);
        o = NULL;
    }
    json_decref(o);
    json_decref(acts);
    close_reader(&rd);
    return rc;
}
