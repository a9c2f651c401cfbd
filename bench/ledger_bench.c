/*
 * ledger_bench.c — figures for the ledger (issue: foundation and ledger).
 *
 * Prints, for N synthetic casework events (default 1,000,000):
 *   - bulk append rate beside a raw SQLite insert of the same leaf bytes
 *     (same pragmas, same transaction sizes) in the same run;
 *   - the same when each event's free text is a personal part beside its leaf
 *     (issue 13), beside a raw SQLite insert of what that ledger stores: its
 *     leaf bytes (with the commitment) into one table and each part's row
 *     (idx, 32-byte salt, body) into a second shaped as the `personal` table;
 *   - single durable append latency (one event per batch, fsync'd), p50/p99;
 *   - full verify throughput beside raw SHA-256 (EVP, one digest per leaf)
 *     over the same leaf bytes, in the same run;
 *   - inclusion and consistency proof latency at N entries;
 *   - bytes on disk per event.
 * No figure is asserted: this program reports, people judge.
 *
 * With --pg URI the logs are PostgreSQL databases made on that server (bench_pg.h) and the
 * raw baseline is libpq's: the same leaf bytes (and parts) inserted into plain tables, one
 * prepared INSERT per row as the backend sends them, in transactions of the same size. The
 * bytes per event are then those of the tables, indexes and TOAST (pg_total_relation_size),
 * without the write-ahead log.
 *
 * usage: ledger_bench [--events N] [--dir DIR] [--single N] [--batch N] [--pg URI]
 */
#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/time.h"

#define BENCH_NAME "ledger_bench"
#include "bench.h"
#include "bench_pg.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A pool of realistic payloads: casework events with identifiers, dates and
 * free text of varying length (case notes are the long ones). */
#define POOL 1024
static json_t *pool[POOL];
static const char *types[POOL];

static void make_pool(void)
{
    static const char *kinds[] = {"statutory_visit", "case_note",   "assessment_started",
                                  "referral",        "supervision", "strategy_discussion"};
    static const char words[] = "child seen alone in bedroom views recorded school attendance "
                                "improved mother engaged plan reviewed concerns about missing "
                                "episodes discussed with police safety plan agreed next visit ";
    for (int i = 0; i < POOL; i++) {
        char text[600];
        size_t len = 40 + next_rand() % 400;
        for (size_t k = 0; k < len; k++)
            text[k] = words[(k + (size_t)i * 7) % (sizeof words - 1)];
        text[len] = '\0';
        char child[16], date[16];
        snprintf(child, sizeof child, "C%06u", (unsigned)(next_rand() % 1000000));
        snprintf(date, sizeof date, "2026-%02u-%02u", (unsigned)(1 + next_rand() % 12),
                 (unsigned)(1 + next_rand() % 28));
        types[i] = kinds[i % 6];
        pool[i] = json_pack("{s:s, s:s, s:b, s:b, s:s, s:i}", "child_id", child, "date", date,
                            "seen", 1, "seen_alone", (int)(i & 1), "notes", text, "worker",
                            (int)(next_rand() % 5000));
        if (!pool[i])
            die("json_pack", NULL);
    }
}

/* The same pool with the free text as a personal part beside the leaf (issue 13): the facts
 * say "notes": true, the part holds the text. */
static json_t *facts_pool[POOL], *part_pool[POOL];

static void make_personal_pool(void)
{
    for (int i = 0; i < POOL; i++) {
        facts_pool[i] = json_deep_copy(pool[i]);
        part_pool[i] = json_pack("{s:O}", "notes", json_object_get(pool[i], "notes"));
        if (!facts_pool[i] || !part_pool[i] ||
            json_object_set_new(facts_pool[i], "notes", json_true()))
            die("json", NULL);
    }
}

/*
 * The raw SQLite baseline: n leaves into table t, in transactions of batch rows, on a
 * connection with the given pragmas. With bodies, each entry's personal row also goes into
 * table p, whose columns are those of the real `personal` table (schema_sqlite.sql) without
 * its triggers. Returns the seconds taken.
 */
static double raw_insert(const char *path, const char *pragmas, uint64_t n, uint64_t batch,
                         char *const *leaves, const size_t *lens, uint8_t (*salts)[32],
                         char *const *bodies, const size_t *blens)
{
    sqlite3 *rdb;
    sqlite3_stmt *ins, *pins = NULL;
    if (sqlite3_open(path, &rdb) != SQLITE_OK ||
        sqlite3_exec(rdb, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(rdb, "CREATE TABLE t(idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL) STRICT;",
                     NULL, NULL, NULL) != SQLITE_OK ||
        (bodies && sqlite3_exec(rdb,
                                "CREATE TABLE p(idx INTEGER PRIMARY KEY, salt BLOB, body BLOB, "
                                "erased_idx INTEGER) STRICT;",
                                NULL, NULL, NULL) != SQLITE_OK) ||
        sqlite3_prepare_v2(rdb, "INSERT INTO t(idx, leaf) VALUES (?1, ?2)", -1, &ins, NULL) !=
            SQLITE_OK ||
        (bodies && sqlite3_prepare_v2(rdb, "INSERT INTO p(idx, salt, body) VALUES (?1, ?2, ?3)", -1,
                                      &pins, NULL) != SQLITE_OK))
        die("raw setup", NULL);
    double t0 = now_s();
    for (uint64_t i = 0; i < n;) {
        sqlite3_exec(rdb, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (uint64_t k = 0; k < batch && i < n; k++, i++) {
            sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
            sqlite3_bind_blob(ins, 2, leaves[i], (int)lens[i], SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die("raw insert", NULL);
            sqlite3_reset(ins);
            if (!bodies)
                continue;
            sqlite3_bind_int64(pins, 1, (sqlite3_int64)i);
            sqlite3_bind_blob(pins, 2, salts[i], 32, SQLITE_STATIC);
            sqlite3_bind_blob(pins, 3, bodies[i], (int)blens[i], SQLITE_STATIC);
            if (sqlite3_step(pins) != SQLITE_DONE)
                die("raw insert (personal)", NULL);
            sqlite3_reset(pins);
        }
        if (sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die("raw commit", NULL);
    }
    double t = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_finalize(pins);
    sqlite3_close(rdb);
    return t;
}

/* A libpq command that must succeed; the result is cleared. */
static void pg_ok(PGconn *c, PGresult *r, const char *what)
{
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "ledger_bench: %s: %s", what, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

/* A 64-bit integer in network order, as libpq's binary format sends an int8. */
static void be64(uint64_t v, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (unsigned char)v;
}

/*
 * The raw PostgreSQL baseline: raw_insert's rows into the database at uri with libpq, one
 * prepared INSERT per row (binary parameters) as store_postgres.c sends the ledger's, in
 * transactions of batch rows. Returns the seconds taken.
 */
static double raw_insert_pg(const char *uri, uint64_t n, uint64_t batch, char *const *leaves,
                            const size_t *lens, uint8_t (*salts)[32], char *const *bodies,
                            const size_t *blens)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "ledger_bench: raw: %s", PQerrorMessage(c));
        exit(1);
    }
    const Oid t_types[] = {20, 17}, p_types[] = {20, 17, 17}; /* int8, bytea */
    pg_ok(c, PQexec(c, "CREATE TABLE t(idx bigint PRIMARY KEY, leaf bytea NOT NULL)"), "raw setup");
    pg_ok(c, PQprepare(c, "t", "INSERT INTO t(idx, leaf) VALUES ($1, $2)", 2, t_types),
          "raw prepare");
    if (bodies) {
        pg_ok(c,
              PQexec(c, "CREATE TABLE p(idx bigint PRIMARY KEY, salt bytea, body bytea, "
                        "erased_idx bigint)"),
              "raw setup");
        pg_ok(c,
              PQprepare(c, "p", "INSERT INTO p(idx, salt, body) VALUES ($1, $2, $3)", 3, p_types),
              "raw prepare");
    }
    const int fmt[] = {1, 1, 1};
    double t0 = now_s();
    for (uint64_t i = 0; i < n;) {
        pg_ok(c, PQexec(c, "BEGIN"), "raw begin");
        for (uint64_t k = 0; k < batch && i < n; k++, i++) {
            unsigned char idx[8];
            be64(i, idx);
            const char *tv[] = {(const char *)idx, leaves[i]};
            const int tl[] = {8, (int)lens[i]};
            pg_ok(c, PQexecPrepared(c, "t", 2, tv, tl, fmt, 0), "raw insert");
            if (!bodies)
                continue;
            const char *pv[] = {(const char *)idx, (const char *)salts[i], bodies[i]};
            const int pl[] = {8, 32, (int)blens[i]};
            pg_ok(c, PQexecPrepared(c, "p", 3, pv, pl, fmt, 0), "raw insert (personal)");
        }
        pg_ok(c, PQexec(c, "COMMIT"), "raw commit");
    }
    double t = now_s() - t0;
    PQfinish(c);
    return t;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

int main(int argc, char **argv)
{
    uint64_t n = 1000000, batch = 100000, singles = 2000;
    const char *dir = NULL, *server = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--events"))
            n = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--single"))
            singles = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--batch"))
            batch = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--pg"))
            server = argv[i + 1];
    }
    if (n == 0 || batch == 0 || singles == 0) {
        fprintf(stderr, "ledger_bench: --events, --batch and --single must be at least 1\n");
        return 2;
    }
    char tmpl[] = "/tmp/caseward-bench-XXXXXX";
    if (!dir && !(dir = mkdtemp(tmpl)))
        die("mkdtemp", NULL);
    /* The logs, and the raw baselines' databases (files, or databases on the server). */
    enum { PLAIN, PERSONAL, RAW, RAW_PERSONAL, SINGLE, NLOGS };
    static const char *const what[NLOGS] = {"plain", "personal", "raw", "raw_personal", "single"};
    bench_log logs[NLOGS];
    for (int i = 0; i < NLOGS; i++)
        bench_log_init(&logs[i], server, dir, what[i]);
    const char *db = logs[PLAIN].path, *pdb = logs[PERSONAL].path, *raw = logs[RAW].path,
               *praw = logs[RAW_PERSONAL].path, *sdb = logs[SINGLE].path;
    const char *backend = server ? "PostgreSQL" : "SQLite";
    /* The baseline's name in the report, as wide as the ledger's line. */
    const char *rawname = server ? "raw libpq insert" : "raw SQLite insert";
    cw_error err;
    make_pool();
    printf("caseward ledger benchmark (%s): %" PRIu64 " events, batches of %" PRIu64 ", in %s\n",
           backend, n, batch, server ? "databases cw_bench_* on the --pg server" : dir);

    /* ---- bulk append through the ledger ---- */
    bench_log_use(&logs[PLAIN]);
    if (cw_ledger_create(db, "bench.caseward.local/log", &err))
        die("create", &err);
    cw_ledger *l;
    if (cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        die("open", &err);
    double t0 = now_s();
    for (uint64_t i = 0; i < n;) {
        if (cw_ledger_batch_begin(l, &err))
            die("begin", &err);
        for (uint64_t k = 0; k < batch && i < n; k++, i++) {
            cw_event ev = {"worker:1234", types[i % POOL], pool[i % POOL]};
            if (cw_ledger_batch_add(l, &ev, NULL, &err))
                die("add", &err);
        }
        if (cw_ledger_batch_commit(l, NULL, &err))
            die("commit", &err);
    }
    double t_append = now_s() - t0;
    cw_ledger_close(l);

    /* ---- the same events with their text as a personal part (issue 13) ---- */
    make_personal_pool();
    bench_log_use(&logs[PERSONAL]);
    if (cw_ledger_create(pdb, "bench.caseward.local/personal", &err))
        die("create", &err);
    if (cw_ledger_open(pdb, CW_LEDGER_WRITE, &l, &err))
        die("open", &err);
    t0 = now_s();
    for (uint64_t i = 0; i < n;) {
        if (cw_ledger_batch_begin(l, &err))
            die("begin", &err);
        for (uint64_t k = 0; k < batch && i < n; k++, i++) {
            cw_event ev = {"worker:1234", types[i % POOL], facts_pool[i % POOL]};
            if (cw_ledger_batch_add_personal(l, &ev, NULL, part_pool[i % POOL], NULL, &err))
                die("add", &err);
        }
        if (cw_ledger_batch_commit(l, NULL, &err))
            die("commit", &err);
    }
    double t_personal = now_s() - t0;
    cw_ledger_close(l);
    cw_verify_opts pvo = {.db_path = pdb};
    cw_verify_report pvr;
    t0 = now_s();
    if (cw_verify(&pvo, &pvr, &err))
        die("verify", &err);
    double t_pverify = now_s() - t0;

    /* ---- the same leaf bytes, raw SQLite insert ---- */
    if (cw_ledger_open(db, CW_LEDGER_READONLY, &l, &err))
        die("open", &err);
    char **leaves = malloc(n * sizeof *leaves);
    size_t *lens = malloc(n * sizeof *lens);
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++) {
        cw_buf b = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        if (cw_ledger_leaf(l, i, &b, &err))
            die("leaf", &err);
        leaves[i] = cw_buf_detach(&b, &lens[i]);
        total += lens[i];
    }
    /* The plain baseline's pragmas, as they were; the personal one's are the ledger writer's
     * own (store_sqlite.c), secure_delete included. */
    static const char raw_pragmas[] =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;";
    static const char ledger_pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                         "PRAGMA cache_size=-65536; PRAGMA secure_delete=ON;";
    double t_raw = server ? raw_insert_pg(raw, n, batch, leaves, lens, NULL, NULL, NULL)
                          : raw_insert(raw, raw_pragmas, n, batch, leaves, lens, NULL, NULL, NULL);

    /* What the personal ledger stored, read back: its leaves, and each part's salt and body. */
    cw_ledger *pl;
    if (cw_ledger_open(pdb, CW_LEDGER_READONLY, &pl, &err))
        die("open", &err);
    char **pleaves = malloc(n * sizeof *pleaves), **bodies = malloc(n * sizeof *bodies);
    size_t *plens = malloc(n * sizeof *plens), *blens = malloc(n * sizeof *blens);
    uint8_t(*salts)[32] = malloc(n * sizeof *salts);
    if (!pleaves || !bodies || !plens || !blens || !salts)
        die("out of memory", NULL);
    uint64_t ptotal = 0, btotal = 0;
    for (uint64_t i = 0; i < n; i++) {
        cw_buf b = CW_BUF_INIT(CW_ENTRY_MAX_BYTES), sb = CW_BUF_INIT(64),
               bb = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        cw_personal_state ps;
        uint64_t erased;
        if (cw_ledger_leaf(pl, i, &b, &err) ||
            cw_store_personal_get(cw_ledger_store(pl), i, &sb, &bb, &ps, &erased, &err))
            die("read back", &err);
        if (ps != CW_PERSONAL_HELD || sb.len != 32)
            die("read back: a personal part is missing", NULL);
        memcpy(salts[i], sb.data, 32);
        pleaves[i] = cw_buf_detach(&b, &plens[i]);
        bodies[i] = cw_buf_detach(&bb, &blens[i]);
        cw_buf_release(&sb);
        ptotal += plens[i];
        btotal += blens[i];
    }
    cw_ledger_close(pl);
    double t_praw =
        server ? raw_insert_pg(praw, n, batch, pleaves, plens, salts, bodies, blens)
               : raw_insert(praw, ledger_pragmas, n, batch, pleaves, plens, salts, bodies, blens);

    printf("\nbulk append, plain (each event's text in its leaf; mean leaf %.0f bytes)\n",
           (double)total / (double)n);
    printf("  ledger append      %10.0f events/s  (%.2f s)\n", (double)n / t_append, t_append);
    printf("  %-18s %10.0f events/s  (%.2f s, same leaf bytes, one table)\n", rawname,
           (double)n / t_raw, t_raw);
    printf("  ratio              %10.2f  (ledger / raw; target >= 0.50)\n", t_raw / t_append);
    printf("bulk append, personal (each event's text as a personal part beside its leaf, salted "
           "and committed;\n  mean leaf %.0f bytes, mean part %.0f bytes + 32-byte salt)\n",
           (double)ptotal / (double)n, (double)btotal / (double)n);
    printf("  ledger append      %10.0f events/s  (%.2f s)\n", (double)n / t_personal, t_personal);
    printf("  %-18s %10.0f events/s  (%.2f s, same leaf bytes into one table and "
           "each (idx, salt, body)\n                                into a second shaped as "
           "`personal`%s)\n",
           rawname, (double)n / t_praw, t_praw, server ? "" : "; the writer's pragmas");
    printf("  ratio              %10.2f  (ledger / raw, same bytes; target >= 0.50)\n",
           t_praw / t_personal);
    printf("  ratio to plain raw %10.2f  (ledger with parts / the plain raw insert above: "
           "not the same bytes)\n",
           t_raw / t_personal);

    /* ---- verify vs raw SHA-256 ---- */
    cw_hasher h;
    cw_hasher_init(&h);
    uint8_t out[CW_HASH_LEN];
    t0 = now_s();
    for (uint64_t i = 0; i < n; i++)
        cw_hash_raw(&h, leaves[i], lens[i], out);
    double t_sha = now_s() - t0;
    cw_verify_opts vo = {.db_path = db};
    cw_verify_report vr;
    t0 = now_s();
    if (cw_verify(&vo, &vr, &err))
        die("verify", &err);
    double t_verify = now_s() - t0;
    printf("\nverify (%.1f MB of leaf bytes, mean leaf %.0f bytes)\n", (double)total / 1e6,
           (double)total / (double)n);
    printf("  raw SHA-256        %10.1f MB/s  (%.2f s)\n", (double)total / 1e6 / t_sha, t_sha);
    printf("  caseward verify    %10.1f MB/s  (%.2f s, %" PRIu64 " entries, %" PRIu64
           " checkpoints)\n",
           (double)total / 1e6 / t_verify, t_verify, vr.size, vr.checkpoints);
    printf("  ratio              %10.2f  (target >= 0.80)\n", t_sha / t_verify);
    printf("  verify, personal parts beside the leaves  %.2f s (%" PRIu64 " entries, each part "
           "checked against its leaf's commitment)\n",
           t_pverify, pvr.size);

    /* ---- proofs at n entries ---- */
    enum { PROOFS = 20000 };
    double *lat = malloc(PROOFS * sizeof *lat);
    uint8_t proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
    size_t plen;
    printf("\nproofs at %" PRIu64 " entries (%d each, random)\n", n, PROOFS);
    /* Pass 0 touches the database cold (first reads of its pages); pass 1 is
     * a warm server's view. Both are printed. */
    for (int run = 0; run < 4; run++) {
        int kind = run % 2;
        for (int i = 0; i < PROOFS; i++) {
            uint64_t a = next_rand() % n;
            double s = now_s();
            cw_rc rc = kind == 0 ? cw_ledger_inclusion_proof(l, a, n, proof, &plen, &err)
                                 : cw_ledger_consistency_proof(l, a + 1, n, proof, &plen, &err);
            lat[i] = (now_s() - s) * 1e6;
            if (rc)
                die("proof", &err);
        }
        qsort(lat, PROOFS, sizeof *lat, cmp_double);
        printf("  %-12s %-4s p50 %6.1f us  p99 %6.1f us  max %7.1f us  (target < 50)\n",
               kind == 0 ? "inclusion" : "consistency", run < 2 ? "cold" : "warm", lat[PROOFS / 2],
               lat[PROOFS * 99 / 100], lat[PROOFS - 1]);
    }
    cw_ledger_close(l);
    cw_hasher_release(&h);

    double bytes, raw_bytes;
    if (server) {
        bytes = bench_pg_bytes(db, NULL);
        raw_bytes = bench_pg_bytes(raw, "t");
    } else {
        char wal[4200];
        snprintf(wal, sizeof wal, "%s-wal", db);
        bytes = (double)(file_size(db) + file_size(wal));
        raw_bytes = (double)file_size(raw);
    }
    printf("\ndisk%s\n  ledger             %10.1f bytes/event (mean leaf %.0f bytes; raw table "
           "%.1f bytes/event)\n",
           server ? " (tables, indexes and TOAST; not the write-ahead log)" : "", bytes / (double)n,
           (double)total / (double)n, raw_bytes / (double)n);

    /* ---- single durable appends ---- */
    bench_log_use(&logs[SINGLE]);
    if (cw_ledger_create(sdb, "bench.caseward.local/single", &err) ||
        cw_ledger_open(sdb, CW_LEDGER_WRITE, &l, &err))
        die("create", &err);
    double *slat = malloc(singles * sizeof *slat);
    for (uint64_t i = 0; i < singles; i++) {
        cw_event ev = {"worker:1234", types[i % POOL], pool[i % POOL]};
        double s = now_s();
        if (cw_ledger_append(l, &ev, 1, NULL, &err))
            die("append", &err);
        slat[i] = (now_s() - s) * 1e3;
    }
    qsort(slat, singles, sizeof *slat, cmp_double);
    printf("\nsingle durable appends (%" PRIu64 ", one event per fsync'd batch + checkpoint)\n",
           singles);
    printf("  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", slat[singles / 2], slat[singles * 99 / 100],
           slat[singles - 1]);
    cw_ledger_close(l);

    /* A council's real log: one batch, so one checkpoint, per command. */
    cw_verify_opts so = {.db_path = sdb};
    t0 = now_s();
    if (cw_verify(&so, &vr, &err))
        die("verify", &err);
    double t_sv = now_s() - t0;
    printf("  verify of that log: %" PRIu64 " entries, %" PRIu64
           " checkpoints (each signature and root checked) in %.3f s = %.0f checkpoints/s\n",
           vr.size, vr.checkpoints, t_sv, (double)vr.checkpoints / t_sv);

    for (uint64_t i = 0; i < n; i++)
        free(leaves[i]);
    free(leaves);
    free(lens);
    for (uint64_t i = 0; i < n; i++) {
        free(pleaves[i]);
        free(bodies[i]);
    }
    free(pleaves);
    free(plens);
    free(bodies);
    free(blens);
    free(salts);
    free(lat);
    free(slat);
    for (int i = 0; i < POOL; i++) {
        json_decref(pool[i]);
        json_decref(facts_pool[i]);
        json_decref(part_pool[i]);
    }
    /* The databases made on a server are always dropped; files in a --dir given are kept. */
    if (server || dir == tmpl)
        for (int i = 0; i < NLOGS; i++)
            bench_log_remove(&logs[i], server);
    if (dir == tmpl)
        rmdir(dir);
    return 0;
}
