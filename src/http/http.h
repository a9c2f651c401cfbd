/*
 * http.h — caseward's HTTP server: the JSON API (docs/api.md) on
 * libmicrohttpd, with sign-in, roles and the record-access log.
 *
 * One thread per connection (libmicrohttpd's model that lets handlers block
 * on the database); every request goes through one pipeline driven by the
 * route table (routes.c): find the route → authenticate → check the role
 * and, for a child's record, the scope → check CSRF for state changes →
 * run the handler → record the access → respond. Handlers hold only the
 * business logic; the route table is the security review. With web_dir,
 * a GET outside /api/ (other than /healthz and /metrics) is answered from
 * the web application's files (static.c), from memory, to anyone.
 */
#ifndef CW_HTTP_HTTP_H
#define CW_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct cw_http_opts {
    const char *db;             /* the log (caseward init) */
    const char *listen;         /* "HOST:PORT"; PORT 0 picks a free one. Default 127.0.0.1:8080 */
    size_t max_body;            /* request body limit in bytes; default 1 MiB */
    int secure_cookies;         /* add Secure to cookies (when served behind TLS) */
    int64_t idle_timeout_s;     /* a session unused this long ends; default 30 min */
    int64_t absolute_timeout_s; /* a session ends this long after sign-in; default 12 h */
    unsigned max_connections;   /* default 512 */
    unsigned max_per_address;   /* connections at once from one client address (0: no limit;
                                   behind a proxy every client is its address); default 32 */
    unsigned header_timeout_s;  /* a request's line and headers must all arrive within this of
                                   the connection opening or, on one kept open, of the request's
                                   first byte (0: no limit); default 10 */
    unsigned body_timeout_s;    /* its body within this of its headers (0: no limit); default 60 */
    int quiet;                  /* no access log on stderr (tests) */
    const char *web_dir;        /* the web application's folder, served outside /api/ (read
                                   into memory at start); NULL: none */
    /* "ADDR[,ADDR...]": reverse proxies whose X-Forwarded-For names the client, for sign-in
     * throttling (docs/deploy.md); NULL: none */
    const char *trusted_proxies;
} cw_http_opts;

void cw_http_opts_init(cw_http_opts *o);

typedef struct cw_http cw_http;

/* Opens the log, reads the web application's files (if web_dir) and starts serving in
 * background threads. */
cw_rc cw_http_start(const cw_http_opts *o, cw_http **out, cw_error *err);

/* The port it listens on (useful after PORT 0). */
uint16_t cw_http_port(const cw_http *h);

/* Stops accepting, lets requests in flight finish, and frees everything. */
void cw_http_stop(cw_http *h);

/* The OpenAPI 3 document describing every route, as JSON text (caller frees). */
char *cw_http_openapi(void);

#endif
