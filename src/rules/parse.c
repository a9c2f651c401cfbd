/*
 * parse.c — the rule-pack loader: text in, a checked cw_rule_pack out, or
 * "source:line: problem" and nothing. The format is documented field by
 * field in docs/rules.md; in brief, one directive per line:
 *
 *   pack NAME                      first directive; NAME is [a-z0-9_]
 *   description TEXT               optional, before the first rule
 *   description_cy TEXT            optional: the description in Welsh
 *   escalate N ROLE[, N ROLE...]   before the first rule: the default ladder
 *   rule ID                        starts a rule; ends the one before
 *     title TEXT | title_cy TEXT | kind obligation|signal | source TEXT
 *     start EVENT [COND...]                       (one or more)
 *     due N UNIT [from EVENT]
 *     then N UNIT [after N UNIT] [if COND...]     (zero or more)
 *     count N within N UNIT | lookback N UNIT
 *     met_by EVENT [COND...] [link FIELD]         (one or more)
 *     stop EVENT [COND...] [link FIELD]           (zero or more)
 *     escalate N ROLE[, N ROLE...]
 *   UNIT: working day(s) | day(s) | week(s) | month(s)
 *   COND: field=v[,v...] | field!=v[,v...] | field=* | field!=*
 *
 * Blank lines and lines whose first non-blank character is '#' are ignored;
 * leading blanks are not significant. Everything a line names is checked
 * against the event catalogue (events.c) when the line is read; what depends
 * on the rule's start events (links, `from`, `if`) is checked when the rule
 * ends, and reported at the line that said it.
 *
 * The parser copies the text once and splits it in place: every string in
 * the pack points into that copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/signoff.h"
#include "util/buf.h"
#include "util/directives.h"
#include "util/sha256.h"

#define MAX_WORDS 64

static const char *const roles[] = {"social_worker",   "senior_practitioner", "team_manager",
                                    "service_manager", "head_of_service",     "qa_auditor",
                                    "inspector",       "administrator",       NULL};

typedef struct pending_if {
    char *tok[CW_RULES_MAX_CONDS];
    size_t ntok;
} pending_if;

typedef struct parser {
    cw_rule_pack *p;
    const char *source;
    cw_error *err;
    size_t line;
    cw_rule *cur; /* the rule being read, or NULL before the first */
    size_t title_line, title_cy_line, kind_line, due_line, source_line, count_line, lookback_line,
        esc_line;
    size_t since_line, age_line;
    size_t anchor_line;
    int pack_esc_seen;
    pending_if then_if[CW_RULES_MAX_THEN];
    size_t cap_rules, cap_clauses, cap_matchers, cap_conds, cap_values;
} parser;

/* ---- small helpers ---- */

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

/* fail() at another line (a check made when the rule ends). */
static cw_rc fail_at(parser *ps, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static cw_rc fail_at(parser *ps, size_t line, const char *fmt, ...)
{
    char msg[CW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cw_error_set(ps->err, CW_EINVAL, "%s:%zu: %s", ps->source, line, msg);
}

static cw_rc grow(parser *ps, void **arr, size_t *cap, size_t n, size_t size)
{
    if (cw_array_grow(arr, cap, n, size))
        return cw_error_set(ps->err, CW_ENOMEM, "out of memory loading %s", ps->source);
    return CW_OK;
}

static int is_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

static void list_text(const char *const *list, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; list[i] && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", list[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Strict decimal, no sign, no leading zero; at most max. */
cw_rc cw_rules_read_number(const char *s, int64_t max, int32_t *out, char *msg, size_t cap)
{
    uint64_t v;
    if (cw_parse_u64(s, strlen(s), &v)) {
        snprintf(msg, cap, "\"%s\" is not a number", s);
        return CW_EINVAL;
    }
    if (v > (uint64_t)max) {
        snprintf(msg, cap, "%s is too large (at most %lld)", s, (long long)max);
        return CW_EINVAL;
    }
    *out = (int32_t)v;
    return CW_OK;
}

cw_rc cw_rules_read_interval(char **w, size_t nw, size_t *i, int allow_zero, cw_interval *iv,
                             char *msg, size_t cap)
{
    if (*i >= nw) {
        snprintf(msg, cap, "expected a number and a unit (working days, days, weeks, months)");
        return CW_EINVAL;
    }
    const char *num = w[*i];
    if (*i + 1 >= nw) {
        snprintf(msg, cap, "%s: expected a unit after it (working days, days, weeks, months)", num);
        return CW_EINVAL;
    }
    const char *u = w[*i + 1];
    size_t used = 2;
    int64_t max;
    if (!strcmp(u, "working")) {
        if (*i + 2 >= nw || (strcmp(w[*i + 2], "day") && strcmp(w[*i + 2], "days"))) {
            snprintf(msg, cap, "expected \"working days\"");
            return CW_EINVAL;
        }
        iv->unit = CW_UNIT_WORKING_DAYS;
        used = 3;
        max = 2000;
    } else if (!strcmp(u, "day") || !strcmp(u, "days")) {
        iv->unit = CW_UNIT_DAYS;
        max = 3660;
    } else if (!strcmp(u, "week") || !strcmp(u, "weeks")) {
        iv->unit = CW_UNIT_WEEKS;
        max = 520;
    } else if (!strcmp(u, "month") || !strcmp(u, "months")) {
        iv->unit = CW_UNIT_MONTHS;
        max = 120;
    } else {
        snprintf(msg, cap, "\"%s\" is not a unit (working days, days, weeks, months)", u);
        return CW_EINVAL;
    }
    cw_rc rc = cw_rules_read_number(num, max, &iv->n, msg, cap);
    if (rc)
        return rc;
    if (!allow_zero && iv->n == 0) {
        snprintf(msg, cap, "an interval here must be at least 1");
        return CW_EINVAL;
    }
    *i += used;
    return CW_OK;
}

static cw_rc number(parser *ps, const char *s, int64_t max, int32_t *out)
{
    char msg[CW_ERROR_MSG_MAX];
    return cw_rules_read_number(s, max, out, msg, sizeof msg) ? fail(ps, "%s", msg) : CW_OK;
}

/* Reads "N UNIT" at words[*i]; advances *i past it. */
static cw_rc interval(parser *ps, char **w, size_t nw, size_t *i, int allow_zero, cw_interval *iv)
{
    char msg[CW_ERROR_MSG_MAX];
    return cw_rules_read_interval(w, nw, i, allow_zero, iv, msg, sizeof msg) ? fail(ps, "%s", msg)
                                                                             : CW_OK;
}

/* Parses one condition token against event type t into pack->conds. */
static cw_rc condition(parser *ps, int t, char *tok)
{
    cw_rule_pack *p = ps->p;
    char *eq = strchr(tok, '=');
    if (!eq)
        return fail(ps, "\"%s\" is not a condition (field=value, field!=value, field=*)", tok);
    cw_cond_op op = CW_OP_EQ;
    char *fend = eq;
    if (eq > tok && eq[-1] == '!') {
        op = CW_OP_NE;
        fend = eq - 1;
    }
    *fend = '\0';
    char *val = eq + 1;
    if (!*tok)
        return fail(ps, "a condition with no field");
    int inherited;
    const cw_ev_field *def = cw_rules_field_find(t, tok, &inherited);
    if (!def)
        return fail(ps, "%s has no field \"%s\"", cw_rules_types[t].name, tok);
    cw_rc grc = grow(ps, (void **)&p->conds, &ps->cap_conds, p->nconds, sizeof *p->conds);
    if (grc)
        return grc;
    cw_cond *c = &p->conds[p->nconds];
    c->field = tok;
    c->def = def;
    c->first_value = (uint32_t)p->nvalues;
    c->nvalues = 0;
    if (!strcmp(val, "*")) {
        c->op = op == CW_OP_EQ ? CW_OP_PRESENT : CW_OP_ABSENT;
        p->nconds++;
        return CW_OK;
    }
    c->op = op;
    if (def->type != CW_FT_BOOL && def->type != CW_FT_ENUM && def->type != CW_FT_INT)
        return fail(ps, "%s.%s is not a yes/no, a choice or a number: test it with %s=* or %s!=*",
                    cw_rules_types[t].name, tok, tok, tok);
    char *v = val;
    for (;;) {
        char *comma = strchr(v, ',');
        if (comma)
            *comma = '\0';
        if (!*v)
            return fail(ps, "%s: an empty value", tok);
        if (c->nvalues >= CW_RULES_MAX_VALUES)
            return fail(ps, "%s: more than %d values", tok, CW_RULES_MAX_VALUES);
        cw_cond_value cv = {v, 0};
        if (def->type == CW_FT_BOOL) {
            if (strcmp(v, "true") && strcmp(v, "false"))
                return fail(ps, "%s.%s is true or false, not \"%s\"", cw_rules_types[t].name, tok,
                            v);
            cv.i = !strcmp(v, "true");
        } else if (def->type == CW_FT_ENUM) {
            if (!in_list(def->values, v)) {
                char all[300];
                list_text(def->values, all, sizeof all);
                return fail(ps, "\"%s\" is not a value of %s.%s (%s)", v, cw_rules_types[t].name,
                            tok, all);
            }
        } else {
            int neg = *v == '-';
            uint64_t u;
            if (cw_parse_u64(v + neg, strlen(v + neg), &u) || u > INT32_MAX)
                return fail(ps, "%s: \"%s\" is not a number", tok, v);
            cv.i = neg ? -(int64_t)u : (int64_t)u;
        }
        cw_rc vrc = grow(ps, (void **)&p->values, &ps->cap_values, p->nvalues, sizeof *p->values);
        if (vrc)
            return vrc;
        p->values[p->nvalues++] = cv;
        c->nvalues++;
        if (!comma)
            break;
        v = comma + 1;
    }
    p->nconds++;
    return CW_OK;
}

static int same_conds(const cw_rule_pack *p, uint32_t a, uint32_t b, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        const cw_cond *x = &p->conds[a + k], *y = &p->conds[b + k];
        if (strcmp(x->field, y->field) || x->op != y->op || x->nvalues != y->nvalues)
            return 0;
        for (uint32_t v = 0; v < x->nvalues; v++)
            if (strcmp(p->values[x->first_value + v].s, p->values[y->first_value + v].s))
                return 0;
    }
    return 1;
}

/* ---- directives ---- */

static cw_rc text_field(parser *ps, const char *what, char *rest, size_t *seen, const char **out)
{
    if (*seen)
        return fail(ps, "%s given twice (first at line %zu)", what, *seen);
    if (!*rest)
        return fail(ps, "%s: no text", what);
    if (strlen(rest) > CW_RULES_MAX_TEXT)
        return fail(ps, "%s: longer than %d bytes", what, CW_RULES_MAX_TEXT);
    *seen = ps->line;
    *out = rest;
    return CW_OK;
}

static cw_rc escalate(parser *ps, char *rest, cw_step *steps, size_t *nsteps)
{
    /* "1 team_manager, 5 service_manager": commas are separators. */
    char *w[MAX_WORDS];
    size_t nw = 0;
    for (char *s = rest; *s;) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            *s++ = '\0';
        if (!*s)
            break;
        if (nw == MAX_WORDS)
            return fail(ps, "too many words");
        w[nw++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != ',')
            s++;
    }
    if (nw == 0 || nw % 2)
        return fail(ps, "escalate: expected steps \"DAYS ROLE\", e.g. 1 team_manager, 5 "
                        "service_manager");
    if (nw / 2 > CW_RULES_MAX_ESCALATE)
        return fail(ps, "escalate: more than %d steps", CW_RULES_MAX_ESCALATE);
    *nsteps = 0;
    for (size_t i = 0; i < nw; i += 2) {
        int32_t d = 0;
        cw_rc rc = number(ps, w[i], 3660, &d);
        if (rc)
            return rc;
        if (d < 1)
            return fail(ps, "escalate: a step starts at 1 day overdue or later");
        if (*nsteps && d <= steps[*nsteps - 1].days)
            return fail(ps, "escalate: days must increase from step to step");
        if (!in_list(roles, w[i + 1])) {
            char all[300];
            list_text(roles, all, sizeof all);
            return fail(ps, "escalate: \"%s\" is not a role (%s)", w[i + 1], all);
        }
        steps[*nsteps].days = d;
        steps[*nsteps].role = w[i + 1];
        (*nsteps)++;
    }
    return CW_OK;
}

/* start / met_by / stop / by: EVENT [COND...] [link FIELD]. `by` is a stop that is also the
 * occurrence's deadline (deadline = 1). */
static cw_rc clause(parser *ps, cw_role role, int deadline, char **w, size_t nw)
{
    cw_rule_pack *p = ps->p;
    cw_rule *r = ps->cur;
    static const char *const names[] = {"met_by", "stop", "start"};
    if (nw == 0)
        return fail(ps, "%s: expected an event type", deadline ? "by" : names[role]);
    if (r->nclauses >= CW_RULES_MAX_CLAUSES)
        return fail(ps, "more than %d start, met_by and stop lines in one rule",
                    CW_RULES_MAX_CLAUSES);
    int t = cw_rules_type_find(w[0]);
    if (t < 0) {
        if (cw_rules_type_is_organisation(w[0]))
            return fail(ps, "%s is an organisation event, never in a child's history", w[0]);
        return fail(ps, "unknown event type \"%s\"", w[0]);
    }
    const char *link = NULL;
    size_t ncond = nw - 1;
    for (size_t i = 1; i < nw; i++) {
        if (!strcmp(w[i], "link")) {
            if (role == CW_ROLE_START)
                return fail(ps, "start: link belongs on met_by and stop lines");
            if (i + 2 != nw)
                return fail(ps, "link: expected one field name, last on the line");
            link = w[i + 1];
            ncond = i - 1;
            break;
        }
    }
    if (ncond > CW_RULES_MAX_CONDS)
        return fail(ps, "more than %d conditions", CW_RULES_MAX_CONDS);
    if (link) {
        int inh;
        const cw_ev_field *f = cw_rules_field_find(t, link, &inh);
        if (!f)
            return fail(ps, "link: %s has no field \"%s\"", w[0], link);
        if (f->type != CW_FT_ID)
            return fail(ps, "link: %s.%s is not an id", w[0], link);
    }
    size_t conds0 = p->nconds, values0 = p->nvalues;
    for (size_t i = 0; i < ncond; i++) {
        cw_rc rc = condition(ps, t, w[1 + i]);
        if (rc)
            return rc;
    }
    /* Share a matcher with an identical earlier (type, conditions). */
    uint32_t m = (uint32_t)p->nmatchers;
    for (size_t k = 0; k < p->nmatchers; k++) {
        const cw_matcher *x = &p->matchers[k];
        if (x->type == t && x->nconds == ncond &&
            same_conds(p, x->first_cond, (uint32_t)conds0, (uint32_t)ncond)) {
            m = (uint32_t)k;
            p->nconds = conds0;
            p->nvalues = values0;
            break;
        }
    }
    if (m == p->nmatchers) {
        cw_rc grc =
            grow(ps, (void **)&p->matchers, &ps->cap_matchers, p->nmatchers, sizeof *p->matchers);
        if (grc)
            return grc;
        p->matchers[m] = (cw_matcher){t, (uint32_t)conds0, (uint32_t)ncond};
        p->nmatchers++;
    }
    cw_rc grc = grow(ps, (void **)&p->clauses, &ps->cap_clauses, p->nclauses, sizeof *p->clauses);
    if (grc)
        return grc;
    cw_clause *c = &p->clauses[p->nclauses++];
    c->role = role;
    c->deadline = deadline;
    c->matcher = m;
    c->link = link;
    c->link_slot = -1;
    c->line = ps->line;
    if (link) {
        size_t s;
        for (s = 0; s < r->nlinks; s++)
            if (!strcmp(r->links[s], link))
                break;
        if (s == r->nlinks) {
            if (r->nlinks == CW_RULES_MAX_LINKS)
                return fail(ps, "more than %d different link fields in one rule",
                            CW_RULES_MAX_LINKS);
            r->links[r->nlinks++] = link;
        }
        c->link_slot = (int)s;
    }
    r->nclauses++;
    return CW_OK;
}

static cw_rc kw_due(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (ps->due_line)
        return fail(ps, "due given twice (first at line %zu)", ps->due_line);
    size_t i = 0;
    cw_rc rc = interval(ps, w, nw, &i, 1, &r->due);
    if (rc)
        return rc;
    if (i < nw) {
        if (strcmp(w[i], "from") || i + 2 != nw)
            return fail(ps, "due: expected N UNIT [from EVENT | from FIELD]");
        r->anchor = cw_rules_type_find(w[i + 1]);
        if (r->anchor < 0) /* a date field of the start events, checked when the rule ends */
            r->anchor_field = w[i + 1];
        ps->anchor_line = ps->line;
    }
    ps->due_line = ps->line;
    return CW_OK;
}

static cw_rc kw_then(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (r->nthen == CW_RULES_MAX_THEN)
        return fail(ps, "more than %d then lines", CW_RULES_MAX_THEN);
    cw_then *th = &r->then[r->nthen];
    memset(th, 0, sizeof *th);
    th->line = ps->line;
    size_t i = 0;
    cw_rc rc = interval(ps, w, nw, &i, 0, &th->every);
    if (rc)
        return rc;
    if (i < nw && !strcmp(w[i], "after")) {
        i++;
        rc = interval(ps, w, nw, &i, 0, &th->after);
        if (rc)
            return rc;
        th->has_after = 1;
    }
    if (i < nw && !strcmp(w[i], "from_age")) {
        if (i + 1 == nw)
            return fail(ps, "then: from_age: expected a number of years");
        rc = number(ps, w[i + 1], 25, &th->from_age);
        if (rc)
            return rc;
        if (th->from_age < 1)
            return fail(ps, "then: from_age: at least 1");
        i += 2;
    }
    pending_if *pi = &ps->then_if[r->nthen];
    pi->ntok = 0;
    if (i < nw) {
        if (strcmp(w[i], "if"))
            return fail(ps,
                        "then: expected N UNIT [after N UNIT] [from_age N] [if CONDITION...], not "
                        "\"%s\"",
                        w[i]);
        i++;
        if (i == nw)
            return fail(ps, "then: if with no condition");
        if (nw - i > CW_RULES_MAX_CONDS)
            return fail(ps, "more than %d conditions", CW_RULES_MAX_CONDS);
        for (; i < nw; i++)
            pi->tok[pi->ntok++] = w[i];
    }
    if (r->nthen == 0 && (th->has_after || pi->ntok || th->from_age))
        return fail(ps, "the first then line is the fallback: it takes no after, from_age or if");
    r->nthen++;
    return CW_OK;
}

static cw_rc kw_count(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (ps->count_line)
        return fail(ps, "count given twice (first at line %zu)", ps->count_line);
    if (nw < 2 || strcmp(w[1], "within"))
        return fail(ps, "count: expected N within N UNIT");
    cw_rc rc = number(ps, w[0], CW_RULES_MAX_COUNT, &r->count_n);
    if (rc)
        return rc;
    if (r->count_n < 2)
        return fail(ps, "count: at least 2");
    size_t i = 2;
    rc = interval(ps, w, nw, &i, 0, &r->count_within);
    if (rc)
        return rc;
    if (i != nw)
        return fail(ps, "count: unexpected \"%s\"", w[i]);
    ps->count_line = ps->line;
    return CW_OK;
}

static cw_rc kw_lookback(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (ps->lookback_line)
        return fail(ps, "lookback given twice (first at line %zu)", ps->lookback_line);
    size_t i = 0;
    cw_rc rc = interval(ps, w, nw, &i, 0, &r->lookback);
    if (rc)
        return rc;
    if (i != nw)
        return fail(ps, "lookback: unexpected \"%s\"", w[i]);
    r->has_lookback = 1;
    ps->lookback_line = ps->line;
    return CW_OK;
}

/* since YYYY-MM-DD: the day a duty applies from (a duty new to a council's pack is not owed
 * for the history before it). */
static cw_rc kw_since(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (ps->since_line)
        return fail(ps, "since given twice (first at line %zu)", ps->since_line);
    if (nw != 1 || cw_date_parse(w[0], strlen(w[0]), &r->since) != CW_OK)
        return fail(ps, "since: expected a date (YYYY-MM-DD)");
    r->has_since = 1;
    ps->since_line = ps->line;
    return CW_OK;
}

/* age N to M: the rule is owed to a child aged at least N and under M (whole years, from the
 * date of birth): a start event at M or older starts nothing, one before the N-th birthday
 * starts the duty from that birthday, and an occurrence that would fall due on or after the
 * M-th birthday is not opened. */
static cw_rc kw_age(parser *ps, char **w, size_t nw)
{
    cw_rule *r = ps->cur;
    if (ps->age_line)
        return fail(ps, "age given twice (first at line %zu)", ps->age_line);
    if (nw != 3 || strcmp(w[1], "to"))
        return fail(ps, "age: expected N to M (years)");
    cw_rc rc = number(ps, w[0], 25, &r->age_from);
    if (rc)
        return rc;
    rc = number(ps, w[2], 25, &r->age_to);
    if (rc)
        return rc;
    if (r->age_to <= r->age_from)
        return fail(ps, "age: %d to %d: the second age must be greater", (int)r->age_from,
                    (int)r->age_to);
    r->has_age = 1;
    ps->age_line = ps->line;
    return CW_OK;
}

/* Checks what depends on the rule's start events, now that all are known. */
static cw_rc finish_rule(parser *ps)
{
    cw_rule_pack *p = ps->p;
    cw_rule *r = ps->cur;
    if (!r)
        return CW_OK;
    size_t line = r->line;
    const char *id = r->id;
    if (!ps->title_line)
        return fail_at(ps, line, "rule %s has no title", id);
    if (!ps->kind_line)
        return fail_at(ps, line, "rule %s has no kind (obligation or signal)", id);
    if (!ps->source_line)
        return fail_at(ps, line,
                       "rule %s has no source (every timescale names where it comes from)", id);
    if (!ps->due_line)
        return fail_at(ps, line, "rule %s has no due line", id);
    size_t nstart = 0, nmet = 0;
    const cw_clause *cl = &p->clauses[r->first_clause];
    r->memory = 1;
    for (size_t k = 0; k < r->nclauses; k++) {
        nstart += cl[k].role == CW_ROLE_START;
        nmet += cl[k].role == CW_ROLE_MET;
        if (cl[k].role == CW_ROLE_MET && cl[k].link)
            r->memory = 0;
    }
    if (!nstart)
        return fail_at(ps, line, "rule %s has no start line", id);
    /* A signal may have none: it then holds for as long as its start stands past due
     * (work awaiting sign-off, say, which leaves the history once decided). */
    if (!nmet && r->kind == CW_KIND_OBLIGATION)
        return fail_at(ps, line, "rule %s has no met_by line", id);
    if (r->has_lookback && !r->memory)
        return fail_at(ps, ps->lookback_line,
                       "lookback needs every met_by of the rule to be the same child (no link)");
    for (size_t k = 0; k < r->nclauses; k++) {
        if (cl[k].role != CW_ROLE_START)
            continue;
        int t = p->matchers[cl[k].matcher].type;
        const char *tn = cw_rules_types[t].name;
        for (size_t j = 0; j < r->nclauses; j++) {
            if (!cl[j].link)
                continue;
            int inh;
            const cw_ev_field *f = cw_rules_field_find(t, cl[j].link, &inh);
            if (!f || f->type != CW_FT_ID)
                return fail_at(ps, cl[j].line, "link %s: the start event %s has no such id",
                               cl[j].link, tn);
        }
        if (r->anchor_field) {
            int inh;
            const cw_ev_field *f = cw_rules_field_find(t, r->anchor_field, &inh);
            if (!f || f->type != CW_FT_DATE || inh)
                return fail_at(ps, ps->anchor_line,
                               "due ... from %s: neither an event type nor a date field of the "
                               "start event %s",
                               r->anchor_field, tn);
        }
        if (r->anchor >= 0 && cw_rules_types[t].opener != r->anchor)
            return fail_at(ps, ps->anchor_line,
                           "due ... from %s: the start event %s does not "
                           "refer to a %s",
                           cw_rules_types[r->anchor].name, tn, cw_rules_types[r->anchor].name);
    }
    /* `then ... if` conditions test the start event: resolve them against the
     * first start type, and require every start type to have each field. */
    int t0 = -1;
    for (size_t k = 0; k < r->nclauses && t0 < 0; k++)
        if (cl[k].role == CW_ROLE_START)
            t0 = p->matchers[cl[k].matcher].type;
    for (size_t s = 0; s < r->nthen; s++) {
        cw_then *th = &r->then[s];
        pending_if *pi = &ps->then_if[s];
        size_t saved = ps->line;
        ps->line = th->line;
        th->first_cond = (uint32_t)p->nconds;
        for (size_t i = 0; i < pi->ntok; i++) {
            char *tok = pi->tok[i];
            cw_rc rc = condition(ps, t0, tok);
            if (rc)
                return rc;
            const char *field = p->conds[p->nconds - 1].field;
            for (size_t k = 0; k < r->nclauses; k++) {
                int inh;
                int t = p->matchers[cl[k].matcher].type;
                if (cl[k].role == CW_ROLE_START && !cw_rules_field_find(t, field, &inh))
                    return fail(ps, "then ... if %s: the start event %s has no such field", field,
                                cw_rules_types[t].name);
            }
        }
        th->nconds = (uint32_t)pi->ntok;
        ps->line = saved;
    }
    if (!ps->esc_line) {
        memcpy(r->esc, p->esc, sizeof r->esc);
        r->nesc = p->nesc;
    }
    if (r->count_n) {
        r->count_slot = p->count_slots;
        p->count_slots += (uint32_t)r->count_n;
    }
    ps->cur = NULL;
    return CW_OK;
}

static cw_rc kw_rule(parser *ps, char **w, size_t nw)
{
    cw_rule_pack *p = ps->p;
    cw_rc rc = finish_rule(ps);
    if (rc)
        return rc;
    if (nw != 1)
        return fail(ps, "rule: expected one id");
    if (!is_name(w[0]))
        return fail(ps, "rule id \"%s\": use 1-64 of a-z, 0-9 and _", w[0]);
    for (size_t i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i].id, w[0]))
            return fail(ps, "duplicate rule id \"%s\" (first at line %zu)", w[0], p->rules[i].line);
    if (p->nrules == CW_RULES_MAX_RULES)
        return fail(ps, "more than %d rules", CW_RULES_MAX_RULES);
    cw_rc grc = grow(ps, (void **)&p->rules, &ps->cap_rules, p->nrules, sizeof *p->rules);
    if (grc)
        return grc;
    cw_rule *r = &p->rules[p->nrules++];
    memset(r, 0, sizeof *r);
    r->id = w[0];
    r->line = ps->line;
    r->anchor = -1;
    r->anchor_field = NULL;
    r->first_clause = (uint32_t)p->nclauses;
    ps->cur = r;
    ps->title_line = ps->title_cy_line = ps->kind_line = ps->due_line = ps->source_line = 0;
    ps->count_line = ps->lookback_line = ps->esc_line = ps->anchor_line = ps->since_line = 0;
    ps->age_line = 0;
    return CW_OK;
}

/*
 * integrity PATTERN [SETTING VALUE [UNIT], ...]: the thresholds of one integrity pattern
 * (docs/rules.md, docs/integrity.md). Each pattern takes exactly its own settings, each once.
 */
typedef struct int_setting {
    const char *name;
    int kind; /* 0: N working days; 1: a count; 2: a decimal (z); 3: N minutes */
    size_t off;
    int32_t min, max;
} int_setting;

#define TH(f) offsetof(cw_integrity_thresholds, f)
static const int_setting INT_SETTINGS[CW_INTEGRITY_NPATTERNS][5] = {
    [CW_INTEGRITY_LATE_RECORDING] = {{"after", 0, TH(late_after_wd), 0, 260},
                                     {"z", 2, TH(late_z), 1, 10},
                                     {"at_least", 1, TH(late_at_least), 1, 1000}},
    [CW_INTEGRITY_OVERDUE_HIDDEN] = {{"after", 0, TH(hidden_after_wd), 0, 260}},
    [CW_INTEGRITY_DEADLINE_CLUSTER] = {{"within", 0, TH(cluster_within_wd), 0, 20},
                                       {"z", 2, TH(cluster_z), 1, 10},
                                       {"at_least", 1, TH(cluster_at_least), 1, 1000}},
    [CW_INTEGRITY_CLOCK_RESET] = {{"within", 0, TH(reset_within_wd), 1, 260}},
    [CW_INTEGRITY_BULK_ENTRY] = {{"entries", 1, TH(bulk_entries), 2, 1000},
                                 {"children", 1, TH(bulk_children), 2, 1000},
                                 {"within", 3, TH(bulk_minutes), 1, 1440},
                                 {"after", 0, TH(bulk_after_wd), 0, 260}},
    [CW_INTEGRITY_BOILERPLATE] = {{"children", 1, TH(boilerplate_children), 2, 1000},
                                  {"words", 1, TH(boilerplate_words), 0, 100}},
    [CW_INTEGRITY_OUTSIDE_TEAM] = {{"after", 0, TH(outside_after_wd), 0, 260}},
};
#undef TH

static cw_rc kw_integrity(parser *ps, char *rest)
{
    cw_rule_pack *p = ps->p;
    if (p->nrules)
        return fail(ps, "integrity belongs before the first rule");
    char *s = rest;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    int pat = -1;
    for (int i = 0; i < CW_INTEGRITY_NPATTERNS; i++)
        if (!strcmp(rest, cw_integrity_pattern_id((cw_integrity_pattern)i)))
            pat = i;
    if (pat < 0)
        return fail(ps,
                    "integrity: \"%s\" is not a pattern (late_recording, overdue_hidden, "
                    "date_correction, deadline_clustering, clock_reset, bulk_entry, boilerplate, "
                    "outside_team)",
                    rest);
    if (p->integrity_line[pat])
        return fail(ps, "integrity %s given twice (first at line %zu)", rest,
                    p->integrity_line[pat]);
    const int_setting *set = INT_SETTINGS[pat];
    int seen[5] = {0};
    for (char *part = *s ? s : NULL, *next; part; part = next) {
        next = strchr(part, ',');
        if (next)
            *next++ = '\0';
        char *w[4];
        size_t nw = 0;
        for (char *t = part; *t;) {
            while (*t == ' ' || *t == '\t')
                *t++ = '\0';
            if (!*t)
                break;
            if (nw == 4)
                return fail(ps, "integrity %s: too many words in \"%s\"", rest, w[0]);
            w[nw++] = t;
            while (*t && *t != ' ' && *t != '\t')
                t++;
        }
        if (!nw)
            return fail(ps, "integrity %s: an empty setting between commas", rest);
        int k = -1;
        for (int j = 0; j < 5 && set[j].name; j++)
            if (!strcmp(w[0], set[j].name))
                k = j;
        if (k < 0) {
            char names[120] = "";
            size_t used = 0;
            for (int j = 0; j < 5 && set[j].name; j++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", j ? ", " : "",
                                         set[j].name);
            return fail(ps, "integrity %s: \"%s\" is not one of its settings (%s)", rest, w[0],
                        used ? names : "it has none");
        }
        if (seen[k])
            return fail(ps, "integrity %s: %s given twice", rest, w[0]);
        seen[k] = 1;
        const int_setting *st = &set[k];
        static const char *const units[] = {"working days", "", "", "minutes"};
        size_t want = st->kind == 0 ? 4 : st->kind == 3 ? 3 : 2;
        if (nw != want ||
            (st->kind == 0 &&
             (strcmp(w[2], "working") || (strcmp(w[3], "days") && strcmp(w[3], "day")))) ||
            (st->kind == 3 && strcmp(w[2], "minutes") && strcmp(w[2], "minute")))
            return fail(ps, "integrity %s: expected \"%s N%s%s\"", rest, st->name,
                        *units[st->kind] ? " " : "", units[st->kind]);
        char *field = (char *)&p->integrity + st->off;
        if (st->kind == 2) {
            char *end = NULL;
            double z = strtod(w[1], &end);
            if (!end || *end || !(w[1][0] >= '0' && w[1][0] <= '9') || !(z >= st->min) ||
                !(z <= st->max))
                return fail(ps, "integrity %s: z \"%s\" is not a number from %d to %d", rest, w[1],
                            (int)st->min, (int)st->max);
            memcpy(field, &z, sizeof z);
        } else {
            int32_t v = 0;
            cw_rc rc = number(ps, w[1], st->max, &v);
            if (rc)
                return rc;
            if (v < st->min)
                return fail(ps, "integrity %s: %s must be at least %d", rest, st->name,
                            (int)st->min);
            memcpy(field, &v, sizeof v);
        }
    }
    for (int j = 0; j < 5 && set[j].name; j++)
        if (!seen[j])
            return fail(ps, "integrity %s: %s is missing", rest, set[j].name);
    p->integrity.on[pat] = 1;
    p->integrity_line[pat] = ps->line;
    return CW_OK;
}

/* One directive: keyword, then the rest of the line. */
static cw_rc directive(parser *ps, char *kw, char *rest);

static cw_rc on_directive(void *ctx, size_t line, char *kw, char *rest)
{
    parser *ps = ctx;
    ps->line = line;
    return directive(ps, kw, rest);
}

static cw_rc directive(parser *ps, char *kw, char *rest)
{
    cw_rule_pack *p = ps->p;
    if (!strcmp(kw, "pack")) {
        if (p->name)
            return fail(ps, "pack given twice");
        if (!is_name(rest))
            return fail(ps, "pack name \"%s\": use 1-64 of a-z, 0-9 and _", rest);
        p->name = rest;
        return CW_OK;
    }
    if (!p->name)
        return fail(ps, "the first line must be: pack NAME");
    if (!strcmp(kw, "description")) {
        size_t seen = p->description ? 1 : 0;
        if (p->nrules)
            return fail(ps, "description belongs before the first rule");
        return text_field(ps, "description", rest, &seen, &p->description);
    }
    if (!strcmp(kw, "description_cy")) {
        size_t seen = p->description_cy ? 1 : 0;
        if (p->nrules)
            return fail(ps, "description_cy belongs before the first rule");
        return text_field(ps, "description_cy", rest, &seen, &p->description_cy);
    }
    if (!strcmp(kw, "integrity"))
        return kw_integrity(ps, rest);
    cw_rule *r = ps->cur;
    if (!strcmp(kw, "title"))
        return r ? text_field(ps, "title", rest, &ps->title_line, &r->title)
                 : fail(ps, "title outside a rule");
    if (!strcmp(kw, "title_cy"))
        return r ? text_field(ps, "title_cy", rest, &ps->title_cy_line, &r->title_cy)
                 : fail(ps, "title_cy outside a rule");
    if (!strcmp(kw, "source"))
        return r ? text_field(ps, "source", rest, &ps->source_line, &r->source)
                 : fail(ps, "source outside a rule");
    if (!strcmp(kw, "escalate")) {
        if (!r) {
            if (p->nrules)
                return fail(ps, "escalate outside a rule");
            if (ps->pack_esc_seen)
                return fail(ps, "the pack's escalate given twice");
            ps->pack_esc_seen = 1;
            return escalate(ps, rest, p->esc, &p->nesc);
        }
        if (ps->esc_line)
            return fail(ps, "escalate given twice (first at line %zu)", ps->esc_line);
        ps->esc_line = ps->line;
        return escalate(ps, rest, r->esc, &r->nesc);
    }

    char *w[MAX_WORDS];
    size_t nw = 0;
    for (char *s = rest; *s;) {
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        if (!*s)
            break;
        if (nw == MAX_WORDS)
            return fail(ps, "too many words");
        w[nw++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    if (!strcmp(kw, "rule"))
        return kw_rule(ps, w, nw);
    if (!strcmp(kw, "resume_within")) {
        size_t i = 0;
        if (p->nrules)
            return fail(ps, "resume_within belongs before the first rule");
        if (p->has_resume)
            return fail(ps, "resume_within given twice");
        cw_rc rc = interval(ps, w, nw, &i, 0, &p->resume);
        if (!rc && i != nw)
            return fail(ps, "resume_within: unexpected \"%s\"", w[i]);
        p->has_resume = !rc;
        return rc;
    }
    if (!strcmp(kw, "count_from")) {
        if (p->nrules)
            return fail(ps, "count_from belongs before the first rule");
        if (p->count_from_seen)
            return fail(ps, "count_from given twice");
        if (nw != 1 || (strcmp(w[0], "day_after") && strcmp(w[0], "event_day")))
            return fail(ps, "count_from: day_after or event_day");
        p->count_from_seen = 1;
        p->count_event_day = !strcmp(w[0], "event_day");
        return CW_OK;
    }
    if (!strcmp(kw, "sign_off")) {
        if (p->nrules)
            return fail(ps, "sign_off belongs before the first rule");
        if (p->sign_off_seen)
            return fail(ps, "sign_off given twice");
        p->sign_off_seen = 1;
        size_t used = 0;
        for (size_t i = 0; i < nw; i++) {
            if (!cw_sign_off_kind_known(w[i]))
                return fail(ps, "sign_off: \"%s\" is not work that can need sign-off (%s)", w[i],
                            CW_SIGN_OFF_KINDS_TEXT);
            used += (size_t)snprintf(p->sign_off + used, sizeof p->sign_off - used, "%s%s",
                                     i ? "," : "", w[i]);
        }
        return CW_OK;
    }

    static const char *const in_rule[] = {"kind",   "start", "due", "then",  "count", "lookback",
                                          "met_by", "stop",  "by",  "since", "age",   NULL};
    if (!in_list(in_rule, kw))
        return fail(ps, "unknown keyword \"%s\"", kw);
    if (!r)
        return fail(ps, "%s outside a rule", kw);
    if (!strcmp(kw, "kind")) {
        if (ps->kind_line)
            return fail(ps, "kind given twice (first at line %zu)", ps->kind_line);
        if (nw != 1 || (strcmp(w[0], "obligation") && strcmp(w[0], "signal")))
            return fail(ps, "kind: obligation or signal");
        r->kind = !strcmp(w[0], "signal") ? CW_KIND_SIGNAL : CW_KIND_OBLIGATION;
        ps->kind_line = ps->line;
        return CW_OK;
    }
    if (!strcmp(kw, "start"))
        return clause(ps, CW_ROLE_START, 0, w, nw);
    if (!strcmp(kw, "met_by"))
        return clause(ps, CW_ROLE_MET, 0, w, nw);
    if (!strcmp(kw, "stop"))
        return clause(ps, CW_ROLE_STOP, 0, w, nw);
    if (!strcmp(kw, "by"))
        return clause(ps, CW_ROLE_STOP, 1, w, nw);
    if (!strcmp(kw, "due"))
        return kw_due(ps, w, nw);
    if (!strcmp(kw, "then"))
        return kw_then(ps, w, nw);
    if (!strcmp(kw, "count"))
        return kw_count(ps, w, nw);
    if (!strcmp(kw, "since"))
        return kw_since(ps, w, nw);
    if (!strcmp(kw, "age"))
        return kw_age(ps, w, nw);
    return kw_lookback(ps, w, nw);
}

/* ---- after the last line: the per-type tables the engine walks ---- */

/* Looked up once per event per evaluation, so cheap: the length and three
 * bytes pick the slot (collisions probe on), one memcmp confirms. */
static uint32_t type_hash(const char *s, size_t n)
{
    return (uint32_t)n * 31u ^ (uint32_t)(uint8_t)s[0] * 7u ^ (uint32_t)(uint8_t)s[n / 2] * 17u ^
           (uint32_t)(uint8_t)s[n - 1] * 131u;
}

int cw_rules_pack_type(const cw_rule_pack *p, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255)
        return -1;
    uint32_t h = type_hash(name, n) & (CW_RULES_TYPE_SLOTS - 1);
    for (;;) {
        int t = p->type_slots[h];
        if (t < 0)
            return -1;
        if (p->type_slot_len[h] == n && !memcmp(cw_rules_types[t].name, name, n))
            return t;
        h = (h + 1) & (CW_RULES_TYPE_SLOTS - 1);
    }
}

static cw_rc build_tables(parser *ps)
{
    cw_rule_pack *p = ps->p;
    size_t nt = cw_rules_ntypes;
    for (size_t i = 0; i < CW_RULES_TYPE_SLOTS; i++)
        p->type_slots[i] = -1;
    for (size_t t = 0; t < nt; t++) {
        size_t n = strlen(cw_rules_types[t].name);
        uint32_t h = type_hash(cw_rules_types[t].name, n) & (CW_RULES_TYPE_SLOTS - 1);
        while (p->type_slots[h] >= 0)
            h = (h + 1) & (CW_RULES_TYPE_SLOTS - 1);
        p->type_slots[h] = (int16_t)t;
        p->type_slot_len[h] = (uint8_t)n;
    }
    p->type_first = calloc(nt, sizeof *p->type_first);
    p->type_n = calloc(nt, sizeof *p->type_n);
    p->type_mfirst = calloc(nt, sizeof *p->type_mfirst);
    p->type_mn = calloc(nt, sizeof *p->type_mn);
    p->entries = calloc(p->nclauses ? p->nclauses : 1, sizeof *p->entries);
    p->type_m = calloc(p->nmatchers ? p->nmatchers : 1, sizeof *p->type_m);
    if (!p->type_first || !p->type_n || !p->type_mfirst || !p->type_mn || !p->entries || !p->type_m)
        return cw_error_set(ps->err, CW_ENOMEM, "out of memory loading %s", ps->source);
    static const cw_role order[] = {CW_ROLE_MET, CW_ROLE_STOP, CW_ROLE_START};
    size_t nm = 0;
    for (size_t t = 0; t < nt; t++) {
        p->type_first[t] = (uint32_t)p->nentries;
        for (size_t r = 0; r < p->nrules; r++) {
            const cw_rule *ru = &p->rules[r];
            for (size_t o = 0; o < 3; o++)
                for (uint32_t c = ru->first_clause; c < ru->first_clause + ru->nclauses; c++)
                    if (p->clauses[c].role == order[o] &&
                        p->matchers[p->clauses[c].matcher].type == (int)t)
                        p->entries[p->nentries++] = (cw_entry){(uint32_t)r, c};
        }
        p->type_n[t] = (uint32_t)(p->nentries - p->type_first[t]);
        p->type_mfirst[t] = (uint32_t)nm;
        for (size_t m = 0; m < p->nmatchers; m++)
            if (p->matchers[m].type == (int)t)
                p->type_m[nm++] = (uint32_t)m;
        p->type_mn[t] = (uint32_t)(nm - p->type_mfirst[t]);
    }
    return CW_OK;
}

cw_rc cw_rules_load(const char *text, size_t len, const char *source, cw_rule_pack **out,
                    cw_error *err)
{
    *out = NULL;
    if (!source)
        source = "(rules)";
    if (len > CW_RULES_MAX_PACK_BYTES)
        return cw_error_set(err, CW_ETOOBIG, "%s: larger than %u bytes", source,
                            CW_RULES_MAX_PACK_BYTES);
    cw_rule_pack *p = calloc(1, sizeof *p);
    if (!p || !(p->text = malloc(len + 1))) {
        free(p);
        return cw_error_set(err, CW_ENOMEM, "out of memory loading %s", source);
    }
    memcpy(p->text, text, len);
    cw_sha256_hex(text, len, p->digest);
    p->text[len] = '\0';
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = p;
    ps.source = source;
    ps.err = err;
    cw_rc rc = cw_directives_each(p->text, len, source, CW_RULES_MAX_LINE, on_directive, &ps, err);
    if (!rc)
        rc = finish_rule(&ps);
    if (!rc && !p->name)
        rc = cw_error_set(err, CW_EINVAL, "%s: no pack line", source);
    if (!rc && !p->nrules)
        rc = cw_error_set(err, CW_EINVAL, "%s: no rules", source);
    if (!rc)
        rc = build_tables(&ps);
    if (rc) {
        cw_rules_free(p);
        return rc;
    }
    *out = p;
    return CW_OK;
}
