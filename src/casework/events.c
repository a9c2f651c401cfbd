/*
 * events.c — the catalogue of casework and organisation events (one table:
 * fields, state checks, projection), and the generic field validation it
 * drives. docs/events.md describes the same catalogue for people; a test
 * compares the two.
 *
 * Every check names the field and the value that was wrong. Values that may
 * be personal (names, free text) are never quoted; identifiers and dates are.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "casework/casework_int.h"
#include "util/upn.h"
#include "util/facts.h"
#include "util/json.h"
#include "util/signoff.h"
#include "util/textprint.h"
#include "util/time.h"
#include "util/utf8.h"

/* ---- enum vocabularies ---- */

static const char *const ROLES[] = {"social_worker",
                                    "senior_practitioner",
                                    "team_manager",
                                    "service_manager",
                                    "head_of_service",
                                    "director",
                                    "qa_auditor",
                                    "inspector",
                                    "administrator",
                                    "data_protection_officer",
                                    NULL};
/* Why personal data is erased (docs/privacy.md). */
static const char *const LAWFUL_BASES[] = {"rectification", "recorded_in_error", "erasure_request",
                                           "retention_schedule", NULL};
static const char *const GENDERS[] = {"female", "male", "other", "not_known", NULL};
static const char *const LANGUAGES[] = {"english", "welsh", "other", NULL};
static const char *const SOURCES[] = {"police", "school",    "health",    "self",
                                      "family", "neighbour", "anonymous", "local_authority",
                                      "other",  NULL};
static const char *const REFERRAL_DECISIONS[] = {"no_further_action", "assessment",
                                                 "strategy_discussion", NULL};
/* What becomes of a contact (Wales Safeguarding Procedures, section 3 part 1; Working
 * Together 2023, chapter 3): decided within one working day. */
static const char *const CONTACT_OUTCOMES[] = {"no_further_action", "information_and_advice",
                                               "early_help", "referral", NULL};
static const char *const ASSESSMENT_OUTCOMES[] = {"no_further_action", "care_and_support_plan",
                                                  "child_protection",  "looked_after",
                                                  "other_services",    NULL};
static const char *const STRATEGY_DECISIONS[] = {"section_47", "no_further_action", "other", NULL};
static const char *const S47_OUTCOMES[] = {"initial_conference", "child_in_need",
                                           "no_further_action", NULL};
static const char *const CONFERENCE_KINDS[] = {"initial", "review", NULL};
static const char *const CONFERENCE_DECISIONS[] = {"register", "continue", "deregister",
                                                   "not_registered", NULL};
static const char *const CP_CATEGORIES[] = {"neglect", "physical", "sexual", "emotional", NULL};
static const char *const PLAN_KINDS[] = {"care_and_support",
                                         "child_protection_outline",
                                         "child_protection",
                                         "looked_after",
                                         "pathway",
                                         "placement",
                                         "personal_education",
                                         NULL};
static const char *const PLACEMENT_TYPES[] = {"foster",   "kinship", "residential", "with_parents",
                                              "adoption", "other",   NULL};
static const char *const LA_END_REASONS[] = {"returned_home", "adoption", "special_guardianship",
                                             "age_18",        "other",    NULL};
/* Where a visit took place: home is where the child lives (a looked-after child's
 * placement). */
static const char *const VISIT_LOCATIONS[] = {"home", "school", "office", "other", NULL};
/* The language a visit or an assessment was carried out in (the Active Offer: Welsh
 * Government, "More than just words"); other: any other language, British Sign Language
 * included. */
static const char *const SERVICE_LANGUAGES[] = {"english", "welsh", "bilingual", "other", NULL};
/* Placements the regulations visit weekly until the first review (CPPCR (Wales) 2015
 * reg 31(3)-(4), CPPCR (England) 2010 reg 28(3)-(4)). */
static const char *const INTERIM_ARRANGEMENTS[] = {"parent_before_assessment", "temporary_approval",
                                                   "interim_care_order_at_home", NULL};
/* immunisations: found up to date; development_check: a health surveillance (development)
 * check, under 5; sdq: a strengths and difficulties questionnaire, with its score (SSDA903 OC2) */
static const char *const HEALTH_KINDS[] = {"gp_registration",
                                           "dental_check",
                                           "health_assessment",
                                           "immunisations",
                                           "development_check",
                                           "sdq",
                                           NULL};
/* A care leaver's status (Children Act 1989 s.23A-24 and Sch 2 para 19B; 2014 Act s.104):
 * Wales' category 1 is eligible, 2 relevant, 3 former relevant, 4 former relevant in education
 * or training, 5 and 6 qualifying (docs/events.md). */
static const char *const LEAVING_CARE_STATUSES[] = {
    "eligible", "relevant", "former_relevant", "former_relevant_education", "qualifying", NULL};
static const char *const CSE_BANDS[] = {"no_apparent_risk", "mild", "moderate", "significant",
                                        NULL};
/* National code sets of the statutory returns (docs/returns.md), kept as their codes: the
 * DfE's ethnicity categories (CIN census, SSDA903, the Welsh census's too). */
static const char *const ETHNICITY_CODES[] = {
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT", NULL};
/* CIN census sources of referral (1A family ... 10 unknown): more exact than source. */
static const char *const REFERRAL_SOURCE_CODES[] = {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B",
                                                    "3C", "3D", "3E", "3F", "4",  "5A", "5B", "5C",
                                                    "5D", "6",  "7",  "8",  "9",  "10", NULL};
/* CIN census disability codes: NONE, or each that applies. */
static const char *const DISABILITY_CODES[] = {"NONE", "MOB", "HAND", "PC",  "INC", "COMM", "LD",
                                               "HEAR", "VIS", "BEH",  "CON", "AUT", "DDA",  NULL};
/* CIN census reasons a child has no UPN. */
static const char *const UPN_UNKNOWN_CODES[] = {"UN1", "UN2", "UN3", "UN4",  "UN5", "UN6",
                                                "UN7", "UN8", "UN9", "UN10", NULL};
/* CIN census primary need (N0 not stated ... N9 cases other than children in need). */
static const char *const PRIMARY_NEEDS[] = {"N0", "N1", "N2", "N3", "N4", "N5",
                                            "N6", "N7", "N8", "N9", NULL};
/* CIN census factors identified at assessment. */
static const char *const ASSESSMENT_FACTORS[] = {
    "1A",  "1B",  "1C",  "2A",  "2B",  "2C",  "3A",  "3B",  "3C",  "4A",  "4B",  "4C",
    "5A",  "5B",  "5C",  "6A",  "6B",  "6C",  "7A",  "8B",  "8C",  "8D",  "8E",  "8F",
    "9A",  "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "18B", "18C",
    "19A", "19B", "19C", "20",  "21",  "22A", "23A", "24A", NULL};
/* CIN census reasons for closure. */
static const char *const CLOSURE_REASONS[] = {"RC1", "RC2", "RC3", "RC4", "RC5",
                                              "RC6", "RC7", "RC8", "RC9", NULL};
/* SSDA903 (England's looked-after children return; docs/returns.md, "SSDA903"): a looked-after
 * child's legal status (LS), category of need (CIN), the placement setting where the placement
 * type does not decide it (PLACE), the provider (PLACE_PROVIDER), the reason a placement changed,
 * the reason care ended (REC), the review's participation code, permanence before care, and a
 * care leaver's contact at their birthday (OC3). The Z11-Z14 placements are left out: their
 * meanings are not confirmed (docs/returns/research-903-wales.md). W1 (wardship) is Wales' legal
 * status (the looked after children census), not the SSDA903's. */
static const char *const LEGAL_STATUSES[] = {"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1",
                                             "L2", "L3", "J1", "J2", "J3", "W1", NULL};
static const char *const CATEGORIES_OF_NEED[] = {"N1", "N2", "N3", "N4", "N5",
                                                 "N6", "N7", "N8", NULL};
static const char *const SETTINGS[] = {"K1", "K2", "K3", "R1", "R2", "R3", "R5", "S1",
                                       "P3", "T0", "T1", "T2", "T3", "T4", NULL};
static const char *const PROVIDERS[] = {"PR1", "PR2", "PR3", "PR4", "PR5", NULL};
static const char *const PERMANENCE[] = {"P1", "P2", "P3", "P4", "Z1", NULL};
static const char *const PLACEMENT_CHANGE_REASONS[] = {"CARPL",  "CLOSE", "ALLEG", "STAND", "APPRR",
                                                       "CREQB",  "CREQO", "CHILD", "LAREQ", "PLACE",
                                                       "CUSTOD", "OTHER", NULL};
static const char *const LA_END_DETAILS[] = {"E11", "E12", "E2",  "E3",  "E4A", "E4B", "E13", "E41",
                                             "E45", "E46", "E47", "E48", "E5",  "E6",  "E7",  "E9",
                                             "E14", "E15", "E16", "E17", "E8",  NULL};
static const char *const PARTICIPATION[] = {"PN0", "PN1", "PN2", "PN3", "PN4",
                                            "PN5", "PN6", "PN7", NULL};
static const char *const MISSING_KINDS[] = {"missing", "away", NULL};
static const char *const ADOPTION_REVERSALS[] = {"RD1", "RD2", "RD3", "RD4", NULL};
static const char *const ADOPTER_SEXES[] = {"M1", "F1", "MM", "FF", "MF", NULL};
static const char *const ADOPTER_STATUSES[] = {"L0", "L11", "L12", "L2", "L3", "L4", NULL};
static const char *const IN_TOUCH[] = {"YES", "NO", "DIED", "REFU", "NREQ", "RHOM", NULL};
static const char *const ACTIVITIES[] = {"F1", "P1", "F2", "P2", "F4", "P4",
                                         "F5", "P5", "G4", "G5", "G6", NULL};
static const char *const ACCOMMODATIONS[] = {"B", "C", "D", "E", "G", "H", "K", "R", "S",
                                             "T", "U", "V", "W", "X", "Y", "Z", NULL};

/* ---- field tables ---- */

#define ID_NEW(n)                                                                                  \
    {                                                                                              \
        n, F_ID, REQ | NOFIX, 64, NULL                                                             \
    }
#define ID_REF(n)                                                                                  \
    {                                                                                              \
        n, F_ID, REQ | NOFIX, 64, NULL                                                             \
    }
#define DATE_REQ                                                                                   \
    {                                                                                              \
        "date", F_DATE, REQ | PAST, 0, NULL                                                        \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, NULL                                                                        \
    }

static const field_spec F_TEAM_CREATED[] = {ID_NEW("team_id"),
                                            {"name", F_TEXT, REQ | FACT, 100, NULL},
                                            {"service_area", F_TEXT, FACT, 100, NULL},
                                            END};
static const field_spec F_STAFF_ADDED[] = {ID_NEW("staff_id"),
                                           {"name", F_TEXT, REQ, 100, NULL},
                                           {"role", F_ENUM, REQ, 0, ROLES},
                                           {"team_id", F_ID, 0, 64, NULL},
                                           {"manager_id", F_ID, 0, 64, NULL},
                                           END};
static const field_spec F_STAFF_CHANGED[] = {ID_REF("staff_id"),
                                             {"role", F_ENUM, 0, 0, ROLES},
                                             {"team_id", F_ID, 0, 64, NULL},
                                             {"manager_id", F_ID, 0, 64, NULL},
                                             /* set by caseward: the approved proposal applied */
                                             {"proposal_id", F_ID, NOFIX, 64, NULL},
                                             END};
static const field_spec F_STAFF_LEFT[] = {ID_REF("staff_id"), DATE_REQ, END};
static const field_spec F_CHILD_REGISTERED[] = {ID_NEW("child_id"),
                                                {"given_name", F_TEXT, REQ, 100, NULL},
                                                {"family_name", F_TEXT, REQ, 100, NULL},
                                                {"date_of_birth", F_DATE, REQ, 0, NULL},
                                                {"date", F_DATE, PAST, 0, NULL},
                                                {"gender", F_ENUM, REQ, 0, GENDERS},
                                                {"ethnicity", F_TEXT, 0, 60, NULL},
                                                {"language", F_ENUM, REQ, 0, LANGUAGES},
                                                {"family_language", F_ENUM, 0, 0, LANGUAGES},
                                                {"address", F_TEXT, 0, 300, NULL},
                                                {"restricted", F_BOOL, NOFIX, 0, NULL},
                                                {"restricted_to", F_IDS, NOFIX, 50, NULL},
                                                END};
static const field_spec F_CONTACT[] = {ID_NEW("contact_id"),
                                       ID_REF("child_id"),
                                       DATE_REQ,
                                       {"source", F_ENUM, REQ, 0, SOURCES},
                                       {"reason", F_TEXT, REQ, 2000, NULL},
                                       {"cse_concern", F_BOOL, 0, 0, NULL},
                                       END};
static const field_spec F_REFERRAL[] = {ID_NEW("referral_id"),
                                        ID_REF("child_id"),
                                        DATE_REQ,
                                        {"source", F_ENUM, REQ, 0, SOURCES},
                                        {"source_code", F_ENUM, 0, 0, REFERRAL_SOURCE_CODES},
                                        {"reason", F_TEXT, REQ, 2000, NULL},
                                        {"cse_concern", F_BOOL, 0, 0, NULL},
                                        END};
static const field_spec F_CONTACT_DECIDED[] = {
    ID_REF("contact_id"), DATE_REQ, {"outcome", F_ENUM, REQ, 0, CONTACT_OUTCOMES}, END};
static const field_spec F_REFERRAL_DECIDED[] = {ID_REF("referral_id"),
                                                DATE_REQ,
                                                {"decision", F_ENUM, REQ, 0, REFERRAL_DECISIONS},
                                                {"decided_by", F_ID, NOFIX, 64, NULL},
                                                END};
static const field_spec F_ASSESSMENT_STARTED[] = {ID_NEW("assessment_id"),
                                                  ID_REF("child_id"),
                                                  DATE_REQ,
                                                  {"referral_id", F_ID, NOFIX, 64, NULL},
                                                  END};
static const field_spec F_ASSESSMENT_COMPLETED[] = {
    ID_REF("assessment_id"),
    DATE_REQ,
    {"child_seen", F_BOOL, REQ, 0, NULL},
    {"child_seen_date", F_DATE, PAST, 0, NULL},
    {"views", F_TEXT, 0, 4000, NULL},
    {"views_not_obtained_reason", F_TEXT, 0, 1000, NULL},
    {"analysis", F_TEXT, REQ, 8000, NULL},
    {"analysis_print", F_TEXT, FACT | PRINT | NOFIX, CW_TEXT_PRINT_MAX, NULL},
    {"outcome", F_ENUM, REQ, 0, ASSESSMENT_OUTCOMES},
    {"signed_off_by", F_ID, NOFIX, 64, NULL},
    {"active_offer_made", F_BOOL, 0, 0, NULL},
    {"service_language", F_ENUM, 0, 0, SERVICE_LANGUAGES},
    {"primary_need", F_ENUM, 0, 0, PRIMARY_NEEDS},
    {"factors", F_IDS, 0, 44, ASSESSMENT_FACTORS},
    END};
static const field_spec F_STRATEGY[] = {ID_NEW("strategy_id"),
                                        ID_REF("child_id"),
                                        DATE_REQ,
                                        {"decision", F_ENUM, REQ, 0, STRATEGY_DECISIONS},
                                        {"cse", F_BOOL, 0, 0, NULL},
                                        END};
static const field_spec F_S47_STARTED[] = {ID_NEW("enquiry_id"),
                                           ID_REF("child_id"),
                                           DATE_REQ,
                                           {"strategy_id", F_ID, NOFIX, 64, NULL},
                                           END};
static const field_spec F_S47_COMPLETED[] = {
    ID_REF("enquiry_id"), DATE_REQ, {"outcome", F_ENUM, REQ, 0, S47_OUTCOMES}, END};
static const field_spec F_CONFERENCE[] = {ID_NEW("conference_id"),
                                          ID_REF("child_id"),
                                          DATE_REQ,
                                          {"kind", F_ENUM, REQ, 0, CONFERENCE_KINDS},
                                          {"decision", F_ENUM, REQ, 0, CONFERENCE_DECISIONS},
                                          {"category", F_ENUM, 0, 0, CP_CATEGORIES},
                                          END};
static const field_spec F_CHILD_DATE[] = {ID_REF("child_id"), DATE_REQ, END};
static const field_spec F_PLAN[] = {
    ID_NEW("plan_id"), ID_REF("child_id"), DATE_REQ, {"kind", F_ENUM, REQ, 0, PLAN_KINDS}, END};
/* The placement's details for the SSDA903 (docs/returns.md): the postcodes are personal (a
 * family's or a carer's address), the provider's Ofsted URN is not. */
#define PLACEMENT_903                                                                              \
    {"setting", F_ENUM, 0, 0, SETTINGS}, {"fostering_for_adoption", F_BOOL, 0, 0, NULL},           \
        {"provider", F_ENUM, 0, 0, PROVIDERS}, {"provider_urn", F_ID, 0, 8, NULL},                 \
    {                                                                                              \
        "placement_postcode", F_TEXT, 0, 8, NULL                                                   \
    }
static const field_spec F_LA_STARTED[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"placement_id", F_ID, REQ, 64, NULL},
    {"placement_type", F_ENUM, REQ, 0, PLACEMENT_TYPES},
    {"until_18", F_BOOL, 0, 0, NULL},
    {"interim_arrangement", F_ENUM, 0, 0, INTERIM_ARRANGEMENTS},
    {"legal_status", F_ENUM, 0, 0, LEGAL_STATUSES},
    {"category_of_need", F_ENUM, 0, 0, CATEGORIES_OF_NEED},
    {"home_postcode", F_TEXT, 0, 8, NULL},
    {"previous_permanence", F_ENUM, 0, 0, PERMANENCE},
    PLACEMENT_903,
    END};
static const field_spec F_PLACEMENT_CHANGED[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"placement_id", F_ID, REQ, 64, NULL},
    {"placement_type", F_ENUM, REQ, 0, PLACEMENT_TYPES},
    {"school_changed", F_BOOL, 0, 0, NULL},
    {"until_18", F_BOOL, 0, 0, NULL},
    {"interim_arrangement", F_ENUM, 0, 0, INTERIM_ARRANGEMENTS},
    {"same_carers", F_BOOL, 0, 0, NULL},
    {"change_reason", F_ENUM, 0, 0, PLACEMENT_CHANGE_REASONS},
    PLACEMENT_903,
    END};
static const field_spec F_LEGAL_STATUS[] = {
    ID_REF("child_id"), DATE_REQ, {"legal_status", F_ENUM, REQ, 0, LEGAL_STATUSES}, END};
static const field_spec F_LA_ENDED[] = {ID_REF("child_id"),
                                        DATE_REQ,
                                        {"reason", F_ENUM, REQ, 0, LA_END_REASONS},
                                        {"reason_detail", F_ENUM, 0, 0, LA_END_DETAILS},
                                        END};
static const field_spec F_LA_REVIEW[] = {
    ID_REF("child_id"), DATE_REQ, {"participation", F_ENUM, 0, 0, PARTICIPATION}, END};
static const field_spec F_HEALTH[] = {ID_REF("child_id"),
                                      DATE_REQ,
                                      {"kind", F_ENUM, REQ, 0, HEALTH_KINDS},
                                      {"sdq_score", F_INT, 0, 40, NULL},
                                      END};
/* Adoption (SSDA903 PlacedAdoption, AD1): the decision that the child should be placed for
 * adoption, its reversal, and the match with adopters. */
static const field_spec F_ADOPTION_DECISION[] = {ID_REF("child_id"), DATE_REQ, END};
static const field_spec F_ADOPTION_REVERSED[] = {
    ID_REF("child_id"), DATE_REQ, {"reason", F_ENUM, REQ, 0, ADOPTION_REVERSALS}, END};
static const field_spec F_ADOPTERS_MATCHED[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"adopters", F_INT, REQ, 2, NULL},
    {"adopter_sex", F_ENUM, REQ, 0, ADOPTER_SEXES},
    {"adopter_status", F_ENUM, REQ, 0, ADOPTER_STATUSES},
    END};
/* A care leaver's circumstances at their 17th to 21st birthdays (SSDA903 OC3). */
static const field_spec F_CARE_LEAVER_CONTACT[] = {ID_REF("child_id"),
                                                   DATE_REQ,
                                                   {"in_touch", F_ENUM, REQ, 0, IN_TOUCH},
                                                   {"activity", F_ENUM, 0, 0, ACTIVITIES},
                                                   {"accommodation", F_ENUM, 0, 0, ACCOMMODATIONS},
                                                   {"accommodation_suitable", F_BOOL, 0, 0, NULL},
                                                   END};
static const field_spec F_VISIT[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"seen", F_BOOL, REQ, 0, NULL},
    {"seen_alone", F_BOOL, REQ, 0, NULL},
    {"not_seen_alone_reason", F_TEXT, 0, 1000, NULL},
    {"location", F_ENUM, 0, 0, VISIT_LOCATIONS},
    {"bedroom_seen", F_BOOL, 0, 0, NULL},
    {"views", F_TEXT, 0, 4000, NULL},
    {"views_print", F_TEXT, FACT | PRINT | NOFIX, CW_TEXT_PRINT_MAX, NULL},
    {"views_not_obtained_reason", F_TEXT, 0, 1000, NULL},
    {"active_offer_made", F_BOOL, 0, 0, NULL},
    {"service_language", F_ENUM, 0, 0, SERVICE_LANGUAGES},
    END};
static const field_spec F_NOTE[] = {
    ID_REF("child_id"), DATE_REQ, {"text", F_TEXT, REQ, 8000, NULL}, END};
static const field_spec F_CSE[] = {ID_REF("child_id"),
                                   DATE_REQ,
                                   {"vulnerabilities", F_IDS, REQ, 50, NULL},
                                   {"moderate_indicators", F_IDS, REQ, 50, NULL},
                                   {"significant_indicators", F_IDS, REQ, 50, NULL},
                                   {"significant_indicators_earlier", F_IDS, 0, 50, NULL},
                                   {"override_band", F_ENUM, 0, 0, CSE_BANDS},
                                   {"override_reason", F_TEXT, 0, 1000, NULL},
                                   END};
static const field_spec F_MISSING[] = {ID_NEW("episode_id"),
                                       ID_REF("child_id"),
                                       DATE_REQ,
                                       {"returned", F_DATE, PAST, 0, NULL},
                                       {"return_interview", F_BOOL, 0, 0, NULL},
                                       {"kind", F_ENUM, 0, 0, MISSING_KINDS},
                                       END};
/* A return interview after a missing episode: offered, and held or declined (issue 12). */
static const field_spec F_RETURN_INTERVIEW[] = {ID_REF("episode_id"),
                                                DATE_REQ,
                                                {"conducted_by", F_TEXT, REQ, 200, NULL},
                                                {"accepted", F_BOOL, REQ, 0, NULL},
                                                END};
/* Care leavers (issue 12): the status the worker records (and whether the authority provides
 * the young person's accommodation: personal adviser visits), the needs assessment (not an
 * assessment_started/completed: the assessment measures do not count it), and the personal
 * adviser's visits. */
static const field_spec F_LEAVING_CARE_STATUS[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"status", F_ENUM, REQ, 0, LEAVING_CARE_STATUSES},
    {"accommodated_by_authority", F_BOOL, 0, 0, NULL},
    END};
static const field_spec F_NEEDS_ASSESSMENT[] = {
    ID_REF("child_id"),
    DATE_REQ,
    {"views", F_TEXT, 0, 4000, NULL},
    {"views_not_obtained_reason", F_TEXT, 0, 1000, NULL},
    {"active_offer_made", F_BOOL, 0, 0, NULL},
    {"service_language", F_ENUM, 0, 0, SERVICE_LANGUAGES},
    END};
static const field_spec F_PA_VISIT[] = {ID_REF("child_id"),
                                        DATE_REQ,
                                        {"adviser", F_TEXT, REQ, 200, NULL},
                                        {"seen", F_BOOL, REQ, 0, NULL},
                                        END};
static const field_spec F_SUPERVISION[] = {{"supervisee_id", F_ID, REQ | NOFIX, 64, NULL},
                                           {"supervisor_id", F_ID, REQ | NOFIX, 64, NULL},
                                           DATE_REQ,
                                           {"cases_discussed", F_IDS, REQ | NOFIX, 50, NULL},
                                           {"decisions", F_TEXT, REQ, 4000, NULL},
                                           {"actions", F_TEXT, 0, 4000, NULL},
                                           END};
static const field_spec F_ALLOCATED[] = {
    ID_REF("child_id"), {"worker_id", F_ID, REQ, 64, NULL}, DATE_REQ, END};
static const field_spec F_TRANSFERRED[] = {ID_REF("child_id"),
                                           {"worker_id", F_ID, REQ, 64, NULL},
                                           DATE_REQ,
                                           {"reason", F_TEXT, 0, 1000, NULL},
                                           END};
static const field_spec F_CLOSED[] = {ID_REF("child_id"),
                                      DATE_REQ,
                                      {"reason", F_TEXT, REQ, 1000, NULL},
                                      {"closure_reason", F_ENUM, 0, 0, CLOSURE_REASONS},
                                      END};
static const field_spec F_REOPENED[] = {
    ID_REF("child_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};
/* What the returns need to know of a child beyond the registration (docs/returns.md): the
 * latest of each field given is what holds. */
static const field_spec F_CHILD_DETAILS[] = {ID_REF("child_id"),
                                             DATE_REQ,
                                             {"ethnicity_code", F_ENUM, 0, 0, ETHNICITY_CODES},
                                             {"disabilities", F_IDS, 0, 13, DISABILITY_CODES},
                                             {"upn", F_TEXT, 0, 13, NULL},
                                             {"former_upn", F_TEXT, 0, 13, NULL},
                                             {"upn_unknown", F_ENUM, 0, 0, UPN_UNKNOWN_CODES},
                                             {"date_of_death", F_DATE, PAST, 0, NULL},
                                             {"uasc", F_BOOL, 0, 0, NULL},
                                             {"own_child_born", F_DATE, PAST, 0, NULL},
                                             END};
static const field_spec F_CORRECTION[] = {{"corrects", F_INT, REQ | NOFIX, 0, NULL},
                                          {"reason", F_TEXT, REQ, 1000, NULL},
                                          {"changes", F_OBJECT, REQ, 0, NULL},
                                          {"based_on", F_INT, NOFIX, 0, NULL},
                                          END};
/* Sign-off (docs/events.md): a manager's own act on work awaiting it. */
static const field_spec F_SIGNED_OFF[] = {{"entry", F_INT, REQ | NOFIX, 0, NULL},
                                          {"date", F_DATE, PAST, 0, NULL},
                                          {"based_on", F_INT, NOFIX, 0, NULL},
                                          {"comment", F_TEXT, 0, 1000, NULL},
                                          END};
static const field_spec F_RETURNED[] = {{"entry", F_INT, REQ | NOFIX, 0, NULL},
                                        {"date", F_DATE, PAST, 0, NULL},
                                        {"based_on", F_INT, NOFIX, 0, NULL},
                                        {"reason", F_TEXT, REQ, 1000, NULL},
                                        END};
static const field_spec F_POLICY[] = {{"sign_off", F_IDS, REQ, 6, NULL}, END};
static const field_spec F_DEPUTY[] = {{"manager_id", F_ID, REQ | NOFIX, 64, NULL},
                                      {"deputy_id", F_ID, REQ | NOFIX, 64, NULL},
                                      {"until", F_DATE, REQ, 0, NULL},
                                      END};
static const field_spec F_RESTRICTION[] = {ID_REF("child_id"),
                                           DATE_REQ,
                                           {"restricted", F_BOOL, REQ, 0, NULL},
                                           {"restricted_to", F_IDS, 0, 50, NULL},
                                           {"reason", F_TEXT, REQ, 1000, NULL},
                                           {"based_on", F_INT, NOFIX, 0, NULL},
                                           {"proposal_id", F_ID, NOFIX, 64, NULL},
                                           END};
/* The two-person rule (access_change.c, docs/events.md "Two-person rule"): a change that widens
 * who can see children's records is proposed by one person and applied when another approves
 * it. The proposal carries the change's own fields: change names its type. */
static const char *const ACCESS_CHANGES[] = {"staff_changed", "restriction_changed",
                                             "account_enabled", NULL};
static const field_spec F_ACCESS_PROPOSED[] = {ID_NEW("proposal_id"),
                                               DATE_REQ,
                                               {"change", F_ENUM, REQ | NOFIX, 0, ACCESS_CHANGES},
                                               {"staff_id", F_ID, NOFIX, 64, NULL},
                                               {"role", F_ENUM, NOFIX, 0, ROLES},
                                               {"team_id", F_ID, NOFIX, 64, NULL},
                                               {"manager_id", F_ID, NOFIX, 64, NULL},
                                               {"child_id", F_ID, NOFIX, 64, NULL},
                                               {"restricted", F_BOOL, NOFIX, 0, NULL},
                                               {"restricted_to", F_IDS, NOFIX, 50, NULL},
                                               {"based_on", F_INT, NOFIX, 0, NULL},
                                               {"username", F_ID, NOFIX, 64, NULL},
                                               {"reason", F_TEXT, REQ, 1000, NULL},
                                               END};
static const field_spec F_ACCESS_APPROVED[] = {ID_REF("proposal_id"), DATE_REQ, END};
static const field_spec F_ACCESS_REJECTED[] = {
    ID_REF("proposal_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};
/* Erasure of personal data (erasure.c): proposed by one person, decided by the data
 * protection officer. entries: entry numbers, as text; none: the whole record. */
static const field_spec F_ERASURE_PROPOSED[] = {ID_NEW("erasure_id"),
                                                ID_REF("child_id"),
                                                DATE_REQ,
                                                {"entries", F_IDS, NOFIX, 200, NULL},
                                                {"lawful_basis", F_ENUM, REQ, 0, LAWFUL_BASES},
                                                {"requested_by", F_TEXT, 0, 200, NULL},
                                                {"reason", F_TEXT, REQ, 1000, NULL},
                                                END};
static const field_spec F_ERASURE_APPROVED[] = {ID_REF("erasure_id"), DATE_REQ, END};
static const field_spec F_ERASURE_DECLINED[] = {
    ID_REF("erasure_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};
/* Legal holds (holds.c, docs/privacy.md "Retention"): no child_id is a hold on every child's
 * record (an inquiry); until, if given, is the last day it holds. */
static const char *const HOLD_KINDS[] = {"litigation",           "inquiry", "complaint",
                                         "police_investigation", "other",   NULL};
static const field_spec F_HOLD_PLACED[] = {ID_NEW("hold_id"),
                                           {"child_id", F_ID, NOFIX, 64, NULL},
                                           DATE_REQ,
                                           {"kind", F_ENUM, REQ, 0, HOLD_KINDS},
                                           {"reason", F_TEXT, REQ, 1000, NULL},
                                           {"until", F_DATE, 0, 0, NULL},
                                           END};
static const field_spec F_HOLD_LIFTED[] = {
    ID_REF("hold_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};
/* Accounts (sign-in) and the record-access log: recorded by the server and `caseward user`. */
static const char *const ACCOUNT_ROLES[] = {"administrator", "qa_auditor", "inspector", "data_team",
                                            NULL};
static const field_spec F_ACCOUNT_CREATED[] = {
    {"username", F_ID, REQ | NOFIX, 64, NULL}, {"staff_id", F_ID, 0, 64, NULL},
    {"role", F_ENUM, 0, 0, ACCOUNT_ROLES},     {"expires_on", F_DATE, 0, 0, NULL},
    {"disabled", F_BOOL, 0, 0, NULL},          END};
static const char *const UI_LANGUAGES[] = {"en", "cy", NULL};
static const field_spec F_ACCOUNT_CHANGED[] = {{"username", F_ID, REQ | NOFIX, 64, NULL},
                                               {"disabled", F_BOOL, 0, 0, NULL},
                                               {"expires_on", F_DATE, 0, 0, NULL},
                                               {"reason", F_TEXT, 0, 500, NULL},
                                               {"language", F_ENUM, 0, 0, UI_LANGUAGES},
                                               {"proposal_id", F_ID, NOFIX, 64, NULL},
                                               END};
static const field_spec F_PASSWORD_SET[] = {
    {"username", F_ID, REQ | NOFIX, 64, NULL}, {"one_time", F_BOOL, REQ, 0, NULL}, END};
static const char *const TOKEN_SCOPES[] = {"read", "write", NULL};
static const field_spec F_TOKEN_CREATED[] = {{"name", F_ID, REQ | NOFIX, 64, NULL},
                                             {"username", F_ID, REQ | NOFIX, 64, NULL},
                                             {"scope", F_ENUM, REQ, 0, TOKEN_SCOPES},
                                             END};
static const field_spec F_TOKEN_REVOKED[] = {
    {"name", F_ID, REQ | NOFIX, 64, NULL}, {"reason", F_TEXT, 0, 500, NULL}, END};
static const field_spec F_RECORD_ACCESSED[] = {{"child_id", F_ID, 0, 64, NULL},
                                               {"what", F_TEXT, REQ | FACT, 200, NULL},
                                               {"allowed", F_BOOL, REQ, 0, NULL},
                                               {"status", F_INT, REQ, 599, NULL},
                                               END};
/* A sign-in spray (src/http/throttle.c): facts only, no username and no address. */
static const field_spec F_SIGN_IN_SPRAY[] = {{"window_start", F_TEXT, REQ | FACT, 30, NULL},
                                             {"window_end", F_TEXT, REQ | FACT, 30, NULL},
                                             {"failures", F_INT, REQ, 0, NULL},
                                             {"accounts", F_INT, REQ, 0, NULL},
                                             {"addresses", F_INT, REQ, 0, NULL},
                                             END};

static const field_spec F_ESCALATION[] = {{"item", F_TEXT, REQ | FACT, 200, NULL},
                                          /* none: an audit report's or action's (audits.c) */
                                          {"child_id", F_ID, NOFIX, 64, NULL},
                                          {"level", F_INT, REQ, 10, NULL},
                                          {"notified_id", F_ID, REQ, 64, NULL},
                                          {"as_of", F_DATE, REQ, 0, NULL},
                                          {"days_overdue", F_INT, REQ, 100000, NULL},
                                          END};

/* Case-file audits (audits.c, docs/audits.md). A programme's title and scope, and the
 * framework's name and themes, are facts: they name no child. */
static const field_spec F_AUDIT_PROGRAMME[] = {ID_NEW("programme_id"),
                                               {"title", F_TEXT, REQ | FACT, 200, NULL},
                                               {"scope", F_TEXT, FACT, 1000, NULL},
                                               DATE_REQ,
                                               {"commissioned_by", F_ID, REQ | NOFIX, 64, NULL},
                                               {"starts", F_DATE, REQ, 0, NULL},
                                               {"ends", F_DATE, REQ, 0, NULL},
                                               {"auditors", F_IDS, REQ, 50, NULL},
                                               {"area_manager_id", F_ID, 0, 64, NULL},
                                               {"framework", F_ID, REQ | NOFIX, 32, NULL},
                                               {"framework_sha256", F_TEXT, REQ | FACT, 64, NULL},
                                               {"themes", F_IDS, REQ, 16, NULL},
                                               {"grades", F_INT, REQ, 7, NULL},
                                               {"critical", F_IDS, REQ, 7, NULL},
                                               END};
static const field_spec F_AUDIT_SAMPLE[] = {ID_REF("programme_id"),
                                            DATE_REQ,
                                            {"seed", F_ID, REQ, 64, NULL},
                                            {"log_size", F_INT, REQ, 0, NULL},
                                            {"size", F_INT, REQ, 50, NULL},
                                            {"minimum", F_INT, REQ, 50, NULL},
                                            {"teams", F_IDS, 0, 50, NULL},
                                            {"case_types", F_IDS, 0, 3, NULL},
                                            {"cases", F_IDS, REQ, 50, NULL},
                                            {"assigned", F_IDS, REQ | REPEATS, 50, NULL},
                                            END};
static const field_spec F_AUDIT_CASE_ADDED[] = {ID_REF("programme_id"),
                                                ID_REF("child_id"),
                                                DATE_REQ,
                                                {"auditor_id", F_ID, REQ, 64, NULL},
                                                {"reason", F_TEXT, REQ, 1000, NULL},
                                                END};
static const field_spec F_AUDIT_MODERATOR[] = {ID_REF("programme_id"),
                                               ID_REF("child_id"),
                                               DATE_REQ,
                                               {"moderator_id", F_ID, REQ, 64, NULL},
                                               END};
static const field_spec F_AUDIT_GRADED[] = {ID_REF("programme_id"),
                                            ID_REF("child_id"),
                                            DATE_REQ,
                                            {"theme", F_ID, REQ | NOFIX, 32, NULL},
                                            {"grade", F_INT, 0, 7, NULL},
                                            {"not_applicable", F_BOOL, 0, 0, NULL},
                                            {"narrative", F_TEXT, REQ, 4000, NULL},
                                            {"evidence", F_IDS, 0, 50, NULL},
                                            {"moderation", F_BOOL, NOFIX, 0, NULL},
                                            END};
static const field_spec F_AUDIT_COMPLETED[] = {ID_REF("programme_id"),
                                               ID_REF("child_id"),
                                               DATE_REQ,
                                               {"overall", F_INT, REQ, 7, NULL},
                                               {"summary", F_TEXT, 0, 4000, NULL},
                                               {"moderation", F_BOOL, NOFIX, 0, NULL},
                                               END};
static const field_spec F_AUDIT_FINDING_ACTIONED[] = {
    ID_REF("programme_id"), ID_REF("child_id"), DATE_REQ, {"action", F_TEXT, REQ, 4000, NULL}, END};

/* A recommendation's and an action's words are facts about practice: they name no child. */
static const field_spec F_AUDIT_RECOMMENDATION[] = {ID_NEW("recommendation_id"),
                                                    ID_REF("programme_id"),
                                                    DATE_REQ,
                                                    {"theme", F_ID, 0, 32, NULL},
                                                    {"text", F_TEXT, REQ | FACT, 2000, NULL},
                                                    END};
static const field_spec F_AUDIT_ACTION_SET[] = {ID_NEW("action_id"),
                                                ID_REF("recommendation_id"),
                                                DATE_REQ,
                                                {"text", F_TEXT, REQ | FACT, 1000, NULL},
                                                {"owner_id", F_ID, REQ, 64, NULL},
                                                {"due", F_DATE, REQ, 0, NULL},
                                                END};
static const field_spec F_AUDIT_REPORT[] = {ID_NEW("report_id"),
                                            ID_REF("programme_id"),
                                            DATE_REQ,
                                            {"recipients", F_IDS, REQ, 10, NULL},
                                            {"acknowledge_within", F_INT, REQ, 60, NULL},
                                            {"content_sha256", F_TEXT, REQ | FACT, 64, NULL},
                                            {"figures", F_OBJECT, REQ | NOFIX, 0, NULL},
                                            {"recommendations", F_INT, REQ, 0, NULL},
                                            {"actions", F_INT, REQ, 0, NULL},
                                            {"log_size", F_INT, REQ, 0, NULL},
                                            END};
static const field_spec F_AUDIT_ACK[] = {
    ID_REF("report_id"), DATE_REQ, {"comment", F_TEXT, 0, 1000, NULL}, END};
static const field_spec F_AUDIT_ACTION_UPDATED[] = {
    ID_REF("action_id"), DATE_REQ, {"note", F_TEXT, REQ, 2000, NULL}, END};
static const field_spec F_AUDIT_ACTION_COMPLETED[] = {ID_REF("action_id"),
                                                      DATE_REQ,
                                                      {"evidence", F_TEXT, REQ, 4000, NULL},
                                                      {"evidence_entries", F_IDS, 0, 50, NULL},
                                                      END};
static const field_spec F_AUDIT_ACTION_SIGNED_OFF[] = {
    ID_REF("action_id"), DATE_REQ, {"comment", F_TEXT, 0, 1000, NULL}, END};
static const field_spec F_AUDIT_ACTION_RETURNED[] = {
    ID_REF("action_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};

/* Improvement plans (src/improve/, docs/improvement.md). The words of an inspection, a plan,
 * its actions and its budget are about the service, never a child: facts. Notes on progress
 * and decisions are personal (below). The state checks
 * are the improvement module's (cw_casework_set_improve). */
static const char *const INSPECTORATES[] = {"ciw", "ofsted", "estyn", "hiw",
                                            "cqc", "joint",  "other", NULL};
static const char *const FINDING_SEVERITIES[] = {"serious_concern", "priority_action",
                                                 "area_for_improvement", NULL};
static const char *const NOTICE_KINDS[] = {
    "warning_notice", "improvement_notice", "priority_action_notice", "direction", "other", NULL};
static const char *const BOARD_ROLES[] = {"chair", "member", "observer", NULL};
static const char *const EVIDENCE_KINDS[] = {"measure", "audit_report", "document", NULL};
static const char *const TARGET_DIRECTIONS[] = {"at_least", "at_most", NULL};
static const char *const IMPROVE_REPORT_KINDS[] = {"board", "minister", NULL};
static const field_spec F_IMP_INSPECTION[] = {ID_NEW("inspection_id"),
                                              DATE_REQ,
                                              {"inspectorate", F_ENUM, REQ, 0, INSPECTORATES},
                                              {"title", F_TEXT, REQ | FACT, 200, NULL},
                                              {"report_ref", F_TEXT, FACT, 100, NULL},
                                              {"started", F_DATE, REQ | PAST, 0, NULL},
                                              {"ended", F_DATE, REQ | PAST, 0, NULL},
                                              {"published", F_DATE, PAST, 0, NULL},
                                              END};
static const field_spec F_IMP_FINDING[] = {ID_NEW("finding_id"),
                                           ID_REF("inspection_id"),
                                           DATE_REQ,
                                           {"theme", F_ID, REQ, 32, NULL},
                                           {"severity", F_ENUM, REQ, 0, FINDING_SEVERITIES},
                                           {"text", F_TEXT, REQ | FACT, 2000, NULL},
                                           END};
static const field_spec F_IMP_NOTICE[] = {ID_NEW("notice_id"),
                                          ID_REF("inspection_id"),
                                          DATE_REQ,
                                          {"kind", F_ENUM, REQ, 0, NOTICE_KINDS},
                                          {"issued_by", F_TEXT, REQ | FACT, 200, NULL},
                                          {"issued", F_DATE, REQ | PAST, 0, NULL},
                                          {"plan_within", F_INT, REQ, 250, NULL},
                                          {"reviews", F_IDS, 0, 12, NULL},
                                          END};
static const field_spec F_IMP_PLAN[] = {ID_NEW("plan_id"),
                                        DATE_REQ,
                                        {"title", F_TEXT, REQ | FACT, 200, NULL},
                                        {"inspection_id", F_ID, NOFIX, 64, NULL},
                                        {"notice_id", F_ID, NOFIX, 64, NULL},
                                        {"owner_id", F_ID, REQ, 64, NULL},
                                        {"due", F_DATE, 0, 0, NULL},
                                        END};
static const field_spec F_IMP_BOARD_ADDED[] = {ID_REF("plan_id"),
                                               DATE_REQ,
                                               {"staff_id", F_ID, REQ, 64, NULL},
                                               {"board_role", F_ENUM, REQ, 0, BOARD_ROLES},
                                               END};
static const field_spec F_IMP_BOARD_REMOVED[] = {ID_REF("plan_id"),
                                                 DATE_REQ,
                                                 {"staff_id", F_ID, REQ, 64, NULL},
                                                 {"reason", F_TEXT, REQ, 1000, NULL},
                                                 END};
static const field_spec F_IMP_PLAN_SUBMITTED[] = {
    ID_REF("plan_id"), DATE_REQ, {"submitted_to", F_TEXT, REQ | FACT, 200, NULL}, END};
static const field_spec F_IMP_RECOMMENDATION[] = {
    ID_NEW("recommendation_id"),
    ID_REF("plan_id"),
    DATE_REQ,
    {"text", F_TEXT, REQ | FACT, 2000, NULL},
    {"findings", F_IDS, 0, 50, NULL},
    {"audit_recommendation_id", F_ID, NOFIX, 64, NULL},
    END};
static const field_spec F_IMP_POINT[] = {ID_NEW("point_id"),
                                         ID_REF("recommendation_id"),
                                         DATE_REQ,
                                         {"text", F_TEXT, REQ | FACT, 1000, NULL},
                                         END};
static const field_spec F_IMP_ACTION[] = {ID_NEW("action_id"),
                                          ID_REF("point_id"),
                                          DATE_REQ,
                                          {"text", F_TEXT, REQ | FACT, 1000, NULL},
                                          {"owner_id", F_ID, REQ, 64, NULL},
                                          {"due", F_DATE, REQ, 0, NULL},
                                          {"depends_on", F_IDS, 0, 20, NULL},
                                          END};
static const field_spec F_IMP_ACTION_CHANGED[] = {ID_REF("action_id"),
                                                  DATE_REQ,
                                                  {"owner_id", F_ID, 0, 64, NULL},
                                                  {"due", F_DATE, 0, 0, NULL},
                                                  {"depends_on", F_IDS, 0, 20, NULL},
                                                  {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                                  END};
static const field_spec F_IMP_ACTION_UPDATED[] = {ID_REF("action_id"),
                                                  DATE_REQ,
                                                  {"note", F_TEXT, REQ, 2000, NULL},
                                                  {"blocked", F_BOOL, 0, 0, NULL},
                                                  END};
static const field_spec F_IMP_EVIDENCE[] = {ID_NEW("evidence_id"),
                                            ID_REF("action_id"),
                                            DATE_REQ,
                                            {"kind", F_ENUM, REQ, 0, EVIDENCE_KINDS},
                                            {"title", F_TEXT, REQ | FACT, 200, NULL},
                                            {"measure_id", F_ID, 0, 64, NULL},
                                            {"target", F_TEXT, FACT, 12, NULL},
                                            {"direction", F_ENUM, 0, 0, TARGET_DIRECTIONS},
                                            {"audit_report_id", F_ID, 0, 64, NULL},
                                            {"sha256", F_TEXT, FACT, 64, NULL},
                                            END};
/* What people write about progress, completion and sign-off may name people: personal, so
 * erasable, and never read by the plan's figures or reports. */
static const field_spec F_IMP_ACTION_COMPLETED[] = {
    ID_REF("action_id"), DATE_REQ, {"note", F_TEXT, REQ, 2000, NULL}, END};
static const field_spec F_IMP_ACTION_SIGNED_OFF[] = {
    ID_REF("action_id"), DATE_REQ, {"comment", F_TEXT, 0, 1000, NULL}, END};
static const field_spec F_IMP_ACTION_RETURNED[] = {
    ID_REF("action_id"), DATE_REQ, {"reason", F_TEXT, REQ, 1000, NULL}, END};
static const field_spec F_IMP_FUNDING[] = {ID_NEW("allocation_id"),
                                           ID_REF("plan_id"),
                                           DATE_REQ,
                                           {"source", F_TEXT, REQ | FACT, 200, NULL},
                                           {"amount_pence", F_INT, REQ, 0, NULL},
                                           {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                           END};
static const field_spec F_IMP_FUNDING_CHANGED[] = {ID_REF("allocation_id"),
                                                   DATE_REQ,
                                                   {"amount_pence", F_INT, REQ, 0, NULL},
                                                   {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                                   END};
static const field_spec F_IMP_COMMITTED[] = {ID_NEW("commitment_id"),
                                             ID_REF("action_id"),
                                             ID_REF("allocation_id"),
                                             DATE_REQ,
                                             {"amount_pence", F_INT, REQ, 0, NULL},
                                             {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                             END};
static const field_spec F_IMP_COMMITMENT_CHANGED[] = {ID_REF("commitment_id"),
                                                      DATE_REQ,
                                                      {"amount_pence", F_INT, REQ, 0, NULL},
                                                      {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                                      END};
static const field_spec F_IMP_SPEND[] = {ID_NEW("spend_id"),
                                         ID_REF("action_id"),
                                         ID_REF("allocation_id"),
                                         DATE_REQ,
                                         {"amount_pence", F_INT, REQ, 0, NULL},
                                         {"reason", F_TEXT, REQ | FACT, 1000, NULL},
                                         {"reference", F_TEXT, FACT, 100, NULL},
                                         END};
static const field_spec F_IMP_SPEND_REVERSED[] = {
    ID_REF("spend_id"), DATE_REQ, {"reason", F_TEXT, REQ | FACT, 1000, NULL}, END};
static const field_spec F_IMP_REPORT[] = {ID_NEW("report_id"),
                                          ID_REF("plan_id"),
                                          DATE_REQ,
                                          {"kind", F_ENUM, REQ | NOFIX, 0, IMPROVE_REPORT_KINDS},
                                          {"as_of", F_DATE, REQ | PAST, 0, NULL},
                                          {"recipients", F_TEXT, REQ | FACT, 400, NULL},
                                          {"content_sha256", F_TEXT, REQ | FACT, 64, NULL},
                                          {"figures", F_OBJECT, REQ | NOFIX, 0, NULL},
                                          {"measures_sha256", F_TEXT, FACT, 64, NULL},
                                          {"log_size", F_INT, REQ, 0, NULL},
                                          END};

/* ---- small helpers ---- */

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static int flag(const json_t *p, const char *k)
{
    return json_is_true(json_object_get(p, k));
}

static int has(const json_t *p, const char *k)
{
    const json_t *v = json_object_get(p, k);
    return v && !json_is_null(v);
}

/* A date field known to be valid (checked by the field table), or fallback. */
static cw_date date_or(const json_t *p, const char *k, cw_date fallback)
{
    const char *s = str(p, k);
    cw_date d;
    if (!s || cw_date_parse(s, strlen(s), &d))
        return fallback;
    return d;
}

static void fmt_date(cw_date d, char out[CW_DATE_LEN + 1])
{
    cw_date_format(d, out);
}

/* ---- lookups ---- */

typedef cw_child_info child_info;
typedef cw_staff_info staff_info;

static cw_rc child_row(void *ctx, const cw_value *c, size_t n)
{
    child_info *ci = ctx;
    char buf[16];
    if (n < 7)
        return CW_EDB;
    ci->found = 1;
    if (cw_value_copy(&c[0], buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), &ci->dob))
        return CW_EDB;
    cw_value_copy(&c[1], ci->status, sizeof ci->status);
    cw_value_copy(&c[2], ci->worker, sizeof ci->worker);
    ci->on_register = cw_value_copy(&c[3], buf, sizeof buf) > 0 &&
                      cw_date_parse(buf, strlen(buf), &ci->cp_since) == CW_OK;
    ci->looked_after = cw_value_copy(&c[4], buf, sizeof buf) > 0 &&
                       cw_date_parse(buf, strlen(buf), &ci->la_since) == CW_OK;
    ci->restricted = c[5].type == CW_V_INT && c[5].i != 0;
    return CW_OK;
}

cw_rc cw_casework_child(cw_store *s, const char *child_id, cw_child_info *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    cw_value p = cw_text(child_id);
    return cw_store_run(s, CW_Q_CHILD_GET, &p, 1, child_row, out, NULL, err);
}

static cw_rc get_child(cw_ctx *c, const char *id, child_info *ci, cw_error *err)
{
    return cw_casework_child(c->store, id, ci, err);
}

static cw_rc need_child(cw_ctx *c, const char *field, const char *id, child_info *ci, cw_error *err)
{
    cw_rc rc = get_child(c, id, ci, err);
    if (rc)
        return rc;
    if (!ci->found)
        return cw_error_key(err, CW_ENOTFOUND, "no_child", field, id, NULL);
    return CW_OK;
}

static cw_rc staff_row(void *ctx, const cw_value *c, size_t n)
{
    staff_info *si = ctx;
    if (n < 5)
        return CW_EDB;
    si->found = 1;
    cw_value_copy(&c[0], si->role, sizeof si->role);
    cw_value_copy(&c[1], si->team, sizeof si->team);
    cw_value_copy(&c[2], si->manager, sizeof si->manager);
    si->left = c[3].type != CW_V_NULL;
    cw_value_copy(&c[4], si->name, sizeof si->name);
    return CW_OK;
}

cw_rc cw_casework_staff(cw_store *s, const char *staff_id, cw_staff_info *out, cw_error *err)
{
    memset(out, 0, sizeof *out);
    cw_value p = cw_text(staff_id);
    return cw_store_run(s, CW_Q_STAFF_GET, &p, 1, staff_row, out, NULL, err);
}

static cw_rc get_staff(cw_ctx *c, const char *id, staff_info *si, cw_error *err)
{
    return cw_casework_staff(c->store, id, si, err);
}

/* A current member of staff (registered, not left). */
static cw_rc need_staff(cw_ctx *c, const char *field, const char *id, staff_info *si, cw_error *err)
{
    cw_rc rc = get_staff(c, id, si, err);
    if (rc)
        return rc;
    if (!si->found)
        return cw_error_key(err, CW_ENOTFOUND, "no_staff", field, id, NULL);
    if (si->left)
        return cw_error_key(err, CW_EINVAL, "staff_left", field, id, NULL);
    return CW_OK;
}

static int is_manager(const char *role)
{
    return !strcmp(role, "team_manager") || !strcmp(role, "service_manager") ||
           !strcmp(role, "head_of_service");
}

typedef struct record_info {
    int found;
    char kind[32];
    char child[65];
    cw_date opened;
    int closed;
    char status[64];
} record_info;

static cw_rc record_row(void *ctx, const cw_value *c, size_t n)
{
    record_info *ri = ctx;
    char buf[16];
    if (n < 5)
        return CW_EDB;
    ri->found = 1;
    cw_value_copy(&c[0], ri->kind, sizeof ri->kind);
    cw_value_copy(&c[1], ri->child, sizeof ri->child);
    if (cw_value_copy(&c[2], buf, sizeof buf) <= 0 || cw_date_parse(buf, strlen(buf), &ri->opened))
        return CW_EDB;
    ri->closed = c[3].type != CW_V_NULL;
    cw_value_copy(&c[4], ri->status, sizeof ri->status);
    return CW_OK;
}

static cw_rc get_record(cw_ctx *c, const char *id, record_info *ri, cw_error *err)
{
    memset(ri, 0, sizeof *ri);
    cw_value p = cw_text(id);
    return cw_store_run(c->store, CW_Q_RECORD_GET, &p, 1, record_row, ri, NULL, err);
}

static cw_rc need_record(cw_ctx *c, const char *field, const char *id, const char *kind,
                         record_info *ri, cw_error *err)
{
    cw_rc rc = get_record(c, id, ri, err);
    if (rc)
        return rc;
    if (!ri->found || strcmp(ri->kind, kind) != 0)
        return cw_error_key(err, CW_ENOTFOUND, "no_record", field,
                            !strcmp(kind, "section_47") ? "section 47 enquiry" : kind, id);
    return CW_OK;
}

static cw_rc new_record(cw_ctx *c, const char *field, const char *id, cw_error *err)
{
    record_info ri;
    cw_rc rc = get_record(c, id, &ri, err);
    if (!rc && ri.found)
        rc = cw_error_key(err, CW_EEXIST, "exists", field, id, NULL);
    return rc;
}

/* what: the message key that says what d may not come before (before_birth, ...). */
static cw_rc not_before(const char *field, cw_date d, cw_date limit, const char *what,
                        cw_error *err)
{
    if (d < limit) {
        char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
        fmt_date(d, a);
        fmt_date(limit, b);
        return cw_error_key(err, CW_EINVAL, what, field, a, b);
    }
    return CW_OK;
}

/* The common case: an event about a registered child, dated on or after birth. */
static cw_rc child_event(cw_ctx *c, const json_t *p, child_info *ci, cw_error *err)
{
    cw_rc rc = need_child(c, "child_id", str(p, "child_id"), ci, err);
    if (!rc && has(p, "date"))
        rc = not_before("date", date_or(p, "date", 0), ci->dob, "before_birth", err);
    return rc;
}

static int blank(const char *s);

/* A text field that is present and not blank: true stands for a text kept apart from the log,
 * or erased since (docs/privacy.md), in an entry read back for a correction's checks. */
static int has_text(const json_t *p, const char *k)
{
    const char *s = str(p, k);
    return (s && !blank(s)) || json_is_true(json_object_get(p, k));
}

static cw_rc views_or_reason(const json_t *p, cw_error *err)
{
    if (!has_text(p, "views") && !has_text(p, "views_not_obtained_reason"))
        return cw_error_key(err, CW_EINVAL, "views_required", "views", NULL, NULL);
    return CW_OK;
}

/* ---- rules between the fields of one event (also checked on correction) ---- */

static cw_rc visit_rules(const json_t *p, cw_error *err)
{
    if (flag(p, "seen_alone") && !flag(p, "seen"))
        return cw_error_key(err, CW_EINVAL, "seen_alone_not_seen", "seen_alone", NULL, NULL);
    if (flag(p, "seen_alone") && has_text(p, "not_seen_alone_reason"))
        return cw_error_key(err, CW_EINVAL, "reason_but_alone", "not_seen_alone_reason", NULL,
                            NULL);
    const char *where = str(p, "location");
    if (flag(p, "bedroom_seen") && (!where || strcmp(where, "home")))
        return cw_error_key(err, CW_EINVAL, "bedroom_not_home", "bedroom_seen", NULL, NULL);
    return views_or_reason(p, err);
}

/* child_seen_date: required when seen, not before birth, not after completion. */
static cw_rc seen_rules(const json_t *p, cw_date dob, cw_error *err)
{
    cw_rc rc = CW_OK;
    if (flag(p, "child_seen")) {
        if (!has(p, "child_seen_date"))
            rc = cw_error_key(err, CW_EINVAL, "seen_date_required", "child_seen_date", NULL, NULL);
        else if (!(rc = not_before("child_seen_date", date_or(p, "child_seen_date", 0), dob,
                                   "before_birth", err)) &&
                 date_or(p, "child_seen_date", 0) > date_or(p, "date", 0))
            rc = cw_error_key(err, CW_EINVAL, "seen_after_completed", "child_seen_date",
                              str(p, "child_seen_date"), NULL);
    }
    return rc ? rc : views_or_reason(p, err);
}

static cw_rc override_rules(const json_t *p, cw_error *err)
{
    if (has(p, "override_band") && !has(p, "override_reason"))
        return cw_error_key(err, CW_EINVAL, "override_needs_reason", "override_reason", NULL, NULL);
    if (!has(p, "override_band") && has(p, "override_reason"))
        return cw_error_key(err, CW_EINVAL, "override_reason_alone", "override_reason", NULL, NULL);
    return CW_OK;
}

static cw_rc category_rules(const json_t *p, cw_error *err)
{
    int reg = !strcmp(str(p, "decision"), "register");
    if (reg && !has(p, "category"))
        return cw_error_key(err, CW_EINVAL, "category_required", "category", NULL, NULL);
    /* a review that continues the plan may give the category it now finds (the CIN census's
     * latest category of abuse) */
    if (!reg && has(p, "category") && strcmp(str(p, "decision"), "continue") != 0)
        return cw_error_key(err, CW_EINVAL, "category_only_register", "category", NULL, NULL);
    return CW_OK;
}

/* signed_off_by: a current manager, and not the person whose work it is. */
static cw_rc signoff_rules(cw_ctx *c, const char *by, const char *recorded_by, cw_error *err)
{
    staff_info si;
    if (!strcmp(by, c->actor) || (recorded_by && !strcmp(by, recorded_by)))
        return cw_error_key(err, CW_EINVAL, "own_signoff", "signed_off_by", by, NULL);
    cw_rc rc = need_staff(c, "signed_off_by", by, &si, err);
    if (!rc && !is_manager(si.role))
        rc = cw_error_key(err, CW_EINVAL, "signoff_needs_manager", "signed_off_by", by, si.role);
    return rc;
}

/* ---- state checks, one per event type ---- */

static cw_rc team_exists(cw_ctx *c, const char *id, int *found, cw_error *err)
{
    cw_value k = cw_text(id);
    return cw_store_exists(c->store, CW_Q_TEAM_GET, &k, 1, found, err);
}

static cw_rc ck_team(cw_ctx *c, const json_t *p, cw_error *err)
{
    int found;
    cw_rc rc = team_exists(c, str(p, "team_id"), &found, err);
    if (!rc && found)
        rc = cw_error_key(err, CW_EEXIST, "exists", "team_id", str(p, "team_id"), NULL);
    return rc;
}

/* Would making manager the manager of staff create a loop in the chain? */
static cw_rc check_chain(cw_ctx *c, const char *staff, const char *manager, cw_error *err)
{
    char cur[65];
    snprintf(cur, sizeof cur, "%s", manager);
    for (int depth = 0; depth < 64 && cur[0]; depth++) {
        if (!strcmp(cur, staff))
            return cw_error_set(err, CW_EINVAL,
                                "manager_id: %s would manage themselves through the chain", staff);
        staff_info si;
        cw_rc rc = get_staff(c, cur, &si, err);
        if (rc)
            return rc;
        if (!si.found)
            break;
        memcpy(cur, si.manager, sizeof cur);
    }
    return CW_OK;
}

static cw_rc ck_staff_added(cw_ctx *c, const json_t *p, cw_error *err)
{
    staff_info si;
    int found;
    cw_rc rc = get_staff(c, str(p, "staff_id"), &si, err);
    if (!rc && si.found)
        rc = cw_error_key(err, CW_EEXIST, "exists", "staff_id", str(p, "staff_id"), NULL);
    if (!rc && has(p, "team_id") && !(rc = team_exists(c, str(p, "team_id"), &found, err)) &&
        !found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_team", "team_id", str(p, "team_id"), NULL);
    if (!rc && has(p, "manager_id"))
        rc = need_staff(c, "manager_id", str(p, "manager_id"), &si, err);
    return rc;
}

static cw_rc ck_staff_changed(cw_ctx *c, const json_t *p, cw_error *err)
{
    staff_info si, mi;
    int found;
    const char *id = str(p, "staff_id");
    cw_rc rc = get_staff(c, id, &si, err);
    if (!rc && !si.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_staff", "staff_id", id, NULL);
    if (!rc && !has(p, "role") && !has(p, "team_id") && !has(p, "manager_id"))
        rc = cw_error_set(err, CW_EINVAL,
                          "staff_changed: give at least one of role, team_id, "
                          "manager_id");
    if (!rc && has(p, "team_id") && !(rc = team_exists(c, str(p, "team_id"), &found, err)) &&
        !found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_team", "team_id", str(p, "team_id"), NULL);
    if (!rc && has(p, "manager_id") &&
        !(rc = need_staff(c, "manager_id", str(p, "manager_id"), &mi, err)))
        rc = check_chain(c, id, str(p, "manager_id"), err);
    if (!rc && has(p, "proposal_id"))
        rc = cw_casework_check_access_applied(c, "staff_changed", p, err);
    return rc;
}

static cw_rc ck_staff_left(cw_ctx *c, const json_t *p, cw_error *err)
{
    staff_info si;
    return need_staff(c, "staff_id", str(p, "staff_id"), &si, err);
}

static cw_rc ck_child_registered(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    staff_info si;
    cw_rc rc = get_child(c, str(p, "child_id"), &ci, err);
    if (!rc && ci.found)
        rc = cw_error_key(err, CW_EEXIST, "child_registered", "child_id", str(p, "child_id"), NULL);
    cw_date dob = date_or(p, "date_of_birth", 0);
    if (!rc && dob > c->recorded + 280) {
        char a[CW_DATE_LEN + 1];
        fmt_date(dob, a);
        rc = cw_error_key(err, CW_EINVAL, "dob_future", "date_of_birth", a, NULL);
    }
    const json_t *list = json_object_get(p, "restricted_to");
    for (size_t i = 0; !rc && i < json_array_size(list); i++)
        rc = need_staff(c, "restricted_to", json_string_value(json_array_get(list, i)), &si, err);
    return rc;
}

/* The record an event names (field, of kind): it exists, is still open unless already is NULL
 * (already is the message key that says what it is if not), and the event is not dated before it
 * opened (what it is then). */
static cw_rc open_record(cw_ctx *c, const json_t *p, const char *field, const char *kind,
                         const char *already, const char *what, record_info *ri, cw_error *err)
{
    cw_rc rc = need_record(c, field, str(p, field), kind, ri, err);
    if (!rc && already && ri->closed)
        rc = cw_error_key(err, CW_EINVAL, already, field, str(p, field), NULL);
    if (!rc)
        rc = not_before("date", date_or(p, "date", 0), ri->opened, what, err);
    return rc;
}

static cw_rc ck_contact_decided(cw_ctx *c, const json_t *p, cw_error *err)
{
    record_info ri;
    return open_record(c, p, "contact_id", "contact", "already_decided", "before_contact", &ri,
                       err);
}

static cw_rc ck_referral_decided(cw_ctx *c, const json_t *p, cw_error *err)
{
    record_info ri;
    staff_info si;
    cw_rc rc = open_record(c, p, "referral_id", "referral", "already_decided", "before_referral",
                           &ri, err);
    if (!rc && has(p, "decided_by"))
        rc = need_staff(c, "decided_by", str(p, "decided_by"), &si, err);
    return rc;
}

/*
 * An optional link to the record this one follows from (a referral, a
 * strategy discussion): it must exist, be about the same child, and come
 * no later than this event.
 */
static cw_rc check_parent(cw_ctx *c, const json_t *p, const char *field, const char *kind,
                          const char *what, cw_error *err)
{
    record_info ri;
    if (!has(p, field))
        return CW_OK;
    cw_rc rc = need_record(c, field, str(p, field), kind, &ri, err);
    if (!rc && strcmp(ri.child, str(p, "child_id")) != 0)
        rc = cw_error_key(err, CW_EINVAL, "other_child", field, str(p, field), NULL);
    if (!rc)
        rc = not_before("date", date_or(p, "date", 0), ri.opened, what, err);
    return rc;
}

static cw_rc ck_assessment_started(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    return rc ? rc : check_parent(c, p, "referral_id", "referral", "before_referral", err);
}

static cw_rc factor_rules(const json_t *p, cw_error *err);

static cw_rc ck_assessment_completed(cw_ctx *c, const json_t *p, cw_error *err)
{
    record_info ri;
    child_info ci;
    cw_rc rc = open_record(c, p, "assessment_id", "assessment", "already_completed",
                           "before_assessment", &ri, err);
    if (!rc)
        rc = need_child(c, "assessment_id", ri.child, &ci, err);
    if (!rc)
        rc = seen_rules(p, ci.dob, err);
    if (!rc)
        rc = factor_rules(p, err);
    /* A sign-off named in the entry itself: history migrated from an older system (the API
     * refuses it; a manager signs off with work_signed_off). */
    if (!rc && has(p, "signed_off_by"))
        rc = signoff_rules(c, str(p, "signed_off_by"), NULL, err);
    return rc;
}

static cw_rc ck_s47_started(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    return rc ? rc
              : check_parent(c, p, "strategy_id", "strategy_discussion", "before_strategy", err);
}

static cw_rc ck_s47_completed(cw_ctx *c, const json_t *p, cw_error *err)
{
    record_info ri;
    return open_record(c, p, "enquiry_id", "section_47", "already_completed", "before_enquiry", &ri,
                       err);
}

static cw_rc ck_conference(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    const char *kind = str(p, "kind"), *decision = str(p, "decision");
    cw_rc rc = child_event(c, p, &ci, err);
    if (rc)
        return rc;
    if (!strcmp(decision, "register") && ci.on_register)
        return cw_error_key(err, CW_EINVAL, "on_register", "decision", str(p, "child_id"), NULL);
    if ((rc = category_rules(p, err)))
        return rc;
    if ((!strcmp(kind, "review") || !strcmp(decision, "continue") ||
         !strcmp(decision, "deregister")) &&
        !ci.on_register)
        return cw_error_key(err, CW_EINVAL, "not_on_register",
                            !strcmp(kind, "review") ? "kind" : "decision", str(p, "child_id"),
                            NULL);
    if (!strcmp(kind, "review") && !strcmp(decision, "not_registered"))
        return cw_error_key(err, CW_EINVAL, "review_continues", "decision", NULL, NULL);
    return CW_OK;
}

static cw_rc ck_core_group(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && !ci.on_register)
        rc = cw_error_key(err, CW_EINVAL, "not_on_register", "child_id", str(p, "child_id"), NULL);
    return rc;
}

static cw_rc ck_child_only(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    return child_event(c, p, &ci, err);
}

static cw_rc ck_placement_903(const json_t *p, cw_error *err);

static cw_rc ck_la_started(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && ci.looked_after)
        rc = cw_error_key(err, CW_EINVAL, "already_looked_after", "child_id", str(p, "child_id"),
                          NULL);
    return rc ? rc : ck_placement_903(p, err);
}

static cw_rc ck_la_current(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && !ci.looked_after)
        rc = cw_error_key(err, CW_EINVAL, "not_looked_after", "child_id", str(p, "child_id"), NULL);
    if (!rc)
        rc = not_before("date", date_or(p, "date", 0), ci.la_since, "before_looked_after", err);
    return rc;
}

/* The SSDA903's reason care ended (reason_detail) says more than reason, and must agree with it:
 * adopted (E11, E12), returned home (E4A, E4B, E13), a special guardianship order (E45-E48); the
 * rest are for age_18 or other. */
static cw_rc la_end_rules(const json_t *p, cw_error *err)
{
    cw_rc rc = CW_OK;
    const char *d = str(p, "reason_detail"), *r = str(p, "reason");
    if (!d || !r)
        return rc;
    const char *want = "other";
    if (!strcmp(d, "E11") || !strcmp(d, "E12"))
        want = "adoption";
    else if (!strcmp(d, "E4A") || !strcmp(d, "E4B") || !strcmp(d, "E13"))
        want = "returned_home";
    else if (!strcmp(d, "E45") || !strcmp(d, "E46") || !strcmp(d, "E47") || !strcmp(d, "E48"))
        want = "special_guardianship";
    if (strcmp(want, r) && !(!strcmp(want, "other") && !strcmp(r, "age_18")))
        rc = cw_error_key(err, CW_EINVAL, "detail_not_reason", "reason_detail", d, r);
    return rc;
}

static cw_rc ck_la_ended(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_rc rc = ck_la_current(c, p, err);
    return rc ? rc : la_end_rules(p, err);
}

/* A placement's setting (PLACE) is for the types it decides: residential and other. */
/* A UK postcode's shape: an outward code (a letter, then letters and digits, 2-4 in all), a
 * space, an inward code (a digit and two letters): "CF10 1EP". Whether it exists is the ONS's
 * to say (the returns' validators look it up). */
static int postcode_shaped(const char *s)
{
    size_t n = strlen(s), sp = strcspn(s, " ");
    if (sp < 2 || sp > 4 || n != sp + 4 || !isupper((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[sp + 1]) || !isupper((unsigned char)s[sp + 2]) ||
        !isupper((unsigned char)s[sp + 3]))
        return 0;
    for (size_t i = 1; i < sp; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static cw_rc postcode_rules(const json_t *p, cw_error *err)
{
    static const char *const fields[] = {"placement_postcode", "home_postcode", NULL};
    for (const char *const *f = fields; *f; f++) {
        const char *v = str(p, *f);
        if (v && !postcode_shaped(v))
            return cw_error_key(err, CW_EINVAL, "not_postcode", *f, NULL, NULL);
    }
    return CW_OK;
}

/* An SDQ score with an SDQ; one adopter or two, as the adopters' sexes say. */
static cw_rc health_rules(const json_t *p, cw_error *err)
{
    const char *k = str(p, "kind");
    if (has(p, "sdq_score") && k && strcmp(k, "sdq") != 0)
        return cw_error_key(err, CW_EINVAL, "sdq_score_only", "sdq_score", NULL, NULL);
    return CW_OK;
}

static cw_rc adopter_rules(const json_t *p, cw_error *err)
{
    json_int_t n = json_integer_value(json_object_get(p, "adopters"));
    const char *sx = str(p, "adopter_sex");
    if (has(p, "adopters") && (n < 1 || (sx && (size_t)n != (sx[1] == '1' ? 1u : 2u))))
        return cw_error_key(err, CW_EINVAL, "adopters_sexes", "adopters", NULL, NULL);
    return CW_OK;
}

/* PN0 (a child under 4 at the review) only for a child under 4 (SSDA903 rule 440). */
static cw_rc review_rules(const json_t *p, cw_date dob, cw_error *err)
{
    const char *pn = str(p, "participation");
    cw_date d = date_or(p, "date", 0);
    if (pn && !strcmp(pn, "PN0") && d >= cw_date_add_months(dob, 48))
        return cw_error_key(err, CW_EINVAL, "pn0_under_4", "participation", NULL, NULL);
    return CW_OK;
}

static cw_rc ck_health(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_rc rc = ck_child_only(c, p, err);
    return rc ? rc : health_rules(p, err);
}

static cw_rc ck_adopters(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_rc rc = ck_child_only(c, p, err);
    return rc ? rc : adopter_rules(p, err);
}

static cw_rc ck_la_review(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = ck_la_current(c, p, err);
    if (!rc)
        rc = need_child(c, "child_id", str(p, "child_id"), &ci, err);
    return rc ? rc : review_rules(p, ci.dob, err);
}

static cw_rc ck_placement_903(const json_t *p, cw_error *err)
{
    cw_rc prc = postcode_rules(p, err);
    if (prc)
        return prc;
    const char *t = str(p, "placement_type");
    if (has(p, "setting") && t && strcmp(t, "residential") && strcmp(t, "other"))
        return cw_error_key(err, CW_EINVAL, "setting_not_type", "setting", t, NULL);
    if (has(p, "fostering_for_adoption") && t && strcmp(t, "foster") && strcmp(t, "kinship"))
        return cw_error_key(err, CW_EINVAL, "setting_not_type", "fostering_for_adoption", t, NULL);
    return CW_OK;
}

static cw_rc ck_placement_changed(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_rc rc = ck_la_current(c, p, err);
    return rc ? rc : ck_placement_903(p, err);
}

static cw_rc ck_visit(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    return rc ? rc : visit_rules(p, err);
}

static cw_rc ck_cse(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    return rc ? rc : override_rules(p, err);
}

static cw_rc ck_missing(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && has(p, "returned"))
        rc = not_before("returned", date_or(p, "returned", 0), date_or(p, "date", 0),
                        "before_missing", err);
    return rc;
}

static cw_rc ck_return_interview(cw_ctx *c, const json_t *p, cw_error *err)
{
    record_info ri; /* the episode may be over: the interview follows the return */
    return open_record(c, p, "episode_id", "missing_episode", NULL, "before_missing", &ri, err);
}

/* A needs assessment records the young person's views, or why they could not be obtained
 * (CPPCR (Wales) 2015 reg 49, CPPCR (England) 2010 reg 42(2)(g): their wishes and feelings). */
static cw_rc ck_needs_assessment(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    return rc ? rc : views_or_reason(p, err);
}

static cw_rc ck_supervision(cw_ctx *c, const json_t *p, cw_error *err)
{
    staff_info si;
    child_info ci;
    cw_rc rc = need_staff(c, "supervisee_id", str(p, "supervisee_id"), &si, err);
    if (!rc)
        rc = need_staff(c, "supervisor_id", str(p, "supervisor_id"), &si, err);
    if (!rc && !strcmp(str(p, "supervisee_id"), str(p, "supervisor_id")))
        rc = cw_error_key(err, CW_EINVAL, "supervise_self", "supervisor_id",
                          str(p, "supervisor_id"), NULL);
    const json_t *list = json_object_get(p, "cases_discussed");
    for (size_t i = 0; !rc && i < json_array_size(list); i++)
        rc = need_child(c, "cases_discussed", json_string_value(json_array_get(list, i)), &ci, err);
    return rc;
}

static cw_rc ck_allocated(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    staff_info si;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && ci.worker[0])
        rc = cw_error_key(err, CW_EINVAL, "already_allocated", "child_id", str(p, "child_id"),
                          ci.worker);
    if (!rc)
        rc = need_staff(c, "worker_id", str(p, "worker_id"), &si, err);
    return rc;
}

static cw_rc ck_transferred(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    staff_info si;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && !ci.worker[0])
        rc = cw_error_key(err, CW_EINVAL, "not_allocated", "child_id", str(p, "child_id"), NULL);
    if (!rc && !strcmp(ci.worker, str(p, "worker_id")))
        rc = cw_error_key(err, CW_EINVAL, "holds_case", "worker_id", str(p, "worker_id"), NULL);
    if (!rc)
        rc = need_staff(c, "worker_id", str(p, "worker_id"), &si, err);
    return rc;
}

static cw_rc ck_closed(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && !strcmp(ci.status, "closed"))
        rc = cw_error_key(err, CW_EINVAL, "case_closed", "child_id", str(p, "child_id"), NULL);
    return rc;
}

/* NONE alone among disabilities; a UPN and a reason there is none, never both; each UPN in its
 * form, with its check letter (a text kept apart from the log reads as true: not checked). */
static cw_rc details_rules(const json_t *p, cw_error *err)
{
    const json_t *dis = json_object_get(p, "disabilities");
    for (size_t i = 0; json_array_size(dis) > 1 && i < json_array_size(dis); i++)
        if (!strcmp(json_string_value(json_array_get(dis, i)), "NONE"))
            return cw_error_key(err, CW_EINVAL, "disability_none_and", "disabilities", NULL, NULL);
    if (has_text(p, "upn") && has(p, "upn_unknown"))
        return cw_error_key(err, CW_EINVAL, "upn_and_unknown", "upn_unknown", NULL, NULL);
    static const char *const upns[] = {"upn", "former_upn"};
    for (size_t i = 0; i < 2; i++) {
        const char *u = str(p, upns[i]);
        if (u && !cw_upn_valid(u))
            return cw_error_key(err, CW_EINVAL, "upn_invalid", upns[i], NULL, NULL);
    }
    return CW_OK;
}

/* "21" (no factors identified) alone among an assessment's factors (CIN census rule 8869). */
static cw_rc factor_rules(const json_t *p, cw_error *err)
{
    const json_t *f = json_object_get(p, "factors");
    for (size_t i = 0; json_array_size(f) > 1 && i < json_array_size(f); i++)
        if (!strcmp(json_string_value(json_array_get(f, i)), "21"))
            return cw_error_key(err, CW_EINVAL, "factor_21_and", "factors", NULL, NULL);
    return CW_OK;
}

/* At least one detail, their rules, and a death not before birth. */
static cw_rc ck_child_details(cw_ctx *c, const json_t *p, cw_error *err)
{
    static const char *const details[] = {"ethnicity_code", "disabilities",   "upn",
                                          "former_upn",     "upn_unknown",    "date_of_death",
                                          "uasc",           "own_child_born", NULL};
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    int any = 0;
    for (const char *const *d = details; *d; d++)
        any |= json_object_get(p, *d) != NULL;
    if (!rc && !any)
        rc = cw_error_key(err, CW_EINVAL, "details_none", "ethnicity_code", NULL, NULL);
    if (!rc)
        rc = details_rules(p, err);
    if (!rc && has(p, "date_of_death"))
        rc = not_before("date_of_death", date_or(p, "date_of_death", 0), ci.dob, "before_birth",
                        err);
    return rc;
}

static cw_rc ck_reopened(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && strcmp(ci.status, "closed") != 0)
        rc = cw_error_key(err, CW_EINVAL, "case_not_closed", "child_id", str(p, "child_id"), NULL);
    return rc;
}

static cw_rc account_exists(cw_ctx *c, const char *username, int *found, cw_error *err)
{
    cw_value k = cw_text(username);
    return cw_store_exists(c->store, CW_Q_ACCOUNT_GET, &k, 1, found, err);
}

static cw_rc ck_account_created(cw_ctx *c, const json_t *p, cw_error *err)
{
    int found;
    staff_info si;
    cw_rc rc = account_exists(c, str(p, "username"), &found, err);
    if (!rc && found)
        rc = cw_error_set(err, CW_EEXIST, "username: %s already exists", str(p, "username"));
    if (!rc && has(p, "staff_id") == has(p, "role"))
        rc = cw_error_set(
            err, CW_EINVAL,
            "staff_id: give either staff_id (a member of staff, whose role is their "
            "staff role) or role (administrator, qa_auditor, inspector, data_team), not both");
    if (!rc && has(p, "staff_id"))
        rc = need_staff(c, "staff_id", str(p, "staff_id"), &si, err);
    if (!rc && has(p, "expires_on") && !has(p, "role"))
        rc = cw_error_set(err, CW_EINVAL, "expires_on: only accounts that are not staff expire");
    return rc;
}

static cw_rc ck_account_ref(cw_ctx *c, const json_t *p, cw_error *err)
{
    int found;
    cw_rc rc = account_exists(c, str(p, "username"), &found, err);
    if (!rc && !found)
        rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s", str(p, "username"));
    return rc;
}

/* An inspector's account enabled is an access change of its own (the two-person rule,
 * access_change.c): only as the change an approved proposal applies. */
static cw_rc ck_account_changed(cw_ctx *c, const json_t *p, cw_error *err)
{
    int widens = 0;
    cw_rc rc = ck_account_ref(c, p, err);
    if (!rc && has(p, "proposal_id"))
        return cw_casework_check_access_applied(c, "account_changed", p, err);
    if (!rc)
        rc = cw_casework_access_widens(c->store, "account_changed", p, &widens, err);
    if (!rc && widens)
        rc = cw_error_key(err, CW_EFORBIDDEN, "account_needs_second", "disabled",
                          str(p, "username"), NULL);
    return rc;
}

static cw_rc token_row(void *ctx, const cw_value *c, size_t n)
{
    int *state = ctx; /* 1 live, 2 revoked */
    *state = n >= 3 && c[2].type == CW_V_INT && c[2].i ? 2 : 1;
    return CW_OK;
}

static cw_rc token_state(cw_ctx *c, const char *name, int *state, cw_error *err)
{
    cw_value k = cw_text(name);
    *state = 0;
    return cw_store_run(c->store, CW_Q_TOKEN_GET, &k, 1, token_row, state, NULL, err);
}

static cw_rc ck_token_created(cw_ctx *c, const json_t *p, cw_error *err)
{
    int state, found;
    cw_rc rc = token_state(c, str(p, "name"), &state, err);
    if (!rc && state)
        rc = cw_error_set(err, CW_EEXIST, "name: a token named %s already exists", str(p, "name"));
    if (!rc && !(rc = account_exists(c, str(p, "username"), &found, err)) && !found)
        rc = cw_error_set(err, CW_ENOTFOUND, "username: no account %s", str(p, "username"));
    return rc;
}

static cw_rc ck_token_revoked(cw_ctx *c, const json_t *p, cw_error *err)
{
    int state;
    cw_rc rc = token_state(c, str(p, "name"), &state, err);
    if (!rc && state != 1)
        rc = cw_error_set(err, CW_ENOTFOUND, "name: no live token %s", str(p, "name"));
    return rc;
}

static cw_rc ck_record_accessed(cw_ctx *c, const json_t *p, cw_error *err)
{
    (void)c;
    json_int_t st = json_integer_value(json_object_get(p, "status"));
    if (st < 100)
        return cw_error_set(err, CW_EINVAL, "status: must be an HTTP status, 100 to 599");
    return CW_OK;
}

static cw_rc ck_sign_in_spray(cw_ctx *c, const json_t *p, cw_error *err)
{
    static const char *const times[] = {"window_start", "window_end"};
    int64_t ms[2];
    if (strcmp(c->actor, "system:sign_in") != 0)
        return cw_error_set(err, CW_EINVAL,
                            "actor: %s may not record sign_in_spray_detected; only caseward's "
                            "server (system:sign_in) does",
                            cw_entry_check_actor(c->actor, NULL) ? "?" : c->actor);
    for (int i = 0; i < 2; i++)
        if (cw_time_parse_ms(str(p, times[i]), strlen(str(p, times[i])), &ms[i]))
            return cw_error_set(err, CW_EINVAL, "%s: %.30s is not a time (RFC 3339, UTC)", times[i],
                                str(p, times[i]));
    if (ms[1] < ms[0])
        return cw_error_set(err, CW_EINVAL, "window_end: is before window_start");
    return CW_OK;
}

static cw_rc ck_escalation(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    staff_info si;
    if (strcmp(c->actor, "system:escalation") != 0)
        return cw_error_set(err, CW_EINVAL,
                            "actor: %s may not record escalation_raised; only caseward itself "
                            "(system:escalation) does",
                            cw_entry_check_actor(c->actor, NULL) ? "?" : c->actor);
    if (json_integer_value(json_object_get(p, "level")) < 1)
        return cw_error_set(err, CW_EINVAL, "level: must be from 1 to 10");
    cw_rc rc = str(p, "child_id") ? need_child(c, "child_id", str(p, "child_id"), &ci, err) : CW_OK;
    if (!rc)
        rc = get_staff(c, str(p, "notified_id"), &si, err);
    if (!rc && !si.found)
        rc = cw_error_set(err, CW_ENOTFOUND, "notified_id: no member of staff %s",
                          str(p, "notified_id"));
    return rc;
}

/*
 * The rules a corrected event must still obey (docs/events.md: a correction
 * is refused if it would make the corrected event invalid). The field table
 * is checked by the caller. Rules about the state the event found (a new
 * identifier, an undecided referral, a child on the register) held when it
 * was recorded and are not re-run, as later entries have changed that state.
 * What is re-run: its dates against the child's birth and against the record
 * it belongs to, the rules between its fields, and the people a correction
 * names: above all sign-off, so that no one approves their own work by
 * correcting the signatory.
 */
cw_rc cw_casework_check_corrected(cw_ctx *c, const char *type, const json_t *p,
                                  const json_t *changes, const char *recorded_by, cw_error *err)
{
    static const struct {
        const char *type, *field, *kind, *what;
    } parents[] = {
        {"contact_decided", "contact_id", "contact", "before_contact"},
        {"referral_decided", "referral_id", "referral", "before_referral"},
        {"assessment_started", "referral_id", "referral", "before_referral"},
        {"assessment_completed", "assessment_id", "assessment", "before_assessment"},
        {"section_47_started", "strategy_id", "strategy_discussion", "before_strategy"},
        {"section_47_completed", "enquiry_id", "section_47", "before_enquiry"},
        {"return_interview", "episode_id", "missing_episode", "before_missing"},
    };
    const event_spec *spec = cw_casework_spec(type);
    record_info ri;
    child_info ci;
    staff_info si;
    cw_rc rc = CW_OK;
    const char *child = str(p, "child_id");
    memset(&ri, 0, sizeof ri);
    memset(&ci, 0, sizeof ci);
    for (size_t i = 0; !rc && i < sizeof parents / sizeof parents[0]; i++) {
        if (strcmp(type, parents[i].type) != 0 || !has(p, parents[i].field))
            continue;
        rc = need_record(c, parents[i].field, str(p, parents[i].field), parents[i].kind, &ri, err);
        if (!rc)
            rc = not_before("date", date_or(p, "date", 0), ri.opened, parents[i].what, err);
        if (!rc && !child)
            child = ri.child;
    }
    /* every date of the event on or after the child's birth */
    if (!rc && spec && child && strcmp(type, "child_registered") != 0 &&
        !(rc = need_child(c, "child_id", child, &ci, err)))
        for (const field_spec *f = spec->fields; !rc && f->name; f++)
            if (f->type == F_DATE && has(p, f->name))
                rc = not_before(f->name, date_or(p, f->name, 0), ci.dob, "before_birth", err);
    if (rc)
        return rc;
    if (!strcmp(type, "statutory_visit"))
        rc = visit_rules(p, err);
    else if (!strcmp(type, "assessment_completed") && !(rc = seen_rules(p, ci.dob, err)))
        rc = factor_rules(p, err);
    else if (!strcmp(type, "child_details_recorded"))
        rc = details_rules(p, err);
    else if (!strcmp(type, "looked_after_ended"))
        rc = la_end_rules(p, err);
    else if (!strcmp(type, "looked_after_started") || !strcmp(type, "placement_changed"))
        rc = ck_placement_903(p, err);
    else if (!strcmp(type, "health_check_recorded"))
        rc = health_rules(p, err);
    else if (!strcmp(type, "adopters_matched"))
        rc = adopter_rules(p, err);
    else if (!strcmp(type, "looked_after_review_held"))
        rc = review_rules(p, ci.dob, err);
    else if (!strcmp(type, "cse_risk_assessment"))
        rc = override_rules(p, err);
    else if (!strcmp(type, "conference_held"))
        rc = category_rules(p, err);
    else if (!strcmp(type, "missing_episode") && has(p, "returned"))
        rc = not_before("returned", date_or(p, "returned", 0), date_or(p, "date", 0),
                        "before_missing", err);
    /* the people a correction names */
    static const char *const people[] = {"decided_by", "worker_id", NULL};
    for (const char *const *k = people; !rc && *k; k++)
        if (json_object_get(changes, *k) && has(p, *k))
            rc = need_staff(c, *k, str(p, *k), &si, err);
    const json_t *list = json_object_get(changes, "restricted_to");
    for (size_t i = 0; !rc && i < json_array_size(list); i++)
        rc = need_staff(c, "restricted_to", json_string_value(json_array_get(list, i)), &si, err);
    if (!rc && json_object_get(changes, "signed_off_by"))
        rc = signoff_rules(c, str(p, "signed_off_by"), recorded_by, err);
    return rc;
}

/* The kinds of work that need sign-off: each one known, none twice (the field table). */
static cw_rc ck_policy(cw_ctx *c, const json_t *p, cw_error *err)
{
    (void)c;
    const json_t *list = json_object_get(p, "sign_off");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *k = json_string_value(json_array_get(list, i));
        if (!cw_sign_off_kind_known(k))
            return cw_error_set(err, CW_EINVAL,
                                "sign_off: %s is not work that can need sign-off (%s)", k,
                                CW_SIGN_OFF_KINDS_TEXT);
    }
    return CW_OK;
}

/* A manager names who signs off in their place (leave, say), until a day: another current
 * manager (who must also have the case in their scope to act on it). An until in the past
 * ends it. */
static cw_rc ck_deputy(cw_ctx *c, const json_t *p, cw_error *err)
{
    staff_info m, d;
    cw_rc rc = need_staff(c, "manager_id", str(p, "manager_id"), &m, err);
    if (!rc && !is_manager(m.role))
        rc = cw_error_key(err, CW_EINVAL, "not_a_manager", "manager_id", str(p, "manager_id"),
                          m.role);
    if (!rc)
        rc = need_staff(c, "deputy_id", str(p, "deputy_id"), &d, err);
    if (!rc && !strcmp(str(p, "manager_id"), str(p, "deputy_id")))
        rc = cw_error_key(err, CW_EINVAL, "deputise_self", "deputy_id", NULL, NULL);
    if (!rc && !is_manager(d.role))
        rc = cw_error_key(err, CW_EINVAL, "deputy_not_manager", "deputy_id", str(p, "deputy_id"),
                          d.role);
    return rc;
}

/* The latest entry that set a child's restriction: its registration or a restriction_changed. */
typedef struct restriction_version {
    uint64_t idx;
} restriction_version;

static cw_rc restriction_row(void *ctx, const cw_value *c, size_t n)
{
    restriction_version *rv = ctx;
    if (n >= 3 && c[0].type == CW_V_INT && c[2].type == CW_V_TEXT &&
        ((c[2].len == 16 && !memcmp(c[2].s, "child_registered", 16)) ||
         (c[2].len == 19 && !memcmp(c[2].s, "restriction_changed", 19))) &&
        (uint64_t)c[0].i > rv->idx)
        rv->idx = (uint64_t)c[0].i;
    return CW_OK;
}

/* Only a service manager or head of service sets or lifts a restriction, with a reason. */
static cw_rc ck_restriction(cw_ctx *c, const json_t *p, cw_error *err)
{
    child_info ci;
    staff_info si;
    cw_rc rc = child_event(c, p, &ci, err);
    if (!rc && (rc = get_staff(c, c->actor, &si, err)) == CW_OK &&
        (!si.found ||
         (strcmp(si.role, "service_manager") != 0 && strcmp(si.role, "head_of_service") != 0)))
        rc = cw_error_key(err, CW_EFORBIDDEN, "restrict_senior", "restricted", NULL, NULL);
    /* No silent overwrite: the version read is the latest entry that set the restriction. */
    if (!rc && json_object_get(p, "based_on")) {
        restriction_version rv = {0};
        cw_value k = cw_text(str(p, "child_id"));
        rc = cw_store_run(c->store, CW_Q_CHILD_EVENTS, &k, 1, restriction_row, &rv, NULL, err);
        if (!rc && (uint64_t)json_integer_value(json_object_get(p, "based_on")) != rv.idx)
            rc = cw_error_key(err, CW_ECONFLICT, "restriction_changed", "based_on",
                              str(p, "child_id"), CW_NUM(rv.idx));
    }
    const json_t *list = json_object_get(p, "restricted_to");
    if (!rc && json_array_size(list) && !flag(p, "restricted"))
        rc = cw_error_key(err, CW_EINVAL, "restricted_to_alone", "restricted_to", NULL, NULL);
    for (size_t i = 0; !rc && i < json_array_size(list); i++)
        rc = need_staff(c, "restricted_to", json_string_value(json_array_get(list, i)), &si, err);
    if (!rc && has(p, "proposal_id"))
        rc = cw_casework_check_access_applied(c, "restriction_changed", p, err);
    return rc;
}

/* Corrections and sign-offs are checked in command.c, where the entry they name is read. */
cw_rc cw_casework_check_correction(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_sign_off(cw_ctx *c, const json_t *p, cw_error *err);

static const event_spec specs[] = {
    {"team_created", 1, F_TEAM_CREATED, ck_team, NULL},
    {"staff_added", 1, F_STAFF_ADDED, ck_staff_added, NULL},
    {"staff_changed", 1, F_STAFF_CHANGED, ck_staff_changed, NULL},
    {"staff_left", 1, F_STAFF_LEFT, ck_staff_left, NULL},
    {"child_registered", 0, F_CHILD_REGISTERED, ck_child_registered, NULL},
    {"contact_received", 0, F_CONTACT, ck_child_only, "contact_id"},
    {"referral_received", 0, F_REFERRAL, ck_child_only, "referral_id"},
    {"contact_decided", 0, F_CONTACT_DECIDED, ck_contact_decided, NULL},
    {"referral_decided", 0, F_REFERRAL_DECIDED, ck_referral_decided, NULL},
    {"assessment_started", 0, F_ASSESSMENT_STARTED, ck_assessment_started, "assessment_id"},
    {"assessment_completed", 0, F_ASSESSMENT_COMPLETED, ck_assessment_completed, NULL},
    {"strategy_discussion_held", 0, F_STRATEGY, ck_child_only, "strategy_id"},
    {"section_47_started", 0, F_S47_STARTED, ck_s47_started, "enquiry_id"},
    {"section_47_completed", 0, F_S47_COMPLETED, ck_s47_completed, NULL},
    {"conference_held", 0, F_CONFERENCE, ck_conference, "conference_id"},
    {"core_group_held", 0, F_CHILD_DATE, ck_core_group, NULL},
    {"plan_recorded", 0, F_PLAN, ck_child_only, "plan_id"},
    {"looked_after_started", 0, F_LA_STARTED, ck_la_started, NULL},
    {"placement_changed", 0, F_PLACEMENT_CHANGED, ck_placement_changed, NULL},
    {"looked_after_ended", 0, F_LA_ENDED, ck_la_ended, NULL},
    {"looked_after_review_held", 0, F_LA_REVIEW, ck_la_review, NULL},
    {"health_check_recorded", 0, F_HEALTH, ck_health, NULL},
    {"statutory_visit", 0, F_VISIT, ck_visit, NULL},
    {"case_note", 0, F_NOTE, ck_child_only, NULL},
    {"cse_risk_assessment", 0, F_CSE, ck_cse, NULL},
    {"missing_episode", 0, F_MISSING, ck_missing, "episode_id"},
    {"return_interview", 0, F_RETURN_INTERVIEW, ck_return_interview, NULL},
    {"leaving_care_status", 0, F_LEAVING_CARE_STATUS, ck_child_only, NULL},
    {"needs_assessment_completed", 0, F_NEEDS_ASSESSMENT, ck_needs_assessment, NULL},
    {"personal_adviser_visit", 0, F_PA_VISIT, ck_child_only, NULL},
    {"supervision_held", 0, F_SUPERVISION, ck_supervision, NULL},
    {"case_allocated", 0, F_ALLOCATED, ck_allocated, NULL},
    {"case_transferred", 0, F_TRANSFERRED, ck_transferred, NULL},
    {"case_closed", 0, F_CLOSED, ck_closed, NULL},
    {"child_details_recorded", 0, F_CHILD_DETAILS, ck_child_details, NULL},
    {"legal_status_changed", 0, F_LEGAL_STATUS, ck_la_current, NULL},
    {"care_leaver_contact", 0, F_CARE_LEAVER_CONTACT, ck_child_only, NULL},
    {"adoption_decision_made", 0, F_ADOPTION_DECISION, ck_child_only, NULL},
    {"adoption_decision_reversed", 0, F_ADOPTION_REVERSED, ck_child_only, NULL},
    {"adopters_matched", 0, F_ADOPTERS_MATCHED, ck_adopters, NULL},
    {"case_reopened", 0, F_REOPENED, ck_reopened, NULL},
    {"correction", 0, F_CORRECTION, cw_casework_check_correction, NULL},
    {"escalation_raised", 0, F_ESCALATION, ck_escalation, NULL},
    {"work_signed_off", 0, F_SIGNED_OFF, cw_casework_check_sign_off, NULL},
    {"work_returned", 0, F_RETURNED, cw_casework_check_sign_off, NULL},
    {"restriction_changed", 0, F_RESTRICTION, ck_restriction, NULL},
    {"erasure_proposed", 0, F_ERASURE_PROPOSED, cw_casework_check_erasure_proposed, "erasure_id"},
    {"erasure_approved", 0, F_ERASURE_APPROVED, cw_casework_check_erasure_approved, NULL},
    {"erasure_declined", 0, F_ERASURE_DECLINED, cw_casework_check_erasure_declined, NULL},
    {"access_change_proposed", 1, F_ACCESS_PROPOSED, cw_casework_check_access_proposed,
     "proposal_id"},
    {"access_change_approved", 1, F_ACCESS_APPROVED, cw_casework_check_access_approved, NULL},
    {"access_change_rejected", 1, F_ACCESS_REJECTED, cw_casework_check_access_rejected, NULL},
    {"legal_hold_placed", 0, F_HOLD_PLACED, cw_casework_check_hold_placed, NULL},
    {"legal_hold_lifted", 0, F_HOLD_LIFTED, cw_casework_check_hold_lifted, NULL},
    {"audit_programme_created", 0, F_AUDIT_PROGRAMME, cw_casework_check_audit_programme, NULL},
    {"audit_sample_drawn", 0, F_AUDIT_SAMPLE, cw_casework_check_audit_sample, NULL},
    {"audit_case_added", 0, F_AUDIT_CASE_ADDED, cw_casework_check_audit_case_added, NULL},
    {"audit_moderator_assigned", 0, F_AUDIT_MODERATOR, cw_casework_check_audit_moderator, NULL},
    {"audit_theme_graded", 0, F_AUDIT_GRADED, cw_casework_check_audit_graded, NULL},
    {"audit_case_completed", 0, F_AUDIT_COMPLETED, cw_casework_check_audit_completed, NULL},
    {"audit_finding_actioned", 0, F_AUDIT_FINDING_ACTIONED,
     cw_casework_check_audit_finding_actioned, NULL},
    {"audit_recommendation_made", 0, F_AUDIT_RECOMMENDATION, cw_casework_check_audit_recommendation,
     NULL},
    {"audit_action_set", 0, F_AUDIT_ACTION_SET, cw_casework_check_audit_action_set, NULL},
    {"audit_report_issued", 0, F_AUDIT_REPORT, cw_casework_check_audit_report_issued, NULL},
    {"audit_report_acknowledged", 0, F_AUDIT_ACK, cw_casework_check_audit_report_acknowledged,
     NULL},
    {"audit_action_updated", 0, F_AUDIT_ACTION_UPDATED, cw_casework_check_audit_action_updated,
     NULL},
    {"audit_action_completed", 0, F_AUDIT_ACTION_COMPLETED,
     cw_casework_check_audit_action_completed, NULL},
    {"audit_action_signed_off", 0, F_AUDIT_ACTION_SIGNED_OFF,
     cw_casework_check_audit_action_decided, NULL},
    {"audit_action_returned", 0, F_AUDIT_ACTION_RETURNED, cw_casework_check_audit_action_decided,
     NULL},
    {"improve_inspection_recorded", 0, F_IMP_INSPECTION, NULL, NULL},
    {"improve_finding_recorded", 0, F_IMP_FINDING, NULL, NULL},
    {"improve_notice_issued", 0, F_IMP_NOTICE, NULL, NULL},
    {"improve_plan_created", 0, F_IMP_PLAN, NULL, NULL},
    {"improve_board_member_added", 0, F_IMP_BOARD_ADDED, NULL, NULL},
    {"improve_board_member_removed", 0, F_IMP_BOARD_REMOVED, NULL, NULL},
    {"improve_plan_submitted", 0, F_IMP_PLAN_SUBMITTED, NULL, NULL},
    {"improve_recommendation_added", 0, F_IMP_RECOMMENDATION, NULL, NULL},
    {"improve_point_added", 0, F_IMP_POINT, NULL, NULL},
    {"improve_action_added", 0, F_IMP_ACTION, NULL, NULL},
    {"improve_action_changed", 0, F_IMP_ACTION_CHANGED, NULL, NULL},
    {"improve_action_updated", 0, F_IMP_ACTION_UPDATED, NULL, NULL},
    {"improve_evidence_added", 0, F_IMP_EVIDENCE, NULL, NULL},
    {"improve_action_completed", 0, F_IMP_ACTION_COMPLETED, NULL, NULL},
    {"improve_action_signed_off", 0, F_IMP_ACTION_SIGNED_OFF, NULL, NULL},
    {"improve_action_returned", 0, F_IMP_ACTION_RETURNED, NULL, NULL},
    {"improve_funding_allocated", 0, F_IMP_FUNDING, NULL, NULL},
    {"improve_funding_changed", 0, F_IMP_FUNDING_CHANGED, NULL, NULL},
    {"improve_budget_committed", 0, F_IMP_COMMITTED, NULL, NULL},
    {"improve_commitment_changed", 0, F_IMP_COMMITMENT_CHANGED, NULL, NULL},
    {"improve_spend_recorded", 0, F_IMP_SPEND, NULL, NULL},
    {"improve_spend_reversed", 0, F_IMP_SPEND_REVERSED, NULL, NULL},
    {"improve_report_issued", 0, F_IMP_REPORT, NULL, NULL},
    {"sign_off_policy", 1, F_POLICY, ck_policy, NULL},
    {"deputy_named", 1, F_DEPUTY, ck_deputy, NULL},
    {"account_created", 1, F_ACCOUNT_CREATED, ck_account_created, NULL},
    {"account_changed", 1, F_ACCOUNT_CHANGED, ck_account_changed, NULL},
    {"password_set", 1, F_PASSWORD_SET, ck_account_ref, NULL},
    {"token_created", 1, F_TOKEN_CREATED, ck_token_created, NULL},
    {"token_revoked", 1, F_TOKEN_REVOKED, ck_token_revoked, NULL},
    {"record_accessed", 1, F_RECORD_ACCESSED, ck_record_accessed, NULL},
    {"sign_in_spray_detected", 1, F_SIGN_IN_SPRAY, ck_sign_in_spray, NULL},
};

/* The rules ask whether free text is there, never what it says; a list of codes (ids with
 * values: assessment factors, disabilities) keeps its codes, which the returns read. */
static cw_facts_keep fact_kept(const void *ctx, const char *name)
{
    const event_spec *spec = ctx;
    for (const field_spec *fs = spec ? spec->fields : NULL; fs && fs->name; fs++)
        if (!strcmp(fs->name, name))
            return fs->type == F_TEXT                ? CW_FACTS_PRESENCE
                   : fs->type == F_IDS && fs->values ? CW_FACTS_ITEMS
                                                     : CW_FACTS_VALUE;
    return CW_FACTS_VALUE;
}

cw_rc cw_casework_facts(const char *type, const json_t *payload, cw_buf *out)
{
    const event_spec *spec = cw_casework_spec(type);
    return cw_facts_encode(payload, fact_kept, spec, out);
}

static bool personal_in(const event_spec *spec, const char *name)
{
    for (const field_spec *fs = spec ? spec->fields : NULL; fs && fs->name; fs++)
        if (!strcmp(fs->name, name))
            return fs->type == F_TEXT && !(fs->flags & FACT);
    return false;
}

bool cw_casework_field_personal(const char *type, const char *field)
{
    return personal_in(cw_casework_spec(type), field);
}

/*
 * Moves obj's personal texts (spec's fields) into *part, leaving true in their place. With a
 * key, a text that has a print field gets its print beside it (set afresh: one given is never
 * kept); a print whose text is not there goes.
 */
static cw_rc split_fields(const event_spec *spec, json_t *obj, json_t **part, const uint8_t *key)
{
    for (const field_spec *fs = spec->fields; key && fs->name; fs++) {
        if (!(fs->flags & PRINT))
            continue;
        char text[64];
        snprintf(text, sizeof text, "%.*s", (int)(strlen(fs->name) - 6), fs->name);
        const char *t = json_string_value(json_object_get(obj, text));
        char print[CW_TEXT_PRINT_MAX];
        if (!t || !*t)
            json_object_del(obj, fs->name);
        else if (cw_text_print(key, t, print) ||
                 json_object_set_new(obj, fs->name, json_string(print)))
            return CW_ENOMEM;
    }
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
        const char *k = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        if (!json_is_string(v) || json_string_length(v) == 0 || !personal_in(spec, k))
            continue;
        if (!*part && !(*part = json_object()))
            return CW_ENOMEM;
        if (json_object_set(*part, k, v) || json_object_iter_set_new(obj, it, json_true()))
            return CW_ENOMEM;
    }
    return CW_OK;
}

/* A print given by hand (only caseward sets one): refused, naming the field. */
cw_rc cw_casework_check_no_print(const char *type, const char *target_type, const json_t *p,
                                 cw_error *err)
{
    const event_spec *spec = cw_casework_spec(type);
    const event_spec *target = target_type ? cw_casework_spec(target_type) : NULL;
    const json_t *changes = json_object_get(p, "changes");
    for (const field_spec *fs = spec ? spec->fields : NULL; fs && fs->name; fs++)
        if ((fs->flags & PRINT) && json_object_get(p, fs->name))
            return cw_error_key(err, CW_EINVAL, "set_by_caseward", fs->name, NULL, NULL);
    for (const field_spec *fs = target ? target->fields : NULL; fs && fs->name; fs++)
        if ((fs->flags & PRINT) && json_object_get(changes, fs->name))
            return cw_error_set(err, CW_EINVAL, "changes: %s is set by caseward, not given",
                                fs->name);
    return CW_OK;
}

cw_rc cw_casework_split(const char *type, const char *target_type, const json_t *payload,
                        json_t **facts, json_t **personal, cw_error *err)
{
    return cw_casework_split_keyed(type, target_type, payload, NULL, facts, personal, err);
}

cw_rc cw_casework_split_keyed(const char *type, const char *target_type, const json_t *payload,
                              const uint8_t *key, json_t **facts, json_t **personal, cw_error *err)
{
    *facts = *personal = NULL;
    const event_spec *spec = cw_casework_spec(type);
    const event_spec *target = target_type ? cw_casework_spec(target_type) : NULL;
    if (!spec || (target_type && !target))
        return cw_error_set(err, CW_EINVAL, "split: %s is not an event type",
                            spec ? target_type : type);
    if (!json_is_object(payload))
        return cw_error_set(err, CW_EINVAL, "split: the payload is not an object");
    json_t *f = json_deep_copy(payload), *part = NULL, *changes_part = NULL;
    cw_rc rc = f ? split_fields(spec, f, &part, key) : CW_ENOMEM;
    json_t *changes = json_object_get(f, "changes");
    if (!rc && target && json_is_object(changes))
        rc = split_fields(target, changes, &changes_part, key);
    if (!rc && changes_part) {
        if (!part && !(part = json_object()))
            rc = CW_ENOMEM;
        if (!rc && json_object_set(part, "changes", changes_part))
            rc = CW_ENOMEM;
    }
    json_decref(changes_part);
    if (rc) {
        json_decref(f);
        json_decref(part);
        return cw_error_set(err, rc, "out of memory splitting an event's personal data");
    }
    *facts = f;
    *personal = part;
    return CW_OK;
}

/* Lays src over dst, object by object (src is the caller's copy: jansson iterates only
 * non-const objects). */
static int overlay(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(v) && json_is_object(d)) {
            if (overlay(d, v))
                return -1;
        } else if (json_object_set(dst, k, v)) {
            return -1;
        }
    }
    return 0;
}

json_t *cw_casework_join(const json_t *facts, const json_t *personal)
{
    json_t *out = json_deep_copy(facts);
    json_t *part = json_is_object(personal) ? json_deep_copy(personal) : NULL;
    if (out && json_is_object(personal) && (!part || overlay(out, part))) {
        json_decref(out);
        out = NULL;
    }
    json_decref(part);
    return out;
}

static cw_casework_improve_fn improve_check;

void cw_casework_set_improve(cw_casework_improve_fn fn)
{
    improve_check = fn;
}

int cw_casework_is_improve(const char *type)
{
    return !strncmp(type, "improve_", 8);
}

cw_rc cw_casework_check_state(cw_ctx *c, const event_spec *spec, const json_t *p, cw_error *err)
{
    /* Improvement plans are checked by their own module, above this one (src/improve/). */
    if (cw_casework_is_improve(spec->name)) {
        if (!improve_check)
            return cw_error_set(err, CW_EINVAL,
                                "type: %s needs the improvement plans module, which this program "
                                "has not started",
                                spec->name);
        cw_casework_improve_call call = {c->store, c->actor, c->recorded, c->idx};
        return improve_check(&call, spec->name, p, err);
    }
    if (spec->new_id) {
        cw_rc rc = new_record(c, spec->new_id, str(p, spec->new_id), err);
        if (rc)
            return rc;
    }
    return spec->check ? spec->check(c, p, err) : CW_OK;
}

const event_spec *cw_casework_spec(const char *type)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (!strcmp(specs[i].name, type))
            return &specs[i];
    return NULL;
}

const char *cw_casework_type_name(size_t i)
{
    return i < sizeof specs / sizeof specs[0] ? specs[i].name : NULL;
}

bool cw_casework_known_type(const char *type)
{
    return cw_casework_spec(type) != NULL;
}

/* ---- generic field validation ---- */

static int valid_id(const char *s);

bool cw_casework_valid_id(const char *s)
{
    return valid_id(s);
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == ':' || ch == '-'))
            return 0;
    }
    return 1;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

/* A size over its limit: key too_long or too_many, the size and the limit quoted. */
static cw_rc too_many(cw_error *err, const char *key, const char *field, size_t n, int limit)
{
    return cw_error_key(err, CW_ETOOBIG, key, field, CW_NUM(n), CW_NUM(limit));
}

/* The first 32 bytes of s, for quoting a value given in a message. */
static const char *short32(const char *s, char cut[33])
{
    snprintf(cut, 33, "%s", s);
    return cut;
}

static int one_of(const char *s, const char *const *values)
{
    for (const char *const *e = values; *e; e++)
        if (!strcmp(*e, s))
            return 1;
    return 0;
}

/* A value (s, or NULL: not a string) that is not one of the field's values. */
static cw_rc bad_code(const field_spec *f, const char *s, cw_error *err)
{
    char list[600] = "";
    size_t used = 0;
    for (const char *const *e = f->values; *e && used < sizeof list - 70; e++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 e == f->values ? "" : ", ", *e);
    if (s && valid_id(s))
        return cw_error_key(err, CW_EINVAL, "not_one_of", f->name, s, list);
    return cw_error_key(err, CW_EINVAL, "one_of", f->name, list, NULL);
}

static cw_rc check_value(const field_spec *f, const json_t *v, cw_date recorded, cw_error *err)
{
    switch (f->type) {
    case F_ID:
        if (!json_is_string(v) || !valid_id(json_string_value(v)))
            return cw_error_key(err, CW_EINVAL, "not_an_id", f->name, NULL, NULL);
        return CW_OK;
    case F_TEXT: {
        if (!json_is_string(v))
            return cw_error_key(err, CW_EINVAL, "not_text", f->name, NULL, NULL);
        size_t n = json_string_length(v);
        if (n > (size_t)f->max)
            return too_many(err, "too_long", f->name, n, f->max);
        if (memchr(json_string_value(v), '\0', n))
            return cw_error_key(err, CW_EINVAL, "nul", f->name, NULL, NULL);
        if ((f->flags & REQ) && blank(json_string_value(v)))
            return cw_error_key(err, CW_EINVAL, "blank", f->name, NULL, NULL);
        return CW_OK;
    }
    case F_DATE: {
        cw_date d;
        char cut[33];
        const char *s = json_string_value(v);
        if (!s || cw_date_parse(s, strlen(s), &d))
            return s ? cw_error_key(err, CW_EINVAL, "not_a_date", f->name, short32(s, cut), NULL)
                     : cw_error_key(err, CW_EINVAL, "date_not_text", f->name, NULL, NULL);
        if ((f->flags & PAST) && d > recorded)
            return cw_error_key(err, CW_EINVAL, "in_future", f->name, s, NULL);
        return CW_OK;
    }
    case F_BOOL:
        if (!json_is_boolean(v))
            return cw_error_key(err, CW_EINVAL, "not_bool", f->name, NULL, NULL);
        return CW_OK;
    case F_INT:
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            (f->max && json_integer_value(v) > f->max))
            return cw_error_key(err, CW_EINVAL, f->max ? "not_in_range" : "not_whole", f->name,
                                NULL, NULL);
        return CW_OK;
    case F_ENUM: {
        const char *s = json_string_value(v);
        return s && one_of(s, f->values) ? CW_OK : bad_code(f, s, err);
    }
    case F_IDS: {
        if (!json_is_array(v))
            return cw_error_key(err, CW_EINVAL, "not_ids", f->name, NULL, NULL);
        size_t n = json_array_size(v);
        if (n > (size_t)f->max)
            return too_many(err, "too_many", f->name, n, f->max);
        for (size_t i = 0; i < n; i++) {
            const char *s = json_string_value(json_array_get(v, i));
            if (!s || !valid_id(s))
                return cw_error_key(err, CW_EINVAL, "item_not_id", f->name, CW_NUM(i + 1), NULL);
            if (f->values && !one_of(s, f->values))
                return bad_code(f, s, err);
            for (size_t k = 0; !(f->flags & REPEATS) && k < i; k++)
                if (!strcmp(s, json_string_value(json_array_get(v, k))))
                    return cw_error_key(err, CW_EINVAL, "listed_twice", f->name, s, NULL);
        }
        return CW_OK;
    }
    case F_OBJECT:
        if (!json_is_object(v) || json_object_size(v) == 0)
            return cw_error_key(err, CW_EINVAL, "not_object", f->name, NULL, NULL);
        return CW_OK;
    }
    return CW_EINVAL;
}

cw_rc cw_casework_check_fields(const event_spec *spec, const json_t *payload, cw_date recorded,
                               cw_error *err)
{
    const char *key;
    json_t *val;
    json_t *obj;
    memcpy(&obj, &payload, sizeof obj); /* jansson's iterator is not const-correct */
    json_object_foreach(obj, key, val)
    {
        const field_spec *f = spec->fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            size_t bad = cw_utf8_check(key, strlen(key));
            return cw_error_key(err, CW_EINVAL, "not_a_field", bad == strlen(key) ? key : "?",
                                spec->name, NULL);
        }
    }
    for (const field_spec *f = spec->fields; f->name; f++) {
        const json_t *v = json_object_get(payload, f->name);
        if (!v || json_is_null(v)) {
            if (f->flags & REQ)
                return cw_error_key(err, CW_EINVAL, "required", f->name, spec->name, NULL);
            continue;
        }
        cw_rc rc = check_value(f, v, recorded, err);
        if (rc)
            return rc;
    }
    return CW_OK;
}

/* ---- the catalogue as Markdown ---- */

static const char *type_name(const field_spec *f)
{
    switch (f->type) {
    case F_ID:
        return "id";
    case F_TEXT:
        return "text";
    case F_DATE:
        return "date";
    case F_BOOL:
        return "bool";
    case F_INT:
        return "int";
    case F_ENUM:
        return "enum";
    case F_IDS:
        return f->values ? "codes" : "ids";
    case F_OBJECT:
        return "object";
    }
    return "?";
}

cw_rc cw_casework_describe(cw_buf *out)
{
    cw_rc rc = cw_buf_addstr(out, "| event | field | type | required | personal |\n"
                                  "|---|---|---|---|---|\n");
    for (size_t i = 0; !rc && i < sizeof specs / sizeof specs[0]; i++)
        for (const field_spec *f = specs[i].fields; !rc && f->name; f++)
            rc = cw_buf_addf(out, "| %s | %s | %s | %s | %s |\n", specs[i].name, f->name,
                             type_name(f), (f->flags & REQ) ? "yes" : "no",
                             personal_in(&specs[i], f->name) ? "yes" : "no");
    return rc;
}
