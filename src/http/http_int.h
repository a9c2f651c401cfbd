/*
 * http_int.h — inside the server: the request, the signed-in principal, the
 * route table and the server's shared state. See http.h for the pipeline.
 */
#ifndef CW_HTTP_HTTP_INT_H
#define CW_HTTP_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include "casework/accounts.h"
#include "http/http.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "measures/measures.h"
#include "rules/oversight.h"
#include "util/buf.h"
#include "util/messages.h"

/* Roles, one bit each; a route names the roles that may use it. */
enum {
    R_SOCIAL_WORKER = 1u << 0,
    R_TEAM_MANAGER = 1u << 1,
    R_SERVICE_MANAGER = 1u << 2,
    R_HEAD_OF_SERVICE = 1u << 3,
    R_QA_AUDITOR = 1u << 4,
    R_INSPECTOR = 1u << 5,
    R_ADMINISTRATOR = 1u << 6,
    R_DATA_PROTECTION = 1u << 7, /* the data protection officer: decides erasures */
    R_DATA_TEAM = 1u << 8,       /* makes the statutory returns; reads no child's record (the
                                    last bit: src/http/openapi.c lists the roles up to it) */
};
#define R_MANAGERS  (R_TEAM_MANAGER | R_SERVICE_MANAGER | R_HEAD_OF_SERVICE)
#define R_STAFF     (R_SOCIAL_WORKER | R_MANAGERS)
#define R_CASE_READ (R_STAFF | R_QA_AUDITOR | R_INSPECTOR)
#define R_SIGNED_IN                                                                                \
    (R_STAFF | R_QA_AUDITOR | R_INSPECTOR | R_ADMINISTRATOR | R_DATA_PROTECTION | R_DATA_TEAM)

unsigned cw_role_bit(const char *name);
const char *cw_role_name(unsigned bit);

/* Route flags. */
enum {
    RF_CHILD = 1u << 0,     /* {id} names a child: scope checked, the access recorded */
    RF_WRITE = 1u << 1,     /* changes state: CSRF checked for cookie sessions */
    RF_PASSWORD = 1u << 2,  /* allowed while the password must be changed */
    RF_SESSION = 1u << 3,   /* about the session itself: not for API tokens */
    RF_NO_AUDIT = 1u << 4,  /* with RF_CHILD: an auditor's access to the cases drawn for them
                               does not extend to it (the record's access log) */
    RF_NO_READER = 1u << 5, /* answers even when no reader can be had (the storage failing:
                               /healthz says so), r->ro then NULL */
};

/* Who is asking. */
typedef struct principal {
    char username[65];
    char actor[72];    /* "user:NAME", the actor of what they record */
    char staff_id[65]; /* "" if not staff */
    unsigned role;     /* one R_ bit */
    char team_id[65];
    char service_area[101];
    int must_change;
    char language[3]; /* en or cy as the user chose, "" if not */
} principal;

/*
 * Sign-in throttling (throttle.c, docs/deploy.md "Sign-in throttling"). No hard lockout: a
 * stranger's failures never keep an account's owner out. Three kinds of bucket, each a
 * count of failed attempts that decays by one every THR_DECAY_MS and, past its free
 * allowance, a growing delay before the next attempt (1 s, 2 s, 4 s ... THR_DELAY_MAX_MS):
 *   - an account from one address: 3 free;
 *   - an account from every address but its owner's: 10 free (a distributed guess);
 *   - one address across every account but those it owns: 20 free (a spray).
 * An owner's address is one with a successful sign-in to that account in the last
 * THR_OWNER_MS; only successes write the owners' table, so no stranger can push an owner out.
 * A browser with a device cookie from an earlier sign-in to the account (THR_DEVICE_*) is
 * judged by the cookie's own bucket alone: that survives a restart, the owners' table not.
 * Keys are keyed BLAKE2b hashes (a random secret per process): no username or address is
 * kept in the clear. All in memory, per server, bounded: a restart forgets it.
 */
#define THR_PAIRS        32768
#define THR_KEYS         16384
#define THR_OWNERS       16384
#define THR_PAIR_FREE    3
#define THR_ACCOUNT_FREE 10
#define THR_ADDRESS_FREE 20
#define THR_DELAY_MAX_MS (15 * 60 * 1000)
#define THR_DECAY_MS     (10 * 60 * 1000)
#define THR_OWNER_MS     ((int64_t)30 * 24 * 60 * 60 * 1000)
#define THR_PROXIES_MAX  8
/* Device cookies (cw_device, docs/deploy.md): a browser that signed in to an account is
 * judged, for that account, by its cookie's own bucket alone: THR_DEVICE_FREE free failures,
 * then growing delays; at THR_DEVICE_IGNORE failures the cookie is ignored (the attempt is
 * judged as one without it) until the count decays. Valid THR_DEVICE_MS from issue. */
#define THR_DEVICE_FREE   3
#define THR_DEVICE_IGNORE 10
#define THR_DEVICE_MS     ((int64_t)30 * 24 * 60 * 60 * 1000)
#define THR_DEVICE_COOKIE 96 /* room for v1.<issued_ms>.<64 hex> and its NUL */
/* Spray detection: failed or throttled sign-ins in a window of SPRAY_WINDOW_MS from its first;
 * one sign_in_spray_detected entry when they reach SPRAY_ACCOUNTS accounts, or one address
 * tries SPRAY_PER_ADDRESS accounts. SPRAY_PAIRS distinct (account, address) pairs are kept. */
#define SPRAY_WINDOW_MS   (5 * 60 * 1000)
#define SPRAY_ACCOUNTS    10
#define SPRAY_PER_ADDRESS 5
#define SPRAY_PAIRS       1024

/* A client address: IPv6, or IPv4 mapped into it (::ffff:a.b.c.d). */
typedef struct cw_addr {
    uint8_t b[16];
} cw_addr;

typedef struct thr_bucket {
    uint8_t key[16];
    int64_t last_ms; /* the last failure counted (0: slot free) */
    int64_t next_ms; /* no attempt before this */
    uint32_t fails;  /* as of last_ms */
} thr_bucket;

typedef struct signin_guard {
    int ready; /* secret drawn */
    uint8_t secret[32];
    thr_bucket pair[THR_PAIRS], account[THR_KEYS], address[THR_KEYS];
    thr_bucket device[THR_KEYS]; /* by device cookie */
    /* each table's stand-in for keys that find every slot of theirs holding a live count */
    thr_bucket over_pair, over_account, over_address, over_device;
    int device_ready;       /* device_key set (the server's log open for writing) */
    uint8_t device_key[32]; /* signs device cookies: cw_ledger_device_key */
    struct thr_owner {
        uint8_t key[16]; /* the pair's key */
        int64_t ok_ms;   /* its last successful sign-in (0: slot free) */
    } owner[THR_OWNERS];
    cw_addr proxies[THR_PROXIES_MAX]; /* --trusted-proxy */
    size_t nproxies;
    /* the spray window */
    int64_t win_start;
    uint32_t win_failures, win_accounts, win_addresses;
    int win_reported;
    size_t nseen;
    struct thr_seen {
        uint64_t account, address; /* 8 bytes of each key */
    } seen[SPRAY_PAIRS];
    /* metrics */
    uint64_t throttled, sprays;
} signin_guard;

typedef struct cw_http_srv cw_http_srv;
typedef struct req req;

typedef cw_rc (*handler_fn)(cw_http_srv *s, req *r, cw_error *err);

typedef struct route {
    const char *method;
    const char *pattern; /* "/api/v1/children/{id}": {name} matches one path segment */
    handler_fn fn;
    unsigned roles; /* 0: no sign-in needed */
    unsigned flags;
    const char *summary; /* one line, for the OpenAPI document */
} route;

extern const route cw_routes[];
extern const size_t cw_nroutes;

/* ---- the web application's files (static.c) ---- */

/* One file of the web application, in memory from start to stop. */
typedef struct web_file {
    char *path; /* its URL path: "/" and the path below the folder, e.g. "/css/app.css" */
    char *data; /* len bytes, then a NUL */
    size_t len;
    const char *ctype; /* Content-Type, from the extension */
    char etag[19];     /* '"', 16 hex digits, '"': the first 8 bytes of data's BLAKE2b */
} web_file;

/* Every file of the folder, sorted by path; total is the sum of their lengths. */
typedef struct web_files {
    web_file *f;
    size_t n, cap, total;
} web_files;

#define WEB_FILE_MAX  ((size_t)8 << 20)  /* a bigger file: the server does not start */
#define WEB_TOTAL_MAX ((size_t)64 << 20) /* all files together */

/* Content-Security-Policy of the web application's files (API responses: default-src 'none'). */
#define WEB_CSP                                                                                    \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "               \
    "frame-ancestors 'none'; base-uri 'none'"

#define MAX_PARAMS 4

struct req {
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    cw_buf body;
    int too_big;
    const route *rt;
    char param_name[MAX_PARAMS][16];
    char param[MAX_PARAMS][129];
    size_t nparams;
    principal who;
    int signed_in;
    int by_cookie;   /* signed in by the session cookie (CSRF applies) */
    int by_token;    /* signed in by an API token */
    int token_write; /* ... whose scope is write */
    char token[64];
    char csrf[48];  /* the session's CSRF token, to compare */
    cw_ledger *ro;  /* a read-only connection, from the pool */
    cw_lang lang;   /* the language of the server's messages (util/messages.h) */
    int lang_asked; /* ... which the request asked for (Accept-Language) */
    /* the response */
    int status;
    cw_buf out;
    const char *ctype;
    char cookies[3][320];
    int ncookies;
    char retry_after[24]; /* a Retry-After header's value; "" for none */
    char attachment[80];  /* a file's name: Content-Disposition attachment; "" for none */
    int64_t t0_ns;
    int recorded;         /* the access was recorded by the handler itself */
    int is_static;        /* answered from the web application's files: logged as "static" */
    const web_file *file; /* ... this one (200, or 304 when the ETag matched), not out */
    struct conn_state *c; /* its connection's deadlines (server.c); NULL if none */
    int uri_too_long;     /* the request line's target is over URI_MAX: 414 */
    int headers_too_big;  /* the request line and headers are over HEADERS_MAX: 431 */
};

/* Limits on a request's head that caseward answers itself, with its own headers (414, 431).
 * libmicrohttpd's memory per connection (CONN_MEMORY) is well above them; past that the
 * library answers itself (docs/api.md, "Requests and errors"). */
#define URI_MAX     8192
#define HEADERS_MAX 32768
#define CONN_MEMORY ((size_t)128 * 1024)

/* Sessions, in memory: a restart signs everyone out. */
typedef struct session {
    uint8_t key[32]; /* BLAKE2b of the token; the token itself is never kept */
    char username[65];
    char csrf[48];
    int64_t created_ms, last_ms;
    int used;
    principal who;  /* the account and staff record as last read ... */
    int64_t who_ms; /* ... at this time (0: not yet) */
} session;

/* How long a session's principal is reused before the account and staff record are read
 * again: a disabled account or a changed role takes effect within this time. */
#define PRINCIPAL_TTL_MS 2000

struct cw_http_srv {
    cw_http_opts o;
    struct MHD_Daemon *d;
    int listen_fd; /* the listening socket until the daemon takes it; -1 after */
    uint16_t port; /* the port it listens on (the one the system chose, for port 0) */
    web_files web; /* loaded at start when o.web_dir is set; freed after the daemon stops */
    cw_rule_pack *pack;
    cw_measure_set *measures; /* the pack's performance measures (measures/measures.h) */
    sem_t measuring; /* measures computed at once: each reads every child and uses every core,
                        so more wait their turn rather than share the cores and the memory */
    cw_calendar cal;
    pthread_mutex_t write_mu; /* one writer at a time */
    cw_ledger *writer;
    pthread_mutex_t pool_mu; /* read-only connections, reused */
    cw_ledger **pool;
    size_t npool, cap_pool;
    pthread_mutex_t sess_mu;
    session *sess;
    size_t cap_sess, nsess;
    int active; /* requests being handled: a stop waits for them */
    /* sign-in throttling and spray detection (throttle.c), under thr_mu */
    pthread_mutex_t thr_mu;
    signin_guard thr;
    /* record_accessed entries, appended by one thread in groups (server.c) */
    pthread_t acc_thread;
    int acc_started, acc_stop;
    pthread_mutex_t acc_mu;
    pthread_cond_t acc_more;
    struct acc_item **acc_q;
    size_t acc_n, acc_cap;
    /* the log's integrity (server.c): checked before and after every write */
    cw_integrity *integrity;               /* under write_mu */
    int64_t seen_schema, seen_data;        /* the writer's view of the database when last checked */
    int integrity_failed;                  /* atomic; once set, stays set until restart */
    char integrity_what[CW_ERROR_MSG_MAX]; /* what failed; written once, before the flag */
    int read_model_state; /* atomic: 0 being checked, 1 verified, 2 differs or failed,
                             3 not checked (the storage failed: not a difference) */
    /* storage faults (server.c, docs/faults.md): the storage is failing while the process's
     * count of them (cw_store_faults) has moved past faults_ok; a write that commits, or
     * /healthz's probe, moves faults_ok up to it again */
    uint64_t faults_ok; /* atomic */
    int64_t probe_ms;   /* under write_mu: when /healthz last probed */
    pthread_t deep_thread;
    int deep_started;
    /* open connections and the phase each is in, for the deadlines on slow requests (server.c) */
    pthread_mutex_t conn_mu;
    pthread_cond_t conn_wake;
    struct conn_state *conns;
    pthread_t watch_thread;
    int watch_started, watch_stop;
    uint64_t cut_head, cut_body; /* connections cut at a deadline */
    /* metrics */
    uint64_t signins_ok, signins_failed, entries_written;
    uint64_t by_status[6];
};

/*
 * Every write to the log goes between these, with write_mu held: the gate
 * refuses once the log has failed its integrity check, and checks it first
 * when the database was changed other than through this server; done checks
 * what the write appended and the checkpoint it signed.
 */
cw_rc cw_http_write_gate(cw_http_srv *s, cw_error *err);
void cw_http_write_done(cw_http_srv *s);

/*
 * The storage's state: CW_STORE_FAULT_NONE while it works, else the kind of the latest fault
 * (store.h). While it is failing, at most once a second, a probe writes (one row changed and
 * put back, in a transaction of its own) and reads through a connection of its own, and if
 * both work the storage is working again: the server recovers by itself when space comes
 * back, without a restart. Takes write_mu if it is free (never waits for it).
 */
cw_store_fault cw_http_storage_state(cw_http_srv *s);

/* ---- without a socket (server.c): for the fuzz targets (fuzz/http_fuzz.c) ---- */
/* As cw_http_start, but listening nowhere and with no thread of its own polling the
 * connections: cw_http_exchange gives it one at a time. */
cw_rc cw_http_start_unlistened(const cw_http_opts *o, cw_http **out, cw_error *err);
/* Sends request (len bytes, as a client would send them: one or more HTTP requests) on a new
 * connection from 127.0.0.1, runs the daemon until it closes the connection (at most 20 s: else
 * CW_EBUSY), and appends what it answered to response (may be NULL). cw_http_stop ends the server.
 */
cw_rc cw_http_exchange(cw_http *h, const void *request, size_t len, cw_buf *response,
                       cw_error *err);
/* The server's shared state (sessions: cw_session_create). */
cw_http_srv *cw_http_srv_of(cw_http *h);

/* ---- responses (server.c) ---- */
void cw_resp_json(req *r, int status, json_t *body); /* steals body */
void cw_resp_text(req *r, int status, const char *ctype, const char *text, size_t len);
/* With cw_resp_text: the answer is a file to save as name (letters, digits, . _ - only). */
void cw_resp_attachment(req *r, const char *name);
/* {"error": {"code", "message", "field"}}; field taken from a "field: ..." message */
void cw_resp_error(req *r, cw_rc rc, const char *message);
/* Sends err as the JSON error body, in the request's language (docs/api.md, "Errors"). */
void cw_resp_err(req *r, const cw_error *err);
/* A refusal from the message catalogue: key, naming field and quoting a1 (may be NULL). */
void cw_resp_key(req *r, cw_rc rc, const char *key, const char *field, const char *a1);
/* A cookie for the response. max_age CW_COOKIE_SESSION: a browser-session cookie (no
 * Max-Age: gone when the browser closes; the server ends the session itself as well);
 * 0: clears it (Max-Age=0). */
#define CW_COOKIE_SESSION (-1)
void cw_resp_cookie(req *r, const char *name, const char *value, int http_only, int64_t max_age);
/* The same, for /path (no leading slash; cw_resp_cookie's path is "/"). */
void cw_resp_cookie_at(req *r, const char *name, const char *value, const char *path, int http_only,
                       int64_t max_age);
/* The Prometheus lines about connections (cut at a deadline), for /metrics. */
void cw_http_metrics_connections(cw_http_srv *s, cw_buf *b);

/* ---- the web application's files (static.c) ---- */
/*
 * Loads every regular file below dir into w: names beginning with '.', the
 * folder node_modules and symbolic links are skipped, so nothing outside dir
 * is ever served. CW_ETOOBIG names the file past WEB_FILE_MAX or WEB_TOTAL_MAX.
 * On failure w is left empty.
 */
cw_rc cw_static_load(web_files *w, const char *dir, cw_error *err);
void cw_static_release(web_files *w);
/* Whether a request is the web application's to answer: GET or HEAD, and a path outside
 * /api/ that is not /healthz or /metrics. */
int cw_static_wants(const char *method, const char *path);
/* Answers it: the file the path names, else index.html for "/" and for a path whose last
 * segment has no '.', else 404; 304 when If-None-Match names the file's ETag. */
void cw_static_serve(const web_files *w, req *r, const char *path);

/* ---- sessions and principals (session.c) ---- */
cw_rc cw_session_create(cw_http_srv *s, const char *username, char token[64], char csrf[48],
                        cw_error *err);
/* Finds a live session; 0 if none (or expired, which ends it). who receives the cached
 * principal if it is fresh (*fresh = 1). */
int cw_session_find(cw_http_srv *s, const char *token, char username[65], char csrf[48],
                    principal *who, int *fresh);
/* ---- sign-in throttling (throttle.c) ---- */
/* Reads --trusted-proxy's list (addresses separated by commas) into s; CW_EUSAGE if one is not
 * an IPv4 or IPv6 address. */
cw_rc cw_throttle_proxies(cw_http_srv *s, const char *list, cw_error *err);
/* The client's address: the connection's, or, from a trusted proxy, the last address in
 * X-Forwarded-For that is not itself a trusted proxy. */
void cw_client_addr(cw_http_srv *s, req *r, cw_addr *out);
/* The same from the connection's address and its X-Forwarded-For (NULL if none). */
void cw_throttle_forwarded(cw_http_srv *s, const cw_addr *peer, const char *xff, cw_addr *out);
/* What cw_throttle_check decided, for cw_throttle_ok and cw_throttle_failed. */
typedef struct thr_ticket {
    int owner;      /* the address owns the account: the shared buckets were not counted */
    int device;     /* judged by the device cookie's bucket alone (dk) */
    uint8_t dk[16]; /* that bucket's key */
    int64_t now_ms; /* when checked, on the throttle's monotonic clock */
} thr_ticket;
/*
 * Whether username may try a password from addr now: CW_OK, with the attempt counted as a
 * failure until cw_throttle_ok gives it back; else CW_ELIMIT ("too_many_sign_ins", naming the
 * seconds to wait) and *wait_s, the Retry-After. Decided by the name as typed, whether or not
 * an account has it: the answer says nothing of which accounts exist.
 */
cw_rc cw_throttle_check(cw_http_srv *s, const char *username, const cw_addr *addr,
                        const char *device, thr_ticket *t, int64_t *wait_s, cw_error *err);
/* A successful sign-in: the pair starts again and the address becomes the account's owner.
 * device: a cw_device cookie (may be NULL), which, if valid for username (signed by the
 * server's device key, issued under THR_DEVICE_MS ago), has the attempt judged by its own
 * bucket alone, never the account's or the address's. */
void cw_throttle_ok(cw_http_srv *s, const char *username, const cw_addr *addr, const thr_ticket *t);
/* An attempt that ended without a verdict (a storage error before or after the password was
 * checked): gives back the failure counted up front, in every bucket it was counted in. */
void cw_throttle_undo(cw_http_srv *s, const char *username, const cw_addr *addr,
                      const thr_ticket *t);
/* A refused or throttled sign-in, for spray detection; records sign_in_spray_detected (as
 * system:sign_in) when this one makes the window a spray. */
void cw_throttle_failed(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now_ms);
/* now_ms above is the ticket's: the throttle's own monotonic clock (throttle.c), not the
 * wall's; the _at functions below take one clock for both (the tests'). */
/* Keys (pairs, accounts, addresses) being delayed now, for /metrics. */
size_t cw_throttle_keys(cw_http_srv *s);
/* The same at a time the caller gives (tests/throttle_test.c drives its own clock). A spray
 * found by cw_throttle_failed_at is returned (1 and *sp), not recorded. */
typedef struct thr_spray {
    int64_t from, to;
    uint32_t failures, accounts, addresses;
} thr_spray;
cw_rc cw_throttle_check_at(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now,
                           thr_ticket *t, int64_t *wait_s, cw_error *err);
cw_rc cw_throttle_check_dev_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                               const char *device, int64_t now, thr_ticket *t, int64_t *wait_s,
                               cw_error *err);
/* A device cookie's value for username issued at now_ms (wall clock, ms): v1.<now_ms>.<MAC>,
 * the MAC a keyed BLAKE2b-256 (the device key) of the name as typed and now_ms. -1 if the
 * server has no device key. */
int cw_throttle_device_cookie(cw_http_srv *s, const char *username, int64_t now_ms,
                              char out[THR_DEVICE_COOKIE]);
void cw_throttle_ok_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                       const thr_ticket *t, int64_t now);
int cw_throttle_failed_at(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now,
                          thr_spray *sp);
size_t cw_throttle_keys_at(cw_http_srv *s, int64_t now);
void cw_throttle_undo_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                         const thr_ticket *t, int64_t now);
/* Keeps a freshly read principal with the session. */
void cw_session_keep(cw_http_srv *s, const char *token, const principal *who);
void cw_session_end(cw_http_srv *s, const char *token);
void cw_session_end_user(cw_http_srv *s, const char *username);
/* Fills who from the account and the staff record; CW_EAUTH if it may not sign in. */
cw_rc cw_principal_load(cw_http_srv *s, cw_ledger *ro, const char *username, principal *who,
                        cw_error *err);

/* ---- scope (access.c) ---- */
/* CW_OK if who may read (or, with write, change) the child's record. */
cw_rc cw_access_child(cw_ledger *ro, const principal *who, const char *child_id, int write,
                      cw_error *err);
/* The same; audit 0: without an auditor's access to the cases drawn for them. */
cw_rc cw_access_child_as(cw_ledger *ro, const principal *who, const char *child_id, int write,
                         int audit, cw_error *err);
/* The data protection officer decides erasures (erasure_*) and legal holds (legal_hold_*) on
 * any child's record, without case scope: they see no case content. 1 if who may, for type. */
int cw_access_scope_free(const principal *who, const char *type);
/* A team's service area ("" if it has none); *found (may be NULL) says if the team exists. */
cw_rc cw_team_area(cw_ledger *ro, const char *team_id, char area[101], int *found, cw_error *err);
/* CW_OK if who may see a team's caseload (its service area as given). */
/*
 * The two-person rule (docs/events.md): CW_EFORBIDDEN (access_needs_second) if a staff_changed
 * or restriction_changed recorded by a signed-in person would widen who can see children's
 * records in st as it is now; CW_EINVAL if it names a proposal (caseward's to record).
 */
cw_rc cw_http_two_person(cw_store *st, const char *type, const json_t *p, cw_error *err);
cw_rc cw_access_team(cw_ledger *ro, const principal *who, const char *team_id,
                     const char *service_area, cw_error *err);

/* Event types not recorded through POST /api/v1/commands/{type}: the server, `caseward
 * user`, `caseward token` and `caseward escalate` record them. */
int cw_http_reserved_type(const char *type);

/* ---- the writer ---- */
/* A query parameter of the request, or NULL; the request body as a JSON object (routes.c). */
const char *cw_http_query(req *r, const char *name);
cw_rc cw_http_body_object(req *r, json_t **out, cw_error *err);

/* Case-file audits' routes (audits.c, docs/audits.md). */
cw_rc cw_http_audits(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_framework(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_returns(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_create(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_sample(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_issue(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_report(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_audit_reports(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_child_audits(cw_http_srv *s, req *r, cw_error *err);
/* Refuses work on a programme's cases recorded after the programme's last day. */
cw_rc cw_http_audit_command_check(req *r, const char *type, const json_t *p, cw_error *err);

/* Improvement plans' read routes (improve.c, docs/api.md "Improvement plans"). */
cw_rc cw_http_improvement(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_improvement_plan(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_improvement_action(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_improvement_budget(cw_http_srv *s, req *r, cw_error *err);
/* The board's and the minister's report: read (json, html, csv) and issue (improve_report.c). */
cw_rc cw_http_improve_report(cw_http_srv *s, req *r, cw_error *err);
cw_rc cw_http_improve_issue(cw_http_srv *s, req *r, cw_error *err);

/* Appends one event through the server's group writer, waiting until it is committed. */
cw_rc cw_http_write(cw_http_srv *s, const cw_event *ev, uint64_t *index, uint64_t *size,
                    cw_error *err);
/* The same for a command by who: inside the writer's transaction, who must still have write
 * scope on every child the command is about (else CW_EFORBIDDEN, nothing written). */
cw_rc cw_http_write_as(cw_http_srv *s, const principal *who, const cw_event *ev, uint64_t *index,
                       uint64_t *size, cw_error *err);
/* Records a record_accessed entry (through cw_http_write); detail (may be NULL) follows the
 * route in its "what", e.g. the range of log entries read. */
cw_rc cw_http_record_access_detail(cw_http_srv *s, req *r, const char *child_id, int allowed,
                                   int status, const char *detail);
/* The same without detail. */
cw_rc cw_http_record_access(cw_http_srv *s, req *r, const char *child_id, int allowed, int status);

#endif
