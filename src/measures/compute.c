/*
 * compute.c — the figures: each child's history read once from the
 * projections, evaluated by the rule pack as of the period's last day, and
 * every measure tallied per team in one pass (see measures.h).
 *
 * What a measure reads of an event is its facts (type, date, enums, flags,
 * identifiers), never a name or narrative. Work awaiting a manager's sign-off
 * (facts sign_off=awaited) has not happened yet for a measure, as for the
 * rules; signed-off work is dated the day it was signed off (the projection
 * does that).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measures/measures_int.h"
#include "util/facts.h"

#define NBREAK 6 /* on_time, late, overdue, missed, ended_by_closure, open */
static const char *const break_names[NBREAK] = {"on_time",          "late", "overdue", "missed",
                                                "ended_by_closure", "open"};

typedef struct staff_team {
    char staff_id[65];
    int slot; /* the team's slot */
} staff_team;

struct cw_measures_result {
    const cw_measure_set *m;
    cw_measures_query q;
    /* slots: one per team (team_id order), then one for no team */
    size_t nslots;
    char (*team_ids)[65];
    uint8_t *selected;
    staff_team *staff;
    size_t nstaff;
    int64_t *num, *den, *brk;
    cw_measure_item *items;
    size_t nitems, capitems;
    uint64_t children;
};

/* ---- events ---- */

static int cond_holds(const mcond *c, cw_facts facts)
{
    cw_fact v = cw_facts_get(facts, c->field);
    if (c->op == CW_OP_PRESENT)
        return v.kind != CW_FACT_ABSENT;
    if (c->op == CW_OP_ABSENT)
        return v.kind == CW_FACT_ABSENT;
    int hit = 0;
    for (int i = 0; i < c->nvalues && !hit; i++) {
        if (c->def->type == CW_FT_BOOL)
            hit = c->ivalues[i] == (v.kind == CW_FACT_TRUE);
        else if (c->def->type == CW_FT_INT)
            hit = v.kind == CW_FACT_INT && v.i == c->ivalues[i];
        else
            hit = v.kind == CW_FACT_STRING && !strcmp(v.s, c->values[i]);
    }
    return c->op == CW_OP_EQ ? hit : !hit;
}

static int matches(const mmatch *mm, const cw_case_event *e)
{
    if (strcmp(mm->type, e->type))
        return 0;
    for (int i = 0; i < mm->nconds; i++)
        if (!cond_holds(&mm->conds[i], e->facts))
            return 0;
    return 1;
}

static int matches_any(const mmatch *mm, int n, const cw_case_event *e)
{
    for (int i = 0; i < n; i++)
        if (matches(&mm[i], e))
            return 1;
    return 0;
}

/* ---- one child ---- */

typedef struct span {
    cw_date start, end; /* end valid if closed */
    uint64_t start_idx, end_idx;
    int closed;
} span;

/* What one worker adds up: numerator, denominator and breakdown per (measure, team slot). */
typedef struct tallies {
    int64_t *num, *den, *brk;
} tallies;

typedef struct itemlist {
    cw_measure_item *v;
    size_t n, cap;
} itemlist;

typedef struct child_ctx {
    cw_measures_result *r;
    tallies *t;      /* the worker's */
    itemlist *items; /* the chunk's: the detail measure's items, in child order */
    const cw_calendar *cal;
    const char *child_id;
    const cw_case_event **ev;    /* the events that count: dated by q.to, not awaiting sign-off */
    const cw_case_event **alloc; /* of them, the allocations, transfers and closures */
    size_t nalloc, capalloc;
    size_t nev;
    size_t span_first[CW_MEASURES_MAX_STATES]; /* where each state's spans start in pool */
    size_t nspans[CW_MEASURES_MAX_STATES];
    int spans_done[CW_MEASURES_MAX_STATES];
    span *pool; /* storage for the spans */
    size_t npool, cappool;
    cw_rc rc;
} child_ctx;

/* The slot of the team of the worker last allocated on or before day d. */
static int slot_on(const child_ctx *c, cw_date d)
{
    const char *worker = NULL;
    for (size_t i = 0; i < c->nalloc && c->alloc[i]->date <= d; i++) {
        if (strcmp(c->alloc[i]->type, "case_closed")) {
            cw_fact w = cw_facts_get(c->alloc[i]->facts, "worker_id");
            if (w.kind == CW_FACT_STRING)
                worker = w.s;
        } else if (c->alloc[i]->date < d) {
            worker = NULL; /* closed: the case is no team's from the next day */
        }
    }
    const cw_measures_result *r = c->r;
    size_t lo = 0, hi = r->nstaff;
    while (worker && lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(r->staff[mid].staff_id, worker);
        if (!cmp)
            return r->staff[mid].slot;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int)r->nslots - 1;
}

/* The spans of state s for this child, in order. */
static cw_rc spans_of(child_ctx *c, int s, const span **out, size_t *n)
{
    if (!c->spans_done[s]) {
        const mstate *st = &c->r->m->states[s];
        size_t first = c->npool;
        int open = 0;
        for (size_t i = 0; i < c->nev; i++) {
            const cw_case_event *e = c->ev[i];
            if (open && matches_any(st->to, st->nto, e)) {
                span *sp = &c->pool[c->npool - 1];
                sp->end = e->date;
                sp->end_idx = e->index;
                sp->closed = 1;
                open = 0;
            } else if (!open && matches_any(st->from, st->nfrom, e)) {
                if (cw_array_grow(&c->pool, &c->cappool, c->npool, sizeof *c->pool))
                    return CW_ENOMEM;
                span *sp = &c->pool[c->npool++];
                memset(sp, 0, sizeof *sp);
                sp->start = e->date;
                sp->start_idx = e->index;
                open = 1;
            }
        }
        c->spans_done[s] = 1;
        c->nspans[s] = c->npool - first;
        c->span_first[s] = first;
    }
    *out = c->pool + c->span_first[s];
    *n = c->nspans[s];
    return CW_OK;
}

static int in_period(const cw_measures_query *q, cw_date d)
{
    return d >= q->from && d <= q->to;
}

/* The span of s open on the last day of the period (started by it, not ended by it), or
 * the last one overlapping the period if during; NULL if none. */
static const span *span_at(const span *sp, size_t n, const cw_measures_query *q, int during)
{
    const span *hit = NULL;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].start > q->to)
            continue;
        if (!sp[i].closed || sp[i].end > q->to || (during && sp[i].end >= q->from))
            hit = &sp[i];
    }
    return hit;
}

/* Adds an item: to the denominator 1, to the numerator add (1, or its days for a mean) when it
 * is in the numerator. */
static cw_rc tally(child_ctx *c, size_t mi, cw_date date, int in_num, int64_t add, int brk,
                   int64_t value, uint64_t e0, uint64_t e1, int nentries, const char *state)
{
    cw_measures_result *r = c->r;
    int slot = slot_on(c, date);
    size_t k = mi * r->nslots + (size_t)slot;
    c->t->den[k]++;
    if (in_num)
        c->t->num[k] += add;
    if (brk >= 0)
        c->t->brk[k * NBREAK + (size_t)brk]++;
    if ((long)mi != r->q.detail || !r->selected[slot])
        return CW_OK;
    itemlist *l = c->items;
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    cw_measure_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->child_id, sizeof it->child_id, "%s", c->child_id);
    it->date = date;
    it->entries[0] = e0;
    it->entries[1] = e1;
    it->nentries = nentries;
    it->in_numerator = in_num;
    it->value = value;
    snprintf(it->state, sizeof it->state, "%s", state ? state : "");
    return CW_OK;
}

static int state_bit(cw_obligation_state s, int *brk)
{
    switch (s) {
    case CW_OBLIGATION_MET_ON_TIME:
        return *brk = 0, MS_ON_TIME;
    case CW_OBLIGATION_MET_LATE:
        return *brk = 1, MS_LATE;
    case CW_OBLIGATION_OVERDUE:
        return *brk = 2, MS_OVERDUE;
    case CW_OBLIGATION_MISSED:
        return *brk = 3, MS_MISSED;
    case CW_OBLIGATION_ENDED_BY_CLOSURE:
        return *brk = 4, MS_ENDED_BY_CLOSURE;
    case CW_OBLIGATION_OPEN:
        break;
    }
    return *brk = 5, MS_OPEN;
}

static cw_rc measure_obligations(child_ctx *c, size_t mi, const cw_rule_results *res)
{
    const cw_measure *me = &c->r->m->measures[mi];
    const cw_measures_query *q = &c->r->q;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < res->nobligations; i++) {
        const cw_obligation *o = &res->obligations[i];
        if (strcmp(o->rule_id, me->rule->id))
            continue;
        cw_date d = me->anchor == MA_MET ? o->met_on : me->anchor == MA_DUE ? o->due : o->start;
        if ((me->anchor == MA_MET && !o->met) || !in_period(q, d))
            continue;
        int brk;
        unsigned bit = (unsigned)state_bit(o->state, &brk);
        rc = tally(c, mi, d, (me->states_mask & bit) != 0, 1, brk, 0, o->started_by, o->met_by,
                   o->met ? 2 : 1, break_names[brk]);
    }
    return rc;
}

static cw_rc measure_events(child_ctx *c, size_t mi)
{
    const cw_measure *me = &c->r->m->measures[mi];
    const cw_measures_query *q = &c->r->q;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < c->nev; i++) {
        const cw_case_event *e = c->ev[i];
        int k = 0;
        while (k < me->nevent && !matches(&me->event[k], e))
            k++;
        if (!in_period(q, e->date) || k == me->nevent)
            continue;
        if (me->num == MN_WHERE) {
            int hit = matches(&me->where[k], e);
            rc = tally(c, mi, e->date, hit, 1, -1, 0, e->index, 0, 1, hit ? "where" : "");
            continue;
        }
        const cw_case_event *prev = NULL;
        for (size_t j = i; j-- > 0 && !prev;) {
            const cw_case_event *p = c->ev[j];
            if (!matches(&me->other, p))
                continue;
            cw_date until = p->date;
            if (!me->ever &&
                cw_rules_add_interval(c->cal, p->date, me->within, &until, NULL) != CW_OK)
                continue;
            if (me->ever || until >= e->date)
                prev = p;
        }
        rc = tally(c, mi, e->date, prev != NULL, 1, -1, 0, e->index, prev ? prev->index : 0,
                   prev ? 2 : 1, prev ? "after" : "");
    }
    return rc;
}

static cw_rc measure_spans(child_ctx *c, size_t mi)
{
    const cw_measure *me = &c->r->m->measures[mi];
    const cw_measures_query *q = &c->r->q;
    const span *sp;
    size_t n;
    cw_rc rc = spans_of(c, me->state, &sp, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        cw_date d = me->anchor == MA_ENDED ? sp[i].end : sp[i].start;
        if ((me->anchor == MA_ENDED && !sp[i].closed) || !in_period(q, d))
            continue;
        cw_date end = sp[i].closed && sp[i].end <= q->to ? sp[i].end : q->to;
        int64_t days = end - sp[i].start;
        int in_num = 1;
        if (me->num == MN_LASTING) {
            cw_date until = sp[i].start;
            in_num =
                cw_rules_add_interval(c->cal, sp[i].start, me->within, &until, NULL) == CW_OK &&
                end >= until;
        }
        rc = tally(c, mi, d, in_num, me->num == MN_MEAN_DAYS ? days : 1, -1, days, sp[i].start_idx,
                   sp[i].end_idx, sp[i].closed ? 2 : 1, sp[i].closed ? "ended" : "open");
    }
    return rc;
}

static cw_rc measure_children(child_ctx *c, size_t mi)
{
    const cw_measure *me = &c->r->m->measures[mi];
    const cw_measures_query *q = &c->r->q;
    const span *sp;
    size_t n;
    cw_rc rc = spans_of(c, me->state, &sp, &n);
    const span *in = rc ? NULL : span_at(sp, n, q, me->anchor == MA_DURING);
    if (!in)
        return rc;
    /* Placed in the period by the last day the child was in the state within it. */
    cw_date d = in->closed && in->end <= q->to ? in->end : q->to;
    int in_num = 0;
    uint64_t e1 = 0;
    if (me->num == MN_EVENTS) {
        int32_t count = 0;
        for (size_t i = 0; i < c->nev; i++)
            if (in_period(q, c->ev[i]->date) && matches(&me->other, c->ev[i])) {
                e1 = c->ev[i]->index;
                count++;
            }
        in_num = count >= me->at_least;
    } else {
        const span *osp;
        size_t on;
        if ((rc = spans_of(c, me->other_state, &osp, &on)))
            return rc;
        /* the pool may have moved: find ours again */
        if ((rc = spans_of(c, me->state, &sp, &n)))
            return rc;
        in = span_at(sp, n, q, me->anchor == MA_DURING);
        const span *other = span_at(osp, on, q, 0);
        in_num = me->num == MN_IN_STATE ? other != NULL : other == NULL;
        e1 = other ? other->start_idx : 0;
    }
    return tally(c, mi, d, in_num, 1, -1, 0, in->start_idx, e1, e1 ? 2 : 1,
                 in->closed && in->end <= q->to ? "ended" : "open");
}

static cw_rc measure_child(cw_measures_result *r, const cw_calendar *cal, const cw_child_history *h,
                           const cw_rule_results *res, child_ctx *c)
{
    c->r = r;
    c->cal = cal;
    c->child_id = h->child_id;
    c->nev = 0;
    c->npool = 0;
    memset(c->spans_done, 0, sizeof c->spans_done);
    c->nalloc = 0;
    for (size_t i = 0; i < h->nevents; i++) {
        const cw_case_event *e = &h->events[i];
        if (e->date > r->q.to || cw_case_event_awaited(e))
            continue;
        c->ev[c->nev++] = e;
        /* who holds the case when (slot_on), picked out once rather than for every item */
        if (!strcmp(e->type, "case_allocated") || !strcmp(e->type, "case_transferred") ||
            !strcmp(e->type, "case_closed")) {
            if (cw_array_grow(&c->alloc, &c->capalloc, c->nalloc, sizeof *c->alloc))
                return CW_ENOMEM;
            c->alloc[c->nalloc++] = e;
        }
    }
    /* The child's registration, as corrected, whatever its date: what a `child` line reads. */
    const cw_case_event *reg = NULL;
    for (size_t i = 0; i < h->nevents && !reg; i++)
        if (!strcmp(h->events[i].type, "child_registered"))
            reg = &h->events[i];
    cw_rc rc = CW_OK;
    for (size_t mi = 0; !rc && mi < r->m->nmeasures; mi++) {
        if (r->m->measures[mi].has_child && !(reg && matches(&r->m->measures[mi].child, reg)))
            continue;
        switch (r->m->measures[mi].count) {
        case MC_OBLIGATIONS:
            rc = measure_obligations(c, mi, res);
            break;
        case MC_EVENTS:
            rc = measure_events(c, mi);
            break;
        case MC_SPANS:
            rc = measure_spans(c, mi);
            break;
        case MC_CHILDREN:
            rc = measure_children(c, mi);
            break;
        }
    }
    return rc;
}

/* ---- reading the projections ---- */

typedef struct kids {
    char (*ids)[65];
    cw_date *dob;
    size_t n, cap;
} kids;

static cw_rc kid_row(void *ctx, const cw_value *c, size_t n)
{
    kids *k = ctx;
    cw_date dob;
    if (n < 2 || c[0].type != CW_V_TEXT || c[0].len > 64 || c[1].type != CW_V_TEXT ||
        cw_date_parse(c[1].s, c[1].len, &dob))
        return CW_EVERIFY;
    size_t cap = k->cap;
    if (cw_array_grow(&k->ids, &k->cap, k->n, sizeof *k->ids) ||
        cw_array_grow(&k->dob, &cap, k->n, sizeof *k->dob))
        return CW_ENOMEM;
    memcpy(k->ids[k->n], c[0].s, c[0].len);
    k->ids[k->n][c[0].len] = '\0';
    k->dob[k->n++] = dob;
    return CW_OK;
}

typedef struct team_rows {
    cw_measures_result *r;
    size_t cap, capstaff;
    char (*areas)[101];
} team_rows;

static cw_rc team_row(void *ctx, const cw_value *c, size_t n)
{
    team_rows *t = ctx;
    cw_measures_result *r = t->r;
    if (n < 3 || c[0].type != CW_V_TEXT || c[0].len > 64)
        return CW_EVERIFY;
    size_t cap2 = t->cap;
    if (cw_array_grow(&r->team_ids, &t->cap, r->nslots, sizeof *r->team_ids) ||
        cw_array_grow(&t->areas, &cap2, r->nslots, sizeof *t->areas))
        return CW_ENOMEM;
    memcpy(r->team_ids[r->nslots], c[0].s, c[0].len);
    r->team_ids[r->nslots][c[0].len] = '\0';
    if (cw_value_copy(&c[2], t->areas[r->nslots], sizeof t->areas[0]) <= 0)
        t->areas[r->nslots][0] = '\0';
    r->nslots++;
    return CW_OK;
}

static cw_rc staff_row(void *ctx, const cw_value *c, size_t n)
{
    team_rows *t = ctx;
    cw_measures_result *r = t->r;
    char team[65];
    if (n < 3 || c[0].type != CW_V_TEXT || c[0].len > 64)
        return CW_EVERIFY;
    if (cw_array_grow(&r->staff, &t->capstaff, r->nstaff, sizeof *r->staff))
        return CW_ENOMEM;
    staff_team *s = &r->staff[r->nstaff++];
    memcpy(s->staff_id, c[0].s, c[0].len);
    s->staff_id[c[0].len] = '\0';
    s->slot = (int)r->nslots - 1; /* no team */
    if (cw_value_copy(&c[2], team, sizeof team) > 0)
        for (size_t i = 0; i + 1 < r->nslots; i++)
            if (!strcmp(r->team_ids[i], team))
                s->slot = (int)i;
    return CW_OK;
}

/*
 * The histories are read by one connection, in one read transaction (so every figure is of the
 * checkpoint's moment), a chunk of children at a time, and evaluated by workers, one per core:
 * each with its own tallies, added up at the end, and its chunk's items kept in chunk order, so
 * the result does not depend on which worker took which chunk.
 */
#define CHUNK       256
#define MAX_WORKERS 8
#define RING        (2 * MAX_WORKERS)

typedef struct chunk {
    const kids *k;
    size_t first, n, cur;
    cw_buf bytes;
    size_t off[CHUNK], len[CHUNK];
} chunk;

static cw_rc chunk_row(void *ctx, const cw_value *c, size_t n)
{
    chunk *ch = ctx;
    if (n < 2 || c[0].type != CW_V_TEXT || c[1].type != CW_V_BLOB)
        return CW_EVERIFY;
    while (ch->cur < ch->n) {
        const char *id = ch->k->ids[ch->first + ch->cur];
        size_t il = strlen(id);
        int cmp = memcmp(id, c[0].s, il < c[0].len ? il : c[0].len);
        if (!cmp)
            cmp = (il > c[0].len) - (il < c[0].len);
        if (cmp == 0)
            break;
        if (cmp > 0)
            return CW_OK; /* a history with no child registered: not counted */
        ch->cur++;
    }
    if (ch->cur == ch->n)
        return CW_OK;
    if (ch->len[ch->cur] == 0)
        ch->off[ch->cur] = ch->bytes.len;
    ch->len[ch->cur] += c[1].len;
    return cw_buf_add(&ch->bytes, c[1].s, c[1].len);
}

static cw_rc damaged(cw_error *err, const char *what)
{
    return cw_error_set(err, CW_EVERIFY, "%s in the database is damaged (run caseward rebuild)",
                        what);
}

enum { SLOT_FREE, SLOT_READY, SLOT_TAKEN };

typedef struct ring_slot {
    chunk ch;
    size_t index; /* which chunk */
    int state;
} ring_slot;

typedef struct work {
    cw_measures_result *r;
    const cw_rule_pack *p;
    const cw_calendar *cal;
    const kids *k;
    size_t ncells;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ring_slot ring[RING];
    size_t nring;
    int finished, stop;
    cw_rc rc;
    cw_error err;
    itemlist *chunk_items; /* per chunk */
    tallies *t;            /* per worker */
    uint64_t children;
} work;

/* Evaluates the children of one chunk. */
static cw_rc evaluate(work *w, const chunk *ch, child_ctx *c, cw_case_event **events,
                      size_t *capevents, cw_rule_results *res, cw_error *err)
{
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < ch->n; i++) {
        const uint8_t *bytes = (const uint8_t *)ch->bytes.data + ch->off[i];
        size_t count = 0, pos = 0, ne = 0;
        if (cw_history_check(bytes, ch->len[i], true, &count))
            return damaged(err, "a child's history");
        if (count > *capevents) {
            size_t cap = 2 * count;
            cw_case_event *ne1 = realloc(*events, cap * sizeof *ne1);
            if (ne1)
                *events = ne1;
            const cw_case_event **ne2 = ne1 ? realloc(c->ev, cap * sizeof *ne2) : NULL;
            if (ne2)
                c->ev = ne2;
            if (!ne1 || !ne2)
                return cw_error_set(err, CW_ENOMEM, "out of memory");
            *capevents = cap;
        }
        cw_history_event he;
        while (ne < count && cw_history_next(bytes, ch->len[i], &pos, &he)) {
            (*events)[ne].index = he.index;
            (*events)[ne].type = he.type;
            (*events)[ne].date = he.date;
            (*events)[ne].facts = he.facts;
            ne++;
        }
        cw_child_history h = {w->k->ids[ch->first + i], w->k->dob[ch->first + i], *events, ne};
        cw_rule_results_reset(res);
        if ((rc = cw_rules_evaluate(w->p, w->cal, &h, w->r->q.to, res, err)))
            return rc;
        if ((rc = measure_child(w->r, w->cal, &h, res, c)) == CW_ENOMEM)
            rc = cw_error_set(err, rc, "out of memory");
    }
    return rc;
}

typedef struct worker_arg {
    work *w;
    size_t id;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *a = arg;
    work *w = a->w;
    child_ctx c;
    memset(&c, 0, sizeof c);
    c.t = &w->t[a->id];
    cw_case_event *events = NULL;
    size_t capevents = 0;
    cw_rule_results res;
    cw_rule_results_init(&res);
    for (;;) {
        pthread_mutex_lock(&w->mu);
        ring_slot *sl = NULL;
        while (!w->stop) {
            for (size_t i = 0; i < w->nring && !sl; i++)
                if (w->ring[i].state == SLOT_READY)
                    sl = &w->ring[i];
            if (sl || w->finished)
                break;
            pthread_cond_wait(&w->cv, &w->mu);
        }
        if (sl)
            sl->state = SLOT_TAKEN;
        pthread_mutex_unlock(&w->mu);
        if (!sl)
            break;
        cw_error err;
        c.items = &w->chunk_items[sl->index];
        cw_rc rc = evaluate(w, &sl->ch, &c, &events, &capevents, &res, &err);
        pthread_mutex_lock(&w->mu);
        sl->state = SLOT_FREE;
        w->children += sl->ch.n;
        if (rc && !w->stop) {
            w->stop = 1;
            w->rc = rc;
            w->err = err;
        }
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    cw_rule_results_release(&res);
    free(events);
    free(c.ev);
    free(c.alloc);
    free(c.pool);
    return NULL;
}

/* Reads the histories chunk by chunk into free slots of the ring, for the workers. */
static cw_rc feed(work *w, cw_store *s, cw_error *err)
{
    const kids *k = w->k;
    cw_rc rc = CW_OK;
    for (size_t first = 0, index = 0; !rc && first < k->n; first += CHUNK, index++) {
        pthread_mutex_lock(&w->mu);
        ring_slot *sl = NULL;
        while (!w->stop && !sl) {
            for (size_t i = 0; i < w->nring && !sl; i++)
                if (w->ring[i].state == SLOT_FREE)
                    sl = &w->ring[i];
            if (!sl)
                pthread_cond_wait(&w->cv, &w->mu);
        }
        if (sl)
            sl->state = SLOT_TAKEN; /* being filled */
        pthread_mutex_unlock(&w->mu);
        if (!sl)
            break; /* a worker failed */
        chunk *ch = &sl->ch;
        ch->k = k;
        ch->first = first;
        ch->n = k->n - first < CHUNK ? k->n - first : CHUNK;
        ch->cur = 0;
        cw_buf_reset(&ch->bytes);
        memset(ch->len, 0, sizeof ch->len);
        memset(ch->off, 0, sizeof ch->off);
        sl->index = index;
        cw_value range[] = {cw_text(k->ids[first]), cw_text(k->ids[first + ch->n - 1])};
        rc = cw_store_run(s, CW_Q_HISTORIES_RANGE, range, 2, chunk_row, ch, NULL, err);
        if (rc == CW_EVERIFY)
            rc = damaged(err, "a child's history");
        else if (rc == CW_ENOMEM)
            rc = cw_error_set(err, rc, "out of memory");
        pthread_mutex_lock(&w->mu);
        sl->state = rc ? SLOT_FREE : SLOT_READY;
        if (rc)
            w->stop = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    return rc;
}

static cw_rc run_workers(cw_measures_result *r, cw_store *s, const cw_rule_pack *p,
                         const cw_calendar *cal, const kids *k, size_t ncells, cw_error *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nw = ncpu < 1 ? 1 : ncpu > MAX_WORKERS ? MAX_WORKERS : (size_t)ncpu;
    size_t nchunks = (k->n + CHUNK - 1) / CHUNK;
    work *w = calloc(1, sizeof *w);
    worker_arg args[MAX_WORKERS];
    pthread_t tid[MAX_WORKERS];
    size_t started = 0;
    if (!w)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    w->r = r;
    w->p = p;
    w->cal = cal;
    w->k = k;
    w->ncells = ncells;
    w->nring = 2 * nw;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->chunk_items = calloc(nchunks ? nchunks : 1, sizeof *w->chunk_items);
    w->t = calloc(nw, sizeof *w->t);
    cw_rc rc = w->chunk_items && w->t ? CW_OK : CW_ENOMEM;
    for (size_t i = 0; !rc && i < nw; i++)
        if (!(w->t[i].num = calloc(ncells, sizeof(int64_t))) ||
            !(w->t[i].den = calloc(ncells, sizeof(int64_t))) ||
            !(w->t[i].brk = calloc(ncells * NBREAK, sizeof(int64_t))))
            rc = CW_ENOMEM;
    for (size_t i = 0; !rc && i < w->nring; i++)
        cw_buf_init(&w->ring[i].ch.bytes, SIZE_MAX / 2);
    for (size_t i = 0; !rc && i < nw; i++) {
        args[i].w = w;
        args[i].id = i;
        if (pthread_create(&tid[i], NULL, worker, &args[i]) != 0)
            rc = cw_error_set(err, CW_EIO, "cannot start a worker thread");
        else
            started++;
    }
    if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    if (!rc)
        rc = feed(w, s, err);
    pthread_mutex_lock(&w->mu);
    w->finished = 1;
    if (rc)
        w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (!rc && w->stop && w->rc) {
        rc = w->rc;
        *err = w->err;
    }
    /* Add up the workers' tallies; the items in chunk order. */
    for (size_t i = 0; !rc && i < nw; i++)
        for (size_t c = 0; c < ncells; c++) {
            r->num[c] += w->t[i].num[c];
            r->den[c] += w->t[i].den[c];
            for (int b = 0; b < NBREAK; b++)
                r->brk[c * NBREAK + (size_t)b] += w->t[i].brk[c * NBREAK + (size_t)b];
        }
    for (size_t c = 0; !rc && c < nchunks; c++) {
        itemlist *l = &w->chunk_items[c];
        if (l->n && cw_array_grow(&r->items, &r->capitems, r->nitems + l->n - 1, sizeof *r->items))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        else if (l->n) {
            memcpy(r->items + r->nitems, l->v, l->n * sizeof *l->v);
            r->nitems += l->n;
        }
    }
    r->children = w->children;
    for (size_t c = 0; w->chunk_items && c < nchunks; c++)
        free(w->chunk_items[c].v);
    for (size_t i = 0; w->t && i < nw; i++) {
        free(w->t[i].num);
        free(w->t[i].den);
        free(w->t[i].brk);
    }
    for (size_t i = 0; i < w->nring; i++)
        cw_buf_release(&w->ring[i].ch.bytes);
    free(w->chunk_items);
    free(w->t);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return rc;
}

cw_rc cw_measures_compute(cw_store *s, const cw_measure_set *m, const cw_rule_pack *p,
                          const cw_calendar *cal, const cw_measures_query *q,
                          cw_measures_result **out, cw_error *err)
{
    *out = NULL;
    if (q->from > q->to)
        return cw_error_set(err, CW_EINVAL, "the period ends before it starts");
    cw_measures_result *r = calloc(1, sizeof *r);
    if (!r)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    r->m = m;
    r->q = *q;
    kids k = {0};
    team_rows t = {r, 0, 0, NULL};
    cw_rc rc = cw_store_run(s, CW_Q_TEAMS_ALL, NULL, 0, team_row, &t, NULL, err);
    if (!rc) {
        /* the last slot: no team */
        size_t cap2 = t.cap;
        if (cw_array_grow(&r->team_ids, &t.cap, r->nslots, sizeof *r->team_ids) ||
            cw_array_grow(&t.areas, &cap2, r->nslots, sizeof *t.areas))
            rc = CW_ENOMEM;
        else {
            r->team_ids[r->nslots][0] = '\0';
            t.areas[r->nslots][0] = '\0';
            r->nslots++;
        }
    }
    if (!rc)
        rc = cw_store_run(s, CW_Q_STAFF_ALL, NULL, 0, staff_row, &t, NULL, err);
    if (!rc &&
        (rc = cw_store_run(s, CW_Q_CHILDREN_ALL, NULL, 0, kid_row, &k, NULL, err)) == CW_EVERIFY)
        rc = damaged(err, "the children table");
    size_t cells = m->nmeasures * (r->nslots ? r->nslots : 1);
    if (!rc &&
        (!(r->num = calloc(cells, sizeof *r->num)) || !(r->den = calloc(cells, sizeof *r->den)) ||
         !(r->brk = calloc(cells * NBREAK, sizeof *r->brk)) ||
         !(r->selected = calloc(r->nslots, 1))))
        rc = CW_ENOMEM;
    for (size_t i = 0; !rc && i < r->nslots; i++) {
        int last = i + 1 == r->nslots;
        r->selected[i] = (!q->team || (!last && !strcmp(r->team_ids[i], q->team))) &&
                         (!q->area || (!last && !strcmp(t.areas[i], q->area)));
    }
    if (!rc && q->team) {
        int known = 0;
        for (size_t i = 0; i + 1 < r->nslots; i++)
            known |= !strcmp(r->team_ids[i], q->team);
        if (!known)
            rc = cw_error_set(err, CW_ENOTFOUND, "team: there is no team %s", q->team);
    }
    if (!rc && q->area) {
        int known = 0;
        for (size_t i = 0; i + 1 < r->nslots; i++)
            known |= !strcmp(t.areas[i], q->area);
        if (!known)
            rc =
                cw_error_set(err, CW_ENOTFOUND, "area: no team is in the service area %s", q->area);
    }
    if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    if (!rc)
        rc = run_workers(r, s, p, cal, &k, cells, err);
    free(k.ids);
    free(k.dob);
    free(t.areas);
    if (rc) {
        cw_measures_result_free(r);
        return rc;
    }
    *out = r;
    return CW_OK;
}

void cw_measures_result_free(cw_measures_result *r)
{
    if (!r)
        return;
    free(r->team_ids);
    free(r->selected);
    free(r->staff);
    free(r->num);
    free(r->den);
    free(r->brk);
    free(r->items);
    free(r);
}

/* ---- the figures ---- */

json_t *cw_measures_value(const char *unit, int64_t numerator, int64_t denominator)
{
    if (!strcmp(unit, "count"))
        return json_integer(numerator);
    if (denominator <= 0 || numerator < 0)
        return json_null();
    /* tenths, rounded half up, in integers: the same on every machine */
    int64_t scale = !strcmp(unit, "percent") ? 1000 : 10;
    int64_t tenths = (2 * scale * numerator + denominator) / (2 * denominator);
    return json_real((double)tenths / 10.0);
}

json_t *cw_measures_figures(const cw_measures_result *r)
{
    json_t *arr = json_array();
    for (size_t mi = 0; arr && mi < r->m->nmeasures; mi++) {
        const cw_measure *me = &r->m->measures[mi];
        int64_t num = 0, den = 0, brk[NBREAK] = {0};
        for (size_t s = 0; s < r->nslots; s++) {
            if (!r->selected[s])
                continue;
            size_t k = mi * r->nslots + s;
            num += r->num[k];
            den += r->den[k];
            for (int b = 0; b < NBREAK; b++)
                brk[b] += r->brk[k * NBREAK + (size_t)b];
        }
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:o}", "id", me->id, "title",
                              me->title, "title_cy", me->title_cy, "unit", me->unit, "numerator",
                              (json_int_t)num, "denominator", (json_int_t)den, "value",
                              cw_measures_value(me->unit, num, den));
        if (o && me->count == MC_OBLIGATIONS) {
            json_t *b = json_object();
            for (int i = 0; b && i < NBREAK; i++)
                json_object_set_new(b, break_names[i], json_integer(brk[i]));
            json_object_set_new(o, "breakdown", b);
        }
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

size_t cw_measures_items(const cw_measures_result *r, const cw_measure_item **items)
{
    *items = r->items;
    return r->nitems;
}

uint64_t cw_measures_children(const cw_measures_result *r)
{
    return r->children;
}

json_t *cw_measures_by_team(const cw_measures_result *r)
{
    json_t *arr = json_array();
    for (size_t slot = 0; arr && slot < r->nslots; slot++) {
        if (!r->selected[slot])
            continue;
        json_t *ms = json_array();
        int64_t any = 0;
        for (size_t mi = 0; ms && mi < r->m->nmeasures; mi++) {
            const cw_measure *me = &r->m->measures[mi];
            size_t k = mi * r->nslots + slot;
            any += r->den[k];
            json_array_append_new(ms, json_pack("{s:s, s:I, s:I, s:o}", "id", me->id, "numerator",
                                                (json_int_t)r->num[k], "denominator",
                                                (json_int_t)r->den[k], "value",
                                                cw_measures_value(me->unit, r->num[k], r->den[k])));
        }
        /* a team with nothing in the period is left out */
        if (!ms || !any) {
            json_decref(ms);
            continue;
        }
        int none = slot + 1 == r->nslots;
        if (json_array_append_new(arr,
                                  json_pack("{s:o, s:o}", "team_id",
                                            none ? json_null() : json_string(r->team_ids[slot]),
                                            "measures", ms))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
