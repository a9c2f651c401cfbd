/*
 * improve_report.c — the board's and the minister's report on an improvement
 * plan (docs/improvement.md, "Reports"; docs/api.md):
 *
 *   GET  /api/v1/improvement/plans/{plan}/report?as_of=&kind=&format=json|html|csv&lang=
 *        the report's content for the day (the plan as it stood then), with its
 *        content_sha256; or its printable HTML or CSV
 *   POST /api/v1/improvement/plans/{plan}/report  {kind, as_of, recipients}
 *        issues it: improve_report_issued, with the content's SHA-256 and figures, made
 *        from this request's snapshot of the log (its log_size)
 *
 * Who reads: the director and head of service, service managers, QA auditors and inspectors,
 * and the plan's editors and board. Who issues: the catalogue's check says (an editor).
 * The measures are computed like GET /api/v1/measures, two at a time (cw_http_srv.measuring).
 */
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "casework/casework.h"
#include "http/http_int.h"
#include "improve/improve.h"
#include "util/time.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static cw_date today(void)
{
    return (cw_date)(cw_time_now_ms() / 86400000);
}

/* Whether who reads the plan's report: the roles that read every plan, or its editors and
 * board. */
static int reads(const cw_improve *st, const char *plan_id, const principal *who, cw_date on)
{
    if (who->role & (R_HEAD_OF_SERVICE | R_SERVICE_MANAGER | R_QA_AUDITOR | R_INSPECTOR))
        return 1;
    if (!who->staff_id[0])
        return 0;
    return cw_improve_member(st, plan_id, who->staff_id, on) != NULL ||
           cw_improve_editor(st, plan_id, who->staff_id, NULL, on);
}

/* The day asked for (as_of: default today, never after today) and the kind (board|minister). */
static cw_rc day_and_kind(const char *as_of, const char *kind, cw_date *d, cw_error *err)
{
    *d = today();
    if (as_of && (cw_date_parse(as_of, strlen(as_of), d) || *d > today()))
        return cw_error_key(err, CW_EINVAL, "param_date", "as_of", NULL, NULL);
    if (kind && strcmp(kind, "board") && strcmp(kind, "minister"))
        return cw_error_key(err, CW_EINVAL, "not_one_of", "kind", kind, "board, minister");
    return CW_OK;
}

/*
 * The plan's report content on day d from the request's snapshot: *st the plan as it stood then
 * (the caller frees it).
 */
static cw_rc content(cw_http_srv *s, req *r, const char *plan_id, const char *kind, cw_date d,
                     json_t **out, json_t **measures_report, cw_error *err)
{
    cw_improve *all = NULL, *then = NULL;
    json_t *lines = NULL, *summary = NULL;
    *out = NULL;
    *measures_report = NULL;
    cw_store *store = cw_ledger_store(r->ro);
    /* Exactly the log the report names (log_size): an entry committed meanwhile is left out. */
    uint64_t size = cw_ledger_size(r->ro);
    cw_rc rc = cw_improve_load_upto(store, size, 0, &all, err);
    if (!rc && !cw_improve_plan(all, plan_id))
        rc = cw_error_key(err, CW_ENOTFOUND, "imp_no_plan", "plan_id", plan_id, NULL);
    if (!rc && !reads(all, plan_id, &r->who, today())) {
        /* A refusal to someone signed in is in the access log, as every refusal is. */
        cw_http_record_access(s, r, NULL, 0, 403);
        rc = cw_error_key(err, CW_EFORBIDDEN, "imp_not_reader", "role", plan_id, NULL);
    }
    if (!rc)
        rc = cw_improve_load_upto(store, size, d, &then, err);
    const cw_imp_plan *pl = rc ? NULL : cw_improve_plan(then, plan_id);
    if (!rc && !pl)
        rc = cw_error_key(err, CW_ENOTFOUND, "imp_not_yet", "as_of", plan_id, NULL);
    if (!rc) {
        while (sem_wait(&s->measuring) != 0)
            ; /* interrupted: wait again */
        rc = cw_improve_measures(r->ro, s->pack, &s->cal, then, plan_id, d, &lines, measures_report,
                                 err);
        sem_post(&s->measuring);
    }
    if (!rc && *measures_report && !(summary = cw_improve_measures_summary(*measures_report)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc)
        rc = cw_improve_report_content(then, pl, kind, d, &s->cal, size, lines, summary, out);
    json_decref(lines);
    json_decref(summary);
    cw_improve_free(then);
    cw_improve_free(all);
    return rc;
}

cw_rc cw_http_improve_report(cw_http_srv *s, req *r, cw_error *err)
{
    const char *format = cw_http_query(r, "format"), *lang = cw_http_query(r, "lang");
    const char *kind = cw_http_query(r, "kind");
    cw_date d;
    json_t *c = NULL, *mr = NULL;
    cw_rc rc = day_and_kind(cw_http_query(r, "as_of"), kind, &d, err);
    if (!rc && format && strcmp(format, "json") && strcmp(format, "html") && strcmp(format, "csv"))
        rc = cw_error_key(err, CW_EINVAL, "report_format", "format", format, NULL);
    if (!rc && lang && strcmp(lang, "en") && strcmp(lang, "cy"))
        rc = cw_error_key(err, CW_EINVAL, "language", "lang", NULL, NULL);
    if (!rc)
        rc = content(s, r, r->param[0], kind ? kind : "board", d, &c, &mr, err);
    json_decref(mr);
    if (rc)
        return rc;
    char sha[65];
    cw_buf b = CW_BUF_INIT(1 << 24);
    if ((rc = cw_improve_report_hash(c, sha))) {
        json_decref(c);
        return cw_error_set(err, rc, "the report could not be written");
    }
    if (!format || !strcmp(format, "json")) {
        json_object_set_new(c, "content_sha256", json_string(sha));
        cw_resp_json(r, 200, c);
        return CW_OK;
    }
    if (!strcmp(format, "csv"))
        rc = cw_improve_report_csv(c, &b);
    else
        rc = cw_improve_report_html(c, lang ? lang : (r->who.language[0] ? r->who.language : "en"),
                                    &b);
    if (!rc)
        cw_resp_text(
            r, 200, !strcmp(format, "csv") ? "text/csv; charset=utf-8" : "text/html; charset=utf-8",
            b.data ? b.data : "", b.len);
    else
        cw_error_set(err, rc, "the report could not be written");
    cw_buf_release(&b);
    json_decref(c);
    return rc;
}

cw_rc cw_http_improve_issue(cw_http_srv *s, req *r, cw_error *err)
{
    json_t *body = NULL, *c = NULL, *mr = NULL, *p = NULL;
    cw_rc rc = cw_http_body_object(r, &body, err);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!rc && strcmp(key, "kind") && strcmp(key, "as_of") && strcmp(key, "recipients") &&
            strcmp(key, "report_id"))
            rc = cw_error_key(err, CW_EINVAL, "not_a_field", key, "improve_report_issued", NULL);
        if (!rc && !json_is_string(v))
            rc = cw_error_key(err, CW_EINVAL, "not_text", key, NULL, NULL);
    }
    const char *kind = str(body, "kind") ? str(body, "kind") : "board";
    const char *recipients = str(body, "recipients");
    cw_date d;
    if (!rc && (!recipients || !recipients[0]))
        rc = cw_error_key(err, CW_EINVAL, "required", "recipients", "improve_report_issued", NULL);
    if (!rc && !r->who.staff_id[0])
        rc = cw_error_key(err, CW_EFORBIDDEN, "audit_needs_staff", "role", NULL, NULL);
    if (!rc)
        rc = day_and_kind(str(body, "as_of"), kind, &d, err);
    /* An editor's (the catalogue checks it again as it records): a refusal is recorded. */
    if (!rc && r->who.staff_id[0]) {
        cw_improve *st = NULL;
        cw_staff_info si;
        if (!(rc = cw_improve_load(cw_ledger_store(r->ro), 0, &st, err)) &&
            !(rc = cw_casework_staff(cw_ledger_store(r->ro), r->who.staff_id, &si, err))) {
            if (!cw_improve_plan(st, r->param[0]))
                rc = cw_error_key(err, CW_ENOTFOUND, "imp_no_plan", "plan_id", r->param[0], NULL);
            else if (!cw_improve_editor(st, r->param[0], r->who.staff_id,
                                        si.found && !si.left ? si.role : "", today())) {
                cw_http_record_access(s, r, NULL, 0, 403);
                rc = cw_error_key(err, CW_EFORBIDDEN, "imp_not_editor", "actor", r->who.staff_id,
                                  r->param[0]);
            }
        }
        cw_improve_free(st);
    }
    if (!rc)
        rc = content(s, r, r->param[0], kind, d, &c, &mr, err);
    char sha[65] = "", msha[65] = "", id[256], day[CW_DATE_LEN + 1], asof[CW_DATE_LEN + 1];
    if (!rc)
        rc = cw_improve_report_hash(c, sha);
    if (!rc && mr)
        rc = cw_improve_measures_sha256(mr, msha);
    if (!rc) {
        cw_date_format(d, asof);
        cw_date_format(today(), day);
        if (str(body, "report_id"))
            snprintf(id, sizeof id, "%s", str(body, "report_id"));
        else
            snprintf(id, sizeof id, "%s-%s-%s", r->param[0], kind, asof);
        p = json_pack("{ss ss ss ss ss ss ss so sI}", "report_id", id, "plan_id", r->param[0],
                      "date", day, "kind", kind, "as_of", asof, "recipients", recipients,
                      "content_sha256", sha, "figures", cw_improve_report_figures(c), "log_size",
                      (json_int_t)cw_ledger_size(r->ro));
        if (p && msha[0])
            json_object_set_new(p, "measures_sha256", json_string(msha));
        if (!p)
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    uint64_t index = 0, size = 0;
    if (!rc) {
        cw_event ev = {r->who.staff_id, "improve_report_issued", p};
        rc = cw_http_write_as(s, &r->who, &ev, &index, &size, err);
    }
    if (!rc)
        cw_resp_json(r, 201,
                     json_pack("{ss ss sI sI}", "report_id", id, "content_sha256", sha, "entry",
                               (json_int_t)index, "log_size", (json_int_t)size));
    json_decref(p);
    json_decref(c);
    json_decref(mr);
    json_decref(body);
    return rc;
}
