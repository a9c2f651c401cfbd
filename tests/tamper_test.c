/*
 * tamper_test.c — an attacker with write access to the database file (and,
 * in some scenarios, the signing key) changes the log; `caseward verify`
 * must notice and say where.
 *
 * Each scenario builds a fresh log of 40 entries in five batches (sizes
 * 3, 12, 20, 32, 40, plus the empty log's checkpoint 0), keeps what an
 * outsider would keep (the verifier key and the checkpoints after batch 2 and
 * batch 5), closes the log, and edits the SQLite file directly with the
 * sqlite3 C API after dropping the insert-only triggers. The "clever"
 * attacker recomputes every hash from public pieces (cw_hash_leaf,
 * cw_merkle_builder_push, cw_checkpoint_format, cw_note_sign), exactly as a
 * real one could.
 *
 * What verify cannot see without outside help is documented where it is
 * tested: a tail truncated back to a signed size, and a history re-signed
 * with a stolen key. A pinned checkpoint or key catches each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "casework/casework.h"
#include "ledger/entry.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verify.h"
#include "store/store.h"
#include "testutil.h"

#define ORIGIN  "test.caseward.example/tamper"
#define NENTRY  40
#define NOTEMAX 4096

static const size_t batches[] = {3, 9, 8, 12, 8}; /* sizes 3, 12, 20, 32, 40 */

/* One log and what an outsider kept of it. */
typedef struct log_t {
    char db[200];
    char key[208];
    char vkey[1024];     /* the verifier key, as published */
    char early[NOTEMAX]; /* checkpoint after batch 2 (size 12) */
    char final[NOTEMAX]; /* checkpoint after batch 5 (size 40) */
    int64_t last_ms;     /* recorded_at of the last entry */
} log_t;

typedef struct fx {
    char dir[64];
    log_t a, b;
} fx;

static void save_checkpoint(cw_ledger *l, char out[NOTEMAX], uint64_t want)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_error err;
    uint64_t size = 0;
    assert_int_equal(cw_ledger_checkpoint(l, &note, &size, &err), CW_OK);
    assert_int_equal(size, want);
    assert_true(note.len < NOTEMAX);
    memcpy(out, note.data, note.len + 1);
    cw_buf_release(&note);
}

static void make_log(fx *f, log_t *lg, const char *name)
{
    cw_error err;
    cw_ledger *l = NULL;
    snprintf(lg->db, sizeof lg->db, "%s/%s.db", f->dir, name);
    snprintf(lg->key, sizeof lg->key, "%s/%s.db.key", f->dir, name);
    cw_error_clear(&err);
    if (cw_ledger_create(lg->db, ORIGIN, &err) || cw_ledger_open(lg->db, CW_LEDGER_WRITE, &l, &err))
        fail_msg("%s: %s", lg->db, err.msg);
    uint64_t i = 0;
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        cw_event ev[16];
        json_t *p[16];
        char actor[16];
        snprintf(actor, sizeof actor, "sw.%zu", b);
        for (size_t k = 0; k < batches[b]; k++, i++) {
            char child[16], note[32];
            snprintf(child, sizeof child, "C-%03u", (unsigned)(i % 7));
            snprintf(note, sizeof note, "visit %u", (unsigned)i);
            p[k] = json_pack("{s:s, s:I, s:s}", "child", child, "n", (json_int_t)i, "note", note);
            ev[k] = (cw_event){actor, "visit_recorded", p[k]};
        }
        uint64_t size = 0;
        if (cw_ledger_append(l, ev, batches[b], &size, &err))
            fail_msg("append: %s", err.msg);
        assert_int_equal(size, i);
        for (size_t k = 0; k < batches[b]; k++)
            json_decref(p[k]);
        if (b == 1)
            save_checkpoint(l, lg->early, 12);
    }
    assert_int_equal(i, NENTRY);
    save_checkpoint(l, lg->final, NENTRY);
    /* As every caseward writer leaves it: the read model covers the log (verify --db checks). */
    if (cw_casework_catch_up(l, &err))
        fail_msg("catch up: %s", err.msg);
    cw_buf vk = CW_BUF_INIT(sizeof lg->vkey - 1);
    assert_int_equal(cw_ledger_vkey(l, &vk), CW_OK);
    memcpy(lg->vkey, vk.data, vk.len + 1);
    cw_buf_release(&vk);
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    uint64_t idx;
    assert_int_equal(cw_ledger_leaf(l, NENTRY - 1, &leaf, &err), CW_OK);
    assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &idx, &lg->last_ms),
                     CW_OK);
    cw_buf_release(&leaf);
    cw_ledger_close(l);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-tamper-test-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    make_log(f, &f->a, "a");
    make_log(f, &f->b, "b");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rm_rf(f->dir);
    free(f);
    return 0;
}

/* ---- verification ---- */

typedef struct pins {
    const char *dir; /* verify an export directory instead of the database */
    const char *vkey;
    const char *checkpoint;
} pins;

static cw_rc verify(const log_t *lg, pins p, cw_verify_report *r, cw_error *err)
{
    cw_verify_opts o = {0};
    if (p.dir)
        o.dir = p.dir;
    else
        o.db_path = lg->db;
    o.vkey = p.vkey;
    o.checkpoint = p.checkpoint;
    o.checkpoint_len = p.checkpoint ? strlen(p.checkpoint) : 0;
    cw_error_clear(err);
    return cw_verify(&o, r, err);
}

static void expect_pass(const log_t *lg, pins p, uint64_t size, cw_verify_report *r)
{
    cw_error err;
    cw_rc rc = verify(lg, p, r, &err);
    if (rc != CW_OK)
        fail_msg("verify failed (rc %d): %s", rc, err.msg);
    assert_int_equal(r->size, size);
}

/* Fails with CW_EVERIFY and a message containing each of the given strings. */
static void expect_fail(const log_t *lg, pins p, const char *m1, const char *m2, const char *m3)
{
    cw_error err;
    cw_verify_report r;
    cw_rc rc = verify(lg, p, &r, &err);
    if (rc != CW_EVERIFY)
        fail_msg("verify returned %d, not CW_EVERIFY; message: %s", rc, err.msg);
    const char *want[3] = {m1, m2, m3};
    for (int i = 0; i < 3; i++)
        if (want[i] && !strstr(err.msg, want[i]))
            fail_msg("verify message \"%s\" does not contain \"%s\"", err.msg, want[i]);
}

/* Runs the CLI; returns its exit status and its stdout+stderr in out. */
static int run_cli(const char *args, char *out, size_t cap)
{
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", CW_BINARY, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* ---- the attacker's tools: plain SQLite ---- */

/* The triggers' exact definitions, saved by attack() for cover_tracks(). */
static char saved_triggers[8192];

/* Opens the database as an attacker with file access would: triggers dropped. */
static sqlite3 *attack(const log_t *lg)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(lg->db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT sql FROM sqlite_schema WHERE type = 'trigger'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t used = 0;
    saved_triggers[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(saved_triggers + used, sizeof saved_triggers - used, "%s;\n",
                         (const char *)sqlite3_column_text(st, 0));
        assert_true(n > 0 && (size_t)n < sizeof saved_triggers - used);
        used += (size_t)n;
    }
    sqlite3_finalize(st);
    char *msg = NULL;
    if (sqlite3_exec(s,
                     "DROP TRIGGER IF EXISTS entries_insert_only_update;"
                     "DROP TRIGGER IF EXISTS entries_insert_only_delete;"
                     "DROP TRIGGER IF EXISTS entries_insert_only_replace;"
                     "DROP TRIGGER IF EXISTS checkpoints_insert_only_update;"
                     "DROP TRIGGER IF EXISTS checkpoints_insert_only_delete;"
                     "DROP TRIGGER IF EXISTS checkpoints_insert_only_replace;"
                     "DROP TRIGGER IF EXISTS personal_erase_only;"
                     "DROP TRIGGER IF EXISTS personal_no_delete;"
                     "DROP TRIGGER IF EXISTS personal_no_replace;",
                     NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("dropping triggers: %s", msg);
    return s;
}

/* A thorough attacker puts the triggers back exactly as they were. */
static void cover_tracks(sqlite3 *s)
{
    char *msg = NULL;
    if (sqlite3_exec(s, saved_triggers, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("restoring triggers: %s", msg);
    sqlite3_close(s);
}

static void sql(sqlite3 *s, const char *q)
{
    char *msg = NULL;
    if (sqlite3_exec(s, q, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", q, msg);
}

/* Runs an INSERT, UPDATE or DELETE that must change at least one row. */
static void sql_rows(sqlite3 *s, const char *q)
{
    sql(s, q);
    if (sqlite3_changes(s) < 1)
        fail_msg("%s: changed nothing", q);
}

/* Reads a blob column of one row into a malloc'd buffer (NUL-terminated). */
static uint8_t *get_blob(sqlite3 *s, const char *q, int64_t key, size_t *len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(s, q, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, key);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    uint8_t *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, sqlite3_column_blob(st, 0), n);
    out[n] = 0;
    sqlite3_finalize(st);
    *len = n;
    return out;
}

static void put_row(sqlite3 *s, const char *q, int64_t idx, const void *hashes, size_t hlen,
                    const void *leaf, size_t llen)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(s, q, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, idx);
    sqlite3_bind_blob(st, 2, hashes, (int)hlen, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, leaf, (int)llen, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(s), 1);
    sqlite3_finalize(st);
}

/* Replaces the first occurrence of from in buf (len bytes, capacity cap). */
static size_t replace_in(uint8_t *buf, size_t len, size_t cap, const char *from, const char *to)
{
    char *at = strstr((char *)buf, from);
    if (!at)
        fail_msg("\"%s\" not found in \"%s\"", from, (char *)buf);
    size_t fl = strlen(from), tl = strlen(to), off = (size_t)(at - (char *)buf);
    assert_true(len - fl + tl < cap);
    memmove(buf + off + tl, buf + off + fl, len - off - fl + 1);
    memcpy(buf + off, to, tl);
    return len - fl + tl;
}

/* The naive attacker: changes the bytes of one entry and nothing else. */
static void edit_leaf(const log_t *lg, int64_t idx, const char *from, const char *to)
{
    sqlite3 *s = attack(lg);
    size_t len, hlen;
    uint8_t *leaf = get_blob(s, "SELECT leaf FROM entries WHERE idx = ?1", idx, &len);
    uint8_t *hashes = get_blob(s, "SELECT hashes FROM entries WHERE idx = ?1", idx, &hlen);
    leaf = realloc(leaf, len + 64);
    assert_non_null(leaf);
    len = replace_in(leaf, len, len + 64, from, to);
    put_row(s, "UPDATE entries SET hashes = ?2, leaf = ?3 WHERE idx = ?1", idx, hashes, hlen, leaf,
            len);
    free(leaf);
    free(hashes);
    sqlite3_close(s);
}

/*
 * The clever attacker: optionally edits entry edit_idx, then recomputes the
 * hashes column of every row from the leaf bytes. With a signer, also
 * re-signs every stored checkpoint for the new tree and, if it is not the
 * log's key, replaces the stored verifier key.
 */
static void rewrite(const log_t *lg, int64_t edit_idx, const char *from, const char *to,
                    const cw_note_signer *signer)
{
    cw_hasher h;
    cw_merkle_builder b;
    cw_error err;
    static uint8_t roots[NENTRY + 2][CW_HASH_LEN];
    sqlite3 *s = attack(lg);
    sqlite3_stmt *st = NULL;
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    cw_merkle_builder_init(&b);
    assert_int_equal(cw_merkle_builder_root(&b, &h, roots[0]), CW_OK);
    sql(s, "BEGIN");
    int64_t n = 0;
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT max(idx) + 1 FROM entries", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_true(n > 0 && n <= NENTRY + 1);
    for (int64_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *leaf = get_blob(s, "SELECT leaf FROM entries WHERE idx = ?1", i, &len);
        leaf = realloc(leaf, len + 64);
        assert_non_null(leaf);
        if (i == edit_idx)
            len = replace_in(leaf, len, len + 64, from, to);
        uint8_t hashes[65][CW_HASH_LEN];
        unsigned nc = 0;
        assert_int_equal(cw_hash_leaf(&h, leaf, len, hashes[0]), CW_OK);
        assert_int_equal(cw_merkle_builder_push(&b, &h, hashes[0], hashes + 1, &nc), CW_OK);
        put_row(s, "UPDATE entries SET hashes = ?2, leaf = ?3 WHERE idx = ?1", i, hashes,
                (size_t)CW_HASH_LEN * (1 + nc), leaf, len);
        assert_int_equal(cw_merkle_builder_root(&b, &h, roots[i + 1]), CW_OK);
        free(leaf);
    }
    if (signer) {
        assert_int_equal(
            sqlite3_prepare_v2(s, "SELECT size FROM checkpoints ORDER BY size", -1, &st, NULL),
            SQLITE_OK);
        int64_t sizes[64];
        int ns = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            sizes[ns++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        for (int k = 0; k < ns; k++) {
            cw_checkpoint cp = {.origin = ORIGIN, .size = (uint64_t)sizes[k]};
            cw_buf text = CW_BUF_INIT(4096), note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
            assert_true(sizes[k] <= n);
            memcpy(cp.root, roots[sizes[k]], CW_HASH_LEN);
            assert_int_equal(cw_checkpoint_format(&cp, &text), CW_OK);
            assert_int_equal(cw_note_sign(signer, text.data, text.len, &note, &err), CW_OK);
            assert_int_equal(sqlite3_prepare_v2(s,
                                                "UPDATE checkpoints SET note = ?2 WHERE size = ?1",
                                                -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_int64(st, 1, sizes[k]);
            sqlite3_bind_text(st, 2, note.data, (int)note.len, SQLITE_TRANSIENT);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_finalize(st);
            cw_buf_release(&text);
            cw_buf_release(&note);
        }
        cw_buf vk = CW_BUF_INIT(1024);
        assert_int_equal(cw_note_verifier_format(&signer->v, &vk), CW_OK);
        assert_int_equal(
            sqlite3_prepare_v2(s, "UPDATE meta SET value = ?1 WHERE key = 'vkey'", -1, &st, NULL),
            SQLITE_OK);
        sqlite3_bind_text(st, 1, vk.data, (int)vk.len, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        assert_int_equal(sqlite3_changes(s), 1);
        sqlite3_finalize(st);
        cw_buf_release(&vk);
    }
    sql(s, "COMMIT");
    cover_tracks(s);
    cw_hasher_release(&h);
}

static void load_signer(const log_t *lg, cw_note_signer *s)
{
    FILE *fp = fopen(lg->key, "rb");
    char text[1024];
    cw_error err;
    assert_non_null(fp);
    size_t n = fread(text, 1, sizeof text, fp);
    fclose(fp);
    if (cw_note_signer_parse(text, n, s, &err))
        fail_msg("stolen key: %s", err.msg);
}

/* ---- scenarios ---- */

static void test_untouched_log_verifies(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    expect_pass(&f->a, (pins){0}, NENTRY, &r);
    assert_int_equal(r.checkpoints, 6);
    assert_int_equal(r.key_pinned, 0);
    assert_string_equal(r.key, f->a.vkey);
    expect_pass(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early}, NENTRY, &r);
    assert_int_equal(r.key_pinned, 1);
    assert_int_equal(r.pinned_size, 12);
    expect_pass(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.final}, NENTRY, &r);
    assert_int_equal(r.pinned_size, NENTRY);
    /* Another log's key or checkpoint does not fit this one. */
    expect_fail(&f->a, (pins){.vkey = f->b.vkey}, "not the pinned key", NULL, NULL);
    expect_fail(&f->a, (pins){.checkpoint = f->b.early}, "pinned checkpoint", NULL, NULL);
}

static void test_edit_payload(void **state)
{
    fx *f = *state;
    edit_leaf(&f->a, 17, "\"n\":17", "\"n\":71");
    expect_fail(&f->a, (pins){0}, "entry 17", "altered", NULL);
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early}, "entry 17", NULL, NULL);
    /* The last entry (which opening the log reads) is located the same way. */
    edit_leaf(&f->b, 39, "visit 39", "visit 93");
    expect_fail(&f->b, (pins){0}, "entry 39", "altered", NULL);
}

static void test_edit_with_recomputed_hashes(void **state)
{
    fx *f = *state;
    /* Every stored hash is consistent again; only the signed checkpoints remember. */
    rewrite(&f->a, 25, "\"n\":25", "\"n\":52", NULL);
    expect_fail(&f->a, (pins){0}, "checkpoint for size 32", "entries 20 to 31", NULL);
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early},
                "checkpoint for size 32", "entries 20 to 31", NULL);
    rewrite(&f->b, 5, "sw.1", "sw.9", NULL);
    expect_fail(&f->b, (pins){0}, "checkpoint for size 12", "entries 3 to 11", NULL);
}

static void test_edit_recomputed_and_stale_checkpoints_removed(void **state)
{
    fx *f = *state;
    /* The attacker cannot re-sign, so removes the checkpoints that no longer match. */
    rewrite(&f->a, 25, "\"n\":25", "\"n\":52", NULL);
    sqlite3 *s = attack(&f->a);
    sql_rows(s, "DELETE FROM checkpoints WHERE size > 20");
    sqlite3_close(s);
    expect_fail(&f->a, (pins){0}, "entries 20 to 39", "not covered by any signed checkpoint", NULL);
}

static void test_delete_middle_row(void **state)
{
    fx *f = *state;
    sqlite3 *s = attack(&f->a);
    sql_rows(s, "DELETE FROM entries WHERE idx = 20");
    sqlite3_close(s);
    expect_fail(&f->a, (pins){0}, "entry 20", "missing", NULL);
    /* Row 31 holds the level-5 node the 40-entry tree's root is built from. */
    s = attack(&f->b);
    sql_rows(s, "DELETE FROM entries WHERE idx = 31");
    sqlite3_close(s);
    expect_fail(&f->b, (pins){0}, "entry 31", "missing", NULL);
}

static void test_delete_first_row(void **state)
{
    fx *f = *state;
    sqlite3 *s = attack(&f->a);
    sql_rows(s, "DELETE FROM entries WHERE idx = 0");
    sqlite3_close(s);
    expect_fail(&f->a, (pins){0}, "entry 0", "missing", NULL);
}

/*
 * Truncating the tail back to a signed size, and deleting the checkpoints
 * beyond it, leaves a log that is consistent with itself: verify without a
 * pinned checkpoint passes, and can only report the smaller size. This is why
 * outsiders keep checkpoints: a pinned checkpoint for a larger size shows the
 * truncation.
 */
static void test_truncate_tail(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    sqlite3 *s = attack(&f->a);
    sql_rows(s, "DELETE FROM entries WHERE idx >= 32");
    sql_rows(s, "DELETE FROM checkpoints WHERE size > 32");
    cover_tracks(s);
    expect_pass(&f->a, (pins){0}, 32, &r);
    assert_int_equal(r.checkpoints, 5);
    expect_pass(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early}, 32, &r);
    assert_int_equal(r.pinned_size, 12);
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.final}, "truncated",
                "for 40 entries", "only 32");
    expect_fail(&f->a, (pins){.checkpoint = f->a.final}, "truncated", NULL, NULL);

    /* Without removing the checkpoints, the log's own checkpoint for 40 shows it. */
    s = attack(&f->b);
    sql_rows(s, "DELETE FROM entries WHERE idx >= 37");
    sqlite3_close(s);
    expect_fail(&f->b, (pins){0}, "checkpoint for size 40", "37", "removed");
}

static void test_insert_row(void **state)
{
    fx *f = *state;
    cw_hasher h;
    cw_error err;
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    /* A well-formed entry 40, with correct leaf and node hashes, but no signature. */
    json_t *p = json_pack("{s:s}", "note", "added later");
    cw_event ev = {"sw.9", "visit_recorded", p};
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    assert_int_equal(cw_entry_encode(NENTRY, f->a.last_ms + 1, &ev, &leaf, &err), CW_OK);
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    sqlite3 *s = attack(&f->a);
    for (int64_t i = 0; i < NENTRY; i++) {
        size_t len;
        uint8_t *hs = get_blob(s, "SELECT hashes FROM entries WHERE idx = ?1", i, &len);
        assert_int_equal(cw_merkle_builder_push(&b, &h, hs, NULL, NULL), CW_OK);
        free(hs);
    }
    uint8_t hashes[65][CW_HASH_LEN];
    unsigned nc = 0;
    assert_int_equal(cw_hash_leaf(&h, leaf.data, leaf.len, hashes[0]), CW_OK);
    assert_int_equal(cw_merkle_builder_push(&b, &h, hashes[0], hashes + 1, &nc), CW_OK);
    put_row(s, "INSERT INTO entries(idx, hashes, leaf) VALUES (?1, ?2, ?3)", NENTRY, hashes,
            (size_t)CW_HASH_LEN * (1 + nc), leaf.data, leaf.len);
    sqlite3_close(s);
    expect_fail(&f->a, (pins){0}, "entries 40 to 40", "not covered by any signed checkpoint", NULL);

    /* The same entry inserted after a gap is a missing entry. */
    s = attack(&f->b);
    put_row(s, "INSERT INTO entries(idx, hashes, leaf) VALUES (?1, ?2, ?3)", 45, hashes,
            CW_HASH_LEN, leaf.data, leaf.len);
    sqlite3_close(s);
    expect_fail(&f->b, (pins){0}, "entry 40", "missing", NULL);
    cw_buf_release(&leaf);
    json_decref(p);
    cw_hasher_release(&h);
}

static void swap_rows(const log_t *lg, int64_t x, int64_t y)
{
    sqlite3 *s = attack(lg);
    size_t lx, ly, hx, hy;
    uint8_t *leaf_x = get_blob(s, "SELECT leaf FROM entries WHERE idx = ?1", x, &lx);
    uint8_t *leaf_y = get_blob(s, "SELECT leaf FROM entries WHERE idx = ?1", y, &ly);
    uint8_t *hash_x = get_blob(s, "SELECT hashes FROM entries WHERE idx = ?1", x, &hx);
    uint8_t *hash_y = get_blob(s, "SELECT hashes FROM entries WHERE idx = ?1", y, &hy);
    put_row(s, "UPDATE entries SET hashes = ?2, leaf = ?3 WHERE idx = ?1", x, hash_y, hy, leaf_y,
            ly);
    put_row(s, "UPDATE entries SET hashes = ?2, leaf = ?3 WHERE idx = ?1", y, hash_x, hx, leaf_x,
            lx);
    free(leaf_x);
    free(leaf_y);
    free(hash_x);
    free(hash_y);
    sqlite3_close(s);
}

static void test_swap_rows(void **state)
{
    fx *f = *state;
    /* Rows 12 and 14 both hold one hash (13 and 15 are odd), so nothing but the
     * bytes' own index gives the swap away. */
    swap_rows(&f->a, 12, 14);
    expect_fail(&f->a, (pins){0}, "entry 12", "index 14", NULL);
    /* Adjacent rows with different numbers of stored nodes. */
    swap_rows(&f->b, 10, 11);
    expect_fail(&f->b, (pins){0}, "entry 10", NULL, NULL);
}

static void test_resign_under_new_key(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    cw_error err;
    cw_note_signer evil;
    assert_int_equal(cw_note_signer_generate(ORIGIN, &evil, &err), CW_OK);
    rewrite(&f->a, 25, "\"n\":25", "\"n\":52", &evil);

    /* Without a pinned key the rewritten log is self-consistent ... */
    expect_pass(&f->a, (pins){0}, NENTRY, &r);
    assert_int_equal(r.key_pinned, 0);
    assert_string_not_equal(r.key, f->a.vkey);
    char out[4096], args[1024];
    snprintf(args, sizeof args, "verify --db '%s'", f->a.db);
    assert_int_equal(run_cli(args, out, sizeof out), 0);
    if (!strstr(out, "not pinned"))
        fail_msg("CLI did not say the key was not pinned: %s", out);

    /* ... and the pinned old key shows the re-signing. */
    char keyid[16];
    /* vkey = name "+" key id (8 hex digits) "+" base64; the name has no '+'. */
    assert_int_equal(strncmp(f->a.vkey, ORIGIN "+", strlen(ORIGIN) + 1), 0);
    memcpy(keyid, f->a.vkey + strlen(ORIGIN) + 1, 8);
    keyid[8] = 0;
    expect_fail(&f->a, (pins){.vkey = f->a.vkey}, "not the pinned key", keyid, "re-signed");
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early}, "not the pinned key",
                NULL, NULL);
    /* A pinned checkpoint alone is signed by the old key, which the log no longer has. */
    expect_fail(&f->a, (pins){.checkpoint = f->a.early}, "pinned checkpoint", NULL, NULL);

    char vkey_file[256];
    snprintf(vkey_file, sizeof vkey_file, "%s/old.vkey", f->dir);
    write_text(vkey_file, f->a.vkey);
    snprintf(args, sizeof args, "verify --db '%s' --vkey '%s'", f->a.db, vkey_file);
    assert_int_equal(run_cli(args, out, sizeof out), 1);
    if (!strstr(out, "not the pinned key"))
        fail_msg("CLI output: %s", out);
    cw_note_signer_release(&evil);
}

/*
 * With the log's own signing key stolen, history can be rewritten and
 * re-signed so that the log verifies even against the pinned key. Only a
 * checkpoint an outsider kept from before the rewrite shows it, and only for
 * the entries it covers.
 */
static void test_rewrite_with_stolen_key(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    cw_note_signer stolen;
    load_signer(&f->a, &stolen);
    rewrite(&f->a, 5, "\"n\":5", "\"n\":6", &stolen);
    expect_pass(&f->a, (pins){.vkey = f->a.vkey}, NENTRY, &r);
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.early},
                "no longer contains the pinned checkpoint", "size 12", NULL);
    expect_fail(&f->a, (pins){.vkey = f->a.vkey, .checkpoint = f->a.final},
                "no longer contains the pinned checkpoint", "size 40", NULL);
    cw_note_signer_release(&stolen);

    /* An edit after the pinned checkpoint leaves it contained: a later pin catches it. */
    load_signer(&f->b, &stolen);
    rewrite(&f->b, 30, "\"n\":30", "\"n\":3", &stolen);
    expect_pass(&f->b, (pins){.vkey = f->b.vkey, .checkpoint = f->b.early}, NENTRY, &r);
    assert_int_equal(r.pinned_size, 12);
    expect_fail(&f->b, (pins){.vkey = f->b.vkey, .checkpoint = f->b.final},
                "no longer contains the pinned checkpoint", "size 40", NULL);
    cw_note_signer_release(&stolen);
}

/*
 * An attacker who changes nothing but leaves the insert-only triggers dropped
 * (or adds an object of their own) is caught by the structure check.
 */
static void test_structure_altered(void **state)
{
    fx *f = *state;
    sqlite3 *s = attack(&f->a);
    sqlite3_close(s);
    expect_fail(&f->a, (pins){0}, "structure", "trigger", NULL);
    s = attack(&f->b);
    sql(s, "CREATE INDEX sneaky ON entries(leaf)");
    cover_tracks(s);
    expect_fail(&f->b, (pins){0}, "structure", "sneaky", NULL);
}

/* The personal table's erase-only triggers are part of the structure too: dropping any one
 * of them (so that personal data could be rewritten or deleted) is reported by name. */
static void test_structure_personal_trigger_dropped(void **state)
{
    fx *f = *state;
    static const char *const drops[][2] = {
        {"DROP TRIGGER personal_erase_only", "personal_erase_only"},
        {"DROP TRIGGER personal_no_delete", "personal_no_delete"},
    };
    const log_t *logs[2] = {&f->a, &f->b};
    for (int i = 0; i < 2; i++) {
        sqlite3 *s = NULL;
        assert_int_equal(sqlite3_open_v2(logs[i]->db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sql(s, drops[i][0]);
        sqlite3_close(s);
        expect_fail(logs[i], (pins){0}, "structure", drops[i][1], NULL);
    }
}

/*
 * Issue 13: the personal parts kept beside the leaves. A log of four entries, the first three
 * with a personal part, the fourth without; then one change made by someone with the file,
 * triggers dropped and put back. Each is found and named: a part altered, a part deleted, a
 * part added for an entry whose leaf commits to none, an erasure credited to an entry that is
 * not a later one. A real erasure (by a later entry) verifies.
 */
static void personal_log(fx *f, const char *name, char *db, size_t cap)
{
    cw_error err;
    cw_ledger *l = NULL;
    snprintf(db, cap, "%s/%s.db", f->dir, name);
    if (cw_ledger_create(db, ORIGIN, &err) || cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        fail_msg("%s: %s", db, err.msg);
    json_t *facts = json_pack("{s:s,s:b}", "child", "C-001", "views", 1);
    json_t *part = json_pack("{s:s}", "views", "Wants to see her brother more.");
    cw_event ev = {"sw.1", "visit_recorded", facts};
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    for (int k = 0; k < 4; k++)
        assert_int_equal(
            cw_ledger_batch_add_personal(l, &ev, NULL, k < 3 ? part : NULL, NULL, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_commit(l, NULL, &err), CW_OK);
    cw_ledger_close(l);
    json_decref(facts);
    json_decref(part);
}

static cw_rc verify_db_only(const char *db, cw_error *err)
{
    cw_verify_opts o = {db, NULL, NULL, NULL, 0};
    cw_verify_report r;
    return cw_verify(&o, &r, err);
}

static void test_personal_parts_tampered(void **state)
{
    fx *f = *state;
    static const struct {
        const char *sql, *want1, *want2;
    } cases[] = {
        {"UPDATE personal SET body = CAST('{\"views\":\"Wants to go home.\"}' AS BLOB) "
         "WHERE idx = 1",
         "entry 1", "does not match the commitment"},
        {"DELETE FROM personal WHERE idx = 2", "1 entries commit to personal data",
         "neither held nor erased"},
        {"INSERT INTO personal(idx, salt, body) SELECT 3, salt, body FROM personal WHERE idx = 0",
         "entry 3", "commits to none"},
        {"UPDATE personal SET salt = NULL, body = NULL, erased_idx = 0 WHERE idx = 1", "entry 1",
         "not a later entry"},
    };
    char db[sizeof((log_t *)0)->db];
    cw_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "personal%zu", i);
        personal_log(f, name, db, sizeof db);
        if (verify_db_only(db, &err) != CW_OK)
            fail_msg("before: %s", err.msg);
        log_t lg = {0};
        snprintf(lg.db, sizeof lg.db, "%s", db);
        sqlite3 *s = attack(&lg);
        sql_rows(s, cases[i].sql);
        cover_tracks(s);
        if (verify_db_only(db, &err) != CW_EVERIFY || !strstr(err.msg, cases[i].want1) ||
            !strstr(err.msg, cases[i].want2))
            fail_msg("case %zu: verify said \"%s\"", i, err.msg);
    }
    /* erased by a later entry, as an erasure will be: verifies */
    personal_log(f, "erased", db, sizeof db);
    cw_ledger *l = NULL;
    assert_int_equal(cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    assert_int_equal(cw_store_personal_erase(cw_ledger_store(l), 1, 3, &err), CW_OK);
    cw_ledger_close(l);
    if (verify_db_only(db, &err) != CW_OK)
        fail_msg("after a real erasure: %s", err.msg);
}

/*
 * verify takes each leaf's commitment from its first pass, kept by chunk of 2^14 entries:
 * a part must still be checked against its own leaf's commitment, not a neighbour's, in
 * every chunk. Entries 0 and 1 have the same text under different salts, so swapping their
 * rows is caught only by looking up the right commitment; a log past the first chunk has a
 * part altered, and a part added, beyond it.
 */
static void test_personal_commitment_lookup(void **state)
{
    fx *f = *state;
    char db[sizeof((log_t *)0)->db];
    cw_error err;
    personal_log(f, "swapped", db, sizeof db);
    log_t lg = {0};
    snprintf(lg.db, sizeof lg.db, "%s", db);
    sqlite3 *s = attack(&lg);
    sql_rows(s, "UPDATE personal SET idx = -1 WHERE idx = 0;"
                "UPDATE personal SET idx = 0 WHERE idx = 1;"
                "UPDATE personal SET idx = 1 WHERE idx = -1;");
    cover_tracks(s);
    if (verify_db_only(db, &err) != CW_EVERIFY || !strstr(err.msg, "entry 0:") ||
        !strstr(err.msg, "does not match the commitment"))
        fail_msg("swapped parts: verify said \"%s\"", err.msg);

    /* past the first chunk: every third entry has a part */
    enum { N = (1 << 14) + 40 };
    snprintf(db, sizeof db, "%s/chunks.db", f->dir);
    cw_ledger *l = NULL;
    if (cw_ledger_create(db, ORIGIN, &err) || cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        fail_msg("%s: %s", db, err.msg);
    json_t *facts = json_pack("{s:s,s:b}", "child", "C-001", "views", 1);
    json_t *part = json_pack("{s:s}", "views", "Wants to see her brother more.");
    cw_event ev = {"sw.1", "visit_recorded", facts};
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    for (int k = 0; k < N; k++)
        assert_int_equal(
            cw_ledger_batch_add_personal(l, &ev, NULL, k % 3 == 0 ? part : NULL, NULL, &err),
            CW_OK);
    assert_int_equal(cw_ledger_batch_commit(l, NULL, &err), CW_OK);
    cw_ledger_close(l);
    json_decref(facts);
    json_decref(part);
    if (verify_db_only(db, &err) != CW_OK)
        fail_msg("before: %s", err.msg);
    static const struct {
        const char *sql, *want1, *want2, *undo;
    } cases[] = {
        /* 16398 = 3 * 5466: has a part, in the second chunk */
        {"UPDATE personal SET body = CAST('{\"views\":\"Wants to go home.\"}' AS BLOB) "
         "WHERE idx = 16398",
         "entry 16398:", "does not match the commitment",
         "UPDATE personal SET body = CAST('{\"views\":\"Wants to see her brother more.\"}' "
         "AS BLOB) WHERE idx = 16398"},
        {"INSERT INTO personal(idx, salt, body) SELECT 16399, salt, body FROM personal "
         "WHERE idx = 16398",
         "entry 16399:", "commits to none", "DELETE FROM personal WHERE idx = 16399"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        log_t cl = {0};
        snprintf(cl.db, sizeof cl.db, "%s", db);
        sqlite3 *c = attack(&cl);
        sql_rows(c, cases[i].sql);
        cover_tracks(c);
        cw_rc rc = verify_db_only(db, &err);
        if (rc != CW_EVERIFY || !strstr(err.msg, cases[i].want1) ||
            !strstr(err.msg, cases[i].want2))
            fail_msg("case %zu: verify said \"%s\"", i, rc ? err.msg : "ok");
        c = attack(&cl);
        sql_rows(c, cases[i].undo);
        cover_tracks(c);
        if (verify_db_only(db, &err) != CW_OK)
            fail_msg("case %zu undone: %s", i, err.msg);
    }
}

/*
 * Forges entry idx (the next one) with correct leaf and node hashes, as
 * someone with the file but not the key could, and returns nothing.
 */
static void forge_next_entry(const log_t *lg, int64_t idx, int64_t ms)
{
    cw_hasher h;
    cw_error err;
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    json_t *p = json_pack("{s:s}", "note", "forged");
    cw_event ev = {"sw.9", "case_closed", p};
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    assert_int_equal(cw_entry_encode((uint64_t)idx, ms, &ev, &leaf, &err), CW_OK);
    cw_merkle_builder b;
    cw_merkle_builder_init(&b);
    sqlite3 *s = attack(lg);
    for (int64_t i = 0; i < idx; i++) {
        size_t len;
        uint8_t *hs = get_blob(s, "SELECT hashes FROM entries WHERE idx = ?1", i, &len);
        assert_int_equal(cw_merkle_builder_push(&b, &h, hs, NULL, NULL), CW_OK);
        free(hs);
    }
    uint8_t hashes[65][CW_HASH_LEN];
    unsigned nc = 0;
    assert_int_equal(cw_hash_leaf(&h, leaf.data, leaf.len, hashes[0]), CW_OK);
    assert_int_equal(cw_merkle_builder_push(&b, &h, hashes[0], hashes + 1, &nc), CW_OK);
    put_row(s, "INSERT INTO entries(idx, hashes, leaf) VALUES (?1, ?2, ?3)", idx, hashes,
            (size_t)CW_HASH_LEN * (1 + nc), leaf.data, leaf.len);
    cover_tracks(s);
    cw_buf_release(&leaf);
    json_decref(p);
    cw_hasher_release(&h);
}

/*
 * A writer that stays open (a server) must not sign rows that appeared in
 * the file without a checkpoint: its next append refuses instead.
 */
static void test_open_writer_refuses_forged_rows(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l = NULL;
    uint64_t size = 0;
    json_t *p = json_pack("{s:i}", "n", 100);
    cw_event ev = {"sw.1", "visit_recorded", p};
    assert_int_equal(cw_ledger_open(f->a.db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    assert_int_equal(cw_ledger_append(l, &ev, 1, &size, &err), CW_OK);
    assert_int_equal(size, NENTRY + 1);
    forge_next_entry(&f->a, NENTRY + 1, f->a.last_ms + 10000);
    cw_rc rc = cw_ledger_append(l, &ev, 1, &size, &err);
    assert_int_equal(rc, CW_EVERIFY);
    if (!strstr(err.msg, "latest checkpoint is for 41"))
        fail_msg("message: %s", err.msg);
    cw_ledger_close(l);
    json_decref(p);
    /* Nothing was signed over the forged row. */
    expect_fail(&f->a, (pins){0}, "entries 41 to 41", "not covered", NULL);
}

/* A checkpoint row stored under the largest possible size is still checked. */
static void test_checkpoint_at_max_size(void **state)
{
    fx *f = *state;
    sqlite3 *s = attack(&f->a);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(s, "INSERT INTO checkpoints(size, note) VALUES (?1, ?2)", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, INT64_MAX);
    sqlite3_bind_text(st, 2, f->a.early, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    cover_tracks(s);
    expect_fail(&f->a, (pins){0}, "9223372036854775807", "says size 12", NULL);
}

/* ---- damaged files ---- */

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void file_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[1 << 14];
    size_t n;
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void garble_page(const char *path, long page, long page_size, uint64_t seed)
{
    uint8_t junk[65536];
    assert_true(page_size <= (long)sizeof junk);
    for (long i = 0; i < page_size; i++)
        junk[i] = (uint8_t)xorshift(&seed);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, junk, (size_t)page_size, (off_t)((page - 1) * page_size)),
                     page_size);
    close(fd);
}

static long pragma(const char *db, const char *q)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void test_corrupt_pages(void **state)
{
    fx *f = *state;
    char wal[256], copy[128];
    cw_verify_report r;
    cw_error err;
    snprintf(wal, sizeof wal, "%s-wal", f->a.db);
    assert_int_not_equal(access(wal, F_OK), 0); /* everything is in the main file */
    long page_size = pragma(f->a.db, "PRAGMA page_size");
    long pages = pragma(f->a.db, "PRAGMA page_count");
    long entries_root =
        pragma(f->a.db, "SELECT rootpage FROM sqlite_schema WHERE name = 'entries'");
    assert_true(pages >= 4);
    assert_true(entries_root > 1 && entries_root <= pages);

    /* Garbage over every page of the ledger (its tables, the schema and the
     * file header) in turn, each in a fresh copy: never a crash, never a pass.
     * The projection tables are caches that verify does not read (caseward
     * rebuild recreates them), so their pages are not part of this. */
    snprintf(copy, sizeof copy, "%s/copy.db", f->dir);
    log_t c = f->a;
    snprintf(c.db, sizeof c.db, "%s", copy);
    int ledger_page[4096] = {0};
    assert_true(pages < 4096);
    {
        sqlite3 *s = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(f->a.db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(s,
                                            "SELECT pageno FROM dbstat WHERE name IN ('entries', "
                                            "'checkpoints', 'meta', 'sqlite_schema', "
                                            "'sqlite_autoindex_meta_1')",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            ledger_page[sqlite3_column_int(st, 0)] = 1;
        sqlite3_finalize(st);
        sqlite3_close(s);
    }
    assert_true(ledger_page[1] && ledger_page[entries_root]);
    for (long page = 1; page <= pages; page++) {
        if (!ledger_page[page])
            continue;
        file_copy(f->a.db, copy);
        garble_page(copy, page, page_size, 0x9e3779b97f4a7c15u + (uint64_t)page);
        cw_rc rc = verify(&c, (pins){0}, &r, &err);
        if (rc == CW_OK)
            fail_msg("page %ld of %ld garbled, yet verify passed", page, pages);
        if (rc != CW_EDB && rc != CW_EVERIFY)
            fail_msg("page %ld: rc %d (%s)", page, rc, err.msg);
        assert_true(strlen(err.msg) > 10);
        if (page == entries_root && !strstr(err.msg, "malformed") && !strstr(err.msg, "damaged") &&
            !strstr(err.msg, "entry"))
            fail_msg("page %ld (the entries table): unclear message: %s", page, err.msg);
        unlink(copy);
    }

    /* The CLI reports it as one line and exit status 1. */
    file_copy(f->a.db, copy);
    garble_page(copy, entries_root, page_size, 42);
    char args[1024], out[4096];
    snprintf(args, sizeof args, "verify --db '%s'", copy);
    assert_int_equal(run_cli(args, out, sizeof out), 1);
    assert_non_null(strstr(out, "caseward verify: "));
    assert_non_null(strchr(out, '\n'));
    assert_null(strchr(strchr(out, '\n') + 1, '\n'));
}

static void test_not_a_database(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    cw_error err;
    log_t c = f->a;
    /* Text. */
    snprintf(c.db, sizeof c.db, "%s/notes.txt", f->dir);
    char text[8192];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = (char)('a' + i % 26);
    text[sizeof text - 1] = 0;
    write_text(c.db, text);
    cw_rc rc = verify(&c, (pins){0}, &r, &err);
    assert_int_equal(rc, CW_EDB);
    if (!strstr(err.msg, c.db) || !strstr(err.msg, "not a database"))
        fail_msg("unclear message: %s", err.msg);
    /* An empty file. */
    snprintf(c.db, sizeof c.db, "%s/empty.db", f->dir);
    write_text(c.db, "");
    assert_int_equal(verify(&c, (pins){0}, &r, &err), CW_EDB);
    assert_non_null(strstr(err.msg, "not a caseward database"));
    /* Some other SQLite database. */
    snprintf(c.db, sizeof c.db, "%s/other.db", f->dir);
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(c.db, &s), SQLITE_OK);
    sql(s, "CREATE TABLE entries(idx INTEGER PRIMARY KEY, hashes BLOB, leaf BLOB)");
    sql_rows(s, "INSERT INTO entries VALUES (0, X'00', X'00')");
    sqlite3_close(s);
    assert_int_equal(verify(&c, (pins){0}, &r, &err), CW_EDB);
    assert_non_null(strstr(err.msg, "not a caseward database"));
    /* Nothing there. */
    snprintf(c.db, sizeof c.db, "%s/absent.db", f->dir);
    assert_int_equal(verify(&c, (pins){0}, &r, &err), CW_ENOTFOUND);
    assert_non_null(strstr(err.msg, c.db));
    assert_int_not_equal(access(c.db, F_OK), 0); /* and verify did not create it */
}

/* ---- export directories ---- */

static void export_to(const log_t *lg, const char *dir)
{
    cw_ledger *l = NULL;
    cw_error err;
    uint64_t size = 0;
    cw_error_clear(&err);
    if (cw_ledger_open(lg->db, CW_LEDGER_READONLY, &l, &err) ||
        cw_ledger_export(l, dir, &size, &err))
        fail_msg("export: %s", err.msg);
    assert_int_equal(size, NENTRY);
    cw_ledger_close(l);
}

/* Reads dir/entries.jsonl into lines[] (each malloc'd, without '\n'). */
static size_t read_lines(const char *dir, char **lines, size_t max)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/entries.jsonl", dir);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char buf[4096];
    size_t n = 0;
    while (fgets(buf, sizeof buf, fp)) {
        size_t len = strlen(buf);
        assert_true(len > 0 && buf[len - 1] == '\n');
        buf[len - 1] = 0;
        assert_true(n < max);
        lines[n++] = strdup(buf);
    }
    fclose(fp);
    return n;
}

static void write_lines(const char *dir, char **lines, size_t n, int last_newline)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/entries.jsonl", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%s", lines[i], (i + 1 < n || last_newline) ? "\n" : "");
    assert_int_equal(fclose(fp), 0);
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
}

static void test_export_untouched(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    char dir[128], *lines[NENTRY + 8];
    snprintf(dir, sizeof dir, "%s/export", f->dir);
    export_to(&f->a, dir);
    size_t n = read_lines(dir, lines, NENTRY + 8);
    assert_int_equal(n, NENTRY);
    for (size_t i = 0; i < n; i++) {
        char head[32];
        snprintf(head, sizeof head, "{\"index\":%zu,", i);
        assert_int_equal(strncmp(lines[i], head, strlen(head)), 0);
    }
    free_lines(lines, n);
    expect_pass(&f->a, (pins){.dir = dir}, NENTRY, &r);
    assert_int_equal(r.key_pinned, 0);
    expect_pass(&f->a, (pins){.dir = dir, .vkey = f->a.vkey, .checkpoint = f->a.early}, NENTRY, &r);
    assert_int_equal(r.pinned_size, 12);
    assert_int_equal(r.key_pinned, 1);
    expect_pass(&f->a, (pins){.dir = dir, .vkey = f->a.vkey, .checkpoint = f->a.final}, NENTRY, &r);
    /* The root agrees with the database's. */
    cw_verify_report rdb;
    expect_pass(&f->a, (pins){0}, NENTRY, &rdb);
    assert_memory_equal(r.root, rdb.root, CW_HASH_LEN);
    expect_fail(&f->a, (pins){.dir = dir, .vkey = f->b.vkey}, "not the pinned key", NULL, NULL);
    expect_fail(&f->a, (pins){.dir = dir, .checkpoint = f->b.early}, "pinned checkpoint", NULL,
                NULL);
}

static void test_export_modified_line(void **state)
{
    fx *f = *state;
    char dir[128], *lines[NENTRY + 8];
    snprintf(dir, sizeof dir, "%s/export", f->dir);
    export_to(&f->a, dir);
    size_t n = read_lines(dir, lines, NENTRY + 8);
    char *p = strstr(lines[10], "visit 10");
    assert_non_null(p);
    p[7] = '1'; /* "visit 11" */
    write_lines(dir, lines, n, 1);
    expect_fail(&f->a, (pins){.dir = dir}, "does not match the signed checkpoint", "altered", NULL);
    expect_fail(&f->a, (pins){.dir = dir, .vkey = f->a.vkey, .checkpoint = f->a.early}, "altered",
                NULL, NULL);
    /* Two lines swapped are located by their own index. */
    p[7] = '0';
    char *t = lines[20];
    lines[20] = lines[21];
    lines[21] = t;
    write_lines(dir, lines, n, 1);
    expect_fail(&f->a, (pins){.dir = dir}, "entry 20", "index 21", NULL);
    free_lines(lines, n);
}

static void test_export_removed_last_line(void **state)
{
    fx *f = *state;
    cw_verify_report r;
    char dir[128], *lines[NENTRY + 8];
    snprintf(dir, sizeof dir, "%s/export", f->dir);
    export_to(&f->a, dir);
    size_t n = read_lines(dir, lines, NENTRY + 8);
    write_lines(dir, lines, n - 1, 1);
    expect_fail(&f->a, (pins){.dir = dir}, "39 entries", "checkpoint is for 40", "removed");
    /* Truncated to an older signed size with the older checkpoint put back: only a
     * pinned later checkpoint shows it. */
    write_lines(dir, lines, 12, 1);
    char path[256];
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    write_text(path, f->a.early);
    expect_pass(&f->a, (pins){.dir = dir, .vkey = f->a.vkey}, 12, &r);
    expect_fail(&f->a, (pins){.dir = dir, .vkey = f->a.vkey, .checkpoint = f->a.final}, "truncated",
                "for 40 entries", "only 12");
    /* An extra line is refused too. */
    write_text(path, f->a.final);
    char *extra[NENTRY + 1];
    memcpy(extra, lines, sizeof(char *) * NENTRY);
    extra[NENTRY] = lines[NENTRY - 1];
    write_lines(dir, extra, NENTRY + 1, 1);
    expect_fail(&f->a, (pins){.dir = dir}, "entry 40", NULL, NULL);
    free_lines(lines, n);
}

static void test_export_truncated_newline(void **state)
{
    fx *f = *state;
    char dir[128], *lines[NENTRY + 8];
    snprintf(dir, sizeof dir, "%s/export", f->dir);
    export_to(&f->a, dir);
    size_t n = read_lines(dir, lines, NENTRY + 8);
    write_lines(dir, lines, n, 0);
    expect_fail(&f->a, (pins){.dir = dir}, "entry 39", "newline", NULL);
    /* A last line cut short mid-entry. */
    lines[n - 1][strlen(lines[n - 1]) / 2] = 0;
    write_lines(dir, lines, n, 0);
    expect_fail(&f->a, (pins){.dir = dir}, "entry 39", NULL, NULL);
    free_lines(lines, n);
    /* A missing vkey file is an error unless a key is pinned. */
    export_to(&f->a, dir);
    char path[256];
    cw_verify_report r;
    snprintf(path, sizeof path, "%s/vkey", dir);
    assert_int_equal(unlink(path), 0);
    cw_error err;
    assert_int_not_equal(verify(&f->a, (pins){.dir = dir}, &r, &err), CW_OK);
    assert_non_null(strstr(err.msg, "vkey"));
    expect_pass(&f->a, (pins){.dir = dir, .vkey = f->a.vkey}, NENTRY, &r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_untouched_log_verifies),
        T(test_edit_payload),
        T(test_edit_with_recomputed_hashes),
        T(test_edit_recomputed_and_stale_checkpoints_removed),
        T(test_delete_middle_row),
        T(test_delete_first_row),
        T(test_truncate_tail),
        T(test_insert_row),
        T(test_swap_rows),
        T(test_resign_under_new_key),
        T(test_rewrite_with_stolen_key),
        T(test_structure_altered),
        T(test_structure_personal_trigger_dropped),
        T(test_personal_parts_tampered),
        T(test_personal_commitment_lookup),
        T(test_open_writer_refuses_forged_rows),
        T(test_checkpoint_at_max_size),
        T(test_corrupt_pages),
        T(test_not_a_database),
        T(test_export_untouched),
        T(test_export_modified_line),
        T(test_export_removed_last_line),
        T(test_export_truncated_newline),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
