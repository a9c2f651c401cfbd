/*
 * throttle.c — sign-in throttling that a stranger cannot turn against an
 * account's owner, and spray detection (http_int.h, "Sign-in throttling";
 * docs/deploy.md).
 *
 * Every attempt is counted as a failure before its password is checked, in
 * the buckets that apply to it, so attempts at the same instant all count;
 * a success gives the shared buckets their count back and clears its pair.
 * An attempt is refused (429) while any of its buckets is delayed; refused
 * attempts are not counted (no password was checked), so a flood moves no
 * bucket further. The owner's address is judged only by its own pair: a
 * failure from elsewhere never delays it, and no stranger can evict it from
 * the owners' table, which only successful sign-ins write.
 *
 * A browser that signed in before carries a device cookie (cw_device, signed
 * with a key derived from the log's signing key, so it outlives a restart with
 * nothing stored): an attempt with a valid one for the name typed is judged by
 * the cookie's own bucket alone, so a stranger holding the account's bucket
 * at its cap keeps out only browsers that never signed in to it.
 *
 * Invariants: every table is fixed in size (http_int.h), so memory does not
 * grow with an attack; a key takes a free slot, or one with nothing left to
 * forget, among its eight; if all eight hold live counts, it shares the
 * table's overflow bucket (fail closed): no flood pushes a count out.
 * Nothing here holds a username or an address in the clear.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/socket.h>

#include "http/http_int.h"
#include "util/time.h"

#define PROBES 8

/* The throttle's clock: monotonic, so a wall clock stepped back lengthens no delay. Offset
 * by a day so that 0 (a free slot's last_ms) is never a real time. Device cookies are dated
 * on the wall clock, which they must be to outlive a restart. */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 86400000;
}

/* The caller holds thr_mu. */
static void ready(signin_guard *g)
{
    if (!g->ready) {
        randombytes_buf(g->secret, sizeof g->secret);
        g->ready = 1;
    }
}

/* A keyed BLAKE2b-128 of kind ('p' pair, 'a' account, 'i' address), the name and the address. */
static void key_of(const signin_guard *g, char kind, const char *username, const cw_addr *addr,
                   uint8_t key[16])
{
    crypto_generichash_state st;
    static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    crypto_generichash_init(&st, g->secret, sizeof g->secret, 16);
    crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
    if (username)
        crypto_generichash_update(&st, (const unsigned char *)username, strlen(username) + 1);
    /* An IPv6 client by its /64: one host is commonly given a whole /64, and would otherwise
     * have 2^64 addresses to rotate through. */
    if (addr)
        crypto_generichash_update(&st, addr->b, memcmp(addr->b, v4, 12) ? 8 : sizeof addr->b);
    crypto_generichash_final(&st, key, 16);
}

static uint32_t slot_of(const uint8_t key[16], uint32_t n)
{
    uint32_t h;
    memcpy(&h, key, sizeof h);
    return h % n;
}

/* The count as it stands now: one less for each THR_DECAY_MS since the last failure. */
static uint32_t fails_now(const thr_bucket *b, int64_t now)
{
    if (!b->last_ms)
        return 0;
    int64_t gone = (now - b->last_ms) / THR_DECAY_MS;
    return gone >= (int64_t)b->fails ? 0 : b->fails - (uint32_t)(gone < 0 ? 0 : gone);
}

/* The delay after n failures in a bucket that allows free of them. */
static int64_t delay_after(uint32_t n, uint32_t free)
{
    if (n < free)
        return 0;
    uint32_t k = n - free;
    return k >= 20                                   ? THR_DELAY_MAX_MS
           : ((int64_t)1000 << k) > THR_DELAY_MAX_MS ? THR_DELAY_MAX_MS
                                                     : (int64_t)1000 << k;
}

/* The bucket of key; if it has none: NULL unless make, and with make a new one in a free slot
 * or in place of one that holds nothing worth keeping (no failure left to forget, not
 * delaying). When all of key's slots hold live counts, the table's shared overflow bucket
 * stands in for key, made or not: a flood of new keys then throttles itself and every other
 * new key (fail closed), but never pushes out a count already being kept. */
static thr_bucket *bucket(thr_bucket *t, uint32_t n, const uint8_t key[16], int64_t now, int make,
                          thr_bucket *overflow)
{
    uint32_t h = slot_of(key, n);
    thr_bucket *victim = NULL;
    for (uint32_t k = 0; k < PROBES; k++) {
        thr_bucket *b = &t[(h + k) % n];
        if (b->last_ms && !memcmp(b->key, key, 16))
            return b;
        if (b->next_ms > now || fails_now(b, now))
            continue;
        if (!victim || b->last_ms < victim->last_ms)
            victim = b;
    }
    if (!victim)
        return overflow;
    if (!make)
        return NULL;
    memset(victim, 0, sizeof *victim);
    memcpy(victim->key, key, 16);
    return victim;
}

/* Counts one failure in b. */
static void bump(thr_bucket *b, uint32_t free, int64_t now)
{
    b->fails = fails_now(b, now) + 1;
    b->last_ms = now;
    int64_t d = delay_after(b->fails, free);
    b->next_ms = d ? now + d : 0;
}

/* Gives back the failure counted up front for an attempt that succeeded. */
static void give_back(thr_bucket *b, uint32_t free, int64_t now)
{
    uint32_t n = fails_now(b, now);
    b->fails = n ? n - 1 : 0;
    b->last_ms = now;
    if (!delay_after(b->fails, free))
        b->next_ms = 0;
}

static struct thr_owner *owner_slot(signin_guard *g, const uint8_t key[16], int make)
{
    uint32_t h = slot_of(key, THR_OWNERS);
    struct thr_owner *oldest = NULL;
    for (uint32_t k = 0; k < PROBES; k++) {
        struct thr_owner *o = &g->owner[(h + k) % THR_OWNERS];
        if (o->ok_ms && !memcmp(o->key, key, 16))
            return o;
        if (!oldest || o->ok_ms < oldest->ok_ms)
            oldest = o;
    }
    if (!make)
        return NULL;
    memcpy(oldest->key, key, 16);
    return oldest;
}

static int is_owner(signin_guard *g, const uint8_t pk[16], int64_t now)
{
    const struct thr_owner *o = owner_slot(g, pk, 0);
    return o && now - o->ok_ms < THR_OWNER_MS;
}

/* ---- addresses ---- */

static int parse_addr(const char *text, size_t len, cw_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    /* [v6]:port or [v6], and a.b.c.d:port, as some proxies write them */
    if (len && *text == '[') {
        const char *close = memchr(text, ']', len);
        if (!close || (close + 1 < text + len && close[1] != ':'))
            return -1;
        len = (size_t)(close - text) - 1;
        text++;
    } else {
        const char *colon = memchr(text, ':', len);
        if (colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - text)) &&
            memchr(text, '.', (size_t)(colon - text)))
            len = (size_t)(colon - text);
    }
    if (!len || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct in_addr v4;
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        out->b[10] = out->b[11] = 0xff;
        memcpy(out->b + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, buf, out->b) == 1 ? 0 : -1;
}

cw_rc cw_throttle_proxies(cw_http_srv *s, const char *list, cw_error *err)
{
    signin_guard *g = &s->thr;
    g->nproxies = 0;
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (g->nproxies == THR_PROXIES_MAX)
            return cw_error_set(err, CW_EUSAGE, "--trusted-proxy: at most %d addresses",
                                THR_PROXIES_MAX);
        if (parse_addr(p, len, &g->proxies[g->nproxies]))
            return cw_error_set(err, CW_EUSAGE,
                                "--trusted-proxy: %.*s is not an IPv4 or IPv6 address",
                                (int)(len > 64 ? 64 : len), p);
        g->nproxies++;
        p = end ? end + 1 : p + len;
    }
    return CW_OK;
}

static int trusted(const signin_guard *g, const cw_addr *a)
{
    for (size_t i = 0; i < g->nproxies; i++)
        if (!memcmp(g->proxies[i].b, a->b, sizeof a->b))
            return 1;
    return 0;
}

static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    cw_buf *b = cls;
    if (key && value && !strcasecmp(key, "X-Forwarded-For") && b->len < 8192) {
        if (b->len)
            cw_buf_addstr(b, ",");
        cw_buf_addstr(b, value);
    }
    return MHD_YES;
}

void cw_client_addr(cw_http_srv *s, req *r, cw_addr *out)
{
    memset(out, 0, sizeof *out);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, ci->client_addr, sizeof sin);
        out->b[10] = out->b[11] = 0xff;
        memcpy(out->b + 12, &sin.sin_addr, 4);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, ci->client_addr, sizeof sin6);
        memcpy(out->b, &sin6.sin6_addr, 16);
    }
    if (!s->thr.nproxies) /* nothing believes the header: not read */
        return;
    /* Every X-Forwarded-For line, in order, joined: a proxy that adds a line of its own
     * (HAProxy) leaves the client's forged line first, which alone would be the client's. */
    cw_buf xff = CW_BUF_INIT(16384);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, join_xff, &xff);
    cw_addr peer = *out;
    cw_throttle_forwarded(s, &peer, xff.len ? xff.data : NULL, out);
    cw_buf_release(&xff);
}

void cw_throttle_forwarded(cw_http_srv *s, const cw_addr *peer, const char *xff, cw_addr *out)
{
    *out = *peer;
    /* The proxies are read once at start and never change: no lock. */
    if (!s->thr.nproxies || !trusted(&s->thr, peer))
        return;
    /* From a trusted proxy: the address it saw, the last in X-Forwarded-For that is not a
     * trusted proxy too. A value that does not parse ends the walk at the address before it,
     * so a forged header can only make its sender share a proxy's buckets. */
    size_t len = xff ? strlen(xff) : 0;
    while (len) {
        size_t start = len;
        while (start && xff[start - 1] != ',')
            start--;
        cw_addr a;
        if (parse_addr(xff + start, len - start, &a))
            return;
        *out = a;
        if (!trusted(&s->thr, &a))
            return;
        len = start ? start - 1 : 0;
    }
}

/* A refusal: CW_ELIMIT naming the seconds to wait. */
static cw_rc refuse(int64_t wait_ms, int64_t *wait_s, cw_error *err)
{
    *wait_s = (wait_ms + 999) / 1000;
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)*wait_s);
    return cw_error_key(err, CW_ELIMIT, "too_many_sign_ins", "password", secs, NULL);
}

/* ---- device cookies ---- */

/* The MAC of a device cookie: keyed BLAKE2b-256 of "v1", the name as typed and issued_ms. */
static void device_mac(const signin_guard *g, const char *username, int64_t issued_ms,
                       uint8_t mac[32])
{
    crypto_generichash_state st;
    uint8_t when[8];
    for (int k = 0; k < 8; k++)
        when[k] = (uint8_t)((uint64_t)issued_ms >> (8 * k));
    crypto_generichash_init(&st, g->device_key, sizeof g->device_key, 32);
    crypto_generichash_update(&st, (const unsigned char *)"v1", 3);
    crypto_generichash_update(&st, (const unsigned char *)username, strlen(username) + 1);
    crypto_generichash_update(&st, when, sizeof when);
    crypto_generichash_final(&st, mac, 32);
}

int cw_throttle_device_cookie(cw_http_srv *s, const char *username, int64_t now_ms,
                              char out[THR_DEVICE_COOKIE])
{
    /* The key is set once at start and never changes: no lock. */
    if (!s->thr.device_ready)
        return -1;
    uint8_t mac[32];
    char hex[65];
    device_mac(&s->thr, username, now_ms, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, THR_DEVICE_COOKIE, "v1.%lld.%s", (long long)now_ms, hex);
    return 0;
}

/* 1 and *dk (the cookie's bucket key) if cookie is a device cookie this server issued for
 * username under THR_DEVICE_MS before wall_ms. The caller holds thr_mu (for g->secret). */
static int device_valid(const signin_guard *g, const char *username, const char *cookie,
                        int64_t wall_ms, uint8_t dk[16])
{
    if (!g->device_ready || !cookie || strncmp(cookie, "v1.", 3))
        return 0;
    const char *p = cookie + 3;
    int64_t issued = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 16; p++, digits++)
        issued = issued * 10 + (*p - '0');
    if (!digits || *p != '.' || strlen(p + 1) != 64)
        return 0;
    /* Not from the future (a minute's grace for a clock set back), not too old. */
    if (issued > wall_ms + 60000 || wall_ms - issued >= THR_DEVICE_MS)
        return 0;
    uint8_t mac[32], given[32];
    if (sodium_hex2bin(given, sizeof given, p + 1, 64, NULL, NULL, NULL))
        return 0;
    device_mac(g, username, issued, mac);
    if (sodium_memcmp(mac, given, sizeof mac))
        return 0;
    crypto_generichash(dk, 16, mac, sizeof mac, g->secret, sizeof g->secret);
    return 1;
}

/* ---- the decision ---- */

static cw_rc check(cw_http_srv *s, const char *username, const cw_addr *addr, const char *device,
                   int64_t wall, int64_t now, thr_ticket *t, int64_t *wait_s, cw_error *err)
{
    signin_guard *g = &s->thr;
    uint8_t pk[16], ak[16], ik[16];
    memset(t, 0, sizeof *t);
    t->now_ms = now;
    *wait_s = 0;
    pthread_mutex_lock(&s->thr_mu);
    ready(g);
    /* A browser that signed in to this account before: judged by its cookie's bucket alone,
     * so no stranger's failures, from anywhere, can keep it out. Too many failures on one
     * cookie and it is ignored, the attempt judged as one without it. */
    if (device_valid(g, username, device, wall, t->dk)) {
        thr_bucket *d = bucket(g->device, THR_KEYS, t->dk, now, 0, &g->over_device);
        if (!d || fails_now(d, now) < THR_DEVICE_IGNORE) {
            t->device = 1;
            if (d && d->next_ms > now) {
                g->throttled++;
                pthread_mutex_unlock(&s->thr_mu);
                return refuse(d->next_ms - now, wait_s, err);
            }
            bump(d ? d : bucket(g->device, THR_KEYS, t->dk, now, 1, &g->over_device),
                 THR_DEVICE_FREE, now);
            pthread_mutex_unlock(&s->thr_mu);
            return CW_OK;
        }
    }
    key_of(g, 'p', username, addr, pk);
    key_of(g, 'a', username, NULL, ak);
    key_of(g, 'i', NULL, addr, ik);
    t->owner = is_owner(g, pk, now);
    /* Looked up first, made only to count: a refused attempt evicts nobody's count. */
    thr_bucket *p = bucket(g->pair, THR_PAIRS, pk, now, 0, &g->over_pair);
    thr_bucket *a = t->owner ? NULL : bucket(g->account, THR_KEYS, ak, now, 0, &g->over_account);
    thr_bucket *i = t->owner ? NULL : bucket(g->address, THR_KEYS, ik, now, 0, &g->over_address);
    int64_t until = p ? p->next_ms : 0;
    if (a && a->next_ms > until)
        until = a->next_ms;
    if (i && i->next_ms > until)
        until = i->next_ms;
    if (until > now) {
        g->throttled++;
        pthread_mutex_unlock(&s->thr_mu);
        return refuse(until - now, wait_s, err);
    }
    bump(p ? p : bucket(g->pair, THR_PAIRS, pk, now, 1, &g->over_pair), THR_PAIR_FREE, now);
    if (!t->owner) {
        bump(a ? a : bucket(g->account, THR_KEYS, ak, now, 1, &g->over_account), THR_ACCOUNT_FREE,
             now);
        bump(i ? i : bucket(g->address, THR_KEYS, ik, now, 1, &g->over_address), THR_ADDRESS_FREE,
             now);
    }
    pthread_mutex_unlock(&s->thr_mu);
    return CW_OK;
}

cw_rc cw_throttle_check_dev_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                               const char *device, int64_t now, thr_ticket *t, int64_t *wait_s,
                               cw_error *err)
{
    return check(s, username, addr, device, now, now, t, wait_s, err);
}

cw_rc cw_throttle_check_at(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now,
                           thr_ticket *t, int64_t *wait_s, cw_error *err)
{
    return cw_throttle_check_dev_at(s, username, addr, NULL, now, t, wait_s, err);
}

cw_rc cw_throttle_check(cw_http_srv *s, const char *username, const cw_addr *addr,
                        const char *device, thr_ticket *t, int64_t *wait_s, cw_error *err)
{
    return check(s, username, addr, device, cw_time_now_ms(), mono_ms(), t, wait_s, err);
}

void cw_throttle_ok_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                       const thr_ticket *t, int64_t now)
{
    signin_guard *g = &s->thr;
    uint8_t pk[16], ak[16], ik[16];
    pthread_mutex_lock(&s->thr_mu);
    ready(g);
    if (t->device) {
        thr_bucket *d = bucket(g->device, THR_KEYS, t->dk, now, 0, &g->over_device);
        if (d == &g->over_device)
            give_back(d, THR_DEVICE_FREE, now);
        else if (d)
            memset(d, 0, sizeof *d);
        pthread_mutex_unlock(&s->thr_mu);
        return;
    }
    key_of(g, 'p', username, addr, pk);
    thr_bucket *p = bucket(g->pair, THR_PAIRS, pk, now, 0, &g->over_pair);
    if (p == &g->over_pair)
        give_back(p, THR_PAIR_FREE, now);
    else if (p)
        memset(p, 0, sizeof *p);
    if (!t->owner) {
        key_of(g, 'a', username, NULL, ak);
        key_of(g, 'i', NULL, addr, ik);
        thr_bucket *a = bucket(g->account, THR_KEYS, ak, now, 0, &g->over_account);
        thr_bucket *i = bucket(g->address, THR_KEYS, ik, now, 0, &g->over_address);
        if (a)
            give_back(a, THR_ACCOUNT_FREE, now);
        if (i)
            give_back(i, THR_ADDRESS_FREE, now);
    }
    owner_slot(g, pk, 1)->ok_ms = now;
    pthread_mutex_unlock(&s->thr_mu);
}

void cw_throttle_ok(cw_http_srv *s, const char *username, const cw_addr *addr, const thr_ticket *t)
{
    cw_throttle_ok_at(s, username, addr, t, mono_ms());
}

void cw_throttle_undo_at(cw_http_srv *s, const char *username, const cw_addr *addr,
                         const thr_ticket *t, int64_t now)
{
    signin_guard *g = &s->thr;
    uint8_t k[16];
    pthread_mutex_lock(&s->thr_mu);
    ready(g);
    thr_bucket *b;
    if (t->device) {
        if ((b = bucket(g->device, THR_KEYS, t->dk, now, 0, &g->over_device)))
            give_back(b, THR_DEVICE_FREE, now);
        pthread_mutex_unlock(&s->thr_mu);
        return;
    }
    key_of(g, 'p', username, addr, k);
    if ((b = bucket(g->pair, THR_PAIRS, k, now, 0, &g->over_pair)))
        give_back(b, THR_PAIR_FREE, now);
    if (!t->owner) {
        key_of(g, 'a', username, NULL, k);
        if ((b = bucket(g->account, THR_KEYS, k, now, 0, &g->over_account)))
            give_back(b, THR_ACCOUNT_FREE, now);
        key_of(g, 'i', NULL, addr, k);
        if ((b = bucket(g->address, THR_KEYS, k, now, 0, &g->over_address)))
            give_back(b, THR_ADDRESS_FREE, now);
    }
    pthread_mutex_unlock(&s->thr_mu);
}

void cw_throttle_undo(cw_http_srv *s, const char *username, const cw_addr *addr,
                      const thr_ticket *t)
{
    cw_throttle_undo_at(s, username, addr, t, mono_ms());
}

size_t cw_throttle_keys_at(cw_http_srv *s, int64_t now)
{
    signin_guard *g = &s->thr;
    size_t n = 0;
    pthread_mutex_lock(&s->thr_mu);
    for (size_t k = 0; k < THR_PAIRS; k++)
        n += g->pair[k].last_ms && g->pair[k].next_ms > now;
    for (size_t k = 0; k < THR_KEYS; k++)
        n += (g->account[k].last_ms && g->account[k].next_ms > now) +
             (g->address[k].last_ms && g->address[k].next_ms > now) +
             (g->device[k].last_ms && g->device[k].next_ms > now);
    pthread_mutex_unlock(&s->thr_mu);
    return n;
}

size_t cw_throttle_keys(cw_http_srv *s)
{
    return cw_throttle_keys_at(s, mono_ms());
}

/* ---- sprays ---- */

/* Counts one failure in the window; 1 and *out when it makes the window a spray (once per
 * window). The caller holds thr_mu. */
static int note(signin_guard *g, uint64_t acct, uint64_t where, int64_t now, thr_spray *out)
{
    if (!g->win_start || now - g->win_start >= SPRAY_WINDOW_MS) {
        g->win_start = now;
        g->win_failures = g->win_accounts = g->win_addresses = 0;
        g->win_reported = 0;
        g->nseen = 0;
    }
    g->win_failures++;
    int acct_seen = 0, where_seen = 0, pair_seen = 0;
    uint32_t here = 0; /* accounts tried from this address */
    for (size_t k = 0; k < g->nseen; k++) {
        const struct thr_seen *x = &g->seen[k];
        acct_seen |= x->account == acct;
        if (x->address == where) {
            where_seen = 1;
            here++;
            pair_seen |= x->account == acct;
        }
    }
    /* Past SPRAY_PAIRS pairs the counts stop growing: they are at least what is reported. */
    if (!pair_seen && g->nseen < SPRAY_PAIRS) {
        g->seen[g->nseen].account = acct;
        g->seen[g->nseen].address = where;
        g->nseen++;
        here++;
        g->win_accounts += !acct_seen;
        g->win_addresses += !where_seen;
    }
    if (g->win_reported || (g->win_accounts < SPRAY_ACCOUNTS && here < SPRAY_PER_ADDRESS))
        return 0;
    g->win_reported = 1;
    g->sprays++;
    *out = (thr_spray){g->win_start, now, g->win_failures, g->win_accounts, g->win_addresses};
    return 1;
}

int cw_throttle_failed_at(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now_ms,
                          thr_spray *sp)
{
    signin_guard *g = &s->thr;
    uint8_t ak[16], ik[16];
    uint64_t acct, where;
    pthread_mutex_lock(&s->thr_mu);
    ready(g);
    key_of(g, 'a', username, NULL, ak);
    key_of(g, 'i', NULL, addr, ik);
    memcpy(&acct, ak, sizeof acct);
    memcpy(&where, ik, sizeof where);
    int found = note(g, acct, where, now_ms, sp);
    pthread_mutex_unlock(&s->thr_mu);
    return found;
}

void cw_throttle_failed(cw_http_srv *s, const char *username, const cw_addr *addr, int64_t now_ms)
{
    thr_spray sp;
    if (!cw_throttle_failed_at(s, username, addr, now_ms, &sp))
        return;
    /* The window is on the throttle's monotonic clock: dated for the log on the wall's. */
    int64_t to_wall = cw_time_now_ms() - mono_ms();
    sp.from += to_wall;
    sp.to += to_wall;
    /* Facts only: no username and no address, not even hashed (docs/events.md). */
    char from[CW_RFC3339_MS_LEN + 1], to[CW_RFC3339_MS_LEN + 1];
    if (cw_time_format_ms(sp.from, from) || cw_time_format_ms(sp.to, to))
        return;
    json_t *p = json_pack("{s:s, s:s, s:I, s:I, s:I}", "window_start", from, "window_end", to,
                          "failures", (json_int_t)sp.failures, "accounts", (json_int_t)sp.accounts,
                          "addresses", (json_int_t)sp.addresses);
    if (!p)
        return;
    cw_event ev = {"system:sign_in", "sign_in_spray_detected", p};
    cw_error err;
    if (cw_http_write(s, &ev, NULL, NULL, &err))
        fprintf(stderr, "caseward: a sign-in spray was seen but not recorded: %s\n", err.msg);
    else
        fprintf(stderr,
                "caseward: sign-in spray detected since %s: %u failed sign-ins, %u accounts, "
                "%u addresses (recorded in the log)\n",
                from, sp.failures, sp.accounts, sp.addresses);
    json_decref(p);
}
