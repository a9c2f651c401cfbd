/*
 * twoperson_test.c — the two-person rule for changes that widen who can see children's
 * records (docs/events.md, "Two-person rule"; issue 18), over a real socket.
 *
 * The fixture is a small council of its own: tp.sw (a social worker) reports to tp.tm (a team
 * manager), who reports to the head of service tp.hos; tp.sm is a service manager of the same
 * team; tp.other a social worker of another team. TP.C1 is tp.sw's case, restricted to no one
 * by name; TP.C2 is tp.other's. Accounts:
 * two administrators (role accounts tp.admin1 and tp.admin2), tp.sw, tp.tm, tp.sm and the head
 * of service. The last test stops the server and checks that the read model equals a rebuild
 * from the log (caseward verify --db).
 */
#include <time.h>

#include "casework/accounts.h"
#include "casework/casework.h"
#include "http/http_int.h"
/* The approval's own check, run with a later clock (expiry): casework's private header, whose
 * field flag REQ would clash with httptest.h's REQ(). */
#define REQ casework_REQ
#include "casework/casework_int.h"
#undef REQ
#include "httptest.h"

static char today[11];
static who admin1, admin2, sw, tm, sm, hos, dpo;

/* A small council of its own (the demo's 120 children would only slow the test down). */
static int setup(void **state)
{
    (void)state;
    time_t t = time(NULL);
    struct tm when;
    gmtime_r(&t, &when);
    strftime(today, sizeof today, "%Y-%m-%d", &when);
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-twoperson-XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    tdb_path(F.db, sizeof F.db, F.dir, "c");
    cw_error err;
    cw_ledger *l;
    assert_int_equal(cw_ledger_create(F.db, "twoperson.test/log", &err), CW_OK);
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    assert_int_equal(cw_store_meta_put(cw_ledger_store(l), "rule_pack", "wales", &err), CW_OK);
    snprintf(F.hos, sizeof F.hos, "tp.hos");
    snprintf(F.child_other, sizeof F.child_other, "TP.C2");
    ht_submit(l, "cli", "team_created",
              json_pack("{s:s, s:s, s:s}", "team_id", "TP.T", "name", "Two-person team",
                        "service_area", "Two-person area"));
    ht_submit(l, "cli", "team_created",
              json_pack("{s:s, s:s, s:s}", "team_id", "TP.T2", "name", "Elsewhere", "service_area",
                        "Another area"));
    ht_submit(l, "cli", "staff_added",
              json_pack("{s:s, s:s, s:s}", "staff_id", "tp.hos", "name", "Head", "role",
                        "head_of_service"));
    static const char *const people[][4] = {
        {"tp.tm", "team_manager", "TP.T", "tp.hos"},
        {"tp.sw", "social_worker", "TP.T", "tp.tm"},
        {"tp.sm", "service_manager", "TP.T", "tp.hos"},
        {"tp.other", "social_worker", "TP.T2", "tp.hos"},
        {"tp.dpo", "data_protection_officer", "TP.T2", "tp.hos"},
    };
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        ht_submit(l, "cli", "staff_added",
                  json_pack("{s:s, s:s, s:s, s:s, s:s}", "staff_id", people[i][0], "name", "Staff",
                            "role", people[i][1], "team_id", people[i][2], "manager_id",
                            people[i][3]));
    static const char *const kids[][3] = {{"TP.C1", "tp.sw", "Tomos"},
                                          {"TP.C2", "tp.other", "Non"}};
    for (size_t i = 0; i < 2; i++) {
        ht_submit(l, kids[i][1], "child_registered",
                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "child_id", kids[i][0],
                            "date", today, "given_name", kids[i][2], "family_name", "Twoperson",
                            "date_of_birth", "2015-06-01", "gender", "male", "language", "welsh",
                            "restricted", i == 0));
        ht_submit(l, "tp.hos", "case_allocated",
                  json_pack("{s:s, s:s, s:s}", "child_id", kids[i][0], "worker_id", kids[i][1],
                            "date", today));
    }
    /* Each account's password PW, hashed once (argon2id takes a while). */
    char hash[CW_PASSWORD_HASH_MAX], one[21];
    assert_int_equal(cw_password_hash(PW, hash, &err), CW_OK);
    static const char *const users[][3] = {{"tp.admin1", NULL, "administrator"},
                                           {"tp.admin2", NULL, "administrator"},
                                           {"tp.sw", "tp.sw", NULL},
                                           {"tp.tm", "tp.tm", NULL},
                                           {"tp.sm", "tp.sm", NULL},
                                           {"tp.hos", "tp.hos", NULL},
                                           {"tp.dpo", "tp.dpo", NULL}};
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        if (cw_account_create(l, "cli", users[i][0], users[i][1], users[i][2], NULL, one, &err) ||
            cw_account_store_password(l, "cli", users[i][0], hash, false, &err))
            fail_msg("account %s: %s", users[i][0], err.msg);
    cw_ledger_close(l);
    ht_start();
    sign_in("tp.admin1", PW, &admin1);
    sign_in("tp.admin2", PW, &admin2);
    sign_in("tp.sw", PW, &sw);
    sign_in("tp.tm", PW, &tm);
    sign_in("tp.sm", PW, &sm);
    sign_in("tp.hos", PW, &hos);
    sign_in("tp.dpo", PW, &dpo);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cw_http_stop(F.h);
    F.h = NULL;
    rm_rf(F.dir);
    return 0;
}

/* POSTs a command as w (takes body); returns the status; the error's field into field. */
static long post(const who *w, const char *type, json_t *body, char field[65])
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/commands/%s", type);
    resp r;
    REQ("POST", path, text, w->session, w->csrf, &r);
    free(text);
    long st = r.status;
    if (field)
        snprintf(field, 65, "%s", err_member(&r, "field"));
    if (st >= 500)
        fail_msg("%s: %ld %.*s", type, st, (int)r.body.len, r.body.data ? r.body.data : "");
    done(&r);
    return st;
}

static void expect(const who *w, const char *type, json_t *body, long status, const char *field)
{
    char got[65];
    long st = post(w, type, body, got);
    if (st != status)
        fail_msg("%s: status %ld, expected %ld (field %s)", type, st, status, got);
    if (field)
        assert_string_equal(got, field);
}

static void staff_role(const char *id, char out[64])
{
    char q[160];
    snprintf(q, sizeof q,
             "SELECT role || ' ' || COALESCE(team_id, '-') FROM staff WHERE staff_id = '%s'", id);
    ht_one(q, out, 64);
}

/* The listing's item for a proposal, as w reads it (a new reference), or NULL. */
static json_t *listed(const who *w, const char *proposal)
{
    resp r;
    REQ("GET", "/api/v1/access-changes", NULL, w->session, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *found = NULL, *arr = json_object_get(r.json, "access_changes");
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(arr, i), "proposal_id")),
                    proposal))
            found = json_incref(json_array_get(arr, i));
    done(&r);
    return found;
}

static const char *member(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static long read_child(const who *w, const char *child)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/children/%s", child);
    resp r;
    REQ("GET", path, NULL, w->session, NULL, &r);
    long st = r.status;
    done(&r);
    return st;
}

static json_t *promote(const char *id, const char *staff, const char *role)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "proposal_id", id, "date", today, "change",
                     "staff_changed", "staff_id", staff, "role", role, "reason",
                     "Acting up while the post is filled.");
}

static json_t *decide(const char *id, const char *reason)
{
    return reason ? json_pack("{s:s, s:s, s:s}", "proposal_id", id, "date", today, "reason", reason)
                  : json_pack("{s:s, s:s}", "proposal_id", id, "date", today);
}

/* An administrator alone cannot make anyone head of service, or move them to another team:
 * the API refuses it, saying to propose it; nothing changes. Narrowing changes apply at once. */
static void test_one_person_refused(void **state)
{
    (void)state;
    char before[64], after[64];
    staff_role("tp.sw", before);
    expect(&admin1, "staff_changed",
           json_pack("{s:s, s:s}", "staff_id", "tp.sw", "role", "head_of_service"), 403, "type");
    expect(&hos, "staff_changed", json_pack("{s:s, s:s}", "staff_id", "tp.sw", "team_id", "TP.T2"),
           403, "type");
    /* (and a change that names a proposal is caseward's to record) */
    expect(&admin1, "staff_changed",
           json_pack("{s:s, s:s, s:s}", "staff_id", "tp.sw", "role", "team_manager", "proposal_id",
                     "TP.X"),
           400, "proposal_id");
    staff_role("tp.sw", after);
    assert_string_equal(before, after);
    assert_int_equal(read_child(&sw, F.child_other), 403);
    /* Narrowing: the service manager made a team manager, at once, by one person. */
    expect(&admin1, "staff_changed",
           json_pack("{s:s, s:s}", "staff_id", "tp.sm", "role", "team_manager"), 201, NULL);
    staff_role("tp.sm", after);
    assert_string_equal(after, "team_manager TP.T");
    /* ... and back up again is a widening: refused alone. */
    expect(&admin1, "staff_changed",
           json_pack("{s:s, s:s}", "staff_id", "tp.sm", "role", "service_manager"), 403, "type");
    /* The writer checks again, against the state it writes over: a change the request saw as
     * narrowing, written after another made it widen, is refused there, and nothing written.
     * (The server's handle is a struct whose first member is the server: see server.c.) */
    cw_http_srv *srv = (cw_http_srv *)(void *)F.h;
    principal author;
    memset(&author, 0, sizeof author);
    snprintf(author.username, sizeof author.username, "tp.admin1");
    snprintf(author.actor, sizeof author.actor, "user:tp.admin1");
    author.role = R_ADMINISTRATOR;
    json_t *up = json_pack("{s:s, s:s}", "staff_id", "tp.sm", "role", "service_manager");
    cw_event ev = {"user:tp.admin1", "staff_changed", up};
    cw_error err;
    assert_int_equal(cw_http_write_as(srv, &author, &ev, NULL, NULL, &err), CW_EFORBIDDEN);
    assert_string_equal(err.key, "access_needs_second");
    json_decref(up);
    staff_role("tp.sm", after);
    assert_string_equal(after, "team_manager TP.T");
    /* A proposal of a change that widens nothing is refused: record it directly. */
    expect(&admin1, "access_change_proposed", promote("TP.N", "tp.sm", "social_worker"), 400,
           "change");
}

/* Proposed by one administrator, approved by another: applied in the approval's batch, both in
 * the log; never by the proposer, never by the person it widens; approved only once. */
static void test_proposed_and_approved(void **state)
{
    (void)state;
    expect(&sw, "access_change_proposed", promote("TP.P0", "tp.sw", "head_of_service"), 403,
           "role");
    expect(&admin1, "access_change_proposed", promote("TP.P1", "tp.sw", "head_of_service"), 201,
           NULL);
    char now[64];
    staff_role("tp.sw", now);
    assert_string_equal(now, "social_worker TP.T"); /* proposed: nothing changed yet */
    /* The second administrator sees exactly what would change, and what it is now. */
    json_t *item = listed(&admin2, "TP.P1");
    assert_non_null(item);
    assert_string_equal(member(item, "state"), "pending");
    assert_string_equal(member(item, "proposed_by"), "user:tp.admin1");
    assert_string_equal(member(json_object_get(item, "to"), "role"), "head_of_service");
    assert_string_equal(member(json_object_get(item, "now"), "role"), "social_worker");
    json_decref(item);
    /* The proposer cannot approve it. */
    expect(&admin1, "access_change_approved", decide("TP.P1", NULL), 403, "proposal_id");
    /* A manager whose own access it widens cannot approve it: tp.tm made service manager. */
    expect(&admin1, "access_change_proposed", promote("TP.P2", "tp.tm", "service_manager"), 201,
           NULL);
    expect(&tm, "access_change_approved", decide("TP.P2", NULL), 403, "proposal_id");
    /* A manager not above the person may not decide a change to them: tp.sm, now a team
     * manager, is not above tp.sw. */
    expect(&sm, "access_change_approved", decide("TP.P1", NULL), 403, "proposal_id");
    assert_int_equal(read_child(&sw, F.child_other), 403);
    /* The second administrator approves: applied at once. */
    expect(&admin2, "access_change_approved", decide("TP.P1", NULL), 201, NULL);
    staff_role("tp.sw", now);
    assert_string_equal(now, "head_of_service TP.T");
    sign_in("tp.sw", PW, &sw); /* (a session keeps its role for a few seconds: a fresh one) */
    assert_int_equal(read_child(&sw, F.child_other), 200);
    /* Once only. */
    expect(&admin2, "access_change_approved", decide("TP.P1", NULL), 400, "proposal_id");
    item = listed(&hos, "TP.P1");
    assert_non_null(item);
    assert_string_equal(member(item, "state"), "applied");
    assert_string_equal(member(item, "decided_by"), "user:tp.admin2");
    json_decref(item);
    /* Both people are in the log: the proposal is admin1's, the change admin2's, naming it. */
    char got[128];
    ht_one("SELECT idx FROM records WHERE record_id = 'TP.P1'", got, sizeof got);
    char *end;
    uint64_t proposed = strtoull(got, &end, 10);
    ht_one("SELECT idx FROM staff WHERE staff_id = 'tp.sw'", got, sizeof got);
    uint64_t changed = strtoull(got, &end, 10);
    cw_ledger *ro;
    cw_error err;
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_READONLY, &ro, &err), CW_OK);
    json_t *p = NULL, *c = NULL, *a = NULL;
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), proposed, &p, &err), CW_OK);
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), changed - 1, &a, &err), CW_OK);
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), changed, &c, &err), CW_OK);
    assert_string_equal(member(p, "type"), "access_change_proposed");
    assert_string_equal(member(p, "actor"), "user:tp.admin1");
    assert_string_equal(member(a, "type"), "access_change_approved");
    assert_string_equal(member(a, "actor"), "user:tp.admin2");
    assert_string_equal(member(c, "type"), "staff_changed");
    assert_string_equal(member(c, "actor"), "user:tp.admin2");
    assert_string_equal(member(json_object_get(c, "payload"), "proposal_id"), "TP.P1");
    assert_string_equal(member(json_object_get(c, "payload"), "role"), "head_of_service");
    json_decref(p);
    json_decref(a);
    json_decref(c);
    /* Fifteen days on, a proposal still pending has expired: the approval's check refuses it
     * (the same check the server ran above, with a later clock). */
    cw_ctx later = {cw_ledger_store(ro), cw_ledger_size(ro), 0, 0, "user:tp.admin2", NULL};
    later.recorded_ms = time(NULL) * (int64_t)1000 + (int64_t)15 * 86400000;
    later.recorded = cw_casework_day_of(later.recorded_ms);
    json_t *approve = decide("TP.P2", NULL);
    assert_int_equal(cw_casework_check_access_approved(&later, approve, &err), CW_EINVAL);
    assert_string_equal(err.key, "access_change_expired");
    later.recorded_ms -= (int64_t)2 * 86400000; /* thirteen days on: still in time */
    later.recorded = cw_casework_day_of(later.recorded_ms);
    assert_int_equal(cw_casework_check_access_approved(&later, approve, &err), CW_OK);
    json_decref(approve);
    cw_ledger_close(ro);
}

/* A rejected or withdrawn proposal never applies. */
static void test_rejected_never_applies(void **state)
{
    (void)state;
    char now[64];
    expect(&admin2, "access_change_rejected", decide("TP.P2", "Not agreed at the board."), 201,
           NULL);
    expect(&admin1, "access_change_approved", decide("TP.P2", NULL), 400, "proposal_id");
    staff_role("tp.tm", now);
    assert_string_equal(now, "team_manager TP.T");
    json_t *item = listed(&admin1, "TP.P2");
    assert_string_equal(member(item, "state"), "rejected");
    json_decref(item);
    /* Its proposer withdraws one. */
    json_t *move = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "proposal_id", "TP.P3", "date",
                             today, "change", "staff_changed", "staff_id", "tp.tm", "team_id",
                             "TP.T2", "reason", "Restructure.");
    expect(&admin1, "access_change_proposed", move, 201, NULL);
    expect(&admin1, "access_change_rejected", decide("TP.P3", "Proposed in error."), 201, NULL);
    expect(&admin2, "access_change_approved", decide("TP.P3", NULL), 400, "proposal_id");
    staff_role("tp.tm", now);
    assert_string_equal(now, "team_manager TP.T");
    item = listed(&admin2, "TP.P3");
    assert_string_equal(member(item, "state"), "withdrawn");
    json_decref(item);
}

/* A restriction lifted is proposed by one senior manager and approved by another; restricting
 * a record (naming no one new) is at once. Proposals about a child are listed only to those who
 * may see the child. */
static void test_restriction(void **state)
{
    (void)state;
    char got[32];
    ht_one("SELECT idx FROM children WHERE child_id = 'TP.C1'", got, sizeof got);
    char *end;
    json_int_t reg = (json_int_t)strtoll(got, &end, 10);
    /* Lifting it alone: refused, saying to propose it. */
    expect(&hos, "restriction_changed",
           json_pack("{s:s, s:s, s:b, s:s, s:I}", "child_id", "TP.C1", "date", today, "restricted",
                     0, "reason", "No longer needed.", "based_on", reg),
           403, "type");
    ht_one("SELECT restricted FROM children WHERE child_id = 'TP.C1'", got, sizeof got);
    assert_string_equal(got, "1");
    /* Proposed by the head of service... */
    expect(&hos, "access_change_proposed",
           json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:I}", "proposal_id", "TP.R1", "date", today,
                     "change", "restriction_changed", "child_id", "TP.C1", "restricted", 0,
                     "reason", "No longer needed.", "based_on", reg),
           201, NULL);
    /* ... in the child's record (so an erasure of the record reaches its reason) ... */
    resp r;
    REQ("GET", "/api/v1/children/TP.C1/chronology", NULL, hos.session, NULL, &r);
    assert_int_equal(r.status, 200);
    int seen = 0;
    json_t *chron = json_object_get(r.json, "chronology");
    for (size_t i = 0; i < json_array_size(chron); i++)
        seen += !strcmp(member(json_array_get(chron, i), "type"), "access_change_proposed");
    done(&r);
    assert_int_equal(seen, 1);
    /* ... listed to a manager who may see the child, never to an administrator (no case
     * content) */
    json_t *item = listed(&admin1, "TP.R1");
    assert_null(item);
    item = listed(&tm, "TP.R1");
    assert_non_null(item);
    /* ... with the restriction as it is now: restricted, naming no one */
    json_t *now = json_object_get(item, "now");
    assert_true(json_is_true(json_object_get(now, "restricted")));
    assert_true(json_is_array(json_object_get(now, "restricted_to")));
    assert_int_equal(json_array_size(json_object_get(now, "restricted_to")), 0);
    json_decref(item);
    /* ... not the proposer's to approve, nor an administrator's (not a restriction's maker) */
    expect(&hos, "access_change_approved", decide("TP.R1", NULL), 403, "proposal_id");
    /* (answered as for no such proposal: nothing says which child it is about) */
    expect(&admin2, "access_change_approved", decide("TP.R1", NULL), 404, "proposal_id");
    /* tp.sw, made head of service above, approves it. */
    expect(&sw, "access_change_approved", decide("TP.R1", NULL), 201, NULL);
    ht_one("SELECT restricted FROM children WHERE child_id = 'TP.C1'", got, sizeof got);
    assert_string_equal(got, "0");
    /* Restricting it again, naming no one new, is one person's act, at once. */
    ht_one("SELECT MAX(idx) FROM child_events WHERE child_id = 'TP.C1' AND type = "
           "'restriction_changed'",
           got, sizeof got);
    json_int_t lifted = (json_int_t)strtoll(got, &end, 10);
    expect(&hos, "restriction_changed",
           json_pack("{s:s, s:s, s:b, s:[], s:s, s:I}", "child_id", "TP.C1", "date", today,
                     "restricted", 1, "restricted_to", "reason", "Again.", "based_on", lifted),
           201, NULL);
    ht_one("SELECT restricted FROM children WHERE child_id = 'TP.C1'", got, sizeof got);
    assert_string_equal(got, "1");
    /* Giving the restricted case to someone it does not name would let them (and those above
     * them) read it: refused, alone, for allocation and transfer alike; they are named on
     * the restriction first, with a second person. */
    char worker[65];
    ht_one("SELECT worker_id FROM children WHERE child_id = 'TP.C1'", worker, sizeof worker);
    expect(&hos, "case_transferred",
           json_pack("{s:s, s:s, s:s, s:s}", "child_id", "TP.C1", "worker_id", "tp.other", "date",
                     today, "reason", "Moving."),
           403, "worker_id");
    expect(
        &hos, "case_allocated",
        json_pack("{s:s, s:s, s:s}", "child_id", "TP.C1", "worker_id", "tp.other", "date", today),
        403, "worker_id");
    ht_one("SELECT worker_id FROM children WHERE child_id = 'TP.C1'", got, sizeof got);
    assert_string_equal(got, worker);
}

/* Erasing the child's whole record (docs/privacy.md) reaches the reason given in a restriction's
 * proposal: it is personal, and part of the record. */
static void test_erasure_reaches_the_proposal(void **state)
{
    (void)state;
    json_t *item = listed(&hos, "TP.R1");
    assert_non_null(item);
    assert_string_equal(member(item, "reason"), "No longer needed.");
    json_decref(item);
    expect(&hos, "erasure_proposed",
           json_pack("{s:s, s:s, s:s, s:s, s:s}", "erasure_id", "TP.E1", "child_id", "TP.C1",
                     "date", today, "lawful_basis", "erasure_request", "reason",
                     "The family asked."),
           201, NULL);
    expect(&dpo, "erasure_approved", json_pack("{s:s, s:s}", "erasure_id", "TP.E1", "date", today),
           201, NULL);
    item = listed(&hos, "TP.R1");
    assert_non_null(item);
    assert_true(json_is_true(json_object_get(item, "reason"))); /* there; gone */
    assert_string_equal(member(item, "state"), "applied");
    json_decref(item);
}

/* Runs `caseward ARGS --db F.db` into F.dir/cli.out; returns its exit status, the output in out
 * and, when it names one, the proposal it printed in pid. */
static int cli(const char *args, char *out, size_t cap, char pid[65])
{
    char cmd[4096], path[1024];
    snprintf(path, sizeof path, "%s/cli.out", F.dir);
    snprintf(cmd, sizeof cmd, "%s %s --db '%s' >'%s' 2>&1", CW_BINARY, args, F.db, path);
    int rc = system(cmd);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    pid[0] = '\0';
    const char *at = strstr(out, "approves proposal ");
    if (at)
        sscanf(at + strlen("approves proposal "), "%64s", pid);
    return rc;
}

static void account_state(const char *user, char out[8])
{
    char q[160];
    snprintf(q, sizeof q, "SELECT disabled FROM accounts WHERE username = '%s'", user);
    ht_one(q, out, 8);
}

/* A sign-in's status, and its error's key into key (for a refusal). */
static long try_sign_in(const char *user, const char *pw, char key[64])
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    resp r;
    REQ("POST", "/api/v1/session", body, NULL, NULL, &r);
    long st = r.status;
    snprintf(key, 64, "%s", st == 200 ? "" : err_member(&r, "key"));
    done(&r);
    return st;
}

/* An inspector's account sees every child's record (issue 18, item 3): `caseward user add
 * --role inspector` creates it disabled and proposes it (here as the administrator tp.admin1, by
 * --actor); it works only once someone else approves, an administrator, the head of service or
 * the director, never its proposer, a manager or the inspector; the log holds both people. */
static void test_inspector_account(void **state)
{
    (void)state;
    char out[4096], pid[65], got[128], key[64];
    assert_int_equal(cli("user add tp.insp --role inspector --actor user:tp.admin1 --reason "
                         "'The inspection in March.'",
                         out, sizeof out, pid),
                     0);
    assert_non_null(strstr(out, "created, disabled"));
    assert_non_null(strstr(out, "works only after a second person"));
    assert_true(pid[0] != '\0');
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    cw_error err;
    cw_ledger *l;
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    if (cw_account_set_password(l, "cli", "tp.insp", PW, false, &err))
        fail_msg("password: %s", err.msg);
    /* Enabling it alone, by any path, is refused; nothing changes. */
    assert_int_equal(cw_account_set_disabled(l, "cli", "tp.insp", false, NULL, &err),
                     CW_EFORBIDDEN);
    assert_string_equal(err.key, "account_needs_second");
    cw_ledger_close(l);
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    /* Before approval the inspector cannot sign in: the answer for any refused sign-in (a
     * disabled account, a wrong password: routes.c, signin_refused). */
    assert_int_equal(try_sign_in("tp.insp", PW, key), 401);
    assert_string_equal(key, "sign_in_refused");
    /* Listed to administrators and the head of service, not to other managers. */
    json_t *item = listed(&admin2, pid);
    assert_non_null(item);
    assert_string_equal(member(item, "change"), "account_enabled");
    assert_string_equal(member(item, "state"), "pending");
    assert_string_equal(member(item, "proposed_by"), "user:tp.admin1");
    assert_string_equal(member(json_object_get(item, "to"), "username"), "tp.insp");
    assert_true(json_is_true(json_object_get(json_object_get(item, "now"), "disabled")));
    json_decref(item);
    item = listed(&hos, pid);
    assert_non_null(item);
    json_decref(item);
    assert_null(listed(&tm, pid));
    /* One proposal at a time: a second, made while this one waits, is refused (it could be
     * approved after the account was enabled and disabled again). */
    char other[65];
    assert_int_not_equal(cli("user enable tp.insp --actor user:tp.admin2", out, sizeof out, other),
                         0);
    assert_non_null(strstr(out, "already proposed"));
    assert_non_null(strstr(out, pid));
    /* The command line approves nothing: it is one person, whatever --actor it names; nor does
     * it append an account's own events (caseward user writes them with the account's row). */
    char path[1024], line[1200];
    snprintf(path, sizeof path, "%s/approve.jsonl", F.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"type\":\"access_change_approved\",\"payload\":{\"proposal_id\":\"%s\","
            "\"date\":\"%s\"}}\n",
            pid, today);
    fclose(f);
    snprintf(line, sizeof line, "append --actor user:tp.admin2 <'%s'", path);
    assert_int_not_equal(cli(line, out, sizeof out, other), 0);
    assert_non_null(strstr(out, "approved by a second person, signed in, through the API"));
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"type\":\"account_changed\",\"payload\":{\"username\":\"tp.insp\","
               "\"disabled\":false}}\n");
    fclose(f);
    snprintf(line, sizeof line, "import '%s'", path);
    assert_int_not_equal(cli(line, out, sizeof out, other), 0);
    assert_non_null(strstr(out, "recorded by caseward user or caseward token"));
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    /* Not its proposer's to approve, nor a manager's; the inspector's never (the catalogue's
     * own check: the API lets no inspector record access changes at all). */
    expect(&admin1, "access_change_approved", decide(pid, NULL), 403, "proposal_id");
    expect(&tm, "access_change_approved", decide(pid, NULL), 403, "proposal_id");
    cw_ledger *ro;
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_READONLY, &ro, &err), CW_OK);
    cw_ctx as = {cw_ledger_store(ro), cw_ledger_size(ro), 0, 0, "user:tp.insp", NULL};
    as.recorded_ms = time(NULL) * (int64_t)1000;
    as.recorded = cw_casework_day_of(as.recorded_ms);
    json_t *approve = decide(pid, NULL);
    assert_int_equal(cw_casework_check_access_approved(&as, approve, &err), CW_EFORBIDDEN);
    assert_string_equal(err.key, "access_own_widening");
    /* Fifteen days on it has expired: no one approves it then. */
    as.actor = "user:tp.admin2";
    assert_int_equal(cw_casework_check_access_approved(&as, approve, &err), CW_OK);
    as.recorded_ms += (int64_t)15 * 86400000;
    as.recorded = cw_casework_day_of(as.recorded_ms);
    assert_int_equal(cw_casework_check_access_approved(&as, approve, &err), CW_EINVAL);
    assert_string_equal(err.key, "access_change_expired");
    json_decref(approve);
    cw_ledger_close(ro);
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    /* The second administrator approves it through the API: enabled in that batch. */
    expect(&admin2, "access_change_approved", decide(pid, NULL), 201, NULL);
    account_state("tp.insp", got);
    assert_string_equal(got, "0");
    who insp;
    sign_in("tp.insp", PW, &insp);
    assert_int_equal(read_child(&insp, F.child_other), 200);
    /* Both people are in the log: the proposal tp.admin1's, the approval and the account's
     * change (naming the proposal) tp.admin2's. */
    char q[256];
    snprintf(q, sizeof q, "SELECT idx FROM records WHERE record_id = '%s'", pid);
    ht_one(q, got, sizeof got);
    uint64_t proposed = strtoull(got, NULL, 10);
    snprintf(q, sizeof q, "SELECT closed_idx FROM records WHERE record_id = '%s'", pid);
    ht_one(q, got, sizeof got);
    uint64_t changed = strtoull(got, NULL, 10);
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_READONLY, &ro, &err), CW_OK);
    json_t *p = NULL, *a = NULL, *c = NULL;
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), proposed, &p, &err), CW_OK);
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), changed - 1, &a, &err), CW_OK);
    assert_int_equal(cw_casework_entry(cw_ledger_store(ro), changed, &c, &err), CW_OK);
    assert_string_equal(member(p, "type"), "access_change_proposed");
    assert_string_equal(member(p, "actor"), "user:tp.admin1");
    assert_string_equal(member(json_object_get(p, "payload"), "username"), "tp.insp");
    assert_string_equal(member(a, "type"), "access_change_approved");
    assert_string_equal(member(a, "actor"), "user:tp.admin2");
    assert_string_equal(member(c, "type"), "account_changed");
    assert_string_equal(member(c, "actor"), "user:tp.admin2");
    assert_string_equal(member(json_object_get(c, "payload"), "proposal_id"), pid);
    assert_true(json_is_false(json_object_get(json_object_get(c, "payload"), "disabled")));
    json_decref(p);
    json_decref(a);
    json_decref(c);
    cw_ledger_close(ro);
    item = listed(&admin1, pid);
    assert_string_equal(member(item, "state"), "applied");
    json_decref(item);
}

/* Disabling an inspector's account is one person's act; enabling it again is a proposal, and a
 * rejected one leaves it disabled. */
static void test_inspector_enable_rejected(void **state)
{
    (void)state;
    char out[4096], pid[65], got[8], key[64];
    assert_int_equal(
        cli("user disable tp.insp --reason 'The inspection is over.'", out, sizeof out, pid), 0);
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    assert_int_equal(cli("user enable tp.insp", out, sizeof out, pid), 0);
    assert_non_null(strstr(out, "still disabled"));
    assert_true(pid[0] != '\0');
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    assert_int_equal(try_sign_in("tp.insp", PW, key), 401);
    assert_string_equal(key, "sign_in_refused");
    /* The head of service turns it down; then no one approves it. */
    expect(&hos, "access_change_rejected", decide(pid, "The inspection is over."), 201, NULL);
    expect(&admin1, "access_change_approved", decide(pid, NULL), 400, "proposal_id");
    account_state("tp.insp", got);
    assert_string_equal(got, "1");
    assert_int_equal(try_sign_in("tp.insp", PW, key), 401);
    json_t *item = listed(&admin2, pid);
    assert_string_equal(member(item, "state"), "rejected");
    json_decref(item);
    /* Turned down, it no longer stands in the way of a new proposal. */
    char again[65];
    assert_int_equal(cli("user enable tp.insp", out, sizeof out, again), 0);
    assert_true(again[0] != '\0' && strcmp(again, pid) != 0);
    expect(&admin1, "access_change_rejected", decide(again, "Not needed."), 201, NULL);
    /* One left awaiting approval: disabled from its creation, as the last test's rebuild of the
     * accounts from the log must find it too (caseward verify --db). */
    assert_int_equal(cli("user add tp.insp2 --role inspector", out, sizeof out, pid), 0);
    account_state("tp.insp2", got);
    assert_string_equal(got, "1");
}

/* Last: the read model the server kept equals a rebuild from the log. */
static void test_read_model_equals_rebuild(void **state)
{
    (void)state;
    cw_http_stop(F.h);
    F.h = NULL;
    char cmd[2560];
    snprintf(cmd, sizeof cmd, "%s verify --db '%s' >%s/verify.out 2>&1", CW_BINARY, F.db, F.dir);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat %s/verify.out >&2", F.dir);
        if (system(cmd) != 0)
            fprintf(stderr, "(no output)\n");
        fail_msg("caseward verify --db after the two-person tests: exit %d", rc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_person_refused),
        cmocka_unit_test(test_proposed_and_approved),
        cmocka_unit_test(test_rejected_never_applies),
        cmocka_unit_test(test_restriction),
        cmocka_unit_test(test_erasure_reaches_the_proposal),
        cmocka_unit_test(test_inspector_account),
        cmocka_unit_test(test_inspector_enable_rejected),
        cmocka_unit_test(test_read_model_equals_rebuild),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
