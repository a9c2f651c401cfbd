/*
 * children.c — every child's history for the returns, and the returns' notes (returns.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "returns/returns.h"
#include "returns/returns_int.h"
#include "util/csv.h"
#include "util/time.h"
#include "util/facts.h"

typedef struct ids {
    char (*id)[65];
    size_t n, cap;
} ids;

static cw_rc id_row(void *ctx, const cw_value *c, size_t n)
{
    ids *k = ctx;
    if (n < 1 || c[0].type != CW_V_TEXT || c[0].len > 64)
        return CW_EVERIFY;
    if (cw_array_grow(&k->id, &k->cap, k->n, sizeof *k->id))
        return CW_ENOMEM;
    memcpy(k->id[k->n], c[0].s, c[0].len);
    k->id[k->n++][c[0].len] = '\0';
    return CW_OK;
}

typedef struct one {
    cw_date dob;
    int have_dob;
    cw_buf bytes;
} one;

static cw_rc history_row(void *ctx, const cw_value *c, size_t n)
{
    one *o = ctx;
    if (n < 2 || c[0].type != CW_V_TEXT || cw_date_parse(c[0].s, c[0].len, &o->dob))
        return CW_EVERIFY;
    o->have_dob = 1;
    if (c[1].type == CW_V_BLOB)
        return cw_buf_add(&o->bytes, c[1].s, c[1].len);
    return c[1].type == CW_V_NULL ? CW_OK : CW_EVERIFY;
}

static cw_rc damaged(cw_error *err)
{
    return cw_error_set(err, CW_EVERIFY,
                        "a child's history in the database is damaged (run caseward rebuild)");
}

cw_rc cw_returns_each_child(cw_store *s, cw_returns_child_fn fn, void *ctx, cw_error *err)
{
    ids k = {NULL, 0, 0};
    one o = {0, 0, CW_BUF_INIT((size_t)1 << 30)};
    cw_case_event *ev = NULL;
    size_t capev = 0;
    cw_rc rc = cw_store_run(s, CW_Q_CHILDREN_ALL, NULL, 0, id_row, &k, NULL, err);
    if (rc == CW_EVERIFY)
        rc = damaged(err);
    for (size_t i = 0; !rc && i < k.n; i++) {
        cw_buf_reset(&o.bytes);
        o.have_dob = 0;
        cw_value key = cw_text(k.id[i]);
        rc = cw_store_run(s, CW_Q_CHILD_FOR_RULES, &key, 1, history_row, &o, NULL, err);
        size_t count = 0, pos = 0, ne = 0;
        const uint8_t *p = (const uint8_t *)o.bytes.data;
        if (rc == CW_EVERIFY ||
            (!rc && (!o.have_dob || cw_history_check(p, o.bytes.len, true, &count))))
            rc = damaged(err);
        if (!rc && count > capev) {
            cw_case_event *grown = realloc(ev, count * sizeof *ev);
            if (!grown)
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            else
                ev = grown, capev = count;
        }
        cw_history_event he;
        while (!rc && ne < count && cw_history_next(p, o.bytes.len, &pos, &he))
            ev[ne++] = (cw_case_event){he.index, he.type, he.date, he.facts};
        cw_child_history h = {k.id[i], o.dob, ev, ne};
        if (!rc)
            rc = fn(ctx, &h, err);
    }
    free(ev);
    free(k.id);
    cw_buf_release(&o.bytes);
    return rc;
}

/* ---- notes ---- */

cw_rc cw_returns_note(cw_returns_notes *n, const char *child, const char *field, const char *fmt,
                      ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!n->rows && !(n->rows = json_array()))
        return CW_ENOMEM;
    json_t *row =
        json_pack("{s:s, s:s, s:s}", "child", child ? child : "", "field", field, "note", text);
    if (!row || json_array_append_new(n->rows, row))
        return CW_ENOMEM;
    return CW_OK;
}

static int by_child_field(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(x, "child")),
                   json_string_value(json_object_get(y, "child")));
    if (!c)
        c = strcmp(json_string_value(json_object_get(x, "field")),
                   json_string_value(json_object_get(y, "field")));
    return c;
}

cw_rc cw_returns_notes_csv(const cw_returns_notes *n, cw_buf *out)
{
    size_t k = json_array_size(n->rows);
    json_t **rows = k ? malloc(k * sizeof *rows) : NULL;
    if (k && !rows)
        return CW_ENOMEM;
    for (size_t i = 0; i < k; i++)
        rows[i] = json_array_get(n->rows, i);
    /* stable for equal keys: notes of one child's field stay in the order they were made */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && by_child_field(&rows[j - 1], &rows[j]) > 0; j--) {
            json_t *t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    cw_rc rc = cw_buf_addstr(out, "child,field,note\r\n");
    for (size_t i = 0; !rc && i < k; i++) {
        const json_t *r = rows[i];
        if (!(rc = cw_csv_cell(out, json_string_value(json_object_get(r, "child")), 0,
                               CW_CSV_QUOTE_ALL)) &&
            !(rc = cw_csv_cell(out, json_string_value(json_object_get(r, "field")), 0,
                               CW_CSV_QUOTE_ALL)))
            rc = cw_csv_cell(out, json_string_value(json_object_get(r, "note")), 1,
                             CW_CSV_QUOTE_ALL);
    }
    free(rows);
    return rc;
}

/* ---- output ---- */

void cw_returns_output_init(cw_returns_output *o)
{
    memset(o, 0, sizeof *o);
}

void cw_returns_output_release(cw_returns_output *o)
{
    for (size_t i = 0; i < o->nfiles; i++)
        cw_buf_release(&o->files[i].data);
    json_decref(o->notes.rows);
    memset(o, 0, sizeof *o);
}

cw_buf *cw_returns_output_file(cw_returns_output *o, const char *fmt, ...)
{
    if (o->nfiles == CW_RETURNS_MAX_FILES)
        return NULL;
    cw_returns_file *f = &o->files[o->nfiles];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(f->name, sizeof f->name, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof f->name)
        return NULL;
    cw_buf_init(&f->data, (size_t)1 << 31);
    o->nfiles++;
    return &f->data;
}

/* ---- the returns ---- */

static const cw_return_kind KINDS[] = {
    {"cin", "England's Children in Need census", 1, cw_returns_cin},
    {"903", "England's looked-after children return (SSDA903)", 0, cw_returns_903},
    {"annex-a", "Ofsted's Annex A lists", 0, cw_returns_annexa},
    {"ssd", "the Standard Safeguarding Dataset up to the end of", 0, cw_returns_ssd},
    {"wales-lac", "Wales' looked after children census", 1, cw_returns_wales_lac},
};

const cw_return_kind *cw_returns_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].name, name))
            return &KINDS[i];
    return NULL;
}

static char names_buf[200];

static void make_names(void)
{
    for (size_t i = 0, used = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        used += (size_t)snprintf(names_buf + used, sizeof names_buf - used, "%s%s", i ? ", " : "",
                                 KINDS[i].name);
}

const char *cw_returns_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT; /* the server's threads share the text */
    pthread_once(&once, make_names);
    return names_buf;
}

cw_rc cw_returns_make(const cw_return_kind *k, cw_store *s, const cw_calendar *cal,
                      const cw_returns_query *q, cw_returns_output *out, cw_error *err)
{
    if (q->year < 2000 || q->year > 9998)
        return cw_error_set(err, CW_EUSAGE, "--year: %d is not a collection year", q->year);
    if (k->needs_la && (!q->la || strlen(q->la) != 3 || strspn(q->la, "0123456789") != 3))
        return cw_error_set(err, CW_EUSAGE,
                            "the council's three-digit local authority number is needed (--la, "
                            "or init --la-code: e.g. 201)");
    cw_rc rc = k->make(s, cal, q, out, err);
    if (rc)
        return rc;
    cw_buf *notes = cw_returns_output_file(out, "%s-%d-notes.csv", k->name, q->year);
    if (!notes)
        return cw_error_set(err, CW_EINVAL, "%s: too many files", k->name);
    if (cw_returns_notes_csv(&out->notes, notes))
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return CW_OK;
}

/* ---- codes ---- */

const char *cw_returns_source_code(const char *source)
{
    static const char *const map[][2] = {
        {"police", "6"},    {"school", "2A"},          {"health", "3F"},
        {"self", "1C"},     {"family", "1A"},          {"neighbour", "1B"},
        {"anonymous", "9"}, {"local_authority", "5A"}, {"other", "8"},
    };
    for (size_t i = 0; source && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], source))
            return map[i][1];
    return "10";
}

/* ---- personal values ---- */

typedef struct fixes {
    uint64_t idx[64];
    size_t n;
} fixes;

static cw_rc fix_row(void *ctx, const cw_value *c, size_t n)
{
    fixes *f = ctx;
    if (n < 1 || c[0].type != CW_V_INT || c[0].i < 0)
        return CW_EVERIFY;
    if (f->n == sizeof f->idx / sizeof f->idx[0]) /* keep the latest 64 */
        memmove(f->idx, f->idx + 1, (--f->n) * sizeof f->idx[0]);
    f->idx[f->n++] = (uint64_t)c[0].i;
    return CW_OK;
}

/* field of entry idx's payload (or of its changes, for a correction): 1 a text (copied), 0 not
 * there, -1 there but no longer held. */
static int value_of(cw_store *s, uint64_t idx, const char *field, int correction, char *out,
                    size_t cap, cw_rc *rc)
{
    json_t *root = NULL;
    cw_error err;
    *rc = cw_casework_entry(s, idx, &root, &err);
    const json_t *p = json_object_get(root, "payload");
    if (correction)
        p = json_object_get(p, "changes");
    const json_t *v = json_object_get(p, field);
    int got = !v ? 0 : json_is_string(v) ? 1 : -1;
    if (got == 1)
        snprintf(out, cap, "%s", json_string_value(v));
    json_decref(root);
    return *rc ? 0 : got;
}

cw_rc cw_returns_personal(cw_store *s, uint64_t idx, const char *field, char *out, size_t cap,
                          int *held)
{
    fixes f;
    f.n = 0;
    out[0] = '\0';
    *held = 0;
    cw_value k = CW_INT(idx);
    cw_error err;
    cw_rc rc = cw_store_run(s, CW_Q_CORRECTIONS_OF, &k, 1, fix_row, &f, NULL, &err);
    int got = 0;
    for (size_t i = f.n; !rc && !got && i-- > 0;)
        got = value_of(s, f.idx[i], field, 1, out, cap, &rc);
    if (!rc && !got)
        got = value_of(s, idx, field, 0, out, cap, &rc);
    if (got != 1)
        out[0] = '\0';
    *held = got == 1;
    return rc == CW_ENOMEM ? CW_ENOMEM : rc ? CW_EDB : CW_OK;
}
