/*
 * monitor_test.c — cw_integrity (ledger/verify.h), the check `caseward serve`
 * runs on its log at start and around every write, against a writer on the
 * same database and an attacker's own SQLite connection:
 *   - a good log opens, and each batch the writer appends checks;
 *   - rows forged in after the last checkpoint, a checkpoint signed by another
 *     key, a dropped trigger, an entry deleted with triggers turned off (no
 *     schema change: found when the caller says another connection wrote), a
 *     checkpoint removed or replaced: each fails, naming an index, a size or
 *     an object, never the entry's content;
 *   - a log that fails does not open.
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
#include <unistd.h>

#include "ledger/entry.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verify.h"
#include "testutil.h"

#define ORIGIN "monitor.test/log"

typedef struct fx {
    char dir[64];
    char db[128];
    cw_ledger *writer;
    cw_integrity *mon;
} fx;

static void append(fx *f, int n, const char *secret)
{
    cw_error err;
    cw_event ev[8];
    json_t *p[8];
    for (int i = 0; i < n; i++) {
        p[i] = json_pack("{s:i, s:s}", "n", i, "note", secret);
        ev[i] = (cw_event){"sw.1", "visit_recorded", p[i]};
    }
    if (cw_ledger_append(f->writer, ev, (size_t)n, NULL, &err))
        fail_msg("append: %s", err.msg);
    for (int i = 0; i < n; i++)
        json_decref(p[i]);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    cw_error err;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-monitor-test-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/m.db", f->dir);
    if (cw_ledger_create(f->db, ORIGIN, &err) ||
        cw_ledger_open(f->db, CW_LEDGER_WRITE, &f->writer, &err))
        fail_msg("%s", err.msg);
    for (int b = 0; b < 5; b++)
        append(f, 1 + b % 4, "a child's secret");
    if (cw_integrity_open(f->db, &f->mon, &err))
        fail_msg("open: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    cw_integrity_free(f->mon);
    cw_ledger_close(f->writer);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static void sql(fx *f, int triggers_off, const char *q)
{
    sqlite3 *s = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    if (triggers_off)
        assert_int_equal(sqlite3_db_config(s, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL), SQLITE_OK);
    if (sqlite3_exec(s, q, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", q, msg);
    sqlite3_close(s);
}

/* The check fails, its message holds want and never the entries' content. */
static void expect_fail(fx *f, int full, const char *want)
{
    cw_error err;
    cw_error_clear(&err);
    assert_int_equal(cw_integrity_check(f->mon, full, &err), CW_EVERIFY);
    if (!strstr(err.msg, want))
        fail_msg("expected \"%s\" in: %s", want, err.msg);
    assert_null(strstr(err.msg, "secret"));
}

static void test_good_log_and_appends(void **state)
{
    fx *f = *state;
    cw_error err;
    uint64_t size = cw_integrity_size(f->mon);
    assert_int_equal(size, cw_ledger_size(f->writer));
    for (int i = 0; i < 3; i++) {
        append(f, 1 + i, "more");
        assert_int_equal(cw_integrity_check(f->mon, 0, &err), CW_OK);
    }
    assert_int_equal(cw_integrity_size(f->mon), size + 6);
    /* Asked to check everything again (another process wrote): still good. */
    assert_int_equal(cw_integrity_check(f->mon, 1, &err), CW_OK);
}

static void test_rows_forged_after_the_checkpoint(void **state)
{
    fx *f = *state;
    /* A copy of entry 0's row at the next index: hashes that match its bytes, no checkpoint. */
    char q[256];
    snprintf(q, sizeof q,
             "INSERT INTO entries SELECT %llu, hashes, leaf FROM entries WHERE idx = 0",
             (unsigned long long)cw_integrity_size(f->mon));
    sql(f, 0, q);
    expect_fail(f, 0, "entry 11: stored hashes");
}

/* An entry forged by someone with the code but not the key: its bytes, hashes and stored
 * nodes all correct, and a checkpoint for it with the right root, signed by their own key. */
static void test_checkpoint_by_another_key(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_note_signer evil;
    cw_hasher h;
    cw_ledger *ro = NULL;
    cw_merkle_source src;
    cw_merkle_builder b;
    uint8_t hashes[65][CW_HASH_LEN];
    unsigned nc = 0;
    uint64_t idx = cw_integrity_size(f->mon);
    cw_checkpoint cp = {.size = idx + 1};
    cw_buf leaf = CW_BUF_INIT(4096), text = CW_BUF_INIT(4096),
           note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    json_t *p = json_pack("{s:s}", "note", "forged");
    cw_event ev = {"sw.1", "visit_recorded", p};
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_READONLY, &ro, &err), CW_OK);
    cw_ledger_source(ro, &src, &err);
    assert_int_equal(cw_merkle_builder_load(&b, &src, idx), CW_OK);
    assert_int_equal(cw_entry_encode(idx, 4102444800000, &ev, &leaf, &err), CW_OK);
    assert_int_equal(cw_hash_leaf(&h, leaf.data, leaf.len, hashes[0]), CW_OK);
    assert_int_equal(cw_merkle_builder_push(&b, &h, hashes[0], hashes + 1, &nc), CW_OK);
    assert_int_equal(cw_merkle_builder_root(&b, &h, cp.root), CW_OK);
    snprintf(cp.origin, sizeof cp.origin, "%s", ORIGIN);
    assert_int_equal(cw_note_signer_generate(ORIGIN, &evil, &err), CW_OK);
    assert_int_equal(cw_checkpoint_format(&cp, &text), CW_OK);
    assert_int_equal(cw_note_sign(&evil, text.data, text.len, &note, &err), CW_OK);

    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "INSERT INTO entries(idx, hashes, leaf) VALUES (?1, ?2, ?3)", -1, &st,
                           NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 2, hashes, (int)(CW_HASH_LEN * (1 + nc)), SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, leaf.data, (int)leaf.len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(s, "INSERT INTO checkpoints(size, note) VALUES (?1, ?2)", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
    sqlite3_bind_text(st, 2, note.data, (int)note.len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(s, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    cw_ledger_close(ro);
    cw_hasher_release(&h);
    cw_note_signer_release(&evil);
    json_decref(p);
    cw_buf_release(&leaf);
    cw_buf_release(&text);
    cw_buf_release(&note);
    /* The entry itself is flawless: only the signature gives it away. */
    expect_fail(f, 0, "no signature by the key");
}

static void test_trigger_dropped(void **state)
{
    fx *f = *state;
    sql(f, 0, "DROP TRIGGER entries_insert_only_update");
    expect_fail(f, 0, "trigger entries_insert_only_update");
}

static void test_deleted_with_triggers_off(void **state)
{
    fx *f = *state;
    cw_error err;
    sql(f, 1, "DELETE FROM entries WHERE idx = 2");
    /* The schema is untouched: only the caller's knowledge that another connection wrote
     * (the data version) leads to the whole check. */
    assert_int_equal(cw_integrity_check(f->mon, 0, &err), CW_OK);
    expect_fail(f, 1, "entry 2");
}

static void test_checkpoint_replaced(void **state)
{
    fx *f = *state;
    char q[256];
    /* The checkpoint verified last, replaced by an earlier one's note. */
    snprintf(q, sizeof q,
             "UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE size = 1) "
             "WHERE size = %llu",
             (unsigned long long)cw_integrity_size(f->mon));
    sql(f, 1, q);
    expect_fail(f, 0, "changed");
}

static void test_checkpoint_removed(void **state)
{
    fx *f = *state;
    char q[256];
    snprintf(q, sizeof q, "DELETE FROM checkpoints WHERE size = %llu",
             (unsigned long long)cw_integrity_size(f->mon));
    sql(f, 1, q);
    expect_fail(f, 0, "removed");
}

static void test_tampered_log_does_not_open(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_integrity *m = NULL;
    sql(f, 1,
        "UPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), 'secret', 'SECRET') AS "
        "BLOB) WHERE idx = 3");
    assert_int_equal(cw_integrity_open(f->db, &m, &err), CW_EVERIFY);
    assert_null(m);
    assert_non_null(strstr(err.msg, "entry 3"));
    assert_null(strstr(err.msg, "secret"));
    assert_null(strstr(err.msg, "SECRET"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_log_and_appends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_forged_after_the_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_by_another_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trigger_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_with_triggers_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_log_does_not_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
