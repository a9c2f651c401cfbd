/*
 * demo_bench.c — figures for the demo generator (docs/demo.md).
 *
 * Generates a demo council into a new log and prints the generation rate
 * (events per second, wall clock, validation and projection included), the
 * bytes on disk per event and the generator's stats; with --oversight, also
 * evaluates every child with the Wales pack on as_of and tallies overdue
 * obligations and signals by rule, with the time it took. No figure is
 * asserted: this program reports, people judge.
 *
 * usage: demo_bench [--children N] [--seed S] [--as-of YYYY-MM-DD] [--years Y]
 *                   [--batch N] [--failure-scale F] [--oversight] [--rules PACK] [--list N]
 *                   [--dir DIR] [--keep]
 *   --rules PACK  the built-in pack --oversight evaluates with (default wales)
 *   --list N   with --oversight, print the first N overdue obligations and signals
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo.h"
#include "rules/oversight.h"

#define BENCH_NAME "demo_bench"
#include "bench.h"

static uint64_t num(const char *s)
{
    uint64_t v;
    if (cw_parse_u64(s, strlen(s), &v))
        die("not a number", NULL);
    return v;
}

typedef struct progress {
    double t0;
    uint64_t last;
} progress;

static void on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t events)
{
    progress *p = ctx;
    if (events - p->last < 1000000 && done < total)
        return;
    p->last = events;
    double t = now_s() - p->t0;
    fprintf(stderr,
            "  %" PRIu64 "/%" PRIu64 " children, %" PRIu64 " events, %.0f s, %.0f events/s\n", done,
            total, events, t, (double)events / t);
}

/* Tallies of the oversight walk, by rule. */
#define MAX_RULES 64
typedef struct tally {
    const char *rule[MAX_RULES];
    uint64_t overdue[MAX_RULES], signals[MAX_RULES], late[MAX_RULES], missed[MAX_RULES];
    size_t n;
    uint64_t children, obligations;
    uint64_t list; /* print up to this many items */
} tally;

static size_t slot_of(tally *t, const char *rule)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rule[i], rule))
            return i;
    if (t->n == MAX_RULES)
        die("too many rules", NULL);
    t->rule[t->n] = rule;
    return t->n++;
}

static cw_rc on_child(void *ctx, const char *child_id, const cw_rule_results *r)
{
    tally *t = ctx;
    (void)child_id;
    t->children++;
    t->obligations += r->nobligations;
    char item[200];
    for (size_t i = 0; i < r->nobligations; i++) {
        if (r->obligations[i].state == CW_OBLIGATION_MET_LATE)
            t->late[slot_of(t, r->obligations[i].rule_id)]++;
        if (r->obligations[i].state == CW_OBLIGATION_MISSED)
            t->missed[slot_of(t, r->obligations[i].rule_id)]++;
        if (r->obligations[i].state == CW_OBLIGATION_OVERDUE) {
            t->overdue[slot_of(t, r->obligations[i].rule_id)]++;
            if (t->list && t->list--) {
                cw_oversight_item_obligation(&r->obligations[i], item, sizeof item);
                printf("  %s: %s\n", child_id, item);
            }
        }
    }
    for (size_t i = 0; i < r->nsignals; i++) {
        t->signals[slot_of(t, r->signals[i].rule_id)]++;
        if (t->list && t->list--) {
            cw_oversight_item_signal(&r->signals[i], item, sizeof item);
            printf("  %s: %s\n", child_id, item);
        }
    }
    return CW_OK;
}

int main(int argc, char **argv)
{
    cw_demo_opts o;
    cw_demo_opts_init(&o);
    const char *dir = NULL, *pack_name = "wales";
    int oversight = 0, keep = 0;
    uint64_t list = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--oversight")) {
            oversight = 1;
            continue;
        }
        if (!strcmp(a, "--keep")) {
            keep = 1;
            continue;
        }
        if (!v)
            die("usage: demo_bench [--children N] [--seed S] [--as-of DATE] [--years Y] "
                "[--batch N] [--failure-scale F] [--oversight] [--rules PACK] [--list N] [--dir "
                "DIR] "
                "[--keep]",
                NULL);
        i++;
        if (!strcmp(a, "--children"))
            o.children = num(v);
        else if (!strcmp(a, "--seed"))
            o.seed = num(v);
        else if (!strcmp(a, "--years"))
            o.years = (unsigned)num(v);
        else if (!strcmp(a, "--batch"))
            o.batch = (size_t)num(v);
        else if (!strcmp(a, "--failure-scale"))
            o.failure_scale = strtod(v, NULL);
        else if (!strcmp(a, "--list"))
            list = num(v);
        else if (!strcmp(a, "--dir"))
            dir = v;
        else if (!strcmp(a, "--rules"))
            pack_name = v;
        else if (!strcmp(a, "--as-of")) {
            if (cw_date_parse(v, strlen(v), &o.as_of))
                die("--as-of: not a date", NULL);
        } else
            die("unknown option", NULL);
    }
    char tmp[64] = "/tmp/cw-demo-bench-XXXXXX", db[512];
    if (!dir && !(dir = mkdtemp(tmp)))
        die("mkdtemp", NULL);
    snprintf(db, sizeof db, "%s/demo.db", dir);
    cw_error err;
    cw_ledger *l = NULL;
    if (cw_ledger_create(db, "bench.caseward.example/demo", &err) ||
        cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        die("create", &err);
    progress p = {now_s(), 0};
    o.progress = on_progress;
    o.progress_ctx = &p;
    cw_demo_stats st;
    double t0 = now_s();
    if (cw_demo_generate(l, &o, &st, &err))
        die("generate", &err);
    double t = now_s() - t0;
    struct stat sb;
    double bytes = stat(db, &sb) == 0 ? (double)sb.st_size : 0;
    printf("demo: %" PRIu64 " children, %" PRIu64 " events in %.2f s: %.0f events/s, %.1f "
           "events per child, %.0f bytes on disk per event\n",
           st.children, st.events, t, (double)st.events / t,
           (double)st.events / (double)st.children, bytes / (double)st.events);
    cw_buf out = CW_BUF_INIT(1 << 20);
    if (cw_demo_stats_format(&st, &out))
        die("format", NULL);
    fputs(out.data, stdout);
    cw_buf_release(&out);
    if (oversight) {
        cw_rule_pack *pack;
        cw_calendar cal;
        if (cw_rules_load_builtin(pack_name, &pack, &err) || cw_calendar_load_default(&cal, &err))
            die("rules", &err);
        cw_date as_of = o.as_of;
        if (as_of == CW_DEMO_TODAY)
            as_of = (cw_date)(time(NULL) / 86400);
        tally ty;
        memset(&ty, 0, sizeof ty);
        ty.list = list;
        t0 = now_s();
        if (cw_oversight_all(l, pack, &cal, as_of, on_child, &ty, &err))
            die("oversight", &err);
        t = now_s() - t0;
        printf("oversight (%s) on as_of: %" PRIu64 " children, %" PRIu64 " obligations in %.2f s\n",
               pack_name, ty.children, ty.obligations, t);
        for (size_t i = 0; i < ty.n; i++)
            printf("  %-24s overdue %6" PRIu64 "  signals %6" PRIu64 "  met late %6" PRIu64
                   "  missed %6" PRIu64 "\n",
                   ty.rule[i], ty.overdue[i], ty.signals[i], ty.late[i], ty.missed[i]);
        cw_rules_free(pack);
        cw_calendar_release(&cal);
    }
    cw_ledger_close(l);
    if (!keep) {
        char key[600];
        snprintf(key, sizeof key, "%s.key", db);
        unlink(db);
        unlink(key);
        char side[600];
        snprintf(side, sizeof side, "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db);
        unlink(side);
        rmdir(dir);
    } else {
        printf("kept: %s\n", db);
    }
    return 0;
}
