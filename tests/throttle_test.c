/*
 * throttle_test.c — sign-in throttling and spray detection (src/http/throttle.c) on a clock
 * the test drives: the delays grow 1 s, 2 s, 4 s ... to 15 minutes and decay; a success
 * clears its pair; a stranger's failures from any number of addresses never delay the
 * owner's own address, and floods of other keys cannot push the owner out of the table;
 * one address spraying many accounts is delayed but not for accounts it owns; a spray is
 * reported once per window; X-Forwarded-For is believed only from a trusted proxy.
 * The HTTP end (429, Retry-After, the log entry, /metrics) is tests/signin_test.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http_int.h"

static cw_http_srv *S;

static int setup(void **state)
{
    (void)state;
    S = calloc(1, sizeof *S);
    assert_non_null(S);
    pthread_mutex_init(&S->thr_mu, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pthread_mutex_destroy(&S->thr_mu);
    free(S);
    return 0;
}

/* 10.X.Y.Z as an address, IPv4 mapped. */
static cw_addr ip(unsigned x, unsigned y, unsigned z)
{
    cw_addr a = {{0}};
    a.b[10] = a.b[11] = 0xff;
    a.b[12] = 10, a.b[13] = (uint8_t)x, a.b[14] = (uint8_t)y, a.b[15] = (uint8_t)z;
    return a;
}

/* One attempt at now: 0 if allowed (and counted as a failure unless ok), else the wait in
 * seconds. */
static int64_t attempt(const char *user, cw_addr a, int64_t now, int ok)
{
    thr_ticket t;
    int64_t wait;
    cw_error err;
    cw_rc rc = cw_throttle_check_at(S, user, &a, now, &t, &wait, &err);
    if (rc) {
        assert_int_equal(rc, CW_ELIMIT);
        assert_string_equal(err.key, "too_many_sign_ins");
        assert_true(wait > 0);
        return wait;
    }
    if (ok)
        cw_throttle_ok_at(S, user, &a, &t, now);
    return 0;
}

static int failed(const char *user, cw_addr a, int64_t now, thr_spray *sp)
{
    return cw_throttle_failed_at(S, user, &a, now, sp);
}

/* Wrong passwords from one address: three free, then 1 s, 2 s, 4 s ... capped at 15 min;
 * each wait is exactly long enough; the right password waits like any other. */
static void test_growing_delays(void **state)
{
    (void)state;
    const cw_addr a = ip(1, 0, 1);
    int64_t now = 1000000;
    for (int i = 0; i < THR_PAIR_FREE; i++)
        assert_int_equal(attempt("ann", a, now, 0), 0);
    int64_t want = 1, prev = 0;
    for (int step = 0; step < 14; step++) {
        int64_t w = attempt("ann", a, now, 1);
        assert_int_equal(w, want);
        assert_true(w >= prev);
        prev = w;
        assert_int_equal(attempt("ann", a, now + w * 1000 - 1, 0), 1); /* 1 ms early */
        now += w * 1000;
        assert_int_equal(attempt("ann", a, now, 0), 0); /* the wait is over: one more try */
        want = want * 2 > THR_DELAY_MAX_MS / 1000 ? THR_DELAY_MAX_MS / 1000 : want * 2;
    }
    assert_int_equal(prev, THR_DELAY_MAX_MS / 1000); /* the cap reached, not passed */
    assert_true(cw_throttle_keys_at(S, now) >= 1);
    /* Another address is not this pair's: free (the account has only 17 failures, all from
     * this one address, which counts them in the account's bucket: more than ten, so a new
     * address waits too, for the account's delay). */
    assert_true(attempt("ann", ip(1, 0, 2), now, 0) > 0);
    /* Time forgives: one failure less each THR_DECAY_MS. */
    now += (int64_t)40 * THR_DECAY_MS;
    assert_int_equal(attempt("ann", a, now, 0), 0);
    assert_int_equal(attempt("ann", a, now, 0), 0);
    assert_int_equal(attempt("ann", a, now, 0), 0);
    assert_int_equal(attempt("ann", a, now, 0), 1);
}

/* A success clears its pair: three more free tries, not the delay the failures had built. */
static void test_success_resets(void **state)
{
    (void)state;
    const cw_addr a = ip(2, 0, 1);
    int64_t now = 5000000;
    for (int i = 0; i < THR_PAIR_FREE; i++)
        assert_int_equal(attempt("bob", a, now, 0), 0);
    assert_int_equal(attempt("bob", a, now, 1), 1);
    now += 1000;
    assert_int_equal(attempt("bob", a, now, 1), 0); /* the right password */
    for (int i = 0; i < THR_PAIR_FREE; i++)
        assert_int_equal(attempt("bob", a, now, 0), 0);
    assert_int_equal(attempt("bob", a, now, 0), 1);
}

/*
 * The denial of service: a stranger guessing one account from many addresses for an
 * hour, trying whenever allowed, and flooding the tables with other keys besides. The owner's
 * own address is never delayed; a new address is (the guess is slowed for everyone else);
 * the stranger gets few guesses.
 */
static void test_owner_never_kept_out(void **state)
{
    (void)state;
    const cw_addr home = ip(3, 0, 1);
    int64_t now = 9000000;
    assert_int_equal(attempt("cat", home, now, 1), 0); /* the owner signs in from home */
    int guesses = 0;
    for (int sec = 0; sec < 3600; sec++) {
        now += 1000;
        /* 200 addresses in turn, a new one each second, at the owner's account ... */
        guesses += attempt("cat", ip(4, 0, (unsigned)sec % 200), now, 0) == 0;
        /* ... and a flood of other names from other addresses, to push keys out */
        for (unsigned k = 0; k < 8; k++) {
            char name[32];
            snprintf(name, sizeof name, "flood%d", sec * 8 + (int)k);
            (void)attempt(name, ip(5, (unsigned)sec % 256, k), now, 0);
        }
        if (sec % 600 == 599) /* the owner, from home, every ten minutes: never waits */
            assert_int_equal(attempt("cat", home, now, 1), 0);
    }
    printf("    a stranger at 200 addresses for an hour: %d guesses allowed\n", guesses);
    assert_true(guesses <= THR_ACCOUNT_FREE + 16);
    assert_true(attempt("cat", ip(6, 0, 1), now, 0) > 0); /* a new address waits */
    assert_int_equal(attempt("cat", home, now, 1), 0);    /* home does not */
}

/* One address trying many accounts: delayed after THR_ADDRESS_FREE, but not for an account
 * it has signed in to (an office behind one address, one of whose users is spraying). */
static void test_address_spray(void **state)
{
    (void)state;
    const cw_addr office = ip(7, 0, 1);
    int64_t now = 20000000;
    assert_int_equal(attempt("dai", office, now, 1), 0);
    int n = 0;
    for (; n < 100; n++) {
        char name[32];
        snprintf(name, sizeof name, "spray%d", n);
        if (attempt(name, office, now, 0))
            break;
    }
    assert_int_equal(n, THR_ADDRESS_FREE);
    assert_true(attempt("someone-else", office, now, 0) > 0);
    assert_int_equal(attempt("dai", office, now, 1), 0);
}

/* Sprays: reported once per window, with counts and no names; below the thresholds, not. */
static void test_spray_detection(void **state)
{
    (void)state;
    int64_t now = 40000000;
    thr_spray sp;
    int found = 0;
    /* nine accounts, one attempt each from its own address: not a spray */
    for (unsigned i = 0; i < SPRAY_ACCOUNTS - 1; i++) {
        char name[32];
        snprintf(name, sizeof name, "quiet%u", i);
        found += failed(name, ip(8, 0, i), now, &sp);
    }
    assert_int_equal(found, 0);
    /* a new window: five addresses at six accounts each (the 30 attempts) */
    now += SPRAY_WINDOW_MS;
    int64_t start = now;
    for (unsigned round = 0; round < 6; round++)
        for (unsigned ad = 0; ad < 5; ad++) {
            char name[32];
            snprintf(name, sizeof name, "acct%u", (round + ad) % 6);
            now += 200;
            if (failed(name, ip(9, 0, ad), now, &sp)) {
                found++;
                assert_int_equal(sp.from, start + 200);
                assert_int_equal(sp.to, now);
                assert_true(sp.accounts >= SPRAY_PER_ADDRESS);
                assert_true(sp.addresses <= 5);
                assert_true(sp.failures <= 30);
            }
        }
    assert_int_equal(found, 1);
    /* the next window may report again */
    now += SPRAY_WINDOW_MS;
    for (unsigned i = 0; i < SPRAY_ACCOUNTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "again%u", i);
        found += failed(name, ip(10, 0, i), now + i, &sp);
    }
    assert_int_equal(found, 2);
    assert_int_equal(sp.accounts, SPRAY_ACCOUNTS);
    assert_int_equal(sp.addresses, SPRAY_ACCOUNTS);
    assert_int_equal(sp.failures, SPRAY_ACCOUNTS);
}

/* X-Forwarded-For, only from a trusted proxy, and the last address in it that is not one. */
static void test_forwarded(void **state)
{
    (void)state;
    cw_error err;
    cw_addr out, proxy = {{0}}, client = ip(11, 0, 1);
    proxy.b[10] = proxy.b[11] = 0xff;
    proxy.b[12] = 127, proxy.b[15] = 1;
    assert_int_equal(cw_throttle_proxies(S, NULL, &err), CW_OK);
    cw_throttle_forwarded(S, &proxy, "10.11.0.1", &out);
    assert_memory_equal(out.b, proxy.b, 16); /* no proxy trusted: the connection's */
    assert_int_equal(cw_throttle_proxies(S, "127.0.0.1, ::1", &err), CW_OK);
    cw_throttle_forwarded(S, &proxy, "10.11.0.1", &out);
    assert_memory_equal(out.b, client.b, 16);
    /* a client's own forged entry comes first: the proxy's appended one is what counts */
    cw_throttle_forwarded(S, &proxy, "1.2.3.4, 10.11.0.1", &out);
    assert_memory_equal(out.b, client.b, 16);
    cw_throttle_forwarded(S, &proxy, "10.11.0.1, 127.0.0.1", &out);
    assert_memory_equal(out.b, client.b, 16);
    cw_throttle_forwarded(S, &proxy, "nonsense", &out);
    assert_memory_equal(out.b, proxy.b, 16);
    /* with ports, as some proxies write them; IPv6 in brackets */
    cw_throttle_forwarded(S, &proxy, "1.2.3.4, 10.11.0.1:51234", &out);
    assert_memory_equal(out.b, client.b, 16);
    cw_addr v6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    cw_throttle_forwarded(S, &proxy, "1.2.3.4,[2001:db8::1]:443", &out);
    assert_memory_equal(out.b, v6.b, 16);
    cw_throttle_forwarded(S, &proxy, "2001:db8::1", &out);
    assert_memory_equal(out.b, v6.b, 16);
    cw_throttle_forwarded(S, &proxy, "10.11.0.1, [2001:db8::1", &out); /* broken: the proxy's */
    assert_memory_equal(out.b, proxy.b, 16);
    cw_throttle_forwarded(S, &client, "1.2.3.4", &out); /* not from a proxy: not believed */
    assert_memory_equal(out.b, client.b, 16);
    assert_int_equal(cw_throttle_proxies(S, "127.0.0.1,proxy.example", &err), CW_EUSAGE);
    assert_non_null(strstr(err.msg, "proxy.example is not an IPv4 or IPv6 address"));
    assert_int_equal(cw_throttle_proxies(S, NULL, &err), CW_OK);
}

/* One attempt with a device cookie (may be NULL), as attempt(). */
static int64_t attempt_dev(const char *user, cw_addr a, const char *cookie, int64_t now, int ok)
{
    thr_ticket t;
    int64_t wait;
    cw_error err;
    cw_rc rc = cw_throttle_check_dev_at(S, user, &a, cookie, now, &t, &wait, &err);
    if (rc) {
        assert_int_equal(rc, CW_ELIMIT);
        assert_true(wait > 0);
        return wait;
    }
    if (ok)
        cw_throttle_ok_at(S, user, &a, &t, now);
    return 0;
}

/* A server start: every count and owner forgotten, the per-process secret drawn again; the
 * device key, derived from the log's signing key, is the same as before. */
static void restart(void)
{
    memset(&S->thr, 0, sizeof S->thr);
    memset(S->thr.device_key, 0x5a, sizeof S->thr.device_key);
    S->thr.device_ready = 1;
}

/*
 * The reviewer's hold: after a restart (the owners' table empty) a stranger at rotating
 * addresses keeps the account's whole bucket at its cap, trying the moment a slot opens.
 * The owner, from a new address but with the device cookie of an earlier sign-in, is let in
 * at once, every time; without it, or with a forged, another name's, an expired or a
 * future cookie, the attempt waits like the stranger's. Wrong passwords on one cookie get
 * their own growing delays and, past THR_DEVICE_IGNORE, the cookie is ignored.
 */
static void test_device_cookie(void **state)
{
    (void)state;
    restart();
    int64_t now = (int64_t)1800000000000; /* device cookies are dated on the wall clock */
    char good[THR_DEVICE_COOKIE], other[THR_DEVICE_COOKIE], old[THR_DEVICE_COOKIE],
        future[THR_DEVICE_COOKIE], forged[THR_DEVICE_COOKIE];
    assert_int_equal(attempt_dev("dora", ip(20, 0, 1), NULL, now, 1), 0);
    assert_int_equal(cw_throttle_device_cookie(S, "dora", now, good), 0);
    assert_int_equal(cw_throttle_device_cookie(S, "eve", now, other), 0);
    assert_int_equal(cw_throttle_device_cookie(S, "dora", now + 3600000, future), 0);
    memcpy(forged, good, sizeof forged);
    size_t len = strlen(forged);
    forged[len - 1] = forged[len - 1] == '0' ? '1' : '0';
    restart();
    int guesses = 0;
    for (int sec = 0; sec < 1800; sec++) {
        now += 1000;
        guesses += attempt_dev("dora", ip(21, (unsigned)sec / 200, (unsigned)sec % 200), NULL, now,
                               0) == 0;
        if (sec % 300 == 299) /* the owner, from a new laptop each time: in at once */
            assert_int_equal(attempt_dev("dora", ip(22, 0, (unsigned)sec / 300), good, now, 1), 0);
    }
    printf("    a stranger holding the account bucket for 30 minutes: %d guesses allowed\n",
           guesses);
    assert_true(guesses <= THR_ACCOUNT_FREE + 12);
    /* without the cookie, or with one that is not good for dora now, the owner waits too */
    const char *bad[] = {NULL, other, forged, "v1.1800000000000.00", "v2.x", "", future};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_true(attempt_dev("dora", ip(22, 1, (unsigned)k), bad[k], now, 0) > 0);
    /* a cookie is good for 30 days from its issue, not a minute more */
    assert_int_equal(cw_throttle_device_cookie(S, "dora", now - THR_DEVICE_MS + 60000, old), 0);
    assert_int_equal(attempt_dev("dora", ip(22, 2, 0), old, now, 0), 0);
    assert_true(attempt_dev("dora", ip(22, 2, 1), old, now + 60000, 0) > 0);
    /* wrong passwords on the good cookie: THR_DEVICE_FREE free, then its own delay */
    for (int k = 0; k < THR_DEVICE_FREE; k++)
        assert_int_equal(attempt_dev("dora", ip(22, 3, 0), good, now, 0), 0);
    assert_int_equal(attempt_dev("dora", ip(22, 3, 0), good, now, 0), 1);
    /* ... and past THR_DEVICE_IGNORE failures the cookie counts for nothing */
    for (int k = THR_DEVICE_FREE; k < THR_DEVICE_IGNORE; k++) {
        int64_t w;
        while ((w = attempt_dev("dora", ip(22, 3, 0), good, now, 0)) > 0)
            now += w * 1000;
    }
    /* past the cookie's own delay (128 s at ten), with the account's bucket delaying */
    now += 200 * 1000;
    for (unsigned k = 0; attempt_dev("dora", ip(22, 4, k), NULL, now, 0) == 0; k++)
        assert_true(k < 30);
    assert_true(attempt_dev("dora", ip(22, 3, 0), good, now, 0) > 0);
    restart();
}

/*
 * The reviewer's eviction: a flood of made-up names, each raised to FLOOD failures as fast
 * as allowed from fresh addresses, must not push a guessed account's count out of the table
 * (a count pushed out starts again at nothing: ten more free guesses; 453 guesses an hour
 * where the delays allow 22). Over an hour the stranger gets no more guesses at the account
 * than its own growing delays allow.
 */
#define FLOOD 16
static int64_t flood_now;
static uint32_t flood_addr;
static int64_t flood_attempt(const char *user)
{
    cw_addr a = {{0}};
    a.b[0] = 0x20, a.b[1] = 0x01;
    uint32_t c = ++flood_addr;
    memcpy(a.b + 12, &c, 4);
    return attempt(user, a, flood_now, 0);
}
static void test_flood_keeps_counts(void **state)
{
    (void)state;
    restart();
    enum { NAMES = 1400 + 2 * 3600 };
    static struct {
        int n;
        int64_t next, last;
    } f[NAMES];
    memset(f, 0, sizeof f);
    size_t nf = 1400;
    flood_now = 1000000000;
    int guesses = 0;
    int64_t cat_next = 0;
    for (int sec = -300; sec < 3600; sec++) {
        flood_now += 1000;
        if (sec >= 0 && flood_now >= cat_next) {
            int64_t w = flood_attempt("cat");
            guesses += !w;
            cat_next = flood_now + w * 1000;
        }
        if (sec >= 0)
            nf += 2;
        for (size_t j = 0; j < nf; j++) {
            char name[32];
            snprintf(name, sizeof name, "f%zu", j);
            /* the count as the table has it: one less every THR_DECAY_MS */
            int64_t gone = f[j].last ? (flood_now - f[j].last) / THR_DECAY_MS : 0;
            int cur = f[j].n - (int)gone < 0 ? 0 : f[j].n - (int)gone;
            if (cur >= FLOOD || flood_now < f[j].next)
                continue;
            f[j].n = cur;
            while (f[j].n < FLOOD && flood_now >= f[j].next) {
                int64_t w = flood_attempt(name);
                if (w) {
                    f[j].next = flood_now + w * 1000;
                    break;
                }
                f[j].n++;
                f[j].last = flood_now;
            }
        }
    }
    printf("    a flood of %zu names with %d failures each: %d guesses at the account in an "
           "hour\n",
           nf, FLOOD, guesses);
    assert_true(guesses <= THR_ACCOUNT_FREE + 13);
    restart();
}

/* An attempt the store failed to judge (a 503) gives back what it counted: twenty of them
 * from one address delay nothing; with a device cookie too. */
static void test_undo(void **state)
{
    (void)state;
    restart();
    int64_t now = (int64_t)1800000000000;
    char dev[THR_DEVICE_COOKIE];
    assert_int_equal(cw_throttle_device_cookie(S, "fay", now, dev), 0);
    const cw_addr a = ip(30, 0, 1);
    for (int k = 0; k < 20; k++) {
        const char *cookie = k % 2 ? dev : NULL;
        thr_ticket t;
        int64_t wait;
        cw_error err;
        assert_int_equal(cw_throttle_check_dev_at(S, "fay", &a, cookie, now, &t, &wait, &err),
                         CW_OK);
        assert_int_equal(t.device, cookie != NULL);
        cw_throttle_undo_at(S, "fay", &a, &t, now);
    }
    assert_int_equal(cw_throttle_keys_at(S, now), 0);
    restart();
}

/* An IPv6 client is one /64: rotating through the addresses of its /64 gives it no more
 * attempts than one address (THR_ADDRESS_FREE across usernames). */
static void test_ipv6_prefix(void **state)
{
    (void)state;
    restart();
    int64_t now = 5000000;
    cw_addr a = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7}};
    for (int k = 0; k < THR_ADDRESS_FREE; k++) {
        char name[16];
        snprintf(name, sizeof name, "v6user%d", k);
        a.b[15] = (uint8_t)(k + 1);
        assert_int_equal(attempt(name, a, now, 0), 0);
    }
    a.b[8] = 0x99, a.b[15] = 0xee; /* elsewhere in the /64: waits */
    assert_true(attempt("v6other", a, now, 0) > 0);
    a.b[7] = 8; /* the next /64: its own count */
    assert_int_equal(attempt("v6other", a, now, 0), 0);
    restart();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growing_delays),
        cmocka_unit_test(test_success_resets),
        cmocka_unit_test(test_owner_never_kept_out),
        cmocka_unit_test(test_address_spray),
        cmocka_unit_test(test_spray_detection),
        cmocka_unit_test(test_forwarded),
        cmocka_unit_test(test_device_cookie),
        cmocka_unit_test(test_flood_keeps_counts),
        cmocka_unit_test(test_undo),
        cmocka_unit_test(test_ipv6_prefix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
