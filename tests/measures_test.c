/*
 * measures_test.c — performance measures (docs/measures.md) on small
 * constructed histories, each figure worked out by hand: bank holidays in a
 * working-day count, the edges of the period, re-registrations, lengths on
 * the register, placements, a team's share of the council's figures, work
 * counted from the day a manager signed it off; then a signed report
 * recomputed from an export, and a report with one figure changed (and
 * re-signed with the log's own key) refused, naming the measure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "casework/casework.h"
#include "measures/measures.h"
#include "measures/report.h"
#include "testdb.h"
#include "fixture.h"
#include "testutil.h"
#include "util/json.h"

typedef struct fx {
    char dir[64], db[1024];
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_measure_set *m;
    cw_calendar cal;
    cw_error err;
} fx;

static fx F;

/* Submits one command: actor, type, payload as JSON text. */
static uint64_t sub(const char *actor, const char *type, const char *payload)
{
    return fx_submit(F.l, &F.err, actor, type, payload);
}

static void child(const char *id, const char *worker, const char *since)
{
    char p[512];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"given_name\":\"A\",\"family_name\":\"B\","
             "\"date_of_birth\":\"2012-05-05\",\"gender\":\"female\",\"language\":\"welsh\"}",
             id, since);
    sub("tm.1", "child_registered", p);
    snprintf(p, sizeof p, "{\"child_id\":\"%s\",\"worker_id\":\"%s\",\"date\":\"%s\"}", id, worker,
             since);
    sub("tm.1", "case_allocated", p);
}

/* A referral on day r decided for assessment, the assessment started that day and, if done is
 * not NULL, completed on done by actor. */
static void assessment(const char *c, const char *r, const char *done, const char *actor)
{
    char p[600];
    snprintf(p, sizeof p,
             "{\"referral_id\":\"R.%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"source\":\"school\","
             "\"reason\":\"x\"}",
             c, c, r);
    sub("sw.a", "referral_received", p);
    snprintf(p, sizeof p, "{\"referral_id\":\"R.%s\",\"date\":\"%s\",\"decision\":\"assessment\"}",
             c, r);
    sub("tm.1", "referral_decided", p);
    snprintf(p, sizeof p,
             "{\"assessment_id\":\"A.%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"referral_id\":\"R."
             "%s\"}",
             c, c, r, c);
    sub("sw.a", "assessment_started", p);
    if (!done)
        return;
    snprintf(p, sizeof p,
             "{\"assessment_id\":\"A.%s\",\"date\":\"%s\",\"child_seen\":true,\"child_seen_date\":"
             "\"%s\",\"views\":\"v\",\"analysis\":\"a\",\"outcome\":\"other_services\"}",
             c, done, r);
    sub(actor, "assessment_completed", p);
}

static void conference(const char *c, const char *id, const char *kind, const char *decision,
                       const char *date)
{
    char p[400];
    snprintf(p, sizeof p,
             "{\"conference_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"kind\":\"%s\","
             "\"decision\":\"%s\"%s}",
             id, c, date, kind, decision,
             !strcmp(decision, "register") ? ",\"category\":\"neglect\"" : "");
    sub("sw.b", "conference_held", p);
}

static void looked_after(const char *c, const char *date)
{
    char p[300];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"placement_id\":\"P.%s.0\","
             "\"placement_type\":\"foster\"}",
             c, date, c);
    sub("sw.b", "looked_after_started", p);
}

static void moved(const char *c, int n, const char *date)
{
    char p[300];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"placement_id\":\"P.%s.%d\","
             "\"placement_type\":\"foster\"}",
             c, date, c, n);
    sub("sw.b", "placement_changed", p);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-measures-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "measures.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_rules_load_builtin("wales", &F.pack, &F.err) ||
        cw_measures_load_builtin(F.pack, &F.m, &F.err) || cw_calendar_load_default(&F.cal, &F.err))
        return -1;
    sub("admin", "team_created",
        "{\"team_id\":\"T1\",\"name\":\"One\",\"service_area\":\"North\"}");
    sub("admin", "team_created",
        "{\"team_id\":\"T2\",\"name\":\"Two\",\"service_area\":\"South\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"A\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.b\",\"name\":\"B\",\"role\":\"social_worker\",\"team_id\":\"T2\","
        "\"manager_id\":\"tm.1\"}");

    /* PM24. Referred Friday 19 December 2025: the 42nd working day after it, skipping
     * Christmas Day, Boxing Day and New Year's Day, is Friday 20 February 2026 (without the
     * three bank holidays it would be Tuesday 17 February). */
    child("A", "sw.a", "2025-12-01");
    assessment("A", "2025-12-19", "2026-02-20", "sw.a"); /* on time: the 42nd working day */
    child("B", "sw.a", "2025-12-01");
    assessment("B", "2025-12-19", "2026-02-23", "sw.a"); /* late: the 43rd */
    child("C", "sw.b", "2026-02-01");
    assessment("C", "2026-02-20", "2026-04-01", "sw.a"); /* completed after the period */
    child("D", "sw.b", "2025-03-01");
    assessment("D", "2025-03-03", "2025-03-31", "sw.a"); /* completed before it */

    /* PM27 and PM28. E: registered, deregistered 10 January 2025, registered again 1 September
     * 2025, within 12 months: a re-registration. F: deregistered 1 January 2024, registered
     * again 1 June 2025, more than 12 months later. G: registered 1 May 2025 for the first
     * time, deregistered 1 August 2025: 92 days on the register. (M, below: 0 days.) */
    child("E", "sw.b", "2024-05-01");
    conference("E", "E.1", "initial", "register", "2024-06-01");
    conference("E", "E.2", "review", "deregister", "2025-01-10");
    conference("E", "E.3", "initial", "register", "2025-09-01");
    child("F", "sw.b", "2022-12-01");
    conference("F", "F.1", "initial", "register", "2023-01-01");
    conference("F", "F.2", "review", "deregister", "2024-01-01");
    conference("F", "F.3", "initial", "register", "2025-06-01");
    child("G", "sw.b", "2025-04-01");
    conference("G", "G.1", "initial", "register", "2025-05-01");
    conference("G", "G.2", "review", "deregister", "2025-08-01");
    /* M: registered and deregistered on the same day, 2 February 2026: 0 days (it counts as
     * a registration of no length, not of one day). */
    child("M", "sw.b", "2026-01-05");
    conference("M", "M.1", "initial", "register", "2026-02-02");
    conference("M", "M.2", "review", "deregister", "2026-02-02");

    /* PM25, PM26, PM33. H: looked after since January 2024, moved twice in the year (three
     * placements), with a plan. I: looked after from June 2025, moved once. J: looked after,
     * returned home 1 July 2025. K: a care and support plan, living at home. */
    child("H", "sw.b", "2023-12-01");
    looked_after("H", "2024-01-01");
    sub("sw.b", "plan_recorded",
        "{\"plan_id\":\"PL.H\",\"child_id\":\"H\",\"date\":\"2024-01-02\",\"kind\":\"looked_"
        "after\"}");
    moved("H", 1, "2025-05-01");
    moved("H", 2, "2025-09-01");
    child("I", "sw.b", "2025-05-01");
    looked_after("I", "2025-06-01");
    moved("I", 1, "2025-10-01");
    child("J", "sw.b", "2024-01-01");
    looked_after("J", "2024-02-01");
    sub("sw.b", "looked_after_ended",
        "{\"child_id\":\"J\",\"date\":\"2025-07-01\",\"reason\":\"returned_home\"}");
    child("K", "sw.b", "2025-04-01");
    sub("sw.b", "plan_recorded",
        "{\"plan_id\":\"PL.K\",\"child_id\":\"K\",\"date\":\"2025-05-01\",\"kind\":\"care_and_"
        "support\"}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cw_measures_free(F.m);
    cw_rules_free(F.pack);
    cw_calendar_release(&F.cal);
    cw_ledger_close(F.l);
    rm_rf(F.dir);
    return 0;
}

static json_t *figures(const char *team, const char *area)
{
    cw_measures_query q = {0, 0, team, area, -1};
    assert_int_equal(cw_measures_period("fy2025", &q.from, &q.to, &F.err), CW_OK);
    json_t *report = NULL;
    cw_rc rc = cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &report, NULL, &F.err);
    if (rc)
        fail_msg("measures: %s", F.err.msg);
    return report;
}

static json_t *measure(const json_t *report, const char *id)
{
    json_t *arr = json_object_get(report, "measures");
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(arr, i), "id")), id))
            return json_array_get(arr, i);
    fail_msg("no measure %s", id);
    return NULL;
}

static void expect(const json_t *report, const char *id, long num, long den, double value)
{
    const json_t *m = measure(report, id);
    long n = (long)json_integer_value(json_object_get(m, "numerator"));
    long d = (long)json_integer_value(json_object_get(m, "denominator"));
    if (n != num || d != den)
        fail_msg("%s: %ld / %ld, expected %ld / %ld", id, n, d, num, den);
    const json_t *v = json_object_get(m, "value");
    if (value == -1)
        assert_true(json_is_null(v));
    else if (value == -2)
        assert_true(json_is_integer(v));
    else
        assert_float_equal(json_real_value(v), value, 1e-9);
}

static void test_hand_computed(void **state)
{
    (void)state;
    json_t *r = figures(NULL, NULL);
    expect(r, "PM24", 1, 2, 50.0);
    json_t *def = cw_measures_definition(F.m, (size_t)cw_measures_find(F.m, "PM24"));
    assert_float_equal(json_real_value(json_object_get(json_object_get(def, "target"), "value")),
                       90.0, 1e-9);
    json_decref(def);
    expect(r, "CH012", 1, 2, -2); /* a count: its value is the numerator */
    assert_int_equal(json_integer_value(json_object_get(measure(r, "CH012"), "value")), 1);
    expect(r, "PM27", 1, 4, 25.0);
    expect(r, "PM28", 92, 2, 46.0);
    expect(r, "PM33", 1, 2, 50.0);
    expect(r, "PM26", 1, 3, 33.3);
    expect(r, "PM25", 1, 2, 50.0);
    /* B's late assessment is in the breakdown. */
    const json_t *b = json_object_get(measure(r, "PM24"), "breakdown");
    assert_int_equal(json_integer_value(json_object_get(b, "late")), 1);
    assert_int_equal(json_integer_value(json_object_get(b, "on_time")), 1);
    json_decref(r);
}

static void test_period_edges(void **state)
{
    (void)state;
    /* The same log, the period moved: D's assessment (31 March 2025) is the last day of
     * 2024-25 and C's (1 April 2026) the first of 2026-27. */
    cw_measures_query q = {0, 0, NULL, NULL, -1};
    json_t *r = NULL;
    assert_int_equal(cw_measures_period("fy2024", &q.from, &q.to, &F.err), CW_OK);
    assert_int_equal(cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &r, NULL, &F.err), CW_OK);
    expect(r, "PM24", 1, 1, 100.0);
    json_decref(r);
    assert_int_equal(cw_measures_period("fy2026", &q.from, &q.to, &F.err), CW_OK);
    assert_int_equal(cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &r, NULL, &F.err), CW_OK);
    /* C: referred 20 February 2026, completed 1 April: 27 working days later (Good Friday
     * and Easter Monday 2026 fall after it), on time. */
    expect(r, "PM24", 1, 1, 100.0);
    json_decref(r);
    /* A quarter and a month. */
    assert_int_equal(cw_measures_period("2025-q4", &q.from, &q.to, &F.err), CW_OK);
    char a[11], b[11];
    cw_date_format(q.from, a);
    cw_date_format(q.to, b);
    assert_string_equal(a, "2026-01-01");
    assert_string_equal(b, "2026-03-31");
    assert_int_equal(cw_measures_period("2024-02", &q.from, &q.to, &F.err), CW_OK);
    cw_date_format(q.to, b);
    assert_string_equal(b, "2024-02-29");
    assert_int_equal(cw_measures_period("2025-13", &q.from, &q.to, &F.err), CW_EINVAL);
    assert_non_null(strstr(F.err.msg, "fy2025"));
}

static void test_teams_and_areas(void **state)
{
    (void)state;
    /* A and B are sw.a's (team T1, area North): the assessments are T1's. */
    json_t *r = figures("T1", NULL);
    expect(r, "PM24", 1, 2, 50.0);
    expect(r, "PM27", 0, 0, -1);
    assert_string_equal(json_string_value(json_object_get(r, "team")), "T1");
    json_decref(r);
    r = figures(NULL, "South");
    expect(r, "PM24", 0, 0, -1);
    expect(r, "PM27", 1, 4, 25.0);
    json_decref(r);
    cw_measures_query q = {0, 0, "T9", NULL, -1};
    cw_measures_period("fy2025", &q.from, &q.to, &F.err);
    json_t *none = NULL;
    assert_int_equal(cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &none, NULL, &F.err),
                     CW_ENOTFOUND);
    assert_non_null(strstr(F.err.msg, "no team T9"));
}

static void test_drill_down(void **state)
{
    (void)state;
    cw_measures_query q = {0, 0, NULL, NULL, cw_measures_find(F.m, "PM24")};
    cw_measures_period("fy2025", &q.from, &q.to, &F.err);
    json_t *r = NULL;
    cw_measures_result *res = NULL;
    assert_int_equal(cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &r, &res, &F.err), CW_OK);
    const cw_measure_item *items;
    size_t n = cw_measures_items(res, &items);
    assert_int_equal(n, 2);
    int seen_a = 0, seen_b = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(items[i].child_id, "A"))
            seen_a = items[i].in_numerator && !strcmp(items[i].state, "on_time") &&
                     items[i].nentries == 2;
        if (!strcmp(items[i].child_id, "B"))
            seen_b = !items[i].in_numerator && !strcmp(items[i].state, "late");
    }
    assert_true(seen_a && seen_b);
    cw_measures_result_free(res);
    json_decref(r);
}

static void test_counted_from_sign_off(void **state)
{
    (void)state;
    /* From here on an assessment awaits a manager's sign-off. L's, completed on the 42nd
     * working day (20 February 2026) and signed off on the 44th (24 February), is late: work
     * counts from the day it was signed off. */
    int recorded = 0;
    assert_int_equal(
        cw_casework_adopt_policy(F.l, "assessment_completed", "system:policy", &recorded, &F.err),
        CW_OK);
    assert_true(recorded);
    child("L", "sw.a", "2025-12-01");
    assessment("L", "2025-12-19", "2026-02-20", "sw.a");
    json_t *r = figures(NULL, NULL);
    expect(r, "PM24", 1, 2, 50.0); /* awaiting sign-off: not counted yet */
    json_decref(r);
    char p[200];
    snprintf(p, sizeof p, "{\"entry\":%llu,\"date\":\"2026-02-24\"}",
             (unsigned long long)(cw_ledger_size(F.l) - 1));
    sub("tm.1", "work_signed_off", p);
    r = figures(NULL, NULL);
    expect(r, "PM24", 1, 3, 33.3);
    json_decref(r);
}

static void diff(void *ctx, const char *id, const char *what, const char *reported,
                 const char *recomputed)
{
    char *out = ctx;
    snprintf(out + strlen(out), 512 - strlen(out), "%s %s %s %s;", id, what, reported, recomputed);
}

static void test_recomputed_from_export(void **state)
{
    (void)state;
    char exp[128];
    snprintf(exp, sizeof exp, "%s/export", F.dir);
    uint64_t size;
    assert_int_equal(cw_ledger_export(F.l, exp, &size, &F.err), CW_OK);
    json_t *r = figures(NULL, NULL);
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    assert_int_equal(cw_measures_sign(F.db, r, &note, &F.err), CW_OK);
    cw_measures_check c;
    char diffs[512] = "";
    cw_rc rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), diff, diffs,
                                     &c, &F.err);
    if (rc)
        fail_msg("recompute: %s (%s)", F.err.msg, diffs);
    assert_int_equal(c.differences, 0);
    assert_int_equal(c.figures, cw_measures_count(F.m));

    /* One digit changed and the report signed again with the log's own key (a council
     * re-signing its figures): the recomputation names the measure and both values. */
    json_t *pm24 = measure(r, "PM24");
    json_object_set_new(pm24, "numerator", json_integer(2));
    cw_buf_reset(&note);
    assert_int_equal(cw_measures_sign(F.db, r, &note, &F.err), CW_OK);
    rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), diff, diffs, &c,
                               &F.err);
    if (rc != CW_EVERIFY)
        fail_msg("recompute of a changed report: %d %s", rc, F.err.msg);
    assert_int_equal(c.differences, 1);
    assert_non_null(strstr(diffs, "PM24 numerator 2 1;"));

    /* The right PM24 kept and a second, wrong one added; or a figure of its own beside the
     * measures: both re-signed with the log's key, both refused. */
    json_object_set_new(pm24, "numerator", json_integer(1));
    json_t *twice = json_deep_copy(r), *extra = json_deep_copy(r);
    json_t *wrong = json_deep_copy(measure(r, "PM24"));
    json_object_set_new(wrong, "numerator", json_integer(2));
    json_array_append_new(json_object_get(twice, "measures"), wrong);
    json_object_set_new(extra, "summary", json_string("every assessment on time"));
    json_t *bad[] = {twice, extra};
    for (int k = 0; k < 2; k++) {
        cw_buf_reset(&note);
        diffs[0] = '\0';
        assert_int_equal(cw_measures_sign(F.db, bad[k], &note, &F.err), CW_OK);
        rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), diff, diffs,
                                   &c, &F.err);
        if (rc != CW_EVERIFY)
            fail_msg("a report with %s passed verification",
                     k ? "a member of its own" : "a measure twice");
        assert_non_null(strstr(diffs, k ? "(report) summary" : "(report) measures (how many)"));
        json_decref(bad[k]);
    }
    json_object_set_new(pm24, "numerator", json_integer(2));
    cw_buf_reset(&note);
    assert_int_equal(cw_measures_sign(F.db, r, &note, &F.err), CW_OK);

    /* A byte of the signed text changed: the signature fails. */
    char *digit = strstr(note.data, "\"numerator\":2");
    assert_non_null(digit);
    digit[12] = '3';
    rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), NULL, NULL, &c,
                               &F.err);
    assert_int_equal(rc, CW_EVERIFY);
    assert_non_null(strstr(F.err.msg, "not signed by the log's key"));
    cw_buf_release(&note);
    json_decref(r);
}

static void test_export_without_the_checkpoint(void **state)
{
    (void)state;
    /* A report of the log as it is now, against an export taken before its last entries: the
     * export does not hold the report's checkpoint. */
    char exp[128];
    snprintf(exp, sizeof exp, "%s/old", F.dir);
    uint64_t size;
    assert_int_equal(cw_ledger_export(F.l, exp, &size, &F.err), CW_OK);
    sub("sw.b", "case_note", "{\"child_id\":\"K\",\"date\":\"2026-01-05\",\"text\":\"t\"}");
    json_t *r = figures(NULL, NULL);
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    assert_int_equal(cw_measures_sign(F.db, r, &note, &F.err), CW_OK);
    cw_measures_check c;
    cw_rc rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), NULL, NULL,
                                     &c, &F.err);
    assert_int_equal(rc, CW_EVERIFY);
    assert_non_null(strstr(F.err.msg, "fewer than"));
    cw_buf_release(&note);
    json_decref(r);
}

/* Definitions that are wrong are refused whole, naming the line. */
static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text, *error;
    } cases[] = {
        {"measure X\n", "t:1: the first line must be \"measures NAME\""},
        {"measures england\n", "t:1: measures england: these must be measures for the wales pack"},
        {"measures wales\nmeasure PM1\n  title T\n  unit percent\n  source S\n",
         "t:2: measure PM1 needs a title, a unit, a source and a count line"},
        {"measures wales\nmeasure PM1\n  count obligations nosuch met\n",
         "t:3: the wales pack has no rule \"nosuch\""},
        {"measures wales\nmeasure PM1\n  count obligations drift met\n",
         "t:3: drift is a signal, not an obligation"},
        {"measures wales\nmeasure PM1\n  count events referal_received\n",
         "t:3: unknown event type \"referal_received\""},
        {"measures wales\nmeasure PM1\n  count events conference_held decision=regster\n",
         "t:3: \"regster\" is not a value of conference_held.decision"},
        {"measures wales\nmeasure PM1\n  count events conference_held\n  numerator after "
         "conference_held within 12 fortnights\n",
         "t:4: \"fortnights\" is not a unit"},
        {"measures wales\nmeasure PM1\n  count spans registered ended\n",
         "t:3: no state \"registered\" is defined above this line"},
        {"measures wales\nmeasure PM1\n  title T\n  unit percent\n  source S\n  count "
         "obligations assessment met\n",
         "t:2: measure PM1: a percentage or a count needs a numerator line"},
        {"measures wales\nmeasure PM1\n  count obligations assessment met\n  numerator quick\n",
         "t:4: \"quick\" is not a state"},
        {"measures wales\nmeasure PM1\n  tittle T\n", "t:3: unknown keyword \"tittle\""},
        /* title_cy, the title in Welsh: once, and only in a state or a measure */
        {"measures wales\ntitle_cy Teitl\n",
         "t:2: unknown keyword \"title_cy\" before the first state or measure"},
        {"measures wales\nmeasure PM1\n  title_cy Un\n  title_cy Dau\n",
         "t:4: a second title_cy line"},
        {"measures wales\nstate s\n  title_cy Un\n  title_cy Dau\n", "t:4: a second title_cy line"},
        {"measures wales\nmeasure PM1\n  title_cy \n", "t:3: title_cy: empty"},
        {"measures wales\ndescription_cy Un\ndescription_cy Dau\n",
         "t:3: a second description_cy line"},
        {"measures wales\nmeasure PM1\n  target 90\n",
         "t:3: target: a value, then higher or lower"},
        {"measures wales\nmeasure PM1\n  target 9.55 higher\n",
         "t:3: target: \"9.55\" is not a number with at most one decimal place"},
        {"measures wales\nmeasure PM1\n  count events referral_decided source=school\n",
         "t:3: referral_decided.source: a measure reads an event's own recorded fields"},
        {"measures wales\nstate s\n  title x\n  from staff_added\n",
         "t:4: staff_added is an organisation event"},
        {"measures wales\nmeasure PM1\n  title T\n  unit percent\n  source S\n  count events "
         "referral_received\n  numerator after referral_received ever\nmeasure PM1\n",
         "t:8: a second measure \"PM1\""},
        /* the Active Offer's extensions: a child line, several event types, where */
        {"measures wales\nmeasure PM1\n  child nosuch=1\n",
         "t:3: child_registered has no field \"nosuch\""},
        {"measures wales\nmeasure PM1\n  child language=klingon\n",
         "t:3: \"klingon\" is not a value of child_registered.language"},
        {"measures wales\nmeasure PM1\n  child given_name=Ela\n",
         "t:3: child_registered.given_name is not a yes/no, a choice or a number"},
        {"measures wales\nmeasure PM1\n  child\n", "t:3: child: at least one condition"},
        {"measures wales\nmeasure PM1\n  child language=welsh\n  child language=other\n",
         "t:4: a second child line"},
        {"measures wales\nmeasure PM1\n  count events statutory_visit or\n",
         "t:3: expected an event type"},
        {"measures wales\nmeasure PM1\n  count events statutory_visit or statutory_visit\n",
         "t:3: count events: statutory_visit twice"},
        {"measures wales\nmeasure PM1\n  count events statutory_visit or case_note\n"
         "  numerator where service_language=welsh\n",
         "t:4: case_note has no field \"service_language\""},
        {"measures wales\nmeasure PM1\n  count events statutory_visit\n  numerator where\n",
         "t:4: numerator: where COND...: at least one condition"},
        {"measures wales\nmeasure PM1\n  count events statutory_visit\n"
         "  numerator where service_language=cymraeg\n",
         "t:4: \"cymraeg\" is not a value of statutory_visit.service_language"},
        {"measures wales\nmeasure PM1\n  count obligations assessment met\n"
         "  numerator where service_language=welsh\n",
         "t:4: \"where\" is not a state"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_measure_set *m = NULL;
        cw_error err = {0};
        cw_rc rc = cw_measures_load(cases[i].text, strlen(cases[i].text), "t", F.pack, &m, &err);
        if (rc == CW_OK || !strstr(err.msg, cases[i].error))
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, rc ? err.msg : "(loaded)",
                     cases[i].error);
        assert_null(m);
    }
}

/* A correction moves B's completion to the 42nd working day: the figure moves with it, and
 * the recomputation from an export made after it agrees. */
static void test_corrected_and_recomputed(void **state)
{
    (void)state;
    json_t *r = figures(NULL, NULL);
    json_int_t before = json_integer_value(json_object_get(measure(r, "PM24"), "numerator"));
    json_decref(r);
    /* B's assessment_completed: the entry of type assessment_completed about child B */
    char p[300];
    uint64_t target = 0;
    for (uint64_t i = 0; i < cw_ledger_size(F.l) && !target; i++) {
        cw_buf leaf = CW_BUF_INIT(1 << 20);
        if (cw_ledger_leaf(F.l, i, &leaf, &F.err) == CW_OK &&
            strstr(leaf.data, "\"type\":\"assessment_completed\"") &&
            strstr(leaf.data, "\"assessment_id\":\"A.B\""))
            target = i;
        cw_buf_release(&leaf);
    }
    assert_true(target > 0);
    snprintf(p, sizeof p,
             "{\"corrects\":%llu,\"reason\":\"Typed the wrong date\",\"changes\":{\"date\":"
             "\"2026-02-20\"}}",
             (unsigned long long)target);
    sub("sw.a", "correction", p);
    r = figures(NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(measure(r, "PM24"), "numerator")),
                     before + 1);
    char exp[128];
    snprintf(exp, sizeof exp, "%s/corrected", F.dir);
    uint64_t size;
    assert_int_equal(cw_ledger_export(F.l, exp, &size, &F.err), CW_OK);
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    assert_int_equal(cw_measures_sign(F.db, r, &note, &F.err), CW_OK);
    cw_measures_check c;
    char diffs[512] = "";
    cw_rc rc = cw_measures_recompute(exp, note.data, note.len, cw_ledger_verifier(F.l), diff, diffs,
                                     &c, &F.err);
    if (rc)
        fail_msg("recompute after a correction: %s (%s)", F.err.msg, diffs);
    cw_buf_release(&note);
    json_decref(r);
}

/* A child registered with the given language, allocated to worker on since; returns the
 * registration's entry. */
static uint64_t child_lang(const char *id, const char *worker, const char *since,
                           const char *language)
{
    char p[512];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"given_name\":\"A\",\"family_name\":\"B\","
             "\"date_of_birth\":\"2012-05-05\",\"gender\":\"male\",\"language\":\"%s\"}",
             id, since, language);
    uint64_t reg = sub("tm.1", "child_registered", p);
    snprintf(p, sizeof p, "{\"child_id\":\"%s\",\"worker_id\":\"%s\",\"date\":\"%s\"}", id, worker,
             since);
    sub("tm.1", "case_allocated", p);
    return reg;
}

/* A statutory visit; extra: more fields (",\"service_language\":\"welsh\"", say) or "". */
static void visit(const char *c, const char *date, const char *extra)
{
    char p[400];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"seen\":true,\"seen_alone\":true,"
             "\"views\":\"v\"%s}",
             c, date, extra);
    sub("sw.c", "statutory_visit", p);
}

/*
 * The Active Offer measures (rules/wales.measures, docs/measures.md): of the visits and
 * assessments dated in the period for children whose language is Welsh, the share carried
 * out in Welsh or bilingually (AO.service_in_welsh) and the share where the offer was made
 * (AO.offer_made). Team T3's own children, so the fixture's are not counted:
 *   W1 (Welsh): visits before the period and after it (not counted); in the period a visit in
 *     Welsh with the offer made, one in English without it, one recording neither, a needs
 *     assessment carried out bilingually with the offer made, and an assessment in Welsh with
 *     the offer made, which counts only once signed off;
 *   E1 (English): a visit in Welsh with the offer made: not counted (not a Welsh speaker);
 *   W2: registered as English and corrected to Welsh: its visit in English, offer made, is
 *     counted once the correction says so.
 */
static void test_active_offer(void **state)
{
    (void)state;
    sub("admin", "team_created", "{\"team_id\":\"T3\",\"name\":\"Three\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.c\",\"name\":\"C\",\"role\":\"social_worker\",\"team_id\":\"T3\","
        "\"manager_id\":\"tm.1\"}");
    child_lang("W1", "sw.c", "2025-03-01", "welsh");
    visit("W1", "2025-03-20", ",\"service_language\":\"welsh\",\"active_offer_made\":true");
    visit("W1", "2025-05-01", ",\"service_language\":\"welsh\",\"active_offer_made\":true");
    visit("W1", "2025-06-01", ",\"service_language\":\"english\",\"active_offer_made\":false");
    visit("W1", "2025-07-01", "");
    visit("W1", "2026-04-02", ",\"service_language\":\"welsh\",\"active_offer_made\":true");
    sub("sw.c", "needs_assessment_completed",
        "{\"child_id\":\"W1\",\"date\":\"2025-08-01\",\"views\":\"v\","
        "\"service_language\":\"bilingual\",\"active_offer_made\":true}");
    sub("sw.c", "referral_received",
        "{\"referral_id\":\"R.W1\",\"child_id\":\"W1\",\"date\":\"2025-09-01\","
        "\"source\":\"school\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"R.W1\",\"date\":\"2025-09-01\",\"decision\":\"assessment\"}");
    sub("sw.c", "assessment_started",
        "{\"assessment_id\":\"A.W1\",\"child_id\":\"W1\",\"date\":\"2025-09-01\","
        "\"referral_id\":\"R.W1\"}");
    uint64_t done = sub("sw.c", "assessment_completed",
                        "{\"assessment_id\":\"A.W1\",\"date\":\"2025-10-01\",\"child_seen\":true,"
                        "\"child_seen_date\":\"2025-09-10\",\"views\":\"v\",\"analysis\":\"a\","
                        "\"outcome\":\"other_services\",\"service_language\":\"welsh\","
                        "\"active_offer_made\":true}");
    child_lang("E1", "sw.c", "2025-03-01", "english");
    visit("E1", "2025-05-01", ",\"service_language\":\"welsh\",\"active_offer_made\":true");
    uint64_t reg = child_lang("W2", "sw.c", "2025-03-01", "english");
    visit("W2", "2025-05-02", ",\"service_language\":\"english\",\"active_offer_made\":true");

    /* W1's visits in the period and the needs assessment; the assessment awaits sign-off. */
    json_t *r = figures("T3", NULL);
    expect(r, "AO.service_in_welsh", 2, 4, 50.0);
    expect(r, "AO.offer_made", 2, 4, 50.0);
    json_decref(r);

    char p[300];
    snprintf(p, sizeof p,
             "{\"corrects\":%llu,\"reason\":\"Language recorded wrongly\",\"changes\":"
             "{\"language\":\"welsh\"}}",
             (unsigned long long)reg);
    sub("tm.1", "correction", p);
    r = figures("T3", NULL);
    expect(r, "AO.service_in_welsh", 2, 5, 40.0);
    expect(r, "AO.offer_made", 3, 5, 60.0);
    json_decref(r);

    snprintf(p, sizeof p, "{\"entry\":%llu,\"date\":\"2025-10-03\"}", (unsigned long long)done);
    sub("tm.1", "work_signed_off", p);
    r = figures("T3", NULL);
    expect(r, "AO.service_in_welsh", 3, 6, 50.0);
    expect(r, "AO.offer_made", 4, 6, 66.7);
    json_decref(r);

    /* The items behind the figure: W1's five and W2's one, the ones in Welsh marked. */
    cw_measures_query q = {0, 0, "T3", NULL, cw_measures_find(F.m, "AO.service_in_welsh")};
    cw_measures_period("fy2025", &q.from, &q.to, &F.err);
    cw_measures_result *res = NULL;
    assert_int_equal(cw_measures_report(F.l, F.m, F.pack, &F.cal, &q, &r, &res, &F.err), CW_OK);
    const cw_measure_item *items;
    size_t n = cw_measures_items(res, &items);
    assert_int_equal(n, 6);
    int w1 = 0, w2 = 0, in_welsh = 0;
    for (size_t i = 0; i < n; i++) {
        w1 += !strcmp(items[i].child_id, "W1");
        w2 += !strcmp(items[i].child_id, "W2");
        in_welsh += items[i].in_numerator && !strcmp(items[i].state, "where");
    }
    assert_int_equal(w1, 5);
    assert_int_equal(w2, 1);
    assert_int_equal(in_welsh, 3);
    cw_measures_result_free(res);
    json_decref(r);

    /* The definition says whose: the child line is part of what is counted. */
    json_t *def = cw_measures_definition(F.m, (size_t)cw_measures_find(F.m, "AO.offer_made"));
    const char *counted = json_string_value(json_object_get(def, "counted"));
    assert_non_null(strstr(counted, "statutory_visit or assessment_completed or "
                                    "needs_assessment_completed events dated in the period"));
    assert_non_null(strstr(counted, "language=welsh"));
    json_decref(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_period_edges),
        cmocka_unit_test(test_teams_and_areas),
        cmocka_unit_test(test_drill_down),
        cmocka_unit_test(test_recomputed_from_export),
        cmocka_unit_test(test_counted_from_sign_off),
        cmocka_unit_test(test_export_without_the_checkpoint),
        cmocka_unit_test(test_corrected_and_recomputed),
        cmocka_unit_test(test_active_offer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
