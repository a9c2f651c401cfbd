/*
 * casework_test.c — casework commands through the public interface
 * (casework.h): the catalogue's refusals (docs/events.md, "refused when" and
 * the field rules), each checked for its code, for a message that names the
 * field and the value, and for writing nothing; the projections after a
 * realistic history, read with plain SQLite; rebuild determinism (with and
 * without corrections); corrections; batch atomicity; catch-up of entries
 * appended behind casework's back; the catalogue against docs/events.md; and
 * `caseward chronology`.
 *
 * Every test works in its own mkdtemp directory under /tmp, removed after.
 * Commands are written as JSON with ' for " (no test text has an apostrophe).
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
#include <sys/wait.h>
#include <unistd.h>

#include "casework/casework.h"
#include "casework/retention.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/file.h"
#include "util/time.h"
#include "testdb.h"
#include "testutil.h"

#define ORIGIN  "test.caseward.example/casework"
#define CMD_MAX (64 * 1024)
#define ULL(x)  ((unsigned long long)(x))

/* ---- fixture: a log with an organisation and two children ---- */

typedef struct fx {
    char dir[64];
    char db[PATH_MAX];
    cw_ledger *l;
    cw_error err;
} fx;

/*
 * The organisation: team T1; hos.evans (head of service) <- sm.price (service
 * manager) <- tm.morgan (team manager) <- sw.jones, sw.davies (social
 * workers) and sp.hughes (senior practitioner, not a manager). Children C1
 * (born 2015-06-01) and C2 (born 2019-03-10), known since 2023-01-03.
 * Recorded by "admin", who is not a member of staff (organisation events
 * accept any actor), and by sw.jones.
 */
static const struct {
    const char *actor, *json;
} ORG[] = {
    {"admin", "{'type':'team_created','payload':{'team_id':'T1','name':'North Children Team',"
              "'service_area':'Children in need'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'hos.evans','name':'Head Evans',"
              "'role':'head_of_service'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'sm.price','name':'Manager Price',"
              "'role':'service_manager','manager_id':'hos.evans'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'tm.morgan','name':'Manager Morgan',"
              "'role':'team_manager','team_id':'T1','manager_id':'sm.price'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'sw.jones','name':'Worker Jones',"
              "'role':'social_worker','team_id':'T1','manager_id':'tm.morgan'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'sw.davies','name':'Worker Davies',"
              "'role':'social_worker','team_id':'T1','manager_id':'tm.morgan'}}"},
    {"admin", "{'type':'staff_added','payload':{'staff_id':'sp.hughes','name':'Senior Hughes',"
              "'role':'senior_practitioner','team_id':'T1','manager_id':'tm.morgan'}}"},
    {"sw.jones", "{'type':'child_registered','payload':{'child_id':'C1','date':'2023-01-03',"
                 "'given_name':'Ela','family_name':'Test','date_of_birth':'2015-06-01',"
                 "'gender':'female','language':'welsh'}}"},
    {"sw.jones", "{'type':'child_registered','payload':{'child_id':'C2','date':'2023-01-03',"
                 "'given_name':'Osian','family_name':'Test','date_of_birth':'2019-03-10',"
                 "'gender':'male','language':'english','address':'1 Test Street'}}"},
};
#define NORG  (sizeof ORG / sizeof ORG[0])
#define IX_T1 0 /* team_created */
#define IX_C1 7 /* child_registered C1 */
#define IX_C2 8

/* Parses a command written with ' for "; the caller json_decrefs it. */
__attribute__((format(printf, 1, 0))) static json_t *build(const char *fmt, va_list ap)
{
    char *buf = malloc(CMD_MAX);
    assert_non_null(buf);
    int n = vsnprintf(buf, CMD_MAX, fmt, ap);
    assert_true(n > 0 && n < CMD_MAX);
    for (char *p = buf; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t jerr;
    json_t *root = json_loads(buf, JSON_ALLOW_NUL, &jerr);
    if (!root)
        fail_msg("test command is not JSON (%s): %.200s", jerr.text, buf);
    if (!json_is_string(json_object_get(root, "type")))
        fail_msg("test command has no type: %.200s", buf);
    free(buf);
    return root;
}

/* Submits one command inside the open batch. */
__attribute__((format(printf, 4, 0))) static cw_rc add_v(fx *f, const char *actor, uint64_t *index,
                                                         const char *fmt, va_list ap)
{
    json_t *root = build(fmt, ap);
    cw_event ev = {actor, json_string_value(json_object_get(root, "type")),
                   json_object_get(root, "payload")};
    cw_rc rc = cw_casework_submit(f->l, &ev, index, &f->err);
    json_decref(root);
    return rc;
}

__attribute__((format(printf, 4, 5))) static cw_rc add(fx *f, const char *actor, uint64_t *index,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cw_rc rc = add_v(f, actor, index, fmt, ap);
    va_end(ap);
    return rc;
}

/* One command in its own batch: begin, submit, commit (abort if refused). */
__attribute__((format(printf, 4, 0))) static cw_rc
submit_v(fx *f, const char *actor, uint64_t *index, const char *fmt, va_list ap)
{
    cw_error_clear(&f->err);
    cw_rc rc = cw_casework_begin(f->l, &f->err);
    if (rc)
        return rc;
    if ((rc = add_v(f, actor, index, fmt, ap))) {
        cw_casework_abort(f->l);
        return rc;
    }
    return cw_casework_commit(f->l, NULL, &f->err);
}

/* Submits a command that must be accepted; returns its ledger index. */
__attribute__((format(printf, 3, 4))) static uint64_t ok(fx *f, const char *actor, const char *fmt,
                                                         ...)
{
    va_list ap;
    uint64_t idx = UINT64_MAX;
    va_start(ap, fmt);
    cw_rc rc = submit_v(f, actor, &idx, fmt, ap);
    va_end(ap);
    if (rc)
        fail_msg("command refused (%s): %s\n  command: %.300s", cw_rc_str(rc), f->err.msg, fmt);
    assert_int_equal(idx + 1, cw_ledger_size(f->l));
    return idx;
}

/* ---- reading the database with plain SQL (tests/testdb.h) ---- */

/* The rows of one query as text (no trailing newline); the caller frees. */
static char *query(const char *db, const char *sql)
{
    cw_buf b = CW_BUF_INIT(1 << 24);
    tdb_rows(db, sql, &b, 0);
    if (b.len && b.data[b.len - 1] == '\n')
        cw_buf_truncate(&b, b.len - 1);
    char *out = b.data ? cw_buf_detach(&b, NULL) : strdup("");
    assert_non_null(out);
    return out;
}

__attribute__((format(printf, 3, 4))) static void expect_rows(const char *db, const char *sql,
                                                              const char *fmt, ...)
{
    char want[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof want);
    char *got = query(db, sql);
    if (strcmp(got, want) != 0) {
        static char msg[8192];
        snprintf(msg, sizeof msg, "%s", got);
        free(got);
        fail_msg("%s\n--- got:\n%s\n--- want:\n%s", sql, msg, want);
    }
    free(got);
}

/* SQL with a number in it (the tests never build SQL from outside input). */
__attribute__((format(printf, 1, 2))) static const char *sqlf(const char *fmt, ...)
{
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof buf[0], fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof buf[0]);
    return b;
}

static long long query_int(const char *db, const char *sql)
{
    char *s = query(db, sql);
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end)
        fail_msg("%s: \"%s\" is not one integer", sql, s);
    free(s);
    return v;
}

/*
 * Every table, each ordered by all its columns (so by its primary key, and
 * totally), with typed values. The ledger's own tables (entries,
 * checkpoints, meta) are summarised when with_ledger, else left out. New
 * projection tables are included without this test knowing their names.
 */
static char *dump(const char *db, int with_ledger)
{
    cw_buf names = CW_BUF_INIT(1 << 16), out = CW_BUF_INIT(1 << 26);
    tdb_rows(db, tdb_tables_sql(), &names, 0);
    char *save = NULL;
    for (char *t = names.data ? strtok_r(names.data, "\n", &save) : NULL; t;
         t = strtok_r(NULL, "\n", &save)) {
        if (!strcmp(t, "entries") || !strcmp(t, "checkpoints") || !strcmp(t, "meta"))
            continue;
        char sql[512];
        int ncol = tdb_column_count(db, t);
        size_t used = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", t);
        for (int i = 2; i <= ncol && used < sizeof sql; i++)
            used += (size_t)snprintf(sql + used, sizeof sql - used, ", %d", i);
        assert_true(used < sizeof sql);
        assert_int_equal(cw_buf_addf(&out, "== %s\n", t), CW_OK);
        tdb_rows(db, sql, &out, 1);
    }
    if (with_ledger) {
        assert_int_equal(cw_buf_addstr(&out, "== ledger\n"), CW_OK);
        tdb_rows(db, "SELECT count(*), coalesce(max(idx), -1) FROM entries", &out, 1);
        tdb_rows(db, "SELECT count(*), max(size) FROM checkpoints", &out, 1);
    }
    cw_buf_release(&names);
    char *text = cw_buf_detach(&out, NULL);
    assert_non_null(text);
    return text;
}

/* ---- refusals ---- */

/*
 * Submits a command that must be refused with want, with a message holding
 * m1 and m2 (either may be NULL), and checks nothing was written: the ledger
 * size, the stored entries and checkpoints, and every projection row.
 */
__attribute__((format(printf, 6, 7))) static void
refuse(fx *f, const char *actor, cw_rc want, const char *m1, const char *m2, const char *fmt, ...)
{
    char *before = dump(f->db, 1);
    uint64_t size = cw_ledger_size(f->l);
    va_list ap;
    va_start(ap, fmt);
    cw_rc rc = submit_v(f, actor, NULL, fmt, ap);
    va_end(ap);
    if (rc != want)
        fail_msg("got %d (%s), want %d (%s); message: %s\n  command: %.300s", rc, cw_rc_str(rc),
                 want, cw_rc_str(want), f->err.msg, fmt);
    if ((m1 && !strstr(f->err.msg, m1)) || (m2 && !strstr(f->err.msg, m2)))
        fail_msg("message \"%s\" does not name \"%s\" and \"%s\"", f->err.msg, m1 ? m1 : "",
                 m2 ? m2 : "");
    assert_int_equal(cw_ledger_size(f->l), size);
    char *after = dump(f->db, 1);
    if (strcmp(before, after) != 0)
        fail_msg("a refused command changed the database:\n--- before:\n%s\n--- after:\n%s", before,
                 after);
    free(before);
    free(after);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-casework-test-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    tdb_path(f->db, sizeof f->db, f->dir, "log");
    cw_error_clear(&f->err);
    if (cw_ledger_create(f->db, ORIGIN, &f->err) ||
        cw_ledger_open(f->db, CW_LEDGER_WRITE, &f->l, &f->err) ||
        cw_casework_begin(f->l, &f->err)) {
        fprintf(stderr, "setup: %s\n", f->err.msg);
        return -1;
    }
    /* The organisation in one batch: each command sees the ones before it. */
    for (size_t i = 0; i < NORG; i++) {
        uint64_t idx;
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", ORG[i].json);
        for (char *p = buf; *p; p++) /* written with ' for " */
            if (*p == '\'')
                *p = '"';
        json_t *root = json_loads(buf, 0, NULL);
        cw_event ev = {ORG[i].actor, json_string_value(json_object_get(root, "type")),
                       json_object_get(root, "payload")};
        cw_rc rc = root ? cw_casework_submit(f->l, &ev, &idx, &f->err) : CW_EINVAL;
        json_decref(root);
        if (rc || idx != i) {
            fprintf(stderr, "setup: command %zu: %s\n", i, f->err.msg);
            cw_casework_abort(f->l);
            return -1;
        }
    }
    if (cw_casework_commit(f->l, NULL, &f->err)) {
        fprintf(stderr, "setup: commit: %s\n", f->err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    cw_ledger_close(f->l);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static cw_date today(void)
{
    return (cw_date)(cw_time_now_ms() / 86400000);
}

/* ---- 1. the fixture ---- */

static void test_fixture(void **state)
{
    fx *f = *state;
    assert_int_equal(cw_ledger_size(f->l), NORG);
    expect_rows(f->db, "SELECT team_id, name, service_area, idx FROM teams",
                "T1|North Children Team|Children in need|0");
    expect_rows(f->db,
                "SELECT staff_id, role, team_id, manager_id, left_on FROM staff "
                "ORDER BY staff_id",
                "hos.evans|head_of_service|NULL|NULL|NULL\n"
                "sm.price|service_manager|NULL|hos.evans|NULL\n"
                "sp.hughes|senior_practitioner|T1|tm.morgan|NULL\n"
                "sw.davies|social_worker|T1|tm.morgan|NULL\n"
                "sw.jones|social_worker|T1|tm.morgan|NULL\n"
                "tm.morgan|team_manager|T1|sm.price|NULL");
    expect_rows(
        f->db,
        "SELECT child_id, given_name, date_of_birth, gender, language, address, "
        "restricted, worker_id, case_status, cp_category, looked_after_since, "
        "last_activity, idx FROM children ORDER BY child_id",
        "C1|Ela|2015-06-01|female|welsh|NULL|0|NULL|open|NULL|NULL|2023-01-03|%d\n"
        "C2|Osian|2019-03-10|male|english|1 Test Street|0|NULL|open|NULL|NULL|2023-01-03|%d",
        IX_C1, IX_C2);
    expect_rows(f->db, "SELECT child_id, idx, date, type FROM child_events ORDER BY child_id",
                "C1|%d|2023-01-03|child_registered\nC2|%d|2023-01-03|child_registered", IX_C1,
                IX_C2);
    assert_int_equal(query_int(f->db, "SELECT value FROM projection_state WHERE key = 'applied'"),
                     NORG);
    /* submit's index is the entry's index, and the entry carries the actor */
    uint64_t i = ok(f, "sw.jones",
                    "{'type':'case_note','payload':{'child_id':'C1','date':'2023-01-04',"
                    "'text':'Phoned the school'}}");
    assert_int_equal(i, NORG);
    cw_buf leaf = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_ledger_leaf(f->l, i, &leaf, &f->err), CW_OK);
    assert_non_null(strstr(leaf.data, "\"actor\":\"sw.jones\""));
    assert_non_null(strstr(leaf.data, "\"type\":\"case_note\""));
    cw_buf_release(&leaf);
}

/* ---- 2. refusals ---- */

static void test_refuse_unknown_child_and_duplicates(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_ENOTFOUND, "child_id", "C404",
           "{'type':'contact_received','payload':{'contact_id':'CT9','child_id':'C404',"
           "'date':'2023-02-01','source':'police','reason':'Report'}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "child_id", "C404",
           "{'type':'statutory_visit','payload':{'child_id':'C404','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EEXIST, "child_id", "C1",
           "{'type':'child_registered','payload':{'child_id':'C1','given_name':'Other',"
           "'family_name':'Child','date_of_birth':'2016-01-01','gender':'male',"
           "'language':'english'}}");
    refuse(f, "admin", CW_EEXIST, "team_id", "T1",
           "{'type':'team_created','payload':{'team_id':'T1','name':'Another'}}");
    refuse(f, "admin", CW_EEXIST, "staff_id", "sw.jones",
           "{'type':'staff_added','payload':{'staff_id':'sw.jones','name':'Again',"
           "'role':'social_worker'}}");
    refuse(f, "admin", CW_ENOTFOUND, "team_id", "T404",
           "{'type':'staff_added','payload':{'staff_id':'sw.new','name':'New',"
           "'role':'social_worker','team_id':'T404'}}");
    refuse(f, "admin", CW_ENOTFOUND, "manager_id", "tm.nobody",
           "{'type':'staff_added','payload':{'staff_id':'sw.new','name':'New',"
           "'role':'social_worker','manager_id':'tm.nobody'}}");

    /* one of each record, then each again */
    ok(f, "sw.jones",
       "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
       "'date':'2023-01-04','source':'police','reason':'Domestic incident'}}");
    ok(f, "sw.jones",
       "{'type':'referral_received','payload':{'referral_id':'R1','child_id':'C1',"
       "'date':'2023-01-05','source':'school','reason':'Hungry at school'}}");
    ok(f, "sw.jones",
       "{'type':'assessment_started','payload':{'assessment_id':'A1','child_id':'C1',"
       "'date':'2023-01-09','referral_id':'R1'}}");
    ok(f, "sw.jones",
       "{'type':'strategy_discussion_held','payload':{'strategy_id':'S1','child_id':'C1',"
       "'date':'2023-01-20','decision':'section_47'}}");
    ok(f, "sw.jones",
       "{'type':'section_47_started','payload':{'enquiry_id':'E1','child_id':'C1',"
       "'date':'2023-01-20','strategy_id':'S1'}}");
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
       "'date':'2023-02-10','kind':'initial','decision':'register','category':'neglect'}}");
    ok(f, "sw.jones",
       "{'type':'plan_recorded','payload':{'plan_id':'P1','child_id':'C1','date':'2023-02-15',"
       "'kind':'child_protection_outline'}}");
    ok(f, "sw.jones",
       "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C1',"
       "'date':'2023-03-01'}}");
    refuse(f, "sw.jones", CW_EEXIST, "contact_id", "CT1",
           "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C2',"
           "'date':'2023-02-01','source':'police','reason':'Report'}}");
    refuse(f, "sw.jones", CW_EEXIST, "referral_id", "R1",
           "{'type':'referral_received','payload':{'referral_id':'R1','child_id':'C2',"
           "'date':'2023-02-01','source':'school','reason':'Report'}}");
    /* records share one namespace: a referral cannot take a contact's id */
    refuse(f, "sw.jones", CW_EEXIST, "referral_id", "CT1",
           "{'type':'referral_received','payload':{'referral_id':'CT1','child_id':'C2',"
           "'date':'2023-02-01','source':'school','reason':'Report'}}");
    refuse(f, "sw.jones", CW_EEXIST, "assessment_id", "A1",
           "{'type':'assessment_started','payload':{'assessment_id':'A1','child_id':'C2',"
           "'date':'2023-02-01'}}");
    refuse(f, "sw.jones", CW_EEXIST, "strategy_id", "S1",
           "{'type':'strategy_discussion_held','payload':{'strategy_id':'S1','child_id':'C2',"
           "'date':'2023-02-01','decision':'other'}}");
    refuse(f, "sw.jones", CW_EEXIST, "enquiry_id", "E1",
           "{'type':'section_47_started','payload':{'enquiry_id':'E1','child_id':'C2',"
           "'date':'2023-02-01'}}");
    refuse(f, "sw.jones", CW_EEXIST, "conference_id", "K1",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C2',"
           "'date':'2023-02-10','kind':'initial','decision':'not_registered'}}");
    refuse(f, "sw.jones", CW_EEXIST, "plan_id", "P1",
           "{'type':'plan_recorded','payload':{'plan_id':'P1','child_id':'C2','date':'2023-02-15',"
           "'kind':'care_and_support'}}");
    refuse(f, "sw.jones", CW_EEXIST, "episode_id", "M1",
           "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C2',"
           "'date':'2023-03-01'}}");
    /* a contact's decision (issue 12): of a contact, once, not before it; it closes the
     * contact's record with its outcome */
    refuse(f, "sw.jones", CW_ENOTFOUND, "contact_id", "R1",
           "{'type':'contact_decided','payload':{'contact_id':'R1','date':'2023-01-05',"
           "'outcome':'referral'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "the contact",
           "{'type':'contact_decided','payload':{'contact_id':'CT1','date':'2023-01-03',"
           "'outcome':'referral'}}");
    refuse(f, "sw.jones", CW_EINVAL, "outcome", "early_help",
           "{'type':'contact_decided','payload':{'contact_id':'CT1','date':'2023-01-05',"
           "'outcome':'maybe'}}");
    ok(f, "sw.jones",
       "{'type':'contact_decided','payload':{'contact_id':'CT1','date':'2023-01-05',"
       "'outcome':'referral'}}");
    expect_rows(f->db, "SELECT closed_on, status FROM records WHERE record_id = 'CT1'",
                "2023-01-05|referral");
    refuse(f, "sw.jones", CW_EINVAL, "contact_id", "already been decided",
           "{'type':'contact_decided','payload':{'contact_id':'CT1','date':'2023-01-06',"
           "'outcome':'early_help'}}");
    /* references to records that do not exist, or are of another kind */
    refuse(f, "tm.morgan", CW_ENOTFOUND, "referral_id", "R404",
           "{'type':'referral_decided','payload':{'referral_id':'R404','date':'2023-02-01',"
           "'decision':'assessment','decided_by':'tm.morgan'}}");
    refuse(f, "tm.morgan", CW_ENOTFOUND, "referral_id", "CT1",
           "{'type':'referral_decided','payload':{'referral_id':'CT1','date':'2023-02-01',"
           "'decision':'assessment','decided_by':'tm.morgan'}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "strategy_id", "S404",
           "{'type':'section_47_started','payload':{'enquiry_id':'E2','child_id':'C1',"
           "'date':'2023-02-01','strategy_id':'S404'}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "enquiry_id", "E404",
           "{'type':'section_47_completed','payload':{'enquiry_id':'E404','date':'2023-02-01',"
           "'outcome':'child_in_need'}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "assessment_id", "A404",
           "{'type':'assessment_completed','payload':{'assessment_id':'A404',"
           "'date':'2023-02-03','child_seen':false,'views_not_obtained_reason':'Unwell',"
           "'analysis':'Analysis','outcome':'other_services','signed_off_by':'tm.morgan'}}");
    /* an assessment cannot hang off another child's referral */
    refuse(f, "sw.jones", CW_EINVAL, "referral_id", "R1",
           "{'type':'assessment_started','payload':{'assessment_id':'A2','child_id':'C2',"
           "'date':'2023-02-01','referral_id':'R1'}}");
}

static void test_refuse_dates(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-02-29",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-29',"
           "'seen':true,'seen_alone':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-13-01",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-13-01','text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "3 March 2023",
           "{'type':'case_note','payload':{'child_id':'C1','date':'3 March 2023','text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date_of_birth", "2023-02-29",
           "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
           "'family_name':'Test','date_of_birth':'2023-02-29','gender':'male',"
           "'language':'english'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2099-01-01",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2099-01-01',"
           "'seen':true,'seen_alone':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2099-01-01",
           "{'type':'child_registered','payload':{'child_id':'C3','date':'2099-01-01',"
           "'given_name':'Cai','family_name':'Test','date_of_birth':'2020-01-01',"
           "'gender':'male','language':'english'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "is required",
           "{'type':'statutory_visit','payload':{'child_id':'C1','seen':true,"
           "'seen_alone':true,'views':'Fine'}}");
    /* before birth (C1 was born on 2015-06-01) */
    refuse(f, "sw.jones", CW_EINVAL, "2015-05-31", "2015-06-01",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2015-05-31',"
           "'seen':true,'seen_alone':true,'views':'Fine'}}");
    assert_non_null(strstr(f->err.msg, "date:"));
    refuse(f, "sw.jones", CW_EINVAL, "date", "2015-05-31",
           "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
           "'date':'2015-05-31','source':'police','reason':'Report'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2015-05-31",
           "{'type':'referral_received','payload':{'referral_id':'R1','child_id':'C1',"
           "'date':'2015-05-31','source':'police','reason':'Report'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2015-05-31",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2015-05-31','text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2015-05-31",
           "{'type':'strategy_discussion_held','payload':{'strategy_id':'S1','child_id':'C1',"
           "'date':'2015-05-31','decision':'other'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2015-05-31",
           "{'type':'assessment_started','payload':{'assessment_id':'A1','child_id':'C1',"
           "'date':'2015-05-31'}}");
    /* the day of birth itself is fine */
    ok(f, "sw.jones",
       "{'type':'case_note','payload':{'child_id':'C1','date':'2015-06-01','text':'Born'}}");
    /* section 47 before the strategy discussion; completed before it started, or twice */
    ok(f, "sw.jones",
       "{'type':'strategy_discussion_held','payload':{'strategy_id':'S1','child_id':'C1',"
       "'date':'2023-01-20','decision':'section_47','cse':false}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-01-19",
           "{'type':'section_47_started','payload':{'enquiry_id':'E1','child_id':'C1',"
           "'date':'2023-01-19','strategy_id':'S1'}}");
    ok(f, "sw.jones",
       "{'type':'section_47_started','payload':{'enquiry_id':'E1','child_id':'C1',"
       "'date':'2023-01-20','strategy_id':'S1'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-01-19",
           "{'type':'section_47_completed','payload':{'enquiry_id':'E1','date':'2023-01-19',"
           "'outcome':'initial_conference'}}");
    ok(f, "sw.jones",
       "{'type':'section_47_completed','payload':{'enquiry_id':'E1','date':'2023-02-01',"
       "'outcome':'initial_conference'}}");
    refuse(f, "sw.jones", CW_EINVAL, "enquiry_id", "E1",
           "{'type':'section_47_completed','payload':{'enquiry_id':'E1','date':'2023-02-02',"
           "'outcome':'child_in_need'}}");
}

static void test_unborn_child(void **state)
{
    fx *f = *state;
    char near[CW_DATE_LEN + 1], far[CW_DATE_LEN + 1], limit[CW_DATE_LEN + 1];
    /* 40 weeks is 280 days; keep a margin either side for a midnight rollover */
    cw_date_format(today() + 200, near);
    cw_date_format(today() + 300, far);
    cw_date_format(today() + 279, limit);
    refuse(f, "sw.jones", CW_EINVAL, "date_of_birth", far,
           "{'type':'child_registered','payload':{'child_id':'U1','given_name':'Baby',"
           "'family_name':'Test','date_of_birth':'%s','gender':'not_known','language':'welsh'}}",
           far);
    ok(f, "sw.jones",
       "{'type':'child_registered','payload':{'child_id':'U1','given_name':'Baby',"
       "'family_name':'Test','date_of_birth':'%s','gender':'not_known','language':'welsh'}}",
       near);
    ok(f, "sw.jones",
       "{'type':'child_registered','payload':{'child_id':'U2','given_name':'Baby',"
       "'family_name':'Two','date_of_birth':'%s','gender':'not_known','language':'other'}}",
       limit);
    char want[128];
    snprintf(want, sizeof want, "U1|%s|open", near);
    expect_rows(f->db,
                "SELECT child_id, date_of_birth, case_status FROM children WHERE child_id = 'U1'",
                "%s", want);
    /* nothing dated before birth is accepted for the unborn child (see docs/events.md) */
    char d[CW_DATE_LEN + 1];
    cw_date_format(today() - 1, d);
    refuse(f, "sw.jones", CW_EINVAL, "date", near,
           "{'type':'statutory_visit','payload':{'child_id':'U1','date':'%s','seen':true,"
           "'seen_alone':false,'views':'Mother says all is well'}}",
           d);
}

/* C1: referral R1 (2023-01-05) and assessment A1 started 2023-01-09. */
static void referral_and_assessment(fx *f)
{
    ok(f, "sw.jones",
       "{'type':'referral_received','payload':{'referral_id':'R1','child_id':'C1',"
       "'date':'2023-01-05','source':'school','reason':'Hungry at school','cse_concern':false}}");
    ok(f, "sw.jones",
       "{'type':'assessment_started','payload':{'assessment_id':'A1','child_id':'C1',"
       "'date':'2023-01-09','referral_id':'R1'}}");
}

#define COMPLETE(fields)                                                                           \
    "{'type':'assessment_completed','payload':{'assessment_id':'A1','analysis':'Neglect of "       \
    "basic care','outcome':'child_protection'," fields "}}"

static void test_refuse_assessment(void **state)
{
    fx *f = *state;
    referral_and_assessment(f);
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-01-05",
           "{'type':'assessment_started','payload':{'assessment_id':'A2','child_id':'C1',"
           "'date':'2023-01-04','referral_id':'R1'}}");
    assert_non_null(strstr(f->err.msg, "2023-01-04"));
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-01-08",
           COMPLETE("'date':'2023-01-08','child_seen':false,'views_not_obtained_reason':'Ill',"
                    "'signed_off_by':'tm.morgan'"));
    assert_non_null(strstr(f->err.msg, "2023-01-09"));
    refuse(f, "sw.jones", CW_EINVAL, "child_seen_date", "required",
           COMPLETE("'date':'2023-02-03','child_seen':true,'views':'Often hungry',"
                    "'signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "child_seen_date", "2015-05-01",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2015-05-01',"
                    "'views':'Often hungry','signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "child_seen_date", "2023-02-04",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-02-04',"
                    "'views':'Often hungry','signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "child_seen_date", "2099-01-01",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2099-01-01',"
                    "'views':'Often hungry','signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "views", "views_not_obtained_reason",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'signed_off_by':'tm.morgan'"));
    /* blank views are no views */
    refuse(f, "sw.jones", CW_EINVAL, "views", NULL,
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'   ','signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "signed_off_by", "sw.jones",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'sw.jones'"));
    refuse(f, "tm.morgan", CW_EINVAL, "signed_off_by", "tm.morgan",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'tm.morgan'"));
    refuse(f, "sw.jones", CW_EINVAL, "signed_off_by", "sp.hughes",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'sp.hughes'"));
    assert_non_null(strstr(f->err.msg, "manager"));
    refuse(f, "sw.jones", CW_EINVAL, "signed_off_by", "sw.davies",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'sw.davies'"));
    refuse(f, "sw.jones", CW_ENOTFOUND, "signed_off_by", "tm.ghost",
           COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'tm.ghost'"));
    /* a reason for missing views is enough; any manager up the chain may sign off */
    ok(f, "sw.jones",
       COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                "'views_not_obtained_reason':'Too distressed to talk','signed_off_by':'sm.price'"));
    expect_rows(f->db, "SELECT closed_on, status FROM records WHERE record_id = 'A1'",
                "2023-02-03|child_protection");
    refuse(f, "sw.jones", CW_EINVAL, "assessment_id", "A1",
           COMPLETE("'date':'2023-02-04','child_seen':true,'child_seen_date':'2023-01-12',"
                    "'views':'Often hungry','signed_off_by':'tm.morgan'"));
    assert_non_null(strstr(f->err.msg, "already completed"));
}

static void test_refuse_referral_decision(void **state)
{
    fx *f = *state;
    referral_and_assessment(f);
    refuse(f, "tm.morgan", CW_EINVAL, "date", "2023-01-04",
           "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-04',"
           "'decision':'assessment','decided_by':'tm.morgan'}}");
    assert_non_null(strstr(f->err.msg, "2023-01-05"));
    refuse(f, "tm.morgan", CW_ENOTFOUND, "decided_by", "tm.ghost",
           "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-06',"
           "'decision':'assessment','decided_by':'tm.ghost'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "decision", "maybe",
           "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-06',"
           "'decision':'maybe','decided_by':'tm.morgan'}}");
    ok(f, "tm.morgan",
       "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-05',"
       "'decision':'assessment','decided_by':'tm.morgan'}}");
    expect_rows(f->db, "SELECT closed_on, status FROM records WHERE record_id = 'R1'",
                "2023-01-05|assessment");
    refuse(f, "tm.morgan", CW_EINVAL, "referral_id", "R1",
           "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-07',"
           "'decision':'no_further_action','decided_by':'tm.morgan'}}");
    assert_non_null(strstr(f->err.msg, "already been decided"));
}

static void test_refuse_visit(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "seen_alone", NULL,
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':false,'seen_alone':true,'views_not_obtained_reason':'Not home'}}");
    refuse(f, "sw.jones", CW_EINVAL, "views", "views_not_obtained_reason",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "views", NULL,
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':' \\t\\n '}}");
    refuse(f, "sw.jones", CW_EINVAL, "views", NULL,
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':null}}");
    refuse(f, "sw.jones", CW_EINVAL, "seen", "required",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen_alone':false,'views_not_obtained_reason':'Not home'}}");
    /* The Wales Safeguarding Procedures' bedroom duty is about the child's home; a reason for
     * not seeing alone is for a child who was not seen alone. */
    refuse(f, "sw.jones", CW_EINVAL, "bedroom_seen", "location home",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'location':'school','bedroom_seen':true,"
           "'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "bedroom_seen", "location home",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'bedroom_seen':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "not_seen_alone_reason", "was seen alone",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'not_seen_alone_reason':'Baby','views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "location", "home",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'location':'garden','views':'Fine'}}");
    uint64_t v = ok(f, "sw.jones",
                    "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
                    "'seen':false,'seen_alone':false,'views_not_obtained_reason':'Not home'}}");
    expect_rows(f->db, "SELECT idx, child_id, date, seen, seen_alone, views_recorded FROM visits",
                "%llu|C1|2023-02-01|0|0|0", ULL(v));
    /* A baby seen at home, not alone for a reason, the bedroom seen. */
    ok(f, "sw.jones",
       "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-02',"
       "'seen':true,'seen_alone':false,'not_seen_alone_reason':'Eight months old.',"
       "'location':'home','bedroom_seen':true,'views_not_obtained_reason':'Too young.'}}");
}

static void test_refuse_conference(void **state)
{
    fx *f = *state;
    /* not on the register yet */
    refuse(f, "sw.jones", CW_EINVAL, "kind", "C1",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'review','decision':'continue'}}");
    refuse(f, "sw.jones", CW_EINVAL, "kind", "C1",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'review','decision':'deregister'}}");
    refuse(f, "sw.jones", CW_EINVAL, "decision", "C1",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'initial','decision':'continue'}}");
    refuse(f, "sw.jones", CW_EINVAL, "decision", "C1",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'initial','decision':'deregister'}}");
    refuse(f, "sw.jones", CW_EINVAL, "category", "required",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'initial','decision':'register'}}");
    refuse(f, "sw.jones", CW_EINVAL, "category", NULL,
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'initial','decision':'not_registered',"
           "'category':'neglect'}}");
    refuse(f, "sw.jones", CW_EINVAL, "category", "poverty",
           "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
           "'date':'2023-02-10','kind':'initial','decision':'register','category':'poverty'}}");
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K0','child_id':'C1',"
       "'date':'2023-02-03','kind':'initial','decision':'not_registered'}}");
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
       "'date':'2023-02-10','kind':'initial','decision':'register','category':'neglect'}}");
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "neglect|2023-02-10");
    refuse(f, "sw.jones", CW_EINVAL, "decision", "C1",
           "{'type':'conference_held','payload':{'conference_id':'K2','child_id':'C1',"
           "'date':'2023-03-10','kind':'initial','decision':'register','category':'physical'}}");
    assert_non_null(strstr(f->err.msg, "already on the register"));
    /* a category with a deregistration (a continuing review may give the latest category) */
    refuse(f, "sw.jones", CW_EINVAL, "category", NULL,
           "{'type':'conference_held','payload':{'conference_id':'K2','child_id':'C1',"
           "'date':'2023-05-10','kind':'review','decision':'deregister','category':'physical'}}");
    /* a review continues or ends the registration */
    refuse(f, "sw.jones", CW_EINVAL, "decision", NULL,
           "{'type':'conference_held','payload':{'conference_id':'K2','child_id':'C1',"
           "'date':'2023-05-10','kind':'review','decision':'not_registered'}}");
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K2','child_id':'C1',"
       "'date':'2023-05-10','kind':'review','decision':'continue'}}");
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "neglect|2023-02-10");
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K3','child_id':'C1',"
       "'date':'2023-11-10','kind':'review','decision':'deregister'}}");
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "NULL|NULL");
    refuse(f, "sw.jones", CW_EINVAL, "C1", "register",
           "{'type':'conference_held','payload':{'conference_id':'K4','child_id':'C1',"
           "'date':'2023-12-10','kind':'review','decision':'continue'}}");
}

static void test_refuse_core_group(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'core_group_held','payload':{'child_id':'C2','date':'2023-02-20'}}");
    assert_non_null(strstr(f->err.msg, "register"));
    ok(f, "sw.jones",
       "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C2',"
       "'date':'2023-02-10','kind':'initial','decision':'register','category':'emotional'}}");
    ok(f, "sw.jones", "{'type':'core_group_held','payload':{'child_id':'C2','date':'2023-02-20'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2019-03-09",
           "{'type':'core_group_held','payload':{'child_id':'C2','date':'2019-03-09'}}");
}

static void test_refuse_looked_after(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'placement_changed','payload':{'child_id':'C2','date':'2023-06-01',"
           "'placement_id':'PL9','placement_type':'foster'}}");
    assert_non_null(strstr(f->err.msg, "not looked after"));
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'looked_after_ended','payload':{'child_id':'C2','date':'2023-06-01',"
           "'reason':'returned_home'}}");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'looked_after_review_held','payload':{'child_id':'C2','date':'2023-06-01'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2019-03-01",
           "{'type':'looked_after_started','payload':{'child_id':'C2','date':'2019-03-01',"
           "'placement_id':'PL1','placement_type':'foster'}}");
    refuse(f, "sw.jones", CW_EINVAL, "placement_type", "hotel",
           "{'type':'looked_after_started','payload':{'child_id':'C2','date':'2023-06-01',"
           "'placement_id':'PL1','placement_type':'hotel'}}");
    ok(f, "sw.jones",
       "{'type':'looked_after_started','payload':{'child_id':'C2','date':'2023-06-01',"
       "'placement_id':'PL1','placement_type':'foster','until_18':false}}");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'looked_after_started','payload':{'child_id':'C2','date':'2023-07-01',"
           "'placement_id':'PL2','placement_type':'kinship'}}");
    assert_non_null(strstr(f->err.msg, "already looked after"));
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-05-31",
           "{'type':'placement_changed','payload':{'child_id':'C2','date':'2023-05-31',"
           "'placement_id':'PL2','placement_type':'kinship'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2023-05-31",
           "{'type':'looked_after_ended','payload':{'child_id':'C2','date':'2023-05-31',"
           "'reason':'returned_home'}}");
    assert_non_null(strstr(f->err.msg, "2023-06-01"));
    ok(f, "sw.jones",
       "{'type':'looked_after_review_held','payload':{'child_id':'C2','date':'2023-06-28'}}");
    ok(f, "sw.jones",
       "{'type':'looked_after_ended','payload':{'child_id':'C2','date':'2023-09-01',"
       "'reason':'returned_home'}}");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C2",
           "{'type':'looked_after_ended','payload':{'child_id':'C2','date':'2023-09-02',"
           "'reason':'other'}}");
}

/* Care leavers (issue 12): the status, the needs assessment and the personal adviser's visit
 * are about a registered child, dated between birth and today; the needs assessment carries
 * the young person's views or why they could not be obtained. */
static void test_refuse_care_leavers(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_ENOTFOUND, "child_id", "no child C404 is registered",
           "{'type':'needs_assessment_completed','payload':{'child_id':'C404',"
           "'date':'2023-09-06','views':'Wants to stay near college'}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "child_id", "no child C404 is registered",
           "{'type':'personal_adviser_visit','payload':{'child_id':'C404',"
           "'date':'2023-09-06','adviser':'Leaving care team','seen':true}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "child_id", "C404",
           "{'type':'leaving_care_status','payload':{'child_id':'C404','date':'2023-09-06',"
           "'status':'eligible'}}");
    refuse(f, "sw.jones", CW_EINVAL, "status", "former_relevant_education",
           "{'type':'leaving_care_status','payload':{'child_id':'C1','date':'2023-09-06',"
           "'status':'category_2'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "date of birth",
           "{'type':'leaving_care_status','payload':{'child_id':'C1','date':'2015-05-01',"
           "'status':'relevant'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "2099-01-01",
           "{'type':'personal_adviser_visit','payload':{'child_id':'C1','date':'2099-01-01',"
           "'adviser':'Leaving care team','seen':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "date of birth",
           "{'type':'needs_assessment_completed','payload':{'child_id':'C1',"
           "'date':'2015-05-01','views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "views", "views_not_obtained_reason",
           "{'type':'needs_assessment_completed','payload':{'child_id':'C1',"
           "'date':'2023-09-06'}}");
    refuse(f, "sw.jones", CW_EINVAL, "adviser", "required",
           "{'type':'personal_adviser_visit','payload':{'child_id':'C1','date':'2023-09-06',"
           "'seen':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "seen", "required",
           "{'type':'personal_adviser_visit','payload':{'child_id':'C1','date':'2023-09-06',"
           "'adviser':'Leaving care team'}}");
    ok(f, "sw.jones",
       "{'type':'leaving_care_status','payload':{'child_id':'C1','date':'2023-09-01',"
       "'status':'relevant','accommodated_by_authority':true}}");
    ok(f, "sw.jones",
       "{'type':'needs_assessment_completed','payload':{'child_id':'C1',"
       "'date':'2023-09-06','views_not_obtained_reason':'Declined to take part'}}");
    ok(f, "sw.jones",
       "{'type':'personal_adviser_visit','payload':{'child_id':'C1','date':'2023-09-07',"
       "'adviser':'Leaving care team','seen':false}}");
    ok(f, "sw.jones",
       "{'type':'leaving_care_status','payload':{'child_id':'C1','date':'2023-09-08',"
       "'status':'former_relevant'}}");
}

static void test_refuse_missing_cse_supervision(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "returned", "2023-09-01",
           "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C1',"
           "'date':'2023-09-05','returned':'2023-09-01'}}");
    assert_non_null(strstr(f->err.msg, "2023-09-05"));
    refuse(f, "sw.jones", CW_EINVAL, "returned", "2099-01-01",
           "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C1',"
           "'date':'2023-09-05','returned':'2099-01-01'}}");
    ok(f, "sw.jones",
       "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C1',"
       "'date':'2023-09-05','returned':'2023-09-05','return_interview':true}}");
    expect_rows(f->db, "SELECT kind, opened_on, closed_on FROM records WHERE record_id = 'M1'",
                "missing_episode|2023-09-05|2023-09-05");
    /* The return interview names the episode, which is over by then (issue 12). */
    refuse(f, "sw.jones", CW_ENOTFOUND, "episode_id", "M404",
           "{'type':'return_interview','payload':{'episode_id':'M404','date':'2023-09-06',"
           "'conducted_by':'Service','accepted':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "the child went missing",
           "{'type':'return_interview','payload':{'episode_id':'M1','date':'2023-09-04',"
           "'conducted_by':'Service','accepted':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "accepted", "required",
           "{'type':'return_interview','payload':{'episode_id':'M1','date':'2023-09-06',"
           "'conducted_by':'Service'}}");
    ok(f, "sw.jones",
       "{'type':'return_interview','payload':{'episode_id':'M1','date':'2023-09-06',"
       "'conducted_by':'Service','accepted':false}}");

    refuse(f, "sw.jones", CW_EINVAL, "override_reason", NULL,
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':['v1'],'moderate_indicators':[],'significant_indicators':[],"
           "'override_band':'moderate'}}");
    refuse(f, "sw.jones", CW_EINVAL, "override_reason", NULL,
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':['v1'],'moderate_indicators':[],'significant_indicators':[],"
           "'override_reason':'Gut feeling'}}");
    ok(f, "sw.jones",
       "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
       "'vulnerabilities':['v1','v2'],'moderate_indicators':['m1'],"
       "'significant_indicators':[],'override_band':'moderate',"
       "'override_reason':'Missing episode with an older adult'}}");

    refuse(f, "tm.morgan", CW_EINVAL, "supervisor_id", "sw.jones",
           "{'type':'supervision_held','payload':{'supervisee_id':'sw.jones',"
           "'supervisor_id':'sw.jones','date':'2023-09-12','cases_discussed':['C1'],"
           "'decisions':'Carry on'}}");
    assert_non_null(strstr(f->err.msg, "themselves"));
    refuse(f, "tm.morgan", CW_ENOTFOUND, "cases_discussed", "C404",
           "{'type':'supervision_held','payload':{'supervisee_id':'sw.jones',"
           "'supervisor_id':'tm.morgan','date':'2023-09-12','cases_discussed':['C1','C404'],"
           "'decisions':'Carry on'}}");
    refuse(f, "tm.morgan", CW_ENOTFOUND, "supervisee_id", "sw.ghost",
           "{'type':'supervision_held','payload':{'supervisee_id':'sw.ghost',"
           "'supervisor_id':'tm.morgan','date':'2023-09-12','cases_discussed':['C1'],"
           "'decisions':'Carry on'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "cases_discussed", "C1",
           "{'type':'supervision_held','payload':{'supervisee_id':'sw.jones',"
           "'supervisor_id':'tm.morgan','date':'2023-09-12','cases_discussed':['C1','C1'],"
           "'decisions':'Carry on'}}");
    assert_non_null(strstr(f->err.msg, "twice"));
}

static void test_refuse_allocation_and_closure(void **state)
{
    fx *f = *state;
    ok(f, "admin",
       "{'type':'staff_added','payload':{'staff_id':'sw.left','name':'Gone',"
       "'role':'social_worker','team_id':'T1','manager_id':'tm.morgan'}}");
    ok(f, "admin", "{'type':'staff_left','payload':{'staff_id':'sw.left','date':'2023-06-30'}}");
    refuse(f, "admin", CW_EINVAL, "staff_id", "sw.left",
           "{'type':'staff_left','payload':{'staff_id':'sw.left','date':'2023-07-30'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "worker_id", "sw.left",
           "{'type':'case_allocated','payload':{'child_id':'C2','worker_id':'sw.left',"
           "'date':'2023-07-01'}}");
    assert_non_null(strstr(f->err.msg, "has left"));
    refuse(f, "tm.morgan", CW_ENOTFOUND, "worker_id", "sw.ghost",
           "{'type':'case_allocated','payload':{'child_id':'C2','worker_id':'sw.ghost',"
           "'date':'2023-07-01'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "child_id", "C2",
           "{'type':'case_transferred','payload':{'child_id':'C2','worker_id':'sw.jones',"
           "'date':'2023-07-01'}}");
    assert_non_null(strstr(f->err.msg, "not allocated"));
    ok(f, "tm.morgan",
       "{'type':'case_allocated','payload':{'child_id':'C1','worker_id':'sw.jones',"
       "'date':'2023-01-06'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "child_id", "sw.jones",
           "{'type':'case_allocated','payload':{'child_id':'C1','worker_id':'sw.davies',"
           "'date':'2023-02-06'}}");
    assert_non_null(strstr(f->err.msg, "C1"));
    refuse(f, "tm.morgan", CW_EINVAL, "worker_id", "sw.jones",
           "{'type':'case_transferred','payload':{'child_id':'C1','worker_id':'sw.jones',"
           "'date':'2023-02-06'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "worker_id", "sw.left",
           "{'type':'case_transferred','payload':{'child_id':'C1','worker_id':'sw.left',"
           "'date':'2023-02-06'}}");
    ok(f, "tm.morgan",
       "{'type':'case_transferred','payload':{'child_id':'C1','worker_id':'sw.davies',"
       "'date':'2023-02-06','reason':'Caseload'}}");
    expect_rows(f->db, "SELECT worker_id FROM children WHERE child_id = 'C1'", "sw.davies");

    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C1",
           "{'type':'case_reopened','payload':{'child_id':'C1','date':'2023-03-01',"
           "'reason':'Again'}}");
    assert_non_null(strstr(f->err.msg, "not closed"));
    refuse(f, "sw.jones", CW_EINVAL, "reason", "required",
           "{'type':'case_closed','payload':{'child_id':'C1','date':'2023-03-01'}}");
    ok(f, "sw.jones",
       "{'type':'case_closed','payload':{'child_id':'C1','date':'2023-03-01',"
       "'reason':'Needs met'}}");
    expect_rows(f->db, "SELECT case_status FROM children WHERE child_id = 'C1'", "closed");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "C1",
           "{'type':'case_closed','payload':{'child_id':'C1','date':'2023-03-02',"
           "'reason':'Needs met'}}");
    assert_non_null(strstr(f->err.msg, "already closed"));
    ok(f, "sw.jones",
       "{'type':'case_reopened','payload':{'child_id':'C1','date':'2023-04-01',"
       "'reason':'New referral'}}");
    expect_rows(f->db, "SELECT case_status FROM children WHERE child_id = 'C1'", "open");
}

static void test_refuse_management_loop(void **state)
{
    fx *f = *state;
    /* A manages B, B manages A */
    refuse(f, "admin", CW_EINVAL, "manager_id", "tm.morgan",
           "{'type':'staff_changed','payload':{'staff_id':'tm.morgan','manager_id':'sw.jones'}}");
    /* sw.jones -> tm.morgan -> sm.price -> hos.evans -> sw.jones */
    refuse(f, "admin", CW_EINVAL, "manager_id", "hos.evans",
           "{'type':'staff_changed','payload':{'staff_id':'hos.evans','manager_id':'sw.jones'}}");
    refuse(f, "admin", CW_EINVAL, "manager_id", "sm.price",
           "{'type':'staff_changed','payload':{'staff_id':'sm.price','manager_id':'sm.price'}}");
    refuse(f, "admin", CW_EINVAL, "role", "manager_id",
           "{'type':'staff_changed','payload':{'staff_id':'sw.jones'}}");
    refuse(f, "admin", CW_ENOTFOUND, "staff_id", "sw.ghost",
           "{'type':'staff_changed','payload':{'staff_id':'sw.ghost','role':'team_manager'}}");
    refuse(f, "admin", CW_ENOTFOUND, "team_id", "T404",
           "{'type':'staff_changed','payload':{'staff_id':'sw.jones','team_id':'T404'}}");
    refuse(f, "admin", CW_ENOTFOUND, "manager_id", "tm.ghost",
           "{'type':'staff_changed','payload':{'staff_id':'sw.jones','manager_id':'tm.ghost'}}");
    /* a change that keeps the chain a tree is fine, and only the given fields change */
    ok(f, "admin",
       "{'type':'staff_changed','payload':{'staff_id':'sw.davies','manager_id':'sm.price',"
       "'role':'senior_practitioner'}}");
    expect_rows(f->db, "SELECT role, team_id, manager_id FROM staff WHERE staff_id = 'sw.davies'",
                "senior_practitioner|T1|sm.price");
    /* and a loop through the changed chain is still caught */
    refuse(f, "admin", CW_EINVAL, "manager_id", "sm.price",
           "{'type':'staff_changed','payload':{'staff_id':'sm.price','manager_id':'sw.davies'}}");
}

static void test_refuse_actor(void **state)
{
    fx *f = *state;
    refuse(f, "nobody", CW_EINVAL, "actor", "nobody",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-01','text':'Note'}}");
    ok(f, "admin",
       "{'type':'staff_added','payload':{'staff_id':'sw.left','name':'Gone',"
       "'role':'social_worker','team_id':'T1','manager_id':'tm.morgan'}}");
    ok(f, "sw.left",
       "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-01','text':'Note'}}");
    ok(f, "admin", "{'type':'staff_left','payload':{'staff_id':'sw.left','date':'2023-06-30'}}");
    refuse(f, "sw.left", CW_EINVAL, "actor", "sw.left",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-02','text':'Note'}}");
    assert_non_null(strstr(f->err.msg, "has left"));
    /* a manager who has left cannot sign off, decide or supervise either */
    ok(f, "admin", "{'type':'staff_left','payload':{'staff_id':'sp.hughes','date':'2023-06-30'}}");
    refuse(f, "tm.morgan", CW_EINVAL, "supervisee_id", "sp.hughes",
           "{'type':'supervision_held','payload':{'supervisee_id':'sp.hughes',"
           "'supervisor_id':'tm.morgan','date':'2023-06-01','cases_discussed':[],"
           "'decisions':'Handover'}}");
    /* organisation events take any actor, staff or not */
    ok(f, "nobody", "{'type':'team_created','payload':{'team_id':'T2','name':'South'}}");
    ok(f, "sw.left",
       "{'type':'staff_added','payload':{'staff_id':'sw.new','name':'New',"
       "'role':'social_worker','team_id':'T2'}}");
    expect_rows(f->db,
                "SELECT staff_id, left_on FROM staff WHERE left_on IS NOT NULL "
                "ORDER BY staff_id",
                "sp.hughes|2023-06-30\nsw.left|2023-06-30");
}

#define ESCALATION(level, notified)                                                                \
    "{'type':'escalation_raised','payload':{'item':'visit overdue','child_id':'C1',"               \
    "'level':" level ",'notified_id':'" notified "','as_of':'2023-03-01','days_overdue':3}}"

static void test_refuse_escalation(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "actor", "sw.jones", ESCALATION("1", "tm.morgan"));
    assert_non_null(strstr(f->err.msg, "system:escalation"));
    refuse(f, "tm.morgan", CW_EINVAL, "actor", "tm.morgan", ESCALATION("1", "tm.morgan"));
    refuse(f, "system:escalation", CW_ENOTFOUND, "notified_id", "tm.ghost",
           ESCALATION("1", "tm.ghost"));
    refuse(f, "system:escalation", CW_EINVAL, "level", NULL, ESCALATION("11", "tm.morgan"));
    refuse(f, "system:escalation", CW_EINVAL, "level", NULL, ESCALATION("0", "tm.morgan"));
    refuse(f, "system:escalation", CW_EINVAL, "level", NULL, ESCALATION("-1", "tm.morgan"));
    refuse(f, "system:escalation", CW_EINVAL, "level", NULL, ESCALATION("1.5", "tm.morgan"));
    uint64_t e = ok(f, "system:escalation", ESCALATION("2", "sm.price"));
    expect_rows(f->db, sqlf("SELECT type FROM child_events WHERE idx = %llu", ULL(e)),
                "escalation_raised");
}

static void test_refuse_fields(void **state)
{
    fx *f = *state;
    refuse(f, "sw.jones", CW_EINVAL, "type", "visit",
           "{'type':'visit','payload':{'child_id':'C1','date':'2023-02-01'}}");
    refuse(f, "sw.jones", CW_EINVAL, "payload", NULL,
           "{'type':'case_note','payload':['C1','2023-02-01']}");
    refuse(f, "sw.jones", CW_EINVAL, "payload", NULL, "{'type':'case_note'}");
    /* unknown fields, a misspelling included */
    refuse(f, "sw.jones", CW_EINVAL, "colour", "statutory_visit",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine','colour':'red'}}");
    refuse(f, "sw.jones", CW_EINVAL, "seen_alon", NULL,
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alon':true,'views':'Fine'}}");
    /* wrong types */
    refuse(f, "sw.jones", CW_EINVAL, "seen", "true or false",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':'yes','seen_alone':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "seen", NULL,
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':1,'seen_alone':true,'views':'Fine'}}");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "identifier",
           "{'type':'case_note','payload':{'child_id':42,'date':'2023-02-01','text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "date", "not a date",
           "{'type':'case_note','payload':{'child_id':'C1','date':20230201,'text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "text", "text",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-01','text':['a']}}");
    refuse(f, "sw.jones", CW_EINVAL, "vulnerabilities", "list",
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':'v1','moderate_indicators':[],'significant_indicators':[]}}");
    refuse(f, "sw.jones", CW_EINVAL, "vulnerabilities", "item 2",
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':['v1',7],'moderate_indicators':[],'significant_indicators':[]}}");
    refuse(f, "sw.jones", CW_EINVAL, "corrects", "whole number",
           "{'type':'correction','payload':{'corrects':'7','reason':'Typo',"
           "'changes':{'text':'x'}}}");
    /* identifiers */
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "identifier",
           "{'type':'case_note','payload':{'child_id':'C 1','date':'2023-02-01','text':'Note'}}");
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "identifier",
           "{'type':'case_note','payload':{'child_id':'','date':'2023-02-01','text':'Note'}}");
    char *id65 = repeat("x", 65), *id64 = repeat("y", 64);
    refuse(f, "sw.jones", CW_EINVAL, "child_id", "identifier",
           "{'type':'child_registered','payload':{'child_id':'%s','given_name':'Long',"
           "'family_name':'Id','date_of_birth':'2016-01-01','gender':'male',"
           "'language':'english'}}",
           id65);
    ok(f, "sw.jones",
       "{'type':'child_registered','payload':{'child_id':'%s','given_name':'Long',"
       "'family_name':'Id','date_of_birth':'2016-01-01','gender':'male','language':'english'}}",
       id64);
    free(id65);
    free(id64);
    /* over-long text: the limit is in bytes */
    char *t2000 = repeat("a", 2000), *t2001 = repeat("a", 2001);
    char *u2000 = repeat("\xc3\xa9", 1000), *u2002 = repeat("\xc3\xa9", 1001);
    refuse(f, "sw.jones", CW_ETOOBIG, "reason", "2001",
           "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
           "'date':'2023-02-01','source':'school','reason':'%s'}}",
           t2001);
    assert_non_null(strstr(f->err.msg, "2000"));
    refuse(f, "sw.jones", CW_ETOOBIG, "reason", "2002",
           "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
           "'date':'2023-02-01','source':'school','reason':'%s'}}",
           u2002);
    ok(f, "sw.jones",
       "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
       "'date':'2023-02-01','source':'school','reason':'%s'}}",
       t2000);
    ok(f, "sw.jones",
       "{'type':'contact_received','payload':{'contact_id':'CT2','child_id':'C1',"
       "'date':'2023-02-01','source':'school','reason':'%s'}}",
       u2000);
    free(t2000);
    free(t2001);
    free(u2000);
    free(u2002);
    char *n101 = repeat("n", 101);
    refuse(f, "admin", CW_ETOOBIG, "name", "101",
           "{'type':'team_created','payload':{'team_id':'T2','name':'%s'}}", n101);
    free(n101);
    /* blank required text; optional text may be absent */
    refuse(f, "sw.jones", CW_EINVAL, "reason", "blank",
           "{'type':'contact_received','payload':{'contact_id':'CT3','child_id':'C1',"
           "'date':'2023-02-01','source':'school','reason':' \\t\\r\\n'}}");
    refuse(f, "sw.jones", CW_EINVAL, "text", "blank",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-01','text':''}}");
    refuse(f, "admin", CW_EINVAL, "name", "required",
           "{'type':'team_created','payload':{'team_id':'T2','name':null}}");
    /* enums: exact, lower case */
    refuse(f, "sw.jones", CW_EINVAL, "source", "postman",
           "{'type':'contact_received','payload':{'contact_id':'CT3','child_id':'C1',"
           "'date':'2023-02-01','source':'postman','reason':'Letter'}}");
    assert_non_null(strstr(f->err.msg, "police"));
    refuse(f, "sw.jones", CW_EINVAL, "source", "Police",
           "{'type':'contact_received','payload':{'contact_id':'CT3','child_id':'C1',"
           "'date':'2023-02-01','source':'Police','reason':'Letter'}}");
    refuse(f, "sw.jones", CW_EINVAL, "language", "english",
           "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
           "'family_name':'Test','date_of_birth':'2016-01-01','gender':'male',"
           "'language':'cymraeg'}}");
    refuse(f, "sw.jones", CW_EINVAL, "gender", NULL,
           "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
           "'family_name':'Test','date_of_birth':'2016-01-01','gender':true,"
           "'language':'welsh'}}");
    /* a NUL inside text */
    refuse(f, "sw.jones", CW_EINVAL, "text", "NUL",
           "{'type':'case_note','payload':{'child_id':'C1','date':'2023-02-01',"
           "'text':'before\\u0000after'}}");
    /* lists of identifiers: no repeats, at most 50 */
    refuse(f, "sw.jones", CW_EINVAL, "moderate_indicators", "m1",
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':[],'moderate_indicators':['m1','m2','m1'],"
           "'significant_indicators':[]}}");
    char list[51 * 8] = "";
    size_t used = 0;
    for (int i = 0; i < 51; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'v%d'", i ? "," : "", i);
    refuse(f, "sw.jones", CW_ETOOBIG, "vulnerabilities", "51",
           "{'type':'cse_risk_assessment','payload':{'child_id':'C1','date':'2023-09-10',"
           "'vulnerabilities':[%s],'moderate_indicators':[],'significant_indicators':[]}}",
           list);
    refuse(f, "sw.jones", CW_ENOTFOUND, "restricted_to", "sw.ghost",
           "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
           "'family_name':'Test','date_of_birth':'2016-01-01','gender':'male',"
           "'language':'welsh','restricted':true,'restricted_to':['sw.jones','sw.ghost']}}");
}

static void test_refuse_corrections(void **state)
{
    fx *f = *state;
    uint64_t v = ok(f, "sw.jones",
                    "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-20',"
                    "'seen':true,'seen_alone':true,'views':'Likes school'}}");
    uint64_t c = ok(f, "sw.jones",
                    "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong date',"
                    "'changes':{'date':'2023-02-21'}}}",
                    ULL(v));
    ok(f, "sw.jones",
       "{'type':'assessment_started','payload':{'assessment_id':'A1',"
       "'child_id':'C1','date':'2023-01-09'}}");
    uint64_t done = ok(f, "sw.jones",
                       COMPLETE("'date':'2023-02-03','child_seen':true,"
                                "'child_seen_date':'2023-01-12','views':'Often hungry',"
                                "'signed_off_by':'tm.morgan'"));
    uint64_t e = ok(f, "system:escalation", ESCALATION("1", "tm.morgan"));
    uint64_t size = cw_ledger_size(f->l);

    refuse(f, "sw.jones", CW_ENOTFOUND, "corrects", "9999",
           "{'type':'correction','payload':{'corrects':9999,'reason':'Typo',"
           "'changes':{'date':'2023-02-21'}}}");
    refuse(f, "sw.jones", CW_ENOTFOUND, "corrects", NULL,
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'date':'2023-02-21'}}}",
           ULL(size));
    refuse(f, "sw.jones", CW_EINVAL, "corrects", "team_created",
           "{'type':'correction','payload':{'corrects':%d,'reason':'Typo',"
           "'changes':{'name':'South'}}}",
           IX_T1);
    refuse(f, "sw.jones", CW_EINVAL, "corrects", "staff_added",
           "{'type':'correction','payload':{'corrects':4,'reason':'Typo',"
           "'changes':{'role':'team_manager'}}}");
    refuse(f, "sw.jones", CW_EINVAL, "corrects", "correction",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'reason':'Other'}}}",
           ULL(c));
    refuse(f, "sw.jones", CW_EINVAL, "corrects", "escalation_raised",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'level':2}}}",
           ULL(e));
    refuse(f, "sw.jones", CW_EINVAL, "corrects", NULL,
           "{'type':'correction','payload':{'corrects':-1,'reason':'Typo',"
           "'changes':{'date':'2023-02-21'}}}");
    refuse(f, "sw.jones", CW_EINVAL, "changes", "child_id",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong child',"
           "'changes':{'child_id':'C2'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "assessment_id",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong assessment',"
           "'changes':{'assessment_id':'A9'}}}",
           ULL(done));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "colour",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'colour':'red'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", NULL,
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo','changes':{}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "reason", "blank",
           "{'type':'correction','payload':{'corrects':%llu,'reason':' ',"
           "'changes':{'date':'2023-02-22'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "2023-02-29",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'date':'2023-02-29'}}}",
           ULL(v));
    assert_non_null(strstr(f->err.msg, "date"));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "2099-01-01",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'date':'2099-01-01'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "seen",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'seen':'no'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "seen",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'seen':null}}}",
           ULL(v));
    /* the corrected event must obey the catalogue's rules, not only the field types */
    refuse(f, "sw.jones", CW_EINVAL, "changes", "2015-05-31",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'date':'2015-05-31'}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "seen_alone",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Not seen after all',"
           "'changes':{'seen':false}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "views",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Views removed',"
           "'changes':{'views':null}}}",
           ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "2023-01-08",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong date',"
           "'changes':{'date':'2023-01-08'}}}",
           ULL(done));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "child_seen_date",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong date',"
           "'changes':{'child_seen_date':'2023-02-04'}}}",
           ULL(done));
    /* no one approves their own work, or records someone else's approval, through a
     * correction either: the signatory cannot be corrected at all */
    refuse(f, "sw.jones", CW_EINVAL, "changes", "signed_off_by",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Signed off by me',"
           "'changes':{'signed_off_by':'sw.jones'}}}",
           ULL(done));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "signed_off_by",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Other signatory',"
           "'changes':{'signed_off_by':'sp.hughes'}}}",
           ULL(done));
    refuse(f, "hos.evans", CW_EINVAL, "changes", "signed_off_by",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Signed off by me',"
           "'changes':{'signed_off_by':'tm.morgan'}}}",
           ULL(done));
    /* the people a correction names must be staff */
    uint64_t alloc = ok(f, "tm.morgan",
                        "{'type':'case_allocated','payload':{'child_id':'C1',"
                        "'worker_id':'sw.jones','date':'2023-01-06'}}");
    refuse(f, "tm.morgan", CW_ENOTFOUND, "worker_id", "sw.ghost",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Other worker',"
           "'changes':{'worker_id':'sw.ghost'}}}",
           ULL(alloc));
    /* a correction is checked against the corrections before it, not the entry alone */
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Views were not obtained',"
       "'changes':{'views':null,'views_not_obtained_reason':'Child asleep'}}}",
       ULL(v));
    refuse(f, "sw.jones", CW_EINVAL, "changes", "views",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'No reason after all',"
           "'changes':{'views_not_obtained_reason':null}}}",
           ULL(v));
    /* valid corrections of the assessment are accepted */
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Outcome recorded wrongly',"
       "'changes':{'outcome':'care_and_support_plan'}}}",
       ULL(done));
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Not seen after all',"
       "'changes':{'child_seen':false,'child_seen_date':null,"
       "'views_not_obtained_reason':'Ill throughout'}}}",
       ULL(done));
}

/* ---- 3. projections after a realistic history ---- */

typedef struct hist {
    uint64_t contact, referral, decided, allocated, a_start, strategy, s47, s47_done, a_done, icpc,
        plan, core, visit1, visit2, review, la_start, placement, missing, la_end, supervision,
        closed, reopened;
} hist;

/* C1's case from contact to closure and reopening; C2 discussed in supervision. */
static void history(fx *f, hist *h)
{
    h->contact = ok(f, "sw.jones",
                    "{'type':'contact_received','payload':{'contact_id':'CT1','child_id':'C1',"
                    "'date':'2023-01-04','source':'police','reason':'Domestic incident'}}");
    h->referral = ok(f, "sw.jones",
                     "{'type':'referral_received','payload':{'referral_id':'R1','child_id':'C1',"
                     "'date':'2023-01-05','source':'school','reason':'Hungry at school',"
                     "'cse_concern':false}}");
    h->decided = ok(f, "tm.morgan",
                    "{'type':'referral_decided','payload':{'referral_id':'R1','date':'2023-01-06',"
                    "'decision':'assessment','decided_by':'tm.morgan'}}");
    h->allocated = ok(f, "tm.morgan",
                      "{'type':'case_allocated','payload':{'child_id':'C1','worker_id':'sw.jones',"
                      "'date':'2023-01-06'}}");
    h->a_start = ok(f, "sw.jones",
                    "{'type':'assessment_started','payload':{'assessment_id':'A1',"
                    "'child_id':'C1','date':'2023-01-09','referral_id':'R1'}}");
    h->strategy = ok(f, "sw.jones",
                     "{'type':'strategy_discussion_held','payload':{'strategy_id':'S1',"
                     "'child_id':'C1','date':'2023-01-20','decision':'section_47'}}");
    h->s47 = ok(f, "sw.jones",
                "{'type':'section_47_started','payload':{'enquiry_id':'E1','child_id':'C1',"
                "'date':'2023-01-20','strategy_id':'S1'}}");
    h->s47_done = ok(f, "sw.jones",
                     "{'type':'section_47_completed','payload':{'enquiry_id':'E1',"
                     "'date':'2023-02-01','outcome':'initial_conference'}}");
    h->a_done = ok(f, "sw.jones",
                   COMPLETE("'date':'2023-02-03','child_seen':true,'child_seen_date':'2023-01-12',"
                            "'views':'Says she is often hungry','signed_off_by':'tm.morgan'"));
    h->icpc = ok(f, "sw.jones",
                 "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
                 "'date':'2023-02-10','kind':'initial','decision':'register',"
                 "'category':'neglect'}}");
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "neglect|2023-02-10");
    h->plan = ok(f, "sw.jones",
                 "{'type':'plan_recorded','payload':{'plan_id':'P1','child_id':'C1',"
                 "'date':'2023-02-15','kind':'child_protection_outline'}}");
    h->core = ok(f, "sw.jones",
                 "{'type':'core_group_held','payload':{'child_id':'C1','date':'2023-02-24'}}");
    /* recorded after the core group, though it happened before it */
    h->visit1 = ok(f, "sw.jones",
                   "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-20',"
                   "'seen':true,'seen_alone':true,'views':'Likes her new school'}}");
    h->visit2 = ok(f, "sw.jones",
                   "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-03-03',"
                   "'seen':false,'seen_alone':false,'views_not_obtained_reason':'Nobody home'}}");
    h->review = ok(f, "sw.jones",
                   "{'type':'conference_held','payload':{'conference_id':'K2','child_id':'C1',"
                   "'date':'2023-05-10','kind':'review','decision':'deregister'}}");
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "NULL|NULL");
    h->la_start = ok(f, "sw.jones",
                     "{'type':'looked_after_started','payload':{'child_id':'C1',"
                     "'date':'2023-06-01','placement_id':'PL1','placement_type':'foster',"
                     "'until_18':false}}");
    expect_rows(f->db,
                "SELECT looked_after_since, placement_id, placement_type FROM children "
                "WHERE child_id = 'C1'",
                "2023-06-01|PL1|foster");
    h->placement = ok(f, "sw.jones",
                      "{'type':'placement_changed','payload':{'child_id':'C1','date':'2023-08-01',"
                      "'placement_id':'PL2','placement_type':'kinship','school_changed':false}}");
    expect_rows(f->db,
                "SELECT looked_after_since, placement_id, placement_type FROM children "
                "WHERE child_id = 'C1'",
                "2023-06-01|PL2|kinship");
    h->missing = ok(f, "sw.jones",
                    "{'type':'missing_episode','payload':{'episode_id':'M1','child_id':'C1',"
                    "'date':'2023-09-01','returned':'2023-09-03','return_interview':true}}");
    h->la_end = ok(f, "sw.jones",
                   "{'type':'looked_after_ended','payload':{'child_id':'C1','date':'2023-12-01',"
                   "'reason':'returned_home'}}");
    h->supervision = ok(f, "tm.morgan",
                        "{'type':'supervision_held','payload':{'supervisee_id':'sw.jones',"
                        "'supervisor_id':'tm.morgan','date':'2023-12-05',"
                        "'cases_discussed':['C1','C2'],'decisions':'Plan to close C1',"
                        "'actions':'Closure summary'}}");
    h->closed = ok(f, "sw.jones",
                   "{'type':'case_closed','payload':{'child_id':'C1','date':'2024-01-15',"
                   "'reason':'Needs met'}}");
    expect_rows(f->db, "SELECT case_status FROM children WHERE child_id = 'C1'", "closed");
    h->reopened = ok(f, "sw.jones",
                     "{'type':'case_reopened','payload':{'child_id':'C1','date':'2024-03-01',"
                     "'reason':'New referral from school'}}");
}

static void test_projections(void **state)
{
    fx *f = *state;
    hist h;
    history(f, &h);
    expect_rows(f->db,
                "SELECT child_id, worker_id, case_status, cp_category, cp_since, "
                "looked_after_since, placement_id, placement_type, last_activity FROM children "
                "ORDER BY child_id",
                "C1|sw.jones|open|NULL|NULL|NULL|NULL|NULL|2024-03-01\n"
                "C2|NULL|open|NULL|NULL|NULL|NULL|NULL|2023-12-05");
    expect_rows(f->db,
                "SELECT record_id, kind, child_id, opened_on, closed_on, status, idx, closed_idx "
                "FROM records ORDER BY record_id",
                "A1|assessment|C1|2023-01-09|2023-02-03|child_protection|%llu|%llu\n"
                "CT1|contact|C1|2023-01-04|NULL|NULL|%llu|NULL\n"
                "E1|section_47|C1|2023-01-20|2023-02-01|initial_conference|%llu|%llu\n"
                "K1|conference|C1|2023-02-10|NULL|register|%llu|NULL\n"
                "K2|conference|C1|2023-05-10|NULL|deregister|%llu|NULL\n"
                "M1|missing_episode|C1|2023-09-01|2023-09-03|NULL|%llu|%llu\n"
                "P1|plan|C1|2023-02-15|NULL|child_protection_outline|%llu|NULL\n"
                "R1|referral|C1|2023-01-05|2023-01-06|assessment|%llu|%llu\n"
                "S1|strategy_discussion|C1|2023-01-20|NULL|section_47|%llu|NULL",
                ULL(h.a_start), ULL(h.a_done), ULL(h.contact), ULL(h.s47), ULL(h.s47_done),
                ULL(h.icpc), ULL(h.review), ULL(h.missing), ULL(h.missing), ULL(h.plan),
                ULL(h.referral), ULL(h.decided), ULL(h.strategy));
    expect_rows(f->db,
                "SELECT idx, child_id, date, seen, seen_alone, views_recorded FROM visits "
                "ORDER BY idx",
                "%llu|C1|2023-02-20|1|1|1\n%llu|C1|2023-03-03|0|0|0", ULL(h.visit1), ULL(h.visit2));
    expect_rows(f->db, "SELECT idx, supervisee_id, supervisor_id, date FROM supervisions",
                "%llu|sw.jones|tm.morgan|2023-12-05", ULL(h.supervision));
    expect_rows(f->db, "SELECT idx, child_id FROM supervision_cases ORDER BY child_id",
                "%llu|C1\n%llu|C2", ULL(h.supervision), ULL(h.supervision));
    /* the child's events in effective-date order: the late-recorded visit before the core group */
    expect_rows(f->db,
                "SELECT date, type FROM child_events WHERE child_id = 'C1' ORDER BY date, idx",
                "2023-01-03|child_registered\n"
                "2023-01-04|contact_received\n"
                "2023-01-05|referral_received\n"
                "2023-01-06|referral_decided\n"
                "2023-01-06|case_allocated\n"
                "2023-01-09|assessment_started\n"
                "2023-01-20|strategy_discussion_held\n"
                "2023-01-20|section_47_started\n"
                "2023-02-01|section_47_completed\n"
                "2023-02-03|assessment_completed\n"
                "2023-02-10|conference_held\n"
                "2023-02-15|plan_recorded\n"
                "2023-02-20|statutory_visit\n"
                "2023-02-24|core_group_held\n"
                "2023-03-03|statutory_visit\n"
                "2023-05-10|conference_held\n"
                "2023-06-01|looked_after_started\n"
                "2023-08-01|placement_changed\n"
                "2023-09-01|missing_episode\n"
                "2023-12-01|looked_after_ended\n"
                "2023-12-05|supervision_held\n"
                "2024-01-15|case_closed\n"
                "2024-03-01|case_reopened");
    expect_rows(f->db,
                "SELECT idx, date, type FROM child_events WHERE child_id = 'C2' ORDER BY idx",
                "%d|2023-01-03|child_registered\n%llu|2023-12-05|supervision_held", IX_C2,
                ULL(h.supervision));
    expect_rows(f->db, "SELECT count(*) FROM corrections", "0");
    assert_int_equal(query_int(f->db, "SELECT value FROM projection_state WHERE key = 'applied'"),
                     cw_ledger_size(f->l));
    assert_int_equal(cw_ledger_size(f->l), h.reopened + 1);

    /* the history API gives the same order, with each entry's actor */
    cw_history hs;
    assert_int_equal(cw_casework_history(f->l, "C1", &hs, &f->err), CW_OK);
    assert_int_equal(hs.n, 23);
    char dob[CW_DATE_LEN + 1];
    cw_date_format(hs.date_of_birth, dob);
    assert_string_equal(dob, "2015-06-01");
    for (size_t i = 1; i < hs.n; i++)
        assert_true(hs.entries[i - 1].date < hs.entries[i].date ||
                    (hs.entries[i - 1].date == hs.entries[i].date &&
                     hs.entries[i - 1].index < hs.entries[i].index));
    assert_int_equal(hs.entries[12].index, h.visit1);
    assert_string_equal(hs.entries[12].type, "statutory_visit");
    assert_int_equal(hs.entries[13].index, h.core);
    assert_string_equal(hs.entries[3].actor, "tm.morgan");
    assert_null(hs.entries[12].original);
    assert_int_equal(hs.entries[12].ncorrections, 0);
    cw_casework_history_release(&hs);
    assert_int_equal(cw_casework_history(f->l, "C404", &hs, &f->err), CW_ENOTFOUND);
    assert_non_null(strstr(f->err.msg, "C404"));
}

/* ---- 4. rebuild determinism ---- */

static void rebuild_twice_same(fx *f)
{
    char *before = dump(f->db, 0);
    assert_non_null(strstr(before, "t:C1"));
    assert_int_equal(cw_casework_rebuild(f->l, &f->err), CW_OK);
    char *once = dump(f->db, 0);
    if (strcmp(before, once) != 0)
        fail_msg("rebuild changed the projections:\n--- incremental:\n%s\n--- rebuilt:\n%s", before,
                 once);
    assert_int_equal(cw_casework_rebuild(f->l, &f->err), CW_OK);
    char *twice = dump(f->db, 0);
    assert_string_equal(once, twice);
    free(before);
    free(once);
    free(twice);
}

static void test_rebuild(void **state)
{
    fx *f = *state;
    hist h;
    history(f, &h);
    rebuild_twice_same(f);
    /* commands after a rebuild carry on from the rebuilt state */
    ok(f, "sw.jones",
       "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2024-03-05','seen':true,"
       "'seen_alone':true,'views':'Happy to be home'}}");
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM visits"), 3);
    rebuild_twice_same(f);
}

static void corrections_history(fx *f, const hist *h)
{
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong date',"
       "'changes':{'date':'2023-02-21','seen_alone':false}}}",
       ULL(h->visit1));
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Category',"
       "'changes':{'category':'emotional'}}}",
       ULL(h->icpc));
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Decided a day later',"
       "'changes':{'date':'2023-01-07'}}}",
       ULL(h->decided));
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Returned later',"
       "'changes':{'returned':'2023-09-04'}}}",
       ULL(h->missing));
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Placement type',"
       "'changes':{'placement_type':'foster'}}}",
       ULL(h->placement));
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Again',"
       "'changes':{'views':'Likes school and her friends'}}}",
       ULL(h->visit1));
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Supervision date',"
       "'changes':{'date':'2023-12-06'}}}",
       ULL(h->supervision));
}

static void test_rebuild_with_corrections(void **state)
{
    fx *f = *state;
    hist h;
    history(f, &h);
    corrections_history(f, &h);
    /* and events after the corrections */
    ok(f, "sw.jones",
       "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2024-03-05','seen':true,"
       "'seen_alone':true,'views':'Happy to be home'}}");
    expect_rows(f->db,
                "SELECT closed_on FROM records WHERE record_id IN ('R1', 'M1') "
                "ORDER BY record_id",
                "2023-09-04\n2023-01-07");
    expect_rows(f->db, "SELECT date, seen_alone FROM visits ORDER BY idx",
                "2023-02-21|0\n2023-03-03|0\n2024-03-05|1");
    expect_rows(f->db,
                sqlf("SELECT date FROM child_events WHERE idx = %llu ORDER BY child_id",
                     ULL(h.supervision)),
                "2023-12-06\n2023-12-06");
    expect_rows(f->db, "SELECT count(*) FROM corrections", "7");
    rebuild_twice_same(f);
}

/* ---- 5. corrections ---- */

/* A corrected supervision date reaches the supervisions row, not only child_events. */
static void test_correct_supervision_date(void **state)
{
    fx *f = *state;
    uint64_t s = ok(f, "tm.morgan",
                    "{'type':'supervision_held','payload':{'supervisee_id':'sw.jones',"
                    "'supervisor_id':'tm.morgan','date':'2023-12-05','cases_discussed':['C1'],"
                    "'decisions':'Carry on'}}");
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Held the next day',"
       "'changes':{'date':'2023-12-06'}}}",
       ULL(s));
    expect_rows(f->db, sqlf("SELECT date FROM child_events WHERE idx = %llu", ULL(s)),
                "2023-12-06");
    expect_rows(f->db, "SELECT idx, date FROM supervisions", "%llu|2023-12-06", ULL(s));
    rebuild_twice_same(f);
}

static cw_history_entry *find(cw_history *h, uint64_t index)
{
    size_t i = 0;
    while (i < h->n && h->entries[i].index != index)
        i++;
    if (i == h->n)
        fail_msg("entry %llu is not in the history", ULL(index));
    return &h->entries[i];
}

static void expect_json(const json_t *obj, const char *key, const char *want)
{
    const json_t *v = json_object_get(obj, key);
    char *got = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s is %s, want %s", key, got ? got : "(absent)", want);
    free(got);
}

static void test_corrections(void **state)
{
    fx *f = *state;
    uint64_t v = ok(f, "sw.jones",
                    "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-20',"
                    "'seen':true,'seen_alone':false,'views':'Quiet'}}");
    uint64_t other = ok(f, "sw.jones",
                        "{'type':'statutory_visit','payload':{'child_id':'C1',"
                        "'date':'2023-02-21','seen':true,'seen_alone':true,'views':'Chatty'}}");
    uint64_t c1 = ok(f, "sw.jones",
                     "{'type':'correction','payload':{'corrects':%llu,"
                     "'reason':'Date and seen alone recorded wrongly',"
                     "'changes':{'date':'2023-02-22','seen_alone':true}}}",
                     ULL(v));
    expect_rows(f->db,
                "SELECT idx, date, seen, seen_alone, views_recorded FROM visits "
                "ORDER BY idx",
                "%llu|2023-02-22|1|1|1\n%llu|2023-02-21|1|1|1", ULL(v), ULL(other));
    expect_rows(f->db, sqlf("SELECT date, type FROM child_events WHERE idx = %llu", ULL(v)),
                "2023-02-22|statutory_visit");
    expect_rows(f->db, "SELECT idx, corrects, reason FROM corrections",
                "%llu|%llu|Date and seen alone recorded wrongly", ULL(c1), ULL(v));
    expect_rows(f->db,
                sqlf("SELECT type FROM child_events WHERE idx = %llu AND child_id = 'C1'", ULL(c1)),
                "correction");
    /* the ledger keeps the entry as first recorded */
    cw_buf leaf = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_ledger_leaf(f->l, v, &leaf, &f->err), CW_OK);
    assert_non_null(strstr(leaf.data, "\"date\":\"2023-02-20\""));
    assert_non_null(strstr(leaf.data, "\"seen_alone\":false"));
    cw_buf_release(&leaf);

    cw_history h;
    assert_int_equal(cw_casework_history(f->l, "C1", &h, &f->err), CW_OK);
    cw_history_entry *e = find(&h, v);
    char d[CW_DATE_LEN + 1];
    cw_date_format(e->date, d);
    assert_string_equal(d, "2023-02-22");
    expect_json(e->payload, "date", "\"2023-02-22\"");
    expect_json(e->payload, "seen_alone", "true");
    expect_json(e->payload, "views", "\"Quiet\"");
    assert_non_null(e->original);
    expect_json(e->original, "date", "\"2023-02-20\"");
    expect_json(e->original, "seen_alone", "false");
    assert_int_equal(e->ncorrections, 1);
    assert_int_equal(e->corrected_by[0], c1);
    assert_null(find(&h, other)->original);
    /* the corrected visit now comes after the other one */
    assert_true(find(&h, other) < e);
    cw_casework_history_release(&h);

    /* a second correction merges on top of the first */
    uint64_t c2 = ok(f, "tm.morgan",
                     "{'type':'correction','payload':{'corrects':%llu,'reason':'Fuller views',"
                     "'changes':{'views':'Quiet; said she was tired','date':'2023-02-19'}}}",
                     ULL(v));
    assert_int_equal(cw_casework_history(f->l, "C1", &h, &f->err), CW_OK);
    e = find(&h, v);
    cw_date_format(e->date, d);
    assert_string_equal(d, "2023-02-19");
    expect_json(e->payload, "date", "\"2023-02-19\"");
    expect_json(e->payload, "seen_alone", "true");
    expect_json(e->payload, "views", "\"Quiet; said she was tired\"");
    expect_json(e->original, "date", "\"2023-02-20\"");
    expect_json(e->original, "views", "\"Quiet\"");
    assert_int_equal(e->ncorrections, 2);
    assert_int_equal(e->corrected_by[0], c1);
    assert_int_equal(e->corrected_by[1], c2);
    assert_true(e < find(&h, other));
    cw_casework_history_release(&h);
    expect_rows(f->db, sqlf("SELECT date, seen_alone FROM visits WHERE idx = %llu", ULL(v)),
                "2023-02-19|1");
    expect_rows(f->db, "SELECT corrects FROM corrections ORDER BY idx", "%llu\n%llu", ULL(v),
                ULL(v));
}

/* Every correction of an entry is merged, however many (the history lists the first 8). */
static void test_many_corrections(void **state)
{
    fx *f = *state;
    uint64_t v = ok(f, "sw.jones",
                    "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-03-01',"
                    "'seen':true,'seen_alone':true,'views':'Fine'}}");
    uint64_t fixes[10];
    for (int i = 0; i < 10; i++)
        fixes[i] = ok(f, "sw.jones",
                      "{'type':'correction','payload':{'corrects':%llu,'reason':'Date again',"
                      "'changes':{'date':'2023-03-%02d'}}}",
                      ULL(v), i + 2);
    expect_rows(f->db, "SELECT date FROM visits", "2023-03-11");
    cw_history h;
    assert_int_equal(cw_casework_history(f->l, "C1", &h, &f->err), CW_OK);
    cw_history_entry *e = find(&h, v);
    expect_json(e->payload, "date", "\"2023-03-11\"");
    expect_json(e->original, "date", "\"2023-03-01\"");
    char d[CW_DATE_LEN + 1];
    cw_date_format(e->date, d);
    assert_string_equal(d, "2023-03-11");
    assert_int_equal(e->ncorrections, 8);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(e->corrected_by[i], fixes[i]);
    cw_casework_history_release(&h);
    /* and the next correction is checked against all ten before it */
    refuse(f, "sw.jones", CW_EINVAL, "changes", "seen_alone",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Not seen',"
           "'changes':{'seen':false}}}",
           ULL(v));
    rebuild_twice_same(f);
}

static void test_correct_conference(void **state)
{
    fx *f = *state;
    uint64_t k = ok(f, "sw.jones",
                    "{'type':'conference_held','payload':{'conference_id':'K1','child_id':'C1',"
                    "'date':'2023-02-10','kind':'initial','decision':'register',"
                    "'category':'neglect'}}");
    ok(f, "sw.jones", "{'type':'core_group_held','payload':{'child_id':'C1','date':'2023-02-20'}}");
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Category was emotional abuse',"
       "'changes':{'category':'emotional'}}}",
       ULL(k));
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "emotional|2023-02-10");
    ok(f, "tm.morgan",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Held a day earlier',"
       "'changes':{'date':'2023-02-09'}}}",
       ULL(k));
    expect_rows(f->db, "SELECT cp_category, cp_since FROM children WHERE child_id = 'C1'",
                "emotional|2023-02-09");
    expect_rows(f->db, "SELECT opened_on, status FROM records WHERE record_id = 'K1'",
                "2023-02-09|register");
    /* C2 is untouched by corrections about C1 */
    expect_rows(f->db, "SELECT cp_category, last_activity FROM children WHERE child_id = 'C2'",
                "NULL|2023-01-03");
}

/* ---- 6. atomic batches ---- */

static void test_batch_atomic(void **state)
{
    fx *f = *state;
    char *before = dump(f->db, 1);
    uint64_t size = cw_ledger_size(f->l), idx;
    cw_error_clear(&f->err);
    assert_int_equal(cw_casework_begin(f->l, &f->err), CW_OK);
    assert_int_equal(add(f, "sw.jones", &idx,
                         "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
                         "'family_name':'Test','date_of_birth':'2018-04-04','gender':'male',"
                         "'language':'welsh'}}"),
                     CW_OK);
    assert_int_equal(idx, size);
    assert_int_equal(add(f, "sw.jones", &idx,
                         "{'type':'referral_received','payload':{'referral_id':'R3',"
                         "'child_id':'C3','date':'2023-04-01','source':'health',"
                         "'reason':'Missed appointments'}}"),
                     CW_OK);
    assert_int_equal(add(f, "admin", &idx,
                         "{'type':'staff_added','payload':{'staff_id':'sw.new','name':'New',"
                         "'role':'social_worker','team_id':'T1','manager_id':'tm.morgan'}}"),
                     CW_OK);
    /* later commands in the batch see the earlier ones */
    assert_int_equal(add(f, "tm.morgan", &idx,
                         "{'type':'case_allocated','payload':{'child_id':'C3',"
                         "'worker_id':'sw.new','date':'2023-04-02'}}"),
                     CW_OK);
    assert_int_equal(add(f, "sw.new", &idx,
                         "{'type':'statutory_visit','payload':{'child_id':'C3',"
                         "'date':'2023-04-03','seen':true,'seen_alone':false,'views':'Shy'}}"),
                     CW_OK);
    assert_int_equal(idx, size + 4);
    assert_int_equal(cw_ledger_size(f->l), size + 5);
    assert_int_equal(add(f, "sw.new", &idx,
                         "{'type':'statutory_visit','payload':{'child_id':'C3',"
                         "'date':'2018-04-03','seen':true,'seen_alone':false,'views':'Shy'}}"),
                     CW_EINVAL);
    assert_non_null(strstr(f->err.msg, "2018-04-03"));
    cw_casework_abort(f->l);
    assert_int_equal(cw_ledger_size(f->l), size);
    char *after = dump(f->db, 1);
    assert_string_equal(before, after);
    free(after);
    expect_rows(f->db, "SELECT count(*) FROM children WHERE child_id = 'C3'", "0");
    expect_rows(f->db, "SELECT count(*) FROM staff WHERE staff_id = 'sw.new'", "0");

    /* a batch that fails in the ledger itself (an actor the log cannot store) */
    assert_int_equal(cw_casework_begin(f->l, &f->err), CW_OK);
    assert_int_equal(
        add(f, "admin", &idx, "{'type':'team_created','payload':{'team_id':'T3','name':'East'}}"),
        CW_OK);
    assert_int_not_equal(add(f, "not an actor!", &idx,
                             "{'type':'team_created','payload':{'team_id':'T4','name':'West'}}"),
                         CW_OK);
    cw_casework_abort(f->l);
    assert_int_equal(cw_ledger_size(f->l), size);
    after = dump(f->db, 1);
    assert_string_equal(before, after);
    free(after);
    free(before);

    /* and the log carries on */
    ok(f, "sw.jones",
       "{'type':'child_registered','payload':{'child_id':'C3','given_name':'Cai',"
       "'family_name':'Test','date_of_birth':'2018-04-04','gender':'male','language':'welsh'}}");
    assert_int_equal(cw_ledger_size(f->l), size + 1);
}

/* ---- 7. catch-up ---- */

static void test_catch_up(void **state)
{
    fx *f = *state;
    json_t *legacy = json_pack("{s:s, s:s}", "child_id", "C1", "text", "From the old system");
    json_t *note = json_pack("{s:s, s:s, s:s}", "child_id", "C2", "date", "2023-03-03", "text",
                             "Appended without casework");
    assert_non_null(legacy);
    assert_non_null(note);
    cw_event ev[2] = {{"migration", "legacy_note", legacy}, {"sw.jones", "case_note", note}};
    uint64_t size = 0;
    assert_int_equal(cw_ledger_append(f->l, ev, 2, &size, &f->err), CW_OK);
    assert_int_equal(size, NORG + 2);
    assert_int_equal(query_int(f->db, "SELECT value FROM projection_state WHERE key = 'applied'"),
                     NORG);
    /* the next batch brings the projections up to date first */
    uint64_t v = ok(f, "sw.jones",
                    "{'type':'statutory_visit','payload':{'child_id':'C2','date':'2023-03-04',"
                    "'seen':true,'seen_alone':true,'views':'Fine'}}");
    assert_int_equal(v, NORG + 2);
    assert_int_equal(query_int(f->db, "SELECT value FROM projection_state WHERE key = 'applied'"),
                     cw_ledger_size(f->l));
    /* the unknown type is skipped; the known one is projected */
    expect_rows(f->db,
                "SELECT idx, date, type FROM child_events WHERE child_id = 'C2' "
                "ORDER BY idx",
                "%d|2023-01-03|child_registered\n%d|2023-03-03|case_note\n"
                "%llu|2023-03-04|statutory_visit",
                IX_C2, (int)NORG + 1, ULL(v));
    expect_rows(f->db, sqlf("SELECT count(*) FROM child_events WHERE idx = %d", (int)NORG), "0");
    /* an empty batch catches up too */
    assert_int_equal(cw_ledger_append(f->l, ev, 1, &size, &f->err), CW_OK);
    json_decref(legacy);
    json_decref(note);
    assert_int_equal(cw_casework_begin(f->l, &f->err), CW_OK);
    assert_int_equal(cw_casework_commit(f->l, &size, &f->err), CW_OK);
    assert_int_equal(query_int(f->db, "SELECT value FROM projection_state WHERE key = 'applied'"),
                     size);
    rebuild_twice_same(f);
}

/* ---- 8. the catalogue and docs/events.md ---- */

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    cw_buf b = CW_BUF_INIT(1 << 22);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        assert_int_equal(cw_buf_add(&b, chunk, n), CW_OK);
    fclose(fp);
    char *s = cw_buf_detach(&b, NULL);
    assert_non_null(s);
    return s;
}

/* The repository root, from this file's path (…/tests/casework_test.c). */
static void repo_path(const char *rel, char *out, size_t cap)
{
    const char *file = __FILE__;
    const char *tail = strstr(file, "tests/casework_test.c");
    int n = tail ? (int)(tail - file) : 0;
    snprintf(out, cap, "%.*s%s", n, file, rel);
}

/* The docs row of an event: the table line that starts "| `type` |". */
static int docs_row(const char *docs, const char *type, const char **row, size_t *len)
{
    char head[96];
    snprintf(head, sizeof head, "\n| `%s` |", type);
    const char *p = strstr(docs, head);
    if (!p)
        return 0;
    *row = p + 1;
    const char *end = strchr(*row, '\n');
    *len = end ? (size_t)(end - *row) : strlen(*row);
    return 1;
}

/* The facts' bytes as the rules read them. */
static void facts_of(const char *type, const json_t *p, cw_buf *out)
{
    cw_buf_reset(out);
    assert_int_equal(cw_casework_facts(type, p, out), CW_OK);
}

/*
 * Issue 13: an event splits into facts, where each personal text is replaced by true, and a
 * personal part holding those texts; joining them gives the event back, and the facts read
 * the same to the rules before and after (presence is a fact). An empty text holds nothing
 * and stays. A correction's reason is personal, and so are the corrected entry's personal
 * fields inside its changes.
 */
static void test_split_personal(void **state)
{
    (void)state;
    cw_error err;
    json_t *p =
        json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "assessment_id", "A1", "date", "2024-03-01",
                  "child_seen", 1, "views", "I want to stay with Nan.", "views_not_obtained_reason",
                  "", "analysis", "Risk is reducing.", "outcome", "care_and_support_plan");
    json_t *facts = NULL, *part = NULL;
    assert_int_equal(cw_casework_split("assessment_completed", NULL, p, &facts, &part, &err),
                     CW_OK);
    assert_true(json_is_true(json_object_get(facts, "views")));
    assert_true(json_is_true(json_object_get(facts, "analysis")));
    assert_string_equal(json_string_value(json_object_get(facts, "views_not_obtained_reason")), "");
    assert_string_equal(json_string_value(json_object_get(facts, "outcome")),
                        "care_and_support_plan");
    assert_string_equal(json_string_value(json_object_get(facts, "date")), "2024-03-01");
    assert_int_equal(json_object_size(part), 2);
    assert_string_equal(json_string_value(json_object_get(part, "views")),
                        "I want to stay with Nan.");
    assert_null(json_object_get(part, "outcome"));
    json_t *back = cw_casework_join(facts, part);
    assert_true(json_equal(back, p));
    cw_buf a = CW_BUF_INIT(4096), b = CW_BUF_INIT(4096);
    facts_of("assessment_completed", p, &a);
    facts_of("assessment_completed", facts, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    json_decref(back);
    json_decref(facts);
    json_decref(part);
    json_decref(p);

    /* Names and the address are personal; the date of birth, a fact the rules need, is not.
     * A team's name is a fact: nothing to split. */
    p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "child_id", "C1", "given_name", "Ffion", "family_name",
                  "Jones", "date_of_birth", "2015-06-10", "address", "1 Stryd Fawr");
    assert_int_equal(cw_casework_split("child_registered", NULL, p, &facts, &part, &err), CW_OK);
    assert_int_equal(json_object_size(part), 3);
    assert_string_equal(json_string_value(json_object_get(facts, "date_of_birth")), "2015-06-10");
    json_decref(facts);
    json_decref(part);
    json_decref(p);
    p = json_pack("{s:s,s:s}", "team_id", "T1", "name", "North");
    assert_int_equal(cw_casework_split("team_created", NULL, p, &facts, &part, &err), CW_OK);
    assert_null(part);
    assert_true(json_equal(facts, p));
    json_decref(facts);
    json_decref(p);

    /* A correction of an assessment: its reason and the new analysis are personal, the
     * corrected outcome a fact. */
    p = json_pack("{s:i,s:s,s:{s:s,s:s}}", "corrects", 7, "reason", "Typed on the wrong child.",
                  "changes", "analysis", "Corrected analysis.", "outcome", "no_further_action");
    assert_int_equal(
        cw_casework_split("correction", "assessment_completed", p, &facts, &part, &err), CW_OK);
    assert_true(json_is_true(json_object_get(facts, "reason")));
    assert_true(json_is_true(json_object_get(json_object_get(facts, "changes"), "analysis")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(facts, "changes"), "outcome")),
        "no_further_action");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(part, "changes"), "analysis")),
        "Corrected analysis.");
    back = cw_casework_join(facts, part);
    assert_true(json_equal(back, p));
    json_decref(back);
    json_decref(facts);
    json_decref(part);
    /* An unknown type is refused, naming it. */
    assert_int_equal(cw_casework_split("correction", "no_such_event", p, &facts, &part, &err),
                     CW_EINVAL);
    assert_non_null(strstr(err.msg, "no_such_event"));
    json_decref(p);
    cw_buf_release(&a);
    cw_buf_release(&b);
}

static void test_catalogue_matches_docs(void **state)
{
    (void)state;
    char path[PATH_MAX];
    repo_path("docs/events.md", path, sizeof path);
    char *docs = read_text(path);
    cw_buf cat = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_casework_describe(&cat), CW_OK);
    size_t types = 0, fields = 0;
    char last[64] = "";
    char *save = NULL;
    for (char *line = strtok_r(cat.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char type[64], field[64], ftype[16], req[8];
        if (sscanf(line, "| %63s | %63s | %15s | %7s |", type, field, ftype, req) != 4 ||
            !strcmp(type, "event") || type[0] == '-')
            continue;
        assert_true(cw_casework_known_type(type));
        const char *row = NULL;
        size_t len = 0;
        if (!docs_row(docs, type, &row, &len))
            fail_msg("docs/events.md has no row for event %s", type);
        if (strcmp(type, last) != 0) {
            types++;
            snprintf(last, sizeof last, "%s", type);
        }
        char want[80];
        snprintf(want, sizeof want, "`%s`", field);
        char *r = strndup(row, len);
        assert_non_null(r);
        if (!strstr(r, want))
            fail_msg("docs/events.md's row for %s does not mention field %s:\n%s", type, field, r);
        /* and the optional marker agrees where the row states it right after the field */
        char opt[96];
        snprintf(opt, sizeof opt, "`%s`?", field);
        if (!strcmp(req, "yes") && strstr(r, opt))
            fail_msg("%s.%s is required but docs/events.md marks it optional", type, field);
        free(r);
        fields++;
    }
    assert_true(types >= 32); /* the catalogue as of this test: 32 events, 145 fields */
    assert_true(fields >= 145);
    /* and every event the docs describe is in the catalogue */
    for (const char *p = strstr(docs, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char type[64];
        if (sscanf(p, "\n| `%63[a-z0-9_]` |", type) == 1 && !cw_casework_known_type(type))
            fail_msg("docs/events.md describes %s, which the catalogue does not know", type);
    }
    cw_buf_release(&cat);
    free(docs);
}

/* ---- 9. caseward chronology ---- */

/* Runs the CLI; stdout into out, stderr into the file err_path; returns the exit status. */
static int run_cli(const char *args, const char *err_path, char *out, size_t cap)
{
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", CW_BINARY, args, err_path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_chronology_cli(void **state)
{
    fx *f = *state;
    if (access(CW_BINARY, X_OK) != 0)
        fail_msg("%s is not built (cmake --build ... --target caseward)", CW_BINARY);
    hist h;
    history(f, &h);
    uint64_t c = ok(f, "sw.jones",
                    "{'type':'correction','payload':{'corrects':%llu,'reason':'Wrong date',"
                    "'changes':{'date':'2023-02-25'}}}",
                    ULL(h.visit1));
    char args[PATH_MAX + 64], errp[PATH_MAX];
    snprintf(errp, sizeof errp, "%s/stderr", f->dir);
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    assert_non_null(out);

    snprintf(args, sizeof args, "chronology --db '%s' --child C1", f->db);
    assert_int_equal(run_cli(args, errp, out, cap), 0);
    /* entries in date order; the corrected visit (now 2023-02-25) after the core group */
    char prev[CW_DATE_LEN + 1] = "0000-00-00", marker[64], corr[64];
    snprintf(marker, sizeof marker, "  #%llu  statutory_visit  by sw.jones", ULL(h.visit1));
    snprintf(corr, sizeof corr, "corrected by #%llu", ULL(c));
    int entries = 0, saw_corrected = 0, saw_original = 0, last_was_visit = 0;
    const char *core = NULL, *visit = NULL;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == ' ') {
            if (strstr(line, corr)) {
                assert_true(last_was_visit); /* beside what it corrected */
                saw_corrected = 1;
            }
            if (strstr(line, "as first recorded") && strstr(line, "2023-02-20"))
                saw_original = 1;
            continue;
        }
        entries++;
        assert_true(strlen(line) > CW_DATE_LEN);
        assert_true(strncmp(prev, line, CW_DATE_LEN) <= 0);
        memcpy(prev, line, CW_DATE_LEN);
        last_was_visit = strstr(line, marker) != NULL;
        if (last_was_visit) {
            visit = line;
            assert_int_equal(strncmp(line, "2023-02-25", CW_DATE_LEN), 0);
        }
        if (strstr(line, "core_group_held"))
            core = line;
    }
    assert_int_equal(entries, 24); /* 23 events and the correction */
    assert_true(saw_corrected);
    assert_true(saw_original);
    assert_non_null(core);
    assert_non_null(visit);
    assert_true(core < visit);

    snprintf(args, sizeof args, "chronology --db '%s' --child C1 --json", f->db);
    assert_int_equal(run_cli(args, errp, out, cap), 0);
    json_error_t jerr;
    json_t *arr = json_loads(out, 0, &jerr);
    if (!json_is_array(arr))
        fail_msg("--json output is not a JSON array: %s", jerr.text);
    assert_int_equal(json_array_size(arr), 24);
    const char *last = "";
    int found = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *d = json_string_value(json_object_get(e, "date"));
        assert_non_null(d);
        assert_true(strcmp(last, d) <= 0);
        last = d;
        if ((uint64_t)json_integer_value(json_object_get(e, "index")) == h.visit1) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(e, "type")), "statutory_visit");
            assert_string_equal(d, "2023-02-25");
            expect_json(json_object_get(e, "payload"), "date", "\"2023-02-25\"");
            expect_json(json_object_get(e, "original"), "date", "\"2023-02-20\"");
            json_t *by = json_object_get(e, "corrected_by");
            assert_int_equal(json_array_size(by), 1);
            assert_int_equal(json_integer_value(json_array_get(by, 0)), (json_int_t)c);
        }
    }
    assert_true(found);
    json_decref(arr);

    snprintf(args, sizeof args, "chronology --db '%s' --child C404", f->db);
    assert_int_equal(run_cli(args, errp, out, cap), 1);
    assert_string_equal(out, "");
    char *err = read_text(errp);
    size_t nl = 0;
    for (const char *p = err; *p; p++)
        nl += *p == '\n';
    if (nl != 1 || err[strlen(err) - 1] != '\n' || !strstr(err, "C404"))
        fail_msg("stderr is not one line naming C404: \"%s\"", err);
    free(err);
    free(out);
}

/*
 * The Active Offer (docs/events.md, "The Active Offer"): a visit, an assessment and a care
 * leaver's needs assessment may record whether the service was offered in Welsh without being
 * asked (active_offer_made) and the language it was carried out in (service_language). Both
 * are optional facts: a wrong type is refused naming the field and the value, nothing else is
 * checked, an entry without them still validates, a correction may add them, and the
 * chronology (the history and `caseward chronology`, text and JSON) shows them.
 */
static void test_active_offer(void **state)
{
    fx *f = *state;
    if (access(CW_BINARY, X_OK) != 0)
        fail_msg("%s is not built (cmake --build ... --target caseward)", CW_BINARY);
    refuse(f, "sw.jones", CW_EINVAL, "active_offer_made", "true or false",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine','active_offer_made':'yes'}}");
    refuse(f, "sw.jones", CW_EINVAL, "active_offer_made", "true or false",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine','active_offer_made':1}}");
    refuse(f, "sw.jones", CW_EINVAL, "service_language", "\"cymraeg\" is not one of english",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine','service_language':'cymraeg'}}");
    refuse(f, "sw.jones", CW_EINVAL, "service_language", "bilingual",
           "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-01',"
           "'seen':true,'seen_alone':true,'views':'Fine','service_language':true}}");
    refuse(f, "sw.jones", CW_EINVAL, "service_language", "\"Welsh\"",
           "{'type':'needs_assessment_completed','payload':{'child_id':'C1',"
           "'date':'2023-02-01','views':'Fine','service_language':'Welsh'}}");
    refuse(f, "sw.jones", CW_EINVAL, "active_offer_made", "true or false",
           "{'type':'needs_assessment_completed','payload':{'child_id':'C1',"
           "'date':'2023-02-01','views':'Fine','active_offer_made':'true'}}");
    referral_and_assessment(f);
    refuse(f, "sw.jones", CW_EINVAL, "service_language", "\"cy\"",
           COMPLETE("'date':'2023-02-03','child_seen':false,'views_not_obtained_reason':'Ill',"
                    "'service_language':'cy'"));
    refuse(f, "sw.jones", CW_EINVAL, "active_offer_made", "true or false",
           COMPLETE("'date':'2023-02-03','child_seen':false,'views_not_obtained_reason':'Ill',"
                    "'active_offer_made':'no','service_language':'welsh'"));
    /* Beyond their types, nothing: an offer to an English-speaking child, Welsh without an
     * offer (the child asked), and an offer declined are all kept. */
    uint64_t v1 = ok(f, "sw.jones",
                     "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-20',"
                     "'seen':true,'seen_alone':true,'views':'Happy','active_offer_made':true,"
                     "'service_language':'bilingual'}}");
    ok(f, "sw.jones",
       "{'type':'statutory_visit','payload':{'child_id':'C2','date':'2023-02-20',"
       "'seen':true,'seen_alone':false,'views':'Shy','active_offer_made':true,"
       "'service_language':'english'}}");
    ok(f, "sw.jones",
       "{'type':'needs_assessment_completed','payload':{'child_id':'C1','date':'2023-02-21',"
       "'views':'Wants a flat','active_offer_made':false,'service_language':'welsh'}}");
    uint64_t a = ok(f, "sw.jones",
                    COMPLETE("'date':'2023-02-03','child_seen':false,"
                             "'views_not_obtained_reason':'Ill','active_offer_made':true,"
                             "'service_language':'other'"));
    /* an entry without them, as before, and a correction that adds them */
    uint64_t v2 = ok(f, "sw.jones",
                     "{'type':'statutory_visit','payload':{'child_id':'C1','date':'2023-02-27',"
                     "'seen':true,'seen_alone':true,'views':'Tired'}}");
    refuse(f, "sw.jones", CW_EINVAL, "service_language", "\"gymraeg\"",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Language omitted',"
           "'changes':{'service_language':'gymraeg'}}}",
           ULL(v2));
    ok(f, "sw.jones",
       "{'type':'correction','payload':{'corrects':%llu,'reason':'Language omitted',"
       "'changes':{'service_language':'welsh','active_offer_made':true}}}",
       ULL(v2));

    cw_history h;
    assert_int_equal(cw_casework_history(f->l, "C1", &h, &f->err), CW_OK);
    expect_json(find(&h, v1)->payload, "active_offer_made", "true");
    expect_json(find(&h, v1)->payload, "service_language", "\"bilingual\"");
    expect_json(find(&h, a)->payload, "service_language", "\"other\"");
    expect_json(find(&h, v2)->payload, "service_language", "\"welsh\"");
    assert_null(json_object_get(find(&h, v2)->original, "service_language"));
    cw_casework_history_release(&h);

    char args[PATH_MAX + 64], errp[PATH_MAX];
    snprintf(errp, sizeof errp, "%s/stderr", f->dir);
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    assert_non_null(out);
    snprintf(args, sizeof args, "chronology --db '%s' --child C1", f->db);
    assert_int_equal(run_cli(args, errp, out, cap), 0);
    char marker[64];
    snprintf(marker, sizeof marker, "  #%llu  statutory_visit  by sw.jones", ULL(v1));
    const char *line = strstr(out, marker);
    assert_non_null(line);
    char *eol = strchr(line, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_non_null(strstr(line, "\"active_offer_made\":true"));
    assert_non_null(strstr(line, "\"service_language\":\"bilingual\""));

    snprintf(args, sizeof args, "chronology --db '%s' --child C1 --json", f->db);
    assert_int_equal(run_cli(args, errp, out, cap), 0);
    json_error_t jerr;
    json_t *arr = json_loads(out, 0, &jerr);
    assert_true(json_is_array(arr));
    int seen = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        uint64_t idx = (uint64_t)json_integer_value(json_object_get(e, "index"));
        if (idx == a) {
            expect_json(json_object_get(e, "payload"), "active_offer_made", "true");
            expect_json(json_object_get(e, "payload"), "service_language", "\"other\"");
            seen++;
        } else if (idx == v2) {
            expect_json(json_object_get(e, "payload"), "service_language", "\"welsh\"");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    json_decref(arr);
    free(out);
}

/* ---- 9. retention and legal holds (docs/privacy.md, "Retention") ---- */

/* A legal hold blocks destruction: an erasure under the retention schedule or on request is
 * refused while it is in force, proposed or approved, naming the hold; a correction of the
 * record (rectification, recorded_in_error) is not; lifting the hold allows it. */
/* Whether text is anywhere in the bytes of file (absent file: no). */
static int file_has(const char *file, const char *text)
{
    cw_buf b = CW_BUF_INIT(SIZE_MAX / 2);
    cw_error err;
    int found = 0;
    if (access(file, F_OK) == 0 && cw_file_read(file, &b, &err) == CW_OK)
        for (size_t i = 0; !found && b.len >= strlen(text) && i <= b.len - strlen(text); i++)
            found = !memcmp(b.data + i, text, strlen(text));
    cw_buf_release(&b);
    return found;
}

/*
 * Issue 13: an erased text is gone from the database file and its write-ahead log while the
 * writer still has the database open (a server's case: the log is not removed on close),
 * and the log still verifies.
 */
static void test_erasure_leaves_no_copy(void **state)
{
    fx *f = *state;
    static const char secret[] = "Quillon-Marsh family: see the garden shed note";
    char wal[sizeof f->db + 8], sql[128];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    ok(f, "admin",
       "{'type':'staff_added','payload':{'staff_id':'dpo.1','name':'Officer',"
       "'role':'data_protection_officer'}}");
    uint64_t note = ok(f, "sw.jones",
                       "{'type':'case_note','payload':{'child_id':'C1','date':'2023-01-04',"
                       "'text':'%s'}}",
                       secret);
    cw_buf leaf = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_ledger_leaf(f->l, note, &leaf, &f->err), CW_OK);
    assert_null(strstr(leaf.data, "Quillon"));
    cw_buf_release(&leaf);
    /* SQLite: the text is in the file or its WAL, then gone from both (secure_delete). A
     * PostgreSQL server's files are its own: there the row is what is checked. */
    int sqlite = !tdb_pg();
    assert_true(!sqlite || file_has(f->db, secret) || file_has(wal, secret));
    ok(f, "sw.jones",
       "{'type':'erasure_proposed','payload':{'erasure_id':'E1','child_id':'C1',"
       "'date':'2023-06-01','entries':['%llu'],'lawful_basis':'recorded_in_error',"
       "'reason':'Meant for another family'}}",
       (unsigned long long)note);
    /* a proposal erases nothing */
    assert_true(!sqlite || file_has(f->db, secret) || file_has(wal, secret));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM personal WHERE idx = %llu AND body IS NOT NULL",
             (unsigned long long)note);
    assert_int_equal(query_int(f->db, sql), 1);
    ok(f, "dpo.1", "{'type':'erasure_approved','payload':{'erasure_id':'E1','date':'2023-06-02'}}");
    if (sqlite) {
        assert_false(file_has(f->db, secret));
        assert_false(file_has(wal, secret));
        assert_false(file_has(f->db, "Quillon"));
    }
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM personal WHERE idx = %llu AND salt IS NULL AND body IS NULL",
             (unsigned long long)note);
    assert_int_equal(query_int(f->db, sql), 1);
    cw_verify_opts vo = {.db_path = f->db};
    cw_verify_report vr;
    assert_int_equal(cw_verify(&vo, &vr, &f->err), CW_OK);
    /* what the chronology says in its place */
    cw_history h;
    assert_int_equal(cw_casework_history(f->l, "C1", &h, &f->err), CW_OK);
    cw_history_entry *e = find(&h, note);
    assert_non_null(e);
    assert_true(json_is_true(json_object_get(e->payload, "text")));
    assert_int_equal(e->removed_by, (int64_t)cw_ledger_size(f->l) - 1);
    assert_string_equal(e->removed_under, "recorded_in_error");
    cw_casework_history_release(&h);
}

static void test_legal_hold_blocks_destruction(void **state)
{
    fx *f = *state;
    ok(f, "admin",
       "{'type':'staff_added','payload':{'staff_id':'dpo.1','name':'Officer',"
       "'role':'data_protection_officer'}}");
    refuse(f, "tm.morgan", CW_EFORBIDDEN, "actor", "head of service",
           "{'type':'legal_hold_placed','payload':{'hold_id':'H1','child_id':'C1',"
           "'date':'2023-05-01','kind':'litigation','reason':'A claim'}}");
    ok(f, "hos.evans",
       "{'type':'legal_hold_placed','payload':{'hold_id':'H1','child_id':'C1',"
       "'date':'2023-05-01','kind':'litigation','reason':'A claim'}}");
    expect_rows(f->db, "SELECT hold_id, child_id, kind, placed_on, lifted_on FROM legal_holds",
                "H1|C1|litigation|2023-05-01|NULL");
    /* not in the child's chronology or history: a hold is about the record */
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM child_events WHERE type LIKE "
                                      "'legal_hold%'"),
                     0);
    refuse(f, "sw.jones", CW_EFORBIDDEN, "child_id", "legal hold H1 (litigation) since 2023-05-01",
           "{'type':'erasure_proposed','payload':{'erasure_id':'E1','child_id':'C1',"
           "'date':'2023-06-01','lawful_basis':'retention_schedule','reason':'Due'}}");
    refuse(f, "sw.jones", CW_EFORBIDDEN, "child_id", "cannot be destroyed until the hold is lifted",
           "{'type':'erasure_proposed','payload':{'erasure_id':'E1','child_id':'C1',"
           "'date':'2023-06-01','lawful_basis':'erasure_request','reason':'Asked'}}");
    ok(f, "sw.jones",
       "{'type':'erasure_proposed','payload':{'erasure_id':'E0','child_id':'C1',"
       "'date':'2023-06-01','lawful_basis':'recorded_in_error','reason':'Wrong file'}}");
    /* C2 is not on hold: proposed; then an inquiry holds every child's record */
    ok(f, "sw.jones",
       "{'type':'erasure_proposed','payload':{'erasure_id':'E2','child_id':'C2',"
       "'date':'2023-06-01','lawful_basis':'retention_schedule','reason':'Due'}}");
    ok(f, "dpo.1",
       "{'type':'legal_hold_placed','payload':{'hold_id':'H2','date':'2023-06-02',"
       "'kind':'inquiry','reason':'The inquiry'}}");
    refuse(f, "dpo.1", CW_EFORBIDDEN, "child_id", "legal hold H2 (inquiry, every child)",
           "{'type':'erasure_approved','payload':{'erasure_id':'E2','date':'2023-06-03'}}");
    expect_rows(f->db, "SELECT given_name FROM children WHERE child_id = 'C2'", "Osian");
    cw_legal_hold h;
    assert_int_equal(cw_casework_hold_covering(cw_ledger_store(f->l), "C2", today(), &h, &f->err),
                     CW_OK);
    assert_true(h.found && h.every_child);
    assert_string_equal(h.hold_id, "H2");
    /* a correction of a hold is refused: it is lifted and placed again */
    refuse(f, "hos.evans", CW_EINVAL, "corrects", "(legal_hold_placed) is not a casework event",
           "{'type':'correction','payload':{'corrects':%llu,'reason':'Typo',"
           "'changes':{'kind':'other'}}}",
           ULL(cw_ledger_size(f->l) - 1));
    ok(f, "hos.evans",
       "{'type':'legal_hold_lifted','payload':{'hold_id':'H2','date':'2023-06-04',"
       "'reason':'Reported'}}");
    refuse(f, "hos.evans", CW_EINVAL, "hold_id", "already been lifted",
           "{'type':'legal_hold_lifted','payload':{'hold_id':'H2','date':'2023-06-04',"
           "'reason':'Again'}}");
    ok(f, "dpo.1", "{'type':'erasure_approved','payload':{'erasure_id':'E2','date':'2023-06-05'}}");
    expect_rows(f->db, "SELECT given_name FROM children WHERE child_id = 'C2'", "NULL");
    /* C1's hold still stands: lifting it allows a retention erasure */
    refuse(f, "sw.jones", CW_EFORBIDDEN, "child_id", "H1",
           "{'type':'erasure_proposed','payload':{'erasure_id':'E3','child_id':'C1',"
           "'date':'2023-06-05','lawful_basis':'retention_schedule','reason':'Due'}}");
    ok(f, "dpo.1",
       "{'type':'legal_hold_lifted','payload':{'hold_id':'H1','date':'2023-06-06',"
       "'reason':'Settled'}}");
    ok(f, "sw.jones",
       "{'type':'erasure_proposed','payload':{'erasure_id':'E3','child_id':'C1',"
       "'date':'2023-06-06','lawful_basis':'retention_schedule','reason':'Due'}}");
    /* the holds are a projection: a rebuild gives the same rows */
    char *before = query(f->db, "SELECT * FROM legal_holds ORDER BY hold_id");
    assert_int_equal(cw_casework_rebuild(f->l, &f->err), CW_OK);
    char *after = query(f->db, "SELECT * FROM legal_holds ORDER BY hold_id");
    assert_string_equal(before, after);
    assert_non_null(strstr(after, "H2|NULL|inquiry|2023-06-02|NULL|"));
    free(before);
    free(after);
}

/* The rules as data: the built-in statutory minimums and their sources; a rules file's
 * mistakes named by line; due dates from the child's birthday or the case's closure, the
 * longest period winning, 29 February's anniversary never a day early. */
static void test_retention_rules(void **state)
{
    fx *f = *state;
    cw_retention_rules r;
    cw_error err;
    static const struct {
        const char *nation, *cite;
    } nations[] = {{"wales", "(SI 2015/1818), reg 64(1)"}, {"england", "(SI 2010/959), reg 50(1)"}};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cw_retention_load_builtin(nations[i].nation, &r, &err), CW_OK);
        assert_string_equal(r.nation, nations[i].nation);
        int la = 0;
        for (size_t j = 0; j < r.n; j++)
            if (!strcmp(r.v[j].records, "looked_after")) {
                la = 1;
                assert_int_equal(r.v[j].years, 75);
                assert_int_equal(r.v[j].trigger, CW_RETAIN_BIRTHDAY);
                assert_true(r.v[j].statutory);
                assert_non_null(strstr(r.v[j].source, nations[i].cite));
            } else {
                assert_false(r.v[j].statutory); /* everything else is the council's choice */
            }
        assert_true(la);
        cw_retention_rules_release(&r);
    }
    assert_int_equal(cw_retention_load_builtin("scotland", &r, &err), CW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"scotland\""));
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"rule a adopted birthday 75 statutory S\n", "f:1: rule a: records \"adopted\""},
        {"# c\nrule a looked_after death 75 statutory S\n", "f:2: rule a: the trigger \"death\""},
        {"rule a looked_after birthday 75 statutory\n", "the source is required"},
        {"rule a looked_after birthday 75 law S\n", "the basis \"law\""},
        {"rule a contact_only closure 6 older 17 7 schedule S\n", "older goes with a birthday"},
        {"rule a contact_only closure 6 schedule S\nrule a contact_only closure 7 schedule S\n",
         "f:2: rule a is defined twice"},
        {"keep 6 years\n", "f:1: \"keep\" is not nation or rule"},
        {"# nothing\n", "f: no rule lines"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cw_retention_load(bad[i].text, strlen(bad[i].text), "f", &r, &err),
                         CW_EINVAL);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("rules %zu: \"%s\" does not say \"%s\"", i, err.msg, bad[i].msg);
    }
    /* C1 (born 2015-06-01) a contact, closed 2023-03-01 at 7; C3 born on 29 February */
    ok(f, "sw.jones",
       "{'type':'contact_received','payload':{'contact_id':'K1','child_id':'C1',"
       "'date':'2023-02-01','source':'school','reason':'Worried'}}");
    ok(f, "tm.morgan",
       "{'type':'case_closed','payload':{'child_id':'C1','date':'2023-03-01','reason':'NFA'}}");
    ok(f, "sw.jones",
       "{'type':'child_registered','payload':{'child_id':'C3','date':'2023-01-03',"
       "'given_name':'Leap','family_name':'Test','date_of_birth':'2008-02-29',"
       "'gender':'female','language':'welsh'}}");
    ok(f, "tm.morgan",
       "{'type':'case_closed','payload':{'child_id':'C3','date':'2023-03-01','reason':'NFA'}}");
    const char *text = "rule short contact_only closure 2 schedule Ours\n"
                       "rule long contact_only birthday 19 older 14 21 schedule Ours too\n";
    assert_int_equal(cw_retention_load(text, strlen(text), "ours", &r, &err), CW_OK);
    cw_date due;
    const cw_retention_rule *rule;
    int found;
    cw_store *s = cw_ledger_store(f->l);
    assert_int_equal(cw_retention_child(s, &r, "C1", &due, &rule, &found, &err), CW_OK);
    assert_true(found);
    assert_string_equal(rule->id, "long"); /* 2034-06-01 is later than 2025-03-01 */
    assert_int_equal(due, cw_date_from_ymd(2034, 6, 1));
    /* C3 was 15 at closure: the 21st birthday, 29 February 2029 being no day: 1 March */
    assert_int_equal(cw_retention_child(s, &r, "C3", &due, &rule, &found, &err), CW_OK);
    assert_true(found);
    assert_int_equal(due, cw_date_from_ymd(2029, 3, 1));
    /* C2's case is open: never due */
    assert_int_equal(cw_retention_child(s, &r, "C2", &due, &rule, &found, &err), CW_OK);
    assert_false(found);
    /* the report on a day: C1 not yet (2034), C3 due by 2030 */
    cw_retention_report rep;
    assert_int_equal(cw_retention_due_on(s, &r, cw_date_from_ymd(2030, 1, 1), &rep, &err), CW_OK);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.v[0].child, "C3");
    assert_false(rep.v[0].hold.found);
    cw_retention_report_release(&rep);
    cw_retention_rules_release(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fixture),
        T(test_refuse_unknown_child_and_duplicates),
        T(test_refuse_dates),
        T(test_unborn_child),
        T(test_refuse_assessment),
        T(test_refuse_referral_decision),
        T(test_refuse_visit),
        T(test_refuse_conference),
        T(test_refuse_core_group),
        T(test_refuse_looked_after),
        T(test_refuse_missing_cse_supervision),
        T(test_refuse_care_leavers),
        T(test_refuse_allocation_and_closure),
        T(test_refuse_management_loop),
        T(test_refuse_actor),
        T(test_refuse_escalation),
        T(test_refuse_fields),
        T(test_refuse_corrections),
        T(test_projections),
        T(test_rebuild),
        T(test_rebuild_with_corrections),
        T(test_corrections),
        T(test_correct_supervision_date),
        T(test_many_corrections),
        T(test_correct_conference),
        T(test_batch_atomic),
        T(test_catch_up),
        cmocka_unit_test(test_catalogue_matches_docs),
        cmocka_unit_test(test_split_personal),
        T(test_chronology_cli),
        T(test_active_offer),
        T(test_erasure_leaves_no_copy),
        T(test_legal_hold_blocks_destruction),
        T(test_retention_rules),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
