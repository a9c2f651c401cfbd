/*
 * bench_pg.h — a benchmark's logs on a PostgreSQL server (docs/postgres.md, "Benchmarks").
 * Header-only, as bench.h, which is included first.
 *
 * A benchmark given --pg URI makes each log it needs in a database of its own on that
 * server (CREATE DATABASE, so the URI's role needs CREATEDB; scripts/pg-test-server's
 * superuser has it), named cw_bench_<pid>_<what>, and drops them at the end. The URI's own
 * database is only where it connects to create and drop them. A URI carries no key file:
 * each log's signing key is DIR/<what>.key (a file's is beside it), handed to caseward through
 * CASEWARD_KEY_FILE (bench_log_use) before the log is created or opened.
 */
#ifndef CW_BENCH_BENCH_PG_H
#define CW_BENCH_BENCH_PG_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger.h"

/* One log of a benchmark: a SQLite file, or a database on the --pg server. */
typedef struct bench_log {
    char path[4096]; /* what caseward opens: DIR/<what>.db, or the database's URI */
    char key[4200];  /* its signing key file */
    char name[64];   /* the database's name on the server ("" for a file) */
} bench_log;

/* Checks snprintf's answer n for a buffer of cap bytes: a path too long is refused. */
static inline void bench_fits(int n, size_t cap)
{
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, BENCH_NAME ": a path or URI is too long\n");
        exit(2);
    }
}

static inline void bench_pg_quiet(void *arg, const char *msg)
{
    (void)arg, (void)msg;
}

/* Runs one statement on the server, dying with the server's message if it fails; its
 * notices ("database ... does not exist, skipping") are not printed. */
static inline void bench_pg_exec(const char *uri, const char *sql)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, BENCH_NAME ": cannot connect to the PostgreSQL server: %s",
                PQerrorMessage(c));
        exit(1);
    }
    PQsetNoticeProcessor(c, bench_pg_quiet, NULL);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, BENCH_NAME ": %s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

/* uri with its database (the path after the host part) replaced by name. */
static inline void bench_pg_uri(const char *uri, const char *name, char *out, size_t cap)
{
    const char *auth = strstr(uri, "://");
    if (!auth) {
        fprintf(stderr, BENCH_NAME ": --pg %s is not a postgresql:// URI\n", uri);
        exit(2);
    }
    auth += 3;
    size_t alen = strcspn(auth, "/?");
    const char *rest = auth + alen;
    if (*rest == '/')
        rest += strcspn(rest, "?");
    bench_fits(snprintf(out, cap, "%.*s/%s%s", (int)(auth - uri + alen), uri, name, rest), cap);
}

/*
 * Fills *l for the log called what (letters, digits, '_'): the file DIR/<what>.db, or with a
 * server a new database on it (one left by an earlier run of the same pid dropped first).
 */
static inline void bench_log_init(bench_log *l, const char *server, const char *dir,
                                  const char *what)
{
    memset(l, 0, sizeof *l);
    if (!server) {
        bench_fits(snprintf(l->path, sizeof l->path, "%s/%s.db", dir, what), sizeof l->path);
        /* beside it, as caseward keeps it */
        bench_fits(snprintf(l->key, sizeof l->key, "%s.key", l->path), sizeof l->key);
        return;
    }
    bench_fits(snprintf(l->key, sizeof l->key, "%s/%s.key", dir, what), sizeof l->key);
    snprintf(l->name, sizeof l->name, "cw_bench_%ld_%s", (long)getpid(), what);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", l->name);
    bench_pg_exec(server, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", l->name);
    bench_pg_exec(server, sql);
    bench_pg_uri(server, l->name, l->path, sizeof l->path);
}

/* Points CASEWARD_KEY_FILE at the log's key: call before creating or opening it to write. */
static inline void bench_log_use(const bench_log *l)
{
    if (l->name[0] && setenv(CW_LEDGER_KEY_ENV, l->key, 1)) {
        fprintf(stderr, BENCH_NAME ": setenv failed\n");
        exit(1);
    }
}

/* Bytes a database's tables hold, their indexes and TOAST included (not the WAL). */
static inline double bench_pg_bytes(const char *uri, const char *table)
{
    PGconn *c = PQconnectdb(uri);
    const char *q = table ? "SELECT pg_total_relation_size($1::regclass)"
                          : "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE "
                            "relkind = 'r' AND relnamespace = 'public'::regnamespace";
    PGresult *r = PQstatus(c) == CONNECTION_OK
                      ? PQexecParams(c, q, table ? 1 : 0, NULL, &table, NULL, NULL, 0)
                      : NULL;
    double v = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                   ? strtod(PQgetvalue(r, 0, 0), NULL)
                   : 0;
    PQclear(r);
    PQfinish(c);
    return v;
}

/* Removes the log: its files, or its database; and its key. */
static inline void bench_log_remove(const bench_log *l, const char *server)
{
    if (l->name[0]) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", l->name);
        bench_pg_exec(server, sql);
    } else {
        static const char *const suffix[] = {"-wal", "-shm"};
        for (size_t i = 0; i < 2; i++) {
            char p[4200];
            bench_fits(snprintf(p, sizeof p, "%s%s", l->path, suffix[i]), sizeof p);
            unlink(p);
        }
        unlink(l->path);
    }
    unlink(l->key);
}

#endif
