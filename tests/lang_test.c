/*
 * lang_test.c — the rule packs and measures in Welsh and English (issue 14).
 *
 * Every rule and signal of both shipped packs, and every measure and state of both measures
 * files, has a Welsh title (title_cy) that is not its English one; the JSON that carries a
 * title carries title_cy beside it; `caseward measures --lang cy` prints the report's
 * heading and the titles in Welsh, and a language caseward does not have is refused.
 * docs/rules.md and docs/measures.md ("title_cy") are the format; docs/welsh-glossary.md the
 * terms.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "measures/measures.h"
#include "measures/measures_int.h"
#include "rules/report.h"
#include "rules/rules.h"
#include "rules/rules_int.h"
#include "testutil.h"
#include "util/utf8.h"

/* ---- every title has a Welsh one ---- */

/* Why a Welsh title is not good enough, or NULL if it is: missing, empty, the English title
 * copied, or not UTF-8. */
static const char *welsh_problem(const char *title, const char *title_cy)
{
    if (!title_cy)
        return "has no title_cy";
    if (!*title_cy)
        return "has an empty title_cy";
    if (!strcmp(title, title_cy))
        return "has a title_cy equal to its English title";
    if (cw_utf8_check(title_cy, strlen(title_cy)) != strlen(title_cy))
        return "has a title_cy that is not UTF-8";
    return NULL;
}

/* The number of rules of a pack whose Welsh title is not good enough; the first is named in
 * first (if not NULL). */
static size_t pack_problems(const cw_rule_pack *p, char *first, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        const char *why = welsh_problem(p->rules[i].title, p->rules[i].title_cy);
        if (why && n++ == 0 && first)
            snprintf(first, cap, "pack %s: rule %s %s", p->name, p->rules[i].id, why);
    }
    return n;
}

static size_t measures_problems(const cw_measure_set *m, char *first, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nstates; i++) {
        const char *why = welsh_problem(m->states[i].title, m->states[i].title_cy);
        if (why && n++ == 0 && first)
            snprintf(first, cap, "measures %s: state %s %s", m->name, m->states[i].id, why);
    }
    for (size_t i = 0; i < m->nmeasures; i++) {
        const char *why = welsh_problem(m->measures[i].title, m->measures[i].title_cy);
        if (why && n++ == 0 && first)
            snprintf(first, cap, "measures %s: measure %s %s", m->name, m->measures[i].id, why);
    }
    return n;
}

static void test_shipped_titles_are_bilingual(void **state)
{
    (void)state;
    static const char *const packs[] = {"wales", "england"};
    for (size_t k = 0; k < 2; k++) {
        cw_rule_pack *p = NULL;
        cw_measure_set *m = NULL;
        cw_error err = {0};
        char first[400] = "";
        if (cw_rules_load_builtin(packs[k], &p, &err) || cw_measures_load_builtin(p, &m, &err))
            fail_msg("%s: %s", packs[k], err.msg);
        assert_true(p->nrules > 20);
        if (pack_problems(p, first, sizeof first))
            fail_msg("%s", first);
        if (measures_problems(m, first, sizeof first))
            fail_msg("%s", first);
        assert_true(m->nstates >= 2);
        /* the descriptions too */
        assert_non_null(p->description_cy);
        assert_non_null(m->description_cy);
        assert_string_not_equal(p->description, p->description_cy);
        cw_measures_free(m);
        cw_rules_free(p);
    }
}

/* The check above finds a pack or a measures file that lacks Welsh, or copies the English. */
static void test_the_check_can_fail(void **state)
{
    (void)state;
    static const char pack[] = "pack wales\n"
                               "rule a\n  title A\n  title_cy Teitl A\n  kind obligation\n"
                               "  start referral_received\n  due 1 working day\n"
                               "  met_by referral_decided\n  source Local standard\n"
                               "rule b\n  title B\n  kind obligation\n"
                               "  start referral_received\n  due 1 working day\n"
                               "  met_by referral_decided\n  source Local standard\n"
                               "rule c\n  title C\n  title_cy C\n  kind obligation\n"
                               "  start referral_received\n  due 1 working day\n"
                               "  met_by referral_decided\n  source Local standard\n";
    cw_rule_pack *p = NULL;
    cw_error err = {0};
    if (cw_rules_load(pack, strlen(pack), "t.rules", &p, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(p->rules[0].title_cy, "Teitl A");
    assert_null(p->rules[1].title_cy);
    char first[400] = "";
    assert_int_equal(pack_problems(p, first, sizeof first), 2);
    assert_string_equal(first, "pack wales: rule b has no title_cy");

    static const char measures[] = "measures wales\n"
                                   "state s\n  title s\n  from referral_received\n"
                                   "  to case_closed\n"
                                   "measure M1\n  title M\n  title_cy M\n  unit count\n"
                                   "  count events referral_received\n"
                                   "  numerator after referral_received ever\n  source S\n";
    cw_measure_set *m = NULL;
    if (cw_measures_load(measures, strlen(measures), "t", p, &m, &err))
        fail_msg("%s", err.msg);
    /* state s has none; M1 copies its English; the rules' own measures: a has Welsh, the
     * others not */
    assert_int_equal(measures_problems(m, first, sizeof first), 4);
    assert_string_equal(first, "measures wales: state s has no title_cy");
    cw_measures_free(m);
    cw_rules_free(p);
}

/* ---- the JSON carries both titles ---- */

static void test_json_has_both_titles(void **state)
{
    (void)state;
    cw_rule_pack *p = NULL;
    cw_measure_set *m = NULL;
    cw_error err = {0};
    if (cw_rules_load_builtin("wales", &p, &err) || cw_measures_load_builtin(p, &m, &err))
        fail_msg("%s", err.msg);
    const cw_rule *r = &p->rules[0];
    cw_obligation o = {0};
    o.rule_id = r->id;
    o.title = r->title;
    o.title_cy = r->title_cy;
    json_t *j = cw_report_obligation("C1", &o);
    assert_string_equal(json_string_value(json_object_get(j, "title")), r->title);
    assert_string_equal(json_string_value(json_object_get(j, "title_cy")), r->title_cy);
    json_decref(j);
    /* no Welsh: null, so every object has the member */
    o.title_cy = NULL;
    j = cw_report_obligation("C1", &o);
    assert_true(json_is_null(json_object_get(j, "title_cy")));
    json_decref(j);
    cw_signal s = {0};
    s.rule_id = r->id;
    s.title = r->title;
    s.title_cy = r->title_cy;
    j = cw_report_signal("C1", &s);
    assert_string_equal(json_string_value(json_object_get(j, "title_cy")), r->title_cy);
    json_decref(j);
    long pm24 = cw_measures_find(m, "PM24");
    assert_true(pm24 >= 0);
    j = cw_measures_definition(m, (size_t)pm24);
    assert_string_equal(json_string_value(json_object_get(j, "title_cy")),
                        m->measures[pm24].title_cy);
    json_decref(j);
    cw_measures_free(m);
    cw_rules_free(p);
}

/* ---- caseward measures --lang ---- */

typedef struct fx {
    char dir[PATH_MAX / 2], db[PATH_MAX], err[PATH_MAX];
    char *out;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/cw-lang-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
    snprintf(f->err, sizeof f->err, "%s/stderr", f->dir);
    f->out = malloc(1 << 20);
    *state = f;
    return f->out ? 0 : -1;
}

static int teardown(void **state)
{
    fx *f = *state;
    rm_rf(f->dir);
    free(f->out);
    free(f);
    return 0;
}

/* Runs the CLI; stdout into f->out, stderr into f->err; returns the exit status. */
static int run_cli(fx *f, const char *args)
{
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", CW_BINARY, args, f->err);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(f->out, 1, (1 << 20) - 1, p);
    f->out[n] = 0;
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void read_err(fx *f, char *buf, size_t cap)
{
    FILE *e = fopen(f->err, "r");
    assert_non_null(e);
    size_t n = fread(buf, 1, cap - 1, e);
    buf[n] = 0;
    fclose(e);
}

static void test_measures_report_in_welsh(void **state)
{
    fx *f = *state;
    if (access(CW_BINARY, X_OK) != 0)
        fail_msg("%s is not built (cmake --build ... --target caseward)", CW_BINARY);
    char args[PATH_MAX + 200], err[4096];
    snprintf(args, sizeof args, "init --db '%s' --no-admin >/dev/null", f->db);
    assert_int_equal(run_cli(f, args), 0);
    snprintf(args, sizeof args,
             "demo --db '%s' --children 40 --seed 3 --as-of 2026-06-30 >/dev/null", f->db);
    assert_int_equal(run_cli(f, args), 0);

    /* PM24's titles, from the measures file */
    cw_rule_pack *p = NULL;
    cw_measure_set *m = NULL;
    cw_error e = {0};
    if (cw_rules_load_builtin("wales", &p, &e) || cw_measures_load_builtin(p, &m, &e))
        fail_msg("%s", e.msg);
    const cw_measure *pm24 = &m->measures[cw_measures_find(m, "PM24")];

    snprintf(args, sizeof args, "measures --db '%s' --period fy2025 --lang cy", f->db);
    assert_int_equal(run_cli(f, args), 0);
    if (!strstr(f->out, "mesurau perfformiad (pecyn wales), 2025-04-01 i 2026-03-31\n"))
        fail_msg("no Welsh heading in:\n%.400s", f->out);
    assert_non_null(strstr(f->out, "wedi’u cyfrifo ym mhwynt gwirio’r log "));
    assert_non_null(strstr(f->out, "rhifiadur / enwadur"));
    assert_non_null(strstr(f->out, "Asesiadau ar gyfer plant a gwblhawyd o fewn 42 diwrnod gwaith "
                                   "o adeg yr atgyfeiriad"));
    assert_non_null(strstr(f->out, pm24->title_cy));
    assert_null(strstr(f->out, pm24->title));
    assert_null(strstr(f->out, "measures (wales pack)"));

    /* English by default, and with --lang en */
    snprintf(args, sizeof args, "measures --db '%s' --period fy2025 --lang en", f->db);
    assert_int_equal(run_cli(f, args), 0);
    assert_non_null(strstr(f->out, "measures (wales pack), 2025-04-01 to 2026-03-31\n"));
    assert_non_null(strstr(f->out, pm24->title));
    assert_null(strstr(f->out, pm24->title_cy));

    /* the JSON carries both, whatever the language */
    snprintf(args, sizeof args, "measures --db '%s' --period fy2025 --json", f->db);
    assert_int_equal(run_cli(f, args), 0);
    json_error_t jerr;
    json_t *rep = json_loads(f->out, 0, &jerr);
    assert_non_null(rep);
    json_t *figs = json_object_get(rep, "measures");
    assert_true(json_array_size(figs) > 10);
    for (size_t i = 0; i < json_array_size(figs); i++) {
        const json_t *fig = json_array_get(figs, i);
        const char *cy = json_string_value(json_object_get(fig, "title_cy"));
        if (!cy || !*cy)
            fail_msg("measure %s: no title_cy in the JSON report",
                     json_string_value(json_object_get(fig, "id")));
    }
    json_decref(rep);

    /* a language the reports do not have */
    snprintf(args, sizeof args, "measures --db '%s' --period fy2025 --lang xx", f->db);
    assert_int_equal(run_cli(f, args), 2);
    read_err(f, err, sizeof err);
    if (!strstr(err, "--lang: \"xx\" is not a language of the reports: give en (English) or cy "
                     "(Cymraeg, Welsh)"))
        fail_msg("unclear refusal: %s", err);
    assert_string_equal(f->out, "");

    /* signals, the same */
    snprintf(args, sizeof args, "signals --db '%s' --as-of 2026-06-30 --lang cy", f->db);
    assert_int_equal(run_cli(f, args), 0);
    if (*f->out)
        assert_non_null(strstr(f->out, " ers "));
    snprintf(args, sizeof args, "signals --db '%s' --as-of 2026-06-30 --lang fr", f->db);
    assert_int_equal(run_cli(f, args), 2);
    cw_measures_free(m);
    cw_rules_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_titles_are_bilingual),
        cmocka_unit_test(test_the_check_can_fail),
        cmocka_unit_test(test_json_has_both_titles),
        cmocka_unit_test_setup_teardown(test_measures_report_in_welsh, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
