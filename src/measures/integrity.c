/*
 * integrity.c — see integrity.h and docs/integrity.md.
 *
 * One pass over the children (in child_id order): each child's history is read from the log
 * (cw_casework_history: every entry about the child, corrections applied, with the time it
 * was first recorded), and the rules engine's obligations for the child as of the window's
 * last day (cw_oversight_child). Per member of staff, counters and the few entries that
 * might be flagged are kept; once every child has been read, each member of staff is
 * compared with the rest of their team and the flags are made. Nothing is kept of a child
 * but what a flag may name (entry indexes and the child's position in the list of children).
 *
 * Invariants: only entries below the checkpoint's size are examined, so the report is of one
 * signed state of the log; a flag names no text and no name; every figure in a flag's
 * explanation is also in its figures or its lists.
 */
#include "measures/integrity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "rules/oversight.h"
#include "store/store.h"
#include "util/textprint.h"
#include "util/time.h"

/* Obligations compared one by one for deadline clustering (the pack holds at most 200). */
#define CW_RULES_MAX 200

/* A member of staff's share is compared with a team share of at least this. */
#define MIN_TEAM_RATE 0.01
/* A team with fewer other entries than this is compared with the whole council instead. */
#define MIN_TEAM_ENTRIES 20

typedef struct staff_row {
    char id[65];
    char role[32];
    char team[65];
} staff_row;

typedef struct item {
    uint64_t idx;
    uint32_t child;
    int32_t delay; /* working days between its date and its recording */
    int64_t ms;    /* when it was first recorded */
} item;

typedef struct item_list {
    item *v;
    size_t n, cap;
} item_list;

typedef struct ustat {
    uint64_t n, late;       /* entries dated in the window; recorded late */
    uint64_t met, at_due;   /* completions on time; of those, on (or just before) the due date */
    item_list late_list;    /* late entries */
    item_list due_list;     /* completions on the due date */
    item_list bulk_list;    /* entries recorded more than bulk_after after their date */
    item_list empty_list;   /* completed with (nearly) no words */
    item_list outside_list; /* casework on children another team held */
} ustat;

/* A completion whose text was already seen for another child. */
typedef struct rep {
    uint64_t idx;
    uint32_t child, slot, staff;
} rep;

typedef struct rep_list {
    rep *v;
    size_t n, cap;
} rep_list;

/* One distinct completed text: a hash of its normalised form, never the text. */
typedef struct tslot {
    uint64_t hash; /* 0: empty slot */
    uint64_t first_idx;
    uint32_t first_child, last_child, first_staff;
    uint32_t nchildren;
} tslot;

typedef struct run {
    cw_ledger *l;
    const cw_rule_pack *p;
    const cw_calendar *cal;
    const cw_integrity_thresholds *t;
    cw_integrity_opts o;
    cw_integrity_report *out;
    cw_error *err;
    uint64_t size;
    staff_row *staff;
    size_t nstaff, capstaff;
    ustat *us;
    char (*kids)[65];
    size_t nkids, capkids;
    tslot *slots;
    size_t capslots, usedslots;
    rep_list repeats; /* completions whose text was seen for another child before */
    const char *rule_ids[CW_RULES_MAX]; /* the obligations seen met, for per-rule baselines */
    size_t nrules;
    uint32_t *met_n, *met_k; /* per staff x rule: completions on time; on the due date */
    cw_rule_results res, tmp;
    cw_integrity_flag spare; /* filled for a flag past the listed ones: counted, not kept */
} run;

const char *cw_integrity_pattern_title(cw_integrity_pattern p)
{
    static const char *const titles[CW_INTEGRITY_NPATTERNS] = {
        "Late recording",
        "Recorded after the deadline, dated before it",
        "Dates corrected to make late work on time",
        "Completions on the due date",
        "Case closed and reopened while work was overdue",
        "Bulk entry of backdated records",
        "Empty or pasted content",
        "Casework by staff outside the case's team"};
    return (unsigned)p < CW_INTEGRITY_NPATTERNS ? titles[p] : "";
}

/* ---- small helpers ---- */

static cw_rc push(item_list *l, item it)
{
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    l->v[l->n++] = it;
    return CW_OK;
}

/* Working days after a up to and including b (negative if b < a); INT32_MIN outside the
 * calendar. */
static int32_t wd(const run *r, cw_date a, cw_date b)
{
    int64_t n;
    if (cw_calendar_working_days(r->cal, a, b, &n, NULL))
        return INT32_MIN;
    return (int32_t)n;
}

static cw_date add_wd(const run *r, cw_date d, int32_t n)
{
    cw_date out;
    if (cw_calendar_add_working_days(r->cal, d, n, &out, NULL))
        return d + n * 7 / 5; /* outside the calendar: about as far */
    return out;
}

static cw_date day_of(int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    return (cw_date)days;
}

static int staff_cmp(const void *a, const void *b)
{
    return strcmp(((const staff_row *)a)->id, ((const staff_row *)b)->id);
}

static int find_staff(const run *r, const char *id)
{
    staff_row key;
    if (!r->nstaff || strlen(id) >= sizeof key.id)
        return -1;
    memcpy(key.id, id, strlen(id) + 1);
    const staff_row *s = bsearch(&key, r->staff, r->nstaff, sizeof key, staff_cmp);
    return s ? (int)(s - r->staff) : -1;
}

static const char *pstr(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static int pdate(const json_t *p, const char *k, cw_date *out)
{
    const char *s = pstr(p, k);
    return s && !cw_date_parse(s, strlen(s), out);
}

static int in_window(const run *r, cw_date d)
{
    return d >= r->o.from && d <= r->o.to;
}

static void fmt_date(cw_date d, char out[CW_DATE_LEN + 1])
{
    cw_date_format(d, out);
}

/* ---- the rows the run needs from the projections ---- */

static cw_rc staff_rowfn(void *ctx, const cw_value *c, size_t n)
{
    run *r = ctx;
    if (n < 3 || c[0].type != CW_V_TEXT || c[0].len >= 65)
        return CW_OK;
    if (cw_array_grow(&r->staff, &r->capstaff, r->nstaff, sizeof *r->staff))
        return CW_ENOMEM;
    staff_row *s = &r->staff[r->nstaff++];
    memset(s, 0, sizeof *s);
    memcpy(s->id, c[0].s, c[0].len);
    if (c[1].type == CW_V_TEXT && c[1].len < sizeof s->role)
        memcpy(s->role, c[1].s, c[1].len);
    if (c[2].type == CW_V_TEXT && c[2].len < sizeof s->team)
        memcpy(s->team, c[2].s, c[2].len);
    return CW_OK;
}

static cw_rc kid_rowfn(void *ctx, const cw_value *c, size_t n)
{
    run *r = ctx;
    if (n < 1 || c[0].type != CW_V_TEXT || c[0].len >= 65)
        return CW_OK;
    if (cw_array_grow(&r->kids, &r->capkids, r->nkids, sizeof *r->kids))
        return CW_ENOMEM;
    memcpy(r->kids[r->nkids], c[0].s, c[0].len);
    r->kids[r->nkids][c[0].len] = '\0';
    r->nkids++;
    return CW_OK;
}

/* ---- flags ---- */

static int team_wanted(const run *r, const char *team)
{
    return !r->o.team || !strcmp(r->o.team, team);
}

/* A new flag for the pattern, about the team; NULL if the report is for another team. */
static cw_integrity_flag *flag_new(run *r, cw_integrity_pattern pat, const char *team, cw_rc *rc)
{
    cw_integrity_report *o = r->out;
    *rc = CW_OK;
    if (!team_wanted(r, team))
        return NULL;
    if (o->summary[pat].listed >= CW_INTEGRITY_MAX_FLAGS) {
        /* counted, and its entries too, but not listed: the spare is filled and forgotten */
        cw_integrity_flag *f = &r->spare;
        char(*staff)[65] = f->staff, (*children)[65] = f->children;
        memset(f, 0, sizeof *f);
        f->staff = staff;
        f->children = children;
        f->pattern = pat;
        o->summary[pat].flags++;
        return f;
    }
    if (cw_array_grow(&o->flags, &o->cap, o->nflags, sizeof *o->flags)) {
        *rc = CW_ENOMEM;
        return NULL;
    }
    cw_integrity_flag *f = &o->flags[o->nflags];
    memset(f, 0, sizeof *f);
    f->staff = calloc(CW_INTEGRITY_MAX_LISTED, sizeof *f->staff);
    f->children = calloc(CW_INTEGRITY_MAX_LISTED, sizeof *f->children);
    if (!f->staff || !f->children) {
        free(f->staff);
        free(f->children);
        *rc = CW_ENOMEM;
        return NULL;
    }
    o->nflags++;
    f->pattern = pat;
    snprintf(f->team, sizeof f->team, "%s", team);
    f->count = f->of = -1;
    f->rate = f->team_rate = f->z = -1;
    o->summary[pat].flags++;
    o->summary[pat].listed++;
    return f;
}

/* Adds id to the list once; its place in the list, or -1 when the list is full. */
static int flag_add_name(char (*list)[65], size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(list[i], id))
            return (int)i;
    if (*n >= CW_INTEGRITY_MAX_LISTED)
        return -1;
    size_t len = strnlen(id, 64); /* identifiers are at most 64 bytes */
    memcpy(list[*n], id, len);
    list[*n][len] = '\0';
    return (int)(*n)++;
}

static void flag_entry(run *r, cw_integrity_flag *f, uint64_t idx, uint32_t child)
{
    f->entries_total++;
    r->out->summary[f->pattern].entries++;
    int at = child < r->nkids ? flag_add_name(f->children, &f->nchildren, r->kids[child]) : -1;
    if (f->nentries < CW_INTEGRITY_MAX_LISTED) {
        f->entry_child[f->nentries] = (int16_t)at;
        f->entries[f->nentries++] = idx;
    }
}

static void flag_staff(cw_integrity_flag *f, const char *id)
{
    (void)flag_add_name(f->staff, &f->nstaff, id);
}

/* The entries in log order, each keeping its child (insertion sort: at most
 * CW_INTEGRITY_MAX_LISTED, mostly in order already). */
static void flag_sort_entries(cw_integrity_flag *f)
{
    for (size_t i = 1; i < f->nentries; i++) {
        uint64_t e = f->entries[i];
        int16_t c = f->entry_child[i];
        size_t j = i;
        for (; j > 0 && f->entries[j - 1] > e; j--) {
            f->entries[j] = f->entries[j - 1];
            f->entry_child[j] = f->entry_child[j - 1];
        }
        f->entries[j] = e;
        f->entry_child[j] = c;
    }
}

/* ---- text: a hash of the normalised form (util/textprint.h), and the number of words; the
 * text itself is not kept. An entry recorded since personal text was kept apart carries a
 * keyed print of it among its facts, which outlives the text's erasure: that is read first. */

static uint64_t text_hash(const char *s, int *words)
{
    cw_buf norm = CW_BUF_INIT(SIZE_MAX / 2);
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    if (cw_text_normalise(s, &norm, words)) {
        *words = 0;
        norm.len = 0;
    }
    for (size_t i = 0; i < norm.len; i++) {
        h ^= (unsigned char)norm.data[i];
        h *= 1099511628211ULL;
    }
    cw_buf_release(&norm);
    return h ? h : 1;
}

/* The text of field in p as the boilerplate pattern compares it: its print, else its hash.
 * 0 when there is none to compare (no text; erased with no print). */
static uint64_t completed_text(const json_t *p, const char *field, int *words)
{
    char pf[32];
    uint64_t h;
    const json_t *v = json_object_get(p, field);
    snprintf(pf, sizeof pf, "%s_print", field);
    if (!json_is_string(v) && !json_is_true(v))
        return 0;
    if (!cw_text_print_parse(pstr(p, pf), &h, words))
        return h;
    return json_is_string(v) ? text_hash(json_string_value(v), words) : 0;
}

static cw_rc slots_grow(run *r)
{
    size_t cap = r->capslots ? r->capslots * 2 : 4096;
    tslot *v = calloc(cap, sizeof *v);
    if (!v)
        return CW_ENOMEM;
    for (size_t i = 0; i < r->capslots; i++) {
        if (!r->slots[i].hash)
            continue;
        size_t j = (size_t)r->slots[i].hash & (cap - 1);
        while (v[j].hash)
            j = (j + 1) & (cap - 1);
        v[j] = r->slots[i];
    }
    /* repeats name slots by number: renumber them */
    for (size_t k = 0; k < r->repeats.n; k++) {
        uint64_t hsh = r->slots[r->repeats.v[k].slot].hash;
        size_t j = (size_t)hsh & (cap - 1);
        while (v[j].hash != hsh)
            j = (j + 1) & (cap - 1);
        r->repeats.v[k].slot = (uint32_t)j;
    }
    free(r->slots);
    r->slots = v;
    r->capslots = cap;
    return CW_OK;
}

/* A completed text of the child's; the repeats of a text are kept from its second child on. */
static cw_rc note_text(run *r, uint64_t hash, uint64_t idx, uint32_t child, uint32_t staff)
{
    if ((r->usedslots + 1) * 2 > r->capslots && slots_grow(r))
        return CW_ENOMEM;
    size_t j = (size_t)hash & (r->capslots - 1);
    while (r->slots[j].hash && r->slots[j].hash != hash)
        j = (j + 1) & (r->capslots - 1);
    tslot *s = &r->slots[j];
    if (!s->hash) {
        *s = (tslot){hash, idx, child, child, staff, 1};
        r->usedslots++;
        return CW_OK;
    }
    if (s->last_child != child) {
        s->nchildren++;
        s->last_child = child;
    }
    if (cw_array_grow(&r->repeats.v, &r->repeats.cap, r->repeats.n, sizeof *r->repeats.v))
        return CW_ENOMEM;
    r->repeats.v[r->repeats.n++] = (rep){idx, child, (uint32_t)j, staff};
    return CW_OK;
}

/* ---- one child ---- */

/* Entries that are not a record of something that happened on their date. */
static int not_recording(const char *type)
{
    static const char *const skip[] = {
        "correction",        "work_signed_off",     "work_returned",
        "escalation_raised", "sign_off_policy",     "supervision_held",
        "child_registered",  "restriction_changed", NULL};
    for (size_t i = 0; skip[i]; i++)
        if (!strcmp(type, skip[i]))
            return 1;
    return 0;
}

/* Entries anyone's work may need, whoever holds the case: the front door's, supervision,
 * allocation, oversight, the details the returns need and caseward's own. */
static int team_neutral(const char *type)
{
    static const char *const neutral[] = {
        "child_registered",         "child_details_recorded", "contact_received",
        "contact_decided",          "referral_received",      "referral_decided",
        "case_allocated",           "case_transferred",       "case_reopened",
        "supervision_held",         "work_signed_off",        "work_returned",
        "restriction_changed",      "escalation_raised",      "sign_off_policy",
        "strategy_discussion_held", "conference_held",        NULL};
    for (size_t i = 0; neutral[i]; i++)
        if (!strcmp(type, neutral[i]))
            return 1;
    return 0;
}

static int team_role(const char *role)
{
    return !strcmp(role, "social_worker") || !strcmp(role, "senior_practitioner") ||
           !strcmp(role, "team_manager");
}

typedef struct pos {
    uint64_t idx;
    size_t at;
} pos;

static int pos_cmp(const void *a, const void *b)
{
    uint64_t x = ((const pos *)a)->idx, y = ((const pos *)b)->idx;
    return (x > y) - (x < y);
}

static const cw_history_entry *entry_at(const cw_history *h, const pos *ord, uint64_t idx)
{
    pos key = {idx, 0};
    const pos *p = bsearch(&key, ord, h->n, sizeof key, pos_cmp);
    return p ? &h->entries[p->at] : NULL;
}

/* Per completion entry of the child: on time for some obligation, on its due date, hidden. */
typedef struct mark {
    uint64_t idx;
    int at_due;
    size_t rule; /* the first obligation it met on time */
} mark;

static cw_rc clock_resets(run *r, uint32_t ci, const cw_history *h)
{
    static const struct {
        const char *stop, *stop_field, *stop_value, *start, *start_field, *start_value, *words;
    } pairs[] = {
        {"case_closed", NULL, NULL, "case_reopened", NULL, NULL, "case closed and reopened"},
        {"looked_after_ended", NULL, NULL, "looked_after_started", NULL, NULL,
         "care ended and begun again"},
        {"conference_held", "decision", "deregister", "conference_held", "decision", "register",
         "registration ended and begun again"},
    };
    const cw_integrity_thresholds *t = r->t;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < h->n; i++) {
        const cw_history_entry *s = &h->entries[i];
        if (s->index >= r->size || !in_window(r, s->date))
            continue;
        for (size_t k = 0; !rc && k < sizeof pairs / sizeof pairs[0]; k++) {
            if (strcmp(s->type, pairs[k].stop) ||
                (pairs[k].stop_field &&
                 !(pstr(s->payload, pairs[k].stop_field) &&
                   !strcmp(pstr(s->payload, pairs[k].stop_field), pairs[k].stop_value))))
                continue;
            r->out->summary[CW_INTEGRITY_CLOCK_RESET].checked++;
            const cw_history_entry *g = NULL;
            for (size_t j = i + 1; j < h->n && !g; j++) {
                const cw_history_entry *e = &h->entries[j];
                if (e->index >= r->size || strcmp(e->type, pairs[k].start))
                    continue;
                if (pairs[k].start_field &&
                    !(pstr(e->payload, pairs[k].start_field) &&
                      !strcmp(pstr(e->payload, pairs[k].start_field), pairs[k].start_value)))
                    continue;
                g = e;
            }
            int32_t gap = g ? wd(r, s->date, g->date) : INT32_MIN;
            if (!g || gap == INT32_MIN || gap > t->reset_within_wd)
                continue;
            /* what was overdue the day before the stop */
            cw_rule_results_reset(&r->tmp);
            if (cw_oversight_child(r->l, r->p, r->cal, r->kids[ci], s->date - 1, &r->tmp, NULL))
                continue;
            size_t overdue = 0;
            int64_t worst = 0;
            const char *what = NULL;
            for (size_t q = 0; q < r->tmp.nobligations; q++) {
                const cw_obligation *ob = &r->tmp.obligations[q];
                if (ob->state != CW_OBLIGATION_OVERDUE)
                    continue;
                overdue++;
                if (ob->days_overdue >= worst) {
                    worst = ob->days_overdue;
                    what = ob->rule_id;
                }
            }
            if (!overdue)
                continue;
            int si = find_staff(r, s->actor);
            cw_integrity_flag *f =
                flag_new(r, CW_INTEGRITY_CLOCK_RESET, si >= 0 ? r->staff[si].team : "", &rc);
            if (!f)
                continue;
            char d1[CW_DATE_LEN + 1], d2[CW_DATE_LEN + 1];
            fmt_date(s->date, d1);
            fmt_date(g->date, d2);
            snprintf(f->explanation, sizeof f->explanation,
                     "%s: %s on %s, %s %d working days later on %s. On %s, %zu item(s) of work "
                     "were overdue (the longest, %s, by %lld days); the restart begins new "
                     "clocks.",
                     pairs[k].words, pairs[k].stop, d1, pairs[k].start, (int)gap, d2, d1, overdue,
                     what ? what : "", (long long)worst);
            f->count = (int64_t)overdue;
            flag_entry(r, f, s->index, ci);
            flag_entry(r, f, g->index, ci);
            flag_staff(f, s->actor);
            flag_staff(f, g->actor);
        }
    }
    return rc;
}

/* A change of who holds the case: the day, and the worker (-1: nobody, after a closure). */
typedef struct hold {
    cw_date from;
    int worker;
} hold;

/*
 * Whether a member of staff of `team` may do casework on day d: 1 if their team held the case
 * that day (before or after a change that day), or gave it up no more than outside_after_wd
 * working days before; 0 if another team held it; -1 if no team held it (not allocated).
 */
static int holding(const run *r, const hold *v, size_t n, cw_date d, const char *team)
{
    int any = 0;
    for (size_t k = 0; k < n && v[k].from <= d; k++) {
        int last = k + 1 == n || v[k + 1].from > d;
        int32_t since = last ? 0 : wd(r, v[k + 1].from, d);
        int held_that_day =
            last || v[k + 1].from == d || (since != INT32_MIN && since <= r->t->outside_after_wd);
        if (v[k].worker < 0 || !held_that_day)
            continue;
        any = 1;
        if (!strcmp(r->staff[v[k].worker].team, team))
            return 1;
    }
    /* also a team that takes the case over later that same day */
    for (size_t k = 0; k < n; k++)
        if (v[k].from == d && v[k].worker >= 0) {
            any = 1;
            if (!strcmp(r->staff[v[k].worker].team, team))
                return 1;
        }
    return any ? 0 : -1;
}

static cw_rc process_child(run *r, uint32_t ci)
{
    cw_history h;
    hold *holds = NULL;
    size_t nholds = 0, capholds = 0;
    const cw_integrity_thresholds *t = r->t;
    cw_rc rc = cw_casework_history(r->l, r->kids[ci], &h, r->err);
    if (rc)
        return rc;
    pos *ord = calloc(h.n ? h.n : 1, sizeof *ord);
    mark *marks = calloc(h.n ? h.n : 1, sizeof *marks);
    size_t nmarks = 0;
    if (!ord || !marks) {
        rc = cw_error_set(r->err, CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < h.n; i++)
        ord[i] = (pos){h.entries[i].index, i};
    qsort(ord, h.n, sizeof *ord, pos_cmp);

    /* the teams that held the case, from its allocations, transfers and closures */
    for (size_t i = 0; !rc && i < h.n; i++) {
        const cw_history_entry *e = &h.entries[i];
        if (e->index >= r->size ||
            (strcmp(e->type, "case_allocated") && strcmp(e->type, "case_transferred") &&
             strcmp(e->type, "case_closed")))
            continue;
        const char *w = pstr(e->payload, "worker_id");
        int wi = w ? find_staff(r, w) : -1;
        if (cw_array_grow(&holds, &capholds, nholds, sizeof *holds))
            rc = cw_error_set(r->err, CW_ENOMEM, "out of memory");
        else
            holds[nholds++] = (hold){e->date, wi >= 0 ? (int)wi : -1};
    }

    /* entry by entry: recording delays, texts, casework from outside the team */
    for (size_t i = 0; !rc && i < h.n; i++) {
        const cw_history_entry *e = &h.entries[i];
        if (e->index >= r->size || !strcmp(e->type, "escalation_raised"))
            continue;
        int si = find_staff(r, e->actor);
        if (si < 0 || !in_window(r, e->date))
            continue;
        ustat *u = &r->us[si];
        cw_date rec = day_of(e->source_ms);
        int32_t delay = wd(r, e->date, rec);
        if (!not_recording(e->type) && delay != INT32_MIN) {
            if (t->on[CW_INTEGRITY_LATE_RECORDING]) {
                r->out->summary[CW_INTEGRITY_LATE_RECORDING].checked++;
                u->n++;
                if (delay > t->late_after_wd) {
                    u->late++;
                    rc = push(&u->late_list, (item){e->index, ci, delay, e->source_ms});
                }
            }
            if (!rc && t->on[CW_INTEGRITY_BULK_ENTRY]) {
                r->out->summary[CW_INTEGRITY_BULK_ENTRY].checked++;
                if (delay > t->bulk_after_wd)
                    rc = push(&u->bulk_list, (item){e->index, ci, delay, e->source_ms});
            }
        }
        /* completed work's text */
        const char *field = !strcmp(e->type, "assessment_completed") ? "analysis"
                            : !strcmp(e->type, "statutory_visit")    ? "views"
                                                                     : NULL;
        int words = 0;
        uint64_t hsh = field && t->on[CW_INTEGRITY_BOILERPLATE]
                           ? completed_text(e->payload, field, &words)
                           : 0;
        if (!rc && hsh) {
            r->out->summary[CW_INTEGRITY_BOILERPLATE].checked++;
            if (words < t->boilerplate_words)
                rc = push(&u->empty_list, (item){e->index, ci, 0, e->source_ms});
            else
                rc = note_text(r, hsh, e->index, ci, (uint32_t)si);
        }
        /* casework by someone outside the team that holds the case */
        if (!rc && t->on[CW_INTEGRITY_OUTSIDE_TEAM] && !team_neutral(e->type) &&
            team_role(r->staff[si].role)) {
            int held = holding(r, holds, nholds, e->date, r->staff[si].team);
            if (held >= 0)
                r->out->summary[CW_INTEGRITY_OUTSIDE_TEAM].checked++;
            if (held == 0)
                rc = push(&u->outside_list, (item){e->index, ci, 0, e->source_ms});
        }
    }

    /* obligations: what met them, when it was dated, and when it was recorded */
    cw_rule_results_reset(&r->res);
    int rules_ok =
        !rc && !cw_oversight_child(r->l, r->p, r->cal, r->kids[ci], r->o.to, &r->res, NULL);
    for (size_t q = 0; rules_ok && !rc && q < r->res.nobligations; q++) {
        const cw_obligation *ob = &r->res.obligations[q];
        if (!ob->met || ob->state != CW_OBLIGATION_MET_ON_TIME)
            continue;
        const cw_history_entry *e = entry_at(&h, ord, ob->met_by);
        if (!e || e->index >= r->size || !in_window(r, e->date))
            continue;
        int si = find_staff(r, e->actor);
        size_t m = 0;
        while (m < nmarks && marks[m].idx != e->index)
            m++;
        if (m == nmarks) {
            size_t rs = 0;
            while (rs < r->nrules && strcmp(r->rule_ids[rs], ob->rule_id))
                rs++;
            if (rs == r->nrules && r->nrules < CW_RULES_MAX)
                r->rule_ids[r->nrules++] = ob->rule_id;
            marks[nmarks++] = (mark){e->index, 0, rs < CW_RULES_MAX ? rs : CW_RULES_MAX - 1};
        }
        int32_t margin = wd(r, ob->met_on, ob->due);
        if (margin != INT32_MIN && margin >= 0 && margin <= t->cluster_within_wd)
            marks[m].at_due = 1;
        cw_date rec = day_of(e->source_ms);
        char d1[CW_DATE_LEN + 1], d2[CW_DATE_LEN + 1], d3[CW_DATE_LEN + 1];
        if (t->on[CW_INTEGRITY_OVERDUE_HIDDEN]) {
            r->out->summary[CW_INTEGRITY_OVERDUE_HIDDEN].checked++;
            if (rec > add_wd(r, ob->due, t->hidden_after_wd)) {
                cw_integrity_flag *f =
                    flag_new(r, CW_INTEGRITY_OVERDUE_HIDDEN, si >= 0 ? r->staff[si].team : "", &rc);
                if (f) {
                    fmt_date(e->date, d1);
                    fmt_date(ob->due, d2);
                    fmt_date(rec, d3);
                    snprintf(f->explanation, sizeof f->explanation,
                             "%s (%s) is dated %s, on time for its due date %s, but was recorded "
                             "on %s: by the day it was written it was %lld days overdue, and "
                             "no report showed it.",
                             e->type, ob->rule_id, d1, d2, d3, (long long)(rec - ob->due));
                    f->count = rec - ob->due;
                    flag_entry(r, f, e->index, ci);
                    flag_staff(f, e->actor);
                }
            }
        }
        cw_date orig;
        if (!rc && t->on[CW_INTEGRITY_DATE_CORRECTION] && e->original) {
            r->out->summary[CW_INTEGRITY_DATE_CORRECTION].checked++;
            if (pdate(e->original, "date", &orig) && orig != e->date && orig > ob->due &&
                e->date <= ob->due) {
                const cw_history_entry *c =
                    e->ncorrections ? entry_at(&h, ord, e->corrected_by[e->ncorrections - 1])
                                    : NULL;
                const char *who = c ? c->actor : e->actor;
                int ci2 = find_staff(r, who);
                cw_integrity_flag *f = flag_new(r, CW_INTEGRITY_DATE_CORRECTION,
                                                ci2 >= 0 ? r->staff[ci2].team : "", &rc);
                if (f) {
                    fmt_date(orig, d1);
                    fmt_date(e->date, d2);
                    fmt_date(ob->due, d3);
                    snprintf(f->explanation, sizeof f->explanation,
                             "A correction moved the date of %s (%s) from %s to %s. With the "
                             "date first recorded it was met %lld days late (due %s); with the "
                             "corrected date it is on time.",
                             e->type, ob->rule_id, d1, d2, (long long)(orig - ob->due), d3);
                    f->count = orig - ob->due;
                    flag_entry(r, f, e->index, ci);
                    for (size_t k = 0; k < e->ncorrections; k++) {
                        flag_entry(r, f, e->corrected_by[k], ci);
                        const cw_history_entry *ck = entry_at(&h, ord, e->corrected_by[k]);
                        if (ck)
                            flag_staff(f, ck->actor);
                    }
                    flag_staff(f, e->actor);
                    flag_sort_entries(f);
                }
            }
        }
    }
    for (size_t m = 0; !rc && m < nmarks && t->on[CW_INTEGRITY_DEADLINE_CLUSTER]; m++) {
        const cw_history_entry *e = entry_at(&h, ord, marks[m].idx);
        int si = e ? find_staff(r, e->actor) : -1;
        if (si < 0)
            continue;
        r->out->summary[CW_INTEGRITY_DEADLINE_CLUSTER].checked++;
        r->us[si].met++;
        r->met_n[(size_t)si * CW_RULES_MAX + marks[m].rule]++;
        r->met_k[(size_t)si * CW_RULES_MAX + marks[m].rule] += marks[m].at_due != 0;
        if (marks[m].at_due) {
            r->us[si].at_due++;
            rc = push(&r->us[si].due_list, (item){e->index, ci, 0, e->source_ms});
        }
    }
    if (!rc && t->on[CW_INTEGRITY_CLOCK_RESET])
        rc = clock_resets(r, ci, &h);
    if (rc == CW_ENOMEM)
        rc = cw_error_set(r->err, rc, "out of memory");
out:
    free(holds);
    free(ord);
    free(marks);
    cw_casework_history_release(&h);
    return rc;
}

/* ---- comparisons with the team ---- */

typedef struct totals {
    char team[65];
    uint64_t n, k;
} totals;

/*
 * The binomial test of docs/integrity.md: k of n for one member of staff against the rest of
 * their team's share (the council's if the rest of the team has too few), taken as at least
 * MIN_TEAM_RATE. z is how many standard deviations k lies above what that share predicts.
 */
static double zscore(uint64_t k, uint64_t n, uint64_t ok, uint64_t on, double *rate)
{
    double p = on ? (double)ok / (double)on : 0;
    *rate = p;
    if (p < MIN_TEAM_RATE)
        p = MIN_TEAM_RATE;
    if (p > 0.99)
        p = 0.99;
    double sd = sqrt((double)n * p * (1 - p));
    return sd > 0 ? ((double)k - (double)n * p) / sd : 0;
}

static cw_rc rate_flags(run *r, cw_integrity_pattern pat)
{
    const cw_integrity_thresholds *t = r->t;
    totals *tt = calloc(r->nstaff ? r->nstaff : 1, sizeof *tt);
    size_t nt = 0;
    uint64_t all_n = 0, all_k = 0;
    if (!tt)
        return cw_error_set(r->err, CW_ENOMEM, "out of memory");
    int late = pat == CW_INTEGRITY_LATE_RECORDING;
    for (size_t i = 0; i < r->nstaff; i++) {
        uint64_t n = late ? r->us[i].n : r->us[i].met, k = late ? r->us[i].late : r->us[i].at_due;
        size_t j = 0;
        while (j < nt && strcmp(tt[j].team, r->staff[i].team))
            j++;
        if (j == nt)
            memcpy(tt[nt++].team, r->staff[i].team, sizeof tt[0].team);
        tt[j].n += n;
        tt[j].k += k;
        all_n += n;
        all_k += k;
    }
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < r->nstaff; i++) {
        ustat *u = &r->us[i];
        uint64_t n = late ? u->n : u->met, k = late ? u->late : u->at_due;
        int32_t at_least = late ? t->late_at_least : t->cluster_at_least;
        double zmin = late ? t->late_z : t->cluster_z;
        if (!n || k < (uint64_t)at_least)
            continue;
        size_t j = 0;
        while (j < nt && strcmp(tt[j].team, r->staff[i].team))
            j++;
        uint64_t on = tt[j].n - n, ok = tt[j].k - k;
        const char *against = "the rest of the team";
        if (on < MIN_TEAM_ENTRIES || !r->staff[i].team[0]) {
            on = all_n - n;
            ok = all_k - k;
            against = "the rest of the council";
        }
        double base;
        double z = zscore(k, n, ok, on, &base);
        if (z < zmin)
            continue;
        cw_integrity_flag *f = flag_new(r, pat, r->staff[i].team, &rc);
        if (!f)
            continue;
        f->count = (int64_t)k;
        f->of = (int64_t)n;
        f->rate = (double)k / (double)n;
        f->team_rate = base;
        f->z = z;
        if (late)
            snprintf(f->explanation, sizeof f->explanation,
                     "%llu of %llu entries (%.0f%%) were recorded more than %d working days "
                     "after the date they give; %s: %.1f%% (%.1f standard deviations above).",
                     (unsigned long long)k, (unsigned long long)n, 100.0 * f->rate,
                     (int)t->late_after_wd, against, 100.0 * base, z);
        else
            snprintf(f->explanation, sizeof f->explanation,
                     "%llu of %llu pieces of work done on time (%.0f%%) are dated %s their due "
                     "date; %s: %.1f%% (%.1f standard deviations above).",
                     (unsigned long long)k, (unsigned long long)n, 100.0 * f->rate,
                     t->cluster_within_wd ? "on or just before" : "on", against, 100.0 * base, z);
        flag_staff(f, r->staff[i].id);
        const item_list *l = late ? &u->late_list : &u->due_list;
        for (size_t q = 0; q < l->n; q++)
            flag_entry(r, f, l->v[q].idx, l->v[q].child);
        flag_sort_entries(f);
    }
    free(tt);
    return rc;
}

/*
 * Deadline clustering compares like with like: for each kind of work (obligation), the share
 * of the rest of the team's on-time completions dated on the due date (the council's, if the
 * rest of the team did fewer than MIN_TEAM_ENTRIES of that kind; a kind nobody else did is
 * left out), taken as at least MIN_TEAM_RATE. What those shares predict for this member of
 * staff's own mix of work is the expected count; z is how far above it their count lies.
 */
static cw_rc cluster_flags(run *r)
{
    const cw_integrity_thresholds *t = r->t;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < r->nstaff; i++) {
        uint64_t n = 0, k = 0;
        double expect = 0, var = 0;
        const char *against = "the rest of the team";
        for (size_t q = 0; q < r->nrules; q++) {
            uint64_t un = r->met_n[i * CW_RULES_MAX + q], uk = r->met_k[i * CW_RULES_MAX + q];
            if (!un)
                continue;
            uint64_t tn = 0, tk = 0, an = 0, ak = 0;
            for (size_t j = 0; j < r->nstaff; j++) {
                if (j == i)
                    continue;
                an += r->met_n[j * CW_RULES_MAX + q];
                ak += r->met_k[j * CW_RULES_MAX + q];
                if (r->staff[i].team[0] && !strcmp(r->staff[j].team, r->staff[i].team)) {
                    tn += r->met_n[j * CW_RULES_MAX + q];
                    tk += r->met_k[j * CW_RULES_MAX + q];
                }
            }
            if (tn < MIN_TEAM_ENTRIES) {
                tn = an;
                tk = ak;
                against = "the rest of the council";
            }
            if (tn < MIN_TEAM_ENTRIES)
                continue; /* nobody else does this work: nothing to compare with */
            double p = (double)tk / (double)tn;
            if (p < MIN_TEAM_RATE)
                p = MIN_TEAM_RATE;
            n += un;
            k += uk;
            expect += (double)un * p;
            var += (double)un * p * (1 - p);
        }
        if (!n || k < (uint64_t)t->cluster_at_least || var <= 0)
            continue;
        double z = ((double)k - expect) / sqrt(var);
        if (z < t->cluster_z)
            continue;
        cw_integrity_flag *f = flag_new(r, CW_INTEGRITY_DEADLINE_CLUSTER, r->staff[i].team, &rc);
        if (!f)
            continue;
        f->count = (int64_t)k;
        f->of = (int64_t)n;
        f->rate = (double)k / (double)n;
        f->team_rate = expect / (double)n;
        f->z = z;
        snprintf(f->explanation, sizeof f->explanation,
                 "%llu of %llu pieces of work done on time (%.0f%%) are dated %s their due "
                 "date; for the same kinds of work, %s's share predicts %.1f (%.1f%%); this is "
                 "%.1f standard deviations above.",
                 (unsigned long long)k, (unsigned long long)n, 100.0 * f->rate,
                 t->cluster_within_wd ? "on or just before" : "on", against, expect,
                 100.0 * f->team_rate, z);
        flag_staff(f, r->staff[i].id);
        const item_list *l = &r->us[i].due_list;
        for (size_t q = 0; q < l->n; q++)
            flag_entry(r, f, l->v[q].idx, l->v[q].child);
        flag_sort_entries(f);
    }
    return rc;
}

static int item_ms_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->ms != y->ms)
        return (x->ms > y->ms) - (x->ms < y->ms);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static size_t distinct_children(const item *v, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && v[j].child != v[i].child)
            j++;
        d += j == i;
    }
    return d;
}

static cw_rc bulk_flags(run *r)
{
    const cw_integrity_thresholds *t = r->t;
    int64_t span = (int64_t)t->bulk_minutes * 60000;
    cw_rc rc = CW_OK;
    for (size_t s = 0; !rc && s < r->nstaff; s++) {
        item_list *l = &r->us[s].bulk_list;
        if (l->n > 1)
            qsort(l->v, l->n, sizeof *l->v, item_ms_cmp);
        size_t i = 0;
        while (!rc && i < l->n) {
            size_t j = i;
            while (j < l->n && l->v[j].ms - l->v[i].ms <= span)
                j++;
            size_t kids = distinct_children(l->v + i, j - i);
            if (j - i < (size_t)t->bulk_entries || kids < (size_t)t->bulk_children) {
                i++;
                continue;
            }
            /* one sitting: extend while the next entry is within the span of the last */
            while (j < l->n && l->v[j].ms - l->v[j - 1].ms <= span)
                j++;
            kids = distinct_children(l->v + i, j - i);
            cw_integrity_flag *f = flag_new(r, CW_INTEGRITY_BULK_ENTRY, r->staff[s].team, &rc);
            if (f) {
                int32_t lo = INT32_MAX, hi = 0;
                for (size_t q = i; q < j; q++) {
                    lo = l->v[q].delay < lo ? l->v[q].delay : lo;
                    hi = l->v[q].delay > hi ? l->v[q].delay : hi;
                    flag_entry(r, f, l->v[q].idx, l->v[q].child);
                }
                char a[CW_RFC3339_MS_LEN + 1], b[CW_RFC3339_MS_LEN + 1];
                cw_time_format_ms(l->v[i].ms, a);
                cw_time_format_ms(l->v[j - 1].ms, b);
                snprintf(f->explanation, sizeof f->explanation,
                         "%zu entries about %zu children were recorded between %.16s and %.5s "
                         "UTC, each %d to %d working days after the date it gives.",
                         j - i, kids, a, b + 11, (int)lo, (int)hi);
                f->count = (int64_t)(j - i);
                f->of = (int64_t)kids;
                flag_staff(f, r->staff[s].id);
                flag_sort_entries(f);
            }
            i = j;
        }
    }
    return rc;
}

static cw_rc text_flags(run *r)
{
    const cw_integrity_thresholds *t = r->t;
    cw_rc rc = CW_OK;
    /* pasted: the same text for boilerplate_children children or more */
    for (size_t j = 0; !rc && j < r->capslots; j++) {
        tslot *s = &r->slots[j];
        if (!s->hash || s->nchildren < (uint32_t)t->boilerplate_children)
            continue;
        cw_integrity_flag *f =
            flag_new(r, CW_INTEGRITY_BOILERPLATE, r->staff[s->first_staff].team, &rc);
        if (!f)
            continue;
        flag_entry(r, f, s->first_idx, s->first_child);
        flag_staff(f, r->staff[s->first_staff].id);
        for (size_t k = 0; k < r->repeats.n; k++)
            if (r->repeats.v[k].slot == j) {
                flag_entry(r, f, r->repeats.v[k].idx, r->repeats.v[k].child);
                flag_staff(f, r->staff[r->repeats.v[k].staff].id);
            }
        f->count = (int64_t)f->entries_total;
        f->of = s->nchildren;
        snprintf(f->explanation, sizeof f->explanation,
                 "The same text (compared by a fingerprint of its words; the text is not kept) "
                 "completes %llu pieces of work for %u different children.",
                 (unsigned long long)f->entries_total, (unsigned)s->nchildren);
        flag_sort_entries(f);
    }
    /* empty: fewer than boilerplate_words words, per member of staff */
    for (size_t s = 0; !rc && s < r->nstaff; s++) {
        item_list *l = &r->us[s].empty_list;
        if (!l->n)
            continue;
        cw_integrity_flag *f = flag_new(r, CW_INTEGRITY_BOILERPLATE, r->staff[s].team, &rc);
        if (!f)
            continue;
        for (size_t q = 0; q < l->n; q++)
            flag_entry(r, f, l->v[q].idx, l->v[q].child);
        f->count = (int64_t)l->n;
        snprintf(f->explanation, sizeof f->explanation,
                 "%zu pieces of work were completed with fewer than %d words (an assessment's "
                 "analysis, or the child's views on a visit).",
                 l->n, (int)t->boilerplate_words);
        flag_staff(f, r->staff[s].id);
        flag_sort_entries(f);
    }
    return rc;
}

static cw_rc outside_flags(run *r)
{
    cw_rc rc = CW_OK;
    for (size_t s = 0; !rc && s < r->nstaff; s++) {
        item_list *l = &r->us[s].outside_list;
        if (!l->n)
            continue;
        cw_integrity_flag *f = flag_new(r, CW_INTEGRITY_OUTSIDE_TEAM, r->staff[s].team, &rc);
        if (!f)
            continue;
        for (size_t q = 0; q < l->n; q++)
            flag_entry(r, f, l->v[q].idx, l->v[q].child);
        f->count = (int64_t)l->n;
        f->of = (int64_t)f->nchildren;
        snprintf(f->explanation, sizeof f->explanation,
                 "%zu entries about %zu children whose cases were held by another team "
                 "(this member of staff's team: %s).",
                 l->n, f->nchildren, r->staff[s].team[0] ? r->staff[s].team : "none");
        flag_staff(f, r->staff[s].id);
        flag_sort_entries(f);
    }
    return rc;
}

/* ---- the run ---- */

void cw_integrity_report_init(cw_integrity_report *r)
{
    memset(r, 0, sizeof *r);
    r->checkpoint = (cw_buf)CW_BUF_INIT(64 * 1024);
}

void cw_integrity_report_release(cw_integrity_report *r)
{
    for (size_t i = 0; i < r->nflags; i++) {
        free(r->flags[i].staff);
        free(r->flags[i].children);
    }
    free(r->flags);
    cw_buf_release(&r->checkpoint);
    r->flags = NULL;
    r->nflags = r->cap = 0;
}

static int flag_order(const void *a, const void *b)
{
    const cw_integrity_flag *x = a, *y = b;
    if (x->pattern != y->pattern)
        return (int)x->pattern - (int)y->pattern;
    int c = strcmp(x->team, y->team);
    if (c)
        return c;
    c = strcmp(x->nstaff ? x->staff[0] : "", y->nstaff ? y->staff[0] : "");
    if (c)
        return c;
    uint64_t i = x->nentries ? x->entries[0] : 0, j = y->nentries ? y->entries[0] : 0;
    return (i > j) - (i < j);
}

cw_rc cw_integrity_run(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                       const cw_integrity_opts *o, cw_integrity_report *out, cw_error *err)
{
    if (o->from > o->to)
        return cw_error_set(err, CW_EINVAL, "from: %s", "must not be after to");
    run r;
    memset(&r, 0, sizeof r);
    r.l = l;
    r.p = p;
    r.cal = cal;
    r.t = cw_rules_integrity(p);
    r.o = *o;
    r.out = out;
    r.err = err;
    out->from = o->from;
    out->to = o->to;
    snprintf(out->team, sizeof out->team, "%s", o->team ? o->team : "");
    for (int k = 0; k < CW_INTEGRITY_NPATTERNS; k++)
        out->summary[k].on = r.t->on[k];
    cw_rule_results_init(&r.res);
    cw_rule_results_init(&r.tmp);
    r.spare.staff = calloc(CW_INTEGRITY_MAX_LISTED, sizeof *r.spare.staff);
    r.spare.children = calloc(CW_INTEGRITY_MAX_LISTED, sizeof *r.spare.children);
    if (!r.spare.staff || !r.spare.children) {
        free(r.spare.staff);
        free(r.spare.children);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    cw_store *s = cw_ledger_store(l);
    /* One read transaction: the checkpoint, the staff, the children and every history of the
     * same moment, whatever a server appends meanwhile. */
    cw_rc rc = cw_store_begin_read(s, err);
    if (rc)
        return rc;
    if (!rc)
        rc = cw_casework_current(l, err);
    if (!rc)
        rc = cw_ledger_checkpoint(l, &out->checkpoint, &r.size, err);
    out->log_size = r.size;
    if (!rc &&
        (rc = cw_store_run(s, CW_Q_STAFF_ALL, NULL, 0, staff_rowfn, &r, NULL, err)) == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    if (!rc) {
        if (r.nstaff > 1)
            qsort(r.staff, r.nstaff, sizeof *r.staff, staff_cmp);
        r.us = calloc(r.nstaff ? r.nstaff : 1, sizeof *r.us);
        r.met_n = calloc((r.nstaff ? r.nstaff : 1) * CW_RULES_MAX, sizeof *r.met_n);
        r.met_k = calloc((r.nstaff ? r.nstaff : 1) * CW_RULES_MAX, sizeof *r.met_k);
        if (!r.us || !r.met_n || !r.met_k)
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    if (!rc &&
        (rc = cw_store_run(s, CW_Q_CHILDREN_ALL, NULL, 0, kid_rowfn, &r, NULL, err)) == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    for (size_t i = 0; !rc && i < r.nkids; i++)
        rc = process_child(&r, (uint32_t)i);
    if (!rc && r.t->on[CW_INTEGRITY_LATE_RECORDING])
        rc = rate_flags(&r, CW_INTEGRITY_LATE_RECORDING);
    if (!rc && r.t->on[CW_INTEGRITY_DEADLINE_CLUSTER])
        rc = cluster_flags(&r);
    if (!rc && r.t->on[CW_INTEGRITY_BULK_ENTRY])
        rc = bulk_flags(&r);
    if (!rc && r.t->on[CW_INTEGRITY_BOILERPLATE])
        rc = text_flags(&r);
    if (!rc && r.t->on[CW_INTEGRITY_OUTSIDE_TEAM])
        rc = outside_flags(&r);
    if (rc == CW_ENOMEM && !err->msg[0])
        rc = cw_error_set(err, rc, "out of memory");
    cw_store_rollback(s);
    if (!rc && out->nflags > 1)
        qsort(out->flags, out->nflags, sizeof *out->flags, flag_order);
    for (size_t i = 0; r.us && i < r.nstaff; i++) {
        free(r.us[i].late_list.v);
        free(r.us[i].due_list.v);
        free(r.us[i].bulk_list.v);
        free(r.us[i].empty_list.v);
        free(r.us[i].outside_list.v);
    }
    free(r.us);
    free(r.met_n);
    free(r.met_k);
    free(r.staff);
    free(r.kids);
    free(r.slots);
    free(r.repeats.v);
    cw_rule_results_release(&r.res);
    cw_rule_results_release(&r.tmp);
    free(r.spare.staff);
    free(r.spare.children);
    return rc;
}

/* ---- output ---- */

static json_t *names(char (*v)[65], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

cw_rc cw_integrity_json(const cw_integrity_report *r, json_t **out)
{
    char from[CW_DATE_LEN + 1], to[CW_DATE_LEN + 1];
    fmt_date(r->from, from);
    fmt_date(r->to, to);
    json_t *flags = json_array(), *summary = json_object();
    for (size_t i = 0; flags && i < r->nflags; i++) {
        const cw_integrity_flag *f = &r->flags[i];
        json_t *entries = json_array(), *entry_children = json_array();
        for (size_t k = 0; entries && entry_children && k < f->nentries; k++) {
            int c = f->entry_child[k];
            json_array_append_new(entries, json_integer((json_int_t)f->entries[k]));
            json_array_append_new(entry_children, c >= 0 && (size_t)c < f->nchildren
                                                      ? json_string(f->children[c])
                                                      : json_null());
        }
        json_t *fig = json_object();
        if (fig && f->count >= 0)
            json_object_set_new(fig, "count", json_integer(f->count));
        if (fig && f->of >= 0)
            json_object_set_new(fig, "of", json_integer(f->of));
        if (fig && f->rate >= 0)
            json_object_set_new(fig, "rate", json_real(round(f->rate * 10000) / 10000));
        if (fig && f->team_rate >= 0)
            json_object_set_new(fig, "team_rate", json_real(round(f->team_rate * 10000) / 10000));
        if (fig && f->z >= 0)
            json_object_set_new(fig, "z", json_real(round(f->z * 100) / 100));
        json_array_append_new(flags, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:o}",
                                               "pattern", cw_integrity_pattern_id(f->pattern),
                                               "title", cw_integrity_pattern_title(f->pattern),
                                               "team", f->team, "explanation", f->explanation,
                                               "staff", names(f->staff, f->nstaff), "children",
                                               names(f->children, f->nchildren), "entries", entries,
                                               "entry_children", entry_children, "entries_total",
                                               (json_int_t)f->entries_total, "figures", fig));
    }
    for (int k = 0; summary && k < CW_INTEGRITY_NPATTERNS; k++) {
        const cw_integrity_summary *s = &r->summary[k];
        json_object_set_new(summary, cw_integrity_pattern_id((cw_integrity_pattern)k),
                            json_pack("{s:s, s:b, s:I, s:I, s:I, s:I}", "title",
                                      cw_integrity_pattern_title((cw_integrity_pattern)k),
                                      "looked_for", s->on, "checked", (json_int_t)s->checked,
                                      "flags", (json_int_t)s->flags, "listed",
                                      (json_int_t)s->listed, "entries", (json_int_t)s->entries));
    }
    json_t *cp = json_pack("{s:I, s:s#}", "size", (json_int_t)r->log_size, "note",
                           r->checkpoint.data ? r->checkpoint.data : "",
                           r->checkpoint.data ? r->checkpoint.len : (size_t)0);
    json_t *team = r->team[0] ? json_string(r->team) : json_null();
    if (!flags || !summary || !cp || !team) {
        json_decref(flags);
        json_decref(summary);
        json_decref(cp);
        json_decref(team);
        return CW_ENOMEM;
    }
    *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "from", from, "to", to, "team", team,
                     "checkpoint", cp, "flags", flags, "summary", summary);
    return *out ? CW_OK : CW_ENOMEM;
}

cw_rc cw_integrity_text(const cw_integrity_report *r, cw_buf *out)
{
    char from[CW_DATE_LEN + 1], to[CW_DATE_LEN + 1];
    char line[1400];
    fmt_date(r->from, from);
    fmt_date(r->to, to);
    cw_rc rc = CW_OK;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        snprintf(line, sizeof line, __VA_ARGS__);                                                  \
        if (!rc)                                                                                   \
            rc = cw_buf_addstr(out, line);                                                         \
    } while (0)
    OUT("Integrity analytics: entries dated %s to %s%s%s, the log at its checkpoint of %llu "
        "entries\n\n",
        from, to, r->team[0] ? ", team " : "", r->team, (unsigned long long)r->log_size);
    OUT("%-22s %10s %6s %8s\n", "pattern", "checked", "flags", "entries");
    for (int k = 0; k < CW_INTEGRITY_NPATTERNS; k++) {
        const cw_integrity_summary *s = &r->summary[k];
        if (s->on)
            OUT("%-22s %10llu %6llu %8llu\n", cw_integrity_pattern_id((cw_integrity_pattern)k),
                (unsigned long long)s->checked, (unsigned long long)s->flags,
                (unsigned long long)s->entries);
        else
            OUT("%-22s %10s\n", cw_integrity_pattern_id((cw_integrity_pattern)k),
                "not looked for (no threshold in the rule pack)");
    }
    uint64_t all = 0;
    for (int k = 0; k < CW_INTEGRITY_NPATTERNS; k++)
        all += r->summary[k].flags;
    OUT("\n%llu flag%s", (unsigned long long)all, all == 1 ? "" : "s");
    if (all > r->nflags)
        OUT(" (the first %d of each pattern listed, %zu in all)", CW_INTEGRITY_MAX_FLAGS,
            r->nflags);
    OUT("\n");
    for (size_t i = 0; i < r->nflags; i++) {
        const cw_integrity_flag *f = &r->flags[i];
        OUT("\n%zu. %s (%s), team %s\n   %s\n", i + 1, cw_integrity_pattern_title(f->pattern),
            cw_integrity_pattern_id(f->pattern), f->team[0] ? f->team : "none", f->explanation);
        OUT("   staff:");
        for (size_t k = 0; k < f->nstaff; k++)
            OUT(" %s", f->staff[k]);
        OUT("\n   children:");
        for (size_t k = 0; k < f->nchildren; k++)
            OUT(" %s", f->children[k]);
        OUT("\n   entries:");
        for (size_t k = 0; k < f->nentries; k++)
            OUT(" %llu", (unsigned long long)f->entries[k]);
        if (f->entries_total > f->nentries)
            OUT(" (and %llu more)", (unsigned long long)(f->entries_total - f->nentries));
        OUT("\n");
    }
#undef OUT
    return rc;
}
