/*
 * quality_test.c — tests of quality/quality.h, the pure parts of case-file
 * audits (docs/audits.md): the two built-in frameworks and the loader's
 * refusals, the report's percentages, two auditors' agreement (Cohen's
 * weighted kappa) and reproducible stratified sampling.
 *
 * Sources of truth, none of them the code under test:
 *   - percentages: worked by hand in the comments (tenths of a percent,
 *     rounded half up);
 *   - kappa: the published two-rater example of Wikipedia's "Cohen's kappa"
 *     (50 proposals, kappa 0.4), and tables worked with exact fractions in
 *     Python from the textbook form kappa_w = 1 - sum(v O) / sum(v E) with
 *     disagreement weights v (|i-j|/(k-1) or ((i-j)/(k-1))^2), which the code
 *     does not use (it works from agreement weights in integers);
 *   - sampling: keys from the shell (printf 'SEED\nCHILD' | sha256sum) and the
 *     allocation worked by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quality/quality.h"
#include "util/sha256.h"

extern const char cw_audit_standard[];
extern const char cw_audit_ofsted[];

static const char *const THEMES[] = {
    "childs_voice", "assessment", "planning", "management_oversight",
    "risk",         "recording",  "impact"};
#define NTHEMES (sizeof THEMES / sizeof THEMES[0])

/* ---------------------------------------------------------------------- */
/* Frameworks                                                              */

static void check_themes(const cw_audit_framework *f)
{
    assert_int_equal(f->nthemes, NTHEMES);
    for (size_t i = 0; i < NTHEMES; i++) {
        const cw_audit_theme *t = cw_audit_framework_theme(f, THEMES[i]);
        if (!t)
            fail_msg("%s: no theme %s", f->id, THEMES[i]);
        assert_string_equal(t->id, THEMES[i]);
        assert_true(strlen(t->title) > 3);
        assert_true(strlen(t->title_cy) > 3);
        assert_non_null(t->guidance);
        assert_non_null(t->guidance_cy);
        /* Several guidance lines, joined with a newline; no empty line, none at the end. */
        assert_non_null(strchr(t->guidance, '\n'));
        assert_non_null(strchr(t->guidance_cy, '\n'));
        assert_null(strstr(t->guidance, "\n\n"));
        assert_int_not_equal(t->guidance[strlen(t->guidance) - 1], '\n');
        /* One sentence a line, 2 to 5 of them, and the Welsh line for line. */
        size_t lines = 1, lines_cy = 1;
        for (const char *c = t->guidance; *c; c++)
            lines += *c == '\n';
        for (const char *c = t->guidance_cy; *c; c++)
            lines_cy += *c == '\n';
        assert_in_range(lines, 2, 5);
        assert_int_equal(lines_cy, lines);
    }
    assert_null(cw_audit_framework_theme(f, "nonesuch"));
    assert_null(cw_audit_framework_theme(f, NULL));
}

static void test_builtin_standard(void **state)
{
    (void)state;
    cw_audit_framework f;
    cw_error err;
    assert_int_equal(cw_audit_framework_builtin(&f, "standard", &err), CW_OK);
    assert_string_equal(f.id, "standard");
    assert_true(strlen(f.title) > 0 && strlen(f.title_cy) > 0);
    static const char *const en[] = {"Outstanding", "Good", "Requires improvement", "Inadequate",
                                     "Critical"};
    static const char *const cy[] = {"Rhagorol", "Da", "Angen gwella", "Annigonol", "Critigol"};
    assert_int_equal(f.ngrades, 5);
    for (int g = 1; g <= 5; g++) {
        assert_int_equal(f.grades[g - 1].value, g);
        assert_string_equal(f.grades[g - 1].label, en[g - 1]);
        assert_string_equal(f.grades[g - 1].label_cy, cy[g - 1]);
        assert_int_equal(f.grades[g - 1].critical, g == 5);
        assert_int_equal(cw_audit_framework_critical(&f, g), g == 5);
    }
    assert_false(cw_audit_framework_critical(&f, 0));
    assert_false(cw_audit_framework_critical(&f, 6));
    check_themes(&f);
    const cw_audit_theme *risk = cw_audit_framework_theme(&f, "risk");
    assert_non_null(strstr(risk->guidance, "SERAF"));
    assert_non_null(strstr(risk->guidance_cy, "CRhB"));
    char hex[65];
    cw_sha256_hex(cw_audit_standard, strlen(cw_audit_standard), hex);
    assert_string_equal(f.sha256, hex);
    cw_audit_framework_release(&f);
    assert_int_equal(f.nthemes, 0);
    cw_audit_framework_release(&f); /* twice is harmless */
}

static void test_builtin_ofsted(void **state)
{
    (void)state;
    cw_audit_framework f;
    cw_error err;
    assert_int_equal(cw_audit_framework_builtin(&f, "ofsted", &err), CW_OK);
    assert_string_equal(f.id, "ofsted");
    static const char *const en[] = {"Outstanding", "Good", "Requires improvement to be good",
                                     "Inadequate"};
    assert_int_equal(f.ngrades, 4);
    for (int g = 1; g <= 4; g++) {
        assert_int_equal(f.grades[g - 1].value, g);
        assert_string_equal(f.grades[g - 1].label, en[g - 1]);
        assert_true(strlen(f.grades[g - 1].label_cy) > 0);
        assert_int_equal(cw_audit_framework_critical(&f, g), g == 4);
    }
    assert_false(cw_audit_framework_critical(&f, 5));
    check_themes(&f);
    char hex[65];
    cw_sha256_hex(cw_audit_ofsted, strlen(cw_audit_ofsted), hex);
    assert_string_equal(f.sha256, hex);
    /* The themes are the standard framework's, word for word. */
    cw_audit_framework s;
    assert_int_equal(cw_audit_framework_builtin(&s, "standard", &err), CW_OK);
    for (size_t i = 0; i < NTHEMES; i++) {
        const cw_audit_theme *a = &f.themes[i], *b = &s.themes[i];
        assert_string_equal(a->id, b->id);
        assert_string_equal(a->guidance, b->guidance);
        assert_string_equal(a->guidance_cy, b->guidance_cy);
    }
    assert_string_not_equal(f.sha256, s.sha256);
    cw_audit_framework_release(&s);
    cw_audit_framework_release(&f);
}

static void test_builtin_unknown(void **state)
{
    (void)state;
    cw_audit_framework f;
    cw_error err;
    assert_int_equal(cw_audit_framework_builtin(&f, "estyn", &err), CW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "\"estyn\""));
    assert_non_null(strstr(err.msg, "standard"));
    assert_non_null(strstr(err.msg, "ofsted"));
    assert_int_equal(f.nthemes, 0);
    assert_int_equal(cw_audit_framework_builtin(&f, NULL, &err), CW_ENOTFOUND);
}

/* A council's own: Welsh optional, guidance lines joined with a newline. */
static void test_load_custom(void **state)
{
    (void)state;
    const char text[] = "# a council's own\n"
                        "framework my_council_2026\n"
                        "title Practice audit\n"
                        "grade 1 Good\n"
                        "grade 2 Adequate | Digonol\n"
                        "grade 3 Poor\n"
                        "critical 2 3\n"
                        "theme voice\n"
                        "  title Voice\n"
                        "  guidance First line.\r\n"
                        "  guidance   Second line.  \n"
                        "theme plan\n"
                        "  title Plan\n"
                        "  title_cy Cynllun\n"
                        "  guidance One.\n"
                        "  guidance_cy Un.\n";
    cw_audit_framework f;
    cw_error err;
    assert_int_equal(cw_audit_framework_load(&f, text, strlen(text), "my.audit", &err), CW_OK);
    assert_string_equal(f.id, "my_council_2026");
    assert_string_equal(f.title, "Practice audit");
    assert_string_equal(f.title_cy, "");
    assert_int_equal(f.ngrades, 3);
    assert_string_equal(f.grades[0].label, "Good");
    assert_string_equal(f.grades[0].label_cy, "");
    assert_string_equal(f.grades[1].label, "Adequate");
    assert_string_equal(f.grades[1].label_cy, "Digonol");
    assert_false(cw_audit_framework_critical(&f, 1));
    assert_true(cw_audit_framework_critical(&f, 2));
    assert_true(cw_audit_framework_critical(&f, 3));
    assert_int_equal(f.nthemes, 2);
    assert_string_equal(f.themes[0].guidance, "First line.\nSecond line.");
    assert_string_equal(f.themes[0].guidance_cy, "");
    assert_string_equal(f.themes[0].title_cy, "");
    assert_string_equal(f.themes[1].title_cy, "Cynllun");
    assert_string_equal(f.themes[1].guidance_cy, "Un.");
    char hex[65];
    cw_sha256_hex(text, strlen(text), hex);
    assert_string_equal(f.sha256, hex);
    cw_audit_framework_release(&f);
}

/* A scale (5 lines) and a complete theme (3 lines), for the refusals below. */
#define HEAD                                                                                       \
    "framework x\ntitle T\ngrade 1 Good | Da\ngrade 2 Bad | Drwg\ncritical 2\n" /* lines 1-5 */
#define THEME(id) "theme " id "\n  title A\n  guidance G\n"

typedef struct refusal {
    const char *what;
    const char *text;
    const char *message; /* expected in err.msg, with source:line */
} refusal;

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void expect_refused(const char *what, const char *text, size_t len, const char *message)
{
    cw_audit_framework f;
    cw_error err;
    memset(&f, 0x5a, sizeof f); /* need not be initialised */
    cw_rc rc = cw_audit_framework_load(&f, text, len, "t.audit", &err);
    if (rc == CW_OK)
        fail_msg("%s: loaded", what);
    if (!strstr(err.msg, message))
        fail_msg("%s: message \"%s\", expected \"%s\"", what, err.msg, message);
    /* Nothing is loaded: f is left released. */
    assert_int_equal(f.nthemes, 0);
    assert_int_equal(f.ngrades, 0);
    cw_audit_framework_release(&f);
}

static void test_load_refusals(void **state)
{
    (void)state;
    static const refusal cases[] = {
        {"unknown directive", HEAD "colour blue\n" THEME("a"),
         "t.audit:6: unknown keyword \"colour\""},
        {"unknown directive in a theme", HEAD THEME("a") "  weight 3\n",
         "t.audit:9: unknown keyword \"weight\" in a theme"},
        {"no framework line", "title T\n", "t.audit:1: the first line must be \"framework ID\""},
        {"empty file", "# nothing\n\n", "t.audit: no framework line"},
        {"second framework line", HEAD "framework y\n", "t.audit:6: a second framework line"},
        {"framework id with capitals", "framework Mine\n",
         "t.audit:1: framework: \"Mine\" is not an id"},
        {"framework id too long", "framework abcdefghijabcdefghijabcdefghijabc\n",
         "t.audit:1: framework: \"abcdefghijabcdefghijabcdefghijabc\" is not an id"},
        {"no framework title", "framework x\ngrade 1 A\ngrade 2 B\ncritical 2\n" THEME("a"),
         "t.audit:7: framework x has no title line"},
        {"second title", "framework x\ntitle T\ntitle U\n", "t.audit:3: a second title line"},
        {"grades skip one", "framework x\ntitle T\ngrade 1 A\ngrade 3 C\n",
         "t.audit:4: grade 3: expected grade 2"},
        {"grades start at 2", "framework x\ntitle T\ngrade 2 A\n",
         "t.audit:3: grade 2: expected grade 1"},
        {"grade repeated", "framework x\ntitle T\ngrade 1 A\ngrade 1 B\n",
         "t.audit:4: grade 1: expected grade 2"},
        {"grade 0", "framework x\ntitle T\ngrade 0 A\n",
         "t.audit:3: grade: \"0\" is not a grade number"},
        {"grade not a number", "framework x\ntitle T\ngrade one A\n",
         "t.audit:3: grade: \"one\" is not a grade number"},
        {"grade without a label", "framework x\ntitle T\ngrade 1\n",
         "t.audit:3: grade 1: label: empty"},
        {"grade with an empty Welsh label", "framework x\ntitle T\ngrade 1 Good |\n",
         "t.audit:3: grade 1: Welsh label: empty"},
        {"grade with two bars", "framework x\ntitle T\ngrade 1 Good | Da | Iawn\n",
         "t.audit:3: grade 1: more than one \"|\""},
        {"more than 7 grades",
         "framework x\ntitle T\ngrade 1 A\ngrade 2 B\ngrade 3 C\ngrade 4 D\ngrade 5 E\ngrade 6 F\n"
         "grade 7 G\ngrade 8 H\n",
         "t.audit:10: grade 8: more than 7 grades"},
        {"one grade, then critical", "framework x\ntitle T\ngrade 1 A\ncritical 1\n",
         "t.audit:4: critical: the grades (at least 2) come first"},
        {"one grade, then the end", "framework x\ntitle T\ngrade 1 A\n",
         "t.audit:3: fewer than 2 grades"},
        {"one grade, then a theme", "framework x\ntitle T\ngrade 1 A\n" THEME("a"),
         "t.audit:4: theme: the grades (at least 2) come before the first theme"},
        {"critical grade off the scale", "framework x\ntitle T\ngrade 1 A\ngrade 2 B\ncritical 3\n",
         "t.audit:5: critical: \"3\" is not a grade on the scale (1 to 2)"},
        {"critical grade not a number",
         "framework x\ntitle T\ngrade 1 A\ngrade 2 B\ncritical 2 x\n",
         "t.audit:5: critical: \"x\" is not a grade on the scale"},
        {"critical with no grade", "framework x\ntitle T\ngrade 1 A\ngrade 2 B\ncritical\n",
         "t.audit:5: critical: which grades"},
        {"critical grade twice", "framework x\ntitle T\ngrade 1 A\ngrade 2 B\ncritical 2 2\n",
         "t.audit:5: critical: grade 2 twice"},
        {"second critical line", HEAD "critical 1\n", "t.audit:6: a second critical line"},
        {"grade after critical", HEAD "grade 3 C\n",
         "t.audit:6: grade: the grades come before the critical line"},
        {"no critical grade, then a theme",
         "framework x\ntitle T\ngrade 1 A\ngrade 2 B\n" THEME("a"),
         "t.audit:5: theme: the critical line comes before the first theme"},
        {"no critical grade, then the end", "framework x\ntitle T\ngrade 1 A\ngrade 2 B\n",
         "t.audit:4: no critical line"},
        {"grade after a theme", HEAD THEME("a") "grade 3 C\n",
         "t.audit:9: grade: the scale comes before the first theme"},
        {"no themes", HEAD, "t.audit:5: no themes"},
        {"duplicate theme", HEAD THEME("a") THEME("b") THEME("a"), "t.audit:12: theme a twice"},
        {"theme id with a hyphen", HEAD "theme childs-voice\n",
         "t.audit:6: theme: \"childs-voice\" is not an id"},
        {"theme without an id", HEAD "theme\n", "t.audit:6: theme: \"\" is not an id"},
        {"theme without a title", HEAD "theme a\n  guidance G\n" THEME("b"),
         "t.audit:6: theme a has no title line"},
        {"theme without guidance", HEAD THEME("a") "theme b\n  title B\n",
         "t.audit:9: theme b has no guidance line"},
        {"theme with Welsh guidance only", HEAD "theme a\n  title A\n  guidance_cy G\n",
         "t.audit:6: theme a has no guidance line"},
        {"theme title twice", HEAD "theme a\n  title A\n  title B\n",
         "t.audit:8: a second title line"},
        {"empty guidance", HEAD "theme a\n  title A\n  guidance\n", "t.audit:8: guidance: empty"},
        {"NUL byte", "framework x\ntitle T\0\n", "t.audit:2: a NUL byte"},
        {"not UTF-8", "framework x\ntitle \xff\n", "t.audit:2: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        if (!strcmp(cases[i].what, "NUL byte"))
            len = sizeof "framework x\ntitle T\0\n" - 1;
        expect_refused(cases[i].what, cases[i].text, len, cases[i].message);
    }
}

/* The refusals that need long or many lines. */
static void test_load_refusals_of_size(void **state)
{
    (void)state;
    char *buf = malloc(64 * 1024);
    assert_non_null(buf);
    char *label = repeat('L', 61), *title = repeat('T', 121), *half = repeat('g', 1500),
         *line999 = repeat('h', 999);

    snprintf(buf, 64 * 1024, "framework x\ntitle T\ngrade 1 %s\n", label);
    expect_refused("label too long", buf, strlen(buf), "t.audit:3: grade 1: label: longer than 60");
    snprintf(buf, 64 * 1024, "framework x\ntitle T\ngrade 1 A | %s\n", label);
    expect_refused("Welsh label too long", buf, strlen(buf),
                   "t.audit:3: grade 1: Welsh label: longer than 60");
    snprintf(buf, 64 * 1024, "framework x\ntitle %s\n", title);
    expect_refused("title too long", buf, strlen(buf), "t.audit:2: title: longer than 120");
    snprintf(buf, 64 * 1024, HEAD "theme a\n  title_cy %s\n", title);
    expect_refused("theme title_cy too long", buf, strlen(buf),
                   "t.audit:7: title_cy: longer than 120");
    /* 60 and 120 bytes are allowed. */
    label[60] = '\0';
    title[120] = '\0';
    snprintf(buf, 64 * 1024,
             "framework x\ntitle %s\ngrade 1 %s | %s\ngrade 2 B\ncritical 2\ntheme a\n  title "
             "%s\n  guidance G\n",
             title, label, label, title);
    cw_audit_framework f;
    cw_error err;
    assert_int_equal(cw_audit_framework_load(&f, buf, strlen(buf), "t.audit", &err), CW_OK);
    assert_int_equal(strlen(f.grades[0].label_cy), 60);
    cw_audit_framework_release(&f);
    /* Guidance: 1500 + 1 + 1500 + 1 + 998 = 4000 bytes fit; one more does not. */
    snprintf(buf, 64 * 1024, HEAD "theme a\ntitle A\nguidance %s\nguidance %s\nguidance %.998s\n",
             half, half, line999);
    assert_int_equal(cw_audit_framework_load(&f, buf, strlen(buf), "t.audit", &err), CW_OK);
    assert_int_equal(strlen(f.themes[0].guidance), 4000);
    cw_audit_framework_release(&f);
    snprintf(buf, 64 * 1024, HEAD "theme a\ntitle A\nguidance %s\nguidance %s\nguidance %s\n", half,
             half, line999);
    expect_refused("guidance too long", buf, strlen(buf),
                   "t.audit:10: guidance: longer than 4000 bytes in all");
    /* A line longer than the directive reader allows. */
    char *line = repeat('g', 2001);
    snprintf(buf, 64 * 1024, HEAD "theme a\n  title A\n  guidance %s\n", line);
    expect_refused("line too long", buf, strlen(buf), "t.audit:8: longer than 2000 bytes");
    free(line);
    /* 16 themes load; a 17th is refused, naming its line. */
    size_t used = (size_t)snprintf(buf, 64 * 1024, HEAD);
    for (int i = 1; i <= 17; i++)
        used +=
            (size_t)snprintf(buf + used, 64 * 1024 - used, "theme t%d\n title A\n guidance G\n", i);
    expect_refused("17 themes", buf, strlen(buf), "t.audit:54: theme t17: more than 16 themes");
    buf[strlen(buf) - strlen("theme t17\n title A\n guidance G\n")] = '\0';
    assert_int_equal(cw_audit_framework_load(&f, buf, strlen(buf), "t.audit", &err), CW_OK);
    assert_int_equal(f.nthemes, CW_AUDIT_MAX_THEMES);
    cw_audit_framework_release(&f);
    free(label);
    free(title);
    free(half);
    free(line999);
    free(buf);
}

/* ---------------------------------------------------------------------- */
/* Percentages                                                             */

static void expect_percent(size_t n, size_t total, const char *want)
{
    char out[8];
    memset(out, 'x', sizeof out);
    cw_audit_percent(n, total, out);
    if (strcmp(out, want))
        fail_msg("%zu of %zu: \"%s\", expected \"%s\"", n, total, out, want);
}

/*
 * 53 files graded: 2 Good, 23 Requires improvement, 27 Inadequate, 1 Critical.
 * In tenths of a percent, 1000 n / 53:
 *   2: 37.74 -> 38 "3.8";  23: 433.96 -> 434 "43.4";  27: 509.43 -> 509 "50.9";
 *   1: 18.87 -> 19 "1.9".  (They add to 100.0: 3.8 + 43.4 + 50.9 + 1.9.)
 */
static void test_percent_53(void **state)
{
    (void)state;
    expect_percent(2, 53, "3.8");
    expect_percent(23, 53, "43.4");
    expect_percent(27, 53, "50.9");
    expect_percent(1, 53, "1.9");
    expect_percent(0, 53, "0.0");
    expect_percent(53, 53, "100.0");
}

static void test_percent_rounding(void **state)
{
    (void)state;
    expect_percent(0, 0, "0.0");
    expect_percent(5, 0, "0.0");
    expect_percent(1, 3, "33.3");   /* 333.33 */
    expect_percent(2, 3, "66.7");   /* 666.67 */
    expect_percent(1, 8, "12.5");   /* 125 exactly */
    expect_percent(1, 16, "6.3");   /* 62.5: half up */
    expect_percent(1, 80, "1.3");   /* 12.5: half up */
    expect_percent(1, 2000, "0.1"); /* 0.5: half up */
    expect_percent(1, 2001, "0.0"); /* 0.49975 */
    expect_percent(3, 16, "18.8");  /* 187.5: half up */
    expect_percent(999, 1000, "99.9");
    expect_percent(9999, 10000, "100.0"); /* 999.9 -> 1000 */
    expect_percent(1, 1, "100.0");
    expect_percent(3, 2, "150.0");
    expect_percent(999999, 1, "-");
    expect_percent(99999, 1, "-"); /* 9999900.0 */
    expect_percent(999, 1, "99900.0");
    expect_percent(SIZE_MAX / 2, SIZE_MAX, "50.0");
    expect_percent(SIZE_MAX, SIZE_MAX, "100.0");
}

/* ---------------------------------------------------------------------- */
/* Agreement                                                               */

/* got within 1e-12 of want (the kappas are one division from exact integers). */
#define assert_near(got, want) near_((got), (want), #got, __LINE__)
static void near_(double got, double want, const char *what, int line)
{
    double d = got - want;
    if (d > 1e-12 || d < -1e-12)
        fail_msg("line %d: %s = %.15g, expected %.15g", line, what, got, want);
}

/* Expands a k x k table of counts into n pairs of grades. */
static size_t expand(const int *table, int k, int *first, int *second)
{
    size_t n = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            for (int c = 0; c < table[i * k + j]; c++) {
                first[n] = i + 1;
                second[n++] = j + 1;
            }
    return n;
}

/*
 * Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, two readers, yes/no:
 * both yes 20, A yes B no 5, A no B yes 10, both no 15; p_o = 0.7, p_e = 0.5, kappa = 0.4.
 * With two grades the linear and quadratic weights are both the identity: kappa 0.4.
 */
static void test_kappa_published(void **state)
{
    (void)state;
    static const int table[] = {20, 5, 10, 15};
    int a[50], b[50];
    size_t n = expand(table, 2, a, b);
    cw_audit_agreement ag;
    cw_error err;
    assert_int_equal(cw_audit_agreement_of(a, b, n, 2, &ag, &err), CW_OK);
    assert_int_equal(ag.pairs, 50);
    assert_int_equal(ag.exact, 35);
    assert_int_equal(ag.within_one, 50);
    assert_true(ag.kappa_defined);
    assert_near(ag.kappa_linear, 0.4);
    assert_near(ag.kappa_quadratic, 0.4);
}

/*
 * A moderation of 54 files on the five-point scale (rows: the first auditor's grade,
 * columns: the moderator's):
 *        1  2  3  4  5     row totals 4 13 19 14 4, column totals 4 11 22 14 3
 *   1    3  1  0  0  0
 *   2    1  8  3  1  0     exact: 3+8+14+9+2 = 36
 *   3    0  2 14  3  0     two apart: (2,4) and (5,3): within one = 52
 *   4    0  0  4  9  1
 *   5    0  0  1  1  2
 * Worked with exact fractions (Python's fractions.Fraction) from 1 - sum(v O)/sum(v E):
 *   linear kappa 217/325 = 0.667692307692..., quadratic 2375/3023 = 0.785643400595...
 */
static void test_kappa_five_grades(void **state)
{
    (void)state;
    static const int table[] = {3, 1, 0, 0, 0, 1, 8, 3, 1, 0, 0, 2, 14,
                                3, 0, 0, 0, 4, 9, 1, 0, 0, 1, 1, 2};
    int a[54], b[54];
    size_t n = expand(table, 5, a, b);
    assert_int_equal(n, 54);
    cw_audit_agreement ag;
    cw_error err;
    assert_int_equal(cw_audit_agreement_of(a, b, n, 5, &ag, &err), CW_OK);
    assert_int_equal(ag.pairs, 54);
    assert_int_equal(ag.exact, 36);
    assert_int_equal(ag.within_one, 52);
    assert_true(ag.kappa_defined);
    assert_near(ag.kappa_linear, 217.0 / 325.0);
    assert_near(ag.kappa_quadratic, 2375.0 / 3023.0);
    /* The auditors swapped: kappa is symmetric. */
    assert_int_equal(cw_audit_agreement_of(b, a, n, 5, &ag, &err), CW_OK);
    assert_near(ag.kappa_linear, 217.0 / 325.0);
    assert_near(ag.kappa_quadratic, 2375.0 / 3023.0);
}

/*
 * Worse than chance, on the four-point scale: (1,4) three times, (4,1) three times, (2,2)
 * once; n = 7, row totals = column totals = (3, 1, 0, 3). By hand, in agreement weights
 * (W - d) / W as the code's comment writes them, kappa = (n A - B) / (n^2 W - B):
 *   linear, W = 3: A = 3 (the (2,2) pair); B = 3*(9 + 9 + 1) + 2*(3 + 3) + 1*(3 + 3) = 75;
 *     kappa = (21 - 75) / (147 - 75) = -54/72 = -0.75.
 *   quadratic, W = 9: A = 9; B = 9*(9 + 9 + 1) + 8*(3 + 3) + 5*(3 + 3) = 249;
 *     kappa = (63 - 249) / (441 - 249) = -186/192 = -31/32.
 * Python's fractions (the textbook form) agree: -3/4 and -31/32.
 */
static void test_kappa_negative(void **state)
{
    (void)state;
    int a[] = {1, 1, 1, 4, 4, 4, 2}, b[] = {4, 4, 4, 1, 1, 1, 2};
    cw_audit_agreement ag;
    cw_error err;
    assert_int_equal(cw_audit_agreement_of(a, b, 7, 4, &ag, &err), CW_OK);
    assert_int_equal(ag.exact, 1);
    assert_int_equal(ag.within_one, 1);
    assert_true(ag.kappa_defined);
    assert_near(ag.kappa_linear, -0.75);
    assert_near(ag.kappa_quadratic, -31.0 / 32.0);
}

static void test_kappa_perfect_and_undefined(void **state)
{
    (void)state;
    cw_audit_agreement ag;
    cw_error err;
    /* Perfect agreement over more than one grade: kappa 1. */
    int a[] = {1, 2, 3, 4, 5, 3}, b[] = {1, 2, 3, 4, 5, 3};
    assert_int_equal(cw_audit_agreement_of(a, b, 6, 5, &ag, &err), CW_OK);
    assert_int_equal(ag.exact, 6);
    assert_true(ag.kappa_defined);
    assert_near(ag.kappa_linear, 1.0);
    assert_near(ag.kappa_quadratic, 1.0);
    /* No pairs: nothing is defined, counts are 0. */
    assert_int_equal(cw_audit_agreement_of(a, b, 0, 5, &ag, &err), CW_OK);
    assert_int_equal(ag.pairs, 0);
    assert_int_equal(ag.exact, 0);
    assert_false(ag.kappa_defined);
    /* Both auditors gave every file the same one grade: chance agreement is 1. */
    int c[] = {3, 3, 3, 3};
    assert_int_equal(cw_audit_agreement_of(c, c, 4, 5, &ag, &err), CW_OK);
    assert_int_equal(ag.pairs, 4);
    assert_int_equal(ag.exact, 4);
    assert_int_equal(ag.within_one, 4);
    assert_false(ag.kappa_defined);
    /* One auditor used one grade, the other two: defined, and 0 (no better than chance). */
    int d[] = {3, 3, 3, 3}, e[] = {3, 3, 2, 2};
    assert_int_equal(cw_audit_agreement_of(d, e, 4, 5, &ag, &err), CW_OK);
    assert_true(ag.kappa_defined);
    assert_near(ag.kappa_linear, 0.0);
    assert_near(ag.kappa_quadratic, 0.0);
}

static void test_agreement_refusals(void **state)
{
    (void)state;
    cw_audit_agreement ag;
    cw_error err;
    int a[] = {1, 2, 3}, b[] = {1, 2, 6}, z[] = {0, 1, 1};
    assert_int_equal(cw_audit_agreement_of(a, b, 3, 5, &ag, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "grading 3: 3 and 6"));
    assert_int_equal(cw_audit_agreement_of(a, b, 3, 6, &ag, &err), CW_OK);
    assert_int_equal(cw_audit_agreement_of(z, a, 3, 5, &ag, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "grading 1: 0 and 1"));
    assert_int_equal(cw_audit_agreement_of(a, a, 3, 1, &ag, &err), CW_EINVAL);
    assert_int_equal(cw_audit_agreement_of(a, a, 3, 0, &ag, &err), CW_EINVAL);
    assert_int_equal(cw_audit_agreement_of(a, a, 3, CW_AUDIT_MAX_GRADES + 1, &ag, &err), CW_EINVAL);
    assert_int_equal(cw_audit_agreement_of(a, a, 3, CW_AUDIT_MAX_GRADES, &ag, &err), CW_OK);
    assert_int_equal(cw_audit_agreement_of(a, a, (size_t)CW_AUDIT_MAX_PAIRS + 1, 5, &ag, &err),
                     CW_ETOOBIG);
}

/* ---------------------------------------------------------------------- */
/* Sampling                                                                */

static cw_audit_candidate cand(const char *id, const char *team, const char *type)
{
    cw_audit_candidate c;
    memset(&c, 0, sizeof c);
    snprintf(c.child_id, sizeof c.child_id, "%s", id);
    snprintf(c.team, sizeof c.team, "%s", team);
    snprintf(c.case_type, sizeof c.case_type, "%s", type);
    return c;
}

/*
 * Thirteen candidates in four strata; the seed "qa-2026-q1". Keys, from the shell
 * (printf 'qa-2026-q1\nC1' | sha256sum and so on), first 8 hex digits:
 *   ("", care_and_support):       C13 ee4297c2
 *   (east, child_protection):     C4 3be43c0b < C1 6994778e < C3 c2a37b49 < C2 dd9aae27
 *   (east, looked_after):         C5 44b77f37 < C6 695d55b6
 *   (west, child_in_need):        C10 2d1ba1df < C8 3b06959f < C11 3c5dbfe1 < C9 4c4c6bcc
 *                                 < C7 5d78e2a1 < C12 d1f64400
 * The strata sort "" < east < west, then child_in_need < ... by case type.
 */
static void small_population(cw_audit_candidate *c)
{
    for (int i = 1; i <= 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        c[i - 1] = cand(id, "east", "child_protection");
    }
    c[4] = cand("C5", "east", "looked_after");
    c[5] = cand("C6", "east", "looked_after");
    for (int i = 7; i <= 12; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i);
        c[i - 1] = cand(id, "west", "child_in_need");
    }
    c[12] = cand("C13", "", "care_and_support");
}

static void expect_sample(const cw_audit_candidate *c, size_t n, const char *seed, size_t size,
                          size_t minimum, const char *want)
{
    size_t *picked = malloc((n ? n : 1) * sizeof *picked), np = 0;
    assert_non_null(picked);
    cw_error err;
    assert_int_equal(cw_audit_sample(c, n, seed, size, minimum, picked, &np, &err), CW_OK);
    char got[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < np; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? " " : "",
                                 c[picked[i]].child_id);
    if (strcmp(got, want))
        fail_msg("size %zu minimum %zu: \"%s\", expected \"%s\"", size, minimum, got, want);
    free(picked);
}

static void test_sample_known_answer(void **state)
{
    (void)state;
    cw_audit_candidate c[13];
    small_population(c);
    /*
     * size 6, minimum 1. Strata sizes 1, 4, 2, 6; minimums 1, 1, 1, 1 (4); R = 2 left to share.
     * Left in each L = 0, 3, 1, 5 (sum 9); R L = 0, 6, 2, 10: q = 0, 0, 0, 1, remainders
     * 0, 6, 2, 1; one seat over goes to the largest remainder, 6 (east child_protection).
     * Takes 1, 2, 1, 2: C13 | C4 C1 | C5 | C10 C8.
     */
    expect_sample(c, 13, "qa-2026-q1", 6, 1, "C13 C4 C1 C5 C10 C8");
    /* size 3, minimum 1: the minimums (4) exceed the size, and each stratum still gets one. */
    expect_sample(c, 13, "qa-2026-q1", 3, 1, "C13 C4 C5 C10");
    /* size 2, minimum 3: min(3, n_s) each = 1, 3, 2, 3. */
    expect_sample(c, 13, "qa-2026-q1", 2, 3, "C13 C4 C1 C3 C5 C6 C10 C8 C11");
    /*
     * size 4, minimum 0: R = 4, L = 1, 4, 2, 6 (13); R L = 4, 16, 8, 24: q = 0, 1, 0, 1,
     * remainders 4, 3, 8, 11; two seats over: 11 (west), 8 (east looked_after).
     * Takes 0, 1, 1, 2.
     */
    expect_sample(c, 13, "qa-2026-q1", 4, 0, "C4 C5 C10 C8");
    /* size 13 or more: everyone, strata in order, keys ascending. */
    expect_sample(c, 13, "qa-2026-q1", 13, 1, "C13 C4 C1 C3 C2 C5 C6 C10 C8 C11 C9 C7 C12");
    expect_sample(c, 13, "qa-2026-q1", 20, 0, "C13 C4 C1 C3 C2 C5 C6 C10 C8 C11 C9 C7 C12");
    /* No candidates: no sample, no error. */
    expect_sample(c, 0, "qa-2026-q1", 5, 1, "");
}

/*
 * Ties to the stratum that sorts first: three strata of one (teams b, a, c), size 2,
 * minimum 0. R = 2, L = 3, R L = 2 each: q = 0, remainders 2, 2, 2; the two seats go to
 * teams a and b, whatever order they were given in. Keys (printf 'qa-2026-q1\nT1' |
 * sha256sum): T1 46017723, T2 534809cd, T3 7456032e (one per stratum, so they do not decide).
 */
static void test_sample_ties(void **state)
{
    (void)state;
    cw_audit_candidate c[3] = {cand("T1", "b", "x"), cand("T2", "a", "x"), cand("T3", "c", "x")};
    expect_sample(c, 3, "qa-2026-q1", 2, 0, "T2 T1");
    cw_audit_candidate d[3] = {c[2], c[0], c[1]};
    expect_sample(d, 3, "qa-2026-q1", 2, 0, "T2 T1");
}

/* A council: 5 teams (and the unallocated) x 4 case types, uneven sizes, n candidates. */
static const char *const TEAMS[] = {"", "north", "south", "east", "west", "disability"};
static const char *const TYPES[] = {"child_protection", "looked_after", "care_and_support",
                                    "child_in_need"};

static cw_audit_candidate *population(size_t n)
{
    cw_audit_candidate *c = calloc(n, sizeof *c);
    assert_non_null(c);
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        char id[24];
        snprintf(id, sizeof id, "CH%06zu", i);
        /* Uneven: team by a skewed draw, type by another. */
        size_t t = (x % 100) < 40   ? 1
                   : (x % 100) < 60 ? 2
                   : (x % 100) < 75 ? 3
                   : (x % 100) < 90 ? 4
                   : (x % 100) < 98 ? 5
                                    : 0;
        c[i] = cand(id, TEAMS[t], TYPES[(x >> 20) % 4]);
    }
    return c;
}

static void shuffle(cw_audit_candidate *c, size_t n, uint64_t x)
{
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % (i + 1));
        cw_audit_candidate t = c[i];
        c[i] = c[j];
        c[j] = t;
    }
}

static int stratum_of(const cw_audit_candidate *c)
{
    for (int t = 0; t < 6; t++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(c->team, TEAMS[t]) && !strcmp(c->case_type, TYPES[k]))
                return t * 4 + k;
    return -1;
}

static void test_sample_reproducible(void **state)
{
    (void)state;
    const size_t n = 2000, size = 120, minimum = 3;
    cw_audit_candidate *c = population(n);
    size_t *p1 = malloc(n * sizeof *p1), *p2 = malloc(n * sizeof *p2), *p3 = malloc(n * sizeof *p3);
    assert_true(p1 && p2 && p3);
    size_t n1, n2, n3;
    cw_error err;
    assert_int_equal(cw_audit_sample(c, n, "2026-q1", size, minimum, p1, &n1, &err), CW_OK);
    assert_int_equal(n1, size);
    /* Same seed, same input: the same picks. */
    assert_int_equal(cw_audit_sample(c, n, "2026-q1", size, minimum, p2, &n2, &err), CW_OK);
    assert_int_equal(n2, n1);
    assert_memory_equal(p1, p2, n1 * sizeof *p1);
    /* Shuffled input: the same child ids, in the same order. */
    char(*ids)[65] = malloc(n1 * sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < n1; i++)
        memcpy(ids[i], c[p1[i]].child_id, 65);
    cw_audit_candidate *s = malloc(n * sizeof *s);
    assert_non_null(s);
    memcpy(s, c, n * sizeof *s);
    shuffle(s, n, 42);
    assert_int_equal(cw_audit_sample(s, n, "2026-q1", size, minimum, p2, &n2, &err), CW_OK);
    assert_int_equal(n2, n1);
    for (size_t i = 0; i < n1; i++)
        assert_string_equal(s[p2[i]].child_id, ids[i]);
    /* Another seed: another sample (of 120 from 2000, a handful in common at most by chance). */
    assert_int_equal(cw_audit_sample(c, n, "2026-q2", size, minimum, p3, &n3, &err), CW_OK);
    assert_int_equal(n3, size);
    size_t same = 0;
    for (size_t i = 0; i < n3; i++)
        for (size_t j = 0; j < n1; j++)
            same += p3[i] == p1[j];
    assert_true(same < size / 2);
    free(ids);
    free(s);
    free(p1);
    free(p2);
    free(p3);
    free(c);
}

/* Every stratum gets its minimum; the total is the size; the rest in proportion. */
static void test_sample_minimum_and_proportion(void **state)
{
    (void)state;
    const size_t n = 3000;
    cw_audit_candidate *c = population(n);
    size_t *p = malloc(n * sizeof *p), np = 0;
    assert_non_null(p);
    size_t have[24] = {0}, got[24] = {0};
    for (size_t i = 0; i < n; i++)
        have[stratum_of(&c[i])]++;
    cw_error err;
    const size_t size = 150, minimum = 4;
    assert_int_equal(cw_audit_sample(c, n, "seed.1", size, minimum, p, &np, &err), CW_OK);
    assert_int_equal(np, size);
    size_t base = 0, left = 0;
    for (int s = 0; s < 24; s++) {
        base += have[s] < minimum ? have[s] : minimum;
        left += have[s] - (have[s] < minimum ? have[s] : minimum);
    }
    for (size_t i = 0; i < np; i++)
        got[stratum_of(&c[p[i]])]++;
    for (int s = 0; s < 24; s++) {
        size_t m = have[s] < minimum ? have[s] : minimum;
        size_t l = have[s] - m;
        /* The largest-remainder share: floor or ceiling of (size - base) l / left. */
        size_t lo = m + (size - base) * l / left;
        if (got[s] < lo || got[s] > lo + 1)
            fail_msg("stratum %d: %zu of %zu taken, expected %zu or %zu", s, got[s], have[s], lo,
                     lo + 1);
    }
    /* The picks come stratum by stratum (team, then case type, bytewise), no child twice. */
    for (size_t i = 1; i < np; i++) {
        const cw_audit_candidate *a = &c[p[i - 1]], *b = &c[p[i]];
        int d = strcmp(a->team, b->team);
        assert_true(d < 0 || (d == 0 && strcmp(a->case_type, b->case_type) <= 0));
        for (size_t j = 0; j < i; j++)
            assert_true(p[i] != p[j]);
    }
    free(p);
    free(c);
}

/* A national-size list: 100,000 candidates, in O(n log n) and on the heap. */
static void test_sample_large(void **state)
{
    (void)state;
    const size_t n = 100000;
    cw_audit_candidate *c = population(n);
    size_t *p = malloc(n * sizeof *p), np = 0;
    assert_non_null(p);
    cw_error err;
    assert_int_equal(cw_audit_sample(c, n, "national:2026-27", 400, 2, p, &np, &err), CW_OK);
    assert_int_equal(np, 400);
    assert_int_equal(cw_audit_sample(c, n, "national:2026-27", n, 0, p, &np, &err), CW_OK);
    assert_int_equal(np, n);
    free(p);
    free(c);
}

static void test_sample_refusals(void **state)
{
    (void)state;
    cw_audit_candidate c[3] = {cand("A", "t", "x"), cand("B", "t", "x"), cand("C", "u", "x")};
    size_t p[3], np = 99;
    cw_error err;
    assert_int_equal(cw_audit_sample(c, 3, "", 2, 0, p, &np, &err), CW_EINVAL);
    assert_int_equal(np, 0);
    assert_non_null(strstr(err.msg, "seed"));
    assert_int_equal(cw_audit_sample(c, 3, NULL, 2, 0, p, &np, &err), CW_EINVAL);
    assert_int_equal(cw_audit_sample(c, 3, "has space", 2, 0, p, &np, &err), CW_EINVAL);
    assert_int_equal(cw_audit_sample(c, 3, "new\nline", 2, 0, p, &np, &err), CW_EINVAL);
    char *long_seed = repeat('s', 65);
    assert_int_equal(cw_audit_sample(c, 3, long_seed, 2, 0, p, &np, &err), CW_EINVAL);
    long_seed[64] = '\0';
    assert_int_equal(cw_audit_sample(c, 3, long_seed, 2, 0, p, &np, &err), CW_OK);
    free(long_seed);
    assert_int_equal(cw_audit_sample(c, 3, "Az09._:-", 2, 0, p, &np, &err), CW_OK);
    assert_int_equal(cw_audit_sample(c, 3, "s", 0, 0, p, &np, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "size"));
    /* The same child twice (in another stratum, even). */
    cw_audit_candidate d[3] = {cand("A", "t", "x"), cand("B", "t", "x"), cand("A", "u", "x")};
    assert_int_equal(cw_audit_sample(d, 3, "s", 2, 0, p, &np, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "candidate A: listed twice"));
    cw_audit_candidate e[2] = {cand("A", "t", "x"), cand("", "t", "x")};
    assert_int_equal(cw_audit_sample(e, 2, "s", 2, 0, p, &np, &err), CW_EINVAL);
    assert_non_null(strstr(err.msg, "candidate 2: no child id"));
    cw_audit_candidate f[1] = {cand("A", "t", "x")};
    memset(f[0].team, 't', sizeof f[0].team);
    assert_int_equal(cw_audit_sample(f, 1, "s", 2, 0, p, &np, &err), CW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_standard),
        cmocka_unit_test(test_builtin_ofsted),
        cmocka_unit_test(test_builtin_unknown),
        cmocka_unit_test(test_load_custom),
        cmocka_unit_test(test_load_refusals),
        cmocka_unit_test(test_load_refusals_of_size),
        cmocka_unit_test(test_percent_53),
        cmocka_unit_test(test_percent_rounding),
        cmocka_unit_test(test_kappa_published),
        cmocka_unit_test(test_kappa_five_grades),
        cmocka_unit_test(test_kappa_negative),
        cmocka_unit_test(test_kappa_perfect_and_undefined),
        cmocka_unit_test(test_agreement_refusals),
        cmocka_unit_test(test_sample_known_answer),
        cmocka_unit_test(test_sample_ties),
        cmocka_unit_test(test_sample_reproducible),
        cmocka_unit_test(test_sample_minimum_and_proportion),
        cmocka_unit_test(test_sample_large),
        cmocka_unit_test(test_sample_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
