/*
 * retention.c — retention rules as data, the report of records due for destruction,
 * and their proposal as erasures (retention.h, docs/privacy.md "Retention").
 *
 * A child's classes of record are read from the projections, which hold facts only:
 * the records table (assessments, enquiries, conferences, plans, ...) and the child's
 * events of the kinds that matter (looked after, care leaver, closure, reopening).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/retention.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/time.h"

/* Embedded at build time from rules/retention-wales.txt and rules/retention-england.txt. */
extern const char cw_retention_wales[];
extern const char cw_retention_england[];

static const char *const CLASSES[] = {"looked_after", "child_protection", "child_in_need",
                                      "contact_only", NULL};

/* ---- the rules file ---- */

/* The next whitespace-separated token of line at *pos, or NULL. */
static const char *token(char *line, size_t *pos)
{
    size_t i = *pos;
    while (line[i] == ' ' || line[i] == '\t')
        i++;
    if (!line[i])
        return NULL;
    size_t start = i;
    while (line[i] && line[i] != ' ' && line[i] != '\t')
        i++;
    if (line[i])
        line[i++] = '\0';
    *pos = i;
    return line + start;
}

static int number(const char *s, int max, int *out)
{
    int v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > max)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int known_class(const char *s)
{
    for (const char *const *c = CLASSES; *c; c++)
        if (!strcmp(*c, s))
            return 1;
    return 0;
}

/* One `rule` line after its keyword. */
static cw_rc parse_rule(char *line, size_t pos, const char *name, unsigned lineno,
                        cw_retention_rule *r, cw_error *err)
{
    memset(r, 0, sizeof *r);
    const char *id = token(line, &pos), *cls = token(line, &pos), *trig = token(line, &pos);
    const char *years = token(line, &pos), *next = token(line, &pos);
    if (!id || strlen(id) >= sizeof r->id)
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule: an identifier (up to %zu characters) "
                            "is required",
                            name, lineno, sizeof r->id - 1);
    snprintf(r->id, sizeof r->id, "%s", id);
    if (!cls || !known_class(cls))
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule %s: records \"%.32s\" is not one of looked_after, "
                            "child_protection, child_in_need, contact_only",
                            name, lineno, id, cls ? cls : "");
    snprintf(r->records, sizeof r->records, "%s", cls);
    if (!trig || (strcmp(trig, "birthday") && strcmp(trig, "closure")))
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule %s: the trigger \"%.32s\" is not birthday or closure",
                            name, lineno, id, trig ? trig : "");
    r->trigger = !strcmp(trig, "birthday") ? CW_RETAIN_BIRTHDAY : CW_RETAIN_CLOSURE;
    if (number(years, 150, &r->years))
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule %s: \"%.32s\" is not a number of years "
                            "(0-150)",
                            name, lineno, id, years ? years : "");
    if (next && !strcmp(next, "older")) {
        const char *age = token(line, &pos), *y2 = token(line, &pos);
        if (r->trigger != CW_RETAIN_BIRTHDAY)
            return cw_error_set(err, CW_EINVAL,
                                "%s:%u: rule %s: older goes with a birthday "
                                "trigger",
                                name, lineno, id);
        if (number(age, 150, &r->older_age) || number(y2, 150, &r->older_years))
            return cw_error_set(err, CW_EINVAL, "%s:%u: rule %s: older AGE YEARS: two numbers",
                                name, lineno, id);
        next = token(line, &pos);
    }
    if (!next || (strcmp(next, "statutory") && strcmp(next, "schedule")))
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule %s: the basis \"%.32s\" is not statutory or schedule",
                            name, lineno, id, next ? next : "");
    r->statutory = !strcmp(next, "statutory");
    while (line[pos] == ' ' || line[pos] == '\t')
        pos++;
    if (!line[pos])
        return cw_error_set(err, CW_EINVAL,
                            "%s:%u: rule %s: the source is required (the "
                            "statute, regulation or schedule, cited)",
                            name, lineno, id);
    if (strlen(line + pos) >= sizeof r->source)
        return cw_error_set(err, CW_ETOOBIG,
                            "%s:%u: rule %s: the source is longer than %zu "
                            "characters",
                            name, lineno, id, sizeof r->source - 1);
    snprintf(r->source, sizeof r->source, "%s", line + pos);
    return CW_OK;
}

cw_rc cw_retention_load(const char *text, size_t len, const char *name, cw_retention_rules *out,
                        cw_error *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    unsigned lineno = 0;
    char line[1024];
    cw_rc rc = CW_OK;
    for (size_t at = 0; !rc && at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        lineno++;
        if (memchr(text + at, '\0', n)) {
            rc = cw_error_set(err, CW_EINVAL, "%s:%u: contains a NUL character", name, lineno);
            break; /* the rules read so far are released below */
        }
        if (n >= sizeof line) {
            rc = cw_error_set(err, CW_ETOOBIG, "%s:%u: longer than %zu characters", name, lineno,
                              sizeof line - 1);
            break;
        }
        memcpy(line, text + at, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        at += n + 1;
        size_t pos = 0;
        const char *kw = token(line, &pos);
        if (!kw || kw[0] == '#')
            continue;
        if (!strcmp(kw, "nation")) {
            const char *v = token(line, &pos);
            if (!v || strlen(v) >= sizeof out->nation)
                rc =
                    cw_error_set(err, CW_EINVAL, "%s:%u: nation: a name is required", name, lineno);
            else
                snprintf(out->nation, sizeof out->nation, "%s", v);
        } else if (!strcmp(kw, "rule")) {
            if (cw_array_grow(&out->v, &cap, out->n, sizeof *out->v)) {
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
                break;
            }
            if (!(rc = parse_rule(line, pos, name, lineno, &out->v[out->n], err))) {
                for (size_t i = 0; i < out->n; i++)
                    if (!strcmp(out->v[i].id, out->v[out->n].id))
                        rc = cw_error_set(err, CW_EINVAL, "%s:%u: rule %s is defined twice", name,
                                          lineno, out->v[i].id);
                out->n += !rc;
            }
        } else {
            rc = cw_error_set(err, CW_EINVAL, "%s:%u: \"%.32s\" is not nation or rule", name,
                              lineno, kw);
        }
    }
    if (!rc && out->n == 0)
        rc = cw_error_set(err, CW_EINVAL, "%s: no rule lines", name);
    if (rc)
        cw_retention_rules_release(out);
    return rc;
}

cw_rc cw_retention_load_builtin(const char *nation, cw_retention_rules *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    if (nation && !strcmp(nation, "wales"))
        return cw_retention_load(cw_retention_wales, strlen(cw_retention_wales),
                                 "rules/retention-wales.txt", out, err);
    if (nation && !strcmp(nation, "england"))
        return cw_retention_load(cw_retention_england, strlen(cw_retention_england),
                                 "rules/retention-england.txt", out, err);
    return cw_error_set(err, CW_ENOTFOUND,
                        "retention rules \"%.32s\": no such built-in rules (wales, england)",
                        nation ? nation : "");
}

void cw_retention_rules_release(cw_retention_rules *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

void cw_retention_report_release(cw_retention_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof *rep);
}

/* ---- one child ---- */

typedef struct facts {
    int looked_after, child_protection, child_in_need, contact;
    cw_date closed; /* the latest case_closed */
    int has_closed;
} facts;

static cw_rc fact_row(void *ctx, const cw_value *c, size_t n)
{
    facts *f = ctx;
    char kind[32], status[64], day[16];
    cw_date d = 0;
    if (n < 3)
        return CW_EDB;
    cw_value_copy(&c[0], kind, sizeof kind);
    cw_value_copy(&c[1], status, sizeof status);
    if (cw_value_copy(&c[2], day, sizeof day) > 0)
        cw_date_parse(day, strlen(day), &d);
    if (!strcmp(kind, "event")) {
        if (!strcmp(status, "looked_after_started") || !strcmp(status, "leaving_care_status"))
            f->looked_after = 1;
        else if (!strcmp(status, "conference_held") || !strcmp(status, "section_47_started"))
            f->child_protection = f->child_in_need = 1;
        else if (!strcmp(status, "case_closed") && (!f->has_closed || d > f->closed)) {
            f->closed = d;
            f->has_closed = 1;
        }
    } else if (!strcmp(kind, "contact") || !strcmp(kind, "referral")) {
        f->contact = 1;
    } else if (strcmp(kind, "erasure") != 0) {
        /* assessment, strategy_discussion, section_47, conference, plan, missing_episode */
        f->child_in_need = 1;
        if (!strcmp(kind, "section_47") || !strcmp(kind, "conference") ||
            (!strcmp(kind, "plan") && !strncmp(status, "child_protection", 16)))
            f->child_protection = 1;
    }
    return CW_OK;
}

static int in_class(const facts *f, const char *cls)
{
    if (!strcmp(cls, "looked_after"))
        return f->looked_after;
    if (!strcmp(cls, "child_protection"))
        return f->child_protection;
    if (!strcmp(cls, "child_in_need"))
        return f->child_in_need;
    return !f->looked_after && !f->child_protection && !f->child_in_need; /* contact_only */
}

/* The years-th anniversary of d (29 February: 1 March in a common year, never earlier). */
static cw_date anniversary(cw_date d, int years)
{
    int y;
    unsigned m, day;
    cw_date_to_ymd(d, &y, &m, &day);
    cw_date a = cw_date_add_months(d, 12 * years);
    return m == 2 && day == 29 && a == cw_date_from_ymd(y + years, 2, 28) ? a + 1 : a;
}

/* Whole years from birth to day. */
static int age_on(cw_date dob, cw_date day)
{
    int y1, y2;
    unsigned m1, d1, m2, d2;
    cw_date_to_ymd(dob, &y1, &m1, &d1);
    cw_date_to_ymd(day, &y2, &m2, &d2);
    return y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
}

typedef struct kid {
    char id[65];
    cw_date dob;
    int closed;
} kid;

static cw_rc due_for(cw_store *s, const cw_retention_rules *r, const kid *k, cw_date *due,
                     const cw_retention_rule **rule, int *found, cw_error *err)
{
    facts f;
    memset(&f, 0, sizeof f);
    *found = 0;
    *rule = NULL;
    cw_value key = cw_text(k->id);
    cw_rc rc = cw_store_run(s, CW_Q_CHILD_RETENTION, &key, 1, fact_row, &f, NULL, err);
    if (rc || !k->closed || !f.has_closed)
        return rc; /* an open case is in use: never due */
    for (size_t i = 0; i < r->n; i++) {
        const cw_retention_rule *ru = &r->v[i];
        if (!in_class(&f, ru->records))
            continue;
        cw_date d;
        if (ru->trigger == CW_RETAIN_CLOSURE)
            d = anniversary(f.closed, ru->years);
        else if (ru->older_years && age_on(k->dob, f.closed) >= ru->older_age)
            d = anniversary(k->dob, ru->older_years);
        else
            d = anniversary(k->dob, ru->years);
        if (!*found || d > *due) {
            *due = d;
            *rule = ru;
            *found = 1;
        }
    }
    return CW_OK;
}

static cw_rc child_get_row(void *ctx, const cw_value *c, size_t n)
{
    kid *k = ctx;
    char buf[16], status[16];
    if (n < 2 || cw_value_copy(&c[0], buf, sizeof buf) <= 0 ||
        cw_date_parse(buf, strlen(buf), &k->dob))
        return CW_EDB;
    cw_value_copy(&c[1], status, sizeof status);
    k->closed = !strcmp(status, "closed");
    return CW_OK;
}

cw_rc cw_retention_child(cw_store *s, const cw_retention_rules *r, const char *child, cw_date *due,
                         const cw_retention_rule **rule, int *found, cw_error *err)
{
    kid k;
    memset(&k, 0, sizeof k);
    *found = 0;
    if (strlen(child) >= sizeof k.id)
        return cw_error_set(err, CW_EINVAL, "child_id: not an identifier");
    snprintf(k.id, sizeof k.id, "%s", child);
    k.dob = INT32_MIN;
    cw_value key = cw_text(child);
    cw_rc rc = cw_store_run(s, CW_Q_CHILD_GET, &key, 1, child_get_row, &k, NULL, err);
    if (!rc && k.dob == INT32_MIN)
        return cw_error_set(err, CW_ENOTFOUND, "child_id: no child %s is registered", child);
    return rc ? rc : due_for(s, r, &k, due, rule, found, err);
}

/* ---- every child ---- */

typedef struct kids {
    kid *v;
    size_t n, cap;
} kids;

static cw_rc all_row(void *ctx, const cw_value *c, size_t n)
{
    kids *l = ctx;
    char buf[16], status[16];
    if (n < 4)
        return CW_EDB;
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    kid *k = &l->v[l->n];
    if (cw_value_copy(&c[0], k->id, sizeof k->id) <= 0 ||
        cw_value_copy(&c[1], buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), &k->dob))
        return CW_EDB;
    cw_value_copy(&c[3], status, sizeof status);
    k->closed = !strcmp(status, "closed");
    l->n++;
    return CW_OK;
}

static cw_rc pending_row(void *ctx, const cw_value *c, size_t n)
{
    char *out = ctx, basis[32];
    if (n >= 2 && !out[0] && cw_value_copy(&c[1], basis, sizeof basis) > 0 &&
        !strcmp(basis, "retention_schedule"))
        cw_value_copy(&c[0], out, 65);
    return CW_OK;
}

cw_rc cw_retention_due_on(cw_store *s, const cw_retention_rules *r, cw_date as_of,
                          cw_retention_report *out, cw_error *err)
{
    kids l = {0};
    memset(out, 0, sizeof *out);
    cw_rc rc = cw_store_run(s, CW_Q_CHILDREN_ALL, NULL, 0, all_row, &l, NULL, err);
    if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    for (size_t i = 0; !rc && i < l.n; i++) {
        cw_date due = 0;
        const cw_retention_rule *rule;
        int found, any;
        if ((rc = due_for(s, r, &l.v[i], &due, &rule, &found, err)) || !found || due > as_of)
            continue;
        /* Nothing personal left: destroyed already (or never held apart from the log). */
        if ((rc = cw_casework_erasable(s, l.v[i].id, &any, err)) || !any)
            continue;
        if (cw_array_grow(&out->v, &out->cap, out->n, sizeof *out->v)) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            break;
        }
        cw_retention_due *d = &out->v[out->n++];
        memset(d, 0, sizeof *d);
        snprintf(d->child, sizeof d->child, "%s", l.v[i].id);
        d->rule = rule;
        d->due = due;
        if ((rc = cw_casework_hold_covering(s, d->child, as_of, &d->hold, err)))
            break;
        cw_value key = cw_text(d->child);
        rc =
            cw_store_run(s, CW_Q_ERASURES_PENDING_OF, &key, 1, pending_row, d->proposed, NULL, err);
    }
    free(l.v);
    if (rc)
        cw_retention_report_release(out);
    return rc;
}

/* ---- proposing ---- */

cw_rc cw_retention_propose(cw_ledger *l, const cw_retention_rules *r, cw_date as_of,
                           const char *actor, size_t *proposed, cw_error *err)
{
    cw_retention_report rep = {0};
    *proposed = 0;
    cw_rc rc = cw_casework_begin(l, err);
    if (rc)
        return rc;
    uint64_t base = cw_ledger_size(l);
    cw_date today = (cw_date)(cw_ledger_batch_ms(l) / 86400000);
    char day[CW_DATE_LEN + 1], due[CW_DATE_LEN + 1], asof[CW_DATE_LEN + 1];
    cw_date_format(today, day);
    cw_date_format(as_of, asof);
    if (as_of > today)
        rc = cw_error_set(err, CW_EUSAGE,
                          "--as-of %s is after today (%s): a record is proposed for destruction "
                          "only once it is due",
                          asof, day);
    if (!rc)
        rc = cw_retention_due_on(cw_ledger_store(l), r, as_of, &rep, err);
    for (size_t i = 0; !rc && i < rep.n; i++) {
        const cw_retention_due *d = &rep.v[i];
        if (d->hold.found || d->proposed[0])
            continue;
        char id[64], reason[1000];
        snprintf(id, sizeof id, "RET-%" PRIu64 "-%zu", base, *proposed + 1);
        cw_date_format(d->due, due);
        snprintf(reason, sizeof reason,
                 "Due for destruction on %s under retention rule %s (%s: %s)", due, d->rule->id,
                 d->rule->statutory ? "statutory minimum" : "council schedule", d->rule->source);
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "erasure_id", id, "child_id",
                              d->child, "date", day, "lawful_basis", "retention_schedule",
                              "requested_by", "caseward retention", "reason", reason);
        if (!p) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            break;
        }
        cw_event ev = {actor, "erasure_proposed", p};
        rc = cw_casework_submit(l, &ev, NULL, err);
        json_decref(p);
        if (rc)
            cw_error_prefix(err, "%s: ", d->child);
        else
            (*proposed)++;
    }
    cw_retention_report_release(&rep);
    if (rc || *proposed == 0) { /* nothing to record: no entry, no checkpoint */
        cw_casework_abort(l);
        return rc;
    }
    uint64_t size;
    return cw_casework_commit(l, &size, err);
}
