/*
 * report.c — an audit programme's report (docs/audits.md, "Reports"): its
 * content as issued, the state of everything it started (who acknowledged it
 * when, each action's state), and the printable forms, HTML and CSV.
 *
 * The content is one JSON document, held in the log: the figures in the
 * audit_report_issued entry itself, the recommendations and actions in their
 * own entries before it. content_sha256 is the SHA-256 of the document's
 * canonical JSON (util/json.h), so anyone with the log can rebuild the
 * document and check the hash: cw_audit_report_check does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality/audit.h"
#include "util/calendar.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/time.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

/* ---- the recommendations and their actions, as the projections hold them ---- */

static cw_rc rec_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *list = ctx;
    char id[65], theme[33] = "";
    if (n < 4 || cw_value_copy(&c[0], id, sizeof id) <= 0)
        return CW_EDB;
    cw_value_copy(&c[2], theme, sizeof theme);
    json_t *one = json_pack("{sssIss?sss[]}", "recommendation_id", id, "number", (json_int_t)c[1].i,
                            "theme", theme[0] ? theme : NULL, "text", "", "actions");
    if (!one)
        return CW_ENOMEM;
    json_object_set_new(one, "text", json_stringn(c[3].s ? c[3].s : "", c[3].len));
    return json_array_append_new(list, one) ? CW_ENOMEM : CW_OK;
}

typedef struct action_scan {
    json_t *recs;
    int with_state;
} action_scan;

static json_t *text_or_null(const cw_value *v)
{
    return v->type == CW_V_TEXT ? json_stringn(v->s, v->len) : json_null();
}

static cw_rc action_row(void *ctx, const cw_value *c, size_t n)
{
    action_scan *a = ctx;
    char rec[65];
    if (n < 12 || cw_value_copy(&c[1], rec, sizeof rec) <= 0)
        return CW_EDB;
    json_t *into = NULL;
    for (size_t i = 0; i < json_array_size(a->recs); i++)
        if (!strcmp(str(json_array_get(a->recs, i), "recommendation_id"), rec))
            into = json_object_get(json_array_get(a->recs, i), "actions");
    if (!into)
        return CW_EDB;
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "action_id", text_or_null(&c[0])) ||
        json_object_set_new(one, "number", json_integer(c[3].i)) ||
        json_object_set_new(one, "text", text_or_null(&c[4])) ||
        json_object_set_new(one, "owner_id", text_or_null(&c[5])) ||
        json_object_set_new(one, "due", text_or_null(&c[6])) ||
        (a->with_state && (json_object_set_new(one, "status", text_or_null(&c[7])) ||
                           json_object_set_new(one, "updated_on", text_or_null(&c[8])) ||
                           json_object_set_new(one, "completed_on", text_or_null(&c[9])) ||
                           json_object_set_new(one, "closed_on", text_or_null(&c[10])) ||
                           json_object_set_new(one, "closed_by", text_or_null(&c[11])))) ||
        json_array_append_new(into, one)) {
        json_decref(one);
        return CW_ENOMEM;
    }
    return CW_OK;
}

static cw_rc recommendations(cw_store *s, const char *programme_id, int with_state, json_t **out,
                             cw_error *err)
{
    json_t *recs = json_array();
    cw_value k = cw_text(programme_id);
    action_scan a = {recs, with_state};
    cw_rc rc = recs ? CW_OK : CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_RECOMMENDATIONS_OF, &k, 1, rec_row, recs, NULL, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_ACTIONS_OF, &k, 1, action_row, &a, NULL, err);
    if (rc == CW_ENOMEM)
        cw_error_set(err, rc, "out of memory");
    if (rc) {
        json_decref(recs);
        recs = NULL;
    }
    *out = recs;
    return rc;
}

/* ---- the content ---- */

static void hash_of(const json_t *doc, char sha[65], cw_rc *rc)
{
    cw_buf b = CW_BUF_INIT(1 << 24);
    if (!*rc && !(*rc = cw_json_write_canonical(doc, &b)))
        cw_sha256_hex(b.data, b.len, sha);
    cw_buf_release(&b);
}

cw_rc cw_audit_report_content(cw_store *s, uint64_t log_size, const char *programme_id,
                              const char *report_id, const char *date, const json_t *recipients,
                              int64_t acknowledge_within, json_t **payload, cw_error *err)
{
    json_t *figures = NULL, *recs = NULL, *doc = NULL;
    *payload = NULL;
    /* The figures as facts (no grades' names: those are the framework's), with the
     * comparison with earlier programmes. */
    cw_rc rc = cw_audit_figures_facts(s, programme_id, &figures, err);
    if (!rc)
        rc = recommendations(s, programme_id, 0, &recs, err);
    if (!rc && !(doc = json_pack("{sssssssOsIsOsO}", "report_id", report_id, "programme_id",
                                 programme_id, "date", date, "recipients", recipients,
                                 "acknowledge_within", (json_int_t)acknowledge_within, "figures",
                                 figures, "recommendations", recs)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    char sha[65] = "";
    hash_of(doc, sha, &rc);
    size_t nacts = 0;
    for (size_t i = 0; i < json_array_size(recs); i++)
        nacts += json_array_size(json_object_get(json_array_get(recs, i), "actions"));
    if (!rc && !(*payload = json_pack(
                     "{sssssssOsIsssOsIsIsI}", "report_id", report_id, "programme_id", programme_id,
                     "date", date, "recipients", recipients, "acknowledge_within",
                     (json_int_t)acknowledge_within, "content_sha256", sha, "figures", figures,
                     "recommendations", (json_int_t)json_array_size(recs), "actions",
                     (json_int_t)nacts, "log_size", (json_int_t)log_size)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    json_decref(doc);
    json_decref(recs);
    json_decref(figures);
    return rc;
}

cw_rc cw_audit_report_rehash(cw_store *s, const json_t *issued, char sha[65], json_t **figures,
                             cw_error *err)
{
    json_t *recs = NULL, *doc = NULL;
    const char *programme_id = str(issued, "programme_id");
    *figures = NULL;
    sha[0] = '\0';
    cw_rc rc = programme_id ? recommendations(s, programme_id, 0, &recs, err)
                            : cw_error_set(err, CW_EVERIFY, "the report names no programme");
    if (!rc &&
        !(doc = json_pack("{sOsOsOsOsOsOsO}", "report_id", json_object_get(issued, "report_id"),
                          "programme_id", json_object_get(issued, "programme_id"), "date",
                          json_object_get(issued, "date"), "recipients",
                          json_object_get(issued, "recipients"), "acknowledge_within",
                          json_object_get(issued, "acknowledge_within"), "figures",
                          json_object_get(issued, "figures"), "recommendations", recs)))
        rc = cw_error_set(err, CW_EVERIFY, "the report's entry lacks a member of its content");
    hash_of(doc, sha, &rc);
    if (!rc)
        rc = cw_audit_figures_facts(s, programme_id, figures, err);
    json_decref(doc);
    json_decref(recs);
    return rc;
}

/* ---- the state of a report ---- */

typedef struct report_row {
    int found;
    char report_id[65], programme_id[65], issued_on[16], issued_by[65], sha[65];
    int64_t within, idx;
} report_row;

static cw_rc report_row_fn(void *ctx, const cw_value *c, size_t n)
{
    report_row *r = ctx;
    if (n < 6)
        return CW_EDB;
    r->found = 1;
    cw_value_copy(&c[0], r->report_id, sizeof r->report_id);
    cw_value_copy(&c[1], r->issued_on, sizeof r->issued_on);
    cw_value_copy(&c[2], r->issued_by, sizeof r->issued_by);
    r->within = c[3].i;
    cw_value_copy(&c[4], r->sha, sizeof r->sha);
    r->idx = c[5].i;
    return CW_OK;
}

static cw_rc recipient_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *list = ctx;
    if (n < 3)
        return CW_EDB;
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "staff_id", text_or_null(&c[0])) ||
        json_object_set_new(one, "acknowledged_on", text_or_null(&c[1])) ||
        json_object_set_new(one, "entry",
                            c[2].type == CW_V_INT ? json_integer(c[2].i) : json_null()) ||
        json_array_append_new(list, one)) {
        json_decref(one);
        return CW_ENOMEM;
    }
    return CW_OK;
}

typedef struct leaf_read {
    json_t *payload;
} leaf_read;

static cw_rc leaf_row(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                      const uint8_t *leaf, size_t llen)
{
    (void)idx, (void)hashes, (void)hlen;
    leaf_read *l = ctx;
    json_t *root = json_loadb((const char *)leaf, llen, 0, NULL);
    if (root)
        l->payload = json_incref(json_object_get(root, "payload"));
    json_decref(root);
    return l->payload ? CW_OK : CW_EDB;
}

/* Working days after a day, by the England and Wales calendar. */
static cw_rc due_after(const char *from, int64_t days, char out[CW_DATE_LEN + 1], cw_error *err)
{
    cw_calendar cal;
    cw_date d, due;
    memset(&cal, 0, sizeof cal);
    cw_rc rc = cw_calendar_load_default(&cal, err);
    if (!rc && cw_date_parse(from, strlen(from), &d))
        rc = cw_error_set(err, CW_EDB, "database: a report's date is not a date");
    if (!rc && !(rc = cw_calendar_add_working_days(&cal, d, days, &due, err)))
        cw_date_format(due, out);
    cw_calendar_release(&cal);
    return rc;
}

cw_rc cw_audit_report_state(cw_store *s, const char *programme_id, json_t **out, cw_error *err)
{
    report_row r = {0};
    cw_value k = cw_text(programme_id);
    *out = NULL;
    cw_rc rc = cw_store_run(s, CW_Q_AUDIT_REPORT_OF, &k, 1, report_row_fn, &r, NULL, err);
    if (!rc && !r.found)
        return cw_error_key(err, CW_ENOTFOUND, "no_report_of", "programme_id", programme_id, NULL);
    json_t *recips = json_array(), *recs = NULL;
    leaf_read lr = {NULL};
    char due[CW_DATE_LEN + 1] = "";
    if (!rc && !recips)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_value rk = cw_text(r.report_id);
    if (!rc)
        rc = cw_store_run(s, CW_Q_AUDIT_RECIPIENTS_OF, &rk, 1, recipient_row, recips, NULL, err);
    if (!rc)
        rc = recommendations(s, programme_id, 1, &recs, err);
    if (!rc)
        rc = cw_store_entry_scan(s, r.idx, r.idx + 1, leaf_row, &lr, err);
    if (!rc && !lr.payload)
        rc =
            cw_error_set(err, CW_EDB, "database: report %s's entry is not in the log", r.report_id);
    if (!rc)
        rc = due_after(r.issued_on, r.within, due, err);
    if (!rc &&
        !(*out = json_pack(
              "{sssssssssIsssIsOsOsOsO}", "report_id", r.report_id, "programme_id", programme_id,
              "issued_on", r.issued_on, "issued_by", r.issued_by, "acknowledge_within",
              (json_int_t)r.within, "acknowledge_by", due, "entry", (json_int_t)r.idx,
              "content_sha256", json_object_get(lr.payload, "content_sha256"), "recipients", recips,
              "figures", json_object_get(lr.payload, "figures"), "recommendations", recs)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    json_decref(lr.payload);
    json_decref(recips);
    json_decref(recs);
    return rc;
}

/* ---- printable forms ---- */

typedef struct words {
    const char *lang, *report, *programme, *issued, *by, *framework, *cases, *completed, *moderated,
        *gradings, *grade, *count, *percent, *overall, *theme, *team, *auditor, *moderation, *pairs,
        *exact, *within_one, *kappa, *findings, *none, *actioned, *not_actioned, *recommendations,
        *point, *owner, *due, *status, *recipients, *acknowledged, *not_acknowledged, *ack_by,
        *hash, *entry, *n_gradings, *to, *earlier, *s_open, *s_in_progress, *s_awaiting, *s_closed,
        *s_overdue;
} words;

static const words EN = {"en",
                         "Case-file audit report",
                         "Programme",
                         "Issued",
                         "by",
                         "framework",
                         "Cases in the programme",
                         "completed",
                         "moderated",
                         "Gradings (themes of completed audits; not applicable left out)",
                         "Grade",
                         "Count",
                         "Per cent",
                         "Overall grades",
                         "By theme",
                         "By team",
                         "By auditor",
                         "Moderation",
                         "paired gradings",
                         "exact agreement",
                         "within one grade",
                         "weighted kappa (linear, quadratic)",
                         "Critical findings",
                         "None",
                         "action recorded",
                         "NO ACTION RECORDED",
                         "Recommendations and improvement points",
                         "Point",
                         "Owner",
                         "Due",
                         "Status",
                         "Recipients",
                         "acknowledged",
                         "NOT ACKNOWLEDGED",
                         "to acknowledge by",
                         "SHA-256 of the report's content",
                         "log entry",
                         "Gradings",
                         "to",
                         "Earlier audits, for comparison",
                         "Open",
                         "In progress",
                         "Awaiting sign-off",
                         "Closed",
                         "OVERDUE"};

static const words CY = {"cy",
                         "Adroddiad archwilio ffeiliau achos",
                         "Rhaglen",
                         "Cyhoeddwyd",
                         "gan",
                         "fframwaith",
                         "Achosion yn y rhaglen",
                         "wedi’u cwblhau",
                         "wedi’u cymedroli",
                         "Graddau (themâu archwiliadau wedi’u cwblhau; heb y rhai nad ydynt yn "
                         "berthnasol)",
                         "Gradd",
                         "Nifer",
                         "Y cant",
                         "Graddau cyffredinol",
                         "Yn ôl thema",
                         "Yn ôl tîm",
                         "Yn ôl archwilydd",
                         "Cymedroli",
                         "graddau mewn parau",
                         "cytundeb llwyr",
                         "o fewn un radd",
                         "kappa wedi’i bwysoli (llinol, cwadratig)",
                         "Canfyddiadau critigol",
                         "Dim",
                         "cam wedi’i gofnodi",
                         "DIM CAM WEDI’I GOFNODI",
                         "Argymhellion a phwyntiau gwella",
                         "Pwynt",
                         "Perchennog",
                         "Erbyn",
                         "Statws",
                         "Derbynwyr",
                         "wedi cydnabod",
                         "HEB GYDNABOD",
                         "i’w gydnabod erbyn",
                         "SHA-256 cynnwys yr adroddiad",
                         "eitem yn y log",
                         "Graddau",
                         "i",
                         "Archwiliadau cynharach, i’w cymharu",
                         "Ar agor",
                         "Ar y gweill",
                         "Yn aros am gymeradwyaeth",
                         "Wedi’i gau",
                         "HWYR"};

/* An action's state in words (the state as the report is printed). */
static const char *status_word(const words *w, const json_t *a)
{
    const char *s = str(a, "status");
    return !s                                ? ""
           : !strcmp(s, "open")              ? w->s_open
           : !strcmp(s, "in_progress")       ? w->s_in_progress
           : !strcmp(s, "awaiting_sign_off") ? w->s_awaiting
           : !strcmp(s, "closed")            ? w->s_closed
                                             : s;
}

/* Not closed, and its due day has passed (today, UTC). */
static int overdue(const json_t *a)
{
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), today);
    const char *s = str(a, "status"), *due = str(a, "due");
    return s && strcmp(s, "closed") && due && strcmp(due, today) < 0;
}

static cw_rc esc(cw_buf *b, const char *s)
{
    cw_rc rc = CW_OK;
    for (; !rc && s && *s; s++) {
        switch (*s) {
        case '<':
            rc = cw_buf_addf(b, "&lt;");
            break;
        case '>':
            rc = cw_buf_addf(b, "&gt;");
            break;
        case '&':
            rc = cw_buf_addf(b, "&amp;");
            break;
        case '"':
            rc = cw_buf_addf(b, "&quot;");
            break;
        default:
            rc = cw_buf_add(b, s, 1);
        }
    }
    return rc;
}

static const char *label_of(const cw_audit_framework *f, const words *w, json_int_t g)
{
    if (!f || g < 1 || (size_t)g > f->ngrades)
        return "";
    const cw_audit_grade *x = &f->grades[g - 1];
    return !strcmp(w->lang, "cy") && x->label_cy[0] ? x->label_cy : x->label;
}

static cw_rc dist_table(cw_buf *b, const json_t *list, const cw_audit_framework *f, const words *w)
{
    cw_rc rc = cw_buf_addf(b,
                           "<table><thead><tr><th>%s</th><th class=n>%s</th><th class=n>%s"
                           "</th></tr></thead><tbody>\n",
                           w->grade, w->count, w->percent);
    for (size_t i = 0; !rc && i < json_array_size(list); i++) {
        const json_t *g = json_array_get(list, i);
        json_int_t grade = json_integer_value(json_object_get(g, "grade"));
        if (!(rc = cw_buf_addf(b, "<tr><td>%" JSON_INTEGER_FORMAT " ", grade)) &&
            !(rc = esc(b, label_of(f, w, grade))))
            rc = cw_buf_addf(b,
                             "</td><td class=n>%" JSON_INTEGER_FORMAT "</td><td class=n>%s</td>"
                             "</tr>\n",
                             json_integer_value(json_object_get(g, "count")), str(g, "percent"));
    }
    return rc ? rc : cw_buf_addf(b, "</tbody></table>\n");
}

static cw_rc breakdown(cw_buf *b, const json_t *list, const char *key, const char *title,
                       const cw_audit_framework *f, const words *w)
{
    cw_rc rc = cw_buf_addf(b, "<h3>%s</h3><table><thead><tr><th></th><th class=n>%s</th>", title,
                           w->n_gradings);
    const json_t *first = json_object_get(json_array_get(list, 0), "grades");
    for (size_t k = 0; !rc && k < json_array_size(first); k++) {
        json_int_t g = json_integer_value(json_object_get(json_array_get(first, k), "grade"));
        if (!(rc = cw_buf_addf(b, "<th class=n>%" JSON_INTEGER_FORMAT " ", g)) &&
            !(rc = esc(b, label_of(f, w, g))))
            rc = cw_buf_addf(b, " %%</th>");
    }
    if (!rc)
        rc = cw_buf_addf(b, "</tr></thead><tbody>\n");
    for (size_t i = 0; !rc && i < json_array_size(list); i++) {
        const json_t *t = json_array_get(list, i), *g = json_object_get(t, "grades");
        const char *name = str(t, key);
        if (f && !strcmp(key, "theme")) {
            const cw_audit_theme *th = cw_audit_framework_theme(f, name);
            if (th)
                name = !strcmp(w->lang, "cy") && th->title_cy[0] ? th->title_cy : th->title;
        }
        if (!(rc = cw_buf_addf(b, "<tr><td>")) && !(rc = esc(b, name)))
            rc = cw_buf_addf(b, "</td><td class=n>%" JSON_INTEGER_FORMAT "</td>",
                             json_integer_value(json_object_get(t, "gradings")));
        for (size_t k = 0; !rc && k < json_array_size(g); k++)
            rc = cw_buf_addf(b, "<td class=n>%s</td>", str(json_array_get(g, k), "percent"));
        if (!rc)
            rc = cw_buf_addf(b, "</tr>\n");
    }
    return rc ? rc : cw_buf_addf(b, "</tbody></table>\n");
}

cw_rc cw_audit_report_html(const json_t *st, const cw_audit_framework *f, const char *lang,
                           cw_buf *b)
{
    const words *w = lang && !strcmp(lang, "cy") ? &CY : &EN;
    const json_t *fig = json_object_get(st, "figures"), *c = json_object_get(fig, "cases");
    const json_t *m = json_object_get(fig, "moderation");
    cw_rc rc = cw_buf_addf(
        b,
        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s %s</title>\n"
        "<style>body{font-family:Arial,sans-serif;margin:2em;color:#0b0c0c}"
        "h1{font-size:1.6em}h2{font-size:1.3em;margin-top:1.5em}h3{font-size:1.1em}"
        "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border-bottom:1px solid #b1b4b6;"
        "padding:.3em .6em;text-align:left;vertical-align:top}.n{text-align:right}"
        ".alert{font-weight:bold;color:#d4351c}.meta{color:#505a5f}"
        "@media print{body{margin:0}h2,h3{break-after:avoid}table{break-inside:avoid}}"
        "</style></head><body>\n",
        w->lang, w->report, str(st, "programme_id"));
    if (!rc && !(rc = cw_buf_addf(b, "<h1>%s: ", w->report)) && !(rc = esc(b, str(fig, "title"))))
        rc = cw_buf_addf(b, "</h1>\n<p class=meta>%s %s, %s %s %s; %s %s (%s", w->programme,
                         str(st, "programme_id"), str(fig, "starts"), w->to, str(fig, "ends"),
                         w->issued, str(st, "issued_on"), w->by);
    if (!rc)
        rc = cw_buf_addf(b, " %s); %s %s (%s %" JSON_INTEGER_FORMAT ")</p>\n", str(st, "issued_by"),
                         w->framework, str(fig, "framework"), w->entry,
                         json_integer_value(json_object_get(st, "entry")));
    if (!rc)
        rc = cw_buf_addf(b,
                         "<p>%s: %" JSON_INTEGER_FORMAT "; %s %" JSON_INTEGER_FORMAT
                         "; %s %" JSON_INTEGER_FORMAT ".</p>\n<h2>%s: %" JSON_INTEGER_FORMAT
                         "</h2>\n",
                         w->cases, json_integer_value(json_object_get(c, "in_programme")),
                         w->completed, json_integer_value(json_object_get(c, "completed")),
                         w->moderated, json_integer_value(json_object_get(c, "moderated")),
                         w->gradings, json_integer_value(json_object_get(fig, "gradings")));
    if (!rc)
        rc = dist_table(b, json_object_get(fig, "distribution"), f, w);
    if (!rc && !(rc = cw_buf_addf(b, "<h2>%s</h2>\n", w->overall)))
        rc = dist_table(b, json_object_get(fig, "overall"), f, w);
    if (!rc)
        rc = breakdown(b, json_object_get(fig, "by_theme"), "theme", w->theme, f, w);
    if (!rc)
        rc = breakdown(b, json_object_get(fig, "by_team"), "team_id", w->team, f, w);
    if (!rc)
        rc = breakdown(b, json_object_get(fig, "by_auditor"), "auditor_id", w->auditor, f, w);
    if (!rc) {
        const char *kl = str(m, "kappa_linear"), *kq = str(m, "kappa_quadratic");
        rc = cw_buf_addf(b,
                         "<h2>%s</h2><p>%" JSON_INTEGER_FORMAT " %s; %s %s%%; %s %s%%; %s %s, "
                         "%s.</p>\n",
                         w->moderation, json_integer_value(json_object_get(m, "pairs")), w->pairs,
                         w->exact, str(m, "exact_percent"), w->within_one,
                         str(m, "within_one_percent"), w->kappa, kl ? kl : "n/a", kq ? kq : "n/a");
    }
    const json_t *fl = json_object_get(fig, "critical_findings");
    if (!rc)
        rc = cw_buf_addf(b, "<h2>%s</h2>\n%s", w->findings, json_array_size(fl) ? "<ul>\n" : "");
    for (size_t i = 0; !rc && i < json_array_size(fl); i++) {
        const json_t *x = json_array_get(fl, i);
        const char *on = str(x, "actioned_on");
        rc = cw_buf_addf(b, "<li>%s, %s: %s%s%s%s</li>\n", str(x, "child_id"), str(x, "found_on"),
                         on ? "" : "<span class=alert>", on ? w->actioned : w->not_actioned,
                         on ? " " : "</span>", on ? on : "");
    }
    if (!rc)
        rc = cw_buf_addf(b, "%s", json_array_size(fl) ? "</ul>\n" : "<p>");
    if (!rc && !json_array_size(fl))
        rc = cw_buf_addf(b, "%s</p>\n", w->none);
    /* Earlier programmes, for comparison: each one's distribution of grades. */
    const json_t *earlier = json_object_get(fig, "earlier");
    if (!rc && json_array_size(earlier))
        rc = cw_buf_addf(b, "<h2>%s</h2>\n", w->earlier);
    for (size_t i = 0; !rc && i < json_array_size(earlier); i++) {
        const json_t *e = json_array_get(earlier, i);
        if (!(rc = cw_buf_addf(b, "<h3>%s: ", str(e, "programme_id"))) &&
            !(rc = esc(b, str(e, "title"))) &&
            !(rc = cw_buf_addf(b, " (%s; %s %" JSON_INTEGER_FORMAT ")</h3>\n", str(e, "starts"),
                               w->n_gradings, json_integer_value(json_object_get(e, "gradings")))))
            rc = dist_table(b, json_object_get(e, "distribution"), f, w);
    }
    const json_t *recs = json_object_get(st, "recommendations");
    if (!rc)
        rc = cw_buf_addf(b, "<h2>%s</h2>\n", w->recommendations);
    for (size_t i = 0; !rc && i < json_array_size(recs); i++) {
        const json_t *r = json_array_get(recs, i), *acts = json_object_get(r, "actions");
        json_int_t rn = json_integer_value(json_object_get(r, "number"));
        if (!(rc = cw_buf_addf(b, "<h3>%" JSON_INTEGER_FORMAT ". ", rn)) &&
            !(rc = esc(b, str(r, "text"))))
            rc = cw_buf_addf(b,
                             "</h3>\n<table><thead><tr><th>%s</th><th></th><th>%s</th>"
                             "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
                             w->point, w->owner, w->due, w->status);
        for (size_t k = 0; !rc && k < json_array_size(acts); k++) {
            const json_t *a = json_array_get(acts, k);
            if (!(rc = cw_buf_addf(
                      b, "<tr><td>%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT "</td><td>", rn,
                      json_integer_value(json_object_get(a, "number")))) &&
                !(rc = esc(b, str(a, "text"))))
                rc = cw_buf_addf(b, "</td><td>%s</td><td>%s</td><td>%s%s%s%s</td></tr>\n",
                                 str(a, "owner_id"), str(a, "due"), status_word(w, a),
                                 overdue(a) ? " <span class=alert>" : "",
                                 overdue(a) ? w->s_overdue : "", overdue(a) ? "</span>" : "");
        }
        if (!rc)
            rc = cw_buf_addf(b, "</tbody></table>\n");
    }
    const json_t *to = json_object_get(st, "recipients");
    if (!rc)
        rc = cw_buf_addf(b, "<h2>%s</h2><p>%s %s</p><ul>\n", w->recipients, w->ack_by,
                         str(st, "acknowledge_by"));
    for (size_t i = 0; !rc && i < json_array_size(to); i++) {
        const json_t *x = json_array_get(to, i);
        const char *on = str(x, "acknowledged_on");
        rc = cw_buf_addf(b, "<li>%s: %s%s%s</li>\n", str(x, "staff_id"),
                         on ? w->acknowledged : "<span class=alert>",
                         on ? " " : w->not_acknowledged, on ? on : "</span>");
    }
    if (!rc)
        rc = cw_buf_addf(b, "</ul>\n<p class=meta>%s: <code>%s</code></p>\n</body></html>\n",
                         w->hash, str(st, "content_sha256"));
    return rc;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static cw_rc csv(cw_buf *b, const char *s, int last)
{
    cw_rc rc = CW_OK;
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        rc = cw_buf_addf(b, "\"");
        for (; !rc && *s; s++)
            rc = *s == '"' ? cw_buf_addf(b, "\"\"") : cw_buf_add(b, s, 1);
        if (!rc)
            rc = cw_buf_addf(b, "\"");
    } else {
        rc = cw_buf_addf(b, "%s", s);
    }
    return rc ? rc : cw_buf_addf(b, last ? "\r\n" : ",");
}

static cw_rc csv_dist(cw_buf *b, const char *section, const char *name, const json_t *list)
{
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < json_array_size(list); i++) {
        const json_t *g = json_array_get(list, i);
        char grade[24], count[24];
        snprintf(grade, sizeof grade, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(g, "grade")));
        snprintf(count, sizeof count, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(g, "count")));
        if (!(rc = csv(b, section, 0)) && !(rc = csv(b, name, 0)) && !(rc = csv(b, grade, 0)) &&
            !(rc = csv(b, count, 0)))
            rc = csv(b, str(g, "percent"), 1);
    }
    return rc;
}

cw_rc cw_audit_report_csv(const json_t *st, cw_buf *b)
{
    const json_t *fig = json_object_get(st, "figures");
    cw_rc rc = cw_buf_addf(b, "section,name,grade,count,percent\r\n");
    if (!rc)
        rc = csv_dist(b, "all", "", json_object_get(fig, "distribution"));
    if (!rc)
        rc = csv_dist(b, "overall", "", json_object_get(fig, "overall"));
    static const char *const parts[][2] = {
        {"by_theme", "theme"}, {"by_team", "team_id"}, {"by_auditor", "auditor_id"}};
    for (size_t p = 0; !rc && p < 3; p++) {
        const json_t *list = json_object_get(fig, parts[p][0]);
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            const json_t *t = json_array_get(list, i);
            rc = csv_dist(b, parts[p][0], str(t, parts[p][1]), json_object_get(t, "grades"));
        }
    }
    const json_t *earlier = json_object_get(fig, "earlier");
    for (size_t i = 0; !rc && i < json_array_size(earlier); i++) {
        const json_t *e = json_array_get(earlier, i);
        rc = csv_dist(b, "earlier", str(e, "programme_id"), json_object_get(e, "distribution"));
    }
    /* then the actions, one per line */
    if (!rc)
        rc = cw_buf_addf(b, "\r\npoint,recommendation,action,owner_id,due,status,closed_on\r\n");
    const json_t *recs = json_object_get(st, "recommendations");
    for (size_t i = 0; !rc && i < json_array_size(recs); i++) {
        const json_t *r = json_array_get(recs, i), *acts = json_object_get(r, "actions");
        for (size_t k = 0; !rc && k < json_array_size(acts); k++) {
            const json_t *a = json_array_get(acts, k);
            char point[48];
            snprintf(point, sizeof point, "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(r, "number")),
                     json_integer_value(json_object_get(a, "number")));
            if (!(rc = csv(b, point, 0)) && !(rc = csv(b, str(r, "text"), 0)) &&
                !(rc = csv(b, str(a, "text"), 0)) && !(rc = csv(b, str(a, "owner_id"), 0)) &&
                !(rc = csv(b, str(a, "due"), 0)) && !(rc = csv(b, str(a, "status"), 0)))
                rc = csv(b, str(a, "closed_on"), 1);
        }
    }
    return rc;
}
