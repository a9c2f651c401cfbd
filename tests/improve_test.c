/*
 * improve_test.c — improvement plans (src/improve/) through the catalogue, on the database of
 * tests/testdb.h (SQLite, or PostgreSQL under tests/with-pg): money in integer pence and its
 * words, notices' deadlines in working days, who may record what, RAG ratings derived on the
 * day asked for, batches, the fold's refusals, corrections refused and the rebuild.
 *
 * One council for the whole suite, built in setup: dir and dir2 (directors), gone (a director
 * who has left), hos and hos2 (heads of service), sm, tm, obs and ex (board chair, member,
 * observer, and a member removed), sw1 and sw2 (social workers). Entries carry fixed days in
 * October and November 2026 (in the past whenever the suite runs: a "date" is never in the
 * future); due days and the days ratings are asked for are chosen freely. The tests run in
 * order and build on each other; the last rebuilds the projections and compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casework/casework.h"
#include "improve/improve.h"
#include "ledger/ledger.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/time.h"
#include "testdb.h"
#include "testutil.h"

#define ORIGIN "test.caseward.example/improve"

static struct {
    char dir[64];
    char db[PATH_MAX];
    cw_ledger *l;
    cw_error err;
    cw_date today;
    int64_t claim_ms; /* not 0: entries are recorded as history claiming this time (add) */
} F;

static cw_date D(const char *s)
{
    cw_date d = 0;
    if (cw_date_parse(s, strlen(s), &d))
        fail_msg("not a date: %s", s);
    return d;
}

static const char *text_of(cw_date d)
{
    static char buf[8][CW_DATE_LEN + 1];
    static int next;
    char *b = buf[next++ % 8];
    cw_date_format(d, b);
    return b;
}

/* ---- submitting ---- */

static cw_rc add(const char *actor, const char *type, json_t *payload, uint64_t *idx)
{
    cw_event ev = {actor, type, payload};
    cw_event_source src = {"test", F.claim_ms};
    cw_rc rc = F.claim_ms ? cw_casework_submit_source(F.l, &ev, &src, idx, &F.err)
                          : cw_casework_submit(F.l, &ev, idx, &F.err);
    json_decref(payload);
    return rc;
}

/* The entries submitted next are history moved in from another system that says it recorded
 * them at noon (UTC) on day: the day an improvement plan counts (improve.h, cw_improve_load).
 * NULL: recorded now, by caseward, on F.today. */
static void recorded_on(const char *day)
{
    F.claim_ms = 0;
    if (!day)
        return;
    F.claim_ms = (int64_t)D(day) * 86400000 + 43200000;
    if (F.claim_ms > cw_time_now_ms())
        fail_msg("%s: a claim may not be after the real time", day);
}

/* One command in its own batch. Takes payload. */
static cw_rc submit(const char *actor, const char *type, json_t *payload, uint64_t *idx)
{
    assert_non_null(payload);
    cw_error_clear(&F.err);
    cw_rc rc = cw_casework_begin(F.l, &F.err);
    if (rc) {
        json_decref(payload);
        return rc;
    }
    if ((rc = add(actor, type, payload, idx))) {
        cw_casework_abort(F.l);
        return rc;
    }
    return cw_casework_commit(F.l, NULL, &F.err);
}

static uint64_t ok(const char *actor, const char *type, json_t *payload)
{
    uint64_t idx = UINT64_MAX;
    cw_rc rc = submit(actor, type, payload, &idx);
    if (rc)
        fail_msg("%s by %s refused (%s): %s", type, actor, cw_rc_str(rc), F.err.msg);
    assert_true(idx < cw_ledger_size(F.l));
    return idx;
}

/* Must be refused with want, naming field (NULL: any), a message holding m (NULL: any), and
 * nothing written. */
static void no(cw_rc want, const char *field, const char *m, const char *actor, const char *type,
               json_t *payload)
{
    uint64_t size = cw_ledger_size(F.l);
    cw_rc rc = submit(actor, type, payload, NULL);
    if (rc != want)
        fail_msg("%s by %s: %s (%s), expected %s", type, actor, cw_rc_str(rc), F.err.msg,
                 cw_rc_str(want));
    if (field && strcmp(F.err.field, field))
        fail_msg("%s: refusal names field \"%s\" (%s), expected \"%s\"", type, F.err.field,
                 F.err.msg, field);
    if (m && !strstr(F.err.msg, m))
        fail_msg("%s: message \"%s\" does not hold \"%s\"", type, F.err.msg, m);
    assert_int_equal(cw_ledger_size(F.l), size);
}

/* ok and no, recorded as history claiming noon on day (recorded_on). */
static uint64_t ok_on(const char *day, const char *actor, const char *type, json_t *payload)
{
    recorded_on(day);
    uint64_t idx = ok(actor, type, payload);
    recorded_on(NULL);
    return idx;
}

static void no_on(const char *day, cw_rc want, const char *field, const char *m, const char *actor,
                  const char *type, json_t *payload)
{
    recorded_on(day);
    no(want, field, m, actor, type, payload);
    recorded_on(NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The plans as folded from the store now (recorded_to 0). The caller frees. */
static cw_improve *load(void)
{
    cw_improve *st = NULL;
    cw_error_clear(&F.err);
    if (cw_improve_load(cw_ledger_store(F.l), 0, &st, &F.err))
        fail_msg("cw_improve_load: %s", F.err.msg);
    assert_non_null(st);
    return st;
}

static const cw_imp_action *action_of(const cw_improve *st, const char *id)
{
    const cw_imp_action *a = cw_improve_action(st, id);
    if (!a)
        fail_msg("action %s is not in the folded state", id);
    return a;
}

/* ---- payloads ---- */

static json_t *inspection(const char *id, const char *date)
{
    return json_pack("{ss ss ss ss ss ss ss ss}", "inspection_id", id, "date", date, "inspectorate",
                     "ciw", "title", "Inspection of children's services", "report_ref",
                     "CIW/2026/1", "started", "2026-09-01", "ended", "2026-09-12", "published",
                     "2026-10-30");
}

static json_t *plan(const char *id, const char *date, const char *owner, const char *notice,
                    const char *due)
{
    json_t *p = json_pack("{ss ss ss ss}", "plan_id", id, "date", date, "title", "Improvement plan",
                          "owner_id", owner);
    if (notice)
        json_object_set_new(p, "notice_id", json_string(notice));
    if (due)
        json_object_set_new(p, "due", json_string(due));
    return p;
}

static json_t *member(const char *plan_id, const char *staff, const char *role, const char *date)
{
    return json_pack("{ss ss ss ss}", "plan_id", plan_id, "date", date, "staff_id", staff,
                     "board_role", role);
}

static json_t *rec(const char *id, const char *plan_id, const char *finding)
{
    json_t *p = json_pack("{ss ss ss ss}", "recommendation_id", id, "plan_id", plan_id, "date",
                          "2026-11-03", "text", "Management oversight");
    if (finding)
        json_object_set_new(p, "findings", json_pack("[s]", finding));
    return p;
}

static json_t *point(const char *id, const char *rec_id)
{
    return json_pack("{ss ss ss ss}", "point_id", id, "recommendation_id", rec_id, "date",
                     "2026-11-03", "text", "Monthly supervision");
}

static json_t *action(const char *id, const char *point_id, const char *owner, const char *date,
                      const char *due, const char *dep)
{
    json_t *p = json_pack("{ss ss ss ss ss ss}", "action_id", id, "point_id", point_id, "date",
                          date, "text", "Audit supervision", "owner_id", owner, "due", due);
    if (dep)
        json_object_set_new(p, "depends_on", json_pack("[s]", dep));
    return p;
}

static json_t *update(const char *id, const char *date, int blocked)
{
    json_t *p =
        json_pack("{ss ss ss}", "action_id", id, "date", date, "note", "Supervision audited.");
    if (blocked >= 0)
        json_object_set_new(p, "blocked", json_boolean(blocked));
    return p;
}

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static json_t *document(const char *ev, const char *act, const char *date)
{
    return json_pack("{ss ss ss ss ss ss}", "evidence_id", ev, "action_id", act, "date", date,
                     "kind", "document", "title", "Supervision audit", "sha256", SHA_A);
}

static json_t *completed(const char *id, const char *date)
{
    return json_pack("{ss ss ss}", "action_id", id, "date", date, "note", "Done.");
}

static json_t *signed_off(const char *id, const char *date)
{
    return json_pack("{ss ss}", "action_id", id, "date", date);
}

static json_t *money_ev(const char *idk, const char *id, const char *date, json_int_t pence)
{
    return json_pack("{ss ss sI ss}", idk, id, "date", date, "amount_pence", pence, "reason",
                     "Agreed by the board.");
}

static json_t *allocate(const char *id, const char *plan_id, json_int_t pence)
{
    json_t *p = money_ev("allocation_id", id, "2026-11-06", pence);
    json_object_set_new(p, "plan_id", json_string(plan_id));
    json_object_set_new(p, "source", json_string("Welsh Government"));
    return p;
}

static json_t *commit(const char *id, const char *act, const char *alloc, json_int_t pence)
{
    json_t *p = money_ev("commitment_id", id, "2026-11-07", pence);
    json_object_set_new(p, "action_id", json_string(act));
    json_object_set_new(p, "allocation_id", json_string(alloc));
    return p;
}

static json_t *spend(const char *id, const char *act, const char *alloc, json_int_t pence)
{
    json_t *p = money_ev("spend_id", id, "2026-11-09", pence);
    json_object_set_new(p, "action_id", json_string(act));
    json_object_set_new(p, "allocation_id", json_string(alloc));
    return p;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    (void)state;
    F.today = (cw_date)(cw_time_now_ms() / 86400000);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-improve-test-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    if (cw_improve_register(&F.err)) {
        fprintf(stderr, "setup: %s\n", F.err.msg);
        return -1;
    }
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, ORIGIN, &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) || cw_casework_begin(F.l, &F.err)) {
        fprintf(stderr, "setup: %s\n", F.err.msg);
        return -1;
    }
    cw_rc rc =
        add("admin", "team_created",
            json_pack("{ss ss ss}", "team_id", "T1", "name", "North", "service_area", "A"), NULL);
    static const char *const staff[][4] = {
        {"dir", "director", NULL, NULL},         {"dir2", "director", NULL, NULL},
        {"gone", "director", NULL, NULL},        {"hos", "head_of_service", NULL, NULL},
        {"hos2", "head_of_service", NULL, NULL}, {"sm", "service_manager", NULL, "hos"},
        {"tm", "team_manager", "T1", "sm"},      {"obs", "service_manager", NULL, "hos"},
        {"ex", "service_manager", NULL, "hos"},  {"sw1", "social_worker", "T1", "tm"},
        {"sw2", "social_worker", "T1", "tm"},
    };
    for (size_t i = 0; !rc && i < sizeof staff / sizeof staff[0]; i++) {
        json_t *p =
            json_pack("{ss ss ss}", "staff_id", staff[i][0], "name", "Staff", "role", staff[i][1]);
        if (staff[i][2])
            json_object_set_new(p, "team_id", json_string(staff[i][2]));
        if (staff[i][3])
            json_object_set_new(p, "manager_id", json_string(staff[i][3]));
        rc = add("admin", "staff_added", p, NULL);
    }
    if (!rc)
        rc = add("admin", "staff_left",
                 json_pack("{ss ss}", "staff_id", "gone", "date", "2026-10-01"), NULL);
    if (rc || cw_casework_commit(F.l, NULL, &F.err)) {
        fprintf(stderr, "setup: %s\n", F.err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cw_ledger_close(F.l);
    rm_rf(F.dir);
    return 0;
}

/* ---- 1. money in words ---- */

static void parses(const char *s, cw_pence want)
{
    cw_pence got = -7;
    cw_error err = {0};
    if (cw_improve_parse_pounds(s, &got, &err))
        fail_msg("\"%s\" refused: %s", s, err.msg);
    if (got != want)
        fail_msg("\"%s\": %lld pence, expected %lld", s, (long long)got, (long long)want);
}

static void refuses(const char *s, const char *m)
{
    cw_pence got = -7;
    cw_error err = {0};
    if (cw_improve_parse_pounds(s, &got, &err) != CW_EINVAL)
        fail_msg("\"%s\" accepted as %lld pence", s, (long long)got);
    assert_int_equal(got, -7); /* nothing written */
    if (!strstr(err.msg, m))
        fail_msg("\"%s\": message \"%s\" does not hold \"%s\"", s, err.msg, m);
}

static void says(cw_pence p, const char *want)
{
    char out[32];
    cw_improve_pounds(p, out);
    assert_string_equal(out, want);
}

static void test_money_text(void **state)
{
    (void)state;
    parses("1333333.33", 133333333);
    parses("£1,333,333.33", 133333333);
    parses("1,333,333", 133333300);
    parses("0.01", 1);
    parses("5", 500);
    parses("1,000", 100000);
    parses("7.5", 750);
    parses("10000000000", CW_IMPROVE_MAX_PENCE); /* the most: £10,000,000,000.00 */
    parses("£10,000,000,000.00", CW_IMPROVE_MAX_PENCE);
    refuses("1,33", "not an amount");
    refuses("1.234", "not an amount");
    refuses("-5", "negative");
    refuses("-£5", "negative");
    refuses("£", "not an amount");
    refuses("", "not an amount");
    refuses("1e6", "not an amount");
    refuses("12,34,567", "not an amount");
    refuses("1234,567", "not an amount");
    refuses("1.", "not an amount");
    refuses(",100", "not an amount");
    refuses("10000000000.01", "more than caseward records");
    refuses("99999999999999999999999", "more than caseward records");
    says(400000000, "£4,000,000.00");
    says(1, "£0.01");
    says(99900, "£999.00");
    says(-1, "-£0.01");
    says(0, "£0.00");
    says(100000, "£1,000.00");
    says(99999, "£999.99");
    says(CW_IMPROVE_MAX_PENCE, "£10,000,000,000.00");
    /* A measure's target: one decimal place at most, in tenths. */
    int64_t t = -1;
    cw_error err = {0};
    assert_int_equal(cw_improve_parse_target("85", &t, &err), CW_OK);
    assert_int_equal(t, 850);
    assert_int_equal(cw_improve_parse_target("7.5", &t, &err), CW_OK);
    assert_int_equal(t, 75);
    assert_int_equal(cw_improve_parse_target("85.25", &t, &err), CW_EINVAL);
    assert_int_equal(cw_improve_parse_target("85.", &t, &err), CW_EINVAL);
    assert_int_equal(cw_improve_parse_target(".5", &t, &err), CW_EINVAL);
}

/* ---- 3a. the notice's deadlines, on the real calendar ---- */

static cw_rc fold_text(cw_improve *st, uint64_t idx, const char *type, const char *actor,
                       const char *payload)
{
    json_error_t jerr;
    json_t *p = json_loads(payload, 0, &jerr);
    if (!p)
        fail_msg("test payload: %s", jerr.text);
    cw_error_clear(&F.err);
    cw_rc rc = cw_improve_fold(st, idx, type, actor, 0, p, &F.err);
    json_decref(p);
    return rc;
}

/*
 * A notice issued on Friday 2026-12-18, the plan within 20 working days. The bank holidays of
 * rules/calendar/england-and-wales.txt in the way: Friday 25 December, Monday 28 December
 * (Boxing Day's substitute) and Friday 1 January 2027. Counting the days after the 18th:
 * 21, 22, 23, 24 December (1-4), 29, 30, 31 (5-7), 4-8 January (8-12), 11-15 (13-17), 18, 19, 20
 * (18-20): due Wednesday 2027-01-20. Reviews: 90 days (13 left of December, 31 of January,
 * 28 of February, 18 of March) -> 2027-03-18; six months -> 2027-06-18; twelve -> 2027-12-18.
 */
static void test_notice_deadlines(void **state)
{
    (void)state;
    cw_improve *st = cw_improve_new();
    assert_non_null(st);
    assert_int_equal(fold_text(st, 0, "improve_inspection_recorded", "dir",
                               "{\"inspection_id\":\"i9\",\"date\":\"2026-12-01\","
                               "\"inspectorate\":\"ciw\",\"title\":\"T\",\"started\":"
                               "\"2026-09-01\",\"ended\":\"2026-09-12\"}"),
                     CW_OK);
    assert_int_equal(
        fold_text(st, 1, "improve_notice_issued", "dir",
                  "{\"notice_id\":\"n9\",\"inspection_id\":\"i9\",\"date\":\"2026-12-18\","
                  "\"kind\":\"warning_notice\",\"issued_by\":\"Welsh Ministers\",\"issued\":"
                  "\"2026-12-18\",\"plan_within\":20,\"reviews\":[\"90d\",\"6m\",\"12m\","
                  "\"20wd\"]}"),
        CW_OK);
    /* One working day from Christmas Eve: the 25th, the weekend and the 28th are not. */
    assert_int_equal(
        fold_text(st, 2, "improve_notice_issued", "dir",
                  "{\"notice_id\":\"n8\",\"inspection_id\":\"i9\",\"date\":\"2026-12-24\","
                  "\"kind\":\"direction\",\"issued_by\":\"Welsh Ministers\",\"issued\":"
                  "\"2026-12-24\",\"plan_within\":1}"),
        CW_OK);
    /* A plan with its notice and no due day takes the notice's. */
    assert_int_equal(fold_text(st, 3, "improve_plan_created", "dir",
                               "{\"plan_id\":\"p9\",\"date\":\"2026-12-19\",\"title\":\"P\","
                               "\"notice_id\":\"n9\",\"owner_id\":\"hos\"}"),
                     CW_OK);
    assert_int_equal(st->nnotices, 2);
    const cw_imp_notice *n = &st->notices[0];
    assert_string_equal(text_of(n->plan_due), "2027-01-20");
    assert_int_equal(n->nreviews, 4);
    assert_string_equal(text_of(n->review_due[0]), "2027-03-18");
    assert_string_equal(text_of(n->review_due[1]), "2027-06-18");
    assert_string_equal(text_of(n->review_due[2]), "2027-12-18");
    assert_string_equal(text_of(n->review_due[3]), "2027-01-20");
    assert_string_equal(text_of(st->notices[1].plan_due), "2026-12-29");
    const cw_imp_plan *pl = cw_improve_plan(st, "p9");
    assert_non_null(pl);
    assert_string_equal(text_of(pl->due), "2027-01-20");
    assert_string_equal(pl->inspection, "i9"); /* from its notice */
    /* The same in the JSON the pages read. */
    json_t *j = cw_improve_inspection_json(st, &st->inspections[0]);
    const json_t *nj = json_array_get(json_object_get(j, "notices"), 0);
    assert_string_equal(json_string_value(json_object_get(nj, "plan_due")), "2027-01-20");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(nj, "reviews"), 0), "due")),
                        "2027-03-18");
    json_decref(j);
    /* The report's next review is the earliest still to come, whatever order they were listed
     * in: on 4 January 2027 the 20 working days' (the 20th), not the 90 days' (18 March) listed
     * first; on the 21st, the 90 days'. */
    static const struct {
        const char *as_of, *review, *due;
    } next[] = {{"2027-01-04", "20wd", "2027-01-20"},
                {"2027-01-20", "20wd", "2027-01-20"},
                {"2027-01-21", "90d", "2027-03-18"},
                {"2027-06-19", "12m", "2027-12-18"}};
    for (size_t i = 0; i < sizeof next / sizeof next[0]; i++) {
        json_t *c = NULL;
        assert_int_equal(cw_improve_report_content(st, pl, "board", D(next[i].as_of),
                                                   cw_improve_calendar(), 0, NULL, NULL, &c),
                         CW_OK);
        const json_t *nr = json_object_get(json_object_get(c, "plan"), "next_review");
        const char *rv = json_string_value(json_object_get(nr, "review"));
        const char *due = json_string_value(json_object_get(nr, "due"));
        if (!rv || !due || strcmp(rv, next[i].review) || strcmp(due, next[i].due))
            fail_msg("on %s the next review is %s on %s, expected %s on %s", next[i].as_of,
                     rv ? rv : "none", due ? due : "none", next[i].review, next[i].due);
        json_decref(c);
    }
    /* Review points that cannot be read. */
    cw_date d;
    cw_error err = {0};
    assert_int_equal(cw_improve_review_due(cw_improve_calendar(), D("2026-12-18"), "6w", &d, &err),
                     CW_EINVAL);
    assert_non_null(strstr(err.msg, "reviews"));
    assert_int_equal(cw_improve_review_due(cw_improve_calendar(), D("2026-12-18"), "0d", &d, &err),
                     CW_EINVAL);
    /* 31 January + 1 month: the end of February. */
    assert_int_equal(cw_improve_review_due(cw_improve_calendar(), D("2027-01-31"), "1m", &d, &err),
                     CW_OK);
    assert_string_equal(text_of(d), "2027-02-28");
    cw_improve_free(st);
}

/* ---- 3b. the rules: who may record what ---- */

static void test_plan_and_board(void **state)
{
    (void)state;
    ok("dir", "improve_inspection_recorded", inspection("ciw-1", "2026-11-02"));
    ok("dir", "improve_finding_recorded",
       json_pack("{ss ss ss ss ss ss}", "finding_id", "f1", "inspection_id", "ciw-1", "date",
                 "2026-11-02", "theme", "oversight", "severity", "serious_concern", "text",
                 "Little management oversight"));
    /* 20 working days after Monday 2026-11-02 (no bank holiday in November): 30 November.
     * Reviews: 90 days (28 left of November, 31 of December, 31 of January) -> 2027-01-31. */
    ok("dir", "improve_notice_issued",
       json_pack("{ss ss ss ss ss ss si s[sss]}", "notice_id", "n1", "inspection_id", "ciw-1",
                 "date", "2026-11-02", "kind", "warning_notice", "issued_by", "Welsh Ministers",
                 "issued", "2026-11-02", "plan_within", 20, "reviews", "90d", "6m", "12m"));
    /* The notice's plan_within must be at least a day. */
    no(CW_EINVAL, "plan_within", NULL, "dir", "improve_notice_issued",
       json_pack("{ss ss ss ss ss ss si}", "notice_id", "n2", "inspection_id", "ciw-1", "date",
                 "2026-11-02", "kind", "warning_notice", "issued_by", "Welsh Ministers", "issued",
                 "2026-11-02", "plan_within", 0));
    /* Not by a social worker; the owner must be a director or head of service in post. */
    no(CW_EFORBIDDEN, "actor", "sw1", "sw1", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", "n1", NULL));
    no(CW_EINVAL, "owner_id", "sw1", "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "sw1", "n1", NULL));
    no(CW_EINVAL, "owner_id", "gone", "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "gone", "n1", NULL));
    no(CW_EINVAL, "actor", "gone", "gone", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", "n1", NULL));
    no(CW_EINVAL, "due", NULL, "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", NULL, NULL)); /* no notice, no due day */
    no(CW_ENOTFOUND, "notice_id", "n7", "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", "n7", NULL));
    no(CW_EINVAL, "due", "2026-11-02", "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", NULL, "2026-11-02"));
    ok("dir", "improve_plan_created", plan("p1", "2026-11-03", "hos", "n1", NULL));
    no(CW_EINVAL, "plan_id", "p1", "dir", "improve_plan_created",
       plan("p1", "2026-11-03", "hos", "n1", NULL));

    cw_improve *st = load();
    const cw_imp_notice *n = &st->notices[0];
    assert_string_equal(text_of(n->plan_due), "2026-11-30");
    assert_string_equal(text_of(n->review_due[0]), "2027-01-31");
    assert_string_equal(text_of(n->review_due[1]), "2027-05-02");
    assert_string_equal(text_of(n->review_due[2]), "2027-11-02");
    const cw_imp_plan *pl = cw_improve_plan(st, "p1");
    assert_non_null(pl);
    assert_string_equal(text_of(pl->due), "2026-11-30"); /* the notice's */
    assert_string_equal(pl->owner, "hos");
    assert_string_equal(pl->created_by, "dir");
    cw_improve_free(st);

    /* The board. */
    ok("dir", "improve_board_member_added", member("p1", "sm", "chair", "2026-11-03"));
    ok("hos", "improve_board_member_added", member("p1", "tm", "member", "2026-11-03"));
    ok("dir", "improve_board_member_added", member("p1", "obs", "observer", "2026-11-03"));
    ok("dir", "improve_board_member_added", member("p1", "ex", "member", "2026-11-03"));
    no(CW_EINVAL, "staff_id", "sm", "dir", "improve_board_member_added",
       member("p1", "sm", "member", "2026-11-03"));
    no(CW_EFORBIDDEN, "actor", "obs", "obs", "improve_board_member_added",
       member("p1", "sw2", "member", "2026-11-03"));
    no(CW_EINVAL, "staff_id", "gone", "dir", "improve_board_member_added",
       member("p1", "gone", "member", "2026-11-03"));
    ok("sm", "improve_board_member_removed",
       json_pack("{ss ss ss ss}", "plan_id", "p1", "date", "2026-11-04", "staff_id", "ex", "reason",
                 "Left the board."));
    no(CW_EINVAL, "staff_id", "ex", "sm", "improve_board_member_removed",
       json_pack("{ss ss ss ss}", "plan_id", "p1", "date", "2026-11-04", "staff_id", "ex", "reason",
                 "Again."));

    /* A plan is submitted with its actions. */
    no(CW_EINVAL, "plan_id", "no actions", "hos", "improve_plan_submitted",
       json_pack("{ss ss ss}", "plan_id", "p1", "date", "2026-11-04", "submitted_to", "CIW"));

    /* Editors: the chair, a member, the owner, any director in post. */
    ok("sm", "improve_recommendation_added", rec("r1", "p1", "f1"));
    ok("tm", "improve_point_added", point("r1.1", "r1"));
    ok("dir2", "improve_recommendation_added", rec("r2", "p1", NULL));
    ok("hos", "improve_point_added", point("r2.1", "r2"));
    /* Not: an observer, a removed member, a worker, another head of service, one who left. */
    no(CW_EFORBIDDEN, "actor", "obs", "obs", "improve_recommendation_added", rec("r3", "p1", NULL));
    no(CW_EFORBIDDEN, "actor", "ex", "ex", "improve_recommendation_added", rec("r3", "p1", NULL));
    no(CW_EFORBIDDEN, "actor", "sw1", "sw1", "improve_point_added", point("r1.2", "r1"));
    no(CW_EFORBIDDEN, "actor", "hos2", "hos2", "improve_point_added", point("r1.2", "r1"));
    no(CW_EINVAL, "actor", "gone", "gone", "improve_point_added", point("r1.2", "r1"));
    no(CW_EINVAL, "findings", "f9", "sm", "improve_recommendation_added", rec("r3", "p1", "f9"));
    /* A finding of another inspection is not one the plan answers (p1's is ciw-1). */
    ok("dir", "improve_inspection_recorded", inspection("ciw-2", "2026-11-02"));
    ok("dir", "improve_finding_recorded",
       json_pack("{ss ss ss ss ss ss}", "finding_id", "f2", "inspection_id", "ciw-2", "date",
                 "2026-11-02", "theme", "front_door", "severity", "area_for_improvement", "text",
                 "Contacts wait"));
    no(CW_EINVAL, "findings", "finding f2 is not of inspection ciw-1", "sm",
       "improve_recommendation_added", rec("r3", "p1", "f2"));
    no(CW_ENOTFOUND, "recommendation_id", "r9", "sm", "improve_point_added", point("r1.2", "r9"));

    /* Actions: owned by any member of staff in post; due on or after the day set. */
    ok("hos", "improve_action_added",
       action("a1", "r1.1", "sw1", "2026-11-05", "2027-02-26", NULL));
    ok("tm", "improve_action_added", action("a2", "r1.1", "sw2", "2026-11-05", "2027-03-31", "a1"));
    ok("dir", "improve_action_added",
       action("a3", "r2.1", "sw1", "2026-11-05", "2027-03-31", NULL));
    no(CW_EINVAL, "owner_id", "gone", "hos", "improve_action_added",
       action("a4", "r1.1", "gone", "2026-11-05", "2027-03-31", NULL));
    no(CW_EINVAL, "due", "2026-11-04", "hos", "improve_action_added",
       action("a4", "r1.1", "sw1", "2026-11-05", "2026-11-04", NULL));
    no(CW_EFORBIDDEN, "actor", "obs", "obs", "improve_action_added",
       action("a4", "r1.1", "sw1", "2026-11-05", "2027-03-31", NULL));
    no(CW_EINVAL, "action_id", "a1", "hos", "improve_action_added",
       action("a1", "r1.1", "sw1", "2026-11-05", "2027-03-31", NULL));

    /* Submitted once, now that it has actions: on the day it is recorded (today), whatever
     * date is typed. */
    ok("hos", "improve_plan_submitted",
       json_pack("{ss ss ss}", "plan_id", "p1", "date", "2026-11-06", "submitted_to", "CIW"));
    no(CW_EINVAL, "plan_id", "submitted already", "hos", "improve_plan_submitted",
       json_pack("{ss ss ss}", "plan_id", "p1", "date", "2026-11-06", "submitted_to", "CIW"));

    st = load();
    pl = cw_improve_plan(st, "p1");
    assert_string_equal(text_of(pl->submitted), text_of(F.today));
    assert_string_equal(pl->submitted_to, "CIW");
    assert_int_equal(st->nmembers, 4);
    assert_string_equal(st->members[3].staff, "ex");
    assert_string_equal(text_of(st->members[3].until), "2026-11-04");
    assert_true(cw_improve_editor(st, "p1", "tm", "team_manager", F.today));
    assert_false(cw_improve_editor(st, "p1", "obs", "service_manager", F.today));
    assert_false(cw_improve_editor(st, "p1", "ex", "service_manager", F.today));
    assert_true(cw_improve_editor(st, "p1", "ex", "service_manager", D("2026-11-03")));
    assert_true(cw_improve_editor(st, "p1", "dir2", "director", F.today));
    const cw_imp_action *a2 = action_of(st, "a2");
    assert_int_equal(a2->ndeps, 1);
    assert_string_equal(a2->deps[0], "a1");
    assert_int_equal(a2->number, 2);
    assert_int_equal(a2->status, CW_IMP_NOT_STARTED);
    json_t *aj =
        cw_improve_action_json(st, action_of(st, "a3"), cw_improve_calendar(), D("2026-11-06"));
    assert_string_equal(json_string_value(json_object_get(aj, "ref")), "2.1.1");
    json_decref(aj);
    cw_improve_free(st);
}

static json_t *change_deps(const char *id, const char *dep)
{
    return json_pack("{ss ss s[s] ss}", "action_id", id, "date", "2026-11-06", "depends_on", dep,
                     "reason", "Replanned.");
}

static void test_dependencies(void **state)
{
    (void)state;
    /* a2 depends on a1: a1 depending on a2 would be a circle; so would a1 on itself. */
    no(CW_EINVAL, "depends_on", "circle", "hos", "improve_action_changed", change_deps("a1", "a2"));
    no(CW_EINVAL, "depends_on", "circle", "hos", "improve_action_changed", change_deps("a1", "a1"));
    no(CW_EINVAL, "depends_on", "not recorded", "hos", "improve_action_added",
       action("a4", "r1.1", "sw1", "2026-11-05", "2027-03-31", "a9"));
    /* Another plan's action. */
    ok("dir", "improve_plan_created", plan("p2", "2026-11-03", "hos2", NULL, "2027-03-31"));
    ok("hos2", "improve_recommendation_added", rec("p2r1", "p2", "f1"));
    ok("hos2", "improve_point_added", point("p2r1.1", "p2r1"));
    no(CW_EINVAL, "depends_on", "outside plan p2", "hos2", "improve_action_added",
       action("b1", "p2r1.1", "sw1", "2026-11-05", "2027-03-31", "a1"));
    ok("hos2", "improve_action_added",
       action("b1", "p2r1.1", "sw1", "2026-11-05", "2027-03-31", NULL));
    no(CW_EINVAL, "depends_on", "outside plan", "hos", "improve_action_changed",
       change_deps("a3", "b1"));
    /* hos edits p1, not p2 (its owner is hos2; hos is on no board of it). */
    no(CW_EFORBIDDEN, "actor", "hos", "hos", "improve_point_added", point("p2r1.2", "p2r1"));
    /* A change that names nothing new. */
    no(CW_EINVAL, "reason", NULL, "hos", "improve_action_changed",
       json_pack("{ss ss ss}", "action_id", "a3", "date", "2026-11-06", "reason", "Nothing."));
    /* A new due day: the first is kept; not before the day of the change. */
    no(CW_EINVAL, "due", "2026-11-05", "hos2", "improve_action_changed",
       json_pack("{ss ss ss ss}", "action_id", "b1", "date", "2026-11-06", "due", "2026-11-05",
                 "reason", "Sooner."));
    no(CW_EFORBIDDEN, "actor", NULL, "sw1", "improve_action_changed",
       json_pack("{ss ss ss ss}", "action_id", "b1", "date", "2026-11-06", "due", "2027-04-30",
                 "reason", "Later."));
    ok("hos2", "improve_action_changed",
       json_pack("{ss ss ss ss}", "action_id", "b1", "date", "2026-11-06", "due", "2027-04-30",
                 "reason", "Later."));
    cw_improve *b = load();
    assert_string_equal(text_of(action_of(b, "b1")->due), "2027-04-30");
    assert_string_equal(text_of(action_of(b, "b1")->first_due), "2027-03-31");
    assert_int_equal(action_of(b, "b1")->replanned, 1);
    cw_improve_free(b);
    /* a3 may depend on a1 (no circle): then it is replanned once. */
    ok("hos", "improve_action_changed", change_deps("a3", "a1"));
    cw_improve *st = load();
    const cw_imp_action *a3 = action_of(st, "a3");
    assert_int_equal(a3->replanned, 1);
    assert_int_equal(a3->ndeps, 1);
    assert_string_equal(a3->deps[0], "a1");
    cw_improve_free(st);
    ok("hos", "improve_action_changed",
       json_pack("{ss ss s[] ss}", "action_id", "a3", "date", "2026-11-06", "depends_on", "reason",
                 "Not needed after all."));
    st = load();
    assert_int_equal(action_of(st, "a3")->ndeps, 0);
    assert_int_equal(action_of(st, "a3")->replanned, 2);
    cw_improve_free(st);
}

static json_t *measure(const char *ev, const char *act, const char *mid, const char *target,
                       const char *dir)
{
    json_t *p = json_pack("{ss ss ss ss ss}", "evidence_id", ev, "action_id", act, "date",
                          "2026-11-08", "kind", "measure", "title", "Supervision in time");
    if (mid)
        json_object_set_new(p, "measure_id", json_string(mid));
    if (target)
        json_object_set_new(p, "target", json_string(target));
    if (dir)
        json_object_set_new(p, "direction", json_string(dir));
    return p;
}

static void test_progress_and_sign_off(void **state)
{
    (void)state;
    /* Progress: the owner, not another worker or an observer. */
    no(CW_EFORBIDDEN, "actor", "sw1", "sw2", "improve_action_updated",
       update("a1", "2026-11-07", -1));
    no(CW_EFORBIDDEN, "actor", NULL, "obs", "improve_action_updated",
       update("a1", "2026-11-07", -1));
    no(CW_EINVAL, "date", "before the action was set", "sw1", "improve_action_updated",
       update("a1", "2026-11-04", -1));
    ok("sw1", "improve_action_updated", update("a1", "2026-11-07", 0));
    cw_improve *st = load();
    assert_int_equal(action_of(st, "a1")->status, CW_IMP_IN_PROGRESS);
    /* The note is personal: kept beside the leaf, so a fold of the log never sees it. */
    assert_null(action_of(st, "a1")->note);
    /* Its day is the day recorded (today), not the date typed (2026-11-07). */
    assert_string_equal(text_of(action_of(st, "a1")->noted_on), text_of(F.today));
    cw_improve_free(st);
    /* Done only with evidence. */
    no(CW_EINVAL, "action_id", "no evidence", "sw1", "improve_action_completed",
       completed("a1", "2026-11-08"));

    /* Evidence, each kind with what it needs. */
    no(CW_EINVAL, "measure_id", NULL, "sw1", "improve_evidence_added",
       measure("e1", "a1", NULL, "85", "at_least"));
    no(CW_EINVAL, "target", NULL, "sw1", "improve_evidence_added",
       measure("e1", "a1", "PM24", NULL, "at_least"));
    no(CW_EINVAL, "direction", NULL, "sw1", "improve_evidence_added",
       measure("e1", "a1", "PM24", "85", NULL));
    no(CW_EINVAL, NULL, "target: \"85.25\"", "sw1", "improve_evidence_added",
       measure("e1", "a1", "PM24", "85.25", "at_least"));
    /* a measure the council does not have (the Wales pack's are PM..., and one per rule) */
    no(CW_EINVAL, "measure_id", "not one of the council's measures", "sw1",
       "improve_evidence_added", measure("e1", "a1", "PM999", "85.5", "at_least"));
    no(CW_EFORBIDDEN, "actor", NULL, "sw2", "improve_evidence_added",
       measure("e1", "a1", "PM24", "85.5", "at_least"));
    ok("sw1", "improve_evidence_added", measure("e1", "a1", "PM24", "85.5", "at_least"));
    no(CW_EINVAL, "evidence_id", "e1", "sw1", "improve_evidence_added",
       measure("e1", "a1", "PM24", "85.5", "at_least"));
    json_t *ar = json_pack("{ss ss ss ss ss}", "evidence_id", "e2", "action_id", "a1", "date",
                           "2026-11-08", "kind", "audit_report", "title", "Audit");
    no(CW_EINVAL, "audit_report_id", NULL, "sw1", "improve_evidence_added", json_deep_copy(ar));
    json_object_set_new(ar, "audit_report_id", json_string("AR-none"));
    no(CW_EINVAL, "audit_report_id", "AR-none", "sw1", "improve_evidence_added", ar);
    json_t *doc = document("e2", "a1", "2026-11-08");
    json_object_set_new(doc, "sha256",
                        json_string("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822C"
                                    "D15D6C15B0F00A08"));
    no(CW_EINVAL, "sha256", "SHA-256", "sw1", "improve_evidence_added", doc);
    doc = document("e2", "a1", "2026-11-08");
    json_object_set_new(doc, "sha256", json_string("abc"));
    no(CW_EINVAL, "sha256", NULL, "sw1", "improve_evidence_added", doc);
    doc = document("e2", "a1", "2026-11-08");
    json_object_del(doc, "sha256");
    no(CW_EINVAL, "sha256", NULL, "sw1", "improve_evidence_added", doc);
    st = load();
    assert_int_equal(st->nevidence, 1);
    assert_int_equal(st->evidence[0].target, 855);
    assert_string_equal(st->evidence[0].direction, "at_least");
    assert_string_equal(st->evidence[0].by, "sw1");
    assert_string_equal(text_of(st->evidence[0].date), text_of(F.today)); /* typed 2026-11-08 */
    assert_int_equal(action_of(st, "a1")->nevidence, 1);
    cw_improve_free(st);

    /* a2 depends on a1, not complete: a2 cannot be said to be done. */
    ok("sw2", "improve_evidence_added", document("e3", "a2", "2026-11-08"));
    no(CW_EINVAL, "action_id", "a1", "sw2", "improve_action_completed",
       completed("a2", "2026-11-09"));

    /* a1 done: awaiting sign-off, then nothing more from its owner until decided. */
    ok("sw1", "improve_action_completed", completed("a1", "2026-11-10"));
    no(CW_EINVAL, "action_id", "awaits sign-off", "sw1", "improve_action_updated",
       update("a1", "2026-11-10", -1));
    no(CW_EINVAL, "action_id", "awaits sign-off", "sw1", "improve_evidence_added",
       document("e4", "a1", "2026-11-10"));
    /* Its owner does not sign it off; an observer does not; nor before it was said done. */
    no(CW_EFORBIDDEN, "actor", NULL, "sw1", "improve_action_signed_off",
       signed_off("a1", "2026-11-11"));
    no(CW_EFORBIDDEN, "actor", NULL, "obs", "improve_action_signed_off",
       signed_off("a1", "2026-11-11"));
    /* Returned by the plan's owner. */
    ok("hos", "improve_action_returned",
       json_pack("{ss ss ss}", "action_id", "a1", "date", "2026-11-11", "reason", "Not enough."));
    st = load();
    const cw_imp_action *a1 = action_of(st, "a1");
    assert_int_equal(a1->status, CW_IMP_IN_PROGRESS);
    assert_int_equal(a1->returned, 1);
    assert_int_equal(a1->completed_on, 0);
    assert_string_equal(a1->completed_by, "");
    cw_improve_free(st);
    no(CW_EINVAL, "action_id", "does not await", "sm", "improve_action_signed_off",
       signed_off("a1", "2026-11-11"));
    /* History moved in: its system recorded the completion on the 12th and the sign-off (typed
     * the 13th) on the 16th; the days recorded are the ones that count. */
    ok_on("2026-11-12", "sw1", "improve_action_completed", completed("a1", "2026-11-12"));
    ok_on("2026-11-16", "sm", "improve_action_signed_off", signed_off("a1", "2026-11-13"));
    st = load();
    a1 = action_of(st, "a1");
    assert_int_equal(a1->status, CW_IMP_COMPLETE);
    assert_string_equal(a1->signed_off_by, "sm");
    assert_string_equal(text_of(a1->signed_off_on), "2026-11-16");
    assert_string_equal(a1->completed_by, "sw1");
    assert_string_equal(text_of(a1->completed_on), "2026-11-12");
    assert_int_equal(a1->returned, 1);
    cw_improve_free(st);
    no(CW_EINVAL, "action_id", "complete", "sw1", "improve_action_updated",
       update("a1", "2026-11-14", -1));
    /* Now a2 may be done. */
    ok("sw2", "improve_action_completed", completed("a2", "2026-11-14"));
    /* What awaits sign-off is signed off or returned as it stands: not replanned. */
    no(CW_EINVAL, "action_id", "action a2 awaits sign-off", "hos", "improve_action_changed",
       json_pack("{ss ss ss ss}", "action_id", "a2", "date", "2026-11-15", "due", "2027-04-30",
                 "reason", "Later."));
    no(CW_EINVAL, "action_id", "awaits sign-off", "hos", "improve_action_changed",
       json_pack("{ss ss ss ss}", "action_id", "a2", "date", "2026-11-15", "owner_id", "sw1",
                 "reason", "Another owner."));

    /* Said done by an editor (the director) for its owner: neither signs it off. */
    ok("dir", "improve_evidence_added", document("e5", "a3", "2026-11-08"));
    ok("dir", "improve_action_completed", completed("a3", "2026-11-14"));
    no(CW_EFORBIDDEN, "actor", "yours or you said", "dir", "improve_action_signed_off",
       signed_off("a3", "2026-11-15"));
    no(CW_EFORBIDDEN, "actor", NULL, "sw1", "improve_action_signed_off",
       signed_off("a3", "2026-11-15"));
    /* A sign-off typed before the completion's typed day is not refused: both count on the day
     * recorded (today), and a decision is recorded after what it decides. */
    ok("dir2", "improve_action_signed_off", signed_off("a3", "2026-11-13"));
    st = load();
    assert_int_equal(action_of(st, "a3")->status, CW_IMP_COMPLETE);
    assert_string_equal(text_of(action_of(st, "a3")->completed_on), text_of(F.today));
    assert_string_equal(text_of(action_of(st, "a3")->signed_off_on), text_of(F.today));
    assert_int_equal(action_of(st, "a2")->due, D("2027-03-31")); /* not changed */
    assert_string_equal(action_of(st, "a2")->owner, "sw2");
    assert_string_equal(action_of(st, "a3")->completed_by, "dir");
    assert_string_equal(action_of(st, "a3")->signed_off_by, "dir2");
    assert_int_equal(action_of(st, "a2")->status, CW_IMP_AWAITING_SIGN_OFF);
    cw_improve_free(st);
}

/* cw_improve_check with an audit-report lookup of our own: AR1 is issued, nothing else. */
static cw_rc fake_staff(void *ctx, const char *id, int *in_post, char role[32], char manager[65],
                        cw_error *err)
{
    (void)ctx, (void)err;
    *in_post = id && strcmp(id, "gone") != 0;
    snprintf(role, 32, "%s", "social_worker");
    manager[0] = '\0';
    return CW_OK;
}

static cw_rc fake_report(void *ctx, const char *id, int *issued, cw_error *err)
{
    (void)ctx, (void)err;
    *issued = !strcmp(id, "AR1");
    return CW_OK;
}

static void test_audit_report_evidence(void **state)
{
    (void)state;
    cw_improve *st = load();
    cw_improve_env env = {fake_staff, fake_report, NULL, NULL, NULL, cw_improve_calendar()};
    cw_improve_who who = {"sw1", "social_worker", 1};
    json_t *p =
        json_pack("{ss ss ss ss ss ss}", "evidence_id", "e90", "action_id", "b1", "date",
                  "2026-11-08", "kind", "audit_report", "title", "Audit", "audit_report_id", "AR1");
    cw_error err = {0};
    assert_int_equal(cw_improve_check(st, &env, &who, "improve_evidence_added", p, F.today, &err),
                     CW_OK);
    json_object_set_new(p, "audit_report_id", json_string("AR2"));
    assert_int_equal(cw_improve_check(st, &env, &who, "improve_evidence_added", p, F.today, &err),
                     CW_EINVAL);
    assert_string_equal(err.field, "audit_report_id");
    assert_non_null(strstr(err.msg, "AR2"));
    /* Without a lookup, audit report evidence is refused. */
    env.audit_report = NULL;
    json_object_set_new(p, "audit_report_id", json_string("AR1"));
    assert_int_equal(cw_improve_check(st, &env, &who, "improve_evidence_added", p, F.today, &err),
                     CW_EINVAL);
    /* Who is not in post records nothing. */
    who.in_post = 0;
    assert_int_equal(cw_improve_check(st, &env, &who, "improve_evidence_added", p, F.today, &err),
                     CW_EINVAL);
    assert_string_equal(err.key, "not_current_staff");
    json_decref(p);
    cw_improve_free(st);
}

/* ---- 1b. the budget, in integer pence ---- */

static void budget_is(const char *plan_id, cw_pence allocated, cw_pence committed, cw_pence spent,
                      cw_pence overspend, size_t overspent_actions)
{
    cw_improve *st = load();
    cw_improve_budget b;
    cw_improve_budget_of(st, plan_id, &b);
    assert_int_equal(b.allocated, allocated);
    assert_int_equal(b.committed, committed);
    assert_int_equal(b.spent, spent);
    assert_int_equal(b.uncommitted, allocated - committed);
    assert_int_equal(b.unspent, allocated - spent);
    assert_int_equal(b.committed + b.uncommitted, b.allocated);
    assert_int_equal(b.spent + b.unspent, b.allocated);
    assert_int_equal(b.overspend, overspend);
    assert_int_equal(b.overspent_actions, overspent_actions);
    cw_improve_free(st);
}

static void test_budget(void **state)
{
    (void)state;
    ok("dir", "improve_plan_created", plan("pm", "2026-11-05", "hos", NULL, "2027-03-31"));
    ok("dir", "improve_recommendation_added", rec("pmr", "pm", NULL));
    ok("dir", "improve_point_added", point("pmr.1", "pmr"));
    ok("dir", "improve_action_added",
       action("m1", "pmr.1", "sw1", "2026-11-05", "2027-03-31", NULL));
    ok("dir", "improve_action_added",
       action("m2", "pmr.1", "sw2", "2026-11-05", "2027-03-31", NULL));
    /* The issue's case: three allocations of £1,333,333.33 and one of £0.01. */
    ok("dir", "improve_funding_allocated", allocate("wg1", "pm", 133333333));
    ok("hos", "improve_funding_allocated", allocate("wg2", "pm", 133333333));
    ok("dir", "improve_funding_allocated", allocate("wg3", "pm", 133333333));
    ok("dir", "improve_funding_allocated", allocate("la", "pm", 1));
    no(CW_EINVAL, "amount_pence", "(£10,000,000,000.00)", "dir", "improve_funding_allocated",
       allocate("big", "pm", CW_IMPROVE_MAX_PENCE + 1));
    no(CW_EFORBIDDEN, "actor", NULL, "sw1", "improve_funding_allocated", allocate("x", "pm", 5));
    no(CW_EINVAL, "allocation_id", "wg1", "dir", "improve_funding_allocated",
       allocate("wg1", "pm", 5));
    budget_is("pm", 400000000, 0, 0, 0, 0);
    cw_improve *st = load();
    json_t *bj = cw_improve_budget_json(st, "pm");
    const json_t *al = json_object_get(bj, "allocated");
    assert_int_equal(json_integer_value(json_object_get(al, "pence")), 400000000);
    assert_string_equal(json_string_value(json_object_get(al, "pounds")), "£4,000,000.00");
    assert_int_equal(json_array_size(json_object_get(bj, "allocations")), 4);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(bj, "allocations"), 0), "amount"),
            "pounds")),
        "£1,333,333.33");
    json_decref(bj);
    cw_improve_free(st);

    /* Commitments: all of wg1 to m1; £1,000,000.00 of wg2 to m2, leaving £333,333.33. */
    ok("dir", "improve_budget_committed", commit("c1", "m1", "wg1", 133333333));
    ok("dir", "improve_budget_committed", commit("c2", "m2", "wg2", 100000000));
    /* A penny more than wg2 has uncommitted: refused, naming both amounts. */
    no(CW_EINVAL, "amount_pence",
       "committing £333,333.34 is more than the allocation has "
       "uncommitted (£333,333.33)",
       "dir", "improve_budget_committed", commit("c3", "m2", "wg2", 33333334));
    no(CW_EINVAL, "amount_pence", "£0.01 is more than the allocation has uncommitted (£0.00)",
       "dir", "improve_budget_committed", commit("c3", "m1", "wg1", 1));
    /* ... and by changing a commitment. */
    no(CW_EINVAL, "amount_pence", "(£333,333.33)", "dir", "improve_commitment_changed",
       money_ev("commitment_id", "c2", "2026-11-08", 133333334));
    no(CW_EINVAL, "amount_pence", "£0.00", "dir", "improve_budget_committed",
       commit("c3", "m2", "wg2", 0));
    no(CW_EINVAL, "allocation_id", "not of plan", "dir", "improve_budget_committed",
       commit("c3", "a1", "wg2", 5)); /* a1 is p1's */
    budget_is("pm", 400000000, 233333333, 0, 0, 0);
    /* The allocation cannot go below what is committed from it. */
    no(CW_EINVAL, "amount_pence", "£999,999.99 is less than the £1,000,000.00 already committed",
       "dir", "improve_funding_changed", money_ev("allocation_id", "wg2", "2026-11-08", 99999999));
    ok("dir", "improve_funding_changed", money_ev("allocation_id", "wg2", "2026-11-08", 100000000));
    budget_is("pm", 366666667, 233333333, 0, 0, 0);
    ok("dir", "improve_funding_changed", money_ev("allocation_id", "wg2", "2026-11-08", 133333333));
    budget_is("pm", 400000000, 233333333, 0, 0, 0);

    /* Spend: to the penny of c1 on m1; beyond c2 on m2 (allowed, shown as overspend). */
    ok("hos", "improve_spend_recorded", spend("s1", "m1", "wg1", 133333333));
    ok("hos", "improve_spend_recorded", spend("s2", "m2", "wg2", 100000050));
    budget_is("pm", 400000000, 233333333, 233333383, 50, 1);
    /* A spend reversed leaves the totals as before it; not twice. */
    ok("hos", "improve_spend_recorded", spend("s3", "m1", "la", 500));
    budget_is("pm", 400000000, 233333333, 233333883, 550, 2);
    ok("hos", "improve_spend_reversed",
       json_pack("{ss ss ss}", "spend_id", "s3", "date", "2026-11-10", "reason", "Refunded."));
    budget_is("pm", 400000000, 233333333, 233333383, 50, 1);
    no(CW_EINVAL, "spend_id", "reversed already", "hos", "improve_spend_reversed",
       json_pack("{ss ss ss}", "spend_id", "s3", "date", "2026-11-10", "reason", "Again."));
    no(CW_ENOTFOUND, "spend_id", "s9", "hos", "improve_spend_reversed",
       json_pack("{ss ss ss}", "spend_id", "s9", "date", "2026-11-10", "reason", "None."));

    st = load();
    bj = cw_improve_budget_json(st, "pm");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(bj, "allocated"), "pounds")),
        "£4,000,000.00");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(bj, "overspend"), "pounds")), "£0.50");
    assert_int_equal(json_integer_value(json_object_get(bj, "overspent_actions")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(bj, "unspent"), "pence")),
                     400000000 - 233333383);
    json_decref(bj);
    json_t *m2j =
        cw_improve_action_json(st, action_of(st, "m2"), cw_improve_calendar(), D("2026-11-10"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(m2j, "variance"), "pence")),
                     -50);
    json_decref(m2j);

    /* Every change of money, in order, with who, before, after and why. */
    json_t *h = cw_improve_money_history_json(st, "pm");
    static const struct {
        const char *type, *id, *by;
        json_int_t before, after;
    } want[] = {
        {"improve_funding_allocated", "wg1", "dir", 0, 133333333},
        {"improve_funding_allocated", "wg2", "hos", 0, 133333333},
        {"improve_funding_allocated", "wg3", "dir", 0, 133333333},
        {"improve_funding_allocated", "la", "dir", 0, 1},
        {"improve_budget_committed", "c1", "dir", 0, 133333333},
        {"improve_budget_committed", "c2", "dir", 0, 100000000},
        {"improve_funding_changed", "wg2", "dir", 133333333, 100000000},
        {"improve_funding_changed", "wg2", "dir", 100000000, 133333333},
        {"improve_spend_recorded", "s1", "hos", 0, 133333333},
        {"improve_spend_recorded", "s2", "hos", 0, 100000050},
        {"improve_spend_recorded", "s3", "hos", 0, 500},
        {"improve_spend_reversed", "s3", "hos", 500, 0},
    };
    assert_int_equal(json_array_size(h), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < json_array_size(h); i++) {
        const json_t *x = json_array_get(h, i);
        assert_string_equal(json_string_value(json_object_get(x, "type")), want[i].type);
        assert_string_equal(json_string_value(json_object_get(x, "id")), want[i].id);
        assert_string_equal(json_string_value(json_object_get(x, "by")), want[i].by);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "before"), "pence")),
                         want[i].before);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "after"), "pence")),
                         want[i].after);
        assert_non_null(json_string_value(json_object_get(x, "reason")));
        assert_non_null(json_string_value(json_object_get(x, "date")));
        if (i)
            assert_true(json_integer_value(json_object_get(x, "entry")) >
                        json_integer_value(json_object_get(json_array_get(h, i - 1), "entry")));
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 11), "reason")),
                        "Refunded.");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(h, 3), "after"), "pounds")),
                        "£0.01");
    json_decref(h);
    /* Another plan's history holds none of it. */
    h = cw_improve_money_history_json(st, "p1");
    assert_int_equal(json_array_size(h), 0);
    json_decref(h);
    cw_improve_free(st);
}

/* ---- 2. RAG, derived on the day asked for ---- */

static void rag_is(const cw_improve *st, const char *id, const char *as_of, cw_rag want,
                   const char *why)
{
    const char *reason = NULL;
    cw_rag r = cw_improve_rag(st, action_of(st, id), cw_improve_calendar(), D(as_of), &reason);
    if (r != want || strcmp(reason, why))
        fail_msg("%s on %s: %s (%s), expected %s (%s)", id, as_of, cw_improve_rag_name(r), reason,
                 cw_improve_rag_name(want), why);
    /* The action's JSON says the same. */
    json_t *j = cw_improve_action_json(st, action_of(st, id), cw_improve_calendar(), D(as_of));
    assert_string_equal(json_string_value(json_object_get(j, "rag")), cw_improve_rag_name(want));
    assert_string_equal(json_string_value(json_object_get(j, "rag_reason")), why);
    json_decref(j);
}

static void test_rag(void **state)
{
    (void)state;
    ok("dir", "improve_plan_created", plan("pr", "2026-11-05", "hos", NULL, "2027-03-31"));
    ok("dir", "improve_recommendation_added", rec("prr", "pr", NULL));
    ok("dir", "improve_point_added", point("prr.1", "prr"));
    const char *set = "2026-11-05";
    ok("dir", "improve_action_added", action("g1", "prr.1", "sw1", set, "2027-06-30", NULL));
    ok("dir", "improve_action_added", action("n1", "prr.1", "sw1", set, "2027-01-08", NULL));
    ok("dir", "improve_action_added", action("bl", "prr.1", "sw1", set, "2027-06-30", NULL));
    ok("dir", "improve_action_added", action("d1", "prr.1", "sw2", set, "2026-11-20", NULL));
    ok("dir", "improve_action_added", action("x1", "prr.1", "sw1", set, "2027-06-30", "d1"));
    ok("dir", "improve_action_added", action("z1", "prr.1", "sw2", set, "2027-02-26", NULL));
    ok("dir", "improve_action_added", action("y1", "prr.1", "sw1", set, "2027-01-29", "z1"));
    ok("dir", "improve_action_added", action("c1", "prr.1", "sw1", set, "2027-06-30", NULL));
    const char *const with_evidence[] = {"g1", "bl", "x1", "y1", "c1"};
    for (size_t i = 0; i < 5; i++) {
        char ev[16];
        snprintf(ev, sizeof ev, "ev-%s", with_evidence[i]);
        ok("sw1", "improve_evidence_added", document(ev, with_evidence[i], "2026-11-06"));
    }
    ok("sw1", "improve_action_updated", update("bl", "2026-11-07", 1));
    /* c1's completion and sign-off moved in from a system that recorded them on the 19th and
     * the 20th: the days its RAG counts. */
    ok_on("2026-11-19", "sw1", "improve_action_completed", completed("c1", "2026-11-19"));
    ok_on("2026-11-20", "hos", "improve_action_signed_off", signed_off("c1", "2026-11-20"));

    /* RAG is never typed in: there is no field for it. */
    json_t *p = update("g1", "2026-11-07", -1);
    json_object_set_new(p, "rag", json_string("green"));
    no(CW_EINVAL, "rag", "not a field", "sw1", "improve_action_updated", p);
    p = action("g2", "prr.1", "sw1", set, "2027-06-30", NULL);
    json_object_set_new(p, "rag", json_string("green"));
    no(CW_EINVAL, "rag", "not a field", "dir", "improve_action_added", p);
    p = completed("g1", "2026-11-07");
    json_object_set_new(p, "rag_reason", json_string("on_track"));
    no(CW_EINVAL, "rag_reason", "not a field", "sw1", "improve_action_completed", p);

    cw_improve *st = load();
    /* Green: due far off, with evidence; with evidence, green up to its due day. */
    rag_is(st, "g1", "2026-12-01", CW_RAG_GREEN, "on_track");
    rag_is(st, "g1", "2027-06-30", CW_RAG_GREEN, "on_track");
    rag_is(st, "g1", "2027-07-01", CW_RAG_RED, "overdue");
    /*
     * No evidence, due Friday 2027-01-08: amber within 10 working days. Counting back the
     * working days up to the due day: 8, 7, 6, 5, 4 January (1-5; the 1st is New Year's Day),
     * 31, 30, 29 December (6-8; the 28th and 25th are bank holidays), 24, 23 (9, 10). So from
     * Tuesday 22 December there are 10 working days left (amber); from Monday 21st, 11 (green).
     * Without the bank holidays the boundary would be 5 January.
     */
    rag_is(st, "n1", "2026-12-21", CW_RAG_GREEN, "on_track");
    rag_is(st, "n1", "2026-12-22", CW_RAG_AMBER, "due_soon_no_evidence");
    rag_is(st, "n1", "2027-01-08", CW_RAG_AMBER, "due_soon_no_evidence"); /* due: not red yet */
    rag_is(st, "n1", "2027-01-09", CW_RAG_RED, "overdue");
    /* Blocked. */
    rag_is(st, "bl", "2026-12-01", CW_RAG_AMBER, "blocked");
    /* A dependency late: d1 due 2026-11-20, not complete. */
    rag_is(st, "d1", "2026-11-20", CW_RAG_AMBER, "due_soon_no_evidence");
    rag_is(st, "d1", "2026-11-21", CW_RAG_RED, "overdue");
    rag_is(st, "x1", "2026-11-20", CW_RAG_GREEN, "on_track");
    rag_is(st, "x1", "2026-11-21", CW_RAG_AMBER, "dependency_late");
    /* A dependency due after the action itself. */
    rag_is(st, "y1", "2026-12-01", CW_RAG_AMBER, "dependency_after_due");
    /* Complete from the day it was signed off; a report for the day before shows it open. */
    assert_int_equal(action_of(st, "c1")->status, CW_IMP_COMPLETE);
    rag_is(st, "c1", "2026-11-19", CW_RAG_GREEN, "on_track");
    rag_is(st, "c1", "2026-11-20", CW_RAG_COMPLETE, "complete");
    rag_is(st, "c1", "2027-12-01", CW_RAG_COMPLETE, "complete"); /* complete, never overdue */

    /* The plan's counts on 2026-12-22: g1 green, n1 amber, bl amber, d1 red, x1 amber, z1 green
     * (due 2027-02-26: 43 working days left), y1 amber, c1 complete. */
    json_t *pj =
        cw_improve_plan_json(st, cw_improve_plan(st, "pr"), cw_improve_calendar(), D("2026-12-22"));
    const json_t *counts = json_object_get(pj, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "actions")), 8);
    assert_int_equal(json_integer_value(json_object_get(counts, "green")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "amber")), 4);
    assert_int_equal(json_integer_value(json_object_get(counts, "red")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "late")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "complete")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "due")), 1); /* d1 */
    json_decref(pj);
    cw_improve_free(st);

    /* Unblocked: green again; d1 complete: x1 no longer waits. */
    ok("sw1", "improve_action_updated", update("bl", "2026-11-21", 0));
    ok("sw2", "improve_evidence_added", document("ev-d1", "d1", "2026-11-19"));
    ok_on("2026-11-19", "sw2", "improve_action_completed", completed("d1", "2026-11-19"));
    ok_on("2026-11-21", "hos", "improve_action_signed_off", signed_off("d1", "2026-11-21"));
    st = load();
    rag_is(st, "bl", "2026-12-01", CW_RAG_GREEN, "on_track");
    rag_is(st, "x1", "2026-11-21", CW_RAG_GREEN, "on_track");
    rag_is(st, "x1", "2026-11-20", CW_RAG_GREEN, "on_track");
    /* d1 signed off the day after it was due: open (with evidence) on its due day, complete
     * from the 21st, never red after. */
    rag_is(st, "d1", "2026-11-20", CW_RAG_GREEN, "on_track");
    rag_is(st, "d1", "2026-11-21", CW_RAG_COMPLETE, "complete");
    cw_improve_free(st);

    /*
     * A typed date cannot make late work look on time. lt, due Monday 2026-11-16, with evidence:
     * said done and signed off with dates typed 13 November, but its sign-off was recorded on the
     * 24th. It is red on every day from the 17th to the 23rd, complete from the 24th. lu is the
     * same signed off in caseward today: red every day after its due day until today. Their plan
     * moved in from a system that recorded it as the dates typed, up to the completions.
     */
    ok_on(set, "dir", "improve_plan_created", plan("pz", set, "hos", NULL, "2027-03-31"));
    ok_on(set, "dir", "improve_recommendation_added", rec("pzr", "pz", NULL));
    ok_on(set, "dir", "improve_point_added", point("pzr.1", "pzr"));
    const char *const late[] = {"lt", "lu"};
    for (size_t i = 0; i < 2; i++) {
        char ev[16];
        snprintf(ev, sizeof ev, "ev-%s", late[i]);
        ok_on(set, "dir", "improve_action_added",
              action(late[i], "pzr.1", "sw1", set, "2026-11-16", NULL));
        ok_on("2026-11-06", "sw1", "improve_evidence_added", document(ev, late[i], "2026-11-06"));
        ok_on("2026-11-13", "sw1", "improve_action_completed", completed(late[i], "2026-11-13"));
    }
    ok_on("2026-11-24", "hos", "improve_action_signed_off", signed_off("lt", "2026-11-13"));
    ok("hos", "improve_action_signed_off", signed_off("lu", "2026-11-13"));
    st = load();
    assert_string_equal(text_of(action_of(st, "lt")->signed_off_on), "2026-11-24");
    assert_string_equal(text_of(action_of(st, "lu")->signed_off_on), text_of(F.today));
    rag_is(st, "lt", "2026-11-13", CW_RAG_GREEN, "on_track");
    rag_is(st, "lt", "2026-11-16", CW_RAG_GREEN, "on_track");
    for (cw_date d = D("2026-11-17"); d < D("2026-11-24"); d++)
        rag_is(st, "lt", text_of(d), CW_RAG_RED, "overdue");
    rag_is(st, "lt", "2026-11-24", CW_RAG_COMPLETE, "complete");
    rag_is(st, "lu", "2026-11-17", CW_RAG_RED, "overdue");
    rag_is(st, "lu", text_of(F.today - 1), CW_RAG_RED, "overdue");
    rag_is(st, "lu", text_of(F.today), CW_RAG_COMPLETE, "complete");
    /* The plan as it stood on the 20th (cw_improve_load): lt said done, not yet signed off, and
     * red; on the 24th, complete. */
    cw_improve *then = NULL;
    assert_int_equal(cw_improve_load(cw_ledger_store(F.l), D("2026-11-20"), &then, &F.err), CW_OK);
    assert_non_null(cw_improve_plan(then, "pz"));
    assert_int_equal(action_of(then, "lt")->status, CW_IMP_AWAITING_SIGN_OFF);
    assert_string_equal(text_of(action_of(then, "lt")->completed_on), "2026-11-13");
    assert_int_equal(action_of(then, "lt")->signed_off_on, 0);
    rag_is(then, "lt", "2026-11-20", CW_RAG_RED, "overdue");
    cw_improve_free(then);
    assert_int_equal(cw_improve_load(cw_ledger_store(F.l), D("2026-11-24"), &then, &F.err), CW_OK);
    assert_int_equal(action_of(then, "lt")->status, CW_IMP_COMPLETE);
    assert_int_equal(action_of(then, "lu")->status, CW_IMP_AWAITING_SIGN_OFF);
    rag_is(then, "lt", "2026-11-24", CW_RAG_COMPLETE, "complete");
    cw_improve_free(then);
    cw_improve_free(st);
}

/* ---- 2b. a plan's submission counts on the day recorded ---- */

static void test_late_submission(void **state)
{
    (void)state;
    /* Two plans due Tuesday 2026-11-10, moved in from a system that recorded them on the 3rd.
     * ps was submitted with the date 9 November typed, but recorded on the 12th: late. pt was
     * recorded on the 9th: on time. */
    const char *const ids[] = {"ps", "pt"}, *const sent_on[] = {"2026-11-12", "2026-11-09"};
    for (size_t i = 0; i < 2; i++) {
        char r[16], pt[16], a[16];
        snprintf(r, sizeof r, "%sr", ids[i]);
        snprintf(pt, sizeof pt, "%sr.1", ids[i]);
        snprintf(a, sizeof a, "%sa", ids[i]);
        ok_on("2026-11-03", "dir", "improve_plan_created",
              plan(ids[i], "2026-11-02", "hos", NULL, "2026-11-10"));
        ok_on("2026-11-03", "dir", "improve_recommendation_added", rec(r, ids[i], NULL));
        ok_on("2026-11-03", "dir", "improve_point_added", point(pt, r));
        ok_on("2026-11-03", "dir", "improve_action_added",
              action(a, pt, "sw1", "2026-11-02", "2027-03-31", NULL));
        ok_on(sent_on[i], "hos", "improve_plan_submitted",
              json_pack("{ss ss ss}", "plan_id", ids[i], "date", "2026-11-09", "submitted_to",
                        "CIW"));
    }
    /* A claim of a day before the date typed is refused: a record is not made before the
     * thing happened. */
    no_on("2026-11-08", CW_EINVAL, NULL, "source.recorded_at", "dir", "improve_plan_created",
          plan("pu", "2026-11-09", "hos", NULL, "2026-11-10"));
    cw_improve *st = load();
    static const struct {
        const char *id, *as_of;
        int late;
        const char *submitted; /* NULL: not yet */
    } want[] = {
        {"ps", "2026-11-09", 0, NULL},         {"ps", "2026-11-10", 0, NULL},
        {"ps", "2026-11-11", 1, NULL},         {"ps", "2026-11-12", 1, "2026-11-12"},
        {"ps", "2026-12-01", 1, "2026-11-12"}, {"pt", "2026-11-09", 0, "2026-11-09"},
        {"pt", "2026-12-01", 0, "2026-11-09"},
    };
    assert_string_equal(text_of(cw_improve_plan(st, "ps")->submitted), "2026-11-12");
    assert_string_equal(text_of(cw_improve_plan(st, "pt")->submitted), "2026-11-09");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *j = cw_improve_plan_json(st, cw_improve_plan(st, want[i].id), cw_improve_calendar(),
                                         D(want[i].as_of));
        if (json_is_true(json_object_get(j, "late")) != want[i].late)
            fail_msg("plan %s on %s: late %d, expected %d", want[i].id, want[i].as_of,
                     !want[i].late, want[i].late);
        json_decref(j);
    }
    /* The plan as it stood on a day: ps not yet submitted on the 11th, submitted on the 12th. */
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cw_improve *then = NULL;
        assert_int_equal(cw_improve_load(cw_ledger_store(F.l), D(want[i].as_of), &then, &F.err),
                         CW_OK);
        const cw_imp_plan *pl = cw_improve_plan(then, want[i].id);
        assert_non_null(pl);
        if (want[i].submitted)
            assert_string_equal(text_of(pl->submitted), want[i].submitted);
        else
            assert_int_equal(pl->submitted, 0);
        cw_improve_free(then);
    }
    cw_improve_free(st);
}

/* ---- 4. batches ---- */

static void test_batches(void **state)
{
    (void)state;
    uint64_t size = cw_ledger_size(F.l);
    /* A plan, its recommendation, point and action in one batch: each checked after those
     * before it, then the plan submitted in the same batch (it has its action by then). */
    cw_error_clear(&F.err);
    assert_int_equal(cw_casework_begin(F.l, &F.err), CW_OK);
    cw_rc rc = add("dir", "improve_plan_created",
                   plan("pb", "2026-11-05", "hos", NULL, "2027-03-31"), NULL);
    rc = rc ? rc : add("dir", "improve_recommendation_added", rec("pbr", "pb", NULL), NULL);
    rc = rc ? rc : add("dir", "improve_point_added", point("pbr.1", "pbr"), NULL);
    rc = rc ? rc
            : add("dir", "improve_action_added",
                  action("pb1", "pbr.1", "sw1", "2026-11-05", "2027-03-31", NULL), NULL);
    rc = rc ? rc
            : add("hos", "improve_plan_submitted",
                  json_pack("{ss ss ss}", "plan_id", "pb", "date", "2026-11-06", "submitted_to",
                            "CIW"),
                  NULL);
    if (rc)
        fail_msg("batch: %s", F.err.msg);
    assert_int_equal(cw_casework_commit(F.l, NULL, &F.err), CW_OK);
    assert_int_equal(cw_ledger_size(F.l), size + 5);
    cw_improve *st = load();
    assert_non_null(cw_improve_plan(st, "pb"));
    assert_string_equal(action_of(st, "pb1")->plan, "pb");
    /* Submitted on the day recorded, not the date typed (2026-11-06). */
    assert_int_equal(cw_improve_plan(st, "pb")->submitted, F.today);
    cw_improve_free(st);

    /* In a batch, a point before its recommendation is refused (the later is not seen). */
    size = cw_ledger_size(F.l);
    assert_int_equal(cw_casework_begin(F.l, &F.err), CW_OK);
    assert_int_equal(add("dir", "improve_plan_created",
                         plan("px", "2026-11-05", "hos", NULL, "2027-03-31"), NULL),
                     CW_OK);
    assert_int_equal(add("dir", "improve_point_added", point("pxr.1", "pxr"), NULL), CW_ENOTFOUND);
    assert_string_equal(F.err.field, "recommendation_id");
    cw_casework_abort(F.l);

    /* An aborted batch leaves nothing. */
    assert_int_equal(cw_casework_begin(F.l, &F.err), CW_OK);
    rc = add("dir", "improve_plan_created", plan("px", "2026-11-05", "hos", NULL, "2027-03-31"),
             NULL);
    rc = rc ? rc : add("dir", "improve_recommendation_added", rec("pxr", "px", NULL), NULL);
    rc = rc ? rc : add("dir", "improve_point_added", point("pxr.1", "pxr"), NULL);
    rc = rc ? rc : add("dir", "improve_funding_allocated", allocate("pxa", "px", 100), NULL);
    if (rc)
        fail_msg("batch: %s", F.err.msg);
    cw_casework_abort(F.l);
    assert_int_equal(cw_ledger_size(F.l), size);
    st = load();
    assert_null(cw_improve_plan(st, "px"));
    assert_null(cw_improve_allocation(st, "pxa"));
    for (size_t i = 0; i < st->nrecommendations; i++)
        assert_string_not_equal(st->recommendations[i].id, "pxr");
    assert_int_equal(st->last_idx, size - 1); /* the plan pb's submission is the last entry */
    cw_improve_free(st);
    /* ... and the identifiers are free again. */
    ok("dir", "improve_plan_created", plan("px", "2026-11-05", "hos", NULL, "2027-03-31"));
}

/* ---- 5. the fold trusts nothing; the plan as it stood ---- */

static void same_state(const cw_improve *a, const cw_improve *b)
{
    assert_int_equal(a->entries, b->entries);
    assert_int_equal(a->last_idx, b->last_idx);
    assert_int_equal(a->nactions, b->nactions);
    assert_int_equal(a->nevidence, b->nevidence);
    assert_int_equal(a->nplans, b->nplans);
    assert_int_equal(a->nmoney, b->nmoney);
    assert_int_equal(a->nspends, b->nspends);
    assert_int_equal(a->ncommitments, b->ncommitments);
    for (size_t i = 0; i < a->nactions; i++) {
        assert_int_equal(a->actions[i].status, b->actions[i].status);
        assert_int_equal(a->actions[i].nevidence, b->actions[i].nevidence);
        assert_int_equal(a->actions[i].spent, b->actions[i].spent);
        assert_int_equal(a->actions[i].committed, b->actions[i].committed);
    }
    for (size_t i = 0; i < a->nallocations; i++) {
        assert_int_equal(a->allocations[i].amount, b->allocations[i].amount);
        assert_int_equal(a->allocations[i].committed, b->allocations[i].committed);
        assert_int_equal(a->allocations[i].spent, b->allocations[i].spent);
    }
}

static void fold_refused(cw_improve *st, const char *type, const char *actor, const char *payload,
                         const char *m)
{
    cw_improve *ref = load();
    uint64_t idx = st->last_idx + 1;
    assert_int_equal(fold_text(st, idx, type, actor, payload), CW_EVERIFY);
    if (m && !strstr(F.err.msg, m))
        fail_msg("%s: message \"%s\" does not hold \"%s\"", type, F.err.msg, m);
    same_state(st, ref);
    cw_improve_free(ref);
}

static void test_fold(void **state)
{
    (void)state;
    cw_improve *st = load();
    fold_refused(st, "improve_evidence_added", "sw1",
                 "{\"evidence_id\":\"e99\",\"action_id\":\"nope\",\"date\":\"2026-11-20\","
                 "\"kind\":\"document\",\"title\":\"T\",\"sha256\":\"" SHA_A "\"}",
                 "its action is not recorded");
    /* A target that is not a figure, on an action that is there: nothing is left behind. */
    fold_refused(st, "improve_evidence_added", "sw1",
                 "{\"evidence_id\":\"e99\",\"action_id\":\"g1\",\"date\":\"2026-11-20\","
                 "\"kind\":\"measure\",\"title\":\"T\",\"measure_id\":\"m\",\"target\":"
                 "\"8.55\",\"direction\":\"at_least\"}",
                 "target");
    fold_refused(st, "improve_action_updated", "sw1",
                 "{\"action_id\":\"nope\",\"date\":\"2026-11-20\",\"note\":\"N\"}", NULL);
    fold_refused(st, "improve_action_added", "dir",
                 "{\"action_id\":\"g1\",\"point_id\":\"prr.1\",\"date\":\"2026-11-20\","
                 "\"text\":\"T\",\"owner_id\":\"sw1\",\"due\":\"2027-01-01\"}",
                 "used already");
    fold_refused(st, "improve_action_changed", "dir",
                 "{\"action_id\":\"d1\",\"date\":\"2026-11-20\",\"reason\":\"R\",\"due\":"
                 "\"2027-01-01\"}",
                 "complete");
    /* Replanned while it awaits sign-off (a2). */
    fold_refused(st, "improve_action_changed", "hos",
                 "{\"action_id\":\"a2\",\"date\":\"2026-11-20\",\"reason\":\"R\",\"due\":"
                 "\"2027-05-01\"}",
                 "awaits sign-off");
    /* Signed off by its owner (a2 awaits sign-off; sw2 owns it). */
    fold_refused(st, "improve_action_signed_off", "sw2",
                 "{\"action_id\":\"a2\",\"date\":\"2026-11-20\"}", "owner");
    fold_refused(st, "improve_budget_committed", "dir",
                 "{\"commitment_id\":\"c99\",\"action_id\":\"m1\",\"allocation_id\":\"wg1\","
                 "\"date\":\"2026-11-20\",\"amount_pence\":1,\"reason\":\"R\"}",
                 "uncommitted");
    fold_refused(st, "improve_funding_changed", "dir",
                 "{\"allocation_id\":\"wg1\",\"date\":\"2026-11-20\",\"amount_pence\":133333332,"
                 "\"reason\":\"R\"}",
                 "committed beyond");
    fold_refused(st, "improve_spend_reversed", "dir",
                 "{\"spend_id\":\"s3\",\"date\":\"2026-11-20\",\"reason\":\"R\"}",
                 "reversed already");
    fold_refused(st, "improve_nonsense", "dir", "{\"date\":\"2026-11-20\"}", NULL);
    /* Out of order: an index not after the last folded. */
    cw_improve *ref = load();
    json_t *late = json_pack("{ss ss}", "inspection_id", "i99", "date", "2026-11-20");
    assert_int_equal(
        cw_improve_fold(st, st->last_idx, "improve_inspection_recorded", "dir", 0, late, &F.err),
        CW_EVERIFY);
    assert_non_null(strstr(F.err.msg, "out of order"));
    json_decref(late);
    same_state(st, ref);
    cw_improve_free(ref);
    /* After all that, a good entry still folds. */
    assert_int_equal(fold_text(st, st->last_idx + 1, "improve_action_updated", "sw1",
                               "{\"action_id\":\"g1\",\"date\":\"2026-11-20\",\"note\":\"N\"}"),
                     CW_OK);
    assert_string_equal(action_of(st, "g1")->note, "N");
    cw_improve_free(st);

    /* dated_to: the plan as it stood on a day, by the days the entries were recorded (history
     * moved in: the days its system claims); before the first of them there was no plan, and
     * on today it is the whole plan. */
    cw_improve *before = NULL, *now = NULL, *mid = NULL;
    assert_int_equal(cw_improve_load(cw_ledger_store(F.l), D("2026-01-01"), &before, &F.err),
                     CW_OK);
    assert_int_equal(before->entries, 0);
    assert_int_equal(before->nplans, 0);
    assert_int_equal(cw_improve_load(cw_ledger_store(F.l), F.today, &now, &F.err), CW_OK);
    st = load();
    assert_true(st->entries > 50);
    same_state(now, st);
    /* On 2026-11-07 the entries recorded after it are not there yet: the plans moved in with
     * claims up to that day (pz, ps, pt: 3 + 2 x 4 entries, and pz's 2 actions and their
     * evidence), none recorded in caseward today, and no submission (ps's and pt's were
     * recorded on the 12th and the 9th). */
    assert_int_equal(cw_improve_load(cw_ledger_store(F.l), D("2026-11-07"), &mid, &F.err), CW_OK);
    assert_int_equal(mid->entries, 3 + 2 * 4 + 2 * 2);
    assert_int_equal(mid->nplans, 3);
    assert_non_null(cw_improve_plan(mid, "pz"));
    assert_int_equal(cw_improve_plan(mid, "ps")->submitted, 0);
    assert_int_equal(cw_improve_plan(mid, "pt")->submitted, 0);
    assert_null(cw_improve_plan(mid, "p1"));
    assert_int_equal(mid->nspends, 0);
    assert_int_equal(action_of(mid, "lt")->nevidence, 1);
    assert_int_equal(action_of(mid, "lt")->status, CW_IMP_IN_PROGRESS);
    cw_improve_free(mid);
    cw_improve_free(before);
    cw_improve_free(now);
    cw_improve_free(st);
}

/* ---- 5a. a long chain of dependencies; the log up to a size ---- */

#define CHAIN 80

static void test_dependency_chain(void **state)
{
    (void)state;
    /* 80 actions, each depending on the one before: accepted (the search for a circle follows
     * the whole chain, however long), and folded. */
    uint64_t first =
        ok("dir", "improve_plan_created", plan("pc", "2026-11-05", "hos", NULL, "2027-03-31"));
    ok("dir", "improve_recommendation_added", rec("pcr", "pc", NULL));
    ok("dir", "improve_point_added", point("pcr.1", "pcr"));
    char id[16], prev[16] = "";
    for (int i = 1; i <= CHAIN; i++) {
        snprintf(id, sizeof id, "ch%02d", i);
        ok("dir", "improve_action_added",
           action(id, "pcr.1", "sw1", "2026-11-05", "2027-03-31", i > 1 ? prev : NULL));
        snprintf(prev, sizeof prev, "%s", id);
    }
    int64_t t0 = mono_ms();
    cw_improve *st = load();
    int64_t load_ms = mono_ms() - t0;
    const cw_imp_action *last = action_of(st, "ch80");
    assert_int_equal(last->ndeps, 1);
    assert_string_equal(last->deps[0], "ch79");
    assert_int_equal(action_of(st, "ch01")->ndeps, 0);
    assert_int_equal(last->number, CHAIN);
    /* A circle at its end: ch01 depending on ch80 (which reaches ch01 through 79 others). Refused
     * by the check, quickly, and by the fold. */
    cw_improve_env env = {fake_staff, fake_report, NULL, NULL, NULL, cw_improve_calendar()};
    cw_improve_who who = {"dir", "director", 1};
    json_t *circle = change_deps("ch01", "ch80");
    cw_error err = {0};
    t0 = mono_ms();
    cw_rc rc = cw_improve_check(st, &env, &who, "improve_action_changed", circle, F.today, &err);
    int64_t check_ms = mono_ms() - t0;
    assert_int_equal(rc, CW_EINVAL);
    assert_string_equal(err.field, "depends_on");
    json_decref(circle);
    /* The times are printed, not judged: a wall-clock limit here failed under load (the ASan
     * build beside another test run: 393 ms against 300), which says nothing of the code. A
     * search that did not end, or went round the chain, would not finish at all. */
    print_message("the chain of %d: folded in %lld ms, its circle found in %lld ms\n", CHAIN,
                  (long long)load_ms, (long long)check_ms);
    /* Not a circle: ch80 depending on ch01 as well (it reaches it already). */
    json_t *more = json_pack("{ss ss s[ss] ss}", "action_id", "ch80", "date", "2026-11-06",
                             "depends_on", "ch79", "ch01", "reason", "Both.");
    assert_int_equal(
        cw_improve_check(st, &env, &who, "improve_action_changed", more, F.today, &err), CW_OK);
    json_decref(more);
    fold_refused(st, "improve_action_changed", "dir",
                 "{\"action_id\":\"ch01\",\"date\":\"2026-11-06\",\"reason\":\"R\","
                 "\"depends_on\":[\"ch80\"]}",
                 "circle");
    cw_improve_free(st);
    no(CW_EINVAL, "depends_on", "circle", "dir", "improve_action_changed",
       change_deps("ch01", "ch80"));
    no(CW_EINVAL, "depends_on", "circle", "dir", "improve_action_changed",
       change_deps("ch40", "ch41"));

    /* cw_improve_load_upto: the entries below a size only. */
    cw_improve *upto = NULL;
    assert_int_equal(cw_improve_load_upto(cw_ledger_store(F.l), first, 0, &upto, &F.err), CW_OK);
    assert_null(cw_improve_plan(upto, "pc"));
    assert_true(upto->last_idx < first);
    uint64_t below = upto->entries;
    cw_improve_free(upto);
    assert_int_equal(cw_improve_load_upto(cw_ledger_store(F.l), first + 1, 0, &upto, &F.err),
                     CW_OK);
    assert_non_null(cw_improve_plan(upto, "pc"));
    for (size_t i = 0; i < upto->nrecommendations; i++)
        assert_string_not_equal(upto->recommendations[i].id, "pcr");
    assert_int_equal(upto->last_idx, first);
    assert_int_equal(upto->entries, below + 1);
    cw_improve_free(upto);
    assert_int_equal(
        cw_improve_load_upto(cw_ledger_store(F.l), first + 3 + CHAIN, 0, &upto, &F.err), CW_OK);
    assert_non_null(action_of(upto, "ch80"));
    assert_int_equal(upto->entries, below + 3 + CHAIN);
    cw_improve_free(upto);
    assert_int_equal(cw_improve_load_upto(cw_ledger_store(F.l), 0, 0, &upto, &F.err), CW_OK);
    assert_int_equal(upto->entries, 0);
    cw_improve_free(upto);
}

/* ---- 5b. no sign-off while a dependency is open ---- */

static void test_sign_off_open_dependency(void **state)
{
    (void)state;
    /* A log in which q2, depending on q1, was said done while q1 was open (as a log from before
     * completion checked its dependencies may hold): q2 is not signed off until q1 is. */
    cw_improve *st = cw_improve_new();
    assert_non_null(st);
    static const char *const log[][3] = {
        {"improve_plan_created", "dir",
         "{\"plan_id\":\"q\",\"date\":\"2026-11-02\",\"title\":\"Q\",\"owner_id\":"
         "\"hos\",\"due\":\"2027-03-31\"}"},
        {"improve_recommendation_added", "dir",
         "{\"recommendation_id\":\"qr\",\"plan_id\":\"q\",\"date\":\"2026-11-02\","
         "\"text\":\"R\"}"},
        {"improve_point_added", "dir",
         "{\"point_id\":\"qr.1\",\"recommendation_id\":\"qr\",\"date\":\"2026-11-02\","
         "\"text\":\"P\"}"},
        {"improve_action_added", "dir",
         "{\"action_id\":\"q1\",\"point_id\":\"qr.1\",\"date\":\"2026-11-02\",\"text\":"
         "\"A\",\"owner_id\":\"sw1\",\"due\":\"2027-03-31\"}"},
        {"improve_action_added", "dir",
         "{\"action_id\":\"q2\",\"point_id\":\"qr.1\",\"date\":\"2026-11-02\",\"text\":"
         "\"B\",\"owner_id\":\"sw2\",\"due\":\"2027-03-31\",\"depends_on\":[\"q1\"]}"},
        {"improve_evidence_added", "sw2",
         "{\"evidence_id\":\"qe2\",\"action_id\":\"q2\",\"date\":\"2026-11-03\",\"kind\":"
         "\"document\",\"title\":\"T\",\"sha256\":\"" SHA_A "\"}"},
        {"improve_action_completed", "sw2",
         "{\"action_id\":\"q2\",\"date\":\"2026-11-04\",\"note\":\"Done.\"}"},
    };
    for (size_t i = 0; i < sizeof log / sizeof log[0]; i++)
        if (fold_text(st, i, log[i][0], log[i][1], log[i][2]))
            fail_msg("entry %zu (%s): %s", i, log[i][0], F.err.msg);
    assert_int_equal(action_of(st, "q2")->status, CW_IMP_AWAITING_SIGN_OFF);
    cw_improve_env env = {fake_staff, fake_report, NULL, NULL, NULL, cw_improve_calendar()};
    cw_improve_who who = {"hos", "head_of_service", 1};
    json_t *so = signed_off("q2", "2026-11-05");
    cw_error err = {0};
    assert_int_equal(
        cw_improve_check(st, &env, &who, "improve_action_signed_off", so, F.today, &err),
        CW_EINVAL);
    assert_string_equal(err.key, "imp_dep_open");
    assert_string_equal(err.field, "action_id");
    assert_non_null(strstr(err.msg, "q1"));
    /* Returned, it may be: that leaves nothing open complete. */
    json_t *back = json_pack("{ss ss ss}", "action_id", "q2", "date", "2026-11-05", "reason", "R");
    assert_int_equal(
        cw_improve_check(st, &env, &who, "improve_action_returned", back, F.today, &err), CW_OK);
    json_decref(back);
    uint64_t n = st->entries;
    assert_int_equal(cw_improve_fold(st, 7, "improve_action_signed_off", "hos", F.today, so, &err),
                     CW_EVERIFY);
    assert_non_null(strstr(err.msg, "depends on is not complete"));
    assert_int_equal(st->entries, n);
    assert_int_equal(action_of(st, "q2")->status, CW_IMP_AWAITING_SIGN_OFF);
    /* q1 done and signed off: now q2 may be. */
    static const char *const more[][3] = {
        {"improve_evidence_added", "sw1",
         "{\"evidence_id\":\"qe1\",\"action_id\":\"q1\",\"date\":\"2026-11-05\",\"kind\":"
         "\"document\",\"title\":\"T\",\"sha256\":\"" SHA_A "\"}"},
        {"improve_action_completed", "sw1",
         "{\"action_id\":\"q1\",\"date\":\"2026-11-05\",\"note\":\"Done.\"}"},
        {"improve_action_signed_off", "hos", "{\"action_id\":\"q1\",\"date\":\"2026-11-06\"}"},
    };
    for (size_t i = 0; i < 3; i++)
        if (fold_text(st, 8 + i, more[i][0], more[i][1], more[i][2]))
            fail_msg("entry %zu (%s): %s", 8 + i, more[i][0], F.err.msg);
    assert_int_equal(
        cw_improve_check(st, &env, &who, "improve_action_signed_off", so, F.today, &err), CW_OK);
    assert_int_equal(cw_improve_fold(st, 11, "improve_action_signed_off", "hos", F.today, so, &err),
                     CW_OK);
    assert_int_equal(action_of(st, "q2")->status, CW_IMP_COMPLETE);
    json_decref(so);
    cw_improve_free(st);
}

/* ---- 5c. CSV cells: numbers stay numbers, nothing starts a formula ---- */

static void test_csv_cells(void **state)
{
    (void)state;
    /* A report's content made by hand: the CSV is made from the content alone. */
    json_error_t jerr;
    json_t *c = json_loads("{\"actions\":{\"late\":["
                           "{\"ref\":\"1.1.1\",\"text\":\"-123\",\"owner_id\":\"sw1\",\"due\":"
                           "\"2026-11-20\",\"status\":\"in_progress\",\"rag\":\"red\"},"
                           "{\"ref\":\"1.1.2\",\"text\":\"-£0.01\",\"owner_id\":\"sw1\",\"due\":"
                           "\"2026-11-20\",\"status\":\"in_progress\",\"rag\":\"red\"},"
                           "{\"ref\":\"1.1.3\",\"text\":\"\\tcmd\",\"owner_id\":\"sw1\",\"due\":"
                           "\"2026-11-20\",\"status\":\"in_progress\",\"rag\":\"red\"},"
                           "{\"ref\":\"1.1.4\",\"text\":\"-1-2\",\"owner_id\":\"-\",\"due\":"
                           "\"2026-11-20\",\"status\":\"in_progress\",\"rag\":\"red\"},"
                           "{\"ref\":\"1.1.5\",\"text\":\"\\rcmd\",\"owner_id\":\"@x\",\"due\":"
                           "\"2026-11-20\",\"status\":\"in_progress\",\"rag\":\"red\"}]},"
                           "\"budget\":{\"unspent\":{\"pence\":-1,\"pounds\":\"-£0.01\"}}}",
                           0, &jerr);
    if (!c)
        fail_msg("content: %s", jerr.text);
    cw_buf b = CW_BUF_INIT(1 << 16);
    assert_int_equal(cw_improve_report_csv(c, &b), CW_OK);
    assert_int_equal(cw_buf_addstr(&b, ""), CW_OK);
    char *out = cw_buf_detach(&b, NULL);
    assert_non_null(out);
    static const char *const rows[] = {
        "\r\nlate,1.1.1,-123,sw1,2026-11-20,in_progress,red,,,\r\n",
        "\r\nlate,1.1.2,'-£0.01,sw1,2026-11-20,in_progress,red,,,\r\n",
        "\r\nlate,1.1.3,'\tcmd,sw1,2026-11-20,in_progress,red,,,\r\n",
        "\r\nlate,1.1.4,'-1-2,'-,2026-11-20,in_progress,red,,,\r\n",
        "\r\nlate,1.1.5,\"'\rcmd\",'@x,2026-11-20,in_progress,red,,,\r\n",
        "\r\nbudget_total,,unspent,,,,,'-£0.01,,-1\r\n",
        "\r\nbudget_total,,allocated,,,,,,,0\r\n",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strstr(out, rows[i]))
            fail_msg("the CSV has no row %s:\n%s", rows[i], out);
    free(out);
    json_decref(c);
}

/* ---- reports to the board ---- */

static json_t *report(const char *id, const char *date, const char *as_of, const char *sha)
{
    return json_pack("{ss ss ss ss ss ss ss s{si} sI}", "report_id", id, "plan_id", "p1", "date",
                     date, "kind", "board", "as_of", as_of, "recipients", "The board",
                     "content_sha256", sha, "figures", "actions", 3, "log_size",
                     (json_int_t)cw_ledger_size(F.l));
}

static void test_reports(void **state)
{
    (void)state;
    no(CW_EINVAL, "content_sha256", NULL, "sm", "improve_report_issued",
       report("br1", "2026-11-20", "2026-11-20", "not a sha"));
    no(CW_EINVAL, "date", "before the day the report is for", "sm", "improve_report_issued",
       report("br1", "2026-11-19", "2026-11-20", SHA_A));
    no(CW_EFORBIDDEN, "actor", NULL, "obs", "improve_report_issued",
       report("br1", "2026-11-20", "2026-11-20", SHA_A));
    ok("sm", "improve_report_issued", report("br1", "2026-11-20", "2026-11-19", SHA_A));
    no(CW_EINVAL, "report_id", "br1", "sm", "improve_report_issued",
       report("br1", "2026-11-20", "2026-11-20", SHA_A));
    cw_improve *st = load();
    assert_int_equal(st->nreports, 1);
    assert_string_equal(st->reports[0].by, "sm");
    assert_string_equal(text_of(st->reports[0].as_of), "2026-11-19");
    assert_string_equal(st->reports[0].content_sha256, SHA_A);
    cw_improve_free(st);
}

/* ---- 6. corrections ---- */

static void test_correction(void **state)
{
    (void)state;
    char idx[24], sql[200];
    static const char *const types[] = {"improve_funding_allocated", "improve_action_signed_off",
                                        "improve_plan_created"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql, "SELECT idx FROM improve_entries WHERE type = '%s' ORDER BY idx",
                 types[i]);
        tdb_one(F.db, sql, idx, sizeof idx);
        json_t *fix = json_pack("{sI ss s{ss}}", "corrects", (json_int_t)strtoll(idx, NULL, 10),
                                "reason", "Typed wrongly.", "changes", "date", "2026-11-02");
        no(CW_EINVAL, "corrects", types[i], "dir", "correction", fix);
    }
}

/* ---- 5b. rebuild ---- */

static char *improve_snapshot(void)
{
    cw_buf out = CW_BUF_INIT(1 << 24);
    int ncol = tdb_column_count(F.db, "improve_entries");
    char sql[256];
    size_t used = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM improve_entries ORDER BY 1");
    for (int c = 2; c <= ncol && used < sizeof sql; c++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, ", %d", c);
    tdb_rows(F.db, sql, &out, 1);
    assert_true(out.len > 0);
    cw_improve *st = load();
    for (size_t i = 0; i < st->nplans; i++) {
        json_t *j = cw_improve_plan_json(st, &st->plans[i], cw_improve_calendar(), D("2026-12-22"));
        json_t *h = cw_improve_money_history_json(st, st->plans[i].id);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        char *t = json_dumps(h, JSON_SORT_KEYS | JSON_COMPACT);
        assert_int_equal(cw_buf_addf(&out, "%s\n%s\n", s, t), CW_OK);
        free(s);
        free(t);
        json_decref(j);
        json_decref(h);
    }
    for (size_t i = 0; i < st->ninspections; i++) {
        json_t *j = cw_improve_inspection_json(st, &st->inspections[i]);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        assert_int_equal(cw_buf_addf(&out, "%s\n", s), CW_OK);
        free(s);
        json_decref(j);
    }
    cw_improve_free(st);
    char *s = cw_buf_detach(&out, NULL);
    assert_non_null(s);
    return s;
}

static void test_rebuild(void **state)
{
    (void)state;
    char *before = improve_snapshot();
    assert_non_null(strstr(before, "\"£4,000,000.00\""));
    if (cw_casework_rebuild(F.l, &F.err))
        fail_msg("rebuild: %s", F.err.msg);
    char *after = improve_snapshot();
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_text),
        cmocka_unit_test(test_notice_deadlines),
        cmocka_unit_test(test_plan_and_board),
        cmocka_unit_test(test_dependencies),
        cmocka_unit_test(test_progress_and_sign_off),
        cmocka_unit_test(test_audit_report_evidence),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_rag),
        cmocka_unit_test(test_late_submission),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_dependency_chain),
        cmocka_unit_test(test_sign_off_open_dependency),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_correction),
        cmocka_unit_test(test_rebuild),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
