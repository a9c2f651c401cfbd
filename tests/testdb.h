/*
 * testdb.h — the database a test works in, on either backend (header-only, as testutil.h).
 *
 * A suite runs on SQLite by default. Under tests/with-pg (which starts a throwaway PostgreSQL
 * server and sets CW_TEST_PG to its URI) the same suite runs on PostgreSQL instead: each
 * tdb_path() is then a new, empty database on that server, and its signing key file
 * DIR/NAME.key is what CASEWARD_KEY_FILE names (a URI has no file beside it: docs/postgres.md).
 *
 * tdb_rows() reads the database with plain SQL, outside caseward, in one text form for both
 * backends: columns "|"-separated, rows "\n"-terminated, NULL as NULL, and when typed each
 * value prefixed i: (integer), t: (text) or o: (anything else), so 1 is told from '1' and ''
 * from NULL. Blobs print as each backend prints them: compare a backend only with itself.
 */
#ifndef CW_TESTS_TESTDB_H
#define CW_TESTS_TESTDB_H

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"

/* The PostgreSQL server's URI when the suite runs on PostgreSQL, else NULL. */
static inline const char *tdb_pg(void)
{
    const char *u = getenv("CW_TEST_PG");
    return u && *u ? u : NULL;
}

/* A test that reads or changes SQLite's own file (its pages, its pragmas, a second
 * connection's view of it) has no PostgreSQL meaning: it is skipped there, saying so. */
#define TDB_SQLITE_ONLY()                                                                          \
    do {                                                                                           \
        if (tdb_pg()) {                                                                            \
            print_message("    (SQLite only: skipped on PostgreSQL)\n");                           \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* uri with its database name replaced by db (the server's URIs are postgresql:///NAME?...). */
static inline void tdb_uri_for(const char *db, char *out, size_t cap)
{
    const char *base = tdb_pg();
    const char *q = strchr(base, '?');
    int n = snprintf(out, cap, "postgresql:///%s%s", db, q ? q : "");
    if (n < 0 || (size_t)n >= cap)
        fail_msg("the test server's URI is too long");
}

/* Runs one statement as the server's superuser in database db; fails the test on error. */
static inline void tdb_admin(const char *db, const char *sql)
{
    char uri[1024];
    tdb_uri_for(db, uri, sizeof uri);
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connecting to the test server: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/*
 * The database a test named name works in, written into out: DIR/NAME.db on SQLite; on
 * PostgreSQL a new database (a name unique to this process) and CASEWARD_KEY_FILE set to
 * DIR/NAME.key. Neither exists yet on SQLite; on PostgreSQL the database exists, empty, as
 * `caseward init` expects it.
 */
static inline void tdb_path(char *out, size_t cap, const char *dir, const char *name)
{
    if (!tdb_pg()) {
        if (snprintf(out, cap, "%s/%s.db", dir, name) >= (int)cap)
            fail_msg("path too long");
        return;
    }
    /* STRATEGY FILE_COPY: the template copied file by file, a tenth of a second faster than
     * through the WAL, on a test server that never syncs anyway. */
    static unsigned serial;
    char db[64], sql[160], key[4096];
    snprintf(db, sizeof db, "t%ld_%u", (long)getpid(), serial++);
    snprintf(sql, sizeof sql,
             "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0 STRATEGY FILE_COPY", db);
    tdb_admin("postgres", sql);
    tdb_uri_for(db, out, cap);
    if (snprintf(key, sizeof key, "%s/%s.key", dir, name) >= (int)sizeof key)
        fail_msg("path too long");
    setenv("CASEWARD_KEY_FILE", key, 1);
}

/* The query that lists the database's tables by name (SQLite's internal ones left out). */
static inline const char *tdb_tables_sql(void)
{
    return tdb_pg() ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                      "ORDER BY tablename COLLATE \"C\""
                    : "SELECT name FROM sqlite_schema WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%' ORDER BY name";
}

static inline void tdb_rows_sqlite(const char *db, const char *sql, cw_buf *out, int typed)
{
    sqlite3 *s = NULL;
    if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("sqlite3_open_v2 %s: %s", db, s ? sqlite3_errmsg(s) : "?");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("prepare %s: %s", sql, sqlite3_errmsg(s));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n; i++) {
            int t = sqlite3_column_type(st, i);
            if (i)
                assert_int_equal(cw_buf_addc(out, '|'), CW_OK);
            if (t == SQLITE_NULL) {
                assert_int_equal(cw_buf_addstr(out, "NULL"), CW_OK);
                continue;
            }
            if (typed)
                assert_int_equal(cw_buf_addf(out, "%c:",
                                             t == SQLITE_INTEGER ? 'i'
                                             : t == SQLITE_TEXT  ? 't'
                                                                 : 'o'),
                                 CW_OK);
            const unsigned char *v = sqlite3_column_text(st, i);
            assert_int_equal(cw_buf_add(out, v, (size_t)sqlite3_column_bytes(st, i)), CW_OK);
        }
        assert_int_equal(cw_buf_addc(out, '\n'), CW_OK);
    }
    if (rc != SQLITE_DONE)
        fail_msg("step %s: %s", sql, sqlite3_errmsg(s));
    sqlite3_finalize(st);
    sqlite3_close(s);
}

/* PostgreSQL's type oids for the integers caseward stores (bigint, integer, smallint). */
enum { TDB_INT8 = 20, TDB_INT2 = 21, TDB_INT4 = 23, TDB_TEXT = 25, TDB_VARCHAR = 1043 };

/* One connection, kept for the next read of the same database: a test reads often (a refusal
 * reads every table before and after), and a connection costs a new server process. */
static inline PGconn *tdb_conn(const char *db)
{
    static PGconn *c;
    static char uri[1024];
    if (c && !strcmp(uri, db) && PQstatus(c) == CONNECTION_OK)
        return c;
    PQfinish(c);
    c = NULL;
    int n = snprintf(uri, sizeof uri, "%s", db);
    if (n < 0 || (size_t)n >= sizeof uri)
        fail_msg("the database's name is too long: %.64s...", db);
    c = PQconnectdb(db);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connecting to %s: %s", db, PQerrorMessage(c));
    return c;
}

static inline void tdb_rows_pg(const char *db, const char *sql, cw_buf *out, int typed)
{
    PGconn *c = tdb_conn(db);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    for (int row = 0; row < PQntuples(r); row++) {
        for (int i = 0; i < PQnfields(r); i++) {
            if (i)
                assert_int_equal(cw_buf_addc(out, '|'), CW_OK);
            if (PQgetisnull(r, row, i)) {
                assert_int_equal(cw_buf_addstr(out, "NULL"), CW_OK);
                continue;
            }
            Oid t = PQftype(r, i);
            if (typed)
                assert_int_equal(
                    cw_buf_addf(
                        out, "%c:",
                        t == TDB_INT8 || t == TDB_INT4 || t == TDB_INT2               ? 'i'
                        : t == TDB_TEXT || t == TDB_VARCHAR || t == 705 /* unknown */ ? 't'
                                                                                      : 'o'),
                    CW_OK);
            assert_int_equal(cw_buf_add(out, PQgetvalue(r, row, i), (size_t)PQgetlength(r, row, i)),
                             CW_OK);
        }
        assert_int_equal(cw_buf_addc(out, '\n'), CW_OK);
    }
    PQclear(r);
}

/* Appends every row of sql, read from db (a file or a URI) outside caseward. */
static inline void tdb_rows(const char *db, const char *sql, cw_buf *out, int typed)
{
    if (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11))
        tdb_rows_pg(db, sql, out, typed);
    else
        tdb_rows_sqlite(db, sql, out, typed);
}

/* The number of columns of table (a name from tdb_tables_sql) in db. */
static inline int tdb_column_count(const char *db, const char *table)
{
    char sql[512];
    if (tdb_pg())
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM information_schema.columns "
                 "WHERE table_schema = current_schema() AND table_name = '%s'",
                 table);
    else
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')", table);
    cw_buf b = CW_BUF_INIT(64);
    tdb_rows(db, sql, &b, 0);
    int n = b.data ? (int)strtol(b.data, NULL, 10) : 0;
    cw_buf_release(&b);
    if (n <= 0)
        fail_msg("%s has no columns", table);
    return n;
}

/* ---- added for ledger/oversight/measures/signoff ---- */

/*
 * Runs one statement in the PostgreSQL database uri, outside caseward, as the test server's
 * superuser (which the triggers refuse as they refuse everyone). Returns 0 when it succeeded;
 * otherwise -1, with PostgreSQL's message in msg.
 */
static inline int tdb_try_pg(const char *uri, const char *sql, char *msg, size_t cap)
{
    PGconn *c = tdb_conn(uri);
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    msg[0] = '\0';
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 0;
    snprintf(msg, cap, "%s", PQerrorMessage(c));
    return -1;
}

/* ---- added for http/authz ---- */

/* The first column of the first row of sql read from db, into out ("NULL" for a NULL); fails
 * the test when there is no row. */
static inline void tdb_one(const char *db, const char *sql, char *out, size_t cap)
{
    cw_buf b = CW_BUF_INIT(1 << 20);
    tdb_rows(db, sql, &b, 0);
    if (!b.len)
        fail_msg("no row: %s", sql);
    size_t n = strcspn(b.data, "|\n");
    snprintf(out, cap, "%.*s", (int)n, b.data);
    cw_buf_release(&b);
}

/*
 * Changes db behind caseward's back: runs sql (one or more statements) on a read-write
 * connection that is kept for the next call on the same database, so that TEMP tables made by
 * one call are there for the next (on PostgreSQL the connection tdb_rows keeps, as the server's
 * superuser; on SQLite its own, waiting up to 5 s for a lock). tdb_exec_end closes it.
 */
typedef struct tdb_writer {
    sqlite3 *s;
    char db[1024];
} tdb_writer;

static inline tdb_writer *tdb_exec_sqlite(void)
{
    static tdb_writer w;
    return &w;
}

static inline void tdb_exec_end(void)
{
    tdb_writer *w = tdb_exec_sqlite();
    sqlite3_close(w->s);
    memset(w, 0, sizeof *w);
}

static inline void tdb_exec(const char *db, const char *sql)
{
    if (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11)) {
        PGconn *c = tdb_conn(db);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        PQclear(r);
        return;
    }
    tdb_writer *w = tdb_exec_sqlite();
    if (w->s && strcmp(w->db, db))
        tdb_exec_end();
    if (!w->s) {
        if (sqlite3_open_v2(db, &w->s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            fail_msg("sqlite3_open_v2 %s: %s", db, w->s ? sqlite3_errmsg(w->s) : "?");
        sqlite3_busy_timeout(w->s, 5000);
        snprintf(w->db, sizeof w->db, "%s", db);
    }
    char *msg = NULL;
    if (sqlite3_exec(w->s, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

#endif
