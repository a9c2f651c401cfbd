/*
 * http_fuzz.c — the whole request path from the bytes a client sends: the
 * HTTP library's parsing of the request line, headers, cookies and query
 * string, caseward's percent-unescaping and route matching, the
 * Authorization header and session cookie, CSRF, role and scope checks, and
 * every handler with its query parameters and JSON body (sign-in, commands
 * against the catalogue, audits, improvement plans ...), and the web
 * application's files outside /api/ (a small folder of three), on an in-memory
 * server (cw_http_start_unlistened) over a socket pair, against a small demo
 * council in a temporary log. One input is one connection: one or more
 * requests, as a client would send them.
 *
 * So that the fuzzer reaches past sign-in, these texts in the input are
 * replaced before it is sent (fuzz/corpus/http uses them):
 *   $T  a write API token of the head of service (hos.1: sees every child)
 *   $R  a read-only API token of the same account
 *   $A  a write API token of an administrator
 *   $S  a session cookie of the head of service, made for this input
 *   $C  that session's CSRF token
 * The server's state carries from one input to the next, as a real one's
 * does (entries appended, sessions ended, accounts changed).
 *
 * Checks: the server answers or closes every connection within 20 s, and,
 * with CW_FUZZ_NO_500 set in the environment, no answer is a 500 (a fault
 * the client's bytes should never cause). CW_FUZZ_VERBOSE prints each answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casework/accounts.h"
#include "http/http_int.h"
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The accounts' password, "fuzzing horse battery staple", as its argon2id hash made once (so
 * that the setup spends no time hashing): a seed that signs in with it (fuzz/corpus/http/
 * sign_in_ok) reaches a session's start. */
#define PW_HASH                                                                                    \
    "$argon2id$v=19$m=65536,t=2,p=1$lZXepkfirffELNcIDuC7KQ$2ebMoo792jIIlzF/"                       \
    "X8HNW6hAVf87reqIlbed2qW"                                                                      \
    "xFxE"

static cw_http *H;
static char tok_hos[CW_TOKEN_LEN + 1], tok_read[CW_TOKEN_LEN + 1], tok_admin[CW_TOKEN_LEN + 1];
static int no_500, verbose;

static void stop(void)
{
    cw_http_stop(H);
    H = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static char db[128]; /* the server keeps the pointer */
    char one_time[21];
    cw_error err;
    cw_ledger *l = fuzz_log(db, sizeof db);
    const char *by = "system:fuzz";
    if (cw_account_create(l, by, "hos", "hos.1", NULL, NULL, one_time, &err) ||
        cw_account_store_password(l, by, "hos", PW_HASH, false, &err) ||
        cw_account_create(l, by, "admin", NULL, "administrator", NULL, one_time, &err) ||
        cw_account_store_password(l, by, "admin", PW_HASH, false, &err) ||
        cw_token_create(l, by, "fuzz-hos", "hos", "write", tok_hos, &err) ||
        cw_token_create(l, by, "fuzz-read", "hos", "read", tok_read, &err) ||
        cw_token_create(l, by, "fuzz-admin", "admin", "write", tok_admin, &err))
        fuzz_die("the accounts", &err);
    cw_ledger_close(l);
    /* A small web application: the paths outside /api/ are its files (static.c). */
    static char web[128];
    snprintf(web, sizeof web, "%s/web", fuzz_dir);
    static const char *const files[][2] = {
        {"index.html", "<!doctype html><title>caseward</title><script src=/app.js></script>"},
        {"app.js", "export const x = 1;"},
        {"css/app.css", "body{margin:0}"}};
    char path[256];
    snprintf(path, sizeof path, "%s/css", web);
    if (mkdir(web, 0700) != 0 || mkdir(path, 0700) != 0)
        fuzz_die("the web folder", NULL);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", web, files[i][0]);
        FILE *f = fopen(path, "wb");
        if (!f || fputs(files[i][1], f) < 0 || fclose(f) != 0)
            fuzz_die("a web file", NULL);
    }
    cw_http_opts o;
    cw_http_opts_init(&o);
    o.db = db;
    o.quiet = 1;
    o.max_body = 64 << 10;
    o.web_dir = web;
    if (cw_http_start_unlistened(&o, &H, &err))
        fuzz_die("the server", &err);
    atexit(stop);
    no_500 = getenv("CW_FUZZ_NO_500") != NULL;
    verbose = getenv("CW_FUZZ_VERBOSE") != NULL;
    return 0;
}

/* Appends s to b with the placeholders replaced. */
static int expand(cw_buf *b, const uint8_t *s, size_t n, const char *sess, const char *csrf)
{
    for (size_t i = 0; i < n; i++) {
        const char *with = NULL;
        if (s[i] == '$' && i + 1 < n) {
            switch (s[i + 1]) {
            case 'T':
                with = tok_hos;
                break;
            case 'R':
                with = tok_read;
                break;
            case 'A':
                with = tok_admin;
                break;
            case 'S':
                with = sess;
                break;
            case 'C':
                with = csrf;
                break;
            default:
                break;
            }
        }
        if (with) {
            if (cw_buf_addstr(b, with))
                return -1;
            i++;
        } else if (cw_buf_add(b, &s[i], 1)) {
            return -1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!H)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 256 << 10)
        return 0;
    cw_http_srv *s = cw_http_srv_of(H);
    char sess[64], csrf[48];
    cw_error err;
    if (cw_session_create(s, "hos", sess, csrf, &err))
        fuzz_die("a session", &err);
    cw_buf in = CW_BUF_INIT(1 << 20), out = CW_BUF_INIT(64 << 20);
    if (expand(&in, data, size, sess, csrf))
        fuzz_die("the request", NULL);
    cw_rc rc = cw_http_exchange(H, in.data ? in.data : "", in.len, &out, &err);
    if (rc && rc != CW_ETOOBIG) {
        fprintf(stderr, "http_fuzz: %s\n", err.msg);
        abort();
    }
    if (verbose)
        fprintf(stderr, "---- %zu bytes in, %zu out:\n%.*s\n", in.len, out.len, (int)out.len,
                out.data ? out.data : "");
    if (no_500) {
        /* Every status line of the answer (one per request on the connection). The library's
         * own answers to what is not HTTP (505 and the like) are fine; a 500 is a fault. */
        for (const char *p = out.data; p && (p = strstr(p, "HTTP/1.")); p += 7)
            if ((p == out.data || p[-1] == '\n') && !strncmp(p + 8, " 500 ", 5)) {
                fprintf(stderr, "http_fuzz: a 500 answer: %.300s\n", p);
                abort();
            }
    }
    cw_session_end(s, sess);
    cw_buf_release(&in);
    cw_buf_release(&out);
    return 0;
}
