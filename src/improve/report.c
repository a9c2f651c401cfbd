/*
 * report.c — the board's and the minister's report on a plan for a day
 * (docs/improvement.md, "Reports"): actions due, done and late; measures
 * against their targets with the signed measures report they came from; the
 * budget against spend; the risks and the dependencies holding actions back.
 *
 * The content is JSON of integers and strings only (no floating point), so its
 * canonical form (util/json.h) and that form's SHA-256 are the same on every
 * machine: improve_report_issued records the SHA-256, and `caseward improve
 * verify` folds an export to the report's log size and builds the content
 * again. The printable forms (HTML, CSV, text) are made from the content alone.
 */
#include <stdio.h>
#include <string.h>

#include "improve/improve.h"
#include "util/csv.h"
#include "util/json.h"
#include "util/sha256.h"

#define UPCOMING_WORKING_DAYS 20

/* The working-day calendar built in (rules/calendar/england-and-wales.txt). */
extern const char cw_calendar_england_and_wales[];

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static json_t *day_json(cw_date d)
{
    char s[CW_DATE_LEN + 1];
    if (!d)
        return json_null();
    cw_date_format(d, s);
    return json_string(s);
}

static json_t *brief(const json_t *a)
{
    json_t *o = json_object();
    static const char *const keys[] = {"action_id",    "ref",           "text", "owner_id",
                                       "due",          "status",        "rag",  "rag_reason",
                                       "completed_on", "signed_off_on", NULL};
    for (const char *const *k = keys; *k; k++)
        json_object_set(o, *k, json_object_get(a, *k) ? json_object_get(a, *k) : json_null());
    return o;
}

cw_rc cw_improve_report_content(const cw_improve *st, const cw_imp_plan *pl, const char *kind,
                                cw_date as_of, const cw_calendar *cal, uint64_t log_size,
                                const json_t *measure_lines, const json_t *measures_summary,
                                json_t **out)
{
    json_t *plan = cw_improve_plan_json(st, pl, cal, as_of);
    json_t *c = json_object(), *p = json_object(), *acts = json_object();
    json_t *due = json_array(), *done = json_array(), *late = json_array(),
           *upcoming = json_array(), *risks = json_array(), *by_id = json_object();
    cw_date soon = as_of;
    if (cal)
        cw_calendar_add_working_days(cal, as_of, UPCOMING_WORKING_DAYS, &soon, NULL);
    /* Every action, in plan order. */
    const json_t *recs = json_object_get(plan, "recommendations");
    for (size_t r = 0; r < json_array_size(recs); r++) {
        const json_t *pts = json_object_get(json_array_get(recs, r), "points");
        for (size_t q = 0; q < json_array_size(pts); q++) {
            const json_t *list = json_object_get(json_array_get(pts, q), "actions");
            for (size_t i = 0; i < json_array_size(list); i++) {
                const json_t *a = json_array_get(list, i);
                json_object_set_new(by_id, str(a, "action_id"), json_deep_copy(a));
                const char *rag = str(a, "rag"), *d = str(a, "due");
                char today[CW_DATE_LEN + 1], until[CW_DATE_LEN + 1];
                cw_date_format(as_of, today);
                cw_date_format(soon, until);
                if (strcmp(d, today) <= 0)
                    json_array_append_new(due, brief(a));
                if (!strcmp(rag, "complete"))
                    json_array_append_new(done, brief(a));
                if (!strcmp(rag, "red"))
                    json_array_append_new(late, brief(a));
                if (strcmp(rag, "complete") && strcmp(d, today) > 0 && strcmp(d, until) <= 0)
                    json_array_append_new(upcoming, brief(a));
            }
        }
    }
    /* Risks: every red or amber action, with what it waits on. */
    for (size_t r = 0; r < json_array_size(recs); r++) {
        const json_t *pts = json_object_get(json_array_get(recs, r), "points");
        for (size_t q = 0; q < json_array_size(pts); q++) {
            const json_t *list = json_object_get(json_array_get(pts, q), "actions");
            for (size_t i = 0; i < json_array_size(list); i++) {
                const json_t *x = json_array_get(list, i);
                if (strcmp(str(x, "rag"), "red") && strcmp(str(x, "rag"), "amber"))
                    continue;
                json_t *risk = brief(x), *waits = json_array();
                const json_t *deps = json_object_get(x, "depends_on");
                for (size_t k = 0; k < json_array_size(deps); k++) {
                    const json_t *d = json_array_get(deps, k);
                    const json_t *da = json_object_get(by_id, str(d, "action_id"));
                    if (json_is_true(json_object_get(d, "complete")) || !da)
                        continue;
                    json_array_append_new(waits, brief(da));
                }
                json_object_set_new(risk, "waiting_on", waits);
                json_object_set_new(risk, "blocked",
                                    json_boolean(json_is_true(json_object_get(x, "blocked"))));
                json_array_append_new(risks, risk);
            }
        }
    }
    /* The plan, its notice and the next review. */
    static const char *const pkeys[] = {"plan_id",   "title",        "owner_id", "created", "due",
                                        "submitted", "submitted_to", "late",     NULL};
    for (const char *const *k = pkeys; *k; k++)
        json_object_set(p, *k, json_object_get(plan, *k));
    json_t *notice = json_null(), *inspection = json_null(), *next = json_null();
    cw_date next_due = 0;
    for (size_t i = 0; i < st->ninspections; i++) {
        const cw_imp_inspection *in = &st->inspections[i];
        if (strcmp(in->id, pl->inspection))
            continue;
        json_decref(inspection);
        inspection = json_pack("{ss ss ss* ss*}", "inspection_id", in->id, "inspectorate",
                               in->inspectorate, "title", in->title, "report_ref", in->report_ref);
    }
    for (size_t i = 0; i < st->nnotices; i++) {
        const cw_imp_notice *n = &st->notices[i];
        if (strcmp(n->id, pl->notice))
            continue;
        json_t *rv = json_array();
        for (size_t k = 0; k < n->nreviews; k++) {
            json_array_append_new(rv, json_pack("{ss so}", "review", n->reviews[k], "due",
                                                day_json(n->review_due[k])));
            /* The earliest review still to come, whatever order they were listed in. */
            if (n->review_due[k] >= as_of && (!next_due || n->review_due[k] < next_due)) {
                json_decref(next);
                next_due = n->review_due[k];
                next = json_pack("{ss so}", "review", n->reviews[k], "due",
                                 day_json(n->review_due[k]));
            }
        }
        json_decref(notice);
        notice = json_pack("{ss ss ss* so si so so}", "notice_id", n->id, "kind", n->kind,
                           "issued_by", n->issued_by, "issued", day_json(n->issued), "plan_within",
                           n->plan_within, "plan_due", day_json(n->plan_due), "reviews", rv);
    }
    json_object_set_new(p, "inspection", inspection ? inspection : json_null());
    json_object_set_new(p, "notice", notice ? notice : json_null());
    json_object_set_new(p, "next_review", next ? next : json_null());
    json_object_set(acts, "counts", json_object_get(plan, "counts"));
    json_object_set_new(acts, "due", due);
    json_object_set_new(acts, "done", done);
    json_object_set_new(acts, "late", late);
    json_object_set_new(acts, "upcoming", upcoming);
    json_object_set_new(c, "report", json_string("caseward improvement report"));
    json_object_set_new(c, "version", json_integer(1));
    json_object_set_new(c, "kind", json_string(kind));
    json_object_set_new(c, "as_of", day_json(as_of));
    json_object_set_new(c, "log_size", json_integer((json_int_t)log_size));
    /* Due days and "due soon" depend on the bank holidays: a verifier with another calendar is
     * told so, not shown a difference it cannot explain. */
    char cal_sha[65];
    cw_sha256_hex(cw_calendar_england_and_wales, strlen(cw_calendar_england_and_wales), cal_sha);
    json_object_set_new(c, "calendar_sha256", json_string(cal_sha));
    json_object_set_new(c, "plan", p);
    json_object_set_new(c, "actions", acts);
    json_object_set_new(c, "measures",
                        measure_lines ? json_deep_copy(measure_lines) : json_array());
    json_object_set_new(c, "measures_report",
                        measures_summary ? json_deep_copy(measures_summary) : json_null());
    json_object_set(c, "budget", json_object_get(plan, "budget"));
    json_object_set_new(c, "risks", risks);
    json_decref(by_id);
    json_decref(plan);
    *out = c;
    return CW_OK;
}

cw_rc cw_improve_report_hash(const json_t *content, char out[65])
{
    cw_buf b = CW_BUF_INIT(1 << 24);
    cw_rc rc = cw_json_write_canonical(content, &b);
    if (!rc)
        cw_sha256_hex(b.data, b.len, out);
    cw_buf_release(&b);
    return rc;
}

json_t *cw_improve_measures_summary(const json_t *report)
{
    char sha[65];
    const json_t *cp = json_object_get(report, "checkpoint");
    if (!report || cw_improve_measures_sha256(report, sha))
        return NULL;
    return json_pack("{sO sO s{sO sO} ss}", "from", json_object_get(report, "from"), "to",
                     json_object_get(report, "to"), "checkpoint", "size",
                     json_object_get(cp, "size"), "root_hash", json_object_get(cp, "root_hash"),
                     "sha256", sha);
}

json_t *cw_improve_report_figures(const json_t *content)
{
    const json_t *counts = json_object_get(json_object_get(content, "actions"), "counts");
    const json_t *b = json_object_get(content, "budget");
    const json_t *ms = json_object_get(content, "measures");
    json_int_t on = 0;
    for (size_t i = 0; i < json_array_size(ms); i++)
        on += json_is_true(json_object_get(json_array_get(ms, i), "on_target"));
    return json_pack(
        "{sI sI sI sI sI sI sI sI sI sI sI sI so sO}", "actions", num(counts, "actions"), "due",
        num(counts, "due"), "done", num(counts, "complete"), "late", num(counts, "late"), "red",
        num(counts, "red"), "amber", num(counts, "amber"), "green", num(counts, "green"),
        "allocated_pence", num(json_object_get(b, "allocated"), "pence"), "committed_pence",
        num(json_object_get(b, "committed"), "pence"), "spent_pence",
        num(json_object_get(b, "spent"), "pence"), "measures", (json_int_t)json_array_size(ms),
        "measures_on_target", on, "measure_lines", ms ? json_deep_copy(ms) : json_array(),
        "measures_report", json_object_get(content, "measures_report"));
}

/* ---- printable forms ---- */

typedef struct words {
    const char *lang, *board, *minister, *plan, *owner, *as_of, *deadline, *submitted,
        *not_submitted, *late, *on_time, *notice, *next_review, *summary, *actions, *due, *done,
        *red, *amber, *green, *late_h, *due_h, *done_h, *upcoming_h, *ref, *action, *status, *rag,
        *none, *measures_h, *measure, *target, *value, *trend, *on_target, *off_target, *no_figure,
        *measures_from, *budget_h, *source, *allocated, *committed, *spent, *uncommitted, *unspent,
        *overspend, *total, *risks_h, *waiting_on, *blocked, *hash, *log_size, *at_least, *at_most,
        *s_not_started, *s_in_progress, *s_awaiting, *s_complete, *r_green, *r_amber, *r_red,
        *r_complete, *due_col, *k_warning, *k_improvement, *k_priority, *k_direction, *k_other;
} words;

static const words EN = {"en",
                         "Improvement board report",
                         "Report to the Minister",
                         "Plan",
                         "Owner",
                         "Position on",
                         "The plan's deadline",
                         "submitted",
                         "NOT SUBMITTED",
                         "LATE",
                         "on time",
                         "Notice",
                         "Next review",
                         "Summary",
                         "Actions",
                         "due by this day",
                         "complete",
                         "red",
                         "amber",
                         "green",
                         "Late actions",
                         "Actions due by this day",
                         "Actions complete",
                         "Due in the next 20 working days",
                         "Ref",
                         "Action",
                         "Status",
                         "RAG",
                         "None",
                         "Measures against targets",
                         "Measure",
                         "Target",
                         "Latest (3 months)",
                         "Trend (rolling 3 months)",
                         "on target",
                         "NOT ON TARGET",
                         "no figure",
                         "Figures from the signed measures report",
                         "Budget against spend",
                         "Source",
                         "Allocated",
                         "Committed",
                         "Spent",
                         "Uncommitted",
                         "Unspent",
                         "Overspend",
                         "Total",
                         "Risks and dependencies blocking progress",
                         "Waiting on",
                         "blocked",
                         "SHA-256 of the report's content",
                         "log size",
                         "at least",
                         "at most",
                         "Not started",
                         "In progress",
                         "Awaiting sign-off",
                         "Complete",
                         "Green",
                         "Amber",
                         "Red",
                         "Complete",
                         "Due",
                         "warning notice",
                         "improvement notice",
                         "priority action notice",
                         "direction",
                         "notice"};

static const words CY = {"cy",
                         "Adroddiad y bwrdd gwella",
                         "Adroddiad i’r Gweinidog",
                         "Cynllun",
                         "Perchennog",
                         "Sefyllfa ar",
                         "Dyddiad cau’r cynllun",
                         "cyflwynwyd",
                         "HEB EI GYFLWYNO",
                         "HWYR",
                         "mewn pryd",
                         "Hysbysiad",
                         "Adolygiad nesaf",
                         "Crynodeb",
                         "Camau gweithredu",
                         "yn ddyledus erbyn y dydd hwn",
                         "wedi’u cwblhau",
                         "coch",
                         "ambr",
                         "gwyrdd",
                         "Camau gweithredu hwyr",
                         "Camau gweithredu sy’n ddyledus erbyn y dydd hwn",
                         "Camau gweithredu wedi’u cwblhau",
                         "Yn ddyledus yn yr 20 diwrnod gwaith nesaf",
                         "Cyf",
                         "Cam gweithredu",
                         "Statws",
                         "RAG",
                         "Dim",
                         "Mesurau yn erbyn targedau",
                         "Mesur",
                         "Targed",
                         "Diweddaraf (3 mis)",
                         "Tuedd (3 mis treigl)",
                         "ar y targed",
                         "NID AR Y TARGED",
                         "dim ffigur",
                         "Ffigurau o’r adroddiad mesurau wedi’i lofnodi",
                         "Cyllideb yn erbyn gwariant",
                         "Ffynhonnell",
                         "Wedi’i ddyrannu",
                         "Wedi’i ymrwymo",
                         "Wedi’i wario",
                         "Heb ei ymrwymo",
                         "Heb ei wario",
                         "Gorwariant",
                         "Cyfanswm",
                         "Risgiau a dibyniaethau sy’n rhwystro cynnydd",
                         "Yn aros am",
                         "wedi’i rwystro",
                         "SHA-256 cynnwys yr adroddiad",
                         "maint y log",
                         "o leiaf",
                         "ar y mwyaf",
                         "Heb ddechrau",
                         "Ar y gweill",
                         "Yn aros am gymeradwyaeth",
                         "Wedi’i gwblhau",
                         "Gwyrdd",
                         "Ambr",
                         "Coch",
                         "Wedi’i gwblhau",
                         "Erbyn",
                         "hysbysiad rhybudd",
                         "hysbysiad gwella",
                         "hysbysiad camau blaenoriaeth",
                         "cyfarwyddyd",
                         "hysbysiad"};

static const words *words_of(const char *lang)
{
    return lang && !strcmp(lang, "cy") ? &CY : &EN;
}

static const char *status_word(const words *w, const char *s)
{
    return !s                                ? ""
           : !strcmp(s, "not_started")       ? w->s_not_started
           : !strcmp(s, "in_progress")       ? w->s_in_progress
           : !strcmp(s, "awaiting_sign_off") ? w->s_awaiting
           : !strcmp(s, "complete")          ? w->s_complete
                                             : s;
}

static const char *kind_word(const words *w, const char *s)
{
    return !s                                     ? ""
           : !strcmp(s, "warning_notice")         ? w->k_warning
           : !strcmp(s, "improvement_notice")     ? w->k_improvement
           : !strcmp(s, "priority_action_notice") ? w->k_priority
           : !strcmp(s, "direction")              ? w->k_direction
                                                  : w->k_other;
}

static const char *rag_word(const words *w, const char *s)
{
    return !s                       ? ""
           : !strcmp(s, "green")    ? w->r_green
           : !strcmp(s, "amber")    ? w->r_amber
           : !strcmp(s, "red")      ? w->r_red
           : !strcmp(s, "complete") ? w->r_complete
                                    : s;
}

static cw_rc esc(cw_buf *b, const char *s)
{
    cw_rc rc = CW_OK;
    for (; !rc && s && *s; s++) {
        switch (*s) {
        case '<':
            rc = cw_buf_addstr(b, "&lt;");
            break;
        case '>':
            rc = cw_buf_addstr(b, "&gt;");
            break;
        case '&':
            rc = cw_buf_addstr(b, "&amp;");
            break;
        case '"':
            rc = cw_buf_addstr(b, "&quot;");
            break;
        default:
            rc = cw_buf_add(b, s, 1);
        }
    }
    return rc;
}

static cw_rc action_table(cw_buf *b, const words *w, const char *title, const json_t *list)
{
    cw_rc rc = cw_buf_addf(b, "<h2>%s (%zu)</h2>\n", title, json_array_size(list));
    if (!rc && !json_array_size(list))
        return cw_buf_addf(b, "<p>%s</p>\n", w->none);
    if (!rc)
        rc = cw_buf_addf(b,
                         "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                         "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
                         w->ref, w->action, w->owner, w->due_col, w->status, w->rag);
    for (size_t i = 0; !rc && i < json_array_size(list); i++) {
        const json_t *a = json_array_get(list, i);
        const char *rag = str(a, "rag");
        if (!(rc = cw_buf_addf(b, "<tr><td>%s</td><td>", str(a, "ref"))) &&
            !(rc = esc(b, str(a, "text"))))
            rc = cw_buf_addf(b,
                             "</td><td>%s</td><td class=d>%s</td><td>%s</td><td><span class=\"rag "
                             "rag-%s\">%s</span></td></tr>\n",
                             str(a, "owner_id"), str(a, "due"), status_word(w, str(a, "status")),
                             rag, rag_word(w, rag));
    }
    return rc ? rc : cw_buf_addstr(b, "</tbody></table>\n");
}

static const char *money(const json_t *o, const char *k)
{
    return str(json_object_get(o, k), "pounds");
}

cw_rc cw_improve_report_html(const json_t *c, const char *lang, cw_buf *b)
{
    const words *w = words_of(lang);
    const json_t *p = json_object_get(c, "plan"), *acts = json_object_get(c, "actions");
    const json_t *counts = json_object_get(acts, "counts"), *bud = json_object_get(c, "budget");
    const char *kind = str(c, "kind");
    const char *title = kind && !strcmp(kind, "minister") ? w->minister : w->board;
    cw_rc rc = cw_buf_addf(
        b,
        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s: %s</title>\n"
        "<style>body{font-family:Arial,sans-serif;margin:2em;color:#0b0c0c}"
        "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.4em}"
        "table{border-collapse:collapse;margin:.5em 0 1em;width:100%%}th,td{border-bottom:1px "
        "solid #b1b4b6;padding:.3em .5em;text-align:left;vertical-align:top}.n{text-align:right}"
        ".rag{display:inline-block;padding:0 .4em;font-weight:bold}.rag-red{background:#d4351c;"
        "color:#fff}.rag-amber{background:#f47738;color:#0b0c0c}.rag-green{background:#00703c;"
        "color:#fff}.rag-complete{background:#1d70b8;color:#fff}.d{white-space:nowrap}.alert{font-"
        "weight:bold;color:"
        "#d4351c}.meta{color:#505a5f}.summary td{font-size:1.2em}"
        "@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}"
        "</style></head><body>\n<h1>%s</h1>\n<p><strong>%s:</strong> ",
        w->lang, title, str(c, "as_of"), title, w->plan);
    if (!rc)
        rc = esc(b, str(p, "title"));
    if (!rc)
        rc =
            cw_buf_addf(b, " (%s). <strong>%s:</strong> %s. <strong>%s:</strong> %s</p>\n",
                        str(p, "plan_id"), w->owner, str(p, "owner_id"), w->as_of, str(c, "as_of"));
    /* The plan's own deadline, and the notice's. */
    const json_t *late = json_object_get(p, "late"), *no = json_object_get(p, "notice");
    if (!rc)
        rc = cw_buf_addf(b, "<p><strong>%s:</strong> %s; ", w->deadline, str(p, "due"));
    if (!rc && str(p, "submitted"))
        rc = cw_buf_addf(b, "%s %s", w->submitted, str(p, "submitted"));
    else if (!rc)
        rc = cw_buf_addf(b, "<span class=alert>%s</span>", w->not_submitted);
    if (!rc)
        rc = cw_buf_addf(b, " (%s%s%s).", json_is_true(late) ? "<span class=alert>" : "",
                         json_is_true(late) ? w->late : w->on_time,
                         json_is_true(late) ? "</span>" : "");
    if (!rc && json_is_object(no)) {
        if (!(rc = cw_buf_addf(b, " %s: %s, ", w->notice, kind_word(w, str(no, "kind")))) &&
            !(rc = esc(b, str(no, "issued_by"))))
            rc = cw_buf_addf(b, ", %s.", str(no, "issued"));
    }
    const json_t *next = json_object_get(p, "next_review");
    if (!rc && json_is_object(next))
        rc = cw_buf_addf(b, " %s: %s (%s).", w->next_review, str(next, "due"), str(next, "review"));
    if (!rc)
        rc = cw_buf_addf(
            b,
            "</p>\n<h2>%s</h2>\n<table class=summary><tbody><tr><td>%" JSON_INTEGER_FORMAT
            " %s</td><td>%" JSON_INTEGER_FORMAT " %s</td><td>%" JSON_INTEGER_FORMAT
            " %s</td><td><span class=\"rag rag-red\">%" JSON_INTEGER_FORMAT
            " %s</span></td><td><span class=\"rag rag-amber\">%" JSON_INTEGER_FORMAT
            " %s</span></td><td><span class=\"rag rag-green\">%" JSON_INTEGER_FORMAT
            " %s</span></td></tr></tbody></table>\n",
            w->summary, num(counts, "actions"), w->actions, num(counts, "due"), w->due,
            num(counts, "complete"), w->done, num(counts, "red"), w->red, num(counts, "amber"),
            w->amber, num(counts, "green"), w->green);
    if (!rc)
        rc = action_table(b, w, w->late_h, json_object_get(acts, "late"));
    if (!rc)
        rc = action_table(b, w, w->due_h, json_object_get(acts, "due"));
    if (!rc)
        rc = action_table(b, w, w->done_h, json_object_get(acts, "done"));
    if (!rc)
        rc = action_table(b, w, w->upcoming_h, json_object_get(acts, "upcoming"));
    /* Measures against targets. */
    const json_t *ms = json_object_get(c, "measures");
    if (!rc)
        rc = cw_buf_addf(b, "<h2>%s</h2>\n", w->measures_h);
    if (!rc && !json_array_size(ms))
        rc = cw_buf_addf(b, "<p>%s</p>\n", w->none);
    else if (!rc)
        rc = cw_buf_addf(b,
                         "<table><thead><tr><th>%s</th><th>%s</th><th class=n>%s</th><th "
                         "class=n>%s</th><th>%s</th><th></th></tr></thead><tbody>\n",
                         w->measure, w->action, w->target, w->value, w->trend);
    for (size_t i = 0; !rc && i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i), *tr = json_object_get(m, "trend");
        const json_t *on = json_object_get(m, "on_target");
        const char *t =
            !strcmp(w->lang, "cy") && str(m, "title_cy") ? str(m, "title_cy") : str(m, "title");
        if (!(rc = cw_buf_addf(b, "<tr><td>%s ", str(m, "measure_id"))) && !(rc = esc(b, t)))
            rc = cw_buf_addf(b, "</td><td>%s</td><td class=n>%s %s</td><td class=n>%s</td><td>",
                             str(m, "action_id"),
                             !strcmp(str(m, "direction"), "at_most") ? w->at_most : w->at_least,
                             str(m, "target"), str(m, "value") ? str(m, "value") : "-");
        for (size_t k = 0; !rc && k < json_array_size(tr); k++) {
            const char *v = str(json_array_get(tr, k), "value");
            rc = cw_buf_addf(b, "%s%s", k ? " → " : "", v ? v : "-");
        }
        if (!rc)
            rc = cw_buf_addf(b, "</td><td>%s%s%s</td></tr>\n",
                             json_is_false(on) ? "<span class=alert>" : "",
                             json_is_true(on)    ? w->on_target
                             : json_is_false(on) ? w->off_target
                                                 : w->no_figure,
                             json_is_false(on) ? "</span>" : "");
    }
    if (!rc && json_array_size(ms))
        rc = cw_buf_addstr(b, "</tbody></table>\n");
    const json_t *mr = json_object_get(c, "measures_report");
    if (!rc && json_is_object(mr))
        rc = cw_buf_addf(b,
                         "<p class=meta>%s: %s – %s, checkpoint %" JSON_INTEGER_FORMAT
                         " (%s), SHA-256 <code>%s</code></p>\n",
                         w->measures_from, str(mr, "from"), str(mr, "to"),
                         num(json_object_get(mr, "checkpoint"), "size"),
                         str(json_object_get(mr, "checkpoint"), "root_hash"), str(mr, "sha256"));
    /* Budget against spend. */
    const json_t *al = json_object_get(bud, "allocations");
    if (!rc)
        rc = cw_buf_addf(b,
                         "<h2>%s</h2>\n<table><thead><tr><th>%s</th><th class=n>%s</th><th "
                         "class=n>%s</th><th class=n>%s</th><th class=n>%s</th><th "
                         "class=n>%s</th></tr></thead><tbody>\n",
                         w->budget_h, w->source, w->allocated, w->committed, w->spent,
                         w->uncommitted, w->unspent);
    for (size_t i = 0; !rc && i < json_array_size(al); i++) {
        const json_t *x = json_array_get(al, i);
        if (!(rc = cw_buf_addstr(b, "<tr><td>")) && !(rc = esc(b, str(x, "source"))))
            rc = cw_buf_addf(b,
                             "</td><td class=n>%s</td><td class=n>%s</td><td class=n>%s</td>"
                             "<td class=n>%s</td><td class=n>%s</td></tr>\n",
                             money(x, "amount"), money(x, "committed"), money(x, "spent"),
                             money(x, "uncommitted"), money(x, "unspent"));
    }
    if (!rc)
        rc = cw_buf_addf(
            b,
            "<tr><th>%s</th><th class=n>%s</th><th class=n>%s</th><th "
            "class=n>%s</th><th class=n>%s</th><th class=n>%s</th></tr>\n"
            "</tbody></table>\n<p>%s: %s%s%s (%" JSON_INTEGER_FORMAT " %s)</p>\n",
            w->total, money(bud, "allocated"), money(bud, "committed"), money(bud, "spent"),
            money(bud, "uncommitted"), money(bud, "unspent"), w->overspend,
            num(json_object_get(bud, "overspend"), "pence") ? "<span class=alert>" : "",
            money(bud, "overspend"),
            num(json_object_get(bud, "overspend"), "pence") ? "</span>" : "",
            num(bud, "overspent_actions"), w->actions);
    /* Risks and what they wait on. */
    const json_t *risks = json_object_get(c, "risks");
    if (!rc)
        rc = cw_buf_addf(b, "<h2>%s (%zu)</h2>\n", w->risks_h, json_array_size(risks));
    if (!rc && !json_array_size(risks))
        rc = cw_buf_addf(b, "<p>%s</p>\n", w->none);
    else if (!rc)
        rc = cw_buf_addstr(b, "<ul>\n");
    for (size_t i = 0; !rc && i < json_array_size(risks); i++) {
        const json_t *r = json_array_get(risks, i), *wt = json_object_get(r, "waiting_on");
        if (!(rc = cw_buf_addf(b, "<li><span class=\"rag rag-%s\">%s</span> %s ", str(r, "rag"),
                               rag_word(w, str(r, "rag")), str(r, "ref"))) &&
            !(rc = esc(b, str(r, "text"))))
            rc = cw_buf_addf(b, " (%s, %s %s)", str(r, "owner_id"), w->due_col, str(r, "due"));
        if (!rc && json_is_true(json_object_get(r, "blocked"))) {
            if (!(rc = cw_buf_addf(b, "; <strong>%s</strong>", w->blocked)) && str(r, "note") &&
                !(rc = cw_buf_addstr(b, ": ")))
                rc = esc(b, str(r, "note"));
        }
        for (size_t k = 0; !rc && k < json_array_size(wt); k++) {
            const json_t *d = json_array_get(wt, k);
            rc = cw_buf_addf(b, "%s%s %s (%s %s)", k ? ", " : "; ", k ? "" : w->waiting_on,
                             str(d, "ref"), rag_word(w, str(d, "rag")), str(d, "due"));
        }
        if (!rc)
            rc = cw_buf_addstr(b, "</li>\n");
    }
    if (!rc && json_array_size(risks))
        rc = cw_buf_addstr(b, "</ul>\n");
    char sha[65];
    if (!rc && !(rc = cw_improve_report_hash(c, sha)))
        rc = cw_buf_addf(b,
                         "<p class=meta>%s: <code>%s</code>; %s %" JSON_INTEGER_FORMAT
                         "</p>\n</body></html>\n",
                         w->hash, sha, w->log_size, num(c, "log_size"));
    return rc;
}

cw_rc cw_improve_report_csv(const json_t *c, cw_buf *b)
{
    static const char *const head[] = {"section", "ref", "item",  "owner",  "due",
                                       "status",  "rag", "value", "target", "pence"};
    cw_rc rc = cw_csv_row(b, head, 10, CW_CSV_NUMBERS);
    const json_t *acts = json_object_get(c, "actions");
    static const char *const lists[] = {"late", "due", "done", "upcoming"};
    for (size_t l = 0; !rc && l < 4; l++) {
        const json_t *list = json_object_get(acts, lists[l]);
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            const json_t *a = json_array_get(list, i);
            const char *row[] = {lists[l],
                                 str(a, "ref"),
                                 str(a, "text"),
                                 str(a, "owner_id"),
                                 str(a, "due"),
                                 str(a, "status"),
                                 str(a, "rag"),
                                 "",
                                 "",
                                 ""};
            rc = cw_csv_row(b, row, 10, CW_CSV_NUMBERS);
        }
    }
    const json_t *ms = json_object_get(c, "measures");
    for (size_t i = 0; !rc && i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i);
        const json_t *on = json_object_get(m, "on_target");
        const char *row[] = {"measure",
                             str(m, "action_id"),
                             str(m, "measure_id"),
                             "",
                             "",
                             json_is_true(on)    ? "on_target"
                             : json_is_false(on) ? "not_on_target"
                                                 : "no_figure",
                             "",
                             str(m, "value"),
                             str(m, "target"),
                             ""};
        rc = cw_csv_row(b, row, 10, CW_CSV_NUMBERS);
    }
    const json_t *bud = json_object_get(c, "budget"), *al = json_object_get(bud, "allocations");
    for (size_t i = 0; !rc && i < json_array_size(al); i++) {
        const json_t *x = json_array_get(al, i);
        static const char *const parts[] = {"amount", "committed", "spent", "uncommitted",
                                            "unspent"};
        for (size_t k = 0; !rc && k < 5; k++) {
            char pence[32];
            snprintf(pence, sizeof pence, "%" JSON_INTEGER_FORMAT,
                     num(json_object_get(x, parts[k]), "pence"));
            const char *row[] = {"budget",
                                 str(x, "allocation_id"),
                                 str(x, "source"),
                                 "",
                                 "",
                                 parts[k],
                                 "",
                                 money(x, parts[k]),
                                 "",
                                 pence};
            rc = cw_csv_row(b, row, 10, CW_CSV_NUMBERS);
        }
    }
    static const char *const totals[] = {"allocated",   "committed", "spent",
                                         "uncommitted", "unspent",   "overspend"};
    for (size_t k = 0; !rc && k < 6; k++) {
        char pence[32];
        snprintf(pence, sizeof pence, "%" JSON_INTEGER_FORMAT,
                 num(json_object_get(bud, totals[k]), "pence"));
        const char *row[] = {"budget_total",        "", totals[k], "", "", "", "",
                             money(bud, totals[k]), "", pence};
        rc = cw_csv_row(b, row, 10, CW_CSV_NUMBERS);
    }
    const json_t *risks = json_object_get(c, "risks");
    for (size_t i = 0; !rc && i < json_array_size(risks); i++) {
        const json_t *r = json_array_get(risks, i);
        const char *row[] = {"risk",
                             str(r, "ref"),
                             str(r, "text"),
                             str(r, "owner_id"),
                             str(r, "due"),
                             str(r, "rag_reason"),
                             str(r, "rag"),
                             "",
                             "",
                             ""};
        rc = cw_csv_row(b, row, 10, CW_CSV_NUMBERS);
    }
    return rc;
}
