/*
 * httptest.h — a tiny libcurl client for the server, and the fixture the
 * HTTP tests share (header-only: every test is one executable built from one
 * .c file, and includes this once).
 *
 * The fixture builds a small demo council (120 children, seed 9) in a fresh
 * directory under /tmp (its log there, or under tests/with-pg a new database on the
 * test server: tests/testdb.h) and picks from it, into F:
 *   sw           a social worker in post with an open, unrestricted case,
 *                whose team has a team manager in post
 *   team         that worker's team
 *   tm           a team manager in post of that team
 *   hos          the head of service
 *   child_own    that open case of sw's
 *   child_team   an unrestricted case of a colleague in the same team
 *   child_other  an unrestricted case of another team
 * ht_build returns the writer so the test can add accounts (account()) and
 * anything else it needs; it must close it before ht_start serves the log.
 * call() and REQ() talk to the server F.port; sign_in() signs in once.
 */
#ifndef CW_TESTS_HTTPTEST_H
#define CW_TESTS_HTTPTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>

#include "casework/accounts.h"
#include "casework/casework.h"
#include "demo/demo.h"
#include "http/http.h"
#include "ledger/ledger.h"
#include "util/buf.h"
#include "testdb.h"
#include "testutil.h"

#define PW "correct horse battery staple"

typedef struct fx {
    char dir[64], db[256]; /* db: a file, or a URI under tests/with-pg (tests/testdb.h) */
    cw_http *h;
    uint16_t port;
    /* from the demo */
    char child_own[65], child_team[65], child_other[65];
    char sw[65], tm[65], hos[65], team[65];
} fx;

static fx F;

/* ---- a tiny HTTP client ---- */

typedef struct resp {
    long status;
    cw_buf body;
    cw_buf head; /* every header line as received */
    char session[96], csrf[64];
    char set_cookie[2][400];
    int ncookies;
    json_t *json;
} resp;

static inline size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    resp *r = ctx;
    return cw_buf_add(&r->body, p, sz * n) ? 0 : sz * n;
}

static inline size_t on_header(char *p, size_t sz, size_t n, void *ctx)
{
    resp *r = ctx;
    size_t len = sz * n;
    if (cw_buf_add(&r->head, p, len))
        return 0;
    if (len > 12 && !strncasecmp(p, "Set-Cookie: ", 12) && r->ncookies < 2) {
        snprintf(r->set_cookie[r->ncookies], sizeof r->set_cookie[0], "%.*s", (int)(len - 12),
                 p + 12);
        char *v = r->set_cookie[r->ncookies++];
        if (!strncmp(v, "cw_session=", 11))
            sscanf(v + 11, "%95[^;]", r->session);
        else if (!strncmp(v, "cw_csrf=", 8))
            sscanf(v + 8, "%63[^;]", r->csrf);
    }
    return len;
}

/*
 * One request, its path sent exactly as given ("/css/../app.js" too); session, csrf and
 * header (each may be NULL) are sent as the cookie, the X-CSRF-Token header and more
 * whole header lines ("If-None-Match: ...", several separated by '\n').
 */
static inline void call_with(const char *method, const char *path, const char *body, size_t blen,
                             const char *sess, const char *csrf, const char *header, resp *out)
{
    memset(out, 0, sizeof *out);
    cw_buf_init(&out->body, 64 << 20);
    cw_buf_init(&out->head, 64 << 10);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[512], hdr[160], cookie[160];
    if (snprintf(url, sizeof url, "http://127.0.0.1:%u%.480s", (unsigned)F.port, path) >=
        (int)sizeof url)
        fail_msg("path too long for the test client: %.60s...", path);
    struct curl_slist *h = NULL;
    if (csrf) {
        snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, hdr);
    }
    /* several header lines, separated by '\n' */
    char lines[512];
    for (const char *p = header; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        snprintf(lines, sizeof lines, "%.*s", (int)(n < sizeof lines ? n : sizeof lines - 1), p);
        h = curl_slist_append(h, lines);
        p = nl ? nl + 1 : p + n;
    }
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
    }
    if (sess) {
        snprintf(cookie, sizeof cookie, "cw_session=%s", sess);
        curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (out->body.len && out->body.data[0] == '{')
        out->json = json_loadb(out->body.data, out->body.len, 0, NULL);
}

/* One request with an Authorization header (authorization: its value, or NULL). */
static inline void call_auth(const char *method, const char *path, const char *body, size_t blen,
                             const char *sess, const char *csrf, const char *authorization,
                             resp *out)
{
    char auth[160];
    if (authorization)
        snprintf(auth, sizeof auth, "Authorization: %s", authorization);
    call_with(method, path, body, blen, sess, csrf, authorization ? auth : NULL, out);
}

/* One request; session and csrf (may be NULL) are sent as the cookie and the header. */
static inline void call(const char *method, const char *path, const char *body, size_t blen,
                        const char *sess, const char *csrf, resp *out)
{
    call_auth(method, path, body, blen, sess, csrf, NULL, out);
}

static inline void done(resp *r)
{
    json_decref(r->json);
    cw_buf_release(&r->body);
    cw_buf_release(&r->head);
}

static inline void REQ(const char *method, const char *path, const char *body, const char *sess,
                       const char *csrf, resp *out)
{
    call(method, path, body, body ? strlen(body) : 0, sess, csrf, out);
}

/* The error object's member, or "". */
static inline const char *err_member(const resp *r, const char *name)
{
    const char *v = json_string_value(json_object_get(json_object_get(r->json, "error"), name));
    return v ? v : "";
}

static inline void expect_error(const resp *r, long status, const char *code, const char *field)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld: %.*s", r->status, status, (int)r->body.len,
                 r->body.data ? r->body.data : "");
    assert_string_equal(err_member(r, "code"), code);
    if (field)
        assert_string_equal(err_member(r, "field"), field);
    assert_true(strlen(err_member(r, "message")) > 5);
}

typedef struct who {
    char session[96], csrf[64];
} who;

static inline void sign_in(const char *user, const char *pw, who *w)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    resp r;
    REQ("POST", "/api/v1/session", body, NULL, NULL, &r);
    if (r.status != 200)
        fail_msg("sign in %s: %ld %.*s", user, r.status, (int)r.body.len, r.body.data);
    snprintf(w->session, sizeof w->session, "%s", r.session);
    snprintf(w->csrf, sizeof w->csrf, "%s",
             json_string_value(json_object_get(r.json, "csrf_token")));
    assert_string_equal(w->csrf, r.csrf); /* the cookie and the body agree */
    done(&r);
}

/* ---- fixture ---- */

/* The first column of the first row of q, read from F.db on either backend (which must have
 * one). */
static inline void ht_one(const char *q, char *out, size_t cap)
{
    tdb_one(F.db, q, out, cap);
}

/* The first column of the first row of q (which must have one), on an open SQLite handle. */
static inline void sql_one(sqlite3 *s, const char *q, char *out, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s, q, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q, sqlite3_errmsg(s));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("no row: %s", q);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/*
 * An account with the password PW, or (keep_one_time) only its one-time
 * password; expires_on (YYYY-MM-DD, the last day it works) may be NULL.
 */
static inline void account_expiring(cw_ledger *l, const char *user, const char *staff,
                                    const char *role, const char *expires_on, int keep_one_time)
{
    char one[21];
    cw_error err;
    if (cw_account_create(l, "cli", user, staff, role, expires_on, one, &err))
        fail_msg("account %s: %s", user, err.msg);
    if (!keep_one_time && cw_account_set_password(l, "cli", user, PW, false, &err))
        fail_msg("password %s: %s", user, err.msg);
}

static inline void account(cw_ledger *l, const char *user, const char *staff, const char *role,
                           int keep_one_time)
{
    account_expiring(l, user, staff, role, NULL, keep_one_time);
}

/* Records one command in its own batch through the catalogue (fixtures, before serving);
 * takes p. */
static inline void ht_submit(cw_ledger *l, const char *actor, const char *type, json_t *p)
{
    cw_error err;
    assert_non_null(p);
    cw_event ev = {actor, type, p};
    cw_rc rc = cw_casework_begin(l, &err);
    if (!rc) {
        if ((rc = cw_casework_submit(l, &ev, NULL, &err)))
            cw_casework_abort(l);
        else
            rc = cw_casework_commit(l, NULL, &err);
    }
    json_decref(p);
    if (rc)
        fail_msg("%s: %s", type, err.msg);
}

/*
 * Makes the directory, the log (origin names it) and the demo council, and
 * fills F. Returns the open writer: the caller adds accounts and closes it.
 */
static inline cw_ledger *ht_build(const char *origin)
{
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-http-XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    tdb_path(F.db, sizeof F.db, F.dir, "c");
    cw_error err;
    cw_ledger *l;
    assert_int_equal(cw_ledger_create(F.db, origin, &err), CW_OK);
    assert_int_equal(cw_ledger_open(F.db, CW_LEDGER_WRITE, &l, &err), CW_OK);
    cw_demo_opts o;
    cw_demo_opts_init(&o);
    o.children = 120;
    o.seed = 9;
    assert_int_equal(cw_demo_generate(l, &o, NULL, &err), CW_OK);
    /* A social worker in post with an open, unrestricted case. Each pick is ordered, so that
     * both backends pick the same (a LIMIT without ORDER BY is whatever the plan meets first). */
    char row[256];
    ht_one("SELECT c.child_id || ' ' || c.worker_id || ' ' || st.team_id FROM children c JOIN "
           "staff st ON st.staff_id = c.worker_id WHERE st.left_on IS NULL AND st.role = "
           "'social_worker' AND c.restricted = 0 AND c.case_status = 'open' AND EXISTS (SELECT 1 "
           "FROM staff m WHERE m.team_id = st.team_id AND m.role = 'team_manager' AND m.left_on "
           "IS NULL) ORDER BY c.child_id LIMIT 1",
           row, sizeof row);
    if (sscanf(row, "%64s %64s %64s", F.child_own, F.sw, F.team) != 3)
        fail_msg("no suitable case in the demo: %s", row);
    char q[512];
    snprintf(q, sizeof q,
             "SELECT c.child_id FROM children c JOIN staff st ON st.staff_id = c.worker_id WHERE "
             "st.team_id = '%s' AND c.worker_id <> '%s' AND c.restricted = 0 ORDER BY c.child_id "
             "LIMIT 1",
             F.team, F.sw);
    ht_one(q, F.child_team, sizeof F.child_team);
    snprintf(q, sizeof q,
             "SELECT c.child_id FROM children c JOIN staff st ON st.staff_id = c.worker_id WHERE "
             "st.team_id <> '%s' AND c.restricted = 0 ORDER BY c.child_id LIMIT 1",
             F.team);
    ht_one(q, F.child_other, sizeof F.child_other);
    snprintf(q, sizeof q,
             "SELECT staff_id FROM staff WHERE team_id = '%s' AND role = 'team_manager' AND "
             "left_on IS NULL ORDER BY staff_id LIMIT 1",
             F.team);
    ht_one(q, F.tm, sizeof F.tm);
    ht_one("SELECT staff_id FROM staff WHERE role = 'head_of_service' AND left_on IS NULL", F.hos,
           sizeof F.hos);
    return l;
}

/* Serves F.db on a free port of 127.0.0.1. */
static inline void ht_start(void)
{
    cw_error err;
    cw_http_opts ho;
    cw_http_opts_init(&ho);
    ho.db = F.db;
    ho.listen = "127.0.0.1:0";
    ho.quiet = 1;
    if (cw_http_start(&ho, &F.h, &err) != CW_OK)
        fail_msg("serve: %s", err.msg);
    F.port = cw_http_port(F.h);
    assert_true(F.port > 0);
}

/* Stops the server and removes the directory. */
static inline void ht_stop(void)
{
    cw_http_stop(F.h);
    F.h = NULL;
    rm_rf(F.dir);
}

#endif
