/*
 * sample.c — reproducible stratified random samples of case files
 * (docs/audits.md, "Sampling"), so that an inspector given the seed and the
 * list of candidates redraws the same sample with sha256sum and a spreadsheet.
 *
 * The steps, each deterministic:
 *   1. key(child) = hex SHA-256 of seed "\n" child_id (no newline after).
 *   2. strata: the candidates grouped by (team, case_type), sorted bytewise
 *      (strcmp: as `LC_ALL=C sort`), team first; within a stratum, keys ascending.
 *   3. each stratum s of size n_s takes m_s = min(minimum, n_s); if the
 *      minimums reach size, that is the sample (it may exceed size).
 *   4. otherwise R = size - sum m_s is shared in proportion to what each has
 *      left, L_s = n_s - m_s (L = sum L_s; when R >= L every case is taken):
 *      q_s = floor(R L_s / L), and the R - sum q_s seats over go one each to the
 *      strata with the largest remainders R L_s mod L, ties to the stratum that
 *      sorts first. The seats over (the sum of the fractions R L_s / L - q_s)
 *      are fewer than the strata with a non-zero remainder, so only those get
 *      one, and for them R L_s / L < L_s (as R < L) is not whole: q_s + 1 <= L_s.
 *   5. stratum s gives its m_s + q_s (+1) lowest keys.
 * The order of the input array never matters: everything is sorted on the
 * candidates' own values, and a child id may appear only once.
 *
 * Memory: O(n) on the heap (an entry per candidate, a record per stratum);
 * time O(n log n). Nothing large is on the stack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality.h"
#include "util/sha256.h"

#define SEED_MAX 64

typedef struct entry {
    const cw_audit_candidate *c;
    size_t idx; /* into the caller's array */
    char key[65];
} entry;

typedef struct stratum {
    size_t start, n; /* entries [start, start + n) */
    size_t take;     /* how many it gives */
    uint64_t rem;    /* R L_s mod L */
    size_t order;    /* its place in the sorted strata */
} stratum;

static int by_key(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int d = strcmp(a->key, b->key);
    return d ? d : strcmp(a->c->child_id, b->c->child_id);
}

static int by_stratum_key(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int d = strcmp(a->c->team, b->c->team);
    if (!d)
        d = strcmp(a->c->case_type, b->c->case_type);
    return d ? d : by_key(pa, pb);
}

static int same_stratum(const entry *a, const entry *b)
{
    return !strcmp(a->c->team, b->c->team) && !strcmp(a->c->case_type, b->c->case_type);
}

/* Largest remainder first; ties to the stratum that sorts first. */
static int by_remainder(const void *pa, const void *pb)
{
    const stratum *a = *(const stratum *const *)pa, *b = *(const stratum *const *)pb;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int seed_ok(const char *seed)
{
    size_t n = seed ? strlen(seed) : 0;
    if (n < 1 || n > SEED_MAX)
        return 0;
    for (const char *s = seed; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == ':' || *s == '-'))
            return 0;
    return 1;
}

/* Whether field (cap bytes) holds a NUL-terminated string. */
static int terminated(const char *field, size_t cap)
{
    return memchr(field, '\0', cap) != NULL;
}

cw_rc cw_audit_sample(const cw_audit_candidate *c, size_t n, const char *seed, size_t size,
                      size_t minimum, size_t *picked, size_t *npicked, cw_error *err)
{
    *npicked = 0;
    if (!seed_ok(seed))
        return cw_error_set(err, CW_EINVAL,
                            "seed: \"%.70s\" is not a seed (1 to %d characters of A-Z a-z 0-9 . _ "
                            ": -)",
                            seed ? seed : "", SEED_MAX);
    if (size == 0)
        return cw_error_set(err, CW_EINVAL, "size: a sample of 0 cases");
    if (n == 0)
        return CW_OK;
    if (n > UINT32_MAX) /* keeps R L_s below 2^64 */
        return cw_error_set(err, CW_ETOOBIG, "more than %u candidates", (unsigned)UINT32_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!terminated(c[i].child_id, sizeof c[i].child_id) || !c[i].child_id[0])
            return cw_error_set(err, CW_EINVAL, "candidate %zu: no child id", i + 1);
        if (!terminated(c[i].team, sizeof c[i].team) ||
            !terminated(c[i].case_type, sizeof c[i].case_type))
            return cw_error_set(err, CW_EINVAL, "candidate %zu (%s): team or case type too long",
                                i + 1, c[i].child_id);
    }
    entry *e = malloc(n * sizeof *e);
    if (!e)
        return cw_error_set(err, CW_ENOMEM, "out of memory drawing a sample of %zu", n);
    size_t slen = strlen(seed);
    for (size_t i = 0; i < n; i++) {
        char msg[SEED_MAX + 1 + sizeof c[i].child_id];
        size_t clen = strlen(c[i].child_id);
        memcpy(msg, seed, slen);
        msg[slen] = '\n';
        memcpy(msg + slen + 1, c[i].child_id, clen);
        e[i].c = &c[i];
        e[i].idx = i;
        cw_sha256_hex(msg, slen + 1 + clen, e[i].key);
    }
    /* The same child id twice would make the sample depend on which copy came first. */
    qsort(e, n, sizeof *e, by_key);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(e[i].c->child_id, e[i - 1].c->child_id)) {
            cw_rc rc = cw_error_set(err, CW_EINVAL, "candidate %s: listed twice", e[i].c->child_id);
            free(e);
            return rc;
        }
    qsort(e, n, sizeof *e, by_stratum_key);

    size_t ns = 1;
    for (size_t i = 1; i < n; i++)
        ns += !same_stratum(&e[i], &e[i - 1]);
    stratum *s = calloc(ns, sizeof *s);
    stratum **rank = calloc(ns, sizeof *rank);
    if (!s || !rank) {
        free(e);
        free(s);
        free(rank);
        return cw_error_set(err, CW_ENOMEM, "out of memory drawing a sample of %zu", n);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !same_stratum(&e[i], &e[i - 1]))
            k++;
        if (s[k].n == 0) {
            s[k].start = i;
            s[k].order = k;
        }
        s[k].n++;
    }
    /* Minimums first; then the rest in proportion to what each stratum has left. */
    uint64_t base = 0, left = 0;
    for (size_t j = 0; j < ns; j++) {
        s[j].take = s[j].n < minimum ? s[j].n : minimum;
        base += s[j].take;
        left += s[j].n - s[j].take;
    }
    if (base < size) {
        uint64_t R = size - base;
        if (R >= left) {
            for (size_t j = 0; j < ns; j++)
                s[j].take = s[j].n;
        } else {
            uint64_t given = 0;
            for (size_t j = 0; j < ns; j++) {
                uint64_t share = R * (uint64_t)(s[j].n - s[j].take);
                s[j].take += (size_t)(share / left);
                s[j].rem = share % left;
                given += share / left;
                rank[j] = &s[j];
            }
            qsort(rank, ns, sizeof *rank, by_remainder);
            for (size_t j = 0; j < ns && given < R; j++, given++)
                rank[j]->take++;
        }
    }
    size_t out = 0;
    for (size_t j = 0; j < ns; j++)
        for (size_t i = 0; i < s[j].take; i++)
            picked[out++] = e[s[j].start + i].idx;
    *npicked = out;
    free(e);
    free(s);
    free(rank);
    return CW_OK;
}
