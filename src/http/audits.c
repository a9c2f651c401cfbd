/*
 * audits.c — the HTTP routes of case-file audits (docs/audits.md, docs/api.md
 * "Case-file audits"). The route table (routes.c) says who may call each; these
 * handlers add what depends on the programme: a programme's page is for
 * managers, QA auditors, inspectors and the programme's own auditors. A case's
 * grades and narratives are part of the child's record: they are read at
 * /children/{id}/audits, where scope is checked and the look recorded like any
 * other. Everything that records goes through the catalogue's checks.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"
#include "quality/audit.h"
#include "util/time.h"

/* The characters of an identifier (docs/events.md, "Field types"). */
#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static void today(char out[CW_DATE_LEN + 1])
{
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), out);
}

static json_t *text_or_null(const cw_value *v)
{
    return v->type == CW_V_TEXT ? json_stringn(v->s, v->len) : json_null();
}

/* ---- GET /api/v1/audits: the programmes, and the cases drawn for you ---- */

static cw_rc programme_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *list = ctx;
    if (n < 8)
        return CW_EDB;
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "programme_id", text_or_null(&c[0])) ||
        json_object_set_new(one, "title", text_or_null(&c[1])) ||
        json_object_set_new(one, "commissioned_by", text_or_null(&c[2])) ||
        json_object_set_new(one, "starts", text_or_null(&c[3])) ||
        json_object_set_new(one, "ends", text_or_null(&c[4])) ||
        json_object_set_new(one, "framework", text_or_null(&c[5])) ||
        json_object_set_new(one, "grades", json_integer(c[6].i)) ||
        json_object_set_new(one, "entry", json_integer(c[7].i)) ||
        json_array_append_new(list, one)) {
        json_decref(one);
        return CW_ENOMEM;
    }
    return CW_OK;
}

typedef struct my_cases {
    cw_store *s;
    const char *me;
    json_t *list;
    cw_error *err;
} my_cases;

static cw_rc name_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *one = ctx;
    if (n >= 2) {
        json_object_set_new(one, "given_name", text_or_null(&c[0]));
        json_object_set_new(one, "family_name", text_or_null(&c[1]));
    }
    return CW_OK;
}

static cw_rc my_case_row(void *ctx, const cw_value *c, size_t n)
{
    my_cases *m = ctx;
    char auditor[65];
    if (n < 7)
        return CW_EDB;
    cw_value_copy(&c[2], auditor, sizeof auditor);
    int moderator = strcmp(auditor, m->me) != 0;
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "programme_id", text_or_null(&c[0])) ||
        json_object_set_new(one, "child_id", text_or_null(&c[1])) ||
        json_object_set_new(one, "as", json_string(moderator ? "moderator" : "auditor")) ||
        json_object_set_new(one, "completed_on", text_or_null(&c[4])) ||
        json_object_set_new(one, "moderated_on", text_or_null(&c[5])) ||
        json_object_set_new(one, "programme_ends", text_or_null(&c[6]))) {
        json_decref(one);
        return CW_ENOMEM;
    }
    /* The child's name, as every list of children in your scope shows it. */
    cw_value k = c[1];
    cw_rc rc = cw_store_run(m->s, CW_Q_CHILD_NAME, &k, 1, name_row, one, NULL, m->err);
    if (rc || json_array_append_new(m->list, one)) {
        json_decref(one);
        return rc ? rc : CW_ENOMEM;
    }
    return CW_OK;
}

cw_rc cw_http_audits(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    cw_store *st = cw_ledger_store(r->ro);
    json_t *programmes = json_array();
    my_cases m = {st, r->who.staff_id, json_array(), err};
    char day[CW_DATE_LEN + 1];
    today(day);
    cw_rc rc = programmes && m.list ? CW_OK : CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(st, CW_Q_AUDIT_PROGRAMMES_ALL, NULL, 0, programme_row, programmes, NULL,
                          err);
    cw_value v[] = {cw_text(r->who.staff_id), cw_text(day)};
    if (!rc && r->who.staff_id[0])
        rc = cw_store_run(st, CW_Q_AUDIT_CASES_OF_STAFF, v, 2, my_case_row, &m, NULL, err);
    if (rc) {
        if (rc == CW_ENOMEM)
            cw_error_set(err, rc, "out of memory");
        json_decref(programmes);
        json_decref(m.list);
        return rc;
    }
    cw_resp_json(r, 200, json_pack("{s:o, s:o}", "programmes", programmes, "my_cases", m.list));
    return CW_OK;
}

/* ---- GET /api/v1/audit-frameworks/{framework} ---- */

cw_rc cw_http_audit_framework(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    cw_audit_framework f;
    cw_rc rc = cw_audit_framework_builtin(&f, r->param[0], err);
    if (rc)
        return rc == CW_ENOTFOUND || rc == CW_EINVAL
                   ? cw_error_key(err, CW_ENOTFOUND, "no_framework", "framework", r->param[0], NULL)
                   : rc;
    json_t *grades = json_array(), *themes = json_array();
    for (size_t i = 0; grades && i < f.ngrades; i++)
        json_array_append_new(grades,
                              json_pack("{s:i, s:s, s:s, s:b}", "grade", f.grades[i].value, "label",
                                        f.grades[i].label, "label_cy", f.grades[i].label_cy,
                                        "critical", f.grades[i].critical));
    for (size_t i = 0; themes && i < f.nthemes; i++)
        json_array_append_new(
            themes, json_pack("{s:s, s:s, s:s, s:s, s:s}", "theme", f.themes[i].id, "title",
                              f.themes[i].title, "title_cy", f.themes[i].title_cy, "guidance",
                              f.themes[i].guidance, "guidance_cy", f.themes[i].guidance_cy));
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "framework", f.id, "title", f.title, "title_cy",
                  f.title_cy, "sha256", f.sha256, "grades", grades, "themes", themes);
    cw_audit_framework_release(&f);
    if (!body)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_resp_json(r, 200, body);
    return CW_OK;
}

/* ---- recording: a programme, a sample, the report ---- */

/* A refusal to someone signed in is recorded in the log, like every other (docs/api.md). */
static cw_rc refused(cw_http_srv *s, req *r, cw_rc rc, cw_error *err)
{
    if (rc == CW_EFORBIDDEN) {
        cw_error keep = *err;
        cw_http_record_access(s, r, NULL, 0, 403);
        *err = keep;
    }
    return rc;
}

static cw_rc record(cw_http_srv *s, req *r, const char *type, json_t *p, cw_error *err)
{
    if (!r->who.staff_id[0])
        return refused(
            s, r, cw_error_key(err, CW_EFORBIDDEN, "audit_needs_staff", "role", NULL, NULL), err);
    cw_event ev = {r->who.staff_id[0] ? r->who.staff_id : r->who.actor, type, p};
    uint64_t index = 0, size = 0;
    cw_rc rc = refused(s, r, cw_http_write_as(s, &r->who, &ev, &index, &size, err), err);
    if (!rc)
        cw_resp_json(r, 201,
                     json_pack("{s:I, s:I, s:O}", "index", (json_int_t)index, "log_size",
                               (json_int_t)size, "payload", p));
    return rc;
}

/* Only these members of a body are taken, each of its type; the rest refused by name. */
static cw_rc only(const json_t *body, const char *const *names, cw_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)body, key, v)
    {
        int known = 0;
        for (const char *const *n = names; *n; n++)
            known |= !strcmp(*n, key);
        if (!known)
            return cw_error_key(err, CW_EINVAL, "not_a_field", key, "audit", NULL);
    }
    return CW_OK;
}

cw_rc cw_http_audit_create(cw_http_srv *s, req *r, cw_error *err)
{
    /* commissioned_by is the caller: over HTTP nobody records a programme in another's name. */
    static const char *const names[] = {"programme_id",    "title",     "scope",
                                        "starts",          "ends",      "auditors",
                                        "area_manager_id", "framework", NULL};
    json_t *body = NULL;
    cw_audit_framework f;
    cw_rc rc = cw_http_body_object(r, &body, err);
    if (!rc)
        rc = only(body, names, err);
    const json_t *fwv = json_object_get(body, "framework");
    if (!rc && fwv && !json_is_string(fwv))
        rc = cw_error_key(err, CW_EINVAL, "not_text", "framework", NULL, NULL);
    const char *fw = str(body, "framework") ? str(body, "framework") : "standard";
    if (!rc && (rc = cw_audit_framework_builtin(&f, fw, err)))
        rc = cw_error_key(err, CW_EINVAL, "no_framework", "framework", fw, NULL);
    else if (!rc) {
        char day[CW_DATE_LEN + 1];
        today(day);
        json_object_del(body, "framework");
        rc = cw_audit_framework_facts(&f, body, err);
        cw_audit_framework_release(&f);
        if (!rc && (json_object_set_new(body, "date", json_string(day)) ||
                    json_object_set_new(body, "commissioned_by", json_string(r->who.staff_id))))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        if (!rc)
            rc = record(s, r, "audit_programme_created", body, err);
    }
    json_decref(body);
    return rc;
}

cw_rc cw_http_audit_sample(cw_http_srv *s, req *r, cw_error *err)
{
    static const char *const names[] = {"seed", "size", "minimum", "teams", "case_types", NULL};
    json_t *body = NULL, *p = NULL;
    cw_rc rc = cw_http_body_object(r, &body, err);
    if (!rc)
        rc = only(body, names, err);
    const json_t *size = json_object_get(body, "size"), *min = json_object_get(body, "minimum");
    if (!rc &&
        (!json_is_integer(size) || json_integer_value(size) < 1 || json_integer_value(size) > 50))
        rc = cw_error_key(err, CW_EINVAL, "not_in_range", "size", NULL, NULL);
    if (!rc && min &&
        (!json_is_integer(min) || json_integer_value(min) < 0 || json_integer_value(min) > 50))
        rc = cw_error_key(err, CW_EINVAL, "not_in_range", "minimum", NULL, NULL);
    const json_t *teams = json_object_get(body, "teams");
    const json_t *types = json_object_get(body, "case_types");
    for (int which = 0; !rc && which < 2; which++) {
        const json_t *list = which ? types : teams;
        const char *field = which ? "case_types" : "teams";
        if (list && !json_is_array(list))
            rc = cw_error_key(err, CW_EINVAL, "not_ids", field, NULL, NULL);
        for (size_t i = 0; !rc && i < json_array_size(list); i++) {
            const char *x = json_string_value(json_array_get(list, i));
            if (!x || !x[0] || strlen(x) > 64 || strspn(x, ID_CHARS) != strlen(x))
                rc = cw_error_key(err, CW_EINVAL, "item_not_id", field, CW_NUM(i + 1), NULL);
        }
    }
    const json_t *seedv = json_object_get(body, "seed");
    if (!rc && seedv &&
        (!json_is_string(seedv) || !json_string_length(seedv) || json_string_length(seedv) > 64 ||
         strspn(json_string_value(seedv), ID_CHARS) != json_string_length(seedv)))
        rc = cw_error_key(err, CW_EINVAL, "seed_text", "seed", NULL, NULL);
    /* No seed given: a random one, recorded with the sample so that anyone can draw it again. */
    char seed[65];
    if (str(body, "seed"))
        snprintf(seed, sizeof seed, "%s", str(body, "seed"));
    else {
        unsigned char b[8];
        randombytes_buf(b, sizeof b);
        sodium_bin2hex(seed, sizeof seed, b, sizeof b);
    }
    if (!rc) {
        /* Drawn from this request's snapshot of the record; the entry names it (log_size), and
         * the catalogue checks again, in the writer, that each case may still be drawn. */
        cw_audit_draw_opts o = {r->param[0],
                                seed,
                                (size_t)json_integer_value(size),
                                min ? (size_t)json_integer_value(min) : 1,
                                teams,
                                types,
                                (cw_date)(cw_time_now_ms() / 86400000),
                                r->who.staff_id};
        rc = cw_audit_draw(cw_ledger_store(r->ro), cw_ledger_size(r->ro), &o, &p, err);
    }
    if (!rc)
        rc = record(s, r, "audit_sample_drawn", p, err);
    json_decref(p);
    json_decref(body);
    return rc;
}

typedef struct in_post {
    json_t *ids;
} in_post;

static cw_rc in_post_row(void *ctx, const cw_value *c, size_t n)
{
    in_post *p = ctx;
    char id[65];
    if (n >= 1 && cw_value_copy(&c[0], id, sizeof id) > 0 && json_array_size(p->ids) < 10)
        return json_array_append_new(p->ids, json_string(id)) ? CW_ENOMEM : CW_OK;
    return CW_OK;
}

cw_rc cw_http_audit_issue(cw_http_srv *s, req *r, cw_error *err)
{
    static const char *const names[] = {"report_id", "recipients", "acknowledge_within", NULL};
    json_t *body = NULL, *p = NULL;
    cw_rc rc = cw_http_body_object(r, &body, err);
    if (!rc)
        rc = only(body, names, err);
    if (!rc && !str(body, "report_id"))
        rc = cw_error_key(err, CW_EINVAL, "required", "report_id", "audit_report_issued", NULL);
    const json_t *within = json_object_get(body, "acknowledge_within");
    if (!rc && within && !json_is_integer(within))
        rc = cw_error_key(err, CW_EINVAL, "not_in_range", "acknowledge_within", NULL, NULL);
    in_post to = {json_array()};
    const json_t *given = json_object_get(body, "recipients");
    if (!rc && given && !json_is_array(given))
        rc = cw_error_key(err, CW_EINVAL, "not_ids", "recipients", NULL, NULL);
    /* Default recipients: the head of service and the director, those in post. */
    static const char *const roles[] = {"head_of_service", "director"};
    for (size_t i = 0; !rc && !given && i < 2; i++) {
        cw_value k = cw_text(roles[i]);
        rc = cw_store_run(cw_ledger_store(r->ro), CW_Q_STAFF_IN_POST, &k, 1, in_post_row, &to, NULL,
                          err);
    }
    char day[CW_DATE_LEN + 1];
    today(day);
    if (!rc)
        rc = cw_audit_report_content(cw_ledger_store(r->ro), cw_ledger_size(r->ro), r->param[0],
                                     str(body, "report_id"), day, given ? given : to.ids,
                                     within ? json_integer_value(within) : 10, &p, err);
    if (!rc)
        rc = record(s, r, "audit_report_issued", p, err);
    json_decref(to.ids);
    json_decref(p);
    json_decref(body);
    return rc;
}

/* ---- reading a programme and its report ---- */

/*
 * Lists name a child only to whoever may see the child's record (as every list does): another
 * reader gets the entry without its child (child_id null, hidden true), so counts stay true.
 */
static cw_rc hide_children(req *r, json_t *list, cw_error *err)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *one = json_array_get(list, i);
        const char *child = json_string_value(json_object_get(one, "child_id"));
        if (!child)
            continue;
        cw_error quiet;
        cw_rc rc = cw_access_child(r->ro, &r->who, child, 0, &quiet);
        if (rc == CW_EFORBIDDEN || rc == CW_ENOTFOUND) {
            if (json_object_set_new(one, "child_id", json_null()) ||
                json_object_set_new(one, "hidden", json_true()))
                return cw_error_set(err, CW_ENOMEM, "out of memory");
        } else if (rc) {
            *err = quiet;
            return rc;
        }
    }
    return CW_OK;
}

/* A programme's page: managers, QA auditors, inspectors, and the programme's own auditors. */
static cw_rc may_read_programme(req *r, const char *programme_id, cw_error *err)
{
    if (r->who.role & (R_MANAGERS | R_QA_AUDITOR | R_INSPECTOR))
        return CW_OK;
    int auditor = 0;
    cw_value k[] = {cw_text(programme_id), cw_text(r->who.staff_id)};
    cw_rc rc = r->who.staff_id[0] ? cw_store_exists(cw_ledger_store(r->ro), CW_Q_AUDIT_AUDITOR_HAS,
                                                    k, 2, &auditor, err)
                                  : CW_OK;
    return rc        ? rc
           : auditor ? CW_OK
                     : cw_error_key(err, CW_EFORBIDDEN, "not_your_programme", "programme",
                                    programme_id, NULL);
}

static cw_rc case_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *list = ctx;
    if (n < 10)
        return CW_EDB;
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "child_id", text_or_null(&c[0])) ||
        json_object_set_new(one, "auditor_id", text_or_null(&c[1])) ||
        json_object_set_new(one, "how", text_or_null(&c[2])) ||
        json_object_set_new(one, "added_on", text_or_null(&c[3])) ||
        json_object_set_new(one, "team_id", text_or_null(&c[4])) ||
        json_object_set_new(one, "completed_on", text_or_null(&c[5])) ||
        json_object_set_new(one, "overall",
                            c[6].type == CW_V_INT ? json_integer(c[6].i) : json_null()) ||
        json_object_set_new(one, "moderator_id", text_or_null(&c[7])) ||
        json_object_set_new(one, "moderated_on", text_or_null(&c[8])) ||
        json_object_set_new(one, "moderated_overall",
                            c[9].type == CW_V_INT ? json_integer(c[9].i) : json_null()) ||
        json_array_append_new(list, one)) {
        json_decref(one);
        return CW_ENOMEM;
    }
    return CW_OK;
}

static cw_rc auditor_row(void *ctx, const cw_value *c, size_t n)
{
    return n >= 1 && json_array_append_new(ctx, text_or_null(&c[0])) ? CW_ENOMEM : CW_OK;
}

/* The recommendations and their actions as they stand now (drafts before the report is issued;
 * the report's page has the same once issued): the page that adds them reads them back. */
static cw_rc rec_row(void *ctx, const cw_value *c, size_t n)
{
    if (n < 4)
        return CW_EDB;
    json_t *one = json_pack("{s:o, s:I, s:o, s:o, s:[]}", "recommendation_id", text_or_null(&c[0]),
                            "number", (json_int_t)c[1].i, "theme", text_or_null(&c[2]), "text",
                            text_or_null(&c[3]), "actions");
    return !one || json_array_append_new(ctx, one) ? CW_ENOMEM : CW_OK;
}

static cw_rc action_of_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *recs = ctx, *into = NULL;
    if (n < 12)
        return CW_EDB;
    for (size_t i = 0; i < json_array_size(recs); i++) {
        const json_t *one = json_array_get(recs, i);
        const char *id = str(one, "recommendation_id");
        if (id && c[1].type == CW_V_TEXT && strlen(id) == c[1].len && !memcmp(id, c[1].s, c[1].len))
            into = json_object_get(one, "actions");
    }
    if (!into)
        return CW_EDB;
    json_t *a = json_pack("{s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "action_id",
                          text_or_null(&c[0]), "number", (json_int_t)c[3].i, "text",
                          text_or_null(&c[4]), "owner_id", text_or_null(&c[5]), "due",
                          text_or_null(&c[6]), "status", text_or_null(&c[7]), "updated_on",
                          text_or_null(&c[8]), "completed_on", text_or_null(&c[9]), "closed_on",
                          text_or_null(&c[10]), "closed_by", text_or_null(&c[11]));
    return !a || json_array_append_new(into, a) ? CW_ENOMEM : CW_OK;
}

cw_rc cw_http_audit(cw_http_srv *s, req *r, cw_error *err)
{
    cw_store *st = cw_ledger_store(r->ro);
    const char *id = r->param[0];
    json_t *fig = NULL, *cases = json_array(), *auditors = json_array(), *report = NULL,
           *recs = json_array();
    cw_value k = cw_text(id);
    cw_rc rc = refused(s, r, may_read_programme(r, id, err), err);
    if (!rc)
        rc = cw_audit_figures(st, id, NULL, &fig, err);
    if (!rc && (!cases || !auditors || !recs))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (!rc)
        rc = cw_store_run(st, CW_Q_AUDIT_CASES_OF, &k, 1, case_row, cases, NULL, err);
    if (!rc)
        rc = cw_store_run(st, CW_Q_AUDIT_AUDITORS_OF, &k, 1, auditor_row, auditors, NULL, err);
    if (!rc)
        rc = cw_store_run(st, CW_Q_AUDIT_RECOMMENDATIONS_OF, &k, 1, rec_row, recs, NULL, err);
    if (!rc)
        rc = cw_store_run(st, CW_Q_AUDIT_ACTIONS_OF, &k, 1, action_of_row, recs, NULL, err);
    /* The report as issued and everything it started; before it is issued, the drafts. */
    if (!rc && (rc = cw_audit_report_state(st, id, &report, err)) == CW_ENOTFOUND) {
        cw_error_clear(err);
        rc = CW_OK;
    }
    if (!rc)
        rc = hide_children(r, cases, err);
    if (!rc)
        rc = hide_children(r, json_object_get(fig, "critical_findings"), err);
    if (!rc && report)
        rc = hide_children(
            r, json_object_get(json_object_get(report, "figures"), "critical_findings"), err);
    if (rc) {
        json_decref(fig);
        json_decref(cases);
        json_decref(auditors);
        json_decref(recs);
        json_decref(report);
        return rc;
    }
    cw_resp_json(r, 200,
                 json_pack("{s:o, s:o, s:o, s:o, s:o*}", "figures", fig, "cases", cases, "auditors",
                           auditors, "recommendations", recs, "report",
                           report ? report : json_null()));
    return CW_OK;
}

/* The drafts before a report is issued: its recommendations and actions (as the state has). */
cw_rc cw_http_audit_report(cw_http_srv *s, req *r, cw_error *err)
{
    cw_store *st = cw_ledger_store(r->ro);
    const char *id = r->param[0], *format = cw_http_query(r, "format");
    const char *lang = cw_http_query(r, "lang");
    json_t *state = NULL;
    cw_rc rc = refused(s, r, may_read_programme(r, id, err), err);
    if (!rc && format && strcmp(format, "json") && strcmp(format, "html") && strcmp(format, "csv"))
        rc = cw_error_key(err, CW_EINVAL, "report_format", "format", format, NULL);
    if (!rc && lang && strcmp(lang, "en") && strcmp(lang, "cy"))
        rc = cw_error_key(err, CW_EINVAL, "language", "lang", NULL, NULL);
    if (!rc)
        rc = cw_audit_report_state(st, id, &state, err);
    if (!rc &&
        (rc = hide_children(
             r, json_object_get(json_object_get(state, "figures"), "critical_findings"), err)))
        json_decref(state);
    if (rc)
        return rc;
    if (!format || !strcmp(format, "json")) {
        cw_resp_json(r, 200, state);
        return CW_OK;
    }
    cw_buf b = CW_BUF_INIT(1 << 24);
    cw_audit_framework f;
    const json_t *fig = json_object_get(state, "figures");
    int have_f = cw_audit_framework_of(fig, &f);
    if (!strcmp(format, "csv"))
        rc = cw_audit_report_csv(state, &b);
    else
        rc = cw_audit_report_html(state, have_f ? &f : NULL,
                                  lang ? lang : (r->who.language[0] ? r->who.language : "en"), &b);
    if (!rc)
        cw_resp_text(
            r, 200, !strcmp(format, "csv") ? "text/csv; charset=utf-8" : "text/html; charset=utf-8",
            b.data ? b.data : "", b.len);
    else
        cw_error_set(err, rc, "the report could not be written");
    if (have_f)
        cw_audit_framework_release(&f);
    cw_buf_release(&b);
    json_decref(state);
    return rc;
}

/* ---- GET /api/v1/audit-reports: every report ever issued, and what became of it ---- */

typedef struct reports_scan {
    cw_store *s;
    json_t *list;
    cw_date today;
    cw_error *err;
} reports_scan;

static cw_rc report_row(void *ctx, const cw_value *c, size_t n)
{
    reports_scan *rs = ctx;
    char programme[65];
    if (n < 7 || cw_value_copy(&c[1], programme, sizeof programme) <= 0)
        return CW_EDB;
    json_t *st = NULL;
    cw_rc rc = cw_audit_report_state(rs->s, programme, &st, rs->err);
    if (rc)
        return rc;
    /* A summary: without the figures (one report's page has them). */
    json_object_del(st, "figures");
    char day[CW_DATE_LEN + 1];
    cw_date_format(rs->today, day);
    size_t open = 0, overdue = 0, awaiting = 0, closed = 0, unacknowledged = 0;
    const json_t *recs = json_object_get(st, "recommendations");
    for (size_t i = 0; i < json_array_size(recs); i++) {
        const json_t *acts = json_object_get(json_array_get(recs, i), "actions");
        for (size_t k = 0; k < json_array_size(acts); k++) {
            const json_t *a = json_array_get(acts, k);
            const char *status = str(a, "status"), *due = str(a, "due");
            if (!strcmp(status, "closed")) {
                closed++;
                continue;
            }
            open++;
            awaiting += !strcmp(status, "awaiting_sign_off");
            overdue += due && strcmp(due, day) < 0;
        }
    }
    const json_t *to = json_object_get(st, "recipients");
    for (size_t i = 0; i < json_array_size(to); i++)
        unacknowledged += json_is_null(json_object_get(json_array_get(to, i), "acknowledged_on"));
    const char *ack_by = str(st, "acknowledge_by");
    json_object_set_new(st, "actions",
                        json_pack("{s:I, s:I, s:I, s:I}", "open", (json_int_t)open, "overdue",
                                  (json_int_t)overdue, "awaiting_sign_off", (json_int_t)awaiting,
                                  "closed", (json_int_t)closed));
    json_object_set_new(st, "unacknowledged", json_integer((json_int_t)unacknowledged));
    json_object_set_new(st, "acknowledgement_overdue",
                        json_boolean(unacknowledged && ack_by && strcmp(ack_by, day) < 0));
    return json_array_append_new(rs->list, st) ? CW_ENOMEM : CW_OK;
}

cw_rc cw_http_audit_reports(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    reports_scan rs = {cw_ledger_store(r->ro), json_array(), (cw_date)(cw_time_now_ms() / 86400000),
                       err};
    cw_rc rc = rs.list
                   ? cw_store_run(rs.s, CW_Q_AUDIT_REPORTS_ALL, NULL, 0, report_row, &rs, NULL, err)
                   : CW_ENOMEM;
    if (rc) {
        if (rc == CW_ENOMEM)
            cw_error_set(err, rc, "out of memory");
        json_decref(rs.list);
        return rc;
    }
    cw_resp_json(r, 200, json_pack("{s:o}", "reports", rs.list));
    return CW_OK;
}

/* ---- GET /api/v1/children/{id}/audits: a case's audits, narratives included ---- */

typedef struct child_audit_scan {
    cw_store *s;
    const char *child;
    json_t *list;
    cw_error *err;
} child_audit_scan;

typedef struct grades_scan {
    cw_store *s;
    json_t *list;
    cw_error *err;
} grades_scan;

static cw_rc grade_row(void *ctx, const cw_value *c, size_t n)
{
    grades_scan *g = ctx;
    if (n < 5)
        return CW_EDB;
    json_t *entry = NULL;
    cw_rc rc = cw_casework_entry(g->s, (uint64_t)c[4].i, &entry, g->err);
    if (rc)
        return rc;
    const json_t *p = json_object_get(entry, "payload");
    json_t *one = json_object();
    if (!one || json_object_set_new(one, "theme", text_or_null(&c[0])) ||
        json_object_set_new(one, "grade", c[1].i ? json_integer(c[1].i) : json_null()) ||
        json_object_set_new(one, "not_applicable", json_boolean(c[1].i == 0)) ||
        json_object_set_new(one, "graded_by", text_or_null(&c[2])) ||
        json_object_set_new(one, "graded_on", text_or_null(&c[3])) ||
        json_object_set_new(one, "entry", json_integer(c[4].i)) ||
        json_object_set(one, "narrative",
                        json_object_get(p, "narrative") ? json_object_get(p, "narrative")
                                                        : json_null()) ||
        json_object_set_new(one, "evidence",
                            json_object_get(p, "evidence")
                                ? json_incref(json_object_get(p, "evidence"))
                                : json_array()) ||
        json_array_append_new(g->list, one)) {
        json_decref(one);
        rc = CW_ENOMEM;
    }
    json_decref(entry);
    return rc;
}

static cw_rc child_case_row(void *ctx, const cw_value *c, size_t n)
{
    child_audit_scan *a = ctx;
    char programme[65];
    if (n < 7 || cw_value_copy(&c[0], programme, sizeof programme) <= 0)
        return CW_EDB;
    json_t *audit = json_array(), *moderation = json_array();
    grades_scan ga = {a->s, audit, a->err}, gm = {a->s, moderation, a->err};
    cw_value k[] = {cw_text(programme), cw_text(a->child), cw_text("audit")};
    cw_rc rc = audit && moderation ? CW_OK : CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(a->s, CW_Q_AUDIT_GRADES_OF, k, 3, grade_row, &ga, NULL, a->err);
    k[2] = cw_text("moderation");
    if (!rc)
        rc = cw_store_run(a->s, CW_Q_AUDIT_GRADES_OF, k, 3, grade_row, &gm, NULL, a->err);
    json_t *one =
        rc ? NULL
           : json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "programme_id", programme,
                       "auditor_id", text_or_null(&c[2]), "moderator_id", text_or_null(&c[3]),
                       "completed_on", text_or_null(&c[4]), "moderated_on", text_or_null(&c[5]),
                       "grades", audit, "moderation", moderation);
    if (!rc && (!one || json_array_append_new(a->list, one)))
        rc = CW_ENOMEM;
    if (rc && !one) {
        json_decref(audit);
        json_decref(moderation);
    }
    return rc;
}

cw_rc cw_http_child_audits(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    child_audit_scan a = {cw_ledger_store(r->ro), r->param[0], json_array(), err};
    cw_value k = cw_text(r->param[0]);
    cw_rc rc =
        a.list ? cw_store_run(a.s, CW_Q_AUDIT_CASES_OF_CHILD, &k, 1, child_case_row, &a, NULL, err)
               : CW_ENOMEM;
    if (rc) {
        if (rc == CW_ENOMEM)
            cw_error_set(err, rc, "out of memory");
        json_decref(a.list);
        return rc;
    }
    cw_resp_json(r, 200, json_pack("{s:s, s:o}", "child_id", r->param[0], "audits", a.list));
    return CW_OK;
}

/* ---- an audit command through POST /commands/{type} ---- */

static cw_rc ends_row(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 4)
        cw_value_copy(&c[3], ctx, CW_DATE_LEN + 1);
    return CW_OK;
}

cw_rc cw_http_audit_command_check(req *r, const char *type, const json_t *p, cw_error *err)
{
    /* Work on a programme's cases happens while it runs: the catalogue checks the dates the
     * command gives; here the day it is recorded must not be after the programme's last. */
    static const char *const during[] = {"audit_theme_graded", "audit_case_completed",
                                         "audit_case_added", "audit_moderator_assigned", NULL};
    int applies = 0;
    for (const char *const *t = during; *t; t++)
        applies |= !strcmp(*t, type);
    const char *prog = str(p, "programme_id");
    if (!applies || !prog)
        return CW_OK;
    char ends[CW_DATE_LEN + 1] = "", day[CW_DATE_LEN + 1];
    cw_value k = cw_text(prog);
    cw_rc rc = cw_store_run(cw_ledger_store(r->ro), CW_Q_AUDIT_PROGRAMME_GET, &k, 1, ends_row, ends,
                            NULL, err);
    today(day);
    if (!rc && ends[0] && strcmp(day, ends) > 0)
        rc = cw_error_key(err, CW_EINVAL, "programme_ended", "date", day, ends);
    return rc;
}
