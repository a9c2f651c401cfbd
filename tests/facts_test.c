/*
 * facts_test.c — the rules read each child's events from the history the
 * projection keeps (child_histories, in the compact form of util/facts.h);
 * they must give exactly the answers the full history read back from the
 * ledger gives, corrections included. A damaged history is named, never
 * guessed at, and rebuild repairs it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "demo/demo.h"
#include "rules/oversight.h"
#include "testutil.h"

static cw_date D(const char *s)
{
    cw_date d = 0;
    assert_int_equal(cw_date_parse(s, strlen(s), &d), CW_OK);
    return d;
}

/* Up to n (entry, actor) pairs of statutory visits, read with plain SQL. */
static size_t visits(const char *db, int64_t *idx, char (*actor)[65], size_t n)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    size_t k = 0;
    assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s,
                           "SELECT ce.idx, json_extract(CAST(e.leaf AS TEXT), '$.actor') FROM "
                           "child_events ce JOIN entries e ON e.idx = ce.idx WHERE "
                           "ce.type = 'statutory_visit' ORDER BY ce.idx",
                           -1, &st, NULL),
        SQLITE_OK);
    for (size_t row = 0; k < n && sqlite3_step(st) == SQLITE_ROW; row++) {
        if (row % 7) /* every seventh visit */
            continue;
        idx[k] = sqlite3_column_int64(st, 0);
        snprintf(actor[k], 65, "%s", (const char *)sqlite3_column_text(st, 1));
        k++;
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
    return k;
}

static void same_results(const cw_rule_results *a, const cw_rule_results *b, const char *child)
{
    if (a->nobligations != b->nobligations || a->nsignals != b->nsignals)
        fail_msg("child %s: %zu/%zu obligations, %zu/%zu signals", child, a->nobligations,
                 b->nobligations, a->nsignals, b->nsignals);
    for (size_t i = 0; i < a->nobligations; i++) {
        const cw_obligation *x = &a->obligations[i], *y = &b->obligations[i];
        if (strcmp(x->rule_id, y->rule_id) || x->started_by != y->started_by ||
            x->start != y->start || x->due != y->due || x->state != y->state || x->met != y->met ||
            x->met_by != y->met_by || x->met_on != y->met_on ||
            x->days_overdue != y->days_overdue || x->escalation_level != y->escalation_level)
            fail_msg("child %s: obligation %zu (%s) differs", child, i, x->rule_id);
    }
    for (size_t i = 0; i < a->nsignals; i++) {
        const cw_signal *x = &a->signals[i], *y = &b->signals[i];
        if (strcmp(x->rule_id, y->rule_id) || x->since != y->since ||
            x->nevidence != y->nevidence ||
            memcmp(x->evidence, y->evidence, x->nevidence * sizeof x->evidence[0]) ||
            x->escalation_level != y->escalation_level)
            fail_msg("child %s: signal %zu (%s) differs", child, i, x->rule_id);
    }
}

typedef struct cmp_ctx {
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_calendar *cal;
    cw_date as_of;
    size_t children, obligations, signals;
} cmp_ctx;

static cw_rc compare_child(void *ctx, const char *child, const cw_rule_results *fast)
{
    cmp_ctx *c = ctx;
    cw_rule_results slow;
    cw_error err;
    cw_rule_results_init(&slow);
    assert_int_equal(
        cw_oversight_child_from_ledger(c->l, c->pack, c->cal, child, c->as_of, &slow, &err), CW_OK);
    same_results(fast, &slow, child);
    c->children++;
    c->obligations += fast->nobligations;
    c->signals += fast->nsignals;
    cw_rule_results_release(&slow);
    return CW_OK;
}

/* A demo council in a new directory (dir, a mkdtemp template), with the Wales pack. */
typedef struct demo_fx {
    char db[128];
    cw_ledger *l;
    cw_rule_pack *pack;
    cw_calendar cal;
} demo_fx;

static void demo_fx_make(char *dir, uint64_t children, uint64_t seed, double failure_scale,
                         demo_fx *f)
{
    cw_error err;
    assert_non_null(mkdtemp(dir));
    snprintf(f->db, sizeof f->db, "%s/demo.db", dir);
    assert_int_equal(cw_ledger_create(f->db, "test.caseward.example/facts", &err), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &f->l, &err), CW_OK);
    assert_int_equal(cw_rules_load_builtin("wales", &f->pack, &err), CW_OK);
    assert_int_equal(cw_calendar_load_default(&f->cal, &err), CW_OK);
    cw_demo_opts o;
    cw_demo_opts_init(&o);
    o.children = children;
    o.seed = seed;
    o.as_of = D("2026-06-30");
    if (failure_scale > 0)
        o.failure_scale = failure_scale;
    assert_int_equal(cw_demo_generate(f->l, &o, NULL, &err), CW_OK);
}

static void test_facts_match_the_ledger(void **state)
{
    (void)state;
    char dir[] = "/tmp/cw-facts-XXXXXX";
    cw_error err;
    demo_fx f;
    demo_fx_make(dir, 400, 11, 3 /* plenty of late and missing work */, &f);
    const char *db = f.db;
    cw_ledger *l = f.l;
    cw_rule_pack *pack = f.pack;
    cw_calendar cal = f.cal;

    /* Corrections change what the rules see: visits no longer seen alone. */
    int64_t idx[40];
    char actor[40][65];
    size_t nv = visits(db, idx, actor, 40);
    assert_true(nv >= 20);
    /* Recorded by a current team manager (the visits' recorders may have left). */
    char manager[65] = "";
    {
        sqlite3 *sq = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(sq,
                                            "SELECT staff_id FROM staff WHERE left_on IS NULL AND "
                                            "role = 'team_manager' ORDER BY staff_id LIMIT 1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        snprintf(manager, sizeof manager, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(sq);
    }
    assert_int_equal(cw_casework_begin(l, &err), CW_OK);
    for (size_t i = 0; i < nv; i++) {
        json_t *p = json_pack("{s:I, s:s, s:{s:b}}", "corrects", (json_int_t)idx[i], "reason",
                              "Recorded in error: the child was not seen alone.", "changes",
                              "seen_alone", 0);
        cw_event ev = {manager, "correction", p};
        cw_rc rc = cw_casework_submit(l, &ev, NULL, &err);
        json_decref(p);
        if (rc)
            fail_msg("correction of #%lld: %s", (long long)idx[i], err.msg);
    }
    assert_int_equal(cw_casework_commit(l, NULL, &err), CW_OK);

    cmp_ctx c = {l, pack, &cal, D("2026-06-30"), 0, 0, 0};
    assert_int_equal(cw_oversight_all(l, pack, &cal, c.as_of, compare_child, &c, &err), CW_OK);
    assert_int_equal(c.children, 400);
    assert_true(c.obligations > 400);
    assert_true(c.signals > 10);
    /* And at an earlier date too: events after as_of are ignored the same way. */
    c.as_of = D("2025-12-31");
    c.children = 0;
    assert_int_equal(cw_oversight_all(l, pack, &cal, c.as_of, compare_child, &c, &err), CW_OK);
    assert_int_equal(c.children, 400);

    cw_ledger_close(l);
    cw_rules_free(pack);
    cw_calendar_release(&cal);
    rm_rf(dir);
}

static void sql_exec(const char *db, const char *sql)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(s);
}

static void test_damaged_history(void **state)
{
    (void)state;
    char dir[] = "/tmp/cw-facts-XXXXXX", sql[256];
    cw_error err;
    demo_fx f;
    demo_fx_make(dir, 30, 5, 0, &f);
    const char *db = f.db;
    cw_ledger *l = f.l;
    cw_rule_pack *pack = f.pack;
    cw_calendar cal = f.cal;
    cw_date as_of = D("2026-06-30");
    /* An open case whose worker is still in post, to record a note on it. */
    char child[65] = "", worker[65] = "";
    {
        sqlite3 *sq = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(sq,
                                            "SELECT c.child_id, c.worker_id FROM children c JOIN "
                                            "staff s ON s.staff_id = c.worker_id WHERE "
                                            "s.left_on IS NULL AND c.case_status = 'open' "
                                            "ORDER BY c.child_id LIMIT 1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        snprintf(child, sizeof child, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(worker, sizeof worker, "%s", (const char *)sqlite3_column_text(st, 1));
        sqlite3_finalize(st);
        sqlite3_close(sq);
    }
    cw_rule_results want, got;
    cw_rule_results_init(&want);
    cw_rule_results_init(&got);
    assert_int_equal(cw_oversight_child(l, pack, &cal, child, as_of, &want, &err), CW_OK);
    uint64_t size = cw_ledger_size(l);
    cw_ledger_close(l);

    /* Cut the blob short by one byte: its last record no longer fits. */
    snprintf(sql, sizeof sql,
             "UPDATE child_histories SET events = substr(events, 1, length(events) - 1) "
             "WHERE child_id = '%s'",
             child);
    sql_exec(db, sql);
    assert_int_equal(cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    assert_int_equal(cw_oversight_child(l, pack, &cal, child, as_of, &got, &err), CW_EVERIFY);
    assert_non_null(strstr(err.msg, child));
    assert_non_null(strstr(err.msg, "caseward rebuild"));
    /* Nothing is added on top of damage: a note for the child is refused, the log unchanged. */
    json_t *p =
        json_pack("{s:s, s:s, s:s}", "child_id", child, "date", "2026-06-29", "text", "A note.");
    cw_event ev = {worker, "case_note", p};
    assert_int_equal(cw_casework_begin(l, &err), CW_OK);
    cw_rc rc = cw_casework_submit(l, &ev, NULL, &err);
    json_decref(p);
    if (rc != CW_EVERIFY)
        fail_msg("rc %d: %s", rc, err.msg);
    assert_non_null(strstr(err.msg, "history"));
    assert_non_null(strstr(err.msg, child));
    cw_casework_abort(l);
    assert_int_equal(cw_ledger_size(l), size);

    /* Rebuild from the ledger repairs it: the same answers as before. */
    assert_int_equal(cw_casework_rebuild(l, &err), CW_OK);
    cw_rule_results_reset(&got);
    assert_int_equal(cw_oversight_child(l, pack, &cal, child, as_of, &got, &err), CW_OK);
    assert_int_equal(got.nobligations, want.nobligations);
    /* and the note is taken now */
    p = json_pack("{s:s, s:s, s:s}", "child_id", child, "date", "2026-06-29", "text", "A note.");
    ev.payload = p;
    assert_int_equal(cw_casework_begin(l, &err), CW_OK);
    assert_int_equal(cw_casework_submit(l, &ev, NULL, &err), CW_OK);
    assert_int_equal(cw_casework_commit(l, NULL, &err), CW_OK);
    json_decref(p);
    assert_int_equal(cw_ledger_size(l), size + 1);
    assert_int_equal(got.nsignals, want.nsignals);
    for (size_t i = 0; i < got.nobligations; i++) {
        assert_string_equal(got.obligations[i].rule_id, want.obligations[i].rule_id);
        assert_int_equal(got.obligations[i].due, want.obligations[i].due);
        assert_int_equal(got.obligations[i].state, want.obligations[i].state);
    }
    cw_rule_results_release(&want);
    cw_rule_results_release(&got);
    cw_ledger_close(l);
    cw_rules_free(pack);
    cw_calendar_release(&cal);
    rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facts_match_the_ledger),
        cmocka_unit_test(test_damaged_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
