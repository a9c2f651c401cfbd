/*
 * routes.c — the route table and its handlers (docs/api.md).
 *
 * The table is the security review: each route names the roles that may use
 * it and whether its path names a child (scope checked and the access
 * recorded by the pipeline in server.c) or it changes state (CSRF checked).
 * A handler is reached only after those checks; it holds the business logic.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casework/casework.h"
#include "http/http_int.h"
#include "measures/integrity.h"
#include "measures/report.h"
#include "rules/report.h"
#include "util/base64.h"
#include "util/time.h"
#include "util/utf8.h"

/* ---- helpers ---- */

static const char *query(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static cw_rc query_u64(req *r, const char *name, uint64_t *out, cw_error *err)
{
    const char *v = query(r, name);
    if (!v)
        return cw_error_key(err, CW_EINVAL, "param_required", name, NULL, NULL);
    if (cw_parse_u64(v, strlen(v), out))
        return cw_error_key(err, CW_EINVAL, "param_whole", name, NULL, NULL);
    return CW_OK;
}

/* as_of=YYYY-MM-DD, default today. */
static cw_rc query_date(req *r, cw_date *out, cw_error *err)
{
    const char *v = query(r, "as_of");
    if (!v) {
        *out = (cw_date)(cw_time_now_ms() / 86400000);
        return CW_OK;
    }
    if (cw_date_parse(v, strlen(v), out))
        return cw_error_key(err, CW_EINVAL, "param_date", "as_of", NULL, NULL);
    return CW_OK;
}

/* The request body as a JSON object. It must say it is JSON: a form on another site cannot
 * send that without the browser asking first, so no page can sign someone in unawares. */
static cw_rc body_object(req *r, json_t **out, cw_error *err)
{
    *out = NULL;
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';'))
        return cw_error_key(err, CW_EINVAL, "content_type", "Content-Type", NULL, NULL);
    if (r->body.len == 0)
        return cw_error_key(err, CW_EINVAL, "body_required", "body", NULL, NULL);
    size_t ok = cw_utf8_check(r->body.data, r->body.len);
    if (ok != r->body.len) {
        return cw_error_key(err, CW_EINVAL, "body_utf8", "body", CW_NUM(ok), NULL);
    }
    json_error_t je;
    json_t *v = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        char why[CW_ERROR_ARG_MAX];
        snprintf(why, sizeof why, "%.100s (line %d, column %d)", je.text, je.line, je.column);
        return cw_error_key(err, CW_EINVAL, "body_json", "body", why, NULL);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return cw_error_key(err, CW_EINVAL, "body_object", "body", NULL, NULL);
    }
    *out = v;
    return CW_OK;
}

/* A string member that must be there, with no other members than those allowed. */
static cw_rc members(const json_t *o, const char *const *allowed, cw_error *err)
{
    const char *k;
    json_t *v;
    json_t *m;
    memcpy(&m, &o, sizeof m);
    json_object_foreach(m, k, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], k) != 0)
            i++;
        if (!allowed[i])
            return cw_error_key(err, CW_EINVAL, "not_here", k, NULL, NULL);
    }
    for (size_t i = 0; allowed[i]; i++) {
        const json_t *x = json_object_get(o, allowed[i]);
        if (!x)
            return cw_error_key(err, CW_EINVAL, "param_required", allowed[i], NULL, NULL);
        if (!json_is_string(x))
            return cw_error_key(err, CW_EINVAL, "not_text", allowed[i], NULL, NULL);
    }
    return CW_OK;
}

/* ---- service ---- */

static const char *const read_model_states[] = {"checking", "verified", "differs", "unchecked"};

static cw_rc h_healthz(cw_http_srv *s, req *r, cw_error *err)
{
    (void)err;
    int state = __atomic_load_n(&s->read_model_state, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE)) {
        /* What failed names entry indexes, sizes and tables: no personal data. */
        cw_resp_json(r, 503,
                     json_pack("{s:s, s:I, s:s, s:s, s:b}", "status", "integrity_failure",
                               "log_size", (json_int_t)(r->ro ? cw_ledger_size(r->ro) : 0),
                               "problem", s->integrity_what, "read_model", read_model_states[state],
                               "writes_accepted", 0));
        return CW_OK;
    }
    /* The storage failing (a full disk, an I/O error, the database server gone): 503 with
     * the reason while it lasts; the check probes it, so this says ok again, and writes are
     * taken again, as soon as it works (docs/faults.md). */
    cw_store_fault fault = cw_http_storage_state(s);
    if (fault || !r->ro) {
        if (!fault)
            cw_store_faults(&fault);
        cw_resp_json(r, 503,
                     json_pack("{s:s, s:s, s:s, s:b}", "status", "unavailable", "reason",
                               fault ? cw_store_fault_text(fault) : "the database cannot be read",
                               "read_model", read_model_states[state], "writes_accepted", 0));
        return CW_OK;
    }
    cw_resp_json(r, 200,
                 json_pack("{s:s, s:I, s:s}", "status", "ok", "log_size",
                           (json_int_t)cw_ledger_size(r->ro), "read_model",
                           read_model_states[state]));
    return CW_OK;
}

static cw_rc h_metrics(cw_http_srv *s, req *r, cw_error *err)
{
    (void)err;
    cw_buf b = CW_BUF_INIT(1 << 16);
    size_t live = 0;
    pthread_mutex_lock(&s->sess_mu);
    int64_t now = cw_time_now_ms();
    for (size_t i = 0; i < s->cap_sess; i++)
        live += s->sess[i].used && now - s->sess[i].last_ms < s->o.idle_timeout_s * 1000;
    pthread_mutex_unlock(&s->sess_mu);
    pthread_mutex_lock(&s->thr_mu);
    uint64_t throttled = s->thr.throttled, sprays = s->thr.sprays;
    pthread_mutex_unlock(&s->thr_mu);
    cw_buf_addf(&b, "# HELP caseward_http_requests_total HTTP requests answered, by status class.\n"
                    "# TYPE caseward_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        cw_buf_addf(&b, "caseward_http_requests_total{class=\"%dxx\"} %" PRIu64 "\n", c,
                    __atomic_load_n(&s->by_status[c], __ATOMIC_RELAXED));
    cw_buf_addf(&b,
                "# HELP caseward_signins_total Sign-in attempts, by result.\n"
                "# TYPE caseward_signins_total counter\n"
                "caseward_signins_total{result=\"ok\"} %" PRIu64 "\n"
                "caseward_signins_total{result=\"refused\"} %" PRIu64 "\n"
                "caseward_signins_total{result=\"throttled\"} %" PRIu64 "\n"
                "# HELP caseward_signin_sprays_total Sign-in sprays detected (each one a "
                "sign_in_spray_detected entry in the log).\n"
                "# TYPE caseward_signin_sprays_total counter\n"
                "caseward_signin_sprays_total %" PRIu64 "\n"
                "# HELP caseward_signin_throttled_keys Sign-in throttle keys (account and "
                "address pairs, accounts, addresses) delaying attempts now.\n"
                "# TYPE caseward_signin_throttled_keys gauge\n"
                "caseward_signin_throttled_keys %zu\n"
                "# HELP caseward_log_entries Entries in the log.\n"
                "# TYPE caseward_log_entries gauge\n"
                "caseward_log_entries %" PRIu64 "\n"
                "# HELP caseward_log_entries_written_total Entries the server has appended.\n"
                "# TYPE caseward_log_entries_written_total counter\n"
                "caseward_log_entries_written_total %" PRIu64 "\n"
                "# HELP caseward_sessions Sessions live now.\n"
                "# TYPE caseward_sessions gauge\n"
                "caseward_sessions %zu\n"
                "# HELP caseward_integrity_ok 1 while the log and the read model verify; 0 once "
                "a check failed (writes are refused until restart).\n"
                "# TYPE caseward_integrity_ok gauge\n"
                "caseward_integrity_ok %d\n"
                "# HELP caseward_read_model_verified 1 once the start-up deep verify found the "
                "read model equal to the log.\n"
                "# TYPE caseward_read_model_verified gauge\n"
                "caseward_read_model_verified %d\n",
                __atomic_load_n(&s->signins_ok, __ATOMIC_RELAXED),
                __atomic_load_n(&s->signins_failed, __ATOMIC_RELAXED), throttled, sprays,
                cw_throttle_keys(s), cw_ledger_size(r->ro),
                __atomic_load_n(&s->entries_written, __ATOMIC_RELAXED), live,
                !__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE),
                __atomic_load_n(&s->read_model_state, __ATOMIC_ACQUIRE) == 1);
    cw_http_metrics_connections(s, &b);
    /* Storage faults (docs/faults.md): counted, not probed here (/healthz probes). */
    cw_store_fault fault;
    uint64_t faults = cw_store_faults(&fault);
    cw_buf_addf(&b,
                "# HELP caseward_storage_faults_total Storage faults met (a full disk, an I/O "
                "error, the database server unreachable).\n"
                "# TYPE caseward_storage_faults_total counter\n"
                "caseward_storage_faults_total %" PRIu64 "\n"
                "# HELP caseward_storage_ok 0 while a storage fault is unresolved (writes are "
                "answered 503), else 1.\n"
                "# TYPE caseward_storage_ok gauge\n"
                "caseward_storage_ok %d\n",
                faults, faults == __atomic_load_n(&s->faults_ok, __ATOMIC_ACQUIRE));
    cw_resp_text(r, 200, "text/plain; version=0.0.4", b.data, b.len);
    cw_buf_release(&b);
    return CW_OK;
}

static cw_rc h_openapi(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    char *doc = cw_http_openapi();
    if (!doc)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_resp_text(r, 200, "application/json", doc, strlen(doc));
    free(doc);
    return CW_OK;
}

/* ---- the log ---- */

static cw_rc h_checkpoint(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    cw_buf note = CW_BUF_INIT(1 << 16);
    uint64_t size;
    cw_rc rc = cw_ledger_checkpoint(r->ro, &note, &size, err);
    if (!rc)
        cw_resp_text(r, 200, "text/plain; charset=utf-8", note.data, note.len);
    cw_buf_release(&note);
    return rc;
}

static cw_rc h_vkey(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    cw_buf k = CW_BUF_INIT(1024);
    cw_rc rc = cw_ledger_vkey(r->ro, &k);
    if (rc)
        rc = cw_error_set(err, rc, "the verifier key cannot be read");
    else if (!cw_buf_addc(&k, '\n'))
        cw_resp_text(r, 200, "text/plain; charset=utf-8", k.data, k.len);
    cw_buf_release(&k);
    return rc;
}

static cw_rc proof(req *r, int inclusion, cw_error *err)
{
    uint64_t a, b;
    uint8_t p[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
    size_t n = 0;
    cw_rc rc = query_u64(r, inclusion ? "index" : "old", &a, err);
    if (!rc)
        rc = query_u64(r, inclusion ? "size" : "new", &b, err);
    if (!rc)
        rc = inclusion ? cw_ledger_inclusion_proof(r->ro, a, b, p, &n, err)
                       : cw_ledger_consistency_proof(r->ro, a, b, p, &n, err);
    if (rc)
        return rc;
    cw_buf out = CW_BUF_INIT(1 << 16);
    for (size_t i = 0; i < n && !rc; i++)
        if (!(rc = cw_base64_encode(p[i], CW_HASH_LEN, &out)))
            rc = cw_buf_addc(&out, '\n');
    if (!rc)
        cw_resp_text(r, 200, "text/plain; charset=utf-8", out.data, out.len);
    cw_buf_release(&out);
    return rc;
}

static cw_rc h_inclusion(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    return proof(r, 1, err);
}

static cw_rc h_consistency(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    return proof(r, 0, err);
}

#define MAX_ENTRIES 10000

static cw_rc h_entries(cw_http_srv *s, req *r, cw_error *err)
{
    uint64_t a, b, size = cw_ledger_size(r->ro);
    cw_rc rc = query_u64(r, "start", &a, err);
    if (!rc)
        rc = query_u64(r, "end", &b, err);
    if (rc)
        return rc;
    if (a > b || b > size)
        return cw_error_set(err, CW_EINVAL,
                            "end: must be from start to the log's size (%" PRIu64 ")", size);
    if (b - a > MAX_ENTRIES)
        return cw_error_key(err, CW_EINVAL, "at_most_entries", "end", CW_NUM(MAX_ENTRIES), NULL);
    cw_buf out = CW_BUF_INIT((size_t)1 << 31);
    for (uint64_t i = a; i < b && !rc; i++)
        if (!(rc = cw_ledger_leaf(r->ro, i, &out, err)))
            rc = cw_buf_addc(&out, '\n');
    if (!rc)
        cw_resp_text(r, 200, "application/jsonl", out.data, out.len);
    cw_buf_release(&out);
    /* The entries hold children's records: reading them is recorded, or they are withheld. */
    char range[64];
    snprintf(range, sizeof range, "start=%" PRIu64 "&end=%" PRIu64, a, b);
    if (!rc && cw_http_record_access_detail(s, r, NULL, 1, 200, range) != CW_OK)
        rc = cw_error_set(err, CW_EIO, "the read could not be recorded");
    return rc;
}

/* ---- sign-in ---- */

/* Who is signed in; idle_timeout_s lets a page warn before an unused session ends. */
static json_t *me_json(const cw_http_srv *s, const principal *who, const char *csrf)
{
    return json_pack("{s:s, s:s?, s:s, s:s?, s:b, s:s?, s:I, s:s?}", "username", who->username,
                     "staff_id", who->staff_id[0] ? who->staff_id : NULL, "role",
                     cw_role_name(who->role), "team_id", who->team_id[0] ? who->team_id : NULL,
                     "must_change_password", who->must_change, "csrf_token", csrf, "idle_timeout_s",
                     (json_int_t)s->o.idle_timeout_s, "language",
                     who->language[0] ? who->language : NULL);
}

static cw_rc start_session(cw_http_srv *s, req *r, cw_error *err)
{
    char token[64], csrf[48];
    cw_rc rc = cw_session_create(s, r->who.username, token, csrf, err);
    if (rc)
        return rc;
    cw_resp_cookie(r, "cw_session", token, 1, CW_COOKIE_SESSION);
    cw_resp_cookie(r, "cw_csrf", csrf, 0, CW_COOKIE_SESSION);
    cw_resp_json(r, 200, me_json(s, &r->who, csrf));
    sodium_memzero(token, sizeof token);
    return CW_OK;
}

/* Every refused sign-in gets these words, whatever the reason. */
static cw_rc signin_refused(cw_error *err)
{
    return cw_error_key(err, CW_EAUTH, "sign_in_refused", "password", NULL, NULL);
}

/* A sign-in held back by the throttle: 429 with Retry-After, counted towards spray detection. */
static cw_rc signin_throttled(cw_http_srv *s, req *r, const char *user, const cw_addr *addr,
                              const thr_ticket *t, int64_t wait_s)
{
    snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait_s);
    cw_throttle_failed(s, user, addr, t->now_ms);
    return CW_ELIMIT;
}

static cw_rc h_sign_in(cw_http_srv *s, req *r, cw_error *err)
{
    json_t *b;
    static const char *const fields[] = {"username", "password", NULL};
    cw_rc rc = body_object(r, &b, err);
    if (rc || (rc = members(b, fields, err))) {
        json_decref(b);
        return rc;
    }
    char user[65];
    const char *name = json_string_value(json_object_get(b, "username"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    if (strlen(name) >= sizeof user) {
        json_decref(b);
        return signin_refused(err);
    }
    memcpy(user, name, strlen(name) + 1);
    cw_addr addr;
    thr_ticket tk;
    int64_t wait_s;
    cw_client_addr(s, r, &addr);
    /* Throttled before any password is checked: no argon2id work for a flood. By the name as
     * typed, whether an account has it or not (throttle.c). */
    const char *device = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cw_device");
    if ((rc = cw_throttle_check(s, user, &addr, device, &tk, &wait_s, err))) {
        json_decref(b);
        return rc == CW_ELIMIT ? signin_throttled(s, r, user, &addr, &tk, wait_s) : rc;
    }
    cw_account a;
    cw_staff_info si = {0};
    if (!(rc = cw_account_get(cw_ledger_store(r->ro), user, &a, err)) && a.found && a.staff_id[0])
        rc = cw_casework_staff(cw_ledger_store(r->ro), a.staff_id, &si, err);
    if (rc) {
        /* No verdict (the store failed): the attempt counts for nothing. */
        cw_throttle_undo(s, user, &addr, &tk);
        json_decref(b);
        return rc;
    }
    char today[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), today);
    /* The slow part (argon2id) runs outside every lock, for every answer alike. Nothing is
     * written for a failure: there is no lockout to count towards (the accounts table's
     * failed and locked_until are no longer used). */
    cw_signin_result res = cw_account_check(&a, pw, today, a.staff_id[0] && (!si.found || si.left));
    json_decref(b);
    if (res == CW_SIGNIN_OK && (rc = cw_principal_load(s, r->ro, user, &r->who, err)) &&
        rc != CW_EAUTH) {
        cw_throttle_undo(s, user, &addr, &tk);
        return rc;
    }
    if (res != CW_SIGNIN_OK || rc == CW_EAUTH) {
        __atomic_add_fetch(&s->signins_failed, 1, __ATOMIC_RELAXED);
        cw_throttle_failed(s, user, &addr, tk.now_ms);
        /* Wrong, unknown or not active read alike: the answer does not say which names exist. */
        return signin_refused(err);
    }
    cw_throttle_ok(s, user, &addr, &tk);
    r->signed_in = 1;
    __atomic_add_fetch(&s->signins_ok, 1, __ATOMIC_RELAXED);
    if ((rc = start_session(s, r, err)))
        return rc;
    /* A device cookie for this name (issued afresh with each sign-in): the next sign-in from
     * this browser is judged by its own count alone (throttle.c, docs/deploy.md). */
    char dev[THR_DEVICE_COOKIE];
    if (!cw_throttle_device_cookie(s, user, cw_time_now_ms(), dev))
        cw_resp_cookie_at(r, "cw_device", dev, "api/v1/session", 1, THR_DEVICE_MS / 1000);
    return CW_OK;
}

static cw_rc h_sign_out(cw_http_srv *s, req *r, cw_error *err)
{
    (void)err;
    cw_session_end(s, r->token);
    cw_resp_cookie(r, "cw_session", "", 1, 0);
    cw_resp_cookie(r, "cw_csrf", "", 0, 0);
    cw_resp_json(r, 200, json_pack("{s:s}", "status", "signed out"));
    return CW_OK;
}

static cw_rc h_me(cw_http_srv *s, req *r, cw_error *err)
{
    (void)err;
    cw_resp_json(r, 200, me_json(s, &r->who, NULL));
    return CW_OK;
}

/* The language the user reads caseward in: an account_changed entry, by themselves. */
static cw_rc h_language(cw_http_srv *s, req *r, cw_error *err)
{
    json_t *b;
    static const char *const fields[] = {"language", NULL};
    cw_rc rc = body_object(r, &b, err);
    if (rc || (rc = members(b, fields, err))) {
        json_decref(b);
        return rc;
    }
    char lang[3];
    snprintf(lang, sizeof lang, "%s", json_string_value(json_object_get(b, "language")));
    int ok = !strcmp(json_string_value(json_object_get(b, "language")), lang) &&
             (!strcmp(lang, "en") || !strcmp(lang, "cy"));
    json_decref(b);
    if (!ok)
        return cw_error_key(err, CW_EINVAL, "language", "language", NULL, NULL);
    pthread_mutex_lock(&s->write_mu);
    if (!(rc = cw_http_write_gate(s, err))) {
        rc = cw_account_set_language(s->writer, r->who.actor, r->who.username, lang, err);
        cw_http_write_done(s);
    }
    pthread_mutex_unlock(&s->write_mu);
    if (rc)
        return rc;
    memcpy(r->who.language, lang, sizeof lang);
    if (r->by_cookie)
        cw_session_keep(s, r->token, &r->who);
    int found;
    r->lang = cw_lang_accept(lang, &found);
    cw_resp_json(r, 200, me_json(s, &r->who, NULL));
    return CW_OK;
}

static cw_rc h_password(cw_http_srv *s, req *r, cw_error *err)
{
    json_t *b;
    static const char *const fields[] = {"current_password", "new_password", NULL};
    cw_rc rc = body_object(r, &b, err);
    if (rc || (rc = members(b, fields, err))) {
        json_decref(b);
        return rc;
    }
    const char *cur = json_string_value(json_object_get(b, "current_password"));
    const char *pw = json_string_value(json_object_get(b, "new_password"));
    cw_account a;
    char hash[CW_PASSWORD_HASH_MAX];
    cw_addr addr;
    thr_ticket tk;
    int64_t wait_s;
    cw_client_addr(s, r, &addr);
    /* Guessing the current password through a stolen session is throttled like a sign-in. */
    if ((rc = cw_throttle_check(s, r->who.username, &addr, NULL, &tk, &wait_s, err))) {
        json_decref(b);
        return rc == CW_ELIMIT ? signin_throttled(s, r, r->who.username, &addr, &tk, wait_s) : rc;
    }
    if (!(rc = cw_account_get(cw_ledger_store(r->ro), r->who.username, &a, err)) &&
        !(a.found && cw_password_verify(a.password, cur))) {
        rc = cw_error_key(err, CW_EFORBIDDEN, "current_password_wrong", "current_password", NULL,
                          NULL);
        cw_throttle_failed(s, r->who.username, &addr, tk.now_ms);
        cw_http_record_access(s, r, NULL, 0, 403);
    } else if (!rc) {
        cw_throttle_ok(s, r->who.username, &addr, &tk);
    } else {
        cw_throttle_undo(s, r->who.username, &addr, &tk); /* the store failed: no verdict */
    }
    if (!rc && !strcmp(cur, pw))
        rc = cw_error_key(err, CW_EINVAL, "password_same", "new_password", NULL, NULL);
    /* The slow hash before the writer's lock, which every other write waits on. */
    if (!rc && !(rc = cw_password_check_policy(r->who.username, pw, err)) &&
        !(rc = cw_password_hash(pw, hash, err))) {
        pthread_mutex_lock(&s->write_mu);
        if (!(rc = cw_http_write_gate(s, err))) {
            rc = cw_account_store_password(s->writer, r->who.actor, r->who.username, hash, false,
                                           err);
            cw_http_write_done(s);
        }
        pthread_mutex_unlock(&s->write_mu);
        sodium_memzero(hash, sizeof hash);
    }
    /* the policy names "password": this request calls it new_password */
    if ((rc == CW_EINVAL || rc == CW_ETOOBIG) && !strcmp(err->field, "password"))
        cw_error_rename_field(err, "new_password");
    json_decref(b);
    if (rc)
        return rc;
    /* Every session of the account ends; this one starts again. */
    cw_session_end_user(s, r->who.username);
    r->who.must_change = 0;
    return start_session(s, r, err);
}

/* ---- children ---- */

/*
 * For lists: 1 if who may see the child, 0 if the child stays out of the list, -1 on a
 * failure (*rc and, when err is given, err say what).
 */
static int visible(cw_ledger *ro, const principal *who, const char *child, cw_rc *rc, cw_error *err)
{
    cw_error e;
    *rc = cw_access_child(ro, who, child, 0, &e);
    if (*rc == CW_EFORBIDDEN || *rc == CW_ENOTFOUND) {
        *rc = CW_OK;
        return 0;
    }
    if (*rc && err)
        *err = e;
    return *rc ? -1 : 1;
}

/* The children list comes a page at a time: ?after=CHILD_ID&limit=N (default 500, at most
 * 5,000), in child_id order; "next" is the after= of the next page, or null at the end. */
#define PAGE_DEFAULT 500
#define PAGE_MAX     5000

typedef struct list_ctx {
    cw_ledger *ro;
    const principal *who;
    json_t *arr;
    size_t limit;
    char last[65];
    int more;
} list_ctx;

static cw_rc list_row(void *ctx, const cw_value *c, size_t n)
{
    list_ctx *lc = ctx;
    char id[65], dob[16], worker[65], status[16], given[101], family[101];
    if (n < 6 || cw_value_copy(&c[0], id, sizeof id) <= 0)
        return CW_OK;
    if (json_array_size(lc->arr) >= lc->limit) {
        lc->more = 1;
        return CW_EEXIST; /* the page is full: stop reading */
    }
    cw_value_copy(&c[1], dob, sizeof dob);
    cw_value_copy(&c[2], worker, sizeof worker);
    cw_value_copy(&c[3], status, sizeof status);
    cw_value_copy(&c[4], given, sizeof given);
    cw_value_copy(&c[5], family, sizeof family);
    cw_rc rc;
    if (visible(lc->ro, lc->who, id, &rc, NULL) <= 0)
        return rc;
    json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "child_id", id, "given_name", given,
                             "family_name", family, "date_of_birth", dob, "worker_id",
                             worker[0] ? worker : NULL, "case_status", status);
    if (!item || json_array_append_new(lc->arr, item))
        return CW_ENOMEM;
    memcpy(lc->last, id, sizeof id);
    return CW_OK;
}

static cw_rc h_children(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    const char *after = query(r, "after");
    uint64_t limit = PAGE_DEFAULT;
    if (query(r, "limit")) {
        cw_rc rc = query_u64(r, "limit", &limit, err);
        if (rc)
            return rc;
        if (limit < 1 || limit > PAGE_MAX)
            return cw_error_key(err, CW_EINVAL, "limit_range", "limit", CW_NUM(PAGE_MAX), NULL);
    }
    if (after && strlen(after) > 64)
        return cw_error_key(err, CW_EINVAL, "not_child_id", "after", NULL, NULL);
    list_ctx lc = {r->ro, &r->who, json_array(), (size_t)limit, "", 0};
    if (!lc.arr)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_value k = cw_text(after ? after : "");
    cw_rc rc =
        cw_store_run(cw_ledger_store(r->ro), CW_Q_CHILDREN_AFTER, &k, 1, list_row, &lc, NULL, err);
    if (rc == CW_EEXIST)
        rc = CW_OK;
    else if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    if (rc) {
        json_decref(lc.arr);
        return rc;
    }
    cw_resp_json(r, 200,
                 json_pack("{s:o, s:s?}", "children", lc.arr, "next", lc.more ? lc.last : NULL));
    return CW_OK;
}

static cw_rc record_row(void *ctx, const cw_value *c, size_t n)
{
    static const char *const names[] = {
        "child_id",       "given_name",    "family_name",    "date_of_birth",      "gender",
        "ethnicity",      "language",      "address",        "restricted",         "worker_id",
        "case_status",    "cp_category",   "cp_since",       "looked_after_since", "placement_id",
        "placement_type", "last_activity", "family_language"};
    json_t *o = ctx;
    for (size_t i = 0; i < n && i < sizeof names / sizeof names[0]; i++) {
        json_t *v = c[i].type == CW_V_INT ? (i == 8 ? json_boolean(c[i].i) : json_integer(c[i].i))
                    : c[i].type == CW_V_TEXT ? json_stringn(c[i].s, c[i].len)
                                             : json_null();
        json_object_set_new(o, names[i], v);
    }
    return CW_OK;
}

static cw_rc h_child(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    json_t *o = json_object();
    cw_value k = cw_text(r->param[0]);
    cw_rc rc =
        o ? cw_store_run(cw_ledger_store(r->ro), CW_Q_CHILD_RECORD, &k, 1, record_row, o, NULL, err)
          : CW_ENOMEM;
    if (!rc && json_object_size(o) == 0)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_child_id", "id", r->param[0], NULL);
    if (rc) {
        json_decref(o);
        return rc;
    }
    cw_resp_json(r, 200, o);
    return CW_OK;
}

static json_t *day_or_null(cw_date d)
{
    char b[CW_DATE_LEN + 1];
    if (!d)
        return json_null();
    cw_date_format(d, b);
    return json_string(b);
}

static json_t *signoff_json(const cw_signoff *so)
{
    return json_pack(
        "{s:I, s:s, s:s?, s:s, s:o, s:s, s:s?, s:o, s:o}", "entry", (json_int_t)so->idx, "kind",
        so->kind, "child_id", so->child[0] ? so->child : NULL, "submitted_by", so->submitted_by,
        "submitted_on", day_or_null(so->submitted_on), "state", so->state, "decided_by",
        so->decided_by[0] ? so->decided_by : NULL, "decided_on", day_or_null(so->decided_on),
        "decided_entry", so->decided_idx >= 0 ? json_integer(so->decided_idx) : json_null());
}

static cw_rc h_chronology(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    cw_history h;
    cw_rc rc = cw_casework_history(r->ro, r->param[0], &h, err);
    if (rc)
        return rc;
    json_t *arr = cw_report_chronology(&h);
    cw_casework_history_release(&h);
    if (!arr)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    /* Each entry's version (what a change must name as based_on) and its sign-off. */
    cw_store *st = cw_ledger_store(r->ro);
    for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        uint64_t idx = (uint64_t)json_integer_value(json_object_get(e, "index")), version;
        cw_signoff so;
        if ((rc = cw_casework_version(st, idx, &version, &so, err)))
            break;
        json_object_set_new(e, "version", json_integer((json_int_t)version));
        if (so.found && strcmp(so.state, "not_needed") != 0)
            json_object_set_new(e, "sign_off", signoff_json(&so));
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    cw_resp_json(r, 200, json_pack("{s:s, s:o}", "child_id", r->param[0], "chronology", arr));
    return CW_OK;
}

static cw_rc h_obligations(cw_http_srv *s, req *r, cw_error *err)
{
    cw_date as_of;
    cw_rc rc = query_date(r, &as_of, err);
    if (rc)
        return rc;
    cw_rule_results res;
    cw_rule_results_init(&res);
    if ((rc = cw_oversight_child(r->ro, s->pack, &s->cal, r->param[0], as_of, &res, err))) {
        cw_rule_results_release(&res);
        return rc;
    }
    json_t *ob = json_array(), *sg = json_array();
    int bad = !ob || !sg;
    for (size_t i = 0; !bad && i < res.nobligations; i++)
        bad = json_array_append_new(ob, cw_report_obligation(r->param[0], &res.obligations[i]));
    for (size_t i = 0; !bad && i < res.nsignals; i++)
        bad = json_array_append_new(sg, cw_report_signal(r->param[0], &res.signals[i]));
    cw_rule_results_release(&res);
    if (bad) { /* never a 200 with part of the answer */
        json_decref(ob);
        json_decref(sg);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    char d[CW_DATE_LEN + 1];
    cw_date_format(as_of, d);
    cw_resp_json(r, 200,
                 json_pack("{s:s, s:s, s:o, s:o}", "child_id", r->param[0], "as_of", d,
                           "obligations", ob, "signals", sg));
    return CW_OK;
}

static cw_rc access_row(void *ctx, const cw_value *c, size_t n)
{
    json_t *arr = ctx;
    if (n < 5)
        return CW_EVERIFY;
    json_array_append_new(arr,
                          json_pack("{s:I, s:s%, s:s%, s:b, s:s%}", "index", (json_int_t)c[0].i,
                                    "actor", c[1].s, c[1].len, "what", c[2].s, c[2].len, "allowed",
                                    (int)c[3].i, "at", c[4].s, c[4].len));
    return CW_OK;
}

static cw_rc h_access_log(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    json_t *arr = json_array();
    cw_value k = cw_text(r->param[0]);
    cw_rc rc = arr ? cw_store_run(cw_ledger_store(r->ro), CW_Q_RECORD_ACCESS_OF_CHILD, &k, 1,
                                  access_row, arr, NULL, err)
                   : CW_ENOMEM;
    if (rc) {
        json_decref(arr);
        return rc;
    }
    cw_resp_json(r, 200, json_pack("{s:s, s:o}", "child_id", r->param[0], "access_log", arr));
    return CW_OK;
}

/* ---- caseloads, overdue work and signals ---- */

/* A child's line in a caseload: the next due work, what is overdue, the signals. */
static cw_rc caseload_item(cw_http_srv *s, req *r, const cw_value *c, cw_date as_of, json_t *arr,
                           cw_error *err)
{
    char child[65], worker[65], status[16], given[101], family[101], dob[16], lang[16], flang[16];
    cw_value_copy(&c[6], lang, sizeof lang);   /* the child's language (the Active Offer) */
    cw_value_copy(&c[7], flang, sizeof flang); /* ... and the family's, if recorded */
    cw_value_copy(&c[0], child, sizeof child);
    cw_value_copy(&c[1], worker, sizeof worker);
    cw_value_copy(&c[2], status, sizeof status);
    cw_value_copy(&c[3], given, sizeof given);
    cw_value_copy(&c[4], family, sizeof family);
    cw_value_copy(&c[5], dob, sizeof dob);
    cw_rule_results res;
    cw_rule_results_init(&res);
    cw_rc rc = cw_oversight_child(r->ro, s->pack, &s->cal, child, as_of, &res, err);
    if (rc) {
        cw_rule_results_release(&res);
        return rc;
    }
    const cw_obligation *next = NULL;
    int overdue = 0;
    /* What is overdue and what is signalled, by name: a worker needs to see which visit is
     * late, not only that something is. */
    json_t *late = json_array(), *raised = json_array();
    for (size_t i = 0; i < res.nobligations; i++) {
        const cw_obligation *o = &res.obligations[i];
        if (o->state == CW_OBLIGATION_OVERDUE) {
            overdue++;
            json_array_append_new(late, cw_report_obligation(child, o));
        }
        if ((o->state == CW_OBLIGATION_OPEN || o->state == CW_OBLIGATION_OVERDUE) &&
            (!next || o->due < next->due))
            next = o;
    }
    for (size_t i = 0; i < res.nsignals; i++)
        json_array_append_new(raised, cw_report_signal(child, &res.signals[i]));
    json_t *item = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:i, s:i, s:o, s:o, s:o}", "child_id", child,
        "given_name", given, "family_name", family, "date_of_birth", dob, "language", lang,
        "family_language", flang[0] ? flang : NULL, "worker_id", worker[0] ? worker : NULL,
        "case_status", status, "overdue", overdue, "signals", (int)res.nsignals, "next_due",
        next ? cw_report_obligation(child, next) : json_null(), "overdue_work",
        late ? late : json_null(), "signals_raised", raised ? raised : json_null());
    cw_rule_results_release(&res);
    if (!item || json_array_append_new(arr, item))
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return CW_OK;
}

typedef struct caseload_ctx {
    cw_http_srv *s;
    req *r;
    cw_date as_of;
    json_t *arr;
    cw_error *err;
} caseload_ctx;

static cw_rc caseload_row(void *ctx, const cw_value *c, size_t n)
{
    caseload_ctx *cc = ctx;
    char child[65], status[16];
    if (n < 8 || cw_value_copy(&c[0], child, sizeof child) <= 0)
        return CW_OK;
    cw_value_copy(&c[2], status, sizeof status);
    if (strcmp(status, "open") != 0)
        return CW_OK;
    /* A restricted record stays out of a list for anyone not entitled to it. */
    cw_rc rc;
    if (visible(cc->r->ro, &cc->r->who, child, &rc, cc->err) <= 0)
        return rc;
    return caseload_item(cc->s, cc->r, c, cc->as_of, cc->arr, cc->err);
}

/* The open cases q finds for key (a worker, a team; NULL: q takes no key), in scope, each
 * with its due work and signals. */
static cw_rc caseload(cw_http_srv *s, req *r, cw_query q, const char *key, cw_error *err)
{
    caseload_ctx cc = {s, r, 0, json_array(), err};
    cw_rc rc = query_date(r, &cc.as_of, err);
    if (!rc && !cc.arr)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_value k = cw_text(key ? key : "");
    if (!rc)
        rc = cw_store_run(cw_ledger_store(r->ro), q, key ? &k : NULL, key ? 1 : 0, caseload_row,
                          &cc, NULL, err);
    if (rc) {
        json_decref(cc.arr);
        return rc;
    }
    char d[CW_DATE_LEN + 1];
    cw_date_format(cc.as_of, d);
    cw_resp_json(r, 200,
                 json_pack("{s:s, s:s?, s:o}", "as_of", d, "owner", key, "caseload", cc.arr));
    return CW_OK;
}

static cw_rc h_my_caseload(cw_http_srv *s, req *r, cw_error *err)
{
    return caseload(s, r, CW_Q_CHILDREN_OF_WORKER, r->who.staff_id, err);
}

/* Open cases no one holds: at the front door, waiting for a manager to allocate them. */
static cw_rc h_unallocated(cw_http_srv *s, req *r, cw_error *err)
{
    return caseload(s, r, CW_Q_CHILDREN_UNALLOCATED, NULL, err);
}

static cw_rc h_team_caseload(cw_http_srv *s, req *r, cw_error *err)
{
    const char *team = r->param[0];
    char area[101];
    int found;
    cw_rc rc = cw_team_area(r->ro, team, area, &found, err);
    if (rc)
        return rc;
    if (!found)
        return cw_error_key(err, CW_ENOTFOUND, "no_team", "team", team, NULL);
    if ((rc = cw_access_team(r->ro, &r->who, team, area, err))) {
        if (rc == CW_EFORBIDDEN)
            cw_http_record_access(s, r, NULL, 0, 403);
        return rc;
    }
    return caseload(s, r, CW_Q_CHILDREN_OF_TEAM, team, err);
}

typedef struct across_ctx {
    cw_http_srv *s;
    req *r;
    int signals;
    cw_date as_of;
    json_t *arr;
} across_ctx;

static cw_rc name_row(void *ctx, const cw_value *c, size_t n)
{
    static const char *const names[] = {"given_name", "family_name", "worker_id"};
    for (size_t i = 0; i < n && i < 3; i++)
        if (json_object_set_new(ctx, names[i],
                                c[i].type == CW_V_TEXT ? json_stringn(c[i].s, c[i].len)
                                                       : json_null()))
            return CW_ENOMEM;
    return CW_OK;
}

static cw_rc across_child(void *ctx, const char *child, const cw_rule_results *res)
{
    across_ctx *ac = ctx;
    size_t n = ac->signals ? res->nsignals : res->nobligations;
    int any = 0;
    for (size_t i = 0; i < n && !any; i++)
        any = ac->signals ||
              cw_rules_outstanding(ac->s->pack, &ac->s->cal, &res->obligations[i], ac->as_of);
    if (!any)
        return CW_OK;
    cw_rc rc;
    if (visible(ac->r->ro, &ac->r->who, child, &rc, NULL) <= 0)
        return rc; /* not in scope: left out */
    /* Who the child is and who holds the case, as the caseloads say: a manager's list of
     * what is overdue is read by name. */
    json_t *who = json_object();
    cw_value k = cw_text(child);
    if (!who || (rc = cw_store_run(cw_ledger_store(ac->r->ro), CW_Q_CHILD_NAME, &k, 1, name_row,
                                   who, NULL, NULL))) {
        json_decref(who);
        return who ? rc : CW_ENOMEM;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *item =
            ac->signals ? cw_report_signal(child, &res->signals[i])
            : cw_rules_outstanding(ac->s->pack, &ac->s->cal, &res->obligations[i], ac->as_of)
                ? cw_report_obligation(child, &res->obligations[i])
                : NULL;
        if (item && (json_object_update(item, who) || json_array_append_new(ac->arr, item)))
            rc = CW_ENOMEM;
    }
    json_decref(who);
    return rc;
}

static cw_rc across(cw_http_srv *s, req *r, int signals, cw_error *err)
{
    cw_date as_of;
    cw_rc rc = query_date(r, &as_of, err);
    if (rc)
        return rc;
    across_ctx ac = {s, r, signals, as_of, json_array()};
    if (!ac.arr)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    if ((rc = cw_oversight_all(r->ro, s->pack, &s->cal, as_of, across_child, &ac, err))) {
        json_decref(ac.arr);
        return rc;
    }
    char d[CW_DATE_LEN + 1];
    cw_date_format(as_of, d);
    cw_resp_json(r, 200,
                 json_pack("{s:s, s:o}", "as_of", d, signals ? "signals" : "overdue", ac.arr));
    return CW_OK;
}

/* ---- integrity analytics (docs/integrity.md) ---- */

/* A required date parameter: name=YYYY-MM-DD. */
static cw_rc query_named_date(req *r, const char *name, cw_date *out, cw_error *err)
{
    const char *v = query(r, name);
    if (!v)
        return cw_error_key(err, CW_EINVAL, "param_date_required", name, NULL, NULL);
    if (cw_date_parse(v, strlen(v), out))
        return cw_error_key(err, CW_EINVAL, "param_date", name, NULL, NULL);
    return CW_OK;
}

/*
 * GET /api/v1/integrity?from=&to=[&team=]: the signs of manipulated data in the entries dated
 * from .. to. Each flag names only the children the reader may see (a restricted record stays
 * visible to heads of service and inspectors, so normally all), and every child the answer
 * names is a look at that child's record: recorded in the log, or the answer is withheld.
 */
static cw_rc h_integrity(cw_http_srv *s, req *r, cw_error *err)
{
    cw_integrity_opts o = {0, 0, query(r, "team")};
    cw_rc rc = query_named_date(r, "from", &o.from, err);
    if (!rc)
        rc = query_named_date(r, "to", &o.to, err);
    if (rc)
        return rc;
    if (o.from > o.to)
        return cw_error_key(err, CW_EINVAL, "from_after_to", "from", NULL, NULL);
    if (o.team && (strlen(o.team) == 0 || strlen(o.team) > 64))
        return cw_error_key(err, CW_EINVAL, "not_team_id", "team", NULL, NULL);
    cw_integrity_report rep;
    cw_integrity_report_init(&rep);
    rc = cw_integrity_run(r->ro, s->pack, &s->cal, &o, &rep, err);
    json_t *j = NULL;
    /* the children named, once each, and only those the reader may see */
    char(*seen)[65] = NULL;
    size_t nseen = 0, capseen = 0;
    for (size_t i = 0; !rc && i < rep.nflags; i++) {
        cw_integrity_flag *f = &rep.flags[i];
        int16_t now_at[CW_INTEGRITY_MAX_LISTED]; /* each child's new place, or -1 */
        size_t keep = 0;
        for (size_t k = 0; !rc && k < f->nchildren; k++) {
            now_at[k] = -1;
            if (visible(r->ro, &r->who, f->children[k], &rc, err) <= 0)
                continue;
            if (keep != k)
                memcpy(f->children[keep], f->children[k], sizeof f->children[k]);
            now_at[k] = (int16_t)keep++;
        }
        if (rc)
            break;
        f->nchildren = keep; /* entries and figures name no one and stay */
        for (size_t e = 0; e < f->nentries; e++)
            if (f->entry_child[e] >= 0)
                f->entry_child[e] = now_at[f->entry_child[e]];
        for (size_t k = 0; !rc && k < keep; k++) {
            size_t q = 0;
            while (q < nseen && strcmp(seen[q], f->children[k]))
                q++;
            if (q < nseen)
                continue;
            if (cw_array_grow(&seen, &capseen, nseen, sizeof *seen))
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            else
                memcpy(seen[nseen++], f->children[k], sizeof seen[0]);
        }
    }
    if (!rc && cw_integrity_json(&rep, &j))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    char detail[64];
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
    cw_date_format(o.from, a);
    cw_date_format(o.to, b);
    snprintf(detail, sizeof detail, "from=%s&to=%s", a, b);
    for (size_t q = 0; !rc && q < nseen; q++)
        if (cw_http_record_access_detail(s, r, seen[q], 1, 200, detail) != CW_OK)
            rc = cw_error_set(err, CW_EIO, "the look could not be recorded");
    if (!rc)
        cw_resp_json(r, 200, j);
    else
        json_decref(j);
    free(seen);
    cw_integrity_report_release(&rep);
    return rc;
}

static cw_rc h_overdue(cw_http_srv *s, req *r, cw_error *err)
{
    return across(s, r, 0, err);
}

static cw_rc h_signals(cw_http_srv *s, req *r, cw_error *err)
{
    return across(s, r, 1, err);
}

/* ---- staff and teams ---- */

static cw_rc rows_json(void *ctx, const cw_value *c, size_t n)
{
    json_t **a = ctx; /* a[0]: the array, a[1]: the column names (an array of strings) */
    json_t *o = json_object();
    if (!o)
        return CW_ENOMEM;
    for (size_t i = 0; i < n && i < json_array_size(a[1]); i++)
        json_object_set_new(o, json_string_value(json_array_get(a[1], i)),
                            c[i].type == CW_V_TEXT  ? json_stringn(c[i].s, c[i].len)
                            : c[i].type == CW_V_INT ? json_integer(c[i].i)
                                                    : json_null());
    return json_array_append_new(a[0], o) ? CW_ENOMEM : CW_OK;
}

static cw_rc list(req *r, cw_query q, const char *key, json_t *names, cw_error *err)
{
    json_t *a[2] = {json_array(), names};
    cw_rc rc = a[0] && names
                   ? cw_store_run(cw_ledger_store(r->ro), q, NULL, 0, rows_json, a, NULL, err)
                   : CW_ENOMEM;
    json_decref(names);
    if (rc) {
        json_decref(a[0]);
        return rc == CW_ENOMEM ? cw_error_set(err, rc, "out of memory") : rc;
    }
    cw_resp_json(r, 200, json_pack("{s:o}", key, a[0]));
    return CW_OK;
}

static cw_rc h_staff(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    json_t *staff[2] = {json_array(), json_pack("[s,s,s,s,s,s]", "staff_id", "name", "role",
                                                "team_id", "manager_id", "left_on")};
    json_t *deps[2] = {json_array(), json_pack("[s,s,s]", "manager_id", "deputy_id", "until")};
    cw_store *st = cw_ledger_store(r->ro);
    cw_rc rc = staff[0] && staff[1] && deps[0] && deps[1] ? CW_OK : CW_ENOMEM;
    if (!rc)
        rc = cw_store_run(st, CW_Q_STAFF_LIST, NULL, 0, rows_json, staff, NULL, err);
    /* Named deputies (deputy_named): who may sign off in a manager's place, until when. */
    if (!rc)
        rc = cw_store_run(st, CW_Q_DEPUTIES_ALL, NULL, 0, rows_json, deps, NULL, err);
    json_decref(staff[1]);
    json_decref(deps[1]);
    if (rc) {
        json_decref(staff[0]);
        json_decref(deps[0]);
        return rc == CW_ENOMEM ? cw_error_set(err, rc, "out of memory") : rc;
    }
    cw_resp_json(r, 200, json_pack("{s:o, s:o}", "staff", staff[0], "deputies", deps[0]));
    return CW_OK;
}

static cw_rc h_teams(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    return list(r, CW_Q_TEAMS_ALL, "teams", json_pack("[s,s,s]", "team_id", "name", "service_area"),
                err);
}

/* ---- sign-off ---- */

typedef struct pending_ctx {
    cw_ledger *ro;
    const principal *who;
    cw_date today;
    json_t *mine, *theirs;
    cw_rc rc;
    cw_error *err;
} pending_ctx;

static cw_rc pending_row(void *ctx, const cw_value *c, size_t n)
{
    pending_ctx *pc = ctx;
    char child[65] = "", by[65] = "";
    if (n < 5 || c[0].type != CW_V_INT)
        return CW_EDB;
    cw_value_copy(&c[1], child, sizeof child);
    cw_value_copy(&c[3], by, sizeof by);
    int mine = !strcmp(by, pc->who->staff_id);
    if (!mine && cw_casework_may_sign_off(cw_ledger_store(pc->ro), (uint64_t)c[0].i,
                                          pc->who->staff_id, pc->today, NULL) != CW_OK)
        return CW_OK;
    cw_rc rc = CW_OK;
    if (child[0] && visible(pc->ro, pc->who, child, &rc, pc->err) <= 0)
        return rc;
    cw_signoff so;
    uint64_t version;
    cw_value k = cw_text(child);
    cw_store *st = cw_ledger_store(pc->ro);
    if ((rc = cw_casework_version(st, (uint64_t)c[0].i, &version, &so, pc->err)))
        return rc;
    json_t *item = signoff_json(&so);
    if (!item)
        return CW_ENOMEM;
    json_object_set_new(item, "version", json_integer((json_int_t)version));
    if (child[0] &&
        (rc = cw_store_run(st, CW_Q_CHILD_NAME, &k, 1, name_row, item, NULL, pc->err))) {
        json_decref(item);
        return rc;
    }
    return json_array_append_new(mine ? pc->mine : pc->theirs, item) ? CW_ENOMEM : CW_OK;
}

/* The erasures proposed and decided, for the data protection officer to decide. */
static cw_rc h_erasures(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    json_t *arr;
    cw_rc rc = cw_casework_erasures(r->ro, &arr, err);
    if (rc)
        return rc;
    cw_resp_json(r, 200, json_pack("{s:o}", "erasures", arr));
    return CW_OK;
}

/* Access changes proposed (docs/events.md, "Two-person rule"), for the people who decide them:
 * a restriction's only to those who may see its child's record, an inspector's account only to
 * administrators, the head of service and the director. */
static cw_rc h_access_changes(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    json_t *all = NULL, *mine = json_array();
    cw_rc rc =
        mine ? cw_casework_access_changes(r->ro, (cw_date)(cw_time_now_ms() / 86400000), &all, err)
             : cw_error_set(err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < json_array_size(all); i++) {
        json_t *item = json_array_get(all, i);
        const char *child =
            json_string_value(json_object_get(json_object_get(item, "to"), "child_id"));
        cw_error quiet;
        memset(&quiet, 0, sizeof quiet);
        if (child && cw_access_child_as(r->ro, &r->who, child, 0, 0, &quiet) != CW_OK)
            continue;
        /* An inspector's account: for those who decide it (an administrator, the head of
         * service, the director), not for managers. */
        const char *change = json_string_value(json_object_get(item, "change"));
        if (change && !strcmp(change, "account_enabled") &&
            !(r->who.role & (R_ADMINISTRATOR | R_HEAD_OF_SERVICE)))
            continue;
        if (json_array_append(mine, item))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    json_decref(all);
    if (rc) {
        json_decref(mine);
        return rc;
    }
    cw_resp_json(r, 200,
                 json_pack("{s:o, s:i}", "access_changes", mine, "expire_after_days",
                           CW_ACCESS_CHANGE_DAYS));
    return CW_OK;
}

static cw_rc h_sign_offs(cw_http_srv *s, req *r, cw_error *err)
{
    (void)s;
    pending_ctx pc = {r->ro,        &r->who,      (cw_date)(cw_time_now_ms() / 86400000),
                      json_array(), json_array(), CW_OK,
                      err};
    cw_rc rc = pc.mine && pc.theirs ? cw_store_run(cw_ledger_store(r->ro), CW_Q_SIGNOFFS_PENDING,
                                                   NULL, 0, pending_row, &pc, NULL, err)
                                    : CW_ENOMEM;
    /* Your own work a manager returned, waiting for you to put it right. */
    pending_ctx back = pc;
    back.mine = json_array();
    cw_value me = cw_text(r->who.staff_id);
    if (!rc)
        rc = back.mine ? cw_store_run(cw_ledger_store(r->ro), CW_Q_SIGNOFFS_RETURNED, &me, 1,
                                      pending_row, &back, NULL, err)
                       : CW_ENOMEM;
    if (rc == CW_ENOMEM)
        cw_error_set(err, rc, "out of memory");
    if (rc) {
        json_decref(pc.mine);
        json_decref(pc.theirs);
        json_decref(back.mine);
        return rc;
    }
    cw_resp_json(r, 200,
                 json_pack("{s:o, s:o, s:o}", "to_sign_off", pc.theirs, "submitted", pc.mine,
                           "returned", back.mine));
    return CW_OK;
}

/* For the handlers in other files (audits.c). */
const char *cw_http_query(req *r, const char *name)
{
    return query(r, name);
}

cw_rc cw_http_body_object(req *r, json_t **out, cw_error *err)
{
    return body_object(r, out, err);
}

/* ---- commands ---- */

int cw_http_reserved_type(const char *type)
{
    static const char *const r[] = {
        "account_created", "account_changed", "password_set", "token_created", "token_revoked",
        "record_accessed", "sign_in_spray_detected", "escalation_raised", "sign_off_policy",
        /* made by caseward from a framework and a draw */
        "audit_programme_created", "audit_sample_drawn", "audit_report_issued",
        /* made by caseward from the log: its content's SHA-256 and figures */
        "improve_report_issued", NULL};
    for (size_t i = 0; r[i]; i++)
        if (!strcmp(r[i], type))
            return 1;
    return 0;
}

static int organisation(const char *type)
{
    return !strcmp(type, "team_created") || !strncmp(type, "staff_", 6) ||
           !strcmp(type, "deputy_named");
}

cw_rc cw_http_two_person(cw_store *st, const char *type, const json_t *p, cw_error *err)
{
    int casework = !strcmp(type, "case_allocated") || !strcmp(type, "case_transferred");
    if (!casework && strcmp(type, "staff_changed") != 0 && strcmp(type, "restriction_changed") != 0)
        return CW_OK;
    if (!casework && json_object_get(p, "proposal_id"))
        return cw_error_key(err, CW_EINVAL, "set_by_caseward", "proposal_id", NULL, NULL);
    int widens = 0;
    cw_rc rc = cw_casework_access_widens(st, type, p, &widens, err);
    if (!rc && widens)
        rc = casework ? cw_error_key(err, CW_EFORBIDDEN, "restricted_worker_not_named", "worker_id",
                                     json_string_value(json_object_get(p, "worker_id")), NULL)
                      : cw_error_key(err, CW_EFORBIDDEN, "access_needs_second", "type", NULL, NULL);
    return rc;
}

/*
 * What a signed-in person records is their own act (docs/api.md, "Sign-off"): nobody records
 * someone else's sign-off or decision, a supervision is its supervisor's or its supervisee's
 * to record, only a service manager or the head of service restricts a record, a manager
 * names only their own deputy, and a change to an existing entry names the version it was
 * based on.
 */
static cw_rc own_act(cw_http_srv *s, req *r, const char *type, json_t *p, cw_error *err)
{
    const char *me = r->who.staff_id;
    if (!strcmp(type, "assessment_completed") && json_object_get(p, "signed_off_by"))
        return cw_error_key(err, CW_EINVAL, "own_name_signoff", "signed_off_by", NULL, NULL);
    const char *dec = json_string_value(json_object_get(p, "decided_by"));
    if (!strcmp(type, "referral_decided") && json_object_get(p, "decided_by")) {
        if (!dec || strcmp(dec, me) != 0)
            return cw_error_key(err, CW_EINVAL, "decision_yours", "decided_by", NULL, NULL);
        json_object_del(p, "decided_by"); /* the actor already says who */
    }
    if (!strcmp(type, "supervision_held")) {
        const char *sup = json_string_value(json_object_get(p, "supervisor_id"));
        const char *sub = json_string_value(json_object_get(p, "supervisee_id"));
        if (!(sup && !strcmp(sup, me)) && !(sub && !strcmp(sub, me))) {
            cw_http_record_access(s, r, NULL, 0, 403);
            return cw_error_key(err, CW_EFORBIDDEN, "supervision_by_supervisor", "supervisor_id",
                                NULL, NULL);
        }
    }
    if ((!strcmp(type, "child_registered") &&
         (json_is_true(json_object_get(p, "restricted")) ||
          json_array_size(json_object_get(p, "restricted_to")))) ||
        !strcmp(type, "restriction_changed")) {
        if (!(r->who.role & (R_SERVICE_MANAGER | R_HEAD_OF_SERVICE))) {
            cw_http_record_access(s, r, json_string_value(json_object_get(p, "child_id")), 0, 403);
            return cw_error_key(err, CW_EFORBIDDEN, "restrict_senior", "restricted", NULL, NULL);
        }
    }
    if (!strcmp(type, "deputy_named") && !(r->who.role & (R_ADMINISTRATOR | R_HEAD_OF_SERVICE))) {
        const char *m = json_string_value(json_object_get(p, "manager_id"));
        if (!m || strcmp(m, me) != 0) {
            cw_http_record_access(s, r, NULL, 0, 403);
            return cw_error_key(err, CW_EFORBIDDEN, "own_deputy", "manager_id", NULL, NULL);
        }
    }
    int proposes_restriction =
        !strcmp(type, "access_change_proposed") && json_is_string(json_object_get(p, "change")) &&
        !strcmp(json_string_value(json_object_get(p, "change")), "restriction_changed");
    if ((!strcmp(type, "correction") || !strcmp(type, "work_signed_off") ||
         !strcmp(type, "work_returned") || !strcmp(type, "restriction_changed") ||
         proposes_restriction) &&
        !json_is_integer(json_object_get(p, "based_on")))
        return cw_error_key(err, CW_EINVAL, "based_on_required", "based_on", NULL, NULL);
    /* The two-person rule: checked here, and again by the writer against the state it writes
     * over (still_allowed, server.c), so that no change in between makes it widen unseen. */
    cw_rc rc = cw_http_two_person(cw_ledger_store(r->ro), type, p, err);
    if (rc == CW_EFORBIDDEN)
        cw_http_record_access(s, r, json_string_value(json_object_get(p, "child_id")), 0, 403);
    return rc;
}

static cw_rc h_command(cw_http_srv *s, req *r, cw_error *err)
{
    const char *type = r->param[0];
    if (!cw_casework_known_type(type) || cw_http_reserved_type(type))
        return cw_error_key(err, CW_ENOTFOUND, "not_a_command", "type", type, NULL);
    /* The organisation is the administrators' and heads of service's to record; casework is
     * staff's. Managers also name deputies (their own: own_act). */
    /* Erasures: staff propose, the data protection officer decides (the catalogue checks). */
    /* Legal holds: the head of service or the data protection officer, on any child's record
     * or every child's (the catalogue checks the staff role too). */
    /* Audits: staff and QA auditors (the catalogue checks who: the case's auditor, its
     * moderator, its managers for a critical finding). */
    int erasure = !strncmp(type, "erasure_", 8), hold = !strncmp(type, "legal_hold_", 11);
    int audit = !strncmp(type, "audit_", 6);
    int improve = cw_casework_is_improve(type);
    /* Access changes: administrators and managers propose and decide (the catalogue checks
     * who: docs/events.md, "Two-person rule"). */
    int access = !strncmp(type, "access_change_", 14);
    unsigned may = access || !strcmp(type, "deputy_named") ? R_ADMINISTRATOR | R_MANAGERS
                   : organisation(type)                    ? R_ADMINISTRATOR | R_HEAD_OF_SERVICE
                   : erasure                               ? R_STAFF | R_DATA_PROTECTION
                   : hold                                  ? R_HEAD_OF_SERVICE | R_DATA_PROTECTION
                   : audit                                 ? R_STAFF | R_QA_AUDITOR
                                                           : R_STAFF;
    if (!(r->who.role & may)) {
        cw_http_record_access(s, r, NULL, 0, 403);
        return cw_error_key(err, CW_EFORBIDDEN, "role_may_not_record", "role", type, NULL);
    }
    /* An auditor is a member of staff: the catalogue checks who they are and what they
     * manage. A role account without a staff record cannot audit. */
    if (audit && !r->who.staff_id[0]) {
        cw_http_record_access(s, r, NULL, 0, 403);
        return cw_error_key(err, CW_EFORBIDDEN, "audit_needs_staff", "role", NULL, NULL);
    }
    json_t *p;
    cw_rc rc = body_object(r, &p, err);
    if (rc)
        return rc;
    if ((rc = own_act(s, r, type, p, err)) ||
        (audit && (rc = cw_http_audit_command_check(r, type, p, err)))) {
        json_decref(p);
        return rc;
    }
    /* Write scope on every child the command is about (a new child has none yet). The
     * children are found in this request's snapshot of the record; a target not in it (an
     * entry or a record still being written) is refused here, never checked later by the
     * writer without scope. Once it exists, an entry's or a record's child never changes. */
    char ids[50][65];
    size_t n = 0;
    const json_t *corrects = json_object_get(p, "corrects");
    if (!strcmp(type, "correction") && json_is_integer(corrects) &&
        (json_integer_value(corrects) < 0 ||
         (uint64_t)json_integer_value(corrects) >= cw_ledger_size(r->ro))) {
        json_decref(p);
        return cw_error_key(err, CW_ENOTFOUND, "no_entry", "corrects",
                            CW_NUM(json_integer_value(corrects)), NULL);
    }
    if (strcmp(type, "child_registered") != 0 &&
        (rc = cw_casework_children(cw_ledger_store(r->ro), type, p, ids, 50, &n, err))) {
        json_decref(p);
        return rc;
    }
    /* A supervision is its supervisor's or its supervisee's to record (own_act), whatever
     * cases it discussed. About no child: organisation events (role-checked above), a
     * supervision (or the correction of one, by a party to it or a manager) that discussed no
     * case, or a decision on such a supervision. Anything else must name a record that
     * exists. */
    const char *sup = json_string_value(json_object_get(p, "supervisor_id"));
    const char *sub = json_string_value(json_object_get(p, "supervisee_id"));
    int party = (sup && !strcmp(sup, r->who.staff_id)) || (sub && !strcmp(sub, r->who.staff_id));
    /* A decision on work about no child (a supervision of no case): the catalogue checks
     * that the decider is its supervisor or above its recorder. */
    int decides = !strcmp(type, "work_signed_off") || !strcmp(type, "work_returned");
    if (decides && json_is_integer(json_object_get(p, "entry")) &&
        (json_integer_value(json_object_get(p, "entry")) < 0 ||
         (uint64_t)json_integer_value(json_object_get(p, "entry")) >= cw_ledger_size(r->ro))) {
        json_decref(p);
        return cw_error_key(err, CW_ENOTFOUND, "no_entry", "entry",
                            CW_NUM(json_integer_value(json_object_get(p, "entry"))), NULL);
    }
    /* Audit and improvement plan events are about no child's record (the catalogue checks who
     * records each). */
    /* A restriction's proposal is about its child (found above); its approval and rejection
     * are about no child's record, yet whoever decides needs write scope on that child too. */
    const char *pid = json_string_value(json_object_get(p, "proposal_id"));
    if (access && strcmp(type, "access_change_proposed") != 0 && pid && n < 50) {
        if ((rc = cw_casework_access_change_child(cw_ledger_store(r->ro), pid, ids[n], err))) {
            json_decref(p);
            return rc;
        }
        n += ids[n][0] != '\0';
    }
    if (n == 0 && strcmp(type, "child_registered") != 0 && !organisation(type) && !decides &&
        !hold && !audit && !improve && !access) {
        if (!strcmp(type, "supervision_held") || !strcmp(type, "correction")) {
            if (!party && !(r->who.role & R_MANAGERS)) {
                cw_http_record_access(s, r, NULL, 0, 403);
                json_decref(p);
                return cw_error_key(err, CW_EFORBIDDEN, "supervision_party", "role", NULL, NULL);
            }
        } else {
            json_decref(p);
            return cw_error_key(err, CW_ENOTFOUND, "no_child_or_record", "child_id", NULL, NULL);
        }
    }
    for (size_t i = 0; i < n && !cw_access_scope_free(&r->who, type); i++) {
        if ((rc = cw_access_child(r->ro, &r->who, ids[i], 1, err))) {
            if (rc == CW_EFORBIDDEN || rc == CW_ENOTFOUND)
                cw_http_record_access(s, r, ids[i], 0, cw_rc_http_status(rc));
            /* A decision on a proposal about a child the caller may not see is answered as
             * for no such proposal: the answer must not say which child it concerns. */
            if (access && pid && (rc == CW_EFORBIDDEN || rc == CW_ENOTFOUND))
                rc = cw_error_key(err, CW_ENOTFOUND, "no_access_change", "proposal_id", pid, NULL);
            json_decref(p);
            return rc;
        }
    }
    cw_event ev = {r->who.staff_id[0] ? r->who.staff_id : r->who.actor, type, p};
    uint64_t index = 0, size = 0;
    rc = cw_http_write_as(s, &r->who, &ev, &index, &size, err);
    if (rc == CW_EFORBIDDEN)
        cw_http_record_access(s, r, n ? ids[0] : NULL, 0, 403);
    /* Registering a child whose id is taken says that id exists: the probe is recorded. */
    if (rc == CW_EEXIST && !strcmp(type, "child_registered")) {
        const char *id = json_string_value(json_object_get(p, "child_id"));
        cw_error keep = *err;
        cw_http_record_access(s, r, id, 0, 409);
        *err = keep;
    }
    json_decref(p);
    if (rc)
        return rc;
    cw_resp_json(r, 201,
                 json_pack("{s:I, s:I}", "index", (json_int_t)index, "log_size", (json_int_t)size));
    return CW_OK;
}

/* ---- performance measures (docs/measures.md) ---- */

/* The period and scope of a measures request: from=&to= (both days included) or
 * period=fy2025|2025-q1|2025-04 (default: this financial year to today); team= or area=. */
static cw_rc measures_query(req *r, cw_measures_query *q, cw_error *err)
{
    const char *from = query(r, "from"), *to = query(r, "to"), *period = query(r, "period");
    memset(q, 0, sizeof *q);
    q->detail = -1;
    q->team = query(r, "team");
    q->area = query(r, "area");
    if (q->team && q->area)
        return cw_error_key(err, CW_EINVAL, "team_or_area", "team", NULL, NULL);
    if (q->team &&
        (strlen(q->team) > 64 || cw_utf8_check(q->team, strlen(q->team)) != strlen(q->team)))
        return cw_error_key(err, CW_EINVAL, "not_team_id", "team", NULL, NULL);
    if (q->area &&
        (strlen(q->area) > 100 || cw_utf8_check(q->area, strlen(q->area)) != strlen(q->area)))
        return cw_error_key(err, CW_EINVAL, "not_area", "area", NULL, NULL);
    const char *by = query(r, "by");
    if (by && strcmp(by, "team"))
        return cw_error_key(err, CW_EINVAL, "by_team_only", "by", NULL, NULL);
    if (period && (from || to))
        return cw_error_key(err, CW_EINVAL, "period_or_dates", "period", NULL, NULL);
    if (period)
        return cw_measures_period(period, &q->from, &q->to, err);
    if (!from && !to) {
        int y;
        unsigned m, d;
        q->to = (cw_date)(cw_time_now_ms() / 86400000);
        cw_date_to_ymd(q->to, &y, &m, &d);
        q->from = cw_date_from_ymd(m >= 4 ? y : y - 1, 4, 1);
        return CW_OK;
    }
    if (!from || cw_date_parse(from, strlen(from), &q->from))
        return cw_error_key(err, CW_EINVAL, "param_date", "from", NULL, NULL);
    if (!to || cw_date_parse(to, strlen(to), &q->to))
        return cw_error_key(err, CW_EINVAL, "param_date", "to", NULL, NULL);
    if (q->from > q->to)
        return cw_error_key(err, CW_EINVAL, "period_backwards", "to", NULL, NULL);
    return CW_OK;
}

/* The figures, two computations at a time (cw_http_srv.measuring). */
static cw_rc measure(cw_http_srv *s, req *r, const cw_measures_query *q, json_t **report,
                     cw_measures_result **res, cw_error *err)
{
    while (sem_wait(&s->measuring) != 0)
        ; /* interrupted: wait again */
    cw_rc rc = cw_measures_report(r->ro, s->measures, s->pack, &s->cal, q, report, res, err);
    sem_post(&s->measuring);
    return rc;
}

static json_t *definitions(const cw_measure_set *m)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < cw_measures_count(m); i++)
        if (json_array_append_new(arr, cw_measures_definition(m, i))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static cw_rc h_measures(cw_http_srv *s, req *r, cw_error *err)
{
    cw_measures_query q;
    json_t *report = NULL;
    cw_measures_result *res = NULL;
    cw_rc rc = measures_query(r, &q, err);
    if (!rc)
        rc = measure(s, r, &q, &report, &res, err);
    if (rc)
        return rc;
    /* by=team: the same figures for each team, to compare them */
    const char *by = query(r, "by");
    json_t *defs = definitions(s->measures);
    json_t *teams = by ? cw_measures_by_team(res) : NULL;
    cw_measures_result_free(res);
    if (!defs || json_object_set_new(report, "measure_definitions", defs) ||
        (by && (!teams || json_object_set_new(report, "by_team", teams)))) {
        json_decref(report);
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    cw_resp_json(r, 200, report);
    return CW_OK;
}

/* The signed report, as a file an inspector keeps and checks against an export. */
static cw_rc h_measures_report(cw_http_srv *s, req *r, cw_error *err)
{
    cw_measures_query q;
    json_t *report = NULL;
    cw_buf note = CW_BUF_INIT(CW_NOTE_MAX_BYTES);
    cw_rc rc = measures_query(r, &q, err);
    if (!rc)
        rc = measure(s, r, &q, &report, NULL, err);
    if (!rc)
        rc = cw_measures_sign(s->o.db, report, &note, err);
    if (!rc)
        cw_resp_text(r, 200, "text/plain; charset=utf-8", note.data, note.len);
    json_decref(report);
    cw_buf_release(&note);
    return rc;
}

/* One measure with the items behind it: those about children you may see, each with the
 * child and the log entries; the rest counted only. The look is recorded. */
static cw_rc h_measure(cw_http_srv *s, req *r, cw_error *err)
{
    cw_measures_query q;
    json_t *report = NULL;
    cw_measures_result *res = NULL;
    long i = cw_measures_find(s->measures, r->param[0]);
    if (i < 0)
        return cw_error_key(err, CW_ENOTFOUND, "no_measure", "measure", r->param[0],
                            cw_rules_name(s->pack));
    cw_rc rc = measures_query(r, &q, err);
    q.detail = i;
    if (!rc)
        rc = measure(s, r, &q, &report, &res, err);
    if (rc)
        return rc;
    const cw_measure_item *items;
    size_t n = cw_measures_items(res, &items), hidden = 0;
    json_t *arr = json_array(), *who = NULL;
    /* The items come in child order: a child's scope and name are read once, for their first
     * item, and kept for the rest of theirs. */
    const char *last = NULL;
    int v = 0;
    for (size_t k = 0; !rc && arr && k < n; k++) {
        if (!last || strcmp(last, items[k].child_id)) {
            last = items[k].child_id;
            json_decref(who);
            who = NULL;
            v = visible(r->ro, &r->who, last, &rc, err);
            cw_value key = cw_text(last);
            if (v > 0 && (who = json_object()) &&
                cw_store_run(cw_ledger_store(r->ro), CW_Q_CHILD_NAME, &key, 1, name_row, who, NULL,
                             NULL)) {
                json_decref(who);
                who = NULL;
            }
        }
        if (v <= 0) {
            hidden += v == 0;
            continue;
        }
        char d[CW_DATE_LEN + 1];
        cw_date_format(items[k].date, d);
        json_t *entries = json_array();
        for (int e = 0; entries && e < items[k].nentries; e++)
            json_array_append_new(entries, json_integer((json_int_t)items[k].entries[e]));
        json_t *it = json_pack("{s:s, s:s, s:o, s:b, s:s, s:I}", "child_id", items[k].child_id,
                               "date", d, "entries", entries ? entries : json_null(),
                               "in_numerator", items[k].in_numerator, "state", items[k].state,
                               "days", (json_int_t)items[k].value);
        if (it && who)
            json_object_update(it, who);
        if (!it || json_array_append_new(arr, it))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    json_decref(who);
    json_t *figure = NULL;
    const json_t *all = json_object_get(report, "measures");
    for (size_t k = 0; k < json_array_size(all) && !figure; k++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(all, k), "id")), r->param[0]))
            figure = json_incref(json_array_get(all, k));
    char detail[200], from[CW_DATE_LEN + 1], to[CW_DATE_LEN + 1];
    cw_date_format(q.from, from);
    cw_date_format(q.to, to);
    snprintf(detail, sizeof detail, "measure=%.64s&from=%s&to=%s", r->param[0], from, to);
    /* The items are about children: each child shown has the look in their access log (once
     * however many items are theirs; the items come in child order), or nothing is shown. */
    if (!rc && !arr)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    last = NULL;
    for (size_t k = 0; !rc && k < json_array_size(arr); k++) {
        const char *c = json_string_value(json_object_get(json_array_get(arr, k), "child_id"));
        if (c && (!last || strcmp(c, last)) &&
            cw_http_record_access_detail(s, r, c, 1, 200, detail) != CW_OK)
            rc = cw_error_set(err, CW_EIO, "the look could not be recorded, so nothing is shown");
        last = c;
    }
    if (!rc)
        cw_resp_json(r, 200,
                     json_pack("{s:o, s:O, s:O, s:s, s:s, s:o, s:I}", "definition",
                               cw_measures_definition(s->measures, (size_t)i), "figure",
                               figure ? figure : json_null(), "checkpoint",
                               json_object_get(report, "checkpoint"), "from", from, "to", to,
                               "items", json_incref(arr), "hidden", (json_int_t)hidden));
    json_decref(arr);
    json_decref(figure);
    json_decref(report);
    cw_measures_result_free(res);
    return rc;
}

/* ---- the table ---- */

#define MGR R_MANAGERS
const route cw_routes[] = {
    {"GET", "/healthz", h_healthz, 0, RF_NO_READER,
     "Liveness and integrity: the log's size, the read model's check; 503 once the log or the "
     "read model failed a check (writes are then refused until restart), and 503 with the "
     "reason while the storage fails (a full disk: writes are taken again once it works)"},
    {"GET", "/metrics", h_metrics, 0, 0, "Prometheus metrics (no personal data)"},
    {"GET", "/api/v1/openapi.json", h_openapi, 0, 0, "This document"},
    {"GET", "/api/v1/log/checkpoint", h_checkpoint, 0, 0,
     "The latest signed checkpoint (c2sp signed note)"},
    {"GET", "/api/v1/log/vkey", h_vkey, 0, 0, "The verifier key (c2sp vkey)"},
    {"GET", "/api/v1/log/proof/inclusion", h_inclusion, 0, 0,
     "RFC 9162 inclusion proof of entry index in the tree of size entries (base64, one hash a "
     "line)"},
    {"GET", "/api/v1/log/proof/consistency", h_consistency, 0, 0,
     "RFC 9162 consistency proof between sizes old and new (base64, one hash a line)"},
    {"GET", "/api/v1/log/entries", h_entries, R_HEAD_OF_SERVICE | R_INSPECTOR, 0,
     "Entries start to end (exclusive) as JSON Lines, the exact leaf bytes; recorded"},
    {"POST", "/api/v1/session", h_sign_in, 0, 0,
     "Sign in with username and password; sets the session cookie and returns the CSRF token"},
    {"DELETE", "/api/v1/session", h_sign_out, R_SIGNED_IN, RF_WRITE | RF_PASSWORD | RF_SESSION,
     "Sign out"},
    {"GET", "/api/v1/me", h_me, R_SIGNED_IN, RF_PASSWORD, "Who is signed in, and their role"},
    {"PUT", "/api/v1/me/password", h_password, R_SIGNED_IN, RF_WRITE | RF_PASSWORD | RF_SESSION,
     "Change your password (ends your other sessions)"},
    {"PUT", "/api/v1/me/language", h_language, R_SIGNED_IN, RF_WRITE | RF_PASSWORD,
     "Choose the language (en or cy) of your pages and of the server's messages; recorded"},
    {"GET", "/api/v1/children", h_children, R_CASE_READ, 0,
     "The children whose records you may see"},
    {"GET", "/api/v1/children/{id}", h_child, R_CASE_READ, RF_CHILD,
     "A child's record; recorded in the access log"},
    {"GET", "/api/v1/children/{id}/chronology", h_chronology, R_CASE_READ, RF_CHILD,
     "A child's events in date order, corrections beside what they corrected; recorded"},
    {"GET", "/api/v1/children/{id}/obligations", h_obligations, R_CASE_READ, RF_CHILD,
     "A child's obligations and signals as of as_of (default today); recorded"},
    {"GET", "/api/v1/children/{id}/access-log", h_access_log, MGR | R_INSPECTOR,
     RF_CHILD | RF_NO_AUDIT, "Who looked at this child's record, and who was refused"},
    {"GET", "/api/v1/caseload", h_my_caseload, R_STAFF, 0,
     "Your open cases, each with its next due work and its overdue and signal counts"},
    {"GET", "/api/v1/unallocated", h_unallocated, MGR | R_INSPECTOR, 0,
     "Open cases with no allocated worker, in your scope, with their due work and signals"},
    {"GET", "/api/v1/teams/{team}/caseload", h_team_caseload, MGR | R_INSPECTOR, 0,
     "A team's open cases by worker, each with its next due work and counts"},
    {"GET", "/api/v1/integrity", h_integrity, R_HEAD_OF_SERVICE | R_INSPECTOR, 0,
     "Signs of manipulated data in the entries dated from .. to (?from=&to=[&team=]): "
     "each flag with its pattern, explanation, entries, staff, team and children; recorded"},
    {"GET", "/api/v1/overdue", h_overdue, MGR | R_INSPECTOR, 0,
     "Overdue obligations on as_of (default today) across the children in your scope"},
    {"GET", "/api/v1/signals", h_signals, MGR | R_INSPECTOR, 0,
     "Safeguarding signals on as_of (default today) across the children in your scope"},
    {"GET", "/api/v1/staff", h_staff, R_SIGNED_IN, 0,
     "Staff: role, team, manager; and the named deputies who may sign off in a manager's place"},
    {"GET", "/api/v1/teams", h_teams, R_SIGNED_IN, 0, "Teams and their service areas"},
    {"GET", "/api/v1/erasures", h_erasures, R_DATA_PROTECTION | R_HEAD_OF_SERVICE, 0,
     "Every erasure of personal data proposed, the latest first: who proposed it, the lawful "
     "basis, why, and the decision (docs/privacy.md)"},
    {"GET", "/api/v1/access-changes", h_access_changes, R_ADMINISTRATOR | R_MANAGERS, 0,
     "Changes that widen who can see children's records, proposed by one person and awaiting a "
     "second (the two-person rule): each with what it changes, what that is now, who proposed "
     "it, when it expires and what became of it; a restriction's only if you may see the child, "
     "an inspector's account only for administrators, the head of service and the director"},
    {"GET", "/api/v1/sign-offs", h_sign_offs, R_STAFF, 0,
     "Work awaiting sign-off: what you may sign off, what you submitted, and what was returned "
     "to you"},
    {"GET", "/api/v1/measures", h_measures, R_CASE_READ, 0,
     "Performance measures for a period (from and to, or period=fy2025|2025-q1|2025-04; default "
     "this financial year) for the council, a team or an area, with the checkpoint they were "
     "computed at and every measure's definition; by=team adds each team's figures"},
    {"GET", "/api/v1/returns/{kind}", cw_http_returns, R_DATA_TEAM | R_HEAD_OF_SERVICE, 0,
     "A statutory return for the collection year ending 31 March of year (?year=YYYY; kind: "
     "cin, 903, annex-a, wales-lac; annex-a as at as_of=DATE, default 31 March): its counts, its "
     "files with "
     "their sizes and SHA-256, and its notes of what the log did not hold; with file=NAME, "
     "that file (docs/returns.md). Holds facts and UPNs, no narrative; recorded in the log"},
    {"GET", "/api/v1/measures-report", h_measures_report, R_HEAD_OF_SERVICE | R_INSPECTOR, 0,
     "The same figures as a report signed with the log's key (c2sp signed note), for caseward "
     "verify --dir EXPORT --measures REPORT"},
    {"GET", "/api/v1/measures/{measure}", h_measure, R_CASE_READ, 0,
     "One measure with the items behind its numerator and denominator: the children you may "
     "see and the log entries, the rest counted; recorded"},
    {"GET", "/api/v1/audits", cw_http_audits, R_CASE_READ, 0,
     "Case-file audit programmes, the latest first, and the cases drawn for you to audit or "
     "moderate in programmes running today (docs/audits.md)"},
    {"POST", "/api/v1/audits", cw_http_audit_create, MGR | R_QA_AUDITOR, RF_WRITE,
     "Create an audit programme from a framework (standard or ofsted): its themes and grades "
     "are recorded with it"},
    {"GET", "/api/v1/audit-frameworks/{framework}", cw_http_audit_framework, R_SIGNED_IN, 0,
     "An audit framework: its grades and themes, with the guidance for auditors, in English "
     "and Welsh"},
    {"GET", "/api/v1/audit-reports", cw_http_audit_reports, MGR | R_QA_AUDITOR | R_INSPECTOR, 0,
     "Every audit report ever issued, the latest first: who must acknowledge it, who has and "
     "when, and each recommendation's actions and their state"},
    {"GET", "/api/v1/audits/{programme}", cw_http_audit, R_CASE_READ, 0,
     "An audit programme: its figures, cases, auditors and, once issued, its report and what "
     "became of it (managers, QA auditors, inspectors and its auditors)"},
    {"POST", "/api/v1/audits/{programme}/sample", cw_http_audit_sample, MGR | R_QA_AUDITOR,
     RF_WRITE,
     "Draw a reproducible stratified random sample of cases for the programme ({size, minimum, "
     "seed, teams, case_types}); recorded with its seed"},
    {"GET", "/api/v1/audits/{programme}/report", cw_http_audit_report, R_CASE_READ, 0,
     "The issued report with the state of everything it started (format=json, html (printable) "
     "or csv; lang=en or cy)"},
    {"POST", "/api/v1/audits/{programme}/report", cw_http_audit_issue, MGR | R_QA_AUDITOR, RF_WRITE,
     "Issue the programme's report ({report_id, recipients, acknowledge_within}): its figures "
     "and the SHA-256 of its content go in the log"},
    {"GET", "/api/v1/children/{id}/audits", cw_http_child_audits, R_CASE_READ, RF_CHILD,
     "The case-file audits of a child's case: each theme's grade, narrative and evidence, by "
     "the auditor and the moderator; recorded"},
    {"GET", "/api/v1/improvement", cw_http_improvement, R_CASE_READ, 0,
     "Improvement plans after inspections: the inspections and the plans you may see, each "
     "with its deadline, counts and budget totals (yours only, filtered, if you own actions in "
     "a plan you do not oversee); no child is named, so nothing is recorded"},
    {"GET", "/api/v1/improvement/plans/{plan}", cw_http_improvement_plan, R_CASE_READ, 0,
     "An improvement plan on as_of (default today): recommendations, points and actions with "
     "their RAG ratings, counts, board, budget and inspection; editable says if you may change "
     "it (director, head of service, service managers, QA auditors, inspectors and its board "
     "read it in full; an action's owner reads their own actions)"},
    {"GET", "/api/v1/improvement/plans/{plan}/budget", cw_http_improvement_budget, R_CASE_READ, 0,
     "An improvement plan's budget in pence and pounds: its allocations, each action's "
     "committed, spent and variance, and every change of its money (who, when, why); for those "
     "who read the plan in full"},
    {"GET", "/api/v1/improvement/plans/{plan}/report", cw_http_improve_report, R_CASE_READ, 0,
     "The board's (kind=board) or the minister's (kind=minister) report on a plan for as_of "
     "(default today; the plan as it stood then): actions due, done and late, measures against "
     "targets with the signed measures report they came from, budget against spend, risks and "
     "dependencies, and its content_sha256; format=html|csv gives it printable "
     "(docs/improvement.md)"},
    {"POST", "/api/v1/improvement/plans/{plan}/report", cw_http_improve_issue, R_STAFF, RF_WRITE,
     "Issues the report ({kind, as_of, recipients}): improve_report_issued with its content's "
     "SHA-256 and figures, so the board can later prove what it was told; an editor of the plan "
     "only"},
    {"GET", "/api/v1/improvement/actions/{action}", cw_http_improvement_action, R_CASE_READ, 0,
     "An improvement action on as_of (default today): status, RAG rating and reason, "
     "dependencies, evidence and money; editable, owner and may_sign_off say what you may do"},
    {"POST", "/api/v1/commands/{type}", h_command,
     R_STAFF | R_ADMINISTRATOR | R_DATA_PROTECTION | R_QA_AUDITOR, RF_WRITE,
     "Record a casework command (docs/events.md); the body is its payload"},
};
const size_t cw_nroutes = sizeof cw_routes / sizeof cw_routes[0];
