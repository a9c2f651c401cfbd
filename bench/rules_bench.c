/*
 * rules_bench.c — figures for the casework rules (issue: casework on
 * statutory timescales).
 *
 * 1. Generates a demo council (src/demo) of --children N (default 20,000;
 *    the national size is 500,000 children, ~20M events) or reuses --db.
 * 2. Whole recomputation: every obligation and signal for every child as of
 *    --as-of, through the same code `caseward overdue/signals` use, run in a
 *    child process so its peak memory is its own.
 * 3. In the same run, SQL over the projection tables computing four of the
 *    rules (assessment timescale, CP visits seen alone, drift, supervision
 *    gap) with a working-day table — the "equivalent SQL" the target names —
 *    and the engine with a pack of just those four rules (cut from the Wales
 *    pack), so the two compute the same thing.
 * 4. Deep verify (caseward verify --db, its read-model part): every
 *    projection rebuilt from the log into a scratch file and compared with
 *    the database row for row, in a child process so its peak RSS is its own.
 * 5. Incremental cost per appended event: validation + projection inside a
 *    batch, a durable single-event append, and re-evaluating the child's
 *    rules after the append.
 * Nothing is asserted: this program reports.
 *
 * On PostgreSQL (docs/postgres.md, "Benchmarks"): --pg URI makes the council in a new
 * database on that server (bench_pg.h), dropped at the end; --db URI reuses the council in
 * that database, or makes it there if the database holds no log (its key from
 * CASEWARD_KEY_FILE, as for caseward). The SQL of step 3 is then PostgreSQL's, over the same
 * projection tables with the same working-day table.
 *
 * usage: rules_bench [--children N] [--db PATH|URI] [--pg URI] [--as-of YYYY-MM-DD] [--seed S]
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "casework/deepverify.h"
#include "demo/demo.h"
#include "ledger/verify.h"
#include "rules/oversight.h"

#define BENCH_NAME "rules_bench"
#include "bench.h"
#include "bench_pg.h"

extern const char cw_rules_pack_wales[];

/* The Wales pack cut down to the named rules (the header and those rules' blocks). */
static cw_rule_pack *subset_pack(const char *const *ids, size_t n)
{
    cw_buf out = CW_BUF_INIT(1 << 20);
    const char *p = cw_rules_pack_wales;
    int keep = 1; /* the header, up to the first rule */
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (!strncmp(p, "rule ", 5)) {
            keep = 0;
            for (size_t i = 0; i < n; i++) {
                size_t il = strlen(ids[i]);
                if (len >= 5 + il && !strncmp(p + 5, ids[i], il) &&
                    (p[5 + il] == '\n' || p[5 + il] == ' '))
                    keep = 1;
            }
        }
        if (keep && cw_buf_add(&out, p, len))
            return NULL;
        p += len;
    }
    cw_rule_pack *pack = NULL;
    cw_error err;
    if (cw_rules_load(out.data, out.len, "wales (4 rules)", &pack, &err)) {
        fprintf(stderr, "rules_bench: subset pack: %s\n", err.msg);
        exit(1);
    }
    cw_buf_release(&out);
    return pack;
}

typedef struct tally {
    uint64_t children, obligations, overdue, met_late, missed, signals;
} tally;

static cw_rc count_child(void *ctx, const char *child, const cw_rule_results *r)
{
    tally *t = ctx;
    (void)child;
    t->children++;
    t->obligations += r->nobligations;
    t->signals += r->nsignals;
    for (size_t i = 0; i < r->nobligations; i++) {
        t->overdue += r->obligations[i].state == CW_OBLIGATION_OVERDUE;
        t->met_late += r->obligations[i].state == CW_OBLIGATION_MET_LATE;
        t->missed += r->obligations[i].state == CW_OBLIGATION_MISSED;
    }
    return CW_OK;
}

/* Runs the whole recomputation in a child process; returns its peak RSS in KiB
 * and, in *anon_kib, its anonymous (heap and stack) memory at the end, which
 * leaves out the database file mapped read-only. */
static long recompute(const char *db, const cw_rule_pack *pack, cw_date as_of, tally *t,
                      double *secs, long *anon_kib)
{
    int p[2];
    if (pipe(p))
        die("pipe", NULL);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        cw_error err;
        cw_ledger *l;
        cw_calendar cal;
        tally mine = {0};
        if (cw_ledger_open(db, CW_LEDGER_READONLY, &l, &err) ||
            cw_calendar_load_default(&cal, &err))
            die("open", &err);
        double t0 = now_s();
        if (cw_oversight_all(l, pack, &cal, as_of, count_child, &mine, &err))
            die("recompute", &err);
        double dt = now_s() - t0;
        long anon = -1;
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "RssAnon:", 8))
                anon = strtol(line + 8, NULL, 10);
        if (f)
            fclose(f);
        if (write(p[1], &mine, sizeof mine) != sizeof mine ||
            write(p[1], &dt, sizeof dt) != sizeof dt ||
            write(p[1], &anon, sizeof anon) != sizeof anon)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    if (read(p[0], t, sizeof *t) != sizeof *t || read(p[0], secs, sizeof *secs) != sizeof *secs ||
        read(p[0], anon_kib, sizeof *anon_kib) != sizeof *anon_kib)
        die("recompute child", NULL);
    close(p[0]);
    struct rusage ru;
    int st;
    /* RUSAGE_CHILDREN: the largest peak of the children waited for so far. */
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) ||
        getrusage(RUSAGE_CHILDREN, &ru) != 0)
        die("recompute child exit", NULL);
    return ru.ru_maxrss;
}

static void no_diff(void *ctx, const char *table, const char *key, const char *what)
{
    (void)ctx, (void)table, (void)key, (void)what;
}

/* A line of /proc/self/status in KiB ("VmHWM:", "VmRSS:"), or -1. */
static long status_kib(const char *field)
{
    long v = -1;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, strlen(field)))
            v = strtol(line + strlen(field), NULL, 10);
    if (f)
        fclose(f);
    return v;
}

/* Deep verify in a child process. *peak_kib: its peak RSS; *base_kib: its RSS when it began
 * (what it shares with this process), so the difference is the deep verify's own. */
static void deep_verify(const char *db, double *secs, cw_deep_report *r, long *peak_kib,
                        long *base_kib)
{
    int p[2];
    if (pipe(p))
        die("pipe", NULL);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        cw_error err;
        long mem[2] = {status_kib("VmRSS:"), 0};
        double t0 = now_s();
        if (cw_casework_deep_verify(db, no_diff, NULL, r, &err))
            die("deep verify", &err);
        double dt = now_s() - t0;
        mem[1] = status_kib("VmHWM:");
        if (write(p[1], &dt, sizeof dt) != sizeof dt || write(p[1], r, sizeof *r) != sizeof *r ||
            write(p[1], mem, sizeof mem) != sizeof mem)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    long mem[2];
    if (read(p[0], secs, sizeof *secs) != sizeof *secs || read(p[0], r, sizeof *r) != sizeof *r ||
        read(p[0], mem, sizeof mem) != sizeof mem)
        die("deep verify child", NULL);
    close(p[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        die("deep verify child exit", NULL);
    *base_kib = mem[0];
    *peak_kib = mem[1];
}

/* The same four rules in SQL over the projections; returns overdue counts. */
static void sql_equivalent(const char *db, const cw_calendar *cal, cw_date as_of, double *secs,
                           int64_t out[4])
{
    sqlite3 *s;
    if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("sqlite open", NULL);
    double t0 = now_s();
    /* The working-day calendar as a table: date -> working days since its start. */
    sqlite3_exec(s, "CREATE TEMP TABLE wd(date TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
                 NULL, NULL, NULL);
    sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(s, "INSERT INTO temp.wd VALUES (?1, ?2)", -1, &ins, NULL);
    for (cw_date d = cal->first; d <= cal->last; d++) {
        char ds[CW_DATE_LEN + 1];
        cw_date_format(d, ds);
        sqlite3_bind_text(ins, 1, ds, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 2, cal->cum[d - cal->first]);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
    /* Give SQL its best chance: due dates are looked up by count. */
    sqlite3_exec(s, "CREATE INDEX temp.wd_by_n ON wd(n, date)", NULL, NULL, NULL);
    char asof[CW_DATE_LEN + 1];
    cw_date_format(as_of, asof);
    /* due(d, k) = the first date whose count is count(d) + k. */
    static const char *const q[4] = {
        /* assessments: referral decided 'assessment', no completed assessment for the child
         * on or before 42 working days after the referral, and that date has passed */
        "SELECT count(*) FROM records r JOIN wd a ON a.date = r.opened_on "
        "JOIN wd due ON due.date = (SELECT min(date) FROM wd x WHERE x.n = a.n + 42) "
        "WHERE r.kind = 'referral' AND r.status = 'assessment' AND due.date < ?1 AND NOT EXISTS "
        "(SELECT 1 FROM records s WHERE s.kind = 'assessment' AND s.child_id = r.child_id "
        "AND s.closed_on IS NOT NULL AND s.closed_on <= due.date AND s.opened_on >= r.opened_on)",
        /* CP visits: on the register, last visit seen alone more than 10 working days ago */
        "SELECT count(*) FROM children c JOIN wd a ON a.date = ?1 WHERE c.cp_since IS NOT NULL "
        "AND (SELECT n FROM wd WHERE date = coalesce((SELECT max(date) FROM visits v "
        "WHERE v.child_id = c.child_id AND v.seen_alone = 1 AND v.date <= ?1), c.cp_since)) + 10 < "
        "a.n",
        /* drift: open, no activity for 20 working days */
        "SELECT count(*) FROM children c JOIN wd a ON a.date = ?1 JOIN wd l ON l.date = "
        "c.last_activity "
        "WHERE c.case_status = 'open' AND l.n + 20 < a.n",
        /* supervision gap: allocated open case not discussed in the last 28 days */
        "SELECT count(*) FROM children c WHERE c.case_status = 'open' AND c.worker_id IS NOT NULL "
        "AND coalesce((SELECT max(s.date) FROM supervision_cases sc JOIN supervisions s "
        "ON s.idx = sc.idx WHERE sc.child_id = c.child_id AND s.date <= ?1), '0000') "
        "< date(?1, '-28 days')",
    };
    for (int i = 0; i < 4; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s, q[i], -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "rules_bench: SQL %d: %s\n", i, sqlite3_errmsg(s));
            exit(1);
        }
        sqlite3_bind_text(st, 1, asof, -1, SQLITE_STATIC);
        out[i] = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
    }
    *secs = now_s() - t0;
    sqlite3_close(s);
}

/* The same four rules in PostgreSQL's SQL over the same projection tables and the same
 * working-day table (loaded with COPY, indexed and analysed), as sql_equivalent does. */
static void pg_one(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "rules_bench: SQL %s: %s", what, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

static void pg_sql_equivalent(const char *uri, const cw_calendar *cal, cw_date as_of, double *secs,
                              int64_t out[4])
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "rules_bench: %s", PQerrorMessage(c));
        exit(1);
    }
    double t0 = now_s();
    pg_one(c,
           PQexec(c, "CREATE TEMP TABLE wd(date text COLLATE \"C\" PRIMARY KEY, n int NOT NULL)"),
           PGRES_COMMAND_OK, "wd");
    pg_one(c, PQexec(c, "COPY wd FROM STDIN"), PGRES_COPY_IN, "copy");
    for (cw_date d = cal->first; d <= cal->last; d++) {
        char ds[CW_DATE_LEN + 1], line[64];
        cw_date_format(d, ds);
        int len = snprintf(line, sizeof line, "%s\t%d\n", ds, (int)cal->cum[d - cal->first]);
        if (PQputCopyData(c, line, len) != 1)
            die("copy", NULL);
    }
    if (PQputCopyEnd(c, NULL) != 1)
        die("copy end", NULL);
    pg_one(c, PQgetResult(c), PGRES_COMMAND_OK, "copy");
    pg_one(c, PQexec(c, "CREATE INDEX wd_by_n ON wd(n, date)"), PGRES_COMMAND_OK, "index");
    pg_one(c, PQexec(c, "ANALYZE wd"), PGRES_COMMAND_OK, "analyze");
    char asof[CW_DATE_LEN + 1];
    cw_date_format(as_of, asof);
    /* sql_equivalent's queries; date(?1, '-28 days') becomes date arithmetic. */
    static const char *const q[4] = {
        "SELECT count(*) FROM records r JOIN wd a ON a.date = r.opened_on "
        "JOIN wd due ON due.date = (SELECT min(date) FROM wd x WHERE x.n = a.n + 42) "
        "WHERE r.kind = 'referral' AND r.status = 'assessment' AND due.date < $1 AND NOT EXISTS "
        "(SELECT 1 FROM records s WHERE s.kind = 'assessment' AND s.child_id = r.child_id "
        "AND s.closed_on IS NOT NULL AND s.closed_on <= due.date AND s.opened_on >= r.opened_on)",
        "SELECT count(*) FROM children c JOIN wd a ON a.date = $1 WHERE c.cp_since IS NOT NULL "
        "AND (SELECT n FROM wd WHERE date = coalesce((SELECT max(date) FROM visits v "
        "WHERE v.child_id = c.child_id AND v.seen_alone = 1 AND v.date <= $1), c.cp_since)) + 10 < "
        "a.n",
        "SELECT count(*) FROM children c JOIN wd a ON a.date = $1 JOIN wd l ON l.date = "
        "c.last_activity "
        "WHERE c.case_status = 'open' AND l.n + 20 < a.n",
        "SELECT count(*) FROM children c WHERE c.case_status = 'open' AND c.worker_id IS NOT NULL "
        "AND coalesce((SELECT max(s.date) FROM supervision_cases sc JOIN supervisions s "
        "ON s.idx = sc.idx WHERE sc.child_id = c.child_id AND s.date <= $1), '0000') "
        "< to_char($1::date - 28, 'YYYY-MM-DD')",
    };
    for (int i = 0; i < 4; i++) {
        const char *v[] = {asof};
        PGresult *r = PQexecParams(c, q[i], 1, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            fprintf(stderr, "rules_bench: SQL %d: %s", i, PQerrorMessage(c));
            exit(1);
        }
        out[i] = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    *secs = now_s() - t0;
    PQfinish(c);
}

typedef struct pick {
    char ids[1000][65];
    size_t n;
} pick;

static cw_rc pick_open(void *ctx, const cw_value *c, size_t n)
{
    pick *p = ctx;
    if (p->n < 1000 && n >= 4 && c[3].type == CW_V_TEXT && c[3].len == 4 &&
        !memcmp(c[3].s, "open", 4) && c[0].len < 65) {
        memcpy(p->ids[p->n], c[0].s, c[0].len);
        p->ids[p->n][c[0].len] = '\0';
        p->n++;
    }
    return CW_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    uint64_t children = 20000, seed = 1;
    const char *db = NULL, *as_of_s = NULL, *server = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--children"))
            children = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else if (!strcmp(argv[i], "--as-of"))
            as_of_s = argv[i + 1];
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--pg"))
            server = argv[i + 1];
    }
    cw_error err;
    cw_calendar cal;
    cw_rule_pack *pack;
    if (cw_calendar_load_default(&cal, &err) || cw_rules_load_builtin("wales", &pack, &err))
        die("setup", &err);
    cw_date as_of = (cw_date)(time(NULL) / 86400);
    if (as_of_s && cw_date_parse(as_of_s, strlen(as_of_s), &as_of))
        die("--as-of", NULL);
    char path[512], tmpl[] = "/tmp/caseward-rules-bench-XXXXXX";
    bench_log pglog = {.name = ""};
    if (!db) {
        if (!mkdtemp(tmpl))
            die("mkdtemp", NULL);
        if (server) { /* a database of its own on the server, and its key in tmpl */
            bench_log_init(&pglog, server, tmpl, "rules");
            bench_log_use(&pglog);
            db = pglog.path;
        } else {
            snprintf(path, sizeof path, "%s/demo.db", tmpl);
            db = path;
        }
    }
    int uri = cw_store_is_uri(db);
    struct stat sb;
    cw_ledger *l;
    printf("caseward rules benchmark (Wales pack, %s), as of ", uri ? "PostgreSQL" : "SQLite");
    char asof[CW_DATE_LEN + 1];
    cw_date_format(as_of, asof);
    printf("%s\n", asof);
    /* A council to make: no file, or a database that holds no log yet. */
    int fresh =
        uri ? cw_ledger_open(db, CW_LEDGER_READONLY, &l, &err) != CW_OK : stat(db, &sb) != 0;
    if (uri && !fresh)
        cw_ledger_close(l);
    if (fresh) {
        cw_demo_opts o;
        cw_demo_stats ds;
        cw_demo_opts_init(&o);
        o.children = children;
        o.seed = seed;
        o.as_of = as_of;
        double t0 = now_s();
        if (isatty(2)) { /* a progress line is for a person watching, not for a log */
            o.progress = bench_progress;
            o.progress_ctx = &t0;
        }
        if (cw_ledger_create(db, "bench.caseward.local/rules", &err) ||
            cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err) || cw_demo_generate(l, &o, &ds, &err))
            die("demo", &err);
        double dt = now_s() - t0;
        fprintf(stderr, "\n");
        printf("\ndemo council\n  %" PRIu64 " children, %" PRIu64 " events generated and validated"
               " in %.1f s = %.0f events/s\n",
               ds.children, ds.events, dt, (double)ds.events / dt);
        cw_ledger_close(l);
    }
    /* Only read while the recomputations run: no writer holds the database. */
    if (cw_ledger_open(db, CW_LEDGER_READONLY, &l, &err))
        die("open", &err);
    uint64_t events = cw_ledger_size(l);
    cw_ledger_close(l);
    printf("  log: %s, %" PRIu64 " entries\n", uri ? "a PostgreSQL database" : db, events);

    /* ---- whole recomputation ---- */
    tally t = {0}, t4 = {0}, tc = {0};
    double t_eng, t_eng4, t_cold;
    long anon, anon4, anonc;
    /* The first pass reads the database into memory (the page cache, and the
     * read-only mapping): reported apart, so the comparisons are warm to warm. */
    recompute(db, pack, as_of, &tc, &t_cold, &anonc);
    long rss = recompute(db, pack, as_of, &t, &t_eng, &anon);
    printf("\nwhole recomputation (all the pack's rules, every child)\n");
    printf("  first pass (database not yet in memory) %.2f s\n", t_cold);
    printf("  %" PRIu64 " children: %" PRIu64 " obligations (%" PRIu64 " overdue, %" PRIu64
           " met late, %" PRIu64 " missed), %" PRIu64 " signals\n",
           t.children, t.obligations, t.overdue, t.met_late, t.missed, t.signals);
    printf("  %.2f s = %.2f us per entry; peak RSS %.1f MiB (heap %.1f MiB; the rest is %s)\n",
           t_eng, t_eng * 1e6 / (double)events, (double)rss / 1024.0, (double)anon / 1024.0,
           uri ? "the program and its libraries" : "the database file mapped read-only");
    static const char *const four[] = {"assessment", "cp_visit", "drift", "supervision_gap"};
    cw_rule_pack *pack4 = subset_pack(four, 4);
    recompute(db, pack4, as_of, &t4, &t_eng4, &anon4);
    cw_rules_free(pack4);
    double t_sql;
    int64_t sq[4];
    if (uri)
        pg_sql_equivalent(db, &cal, as_of, &t_sql, sq);
    else
        sql_equivalent(db, &cal, as_of, &t_sql, sq);
    printf("\nthe same 4 rules (assessment, cp_visit, drift, supervision_gap), engine vs SQL\n");
    printf("  engine, a pack of those 4 rules      %.3f s (%" PRIu64 " obligations, %" PRIu64
           " signals)\n",
           t_eng4, t4.obligations, t4.signals);
    printf("  SQL over the projection tables       %.3f s (late or overdue: assessments %" PRId64
           ", CP visits %" PRId64 ", drifting %" PRId64 ", supervision gaps %" PRId64 ")\n",
           t_sql, sq[0], sq[1], sq[2], sq[3]);
    printf("  ratio engine/SQL %.2f (target < 1); all rules/SQL 4 rules %.2f\n", t_eng4 / t_sql,
           t_eng / t_sql);

    /* ---- deep verify ---- */
    cw_deep_report dr;
    double t_deep;
    long peak_deep, base_deep;
    deep_verify(db, &t_deep, &dr, &peak_deep, &base_deep);
    printf("\ndeep verify (the read model rebuilt from the log and compared, verify --db)\n");
    printf("  %" PRIu64 " entries replayed, %" PRIu64 " rows compared: %.2f s; peak RSS %.1f MiB "
           "(%.1f MiB of it the deep verify's own)\n",
           dr.size, dr.rows, t_deep, (double)peak_deep / 1024.0,
           (double)(peak_deep - base_deep) / 1024.0);

    /* ---- incremental ---- */
    if (cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        die("open", &err);
    pick pk = {.n = 0};
    cw_store_run(cw_ledger_store(l), CW_Q_CHILDREN_ALL, NULL, 0, pick_open, &pk, NULL, &err);
    if (pk.n == 0)
        die("no open cases", NULL);
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(time(NULL) / 86400), today);
    json_t *p = NULL;
    /* The benchmark's own worker records the notes (already there on a reused --db). */
    json_t *sp = json_pack("{s:s, s:s, s:s}", "staff_id", "bench.sw", "name", "Bench", "role",
                           "social_worker");
    cw_event add = {"admin", "staff_added", sp};
    if (!cw_casework_begin(l, &err)) {
        if (cw_casework_submit(l, &add, NULL, &err) == CW_OK)
            cw_casework_commit(l, NULL, &err);
        else
            cw_casework_abort(l);
    }
    json_decref(sp);
    /* The server's check of the log: the whole log at start, then each write's increment. */
    cw_integrity *mon;
    double t0 = now_s();
    if (cw_integrity_open(db, &mon, &err))
        die("integrity", &err);
    double t_mon_open = now_s() - t0;
    /* (a) validation + projection inside one batch */
    t0 = now_s();
    if (cw_casework_begin(l, &err))
        die("begin", &err);
    for (size_t i = 0; i < pk.n; i++) {
        p = json_pack("{s:s, s:s, s:s}", "child_id", pk.ids[i], "date", today, "text",
                      "Benchmark note.");
        cw_event ev = {"bench.sw", "case_note", p};
        cw_rc rc = cw_casework_submit(l, &ev, NULL, &err);
        json_decref(p);
        if (rc)
            die("case note", &err);
    }
    double t_batch_add = now_s() - t0;
    if (cw_casework_commit(l, NULL, &err))
        die("commit", &err);
    double t_all = now_s() - t0;
    t0 = now_s();
    if (cw_integrity_check(mon, 0, &err))
        die("integrity check", &err);
    double t_mon_batch = now_s() - t0;
    printf("\nincremental, per appended event (%zu case notes on open cases)\n", pk.n);
    printf("  validation + projection in a batch   %7.1f us  (%.1f us with the commit)\n",
           t_batch_add * 1e6 / (double)pk.n, t_all * 1e6 / (double)pk.n);
    /* (b) durable single appends and (c) rules re-evaluation of the child */
    size_t nsingle = pk.n < 200 ? pk.n : 200;
    double *lat = malloc(nsingle * sizeof *lat), *re = malloc(pk.n * sizeof *re);
    double *chk = malloc(nsingle * sizeof *chk);
    for (size_t i = 0; i < nsingle; i++) {
        p = json_pack("{s:s, s:s, s:s}", "child_id", pk.ids[i], "date", today, "text", "Again.");
        cw_event ev = {"bench.sw", "case_note", p};
        double s0 = now_s();
        if (cw_casework_begin(l, &err) || cw_casework_submit(l, &ev, NULL, &err) ||
            cw_casework_commit(l, NULL, &err))
            die("single", &err);
        lat[i] = (now_s() - s0) * 1e6;
        json_decref(p);
        /* As the server does around each write: the versions, then the increment. */
        int64_t schema, data;
        s0 = now_s();
        if (cw_store_versions(cw_ledger_store(l), &schema, &data, &err) ||
            cw_integrity_check(mon, 0, &err))
            die("integrity check", &err);
        chk[i] = (now_s() - s0) * 1e6;
    }
    cw_rule_results r;
    cw_rule_results_init(&r);
    for (size_t i = 0; i < pk.n; i++) {
        double s0 = now_s();
        cw_rule_results_reset(&r);
        if (cw_oversight_child(l, pack, &cal, pk.ids[i], as_of, &r, &err))
            die("child", &err);
        re[i] = (now_s() - s0) * 1e6;
    }
    qsort(lat, nsingle, sizeof *lat, cmp_double);
    qsort(re, pk.n, sizeof *re, cmp_double);
    printf("  durable single-event append          p50 %7.1f us  p99 %7.1f us (fsync'd, signed)\n",
           lat[nsingle / 2], lat[nsingle * 99 / 100]);
    printf("  re-evaluating the child's rules      p50 %7.1f us  p99 %7.1f us (target < 20)\n",
           re[pk.n / 2], re[pk.n * 99 / 100]);
    qsort(chk, nsingle, sizeof *chk, cmp_double);
    printf("\nthe server's integrity check (serve)\n");
    printf("  the whole log, at start              %.2f s\n", t_mon_open);
    printf("  after a write of one entry           p50 %7.1f us  p99 %7.1f us\n", chk[nsingle / 2],
           chk[nsingle * 99 / 100]);
    printf("  after the batch of %zu entries       %7.1f us\n", pk.n, t_mon_batch * 1e6);
    cw_integrity_free(mon);
    free(chk);
    cw_rule_results_release(&r);
    free(lat);
    free(re);
    cw_ledger_close(l);
    cw_rules_free(pack);
    cw_calendar_release(&cal);
    if (pglog.name[0]) { /* the database this run made on the server */
        bench_log_remove(&pglog, server);
        rmdir(tmpl);
    }
    if (db == path) { /* the council this run made: a few hundred MB, not left behind */
        static const char *const suffix[] = {"", ".key", "-wal", "-shm"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char f[600];
            snprintf(f, sizeof f, "%s%s", path, suffix[i]);
            unlink(f);
        }
        rmdir(tmpl);
    }
    return 0;
}
