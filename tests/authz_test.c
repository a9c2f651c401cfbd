/*
 * authz_test.c — the authorisation matrix (docs/api.md, "Roles and scope"):
 * every route × every role × the record the path names (in scope, out of
 * scope, restricted) → the HTTP status it must get, over a real socket.
 *
 * The matrix below is the specification, written from docs/api.md and not
 * derived from the route table: a route added to cw_routes without rows here
 * fails test_every_route_has_rows, so whoever adds a route must decide who may
 * use it; a row whose route has gone fails test_no_rows_for_missing_routes.
 *
 * Every cell also checks the record-access log: a 403 to someone signed in
 * appends exactly one record_accessed entry (allowed 0, the account, the
 * route pattern, and the child for a route whose path names one); a 401
 * appends nothing; an allowed read of a child appends one with allowed 1.
 *
 * The accounts (one per role, each signed in once by the fixture):
 *   sw     a social worker in post with an open case (F.sw, team F.team)
 *   tm     the team manager of F.team
 *   sm     a service manager made for this test ("authz.sm"): the demo's
 *          service managers belong to no team, so they have no service area
 *          (access.c takes it from the manager's own team). authz.sm is in a
 *          new team, "authz.office", whose service area is F.team's, so
 *          F.team's cases are in its scope and other teams' (other areas in
 *          the demo) are not.
 *   hos    the head of service
 *   qa     a QA auditor (role account: no case is drawn for it, so no child is in scope;
 *          the demo's own programme has ended, and its auditors are staff)
 *   insp   an inspector (role account) whose account expires in 2099
 *   admin  an administrator (role account)
 * and, for the sign-in checks: an inspector whose account expired in 2020,
 * one that expires today (still works), a disabled account, the account of a
 * member of staff who has left, and one disabled while signed in.
 *
 * The children (targets):
 *   own         F.child_own: sw's open case, in F.team
 *   team        F.child_team: a colleague's case in F.team
 *   other       F.child_other: a case of another team, in another service area
 *   unallocated a child with no allocated worker
 *   restricted  AUTHZ.R1: restricted, allocated to sw, named: sw only
 *   named       AUTHZ.R2: restricted, allocated to the colleague, named: sw and
 *               the colleague
 * and for team routes, F.team ("my team") and the other child's team.
 *
 * Sign-in is each account's one sign-in (made by the fixture); the password
 * change and the sign-out rows run last, so that the sessions serve every
 * other row first. The plain rows run again by API token (a read and a
 * write token per role): a token is its account, a read token only reads.
 * Beside the matrix: CSRF (missing or wrong: 403, nothing written), accounts
 * that may not sign in, and the lists (children, caseloads), which must hold
 * only what the caller may see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "casework/casework.h"
#include "http/http_int.h"
#include "improve/improve.h"
#include "quality/audit.h"
#include "util/date.h"
#include "util/time.h"
#include "httptest.h"

#define PW2      "a different long passphrase"
#define SM_ID    "authz.sm"
#define SM_TEAM  "authz.office"
#define CHILD_R1 "AUTHZ.R1"
#define CHILD_R2 "AUTHZ.R2"
#define DIR_ID   "authz.dir"

#ifndef PRINCIPAL_TTL_MS
#define PRINCIPAL_TTL_MS 0 /* the server reads the account at every request */
#endif

/* The columns: one account per role, and no session at all. */
enum { SW, TM, SM, HOS, QA, INSP, ADMIN, ANON, NCOL };
static const char *const col_name[NCOL] = {"social_worker",   "team_manager", "service_manager",
                                           "head_of_service", "qa_auditor",   "inspector",
                                           "administrator",   "not signed in"};
static const char *const col_user[NCOL] = {"sw", "tm", "sm", "hos", "qa", "insp", "admin", NULL};

/* What the path (or the command's body) names. */
enum {
    T_NONE,
    T_OWN,        /* sw's own open case */
    T_TEAM,       /* a colleague's case in sw's team */
    T_OTHER,      /* another team's case, in another service area */
    T_UNALLOC,    /* a child with no allocated worker */
    T_RESTRICTED, /* restricted, allocated to sw, named: sw */
    T_NAMED,      /* restricted, allocated to sw's colleague, named: sw and the colleague */
    T_MY_TEAM,    /* sw's team */
    T_OTHER_TEAM, /* another team, in another service area */
    T_AUDITED,    /* another case of that team, drawn for the team manager to audit (AUTHZ.P) */
};
static const char *const target_name[] = {
    "",           "own case", "team's case", "other team", "unallocated",
    "restricted", "named",    "my team",     "other team", "audited"};

/* How a row is run. */
enum {
    K_PLAIN,    /* one request per column */
    K_SIGN_IN,  /* the fixture's sign-in of each account; not signed in: an unknown user */
    K_PASSWORD, /* run after the plain rows: changes each account's password */
    K_SIGN_OUT, /* run last: ends each account's session */
};

typedef struct row {
    const char *method, *pattern; /* as in cw_routes */
    const char *type;             /* the {type} of a command, or NULL */
    const char *query;            /* appended to the path, or NULL */
    int target;
    int kind;
    int want[NCOL]; /* the status, by column */
} row;

/* clang-format off */
#define EVERYONE(s)  {s, s, s, s, s, s, s, s}
#define SIGNED_IN(s) {s, s, s, s, s, s, s, 401}

/*
 * Each row: method, pattern, {type}, query, target, kind, then the status by
 * column.
 */
static const row matrix[] = {
    /* ---- service: anyone ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/healthz", NULL, NULL, T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/metrics", NULL, NULL, T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/api/v1/openapi.json", NULL, NULL, T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    /* ---- the log: its proofs are public, its entries are not ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/log/checkpoint", NULL, NULL, T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/api/v1/log/vkey", NULL, NULL, T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/api/v1/log/proof/inclusion", NULL, "?index=1&size=10", T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/api/v1/log/proof/consistency", NULL, "?old=5&new=10", T_NONE, K_PLAIN,
                                                    EVERYONE(200)},
    {"GET", "/api/v1/log/entries", NULL, "?start=0&end=2", T_NONE, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    /* ---- signing in (password and sign-out run last) ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"POST", "/api/v1/session", NULL, NULL, T_NONE, K_SIGN_IN,
                                                    {200, 200, 200, 200, 200, 200, 200, 401}},
    {"GET", "/api/v1/me", NULL, NULL, T_NONE, K_PLAIN,
                                                    SIGNED_IN(200)},
    {"PUT", "/api/v1/me/language", NULL, NULL, T_NONE, K_PLAIN,
                                                    SIGNED_IN(200)},
    {"PUT", "/api/v1/me/password", NULL, NULL, T_NONE, K_PASSWORD,
                                                    SIGNED_IN(200)},
    {"DELETE", "/api/v1/session", NULL, NULL, T_NONE, K_SIGN_OUT,
                                                    SIGNED_IN(200)},
    /* ---- children: case readers, in scope; restricted: hidden from other staff, never
     * from oversight (the named, the worker, the chain above the worker, the head of
     * service, inspectors) ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/children", NULL, NULL, T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_OWN, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_TEAM, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_UNALLOC, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_RESTRICTED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_NAMED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_OWN, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_TEAM, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_UNALLOC, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_RESTRICTED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/chronology", NULL, NULL, T_NAMED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_OWN, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_TEAM, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_UNALLOC, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_RESTRICTED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/obligations", NULL, "?as_of=2026-01-31", T_NAMED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    /* ---- a child's access log: managers and inspectors, in scope ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_OWN, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_TEAM, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_UNALLOC, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_RESTRICTED, K_PLAIN,
                                                    {403, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_NAMED, K_PLAIN,
                                                    {403, 200, 403, 200, 403, 200, 403, 401}},
    /* ---- commands: casework by staff with write scope on the child ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_OWN, K_PLAIN,
                                                    {201, 201, 201, 201, 403, 403, 403, 401}},
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_TEAM, K_PLAIN,
                                                    {403, 201, 201, 201, 403, 403, 403, 401}},
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 201, 403, 403, 403, 401}},
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_UNALLOC, K_PLAIN,
                                                    {403, 201, 201, 201, 403, 403, 403, 401}},
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_RESTRICTED, K_PLAIN,
                                                    {201, 201, 403, 201, 403, 403, 403, 401}},
    /* sw is named on this restricted record, but it is a colleague's case: a social worker
     * records on their own cases only, and a restriction only narrows who may see a record. */
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_NAMED, K_PLAIN,
                                                    {403, 201, 403, 201, 403, 403, 403, 401}},
    /* the organisation: administrators and heads of service only */
    {"POST", "/api/v1/commands/{type}", "team_created", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 403, 201, 403, 403, 201, 401}},
    /* ---- caseloads, overdue work, signals, staff and teams ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/caseload", NULL, NULL, T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 403, 403, 401}},
    {"GET", "/api/v1/teams/{team}/caseload", NULL, NULL, T_MY_TEAM, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/teams/{team}/caseload", NULL, NULL, T_OTHER_TEAM, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/unallocated", NULL, NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/overdue", NULL, "?as_of=2026-01-31", T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/signals", NULL, "?as_of=2026-01-31", T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 200, 403, 401}},
    /* integrity analytics: the head of service and inspectors only */
    {"GET", "/api/v1/integrity", NULL, "?from=2025-01-01&to=2026-01-31", T_NONE, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/staff", NULL, NULL, T_NONE, K_PLAIN,
                                                    SIGNED_IN(200)},
    {"GET", "/api/v1/sign-offs", NULL, NULL, T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 403, 403, 401}},
    /* erasures: the data protection officer's (http_test, test_erasure) and the head of
     * service's to read */
    {"GET", "/api/v1/erasures", NULL, NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 403, 403, 401}},
    /* access changes awaiting a second person (the two-person rule, docs/events.md):
     * administrators and managers, who propose and decide them */
    {"GET", "/api/v1/access-changes", NULL, NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 403, 403, 200, 401}},
    {"GET", "/api/v1/teams", NULL, NULL, T_NONE, K_PLAIN,
                                                    SIGNED_IN(200)},
    /* ---- performance measures: counts for case readers; the items behind one, the
     * children in scope only (recorded); the signed report for oversight ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/measures", NULL, "?period=fy2025", T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/measures/{measure}", "PM24", "?period=fy2025", T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/measures-report", NULL, "?period=fy2025", T_NONE, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    /* ---- statutory returns: the data team (tests/returns_api_test.c) and the head of
     * service; not a case reader's, not an inspector's (they recompute from an export) ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/returns/{kind}", "cin", "?year=2026", T_NONE, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 403, 403, 401}},
    /* ---- case-file audits (docs/audits.md): programmes for case readers to list; made by
     * those who commission (a service manager, the head of service, the director, a QA
     * auditor who is staff: the role account qa is not, so it cannot audit); a programme's page
     * for managers, QA auditors, inspectors and its auditors. AUTHZ.P (the fixture's) has the
     * team manager as its auditor and a case of the other team drawn. ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/audits", NULL, NULL, T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 200, 200, 403, 401}},
    {"POST", "/api/v1/audits", "programme", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 201, 201, 403, 403, 403, 401}},
    {"GET", "/api/v1/audit-frameworks/{framework}", "standard", NULL, T_NONE, K_PLAIN,
                                                    SIGNED_IN(200)},
    {"GET", "/api/v1/audit-reports", NULL, NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/audits/{programme}", "AUTHZ.P", NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 200, 200, 403, 401}},
    {"POST", "/api/v1/audits/{programme}/sample", "AUTHZ.P", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 201, 201, 403, 403, 403, 401}},
    /* not issued: nothing to read yet; not every audit completed: not to issue yet */
    {"GET", "/api/v1/audits/{programme}/report", "AUTHZ.P", NULL, T_NONE, K_PLAIN,
                                                    {403, 404, 404, 404, 404, 404, 403, 401}},
    {"POST", "/api/v1/audits/{programme}/report", "AUTHZ.P", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 400, 400, 403, 403, 403, 401}},
    /* a case's audits are part of the child's record: as GET /children/{id}; the team manager
     * reads (never changes) the other team's case drawn for them to audit (AUTHZ.P) */
    {"GET", "/api/v1/children/{id}/audits", NULL, NULL, T_OWN, K_PLAIN,
                                                    {200, 200, 200, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/audits", NULL, NULL, T_OTHER, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}/audits", NULL, NULL, T_AUDITED, K_PLAIN,
                                                    {403, 200, 403, 200, 403, 200, 403, 401}},
    {"GET", "/api/v1/children/{id}", NULL, NULL, T_AUDITED, K_PLAIN,
                                                    {403, 200, 403, 200, 403, 200, 403, 401}},
    /* ... but not who looked at it: an auditor reads the case, not its access log */
    {"GET", "/api/v1/children/{id}/access-log", NULL, NULL, T_AUDITED, K_PLAIN,
                                                    {403, 403, 403, 200, 403, 200, 403, 401}},
    {"POST", "/api/v1/commands/{type}", "case_note", NULL, T_AUDITED, K_PLAIN,
                                                    {403, 403, 403, 201, 403, 403, 403, 401}},
    /* an audit event through the commands: about no child's record, so the catalogue decides:
     * only the case's auditor grades it (a QA auditor's role account is not staff) */
    {"POST", "/api/v1/commands/{type}", "audit_theme_graded", NULL, T_AUDITED, K_PLAIN,
                                                    {403, 201, 403, 403, 403, 403, 403, 401}},
    {"GET", "/api/v1/children/{id}/audits", NULL, NULL, T_RESTRICTED, K_PLAIN,
                                                    {200, 200, 403, 200, 403, 200, 403, 401}},
    /* ---- improvement plans (src/http/improve.c): overseers (the director and head of
     * service, service managers, QA auditors, inspectors) and a plan's board read it all;
     * an action's owner reads their own actions (the team manager owns AUTHZ.IA of
     * AUTHZ.IP), not the plan's money; anyone else no plan; never administrators ---- */
    /*                                                sw   tm   sm  hos   qa insp  adm anon */
    {"GET", "/api/v1/improvement", NULL, NULL, T_NONE, K_PLAIN,
                                                    {200, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/improvement/plans/{plan}", "AUTHZ.IP", NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/improvement/plans/{plan}/budget", "AUTHZ.IP", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/improvement/actions/{action}", "AUTHZ.IA", NULL, T_NONE, K_PLAIN,
                                                    {403, 200, 200, 200, 200, 200, 403, 401}},
    {"GET", "/api/v1/improvement/plans/{plan}", "AUTHZ.NONE", NULL, T_NONE, K_PLAIN,
                                                    {404, 404, 404, 404, 404, 404, 403, 401}},
    /* the board's report: the readers of the whole plan (not an action's owner); issued by an
     * editor (the service manager chairs AUTHZ.IP's board; the head of service reads, and does
     * not edit, a plan the director owns) */
    {"GET", "/api/v1/improvement/plans/{plan}/report", "AUTHZ.IP", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 200, 200, 200, 200, 403, 401}},
    {"POST", "/api/v1/improvement/plans/{plan}/report", "AUTHZ.IP", NULL, T_NONE, K_PLAIN,
                                                    {403, 403, 201, 403, 403, 403, 403, 401}},
};
/* clang-format on */
static const size_t nmatrix = sizeof matrix / sizeof matrix[0];

/* ---- the fixture ---- */

typedef struct acct {
    char session[96], csrf[64];
    long signed_in; /* the status of the fixture's sign-in */
} acct;

static struct {
    char today[CW_DATE_LEN + 1];
    char area[101];         /* F.team's service area, and authz.sm's */
    char other_team[65];    /* F.child_other's team */
    char colleague[65];     /* F.child_team's worker */
    char child_unalloc[65]; /* a child with no worker */
    char child_audited[65]; /* T_AUDITED */
    char leaver[65];        /* a social worker who leaves in the fixture */
    acct a[NCOL];
    int team_seq; /* for team_created bodies */
    /* API tokens, by column: read and write scope */
    char tok_read[NCOL][CW_TOKEN_LEN + 1], tok_write[NCOL][CW_TOKEN_LEN + 1];
    char tok_revoked[CW_TOKEN_LEN + 1];  /* sw's, revoked */
    char tok_disabled[CW_TOKEN_LEN + 1]; /* the disabled account's */
} X;

/* The first column of the first row of q, read from F.db, with ?1 standing for arg (and ?2 for
 * arg2, if any), each written into the query as a quoted SQL literal (SQLite and PostgreSQL
 * number their parameters differently; these are identifiers from the demo and the test). */
static void sql_arg2(const char *q, const char *arg, const char *arg2, char *out, size_t cap)
{
    cw_buf sql = CW_BUF_INIT(1 << 16);
    for (const char *p = q; *p; p++) {
        const char *v = p[0] == '?' && p[1] == '1' ? arg : p[0] == '?' && p[1] == '2' ? arg2 : NULL;
        if (!v) {
            assert_int_equal(cw_buf_addc(&sql, *p), CW_OK);
            continue;
        }
        assert_int_equal(cw_buf_addc(&sql, '\''), CW_OK);
        for (const char *c = v; *c; c++)
            assert_int_equal(*c == '\'' ? cw_buf_addstr(&sql, "''") : cw_buf_addc(&sql, *c), CW_OK);
        assert_int_equal(cw_buf_addc(&sql, '\''), CW_OK);
        p++;
    }
    assert_int_equal(cw_buf_addc(&sql, '\0'), CW_OK);
    tdb_one(F.db, sql.data, out, cap);
    if (!strcmp(out, "NULL"))
        fail_msg("no row: %s (?1 = %s)", q, arg);
    cw_buf_release(&sql);
}

static void sql_arg(const char *q, const char *arg, char *out, size_t cap)
{
    sql_arg2(q, arg, NULL, out, cap);
}

/* One command through the library, committed on its own; steals p. */
/* Signs in; the status, and on 200 the session and its CSRF token. */
static long try_sign_in(const char *user, const char *pw, acct *a)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    resp r;
    REQ("POST", "/api/v1/session", body, NULL, NULL, &r);
    long st = r.status;
    if (st == 200 && a) {
        snprintf(a->session, sizeof a->session, "%s", r.session);
        snprintf(a->csrf, sizeof a->csrf, "%s", r.csrf);
    }
    done(&r);
    return st;
}

static int setup(void **state)
{
    (void)state;
    memset(&X, 0, sizeof X);
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), X.today);
    cw_ledger *l = ht_build("test.caseward.example/authz");
    sql_arg("SELECT service_area FROM teams WHERE team_id = ?1", F.team, X.area, sizeof X.area);
    sql_arg("SELECT st.team_id FROM children c JOIN staff st ON st.staff_id = c.worker_id WHERE "
            "c.child_id = ?1",
            F.child_other, X.other_team, sizeof X.other_team);
    sql_arg("SELECT worker_id FROM children WHERE child_id = ?1", F.child_team, X.colleague,
            sizeof X.colleague);
    /* born by today (UTC, as SQLite's date('now')) */
    sql_arg2("SELECT child_id FROM children WHERE worker_id IS NULL AND restricted = 0 AND "
             "date_of_birth <= ?2 AND child_id <> ?1 ORDER BY child_id LIMIT 1",
             F.child_own, X.today, X.child_unalloc, sizeof X.child_unalloc);
    /* someone whose leaving changes no target: not in F.team, not the other child's worker */
    sql_arg2("SELECT staff_id FROM staff WHERE role = 'social_worker' AND left_on IS NULL AND "
             "team_id <> ?1 AND staff_id <> (SELECT worker_id FROM children WHERE child_id = ?2) "
             "ORDER BY staff_id LIMIT 1",
             F.team, F.child_other, X.leaver, sizeof X.leaver);
    char other_area[101];
    sql_arg("SELECT coalesce(service_area, '') FROM teams WHERE team_id = ?1", X.other_team,
            other_area, sizeof other_area);
    /* "out of scope" for the service manager needs another service area */
    if (!strcmp(other_area, X.area))
        fail_msg("the demo no longer gives a case in another service area (%s, %s)", X.other_team,
                 other_area);
    /* The service manager: in a team of F.team's service area. */
    ht_submit(l, F.hos, "team_created",
              json_pack("{s:s, s:s, s:s}", "team_id", SM_TEAM, "name", "Authorisation test office",
                        "service_area", X.area));
    ht_submit(l, F.hos, "staff_added",
              json_pack("{s:s, s:s, s:s, s:s, s:s}", "staff_id", SM_ID, "name",
                        "Authorisation Service Manager", "role", "service_manager", "team_id",
                        SM_TEAM, "manager_id", F.hos));
    /* The restricted children. */
    ht_submit(l, F.hos, "child_registered",
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[s]}", "child_id", CHILD_R1,
                        "given_name", "Rhian", "family_name", "Restricted", "date_of_birth",
                        "2015-05-01", "gender", "female", "language", "welsh", "restricted", 1,
                        "restricted_to", F.sw));
    ht_submit(
        l, F.tm, "case_allocated",
        json_pack("{s:s, s:s, s:s}", "child_id", CHILD_R1, "worker_id", F.sw, "date", X.today));
    ht_submit(l, F.hos, "child_registered",
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[s, s]}", "child_id", CHILD_R2,
                        "given_name", "Rhys", "family_name", "Restricted", "date_of_birth",
                        "2013-02-11", "gender", "male", "language", "english", "restricted", 1,
                        "restricted_to", F.sw, X.colleague));
    ht_submit(l, F.tm, "case_allocated",
              json_pack("{s:s, s:s, s:s}", "child_id", CHILD_R2, "worker_id", X.colleague, "date",
                        X.today));
    /* A case-file audit programme (docs/audits.md) whose auditor is the team manager, with a
     * case of the other team drawn for them. */
    cw_audit_framework fw;
    cw_error ferr;
    json_t *prog = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s]}", "programme_id", "AUTHZ.P", "title",
                             "Authorisation programme", "date", X.today, "starts", X.today, "ends",
                             X.today, "auditors", F.tm);
    if (cw_audit_framework_builtin(&fw, "standard", &ferr) ||
        cw_audit_framework_facts(&fw, prog, &ferr) ||
        json_object_set_new(prog, "commissioned_by", json_string(F.hos)))
        fail_msg("programme: %s", ferr.msg);
    cw_audit_framework_release(&fw);
    ht_submit(l, F.hos, "audit_programme_created", prog);
    sql_arg2("SELECT c.child_id FROM children c JOIN staff st ON st.staff_id = c.worker_id "
             "WHERE st.team_id = ?1 AND c.child_id <> ?2 AND c.case_status = 'open' AND "
             "c.restricted = 0 ORDER BY c.child_id LIMIT 1",
             X.other_team, F.child_other, X.child_audited, sizeof X.child_audited);
    ht_submit(l, F.hos, "audit_case_added",
              json_pack("{s:s, s:s, s:s, s:s, s:s}", "programme_id", "AUTHZ.P", "child_id",
                        X.child_audited, "date", X.today, "auditor_id", F.tm, "reason",
                        "Authorisation test"));
    /* An improvement plan (src/improve/): recorded by a director, who owns it; one action,
     * the team manager's. */
    ht_submit(l, F.hos, "staff_added",
              json_pack("{s:s, s:s, s:s}", "staff_id", DIR_ID, "name", "Authorisation Director",
                        "role", "director"));
    ht_submit(l, DIR_ID, "improve_plan_created",
              json_pack("{s:s, s:s, s:s, s:s, s:s}", "plan_id", "AUTHZ.IP", "date", X.today,
                        "title", "Authorisation plan", "owner_id", DIR_ID, "due", X.today));
    ht_submit(l, DIR_ID, "improve_recommendation_added",
              json_pack("{s:s, s:s, s:s, s:s}", "recommendation_id", "AUTHZ.IR", "plan_id",
                        "AUTHZ.IP", "date", X.today, "text", "Recommendation."));
    ht_submit(l, DIR_ID, "improve_point_added",
              json_pack("{s:s, s:s, s:s, s:s}", "point_id", "AUTHZ.IPT", "recommendation_id",
                        "AUTHZ.IR", "date", X.today, "text", "Point."));
    ht_submit(l, DIR_ID, "improve_action_added",
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "action_id", "AUTHZ.IA", "point_id",
                        "AUTHZ.IPT", "date", X.today, "text", "Action.", "owner_id", F.tm, "due",
                        X.today));
    ht_submit(l, DIR_ID, "improve_board_member_added",
              json_pack("{s:s, s:s, s:s, s:s}", "plan_id", "AUTHZ.IP", "date", X.today, "staff_id",
                        SM_ID, "board_role", "chair"));
    /* One account per role. */
    account(l, "sw", F.sw, NULL, 0);
    account(l, "tm", F.tm, NULL, 0);
    account(l, "sm", SM_ID, NULL, 0);
    account(l, "hos", F.hos, NULL, 0);
    account(l, "qa", NULL, "qa_auditor", 0);
    account_expiring(l, "insp", NULL, "inspector", "2099-12-31", 0);
    account(l, "admin", NULL, "administrator", 0);
    /* Accounts that may not sign in, and two that may. */
    cw_error err;
    account_expiring(l, "insp.expired", NULL, "inspector", "2020-01-01", 0);
    account_expiring(l, "insp.today", NULL, "inspector", X.today, 0);
    account(l, "disabled", NULL, "inspector", 0);
    if (cw_account_set_disabled(l, "cli", "disabled", true, "no longer needed", &err))
        fail_msg("disable: %s", err.msg);
    account(l, "leaver", X.leaver, NULL, 0);
    ht_submit(l, F.hos, "staff_left",
              json_pack("{s:s, s:s}", "staff_id", X.leaver, "date", X.today));
    account(l, "later", NULL, "inspector", 0);
    /* API tokens: one of each scope per role, one revoked, one of the disabled account. */
    for (int c = 0; c < ANON; c++) {
        char name[32];
        snprintf(name, sizeof name, "%s.read", col_user[c]);
        if (cw_token_create(l, "cli", name, col_user[c], "read", X.tok_read[c], &err))
            fail_msg("token %s: %s", name, err.msg);
        snprintf(name, sizeof name, "%s.write", col_user[c]);
        if (cw_token_create(l, "cli", name, col_user[c], "write", X.tok_write[c], &err))
            fail_msg("token %s: %s", name, err.msg);
    }
    if (cw_token_create(l, "cli", "revoked", "sw", "write", X.tok_revoked, &err) ||
        cw_token_revoke(l, "cli", "revoked", "no longer used", &err) ||
        cw_token_create(l, "cli", "of.disabled", "disabled", "write", X.tok_disabled, &err))
        fail_msg("tokens: %s", err.msg);
    cw_ledger_close(l);
    ht_start();
    /* Each account signs in once: these are the sign-in row's cells. */
    for (int c = 0; c < ANON; c++)
        X.a[c].signed_in = try_sign_in(col_user[c], PW, &X.a[c]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ht_stop();
    return 0;
}

/* ---- helpers ---- */

static const route *find_route(const char *method, const char *pattern)
{
    for (size_t i = 0; i < cw_nroutes; i++)
        if (!strcmp(cw_routes[i].method, method) && !strcmp(cw_routes[i].pattern, pattern))
            return &cw_routes[i];
    return NULL;
}

static const char *target_child(int t)
{
    switch (t) {
    case T_OWN:
        return F.child_own;
    case T_TEAM:
        return F.child_team;
    case T_OTHER:
        return F.child_other;
    case T_UNALLOC:
        return X.child_unalloc;
    case T_RESTRICTED:
        return CHILD_R1;
    case T_NAMED:
        return CHILD_R2;
    case T_AUDITED:
        return X.child_audited;
    default:
        return NULL;
    }
}

static const char *target_team(int t)
{
    return t == T_MY_TEAM ? F.team : t == T_OTHER_TEAM ? X.other_team : NULL;
}

/* The pattern with {id}, {team} and {type} filled in, then the query. */
static void fill(const char *pattern, const char *child, const char *team, const char *type,
                 const char *query, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = pattern;
    while (*p) {
        const char *seg = p;
        size_t len;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            assert_non_null(close);
            size_t nl = (size_t)(close - p - 1);
            seg = nl == 2 && !strncmp(p + 1, "id", 2)          ? child
                  : nl == 4 && !strncmp(p + 1, "team", 4)      ? team
                  : nl == 4 && !strncmp(p + 1, "type", 4)      ? type
                  : nl == 7 && !strncmp(p + 1, "measure", 7)   ? type
                  : nl == 9 && !strncmp(p + 1, "programme", 9) ? type
                  : nl == 9 && !strncmp(p + 1, "framework", 9) ? type
                  : nl == 4 && !strncmp(p + 1, "plan", 4)      ? type
                  : nl == 6 && !strncmp(p + 1, "action", 6)    ? type
                  : nl == 4 && !strncmp(p + 1, "kind", 4)      ? type
                                                               : NULL;
            if (!seg)
                fail_msg("%s: nothing to put in {%.*s}", pattern, (int)nl, p + 1);
            len = strlen(seg);
            p = close + 1;
        } else {
            len = strcspn(p, "{");
            p += len;
        }
        assert_true(n + len < cap);
        memcpy(out + n, seg, len);
        n += len;
    }
    out[n] = '\0';
    if (query) {
        assert_true(n + strlen(query) < cap);
        memcpy(out + n, query, strlen(query) + 1);
    }
}

static void row_path(const row *rw, char *out, size_t cap)
{
    fill(rw->pattern, target_child(rw->target), target_team(rw->target), rw->type, rw->query, out,
         cap);
}

/* The body a row sends, or NULL. */
static const char *row_body(const row *rw, char *out, size_t cap)
{
    if (rw->kind == K_PASSWORD) {
        snprintf(out, cap, "{\"current_password\":\"%s\",\"new_password\":\"%s\"}", PW, PW2);
        return out;
    }
    if (!strcmp(rw->pattern, "/api/v1/me/language")) {
        snprintf(out, cap, "{\"language\":\"cy\"}");
        return out;
    }
    if (!rw->type)
        return NULL;
    if (!strcmp(rw->type, "case_note")) {
        snprintf(out, cap,
                 "{\"child_id\":\"%s\",\"date\":\"%s\",\"text\":\"Authorisation matrix note.\"}",
                 target_child(rw->target), X.today);
        return out;
    }
    if (strcmp(rw->method, "POST") != 0)
        return NULL; /* a GET names what it reads ({measure}), and sends nothing */
    if (!strcmp(rw->pattern, "/api/v1/audits")) {
        X.team_seq++;
        snprintf(out, cap,
                 "{\"programme_id\":\"AUTHZ.P%d\",\"title\":\"Authorisation programme %d\","
                 "\"starts\":\"%s\",\"ends\":\"%s\",\"auditors\":[\"%s\"]}",
                 X.team_seq, X.team_seq, X.today, X.today, F.tm);
        return out;
    }
    if (!strcmp(rw->pattern, "/api/v1/audits/{programme}/sample")) {
        /* a team with no cases: the draw is recorded, and gives no one new access */
        snprintf(out, cap, "{\"size\":1,\"minimum\":0,\"teams\":[\"%s\"]}", SM_TEAM);
        return out;
    }
    if (!strcmp(rw->pattern, "/api/v1/audits/{programme}/report")) {
        X.team_seq++;
        snprintf(out, cap, "{\"report_id\":\"AUTHZ.R%d\"}", X.team_seq);
        return out;
    }
    if (!strcmp(rw->pattern, "/api/v1/improvement/plans/{plan}/report")) {
        X.team_seq++;
        snprintf(out, cap, "{\"report_id\":\"AUTHZ.IR%d\",\"recipients\":\"The board\"}",
                 X.team_seq);
        return out;
    }
    if (!strcmp(rw->type, "team_created")) {
        X.team_seq++;
        snprintf(out, cap,
                 "{\"team_id\":\"authz.t%d\",\"name\":\"Authorisation team %d\","
                 "\"service_area\":\"Nowhere\"}",
                 X.team_seq, X.team_seq);
        return out;
    }
    if (!strcmp(rw->type, "audit_theme_graded")) {
        snprintf(out, cap,
                 "{\"programme_id\":\"AUTHZ.P\",\"child_id\":\"%s\",\"date\":\"%s\","
                 "\"theme\":\"childs_voice\",\"grade\":3,\"narrative\":\"Matrix grade.\"}",
                 target_child(rw->target), X.today);
        return out;
    }
    fail_msg("%s: no body for command %s", rw->pattern, rw->type);
    return NULL;
}

/* The record-access log: how many entries, and the latest. */
typedef struct ra {
    long long n;
    int allowed;
    char child[65], actor[72], what[200];
} ra;

static void ra_read(ra *out)
{
    memset(out, 0, sizeof *out);
    cw_buf b = CW_BUF_INIT(1 << 16);
    tdb_rows(F.db,
             "SELECT (SELECT count(*) FROM record_access), coalesce(child_id, ''), actor, what, "
             "allowed FROM record_access ORDER BY idx DESC LIMIT 1",
             &b, 0);
    if (b.len) { /* n|child|actor|what|allowed: only what may hold a "|" */
        b.data[b.len - 1] = '\0';
        char *child = strchr(b.data, '|'), *actor = child ? strchr(child + 1, '|') : NULL,
             *what = actor ? strchr(actor + 1, '|') : NULL, *allowed = strrchr(b.data, '|');
        if (!what || allowed == what)
            fail_msg("record_access: %s", b.data);
        out->n = strtoll(b.data, NULL, 10);
        snprintf(out->child, sizeof out->child, "%.*s", (int)(actor - child - 1), child + 1);
        snprintf(out->actor, sizeof out->actor, "%.*s", (int)(what - actor - 1), actor + 1);
        snprintf(out->what, sizeof out->what, "%.*s", (int)(allowed - what - 1), what + 1);
        out->allowed = (int)strtol(allowed + 1, NULL, 10);
    }
    cw_buf_release(&b);
}

static long long log_size(void)
{
    char n[32];
    ht_one("SELECT count(*) FROM entries", n, sizeof n);
    return strtoll(n, NULL, 10);
}

/*
 * What the record-access log must show after a request by column c got
 * status (before: the log's state before it); "" if it does.
 */
static void check_recorded(const char *method, const char *pattern, const route *rt, int c,
                           const char *child, long status, const ra *before, const ra *after,
                           char *why, size_t cap)
{
    char actor[72], what[200];
    why[0] = '\0';
    if (c == ANON || status == 401) {
        if (after->n != before->n)
            snprintf(why, cap, "a request not signed in was recorded (%lld entries)",
                     after->n - before->n);
        return;
    }
    snprintf(actor, sizeof actor, "user:%s", col_user[c]);
    snprintf(what, sizeof what, "%s %s", method, pattern);
    int child_route = rt && (rt->flags & RF_CHILD);
    if (status == 403) {
        if (after->n != before->n + 1)
            snprintf(why, cap, "a refusal must add one record_accessed entry, not %lld",
                     after->n - before->n);
        else if (after->allowed != 0 || strcmp(after->actor, actor) || strcmp(after->what, what))
            snprintf(why, cap, "the refusal was recorded as %.71s \"%.100s\" allowed=%d",
                     after->actor, after->what, after->allowed);
        else if (child_route && strcmp(after->child, child))
            snprintf(why, cap, "the refusal was recorded for child \"%.64s\"", after->child);
    } else if (status >= 200 && status < 300 && child_route) {
        if (after->n != before->n + 1)
            snprintf(why, cap, "a read of a child must add one record_accessed entry, not %lld",
                     after->n - before->n);
        else if (after->allowed != 1 || strcmp(after->actor, actor) || strcmp(after->what, what) ||
                 strcmp(after->child, child))
            snprintf(why, cap,
                     "the read was recorded as %.71s \"%.100s\" child \"%.64s\" allowed=%d",
                     after->actor, after->what, after->child, after->allowed);
    }
}

typedef struct tally {
    int cells, failed, skipped_rows;
} tally;

static void report(const row *rw, int c, const char *via, tally *t, const char *fmt, ...)
    CMOCKA_PRINTF_ATTRIBUTE(5, 6);

static void report(const row *rw, int c, const char *via, tally *t, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->failed++;
    print_error("matrix: %s %s%s%s%s%s as %s%s: %s\n", rw->method, rw->pattern, rw->type ? " " : "",
                rw->type ? rw->type : "", rw->target ? " on " : "", target_name[rw->target],
                col_name[c], via, msg);
}

/*
 * The request of row rw by column c, sent with the session (and csrf) or
 * the bearer token given, and its checks against want. The response is
 * left in *r for the caller to release.
 */
static void probe(const row *rw, const route *rt, int c, long want, const char *via,
                  const char *sess, const char *csrf, const char *bearer, resp *r, tally *t)
{
    char path[512], buf[512], auth[128];
    const char *body;
    t->cells++;
    if (rw->kind == K_SIGN_IN) {
        snprintf(path, sizeof path, "%s", rw->pattern);
        body = "{\"username\":\"no.such.user\",\"password\":\"whatever it may be\"}";
    } else {
        row_path(rw, path, sizeof path);
        body = row_body(rw, buf, sizeof buf);
    }
    if (bearer)
        snprintf(auth, sizeof auth, "Bearer %s", bearer);
    ra before, after;
    ra_read(&before);
    call_auth(rw->method, path, body, body ? strlen(body) : 0, sess, csrf, bearer ? auth : NULL, r);
    ra_read(&after);
    char why[512];
    check_recorded(rw->method, rw->pattern, rt, c, target_child(rw->target), r->status, &before,
                   &after, why, sizeof why);
    if (r->status != want)
        report(rw, c, via, t, "status %ld, want %ld: %.200s", r->status, want,
               r->body.data ? r->body.data : "");
    else if (r->status == 401 && strcmp(err_member(r, "code"), "not_signed_in"))
        report(rw, c, via, t, "401 with code \"%s\"", err_member(r, "code"));
    else if (r->status == 403 && strcmp(err_member(r, "code"), "forbidden"))
        report(rw, c, via, t, "403 with code \"%s\"", err_member(r, "code"));
    else if (why[0])
        report(rw, c, via, t, "%s", why);
}

/* One cell of the matrix, by the column's session. */
static void cell(const row *rw, const route *rt, int c, tally *t)
{
    acct *a = c == ANON ? NULL : &X.a[c];
    long want = rw->want[c];
    if (rw->kind == K_SIGN_IN && a) {
        t->cells++;
        if (a->signed_in != want)
            report(rw, c, "", t, "status %ld, want %ld", a->signed_in, want);
        return;
    }
    if (a && a->signed_in != 200) {
        t->cells++;
        report(rw, c, "", t, "not signed in (sign-in answered %ld)", a->signed_in);
        return;
    }
    resp r;
    probe(rw, rt, c, want, "", a ? a->session : NULL, a && (rt->flags & RF_WRITE) ? a->csrf : NULL,
          NULL, &r, t);
    if (a && r.status == 200 && rw->kind == K_PASSWORD) {
        /* the change ends the account's sessions and starts this one again */
        snprintf(a->session, sizeof a->session, "%s", r.session);
        snprintf(a->csrf, sizeof a->csrf, "%s", r.csrf);
    }
    done(&r);
    if (a && rw->kind == K_SIGN_OUT && want == 200) {
        REQ("GET", "/api/v1/me", NULL, a->session, NULL, &r);
        if (r.status != 401)
            report(rw, c, "", t, "the session still answers %ld after signing out", r.status);
        done(&r);
    }
}

/* ---- the route table and the matrix agree ---- */

/* Every route has rows, and a route whose path names a child has in- and out-of-scope rows. */
static void test_every_route_has_rows(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < cw_nroutes; i++) {
        const route *rt = &cw_routes[i];
        int rows = 0, in = 0, out = 0;
        for (size_t k = 0; k < nmatrix; k++) {
            if (strcmp(matrix[k].method, rt->method) || strcmp(matrix[k].pattern, rt->pattern))
                continue;
            rows++;
            in |= matrix[k].target == T_OWN;
            out |= matrix[k].target == T_OTHER;
        }
        if (!rows) {
            print_error("%s %s has no row in the authorisation matrix (tests/authz_test.c)\n",
                        rt->method, rt->pattern);
            bad++;
        } else if ((rt->flags & RF_CHILD) && !(in && out)) {
            print_error("%s %s names a child: the matrix needs an in-scope (T_OWN) and an "
                        "out-of-scope (T_OTHER) row\n",
                        rt->method, rt->pattern);
            bad++;
        }
    }
    if (bad)
        fail_msg("%d route(s) without a decision on who may use them: add rows to the matrix in "
                 "tests/authz_test.c",
                 bad);
}

/* Every row names a route that exists. */
static void test_no_rows_for_missing_routes(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t k = 0; k < nmatrix; k++) {
        if (find_route(matrix[k].method, matrix[k].pattern))
            continue;
        print_error("the matrix names %s %s, which is not in cw_routes\n", matrix[k].method,
                    matrix[k].pattern);
        bad++;
    }
    if (bad)
        fail_msg("%d matrix row(s) for routes that do not exist", bad);
}

/* Not signed in: every route that names roles answers 401, and nothing is recorded. */
static void test_not_signed_in(void **state)
{
    (void)state;
    ra before, after;
    ra_read(&before);
    for (size_t i = 0; i < cw_nroutes; i++) {
        const route *rt = &cw_routes[i];
        if (!rt->roles)
            continue;
        char path[512];
        fill(rt->pattern, F.child_own, F.team, "case_note", NULL, path, sizeof path);
        const char *body = strcmp(rt->method, "GET") ? "{}" : NULL;
        resp r;
        REQ(rt->method, path, body, NULL, NULL, &r);
        if (r.status != 401 || strcmp(err_member(&r, "code"), "not_signed_in"))
            fail_msg("%s %s not signed in: %ld %.200s", rt->method, rt->pattern, r.status,
                     r.body.data ? r.body.data : "");
        done(&r);
        /* a made-up session is no session either */
        REQ(rt->method, path, body, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", &r);
        if (r.status != 401)
            fail_msg("%s %s with a made-up session: %ld", rt->method, rt->pattern, r.status);
        done(&r);
    }
    ra_read(&after);
    assert_int_equal(after.n, before.n);
}

/* Accounts that are not active cannot sign in; an account disabled while signed in is out. */
static void test_inactive_accounts(void **state)
{
    (void)state;
    static const char *const refused[] = {"insp.expired", "disabled", "leaver"};
    ra before, after;
    ra_read(&before);
    long long size0 = log_size();
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        acct a;
        memset(&a, 0, sizeof a);
        long st = try_sign_in(refused[i], PW, &a);
        if (st != 401)
            fail_msg("%s signed in: %ld", refused[i], st);
        assert_string_equal(a.session, "");
    }
    ra_read(&after);
    assert_int_equal(after.n, before.n);
    assert_int_equal(log_size(), size0);
    /* expires_on is the last day the account works */
    acct today;
    assert_int_equal(try_sign_in("insp.today", PW, &today), 200);
    /* disabled while signed in: the next request is not signed in */
    acct later;
    assert_int_equal(try_sign_in("later", PW, &later), 200);
    resp r;
    REQ("GET", "/api/v1/me", NULL, later.session, NULL, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    cw_ledger *l;
    cw_error err;
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    if (cw_account_set_disabled(l, "cli", "later", true, "left the inspectorate", &err))
        fail_msg("disable: %s", err.msg);
    cw_ledger_close(l);
    /* The server keeps a session's principal for PRINCIPAL_TTL_MS (46f0709): the change takes
     * effect within that time, not at once. */
    int64_t t0 = cw_time_now_ms();
    ra_read(&before);
    for (;;) {
        REQ("GET", "/api/v1/children", NULL, later.session, NULL, &r);
        long st = r.status;
        done(&r);
        if (st == 401)
            break;
        assert_int_equal(st, 200);
        if (cw_time_now_ms() - t0 > PRINCIPAL_TTL_MS + 3000)
            fail_msg("a disabled account's session still works after %lld ms",
                     (long long)(cw_time_now_ms() - t0));
        struct timespec tick = {0, 100 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    REQ("GET", "/api/v1/me", NULL, later.session, NULL, &r);
    expect_error(&r, 401, "not_signed_in", NULL);
    done(&r);
    ra_read(&after);
    /* the reads while the principal was still kept are lists, not records: nothing recorded */
    assert_int_equal(after.n, before.n);
}

/* Every state-changing request needs the session's CSRF token: missing or wrong is 403. */
static void test_csrf(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t k = 0; k < nmatrix; k++) {
        const row *rw = &matrix[k];
        const route *rt = find_route(rw->method, rw->pattern);
        if (!rt || !(rt->flags & RF_WRITE) || rw->kind == K_SIGN_IN)
            continue;
        for (int c = 0; c < ANON; c++) {
            if (rw->want[c] < 200 || rw->want[c] >= 300)
                continue; /* the role is refused anyway */
            acct *a = &X.a[c];
            assert_int_equal(a->signed_in, 200);
            const char *tokens[] = {NULL, X.a[(c + 1) % ANON].csrf, "x"};
            for (size_t v = 0; v < sizeof tokens / sizeof tokens[0]; v++) {
                char path[512], buf[512];
                row_path(rw, path, sizeof path);
                const char *body = row_body(rw, buf, sizeof buf);
                long long size0 = log_size();
                ra before, after;
                ra_read(&before);
                resp r;
                REQ(rw->method, path, body, a->session, tokens[v], &r);
                if (r.status != 403 || strcmp(err_member(&r, "field"), "X-CSRF-Token"))
                    fail_msg("%s %s as %s, %s CSRF token: %ld %.200s", rw->method, path,
                             col_name[c], tokens[v] ? "a wrong" : "no", r.status,
                             r.body.data ? r.body.data : "");
                done(&r);
                ra_read(&after);
                /* nothing written but the refusal */
                assert_int_equal(log_size(), size0 + 1);
                assert_int_equal(after.n, before.n + 1);
                assert_int_equal(after.allowed, 0);
                checked++;
            }
            /* the session is still there */
            resp r;
            REQ("GET", "/api/v1/me", NULL, a->session, NULL, &r);
            assert_int_equal(r.status, 200);
            done(&r);
        }
    }
    assert_true(checked >= 3 * 2 * ANON); /* sign-out and password, for every role at least */
}

/* The record-access log, by hand: refusals and reads are recorded, requests not signed in not. */
static void test_record_access(void **state)
{
    (void)state;
    const acct *sw = &X.a[SW];
    assert_int_equal(sw->signed_in, 200);
    char path[200];
    ra before, after;
    resp r;
    /* refused: one entry, allowed 0 */
    snprintf(path, sizeof path, "/api/v1/children/%s", F.child_other);
    ra_read(&before);
    REQ("GET", path, NULL, sw->session, NULL, &r);
    expect_error(&r, 403, "forbidden", "id");
    done(&r);
    ra_read(&after);
    assert_int_equal(after.n, before.n + 1);
    assert_int_equal(after.allowed, 0);
    assert_string_equal(after.child, F.child_other);
    assert_string_equal(after.actor, "user:sw");
    assert_string_equal(after.what, "GET /api/v1/children/{id}");
    /* refused by role on a route that names no child */
    ra_read(&before);
    REQ("GET", "/api/v1/log/entries?start=0&end=2", NULL, sw->session, NULL, &r);
    expect_error(&r, 403, "forbidden", "role");
    done(&r);
    ra_read(&after);
    assert_int_equal(after.n, before.n + 1);
    assert_int_equal(after.allowed, 0);
    assert_string_equal(after.child, "");
    assert_string_equal(after.what, "GET /api/v1/log/entries");
    /* allowed: one entry, allowed 1 */
    snprintf(path, sizeof path, "/api/v1/children/%s", F.child_own);
    ra_read(&before);
    REQ("GET", path, NULL, sw->session, NULL, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    ra_read(&after);
    assert_int_equal(after.n, before.n + 1);
    assert_int_equal(after.allowed, 1);
    assert_string_equal(after.child, F.child_own);
    /* not signed in: nothing */
    ra_read(&before);
    REQ("GET", path, NULL, NULL, NULL, &r);
    expect_error(&r, 401, "not_signed_in", NULL);
    done(&r);
    ra_read(&after);
    assert_int_equal(after.n, before.n);
}

/* Whether the array member key of r's body lists child id. */
static int lists(const resp *r, const char *key, const char *id)
{
    json_t *arr = json_object_get(r->json, key);
    assert_true(json_is_array(arr));
    for (size_t j = 0; j < json_array_size(arr); j++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(arr, j), "child_id")), id))
            return 1;
    return 0;
}

/*
 * Lists hold only what the caller may see: the children in scope, and no
 * restricted child to anyone outside it and outside the oversight above it
 * (docs/api.md: "hidden from other staff, never from oversight").
 */
static void test_lists(void **state)
{
    (void)state;
    /* the restricted children are open cases, so the caseloads below would show them */
    char status[16];
    sql_arg("SELECT case_status FROM children WHERE child_id = ?1", CHILD_R1, status,
            sizeof status);
    assert_string_equal(status, "open");
    const char *ids[] = {F.child_own,     F.child_team, F.child_other,
                         X.child_unalloc, CHILD_R1,     CHILD_R2};
    static const struct {
        int col;
        int in[6]; /* own, team, other, unallocated, restricted, named */
    } children[] = {
        {SW, {1, 1, 0, 0, 1, 1}},  {TM, {1, 1, 0, 1, 1, 1}},   {SM, {1, 1, 0, 1, 0, 0}},
        {HOS, {1, 1, 1, 1, 1, 1}}, {INSP, {1, 1, 1, 1, 1, 1}}, {QA, {0, 0, 0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++) {
        resp r;
        REQ("GET", "/api/v1/children", NULL, X.a[children[i].col].session, NULL, &r);
        assert_int_equal(r.status, 200);
        for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
            if (lists(&r, "children", ids[k]) != children[i].in[k])
                fail_msg("GET /api/v1/children as %s: %s is %s", col_name[children[i].col], ids[k],
                         children[i].in[k] ? "missing" : "listed");
        done(&r);
    }
    /* F.team's caseload, to those who may see it: the restricted children only to the
     * oversight above their worker (the team manager, the head of service, inspectors),
     * never to a service manager outside that chain */
    static const int team_readers[] = {TM, SM, HOS, INSP};
    char path[200];
    snprintf(path, sizeof path, "/api/v1/teams/%s/caseload?as_of=%s", F.team, X.today);
    int bad = 0;
    for (size_t i = 0; i < sizeof team_readers / sizeof team_readers[0]; i++) {
        int c = team_readers[i];
        resp r;
        REQ("GET", path, NULL, X.a[c].session, NULL, &r);
        assert_int_equal(r.status, 200);
        if (!lists(&r, "caseload", F.child_own))
            fail_msg("GET %s as %s: %s is missing", path, col_name[c], F.child_own);
        for (size_t k = 4; k < 6; k++) {
            /* a restricted record stays out of the list for anyone not entitled to it */
            if (lists(&r, "caseload", ids[k]) != (c != SM)) {
                print_error("GET /api/v1/teams/{team}/caseload as %s %s restricted child %s\n",
                            col_name[c], c == SM ? "lists" : "does not list", ids[k]);
                bad++;
            }
        }
        done(&r);
    }
    /* the social worker's own caseload: their open cases, the restricted one they hold too */
    resp r;
    REQ("GET", "/api/v1/caseload", NULL, X.a[SW].session, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(lists(&r, "caseload", F.child_own));
    assert_true(lists(&r, "caseload", CHILD_R1));
    assert_false(lists(&r, "caseload", F.child_team));
    assert_false(lists(&r, "caseload", CHILD_R2));
    /* each line names the child and the worker, for the caseload page */
    json_t *line = json_array_get(json_object_get(r.json, "caseload"), 0);
    assert_non_null(json_string_value(json_object_get(line, "given_name")));
    assert_non_null(json_string_value(json_object_get(line, "family_name")));
    assert_non_null(json_string_value(json_object_get(line, "date_of_birth")));
    assert_string_equal(json_string_value(json_object_get(line, "worker_id")), F.sw);
    done(&r);
    /* open cases with no worker: each listed one is open and unallocated, and there are some */
    REQ("GET", "/api/v1/unallocated", NULL, X.a[HOS].session, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        json_t *items = json_object_get(r.json, "caseload");
        char waiting[32];
        sql_arg("SELECT count(*) FROM children WHERE worker_id IS NULL AND case_status = ?1",
                "open", waiting, sizeof waiting);
        assert_string_not_equal(waiting, "0"); /* the demo council has front-door cases */
        assert_true(json_array_size(items) > 0);
        for (size_t j = 0; j < json_array_size(items); j++) {
            json_t *it = json_array_get(items, j);
            char worker[65] = "x";
            sql_arg(
                "SELECT coalesce(worker_id, '') || case_status FROM children WHERE child_id = ?1",
                json_string_value(json_object_get(it, "child_id")), worker, sizeof worker);
            assert_string_equal(worker, "open");
            assert_true(json_is_null(json_object_get(it, "worker_id")));
        }
    }
    done(&r);
    /* what is overdue and signalled across the service names each child, as the record does */
    static const char *const across[] = {"/api/v1/overdue", "/api/v1/signals"};
    for (size_t i = 0; i < 2; i++) {
        REQ("GET", across[i], NULL, X.a[HOS].session, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *items = json_object_get(r.json, i ? "signals" : "overdue");
        assert_true(json_array_size(items) > 0);
        for (size_t j = 0; j < json_array_size(items); j += 7) {
            json_t *it = json_array_get(items, j);
            const char *id = json_string_value(json_object_get(it, "child_id"));
            char given[101];
            sql_arg("SELECT given_name FROM children WHERE child_id = ?1", id, given, sizeof given);
            assert_string_equal(json_string_value(json_object_get(it, "given_name")), given);
            assert_non_null(json_string_value(json_object_get(it, "family_name")));
        }
        done(&r);
    }
    if (bad)
        fail_msg("%d list(s) show a restricted child to someone not named on it", bad);
}

/* API tokens that do not work, and what a read token may not do. */
static void test_tokens(void **state)
{
    (void)state;
    char bearer[128];
    resp r;
    ra before, after;
    ra_read(&before);
    const char *dead[] = {X.tok_revoked, X.tok_disabled,
                          "cwt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a token"};
    for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++) {
        snprintf(bearer, sizeof bearer, "Bearer %s", dead[i]);
        call_auth("GET", "/api/v1/me", NULL, 0, NULL, NULL, bearer, &r);
        expect_error(&r, 401, "not_signed_in", "Authorization");
        done(&r);
    }
    snprintf(bearer, sizeof bearer, "Basic %s", X.tok_read[SW]);
    call_auth("GET", "/api/v1/me", NULL, 0, NULL, NULL, bearer, &r);
    expect_error(&r, 401, "not_signed_in", "Authorization");
    done(&r);
    ra_read(&after);
    assert_int_equal(after.n, before.n);
    /* a token is its account */
    snprintf(bearer, sizeof bearer, "Bearer %s", X.tok_read[SW]);
    call_auth("GET", "/api/v1/me", NULL, 0, NULL, NULL, bearer, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "username")), "sw");
    done(&r);
    /* a read token changes nothing, sign-out and password included */
    char body[200];
    snprintf(body, sizeof body, "{\"current_password\":\"%s\",\"new_password\":\"%s\"}", PW, PW2);
    call_auth("PUT", "/api/v1/me/password", body, strlen(body), NULL, NULL, bearer, &r);
    expect_error(&r, 403, "forbidden", "Authorization");
    done(&r);
    call_auth("DELETE", "/api/v1/session", NULL, 0, NULL, NULL, bearer, &r);
    expect_error(&r, 403, "forbidden", "Authorization");
    done(&r);
}

/*
 * The matrix again, by API token: a token acts as its account, with its role
 * and scope; a read token may only make GET requests (403 otherwise), and no
 * token needs a CSRF token.
 */
static void test_matrix_by_token(void **state)
{
    (void)state;
    tally t = {0, 0, 0};
    for (size_t k = 0; k < nmatrix; k++) {
        const row *rw = &matrix[k];
        const route *rt = find_route(rw->method, rw->pattern);
        if (rw->kind != K_PLAIN || !rt)
            continue;
        int get = !strcmp(rw->method, "GET");
        for (int c = 0; c < ANON; c++) {
            resp r;
            probe(rw, rt, c, get ? rw->want[c] : 403, " (read token)", NULL, NULL, X.tok_read[c],
                  &r, &t);
            if (!get && r.status == 403 && strcmp(err_member(&r, "field"), "Authorization"))
                report(rw, c, " (read token)", &t, "refused, but not for the token's scope: %s",
                       err_member(&r, "message"));
            done(&r);
            probe(rw, rt, c, rw->want[c], " (write token)", NULL, NULL, X.tok_write[c], &r, &t);
            done(&r);
        }
    }
    print_message("matrix by token: %d cells checked\n", t.cells);
    if (t.failed)
        fail_msg("%d of %d cells differ from the authorisation matrix (listed above)", t.failed,
                 t.cells);
}

/* The matrix: every row, every column. The password and sign-out rows run last. */
static void test_matrix(void **state)
{
    (void)state;
    tally t = {0, 0, 0};
    static const int phases[][2] = {{K_PLAIN, K_SIGN_IN}, {K_PASSWORD, -1}, {K_SIGN_OUT, -1}};
    for (size_t ph = 0; ph < sizeof phases / sizeof phases[0]; ph++) {
        for (size_t k = 0; k < nmatrix; k++) {
            const row *rw = &matrix[k];
            if (rw->kind != phases[ph][0] && rw->kind != phases[ph][1])
                continue;
            const route *rt = find_route(rw->method, rw->pattern);
            if (!rt) {
                t.skipped_rows++; /* reported by test_no_rows_for_missing_routes */
                continue;
            }
            for (int c = 0; c < NCOL; c++)
                cell(rw, rt, c, &t);
        }
    }
    print_message("matrix: %d cells checked, %d rows skipped (routes not yet served)\n", t.cells,
                  t.skipped_rows);
    if (t.failed)
        fail_msg("%d of %d cells differ from the authorisation matrix (listed above)", t.failed,
                 t.cells);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    cw_error err;
    if (cw_improve_register(&err)) {
        fprintf(stderr, "improve: %s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_has_rows),
        cmocka_unit_test(test_no_rows_for_missing_routes),
        cmocka_unit_test(test_not_signed_in),
        cmocka_unit_test(test_inactive_accounts),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_record_access),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_matrix_by_token),
        cmocka_unit_test(test_matrix), /* last: it changes passwords and signs everyone out */
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
