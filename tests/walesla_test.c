/*
 * walesla_test.c — Wales' looked after children census (docs/returns.md, "Wales: the
 * looked-after children census") from a constructed log whose every field is worked out by
 * hand, for 2025-26 (1 April 2025 to 31 March 2026), council 660:
 *
 * W1, a girl looked after since 15 January 2025 on an interim care order with the council's own
 * foster carers in Cardiff (CF10: in Wales, so whether inside the council's area is not known:
 * F2, noted), a care order on 1 May 2025 (an L row), a move on 1 September 2025 to agency
 * foster carers in Bristol (BS1: outside Wales, so outside the area: F6, a P row).
 * W2, a boy looked after since 2022 (V2) with the council's foster carers in Swansea, who left
 * care the day before his 18th birthday staying with them (E17: E10, When I Am Ready), then a
 * former relevant young person (category 3) in touch in July 2025.
 * W3, a toddler with foster carers (no postcode: F2, noted), a decision to place him for
 * adoption and a match, a placement order and an adoption placement on one day (B, A6), adopted
 * on 1 December 2025 (E11; the adoptions form).
 * W4, a boy on short breaks (England's V4: V1, noted) in a children's home in Wrexham (LL11:
 * H3, noted), then a secure children's home in Manchester (M1: outside Wales, H22), returned
 * home (E4B: E4).
 * W5, a young woman of 21 not looked after in the year, a qualifying care leaver (category 5 or
 * 6: blank, noted) whose accommodation the council provides; once an unaccompanied asylum
 * seeker, no longer from 1 August 2025.
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

static uint64_t sub(const char *actor, const char *type, const char *payload)
{
    return fx_submit(F.l, &F.err, actor, type, payload);
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-walesla-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "walesla.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_calendar_load_default(&F.cal, &F.err))
        return -1;
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

static void child(const char *id, const char *dob, const char *gender, const char *ethnicity)
{
    char p[400];
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"2021-01-04\",\"given_name\":\"A\","
             "\"family_name\":\"B\",\"date_of_birth\":\"%s\",\"gender\":\"%s\","
             "\"language\":\"welsh\"}",
             id, dob, gender);
    if (strcmp(dob, "2021-01-04") > 0) /* registered at birth, after the others */
        snprintf(p, sizeof p,
                 "{\"child_id\":\"%s\",\"date\":\"%s\",\"given_name\":\"A\","
                 "\"family_name\":\"B\",\"date_of_birth\":\"%s\",\"gender\":\"%s\","
                 "\"language\":\"welsh\"}",
                 id, dob, dob, gender);
    sub("tm.1", "child_registered", p);
    snprintf(p, sizeof p,
             "{\"child_id\":\"%s\",\"date\":\"%s\",\"ethnicity_code\":\"%s\","
             "\"upn_unknown\":\"UN1\"}",
             id, strcmp(dob, "2021-01-04") > 0 ? dob : "2021-01-04", ethnicity);
    sub("sw.a", "child_details_recorded", p);
}

static void history(void)
{
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"Un\",\"service_area\":\"N\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"A\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");

    child("W1", "2012-03-10", "female", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"W1\",\"date\":\"2025-01-15\",\"placement_id\":\"W1.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"C1\",\"category_of_need\":\"N1\","
        "\"provider\":\"PR1\",\"home_postcode\":\"CF5 1AB\","
        "\"placement_postcode\":\"CF10 1AA\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"W1\",\"date\":\"2025-05-01\",\"legal_status\":\"C2\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"W1\",\"date\":\"2025-09-01\",\"placement_id\":\"W1.2\","
        "\"placement_type\":\"foster\",\"provider\":\"PR4\",\"placement_postcode\":\"BS1 4DJ\"}");

    child("W2", "2007-06-20", "male", "WOTH");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"W2\",\"date\":\"2022-03-01\",\"placement_id\":\"W2.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"V2\",\"category_of_need\":\"N4\","
        "\"provider\":\"PR1\",\"placement_postcode\":\"SA1 1AA\"}");
    sub("sw.a", "leaving_care_status",
        "{\"child_id\":\"W2\",\"date\":\"2023-06-20\",\"status\":\"eligible\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"W2\",\"date\":\"2025-06-19\",\"reason\":\"age_18\","
        "\"reason_detail\":\"E17\"}");
    sub("sw.a", "leaving_care_status",
        "{\"child_id\":\"W2\",\"date\":\"2025-06-20\",\"status\":\"former_relevant\"}");
    sub("sw.a", "care_leaver_contact",
        "{\"child_id\":\"W2\",\"date\":\"2025-07-01\",\"in_touch\":\"YES\",\"activity\":\"F2\","
        "\"accommodation\":\"D\",\"accommodation_suitable\":true}");

    child("W3", "2023-01-05", "male", "MWBC");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"W3\",\"date\":\"2024-02-01\",\"placement_id\":\"W3.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"C2\",\"category_of_need\":\"N1\","
        "\"provider\":\"PR1\"}");
    sub("sw.a", "adoption_decision_made", "{\"child_id\":\"W3\",\"date\":\"2025-04-10\"}");
    sub("sw.a", "adopters_matched",
        "{\"child_id\":\"W3\",\"date\":\"2025-05-20\",\"adopters\":2,\"adopter_sex\":\"MF\","
        "\"adopter_status\":\"L11\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"W3\",\"date\":\"2025-06-01\",\"legal_status\":\"E1\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"W3\",\"date\":\"2025-06-01\",\"placement_id\":\"W3.2\","
        "\"placement_type\":\"adoption\",\"provider\":\"PR1\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"W3\",\"date\":\"2025-12-01\",\"reason\":\"adoption\","
        "\"reason_detail\":\"E11\"}");

    child("W4", "2011-09-01", "male", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"W4\",\"date\":\"2025-10-01\",\"placement_id\":\"W4.1\","
        "\"placement_type\":\"residential\",\"setting\":\"K2\",\"legal_status\":\"V4\","
        "\"category_of_need\":\"N6\",\"provider\":\"PR4\",\"placement_postcode\":\"LL11 1AA\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"W4\",\"date\":\"2025-11-15\",\"placement_id\":\"W4.2\","
        "\"placement_type\":\"residential\",\"setting\":\"K1\",\"provider\":\"PR2\","
        "\"placement_postcode\":\"M1 1AE\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"W4\",\"date\":\"2026-01-10\",\"reason\":\"returned_home\","
        "\"reason_detail\":\"E4B\"}");

    child("W5", "2005-01-01", "female", "BAFR");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"W5\",\"date\":\"2021-01-05\",\"uasc\":true}");
    sub("sw.a", "leaving_care_status",
        "{\"child_id\":\"W5\",\"date\":\"2023-01-01\",\"status\":\"qualifying\","
        "\"accommodated_by_authority\":true}");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"W5\",\"date\":\"2025-08-01\",\"uasc\":false}");
}

static const char *file(const cw_returns_output *o, const char *name)
{
    for (size_t i = 0; i < o->nfiles; i++)
        if (!strcmp(o->files[i].name, name))
            return o->files[i].data.data ? o->files[i].data.data : "";
    fail_msg("no file %s", name);
    return NULL;
}

static void same_text(const cw_returns_output *o, const char *name, const char *want)
{
    const char *got = file(o, name);
    if (strcmp(got, want))
        fail_msg("%s:\n--- got\n%s--- want\n%s", name, got, want);
}

#define CRLF "\r\n"

static void make(cw_returns_output *o, const char *la)
{
    const cw_return_kind *k = cw_returns_find("wales-lac");
    assert_non_null(k);
    cw_returns_query q = {2026, la, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output_init(o);
    if (cw_returns_make(k, cw_ledger_store(F.l), &F.cal, &q, o, &F.err))
        fail_msg("wales-lac: %s", F.err.msg);
}

static void test_wales_lac(void **state)
{
    (void)state;
    history();
    cw_returns_output o;
    make(&o, "660");
    assert_int_equal(o.nfiles, 5);
    assert_int_equal(o.counts.children, 5);
    assert_int_equal(o.counts.records, 8);
    same_text(&o, "wales-lac-2026-children.csv",
              "LA,CHILD,SEX,DOB,ETHNICITY,UASC,DATE_UASC_CEASED" CRLF
              "\"660\",\"W1\",\"2\",\"10/03/2012\",\"WBRI\",\"0\",\"\"" CRLF
              "\"660\",\"W2\",\"1\",\"20/06/2007\",\"WOTH\",\"0\",\"\"" CRLF
              "\"660\",\"W3\",\"1\",\"05/01/2023\",\"MWBC\",\"0\",\"\"" CRLF
              "\"660\",\"W4\",\"1\",\"01/09/2011\",\"WBRI\",\"0\",\"\"" CRLF
              "\"660\",\"W5\",\"2\",\"01/01/2005\",\"BAFR\",\"1\",\"01/08/2025\"" CRLF);
    same_text(&o, "wales-lac-2026-episodes.csv",
              "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,HOME_POST,PL_POST" CRLF
              "\"660\",\"W1\",\"15/01/2025\",\"S\",\"C1\",\"N1\",\"F2\",\"01/05/2025\",\"X1\","
              "\"CF5 1AB\",\"CF10 1AA\"" CRLF
              "\"660\",\"W1\",\"01/05/2025\",\"L\",\"C2\",\"N1\",\"F2\",\"01/09/2025\",\"X1\","
              "\"CF5 1AB\",\"CF10 1AA\"" CRLF
              "\"660\",\"W1\",\"01/09/2025\",\"P\",\"C2\",\"N1\",\"F6\",\"\",\"\","
              "\"CF5 1AB\",\"BS1 4DJ\"" CRLF
              "\"660\",\"W2\",\"01/03/2022\",\"S\",\"V2\",\"N4\",\"F2\",\"19/06/2025\",\"E10\","
              "\"\",\"SA1 1AA\"" CRLF
              "\"660\",\"W3\",\"01/02/2024\",\"S\",\"C2\",\"N1\",\"F2\",\"01/06/2025\",\"X1\","
              "\"\",\"\"" CRLF
              "\"660\",\"W3\",\"01/06/2025\",\"B\",\"E1\",\"N1\",\"A6\",\"01/12/2025\",\"E11\","
              "\"\",\"\"" CRLF
              "\"660\",\"W4\",\"01/10/2025\",\"S\",\"V1\",\"N6\",\"H3\",\"15/11/2025\",\"X1\","
              "\"\",\"LL11 1AA\"" CRLF
              "\"660\",\"W4\",\"15/11/2025\",\"P\",\"V1\",\"N6\",\"H22\",\"10/01/2026\",\"E4\","
              "\"\",\"M1 1AE\"" CRLF);
    same_text(&o, "wales-lac-2026-adoptions.csv",
              "LA,CHILD,DOB,DATE_DECISION,DATE_MATCH,DATE_PLACED,DATE_ADOPTED,FOSTER_CARERS,"
              "NB_ADOPTERS,SEX_ADOPTERS,LS_ADOPTERS,ETHNICITY_ADOPTERS" CRLF
              "\"660\",\"W3\",\"05/01/2023\",\"10/04/2025\",\"20/05/2025\",\"01/06/2025\","
              "\"01/12/2025\",\"0\",\"2\",\"MF\",\"L11\",\"\"" CRLF);
    same_text(&o, "wales-lac-2026-care-leavers.csv",
              "LA,CHILD,DOB,CATEGORY,CATEGORY_DATE,ACCOMMODATED_BY_LA,CONTACT_DATE,IN_TOUCH,"
              "ACTIVITY,ACCOMMODATION" CRLF
              "\"660\",\"W2\",\"20/06/2007\",\"3\",\"20/06/2025\",\"0\",\"01/07/2025\",\"YES\","
              "\"F2\",\"D\"" CRLF
              "\"660\",\"W5\",\"01/01/2005\",\"\",\"01/01/2023\",\"1\",\"\",\"\",\"\",\"\"" CRLF);
    const char *notes = file(&o, "wales-lac-2026-notes.csv");
    const char *const want[] = {
        "\"W1\",\"PLACE\",\"the placement from 15/01/2025: its postcode is in Wales, and caseward "
        "has no postcode-to-authority lookup: coded as inside the authority (F2)\"" CRLF,
        "\"W2\",\"HOME_POST\",\"no home postcode held (not recorded when care began, or erased): "
        "left blank\"" CRLF,
        "\"W3\",\"ETHNICITY_ADOPTERS\",\"caseward does not record the adopters' ethnicity: left "
        "blank\"" CRLF,
        "\"W3\",\"PLACE\",\"the placement from 01/02/2024: no placement postcode held, and "
        "caseward has no postcode-to-authority lookup: coded as inside the authority (F2)\"" CRLF,
        "\"W4\",\"LS\",\"England's short-break status V4 on the episode from 01/10/2025: V1\"" CRLF,
        "\"W4\",\"PLACE\",\"the placement from 01/10/2025: its postcode is in Wales, and caseward "
        "has no postcode-to-authority lookup: coded as inside the authority (H3)\"" CRLF,
        "\"W5\",\"CATEGORY\",\"a qualifying young person: category 5 or 6, which caseward does "
        "not tell apart: left blank\"" CRLF,
        "\"W5\",\"IN_TOUCH\",\"no care_leaver_contact in the year: left blank\"" CRLF,
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(notes, want[i]))
            fail_msg("not in the notes: %s\n--- notes\n%s", want[i], notes);
    /* W2's reason was given (E17): no REC note; nobody's SEX or ETHNICITY is missing */
    assert_null(strstr(notes, "\"REC\""));
    assert_null(strstr(notes, "\"SEX\""));
    cw_returns_output_release(&o);
}

/* The census carries the council's number: refused without one. */
static void test_wales_lac_needs_la(void **state)
{
    (void)state;
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    assert_int_equal(
        cw_returns_make(cw_returns_find("wales-lac"), cw_ledger_store(F.l), &F.cal, &q, &o, &F.err),
        CW_EUSAGE);
    cw_returns_output_release(&o);
}

/* A coarse reason with no detail: the Welsh code it stands for, noted; E17 from a home is E8. */
static void test_wales_lac_reasons(void **state)
{
    (void)state;
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"Un\",\"service_area\":\"N\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"A\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");
    child("R1", "2012-02-02", "female", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"R1\",\"date\":\"2025-05-01\",\"placement_id\":\"R1.1\","
        "\"placement_type\":\"kinship\",\"legal_status\":\"C1\",\"category_of_need\":\"N1\","
        "\"placement_postcode\":\"CH2 1AA\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"R1\",\"date\":\"2025-06-01\",\"placement_id\":\"R1.2\","
        "\"placement_type\":\"kinship\",\"fostering_for_adoption\":true,"
        "\"placement_postcode\":\"SY10 7AA\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"R1\",\"date\":\"2025-07-01\",\"reason\":\"special_guardianship\"}");
    child("R2", "2007-08-08", "male", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"R2\",\"date\":\"2024-05-01\",\"placement_id\":\"R2.1\","
        "\"placement_type\":\"residential\",\"setting\":\"K3\",\"legal_status\":\"V2\","
        "\"category_of_need\":\"N5\",\"provider\":\"PR4\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"R2\",\"date\":\"2025-08-07\",\"reason\":\"age_18\","
        "\"reason_detail\":\"E17\"}");
    child("R3", "2013-03-03", "male", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"R3\",\"date\":\"2025-09-01\",\"placement_id\":\"R3.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"V2\",\"category_of_need\":\"N3\","
        "\"provider\":\"PR5\",\"placement_postcode\":\"SY21 7AA\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"R3\",\"date\":\"2025-10-01\",\"placement_id\":\"R3.2\","
        "\"placement_type\":\"foster\",\"provider\":\"PR3\",\"placement_postcode\":\"SA50 1AA\"}");
    cw_returns_output o;
    make(&o, "660");
    /* R1: kinship carers in Chester (CH2: England, outside the area: F4), then fostering for
     * adoption in SY10 (a border district: A8 needs no location); special guardianship with
     * no detail from A8, not foster care: E44. R2: supported accommodation (H5), 18 and staying
     * on there: E8 (When I Am Ready is for foster carers). R3: agency foster carers in SY21 (a
     * district with postcodes both sides of the border: inside assumed, F3, noted), then foster
     * carers of another public body at SA50 (no such district: inside assumed; not the
     * authority's nor an agency's: F2, noted). */
    same_text(&o, "wales-lac-2026-episodes.csv",
              "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,HOME_POST,PL_POST" CRLF
              "\"660\",\"R1\",\"01/05/2025\",\"S\",\"C1\",\"N1\",\"F4\",\"01/06/2025\",\"X1\","
              "\"\",\"CH2 1AA\"" CRLF
              "\"660\",\"R1\",\"01/06/2025\",\"P\",\"C1\",\"N1\",\"A8\",\"01/07/2025\",\"E44\","
              "\"\",\"SY10 7AA\"" CRLF
              "\"660\",\"R2\",\"01/05/2024\",\"S\",\"V2\",\"N5\",\"H5\",\"07/08/2025\",\"E8\","
              "\"\",\"\"" CRLF
              "\"660\",\"R3\",\"01/09/2025\",\"S\",\"V2\",\"N3\",\"F3\",\"01/10/2025\",\"X1\","
              "\"\",\"SY21 7AA\"" CRLF
              "\"660\",\"R3\",\"01/10/2025\",\"P\",\"V2\",\"N3\",\"F2\",\"\",\"\",\"\","
              "\"SA50 1AA\"" CRLF);
    const char *notes = file(&o, "wales-lac-2026-notes.csv");
    if (!strstr(notes, "\"R1\",\"REC\",\"care ended (special_guardianship) with no "
                       "reason_detail: E44\"" CRLF))
        fail_msg("no REC note for R1:\n%s", notes);
    assert_null(strstr(notes, "\"R1\",\"PLACE\""));
    const char *const want[] = {
        "\"R3\",\"PLACE\",\"the placement from 01/09/2025: its postcode is in a border district "
        "(or not recognised), and caseward has no postcode-to-authority lookup: coded as inside "
        "the authority (F3)\"" CRLF,
        "\"R3\",\"PLACE\",\"the foster placement from 01/10/2025 names no authority or agency "
        "provider: coded as provided by the authority (F2)\"" CRLF,
    };
    for (size_t i = 0; i < 2; i++)
        if (!strstr(notes, want[i]))
            fail_msg("not in the notes: %s\n--- notes\n%s", want[i], notes);
    cw_returns_output_release(&o);
}

/* Wardship (W1) is Wales' legal status: the census writes it; the SSDA903 does not take it (a
 * blank LS, noted). Durham (DH1) is outside Wales (F5); England's temporary placement T3 is Z1,
 * noted. */
static void test_wardship(void **state)
{
    (void)state;
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"Un\",\"service_area\":\"N\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"A\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");
    child("D1", "2014-04-04", "female", "WBRI");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"D1\",\"date\":\"2025-04-10\",\"placement_id\":\"D1.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"L2\",\"category_of_need\":\"N1\","
        "\"provider\":\"PR1\",\"placement_postcode\":\"DH1 1AA\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"D1\",\"date\":\"2025-04-20\",\"legal_status\":\"W1\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"D1\",\"date\":\"2025-05-01\",\"placement_id\":\"D1.2\","
        "\"placement_type\":\"other\",\"setting\":\"T3\"}");
    cw_returns_output o;
    make(&o, "660");
    same_text(&o, "wales-lac-2026-episodes.csv",
              "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,HOME_POST,PL_POST" CRLF
              "\"660\",\"D1\",\"10/04/2025\",\"S\",\"L2\",\"N1\",\"F5\",\"20/04/2025\",\"X1\","
              "\"\",\"DH1 1AA\"" CRLF
              "\"660\",\"D1\",\"20/04/2025\",\"L\",\"W1\",\"N1\",\"F5\",\"01/05/2025\",\"X1\","
              "\"\",\"DH1 1AA\"" CRLF
              "\"660\",\"D1\",\"01/05/2025\",\"P\",\"W1\",\"N1\",\"Z1\",\"\",\"\",\"\",\"\"" CRLF);
    if (!strstr(file(&o, "wales-lac-2026-notes.csv"),
                "\"D1\",\"PLACE\",\"England's temporary placement code on the placement from "
                "01/05/2025: Z1\""))
        fail_msg("no Z1 note");
    cw_returns_output_release(&o);
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output_init(&o);
    if (cw_returns_make(cw_returns_find("903"), cw_ledger_store(F.l), &F.cal, &q, &o, &F.err))
        fail_msg("903: %s", F.err.msg);
    const char *ep = file(&o, "903-2026-episodes.csv");
    if (!strstr(ep, "\"D1\",\"20/04/2025\",\"L\",\"\",\"N1\",\"U6\",\"PR1\""))
        fail_msg("the 903 gave W1:\n%s", ep);
    if (!strstr(file(&o, "903-2026-notes.csv"),
                "\"D1\",\"LS\",\"wardship (W1, Wales' legal status) on the episode from "
                "20/04/2025 is not an SSDA903 code: left blank\""))
        fail_msg("no LS note in the 903's notes");
    cw_returns_output_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wales_lac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wales_lac_needs_la, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wales_lac_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wardship, setup, teardown)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
