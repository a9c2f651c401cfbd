/*
 * rules_test.c — tests of rules/rules.h: the rule-pack format and its
 * refusals, the two built-in packs (rules/wales.rules, rules/england.rules),
 * and the engine's obligations and signals on hand-built histories.
 *
 * Every rule in both packs has a worked example below. Each names the source
 * its pack gives for the timescale, and counts the due date by hand in a
 * comment, on the England and Wales working-day calendar: working days are
 * counted after the starting event (day 0), skipping weekends and bank
 * holidays, including the moved and one-off days (Fri 8 May 2020, Mon 30 May
 * 2022 a working day, Thu 2 and Fri 3 June 2022, Mon 19 Sep 2022, Mon 8 May
 * 2023); "N months" lands on the same day of the month or the month's last
 * day (30 Nov + 3 months = 28 Feb 2023, 29 Feb 2024).
 *
 * test_pack_rule_ids pins the list of rules in each pack, so a rule added
 * without a worked example here fails the suite.
 *
 * Histories carry ledger indexes 1000 + 7 * position, so a mix-up between a
 * position in the history and a ledger index shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"
#include "rules/rules_int.h"
#include "util/calendar.h"
#include "util/date.h"

static cw_calendar cal;
static cw_rule_pack *wales, *england;
static cw_rule_results res;

/* ---------------------------------------------------------------------- */
/* Building histories                                                      */

#define MAXEV 256

typedef struct hist {
    cw_case_event ev[MAXEV];
    char *own[MAXEV]; /* the payloads as facts, to release */
    size_t n;
} hist;

static cw_date D(const char *s)
{
    cw_date d = 0;
    if (cw_date_parse(s, strlen(s), &d))
        fail_msg("bad date in test: %s", s);
    return d;
}

static char *S(cw_date d)
{
    static char buf[4][CW_DATE_LEN + 1];
    static int k;
    k = (k + 1) % 4;
    cw_date_format(d, buf[k]);
    return buf[k];
}

/* Closing events and supervision carry no child_id of their own. */
static int has_child_id(const char *type)
{
    static const char *const none[] = {"referral_decided", "assessment_completed",
                                       "section_47_completed", "supervision_held", NULL};
    for (size_t i = 0; none[i]; i++)
        if (!strcmp(none[i], type))
            return 0;
    return 1;
}

/* Appends an event (dates must not go backwards); returns its ledger index.
 * The payload (from json_pack) gets its "date" and, where the event has one,
 * "child_id": "C1". The history keeps it as facts and releases the payload. */
static uint64_t add(hist *h, const char *type, const char *date, json_t *payload)
{
    assert_non_null(payload);
    assert_true(h->n < MAXEV);
    if (h->n)
        assert_true(h->ev[h->n - 1].date <= D(date));
    json_object_set_new(payload, "date", json_string(date));
    if (has_child_id(type) && !json_object_get(payload, "child_id"))
        json_object_set_new(payload, "child_id", json_string("C1"));
    cw_case_event *e = &h->ev[h->n];
    e->index = 1000 + 7 * (uint64_t)h->n;
    e->type = type;
    e->date = D(date);
    cw_buf f = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_facts_encode(payload, NULL, NULL, &f), CW_OK);
    json_decref(payload);
    e->facts.p = (const uint8_t *)(h->own[h->n] = cw_buf_detach(&f, &e->facts.len));
    h->n++;
    return e->index;
}

#define EMPTY json_object()

static void done(hist *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->own[i]);
    h->n = 0;
}

static void run(const cw_rule_pack *p, const hist *h, const char *as_of)
{
    cw_child_history ch = {"C1", D("2008-04-01"), h->ev, h->n};
    cw_error err;
    cw_error_clear(&err);
    cw_rule_results_reset(&res);
    cw_rc rc = cw_rules_evaluate(p, &cal, &ch, D(as_of), &res, &err);
    if (rc)
        fail_msg("evaluate: %s", err.msg);
}

static size_t nob(const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < res.nobligations; i++)
        n += !strcmp(res.obligations[i].rule_id, rule);
    return n;
}

/* The i-th obligation of a rule, in the order the engine reported them (for
 * one instance, the order of its occurrences). */
static const cw_obligation *ob(const char *rule, size_t i)
{
    for (size_t k = 0; k < res.nobligations; k++)
        if (!strcmp(res.obligations[k].rule_id, rule) && i-- == 0)
            return &res.obligations[k];
    fail_msg("no obligation %s #%zu", rule, i);
    abort(); /* not reached: fail_msg does not return */
}

/* The obligation of a rule started by the event with ledger index `by`. */
static const cw_obligation *ob_by(const char *rule, uint64_t by)
{
    for (size_t k = 0; k < res.nobligations; k++)
        if (!strcmp(res.obligations[k].rule_id, rule) && res.obligations[k].started_by == by)
            return &res.obligations[k];
    fail_msg("no obligation %s started by %llu", rule, (unsigned long long)by);
    abort(); /* not reached */
}

static const cw_signal *sig(const char *rule)
{
    const cw_signal *found = NULL;
    for (size_t k = 0; k < res.nsignals; k++)
        if (!strcmp(res.signals[k].rule_id, rule)) {
            assert_null(found); /* at most one per rule per child */
            found = &res.signals[k];
        }
    return found;
}

/* The signal of a rule, which must have been raised. */
static const cw_signal *must_sig(const char *rule)
{
    const cw_signal *s = sig(rule);
    if (!s) {
        fail_msg("no signal %s", rule);
        abort(); /* not reached */
    }
    return s;
}

/* Checks state, due date, met date (NULL when not met) and days overdue. */
static void check(const cw_obligation *o, cw_obligation_state st, const char *due,
                  const char *met_on, int64_t days)
{
    assert_non_null(o);
    if (o->state != st)
        fail_msg("%s due %s: state %s, expected %s", o->rule_id, S(o->due),
                 cw_obligation_state_name(o->state), cw_obligation_state_name(st));
    assert_string_equal(S(o->due), due);
    assert_int_equal(o->met, met_on != NULL);
    if (met_on)
        assert_string_equal(S(o->met_on), met_on);
    assert_int_equal(o->days_overdue, days);
}

static void check_escalation(int level, const char *to, int want_level, const char *want_to)
{
    assert_int_equal(level, want_level);
    if (want_to)
        assert_string_equal(to, want_to);
    else
        assert_null(to);
}

static int has_evidence(const cw_signal *s, uint64_t index)
{
    for (size_t i = 0; i < s->nevidence; i++)
        if (s->evidence[i] == index)
            return 1;
    return 0;
}

/* Event shorthands. */
static uint64_t referral(hist *h, const char *date, const char *id)
{
    return add(h, "referral_received", date,
               json_pack("{s:s,s:s,s:s}", "referral_id", id, "source", "school", "reason", "r"));
}

static uint64_t decided(hist *h, const char *date, const char *id, const char *decision)
{
    return add(
        h, "referral_decided", date,
        json_pack("{s:s,s:s,s:s}", "referral_id", id, "decision", decision, "decided_by", "tm.a"));
}

static uint64_t conference(hist *h, const char *date, const char *kind, const char *decision)
{
    static int n;
    char id[32];
    snprintf(id, sizeof id, "CF%d", ++n);
    json_t *p = json_pack("{s:s,s:s,s:s}", "conference_id", id, "kind", kind, "decision", decision);
    if (!strcmp(decision, "register"))
        json_object_set_new(p, "category", json_string("neglect"));
    return add(h, "conference_held", date, p);
}

static uint64_t visit(hist *h, const char *date, int seen, int alone, int views)
{
    json_t *p = json_pack("{s:b,s:b}", "seen", seen, "seen_alone", alone);
    if (views)
        json_object_set_new(p, "views", json_string("Likes school."));
    else
        json_object_set_new(p, "views_not_obtained_reason", json_string("Asleep."));
    return add(h, "statutory_visit", date, p);
}

static uint64_t looked_after(hist *h, const char *date, int until_18)
{
    json_t *p = json_pack("{s:s,s:s}", "placement_id", "P1", "placement_type", "foster");
    if (until_18)
        json_object_set_new(p, "until_18", json_true());
    return add(h, "looked_after_started", date, p);
}

/* A CSE risk assessment with the given numbers of each kind of item. */
static uint64_t cse(hist *h, const char *date, int vul, int mod, int sig_, const char *override)
{
    json_t *a[3] = {json_array(), json_array(), json_array()};
    int n[3] = {vul, mod, sig_};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n[k]; i++) {
            char id[16];
            snprintf(id, sizeof id, "i%d_%d", k, i);
            json_array_append_new(a[k], json_string(id));
        }
    json_t *p = json_pack("{s:o,s:o,s:o}", "vulnerabilities", a[0], "moderate_indicators", a[1],
                          "significant_indicators", a[2]);
    if (override) {
        json_object_set_new(p, "override_band", json_string(override));
        json_object_set_new(p, "override_reason", json_string("Professional judgement."));
    }
    return add(h, "cse_risk_assessment", date, p);
}

/* ---------------------------------------------------------------------- */
/* Setup                                                                   */

static int group_setup(void **state)
{
    (void)state;
    cw_error err;
    if (cw_calendar_load_default(&cal, &err) || cw_rules_load_builtin("wales", &wales, &err) ||
        cw_rules_load_builtin("england", &england, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    cw_rule_results_init(&res);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    cw_rules_free(wales);
    cw_rules_free(england);
    cw_calendar_release(&cal);
    cw_rule_results_release(&res);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* The packs                                                               */

static void check_ids(const cw_rule_pack *p, const char *const *ids, const char *kinds)
{
    size_t n = 0;
    while (ids[n])
        n++;
    if (p->nrules != n)
        fail_msg("pack %s has %zu rules, the tests know %zu", p->name, p->nrules, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(p->rules[i].id, ids[i]);
        assert_int_equal(p->rules[i].kind, kinds[i] == 's' ? CW_KIND_SIGNAL : CW_KIND_OBLIGATION);
        assert_non_null(p->rules[i].source);
        assert_true(strlen(p->rules[i].source) > 20);
        assert_non_null(p->rules[i].title);
        assert_true(p->rules[i].nesc > 0);
    }
}

/* Documents a rule must not cite: superseded editions, and what is not a source at all. */
static const char *const superseded[] = {
    "Working Together to Safeguard Children 2018", /* replaced by the 2023 edition */
    "Working Together to Safeguard Children 2015",
    "Working Together to Safeguard Children (2018)",
    "All Wales Child Protection Procedures", /* replaced by the WSP (2019, in use by 2020) */
    "Performance and Improvement Framework for Social Services (2016)", /* no such document:
                                                                           the 2016 measures are
                                                                           the code of practice's */
    "Children Act 1989 guidance and regulations, volume 2 (2010)",      /* revised 2015, 2021 */
    "DESIGN.md", /* our design is no source */
    "check before relying",
    NULL};

/* Every rule of both packs names its source, and no source is superseded (issue 12: a
 * citation out of date is a rule nobody can check). */
static void test_sources_current(void **state)
{
    (void)state;
    const cw_rule_pack *packs[] = {wales, england};
    for (size_t k = 0; k < 2; k++) {
        const cw_rule_pack *p = packs[k];
        assert_null(strstr(p->description, "2018"));
        for (size_t i = 0; i < p->nrules; i++) {
            const char *src = p->rules[i].source;
            if (!src || strlen(src) < 20)
                fail_msg("%s: rule %s has no source", p->name, p->rules[i].id);
            for (size_t j = 0; superseded[j]; j++)
                if (strstr(src, superseded[j]))
                    fail_msg("%s: rule %s cites \"%s\"", p->name, p->rules[i].id, superseded[j]);
            /* a national source is a document; a local one says so */
            if (strncmp(src, "Local standard", 14) && !strstr(src, "Regulations") &&
                !strstr(src, "Procedures") && !strstr(src, "Working Together") &&
                !strstr(src, "Code of practice") && !strstr(src, "SERAF") &&
                !strstr(src, "statutory guidance") && !strstr(src, "Inspection finding"))
                fail_msg("%s: rule %s: the source names no document: %s", p->name, p->rules[i].id,
                         src);
        }
    }
}

/* Every rule of each pack, in file order; each has a worked example below. */
static void test_pack_rule_ids(void **state)
{
    (void)state;
    static const char *const w[] = {"contact_decision",
                                    "referral_decision",
                                    "assessment",
                                    "cin_plan_review",
                                    "icpc",
                                    "cp_assessment",
                                    "outline_plan",
                                    "core_group",
                                    "review_conference",
                                    "cp_visit",
                                    "cp_home_visit",
                                    "cp_bedroom",
                                    "la_care_plan",
                                    "la_placement_plan",
                                    "la_visit",
                                    "la_visit_weekly",
                                    "la_review",
                                    "la_health_assessment",
                                    "pep",
                                    "gp_registration",
                                    "dentist",
                                    "cse_risk_assessment",
                                    "return_interview",
                                    "leaving_care_assessment",
                                    "pathway_plan",
                                    "pathway_plan_review",
                                    "pa_visit",
                                    "repeat_contacts",
                                    "re_referral",
                                    "cse_concern_unassessed",
                                    "cse_band_no_strategy",
                                    "cp_child_not_seen",
                                    "repeat_missing",
                                    "drift",
                                    "views_missing",
                                    "supervision_gap",
                                    "referral_undecided",
                                    "sign_off_awaited",
                                    NULL};
    check_ids(wales, w, "ooooooooooooooooooooooooooosssssssssss");
    static const char *const e[] = {"contact_decision",
                                    "referral_decision",
                                    "assessment",
                                    "cin_plan_review",
                                    "icpc",
                                    "outline_plan",
                                    "core_group",
                                    "review_conference",
                                    "cp_visit",
                                    "la_care_plan",
                                    "la_placement_plan",
                                    "la_visit",
                                    "la_visit_weekly",
                                    "la_review",
                                    "la_health_assessment",
                                    "pep",
                                    "return_interview",
                                    "leaving_care_assessment",
                                    "pathway_plan",
                                    "pathway_plan_review",
                                    "pa_visit",
                                    "repeat_contacts",
                                    "re_referral",
                                    "cse_concern_unassessed",
                                    "cse_band_no_strategy",
                                    "cp_child_not_seen",
                                    "repeat_missing",
                                    "drift",
                                    "views_missing",
                                    "supervision_gap",
                                    "referral_undecided",
                                    "sign_off_awaited",
                                    NULL};
    check_ids(england, e, "ooooooooooooooooooooosssssssssss");
    assert_string_equal(cw_rules_sign_off(wales), "assessment_completed,referral_decided,"
                                                  "case_closed,plan_recorded,cse_override,"
                                                  "supervision_held");
    assert_string_equal(cw_rules_sign_off(england), "assessment_completed,case_closed,"
                                                    "plan_recorded,cse_override,supervision_held");
    assert_string_equal(cw_rules_name(wales), "wales");
    assert_string_equal(cw_rules_name(england), "england");
    cw_rule_pack *p = NULL;
    cw_error err;
    assert_int_equal(cw_rules_load_builtin("scotland", &p, &err), CW_ENOTFOUND);
    assert_null(p);
    assert_non_null(strstr(err.msg, "scotland"));
}

/* The catalogue's opener links name the right types. */
static void test_catalogue(void **state)
{
    (void)state;
    int t = cw_rules_type_find("assessment_completed");
    assert_true(t >= 0);
    assert_string_equal(cw_rules_types[cw_rules_types[t].opener].name, "assessment_started");
    t = cw_rules_type_find("referral_decided");
    assert_string_equal(cw_rules_types[cw_rules_types[t].opener].name, "referral_received");
    t = cw_rules_type_find("section_47_completed");
    assert_string_equal(cw_rules_types[cw_rules_types[t].opener].name, "section_47_started");
    int inh;
    assert_non_null(cw_rules_field_find(t, "strategy_id", &inh));
    assert_int_equal(inh, 1);
    assert_int_equal(cw_rules_type_find("staff_added"), -1);
    for (size_t i = 0; i < cw_rules_ntypes; i++)
        assert_int_equal(cw_rules_pack_type(wales, cw_rules_types[i].name), (int)i);
    assert_int_equal(cw_rules_pack_type(wales, "visit"), -1);
    assert_string_equal(cw_rules_cse_band(5), "no_apparent_risk");
    assert_string_equal(cw_rules_cse_band(6), "mild");
    assert_string_equal(cw_rules_cse_band(10), "mild");
    assert_string_equal(cw_rules_cse_band(11), "moderate");
    assert_string_equal(cw_rules_cse_band(15), "moderate");
    assert_string_equal(cw_rules_cse_band(16), "significant");
}

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(cw_obligation_state_name(CW_OBLIGATION_OPEN), "open");
    assert_string_equal(cw_obligation_state_name(CW_OBLIGATION_MET_ON_TIME), "met_on_time");
    assert_string_equal(cw_obligation_state_name(CW_OBLIGATION_MET_LATE), "met_late");
    assert_string_equal(cw_obligation_state_name(CW_OBLIGATION_OVERDUE), "overdue");
    assert_string_equal(cw_obligation_state_name(CW_OBLIGATION_MISSED), "missed");
}

/* ---------------------------------------------------------------------- */
/* Interval arithmetic                                                     */

static void test_intervals(void **state)
{
    (void)state;
    cw_date out;
    cw_error err;
    struct {
        const char *from;
        int32_t n;
        cw_unit unit;
        const char *want;
    } cases[] = {
        {"2023-01-31", 1, CW_UNIT_MONTHS, "2023-02-28"}, /* no 31 Feb: the month's last day */
        {"2024-01-31", 1, CW_UNIT_MONTHS, "2024-02-29"}, /* leap year */
        {"2024-02-29", 12, CW_UNIT_MONTHS, "2025-02-28"},
        {"2024-02-29", 48, CW_UNIT_MONTHS, "2028-02-29"},
        {"2023-03-31", 1, CW_UNIT_MONTHS, "2023-04-30"},
        {"2023-11-30", 3, CW_UNIT_MONTHS, "2024-02-29"},
        {"2023-08-31", 6, CW_UNIT_MONTHS, "2024-02-29"},
        {"2023-12-15", 1, CW_UNIT_MONTHS, "2024-01-15"}, /* across a year end */
        {"2024-03-31", -1, CW_UNIT_MONTHS, "2024-02-29"},
        {"2024-01-10", -12, CW_UNIT_MONTHS, "2023-01-10"},
        {"2024-02-22", 1, CW_UNIT_WEEKS, "2024-02-29"},
        {"2024-02-01", 28, CW_UNIT_DAYS, "2024-02-29"},
        /* Fri 27 May 2022: Mon 30 May was a working day that year. */
        {"2022-05-27", 1, CW_UNIT_WORKING_DAYS, "2022-05-30"},
        /* Wed 1 June 2022: Thu 2 and Fri 3 June were bank holidays. */
        {"2022-06-01", 1, CW_UNIT_WORKING_DAYS, "2022-06-06"},
        {"2022-06-06", -2, CW_UNIT_WORKING_DAYS, "2022-05-31"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_interval iv = {cases[i].n, cases[i].unit};
        assert_int_equal(cw_rules_add_interval(&cal, D(cases[i].from), iv, &out, &err), CW_OK);
        if (strcmp(S(out), cases[i].want))
            fail_msg("%s + %d (unit %d) = %s, expected %s", cases[i].from, cases[i].n,
                     (int)cases[i].unit, S(out), cases[i].want);
    }
}

/* ---------------------------------------------------------------------- */
/* Referral decision (both packs) and the referral_undecided signal        */

/* Source: local standard (a decision on every referral by the end of the
 * next working day); England's pack adds Working Together 2018, chapter 1. */
static void referral_decision_in(const cw_rule_pack *p)
{
    hist h = {0};
    /* R1 Fri 27 May 2022 + 1 working day = Mon 30 May (in 2022 the spring
     * bank holiday moved from Mon 30 May to Thu 2 June). */
    uint64_t r1 = referral(&h, "2022-05-27", "R1");
    uint64_t d1 = decided(&h, "2022-05-30", "R1", "assessment");
    /* R2 and R3 Wed 1 June 2022 + 1 working day: Thu 2 and Fri 3 June were
     * the Jubilee holidays, then the weekend: Mon 6 June. */
    uint64_t r2 = referral(&h, "2022-06-01", "R2");
    uint64_t r3 = referral(&h, "2022-06-01", "R3");
    uint64_t d2 = decided(&h, "2022-06-07", "R2", "no_further_action");

    run(p, &h, "2022-06-11");
    assert_int_equal(nob("referral_decision"), 3);
    const cw_obligation *o = ob_by("referral_decision", r1);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2022-05-30", "2022-05-30", 0);
    assert_int_equal(o->met_by, d1);
    assert_string_equal(S(o->start), "2022-05-27");
    o = ob_by("referral_decision", r2);
    check(o, CW_OBLIGATION_MET_LATE, "2022-06-06", "2022-06-07", 1);
    assert_int_equal(o->met_by, d2);
    check_escalation(o->escalation_level, o->escalate_to, 0, NULL);
    /* R2's decision does not meet R3 (linked by referral_id): 5 days overdue
     * on Sat 11 June; the ladder 1, 3, 5 has reached head_of_service. */
    o = ob_by("referral_decision", r3);
    check(o, CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 5);
    check_escalation(o->escalation_level, o->escalate_to, 3, "head_of_service");

    /* Signal: one referral with no decision (R3), since the day after due. */
    const cw_signal *s = must_sig("referral_undecided");
    assert_string_equal(S(s->since), "2022-06-07");
    assert_int_equal(s->nevidence, 1);
    assert_int_equal(s->evidence[0], r3);
    check_escalation(s->escalation_level, s->escalate_to, 3, "head_of_service");

    /* On the due date itself nothing is late, and R2's decision of 7 June
     * is not yet known. */
    run(p, &h, "2022-06-06");
    check(ob_by("referral_decision", r2), CW_OBLIGATION_OPEN, "2022-06-06", NULL, 0);
    check(ob_by("referral_decision", r3), CW_OBLIGATION_OPEN, "2022-06-06", NULL, 0);
    assert_null(sig("referral_undecided"));

    /* On 7 June R3 is 1 day overdue: the first step of the ladder. */
    run(p, &h, "2022-06-07");
    o = ob_by("referral_decision", r3);
    check(o, CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 1);
    check_escalation(o->escalation_level, o->escalate_to, 1, "team_manager");
    s = must_sig("referral_undecided");
    check_escalation(s->escalation_level, s->escalate_to, 1, "team_manager");
    done(&h);

    /* A clean case: every referral decided in time raises nothing. */
    referral(&h, "2022-06-01", "R9");
    decided(&h, "2022-06-06", "R9", "no_further_action");
    run(p, &h, "2022-07-01");
    check(ob("referral_decision", 0), CW_OBLIGATION_MET_ON_TIME, "2022-06-06", "2022-06-06", 0);
    assert_null(sig("referral_undecided"));
    done(&h);

    /* Closing the case ends the work, never erases it: ended_by_closure, with how late it
     * was at closure (0 if it was not yet due). */
    referral(&h, "2022-06-01", "R1");
    add(&h, "case_closed", "2022-06-01", json_pack("{s:s}", "reason", "Duplicate."));
    run(p, &h, "2022-07-01");
    assert_int_equal(nob("referral_decision"), 1);
    check(ob("referral_decision", 0), CW_OBLIGATION_ENDED_BY_CLOSURE, "2022-06-06", NULL, 0);
    assert_null(sig("referral_undecided"));
    done(&h);
    /* Closed on the due date itself: not late. */
    referral(&h, "2022-06-01", "R1");
    add(&h, "case_closed", "2022-06-06", json_pack("{s:s}", "reason", "Moved away."));
    run(p, &h, "2022-07-01");
    check(ob("referral_decision", 0), CW_OBLIGATION_ENDED_BY_CLOSURE, "2022-06-06", NULL, 0);
    done(&h);
    referral(&h, "2022-06-01", "R1");
    add(&h, "case_closed", "2022-06-08", json_pack("{s:s}", "reason", "Moved away."));
    run(p, &h, "2022-07-01");
    o = ob("referral_decision", 0);
    check(o, CW_OBLIGATION_ENDED_BY_CLOSURE, "2022-06-06", NULL, 2);
    check_escalation(o->escalation_level, o->escalate_to, 0, NULL);
    assert_null(sig("referral_undecided"));
    done(&h);
    /* Reopened within the pack's resume_within (3 months): the clock resumes, due date
     * unchanged, so the work is overdue again and escalates. */
    referral(&h, "2022-06-01", "R1");
    add(&h, "case_closed", "2022-06-03", json_pack("{s:s}", "reason", "Moved away."));
    add(&h, "case_reopened", "2022-06-20", json_pack("{s:s}", "reason", "Back."));
    run(p, &h, "2022-06-21");
    o = ob("referral_decision", 0);
    check(o, CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 15);
    assert_int_equal(nob("referral_decision"), 1);
    done(&h);
    /* Reopened after it: a new case; the old work stays ended by the closure. */
    referral(&h, "2022-06-01", "R1");
    add(&h, "case_closed", "2022-06-03", json_pack("{s:s}", "reason", "Moved away."));
    add(&h, "case_reopened", "2022-10-20", json_pack("{s:s}", "reason", "Back."));
    run(p, &h, "2022-10-21");
    check(ob("referral_decision", 0), CW_OBLIGATION_ENDED_BY_CLOSURE, "2022-06-06", NULL, 0);
    done(&h);
    /* Work awaiting sign-off does not count: an undecided referral stays overdue while its
     * decision awaits a manager, and the wait itself is a signal after 5 working days. */
    referral(&h, "2022-06-01", "R1");
    add(&h, "referral_decided", "2022-06-02",
        json_pack("{s:s, s:s, s:s}", "referral_id", "R1", "decision", "no_further_action",
                  "sign_off", "awaited"));
    run(p, &h, "2022-06-07");
    check(ob("referral_decision", 0), CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 1);
    assert_null(sig("sign_off_awaited"));
    run(p, &h, "2022-06-14"); /* 2 and 3 June 2022 were bank holidays: due 10 June */
    assert_non_null(sig("sign_off_awaited"));
    done(&h);
}

static uint64_t contact(hist *h, const char *date, const char *id)
{
    return add(h, "contact_received", date,
               json_pack("{s:s,s:s,s:s}", "contact_id", id, "source", "school", "reason", "r"));
}

/* Source: Wales Safeguarding Procedures, section 3 part 1 (c3pt1-p4): "must decide and record
 * next actions within one working day"; Working Together 2023, chapter 3, the same. A contact
 * on Fri 27 May 2022 is due a decision on Mon 30 May (that year's spring holiday moved to Thu
 * 2 June); one on Wed 1 June 2022 on Mon 6 June, after the two Jubilee holidays. The decision
 * is the contact's own (contact_decided, linked by contact_id) or the referral it became. */
static void contact_decision_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t c1 = contact(&h, "2022-05-27", "K1");
    uint64_t d1 =
        add(&h, "contact_decided", "2022-05-30",
            json_pack("{s:s,s:s}", "contact_id", "K1", "outcome", "information_and_advice"));
    contact(&h, "2022-06-01", "K2");
    run(p, &h, "2022-06-07");
    assert_int_equal(nob("contact_decision"), 2);
    const cw_obligation *o = ob("contact_decision", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2022-05-30", "2022-05-30", 0);
    assert_int_equal(o->started_by, c1);
    assert_int_equal(o->met_by, d1);
    check(ob("contact_decision", 1), CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 1);
    /* Another contact's decision does not meet it; the referral it became does. */
    contact(&h, "2022-06-07", "K3");
    add(&h, "contact_decided", "2022-06-07",
        json_pack("{s:s,s:s}", "contact_id", "K3", "outcome", "no_further_action"));
    run(p, &h, "2022-06-08"); /* reported in the order settled: K1, K3, then K2 still open */
    check(ob("contact_decision", 1), CW_OBLIGATION_MET_ON_TIME, "2022-06-08", "2022-06-07", 0);
    check(ob("contact_decision", 2), CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 2);
    referral(&h, "2022-06-08", "R1");
    run(p, &h, "2022-06-09");
    check(ob("contact_decision", 2), CW_OBLIGATION_MET_LATE, "2022-06-06", "2022-06-08", 2);
    done(&h);
}

static void test_contact_decision_wales(void **state)
{
    (void)state;
    contact_decision_in(wales);
}

static void test_contact_decision_england(void **state)
{
    (void)state;
    contact_decision_in(england);
}

static void test_referral_decision_wales(void **state)
{
    (void)state;
    referral_decision_in(wales);
}

static void test_referral_decision_england(void **state)
{
    (void)state;
    referral_decision_in(england);
}

/* ---------------------------------------------------------------------- */
/* Assessment                                                              */

/* Wales, source: Performance and Improvement Framework (2016), PM24, 42
 * working days from the point of referral. Referral Wed 13 March 2024:
 * Thu 14 - Fri 15 Mar (1-2), 18-22 (3-7), 25-28 (8-11; Fri 29 Good Friday),
 * 2-5 Apr (12-15; Mon 1 Easter Monday), 8-26 Apr (16-30), 29 Apr - 3 May
 * (31-35), 7-10 May (36-39; Mon 6 early May), Mon 13 - Wed 15 May (40-42):
 * due Wed 15 May 2024, counted from the referral, not the decision. */
static void assessment_history(hist *h, const char *completed, uint64_t *decision)
{
    referral(h, "2024-03-13", "R1");
    *decision = decided(h, "2024-03-14", "R1", "assessment");
    add(h, "assessment_started", "2024-03-15",
        json_pack("{s:s,s:s}", "assessment_id", "A1", "referral_id", "R1"));
    if (completed)
        add(h, "assessment_completed", completed,
            json_pack("{s:s,s:b,s:s,s:s,s:s,s:s,s:s}", "assessment_id", "A1", "child_seen", 1,
                      "child_seen_date", "2024-03-20", "views", "Wants to stay.", "analysis", "a",
                      "outcome", "care_and_support_plan", "signed_off_by", "tm.a"));
}

static void test_assessment_wales(void **state)
{
    (void)state;
    hist h = {0};
    uint64_t dec;
    assessment_history(&h, "2024-05-15", &dec);
    run(wales, &h, "2024-06-01");
    assert_int_equal(nob("assessment"), 1);
    const cw_obligation *o = ob("assessment", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2024-05-15", "2024-05-15", 0);
    assert_string_equal(S(o->start), "2024-03-13"); /* from the referral */
    assert_int_equal(o->started_by, dec);           /* started by the decision */
    assert_string_equal(o->title, "Assessment completed within 42 working days of the referral");
    done(&h);

    /* Thu 16 May is working day 43: late by 1 day. */
    assessment_history(&h, "2024-05-16", &dec);
    run(wales, &h, "2024-06-01");
    check(ob("assessment", 0), CW_OBLIGATION_MET_LATE, "2024-05-15", "2024-05-16", 1);
    done(&h);

    /* Not completed: open on the due date, overdue after it. On Mon 20 May
     * 5 days overdue: the default ladder 1, 5, 10 is at service_manager. */
    assessment_history(&h, NULL, &dec);
    run(wales, &h, "2024-05-15");
    check(ob("assessment", 0), CW_OBLIGATION_OPEN, "2024-05-15", NULL, 0);
    run(wales, &h, "2024-05-20");
    o = ob("assessment", 0);
    check(o, CW_OBLIGATION_OVERDUE, "2024-05-15", NULL, 5);
    check_escalation(o->escalation_level, o->escalate_to, 2, "service_manager");
    /* Another referral's assessment does not meet it (linked through the
     * assessment to its referral_id). */
    referral(&h, "2024-05-21", "R2");
    add(&h, "assessment_started", "2024-05-21",
        json_pack("{s:s,s:s}", "assessment_id", "A2", "referral_id", "R2"));
    add(&h, "assessment_completed", "2024-05-22",
        json_pack("{s:s,s:b,s:s,s:s,s:s,s:s}", "assessment_id", "A2", "child_seen", 0, "views", "v",
                  "analysis", "a", "outcome", "no_further_action", "signed_off_by", "tm.a"));
    run(wales, &h, "2024-05-23");
    check(ob("assessment", 0), CW_OBLIGATION_OVERDUE, "2024-05-15", NULL, 8);
    done(&h);

    /* A referral decided "no further action" starts no assessment. */
    referral(&h, "2024-03-13", "R1");
    decided(&h, "2024-03-14", "R1", "no_further_action");
    run(wales, &h, "2024-06-01");
    assert_int_equal(nob("assessment"), 0);
    done(&h);

    /* Case closed before the due date: ended by the closure, not late. After it: ended,
     * 2 days late at closure. */
    assessment_history(&h, NULL, &dec);
    add(&h, "case_closed", "2024-04-01", json_pack("{s:s}", "reason", "r"));
    run(wales, &h, "2024-06-01");
    check(ob("assessment", 0), CW_OBLIGATION_ENDED_BY_CLOSURE, "2024-05-15", NULL, 0);
    done(&h);
    assessment_history(&h, NULL, &dec);
    add(&h, "case_closed", "2024-05-17", json_pack("{s:s}", "reason", "r"));
    run(wales, &h, "2024-06-01");
    check(ob("assessment", 0), CW_OBLIGATION_ENDED_BY_CLOSURE, "2024-05-15", NULL, 2);
    done(&h);
}

/* England, source: Working Together 2018, chapter 1, 45 working days from
 * the referral. From Wed 13 March 2024, day 42 is Wed 15 May (above), 43 Thu
 * 16, 44 Fri 17, 45 Mon 20 May 2024. */
static void test_assessment_england(void **state)
{
    (void)state;
    hist h = {0};
    uint64_t dec;
    assessment_history(&h, "2024-05-20", &dec);
    run(england, &h, "2024-06-01");
    check(ob("assessment", 0), CW_OBLIGATION_MET_ON_TIME, "2024-05-20", "2024-05-20", 0);
    done(&h);
    assessment_history(&h, "2024-05-21", &dec);
    run(england, &h, "2024-06-01");
    check(ob("assessment", 0), CW_OBLIGATION_MET_LATE, "2024-05-20", "2024-05-21", 1);
    done(&h);

    /* On the child protection route too (Working Together 2023, chapter 3: every
     * assessment, 45 working days from the point of referral): a referral received Mon 7
     * September 2020 and decided for a strategy discussion. Tue 8 to Fri 11 (1-4), then
     * five-day weeks to Fri 6 November (44), Mon 9 November 2020 (45). Wales' 42 days run
     * from the section 47 enquiries instead (cp_assessment), so its assessment rule starts
     * nothing here. */
    referral(&h, "2020-09-07", "R1");
    decided(&h, "2020-09-08", "R1", "strategy_discussion");
    add(&h, "assessment_started", "2020-09-10",
        json_pack("{s:s,s:s}", "assessment_id", "A1", "referral_id", "R1"));
    run(england, &h, "2020-11-10");
    check(ob("assessment", 0), CW_OBLIGATION_OVERDUE, "2020-11-09", NULL, 1);
    run(wales, &h, "2020-11-10");
    assert_int_equal(nob("assessment"), 0);
    add(&h, "assessment_completed", "2020-11-09",
        json_pack("{s:s,s:b,s:s,s:s,s:s,s:s,s:s}", "assessment_id", "A1", "child_seen", 1,
                  "child_seen_date", "2020-09-14", "views", "v", "analysis", "a", "outcome",
                  "child_protection", "signed_off_by", "tm.a"));
    run(england, &h, "2020-11-10");
    check(ob("assessment", 0), CW_OBLIGATION_MET_ON_TIME, "2020-11-09", "2020-11-09", 0);
    done(&h);
}

/* Wales. Source: Wales Safeguarding Procedures, section 3 part 2 (c3pt2-p13): the
 * continuing assessment completed "within 42 working days from the start of the section 47
 * enquiries". Started Mon 7 September 2020: Tue 8 to Fri 11 (1-4), five-day weeks to Fri
 * 30 October (39; no holiday between), Mon 2 to Wed 4 November 2020 (40-42). An assessment
 * completed before the enquiries began does not meet it. */
static void test_cp_assessment_wales(void **state)
{
    (void)state;
    hist h = {0};
    add(&h, "assessment_completed", "2020-09-01",
        json_pack("{s:s,s:b,s:s,s:s,s:s}", "assessment_id", "A0", "child_seen", 0, "views", "v",
                  "analysis", "a", "outcome", "care_and_support_plan"));
    uint64_t s47 = add(&h, "section_47_started", "2020-09-07",
                       json_pack("{s:s,s:s}", "enquiry_id", "E1", "strategy_id", "S1"));
    run(wales, &h, "2020-11-05");
    const cw_obligation *o = ob("cp_assessment", 0);
    check(o, CW_OBLIGATION_OVERDUE, "2020-11-04", NULL, 1);
    assert_int_equal(o->started_by, s47);
    add(&h, "assessment_completed", "2020-11-05",
        json_pack("{s:s,s:b,s:s,s:s,s:s}", "assessment_id", "A1", "child_seen", 1, "views", "v",
                  "analysis", "a", "outcome", "child_protection"));
    run(wales, &h, "2020-11-06");
    check(ob("cp_assessment", 0), CW_OBLIGATION_MET_LATE, "2020-11-04", "2020-11-05", 1);
    done(&h);
}

/* ---------------------------------------------------------------------- */
/* Initial child protection conference                                     */

/* Source: Wales Safeguarding Procedures; Working Together 2018, chapter 1:
 * 15 working days from the strategy discussion. Thu 15 December 2022: Fri 16
 * (1), 19-23 (2-6), Mon 26 Boxing Day and Tue 27 (Christmas substitute) off,
 * 28-30 (7-9), Mon 2 Jan substitute off, 3-6 Jan (10-13), Mon 9 (14), Tue 10
 * January 2023 (15). */
static void icpc_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t s1 = add(&h, "strategy_discussion_held", "2022-12-15",
                      json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    uint64_t c = conference(&h, "2023-01-10", "initial", "register");
    run(p, &h, "2023-02-01");
    const cw_obligation *o = ob("icpc", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2023-01-10", "2023-01-10", 0);
    assert_int_equal(o->started_by, s1);
    assert_int_equal(o->met_by, c);
    done(&h);

    add(&h, "strategy_discussion_held", "2022-12-15",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    conference(&h, "2023-01-11", "initial", "not_registered");
    run(p, &h, "2023-02-01");
    check(ob("icpc", 0), CW_OBLIGATION_MET_LATE, "2023-01-10", "2023-01-11", 1);
    done(&h);

    /* A strategy discussion that decides no section 47 starts nothing. */
    add(&h, "strategy_discussion_held", "2022-12-15",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "no_further_action"));
    run(p, &h, "2023-02-01");
    assert_int_equal(nob("icpc"), 0);
    done(&h);

    /* The section 47 enquiry from that strategy discussion concludes "child
     * in need": no conference is needed. Before the due date the obligation
     * is dropped; after it, missed. An enquiry concluding "initial
     * conference" does not stop it. */
    const char *ends[] = {"2023-01-05", "2023-01-12"};
    for (int k = 0; k < 2; k++) {
        add(&h, "strategy_discussion_held", "2022-12-15",
            json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
        add(&h, "section_47_started", "2022-12-16",
            json_pack("{s:s,s:s}", "enquiry_id", "E1", "strategy_id", "S1"));
        add(&h, "section_47_completed", ends[k],
            json_pack("{s:s,s:s}", "enquiry_id", "E1", "outcome", "child_in_need"));
        run(p, &h, "2023-02-01");
        if (k == 0)
            assert_int_equal(nob("icpc"), 0);
        else
            check(ob("icpc", 0), CW_OBLIGATION_MISSED, "2023-01-10", NULL, 2);
        done(&h);
    }
    add(&h, "strategy_discussion_held", "2022-12-15",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    add(&h, "section_47_started", "2022-12-16",
        json_pack("{s:s,s:s}", "enquiry_id", "E1", "strategy_id", "S1"));
    add(&h, "section_47_completed", "2023-01-05",
        json_pack("{s:s,s:s}", "enquiry_id", "E1", "outcome", "initial_conference"));
    run(p, &h, "2023-01-12");
    const cw_obligation *x = ob("icpc", 0);
    check(x, CW_OBLIGATION_OVERDUE, "2023-01-10", NULL, 2);
    check_escalation(x->escalation_level, x->escalate_to, 1, "team_manager");
    done(&h);

    /* "within 15 working days of the last strategy discussion/meeting" (WSP c3pt2-p4;
     * Working Together 2023: "or the last strategy discussion if more than one has been
     * held"). First on Mon 7 September 2020, due Mon 28 Sep (8-11, 14-18, 21-25, 28); a
     * second on Mon 21 Sep restarts it (the first not yet due: dropped): Tue 22 to Fri 25
     * (1-4), 28 Sep-2 Oct (5-9), 5-9 Oct (10-14), Mon 12 October 2020 (15). */
    add(&h, "strategy_discussion_held", "2020-09-07",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    uint64_t s2 = add(&h, "strategy_discussion_held", "2020-09-21",
                      json_pack("{s:s,s:s}", "strategy_id", "S2", "decision", "section_47"));
    conference(&h, "2020-10-12", "initial", "register");
    run(p, &h, "2020-11-01");
    assert_int_equal(nob("icpc"), 1);
    check(ob("icpc", 0), CW_OBLIGATION_MET_ON_TIME, "2020-10-12", "2020-10-12", 0);
    assert_int_equal(ob("icpc", 0)->started_by, s2);
    done(&h);
    /* A second strategy discussion after the first clock ran out does not hide it: the
     * first is missed (Thu 1 October, 3 days after 28 Sep), the second due Thu 22 October
     * (Fri 2 Oct (1), 5-9 (2-6), 12-16 (7-11), 19-22 (12-15)). */
    add(&h, "strategy_discussion_held", "2020-09-07",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    add(&h, "strategy_discussion_held", "2020-10-01",
        json_pack("{s:s,s:s}", "strategy_id", "S2", "decision", "section_47"));
    run(p, &h, "2020-10-02");
    assert_int_equal(nob("icpc"), 2);
    check(ob("icpc", 0), CW_OBLIGATION_MISSED, "2020-09-28", NULL, 3);
    check(ob("icpc", 1), CW_OBLIGATION_OPEN, "2020-10-22", NULL, 0);
    done(&h);
}

static void test_icpc_wales(void **state)
{
    (void)state;
    icpc_in(wales);
}

static void test_icpc_england(void **state)
{
    (void)state;
    icpc_in(england);
}

/* ---------------------------------------------------------------------- */
/* Outline plan                                                            */

/* Wales source: Wales Safeguarding Procedures, 5 working days after the
 * ICPC; England: local standard. ICPC Fri 5 May 2023: Mon 8 May was the
 * Coronation holiday; Tue 9 (1), Wed 10 (2), Thu 11 (3), Fri 12 (4), Mon 15
 * May 2023 (5). */
static void outline_plan_in(const cw_rule_pack *p)
{
    hist h = {0};
    static const char *kinds[] = {"child_protection_outline", "child_protection"};
    for (int k = 0; k < 2; k++) {
        conference(&h, "2023-05-05", "initial", "register");
        add(&h, "plan_recorded", "2023-05-15",
            json_pack("{s:s,s:s}", "plan_id", "PL1", "kind", kinds[k]));
        run(p, &h, "2023-06-01");
        check(ob("outline_plan", 0), CW_OBLIGATION_MET_ON_TIME, "2023-05-15", "2023-05-15", 0);
        done(&h);
    }
    /* A pathway plan does not meet it; the outline plan on Tue 16 is late. */
    conference(&h, "2023-05-05", "initial", "register");
    add(&h, "plan_recorded", "2023-05-10",
        json_pack("{s:s,s:s}", "plan_id", "PL0", "kind", "pathway"));
    add(&h, "plan_recorded", "2023-05-16",
        json_pack("{s:s,s:s}", "plan_id", "PL1", "kind", "child_protection_outline"));
    run(p, &h, "2023-06-01");
    assert_int_equal(nob("outline_plan"), 1);
    check(ob("outline_plan", 0), CW_OBLIGATION_MET_LATE, "2023-05-15", "2023-05-16", 1);
    done(&h);
    /* Not registered: no outline plan is due. */
    conference(&h, "2023-05-05", "initial", "not_registered");
    run(p, &h, "2023-06-01");
    assert_int_equal(nob("outline_plan"), 0);
    done(&h);
    /* Deregistered before the due date: dropped. */
    conference(&h, "2023-05-05", "initial", "register");
    conference(&h, "2023-05-10", "review", "deregister");
    run(p, &h, "2023-06-01");
    assert_int_equal(nob("outline_plan"), 0);
    done(&h);
}

static void test_outline_plan_wales(void **state)
{
    (void)state;
    outline_plan_in(wales);
}

static void test_outline_plan_england(void **state)
{
    (void)state;
    outline_plan_in(england);
}

/* ---------------------------------------------------------------------- */
/* Core groups                                                             */

/* Source: Wales Safeguarding Procedures (England: Working Together 2018 and
 * local practice): first core group 10 working days after the ICPC, then at
 * least every 6 weeks, counted from the last one held. ICPC Thu 15 September
 * 2022: Fri 16 (1), Mon 19 the State Funeral off, 20-23 (2-5), 26-30 (6-10):
 * due Fri 30 September 2022. */
static void core_group_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t icpc = conference(&h, "2022-09-15", "initial", "register");
    uint64_t g1 = add(&h, "core_group_held", "2022-09-30", EMPTY);
    /* 30 Sep + 6 weeks = Fri 11 Nov; held Mon 14 Nov, 3 days late; the next
     * is counted from 14 Nov: + 42 days = Mon 26 Dec 2022 (calendar weeks:
     * a bank holiday does not move it). */
    uint64_t g2 = add(&h, "core_group_held", "2022-11-14", EMPTY);
    run(p, &h, "2023-01-05");
    assert_int_equal(nob("core_group"), 3);
    const cw_obligation *o = ob("core_group", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2022-09-30", "2022-09-30", 0);
    assert_int_equal(o->started_by, icpc);
    assert_int_equal(o->met_by, g1);
    o = ob("core_group", 1);
    check(o, CW_OBLIGATION_MET_LATE, "2022-11-11", "2022-11-14", 3);
    assert_int_equal(o->started_by, g1);
    assert_string_equal(S(o->start), "2022-09-30");
    o = ob("core_group", 2);
    /* 5 Jan 2023 is 10 days after 26 Dec: the third step, head_of_service. */
    check(o, CW_OBLIGATION_OVERDUE, "2022-12-26", NULL, 10);
    assert_int_equal(o->started_by, g2);
    assert_string_equal(S(o->start), "2022-11-14"); /* counted from the late meeting */
    check_escalation(o->escalation_level, o->escalate_to, 3, "head_of_service");

    /* Deregistered on Tue 3 Jan 2023 with the third core group 8 days past
     * due: it is missed, and nothing more falls due. */
    conference(&h, "2023-01-03", "review", "deregister");
    run(p, &h, "2023-03-01");
    assert_int_equal(nob("core_group"), 3);
    check(ob("core_group", 2), CW_OBLIGATION_MISSED, "2022-12-26", NULL, 8);
    done(&h);
}

static void test_core_group_wales(void **state)
{
    (void)state;
    core_group_in(wales);
}

static void test_core_group_england(void **state)
{
    (void)state;
    core_group_in(england);
}

/* ---------------------------------------------------------------------- */
/* Review conferences                                                      */

/* Source: Wales Safeguarding Procedures; Working Together 2018, chapter 1:
 * first review within 3 months of the ICPC, then at most every 6 months. */
static void review_conference_in(const cw_rule_pack *p)
{
    hist h = {0};
    /* ICPC 30 Nov 2022 + 3 months: there is no 30 Feb, so Tue 28 Feb 2023.
     * Reviewed that day (continue); + 6 months = Mon 28 Aug 2023. The review
     * on 1 Aug deregisters: it meets the second occurrence, and nothing more
     * falls due. */
    conference(&h, "2022-11-30", "initial", "register");
    conference(&h, "2023-02-28", "review", "continue");
    conference(&h, "2023-08-01", "review", "deregister");
    run(p, &h, "2024-01-01");
    assert_int_equal(nob("review_conference"), 2);
    check(ob("review_conference", 0), CW_OBLIGATION_MET_ON_TIME, "2023-02-28", "2023-02-28", 0);
    check(ob("review_conference", 1), CW_OBLIGATION_MET_ON_TIME, "2023-08-28", "2023-08-01", 0);
    done(&h);

    /* Leap year: ICPC 30 Nov 2023 + 3 months = Thu 29 Feb 2024; reviewed that
     * day; + 6 months = Thu 29 Aug 2024; on 1 Sep 3 days overdue. */
    conference(&h, "2023-11-30", "initial", "register");
    conference(&h, "2024-02-29", "review", "continue");
    run(p, &h, "2024-09-01");
    check(ob("review_conference", 0), CW_OBLIGATION_MET_ON_TIME, "2024-02-29", "2024-02-29", 0);
    const cw_obligation *o = ob("review_conference", 1);
    check(o, CW_OBLIGATION_OVERDUE, "2024-08-29", NULL, 3);
    check_escalation(o->escalation_level, o->escalate_to, 1, "team_manager");
    done(&h);
}

static void test_review_conference_wales(void **state)
{
    (void)state;
    review_conference_in(wales);
}

static void test_review_conference_england(void **state)
{
    (void)state;
    review_conference_in(england);
}

/* ---------------------------------------------------------------------- */
/* Visits to a child on the register, and the cp_child_not_seen signal     */

/* Source: Wales Safeguarding Procedures, section 4 (c4-p3): "seeing the child alone at least
 * every 10 working days"; England: the same as a local standard (Working Together 2023 sets
 * no frequency). Registered Fri 1 May 2020: Mon 4 May was a
 * working day (the early May holiday moved to Fri 8 May for VE Day). Mon 4 -
 * Thu 7 (1-4), Fri 8 off, 11-15 (5-9), Mon 18 May 2020 (10). The next from
 * Mon 18 May: 19-22 (1-4), Mon 25 May spring holiday, 26-29 (5-8), Mon 1 (9),
 * Tue 2 June 2020 (10). */
static void cp_visit_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t reg = conference(&h, "2020-05-01", "initial", "register");
    visit(&h, "2020-05-14", 1, 0, 1); /* seen, not alone: does not meet it */
    uint64_t v = visit(&h, "2020-05-18", 1, 1, 1);
    run(p, &h, "2020-06-05");
    assert_int_equal(nob("cp_visit"), 2);
    const cw_obligation *o = ob("cp_visit", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2020-05-18", "2020-05-18", 0);
    assert_int_equal(o->met_by, v);
    o = ob("cp_visit", 1);
    /* Fri 5 June is 3 days after Tue 2 June: ladder 1, 3, 5 at step 2. */
    check(o, CW_OBLIGATION_OVERDUE, "2020-06-02", NULL, 3);
    check_escalation(o->escalation_level, o->escalate_to, 2, "service_manager");
    const cw_signal *s = must_sig("cp_child_not_seen");
    assert_string_equal(S(s->since), "2020-06-03");
    assert_int_equal(s->nevidence, 2);
    assert_true(has_evidence(s, reg) && has_evidence(s, v));
    check_escalation(s->escalation_level, s->escalate_to, 2, "service_manager");

    /* Clean: seen alone on the due date, nothing raised. */
    visit(&h, "2020-06-02", 1, 1, 1);
    run(p, &h, "2020-06-05");
    check(ob("cp_visit", 1), CW_OBLIGATION_MET_ON_TIME, "2020-06-02", "2020-06-02", 0);
    check(ob("cp_visit", 2), CW_OBLIGATION_OPEN, "2020-06-16", NULL, 0);
    assert_null(sig("cp_child_not_seen"));
    done(&h);

    /* Seen, but never seen alone: the signal is raised from the day after
     * the due date, with the registration as evidence. */
    reg = conference(&h, "2020-05-01", "initial", "register");
    visit(&h, "2020-05-14", 1, 0, 1);
    visit(&h, "2020-05-18", 1, 0, 1);
    run(p, &h, "2020-05-18");
    assert_null(sig("cp_child_not_seen"));
    run(p, &h, "2020-05-19");
    s = must_sig("cp_child_not_seen");
    assert_string_equal(S(s->since), "2020-05-19");
    assert_int_equal(s->nevidence, 1);
    assert_int_equal(s->evidence[0], reg);
    /* Deregistration ends both. */
    conference(&h, "2020-05-20", "review", "deregister");
    run(p, &h, "2020-07-01");
    assert_null(sig("cp_child_not_seen"));
    check(ob("cp_visit", 0), CW_OBLIGATION_MISSED, "2020-05-18", NULL, 2);
    done(&h);

    /* A baby seen but not alone, with the reason recorded (WSP c4-p3: "seeing" the child is
     * "dependent on age, stage of development and disability"): the visit meets the duty
     * and raises no signal. */
    conference(&h, "2020-05-01", "initial", "register");
    uint64_t b = add(&h, "statutory_visit", "2020-05-14",
                     json_pack("{s:b,s:b,s:s,s:s}", "seen", 1, "seen_alone", 0,
                               "not_seen_alone_reason", "Seven months old: seen with mother.",
                               "views_not_obtained_reason", "Too young."));
    run(p, &h, "2020-05-20");
    check(ob("cp_visit", 0), CW_OBLIGATION_MET_ON_TIME, "2020-05-18", "2020-05-14", 0);
    assert_int_equal(ob("cp_visit", 0)->met_by, b);
    assert_null(sig("cp_child_not_seen"));
    done(&h);
}

static uint64_t home_visit(hist *h, const char *date, const char *where, int bedroom)
{
    json_t *p = json_pack("{s:b,s:b,s:s,s:s}", "seen", 1, "seen_alone", 1, "location", where,
                          "views", "Likes school.");
    if (bedroom)
        json_object_set_new(p, "bedroom_seen", json_true());
    return add(h, "statutory_visit", date, p);
}

/* Wales. Source: WSP, section 4 (c4-p3): "ensuring that the child is seen at home at least
 * every 4 weeks". Registered Fri 1 May 2020: due Fri 29 May (4 calendar weeks). Seen at
 * school on 14 May (not at home), at home on Thu 28 May; the next is due Thu 25 June; on
 * Tue 30 June, 5 days overdue. A visit with no location is not a home visit. */
static void test_cp_home_visit_wales(void **state)
{
    (void)state;
    hist h = {0};
    conference(&h, "2020-05-01", "initial", "register");
    home_visit(&h, "2020-05-14", "school", 0);
    visit(&h, "2020-05-21", 1, 1, 1);
    uint64_t v = home_visit(&h, "2020-05-28", "home", 0);
    run(wales, &h, "2020-06-30");
    assert_int_equal(nob("cp_home_visit"), 2);
    check(ob("cp_home_visit", 0), CW_OBLIGATION_MET_ON_TIME, "2020-05-29", "2020-05-28", 0);
    assert_int_equal(ob("cp_home_visit", 0)->met_by, v);
    check(ob("cp_home_visit", 1), CW_OBLIGATION_OVERDUE, "2020-06-25", NULL, 5);
    /* England has no such duty. */
    run(england, &h, "2020-06-30");
    assert_int_equal(nob("cp_home_visit"), 0);
    done(&h);
}

/* Wales. Source: WSP, section 4 (c4-p3): "ensuring the child's bedroom is seen at least once
 * between review conferences". The next review conference is the deadline (a `by` line):
 * registered Fri 1 May 2020, bedroom seen Wed 10 June (met). The review of Thu 30 July
 * continues the registration and starts the next period (due 6 months on, 30 January
 * 2021, if no review comes first); the review of Wed 20 January 2021 comes with the
 * bedroom unseen: missed there, 0 days after its due date (it was not yet due), and the
 * next period starts. */
static void test_cp_bedroom_wales(void **state)
{
    (void)state;
    hist h = {0};
    conference(&h, "2020-05-01", "initial", "register");
    home_visit(&h, "2020-06-10", "home", 1);
    conference(&h, "2020-07-30", "review", "continue");
    home_visit(&h, "2020-10-01", "home", 0);
    uint64_t r2 = conference(&h, "2021-01-20", "review", "continue");
    run(wales, &h, "2021-02-01");
    assert_int_equal(nob("cp_bedroom"), 3);
    check(ob("cp_bedroom", 0), CW_OBLIGATION_MET_ON_TIME, "2020-11-01", "2020-06-10", 0);
    check(ob("cp_bedroom", 1), CW_OBLIGATION_MISSED, "2021-01-30", NULL, 0);
    const cw_obligation *o = ob("cp_bedroom", 2);
    check(o, CW_OBLIGATION_OPEN, "2021-07-20", NULL, 0);
    assert_int_equal(o->started_by, r2);
    done(&h);
    /* No review within 6 months and the bedroom never seen: overdue from its due date. */
    conference(&h, "2020-05-01", "initial", "register");
    run(wales, &h, "2020-11-03");
    check(ob("cp_bedroom", 0), CW_OBLIGATION_OVERDUE, "2020-11-01", NULL, 2);
    /* A bedroom can only be seen at home (validation refuses it elsewhere); deregistration
     * at a review is the deadline too. */
    conference(&h, "2020-11-05", "review", "deregister");
    run(wales, &h, "2020-12-01");
    check(ob("cp_bedroom", 0), CW_OBLIGATION_MISSED, "2020-11-01", NULL, 4);
    assert_int_equal(nob("cp_bedroom"), 1);
    done(&h);
}

static void test_cp_visit_wales(void **state)
{
    (void)state;
    cp_visit_in(wales);
}

static void test_cp_visit_england(void **state)
{
    (void)state;
    cp_visit_in(england);
}

/* ---------------------------------------------------------------------- */
/* Looked-after children                                                   */

/* Wales. Source: SI 2015/1818 reg 4(3): a care and support plan before the
 * first placement or within 10 working days of it. Placement Thu 23 December
 * 2021: Fri 24 (1), Mon 27 and Tue 28 December off (Christmas Day and Boxing
 * Day fell on the weekend), 29-31 (2-4), Mon 3 January off (New Year's Day
 * substitute), 4-7 (5-8), Mon 10 (9), Tue 11 January 2022 (10). */
static void test_la_care_plan_wales(void **state)
{
    (void)state;
    hist h = {0};
    struct {
        const char *plan; /* NULL: none */
        const char *kind;
        cw_obligation_state st;
        const char *met_on;
        int64_t days;
    } cases[] = {
        {"2022-01-11", "looked_after", CW_OBLIGATION_MET_ON_TIME, "2022-01-11", 0},
        {"2022-01-12", "care_and_support", CW_OBLIGATION_MET_LATE, "2022-01-12", 1},
        /* Before the placement: 1 Dec is within the 1-month lookback. */
        {"2021-12-01", "looked_after", CW_OBLIGATION_MET_ON_TIME, "2021-12-01", 0},
        /* 22 Nov is before 23 Nov (23 Dec - 1 month): an older plan. */
        {"2021-11-22", "looked_after", CW_OBLIGATION_OVERDUE, NULL, 1},
        /* A child protection plan is not a looked-after care plan. */
        {"2022-01-05", "child_protection", CW_OBLIGATION_OVERDUE, NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int before = strcmp(cases[i].plan, "2021-12-23") < 0;
        json_t *plan = json_pack("{s:s,s:s}", "plan_id", "PL1", "kind", cases[i].kind);
        if (before)
            add(&h, "plan_recorded", cases[i].plan, plan);
        looked_after(&h, "2021-12-23", 0);
        if (!before)
            add(&h, "plan_recorded", cases[i].plan, plan);
        run(wales, &h, "2022-01-12");
        assert_int_equal(nob("la_care_plan"), 1);
        check(ob("la_care_plan", 0), cases[i].st, "2022-01-11", cases[i].met_on, cases[i].days);
        done(&h);
    }
    /* The lookback is a month back, clamped: from Sun 31 March 2024 to Thu 29
     * February 2024 (a leap day). A plan on 29 Feb counts; 28 Feb does not.
     * Due: 31 Mar is Easter Sunday, Mon 1 Apr Easter Monday: Tue 2 - Fri 5
     * (1-4), 8-12 (5-9), Mon 15 April 2024 (10). */
    add(&h, "plan_recorded", "2024-02-29",
        json_pack("{s:s,s:s}", "plan_id", "PL1", "kind", "looked_after"));
    looked_after(&h, "2024-03-31", 0);
    run(wales, &h, "2024-05-01");
    check(ob("la_care_plan", 0), CW_OBLIGATION_MET_ON_TIME, "2024-04-15", "2024-02-29", 0);
    done(&h);
    add(&h, "plan_recorded", "2024-02-28",
        json_pack("{s:s,s:s}", "plan_id", "PL1", "kind", "looked_after"));
    looked_after(&h, "2024-03-31", 0);
    run(wales, &h, "2024-05-01");
    check(ob("la_care_plan", 0), CW_OBLIGATION_OVERDUE, "2024-04-15", NULL, 16);
    done(&h);
}

/* Source: SI 2015/1818 reg 31 (Wales) and SI 2010/959 reg 28 (England):
 * within 1 week of the placement, then at most every 6 weeks in the first
 * year, then at most every 3 months if the placement is to last until 18,
 * otherwise still 6 weeks. Looked after from Tue 31 January 2023; the first
 * visit is due Tue 7 February; visiting on each due date, every 42 days:
 * 21 Mar, 2 May, 13 Jun, 25 Jul, 5 Sep, 17 Oct, 28 Nov 2023, 9 Jan, 20 Feb
 * 2024. The visit of 9 Jan 2024 is before the first anniversary (31 Jan
 * 2024), so 6 weeks still apply; the visit of 20 Feb 2024 is after it: with
 * until_18 the next is due 3 months later, Mon 20 May 2024, and without it 6
 * weeks later, Tue 2 April 2024. */
static void la_visit_in(const cw_rule_pack *p)
{
    static const char *due[] = {"2023-02-07", "2023-03-21", "2023-05-02", "2023-06-13",
                                "2023-07-25", "2023-09-05", "2023-10-17", "2023-11-28",
                                "2024-01-09", "2024-02-20"};
    for (int until_18 = 0; until_18 <= 1; until_18++) {
        hist h = {0};
        looked_after(&h, "2023-01-31", until_18);
        for (size_t i = 0; i < 10; i++)
            visit(&h, due[i], 1, 1, 1);
        run(p, &h, "2024-03-01");
        assert_int_equal(nob("la_visit"), 11);
        for (size_t i = 0; i < 10; i++)
            check(ob("la_visit", i), CW_OBLIGATION_MET_ON_TIME, due[i], due[i], 0);
        check(ob("la_visit", 10), CW_OBLIGATION_OPEN, until_18 ? "2024-05-20" : "2024-04-02", NULL,
              0);
        done(&h);
    }
    /* A late visit moves the schedule: the first, due 7 Feb, made on Fri 10
     * Feb; the next is 6 weeks from 10 Feb, Fri 24 March 2023. A visit where
     * the child was not seen does not count. Ending the placement stops it. */
    hist h = {0};
    looked_after(&h, "2023-01-31", 1);
    visit(&h, "2023-02-08", 0, 0, 0);
    visit(&h, "2023-02-10", 1, 1, 1);
    run(p, &h, "2023-03-27");
    check(ob("la_visit", 0), CW_OBLIGATION_MET_LATE, "2023-02-07", "2023-02-10", 3);
    check(ob("la_visit", 1), CW_OBLIGATION_OVERDUE, "2023-03-24", NULL, 3);
    add(&h, "looked_after_ended", "2023-03-26", json_pack("{s:s}", "reason", "returned_home"));
    run(p, &h, "2023-04-01");
    check(ob("la_visit", 1), CW_OBLIGATION_MISSED, "2023-03-24", NULL, 2);
    assert_int_equal(nob("la_visit"), 2);
    done(&h);
}

static void test_la_visit_wales(void **state)
{
    (void)state;
    la_visit_in(wales);
}

static void test_la_visit_england(void **state)
{
    (void)state;
    la_visit_in(england);
}

static uint64_t placement(hist *h, const char *date, const char *id, int until_18,
                          const char *interim)
{
    json_t *p = json_pack("{s:s,s:s}", "placement_id", id, "placement_type", "kinship");
    if (until_18)
        json_object_set_new(p, "until_18", json_true());
    if (interim)
        json_object_set_new(p, "interim_arrangement", json_string(interim));
    return add(h, "placement_changed", date, p);
}

/* Source: SI 2015/1818 reg 31(2) / SI 2010/959 reg 28(2): "within one week of the start of
 * any placement", then not more than 6 weeks "for the first year of any placement", then
 * 3 months where "the placement" is intended to last until 18. So each placement has its
 * own clock. Looked after Mon 2 January 2023, visited Fri 6 Jan (due Mon 9); the next is
 * due 6 weeks on, Fri 17 February. The child moves on Wed 1 February: that occurrence is
 * not yet due, so it is dropped, and the new placement's first visit is due Wed 8 Feb. */
static void la_visit_per_placement_in(const cw_rule_pack *p)
{
    hist h = {0};
    looked_after(&h, "2023-01-02", 0);
    visit(&h, "2023-01-06", 1, 1, 1);
    uint64_t pc = placement(&h, "2023-02-01", "P2", 1, NULL);
    run(p, &h, "2023-02-10");
    assert_int_equal(nob("la_visit"), 2);
    check(ob("la_visit", 0), CW_OBLIGATION_MET_ON_TIME, "2023-01-09", "2023-01-06", 0);
    const cw_obligation *o = ob("la_visit", 1);
    check(o, CW_OBLIGATION_OVERDUE, "2023-02-08", NULL, 2);
    assert_int_equal(o->started_by, pc);
    /* Visited Thu 9 Feb (1 day late). The placement is to last until 18 (until_18 on the
     * placement_changed): 6-weekly in its first year, then 3-monthly. Visits every 5 weeks
     * from 9 Feb 2023 keep it on time up to the placement's first anniversary (1 Feb 2024). */
    visit(&h, "2023-02-09", 1, 1, 1);
    cw_date d = D("2023-02-09");
    while (d + 35 < D("2024-02-01")) {
        d += 35;
        visit(&h, S(d), 1, 1, 1);
    }
    /* 9 Feb 2023 + 35 x 10 = 25 Jan 2024 is the last visit in the first year; the next,
     * due 6 weeks later on Thu 7 March 2024, is made on Thu 1 Feb 2024, on the
     * anniversary: the one after it is due 3 months on, Wed 1 May 2024. */
    assert_string_equal(S(d), "2024-01-25");
    visit(&h, "2024-02-01", 1, 1, 1);
    run(p, &h, "2024-02-02");
    size_t n = nob("la_visit");
    check(ob("la_visit", n - 2), CW_OBLIGATION_MET_ON_TIME, "2024-03-07", "2024-02-01", 0);
    check(ob("la_visit", n - 1), CW_OBLIGATION_OPEN, "2024-05-01", NULL, 0);
    done(&h);

    /* The same placement pattern from looked_after_started without until_18 but a move to
     * a placement with it: until_18 belongs to each placement. The first placement's own
     * schedule after a year stays 6-weekly (la_visit_in shows it). A move when a visit is
     * already past due: that occurrence is missed, not dropped. Looked after Mon 2 Jan
     * 2023, first visit due Mon 9 Jan, none made; moved Fri 13 Jan. */
    looked_after(&h, "2023-01-02", 0);
    placement(&h, "2023-01-13", "P2", 0, NULL);
    run(p, &h, "2023-01-14");
    check(ob("la_visit", 0), CW_OBLIGATION_MISSED, "2023-01-09", NULL, 4);
    check(ob("la_visit", 1), CW_OBLIGATION_OPEN, "2023-01-20", NULL, 0);
    done(&h);
}

static void test_la_visit_per_placement_wales(void **state)
{
    (void)state;
    la_visit_per_placement_in(wales);
}

static void test_la_visit_per_placement_england(void **state)
{
    (void)state;
    la_visit_per_placement_in(england);
}

/* England. Source: SI 2010/959 reg 29: "On each visit, R must speak to C in private unless"
 * C refuses, R considers it inappropriate having regard to C's age and understanding, or R
 * is unable to. A visit where the child was seen but not alone, with no reason, does not
 * count; one with the reason recorded does. Wales' reg 31 asks only that C is visited (the
 * Welsh regulations put speaking in private on the review, reg 42): both count there. */
static void test_la_visit_in_private_england(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2023-01-02", 0);
    visit(&h, "2023-01-05", 1, 0, 1);
    run(england, &h, "2023-01-10");
    check(ob("la_visit", 0), CW_OBLIGATION_OVERDUE, "2023-01-09", NULL, 1);
    run(wales, &h, "2023-01-10");
    check(ob("la_visit", 0), CW_OBLIGATION_MET_ON_TIME, "2023-01-09", "2023-01-05", 0);
    add(&h, "statutory_visit", "2023-01-10",
        json_pack("{s:b,s:b,s:s,s:s}", "seen", 1, "seen_alone", 0, "not_seen_alone_reason",
                  "Nine months old: too young to be spoken to alone.", "views_not_obtained_reason",
                  "Too young."));
    run(england, &h, "2023-01-11");
    check(ob("la_visit", 0), CW_OBLIGATION_MET_LATE, "2023-01-09", "2023-01-10", 1);
    done(&h);
}

/* Source: SI 2015/1818 reg 31(3), 31(4) / SI 2010/959 reg 28(3), 28(4): "at
 * least once a week until the first review" for a child placed with a parent before the
 * assessment, with a temporarily approved carer, or at home under an interim care order.
 * Looked after Tue 31 January 2023 (temporary approval): due Tue 7 Feb; visited Mon 6; next
 * due Mon 13, visited Tue 14 (1 day late); next due Tue 21; the first review on Mon 20
 * stops the weekly visits (that occurrence not yet due: dropped). A placement without an
 * interim arrangement starts no weekly visits. */
static void la_visit_weekly_in(const cw_rule_pack *p)
{
    hist h = {0};
    json_t *la = json_pack("{s:s,s:s,s:s}", "placement_id", "P1", "placement_type", "kinship",
                           "interim_arrangement", "temporary_approval");
    add(&h, "looked_after_started", "2023-01-31", la);
    visit(&h, "2023-02-06", 1, 1, 1);
    visit(&h, "2023-02-14", 1, 1, 1);
    add(&h, "looked_after_review_held", "2023-02-20", EMPTY);
    run(p, &h, "2023-03-31");
    assert_int_equal(nob("la_visit_weekly"), 2);
    check(ob("la_visit_weekly", 0), CW_OBLIGATION_MET_ON_TIME, "2023-02-07", "2023-02-06", 0);
    check(ob("la_visit_weekly", 1), CW_OBLIGATION_MET_LATE, "2023-02-13", "2023-02-14", 1);
    /* After the review, reg 31(4)(b) / 28(4)(b): "thereafter at intervals of not more than
     * 4 weeks" with a temporarily approved carer, not 6: the visit after Tue 14 Feb is due
     * Tue 14 March, overdue on 31 March. */
    size_t n = nob("la_visit");
    assert_int_equal(n, 3);
    check(ob("la_visit", 2), CW_OBLIGATION_OVERDUE, "2023-03-14", NULL, 17);
    done(&h);
    /* At home under an interim care order the same; with a parent before the assessment
     * (reg 31(3)(b) / 28(3)(b)) 6 weeks: due Tue 28 March. */
    const char *arr[] = {"interim_care_order_at_home", "parent_before_assessment"};
    const char *due[] = {"2023-03-14", "2023-03-28"};
    for (int i = 0; i < 2; i++) {
        add(&h, "looked_after_started", "2023-01-31",
            json_pack("{s:s,s:s,s:s}", "placement_id", "P1", "placement_type", "with_parents",
                      "interim_arrangement", arr[i]));
        visit(&h, "2023-02-06", 1, 1, 1);
        visit(&h, "2023-02-14", 1, 1, 1);
        add(&h, "looked_after_review_held", "2023-02-20", EMPTY);
        run(p, &h, "2023-03-10");
        check(ob("la_visit", 2), CW_OBLIGATION_OPEN, due[i], NULL, 0);
        done(&h);
    }
    /* A move to a placement with a parent before the assessment starts them again; a
     * review not yet held leaves the week's visit overdue. Moved Wed 1 March 2023. */
    looked_after(&h, "2023-01-31", 0);
    placement(&h, "2023-03-01", "P2", 0, "parent_before_assessment");
    run(p, &h, "2023-03-10");
    assert_int_equal(nob("la_visit_weekly"), 1);
    check(ob("la_visit_weekly", 0), CW_OBLIGATION_OVERDUE, "2023-03-08", NULL, 2);
    done(&h);
    looked_after(&h, "2023-01-31", 0);
    run(p, &h, "2023-03-10");
    assert_int_equal(nob("la_visit_weekly"), 0);
    done(&h);
}

static void test_la_visit_weekly_wales(void **state)
{
    (void)state;
    la_visit_weekly_in(wales);
}

static void test_la_visit_weekly_england(void **state)
{
    (void)state;
    la_visit_weekly_in(england);
}

static uint64_t plan_of(hist *h, const char *date, const char *kind)
{
    static int n;
    char id[16];
    snprintf(id, sizeof id, "PP%d", ++n);
    return add(h, "plan_recorded", date, json_pack("{s:s,s:s}", "plan_id", id, "kind", kind));
}

/* Source: SI 2015/1818 reg 10(2) / SI 2010/959 reg 9(2): the placement plan before the
 * placement or "within 5 working days of the start of the placement", for each placement.
 * Looked after Mon 2 October 2023: Tue 3 to Fri 6 (1-4), Mon 9 October (5); plan Fri 6 Oct
 * on time. Moved Fri 1 December: Mon 4 to Fri 8 December (1-5); a plan recorded Tue 28 Nov,
 * within the 1-week lookback, counts as made before the move. Moved again Mon 15 January
 * 2024 with no plan: due Mon 22 January (16-19, 22); on Tue 30 January, 8 days overdue. A
 * looked-after care plan is not a placement plan. */
static void la_placement_plan_in(const cw_rule_pack *p)
{
    hist h = {0};
    looked_after(&h, "2023-10-02", 0);
    plan_of(&h, "2023-10-06", "placement");
    plan_of(&h, "2023-11-28", "placement");
    placement(&h, "2023-12-01", "P2", 0, NULL);
    placement(&h, "2024-01-15", "P3", 0, NULL);
    plan_of(&h, "2024-01-16", "looked_after");
    run(p, &h, "2024-01-30");
    assert_int_equal(nob("la_placement_plan"), 3);
    check(ob("la_placement_plan", 0), CW_OBLIGATION_MET_ON_TIME, "2023-10-09", "2023-10-06", 0);
    check(ob("la_placement_plan", 1), CW_OBLIGATION_MET_ON_TIME, "2023-12-08", "2023-11-28", 0);
    check(ob("la_placement_plan", 2), CW_OBLIGATION_OVERDUE, "2024-01-22", NULL, 8);
    done(&h);
}

static void test_la_placement_plan_wales(void **state)
{
    (void)state;
    la_placement_plan_in(wales);
}

static void test_la_placement_plan_england(void **state)
{
    (void)state;
    la_placement_plan_in(england);
}

/* England. Source: SI 2010/959 reg 4(2): the care plan before the first placement or
 * "within ten working days of the start of the first placement". Looked after Mon 2 October
 * 2023: 3-6 (1-4), 9-13 (5-9), Mon 16 October (10). A placement plan does not meet it. */
static void test_la_care_plan_england(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2023-10-02", 0);
    plan_of(&h, "2023-10-05", "placement");
    run(england, &h, "2023-10-17");
    check(ob("la_care_plan", 0), CW_OBLIGATION_OVERDUE, "2023-10-16", NULL, 1);
    plan_of(&h, "2023-10-17", "looked_after");
    run(england, &h, "2023-10-18");
    check(ob("la_care_plan", 0), CW_OBLIGATION_MET_LATE, "2023-10-16", "2023-10-17", 1);
    done(&h);
}

/* Wales. Source: SI 2015/1818 reg 39(1)-(2): within 20 working days of becoming looked
 * after, then 3 months, then every 6 months. Looked after Wed 31 January 2024: Thu 1 and
 * Fri 2 Feb (1-2), 5-9 (3-7), 12-16 (8-12), 19-23 (13-17), Mon 26 to Wed 28 February 2024
 * (18-20, no holiday in the way); + 3
 * months from that review = Tue 28 May; reviewed Thu 30 May (2 days late); +
 * 6 months = Sat 30 November 2024; reviewed Fri 29 Nov; + 6 months = Thu 29
 * May 2025; on Sun 1 June 2025 3 days overdue. */
static void test_la_review_wales(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2024-01-31", 1);
    add(&h, "looked_after_review_held", "2024-02-28", EMPTY);
    add(&h, "looked_after_review_held", "2024-05-30", EMPTY);
    add(&h, "looked_after_review_held", "2024-11-29", EMPTY);
    run(wales, &h, "2025-06-01");
    assert_int_equal(nob("la_review"), 4);
    check(ob("la_review", 0), CW_OBLIGATION_MET_ON_TIME, "2024-02-28", "2024-02-28", 0);
    check(ob("la_review", 1), CW_OBLIGATION_MET_LATE, "2024-05-28", "2024-05-30", 2);
    check(ob("la_review", 2), CW_OBLIGATION_MET_ON_TIME, "2024-11-30", "2024-11-29", 0);
    check(ob("la_review", 3), CW_OBLIGATION_OVERDUE, "2025-05-29", NULL, 3);
    done(&h);
}

/* England. Source: SI 2010/959 (review of cases): 20 working days, then 3
 * months, then every 6 months. Looked after Fri 24 April 2020: 27 Apr - 1
 * May (1-5), Mon 4 May a working day that year (6), 5-7 (7-9), Fri 8 May VE
 * Day off, 11-15 (10-14), 18-22 (15-19), Mon 25 May spring holiday off, Tue
 * 26 May 2020 (20). Reviewed that day; + 3 months = Wed 26 Aug; reviewed;
 * + 6 months = Fri 26 February 2021. */
static void test_la_review_england(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2020-04-24", 0);
    add(&h, "looked_after_review_held", "2020-05-26", EMPTY);
    add(&h, "looked_after_review_held", "2020-08-26", EMPTY);
    run(england, &h, "2020-09-01");
    assert_int_equal(nob("la_review"), 3);
    check(ob("la_review", 0), CW_OBLIGATION_MET_ON_TIME, "2020-05-26", "2020-05-26", 0);
    check(ob("la_review", 1), CW_OBLIGATION_MET_ON_TIME, "2020-08-26", "2020-08-26", 0);
    check(ob("la_review", 2), CW_OBLIGATION_OPEN, "2021-02-26", NULL, 0);
    /* Wales counts the same 20 working days (SI 2015/1818 reg 39(1); the 28 calendar days
     * the pack once had, from the revoked 2007 regulations, would have made it late). */
    run(wales, &h, "2020-09-01");
    check(ob("la_review", 0), CW_OBLIGATION_MET_ON_TIME, "2020-05-26", "2020-05-26", 0);
    done(&h);
}

/* Wales. Source: PM31, registered with a GP within 10 working days of the
 * placement. Looked after Wed 25 May 2022: Thu 26 (1), Fri 27 (2), Mon 30
 * May (3: a working day in 2022), Tue 31 (4), Wed 1 June (5), Thu 2 and Fri 3
 * June Jubilee holidays, 6-9 (6-9), Fri 10 June 2022 (10). */
static void test_gp_registration_wales(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2022-05-25", 0);
    add(&h, "health_check_recorded", "2022-06-01", json_pack("{s:s}", "kind", "dental_check"));
    add(&h, "health_check_recorded", "2022-06-10", json_pack("{s:s}", "kind", "gp_registration"));
    run(wales, &h, "2022-07-01");
    check(ob("gp_registration", 0), CW_OBLIGATION_MET_ON_TIME, "2022-06-10", "2022-06-10", 0);
    done(&h);
    /* Ended before the due date: dropped; after it: missed. */
    looked_after(&h, "2022-05-25", 0);
    add(&h, "looked_after_ended", "2022-06-01", json_pack("{s:s}", "reason", "returned_home"));
    run(wales, &h, "2022-07-01");
    assert_int_equal(nob("gp_registration"), 0);
    done(&h);
    looked_after(&h, "2022-05-25", 0);
    add(&h, "looked_after_ended", "2022-06-13", json_pack("{s:s}", "reason", "returned_home"));
    run(wales, &h, "2022-07-01");
    check(ob("gp_registration", 0), CW_OBLIGATION_MISSED, "2022-06-10", NULL, 3);
    done(&h);
    /* England's pack has no GP rule (the design gives no England row). */
    looked_after(&h, "2022-05-25", 0);
    run(england, &h, "2022-07-01");
    assert_int_equal(nob("gp_registration"), 0);
    done(&h);
}

/* Wales. Source: PM30, a dentist within 3 months of becoming looked after.
 * 30 Nov 2023 + 3 months = Thu 29 Feb 2024 (leap day); 30 Nov 2022 + 3
 * months = Tue 28 Feb 2023. */
static void test_dentist_wales(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2023-11-30", 0);
    add(&h, "health_check_recorded", "2024-03-01", json_pack("{s:s}", "kind", "dental_check"));
    run(wales, &h, "2024-04-01");
    check(ob("dentist", 0), CW_OBLIGATION_MET_LATE, "2024-02-29", "2024-03-01", 1);
    done(&h);
    looked_after(&h, "2022-11-30", 0);
    add(&h, "health_check_recorded", "2023-02-28", json_pack("{s:s}", "kind", "dental_check"));
    run(wales, &h, "2023-04-01");
    check(ob("dentist", 0), CW_OBLIGATION_MET_ON_TIME, "2023-02-28", "2023-02-28", 0);
    done(&h);
}

/* ---------------------------------------------------------------------- */
/* CSE                                                                     */

/* Wales. Source: SERAF practice (reassess at least every 3 months); 10
 * working days after the concern is a local standard. Missing on Fri 28
 * April 2023: Mon 1 May early May holiday, 2-5 (1-4), Mon 8 May Coronation,
 * 9-12 (5-8), Mon 15 (9), Tue 16 May 2023 (10). */
static void test_cse_risk_assessment_wales(void **state)
{
    (void)state;
    hist h = {0};
    uint64_t m1 = add(&h, "missing_episode", "2023-04-28", json_pack("{s:s}", "episode_id", "M1"));
    /* A second episode while the first is open joins it: one obligation. */
    uint64_t m2 = add(&h, "missing_episode", "2023-05-02", json_pack("{s:s}", "episode_id", "M2"));
    cse(&h, "2023-05-16", 6, 0, 0, NULL); /* mild (6) */
    /* 16 May + 3 months = 16 Aug; assessed 20 Aug (4 days late); next due
     * 20 Nov. The assessment of 1 Oct finds no apparent risk: it meets the
     * third occurrence and stops the cycle. */
    cse(&h, "2023-08-20", 7, 0, 0, NULL);
    run(wales, &h, "2023-09-01");
    assert_int_equal(nob("cse_risk_assessment"), 3);
    const cw_obligation *o = ob("cse_risk_assessment", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2023-05-16", "2023-05-16", 0);
    assert_int_equal(o->started_by, m1);
    check(ob("cse_risk_assessment", 1), CW_OBLIGATION_MET_LATE, "2023-08-16", "2023-08-20", 4);
    check(ob("cse_risk_assessment", 2), CW_OBLIGATION_OPEN, "2023-11-20", NULL, 0);
    (void)m2;
    cse(&h, "2023-10-01", 0, 0, 0, NULL);
    run(wales, &h, "2024-06-01");
    assert_int_equal(nob("cse_risk_assessment"), 3);
    check(ob("cse_risk_assessment", 2), CW_OBLIGATION_MET_ON_TIME, "2023-11-20", "2023-10-01", 0);
    done(&h);
    /* A contact with cse_concern starts it; one without does not. */
    add(&h, "contact_received", "2023-04-28",
        json_pack("{s:s,s:s,s:s,s:b}", "contact_id", "K1", "source", "police", "reason", "r",
                  "cse_concern", 0));
    run(wales, &h, "2023-06-01");
    assert_int_equal(nob("cse_risk_assessment"), 0);
    add(&h, "contact_received", "2023-04-28",
        json_pack("{s:s,s:s,s:s,s:b}", "contact_id", "K2", "source", "police", "reason", "r",
                  "cse_concern", 1));
    run(wales, &h, "2023-06-01");
    check(ob("cse_risk_assessment", 0), CW_OBLIGATION_OVERDUE, "2023-05-16", NULL, 16);
    done(&h);
}

/* England. Source: SI 2010/959 reg 7 and the statutory guidance Promoting the health and
 * wellbeing of looked-after children (2015): the initial assessment before the first review
 * (20 working days), then every 6 months before the 5th birthday and every 12 months from it.
 * Born 1 April 2008 in these histories (see run). Looked after Fri 24 April 2020 at 12: 20
 * working days is Tue 26 May 2020 (as la_review); assessed that day; then 12 months, not 6
 * (the child is over 5): Wed 26 May 2021. A child who turns 5 on the way: born 10 March
 * 2019, looked after Mon 2 March 2020 (aged 0): assessed Mon 30 March (20 working days: 3-6
 * (1-4), 9-13 (5-9), 16-20 (10-14), 23-27 (15-19), Mon 30 (20)); every 6 months: 30 Sep
 * 2020, 30 Mar 2021 ... the one on 30 March 2024 is after the 5th birthday (10 March 2024):
 * the next is due 12 months on, 30 March 2025. */
static void test_la_health_assessment_england(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2020-04-24", 0);
    add(&h, "health_check_recorded", "2020-05-26", json_pack("{s:s}", "kind", "health_assessment"));
    run(england, &h, "2020-06-01");
    check(ob("la_health_assessment", 0), CW_OBLIGATION_MET_ON_TIME, "2020-05-26", "2020-05-26", 0);
    check(ob("la_health_assessment", 1), CW_OBLIGATION_OPEN, "2021-05-26", NULL, 0);
    done(&h);

    looked_after(&h, "2020-03-02", 0);
    const char *when[] = {"2020-03-30", "2020-09-30", "2021-03-30", "2021-09-30", "2022-03-30",
                          "2022-09-30", "2023-03-30", "2023-09-30", "2024-03-30"};
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++)
        add(&h, "health_check_recorded", when[i], json_pack("{s:s}", "kind", "health_assessment"));
    cw_child_history ch = {"C1", D("2019-03-10"), h.ev, h.n};
    cw_error err;
    cw_rule_results_reset(&res);
    assert_int_equal(cw_rules_evaluate(england, &cal, &ch, D("2024-04-01"), &res, &err), CW_OK);
    size_t n = nob("la_health_assessment");
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n - 1; i++)
        check(ob("la_health_assessment", i), CW_OBLIGATION_MET_ON_TIME, when[i], when[i], 0);
    check(ob("la_health_assessment", n - 1), CW_OBLIGATION_OPEN, "2025-03-30", NULL, 0);
    done(&h);
}

/* Wales. Source: a local standard (rules/wales.rules): the Care Planning, Placement and Case
 * Review (Wales) Regulations 2015 (SI 2015/1818) reg 7 provides for the health assessment, but
 * its timing could not be read, so the pack holds England's: by the first review (20 working
 * days, reg 39(1)), then every 6 months before the 5th birthday and every 12 months from it.
 * Born 1 April 2008 (see run). Looked after Fri 24 April 2020: 20 working days is Tue 26 May
 * 2020 (Fri 8 May, VE Day, and Mon 25 May, the spring holiday, skipped: 27-30 April (1-4),
 * 1 May (5), 4-7 (6-9), 11-15 (10-14), 18-22 (15-19), Tue 26 (20)). Assessed Wed 27 May: a
 * day late; the next in 12 months (aged 12), Thu 27 May 2021. A dental check does not meet
 * it. */
static void test_la_health_assessment_wales(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2020-04-24", 0);
    add(&h, "health_check_recorded", "2020-05-01", json_pack("{s:s}", "kind", "dental_check"));
    add(&h, "health_check_recorded", "2020-05-27", json_pack("{s:s}", "kind", "health_assessment"));
    run(wales, &h, "2020-06-01");
    assert_int_equal(nob("la_health_assessment"), 2);
    check(ob("la_health_assessment", 0), CW_OBLIGATION_MET_LATE, "2020-05-26", "2020-05-27", 1);
    check(ob("la_health_assessment", 1), CW_OBLIGATION_OPEN, "2021-05-27", NULL, 0);
    done(&h);
}

/* Runs with the child's date of birth. */
static void run_born(const cw_rule_pack *p, const hist *h, const char *dob, const char *as_of)
{
    cw_child_history ch = {"C1", D(dob), h->ev, h->n};
    cw_error err;
    cw_error_clear(&err);
    cw_rule_results_reset(&res);
    if (cw_rules_evaluate(p, &cal, &ch, D(as_of), &res, &err))
        fail_msg("evaluate: %s", err.msg);
}

static uint64_t school_move(hist *h, const char *date)
{
    return add(h, "placement_changed", date,
               json_pack("{s:s,s:s,s:b}", "placement_id", "P2", "placement_type", "foster",
                         "school_changed", 1));
}

/* Wales. Source: a local standard (rules/wales.rules): the personal education plan is part of
 * the care and support plan (Social Services and Well-being (Wales) Act 2014 s.83(2A)); "within
 * 20 school days of becoming looked after or of joining a new school", counted as 20 working
 * days; reviewed at least every 6 months; for ages 5 to 16. Born 1 April 2008 (aged 11).
 * Looked after Mon 2 September 2019: 3-6 Sep (1-4), 9-13 (5-9), 16-20 (10-14), 23-27 (15-19),
 * due Mon 30 September. The care plan (kind looked_after) does not meet it; the PEP on Fri 27
 * September does, and the next is due 6 months on, Fri 27 March 2020. A change of school on
 * Mon 2 March 2020 drops that one (not yet due) and starts a new plan's clock: 3-6 Mar (1-4),
 * 9-13 (5-9), 16-20 (10-14), 23-27 (15-19), due Mon 30 March; on 1 April 2020 it is 2 days
 * overdue. */
static void test_pep_wales(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2019-09-02", 0);
    plan_of(&h, "2019-09-03", "looked_after");
    plan_of(&h, "2019-09-27", "personal_education");
    school_move(&h, "2020-03-02");
    run(wales, &h, "2020-04-01");
    assert_int_equal(nob("pep"), 2);
    check(ob("pep", 0), CW_OBLIGATION_MET_ON_TIME, "2019-09-30", "2019-09-27", 0);
    check(ob("pep", 1), CW_OBLIGATION_OVERDUE, "2020-03-30", NULL, 2);
    done(&h);

    /* Aged 4 when looked after (born 10 June 2015): the plan is owed from the 5th birthday,
     * Wed 10 June 2020, 20 working days on: 11-12 June (1-2), 15-19 (3-7), 22-26 (8-12), 29
     * June-3 July (13-17), 6-8 July (18-20): Wed 8 July. A child aged 16 when looked after is
     * owed none. */
    looked_after(&h, "2019-09-02", 0);
    run_born(wales, &h, "2015-06-10", "2020-04-01");
    assert_int_equal(nob("pep"), 1);
    check(ob("pep", 0), CW_OBLIGATION_OPEN, "2020-07-08", NULL, 0);
    run_born(wales, &h, "2015-06-10", "2020-07-09");
    check(ob("pep", 0), CW_OBLIGATION_OVERDUE, "2020-07-08", NULL, 1);
    run_born(wales, &h, "2003-06-10", "2020-04-01");
    assert_int_equal(nob("pep"), 0);
    done(&h);

    /* Aged 15 (born 20 April 2004): the review due 27 March 2020 is before the 16th birthday
     * (20 April 2020) and met on 20 March; the next would fall due 20 September 2020, after
     * it, so none is opened. */
    looked_after(&h, "2019-09-02", 0);
    plan_of(&h, "2019-09-27", "personal_education");
    plan_of(&h, "2020-03-20", "personal_education");
    run_born(wales, &h, "2004-04-20", "2020-10-01");
    assert_int_equal(nob("pep"), 2);
    check(ob("pep", 0), CW_OBLIGATION_MET_ON_TIME, "2019-09-30", "2019-09-27", 0);
    check(ob("pep", 1), CW_OBLIGATION_MET_ON_TIME, "2020-03-27", "2020-03-20", 0);
    done(&h);

    /* No date of birth recorded: the plan is owed (a child of unknown age is not left out). */
    looked_after(&h, "2019-09-02", 0);
    cw_child_history ch = {"C1", 0, h.ev, h.n};
    cw_error err;
    cw_rule_results_reset(&res);
    assert_int_equal(cw_rules_evaluate(wales, &cal, &ch, D("2019-10-01"), &res, &err), CW_OK);
    assert_int_equal(nob("pep"), 1);
    check(ob("pep", 0), CW_OBLIGATION_OVERDUE, "2019-09-30", NULL, 1);
    done(&h);
}

/* England. Source: the DfE statutory guidance "Promoting the education of looked-after
 * children and previously looked-after children" (2018), as local procedures quote it: the PEP
 * available for the first review (20 working days), reviewed each term (every 4 months: a local
 * standard). Looked after Mon 2 September 2019 (aged 11): due Mon 30 September (as in Wales);
 * met Fri 27 September; the next due 4 months on, Mon 27 January 2020; met Fri 24 January; the
 * next due Sun 24 May 2020, 8 days overdue on 1 June. Care ending stops the clock: ended on 10
 * June with the review still unmet, it is missed. */
static void test_pep_england(void **state)
{
    (void)state;
    hist h = {0};
    looked_after(&h, "2019-09-02", 0);
    plan_of(&h, "2019-09-27", "personal_education");
    plan_of(&h, "2020-01-24", "personal_education");
    run(england, &h, "2020-06-01");
    assert_int_equal(nob("pep"), 3);
    check(ob("pep", 0), CW_OBLIGATION_MET_ON_TIME, "2019-09-30", "2019-09-27", 0);
    check(ob("pep", 1), CW_OBLIGATION_MET_ON_TIME, "2020-01-27", "2020-01-24", 0);
    check(ob("pep", 2), CW_OBLIGATION_OVERDUE, "2020-05-24", NULL, 8);
    add(&h, "looked_after_ended", "2020-06-10", json_pack("{s:s}", "reason", "returned_home"));
    run(england, &h, "2020-07-01");
    check(ob("pep", 2), CW_OBLIGATION_MISSED, "2020-05-24", NULL, 17);
    done(&h);
}

/* Wales. Source: a local standard (rules/wales.rules): the Social Services and Well-being
 * (Wales) Act 2014 s.54(3) keeps care and support plans under review, and the Care and Support
 * (Care Planning) (Wales) Regulations 2015 reg 3(1)(e) leaves the arrangements for review to
 * the plan; the pack reviews a child's plan at least every 3 months. A plan on Tue 14 January
 * 2020 is due its review Tue 14 April; recorded again Thu 9 April (a review: a new plan_id, as
 * plan_id must be new); the next due Thu 9 July. Looked after from Mon 1 June: the clock ends
 * (the review not yet due is dropped). A plan on Wed 30 November 2022 is due its review on Tue
 * 28 February 2023 (no 30 February); registered at the initial conference on Wed 15 March
 * 2023 with no review: missed, 15 days after it was due. */
static void test_cin_plan_review_wales(void **state)
{
    (void)state;
    hist h = {0};
    plan_of(&h, "2020-01-14", "care_and_support");
    plan_of(&h, "2020-04-09", "care_and_support");
    looked_after(&h, "2020-06-01", 0);
    run(wales, &h, "2020-12-01");
    assert_int_equal(nob("cin_plan_review"), 1);
    check(ob("cin_plan_review", 0), CW_OBLIGATION_MET_ON_TIME, "2020-04-14", "2020-04-09", 0);
    done(&h);

    plan_of(&h, "2022-11-30", "care_and_support");
    conference(&h, "2023-03-15", "initial", "register");
    run(wales, &h, "2023-06-01");
    assert_int_equal(nob("cin_plan_review"), 1);
    check(ob("cin_plan_review", 0), CW_OBLIGATION_MISSED, "2023-02-28", NULL, 15);
    done(&h);
}

/* England. Source: a local standard (rules/england.rules): Working Together to Safeguard
 * Children 2023 sets no interval for reviewing a child in need plan; the pack reviews it at
 * least every 3 months. A plan on Tue 14 January 2020 is due its review Tue 14 April; reviewed
 * Mon 20 April, 6 days late; the next due Mon 20 July. The case closed on Wed 1 July: ended by
 * the closure, not yet due. A child protection plan is not a child in need plan. */
static void test_cin_plan_review_england(void **state)
{
    (void)state;
    hist h = {0};
    plan_of(&h, "2020-01-14", "care_and_support");
    plan_of(&h, "2020-02-14", "child_protection");
    plan_of(&h, "2020-04-20", "care_and_support");
    add(&h, "case_closed", "2020-07-01", json_pack("{s:s}", "reason", "no_further_action"));
    run(england, &h, "2020-08-01");
    assert_int_equal(nob("cin_plan_review"), 2);
    check(ob("cin_plan_review", 0), CW_OBLIGATION_MET_LATE, "2020-04-14", "2020-04-20", 6);
    check(ob("cin_plan_review", 1), CW_OBLIGATION_ENDED_BY_CLOSURE, "2020-07-20", NULL, 0);
    done(&h);
}

static uint64_t missing(hist *h, const char *date, const char *id, const char *returned)
{
    json_t *p = json_pack("{s:s}", "episode_id", id);
    if (returned)
        json_object_set_new(p, "returned", json_string(returned));
    return add(h, "missing_episode", date, p);
}

/* Source: Wales: a local standard, as the WSP practice guide on children who go missing
 * (section 6, c6-p9) recommends; England: DfE, "Children who run away or go missing from home
 * or care" (2014): a return interview offered within 72 hours of the return, read as 3 days
 * from the day of the return. Missing Fri 1 March 2024, returned Mon 4 March: due Thu 7
 * March. Offered on Wed 6 March and declined: the duty is met. Still missing (no
 * `returned`): no clock yet. Another episode's interview does not meet it. */
static void return_interview_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t m = missing(&h, "2024-03-01", "M1", "2024-03-04");
    uint64_t ri = add(&h, "return_interview", "2024-03-06",
                      json_pack("{s:s,s:s,s:b}", "episode_id", "M1", "conducted_by",
                                "Independent return interview service", "accepted", 0));
    missing(&h, "2024-03-10", "M2", NULL);
    run(p, &h, "2024-03-20");
    assert_int_equal(nob("return_interview"), 1);
    const cw_obligation *o = ob("return_interview", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2024-03-07", "2024-03-06", 0);
    assert_int_equal(o->started_by, m);
    assert_int_equal(o->met_by, ri);
    done(&h);
    missing(&h, "2024-03-01", "M1", "2024-03-04");
    missing(&h, "2024-03-02", "M2", "2024-03-02");
    add(&h, "return_interview", "2024-03-06",
        json_pack("{s:s,s:s,s:b}", "episode_id", "M2", "conducted_by", "Worker", "accepted", 1));
    run(p, &h, "2024-03-09");
    check(ob("return_interview", 1), CW_OBLIGATION_OVERDUE, "2024-03-07", NULL, 2);
    done(&h);
}

static void test_return_interview_wales(void **state)
{
    (void)state;
    return_interview_in(wales);
}

static void test_return_interview_england(void **state)
{
    (void)state;
    return_interview_in(england);
}

/* ---- Care leavers (issue 12 item 6) ---- */

static uint64_t leaving_care(hist *h, const char *date, const char *status, int accommodated)
{
    json_t *p = json_pack("{s:s}", "status", status);
    if (accommodated >= 0)
        json_object_set_new(p, "accommodated_by_authority", json_boolean(accommodated));
    return add(h, "leaving_care_status", date, p);
}

static uint64_t needs_assessment(hist *h, const char *date)
{
    return add(h, "needs_assessment_completed", date,
               json_pack("{s:s}", "views", "Wants to stay near college"));
}

static uint64_t pathway(hist *h, const char *date, const char *id)
{
    return add(h, "plan_recorded", date, json_pack("{s:s,s:s}", "plan_id", id, "kind", "pathway"));
}

/* Source: Wales: Care Planning, Placement and Case Review (Wales) Regulations 2015 (SI
 * 2015/1818) reg 49(1) and Care Leavers (Wales) Regulations 2015 (SI 2015/1820) reg 5(2);
 * England: Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959)
 * reg 42(1) and Care Leavers (England) Regulations 2010 (SI 2010/2571) reg 5(2)(b): the needs
 * assessment not more than 3 months after the young person becomes eligible (category 1: the
 * 16th birthday), category 2 (Wales), or the authority is told of a former relevant young
 * person's education or training (category 4; s.23CA).
 * She turns 16 on Mon 1 April 2024 (eligible): due Mon 1 July; assessed Fri 28 June, on time.
 * She leaves care on Fri 30 August (relevant; category 2): in Wales due Sat 30 November,
 * overdue 2 days on Mon 2 December; in England a relevant child with a pathway plan is not
 * assessed again (reg 5(2)(a)), so nothing. Qualifying starts nothing. Told on Thu 30
 * November 2023 of a former relevant young person's college course: due Thu 29 February 2024
 * (the month's last day), 1 day overdue on 1 March, in both. */
static void leaving_care_assessment_in(const cw_rule_pack *p, int wales_pack)
{
    hist h = {0};
    uint64_t s = leaving_care(&h, "2024-04-01", "eligible", -1);
    uint64_t a = needs_assessment(&h, "2024-06-28");
    leaving_care(&h, "2024-08-30", "relevant", 0);
    leaving_care(&h, "2024-09-02", "qualifying", 0);
    run(p, &h, "2024-12-02");
    assert_int_equal(nob("leaving_care_assessment"), wales_pack ? 2 : 1);
    const cw_obligation *o = ob("leaving_care_assessment", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2024-07-01", "2024-06-28", 0);
    assert_int_equal(o->started_by, s);
    assert_int_equal(o->met_by, a);
    if (wales_pack)
        check(ob("leaving_care_assessment", 1), CW_OBLIGATION_OVERDUE, "2024-11-30", NULL, 2);
    done(&h);
    leaving_care(&h, "2023-11-30", "former_relevant_education", 0);
    run(p, &h, "2024-03-01");
    assert_int_equal(nob("leaving_care_assessment"), 1);
    check(ob("leaving_care_assessment", 0), CW_OBLIGATION_OVERDUE, "2024-02-29", NULL, 1);
    done(&h);
}

static void test_leaving_care_assessment_wales(void **state)
{
    (void)state;
    leaving_care_assessment_in(wales, 1);
}

static void test_leaving_care_assessment_england(void **state)
{
    (void)state;
    leaving_care_assessment_in(england, 0);
}

/* Source: local standard in both packs (the timing of SI 2015/1818 reg 51, SI 2015/1820 reg 6,
 * SI 2010/959 reg 43 and SI 2010/2571 reg 6 was not read): the pathway plan within 1 month of
 * the needs assessment. Assessed Fri 28 June 2024: due Sun 28 July; a looked-after care plan
 * on 10 July does not meet it; the pathway plan on Mon 29 July is 1 day late. */
static void pathway_plan_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t a = needs_assessment(&h, "2024-06-28");
    add(&h, "plan_recorded", "2024-07-10",
        json_pack("{s:s,s:s}", "plan_id", "P1", "kind", "looked_after"));
    uint64_t pp = pathway(&h, "2024-07-29", "P2");
    run(p, &h, "2024-08-01");
    assert_int_equal(nob("pathway_plan"), 1);
    const cw_obligation *o = ob("pathway_plan", 0);
    check(o, CW_OBLIGATION_MET_LATE, "2024-07-28", "2024-07-29", 1);
    assert_int_equal(o->started_by, a);
    assert_int_equal(o->met_by, pp);
    done(&h);
}

static void test_pathway_plan_wales(void **state)
{
    (void)state;
    pathway_plan_in(wales);
}

static void test_pathway_plan_england(void **state)
{
    (void)state;
    pathway_plan_in(england);
}

/* Source: local standard in both packs, as the Care Leavers (Wales) Regulations 2015 reg 7 and
 * the Care Leavers (England) Regulations 2010 reg 7 are believed to require (their text was
 * not read): a pathway plan reviewed at least every 6 months, each review recording the plan
 * again. Plan Mon 29 July 2024: review due Wed 29 January 2025; reviewed Tue 14 January, on
 * time; the next due Mon 14 July 2025, 6 days overdue on Sun 20 July. The review joins the
 * running clock rather than starting a second one. */
static void pathway_plan_review_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t p1 = pathway(&h, "2024-07-29", "P1");
    uint64_t p2 = pathway(&h, "2025-01-14", "P2");
    run(p, &h, "2025-07-20");
    assert_int_equal(nob("pathway_plan_review"), 2);
    const cw_obligation *o = ob("pathway_plan_review", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2025-01-29", "2025-01-14", 0);
    assert_int_equal(o->started_by, p1);
    assert_int_equal(o->met_by, p2);
    o = ob("pathway_plan_review", 1);
    check(o, CW_OBLIGATION_OVERDUE, "2025-07-14", NULL, 6);
    assert_int_equal(o->started_by, p2);
    done(&h);
}

static void test_pathway_plan_review_wales(void **state)
{
    (void)state;
    pathway_plan_review_in(wales);
}

static void test_pathway_plan_review_england(void **state)
{
    (void)state;
    pathway_plan_review_in(england);
}

/* Source: Wales: Care Leavers (Wales) Regulations 2015 (SI 2015/1820) reg 8(2); England: Care
 * Leavers (England) Regulations 2010 (SI 2010/2571) reg 8(2): where the authority provides the
 * accommodation, the personal adviser visits within 7 days of its first being provided, then
 * at intervals of not more than two months. An eligible child (still looked after) in the
 * authority's accommodation starts nothing (reg 31 or reg 28 visits apply). Relevant and
 * accommodated from Mon 2 September 2024: due Mon 9 September; seen Fri 6 September, on time;
 * next due Wed 6 November; a call on 1 November without seeing her does not meet it; seen Thu
 * 7 November, 1 day late; next due Tue 7 January 2025. A new status still accommodated (1
 * December) joins the clock; the status of Fri 10 January 2025 without the accommodation ends
 * it, the visit due 7 January missed by 3 days. */
static void pa_visit_in(const cw_rule_pack *p)
{
    hist h = {0};
    leaving_care(&h, "2024-08-01", "eligible", 1);
    uint64_t s = leaving_care(&h, "2024-09-02", "relevant", 1);
    const char *pa = "Leaving care team";
    uint64_t v1 = add(&h, "personal_adviser_visit", "2024-09-06",
                      json_pack("{s:s,s:b}", "adviser", pa, "seen", 1));
    add(&h, "personal_adviser_visit", "2024-11-01",
        json_pack("{s:s,s:b}", "adviser", pa, "seen", 0));
    uint64_t v2 = add(&h, "personal_adviser_visit", "2024-11-07",
                      json_pack("{s:s,s:b}", "adviser", pa, "seen", 1));
    leaving_care(&h, "2024-12-01", "former_relevant", 1);
    run(p, &h, "2025-01-08");
    assert_int_equal(nob("pa_visit"), 3);
    check(ob("pa_visit", 2), CW_OBLIGATION_OVERDUE, "2025-01-07", NULL, 1);
    leaving_care(&h, "2025-01-10", "former_relevant", -1);
    run(p, &h, "2025-02-01");
    assert_int_equal(nob("pa_visit"), 3);
    const cw_obligation *o = ob("pa_visit", 0);
    check(o, CW_OBLIGATION_MET_ON_TIME, "2024-09-09", "2024-09-06", 0);
    assert_int_equal(o->started_by, s);
    assert_int_equal(o->met_by, v1);
    o = ob("pa_visit", 1);
    check(o, CW_OBLIGATION_MET_LATE, "2024-11-06", "2024-11-07", 1);
    assert_int_equal(o->started_by, v1);
    assert_int_equal(o->met_by, v2);
    check(ob("pa_visit", 2), CW_OBLIGATION_MISSED, "2025-01-07", NULL, 3);
    done(&h);
}

static void test_pa_visit_wales(void **state)
{
    (void)state;
    pa_visit_in(wales);
}

static void test_pa_visit_england(void **state)
{
    (void)state;
    pa_visit_in(england);
}

/* Signal, local standard: three or more missing episodes within 90 days without a strategy
 * discussion. Episodes on 5 January, 10 February and 20 March 2024 (20 March - 90 days = 21
 * December 2023): raised from 21 March; cleared by a strategy discussion on 25 March. Two
 * episodes, or three spread over more than 90 days, raise nothing. */
static void repeat_missing_in(const cw_rule_pack *p)
{
    hist h = {0};
    missing(&h, "2024-01-05", "M1", "2024-01-06");
    missing(&h, "2024-02-10", "M2", "2024-02-10");
    run(p, &h, "2024-03-19");
    assert_null(sig("repeat_missing"));
    uint64_t m3 = missing(&h, "2024-03-20", "M3", "2024-03-21");
    run(p, &h, "2024-03-22");
    const cw_signal *s = must_sig("repeat_missing");
    assert_string_equal(S(s->since), "2024-03-21");
    assert_true(has_evidence(s, m3));
    add(&h, "strategy_discussion_held", "2024-03-25",
        json_pack("{s:s,s:s,s:b}", "strategy_id", "S1", "decision", "other", "cse", 1));
    run(p, &h, "2024-03-26");
    assert_null(sig("repeat_missing"));
    done(&h);
    missing(&h, "2023-12-01", "M1", "2023-12-01");
    missing(&h, "2024-02-10", "M2", "2024-02-10");
    missing(&h, "2024-03-20", "M3", "2024-03-21");
    run(p, &h, "2024-03-22");
    assert_null(sig("repeat_missing"));
    done(&h);
}

static void test_repeat_missing_wales(void **state)
{
    (void)state;
    repeat_missing_in(wales);
}

static void test_repeat_missing_england(void **state)
{
    (void)state;
    repeat_missing_in(england);
}

/* Signal: a CSE indicator without a CSE risk assessment within the pack's
 * standard (10 working days, local). Same dates as above: due Tue 16 May
 * 2023, raised from Wed 17 May. */
static void cse_concern_unassessed_in(const cw_rule_pack *p)
{
    static const char *types[] = {"missing_episode", "referral_received", "contact_received",
                                  "strategy_discussion_held"};
    for (size_t k = 0; k < 4; k++) {
        hist h = {0};
        json_t *pl =
            !strcmp(types[k], "missing_episode") ? json_pack("{s:s}", "episode_id", "M1")
            : !strcmp(types[k], "strategy_discussion_held")
                ? json_pack("{s:s,s:s,s:b}", "strategy_id", "S1", "decision", "other", "cse", 1)
                : json_pack("{s:s,s:s,s:s,s:s,s:b}", "referral_id", "R1", "contact_id", "K1",
                            "source", "police", "reason", "r", "cse_concern", 1);
        if (!strcmp(types[k], "referral_received"))
            json_object_del(pl, "contact_id");
        if (!strcmp(types[k], "contact_received"))
            json_object_del(pl, "referral_id");
        uint64_t e = add(&h, types[k], "2023-04-28", pl);
        run(p, &h, "2023-05-16");
        assert_null(sig("cse_concern_unassessed"));
        run(p, &h, "2023-05-17");
        const cw_signal *s = sig("cse_concern_unassessed");
        if (!s)
            fail_msg("no signal for %s", types[k]);
        assert_string_equal(S(s->since), "2023-05-17");
        assert_int_equal(s->nevidence, 1);
        assert_int_equal(s->evidence[0], e);
        check_escalation(s->escalation_level, s->escalate_to, 1, "team_manager");
        /* Clean: assessed on the due date. */
        cse(&h, "2023-05-16", 0, 0, 0, NULL);
        run(p, &h, "2023-06-30");
        assert_null(sig("cse_concern_unassessed"));
        done(&h);
    }
    /* No indicator: a referral without cse_concern, a strategy discussion
     * without cse. */
    hist h = {0};
    referral(&h, "2023-04-28", "R1");
    add(&h, "strategy_discussion_held", "2023-04-28",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    run(p, &h, "2023-06-30");
    assert_null(sig("cse_concern_unassessed"));
    done(&h);
    /* An assessment more than 3 months before the indicator does not answer it (28 Apr - 3
     * months = 28 Jan; 20 Jan is before); two episodes, both in the evidence. */
    cse(&h, "2023-01-20", 0, 0, 0, NULL);
    uint64_t m1 = add(&h, "missing_episode", "2023-04-28", json_pack("{s:s}", "episode_id", "M1"));
    uint64_t m2 = add(&h, "missing_episode", "2023-05-03", json_pack("{s:s}", "episode_id", "M2"));
    run(p, &h, "2023-05-23");
    const cw_signal *s = must_sig("cse_concern_unassessed");
    assert_int_equal(s->nevidence, 2);
    assert_int_equal(s->evidence[0], m1);
    assert_int_equal(s->evidence[1], m2);
    /* 23 May is 7 days after 16 May: ladder 1, 3, 5 at head_of_service. */
    check_escalation(s->escalation_level, s->escalate_to, 3, "head_of_service");
    done(&h);
    /* One within the 3 months still stands (SERAF: reassessed at least every 3 months): a
     * strategy discussion held because of an assessment of moderate risk starts no fresh
     * clock, for the signal or the obligation (Wales). */
    cse(&h, "2023-04-01", 6, 0, 1, NULL);
    add(&h, "strategy_discussion_held", "2023-04-05",
        json_pack("{s:s,s:s,s:b}", "strategy_id", "S1", "decision", "other", "cse", 1));
    run(p, &h, "2023-06-01");
    assert_null(sig("cse_concern_unassessed"));
    if (p == wales)
        /* 10 working days from Wed 5 April 2023: Thu 6 (1), Good Friday and Easter Monday
         * off, 11-14 (2-5), 17-21 (6-10) */
        check(ob("cse_risk_assessment", 0), CW_OBLIGATION_MET_ON_TIME, "2023-04-21", "2023-04-01",
              0);
    done(&h);
}

static void test_cse_concern_unassessed_wales(void **state)
{
    (void)state;
    cse_concern_unassessed_in(wales);
}

static void test_cse_concern_unassessed_england(void **state)
{
    (void)state;
    cse_concern_unassessed_in(england);
}

/* Signal: a CSE band of moderate or above (SERAF score: vulnerabilities and
 * moderate indicators 1 each, significant indicators 5; 11-15 moderate, 16+
 * significant; an override wins) without a strategy discussion on or after
 * it. Source: SERAF practice. Raised from the day after the assessment. */
/* SERAF scoring guidance: a significant indicator scores 5 while present in the last 6
 * months and 1 when 6 to 12 months old, so the band is recomputed as the indicators age
 * (cse_band_aged, the engine's own event, 6 and 12 months after an assessment no later one
 * replaced). The band falling below moderate ends cse_band_no_strategy; an override does not
 * age. */
static void cse_band_ageing_in(const cw_rule_pack *p)
{
    /* 1 + 2 x 5 = 11, moderate; from 1 Aug, 6 months on, 1 + 2 = 3: ended that day. */
    hist h = {0};
    uint64_t a = cse(&h, "2024-02-01", 1, 0, 2, NULL);
    run(p, &h, "2024-07-31");
    const cw_signal *s = sig("cse_band_no_strategy");
    assert_non_null(s);
    assert_int_equal(s->nevidence, 1);
    assert_int_equal(s->evidence[0], a);
    run(p, &h, "2024-08-01");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    /* 8 + 2 + 5 = 15, moderate; 6 months on 8 + 2 + 1 = 11, still moderate; 12 months on 10,
     * mild. */
    cse(&h, "2024-02-01", 8, 2, 1, NULL);
    run(p, &h, "2024-09-01");
    assert_non_null(sig("cse_band_no_strategy"));
    run(p, &h, "2025-01-31");
    assert_non_null(sig("cse_band_no_strategy"));
    run(p, &h, "2025-02-01");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    /* An indicator 6 to 12 months old at the assessment scores nothing 6 months on:
     * 10 + 1 = 11, moderate, then 10, mild. */
    json_t *pl = json_pack("{s:[],s:[],s:[],s:[s]}", "vulnerabilities", "moderate_indicators",
                           "significant_indicators", "significant_indicators_earlier", "i2_0");
    for (int v = 0; v < 10; v++)
        json_array_append_new(json_object_get(pl, "vulnerabilities"), json_sprintf("v%d", v));
    add(&h, "cse_risk_assessment", "2024-02-01", pl);
    run(p, &h, "2024-07-31");
    assert_non_null(sig("cse_band_no_strategy"));
    run(p, &h, "2024-08-01");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    /* A reassessment replaces the first: its indicators age from its own date (1 Nov). */
    cse(&h, "2024-02-01", 1, 0, 2, NULL);
    cse(&h, "2024-05-01", 1, 0, 2, NULL);
    run(p, &h, "2024-08-15");
    assert_non_null(sig("cse_band_no_strategy"));
    run(p, &h, "2024-10-31");
    assert_non_null(sig("cse_band_no_strategy"));
    run(p, &h, "2024-11-01");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    /* A professional override is a judgement, not a sum: it stands until the next
     * assessment. */
    cse(&h, "2024-02-01", 1, 0, 2, "significant");
    run(p, &h, "2025-06-01");
    assert_non_null(sig("cse_band_no_strategy"));
    done(&h);
}

static void cse_band_no_strategy_in(const cw_rule_pack *p)
{
    struct {
        int vul, mod, sig_;
        const char *override;
        int raised;
    } cases[] = {
        {6, 0, 1, NULL, 1},       /* 6 + 5 = 11: moderate */
        {5, 5, 0, NULL, 0},       /* 10: mild */
        {0, 0, 4, NULL, 1},       /* 20: significant */
        {0, 0, 0, "moderate", 1}, /* override up */
        {0, 0, 4, "mild", 0},     /* override down */
        {15, 0, 0, NULL, 1},      /* 15: moderate */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hist h = {0};
        uint64_t a =
            cse(&h, "2024-02-01", cases[i].vul, cases[i].mod, cases[i].sig_, cases[i].override);
        run(p, &h, "2024-02-01");
        assert_null(sig("cse_band_no_strategy"));
        run(p, &h, "2024-02-05");
        const cw_signal *s = sig("cse_band_no_strategy");
        if ((s != NULL) != cases[i].raised)
            fail_msg("case %zu: raised %d, expected %d", i, s != NULL, cases[i].raised);
        if (s) {
            assert_string_equal(S(s->since), "2024-02-02");
            assert_int_equal(s->nevidence, 1);
            assert_int_equal(s->evidence[0], a);
            /* 4 days after 1 Feb: ladder 1, 2, 3 at head_of_service. */
            check_escalation(s->escalation_level, s->escalate_to, 3, "head_of_service");
        }
        done(&h);
    }
    /* SERAF scoring guidance: a significant indicator present 6-12 months ago but not in the
     * last 6 months scores 1 (significant_indicators_earlier); one in both columns 6. Six
     * vulnerabilities, one significant indicator now and 6 to 12 months ago: 6 + 5 + 1 = 12,
     * moderate; without the earlier column 11, moderate too; five vulnerabilities and one
     * earlier indicator only: 6, mild, not raised. */
    for (int k = 0; k < 2; k++) {
        hist h = {0};
        json_t *pl = json_pack("{s:[],s:[],s:[],s:[s]}", "vulnerabilities", "moderate_indicators",
                               "significant_indicators", "significant_indicators_earlier", "i2_0");
        for (int v = 0; v < (k ? 6 : 5); v++)
            json_array_append_new(json_object_get(pl, "vulnerabilities"), json_sprintf("v%d", v));
        if (k)
            json_array_append_new(json_object_get(pl, "significant_indicators"),
                                  json_string("i2_0"));
        add(&h, "cse_risk_assessment", "2024-02-01", pl);
        run(p, &h, "2024-02-05");
        assert_int_equal(sig("cse_band_no_strategy") != NULL, k);
        done(&h);
    }
    /* Clean: a strategy discussion the same day, or later (then it stops
     * being raised). One the day before does not count. */
    hist h = {0};
    cse(&h, "2024-02-01", 0, 0, 4, NULL);
    add(&h, "strategy_discussion_held", "2024-02-01",
        json_pack("{s:s,s:s,s:b}", "strategy_id", "S1", "decision", "section_47", "cse", 1));
    run(p, &h, "2024-03-01");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    add(&h, "strategy_discussion_held", "2024-01-31",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    cse(&h, "2024-02-01", 0, 0, 4, NULL);
    run(p, &h, "2024-02-10");
    assert_non_null(sig("cse_band_no_strategy"));
    add(&h, "strategy_discussion_held", "2024-02-12",
        json_pack("{s:s,s:s}", "strategy_id", "S2", "decision", "section_47"));
    run(p, &h, "2024-02-20");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    /* A reassessment banded mild ends it. */
    cse(&h, "2024-02-01", 0, 0, 4, NULL);
    cse(&h, "2024-02-08", 6, 0, 0, NULL);
    run(p, &h, "2024-02-20");
    assert_null(sig("cse_band_no_strategy"));
    done(&h);
    cse_band_ageing_in(p);
}

static void test_cse_band_no_strategy_wales(void **state)
{
    (void)state;
    cse_band_no_strategy_in(wales);
}

static void test_cse_band_no_strategy_england(void **state)
{
    (void)state;
    cse_band_no_strategy_in(england);
}

/* ---------------------------------------------------------------------- */
/* Other signals                                                           */

/* Three or more contacts/referrals in 12 months without an assessment
 * started in that time (local standard). */
static void repeat_contacts_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t c1 =
        add(&h, "contact_received", "2023-01-10",
            json_pack("{s:s,s:s,s:s}", "contact_id", "K1", "source", "school", "reason", "r"));
    uint64_t c2 = referral(&h, "2023-06-01", "R1");
    uint64_t c3 =
        add(&h, "contact_received", "2024-01-10",
            json_pack("{s:s,s:s,s:s}", "contact_id", "K3", "source", "health", "reason", "r"));
    /* 10 Jan 2024 - 12 months = 10 Jan 2023: the first contact is in the
     * window. The signal is raised from the day after the third. */
    run(p, &h, "2024-01-10");
    assert_null(sig("repeat_contacts"));
    run(p, &h, "2024-01-11");
    const cw_signal *s = must_sig("repeat_contacts");
    assert_string_equal(S(s->since), "2024-01-11");
    assert_int_equal(s->nevidence, 3);
    assert_int_equal(s->evidence[0], c1);
    assert_int_equal(s->evidence[1], c2);
    assert_int_equal(s->evidence[2], c3);
    check_escalation(s->escalation_level, s->escalate_to, 1, "team_manager");
    /* A fourth joins the evidence; an assessment then ends it. */
    uint64_t c4 = referral(&h, "2024-01-12", "R2");
    run(p, &h, "2024-01-20");
    s = must_sig("repeat_contacts");
    assert_int_equal(s->nevidence, 4);
    assert_int_equal(s->evidence[3], c4);
    add(&h, "assessment_started", "2024-01-22",
        json_pack("{s:s,s:s}", "assessment_id", "A1", "referral_id", "R2"));
    run(p, &h, "2024-02-01");
    assert_null(sig("repeat_contacts"));
    /* ... and a fifth contact within 12 months of that assessment does not
     * raise it again. */
    add(&h, "contact_received", "2024-03-01",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K5", "source", "school", "reason", "r"));
    run(p, &h, "2024-03-10");
    assert_null(sig("repeat_contacts"));
    done(&h);

    /* Clean: the first contact is a day outside the 12 months. */
    add(&h, "contact_received", "2023-01-09",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K1", "source", "school", "reason", "r"));
    referral(&h, "2023-06-01", "R1");
    add(&h, "contact_received", "2024-01-10",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K3", "source", "school", "reason", "r"));
    run(p, &h, "2024-02-01");
    assert_null(sig("repeat_contacts"));
    done(&h);
    /* Clean: an assessment started in the 12 months before the third. */
    add(&h, "contact_received", "2023-01-10",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K1", "source", "school", "reason", "r"));
    add(&h, "assessment_started", "2023-02-01", json_pack("{s:s}", "assessment_id", "A0"));
    referral(&h, "2023-06-01", "R1");
    add(&h, "contact_received", "2024-01-10",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K3", "source", "school", "reason", "r"));
    run(p, &h, "2024-02-01");
    assert_null(sig("repeat_contacts"));
    done(&h);
    /* But an assessment before the first of the contacts counted does not answer them (issue
     * 12): contacts on 1 March and 1 June 2023 and 10 January 2024, an assessment on 1
     * February 2023 (within 12 months of the third, before the first): raised. */
    add(&h, "assessment_started", "2023-02-01", json_pack("{s:s}", "assessment_id", "A0"));
    add(&h, "contact_received", "2023-03-01",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K1", "source", "school", "reason", "r"));
    referral(&h, "2023-06-01", "R1");
    add(&h, "contact_received", "2024-01-10",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K3", "source", "school", "reason", "r"));
    run(p, &h, "2024-02-01");
    assert_non_null(sig("repeat_contacts"));
    done(&h);
}

/* A re-referral as the returns count one (the DfE's Children in Need census: a referral
 * within 12 months of a previous referral for the same child), not assessed within 10 working
 * days (a local standard). Referred Tue 10 January 2023 and assessed; referred again Fri 1
 * December 2023: due Fri 15 December, raised from Sat 16. The first referral's assessment
 * does not answer the second. */
static void re_referral_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t r1 = referral(&h, "2023-01-10", "R1");
    add(&h, "assessment_started", "2023-01-12",
        json_pack("{s:s,s:s}", "assessment_id", "A1", "referral_id", "R1"));
    uint64_t r2 = referral(&h, "2023-12-01", "R2");
    run(p, &h, "2023-12-15");
    assert_null(sig("re_referral"));
    run(p, &h, "2023-12-18");
    const cw_signal *s = must_sig("re_referral");
    assert_string_equal(S(s->since), "2023-12-16");
    assert_int_equal(s->nevidence, 2);
    assert_int_equal(s->evidence[0], r1);
    assert_int_equal(s->evidence[1], r2);
    check_escalation(s->escalation_level, s->escalate_to, 1, "team_manager");
    /* An assessment of the re-referral ends it. */
    add(&h, "assessment_started", "2023-12-20",
        json_pack("{s:s,s:s}", "assessment_id", "A2", "referral_id", "R2"));
    run(p, &h, "2024-01-10");
    assert_null(sig("re_referral"));
    done(&h);
    /* Not a re-referral: 12 months and a day after the last (10 January 2023 to 11 January
     * 2024). */
    referral(&h, "2023-01-10", "R1");
    referral(&h, "2024-01-11", "R2");
    run(p, &h, "2024-03-01");
    assert_null(sig("re_referral"));
    done(&h);
    /* A strategy discussion on the day of the re-referral answers it. */
    referral(&h, "2023-01-10", "R1");
    referral(&h, "2023-12-01", "R2");
    add(&h, "strategy_discussion_held", "2023-12-01",
        json_pack("{s:s,s:s}", "strategy_id", "S1", "decision", "section_47"));
    run(p, &h, "2024-01-10");
    assert_null(sig("re_referral"));
    done(&h);
}

static void test_re_referral_wales(void **state)
{
    (void)state;
    re_referral_in(wales);
}

static void test_re_referral_england(void **state)
{
    (void)state;
    re_referral_in(england);
}

static void test_repeat_contacts_wales(void **state)
{
    (void)state;
    repeat_contacts_in(wales);
}

static void test_repeat_contacts_england(void **state)
{
    (void)state;
    repeat_contacts_in(england);
}

/* Drift (local standard): an open case with no recorded activity for 20
 * working days. Allocated Thu 14 December 2023: Fri 15 (1), 18-22 (2-6), Mon
 * 25 and Tue 26 December off, 27-29 (7-9), Mon 1 January off, 2-5 (10-13),
 * 8-12 (14-18), Mon 15 (19), Tue 16 January 2024 (20). A case note on Fri 5
 * Jan resets it: 8 Jan - 2 Feb is 20 working days, due Fri 2 February 2024. */
static void drift_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t al = add(&h, "case_allocated", "2023-12-14", json_pack("{s:s}", "worker_id", "sw.a"));
    run(p, &h, "2024-01-16");
    assert_null(sig("drift"));
    run(p, &h, "2024-01-17");
    const cw_signal *s = must_sig("drift");
    assert_string_equal(S(s->since), "2024-01-17");
    assert_int_equal(s->evidence[0], al);
    uint64_t note = add(&h, "case_note", "2024-01-05", json_pack("{s:s}", "text", "Called mum."));
    run(p, &h, "2024-01-17");
    assert_null(sig("drift"));
    run(p, &h, "2024-02-05");
    s = must_sig("drift");
    assert_string_equal(S(s->since), "2024-02-03");
    assert_int_equal(s->nevidence, 2);
    assert_true(has_evidence(s, al) && has_evidence(s, note));
    check_escalation(s->escalation_level, s->escalate_to, 1, "team_manager");
    /* Supervision is not casework with the child: it does not reset drift. */
    add(&h, "supervision_held", "2024-02-01",
        json_pack("{s:s,s:s,s:[s],s:s}", "supervisee_id", "sw.a", "supervisor_id", "tm.a",
                  "cases_discussed", "C1", "decisions", "d"));
    run(p, &h, "2024-02-05");
    assert_non_null(sig("drift"));
    /* A closed case does not drift. */
    add(&h, "case_closed", "2024-02-05", json_pack("{s:s}", "reason", "r"));
    run(p, &h, "2024-06-01");
    assert_null(sig("drift"));
    done(&h);
    /* A return interview is work with the child, and a contact's decision work on the case:
     * each answers drift (allocated Thu 14 December 2023, drifting from 17 January 2024). */
    add(&h, "missing_episode", "2023-12-01",
        json_pack("{s:s,s:s}", "episode_id", "M1", "returned", "2023-12-02"));
    add(&h, "case_allocated", "2023-12-14", json_pack("{s:s}", "worker_id", "sw.a"));
    add(&h, "return_interview", "2024-01-10",
        json_pack("{s:s,s:s,s:b}", "episode_id", "M1", "conducted_by", "Advocate", "accepted", 1));
    run(p, &h, "2024-01-17");
    assert_null(sig("drift"));
    done(&h);
    add(&h, "case_allocated", "2023-12-14", json_pack("{s:s}", "worker_id", "sw.a"));
    add(&h, "contact_received", "2024-01-10",
        json_pack("{s:s,s:s,s:s}", "contact_id", "K1", "source", "school", "reason", "r"));
    run(p, &h, "2024-02-08"); /* 20 working days from Wed 10 January end on Wed 7 February */
    assert_non_null(sig("drift"));
    add(&h, "contact_decided", "2024-01-11",
        json_pack("{s:s,s:s}", "contact_id", "K1", "outcome", "information_and_advice"));
    run(p, &h, "2024-02-08");
    assert_null(sig("drift"));
    done(&h);
    /* So are a care leaver's needs assessment and a personal adviser's visit. */
    static const char *const care_leaver[] = {"needs_assessment_completed",
                                              "personal_adviser_visit"};
    for (int i = 0; i < 2; i++) {
        add(&h, "case_allocated", "2023-12-14", json_pack("{s:s}", "worker_id", "sw.a"));
        add(&h, care_leaver[i], "2024-01-10",
            i ? json_pack("{s:s,s:b}", "adviser", "PA", "seen", 1)
              : json_pack("{s:s}", "views", "Wants to stay near college."));
        run(p, &h, "2024-01-17");
        assert_null(sig("drift"));
        done(&h);
    }
}

static void test_drift_wales(void **state)
{
    (void)state;
    drift_in(wales);
}

static void test_drift_england(void **state)
{
    (void)state;
    drift_in(england);
}

/* A visit with neither the child's views nor the reason they could not be given (migrated
 * history: caseward's own validation asks for one of them). */
static uint64_t visit_no_views(hist *h, const char *date)
{
    return add(h, "statutory_visit", date, json_pack("{s:b,s:b}", "seen", 1, "seen_alone", 1));
}

/* An assessment or visit without the child's views (inspection finding;
 * local standard). Raised from the day after; cleared by a later assessment
 * or visit that records them, or records why they could not be given (a baby,
 * a child who would not talk to the worker): the reason is what the standard
 * asks for, so it neither raises the signal nor leaves one standing. */
static void views_missing_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t v = visit_no_views(&h, "2024-03-04");
    run(p, &h, "2024-03-04");
    assert_null(sig("views_missing"));
    run(p, &h, "2024-03-05");
    const cw_signal *s = must_sig("views_missing");
    assert_string_equal(S(s->since), "2024-03-05");
    assert_int_equal(s->nevidence, 1);
    assert_int_equal(s->evidence[0], v);
    add(&h, "assessment_started", "2024-03-06", json_pack("{s:s}", "assessment_id", "A1"));
    uint64_t a =
        add(&h, "assessment_completed", "2024-03-08",
            json_pack("{s:s,s:b,s:s,s:s,s:s}", "assessment_id", "A1", "child_seen", 0, "analysis",
                      "a", "outcome", "no_further_action", "signed_off_by", "tm.a"));
    run(p, &h, "2024-03-09");
    s = must_sig("views_missing");
    assert_int_equal(s->nevidence, 2);
    assert_true(has_evidence(s, v) && has_evidence(s, a));
    visit(&h, "2024-03-10", 1, 1, 1);
    run(p, &h, "2024-03-11");
    assert_null(sig("views_missing"));
    done(&h);

    /* A baby: seen, not alone, views_not_obtained_reason given. No signal, and a reason
     * clears one an earlier visit left standing. */
    visit(&h, "2024-03-04", 1, 0, 0);
    run(p, &h, "2024-04-01");
    assert_null(sig("views_missing"));
    visit_no_views(&h, "2024-04-02");
    run(p, &h, "2024-04-04");
    assert_non_null(sig("views_missing"));
    visit(&h, "2024-04-05", 1, 0, 0);
    run(p, &h, "2024-04-08");
    assert_null(sig("views_missing"));
    done(&h);
    /* Clean: views recorded each time. */
    visit(&h, "2024-03-04", 1, 1, 1);
    visit(&h, "2024-03-14", 1, 0, 1);
    run(p, &h, "2024-04-01");
    assert_null(sig("views_missing"));
    done(&h);
}

static void test_views_missing_wales(void **state)
{
    (void)state;
    views_missing_in(wales);
}

static void test_views_missing_england(void **state)
{
    (void)state;
    views_missing_in(england);
}

/* An allocated case not discussed in supervision within 4 weeks (local
 * standard). Allocated Tue 2 January 2024 + 4 weeks = Tue 30 January;
 * discussed Thu 25 January; + 4 weeks = Thu 22 February. */
static void supervision_gap_in(const cw_rule_pack *p)
{
    hist h = {0};
    uint64_t al = add(&h, "case_allocated", "2024-01-02", json_pack("{s:s}", "worker_id", "sw.a"));
    run(p, &h, "2024-01-30");
    assert_null(sig("supervision_gap"));
    run(p, &h, "2024-01-31");
    const cw_signal *s = must_sig("supervision_gap");
    assert_string_equal(S(s->since), "2024-01-31");
    assert_int_equal(s->evidence[0], al);
    uint64_t sv = add(&h, "supervision_held", "2024-01-25",
                      json_pack("{s:s,s:s,s:[s],s:s}", "supervisee_id", "sw.a", "supervisor_id",
                                "tm.a", "cases_discussed", "C1", "decisions", "d"));
    run(p, &h, "2024-01-31");
    assert_null(sig("supervision_gap"));
    run(p, &h, "2024-02-22");
    assert_null(sig("supervision_gap"));
    run(p, &h, "2024-03-04");
    s = must_sig("supervision_gap");
    assert_string_equal(S(s->since), "2024-02-23");
    assert_true(has_evidence(s, al) && has_evidence(s, sv));
    /* 11 days after 22 Feb: ladder 1, 10 at service_manager. */
    check_escalation(s->escalation_level, s->escalate_to, 2, "service_manager");
    /* A transfer while allocated joins the same case (no second clock). */
    add(&h, "case_transferred", "2024-03-05", json_pack("{s:s}", "worker_id", "sw.b"));
    run(p, &h, "2024-03-06");
    assert_non_null(sig("supervision_gap"));
    /* Closed: no longer allocated. */
    add(&h, "case_closed", "2024-03-06", json_pack("{s:s}", "reason", "r"));
    run(p, &h, "2024-05-01");
    assert_null(sig("supervision_gap"));
    done(&h);
    /* Never allocated: nothing. */
    referral(&h, "2024-01-02", "R1");
    decided(&h, "2024-01-02", "R1", "no_further_action");
    run(p, &h, "2024-05-01");
    assert_null(sig("supervision_gap"));
    done(&h);
}

static void test_supervision_gap_wales(void **state)
{
    (void)state;
    supervision_gap_in(wales);
}

static void test_supervision_gap_england(void **state)
{
    (void)state;
    supervision_gap_in(england);
}

/* ---------------------------------------------------------------------- */
/* as_of, results, errors                                                  */

/* "What was overdue on 1 March?": events after as_of are ignored, so the
 * same history gives open, then overdue, then met late. */
static void test_as_of_in_the_past(void **state)
{
    (void)state;
    hist h = {0};
    uint64_t dec;
    assessment_history(&h, "2024-05-24", &dec); /* due 15 May; late by 9 */
    run(wales, &h, "2024-03-13");               /* only the referral is known */
    assert_int_equal(nob("assessment"), 0);
    check(ob("referral_decision", 0), CW_OBLIGATION_OPEN, "2024-03-14", NULL, 0);
    run(wales, &h, "2024-04-01");
    check(ob("assessment", 0), CW_OBLIGATION_OPEN, "2024-05-15", NULL, 0);
    run(wales, &h, "2024-05-20");
    check(ob("assessment", 0), CW_OBLIGATION_OVERDUE, "2024-05-15", NULL, 5);
    run(wales, &h, "2024-05-23");
    /* 8 days: the default ladder 1, 5, 10 is at its second step. */
    const cw_obligation *o = ob("assessment", 0);
    check(o, CW_OBLIGATION_OVERDUE, "2024-05-15", NULL, 8);
    check_escalation(o->escalation_level, o->escalate_to, 2, "service_manager");
    run(wales, &h, "2024-05-24");
    check(ob("assessment", 0), CW_OBLIGATION_MET_LATE, "2024-05-15", "2024-05-24", 9);
    check_escalation(ob("assessment", 0)->escalation_level, ob("assessment", 0)->escalate_to, 0,
                     NULL);
    run(wales, &h, "2030-01-01");
    check(ob("assessment", 0), CW_OBLIGATION_MET_LATE, "2024-05-15", "2024-05-24", 9);
    done(&h);
}

/* Results accumulate across children until reset; signals merge per rule
 * per child only. */
static void test_results_accumulate(void **state)
{
    (void)state;
    hist h = {0};
    referral(&h, "2022-06-01", "R1");
    referral(&h, "2022-06-01", "R2");
    cw_child_history ch = {"C1", D("2010-01-01"), h.ev, h.n};
    cw_error err;
    cw_rule_results r;
    cw_rule_results_init(&r);
    assert_int_equal(cw_rules_evaluate(wales, &cal, &ch, D("2022-06-10"), &r, &err), CW_OK);
    assert_int_equal(r.nobligations, 2);
    assert_int_equal(r.nsignals, 1); /* two undecided referrals, one signal */
    assert_int_equal(r.signals[0].nevidence, 2);
    for (int i = 0; i < 40; i++) /* forty children: the arrays grow */
        assert_int_equal(cw_rules_evaluate(wales, &cal, &ch, D("2022-06-10"), &r, &err), CW_OK);
    assert_int_equal(r.nobligations, 82);
    assert_int_equal(r.nsignals, 41);
    cw_rule_results_reset(&r);
    assert_int_equal(r.nobligations, 0);
    assert_int_equal(r.nsignals, 0);
    assert_true(r.cap_obligations >= 82);
    cw_rule_results_release(&r);
    assert_null(r.obligations);
    done(&h);
}

/* A date the working-day calendar cannot count from is an error naming the
 * child and the rule, and the results are left as they were. */
static void test_outside_calendar(void **state)
{
    (void)state;
    hist h = {0};
    referral(&h, "2022-06-01", "R1");
    run(wales, &h, "2022-07-01");
    size_t before = res.nobligations;
    hist old = {0};
    referral(&old, "2009-12-30", "R0");
    cw_child_history ch = {"C7", D("2005-01-01"), old.ev, old.n};
    cw_error err;
    assert_int_equal(cw_rules_evaluate(wales, &cal, &ch, D("2010-06-01"), &res, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "child C7, rule referral_decision"));
    assert_non_null(strstr(err.msg, "2009-12-30"));
    assert_int_equal(res.nobligations, before);
    done(&old);
    done(&h);
}

/* Unknown event types in a history are ignored; a correction is not an
 * activity that meets anything. */
static void test_unknown_events_ignored(void **state)
{
    (void)state;
    hist h = {0};
    referral(&h, "2022-06-01", "R1");
    add(&h, "something_new", "2022-06-02", json_pack("{s:s}", "referral_id", "R1"));
    run(wales, &h, "2022-06-10");
    check(ob("referral_decision", 0), CW_OBLIGATION_OVERDUE, "2022-06-06", NULL, 4);
    done(&h);
}

/* ---------------------------------------------------------------------- */
/* Properties over random histories                                        */

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

/* A random, loosely plausible history (the engine must cope with
 * implausible ones too: decisions for unknown referrals, deregistration
 * without registration, ...). */
static void random_history(hist *h, size_t n)
{
    static const char *const simple[] = {"core_group_held",    "looked_after_review_held",
                                         "looked_after_ended", "case_closed",
                                         "case_reopened",      "case_allocated"};
    cw_date d = D("2015-01-05") + (cw_date)rnd(400);
    for (size_t i = 0; i < n; i++) {
        d += (cw_date)rnd(12);
        char ds[CW_DATE_LEN + 1], id[16];
        cw_date_format(d, ds);
        snprintf(id, sizeof id, "X%u", rnd(6));
        switch (rnd(16)) {
        case 0:
            add(h, "referral_received", ds,
                json_pack("{s:s,s:b}", "referral_id", id, "cse_concern", (int)rnd(4) == 0));
            break;
        case 1:
            decided(h, ds, id, rnd(2) ? "assessment" : "no_further_action");
            break;
        case 2:
            add(h, "assessment_started", ds,
                json_pack("{s:s,s:s}", "assessment_id", id, "referral_id", id));
            break;
        case 3:
            add(h, "assessment_completed", ds,
                rnd(2) ? json_pack("{s:s,s:s}", "assessment_id", id, "views", "v")
                       : json_pack("{s:s}", "assessment_id", id));
            break;
        case 4:
            add(h, "strategy_discussion_held", ds,
                json_pack("{s:s,s:s,s:b}", "strategy_id", id, "decision",
                          rnd(2) ? "section_47" : "other", "cse", (int)rnd(3) == 0));
            break;
        case 5:
            conference(h, ds, rnd(2) ? "initial" : "review",
                       rnd(3)   ? "register"
                       : rnd(2) ? "continue"
                                : "deregister");
            break;
        case 6:
            visit(h, ds, (int)rnd(4) != 0, (int)rnd(2), (int)rnd(3) != 0);
            break;
        case 7:
            looked_after(h, ds, (int)rnd(2));
            break;
        case 8:
            cse(h, ds, (int)rnd(8), (int)rnd(4), (int)rnd(3), rnd(5) ? NULL : "moderate");
            break;
        case 9:
            add(h, "missing_episode", ds, json_pack("{s:s}", "episode_id", id));
            break;
        case 10:
            add(h, "supervision_held", ds, json_pack("{s:[s]}", "cases_discussed", "C1"));
            break;
        case 11:
            add(h, "health_check_recorded", ds,
                json_pack("{s:s}", "kind", rnd(2) ? "gp_registration" : "dental_check"));
            break;
        case 12:
            add(h, "plan_recorded", ds,
                json_pack("{s:s,s:s}", "plan_id", id, "kind",
                          rnd(2) ? "looked_after" : "child_protection_outline"));
            break;
        case 13:
            add(h, "section_47_completed", ds,
                json_pack("{s:s,s:s}", "enquiry_id", id, "outcome", "child_in_need"));
            break;
        case 14:
            add(h, "placement_changed", ds, json_pack("{s:s}", "placement_id", id));
            break;
        default:
            add(h, simple[rnd(6)], ds, EMPTY);
            break;
        }
    }
}

static void check_invariants(const cw_rule_pack *p, const hist *h, cw_date as_of)
{
    for (size_t i = 0; i < res.nobligations; i++) {
        const cw_obligation *o = &res.obligations[i];
        int ok = 1;
        switch (o->state) {
        case CW_OBLIGATION_OPEN:
            ok = !o->met && o->due >= as_of && o->days_overdue == 0 && !o->escalation_level;
            break;
        case CW_OBLIGATION_OVERDUE:
            ok = !o->met && o->due < as_of && o->days_overdue == (int64_t)as_of - o->due;
            break;
        case CW_OBLIGATION_MET_ON_TIME:
            ok = o->met && o->met_on <= o->due && o->met_on <= as_of && o->days_overdue == 0;
            break;
        case CW_OBLIGATION_MET_LATE:
            ok = o->met && o->met_on > o->due && o->met_on <= as_of &&
                 o->days_overdue == (int64_t)o->met_on - o->due;
            break;
        case CW_OBLIGATION_ENDED_BY_CLOSURE:
            ok = !o->met && o->days_overdue >= 0 && !o->escalation_level;
            break;
        case CW_OBLIGATION_MISSED:
            /* 0 only when missed at a `by` line's event before its due date (cp_bedroom) */
            ok = !o->met && o->days_overdue >= 0 && !o->escalation_level &&
                 (o->days_overdue > 0 || !strcmp(o->rule_id, "cp_bedroom"));
            break;
        }
        if (!ok || o->started_by < 1000 || o->escalation_level < 0 ||
            (o->escalation_level > 0) != (o->escalate_to != NULL))
            fail_msg("pack %s: obligation %s due %s state %s breaks an invariant", p->name,
                     o->rule_id, S(o->due), cw_obligation_state_name(o->state));
    }
    for (size_t i = 0; i < res.nsignals; i++) {
        const cw_signal *s = &res.signals[i];
        assert_true(s->since <= as_of);
        assert_true(s->nevidence >= 1 && s->nevidence <= 8);
        for (size_t k = 0; k < s->nevidence; k++) {
            assert_true(k == 0 || s->evidence[k - 1] < s->evidence[k]);
            uint64_t pos = (s->evidence[k] - 1000) / 7;
            assert_true(pos < h->n && h->ev[pos].index == s->evidence[k]);
            assert_true(h->ev[pos].date <= as_of);
        }
    }
}

/* Copies the results (for comparing two runs). */
static cw_rule_results copy_results(void)
{
    cw_rule_results c = res;
    c.obligations = malloc((res.nobligations + 1) * sizeof *c.obligations);
    c.signals = malloc((res.nsignals + 1) * sizeof *c.signals);
    assert_non_null(c.obligations);
    assert_non_null(c.signals);
    memcpy(c.obligations, res.obligations, res.nobligations * sizeof *c.obligations);
    memcpy(c.signals, res.signals, res.nsignals * sizeof *c.signals);
    return c;
}

static void same_results(const cw_rule_results *a)
{
    assert_int_equal(a->nobligations, res.nobligations);
    assert_int_equal(a->nsignals, res.nsignals);
    for (size_t i = 0; i < a->nobligations; i++) {
        const cw_obligation *x = &a->obligations[i], *y = &res.obligations[i];
        assert_ptr_equal(x->rule_id, y->rule_id);
        assert_int_equal(x->started_by, y->started_by);
        assert_int_equal(x->start, y->start);
        assert_int_equal(x->due, y->due);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->met_by, y->met_by);
        assert_int_equal(x->met_on, y->met_on);
        assert_int_equal(x->days_overdue, y->days_overdue);
        assert_int_equal(x->escalation_level, y->escalation_level);
    }
    for (size_t i = 0; i < a->nsignals; i++) {
        const cw_signal *x = &a->signals[i], *y = &res.signals[i];
        assert_ptr_equal(x->rule_id, y->rule_id);
        assert_int_equal(x->since, y->since);
        assert_int_equal(x->nevidence, y->nevidence);
        assert_memory_equal(x->evidence, y->evidence, x->nevidence * sizeof x->evidence[0]);
        assert_int_equal(x->escalation_level, y->escalation_level);
    }
}

/* Over 300 random histories, both packs, several as_of dates: every
 * obligation's state agrees with its dates; signals' evidence is real,
 * dated on or before as_of, and in order; the same input gives the same
 * output; and events after as_of change nothing (the history cut at as_of
 * gives exactly the same results). */
static void test_random_histories(void **state)
{
    (void)state;
    rnd_state = 20240229u;
    const cw_rule_pack *packs[] = {wales, england};
    size_t total = 0;
    for (int i = 0; i < 300; i++) {
        hist h = {0};
        random_history(&h, 10 + rnd(120));
        for (int k = 0; k < 2; k++) {
            for (int a = 0; a < 3; a++) {
                cw_date as_of = h.ev[rnd((uint32_t)h.n)].date + (cw_date)rnd(40);
                char as[CW_DATE_LEN + 1];
                cw_date_format(as_of, as);
                run(packs[k], &h, as);
                check_invariants(packs[k], &h, as_of);
                total += res.nobligations + res.nsignals;
                cw_rule_results first = copy_results();
                run(packs[k], &h, as);
                same_results(&first);
                hist cut = h; /* shares the payloads; not released */
                while (cut.n && cut.ev[cut.n - 1].date > as_of)
                    cut.n--;
                run(packs[k], &cut, as);
                same_results(&first);
                free(first.obligations);
                free(first.signals);
            }
        }
        done(&h);
    }
    assert_true(total > 3000); /* the histories do exercise the rules */
}

/* ---------------------------------------------------------------------- */
/* The format: a custom pack, and every refusal                            */

static cw_rule_pack *load_ok(const char *text)
{
    cw_rule_pack *p = NULL;
    cw_error err;
    if (cw_rules_load(text, strlen(text), "t.rules", &p, &err))
        fail_msg("load: %s", err.msg);
    return p;
}

/* A pack written here: `due ... from`, `then ... after ... if`, months,
 * `count`, the pack's default ladder, several values in one condition. */
/* Day counting is the pack's (issue 12): from the day after the event (the default: the
 * event's day is day 0) or with the event's day as day 1 (`count_from event_day`). A
 * referral on Wed 5 June 2024 due in 1 working day: Thu 6 June by default, Wed 5 June
 * counting the day itself. On Sat 8 June: Mon 10 June either way (the first working day is
 * day 1). 10 working days from Wed 5 June: Wed 19 June by default (6-7, 10-14, 17-19),
 * Tue 18 June counting the day. 1 week: Wed 12 June, or Tue 11 June. 6 weeks after a visit
 * on Wed 12 June: Wed 24 July, or Tue 23 July. */
static void test_count_from(void **state)
{
    (void)state;
    static const char head[] = "pack test\n%s"
                               "rule wd1\ntitle T\nkind obligation\nstart referral_received\n"
                               "due 1 working day\nmet_by case_note\nsource Test standard\n"
                               "rule wd10\ntitle T\nkind obligation\nstart referral_received\n"
                               "due 10 working days\nmet_by case_note\nsource Test standard\n"
                               "rule wk\ntitle T\nkind obligation\nstart referral_received\n"
                               "due 1 week\nthen 6 weeks\nmet_by statutory_visit\n"
                               "source Test standard\n";
    const char *modes[] = {"", "count_from day_after\n", "count_from event_day\n"};
    for (int m = 0; m < 3; m++) {
        char text[1024];
        snprintf(text, sizeof text, head, modes[m]);
        cw_rule_pack *p = load_ok(text);
        int same = m == 2;
        hist h = {0};
        referral(&h, "2024-06-05", "R1");
        visit(&h, "2024-06-12", 1, 1, 1);
        run(p, &h, "2024-06-12");
        check(ob("wd1", 0), CW_OBLIGATION_OVERDUE, same ? "2024-06-05" : "2024-06-06", NULL,
              same ? 7 : 6);
        check(ob("wd10", 0), CW_OBLIGATION_OPEN, same ? "2024-06-18" : "2024-06-19", NULL, 0);
        check(ob("wk", 0), same ? CW_OBLIGATION_MET_LATE : CW_OBLIGATION_MET_ON_TIME,
              same ? "2024-06-11" : "2024-06-12", "2024-06-12", same);
        check(ob("wk", 1), CW_OBLIGATION_OPEN, same ? "2024-07-23" : "2024-07-24", NULL, 0);
        done(&h);
        referral(&h, "2024-06-08", "R2");
        run(p, &h, "2024-06-08");
        check(ob("wd1", 0), CW_OBLIGATION_OPEN, "2024-06-10", NULL, 0);
        done(&h);
        cw_rules_free(p);
    }
}

/* A duty new to a council's pack is owed from the day it applies (`since`), not for the
 * history before it: a council adding contact decisions on 1 April 2024 does not find every
 * older undecided contact overdue. A contact on 28 March 2024 starts nothing; one on 2
 * April is due Wed 3 April. A count rule counts nothing before its date either. */
static void test_since(void **state)
{
    (void)state;
    static const char text[] = "pack test\n"
                               "rule decide\ntitle T\nkind obligation\nstart contact_received\n"
                               "due 1 working day\nmet_by contact_decided link contact_id\n"
                               "since 2024-04-01\nsource Test standard\n"
                               "rule many\ntitle T\nkind signal\nstart contact_received\n"
                               "count 2 within 12 months\ndue 0 days\nmet_by assessment_started\n"
                               "since 2024-04-01\nsource Test standard\n";
    cw_rule_pack *p = load_ok(text);
    hist h = {0};
    contact(&h, "2024-03-28", "K1");
    run(p, &h, "2024-04-10");
    assert_int_equal(nob("decide"), 0);
    uint64_t k2 = contact(&h, "2024-04-02", "K2");
    run(p, &h, "2024-04-10");
    assert_int_equal(nob("decide"), 1);
    check(ob("decide", 0), CW_OBLIGATION_OVERDUE, "2024-04-03", NULL, 7);
    assert_int_equal(ob("decide", 0)->started_by, k2);
    assert_null(sig("many")); /* the March contact is not counted */
    contact(&h, "2024-04-12", "K3");
    run(p, &h, "2024-04-15");
    assert_non_null(sig("many"));
    done(&h);
    cw_rules_free(p);
}

static void test_custom_pack(void **state)
{
    (void)state;
    static const char text[] = "# a test pack\r\n"
                               "pack test\r\n"
                               "description For tests\r\n"
                               "escalate 2 team_manager, 4 head_of_service\r\n"
                               "\r\n"
                               "rule monthly\r\n"
                               "  title Monthly note\r\n"
                               "  kind obligation\r\n"
                               "  start looked_after_started placement_type=foster,kinship\r\n"
                               "  due 1 month\r\n"
                               "  then 1 month\r\n"
                               "  then 2 months after 3 months if until_18=true\r\n"
                               "  met_by case_note\r\n"
                               "  source Test\r\n";
    cw_rule_pack *p = load_ok(text);
    assert_string_equal(cw_rules_name(p), "test");
    assert_string_equal(p->description, "For tests");
    hist h = {0};
    /* 31 Jan 2024 + 1 month = Thu 29 Feb 2024 (no 31 Feb; leap year). A
     * note on each due date: 29 Feb + 1 month = 29 Mar; + 1 month = 29 Apr.
     * The `after 3 months` line applies once a cycle starts on or after 30
     * Apr (31 Jan + 3 months): 29 Mar and 29 Apr are before it, so 1 month
     * again: 29 May. 29 May is after it, and until_18 holds: 2 months, 29
     * July. */
    json_t *la = json_pack("{s:s,s:s,s:b}", "placement_id", "P1", "placement_type", "kinship",
                           "until_18", 1);
    add(&h, "looked_after_started", "2024-01-31", la);
    add(&h, "case_note", "2024-02-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-03-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-04-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-05-29", json_pack("{s:s}", "text", "t"));
    run(p, &h, "2024-08-01");
    assert_int_equal(nob("monthly"), 5);
    check(ob("monthly", 0), CW_OBLIGATION_MET_ON_TIME, "2024-02-29", "2024-02-29", 0);
    check(ob("monthly", 1), CW_OBLIGATION_MET_ON_TIME, "2024-03-29", "2024-03-29", 0);
    check(ob("monthly", 2), CW_OBLIGATION_MET_ON_TIME, "2024-04-29", "2024-04-29", 0);
    check(ob("monthly", 3), CW_OBLIGATION_MET_ON_TIME, "2024-05-29", "2024-05-29", 0);
    const cw_obligation *o = ob("monthly", 4);
    /* 1 Aug is 3 days after 29 Jul: the pack's default ladder (2, 4). */
    check(o, CW_OBLIGATION_OVERDUE, "2024-07-29", NULL, 3);
    check_escalation(o->escalation_level, o->escalate_to, 1, "team_manager");
    done(&h);
    /* The `after` line applies from a cycle that starts exactly on its
     * date: notes on 29 Feb, 29 Mar, then Tue 30 Apr (1 day late, and exactly
     * 31 Jan + 3 months): the next is 2 months later, Sun 30 June 2024. */
    add(&h, "looked_after_started", "2024-01-31",
        json_pack("{s:s,s:s,s:b}", "placement_id", "P1", "placement_type", "foster", "until_18",
                  1));
    add(&h, "case_note", "2024-02-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-03-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-04-30", json_pack("{s:s}", "text", "t"));
    run(p, &h, "2024-05-01");
    assert_int_equal(nob("monthly"), 4);
    check(ob("monthly", 2), CW_OBLIGATION_MET_LATE, "2024-04-29", "2024-04-30", 1);
    check(ob("monthly", 3), CW_OBLIGATION_OPEN, "2024-06-30", NULL, 0);
    done(&h);
    /* Without until_18 the `if` fails: 1 month, 30 May. */
    add(&h, "looked_after_started", "2024-01-31",
        json_pack("{s:s,s:s}", "placement_id", "P1", "placement_type", "foster"));
    add(&h, "case_note", "2024-02-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-03-29", json_pack("{s:s}", "text", "t"));
    add(&h, "case_note", "2024-04-30", json_pack("{s:s}", "text", "t"));
    run(p, &h, "2024-05-01");
    check(ob("monthly", 3), CW_OBLIGATION_OPEN, "2024-05-30", NULL, 0);
    done(&h);
    /* A residential placement does not match the start condition. */
    add(&h, "looked_after_started", "2024-01-31",
        json_pack("{s:s,s:s}", "placement_id", "P1", "placement_type", "residential"));
    run(p, &h, "2024-08-01");
    assert_int_equal(nob("monthly"), 0);
    done(&h);
    cw_rules_free(p);
    cw_rules_free(NULL);

    /* One event matching two met_by lines meets one occurrence, not two. */
    static const char twice[] = "pack t\n"
                                "rule fortnightly\n"
                                "title Note every 2 weeks\n"
                                "kind obligation\n"
                                "start case_allocated\n"
                                "due 2 weeks\n"
                                "then 2 weeks\n"
                                "met_by case_note\n"
                                "met_by case_note text=*\n"
                                "escalate 1 team_manager\n"
                                "source Test\n";
    p = load_ok(twice);
    add(&h, "case_allocated", "2024-01-01", json_pack("{s:s}", "worker_id", "sw.a"));
    add(&h, "case_note", "2024-01-10", json_pack("{s:s}", "text", "t"));
    run(p, &h, "2024-01-11");
    assert_int_equal(nob("fortnightly"), 2);
    check(ob("fortnightly", 0), CW_OBLIGATION_MET_ON_TIME, "2024-01-15", "2024-01-10", 0);
    check(ob("fortnightly", 1), CW_OBLIGATION_OPEN, "2024-01-24", NULL, 0);
    done(&h);
    cw_rules_free(p);
}

/* The built-in packs' integrity thresholds, as their `integrity` lines set them. */
static void test_integrity_thresholds(void **state)
{
    (void)state;
    const cw_rule_pack *packs[] = {wales, england};
    for (size_t i = 0; i < 2; i++) {
        const cw_integrity_thresholds *t = cw_rules_integrity(packs[i]);
        for (int k = 0; k < CW_INTEGRITY_NPATTERNS; k++)
            assert_true(t->on[k]);
        assert_int_equal(t->late_after_wd, 10);
        assert_true(t->late_z == 3.0);
        assert_int_equal(t->late_at_least, 5);
        assert_int_equal(t->hidden_after_wd, 10);
        assert_int_equal(t->cluster_within_wd, 0);
        assert_int_equal(t->reset_within_wd, 20);
        assert_int_equal(t->bulk_entries, 10);
        assert_int_equal(t->bulk_children, 5);
        assert_int_equal(t->bulk_minutes, 60);
        assert_int_equal(t->bulk_after_wd, 5);
        assert_int_equal(t->boilerplate_children, 3);
        assert_int_equal(t->boilerplate_words, 3);
        assert_int_equal(t->outside_after_wd, 10);
    }
    /* a pack without the lines looks for nothing; one line sets one pattern */
    static const char text[] = "pack t\nintegrity late_recording after 2 working days, z 2.5, "
                               "at_least 1\nrule r1\ntitle T\nkind obligation\n"
                               "start referral_received\ndue 1 working day\n"
                               "met_by referral_decided link referral_id\nsource S\n";
    cw_rule_pack *p = NULL;
    cw_error err;
    assert_int_equal(cw_rules_load(text, sizeof text - 1, "t.rules", &p, &err), CW_OK);
    const cw_integrity_thresholds *t = cw_rules_integrity(p);
    assert_true(t->on[CW_INTEGRITY_LATE_RECORDING]);
    assert_false(t->on[CW_INTEGRITY_BULK_ENTRY]);
    assert_int_equal(t->late_after_wd, 2);
    assert_true(t->late_z == 2.5);
    assert_int_equal(t->late_at_least, 1);
    cw_rules_free(p);
}

static void test_refusals(void **state)
{
    (void)state;
#define RULE_HEAD "pack t\nrule r1\ntitle T\nkind obligation\n"
#define RULE_TAIL "source S\n"
#define GOOD_BODY                                                                                  \
    "start referral_received\ndue 1 working day\nmet_by referral_decided link referral_id\n"
    struct {
        const char *text;
        const char *error;
    } cases[] = {
        {"rule r1\n", "t.rules:1: the first line must be: pack NAME"},
        {"# c\n\npack Test\n", "t.rules:3: pack name \"Test\""},
        {"pack t\npack u\n", "t.rules:2: pack given twice"},
        {"pack t\n", "t.rules: no rules"},
        {"# nothing\n", "t.rules: no pack line"},
        {RULE_HEAD "tittle T\n", "t.rules:5: unknown keyword \"tittle\""},
        /* integrity thresholds (docs/rules.md, "Integrity thresholds") */
        {"pack t\nintegrity late_recordings after 10 working days\n",
         "t.rules:2: integrity: \"late_recordings\" is not a pattern"},
        {"pack t\nintegrity late_recording after 10 working days, z 3\n",
         "t.rules:2: integrity late_recording: at_least is missing"},
        {"pack t\nintegrity late_recording after 10 days, z 3, at_least 5\n",
         "t.rules:2: integrity late_recording: expected \"after N working days\""},
        {"pack t\nintegrity late_recording after 10 working days, z three, at_least 5\n",
         "t.rules:2: integrity late_recording: z \"three\" is not a number from 1 to 10"},
        {"pack t\nintegrity late_recording after 10 working days, z 30, at_least 5\n",
         "t.rules:2: integrity late_recording: z \"30\" is not a number from 1 to 10"},
        {"pack t\nintegrity late_recording after ten working days, z 3, at_least 5\n",
         "t.rules:2: \"ten\" is not a number"},
        {"pack t\nintegrity late_recording after 10 working days, z 3, at_least 0\n",
         "t.rules:2: integrity late_recording: at_least must be at least 1"},
        {"pack t\nintegrity late_recording after 10 working days, z 3, at_least 5, z 4\n",
         "t.rules:2: integrity late_recording: z given twice"},
        {"pack t\nintegrity late_recording after 10 working days, z 3, at_least 5, over 2\n",
         "t.rules:2: integrity late_recording: \"over\" is not one of its settings (after, z, "
         "at_least)"},
        {"pack t\nintegrity date_correction after 1 working day\n",
         "t.rules:2: integrity date_correction: \"after\" is not one of its settings (it has "
         "none)"},
        {"pack t\nintegrity clock_reset within 20 working days\n"
         "integrity clock_reset within 10 working days\n",
         "t.rules:3: integrity clock_reset given twice (first at line 2)"},
        {"pack t\nintegrity bulk_entry entries 10, children 5, within 60, after 5 working days\n",
         "t.rules:2: integrity bulk_entry: expected \"within N minutes\""},
        {"pack t\nintegrity boilerplate children 3,, words 3\n",
         "t.rules:2: integrity boilerplate: an empty setting between commas"},
        {"pack t\nintegrity outside_team after 3000 working days\n",
         "t.rules:2: 3000 is too large (at most 260)"},
        {RULE_HEAD "integrity date_correction\n",
         "t.rules:5: integrity belongs before the first rule"},

        {"pack t\ntitle T\n", "t.rules:2: title outside a rule"},
        /* title_cy, the title in Welsh, follows title's rules */
        {"pack t\ntitle_cy T\n", "t.rules:2: title_cy outside a rule"},
        {RULE_HEAD "title_cy Teitl\ntitle_cy Teitl arall\n",
         "t.rules:6: title_cy given twice (first at line 5)"},
        {"pack t\nrule r1\ntitle_cy \n", "t.rules:3: title_cy: no text"},
        {"pack t\nrule r1\ntitle_cy Gr\xc5\n", "t.rules:3: not valid UTF-8"},
        {RULE_HEAD "description_cy Disgrifiad\n",
         "t.rules:5: description_cy belongs before the first rule"},
        {"pack t\ndescription_cy Un\ndescription_cy Dau\n",
         "t.rules:3: description_cy given twice"},
        {"pack t\nstart case_note\n", "t.rules:2: start outside a rule"},
        {RULE_HEAD "title U\n", "t.rules:5: title given twice (first at line 3)"},
        {RULE_HEAD "kind maybe\n", "t.rules:5: kind given twice"},
        {"pack t\nrule r1\ntitle T\nkind maybe\n", "t.rules:4: kind: obligation or signal"},
        {RULE_HEAD "start referal_received\n",
         "t.rules:5: unknown event type \"referal_received\""},
        {RULE_HEAD "start staff_added\n", "t.rules:5: staff_added is an organisation event"},
        {RULE_HEAD "start statutory_visit seen_alon=true\n",
         "t.rules:5: statutory_visit has no field \"seen_alon\""},
        {RULE_HEAD "start statutory_visit seen=yes\n",
         "t.rules:5: statutory_visit.seen is true or false, not \"yes\""},
        {RULE_HEAD "start conference_held kind=intial\n",
         "t.rules:5: \"intial\" is not a value of conference_held.kind (initial, review)"},
        {RULE_HEAD "start statutory_visit views=hello\n",
         "t.rules:5: statutory_visit.views is not a yes/no, a choice or a number"},
        {RULE_HEAD "start statutory_visit seen\n", "t.rules:5: \"seen\" is not a condition"},
        {RULE_HEAD "start statutory_visit =true\n", "t.rules:5: a condition with no field"},
        {RULE_HEAD "start statutory_visit seen=true,\n", "t.rules:5: seen: an empty value"},
        {RULE_HEAD "start\n", "t.rules:5: start: expected an event type"},
        {RULE_HEAD "by\n", "t.rules:5: by: expected an event type"},
        {"pack t\ncount_from tomorrow\n", "t.rules:2: count_from: day_after or event_day"},
        {RULE_HEAD "since 2024-02-30\n", "t.rules:5: since: expected a date (YYYY-MM-DD)"},
        {RULE_HEAD "since 2024-01-01\nsince 2024-02-01\n",
         "t.rules:6: since given twice (first at line 5)"},
        {RULE_HEAD "age 5\n", "t.rules:5: age: expected N to M (years)"},
        {RULE_HEAD "age 5 until 16\n", "t.rules:5: age: expected N to M (years)"},
        {RULE_HEAD "age 16 to 5\n", "t.rules:5: age: 16 to 5: the second age must be greater"},
        {RULE_HEAD "age 5 to 16\nage 4 to 16\n", "t.rules:6: age given twice (first at line 5)"},
        {RULE_HEAD "start missing_episode\ndue 3 days from episode_id\nmet_by case_note\n"
                   "source S\n",
         "t.rules:6: due ... from episode_id: neither an event type nor a date field of the "
         "start event missing_episode"},
        {"pack t\ncount_from event_day\ncount_from day_after\n",
         "t.rules:3: count_from given twice"},
        {RULE_HEAD "count_from event_day\n", "t.rules:5: count_from belongs before the first rule"},
        {RULE_HEAD "by referal_received\n", "t.rules:5: unknown event type \"referal_received\""},
        {RULE_HEAD "start case_note link child_id\n",
         "t.rules:5: start: link belongs on met_by and stop lines"},
        {RULE_HEAD "met_by case_note link\n", "t.rules:5: link: expected one field name"},
        {RULE_HEAD "met_by case_note link nope\n", "t.rules:5: link: case_note has no field"},
        {RULE_HEAD "met_by case_note link date\n", "t.rules:5: link: case_note.date is not an id"},
        {RULE_HEAD "due ten working days\n", "t.rules:5: \"ten\" is not a number"},
        {RULE_HEAD "due 042 days\n", "t.rules:5: \"042\" is not a number"},
        {RULE_HEAD "due -1 days\n", "t.rules:5: \"-1\" is not a number"},
        {RULE_HEAD "due 5000 working days\n", "t.rules:5: 5000 is too large (at most 2000)"},
        {RULE_HEAD "due 3 fortnights\n", "t.rules:5: \"fortnights\" is not a unit"},
        {RULE_HEAD "due 3 working hours\n", "t.rules:5: expected \"working days\""},
        {RULE_HEAD "due 3\n", "t.rules:5: 3: expected a unit"},
        {RULE_HEAD "due 3 days\ndue 4 days\n", "t.rules:6: due given twice (first at line 5)"},
        {RULE_HEAD "due 3 days from\n",
         "t.rules:5: due: expected N UNIT [from EVENT | from FIELD]"},
        {RULE_HEAD "due 3 days from nothing\nstart referral_received\nmet_by case_note\nsource S\n",
         "t.rules:5: due ... from nothing: neither an event type nor a date field of the start "
         "event referral_received"},
        {RULE_HEAD "then 0 days\n", "t.rules:5: an interval here must be at least 1"},
        {RULE_HEAD "then 3 days after 1 month\n", "t.rules:5: the first then line is the fallback"},
        {RULE_HEAD "then 6 months from_age 5\n", "t.rules:5: the first then line is the fallback"},
        {RULE_HEAD "then 6 months\nthen 1 month from_age 0\n",
         "t.rules:6: then: from_age: at least 1"},
        {RULE_HEAD "then 6 months\nthen 1 month from_age\n",
         "t.rules:6: then: from_age: expected a number of years"},
        {RULE_HEAD "then 3 days\nthen 4 days when x\n", "t.rules:6: then: expected N UNIT"},
        {RULE_HEAD "then 3 days\nthen 4 days if\n", "t.rules:6: then: if with no condition"},
        {RULE_HEAD "count 1 within 3 days\n", "t.rules:5: count: at least 2"},
        {RULE_HEAD "count 3 in 3 days\n", "t.rules:5: count: expected N within N UNIT"},
        {RULE_HEAD "lookback 3 days extra\n", "t.rules:5: lookback: unexpected \"extra\""},
        {RULE_HEAD "escalate 5 team_manager, 5 service_manager\n",
         "t.rules:5: escalate: days must increase"},
        {RULE_HEAD "escalate 0 team_manager\n", "t.rules:5: escalate: a step starts at 1 day"},
        {RULE_HEAD "escalate 1 director\n", "t.rules:5: escalate: \"director\" is not a role"},
        {RULE_HEAD "escalate 1\n", "t.rules:5: escalate: expected steps"},
        {"pack t\nescalate 1 team_manager\nescalate 2 team_manager\n",
         "t.rules:3: the pack's escalate given twice"},
        {RULE_HEAD GOOD_BODY "description late\n",
         "t.rules:8: description belongs before the first rule"},
        {RULE_HEAD GOOD_BODY "rule r2\n", "t.rules:2: rule r1 has no source"},
        {RULE_HEAD GOOD_BODY RULE_TAIL "rule r1\n",
         "t.rules:9: duplicate rule id \"r1\" (first at line 2)"},
        {RULE_HEAD GOOD_BODY RULE_TAIL "rule R-2\n", "t.rules:9: rule id \"R-2\""},
        {RULE_HEAD GOOD_BODY RULE_TAIL "rule\n", "t.rules:9: rule: expected one id"},
        {RULE_HEAD GOOD_BODY RULE_TAIL "source T\n", "t.rules:9: source given twice"},
        {"pack t\nrule r1\nkind signal\n" GOOD_BODY RULE_TAIL, "t.rules:2: rule r1 has no title"},
        {"pack t\nrule r1\ntitle T\n" GOOD_BODY RULE_TAIL, "t.rules:2: rule r1 has no kind"},
        {RULE_HEAD "start case_note\nmet_by case_note\n" RULE_TAIL,
         "t.rules:2: rule r1 has no due line"},
        {RULE_HEAD "due 1 day\nmet_by case_note\n" RULE_TAIL,
         "t.rules:2: rule r1 has no start line"},
        {RULE_HEAD "due 1 day\nstart case_note\n" RULE_TAIL,
         "t.rules:2: rule r1 has no met_by line"},
        {RULE_HEAD
         "start contact_received\ndue 1 day\nmet_by referral_decided link referral_id\n" RULE_TAIL,
         "t.rules:7: link referral_id: the start event contact_received has no such id"},
        {RULE_HEAD
         "start referral_received\ndue 1 day from assessment_started\nmet_by case_note\n" RULE_TAIL,
         "t.rules:6: due ... from assessment_started: the start event referral_received does not "
         "refer"},
        {RULE_HEAD "start statutory_visit\nstart case_note\ndue 1 day\nthen 1 day\nthen 2 days if "
                   "seen=true\nmet_by case_note\n" RULE_TAIL,
         "t.rules:9: then ... if seen: the start event case_note has no such field"},
        {RULE_HEAD "start case_note\ndue 1 day\nthen 1 day\nthen 2 days if nope=true\nmet_by "
                   "case_note\n" RULE_TAIL,
         "t.rules:8: case_note has no field \"nope\""},
        {RULE_HEAD GOOD_BODY "lookback 1 month\n" RULE_TAIL,
         "t.rules:8: lookback needs every met_by of the rule to be the same child"},
        {"pack t\nrule r1\ntitle \n", "t.rules:3: title: no text"},
        {"pack t\n\x01\xff\n", "t.rules:2: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cw_rule_pack *p = (cw_rule_pack *)1;
        cw_error err;
        cw_error_clear(&err);
        cw_rc rc = cw_rules_load(cases[i].text, strlen(cases[i].text), "t.rules", &p, &err);
        if (rc != CW_EINVAL || p != NULL ||
            strncmp(err.msg, cases[i].error, strlen(cases[i].error)))
            fail_msg("case %zu: rc %d, message \"%s\", expected \"%s\"", i, (int)rc, err.msg,
                     cases[i].error);
    }
    /* The good body itself loads. */
    cw_rule_pack *p = load_ok(RULE_HEAD GOOD_BODY RULE_TAIL);
    cw_rules_free(p);
    /* A NUL byte inside the text. */
    static const char nul[] = "pack t\nrule r\0x\n";
    cw_rule_pack *q = NULL;
    cw_error err;
    assert_int_equal(cw_rules_load(nul, sizeof nul - 1, "t.rules", &q, &err), CW_EINVAL);
    assert_string_equal(err.msg, "t.rules:2: a NUL byte");
}

/* ---------------------------------------------------------------------- */
/* Speed (a smoke test: the figures that count come from `make bench`)     */

static void test_speed(void **state)
{
    (void)state;
    enum { CHILDREN = 2000 };
    hist h = {0};
    /* A busy 40-event history: referral, assessment, registration, visits,
     * core groups, looked after, reviews, supervision. */
    referral(&h, "2023-01-05", "R1");
    decided(&h, "2023-01-06", "R1", "assessment");
    add(&h, "assessment_started", "2023-01-09",
        json_pack("{s:s,s:s}", "assessment_id", "A1", "referral_id", "R1"));
    add(&h, "case_allocated", "2023-01-09", json_pack("{s:s}", "worker_id", "sw.a"));
    add(&h, "strategy_discussion_held", "2023-01-10",
        json_pack("{s:s,s:s,s:b}", "strategy_id", "S1", "decision", "section_47", "cse", 1));
    conference(&h, "2023-01-20", "initial", "register");
    cw_date d = D("2023-01-23");
    for (int i = 0; i < 30; i++, d += 9) {
        char ds[CW_DATE_LEN + 1];
        cw_date_format(d, ds);
        if (i % 3 == 2)
            add(&h, "core_group_held", ds, EMPTY);
        else if (i % 5 == 4)
            add(&h, "supervision_held", ds,
                json_pack("{s:s,s:s,s:[s],s:s}", "supervisee_id", "sw.a", "supervisor_id", "tm.a",
                          "cases_discussed", "C1", "decisions", "d"));
        else
            visit(&h, ds, 1, i % 2, 1);
    }
    size_t nev = h.n;
    cw_child_history ch = {"C1", D("2010-01-01"), h.ev, h.n};
    cw_error err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t total = 0;
    for (int c = 0; c < CHILDREN; c++) {
        cw_rule_results_reset(&res);
        assert_int_equal(cw_rules_evaluate(wales, &cal, &ch, D("2024-01-01"), &res, &err), CW_OK);
        total += res.nobligations + res.nsignals;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(total > CHILDREN * 10);
    printf("# rules: %d children x %zu events in %.3f s: %.2f us per event, %.1f us per child\n",
           CHILDREN, nev, s, s * 1e6 / ((double)CHILDREN * (double)nev), s * 1e6 / CHILDREN);
    done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_rule_ids),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_sources_current),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_contact_decision_wales),
        cmocka_unit_test(test_contact_decision_england),
        cmocka_unit_test(test_referral_decision_wales),
        cmocka_unit_test(test_referral_decision_england),
        cmocka_unit_test(test_assessment_wales),
        cmocka_unit_test(test_assessment_england),
        cmocka_unit_test(test_cp_assessment_wales),
        cmocka_unit_test(test_icpc_wales),
        cmocka_unit_test(test_icpc_england),
        cmocka_unit_test(test_outline_plan_wales),
        cmocka_unit_test(test_outline_plan_england),
        cmocka_unit_test(test_core_group_wales),
        cmocka_unit_test(test_core_group_england),
        cmocka_unit_test(test_review_conference_wales),
        cmocka_unit_test(test_review_conference_england),
        cmocka_unit_test(test_cp_visit_wales),
        cmocka_unit_test(test_cp_visit_england),
        cmocka_unit_test(test_cp_home_visit_wales),
        cmocka_unit_test(test_cp_bedroom_wales),
        cmocka_unit_test(test_la_care_plan_wales),
        cmocka_unit_test(test_la_visit_wales),
        cmocka_unit_test(test_la_visit_england),
        cmocka_unit_test(test_la_visit_per_placement_wales),
        cmocka_unit_test(test_la_visit_per_placement_england),
        cmocka_unit_test(test_la_visit_in_private_england),
        cmocka_unit_test(test_la_visit_weekly_wales),
        cmocka_unit_test(test_la_visit_weekly_england),
        cmocka_unit_test(test_la_placement_plan_wales),
        cmocka_unit_test(test_la_placement_plan_england),
        cmocka_unit_test(test_la_care_plan_england),
        cmocka_unit_test(test_la_review_wales),
        cmocka_unit_test(test_la_review_england),
        cmocka_unit_test(test_gp_registration_wales),
        cmocka_unit_test(test_dentist_wales),
        cmocka_unit_test(test_cse_risk_assessment_wales),
        cmocka_unit_test(test_la_health_assessment_england),
        cmocka_unit_test(test_la_health_assessment_wales),
        cmocka_unit_test(test_pep_wales),
        cmocka_unit_test(test_pep_england),
        cmocka_unit_test(test_cin_plan_review_wales),
        cmocka_unit_test(test_cin_plan_review_england),
        cmocka_unit_test(test_return_interview_wales),
        cmocka_unit_test(test_return_interview_england),
        cmocka_unit_test(test_leaving_care_assessment_wales),
        cmocka_unit_test(test_leaving_care_assessment_england),
        cmocka_unit_test(test_pathway_plan_wales),
        cmocka_unit_test(test_pathway_plan_england),
        cmocka_unit_test(test_pathway_plan_review_wales),
        cmocka_unit_test(test_pathway_plan_review_england),
        cmocka_unit_test(test_pa_visit_wales),
        cmocka_unit_test(test_pa_visit_england),
        cmocka_unit_test(test_repeat_missing_wales),
        cmocka_unit_test(test_repeat_missing_england),
        cmocka_unit_test(test_cse_concern_unassessed_wales),
        cmocka_unit_test(test_cse_concern_unassessed_england),
        cmocka_unit_test(test_cse_band_no_strategy_wales),
        cmocka_unit_test(test_cse_band_no_strategy_england),
        cmocka_unit_test(test_repeat_contacts_wales),
        cmocka_unit_test(test_repeat_contacts_england),
        cmocka_unit_test(test_re_referral_wales),
        cmocka_unit_test(test_re_referral_england),
        cmocka_unit_test(test_drift_wales),
        cmocka_unit_test(test_drift_england),
        cmocka_unit_test(test_views_missing_wales),
        cmocka_unit_test(test_views_missing_england),
        cmocka_unit_test(test_supervision_gap_wales),
        cmocka_unit_test(test_supervision_gap_england),
        cmocka_unit_test(test_as_of_in_the_past),
        cmocka_unit_test(test_results_accumulate),
        cmocka_unit_test(test_outside_calendar),
        cmocka_unit_test(test_unknown_events_ignored),
        cmocka_unit_test(test_random_histories),
        cmocka_unit_test(test_custom_pack),
        cmocka_unit_test(test_count_from),
        cmocka_unit_test(test_since),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_integrity_thresholds),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
