/*
 * returns_test.c — the statutory returns (docs/returns.md) made from small constructed
 * histories, each value worked out by hand from the specification: England's CIN census.
 *
 * The census year 2025-26 runs from 1 April 2025 to 31 March 2026. Child K1 has every field
 * the census asks for: a police referral, a section 47 enquiry whose initial conference was due
 * 15 working days after the strategy discussion (skipping Good Friday and Easter Monday), a
 * child protection plan with a review that changed the category, then a CIN plan, and the
 * closure. K2's referral ended with no further action and nothing else is known of them (the
 * notes say what is missing). K3's episode ended before the year (in the 2023-24 census, with
 * GenderCurrent). K5's began before the year and is still open at its end.
 */
#include <setjmp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "casework/casework.h"
#include "returns/returns.h"
#include "testdb.h"
#include "fixture.h"
#include "testutil.h"

typedef struct fx {
    char dir[64], db[1024];
    cw_ledger *l;
    cw_calendar cal;
    cw_error err;
    uint64_t k1_details; /* the entry that recorded K1's UPN */
} fx;

static fx F;

static uint64_t sub(const char *actor, const char *type, const char *payload)
{
    return fx_submit(F.l, &F.err, actor, type, payload);
}

/* A command that must be refused, with a message naming what. */
static void refused(const char *type, const char *payload, const char *what)
{
    json_error_t jerr;
    json_t *p = json_loads(payload, 0, &jerr);
    assert_non_null(p);
    cw_event ev = {"tm.1", type, p};
    uint64_t idx = 0;
    assert_int_equal(cw_casework_begin(F.l, &F.err), CW_OK);
    cw_rc rc = cw_casework_submit(F.l, &ev, &idx, &F.err);
    cw_casework_abort(F.l);
    json_decref(p);
    if (rc == CW_OK)
        fail_msg("%s %s was accepted", type, payload);
    if (!strstr(F.err.msg, what))
        fail_msg("%s: the message \"%s\" does not say \"%s\"", type, F.err.msg, what);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-returns-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "returns.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_calendar_load_default(&F.cal, &F.err))
        return -1;
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"One\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");

    /* K1 */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K1\",\"date\":\"2025-01-10\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2015-06-01\",\"gender\":\"male\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-01-10\",\"ethnicity_code\":\"WOTH\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN2\"}");
    /* later details replace earlier ones, field by field */
    F.k1_details = sub("tm.1", "child_details_recorded",
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
    sub("tm.1", "assessment_completed",
        "{\"assessment_id\":\"K1.A1\",\"date\":\"2025-05-20\",\"child_seen\":true,"
        "\"child_seen_date\":\"2025-04-09\",\"views\":\"v\",\"analysis\":\"a\","
        "\"outcome\":\"child_protection\",\"primary_need\":\"N1\",\"factors\":[\"2B\",\"3A\"]}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K1.C2\",\"child_id\":\"K1\",\"date\":\"2025-08-01\","
        "\"kind\":\"review\",\"decision\":\"continue\",\"category\":\"emotional\"}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K1.C3\",\"child_id\":\"K1\",\"date\":\"2025-11-03\","
        "\"kind\":\"review\",\"decision\":\"deregister\"}");
    sub("tm.1", "plan_recorded",
        "{\"plan_id\":\"K1.P1\",\"child_id\":\"K1\",\"date\":\"2025-11-10\","
        "\"kind\":\"care_and_support\"}");
    /* a review of the plan is not a second plan */
    sub("tm.1", "plan_recorded",
        "{\"plan_id\":\"K1.P2\",\"child_id\":\"K1\",\"date\":\"2026-01-10\","
        "\"kind\":\"care_and_support\"}");
    sub("tm.1", "case_closed",
        "{\"child_id\":\"K1\",\"date\":\"2026-02-27\",\"reason\":\"r\",\"closure_reason\":"
        "\"RC7\"}");

    /* K2: a referral with no further action, nothing else known */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K2\",\"date\":\"2025-06-01\",\"given_name\":\"C\",\"family_name\":\"D\","
        "\"date_of_birth\":\"2019-03-03\",\"gender\":\"female\",\"language\":\"welsh\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K2.R1\",\"child_id\":\"K2\",\"date\":\"2025-06-02\","
        "\"source\":\"family\",\"source_code\":\"1D\",\"reason\":\"x\"}");
    sub("tm.1", "referral_decided",
        "{\"referral_id\":\"K2.R1\",\"date\":\"2025-06-03\",\"decision\":\"no_further_action\"}");

    /* K6: referred before the year, decided no further action in it (rule 8569Q) */
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

    /* K3: an episode of 2023-24 and 2024-25, closed before 2025-26 */
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

    /* K5: begun before the year, open at its end (closed after it) */
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

    /* K7: what the notes asked for, recorded after the year (the census made again in May) */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K7\",\"date\":\"2025-05-01\",\"given_name\":\"K\",\"family_name\":\"L\","
        "\"date_of_birth\":\"2016-01-01\",\"gender\":\"female\",\"language\":\"english\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K7.R1\",\"child_id\":\"K7\",\"date\":\"2025-05-02\","
        "\"source\":\"school\",\"reason\":\"x\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K7\",\"date\":\"2026-05-01\",\"ethnicity_code\":\"AIND\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN3\"}");

    /* K8: died on a child protection plan, the case closed four days later */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K8\",\"date\":\"2025-04-01\",\"given_name\":\"M\",\"family_name\":\"N\","
        "\"date_of_birth\":\"2012-02-02\",\"gender\":\"male\",\"language\":\"english\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K8\",\"date\":\"2025-04-01\",\"ethnicity_code\":\"WBRI\","
        "\"disabilities\":[\"NONE\"],\"upn_unknown\":\"UN2\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K8.R1\",\"child_id\":\"K8\",\"date\":\"2025-04-01\","
        "\"source\":\"police\",\"reason\":\"x\"}");
    sub("tm.1", "conference_held",
        "{\"conference_id\":\"K8.C1\",\"child_id\":\"K8\",\"date\":\"2025-04-15\","
        "\"kind\":\"initial\",\"decision\":\"register\",\"category\":\"physical\"}");
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"K8\",\"date\":\"2025-09-02\",\"date_of_death\":\"2025-09-01\"}");
    sub("tm.1", "case_closed", "{\"child_id\":\"K8\",\"date\":\"2025-09-05\",\"reason\":\"r\"}");
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

/* Makes the return for year; out must be released. */
static void make(const char *kind, int year, const char *la, cw_returns_output *out)
{
    cw_returns_query q = {year, la, "caseward", "test", "2026-04-20T09:00:00", NULL};
    cw_returns_output_init(out);
    const cw_return_kind *k = cw_returns_find(kind);
    assert_non_null(k);
    if (cw_returns_make(k, cw_ledger_store(F.l), &F.cal, &q, out, &F.err))
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

/* The text between the first "<Child>" whose LAchildID is id and its "</Child>". */
static void child_xml(const char *xml, const char *id, char *out, size_t cap)
{
    char key[100];
    snprintf(key, sizeof key, "<LAchildID>%s</LAchildID>", id);
    const char *at = strstr(xml, key);
    out[0] = '\0';
    if (!at)
        return;
    const char *start = at;
    while (start > xml && strncmp(start, "<Child>", 7) != 0)
        start--;
    const char *end = strstr(at, "</Child>");
    assert_non_null(end);
    size_t n = (size_t)(end + 8 - start);
    assert_true(n < cap);
    memcpy(out, start, n);
    out[n] = '\0';
}

#define K1_2026                                                                                    \
    "<Child>\n"                                                                                    \
    "      <ChildIdentifiers>\n"                                                                   \
    "        <LAchildID>K1</LAchildID>\n"                                                          \
    "        <UPN>P201123456789</UPN>\n"                                                           \
    "        <PersonBirthDate>2015-06-01</PersonBirthDate>\n"                                      \
    "        <Sex>M</Sex>\n"                                                                       \
    "      </ChildIdentifiers>\n"                                                                  \
    "      <ChildCharacteristics>\n"                                                               \
    "        <Ethnicity>MWBC</Ethnicity>\n"                                                        \
    "        <Disabilities>\n"                                                                     \
    "          <Disability>HEAR</Disability>\n"                                                    \
    "          <Disability>LD</Disability>\n"                                                      \
    "        </Disabilities>\n"                                                                    \
    "      </ChildCharacteristics>\n"                                                              \
    "      <CINdetails>\n"                                                                         \
    "        <CINreferralDate>2025-04-07</CINreferralDate>\n"                                      \
    "        <ReferralSource>6</ReferralSource>\n"                                                 \
    "        <PrimaryNeedCode>N1</PrimaryNeedCode>\n"                                              \
    "        <CINclosureDate>2026-02-27</CINclosureDate>\n"                                        \
    "        <ReasonForClosure>RC7</ReasonForClosure>\n"                                           \
    "        <ReferralNFA>false</ReferralNFA>\n"                                                   \
    "        <Assessments>\n"                                                                      \
    "          <AssessmentActualStartDate>2025-04-08</AssessmentActualStartDate>\n"                \
    "          <AssessmentAuthorisationDate>2025-05-20</AssessmentAuthorisationDate>\n"            \
    "          <FactorsIdentifiedAtAssessment>\n"                                                  \
    "            <AssessmentFactors>2B</AssessmentFactors>\n"                                      \
    "            <AssessmentFactors>3A</AssessmentFactors>\n"                                      \
    "          </FactorsIdentifiedAtAssessment>\n"                                                 \
    "        </Assessments>\n"                                                                     \
    "        <CINPlanDates>\n"                                                                     \
    "          <CINPlanStartDate>2025-11-10</CINPlanStartDate>\n"                                  \
    "          <CINPlanEndDate>2026-02-27</CINPlanEndDate>\n"                                      \
    "        </CINPlanDates>\n"                                                                    \
    "        <Section47>\n"                                                                        \
    "          <S47ActualStartDate>2025-04-08</S47ActualStartDate>\n"                              \
    "          <InitialCPCtarget>2025-04-30</InitialCPCtarget>\n"                                  \
    "          <DateOfInitialCPC>2025-05-02</DateOfInitialCPC>\n"                                  \
    "          <ICPCnotRequired>false</ICPCnotRequired>\n"                                         \
    "        </Section47>\n"                                                                       \
    "        <ChildProtectionPlans>\n"                                                             \
    "          <CPPstartDate>2025-05-02</CPPstartDate>\n"                                          \
    "          <CPPendDate>2025-11-03</CPPendDate>\n"                                              \
    "          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>\n"                             \
    "          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>\n"                               \
    "          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n"                                     \
    "          <Reviews>\n"                                                                        \
    "            <CPPreviewDate>2025-08-01</CPPreviewDate>\n"                                      \
    "          </Reviews>\n"                                                                       \
    "        </ChildProtectionPlans>\n"                                                            \
    "      </CINdetails>\n"                                                                        \
    "    </Child>"

#define K2_2026                                                                                    \
    "<Child>\n"                                                                                    \
    "      <ChildIdentifiers>\n"                                                                   \
    "        <LAchildID>K2</LAchildID>\n"                                                          \
    "        <PersonBirthDate>2019-03-03</PersonBirthDate>\n"                                      \
    "        <Sex>F</Sex>\n"                                                                       \
    "      </ChildIdentifiers>\n"                                                                  \
    "      <ChildCharacteristics>\n"                                                               \
    "        <Ethnicity>NOBT</Ethnicity>\n"                                                        \
    "      </ChildCharacteristics>\n"                                                              \
    "      <CINdetails>\n"                                                                         \
    "        <CINreferralDate>2025-06-02</CINreferralDate>\n"                                      \
    "        <ReferralSource>1D</ReferralSource>\n"                                                \
    "        <CINclosureDate>2025-06-03</CINclosureDate>\n"                                        \
    "        <ReasonForClosure>RC7</ReasonForClosure>\n"                                           \
    "        <ReferralNFA>true</ReferralNFA>\n"                                                    \
    "      </CINdetails>\n"                                                                        \
    "    </Child>"

#define K5_2026                                                                                    \
    "<Child>\n"                                                                                    \
    "      <ChildIdentifiers>\n"                                                                   \
    "        <LAchildID>K5</LAchildID>\n"                                                          \
    "        <UPNunknown>UN3</UPNunknown>\n"                                                       \
    "        <PersonBirthDate>2012-12-12</PersonBirthDate>\n"                                      \
    "        <Sex>U</Sex>\n"                                                                       \
    "      </ChildIdentifiers>\n"                                                                  \
    "      <ChildCharacteristics>\n"                                                               \
    "        <Ethnicity>ABAN</Ethnicity>\n"                                                        \
    "        <Disabilities>\n"                                                                     \
    "          <Disability>NONE</Disability>\n"                                                    \
    "        </Disabilities>\n"                                                                    \
    "      </ChildCharacteristics>\n"                                                              \
    "      <CINdetails>\n"                                                                         \
    "        <CINreferralDate>2024-10-01</CINreferralDate>\n"                                      \
    "        <ReferralSource>2A</ReferralSource>\n"                                                \
    "        <PrimaryNeedCode>N4</PrimaryNeedCode>\n"                                              \
    "        <ReferralNFA>false</ReferralNFA>\n"                                                   \
    "        <CINPlanDates>\n"                                                                     \
    "          <CINPlanStartDate>2024-11-20</CINPlanStartDate>\n"                                  \
    "        </CINPlanDates>\n"                                                                    \
    "      </CINdetails>\n"                                                                        \
    "    </Child>"

static void test_cin_2026(void **state)
{
    (void)state;
    cw_returns_output o;
    make("cin", 2026, "201", &o);
    assert_int_equal(o.nfiles, 2);
    const char *xml = file(&o, "cin-2026.xml");
    assert_non_null(strstr(xml, "<ReferenceDate>2026-03-31</ReferenceDate>"));
    assert_non_null(strstr(xml, "<LEA>201</LEA>"));
    /* DateTime: when the casework was last recorded (the log's last entry here, K8's closure),
     * not the time made (q.now) */
    json_t *last = NULL;
    assert_int_equal(
        cw_casework_entry(cw_ledger_store(F.l), cw_ledger_size(F.l) - 1, &last, &F.err), CW_OK);
    char want[64];
    snprintf(want, sizeof want, "<DateTime>%.19s</DateTime>",
             json_string_value(json_object_get(last, "recorded_at")));
    json_decref(last);
    assert_non_null(strstr(xml, want));
    assert_null(strstr(xml, "2026-04-20T09:00:00"));
    char got[8192];
    child_xml(xml, "K1", got, sizeof got);
    assert_string_equal(got, K1_2026);
    child_xml(xml, "K2", got, sizeof got);
    assert_string_equal(got, K2_2026);
    child_xml(xml, "K5", got, sizeof got);
    assert_string_equal(got, K5_2026);
    child_xml(xml, "K3", got, sizeof got);
    assert_string_equal(got, ""); /* its episode closed before the year */
    child_xml(xml, "K6", got, sizeof got);
    assert_non_null(strstr(got, "<CINreferralDate>2025-03-20</CINreferralDate>\n"
                                "        <ReferralSource>1B</ReferralSource>\n"
                                "        <PrimaryNeedCode>N0</PrimaryNeedCode>\n"
                                "        <CINclosureDate>2025-04-02</CINclosureDate>\n"
                                "        <ReasonForClosure>RC7</ReasonForClosure>\n"
                                "        <ReferralNFA>false</ReferralNFA>\n"));
    assert_int_equal(o.counts.children, 6);
    assert_int_equal(o.counts.records, 6);
    /* K7: the details recorded in May 2026 are the census's */
    child_xml(xml, "K7", got, sizeof got);
    assert_non_null(strstr(got, "<UPNunknown>UN3</UPNunknown>"));
    assert_non_null(strstr(got, "<Ethnicity>AIND</Ethnicity>"));
    /* K8: the plan ended the day the child died, and the episode closed as RC2 */
    child_xml(xml, "K8", got, sizeof got);
    assert_non_null(strstr(got, "<PersonDeathDate>2025-09-01</PersonDeathDate>"));
    assert_non_null(strstr(got, "<CINclosureDate>2025-09-05</CINclosureDate>\n"
                                "        <ReasonForClosure>RC2</ReasonForClosure>"));
    assert_non_null(strstr(got, "<DateOfInitialCPC>2025-04-15</DateOfInitialCPC>"));
    assert_non_null(strstr(got, "<CPPstartDate>2025-04-15</CPPstartDate>\n"
                                "          <CPPendDate>2025-09-01</CPPendDate>"));
    /* the notes: what K2's record lacks, and K5's primary need is recorded */
    const char *notes = file(&o, "cin-2026-notes.csv");
    assert_string_equal(
        notes, "child,field,note\r\n"
               "\"K2\",\"Disability\",\"no disabilities recorded (not even NONE)\"\r\n"
               "\"K2\",\"Ethnicity\",\"no ethnicity code recorded: NOBT (information not yet "
               "obtained)\"\r\n"
               "\"K2\",\"UPN\",\"neither a UPN nor why it is not known (child_details_recorded "
               "upn or upn_unknown)\"\r\n"
               "\"K6\",\"PrimaryNeedCode\",\"no primary need recorded at assessment: N0 (not "
               "stated)\"\r\n"
               "\"K6\",\"ReferralNFA\",\"a referral from before the year, decided no further "
               "action in it: reported as an episode that closed (rule 8569Q)\"\r\n"
               "\"K7\",\"PrimaryNeedCode\",\"no primary need recorded at assessment: N0 (not "
               "stated)\"\r\n"
               "\"K8\",\"PrimaryNeedCode\",\"no primary need recorded at assessment: N0 (not "
               "stated)\"\r\n"
               "\"K8\",\"ReasonForClosure\",\"the closure gave no closure_reason: RC2, from the "
               "episode's work\"\r\n");
    cw_returns_output_release(&o);
}

/* 2023-24: K3 alone, with GenderCurrent (9: not specified, for gender other), the assessment
 * that found no factors (21) and a closure after the year: no closure date. */
static void test_cin_2024(void **state)
{
    (void)state;
    cw_returns_output o;
    make("cin", 2024, "201", &o);
    const char *xml = file(&o, "cin-2024.xml");
    char got[4096];
    child_xml(xml, "K3", got, sizeof got);
    assert_non_null(strstr(got, "<GenderCurrent>9</GenderCurrent>"));
    assert_null(strstr(got, "<Sex>"));
    assert_non_null(strstr(got, "<ReferralSource>3F</ReferralSource>"));
    assert_non_null(strstr(got, "<AssessmentAuthorisationDate>2024-03-01"));
    assert_non_null(strstr(got, "<AssessmentFactors>21</AssessmentFactors>"));
    assert_null(strstr(got, "CINclosureDate"));
    assert_int_equal(o.counts.children, 1);
    cw_returns_output_release(&o);
    /* 2024-25: closed 20 March 2025 after an assessment with no further action and nothing
     * else: RC8, derived, with a note saying so; the assessment (before the year) is left
     * out, so the reason is RC7 by rule 8825Q's reading: only an assessment in the census
     * supports RC8 */
    make("cin", 2025, "201", &o);
    xml = file(&o, "cin-2025.xml");
    child_xml(xml, "K3", got, sizeof got);
    assert_non_null(strstr(got, "<CINclosureDate>2025-03-20</CINclosureDate>"));
    assert_non_null(strstr(got, "<ReasonForClosure>RC7</ReasonForClosure>"));
    assert_null(strstr(got, "<Assessments>"));
    assert_non_null(strstr(file(&o, "cin-2025-notes.csv"),
                           "\"K3\",\"ReasonForClosure\",\"the closure gave no closure_reason: "
                           "RC7, from the episode's work\""));
    cw_returns_output_release(&o);
}

/* What the census cannot be made without, and the details' own rules. */
static void test_refusals(void **state)
{
    (void)state;
    cw_returns_query q = {2026, "20", "caseward", "test", "2026-04-20T09:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    assert_int_equal(
        cw_returns_make(cw_returns_find("cin"), cw_ledger_store(F.l), &F.cal, &q, &o, &F.err),
        CW_EUSAGE);
    assert_non_null(strstr(F.err.msg, "local authority number"));
    assert_int_equal(o.nfiles, 0);
    cw_returns_output_release(&o);
    assert_null(cw_returns_find("ssda"));
    refused("child_details_recorded", "{\"child_id\":\"K1\",\"date\":\"2025-05-01\"}",
            "at least one of");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"disabilities\":[\"NONE\",\"LD\"]}",
            "NONE cannot be listed");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"disabilities\":[\"LD\",\"XX\"]}",
            "\"XX\" is not one of");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"upn\":\"Q201123456789\"}",
            "not a valid Unique Pupil Number");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"upn\":\"P201123456789\","
            "\"upn_unknown\":\"UN1\"}",
            "cannot be given with the UPN");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"date_of_death\":\"2014-01-01\"}",
            "before the child's date of birth");
    refused("assessment_completed",
            "{\"assessment_id\":\"K5.A1\",\"date\":\"2025-05-01\",\"child_seen\":false,"
            "\"views_not_obtained_reason\":\"r\",\"analysis\":\"a\",\"outcome\":\"other_services\","
            "\"factors\":[\"2B\",\"2B\"]}",
            "listed twice");
    refused("child_details_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2025-05-01\",\"former_upn\":\"a\\u0001b\"}",
            "not a valid Unique Pupil Number");
    sub("tm.1", "assessment_started",
        "{\"assessment_id\":\"K7.A1\",\"child_id\":\"K7\",\"date\":\"2025-06-01\"}");
    refused("assessment_completed",
            "{\"assessment_id\":\"K7.A1\",\"date\":\"2025-07-01\",\"child_seen\":false,"
            "\"views_not_obtained_reason\":\"r\",\"analysis\":\"a\",\"outcome\":\"other_services\","
            "\"factors\":[\"21\",\"1A\"]}",
            "21 (no factors identified) cannot be listed");
    refused("case_closed",
            "{\"child_id\":\"K2\",\"date\":\"2025-07-01\",\"reason\":\"r\","
            "\"closure_reason\":\"RC10\"}",
            "\"RC10\" is not one of");
    refused("conference_held",
            "{\"conference_id\":\"K1.C9\",\"child_id\":\"K1\",\"date\":\"2025-12-01\","
            "\"kind\":\"review\",\"decision\":\"deregister\",\"category\":\"neglect\"}",
            "only given when registering or continuing");
}

/* A UPN is corrected like any personal text: the census gives the correction's; a correction
 * is checked as the details are (a wrong check letter, a reason with a UPN, 21 with a factor). */
static void test_corrected_upn(void **state)
{
    (void)state;
    char p[300];
    snprintf(p, sizeof p,
             "{\"corrects\":%" PRIu64 ",\"reason\":\"typed wrongly\","
             "\"changes\":{\"upn\":\"Q201987654321\"}}",
             F.k1_details);
    refused("correction", p, "not a valid Unique Pupil Number");
    snprintf(p, sizeof p,
             "{\"corrects\":%" PRIu64 ",\"reason\":\"r\",\"changes\":{\"upn_unknown\":\"UN1\"}}",
             F.k1_details);
    refused("correction", p, "cannot be given with the UPN");
    snprintf(p, sizeof p,
             "{\"corrects\":%" PRIu64 ",\"reason\":\"typed wrongly\","
             "\"changes\":{\"upn\":\"J201987654321\"}}",
             F.k1_details);
    sub("tm.1", "correction", p);
    cw_returns_output o;
    make("cin", 2026, "201", &o);
    char got[8192];
    child_xml(file(&o, "cin-2026.xml"), "K1", got, sizeof got);
    assert_non_null(strstr(got, "<UPN>J201987654321</UPN>"));
    cw_returns_output_release(&o);
}

/* An assessment awaiting a manager's sign-off when the case closed: the note says so. */
static void test_awaiting_signoff(void **state)
{
    (void)state;
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.1\",\"name\":\"W\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");
    sub("tm.1", "sign_off_policy", "{\"sign_off\":[\"assessment_completed\"]}");
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K9\",\"date\":\"2025-06-01\",\"given_name\":\"O\",\"family_name\":\"P\","
        "\"date_of_birth\":\"2013-03-03\",\"gender\":\"female\",\"language\":\"english\"}");
    sub("tm.1", "referral_received",
        "{\"referral_id\":\"K9.R1\",\"child_id\":\"K9\",\"date\":\"2025-06-01\","
        "\"source\":\"school\",\"reason\":\"x\"}");
    sub("sw.1", "assessment_started",
        "{\"assessment_id\":\"K9.A1\",\"child_id\":\"K9\",\"date\":\"2025-06-02\"}");
    uint64_t done = sub("sw.1", "assessment_completed",
                        "{\"assessment_id\":\"K9.A1\",\"date\":\"2025-07-01\",\"child_seen\":true,"
                        "\"child_seen_date\":\"2025-06-03\",\"views\":\"v\",\"analysis\":\"a\","
                        "\"outcome\":\"no_further_action\",\"primary_need\":\"N5\","
                        "\"factors\":[\"1B\"]}");
    sub("tm.1", "case_closed",
        "{\"child_id\":\"K9\",\"date\":\"2025-07-10\",\"reason\":\"r\",\"closure_reason\":"
        "\"RC8\"}");
    cw_returns_output o;
    make("cin", 2026, "201", &o);
    char want[200];
    snprintf(want, sizeof want,
             "\"K9\",\"AssessmentAuthorisationDate\",\"the case closed while assessment K9.A1 "
             "was awaiting a manager's sign-off (entry %" PRIu64 ") (rule 8867)\"",
             done);
    if (!strstr(file(&o, "cin-2026-notes.csv"), want))
        fail_msg("no note %s in\n%s", want, file(&o, "cin-2026-notes.csv"));
    char got[8192];
    child_xml(file(&o, "cin-2026.xml"), "K9", got, sizeof got);
    assert_null(strstr(got, "AssessmentAuthorisationDate")); /* not done until signed off */
    cw_returns_output_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cin_2026),         cmocka_unit_test(test_cin_2024),
        cmocka_unit_test(test_refusals),         cmocka_unit_test(test_corrected_upn),
        cmocka_unit_test(test_awaiting_signoff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
