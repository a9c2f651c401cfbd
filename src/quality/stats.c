/*
 * stats.c — the figures an audit report gives (docs/audits.md, "Statistics"):
 * percentages rounded from integers, and how far two auditors agree.
 *
 * Invariant: every figure is computed from integer counts, exactly, and only
 * the last step of a kappa (one division) is floating point, so the same
 * gradings give the same digits on every machine.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "quality/quality.h"

void cw_audit_percent(size_t n, size_t total, char out[8])
{
    if (total == 0) {
        memcpy(out, "0.0", 4);
        return;
    }
    uint64_t a = n, b = total;
    /* Tenths of a percent: a * 1000 / b rounded half up, i.e. floor((2000a + b) / 2b),
     * done as whole part and remainder so that a * 1000 cannot overflow. Totals beyond
     * 2^52 (never a count of case files) are scaled down first. */
    while (b > (UINT64_MAX / 4000)) {
        a >>= 1;
        b >>= 1;
    }
    uint64_t whole = a / b, rem = a % b;
    if (whole > 1000) { /* more than 100000%: written as "-" below */
        memcpy(out, "-", 2);
        return;
    }
    uint64_t tenths = whole * 1000 + (rem * 2000 + b) / (2 * b);
    if (tenths > 999999) {
        memcpy(out, "-", 2);
        return;
    }
    snprintf(out, 8, "%u.%u", (unsigned)(tenths / 10), (unsigned)(tenths % 10));
}

/*
 * Cohen's weighted kappa from the k x k table of counts t (row: the first
 * auditor's grade, column: the second's), with agreement weights w(i,j) =
 * (W - d(i,j)) / W: linear d = |i-j|, W = k-1; quadratic d = (i-j)^2, W = (k-1)^2.
 * With row totals r, column totals c and n pairs,
 *   p_o = sum w t / n,  p_e = sum w r_i c_j / n^2,  kappa = (p_o - p_e) / (1 - p_e)
 *       = (n A - B) / (n^2 W - B),  A = sum (W - d) t,  B = sum (W - d) r_i c_j,
 * all integers: kappa is undefined exactly when n^2 W == B (chance agreement 1).
 * n <= CW_AUDIT_MAX_PAIRS (1e8) and W <= 36 keep n^2 W < 2^63.
 */
typedef struct table {
    uint64_t t[CW_AUDIT_MAX_GRADES][CW_AUDIT_MAX_GRADES];
} table;

static int weighted_kappa(const table *tab, size_t k, uint64_t n, int quadratic, double *out)
{
    const uint64_t(*t)[CW_AUDIT_MAX_GRADES] = tab->t;
    uint64_t r[CW_AUDIT_MAX_GRADES] = {0}, c[CW_AUDIT_MAX_GRADES] = {0};
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            r[i] += t[i][j];
            c[j] += t[i][j];
        }
    uint64_t W = quadratic ? (uint64_t)(k - 1) * (k - 1) : (uint64_t)(k - 1);
    uint64_t A = 0, B = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            uint64_t dist = i > j ? i - j : j - i;
            uint64_t d = quadratic ? dist * dist : dist;
            A += (W - d) * t[i][j];
            B += (W - d) * r[i] * c[j];
        }
    uint64_t den = n * n * W - B;
    if (n == 0 || den == 0)
        return 0;
    int64_t num = (int64_t)(n * A) - (int64_t)B;
    *out = (double)num / (double)den;
    return 1;
}

cw_rc cw_audit_agreement_of(const int *first, const int *second, size_t n, size_t ngrades,
                            cw_audit_agreement *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    if (ngrades < 2 || ngrades > CW_AUDIT_MAX_GRADES)
        return cw_error_set(err, CW_EINVAL, "grades: a scale of %zu grades (2 to %d)", ngrades,
                            CW_AUDIT_MAX_GRADES);
    if (n > CW_AUDIT_MAX_PAIRS)
        return cw_error_set(err, CW_ETOOBIG, "more than %d pairs of gradings", CW_AUDIT_MAX_PAIRS);
    table tab;
    memset(&tab, 0, sizeof tab);
    uint64_t(*t)[CW_AUDIT_MAX_GRADES] = tab.t;
    for (size_t i = 0; i < n; i++) {
        int a = first[i], b = second[i];
        if (a < 1 || (size_t)a > ngrades || b < 1 || (size_t)b > ngrades)
            return cw_error_set(err, CW_EINVAL,
                                "grading %zu: %d and %d: grades are 1 to %zu on this scale", i + 1,
                                a, b, ngrades);
        t[a - 1][b - 1]++;
    }
    size_t exact = 0, within = 0;
    for (size_t i = 0; i < ngrades; i++)
        for (size_t j = 0; j < ngrades; j++) {
            exact += i == j ? (size_t)t[i][j] : 0;
            within += (i > j ? i - j : j - i) <= 1 ? (size_t)t[i][j] : 0;
        }
    out->pairs = n;
    out->exact = exact;
    out->within_one = within;
    double lin = 0, quad = 0;
    if (weighted_kappa(&tab, ngrades, n, 0, &lin) && weighted_kappa(&tab, ngrades, n, 1, &quad)) {
        out->kappa_defined = 1;
        out->kappa_linear = lin;
        out->kappa_quadratic = quad;
    }
    return CW_OK;
}
