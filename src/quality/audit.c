/*
 * audit.c — case-file audits over the store: building a programme's framework
 * facts, drawing a sample (and drawing it again from an export), and a
 * programme's figures. Every figure is an integer count, or a percentage
 * rounded from integers (cw_audit_percent), so the same log gives the same
 * report on any machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "ledger/ledger.h"
#include "ledger/note.h"
#include "util/file.h"
#include "quality/audit.h"
#include "util/json.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

cw_rc cw_audit_framework_facts(const cw_audit_framework *f, json_t *p, cw_error *err)
{
    json_t *themes = json_array(), *critical = json_array();
    int bad = !themes || !critical;
    for (size_t i = 0; !bad && i < f->nthemes; i++)
        bad = json_array_append_new(themes, json_string(f->themes[i].id)) != 0;
    for (size_t i = 0; !bad && i < f->ngrades; i++)
        if (f->grades[i].critical) {
            char g[24];
            snprintf(g, sizeof g, "%d", f->grades[i].value);
            bad = json_array_append_new(critical, json_string(g)) != 0;
        }
    if (!bad)
        bad = json_object_set_new(p, "framework", json_string(f->id)) ||
              json_object_set_new(p, "framework_sha256", json_string(f->sha256)) ||
              json_object_set(p, "themes", themes) || json_object_set(p, "critical", critical) ||
              json_object_set_new(p, "grades", json_integer((json_int_t)f->ngrades));
    json_decref(themes);
    json_decref(critical);
    return bad ? cw_error_set(err, CW_ENOMEM, "out of memory") : CW_OK;
}

/* ---- drawing a sample ---- */

typedef struct candidates {
    cw_audit_candidate *c;
    size_t n, cap;
    const json_t *teams, *types;
} candidates;

static int in_list(const json_t *list, const char *s)
{
    if (!list)
        return 1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *x = json_string_value(json_array_get(list, i));
        if (x && !strcmp(x, s))
            return 1;
    }
    return 0;
}

static cw_rc candidate_row(void *ctx, const cw_value *c, size_t n)
{
    candidates *cs = ctx;
    cw_audit_candidate x;
    if (n < 3 || cw_value_copy(&c[0], x.child_id, sizeof x.child_id) <= 0 ||
        cw_value_copy(&c[1], x.team, sizeof x.team) < 0 ||
        cw_value_copy(&c[2], x.case_type, sizeof x.case_type) <= 0)
        return CW_EDB;
    if (!in_list(cs->teams, x.team) || !in_list(cs->types, x.case_type))
        return CW_OK;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 256;
        cw_audit_candidate *m = realloc(cs->c, cap * sizeof *m);
        if (!m)
            return CW_ENOMEM;
        cs->c = m;
        cs->cap = cap;
    }
    cs->c[cs->n++] = x;
    return CW_OK;
}

typedef struct names {
    char (*id)[65];
    size_t n;
} names;

static cw_rc name_row(void *ctx, const cw_value *c, size_t n)
{
    names *a = ctx;
    if (n < 1 || a->n >= 50)
        return CW_OK;
    cw_value_copy(&c[0], a->id[a->n++], 65);
    return CW_OK;
}

/* Whether staff_id is the child's worker or above the worker in the management chain. */
static cw_rc involved(cw_store *s, const char *child, const char *staff_id, int *yes, cw_error *err)
{
    cw_child_info ci;
    *yes = 0;
    cw_rc rc = cw_casework_child(s, child, &ci, err);
    char cur[65];
    snprintf(cur, sizeof cur, "%s", rc ? "" : ci.worker);
    for (int depth = 0; !rc && depth < 64 && cur[0]; depth++) {
        if (!strcmp(cur, staff_id)) {
            *yes = 1;
            break;
        }
        cw_staff_info si;
        if (!(rc = cw_casework_staff(s, cur, &si, err)))
            snprintf(cur, sizeof cur, "%s", si.found ? si.manager : "");
    }
    return rc;
}

static cw_rc assign(cw_store *s, const char *child, const names *aud, const char *drawn_by,
                    size_t *load, size_t *out, cw_error *err)
{
    size_t best = aud->n;
    for (size_t i = 0; i < aud->n; i++) {
        int yes;
        if (drawn_by && !strcmp(drawn_by, aud->id[i]))
            continue;
        cw_rc rc = involved(s, child, aud->id[i], &yes, err);
        if (rc)
            return rc;
        if (!yes && (best == aud->n || load[i] < load[best]))
            best = i;
    }
    if (best == aud->n)
        return cw_error_set(err, CW_EINVAL,
                            "cases: %s: none of the programme's auditors is independent of the "
                            "case (each works on it or manages its worker) but the one drawing "
                            "the sample; add an auditor",
                            child);
    load[best]++;
    *out = best;
    return CW_OK;
}

static cw_rc programme_exists(void *ctx, const cw_value *c, size_t n)
{
    (void)c, (void)n;
    *(int *)ctx = 1;
    return CW_OK;
}

cw_rc cw_audit_draw(cw_store *s, uint64_t log_size, const cw_audit_draw_opts *o, json_t **payload,
                    cw_error *err)
{
    *payload = NULL;
    int found = 0;
    cw_value k = cw_text(o->programme_id);
    cw_rc rc =
        cw_store_run(s, CW_Q_AUDIT_PROGRAMME_GET, &k, 1, programme_exists, &found, NULL, err);
    if (!rc && !found)
        return cw_error_key(err, CW_ENOTFOUND, "no_programme", "programme_id", o->programme_id,
                            NULL);
    if (rc)
        return rc;
    char aud_ids[50][65];
    names aud = {aud_ids, 0};
    if ((rc = cw_store_run(s, CW_Q_AUDIT_AUDITORS_OF, &k, 1, name_row, &aud, NULL, err)))
        return rc;
    char since[CW_DATE_LEN + 1];
    cw_date_format(cw_date_add_months(o->on, -12), since);
    candidates cs = {NULL, 0, 0, o->teams, o->case_types};
    cw_value sk = cw_text(since);
    if ((rc = cw_store_run(s, CW_Q_AUDIT_CANDIDATES, &sk, 1, candidate_row, &cs, NULL, err))) {
        free(cs.c);
        return rc == CW_ENOMEM ? cw_error_set(err, rc, "out of memory") : rc;
    }
    size_t *picked = malloc((cs.n ? cs.n : 1) * sizeof *picked), npicked = 0;
    if (!picked)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc)
        rc = cw_audit_sample(cs.c, cs.n, o->seed, o->size, o->minimum, picked, &npicked, err);
    if (!rc && npicked > 50)
        rc = cw_error_set(err, CW_EINVAL,
                          "the minimum per team and case type draws %zu cases; a sample holds at "
                          "most 50: draw with a smaller --minimum, or fewer teams or case types",
                          npicked);
    json_t *p = json_object(), *cases = json_array(), *assigned = json_array();
    if (!rc && (!p || !cases || !assigned))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    size_t load[50] = {0};
    for (size_t i = 0; !rc && i < npicked; i++) {
        size_t a = 0;
        const char *child = cs.c[picked[i]].child_id;
        if (!(rc = assign(s, child, &aud, o->drawn_by, load, &a, err)) &&
            (json_array_append_new(cases, json_string(child)) ||
             json_array_append_new(assigned, json_string(aud.id[a]))))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    char day[CW_DATE_LEN + 1];
    cw_date_format(o->on, day);
    if (!rc &&
        (json_object_set_new(p, "programme_id", json_string(o->programme_id)) ||
         json_object_set_new(p, "date", json_string(day)) ||
         json_object_set_new(p, "seed", json_string(o->seed)) ||
         json_object_set_new(p, "log_size", json_integer((json_int_t)log_size)) ||
         json_object_set_new(p, "size", json_integer((json_int_t)o->size)) ||
         json_object_set_new(p, "minimum", json_integer((json_int_t)o->minimum)) ||
         (o->teams && json_object_set_new(p, "teams", json_deep_copy(o->teams))) ||
         (o->case_types && json_object_set_new(p, "case_types", json_deep_copy(o->case_types))) ||
         json_object_set(p, "cases", cases) || json_object_set(p, "assigned", assigned)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    json_decref(cases);
    json_decref(assigned);
    free(picked);
    free(cs.c);
    if (rc)
        json_decref(p);
    else
        *payload = p;
    return rc;
}

/* ---- drawing it again from an export ---- */

typedef struct sample_scan {
    const char *programme_id;
    json_t *found; /* array of {idx, payload} */
} sample_scan;

/* Whether len bytes at s hold the NUL-terminated needle. */
static int holds(const uint8_t *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (s[i] == (uint8_t)needle[0] && !memcmp(s + i, needle, n))
            return 1;
    return 0;
}

static cw_rc sample_entry(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                          const uint8_t *leaf, size_t llen)
{
    (void)hashes, (void)hlen;
    sample_scan *sc = ctx;
    /* Cheap test first: only leaves that name the event type are parsed. */
    if (!holds(leaf, llen, "\"audit_sample_drawn\""))
        return CW_OK;
    json_t *root = json_loadb((const char *)leaf, llen, 0, NULL);
    const json_t *p = json_object_get(root, "payload");
    if (root && !strcmp(str(root, "type") ? str(root, "type") : "", "audit_sample_drawn") &&
        !strcmp(str(p, "programme_id") ? str(p, "programme_id") : "", sc->programme_id)) {
        json_t *one = json_pack("{sIsOss}", "idx", (json_int_t)idx, "payload", p, "actor",
                                str(root, "actor") ? str(root, "actor") : "");
        if (!one || json_array_append_new(sc->found, one)) {
            json_decref(root);
            return CW_ENOMEM;
        }
    }
    json_decref(root);
    return CW_OK;
}

/*
 * The export's entries must be the log its signed checkpoint names: the checkpoint (dir/checkpoint)
 * signed by vkey (the text of a vkey file; NULL: dir/vkey, the export's own), and the first n
 * entries hashing to its root, n its size.
 */
static cw_rc check_export(const char *dir, const char *vkey, uint64_t n,
                          const uint8_t root[CW_HASH_LEN], cw_error *err)
{
    return cw_ledger_export_check(dir, vkey, n, root, err);
}

static size_t opt_size(const json_t *p, const char *k)
{
    return (size_t)json_integer_value(json_object_get(p, k));
}

cw_rc cw_audit_redraw(const char *dir, const char *vkey, const char *programme_id, cw_buf *out,
                      cw_error *err)
{
    cw_store *s = NULL;
    uint8_t root[CW_HASH_LEN];
    uint64_t n = 0, applied = 0;
    size_t differ = 0;
    sample_scan sc = {programme_id, json_array()};
    cw_rc rc = sc.found ? cw_store_open_scratch(NULL, &s, err)
                        : cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc && !(rc = cw_store_begin(s, err))) {
        if (!(rc = cw_ledger_export_load(dir, s, UINT64_MAX, &n, root, err)) &&
            !(rc = check_export(dir, vkey, n, root, err)))
            rc = cw_store_entry_scan(s, 0, (int64_t)n, sample_entry, &sc, err);
        if (rc == CW_ENOMEM)
            cw_error_set(err, rc, "out of memory");
        if (!rc && json_array_size(sc.found) == 0)
            rc = cw_error_set(err, CW_ENOTFOUND,
                              "the export holds no sample drawn for programme %s", programme_id);
        for (size_t i = 0; !rc && i < json_array_size(sc.found); i++) {
            const json_t *one = json_array_get(sc.found, i);
            const json_t *p = json_object_get(one, "payload");
            uint64_t size = (uint64_t)json_integer_value(json_object_get(p, "log_size"));
            json_int_t idx = json_integer_value(json_object_get(one, "idx"));
            cw_date on = 0;
            const char *d = str(p, "date");
            if (size < applied || size > n || !d || cw_date_parse(d, strlen(d), &on)) {
                rc = cw_error_set(err, CW_EVERIFY,
                                  "sample #%" PRId64 ": its log_size or date cannot be drawn "
                                  "from",
                                  (int64_t)idx);
                break;
            }
            if ((rc = cw_casework_replay(s, applied, size, err)))
                break;
            applied = size;
            cw_audit_draw_opts o = {programme_id,
                                    str(p, "seed"),
                                    opt_size(p, "size"),
                                    opt_size(p, "minimum"),
                                    json_object_get(p, "teams"),
                                    json_object_get(p, "case_types"),
                                    on,
                                    str(one, "actor")};
            json_t *again = NULL;
            if ((rc = cw_audit_draw(s, size, &o, &again, err)))
                break;
            int same =
                json_equal(json_object_get(again, "cases"), json_object_get(p, "cases")) &&
                json_equal(json_object_get(again, "assigned"), json_object_get(p, "assigned"));
            differ += !same;
            rc = cw_buf_addf(out,
                             "sample #%" PRId64 " (seed %s, drawn on %s from %" PRIu64
                             " entries): %s %zu cases\n",
                             (int64_t)idx, str(p, "seed"), d, size,
                             same ? "drawn again, the same" : "DIFFERS: drawn again, other",
                             json_array_size(json_object_get(again, "cases")));
            json_decref(again);
            /* The sample's own entry, and the rest up to the next sample's point. */
        }
        cw_store_rollback(s);
    }
    cw_store_close(s);
    json_decref(sc.found);
    if (!rc && differ)
        rc = cw_error_set(err, CW_EVERIFY, "%zu sample(s) of programme %s differ when drawn again",
                          differ, programme_id);
    return rc;
}

/* ---- a programme's figures ---- */

typedef struct prog_row {
    int found;
    char title[201], starts[CW_DATE_LEN + 1], ends[CW_DATE_LEN + 1], framework[33];
    char themes[600], critical[64], sha256[65];
    int64_t grades;
} prog_row;

static cw_rc prog_get_row(void *ctx, const cw_value *c, size_t n)
{
    prog_row *r = ctx;
    if (n < 11)
        return CW_EDB;
    r->found = 1;
    cw_value_copy(&c[0], r->title, sizeof r->title);
    cw_value_copy(&c[2], r->starts, sizeof r->starts);
    cw_value_copy(&c[3], r->ends, sizeof r->ends);
    cw_value_copy(&c[4], r->framework, sizeof r->framework);
    cw_value_copy(&c[5], r->sha256, sizeof r->sha256);
    cw_value_copy(&c[6], r->themes, sizeof r->themes);
    r->grades = c[7].i;
    cw_value_copy(&c[8], r->critical, sizeof r->critical);
    return r->grades >= 2 && r->grades <= CW_AUDIT_MAX_GRADES ? CW_OK : CW_EDB;
}

typedef struct case_info {
    char child[65], auditor[65], team[65];
    int completed, moderated;
    int64_t overall;
} case_info;

typedef struct case_list {
    case_info *v;
    size_t n, cap;
} case_list;

static cw_rc case_list_row(void *ctx, const cw_value *c, size_t n)
{
    case_list *l = ctx;
    if (n < 10)
        return CW_EDB;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        case_info *m = realloc(l->v, cap * sizeof *m);
        if (!m)
            return CW_ENOMEM;
        l->v = m;
        l->cap = cap;
    }
    case_info *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    cw_value_copy(&c[0], x->child, sizeof x->child);
    cw_value_copy(&c[1], x->auditor, sizeof x->auditor);
    cw_value_copy(&c[4], x->team, sizeof x->team);
    x->completed = c[5].type != CW_V_NULL;
    x->overall = c[6].type == CW_V_INT ? c[6].i : 0;
    x->moderated = c[8].type != CW_V_NULL;
    return CW_OK;
}

static const case_info *find_case(const case_list *l, const char *child)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].child, child))
            return &l->v[i];
    return NULL;
}

/* Counts per grade, keyed by a name (a theme, a team, an auditor). */
typedef struct tally {
    char key[65];
    size_t count[CW_AUDIT_MAX_GRADES + 1];
    size_t total;
} tally;

typedef struct tallies {
    tally *v;
    size_t n, cap;
} tallies;

/* The tally of key, added if new; NULL only when out of memory. */
static tally *tally_of(tallies *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].key, key))
            return &t->v[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        tally *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    tally *x = &t->v[t->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->key, sizeof x->key, "%s", key);
    return x;
}

static void count(tally *t, int64_t g)
{
    if (t && g >= 1 && g <= CW_AUDIT_MAX_GRADES) {
        t->count[g]++;
        t->total++;
    }
}

static json_t *distribution(const tally *t, int64_t grades, const cw_audit_framework *f)
{
    json_t *list = json_array();
    for (int64_t g = 1; list && g <= grades; g++) {
        char pct[8];
        cw_audit_percent(t->count[g], t->total, pct);
        json_t *one = json_pack("{sIsIss}", "grade", (json_int_t)g, "count",
                                (json_int_t)t->count[g], "percent", pct);
        if (one && f && (size_t)g <= f->ngrades)
            json_object_set_new(one, "label", json_string(f->grades[g - 1].label));
        if (!one || json_array_append_new(list, one)) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *tally_list(const tallies *t, const char *name, int64_t grades,
                          const cw_audit_framework *f)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->n; i++) {
        json_t *one =
            json_pack("{sssIso*}", name, t->v[i].key, "gradings", (json_int_t)t->v[i].total,
                      "grades", distribution(&t->v[i], grades, f));
        if (!one || json_array_append_new(list, one)) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

typedef struct grade_scan {
    const case_list *cases;
    tallies themes, teams, auditors;
    tally all;
} grade_scan;

/* The audit's grades of completed cases, counted overall and by theme, team and auditor. */
static cw_rc grade_row(void *ctx, const cw_value *c, size_t n)
{
    grade_scan *g = ctx;
    char child[65], pass[16], theme[33];
    if (n < 5 || cw_value_copy(&c[0], child, sizeof child) <= 0 ||
        cw_value_copy(&c[1], pass, sizeof pass) <= 0 ||
        cw_value_copy(&c[2], theme, sizeof theme) <= 0 || c[3].type != CW_V_INT)
        return CW_EDB;
    const case_info *ci = find_case(g->cases, child);
    int64_t grade = c[3].i;
    if (!ci || !ci->completed || grade == 0 || strcmp(pass, "audit"))
        return CW_OK; /* a draft, not applicable, or moderation's */
    tally *th = tally_of(&g->themes, theme);
    tally *tm = tally_of(&g->teams, ci->team[0] ? ci->team : "(none)");
    tally *au = tally_of(&g->auditors, ci->auditor);
    if (!th || !tm || !au)
        return CW_ENOMEM;
    count(&g->all, grade);
    count(th, grade);
    count(tm, grade);
    count(au, grade);
    return CW_OK;
}

/* Moderation's pairs: the audit's and the moderator's grade of the same case and theme (rows
 * come by child, then pass, "audit" before "moderation", so the audit's is read first). */
typedef struct pair_scan {
    const case_list *cases;
    json_t *audit; /* "child\ttheme" -> grade */
    int *first, *second;
    size_t pairs, cap;
} pair_scan;

static cw_rc pair_row(void *ctx, const cw_value *c, size_t n)
{
    pair_scan *ps = ctx;
    char child[65], pass[16], theme[33], key[100];
    if (n < 5 || cw_value_copy(&c[0], child, sizeof child) <= 0 ||
        cw_value_copy(&c[1], pass, sizeof pass) <= 0 ||
        cw_value_copy(&c[2], theme, sizeof theme) <= 0 || c[3].type != CW_V_INT)
        return CW_EDB;
    const case_info *ci = find_case(ps->cases, child);
    if (!ci || !ci->completed || !ci->moderated || c[3].i == 0)
        return CW_OK;
    snprintf(key, sizeof key, "%s\t%s", child, theme);
    if (!strcmp(pass, "audit"))
        return json_object_set_new(ps->audit, key, json_integer(c[3].i)) ? CW_ENOMEM : CW_OK;
    const json_t *a = json_object_get(ps->audit, key);
    if (!a)
        return CW_OK;
    if (ps->pairs == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 256;
        int *f = realloc(ps->first, cap * sizeof *f),
            *s = f ? realloc(ps->second, cap * sizeof *s) : NULL;
        if (f)
            ps->first = f;
        if (!f || !s)
            return CW_ENOMEM;
        ps->second = s;
        ps->cap = cap;
    }
    ps->first[ps->pairs] = (int)json_integer_value(a);
    ps->second[ps->pairs++] = (int)c[3].i;
    return CW_OK;
}

typedef struct finding_scan {
    const char *programme_id;
    json_t *list;
} finding_scan;

static cw_rc finding_row(void *ctx, const cw_value *c, size_t n)
{
    finding_scan *f = ctx;
    char prog[65], child[65], found[16], on[16] = "", by[65] = "";
    if (n < 6 || cw_value_copy(&c[0], prog, sizeof prog) <= 0)
        return CW_EDB;
    if (strcmp(prog, f->programme_id))
        return CW_OK;
    cw_value_copy(&c[1], child, sizeof child);
    cw_value_copy(&c[2], found, sizeof found);
    cw_value_copy(&c[4], on, sizeof on);
    cw_value_copy(&c[5], by, sizeof by);
    json_t *one = json_pack("{sssssIss?ss?}", "child_id", child, "found_on", found, "entry",
                            (json_int_t)c[3].i, "actioned_on", on[0] ? on : NULL, "actioned_by",
                            by[0] ? by : NULL);
    return !one || json_array_append_new(f->list, one) ? CW_ENOMEM : CW_OK;
}

typedef struct earlier_scan {
    const char *programme_id, *starts;
    json_t *ids;
} earlier_scan;

static cw_rc earlier_row(void *ctx, const cw_value *c, size_t n)
{
    earlier_scan *e = ctx;
    char id[65], starts[16];
    if (n < 8 || cw_value_copy(&c[0], id, sizeof id) <= 0 ||
        cw_value_copy(&c[3], starts, sizeof starts) <= 0)
        return CW_EDB;
    if (strcmp(id, e->programme_id) && strcmp(starts, e->starts) < 0)
        return json_array_append_new(e->ids, json_string(id)) ? CW_ENOMEM : CW_OK;
    return CW_OK;
}

/* The audit's distribution of one programme (for the comparison with earlier ones). */
static cw_rc summary_of(cw_store *s, const char *programme_id, json_t **out, cw_error *err);

/* with_earlier: the earlier programmes' distributions too; labels: the grades' names from the
 * framework (f, else the built-in one the programme recorded), or facts only. */
static cw_rc figures(cw_store *s, const char *programme_id, const cw_audit_framework *f,
                     int with_earlier, int labels, json_t **out, cw_error *err)
{
    *out = NULL;
    prog_row pr = {0};
    cw_value k = cw_text(programme_id);
    cw_rc rc = cw_store_run(s, CW_Q_AUDIT_PROGRAMME_GET, &k, 1, prog_get_row, &pr, NULL, err);
    if (!rc && !pr.found)
        return cw_error_key(err, CW_ENOTFOUND, "no_programme", "programme_id", programme_id, NULL);
    /* The grades' labels: from the framework given, or the built-in one of the programme's
     * name, only if it is the very file the programme recorded. */
    cw_audit_framework builtin;
    int have_builtin = 0;
    if (!rc && f && (!labels || strcmp(f->sha256, pr.sha256)))
        f = NULL;
    if (!rc && !f && labels) {
        cw_error quiet;
        if (!cw_audit_framework_builtin(&builtin, pr.framework, &quiet)) {
            have_builtin = 1;
            f = strcmp(builtin.sha256, pr.sha256) ? NULL : &builtin;
        }
    }
    case_list cases = {0};
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_CASES_OF, &k, 1, case_list_row, &cases, NULL, err);
    grade_scan *g = rc ? NULL : calloc(1, sizeof *g);
    if (!rc && !g)
        rc = CW_ENOMEM;
    if (!rc) {
        g->cases = &cases;
        /* Themes in the programme's order, each listed even if nothing is graded in it. */
        char themes[600];
        snprintf(themes, sizeof themes, "%s", pr.themes);
        for (char *save = NULL, *t = strtok_r(themes, ",", &save); !rc && t;
             t = strtok_r(NULL, ",", &save))
            if (!tally_of(&g->themes, t))
                rc = CW_ENOMEM;
        if (!rc)
            rc = cw_store_run(s, CW_Q_AUDIT_GRADES_ALL, &k, 1, grade_row, g, NULL, err);
    }
    pair_scan ps = {&cases, json_object(), NULL, NULL, 0, 0};
    if (!rc && !ps.audit)
        rc = CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_GRADES_ALL, &k, 1, pair_row, &ps, NULL, err);
    cw_audit_agreement agr = {0};
    if (!rc && ps.pairs)
        rc = cw_audit_agreement_of(ps.first, ps.second, ps.pairs, (size_t)pr.grades, &agr, err);
    tally overall = {0};
    size_t completed = 0, moderated = 0;
    for (size_t i = 0; i < cases.n; i++)
        if (cases.v[i].completed) {
            completed++;
            moderated += cases.v[i].moderated;
            count(&overall, cases.v[i].overall);
        }
    finding_scan fs = {programme_id, json_array()};
    if (!rc && !fs.list)
        rc = CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_FINDINGS_ALL, NULL, 0, finding_row, &fs, NULL, err);
    json_t *o = NULL;
    if (!rc) {
        char exact[8], within[8], kl[16] = "", kq[16] = "";
        cw_audit_percent(agr.exact, agr.pairs, exact);
        cw_audit_percent(agr.within_one, agr.pairs, within);
        if (agr.kappa_defined) {
            snprintf(kl, sizeof kl, "%.3f", agr.kappa_linear);
            snprintf(kq, sizeof kq, "%.3f", agr.kappa_quadratic);
        }
        o = json_pack(
            "{sssssssssssssIs{sIsIsI}sIso*so*so*so*so*s{sIsIsssIssss?ss?}sO}", "programme_id",
            programme_id, "title", pr.title, "starts", pr.starts, "ends", pr.ends, "framework",
            pr.framework, "framework_sha256", pr.sha256, "grades", (json_int_t)pr.grades, "cases",
            "in_programme", (json_int_t)cases.n, "completed", (json_int_t)completed, "moderated",
            (json_int_t)moderated, "gradings", (json_int_t)g->all.total, "distribution",
            distribution(&g->all, pr.grades, f), "overall", distribution(&overall, pr.grades, f),
            "by_theme", tally_list(&g->themes, "theme", pr.grades, f), "by_team",
            tally_list(&g->teams, "team_id", pr.grades, f), "by_auditor",
            tally_list(&g->auditors, "auditor_id", pr.grades, f), "moderation", "pairs",
            (json_int_t)agr.pairs, "exact", (json_int_t)agr.exact, "exact_percent", exact,
            "within_one", (json_int_t)agr.within_one, "within_one_percent", within, "kappa_linear",
            kl[0] ? kl : NULL, "kappa_quadratic", kq[0] ? kq : NULL, "critical_findings", fs.list);
        if (!o)
            rc = CW_ENOMEM;
    }
    if (!rc && with_earlier) {
        earlier_scan es = {programme_id, pr.starts, json_array()};
        json_t *list = json_array();
        if (!es.ids || !list)
            rc = CW_ENOMEM;
        if (!rc)
            rc = cw_store_run(s, CW_Q_AUDIT_PROGRAMMES_ALL, NULL, 0, earlier_row, &es, NULL, err);
        for (size_t i = 0; !rc && i < json_array_size(es.ids); i++) {
            json_t *one = NULL;
            if (!(rc = summary_of(s, json_string_value(json_array_get(es.ids, i)), &one, err)) &&
                json_array_append_new(list, one))
                rc = CW_ENOMEM;
        }
        if (!rc && json_object_set(o, "earlier", list))
            rc = CW_ENOMEM;
        json_decref(list);
        json_decref(es.ids);
    }
    if (rc == CW_ENOMEM)
        cw_error_set(err, rc, "out of memory");
    if (have_builtin)
        cw_audit_framework_release(&builtin);
    json_decref(fs.list);
    json_decref(ps.audit);
    free(ps.first);
    free(ps.second);
    if (g) {
        free(g->themes.v);
        free(g->teams.v);
        free(g->auditors.v);
    }
    free(g);
    free(cases.v);
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

static cw_rc summary_of(cw_store *s, const char *programme_id, json_t **out, cw_error *err)
{
    json_t *full = NULL;
    cw_rc rc = figures(s, programme_id, NULL, 0, 0, &full, err);
    *out = NULL;
    if (!rc) {
        *out = json_pack("{sOsOsOsOsO}", "programme_id", json_object_get(full, "programme_id"),
                         "title", json_object_get(full, "title"), "starts",
                         json_object_get(full, "starts"), "gradings",
                         json_object_get(full, "gradings"), "distribution",
                         json_object_get(full, "distribution"));
        if (!*out)
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    json_decref(full);
    return rc;
}

cw_rc cw_audit_figures(cw_store *s, const char *programme_id, const cw_audit_framework *f,
                       json_t **out, cw_error *err)
{
    return figures(s, programme_id, f, 1, 1, out, err);
}

cw_rc cw_audit_figures_facts(cw_store *s, const char *programme_id, json_t **out, cw_error *err)
{
    return figures(s, programme_id, NULL, 1, 0, out, err);
}

/* ---- checking an issued report against an export ---- */

typedef struct issue_scan {
    const char *programme_id;
    int64_t idx;
    json_t *payload;
} issue_scan;

static cw_rc issue_entry(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                         const uint8_t *leaf, size_t llen)
{
    (void)hashes, (void)hlen;
    issue_scan *sc = ctx;
    if (sc->payload || !holds(leaf, llen, "\"audit_report_issued\""))
        return CW_OK;
    json_t *root = json_loadb((const char *)leaf, llen, 0, NULL);
    const json_t *p = json_object_get(root, "payload");
    if (root && !strcmp(str(root, "type") ? str(root, "type") : "", "audit_report_issued") &&
        !strcmp(str(p, "programme_id") ? str(p, "programme_id") : "", sc->programme_id)) {
        sc->idx = idx;
        sc->payload = json_incref((json_t *)(uintptr_t)p);
    }
    json_decref(root);
    return CW_OK;
}

cw_rc cw_audit_verify_report(const char *dir, const char *vkey, const char *programme_id,
                             cw_buf *out, cw_error *err)
{
    cw_store *s = NULL;
    uint8_t root[CW_HASH_LEN];
    uint64_t n = 0;
    issue_scan sc = {programme_id, -1, NULL};
    int differ = 0;
    cw_rc rc = cw_store_open_scratch(NULL, &s, err);
    if (!rc && !(rc = cw_store_begin(s, err))) {
        if (!(rc = cw_ledger_export_load(dir, s, UINT64_MAX, &n, root, err)) &&
            !(rc = check_export(dir, vkey, n, root, err)))
            rc = cw_store_entry_scan(s, 0, (int64_t)n, issue_entry, &sc, err);
        if (!rc && !sc.payload)
            rc = cw_error_set(err, CW_ENOTFOUND,
                              "the export holds no report issued for programme %s", programme_id);
        /* The log as the report was made from: its log_size (the entries before it; over HTTP,
         * the request's snapshot, perhaps a few entries earlier). */
        json_int_t made = json_integer_value(json_object_get(sc.payload, "log_size"));
        if (!rc && (made < 0 || made > sc.idx))
            rc = cw_error_set(err, CW_EVERIFY, "report %s: its log_size is not before its entry",
                              str(sc.payload, "report_id"));
        if (!rc)
            rc = cw_casework_replay(s, 0, (uint64_t)made, err);
        char sha[65];
        json_t *figures = NULL;
        if (!rc)
            rc = cw_audit_report_rehash(s, sc.payload, sha, &figures, err);
        if (!rc) {
            const char *said = str(sc.payload, "content_sha256");
            int same_hash = said && !strcmp(said, sha);
            int same_figures = json_equal(figures, json_object_get(sc.payload, "figures"));
            differ = !same_hash || !same_figures;
            rc =
                cw_buf_addf(out,
                            "report %s of programme %s (entry %" PRId64 "):\n"
                            "  content SHA-256 rebuilt from the log: %s (%s)\n"
                            "  figures recomputed from the log as it stood then: %s\n",
                            str(sc.payload, "report_id"), programme_id, sc.idx, sha,
                            same_hash ? "the same as the entry's" : "DIFFERS from the entry's",
                            same_figures ? "the same as the report's" : "DIFFER from the report's");
        }
        json_decref(figures);
        cw_store_rollback(s);
    }
    cw_store_close(s);
    json_decref(sc.payload);
    if (!rc && differ)
        rc = cw_error_set(err, CW_EVERIFY,
                          "programme %s's report is not what the log says it should be",
                          programme_id);
    return rc;
}

int cw_audit_framework_of(const json_t *figures, cw_audit_framework *f)
{
    const char *id = str(figures, "framework"), *sha = str(figures, "framework_sha256");
    cw_error quiet;
    if (!id || !sha || cw_audit_framework_builtin(f, id, &quiet))
        return 0;
    if (strcmp(f->sha256, sha)) {
        cw_audit_framework_release(f);
        return 0;
    }
    return 1;
}
