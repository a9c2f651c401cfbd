/*
 * oversight.c — see oversight.h. The rules engine stays pure; this file does
 * the reading and the writing around it.
 */
#include "rules/oversight.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"

/* A child as the rules read it: date of birth and history, from one row. */
typedef struct rules_input {
    int found;
    cw_date dob;
    cw_buf events;
} rules_input;

static cw_rc rules_row(void *ctx, const cw_value *c, size_t n)
{
    rules_input *in = ctx;
    if (n < 2 || c[0].type != CW_V_TEXT || cw_date_parse(c[0].s, c[0].len, &in->dob) ||
        (c[1].type != CW_V_BLOB && c[1].type != CW_V_NULL))
        return CW_EVERIFY;
    in->found = 1;
    return c[1].type == CW_V_BLOB ? cw_buf_add(&in->events, c[1].s, c[1].len) : CW_OK;
}

/* Evaluates a history held in bytes that have been checked. */
static cw_rc evaluate_history(const cw_rule_pack *p, const cw_calendar *cal, const char *child_id,
                              cw_date dob, const uint8_t *bytes, size_t len, size_t count,
                              cw_date as_of, cw_rule_results *out, cw_error *err)
{
    cw_case_event stack[256];
    cw_case_event *ev = count <= 256 ? stack : malloc(count * sizeof *ev);
    if (!ev)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    size_t pos = 0, n = 0;
    cw_history_event he;
    while (n < count && cw_history_next(bytes, len, &pos, &he)) {
        ev[n].index = he.index;
        ev[n].type = he.type;
        ev[n].date = he.date;
        ev[n].facts = he.facts;
        n++;
    }
    cw_child_history ch = {child_id, dob, ev, n};
    cw_rc rc = cw_rules_evaluate(p, cal, &ch, as_of, out, err);
    if (ev != stack)
        free(ev);
    return rc;
}

cw_rc cw_oversight_child(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                         const char *child_id, cw_date as_of, cw_rule_results *out, cw_error *err)
{
    rules_input in = {0, 0, CW_BUF_INIT(SIZE_MAX / 2)};
    cw_value k = cw_text(child_id);
    size_t count = 0;
    cw_rc rc =
        cw_store_run(cw_ledger_store(l), CW_Q_CHILD_FOR_RULES, &k, 1, rules_row, &in, NULL, err);
    if (rc == CW_EVERIFY ||
        (!rc && cw_history_check((const uint8_t *)in.events.data, in.events.len, true, &count)))
        rc = cw_error_set(err, CW_EVERIFY,
                          "child %s: its history in the database is damaged (run caseward rebuild)",
                          child_id);
    else if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    else if (!rc && !in.found)
        rc = cw_error_set(err, CW_ENOTFOUND, "no child %s is registered", child_id);
    if (!rc)
        rc = evaluate_history(p, cal, child_id, in.dob, (const uint8_t *)in.events.data,
                              in.events.len, count, as_of, out, err);
    cw_buf_release(&in.events);
    return rc;
}

cw_rc cw_oversight_child_from_ledger(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                                     const char *child_id, cw_date as_of, cw_rule_results *out,
                                     cw_error *err)
{
    cw_history h;
    cw_rc rc = cw_casework_history(l, child_id, &h, err);
    if (rc)
        return rc;
    /* The same reading the projection keeps: each payload as facts, in one history. */
    cw_buf hist = CW_BUF_INIT(SIZE_MAX / 2), facts = CW_BUF_INIT(SIZE_MAX / 2);
    size_t count = 0;
    for (size_t i = 0; !rc && i < h.n; i++) {
        /* The rules read casework, not caseward's own escalations of it. */
        if (!strcmp(h.entries[i].type, "escalation_raised"))
            continue;
        cw_buf_reset(&facts);
        if (!(rc = cw_casework_facts(h.entries[i].type, h.entries[i].payload, &facts))) {
            cw_facts f = {(const uint8_t *)facts.data, facts.len};
            rc = cw_history_put(&hist, h.entries[i].index, h.entries[i].date, h.entries[i].type, f);
        }
        if (rc)
            rc = cw_error_set(err, rc, "child %s: entry %llu cannot be read as facts", child_id,
                              (unsigned long long)h.entries[i].index);
        count++;
    }
    if (!rc)
        rc = evaluate_history(p, cal, h.child_id, h.date_of_birth, (const uint8_t *)hist.data,
                              hist.len, count, as_of, out, err);
    cw_buf_release(&facts);
    cw_buf_release(&hist);
    cw_casework_history_release(&h);
    return rc;
}

typedef struct id_list {
    char (*ids)[65];
    cw_date *dob;
    size_t n, cap;
} id_list;

static cw_rc collect_child(void *ctx, const cw_value *c, size_t n)
{
    id_list *l = ctx;
    char id[65];
    cw_date dob;
    if (n < 2 || cw_value_copy(&c[0], id, sizeof id) <= 0 || c[1].type != CW_V_TEXT ||
        cw_date_parse(c[1].s, c[1].len, &dob))
        return CW_EVERIFY;
    size_t c2 = l->cap;
    if (cw_array_grow(&l->ids, &l->cap, l->n, sizeof *l->ids) ||
        cw_array_grow(&l->dob, &c2, l->n, sizeof *l->dob))
        return CW_ENOMEM;
    memcpy(l->ids[l->n], id, sizeof id);
    l->dob[l->n++] = dob;
    return CW_OK;
}

static cw_rc list_children(cw_store *s, id_list *l, cw_error *err)
{
    memset(l, 0, sizeof *l);
    cw_rc rc = cw_store_run(s, CW_Q_CHILDREN_ALL, NULL, 0, collect_child, l, NULL, err);
    if (rc == CW_EVERIFY)
        rc = cw_error_set(err, rc, "the children table is damaged (run caseward rebuild)");
    else if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    return rc;
}

/*
 * Evaluating every child runs on one worker per core, each with its own
 * read-only connection, over chunks of children; the caller's function still
 * sees the children one by one in child_id order, from this thread. At most
 * WINDOW chunks are held ahead of the one being delivered, so memory stays
 * bounded however many children there are.
 */
#define CHUNK       64
#define WINDOW      64
#define MAX_WORKERS 8

typedef struct child_result {
    cw_obligation *obligations;
    size_t nobligations;
    cw_signal *signals;
    size_t nsignals;
} child_result;

typedef struct chunk {
    child_result res[CHUNK];
    size_t n;
    int done;
    cw_rc rc;
    cw_error err;
} chunk;

typedef struct par {
    const char *path;
    const cw_rule_pack *pack;
    const cw_calendar *cal;
    cw_date as_of;
    const id_list *kids;
    chunk *chunks;
    size_t nchunks;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;      /* next chunk to take */
    size_t delivered; /* chunks handed to the caller */
    int stop;
} par;

static void *copy_array(const void *src, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *d = malloc(n * size);
    if (d)
        memcpy(d, src, n * size);
    return d;
}

/* The histories of one chunk of children, read in one range scan. */
typedef struct chunk_read {
    const id_list *kids;
    size_t first, n, cur;
    cw_buf bytes;
    size_t off[CHUNK], len[CHUNK];
} chunk_read;

static cw_rc chunk_row(void *ctx, const cw_value *c, size_t n)
{
    chunk_read *cr = ctx;
    if (n < 2 || c[0].type != CW_V_TEXT || c[1].type != CW_V_BLOB)
        return CW_EVERIFY;
    /* Rows come in child_id order, as the children do. */
    int cmp = -1;
    while (cr->cur < cr->n) {
        const char *id = cr->kids->ids[cr->first + cr->cur];
        size_t il = strlen(id);
        cmp = memcmp(id, c[0].s, il < c[0].len ? il : c[0].len);
        if (cmp == 0)
            cmp = (il > c[0].len) - (il < c[0].len);
        if (cmp >= 0)
            break;
        cr->cur++;
    }
    if (cr->cur == cr->n || cmp != 0)
        return CW_OK; /* a history with no child registered: not evaluated */
    if (cr->len[cr->cur] == 0)
        cr->off[cr->cur] = cr->bytes.len;
    cr->len[cr->cur] += c[1].len;
    return cw_buf_add(&cr->bytes, c[1].s, c[1].len);
}

/* cr is the worker's, reused from chunk to chunk (its buffer keeps its memory). */
static void evaluate_chunk(par *p, cw_ledger *l, cw_rule_results *r, chunk_read *cr, size_t k)
{
    chunk *c = &p->chunks[k];
    size_t first = k * CHUNK;
    c->n = p->kids->n - first < CHUNK ? p->kids->n - first : CHUNK;
    cr->kids = p->kids;
    cr->first = first;
    cr->n = c->n;
    cr->cur = 0;
    cw_buf_reset(&cr->bytes);
    memset(cr->len, 0, sizeof cr->len);
    cw_value range[] = {cw_text(p->kids->ids[first]), cw_text(p->kids->ids[first + c->n - 1])};
    c->rc = cw_store_run(cw_ledger_store(l), CW_Q_HISTORIES_RANGE, range, 2, chunk_row, cr, NULL,
                         &c->err);
    if (c->rc == CW_EVERIFY)
        cw_error_set(&c->err, c->rc,
                     "a child's history in the database is damaged (run caseward "
                     "rebuild)");
    else if (c->rc == CW_ENOMEM)
        cw_error_set(&c->err, c->rc, "out of memory");
    for (size_t i = 0; i < c->n && !c->rc; i++) {
        const char *id = p->kids->ids[first + i];
        const uint8_t *bytes = (const uint8_t *)cr->bytes.data + cr->off[i];
        size_t count = 0;
        cw_rule_results_reset(r);
        if (cw_history_check(bytes, cr->len[i], true, &count)) {
            c->rc = cw_error_set(&c->err, CW_EVERIFY,
                                 "child %s: its history in the database is damaged (run caseward "
                                 "rebuild)",
                                 id);
            break;
        }
        c->rc = evaluate_history(p->pack, p->cal, id, p->kids->dob[first + i], bytes, cr->len[i],
                                 count, p->as_of, r, &c->err);
        if (c->rc)
            break;
        child_result *res = &c->res[i];
        res->obligations = copy_array(r->obligations, r->nobligations, sizeof *r->obligations);
        res->signals = copy_array(r->signals, r->nsignals, sizeof *r->signals);
        res->nobligations = r->nobligations;
        res->nsignals = r->nsignals;
        if ((r->nobligations && !res->obligations) || (r->nsignals && !res->signals))
            c->rc = cw_error_set(&c->err, CW_ENOMEM, "out of memory");
    }
}

static void *worker(void *arg)
{
    par *p = arg;
    cw_ledger *l = NULL;
    cw_error err;
    cw_rule_results r;
    cw_rule_results_init(&r);
    cw_rc open_rc = cw_ledger_open(p->path, CW_LEDGER_READONLY, &l, &err);
    chunk_read *cr = calloc(1, sizeof *cr);
    if (!open_rc && !cr)
        open_rc = cw_error_set(&err, CW_ENOMEM, "out of memory");
    if (cr)
        cw_buf_init(&cr->bytes, SIZE_MAX / 2);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->next < p->nchunks && p->next >= p->delivered + WINDOW)
            pthread_cond_wait(&p->cv, &p->mu);
        size_t k = p->next;
        int go = !p->stop && k < p->nchunks;
        if (go)
            p->next++;
        pthread_mutex_unlock(&p->mu);
        if (!go)
            break;
        if (open_rc) {
            p->chunks[k].rc = open_rc;
            p->chunks[k].err = err;
        } else {
            evaluate_chunk(p, l, &r, cr, k);
        }
        pthread_mutex_lock(&p->mu);
        p->chunks[k].done = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    if (cr)
        cw_buf_release(&cr->bytes);
    free(cr);
    cw_rule_results_release(&r);
    cw_ledger_close(l);
    return NULL;
}

static void free_chunk(chunk *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->res[i].obligations);
        free(c->res[i].signals);
    }
    c->n = 0;
}

cw_rc cw_oversight_all(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal, cw_date as_of,
                       cw_oversight_fn fn, void *ctx, cw_error *err)
{
    id_list kids;
    cw_rc rc = list_children(cw_ledger_store(l), &kids, err);
    if (rc)
        return rc;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nworkers = ncpu < 1 ? 1 : ncpu > MAX_WORKERS ? MAX_WORKERS : (unsigned)ncpu;
    if (kids.n < 4 * CHUNK || nworkers < 2) {
        /* Small: no threads. */
        cw_rule_results r;
        cw_rule_results_init(&r);
        for (size_t i = 0; !rc && i < kids.n; i++) {
            cw_rule_results_reset(&r);
            if (!(rc = cw_oversight_child(l, p, cal, kids.ids[i], as_of, &r, err)))
                rc = fn(ctx, kids.ids[i], &r);
        }
        cw_rule_results_release(&r);
        free(kids.ids);
        free(kids.dob);
        return rc;
    }
    par pr;
    memset(&pr, 0, sizeof pr);
    pr.path = cw_ledger_path(l);
    pr.pack = p;
    pr.cal = cal;
    pr.as_of = as_of;
    pr.kids = &kids;
    pr.nchunks = (kids.n + CHUNK - 1) / CHUNK;
    pr.chunks = calloc(pr.nchunks, sizeof *pr.chunks);
    if (!pr.chunks) {
        free(kids.ids);
        free(kids.dob);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    json_object_seed(0); /* jansson's hash seed, set once before the threads start */
    pthread_mutex_init(&pr.mu, NULL);
    pthread_cond_init(&pr.cv, NULL);
    pthread_t tid[MAX_WORKERS];
    unsigned started = 0;
    for (; started < nworkers; started++)
        if (pthread_create(&tid[started], NULL, worker, &pr) != 0)
            break;
    if (started == 0)
        worker(&pr); /* no thread could start: do it all here */
    for (size_t k = 0; k < pr.nchunks; k++) {
        pthread_mutex_lock(&pr.mu);
        while (!pr.chunks[k].done)
            pthread_cond_wait(&pr.cv, &pr.mu);
        pthread_mutex_unlock(&pr.mu);
        chunk *c = &pr.chunks[k];
        if (!rc && c->rc) {
            rc = c->rc;
            *err = c->err;
        }
        for (size_t i = 0; !rc && i < c->n; i++) {
            cw_rule_results view = {c->res[i].obligations,  c->res[i].nobligations,
                                    c->res[i].nobligations, c->res[i].signals,
                                    c->res[i].nsignals,     c->res[i].nsignals};
            rc = fn(ctx, kids.ids[k * CHUNK + i], &view);
        }
        free_chunk(c);
        pthread_mutex_lock(&pr.mu);
        pr.delivered = k + 1;
        if (rc)
            pr.stop = 1;
        pthread_cond_broadcast(&pr.cv);
        pthread_mutex_unlock(&pr.mu);
        if (rc)
            break;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    for (size_t k = 0; k < pr.nchunks; k++)
        free_chunk(&pr.chunks[k]);
    pthread_cond_destroy(&pr.cv);
    pthread_mutex_destroy(&pr.mu);
    free(pr.chunks);
    free(kids.ids);
    free(kids.dob);
    return rc;
}

void cw_oversight_item_obligation(const cw_obligation *o, char *out, size_t cap)
{
    char due[CW_DATE_LEN + 1];
    cw_date_format(o->due, due);
    snprintf(out, cap, "obligation %s from #%llu due %s", o->rule_id,
             (unsigned long long)o->started_by, due);
}

void cw_oversight_item_signal(const cw_signal *s, char *out, size_t cap)
{
    char since[CW_DATE_LEN + 1];
    cw_date_format(s->since, since);
    snprintf(out, cap, "signal %s since %s", s->rule_id, since);
}

/* ---- routing up the management chain ---- */

/* The last casework entry on a child that is not caseward's own escalation. */
typedef struct last_entry {
    int64_t idx;
} last_entry;

static cw_rc last_casework_row(void *ctx, const cw_value *c, size_t n)
{
    last_entry *le = ctx;
    /* rows come in (date, idx) order: the last one wins */
    if (n >= 3 && c[0].type == CW_V_INT &&
        !(c[2].type == CW_V_TEXT && c[2].len == 17 && !memcmp(c[2].s, "escalation_raised", 17)))
        le->idx = c[0].i;
    return CW_OK;
}

/* Who last recorded casework on the child (their account id), or "" if nobody. */
static cw_rc last_recorder(cw_store *s, const char *child_id, char out[65], cw_error *err)
{
    last_entry le = {-1};
    cw_value k = cw_text(child_id);
    out[0] = '\0';
    cw_rc rc = cw_store_run(s, CW_Q_CHILD_EVENTS, &k, 1, last_casework_row, &le, NULL, err);
    if (rc || le.idx < 0)
        return rc;
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
    json_error_t jerr;
    if (!(rc = cw_store_entry_leaf(s, (uint64_t)le.idx, &leaf, err))) {
        json_t *root = json_loadb(leaf.data, leaf.len, 0, &jerr);
        const char *actor = root ? json_string_value(json_object_get(root, "actor")) : NULL;
        if (actor && strlen(actor) < 65)
            memcpy(out, actor, strlen(actor) + 1);
        json_decref(root);
    }
    cw_buf_release(&leaf);
    return rc;
}

/*
 * The first current holder of role up the management chain, starting from the
 * child's allocated worker or, for a child with none (an undecided referral, a
 * run of contacts), from whoever last recorded casework on the child.
 */
static cw_rc route(cw_store *s, const char *child_id, const char *role, char out[65], cw_error *err)
{
    cw_child_info w;
    out[0] = '\0';
    cw_rc rc = cw_casework_child(s, child_id, &w, err);
    if (!rc && !w.worker[0])
        rc = last_recorder(s, child_id, w.worker, err);
    char cur[65];
    snprintf(cur, sizeof cur, "%s", w.worker);
    for (int depth = 0; !rc && cur[0] && depth < 32; depth++) {
        cw_staff_info p;
        if ((rc = cw_casework_staff(s, cur, &p, err)) || !p.found)
            break;
        if (!p.left && !strcmp(p.role, role)) {
            memcpy(out, cur, sizeof cur);
            break;
        }
        memcpy(cur, p.manager, sizeof cur);
    }
    return rc;
}

typedef struct esc_ctx {
    cw_ledger *l;
    cw_date as_of;
    uint64_t raised, unrouted;
    cw_error *err;
} esc_ctx;

/*
 * Records the escalation of item at its current ladder step, unless that step
 * was recorded before. Earlier steps are not back-filled: if escalation did
 * not run when they fell due, the log says so rather than claim otherwise.
 */
static cw_rc escalate_item(esc_ctx *e, const char *child, const char *item, int level,
                           const char *role, int64_t days_overdue)
{
    cw_store *s = cw_ledger_store(e->l);
    int found;
    cw_value v[] = {cw_text(child), cw_text(item), CW_INT(level)};
    cw_rc rc = cw_store_exists(s, CW_Q_ESCALATION_GET, v, 3, &found, e->err);
    if (rc || found)
        return rc;
    char who[65];
    if ((rc = route(s, child, role, who, e->err)))
        return rc;
    if (!who[0]) {
        e->unrouted++;
        return CW_OK;
    }
    char asof[CW_DATE_LEN + 1];
    cw_date_format(e->as_of, asof);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I}", "item", item, "child_id", child,
                          "level", level, "notified_id", who, "as_of", asof, "days_overdue",
                          (json_int_t)(days_overdue < 0 ? 0 : days_overdue));
    if (!p)
        return cw_error_set(e->err, CW_ENOMEM, "out of memory");
    cw_event ev = {"system:escalation", "escalation_raised", p};
    rc = cw_casework_submit(e->l, &ev, NULL, e->err);
    json_decref(p);
    if (!rc)
        e->raised++;
    return rc;
}

static cw_rc escalate_child(void *ctx, const char *child_id, const cw_rule_results *r)
{
    esc_ctx *e = ctx;
    char item[200];
    for (size_t i = 0; i < r->nobligations; i++) {
        const cw_obligation *o = &r->obligations[i];
        if (o->state != CW_OBLIGATION_OVERDUE || o->escalation_level < 1 || !o->escalate_to)
            continue;
        cw_oversight_item_obligation(o, item, sizeof item);
        cw_rc rc =
            escalate_item(e, child_id, item, o->escalation_level, o->escalate_to, o->days_overdue);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < r->nsignals; i++) {
        const cw_signal *sg = &r->signals[i];
        if (sg->escalation_level < 1 || !sg->escalate_to)
            continue;
        cw_oversight_item_signal(sg, item, sizeof item);
        cw_rc rc = escalate_item(e, child_id, item, sg->escalation_level, sg->escalate_to,
                                 (int64_t)(e->as_of - sg->since) + 1);
        if (rc)
            return rc;
    }
    return CW_OK;
}

cw_rc cw_oversight_escalate(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                            cw_date as_of, uint64_t *raised, uint64_t *unrouted, cw_error *err)
{
    esc_ctx e = {l, as_of, 0, 0, err};
    cw_rc rc = cw_casework_begin(l, err);
    if (rc)
        return rc;
    rc = cw_oversight_all(l, p, cal, as_of, escalate_child, &e, err);
    if (!rc)
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    if (raised)
        *raised = e.raised;
    if (unrouted)
        *unrouted = e.unrouted;
    return rc;
}
