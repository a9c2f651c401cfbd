/*
 * ssd_test.c — the Standard Safeguarding Dataset, out and back (docs/returns.md, "Standard
 * Safeguarding Dataset: export and import").
 *
 * The children of returns_test.c (the CIN census's), a contact for K2, and K7, a looked-after
 * child: referred, assessed, placed in foster care, moved to a residential placement, missing
 * for two days with a return interview, reviewed, health-assessed, transferred to another
 * worker (a correction moved the health assessment's date) and home again. The export of 2025-26 is
 * compared with rows worked out by hand; the export of everything is imported into an empty log and
 * must give the same children, the same CIN censuses, the same obligations and the same measures. A
 * damaged export (a date that is not a date, a child who is not in ssd_person) is refused naming
 * table, line and column, with nothing written. A foreign SSD, without caseward's extension file,
 * is placed with its ids prefixed by table, stand-in texts, the import's own actor, and its unknown
 * tables skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "casework/casework.h"
#include "measures/measures.h"
#include "returns/returns.h"
#include "rules/rules.h"
#include "testdb.h"
#include "fixture.h"
#include "testutil.h"
#include "util/file.h"

typedef struct fx {
    char dir[64], db[1024];
    cw_ledger *l;
    cw_calendar cal;
    cw_error err;
    uint64_t k7_start, k7_move, k7_note, k1_done, k7_review, k7_visit;
} fx;

static fx F;

static uint64_t sub(const char *actor, const char *type, const char *payload)
{
    return fx_submit(F.l, &F.err, actor, type, payload);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-ssd-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "ssd.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_calendar_load_default(&F.cal, &F.err))
        return -1;
    sub("admin", "team_created",
        "{\"team_id\":\"T1\",\"name\":\"One\",\"service_area\":\"North\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.1\",\"name\":\"S\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");

    /* K1: as returns_test.c */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K1\",\"date\":\"2025-01-10\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2015-06-01\",\"gender\":\"male\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-01-10\",\"ethnicity_code\":\"WOTH\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN2\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-03-01\",\"ethnicity_code\":\"MWBC\","
        "\"disabilities\":[\"HEAR\",\"LD\"],\"upn\":\"P201123456789\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K1.R1\",\"child_id\":\"K1\",\"date\":\"2025-04-07\","
        "\"source\":\"police\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"K1.R1\",\"date\":\"2025-04-07\",\"decision\":\"strategy_discussion\"}");
    sub("tm.1", "strategy_discussion_held",
        "{\"strategy_id\":\"K1.S1\",\"child_id\":\"K1\",\"date\":\"2025-04-07\","
        "\"decision\":\"section_47\"}");
    sub("tm.1", "section_47_started",
        "{\"enquiry_id\":\"K1.E1\",\"child_id\":\"K1\",\"date\":\"2025-04-08\","
        "\"strategy_id\":\"K1.S1\"}");
    sub("tm.1", "assessment_started",
        "{\"assessment_id\":\"K1.A1\",\"child_id\":\"K1\",\"date\":\"2025-04-08\","
        "\"referral_id\":\"K1.R1\"}");
    sub("tm.1", "section_47_completed",
        "{\"enquiry_id\":\"K1.E1\",\"date\":\"2025-04-28\",\"outcome\":\"initial_conference\"}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K1.C1\",\"child_id\":\"K1\",\"date\":\"2025-05-02\","
        "\"kind\":\"initial\",\"decision\":\"register\",\"category\":\"neglect\"}");
    F.k1_done = sub("tm.1", "assessment_completed",
                    "{\"assessment_id\":\"K1.A1\",\"date\":\"2025-05-20\",\"child_seen\":true,"
                    "\"child_seen_date\":\"2025-04-09\",\"views\":\"v\",\"analysis\":\"a\","
                    "\"outcome\":\"child_protection\",\"primary_need\":\"N1\",\"factors\":[\"2B\","
                    "\"3A\"]}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K1.C2\",\"child_id\":\"K1\",\"date\":\"2025-08-01\","
        "\"kind\":\"review\",\"decision\":\"continue\",\"category\":\"emotional\"}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K1.C3\",\"child_id\":\"K1\",\"date\":\"2025-11-03\","
        "\"kind\":\"review\",\"decision\":\"deregister\"}");
    sub("tm.1", "plan_recorded",
        "{\"plan_id\":\"K1.P1\",\"child_id\":\"K1\",\"date\":\"2025-11-10\","
        "\"kind\":\"care_and_support\"}");
    sub("tm.1", "plan_recorded",
        "{\"plan_id\":\"K1.P2\",\"child_id\":\"K1\",\"date\":\"2026-01-10\","
        "\"kind\":\"care_and_support\"}");
    sub("tm.1", "case_closed",
        "{\"child_id\":\"K1\",\"date\":\"2026-02-27\",\"reason\":\"r\",\"closure_reason\":"
        "\"RC7\"}");

    /* K2: a contact that became a referral with no further action */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K2\",\"date\":\"2025-06-01\",\"given_name\":\"C\",\"family_name\":\"D\","
        "\"date_of_birth\":\"2019-03-03\",\"gender\":\"female\",\"language\":\"welsh\"}");
    sub("tm.1", "contact_received",
        "{\"contact_id\":\"K2.CT1\",\"child_id\":\"K2\",\"date\":\"2025-06-01\","
        "\"source\":\"family\",\"reason\":\"x\",\"cse_concern\":false}");
    sub("tm.1", "contact_decided",
        "{\"contact_id\":\"K2.CT1\",\"date\":\"2025-06-02\",\"outcome\":\"referral\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K2.R1\",\"child_id\":\"K2\",\"date\":\"2025-06-02\","
        "\"source\":\"family\",\"source_code\":\"1D\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"K2.R1\",\"date\":\"2025-06-03\",\"decision\":\"no_further_action\"}");

    /* K6, K3, K5: as returns_test.c */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K6\",\"date\":\"2025-03-20\",\"given_name\":\"I\",\"family_name\":\"J\","
        "\"date_of_birth\":\"2014-04-04\",\"gender\":\"female\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K6\",\"date\":\"2025-03-20\",\"ethnicity_code\":\"WBRI\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN2\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K6.R1\",\"child_id\":\"K6\",\"date\":\"2025-03-20\","
        "\"source\":\"neighbour\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"K6.R1\",\"date\":\"2025-04-02\",\"decision\":\"no_further_action\"}");
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K3\",\"date\":\"2024-02-01\",\"given_name\":\"E\",\"family_name\":\"F\","
        "\"date_of_birth\":\"2010-01-01\",\"gender\":\"other\",\"language\":\"english\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K3.R1\",\"child_id\":\"K3\",\"date\":\"2024-02-01\","
        "\"source\":\"health\",\"reason\":\"x\"}");
    sub("tm.1", "assessment_started",
        "{\"assessment_id\":\"K3.A1\",\"child_id\":\"K3\",\"date\":\"2024-02-02\"}");
    sub("tm.1", "assessment_completed",
        "{\"assessment_id\":\"K3.A1\",\"date\":\"2024-03-01\",\"child_seen\":false,"
        "\"views_not_obtained_reason\":\"r\",\"analysis\":\"a\","
        "\"outcome\":\"no_further_action\",\"factors\":[\"21\"]}");
    sub("tm.1", "case_closed", "{\"child_id\":\"K3\",\"date\":\"2025-03-20\",\"reason\":\"r\"}");
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K5\",\"date\":\"2024-10-01\",\"given_name\":\"G\",\"family_name\":\"H\","
        "\"date_of_birth\":\"2012-12-12\",\"gender\":\"not_known\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K5\",\"date\":\"2024-10-01\",\"ethnicity_code\":\"ABAN\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN3\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K5.R1\",\"child_id\":\"K5\",\"date\":\"2024-10-01\","
        "\"source\":\"school\",\"reason\":\"x\"}");
    sub("tm.1", "assessment_started",
        "{\"assessment_id\":\"K5.A1\",\"child_id\":\"K5\",\"date\":\"2024-10-02\","
        "\"referral_id\":\"K5.R1\"}");
    sub("tm.1", "assessment_completed",
        "{\"assessment_id\":\"K5.A1\",\"date\":\"2024-11-15\",\"child_seen\":true,"
        "\"child_seen_date\":\"2024-10-03\",\"views\":\"v\",\"analysis\":\"a\","
        "\"outcome\":\"care_and_support_plan\",\"primary_need\":\"N4\",\"factors\":[\"1B\"]}");
    sub("tm.1", "plan_recorded",
        "{\"plan_id\":\"K5.P1\",\"child_id\":\"K5\",\"date\":\"2024-11-20\","
        "\"kind\":\"care_and_support\"}");
    sub("tm.1", "case_closed", "{\"child_id\":\"K5\",\"date\":\"2026-04-10\",\"reason\":\"r\"}");

    /* K7: looked after from 3 May 2025 to 15 January 2026 */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K7\",\"date\":\"2025-05-01\",\"given_name\":\"K\",\"family_name\":\"L\","
        "\"date_of_birth\":\"2012-02-02\",\"gender\":\"female\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K7\",\"date\":\"2025-05-01\",\"ethnicity_code\":\"WBRI\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN4\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K7.R1\",\"child_id\":\"K7\",\"date\":\"2025-05-01\","
        "\"source\":\"police\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"K7.R1\",\"date\":\"2025-05-01\",\"decision\":\"assessment\"}");
    sub("tm.1", "case_allocated",
        "{\"child_id\":\"K7\",\"worker_id\":\"sw.1\",\"date\":\"2025-05-02\"}");
    sub("sw.1", "assessment_started",
        "{\"assessment_id\":\"K7.A1\",\"child_id\":\"K7\",\"date\":\"2025-05-02\","
        "\"referral_id\":\"K7.R1\"}");
    F.k7_start = sub("sw.1", "looked_after_started",
                     "{\"child_id\":\"K7\",\"date\":\"2025-05-03\",\"placement_id\":\"K7.PL1\","
                     "\"placement_type\":\"foster\"}");
    F.k7_visit = sub("sw.1", "statutory_visit",
                     "{\"child_id\":\"K7\",\"date\":\"2025-05-10\",\"seen\":true,"
                     "\"seen_alone\":true,\"views\":\"v\",\"location\":\"home\","
                     "\"bedroom_seen\":true}");
    sub("sw.1", "assessment_completed",
        "{\"assessment_id\":\"K7.A1\",\"date\":\"2025-06-10\",\"child_seen\":true,"
        "\"child_seen_date\":\"2025-05-10\",\"views\":\"v\",\"analysis\":\"a\","
        "\"outcome\":\"looked_after\",\"primary_need\":\"N1\",\"factors\":[\"16A\"]}");
    F.k7_move = sub("sw.1", "placement_changed",
                    "{\"child_id\":\"K7\",\"date\":\"2025-07-01\",\"placement_id\":\"K7.PL2\","
                    "\"placement_type\":\"residential\"}");
    sub("sw.1", "missing_episode",
        "{\"episode_id\":\"K7.M1\",\"child_id\":\"K7\",\"date\":\"2025-08-01\","
        "\"returned\":\"2025-08-03\"}");
    sub("sw.1", "return_interview",
        "{\"episode_id\":\"K7.M1\",\"date\":\"2025-08-04\",\"conducted_by\":\"x\","
        "\"accepted\":true}");
    F.k7_review =
        sub("sw.1", "looked_after_review_held", "{\"child_id\":\"K7\",\"date\":\"2025-08-05\"}");
    uint64_t hc = sub("sw.1", "health_check_recorded",
                      "{\"child_id\":\"K7\",\"date\":\"2025-08-20\",\"kind\":"
                      "\"health_assessment\"}");
    char fix[200];
    snprintf(fix, sizeof fix,
             "{\"corrects\":%llu,\"reason\":\"the day after\",\"changes\":{\"date\":"
             "\"2025-08-21\"}}",
             (unsigned long long)hc);
    sub("tm.1", "correction", fix);
    sub("tm.1", "case_transferred",
        "{\"child_id\":\"K7\",\"worker_id\":\"tm.1\",\"date\":\"2025-09-01\"}");
    F.k7_note =
        sub("tm.1", "case_note", "{\"child_id\":\"K7\",\"date\":\"2025-09-02\",\"text\":\"t\"}");
    sub("tm.1", "looked_after_ended",
        "{\"child_id\":\"K7\",\"date\":\"2026-01-15\",\"reason\":\"returned_home\"}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cw_ledger_close(F.l);
    cw_calendar_release(&F.cal);
    rm_rf(F.dir);
    return 0;
}

static void make(cw_ledger *l, const char *kind, int year, cw_returns_output *out)
{
    cw_returns_query q = {year, "201", "caseward", "test", "2026-04-20T09:00:00", NULL};
    cw_returns_output_init(out);
    if (cw_returns_make(cw_returns_find(kind), cw_ledger_store(l), &F.cal, &q, out, &F.err))
        fail_msg("%s %d: %s", kind, year, F.err.msg);
}

static const char *file(const cw_returns_output *o, const char *name)
{
    for (size_t i = 0; i < o->nfiles; i++)
        if (!strcmp(o->files[i].name, name))
            return o->files[i].data.data ? o->files[i].data.data : "";
    fail_msg("no file %s", name);
    return NULL;
}

/* The CSV line of f that starts with the cell start (its quoted first column). */
static void line_of(const char *csv, const char *start, char *out, size_t cap)
{
    const char *p = csv;
    size_t n = strlen(start);
    out[0] = '\0';
    while (p && *p) {
        if (!strncmp(p, start, n)) {
            const char *e = strstr(p, "\r\n");
            size_t len = e ? (size_t)(e - p) : strlen(p);
            assert_true(len < cap);
            memcpy(out, p, len);
            out[len] = '\0';
            return;
        }
        p = strstr(p, "\r\n");
        if (p)
            p += 2;
    }
}

/* The number (1 = the header) of the line of f starting with start. */
static int line_number(const char *csv, const char *start)
{
    int n = 1;
    for (const char *p = csv; p && *p; n++) {
        if (!strncmp(p, start, strlen(start)))
            return n;
        p = strstr(p, "\r\n");
        if (p)
            p += 2;
    }
    return -1;
}

#define NO_FLAGS_CINE(set)                                                                         \
    "{\"\"SINGLE_ASSESSMENT_FLAG\"\":\"\"N\"\",\"\"NFA_FLAG\"\":\"\"N\"\","                        \
    "\"\"STRATEGY_DISCUSSION_FLAG\"\":\"\"" set "\"\",\"\"CLA_REQUEST_FLAG\"\":\"\"N\"\","         \
    "\"\"NON_AGENCY_ADOPTION_FLAG\"\":\"\"N\"\",\"\"PRIVATE_FOSTERING_FLAG\"\":\"\"N\"\","         \
    "\"\"CP_TRANSFER_IN_FLAG\"\":\"\"N\"\",\"\"CP_CONFERENCE_FLAG\"\":\"\"N\"\","                  \
    "\"\"CARE_LEAVER_FLAG\"\":\"\"N\"\",\"\"OTHER_OUTCOMES_EXIST_FLAG\"\":\"\"N\"\","              \
    "\"\"TOTAL_NO_OF_OUTCOMES\"\":1}"

/* 2025-26: rows worked out by hand from the fixtures. */
static void test_export(void **state)
{
    (void)state;
    cw_returns_output o;
    char got[4096], want[4096];
    make(F.l, "ssd", 2026, &o);
    assert_int_equal(o.nfiles, 26); /* 24 tables, the extension, the notes */
    assert_int_equal(o.counts.children, 6);

    assert_string_equal(
        file(&o, "ssd_person.csv"),
        "pers_person_id,pers_sex,pers_gender,pers_ethnicity,pers_dob,"
        "pers_common_child_id,pers_legacy_id,pers_upn_unknown,pers_send_flag,"
        "pers_expected_dob,pers_death_date,pers_is_mother,pers_nationality\r\n"
        "\"K1\",\"M\",\"01\",\"MWBC\",\"2015-06-01\",\"\",\"\",\"\",\"\",\"\",\"\","
        "\"\",\"\"\r\n"
        "\"K2\",\"F\",\"02\",\"\",\"2019-03-03\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
        "\"\"\r\n"
        "\"K3\",\"U\",\"09\",\"\",\"2010-01-01\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
        "\"\"\r\n"
        "\"K5\",\"U\",\"00\",\"ABAN\",\"2012-12-12\",\"\",\"\",\"UN3\",\"\",\"\","
        "\"\",\"\",\"\"\r\n"
        "\"K6\",\"F\",\"02\",\"WBRI\",\"2014-04-04\",\"\",\"\",\"UN2\",\"\",\"\","
        "\"\",\"\",\"\"\r\n"
        "\"K7\",\"F\",\"02\",\"WBRI\",\"2012-02-02\",\"\",\"\",\"UN4\",\"\",\"\","
        "\"\",\"\",\"\"\r\n");
    line_of(file(&o, "ssd_linked_identifiers.csv"), "\"K1.UPN\"", got, sizeof got);
    assert_string_equal(got, "\"K1.UPN\",\"K1\",\"Unique Pupil Number\",\"P201123456789\","
                             "\"2025-03-01\",\"\"");
    line_of(file(&o, "ssd_disability.csv"), "\"K1.LD\"", got, sizeof got);
    assert_string_equal(got, "\"K1.LD\",\"K1\",\"LD\"");
    line_of(file(&o, "ssd_cin_episodes.csv"), "\"K1.R1\"", got, sizeof got);
    assert_string_equal(got,
                        "\"K1.R1\",\"K1\",\"2025-04-07\",\"N1\",\"6\",\"Police\",\"" NO_FLAGS_CINE(
                            "Y") "\",\"N\",\"RC7\",\"2026-02-27\",\"T1\",\"tm.1\"");
    line_of(file(&o, "ssd_contacts.csv"), "\"K2.CT1\"", got, sizeof got);
    assert_string_equal(
        got, "\"K2.CT1\",\"K2\",\"2025-06-01\",\"1A\",\"Individual: family member\","
             "\"{\"\"NEW_REFERRAL_FLAG\"\":\"\"Y\"\",\"\"EXISTING_REFERRAL_FLAG\"\":\"\"N\"\","
             "\"\"CP_ENQUIRY_FLAG\"\":\"\"N\"\",\"\"NFA_FLAG\"\":\"\"N\"\","
             "\"\"NON_AGENCY_ADOPTION_FLAG\"\":\"\"N\"\",\"\"PRIVATE_FOSTERING_FLAG\"\":\"\"N\"\","
             "\"\"ADVICE_FLAG\"\":\"\"N\"\",\"\"MISSING_FLAG\"\":\"\"N\"\",\"\"OLA_CP_FLAG\"\":"
             "\"\"N\"\",\"\"OTHER_OUTCOMES_EXIST_FLAG\"\":\"\"N\"\",\"\"TOTAL_NO_OF_OUTCOMES\"\":"
             "1}\"");
    line_of(file(&o, "ssd_s47_enquiry.csv"), "\"K1.E1\"", got, sizeof got);
    assert_non_null(strstr(got, "\"K1.E1\",\"K1.R1\",\"K1\",\"2025-04-08\",\"2025-04-28\",\"N\","));
    line_of(file(&o, "ssd_cp_plans.csv"), "\"K1.C1\"", got, sizeof got);
    assert_string_equal(got, "\"K1.C1\",\"K1.R1\",\"K1.C1\",\"K1\",\"2025-05-02\",\"2025-11-03\","
                             "\"Neglect\",\"N\",\"Emotional abuse\"");
    line_of(file(&o, "ssd_cp_reviews.csv"), "\"K1.C3\"", got, sizeof got);
    assert_string_equal(got, "\"K1.C3\",\"K1.C1\",\"\",\"2025-11-03\",\"N\",\"\",\"\"");
    /* the two CIN plan records are one plan and its review */
    line_of(file(&o, "ssd_cin_plans.csv"), "\"K1.P1\"", got, sizeof got);
    assert_string_equal(got, "\"K1.P1\",\"K1.R1\",\"K1\",\"2025-11-10\",\"2026-02-27\",\"T1\","
                             "\"tm.1\"");
    line_of(file(&o, "ssd_cin_plans.csv"), "\"K1.P2\"", got, sizeof got);
    assert_string_equal(got, "");
    line_of(file(&o, "ssd_assessment_factors.csv"), "\"K1.A1\"", got, sizeof got);
    assert_string_equal(got, "\"K1.A1\",\"K1.A1\",\"[\"\"2B\"\",\"\"3A\"\"]\"");

    /* K7: two episodes of one period of care, the first ended by the move (X1) */
    snprintf(want, sizeof want,
             "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
             "clae_cla_episode_start_reason,clae_cla_primary_need_code,clae_cla_episode_ceased,"
             "clae_cla_episode_ceased_reason,clae_cla_id,clae_referral_id,clae_cla_placement_id,"
             "clae_entered_care_date,clae_cla_last_iro_contact_date\r\n"
             "\"K7.%llu\",\"K7\",\"2025-05-03\",\"S\",\"\",\"2025-07-01\",\"X1\",\"K7.%llu\","
             "\"K7.R1\",\"K7.PL1\",\"2025-05-03\",\"\"\r\n"
             "\"K7.%llu\",\"K7\",\"2025-07-01\",\"P\",\"\",\"2026-01-15\",\"\",\"K7.%llu\","
             "\"K7.R1\",\"K7.PL2\",\"2025-05-03\",\"\"\r\n",
             (unsigned long long)F.k7_start, (unsigned long long)F.k7_start,
             (unsigned long long)F.k7_move, (unsigned long long)F.k7_start);
    assert_string_equal(file(&o, "ssd_cla_episodes.csv"), want);
    line_of(file(&o, "ssd_cla_placement.csv"), "\"K7.PL2\"", got, sizeof got);
    snprintf(want, sizeof want,
             "\"K7.PL2\",\"K7.%llu\",\"2025-07-01\",\"\",\"\",\"\",\"\",\"K7.%llu\",\"\",\"\","
             "\"2026-01-15\",\"\"",
             (unsigned long long)F.k7_move, (unsigned long long)F.k7_start);
    assert_string_equal(got, want);
    assert_string_equal(file(&o, "ssd_missing.csv"),
                        "miss_table_id,miss_la_person_id,miss_mis_epi_start,miss_mis_epi_type,"
                        "miss_mis_epi_end,miss_mis_epi_rhi_offered,miss_mis_epi_rhi_accepted\r\n"
                        "\"K7.M1\",\"K7\",\"2025-08-01\",\"\",\"2025-08-03\",\"Y\",\"Y\"\r\n");
    snprintf(want, sizeof want, "\"K7.%llu\"", (unsigned long long)F.k7_review);
    line_of(file(&o, "ssd_cla_reviews.csv"), want, got, sizeof got);
    snprintf(want, sizeof want, "\"K7.%llu\",\"K7.%llu\",\"K7.%llu\",\"\",\"2025-08-05\",\"\",\"\"",
             (unsigned long long)F.k7_review, (unsigned long long)F.k7_move,
             (unsigned long long)F.k7_start);
    assert_string_equal(got, want);
    snprintf(want, sizeof want, "\"K7.%llu\"", (unsigned long long)F.k7_visit);
    line_of(file(&o, "ssd_cla_visits.csv"), want, got, sizeof got);
    snprintf(want, sizeof want,
             "\"K7.%llu\",\"\",\"K7.%llu\",\"K7.%llu\",\"2025-05-10\",\"Y\",\"Y\"",
             (unsigned long long)F.k7_visit, (unsigned long long)F.k7_start,
             (unsigned long long)F.k7_start);
    assert_string_equal(got, want);
    assert_non_null(strstr(file(&o, "ssd_cla_health.csv"),
                           "\",\"K7\",\"Health Assessment\",\"2025-08-21\",\"Completed\"\r\n"));
    const char *invo = file(&o, "ssd_involvements.csv");
    assert_non_null(strstr(invo, "\"sw.1\",\"Allocated Case Worker\",\"T1\",\"2025-05-02\","
                                 "\"2025-09-01\",\"\",\"K7\",\"K7.R1\"\r\n"));
    assert_string_equal(file(&o, "ssd_professionals.csv"),
                        "prof_professional_id,prof_staff_id,prof_professional_name,"
                        "prof_social_worker_registration_no,prof_professional_job_title,"
                        "prof_professional_caseload,prof_professional_department,"
                        "prof_full_time_equivalency,prof_agency_worker_flag\r\n"
                        "\"sw.1\",\"\",\"\",\"\",\"Social Worker\",\"\",\"One\",\"\",\"\"\r\n"
                        "\"tm.1\",\"\",\"\",\"\",\"Team Manager\",\"\",\"One\",\"\",\"\"\r\n");

    /* the extension: what the SSD has no column for, never a name or a text */
    const char *facts = file(&o, "caseward_facts.csv");
    char key[200];
    snprintf(key, sizeof key,
             "\"ssd_cin_assessments\",\"K1.A1\",\"assessment_completed\",\"%llu\","
             "\"child_seen_date\",\"\"\"2025-04-09\"\"\"\r\n",
             (unsigned long long)F.k1_done);
    assert_non_null(strstr(facts, key));
    snprintf(key, sizeof key,
             "\"ssd_cin_assessments\",\"K1.A1\",\"assessment_completed\",\"%llu\",\"views\","
             "\"true\"\r\n",
             (unsigned long long)F.k1_done);
    assert_non_null(strstr(facts, key));
    snprintf(key, sizeof key, "\"caseward\",\"K7\",\"case_note\",\"%llu\",\"text\",\"true\"\r\n",
             (unsigned long long)F.k7_note);
    assert_non_null(strstr(facts, key));
    assert_non_null(strstr(facts, "\"ssd_professionals\",\"sw.1\",\"staff_added\",\"\","
                                  "\"manager_id\",\"\"\"tm.1\"\"\"\r\n"));
    assert_null(strstr(facts, "P201123456789")); /* the UPN is in ssd_linked_identifiers only */
    assert_null(strstr(facts, "\"\"v\"\""));     /* no text */
    /* events after 31 March 2026 are not in it: K5's closure */
    assert_null(strstr(file(&o, "ssd_cin_episodes.csv"), "2026-04-10"));
    cw_returns_output_release(&o);
}

/* Writes an output's files into dir. */
static void write_out(const cw_returns_output *o, const char *dir)
{
    char path[1200];
    mkdir(dir, 0700);
    for (size_t i = 0; i < o->nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, o->files[i].name);
        if (cw_file_write_atomic(path, o->files[i].data.data ? o->files[i].data.data : "",
                                 o->files[i].data.len, 0600, 0, &F.err))
            fail_msg("%s: %s", path, F.err.msg);
    }
}

static cw_ledger *empty_log(const char *name, char *db, size_t cap)
{
    cw_ledger *l = NULL;
    tdb_path(db, cap, F.dir, name);
    if (cw_ledger_create(db, "ssd.test/import", &F.err) ||
        cw_ledger_open(db, CW_LEDGER_WRITE, &l, &F.err))
        fail_msg("%s: %s", name, F.err.msg);
    return l;
}

static cw_rc import(cw_ledger *l, const char *dir, cw_ssd_import_result *res)
{
    cw_ssd_import_opts o = {dir, "ssd.import", "SSD", "english", 1767225600000}; /* 2026-01-01 */
    return cw_ssd_import(l, &o, res, &F.err);
}

/* The CIN census from <Children> on. */
static char *children(cw_ledger *l, int year)
{
    cw_returns_output o;
    char name[40];
    make(l, "cin", year, &o);
    snprintf(name, sizeof name, "cin-%d.xml", year);
    const char *x = strstr(file(&o, name), "<Children>");
    assert_non_null(x);
    snprintf(name, sizeof name, "cin-%d-notes.csv", year);
    size_t n = strlen(x), m = strlen(file(&o, name));
    char *s = malloc(n + m + 1);
    memcpy(s, x, n);
    memcpy(s + n, file(&o, name), m + 1);
    cw_returns_output_release(&o);
    return s;
}

/* Every child's obligations and signals as of a day, without the log's entry numbers. */
typedef struct obl_ctx {
    const cw_rule_pack *p;
    cw_buf *out;
} obl_ctx;

static cw_rc obligations_of(void *ctx, const cw_child_history *h, cw_error *err)
{
    obl_ctx *c = ctx;
    cw_rule_results r;
    cw_date as_of;
    cw_date_parse("2026-11-30", 10, &as_of);
    cw_rule_results_init(&r);
    cw_rc rc = cw_rules_evaluate(c->p, &F.cal, h, as_of, &r, err);
    for (size_t i = 0; !rc && i < r.nobligations; i++) {
        const cw_obligation *o = &r.obligations[i];
        rc = cw_buf_addf(c->out, "%s %s %d %d %d %d %lld %d %d\n", h->child_id, o->rule_id,
                         (int)o->start, (int)o->due, (int)o->state, (int)o->met_on,
                         (long long)o->days_overdue, (int)o->ended_on, o->escalation_level);
    }
    for (size_t i = 0; !rc && i < r.nsignals; i++)
        rc = cw_buf_addf(c->out, "%s signal %s %d %zu\n", h->child_id, r.signals[i].rule_id,
                         (int)r.signals[i].since, r.signals[i].nevidence);
    cw_rule_results_release(&r);
    return rc;
}

static char *obligations(cw_ledger *l, const cw_rule_pack *p)
{
    cw_buf b = CW_BUF_INIT((size_t)1 << 24);
    obl_ctx c = {p, &b};
    if (cw_returns_each_child(cw_ledger_store(l), obligations_of, &c, &F.err))
        fail_msg("obligations: %s", F.err.msg);
    return cw_buf_detach(&b, NULL);
}

static json_t *measures(cw_ledger *l, const cw_rule_pack *p, const cw_measure_set *m,
                        const char *period)
{
    cw_measures_query q = {0, 0, NULL, NULL, -1};
    cw_measures_result *r = NULL;
    if (cw_measures_period(period, &q.from, &q.to, &F.err) ||
        cw_measures_compute(cw_ledger_store(l), m, p, &F.cal, &q, &r, &F.err))
        fail_msg("measures: %s", F.err.msg);
    json_t *j = cw_measures_figures(r);
    cw_measures_result_free(r);
    return j;
}

/* Everything out, into an empty log, and the same record back. */
static void test_round_trip(void **state)
{
    (void)state;
    cw_returns_output o;
    char dir[200], db[1024];
    snprintf(dir, sizeof dir, "%s/all", F.dir);
    make(F.l, "ssd", 2027, &o);
    write_out(&o, dir);
    cw_returns_output_release(&o);
    cw_ledger *b = empty_log("back", db, sizeof db);
    cw_ssd_import_result res;
    if (import(b, dir, &res))
        fail_msg("import: %s", F.err.msg);
    assert_int_equal(res.rows[0], 6); /* ssd_person */
    assert_int_equal(res.skipped.len, 0);
    cw_ssd_import_result_release(&res);

    for (int year = 2024; year <= 2027; year++) {
        char *x = children(F.l, year), *y = children(b, year);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    cw_rule_pack *p = NULL;
    cw_measure_set *m = NULL;
    if (cw_rules_load_builtin("england", &p, &F.err) || cw_measures_load_builtin(p, &m, &F.err))
        fail_msg("%s", F.err.msg);
    char *x = obligations(F.l, p), *y = obligations(b, p);
    assert_true(strlen(x) > 200); /* there is something to compare */
    assert_string_equal(x, y);
    free(x);
    free(y);
    static const char *const periods[] = {"fy2024", "fy2025", "2025-q3"};
    for (size_t i = 0; i < 3; i++) {
        json_t *a = measures(F.l, p, m, periods[i]), *c = measures(b, p, m, periods[i]);
        if (!json_equal(a, c)) {
            char *s = json_dumps(a, JSON_COMPACT), *t = json_dumps(c, JSON_COMPACT);
            fail_msg("%s:\n%s\n%s", periods[i], s, t);
        }
        json_decref(a);
        json_decref(c);
    }
    /* the same chronology, entry by entry: type, date, actor and facts */
    cw_history h1, h2;
    if (cw_casework_history(F.l, "K7", &h1, &F.err) || cw_casework_history(b, "K7", &h2, &F.err))
        fail_msg("%s", F.err.msg);
    assert_int_equal(h1.n, h2.n);
    for (size_t i = 0; i < h1.n; i++) {
        assert_string_equal(h1.entries[i].type, h2.entries[i].type);
        assert_int_equal(h1.entries[i].date, h2.entries[i].date);
        assert_string_equal(h1.entries[i].actor, h2.entries[i].actor);
        assert_int_equal(h1.entries[i].source_ms, h2.entries[i].source_ms);
        assert_int_equal(h1.entries[i].ncorrections, h2.entries[i].ncorrections);
        assert_int_equal(!h1.entries[i].original, !h2.entries[i].original);
        if (h1.entries[i].original) /* corrected: as first recorded, and as now */
            assert_true(json_equal(h1.entries[i].original, h2.entries[i].original) &&
                        json_equal(h1.entries[i].payload, h2.entries[i].payload));
    }
    cw_casework_history_release(&h1);
    cw_casework_history_release(&h2);
    cw_measures_free(m);
    cw_rules_free(p);
    cw_ledger_close(b);
}

/* A damaged CSV: refused naming table, line and column, and nothing written. */
static void damaged(const char *name, const char *table, const char *row, int col,
                    const char *value, const char *column, const char *what)
{
    cw_returns_output o;
    char dir[200], db[1024], msg[600];
    snprintf(dir, sizeof dir, "%s/%s", F.dir, name);
    make(F.l, "ssd", 2027, &o);
    for (size_t i = 0; i < o.nfiles; i++) {
        if (strcmp(o.files[i].name, table) != 0)
            continue;
        /* the col-th cell of the row: replaced */
        char *csv = o.files[i].data.data, *at = strstr(csv, row);
        assert_non_null(at);
        for (int c = 0; c < col; c++)
            at = strstr(at, "\",\"") + 2;
        char *end = strchr(at + 1, '"');
        cw_buf nb = CW_BUF_INIT((size_t)1 << 26);
        assert_int_equal(cw_buf_add(&nb, csv, (size_t)(at + 1 - csv)), CW_OK);
        assert_int_equal(cw_buf_addstr(&nb, value), CW_OK);
        assert_int_equal(cw_buf_addstr(&nb, end), CW_OK);
        snprintf(msg, sizeof msg, "%s line %d, %s: %s", table, line_number(csv, row), column, what);
        cw_buf_release(&o.files[i].data);
        o.files[i].data = nb;
    }
    write_out(&o, dir);
    cw_returns_output_release(&o);
    cw_ledger *b = empty_log(name, db, sizeof db);
    cw_ssd_import_result res;
    assert_int_not_equal(import(b, dir, &res), CW_OK);
    cw_ssd_import_result_release(&res);
    if (!strstr(F.err.msg, msg))
        fail_msg("\"%s\" does not say \"%s\"", F.err.msg, msg);
    assert_int_equal(cw_ledger_size(b), 0);
    cw_ledger_close(b);
}

static void test_refused(void **state)
{
    (void)state;
    damaged("baddate", "ssd_contacts.csv", "\"K2.CT1\"", 2, "2025-02-30", "cont_contact_date",
            "2025-02-30 is not a date");
    damaged("badchild", "ssd_cin_episodes.csv", "\"K6.R1\"", 1, "K99", "cine_person_id",
            "K99 is not a child in ssd_person (nor in the log)");
    damaged("badflag", "ssd_cla_visits.csv", "\"K7.", 5, "maybe", "clav_cla_visit_seen",
            "maybe is not Y or N");
    /* the extension cannot carry what a person does in their own session: an account, an
     * approval of wider access, a sign-off policy */
    static const char *const smuggled[][2] = {
        {"account_created",
         "\"mallory\",\"account_created\",\"999999\",\"role\",\"\"\"administrator\"\"\""},
        {"access_change_approved",
         "\"mallory\",\"access_change_approved\",\"999998\",\"proposal_id\",\"\"\"p1\"\"\""},
        {"sign_off_policy", "\"mallory\",\"sign_off_policy\",\"999997\",\"sign_off\",\"[]\""}};
    for (size_t i = 0; i < 3; i++) {
        cw_returns_output o;
        char dir[200], db[1024];
        snprintf(dir, sizeof dir, "%s/smuggled%zu", F.dir, i);
        make(F.l, "ssd", 2027, &o);
        for (size_t k = 0; k < o.nfiles; k++)
            if (!strcmp(o.files[k].name, "caseward_facts.csv")) {
                cw_buf *b = &o.files[k].data;
                assert_int_equal(cw_buf_addf(b, "\"caseward\",%s\r\n", smuggled[i][1]), CW_OK);
            }
        write_out(&o, dir);
        cw_returns_output_release(&o);
        cw_ledger *b = empty_log(smuggled[i][0], db, sizeof db);
        cw_ssd_import_result res;
        assert_int_not_equal(import(b, dir, &res), CW_OK);
        cw_ssd_import_result_release(&res);
        if (!strstr(F.err.msg, "is not history an import may record") &&
            !strstr(F.err.msg, "event:"))
            fail_msg("%s: %s", smuggled[i][0], F.err.msg);
        assert_int_equal(cw_ledger_size(b), 0);
        cw_ledger_close(b);
    }
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (cw_file_write_atomic(path, text, strlen(text), 0600, 0, &F.err))
        fail_msg("%s", F.err.msg);
}

/* A council's own SSD: no extension file. */
static void test_foreign(void **state)
{
    (void)state;
    char dir[200], db[1024];
    snprintf(dir, sizeof dir, "%s/foreign", F.dir);
    mkdir(dir, 0700);
    put(dir, "ssd_person.csv",
        "pers_person_id,pers_sex,pers_dob,pers_ethnicity,pers_upn_unknown\r\n"
        "P1,F,2015-01-01,CNHE,UN1\r\n");
    put(dir, "ssd_cin_episodes.csv",
        "cine_referral_id,cine_person_id,cine_referral_date,cine_referral_source_code,"
        "cine_referral_outcome_json,cine_close_date,cine_close_reason,cine_cin_primary_need_code\n"
        "100,P1,2025-05-01 00:00:00,3A,\"{\"\"SINGLE_ASSESSMENT_FLAG\"\":\"\"Y\"\"}\",2025-07-01,"
        "RC8,N9\n");
    put(dir, "ssd_cin_assessments.csv",
        "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,"
        "cina_assessment_child_seen,cina_assessment_auth_date,cina_assessment_outcome_json\n"
        "100,P1,100,2025-05-02,Y,2025-06-01,\"{\"\"NFA_FLAG\"\":\"\"Y\"\"}\"\n");
    /* looked after in foster care (U4), then a children's home (K2), home again (E4A); a
     * planned health check is no check */
    put(dir, "ssd_cla_episodes.csv",
        "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
        "clae_cla_episode_start_reason,clae_cla_episode_ceased,clae_cla_episode_ceased_reason,"
        "clae_cla_placement_id\n"
        "E1,P1,2025-06-02,S,2025-06-20,X1,PL1\n"
        "E2,P1,2025-06-20,P,2025-06-25,E4A,PL2\n");
    put(dir, "ssd_cla_placement.csv",
        "clap_cla_placement_id,clap_cla_placement_type\nPL1,U4\nPL2,K2\n");
    put(dir, "ssd_cla_health.csv",
        "clah_health_check_id,clah_person_id,clah_health_check_type,clah_health_check_date,"
        "clah_health_check_status\n"
        "H1,P1,Health Assessment,2025-06-10,Completed\n"
        "H2,P1,Dental Check,2025-07-10,Planned\n");
    put(dir, "ssd_sdq_scores.csv", "csdq_table_id,csdq_person_id\n");
    cw_ledger *b = empty_log("foreign", db, sizeof db);
    cw_ssd_import_result res;
    /* history is imported before the log's sign-off policy (docs/returns.md): then adopted */
    if (import(b, dir, &res))
        fail_msg("foreign: %s", F.err.msg);
    int adopted = 0;
    if (cw_casework_adopt_policy(b, "assessment_completed,case_closed", "system:policy", &adopted,
                                 &F.err))
        fail_msg("policy: %s", F.err.msg);
    assert_true(adopted);
    assert_string_equal(res.skipped.data, "ssd_sdq_scores");
    /* the import's staff, registration, details, referral 2 + 1, assessment 2, looked after
     * 3, a health check */
    assert_int_equal(res.commands, 12);
    cw_ssd_import_result_release(&res);
    cw_history h;
    if (cw_casework_history(b, "P1", &h, &F.err))
        fail_msg("%s", F.err.msg);
    assert_int_equal(h.n, 11);
    char *s = json_dumps(h.entries[0].payload, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"child_id\":\"P1\",\"date\":\"2025-05-01\",\"date_of_birth\":"
                           "\"2015-01-01\",\"family_name\":\"Not in the SSD (ssd_person line "
                           "2)\",\"gender\":\"female\",\"given_name\":\"Not in the SSD (ssd_person "
                           "line 2)\",\"language\":\"english\"}");
    free(s);
    assert_string_equal(h.entries[0].actor, "ssd.import");
    assert_int_equal(h.entries[0].source_ms, 1767225600000);
    /* one id per table: the referral and the assessment are both 100 in the SSD */
    int seen_assessment = 0;
    for (size_t i = 0; i < h.n; i++) {
        const json_t *p = h.entries[i].payload;
        if (!strcmp(h.entries[i].type, "assessment_completed")) {
            json_t *q = json_deep_copy(p); /* its print is of the log's own key */
            assert_non_null(json_object_get(q, "analysis_print"));
            json_object_del(q, "analysis_print");
            s = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(q);
            assert_string_equal(
                s, "{\"analysis\":\"Not in the SSD (ssd_cin_assessments line 2)\","
                   "\"assessment_id\":\"CINA:100\",\"child_seen\":true,\"child_seen_date\":"
                   "\"2025-06-01\",\"date\":\"2025-06-01\",\"outcome\":\"no_further_action\","
                   "\"primary_need\":\"N9\",\"views_not_obtained_reason\":\"Not in the SSD "
                   "(ssd_cin_assessments line "
                   "2)\"}");
            free(s);
            seen_assessment = 1;
            /* recorded before the policy: no sign-off awaited (the older system's own) */
            cw_signoff so;
            assert_int_equal(
                cw_casework_signoff(cw_ledger_store(b), h.entries[i].index, &so, &F.err), CW_OK);
            assert_string_equal(so.state, "not_needed");
        }
        if (!strcmp(h.entries[i].type, "assessment_started"))
            assert_string_equal(json_string_value(json_object_get(p, "referral_id")), "CINE:100");
        if (!strcmp(h.entries[i].type, "case_closed"))
            assert_string_equal(json_string_value(json_object_get(p, "closure_reason")), "RC8");
        if (!strcmp(h.entries[i].type, "child_details_recorded"))
            assert_string_equal(json_string_value(json_object_get(p, "ethnicity_code")), "CHNE");
        if (!strcmp(h.entries[i].type, "looked_after_started") ||
            !strcmp(h.entries[i].type, "placement_changed") ||
            !strcmp(h.entries[i].type, "looked_after_ended") ||
            !strcmp(h.entries[i].type, "health_check_recorded")) {
            s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
            const char *want =
                !strcmp(h.entries[i].type, "looked_after_started")
                    ? "{\"child_id\":\"P1\",\"date\":\"2025-06-02\",\"placement_id\":\"PL1\","
                      "\"placement_type\":\"foster\"}"
                : !strcmp(h.entries[i].type, "placement_changed")
                    ? "{\"child_id\":\"P1\",\"date\":\"2025-06-20\",\"placement_id\":\"PL2\","
                      "\"placement_type\":\"residential\"}"
                : !strcmp(h.entries[i].type, "looked_after_ended")
                    ? "{\"child_id\":\"P1\",\"date\":\"2025-06-25\",\"reason\":\"returned_home\"}"
                    : "{\"child_id\":\"P1\",\"date\":\"2025-06-10\",\"kind\":"
                      "\"health_assessment\"}";
            assert_string_equal(s, want);
            free(s);
        }
        if (!strcmp(h.entries[i].type, "referral_received")) {
            assert_string_equal(json_string_value(json_object_get(p, "source")), "health");
            assert_string_equal(json_string_value(json_object_get(p, "source_code")), "3A");
        }
    }
    assert_true(seen_assessment);
    cw_casework_history_release(&h);
    cw_ledger_close(b);
}

/* Files that are not text, or not files: refused, naming the file and line, nothing written. */
static void test_not_text(void **state)
{
    (void)state;
    static const struct {
        const char *name, *body, *what;
    } cases[] = {
        {"utf8", "pers_person_id,pers_dob\nP1,2015-01-01\nP\xc3\x28,2015-01-01\n",
         "ssd_person.csv line 3: not UTF-8 text"},
        {"nul", "pers_person_id,pers_dob\nP1,2015-01-01\n", "ssd_person.csv line 3: a NUL byte"},
    };
    for (size_t i = 0; i < 2; i++) {
        char dir[200], db[1024], path[300];
        snprintf(dir, sizeof dir, "%s/nt-%s", F.dir, cases[i].name);
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(path, sizeof path, "%s/ssd_person.csv", dir);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        size_t len = strlen(cases[i].body);
        assert_int_equal(fwrite(cases[i].body, 1, len, fp), len);
        if (i == 1)
            assert_int_equal(fwrite("\0x\n", 1, 3, fp), 3); /* a NUL, line 3 */
        fclose(fp);
        cw_ledger *b = empty_log(cases[i].name, db, sizeof db);
        cw_ssd_import_result res;
        assert_int_not_equal(import(b, dir, &res), CW_OK);
        cw_ssd_import_result_release(&res);
        if (!strstr(F.err.msg, cases[i].what))
            fail_msg("%s: \"%s\" does not say \"%s\"", cases[i].name, F.err.msg, cases[i].what);
        assert_int_equal(cw_ledger_size(b), 0);
        cw_ledger_close(b);
    }
    /* a link to a file elsewhere is not read */
    char dir[200], db[1024], path[300];
    snprintf(dir, sizeof dir, "%s/nt-link", F.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/ssd_person.csv", dir);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    cw_ledger *b = empty_log("link", db, sizeof db);
    cw_ssd_import_result res;
    assert_int_not_equal(import(b, dir, &res), CW_OK);
    cw_ssd_import_result_release(&res);
    assert_non_null(strstr(F.err.msg, "ssd_person.csv: not a plain file"));
    assert_null(strstr(F.err.msg, "root"));
    assert_int_equal(cw_ledger_size(b), 0);
    cw_ledger_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export),   cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),  cmocka_unit_test(test_foreign),
        cmocka_unit_test(test_not_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
