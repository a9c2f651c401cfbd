/*
 * annexa_test.c — Ofsted's Annex A lists (docs/returns.md, "Ofsted Annex A") from a few
 * constructed children whose every listed value is worked out by hand, as at 31 March 2026:
 * the six months are 1 October 2025 to 31 March 2026, the twelve months 1 April 2025 to 31
 * March 2026. Each list's file is compared byte for byte (the byte-order mark, the template's
 * headers, CRLF), with a record one day inside and one day outside each period; then an
 * assessment that counts only once signed off, a cell that would start a formula, another
 * inspection date, and the notes.
 */
#include <setjmp.h>
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
} fx;

static fx F;

/* Submits one command: actor, type, payload as JSON text. */
static uint64_t sub(const char *actor, const char *type, const char *payload)
{
    return fx_submit(F.l, &F.err, actor, type, payload);
}

/* sub() with a printf-formed payload. */
static uint64_t subf(const char *actor, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static uint64_t subf(const char *actor, const char *type, const char *fmt, ...)
{
    char p[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p, sizeof p, fmt, ap);
    va_end(ap);
    return sub(actor, type, p);
}

static void child(const char *id, const char *dob, const char *gender, const char *since)
{
    subf("sw.a", "child_registered",
         "{\"child_id\":\"%s\",\"date\":\"%s\",\"given_name\":\"Given\",\"family_name\":\"Family\","
         "\"date_of_birth\":\"%s\",\"gender\":\"%s\",\"language\":\"english\","
         "\"ethnicity\":\"free text that must not be read\"}",
         id, since, dob, gender);
}

static void contact(const char *c, const char *id, const char *date, const char *source)
{
    subf("sw.a", "contact_received",
         "{\"contact_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"source\":\"%s\","
         "\"reason\":\"r\"}",
         id, c, date, source);
}

static void referral(const char *c, const char *id, const char *date, const char *extra,
                     const char *decision)
{
    subf("sw.a", "referral_received",
         "{\"referral_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"source\":\"family\","
         "\"reason\":\"r\"%s}",
         id, c, date, extra);
    subf("tm.1", "referral_decided", "{\"referral_id\":\"%s\",\"date\":\"%s\",\"decision\":\"%s\"}",
         id, date, decision);
}

static void conference(const char *c, const char *id, const char *date, const char *kind,
                       const char *decision, const char *category)
{
    char cat[64] = "";
    if (category)
        snprintf(cat, sizeof cat, ",\"category\":\"%s\"", category);
    subf("sw.a", "conference_held",
         "{\"conference_id\":\"%s\",\"child_id\":\"%s\",\"date\":\"%s\",\"kind\":\"%s\","
         "\"decision\":\"%s\"%s}",
         id, c, date, kind, decision, cat);
}

static void visit(const char *c, const char *date, int seen, int alone)
{
    subf("sw.a", "statutory_visit",
         "{\"child_id\":\"%s\",\"date\":\"%s\",\"seen\":%s,\"seen_alone\":%s,"
         "\"views_not_obtained_reason\":\"x\"}",
         c, date, seen ? "true" : "false", alone ? "true" : "false");
}

static void placed(const char *type, const char *c, const char *date, const char *id,
                   const char *kind)
{
    subf("sw.a", type,
         "{\"child_id\":\"%s\",\"date\":\"%s\",\"placement_id\":\"%s\",\"placement_type\":\"%s\"}",
         c, date, id, kind);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-annexa-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "annexa.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_calendar_load_default(&F.cal, &F.err))
        return -1;
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"Team One\"}");
    sub("admin", "team_created", "{\"team_id\":\"T2\",\"name\":\"=Two\"}"); /* a formula? */
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"Manager Name\",\"role\":\"team_manager\","
        "\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"Worker Name\",\"role\":\"social_worker\","
        "\"team_id\":\"T1\",\"manager_id\":\"tm.1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.b\",\"name\":\"Other Name\",\"role\":\"social_worker\","
        "\"team_id\":\"T2\",\"manager_id\":\"tm.1\"}");

    /* A: contacts either side of the six months and after the inspection date; two
     * referrals 12 months and a day and exactly 12 months (less a day) before the third; an
     * assessment; a plan; a visit. Born 15 June 2015: 10 on 31 March 2026. */
    child("A", "2015-06-15", "female", "2024-09-01");
    subf("sw.a", "case_allocated", "{\"child_id\":\"A\",\"worker_id\":\"sw.a\",\"date\":\"%s\"}",
         "2024-09-01");
    subf("sw.a", "child_details_recorded",
         "{\"child_id\":\"A\",\"date\":\"%s\",\"ethnicity_code\":\"AIND\",\"disabilities\":"
         "[\"NONE\"]}",
         "2024-09-01");
    referral("A", "A.R0", "2024-10-01", "", "no_further_action"); /* 12 months before R2 */
    referral("A", "A.R1", "2024-10-02", "", "no_further_action"); /* within them */
    contact("A", "A.C1", "2025-09-30", "police");                 /* a day before the six months */
    contact("A", "A.C2", "2025-10-01", "police");                 /* their first day */
    referral("A", "A.R2", "2025-10-01", ",\"source_code\":\"3B\"", "assessment");
    sub("sw.a", "assessment_started",
        "{\"assessment_id\":\"A.AS1\",\"child_id\":\"A\",\"date\":\"2025-10-02\","
        "\"referral_id\":\"A.R2\"}");
    sub("sw.a", "assessment_completed",
        "{\"assessment_id\":\"A.AS1\",\"date\":\"2025-11-10\",\"child_seen\":true,"
        "\"child_seen_date\":\"2025-10-20\",\"views\":\"v\",\"analysis\":\"a\","
        "\"outcome\":\"care_and_support_plan\",\"primary_need\":\"N4\"}");
    sub("sw.a", "plan_recorded",
        "{\"plan_id\":\"A.P1\",\"child_id\":\"A\",\"date\":\"2025-11-11\","
        "\"kind\":\"care_and_support\"}");
    visit("A", "2026-01-05", 1, 1);
    contact("A", "A.C3", "2026-03-31", "health"); /* the inspection date */
    contact("A", "A.C4", "2026-04-01", "school"); /* after it */

    /* B: a child protection plan ended in 2024, then a referral, a strategy discussion, an
     * enquiry the day before the six months (ended) and one on their first day, which led to a
     * conference and a plan. Born 31 March 2010: 16 on the day. */
    child("B", "2010-03-31", "male", "2024-01-01");
    subf("sw.a", "case_allocated", "{\"child_id\":\"B\",\"worker_id\":\"sw.a\",\"date\":\"%s\"}",
         "2024-01-01");
    conference("B", "B.K0", "2024-01-10", "initial", "register", "physical");
    conference("B", "B.K1", "2024-06-01", "review", "deregister", NULL);
    sub("tm.1", "case_closed",
        "{\"child_id\":\"B\",\"date\":\"2024-06-02\",\"reason\":\"r\",\"closure_reason\":\"RC7\"}");
    referral("B", "B.R1", "2025-06-01", "", "strategy_discussion");
    sub("sw.a", "strategy_discussion_held",
        "{\"strategy_id\":\"B.S1\",\"child_id\":\"B\",\"date\":\"2025-09-28\","
        "\"decision\":\"section_47\"}");
    sub("sw.a", "section_47_started",
        "{\"enquiry_id\":\"B.E0\",\"child_id\":\"B\",\"date\":\"2025-09-30\","
        "\"strategy_id\":\"B.S1\"}");
    sub("sw.a", "section_47_completed",
        "{\"enquiry_id\":\"B.E0\",\"date\":\"2025-09-30\",\"outcome\":\"no_further_action\"}");
    sub("sw.a", "section_47_started",
        "{\"enquiry_id\":\"B.E1\",\"child_id\":\"B\",\"date\":\"2025-10-01\","
        "\"strategy_id\":\"B.S1\"}");
    sub("sw.a", "section_47_completed",
        "{\"enquiry_id\":\"B.E1\",\"date\":\"2025-10-05\",\"outcome\":\"initial_conference\"}");
    conference("B", "B.K2", "2025-10-20", "initial", "register", "neglect");
    conference("B", "B.K3", "2026-01-10", "review", "continue", "emotional");
    visit("B", "2026-03-01", 1, 0);

    /* C: looked after until 31 March 2025 (the day before the twelve months), again from 1
     * May 2025, placed for adoption on 10 January 2026; missing the day before the twelve
     * months, on their first day, and in February, when a return interview was declined.
     * Born 29 February 2012: 14. */
    child("C", "2012-02-29", "other", "2025-01-01");
    subf("sw.a", "case_allocated", "{\"child_id\":\"C\",\"worker_id\":\"sw.a\",\"date\":\"%s\"}",
         "2025-01-01");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"C\",\"date\":\"2025-01-01\",\"ethnicity_code\":\"WBRI\","
        "\"disabilities\":[\"AUT\"]}");
    placed("looked_after_started", "C", "2025-01-10", "C.P1", "foster");
    sub("sw.a", "missing_episode",
        "{\"episode_id\":\"C.M1\",\"child_id\":\"C\",\"date\":\"2025-03-31\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"C\",\"date\":\"2025-03-31\",\"reason\":\"returned_home\"}");
    sub("sw.a", "missing_episode",
        "{\"episode_id\":\"C.M2\",\"child_id\":\"C\",\"date\":\"2025-04-01\"}");
    placed("looked_after_started", "C", "2025-05-01", "C.P2", "foster");
    sub("sw.a", "health_check_recorded",
        "{\"child_id\":\"C\",\"date\":\"2025-06-01\",\"kind\":\"dental_check\"}");
    sub("sw.a", "looked_after_review_held", "{\"child_id\":\"C\",\"date\":\"2025-11-01\"}");
    sub("sw.a", "health_check_recorded",
        "{\"child_id\":\"C\",\"date\":\"2025-12-01\",\"kind\":\"health_assessment\"}");
    placed("placement_changed", "C", "2026-01-10", "C.P3", "adoption");
    visit("C", "2026-02-01", 1, 1);
    sub("sw.a", "missing_episode",
        "{\"episode_id\":\"C.M3\",\"child_id\":\"C\",\"date\":\"2026-02-10\"}");
    sub("sw.a", "return_interview",
        "{\"episode_id\":\"C.M3\",\"date\":\"2026-02-12\",\"conducted_by\":\"Someone\","
        "\"accepted\":false}");

    /* D: a care leaver of 18, allocated to a worker of the team called "=Two". */
    child("D", "2008-01-15", "male", "2025-01-01");
    subf("sw.a", "case_allocated", "{\"child_id\":\"D\",\"worker_id\":\"sw.b\",\"date\":\"%s\"}",
         "2025-01-01");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"D\",\"date\":\"2025-01-01\",\"ethnicity_code\":\"BCRB\"}");
    sub("sw.b", "leaving_care_status",
        "{\"child_id\":\"D\",\"date\":\"2026-01-15\",\"status\":\"former_relevant\"}");
    sub("sw.b", "plan_recorded",
        "{\"plan_id\":\"D.P1\",\"child_id\":\"D\",\"date\":\"2026-01-20\",\"kind\":\"pathway\"}");
    sub("sw.b", "personal_adviser_visit",
        "{\"child_id\":\"D\",\"date\":\"2026-02-02\",\"adviser\":\"Adviser Name\",\"seen\":true}");
    sub("sw.b", "personal_adviser_visit",
        "{\"child_id\":\"D\",\"date\":\"2026-03-01\",\"adviser\":\"Adviser Name\",\"seen\":false}");

    /* F: adopted on 30 June 2025, in the twelve months; the case closed the next day. Never
     * allocated. Born 1 August 2022: 3. */
    child("F", "2022-08-01", "not_known", "2024-05-01");
    placed("looked_after_started", "F", "2024-06-01", "F.P1", "foster");
    placed("placement_changed", "F", "2025-02-01", "F.P2", "adoption");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"F\",\"date\":\"2025-06-30\",\"reason\":\"adoption\"}");
    sub("tm.1", "case_closed",
        "{\"child_id\":\"F\",\"date\":\"2025-07-01\",\"reason\":\"r\",\"closure_reason\":\"RC1\"}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cw_calendar_release(&F.cal);
    cw_ledger_close(F.l);
    rm_rf(F.dir);
    return 0;
}

/* The CSV text of rows given as lines of |-separated cells: a BOM, every cell quoted, CRLF. */
static char *csv(const char *rows)
{
    cw_buf b = CW_BUF_INIT(1 << 20);
    assert_int_equal(cw_buf_addstr(&b, "\xEF\xBB\xBF\""), CW_OK);
    for (const char *p = rows; *p; p++) {
        if (*p == '|')
            assert_int_equal(cw_buf_addstr(&b, "\",\""), CW_OK);
        else if (*p == '\n')
            assert_int_equal(cw_buf_addstr(&b, p[1] ? "\"\r\n\"" : "\"\r\n"), CW_OK);
        else
            assert_int_equal(cw_buf_addc(&b, *p), CW_OK);
    }
    return cw_buf_detach(&b, NULL);
}

static void make(const char *as_of, cw_returns_output *out)
{
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-04-01T00:00:00", as_of};
    cw_returns_output_init(out);
    const cw_return_kind *k = cw_returns_find("annex-a");
    assert_non_null(k);
    if (cw_returns_make(k, cw_ledger_store(F.l), &F.cal, &q, out, &F.err))
        fail_msg("annex-a: %s", F.err.msg);
    assert_int_equal(out->nfiles, 12);
}

static void expect(const cw_returns_output *out, size_t i, const char *name, const char *rows)
{
    char *want = csv(rows);
    const cw_returns_file *f = &out->files[i];
    assert_string_equal(f->name, name);
    char *got = strndup(f->data.data ? f->data.data : "", f->data.len);
    if (strcmp(got, want) != 0)
        fail_msg("%s:\n--- got\n%s\n--- expected\n%s", name, got, want);
    free(got);
    free(want);
}

#define COMMON "Child Unique ID|Gender|Ethnicity|Date of Birth|Age of Child (Years)|"
#define DIS    "Does the Child have a Disability|"

static const char *const H8 =
    COMMON "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)|" DIS
           "Date Started to be Looked After|Child's Category of Need|Is this a second or "
           "subsequent period of being a Looked After Child within the last 12 months (Y/N)|Start "
           "date of current legal status|Child's Legal Status|Date of Latest Statutory "
           "Review|Date of Last Social Work Visit|What is the permanence plan for this "
           "child?|Date of Last IRO Visit / Contact to the Child|Date of Last Health "
           "Assessment|Date of Last Dental Check|Number of Placements in the Last 12 "
           "months|Date Ceased to be Looked After|Reason Ceased to be Looked After|Start Date of "
           "Most Recent Placement|Placement Type|Placement Provider|Placement postcode|URN of "
           "Placement|Placement Location|LA of Placement|Number of Episodes the Child has been "
           "'Missing' from their Placement in the last 12 months|Number of Episodes the Child "
           "has been 'Absent' from their Placement in the last 12 months|Was the child offered "
           "a Return Interview after their last missing episode (Y/N)?|Did the child accept a "
           "Return Interview after their last missing episode (Y/N)?|Allocated Team|Allocated "
           "Worker\n";

static void test_lists(void **state)
{
    (void)state;
    cw_returns_output out;
    make(NULL, &out);
    expect(&out, 0, "annex-a-2026-list-01-contacts.csv",
           COMMON "Date of Contact|Contact Source\n"
                  "A|b) Female|j) AIND|15/06/2015|10|01/10/2025|q) 6: Police\n"
                  "A|b) Female|j) AIND|15/06/2015|10|31/03/2026|l) 3F: Health services\n");
    expect(&out, 1, "annex-a-2026-list-02-early-help.csv",
           COMMON "Assessment start date|Assessment completion date|Organisation completing "
                  "assessment\n");
    /* R2: R1 (2 October 2024) is in the 12 months before it, R0 (1 October 2024) is not */
    expect(&out, 2, "annex-a-2026-list-03-referrals.csv",
           COMMON "Date of referral|Referral Source|Referral NFA?|Number of Referrals in Last 12 "
                  "Months|Allocated Team|Allocated Worker\n"
                  "A|b) Female|j) AIND|15/06/2015|10|01/10/2025|h) 3B: Health services|b) "
                  "No|1|Team One|sw.a\n");
    expect(&out, 3, "annex-a-2026-list-04-assessments.csv",
           COMMON DIS "Continuous Assessment Start Date|Child Seen During Continuous "
                      "Assessment|Continuous Assessment Date of Authorisation|Was the child "
                      "assessed as requiring LA children's social care support?|Allocated "
                      "Team|Allocated Worker\n"
                      "A|b) Female|j) AIND|15/06/2015|10|b) No|02/10/2025|a) Yes|10/11/2025|a) "
                      "Yes|Team One|sw.a\n");
    /* B.E0 started the day before the six months and ended: out. B.E1: its strategy
     * discussion's date; B.E0 before it in 12 months; B.K0 (January 2024) is not. */
    expect(&out, 4, "annex-a-2026-list-05-section-47.csv",
           COMMON DIS "Strategy discussion initiating Section 47 Enquiry Start Date|Was an "
                      "Initial Child Protection Conference deemed unnecessary?|Date of Initial "
                      "Child Protection Conference|Did the Initial Child Protection Conference "
                      "Result in a Child Protection Plan|Number of Section 47 Enquiries in the "
                      "last 12 months|Number of ICPCs in the last 12 months|Allocated "
                      "Team|Allocated Worker\n"
                      "B|a) Male|t) NOBT|31/03/2010|16|c) Unknown|28/09/2025|b) No|20/10/2025|a) "
                      "Yes|1|0|Team One|sw.a\n");
    /* A: open with a plan. B: the 2024 episode closed long before; the 2025 one is on a
     * plan, no need recorded. C: looked after, no referral recorded: from the first care. F:
     * closed before the six months. D: a care leaver. */
    expect(&out, 5, "annex-a-2026-list-06-children-in-need.csv",
           COMMON DIS "CIN Start Date|Primary Need Code|Date Child Was Last Seen|CIN Closure "
                      "Date|Reason for Closure|Case Status|Allocated Team|Allocated Worker\n"
                      "A|b) Female|j) AIND|15/06/2015|10|b) No|01/10/2025|N4 - Family in acute "
                      "stress|05/01/2026|||c) Child in need plan|Team One|sw.a\n"
                      "B|a) Male|t) NOBT|31/03/2010|16|c) Unknown|01/06/2025|N0 - Not "
                      "stated|01/03/2026|||b) Child Protection plan|Team One|sw.a\n"
                      "C|d) Neither|a) WBRI|29/02/2012|14|a) Yes|10/01/2025|N0 - Not "
                      "stated|01/02/2026|||a) Looked after child|Team One|sw.a\n");
    expect(&out, 6, "annex-a-2026-list-07-child-protection.csv",
           COMMON DIS "Child Protection Plan Start Date|Initial Category of Abuse|Latest "
                      "Category of Abuse|Date of the Last Statutory Visit|Was the Child Seen "
                      "Alone?|Date of latest review conference|Child Protection Plan End "
                      "Date|Subject to Emergency Protection Order or Protected Under Police "
                      "Powers in Last Six Months (Y/N)|Number of Previous Child Protection "
                      "Plans|Allocated Team|Allocated Worker\n"
                      "B|a) Male|t) NOBT|31/03/2010|16|c) Unknown|20/10/2025|a) Neglect|d) "
                      "Emotional abuse|01/03/2026|b) No|10/01/2026|||1|Team One|sw.a\n");
    /* C: the first care ended the day before the twelve months (within 12 months of the
     * second's start: a second period; but its placement is not counted); missing on their
     * first day and in February (not the day before). F: ceased before the six months. */
    char l8[4000];
    snprintf(l8, sizeof l8, "%s%s", H8,
             "C|d) Neither|a) WBRI|29/02/2012|14||a) Yes|01/05/2025||a) "
             "Yes|||01/11/2025|01/02/2026|||01/12/2025|01/06/2025|2|||10/01/2026|||||||2||a) "
             "Yes|b) No|Team One|sw.a\n");
    expect(&out, 7, "annex-a-2026-list-08-children-in-care.csv", l8);
    expect(&out, 8, "annex-a-2026-list-09-care-leavers.csv",
           COMMON "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over "
                  "(Y/N)|" DIS "Allocated Team|Allocated Worker|Allocated Personal "
                  "Advisor|Eligibility Category|Latest Pathway Plan Review Date|LA in "
                  "Touch|Latest Date of Contact|Type of Accommodation|Suitability of "
                  "Accommodation|Activity Status\n"
                  "D|a) Male|n) BCRB|15/01/2008|18||c) Unknown|'=Two|sw.b||b) Former relevant "
                  "child|20/01/2026||02/02/2026|||\n");
    expect(&out, 9, "annex-a-2026-list-10-adoption.csv",
           "Child Unique ID|Family identifier|Gender|Ethnicity|Date of Birth|Age of Child "
           "(Years)|" DIS "Date the Child Entered Care|Date of Decision that Child Should be "
           "Placed for Adoption|Date of Placement Order|Date of Matching Child and Prospective "
           "Adopters|Date Placed for Adoption|Date of Adoption Order|Date of Decision that "
           "Child Should No Longer be Placed for Adoption|Reason Why Child No Longer Placed for "
           "Adoption|Date the child was placed for fostering in FFA or concurrent planning "
           "placement\n"
           "C||d) Neither|a) WBRI|29/02/2012|14|a) Yes|01/05/2025||||10/01/2026||||\n"
           "F||c) Not stated/recorded|t) NOBT|01/08/2022|3|c) "
           "Unknown|01/06/2024||||01/02/2025|30/06/2025|||\n");
    expect(&out, 10, "annex-a-2026-list-11-adopters.csv",
           "Individual adopter identifier|Family identifier|Gender|Ethnicity|Disability|Is the "
           "(prospective) adopter fostering for adoption?|Date enquiry received|Date Stage 1 "
           "started|Date Stage 1 ended|Date Stage 2 started|Date Stage 2 ended|Date application "
           "submitted|Date application approved|Date adopter matched with child(ren)|Date "
           "child/children placed with adopter(s)|No. of children placed|Date of Adoption "
           "Order|Date of leaving adoption process|Reason for leaving adoption process\n");
    assert_string_equal(out.files[11].name, "annex-a-2026-notes.csv");
    assert_int_equal(out.counts.children, 5);
    assert_int_equal(out.counts.records, 13);
    /* no name, free text or adviser's name in any list */
    for (size_t i = 0; i < 11; i++) {
        char *s = strndup(out.files[i].data.data, out.files[i].data.len);
        assert_null(strstr(s, "Name"));
        assert_null(strstr(s, "Given"));
        assert_null(strstr(s, "free text"));
        free(s);
    }
    cw_returns_output_release(&out);
}

/* One note per list and column, none per child; counts where a default stood in. */
static void test_notes(void **state)
{
    (void)state;
    cw_returns_output out;
    make(NULL, &out);
    char *n = strndup(out.files[11].data.data, out.files[11].data.len);
    assert_non_null(strstr(n, "\"\",\"Annex A\",\"as at 2026-03-31 (the inspection date); six "
                              "months: 2025-10-01 to 2026-03-31; twelve months: 2025-04-01 to "
                              "2026-03-31\"\r\n"));
    assert_non_null(strstr(n,
                           "\"\",\"List 08: Placement postcode\",\"the placement postcode is "
                           "recorded (personal), but Annex A does not read it yet: blank\"\r\n"));
    assert_non_null(strstr(n, "\"\",\"List 11\",\"caseward records no adopters"));
    /* B in lists 5, 6 and 7, F in list 10: NOBT */
    assert_non_null(strstr(n, "\"\",\"List 05: Ethnicity\",\"1 rows: no ethnicity code"));
    assert_non_null(strstr(n, "\"\",\"List 10: Ethnicity\",\"1 rows: no ethnicity code"));
    assert_null(strstr(n, "Allocated Worker\",\"")); /* every listed case is allocated */
    assert_non_null(strstr(n, "\"\",\"List 06: Primary Need Code\",\"2 rows: no primary need"));
    assert_non_null(strstr(n, "\"\",\"List 06: CIN Start Date\",\"1 rows: no referral"));
    /* every note is the council's, not a child's */
    assert_null(strstr(n, "\r\n\"A\""));
    assert_null(strstr(n, "\r\n\"B\""));
    free(n);
    cw_returns_output_release(&out);
}

/* Another inspection date moves every period: as at 30 September 2025, A's contact of that
 * day is in and the one of 1 October 2025 is after it; B's first enquiry is in the six months
 * (1 April to 30 September 2025), ended that day with no conference; B is 15. */
static void test_as_of(void **state)
{
    (void)state;
    cw_returns_output out;
    make("2025-09-30", &out);
    expect(&out, 0, "annex-a-2026-list-01-contacts.csv",
           COMMON "Date of Contact|Contact Source\n"
                  "A|b) Female|j) AIND|15/06/2015|10|30/09/2025|q) 6: Police\n");
    expect(&out, 4, "annex-a-2026-list-05-section-47.csv",
           COMMON DIS "Strategy discussion initiating Section 47 Enquiry Start Date|Was an "
                      "Initial Child Protection Conference deemed unnecessary?|Date of Initial "
                      "Child Protection Conference|Did the Initial Child Protection Conference "
                      "Result in a Child Protection Plan|Number of Section 47 Enquiries in the "
                      "last 12 months|Number of ICPCs in the last 12 months|Allocated "
                      "Team|Allocated Worker\n"
                      "B|a) Male|t) NOBT|31/03/2010|15|c) Unknown|28/09/2025|a) "
                      "Yes|||0|0|Team One|sw.a\n");
    /* the six months to 30 September start on 1 April, not 31 March */
    char *n = strndup(out.files[11].data.data, out.files[11].data.len);
    assert_non_null(strstr(n, "as at 2025-09-30 (the inspection date); six months: 2025-04-01 to "
                              "2025-09-30; twelve months: 2024-10-01 to 2025-09-30"));
    free(n);
    cw_returns_output_release(&out);
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-04-01T00:00:00", "2025-02-30"};
    cw_returns_output_init(&out);
    assert_int_equal(
        cw_returns_make(cw_returns_find("annex-a"), cw_ledger_store(F.l), &F.cal, &q, &out, &F.err),
        CW_EUSAGE);
    cw_returns_output_release(&out);
}

/* An assessment completed but awaiting sign-off is open; signed off, it is authorised on the
 * day of the sign-off. */
static void test_counted_from_sign_off(void **state)
{
    (void)state;
    int recorded = 0;
    assert_int_equal(
        cw_casework_adopt_policy(F.l, "assessment_completed", "system:policy", &recorded, &F.err),
        CW_OK);
    child("G", "2019-05-05", "female", "2025-11-01");
    subf("sw.a", "case_allocated", "{\"child_id\":\"G\",\"worker_id\":\"sw.a\",\"date\":\"%s\"}",
         "2025-11-01");
    sub("sw.a", "assessment_started",
        "{\"assessment_id\":\"G.AS1\",\"child_id\":\"G\",\"date\":\"2025-12-01\"}");
    uint64_t done = sub("sw.a", "assessment_completed",
                        "{\"assessment_id\":\"G.AS1\",\"date\":\"2026-01-10\",\"child_seen\":"
                        "false,\"views_not_obtained_reason\":\"x\",\"analysis\":\"a\","
                        "\"outcome\":\"no_further_action\"}");
    const char *head = COMMON DIS "Continuous Assessment Start Date|Child Seen During Continuous "
                                  "Assessment|Continuous Assessment Date of Authorisation|Was "
                                  "the child assessed as requiring LA children's social care "
                                  "support?|Allocated Team|Allocated Worker\n"
                                  "A|b) Female|j) AIND|15/06/2015|10|b) No|02/10/2025|a) "
                                  "Yes|10/11/2025|a) Yes|Team One|sw.a\n";
    char want[2000];
    cw_returns_output out;
    make(NULL, &out);
    snprintf(want, sizeof want, "%s%s", head,
             "G|b) Female|t) NOBT|05/05/2019|6|c) Unknown|01/12/2025|c) Unknown|||Team One|sw.a\n");
    expect(&out, 3, "annex-a-2026-list-04-assessments.csv", want);
    cw_returns_output_release(&out);
    subf("tm.1", "work_signed_off", "{\"entry\":%llu,\"date\":\"2026-01-15\"}",
         (unsigned long long)done);
    make(NULL, &out);
    snprintf(want, sizeof want, "%s%s", head,
             "G|b) Female|t) NOBT|05/05/2019|6|c) Unknown|01/12/2025|b) No|15/01/2026|b) "
             "No|Team One|sw.a\n");
    expect(&out, 3, "annex-a-2026-list-04-assessments.csv", want);
    cw_returns_output_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_as_of),
        cmocka_unit_test(test_counted_from_sign_off),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
