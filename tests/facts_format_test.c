/*
 * facts_format_test.c — the compact form the rules read payloads and
 * histories in (src/util/facts.h): what goes in comes out, the order is
 * kept, and bytes damaged on disk are refused or, at worst, read safely —
 * never past their end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/facts.h"

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &e);
    if (!v) {
        fail_msg("bad JSON in test: %s", e.text);
        abort();
    }
    return v;
}

/* Encodes text (a JSON object) into b; returns the facts. */
static cw_facts enc(cw_buf *b, const char *text, cw_facts_field_fn fn)
{
    json_t *v = J(text);
    cw_buf_reset(b);
    assert_int_equal(cw_facts_encode(v, fn, NULL, b), CW_OK);
    json_decref(v);
    cw_facts f = {(const uint8_t *)b->data, b->len};
    assert_int_equal(cw_facts_check(f), CW_OK);
    return f;
}

static cw_facts_keep notes_only(const void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "notes") ? CW_FACTS_PRESENCE : CW_FACTS_VALUE;
}

/* codes and mixed keep their items (mixed cannot: a number among them); notes its presence */
static cw_facts_keep codes_kept(const void *ctx, const char *name)
{
    (void)ctx;
    if (!strcmp(name, "codes") || !strcmp(name, "mixed") || !strcmp(name, "none"))
        return CW_FACTS_ITEMS;
    return notes_only(ctx, name);
}

/* A list marked CW_FACTS_ITEMS keeps its items, in order; other lists keep their length. */
static void test_list_items(void **state)
{
    (void)state;
    cw_buf b = CW_BUF_INIT(1 << 20);
    cw_facts f = enc(&b,
                     "{\"codes\": [\"2B\", \"\", \"21\"], \"mixed\": [\"a\", 1],"
                     " \"ids\": [\"x\", \"y\"], \"none\": [], \"notes\": \"w\"}",
                     codes_kept);
    cw_fact v = cw_facts_get(f, "codes");
    assert_int_equal(v.kind, CW_FACT_LIST);
    assert_int_equal(v.i, 3);
    size_t pos = 0;
    assert_string_equal(cw_fact_item(&v, &pos), "2B");
    assert_string_equal(cw_fact_item(&v, &pos), "");
    assert_string_equal(cw_fact_item(&v, &pos), "21");
    assert_null(cw_fact_item(&v, &pos));
    v = cw_facts_get(f, "mixed");
    assert_int_equal(v.kind, CW_FACT_LIST);
    assert_int_equal(v.i, 2);
    pos = 0;
    assert_null(cw_fact_item(&v, &pos));
    v = cw_facts_get(f, "ids");
    assert_int_equal(v.i, 2);
    pos = 0;
    assert_null(cw_fact_item(&v, &pos));
    v = cw_facts_get(f, "none");
    assert_int_equal(v.kind, CW_FACT_LIST);
    assert_int_equal(v.i, 0);
    pos = 0;
    assert_null(cw_fact_item(&v, &pos));
    assert_int_equal(cw_facts_get(f, "notes").kind, CW_FACT_TRUE);
    /* damaged item bytes are refused: a count that disagrees, a missing terminator */
    f = enc(&b, "{\"codes\": [\"2B\", \"21\"]}", codes_kept);
    uint8_t *p = (uint8_t *)b.data;
    size_t at = 1 + 5 + 1 + 1; /* name length, "codes", NUL, kind */
    assert_int_equal(p[at - 1], CW_FACT_ITEMS_BYTE);
    p[at] = 3; /* three items claimed, two there */
    assert_int_equal(cw_facts_check(f), CW_EVERIFY);
    p[at] = 2;
    assert_int_equal(cw_facts_check(f), CW_OK);
    p[b.len - 1] = 'x'; /* the last item runs off the end */
    assert_int_equal(cw_facts_check(f), CW_EVERIFY);
    p[b.len - 1] = 0;
    p[at + 4] = 0xff; /* the items' length past the end */
    assert_int_equal(cw_facts_check(f), CW_EVERIFY);
    cw_buf_release(&b);
}

static void test_values_round_trip(void **state)
{
    (void)state;
    cw_buf b = CW_BUF_INIT(1 << 20);
    cw_facts f = enc(&b,
                     "{\"seen\": true, \"alone\": false, \"score\": -12, \"big\": 9007199254740993,"
                     " \"band\": \"moderate\", \"empty\": \"\", \"items\": [1, 2, 3],"
                     " \"none\": [], \"obj\": {\"a\": 1}, \"ratio\": 0.5, \"gone\": null,"
                     " \"notes\": \"private words\"}",
                     notes_only);
    cw_fact v = cw_facts_get(f, "seen");
    assert_int_equal(v.kind, CW_FACT_TRUE);
    assert_int_equal(cw_facts_get(f, "alone").kind, CW_FACT_FALSE);
    v = cw_facts_get(f, "score");
    assert_int_equal(v.kind, CW_FACT_INT);
    assert_int_equal(v.i, -12);
    assert_int_equal(cw_facts_get(f, "big").i, 9007199254740993LL);
    v = cw_facts_get(f, "band");
    assert_int_equal(v.kind, CW_FACT_STRING);
    assert_string_equal(v.s, "moderate");
    assert_int_equal(v.len, 8);
    v = cw_facts_get(f, "empty");
    assert_int_equal(v.kind, CW_FACT_STRING);
    assert_string_equal(v.s, "");
    v = cw_facts_get(f, "items");
    assert_int_equal(v.kind, CW_FACT_LIST);
    assert_int_equal(v.i, 3);
    assert_int_equal(cw_facts_get(f, "none").kind, CW_FACT_LIST);
    assert_int_equal(cw_facts_get(f, "none").i, 0);
    assert_int_equal(cw_facts_get(f, "obj").kind, CW_FACT_PRESENT);
    assert_int_equal(cw_facts_get(f, "ratio").kind, CW_FACT_PRESENT);
    /* null is absent, as the rules treat it */
    assert_int_equal(cw_facts_get(f, "gone").kind, CW_FACT_ABSENT);
    assert_int_equal(cw_facts_get(f, "nothere").kind, CW_FACT_ABSENT);
    assert_int_equal(cw_facts_get(f, "").kind, CW_FACT_ABSENT);
    /* free text: present, its words not kept */
    assert_int_equal(cw_facts_get(f, "notes").kind, CW_FACT_TRUE);
    for (size_t i = 0; i + 7 <= b.len; i++)
        assert_false(memcmp(b.data + i, "private", 7) == 0);
    /* empty object: no bytes, nothing there */
    f = enc(&b, "{}", NULL);
    assert_int_equal(f.len, 0);
    assert_int_equal(cw_facts_get(f, "seen").kind, CW_FACT_ABSENT);
    cw_buf_release(&b);
}

/* The same payload in any key order gives the same bytes. */
static void test_order_independent(void **state)
{
    (void)state;
    cw_buf a = CW_BUF_INIT(1 << 20), b = CW_BUF_INIT(1 << 20);
    enc(&a, "{\"b\": 1, \"a\": \"x\", \"c\": [true]}", NULL);
    enc(&b, "{\"c\": [false], \"a\": \"x\", \"b\": 1}", NULL);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* every field found whatever its place */
    cw_facts f = {(const uint8_t *)a.data, a.len};
    assert_int_equal(cw_facts_get(f, "a").kind, CW_FACT_STRING);
    assert_int_equal(cw_facts_get(f, "b").i, 1);
    assert_int_equal(cw_facts_get(f, "c").i, 1);
    cw_buf_release(&a);
    cw_buf_release(&b);
}

static void test_encode_refusals(void **state)
{
    (void)state;
    cw_buf b = CW_BUF_INIT(1 << 20);
    json_t *v = J("[1]");
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &b), CW_EINVAL);
    json_decref(v);
    v = J("{\"\": 1}");
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &b), CW_EINVAL);
    json_decref(v);
    v = J("{\"a\": \"x\\u0000y\"}");
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &b), CW_EINVAL);
    json_decref(v);
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    v = json_pack("{s:i}", name, 1);
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &b), CW_EINVAL);
    json_decref(v);
    /* A refusal leaves what was there. */
    assert_int_equal(cw_buf_addstr(&b, "kept"), CW_OK);
    v = J("{\"a\": 1, \"b\": \"x\\u0000\"}");
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &b), CW_EINVAL);
    json_decref(v);
    assert_int_equal(b.len, 4);
    /* and the buffer's limit is kept */
    cw_buf small = CW_BUF_INIT(8);
    v = J("{\"band\": \"significant\"}");
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &small), CW_ETOOBIG);
    json_decref(v);
    assert_int_equal(small.len, 0);
    cw_buf_release(&small);
    cw_buf_release(&b);
}

/* Every truncation and every single-byte change of well-formed facts is
 * either refused by the check or, if it still reads as facts, looked up
 * without reading outside the bytes (AddressSanitizer watches). */
static void test_damaged_facts(void **state)
{
    (void)state;
    cw_buf b = CW_BUF_INIT(1 << 20);
    cw_facts f = enc(&b, "{\"seen\": true, \"band\": \"low\", \"n\": 7, \"items\": [1, 2]}", NULL);
    size_t refused = 0;
    for (size_t cut = 0; cut < f.len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, f.p, cut);
        cw_facts g = {copy, cut};
        if (cw_facts_check(g) != CW_OK)
            refused++;
        else
            (void)cw_facts_get(g, "n");
        free(copy);
    }
    /* A cut at a field boundary is well-formed (fewer fields); inside one it is not. */
    assert_true(refused >= f.len - 4);
    /* Where the framing is: each name's length byte and the NUL after it. */
    uint8_t framing[256] = {0};
    for (size_t i = 0; i < f.len;) {
        size_t n = f.p[i];
        framing[i] = framing[i + 1 + n] = 1;
        uint8_t kind = f.p[i + n + 2];
        i += n + 3;
        if (kind == 'I')
            i += 8;
        else if (kind == 'A')
            i += 4;
        else if (kind == 'S')
            i += 4 + (f.p[i] | (size_t)f.p[i + 1] << 8) + 1;
    }
    static const uint8_t vals[] = {0, 1, 0x7f, 0x80, 0xff, 'S', 'I', 'A', 'T'};
    for (size_t i = 0; i < f.len; i++) {
        for (size_t k = 0; k < sizeof vals; k++) {
            uint8_t *copy = malloc(f.len);
            memcpy(copy, f.p, f.len);
            if (copy[i] == vals[k]) {
                free(copy);
                continue;
            }
            copy[i] = vals[k];
            cw_facts g = {copy, f.len};
            if (cw_facts_check(g) != CW_OK) {
                refused++;
            } else {
                /* a changed framing byte is always noticed */
                if (framing[i])
                    fail_msg("byte %zu set to 0x%02x: not refused", i, vals[k]);
                (void)cw_facts_get(g, "band");
                (void)cw_facts_get(g, "zzz");
            }
            free(copy);
        }
    }
    cw_buf_release(&b);
}

static cw_rc put(cw_buf *h, uint64_t index, cw_date date, const char *type, const char *json)
{
    cw_buf f = CW_BUF_INIT(1 << 20);
    json_t *v = J(json);
    assert_int_equal(cw_facts_encode(v, NULL, NULL, &f), CW_OK);
    json_decref(v);
    cw_facts facts = {(const uint8_t *)f.data, f.len};
    cw_rc rc = cw_history_put(h, index, date, type, facts);
    cw_buf_release(&f);
    return rc;
}

/* Reads a history back as "index:date:type:n" lines, checking it first. */
static void expect_history(const cw_buf *h, const char *want)
{
    size_t count = 0;
    assert_int_equal(cw_history_check((const uint8_t *)h->data, h->len, true, &count), CW_OK);
    char got[1024] = "";
    size_t pos = 0, n = 0, used = 0;
    cw_history_event e;
    while (cw_history_next((const uint8_t *)h->data, h->len, &pos, &e)) {
        cw_fact v = cw_facts_get(e.facts, "n");
        used += (size_t)snprintf(got + used, sizeof got - used, "%llu:%d:%s:%lld\n",
                                 (unsigned long long)e.index, (int)e.date, e.type, (long long)v.i);
        n++;
    }
    assert_int_equal(n, count);
    assert_string_equal(got, want);
}

static void test_history_order(void **state)
{
    (void)state;
    cw_buf h = CW_BUF_INIT(1 << 20);
    expect_history(&h, "");
    assert_int_equal(put(&h, 10, 100, "case_note", "{\"n\": 1}"), CW_OK);
    assert_int_equal(put(&h, 11, 105, "statutory_visit", "{\"n\": 2}"), CW_OK);
    expect_history(&h, "10:100:case_note:1\n11:105:statutory_visit:2\n");
    /* recorded later, dated earlier: goes before */
    assert_int_equal(put(&h, 12, 101, "case_note", "{\"n\": 3}"), CW_OK);
    /* same date: index order */
    assert_int_equal(put(&h, 9, 105, "case_note", "{\"n\": 4}"), CW_OK);
    expect_history(&h, "10:100:case_note:1\n12:101:case_note:3\n9:105:case_note:4\n"
                       "11:105:statutory_visit:2\n");
    /* the same index again replaces (a corrected date moves it) */
    assert_int_equal(put(&h, 10, 106, "case_note", "{\"n\": 5}"), CW_OK);
    expect_history(&h, "12:101:case_note:3\n9:105:case_note:4\n11:105:statutory_visit:2\n"
                       "10:106:case_note:5\n");
    assert_int_equal(put(&h, 11, 90, "statutory_visit", "{}"), CW_OK);
    expect_history(&h, "11:90:statutory_visit:0\n12:101:case_note:3\n9:105:case_note:4\n"
                       "10:106:case_note:5\n");
    /* dates before 1970 are kept as such */
    assert_int_equal(put(&h, 1, -400, "child_registered", "{}"), CW_OK);
    expect_history(&h, "1:-400:child_registered:0\n11:90:statutory_visit:0\n"
                       "12:101:case_note:3\n9:105:case_note:4\n10:106:case_note:5\n");
    /* refusals leave the history as it was */
    size_t len = h.len;
    assert_int_equal(put(&h, 50, 200, "", "{}"), CW_EINVAL);
    char longtype[80];
    memset(longtype, 't', sizeof longtype - 1);
    longtype[sizeof longtype - 1] = '\0';
    assert_int_equal(put(&h, 50, 200, longtype, "{}"), CW_EINVAL);
    assert_int_equal(h.len, len);
    cw_buf_release(&h);
}

/* A history damaged on disk: out of order, cut short or with a bad length is
 * refused; no damage makes the check read outside the bytes. */
static void test_damaged_history(void **state)
{
    (void)state;
    cw_buf h = CW_BUF_INIT(1 << 20);
    assert_int_equal(put(&h, 1, 100, "case_note", "{\"n\": 1, \"band\": \"low\"}"), CW_OK);
    assert_int_equal(put(&h, 2, 101, "statutory_visit", "{\"n\": 2}"), CW_OK);
    size_t count;
    const uint8_t *p = (const uint8_t *)h.data;
    for (size_t cut = 1; cut < h.len; cut++) {
        uint8_t *copy = malloc(cut);
        memcpy(copy, p, cut);
        cw_rc rc = cw_history_check(copy, cut, true, &count);
        /* only a cut after the first record is whole */
        if (rc == CW_OK)
            assert_int_equal(count, 1);
        free(copy);
    }
    size_t ok = 0;
    for (size_t i = 0; i < h.len; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            uint8_t *copy = malloc(h.len);
            memcpy(copy, p, h.len);
            copy[i] ^= (uint8_t)(1u << bit);
            if (cw_history_check(copy, h.len, true, &count) == CW_OK) {
                /* a record's length is never wrong without being noticed */
                assert_true(i >= 4);
                ok++;
                size_t pos = 0;
                cw_history_event e;
                while (cw_history_next(copy, h.len, &pos, &e))
                    (void)cw_facts_get(e.facts, "band");
            }
            free(copy);
        }
    }
    /* Flips inside values (a date, an index, a character) can still be well-formed;
     * flips in the framing cannot. */
    assert_true(ok > 0 && ok < h.len * 8);
    /* Out of order: swap the two records' dates. */
    cw_buf bad = CW_BUF_INIT(1 << 20);
    assert_int_equal(put(&bad, 2, 101, "statutory_visit", "{}"), CW_OK);
    cw_buf first = CW_BUF_INIT(1 << 20);
    assert_int_equal(put(&first, 1, 100, "case_note", "{}"), CW_OK);
    assert_int_equal(cw_buf_add(&bad, first.data, first.len), CW_OK);
    assert_int_equal(cw_history_check((const uint8_t *)bad.data, bad.len, false, &count),
                     CW_EVERIFY);
    cw_buf_release(&first);
    cw_buf_release(&bad);
    cw_buf_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_round_trip), cmocka_unit_test(test_list_items),
        cmocka_unit_test(test_order_independent), cmocka_unit_test(test_encode_refusals),
        cmocka_unit_test(test_damaged_facts),     cmocka_unit_test(test_history_order),
        cmocka_unit_test(test_damaged_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
