/*
 * server.c — libmicrohttpd glue and the request pipeline (http.h).
 *
 * Invariants: a request's body never exceeds max_body (past it the request
 * is answered 413 and the rest discarded); a handler runs only after the
 * route's role, scope and CSRF checks pass; every response carries the same
 * security headers (the web application's files, static.c, a Content-Security-
 * Policy that lets their scripts and styles run), the pages the library writes
 * itself included ("headers" below), and every error caseward can write itself
 * (414 and 431 too);
 * no client address holds more than max_per_address connections, and no request
 * takes longer than its deadlines to arrive (the watchdog, "connections" below);
 * nothing but UTF-8 reaches a handler's parameters; the access log on stderr
 * names the route pattern or "static", never the path (which may hold a
 * child's identifier) and never the account.
 */
/* struct tcp_info (the watchdog's view of a connection kept open) and RTLD_NEXT (the library's
 * own answers, "headers" below) are outside POSIX. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "casework/casework.h"
#include "casework/deepverify.h"
#include "http/http_int.h"
#include "util/time.h"
#include "util/utf8.h"

void cw_http_opts_init(cw_http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8080";
    o->max_body = 1 << 20;
    o->idle_timeout_s = 30 * 60;
    o->absolute_timeout_s = 12 * 60 * 60;
    o->max_connections = 512;
    o->max_per_address = 32;
    o->header_timeout_s = 10;
    o->body_timeout_s = 60;
}

/* How long the server's writer waits for another process's write (an import) before it
 * answers 503 busy: the command line waits two minutes, requests should not. */
#define SERVER_WRITE_WAIT_MS (15 * 1000)

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- responses ---- */

void cw_resp_attachment(req *r, const char *name)
{
    size_t n = strlen(name);
    if (n >= sizeof r->attachment ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789._-") != n)
        return; /* no header rather than one that could carry anything */
    memcpy(r->attachment, name, n + 1);
}

void cw_resp_text(req *r, int status, const char *ctype, const char *text, size_t len)
{
    r->status = status;
    r->ctype = ctype;
    cw_buf_reset(&r->out);
    if (len && cw_buf_add(&r->out, text, len)) {
        r->status = 500;
        r->ctype = "application/json";
        cw_buf_reset(&r->out);
        cw_buf_addstr(&r->out, "{\"error\":{\"code\":\"too_large\",\"message\":\"the response "
                               "is too large\",\"field\":null}}");
    }
}

void cw_resp_json(req *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(body);
    if (!text) {
        cw_resp_key(r, CW_ENOMEM, "server_busy", NULL, NULL);
        return;
    }
    cw_resp_text(r, status, "application/json", text, strlen(text));
    free(text);
}

/* The machine-readable name of an error. */
static const char *error_code(cw_rc rc, int status)
{
    switch (rc) {
    case CW_EINVAL:
        return "invalid";
    case CW_ENOTFOUND:
        return "not_found";
    case CW_EEXIST:
        return "exists";
    case CW_ETOOBIG:
        return "too_large";
    case CW_EAUTH:
        return "not_signed_in";
    case CW_EFORBIDDEN:
        return "forbidden";
    case CW_ELIMIT:
        return "too_many";
    case CW_EVERIFY:
    case CW_ECONFLICT:
        return "conflict";
    case CW_EBUSY:
    case CW_ENOMEM:
    case CW_EUNAVAIL:
        return "unavailable";
    default:
        return status >= 500 ? "server_error" : "invalid";
    }
}

/* "field: problem" names the field: the identifier before ": ", if it is one. */
static void field_of(const char *message, char field[65])
{
    field[0] = '\0';
    const char *colon = strstr(message, ": ");
    if (!colon || colon == message || (size_t)(colon - message) >= 65)
        return;
    size_t n = (size_t)(colon - message);
    for (size_t i = 0; i < n; i++) {
        char ch = message[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return;
    }
    memcpy(field, message, n);
    field[n] = '\0';
}

/* The JSON error body (docs/api.md, "Errors") of e with the HTTP status and code given, in
 * the request's language. */
static void send_error(req *r, int status, const char *code, const cw_error *e)
{
    char field[65], text[2 * CW_ERROR_MSG_MAX];
    const char *problem;
    cw_lang shown = cw_message(e, r->lang, text, sizeof text, &problem);
    if (e->key)
        memcpy(field, e->outer ? e->outer_field : e->field, sizeof field);
    else
        field_of(e->msg, field);
    if (!e->key && field[0])
        problem = text + strlen(field) + 2;
    json_t *body = json_pack("{s:{s:s, s:s, s:s, s:s, s:s?, s:s?}}", "error", "code", code,
                             "message", text, "problem", problem, "lang", cw_lang_code(shown),
                             "field", field[0] ? field : NULL, "key", e->key);
    cw_resp_json(r, status, body);
    r->status = status; /* cw_resp_json may have met no memory: keep the intended status */
}

void cw_resp_err(req *r, const cw_error *err)
{
    cw_rc rc = err->code ? err->code : CW_EDB;
    int status = cw_rc_http_status(rc);
    cw_error e;
    cw_store_fault fault = CW_STORE_FAULT_NONE;
    if (rc == CW_EUNAVAIL)
        cw_store_faults(&fault);
    /* Server faults never show their internals: the details stay in the server's own log. The
     * storage failing says what the reader can do: wait, and tell someone if it goes on. */
    if (rc == CW_EUNAVAIL)
        cw_error_key(&e, rc,
                     fault == CW_STORE_FAULT_FULL          ? "storage_full"
                     : fault == CW_STORE_FAULT_UNREACHABLE ? "storage_unreachable"
                                                           : "storage_fault",
                     NULL, NULL, NULL);
    else if (status >= 500 && rc != CW_EBUSY && rc != CW_ENOMEM)
        cw_error_key(&e, rc, "server_fault", NULL, NULL, NULL);
    else if (rc == CW_ENOMEM || rc == CW_EBUSY)
        cw_error_key(&e, rc, "server_busy", NULL, NULL, NULL);
    else
        e = *err;
    /* Busy, or the storage failing: worth asking again in a while (the write waited 15 s). */
    if ((rc == CW_EUNAVAIL || rc == CW_EBUSY || rc == CW_ENOMEM) && !r->retry_after[0])
        snprintf(r->retry_after, sizeof r->retry_after, "%d", 30);
    send_error(r, status, error_code(rc, status), &e);
}

void cw_resp_error(req *r, cw_rc rc, const char *message)
{
    cw_error e;
    cw_error_set(&e, rc, "%s", message);
    cw_resp_err(r, &e);
}

void cw_resp_key(req *r, cw_rc rc, const char *key, const char *field, const char *a1)
{
    cw_error e;
    cw_error_key(&e, rc, key, field, a1, NULL);
    cw_resp_err(r, &e);
}

void cw_resp_cookie_at(req *r, const char *name, const char *value, const char *path, int http_only,
                       int64_t max_age)
{
    if (r->ncookies >= 3)
        return;
    /* SameSite=Strict: never sent with a request that starts on another site. */
    /* Secure is added when the response is sent, if the server is behind TLS. */
    char age[32] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age);
    snprintf(r->cookies[r->ncookies++], sizeof r->cookies[0],
             "%s=%s; Path=/%s%s; SameSite=Strict%s", name, value, path, age,
             http_only ? "; HttpOnly" : "");
}

void cw_resp_cookie(req *r, const char *name, const char *value, int http_only, int64_t max_age)
{
    cw_resp_cookie_at(r, name, value, "", http_only, max_age);
}

/* ---- the pipeline ---- */

/*
 * A path segment as a parameter: as it is if it is UTF-8, else each byte of what is not
 * written %HH (a probe for "\xff\xfe" names "%FF%FE"). No identifier holds a '%'
 * (casework's ids are A-Z a-z 0-9 . _ : -), so the escaped text names nothing, and it is
 * answered, quoted and recorded as any other unknown name is: nothing but UTF-8 reaches the
 * messages or the log. Cut at a whole escape or character if longer than the parameter's room.
 */
static void put_param(char *out, size_t cap, const char *seg, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t ok = cw_utf8_check(seg + i, n - i);
        if (ok > 0) {
            size_t take = ok < cap - 1 - w ? ok : cap - 1 - w;
            /* cut at a character's start, never inside it */
            while (take > 0 && take < ok && ((unsigned char)seg[i + take] & 0xC0) == 0x80)
                take--;
            memcpy(out + w, seg + i, take);
            w += take;
            i += ok;
            if (take < ok)
                break;
            continue;
        }
        if (w + 3 > cap - 1)
            break;
        snprintf(out + w, 4, "%%%02X", (unsigned)(unsigned char)seg[i]);
        w += 3;
        i++;
    }
    out[w] = '\0';
}

/* Matches path against pattern, filling the {name} parameters. */
static int match(const char *pattern, const char *path, req *r)
{
    size_t np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *seg_end = strchr(u, '/');
            size_t seg = seg_end ? (size_t)(seg_end - u) : strlen(u);
            size_t nl = (size_t)(close - p - 1);
            if (!close || seg == 0 || seg >= sizeof r->param[0] || np >= MAX_PARAMS ||
                nl >= sizeof r->param_name[0])
                return 0;
            memcpy(r->param_name[np], p + 1, nl);
            r->param_name[np][nl] = '\0';
            put_param(r->param[np], sizeof r->param[np], u, seg);
            np++;
            p = close + 1;
            u += seg;
        } else if (*p++ != *u++) {
            return 0;
        }
    }
    if (*p || *u)
        return 0;
    r->nparams = np;
    return 1;
}

static cw_ledger *pool_get(cw_http_srv *s, cw_error *err)
{
    cw_ledger *l = NULL;
    pthread_mutex_lock(&s->pool_mu);
    if (s->npool)
        l = s->pool[--s->npool];
    pthread_mutex_unlock(&s->pool_mu);
    if (!l && cw_ledger_open(s->o.db, CW_LEDGER_READONLY | CW_LEDGER_NO_MMAP, &l, err))
        return NULL;
    if (cw_ledger_refresh(l, err)) {
        cw_ledger_close(l);
        return NULL;
    }
    return l;
}

static void pool_put(cw_http_srv *s, cw_ledger *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&s->pool_mu);
    if (s->npool < 64 && !cw_array_grow(&s->pool, &s->cap_pool, s->npool, sizeof *s->pool)) {
        s->pool[s->npool++] = l;
        l = NULL;
    }
    pthread_mutex_unlock(&s->pool_mu);
    cw_ledger_close(l);
}

/* ---- the log's integrity ---- */

/* Once: the server stops writing, says so on /healthz and /metrics, and logs one line
 * (indexes, sizes, table names: never content, never a child's identifier). */
static void integrity_trip(cw_http_srv *s, const char *what)
{
    if (__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE))
        return;
    snprintf(s->integrity_what, sizeof s->integrity_what, "%s", what);
    __atomic_store_n(&s->integrity_failed, 1, __ATOMIC_RELEASE);
    fprintf(stderr, "caseward: integrity failure: %s; refusing every write until restarted\n",
            what);
}

/*
 * Whether a check that failed with e failed because the storage did (a read that met an I/O
 * error, say, which the check reports as a node it could not read) rather than because the
 * log was changed: CW_EUNAVAIL, or a storage fault counted since it began (faults0). A
 * storage fault is not tampering: it must not stop the server until restart. The check runs
 * again at the next write, and finds tampering then if there was some.
 */
static int storage_failed(const cw_error *e, uint64_t faults0)
{
    return e->code == CW_EUNAVAIL || cw_store_faults(NULL) != faults0;
}

cw_rc cw_http_write_gate(cw_http_srv *s, cw_error *err)
{
    cw_error e;
    int64_t schema, data;
    if (!__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE)) {
        uint64_t faults0 = cw_store_faults(NULL);
        cw_rc rc = cw_store_versions(cw_ledger_store(s->writer), &schema, &data, err);
        if (rc)
            return rc;
        /* Changed by another connection since the last check. The structure and the whole
         * log again if the schema changed (an insert-only trigger dropped, say). If only the
         * data: on SQLite the whole log too, since any connection can turn triggers off for
         * itself (SQLITE_DBCONFIG_ENABLE_TRIGGER; the sqlite3 shell's .dbconfig) and change
         * old rows without touching the schema; a CLI writer beside the server is rare. On
         * PostgreSQL other servers append all the time, and only a superuser can skip the
         * triggers without a schema change (session_replication_role): what was appended is
         * checked as our own appends are, the verified checkpoint still there unchanged and
         * the new entries extending the verified tree to the latest signed checkpoint
         * (docs/ledger.md). */
        int full = data != s->seen_data && !cw_store_is_uri(s->o.db);
        if ((schema != s->seen_schema || data != s->seen_data) &&
            cw_integrity_check(s->integrity, full, &e) != CW_OK) {
            if (storage_failed(&e, faults0)) /* seen_* kept: checked again next time */
                return cw_error_set(err, CW_EUNAVAIL, "checking the log before writing: %s", e.msg);
            integrity_trip(s, e.msg);
        }
        s->seen_schema = schema;
        s->seen_data = data;
    }
    if (__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE))
        return cw_error_set(err, CW_EVERIFY,
                            "the log failed its integrity check; the server accepts no writes "
                            "until it is restarted (see GET /healthz)");
    return CW_OK;
}

void cw_http_write_done(cw_http_srv *s)
{
    cw_error e;
    uint64_t faults0 = cw_store_faults(NULL);
    if (!__atomic_load_n(&s->integrity_failed, __ATOMIC_ACQUIRE) &&
        cw_integrity_check_appended(s->integrity, &e) != CW_OK) {
        if (storage_failed(&e, faults0)) /* what was appended is checked after the next write */
            fprintf(stderr, "caseward: storage fault while checking the appended entries: %s\n",
                    e.msg);
        else
            integrity_trip(s, e.msg);
    }
}

static cw_rc read_applied(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 1 && c[0].type == CW_V_INT)
        *(cw_value *)ctx = c[0];
    return CW_OK;
}

cw_store_fault cw_http_storage_state(cw_http_srv *s)
{
    cw_store_fault fault;
    uint64_t n = cw_store_faults(&fault);
    if (n == __atomic_load_n(&s->faults_ok, __ATOMIC_ACQUIRE))
        return CW_STORE_FAULT_NONE;
    /* The writer busy (a slow disk, say): no probe this time; /healthz does not wait on it. */
    if (pthread_mutex_trylock(&s->write_mu) != 0)
        return fault;
    int64_t now = now_ns() / 1000000;
    uint64_t faults0 = cw_store_faults(&fault);
    if (faults0 != __atomic_load_n(&s->faults_ok, __ATOMIC_ACQUIRE) && now - s->probe_ms >= 1000) {
        /* A write as small as a write can be, that leaves everything as it was: the
         * projections' applied count changed and put back in one transaction, committed
         * (and so synced) on its own. (Written back alone, unchanged, SQLite would see the
         * row was the same and write nothing.) */
        s->probe_ms = now;
        cw_store *st = cw_ledger_store(s->writer);
        cw_value v = CW_INT(0), v1;
        /* Not the writer's 15 s behind another process's write: /healthz answers at once, and
         * the probe is tried again in a second. */
        cw_store_set_write_wait(st, 100);
        cw_rc rc = cw_store_begin(st, NULL);
        cw_store_set_write_wait(st, SERVER_WRITE_WAIT_MS);
        if (!rc)
            rc = cw_store_run(st, CW_Q_PROJECTION_APPLIED, NULL, 0, read_applied, &v, NULL, NULL);
        v1 = CW_INT(v.i + 1);
        if (!rc)
            rc = cw_store_run(st, CW_Q_PROJECTION_SET_APPLIED, &v1, 1, NULL, NULL, NULL, NULL);
        if (!rc)
            rc = cw_store_run(st, CW_Q_PROJECTION_SET_APPLIED, &v, 1, NULL, NULL, NULL, NULL);
        if (!rc)
            rc = cw_store_commit(st, NULL);
        if (rc)
            cw_store_rollback(st);
        /* And a read from a connection of its own, whose cache is empty: the writer's may
         * hold every page it needs while the disk fails every read. */
        cw_store *fresh = NULL;
        uint64_t end;
        if (!rc &&
            !(rc = cw_store_open(s->o.db, CW_STORE_READONLY | CW_STORE_NO_MMAP, &fresh, NULL)))
            rc = cw_store_entries_end(fresh, &end, NULL);
        cw_store_close(fresh);
        if (!rc && cw_store_faults(&fault) == faults0)
            __atomic_store_n(&s->faults_ok, faults0, __ATOMIC_RELEASE);
    }
    n = cw_store_faults(&fault);
    pthread_mutex_unlock(&s->write_mu);
    return n == __atomic_load_n(&s->faults_ok, __ATOMIC_ACQUIRE) ? CW_STORE_FAULT_NONE : fault;
}

/* Deep verify at start, beside serving: the rebuild it needs takes seconds to minutes. */
typedef struct diff_tables {
    char names[256];
} diff_tables;

static void note_table(void *ctx, const char *table, const char *key, const char *what)
{
    diff_tables *d = ctx;
    (void)key, (void)what;
    size_t n = strlen(table), len = strlen(d->names);
    for (const char *p = d->names; (p = strstr(p, table)); p += n)
        if ((p == d->names || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return; /* named already */
    snprintf(d->names + len, sizeof d->names - len, "%s%s", len ? ", " : "", table);
}

static void *deep_check(void *arg)
{
    cw_http_srv *s = arg;
    cw_error err;
    cw_deep_report r;
    diff_tables d = {""};
    uint64_t faults0 = cw_store_faults(NULL);
    cw_rc rc = cw_casework_deep_verify(s->o.db, note_table, &d, &r, &err);
    if (rc && storage_failed(&err, faults0)) {
        /* The disk failed, not (or not provably) the read model: a comparison that met a
         * read error cannot be trusted either way. Said on /healthz ("unchecked"), not
         * tripped; the next start checks again. */
        fprintf(stderr, "caseward: the read model could not be checked (storage fault): %s\n",
                err.msg);
        __atomic_store_n(&s->read_model_state, 3, __ATOMIC_RELEASE);
        return NULL;
    }
    if (rc) {
        char what[CW_ERROR_MSG_MAX];
        if (r.differences)
            snprintf(what, sizeof what,
                     "the read model differs from the log in %llu rows (tables: %s; caseward "
                     "verify --db lists them)",
                     (unsigned long long)r.differences, d.names);
        else
            snprintf(what, sizeof what, "the read model could not be checked: %.400s", err.msg);
        pthread_mutex_lock(&s->write_mu);
        integrity_trip(s, what);
        pthread_mutex_unlock(&s->write_mu);
    }
    __atomic_store_n(&s->read_model_state, rc ? 2 : 1, __ATOMIC_RELEASE);
    return NULL;
}

/*
 * Every write the server makes goes through one thread, in groups: a request
 * queues its entry (a command, or a record_accessed entry) and waits until
 * the group holding it is committed (durable, signed), so a response never
 * goes out before what it reports is provable, yet one fsync serves every
 * request that arrived while the last group was being written. Within a
 * group, entries are validated in order, each against the record as the
 * ones before it left it, exactly as if each had been its own batch.
 */
typedef struct acc_item {
    cw_event ev;
    const principal *who; /* a command's author: write scope re-checked by the writer */
    cw_rc rc;
    cw_error err;   /* why it was refused */
    uint64_t index; /* its ledger index, once written */
    uint64_t size;  /* the log's size after its group */
    sem_t done;     /* posted when written: each waiter wakes alone, no herd on a lock */
} acc_item;

#define ACC_GROUP_MAX 1024

/*
 * Inside the writer's transaction, against the state the entry will be validated against:
 * the author may still change every child the command is about. A case transferred away
 * in the instant between the request's own check and its turn at the writer is refused
 * here, not written.
 */
static cw_rc still_allowed(cw_http_srv *s, acc_item *it)
{
    if (!it->who)
        return CW_OK;
    char ids[50][65];
    size_t n = 0;
    if (!strcmp(it->ev.type, "child_registered") || cw_access_scope_free(it->who, it->ev.type))
        return CW_OK;
    cw_rc rc =
        cw_http_two_person(cw_ledger_store(s->writer), it->ev.type, it->ev.payload, &it->err);
    if (rc)
        return rc;
    rc = cw_casework_children(cw_ledger_store(s->writer), it->ev.type, it->ev.payload, ids, 50, &n,
                              &it->err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = cw_access_child(s->writer, it->who, ids[i], 1, &it->err);
    return rc;
}

static cw_rc submit(cw_http_srv *s, acc_item *it)
{
    cw_rc rc = still_allowed(s, it);
    return rc ? rc : cw_casework_submit(s->writer, &it->ev, &it->index, &it->err);
}

/* Writes one item as its own batch. */
static void write_one(cw_http_srv *s, acc_item *it)
{
    if (!(it->rc = cw_casework_begin(s->writer, &it->err))) {
        if (!(it->rc = submit(s, it)))
            it->rc = cw_casework_commit(s->writer, &it->size, &it->err);
        else
            cw_casework_abort(s->writer);
    }
}

/*
 * Appends items as one batch. An item refused by validation (nothing of it
 * written: the log's size did not move) is answered and the rest go on; any
 * other failure abandons the batch and each item is written on its own.
 */
static void write_group(cw_http_srv *s, acc_item **items, size_t n)
{
    cw_error err;
    pthread_mutex_lock(&s->write_mu);
    uint64_t faults0 = cw_store_faults(NULL);
    if (cw_http_write_gate(s, &err)) {
        for (size_t i = 0; i < n; i++) {
            items[i]->rc = err.code;
            items[i]->err = err;
        }
        pthread_mutex_unlock(&s->write_mu);
        return;
    }
    cw_rc rc = cw_casework_begin(s->writer, &err);
    int dirty = 0;
    for (size_t i = 0; !rc && i < n && !dirty; i++) {
        uint64_t before = cw_ledger_size(s->writer);
        items[i]->rc = submit(s, items[i]);
        dirty = items[i]->rc && cw_ledger_size(s->writer) != before;
    }
    uint64_t size = 0;
    if (!rc && !dirty)
        rc = cw_casework_commit(s->writer, &size, &err);
    else if (!rc)
        cw_casework_abort(s->writer);
    if (rc || dirty) {
        for (size_t i = 0; i < n; i++)
            write_one(s, items[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            items[i]->size = size;
    }
    cw_http_write_done(s);
    /* A database error met while the storage was failing is the storage's fault (503, "try
     * again"), not the server's (500); a group committed with no fault met says it works. */
    int committed = 0, faulted = cw_store_faults(NULL) != faults0;
    for (size_t i = 0; i < n; i++) {
        committed |= !items[i]->rc;
        if (faulted && items[i]->rc == CW_EDB)
            items[i]->rc = items[i]->err.code = CW_EUNAVAIL;
    }
    if (committed && !faulted)
        __atomic_store_n(&s->faults_ok, faults0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->write_mu);
    for (size_t i = 0; i < n; i++)
        if (!items[i]->rc)
            __atomic_add_fetch(&s->entries_written, 1, __ATOMIC_RELAXED);
}

static void *access_writer(void *arg)
{
    cw_http_srv *s = arg;
    acc_item *group[ACC_GROUP_MAX];
    for (;;) {
        pthread_mutex_lock(&s->acc_mu);
        while (!s->acc_n && !s->acc_stop)
            pthread_cond_wait(&s->acc_more, &s->acc_mu);
        if (!s->acc_n && s->acc_stop) {
            pthread_mutex_unlock(&s->acc_mu);
            return NULL;
        }
        size_t n = s->acc_n < ACC_GROUP_MAX ? s->acc_n : ACC_GROUP_MAX;
        memcpy(group, s->acc_q, n * sizeof *group);
        memmove(s->acc_q, s->acc_q + n, (s->acc_n - n) * sizeof *s->acc_q);
        s->acc_n -= n;
        pthread_mutex_unlock(&s->acc_mu);
        write_group(s, group, n);
        for (size_t i = 0; i < n; i++)
            sem_post(&group[i]->done); /* the item may be gone once posted */
    }
}

cw_rc cw_http_write(cw_http_srv *s, const cw_event *ev, uint64_t *index, uint64_t *size,
                    cw_error *err)
{
    return cw_http_write_as(s, NULL, ev, index, size, err);
}

cw_rc cw_http_write_as(cw_http_srv *s, const principal *who, const cw_event *ev, uint64_t *index,
                       uint64_t *size, cw_error *err)
{
    acc_item it;
    memset(&it, 0, sizeof it);
    it.ev = *ev;
    it.who = who;
    if (sem_init(&it.done, 0, 0) != 0)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    acc_item *self = &it;
    pthread_mutex_lock(&s->acc_mu);
    cw_rc rc = cw_array_grow(&s->acc_q, &s->acc_cap, s->acc_n, sizeof *s->acc_q);
    if (!rc) {
        s->acc_q[s->acc_n++] = self;
        pthread_cond_signal(&s->acc_more);
    }
    pthread_mutex_unlock(&s->acc_mu);
    if (!rc) {
        while (sem_wait(&it.done) != 0)
            ; /* EINTR */
        rc = it.rc;
    }
    sem_destroy(&it.done);
    if (rc == CW_ENOMEM && !it.err.msg[0])
        cw_error_set(&it.err, rc, "out of memory");
    if (rc && err)
        *err = it.err;
    if (index)
        *index = it.index;
    if (size)
        *size = it.size;
    return rc;
}

cw_rc cw_http_record_access(cw_http_srv *s, req *r, const char *child_id, int allowed, int status)
{
    return cw_http_record_access_detail(s, r, child_id, allowed, status, NULL);
}

cw_rc cw_http_record_access_detail(cw_http_srv *s, req *r, const char *child_id, int allowed,
                                   int status, const char *detail)
{
    if (!r->signed_in)
        return CW_OK; /* only the signed in: anyone could otherwise fill the log */
    r->recorded = 1;
    /* A probe for what cannot be an identifier (a space, an accent, bytes that are not UTF-8,
     * escaped %HH by match()) names no child: recorded all the same, without it. Its text is
     * not kept: it is the caller's, and might be anything (a name typed in the address). */
    if (child_id && !cw_casework_valid_id(child_id)) {
        child_id = NULL;
        if (!detail)
            detail = "(not an identifier)";
    }
    char what[200];
    snprintf(what, sizeof what, "%s %s%s%.100s", r->method, r->rt ? r->rt->pattern : "(no route)",
             detail ? " " : "", detail ? detail : "");
    json_t *p = json_pack("{s:s?, s:s, s:b, s:i}", "child_id", child_id, "what", what, "allowed",
                          allowed, "status", status);
    if (!p)
        return CW_ENOMEM;
    cw_event ev = {r->who.actor, "record_accessed", p};
    cw_rc rc = cw_http_write(s, &ev, NULL, NULL, NULL);
    json_decref(p);
    return rc;
}

static const char *header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Signs the request in from its session cookie, if it has a live one. */
static cw_rc authenticate(cw_http_srv *s, req *r, cw_error *err)
{
    const char *auth = header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth) {
        /* An API token: no cookies, so no CSRF; its scope limits it to reading or not. */
        cw_token_info t;
        cw_rc rc = strncmp(auth, "Bearer ", 7) != 0
                       ? cw_error_key(err, CW_EAUTH, "bearer_expected", "Authorization", NULL, NULL)
                       : cw_token_find(cw_ledger_store(r->ro), auth + 7, &t, err);
        if (!rc && !t.found)
            rc = cw_error_key(err, CW_EAUTH, "token_unknown", "Authorization", NULL, NULL);
        if (!rc && (rc = cw_principal_load(s, r->ro, t.username, &r->who, err)) == CW_EAUTH)
            cw_error_key(err, CW_EAUTH, "account_inactive", "Authorization", NULL, NULL);
        if (rc)
            return rc;
        r->signed_in = 1;
        r->by_token = 1;
        r->token_write = t.write;
        return CW_OK;
    }
    const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cw_session");
    char username[65], csrf[48];
    int fresh;
    if (!tok || strlen(tok) >= sizeof r->token ||
        !cw_session_find(s, tok, username, csrf, &r->who, &fresh))
        return CW_OK;
    snprintf(r->token, sizeof r->token, "%s", tok);
    if (!fresh) {
        cw_rc rc = cw_principal_load(s, r->ro, username, &r->who, err);
        if (rc == CW_EAUTH) {
            cw_session_end(s, tok); /* disabled, expired or left since signing in */
            return CW_OK;
        }
        if (rc)
            return rc;
        cw_session_keep(s, tok, &r->who);
    }
    r->signed_in = 1;
    r->by_cookie = 1;
    memcpy(r->csrf, csrf, sizeof r->csrf);
    return CW_OK;
}

static void refuse(cw_http_srv *s, req *r, cw_rc rc, const char *key, const char *field,
                   const char *child)
{
    cw_resp_key(r, rc, key, field, NULL);
    if (r->signed_in && rc == CW_EFORBIDDEN)
        cw_http_record_access(s, r, child, 0, r->status);
}

/* The first query parameter whose name or value is not UTF-8, if any. */
typedef struct bad_arg {
    int found;
    char name[65]; /* its name, or "query" if the name is the problem */
} bad_arg;

static enum MHD_Result arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    bad_arg *b = cls;
    (void)kind;
    size_t kn = strlen(key), vn = value ? strlen(value) : 0;
    int key_ok = cw_utf8_check(key, kn) == kn;
    if (key_ok && (!value || cw_utf8_check(value, vn) == vn))
        return MHD_YES;
    b->found = 1;
    snprintf(b->name, sizeof b->name, "%s", key_ok && kn < sizeof b->name ? key : "query");
    return MHD_NO;
}

static void process(cw_http_srv *s, req *r)
{
    cw_error err;
    cw_error_clear(&err);
    /* The language of the messages: as the request asks, else the user's own (below). */
    r->lang = cw_lang_accept(header(r, "Accept-Language"), &r->lang_asked);
    /* A head too large for caseward's limits (well below the library's own, which answers
     * with its fixed page): answered here, with caseward's JSON error in the user's language. */
    if (r->uri_too_long) {
        cw_error_key(&err, CW_ETOOBIG, "path_too_long", "path", NULL, NULL);
        send_error(r, 414, "too_large", &err);
        return;
    }
    if (r->headers_too_big) {
        cw_error_key(&err, CW_ETOOBIG, "headers_too_big", NULL, CW_NUM(HEADERS_MAX), NULL);
        send_error(r, 431, "too_large", &err);
        return;
    }
    if (r->too_big) {
        cw_resp_key(r, CW_ETOOBIG, "body_too_big", "body", CW_NUM(s->o.max_body));
        return;
    }
    /* The path without its query string. */
    char path[1024];
    size_t n = strcspn(r->url, "?");
    if (n >= sizeof path) {
        cw_error_key(&err, CW_ETOOBIG, "path_too_long", "path", NULL, NULL);
        send_error(r, 414, "too_large", &err);
        return;
    }
    memcpy(path, r->url, n);
    path[n] = '\0';
    /* The web application's files: no sign-in, nothing recorded. */
    if (s->o.web_dir && cw_static_wants(r->method, path)) {
        cw_static_serve(&s->web, r, path);
        return;
    }
    /* A query parameter that is not UTF-8 is refused here, naming it, for every route: no
     * handler, message or log entry meets its bytes. */
    bad_arg bad = {0, ""};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_utf8, &bad);
    if (bad.found) {
        cw_resp_key(r, CW_EINVAL, "not_utf8", bad.name, NULL);
        return;
    }
    int path_known = 0;
    for (size_t i = 0; i < cw_nroutes && !r->rt; i++) {
        if (!match(cw_routes[i].pattern, path, r))
            continue;
        path_known = 1;
        if (!strcmp(cw_routes[i].method, r->method))
            r->rt = &cw_routes[i];
    }
    if (!r->rt) {
        if (path_known) {
            char m[17];
            snprintf(m, sizeof m, "%.16s", r->method);
            cw_error_key(&err, CW_EINVAL, "method", "method", m, NULL);
            send_error(r, 405, "method_not_allowed", &err);
        } else {
            cw_resp_key(r, CW_ENOTFOUND, "no_route", "path", NULL);
        }
        return;
    }
    const route *rt = r->rt;
    if (!(r->ro = pool_get(s, &err)) && !(rt->flags & RF_NO_READER)) {
        cw_resp_err(r, &err);
        return;
    }
    cw_rc rc = authenticate(s, r, &err);
    if (rc) {
        cw_resp_err(r, &err);
        return;
    }
    int chosen;
    if (r->signed_in && !r->lang_asked && r->who.language[0])
        r->lang = cw_lang_accept(r->who.language, &chosen);
    if (rt->roles) {
        if (!r->signed_in) {
            cw_resp_key(r, CW_EAUTH, "sign_in_first", "session", NULL);
            return;
        }
        if (r->who.must_change && !(rt->flags & RF_PASSWORD)) {
            refuse(s, r, CW_EFORBIDDEN, "change_password_first", "password", NULL);
            return;
        }
        if (r->by_token && (rt->flags & RF_SESSION)) {
            refuse(s, r, CW_EFORBIDDEN, "session_only", "Authorization", NULL);
            return;
        }
        if (r->by_token && !r->token_write && strcmp(r->method, "GET") != 0) {
            refuse(s, r, CW_EFORBIDDEN, "token_read_only", "Authorization", NULL);
            return;
        }
        if (!(r->who.role & rt->roles)) {
            refuse(s, r, CW_EFORBIDDEN, "role_may_not", "role",
                   (rt->flags & RF_CHILD) ? r->param[0] : NULL);
            return;
        }
        if ((rt->flags & RF_WRITE) && r->by_cookie) {
            const char *sent = header(r, "X-CSRF-Token");
            if (!sent || strlen(sent) != strlen(r->csrf) ||
                sodium_memcmp(sent, r->csrf, strlen(sent)) != 0) {
                refuse(s, r, CW_EFORBIDDEN, "csrf", "X-CSRF-Token", NULL);
                return;
            }
        }
        if (rt->flags & RF_CHILD) {
            rc = cw_access_child_as(r->ro, &r->who, r->param[0], 0, !(rt->flags & RF_NO_AUDIT),
                                    &err);
            if (rc) {
                cw_resp_err(r, &err);
                if (rc == CW_EFORBIDDEN || rc == CW_ENOTFOUND)
                    cw_http_record_access(s, r, r->param[0], 0, r->status);
                return;
            }
        }
    }
    cw_error_clear(&err);
    rc = rt->fn(s, r, &err);
    if (rc)
        cw_resp_err(r, &err);
    /* A look that cannot be recorded is not shown: the record is withheld (503 when the
     * storage is failing: the look may be tried again once it works). */
    if ((rt->flags & RF_CHILD) && !r->recorded &&
        (rc = cw_http_record_access(s, r, r->param[0], r->status < 400, r->status)) != CW_OK &&
        r->status < 400)
        cw_resp_key(r, rc == CW_EUNAVAIL ? CW_EUNAVAIL : CW_EIO, "look_not_recorded", NULL, NULL);
}

/* ---- connections: the limits on slow clients ----
 *
 * libmicrohttpd times a connection out only after CONNECTION_TIMEOUT without a byte, so a
 * client sending a header line a second would keep its connection (and its thread) for
 * ever; a few hundred such connections would starve everyone. Beside the limit per client
 * address (MHD_OPTION_PER_IP_CONNECTION_LIMIT), each connection is therefore in a list with
 * the phase it is in and when that began:
 *
 *   C_HEAD   from the connection opening, or the first byte of a later request on it, until
 *            the request line and every header have arrived: at most header_timeout_s
 *   C_BODY   from then until the body has arrived: at most body_timeout_s
 *   C_BUSY   being handled and answered: no deadline here (the inactivity timeout still
 *            applies to a client that stops reading the answer)
 *   C_IDLE   kept open after a request, none begun: no deadline here (the inactivity
 *            timeout closes it); the watchdog sees the next request's first byte arrive from
 *            the kernel's TCP_INFO (tcpi_last_data_recv), within its quarter-second tick,
 *            and the head's deadline counts from then
 *   C_CUT    cut at a deadline
 *
 * A watchdog thread cuts a connection past its deadline with shutdown(2): its thread then
 * reads end-of-file and libmicrohttpd closes it, without an answer (as nginx does when its
 * client_header_timeout passes). shutdown never closes the socket, and libmicrohttpd closes
 * a connection's socket only after NOTIFY_CLOSED, which takes conn_mu to leave the list: a
 * socket in the list is open, and the watchdog only touches it holding conn_mu.
 */
enum { C_HEAD, C_BODY, C_BUSY, C_IDLE, C_CUT };

typedef struct conn_state {
    struct conn_state *prev, *next;
    const cw_http_srv *srv;
    int fd;
    int phase;
    int64_t since_ns; /* when the phase began */
} conn_state;

static void conn_phase(cw_http_srv *s, conn_state *c, int phase)
{
    if (!c)
        return;
    pthread_mutex_lock(&s->conn_mu);
    if (c->phase != C_CUT) {
        c->phase = phase;
        c->since_ns = now_ns();
    }
    pthread_mutex_unlock(&s->conn_mu);
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    cw_http_srv *s = cls;
    conn_state *c = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!fd)
            return;
        if (!(c = calloc(1, sizeof *c))) {
            shutdown(fd->connect_fd, SHUT_RDWR); /* no room to watch it: not served */
            return;
        }
        c->srv = s;
        c->fd = fd->connect_fd;
        c->phase = C_HEAD;
        c->since_ns = now_ns();
        pthread_mutex_lock(&s->conn_mu);
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        pthread_mutex_unlock(&s->conn_mu);
        *socket_context = c;
    } else if (c) {
        pthread_mutex_lock(&s->conn_mu);
        if (c->prev)
            c->prev->next = c->next;
        else
            s->conns = c->next;
        if (c->next)
            c->next->prev = c->prev;
        pthread_mutex_unlock(&s->conn_mu);
        free(c);
        *socket_context = NULL;
    }
}

/* Every quarter of a second: cuts the connections past their deadline. */
static void *watchdog(void *arg)
{
    cw_http_srv *s = arg;
    int64_t head_ns = (int64_t)s->o.header_timeout_s * 1000000000;
    int64_t body_ns = (int64_t)s->o.body_timeout_s * 1000000000;
    pthread_mutex_lock(&s->conn_mu);
    while (!s->watch_stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 250 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->conn_wake, &s->conn_mu, &until);
        int64_t now = now_ns();
        for (conn_state *c = s->conns; c; c = c->next) {
            struct tcp_info ti;
            socklen_t len = sizeof ti;
            if (c->phase == C_IDLE && getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
                len >= offsetof(struct tcp_info, tcpi_last_data_recv) +
                           sizeof ti.tcpi_last_data_recv) {
                int64_t got = now - (int64_t)ti.tcpi_last_data_recv * 1000000;
                /* The kernel counts in jiffies (up to 10 ms): a request answered within
                 * that of its arrival must not look like the next one beginning. */
                if (got > c->since_ns + 100 * 1000 * 1000) { /* the next request has begun */
                    c->phase = C_HEAD;
                    c->since_ns = got;
                }
            }
            int late = (c->phase == C_HEAD && head_ns && now - c->since_ns > head_ns) ||
                       (c->phase == C_BODY && body_ns && now - c->since_ns > body_ns);
            if (!late)
                continue;
            __atomic_add_fetch(c->phase == C_HEAD ? &s->cut_head : &s->cut_body, 1,
                               __ATOMIC_RELAXED);
            c->phase = C_CUT;
            shutdown(c->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&s->conn_mu);
    return NULL;
}

void cw_http_metrics_connections(cw_http_srv *s, cw_buf *b)
{
    size_t open = 0;
    pthread_mutex_lock(&s->conn_mu);
    for (conn_state *c = s->conns; c; c = c->next)
        open++;
    pthread_mutex_unlock(&s->conn_mu);
    cw_buf_addf(b,
                "# HELP caseward_http_connections Connections open now.\n"
                "# TYPE caseward_http_connections gauge\n"
                "caseward_http_connections %zu\n"
                "# HELP caseward_http_connections_cut_total Connections cut because a request's "
                "headers or body had not arrived in time (serve --header-timeout, "
                "--body-timeout).\n"
                "# TYPE caseward_http_connections_cut_total counter\n"
                "caseward_http_connections_cut_total{phase=\"headers\"} %" PRIu64 "\n"
                "caseward_http_connections_cut_total{phase=\"body\"} %" PRIu64 "\n",
                open, __atomic_load_n(&s->cut_head, __ATOMIC_RELAXED),
                __atomic_load_n(&s->cut_body, __ATOMIC_RELAXED));
}

/* ---- libmicrohttpd callbacks ---- */

/* A request whose target is over URI_MAX, before its headers are read: marked, so that its
 * answer is caseward's 414 rather than the library's. */
static char uri_too_long;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    (void)cls, (void)mc;
    return strlen(uri) > URI_MAX ? &uri_too_long : NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decodes %HH in the path and the query's names and values, as libmicrohttpd
 * does, except "%00": a NUL would end the string there, so that
 * "/app.js%00.png" would name /app.js and "C1%00x" read as "C1". Left as it
 * is, it names nothing.
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *p = s; *p;) {
        int hi = p[0] == '%' ? hex_digit(p[1]) : -1, lo = hi >= 0 ? hex_digit(p[2]) : -1;
        if (lo >= 0 && (hi || lo)) {
            *w++ = (char)(hi * 16 + lo);
            p += 3;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* The bytes of the response's body. */
static size_t body_len(const req *r)
{
    return r->file ? (r->status == 304 ? 0 : r->file->len) : r->out.len;
}

/* ---- headers ---- */

/* The headers every answer carries; csp: the web application's for its files. */
static void security_headers(struct MHD_Response *resp, const char *csp, int secure)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp : "default-src 'none'");
    /* Behind TLS (the proxy terminates it): browsers are to use HTTPS alone from now on. */
    if (secure)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
}

/*
 * The answers libmicrohttpd writes itself (a request it cannot parse, a head past its memory
 * per connection, an HTTP version it does not speak: docs/api.md) are queued with
 * MHD_queue_response, and the library has no hook to add headers to them. caseward defines
 * MHD_queue_response: the executable's definition comes first in the dynamic linker's search,
 * so the library's calls (through its procedure linkage table) reach this one as caseward's do.
 * It gives an answer that lacks them caseward's headers, no-store, a Content-Type for the
 * library's fixed HTML text and, on a connection of a server with secure cookies, HSTS, then
 * queues it with the library's own (RTLD_NEXT). headers_test.sh checks the library's pages: a
 * library built so that its calls no longer come here (-Bsymbolic) fails it rather than passing
 * quietly.
 */
typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
static queue_fn real_queue;
static pthread_once_t real_queue_once = PTHREAD_ONCE_INIT;

static void find_real_queue(void)
{
    void *f = dlsym(RTLD_NEXT, "MHD_queue_response");
    memcpy(&real_queue, &f, sizeof real_queue); /* ISO C has no object-to-function cast */
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    pthread_once(&real_queue_once, find_real_queue);
    if (!real_queue)
        return MHD_NO; /* start() refuses to serve without it */
    if (connection && response && !MHD_get_response_header(response, "X-Content-Type-Options")) {
        const union MHD_ConnectionInfo *sc =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        const conn_state *c = sc ? sc->socket_context : NULL;
        security_headers(response, NULL, c && c->srv->o.secure_cookies);
        if (!MHD_get_response_header(response, "Cache-Control"))
            MHD_add_response_header(response, "Cache-Control", "no-store");
        if (!MHD_get_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE))
            MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "text/html; charset=utf-8"); /* the library's fixed page */
    }
    return real_queue(connection, status_code, response);
}

static enum MHD_Result respond(cw_http_srv *s, req *r)
{
    /* A file of the web application is sent from the table, which outlives the daemon;
     * with its ETag, and revalidated by the browser (no-cache) rather than never kept. */
    const web_file *f = r->file;
    struct MHD_Response *resp =
        f ? MHD_create_response_from_buffer(body_len(r), (void *)(uintptr_t)f->data,
                                            MHD_RESPMEM_PERSISTENT)
          : MHD_create_response_from_buffer(r->out.len,
                                            r->out.data ? r->out.data : (void *)(uintptr_t) "",
                                            MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, "Cache-Control", f ? "no-cache" : "no-store");
    if (f)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
    security_headers(resp, f ? WEB_CSP : NULL, s->o.secure_cookies);
    if (r->retry_after[0])
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r->attachment[0]) {
        char disp[128];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", r->attachment);
        MHD_add_response_header(resp, "Content-Disposition", disp);
    }
    for (int i = 0; i < r->ncookies; i++) {
        char c[360];
        snprintf(c, sizeof c, "%s%s", r->cookies[i], s->o.secure_cookies ? "; Secure" : "");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, c);
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    cw_http_srv *s = cls;
    (void)version;
    req *r = *req_cls;
    if (!r || r == (void *)&uri_too_long) {
        int long_uri = r != NULL;
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->uri_too_long = long_uri;
        const union MHD_ConnectionInfo *hs =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
        r->headers_too_big = hs && hs->header_size > HEADERS_MAX;
        const union MHD_ConnectionInfo *sc =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->c = sc ? sc->socket_context : NULL;
        conn_phase(s, r->c, C_BODY); /* the head has arrived */
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->t0_ns = now_ns();
        r->status = 500;
        cw_buf_init(&r->body, s->o.max_body);
        cw_buf_init(&r->out, (size_t)1 << 31);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t len;
        if (cl && (cw_parse_u64(cl, strlen(cl), &len) || len > s->o.max_body))
            r->too_big = 1;
        *req_cls = r;
        __atomic_add_fetch(&s->active, 1, __ATOMIC_ACQ_REL);
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && cw_buf_add(&r->body, upload, *upload_size))
            r->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    conn_phase(s, r->c, C_BUSY); /* the body too */
    process(s, r);
    pool_put(s, r->ro);
    r->ro = NULL;
    return respond(s, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    cw_http_srv *s = cls;
    req *r = *req_cls;
    (void)conn;
    if (!r || r == (void *)&uri_too_long)
        return;                  /* never handled */
    conn_phase(s, r->c, C_IDLE); /* kept open (or closing) until the next request begins */
    int st = r->status;
    if (st >= 100 && st < 600)
        __atomic_add_fetch(&s->by_status[st / 100], 1, __ATOMIC_RELAXED);
    if (!s->o.quiet) {
        /* Route pattern (or "static"), never the path; no account, no child. */
        const char *name = r->is_static ? "static" : r->rt ? r->rt->pattern : "-";
        double ms = (double)(now_ns() - r->t0_ns) / 1e6;
        char t[CW_RFC3339_MS_LEN + 1] = "";
        cw_time_format_ms(cw_time_now_ms(), t);
        /* The method as sent may be anything: only capitals are printed, so the line stays
         * JSON whatever a client sends. */
        char method[12] = "";
        size_t m = 0;
        for (const char *c = r->method; *c && m < sizeof method - 1; c++)
            if (*c >= 'A' && *c <= 'Z')
                method[m++] = *c;
        method[m] = '\0';
        fprintf(stderr,
                "{\"time\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
                "\"ms\":%.3f,\"bytes\":%zu%s}\n",
                t, method, name, st, ms, body_len(r),
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    }
    pool_put(s, r->ro);
    __atomic_sub_fetch(&s->active, 1, __ATOMIC_ACQ_REL);
    /* A body may hold a password, a response a session token: neither outlives the request. */
    if (r->body.data)
        sodium_memzero(r->body.data, r->body.len);
    sodium_memzero(r->cookies, sizeof r->cookies);
    cw_buf_release(&r->body);
    cw_buf_release(&r->out);
    sodium_memzero(r->token, sizeof r->token);
    free(r);
    *req_cls = NULL;
}

/* ---- start and stop ---- */

struct cw_http {
    cw_http_srv s;
};

static cw_rc parse_listen(const char *listen, struct sockaddr_in *sa, cw_error *err)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    uint64_t port;
    if (!colon || (size_t)(colon - listen) >= sizeof host ||
        cw_parse_u64(colon + 1, strlen(colon + 1), &port) || port > 65535)
        return cw_error_set(err, CW_EUSAGE, "--listen: expected HOST:PORT (e.g. 127.0.0.1:8080)");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return cw_error_set(err, CW_EUSAGE, "--listen: %s is not an IPv4 address", host);
    return CW_OK;
}

/*
 * The listening socket, made before anything else: a second server on a port in use is
 * refused at once, before it opens the log (whose catching up and checks can take a while)
 * or writes anything to it.
 */
static cw_rc listen_on(const struct sockaddr_in *sa, const char *what, int *fd_out, uint16_t *port,
                       cw_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in bound;
    socklen_t blen = sizeof bound;
    if (fd < 0)
        return cw_error_set(err, CW_EIO, "cannot listen on %s: %s", what, strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        int e = errno;
        close(fd);
        return cw_error_set(err, CW_EIO, "cannot listen on %s: %s", what,
                            e == EADDRINUSE ? "the port is in use (is caseward already running?)"
                                            : strerror(e));
    }
    *fd_out = fd;
    *port = ntohs(bound.sin_port);
    return CW_OK;
}

static void release(cw_http_srv *s)
{
    if (s->deep_started)
        pthread_join(s->deep_thread, NULL);
    if (s->watch_started) {
        pthread_mutex_lock(&s->conn_mu);
        s->watch_stop = 1;
        pthread_cond_signal(&s->conn_wake);
        pthread_mutex_unlock(&s->conn_mu);
        pthread_join(s->watch_thread, NULL);
    }
    while (s->conns) { /* none: the daemon said each closed; in case it did not */
        conn_state *c = s->conns;
        s->conns = c->next;
        free(c);
    }
    pthread_mutex_destroy(&s->conn_mu);
    pthread_cond_destroy(&s->conn_wake);
    if (s->acc_started) {
        pthread_mutex_lock(&s->acc_mu);
        s->acc_stop = 1;
        pthread_cond_broadcast(&s->acc_more);
        pthread_mutex_unlock(&s->acc_mu);
        pthread_join(s->acc_thread, NULL);
    }
    free(s->acc_q);
    pthread_mutex_destroy(&s->acc_mu);
    pthread_mutex_destroy(&s->thr_mu);
    pthread_cond_destroy(&s->acc_more);
    for (size_t i = 0; i < s->npool; i++)
        cw_ledger_close(s->pool[i]);
    free(s->pool);
    free(s->sess);
    cw_static_release(&s->web);
    cw_ledger_close(s->writer);
    cw_integrity_free(s->integrity);
    cw_measures_free(s->measures);
    sem_destroy(&s->measuring);
    cw_rules_free(s->pack);
    cw_calendar_release(&s->cal);
    pthread_mutex_destroy(&s->write_mu);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_mutex_destroy(&s->sess_mu);
}

/* Starts the server; unlistened: no socket and no polling thread, the connections given one
 * at a time by cw_http_exchange. */
static cw_rc start(const cw_http_opts *o, int unlistened, cw_http **out, cw_error *err)
{
    *out = NULL;
    if (!o->db)
        return cw_error_set(err, CW_EUSAGE, "--db is required");
    if (sodium_init() < 0)
        return cw_error_set(err, CW_ECRYPTO, "libsodium cannot start");
    /* The library's own, found after caseward's; and caseward's the one every caller reaches. */
    pthread_once(&real_queue_once, find_real_queue);
    void *first = dlsym(RTLD_DEFAULT, "MHD_queue_response"), *ours;
    queue_fn mine = MHD_queue_response;
    memcpy(&ours, &mine, sizeof ours);
    if (!real_queue || real_queue == mine || first != ours)
        return cw_error_set(err, CW_EIO,
                            "libmicrohttpd's MHD_queue_response is not reached through caseward's: "
                            "the library's own error pages would go without caseward's headers "
                            "(docs/api.md)");
    cw_http *h = calloc(1, sizeof *h);
    if (!h)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    cw_http_srv *s = &h->s;
    s->o = *o;
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_mutex_init(&s->sess_mu, NULL);
    pthread_mutex_init(&s->acc_mu, NULL);
    pthread_mutex_init(&s->thr_mu, NULL);
    pthread_cond_init(&s->acc_more, NULL);
    pthread_mutex_init(&s->conn_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->conn_wake, &ca);
    pthread_condattr_destroy(&ca);
    sem_init(&s->measuring, 0, 2);
    struct sockaddr_in sa;
    cw_buf pack = CW_BUF_INIT(64);
    const char *where = o->listen ? o->listen : "127.0.0.1:8080";
    s->listen_fd = -1;
    cw_rc rc = cw_throttle_proxies(s, o->trusted_proxies, err);
    if (!rc && !unlistened)
        rc = parse_listen(where, &sa, err);
    if (!rc && !unlistened)
        rc = listen_on(&sa, where, &s->listen_fd, &s->port, err);
    if (!rc && o->web_dir)
        rc = cw_static_load(&s->web, o->web_dir, err);
    if (!rc && !(rc = cw_ledger_open(o->db, CW_LEDGER_WRITE, &s->writer, err)) &&
        !(rc = cw_casework_catch_up(s->writer, err)) &&
        !(rc = cw_calendar_load_default(&s->cal, err))) {
        if (cw_store_meta_get(cw_ledger_store(s->writer), "rule_pack", &pack, NULL) != CW_OK)
            cw_buf_addstr(&pack, "wales");
        if (!(rc = cw_rules_load_builtin(pack.data, &s->pack, err)))
            rc = cw_measures_load_builtin(s->pack, &s->measures, err);
    }
    /* Device cookies are signed by a key derived from the log's signing key: they outlive a
     * restart with nothing stored (throttle.c). */
    if (!rc && cw_ledger_device_key(s->writer, s->thr.device_key, NULL) == CW_OK)
        s->thr.device_ready = 1;
    /* A write waits at most 15 s behind another process's (an import): then 503 "busy", not
     * requests piling up for the two minutes a command-line writer waits. */
    if (!rc)
        cw_store_set_write_wait(cw_ledger_store(s->writer), SERVER_WRITE_WAIT_MS);
    /* The pack's sign-off rules, in the log, before anyone records work under them. */
    int adopted = 0;
    if (!rc)
        rc = cw_casework_adopt_policy(s->writer, cw_rules_sign_off(s->pack), "system:policy",
                                      &adopted, err);
    cw_buf_release(&pack);
    /* The whole log verified before the first request; what is appended later, at each write. */
    if (!rc && (rc = cw_integrity_open(o->db, &s->integrity, err)))
        cw_error_prefix(err, "the log does not verify, so the server will not start (caseward "
                             "verify --db says more): ");
    if (!rc)
        rc = cw_store_versions(cw_ledger_store(s->writer), &s->seen_schema, &s->seen_data, err);
    s->faults_ok = cw_store_faults(NULL); /* faults met before this server started are not its */
    if (!rc) {
        if (pthread_create(&s->acc_thread, NULL, access_writer, s) != 0)
            rc = cw_error_set(err, CW_ENOMEM, "cannot start the access-log writer");
        else
            s->acc_started = 1;
    }
    if (!rc) {
        if (pthread_create(&s->watch_thread, NULL, watchdog, s) != 0)
            rc = cw_error_set(err, CW_ENOMEM, "cannot start the connections' watchdog");
        else
            s->watch_started = 1;
    }
    if (!rc) {
        /* The memory per connection is well above caseward's own limits on a request's head
         * (URI_MAX, HEADERS_MAX), so that it is caseward that answers those, with its headers;
         * the watchdog above keeps the deadlines, the inactivity timeout the rest.
         * Unlistened (the fuzz targets): the same callbacks and limits, MHD_OPTION_LISTEN_SOCKET
         * last (ignored after MHD_OPTION_END). */
        s->d = MHD_start_daemon(
            unlistened
                ? MHD_USE_NO_LISTEN_SOCKET
                : MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC,
            s->port, NULL, NULL, on_request, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY,
            MHD_OPTION_CONNECTION_LIMIT, o->max_connections ? o->max_connections : 512u,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_address, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)60, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
            NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
            unlistened ? MHD_OPTION_END : MHD_OPTION_LISTEN_SOCKET, s->listen_fd, MHD_OPTION_END);
        if (!s->d)
            rc = cw_error_set(err, CW_EIO, "cannot serve on %s", where);
        else
            s->listen_fd = -1; /* the daemon's now */
    }
    /* Last, so that a server that cannot listen does not wait for it. */
    if (!rc && pthread_create(&s->deep_thread, NULL, deep_check, s) == 0) {
        s->deep_started = 1;
    } else if (!rc) {
        MHD_stop_daemon(s->d);
        rc = cw_error_set(err, CW_ENOMEM, "cannot start the read model's check");
    }
    if (rc) {
        if (s->listen_fd >= 0)
            close(s->listen_fd);
        release(s);
        free(h);
        return rc;
    }
    *out = h;
    return CW_OK;
}

cw_rc cw_http_start(const cw_http_opts *o, cw_http **out, cw_error *err)
{
    return start(o, 0, out, err);
}

cw_rc cw_http_start_unlistened(const cw_http_opts *o, cw_http **out, cw_error *err)
{
    return start(o, 1, out, err);
}

cw_http_srv *cw_http_srv_of(cw_http *h)
{
    return &h->s;
}

/*
 * One connection over a socket pair: the daemon is run in this thread until it closes the
 * connection. The request is written as the daemon reads it; once all of it is written the
 * client's side is shut for writing, so a request cut short ends the connection (after the
 * daemon's answer, if it gives one) rather than waiting for the rest.
 */
cw_rc cw_http_exchange(cw_http *h, const void *request, size_t len, cw_buf *response, cw_error *err)
{
    cw_http_srv *s = &h->s;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return cw_error_set(err, CW_EIO, "socketpair: %s", strerror(errno));
    int fl = fcntl(sv[1], F_GETFL);
    if (fl < 0 || fcntl(sv[1], F_SETFL, fl | O_NONBLOCK) != 0) {
        close(sv[0]);
        close(sv[1]);
        return cw_error_set(err, CW_EIO, "fcntl: %s", strerror(errno));
    }
    /* The client's address as the server sees it: 127.0.0.1 (the sign-in throttle's key). */
    struct sockaddr_in peer;
    memset(&peer, 0, sizeof peer);
    peer.sin_family = AF_INET;
    peer.sin_port = htons(40000);
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(s->d, sv[0], (const struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
        close(sv[0]);
        close(sv[1]);
        return cw_error_set(err, CW_EIO, "the daemon did not take the connection");
    }
    const char *p = request;
    size_t sent = 0;
    int shut = 0;
    cw_rc rc = CW_OK;
    char chunk[4096];
    /* At most 20 s: a request the daemon neither answers nor closes is a hang. */
    int64_t deadline = now_ns() + (int64_t)20 * 1000000000;
    while (now_ns() < deadline) {
        if (sent < len) {
            ssize_t w = send(sv[1], p + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                sent = len; /* the daemon closed it: nothing more to send */
        }
        if (sent == len && !shut) {
            shutdown(sv[1], SHUT_WR);
            shut = 1;
        }
        MHD_run_wait(s->d, 1);
        ssize_t got;
        while ((got = recv(sv[1], chunk, sizeof chunk, 0)) > 0)
            if (response && cw_buf_add(response, chunk, (size_t)got))
                rc = cw_error_set(err, CW_ETOOBIG, "the response is too large");
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            close(sv[1]);
            return rc;
        }
    }
    close(sv[1]);
    MHD_run(s->d);
    return rc ? rc : cw_error_set(err, CW_EBUSY, "the daemon neither answered nor closed");
}

uint16_t cw_http_port(const cw_http *h)
{
    return h->s.port;
}

void cw_http_stop(cw_http *h)
{
    if (!h)
        return;
    cw_http_srv *s = &h->s;
    /* No new connections; then wait (up to 10 s) for requests being handled. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    /* Requests already sent on accepted connections start within a moment: wait a quarter
     * of a second for them, then until none is being handled (at most 10 s). */
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 1000 && (i < 25 || __atomic_load_n(&s->active, __ATOMIC_ACQUIRE) > 0); i++)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    release(s);
    free(h);
}
