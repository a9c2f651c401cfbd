/*
 * catalogue_test.c — the rule-pack loader keeps its own description of the
 * events a pack may name (src/rules/events.c); it must say exactly what the
 * casework catalogue (src/casework/events.c) says: the same event types, the
 * same fields with the same types, the same enum values. Otherwise a pack
 * could refuse a value validation accepts, or name a field that never exists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "casework/casework_int.h"
#include "rules/rules_int.h"

/* The casework field type a rules field type stands for. */
static int same_type(cw_ftype r, ftype c)
{
    static const struct {
        cw_ftype r;
        ftype c;
    } map[] = {{CW_FT_ID, F_ID},     {CW_FT_TEXT, F_TEXT},    {CW_FT_DATE, F_DATE},
               {CW_FT_BOOL, F_BOOL}, {CW_FT_INT, F_INT},      {CW_FT_ENUM, F_ENUM},
               {CW_FT_IDS, F_IDS},   {CW_FT_OBJECT, F_OBJECT}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].r == r)
            return map[i].c == c;
    return 0;
}

static int same_values(const char *const *a, const char *const *b)
{
    size_t i = 0;
    for (; a && b && a[i] && b[i]; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return (!a || !a[i]) && (!b || !b[i]);
}

static const field_spec *casework_field(const event_spec *spec, const char *name)
{
    for (const field_spec *f = spec->fields; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

/* Every type and field the rules know is the casework catalogue's. */
static void test_rules_types_are_casework_types(void **state)
{
    (void)state;
    assert_true(cw_rules_ntypes > 20);
    for (size_t t = 0; t < cw_rules_ntypes; t++) {
        const cw_ev_type *rt = &cw_rules_types[t];
        const event_spec *spec = cw_casework_spec(rt->name);
        if (!strcmp(rt->name, "sign_off_awaited") || !strcmp(rt->name, "cse_band_aged"))
            continue; /* how the engine sees work awaiting sign-off, or an ageing CSE band:
                         not events */
        if (!spec) {
            fail_msg("rules know %s; the casework catalogue does not", rt->name);
            return;
        }
        assert_false(spec->org);
        for (size_t i = 0; i < rt->nfields; i++) {
            const cw_ev_field *rf = &rt->fields[i];
            if (rf->computed != CW_FC_NONE)
                continue; /* score and band are the engine's own */
            const field_spec *cf = casework_field(spec, rf->name);
            if (!cf) {
                fail_msg("%s.%s: known to the rules, not to the catalogue", rt->name, rf->name);
                return;
            }
            if (!same_type(rf->type, cf->type))
                fail_msg("%s.%s: the rules and the catalogue disagree on its type", rt->name,
                         rf->name);
            if (rf->type == CW_FT_ENUM && !same_values(rf->values, cf->values))
                fail_msg("%s.%s: the rules and the catalogue disagree on its values", rt->name,
                         rf->name);
        }
    }
}

/* And the other way: every casework event and field is known to the rules. */
static void test_casework_types_are_rules_types(void **state)
{
    (void)state;
    cw_buf md = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_casework_describe(&md), CW_OK);
    size_t rows = 0;
    for (const char *line = md.data; line && *line;) {
        const char *eol = strchr(line, '\n');
        char ev[64], field[64];
        if (sscanf(line, "| %63[a-z_0-9] | %63[a-z_0-9] |", ev, field) == 2 &&
            strcmp(ev, "event") != 0) {
            rows++;
            const event_spec *spec = cw_casework_spec(ev);
            if (!spec) {
                fail_msg("%s: listed by the catalogue but not found in it", ev);
                return;
            }
            if (spec->org) {
                if (!cw_rules_type_is_organisation(ev))
                    fail_msg("%s: an organisation event the rules do not know as one", ev);
            } else {
                int t = cw_rules_type_find(ev);
                if (t < 0)
                    fail_msg("%s: in the catalogue, unknown to the rules", ev);
                int inherited = 0;
                if (!cw_rules_field_find(t, field, &inherited) || inherited)
                    fail_msg("%s.%s: in the catalogue, unknown to the rules", ev, field);
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    assert_true(rows > 100);
    cw_buf_release(&md);
}

/*
 * Issue 13: every free-text field is personal data but the few that are facts, which the
 * leaf keeps in the clear: a team's name and service area (the measures filter by area), an
 * escalation's item (part of its key), a record access's route, an audit programme's title,
 * scope and framework fingerprint, and every text of an improvement plan (an inspection, its
 * findings and notice, the plan's recommendations, actions, evidence, budget and reports: about
 * the service, never a child). No other kind of field is
 * personal. A new free-text field is personal unless it is marked FACT and listed here.
 */
static void test_personal_fields(void **state)
{
    (void)state;
    /* and the prints of the two texts the integrity analytics compare (util/textprint.h) */
    static const char *const facts[] = {
        "team_created.name", "team_created.service_area", "escalation_raised.item",
        "record_accessed.what", "assessment_completed.analysis_print",
        /* when a sign-in spray was seen (src/http/throttle.c): times, no one's name */
        "sign_in_spray_detected.window_start", "sign_in_spray_detected.window_end",
        "statutory_visit.views_print",
        /* an audit programme's title and scope, and the
         * framework's fingerprint: about practice, naming
         * no child (docs/audits.md) */
        "audit_programme_created.title", "audit_programme_created.scope",
        "audit_programme_created.framework_sha256", "audit_recommendation_made.text",
        "audit_action_set.text", "audit_report_issued.content_sha256",
        /* an improvement plan's words, from the inspection to the reports to the board and
         * the minister: about the service, naming no child (src/improve/) */
        "improve_inspection_recorded.title", "improve_inspection_recorded.report_ref",
        "improve_finding_recorded.text", "improve_notice_issued.issued_by",
        "improve_plan_created.title", "improve_plan_submitted.submitted_to",
        "improve_recommendation_added.text", "improve_point_added.text",
        "improve_action_added.text", "improve_action_changed.reason",
        "improve_evidence_added.title", "improve_evidence_added.target",
        "improve_evidence_added.sha256", "improve_funding_allocated.source",
        "improve_funding_allocated.reason", "improve_funding_changed.reason",
        "improve_budget_committed.reason", "improve_commitment_changed.reason",
        "improve_spend_recorded.reason", "improve_spend_recorded.reference",
        "improve_spend_reversed.reason", "improve_report_issued.recipients",
        "improve_report_issued.content_sha256", "improve_report_issued.measures_sha256", NULL};
    size_t personal = 0, fact_texts = 0;
    for (size_t i = 0; cw_casework_type_name(i); i++) {
        const char *type = cw_casework_type_name(i);
        for (const field_spec *f = cw_casework_spec(type)->fields; f->name; f++) {
            char name[160];
            snprintf(name, sizeof name, "%s.%s", type, f->name);
            int listed = 0;
            for (const char *const *x = facts; *x; x++)
                listed |= !strcmp(*x, name);
            bool want = f->type == F_TEXT && !listed;
            if (cw_casework_field_personal(type, f->name) != want)
                fail_msg("%s: personal %d, expected %d", name, !want, want);
            personal += want;
            fact_texts += listed;
        }
    }
    assert_int_equal(fact_texts, 38); /* every listed fact exists: 14, and the plans' 24 */
    assert_true(personal >= 30);
    assert_true(cw_casework_field_personal("child_registered", "given_name"));
    assert_false(cw_casework_field_personal("child_registered", "date_of_birth"));
    assert_false(cw_casework_field_personal("no_such_event", "text"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_types_are_casework_types),
        cmocka_unit_test(test_casework_types_are_rules_types),
        cmocka_unit_test(test_personal_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
