/*
 * ledger_test.c — the ledger through its public interface (ledger.h,
 * entry.h, merkle.h, note.h): creating and opening a log, the leaf format,
 * atomic batches, signed checkpoints, the insert-only triggers, request
 * parsing, and proofs over the stored tree checked against an independent
 * RFC 6962 computation written here.
 *
 * Every test works in its own mkdtemp directory under /tmp, removed after. Under tests/with-pg
 * the log is a PostgreSQL database instead (tests/testdb.h), its key DIR/log.key; the tests of
 * SQLite's own file (secure_delete) are skipped there, and those of its triggers and of a
 * create or open that is refused check the same things in the database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/entry.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "util/json.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verify.h"
#include "util/time.h"
#include "testdb.h"
#include "testutil.h"

#define ORIGIN "test.caseward.example/ledger"

/* ---- fixture: a temporary directory and a database path in it ---- */

typedef struct fx {
    char dir[64];
    char db[1024]; /* a path or a URI (tdb_path) */
    char key[PATH_MAX];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cw-ledger-test-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    tdb_path(f->db, sizeof f->db, f->dir, "log"); /* on PostgreSQL: CASEWARD_KEY_FILE too */
    snprintf(f->key, sizeof f->key, tdb_pg() ? "%s/log.key" : "%s/log.db.key", f->dir);
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

/* ---- helpers ---- */

static void expect_msg(const cw_error *err, const char *want)
{
    if (!strstr(err->msg, want))
        fail_msg("error message \"%s\" does not contain \"%s\"", err->msg, want);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    fclose(fp);
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

static void create_log(fx *f)
{
    cw_error err;
    cw_error_clear(&err);
    if (cw_ledger_create(f->db, ORIGIN, &err) != CW_OK)
        fail_msg("create: %s", err.msg);
}

static cw_ledger *open_log(const char *db, int flags)
{
    cw_ledger *l = NULL;
    cw_error err;
    cw_error_clear(&err);
    if (cw_ledger_open(db, flags, &l, &err) != CW_OK)
        fail_msg("open %s: %s", db, err.msg);
    return l;
}

/* Appends one batch of n events {"i": first + k} by actor "worker.k" and checks the new size. */
static void append_n(cw_ledger *l, size_t n)
{
    cw_event ev[64];
    json_t *p[64];
    cw_error err;
    uint64_t before = cw_ledger_size(l), size = 0;
    assert_true(n <= 64);
    for (size_t k = 0; k < n; k++) {
        p[k] = json_pack("{s:I, s:s}", "i", (json_int_t)(before + k), "kind", "test");
        assert_non_null(p[k]);
        ev[k].actor = "worker.1";
        ev[k].type = "note_added";
        ev[k].payload = p[k];
    }
    cw_error_clear(&err);
    if (cw_ledger_append(l, ev, n, &size, &err) != CW_OK)
        fail_msg("append: %s", err.msg);
    assert_int_equal(size, before + n);
    assert_int_equal(cw_ledger_size(l), before + n);
    for (size_t k = 0; k < n; k++)
        json_decref(p[k]);
}

/* Everything an outsider can observe about a log's state. */
typedef struct snapshot {
    uint64_t size;
    uint8_t root[CW_HASH_LEN];
    uint64_t cp_size;
    char cp[2048];
    long long cp_rows;
    long long entry_rows;
} snapshot;

static long long count_rows(const char *db, const char *sql)
{
    cw_buf b = CW_BUF_INIT(1 << 16);
    tdb_rows(db, sql, &b, 0);
    assert_non_null(b.data);
    long long n = strtoll(b.data, NULL, 10);
    cw_buf_release(&b);
    return n;
}

/* Does the log's database exist: the file on SQLite; any table in it on PostgreSQL (where
 * the database itself is made empty by the fixture, as `caseward init` expects it). */
static int db_made(const fx *f)
{
    if (!tdb_pg())
        return exists(f->db);
    cw_buf b = CW_BUF_INIT(1 << 16);
    tdb_rows(f->db, tdb_tables_sql(), &b, 0);
    int made = b.len > 0;
    cw_buf_release(&b);
    return made;
}

static void take_snapshot(const char *db, snapshot *s)
{
    cw_error err;
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    memset(s, 0, sizeof *s);
    cw_ledger *l = open_log(db, CW_LEDGER_READONLY);
    s->size = cw_ledger_size(l);
    assert_int_equal(cw_ledger_root(l, s->size, s->root, &err), CW_OK);
    assert_int_equal(cw_ledger_checkpoint(l, &note, &s->cp_size, &err), CW_OK);
    assert_true(note.len < sizeof s->cp);
    memcpy(s->cp, note.data, note.len);
    cw_buf_release(&note);
    cw_ledger_close(l);
    s->cp_rows = count_rows(db, "SELECT count(*) FROM checkpoints");
    s->entry_rows = count_rows(db, "SELECT count(*) FROM entries");
}

static void assert_same_snapshot(const snapshot *a, const snapshot *b)
{
    assert_int_equal(a->size, b->size);
    assert_memory_equal(a->root, b->root, CW_HASH_LEN);
    assert_int_equal(a->cp_size, b->cp_size);
    assert_string_equal(a->cp, b->cp);
    assert_int_equal(a->cp_rows, b->cp_rows);
    assert_int_equal(a->entry_rows, b->entry_rows);
}

/* Opens the latest checkpoint with the log's verifier and checks it against cw_ledger_root. */
static void check_latest_checkpoint(cw_ledger *l, uint64_t want_size)
{
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_error err;
    uint64_t size = 0;
    size_t text_len = 0;
    cw_checkpoint cp;
    uint8_t root[CW_HASH_LEN];
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_checkpoint(l, &note, &size, &err), CW_OK);
    assert_int_equal(size, want_size);
    if (cw_note_open(cw_ledger_verifier(l), note.data, note.len, &text_len, &err) != CW_OK)
        fail_msg("checkpoint does not open: %s", err.msg);
    assert_int_equal(cw_checkpoint_parse(note.data, text_len, &cp, &err), CW_OK);
    assert_string_equal(cp.origin, ORIGIN);
    assert_int_equal(cp.size, want_size);
    assert_int_equal(cw_ledger_root(l, want_size, root, &err), CW_OK);
    assert_memory_equal(cp.root, root, CW_HASH_LEN);
    /* The note text is exactly the tlog-checkpoint body for this tree. */
    cw_buf b64 = CW_BUF_INIT(64);
    assert_int_equal(cw_base64_encode(root, CW_HASH_LEN, &b64), CW_OK);
    char want[512];
    snprintf(want, sizeof want, "%s\n%llu\n%s\n\n", ORIGIN, (unsigned long long)want_size,
             b64.data);
    assert_true(note.len > strlen(want));
    assert_memory_equal(note.data, want, strlen(want));
    cw_buf_release(&b64);
    cw_buf_release(&note);
}

/* ---- create and open ---- */

static void test_create_modes_and_first_checkpoint(void **state)
{
    fx *f = *state;
    struct stat st;
    cw_error err;
    create_log(f);
    if (!tdb_pg()) { /* a PostgreSQL server's files are its own */
        assert_int_equal(stat(f->db, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    cw_ledger *l = open_log(f->db, CW_LEDGER_READONLY);
    assert_int_equal(cw_ledger_size(l), 0);
    assert_string_equal(cw_ledger_origin(l), ORIGIN);
    check_latest_checkpoint(l, 0);
    /* The empty tree's root is SHA-256 of nothing (RFC 6962 section 2.1). */
    static const uint8_t empty[CW_HASH_LEN] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
                                               0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
                                               0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
                                               0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    uint8_t root[CW_HASH_LEN];
    assert_int_equal(cw_ledger_root(l, 0, root, &err), CW_OK);
    assert_memory_equal(root, empty, CW_HASH_LEN);
    /* The vkey names the origin and matches the verifier. */
    cw_buf vk = CW_BUF_INIT(1024);
    assert_int_equal(cw_ledger_vkey(l, &vk), CW_OK);
    assert_int_equal(strncmp(vk.data, ORIGIN "+", strlen(ORIGIN) + 1), 0);
    cw_buf_release(&vk);
    /* A read-only log refuses to append. */
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_EUSAGE);
    cw_ledger_close(l);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM checkpoints WHERE size = 0"), 1);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM entries"), 0);
}

static void test_create_refuses_existing_db(void **state)
{
    fx *f = *state;
    cw_error err;
    if (tdb_pg()) {
        /* A database that holds a log already (its key gone, so that the key is not what
         * refuses): refused, the log untouched, and the key this try wrote removed. */
        snapshot before, after;
        create_log(f);
        take_snapshot(f->db, &before);
        assert_int_equal(unlink(f->key), 0);
        cw_error_clear(&err);
        assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_EEXIST);
        expect_msg(&err, "already holds a caseward log");
        assert_false(exists(f->key));
        take_snapshot(f->db, &after);
        assert_same_snapshot(&before, &after);
        return;
    }
    write_file(f->db, "not mine to overwrite\n", 0644);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_EEXIST);
    expect_msg(&err, "already exists");
    expect_msg(&err, f->db);
    assert_false(exists(f->key));
    char *text = slurp(f->db, NULL);
    assert_string_equal(text, "not mine to overwrite\n");
    free(text);
}

static void test_create_refuses_existing_key(void **state)
{
    fx *f = *state;
    cw_error err;
    write_file(f->key, "someone else's key\n", 0600);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_EEXIST);
    expect_msg(&err, "already exists");
    expect_msg(&err, ".key");
    assert_false(db_made(f));
    char *text = slurp(f->key, NULL);
    assert_string_equal(text, "someone else's key\n");
    free(text);
    /* No temporary files or SQLite side files were left either. */
    DIR *d = opendir(f->dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    assert_int_equal(n, 1);
}

static void test_create_bad_origin_leaves_nothing(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_create(f->db, "has space", &err), CW_EINVAL);
    expect_msg(&err, "origin");
    assert_false(db_made(f));
    assert_false(exists(f->key));
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_create(f->db, "", &err), CW_EINVAL);
    expect_msg(&err, "origin");
    assert_false(db_made(f));
    assert_false(exists(f->key));
}

/*
 * A failure after the key was written (here: the database path is a dangling
 * symlink, so the O_EXCL create fails) removes the key it wrote, and does not
 * remove what was there before.
 */
static void test_create_failure_after_key_leaves_nothing(void **state)
{
    fx *f = *state;
    cw_error err;
    char target[PATH_MAX];
    if (tdb_pg()) {
        /* The database holds a table of someone else's named entries: the schema does not
         * load, after the key was written. The key goes; the table stays, and no log. */
        char msg[512];
        if (tdb_try_pg(f->db, "CREATE TABLE entries (theirs integer)", msg, sizeof msg))
            fail_msg("%s", msg);
        cw_error_clear(&err);
        assert_int_not_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
        assert_true(err.msg[0] != 0);
        assert_false(exists(f->key));
        assert_int_equal(count_rows(f->db, "SELECT count(*) FROM entries"), 0);
        assert_int_equal(count_rows(f->db, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                           "current_schema()"),
                         1);
        return;
    }
    snprintf(target, sizeof target, "%s/nowhere", f->dir);
    assert_int_equal(symlink(target, f->db), 0);
    cw_error_clear(&err);
    assert_int_not_equal(cw_ledger_create(f->db, ORIGIN, &err), CW_OK);
    assert_true(err.msg[0] != 0);
    assert_false(exists(f->key));
    assert_false(exists(target));
    assert_true(exists(f->db)); /* the caller's symlink is still there */
}

static void test_open_missing(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l = (cw_ledger *)1;
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_READONLY, &l, &err), CW_ENOTFOUND);
    assert_null(l);
    /* A URI is not printed (it may hold a password): the message says what is missing. */
    expect_msg(&err, tdb_pg() ? "holds no caseward log" : f->db);
    assert_false(db_made(f));
}

/* ---- appending ---- */

/* Checks the fixed-form RFC 3339 ms timestamp at ts and returns it in ms. */
static int64_t check_ts(const char *ts)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; i < sizeof pat - 1; i++) {
        if (pat[i] == 'd' ? (ts[i] < '0' || ts[i] > '9') : ts[i] != pat[i])
            fail_msg("recorded_at \"%.24s\" is not RFC 3339 with milliseconds", ts);
    }
    int64_t ms;
    char again[CW_RFC3339_MS_LEN + 1];
    assert_int_equal(cw_time_parse_ms(ts, CW_RFC3339_MS_LEN, &ms), CW_OK);
    assert_int_equal(cw_time_format_ms(ms, again), CW_OK);
    assert_memory_equal(again, ts, CW_RFC3339_MS_LEN);
    return ms;
}

static void test_append_leaf_format(void **state)
{
    fx *f = *state;
    cw_error err;
    json_error_t jerr;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    /* Keys given out of order at two depths, a non-ASCII key, and strings needing escapes. */
    json_t *p0 = json_loads("{\"z\":\"tab\\there/\\u00e9\\\"\\\\\\u0001\",\"\\u00e9\":0,"
                            "\"b\":{\"y\":[1,2],\"x\":true},\"B\":null,\"a\":1}",
                            0, &jerr);
    json_t *p1 = json_object();
    json_t *p2 = json_pack("{s:s}", "name", "A. Worker");
    assert_non_null(p0);
    cw_event ev[3] = {
        {"alice", "staff_added", p0}, {"svc:import@north-1", "note.added_2", p1}, {"b", "x", p2}};
    uint64_t size = 0;
    int64_t before = cw_time_now_ms();
    cw_error_clear(&err);
    if (cw_ledger_append(l, ev, 3, &size, &err) != CW_OK)
        fail_msg("append: %s", err.msg);
    int64_t after = cw_time_now_ms();
    assert_int_equal(size, 3);
    assert_int_equal(cw_ledger_size(l), 3);

    static const char *const tails[3] = {
        "\",\"actor\":\"alice\",\"type\":\"staff_added\",\"payload\":{\"B\":null,\"a\":1,"
        "\"b\":{\"x\":true,\"y\":[1,2]},\"z\":\"tab\\there/\xc3\xa9\\\"\\\\\\u0001\","
        "\"\xc3\xa9\":0}}",
        "\",\"actor\":\"svc:import@north-1\",\"type\":\"note.added_2\",\"payload\":{}}",
        "\",\"actor\":\"b\",\"type\":\"x\",\"payload\":{\"name\":\"A. Worker\"}}",
    };
    char first_ts[CW_RFC3339_MS_LEN + 1] = {0};
    for (unsigned i = 0; i < 3; i++) {
        cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        char head[64];
        assert_int_equal(cw_ledger_leaf(l, i, &leaf, &err), CW_OK);
        int hl = snprintf(head, sizeof head, "{\"index\":%u,\"recorded_at\":\"", i);
        assert_true(leaf.len > (size_t)hl + CW_RFC3339_MS_LEN);
        assert_memory_equal(leaf.data, head, (size_t)hl);
        const char *ts = leaf.data + hl;
        int64_t ms = check_ts(ts);
        /* The server's clock at the append (allowing for ms truncation). */
        assert_true(ms >= before - 1 && ms <= after + 1);
        if (i == 0)
            memcpy(first_ts, ts, CW_RFC3339_MS_LEN);
        else /* one batch, one recorded_at */
            assert_memory_equal(ts, first_ts, CW_RFC3339_MS_LEN);
        assert_string_equal(ts + CW_RFC3339_MS_LEN, tails[i]);
        assert_null(memchr(leaf.data, '\n', leaf.len));
        /* The leaf is valid JSON whose members are in the documented order. */
        json_t *j = json_loadb(leaf.data, leaf.len, JSON_REJECT_DUPLICATES, &jerr);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "index")), i);
        assert_int_equal(json_object_size(j), 5);
        json_decref(j);
        /* cw_entry_peek reads back the same index and time. */
        uint64_t idx;
        int64_t pms;
        assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &idx, &pms), CW_OK);
        assert_int_equal(idx, i);
        assert_int_equal(pms, ms);
        cw_buf_release(&leaf);
    }
    cw_buf none = CW_BUF_INIT(1024);
    assert_int_equal(cw_ledger_leaf(l, 3, &none, &err), CW_ENOTFOUND);
    cw_buf_release(&none);
    check_latest_checkpoint(l, 3);
    cw_ledger_close(l);
    json_decref(p0);
    json_decref(p1);
    json_decref(p2);
}

/*
 * Issue 13: the commitment to a personal part is SHA-256("caseward personal v1" 0x00 ‖ salt ‖
 * canonical JSON), as docs/ledger.md defines it; the expected value was computed with
 * Python's hashlib. A leaf with a personal part ends with "personal":{"commitment":C} after
 * the payload and is otherwise the leaf cw_entry_encode writes; the commitment is read back
 * from it, and a leaf without one (every leaf written before) has none, even if its payload
 * happens to hold a member of that name.
 */
static void test_personal_commitment_in_leaf(void **state)
{
    (void)state;
    uint8_t salt[CW_PERSONAL_SALT_LEN], c[CW_HASH_LEN], got[CW_HASH_LEN];
    for (int i = 0; i < CW_PERSONAL_SALT_LEN; i++)
        salt[i] = (uint8_t)i;
    static const char body[] = "{\"views\":\"I want to stay with Nan.\"}";
    cw_hasher h;
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    assert_int_equal(cw_hash_personal(&h, salt, body, strlen(body), c), CW_OK);
    cw_hasher_release(&h);
    cw_buf hex = CW_BUF_INIT(128);
    for (int i = 0; i < CW_HASH_LEN; i++)
        assert_int_equal(cw_buf_addf(&hex, "%02x", c[i]), CW_OK);
    assert_string_equal(hex.data,
                        "f586d9266302c86bf8ff0cef8680ee150a4be56a847662885178fab4d66504c1");
    cw_buf_release(&hex);

    json_t *p = json_pack("{s:s,s:b}", "child_id", "C1", "views", 1);
    cw_event ev = {"sw.jones", "statutory_visit", p};
    cw_buf v1 = CW_BUF_INIT(1024), v2 = CW_BUF_INIT(1024);
    cw_error err;
    assert_int_equal(cw_entry_encode(7, 1764000000000, &ev, &v1, &err), CW_OK);
    assert_int_equal(cw_entry_encode_full(7, 1764000000000, &ev, NULL, c, &v2, &err), CW_OK);
    static const char tail[] =
        ",\"personal\":{\"commitment\":\"9YbZJmMCyGv4/wzvhoDuFQpL5WqEdmKIUXj6tNZlBME=\"}}";
    assert_int_equal(v2.len, v1.len - 1 + strlen(tail));
    assert_memory_equal(v2.data, v1.data, v1.len - 1);
    assert_memory_equal(v2.data + v1.len - 1, tail, strlen(tail));
    json_t *parsed = json_loadb(v2.data, v2.len, 0, NULL);
    assert_non_null(parsed);
    json_decref(parsed);
    int found = -1;
    cw_entry_peek_commitment((const uint8_t *)v2.data, v2.len, &found, got);
    assert_int_equal(found, 1);
    assert_memory_equal(got, c, CW_HASH_LEN);
    cw_entry_peek_commitment((const uint8_t *)v1.data, v1.len, &found, got);
    assert_int_equal(found, 0);
    json_decref(p);

    /* a payload that ends with a member of the same shape is not a personal part */
    p = json_pack("{s:{s:s}}", "personal", "commitment",
                  "9YbZJmMCyGv4/wzvhoDuFQpL5WqEdmKIUXj6tNZlBME=");
    ev.payload = p;
    cw_buf_reset(&v1);
    assert_int_equal(cw_entry_encode(8, 1764000000000, &ev, &v1, &err), CW_OK);
    cw_entry_peek_commitment((const uint8_t *)v1.data, v1.len, &found, got);
    assert_int_equal(found, 0);
    json_decref(p);
    cw_buf_release(&v1);
    cw_buf_release(&v2);
}

static void test_recorded_at_non_decreasing(void **state)
{
    fx *f = *state;
    cw_error err;
    create_log(f);
    for (int round = 0; round < 3; round++) {
        cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
        for (size_t n = 1; n <= 4; n++)
            append_n(l, n);
        cw_ledger_close(l);
    }
    cw_ledger *l = open_log(f->db, CW_LEDGER_READONLY);
    assert_int_equal(cw_ledger_size(l), 30);
    int64_t last = INT64_MIN;
    for (uint64_t i = 0; i < 30; i++) {
        cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        uint64_t idx;
        int64_t ms;
        assert_int_equal(cw_ledger_leaf(l, i, &leaf, &err), CW_OK);
        assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &idx, &ms), CW_OK);
        assert_int_equal(idx, i);
        assert_true(ms >= last);
        last = ms;
        cw_buf_release(&leaf);
    }
    cw_ledger_close(l);
}

static void check_bad_batch(fx *f, const cw_event *bad, const char *field, const char *value)
{
    cw_error err;
    snapshot before, after;
    take_snapshot(f->db, &before);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    json_t *p = json_pack("{s:s}", "ok", "yes");
    cw_event ev[3] = {{"alice", "good_one", p}, *bad, {"alice", "good_two", p}};
    uint64_t size = 12345;
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_append(l, ev, 3, &size, &err), CW_EINVAL);
    assert_int_equal(size, 12345);
    expect_msg(&err, "event 2: ");
    expect_msg(&err, field);
    if (value)
        expect_msg(&err, value);
    /* The open handle is back where it was ... */
    assert_int_equal(cw_ledger_size(l), before.size);
    uint8_t root[CW_HASH_LEN];
    assert_int_equal(cw_ledger_root(l, before.size, root, &err), CW_OK);
    assert_memory_equal(root, before.root, CW_HASH_LEN);
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    assert_int_equal(cw_ledger_leaf(l, before.size, &leaf, &err), CW_ENOTFOUND);
    cw_buf_release(&leaf);
    cw_ledger_close(l);
    /* ... and so is the database, as a fresh reader sees it. */
    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);
    /* The next good batch gets the next index. */
    l = open_log(f->db, CW_LEDGER_WRITE);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_append(l, ev, 1, &size, &err), CW_OK);
    assert_int_equal(size, before.size + 1);
    check_latest_checkpoint(l, before.size + 1);
    cw_ledger_close(l);
    json_decref(p);
}

static void test_bad_event_leaves_log_unchanged(void **state)
{
    fx *f = *state;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 5);
    cw_ledger_close(l);

    json_t *obj = json_object();
    json_t *arr = json_array();
    json_t *str = json_string("text");
    cw_event bad_type = {"alice", "Visit!", obj};
    cw_event upper_type = {"alice", "visitRecorded", obj};
    cw_event empty_type = {"alice", "", obj};
    cw_event long_type = {"alice",
                          "a1234567890123456789012345678901234567890123456789012345678901234", obj};
    cw_event payload_array = {"alice", "visit", arr};
    cw_event payload_string = {"alice", "visit", str};
    cw_event payload_null = {"alice", "visit", NULL};
    cw_event bad_actor = {"alice smith", "visit", obj};
    cw_event empty_actor = {"", "visit", obj};
    check_bad_batch(f, &bad_type, "type", "Visit!");
    check_bad_batch(f, &upper_type, "type", "visitRecorded");
    check_bad_batch(f, &empty_type, "type", NULL);
    check_bad_batch(f, &long_type, "type", NULL);
    check_bad_batch(f, &payload_array, "payload", "object");
    check_bad_batch(f, &payload_string, "payload", "object");
    check_bad_batch(f, &payload_null, "payload", "object");
    check_bad_batch(f, &bad_actor, "actor", "alice smith");
    check_bad_batch(f, &empty_actor, "actor", NULL);
    json_decref(obj);
    json_decref(arr);
    json_decref(str);

    /* 5 entries, then one good event after each of the 9 failures. */
    cw_verify_opts o = {.db_path = f->db};
    cw_verify_report r;
    cw_error err;
    cw_error_clear(&err);
    if (cw_verify(&o, &r, &err) != CW_OK)
        fail_msg("verify: %s", err.msg);
    assert_int_equal(r.size, 14);
    assert_int_equal(r.checkpoints, 11);
}

static void test_streamed_abort_leaves_nothing(void **state)
{
    fx *f = *state;
    cw_error err;
    snapshot before, after;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 4);
    take_snapshot(f->db, &before);
    json_t *p = json_pack("{s:i}", "n", 1);
    cw_event ev = {"bob", "streamed", p};

    /* begin, add, abort */
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_EUSAGE); /* one at a time */
    for (uint64_t k = 0; k < 3; k++) {
        uint64_t idx = 99;
        assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
        assert_int_equal(idx, 4 + k);
    }
    cw_ledger_batch_abort(l);
    assert_int_equal(cw_ledger_size(l), 4);
    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);

    /* a failed add: the whole batch is refused at commit time too */
    cw_event bad = {"bob", "Bad Type", p};
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add(l, &ev, NULL, &err), CW_OK);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_batch_add(l, &bad, NULL, &err), CW_EINVAL);
    expect_msg(&err, "type");
    cw_ledger_batch_abort(l);
    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);

    /* closing with a batch open is an abort */
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add(l, &ev, NULL, &err), CW_OK);
    cw_ledger_close(l);
    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);

    /* begin, add, commit: visible, with its checkpoint */
    l = open_log(f->db, CW_LEDGER_WRITE);
    assert_int_equal(cw_ledger_batch_commit(l, NULL, &err), CW_EUSAGE); /* nothing open */
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    uint64_t idx = 0, size = 0;
    assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
    assert_int_equal(idx, 4);
    assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
    assert_int_equal(idx, 5);
    /* a reader does not see the open batch */
    snapshot mid;
    take_snapshot(f->db, &mid);
    assert_same_snapshot(&before, &mid);
    cw_error_clear(&err);
    if (cw_ledger_batch_commit(l, &size, &err) != CW_OK)
        fail_msg("commit: %s", err.msg);
    assert_int_equal(size, 6);
    check_latest_checkpoint(l, 6);
    cw_ledger_close(l);
    l = open_log(f->db, CW_LEDGER_READONLY);
    assert_int_equal(cw_ledger_size(l), 6);
    check_latest_checkpoint(l, 6);
    cw_ledger_close(l);
    json_decref(p);
}

/* An empty batch is a no-op that succeeds: same size, no new checkpoint. */
static void test_empty_batch(void **state)
{
    fx *f = *state;
    cw_error err;
    snapshot before, after;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    uint64_t size = 99;
    cw_error_clear(&err);
    if (cw_ledger_append(l, NULL, 0, &size, &err) != CW_OK)
        fail_msg("empty append to an empty log: %s", err.msg);
    assert_int_equal(size, 0);
    append_n(l, 3);
    take_snapshot(f->db, &before);
    size = 99;
    cw_error_clear(&err);
    if (cw_ledger_append(l, NULL, 0, &size, &err) != CW_OK)
        fail_msg("empty append: %s", err.msg);
    assert_int_equal(size, 3);
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    size = 99;
    if (cw_ledger_batch_commit(l, &size, &err) != CW_OK)
        fail_msg("empty streamed batch: %s", err.msg);
    assert_int_equal(size, 3);
    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);
    /* and the log goes on as before */
    append_n(l, 2);
    check_latest_checkpoint(l, 5);
    cw_ledger_close(l);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM checkpoints"), 3);
}

static void test_checkpoint_per_batch(void **state)
{
    fx *f = *state;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    static const size_t batches[] = {3, 1, 7, 2, 16, 1};
    uint64_t total = 0;
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        append_n(l, batches[b]);
        total += batches[b];
        check_latest_checkpoint(l, total);
    }
    cw_ledger_close(l);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM checkpoints"), 7);
    /* one per batch, at exactly the batch boundaries */
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM checkpoints WHERE size IN "
                                       "(0, 3, 4, 11, 13, 29, 30)"),
                     7);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM entries"), 30);

    /* And every one of them verifies against the stored tree. */
    cw_verify_opts o = {.db_path = f->db};
    cw_verify_report r;
    cw_error err;
    cw_error_clear(&err);
    if (cw_verify(&o, &r, &err) != CW_OK)
        fail_msg("verify: %s", err.msg);
    assert_int_equal(r.size, 30);
    assert_int_equal(r.checkpoints, 7);
}

static void check_refused(sqlite3 *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        fail_msg("\"%s\" was not refused", sql);
    assert_int_equal(rc, SQLITE_CONSTRAINT);
    if (!msg || !strstr(msg, "append-only"))
        fail_msg("\"%s\": unexpected message %s", sql, msg ? msg : "(none)");
    sqlite3_free(msg);
}

/* PostgreSQL's twin of check_refused: the statement fails, naming why (as a superuser, whom
 * no grant stops: only the triggers do). */
static void check_refused_pg(const char *db, const char *sql, const char *why)
{
    char msg[1024];
    if (!tdb_try_pg(db, sql, msg, sizeof msg))
        fail_msg("\"%s\" was not refused", sql);
    if (!strstr(msg, why))
        fail_msg("\"%s\": unexpected message %s", sql, msg);
}

static void test_triggers_refuse_update_delete(void **state)
{
    fx *f = *state;
    snapshot before, after;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 3);
    cw_ledger_close(l);
    take_snapshot(f->db, &before);

    if (tdb_pg()) {
        static const char *const refused[] = {
            "UPDATE entries SET leaf = '\\x00' WHERE idx = 1",
            "UPDATE entries SET idx = 7 WHERE idx = 2",
            "UPDATE entries SET hashes = hashes",
            "DELETE FROM entries WHERE idx = 2",
            "DELETE FROM entries",
            "TRUNCATE entries",
            "UPDATE checkpoints SET note = 'x' WHERE size = 3",
            "DELETE FROM checkpoints WHERE size = 3",
            "DELETE FROM checkpoints",
            "TRUNCATE checkpoints",
            /* PostgreSQL's replace: fires the UPDATE trigger */
            "INSERT INTO entries(idx, hashes, leaf) VALUES (1, '\\x00', '\\x00') "
            "ON CONFLICT (idx) DO UPDATE SET leaf = EXCLUDED.leaf",
            "INSERT INTO checkpoints(size, note) VALUES (3, 'x') "
            "ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note",
        };
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
            check_refused_pg(f->db, refused[i], "append-only");
        /* A plain duplicate insert fails on the primary key. */
        check_refused_pg(f->db,
                         "INSERT INTO entries(idx, hashes, leaf) VALUES (1, '\\x00', '\\x00')",
                         "duplicate key");
    } else {
        sqlite3 *s = NULL;
        assert_int_equal(sqlite3_open_v2(f->db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        check_refused(s, "UPDATE entries SET leaf = X'00' WHERE idx = 1");
        check_refused(s, "UPDATE entries SET idx = 7 WHERE idx = 2");
        check_refused(s, "UPDATE entries SET hashes = hashes");
        check_refused(s, "DELETE FROM entries WHERE idx = 2");
        check_refused(s, "DELETE FROM entries");
        check_refused(s, "UPDATE checkpoints SET note = 'x' WHERE size = 3");
        check_refused(s, "DELETE FROM checkpoints WHERE size = 3");
        check_refused(s, "DELETE FROM checkpoints");
        /* INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless
         * recursive_triggers is on), so it needs refusing on its own. */
        check_refused(s,
                      "INSERT OR REPLACE INTO entries(idx, hashes, leaf) VALUES (1, X'00', X'00')");
        check_refused(s, "REPLACE INTO checkpoints(size, note) VALUES (3, 'x')");
        /* A plain duplicate insert fails on the primary key. */
        char *msg = NULL;
        assert_int_not_equal(
            sqlite3_exec(s, "INSERT INTO entries(idx, hashes, leaf) VALUES (1, X'00', X'00')", NULL,
                         NULL, &msg),
            SQLITE_OK);
        sqlite3_free(msg);
        sqlite3_close(s);
    }

    take_snapshot(f->db, &after);
    assert_same_snapshot(&before, &after);
    cw_verify_opts o = {.db_path = f->db};
    cw_verify_report r;
    cw_error err;
    assert_int_equal(cw_verify(&o, &r, &err), CW_OK);
}

/* ---- the personal table (schema 7): erase-only, beside the log ---- */

/* Like check_refused, for the personal table's triggers: the message names why. */
static void check_personal_refused(sqlite3 *s, const char *sql, const char *why)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        fail_msg("\"%s\" was not refused", sql);
    assert_int_equal(rc, SQLITE_CONSTRAINT);
    if (!msg || !strstr(msg, why))
        fail_msg("\"%s\": unexpected message %s", sql, msg ? msg : "(none)");
    sqlite3_free(msg);
}

/* Reads entry idx's personal row through the store; returns its state. */
static cw_personal_state personal_state(cw_store *st, uint64_t idx, cw_buf *salt, cw_buf *body,
                                        uint64_t *erased_idx)
{
    cw_personal_state state = CW_PERSONAL_HELD;
    cw_error err;
    cw_error_clear(&err);
    uint64_t e = 77;
    if (cw_store_personal_get(st, idx, salt, body, &state, &e, &err) != CW_OK)
        fail_msg("personal_get %llu: %s", (unsigned long long)idx, err.msg);
    if (erased_idx)
        *erased_idx = e;
    return state;
}

/*
 * personal_put inside the append transaction, then get: the same salt and body
 * come back; an entry with none is absent. Erasing leaves the row with NULL salt
 * and body and the erasure entry's index, and is refused a second time.
 */
/*
 * Issue 13: an event appended with a personal part gets a fresh random salt; its leaf carries
 * the commitment, and the part (canonical JSON) and salt are stored with it, so that
 * cw_hash_personal of what is stored equals what the leaf commits to. Two appends of the same
 * part get different salts, so different commitments. Without a part the leaf is the one
 * cw_ledger_batch_add writes, and nothing is stored beside it; an aborted batch leaves no
 * part behind; a part that is not an object is refused.
 */
static void test_append_personal_part(void **state)
{
    fx *f = *state;
    cw_error err;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    cw_store *st = cw_ledger_store(l);
    json_t *facts = json_pack("{s:s,s:b}", "child_id", "C1", "views", 1);
    json_t *part = json_pack("{s:s}", "views", "I want to stay with Nan.");
    cw_event ev = {"sw.jones", "statutory_visit", facts};
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    uint64_t idx[3];
    assert_int_equal(cw_ledger_batch_add_personal(l, &ev, NULL, part, &idx[0], &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_personal(l, &ev, NULL, part, &idx[1], &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_personal(l, &ev, NULL, NULL, &idx[2], &err), CW_OK);
    if (cw_ledger_batch_commit(l, NULL, &err) != CW_OK)
        fail_msg("commit: %s", err.msg);
    uint8_t c[2][CW_HASH_LEN];
    cw_hasher h;
    assert_int_equal(cw_hasher_init(&h), CW_OK);
    for (int k = 0; k < 2; k++) {
        cw_buf leaf = CW_BUF_INIT(1 << 16), salt = CW_BUF_INIT(64), body = CW_BUF_INIT(1 << 16);
        assert_int_equal(cw_ledger_leaf(l, idx[k], &leaf, &err), CW_OK);
        int found = 0;
        uint8_t want[CW_HASH_LEN];
        cw_entry_peek_commitment((const uint8_t *)leaf.data, leaf.len, &found, c[k]);
        assert_int_equal(found, 1);
        assert_null(strstr(leaf.data, "Nan"));
        assert_int_equal(personal_state(st, idx[k], &salt, &body, NULL), CW_PERSONAL_HELD);
        assert_int_equal(salt.len, CW_PERSONAL_SALT_LEN);
        assert_int_equal(body.len, strlen("{\"views\":\"I want to stay with Nan.\"}"));
        assert_memory_equal(body.data, "{\"views\":\"I want to stay with Nan.\"}", body.len);
        assert_int_equal(
            cw_hash_personal(&h, (const uint8_t *)salt.data, body.data, body.len, want), CW_OK);
        assert_memory_equal(want, c[k], CW_HASH_LEN);
        cw_buf_release(&leaf);
        cw_buf_release(&salt);
        cw_buf_release(&body);
    }
    cw_hasher_release(&h);
    assert_memory_not_equal(c[0], c[1], CW_HASH_LEN);
    /* without a part: the leaf cw_entry_encode writes, nothing beside it */
    cw_buf leaf = CW_BUF_INIT(1 << 16), plain = CW_BUF_INIT(1 << 16);
    assert_int_equal(cw_ledger_leaf(l, idx[2], &leaf, &err), CW_OK);
    int64_t ms = 0;
    uint64_t own = 0;
    assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &own, &ms), CW_OK);
    assert_int_equal(cw_entry_encode(idx[2], ms, &ev, &plain, &err), CW_OK);
    assert_int_equal(leaf.len, plain.len);
    assert_memory_equal(leaf.data, plain.data, leaf.len);
    assert_int_equal(personal_state(st, idx[2], NULL, NULL, NULL), CW_PERSONAL_ABSENT);
    cw_buf_release(&leaf);
    cw_buf_release(&plain);
    /* an aborted batch leaves no part; a part that is not an object is refused */
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    uint64_t gone = 0;
    assert_int_equal(cw_ledger_batch_add_personal(l, &ev, NULL, part, &gone, &err), CW_OK);
    cw_ledger_batch_abort(l);
    assert_int_equal(personal_state(st, gone, NULL, NULL, NULL), CW_PERSONAL_ABSENT);
    json_t *arr = json_array();
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_personal(l, &ev, NULL, arr, NULL, &err), CW_EINVAL);
    cw_ledger_batch_abort(l);
    assert_int_equal(cw_ledger_size(l), 3);
    json_decref(arr);
    json_decref(part);
    json_decref(facts);
    cw_ledger_close(l);
    cw_verify_opts vo = {f->db, NULL, NULL, NULL, 0};
    cw_verify_report r;
    if (cw_verify(&vo, &r, &err) != CW_OK)
        fail_msg("verify: %s", err.msg);
}

static void test_personal_put_get_erase(void **state)
{
    fx *f = *state;
    cw_error err;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    cw_store *st = cw_ledger_store(l);
    uint8_t salt[32];
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)(i * 7 + 1);
    static const char body[] = "{\"given_name\":\"Ada\",\"family_name\":\"Byron\"}";
    json_t *p = json_pack("{s:i}", "n", 1);
    cw_event ev = {"worker.1", "note_added", p};

    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    for (uint64_t k = 0; k < 3; k++) {
        uint64_t idx = 99;
        assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
        assert_int_equal(idx, k);
        if (k > 0 &&
            cw_store_personal_put(st, idx, salt, sizeof salt, body, sizeof body - 1, &err) != CW_OK)
            fail_msg("personal_put: %s", err.msg);
    }
    /* one row per entry: a second put for the same index is refused */
    cw_error_clear(&err);
    assert_int_not_equal(cw_store_personal_put(st, 1, salt, sizeof salt, "{}", 2, &err), CW_OK);
    if (cw_ledger_batch_commit(l, NULL, &err) != CW_OK)
        fail_msg("commit: %s", err.msg);

    cw_buf s = CW_BUF_INIT(1 << 16), b = CW_BUF_INIT(1 << 16);
    assert_int_equal(personal_state(st, 1, &s, &b, NULL), CW_PERSONAL_HELD);
    assert_int_equal(s.len, sizeof salt);
    assert_memory_equal(s.data, salt, sizeof salt);
    assert_int_equal(b.len, sizeof body - 1);
    assert_memory_equal(b.data, body, sizeof body - 1);
    cw_buf_reset(&s);
    cw_buf_reset(&b);
    assert_int_equal(personal_state(st, 0, &s, &b, NULL), CW_PERSONAL_ABSENT);
    assert_int_equal(personal_state(st, 42, &s, &b, NULL), CW_PERSONAL_ABSENT);
    assert_int_equal(s.len + b.len, 0);

    /* erase entry 1's personal part, as erasure entry 2 would */
    assert_int_equal(cw_store_begin(st, &err), CW_OK);
    if (cw_store_personal_erase(st, 1, 2, &err) != CW_OK)
        fail_msg("erase: %s", err.msg);
    assert_int_equal(cw_store_commit(st, &err), CW_OK);
    uint64_t erased = 0;
    assert_int_equal(personal_state(st, 1, &s, &b, &erased), CW_PERSONAL_ERASED);
    assert_int_equal(erased, 2);
    assert_int_equal(s.len + b.len, 0);
    assert_int_equal(personal_state(st, 2, &s, &b, NULL), CW_PERSONAL_HELD);
    cw_buf_reset(&s);
    cw_buf_reset(&b);

    /* a second erasure is refused and changes nothing; no row: not found */
    assert_int_equal(cw_store_begin(st, &err), CW_OK);
    cw_error_clear(&err);
    assert_int_equal(cw_store_personal_erase(st, 1, 3, &err), CW_EDB);
    expect_msg(&err, "personal data can only be erased");
    cw_error_clear(&err);
    assert_int_equal(cw_store_personal_erase(st, 0, 3, &err), CW_ENOTFOUND);
    cw_store_rollback(st);
    assert_int_equal(personal_state(st, 1, &s, &b, &erased), CW_PERSONAL_ERASED);
    assert_int_equal(erased, 2);
    cw_ledger_close(l);

    /* The row as stored: NULL salt and body, the erasure's index. */
    cw_buf row = CW_BUF_INIT(1 << 10);
    tdb_rows(f->db,
             "SELECT CASE WHEN salt IS NULL THEN 1 ELSE 0 END, "
             "CASE WHEN body IS NULL THEN 1 ELSE 0 END, erased_idx FROM personal WHERE idx = 1",
             &row, 1);
    assert_non_null(row.data);
    assert_string_equal(row.data, "i:1|i:1|i:2\n");
    cw_buf_release(&row);

    /* Anything but an erasure of a held row is refused by the triggers, whoever asks. */
    static const char *const updates[] = {
        "UPDATE personal SET body = X'00' WHERE idx = 2",
        "UPDATE personal SET salt = NULL WHERE idx = 2",
        "UPDATE personal SET salt = NULL, body = NULL WHERE idx = 2", /* no erasure entry */
        "UPDATE personal SET idx = 7, salt = NULL, body = NULL, erased_idx = 3 WHERE idx = 2",
        "UPDATE personal SET erased_idx = 9 WHERE idx = 1",             /* erased again */
        "UPDATE personal SET erased_idx = NULL WHERE idx = 1",          /* un-erased */
        "UPDATE personal SET salt = X'00', body = X'00' WHERE idx = 1", /* refilled */
    };
    if (tdb_pg()) {
        static const char *const pg_refused[][2] = {
            {"UPDATE personal SET body = '\\x00' WHERE idx = 2", "can only be erased"},
            {"UPDATE personal SET salt = NULL WHERE idx = 2", "can only be erased"},
            {"UPDATE personal SET salt = NULL, body = NULL WHERE idx = 2", "can only be erased"},
            {"UPDATE personal SET idx = 7, salt = NULL, body = NULL, erased_idx = 3 WHERE idx = 2",
             "can only be erased"},
            {"UPDATE personal SET erased_idx = 9 WHERE idx = 1", "can only be erased"},
            {"UPDATE personal SET erased_idx = NULL WHERE idx = 1", "can only be erased"},
            {"UPDATE personal SET salt = '\\x00', body = '\\x00' WHERE idx = 1",
             "can only be erased"},
            {"DELETE FROM personal WHERE idx = 1", "not deleted"},
            {"DELETE FROM personal", "not deleted"},
            {"TRUNCATE personal", "not deleted"},
            /* PostgreSQL's replace fires the UPDATE trigger */
            {"INSERT INTO personal(idx, salt, body) VALUES (2, '\\x00', '\\x00') "
             "ON CONFLICT (idx) DO UPDATE SET salt = EXCLUDED.salt, body = EXCLUDED.body",
             "can only be erased"},
        };
        for (size_t i = 0; i < sizeof pg_refused / sizeof pg_refused[0]; i++)
            check_refused_pg(f->db, pg_refused[i][0], pg_refused[i][1]);
    } else {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        for (size_t i = 0; i < sizeof updates / sizeof updates[0]; i++)
            check_personal_refused(db, updates[i], "can only be erased");
        check_personal_refused(db, "DELETE FROM personal WHERE idx = 1", "not deleted");
        check_personal_refused(db, "DELETE FROM personal", "not deleted");
        check_personal_refused(db,
                               "INSERT OR REPLACE INTO personal(idx, salt, body) VALUES (2, X'00', "
                               "X'00')",
                               "not replaced");
        sqlite3_close(db);
    }

    /* The held row is untouched. These rows were put straight into the store, for entries
     * whose leaves commit to no personal part (cw_ledger_batch_add_personal writes the two
     * together): verify finds the first of them, and otherwise the structure holds. */
    l = open_log(f->db, CW_LEDGER_READONLY);
    assert_int_equal(personal_state(cw_ledger_store(l), 2, &s, &b, NULL), CW_PERSONAL_HELD);
    assert_memory_equal(b.data, body, sizeof body - 1);
    cw_ledger_close(l);
    cw_verify_opts o = {.db_path = f->db};
    cw_verify_report r;
    cw_error_clear(&err);
    assert_int_equal(cw_verify(&o, &r, &err), CW_EVERIFY);
    if (!strstr(err.msg, "entry 1: personal data is stored for it, but its leaf commits to none"))
        fail_msg("verify: %s", err.msg);
    cw_buf_release(&s);
    cw_buf_release(&b);
    json_decref(p);
}

/* A personal row put in an append batch that is aborted is gone with the batch. */
static void test_personal_abort_leaves_no_row(void **state)
{
    fx *f = *state;
    cw_error err;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 2);
    json_t *p = json_pack("{s:i}", "n", 1);
    cw_event ev = {"worker.1", "note_added", p};
    uint8_t salt[32] = {1};
    uint64_t idx = 0;
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
    assert_int_equal(idx, 2);
    assert_int_equal(
        cw_store_personal_put(cw_ledger_store(l), idx, salt, sizeof salt, "{}", 2, &err), CW_OK);
    cw_ledger_batch_abort(l);
    cw_buf s = CW_BUF_INIT(64), b = CW_BUF_INIT(64);
    assert_int_equal(personal_state(cw_ledger_store(l), 2, &s, &b, NULL), CW_PERSONAL_ABSENT);
    cw_ledger_close(l);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM personal"), 0);
    cw_buf_release(&s);
    cw_buf_release(&b);
    json_decref(p);
}

/*
 * secure_delete is set by caseward, not left to how SQLite was built: every new
 * connection here starts with it OFF (an auto-extension, as a library built
 * without SQLITE_SECURE_DELETE would), and the writer's and the scratch's
 * connections still have it ON. Its effect: an erased body's bytes are not
 * left in the database file.
 */
static sqlite3 *last_opened;

static int secure_delete_off(sqlite3 *db, char **msg, const struct sqlite3_api_routines *api)
{
    (void)msg;
    (void)api;
    last_opened = db;
    return sqlite3_exec(db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL);
}

/* Does the file at path hold the bytes of text anywhere? */
static int file_has(const char *path, const char *text)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = strlen(text), len = 0, cap = 1 << 20;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(fp);
    int found = 0;
    for (size_t i = 0; !found && i + n <= len; i++)
        found = !memcmp(buf + i, text, n);
    free(buf);
    return found;
}

static int secure_delete_of(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA secure_delete", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int on = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return on;
}

static void test_secure_delete_on(void **state)
{
    /* SQLite's pragma and file. PostgreSQL has no secure_delete: an erased body's old row
     * version stays in the table's file until VACUUM, and in the write-ahead log, and
     * caseward does not yet do anything about either (docs/privacy.md speaks of SQLite). */
    TDB_SQLITE_ONLY();
    fx *f = *state;
    cw_error err;
    create_log(f);
    assert_int_equal(sqlite3_auto_extension((void (*)(void))secure_delete_off), SQLITE_OK);

    /* the check: a plain connection now has it off */
    sqlite3 *plain = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &plain, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(secure_delete_of(plain), 0);
    sqlite3_close(plain);

    last_opened = NULL;
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    assert_non_null(last_opened);
    assert_int_equal(secure_delete_of(last_opened), 1);

    cw_store *scratch = NULL;
    last_opened = NULL;
    cw_error_clear(&err);
    if (cw_store_open_scratch(f->db, &scratch, &err) != CW_OK)
        fail_msg("scratch: %s", err.msg);
    assert_non_null(last_opened);
    assert_int_equal(secure_delete_of(last_opened), 1);
    cw_store_close(scratch);

    /* An erased body leaves no trace in the file (the WAL is checkpointed and removed when
     * the last connection closes). */
    /* Long enough to spill onto overflow pages, which without secure_delete are put on the
     * free list as they are, text and all (a short body's cell is overwritten anyway). */
    char canary[6000];
    memset(canary, 'x', sizeof canary);
    memcpy(canary, "{\"given_name\":\"", 15);
    memcpy(canary + sizeof canary - 25, "Canary-7f3e9a1c-Zebedee\"}", 25);
    uint8_t salt[32] = {9};
    json_t *p = json_pack("{s:i}", "n", 1);
    cw_event ev = {"worker.1", "note_added", p};
    uint64_t idx = 0;
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add(l, &ev, &idx, &err), CW_OK);
    assert_int_equal(cw_store_personal_put(cw_ledger_store(l), idx, salt, sizeof salt, canary,
                                           sizeof canary, &err),
                     CW_OK);
    assert_int_equal(cw_ledger_batch_commit(l, NULL, &err), CW_OK);
    cw_ledger_close(l);
    assert_true(file_has(f->db, "Zebedee")); /* held: in the file */

    l = open_log(f->db, CW_LEDGER_WRITE);
    cw_store *st = cw_ledger_store(l);
    assert_int_equal(cw_store_begin(st, &err), CW_OK);
    assert_int_equal(cw_store_personal_erase(st, idx, idx + 1, &err), CW_OK);
    assert_int_equal(cw_store_commit(st, &err), CW_OK);
    cw_ledger_close(l);
    sqlite3_cancel_auto_extension((void (*)(void))secure_delete_off);
    char wal[PATH_MAX + 8];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    assert_false(exists(wal));
    assert_false(file_has(f->db, "Zebedee")); /* erased: gone */
    json_decref(p);
}

/* ---- request parsing (one line of `caseward append` input) ---- */

static void refuse_request(const char *line, size_t len, cw_rc want, const char *m1, const char *m2)
{
    cw_event ev;
    json_t *holder = (json_t *)1;
    cw_error err;
    cw_error_clear(&err);
    cw_rc rc = cw_entry_parse_request(line, len, "cli", &ev, &holder, &err);
    if (rc != want)
        fail_msg("request %.60s: got rc %d (%s), want %d", line, rc, err.msg, want);
    assert_null(holder);
    expect_msg(&err, m1);
    if (m2)
        expect_msg(&err, m2);
}

#define REFUSE(s, want, m1, m2) refuse_request(s, sizeof(s) - 1, want, m1, m2)

static void test_parse_request_accepts(void **state)
{
    (void)state;
    cw_event ev;
    json_t *holder = NULL;
    cw_error err;
    static const char a[] = "{\"type\":\"visit_recorded\"}";
    assert_int_equal(cw_entry_parse_request(a, sizeof a - 1, "cli", &ev, &holder, &err), CW_OK);
    assert_string_equal(ev.type, "visit_recorded");
    assert_string_equal(ev.actor, "cli");
    assert_true(json_is_object(ev.payload));
    assert_int_equal(json_object_size(ev.payload), 0);
    json_decref(holder);
    static const char b[] = "{\"payload\":{\"k\":[1]},\"actor\":\"sw.jones\",\"type\":\"a.b\"}";
    assert_int_equal(cw_entry_parse_request(b, sizeof b - 1, "cli", &ev, &holder, &err), CW_OK);
    assert_string_equal(ev.type, "a.b");
    assert_string_equal(ev.actor, "sw.jones");
    assert_int_equal(json_array_size(json_object_get(ev.payload, "k")), 1);
    json_decref(holder);
}

static void test_parse_request_refusals(void **state)
{
    (void)state;
    REFUSE("{\"type\":\"a\",\"colour\":\"red\"}", CW_EINVAL, "colour", "unknown field");
    REFUSE("{\"type\":\"a\",\"index\":3}", CW_EINVAL, "index", "set by the log");
    REFUSE("{\"type\":\"a\",\"recorded_at\":\"2026-01-01T00:00:00.000Z\"}", CW_EINVAL,
           "recorded_at", "set by the log");
    REFUSE("{\"actor\":\"x\"}", CW_EINVAL, "type", "missing");
    REFUSE("{}", CW_EINVAL, "type", "missing");
    REFUSE("{\"type\":7}", CW_EINVAL, "type", "must be a string");
    REFUSE("{\"type\":null}", CW_EINVAL, "type", "must be a string");
    REFUSE("{\"type\":\"Bad Type\"}", CW_EINVAL, "type", "Bad Type");
    REFUSE("{\"type\":\"a\",\"actor\":5}", CW_EINVAL, "actor", "must be a string");
    REFUSE("{\"type\":\"a\",\"actor\":\"x y\"}", CW_EINVAL, "actor", "x y");
    REFUSE("{\"type\":\"a\",\"payload\":[1]}", CW_EINVAL, "payload", "object");
    REFUSE("{\"type\":\"a\",\"payload\":\"s\"}", CW_EINVAL, "payload", "object");
    REFUSE("{\"type\":\"a\",\"payload\":{\"n\":\"\xc3\x28\"}}", CW_EINVAL, "UTF-8", "byte 29");
    REFUSE("{\"type\":\"a\",\"payload\":{\"n\":\"\xed\xa0\x80\"}}", CW_EINVAL, "UTF-8", NULL);
    REFUSE("{\"type\":\"a\",\"payload\":{\"n\":\"\xc0\xaf\"}}", CW_EINVAL, "UTF-8", NULL);
    REFUSE("{\"type\":\"a\",\"type\":\"b\"}", CW_EINVAL, "duplicate", "column 18");
    REFUSE("{\"type\":\"a\",\"payload\":{\"k\":1,\"k\":2}}", CW_EINVAL, "duplicate", "column");
    /* Parse errors describe the problem in fixed words: the input (which may
     * name a child) is never echoed. */
    {
        static const char *const leaky[] = {
            "{\"type\":\"a\",\"payload\":{\"name\":\"Jane Smith\"",
            "{\"type\":\"a\",\"payload\":{\"Jane Smith\":1,\"Jane Smith\":2}}",
            "{\"type\":\"a\",\"payload\":{\"name\": Jane Smith}}",
            "{\"type\":\"a\"} Jane Smith",
        };
        for (size_t i = 0; i < sizeof leaky / sizeof leaky[0]; i++) {
            cw_event ev;
            json_t *holder = NULL;
            cw_error e;
            assert_int_equal(
                cw_entry_parse_request(leaky[i], strlen(leaky[i]), "sw.1", &ev, &holder, &e),
                CW_EINVAL);
            if (strstr(e.msg, "Jane") || strstr(e.msg, "Smith"))
                fail_msg("the error echoes the input: %s", e.msg);
        }
    }
    REFUSE("[\"type\",\"a\"]", CW_EINVAL, "JSON object", NULL);
    REFUSE("\"type\"", CW_EINVAL, "JSON", NULL);
    REFUSE("{\"type\":\"a\"", CW_EINVAL, "invalid JSON", NULL);
    REFUSE("{\"type\":\"a\"} {}", CW_EINVAL, "invalid JSON", NULL);
    /* A line with a NUL byte inside is not one JSON text. */
    refuse_request("{\"type\":\"a\"}\0x", 15, CW_EINVAL, "JSON", NULL);

    /* One byte over 1 MiB is refused before parsing; exactly 1 MiB is not. */
    size_t big = CW_ENTRY_MAX_BYTES + 1;
    char *line = malloc(big + 1);
    assert_non_null(line);
    static const char head[] = "{\"type\":\"a\",\"payload\":{\"s\":\"";
    memcpy(line, head, sizeof head - 1);
    memset(line + sizeof head - 1, 'x', big - (sizeof head - 1) - 3);
    memcpy(line + big - 3, "\"}}", 3);
    line[big] = 0;
    refuse_request(line, big, CW_ETOOBIG, "1048577", "1048576");
    cw_event ev;
    json_t *holder = NULL;
    cw_error err;
    /* Drop one 'x': exactly at the limit parses. */
    memmove(line + big - 4, line + big - 3, 4);
    assert_int_equal(cw_entry_parse_request(line, big - 1, "cli", &ev, &holder, &err), CW_OK);
    json_decref(holder);
    free(line);
}

/* ---- proofs from the stored tree, against an independent RFC 6962 computation ---- */

#define NLEAVES 100

/* MTH(D[a:b]) by the RFC's recursion, from leaf hashes. */
static void ref_mth(cw_hasher *h, uint8_t lh[][CW_HASH_LEN], uint64_t a, uint64_t b,
                    uint8_t out[CW_HASH_LEN])
{
    if (b - a == 1) {
        memcpy(out, lh[a], CW_HASH_LEN);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < b - a)
        k *= 2;
    uint8_t l[CW_HASH_LEN], r[CW_HASH_LEN];
    ref_mth(h, lh, a, a + k, l);
    ref_mth(h, lh, a + k, b, r);
    assert_int_equal(cw_hash_node(h, l, r, out), CW_OK);
}

/*
 * A migrated event keeps the time the older system recorded it ("source"), beside the log's own
 * recorded_at, which stays the time of the append; a leaf without a source is unchanged.
 */
static void test_source_kept_beside_recorded_at(void **state)
{
    fx *f = *state;
    cw_error err;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    json_t *p = json_pack("{s:i}", "n", 1);
    cw_event ev = {"bob", "migrated", p};
    cw_event_source src = {"WCCIS", 1551520800000};  /* 2019-03-02T10:00:00Z */
    cw_event_source late = {"WCCIS", 4102444800000}; /* 2100: after the log's own time */
    cw_event_source bad = {"WC CIS", 1551520800000};
    uint64_t idx;
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_source(l, &ev, &src, &idx, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_source(l, &ev, NULL, &idx, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_commit(l, NULL, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_batch_add_source(l, &ev, &late, &idx, &err), CW_EINVAL);
    expect_msg(&err, "source.recorded_at: 2100-01-01T00:00:00.000Z is after the log's own time");
    cw_ledger_batch_abort(l);
    assert_int_equal(cw_ledger_batch_begin(l, &err), CW_OK);
    assert_int_equal(cw_ledger_batch_add_source(l, &ev, &bad, &idx, &err), CW_EINVAL);
    expect_msg(&err, "source.system: \"WC CIS\"");
    cw_ledger_batch_abort(l);

    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    assert_int_equal(cw_ledger_leaf(l, 0, &leaf, &err), CW_OK);
    uint64_t own;
    int64_t ms, sms = 0;
    int found = 0;
    char sys[101];
    assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &own, &ms), CW_OK);
    assert_true(ms > src.recorded_ms); /* the log's own time is the append's */
    assert_non_null(strstr(leaf.data, ",\"source\":{\"recorded_at\":\"2019-03-02T10:00:00.000Z\","
                                      "\"system\":\"WCCIS\"},\"actor\":\"bob\""));
    assert_int_equal(
        cw_entry_peek_source((const uint8_t *)leaf.data, leaf.len, &found, &sms, sys, sizeof sys),
        CW_OK);
    assert_int_equal(found, 1);
    assert_int_equal(sms, src.recorded_ms);
    assert_string_equal(sys, "WCCIS");
    cw_buf_reset(&leaf);
    assert_int_equal(cw_ledger_leaf(l, 1, &leaf, &err), CW_OK);
    assert_null(strstr(leaf.data, "source"));
    assert_int_equal(
        cw_entry_peek_source((const uint8_t *)leaf.data, leaf.len, &found, &sms, sys, sizeof sys),
        CW_OK);
    assert_int_equal(found, 0);
    cw_buf_release(&leaf);
    json_decref(p);
    cw_ledger_close(l);

    /* the log with a migrated entry verifies */
    cw_verify_opts o = {.db_path = f->db};
    cw_verify_report r;
    assert_int_equal(cw_verify(&o, &r, &err), CW_OK);
    assert_int_equal(r.size, 2);
}

static void test_parse_command_source(void **state)
{
    (void)state;
    cw_event ev;
    cw_event_source src;
    json_t *holder = NULL;
    cw_error err;
    static const char a[] = "{\"type\":\"a\",\"source\":{\"system\":\"WCCIS\","
                            "\"recorded_at\":\"2019-03-02T10:00:00Z\"}}";
    assert_int_equal(cw_entry_parse_command(a, sizeof a - 1, "cli", &ev, &src, &holder, &err),
                     CW_OK);
    assert_string_equal(src.system, "WCCIS");
    assert_int_equal(src.recorded_ms, 1551520800000);
    json_decref(holder);
    static const char b[] = "{\"type\":\"a\",\"source\":{\"system\":\"W\","
                            "\"recorded_at\":\"2019-03-02T10:00:00.250Z\"}}";
    assert_int_equal(cw_entry_parse_command(b, sizeof b - 1, "cli", &ev, &src, &holder, &err),
                     CW_OK);
    assert_int_equal(src.recorded_ms, 1551520800250);
    json_decref(holder);
    static const char c[] = "{\"type\":\"a\"}";
    assert_int_equal(cw_entry_parse_command(c, sizeof c - 1, "cli", &ev, &src, &holder, &err),
                     CW_OK);
    assert_null(src.system);
    json_decref(holder);
    static const char *const bad[][2] = {
        {"{\"type\":\"a\",\"source\":\"WCCIS\"}", "source: must be an object"},
        {"{\"type\":\"a\",\"source\":{\"recorded_at\":\"2019-03-02T10:00:00Z\"}}",
         "source.system: is missing"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"W\"}}", "source.recorded_at: is missing"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"W\",\"recorded_at\":\"2019-03-02\"}}",
         "source.recorded_at: \"2019-03-02\" is not a UTC time"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"W\",\"recorded_at\":\"2019-03-02T10:00:00+01:"
         "00\"}}",
         "is not a UTC time"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"W\",\"recorded_at\":\"2019-02-30T10:00:00Z\"}}",
         "is not a UTC time"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"\",\"recorded_at\":\"2019-03-02T10:00:00Z\"}}",
         "source.system: must be 1 to 100"},
        {"{\"type\":\"a\",\"source\":{\"system\":\"W\",\"recorded_at\":\"2019-03-02T10:00:00Z\","
         "\"by\":\"x\"}}",
         "source.by: unknown field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cw_error_clear(&err);
        holder = (json_t *)1;
        if (cw_entry_parse_command(bad[i][0], strlen(bad[i][0]), "cli", &ev, &src, &holder, &err) !=
            CW_EINVAL)
            fail_msg("accepted %s", bad[i][0]);
        assert_null(holder);
        expect_msg(&err, bad[i][1]);
    }
    /* without a migration's parser (every other path), a source is refused outright */
    REFUSE(
        "{\"type\":\"a\",\"source\":{\"system\":\"W\",\"recorded_at\":\"2019-03-02T10:00:00Z\"}}",
        CW_EINVAL, "source", "only a migration");
}

static void test_proofs_from_stored_tree(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_hasher h;
    static uint8_t lh[NLEAVES][CW_HASH_LEN];
    static uint8_t roots[NLEAVES + 1][CW_HASH_LEN];
    uint8_t proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
    size_t n;
    assert_int_equal(cw_hasher_init(&h), CW_OK);

    /* Known answer: the RFC 6962 hash of the empty leaf. */
    static const uint8_t empty_leaf[CW_HASH_LEN] = {0x6e, 0x34, 0x0b, 0x9c, 0xff, 0xb3, 0x7a, 0x98,
                                                    0x9c, 0xa5, 0x44, 0xe6, 0xbb, 0x78, 0x0a, 0x2c,
                                                    0x78, 0x90, 0x1d, 0x3f, 0xb3, 0x37, 0x38, 0x76,
                                                    0x85, 0x11, 0xa3, 0x06, 0x17, 0xaf, 0xa0, 0x1d};
    assert_int_equal(cw_hash_leaf(&h, "", 0, proof[0]), CW_OK);
    assert_memory_equal(proof[0], empty_leaf, CW_HASH_LEN);

    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    uint64_t sizes[64];
    size_t nsizes = 0;
    for (size_t b = 1; cw_ledger_size(l) < NLEAVES; b = b % 13 + 1) {
        size_t take = b;
        if (cw_ledger_size(l) + take > NLEAVES)
            take = NLEAVES - cw_ledger_size(l);
        append_n(l, take);
        sizes[nsizes++] = cw_ledger_size(l);
    }
    cw_ledger_close(l);
    static const uint64_t extra[] = {1, 2, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 63, 64, 65, 99};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        sizes[nsizes++] = extra[i];

    /* Read back from a fresh read-only handle: proofs come from stored nodes only. */
    l = open_log(f->db, CW_LEDGER_READONLY);
    assert_int_equal(cw_ledger_size(l), NLEAVES);
    for (uint64_t i = 0; i < NLEAVES; i++) {
        cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        assert_int_equal(cw_ledger_leaf(l, i, &leaf, &err), CW_OK);
        assert_int_equal(cw_hash_leaf(&h, leaf.data, leaf.len, lh[i]), CW_OK);
        cw_buf_release(&leaf);
    }
    assert_int_equal(cw_hash_raw(&h, "", 0, roots[0]), CW_OK);
    for (uint64_t s = 1; s <= NLEAVES; s++)
        ref_mth(&h, lh, 0, s, roots[s]);
    for (uint64_t s = 0; s <= NLEAVES; s++) {
        uint8_t root[CW_HASH_LEN];
        assert_int_equal(cw_ledger_root(l, s, root, &err), CW_OK);
        if (memcmp(root, roots[s], CW_HASH_LEN) != 0)
            fail_msg("root of size %llu differs from the reference", (unsigned long long)s);
    }

    size_t checked = 0;
    for (size_t si = 0; si < nsizes; si++) {
        uint64_t size = sizes[si];
        for (uint64_t i = 0; i < size; i++) {
            assert_int_equal(cw_ledger_inclusion_proof(l, i, size, proof, &n, &err), CW_OK);
            if (!cw_merkle_verify_inclusion(&h, i, size, lh[i],
                                            (const uint8_t(*)[CW_HASH_LEN])proof, n, roots[size]))
                fail_msg("inclusion proof %llu in %llu does not verify", (unsigned long long)i,
                         (unsigned long long)size);
            /* ... and does not prove a different leaf, index or root. */
            if (size > 1) {
                uint64_t j = (i + 1) % size;
                assert_false(cw_merkle_verify_inclusion(
                    &h, i, size, lh[j], (const uint8_t(*)[CW_HASH_LEN])proof, n, roots[size]));
                assert_false(cw_merkle_verify_inclusion(
                    &h, j, size, lh[i], (const uint8_t(*)[CW_HASH_LEN])proof, n, roots[size]));
                assert_false(cw_merkle_verify_inclusion(
                    &h, i, size, lh[i], (const uint8_t(*)[CW_HASH_LEN])proof, n, roots[size - 1]));
                proof[n - 1][0] ^= 1;
                assert_false(cw_merkle_verify_inclusion(
                    &h, i, size, lh[i], (const uint8_t(*)[CW_HASH_LEN])proof, n, roots[size]));
            }
            checked++;
        }
        for (size_t oi = 0; oi < nsizes; oi++) {
            uint64_t old = sizes[oi];
            if (old > size)
                continue;
            assert_int_equal(cw_ledger_consistency_proof(l, old, size, proof, &n, &err), CW_OK);
            if (!cw_merkle_verify_consistency(&h, old, size, roots[old], roots[size],
                                              (const uint8_t(*)[CW_HASH_LEN])proof, n))
                fail_msg("consistency proof %llu -> %llu does not verify", (unsigned long long)old,
                         (unsigned long long)size);
            if (old < size) {
                /* A different old root (another history) is not proven consistent. */
                assert_false(cw_merkle_verify_consistency(&h, old, size, roots[old - 1],
                                                          roots[size],
                                                          (const uint8_t(*)[CW_HASH_LEN])proof, n));
                proof[0][31] ^= 0x80;
                assert_false(cw_merkle_verify_consistency(&h, old, size, roots[old], roots[size],
                                                          (const uint8_t(*)[CW_HASH_LEN])proof, n));
            } else {
                assert_int_equal(n, 0);
            }
            checked++;
        }
    }
    assert_true(checked > 1000);
    cw_ledger_close(l);
    cw_hasher_release(&h);
}

static void test_proof_beyond_size_refused(void **state)
{
    fx *f = *state;
    cw_error err;
    uint8_t proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN], root[CW_HASH_LEN];
    size_t n = 0;
    create_log(f);
    cw_ledger *l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 10);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_root(l, 11, root, &err), CW_EINVAL);
    expect_msg(&err, "11");
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_inclusion_proof(l, 3, 11, proof, &n, &err), CW_EINVAL);
    expect_msg(&err, "size 11 is beyond");
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_inclusion_proof(l, 10, 10, proof, &n, &err), CW_EINVAL);
    expect_msg(&err, "index 10");
    assert_int_equal(cw_ledger_inclusion_proof(l, 0, 0, proof, &n, &err), CW_EINVAL);
    assert_int_equal(cw_ledger_inclusion_proof(l, UINT64_MAX, 10, proof, &n, &err), CW_EINVAL);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_consistency_proof(l, 5, 11, proof, &n, &err), CW_EINVAL);
    expect_msg(&err, "11");
    assert_int_equal(cw_ledger_consistency_proof(l, 0, 5, proof, &n, &err), CW_EINVAL);
    assert_int_equal(cw_ledger_consistency_proof(l, 6, 5, proof, &n, &err), CW_EINVAL);
    assert_int_equal(cw_ledger_consistency_proof(l, 11, 11, proof, &n, &err), CW_EINVAL);
    assert_int_equal(cw_ledger_consistency_proof(l, 5, UINT64_MAX, proof, &n, &err), CW_EINVAL);
    /* The edge that is allowed. */
    assert_int_equal(cw_ledger_inclusion_proof(l, 9, 10, proof, &n, &err), CW_OK);
    assert_int_equal(cw_ledger_consistency_proof(l, 10, 10, proof, &n, &err), CW_OK);
    assert_int_equal(n, 0);
    cw_ledger_close(l);
}

/* ---- the signing key ---- */

static void test_open_write_refuses_loose_key_mode(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l = NULL;
    create_log(f);
    static const mode_t loose[] = {0644, 0640, 0604, 0660, 0700 | 0004};
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
        assert_int_equal(chmod(f->key, loose[i]), 0);
        cw_error_clear(&err);
        assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_EINVAL);
        assert_null(l);
        expect_msg(&err, f->key);
        expect_msg(&err, "readable by other users");
        expect_msg(&err, "chmod 600");
        /* Reading does not need the key. */
        l = open_log(f->db, CW_LEDGER_READONLY);
        cw_ledger_close(l);
        l = NULL;
    }
    assert_int_equal(chmod(f->key, 0600), 0);
    l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 1);
    cw_ledger_close(l);
    assert_int_equal(chmod(f->key, 0400), 0);
    l = open_log(f->db, CW_LEDGER_WRITE);
    cw_ledger_close(l);

    /* A missing key is named too. */
    assert_int_equal(unlink(f->key), 0);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_ENOTFOUND);
    expect_msg(&err, f->key);
}

static void test_open_write_refuses_foreign_key(void **state)
{
    fx *f = *state;
    cw_error err;
    cw_ledger *l = NULL;
    char other[PATH_MAX], other_key[PATH_MAX];
    create_log(f);
    /* On PostgreSQL tdb_path points CASEWARD_KEY_FILE at other's key: back to ours after. */
    tdb_path(other, sizeof other, f->dir, "other");
    snprintf(other_key, sizeof other_key, tdb_pg() ? "%s/other.key" : "%s/other.db.key", f->dir);
    cw_error_clear(&err);
    /* Same origin, different key: the name alone must not be enough. */
    assert_int_equal(cw_ledger_create(other, ORIGIN, &err), CW_OK);
    if (tdb_pg())
        setenv("CASEWARD_KEY_FILE", f->key, 1);
    size_t len;
    char *foreign = slurp(other_key, &len);
    char *mine = slurp(f->key, NULL);
    assert_string_not_equal(foreign, mine);
    write_file(f->key, foreign, 0600);
    cw_error_clear(&err);
    assert_int_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_EVERIFY);
    assert_null(l);
    expect_msg(&err, "not the log's key");
    /* A damaged key file is refused with its name. */
    write_file(f->key, "PRIVATE+KEY+garbage\n", 0600);
    cw_error_clear(&err);
    assert_int_not_equal(cw_ledger_open(f->db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    expect_msg(&err, f->key);
    /* The right key again works. */
    write_file(f->key, mine, 0600);
    l = open_log(f->db, CW_LEDGER_WRITE);
    append_n(l, 2);
    cw_ledger_close(l);
    free(foreign);
    free(mine);
}

/* The escaping of json.h, byte by byte: the reference for cw_json_write_string. */
static void escape_ref(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        const char *e = c == '"'    ? "\\\""
                        : c == '\\' ? "\\\\"
                        : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                                    : NULL;
        if (e)
            o += (size_t)snprintf(out + o, 8, "%s", e);
        else if (c < 0x20)
            o += (size_t)snprintf(out + o, 8, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/*
 * cw_json_write_string skips 8 bytes at a time while none needs an escape: every byte value,
 * at every position of strings of 0 to 40 bytes (so at every offset within and across the
 * 8-byte steps), and then random strings, give exactly the byte-by-byte escaping.
 */
static void test_json_string_escaping(void **state)
{
    (void)state;
    unsigned char in[64];
    char want[64 * 6 + 3];
    cw_buf got = CW_BUF_INIT(1024);
    for (size_t len = 0; len <= 40; len++) {
        for (size_t pos = 0; pos < (len ? len : 1); pos++) {
            for (int b = 0; b < 256; b++) {
                memset(in, 'a', sizeof in);
                if (len)
                    in[pos] = (unsigned char)b;
                cw_buf_reset(&got);
                assert_int_equal(cw_json_write_string((const char *)in, len, &got), CW_OK);
                escape_ref(in, len, want);
                if (got.len != strlen(want) || memcmp(got.data, want, got.len) != 0)
                    fail_msg("length %zu, byte %d at %zu: got %.*s, want %s", len, b, pos,
                             (int)got.len, got.data, want);
            }
        }
    }
    uint32_t x = 777;
    for (int rep = 0; rep < 20000; rep++) {
        size_t len = (x = x * 1103515245u + 12345u) >> 16 & 63;
        for (size_t k = 0; k < len; k++) {
            x = x * 1103515245u + 12345u;
            /* mostly plain text, sometimes anything */
            in[k] =
                (x >> 16 & 7) ? (unsigned char)(' ' + (x >> 20) % 95) : (unsigned char)(x >> 24);
        }
        cw_buf_reset(&got);
        assert_int_equal(cw_json_write_string((const char *)in, len, &got), CW_OK);
        escape_ref(in, len, want);
        assert_int_equal(got.len, strlen(want));
        assert_memory_equal(got.data, want, got.len);
    }
    cw_buf_release(&got);
}

/*
 * The commitment in a leaf is read by cw_base64_decode_public, a table-driven decoder: it must
 * accept what libsodium's (cw_base64_decode_exact) accepts, with the same bytes. Every
 * one-character change of encodings of 1, 2, 3 and 32 bytes (padding, unused bits, characters
 * outside the alphabet) is tried with both. The one difference: libsodium 1.0.18 decodes any
 * byte from 0x80 up as '/', which the table refuses.
 */
static void test_base64_public_matches_exact(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 32};
    uint32_t x = 12345;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int rep = 0; rep < 4; rep++) {
            uint8_t in[32], a[32], b[32];
            for (size_t k = 0; k < sizes[si]; k++)
                in[k] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
            cw_buf enc = CW_BUF_INIT(128);
            assert_int_equal(cw_base64_encode(in, sizes[si], &enc), CW_OK);
            assert_int_equal(cw_base64_decode_public(enc.data, enc.len, a, sizes[si]), CW_OK);
            assert_memory_equal(a, in, sizes[si]);
            for (size_t pos = 0; pos < enc.len; pos++) {
                char keep = enc.data[pos];
                for (int c = 0; c < 256; c++) {
                    enc.data[pos] = (char)c;
                    cw_rc ra = cw_base64_decode_exact(enc.data, enc.len, a, sizes[si]);
                    cw_rc rb = cw_base64_decode_public(enc.data, enc.len, b, sizes[si]);
                    if (c >= 0x80) /* libsodium 1.0.18 reads these as '/'; refused here */
                        ra = CW_EINVAL;
                    if (ra != rb)
                        fail_msg("%zu bytes, position %zu, byte %d: exact %d, public %d", sizes[si],
                                 pos, c, ra, rb);
                    if (ra == CW_OK)
                        assert_memory_equal(a, b, sizes[si]);
                }
                enc.data[pos] = keep;
            }
            /* wrong lengths */
            assert_int_equal(cw_base64_decode_public(enc.data, enc.len - 1, b, sizes[si]),
                             CW_EINVAL);
            assert_int_equal(cw_base64_decode_public(enc.data, enc.len, b, sizes[si] + 3),
                             CW_EINVAL);
            cw_buf_release(&enc);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
/* T: a test with a log (its directory and database); the others need neither, so that on
 * PostgreSQL no database is made for them. */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_create_modes_and_first_checkpoint),
        cmocka_unit_test(test_base64_public_matches_exact),
        cmocka_unit_test(test_json_string_escaping),
        T(test_create_refuses_existing_db),
        T(test_create_refuses_existing_key),
        T(test_create_bad_origin_leaves_nothing),
        T(test_create_failure_after_key_leaves_nothing),
        T(test_open_missing),
        T(test_append_leaf_format),
        cmocka_unit_test(test_personal_commitment_in_leaf),
        T(test_recorded_at_non_decreasing),
        T(test_bad_event_leaves_log_unchanged),
        T(test_streamed_abort_leaves_nothing),
        T(test_empty_batch),
        T(test_checkpoint_per_batch),
        T(test_triggers_refuse_update_delete),
        T(test_personal_put_get_erase),
        T(test_append_personal_part),
        T(test_personal_abort_leaves_no_row),
        T(test_secure_delete_on),
        cmocka_unit_test(test_parse_request_accepts),
        cmocka_unit_test(test_parse_request_refusals),
        T(test_source_kept_beside_recorded_at),
        cmocka_unit_test(test_parse_command_source),
        T(test_proofs_from_stored_tree),
        T(test_proof_beyond_size_refused),
        T(test_open_write_refuses_loose_key_mode),
        T(test_open_write_refuses_foreign_key),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
