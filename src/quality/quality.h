/*
 * quality.h — case-file audits (docs/audits.md): the pure parts, which know
 * nothing of the store: audit frameworks as data, the statistics a report
 * gives, and reproducible stratified sampling.
 *
 * An audit framework (rules/standard.audit, rules/ofsted.audit; the format is
 * in docs/audits.md) names the themes an auditor grades, each with guidance,
 * and the grade scale: grades 1..N, 1 the best, each with a label in English
 * and Welsh, and which grades are a critical finding.
 *
 * Figures are exact: counts are integers and percentages are rounded from
 * integers to one decimal place, half up, so a report reads the same on every
 * machine and an inspector recomputes it digit for digit.
 */
#ifndef CW_QUALITY_QUALITY_H
#define CW_QUALITY_QUALITY_H

#include <stddef.h>

#include "util/error.h"

#define CW_AUDIT_MAX_THEMES   16
#define CW_AUDIT_MAX_GRADES   7
#define CW_AUDIT_ID_MAX       32        /* a framework's or theme's id: [a-z0-9_], 1-32 */
#define CW_AUDIT_MAX_GUIDANCE 4000      /* a theme's guidance (or guidance_cy), bytes in all */
#define CW_AUDIT_MAX_PAIRS    100000000 /* gradings compared at once (cw_audit_agreement_of) */

typedef struct cw_audit_grade {
    int value;      /* 1..ngrades, 1 the best */
    char label[61]; /* "Requires improvement" */
    char label_cy[61];
    int critical; /* a grade that is a critical finding: escalated at once */
} cw_audit_grade;

typedef struct cw_audit_theme {
    char id[CW_AUDIT_ID_MAX + 1]; /* childs_voice */
    char title[121];
    char title_cy[121];
    char *guidance; /* what an auditor looks for (owned; may hold several paragraphs) */
    char *guidance_cy;
} cw_audit_theme;

typedef struct cw_audit_framework {
    char id[CW_AUDIT_ID_MAX + 1]; /* standard | ofsted | a council's own */
    char title[121];
    char title_cy[121];
    char sha256[65]; /* of the file's bytes: recorded with a programme */
    cw_audit_grade grades[CW_AUDIT_MAX_GRADES];
    size_t ngrades;
    cw_audit_theme themes[CW_AUDIT_MAX_THEMES];
    size_t nthemes;
} cw_audit_framework;

/*
 * Loads a framework from text; errors name source:line and the problem, and
 * nothing is loaded (f is left released). Release with cw_audit_framework_release.
 * f need not be initialised. A loaded framework's title_cy, label_cy and
 * guidance_cy are "" (never NULL) where the file gives no Welsh.
 */
cw_rc cw_audit_framework_load(cw_audit_framework *f, const char *text, size_t len,
                              const char *source, cw_error *err);
/* A built-in framework by id: "standard" (five grades) or "ofsted" (four). */
cw_rc cw_audit_framework_builtin(cw_audit_framework *f, const char *id, cw_error *err);
void cw_audit_framework_release(cw_audit_framework *f);
/* The theme with this id, or NULL. */
const cw_audit_theme *cw_audit_framework_theme(const cw_audit_framework *f, const char *id);
/* Whether grade g is on the scale and is a critical finding. */
int cw_audit_framework_critical(const cw_audit_framework *f, int g);

/* ---- statistics ---- */

/*
 * n out of total as a percentage to one decimal place, rounded half up from
 * integers: 23 of 53 is "43.4", 0 of 0 is "0.0". out holds at least 8 bytes.
 * (n above total gives more than 100, up to "99999.9"; beyond that, "-".)
 */
void cw_audit_percent(size_t n, size_t total, char out[8]);

/* How far two auditors agree on the same gradings (moderation). */
typedef struct cw_audit_agreement {
    size_t pairs;      /* gradings both auditors made */
    size_t exact;      /* the same grade */
    size_t within_one; /* at most one grade apart (exact included) */
    /* Cohen's weighted kappa (1968) with linear weights 1 - |i-j|/(k-1) and
     * quadratic weights 1 - ((i-j)/(k-1))^2, over the framework's k grades;
     * kappa_defined is 0 when it is not (no pairs, or chance agreement 1). */
    int kappa_defined;
    double kappa_linear;
    double kappa_quadratic;
} cw_audit_agreement;

/* The agreement between first[i] and second[i], i < n, grades 1..ngrades (others refused,
 * as are ngrades outside 2..CW_AUDIT_MAX_GRADES and n above CW_AUDIT_MAX_PAIRS). */
cw_rc cw_audit_agreement_of(const int *first, const int *second, size_t n, size_t ngrades,
                            cw_audit_agreement *out, cw_error *err);

/* ---- sampling ---- */

typedef struct cw_audit_candidate {
    char child_id[65];
    char team[65];      /* the allocated worker's team; "" for none */
    char case_type[33]; /* child_protection | looked_after | care_and_support | child_in_need */
} cw_audit_candidate;

/*
 * A reproducible stratified random sample (docs/audits.md, "Sampling"): the
 * candidates are grouped into strata by team and case type; each candidate's
 * key is the SHA-256 of seed, a newline and its child id, in hex. Every stratum
 * gets min(minimum, its size) cases; the rest of size is shared between the
 * strata in proportion to what each has left (largest remainder, ties to the
 * stratum that sorts first); within a stratum the cases with the lowest keys
 * are taken. When the minimums alone exceed size, every stratum still gets its
 * minimum. picked[] receives indexes into c (cap at least n), in the order
 * drawn: strata in sorted order (team, then case type), keys ascending within.
 * The result depends only on the candidates as a set, the seed, size and minimum.
 * Refused: a seed that is not 1-64 characters of [A-Za-z0-9._:-], size 0, an
 * empty child id, a field without its NUL, the same child id twice. No
 * candidates (n = 0) is no sample, not an error.
 */
cw_rc cw_audit_sample(const cw_audit_candidate *c, size_t n, const char *seed, size_t size,
                      size_t minimum, size_t *picked, size_t *npicked, cw_error *err);

#endif
