/*
 * audit_test.c — case-file audits (docs/audits.md, docs/events.md "Case-file audits") through
 * the catalogue, the sampler, the redraw from an export, the figures, case access and the
 * refusal to correct an audit's entries, on the database of tests/testdb.h (SQLite, or PostgreSQL
 * under tests/with-pg).
 *
 * One council for the whole suite, built in setup, its dates relative to today (access is
 * checked against today's real date): teams T1 and T2; hos (head of service) <- sm (service
 * manager) <- tm1 (T1) <- sw1, sw2 and sm <- tm2 (T2) <- sw3; dir (director); qa1, qa2, qa3
 * (QA auditors). Children K01..K44, registered 500 days ago, K(i) allocated to sw1, sw2, sw3 in
 * turn; K45 restricted (sw1's), K46 closed (sw1's). The tests run in order and build on each
 * other (programmes, samples, gradings); the last rebuilds the projections and compares.
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

#include "casework/casework.h"
#include "http/http_int.h"
#include "ledger/ledger.h"
#include "quality/audit.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/time.h"
#include "testdb.h"
#include "testutil.h"

#define ORIGIN    "test.caseward.example/audit"
#define NCHILDREN 44

static struct {
    char dir[64];
    char db[PATH_MAX];
    cw_ledger *l;
    cw_error err;
    cw_date today;
    uint64_t reg_idx[NCHILDREN + 3]; /* each child's child_registered entry */
} F;

static const char *const THEMES[] = {
    "childs_voice", "assessment", "planning", "management_oversight",
    "risk",         "recording",  "impact"};
#define NTHEMES 7

/* A day relative to today, as text (eight rotating buffers). */
static const char *day(int offset)
{
    static char buf[8][CW_DATE_LEN + 1];
    static int next;
    char *b = buf[next++ % 8];
    cw_date_format(F.today + offset, b);
    return b;
}

static const char *child_id(int i)
{
    static char buf[8][8];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 8, "K%02d", i);
    return b;
}

/* The worker of child i (1-based), by the fixture's rule. */
static const char *worker_of(const char *child)
{
    int i = (int)strtol(child + 1, NULL, 10);
    if (i > NCHILDREN)
        return "sw1";
    return (const char *[]){"sw1", "sw2", "sw3"}[(i - 1) % 3];
}

/* Whether staff is the child's worker or above the worker (the fixture's chain). */
static int in_chain(const char *child, const char *staff)
{
    const char *w = worker_of(child);
    const char *chain[4] = {w, !strcmp(w, "sw3") ? "tm2" : "tm1", "sm", "hos"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(chain[i], staff))
            return 1;
    return 0;
}

static const char *team_of(const char *child)
{
    return !strcmp(worker_of(child), "sw3") ? "T2" : "T1";
}

/* ---- submitting ---- */

static cw_rc add(const char *actor, const char *type, json_t *payload, uint64_t *idx)
{
    cw_event ev = {actor, type, payload};
    cw_rc rc = cw_casework_submit(F.l, &ev, idx, &F.err);
    json_decref(payload);
    return rc;
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
    /* the entry, and any escalations recorded with it (a critical finding's) */
    assert_true(idx < cw_ledger_size(F.l));
    return idx;
}

/* Must be refused with want, a message holding m (NULL: any), and nothing written. */
static void no(cw_rc want, const char *m, const char *actor, const char *type, json_t *payload)
{
    uint64_t size = cw_ledger_size(F.l);
    cw_rc rc = submit(actor, type, payload, NULL);
    if (rc != want)
        fail_msg("%s by %s: %s (%s), expected %s", type, actor, cw_rc_str(rc), F.err.msg,
                 cw_rc_str(want));
    if (m && !strstr(F.err.msg, m))
        fail_msg("%s: message \"%s\" does not hold \"%s\"", type, F.err.msg, m);
    assert_int_equal(cw_ledger_size(F.l), size);
}

/* ---- payloads ---- */

static json_t *programme(const char *id, const char *by, int starts, int ends,
                         const char *auditors_csv, const char *area_manager)
{
    json_t *p =
        json_pack("{ss ss ss ss ss ss}", "programme_id", id, "title", "Quarterly audit", "date",
                  day(0), "commissioned_by", by, "starts", day(starts), "ends", day(ends));
    assert_non_null(p);
    cw_audit_framework f;
    assert_int_equal(cw_audit_framework_builtin(&f, "standard", &F.err), CW_OK);
    assert_int_equal(cw_audit_framework_facts(&f, p, &F.err), CW_OK);
    cw_audit_framework_release(&f);
    json_t *a = json_array();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", auditors_csv);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(a, json_string(t));
    json_object_set_new(p, "auditors", a);
    if (area_manager)
        json_object_set_new(p, "area_manager_id", json_string(area_manager));
    return p;
}

static json_t *grade(const char *prog, const char *child, const char *theme, int g)
{
    json_t *p = json_pack("{ss ss ss ss ss}", "programme_id", prog, "child_id", child, "date",
                          day(0), "theme", theme, "narrative", "Seen and recorded.");
    if (g > 0)
        json_object_set_new(p, "grade", json_integer(g));
    else
        json_object_set_new(p, "not_applicable", json_true());
    return p;
}

static json_t *moderated(json_t *p)
{
    json_object_set_new(p, "moderation", json_true());
    return p;
}

static json_t *complete(const char *prog, const char *child, int overall)
{
    return json_pack("{ss ss ss sI}", "programme_id", prog, "child_id", child, "date", day(0),
                     "overall", (json_int_t)overall);
}

/* Draws a sample inside a batch (as `caseward audit sample` does); records it if record. The
 * payload is returned (the caller frees), or NULL with the error in F.err if refused. */
static json_t *draw(const char *actor, const char *prog, const char *seed, size_t size,
                    size_t minimum, cw_date on, int record, cw_rc *rc_out)
{
    cw_audit_draw_opts o = {prog, seed, size, minimum, NULL, NULL, on, actor};
    json_t *p = NULL;
    cw_error_clear(&F.err);
    cw_rc rc = cw_casework_begin(F.l, &F.err);
    assert_int_equal(rc, CW_OK);
    rc = cw_audit_draw(cw_ledger_store(F.l), cw_ledger_size(F.l), &o, &p, &F.err);
    if (!rc && record) {
        cw_event ev = {actor, "audit_sample_drawn", p};
        rc = cw_casework_submit(F.l, &ev, NULL, &F.err);
    }
    if (rc || !record)
        cw_casework_abort(F.l);
    else
        rc = cw_casework_commit(F.l, NULL, &F.err);
    if (rc_out)
        *rc_out = rc;
    else if (rc)
        fail_msg("draw for %s (seed %s): %s", prog, seed, F.err.msg);
    if (rc) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static int has(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!strcmp(json_string_value(json_array_get(list, i)), s))
            return 1;
    return 0;
}

static const char *at(const json_t *list, size_t i)
{
    return json_string_value(json_array_get(list, i));
}

/* ---- fixture ---- */

static int setup(void **state)
{
    (void)state;
    F.today = (cw_date)(cw_time_now_ms() / 86400000);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-audit-test-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, ORIGIN, &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) || cw_casework_begin(F.l, &F.err)) {
        fprintf(stderr, "setup: %s\n", F.err.msg);
        return -1;
    }
    cw_rc rc = CW_OK;
    rc = rc ? rc
            : add("admin", "team_created",
                  json_pack("{ss ss ss}", "team_id", "T1", "name", "North", "service_area", "A"),
                  NULL);
    rc = rc ? rc
            : add("admin", "team_created",
                  json_pack("{ss ss ss}", "team_id", "T2", "name", "South", "service_area", "A"),
                  NULL);
    static const char *const staff[][4] = {
        {"hos", "head_of_service", NULL, NULL}, {"dir", "director", NULL, NULL},
        {"sm", "service_manager", NULL, "hos"}, {"tm1", "team_manager", "T1", "sm"},
        {"tm2", "team_manager", "T2", "sm"},    {"sw1", "social_worker", "T1", "tm1"},
        {"sw2", "social_worker", "T1", "tm1"},  {"sw3", "social_worker", "T2", "tm2"},
        {"qa1", "qa_auditor", NULL, NULL},      {"qa2", "qa_auditor", NULL, NULL},
        {"qa3", "qa_auditor", NULL, NULL},
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
    for (int i = 1; !rc && i <= NCHILDREN + 2; i++) {
        const char *c = child_id(i);
        json_t *p = json_pack("{ss ss ss ss ss ss ss}", "child_id", c, "date", day(-500),
                              "given_name", "Ela", "family_name", "Test", "date_of_birth",
                              "2015-06-01", "gender", "female", "language", "welsh");
        if (i == NCHILDREN + 1)
            json_object_set_new(p, "restricted", json_true());
        rc = add("sw1", "child_registered", p, &F.reg_idx[i]);
        if (!rc)
            rc = add("tm1", "case_allocated",
                     json_pack("{ss ss ss}", "child_id", c, "worker_id", worker_of(c), "date",
                               day(-500)),
                     NULL);
    }
    if (!rc)
        rc = add("sw1", "case_closed",
                 json_pack("{ss ss ss}", "child_id", child_id(NCHILDREN + 2), "date", day(-10),
                           "reason", "Closed."),
                 NULL);
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

/* ---- programmes ---- */

static void test_programme(void **state)
{
    (void)state;
    /* Commissioned by each role that may. */
    ok("qa1", "audit_programme_created", programme("P1", "qa1", -30, 60, "qa1,qa2,sm", "sm"));
    ok("sm", "audit_programme_created", programme("PS1", "sm", -30, 60, "sm,tm1,qa1", NULL));
    ok("hos", "audit_programme_created", programme("PS2", "hos", -30, 60, "qa1,qa2", NULL));
    ok("dir", "audit_programme_created", programme("PN", "dir", -30, 60, "sm", NULL));
    /* Refusals. */
    no(CW_EFORBIDDEN, NULL, "sw1", "audit_programme_created",
       programme("PX", "sw1", -30, 60, "qa1", NULL));
    no(CW_EINVAL, "ends", "qa1", "audit_programme_created",
       programme("PX", "qa1", 10, 9, "qa1", NULL));
    no(CW_ENOTFOUND, "nobody", "qa1", "audit_programme_created",
       programme("PX", "qa1", -30, 60, "qa1,nobody", NULL));
    json_t *p = programme("PX", "qa1", -30, 60, "qa1", NULL);
    json_object_set_new(p, "critical", json_pack("[s]", "6")); /* the standard scale is 1-5 */
    no(CW_EINVAL, "critical", "qa1", "audit_programme_created", p);
    no(CW_EEXIST, "P1", "hos", "audit_programme_created",
       programme("P1", "hos", -30, 60, "qa1", NULL));
    /* A critical grade on the scale is accepted: the same payload with "5". */
    p = programme("PX", "qa1", -30, 60, "qa1", NULL);
    json_object_set_new(p, "critical", json_pack("[s]", "5"));
    ok("qa1", "audit_programme_created", p);
}

/* ---- sampling ---- */

static void test_sampling(void **state)
{
    (void)state;
    /* The same seed at the same log state draws the same; another seed draws differently
     * (10 of 44: the chance of the same ten, in order, is nil). */
    json_t *a = draw("sm", "PS1", "s1", 10, 1, F.today, 0, NULL);
    json_t *b = draw("sm", "PS1", "s1", 10, 1, F.today, 0, NULL);
    json_t *c = draw("sm", "PS1", "s2", 10, 1, F.today, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "cases")), 10);
    assert_true(json_equal(json_object_get(a, "cases"), json_object_get(b, "cases")));
    assert_true(json_equal(json_object_get(a, "assigned"), json_object_get(b, "assigned")));
    assert_false(json_equal(json_object_get(a, "cases"), json_object_get(c, "cases")));
    json_decref(a);
    json_decref(b);
    json_decref(c);

    /* Everything (size 50 > 44 candidates): never the restricted K45 or the closed K46; each
     * case's auditor outside its worker's chain (sm never: above every worker; tm1 never for
     * T1's cases). */
    json_t *all = draw("sm", "PS1", "all", 50, 0, F.today, 0, NULL);
    const json_t *cases = json_object_get(all, "cases"), *who = json_object_get(all, "assigned");
    assert_int_equal(json_array_size(cases), NCHILDREN);
    assert_false(has(cases, child_id(NCHILDREN + 1)));
    assert_false(has(cases, child_id(NCHILDREN + 2)));
    int tm1_used = 0;
    for (size_t i = 0; i < json_array_size(cases); i++) {
        if (in_chain(at(cases, i), at(who, i)))
            fail_msg("%s assigned to %s, in its chain", at(cases, i), at(who, i));
        tm1_used += !strcmp(at(who, i), "tm1");
    }
    assert_true(tm1_used > 0); /* T2's cases may go to tm1: the check is not "never tm1" */
    json_decref(all);

    /* Only non-independent auditors: refused, naming a case (sm manages every worker). */
    cw_rc rc;
    assert_null(draw("dir", "PN", "n1", 5, 0, F.today, 0, &rc));
    assert_int_equal(rc, CW_EINVAL);
    assert_non_null(strstr(F.err.msg, "none of the programme's auditors is independent"));
    const char *named = strstr(F.err.msg, "cases: K");
    assert_non_null(named);
    char kid[4] = {named[7], named[8], named[9], 0};
    assert_true(in_chain(kid, "sm"));

    /* Recorded: 5 cases for PS1 today. */
    json_t *s = draw("sm", "PS1", "s1", 5, 0, F.today, 1, NULL);
    const json_t *drawn = json_object_get(s, "cases");
    assert_int_equal(json_array_size(drawn), 5);
    /* Another programme's draw within 12 months leaves them out; after 12 months they are
     * candidates again (size 50: every candidate). */
    json_t *later = draw("hos", "PS2", "t", 50, 0, F.today + 30, 0, NULL);
    json_t *year = draw("hos", "PS2", "t", 50, 0, F.today + 366, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(later, "cases")), NCHILDREN - 5);
    assert_int_equal(json_array_size(json_object_get(year, "cases")), NCHILDREN);
    for (size_t i = 0; i < json_array_size(drawn); i++) {
        assert_false(has(json_object_get(later, "cases"), at(drawn, i)));
        assert_true(has(json_object_get(year, "cases"), at(drawn, i)));
    }
    json_decref(later);
    json_decref(year);

    /* The catalogue: a case already in the programme, an auditor not independent. */
    json_t *dup = json_deep_copy(s);
    no(CW_EEXIST, at(drawn, 0), "sm", "audit_sample_drawn", dup);
    json_t *hand = json_pack("{ss ss ss sI sI sI s[s] s[s]}", "programme_id", "PS1", "date", day(0),
                             "seed", "hand", "log_size", (json_int_t)cw_ledger_size(F.l), "size",
                             (json_int_t)1, "minimum", (json_int_t)0, "cases", "K01", "assigned",
                             "tm1"); /* K01 is sw1's: tm1 manages sw1 */
    if (has(drawn, "K01"))
        json_array_set_new(json_object_get(hand, "cases"), 0, json_string("K04"));
    no(CW_EFORBIDDEN, "tm1", "sm", "audit_sample_drawn", hand);
    /* A case twice in one sample: refused, named. */
    const char *twice = has(drawn, "K03") ? "K06" : "K03"; /* sw3's: qa1 is independent */
    hand =
        json_pack("{ss ss ss sI sI sI s[ss] s[ss]}", "programme_id", "PS1", "date", day(0), "seed",
                  "hand", "log_size", (json_int_t)cw_ledger_size(F.l), "size", (json_int_t)2,
                  "minimum", (json_int_t)0, "cases", twice, twice, "assigned", "qa1", "qa1");
    no(CW_EINVAL, "listed twice", "sm", "audit_sample_drawn", hand);
    json_decref(s);
}

/* ---- drawing again from an export ---- */

static void export_to(const char *name, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/%s", F.dir, name);
    uint64_t size = 0;
    if (cw_ledger_export(F.l, dir, &size, &F.err))
        fail_msg("export: %s", F.err.msg);
    assert_int_equal(size, cw_ledger_size(F.l));
}

static cw_rc redraw(const char *dir, const char *prog, cw_buf *out)
{
    cw_buf_reset(out);
    cw_error_clear(&F.err);
    return cw_audit_redraw(dir, NULL, prog, out, &F.err);
}

static void test_redraw(void **state)
{
    (void)state;
    char dir[PATH_MAX + 8];
    cw_buf out = CW_BUF_INIT(1 << 20);
    export_to("exp1", dir, sizeof dir);
    if (redraw(dir, "PS1", &out))
        fail_msg("redraw: %s", F.err.msg);
    assert_non_null(strstr(out.data, "drawn again, the same 5 cases"));
    assert_null(strstr(out.data, "DIFFERS"));

    /* A sample picked by hand (the catalogue allows it: the cases are new to the programme and
     * the auditor independent) is not what the seed draws. */
    json_t *hand = json_pack("{ss ss ss sI sI sI s[] s[]}", "programme_id", "PS1", "date", day(0),
                             "seed", "s1", "log_size", (json_int_t)cw_ledger_size(F.l), "size",
                             (json_int_t)1, "minimum", (json_int_t)0, "cases", "assigned");
    /* the first case the seed would draw now, replaced by another */
    json_t *would = draw("sm", "PS1", "s1", 1, 0, F.today, 0, NULL);
    const char *pick = strcmp(at(json_object_get(would, "cases"), 0), "K43") ? "K43" : "K42";
    json_array_append_new(json_object_get(hand, "cases"), json_string(pick));
    json_array_append_new(json_object_get(hand, "assigned"), json_string("qa1"));
    json_decref(would);
    ok("sm", "audit_sample_drawn", hand);
    export_to("exp2", dir, sizeof dir);
    assert_int_equal(redraw(dir, "PS1", &out), CW_EVERIFY);
    assert_non_null(strstr(out.data, "drawn again, the same 5 cases")); /* the first */
    assert_non_null(strstr(out.data, "DIFFERS"));
    assert_non_null(strstr(F.err.msg, "differ"));

    /* An export whose entries were changed: the first sample's seed. */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/entries.jsonl", dir);
    cw_buf text = CW_BUF_INIT(1 << 26);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(cw_buf_add(&text, chunk, n), CW_OK);
    fclose(f);
    assert_int_equal(cw_buf_addc(&text, '\0'), CW_OK);
    char *seed = strstr(text.data, "\"seed\":\"s1\"");
    assert_non_null(seed);
    seed[9] = '9';
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text.data, 1, text.len - 1, f), text.len - 1);
    fclose(f);
    cw_buf_release(&text);
    assert_int_equal(redraw(dir, "PS1", &out), CW_EVERIFY);
    assert_non_null(strstr(F.err.msg, "checkpoint"));
    assert_null(strstr(out.data ? out.data : "", "the same"));
    cw_buf_release(&out);
}

/* ---- grading, statistics, findings, moderation ---- */

static json_t *P1; /* P1's sample: 8 cases */

/* The acceptance case: 8 cases, 7 themes = 56 slots; slot s = case * 7 + theme. Slots 6,
 * 13 and 20 (impact, in the first three cases) are not applicable; the other 53, in order,
 * are 2 x grade 2, 23 x grade 3, 27 x grade 4 and 1 x grade 5 (the last slot, 55). */
static int planned(int slot)
{
    if (slot == 6 || slot == 13 || slot == 20)
        return 0;
    int k = slot - (slot > 20 ? 3 : slot > 13 ? 2 : slot > 6 ? 1 : 0); /* graded slots before */
    return k < 2 ? 2 : k < 25 ? 3 : k < 52 ? 4 : 5;
}

static const char *p1_case(int i)
{
    return at(json_object_get(P1, "cases"), (size_t)i);
}

static const char *p1_auditor(int i)
{
    return at(json_object_get(P1, "assigned"), (size_t)i);
}

static const char *other_qa(const char *qa)
{
    return strcmp(qa, "qa1") ? "qa1" : "qa2";
}

static void test_grading(void **state)
{
    (void)state;
    /* Drawn by the head of service, who commissions and audits nothing: an auditor who draws
     * is given no case of the draw (cw_audit_draw's drawn_by). */
    P1 = draw("hos", "P1", "stats", 8, 0, F.today, 1, NULL);
    assert_int_equal(json_array_size(json_object_get(P1, "cases")), 8);
    for (int i = 0; i < 8; i++) /* sm is in every case's chain */
        assert_true(!strcmp(p1_auditor(i), "qa1") || !strcmp(p1_auditor(i), "qa2"));
    const char *c0 = p1_case(0), *a0 = p1_auditor(0);

    /* Moderator named before the audit is done: moderation grading waits for completion. */
    ok("hos", "audit_moderator_assigned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c0, "date", day(0),
                 "moderator_id", other_qa(a0)));
    no(CW_EINVAL, "moderation", other_qa(a0), "audit_theme_graded",
       moderated(grade("P1", c0, THEMES[0], 2)));

    /* Only the case's auditor grades. */
    no(CW_EFORBIDDEN, "actor", other_qa(a0), "audit_theme_graded", grade("P1", c0, THEMES[0], 2));
    no(CW_EFORBIDDEN, "actor", "sm", "audit_theme_graded", grade("P1", c0, THEMES[0], 2));
    no(CW_EINVAL, "not_a_theme", a0, "audit_theme_graded", grade("P1", c0, "not_a_theme", 2));
    no(CW_EINVAL, "grade", a0, "audit_theme_graded", grade("P1", c0, THEMES[0], 6));
    json_t *both = grade("P1", c0, THEMES[0], 2);
    json_object_set_new(both, "not_applicable", json_true());
    no(CW_EINVAL, "grade", a0, "audit_theme_graded", both);
    json_t *neither = grade("P1", c0, THEMES[0], 2);
    json_object_del(neither, "grade");
    no(CW_EINVAL, "grade", a0, "audit_theme_graded", neither);
    /* Evidence: an entry of another child is refused, the child's own accepted. */
    int own = (int)strtol(c0 + 1, NULL, 10), other = own == 1 ? 2 : 1;
    char ev[24];
    snprintf(ev, sizeof ev, "%llu", (unsigned long long)F.reg_idx[other]);
    json_t *g = grade("P1", c0, THEMES[0], 2);
    json_object_set_new(g, "evidence", json_pack("[s]", ev));
    no(CW_EINVAL, "evidence", a0, "audit_theme_graded", g);

    /* The plan, slot by slot; the first grading with the child's own registration as
     * evidence. Completion is refused while a theme is ungraded. */
    for (int i = 0; i < 8; i++) {
        for (int t = 0; t < NTHEMES; t++) {
            g = grade("P1", p1_case(i), THEMES[t], planned(i * 7 + t));
            if (i == 0 && t == 0) {
                snprintf(ev, sizeof ev, "%llu", (unsigned long long)F.reg_idx[own]);
                json_object_set_new(g, "evidence", json_pack("[s]", ev));
            }
            ok(p1_auditor(i), "audit_theme_graded", g);
            if (i == 0 && t == NTHEMES - 2)
                no(CW_EINVAL, "6 of 7", p1_auditor(i), "audit_case_completed",
                   complete("P1", p1_case(i), 3));
        }
        ok(p1_auditor(i), "audit_case_completed", complete("P1", p1_case(i), i == 7 ? 4 : 3));
    }
    /* Completed: final. */
    no(CW_EINVAL, "child_id", a0, "audit_theme_graded", grade("P1", c0, THEMES[0], 1));
    no(CW_EINVAL, NULL, a0, "audit_case_completed", complete("P1", c0, 2));
}

static json_t *figures(void)
{
    json_t *r = NULL;
    if (cw_audit_figures(cw_ledger_store(F.l), "P1", NULL, &r, &F.err))
        fail_msg("figures: %s", F.err.msg);
    return r;
}

static json_int_t num(const json_t *o, const char *k)
{
    assert_true(json_is_integer(json_object_get(o, k)));
    return json_integer_value(json_object_get(o, k));
}

static const char *text(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("no text %s in the figures", k);
    return s;
}

/* Adds up the gradings of a breakdown, checking each entry against want(key). */
static json_int_t breakdown(const json_t *list, const char *k, json_int_t (*want)(const char *))
{
    json_int_t sum = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        json_int_t n = num(e, "gradings"), per = 0;
        const json_t *gs = json_object_get(e, "grades");
        for (size_t j = 0; j < json_array_size(gs); j++)
            per += num(json_array_get(gs, j), "count");
        assert_int_equal(per, n);
        assert_int_equal(n, want(text(e, k)));
        sum += n;
    }
    return sum;
}

static json_int_t planned_for(int (*match)(int i, int t, const char *key), const char *key)
{
    json_int_t n = 0;
    for (int i = 0; i < 8; i++)
        for (int t = 0; t < NTHEMES; t++)
            n += planned(i * 7 + t) > 0 && match(i, t, key);
    return n;
}

static int theme_is(int i, int t, const char *key)
{
    (void)i;
    return !strcmp(THEMES[t], key);
}
static int auditor_is(int i, int t, const char *key)
{
    (void)t;
    return !strcmp(p1_auditor(i), key);
}
static int team_is(int i, int t, const char *key)
{
    (void)t;
    return !strcmp(team_of(p1_case(i)), key);
}
static json_int_t want_theme(const char *k)
{
    return planned_for(theme_is, k);
}
static json_int_t want_auditor(const char *k)
{
    return planned_for(auditor_is, k);
}
static json_int_t want_team(const char *k)
{
    return planned_for(team_is, k);
}

static void test_statistics(void **state)
{
    (void)state;
    json_t *r = figures();
    assert_int_equal(num(r, "gradings"), 53);
    assert_int_equal(num(json_object_get(r, "cases"), "in_programme"), 8);
    assert_int_equal(num(json_object_get(r, "cases"), "completed"), 8);
    /* docs/audits.md, "Percentages": 0, 2, 23, 27, 1 of 53. */
    static const struct {
        int count;
        const char *pct;
    } want[] = {{0, "0.0"}, {2, "3.8"}, {23, "43.4"}, {27, "50.9"}, {1, "1.9"}};
    const json_t *d = json_object_get(r, "distribution");
    assert_int_equal(json_array_size(d), 5);
    for (size_t g = 0; g < 5; g++) {
        assert_int_equal(num(json_array_get(d, g), "grade"), (json_int_t)g + 1);
        assert_int_equal(num(json_array_get(d, g), "count"), want[g].count);
        assert_string_equal(text(json_array_get(d, g), "percent"), want[g].pct);
    }
    assert_string_equal(text(json_array_get(d, 2), "label"), "Requires improvement");
    /* Overall grades: seven 3s and one 4. */
    const json_t *o = json_object_get(r, "overall");
    assert_int_equal(num(json_array_get(o, 2), "count"), 7);
    assert_int_equal(num(json_array_get(o, 3), "count"), 1);
    /* Per theme, auditor and team, each as planned, adding up to 53. */
    assert_int_equal(json_array_size(json_object_get(r, "by_theme")), NTHEMES);
    assert_int_equal(breakdown(json_object_get(r, "by_theme"), "theme", want_theme), 53);
    assert_int_equal(breakdown(json_object_get(r, "by_auditor"), "auditor_id", want_auditor), 53);
    assert_int_equal(breakdown(json_object_get(r, "by_team"), "team_id", want_team), 53);
    assert_int_equal(want_theme("impact"), 5);

    /* The grade-5 theme (case 7, overall 4) opened a critical finding, not yet actioned. */
    const json_t *f = json_object_get(r, "critical_findings");
    assert_int_equal(json_array_size(f), 1);
    const char *c7 = p1_case(7);
    assert_string_equal(text(json_array_get(f, 0), "child_id"), c7);
    assert_string_equal(text(json_array_get(f, 0), "found_on"), day(0));
    assert_true(json_is_null(json_object_get(json_array_get(f, 0), "actioned_on")) ||
                !json_object_get(json_array_get(f, 0), "actioned_on"));
    json_decref(r);

    /* Actioned: not by a social worker (the case's own), nor a team manager of another team;
     * by the worker's team manager. */
    const char *tm = !strcmp(team_of(c7), "T2") ? "tm2" : "tm1";
    const char *tm_other = !strcmp(tm, "tm1") ? "tm2" : "tm1";
    /* ... and escalated at once, in the batch that completed the audit, to the worker's team
     * manager (docs/audits.md, "Critical findings"). */
    char told[65] = "", esql[300];
    snprintf(esql, sizeof esql,
             "SELECT notified_id FROM escalations WHERE child_id = '%s' AND item = "
             "'audit_finding:P1:team_manager' AND level = 1",
             c7);
    tdb_one(F.db, esql, told, sizeof told);
    assert_string_equal(told, tm);
    json_t *act = json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c7, "date", day(0),
                            "action", "Strategy discussion held.");
    no(CW_EFORBIDDEN, "actor", worker_of(c7), "audit_finding_actioned", json_deep_copy(act));
    no(CW_EFORBIDDEN, "actor", tm_other, "audit_finding_actioned", json_deep_copy(act));
    no(CW_ENOTFOUND, NULL, tm, "audit_finding_actioned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", p1_case(0), "date", day(0),
                 "action", "No finding here."));
    ok(tm, "audit_finding_actioned", json_deep_copy(act));
    no(CW_EINVAL, NULL, tm, "audit_finding_actioned", act);
    r = figures();
    f = json_object_get(r, "critical_findings");
    assert_string_equal(text(json_array_get(f, 0), "actioned_on"), day(0));
    assert_string_equal(text(json_array_get(f, 0), "actioned_by"), tm);
    json_decref(r);

    /* A draft (a case graded but not completed) is not in the figures. */
    char sql[160], c[65], a[65];
    snprintf(sql, sizeof sql,
             "SELECT child_id FROM audit_cases WHERE programme_id = 'PS1' ORDER BY child_id");
    tdb_one(F.db, sql, c, sizeof c);
    snprintf(sql, sizeof sql,
             "SELECT auditor_id FROM audit_cases WHERE programme_id = 'PS1' AND child_id = '%s'",
             c);
    tdb_one(F.db, sql, a, sizeof a);
    ok(a, "audit_theme_graded", grade("PS1", c, THEMES[0], 2));
    if (cw_audit_figures(cw_ledger_store(F.l), "PS1", NULL, &r, &F.err))
        fail_msg("figures: %s", F.err.msg);
    assert_int_equal(num(json_object_get(r, "cases"), "in_programme"), 6);
    assert_int_equal(num(json_object_get(r, "cases"), "completed"), 0);
    assert_int_equal(num(r, "gradings"), 0);
    json_decref(r);
}

/*
 * Moderation of cases 0 and 1. Their audit grades (planned): case 0 2,2,3,3,3,3,n/a; case 1
 * 3,3,3,3,3,3,n/a. The moderator's: case 0 2,3,3,4,3,2,n/a; case 1 3,3,4,3,2,3 and 3 for impact
 * (no pair: the audit marked it not applicable). Pairs (audit, moderation), n = 12:
 * (2,2) (2,3) (3,3) (3,4) (3,3) (3,2) | (3,3) (3,3) (3,4) (3,3) (3,2) (3,3).
 * exact 7 (7/12 = 58.33 -> "58.3"), within one 12 ("100.0").
 * t(2,2)=1 t(2,3)=1 t(3,3)=6 t(3,4)=2 t(3,2)=2; rows r(2)=2 r(3)=10; columns c(2)=3 c(3)=7
 * c(4)=2. k = 5 grades.
 * Linear, W = 4, weight W - |i-j|: A = 4*1 + 3*1 + 4*6 + 3*2 + 3*2 = 43;
 *   B = 2*(4*3 + 3*7 + 2*2) + 10*(3*3 + 4*7 + 3*2) = 2*37 + 10*43 = 504;
 *   kappa = (12*43 - 504) / (144*4 - 504) = 12 / 72 = 0.1667 -> "0.167".
 * Quadratic, W = 16, weight W - (i-j)^2: A = 16 + 15 + 16*6 + 15*2 + 15*2 = 187;
 *   B = 2*(16*3 + 15*7 + 12*2) + 10*(15*3 + 16*7 + 15*2) = 2*177 + 10*187 = 2224;
 *   kappa = (12*187 - 2224) / (144*16 - 2224) = 20 / 80 = 0.25 -> "0.250".
 */
static void test_moderation(void **state)
{
    (void)state;
    const char *c0 = p1_case(0), *c1 = p1_case(1);
    const char *m0 = other_qa(p1_auditor(0)), *m1 = other_qa(p1_auditor(1));
    /* Refused: the case's own auditor; one not independent (sm manages every worker). */
    no(CW_EINVAL, "moderator_id", "hos", "audit_moderator_assigned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c1, "date", day(0),
                 "moderator_id", p1_auditor(1)));
    no(CW_EFORBIDDEN, "moderator_id", "hos", "audit_moderator_assigned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c1, "date", day(0),
                 "moderator_id", "sm"));
    ok("hos", "audit_moderator_assigned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c1, "date", day(0),
                 "moderator_id", m1));
    static const int mod[2][NTHEMES] = {{2, 3, 3, 4, 3, 2, 0}, {3, 3, 4, 3, 2, 3, 3}};
    /* Only the moderator moderates (not the auditor, not another). */
    no(CW_EFORBIDDEN, "actor", p1_auditor(0), "audit_theme_graded",
       moderated(grade("P1", c0, THEMES[0], 2)));
    no(CW_EFORBIDDEN, "actor", "qa3", "audit_theme_graded",
       moderated(grade("P1", c0, THEMES[0], 2)));
    for (int i = 0; i < 2; i++) {
        const char *c = i ? c1 : c0, *m = i ? m1 : m0;
        for (int t = 0; t < NTHEMES; t++)
            ok(m, "audit_theme_graded", moderated(grade("P1", c, THEMES[t], mod[i][t])));
        ok(m, "audit_case_completed", moderated(complete("P1", c, 3)));
    }
    /* Moderated: final, and no second moderation. */
    no(CW_EINVAL, NULL, m0, "audit_theme_graded", moderated(grade("P1", c0, THEMES[0], 1)));
    no(CW_EINVAL, "child_id", "hos", "audit_moderator_assigned",
       json_pack("{ss ss ss ss}", "programme_id", "P1", "child_id", c0, "date", day(0),
                 "moderator_id", m0));
    json_t *r = figures();
    assert_int_equal(num(json_object_get(r, "cases"), "moderated"), 2);
    const json_t *m = json_object_get(r, "moderation");
    assert_int_equal(num(m, "pairs"), 12);
    assert_int_equal(num(m, "exact"), 7);
    assert_int_equal(num(m, "within_one"), 12);
    assert_string_equal(text(m, "exact_percent"), "58.3");
    assert_string_equal(text(m, "within_one_percent"), "100.0");
    assert_string_equal(text(m, "kappa_linear"), "0.167");
    assert_string_equal(text(m, "kappa_quadratic"), "0.250");
    /* The moderation's grades are not the audit's: the distribution is unchanged. */
    assert_int_equal(num(r, "gradings"), 53);
    json_decref(r);
}

/* ---- access ---- */

static void test_access(void **state)
{
    (void)state;
    principal qa = {0};
    qa.role = R_QA_AUDITOR;
    const char *c0 = p1_case(0), *a0 = p1_auditor(0);
    snprintf(qa.staff_id, sizeof qa.staff_id, "%s", a0);
    cw_error_clear(&F.err);
    if (cw_access_child(F.l, &qa, c0, 0, &F.err))
        fail_msg("the auditor may not read their case: %s", F.err.msg);
    assert_int_equal(cw_access_child(F.l, &qa, c0, 1, &F.err), CW_EFORBIDDEN);
    /* Its moderator too (read). */
    snprintf(qa.staff_id, sizeof qa.staff_id, "%s", other_qa(a0));
    assert_int_equal(cw_access_child(F.l, &qa, c0, 0, &F.err), CW_OK);
    /* A case of P1 drawn for the other auditor and not moderated by this one. */
    for (int i = 2; i < 8; i++)
        if (strcmp(p1_auditor(i), a0)) {
            snprintf(qa.staff_id, sizeof qa.staff_id, "%s", a0);
            char sql[256];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM audit_cases WHERE child_id = '%s' AND "
                     "(auditor_id = '%s' OR moderator_id = '%s')",
                     p1_case(i), a0, a0);
            char n[16];
            tdb_one(F.db, sql, n, sizeof n);
            if (strcmp(n, "0"))
                continue;
            assert_int_equal(cw_access_child(F.l, &qa, p1_case(i), 0, &F.err), CW_EFORBIDDEN);
            break;
        }
    /* A programme that ended yesterday: qa3's case, added by hand while it ran, is shut. */
    ok("hos", "audit_programme_created", programme("PE", "hos", -100, -1, "qa3", NULL));
    json_t *add_case = json_pack("{ss ss ss ss ss}", "programme_id", "PE", "child_id", "K20",
                                 "date", day(-5), "auditor_id", "qa3", "reason", "Complaint.");
    no(CW_EINVAL, "date", "hos", "audit_case_added",
       json_pack("{ss ss ss ss ss}", "programme_id", "PE", "child_id", "K20", "date", day(0),
                 "auditor_id", "qa3", "reason", "Complaint."));
    ok("hos", "audit_case_added", add_case);
    snprintf(qa.staff_id, sizeof qa.staff_id, "qa3");
    assert_int_equal(cw_access_child(F.l, &qa, "K20", 0, &F.err), CW_EFORBIDDEN);
    /* ... and the same while a programme runs. */
    ok("hos", "audit_programme_created", programme("PR", "hos", -1, 1, "qa3", NULL));
    ok("hos", "audit_case_added",
       json_pack("{ss ss ss ss ss}", "programme_id", "PR", "child_id", "K20", "date", day(0),
                 "auditor_id", "qa3", "reason", "Complaint."));
    assert_int_equal(cw_access_child(F.l, &qa, "K20", 0, &F.err), CW_OK);

    /* A critical overall grade opens a finding too (every theme graded 3, overall 5), in PR
     * only; P1's figures compare with the earlier programme PE (it starts before P1). */
    for (int t = 0; t < NTHEMES; t++)
        ok("qa3", "audit_theme_graded", grade("PR", "K20", THEMES[t], 3));
    ok("qa3", "audit_case_completed", complete("PR", "K20", 5));
    json_t *r = NULL;
    if (cw_audit_figures(cw_ledger_store(F.l), "PR", NULL, &r, &F.err))
        fail_msg("figures: %s", F.err.msg);
    const json_t *f = json_object_get(r, "critical_findings");
    assert_int_equal(json_array_size(f), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "child_id")),
                        "K20");
    json_decref(r);
    r = figures();
    assert_int_equal(json_array_size(json_object_get(r, "critical_findings")), 1);
    const json_t *e = json_object_get(r, "earlier");
    assert_int_equal(json_array_size(e), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "programme_id")),
                        "PE");
    json_decref(r);
}

/* ---- corrections ---- */

/* An audit's entries are final (a completed pass is never graded again) and are not casework
 * on a child: a correction of one is refused, as of any entry that is not casework. */
static void test_correction(void **state)
{
    (void)state;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT idx FROM audit_grades WHERE programme_id = 'P1' AND child_id = '%s' AND "
             "pass = 'audit' AND theme = 'risk'",
             p1_case(7));
    char idx[24];
    tdb_one(F.db, sql, idx, sizeof idx);
    json_t *fix = json_pack("{sI ss s{sI}}", "corrects", (json_int_t)strtoll(idx, NULL, 10),
                            "reason", "Graded too harshly.", "changes", "grade", (json_int_t)1);
    no(CW_EINVAL, "corrects", p1_auditor(7), "correction", fix);
    snprintf(sql, sizeof sql, "SELECT idx FROM audit_programmes WHERE programme_id = 'P1'");
    tdb_one(F.db, sql, idx, sizeof idx);
    fix = json_pack("{sI ss s{s[s]}}", "corrects", (json_int_t)strtoll(idx, NULL, 10), "reason",
                    "Another auditor.", "changes", "auditors", "qa3");
    no(CW_EINVAL, "corrects", "qa1", "correction", fix);
}

/* ---- rebuild ---- */

static char *audit_tables(void)
{
    static const char *const tables[] = {"audit_programmes", "audit_auditors", "audit_samples",
                                         "audit_cases",      "audit_grades",   "audit_findings"};
    cw_buf out = CW_BUF_INIT(1 << 24);
    for (size_t i = 0; i < 6; i++) {
        char sql[512];
        int ncol = tdb_column_count(F.db, tables[i]);
        size_t used = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1", tables[i]);
        for (int c = 2; c <= ncol && used < sizeof sql; c++)
            used += (size_t)snprintf(sql + used, sizeof sql - used, ", %d", c);
        assert_true(used < sizeof sql);
        assert_int_equal(cw_buf_addf(&out, "== %s\n", tables[i]), CW_OK);
        size_t head = out.len;
        tdb_rows(F.db, sql, &out, 1);
        if (out.len == head)
            fail_msg("%s is empty", tables[i]);
    }
    char *s = cw_buf_detach(&out, NULL);
    assert_non_null(s);
    return s;
}

static void test_rebuild(void **state)
{
    (void)state;
    char *before = audit_tables();
    if (cw_casework_rebuild(F.l, &F.err))
        fail_msg("rebuild: %s", F.err.msg);
    char *after = audit_tables();
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(P1);
    P1 = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_programme),  cmocka_unit_test(test_sampling),
        cmocka_unit_test(test_redraw),     cmocka_unit_test(test_grading),
        cmocka_unit_test(test_statistics), cmocka_unit_test(test_moderation),
        cmocka_unit_test(test_access),     cmocka_unit_test(test_correction),
        cmocka_unit_test(test_rebuild),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
