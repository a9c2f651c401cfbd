/*
 * ssd_import.c — history migrated from a Standard Safeguarding Dataset (returns.h; docs/returns.md,
 * "Standard Safeguarding Dataset: export and import").
 *
 * Reads the SSD tables caseward holds from a directory of CSVs (one per table, named as the
 * table, a header row of the SSD's column names), turns each row into the caseward commands
 * it stands for (ssd_map.c), lays caseward_facts.csv over them when it is there (caseward's own
 * export: the facts the SSD has no column for), and submits them all in one batch, each with
 * its source claim: all or nothing. A row that cannot be placed refuses the batch naming the
 * table, the row's CSV line and the column; nothing is written. A table caseward does not hold
 * is skipped and named.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "casework/casework.h"
#include "returns/returns.h"
#include "returns/ssd_int.h"
#include "util/file.h"
#include "util/textprint.h"
#include "util/utf8.h"
#include "util/time.h"

#define MAX_FILE ((size_t)1 << 30)

/* ---- CSV ---- */

typedef cw_rc (*record_fn)(void *ctx, size_t line, char **cells, size_t n, cw_error *err);

/* RFC 4180 records of a file; each cell unquoted, with the apostrophe caseward's own writer puts
 * before a leading =, +, -, @ (util/csv.h) taken off again. */
static cw_rc parse_csv(const char *name, char *p, size_t len, record_fn fn, void *ctx,
                       cw_error *err)
{
    char **cells = NULL;
    size_t n = 0, cap = 0, line = 1, start = 1;
    size_t i = 0;
    cw_rc rc = CW_OK;
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) /* a byte order mark */
        i = 3;
    /* text, in UTF-8: a NUL would cut a cell short where nobody sees it */
    const char *nul = memchr(p, '\0', len);
    size_t bad = cw_utf8_check(p, len);
    if (nul || bad != len) {
        size_t at = nul && (size_t)(nul - p) < bad ? (size_t)(nul - p) : bad, ln = 1;
        for (size_t k = 0; k < at; k++)
            ln += p[k] == '\n';
        return cw_error_set(err, CW_EINVAL, "%s line %zu: %s", name, ln,
                            at == bad ? "not UTF-8 text (save the file as UTF-8)"
                                      : "a NUL byte: not a text file");
    }
    while (!rc && i <= len) {
        if (i == len)
            break;
        /* one cell, written in place */
        char *out = p + i, *w = out;
        if (p[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    free(cells);
                    return cw_error_set(err, CW_EINVAL, "%s line %zu: a quote is not closed", name,
                                        start);
                }
                if (p[i] == '"' && i + 1 < len && p[i + 1] == '"') {
                    *w++ = '"';
                    i += 2;
                } else if (p[i] == '"') {
                    i++;
                    break;
                } else {
                    if (p[i] == '\n')
                        line++;
                    *w++ = p[i++];
                }
            }
        } else {
            while (i < len && p[i] != ',' && p[i] != '\n' && p[i] != '\r')
                *w++ = p[i++];
        }
        char end = i < len ? p[i] : '\n';
        if (end == '\r' && i + 1 < len && p[i + 1] == '\n')
            i++;
        i++;
        *w = '\0';
        if (out[0] == '\'' && out[1] && strchr("=+-@\t\r", out[1]))
            memmove(out, out + 1, strlen(out));
        if (cw_array_grow(&cells, &cap, n, sizeof *cells)) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            break;
        }
        cells[n++] = out;
        if (end == ',')
            continue;
        if (end != '\n' && end != '\r') {
            rc = cw_error_set(err, CW_EINVAL, "%s line %zu: text after a quoted cell", name, line);
            break;
        }
        if (!(n == 1 && !cells[0][0])) /* blank lines are skipped */
            rc = fn(ctx, start, cells, n, err);
        n = 0;
        line++;
        start = line;
    }
    free(cells);
    return rc;
}

/* ---- reading the tables ---- */

typedef struct reader {
    ssd_set *set;
    int table;
    int map[256]; /* CSV column -> the table's column, or -1 */
    size_t ncols;
    const char *file;
} reader;

static cw_rc table_record(void *ctx, size_t line, char **cells, size_t n, cw_error *err)
{
    reader *r = ctx;
    if (!r->ncols) { /* the header */
        if (n > 256)
            return cw_error_set(err, CW_EINVAL, "%s: too many columns", r->file);
        for (size_t i = 0; i < n; i++)
            r->map[i] = cw_ssd_col(r->table, cells[i]);
        r->ncols = n;
        if (cw_ssd_col(r->table, cells[0]) != 0)
            return cw_error_set(err, CW_EINVAL, "%s line 1, %s: the first column must be %s",
                                r->file, cells[0], cw_ssd_tables[r->table].cols[0]);
        return CW_OK;
    }
    ssd_row *row = cw_ssd_add_row(r->set, r->table, line);
    if (!row)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && i < r->ncols; i++)
        if (r->map[i] >= 0 &&
            cw_ssd_set_cell(row, cw_ssd_tables[r->table].cols[r->map[i]], cells[i]))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
    return CW_OK;
}

/* caseward_facts.csv: one group per (table, row, event, entry), its fields in file order. */
typedef struct group {
    char table[64], row_id[130], event[64];
    int64_t entry;
    size_t line;
    json_t *fields; /* object */
    int used, absent;
} group;

typedef struct facts {
    group *g;
    size_t n, cap;
    json_t *by_key; /* "table\x1frow\x1fevent" -> [group indexes] */
    json_t *rows;   /* "table\x1frow" -> true */
} facts;

static cw_rc facts_record(void *ctx, size_t line, char **c, size_t n, cw_error *err)
{
    facts *f = ctx;
    if (line == 1)
        return n >= 6 && !strcmp(c[0], "table") && !strcmp(c[5], "value")
                   ? CW_OK
                   : cw_error_set(err, CW_EINVAL,
                                  "%s line 1: not table,row_id,event,entry,field,value",
                                  SSD_FACTS_FILE);
    if (n != 6)
        return cw_error_set(err, CW_EINVAL, "%s line %zu: %zu cells, not 6", SSD_FACTS_FILE, line,
                            n);
    int64_t entry = -1;
    uint64_t u;
    if (c[3][0]) {
        if (cw_parse_u64(c[3], strlen(c[3]), &u))
            return cw_error_set(err, CW_EINVAL, "%s line %zu, entry: %.30s is not a number",
                                SSD_FACTS_FILE, line, c[3]);
        entry = (int64_t)u;
    }
    group *g = f->n ? &f->g[f->n - 1] : NULL;
    if (!g || g->entry != entry || strcmp(g->table, c[0]) || strcmp(g->row_id, c[1]) ||
        strcmp(g->event, c[2]) || (entry < 0 && !strcmp(c[4], "_entry"))) {
        if (cw_array_grow(&f->g, &f->cap, f->n, sizeof *f->g))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
        g = &f->g[f->n++];
        memset(g, 0, sizeof *g);
        snprintf(g->table, sizeof g->table, "%s", c[0]);
        snprintf(g->row_id, sizeof g->row_id, "%s", c[1]);
        snprintf(g->event, sizeof g->event, "%s", c[2]);
        g->entry = entry;
        g->line = line;
        if (!(g->fields = json_object()))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
        char key[400];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", g->table, g->row_id, g->event);
        json_t *list = json_object_get(f->by_key, key);
        if (!list && (!(list = json_array()) || json_object_set_new(f->by_key, key, list)))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
        json_array_append_new(list, json_integer((json_int_t)(f->n - 1)));
        snprintf(key, sizeof key, "%s\x1f%s", g->table, g->row_id);
        json_object_set_new(f->rows, key, json_true());
    }
    json_error_t jerr;
    json_t *v = json_loads(c[5], JSON_DECODE_ANY, &jerr);
    if (!v)
        return cw_error_set(err, CW_EINVAL, "%s line %zu, value: not JSON (%s)", SSD_FACTS_FILE,
                            line, jerr.text);
    if (!strcmp(c[4], "_absent"))
        g->absent = json_is_true(v);
    if (strcmp(c[4], "_entry") != 0 && strcmp(c[4], "_absent") != 0)
        json_object_set_new(g->fields, c[4], v);
    else
        json_decref(v);
    return CW_OK;
}

/* A table's file: a regular file in the directory, not a link to one elsewhere (nor a pipe,
 * which would wait for ever). */
static cw_rc read_file(const char *dir, const char *name, cw_buf *b, cw_error *err)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cw_buf_init(b, MAX_FILE);
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return cw_error_set(err, CW_EINVAL, "%s: not a plain file (a link, a pipe or a folder)",
                            name);
    return cw_file_read(path, b, err);
}

/* ---- the commands ---- */

typedef struct run {
    const cw_ssd_import_opts *o;
    cw_store *store;
    ssd_set set;
    ssd_cmds cmds;
    facts f;
    cw_ssd_import_result *res;
    cw_error *err;
} run;

static const char *tname(int table)
{
    return table == SSD_EXT ? SSD_EXT_TABLE : cw_ssd_tables[table].name;
}

static const char *tfile(int table)
{
    return table == SSD_EXT ? SSD_FACTS_FILE : cw_ssd_tables[table].name;
}

static const char *row_col0(const ssd_cmd *c)
{
    return c->table == SSD_EXT ? "" : cw_ssd_tables[c->table].cols[0];
}

/* A refusal: the table, the row's line and the column, then what. */
static cw_rc refuse(run *r, const ssd_cmd *c, const char *field, const char *what)
{
    const char *col = field ? json_string_value(json_object_get(c->cols, field)) : NULL;
    if (c->table == SSD_EXT)
        return cw_error_set(r->err, CW_EINVAL, "%s line %zu (%s for child %s), %s: %s",
                            SSD_FACTS_FILE, c->line, c->type, c->row_id, field ? field : "-", what);
    return cw_error_set(r->err, CW_EINVAL, "%s.csv line %zu, %s: %s", tfile(c->table), c->line,
                        col     ? col
                        : field ? field
                                : row_col0(c),
                        what);
}

/* The stand-in for a personal text the SSD does not hold. With the text's print (caseward's
 * export), the same words and a word of the print: the integrity analytics' pasted and short
 * text signals read alike; without, the row's own place, so that no two are alike. */
static cw_rc marker(run *r, const ssd_cmd *c, const char *print, json_t **out)
{
    char buf[4096];
    uint64_t h;
    int words;
    if (print && !cw_text_print_parse(print, &h, &words)) {
        int n = snprintf(buf, sizeof buf, "notinssd%016llx", (unsigned long long)h);
        if (words <= 0)
            n = snprintf(buf, sizeof buf, "-");
        for (int w = 1; w < words && (size_t)n + 3 < sizeof buf; w++)
            n += snprintf(buf + n, sizeof buf - (size_t)n, " x");
    } else {
        snprintf(buf, sizeof buf, "Not in the SSD (%.24s line %zu)", tname(c->table), c->line);
    }
    *out = json_string(buf);
    return *out ? CW_OK : cw_error_set(r->err, CW_ENOMEM, "out of memory");
}

static const char *linked(run *r, const char *child, const char *field)
{
    for (size_t k = 0; k < r->set.n[SSD_LINKED]; k++) {
        const ssd_row *l = &r->set.rows[SSD_LINKED][k];
        const char *t = cw_ssd_cell(l, "link_identifier_type");
        int former = !strncasecmp(t, "Former", 6);
        if (!strcmp(cw_ssd_cell(l, "link_person_id"), child) &&
            former == !strcmp(field, "former_upn"))
            return cw_ssd_cell(l, "link_identifier_value");
    }
    return NULL;
}

/* Lays a group of caseward_facts.csv over a command. */
static cw_rc overlay(run *r, ssd_cmd *c, group *g)
{
    const char *key;
    json_t *v;
    c->has_facts = 1;
    c->entry = g->entry;
    json_object_foreach(g->fields, key, v)
    {
        if (!strcmp(key, "_actor")) {
            snprintf(c->actor, sizeof c->actor, "%s",
                     json_string_value(v) ? json_string_value(v) : "");
        } else if (!strcmp(key, "_recorded_at")) {
            const char *t = json_string_value(v);
            if (!t || cw_time_parse_ms(t, strlen(t), &c->recorded_ms))
                return cw_error_set(r->err, CW_EINVAL,
                                    "%s line %zu, _recorded_at: not an RFC 3339 UTC time",
                                    SSD_FACTS_FILE, g->line);
        } else if (json_is_null(v)) {
            json_object_del(c->payload, key);
        } else if (json_object_set(c->payload, key, v)) {
            return cw_error_set(r->err, CW_ENOMEM, "out of memory");
        }
    }
    json_t *d = json_object_get(c->payload, "date");
    if (json_is_string(d))
        cw_date_parse(json_string_value(d), strlen(json_string_value(d)), &c->date);
    return CW_OK;
}

/* Personal texts of payload (an event of type): their stand-ins (a UPN: the SSD's linked
 * identifier); prints dropped. */
static cw_rc stand_ins_of(run *r, ssd_cmd *c, const char *type, json_t *payload);

static cw_rc stand_ins(run *r, ssd_cmd *c, json_t *entries)
{
    cw_rc rc = stand_ins_of(r, c, c->type, c->payload);
    json_t *changes = json_object_get(c->payload, "changes");
    if (rc || strcmp(c->type, "correction") != 0 || !json_is_object(changes))
        return rc;
    /* a correction's changes are fields of what it corrects */
    char k[32];
    snprintf(k, sizeof k, "%lld",
             (long long)json_integer_value(json_object_get(c->payload, "corrects")));
    json_t *at = json_object_get(entries, k);
    if (!at)
        return refuse(r, c, "corrects", "the entry it corrects is not in the import");
    return stand_ins_of(r, c, r->cmds.c[json_integer_value(at)].type, changes);
}

static cw_rc stand_ins_of(run *r, ssd_cmd *c, const char *type, json_t *payload)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_t *prints = json_object();
    if (!prints)
        return cw_error_set(r->err, CW_ENOMEM, "out of memory");
    json_object_foreach_safe(payload, tmp, key, v)
    {
        size_t n = strlen(key);
        if (n > 6 && !strcmp(key + n - 6, "_print")) {
            char base[64];
            snprintf(base, sizeof base, "%.*s", (int)(n - 6), key);
            json_object_set(prints, base, v);
            json_object_del(payload, key);
        }
    }
    cw_rc rc = CW_OK;
    json_object_foreach_safe(payload, tmp, key, v)
    {
        if (rc)
            break;
        int personal = cw_casework_field_personal(type, key);
        if (!personal ||
            !(json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), SSD_MARKER))))
            continue;
        if (!strcmp(key, "upn") || !strcmp(key, "former_upn")) {
            const char *child = json_string_value(json_object_get(c->payload, "child_id"));
            const char *u = child ? linked(r, child, key) : NULL;
            if (!u || !u[0])
                rc = refuse(r, c, key, "it is not in ssd_linked_identifiers");
            else
                json_object_set_new(payload, key, json_string(u));
            continue;
        }
        json_t *m;
        if (!(rc = marker(r, c, json_string_value(json_object_get(prints, key)), &m)))
            json_object_set_new(payload, key, m);
    }
    json_decref(prints);
    return rc;
}

static int by_order(const void *p, const void *q)
{
    const ssd_cmd *a = p, *b = q;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cls == 0 && a->rank != b->rank) /* teams, then staff */
        return a->rank < b->rank ? -1 : 1;
    if (a->cls == 1 && a->entry != b->entry) /* caseward's own export: as first recorded */
        return a->entry < b->entry ? -1 : 1;
    if (a->cls == 1 && a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->cls == 1 && a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* What a command cannot be submitted without, that an SSD row may not give. */
static cw_rc placeable(run *r, ssd_cmd *c)
{
    static const char *const need[][3] = {
        {"contact_decided", "outcome",
         "no outcome caseward can place (its flags say neither a "
         "referral, advice nor no further action)"},
        {"referral_decided", "decision",
         "no decision caseward can place (its flags say neither "
         "an assessment, a strategy discussion nor no further "
         "action)"},
        {"assessment_completed", "outcome", "no outcome caseward can place (no outcome flag set)"},
        {"section_47_completed", "outcome", "no outcome caseward can place (no outcome flag set)"},
        {"looked_after_started", "placement_type",
         "no placement type (an SSDA903 placement code "
         "in ssd_cla_placement)"},
        {"placement_changed", "placement_type",
         "no placement type (an SSDA903 placement code "
         "in ssd_cla_placement)"},
        {"looked_after_ended", "reason", "no reason the episode ceased (an SSDA903 E code)"},
        {"leaving_care_status", "date", "the SSD gives no date from which the status holds"},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!strcmp(need[i][0], c->type) && !json_object_get(c->payload, need[i][1]))
            return refuse(r, c, need[i][1], need[i][2]);
    if (!strcmp(c->type, "conference_held") &&
        json_is_string(json_object_get(c->payload, "decision")) &&
        !strcmp(json_string_value(json_object_get(c->payload, "decision")), "register") &&
        !json_object_get(c->payload, "category"))
        return refuse(r, c, "category",
                      "a registration with no category of abuse (ssd_cp_plans' initial category)");
    return CW_OK;
}

static cw_rc build(run *r)
{
    cw_rc rc = CW_OK;
    for (int t = 0; !rc && t < SSD_NTABLES; t++)
        for (size_t k = 0; !rc && k < r->set.n[t]; k++) {
            size_t before = r->cmds.n;
            rc = cw_ssd_derive(&r->set, &r->set.rows[t][k], &r->cmds, r->err);
            for (size_t i = before; !rc && i < r->cmds.n; i++)
                snprintf(r->cmds.c[i].row_id, sizeof r->cmds.c[i].row_id, "%s",
                         r->set.rows[t][k].cell[0]);
        }
    if (rc)
        return rc;
    /* the facts: each group over the next command of its row and event */
    size_t nderived = r->cmds.n;
    for (size_t i = 0; !rc && i < nderived; i++) {
        ssd_cmd *c = &r->cmds.c[i];
        char key[400];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", tname(c->table), c->row_id, c->type);
        json_t *list = json_object_get(r->f.by_key, key);
        size_t j;
        json_t *v;
        group *g = NULL;
        json_array_foreach(list, j, v)
        {
            group *h = &r->f.g[json_integer_value(v)];
            if (!h->used) {
                g = h;
                break;
            }
        }
        if (g) {
            g->used = 1;
            if (g->absent)
                c->absent = 1;
            else
                rc = overlay(r, c, g);
            continue;
        }
        snprintf(key, sizeof key, "%s\x1f%s", tname(c->table), c->row_id);
        if (json_object_get(r->f.rows, key))
            c->absent = 1; /* the exported row made more than caseward held */
    }
    /* what the facts hold that no row makes: events of their own */
    for (size_t i = 0; !rc && i < r->f.n; i++) {
        group *g = &r->f.g[i];
        if (g->used || g->absent)
            continue;
        int table = SSD_EXT;
        for (int t = 0; t < SSD_NTABLES; t++)
            if (!strcmp(cw_ssd_tables[t].name, g->table))
                table = t;
        if (table == SSD_EXT && strcmp(g->table, SSD_EXT_TABLE) != 0)
            return cw_error_set(r->err, CW_EINVAL,
                                "%s line %zu, table: %s is not a table caseward holds",
                                SSD_FACTS_FILE, g->line, g->table);
        if (!cw_casework_known_type(g->event))
            return cw_error_set(r->err, CW_EINVAL, "%s line %zu, event: %s is not a caseward event",
                                SSD_FACTS_FILE, g->line, g->event);
        ssd_cmd *c = cw_ssd_cmd_add(&r->cmds, g->event, table, g->line, g->row_id);
        if (!c)
            return cw_error_set(r->err, CW_ENOMEM, "out of memory");
        if (table != SSD_EXT) {
            const ssd_row *row =
                cw_ssd_find(&r->set, table, cw_ssd_tables[table].cols[0], g->row_id);
            if (!row)
                return cw_error_set(r->err, CW_EINVAL, "%s line %zu, row_id: %s is not in %s",
                                    SSD_FACTS_FILE, g->line, g->row_id, g->table);
            c->line = row->line;
        }
        if (!strcmp(g->event, "staff_left"))
            c->cls = 2;
        else if (!strcmp(g->event, "team_created") || !strcmp(g->event, "staff_added"))
            c->cls = 0, c->rank = !strcmp(g->event, "staff_added");
        g->used = 1;
        rc = overlay(r, c, g);
    }
    return rc;
}

/* A foreign SSD's primary need (ssd_cin_episodes): on the episode's last completed assessment,
 * where caseward keeps it. */
static void primary_needs(run *r)
{
    for (size_t k = 0; k < r->set.n[SSD_CINE]; k++) {
        const ssd_row *e = &r->set.rows[SSD_CINE][k];
        const char *need = cw_ssd_cell(e, "cine_cin_primary_need_code");
        char ref[130];
        ssd_cmd *last = NULL;
        if (strlen(need) != 2 || (need[0] != 'N' && need[0] != 'n') || need[1] < '0' ||
            need[1] > '9')
            continue;
        cw_ssd_own_id(&r->set, SSD_CINE, cw_ssd_cell(e, "cine_referral_id"), ref);
        for (size_t i = 0; i < r->cmds.n; i++) {
            ssd_cmd *c = &r->cmds.c[i];
            if (c->has_facts || c->absent || strcmp(c->type, "assessment_completed") != 0)
                continue;
            const ssd_row *a = cw_ssd_find(&r->set, SSD_CINA, "cina_assessment_id", c->row_id);
            char aref[130];
            cw_ssd_own_id(&r->set, SSD_CINE, a ? cw_ssd_cell(a, "cina_referral_id") : "", aref);
            if (!strcmp(aref, ref) && (!last || c->date >= last->date))
                last = c;
        }
        if (last && !json_object_get(last->payload, "primary_need")) {
            char n[3] = {'N', need[1], '\0'};
            json_object_set_new(last->payload, "primary_need", json_string(n));
            json_object_set_new(last->cols, "primary_need",
                                json_string("cine_cin_primary_need_code"));
        }
    }
}

/* Each child named must be registered in the batch or already in the log. */
static cw_rc known_children(run *r)
{
    json_t *kids = json_object();
    cw_rc rc = kids ? CW_OK : cw_error_set(r->err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < r->cmds.n; i++)
        if (!r->cmds.c[i].absent && !strcmp(r->cmds.c[i].type, "child_registered")) {
            const char *id = json_string_value(json_object_get(r->cmds.c[i].payload, "child_id"));
            if (id)
                json_object_set_new(kids, id, json_integer((json_int_t)i));
        }
    for (size_t i = 0; !rc && i < r->cmds.n; i++) {
        ssd_cmd *c = &r->cmds.c[i];
        const char *id = json_string_value(json_object_get(c->payload, "child_id"));
        if (c->absent || !id || json_object_get(kids, id))
            continue;
        cw_child_info ci;
        if ((rc = cw_casework_child(r->store, id, &ci, r->err)))
            break;
        char what[200];
        snprintf(what, sizeof what, "%.64s is not a child in ssd_person (nor in the log)", id);
        if (!ci.found)
            rc = refuse(r, c, "child_id", what);
        else
            json_object_set_new(kids, id, json_integer(-1));
    }
    /* a foreign SSD's registration: dated by the child's earliest row */
    for (size_t i = 0; !rc && i < r->cmds.n; i++) {
        ssd_cmd *c = &r->cmds.c[i];
        if (c->absent || c->has_facts || strcmp(c->type, "child_registered") != 0)
            continue;
        const char *id = json_string_value(json_object_get(c->payload, "child_id"));
        cw_date first = 0;
        int have = 0;
        for (size_t j = 0; j < r->cmds.n; j++) {
            const ssd_cmd *o = &r->cmds.c[j];
            const char *oid = json_string_value(json_object_get(o->payload, "child_id"));
            if (o != c && !o->absent && oid && !strcmp(oid, id) &&
                json_object_get(o->payload, "date") && (!have || o->date < first))
                first = o->date, have = 1;
        }
        if (!have) {
            const char *dob = json_string_value(json_object_get(c->payload, "date_of_birth"));
            cw_date_parse(dob, strlen(dob), &first);
        }
        char d[CW_DATE_LEN + 1];
        cw_date_format(first, d);
        c->date = first;
        json_object_set_new(c->payload, "date", json_string(d));
        if (!json_object_get(c->payload, "language"))
            json_object_set_new(c->payload, "language", json_string(r->o->language));
        for (size_t j = 0; j < r->cmds.n; j++) { /* the details, on the same day */
            ssd_cmd *o = &r->cmds.c[j];
            const char *oid = json_string_value(json_object_get(o->payload, "child_id"));
            if (!o->has_facts && !strcmp(o->type, "child_details_recorded") && oid &&
                !strcmp(oid, id) && !json_object_get(o->payload, "date")) {
                json_object_set_new(o->payload, "date", json_string(d));
                o->date = first;
            }
        }
    }
    json_decref(kids);
    return rc;
}

/* The field of a refusal's message that names a column. */
static const char *field_named(const ssd_cmd *c, const char *msg)
{
    const char *key, *best = NULL;
    json_t *v;
    json_object_foreach(c->payload, key, v)
    {
        const char *at = strstr(msg, key);
        size_t n = strlen(key);
        if (at && (at == msg || !strchr("abcdefghijklmnopqrstuvwxyz_", at[-1])) &&
            !strchr("abcdefghijklmnopqrstuvwxyz_", at[n]) && (!best || n > strlen(best)))
            best = key;
    }
    return best;
}

/* What an import may record: a child's casework and the staff and teams it names, as the SSD
 * export writes them. Never what a person does in their own session or the command line refuses
 * (accounts and tokens, approvals of wider access, sign-off decisions and policy, erasures and
 * legal holds, record accesses, escalations, audits, improvement plans): a file from another
 * system cannot make them. */
static int importable(const char *type)
{
    static const char *const never[] = {"account_created",        "account_changed",
                                        "password_set",           "token_created",
                                        "token_revoked",          "access_change_proposed",
                                        "access_change_approved", "access_change_rejected",
                                        "sign_off_policy",        "work_signed_off",
                                        "work_returned",          "record_accessed",
                                        "sign_in_spray_detected", "erasure_proposed",
                                        "erasure_approved",       "erasure_declined",
                                        "legal_hold_placed",      "legal_hold_lifted",
                                        "escalation_raised",      "restriction_changed",
                                        "deputy_named",           NULL};
    for (const char *const *n = never; *n; n++)
        if (!strcmp(*n, type))
            return 0;
    return strncmp(type, "audit_", 6) != 0 && !cw_casework_is_improve(type);
}

static cw_rc submit(run *r, cw_ledger *l, uint64_t *size)
{
    json_t *renumbered = json_object(); /* exported entry -> its number in this log */
    cw_rc rc = renumbered ? cw_casework_begin(l, r->err)
                          : cw_error_set(r->err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < r->cmds.n; i++) {
        ssd_cmd *c = &r->cmds.c[i];
        char k[32];
        uint64_t idx = 0;
        if (c->absent)
            continue;
        if (!importable(c->type)) {
            rc = c->table == SSD_EXT
                     ? cw_error_set(r->err, CW_EFORBIDDEN,
                                    "%s line %zu, event: %s is not history an import may record "
                                    "(it is a person's own act, in their session)",
                                    SSD_FACTS_FILE, c->line, c->type)
                     : cw_error_set(r->err, CW_EFORBIDDEN,
                                    "%s.csv line %zu: %s is not history an "
                                    "import may record",
                                    tfile(c->table), c->line, c->type);
            break;
        }
        if (!strcmp(c->type, "correction")) { /* names what it corrects by this log's number */
            snprintf(k, sizeof k, "%lld",
                     (long long)json_integer_value(json_object_get(c->payload, "corrects")));
            json_t *n = json_object_get(renumbered, k);
            if (!n) {
                rc = refuse(r, c, "corrects", "the entry it corrects is not imported before it");
                break;
            }
            json_object_set(c->payload, "corrects", n);
        }
        cw_event ev = {c->actor[0] ? c->actor : r->o->actor, c->type, c->payload};
        cw_event_source src = {r->o->system,
                               c->recorded_ms >= 0 ? c->recorded_ms : r->o->recorded_ms};
        if (c->cls == 0 && !c->has_facts)
            src.recorded_ms = r->o->recorded_ms;
        if (!(rc = cw_casework_submit_source(l, &ev, &src, &idx, r->err)) && c->entry >= 0) {
            snprintf(k, sizeof k, "%lld", (long long)c->entry);
            json_object_set_new(renumbered, k, json_integer((json_int_t)idx));
        }
        if (rc) {
            char msg[CW_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", r->err->msg);
            const char *f = field_named(c, msg);
            const char *col = f ? json_string_value(json_object_get(c->cols, f)) : NULL;
            if (c->table == SSD_EXT)
                cw_error_set(r->err, rc, "%s line %zu (%s for child %s): %s", SSD_FACTS_FILE,
                             c->line, c->type, c->row_id, msg);
            else
                cw_error_set(r->err, rc, "%s.csv line %zu, %s (%s): %s", tfile(c->table), c->line,
                             col ? col : row_col0(c), c->type, msg);
        }
    }
    json_decref(renumbered);
    if (rc)
        cw_casework_abort(l);
    else
        rc = cw_casework_commit(l, size, r->err);
    return rc;
}

static int csv_name(const char *name, char *base, size_t cap)
{
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 4, ".csv") != 0 || n - 4 >= cap)
        return 0;
    memcpy(base, name, n - 4);
    base[n - 4] = '\0';
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

cw_rc cw_ssd_import(cw_ledger *l, const cw_ssd_import_opts *o, cw_ssd_import_result *res,
                    cw_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    memset(res, 0, sizeof *res);
    cw_buf_init(&res->skipped, 4096);
    r.o = o;
    r.store = cw_ledger_store(l);
    r.res = res;
    r.err = err;
    cw_buf b = CW_BUF_INIT(MAX_FILE);
    char empty[1] = "";
    char **names = NULL;
    size_t nn = 0, capn = 0;
    cw_rc rc = CW_OK;
    DIR *d = opendir(o->dir);
    if (!d)
        return cw_error_set(err, CW_EUSAGE, "%s: not a directory that can be read", o->dir);
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        char base[200];
        if (!csv_name(de->d_name, base, sizeof base))
            continue;
        if (cw_array_grow(&names, &capn, nn, sizeof *names) || !(names[nn++] = strdup(base)))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    closedir(d);
    if (names)
        qsort(names, nn, sizeof *names, by_name);
    if (!rc && (r.f.by_key = json_object()) && (r.f.rows = json_object())) {
        for (size_t i = 0; !rc && i < nn; i++) {
            char file[256];
            snprintf(file, sizeof file, "%s.csv", names[i]);
            if (!strcmp(file, SSD_FACTS_FILE)) {
                cw_buf_release(&b);
                if (!(rc = read_file(o->dir, file, &b, err)))
                    rc = parse_csv(file, b.data ? b.data : empty, b.len, facts_record, &r.f, err);
                r.set.roundtrip = 1;
                continue;
            }
            int t = -1;
            for (int k = 0; k < SSD_NTABLES; k++)
                if (!strcmp(cw_ssd_tables[k].name, names[i]))
                    t = k;
            if (t < 0) {
                if (!strncmp(names[i], "ssd_", 4))
                    rc = cw_buf_addf(&res->skipped, "%s%s", res->skipped.len ? ", " : "", names[i])
                             ? cw_error_set(err, CW_ENOMEM, "out of memory")
                             : CW_OK;
                continue;
            }
            reader rd;
            memset(&rd, 0, sizeof rd);
            rd.set = &r.set;
            rd.table = t;
            rd.file = file;
            cw_buf_release(&b);
            if (!(rc = read_file(o->dir, file, &b, err)))
                rc = parse_csv(file, b.data ? b.data : empty, b.len, table_record, &rd, err);
            res->rows[t] = r.set.n[t];
        }
    } else if (!rc) {
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    cw_buf_release(&b);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    if (!rc && !r.set.n[SSD_PERSON] && !r.set.n[SSD_DEPT] && !r.set.n[SSD_PROF])
        rc = cw_error_set(err, CW_EUSAGE, "%s: no SSD tables caseward holds (ssd_person.csv, ...)",
                          o->dir);
    if (!rc)
        rc = build(&r);
    json_t *entries = json_object(); /* exported entry -> its command */
    for (size_t i = 0; !rc && entries && i < r.cmds.n; i++)
        if (r.cmds.c[i].entry >= 0) {
            char k[32];
            snprintf(k, sizeof k, "%lld", (long long)r.cmds.c[i].entry);
            json_object_set_new(entries, k, json_integer((json_int_t)i));
        }
    if (!rc && !entries)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < r.cmds.n; i++) {
        r.cmds.c[i].seq = i;
        if (!r.cmds.c[i].absent && !(rc = stand_ins(&r, &r.cmds.c[i], entries)))
            rc = placeable(&r, &r.cmds.c[i]);
    }
    json_decref(entries);
    if (!rc) {
        primary_needs(&r);
        rc = known_children(&r);
    }
    /* order: the organisation (teams, then staff, managers first), the casework, then leavers */
    int all_entries = 1, foreign = 0;
    for (size_t i = 0; !rc && i < r.cmds.n; i++) {
        const ssd_cmd *c = &r.cmds.c[i];
        if (!c->absent && c->cls == 1 && c->entry < 0)
            all_entries = 0;
        if (!c->absent && !c->actor[0] && c->cls == 1)
            foreign = 1;
    }
    for (size_t i = 0; !rc && !all_entries && i < r.cmds.n; i++)
        r.cmds.c[i].entry = -1; /* a foreign SSD, or rows added to an export: by date */
    if (!rc) {
        qsort(r.cmds.c, r.cmds.n, sizeof *r.cmds.c, by_order);
        /* staff whose manager comes later: moved after them */
        for (int pass = 0; pass < 64; pass++) {
            int moved = 0;
            for (size_t i = 0; i < r.cmds.n; i++) {
                ssd_cmd *c = &r.cmds.c[i];
                const char *m = json_string_value(json_object_get(c->payload, "manager_id"));
                if (c->absent || strcmp(c->type, "staff_added") != 0 || !m)
                    continue;
                for (size_t j = i + 1; j < r.cmds.n; j++) {
                    const char *s =
                        json_string_value(json_object_get(r.cmds.c[j].payload, "staff_id"));
                    if (!strcmp(r.cmds.c[j].type, "staff_added") && s && !strcmp(s, m)) {
                        ssd_cmd t = *c;
                        memmove(c, c + 1, (j - i) * sizeof *c);
                        r.cmds.c[j] = t;
                        moved = 1;
                        break;
                    }
                }
            }
            if (!moved)
                break;
        }
    }
    /* a foreign SSD's rows are recorded by the import's own member of staff */
    if (!rc && foreign) {
        cw_staff_info si;
        int in_batch = 0;
        for (size_t i = 0; i < r.cmds.n; i++) {
            const char *s = json_string_value(json_object_get(r.cmds.c[i].payload, "staff_id"));
            if (!strcmp(r.cmds.c[i].type, "staff_added") && s && !strcmp(s, o->actor))
                in_batch = 1;
        }
        if (!(rc = cw_casework_staff(r.store, o->actor, &si, err)) && !si.found && !in_batch) {
            ssd_cmd *c = cw_ssd_cmd_add(&r.cmds, "staff_added", SSD_PROF, 0, o->actor);
            if (!c)
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            else {
                c->cls = 0;
                json_object_set_new(c->payload, "staff_id", json_string(o->actor));
                json_object_set_new(c->payload, "name", json_string("SSD import"));
                json_object_set_new(c->payload, "role", json_string("administrator"));
                ssd_cmd t = *c; /* first of all */
                memmove(r.cmds.c + 1, r.cmds.c, (r.cmds.n - 1) * sizeof *r.cmds.c);
                r.cmds.c[0] = t;
            }
        }
    }
    for (size_t i = 0; i < r.cmds.n; i++)
        if (!r.cmds.c[i].absent)
            res->commands++;
    if (!rc)
        rc = submit(&r, l, &res->size);
    for (size_t i = 0; i < r.f.n; i++)
        json_decref(r.f.g[i].fields);
    free(r.f.g);
    json_decref(r.f.by_key);
    json_decref(r.f.rows);
    cw_ssd_cmds_release(&r.cmds);
    cw_ssd_set_release(&r.set);
    return rc;
}

void cw_ssd_import_result_release(cw_ssd_import_result *res)
{
    cw_buf_release(&res->skipped);
}

const char *cw_ssd_table_name(int i)
{
    return i >= 0 && i < SSD_NTABLES ? cw_ssd_tables[i].name : NULL;
}
