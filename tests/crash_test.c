/*
 * crash_test.c — a writer killed at a random moment loses nothing it
 * acknowledged and leaves a log that verifies.
 *
 * Each round forks a child that opens the log for writing and appends small
 * batches in a loop; after each commit it writes the new size to a pipe (its
 * acknowledgement: `caseward append` prints the size only after commit). The
 * parent reads acknowledgements for a random 5-60 ms, sends SIGKILL, waits,
 * and then checks, from the file alone:
 *   - the log verifies (every hash, every signed checkpoint);
 *   - its size is at least the last acknowledged size;
 *   - every entry the child wrote this round is there with its payload, and
 *     entries from earlier rounds are unchanged (same root at the old size,
 *     and an RFC 9162 consistency proof from the old root to the new one).
 * Rounds alternate whether a reader or a writer opens the log first after the
 * crash (a reader must cope with a WAL left behind by a killed writer).
 * Afterwards the log still accepts appends.
 *
 * CW_TEST_SEED=<n> repeats a run's kill times; CW_CRASH_ROUNDS=<n> changes
 * the number of rounds (default 40).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ledger/entry.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/verify.h"
#include "testutil.h"

#define ORIGIN "test.caseward.example/crash"

static uint64_t rng;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the writer (child process; never returns) ---- */

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(4);
        c += w;
        n -= (size_t)w;
    }
}

static void writer(const char *db, int ack_fd, unsigned round, uint64_t seed)
{
    cw_ledger *l = NULL;
    cw_error err;
    if (cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err)) {
        dprintf(2, "crash_test writer: open: %s\n", err.msg);
        _exit(3);
    }
    for (;;) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        unsigned n = 1 + (unsigned)(seed % 4);
        uint64_t size = 0;
        if (cw_ledger_batch_begin(l, &err))
            goto fail;
        uint64_t first = cw_ledger_size(l);
        for (unsigned k = 0; k < n; k++) {
            json_t *p = json_pack("{s:I, s:i}", "i", (json_int_t)(first + k), "r", (int)round);
            cw_event ev = {"crash.writer", "crash_probe", p};
            uint64_t idx = 0;
            cw_rc rc = cw_ledger_batch_add(l, &ev, &idx, &err);
            json_decref(p);
            if (rc || idx != first + k)
                goto fail;
        }
        if (cw_ledger_batch_commit(l, &size, &err))
            goto fail;
        write_all(ack_fd, &size, sizeof size); /* the acknowledgement */
    }
fail:
    dprintf(2, "crash_test writer: %s\n", err.msg);
    _exit(5);
}

/* ---- the checks ---- */

typedef struct history {
    uint64_t size;             /* size after the previous round */
    uint8_t root[CW_HASH_LEN]; /* root at that size */
} history;

static void check_verifies(const char *db, uint64_t at_least, uint64_t *size)
{
    cw_verify_opts o = {.db_path = db};
    cw_verify_report r;
    cw_error err;
    cw_error_clear(&err);
    if (cw_verify(&o, &r, &err) != CW_OK)
        fail_msg("verify after the crash: %s", err.msg);
    if (r.size < at_least)
        fail_msg("the log has %" PRIu64 " entries but %" PRIu64 " were acknowledged", r.size,
                 at_least);
    *size = r.size;
}

static void check_contents(const char *db, int flags, unsigned round, uint64_t acked, history *h)
{
    cw_ledger *l = NULL;
    cw_error err;
    cw_hasher hs;
    uint8_t root[CW_HASH_LEN], proof[CW_MERKLE_MAX_PROOF][CW_HASH_LEN];
    size_t n = 0;
    cw_error_clear(&err);
    if (cw_ledger_open(db, flags, &l, &err) != CW_OK)
        fail_msg("open (%s) after the crash: %s", flags ? "write" : "read", err.msg);
    uint64_t size = cw_ledger_size(l);
    if (size < acked || size < h->size)
        fail_msg("round %u: size %" PRIu64 ", acknowledged %" PRIu64 ", before %" PRIu64, round,
                 size, acked, h->size);
    /* Earlier rounds' entries are exactly as they were. */
    assert_int_equal(cw_hasher_init(&hs), CW_OK);
    assert_int_equal(cw_ledger_root(l, h->size, root, &err), CW_OK);
    assert_memory_equal(root, h->root, CW_HASH_LEN);
    assert_int_equal(cw_ledger_root(l, size, root, &err), CW_OK);
    if (h->size > 0) {
        assert_int_equal(cw_ledger_consistency_proof(l, h->size, size, proof, &n, &err), CW_OK);
        assert_true(cw_merkle_verify_consistency(&hs, h->size, size, h->root, root,
                                                 (const uint8_t(*)[CW_HASH_LEN])proof, n));
    }
    /* This round's entries are all there, with their payloads. */
    for (uint64_t i = h->size; i < size; i++) {
        cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
        char tail[96];
        uint64_t idx;
        int64_t ms;
        if (cw_ledger_leaf(l, i, &leaf, &err) != CW_OK)
            fail_msg("entry %" PRIu64 " (acknowledged %" PRIu64 "): %s", i, acked, err.msg);
        assert_int_equal(cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &idx, &ms), CW_OK);
        assert_int_equal(idx, i);
        int tl = snprintf(tail, sizeof tail,
                          "\"actor\":\"crash.writer\",\"type\":\"crash_probe\","
                          "\"payload\":{\"i\":%" PRIu64 ",\"r\":%u}}",
                          i, round);
        if (leaf.len < (size_t)tl || memcmp(leaf.data + leaf.len - tl, tail, (size_t)tl) != 0)
            fail_msg("entry %" PRIu64 " is not what round %u wrote: %s", i, round, leaf.data);
        cw_buf_release(&leaf);
    }
    h->size = size;
    memcpy(h->root, root, CW_HASH_LEN);
    cw_hasher_release(&hs);
    cw_ledger_close(l);
}

/*
 * One round: start a writer, collect its acknowledgements for delay_ms, kill it. With
 * after_first, delay_ms counts from its first acknowledgement (waited for, up to 30 s), so
 * the kill hits a working writer however slowly a loaded machine starts it; otherwise from
 * the fork, so it may hit one still starting up.
 */
static uint64_t crash_round(const char *db, unsigned round, int64_t delay_ms, int after_first,
                            unsigned *nacks)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    uint64_t child_seed = next_rand();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        writer(db, p[1], round, child_seed);
    }
    close(p[1]);
    int64_t deadline = now_ms() + (after_first ? 30000 : delay_ms);
    uint64_t acked = 0;
    unsigned char buf[4096];
    size_t have = 0;
    int killed = 0, eof = 0;
    while (!eof) {
        int64_t left = deadline - now_ms();
        if (!killed && left <= 0) {
            assert_int_equal(kill(pid, SIGKILL), 0);
            killed = 1;
        }
        struct pollfd pfd = {p[0], POLLIN, 0};
        int r = poll(&pfd, 1, killed ? 1000 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        assert_true(r >= 0);
        if (r == 0)
            continue;
        ssize_t got = read(p[0], buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR)
            continue;
        assert_true(got >= 0);
        if (got == 0) {
            eof = 1; /* the writer is gone and every ack it sent has been read */
            break;
        }
        have += (size_t)got;
        size_t off = 0;
        for (; have - off >= sizeof(uint64_t); off += sizeof(uint64_t)) {
            uint64_t v;
            memcpy(&v, buf + off, sizeof v);
            assert_true(v > acked); /* sizes only grow */
            if (after_first && !acked)
                deadline = now_ms() + delay_ms;
            acked = v;
            (*nacks)++;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    assert_int_equal(have, 0);
    close(p[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
        fail_msg("round %u: the writer died on its own (status 0x%x)", round, st);
    return acked;
}

static int setup(void **state)
{
    char *dir = strdup("/tmp/cw-crash-test-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    rm_rf(*state);
    free(*state);
    return 0;
}

static void test_crash_while_appending(void **state)
{
    const char *dir = *state;
    char db[64];
    cw_error err;
    snprintf(db, sizeof db, "%s/log.db", dir);
    cw_error_clear(&err);
    if (cw_ledger_create(db, ORIGIN, &err))
        fail_msg("create: %s", err.msg);

    const char *s = getenv("CW_TEST_SEED");
    uint64_t seed = s ? strtoull(s, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    rng = seed ? seed : 1;
    const char *rs = getenv("CW_CRASH_ROUNDS");
    unsigned rounds = rs ? (unsigned)strtoul(rs, NULL, 10) : 40;
    print_message("crash_test: seed %" PRIu64 " (CW_TEST_SEED to repeat), %u rounds\n", seed,
                  rounds);

    history h = {0};
    cw_hasher hs;
    assert_int_equal(cw_hasher_init(&hs), CW_OK);
    assert_int_equal(cw_hash_raw(&hs, "", 0, h.root), CW_OK);
    cw_hasher_release(&hs);

    int64_t t0 = now_ms();
    unsigned nacks = 0, silent = 0, beyond = 0;
    for (unsigned round = 1; round <= rounds; round++) {
        int64_t delay = 5 + (int64_t)(next_rand() % 56);
        unsigned before = nacks;
        uint64_t acked = crash_round(db, round, delay, round % 2 == 0, &nacks);
        silent += nacks == before;
        uint64_t size = 0;
        if (round % 2) {
            check_verifies(db, acked, &size);
            check_contents(db, CW_LEDGER_READONLY, round, acked, &h);
        } else {
            check_contents(db, CW_LEDGER_WRITE, round, acked, &h);
            check_verifies(db, acked, &size);
        }
        assert_int_equal(size, h.size);
        beyond += size > acked && nacks > before;
    }

    /* The log still takes appends and verifies afterwards. */
    cw_ledger *l = NULL;
    if (cw_ledger_open(db, CW_LEDGER_WRITE, &l, &err))
        fail_msg("open after the crashes: %s", err.msg);
    json_t *p = json_pack("{s:s}", "after", "crashes");
    cw_event ev[3] = {
        {"cli", "after_crash", p}, {"cli", "after_crash", p}, {"cli", "after_crash", p}};
    uint64_t size = 0;
    if (cw_ledger_append(l, ev, 3, &size, &err))
        fail_msg("append after the crashes: %s", err.msg);
    assert_int_equal(size, h.size + 3);
    cw_ledger_close(l);
    json_decref(p);
    uint64_t vsize = 0;
    check_verifies(db, h.size + 3, &vsize);
    assert_int_equal(vsize, h.size + 3);

    print_message("crash_test: %u rounds in %" PRId64 " ms: %" PRIu64 " entries, %u "
                  "acknowledgements, %u rounds killed before any, %u with a commit after the "
                  "last ack\n",
                  rounds, now_ms() - t0, h.size, nacks, silent, beyond);
    /* The kills must have hit a working writer, not only one still starting up: every even
     * round waited for the writer's first acknowledgement before its clock started. */
    assert_true(nacks >= rounds / 2);
}

/*
 * Verifying a log while another process appends to it must not raise a
 * false alarm: whatever lands while verify runs is simply outside what it
 * verified.
 */
static void test_verify_while_appending(void **state)
{
    const char *dir = *state;
    char db[64];
    cw_error err;
    snprintf(db, sizeof db, "%s/live.db", dir);
    assert_int_equal(cw_ledger_create(db, "test.caseward.example/live", &err), CW_OK);
    /* Acknowledgements go nowhere: nobody reads them here, and a full pipe
     * would stop the writer. */
    int sink = open("/dev/null", O_WRONLY);
    assert_true(sink >= 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        writer(db, sink, 0, 42);
    close(sink);
    uint64_t first = 0, last = 0;
    /* At least 30 verifications, and on until the writer has appended between the first and
     * the last (on a loaded machine the writer may not run at once), for at most 20 s. */
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0;; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (i >= 30 && (last > first || now.tv_sec - t0.tv_sec > 20))
            break;
        cw_verify_opts o = {.db_path = db};
        cw_verify_report r;
        cw_error_clear(&err);
        if (cw_verify(&o, &r, &err) != CW_OK) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            fail_msg("verify %d during appends: %s", i, err.msg);
        }
        if (i == 0)
            first = r.size;
        last = r.size;
    }
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    /* The writer really was appending throughout. */
    assert_true(last > first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crash_while_appending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_while_appending, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
