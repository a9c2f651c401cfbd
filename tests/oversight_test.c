/*
 * oversight_test.c — the rules applied to the record, and escalation up the
 * management chain: who is told, that it is recorded in the ledger, that it
 * is recorded once per step, and that it never counts as casework.
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
#include "ledger/verify.h"
#include "rules/oversight.h"
#include "testdb.h"
#include "testutil.h"

typedef struct fx {
    char dir[64];
    char db[1024];
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_calendar cal;
} fx;

static cw_date D(const char *s)
{
    cw_date d = 0;
    assert_int_equal(cw_date_parse(s, strlen(s), &d), CW_OK);
    return d;
}

/* Submits one command (a JSON object with type, actor and payload) as its own batch. */
static cw_rc submit(fx *f, const char *json, cw_error *err)
{
    cw_event ev;
    json_t *holder = NULL;
    cw_rc rc = cw_entry_parse_request(json, strlen(json), "admin", &ev, &holder, err);
    if (rc)
        return rc;
    if (!(rc = cw_casework_begin(f->l, err))) {
        rc = cw_casework_submit(f->l, &ev, NULL, err);
        if (rc)
            cw_casework_abort(f->l);
        else
            rc = cw_casework_commit(f->l, NULL, err);
    }
    json_decref(holder);
    return rc;
}

static void ok(fx *f, const char *json)
{
    cw_error err;
    if (submit(f, json, &err) != CW_OK)
        fail_msg("command refused: %s\n  %s", err.msg, json);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    cw_error err;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-oversight-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    tdb_path(f->db, sizeof f->db, f->dir, "log");
    if (cw_ledger_create(f->db, "test.caseward.example/oversight", &err) ||
        cw_ledger_open(f->db, CW_LEDGER_WRITE, &f->l, &err) ||
        cw_rules_load_builtin("wales", &f->pack, &err) || cw_calendar_load_default(&f->cal, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    /* Head of service <- service manager <- team manager <- social worker. */
    ok(f, "{\"type\":\"team_created\",\"payload\":{\"team_id\":\"north\",\"name\":\"North\"}}");
    ok(f, "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"hos\",\"name\":\"H\","
          "\"role\":\"head_of_service\"}}");
    ok(f, "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"sm\",\"name\":\"S\","
          "\"role\":\"service_manager\",\"manager_id\":\"hos\"}}");
    ok(f, "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"tm\",\"name\":\"T\","
          "\"role\":\"team_manager\",\"team_id\":\"north\",\"manager_id\":\"sm\"}}");
    ok(f, "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"sw\",\"name\":\"W\","
          "\"role\":\"social_worker\",\"team_id\":\"north\",\"manager_id\":\"tm\"}}");
    /* A child referred on 5 January 2026 whose assessment is never completed. */
    ok(f, "{\"type\":\"child_registered\",\"actor\":\"sw\",\"payload\":{\"child_id\":\"C1\","
          "\"date\":\"2026-01-05\",\"given_name\":\"A\",\"family_name\":\"B\","
          "\"date_of_birth\":\"2015-06-01\",\"gender\":\"female\",\"language\":\"welsh\"}}");
    ok(f, "{\"type\":\"referral_received\",\"actor\":\"sw\",\"payload\":{\"referral_id\":\"R1\","
          "\"child_id\":\"C1\",\"date\":\"2026-01-05\",\"source\":\"school\",\"reason\":\"r\"}}");
    ok(f, "{\"type\":\"referral_decided\",\"actor\":\"tm\",\"payload\":{\"referral_id\":\"R1\","
          "\"date\":\"2026-01-06\",\"decision\":\"assessment\",\"decided_by\":\"tm\"}}");
    ok(f, "{\"type\":\"assessment_started\",\"actor\":\"sw\",\"payload\":{\"assessment_id\":"
          "\"A1\",\"child_id\":\"C1\",\"referral_id\":\"R1\",\"date\":\"2026-01-07\"}}");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    cw_ledger_close(f->l);
    cw_rules_free(f->pack);
    cw_calendar_release(&f->cal);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static void allocate(fx *f)
{
    ok(f, "{\"type\":\"case_allocated\",\"actor\":\"tm\",\"payload\":{\"child_id\":\"C1\","
          "\"worker_id\":\"sw\",\"date\":\"2026-01-06\"}}");
}

/* The overdue assessment obligation for C1 on as_of, or NULL. */
static const cw_obligation *overdue_assessment(fx *f, cw_date as_of, cw_rule_results *r)
{
    cw_error err;
    cw_rule_results_reset(r);
    assert_int_equal(cw_oversight_child(f->l, f->pack, &f->cal, "C1", as_of, r, &err), CW_OK);
    for (size_t i = 0; i < r->nobligations; i++)
        if (r->obligations[i].state == CW_OBLIGATION_OVERDUE && r->obligations[i].started_by <= 8 &&
            strstr(r->obligations[i].rule_id, "assess"))
            return &r->obligations[i];
    return NULL;
}

/* The first column of the first row of sql, read with plain SQL (tests/testdb.h). */
static int64_t count(fx *f, const char *sql)
{
    cw_buf b = CW_BUF_INIT(1 << 16);
    tdb_rows(f->db, sql, &b, 0);
    assert_non_null(b.data);
    int64_t n = strtoll(b.data, NULL, 10);
    cw_buf_release(&b);
    return n;
}

/* The first row's text (one column), "" for NULL or no row. */
static void text(fx *f, const char *sql, char *out, size_t cap)
{
    cw_buf b = CW_BUF_INIT(1 << 16);
    tdb_rows(f->db, sql, &b, 1);
    out[0] = '\0';
    if (b.data && strncmp(b.data, "NULL", 4) != 0) /* typed: "t:value\n" */
        snprintf(out, cap, "%.*s", (int)strcspn(b.data + 2, "\n"), b.data + 2);
    cw_buf_release(&b);
}

/* Before its due date the assessment is open; well after, overdue and escalating. */
static void test_overdue_with_as_of(void **state)
{
    fx *f = *state;
    cw_rule_results r;
    cw_rule_results_init(&r);
    allocate(f);
    assert_null(overdue_assessment(f, D("2026-02-02"), &r));
    const cw_obligation *o = overdue_assessment(f, D("2026-06-01"), &r);
    assert_non_null(o);
    assert_true(o->due > D("2026-02-02") && o->due < D("2026-06-01"));
    assert_int_equal(o->days_overdue, D("2026-06-01") - o->due);
    assert_true(o->escalation_level >= 1);
    assert_non_null(o->escalate_to);
    cw_rule_results_release(&r);
}

/* Escalation goes to the first person up the chain with the ladder's role,
 * is recorded as a ledger event, and is recorded once per step. */
static void test_escalation_routes_and_is_idempotent(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_rule_results r;
    uint64_t raised = 0, unrouted = 0;
    cw_rule_results_init(&r);
    allocate(f);
    const cw_obligation *o = overdue_assessment(f, D("2026-06-01"), &r);
    assert_non_null(o);
    char role[32], item[200];
    snprintf(role, sizeof role, "%s", o->escalate_to);
    cw_oversight_item_obligation(o, item, sizeof item);
    const char *want = !strcmp(role, "team_manager")      ? "tm"
                       : !strcmp(role, "service_manager") ? "sm"
                       : !strcmp(role, "head_of_service") ? "hos"
                                                          : NULL;
    assert_non_null(want);
    uint64_t before = cw_ledger_size(f->l);
    int64_t activity_before =
        count(f, "SELECT count(*) FROM children WHERE last_activity IS NOT NULL");
    char last_before[16], last_after[16];
    text(f, "SELECT last_activity FROM children WHERE child_id = 'C1'", last_before,
         sizeof last_before);

    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_true(raised >= 1);
    assert_int_equal(cw_ledger_size(f->l), before + raised);
    char sql[512], who[65];
    snprintf(sql, sizeof sql,
             "SELECT notified_id FROM escalations WHERE child_id = 'C1' AND item = '%s'", item);
    text(f, sql, who, sizeof who);
    assert_string_equal(who, want);

    /* The ledger entry itself says who was told, by caseward itself. */
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    int seen = 0;
    for (uint64_t i = before; i < cw_ledger_size(f->l); i++) {
        cw_buf_reset(&leaf);
        assert_int_equal(cw_ledger_leaf(f->l, i, &leaf, &err), CW_OK);
        assert_non_null(strstr(leaf.data, "\"actor\":\"system:escalation\""));
        assert_non_null(strstr(leaf.data, "\"type\":\"escalation_raised\""));
        if (strstr(leaf.data, item))
            seen = 1;
    }
    assert_true(seen);
    cw_buf_release(&leaf);

    /* Escalations are not casework: they do not move last_activity. */
    text(f, "SELECT last_activity FROM children WHERE child_id = 'C1'", last_after,
         sizeof last_after);
    assert_string_equal(last_before, last_after);
    assert_int_equal(activity_before,
                     count(f, "SELECT count(*) FROM children WHERE last_activity IS NOT NULL"));

    /* Again, the same day and the next: nothing new for steps already recorded. */
    uint64_t size = cw_ledger_size(f->l);
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_int_equal(raised, 0);
    assert_int_equal(cw_ledger_size(f->l), size);
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-02"), &raised, &unrouted, &err),
        CW_OK);
    assert_int_equal(raised, 0);

    /* And the log still verifies, escalations included. */
    cw_verify_opts vo = {.db_path = f->db};
    cw_verify_report vr;
    assert_int_equal(cw_verify(&vo, &vr, &err), CW_OK);
    assert_int_equal(vr.size, cw_ledger_size(f->l));
    cw_rule_results_release(&r);
}

/* An unallocated child is routed up the chain of whoever last recorded its casework. */
static void test_unallocated_routes_via_recorder(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_rule_results r;
    uint64_t raised = 0, unrouted = 9;
    cw_rule_results_init(&r);
    const cw_obligation *o = overdue_assessment(f, D("2026-06-01"), &r);
    assert_non_null(o);
    /* The last casework on C1 was recorded by sw, whose chain is tm, sm, hos. */
    const char *want = !strcmp(o->escalate_to, "team_manager")      ? "tm"
                       : !strcmp(o->escalate_to, "service_manager") ? "sm"
                                                                    : "hos";
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_true(raised >= 1);
    assert_int_equal(unrouted, 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM escalations WHERE notified_id = '%s'", want);
    assert_true(count(f, sql) >= 1);
    cw_rule_results_release(&r);
}

/* A recorder with nobody above them: counted as unrouted, nothing recorded. */
static void test_unroutable_is_counted(void **state)
{
    fx *f = *state;
    cw_error err;
    uint64_t raised = 9, unrouted = 0;
    ok(f, "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"lone\",\"name\":\"L\","
          "\"role\":\"social_worker\"}}");
    ok(f, "{\"type\":\"case_note\",\"actor\":\"lone\",\"payload\":{\"child_id\":\"C1\","
          "\"date\":\"2026-01-08\",\"text\":\"t\"}}");
    uint64_t before = cw_ledger_size(f->l);
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_int_equal(raised, 0);
    assert_true(unrouted >= 1);
    assert_int_equal(cw_ledger_size(f->l), before);
}

/* A manager who has left is skipped: the next holder of the role up the chain is told. */
static void test_left_manager_is_skipped(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_rule_results r;
    uint64_t raised = 0, unrouted = 0;
    cw_rule_results_init(&r);
    allocate(f);
    const cw_obligation *o = overdue_assessment(f, D("2026-06-01"), &r);
    assert_non_null(o);
    /* Whoever holds the role the ladder reached leaves; a replacement with the
     * same role is put above them in the chain. */
    const char *holder = !strcmp(o->escalate_to, "team_manager")      ? "tm"
                         : !strcmp(o->escalate_to, "service_manager") ? "sm"
                                                                      : "hos";
    const char *above = !strcmp(holder, "tm") ? "sm" : !strcmp(holder, "sm") ? "hos" : NULL;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "{\"type\":\"staff_added\",\"payload\":{\"staff_id\":\"new\",\"name\":\"N\","
             "\"role\":\"%s\"%s%s%s}}",
             o->escalate_to, above ? ",\"manager_id\":\"" : "", above ? above : "",
             above ? "\"" : "");
    ok(f, cmd);
    snprintf(cmd, sizeof cmd,
             "{\"type\":\"staff_changed\",\"payload\":{\"staff_id\":\"%s\",\"manager_id\":"
             "\"new\"}}",
             holder);
    ok(f, cmd);
    snprintf(cmd, sizeof cmd,
             "{\"type\":\"staff_left\",\"payload\":{\"staff_id\":\"%s\",\"date\":"
             "\"2026-05-01\"}}",
             holder);
    ok(f, cmd);
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_true(raised >= 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM escalations WHERE notified_id = '%s'", holder);
    assert_int_equal(count(f, sql), 0);
    assert_true(count(f, "SELECT count(*) FROM escalations WHERE notified_id = 'new'") >= 1);
    cw_rule_results_release(&r);
}

/* Only caseward itself may record an escalation. */
static void test_escalation_event_is_system_only(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_rc rc = submit(f,
                      "{\"type\":\"escalation_raised\",\"actor\":\"tm\",\"payload\":{\"item\":"
                      "\"x\",\"child_id\":\"C1\",\"level\":1,\"notified_id\":\"tm\",\"as_of\":"
                      "\"2026-06-01\",\"days_overdue\":3}}",
                      &err);
    assert_int_equal(rc, CW_EINVAL);
    assert_non_null(strstr(err.msg, "system:escalation"));
}

/* Rebuilding the projections reproduces the escalations table. */
static void test_escalations_survive_rebuild(void **state)
{
    fx *f = *state;
    cw_error err;
    uint64_t raised = 0, unrouted = 0;
    allocate(f);
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_true(raised >= 1);
    int64_t n = count(f, "SELECT count(*) FROM escalations");
    assert_int_equal(n, (int64_t)raised);
    assert_int_equal(cw_casework_rebuild(f->l, &err), CW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM escalations"), n);
    /* ... so escalation stays idempotent after a rebuild. */
    assert_int_equal(
        cw_oversight_escalate(f->l, f->pack, &f->cal, D("2026-06-01"), &raised, &unrouted, &err),
        CW_OK);
    assert_int_equal(raised, 0);
}

typedef struct seen_list {
    char ids[400][16];
    size_t nob[400], nsig[400], overdue[400];
    size_t n;
} seen_list;

static cw_rc collect(void *ctx, const char *child, const cw_rule_results *r)
{
    seen_list *sl = ctx;
    assert_true(sl->n < 400);
    snprintf(sl->ids[sl->n], sizeof sl->ids[0], "%s", child);
    sl->nob[sl->n] = r->nobligations;
    sl->nsig[sl->n] = r->nsignals;
    for (size_t i = 0; i < r->nobligations; i++)
        sl->overdue[sl->n] += r->obligations[i].state == CW_OBLIGATION_OVERDUE;
    sl->n++;
    return CW_OK;
}

/* Enough children for the threaded walk: the same answers, child by child, in order. */
static void test_all_children_in_parallel(void **state)
{
    fx *f = *state;
    cw_error err;
    allocate(f);
    assert_int_equal(cw_casework_begin(f->l, &err), CW_OK);
    for (int i = 0; i < 299; i++) {
        char cmd[3][512];
        snprintf(cmd[0], sizeof cmd[0],
                 "{\"type\":\"child_registered\",\"actor\":\"sw\",\"payload\":{\"child_id\":"
                 "\"K%03d\",\"date\":\"2026-01-05\",\"given_name\":\"A\",\"family_name\":\"B\","
                 "\"date_of_birth\":\"2016-01-01\",\"gender\":\"male\",\"language\":\"english\"}}",
                 i);
        snprintf(cmd[1], sizeof cmd[1],
                 "{\"type\":\"referral_received\",\"actor\":\"sw\",\"payload\":{\"referral_id\":"
                 "\"KR%03d\",\"child_id\":\"K%03d\",\"date\":\"2026-0%d-05\",\"source\":\"police\","
                 "\"reason\":\"r\"}}",
                 i, i, 1 + i % 5);
        snprintf(cmd[2], sizeof cmd[2],
                 "{\"type\":\"referral_decided\",\"actor\":\"tm\",\"payload\":{\"referral_id\":"
                 "\"KR%03d\",\"date\":\"2026-0%d-0%d\",\"decision\":\"%s\",\"decided_by\":\"tm\"}}",
                 i, 1 + i % 5, 5 + i % 3, i % 2 ? "assessment" : "no_further_action");
        for (int k = 0; k < (i % 7 ? 3 : 2); k++) {
            cw_event ev;
            json_t *holder = NULL;
            assert_int_equal(
                cw_entry_parse_request(cmd[k], strlen(cmd[k]), "admin", &ev, &holder, &err), CW_OK);
            if (cw_casework_submit(f->l, &ev, NULL, &err))
                fail_msg("%s: %s", cmd[k], err.msg);
            json_decref(holder);
        }
    }
    assert_int_equal(cw_casework_commit(f->l, NULL, &err), CW_OK);

    seen_list *all = calloc(1, sizeof *all);
    assert_int_equal(cw_oversight_all(f->l, f->pack, &f->cal, D("2026-09-01"), collect, all, &err),
                     CW_OK);
    assert_int_equal(all->n, 300);
    size_t overdue = 0;
    cw_rule_results r;
    cw_rule_results_init(&r);
    for (size_t i = 0; i < all->n; i++) {
        if (i)
            assert_true(strcmp(all->ids[i - 1], all->ids[i]) < 0); /* child_id order */
        cw_rule_results_reset(&r);
        assert_int_equal(
            cw_oversight_child(f->l, f->pack, &f->cal, all->ids[i], D("2026-09-01"), &r, &err),
            CW_OK);
        assert_int_equal(all->nob[i], r.nobligations);
        assert_int_equal(all->nsig[i], r.nsignals);
        size_t o = 0;
        for (size_t k = 0; k < r.nobligations; k++)
            o += r.obligations[k].state == CW_OBLIGATION_OVERDUE;
        assert_int_equal(all->overdue[i], o);
        overdue += o;
    }
    assert_true(overdue > 100); /* the undecided and unassessed ones really are overdue */
    cw_rule_results_release(&r);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overdue_with_as_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalation_routes_and_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unallocated_routes_via_recorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unroutable_is_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_left_manager_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalation_event_is_system_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalations_survive_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_children_in_parallel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
