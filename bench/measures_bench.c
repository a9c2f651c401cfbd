/*
 * measures_bench.c — figures for the performance measures (issue: performance
 * measures an inspector can recompute).
 *
 * 1. Generates a demo council (src/demo) of --children N (default 20,000; the
 *    national size is 500,000) or reuses --db.
 * 2. Every measure of the Wales pack for a financial year (--period, default
 *    the last whole one before --as-of), as `caseward measures` computes it,
 *    in a child process so its peak memory is its own.
 * 3. In the same run, the headline measure (PM24: of the assessments
 *    completed in the year, the share completed within 42 working days of the
 *    referral) as one SQL query over the projection tables, with a
 *    working-day table. The target: the full set of measures no slower.
 * 4. The log exported, `caseward verify --dir` of the export, and the
 *    recomputation of the signed report from the export alone
 *    (`verify --dir --measures`). The target: no more than 3 times the verify.
 * Nothing is asserted: this program reports.
 *
 * usage: measures_bench [--children N] [--db PATH] [--as-of YYYY-MM-DD] [--seed S]
 *                       [--period fy2025] [--keep-export DIR] [--live-only]
 * (--live-only, first: the figures against SQL and the memory, without the export)
 *
 * On PostgreSQL (docs/postgres.md, "Benchmarks"): --db URI uses the council in that database,
 * or makes it there if the database holds no log (the key from CASEWARD_KEY_FILE, as for
 * caseward); --pg URI makes it in a new database on that server (bench_pg.h), dropped at the
 * end. PM24's SQL is then PostgreSQL's, over the same tables, with the same working days.
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

#include "demo/demo.h"
#include "ledger/verify.h"
#include "measures/report.h"
#include "util/file.h"

#define BENCH_NAME "measures_bench"
#include "bench.h"
#include "bench_pg.h"

/* What a child process sends back. */
typedef struct outcome {
    double secs;
    long peak_kib, anon_kib; /* VmHWM; RssAnon at the end (the heap, not files mapped) */
    int64_t pm24_num, pm24_den;
    uint64_t children;
    size_t figures;
    char msg[256];
} outcome;

typedef void (*job_fn)(const void *arg, outcome *o);

/* Runs fn in a child process: its time, and its peak RSS (VmHWM) measured from its start. */
static outcome in_child(job_fn fn, const void *arg)
{
    int p[2];
    outcome o;
    memset(&o, 0, sizeof o);
    if (pipe(p))
        die("pipe", NULL);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        fn(arg, &o);
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {
            if (!strncmp(line, "VmHWM:", 6))
                o.peak_kib = strtol(line + 6, NULL, 10);
            if (!strncmp(line, "RssAnon:", 8))
                o.anon_kib = strtol(line + 8, NULL, 10);
        }
        if (f)
            fclose(f);
        if (write(p[1], &o, sizeof o) != sizeof o)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    if (read(p[0], &o, sizeof o) != sizeof o)
        die("child", NULL);
    close(p[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        die("child exit", NULL);
    return o;
}

typedef struct live_arg {
    const char *db;
    cw_measures_query q;
    const char *report_out;
} live_arg;

static void live_job(const void *arg, outcome *o)
{
    const live_arg *a = arg;
    cw_error err;
    cw_ledger *l;
    cw_calendar cal;
    cw_rule_pack *pack;
    cw_measure_set *m;
    json_t *report;
    /* Opened as the server's readers open it: the file not mapped, so what the process holds
     * is its own memory and SQLite's bounded page cache. */
    if (cw_ledger_open(a->db, CW_LEDGER_READONLY | CW_LEDGER_NO_MMAP, &l, &err) ||
        cw_calendar_load_default(&cal, &err) || cw_rules_load_builtin("wales", &pack, &err) ||
        cw_measures_load_builtin(pack, &m, &err))
        die("open", &err);
    double t0 = now_s();
    if (cw_measures_report(l, m, pack, &cal, &a->q, &report, NULL, &err))
        die("measures", &err);
    o->secs = now_s() - t0;
    json_t *ms = json_object_get(report, "measures");
    o->figures = json_array_size(ms);
    o->children = (uint64_t)json_integer_value(json_object_get(report, "children"));
    for (size_t i = 0; i < json_array_size(ms); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(ms, i), "id")), "PM24")) {
            o->pm24_num = json_integer_value(json_object_get(json_array_get(ms, i), "numerator"));
            o->pm24_den = json_integer_value(json_object_get(json_array_get(ms, i), "denominator"));
        }
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    if (cw_measures_sign(a->db, report, &note, &err))
        die("sign", &err);
    FILE *f = fopen(a->report_out, "w");
    if (!f || fwrite(note.data, 1, note.len, f) != note.len || fclose(f))
        die("writing the report", NULL);
}

typedef struct dir_arg {
    const char *dir, *report;
} dir_arg;

static void verify_job(const void *arg, outcome *o)
{
    const dir_arg *a = arg;
    cw_verify_opts vo = {0};
    cw_verify_report r;
    cw_error err;
    vo.dir = a->dir;
    double t0 = now_s();
    if (cw_verify(&vo, &r, &err))
        die("verify", &err);
    o->secs = now_s() - t0;
}

static void recompute_job(const void *arg, outcome *o)
{
    const dir_arg *a = arg;
    cw_error err;
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES), vk = CW_BUF_INIT(4096);
    char path[600];
    snprintf(path, sizeof path, "%s/vkey", a->dir);
    cw_note_verifier v;
    cw_measures_check c;
    if (cw_file_read(a->report, &note, &err) || cw_file_read(path, &vk, &err) ||
        cw_note_verifier_parse(vk.data, strcspn(vk.data, "\n"), &v, &err))
        die("reading the report", &err);
    double t0 = now_s();
    if (cw_measures_recompute(a->dir, note.data, note.len, &v, NULL, NULL, &c, &err))
        die("recompute", &err);
    o->secs = now_s() - t0;
    o->figures = c.figures;
}

/* PM24 as one SQL query over the projections, with a table of working days. */
static void sql_pm24(const char *db, const cw_calendar *cal, cw_date from, cw_date to, double *secs,
                     int64_t *num, int64_t *den)
{
    sqlite3 *s;
    if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("sqlite open", NULL);
    /* wd: each day with the number of working days up to and including it; wdn: the n-th
     * working day. The 42nd working day after d is wdn[count(d) + 42]. */
    sqlite3_exec(s,
                 "CREATE TEMP TABLE wd(date TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
                 "CREATE TEMP TABLE wdn(n INTEGER PRIMARY KEY, date TEXT NOT NULL);",
                 NULL, NULL, NULL);
    sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *ins, *insn;
    sqlite3_prepare_v2(s, "INSERT INTO temp.wd VALUES (?1, ?2)", -1, &ins, NULL);
    sqlite3_prepare_v2(s, "INSERT OR IGNORE INTO temp.wdn VALUES (?1, ?2)", -1, &insn, NULL);
    for (cw_date d = cal->first; d <= cal->last; d++) {
        char ds[CW_DATE_LEN + 1];
        cw_date_format(d, ds);
        int n = cal->cum[d - cal->first];
        sqlite3_bind_text(ins, 1, ds, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 2, n);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        bool working = false;
        cw_calendar_is_working_day(cal, d, &working, NULL);
        if (working) {
            sqlite3_bind_int(insn, 1, n);
            sqlite3_bind_text(insn, 2, ds, -1, SQLITE_TRANSIENT);
            sqlite3_step(insn);
            sqlite3_reset(insn);
        }
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(insn);
    sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
    char f[CW_DATE_LEN + 1], t[CW_DATE_LEN + 1];
    cw_date_format(from, f);
    cw_date_format(to, t);
    /* Each assessment completed (signed off, where sign-off applies) in the period, its
     * referral (the latest referral decided for assessment on or before its start), and
     * whether it was done by the 42nd working day after the referral. Work signed off in
     * caseward is done on the day of its sign-off; work whose entry claims its sign-off
     * (migrated history) on its own date, as corrected: the sign-off row keeps the date the
     * entry first gave, so it is not read for those. */
    static const char q[] =
        "SELECT count(*), coalesce(sum(done <= due), 0) FROM ("
        " SELECT CASE WHEN so.state = 'signed_off' AND so.decided_on > a.closed_on"
        "  THEN so.decided_on ELSE a.closed_on END AS done,"
        "  (SELECT w.date FROM wdn w WHERE w.n = (SELECT n FROM wd WHERE date ="
        "   (SELECT max(r.opened_on) FROM records r WHERE r.child_id = a.child_id"
        "    AND r.kind = 'referral' AND r.status = 'assessment' AND r.opened_on <= a.opened_on))"
        "   + 42) AS due"
        " FROM records a LEFT JOIN signoffs so ON so.idx = a.closed_idx"
        " WHERE a.kind = 'assessment' AND a.closed_on IS NOT NULL"
        "  AND (so.idx IS NULL OR so.state IN ('signed_off', 'claimed', 'not_needed')))"
        " WHERE done BETWEEN ?1 AND ?2 AND due IS NOT NULL";
    sqlite3_stmt *st;
    double t0 = now_s();
    if (sqlite3_prepare_v2(s, q, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "measures_bench: SQL: %s\n", sqlite3_errmsg(s));
        exit(1);
    }
    sqlite3_bind_text(st, 1, f, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *den = sqlite3_column_int64(st, 0);
        *num = sqlite3_column_int64(st, 1);
    }
    *secs = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void pg_one(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "measures_bench: SQL %s: %s", what, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

/* sql_pm24 on PostgreSQL: the same tables (loaded with COPY, analysed) and the same query. */
static void pg_pm24(const char *uri, const cw_calendar *cal, cw_date from, cw_date to, double *secs,
                    int64_t *num, int64_t *den)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "measures_bench: %s", PQerrorMessage(c));
        exit(1);
    }
    pg_one(c,
           PQexec(c, "CREATE TEMP TABLE wd(date text COLLATE \"C\" PRIMARY KEY, n int NOT NULL);"
                     "CREATE TEMP TABLE wdn(n int PRIMARY KEY, date text COLLATE \"C\" NOT NULL)"),
           PGRES_COMMAND_OK, "tables");
    for (int table = 0; table < 2; table++) {
        pg_one(c, PQexec(c, table ? "COPY wdn FROM STDIN" : "COPY wd FROM STDIN"), PGRES_COPY_IN,
               "copy");
        int last = -1;
        for (cw_date d = cal->first; d <= cal->last; d++) {
            char ds[CW_DATE_LEN + 1], line[64];
            cw_date_format(d, ds);
            int n = cal->cum[d - cal->first], len;
            bool working = false;
            cw_calendar_is_working_day(cal, d, &working, NULL);
            if (!table)
                len = snprintf(line, sizeof line, "%s\t%d\n", ds, n);
            else if (working && n != last) /* the first day of each count, as INSERT OR IGNORE */
                len = snprintf(line, sizeof line, "%d\t%s\n", last = n, ds);
            else
                continue;
            if (PQputCopyData(c, line, len) != 1)
                die("copy", NULL);
        }
        if (PQputCopyEnd(c, NULL) != 1)
            die("copy end", NULL);
        pg_one(c, PQgetResult(c), PGRES_COMMAND_OK, "copy");
    }
    pg_one(c, PQexec(c, "ANALYZE wd; ANALYZE wdn"), PGRES_COMMAND_OK, "analyze");
    char f[CW_DATE_LEN + 1], t[CW_DATE_LEN + 1];
    cw_date_format(from, f);
    cw_date_format(to, t);
    static const char q[] =
        "SELECT count(*), coalesce(sum((done <= due)::int), 0) FROM ("
        " SELECT CASE WHEN so.state = 'signed_off' AND so.decided_on > a.closed_on"
        "  THEN so.decided_on ELSE a.closed_on END AS done,"
        "  (SELECT w.date FROM wdn w WHERE w.n = (SELECT n FROM wd WHERE date ="
        "   (SELECT max(r.opened_on) FROM records r WHERE r.child_id = a.child_id"
        "    AND r.kind = 'referral' AND r.status = 'assessment' AND r.opened_on <= a.opened_on))"
        "   + 42) AS due"
        " FROM records a LEFT JOIN signoffs so ON so.idx = a.closed_idx"
        " WHERE a.kind = 'assessment' AND a.closed_on IS NOT NULL"
        "  AND (so.idx IS NULL OR so.state IN ('signed_off', 'claimed', 'not_needed'))) x"
        " WHERE done BETWEEN $1 AND $2 AND due IS NOT NULL";
    const char *v[] = {f, t};
    double t0 = now_s();
    PGresult *r = PQexecParams(c, q, 2, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "measures_bench: SQL: %s", PQerrorMessage(c));
        exit(1);
    }
    *den = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *num = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    *secs = now_s() - t0;
    PQclear(r);
    PQfinish(c);
}

int main(int argc, char **argv)
{
    uint64_t children = 20000, seed = 1;
    const char *db = NULL, *as_of_s = NULL, *period = NULL, *keep = NULL, *server = NULL;
    int live_only = 0;
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--live-only")) {
            live_only = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc)
            break;
        if (!strcmp(argv[i], "--children"))
            children = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else if (!strcmp(argv[i], "--as-of"))
            as_of_s = argv[i + 1];
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--period"))
            period = argv[i + 1];
        else if (!strcmp(argv[i], "--keep-export"))
            keep = argv[i + 1];
        else if (!strcmp(argv[i], "--pg"))
            server = argv[i + 1];
    }
    cw_error err;
    cw_calendar cal;
    if (cw_calendar_load_default(&cal, &err))
        die("setup", &err);
    cw_date as_of = (cw_date)(time(NULL) / 86400);
    if (as_of_s && cw_date_parse(as_of_s, strlen(as_of_s), &as_of))
        die("--as-of", NULL);
    live_arg la = {NULL, {0, 0, NULL, NULL, -1}, NULL};
    if (period) {
        if (cw_measures_period(period, &la.q.from, &la.q.to, &err))
            die("--period", &err);
    } else {
        /* the last whole financial year before as_of */
        int y;
        unsigned mo, d;
        cw_date_to_ymd(as_of, &y, &mo, &d);
        int fy = (mo >= 4 ? y : y - 1) - 1;
        la.q.from = cw_date_from_ymd(fy, 4, 1);
        la.q.to = cw_date_from_ymd(fy + 1, 3, 31);
    }
    char tmpl[] = "/tmp/caseward-measures-bench-XXXXXX", path[600], exp[600], rep[600];
    if (!mkdtemp(tmpl))
        die("mkdtemp", NULL);
    bench_log pglog = {.name = ""};
    if (!db && server) { /* a database of its own on the server, and its key in tmpl */
        bench_log_init(&pglog, server, tmpl, "measures");
        bench_log_use(&pglog);
        db = pglog.path;
    } else if (!db) {
        snprintf(path, sizeof path, "%s/demo.db", tmpl);
        db = path;
    }
    int uri = cw_store_is_uri(db);
    snprintf(exp, sizeof exp, "%s", keep ? keep : tmpl);
    if (!keep)
        strncat(exp, "/export", sizeof exp - strlen(exp) - 1);
    snprintf(rep, sizeof rep, "%s/report", tmpl);
    char f[CW_DATE_LEN + 1], t[CW_DATE_LEN + 1];
    cw_date_format(la.q.from, f);
    cw_date_format(la.q.to, t);
    printf("caseward measures benchmark (Wales pack, %s), the year %s to %s\n",
           uri ? "PostgreSQL" : "SQLite", f, t);
    struct stat sb;
    cw_ledger *l;
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
        if (isatty(2)) {
            o.progress = bench_progress;
            o.progress_ctx = &t0;
        }
        if (cw_ledger_create(db, "bench.caseward.local/measures", &err) ||
            cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err) || cw_demo_generate(l, &o, &ds, &err))
            die("demo", &err);
        double dt = now_s() - t0;
        if (isatty(2))
            fprintf(stderr, "\n");
        printf("demo council\n  %" PRIu64 " children, %" PRIu64 " events generated in %.1f s\n",
               ds.children, ds.events, dt);
        cw_ledger_close(l);
    }
    uint64_t size = 0;
    if (cw_ledger_open(db, CW_LEDGER_READONLY, &l, &err))
        die("open", &err);
    printf("  log: %s, %" PRIu64 " entries\n", uri ? "a PostgreSQL database" : db,
           cw_ledger_size(l));

    /* ---- live figures vs one SQL query ---- */
    la.db = db;
    la.report_out = rep;
    outcome cold = in_child(live_job, &la); /* reads the database into the page cache */
    outcome live = in_child(live_job, &la);
    double t_sql;
    int64_t sn = 0, sd = 0;
    if (uri)
        pg_pm24(db, &cal, la.q.from, la.q.to, &t_sql, &sn, &sd);
    else
        sql_pm24(db, &cal, la.q.from, la.q.to, &t_sql, &sn, &sd);
    printf("\nevery measure for the year (caseward measures), against PM24 as one SQL query\n");
    printf("  first pass (database not yet in memory) %.2f s\n", cold.secs);
    printf("  all %zu measures, %" PRIu64 " children    %.3f s; peak RSS %.1f MiB\n", live.figures,
           live.children, live.secs, live.peak_kib / 1024.0);
    printf("  PM24 in SQL over the projections   %.3f s (PM24 %" PRId64 " / %" PRId64
           "; the engine's %" PRId64 " / %" PRId64 ")\n",
           t_sql, sn, sd, live.pm24_num, live.pm24_den);
    printf("  ratio all measures / SQL PM24 %.2f (target <= 1)\n", live.secs / t_sql);

    /* ---- recomputation from an export ---- */
    if (live_only) {
        cw_ledger_close(l);
        goto memory;
    }
    double t0 = now_s();
    if (cw_ledger_export(l, exp, &size, &err))
        die("export", &err);
    double t_exp = now_s() - t0;
    cw_ledger_close(l);
    dir_arg da = {exp, rep};
    outcome ver = in_child(verify_job, &da);
    outcome rec = in_child(recompute_job, &da);
    printf("\nrecomputation from the export (an inspector's laptop)\n");
    printf("  export of %" PRIu64 " entries          %.2f s\n", size, t_exp);
    printf("  caseward verify --dir              %.2f s; peak RSS %.1f MiB\n", ver.secs,
           ver.peak_kib / 1024.0);
    printf("  verify --dir --measures (recompute) %.2f s; peak RSS %.1f MiB; %zu figures equal\n",
           rec.secs, rec.peak_kib / 1024.0, rec.figures);
    printf("  ratio recompute / verify %.2f (target <= 3)\n", rec.secs / ver.secs);
memory:
    printf("\nmemory: computing the measures, the database read as the server reads it (not "
           "mapped):\n  peak RSS %.1f MiB, of it the heap %.1f MiB at the end (target for the "
           "server < 1024 MiB)\n",
           live.peak_kib / 1024.0, live.anon_kib / 1024.0);
    if (pglog.name[0])
        bench_log_remove(&pglog, server);
    if (!keep) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
        if (system(cmd) != 0)
            fprintf(stderr, "measures_bench: could not remove %s\n", tmpl);
    }
    cw_calendar_release(&cal);
    return 0;
}
