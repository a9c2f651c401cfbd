/*
 * parse.c — the measures-file loader: text in, checked definitions out, or
 * "source:line: problem" and nothing. The format is docs/measures.md; in
 * brief, one directive per line, '#' comments and blank lines ignored:
 *
 *   measures NAME                  first: the rule pack these belong to
 *   description TEXT
 *   description_cy TEXT            the description in Welsh (optional)
 *   state ID                       a state a child is in (on the register...)
 *     title TEXT | title_cy TEXT   (title_cy: the title in Welsh, optional)
 *     from EVENT [COND...]         (1 to 8) begins it, unless already in it
 *     to EVENT [COND...]           (1 to 8) ends it
 *   measure ID                     a measure, its id as published (PM24)
 *     title TEXT | title_cy TEXT | unit percent|days | source TEXT
 *     count obligations RULE met|due|started
 *     count events EVENT [COND...]
 *     count spans STATE ended|started
 *     count children STATE at end|during
 *     numerator on_time|late|overdue|missed|ended_by_closure|open[,...]
 *     count events EVENT [COND...] or EVENT [COND...]   (up to 4 types)
 *     numerator after EVENT [COND...] within N UNIT | numerator after EVENT [COND...] ever
 *     numerator where COND...      (events: the counted event itself matches)
 *     child COND...                only the children whose registration matches
 *     numerator lasting N UNIT
 *     numerator events EVENT [COND...] in period [at least N]
 *     numerator [not] STATE at end
 *
 * Every obligation rule of the pack then becomes a measure of its own (due in
 * the period; numerator on time), after the file's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measures/measures_int.h"
#include "util/sha256.h"
#include "util/directives.h"

#define MAX_WORDS 64

/* Embedded at build time from rules/wales.measures and rules/england.measures. */
extern const char cw_measures_wales[];
extern const char cw_measures_england[];
extern const char cw_calendar_england_and_wales[];

typedef struct parser {
    cw_measure_set *m;
    const char *source;
    cw_error *err;
    size_t line;
    mstate *state;   /* the state being read, or NULL */
    cw_measure *cur; /* the measure being read, or NULL */
    int seen_title, seen_title_cy, seen_unit, seen_source, seen_count, seen_num;
    size_t cap;
} parser;

static cw_rc fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static cw_rc fail(parser *ps, const char *fmt, ...)
{
    char msg[CW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: %s", ps->source, ps->line, msg);
}

static int is_id(const char *s, int upper_ok)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              (upper_ok && ((*c >= 'A' && *c <= 'Z') || *c == '.' || *c == '-'))))
            return 0;
    return 1;
}

static cw_rc number(parser *ps, const char *s, int64_t max, int32_t *out)
{
    char msg[CW_ERROR_MSG_MAX];
    return cw_rules_read_number(s, max, out, msg, sizeof msg) ? fail(ps, "%s", msg) : CW_OK;
}

/* "N UNIT" at w[*i] (at least 1); advances *i past it. */
static cw_rc interval(parser *ps, char **w, size_t nw, size_t *i, cw_interval *iv)
{
    char msg[CW_ERROR_MSG_MAX];
    return cw_rules_read_interval(w, nw, i, 0, iv, msg, sizeof msg) ? fail(ps, "%s", msg) : CW_OK;
}

/* EVENT [COND...] at w[*i], up to a word in stop (NULL-terminated) or the end. */
static cw_rc match(parser *ps, char **w, size_t nw, size_t *i, const char *const *stop, mmatch *out)
{
    memset(out, 0, sizeof *out);
    if (*i >= nw)
        return fail(ps, "expected an event type");
    const char *type = w[(*i)++];
    int t = cw_rules_type_find(type);
    if (t < 0)
        return fail(ps,
                    cw_rules_type_is_organisation(type)
                        ? "%s is an organisation event, never in a child's history"
                        : "unknown event type \"%s\"",
                    type);
    out->type = cw_rules_types[t].name;
    for (; *i < nw; (*i)++) {
        int stopped = 0;
        for (const char *const *s = stop; s && *s && !stopped; s++)
            stopped = !strcmp(w[*i], *s);
        if (stopped)
            break;
        char *tok = w[*i], *eq = strchr(tok, '=');
        if (!eq)
            return fail(ps, "\"%s\" is not a condition (field=value, field!=value, field=*)", tok);
        if (out->nconds >= CW_MEASURES_MAX_CONDS)
            return fail(ps, "more than %d conditions", CW_MEASURES_MAX_CONDS);
        mcond *c = &out->conds[out->nconds];
        cw_cond_op op = CW_OP_EQ;
        char *fend = eq;
        if (eq > tok && eq[-1] == '!')
            op = CW_OP_NE, fend = eq - 1;
        *fend = '\0';
        char *val = eq + 1;
        int inherited;
        const cw_ev_field *def = *tok ? cw_rules_field_find(t, tok, &inherited) : NULL;
        if (!def)
            return fail(ps, "%s has no field \"%s\"", type, tok);
        if (inherited || def->computed != CW_FC_NONE)
            return fail(ps, "%s.%s: a measure reads an event's own recorded fields only", type,
                        tok);
        c->field = def->name;
        c->def = def;
        if (!strcmp(val, "*")) {
            c->op = op == CW_OP_EQ ? CW_OP_PRESENT : CW_OP_ABSENT;
            out->nconds++;
            continue;
        }
        c->op = op;
        if (def->type != CW_FT_BOOL && def->type != CW_FT_ENUM && def->type != CW_FT_INT)
            return fail(ps,
                        "%s.%s is not a yes/no, a choice or a number: test it with %s=* or %s!=*",
                        type, tok, tok, tok);
        for (char *v = val;;) {
            char *comma = strchr(v, ',');
            if (comma)
                *comma = '\0';
            if (!*v)
                return fail(ps, "%s: an empty value", tok);
            if (c->nvalues >= CW_MEASURES_MAX_VALUES)
                return fail(ps, "%s: more than %d values", tok, CW_MEASURES_MAX_VALUES);
            int64_t iv = 0;
            if (def->type == CW_FT_BOOL) {
                if (strcmp(v, "true") && strcmp(v, "false"))
                    return fail(ps, "%s.%s is true or false, not \"%s\"", type, tok, v);
                iv = !strcmp(v, "true");
            } else if (def->type == CW_FT_ENUM) {
                int ok = 0;
                for (const char *const *e = def->values; *e && !ok; e++)
                    ok = !strcmp(*e, v);
                if (!ok)
                    return fail(ps, "\"%s\" is not a value of %s.%s", v, type, tok);
            } else {
                int neg = *v == '-';
                uint64_t u;
                if (cw_parse_u64(v + neg, strlen(v + neg), &u) || u > INT32_MAX)
                    return fail(ps, "%s: \"%s\" is not a number", tok, v);
                iv = neg ? -(int64_t)u : (int64_t)u;
            }
            c->values[c->nvalues] = v;
            c->ivalues[c->nvalues++] = iv;
            if (!comma)
                break;
            v = comma + 1;
        }
        out->nconds++;
    }
    return CW_OK;
}

/*
 * The conditions of src, read against event type `type` instead (a `where` numerator over
 * several counted types): each field must be the type's own recorded field, of the same kind,
 * and each value one it allows. The values point into the file's text, as src's do.
 */
static cw_rc retarget(parser *ps, const mmatch *src, const char *type, mmatch *out)
{
    int t = cw_rules_type_find(type);
    *out = *src;
    out->type = cw_rules_types[t].name;
    for (int k = 0; k < out->nconds; k++) {
        mcond *c = &out->conds[k];
        int inherited;
        const cw_ev_field *def = cw_rules_field_find(t, c->field, &inherited);
        if (!def)
            return fail(ps, "%s has no field \"%s\"", type, c->field);
        if (inherited || def->computed != CW_FC_NONE)
            return fail(ps, "%s.%s: a measure reads an event's own recorded fields only", type,
                        c->field);
        if (def->type != c->def->type)
            return fail(ps, "%s.%s and %s.%s are not the same kind of field", src->type, c->field,
                        type, c->field);
        for (int v = 0; def->type == CW_FT_ENUM && v < c->nvalues; v++) {
            int ok = 0;
            for (const char *const *e = def->values; *e && !ok; e++)
                ok = !strcmp(*e, c->values[v]);
            if (!ok)
                return fail(ps, "\"%s\" is not a value of %s.%s", c->values[v], type, c->field);
        }
        c->field = def->name;
        c->def = def;
    }
    return CW_OK;
}

static int find_state(const cw_measure_set *m, const char *id)
{
    for (size_t i = 0; i < m->nstates; i++)
        if (!strcmp(m->states[i].id, id))
            return (int)i;
    return -1;
}

static cw_rc state_ref(parser *ps, const char *id, int *out)
{
    *out = find_state(ps->m, id);
    if (*out < 0)
        return fail(ps, "no state \"%s\" is defined above this line", id);
    return CW_OK;
}

static cw_rc kw_count(parser *ps, char **w, size_t nw)
{
    cw_measure *me = ps->cur;
    if (ps->seen_count++)
        return fail(ps, "a second count line");
    if (nw < 2)
        return fail(ps, "count: expected obligations, events, spans or children");
    const char *what = w[0];
    size_t i = 1;
    cw_rc rc;
    if (!strcmp(what, "obligations")) {
        me->count = MC_OBLIGATIONS;
        const cw_rule *r = NULL;
        for (size_t k = 0; k < ps->m->pack->nrules && !r; k++)
            if (!strcmp(ps->m->pack->rules[k].id, w[1]))
                r = &ps->m->pack->rules[k];
        if (!r)
            return fail(ps, "the %s pack has no rule \"%s\"", ps->m->pack->name, w[1]);
        if (r->kind != CW_KIND_OBLIGATION)
            return fail(ps, "%s is a signal, not an obligation: it has no due dates to count",
                        w[1]);
        me->rule = r;
        if (nw != 3 || (strcmp(w[2], "met") && strcmp(w[2], "due") && strcmp(w[2], "started")))
            return fail(ps, "count obligations %s: then met, due or started", w[1]);
        me->anchor = !strcmp(w[2], "met") ? MA_MET : !strcmp(w[2], "due") ? MA_DUE : MA_STARTED;
        snprintf(me->counted, sizeof me->counted, "occurrences of rule %s %s in the period", w[1],
                 w[2]);
        return CW_OK;
    }
    if (!strcmp(what, "events")) {
        static const char *const stop[] = {"or", NULL};
        me->count = MC_EVENTS;
        char types[200] = "";
        for (;;) {
            if (me->nevent >= CW_MEASURES_MAX_TYPES)
                return fail(ps, "count events: more than %d event types", CW_MEASURES_MAX_TYPES);
            mmatch *ev = &me->event[me->nevent];
            if ((rc = match(ps, w, nw, &i, stop, ev)))
                return rc;
            for (int k = 0; k < me->nevent; k++)
                if (!strcmp(me->event[k].type, ev->type))
                    return fail(ps, "count events: %s twice", ev->type);
            size_t used = strlen(types);
            snprintf(types + used, sizeof types - used, "%s%s", me->nevent ? " or " : "", ev->type);
            me->nevent++;
            if (i == nw)
                break;
            i++; /* past "or" */
        }
        snprintf(me->counted, sizeof me->counted, "%s events dated in the period", types);
        return CW_OK;
    }
    if (!strcmp(what, "spans")) {
        me->count = MC_SPANS;
        if ((rc = state_ref(ps, w[1], &me->state)))
            return rc;
        if (nw != 3 || (strcmp(w[2], "ended") && strcmp(w[2], "started")))
            return fail(ps, "count spans %s: then ended or started", w[1]);
        me->anchor = !strcmp(w[2], "ended") ? MA_ENDED : MA_STARTED;
        snprintf(me->counted, sizeof me->counted, "periods %s (%s) %s in the period", w[1],
                 ps->m->states[me->state].title, w[2]);
        return CW_OK;
    }
    if (!strcmp(what, "children")) {
        me->count = MC_CHILDREN;
        if ((rc = state_ref(ps, w[1], &me->state)))
            return rc;
        if (nw == 4 && !strcmp(w[2], "at") && !strcmp(w[3], "end"))
            me->anchor = MA_AT_END;
        else if (nw == 3 && !strcmp(w[2], "during"))
            me->anchor = MA_DURING;
        else
            return fail(ps, "count children %s: then \"at end\" or \"during\"", w[1]);
        snprintf(me->counted, sizeof me->counted, "children %s (%s) %s", w[1],
                 ps->m->states[me->state].title,
                 me->anchor == MA_AT_END ? "on the last day of the period"
                                         : "at any time in the period");
        return CW_OK;
    }
    return fail(ps, "count: \"%s\" is not obligations, events, spans or children", what);
}

static const struct {
    const char *name;
    unsigned bit;
} state_words[] = {{"on_time", MS_ON_TIME},
                   {"late", MS_LATE},
                   {"overdue", MS_OVERDUE},
                   {"missed", MS_MISSED},
                   {"ended_by_closure", MS_ENDED_BY_CLOSURE},
                   {"open", MS_OPEN},
                   {NULL, 0}};

static cw_rc kw_numerator(parser *ps, char **w, size_t nw, const char *rest)
{
    cw_measure *me = ps->cur;
    if (!ps->seen_count)
        return fail(ps, "numerator: the count line comes first");
    if (ps->seen_num++)
        return fail(ps, "a second numerator line");
    size_t nl =
        strlen(rest) < sizeof me->numerator_text - 1 ? strlen(rest) : sizeof me->numerator_text - 1;
    memcpy(me->numerator_text, rest, nl);
    me->numerator_text[nl] = '\0';
    size_t i = 1;
    cw_rc rc;
    if (nw < 1)
        return fail(ps, "numerator: what counts?");
    switch (me->count) {
    case MC_OBLIGATIONS:
        me->num = MN_STATES;
        for (char *v = w[0];;) {
            char *comma = strchr(v, ',');
            if (comma)
                *comma = '\0';
            unsigned bit = 0;
            for (size_t k = 0; state_words[k].name && !bit; k++)
                if (!strcmp(state_words[k].name, v))
                    bit = state_words[k].bit;
            if (!bit)
                return fail(ps,
                            "\"%s\" is not a state (on_time, late, overdue, missed, "
                            "ended_by_closure, open)",
                            v);
            me->states_mask |= bit;
            if (!comma)
                break;
            v = comma + 1;
        }
        return nw == 1 ? CW_OK : fail(ps, "numerator: one list of states, no spaces");
    case MC_EVENTS: {
        static const char *const stop[] = {"within", "ever", NULL};
        if (!strcmp(w[0], "where")) {
            me->num = MN_WHERE;
            if (nw < 2)
                return fail(ps, "numerator: where COND...: at least one condition");
            /* The conditions are read against the first type counted, then each other. */
            char type[64];
            snprintf(type, sizeof type, "%s", me->event[0].type);
            w[0] = type;
            i = 0;
            if ((rc = match(ps, w, nw, &i, NULL, &me->where[0])))
                return rc;
            for (int k = 1; k < me->nevent; k++)
                if ((rc = retarget(ps, &me->where[0], me->event[k].type, &me->where[k])))
                    return rc;
            return CW_OK;
        }
        if (strcmp(w[0], "after"))
            return fail(ps, "numerator for events: after EVENT [COND...] within N UNIT, or ever, "
                            "or where COND...");
        me->num = MN_AFTER;
        if ((rc = match(ps, w, nw, &i, stop, &me->other)))
            return rc;
        if (i < nw && !strcmp(w[i], "ever") && i + 1 == nw) {
            me->ever = 1;
            return CW_OK;
        }
        if (i >= nw || strcmp(w[i], "within"))
            return fail(ps, "numerator: after %s: then within N UNIT, or ever", me->other.type);
        i++;
        if ((rc = interval(ps, w, nw, &i, &me->within)))
            return rc;
        return i == nw ? CW_OK : fail(ps, "numerator: \"%s\" after the interval", w[i]);
    }
    case MC_SPANS:
        if (strcmp(w[0], "lasting"))
            return fail(ps, "numerator for spans: lasting N UNIT");
        me->num = MN_LASTING;
        if ((rc = interval(ps, w, nw, &i, &me->within)))
            return rc;
        return i == nw ? CW_OK : fail(ps, "numerator: \"%s\" after the interval", w[i]);
    case MC_CHILDREN:
        if (!strcmp(w[0], "events")) {
            static const char *const stop[] = {"in", NULL};
            me->num = MN_EVENTS;
            me->at_least = 1;
            if ((rc = match(ps, w, nw, &i, stop, &me->other)))
                return rc;
            if (i + 1 >= nw || strcmp(w[i], "in") || strcmp(w[i + 1], "period"))
                return fail(ps, "numerator: events %s: then \"in period\"", me->other.type);
            i += 2;
            if (i == nw)
                return CW_OK;
            if (i + 3 != nw || strcmp(w[i], "at") || strcmp(w[i + 1], "least"))
                return fail(ps, "numerator: after \"in period\", only \"at least N\"");
            if ((rc = number(ps, w[i + 2], 1000, &me->at_least)))
                return rc;
            return me->at_least >= 1 ? CW_OK : fail(ps, "at least 0 is every child");
        }
        me->num = MN_IN_STATE;
        i = 0;
        if (!strcmp(w[0], "not")) {
            me->num = MN_NOT_IN_STATE;
            i = 1;
        }
        if (i + 3 != nw || strcmp(w[i + 1], "at") || strcmp(w[i + 2], "end"))
            return fail(ps, "numerator for children: events EVENT ... in period, or [not] STATE "
                            "at end");
        return state_ref(ps, w[i], &me->other_state);
    }
    return fail(ps, "numerator: not understood");
}

/*
 * child COND...: the measure counts only the children whose registration (child_registered, as
 * corrected) meets every condition, such as language=welsh. Its fields are facts, like any
 * condition's: a choice, a yes/no, or a text's presence (field=*), never what a text says.
 */
static cw_rc kw_child(parser *ps, char **w, size_t nw, const char *rest)
{
    cw_measure *me = ps->cur;
    if (me->has_child)
        return fail(ps, "a second child line");
    if (nw < 1)
        return fail(ps, "child: at least one condition on the child's registration "
                        "(language=welsh)");
    if (nw >= MAX_WORDS)
        return fail(ps, "more than %d words", MAX_WORDS - 1);
    char type[] = "child_registered";
    char *cw[MAX_WORDS];
    cw[0] = type;
    memcpy(cw + 1, w, nw * sizeof *w);
    size_t i = 0;
    cw_rc rc = match(ps, cw, nw + 1, &i, NULL, &me->child);
    if (rc)
        return rc;
    me->has_child = 1;
    snprintf(me->child_text, sizeof me->child_text, "%s", rest);
    return CW_OK;
}

static cw_rc finish(parser *ps)
{
    if (ps->state) {
        mstate *s = ps->state;
        ps->state = NULL;
        if (!s->title || !s->nfrom || !s->nto) {
            ps->line = s->line;
            return fail(ps, "state %s needs a title, a from line and a to line", s->id);
        }
    }
    if (ps->cur) {
        cw_measure *me = ps->cur;
        ps->cur = NULL;
        size_t at = ps->line;
        ps->line = me->line;
        if (!ps->seen_title || !ps->seen_unit || !ps->seen_source || !ps->seen_count)
            return fail(ps, "measure %s needs a title, a unit, a source and a count line", me->id);
        if (!strcmp(me->unit, "days")) {
            if (me->count != MC_SPANS || ps->seen_num)
                return fail(ps,
                            "measure %s: a unit of days is the mean length of spans, with no "
                            "numerator line",
                            me->id);
            me->num = MN_MEAN_DAYS;
            snprintf(me->numerator_text, sizeof me->numerator_text,
                     "the days from the start of each to its end, added up");
        } else if (!ps->seen_num) {
            return fail(ps, "measure %s: a percentage or a count needs a numerator line", me->id);
        }
        if (me->has_child) {
            size_t used = strlen(me->counted);
            snprintf(me->counted + used, sizeof me->counted - used,
                     ", of the children whose registration has %s", me->child_text);
        }
        ps->line = at;
    }
    return CW_OK;
}

static cw_rc text_of(parser *ps, const char *what, const char *rest, int *seen, const char **out)
{
    if ((*seen)++)
        return fail(ps, "a second %s line", what);
    if (!*rest)
        return fail(ps, "%s: empty", what);
    if (strlen(rest) > CW_MEASURES_MAX_TEXT)
        return fail(ps, "%s: longer than %d bytes", what, CW_MEASURES_MAX_TEXT);
    *out = rest;
    return CW_OK;
}

/* target N higher|lower: N a number with at most one decimal place, in the measure's unit. */
static cw_rc kw_target(parser *ps, char **w, size_t nw)
{
    cw_measure *me = ps->cur;
    if (me->has_target)
        return fail(ps, "a second target line");
    if (nw != 2 || (strcmp(w[1], "higher") && strcmp(w[1], "lower")))
        return fail(ps, "target: a value, then higher or lower (which way is better)");
    const char *v = w[0], *dot = strchr(v, '.');
    uint64_t whole = 0, tenth = 0;
    size_t wl = dot ? (size_t)(dot - v) : strlen(v);
    if (!wl || cw_parse_u64(v, wl, &whole) || whole > 1000000 ||
        (dot && (strlen(dot + 1) != 1 || cw_parse_u64(dot + 1, 1, &tenth))))
        return fail(ps, "target: \"%s\" is not a number with at most one decimal place", v);
    me->has_target = 1;
    me->target_tenths = (int64_t)(whole * 10 + tenth);
    me->higher_is_better = !strcmp(w[1], "higher");
    return CW_OK;
}

/* Splits rest into words in place. */
static cw_rc words(parser *ps, char *rest, char **w, size_t *nw)
{
    *nw = 0;
    for (char *s = rest; *s;) {
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        if (!*s)
            break;
        if (*nw >= MAX_WORDS)
            return fail(ps, "more than %d words", MAX_WORDS);
        w[(*nw)++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return CW_OK;
}

static cw_rc grow(parser *ps)
{
    cw_measure_set *m = ps->m;
    if (m->nmeasures < ps->cap)
        return CW_OK;
    size_t cap = ps->cap ? 2 * ps->cap : 16;
    cw_measure *n = realloc(m->measures, cap * sizeof *n);
    if (!n)
        return cw_error_set(ps->err, CW_ENOMEM, "out of memory");
    m->measures = n;
    ps->cap = cap;
    return CW_OK;
}

static cw_rc begin_block(parser *ps, const char *kw, char **w, size_t nw)
{
    cw_measure_set *m = ps->m;
    cw_rc rc = finish(ps);
    if (rc)
        return rc;
    if (nw != 1)
        return fail(ps, "%s: one identifier", kw);
    ps->seen_title = ps->seen_title_cy = ps->seen_unit = ps->seen_source = ps->seen_count =
        ps->seen_num = 0;
    if (!strcmp(kw, "state")) {
        if (!is_id(w[0], 0))
            return fail(ps, "state \"%s\": 1-64 of a-z, 0-9 and _", w[0]);
        if (find_state(m, w[0]) >= 0)
            return fail(ps, "a second state \"%s\"", w[0]);
        if (m->nstates >= CW_MEASURES_MAX_STATES)
            return fail(ps, "more than %d states", CW_MEASURES_MAX_STATES);
        ps->state = &m->states[m->nstates++];
        ps->state->id = w[0];
        ps->state->line = ps->line;
        return CW_OK;
    }
    if (!is_id(w[0], 1))
        return fail(ps, "measure \"%s\": 1-64 of A-Z, a-z, 0-9, _, . and -", w[0]);
    if (m->nmeasures >= CW_MEASURES_MAX)
        return fail(ps, "more than %d measures", CW_MEASURES_MAX);
    for (size_t i = 0; i < m->nmeasures; i++)
        if (!strcmp(m->measures[i].id, w[0]))
            return fail(ps, "a second measure \"%s\"", w[0]);
    if ((rc = grow(ps)))
        return rc;
    ps->cur = &m->measures[m->nmeasures++];
    memset(ps->cur, 0, sizeof *ps->cur);
    ps->cur->id = w[0];
    ps->cur->line = ps->line;
    return CW_OK;
}

static cw_rc directive(parser *ps, char *kw, char *rest);

static cw_rc on_directive(void *ctx, size_t line, char *kw, char *rest)
{
    parser *ps = ctx;
    ps->line = line;
    return directive(ps, kw, rest);
}

static cw_rc directive(parser *ps, char *kw, char *rest)
{
    cw_measure_set *m = ps->m;
    /* Text values are the rest of the line, as written. */
    if (m->name && !strcmp(kw, "description") && !ps->cur && !ps->state) {
        int seen = m->description != NULL;
        return text_of(ps, "description", rest, &seen, &m->description);
    }
    if (m->name && !strcmp(kw, "description_cy") && !ps->cur && !ps->state) {
        int seen = m->description_cy != NULL;
        return text_of(ps, "description_cy", rest, &seen, &m->description_cy);
    }
    if (ps->state && !strcmp(kw, "title")) {
        int seen = ps->state->title != NULL;
        return text_of(ps, "title", rest, &seen, &ps->state->title);
    }
    if (ps->state && !strcmp(kw, "title_cy")) {
        int seen = ps->state->title_cy != NULL;
        return text_of(ps, "title_cy", rest, &seen, &ps->state->title_cy);
    }
    if (ps->cur && !strcmp(kw, "title"))
        return text_of(ps, "title", rest, &ps->seen_title, &ps->cur->title);
    if (ps->cur && !strcmp(kw, "title_cy"))
        return text_of(ps, "title_cy", rest, &ps->seen_title_cy, &ps->cur->title_cy);
    if (ps->cur && !strcmp(kw, "source"))
        return text_of(ps, "source", rest, &ps->seen_source, &ps->cur->source);
    char copy[CW_MEASURES_MAX_LINE + 1];
    snprintf(copy, sizeof copy, "%s", rest);
    char *w[MAX_WORDS];
    size_t nw;
    cw_rc rc = words(ps, rest, w, &nw);
    if (rc)
        return rc;
    if (!m->name) {
        if (strcmp(kw, "measures"))
            return fail(ps, "the first line must be \"measures NAME\" (the rule pack's name)");
        if (nw != 1 || strcmp(w[0], m->pack->name))
            return fail(ps, "measures %s: these must be measures for the %s pack", nw ? w[0] : "",
                        m->pack->name);
        m->name = w[0];
        return CW_OK;
    }
    if (!strcmp(kw, "state") || !strcmp(kw, "measure"))
        return begin_block(ps, kw, w, nw);
    if (ps->state) {
        mstate *s = ps->state;
        if (!strcmp(kw, "from") || !strcmp(kw, "to")) {
            int to = kw[0] == 't';
            int *n = to ? &s->nto : &s->nfrom;
            if (*n >= CW_MEASURES_MAX_ENDS)
                return fail(ps, "more than %d %s lines", CW_MEASURES_MAX_ENDS, kw);
            size_t i = 0;
            rc = match(ps, w, nw, &i, NULL, to ? &s->to[*n] : &s->from[*n]);
            if (!rc)
                (*n)++;
            return rc;
        }
        return fail(ps, "unknown keyword \"%s\" in a state (title, title_cy, from, to)", kw);
    }
    if (!ps->cur)
        return fail(ps, "unknown keyword \"%s\" before the first state or measure", kw);
    cw_measure *me = ps->cur;
    if (!strcmp(kw, "unit")) {
        if (ps->seen_unit++)
            return fail(ps, "a second unit line");
        if (nw != 1 || (strcmp(w[0], "percent") && strcmp(w[0], "days") && strcmp(w[0], "count")))
            return fail(ps, "unit: percent, days or count");
        me->unit = w[0];
        return CW_OK;
    }
    if (!strcmp(kw, "count"))
        return kw_count(ps, w, nw);
    if (!strcmp(kw, "child"))
        return kw_child(ps, w, nw, copy);
    if (!strcmp(kw, "target"))
        return kw_target(ps, w, nw);
    if (!strcmp(kw, "numerator"))
        return kw_numerator(ps, w, nw, copy);
    return fail(ps,
                "unknown keyword \"%s\" in a measure (title, title_cy, unit, count, numerator, "
                "child, "
                "source)",
                kw);
}

/* Every obligation rule of the pack as a measure: of its occurrences due in the period, the
 * share met on time (late, overdue, missed and ended by closure in the breakdown). */
static cw_rc add_rule_measures(parser *ps)
{
    cw_measure_set *m = ps->m;
    for (size_t k = 0; k < m->pack->nrules; k++) {
        const cw_rule *r = &m->pack->rules[k];
        if (r->kind != CW_KIND_OBLIGATION)
            continue;
        cw_rc rc = grow(ps);
        if (rc)
            return rc;
        cw_measure *me = &m->measures[m->nmeasures++];
        memset(me, 0, sizeof *me);
        snprintf(me->auto_id, sizeof me->auto_id, "timeliness.%s", r->id);
        me->title = r->title;
        me->title_cy = r->title_cy;
        me->source = r->source;
        me->unit = "percent";
        me->count = MC_OBLIGATIONS;
        me->anchor = MA_DUE;
        me->rule = r;
        me->num = MN_STATES;
        me->states_mask = MS_ON_TIME;
        me->automatic = 1;
        me->line = r->line;
        snprintf(me->counted, sizeof me->counted, "occurrences of rule %s due in the period",
                 r->id);
        snprintf(me->numerator_text, sizeof me->numerator_text, "on_time");
    }
    /* Only now that the array has stopped moving may an id point into an element. */
    for (size_t i = 0; i < m->nmeasures; i++)
        if (m->measures[i].automatic)
            m->measures[i].id = m->measures[i].auto_id;
    return CW_OK;
}

cw_rc cw_measures_load(const char *text, size_t len, const char *source, const cw_rule_pack *p,
                       cw_measure_set **out, cw_error *err)
{
    *out = NULL;
    if (!source)
        source = "(measures)";
    if (len > CW_MEASURES_MAX_BYTES)
        return cw_error_set(err, CW_ETOOBIG, "%s: larger than %u bytes", source,
                            CW_MEASURES_MAX_BYTES);
    cw_measure_set *m = calloc(1, sizeof *m);
    if (!m || !(m->text = malloc(len + 1))) {
        free(m);
        return cw_error_set(err, CW_ENOMEM, "out of memory loading %s", source);
    }
    memcpy(m->text, text, len);
    m->text[len] = '\0';
    m->pack = p;
    /* What a figure depends on: these definitions, the pack's rules and the calendar. */
    {
        char a[65], b[65];
        cw_sha256_hex(text, len, a);
        cw_sha256_hex(cw_calendar_england_and_wales, strlen(cw_calendar_england_and_wales), b);
        char all[3 * 65];
        snprintf(all, sizeof all, "%s%s%s", a, cw_rules_digest(p), b);
        cw_sha256_hex(all, strlen(all), m->digest);
    }
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.m = m;
    ps.source = source;
    ps.err = err;
    cw_rc rc =
        cw_directives_each(m->text, len, source, CW_MEASURES_MAX_LINE, on_directive, &ps, err);
    if (!rc)
        rc = finish(&ps);
    if (!rc && !m->name)
        rc = cw_error_set(err, CW_EINVAL, "%s: no measures line", source);
    if (!rc)
        rc = add_rule_measures(&ps);
    if (rc) {
        cw_measures_free(m);
        return rc;
    }
    *out = m;
    return CW_OK;
}

cw_rc cw_measures_load_builtin(const cw_rule_pack *p, cw_measure_set **out, cw_error *err)
{
    const char *name = cw_rules_name(p);
    if (!strcmp(name, "wales"))
        return cw_measures_load(cw_measures_wales, strlen(cw_measures_wales),
                                "rules/wales.measures", p, out, err);
    if (!strcmp(name, "england"))
        return cw_measures_load(cw_measures_england, strlen(cw_measures_england),
                                "rules/england.measures", p, out, err);
    *out = NULL;
    return cw_error_set(err, CW_ENOTFOUND,
                        "the %s rule pack has no built-in measures (give a measures file)", name);
}

void cw_measures_free(cw_measure_set *m)
{
    if (!m)
        return;
    free(m->text);
    free(m->measures);
    free(m);
}

const char *cw_measures_digest(const cw_measure_set *m)
{
    return m->digest;
}

size_t cw_measures_count(const cw_measure_set *m)
{
    return m->nmeasures;
}

const char *cw_measures_id(const cw_measure_set *m, size_t i)
{
    return i < m->nmeasures ? m->measures[i].id : NULL;
}

long cw_measures_find(const cw_measure_set *m, const char *id)
{
    for (size_t i = 0; id && i < m->nmeasures; i++)
        if (!strcmp(m->measures[i].id, id))
            return (long)i;
    return -1;
}

json_t *cw_measures_definition(const cw_measure_set *m, size_t i)
{
    if (i >= m->nmeasures)
        return NULL;
    const cw_measure *me = &m->measures[i];
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:b}", "id", me->id, "title",
                          me->title, "title_cy", me->title_cy, "unit", me->unit, "source",
                          me->source, "counted", me->counted, "numerator", me->numerator_text,
                          "pack", m->name, "rule", me->automatic);
    if (o && me->has_target)
        json_object_set_new(o, "target",
                            json_pack("{s:f, s:s}", "value", (double)me->target_tenths / 10.0,
                                      "better", me->higher_is_better ? "higher" : "lower"));
    return o;
}

static cw_date ymd(int y, int m, int d)
{
    return cw_date_from_ymd(y, (unsigned)m, (unsigned)d);
}

cw_rc cw_measures_period(const char *spec, cw_date *from, cw_date *to, cw_error *err)
{
    int y = 0, q = 0, mo = 0;
    char tail;
    if (sscanf(spec, "fy%4d%c", &y, &tail) == 1 && strlen(spec) == 6 && y >= 1900) {
        *from = ymd(y, 4, 1);
        *to = ymd(y + 1, 3, 31);
        return CW_OK;
    }
    if (sscanf(spec, "%4d-q%1d%c", &y, &q, &tail) == 2 && strlen(spec) == 7 && y >= 1900 &&
        q >= 1 && q <= 4) {
        int start = 4 + 3 * (q - 1); /* April, July, October, January */
        int sy = start > 12 ? y + 1 : y;
        start = start > 12 ? start - 12 : start;
        *from = ymd(sy, start, 1);
        int ny = start + 3 > 12 ? sy + 1 : sy, nm = start + 3 > 12 ? start - 9 : start + 3;
        *to = ymd(ny, nm, 1) - 1;
        return CW_OK;
    }
    if (sscanf(spec, "%4d-%2d%c", &y, &mo, &tail) == 2 && strlen(spec) == 7 && y >= 1900 &&
        mo >= 1 && mo <= 12) {
        *from = ymd(y, mo, 1);
        *to = (mo == 12 ? ymd(y + 1, 1, 1) : ymd(y, mo + 1, 1)) - 1;
        return CW_OK;
    }
    return cw_error_set(
        err, CW_EINVAL,
        "period: \"%.32s\" is not a period: give fy2025 (a financial year), 2025-q1 "
        "(its first quarter, April to June) or 2025-04 (a month)",
        spec);
}
