/*
 * engine.c — cw_rules_evaluate: one child's history, one pass, in history
 * order, with no allocation in the common case.
 *
 * Each rule is tracked as instances. An instance is created by an event that
 * matches one of the rule's start lines, and is in one occurrence at a time:
 * occurrence 1 falls due `due` after the start (or after the anchor named by
 * `due ... from`); when met, a recurring rule (one with `then` lines) opens
 * occurrence k+1, due its interval after the date the last one was met. For
 * each event, in order, for each rule it concerns (the pack's per-type entry
 * list, grouped by rule):
 *
 *   1. met_by: every live instance of the rule whose current occurrence began
 *      before this event (and whose link field, if any, matches) is met;
 *   2. stop: every live instance started before this event ends; its open
 *      occurrence is `missed` if it was past due on the stop date, and
 *      dropped if not (a `by` line is a stop that is also the deadline: the
 *      open occurrence is missed whether due or not);
 *   3. start: a new instance, unless a live instance of the rule has the same
 *      link values, in which case the event is added to its evidence.
 *
 * After the last event on or before as_of, each live instance's occurrence is
 * `overdue` (as_of after its due date) or `open`. Obligation rules report
 * every occurrence; signal rules report one signal per rule per child, made
 * of their instances that are past due.
 *
 * A pack that names cse_band_aged also sees each CSE risk assessment again as its indicators
 * age (with_cse_ageing): the history is then a copy with those events merged in.
 *
 * Invariants: instances keep creation order (dead ones are compacted away
 * only when the array is full), so results are a deterministic function of
 * (pack, calendar, history, as_of). The scratch arrays live on the stack and
 * move to the heap only for unusually long histories.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/buf.h"

#define STACK_INSTS   64
#define STACK_OPENERS 64
#define STACK_EVENTS  512
#define STACK_MATCH   512
#define STACK_RING    256
#define MAX_EVIDENCE  8

typedef struct inst {
    uint32_t rule;
    int alive;
    int suspended;      /* stopped by the case's closure: ended, unless the case reopens in time */
    cw_date closed_on;  /* ... on this date */
    uint32_t k;         /* the current occurrence, from 1 */
    uint32_t start_pos; /* the event that started the instance */
    uint32_t last_pos;  /* the start, or the event that met the last occurrence */
    cw_date from;       /* the date occurrence 1 counts from */
    cw_date base;       /* the date the current occurrence counts from */
    cw_date due;
    const char *key[CW_RULES_MAX_LINKS];
    uint32_t ev[MAX_EVIDENCE];
    uint32_t nev;
} inst;

typedef struct opener {
    int type;
    const char *key;
    uint32_t pos;
} opener;

typedef struct eval {
    const cw_rule_pack *p;
    const cw_calendar *cal;
    const cw_child_history *h;
    cw_date as_of;
    cw_rule_results *out;
    cw_error *err;
    cw_rc rc;
    size_t sig0;
    inst *insts;
    size_t ninsts, cap_insts;
    opener *op;
    size_t nop, cap_op;
    int32_t *opener_of;
    uint8_t *mres;
    uint32_t *ring;
    int32_t last_met[CW_RULES_MAX_RULES];
    uint32_t live[CW_RULES_MAX_RULES]; /* live instances per rule: none, no scan */
    uint8_t ring_head[CW_RULES_MAX_RULES], ring_fill[CW_RULES_MAX_RULES];
    inst insts_stack[STACK_INSTS];
    opener op_stack[STACK_OPENERS];
    int32_t opener_stack[STACK_EVENTS];
    uint8_t mres_stack[STACK_MATCH];
    uint32_t ring_stack[STACK_RING];
} eval;

static const cw_case_event *event(const eval *ev, uint32_t pos)
{
    return &ev->h->events[pos];
}

static cw_rc nomem(eval *ev)
{
    ev->rc = cw_error_set(ev->err, CW_ENOMEM, "out of memory evaluating rules");
    return ev->rc;
}

/* The value of a field of the event at pos: its own, else its opener's. */
static cw_fact field(const eval *ev, uint32_t pos, const char *name)
{
    cw_fact v = cw_facts_get(event(ev, pos)->facts, name);
    if (v.kind == CW_FACT_ABSENT && ev->opener_of[pos] >= 0)
        v = cw_facts_get(event(ev, (uint32_t)ev->opener_of[pos])->facts, name);
    return v;
}

/* The string value of a field, or NULL. */
static const char *field_str(const eval *ev, uint32_t pos, const char *name)
{
    cw_fact v = field(ev, pos, name);
    return v.kind == CW_FACT_STRING ? v.s : NULL;
}

/* The string value of the event's own field, or NULL. */
static const char *field_str_own(const eval *ev, uint32_t pos, const char *name)
{
    cw_fact v = cw_facts_get(event(ev, pos)->facts, name);
    return v.kind == CW_FACT_STRING ? v.s : NULL;
}

static int64_t list_size(cw_facts f, const char *name)
{
    cw_fact v = cw_facts_get(f, name);
    return v.kind == CW_FACT_LIST ? v.i : 0;
}

/* SERAF's score: 1 for each vulnerability and each moderate indicator, 5 for each significant
 * indicator present in the last 6 months, 1 for each present 6 to 12 months ago (one in both
 * columns scores 6). As the assessment ages (`age`: 0 on its day, 1 from 6 months after it,
 * 2 from 12 months) its significant indicators age with it: a current one scores 1, then
 * nothing, and an earlier one nothing from 6 months on. Vulnerabilities and moderate
 * indicators stand until the next assessment. */
static int64_t cse_score(cw_facts f, int age)
{
    int64_t s = list_size(f, "significant_indicators");
    int64_t e = list_size(f, "significant_indicators_earlier");
    int64_t base = list_size(f, "vulnerabilities") + list_size(f, "moderate_indicators");
    return age == 0 ? base + 5 * s + e : age == 1 ? base + s : base;
}

/* How far the CSE risk assessment whose facts the event at pos carries has aged: 0 for the
 * assessment itself, 1 or 2 for the engine's cse_band_aged events 6 and 12 months after it. */
static int cse_age(const eval *ev, uint32_t pos)
{
    const cw_case_event *e = event(ev, pos);
    if (strcmp(e->type, CW_CSE_BAND_AGED) != 0)
        return 0;
    cw_fact d = cw_facts_get(e->facts, "date");
    cw_date assessed;
    if (d.kind != CW_FACT_STRING || cw_date_parse(d.s, d.len, &assessed) != CW_OK)
        return 0;
    return e->date >= cw_date_add_months(assessed, 12) ? 2 : 1;
}

static int cond_holds(const eval *ev, const cw_cond *c, uint32_t pos)
{
    const cw_rule_pack *p = ev->p;
    cw_facts payload = event(ev, pos)->facts;
    const cw_cond_value *vals = &p->values[c->first_value];
    int hit = 0;
    if (c->def->computed == CW_FC_CSE_SCORE) {
        int64_t score = cse_score(payload, cse_age(ev, pos));
        if (c->op == CW_OP_PRESENT || c->op == CW_OP_ABSENT)
            return c->op == CW_OP_PRESENT;
        for (uint32_t i = 0; i < c->nvalues && !hit; i++)
            hit = vals[i].i == score;
        return c->op == CW_OP_EQ ? hit : !hit;
    }
    if (c->def->computed == CW_FC_CSE_BAND) {
        cw_fact ob = cw_facts_get(payload, "override_band");
        const char *band = ob.kind == CW_FACT_STRING ? ob.s : NULL;
        if (!band)
            band = cw_rules_cse_band(cse_score(payload, cse_age(ev, pos)));
        if (c->op == CW_OP_PRESENT || c->op == CW_OP_ABSENT)
            return c->op == CW_OP_PRESENT;
        for (uint32_t i = 0; i < c->nvalues && !hit; i++)
            hit = !strcmp(vals[i].s, band);
        return c->op == CW_OP_EQ ? hit : !hit;
    }
    cw_fact v = field(ev, pos, c->field);
    switch (c->op) {
    case CW_OP_PRESENT:
        return v.kind != CW_FACT_ABSENT;
    case CW_OP_ABSENT:
        return v.kind == CW_FACT_ABSENT;
    case CW_OP_EQ:
    case CW_OP_NE:
        break;
    }
    if (c->def->type == CW_FT_BOOL) {
        int b = v.kind == CW_FACT_TRUE;
        for (uint32_t i = 0; i < c->nvalues && !hit; i++)
            hit = vals[i].i == b;
    } else if (c->def->type == CW_FT_INT) {
        if (v.kind == CW_FACT_INT)
            for (uint32_t i = 0; i < c->nvalues && !hit; i++)
                hit = vals[i].i == v.i;
    } else {
        const char *s = v.kind == CW_FACT_STRING ? v.s : NULL;
        if (s)
            for (uint32_t i = 0; i < c->nvalues && !hit; i++)
                hit = !strcmp(vals[i].s, s);
    }
    return c->op == CW_OP_EQ ? hit : !hit;
}

static int conds_hold(const eval *ev, uint32_t first, uint32_t n, uint32_t pos)
{
    for (uint32_t i = 0; i < n; i++)
        if (!cond_holds(ev, &ev->p->conds[first + i], pos))
            return 0;
    return 1;
}

/* Keeps the first failure (a date outside the calendar), naming the child and the rule. */
static void fail_rule(eval *ev, const cw_rule *r, cw_rc rc)
{
    ev->rc = rc;
    cw_error_prefix(ev->err, "child %s, rule %s: ", ev->h->child_id ? ev->h->child_id : "(unknown)",
                    r->id);
}

static void add_interval(eval *ev, const cw_rule *r, cw_date d, cw_interval iv, cw_date *out)
{
    if (ev->rc)
        return;
    cw_rc rc = cw_rules_add_interval(ev->cal, d, iv, out, ev->err);
    if (rc)
        fail_rule(ev, r, rc);
}

/* A due date: iv after d, counted as the pack says (`count_from`). From the day after d (the
 * default), or with d itself as day 1: then N working days end on the (N-1)th working day
 * after d if d is a working day (else on the Nth: the first working day is day 1), and N
 * days, weeks or months end the day before they would from the day after. */
static void due_after(eval *ev, const cw_rule *r, cw_date d, cw_interval iv, cw_date *out)
{
    if (!ev->p->count_event_day || iv.n <= 0) {
        add_interval(ev, r, d, iv, out);
        return;
    }
    if (iv.unit == CW_UNIT_WORKING_DAYS) {
        bool working = false;
        if (ev->rc)
            return;
        cw_rc rc = cw_calendar_is_working_day(ev->cal, d, &working, ev->err);
        if (rc) {
            fail_rule(ev, r, rc);
            return;
        }
        add_interval(ev, r, d, (cw_interval){iv.n - (working ? 1 : 0), iv.unit}, out);
        return;
    }
    add_interval(ev, r, d, iv, out);
    *out -= 1;
}

static void escalation(const cw_rule *r, int64_t days, int *level, const char **to)
{
    int l = 0;
    while ((size_t)l < r->nesc && days >= r->esc[l].days)
        l++;
    *level = l;
    *to = l ? r->esc[l - 1].role : NULL;
}

static cw_obligation *push_obligation(eval *ev)
{
    cw_rule_results *o = ev->out;
    if (cw_array_grow(&o->obligations, &o->cap_obligations, o->nobligations,
                      sizeof *o->obligations)) {
        nomem(ev);
        return NULL;
    }
    cw_obligation *ob = &o->obligations[o->nobligations++];
    memset(ob, 0, sizeof *ob);
    return ob;
}

/* Reports the current occurrence of an obligation instance in state s. */
static void emit(eval *ev, const inst *in, cw_obligation_state s, uint32_t met_pos, cw_date when)
{
    const cw_rule *r = &ev->p->rules[in->rule];
    if (r->kind != CW_KIND_OBLIGATION)
        return;
    cw_obligation *ob = push_obligation(ev);
    if (!ob)
        return;
    ob->rule_id = r->id;
    ob->title = r->title;
    ob->title_cy = r->title_cy;
    ob->started_by = event(ev, in->last_pos)->index; /* the start, or the last meeting */
    ob->start = in->base;
    ob->due = in->due;
    ob->state = s;
    if (s == CW_OBLIGATION_MET_ON_TIME || s == CW_OBLIGATION_MET_LATE) {
        ob->met = 1;
        ob->met_by = event(ev, met_pos)->index;
        ob->met_on = when;
    }
    if (s != CW_OBLIGATION_OPEN && s != CW_OBLIGATION_MET_ON_TIME)
        ob->days_overdue = (int64_t)when - in->due;
    if (s == CW_OBLIGATION_ENDED_BY_CLOSURE) {
        ob->ended_on = when;
        if (ob->days_overdue < 0)
            ob->days_overdue = 0; /* not yet due when the case closed */
    }
    if (s == CW_OBLIGATION_MISSED && ob->days_overdue < 0)
        ob->days_overdue = 0; /* missed at its `by` event, before its due date */
    if (s == CW_OBLIGATION_OVERDUE)
        escalation(r, ob->days_overdue, &ob->escalation_level, &ob->escalate_to);
}

/* Whole years of age on d (-1 if the date of birth is unknown or after d). */
static int32_t age_on(cw_date dob, cw_date d)
{
    if (!dob || dob > d)
        return -1;
    int y1, y2;
    unsigned m1, d1, m2, d2;
    cw_date_to_ymd(dob, &y1, &m1, &d1);
    cw_date_to_ymd(d, &y2, &m2, &d2);
    return y2 - y1 - ((m2 < m1 || (m2 == m1 && d2 < d1)) ? 1 : 0);
}

/* An `age N to M` rule's end: the child's M-th birthday (0: no end, or no date of birth). */
static cw_date age_end(const eval *ev, const cw_rule *r)
{
    if (!r->has_age || !ev->h->date_of_birth)
        return 0;
    return cw_date_add_months(ev->h->date_of_birth, 12 * r->age_to);
}

/* The interval to the next occurrence: the last applicable `then` line. */
static cw_interval next_interval(eval *ev, const inst *in)
{
    const cw_rule *r = &ev->p->rules[in->rule];
    size_t reach = in->k - 2; /* the i-th line applies from occurrence i + 1 ... */
    for (size_t s = r->nthen - 1;; s--) {
        const cw_then *th = &r->then[s];
        int ok = s <= reach || th->from_age; /* ... a from_age line from the second */
        if (th->has_after) {
            cw_date threshold = in->from;
            add_interval(ev, r, in->from, th->after, &threshold);
            ok = ok && in->base >= threshold;
        }
        if (ok && th->from_age)
            ok = age_on(ev->h->date_of_birth, in->base) >= th->from_age;
        if (ok && th->nconds)
            ok = conds_hold(ev, th->first_cond, th->nconds, in->start_pos);
        if (ok || s == 0)
            return th->every;
    }
}

static void meet(eval *ev, inst *in, uint32_t pos)
{
    const cw_rule *r = &ev->p->rules[in->rule];
    cw_date d = event(ev, pos)->date;
    emit(ev, in, d <= in->due ? CW_OBLIGATION_MET_ON_TIME : CW_OBLIGATION_MET_LATE, pos, d);
    if (r->nthen == 0) {
        in->alive = 0;
        ev->live[in->rule]--;
        return;
    }
    in->k++;
    in->base = d;
    in->last_pos = pos;
    due_after(ev, r, d, next_interval(ev, in), &in->due);
    cw_date end = age_end(ev, r);
    if (end && in->due >= end) { /* the next would fall due once the child is too old */
        in->alive = 0;
        ev->live[in->rule]--;
    }
}

/* A stop ends the instance: its open occurrence is missed if past due (or, on a `by` line,
 * whether due or not: the event was its deadline), dropped if not. */
static void stop(eval *ev, inst *in, uint32_t pos, int deadline)
{
    cw_date d = event(ev, pos)->date;
    ev->live[in->rule]--;
    /* A closure ends the work, it does not erase it: reported as ended_by_closure at the
     * end (finish), unless a reopening within the pack's resume_within brings it back. */
    if (!strcmp(event(ev, pos)->type, "case_closed")) {
        in->suspended = 1;
        in->closed_on = d;
        return;
    }
    if (in->due < d || deadline)
        emit(ev, in, CW_OBLIGATION_MISSED, 0, d);
    in->alive = 0;
}

/* A case reopened: the work its closure ended resumes, with its due dates, if the case was
 * closed no longer ago than the pack's resume_within. */
static void reopen(eval *ev, uint32_t pos)
{
    cw_date d = event(ev, pos)->date;
    for (size_t i = 0; ev->p->has_resume && i < ev->ninsts && !ev->rc; i++) {
        inst *in = &ev->insts[i];
        if (!in->alive || !in->suspended)
            continue;
        cw_date limit = in->closed_on;
        add_interval(ev, &ev->p->rules[in->rule], in->closed_on, ev->p->resume, &limit);
        if (d > limit)
            continue;
        in->suspended = 0;
        ev->live[in->rule]++;
    }
}

static int link_ok(const eval *ev, const inst *in, const cw_clause *c, uint32_t pos)
{
    if (!c->link)
        return 1;
    const char *v = field_str(ev, pos, c->link);
    const char *k = in->key[c->link_slot];
    return v && k && !strcmp(v, k);
}

static void add_evidence(inst *in, uint32_t pos)
{
    for (uint32_t i = 0; i < in->nev; i++)
        if (in->ev[i] == pos)
            return;
    if (in->nev < MAX_EVIDENCE)
        in->ev[in->nev++] = pos;
}

static inst *new_inst(eval *ev)
{
    if (ev->ninsts == ev->cap_insts) {
        size_t live = 0;
        for (size_t i = 0; i < ev->ninsts; i++)
            if (ev->insts[i].alive)
                ev->insts[live++] = ev->insts[i];
        ev->ninsts = live;
    }
    if (ev->ninsts == ev->cap_insts) {
        size_t cap = ev->cap_insts * 2;
        inst *q = ev->insts == ev->insts_stack ? malloc(cap * sizeof *q)
                                               : realloc(ev->insts, cap * sizeof *q);
        if (!q) {
            nomem(ev);
            return NULL;
        }
        if (ev->insts == ev->insts_stack)
            memcpy(q, ev->insts_stack, sizeof ev->insts_stack);
        ev->insts = q;
        ev->cap_insts = cap;
    }
    inst *in = &ev->insts[ev->ninsts++];
    memset(in, 0, sizeof *in);
    in->alive = 1;
    return in;
}

static void start(eval *ev, uint32_t ri, uint32_t pos)
{
    const cw_rule_pack *p = ev->p;
    const cw_rule *r = &p->rules[ri];
    const cw_case_event *e = event(ev, pos);
    uint32_t evid[MAX_EVIDENCE];
    uint32_t nevid = 0;
    cw_date window = INT32_MIN; /* a count rule's: the date of the oldest event counted */
    /* before the duty applied: it starts (and counts) nothing */
    if (r->has_since && e->date < r->since)
        return;
    /* owed at these ages only (a child with no date of birth: owed); a start before the
     * first of them counts from the birthday the duty begins on */
    cw_date owed_from = 0;
    if (r->has_age && ev->h->date_of_birth) {
        int32_t a = age_on(ev->h->date_of_birth, e->date);
        if (a >= r->age_to)
            return;
        if (a < r->age_from)
            owed_from = cw_date_add_months(ev->h->date_of_birth, 12 * r->age_from);
    }
    if (r->count_n) {
        /* The ring holds the last count_n candidates; start only when the
         * oldest of them is within the window. */
        uint32_t n = (uint32_t)r->count_n, *ring = &ev->ring[r->count_slot];
        ring[ev->ring_head[ri]] = pos;
        ev->ring_head[ri] = (uint8_t)((ev->ring_head[ri] + 1) % n);
        if (ev->ring_fill[ri] < n)
            ev->ring_fill[ri]++;
        if (ev->ring_fill[ri] < n)
            return;
        uint32_t oldest = ring[ev->ring_head[ri]];
        cw_date lo = e->date;
        add_interval(ev, r, e->date, (cw_interval){-r->count_within.n, r->count_within.unit}, &lo);
        if (ev->rc || event(ev, oldest)->date < lo)
            return;
        window = event(ev, oldest)->date;
        for (uint32_t i = 0; i < n && nevid < MAX_EVIDENCE; i++)
            evid[nevid++] = ring[(ev->ring_head[ri] + i) % n];
    } else {
        evid[nevid++] = pos;
    }
    const char *key[CW_RULES_MAX_LINKS] = {NULL};
    for (size_t s = 0; s < r->nlinks; s++)
        key[s] = field_str(ev, pos, r->links[s]);
    for (size_t i = 0; ev->live[ri] && i < ev->ninsts; i++) {
        inst *in = &ev->insts[i];
        if (!in->alive || in->suspended || in->rule != ri)
            continue;
        size_t s;
        for (s = 0; s < r->nlinks; s++)
            if ((in->key[s] == NULL) != (key[s] == NULL) || (key[s] && strcmp(in->key[s], key[s])))
                break;
        if (s == r->nlinks) {
            for (uint32_t j = 0; j < nevid; j++)
                add_evidence(in, evid[j]);
            return;
        }
    }
    inst *in = new_inst(ev);
    if (!in)
        return;
    in->rule = ri;
    ev->live[ri]++;
    in->k = 1;
    in->start_pos = in->last_pos = pos;
    in->from = e->date;
    if (r->anchor >= 0 && ev->opener_of[pos] >= 0) {
        const cw_case_event *a = event(ev, (uint32_t)ev->opener_of[pos]);
        in->from = a->date;
    }
    if (r->anchor_field) { /* a date the start event gives (a missing child's return) */
        cw_fact f = cw_facts_get(e->facts, r->anchor_field);
        cw_date d;
        if (f.kind == CW_FACT_STRING && cw_date_parse(f.s, f.len, &d) == CW_OK && d >= e->date)
            in->from = d;
    }
    if (owed_from > in->from)
        in->from = owed_from;
    in->base = in->from;
    memcpy(in->key, key, sizeof key);
    for (uint32_t j = 0; j < nevid; j++)
        add_evidence(in, evid[j]);
    due_after(ev, r, in->from, r->due, &in->due);
    cw_date end = age_end(ev, r);
    if (end && in->due >= end && !ev->rc) { /* due once the child is too old: not owed */
        in->alive = 0;
        ev->live[ri]--;
        return;
    }
    if (r->memory && ev->last_met[ri] >= 0 && !ev->rc) {
        /* A same-child met_by on the start's date (or within the lookback)
         * meets occurrence 1 at once. */
        uint32_t m = (uint32_t)ev->last_met[ri];
        cw_date lo = e->date;
        if (r->has_lookback)
            add_interval(ev, r, e->date, (cw_interval){-r->lookback.n, r->lookback.unit}, &lo);
        /* A count rule looks back no further than the first event it counted: an assessment
         * before the run of contacts began does not answer them. */
        if (lo < window)
            lo = window;
        if (!ev->rc && event(ev, m)->date >= lo)
            meet(ev, in, m);
    }
}

static void open_of(eval *ev, int t, uint32_t pos)
{
    const cw_ev_type *et = &cw_rules_types[t];
    const char *kv = field_str_own(ev, pos, et->key);
    if (!kv)
        return;
    if (et->opener >= 0) {
        for (size_t i = ev->nop; i-- > 0;)
            if (ev->op[i].type == et->opener && !strcmp(ev->op[i].key, kv)) {
                ev->opener_of[pos] = (int32_t)ev->op[i].pos;
                return;
            }
        return;
    }
    if (ev->nop == ev->cap_op) {
        size_t cap = ev->cap_op * 2;
        opener *q =
            ev->op == ev->op_stack ? malloc(cap * sizeof *q) : realloc(ev->op, cap * sizeof *q);
        if (!q) {
            nomem(ev);
            return;
        }
        if (ev->op == ev->op_stack)
            memcpy(q, ev->op_stack, sizeof ev->op_stack);
        ev->op = q;
        ev->cap_op = cap;
    }
    ev->op[ev->nop++] = (opener){t, kv, pos};
}

static void one_event_as(eval *ev, uint32_t pos, int t);

/*
 * Work awaiting a manager's sign-off (its facts say sign_off=awaited) does not count yet:
 * the rules see it only as sign_off_awaited, which a pack's signal may time. A CSE risk
 * assessment counts at once; only its override is held back (the projection leaves the
 * override out of its facts until it is signed off).
 */
bool cw_case_event_awaited(const cw_case_event *e)
{
    cw_fact v = cw_facts_get(e->facts, "sign_off");
    return v.kind == CW_FACT_STRING && !strcmp(v.s, "awaited");
}

static int awaited(const eval *ev, uint32_t pos)
{
    return cw_case_event_awaited(event(ev, pos));
}

static void one_event(eval *ev, uint32_t pos)
{
    const cw_rule_pack *p = ev->p;
    const cw_case_event *e = event(ev, pos);
    ev->opener_of[pos] = -1;
    if (e->date > ev->as_of || !e->type)
        return;
    if (!strcmp(e->type, "case_reopened"))
        reopen(ev, pos);
    if (awaited(ev, pos) && strcmp(e->type, CW_CSE_BAND_AGED) != 0) {
        int w = cw_rules_pack_type(p, "sign_off_awaited");
        if (w >= 0)
            one_event_as(ev, pos, w);
        if (strcmp(e->type, "cse_risk_assessment") != 0) {
            int t = cw_rules_pack_type(p, e->type);
            if (t >= 0 && cw_rules_types[t].key)
                open_of(ev, t, pos); /* its record's opener, for the fields it lacks */
            return;
        }
    }
    int t = cw_rules_pack_type(p, e->type);
    if (t >= 0)
        one_event_as(ev, pos, t);
}

static void one_event_as(eval *ev, uint32_t pos, int t)
{
    const cw_rule_pack *p = ev->p;
    if (cw_rules_types[t].key)
        open_of(ev, t, pos);
    for (uint32_t i = 0; i < p->type_mn[t]; i++) {
        uint32_t m = p->type_m[p->type_mfirst[t] + i];
        ev->mres[m] =
            (uint8_t)conds_hold(ev, p->matchers[m].first_cond, p->matchers[m].nconds, pos);
    }
    uint32_t i = p->type_first[t], end = i + p->type_n[t];
    while (i < end && !ev->rc) {
        uint32_t ri = p->entries[i].rule;
        int met_any = 0, started = 0;
        for (; i < end && p->entries[i].rule == ri && !ev->rc; i++) {
            const cw_clause *c = &p->clauses[p->entries[i].clause];
            if (!ev->mres[c->matcher])
                continue;
            if (c->role == CW_ROLE_START) {
                if (!started)
                    start(ev, ri, pos);
                started = 1;
                continue;
            }
            met_any |= c->role == CW_ROLE_MET;
            for (size_t k = 0; ev->live[ri] && k < ev->ninsts && !ev->rc; k++) {
                inst *in = &ev->insts[k];
                if (!in->alive || in->suspended || in->rule != ri || !link_ok(ev, in, c, pos))
                    continue;
                if (c->role == CW_ROLE_MET && in->last_pos < pos)
                    meet(ev, in, pos);
                else if (c->role == CW_ROLE_STOP && in->start_pos < pos)
                    stop(ev, in, pos, c->deadline);
            }
        }
        if (met_any && p->rules[ri].memory)
            ev->last_met[ri] = (int32_t)pos;
    }
}

static cw_signal *signal_for(eval *ev, const cw_rule *r)
{
    cw_rule_results *o = ev->out;
    for (size_t i = ev->sig0; i < o->nsignals; i++)
        if (o->signals[i].rule_id == r->id)
            return &o->signals[i];
    if (cw_array_grow(&o->signals, &o->cap_signals, o->nsignals, sizeof *o->signals)) {
        nomem(ev);
        return NULL;
    }
    cw_signal *s = &o->signals[o->nsignals++];
    memset(s, 0, sizeof *s);
    s->rule_id = r->id;
    s->title = r->title;
    s->title_cy = r->title_cy;
    s->since = INT32_MAX;
    return s;
}

static void signal_evidence(cw_signal *s, uint64_t index)
{
    size_t i = 0;
    while (i < s->nevidence && s->evidence[i] < index)
        i++;
    if (i < s->nevidence && s->evidence[i] == index)
        return;
    if (s->nevidence == sizeof s->evidence / sizeof s->evidence[0]) {
        if (i == s->nevidence)
            return;
        s->nevidence--;
    }
    memmove(&s->evidence[i + 1], &s->evidence[i], (s->nevidence - i) * sizeof s->evidence[0]);
    s->evidence[i] = index;
    s->nevidence++;
}

static void finish(eval *ev)
{
    for (size_t i = 0; i < ev->ninsts && !ev->rc; i++) {
        const inst *in = &ev->insts[i];
        if (!in->alive)
            continue;
        const cw_rule *r = &ev->p->rules[in->rule];
        if (in->suspended) {
            emit(ev, in, CW_OBLIGATION_ENDED_BY_CLOSURE, 0, in->closed_on);
            continue;
        }
        int past = ev->as_of > in->due;
        if (r->kind == CW_KIND_OBLIGATION) {
            emit(ev, in, past ? CW_OBLIGATION_OVERDUE : CW_OBLIGATION_OPEN, 0, ev->as_of);
            continue;
        }
        if (!past)
            continue;
        cw_signal *s = signal_for(ev, r);
        if (!s)
            return;
        if (in->due + 1 < s->since)
            s->since = in->due + 1;
        int64_t days = (int64_t)ev->as_of - (s->since - 1);
        escalation(r, days, &s->escalation_level, &s->escalate_to);
        for (uint32_t j = 0; j < in->nev; j++)
            signal_evidence(s, event(ev, in->ev[j])->index);
        if (in->last_pos != in->start_pos)
            signal_evidence(s, event(ev, in->last_pos)->index);
    }
}

/* The times the CSE risk assessment at i is seen again as it ages (cse_score), on or before
 * as_of: 6 months after it if it has significant indicators in either column, 12 months if
 * it has current ones, until a later assessment replaces it. An overridden band is a
 * professional judgement, not a sum: it stands until the next assessment. Writes the dates
 * to when (if not NULL) and returns how many. */
static size_t cse_ageing(const cw_child_history *h, size_t i, cw_date as_of, cw_date when[2])
{
    const cw_case_event *e = &h->events[i];
    if (strcmp(e->type, "cse_risk_assessment") != 0 ||
        cw_facts_get(e->facts, "override_band").kind != CW_FACT_ABSENT)
        return 0;
    size_t j = i + 1;
    while (j < h->nevents && strcmp(h->events[j].type, "cse_risk_assessment") != 0)
        j++;
    cw_date next = j < h->nevents ? h->events[j].date : INT32_MAX;
    int64_t s = list_size(e->facts, "significant_indicators");
    int64_t older = list_size(e->facts, "significant_indicators_earlier");
    size_t n = 0;
    for (int32_t months = 6; months <= 12; months += 6) {
        cw_date d = cw_date_add_months(e->date, months);
        if (d > as_of || d >= next || (months == 6 ? s + older : s) == 0)
            break;
        if (when)
            when[n] = d;
        n++;
    }
    return n;
}

/* The history the rules read: h itself, or, when the pack names cse_band_aged and a CSE risk
 * assessment ages before as_of, a copy (*copy, the caller's to free) with the engine's own
 * cse_band_aged events merged in (date, index) order. Each carries its assessment's index and
 * facts. The aged dates come out in date order: a later assessment on or before an earlier
 * one's aged date replaces it. */
static cw_rc with_cse_ageing(const cw_rule_pack *p, const cw_child_history *h, cw_date as_of,
                             cw_child_history *aged, cw_case_event **copy, cw_error *err)
{
    *copy = NULL;
    *aged = *h;
    if (cw_rules_pack_type(p, CW_CSE_BAND_AGED) < 0)
        return CW_OK;
    size_t n = 0;
    for (size_t i = 0; i < h->nevents; i++)
        n += cse_ageing(h, i, as_of, NULL);
    if (!n)
        return CW_OK;
    /* v holds the merged history, then the aged events in a tail of their own */
    cw_case_event *v = malloc((h->nevents + 2 * n) * sizeof *v);
    if (!v)
        return cw_error_set(err, CW_ENOMEM, "out of memory evaluating rules");
    cw_case_event *extra = v + h->nevents + n;
    size_t k = 0;
    for (size_t i = 0; i < h->nevents; i++) {
        cw_date when[2];
        size_t m = cse_ageing(h, i, as_of, when);
        for (size_t j = 0; j < m; j++)
            extra[k++] =
                (cw_case_event){h->events[i].index, CW_CSE_BAND_AGED, when[j], h->events[i].facts};
    }
    size_t a = 0, b = 0, w = 0;
    while (a < h->nevents || b < n) {
        const cw_case_event *x = a < h->nevents ? &h->events[a] : NULL;
        const cw_case_event *y = b < n ? &extra[b] : NULL;
        if (x && (!y || x->date < y->date || (x->date == y->date && x->index < y->index)))
            v[w++] = h->events[a++];
        else
            v[w++] = extra[b++];
    }
    aged->events = v;
    aged->nevents = h->nevents + n;
    *copy = v;
    return CW_OK;
}

cw_rc cw_rules_evaluate(const cw_rule_pack *p, const cw_calendar *cal, const cw_child_history *h,
                        cw_date as_of, cw_rule_results *out, cw_error *err)
{
    if (!p || !cal || !h || !out || (h->nevents && !h->events))
        return cw_error_set(err, CW_EINVAL, "cw_rules_evaluate: missing argument");
    if (h->nevents > UINT32_MAX / 2)
        return cw_error_set(err, CW_ETOOBIG, "child %s: too many events",
                            h->child_id ? h->child_id : "(unknown)");
    cw_child_history aged;
    cw_case_event *copy;
    cw_rc arc = with_cse_ageing(p, h, as_of, &aged, &copy, err);
    if (arc)
        return arc;
    h = &aged;
    eval ev_s; /* about 13 KB of scratch */
    eval *ev = &ev_s;
    ev->p = p;
    ev->cal = cal;
    ev->h = h;
    ev->as_of = as_of;
    ev->out = out;
    ev->err = err;
    ev->rc = CW_OK;
    ev->sig0 = out->nsignals;
    size_t obl0 = out->nobligations;
    ev->insts = ev->insts_stack;
    ev->ninsts = 0;
    ev->cap_insts = STACK_INSTS;
    ev->op = ev->op_stack;
    ev->nop = 0;
    ev->cap_op = STACK_OPENERS;
    ev->opener_of =
        h->nevents <= STACK_EVENTS ? ev->opener_stack : malloc(h->nevents * sizeof *ev->opener_of);
    ev->mres = p->nmatchers <= STACK_MATCH ? ev->mres_stack : malloc(p->nmatchers);
    ev->ring =
        p->count_slots <= STACK_RING ? ev->ring_stack : malloc(p->count_slots * sizeof *ev->ring);
    if (!ev->opener_of || !ev->mres || !ev->ring)
        nomem(ev);
    for (size_t r = 0; r < p->nrules; r++) {
        ev->last_met[r] = -1;
        ev->live[r] = 0;
        ev->ring_head[r] = ev->ring_fill[r] = 0;
    }
    for (uint32_t pos = 0; pos < h->nevents && !ev->rc; pos++)
        one_event(ev, pos);
    if (!ev->rc)
        finish(ev);
    cw_rc rc = ev->rc;
    if (rc) {
        out->nobligations = obl0;
        out->nsignals = ev->sig0;
    }
    if (ev->insts != ev->insts_stack)
        free(ev->insts);
    if (ev->op != ev->op_stack)
        free(ev->op);
    if (ev->opener_of != ev->opener_stack)
        free(ev->opener_of);
    if (ev->mres != ev->mres_stack)
        free(ev->mres);
    if (ev->ring != ev->ring_stack)
        free(ev->ring);
    free(copy);
    return rc;
}
