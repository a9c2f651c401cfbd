/*
 * events.c — the events a rule pack may name, with their fields, as
 * docs/events.md defines them. The loader refuses a pack that names an event
 * or a field not listed here, and an enum value the event cannot carry.
 *
 * Only events that appear in a child's history are listed (the organisation
 * events never do). Two fields are computed by the engine rather than read
 * from the payload: cse_risk_assessment.score and .band (SERAF: each
 * vulnerability and moderate indicator 1, each significant indicator 5;
 * 0-5 no apparent risk, 6-10 mild, 11-15 moderate, 16+ significant; an
 * override_band wins).
 *
 * Closing events carry only the id of what they close (referral_decided has
 * referral_id, not child_id); they read the fields they lack from the event
 * that opened the id, so `assessment_completed link referral_id` follows the
 * assessment back to its referral.
 */
#include <string.h>

#include "rules/rules_int.h"

#define F(name, type)                                                                              \
    {                                                                                              \
        name, type, NULL, CW_FC_NONE                                                               \
    }
#define E(name, values)                                                                            \
    {                                                                                              \
        name, CW_FT_ENUM, values, CW_FC_NONE                                                       \
    }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const sources[] = {"police", "school",    "health",    "self",
                                      "family", "neighbour", "anonymous", "local_authority",
                                      "other",  NULL};
static const char *const placement_types[] = {"foster",   "kinship", "residential", "with_parents",
                                              "adoption", "other",   NULL};
static const char *const bands[] = {"no_apparent_risk", "mild", "moderate", "significant", NULL};

static const char *const gender[] = {"female", "male", "other", "not_known", NULL};
static const char *const language[] = {"english", "welsh", "other", NULL};
static const cw_ev_field child_registered[] = {
    F("child_id", CW_FT_ID),        F("given_name", CW_FT_TEXT),   F("family_name", CW_FT_TEXT),
    F("date_of_birth", CW_FT_DATE), F("date", CW_FT_DATE),         E("gender", gender),
    F("ethnicity", CW_FT_TEXT),     E("language", language),       F("address", CW_FT_TEXT),
    F("restricted", CW_FT_BOOL),    F("restricted_to", CW_FT_IDS), E("family_language", language),
};
static const cw_ev_field contact_received[] = {
    F("contact_id", CW_FT_ID), F("child_id", CW_FT_ID), F("date", CW_FT_DATE),
    E("source", sources),      F("reason", CW_FT_TEXT), F("cse_concern", CW_FT_BOOL),
};
static const char *const contact_outcomes[] = {"no_further_action", "information_and_advice",
                                               "early_help", "referral", NULL};
static const cw_ev_field contact_decided[] = {
    F("contact_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("outcome", contact_outcomes),
};
static const char *const referral_source_codes[] = {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B",
                                                    "3C", "3D", "3E", "3F", "4",  "5A", "5B", "5C",
                                                    "5D", "6",  "7",  "8",  "9",  "10", NULL};
static const cw_ev_field referral_received[] = {
    F("referral_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("source", sources),
    F("reason", CW_FT_TEXT),
    F("cse_concern", CW_FT_BOOL),
    E("source_code", referral_source_codes),
};
static const char *const referral_decisions[] = {"no_further_action", "assessment",
                                                 "strategy_discussion", NULL};
static const cw_ev_field referral_decided[] = {
    F("referral_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("decision", referral_decisions),
    F("decided_by", CW_FT_ID),
};
static const cw_ev_field assessment_started[] = {
    F("assessment_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("referral_id", CW_FT_ID),
};
/* The Active Offer (Welsh Government, "More than just words"): the language a visit or an
 * assessment was carried out in, and whether it was offered in Welsh without being asked. */
static const char *const service_languages[] = {"english", "welsh", "bilingual", "other", NULL};
static const char *const assessment_outcomes[] = {"no_further_action", "care_and_support_plan",
                                                  "child_protection",  "looked_after",
                                                  "other_services",    NULL};
static const char *const primary_needs[] = {"N0", "N1", "N2", "N3", "N4", "N5",
                                            "N6", "N7", "N8", "N9", NULL};
static const cw_ev_field assessment_completed[] = {
    F("assessment_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("child_seen", CW_FT_BOOL),
    F("child_seen_date", CW_FT_DATE),
    F("views", CW_FT_TEXT),
    F("views_not_obtained_reason", CW_FT_TEXT),
    F("analysis", CW_FT_TEXT),
    E("outcome", assessment_outcomes),
    F("signed_off_by", CW_FT_ID),
    F("analysis_print", CW_FT_TEXT),
    F("active_offer_made", CW_FT_BOOL),
    E("service_language", service_languages),
    E("primary_need", primary_needs),
    F("factors", CW_FT_IDS),
};
static const char *const strategy_decisions[] = {"section_47", "no_further_action", "other", NULL};
static const cw_ev_field strategy_discussion_held[] = {
    F("strategy_id", CW_FT_ID),        F("child_id", CW_FT_ID), F("date", CW_FT_DATE),
    E("decision", strategy_decisions), F("cse", CW_FT_BOOL),
};
static const cw_ev_field section_47_started[] = {
    F("enquiry_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("strategy_id", CW_FT_ID),
};
static const char *const s47_outcomes[] = {"initial_conference", "child_in_need",
                                           "no_further_action", NULL};
static const cw_ev_field section_47_completed[] = {
    F("enquiry_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("outcome", s47_outcomes),
};
static const char *const conference_kinds[] = {"initial", "review", NULL};
static const char *const conference_decisions[] = {"register", "continue", "deregister",
                                                   "not_registered", NULL};
static const char *const categories[] = {"neglect", "physical", "sexual", "emotional", NULL};
static const cw_ev_field conference_held[] = {
    F("conference_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("kind", conference_kinds),
    E("decision", conference_decisions),
    E("category", categories),
};
static const cw_ev_field child_date[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
};
static const char *const plan_kinds[] = {"care_and_support",
                                         "child_protection_outline",
                                         "child_protection",
                                         "looked_after",
                                         "pathway",
                                         "placement",
                                         "personal_education",
                                         NULL};
static const cw_ev_field plan_recorded[] = {
    F("plan_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("kind", plan_kinds),
};
static const char *const interim_arrangements[] = {"parent_before_assessment", "temporary_approval",
                                                   "interim_care_order_at_home", NULL};
/* SSDA903 (docs/returns.md): the codes of casework/events.c */
static const char *const legal_statuses[] = {"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1",
                                             "L2", "L3", "J1", "J2", "J3", "W1", NULL};
static const char *const categories_of_need[] = {"N1", "N2", "N3", "N4", "N5",
                                                 "N6", "N7", "N8", NULL};
static const char *const settings[] = {"K1", "K2", "K3", "R1", "R2", "R3", "R5", "S1",
                                       "P3", "T0", "T1", "T2", "T3", "T4", NULL};
static const char *const providers[] = {"PR1", "PR2", "PR3", "PR4", "PR5", NULL};
static const char *const permanence[] = {"P1", "P2", "P3", "P4", "Z1", NULL};
static const char *const placement_change_reasons[] = {"CARPL",  "CLOSE", "ALLEG", "STAND", "APPRR",
                                                       "CREQB",  "CREQO", "CHILD", "LAREQ", "PLACE",
                                                       "CUSTOD", "OTHER", NULL};
static const cw_ev_field looked_after_started[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("placement_id", CW_FT_ID),
    E("placement_type", placement_types),
    F("until_18", CW_FT_BOOL),
    E("interim_arrangement", interim_arrangements),
    E("legal_status", legal_statuses),
    E("category_of_need", categories_of_need),
    F("home_postcode", CW_FT_TEXT),
    E("previous_permanence", permanence),
    E("setting", settings),
    F("fostering_for_adoption", CW_FT_BOOL),
    E("provider", providers),
    F("provider_urn", CW_FT_ID),
    F("placement_postcode", CW_FT_TEXT),
};
static const cw_ev_field placement_changed[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("placement_id", CW_FT_ID),
    E("placement_type", placement_types),
    F("school_changed", CW_FT_BOOL),
    F("until_18", CW_FT_BOOL),
    E("interim_arrangement", interim_arrangements),
    F("same_carers", CW_FT_BOOL),
    E("change_reason", placement_change_reasons),
    E("setting", settings),
    F("fostering_for_adoption", CW_FT_BOOL),
    E("provider", providers),
    F("provider_urn", CW_FT_ID),
    F("placement_postcode", CW_FT_TEXT),
};
static const cw_ev_field legal_status_changed[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("legal_status", legal_statuses),
};
static const char *const la_end_reasons[] = {"returned_home", "adoption", "special_guardianship",
                                             "age_18",        "other",    NULL};
static const char *const la_end_details[] = {"E11", "E12", "E2",  "E3",  "E4A", "E4B", "E13", "E41",
                                             "E45", "E46", "E47", "E48", "E5",  "E6",  "E7",  "E9",
                                             "E14", "E15", "E16", "E17", "E8",  NULL};
static const cw_ev_field looked_after_ended[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("reason", la_end_reasons),
    E("reason_detail", la_end_details),
};
static const char *const participation[] = {"PN0", "PN1", "PN2", "PN3", "PN4",
                                            "PN5", "PN6", "PN7", NULL};
static const cw_ev_field looked_after_review_held[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("participation", participation),
};
static const char *const health_kinds[] = {"gp_registration",
                                           "dental_check",
                                           "health_assessment",
                                           "immunisations",
                                           "development_check",
                                           "sdq",
                                           NULL};
static const cw_ev_field health_check_recorded[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("kind", health_kinds),
    F("sdq_score", CW_FT_INT),
};
static const char *const in_touch[] = {"YES", "NO", "DIED", "REFU", "NREQ", "RHOM", NULL};
static const char *const activities[] = {"F1", "P1", "F2", "P2", "F4", "P4",
                                         "F5", "P5", "G4", "G5", "G6", NULL};
static const char *const accommodations[] = {"B", "C", "D", "E", "G", "H", "K", "R", "S",
                                             "T", "U", "V", "W", "X", "Y", "Z", NULL};
static const char *const adoption_reversals[] = {"RD1", "RD2", "RD3", "RD4", NULL};
static const char *const adopter_sexes[] = {"M1", "F1", "MM", "FF", "MF", NULL};
static const char *const adopter_statuses[] = {"L0", "L11", "L12", "L2", "L3", "L4", NULL};
static const cw_ev_field adoption_decision_made[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
};
static const cw_ev_field adoption_decision_reversed[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("reason", adoption_reversals),
};
static const cw_ev_field adopters_matched[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("adopters", CW_FT_INT),
    E("adopter_sex", adopter_sexes),
    E("adopter_status", adopter_statuses),
};
static const cw_ev_field care_leaver_contact[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("in_touch", in_touch),
    E("activity", activities),
    E("accommodation", accommodations),
    F("accommodation_suitable", CW_FT_BOOL),
};
static const char *const visit_locations[] = {"home", "school", "office", "other", NULL};
static const cw_ev_field statutory_visit[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("seen", CW_FT_BOOL),
    F("seen_alone", CW_FT_BOOL),
    F("not_seen_alone_reason", CW_FT_TEXT),
    E("location", visit_locations),
    F("bedroom_seen", CW_FT_BOOL),
    F("views", CW_FT_TEXT),
    F("views_print", CW_FT_TEXT),
    F("views_not_obtained_reason", CW_FT_TEXT),
    F("active_offer_made", CW_FT_BOOL),
    E("service_language", service_languages),
};
static const cw_ev_field case_note[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("text", CW_FT_TEXT),
};
static const cw_ev_field cse_risk_assessment[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("vulnerabilities", CW_FT_IDS),
    F("moderate_indicators", CW_FT_IDS),
    F("significant_indicators", CW_FT_IDS),
    F("significant_indicators_earlier", CW_FT_IDS),
    E("override_band", bands),
    F("override_reason", CW_FT_TEXT),
    {"score", CW_FT_INT, NULL, CW_FC_CSE_SCORE},
    {"band", CW_FT_ENUM, bands, CW_FC_CSE_BAND},
};
static const char *const missing_kinds[] = {"missing", "away", NULL};
static const cw_ev_field missing_episode[] = {
    F("episode_id", CW_FT_ID), F("child_id", CW_FT_ID),           F("date", CW_FT_DATE),
    F("returned", CW_FT_DATE), F("return_interview", CW_FT_BOOL), E("kind", missing_kinds),
};
static const cw_ev_field return_interview[] = {
    F("episode_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("conducted_by", CW_FT_TEXT),
    F("accepted", CW_FT_BOOL),
};
/* Care leavers (issue 12): the young person's status, the needs assessment and the personal
 * adviser's visits. Wales' categories 1-6 map onto the statuses (docs/events.md). */
static const char *const leaving_care_statuses[] = {
    "eligible", "relevant", "former_relevant", "former_relevant_education", "qualifying", NULL};
static const cw_ev_field leaving_care_status[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("status", leaving_care_statuses),
    F("accommodated_by_authority", CW_FT_BOOL),
};
static const cw_ev_field needs_assessment_completed[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("views", CW_FT_TEXT),
    F("views_not_obtained_reason", CW_FT_TEXT),
    F("active_offer_made", CW_FT_BOOL),
    E("service_language", service_languages),
};
static const cw_ev_field personal_adviser_visit[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("adviser", CW_FT_TEXT),
    F("seen", CW_FT_BOOL),
};
static const cw_ev_field supervision_held[] = {
    F("supervisee_id", CW_FT_ID),    F("supervisor_id", CW_FT_ID), F("date", CW_FT_DATE),
    F("cases_discussed", CW_FT_IDS), F("decisions", CW_FT_TEXT),   F("actions", CW_FT_TEXT),
};
static const cw_ev_field case_allocated[] = {
    F("child_id", CW_FT_ID),
    F("worker_id", CW_FT_ID),
    F("date", CW_FT_DATE),
};
static const cw_ev_field case_transferred[] = {
    F("child_id", CW_FT_ID),
    F("worker_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field child_date_reason[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const char *const closure_reasons[] = {"RC1", "RC2", "RC3", "RC4", "RC5",
                                              "RC6", "RC7", "RC8", "RC9", NULL};
static const cw_ev_field case_closed[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
    E("closure_reason", closure_reasons),
};
static const char *const ethnicity_codes[] = {
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT", NULL};
static const char *const upn_unknown_codes[] = {"UN1", "UN2", "UN3", "UN4",  "UN5", "UN6",
                                                "UN7", "UN8", "UN9", "UN10", NULL};
static const cw_ev_field child_details_recorded[] = {
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    E("ethnicity_code", ethnicity_codes),
    F("disabilities", CW_FT_IDS),
    F("upn", CW_FT_TEXT),
    F("former_upn", CW_FT_TEXT),
    E("upn_unknown", upn_unknown_codes),
    F("date_of_death", CW_FT_DATE),
    F("uasc", CW_FT_BOOL),
    F("own_child_born", CW_FT_DATE),
};
static const cw_ev_field correction[] = {
    F("corrects", CW_FT_INT),
    F("reason", CW_FT_TEXT),
    F("changes", CW_FT_OBJECT),
    F("based_on", CW_FT_INT),
};
static const cw_ev_field work_signed_off[] = {
    F("entry", CW_FT_INT),
    F("date", CW_FT_DATE),
    F("based_on", CW_FT_INT),
    F("comment", CW_FT_TEXT),
};
static const cw_ev_field work_returned[] = {
    F("entry", CW_FT_INT),
    F("date", CW_FT_DATE),
    F("based_on", CW_FT_INT),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field restriction_changed[] = {
    F("child_id", CW_FT_ID),       F("date", CW_FT_DATE),   F("restricted", CW_FT_BOOL),
    F("restricted_to", CW_FT_IDS), F("reason", CW_FT_TEXT), F("based_on", CW_FT_INT),
    F("proposal_id", CW_FT_ID),
};
static const char *const lawful_bases[] = {"rectification", "recorded_in_error", "erasure_request",
                                           "retention_schedule", NULL};
static const cw_ev_field erasure_proposed[] = {
    F("erasure_id", CW_FT_ID), F("child_id", CW_FT_ID),         F("date", CW_FT_DATE),
    F("entries", CW_FT_IDS),   E("lawful_basis", lawful_bases), F("requested_by", CW_FT_TEXT),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field erasure_approved[] = {
    F("erasure_id", CW_FT_ID),
    F("date", CW_FT_DATE),
};
static const cw_ev_field erasure_declined[] = {
    F("erasure_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const char *const hold_kinds[] = {"litigation",           "inquiry", "complaint",
                                         "police_investigation", "other",   NULL};
static const cw_ev_field legal_hold_placed[] = {
    F("hold_id", CW_FT_ID), F("child_id", CW_FT_ID), F("date", CW_FT_DATE),
    E("kind", hold_kinds),  F("reason", CW_FT_TEXT), F("until", CW_FT_DATE),
};
static const cw_ev_field legal_hold_lifted[] = {
    F("hold_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field escalation_raised[] = {
    F("item", CW_FT_TEXT),      F("child_id", CW_FT_ID), F("level", CW_FT_INT),
    F("notified_id", CW_FT_ID), F("as_of", CW_FT_DATE),  F("days_overdue", CW_FT_INT),
};

/* Case-file audits (docs/audits.md): about the service's practice, never in a child's
 * history. */
static const cw_ev_field audit_programme_created[] = {
    F("programme_id", CW_FT_ID),
    F("title", CW_FT_TEXT),
    F("scope", CW_FT_TEXT),
    F("date", CW_FT_DATE),
    F("commissioned_by", CW_FT_ID),
    F("starts", CW_FT_DATE),
    F("ends", CW_FT_DATE),
    F("auditors", CW_FT_IDS),
    F("area_manager_id", CW_FT_ID),
    F("framework", CW_FT_ID),
    F("framework_sha256", CW_FT_TEXT),
    F("themes", CW_FT_IDS),
    F("grades", CW_FT_INT),
    F("critical", CW_FT_IDS),
};
static const cw_ev_field audit_sample_drawn[] = {
    F("programme_id", CW_FT_ID), F("date", CW_FT_DATE),      F("seed", CW_FT_ID),
    F("log_size", CW_FT_INT),    F("size", CW_FT_INT),       F("minimum", CW_FT_INT),
    F("teams", CW_FT_IDS),       F("case_types", CW_FT_IDS), F("cases", CW_FT_IDS),
    F("assigned", CW_FT_IDS),
};
static const cw_ev_field audit_case_added[] = {
    F("programme_id", CW_FT_ID), F("child_id", CW_FT_ID), F("date", CW_FT_DATE),
    F("auditor_id", CW_FT_ID),   F("reason", CW_FT_TEXT),
};
static const cw_ev_field audit_moderator_assigned[] = {
    F("programme_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("moderator_id", CW_FT_ID),
};
static const cw_ev_field audit_theme_graded[] = {
    F("programme_id", CW_FT_ID), F("child_id", CW_FT_ID),  F("date", CW_FT_DATE),
    F("theme", CW_FT_ID),        F("grade", CW_FT_INT),    F("not_applicable", CW_FT_BOOL),
    F("narrative", CW_FT_TEXT),  F("evidence", CW_FT_IDS), F("moderation", CW_FT_BOOL),
};
static const cw_ev_field audit_case_completed[] = {
    F("programme_id", CW_FT_ID), F("child_id", CW_FT_ID),  F("date", CW_FT_DATE),
    F("overall", CW_FT_INT),     F("summary", CW_FT_TEXT), F("moderation", CW_FT_BOOL),
};
static const cw_ev_field audit_finding_actioned[] = {
    F("programme_id", CW_FT_ID),
    F("child_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("action", CW_FT_TEXT),
};

static const cw_ev_field audit_recommendation_made[] = {
    F("recommendation_id", CW_FT_ID),
    F("programme_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("theme", CW_FT_ID),
    F("text", CW_FT_TEXT),
};
static const cw_ev_field audit_action_set[] = {
    F("action_id", CW_FT_ID), F("recommendation_id", CW_FT_ID), F("date", CW_FT_DATE),
    F("text", CW_FT_TEXT),    F("owner_id", CW_FT_ID),          F("due", CW_FT_DATE),
};
static const cw_ev_field audit_report_issued[] = {
    F("report_id", CW_FT_ID),   F("programme_id", CW_FT_ID),        F("date", CW_FT_DATE),
    F("recipients", CW_FT_IDS), F("acknowledge_within", CW_FT_INT), F("content_sha256", CW_FT_TEXT),
    F("figures", CW_FT_OBJECT), F("recommendations", CW_FT_INT),    F("actions", CW_FT_INT),
    F("log_size", CW_FT_INT),
};
static const cw_ev_field audit_report_acknowledged[] = {
    F("report_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("comment", CW_FT_TEXT),
};
static const cw_ev_field audit_action_updated[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("note", CW_FT_TEXT),
};
static const cw_ev_field audit_action_completed[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("evidence", CW_FT_TEXT),
    F("evidence_entries", CW_FT_IDS),
};
static const cw_ev_field audit_action_signed_off[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("comment", CW_FT_TEXT),
};
static const cw_ev_field audit_action_returned[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};

/* Improvement plans after an inspection (src/improve/): about the service, never in a child's
 * history. */
static const char *const inspectorates[] = {"ciw", "ofsted", "estyn", "hiw",
                                            "cqc", "joint",  "other", NULL};
static const char *const finding_severities[] = {"serious_concern", "priority_action",
                                                 "area_for_improvement", NULL};
static const char *const notice_kinds[] = {
    "warning_notice", "improvement_notice", "priority_action_notice", "direction", "other", NULL};
static const char *const board_roles[] = {"chair", "member", "observer", NULL};
static const char *const evidence_kinds[] = {"measure", "audit_report", "document", NULL};
static const char *const target_directions[] = {"at_least", "at_most", NULL};
static const char *const improve_report_kinds[] = {"board", "minister", NULL};
static const cw_ev_field improve_inspection_recorded[] = {
    F("inspection_id", CW_FT_ID), F("date", CW_FT_DATE),       E("inspectorate", inspectorates),
    F("title", CW_FT_TEXT),       F("report_ref", CW_FT_TEXT), F("started", CW_FT_DATE),
    F("ended", CW_FT_DATE),       F("published", CW_FT_DATE),
};
static const cw_ev_field improve_finding_recorded[] = {
    F("finding_id", CW_FT_ID), F("inspection_id", CW_FT_ID),      F("date", CW_FT_DATE),
    F("theme", CW_FT_ID),      E("severity", finding_severities), F("text", CW_FT_TEXT),
};
static const cw_ev_field improve_notice_issued[] = {
    F("notice_id", CW_FT_ID),    F("inspection_id", CW_FT_ID), F("date", CW_FT_DATE),
    E("kind", notice_kinds),     F("issued_by", CW_FT_TEXT),   F("issued", CW_FT_DATE),
    F("plan_within", CW_FT_INT), F("reviews", CW_FT_IDS),
};
static const cw_ev_field improve_plan_created[] = {
    F("plan_id", CW_FT_ID),       F("date", CW_FT_DATE),    F("title", CW_FT_TEXT),
    F("inspection_id", CW_FT_ID), F("notice_id", CW_FT_ID), F("owner_id", CW_FT_ID),
    F("due", CW_FT_DATE),
};
static const cw_ev_field improve_board_member_added[] = {
    F("plan_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("staff_id", CW_FT_ID),
    E("board_role", board_roles),
};
static const cw_ev_field improve_board_member_removed[] = {
    F("plan_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("staff_id", CW_FT_ID),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_plan_submitted[] = {
    F("plan_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("submitted_to", CW_FT_TEXT),
};
static const cw_ev_field improve_recommendation_added[] = {
    F("recommendation_id", CW_FT_ID),
    F("plan_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("text", CW_FT_TEXT),
    F("findings", CW_FT_IDS),
    F("audit_recommendation_id", CW_FT_ID),
};
static const cw_ev_field improve_point_added[] = {
    F("point_id", CW_FT_ID),
    F("recommendation_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("text", CW_FT_TEXT),
};
static const cw_ev_field improve_action_added[] = {
    F("action_id", CW_FT_ID),   F("point_id", CW_FT_ID), F("date", CW_FT_DATE),
    F("text", CW_FT_TEXT),      F("owner_id", CW_FT_ID), F("due", CW_FT_DATE),
    F("depends_on", CW_FT_IDS),
};
static const cw_ev_field improve_action_changed[] = {
    F("action_id", CW_FT_ID), F("date", CW_FT_DATE),      F("owner_id", CW_FT_ID),
    F("due", CW_FT_DATE),     F("depends_on", CW_FT_IDS), F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_action_updated[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("note", CW_FT_TEXT),
    F("blocked", CW_FT_BOOL),
};
static const cw_ev_field improve_evidence_added[] = {
    F("evidence_id", CW_FT_ID),     F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),          E("kind", evidence_kinds),
    F("title", CW_FT_TEXT),         F("measure_id", CW_FT_ID),
    F("target", CW_FT_TEXT),        E("direction", target_directions),
    F("audit_report_id", CW_FT_ID), F("sha256", CW_FT_TEXT),
};
static const cw_ev_field improve_action_completed[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("note", CW_FT_TEXT),
};
static const cw_ev_field improve_action_signed_off[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("comment", CW_FT_TEXT),
};
static const cw_ev_field improve_action_returned[] = {
    F("action_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_funding_allocated[] = {
    F("allocation_id", CW_FT_ID), F("plan_id", CW_FT_ID),       F("date", CW_FT_DATE),
    F("source", CW_FT_TEXT),      F("amount_pence", CW_FT_INT), F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_funding_changed[] = {
    F("allocation_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("amount_pence", CW_FT_INT),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_budget_committed[] = {
    F("commitment_id", CW_FT_ID), F("action_id", CW_FT_ID),     F("allocation_id", CW_FT_ID),
    F("date", CW_FT_DATE),        F("amount_pence", CW_FT_INT), F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_commitment_changed[] = {
    F("commitment_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("amount_pence", CW_FT_INT),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_spend_recorded[] = {
    F("spend_id", CW_FT_ID),    F("action_id", CW_FT_ID),     F("allocation_id", CW_FT_ID),
    F("date", CW_FT_DATE),      F("amount_pence", CW_FT_INT), F("reason", CW_FT_TEXT),
    F("reference", CW_FT_TEXT),
};
static const cw_ev_field improve_spend_reversed[] = {
    F("spend_id", CW_FT_ID),
    F("date", CW_FT_DATE),
    F("reason", CW_FT_TEXT),
};
static const cw_ev_field improve_report_issued[] = {
    F("report_id", CW_FT_ID),        F("plan_id", CW_FT_ID),     F("date", CW_FT_DATE),
    E("kind", improve_report_kinds), F("as_of", CW_FT_DATE),     F("recipients", CW_FT_TEXT),
    F("content_sha256", CW_FT_TEXT), F("figures", CW_FT_OBJECT), F("measures_sha256", CW_FT_TEXT),
    F("log_size", CW_FT_INT),
};

/* Not an event of the catalogue: how the engine sees work while it awaits a manager's
 * sign-off (its facts say sign_off=awaited; engine.c). */
static const cw_ev_field sign_off_awaited[] = {F("sign_off", CW_FT_TEXT)};

/* Indexes of the openers, for the closers' entries below. */
enum {
    T_CONTACT_RECEIVED = 1,
    T_REFERRAL_RECEIVED = 3,
    T_ASSESSMENT_STARTED = 5,
    T_SECTION_47_STARTED = 8,
    T_MISSING_EPISODE = 21
};

#define T(name, fields, key, opener)                                                               \
    {                                                                                              \
        name, fields, N(fields), key, opener                                                       \
    }
const cw_ev_type cw_rules_types[] = {
    T("child_registered", child_registered, NULL, -1),
    T("contact_received", contact_received, "contact_id", -1), /* T_CONTACT_RECEIVED */
    T("contact_decided", contact_decided, "contact_id", T_CONTACT_RECEIVED),
    T("referral_received", referral_received, "referral_id", -1), /* T_REFERRAL_RECEIVED */
    T("referral_decided", referral_decided, "referral_id", T_REFERRAL_RECEIVED),
    T("assessment_started", assessment_started, "assessment_id", -1), /* T_ASSESSMENT_STARTED */
    T("assessment_completed", assessment_completed, "assessment_id", T_ASSESSMENT_STARTED),
    T("strategy_discussion_held", strategy_discussion_held, NULL, -1),
    T("section_47_started", section_47_started, "enquiry_id", -1), /* T_SECTION_47_STARTED */
    T("section_47_completed", section_47_completed, "enquiry_id", T_SECTION_47_STARTED),
    T("conference_held", conference_held, NULL, -1), T("core_group_held", child_date, NULL, -1),
    T("plan_recorded", plan_recorded, NULL, -1),
    T("looked_after_started", looked_after_started, NULL, -1),
    T("placement_changed", placement_changed, NULL, -1),
    T("looked_after_ended", looked_after_ended, NULL, -1),
    T("looked_after_review_held", looked_after_review_held, NULL, -1),
    T("health_check_recorded", health_check_recorded, NULL, -1),
    T("statutory_visit", statutory_visit, NULL, -1), T("case_note", case_note, NULL, -1),
    T("cse_risk_assessment", cse_risk_assessment, NULL, -1),
    T("missing_episode", missing_episode, "episode_id", -1), /* T_MISSING_EPISODE */
    T("return_interview", return_interview, "episode_id", T_MISSING_EPISODE),
    T("leaving_care_status", leaving_care_status, NULL, -1),
    T("needs_assessment_completed", needs_assessment_completed, NULL, -1),
    T("personal_adviser_visit", personal_adviser_visit, NULL, -1),
    T("supervision_held", supervision_held, NULL, -1),
    T("case_allocated", case_allocated, NULL, -1),
    T("case_transferred", case_transferred, NULL, -1), T("case_closed", case_closed, NULL, -1),
    T("case_reopened", child_date_reason, NULL, -1),
    T("child_details_recorded", child_details_recorded, NULL, -1),
    T("legal_status_changed", legal_status_changed, NULL, -1),
    T("care_leaver_contact", care_leaver_contact, NULL, -1),
    T("adoption_decision_made", adoption_decision_made, NULL, -1),
    T("adoption_decision_reversed", adoption_decision_reversed, NULL, -1),
    T("adopters_matched", adopters_matched, NULL, -1), T("correction", correction, NULL, -1),
    T("escalation_raised", escalation_raised, NULL, -1),
    T("work_signed_off", work_signed_off, NULL, -1), T("work_returned", work_returned, NULL, -1),
    T("restriction_changed", restriction_changed, NULL, -1),
    /* erasures: never in a child's history (the rules read facts, which erasure leaves) */
    T("erasure_proposed", erasure_proposed, NULL, -1),
    T("erasure_approved", erasure_approved, NULL, -1),
    T("erasure_declined", erasure_declined, NULL, -1),
    /* legal holds: about the record, never in a child's history */
    T("legal_hold_placed", legal_hold_placed, NULL, -1),
    T("legal_hold_lifted", legal_hold_lifted, NULL, -1),
    /* case-file audits: about practice, never in a child's history */
    T("audit_programme_created", audit_programme_created, NULL, -1),
    T("audit_sample_drawn", audit_sample_drawn, NULL, -1),
    T("audit_case_added", audit_case_added, NULL, -1),
    T("audit_moderator_assigned", audit_moderator_assigned, NULL, -1),
    T("audit_theme_graded", audit_theme_graded, NULL, -1),
    T("audit_case_completed", audit_case_completed, NULL, -1),
    T("audit_finding_actioned", audit_finding_actioned, NULL, -1),
    T("audit_recommendation_made", audit_recommendation_made, NULL, -1),
    T("audit_action_set", audit_action_set, NULL, -1),
    T("audit_report_issued", audit_report_issued, NULL, -1),
    T("audit_report_acknowledged", audit_report_acknowledged, NULL, -1),
    T("audit_action_updated", audit_action_updated, NULL, -1),
    T("audit_action_completed", audit_action_completed, NULL, -1),
    T("audit_action_signed_off", audit_action_signed_off, NULL, -1),
    T("audit_action_returned", audit_action_returned, NULL, -1),
    /* improvement plans: about the service, never in a child's history */
    T("improve_inspection_recorded", improve_inspection_recorded, NULL, -1),
    T("improve_finding_recorded", improve_finding_recorded, NULL, -1),
    T("improve_notice_issued", improve_notice_issued, NULL, -1),
    T("improve_plan_created", improve_plan_created, NULL, -1),
    T("improve_board_member_added", improve_board_member_added, NULL, -1),
    T("improve_board_member_removed", improve_board_member_removed, NULL, -1),
    T("improve_plan_submitted", improve_plan_submitted, NULL, -1),
    T("improve_recommendation_added", improve_recommendation_added, NULL, -1),
    T("improve_point_added", improve_point_added, NULL, -1),
    T("improve_action_added", improve_action_added, NULL, -1),
    T("improve_action_changed", improve_action_changed, NULL, -1),
    T("improve_action_updated", improve_action_updated, NULL, -1),
    T("improve_evidence_added", improve_evidence_added, NULL, -1),
    T("improve_action_completed", improve_action_completed, NULL, -1),
    T("improve_action_signed_off", improve_action_signed_off, NULL, -1),
    T("improve_action_returned", improve_action_returned, NULL, -1),
    T("improve_funding_allocated", improve_funding_allocated, NULL, -1),
    T("improve_funding_changed", improve_funding_changed, NULL, -1),
    T("improve_budget_committed", improve_budget_committed, NULL, -1),
    T("improve_commitment_changed", improve_commitment_changed, NULL, -1),
    T("improve_spend_recorded", improve_spend_recorded, NULL, -1),
    T("improve_spend_reversed", improve_spend_reversed, NULL, -1),
    T("improve_report_issued", improve_report_issued, NULL, -1),
    T("sign_off_awaited", sign_off_awaited, NULL, -1),  /* the engine's own: see above */
    T(CW_CSE_BAND_AGED, cse_risk_assessment, NULL, -1), /* the engine's own: engine.c */
};
const size_t cw_rules_ntypes = N(cw_rules_types);

/* Events about the organisation, accounts and access: never part of a child's
 * history, so no pack may name them. */
static const char *const organisation[] = {"team_created",
                                           "staff_added",
                                           "staff_changed",
                                           "staff_left",
                                           "account_created",
                                           "account_changed",
                                           "password_set",
                                           "record_accessed",
                                           "sign_in_spray_detected",
                                           "token_created",
                                           "token_revoked",
                                           "sign_off_policy",
                                           "deputy_named",
                                           "access_change_proposed",
                                           "access_change_approved",
                                           "access_change_rejected",
                                           NULL};

int cw_rules_type_find(const char *name)
{
    for (size_t i = 0; i < cw_rules_ntypes; i++)
        if (!strcmp(cw_rules_types[i].name, name))
            return (int)i;
    return -1;
}

int cw_rules_type_is_organisation(const char *name)
{
    for (size_t i = 0; organisation[i]; i++)
        if (!strcmp(organisation[i], name))
            return 1;
    return 0;
}

static const cw_ev_field *own_field(int t, const char *name)
{
    const cw_ev_type *et = &cw_rules_types[t];
    for (size_t i = 0; i < et->nfields; i++)
        if (!strcmp(et->fields[i].name, name))
            return &et->fields[i];
    return NULL;
}

const cw_ev_field *cw_rules_field_find(int t, const char *name, int *inherited)
{
    *inherited = 0;
    const cw_ev_field *f = own_field(t, name);
    if (!f && cw_rules_types[t].opener >= 0) {
        f = own_field(cw_rules_types[t].opener, name);
        *inherited = f != NULL;
    }
    return f;
}

const char *cw_rules_cse_band(int64_t score)
{
    return score <= 5 ? bands[0] : score <= 10 ? bands[1] : score <= 15 ? bands[2] : bands[3];
}
