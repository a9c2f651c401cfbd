/*
 * access_change.c — the two-person rule for changes that widen who can see children's records
 * (issue 18; docs/events.md, "Two-person rule"; docs/api.md, "Roles and scope").
 *
 * A change widens access when, after it, someone may see a child's record they could not see
 * before:
 *   staff_changed        a role of wider reach (social worker < team manager < service manager
 *                        < head of service, director, inspector; administrators, QA auditors and
 *                        the data protection officer see no case by their role), an inspector
 *                        made a member of staff who changes records, another team (its cases),
 *                        another manager (who, with the chain above, then sees the person's cases)
 *   restriction_changed  a restriction lifted, or a person named on a restricted record who is
 *                        not named now and does not see it already (sees_already)
 *   account_changed      an inspector's account (role inspector, or a member of staff who is
 *                        an inspector) enabled: it sees every child's record. Its proposal's
 *                        change is account_enabled (field username); `caseward user add` and
 *                        `user enable` record one for an inspector instead of enabling it
 * Anything else (a role of narrower reach, a restriction set, names taken off, leaving) narrows
 * access and is recorded at once by one person.
 *
 * A widening change is recorded as access_change_proposed (by an administrator, the head of
 * service or a manager above the person; a restriction by a service manager or the head of
 * service, as restriction_changed itself; an inspector's account by the operator at the command
 * line, an administrator, the head of service or the director), carrying the change's own
 * fields. It is applied when someone else records access_change_approved within
 * CW_ACCESS_CHANGE_DAYS days of the proposal: not its proposer, not a person whose access it
 * widens, and one who may propose it. In the same
 * batch caseward records the change itself (staff_changed or restriction_changed, its
 * proposal_id naming the proposal, the approver its actor), checked again as it stands then, so
 * the log holds both people and every reader of the log sees the change as before. An
 * inspector's account is approved only by an administrator, the head of service or the
 * director, never by the account itself; its account_changed (disabled false) and the accounts
 * table's row are written in that batch too (the table is not a projection: accounts.c).
 * access_change_rejected (by its proposer: withdrawn) closes a proposal unapplied; a proposal not
 * approved in time expires and can no longer be approved.
 *
 * A proposal is a row of records (kind access_change, about no child: child_id ''), status
 * pending, approved (for the instant between the approval and its change, inside one batch),
 * applied or rejected: no table of its own. A restriction's proposal is in its child's record
 * (the chronology shows it, and an erasure of the record reaches its reason) but never in the
 * history the rules read; its approval and rejection are about no child.
 */
#include <string.h>

#include "casework/accounts.h"
#include "casework/casework_int.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static int has(const json_t *p, const char *k)
{
    const json_t *v = json_object_get(p, k);
    return v && !json_is_null(v);
}

/* ---- what widens ---- */

/* How many children a role sees by itself (http/access.c): 0 none, 4 every child. */
static int reach(const char *role)
{
    static const struct {
        const char *role;
        int reach;
    } t[] = {{"social_worker", 1},   {"senior_practitioner", 1}, {"team_manager", 2},
             {"service_manager", 3}, {"head_of_service", 4},     {"director", 4},
             {"inspector", 4}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].role, role))
            return t[i].reach;
    return 0;
}

/*
 * *yes: 1 if staff_id sees the child's record now whatever it names (http/access.c): its
 * allocated worker, a manager above the worker, the head of service or the director, and, while
 * the record is not restricted, a member of the worker's team. Anyone else named on a restricted
 * record is counted as gaining access (a conservative reading: a service manager of the area,
 * say, who sees it already, is counted too).
 */
static cw_rc sees_already(cw_store *s, const cw_child_info *ci, const char *staff_id, int *yes,
                          cw_error *err)
{
    cw_staff_info who, at;
    *yes = 0;
    cw_rc rc = cw_casework_staff(s, staff_id, &who, err);
    if (rc || !who.found || who.left)
        return rc;
    if (!strcmp(staff_id, ci->worker) || !strcmp(who.role, "head_of_service") ||
        !strcmp(who.role, "director")) {
        *yes = 1;
        return CW_OK;
    }
    if (!ci->worker[0])
        return CW_OK;
    if ((rc = cw_casework_staff(s, ci->worker, &at, err)) || !at.found)
        return rc;
    if (!ci->restricted && at.team[0] && !strcmp(at.team, who.team) && reach(who.role) >= 1 &&
        reach(who.role) <= 2) {
        *yes = 1;
        return CW_OK;
    }
    for (int depth = 0; depth < 64 && at.manager[0]; depth++) {
        if (!strcmp(at.manager, staff_id)) {
            *yes = reach(who.role) >= 2;
            return CW_OK;
        }
        char next[65];
        memcpy(next, at.manager, sizeof next);
        if ((rc = cw_casework_staff(s, next, &at, err)) || !at.found)
            return rc;
    }
    return CW_OK;
}

static int differs(const json_t *p, const char *k, const char *now)
{
    return has(p, k) && strcmp(str(p, k), now) != 0;
}

cw_rc cw_casework_access_widens(cw_store *s, const char *type, const json_t *p, int *widens,
                                cw_error *err)
{
    *widens = 0;
    if (!strcmp(type, "staff_changed")) {
        cw_staff_info cur;
        cw_rc rc = str(p, "staff_id") ? cw_casework_staff(s, str(p, "staff_id"), &cur, err) : CW_OK;
        if (rc || !str(p, "staff_id") || !cur.found)
            return rc; /* the catalogue refuses it */
        const char *role = str(p, "role");
        if (role && strcmp(role, cur.role) != 0 &&
            (reach(role) > reach(cur.role) || (!strcmp(cur.role, "inspector") && reach(role) > 0)))
            *widens = 1;
        if (differs(p, "team_id", cur.team) || differs(p, "manager_id", cur.manager))
            *widens = 1;
        return CW_OK;
    }
    if (!strcmp(type, "restriction_changed")) {
        cw_child_info ci;
        const char *child = str(p, "child_id");
        cw_rc rc = child ? cw_casework_child(s, child, &ci, err) : CW_OK;
        if (rc || !child || !ci.found)
            return rc;
        if (!json_is_true(json_object_get(p, "restricted"))) {
            *widens = ci.restricted;
            return CW_OK;
        }
        const json_t *list = json_object_get(p, "restricted_to");
        for (size_t i = 0; !rc && !*widens && i < json_array_size(list); i++) {
            const char *who = json_string_value(json_array_get(list, i));
            int named = 0;
            cw_value v[] = {cw_text(child), cw_text(who)};
            if (!who || (rc = cw_store_exists(s, CW_Q_CHILD_ACCESS_HAS, v, 2, &named, err)))
                return rc;
            if (!named && !(rc = sees_already(s, &ci, who, &named, err)) && !named)
                *widens = 1;
        }
        return rc;
    }
    if (!strcmp(type, "account_changed")) {
        cw_account a;
        const char *user = str(p, "username");
        cw_rc rc = user && json_is_false(json_object_get(p, "disabled"))
                       ? cw_account_get(s, user, &a, err)
                       : CW_OK;
        if (rc || !user || !json_is_false(json_object_get(p, "disabled")) || !a.found ||
            !a.disabled)
            return rc;
        return cw_account_inspector(s, a.staff_id, a.role, widens, err);
    }
    /* A restricted record's case given to someone it does not name: they, and those above
     * them, would read it. Name them on the restriction first (a widening change itself). */
    if (!strcmp(type, "case_allocated") || !strcmp(type, "case_transferred")) {
        cw_child_info ci;
        const char *child = str(p, "child_id"), *who = str(p, "worker_id");
        cw_rc rc = child ? cw_casework_child(s, child, &ci, err) : CW_OK;
        if (rc || !child || !who || !ci.found || !ci.restricted)
            return rc;
        int named = 0;
        cw_value v[] = {cw_text(child), cw_text(who)};
        if ((rc = cw_store_exists(s, CW_Q_CHILD_ACCESS_HAS, v, 2, &named, err)))
            return rc;
        if (!named && !(rc = sees_already(s, &ci, who, &named, err)) && !named)
            *widens = 1;
        return rc;
    }
    return CW_OK;
}

/* ---- the change a proposal carries ---- */

static const char *const STAFF_FIELDS[] = {"staff_id", "role", "team_id", "manager_id", NULL};
static const char *const RESTRICTION_FIELDS[] = {"child_id", "restricted", "restricted_to",
                                                 "reason",   "based_on",   NULL};
static const char *const ACCOUNT_FIELDS[] = {"username", NULL};

/* The event a proposal's change is applied as: account_enabled is an account_changed. */
static const char *event_of(const char *change)
{
    return change && !strcmp(change, "account_enabled") ? "account_changed" : change;
}

/*
 * The payload of the change a proposal p carries, dated `date` (a restriction's date: the
 * proposal's, or the approval's when it is applied; an account's change has no date). NULL
 * with *err set if p gives a field the change does not have.
 */
static json_t *change_of(const json_t *p, const char *date, cw_error *err)
{
    const char *change = str(p, "change");
    static const char *const *const kinds[] = {STAFF_FIELDS, RESTRICTION_FIELDS, ACCOUNT_FIELDS};
    int mine = !change                              ? 1
               : !strcmp(change, "staff_changed")   ? 0
               : !strcmp(change, "account_enabled") ? 2
                                                    : 1;
    for (int o = 0; o < 3; o++)
        for (const char *const *k = kinds[o]; o != mine && *k; k++)
            if (strcmp(*k, "reason") != 0 && has(p, *k)) {
                cw_error_key(err, CW_EINVAL, "change_not_a_field", *k, *k, change);
                return NULL;
            }
    json_t *out = json_object();
    for (const char *const *k = kinds[mine]; out && *k; k++)
        if (has(p, *k) && json_object_set(out, *k, json_object_get(p, *k))) {
            json_decref(out);
            out = NULL;
        }
    if (out && mine == 1 && json_object_set_new(out, "date", json_string(date))) {
        json_decref(out);
        out = NULL;
    }
    if (out && mine == 2 && json_object_set_new(out, "disabled", json_false())) {
        json_decref(out);
        out = NULL;
    }
    if (!out)
        cw_error_set(err, CW_ENOMEM, "out of memory");
    return out;
}

/* ---- who may propose, approve or reject ---- */

/*
 * A change of staff: an administrator (an account with that role, or a member of staff in it),
 * the head of service or the director, or a current manager above staff_id in the chain. A
 * restriction: the catalogue's check of restriction_changed (a service manager or the head of
 * service) decides, run with the same actor.
 */
/*
 * *yes: c->actor decides for every team: an administrator's account (not a member of staff's),
 * or a current member of staff who is an administrator, the head of service or the director.
 * *me: the actor as a member of staff (not found for an account, user:NAME).
 */
static cw_rc decides_for_all(cw_ctx *c, int *yes, cw_staff_info *me, cw_error *err)
{
    cw_rc rc;
    *yes = 0;
    memset(me, 0, sizeof *me);
    if (!strncmp(c->actor, "user:", 5)) {
        cw_account a;
        if (!(rc = cw_account_get(c->store, c->actor + 5, &a, err)))
            *yes = a.found && !a.staff_id[0] && !strcmp(a.role, "administrator");
        return rc;
    }
    if (!(rc = cw_casework_staff(c->store, c->actor, me, err)))
        *yes = me->found && !me->left &&
               (!strcmp(me->role, "administrator") || !strcmp(me->role, "head_of_service") ||
                !strcmp(me->role, "director"));
    return rc;
}

static cw_rc may_decide_staff(cw_ctx *c, const char *field, const char *staff_id, cw_error *err)
{
    cw_staff_info me, cur;
    int all;
    cw_rc rc = decides_for_all(c, &all, &me, err);
    if (rc || all)
        return rc;
    if (me.found && !me.left && reach(me.role) >= 2 && strcmp(me.role, "inspector") != 0) {
        char at[65];
        snprintf(at, sizeof at, "%s", staff_id);
        for (int depth = 0; depth < 64 && at[0]; depth++) {
            if ((rc = cw_casework_staff(c->store, at, &cur, err)))
                return rc;
            if (!cur.found)
                break;
            if (!strcmp(cur.manager, c->actor))
                return CW_OK;
            memcpy(at, cur.manager, sizeof at);
        }
    }
    return cw_error_key(err, CW_EFORBIDDEN, "access_decider", field, staff_id, NULL);
}

/*
 * An inspector's account enabled: an administrator account, or a member of staff who is an
 * administrator, the head of service or the director (no manager: it reaches every team).
 * With at_cli, also the operator at the command line (an actor that is neither an account
 * nor a member of staff: `cli`, or the name given to --actor), who proposes it.
 */
static cw_rc may_decide_account(cw_ctx *c, int at_cli, cw_error *err)
{
    cw_staff_info me;
    int all;
    cw_rc rc = decides_for_all(c, &all, &me, err);
    if (rc || all || (at_cli && strncmp(c->actor, "user:", 5) != 0 && !me.found))
        return rc;
    return cw_error_key(err, CW_EFORBIDDEN, "account_decider", "proposal_id", NULL, NULL);
}

/* The change's own checks (its fields, then the state it would meet now, as c->actor's act),
 * and whether it widens access. An account's change is checked as the applied change it would
 * be (account_changed itself refuses a widening one that names no proposal). */
static cw_rc check_change(cw_ctx *c, const json_t *change, const char *type, int *widens,
                          cw_error *err)
{
    const event_spec *spec = cw_casework_spec(type);
    cw_rc rc = cw_casework_check_fields(spec, change, c->recorded, err);
    cw_account a;
    if (!rc && !strcmp(type, "account_changed") &&
        !(rc = cw_account_get(c->store, str(change, "username"), &a, err)) && !a.found)
        rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s", str(change, "username"));
    else if (!rc && strcmp(type, "account_changed") != 0)
        rc = cw_casework_check_state(c, spec, change, err);
    if (!rc)
        rc = cw_casework_access_widens(c->store, type, change, widens, err);
    return rc;
}

/* A proposal, as its record and its entry hold it. */
typedef struct proposal {
    int found;
    char status[16]; /* pending | approved | applied | rejected */
    uint64_t idx;    /* its access_change_proposed entry */
} proposal;

static cw_rc proposal_row(void *ctx, const cw_value *c, size_t n)
{
    proposal *pr = ctx;
    char kind[16];
    if (n < 6 || cw_value_copy(&c[0], kind, sizeof kind) <= 0 || strcmp(kind, "access_change"))
        return CW_OK;
    pr->found = 1;
    cw_value_copy(&c[4], pr->status, sizeof pr->status);
    pr->idx = c[5].type == CW_V_INT ? (uint64_t)c[5].i : 0;
    return CW_OK;
}

/* The proposal named by proposal_id, and its entry (release e->root). */
static cw_rc get_proposal(cw_store *s, const char *id, proposal *pr, entry_view *e, cw_error *err)
{
    memset(pr, 0, sizeof *pr);
    memset(e, 0, sizeof *e);
    cw_value k = cw_text(id);
    cw_rc rc = cw_store_run(s, CW_Q_RECORD_GET, &k, 1, proposal_row, pr, NULL, err);
    if (!rc && !pr->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_access_change", "proposal_id", id, NULL);
    if (!rc)
        rc = cw_casework_read_entry(s, pr->idx, e, err);
    return rc;
}

static const char *proposer_of(const entry_view *e)
{
    const char *a = str(e->root, "actor");
    return a ? a : "";
}

/* The people whose access the change widens: they never approve it. */
static int widens_for(cw_store *s, const json_t *change, const char *type, const char *who)
{
    if (!strcmp(type, "account_changed")) {
        cw_account a;
        cw_error quiet;
        const char *user = str(change, "username");
        /* the account itself, or the member of staff it is (unread: counted as them) */
        return (!strncmp(who, "user:", 5) && !strcmp(who + 5, user)) ||
               cw_account_get(s, user, &a, &quiet) || !strcmp(a.staff_id, who);
    }
    if (!strcmp(type, "staff_changed"))
        return (str(change, "staff_id") && !strcmp(str(change, "staff_id"), who)) ||
               (str(change, "manager_id") && !strcmp(str(change, "manager_id"), who));
    const json_t *list = json_object_get(change, "restricted_to");
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!strcmp(json_string_value(json_array_get(list, i)), who))
            return 1;
    return 0;
}

/* The proposal awaiting approval (pending, not expired) to enable an account, if any. */
typedef struct account_pending {
    cw_ctx *c;
    const char *username;
    char proposal_id[65]; /* "" none */
    cw_error *err;
} account_pending;

static cw_rc account_pending_row(void *ctx, const cw_value *c, size_t n)
{
    account_pending *x = ctx;
    char status[16] = "";
    if (n < 5 || c[1].type != CW_V_INT)
        return CW_EVERIFY;
    cw_value_copy(&c[2], status, sizeof status);
    if (x->proposal_id[0] || strcmp(status, "pending") != 0)
        return CW_OK;
    entry_view e;
    cw_rc rc = cw_casework_read_entry(x->c->store, (uint64_t)c[1].i, &e, x->err);
    if (rc)
        return rc;
    const char *change = str(e.payload, "change"), *user = str(e.payload, "username");
    if (change && !strcmp(change, "account_enabled") && user && !strcmp(user, x->username) &&
        x->c->recorded - cw_casework_day_of(e.recorded_ms) <= CW_ACCESS_CHANGE_DAYS)
        snprintf(x->proposal_id, sizeof x->proposal_id, "%s", str(e.payload, "proposal_id"));
    json_decref(e.root);
    return CW_OK;
}

/*
 * One proposal at a time to enable an account: a second, made while the first waits, could be
 * approved after the account was enabled and disabled again, on a consent given before the
 * disabling, by the one person who disabled it.
 */
static cw_rc account_not_pending(cw_ctx *c, const char *username, cw_error *err)
{
    account_pending x = {c, username, "", err};
    cw_rc rc =
        cw_store_run(c->store, CW_Q_ACCESS_CHANGES, NULL, 0, account_pending_row, &x, NULL, err);
    if (!rc && x.proposal_id[0])
        rc = cw_error_key(err, CW_EINVAL, "account_already_proposed", "username", username,
                          x.proposal_id);
    return rc;
}

cw_rc cw_casework_check_access_proposed(cw_ctx *c, const json_t *p, cw_error *err)
{
    const char *type = event_of(str(p, "change"));
    json_t *change = change_of(p, str(p, "date"), err);
    if (!change)
        return err->code;
    int widens = 0;
    cw_rc rc = !strcmp(type, "staff_changed") && !has(p, "staff_id")
                   ? cw_error_key(err, CW_EINVAL, "required", "staff_id", type, NULL)
               : !strcmp(type, "account_changed") && !has(p, "username")
                   ? cw_error_key(err, CW_EINVAL, "required", "username", str(p, "change"), NULL)
                   : CW_OK;
    if (!rc)
        rc = check_change(c, change, type, &widens, err);
    if (!rc && !widens)
        rc = cw_error_key(err, CW_EINVAL, "access_not_wider", "change", type, NULL);
    if (!rc && !strcmp(type, "staff_changed"))
        rc = may_decide_staff(c, "proposal_id", str(p, "staff_id"), err);
    if (!rc && !strcmp(type, "account_changed"))
        rc = may_decide_account(c, 1, err);
    if (!rc && !strcmp(type, "account_changed"))
        rc = account_not_pending(c, str(p, "username"), err);
    json_decref(change);
    return rc;
}

/* A pending proposal, not expired on c->recorded: its entry in *e (release e->root). */
static cw_rc pending(cw_ctx *c, const json_t *p, int refuse_expired, entry_view *e, cw_error *err)
{
    proposal pr;
    const char *id = str(p, "proposal_id");
    cw_rc rc = get_proposal(c->store, id, &pr, e, err);
    if (!rc && strcmp(pr.status, "pending") != 0)
        rc = cw_error_key(err, CW_EINVAL, "access_change_closed", "proposal_id", id, pr.status);
    if (!rc && refuse_expired &&
        c->recorded - cw_casework_day_of(e->recorded_ms) > CW_ACCESS_CHANGE_DAYS)
        rc = cw_error_key(err, CW_EINVAL, "access_change_expired", "proposal_id", id,
                          CW_NUM(CW_ACCESS_CHANGE_DAYS));
    if (rc) {
        json_decref(e->root);
        memset(e, 0, sizeof *e);
    }
    return rc;
}

cw_rc cw_casework_check_access_approved(cw_ctx *c, const json_t *p, cw_error *err)
{
    entry_view e;
    cw_rc rc = pending(c, p, 1, &e, err);
    if (rc)
        return rc;
    const char *type = event_of(str(e.payload, "change"));
    json_t *change = change_of(e.payload, str(p, "date"), err);
    int widens = 0;
    if (!change)
        rc = err->code;
    else if (!strcmp(c->actor, proposer_of(&e)))
        rc = cw_error_key(err, CW_EFORBIDDEN, "access_own_proposal", "proposal_id", NULL, NULL);
    else if (widens_for(c->store, change, type, c->actor))
        rc = cw_error_key(err, CW_EFORBIDDEN, "access_own_widening", "proposal_id", NULL, NULL);
    else if (!strcmp(type, "staff_changed"))
        rc = may_decide_staff(c, "proposal_id", str(change, "staff_id"), err);
    else if (!strcmp(type, "account_changed"))
        rc = may_decide_account(c, 0, err);
    /* As it stands now, as the approver's act (a restriction: theirs to make). */
    if (!rc)
        rc = check_change(c, change, type, &widens, err);
    json_decref(change);
    json_decref(e.root);
    return rc;
}

cw_rc cw_casework_check_access_rejected(cw_ctx *c, const json_t *p, cw_error *err)
{
    entry_view e;
    cw_rc rc = pending(c, p, 0, &e, err);
    if (rc)
        return rc;
    /* Its proposer withdraws it; anyone who may propose it turns it down. */
    if (strcmp(c->actor, proposer_of(&e)) != 0) {
        const char *type = str(e.payload, "change");
        if (!strcmp(type, "staff_changed")) {
            rc = may_decide_staff(c, "proposal_id", str(e.payload, "staff_id"), err);
        } else if (!strcmp(type, "account_enabled")) {
            rc = may_decide_account(c, 0, err);
        } else {
            cw_staff_info me;
            if (!(rc = cw_casework_staff(c->store, c->actor, &me, err)) &&
                (!me.found || me.left ||
                 (strcmp(me.role, "service_manager") != 0 &&
                  strcmp(me.role, "head_of_service") != 0)))
                rc = cw_error_key(err, CW_EFORBIDDEN, "restrict_senior", "proposal_id", NULL, NULL);
        }
    }
    json_decref(e.root);
    return rc;
}

cw_rc cw_casework_check_access_applied(cw_ctx *c, const char *type, const json_t *p, cw_error *err)
{
    proposal pr;
    entry_view e;
    const char *id = str(p, "proposal_id");
    cw_rc rc = get_proposal(c->store, id, &pr, &e, err);
    if (rc == CW_ENOTFOUND || (!rc && strcmp(pr.status, "approved") != 0))
        rc = cw_error_key(err, CW_EINVAL, "access_not_approved", "proposal_id", id, NULL);
    json_t *want = NULL, *given = NULL;
    if (!rc && strcmp(event_of(str(e.payload, "change")), type) != 0)
        rc = cw_error_key(err, CW_EINVAL, "access_not_approved", "proposal_id", id, NULL);
    if (!rc &&
        (!(want = change_of(e.payload, str(p, "date"), err)) || !(given = json_deep_copy(p))))
        rc = want ? cw_error_set(err, CW_ENOMEM, "out of memory") : err->code;
    if (!rc) {
        json_object_del(given, "proposal_id");
        if (!json_equal(want, given))
            rc = cw_error_key(err, CW_EINVAL, "access_not_approved", "proposal_id", id, NULL);
    }
    json_decref(want);
    json_decref(given);
    json_decref(e.root);
    return rc;
}

cw_rc cw_casework_access_apply(cw_ledger *l, const cw_ctx *c, const json_t *p, cw_error *err)
{
    proposal pr;
    entry_view e;
    cw_rc rc = get_proposal(c->store, str(p, "proposal_id"), &pr, &e, err);
    if (rc)
        return rc;
    json_t *change = change_of(e.payload, str(p, "date"), err);
    if (!change) {
        json_decref(e.root);
        return err->code;
    }
    char type[32];
    snprintf(type, sizeof type, "%s", event_of(str(e.payload, "change")));
    json_decref(e.root);
    if (json_object_set_new(change, "proposal_id", json_string(str(p, "proposal_id")))) {
        json_decref(change);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    cw_event ev = {c->actor, type, change};
    rc = cw_casework_submit(l, &ev, NULL, err);
    /* An account's row is not a projection: written here, in the same transaction as its
     * account_changed (as accounts.c writes every other change to an account). */
    int64_t changes = 0;
    cw_value v[] = {cw_text(str(change, "username")), CW_INT(0), CW_NULL, CW_NULL};
    if (!rc && !strcmp(type, "account_changed") &&
        !(rc = cw_store_run(c->store, CW_Q_ACCOUNT_SET_STATUS, v, 4, NULL, NULL, &changes, err)) &&
        changes != 1)
        rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s", str(change, "username"));
    json_decref(change);
    return rc;
}

cw_rc cw_casework_access_change_child(cw_store *s, const char *proposal_id, char child[65],
                                      cw_error *err)
{
    proposal pr;
    entry_view e;
    child[0] = '\0';
    cw_rc rc = get_proposal(s, proposal_id, &pr, &e, err);
    if (!rc && str(e.payload, "child_id"))
        snprintf(child, 65, "%s", str(e.payload, "child_id"));
    json_decref(e.root);
    return rc;
}

/* ---- the projection ---- */

cw_rc cw_casework_apply_access(cw_ctx *c, const char *type, const json_t *p, cw_error *err)
{
    if (c->only_child) /* a proposal's row is about no child: a re-projection leaves it */
        return CW_OK;
    cw_value idx = CW_INT(c->idx), id = cw_text(str(p, "proposal_id"));
    char day[CW_DATE_LEN + 1];
    cw_date_format(cw_casework_effective_date(p, c->recorded_ms), day);
    if (!strcmp(type, "access_change_proposed")) {
        cw_value v[] = {id,           cw_text("access_change"), cw_text(""),
                        cw_text(day), cw_text("pending"),       idx};
        return cw_store_run(c->store, CW_Q_RECORD_PUT, v, 6, NULL, NULL, NULL, err);
    }
    const char *status = !strcmp(type, "access_change_approved")   ? "approved"
                         : !strcmp(type, "access_change_rejected") ? "rejected"
                                                                   : "applied";
    cw_value v[] = {id, cw_text(day), cw_text(status), idx};
    return cw_store_run(c->store, CW_Q_RECORD_CLOSE, v, 4, NULL, NULL, NULL, err);
}

/* ---- for the people who decide ---- */

typedef struct list_ctx {
    cw_store *store;
    cw_date today;
    json_t *arr;
    cw_error *err;
} list_ctx;

static cw_rc named_row(void *ctx, const cw_value *c, size_t n)
{
    char id[65];
    if (n < 1 || cw_value_copy(&c[0], id, sizeof id) <= 0)
        return CW_EVERIFY;
    return json_array_append_new(ctx, json_string(id)) ? CW_ENOMEM : CW_OK;
}

static json_t *now_of(cw_store *s, const json_t *change, const char *type, cw_error *err)
{
    if (!strcmp(type, "account_enabled")) {
        cw_account a;
        if (cw_account_get(s, str(change, "username"), &a, err))
            return NULL;
        return json_pack("{s:b}", "disabled", a.disabled);
    }
    if (!strcmp(type, "staff_changed")) {
        cw_staff_info si;
        if (cw_casework_staff(s, str(change, "staff_id"), &si, err))
            return NULL;
        return json_pack("{s:s, s:s?, s:s?}", "role", si.role, "team_id",
                         si.team[0] ? si.team : NULL, "manager_id",
                         si.manager[0] ? si.manager : NULL);
    }
    cw_child_info ci;
    if (cw_casework_child(s, str(change, "child_id"), &ci, err))
        return NULL;
    /* Who is named on it now, so that the approver sees whom the change adds. */
    json_t *named = json_array();
    cw_value k = cw_text(str(change, "child_id"));
    if (!named || cw_store_run(s, CW_Q_CHILD_ACCESS_LIST, &k, 1, named_row, named, NULL, err)) {
        json_decref(named);
        return NULL;
    }
    return json_pack("{s:b, s:o}", "restricted", ci.restricted, "restricted_to", named);
}

static cw_rc change_row(void *ctx, const cw_value *c, size_t n)
{
    list_ctx *x = ctx;
    if (n < 5 || c[1].type != CW_V_INT)
        return CW_EVERIFY;
    entry_view e, d;
    char status[16] = "", closed_on[CW_DATE_LEN + 1] = "";
    cw_value_copy(&c[2], status, sizeof status);
    cw_value_copy(&c[3], closed_on, sizeof closed_on);
    cw_rc rc = cw_casework_read_entry(x->store, (uint64_t)c[1].i, &e, x->err);
    if (rc)
        return rc;
    memset(&d, 0, sizeof d);
    if (c[4].type == CW_V_INT &&
        (rc = cw_casework_read_entry(x->store, (uint64_t)c[4].i, &d, x->err))) {
        json_decref(e.root);
        return rc;
    }
    const char *type = str(e.payload, "change");
    cw_date proposed = cw_casework_day_of(e.recorded_ms);
    char on[CW_DATE_LEN + 1], until[CW_DATE_LEN + 1];
    cw_date_format(proposed, on);
    cw_date_format(proposed + CW_ACCESS_CHANGE_DAYS, until);
    const char *state = status;
    if (!strcmp(status, "pending") && x->today > proposed + CW_ACCESS_CHANGE_DAYS)
        state = "expired";
    else if (!strcmp(status, "rejected") && d.root && !strcmp(proposer_of(&d), proposer_of(&e)))
        state = "withdrawn";
    json_t *change = change_of(e.payload, str(e.payload, "date"), x->err);
    json_t *now = change ? now_of(x->store, change, type, x->err) : NULL;
    json_t *item = NULL;
    if (now)
        item = json_pack("{s:s?, s:s, s:O, s:O, s:O?, s:s, s:s, s:s, s:I, s:s, s:s?, s:s?, s:O?}",
                         "proposal_id", str(e.payload, "proposal_id"), "change", type, "to", change,
                         "now", now, "reason", json_object_get(e.payload, "reason"), "proposed_by",
                         proposer_of(&e), "proposed_on", on, "expires_after", until,
                         "proposed_entry", (json_int_t)c[1].i, "state", state, "decided_by",
                         d.root ? proposer_of(&d) : NULL, "decided_on",
                         closed_on[0] ? closed_on : NULL, "decision_reason",
                         d.root ? json_object_get(d.payload, "reason") : NULL);
    json_decref(now);
    json_decref(change);
    json_decref(e.root);
    json_decref(d.root);
    if (!item || json_array_append_new(x->arr, item))
        return cw_error_set(x->err, CW_ENOMEM, "out of memory");
    return CW_OK;
}

cw_rc cw_casework_access_changes(cw_ledger *l, cw_date today, json_t **out, cw_error *err)
{
    list_ctx x = {cw_ledger_store(l), today, json_array(), err};
    cw_rc rc = x.arr
                   ? cw_store_run(x.store, CW_Q_ACCESS_CHANGES, NULL, 0, change_row, &x, NULL, err)
                   : cw_error_set(err, CW_ENOMEM, "out of memory");
    if (rc) {
        json_decref(x.arr);
        x.arr = NULL;
    }
    *out = x.arr;
    return rc;
}
