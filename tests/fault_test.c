/*
 * fault_test.c — storage faults injected under SQLite (src/store/faultvfs.h), and what each
 * layer above does with them (docs/faults.md): the ledger's batches and checkpoint signing,
 * the integrity monitor the server runs, casework commands and their projections, and a
 * real SQLITE_FULL from SQLite itself (PRAGMA max_page_count).
 *
 * For every fault, at every point of a write (the first N operations of the kind let
 * through, N = 0, 1, 2, ...): the layer answers CW_OK or CW_EUNAVAIL and nothing else (no
 * CW_EDB "internal", no CW_EVERIFY "tampered"); once the fault is gone the same handle writes
 * again without being reopened; and at the end the log verifies and holds exactly what was
 * acknowledged: every acknowledged entry, none refused.
 *
 * SQLite only (the VFS is SQLite's); a PostgreSQL server's faults are mapped in
 * store_postgres.c and tested as far as a throwaway server allows in tests/pg_store_test.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casework/casework.h"
#include "casework/deepverify.h"
#include "demo/demo.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "store/faultvfs.h"
#include "util/date.h"
#include "testutil.h"

#define ORIGIN "test.caseward.example/fault"

typedef struct fx {
    char dir[64];
    char db[128];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-fault-test-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/log.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    static const cw_fault_plan none = {0};
    cw_faultvfs_set(&none);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static void set_fault(cw_fault_what what, uint64_t after)
{
    cw_fault_plan p = {.what = what, .after = after};
    cw_faultvfs_set(&p);
}

static void clear_fault(void)
{
    set_fault(CW_FAULT_OFF, 0);
}

/* rc is what a fault may give: CW_OK or CW_EUNAVAIL. */
static void ok_or_unavailable(cw_rc rc, const cw_error *err, const char *what, uint64_t after)
{
    if (rc != CW_OK && rc != CW_EUNAVAIL)
        fail_msg("%s, fault after %llu: %s (code %d), not CW_OK or CW_EUNAVAIL", what,
                 (unsigned long long)after, err->msg, (int)rc);
}

static uint64_t verified_size(const char *db)
{
    cw_verify_opts o = {.db_path = db};
    cw_verify_report r;
    cw_error err;
    if (cw_verify(&o, &r, &err) != CW_OK)
        fail_msg("the log does not verify: %s", err.msg);
    return r.size;
}

/* ---- the plan's text ---- */

static void test_plan_parse(void **state)
{
    (void)state;
    cw_fault_plan p;
    cw_error err;
    assert_int_equal(cw_fault_plan_parse("", &p, &err), CW_OK);
    assert_int_equal(p.what, CW_FAULT_OFF);
    assert_int_equal(cw_fault_plan_parse("# nothing\nnone\n", &p, &err), CW_OK);
    assert_int_equal(p.what, CW_FAULT_OFF);
    assert_int_equal(cw_fault_plan_parse("full after 3 times 2 files main,wal\n", &p, &err), CW_OK);
    assert_int_equal(p.what, CW_FAULT_FULL);
    assert_int_equal(p.after, 3);
    assert_int_equal(p.times, 2);
    assert_int_equal(p.files, CW_FAULT_FILE_MAIN | CW_FAULT_FILE_WAL);
    assert_int_equal(cw_fault_plan_parse("ioerr-fsync", &p, &err), CW_OK);
    assert_int_equal(p.what, CW_FAULT_IOERR_FSYNC);
    assert_int_equal(cw_fault_plan_parse("burning", &p, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "burning is not a fault"));
    assert_int_equal(cw_fault_plan_parse("full after", &p, &err), CW_EINVAL);
    assert_int_equal(cw_fault_plan_parse("full after -1", &p, &err), CW_EINVAL);
    assert_int_equal(cw_fault_plan_parse("full files attic", &p, &err), CW_EINVAL);
    assert_int_equal(cw_fault_plan_parse("full sideways 2", &p, &err), CW_EINVAL);
}

/* ---- the ledger: batches and their signed checkpoints ---- */

static cw_rc append3(cw_ledger *l, uint64_t *size, cw_error *err)
{
    json_t *p = json_pack("{s:s}", "note", "fault test");
    cw_event ev[3] = {{"system:test", "test_event", p},
                      {"system:test", "test_event", p},
                      {"system:test", "test_event", p}};
    cw_rc rc = cw_ledger_append(l, ev, 3, size, err);
    json_decref(p);
    return rc;
}

static const cw_fault_what write_faults[] = {CW_FAULT_FULL, CW_FAULT_IOERR_WRITE,
                                             CW_FAULT_IOERR_FSYNC, CW_FAULT_FULL_SYNC};
#define NWRITE_FAULTS (sizeof write_faults / sizeof write_faults[0])

static void test_ledger_write_faults(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l;
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    uint64_t acked = 0, size = 0, refused = 0, injected0 = cw_faultvfs_injected();
    for (size_t k = 0; k < NWRITE_FAULTS; k++) {
        uint64_t injected_k = cw_faultvfs_injected();
        for (uint64_t after = 0; after < 8; after++) {
            uint64_t faults0 = cw_store_faults(NULL);
            set_fault(write_faults[k], after);
            cw_rc rc = append3(l, &size, &err);
            ok_or_unavailable(rc, &err, "append", after);
            if (rc) {
                refused++;
                assert_true(cw_store_faults(NULL) > faults0); /* counted */
                assert_int_equal(cw_ledger_size(l), acked);   /* nothing of it kept */
            } else {
                acked += 3;
                assert_int_equal(size, acked);
            }
            /* The fault gone, the same handle appends again: nothing to reopen. */
            clear_fault();
            if (append3(l, &size, &err) != CW_OK)
                fail_msg("append after the fault (%d after %llu): %s", (int)write_faults[k],
                         (unsigned long long)after, err.msg);
            acked += 3;
            assert_int_equal(size, acked);
        }
        if (cw_faultvfs_injected() == injected_k)
            fail_msg("fault %d was never injected", (int)write_faults[k]);
    }
    cw_ledger_close(l);
    print_message("    %llu batches refused, %llu entries acknowledged, %llu faults injected\n",
                  (unsigned long long)refused, (unsigned long long)acked,
                  (unsigned long long)(cw_faultvfs_injected() - injected0));
    assert_true(refused >= NWRITE_FAULTS);
    /* Reopened (SQLite recovers the WAL from the file): exactly what was acknowledged. */
    assert_int_equal(verified_size(f->db), acked);
}

/* Reads that fail: opening the log for writing (it reads the tree's edge and the latest
 * checkpoint) and appending from a cold cache. */
static void test_ledger_read_faults(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l;
    uint64_t size, acked = 0, refused = 0;
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    for (int i = 0; i < 40; i++) { /* a tree of some depth */
        assert_int_equal(append3(l, &size, &err), CW_OK);
        acked += 3;
    }
    cw_ledger_close(l);
    for (uint64_t after = 0; after < 30; after++) {
        set_fault(CW_FAULT_IOERR_READ, after);
        cw_rc rc = cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err);
        ok_or_unavailable(rc, &err, "open", after);
        if (!rc) {
            rc = append3(l, &size, &err);
            ok_or_unavailable(rc, &err, "append", after);
            acked += rc ? 0 : 3;
            refused += rc != CW_OK;
            clear_fault();
            if (append3(l, &size, &err) != CW_OK)
                fail_msg("append after the read fault (after %llu): %s", (unsigned long long)after,
                         err.msg);
            acked += 3;
            cw_ledger_close(l);
        } else {
            refused++;
        }
        clear_fault();
    }
    assert_true(refused > 0);
    assert_int_equal(verified_size(f->db), acked);
}

/* The server's integrity monitor: a check that cannot read is a storage fault, never a
 * finding of tampering, and the next check, the fault gone, passes. */
static void test_integrity_monitor_read_faults(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l;
    cw_integrity *m;
    uint64_t size;
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    assert_int_equal(append3(l, &size, &err), CW_OK);
    assert_int_equal(cw_integrity_open(f->db, &m, &err), CW_OK);
    unsigned failed = 0;
    for (uint64_t after = 0; after < 40; after++) {
        for (int i = 0; i < 3; i++)
            assert_int_equal(append3(l, &size, &err), CW_OK);
        uint64_t faults0 = cw_store_faults(NULL);
        set_fault(CW_FAULT_IOERR_READ, after);
        cw_rc rc = cw_integrity_check(m, after % 3 == 2, &err);
        clear_fault();
        if (rc) {
            failed++;
            /* what the server asks before it would trip the alarm (server.c) */
            if (rc != CW_EUNAVAIL && cw_store_faults(NULL) == faults0)
                fail_msg("check with a read fault after %llu: %s (code %d), and no storage "
                         "fault counted",
                         (unsigned long long)after, err.msg, (int)rc);
        }
        if ((rc = cw_integrity_check_appended(m, &err)) != CW_OK)
            fail_msg("check after the fault (after %llu): %s", (unsigned long long)after, err.msg);
    }
    print_message("    %u of 40 checks met the fault\n", failed);
    assert_true(failed > 0);
    cw_integrity_free(m);
    cw_ledger_close(l);
}

/* ---- casework commands and their projections ---- */

static cw_rc note(cw_ledger *l, const char *child, uint64_t *size, cw_error *err)
{
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(time(NULL) / 86400), today);
    json_t *p = json_pack("{s:s, s:s, s:s}", "child_id", child, "date", today, "text",
                          "seen at home, fault test");
    cw_event ev = {"hos.1", "case_note", p};
    cw_rc rc = cw_casework_begin(l, err);
    if (!rc && (rc = cw_casework_submit(l, &ev, NULL, err)))
        cw_casework_abort(l);
    else if (!rc)
        rc = cw_casework_commit(l, size, err);
    json_decref(p);
    return rc;
}

static cw_rc first_child(void *ctx, const cw_value *c, size_t n)
{
    if (n && !((char *)ctx)[0])
        cw_value_copy(&c[0], ctx, 65);
    return CW_OK;
}

static uint64_t count_notes(const char *db)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    uint64_t n = 0;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*) FROM entries WHERE "
                                        "instr(leaf, '\"type\":\"case_note\"')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static void count_diff(void *ctx, const char *table, const char *key, const char *what)
{
    (void)table, (void)key, (void)what;
    (*(unsigned *)ctx)++;
}

static void test_casework_faults(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l;
    cw_demo_opts o;
    cw_demo_opts_init(&o);
    o.children = 3;
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    if (cw_demo_generate(l, &o, NULL, &err))
        fail_msg("demo: %s", err.msg);
    char child[65] = "";
    assert_int_equal(cw_store_run(cw_ledger_store(l), CW_Q_CHILDREN_ALL, NULL, 0, first_child,
                                  child, NULL, &err),
                     CW_OK);
    assert_true(child[0]);
    cw_ledger_close(l);
    uint64_t before = count_notes(f->db), acked = 0, refused = 0, size;
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    for (size_t k = 0; k < NWRITE_FAULTS; k++) {
        for (uint64_t after = 0; after < 6; after++) {
            set_fault(write_faults[k], after);
            cw_rc rc = note(l, child, &size, &err);
            ok_or_unavailable(rc, &err, "case note", after);
            acked += rc == CW_OK;
            refused += rc != CW_OK;
            clear_fault();
            if (note(l, child, &size, &err) != CW_OK)
                fail_msg("case note after the fault: %s", err.msg);
            acked++;
        }
    }
    cw_ledger_close(l);
    assert_true(refused >= NWRITE_FAULTS);
    verified_size(f->db);
    assert_int_equal(count_notes(f->db), before + acked);
    /* The projections are the log's: nothing of a refused command left in them. */
    cw_deep_report r;
    unsigned diffs = 0;
    if (cw_casework_deep_verify(f->db, count_diff, &diffs, &r, &err) != CW_OK)
        fail_msg("deep verify: %s", err.msg);
    assert_int_equal(r.differences, 0);
    /* Deep verify itself meeting read errors (the server runs it at start): a fault, never a
     * difference (a table whose reading failed half way is not a table that ended there). */
    unsigned met = 0;
    for (uint64_t after = 0; after <= 4096; after = after ? after * 2 : 1) {
        uint64_t faults0 = cw_store_faults(NULL);
        set_fault(CW_FAULT_IOERR_READ, after);
        cw_rc rc = cw_casework_deep_verify(f->db, count_diff, &diffs, &r, &err);
        clear_fault();
        if (rc == CW_OK)
            continue;
        met++;
        if (r.differences || (rc != CW_EUNAVAIL && cw_store_faults(NULL) == faults0))
            fail_msg("deep verify with a read fault after %llu: %s (code %d, %llu differences)",
                     (unsigned long long)after, err.msg, (int)rc,
                     (unsigned long long)r.differences);
    }
    assert_true(met > 0);
    assert_int_equal(diffs, 0);
}

/* ---- a real SQLITE_FULL, from SQLite: the file may not grow past max_page_count ---- */

static sqlite3 *last_opened;

static int note_connection(sqlite3 *db, const char **msg, const struct sqlite3_api_routines *api)
{
    (void)msg, (void)api;
    last_opened = db;
    return SQLITE_OK;
}

static void pages(const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(last_opened, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (out)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
}

static void test_max_page_count(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l;
    uint64_t size = 0;
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_int_equal(sqlite3_auto_extension((void (*)(void))note_connection), SQLITE_OK);
    last_opened = NULL;
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    sqlite3_cancel_auto_extension((void (*)(void))note_connection);
    assert_non_null(last_opened); /* the writer's own connection: the ledger opens one */
    int64_t count, max;
    pages("PRAGMA page_count", &count);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)count);
    pages(sql, &max);
    assert_int_equal(max, count);
    uint64_t faults0 = cw_store_faults(NULL), acked = 0;
    cw_rc rc = CW_OK;
    for (int i = 0; i < 200 && rc == CW_OK; i++) /* until the file would have to grow */
        if ((rc = append3(l, &size, &err)) == CW_OK)
            acked += 3;
    assert_int_equal(rc, CW_EUNAVAIL);
    cw_store_fault kind;
    assert_true(cw_store_faults(&kind) > faults0);
    assert_int_equal(kind, CW_STORE_FAULT_FULL);
    assert_non_null(strstr(err.msg, "the disk is full"));
    assert_int_equal(cw_ledger_size(l), acked);
    /* Space again: the same handle appends. */
    pages("PRAGMA max_page_count = 1000000", NULL);
    assert_int_equal(append3(l, &size, &err), CW_OK);
    acked += 3;
    cw_ledger_close(l);
    print_message("    full after %llu entries\n", (unsigned long long)acked - 3);
    assert_int_equal(verified_size(f->db), acked);
}

int main(void)
{
    cw_error err;
    if (cw_faultvfs_install(&err) != CW_OK) {
        fprintf(stderr, "fault_test: %s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_parse),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_ledger_write_faults),
        T(test_ledger_read_faults),
        T(test_integrity_monitor_read_faults),
        T(test_casework_faults),
        T(test_max_page_count),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
