/*
 * returns903_test.c — England's SSDA903 (docs/returns.md, "SSDA903") from a constructed log
 * whose every field is worked out by hand, for 2025-26 (1 April 2025 to 31 March 2026):
 *
 * K1, a girl looked after since 1 March 2024 (before the year) on an interim care order with
 * foster carers: a care order on 2 June 2025 (an L row, its own X1 close), a review, a day away
 * from the placement, a move to long-term kinship care on 20 November 2025 (a P row: the reason
 * on the row it closes; no URN recorded, so the placeholder), health checks and an SDQ (looked
 * after for 12 months: OC2), her case moved from her first worker to one with a Social Work
 * England number (SWEpisodes).
 * K2, an unaccompanied asylum-seeking boy who left care at 17 in 2024 to supported
 * accommodation: no episodes this year, in the return for his 18th birthday (OC3) and UASC.
 * K3, a toddler placed with parents on 1 May 2025, then on 1 July 2025 both a care order and a
 * move to fostering for adoption (one B row: two changes on a day are one row), returned home
 * on 1 February 2026 with no reason_detail (E4A, noted), a review under 4 (PN0) and permanence
 * before care with no date or authority (999, ZZ/ZZ/ZZZZ, noted); a decision to place her for
 * adoption, reversed (PlacedAdoption).
 * K4, a toddler looked after since May 2024 with no postcodes recorded (noted), a decision to
 * place him for adoption and a match, then on 1 July 2025 a placement order and an adoption
 * placement (B, A6), adopted on 15 January 2026 (AD1).
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
#include "util/upn.h"

typedef struct fx {
    char dir[64], db[1024], upn[14];
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
    snprintf(F.dir, sizeof F.dir, "/tmp/cw-903-XXXXXX");
    if (!mkdtemp(F.dir))
        return -1;
    tdb_path(F.db, sizeof F.db, F.dir, "log");
    if (cw_ledger_create(F.db, "returns903.test/log", &F.err) ||
        cw_ledger_open(F.db, CW_LEDGER_WRITE, &F.l, &F.err) ||
        cw_calendar_load_default(&F.cal, &F.err))
        return -1;
    snprintf(F.upn, sizeof F.upn, "?201123456780");
    F.upn[0] = cw_upn_check_letter(F.upn);
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

/* A command the catalogue refuses, naming field. */
static void refused(const char *type, const char *payload, const char *field)
{
    json_t *p = json_loads(payload, 0, NULL);
    assert_non_null(p);
    cw_event ev = {"sw.a", type, p};
    uint64_t idx = 0;
    cw_rc rc = cw_casework_begin(F.l, &F.err);
    assert_int_equal(rc, CW_OK);
    rc = cw_casework_submit(F.l, &ev, &idx, &F.err);
    cw_casework_abort(F.l);
    json_decref(p);
    if (rc == CW_OK)
        fail_msg("%s %s: accepted", type, payload);
    if (!strstr(F.err.msg, field))
        fail_msg("%s: refused, but not naming %s: %s", type, field, F.err.msg);
}

static uint64_t k1_started; /* the entry holding K1's home and first placement postcodes */

static void history(void)
{
    char p[800];
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"One\",\"service_area\":\"N\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"sw.a\",\"name\":\"A\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"SW1001\",\"name\":\"B\",\"role\":\"social_worker\",\"team_id\":\"T1\","
        "\"manager_id\":\"tm.1\"}");

    /* K2: care ended 30 November 2024, at 17, before the year */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K2\",\"date\":\"2022-02-01\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2007-05-20\",\"gender\":\"male\",\"language\":\"other\"}");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"K2\",\"date\":\"2022-02-01\",\"ethnicity_code\":\"BAFR\","
        "\"upn_unknown\":\"UN2\",\"uasc\":true}");
    sub("tm.1", "case_allocated",
        "{\"child_id\":\"K2\",\"worker_id\":\"sw.a\",\"date\":\"2022-02-01\"}");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"K2\",\"date\":\"2022-02-01\",\"placement_id\":\"K2.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"V2\",\"category_of_need\":\"N8\","
        "\"provider\":\"PR4\",\"provider_urn\":\"SC654321\",\"placement_postcode\":\"TW9 2SX\","
        "\"previous_permanence\":\"Z1\"}");
    sub("sw.a", "leaving_care_status",
        "{\"child_id\":\"K2\",\"date\":\"2023-05-20\",\"status\":\"eligible\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"K2\",\"date\":\"2024-11-30\",\"reason\":\"other\","
        "\"reason_detail\":\"E5\"}");

    /* K1: looked after from 1 March 2024 */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K1\",\"date\":\"2024-01-10\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2010-06-15\",\"gender\":\"female\",\"language\":\"english\"}");
    snprintf(p, sizeof p,
             "{\"child_id\":\"K1\",\"date\":\"2024-01-10\",\"ethnicity_code\":\"WBRI\","
             "\"upn\":\"%s\"}",
             F.upn);
    sub("sw.a", "child_details_recorded", p);
    sub("tm.1", "case_allocated",
        "{\"child_id\":\"K1\",\"worker_id\":\"sw.a\",\"date\":\"2024-01-10\"}");
    k1_started =
        sub("sw.a", "looked_after_started",
            "{\"child_id\":\"K1\",\"date\":\"2024-03-01\",\"placement_id\":\"K1.1\","
            "\"placement_type\":\"foster\",\"legal_status\":\"C1\",\"category_of_need\":\"N1\","
            "\"home_postcode\":\"TW1 3BZ\",\"placement_postcode\":\"TW9 1AA\",\"provider\":\"PR1\","
            "\"provider_urn\":\"SC123456\",\"previous_permanence\":\"Z1\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"K1\",\"date\":\"2025-06-02\",\"legal_status\":\"C2\"}");
    sub("tm.1", "case_transferred",
        "{\"child_id\":\"K1\",\"worker_id\":\"SW1001\",\"date\":\"2025-06-02\"}");
    sub("SW1001", "health_check_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-07-01\",\"kind\":\"health_assessment\"}");
    sub("SW1001", "health_check_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-07-01\",\"kind\":\"immunisations\"}");
    sub("SW1001", "health_check_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-07-01\",\"kind\":\"sdq\",\"sdq_score\":14}");
    sub("SW1001", "health_check_recorded",
        "{\"child_id\":\"K1\",\"date\":\"2025-08-01\",\"kind\":\"dental_check\"}");
    sub("SW1001", "looked_after_review_held",
        "{\"child_id\":\"K1\",\"date\":\"2025-09-10\",\"participation\":\"PN1\"}");
    sub("SW1001", "missing_episode",
        "{\"episode_id\":\"K1.M1\",\"child_id\":\"K1\",\"date\":\"2025-10-05\","
        "\"returned\":\"2025-10-06\",\"kind\":\"away\"}");
    sub("SW1001", "placement_changed",
        "{\"child_id\":\"K1\",\"date\":\"2025-11-20\",\"placement_id\":\"K1.2\","
        "\"placement_type\":\"kinship\",\"until_18\":true,\"provider\":\"PR1\","
        "\"change_reason\":\"CARPL\",\"placement_postcode\":\"TW1 1AA\"}");

    /* K2's 18th birthday, 20 May 2025 */
    sub("sw.a", "care_leaver_contact",
        "{\"child_id\":\"K2\",\"date\":\"2025-05-25\",\"in_touch\":\"YES\",\"activity\":\"F2\","
        "\"accommodation\":\"D\",\"accommodation_suitable\":true}");

    /* K3 */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K3\",\"date\":\"2025-04-15\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2023-02-10\",\"gender\":\"female\",\"language\":\"english\"}");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"K3\",\"date\":\"2025-04-15\",\"ethnicity_code\":\"WIRI\","
        "\"upn_unknown\":\"UN1\"}");
    sub("tm.1", "case_allocated",
        "{\"child_id\":\"K3\",\"worker_id\":\"sw.a\",\"date\":\"2025-04-15\"}");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"K3\",\"date\":\"2025-05-01\",\"placement_id\":\"K3.1\","
        "\"placement_type\":\"with_parents\",\"legal_status\":\"C1\",\"category_of_need\":\"N2\","
        "\"home_postcode\":\"TW1 3AA\",\"placement_postcode\":\"TW1 3AA\","
        "\"previous_permanence\":\"P2\"}");
    sub("sw.a", "looked_after_review_held", "{\"child_id\":\"K3\",\"date\":\"2025-06-05\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"K3\",\"date\":\"2025-07-01\",\"legal_status\":\"C2\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"K3\",\"date\":\"2025-07-01\",\"placement_id\":\"K3.2\","
        "\"placement_type\":\"foster\",\"fostering_for_adoption\":true,\"provider\":\"PR1\","
        "\"provider_urn\":\"SC111111\",\"change_reason\":\"CARPL\","
        "\"placement_postcode\":\"TW9 1AA\"}");
    sub("sw.a", "adoption_decision_made", "{\"child_id\":\"K3\",\"date\":\"2025-08-01\"}");
    sub("sw.a", "adoption_decision_reversed",
        "{\"child_id\":\"K3\",\"date\":\"2025-12-01\",\"reason\":\"RD4\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"K3\",\"date\":\"2026-02-01\",\"reason\":\"returned_home\"}");

    /* K4 */
    sub("tm.1", "child_registered",
        "{\"child_id\":\"K4\",\"date\":\"2024-05-01\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"date_of_birth\":\"2022-08-08\",\"gender\":\"male\",\"language\":\"english\"}");
    sub("sw.a", "child_details_recorded",
        "{\"child_id\":\"K4\",\"date\":\"2024-05-01\",\"ethnicity_code\":\"WBRI\","
        "\"upn_unknown\":\"UN1\"}");
    sub("sw.a", "looked_after_started",
        "{\"child_id\":\"K4\",\"date\":\"2024-05-10\",\"placement_id\":\"K4.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"C2\",\"category_of_need\":\"N1\","
        "\"provider\":\"PR1\",\"provider_urn\":\"SC222222\"}");
    sub("sw.a", "adoption_decision_made", "{\"child_id\":\"K4\",\"date\":\"2025-04-20\"}");
    sub("sw.a", "adopters_matched",
        "{\"child_id\":\"K4\",\"date\":\"2025-06-10\",\"adopters\":2,\"adopter_sex\":\"MF\","
        "\"adopter_status\":\"L11\"}");
    sub("sw.a", "legal_status_changed",
        "{\"child_id\":\"K4\",\"date\":\"2025-07-01\",\"legal_status\":\"E1\"}");
    sub("sw.a", "placement_changed",
        "{\"child_id\":\"K4\",\"date\":\"2025-07-01\",\"placement_id\":\"K4.2\","
        "\"placement_type\":\"adoption\",\"provider\":\"PR1\",\"provider_urn\":\"SC333333\","
        "\"change_reason\":\"CARPL\"}");
    sub("sw.a", "looked_after_review_held", "{\"child_id\":\"K4\",\"date\":\"2025-09-01\"}");
    sub("sw.a", "looked_after_ended",
        "{\"child_id\":\"K4\",\"date\":\"2026-01-15\",\"reason\":\"adoption\","
        "\"reason_detail\":\"E12\"}");
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

static void test_903(void **state)
{
    (void)state;
    history();
    const cw_return_kind *k = cw_returns_find("903");
    assert_non_null(k);
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    if (cw_returns_make(k, cw_ledger_store(F.l), &F.cal, &q, &o, &F.err))
        fail_msg("903: %s", F.err.msg);
    assert_int_equal(o.nfiles, 13);
    assert_int_equal(o.counts.children, 4);
    assert_int_equal(o.counts.records, 7);

    char header[600];
    snprintf(header, sizeof header,
             "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB" CRLF
             "\"K1\",\"F\",\"15/06/2010\",\"WBRI\",\"%s\",\"0\",\"\"" CRLF
             "\"K2\",\"M\",\"20/05/2007\",\"BAFR\",\"UN2\",\"\",\"\"" CRLF
             "\"K3\",\"F\",\"10/02/2023\",\"WIRI\",\"UN1\",\"0\",\"\"" CRLF
             "\"K4\",\"M\",\"08/08/2022\",\"WBRI\",\"UN1\",\"\",\"\"" CRLF,
             F.upn);
    same_text(&o, "903-2026-header.csv", header);
    same_text(&o, "903-2026-episodes.csv",
              "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
              "PL_POST,URN" CRLF
              "\"K1\",\"01/03/2024\",\"S\",\"C1\",\"N1\",\"U6\",\"PR1\",\"02/06/2025\",\"X1\",\"\","
              "\"TW1 3BZ\",\"TW9 1AA\",\"SC123456\"" CRLF
              "\"K1\",\"02/06/2025\",\"L\",\"C2\",\"N1\",\"U6\",\"PR1\",\"20/11/2025\",\"X1\","
              "\"CARPL\",\"TW1 3BZ\",\"TW9 1AA\",\"SC123456\"" CRLF
              "\"K1\",\"20/11/2025\",\"P\",\"C2\",\"N1\",\"U1\",\"PR1\",\"\",\"\",\"\","
              "\"TW1 3BZ\",\"TW1 1AA\",\"XXXXXXX\"" CRLF
              "\"K3\",\"01/05/2025\",\"S\",\"C1\",\"N2\",\"P1\",\"PR0\",\"01/07/2025\",\"X1\","
              "\"CARPL\",\"TW1 3AA\",\"TW1 3AA\",\"\"" CRLF
              "\"K3\",\"01/07/2025\",\"B\",\"C2\",\"N2\",\"U5\",\"PR1\",\"01/02/2026\",\"E4A\","
              "\"\",\"TW1 3AA\",\"TW9 1AA\",\"SC111111\"" CRLF
              "\"K4\",\"10/05/2024\",\"S\",\"C2\",\"N1\",\"U6\",\"PR1\",\"01/07/2025\",\"X1\","
              "\"CARPL\",\"\",\"\",\"SC222222\"" CRLF
              "\"K4\",\"01/07/2025\",\"B\",\"E1\",\"N1\",\"A6\",\"PR1\",\"15/01/2026\",\"E12\","
              "\"\",\"\",\"\",\"SC333333\"" CRLF);
    same_text(&o, "903-2026-reviews.csv",
              "CHILD,DOB,REVIEW,REVIEW_CODE" CRLF
              "\"K1\",\"15/06/2010\",\"10/09/2025\",\"PN1\"" CRLF
              "\"K3\",\"10/02/2023\",\"05/06/2025\",\"PN0\"" CRLF
              "\"K4\",\"08/08/2022\",\"01/09/2025\",\"PN0\"" CRLF);
    same_text(&o, "903-2026-uasc.csv",
              "CHILD,SEX,DOB,DUC" CRLF "\"K2\",\"M\",\"20/05/2007\",\"\"" CRLF);
    same_text(
        &o, "903-2026-oc2.csv",
        "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
        "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED" CRLF
        "\"K1\",\"15/06/2010\",\"14\",\"\",\"0\",\"\",\"1\",\"1\",\"1\",\"0\",\"\",\"\"" CRLF);
    same_text(&o, "903-2026-oc3.csv",
              "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM" CRLF
              "\"K2\",\"20/05/2007\",\"YES\",\"F2\",\"D1\"" CRLF);
    same_text(&o, "903-2026-ad1.csv",
              "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR" CRLF
              "\"K4\",\"08/08/2022\",\"20/04/2025\",\"10/06/2025\",\"0\",\"2\",\"MF\","
              "\"L11\"" CRLF);
    same_text(&o, "903-2026-placed-for-adoption.csv",
              "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED" CRLF
              "\"K3\",\"10/02/2023\",\"01/08/2025\",\"01/12/2025\",\"RD4\"" CRLF
              "\"K4\",\"08/08/2022\",\"20/04/2025\",\"\",\"\"" CRLF);
    same_text(&o, "903-2026-previous-permanence.csv",
              "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM" CRLF
              "\"K3\",\"10/02/2023\",\"P2\",\"999\",\"ZZ/ZZ/ZZZZ\"" CRLF);
    same_text(&o, "903-2026-missing.csv",
              "CHILD,DOB,MISSING,MIS_START,MIS_END" CRLF
              "\"K1\",\"15/06/2010\",\"A\",\"05/10/2025\",\"06/10/2025\"" CRLF);
    same_text(&o, "903-2026-sw-episodes.csv",
              "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON" CRLF
              "\"K1\",\"15/06/2010\",\"XXsw.a\",\"10/01/2024\",\"02/06/2025\",\"FCONTA\"" CRLF
              "\"K1\",\"15/06/2010\",\"SW1001\",\"02/06/2025\",\"\",\"OTHERS\"" CRLF);
    same_text(&o, "903-2026-dolo.csv", "CHILD,DOB,DOLO_START,DOLO_END" CRLF);
    same_text(&o, "903-2026-notes.csv",
              "child,field,note" CRLF
              "\"K1\",\"CONVICTED\",\"caseward records no convictions or youth cautions: 0 "
              "(check before sending)\"" CRLF
              "\"K1\",\"SUBSTANCE_MISUSE\",\"caseward records no substance misuse: 0 (check "
              "before sending)\"" CRLF
              "\"K1\",\"URN\",\"no Ofsted URN recorded for the placement from 20/11/2025: "
              "XXXXXXX (the placeholder)\"" CRLF
              "\"K3\",\"LA_PERM\",\"permanence P2 before care: its authority and date are not "
              "recorded (999, ZZ/ZZ/ZZZZ)\"" CRLF
              "\"K3\",\"REC\",\"care ended (returned_home) with no reason_detail: E4A\"" CRLF
              "\"K4\",\"HOME_POST\",\"no home postcode held (not recorded when care began, or "
              "erased): left blank\"" CRLF
              "\"K4\",\"PL_POST\",\"no placement postcode held (not recorded, or erased): left "
              "blank\"" CRLF);
    cw_returns_output_release(&o);
}

/* Erasing the entry that recorded K1's home postcode and first placement's postcode leaves those
 * cells blank and says so; the next placement's postcode, recorded by another entry, stays. */
static void test_903_erased(void **state)
{
    (void)state;
    history();
    char p[400];
    sub("admin", "staff_added",
        "{\"staff_id\":\"dpo\",\"name\":\"D\",\"role\":\"data_protection_officer\"}");
    snprintf(p, sizeof p,
             "{\"erasure_id\":\"E1\",\"child_id\":\"K1\",\"date\":\"2026-04-20\","
             "\"entries\":[\"%llu\"],\"lawful_basis\":\"recorded_in_error\","
             "\"reason\":\"wrong addresses\"}",
             (unsigned long long)k1_started);
    sub("tm.1", "erasure_proposed", p);
    sub("dpo", "erasure_approved", "{\"erasure_id\":\"E1\",\"date\":\"2026-04-20\"}");
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    if (cw_returns_make(cw_returns_find("903"), cw_ledger_store(F.l), &F.cal, &q, &o, &F.err))
        fail_msg("903: %s", F.err.msg);
    const char *ep = file(&o, "903-2026-episodes.csv");
    const char *const want[] = {
        "\"K1\",\"01/03/2024\",\"S\",\"C1\",\"N1\",\"U6\",\"PR1\",\"02/06/2025\",\"X1\",\"\","
        "\"\",\"\",\"SC123456\"" CRLF,
        "\"K1\",\"02/06/2025\",\"L\",\"C2\",\"N1\",\"U6\",\"PR1\",\"20/11/2025\",\"X1\","
        "\"CARPL\",\"\",\"\",\"SC123456\"" CRLF,
        "\"K1\",\"20/11/2025\",\"P\",\"C2\",\"N1\",\"U1\",\"PR1\",\"\",\"\",\"\",\"\","
        "\"TW1 1AA\",\"XXXXXXX\"" CRLF,
        "\"K1\",\"HOME_POST\",\"no home postcode held (not recorded when care began, or erased): "
        "left blank\"" CRLF,
        "\"K1\",\"PL_POST\",\"no placement postcode held (not recorded, or erased): left "
        "blank\"" CRLF,
    };
    for (size_t i = 0; i < 5; i++)
        if (!strstr(i < 3 ? ep : file(&o, "903-2026-notes.csv"), want[i]))
            fail_msg("after the erasure, not found: %s", want[i]);
    assert_null(strstr(ep, "TW1 3BZ"));
    assert_null(strstr(ep, "TW9 1AA\",\"SC123456"));
    cw_returns_output_release(&o);
}

/* The 903's facts must agree with what they qualify. */
static void test_903_refusals(void **state)
{
    (void)state;
    history();
    /* a setting is for residential and other placements only */
    refused("placement_changed",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"placement_id\":\"K1.3\","
            "\"placement_type\":\"foster\",\"setting\":\"K2\"}",
            "setting");
    /* fostering for adoption is for foster and kinship placements only */
    refused("placement_changed",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"placement_id\":\"K1.3\","
            "\"placement_type\":\"residential\",\"setting\":\"K2\","
            "\"fostering_for_adoption\":true}",
            "fostering_for_adoption");
    /* a reason's detail must be one of that reason's */
    refused("looked_after_ended",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"reason\":\"adoption\","
            "\"reason_detail\":\"E4A\"}",
            "reason_detail");
    refused("looked_after_ended",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"reason\":\"other\","
            "\"reason_detail\":\"E45\"}",
            "reason_detail");
    /* a legal status changes only while looked after */
    refused("legal_status_changed",
            "{\"child_id\":\"K2\",\"date\":\"2025-01-05\",\"legal_status\":\"C2\"}", "child_id");
    refused("care_leaver_contact",
            "{\"child_id\":\"K2\",\"date\":\"2025-05-25\",\"in_touch\":\"MAYBE\"}", "in_touch");
    /* a postcode's shape; a score only with an SDQ; adopters as their sexes say; PN0 under 4 */
    refused("placement_changed",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"placement_id\":\"K1.3\","
            "\"placement_type\":\"foster\",\"placement_postcode\":\"ZZ\"}",
            "not a postcode");
    refused("health_check_recorded",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"kind\":\"dental_check\","
            "\"sdq_score\":12}",
            "only with an SDQ");
    refused("adopters_matched",
            "{\"child_id\":\"K4\",\"date\":\"2025-06-10\",\"adopters\":1,\"adopter_sex\":\"MF\","
            "\"adopter_status\":\"L11\"}",
            "one adopter or two");
    refused("adopters_matched",
            "{\"child_id\":\"K4\",\"date\":\"2025-06-10\",\"adopters\":0,\"adopter_sex\":\"M1\","
            "\"adopter_status\":\"L11\"}",
            "one adopter or two");
    refused("looked_after_review_held",
            "{\"child_id\":\"K1\",\"date\":\"2026-01-05\",\"participation\":\"PN0\"}",
            "PN0 is for a child under 4");
}

/* The review's cases: a girl whose only episodes are short breaks has no MOTHER (rule 399); a
 * move and the end of care on one day make no row of less than a day (355); a change of legal
 * status undone the same day makes no row (225, 435); a placement order made during an
 * adoption placement with new carers keeps A6 (not A5). */
static void test_903_edges(void **state)
{
    (void)state;
    sub("admin", "team_created", "{\"team_id\":\"T1\",\"name\":\"One\",\"service_area\":\"N\"}");
    sub("admin", "staff_added",
        "{\"staff_id\":\"tm.1\",\"name\":\"M\",\"role\":\"team_manager\",\"team_id\":\"T1\"}");
    static const char *const kids[] = {"G1", "G2", "G3", "G4"};
    for (size_t i = 0; i < 4; i++) {
        char p[400];
        snprintf(p, sizeof p,
                 "{\"child_id\":\"%s\",\"date\":\"2025-04-01\",\"given_name\":\"A\","
                 "\"family_name\":\"B\",\"date_of_birth\":\"2012-01-01\",\"gender\":\"female\","
                 "\"language\":\"english\"}",
                 kids[i]);
        sub("tm.1", "child_registered", p);
    }
    sub("tm.1", "looked_after_started",
        "{\"child_id\":\"G1\",\"date\":\"2025-05-01\",\"placement_id\":\"G1.1\","
        "\"placement_type\":\"residential\",\"setting\":\"K2\",\"legal_status\":\"V3\","
        "\"provider\":\"PR1\",\"provider_urn\":\"SC111111\"}");
    sub("tm.1", "looked_after_ended",
        "{\"child_id\":\"G1\",\"date\":\"2025-05-03\",\"reason\":\"returned_home\","
        "\"reason_detail\":\"E4A\"}");
    sub("tm.1", "looked_after_started",
        "{\"child_id\":\"G2\",\"date\":\"2025-05-01\",\"placement_id\":\"G2.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"C2\",\"provider\":\"PR1\"}");
    sub("tm.1", "placement_changed",
        "{\"child_id\":\"G2\",\"date\":\"2025-08-01\",\"placement_id\":\"G2.2\","
        "\"placement_type\":\"foster\",\"provider\":\"PR4\",\"change_reason\":\"CARPL\"}");
    sub("tm.1", "looked_after_ended",
        "{\"child_id\":\"G2\",\"date\":\"2025-08-01\",\"reason\":\"returned_home\","
        "\"reason_detail\":\"E4A\"}");
    sub("tm.1", "looked_after_started",
        "{\"child_id\":\"G3\",\"date\":\"2025-05-01\",\"placement_id\":\"G3.1\","
        "\"placement_type\":\"foster\",\"legal_status\":\"C1\",\"provider\":\"PR1\"}");
    sub("tm.1", "legal_status_changed",
        "{\"child_id\":\"G3\",\"date\":\"2025-06-01\",\"legal_status\":\"C2\"}");
    sub("tm.1", "legal_status_changed",
        "{\"child_id\":\"G3\",\"date\":\"2025-06-01\",\"legal_status\":\"C1\"}");
    sub("tm.1", "looked_after_started",
        "{\"child_id\":\"G4\",\"date\":\"2025-05-10\",\"placement_id\":\"G4.1\","
        "\"placement_type\":\"adoption\",\"legal_status\":\"C2\",\"provider\":\"PR1\"}");
    sub("tm.1", "legal_status_changed",
        "{\"child_id\":\"G4\",\"date\":\"2025-06-20\",\"legal_status\":\"E1\"}");
    /* G2's ethnicity, recorded after the year as the notes asked: the return's */
    sub("tm.1", "child_details_recorded",
        "{\"child_id\":\"G2\",\"date\":\"2026-05-01\",\"ethnicity_code\":\"AIND\"}");
    const cw_return_kind *k = cw_returns_find("903");
    cw_returns_query q = {2026, NULL, "caseward", "test", "2026-05-01T09:00:00", NULL};
    cw_returns_output o;
    cw_returns_output_init(&o);
    if (cw_returns_make(k, cw_ledger_store(F.l), &F.cal, &q, &o, &F.err))
        fail_msg("903: %s", F.err.msg);
    const char *hd = file(&o, "903-2026-header.csv"), *ep = file(&o, "903-2026-episodes.csv");
    if (!strstr(hd, "\"G1\",\"F\",\"01/01/2012\",\"NOBT\",\"\",\"\",\"\"") ||
        !strstr(hd, "\"G2\",\"F\",\"01/01/2012\",\"AIND\",\"\",\"0\",\"\""))
        fail_msg("MOTHER: only for a girl with an episode that is not a short break:\n%s", hd);
    if (strstr(ep, "\"G2\",\"01/08/2025\"") || !strstr(ep, "\"01/08/2025\",\"E4A\""))
        fail_msg("a move and the end of care on one day:\n%s", ep);
    if (strstr(ep, "\"G3\",\"01/06/2025\""))
        fail_msg("a change undone on the day it was made:\n%s", ep);
    const char *g4 = strstr(ep, "\"G4\",\"20/06/2025\"");
    if (!g4 || !strstr(g4, "\"E1\"") ||
        strncmp(strstr(g4, "\"A") ? strstr(g4, "\"A") : "", "\"A6\"", 4))
        fail_msg("a placement order during an adoption placement with new carers:\n%s", ep);
    cw_returns_output_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_903, setup, teardown),
        cmocka_unit_test_setup_teardown(test_903_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(test_903_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_903_edges, setup, teardown)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
