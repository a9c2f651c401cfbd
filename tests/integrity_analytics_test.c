/*
 * integrity_analytics_test.c — the integrity analytics (docs/integrity.md) on constructed cases:
 * each pattern is found on a case built to show it, and is absent from the matching clean case,
 * which differs only in what the pattern is about. The thresholds are the Wales pack's
 * (rules/wales.rules), and one test loads a pack of its own to show they are honoured.
 *
 * Every command carries a source recorded_at (what a migration would give), so each case
 * says exactly when each thing was recorded; one case has none, to show the log's own time
 * is used then.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "casework/casework.h"
#include "measures/integrity.h"
#include "testutil.h"

typedef struct fx {
    char dir[64];
    char db[128];
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_calendar cal;
    cw_integrity_report rep;
    int have_rep;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    cw_error err;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-integrity-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/log.db", f->dir);
    if (cw_ledger_create(f->db, "integrity.test", &err) ||
        cw_ledger_open(f->db, CW_LEDGER_WRITE, &f->l, &err) ||
        cw_rules_load_builtin("wales", &f->pack, &err) || cw_calendar_load_default(&f->cal, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (f->have_rep)
        cw_integrity_report_release(&f->rep);
    cw_ledger_close(f->l);
    cw_rules_free(f->pack);
    cw_calendar_release(&f->cal);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static cw_date D(const char *s)
{
    cw_date d = 0;
    assert_int_equal(cw_date_parse(s, strlen(s), &d), CW_OK);
    return d;
}

/*
 * Appends one command, recorded in the older system at `at` ("2025-03-01T10:00:00Z"), or
 * with no source when at is NULL (the log's own time, today).
 */
static void put(fx *f, const char *actor, const char *type, const char *at, const char *fmt, ...)
{
    char payload[2048], line[3072];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(payload, sizeof payload, fmt, ap);
    va_end(ap);
    if (at)
        snprintf(line, sizeof line,
                 "{\"type\":\"%s\",\"actor\":\"%s\",\"source\":{\"system\":\"TEST\","
                 "\"recorded_at\":\"%s\"},\"payload\":{%s}}",
                 type, actor, at, payload);
    else
        snprintf(line, sizeof line, "{\"type\":\"%s\",\"actor\":\"%s\",\"payload\":{%s}}", type,
                 actor, payload);
    cw_event ev;
    cw_event_source src;
    json_t *holder = NULL;
    cw_error err;
    cw_rc rc = cw_entry_parse_command(line, strlen(line), "cli", &ev, &src, &holder, &err);
    if (!rc && !(rc = cw_casework_begin(f->l, &err))) {
        rc = cw_casework_submit_source(f->l, &ev, &src, NULL, &err);
        if (rc)
            cw_casework_abort(f->l);
        else
            rc = cw_casework_commit(f->l, NULL, &err);
    }
    json_decref(holder);
    if (rc)
        fail_msg("refused: %s\n  %s", err.msg, line);
}

/* A source time: the date at 10:00 UTC, plus minutes. */
static const char *at(char *buf, const char *date, int minutes)
{
    unsigned m = (unsigned)minutes;
    snprintf(buf, 32, "%.10sT%02u:%02u:00Z", date, (10 + m / 60) % 24, m % 60);
    return buf;
}

/* The date n working days after d, as text. */
static const char *wd_after(fx *f, char *buf, const char *d, int n)
{
    cw_date out;
    assert_int_equal(cw_calendar_add_working_days(&f->cal, D(d), n, &out, NULL), CW_OK);
    cw_date_format(out, buf);
    return buf;
}

/*
 * Two teams: t1 (team manager tm.1, social workers sw.1 .. sw.6) and t2 (sw.9). Children C01
 * .. C36, registered on 2 December 2024; C01-C06 allocated to sw.1, C07-C12 to sw.2, ...,
 * C31-C36 to sw.6.
 */
static void org(fx *f)
{
    char a[32];
    const char *t0 = "2024-12-02T09:00:00Z";
    put(f, "cli", "team_created", t0, "\"team_id\":\"t1\",\"name\":\"Team one\"");
    put(f, "cli", "team_created", t0, "\"team_id\":\"t2\",\"name\":\"Team two\"");
    put(f, "cli", "staff_added", t0,
        "\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"t1\"");
    for (int w = 1; w <= 6; w++)
        put(f, "cli", "staff_added", t0,
            "\"staff_id\":\"sw.%d\",\"name\":\"W\",\"role\":\"social_worker\",\"team_id\":\"t1\","
            "\"manager_id\":\"tm.1\"",
            w);
    put(f, "cli", "staff_added", t0,
        "\"staff_id\":\"sw.9\",\"name\":\"W\",\"role\":\"social_worker\",\"team_id\":\"t2\"");
    for (int c = 1; c <= 36; c++) {
        put(f, "tm.1", "child_registered", at(a, "2024-12-02", c),
            "\"child_id\":\"C%02d\",\"date\":\"2024-12-02\",\"given_name\":\"A\","
            "\"family_name\":\"B\",\"date_of_birth\":\"2015-01-01\",\"gender\":\"female\","
            "\"language\":\"english\"",
            c);
        put(f, "tm.1", "case_allocated", at(a, "2024-12-02", c),
            "\"child_id\":\"C%02d\",\"worker_id\":\"sw.%d\",\"date\":\"2024-12-02\"", c,
            (c - 1) / 6 + 1);
    }
}

static void run_integrity(fx *f, const char *from, const char *to)
{
    cw_error err;
    cw_integrity_opts o = {D(from), D(to), NULL};
    if (f->have_rep)
        cw_integrity_report_release(&f->rep);
    cw_integrity_report_init(&f->rep);
    f->have_rep = 1;
    if (cw_integrity_run(f->l, f->pack, &f->cal, &o, &f->rep, &err))
        fail_msg("integrity: %s", err.msg);
}

/* The number of flags of the pattern, and of those naming staff (if given). */
static size_t flags(fx *f, cw_integrity_pattern p, const char *staff)
{
    size_t n = 0;
    for (size_t i = 0; i < f->rep.nflags; i++) {
        const cw_integrity_flag *g = &f->rep.flags[i];
        if (g->pattern != p)
            continue;
        int named = !staff;
        for (size_t k = 0; staff && k < g->nstaff; k++)
            named |= !strcmp(g->staff[k], staff);
        n += named;
    }
    return n;
}

static const cw_integrity_flag *first(fx *f, cw_integrity_pattern p)
{
    for (size_t i = 0; i < f->rep.nflags; i++)
        if (f->rep.flags[i].pattern == p)
            return &f->rep.flags[i];
    static cw_integrity_flag none;
    fail_msg("no %s flag", cw_integrity_pattern_id(p));
    return &none;
}

static void no_flags(fx *f)
{
    if (f->rep.nflags)
        fail_msg("expected no flags, got %zu; the first: %s: %s", f->rep.nflags,
                 cw_integrity_pattern_id(f->rep.flags[0].pattern), f->rep.flags[0].explanation);
}

/* 20 case notes per worker, on working days from 6 January 2025, each recorded on its day;
 * every late_every-th of sw.6's notes is recorded `late` working days after its date. */
static void worker_notes(fx *f, int late, int late_every)
{
    char a[32], d[16], r[16], actor[16];
    for (int w = 1; w <= 6; w++) {
        snprintf(actor, sizeof actor, "sw.%d", w);
        for (int k = 0; k < 20; k++) {
            wd_after(f, d, "2025-01-03", k + 1);
            const char *rec = w == 6 && k % late_every == 0 ? wd_after(f, r, d, late) : d;
            put(f, actor, "case_note", at(a, rec, k),
                "\"child_id\":\"C%02d\",\"date\":\"%s\","
                "\"text\":\"Note %d by %d.\"",
                (w - 1) * 6 + k % 6 + 1, d, k, w);
        }
    }
}

static void test_late_recording_worker(void **state)
{
    fx *f = *state;
    org(f);
    worker_notes(f, 15, 2); /* 10 of sw.6's 20 notes recorded 15 working days late */
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, "sw.6"), 1);
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, NULL), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_LATE_RECORDING);
    assert_string_equal(g->team, "t1");
    assert_int_equal(g->count, 10);
    assert_int_equal(g->of, 20);
    assert_int_equal(g->entries_total, 10);
    assert_true(g->z >= 3);
    assert_non_null(strstr(g->explanation, "10 of 20 entries (50%) were recorded more than 10 "
                                           "working days after the date they give"));
}

static void test_late_recording_clean(void **state)
{
    fx *f = *state;
    org(f);
    worker_notes(f, 8, 2); /* late, but within the 10 working days of the pack */
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, NULL), 0);
    no_flags(f);
}

/* A referral on 6 January 2025 decided for assessment: due 42 working days later. */
static void referral(fx *f, const char *child, const char *rid, const char *aid)
{
    char a[32];
    put(f, "sw.1", "referral_received", at(a, "2025-01-06", 0),
        "\"referral_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"2025-01-06\",\"source\":\"school\","
        "\"reason\":\"Concerns.\"",
        rid, child);
    put(f, "tm.1", "referral_decided", at(a, "2025-01-06", 5),
        "\"referral_id\":\"%s\",\"date\":\"2025-01-06\",\"decision\":\"assessment\"", rid);
    put(f, "sw.1", "assessment_started", at(a, "2025-01-07", 0),
        "\"assessment_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"2025-01-07\",\"referral_id\":"
        "\"%s\"",
        aid, child, rid);
}

static void complete(fx *f, const char *aid, const char *date, const char *recorded)
{
    put(f, "sw.1", "assessment_completed", recorded,
        "\"assessment_id\":\"%s\",\"date\":\"%s\",\"child_seen\":true,\"child_seen_date\":\"%s\","
        "\"views\":\"Wants to stay at her school.\",\"analysis\":\"Needs are met at home with "
        "support from the school; %s.\",\"outcome\":\"no_further_action\"",
        aid, date, date, aid);
}

static void test_overdue_hidden(void **state)
{
    fx *f = *state;
    char due[16], a[32], b[32], rec[16];
    org(f);
    referral(f, "C01", "R1", "A1");
    wd_after(f, due, "2025-01-06", 42); /* 2025-03-06 */
    /* done "on time" on the day before the due date, written 35 days after it */
    cw_date r = D(due) + 35;
    cw_date_format(r, rec);
    complete(f, "A1", wd_after(f, a, due, -1), at(b, rec, 0));
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_OVERDUE_HIDDEN, "sw.1"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_OVERDUE_HIDDEN);
    assert_int_equal(g->count, 35);
    assert_non_null(strstr(g->explanation, "35 days overdue"));
    assert_int_equal(g->nchildren, 1);
    assert_string_equal(g->children[0], "C01");
}

static void test_overdue_hidden_clean(void **state)
{
    fx *f = *state;
    char due[16], d[16], a[32], b[32];
    org(f);
    referral(f, "C01", "R1", "A1");
    wd_after(f, due, "2025-01-06", 42);
    wd_after(f, d, due, -1);
    complete(f, "A1", d, at(a, wd_after(f, b, d, 2), 0)); /* written up two days later */
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

/*
 * The council's case: recorded today (the log's own time, no source), dated five weeks
 * back, an assessment that was 35 days overdue reads as done on time.
 */
static void test_overdue_hidden_recorded_today(void **state)
{
    fx *f = *state;
    char due[16], d[16], a[32];
    org(f);
    referral(f, "C01", "R1", "A1");
    wd_after(f, due, "2025-01-06", 42);
    complete(f, "A1", wd_after(f, d, due, -1), NULL);
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_OVERDUE_HIDDEN, "sw.1"), 1);
    (void)a;
}

static void test_date_correction(void **state)
{
    fx *f = *state;
    char a[32];
    org(f);
    referral(f, "C01", "R1", "A1");
    complete(f, "A1", "2025-03-20", at(a, "2025-03-20", 0)); /* due 2025-03-06: late */
    /* entry 0.. : find the completion's index: it is the last entry */
    uint64_t idx = cw_ledger_size(f->l) - 1;
    put(f, "sw.1", "correction", at(a, "2025-03-24", 0),
        "\"corrects\":%llu,\"reason\":\"Wrong date.\",\"changes\":{\"date\":\"2025-03-04\","
        "\"child_seen_date\":\"2025-03-04\"}",
        (unsigned long long)idx);
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_DATE_CORRECTION, "sw.1"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_DATE_CORRECTION);
    assert_int_equal(g->nentries, 2); /* the work and its correction */
    assert_int_equal(g->entries[0], idx);
    assert_int_equal(g->entries[1], idx + 1);
    assert_non_null(strstr(g->explanation, "from 2025-03-20 to 2025-03-04"));
}

static void test_date_correction_clean(void **state)
{
    fx *f = *state;
    char a[32];
    org(f);
    referral(f, "C01", "R1", "A1");
    complete(f, "A1", "2025-03-20", at(a, "2025-03-20", 0));
    uint64_t idx = cw_ledger_size(f->l) - 1;
    /* a corrected date that leaves it late: a mistake put right, not a late item hidden */
    put(f, "sw.1", "correction", at(a, "2025-03-24", 0),
        "\"corrects\":%llu,\"reason\":\"Wrong date.\",\"changes\":{\"date\":\"2025-03-19\","
        "\"child_seen_date\":\"2025-03-19\"}",
        (unsigned long long)idx);
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

/*
 * Referrals decided within 1 working day: sw.1 .. sw.5 decide on the day the referral
 * arrives; sw.6 on the due date itself (or, clean, on the day too).
 */
static void decisions(fx *f, int on_due)
{
    char a[32], d[16], r[16], actor[16];
    int n = 0;
    for (int w = 1; w <= 6; w++) {
        snprintf(actor, sizeof actor, "sw.%d", w);
        for (int k = 0; k < 8; k++, n++) {
            wd_after(f, d, "2025-02-03", k * 2);
            int child = (w - 1) * 6 + k % 6 + 1;
            put(f, actor, "referral_received", at(a, d, 0),
                "\"referral_id\":\"F%d\",\"child_id\":\"C%02d\",\"date\":\"%s\","
                "\"source\":\"school\",\"reason\":\"Concerns.\"",
                n, child, d);
            const char *when = w == 6 && on_due ? wd_after(f, r, d, 1) : d;
            put(f, actor, "referral_decided", at(a, when, 30),
                "\"referral_id\":\"F%d\",\"date\":\"%s\",\"decision\":\"no_further_action\"", n,
                when);
        }
    }
}

static void test_deadline_clustering(void **state)
{
    fx *f = *state;
    org(f);
    decisions(f, 1);
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_DEADLINE_CLUSTER, "sw.6"), 1);
    assert_int_equal(flags(f, CW_INTEGRITY_DEADLINE_CLUSTER, NULL), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_DEADLINE_CLUSTER);
    assert_int_equal(g->count, 8);
    assert_int_equal(g->of, 8);
}

static void test_deadline_clustering_clean(void **state)
{
    fx *f = *state;
    org(f);
    decisions(f, 0);
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

static void test_clock_reset(void **state)
{
    fx *f = *state;
    char a[32];
    org(f);
    referral(f, "C01", "R1", "A1"); /* the assessment is overdue from 7 March */
    put(f, "sw.1", "case_closed", at(a, "2025-03-24", 0),
        "\"child_id\":\"C01\",\"date\":\"2025-03-24\",\"reason\":\"Closed.\"");
    put(f, "tm.1", "case_reopened", at(a, "2025-03-31", 0),
        "\"child_id\":\"C01\",\"date\":\"2025-03-31\",\"reason\":\"Reopened.\"");
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_CLOCK_RESET, "sw.1"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_CLOCK_RESET);
    assert_int_equal(g->nentries, 2);
    assert_non_null(strstr(g->explanation, "the longest, assessment"));
}

static void test_clock_reset_clean(void **state)
{
    fx *f = *state;
    char a[32], due[16];
    org(f);
    referral(f, "C01", "R1", "A1");
    wd_after(f, due, "2025-01-06", 40);
    complete(f, "A1", due, at(a, due, 0)); /* done on time: nothing overdue at the closure */
    put(f, "sw.1", "case_closed", at(a, "2025-03-24", 0),
        "\"child_id\":\"C01\",\"date\":\"2025-03-24\",\"reason\":\"Closed.\"");
    put(f, "tm.1", "case_reopened", at(a, "2025-03-31", 0),
        "\"child_id\":\"C01\",\"date\":\"2025-03-31\",\"reason\":\"Reopened.\"");
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

/* sw.6 records 12 notes about their 6 children dated in February; all at once (or each the
 * next day, clean). */
static void backlog(fx *f, int bulk)
{
    char a[32], d[16], r[16];
    for (int k = 0; k < 12; k++) {
        wd_after(f, d, "2025-02-03", k);
        const char *rec = bulk ? at(a, "2025-03-20", 360 + k * 2) : at(a, wd_after(f, r, d, 1), k);
        put(f, "sw.6", "case_note", rec,
            "\"child_id\":\"C%02d\",\"date\":\"%s\",\"text\":\"Note %d.\"", 31 + k % 6, d, k);
    }
}

static void test_bulk_entry(void **state)
{
    fx *f = *state;
    org(f);
    backlog(f, 1);
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_BULK_ENTRY, "sw.6"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_BULK_ENTRY);
    assert_int_equal(g->count, 12);
    assert_int_equal(g->of, 6);
    assert_int_equal(g->nchildren, 6);
    assert_non_null(strstr(g->explanation, "12 entries about 6 children were recorded between "
                                           "2025-03-20T16:00 and 16:22 UTC"));
}

static void test_bulk_entry_clean(void **state)
{
    fx *f = *state;
    org(f);
    backlog(f, 0);
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

static void visits(fx *f, const char *v1, const char *v2, const char *v3)
{
    char a[32];
    const char *views[] = {v1, v2, v3};
    for (int k = 0; k < 3; k++)
        put(f, "sw.6", "statutory_visit", at(a, "2025-02-10", k * 60),
            "\"child_id\":\"C%02d\",\"date\":\"2025-02-10\",\"seen\":true,\"seen_alone\":true,"
            "\"views\":\"%s\"",
            31 + k, views[k]);
}

static void test_boilerplate(void **state)
{
    fx *f = *state;
    org(f);
    /* the same words, whatever the case and spacing */
    visits(f, "Child seen, all fine, no concerns.", "child seen all fine no concerns",
           "Child  seen. All fine; no concerns!");
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_BOILERPLATE, "sw.6"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_BOILERPLATE);
    assert_int_equal(g->nchildren, 3);
    assert_int_equal(g->nentries, 3);
    /* each entry names its own child (visits to C31, C32, C33, in log order) */
    for (size_t k = 0; k < 3; k++) {
        char want[8];
        snprintf(want, sizeof want, "C%zu", 31 + k);
        assert_true(g->entry_child[k] >= 0 && (size_t)g->entry_child[k] < g->nchildren);
        assert_string_equal(g->children[g->entry_child[k]], want);
        assert_true(k == 0 || g->entries[k] > g->entries[k - 1]);
    }
    /* the text itself is nowhere in the flag */
    assert_null(strstr(g->explanation, "fine"));
}

/* Issue 13: the pattern reads each text's print, kept among the facts, so erasing the texts
 * (two people: a manager proposes, the data protection officer approves) changes nothing. */
static void test_boilerplate_survives_erasure(void **state)
{
    fx *f = *state;
    org(f);
    visits(f, "Child seen, all fine, no concerns.", "child seen all fine no concerns",
           "Child  seen. All fine; no concerns!");
    put(f, "cli", "staff_added", NULL,
        "\"staff_id\":\"dpo\",\"name\":\"D\",\"role\":\"data_protection_officer\"");
    for (int c = 31; c <= 33; c++) {
        put(f, "tm.1", "erasure_proposed", NULL,
            "\"erasure_id\":\"E%d\",\"child_id\":\"C%d\",\"date\":\"2026-12-01\","
            "\"lawful_basis\":\"erasure_request\",\"reason\":\"asked\"",
            c, c);
        put(f, "dpo", "erasure_approved", NULL, "\"erasure_id\":\"E%d\",\"date\":\"2026-12-01\"",
            c);
    }
    /* the texts are gone: every visit's views read true now */
    cw_history h;
    cw_error err;
    assert_int_equal(cw_casework_history(f->l, "C31", &h, &err), CW_OK);
    size_t seen = 0;
    for (size_t i = 0; i < h.n; i++)
        if (!strcmp(h.entries[i].type, "statutory_visit")) {
            assert_true(json_is_true(json_object_get(h.entries[i].payload, "views")));
            assert_true(h.entries[i].removed_by >= 0);
            seen++;
        }
    cw_casework_history_release(&h);
    assert_int_equal(seen, 1);
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_BOILERPLATE, "sw.6"), 1);
    assert_int_equal(first(f, CW_INTEGRITY_BOILERPLATE)->nentries, 3);
}

static void test_boilerplate_empty(void **state)
{
    fx *f = *state;
    org(f);
    visits(f, "Fine.", "Said she likes her new school and her foster carer.",
           "Wants to see his brother more often.");
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_BOILERPLATE, "sw.6"), 1);
    assert_int_equal(first(f, CW_INTEGRITY_BOILERPLATE)->nentries, 1);
}

static void test_boilerplate_clean(void **state)
{
    fx *f = *state;
    org(f);
    visits(f, "Said she likes her new school and her foster carer.",
           "Wants to see his brother more often.", "Worried about moving house in the summer.");
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

static void test_outside_team(void **state)
{
    fx *f = *state;
    char a[32];
    org(f);
    /* sw.9 (team t2) records a visit to a child whose case sw.1 (team t1) holds */
    put(f, "sw.9", "statutory_visit", at(a, "2025-02-10", 0),
        "\"child_id\":\"C01\",\"date\":\"2025-02-10\",\"seen\":true,\"seen_alone\":true,"
        "\"views\":\"Said she likes her new school.\"");
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_OUTSIDE_TEAM, "sw.9"), 1);
    const cw_integrity_flag *g = first(f, CW_INTEGRITY_OUTSIDE_TEAM);
    assert_string_equal(g->team, "t2");
    assert_string_equal(g->children[0], "C01");
}

static void test_outside_team_clean(void **state)
{
    fx *f = *state;
    char a[32];
    org(f);
    put(f, "sw.2", "statutory_visit", at(a, "2025-02-10", 0), /* sw.2 is in t1 too */
        "\"child_id\":\"C01\",\"date\":\"2025-02-10\",\"seen\":true,\"seen_alone\":true,"
        "\"views\":\"Said she likes her new school.\"");
    /* and the old team finishing off after a transfer to t2 */
    put(f, "tm.1", "case_transferred", at(a, "2025-03-03", 0),
        "\"child_id\":\"C02\",\"worker_id\":\"sw.9\",\"date\":\"2025-03-03\"");
    put(f, "sw.1", "case_note", at(a, "2025-03-05", 0),
        "\"child_id\":\"C02\",\"date\":\"2025-03-05\",\"text\":\"Hand-over note.\"");
    run_integrity(f, "2025-01-01", "2025-06-30");
    no_flags(f);
}

/* The pack's thresholds are the ones applied: a pack with a lower bar flags what Wales does
 * not, and a pack without the line looks for nothing. */
static void test_thresholds_honoured(void **state)
{
    fx *f = *state;
    cw_error err;
    org(f);
    worker_notes(f, 8, 2); /* 10 notes 8 working days late: not late for Wales (10) */
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, NULL), 0);
    static const char text[] = "pack strict\n"
                               "integrity late_recording after 5 working days, z 3, at_least 5\n"
                               "rule r1\ntitle T\nkind obligation\nstart referral_received\n"
                               "due 1 working day\nmet_by referral_decided link referral_id\n"
                               "source S\n";
    cw_rule_pack *strict = NULL;
    assert_int_equal(cw_rules_load(text, sizeof text - 1, "strict.rules", &strict, &err), CW_OK);
    cw_rule_pack *wales = f->pack;
    f->pack = strict;
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, "sw.6"), 1);
    assert_false(f->rep.summary[CW_INTEGRITY_BULK_ENTRY].on);
    assert_int_equal(f->rep.summary[CW_INTEGRITY_BULK_ENTRY].checked, 0);
    f->pack = wales;
    cw_rules_free(strict);
    /* at_least: with 12 needed, 10 late notes are not enough */
    static const char text2[] = "pack strict\n"
                                "integrity late_recording after 5 working days, z 3, at_least 12\n"
                                "rule r1\ntitle T\nkind obligation\nstart referral_received\n"
                                "due 1 working day\nmet_by referral_decided link referral_id\n"
                                "source S\n";
    assert_int_equal(cw_rules_load(text2, sizeof text2 - 1, "strict.rules", &strict, &err), CW_OK);
    f->pack = strict;
    run_integrity(f, "2025-01-01", "2025-06-30");
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, NULL), 0);
    f->pack = wales;
    cw_rules_free(strict);
}

/* The window, the team filter and the report's forms. */
static void test_window_team_and_output(void **state)
{
    fx *f = *state;
    cw_error err;
    org(f);
    worker_notes(f, 15, 2);
    run_integrity(f, "2025-06-01", "2025-06-30"); /* the notes are dated in Jan-Feb */
    assert_int_equal(flags(f, CW_INTEGRITY_LATE_RECORDING, NULL), 0);
    cw_integrity_opts o = {D("2025-01-01"), D("2025-06-30"), "t2"};
    cw_integrity_report_release(&f->rep);
    cw_integrity_report_init(&f->rep);
    assert_int_equal(cw_integrity_run(f->l, f->pack, &f->cal, &o, &f->rep, &err), CW_OK);
    assert_int_equal(f->rep.nflags, 0); /* sw.6 is in t1 */
    o.team = "t1";
    cw_integrity_report_release(&f->rep);
    cw_integrity_report_init(&f->rep);
    assert_int_equal(cw_integrity_run(f->l, f->pack, &f->cal, &o, &f->rep, &err), CW_OK);
    assert_int_equal(f->rep.nflags, 1);
    json_t *j = NULL;
    assert_int_equal(cw_integrity_json(&f->rep, &j), CW_OK);
    assert_string_equal(json_string_value(json_object_get(j, "from")), "2025-01-01");
    assert_string_equal(json_string_value(json_object_get(j, "team")), "t1");
    json_t *fl = json_array_get(json_object_get(j, "flags"), 0);
    assert_string_equal(json_string_value(json_object_get(fl, "pattern")), "late_recording");
    assert_int_equal(json_array_size(json_object_get(fl, "entries")), 10);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "checkpoint"), "size")),
                     (json_int_t)cw_ledger_size(f->l));
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(j, "summary"), "late_recording"), "flags")),
        1);
    json_decref(j);
    cw_buf text = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_integrity_text(&f->rep, &text), CW_OK);
    assert_non_null(strstr(text.data, "1. Late recording (late_recording), team t1"));
    assert_non_null(strstr(text.data, "staff: sw.6"));
    assert_null(strstr(text.data, "Note 1")); /* no text of the notes */
    cw_buf_release(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_late_recording_worker),
        T(test_late_recording_clean),
        T(test_overdue_hidden),
        T(test_overdue_hidden_clean),
        T(test_overdue_hidden_recorded_today),
        T(test_date_correction),
        T(test_date_correction_clean),
        T(test_deadline_clustering),
        T(test_deadline_clustering_clean),
        T(test_clock_reset),
        T(test_clock_reset_clean),
        T(test_bulk_entry),
        T(test_bulk_entry_clean),
        T(test_boilerplate),
        T(test_boilerplate_survives_erasure),
        T(test_boilerplate_empty),
        T(test_boilerplate_clean),
        T(test_outside_team),
        T(test_outside_team_clean),
        T(test_thresholds_honoured),
        T(test_window_team_and_output),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
