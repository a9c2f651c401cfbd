/*
 * demo.c — the synthetic council (see demo.h and docs/demo.md).
 *
 * Children are generated a locality at a time (about 1,500 children, two
 * service managers, five teams), so memory stays bounded whatever the size of
 * the council. For each locality:
 *   1. plan: each child's journey is drawn from its own PRNG stream (seed,
 *      child number) as compact events (struct dev), with the periods its
 *      case is allocated to a team (struct seg). Nothing after as_of is kept,
 *      and a journey is a sequence in time, so cutting it at as_of (or at a
 *      drift cut-off) leaves a valid record;
 *   2. staff: each team gets enough social workers (slots) for about 22
 *      open cases each at its busiest; segments go to the least loaded slot
 *      in date order; some workers leave and their successor in the slot
 *      takes their cases over (a case_transferred on the day);
 *   3. emit: teams and staff, each child's events in date order, then the
 *      supervision sessions, then the leavers, each as a command through
 *      cw_casework_submit, committed every opts.batch commands.
 * With 50 children or more, once every locality is written, the council's case-file
 * audit follows (emit_audit): a programme, its sample drawn from the log as it stands,
 * its grades, report and actions (docs/demo.md, "The case-file audit").
 * A journey depends only on the seed and the child's number, and nothing
 * reads the clock, so the commands do not depend on the batch size or the
 * machine.
 *
 * Invariants the plan keeps (so that every command validates and, with
 * failure_scale 0, the rules find nothing overdue): each scheduled event is
 * on or before its due date unless the generator chose it to be late; every
 * open allocated case has some casework at least every NOTE_GAP working days
 * (the filler adds case notes); every allocated case is discussed in its
 * worker's supervision at least every 28 days (sessions every 28 days per
 * slot, a session on the day of any hand-over); no allocation or transfer
 * after a case has closed, and nothing after the 18th birthday. The emitted
 * events are also replayed (struct track) to state on as_of what the rules
 * will find for eleven of the rules (demo.h). What issue 12's packs added (visit
 * locations, the child protection route's assessment, placement plans, interim
 * arrangements) is drawn from a second stream per child (r2), and their second
 * batch (contact decisions, return interviews, strategy discussions after a
 * third missing episode in 90 days, reviews of the health assessment) from a
 * third (r3), so the rest of a journey is drawn as before.
 */
#include "demo/demo.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "casework/accounts.h"
#include "casework/casework.h"
#include "improve/improve.h"
#include "quality/audit.h"
#include "util/upn.h"
#include "util/calendar.h"
#include "util/sha256.h"
#include "util/time.h"
#include "util/buf.h"

/* A date after every as_of: "not (yet) happened". */
#define NEVER              100000000
#define LOC_SIZE           1500 /* children per locality */
#define LOCS_PER_COUNCIL   12   /* localities under one head of service */
#define CASELOAD_TARGET    22   /* open cases per social worker at the busiest time */
#define MAX_DISCUSSED      50   /* cases_discussed holds at most 50 */
#define AUDIT_MIN_CHILDREN 50   /* a case-file audit (emit_audit) from this many children */

/* ---- failure shares (docs/demo.md), before failure_scale ---- */

#define P_UNDECIDED    0.02 /* referrals never decided */
#define P_REPEAT       0.05 /* contact-only involvements followed by 2 more contacts */
#define P_A_LATE       0.15 /* assessments completed after 42 working days */
#define P_A_NEVER      0.05 /* assessments never completed */
#define P_A_NOVIEWS    0.08 /* assessments without the child's views */
#define P_V_NOVIEWS    0.04 /* visits without the child's views */
#define P_V_NOTSEEN    0.03 /* assessment and support visits where the child was not seen */
#define P_ICPC_LATE    0.10 /* initial conferences after 15 working days */
#define P_OUTLINE_LATE 0.05 /* outline plans after 5 working days */
#define P_CG_LATE      0.08 /* core groups late */
#define P_REV_LATE     0.08 /* review conferences late */
#define P_CPV_LATE     0.10 /* CP visits more than 10 working days after the last */
#define P_NSA          0.15 /* registrations with a final stretch of visits not seen alone */
#define P_LAPLAN_LATE  0.06 /* looked-after care plans late */
#define P_PPLAN_LATE   0.05 /* placement plans after 5 working days */
#define P_HOME_LATE    0.04 /* CP visits that had to be at home (4 weeks) made elsewhere instead */
#define P_BED_MISS     0.04 /* periods between CP conferences with the bedroom never seen */
#define P_CPA_LATE     0.08 /* assessments on the CP route after 42 working days of the s47 */
#define P_INTERIM_KIN  0.05 /* kinship placements with a temporarily approved carer */
#define P_INTERIM_PAR                                                                              \
    0.30                    /* placements with parents before the assessment or at home on an ICO  \
                             */
#define P_LAV_LATE     0.08 /* looked-after visits late */
#define P_LAR_LATE     0.08 /* looked-after reviews late */
#define P_GP_LATE      0.12 /* GP registration after 10 working days */
#define P_DENT_LATE    0.15 /* dentist after 3 months */
#define P_CSE_UNASSESS 0.10 /* CSE concerns never risk-assessed */
#define P_CSE_NOSTRAT  0.15 /* moderate or significant bands with no strategy discussion */
#define P_CSE_RA_LATE  0.08 /* CSE reassessments after 3 months */
#define P_NEVER_DISC   0.03 /* allocated children never discussed in supervision */
#define P_SUP_MISSED   0.08 /* supervision sessions that do not happen */
#define P_DRIFT        0.12 /* care and support cases open at as_of that drift */
#define P_CDEC_LATE    0.04 /* contacts that go no further decided after 1 working day */
#define P_RI_LATE      0.06 /* return interviews offered more than 3 days after the return */
#define P_RI_NEVER     0.03 /* returned missing episodes never offered a return interview */
#define P_RM_NOSTRAT   0.10 /* 3rd missing episodes in 90 days with no strategy discussion */
#define P_HA_LATE      0.06 /* reviews of the looked-after health assessment late */
#define P_NA_LATE      0.05 /* care leavers' needs assessments after 3 months */
#define P_PPR_LATE     0.08 /* pathway plan reviews after 6 months */
#define P_PAV_LATE     0.08 /* personal adviser visits late */
#define P_PEP_LATE     0.06 /* personal education plans, and their reviews, late */
#define P_CINR_LATE    0.06 /* reviews of a care and support (child in need) plan late */

/* ---- signs of manipulation (docs/demo.md), before failure_scale ---- */

#define P_I_LATE_W    0.05  /* social workers who record late: 35% of entries 11-30 wd after */
#define P_I_BULK_W    0.05  /* social workers who enter a month's backlog in one sitting */
#define P_I_PASTE_W   0.04  /* social workers who paste one text into every visit */
#define P_I_HIDDEN    0.20  /* late assessments (done 11+ wd late) dated the day before due */
#define P_I_CORRECT   0.20  /* (other) such assessments whose date a correction moves */
#define P_I_OUTSIDE   0.002 /* case notes recorded by a worker of another team */
#define P_I_CLUSTER_W 0.10  /* social workers who date their visits on the due date */
#define P_I_CLUSTER_V 0.75  /* of their visits that can be: dated on the due date */
#define P_I_RESET     0.20  /* late looked-after reviews, GP or dental checks: care ends instead */
#define PASTED        "Child seen. No concerns. Plan continues."

/* ---- vocabulary ---- */

enum { T_IAA, T_ASSESS, T_SAFE, T_SUPPORT, T_LAC, NTEAMS };
static const char *const TEAM_SHORT[NTEAMS] = {"iaa", "assess", "safe", "support", "lac"};
static const char *const TEAM_NAME[NTEAMS] = {"Information, Advice and Assistance", "Assessment",
                                              "Safeguarding", "Family Support",
                                              "Children Looked After"};
static const char *const TEAM_AREA[NTEAMS] = {"Front door", "Assessment", "Child protection",
                                              "Care and support", "Looked after children"};

enum evt {
    E_CHILD,
    E_CONTACT,
    E_REFERRAL,
    E_DECIDED,
    E_ASTART,
    E_ADONE,
    E_STRATEGY,
    E_S47START,
    E_S47DONE,
    E_CONFERENCE,
    E_CORE_GROUP,
    E_PLAN,
    E_LASTART,
    E_PLACEMENT,
    E_LAEND,
    E_LAREVIEW,
    E_HEALTH,
    E_VISIT,
    E_NOTE,
    E_CSE,
    E_MISSING,
    E_ALLOC,
    E_TRANSFER,
    E_CLOSE,
    E_REOPEN,
    E_CDECIDED,
    E_RETURN,
    E_LCSTATUS,
    E_NEEDS,
    E_PAVISIT,
    E_DETAILS,
    E_LSCHANGE,
    E_CLCONTACT,
    E_ADDECIDE,
    E_ADREVERSE,
    E_ADMATCH,
    NEVT
};
static const char *const EVT_NAME[NEVT] = {"child_registered",
                                           "contact_received",
                                           "referral_received",
                                           "referral_decided",
                                           "assessment_started",
                                           "assessment_completed",
                                           "strategy_discussion_held",
                                           "section_47_started",
                                           "section_47_completed",
                                           "conference_held",
                                           "core_group_held",
                                           "plan_recorded",
                                           "looked_after_started",
                                           "placement_changed",
                                           "looked_after_ended",
                                           "looked_after_review_held",
                                           "health_check_recorded",
                                           "statutory_visit",
                                           "case_note",
                                           "cse_risk_assessment",
                                           "missing_episode",
                                           "case_allocated",
                                           "case_transferred",
                                           "case_closed",
                                           "case_reopened",
                                           "contact_decided",
                                           "return_interview",
                                           "leaving_care_status",
                                           "needs_assessment_completed",
                                           "personal_adviser_visit",
                                           "child_details_recorded",
                                           "legal_status_changed",
                                           "care_leaver_contact",
                                           "adoption_decision_made",
                                           "adoption_decision_reversed",
                                           "adopters_matched"};

/* Casework that counts as activity for the drift signal (rules/wales.rules: its met_by lines,
 * which leave out contact decisions, return interviews and the care leavers' entries). */
static int activity(int t)
{
    return t != E_CHILD && t != E_LAEND && t != E_CLOSE && t != E_REOPEN && t != E_CDECIDED &&
           t != E_RETURN && t != E_LCSTATUS && t != E_NEEDS && t != E_PAVISIT && t != E_DETAILS &&
           t != E_LSCHANGE && t != E_CLCONTACT && t != E_ADDECIDE && t != E_ADREVERSE &&
           t != E_ADMATCH;
}

enum actor { A_HOLDER, A_FRONT, A_FRONT_TM, A_TM };

enum flag {
    F_LATE = 1u << 0,
    F_NEVER = 1u << 1,
    F_NOVIEWS = 1u << 2,
    F_SEEN = 1u << 3,
    F_ALONE = 1u << 4,
    F_CSE = 1u << 5,
    F_UNTIL18 = 1u << 6,
    F_SCHOOL = 1u << 7,
    F_CP = 1u << 8,
    F_LA = 1u << 9,
    F_NOSTRAT = 1u << 10,
    F_NSA = 1u << 12,
    F_INTERVIEW = 1u << 13,
    F_OVERRIDE = 1u << 14,
    F_FIRST = 1u << 15, /* the first risk assessment of a CSE cycle */
    F_EXTRA = 1u << 16, /* a hand-over when a worker leaves */
    F_GP = 1u << 17,
    F_DENT = 1u << 18,
    F_I_HIDE = 1u << 19,   /* injected: dated before its due date, recorded on x2 (docs/demo.md) */
    F_I_MOVE = 1u << 20,   /* injected: a correction will move its date to x2 */
    F_I_RESET = 1u << 21,  /* injected: care ended while work was overdue, begun again soon */
    F_I_DUE = 1u << 22,    /* injected: a visit moved to its due date */
    F_HOME = 1u << 23,     /* a visit at the child's home (location home) */
    F_BEDROOM = 1u << 24,  /* a home visit that saw the child's bedroom */
    F_REASON = 1u << 25,   /* seen, not alone, with the reason recorded (meets the duty) */
    F_WEEKLY = 1u << 26,   /* a weekly visit of an interim arrangement */
    F_CPA = 1u << 11,      /* an assessment on the child protection route */
    F_HOMELATE = 1u << 27, /* a CP visit that had to be at home, made elsewhere (P_HOME_LATE) */
    F_NOBED = 1u << 28,    /* a CP conference after which the bedroom is not seen (P_BED_MISS) */
    F_REVIEW = 1u << 29,   /* a plan recorded by plan_reviews (a review, or a PEP) */
};

static const char *const SOURCES[] = {"police",    "school",    "health",          "self", "family",
                                      "neighbour", "anonymous", "local_authority", "other"};
enum { SRC_POLICE, SRC_SCHOOL, SRC_HEALTH, SRC_SELF };
static const uint16_t SOURCE_W[] = {28, 20, 15, 4, 8, 5, 4, 8, 8};

static const char *const CONTACT_TEXT[9][3] = {
    {"Police notification: domestic abuse incident at the family home; the child was present.",
     "Police found the child out late at night with older young people and took them home.",
     "Police attended a disturbance at the address and are concerned about the home conditions."},
    {"School reports the child arrived hungry and in unwashed clothes on several days.",
     "Teacher noticed bruising on the child's arm; the explanation given was inconsistent.",
     "School is concerned about falling attendance and a change in the child's behaviour."},
    {"Health visitor concerned about missed appointments and the baby's weight.",
     "Emergency department attendance with an injury that needs explaining.",
     "GP concerned about a parent's mental health and the care of the children."},
    {"The young person asked a youth worker for help because of arguments at home.",
     "The young person phoned to say they do not feel safe at home.",
     "The young person disclosed at a drop-in session that they are sleeping on friends' sofas."},
    {"A grandparent is worried about the parents' drinking and the care of the children.",
     "An aunt reports the children are often left with different adults overnight.",
     "A parent asked for help because they cannot manage the child's behaviour."},
    {"A neighbour reports the children are often left alone in the evening.",
     "A neighbour heard shouting and a child crying late at night on several occasions.",
     "A neighbour is worried that the children seem hungry and poorly dressed."},
    {"Anonymous caller concerned about shouting and a crying child at the address.",
     "Anonymous caller says the parents use drugs while caring for the children.",
     "Anonymous report that the child is left to look after younger siblings."},
    {"Housing officer concerned about the condition of the property and the children's safety.",
     "Youth offending service concerned about the young person's associations.",
     "Education welfare officer concerned about persistent absence from school."},
    {"Voluntary sector worker concerned about the family's circumstances.",
     "Sports coach concerned about unexplained injuries and the child's low mood.",
     "Faith group leader concerned about the care of the children."}};

static const char *const CSE_TEXT[3] = {
    "Concern that the young person is associating with older adults and has unexplained gifts.",
    "The young person was found in a car with adults not known to the family late at night.",
    "School heard that the young person has been sharing images with an adult online."};

static const char *const DECISIONS[] = {"no_further_action", "assessment", "strategy_discussion"};
enum { D_NFA, D_ASSESS, D_STRAT };

/* A contact's outcome (contact_decided): a contact that goes no further is closed with no
 * further action, information and advice, or early help; otherwise it is passed for a
 * referral. */
static const char *const CONTACT_OUTCOMES[] = {"no_further_action", "information_and_advice",
                                               "early_help", "referral"};
enum { CO_NFA, CO_ADVICE, CO_EARLY_HELP, CO_REFERRAL };
static const uint16_t CONTACT_OUTCOME_W[] = {35, 40, 25};

/* Who offered a return interview (return_interview conducted_by). */
/* A care leaver's status (e->a of a leaving_care_status; e->b: the authority provides the
 * accommodation), what they said in their needs assessment, and who visits them. */
static const char *const LC_STATUSES[] = {"eligible", "relevant"};
enum { LC_ELIGIBLE, LC_RELEVANT };
static const char *const LC_VIEWS[4] = {
    "Said they want to stay with their carers until they finish college.",
    "Said they want to learn to cook and manage money before they move on.",
    "Said they would like their own flat near their friends and their part-time job.",
    "Said they are worried about leaving care and want to keep the same worker."};
static const char *const ADVISER = "Leaving care team: personal adviser";
static const char *const INTERVIEWERS[] = {"Return interview service", "Allocated social worker"};

static const char *const OUTCOMES[] = {"no_further_action", "care_and_support_plan",
                                       "child_protection", "looked_after", "other_services"};
enum { O_NFA, O_CIN, O_CP, O_LA, O_OTHER };

static const char *const ANALYSIS[5][2] = {
    {"Concerns were not substantiated; the family has good support and no further action is "
     "needed.",
     "Parents acted protectively and the child's needs are met; advice given and the case will "
     "close."},
    {"Needs around routines, school attendance and parental stress can be met through a care and "
     "support plan.",
     "Parents engage well; a care and support plan will address housing, health appointments and "
     "family support."},
    {"Evidence of ongoing risk of significant harm; the parents minimise the concerns. A strategy "
     "discussion is needed.",
     "Repeated domestic abuse incidents and neglect of basic care indicate a risk of significant "
     "harm."},
    {"The child cannot remain safely at home and no family placement is available; the child "
     "needs to be looked after.",
     "Parents are unable to meet the child's needs even with support; the child needs to be "
     "looked after."},
    {"Needs are best met by universal and community services; referral to family support made "
     "with consent.",
     "Early help through the school and the family centre is appropriate; signposted with "
     "consent."}};

static const char *const VIEWS[3][4] = {
    {"Observed: settled and responsive with the carer; smiled and babbled during play.",
     "Observed: reached for the carer for comfort and appeared well cared for on the day.",
     "Observed: alert and curious, explored the room and returned to the carer often.",
     "Observed: quiet and watchful at first, then played with the worker's toys."},
    {"Said they like school and their friends but do not like it when the grown-ups shout.",
     "Drew a picture of home and said they feel happy when their nan visits.",
     "Said they are hungry sometimes and would like to have tea every day.",
     "Said they feel safe at home now and like the new bedtime routine."},
    {"Said they want the arguments at home to stop and would like help with school.",
     "Said they feel safer now and want to keep seeing their worker.",
     "Said they do not want to talk about the people they meet, but they know who to call.",
     "Said they want to stay where they are living and to see their brother more often."}};

static const char *const NO_VIEWS[4] = {
    "The child was asleep throughout the visit.", "The child declined to speak with the worker.",
    "The parent would not allow the worker to speak with the child.",
    "The visit took place at the door; the child was not spoken with."};
static const char *const NOT_SEEN = "Child not seen: no one was at home at the agreed time.";

static const char *const NOTES[12] = {
    "Telephone call with the school: attendance has improved this half term.",
    "Discussion with the health visitor: the next developmental check is booked.",
    "Letter sent to the parents confirming the plan and the date of the next visit.",
    "Call from the parent asking for help with housing; referred to the housing team.",
    "Multi-agency update received from the police; no new incidents reported.",
    "Family support worker session: work on routines and boundaries continued.",
    "Attempted home visit; no answer. Card left and a follow-up visit arranged.",
    "Liaison with the carer: the child has settled well and family time is arranged.",
    "Records updated after the meeting; actions shared with the partner agencies.",
    "Direct work session at school; the child's wishes and feelings recorded.",
    "Telephone call with the GP: the parent is engaging with the mental health service.",
    "Chronology brought up to date and shared with the team manager."};

static const char *const CLOSE_TEXT[] = {
    "No further action: advice and information given at the front door.",
    "Referral decided no further action; signposted to community services.",
    "Assessment complete: no further action needed.",
    "Referred to universal and community services with the family's consent.",
    "Care and support plan outcomes achieved; case closed.",
    "Section 47 enquiry concluded with no further action.",
    "Child deregistered; needs now met by universal services.",
    "Child no longer looked after; case closed.",
    "Reached 18; transferred to the leaving care and adult services.",
    "Assessment not completed; the family moved away and the case was closed."};
enum {
    CL_CONTACT_NFA,
    CL_REFERRAL_NFA,
    CL_ASSESS_NFA,
    CL_OTHER_SERVICES,
    CL_CIN_DONE,
    CL_S47_NFA,
    CL_DEREG,
    CL_LA_ENDED,
    CL_AGE18,
    CL_NOT_COMPLETED
};

static const char *const REOPEN_TEXT[2] = {"Re-referral: new concerns received and accepted.",
                                           "New referral accepted for assessment."};
static const char *const TRANSFER_TEXT[] = {
    "Allocated for assessment.", "Transfer to the safeguarding team for child protection work.",
    "Transfer to the family support team for the care and support plan.",
    "Transfer to the children looked after team.",
    "The allocated worker left the authority; case reallocated to their successor."};
enum { TR_ASSESS, TR_SAFE, TR_SUPPORT, TR_LAC, TR_LEFT };

static const char *const SUP_DECISIONS[4] = {
    "Each case reviewed: risks, progress against the plan and next steps agreed.",
    "Caseload reviewed; visits and recording brought up to date; priorities agreed.",
    "Plans reviewed with the worker; two cases to be stepped down, others continue.",
    "Reflective discussion of the most complex cases; actions agreed for each."};
static const char *const SUP_ACTIONS[4] = {
    "Update the chronologies; book the next core groups; complete the outstanding visits.",
    "Record the children's views on each visit; review the plans before the next session.",
    "Arrange joint visits for the two cases of most concern; update the risk assessments.",
    "Close the cases agreed for closure; send letters to the families."};
static const char *const SUP_HANDOVER = "Case hand-over: each case transferred to the worker "
                                        "discussed, with its plan, risks and next visits.";
static const char *const SUP_TM =
    "Team performance reviewed: allocations, overdue visits and assessments, supervision.";

static const char *const PLAN_KINDS[] = {
    "care_and_support", "child_protection_outline", "child_protection", "looked_after", "pathway",
    "placement",        "personal_education"};
enum { PK_CARE, PK_OUTLINE, PK_CP, PK_LA, PK_PATHWAY, PK_PLACEMENT, PK_PEP };
/* Where a visit was (e->c of a visit); home is where the child lives. */
static const char *const LOCATIONS[] = {"home", "school", "office", "other"};
enum { LOC_HOME, LOC_SCHOOL, LOC_OFFICE, LOC_OTHER };
/* A placement's interim arrangement (e->b of a placement: 0 none, else the index + 1). */
static const char *const INTERIMS[] = {"parent_before_assessment", "temporary_approval",
                                       "interim_care_order_at_home"};
enum { IA_NONE, IA_PARENT, IA_TEMPORARY, IA_ICO };

static const char *const CATEGORIES[] = {"neglect", "emotional", "physical", "sexual"};
static const uint16_t CATEGORY_W[] = {45, 33, 14, 8};
static const char *const CONF_KINDS[] = {"initial", "review"};
static const char *const CONF_DECISIONS[] = {"register", "continue", "deregister",
                                             "not_registered"};
enum { CD_REGISTER, CD_CONTINUE, CD_DEREGISTER, CD_NOT_REGISTERED };
static const char *const STRAT_DECISIONS[] = {"section_47", "no_further_action", "other"};
enum { SD_S47, SD_NFA, SD_OTHER };
static const char *const S47_OUTCOMES[] = {"initial_conference", "child_in_need",
                                           "no_further_action"};
enum { SO_ICPC, SO_CIN, SO_NFA };
static const char *const PLACEMENTS[] = {"foster",       "kinship",  "residential",
                                         "with_parents", "adoption", "other"};
enum { PT_FOSTER, PT_KINSHIP, PT_RESIDENTIAL, PT_PARENTS, PT_ADOPTION, PT_OTHER };
static const char *const LA_REASONS[] = {"returned_home", "adoption", "special_guardianship",
                                         "age_18", "other"};
enum { LR_HOME, LR_ADOPTION, LR_SGO, LR_AGE18, LR_OTHER };
static const char *const HEALTH_KINDS[] = {"gp_registration",   "dental_check",
                                           "health_assessment", "immunisations",
                                           "development_check", "sdq"};
static const char *const BANDS[] = {"no_apparent_risk", "mild", "moderate", "significant"};
enum { B_NONE, B_MILD, B_MODERATE, B_SIGNIFICANT };

static const char *const VULNERABILITIES[12] = {
    "history_of_abuse",           "domestic_abuse_at_home", "parental_substance_misuse",
    "parental_mental_ill_health", "looked_after",           "disrupted_education",
    "learning_disability",        "bereavement_or_loss",    "low_self_esteem",
    "isolated_from_peers",        "homelessness",           "young_carer"};
static const char *const MODERATE[10] = {"missing_from_home_or_care",
                                         "unexplained_gifts_or_money",
                                         "older_associates",
                                         "truancy",
                                         "sexual_health_concerns",
                                         "substance_misuse",
                                         "secretive_phone_or_online_use",
                                         "staying_out_late",
                                         "change_in_appearance",
                                         "peers_involved_in_exploitation"};
static const char *const SIGNIFICANT[6] = {
    "repeatedly_missing_overnight", "seen_in_known_hotspots",
    "disclosure_of_exploitation",   "sexually_transmitted_infection",
    "abduction_or_trafficking",     "association_with_known_perpetrators"};
static const char *const OVERRIDE_TEXT =
    "Professional judgement: the young person's disclosure indicates a higher risk than the "
    "score.";

/* Names: first names are common ones; family names and places are built from
 * syllables, so no real person or address is named. */
static const char *const GIVEN_F[24] = {"Alys",  "Bethan", "Carys", "Cerys", "Efa",   "Elin",
                                        "Ffion", "Gwen",   "Lowri", "Mali",  "Megan", "Nia",
                                        "Seren", "Tegan",  "Ava",   "Isla",  "Freya", "Ruby",
                                        "Poppy", "Evie",   "Maya",  "Zara",  "Amira", "Layla"};
static const char *const GIVEN_M[24] = {"Aled",  "Cai",    "Dafydd", "Elis",  "Gethin", "Harri",
                                        "Ifan",  "Macsen", "Osian",  "Rhys",  "Tomos",  "Iwan",
                                        "Noah",  "Leo",    "Oscar",  "Theo",  "Jack",   "Mason",
                                        "Riley", "Alfie",  "Ali",    "Yusuf", "Kofi",   "Mateo"};
static const char *const GIVEN_X[8] = {"Alex",   "Sam",   "Jordan", "Robin",
                                       "Morgan", "Rowan", "Eden",   "Sky"};
static const char *const FAM_A[20] = {"Ash", "Bel", "Cor", "Dun", "Elm", "Fen", "Gar",
                                      "Hal", "Ket", "Lor", "Mar", "Nor", "Pem", "Quel",
                                      "Ros", "Sel", "Tam", "Vel", "Wyn", "Yar"};
static const char *const FAM_B[20] = {"bury",  "croft", "den",   "ford", "gate",   "hurst", "lan",
                                      "mere",  "ock",   "ridge", "ston", "thorpe", "well",  "wick",
                                      "worth", "by",    "ley",   "more", "ton",    "dale"};
static const char *const PLACE_A[12] = {"Aber", "Bryn", "Cwm",  "Llan", "Pen",  "Tre",
                                        "Maes", "Pont", "Glyn", "Rhos", "Caer", "Nant"};
static const char *const PLACE_B[12] = {"wylan",  "dderwen",  "gwyn",   "hesg",
                                        "corsen", "meillion", "rhedyn", "eithin",
                                        "gwenyn", "celyn",    "mafon",  "grug"};
static const char *const STREET_A[20] = {"Alder",   "Bracken", "Cedar",  "Dingle", "Elm",
                                         "Fern",    "Gorse",   "Hazel",  "Ivy",    "Juniper",
                                         "Kestrel", "Larch",   "Meadow", "Nettle", "Oak",
                                         "Plover",  "Quarry",  "Rowan",  "Sorrel", "Thistle"};
static const char *const STREET_B[10] = {"Close",   "Road",     "Street",  "Avenue", "Way",
                                         "Terrace", "Crescent", "Gardens", "Lane",   "View"};

static const char *const ETHNICITY[16] = {"White: British",
                                          "White: Irish",
                                          "White: Gypsy or Irish Traveller",
                                          "White: other",
                                          "Mixed: White and Black Caribbean",
                                          "Mixed: White and Asian",
                                          "Mixed: other",
                                          "Asian: Pakistani",
                                          "Asian: Bangladeshi",
                                          "Asian: Indian",
                                          "Asian: other",
                                          "Black: African",
                                          "Black: Caribbean",
                                          "Arab",
                                          "Other ethnic group",
                                          "Not stated"};
static const uint16_t ETHNICITY_W[16] = {860, 5, 8, 25, 15, 10, 12, 10, 8, 6, 5, 12, 4, 6, 6, 9};
static const char *const GENDERS[] = {"female", "male", "other", "not_known"};
static const uint16_t GENDER_W[] = {485, 510, 3, 2};
static const char *const LANGUAGES[] = {"english", "welsh", "other"};
/* Age at first contact, years 0..17. */
static const uint16_t AGE_W[18] = {90, 55, 55, 55, 55, 50, 50, 50, 50,
                                   50, 60, 60, 60, 60, 60, 60, 40, 40};

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream, uint64_t kind)
{
    uint64_t x = seed;
    uint64_t a = splitmix(&x);
    x = a ^ (stream * 0xd1342543de82ef95u) ^ kind;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [lo, hi] (hi >= lo). */
static int32_t uni(rng *r, int32_t lo, int32_t hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
    return (int32_t)(lo + (int64_t)(((next64(r) >> 32) * span) >> 32));
}

static int chance(rng *r, double p)
{
    return (double)(next64(r) >> 11) * 0x1.0p-53 < p;
}

static int pickw(rng *r, const uint16_t *w, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int32_t x = uni(r, 0, (int32_t)total - 1);
    for (int i = 0; i < n; i++) {
        if (x < (int32_t)w[i])
            return i;
        x -= (int32_t)w[i];
    }
    return n - 1;
}

/* Stateless draws (from the seed and what is drawn for), for what must not disturb the
 * journeys' streams. */
static uint64_t mix(uint64_t x)
{
    return splitmix(&x);
}

static double unit(uint64_t h)
{
    return (double)(h >> 11) * 0x1.0p-53;
}

/* ---- the plan ---- */

/* One event of a child's journey, before it becomes a command. */
typedef struct dev {
    cw_date date;
    cw_date x;  /* a second date: child_seen_date, returned, an assessment's due date; 0 = none */
    cw_date x2; /* injected (F_I_HIDE, F_I_MOVE): the day really recorded, or the date to move to */
    uint32_t seq;
    uint32_t flags;
    uint32_t mask;  /* CSE items: bits 0-11 vulnerabilities, 12-21 moderate, 22-27 significant */
    int32_t seg;    /* allocation or transfer: its segment */
    int32_t worker; /* a hand-over (F_EXTRA): the new worker */
    uint16_t n, n2; /* record numbers */
    uint8_t type, actor, team, a, b, c;
} dev;

/* A period during which a team holds the child's case. */
typedef struct seg {
    uint32_t child;
    cw_date start, end; /* end: the day it closed or moved on, or NEVER */
    int32_t prev;       /* the child's previous segment, or -1 */
    uint8_t team, cont; /* cont: follows prev with no gap (a transfer between teams) */
    int32_t slot;
    int32_t worker, holder; /* team-local worker numbers at its start and at its end */
} seg;

/* One worker's time in a slot: from this day until the next one's. */
typedef struct tenure {
    cw_date from;
    int32_t worker; /* team-local worker number */
} tenure;

/* A social worker's place in a team, held by one worker after another. */
typedef struct slot {
    tenure *t; /* in order; t[0].from is the start of the history */
    size_t n, cap;
    cw_date *ends; /* sweep: end dates of the segments it holds */
    size_t nends, capends;
    int32_t *segs; /* segments assigned to it, in start order */
    size_t nsegs, capsegs;
} slot;

typedef struct staffing {
    slot *slots;
    size_t nslots;
    int32_t nworkers;
    uint8_t *senior; /* per worker: 1 = senior practitioner */
} staffing;

typedef struct child {
    uint64_t num; /* the child's number: id C0000001 ... */
    size_t ev_off, ev_n, seg_off, seg_n;
    cw_date dob, entry, cutoff;
    uint8_t gender, lang, eth, given, fam_a, fam_b, street_a, street_b, town, restricted;
    uint8_t never_discussed, correct;
    cw_date cse_unassessed; /* the CSE indicator never risk-assessed, or 0 */
    uint16_t house;
    uint32_t correct_seq;
    cw_date run_start;   /* start of the allocation open at as_of, or NEVER */
    cw_date last_disc;   /* the last supervision that discussed the child, or 0 */
    uint8_t cin_overdue; /* a care and support plan's review past due at as_of (plan_reviews) */
} child;

typedef struct gen gen;

typedef struct loc {
    gen *g;
    uint32_t num, council, first_in_council;
    rng r;
    child *kids;
    size_t nkids;
    dev *ev;
    size_t nev, capev;
    seg *segs;
    size_t nsegs, capsegs;
    dev *extra; /* hand-overs when a worker leaves */
    size_t nextra, capextra;
    staffing teams[NTEAMS];
    uint32_t welsh_pm; /* Welsh speakers per 1,000 children in this locality */
    uint8_t place[4][2];
    dev *tmp; /* one child's events while emitting */
    size_t captmp;
    int oom;
} loc;

struct gen {
    cw_ledger *l;
    cw_demo_opts o;
    cw_calendar cal;
    cw_date as_of, start;
    cw_demo_stats st;
    cw_error *err;
    size_t inbatch;
    uint64_t children_done;
    uint64_t slots;    /* social workers in post at as_of (one per slot) */
    cw_date force_rec; /* the next command was really recorded on this day (0: drawn) */
    uint32_t altered;  /* the patterns that altered the command in hand (bits), for opts.altered */
    struct inj {
        char actor[80];
        int pattern;
        uint32_t n;       /* entries it touched */
        char kids[8][16]; /* bulk entry: the first children they were about */
        uint32_t nkids;
    } * inj; /* people chosen for a pattern about a person, as met */
    size_t ninj, capinj;
    char imp_audit_report[65]; /* the case-file audit's report, once issued (emit_improve) */
    char imp_audit_rec[65];    /* its recommendation on supervision (emit_improve) */
};

/* The state of one child while its journey is drawn. */
typedef struct kid {
    gen *g;
    loc *L;
    child *c;
    uint32_t ci;
    rng r;
    rng r2; /* the second stream: draws for what issue 12 added (see U2) */
    rng r3; /* the third stream: the second batch of issue 12's rules (see U3) */
    rng r4; /* the fourth stream: plan reviews and personal education plans (see plan_reviews) */
    uint32_t seq;
    cw_date lim; /* the 18th birthday */
    int closed, ever_alloc, on_register, stop, depth, cse_profile, cse_entry, nostrat;
    int32_t cur_seg, last_seg;
    uint16_t nct, nref, nass, nstr, nenq, ncon, nplan, npl, nmis;
    cw_date cr[48]; /* contacts and referrals, oldest first */
    size_t ncr;
    cw_date last_astart;
    uint16_t strat_ref; /* the referral decided for the strategy discussion in hand, or 0 */
    cw_date ind[32];    /* CSE indicators the journey raised in this involvement */
    size_t nind;
    cw_date mis[16]; /* the child's missing episodes, oldest first (the last 16) */
    size_t nmis_d;
    dev sink;
} kid;

/* ---- dates ---- */

static int isw(const gen *g, cw_date d)
{
    bool w = false;
    if (d < g->cal.first || d > g->cal.last) {
        int wd = cw_date_weekday(d);
        return wd <= 5;
    }
    cw_calendar_is_working_day(&g->cal, d, &w, NULL);
    return w;
}

/* The n-th working day after d (before, n < 0); NEVER past the calendar. */
static cw_date W(const gen *g, cw_date d, int32_t n)
{
    cw_date out;
    if (d >= NEVER || d < g->cal.first || d > g->cal.last ||
        cw_calendar_add_working_days(&g->cal, d, n, &out, NULL))
        return NEVER;
    return out;
}

static cw_date nextw(const gen *g, cw_date d)
{
    return isw(g, d) ? d : W(g, d, 1);
}

/* d + n months, as the rules count them; NEVER stays NEVER. */
static cw_date M(cw_date d, int32_t n)
{
    return d >= NEVER ? NEVER : cw_date_add_months(d, n);
}

static cw_date dmin(cw_date a, cw_date b)
{
    return a < b ? a : b;
}

static cw_date dmax(cw_date a, cw_date b)
{
    return a > b ? a : b;
}

/* ---- drawing ---- */

/* Draws from one of a child's streams: a number in [lo, hi], a chance, and a failure drawn
 * with its documented share times failure_scale (always drawing, so the stream stays the
 * same whatever the scale). */
static int32_t U_(rng *r, int32_t lo, int32_t hi)
{
    return uni(r, lo, hi < lo ? lo : hi);
}

static int PF_(const kid *k, rng *r, double base)
{
    return chance(r, base * k->g->o.failure_scale);
}

/* The child's first stream draws its journey. The second draws what the packs of issue 12
 * added to it (where visits are, the assessment of the child protection route, placement
 * plans, interim arrangements and their weekly visits); the third the second batch of issue
 * 12's rules (contact decisions, return interviews, strategy discussions after repeated
 * missing episodes, the reviews of the looked-after health assessment). So the rest of each
 * journey is drawn as before each was added. */
#define U(k, lo, hi)  U_(&(k)->r, (lo), (hi))
#define P(k, p)       chance(&(k)->r, (p))
#define PF(k, base)   PF_((k), &(k)->r, (base))
#define U2(k, lo, hi) U_(&(k)->r2, (lo), (hi))
#define P2(k, p)      chance(&(k)->r2, (p))
#define PF2(k, base)  PF_((k), &(k)->r2, (base))
#define U3(k, lo, hi) U_(&(k)->r3, (lo), (hi))
#define P3(k, p)      chance(&(k)->r3, (p))
#define PF3(k, base)  PF_((k), &(k)->r3, (base))
#define U4(k, lo, hi) U_(&(k)->r4, (lo), (hi))
#define PF4(k, base)  PF_((k), &(k)->r4, (base))

static int age_at(const kid *k, cw_date d)
{
    if (d >= NEVER)
        return 99;
    int y1, y2;
    unsigned m1, m2, d1, d2;
    cw_date_to_ymd(k->c->dob, &y1, &m1, &d1);
    cw_date_to_ymd(d, &y2, &m2, &d2);
    int a = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1))
        a--;
    return a;
}

/* Appends an event to the child's journey; events after as_of are dropped. */
static dev *add(kid *k, int type, cw_date d, int actor)
{
    loc *L = k->L;
    if (d > k->g->as_of || L->oom) {
        memset(&k->sink, 0, sizeof k->sink);
        return &k->sink;
    }
    if (cw_array_grow(&L->ev, &L->capev, L->nev, sizeof *L->ev)) {
        L->oom = 1;
        memset(&k->sink, 0, sizeof k->sink);
        return &k->sink;
    }
    dev *e = &L->ev[L->nev++];
    memset(e, 0, sizeof *e);
    e->type = (uint8_t)type;
    e->date = d;
    e->seq = k->seq++;
    e->actor = (uint8_t)actor;
    e->seg = -1;
    e->worker = -1;
    return e;
}

/* Allocates the case to team from d (a transfer if it was allocated before). */
static void allocate(kid *k, int tm, cw_date d, int reason)
{
    loc *L = k->L;
    if (d > k->g->as_of || L->oom || k->closed)
        return;
    if (k->cur_seg >= 0 && L->segs[k->cur_seg].team == tm)
        return;
    if (cw_array_grow(&L->segs, &L->capsegs, L->nsegs, sizeof *L->segs)) {
        L->oom = 1;
        return;
    }
    int32_t i = (int32_t)L->nsegs++;
    seg *s = &L->segs[i];
    memset(s, 0, sizeof *s);
    s->child = k->ci;
    s->start = d;
    s->end = NEVER;
    s->prev = k->last_seg;
    s->team = (uint8_t)tm;
    s->cont = k->cur_seg >= 0;
    s->slot = -1;
    if (k->cur_seg >= 0)
        L->segs[k->cur_seg].end = d;
    dev *e = add(k, k->ever_alloc ? E_TRANSFER : E_ALLOC, d, A_TM);
    e->team = (uint8_t)tm;
    e->seg = i;
    e->a = (uint8_t)reason;
    k->cur_seg = k->last_seg = i;
    k->ever_alloc = 1;
}

/* Closes the case on d; returns d, or NEVER if d is after as_of. */
static cw_date close_case(kid *k, cw_date d, int reason)
{
    if (d > k->g->as_of)
        return NEVER;
    if (k->closed)
        return d;
    dev *e = add(k, E_CLOSE, d, A_HOLDER);
    e->a = (uint8_t)reason;
    if (k->cur_seg >= 0)
        k->L->segs[k->cur_seg].end = d;
    k->cur_seg = -1;
    k->closed = 1;
    return d;
}

static void reopen(kid *k, cw_date d)
{
    if (!k->closed || d > k->g->as_of)
        return;
    dev *e = add(k, E_REOPEN, d, A_FRONT_TM);
    e->a = (uint8_t)U(k, 0, 1);
    k->closed = 0;
}

static void indicator(kid *k, cw_date d)
{
    if (k->nind < sizeof k->ind / sizeof k->ind[0] && d <= k->g->as_of)
        k->ind[k->nind++] = d;
}

static void note_contact(kid *k, cw_date d)
{
    if (k->ncr == sizeof k->cr / sizeof k->cr[0]) {
        memmove(k->cr, k->cr + 1, (k->ncr - 1) * sizeof k->cr[0]);
        k->ncr--;
    }
    k->cr[k->ncr++] = d;
}

/* Contacts and referrals in the 12 months up to d (counting generously). */
static int count12(const kid *k, cw_date d)
{
    cw_date lo = M(d, -12) - 2;
    int n = 0;
    for (size_t i = 0; i < k->ncr; i++)
        n += k->cr[i] >= lo && k->cr[i] <= d;
    return n;
}

/* An assessment started in the 12 months up to d (counting strictly). */
static int assessed12(const kid *k, cw_date d)
{
    return k->last_astart >= M(d, -12) + 2 && k->last_astart <= d;
}

enum { V_ASSESS, V_CIN, V_CP, V_LA };

/*
 * A statutory visit at location where (LOC_HOME ...); returns the visit (the sink after as_of).
 * A child under 2 on the register, and a looked-after child not seen alone, is seen with the
 * reason recorded (F_REASON), which meets the seen-alone duty; the injected stretch of visits
 * not seen alone (alone_ok 0, F_NSA) records none.
 */
static dev *visit_at(kid *k, rng *r, cw_date d, int kind, int alone_ok, int late, int where)
{
    int age = age_at(k, d);
    dev *e = add(k, E_VISIT, d, A_HOLDER);
    int seen = kind == V_CP || kind == V_LA || !PF_(k, r, P_V_NOTSEEN);
    int young = kind == V_CP && d < M(k->c->dob, 24);
    int alone = seen && (kind == V_CP ? alone_ok && !young : age >= 4 && chance(r, 0.8));
    int reason = seen && !alone && (kind == V_LA || (kind == V_CP && alone_ok));
    e->flags |= (seen ? F_SEEN : 0) | (alone ? F_ALONE : 0) | (late ? F_LATE : 0) |
                (kind == V_CP ? F_CP : 0) | (kind == V_LA ? F_LA : 0) |
                (kind == V_CP && !alone_ok ? F_NSA : 0) | (reason ? F_REASON : 0) |
                (where == LOC_HOME ? F_HOME : 0);
    if (!seen || PF_(k, r, P_V_NOVIEWS))
        e->flags |= F_NOVIEWS;
    e->a = (uint8_t)(age < 3 ? 0 : age < 11 ? 1 : 2);
    e->b = (uint8_t)U_(r, 0, 3);
    e->c = (uint8_t)where;
    return e;
}

/* A statutory visit, at home but for 1 in 5 assessment and support visits at school (and a
 * looked-after child's visits at their placement); returns 1 if the child was seen. */
static int visit(kid *k, cw_date d, int kind, int alone_ok, int late)
{
    dev *e = visit_at(k, &k->r, d, kind, alone_ok, late, LOC_HOME);
    if ((kind == V_ASSESS || kind == V_CIN) && P2(k, 0.2)) {
        e->c = LOC_SCHOOL;
        e->flags &= ~(uint32_t)F_HOME;
    }
    return (e->flags & F_SEEN) != 0;
}

static void plan(kid *k, cw_date d, int kind, int late)
{
    dev *e = add(k, E_PLAN, d, A_HOLDER);
    e->n = ++k->nplan;
    e->a = (uint8_t)kind;
    if (late)
        e->flags |= F_LATE;
}

static cw_date cin_path(kid *k, cw_date p);
static cw_date cp_path(kid *k, cw_date s);
static cw_date la_path(kid *k, cw_date st);

/* Registered on the child protection register at the initial conference g0; nobed: the
 * bedroom is not seen before the first review (P_BED_MISS, drawn with the conference). */
static cw_date reg_path(kid *k, cw_date g0, int nobed)
{
    const gen *g = k->g;
    k->on_register = 1;
    cw_date nsa_from = PF(k, P_NSA) ? dmax(g0 + 20, g->as_of - U(k, 25, 70)) : NEVER;
    int ol = PF(k, P_OUTLINE_LATE);
    cw_date od = ol ? W(g, g0, U(k, 6, 12)) : W(g, g0, U(k, 1, 5));
    if (od < k->lim) /* not after the 18th birthday, when the child leaves the register */
        plan(k, od, PK_OUTLINE, ol);
    int cgl = PF(k, P_CG_LATE), first_cg = 1;
    cw_date ncg = cgl ? W(g, g0, U(k, 11, 18)) : W(g, g0, U(k, 5, 10));
    int vl = PF(k, P_CPV_LATE);
    cw_date nv = vl ? W(g, g0, U(k, 11, 16)) : W(g, g0, U(k, 4, 9));
    int rl = PF(k, P_REV_LATE);
    cw_date nr = rl ? M(g0, 3) + U(k, 1, 30) : M(g0, 3) - U(k, 0, 14);
    int nrev = 0;
    /* Seen at home at least every 4 weeks (rules: cp_home_visit), the bedroom seen once between
     * one conference and the next review (rules: cp_bedroom, the review its deadline). */
    cw_date home = g0;
    int bed_done = 0, bed_miss = nobed;
    for (;;) {
        cw_date t = dmin(nv, dmin(ncg, nr));
        if (t >= k->lim) {
            if (k->lim > g->as_of)
                return NEVER;
            dev *e = add(k, E_CONFERENCE, k->lim, A_HOLDER);
            e->n = ++k->ncon;
            e->a = 1;
            e->b = CD_DEREGISTER;
            k->on_register = 0;
            return close_case(k, k->lim, CL_AGE18);
        }
        if (t > g->as_of)
            return NEVER;
        if (t == nr) {
            nrev++;
            int dereg = P(k, nrev == 1 ? 0.25 : nrev == 2 ? 0.45 : 0.65);
            int la = !dereg && age_at(k, t) < 16 && P(k, 0.12);
            dev *e = add(k, E_CONFERENCE, t, A_HOLDER);
            e->n = ++k->ncon;
            e->a = 1;
            e->b = dereg || la ? CD_DEREGISTER : CD_CONTINUE;
            e->flags |= rl ? F_LATE : 0;
            if (dereg || la) {
                k->on_register = 0;
                if (la)
                    return la_path(k, t);
                if (P(k, 0.55))
                    return cin_path(k, t);
                return close_case(k, W(g, t, U(k, 5, 20)), CL_DEREG);
            }
            rl = PF(k, P_REV_LATE);
            nr = rl ? M(t, 6) + U(k, 1, 30) : M(t, 6) - U(k, 0, 30);
            bed_done = 0;
            bed_miss = PF2(k, P_BED_MISS);
            e->flags |= bed_miss ? F_NOBED : 0;
            if (nv >= k->lim && !bed_miss) { /* 18 before the next visit: one today */
                nv = t;
                vl = 0;
            }
        } else if (t == ncg) {
            dev *e = add(k, E_CORE_GROUP, t, A_HOLDER);
            e->flags |= cgl ? F_LATE : 0;
            if (first_cg)
                plan(k, t, PK_CP, 0);
            first_cg = 0;
            cgl = PF(k, P_CG_LATE);
            ncg = t + (cgl ? U(k, 43, 60) : U(k, 28, 42));
        } else {
            int alone = t < nsa_from;
            dev *e = visit_at(k, &k->r, t, V_CP, alone, vl && alone, LOC_HOME);
            if (alone) {
                vl = PF(k, P_CPV_LATE);
                nv = vl ? W(g, t, U(k, 11, 16)) : W(g, t, U(k, 5, 9));
            } else {
                vl = 0;
                nv = W(g, t, U(k, 5, 9));
            }
            /* At home 60% of the time, and whenever the next visit would be too late for the
             * 4 weeks (but for P_HOME_LATE) or the bedroom is still to be seen before the
             * next conference; at school or the office otherwise. */
            int at_home = P2(k, 0.6), where = P2(k, 0.7) ? LOC_SCHOOL : LOC_OFFICE, hl = 0;
            if (!at_home && nv > home + 28 && !(hl = PF2(k, P_HOME_LATE)))
                at_home = 1;
            if (!bed_done && !bed_miss && nv >= dmin(nr, k->lim))
                at_home = 1;
            if (!at_home) {
                e->c = (uint8_t)where;
                e->flags &= ~(uint32_t)F_HOME;
                e->flags |= hl ? F_HOMELATE : 0;
            }
            if (at_home) {
                home = t;
                if (!bed_done && !bed_miss) {
                    e->flags |= F_BEDROOM;
                    bed_done = 1;
                }
            }
        }
    }
}

/* An assessment an completed on c with outcome out, the child seen on seen (0: not seen, as
 * flags say), drawn from stream r; without the child's views if not seen or P_A_NOVIEWS. */
static dev *assessment_done(kid *k, rng *r, cw_date c, uint16_t an, int out, cw_date seen,
                            uint32_t flags)
{
    dev *e = add(k, E_ADONE, c, A_HOLDER);
    e->n = an;
    e->a = (uint8_t)out;
    e->b = (uint8_t)U_(r, 0, 1);
    e->c = (uint8_t)U_(r, 0, 3);
    e->x = seen;
    e->flags |= flags;
    if (!(flags & F_SEEN) || PF_(k, r, P_A_NOVIEWS))
        e->flags |= F_NOVIEWS;
    return e;
}

/*
 * The assessment on the child protection route: started on s (linked to referral rn, if the
 * child came by one) and completed on c with outcome out (not if c is after as_of or the 18th
 * birthday). Due 42 working days from the section 47 enquiry's start (rules: cp_assessment), and
 * 45 from the referral in England (assessment, for a referral decided for a strategy
 * discussion); the child is seen on s.
 */
static void cp_assessment(kid *k, cw_date s, uint16_t rn, cw_date c, int out, int late)
{
    const gen *g = k->g;
    uint16_t an = ++k->nass;
    dev *e = add(k, E_ASTART, s, A_HOLDER);
    e->n = an;
    e->n2 = rn;
    e->flags |= F_CPA | (late ? F_LATE : 0);
    e->x = W(g, s, 42);
    if (s <= g->as_of)
        k->last_astart = s;
    if (c >= k->lim)
        return;
    assessment_done(k, &k->r2, c, an, out, s, F_SEEN | F_CPA | (late ? F_LATE : 0));
}

/* When the assessment of the child protection route begun on s is completed (P_CPA_LATE). */
static cw_date cp_assessment_due(kid *k, cw_date s, int *late)
{
    *late = PF2(k, P_CPA_LATE);
    return W(k->g, s, *late ? U2(k, 46, 65) : U2(k, 10, 41));
}

/* Strategy discussion on s, section 47 enquiry, initial conference. */
static cw_date cp_path(kid *k, cw_date s)
{
    const gen *g = k->g;
    uint16_t rn = k->strat_ref;
    k->strat_ref = 0;
    /* A referral decided for the strategy discussion is assessed whatever it decides (England:
     * the clock would resume if the case reopened within 3 months of closing without it). */
    if (k->depth++ > 6) {
        if (rn)
            cp_assessment(k, s, rn, W(g, s, 5), O_NFA, 0);
        return close_case(k, W(g, s, 5), CL_CIN_DONE);
    }
    reopen(k, s);
    allocate(k, T_SAFE, s, TR_SAFE);
    static const uint16_t DW[] = {82, 10, 8};
    int dec = pickw(&k->r, DW, 3);
    uint16_t sn = ++k->nstr;
    dev *e = add(k, E_STRATEGY, s, A_HOLDER);
    e->n = sn;
    e->a = (uint8_t)dec;
    if (k->cse_entry) {
        e->flags |= F_CSE;
        indicator(k, s);
    }
    if (dec == SD_NFA) {
        cw_date cd = W(g, s, U(k, 1, 5)); /* drawn as before */
        if (rn)
            cp_assessment(k, s, rn, cd, O_NFA, 0);
        return close_case(k, cd, CL_S47_NFA);
    }
    int alate;
    cw_date ac = cp_assessment_due(k, s, &alate);
    if (dec == SD_OTHER) {
        if (rn) /* England: the referral's assessment, 45 working days from it */
            cp_assessment(k, s, rn, ac, O_CIN, alate);
        return cin_path(k, s);
    }
    uint16_t q = ++k->nenq;
    e = add(k, E_S47START, s, A_HOLDER);
    e->n = q;
    e->n2 = sn;
    cw_date sc = W(g, s, U(k, 3, 10));
    static const uint16_t OW[] = {62, 26, 12};
    int out = pickw(&k->r, OW, 3);
    e = add(k, E_S47DONE, sc, A_HOLDER);
    e->n = q;
    e->a = (uint8_t)out;
    /* The enquiry's assessment: concluded with it if it finds no further action. */
    if (out == SO_NFA)
        cp_assessment(k, s, rn, sc, O_NFA, 0);
    else
        cp_assessment(k, s, rn, ac, out == SO_CIN ? O_CIN : O_CP, alate);
    if (out == SO_CIN)
        return cin_path(k, sc);
    if (out == SO_NFA)
        return close_case(k, W(g, sc, U(k, 0, 3)), CL_S47_NFA);
    int late = PF(k, P_ICPC_LATE);
    cw_date g0 = late ? W(g, s, U(k, 16, 25)) : W(g, s, U(k, 11, 15));
    if (g0 >= k->lim)
        return close_case(k, k->lim, CL_AGE18);
    /* not registered in the last 2 weeks before 18: no visit could see the child's bedroom */
    int reg = !k->on_register && P(k, 0.88) && W(g, g0, 10) < k->lim;
    e = add(k, E_CONFERENCE, g0, A_HOLDER);
    e->n = ++k->ncon;
    e->a = 0;
    e->b = reg ? CD_REGISTER : CD_NOT_REGISTERED;
    e->c = (uint8_t)pickw(&k->r, CATEGORY_W, 4);
    e->flags |= late ? F_LATE : 0;
    int nobed = reg && PF2(k, P_BED_MISS);
    e->flags |= nobed ? F_NOBED : 0;
    if (!reg)
        return cin_path(k, g0);
    if (g0 > g->as_of)
        return NEVER;
    return reg_path(k, g0, nobed);
}

/* A care and support plan from p, with the family support team. */
static cw_date cin_path(kid *k, cw_date p)
{
    const gen *g = k->g;
    if (k->depth++ > 6)
        return close_case(k, W(g, p, 5), CL_CIN_DONE);
    cw_date pd = W(g, p, U(k, 0, 5)), tr = W(g, p, U(k, 1, 8));
    cw_date end = p + U(k, 120, 600);
    int reason = CL_CIN_DONE;
    if (end >= k->lim) {
        end = k->lim;
        reason = CL_AGE18;
    }
    if (tr >= end) /* 18 before the plan could start */
        return close_case(k, end, reason);
    plan(k, pd, PK_CARE, 0);
    allocate(k, T_SUPPORT, tr, TR_SUPPORT);
    if (end > g->as_of && PF(k, P_DRIFT)) {
        cw_date cut = g->as_of - U(k, 35, 150);
        if (cut > W(g, tr, 10))
            k->c->cutoff = cut;
    }
    int esc = P(k, 0.08) ? (P(k, 0.5) ? 1 : 2) : 0;
    cw_date escd = esc ? p + U(k, 30, end - p - 1) : NEVER;
    if (escd > end - 90) /* no escalation in the last three months of the plan */
        escd = NEVER;
    cw_date t = W(g, p, U(k, 5, 15)), review = M(p, 6);
    while (t < end && t <= g->as_of) {
        if (t >= escd)
            break;
        visit(k, t, V_CIN, 0, 0);
        if (t >= review) {
            plan(k, t, PK_CARE, 0);
            review = M(t, 6);
        }
        t = t + U(k, 18, 32);
    }
    if (escd < end && escd <= g->as_of) {
        cw_date d = nextw(g, escd);
        if (esc == 1 || age_at(k, d) >= 16)
            return cp_path(k, d);
        return la_path(k, d);
    }
    return close_case(k, end, reason);
}

/*
 * A clock reset (docs/demo.md, "Signs of manipulation"): on day t, when a review or a health
 * check due on `due` was to be done late (late != 0), care ends instead (P_I_RESET x failure_scale,
 * drawn from the seed and the child, not the journey's stream) and begins again 1 to 19 working
 * days later, so the overdue check's clock stops and new clocks begin. Returns the day care begins
 * again, or 0: no reset (not drawn; the check not yet overdue the day before; the restart
 * after as_of, the drift cut-off or the 17th birthday, when care would not begin again).
 */
static cw_date reset_at(kid *k, cw_date st, cw_date t, int late, cw_date due)
{
    const gen *g = k->g;
    if (!late || g->o.failure_scale <= 0 || t - 1 <= due || k->depth > 5)
        return 0;
    uint64_t h = mix(g->o.seed ^ mix(k->c->num * 131 + k->seq + 0xC10CULL));
    if (unit(h) >= P_I_RESET * g->o.failure_scale)
        return 0;
    cw_date y = W(g, t, 1 + (int32_t)(mix(h) % 19));
    if (y > g->as_of || y > k->c->cutoff || age_at(k, y) >= 17 || y <= st)
        return 0;
    return y;
}

/* Injected (reset_at): care ends on t, and begins again on y. */
static cw_date reset_care(kid *k, cw_date t, cw_date y)
{
    dev *e = add(k, E_LAEND, t, A_HOLDER);
    e->a = LR_HOME;
    e->flags |= F_I_RESET;
    return la_path(k, y);
}

/*
 * The placement plan of the placement begun on t (rules: la_placement_plan): up to 6 days
 * before it or within 5 working days (P_PPLAN_LATE: 6 to 12 working days), and not once care
 * has ended (on end) or after the 18th birthday.
 */
static void placement_plan(kid *k, cw_date t, cw_date end)
{
    const gen *g = k->g;
    int late = PF2(k, P_PPLAN_LATE);
    cw_date d = late ? W(g, t, U2(k, 6, 12)) : P2(k, 0.4) ? t - U2(k, 1, 6) : W(g, t, U2(k, 0, 5));
    if (d < end && d < k->lim)
        plan(k, d, PK_PLACEMENT, late);
}

/* A placement of type ty's interim arrangement (IA_...), visited weekly until the first
 * review (rules: la_visit_weekly): a temporarily approved kinship carer, or with parents
 * before their assessment or at home on an interim care order. */
static int interim(kid *k, int ty)
{
    if (ty == PT_KINSHIP)
        return P2(k, P_INTERIM_KIN) ? IA_TEMPORARY : IA_NONE;
    if (ty == PT_PARENTS && P2(k, P_INTERIM_PAR))
        return P2(k, 0.6) ? IA_PARENT : IA_ICO;
    return IA_NONE;
}

/* Looked after from st. */
static cw_date la_path(kid *k, cw_date st)
{
    const gen *g = k->g;
    int age = age_at(k, st);
    if (k->depth++ > 6 || age >= 17)
        return cin_path(k, st);
    allocate(k, T_LAC, st, TR_LAC);
    int pl = PF(k, P_LAPLAN_LATE);
    plan(k, pl ? W(g, st, U(k, 11, 20)) : st - U(k, 0, 5), PK_LA, pl);
    uint16_t PW[] = {68, 14, (uint16_t)(age >= 10 ? 9 : 0), 5, 0, 4};
    int type = pickw(&k->r, PW, 6);
    dev *e = add(k, E_LASTART, st, A_HOLDER);
    e->n = ++k->npl;
    e->a = (uint8_t)type;
    int ia = interim(k, type), weekly = ia != IA_NONE;
    e->b = (uint8_t)ia;
    int u18 = P(k, age <= 12 ? 0.35 : 0.2); /* drawn as before */
    e->flags |= !ia && u18 ? F_UNTIL18 : 0;
    if (st > g->as_of)
        return NEVER;
    int reason;
    cw_date end;
    if (age < 5) {
        static const uint16_t RW[] = {30, 35, 20, 0, 15};
        reason = pickw(&k->r, RW, 5);
        end = st + U(k, 300, 1300);
    } else {
        static const uint16_t RW[] = {30, 0, 10, 50, 10};
        reason = pickw(&k->r, RW, 5);
        end = reason == LR_AGE18 ? k->lim : st + U(k, 120, 900);
    }
    if (end >= k->lim) {
        end = k->lim;
        reason = LR_AGE18;
    }
    placement_plan(k, st, end);
    int vlate = PF(k, P_LAV_LATE);
    cw_date nv = st + (vlate ? U(k, 8, 14) : U(k, 1, 6));
    int rlate = PF(k, P_LAR_LATE), nrev = 0;
    /* the first review within 20 working days (rules: la_review) */
    cw_date nr = W(g, st, rlate ? U(k, 21, 28) : U(k, 12, 20)), nr_due = W(g, st, 20);
    int gl = PF(k, P_GP_LATE);
    cw_date gp = gl ? W(g, st, U(k, 11, 25)) : W(g, st, U(k, 1, 9));
    int dl = PF(k, P_DENT_LATE);
    cw_date dent = dl ? M(st, 3) + U(k, 5, 60) : st + U(k, 20, 85);
    cw_date ha = W(g, st, U(k, 5, 20));
    int hal = 0; /* the next health assessment is late (P_HA_LATE) */
    cw_date pc = st + U(k, 90, 900);
    cw_date adopt = reason == LR_ADOPTION && end - st > 200 ? end - U(k, 90, 180) : NEVER;
    cw_date b16 = M(k->c->dob, 192);
    cw_date path = b16 > st && b16 < end ? W(g, b16, U(k, 0, 10)) : NEVER;
    for (;;) {
        cw_date t = dmin(dmin(dmin(nv, nr), dmin(gp, dent)), dmin(dmin(ha, pc), dmin(adopt, path)));
        if (t >= end || t > g->as_of)
            break;
        if (t == nv) {
            /* weekly until the first review after the placement began, drawn from the
             * second stream */
            int wk = weekly;
            rng *r = wk ? &k->r2 : &k->r;
            dev *v = visit_at(k, r, t, V_LA, 0, vlate, LOC_HOME);
            vlate = PF_(k, r, P_LAV_LATE);
            if (wk) {
                v->flags |= F_WEEKLY;
                nv = t + (vlate ? U_(r, 8, 12) : U_(r, 4, 7));
            } else if (ia == IA_TEMPORARY || ia == IA_ICO) {
                /* every 4 weeks after the first review (reg 31(4)(b), 28(4)(b)) */
                nv = t + (vlate ? U(k, 29, 45) : U(k, 21, 28));
            } else {
                nv = t + (vlate ? U(k, 43, 60) : U(k, 28, 40));
            }
        } else if (t == nr) {
            cw_date y = reset_at(k, st, t, rlate, nr_due);
            if (y)
                return reset_care(k, t, y);
            e = add(k, E_LAREVIEW, t, A_HOLDER);
            e->flags |= rlate ? F_LATE : 0;
            weekly = 0;
            nrev++;
            rlate = PF(k, P_LAR_LATE);
            cw_date base = nrev == 1 ? M(t, 3) : M(t, 6);
            nr = rlate ? base + U(k, 1, 30) : base - U(k, 0, nrev == 1 ? 14 : 20);
            nr_due = base;
        } else if (t == gp || t == dent || t == ha) {
            cw_date y = reset_at(k, st, t, (t == gp && gl) || (t == dent && dl),
                                 t == gp ? W(g, st, 10) : M(st, 3));
            if (y)
                return reset_care(k, t, y);
            e = add(k, E_HEALTH, t, A_HOLDER);
            if (t == gp) {
                e->a = 0;
                e->flags |= F_GP | (gl ? F_LATE : 0);
                gp = NEVER;
            } else if (t == dent) {
                e->a = 1;
                e->flags |= F_DENT | (dl ? F_LATE : 0);
                dent = NEVER;
            } else {
                /* reviewed every 6 months before the 5th birthday and every 12 from it, by the
                 * age on the day (England: la_health_assessment) */
                e->a = 2;
                e->flags |= hal ? F_LATE : 0;
                hal = PF3(k, P_HA_LATE);
                cw_date base = M(t, age_at(k, t) < 5 ? 6 : 12);
                ha = hal ? base + U3(k, 5, 40) : base - U3(k, 0, 30);
            }
        } else if (t == pc || t == adopt) {
            static const uint16_t CW[] = {60, 10, 15, 5, 0, 10};
            int ty = t == adopt ? PT_ADOPTION : pickw(&k->r, CW, 6);
            e = add(k, E_PLACEMENT, t, A_HOLDER);
            e->n = ++k->npl;
            e->a = (uint8_t)ty;
            e->flags |= age_at(k, t) >= 5 && P(k, 0.25) ? F_SCHOOL : 0;
            ia = interim(k, ty);
            weekly = ia != IA_NONE;
            e->b = (uint8_t)ia;
            if (!ia && ty != PT_ADOPTION && P2(k, age_at(k, t) <= 12 ? 0.35 : 0.2))
                e->flags |= F_UNTIL18; /* meant to last until 18: this placement's own */
            placement_plan(k, t, end);
            int pvl = PF(k, P_LAV_LATE);
            cw_date pv = t + (pvl ? U(k, 8, 14) : U(k, 1, 6));
            if (pv < nv) {
                nv = pv;
                vlate = pvl;
            }
            if (t == adopt)
                adopt = NEVER;
            else
                pc = t + U(k, 90, 900);
            if (adopt != NEVER && pc > adopt - 14 && pc < adopt + 14)
                pc = adopt + 30;
        } else {
            plan(k, t, PK_PATHWAY, 0);
            path = NEVER;
        }
    }
    if (end > g->as_of)
        return NEVER;
    e = add(k, E_LAEND, end, A_HOLDER);
    e->a = (uint8_t)reason;
    if (reason == LR_AGE18)
        return close_case(k, end, CL_AGE18);
    if (reason == LR_HOME && P(k, 0.5))
        return cin_path(k, end);
    return close_case(k, W(g, end, U(k, 5, 20)), CL_LA_ENDED);
}

/* Referral r decided on d for assessment. */
static cw_date assessment_path(kid *k, cw_date r, cw_date d, uint16_t rn, int forced)
{
    const gen *g = k->g;
    reopen(k, d);
    allocate(k, T_ASSESS, d, TR_ASSESS);
    cw_date as = forced ? d : P(k, 0.5) ? d : W(g, d, 1);
    int never = PF(k, P_A_NEVER), late = !never && PF(k, P_A_LATE);
    uint16_t an = ++k->nass;
    dev *e = add(k, E_ASTART, as, A_HOLDER);
    e->n = an;
    e->n2 = rn;
    e->flags |= (never ? F_NEVER : 0) | (late ? F_LATE : 0);
    e->x = W(g, r, 42); /* when it is due (rules: assessment) */
    if (as <= g->as_of)
        k->last_astart = as;
    cw_date c = never ? NEVER : late ? W(g, r, U(k, 44, 75)) : W(g, r, U(k, 15, 41));
    if (c != NEVER && c <= as)
        c = W(g, as, U(k, 3, 8));
    cw_date endv = c, nclose = NEVER;
    if (never) {
        nclose = r + 183 < g->as_of ? W(g, r, U(k, 80, 120)) : NEVER;
        endv = nclose;
    }
    cw_date seen = 0;
    for (cw_date v = W(g, as, U(k, 1, 5)); v < endv && v <= g->as_of && v < k->lim;
         v = W(g, v, U(k, 8, 15)))
        if (visit(k, v, V_ASSESS, 0, 0) && !seen)
            seen = v;
    if (never)
        return nclose == NEVER ? NEVER : close_case(k, nclose, CL_NOT_COMPLETED);
    if (c >= k->lim)
        return close_case(k, k->lim, CL_AGE18);
    if (c > g->as_of)
        return NEVER;
    uint16_t OW[] = {28, 35, 12, (uint16_t)(age_at(k, c) < 16 ? 9 : 0), 16};
    int out = pickw(&k->r, OW, 5);
    e = assessment_done(k, &k->r, c, an, out, seen, (seen ? F_SEEN : 0) | (late ? F_LATE : 0));
    switch (out) {
    case O_CIN:
        return cin_path(k, c);
    case O_CP:
        return cp_path(k, W(g, c, U(k, 0, 2)));
    case O_LA:
        return la_path(k, W(g, c, U(k, 1, 10)));
    default:
        return close_case(k, W(g, c, U(k, 0, 5)), out == O_NFA ? CL_ASSESS_NFA : CL_OTHER_SERVICES);
    }
}

/*
 * The decision on contact cn, received on t, that goes no further (rules: contact_decision,
 * 1 working day): no further action, information and advice or early help, the same day (70%
 * of working-day contacts) or the next working day, and no later than by (the case's closure,
 * or NEVER); P_CDEC_LATE: 2 to 5 working days later. Returns the day decided.
 */
static cw_date decide_contact(kid *k, uint16_t cn, cw_date t, cw_date by)
{
    const gen *g = k->g;
    int late = PF3(k, P_CDEC_LATE);
    cw_date d = late ? W(g, t, U3(k, 2, 5)) : isw(g, t) && P3(k, 0.7) ? t : W(g, t, 1);
    if (!late && d > by)
        d = dmax(t, by);
    dev *e = add(k, E_CDECIDED, d, A_FRONT_TM);
    e->n = cn;
    e->a = (uint8_t)pickw(&k->r3, CONTACT_OUTCOME_W, 3);
    e->flags |= late ? F_LATE : 0;
    return d;
}

/*
 * One involvement: a contact or referral on t0 (source src) and what follows.
 * Returns the day the case closed, or NEVER if it is open at as_of.
 */
static cw_date involvement(kid *k, cw_date t0, int src)
{
    const gen *g = k->g;
    k->nind = 0;
    int cse = k->cse_profile && age_at(k, t0) >= 11 && P(k, 0.5);
    k->cse_entry = cse;
    int has_contact = P(k, 0.72);
    int contact_nfa = has_contact && !cse && P(k, 0.45);
    static const uint16_t DW[] = {22, 60, 18};
    int dec = cse ? (P(k, 0.6) ? D_STRAT : D_ASSESS) : pickw(&k->r, DW, 3);
    int undecided = !contact_nfa && PF(k, P_UNDECIDED);
    int forced = 0, repeat = 0;
    if (count12(k, t0) + has_contact + !contact_nfa >= 3 && !assessed12(k, t0)) {
        /* A third contact in 12 months: assessed at once (rules: repeat_contacts). */
        forced = 1;
        contact_nfa = undecided = 0;
        dec = D_ASSESS;
    } else if (contact_nfa && !assessed12(k, t0) && PF(k, P_REPEAT)) {
        repeat = 1;
    }
    uint8_t reason = (uint8_t)U(k, 0, 2);
    if (has_contact) {
        dev *e = add(k, E_CONTACT, t0, A_FRONT);
        e->n = ++k->nct;
        e->a = (uint8_t)src;
        e->b = reason;
        e->flags |= cse ? F_CSE : 0;
        note_contact(k, t0);
        if (cse)
            indicator(k, t0);
    }
    if (contact_nfa) {
        /* decided before the case closes (a late decision holds the closure back) */
        cw_date cd = k->closed ? NEVER : W(g, t0, U(k, 0, 2));
        cw_date dd = decide_contact(k, k->nct, t0, cd);
        cw_date end = k->closed ? t0 : close_case(k, dmax(cd, dd), CL_CONTACT_NFA);
        if (repeat) {
            cw_date t = t0;
            for (int i = 0; i < 2; i++) {
                int s2 = pickw(&k->r, SOURCE_W, 9);
                t = t + U(k, 20, 110);
                if (s2 != SRC_POLICE)
                    t = nextw(g, t);
                dev *e = add(k, E_CONTACT, t, A_FRONT);
                e->n = ++k->nct;
                e->a = (uint8_t)s2;
                e->b = (uint8_t)U(k, 0, 2);
                note_contact(k, t);
                decide_contact(k, k->nct, t, NEVER);
            }
            k->stop = 1;
        }
        return end;
    }
    cw_date r = !has_contact || forced || P(k, 0.5) ? t0 : W(g, t0, 1);
    if (has_contact) { /* passed for the referral, on its day (rules: contact_decision) */
        dev *c = add(k, E_CDECIDED, r, A_FRONT_TM);
        c->n = k->nct;
        c->a = CO_REFERRAL;
    }
    uint16_t rn = ++k->nref;
    dev *e = add(k, E_REFERRAL, r, A_FRONT);
    e->n = rn;
    e->a = (uint8_t)src;
    e->b = reason;
    e->flags |= cse ? F_CSE : 0;
    note_contact(k, r);
    if (cse)
        indicator(k, r);
    if (undecided) {
        e->flags |= F_NEVER;
        k->stop = 1;
        return NEVER;
    }
    cw_date d = forced ? r : isw(g, r) && P(k, 0.6) ? r : W(g, r, 1);
    e = add(k, E_DECIDED, d, A_FRONT_TM);
    e->n = rn;
    e->a = (uint8_t)dec;
    if (dec == D_NFA)
        return k->closed ? d : close_case(k, W(g, d, U(k, 0, 2)), CL_REFERRAL_NFA);
    if (dec == D_ASSESS)
        return assessment_path(k, r, d, rn, forced);
    k->strat_ref = rn;
    return cp_path(k, d);
}

/* SERAF items for a band: returns the mask of items present. */
static uint32_t seraf_items(kid *k, int band)
{
    static const int32_t lo[] = {1, 6, 11, 16}, hi[] = {5, 10, 15, 22};
    int32_t score = U(k, lo[band], hi[band]);
    int32_t ns = band == B_SIGNIFICANT ? (P(k, 0.6) ? 2 : 1) : band == B_MODERATE && P(k, 0.3);
    int32_t rest = score - 5 * ns;
    int32_t nm = U(k, rest / 3, rest / 2), nv = rest - nm;
    if (nm > 10) {
        nv += nm - 10;
        nm = 10;
    }
    if (nv > 12) {
        nm += nv - 12;
        nv = 12;
    }
    uint32_t mask = 0;
    const int32_t counts[3] = {nv, nm, ns}, sizes[3] = {12, 10, 6}, shift[3] = {0, 12, 22};
    for (int part = 0; part < 3; part++) {
        int32_t idx[12];
        for (int32_t i = 0; i < sizes[part]; i++)
            idx[i] = i;
        for (int32_t i = 0; i < counts[part]; i++) { /* partial Fisher-Yates */
            int32_t j = U(k, i, sizes[part] - 1), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            mask |= 1u << (shift[part] + idx[i]);
        }
    }
    return mask;
}

/* Notes the child's missing episode on t; returns 1 if it is at least the third within 90 days
 * (rules: repeat_missing, count 3 within 90 days). */
static int repeat_missing(kid *k, cw_date t)
{
    if (k->nmis_d == sizeof k->mis / sizeof k->mis[0]) {
        memmove(k->mis, k->mis + 1, (k->nmis_d - 1) * sizeof k->mis[0]);
        k->nmis_d--;
    }
    k->mis[k->nmis_d++] = t;
    int n = 0;
    for (size_t i = 0; i < k->nmis_d; i++)
        n += k->mis[i] >= t - 90 && k->mis[i] <= t;
    return n >= 3;
}

/*
 * The return interview of missing episode en, the child back on back (rules: return_interview,
 * 3 days from the return): offered within 3 days (P_RI_LATE: 4 to 10 days), by the return
 * interview service (70%) or the allocated worker; accepted, or declined.
 */
static void return_interview(kid *k, uint16_t en, cw_date back, int accepted)
{
    int late = PF3(k, P_RI_LATE);
    dev *e = add(k, E_RETURN, back + (late ? U3(k, 4, 10) : U3(k, 0, 3)), A_HOLDER);
    e->n = en;
    e->a = (uint8_t)!P3(k, 0.7);
    e->flags |= (accepted ? F_INTERVIEW : 0) | (late ? F_LATE : 0);
}

/*
 * CSE risk for one involvement [i0, i1): missing episodes, a SERAF risk
 * assessment within 10 working days of every indicator and at least every 3
 * months while the band is above no apparent risk, a strategy discussion the
 * same day as a moderate or significant band.
 */
static void cse_module(kid *k, cw_date i0, cw_date i1)
{
    const gen *g = k->g;
    cw_date end = dmin(dmin(i1, g->as_of), k->lim);
    cw_date hard = dmin(i1, k->lim); /* no risk assessment once the case has closed */
    cw_date miss[4];
    size_t nm = 0;
    if (k->cse_profile && end > i0 + 30 && age_at(k, end) >= 11) {
        int n = U(k, 0, 3);
        for (int i = 0; i < n; i++) {
            cw_date d = i0 + 7 + U(k, 0, end - 20 - (i0 + 7));
            if (d < end - 19 && age_at(k, d) >= 10)
                miss[nm++] = d;
        }
        for (size_t i = 1; i < nm; i++) /* insertion sort */
            for (size_t j = i; j > 0 && miss[j] < miss[j - 1]; j--) {
                cw_date t = miss[j];
                miss[j] = miss[j - 1];
                miss[j - 1] = t;
            }
    }
    if (!nm && !k->nind)
        return;
    cw_date pending = NEVER, recur = NEVER;
    int live = 0, band = B_NONE, rlate = 0;
    size_t ii = 0, mi = 0;
    for (;;) {
        cw_date ta = ii < k->nind ? k->ind[ii] : NEVER, tm = mi < nm ? miss[mi] : NEVER;
        cw_date t = dmin(dmin(ta, tm), dmin(pending, recur));
        if (t >= NEVER || t > g->as_of)
            break;
        if (t == tm || t == ta) {
            if (t == tm) {
                dev *e = add(k, E_MISSING, t, A_HOLDER);
                uint16_t en = e->n = ++k->nmis;
                cw_date back = t + U(k, 0, 3);
                int accepted = 0, never = 0;
                if (back <= g->as_of) {
                    e->x = back;
                    accepted = P(k, 0.8);
                    never = PF3(k, P_RI_NEVER);
                    e->flags |= (accepted ? F_INTERVIEW : 0) | (never ? F_NEVER : 0);
                }
                /* the third missing episode in 90 days: a strategy discussion that day (rules:
                 * repeat_missing), but not for a child whose strategy discussions stopped
                 * (P_CSE_NOSTRAT), nor for P_RM_NOSTRAT */
                int rm = repeat_missing(k, t);
                int nostrat = rm && (k->nostrat || PF3(k, P_RM_NOSTRAT));
                e->flags |= nostrat ? F_NOSTRAT : 0;
                if (back <= g->as_of && !never) /* a return interview (rules: return_interview) */
                    return_interview(k, en, back, accepted);
                if (rm && !nostrat) {
                    dev *s = add(k, E_STRATEGY, t, A_HOLDER);
                    s->n = ++k->nstr;
                    s->a = SD_OTHER;
                }
                mi++;
            } else {
                ii++;
            }
            if (k->c->cse_unassessed)
                continue;
            if (!live && pending == NEVER && PF(k, P_CSE_UNASSESS)) {
                k->c->cse_unassessed = t; /* no risk assessment, ever again */
                continue;
            }
            if (pending == NEVER) {
                pending = W(g, t, U(k, 1, 9));
                if (pending >= hard) /* before the closure, the same day if need be */
                    pending = dmax(t, hard - 1);
            }
            continue;
        }
        if (t == recur && t >= end)
            break; /* reassessments stop when the involvement ends */
        static const uint16_t FIRST[] = {30, 35, 23, 12}, WALK[] = {45, 40, 15};
        int was_live = live;
        if (!live) {
            band = pickw(&k->r, FIRST, 4);
        } else {
            int w = pickw(&k->r, WALK, 3); /* down, same, up */
            band += w == 0 ? -1 : w == 2 ? 1 : 0;
            band = band < B_NONE ? B_NONE : band > B_SIGNIFICANT ? B_SIGNIFICANT : band;
        }
        dev *e = add(k, E_CSE, t, A_HOLDER);
        e->mask = seraf_items(k, band);
        e->flags |= (was_live ? 0 : F_FIRST) | (t == recur && rlate ? F_LATE : 0);
        if (band < B_SIGNIFICANT && P(k, 0.04)) {
            band++;
            e->flags |= F_OVERRIDE;
        }
        e->a = (uint8_t)band;
        pending = NEVER;
        live = band > B_NONE;
        if (band >= B_MODERATE) {
            if (!k->nostrat && PF(k, P_CSE_NOSTRAT))
                k->nostrat = 1;
            if (k->nostrat) {
                e->flags |= F_NOSTRAT;
            } else {
                dev *s = add(k, E_STRATEGY, t, A_HOLDER);
                s->n = ++k->nstr;
                s->a = SD_OTHER;
                s->flags |= F_CSE;
            }
        }
        rlate = PF(k, P_CSE_RA_LATE);
        recur = live ? (rlate ? M(t, 3) + U(k, 5, 40) : M(t, 3) - U(k, 1, 25)) : NEVER;
    }
}

static int cmp_dev(const void *a, const void *b)
{
    const dev *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    int ex = (x->flags & F_EXTRA) != 0, ey = (y->flags & F_EXTRA) != 0;
    if (ex != ey)
        return ex ? -1 : 1; /* a hand-over comes first on its day */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Care leavers (issue 12 item 6; rules: leaving_care_assessment, pathway_plan,
 * pathway_plan_review, pa_visit), drawn after the rest of the journey from the third stream,
 * so the journey is drawn as before. A child looked after on their 16th birthday has the
 * pathway plan la_path records; the demo records them eligible (category 1) that day (it does
 * not count their 13 weeks), a needs assessment on or before the plan (P_NA_LATE: 3 to 30
 * days after 3 months, and the plan recorded again within 10 days), and the plan reviewed
 * (recorded again) within 6 months of the last, while the case is open (P_PPR_LATE: 5 to 40
 * days late). A closure the case reopens from within the packs' resume_within (3 months)
 * does not end the reviews: the review due in it is held just before the closure. A young
 * person whose care ends at 16 or 17 for another reason ("other": moved to supported
 * lodgings) is recorded relevant, the council providing the accommodation, and their
 * personal adviser visits within 7 days (P_PAV_LATE: 8 to 14), then within 2 months of the
 * last, until the case closes; not when the case reopens within 3 months of that closure.
 */
typedef struct lc_gaps {
    cw_date close[32], reopen[32]; /* each closure, and the reopening after it (or NEVER) */
    size_t n;
} lc_gaps;

/* The first closure in (after, upto], with its reopening; 0 if none. */
static int lc_gap(const lc_gaps *gp, cw_date after, cw_date upto, cw_date *ce, cw_date *ro)
{
    for (size_t i = 0; i < gp->n; i++)
        if (gp->close[i] > after && gp->close[i] <= upto) {
            *ce = gp->close[i];
            *ro = gp->reopen[i];
            return 1;
        }
    return 0;
}

static dev *lc_add(kid *k, int type, cw_date d, int late)
{
    dev *e = add(k, type, d, A_HOLDER);
    e->flags |= late ? F_LATE : 0;
    return e;
}

static void care_leaver(kid *k)
{
    const gen *g = k->g;
    loc *L = k->L;
    child *c = k->c;
    cw_date tp = NEVER, le = NEVER, b16 = M(c->dob, 192);
    int reason = -1;
    lc_gaps gp = {.n = 0};
    cw_date reopens[32];
    size_t nre = 0;
    for (size_t i = c->ev_off; i < L->nev; i++) { /* the journey's own events, unsorted */
        const dev *e = &L->ev[i];
        if (e->type == E_PLAN && e->a == PK_PATHWAY && e->date < tp)
            tp = e->date;
        else if (e->type == E_CLOSE && gp.n < 32)
            gp.close[gp.n++] = e->date;
        else if (e->type == E_REOPEN && nre < 32)
            reopens[nre++] = e->date;
    }
    if (tp >= NEVER || tp < b16)
        return;
    for (size_t i = c->ev_off; i < L->nev; i++) {
        const dev *e = &L->ev[i];
        if (e->type == E_LAEND && e->date >= tp && e->date < le) {
            le = e->date;
            reason = e->a;
        }
    }
    for (size_t i = 0; i < gp.n; i++) { /* each closure's reopening: the first after it */
        gp.reopen[i] = NEVER;
        for (size_t j = 0; j < nre; j++)
            if (reopens[j] > gp.close[i] && reopens[j] < gp.reopen[i])
                gp.reopen[i] = reopens[j];
    }
    /* eligible on the 16th birthday; the needs assessment, then the plan la_path recorded */
    lc_add(k, E_LCSTATUS, b16, 0)->a = LC_ELIGIBLE;
    cw_date last = tp;
    if (PF3(k, P_NA_LATE)) {
        cw_date a = M(b16, 3) + U3(k, 3, 30), ce, ro;
        if (!lc_gap(&gp, tp, a, &ce, &ro)) {
            lc_add(k, E_NEEDS, a, 1)->a = (uint8_t)U3(k, 0, 3);
            cw_date p2 = a + U3(k, 0, 10);
            if (!lc_gap(&gp, a, p2, &ce, &ro) && p2 <= g->as_of) {
                plan(k, p2, PK_PATHWAY, 0);
                last = p2;
            }
        }
    } else {
        cw_date a = tp - U3(k, 1, 3);
        lc_add(k, E_NEEDS, a < b16 ? b16 : a, 0)->a = (uint8_t)U3(k, 0, 3);
    }
    /* reviews, each within 6 months of the last, while the case is open */
    for (int n = 0; n < 8; n++) {
        cw_date base = M(last, 6), ce, ro;
        int late = PF3(k, P_PPR_LATE);
        cw_date r = late ? base + U3(k, 5, 40) : base - U3(k, 0, 20);
        if (lc_gap(&gp, last, r, &ce, &ro)) {
            if (ro >= NEVER || ro > M(ce, 3))
                break; /* the case closed: the duty ended with it */
            cw_date early = ce - U3(k, 1, 5);
            r = early > last ? early : ro; /* held before the closure, or on the reopening */
        }
        if (r > g->as_of)
            break;
        plan(k, r, PK_PATHWAY, r > base);
        last = r;
    }
    /* care ended at 16 or 17 for supported lodgings: relevant, accommodated, visited */
    if (le >= NEVER || reason != LR_OTHER || le >= k->lim)
        return;
    cw_date ce = NEVER, ro = NEVER; /* the closure after care ended (NEVER: open at as_of) */
    if (lc_gap(&gp, le - 1, NEVER, &ce, &ro) && ro < NEVER && ro <= M(ce, 3))
        return;
    dev *e = lc_add(k, E_LCSTATUS, le, 0);
    e->a = LC_RELEVANT;
    e->b = 1;
    int late = PF3(k, P_PAV_LATE);
    cw_date v = le + (late ? U3(k, 8, 14) : U3(k, 1, 6));
    while (v < ce && v <= g->as_of) {
        lc_add(k, E_PAVISIT, v, late);
        cw_date base = M(v, 2);
        late = PF3(k, P_PAV_LATE);
        v = late ? base + U3(k, 3, 20) : base - U3(k, 0, 10);
    }
}

/*
 * Case notes: wherever an allocated, open case goes NOTE_GAP working days
 * without casework, a note 2 to NOTE_GAP working days after the last, up to
 * as_of or the drift cut-off. NOTE_GAP < 20 keeps every allocated case within
 * the drift standard (rules: drift, 20 working days).
 */
#define NOTE_GAP 5
static void filler(kid *k)
{
    loc *L = k->L;
    child *c = k->c;
    const gen *g = k->g;
    qsort(L->ev + c->ev_off, L->nev - c->ev_off, sizeof(dev), cmp_dev);
    size_t n0 = L->nev;
    size_t nseg = L->nsegs - c->seg_off;
    for (size_t s = 0; s < nseg; s++) {
        const seg *first = &L->segs[c->seg_off + s];
        if (first->cont)
            continue;
        size_t last = s;
        while (last + 1 < nseg && L->segs[c->seg_off + last + 1].cont)
            last++;
        cw_date rs = first->start;
        cw_date hz = dmin(dmin(L->segs[c->seg_off + last].end, g->as_of), c->cutoff);
        cw_date cur = rs;
        for (size_t i = c->ev_off; i < n0; i++) {
            cw_date d = L->ev[i].date;
            if (d <= rs || d > hz || !activity(L->ev[i].type))
                continue;
            while (W(g, cur, NOTE_GAP) < d) {
                cw_date nd = W(g, cur, U(k, 2, NOTE_GAP));
                dev *e = add(k, E_NOTE, nd, A_HOLDER);
                e->a = (uint8_t)U(k, 0, 11);
                cur = nd;
            }
            cur = dmax(cur, d);
        }
        while (W(g, cur, NOTE_GAP) < hz) {
            cw_date nd = W(g, cur, U(k, 2, NOTE_GAP));
            if (nd > hz)
                break;
            dev *e = add(k, E_NOTE, nd, A_HOLDER);
            e->a = (uint8_t)U(k, 0, 11);
            cur = nd;
        }
    }
    qsort(L->ev + c->ev_off, L->nev - c->ev_off, sizeof(dev), cmp_dev);
}

/*
 * Plan reviews (issue 12, item 6), drawn once the journey is complete from the child's fourth
 * stream, so the journey and its case notes are drawn as before they were added. The child's
 * events are walked in order, following two clocks as the rules engine keeps them:
 *
 *   - a care and support (child in need) plan's review (rules: cin_plan_review): from each
 *     care_and_support plan, due 3 months on, ended when the child becomes looked after or is
 *     registered; a review records the plan again;
 *   - the personal education plan (rules: pep): for a child aged 5 to 15, from becoming looked
 *     after or a change of school (a younger child's from their 5th birthday), due 20 working
 *     days on, then reviewed every 4 months
 *     (England's term; Wales asks for 6), ended with care, or once the next would fall due
 *     on or after the 16th birthday.
 *
 * Both end with the case (suspended: resumed if it reopens within 3 months, as the packs'
 * resume_within). Before any event that would find an occurrence past due, and before as_of,
 * the plan is recorded: 1 to 20 days before it is due (the first PEP 5 to 20 working days
 * after its start), or, drawn as late (P_CINR_LATE, P_PEP_LATE), 1 to 30 days after, if that
 * is before the clock's next event (else it is left: missed, or overdue at as_of). Nothing is
 * recorded after a drifting case's cut-off, and the events after it are not there.
 */
typedef struct pclock {
    int live, susp, first;
    cw_date due, closed, last;
} pclock;

#define PEP_EVERY 4 /* months: England's each term (Wales: 6) */

static void pclock_stop(pclock *c)
{
    c->live = 0;
}

/* The plan records that keep clock c from falling past due before day d. */
static void pclock_keep(kid *k, pclock *c, int pep, cw_date d)
{
    const gen *g = k->g;
    cw_date b16 = M(k->c->dob, 192);
    while (c->live && !c->susp && c->due < d && !k->L->oom) {
        int late = PF4(k, pep ? P_PEP_LATE : P_CINR_LATE);
        cw_date r;
        if (late)
            r = c->due + U4(k, 1, 30);
        else if (pep && c->first)
            r = dmin(W(g, c->last, U4(k, 5, 20)), c->due);
        else
            r = dmax(c->due - U4(k, 1, 20), c->last);
        if (r >= d || r > g->as_of || r > k->c->cutoff)
            return; /* late past the clock's next event: left missed, or overdue */
        dev *e = add(k, E_PLAN, r, A_HOLDER);
        e->n = ++k->nplan;
        e->a = pep ? PK_PEP : PK_CARE;
        e->flags |= F_REVIEW | (late ? F_LATE : 0);
        c->first = 0;
        c->last = r;
        c->due = M(r, pep ? PEP_EVERY : 3);
        if (pep && c->due >= b16)
            pclock_stop(c); /* the next would fall due at 16 or later */
    }
}

/*
 * The case closes (event i) with clock c running. If it reopens within 3 months, the clock
 * resumes with the due date it had; were that already past, a review on the day before the
 * closure (the plan is reviewed when the case closes) keeps it due after the reopening.
 */
static void pclock_close(kid *k, pclock *c, int pep, size_t i, size_t n0)
{
    const loc *L = k->L;
    cw_date d = L->ev[i].date;
    for (size_t j = i + 1; j < n0; j++) {
        const dev *x = &L->ev[j];
        if (x->type != E_REOPEN)
            continue;
        if (x->date > M(d, 3) || c->due >= x->date)
            return;
        cw_date r = dmax(d - 1, c->last);
        if (r >= d || r > k->g->as_of || r > k->c->cutoff)
            return;
        dev *e = add(k, E_PLAN, r, A_HOLDER);
        e->n = ++k->nplan;
        e->a = pep ? PK_PEP : PK_CARE;
        e->flags |= F_REVIEW;
        c->first = 0;
        c->last = r;
        c->due = M(r, pep ? PEP_EVERY : 3);
        if (pep && c->due >= M(k->c->dob, 192))
            pclock_stop(c);
        return;
    }
}

static void pclock_start(kid *k, pclock *c, int pep, cw_date d)
{
    if (pep && age_at(k, d) >= 16)
        return;
    if (pep)
        d = dmax(d, M(k->c->dob, 60)); /* a younger child's plan is owed from their 5th birthday */
    cw_date due = pep ? W(k->g, d, 20) : M(d, 3);
    if (pep && due >= M(k->c->dob, 192))
        return;
    *c = (pclock){.live = 1, .first = pep, .due = due, .last = d};
}

static void plan_reviews(kid *k)
{
    loc *L = k->L;
    const child *ch = k->c;
    const gen *g = k->g;
    size_t n0 = L->nev;
    pclock cin = {0}, pep = {0};
    for (size_t i = ch->ev_off; i <= n0 && !L->oom; i++) {
        if (i == n0) { /* as_of: nothing past due */
            pclock_keep(k, &cin, 0, g->as_of);
            pclock_keep(k, &pep, 1, g->as_of);
            k->c->cin_overdue = cin.live && !cin.susp && cin.due < g->as_of;
            break;
        }
        dev e = L->ev[i]; /* a copy: add() may move the array */
        if ((e.flags & F_REVIEW) || e.date > ch->cutoff)
            continue; /* past a drifting case's cut-off, nothing is recorded */
        int cin_ev = (e.type == E_PLAN && e.a == PK_CARE) || e.type == E_LASTART ||
                     (e.type == E_CONFERENCE && e.a == 0 && e.b == CD_REGISTER);
        int pep_ev = e.type == E_LASTART || e.type == E_LAEND ||
                     (e.type == E_PLACEMENT && (e.flags & F_SCHOOL));
        int both = e.type == E_CLOSE || e.type == E_REOPEN;
        if (cin_ev || both)
            pclock_keep(k, &cin, 0, e.date);
        if (pep_ev || both)
            pclock_keep(k, &pep, 1, e.date);
        pclock *cl[2] = {&cin, &pep};
        for (int j = 0; j < 2; j++) {
            pclock *c = cl[j];
            if (e.type == E_CLOSE && c->live && !c->susp) {
                pclock_close(k, c, j, i, n0);
                c->susp = 1;
                c->closed = e.date;
            } else if (e.type == E_REOPEN && c->live && c->susp) {
                if (e.date <= M(c->closed, 3)) {
                    c->susp = 0;
                    c->last = dmax(c->last, e.date);
                } else {
                    pclock_stop(c);
                }
            }
        }
        if (e.type == E_PLAN && e.a == PK_CARE) {
            if (cin.live && !cin.susp) {
                cin.due = M(e.date, 3);
                cin.last = e.date;
            } else {
                pclock_start(k, &cin, 0, e.date);
            }
        } else if (e.type == E_LASTART ||
                   (e.type == E_CONFERENCE && e.a == 0 && e.b == CD_REGISTER)) {
            pclock_stop(&cin);
        }
        if (e.type == E_LAEND || e.type == E_PLACEMENT) {
            if (e.flags & F_SCHOOL || e.type == E_LAEND)
                pclock_stop(&pep);
        }
        if (e.type == E_LASTART || (e.type == E_PLACEMENT && (e.flags & F_SCHOOL)))
            pclock_start(k, &pep, 1, e.date);
    }
    qsort(L->ev + ch->ev_off, L->nev - ch->ev_off, sizeof(dev), cmp_dev);
}

static const char *const LEGAL_STATUS[] = {"C1", "C2", "E1", "V2"};
enum { LS_C1, LS_C2, LS_E1, LS_V2 };

static uint64_t h903(uint64_t seed, const child *c, cw_date d, uint64_t salt)
{
    return mix(seed ^ mix(c->num * 6007 + (uint64_t)(uint32_t)d * 131 + salt));
}

static int years_at(const child *c, cw_date d)
{
    return (int)((d - c->dob) / 366); /* at most the true age: the limits below are minimums */
}

/* The legal status care began under (placement type ty, interim arrangement ia): placed with
 * parents, only on an order (rule 378); otherwise an interim care order, a care order, or
 * accommodation under section 20. */
static int start_ls(uint64_t seed, const child *c, cw_date st, int ty, int ia)
{
    double u = unit(h903(seed, c, st, 0x1E6A1));
    if (ty == PT_PARENTS || ia == IA_ICO)
        return u < 0.85 ? LS_C1 : LS_C2;
    if (years_at(c, st) >= 15)
        return u < 0.2 ? LS_C1 : LS_V2;
    return u < 0.55 ? LS_C1 : u < 0.62 ? LS_C2 : LS_V2;
}

/* The decision that a child looked after from st should be placed for adoption, and the match
 * with adopters, before the day a (a placement for adoption, or the adoption); the decision's
 * date. */
static cw_date adoption_903(kid *k, cw_date st, cw_date a)
{
    uint64_t h = h903(k->g->o.seed, k->c, a, 0xAD0);
    cw_date d = a - 40 - (cw_date)(h % 60), m = a - 5 - (cw_date)(mix(h ^ 1) % 25);
    if (d <= st)
        d = st + 1;
    if (m <= d)
        m = d + 1;
    if (m >= a)
        return NEVER; /* too soon after care began: none recorded */
    add(k, E_ADDECIDE, d, A_HOLDER);
    add(k, E_ADMATCH, m, A_HOLDER)->a = (uint8_t)(mix(h ^ 2) % 8);
    return d;
}

/*
 * What the SSDA903 needs beyond the journey's own events (docs/demo.md), added once the journey
 * is drawn so that nothing drawn before changes: a change from an interim to a full care order,
 * a placement order when the child is placed for adoption, immunisations, development checks and
 * an SDQ at each health assessment (on its day, so no new day of activity), a care leaver's
 * circumstances at each birthday from 17 to 21, and on each end of care the last placement's type
 * (e->c, plus one) for the reason's detail.
 */
static void returns_903(kid *k)
{
    loc *L = k->L;
    const child *c = k->c;
    const gen *g = k->g;
    uint64_t seed = g->o.seed;
    size_t n0 = L->nev;
    cw_date st = NEVER, c2 = NEVER, last_end = NEVER, decided = NEVER;
    int last_type = -1, lc = 0, ls = -1;
    for (size_t i = c->ev_off; i < n0 && !L->oom; i++) {
        dev e = L->ev[i]; /* a copy: add() may move the array */
        if (e.type == E_LASTART) {
            st = e.date;
            last_type = e.a;
            last_end = NEVER;
            c2 = NEVER;
            ls = start_ls(seed, c, st, e.a, e.b ? e.b - 1 : -1);
            decided = NEVER;
            if (ls == LS_C1)
                c2 = st + 90 + (cw_date)(h903(seed, c, st, 0xC2) % 120);
        } else if (e.type == E_PLACEMENT && st < NEVER) {
            last_type = e.a;
            if (c2 < e.date) { /* the care order came before this move */
                add(k, E_LSCHANGE, c2, A_HOLDER)->a = LS_C2;
                ls = LS_C2;
                c2 = NEVER;
            }
            if (e.a == PT_PARENTS && ls == LS_V2) {
                /* placed with parents only on an order (rule 378): an interim care order */
                add(k, E_LSCHANGE, e.date, A_HOLDER)->a = LS_C1;
                ls = LS_C1;
            }
            if (e.a == PT_ADOPTION) {
                if (c2 < e.date)
                    add(k, E_LSCHANGE, c2, A_HOLDER)->a = LS_C2;
                c2 = NEVER;
                ls = LS_E1;
                add(k, E_LSCHANGE, e.date, A_HOLDER)->a = LS_E1;
                if (decided >= NEVER)
                    decided = adoption_903(k, st, e.date);
            }
        } else if (e.type == E_LAEND && st < NEVER) {
            if (c2 < e.date)
                add(k, E_LSCHANGE, c2, A_HOLDER)->a = LS_C2;
            if (e.a == LR_ADOPTION && decided >= NEVER) /* adopted from another placement */
                decided = adoption_903(k, st, e.date);
            else if (e.a != LR_ADOPTION && decided < NEVER) /* not adopted after all */
                add(k, E_ADREVERSE, e.date - 1 > decided ? e.date - 1 : e.date, A_HOLDER);
            L->ev[i].c = (uint8_t)(last_type + 1);
            st = c2 = NEVER;
            last_end = e.date;
        } else if (e.type == E_HEALTH && e.a == 2 && st < NEVER) {
            int age = years_at(c, e.date);
            uint64_t h = h903(seed, c, e.date, 0x4EA1);
            if (unit(h) < 0.9)
                add(k, E_HEALTH, e.date, A_HOLDER)->a = 3;
            if (age < 5)
                add(k, E_HEALTH, e.date, A_HOLDER)->a = 4;
            if (age >= 4 && age <= 16) {
                dev *s = add(k, E_HEALTH, e.date, A_HOLDER);
                s->a = 5;
                s->n = (uint16_t)(mix(h ^ 1) % 31);
            }
        } else if (e.type == E_LCSTATUS) {
            lc = 1;
        }
    }
    if (st < NEVER && c2 < NEVER && c2 <= g->as_of)
        add(k, E_LSCHANGE, c2, A_HOLDER)->a = LS_C2;
    for (int n = 17; lc && st >= NEVER && last_end < NEVER && n <= 21; n++) {
        cw_date b = M(c->dob, 12 * n);
        cw_date d = b + (cw_date)(h903(seed, c, b, 0xB1D) % 20);
        if (b > last_end && d <= g->as_of)
            add(k, E_CLCONTACT, d, A_HOLDER)->n = (uint16_t)n;
    }
    qsort(L->ev + c->ev_off, L->nev - c->ev_off, sizeof(dev), cmp_dev);
}

/* Draws child ci (number num) of locality L: who they are and their journey. */
static void gen_child(loc *L, uint32_t ci, uint64_t num)
{
    gen *g = L->g;
    child *c = &L->kids[ci];
    memset(c, 0, sizeof *c);
    c->num = num;
    c->ev_off = L->nev;
    c->seg_off = L->nsegs;
    c->cutoff = NEVER;
    c->run_start = NEVER;
    c->correct_seq = UINT32_MAX;
    kid k;
    memset(&k, 0, sizeof k);
    k.g = g;
    k.L = L;
    k.c = c;
    k.ci = ci;
    k.cur_seg = k.last_seg = -1;
    k.last_astart = -NEVER;
    rng_seed(&k.r, g->o.seed, num, 0x6368696c64u);
    rng_seed(&k.r2, g->o.seed, num, 0x7761726473u);
    rng_seed(&k.r3, g->o.seed, num, 0x7468726565u);
    rng_seed(&k.r4, g->o.seed, num, 0x666f7572u);
    int src = pickw(&k.r, SOURCE_W, 9);
    cw_date entry = g->start + U(&k, 0, g->as_of - g->start);
    if (src != SRC_POLICE)
        entry = nextw(g, entry);
    if (entry > g->as_of) { /* as_of is not a working day: the police call on the day */
        src = SRC_POLICE;
        entry = g->as_of;
    }
    int age = pickw(&k.r, AGE_W, 18);
    if (src == SRC_SELF && age < 10)
        src = SRC_SCHOOL;
    c->entry = entry;
    c->dob = (age ? M(entry, -12 * age) : entry) - U(&k, 1, 360);
    k.lim = M(c->dob, 216);
    c->gender = (uint8_t)pickw(&k.r, GENDER_W, 4);
    c->eth = (uint8_t)pickw(&k.r, ETHNICITY_W, 16);
    int welsh = c->eth <= 3 && uni(&k.r, 0, 999) < (int32_t)L->welsh_pm;
    int other = !welsh && c->eth >= 3 && c->eth <= 14 && P(&k, 0.35);
    c->lang = (uint8_t)(welsh ? 1 : other ? 2 : 0);
    c->given = (uint8_t)U(&k, 0, 23);
    c->fam_a = (uint8_t)U(&k, 0, 19);
    c->fam_b = (uint8_t)U(&k, 0, 19);
    c->house = (uint16_t)U(&k, 1, 180);
    c->street_a = (uint8_t)U(&k, 0, 19);
    c->street_b = (uint8_t)U(&k, 0, 9);
    c->town = (uint8_t)U(&k, 0, 3);
    c->restricted = (uint8_t)P(&k, 0.005);
    c->never_discussed = (uint8_t)PF(&k, P_NEVER_DISC);
    k.cse_profile = P(&k, 0.12);
    add(&k, E_CHILD, entry, A_FRONT);
    add(&k, E_DETAILS, entry, A_FRONT); /* what the statutory returns need (docs/demo.md) */
    cw_date t = entry;
    for (int i = 0; !k.stop && t <= g->as_of && t < k.lim - 60; i++) {
        cw_date e = involvement(&k, t, src);
        cse_module(&k, t, e);
        if (e >= NEVER || k.stop || !P(&k, i == 0 ? 0.24 : 0.15))
            break;
        src = pickw(&k.r, SOURCE_W, 9);
        if (src == SRC_SELF && age_at(&k, e) < 10)
            src = SRC_SCHOOL;
        t = e + U(&k, 30, 540);
        if (src != SRC_POLICE)
            t = nextw(g, t);
    }
    care_leaver(&k);
    filler(&k);
    plan_reviews(&k);
    returns_903(&k);
    c->ev_n = L->nev - c->ev_off;
    c->seg_n = L->nsegs - c->seg_off;
    /*
     * A correction (a case note's text or the address, recorded wrongly) for
     * 1 child in 200, in the first locality only: projecting a correction
     * looks up the corrected entry's children by index in child_events,
     * which has no index on it (a scan of the whole table per correction),
     * so corrections are made while the log is small. docs/demo.md.
     */
    if (P(&k, 0.005) && L->num == 1) {
        c->correct = 2;
        c->correct_seq = 0;
        for (size_t i = c->ev_off; i < L->nev; i++)
            if (L->ev[i].type == E_NOTE && L->ev[i].date <= c->cutoff) {
                c->correct = 1;
                c->correct_seq = L->ev[i].seq;
                break;
            }
    }
}

/* ---- staff ---- */

static int push_i32(int32_t **v, size_t *n, size_t *cap, int32_t x)
{
    if (cw_array_grow(v, cap, *n, sizeof **v))
        return -1;
    (*v)[(*n)++] = x;
    return 0;
}

static int push_date(cw_date **v, size_t *n, size_t *cap, cw_date x)
{
    return push_i32(v, n, cap, x);
}

/* The worker in slot s on day d. */
static int32_t worker_at(const slot *s, cw_date d)
{
    size_t i = 0;
    while (i + 1 < s->n && s->t[i + 1].from <= d)
        i++;
    return s->t[i].worker;
}

/* Who holds segment sg on day d: its first worker, or a successor who took it over. */
static int32_t holder_at(const slot *s, const seg *sg, cw_date d)
{
    int32_t w = worker_at(s, sg->start);
    for (size_t i = 1; i < s->n; i++)
        if (s->t[i].from > sg->start && s->t[i].from <= d &&
            (sg->end >= NEVER || s->t[i].from < sg->end))
            w = s->t[i].worker;
    return w;
}

/* A segment to sort by start day (then by index: a total order). */
typedef struct seg_key {
    cw_date start;
    int32_t i;
} seg_key;

static int cmp_seg(const void *a, const void *b)
{
    const seg_key *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int cmp_date(const void *a, const void *b)
{
    cw_date x = *(const cw_date *)a, y = *(const cw_date *)b;
    return (x > y) - (x < y);
}

/*
 * Staffs each team: enough slots for CASELOAD_TARGET open cases each at the
 * busiest time, each slot's succession of workers, and each segment given to
 * the least loaded slot (never back to the worker who held the child's case
 * before, which validation would refuse as a transfer to the same worker).
 */
static cw_rc staff_plan(loc *L)
{
    gen *g = L->g;
    cw_rc rc = CW_OK;
    seg_key *idx = malloc((L->nsegs ? L->nsegs : 1) * sizeof *idx);
    cw_date *edges = malloc((2 * L->nsegs + 1) * sizeof *edges);
    if (!idx || !edges) {
        rc = CW_ENOMEM;
        goto out;
    }
    staffing *front = &L->teams[T_IAA];
    front->nworkers = (int32_t)(L->nkids / 500 + 2);
    for (int t = T_ASSESS; t < NTEAMS; t++) {
        staffing *tm = &L->teams[t];
        size_t n = 0, ne = 0;
        for (size_t i = 0; i < L->nsegs; i++)
            if (L->segs[i].team == t)
                idx[n++] = (seg_key){L->segs[i].start, (int32_t)i};
        qsort(idx, n, sizeof *idx, cmp_seg);
        /* peak concurrency: starts as +2d, ends as +2d+1 (an end frees its day) */
        for (size_t i = 0; i < n; i++) {
            const seg *s = &L->segs[idx[i].i];
            edges[ne++] = 2 * s->start + 1;
            if (s->end < NEVER)
                edges[ne++] = 2 * s->end;
        }
        qsort(edges, ne, sizeof *edges, cmp_date);
        int32_t cur = 0, peak = 0;
        for (size_t i = 0; i < ne; i++) {
            cur += (edges[i] & 1) ? 1 : -1;
            if (cur > peak)
                peak = cur;
        }
        tm->nslots = (size_t)((peak + CASELOAD_TARGET - 1) / CASELOAD_TARGET);
        if (tm->nslots < 2)
            tm->nslots = 2;
        tm->slots = calloc(tm->nslots, sizeof *tm->slots);
        if (!tm->slots) {
            rc = CW_ENOMEM;
            goto out;
        }
        for (size_t j = 0; j < tm->nslots; j++) {
            slot *s = &tm->slots[j];
            cw_date d = g->start;
            while (d <= g->as_of) {
                if (cw_array_grow(&s->t, &s->cap, s->n, sizeof *s->t)) {
                    rc = CW_ENOMEM;
                    goto out;
                }
                s->t[s->n].from = d;
                s->t[s->n++].worker = tm->nworkers++;
                d = nextw(g, d + uni(&L->r, 180, 2700));
            }
        }
        tm->senior = calloc((size_t)tm->nworkers, 1);
        if (!tm->senior) {
            rc = CW_ENOMEM;
            goto out;
        }
        for (int32_t w = 0; w < tm->nworkers; w++)
            tm->senior[w] = (uint8_t)chance(&L->r, 0.15);
        for (size_t i = 0; i < n; i++) {
            seg *s = &L->segs[idx[i].i];
            int32_t avoid = -1;
            if (s->prev >= 0 && L->segs[s->prev].team == t)
                avoid = L->segs[s->prev].holder;
            size_t best = SIZE_MAX, bestload = SIZE_MAX;
            for (size_t o = 0; o < tm->nslots; o++) {
                size_t j = (o + s->child) % tm->nslots;
                slot *sl = &tm->slots[j];
                size_t live = 0;
                for (size_t q = 0; q < sl->nends; q++)
                    if (sl->ends[q] > s->start)
                        sl->ends[live++] = sl->ends[q];
                sl->nends = live;
                if (worker_at(sl, s->start) == avoid)
                    continue;
                if (live < bestload) {
                    best = j;
                    bestload = live;
                }
            }
            slot *sl = &tm->slots[best];
            s->slot = (int32_t)best;
            s->worker = worker_at(sl, s->start);
            s->holder = holder_at(sl, s, s->end);
            if (push_date(&sl->ends, &sl->nends, &sl->capends, s->end) ||
                push_i32(&sl->segs, &sl->nsegs, &sl->capsegs, idx[i].i)) {
                rc = CW_ENOMEM;
                goto out;
            }
        }
    }
    /* Hand-overs: a successor takes over the open cases of a worker who left. */
    for (size_t i = 0; i < L->nsegs; i++) {
        const seg *s = &L->segs[i];
        const slot *sl = &L->teams[s->team].slots[s->slot];
        const child *c = &L->kids[s->child];
        for (size_t j = 1; j < sl->n; j++) {
            cw_date d = sl->t[j].from;
            if (d <= s->start || d > g->as_of || (s->end < NEVER && d >= s->end) || d > c->cutoff)
                continue;
            if (cw_array_grow(&L->extra, &L->capextra, L->nextra, sizeof *L->extra)) {
                rc = CW_ENOMEM;
                goto out;
            }
            dev *e = &L->extra[L->nextra++];
            memset(e, 0, sizeof *e);
            e->type = E_TRANSFER;
            e->date = d;
            e->seq = s->child; /* sorted by child below; seq is not used for extras */
            e->actor = A_TM;
            e->team = s->team;
            e->seg = (int32_t)i;
            e->worker = sl->t[j].worker;
            e->a = TR_LEFT;
            e->flags = F_EXTRA;
        }
    }
out:
    free(idx);
    free(edges);
    if (rc == CW_ENOMEM)
        return cw_error_set(g->err, CW_ENOMEM, "out of memory");
    return rc;
}

static int cmp_extra(const void *a, const void *b)
{
    const dev *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->seg > y->seg) - (x->seg < y->seg);
}

/* ---- emitting commands ---- */

typedef struct pb {
    json_t *o;
    int bad;
} pb;

static void pset(pb *b, const char *k, json_t *v)
{
    if (!v || !b->o || json_object_set_new(b->o, k, v))
        b->bad = 1;
}

static void pstr(pb *b, const char *k, const char *v)
{
    pset(b, k, json_string(v));
}

static void pdate(pb *b, const char *k, cw_date d)
{
    char s[CW_DATE_LEN + 1];
    cw_date_format(d, s);
    pset(b, k, json_string(s));
}

static void pbool(pb *b, const char *k, int v)
{
    pset(b, k, json_boolean(v));
}

static void pint(pb *b, const char *k, long long v)
{
    pset(b, k, json_integer(v));
}

/* ---- when each command was recorded (docs/demo.md, "Recording") ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = mix(h ^ (uint8_t)*s);
    return h;
}

/* Whether this social worker was chosen for the pattern (a draw per person, share x scale). */
static int chosen(const gen *g, const char *actor, int pattern, double share)
{
    if (strncmp(actor, "sw.", 3) || strstr(actor, ".iaa."))
        return 0;
    return unit(hash_str(mix(g->o.seed * 0x9E3779B97F4A7C15ULL + (uint64_t)pattern), actor)) <
           share * g->o.failure_scale;
}

static void injected(gen *g, const char *actor, int pattern, const char *kid_id)
{
    size_t i = 0;
    while (i < g->ninj && (g->inj[i].pattern != pattern || strcmp(g->inj[i].actor, actor)))
        i++;
    if (i == g->ninj) {
        if (cw_array_grow(&g->inj, &g->capinj, g->ninj, sizeof *g->inj))
            return; /* only the count is lost */
        memset(&g->inj[i], 0, sizeof g->inj[i]);
        snprintf(g->inj[i].actor, sizeof g->inj[i].actor, "%s", actor);
        g->inj[i].pattern = pattern;
        g->ninj++;
    }
    g->inj[i].n++;
    struct inj *j = &g->inj[i];
    int seen = !kid_id;
    for (uint32_t k = 0; !seen && k < j->nkids; k++)
        seen = !strcmp(j->kids[k], kid_id);
    if (!seen && j->nkids < 8)
        snprintf(j->kids[j->nkids++], sizeof j->kids[0], "%s", kid_id);
}

/* Entries that are not a record of something that happened on their date. */
static int not_recording(const char *type)
{
    return !strcmp(type, "correction") || !strcmp(type, "supervision_held") ||
           !strcmp(type, "child_registered") || !strcmp(type, "team_created") ||
           !strcmp(type, "staff_added") || !strcmp(type, "staff_left") ||
           !strncmp(type, "improve_", 8);
}

/*
 * The time the command was recorded (its source recorded_at, ms): on the day it happened
 * or soon after (0 working days 60%, 1 25%, 2 8%, 3 4%, 4-5 2%, 6-10 1%: the council keeps
 * its two-week recording standard),
 * between 09:00 and 18:00; never after as_of (a day that would be is as_of at 00:00, so
 * never after the log's own time either). The people chosen for late recording and bulk
 * entry, and a forced day, change it.
 */
static int64_t recorded_ms(gen *g, const char *actor, const char *type, cw_date d,
                           const char *kid_id)
{
    uint64_t h = mix(g->o.seed ^ mix(g->st.events + 0x51EDULL));
    double u = unit(h);
    int32_t delay = u < 0.60   ? 0
                    : u < 0.85 ? 1
                    : u < 0.93 ? 2
                    : u < 0.97 ? 3
                    : u < 0.99 ? 4 + (int32_t)(mix(h) % 2)
                               : 6 + (int32_t)(mix(h) % 5);
    int32_t minute = 540 + (int32_t)(mix(h + 1) % 540);
    /* The improvement plan's entries are recorded on their day: its deadlines and ratings count
     * the day recorded (docs/improvement.md), and the demo's plan is part way through as
     * docs/demo.md says, whatever the seed. */
    if (!strncmp(type, "improve_", 8))
        delay = 0;
    cw_date rec = W(g, d, delay);
    if (g->force_rec) {
        rec = W(g, g->force_rec, delay);
        g->force_rec = 0;
    } else if (!not_recording(type)) {
        if (chosen(g, actor, CW_INTEGRITY_LATE_RECORDING, P_I_LATE_W) && unit(mix(h + 2)) < 0.35) {
            rec = W(g, d, 11 + (int32_t)(mix(h + 3) % 20));
            injected(g, actor, CW_INTEGRITY_LATE_RECORDING, NULL);
            g->altered |= 1u << CW_INTEGRITY_LATE_RECORDING;
        }
        if (chosen(g, actor, CW_INTEGRITY_BULK_ENTRY, P_I_BULK_W)) {
            /* one sitting: a day between 20 and 170 working days before as_of, 15:00-15:55,
             * for what they did in the 2 to 8 weeks before it */
            cw_date day = W(g, g->as_of, -20 - (int32_t)(hash_str(g->o.seed, actor) % 150));
            if (d >= W(g, day, -40) && d <= W(g, day, -6)) {
                rec = day;
                minute = 900 + (int32_t)(g->st.events % 55);
                injected(g, actor, CW_INTEGRITY_BULK_ENTRY, kid_id);
                g->altered |= 1u << CW_INTEGRITY_BULK_ENTRY;
            }
        }
    }
    if (rec >= g->as_of) {
        rec = g->as_of;
        minute = 0;
    }
    return (int64_t)rec * 86400000 + (int64_t)minute * 60000;
}

/* Submits one command; commits and begins a new batch every opts.batch. */
static cw_rc put(gen *g, const char *actor, const char *type, pb *b, uint64_t *idx)
{
    if (b->bad) {
        json_decref(b->o);
        return cw_error_set(g->err, CW_ENOMEM, "out of memory");
    }
    cw_event ev = {actor, type, b->o};
    /* when it happened: its date; organisation events at the start, corrections at the end */
    cw_date d = !strcmp(type, "correction") ? g->as_of : g->start;
    const char *ds = json_string_value(json_object_get(b->o, "date"));
    if (ds)
        cw_date_parse(ds, strlen(ds), &d);
    if (!strcmp(type, "statutory_visit") && json_object_get(b->o, "views") &&
        chosen(g, actor, CW_INTEGRITY_BOILERPLATE, P_I_PASTE_W)) {
        json_object_set_new(b->o, "views", json_string(PASTED));
        injected(g, actor, CW_INTEGRITY_BOILERPLATE, NULL);
        g->altered |= 1u << CW_INTEGRITY_BOILERPLATE;
    }
    cw_event_source src = {
        "demo",
        recorded_ms(g, actor, type, d, json_string_value(json_object_get(b->o, "child_id")))};
    uint64_t i = 0, before = cw_ledger_size(g->l);
    cw_rc rc = g->o.leaf_v1 ? cw_casework_submit_as_v1(g->l, &ev, &src, &i, g->err)
                            : cw_casework_submit_source(g->l, &ev, &src, &i, g->err);
    json_decref(b->o);
    b->o = NULL;
    for (int p = 0; !rc && g->o.altered && p < CW_INTEGRITY_NPATTERNS; p++)
        if (g->altered & (1u << p))
            g->o.altered(g->o.altered_ctx, p, actor, i);
    g->altered = 0;
    if (rc) {
        cw_error_prefix(g->err, "demo: %s by %s: ", type, actor);
        return rc;
    }
    if (idx)
        *idx = i;
    /* every entry: a critical finding's completion also records its escalations at once */
    g->st.events += cw_ledger_size(g->l) - before;
    if (++g->inbatch >= g->o.batch) {
        if ((rc = cw_casework_commit(g->l, NULL, g->err)))
            return rc;
        g->st.batches++;
        g->inbatch = 0;
        if (g->o.progress)
            g->o.progress(g->o.progress_ctx, g->children_done, g->o.children, g->st.events);
        rc = cw_casework_begin(g->l, g->err);
    }
    return rc;
}

static pb newpb(void)
{
    pb b = {json_object(), 0};
    if (!b.o)
        b.bad = 1;
    return b;
}

static void staff_name(rng *r, char *out, size_t cap)
{
    const char *given = chance(r, 0.5) ? GIVEN_F[uni(r, 0, 23)] : GIVEN_M[uni(r, 0, 23)];
    snprintf(out, cap, "%s %s%s", given, FAM_A[uni(r, 0, 19)], FAM_B[uni(r, 0, 19)]);
}

static void team_id(const loc *L, int t, char *out, size_t cap)
{
    snprintf(out, cap, "%s.l%u", TEAM_SHORT[t], L->num);
}

static void tm_id(const loc *L, int t, char *out, size_t cap)
{
    snprintf(out, cap, "tm.l%u.%s", L->num, TEAM_SHORT[t]);
}

static void sm_id(const loc *L, int t, char *out, size_t cap)
{
    snprintf(out, cap, "sm.l%u.%d", L->num, t <= T_SAFE ? 1 : 2);
}

static void sw_id(const loc *L, int t, int32_t w, char *out, size_t cap)
{
    snprintf(out, cap, "sw.l%u.%s.%d", L->num, TEAM_SHORT[t], (int)w + 1);
}

static void place_name(const loc *L, int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", PLACE_A[L->place[i][0]], PLACE_B[L->place[i][1]]);
}

/*
 * Whether the council carries a case-file audit (emit_audit), with the director and the QA
 * auditors it needs: with AUDIT_MIN_CHILDREN children or more, so that the small councils
 * tests build stay as they were, and not in the leaf format from before issue 13 (audits came
 * after it).
 */
static int with_audit(const gen *g)
{
    return g->o.children >= AUDIT_MIN_CHILDREN && !g->o.leaf_v1;
}

/* The head of service (first locality of a council), teams and staff. */
static cw_rc emit_org(loc *L)
{
    gen *g = L->g;
    char id[80], id2[80], name[120], where[40];
    cw_rc rc = CW_OK;
    char hos[40];
    snprintf(hos, sizeof hos, "hos.%u", L->council);
    if (L->first_in_council) {
        rng r;
        char dir[40];
        snprintf(dir, sizeof dir, "dir.%u", L->council);
        if (with_audit(g)) {
            /* the director of social services, above the head of service (docs/demo.md) */
            rng_seed(&r, g->o.seed, L->council, 0x646972u);
            pb d = newpb();
            staff_name(&r, name, sizeof name);
            pstr(&d, "staff_id", dir);
            pstr(&d, "name", name);
            pstr(&d, "role", "director");
            if ((rc = put(g, "admin", "staff_added", &d, NULL)))
                return rc;
            g->st.staff++;
        }
        rng_seed(&r, g->o.seed, L->council, 0x686f73u);
        pb b = newpb();
        staff_name(&r, name, sizeof name);
        pstr(&b, "staff_id", hos);
        pstr(&b, "name", name);
        pstr(&b, "role", "head_of_service");
        if (with_audit(g))
            pstr(&b, "manager_id", dir);
        if ((rc = put(g, "admin", "staff_added", &b, NULL)))
            return rc;
        g->st.staff++;
        g->st.councils++;
        /* the council's data protection officer, who decides erasures (docs/privacy.md) */
        rng_seed(&r, g->o.seed, L->council, 0x64706fu);
        pb d = newpb();
        char dpo[40];
        snprintf(dpo, sizeof dpo, "dpo.%u", L->council);
        staff_name(&r, name, sizeof name);
        pstr(&d, "staff_id", dpo);
        pstr(&d, "name", name);
        pstr(&d, "role", "data_protection_officer");
        if ((rc = put(g, "admin", "staff_added", &d, NULL)))
            return rc;
        g->st.staff++;
        /* the council's quality assurance auditors, who report to the head of service */
        for (int q = 1; with_audit(g) && q <= 2; q++) {
            rng_seed(&r, g->o.seed, L->council, 0x716100u + (uint64_t)q);
            pb a = newpb();
            char qa[40];
            snprintf(qa, sizeof qa, "qa.%u.%d", L->council, q);
            staff_name(&r, name, sizeof name);
            pstr(&a, "staff_id", qa);
            pstr(&a, "name", name);
            pstr(&a, "role", "qa_auditor");
            pstr(&a, "manager_id", hos);
            if ((rc = put(g, "admin", "staff_added", &a, NULL)))
                return rc;
            g->st.staff++;
        }
    }
    place_name(L, 3, where, sizeof where);
    for (int t = 0; t < NTEAMS; t++) {
        pb b = newpb();
        team_id(L, t, id, sizeof id);
        snprintf(name, sizeof name, "%s %s", where, TEAM_NAME[t]);
        pstr(&b, "team_id", id);
        pstr(&b, "name", name);
        pstr(&b, "service_area", TEAM_AREA[t]);
        if ((rc = put(g, "admin", "team_created", &b, NULL)))
            return rc;
        g->st.teams++;
    }
    for (int s = 1; s <= 2; s++) {
        pb b = newpb();
        sm_id(L, s == 1 ? T_IAA : T_LAC, id, sizeof id);
        staff_name(&L->r, name, sizeof name);
        pstr(&b, "staff_id", id);
        pstr(&b, "name", name);
        pstr(&b, "role", "service_manager");
        pstr(&b, "manager_id", hos);
        if ((rc = put(g, "admin", "staff_added", &b, NULL)))
            return rc;
        g->st.staff++;
    }
    for (int t = 0; t < NTEAMS; t++) {
        pb b = newpb();
        tm_id(L, t, id, sizeof id);
        sm_id(L, t, id2, sizeof id2);
        char tid[40];
        team_id(L, t, tid, sizeof tid);
        staff_name(&L->r, name, sizeof name);
        pstr(&b, "staff_id", id);
        pstr(&b, "name", name);
        pstr(&b, "role", "team_manager");
        pstr(&b, "team_id", tid);
        pstr(&b, "manager_id", id2);
        if ((rc = put(g, "admin", "staff_added", &b, NULL)))
            return rc;
        g->st.staff++;
        const staffing *tm = &L->teams[t];
        for (int32_t w = 0; w < tm->nworkers; w++) {
            pb c = newpb();
            sw_id(L, t, w, id2, sizeof id2);
            staff_name(&L->r, name, sizeof name);
            pstr(&c, "staff_id", id2);
            pstr(&c, "name", name);
            pstr(&c, "role", tm->senior && tm->senior[w] ? "senior_practitioner" : "social_worker");
            pstr(&c, "team_id", tid);
            pstr(&c, "manager_id", id);
            if ((rc = put(g, "admin", "staff_added", &c, NULL)))
                return rc;
            g->st.staff++;
            g->st.social_workers++;
        }
    }
    return CW_OK;
}

/* The segment of child c covering day d (the latest to start), or NULL. */
static const seg *seg_at(const loc *L, const child *c, cw_date d)
{
    const seg *found = NULL;
    for (size_t i = 0; i < c->seg_n; i++) {
        const seg *s = &L->segs[c->seg_off + i];
        if (s->start <= d && (s->end >= NEVER || d <= s->end))
            found = s;
    }
    return found;
}

static void actor_of(const loc *L, const child *c, const dev *e, char *out, size_t cap)
{
    if (e->actor == A_TM) {
        tm_id(L, e->team, out, cap);
        return;
    }
    if (e->actor == A_FRONT_TM) {
        tm_id(L, T_IAA, out, cap);
        return;
    }
    const seg *s = e->actor == A_HOLDER ? seg_at(L, c, e->date) : NULL;
    if (!s) {
        sw_id(L, T_IAA, (int32_t)(c->num % (uint64_t)L->teams[T_IAA].nworkers), out, cap);
        return;
    }
    const slot *sl = &L->teams[s->team].slots[s->slot];
    sw_id(L, s->team, holder_at(sl, s, e->date), out, cap);
}

static void child_id(const child *c, char *out, size_t cap)
{
    snprintf(out, cap, "C%07llu", (unsigned long long)c->num);
}

static void rec_id(const char *cid, const char *kind, unsigned n, char *out, size_t cap)
{
    snprintf(out, cap, "%s-%s%u", cid, kind, n);
}

static void address(const loc *L, const child *c, int house_fix, char *out, size_t cap)
{
    char town[40];
    place_name(L, c->town % 3, town, sizeof town);
    snprintf(out, cap, "%u %s %s, %s, ZZ%u %u%c%c", (unsigned)(c->house + house_fix),
             STREET_A[c->street_a], STREET_B[c->street_b], town, L->num % 90 + 1,
             (unsigned)c->house % 9 + 1, 'A' + c->street_a % 26, 'A' + (c->house / 7) % 26);
}

/* The SERAF lists of a risk assessment. */
static void seraf_lists(pb *b, uint32_t mask)
{
    json_t *v = json_array(), *m = json_array(), *s = json_array();
    for (int i = 0; i < 12; i++)
        if (v && mask & (1u << i) && json_array_append_new(v, json_string(VULNERABILITIES[i])))
            b->bad = 1;
    for (int i = 0; i < 10; i++)
        if (m && mask & (1u << (12 + i)) && json_array_append_new(m, json_string(MODERATE[i])))
            b->bad = 1;
    for (int i = 0; i < 6; i++)
        if (s && mask & (1u << (22 + i)) && json_array_append_new(s, json_string(SIGNIFICANT[i])))
            b->bad = 1;
    pset(b, "vulnerabilities", v);
    pset(b, "moderate_indicators", m);
    pset(b, "significant_indicators", s);
}

/* What the emitted events of one child say about the state at as_of. */
typedef struct track {
    int closed, allocated, on_register, looked_after, nsa;
    cw_date run_start;
    cw_date last_met_cp; /* last seen-alone visit while registered */
    cw_date home;        /* last seen at home while registered (or the registration) */
    cw_date bed_from;    /* the conference from which the bedroom is unseen, or NEVER */
    struct {
        uint16_t n;
        cw_date due;
    } open_a[16], closed_a[16]; /* assessments started and not completed since the case (re)opened;
                                    those the last closure ended */
    size_t nopen_a, nclosed_a;
    cw_date closed_on; /* the last closure */
    cw_date cse_since; /* the first CSE indicator not yet risk-assessed, or NEVER */
    cw_date last_ra;   /* the last CSE risk assessment */
    cw_date cr[64];    /* contacts and referrals, in date order (the last 64) */
    size_t ncr;
    cw_date last_astart;  /* the last assessment started */
    cw_date repeat_since; /* a third contact in 12 months not yet assessed, or NEVER */
    struct {
        uint8_t kind; /* AW_CONTACT, AW_RETURN */
        uint16_t n;
        cw_date due;
    } open_w[16], closed_w[16]; /* contacts awaiting a decision, returns awaiting an interview;
                                   those the last closure ended */
    size_t nopen_w, nclosed_w;
    cw_date mis[16]; /* missing episodes, in date order (the last 16) */
    size_t nmis;
    cw_date rm_since; /* rules: repeat_missing raised by the episode of this day, or NEVER */
    cw_date last_sd;  /* the last strategy discussion */
} track;

enum { AW_CONTACT, AW_RETURN };

/* A clock of kind (AW_...) for record n, due on due, awaits its entry. */
static void await_w(track *tr, int kind, uint16_t n, cw_date due)
{
    if (tr->nopen_w < sizeof tr->open_w / sizeof tr->open_w[0]) {
        tr->open_w[tr->nopen_w].kind = (uint8_t)kind;
        tr->open_w[tr->nopen_w].n = n;
        tr->open_w[tr->nopen_w++].due = due;
    }
}

/* Record n's entry of kind (n 0: every one of the kind, as a referral meets every contact). */
static void met_w(track *tr, int kind, uint16_t n)
{
    for (size_t i = tr->nopen_w; i-- > 0;)
        if (tr->open_w[i].kind == kind && (!n || tr->open_w[i].n == n))
            tr->open_w[i] = tr->open_w[--tr->nopen_w];
}

/* Builds one event's payload; cid is the child's identifier. */
/*
 * A record's words about this child: the child's name and the day before the phrase, so that
 * no two children's records read the same (real records never do; pasted ones do, and the
 * integrity analytics look for that).
 */
static const char *own_words(const child *c, cw_date d, const char *phrase, char *out, size_t cap)
{
    const char *given = c->gender == 0   ? GIVEN_F[c->given]
                        : c->gender == 1 ? GIVEN_M[c->given]
                                         : GIVEN_X[c->given % 8];
    char day[CW_DATE_LEN + 1];
    cw_date_format(d, day);
    snprintf(out, cap, "%s %s%s, %s: %s", given, FAM_A[c->fam_a], FAM_B[c->fam_b], day, phrase);
    return out;
}

/* Why a child seen on a visit was not seen alone: too young, or (older) their own wish. */
static const char *not_alone_reason(const child *c, cw_date d, char *out, size_t cap)
{
    int months = 0;
    while (months < 48 && cw_date_add_months(c->dob, months + 1) <= d)
        months++;
    if (months < 48)
        snprintf(out, cap, "Too young to be seen alone: %d month%s old.", months,
                 months == 1 ? "" : "s");
    else
        snprintf(out, cap, "The child asked for their carer to stay during the visit.");
    return out;
}

/*
 * The Active Offer (docs/events.md): whether a visit or an assessment was offered in Welsh
 * without being asked (*made), and the language it was carried out in (*lang, an index into
 * SERVICE_LANGUAGES). A stateless draw from the seed, the child and the event, so no journey's
 * stream moves. The demo council is Welsh: the offer is made to most Welsh speakers, and most
 * but not all of their work is in Welsh; English speakers are mostly offered it too and
 * answer in English. One piece of work in 20 records neither: returns 0.
 */
static const char *const SERVICE_LANGUAGES[] = {"english", "welsh", "bilingual", "other"};
enum { SL_ENGLISH, SL_WELSH, SL_BILINGUAL, SL_OTHER };

static int active_offer(uint64_t seed, const child *c, const dev *e, int *made, int *lang)
{
    if (e->type != E_VISIT && e->type != E_ADONE && e->type != E_NEEDS)
        return 0;
    uint64_t h = mix(seed ^ mix(c->num * 131 + e->seq + 0xAC71FEULL));
    double recorded = unit(h), offer = unit(mix(h ^ 1)), spoken = unit(mix(h ^ 2));
    if (recorded < 0.05)
        return 0;
    switch (c->lang) {
    case 1: /* Welsh */
        *made = offer < 0.88;
        *lang = *made ? (spoken < 0.72   ? SL_WELSH
                         : spoken < 0.90 ? SL_BILINGUAL
                                         : SL_ENGLISH)
                      : (spoken < 0.35   ? SL_WELSH
                         : spoken < 0.50 ? SL_BILINGUAL
                                         : SL_ENGLISH);
        break;
    case 2: /* another language: English, or an interpreter */
        *made = offer < 0.5;
        *lang = spoken < 0.65 ? SL_ENGLISH : spoken < 0.95 ? SL_OTHER : SL_BILINGUAL;
        break;
    default:
        *made = offer < 0.6;
        *lang = spoken < 0.97 ? SL_ENGLISH : spoken < 0.99 ? SL_BILINGUAL : SL_WELSH;
        break;
    }
    return 1;
}

/* The family's language, recorded for six children in ten: mostly the child's own; a few
 * Welsh-speaking families of English-speaking children, and the reverse. Drawn from the seed
 * and the child alone, so that nothing else the demo makes changes. -1: not recorded. */
static int family_language(uint64_t seed, const child *c)
{
    uint64_t h = mix(seed ^ mix(c->num * 977 + 0xFA417ULL));
    double recorded = unit(h), differs = unit(mix(h ^ 1));
    if (recorded >= 0.6)
        return -1;
    if (c->lang == 0 && differs < 0.04)
        return 1;
    if (c->lang == 1 && differs < 0.15)
        return 0;
    return c->lang;
}

/* ---- what the statutory returns need (docs/returns.md), drawn from the seed and the child
 * alone (as family_language), so that nothing else the demo makes changes ---- */

/* The DfE's ethnicity code of each of the demo's ethnicity texts ("Not stated": NOBT). */
static const char *const ETHNICITY_CODE[16] = {"WBRI", "WIRI", "WIRT", "WOTH", "MWBC", "MWAS",
                                               "MOTH", "APKN", "ABAN", "AIND", "AOTH", "BAFR",
                                               "BCRB", "OOTH", "OOTH", "NOBT"};
static const char *const DISABILITY[12] = {"MOB",  "HAND", "PC",  "INC", "COMM", "LD",
                                           "HEAR", "VIS",  "BEH", "CON", "AUT",  "DDA"};

/* The ethnicity code, disabilities (NONE for six children in seven), and a UPN for a child of
 * school age by the demo's as_of date (issued under the pseudo-LA code 001, so that no demo UPN can
 * be a real pupil's) or the reason there is none (UN1: under school age). */
static void details(uint64_t seed, const child *c, cw_date as_of, pb *b)
{
    uint64_t h = mix(seed ^ mix(c->num * 7919 + 0xD15AB1ULL));
    pstr(b, "ethnicity_code", ETHNICITY_CODE[c->eth]);
    json_t *dis = json_array();
    if (!dis)
        b->bad = 1;
    int first = (int)(mix(h ^ 2) % 12), second = (int)(mix(h ^ 3) % 12);
    if (dis && unit(h) < 0.86) {
        b->bad |= json_array_append_new(dis, json_string("NONE")) != 0;
    } else if (dis) {
        b->bad |= json_array_append_new(dis, json_string(DISABILITY[first])) != 0;
        if (unit(mix(h ^ 4)) < 0.4 && second != first)
            b->bad |= json_array_append_new(dis, json_string(DISABILITY[second])) != 0;
    }
    if (dis)
        pset(b, "disabilities", dis);
    /* unaccompanied asylum-seeking: 1 in 20 of those 13 or over when they became known; a young
     * mother: 1 in 30 of the girls 16 or over, her child born before (SSDA903) */
    if (c->entry - c->dob >= 13 * 366 && unit(mix(h ^ 8)) < 0.05)
        pbool(b, "uasc", 1);
    if (c->gender == 0 && c->entry - c->dob >= 16 * 366 + 300 && unit(mix(h ^ 9)) < 0.034)
        pdate(b, "own_child_born", c->entry - 30 - (cw_date)(mix(h ^ 10) % 270));
    if (as_of - c->dob >= 5 * 365) {
        char upn[14];
        snprintf(upn, sizeof upn, "?001%09llu", (unsigned long long)(c->num % 1000000000ULL));
        upn[0] = cw_upn_check_letter(upn);
        pstr(b, "upn", upn);
    } else {
        pstr(b, "upn_unknown", "UN1");
    }
}

/* The primary need and the factors an assessment found: abuse or neglect where it led to
 * protection or care; otherwise a spread of the CIN census's needs. The demo never records
 * "21" (no factors identified): the census asks that such an episode close as RC8 or RC9, and
 * the demo's assessments follow enquiries and plans it does not track here. */
static void assessment_codes(uint64_t seed, const child *c, const dev *e, pb *b)
{
    static const char *const NEEDS[] = {"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"};
    static const uint16_t NEED_W[] = {45, 8, 10, 14, 12, 5, 2, 4};
    static const char *const FACTORS[] = {"2B",  "3B",  "4B",  "1B",  "5B",  "6B",  "8B",
                                          "10A", "11A", "12A", "13A", "14A", "16A", "17A",
                                          "18B", "19B", "22A", "23A", "24A"};
    uint64_t h = mix(seed ^ mix(c->num * 104729 + (uint64_t)e->n * 31 + 0xFAC7ULL));
    const char *need = "N1";
    if (e->a != O_CP && e->a != O_LA) {
        double u = unit(h) * 100, acc = 0;
        for (size_t i = 0; i < sizeof NEEDS / sizeof NEEDS[0]; i++)
            if (u >= acc && u < (acc += NEED_W[i]))
                need = NEEDS[i];
    }
    pstr(b, "primary_need", need);
    json_t *f = json_array();
    if (!f) {
        b->bad = 1;
        return;
    }
    size_t nf = sizeof FACTORS / sizeof FACTORS[0], k = 1 + mix(h ^ 6) % 3;
    size_t at = mix(h ^ 7) % nf;
    for (size_t i = 0; i < k; i++)
        b->bad |= json_array_append_new(f, json_string(FACTORS[(at + i * 5) % nf])) != 0;
    pset(b, "factors", f);
}

/* ---- the SSDA903's facts (docs/returns.md, "SSDA903"), from the seed, the child and the
 * event's date alone ---- */

/* The placement's details: the setting where the type does not decide PLACE, the provider,
 * the reason for a move. No URN or postcode: the demo invents no provider or address (the
 * return gives the placeholder URN and says so). */
static void placement_903(uint64_t seed, const child *c, const dev *e, pb *b)
{
    uint64_t h = h903(seed, c, e->date, 0x91ACE);
    double u = unit(h);
    int age = years_at(c, e->date);
    if (e->a == PT_RESIDENTIAL)
        pstr(b, "setting", "K2");
    else if (e->a == PT_OTHER)
        pstr(b, "setting", age >= 16 ? "K3" : age >= 4 ? "S1" : "R3");
    if (e->a == PT_FOSTER)
        pstr(b, "provider", u < 0.65 ? "PR1" : "PR4");
    else if (e->a == PT_RESIDENTIAL || e->a == PT_OTHER) /* not the council's own: it has no
                                                            addresses to say they are in its area
                                                            (rule 1015) */
        pstr(b, "provider", u < 0.3 ? "PR5" : "PR4");
    else if (e->a != PT_PARENTS)
        pstr(b, "provider", "PR1");
    if (e->type == E_PLACEMENT) {
        static const char *const WHY[] = {"CARPL", "CARPL", "CARPL", "CREQB", "CREQO",
                                          "CHILD", "LAREQ", "STAND", "OTHER", "CLOSE"};
        pstr(b, "change_reason", e->a == PT_ADOPTION ? "CARPL" : WHY[mix(h ^ 1) % 10]);
    }
}

/* Why care ended, in the DfE's detail (the last placement's type in e->c, plus one). */
static const char *end_detail(uint64_t seed, const child *c, const dev *e)
{
    double u = unit(h903(seed, c, e->date, 0xE7D));
    int last = e->c ? e->c - 1 : -1, age = years_at(c, e->date);
    switch (e->a) {
    case LR_HOME:
        return u < 0.85 ? "E4A" : "E4B";
    case LR_ADOPTION:
        return u < 0.7 ? "E11" : "E12";
    case LR_SGO:
        return last == PT_KINSHIP ? "E45" : last == PT_FOSTER ? "E46" : u < 0.5 ? "E47" : "E48";
    case LR_AGE18:
        if ((last == PT_FOSTER || last == PT_KINSHIP) && u < 0.45)
            return "E17";
        return u < 0.8 ? "E5" : "E6";
    default:
        return age >= 14 ? "E5" : "E8";
    }
}

static void payload(const loc *L, const child *c, const dev *e, const char *cid, pb *b)
{
    int offer_made, service_language;
    if (active_offer(L->g->o.seed, c, e, &offer_made, &service_language)) {
        pbool(b, "active_offer_made", offer_made);
        pstr(b, "service_language", SERVICE_LANGUAGES[service_language]);
    }
    char id[100], text[400];
    switch (e->type) {
    case E_CHILD: {
        const char *given = c->gender == 0   ? GIVEN_F[c->given]
                            : c->gender == 1 ? GIVEN_M[c->given]
                                             : GIVEN_X[c->given % 8];
        char fam[40], addr[200];
        snprintf(fam, sizeof fam, "%s%s", FAM_A[c->fam_a], FAM_B[c->fam_b]);
        address(L, c, 0, addr, sizeof addr);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "given_name", given);
        pstr(b, "family_name", fam);
        pdate(b, "date_of_birth", c->dob);
        pstr(b, "gender", GENDERS[c->gender]);
        pstr(b, "ethnicity", ETHNICITY[c->eth]);
        pstr(b, "language", LANGUAGES[c->lang]);
        int fl = family_language(L->g->o.seed, c);
        if (fl >= 0)
            pstr(b, "family_language", LANGUAGES[fl]);
        pstr(b, "address", addr);
        if (c->restricted) {
            json_t *to = json_array();
            char s1[40], s2[40];
            sm_id(L, T_IAA, s1, sizeof s1);
            tm_id(L, T_IAA, s2, sizeof s2);
            if (!to || json_array_append_new(to, json_string(s1)) ||
                json_array_append_new(to, json_string(s2)))
                b->bad = 1;
            pbool(b, "restricted", 1);
            pset(b, "restricted_to", to);
        }
        return;
    }
    case E_CONTACT:
    case E_REFERRAL:
        rec_id(cid, e->type == E_CONTACT ? "CT" : "R", e->n, id, sizeof id);
        pstr(b, e->type == E_CONTACT ? "contact_id" : "referral_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "source", SOURCES[e->a]);
        pstr(b, "reason", e->flags & F_CSE ? CSE_TEXT[e->b] : CONTACT_TEXT[e->a][e->b]);
        if (e->flags & F_CSE)
            pbool(b, "cse_concern", 1);
        return;
    case E_DECIDED:
        rec_id(cid, "R", e->n, id, sizeof id);
        pstr(b, "referral_id", id);
        pdate(b, "date", e->date);
        pstr(b, "decision", DECISIONS[e->a]);
        tm_id(L, T_IAA, id, sizeof id);
        pstr(b, "decided_by", id);
        return;
    case E_ASTART:
        rec_id(cid, "A", e->n, id, sizeof id);
        pstr(b, "assessment_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        if (e->n2) {
            rec_id(cid, "R", e->n2, id, sizeof id);
            pstr(b, "referral_id", id);
        }
        return;
    case E_ADONE: {
        rec_id(cid, "A", e->n, id, sizeof id);
        pstr(b, "assessment_id", id);
        pdate(b, "date", e->date);
        pbool(b, "child_seen", (e->flags & F_SEEN) != 0);
        if (e->flags & F_SEEN)
            pdate(b, "child_seen_date", e->x);
        int band = (e->date - c->dob) / 365 < 3 ? 0 : (e->date - c->dob) / 365 < 11 ? 1 : 2;
        if (e->flags & F_NOVIEWS)
            pstr(b, "views_not_obtained_reason", e->flags & F_SEEN ? NO_VIEWS[e->c] : NOT_SEEN);
        else
            pstr(b, "views", own_words(c, e->date, VIEWS[band][e->c], text, sizeof text));
        pstr(b, "analysis", own_words(c, e->date, ANALYSIS[e->a][e->b], text, sizeof text));
        pstr(b, "outcome", OUTCOMES[e->a]);
        tm_id(L, T_ASSESS, id, sizeof id);
        pstr(b, "signed_off_by", id);
        assessment_codes(L->g->o.seed, c, e, b);
        return;
    }
    case E_STRATEGY:
        rec_id(cid, "S", e->n, id, sizeof id);
        pstr(b, "strategy_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "decision", STRAT_DECISIONS[e->a]);
        if (e->flags & F_CSE)
            pbool(b, "cse", 1);
        return;
    case E_S47START:
        rec_id(cid, "E", e->n, id, sizeof id);
        pstr(b, "enquiry_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        rec_id(cid, "S", e->n2, id, sizeof id);
        pstr(b, "strategy_id", id);
        return;
    case E_S47DONE:
        rec_id(cid, "E", e->n, id, sizeof id);
        pstr(b, "enquiry_id", id);
        pdate(b, "date", e->date);
        pstr(b, "outcome", S47_OUTCOMES[e->a]);
        return;
    case E_CONFERENCE:
        rec_id(cid, "K", e->n, id, sizeof id);
        pstr(b, "conference_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "kind", CONF_KINDS[e->a]);
        pstr(b, "decision", CONF_DECISIONS[e->b]);
        if (e->b == CD_REGISTER)
            pstr(b, "category", CATEGORIES[e->c]);
        return;
    case E_PLAN:
        rec_id(cid, "P", e->n, id, sizeof id);
        pstr(b, "plan_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "kind", PLAN_KINDS[e->a]);
        return;
    case E_LASTART:
    case E_PLACEMENT:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        rec_id(cid, "PL", e->n, id, sizeof id);
        pstr(b, "placement_id", id);
        pstr(b, "placement_type", PLACEMENTS[e->a]);
        if (e->flags & F_UNTIL18)
            pbool(b, "until_18", 1);
        if (e->b)
            pstr(b, "interim_arrangement", INTERIMS[e->b - 1]);
        if (e->flags & F_SCHOOL)
            pbool(b, "school_changed", 1);
        placement_903(L->g->o.seed, c, e, b);
        if (e->type == E_LASTART) {
            static const char *const NEED[] = {"N1", "N1", "N1", "N1", "N1", "N1",
                                               "N2", "N3", "N4", "N5", "N6", "N8"};
            uint64_t h = h903(L->g->o.seed, c, e->date, 0x5747);
            pstr(b, "legal_status",
                 LEGAL_STATUS[start_ls(L->g->o.seed, c, e->date, e->a, e->b ? e->b - 1 : -1)]);
            pstr(b, "category_of_need", NEED[h % 12]);
            pstr(b, "previous_permanence", "Z1"); /* none before: an order's date and
                                                     authority are not facts caseward holds */
        }
        return;
    case E_LAEND:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "reason", LA_REASONS[e->a]);
        pstr(b, "reason_detail", end_detail(L->g->o.seed, c, e));
        return;
    case E_ADDECIDE:
    case E_ADREVERSE:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        if (e->type == E_ADREVERSE)
            pstr(b, "reason", "RD1");
        return;
    case E_ADMATCH: {
        /* a couple (a man and a woman, married or not; two women or two men) or one adopter */
        static const char *const SEX[] = {"MF", "MF", "MF", "MF", "FF", "MM", "F1", "M1"};
        static const char *const LS[] = {"L11", "L11", "L11", "L3", "L2", "L12", "L0", "L0"};
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pint(b, "adopters", e->a >= 6 ? 1 : 2);
        pstr(b, "adopter_sex", SEX[e->a % 8]);
        pstr(b, "adopter_status", LS[e->a % 8]);
        return;
    }
    case E_LSCHANGE:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "legal_status", LEGAL_STATUS[e->a]);
        return;
    case E_CLCONTACT: {
        /* a care leaver's circumstances at a birthday (e->n: the age) */
        static const char *const ACT17[] = {"F2", "F2", "F2", "P2", "F4", "F5", "G5", "G4"};
        static const char *const ACT18[] = {"F1", "F2", "F2", "F4", "F5", "P5", "G5", "G6"};
        static const char *const ACC17[] = {"D", "D", "E", "E", "B", "U", "D", "E"};
        static const char *const ACC18[] = {"U", "U", "D", "E", "B", "Z", "T", "K"};
        uint64_t h = h903(L->g->o.seed, c, e->date, 0xC1EA);
        double u = unit(h);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "in_touch", u < 0.86 ? "YES" : u < 0.92 ? "NO" : u < 0.96 ? "NREQ" : "REFU");
        if (u < 0.86 || (u >= 0.92 && u < 0.96)) {
            pstr(b, "activity", (e->n <= 17 ? ACT17 : ACT18)[mix(h ^ 1) % 8]);
            pstr(b, "accommodation", (e->n <= 17 ? ACC17 : ACC18)[mix(h ^ 2) % 8]);
            pbool(b, "accommodation_suitable", unit(mix(h ^ 3)) < 0.9);
        }
        return;
    }
    case E_CORE_GROUP:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        return;
    case E_LAREVIEW: {
        static const char *const PN[] = {"PN1", "PN1", "PN1", "PN1", "PN2",
                                         "PN3", "PN5", "PN6", "PN6", "PN7"};
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        if (years_at(c, e->date) >= 4)
            pstr(b, "participation", PN[h903(L->g->o.seed, c, e->date, 0x9A27) % 10]);
        return;
    }
    case E_HEALTH:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "kind", HEALTH_KINDS[e->a]);
        if (e->a == 5)
            pint(b, "sdq_score", e->n);
        return;
    case E_VISIT:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pbool(b, "seen", (e->flags & F_SEEN) != 0);
        pbool(b, "seen_alone", (e->flags & F_ALONE) != 0);
        if (e->flags & F_REASON)
            pstr(b, "not_seen_alone_reason", not_alone_reason(c, e->date, text, sizeof text));
        pstr(b, "location", LOCATIONS[e->c]);
        if (e->flags & F_BEDROOM)
            pbool(b, "bedroom_seen", 1);
        if (e->flags & F_NOVIEWS)
            pstr(b, "views_not_obtained_reason", e->flags & F_SEEN ? NO_VIEWS[e->b] : NOT_SEEN);
        else
            pstr(b, "views", own_words(c, e->date, VIEWS[e->a][e->b], text, sizeof text));
        return;
    case E_NOTE:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "text", NOTES[e->a % 12]);
        return;
    case E_CSE:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        seraf_lists(b, e->mask);
        if (e->flags & F_OVERRIDE) {
            pstr(b, "override_band", BANDS[e->a]);
            pstr(b, "override_reason", OVERRIDE_TEXT);
        }
        return;
    case E_MISSING:
        rec_id(cid, "M", e->n, id, sizeof id);
        pstr(b, "episode_id", id);
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        if (e->x) /* the interview is its own entry (return_interview) */
            pdate(b, "returned", e->x);
        pstr(b, "kind", unit(h903(L->g->o.seed, c, e->date, 0x4A11)) < 0.7 ? "missing" : "away");
        return;
    case E_RETURN:
        rec_id(cid, "M", e->n, id, sizeof id);
        pstr(b, "episode_id", id);
        pdate(b, "date", e->date);
        pstr(b, "conducted_by", INTERVIEWERS[e->a]);
        pbool(b, "accepted", (e->flags & F_INTERVIEW) != 0);
        return;
    case E_CDECIDED:
        rec_id(cid, "CT", e->n, id, sizeof id);
        pstr(b, "contact_id", id);
        pdate(b, "date", e->date);
        pstr(b, "outcome", CONTACT_OUTCOMES[e->a]);
        return;
    case E_LCSTATUS:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "status", LC_STATUSES[e->a]);
        if (e->b)
            pbool(b, "accommodated_by_authority", 1);
        return;
    case E_NEEDS:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "views", own_words(c, e->date, LC_VIEWS[e->a % 4], text, sizeof text));
        return;
    case E_PAVISIT:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "adviser", ADVISER);
        pbool(b, "seen", 1);
        return;
    case E_ALLOC:
    case E_TRANSFER: {
        const seg *s = &L->segs[e->seg];
        int32_t w = e->flags & F_EXTRA ? e->worker : s->worker;
        pstr(b, "child_id", cid);
        sw_id(L, s->team, w, id, sizeof id);
        pstr(b, "worker_id", id);
        pdate(b, "date", e->date);
        if (e->type == E_TRANSFER)
            pstr(b, "reason", TRANSFER_TEXT[e->a]);
        return;
    }
    case E_DETAILS:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        details(L->g->o.seed, c, L->g->as_of, b);
        return;
    case E_CLOSE:
    case E_REOPEN:
        pstr(b, "child_id", cid);
        pdate(b, "date", e->date);
        pstr(b, "reason", e->type == E_CLOSE ? CLOSE_TEXT[e->a] : REOPEN_TEXT[e->a % 2]);
        return;
    default:
        b->bad = 1;
    }
}

/* Counts one emitted event into the stats and the child's state. */
static void count(gen *g, const dev *e, track *tr)
{
    cw_demo_stats *st = &g->st;
    int indicator = e->type == E_MISSING || (e->flags & F_CSE);
    if (indicator && tr->cse_since >= NEVER && tr->last_ra != e->date)
        tr->cse_since = e->date; /* rules: cse_concern_unassessed (same-day assessment meets it) */
    if (e->type == E_CONTACT || e->type == E_REFERRAL) {
        /* rules: repeat_contacts, count 3 within 12 months, lookback 12 months */
        if (tr->ncr == sizeof tr->cr / sizeof tr->cr[0]) {
            memmove(tr->cr, tr->cr + 1, (tr->ncr - 1) * sizeof tr->cr[0]);
            tr->ncr--;
        }
        tr->cr[tr->ncr++] = e->date;
        cw_date lo = M(e->date, -12);
        size_t n = 0;
        for (size_t i = 0; i < tr->ncr; i++)
            n += tr->cr[i] >= lo;
        if (n >= 3 && !(tr->last_astart >= lo && tr->last_astart <= e->date) &&
            tr->repeat_since >= NEVER)
            tr->repeat_since = e->date;
    }
    if (e->type == E_ASTART) {
        tr->last_astart = e->date;
        tr->repeat_since = NEVER;
    }
    if (e->flags & F_CPA) { /* the child protection route's assessment (rules: cp_assessment) */
        st->cp_assessments += e->type == E_ASTART;
        st->cp_assessments_late += e->type == E_ASTART && (e->flags & F_LATE);
        return;
    }
    switch (e->type) {
    case E_CONTACT:
        st->contacts++;
        await_w(tr, AW_CONTACT, e->n, W(g, e->date, 1)); /* rules: contact_decision */
        break;
    case E_CDECIDED:
        st->contact_decisions++;
        st->contact_decisions_late += (e->flags & F_LATE) != 0;
        met_w(tr, AW_CONTACT, e->n);
        break;
    case E_RETURN:
        st->return_interviews++;
        st->return_interviews_late += (e->flags & F_LATE) != 0;
        met_w(tr, AW_RETURN, e->n);
        break;
    case E_LCSTATUS:
        st->care_leavers += e->a == LC_ELIGIBLE;
        break;
    case E_NEEDS:
        st->needs_assessments++;
        st->needs_assessments_late += (e->flags & F_LATE) != 0;
        break;
    case E_PAVISIT:
        st->pa_visits++;
        st->pa_visits_late += (e->flags & F_LATE) != 0;
        break;
    case E_REFERRAL:
        met_w(tr, AW_CONTACT, 0); /* the contacts before it passed for a referral */
        st->referrals++;
        st->referrals_undecided += (e->flags & F_NEVER) && W(g, e->date, 1) < g->as_of;
        break;
    case E_DECIDED:
        st->referrals_nfa += e->a == D_NFA;
        break;
    case E_ASTART:
        if (tr->nopen_a < sizeof tr->open_a / sizeof tr->open_a[0]) {
            tr->open_a[tr->nopen_a].n = e->n;
            tr->open_a[tr->nopen_a++].due = e->x;
        }
        st->assessments_started++;
        st->assessments_late += (e->flags & F_LATE) != 0;
        st->assessments_never += (e->flags & F_NEVER) != 0;
        break;
    case E_ADONE:
        for (size_t i = 0; i < tr->nopen_a; i++)
            if (tr->open_a[i].n == e->n)
                tr->open_a[i] = tr->open_a[--tr->nopen_a];
        st->assessments_completed++;
        st->assessments_no_views += (e->flags & F_NOVIEWS) != 0;
        break;
    case E_STRATEGY:
        st->strategy_discussions++;
        tr->last_sd = e->date;
        tr->rm_since = NEVER; /* rules: repeat_missing, met */
        break;
    case E_S47START:
        st->section_47s++;
        break;
    case E_CONFERENCE:
        if (e->a == 0) {
            st->initial_conferences++;
            st->icpc_late += (e->flags & F_LATE) != 0;
        } else {
            st->review_conferences++;
            st->reviews_late += (e->flags & F_LATE) != 0;
        }
        st->cp_bedroom_missed += (e->flags & F_NOBED) != 0;
        if (e->b == CD_REGISTER || e->b == CD_CONTINUE)
            tr->bed_from = e->date; /* rules: cp_bedroom */
        if (e->b == CD_REGISTER) {
            st->registrations++;
            st->registrations_by_category[e->c]++;
            tr->on_register = 1;
            tr->last_met_cp = e->date;
            tr->home = e->date;
            tr->nsa = 0;
        } else if (e->b == CD_DEREGISTER) {
            st->deregistrations++;
            tr->on_register = 0;
        }
        break;
    case E_CORE_GROUP:
        st->core_groups++;
        st->core_groups_late += (e->flags & F_LATE) != 0;
        break;
    case E_PLAN:
        st->plans++;
        if (e->flags & F_LATE) {
            st->outline_plans_late += e->a == PK_OUTLINE;
            st->la_plans_late += e->a == PK_LA;
            st->placement_plans_late += e->a == PK_PLACEMENT;
            st->pathway_reviews_late += e->a == PK_PATHWAY;
        }
        st->peps += e->a == PK_PEP;
        st->cin_reviews += e->a == PK_CARE && (e->flags & F_REVIEW);
        st->peps_late += e->a == PK_PEP && (e->flags & F_LATE);
        st->cin_reviews_late +=
            e->a == PK_CARE && (e->flags & (F_REVIEW | F_LATE)) == (F_REVIEW | F_LATE);
        break;
    case E_LASTART:
        st->looked_after_episodes++;
        tr->looked_after = 1;
        break;
    case E_PLACEMENT:
        st->placement_changes++;
        break;
    case E_LAEND:
        tr->looked_after = 0;
        break;
    case E_LAREVIEW:
        st->la_reviews++;
        st->la_reviews_late += (e->flags & F_LATE) != 0;
        break;
    case E_HEALTH:
        st->health_checks++;
        st->health_assessments_late += e->a == 2 && (e->flags & F_LATE);
        st->gp_late += (e->flags & (F_GP | F_LATE)) == (F_GP | F_LATE);
        st->dentist_late += (e->flags & (F_DENT | F_LATE)) == (F_DENT | F_LATE);
        break;
    case E_VISIT:
        st->visits++;
        st->visits_no_views += (e->flags & F_NOVIEWS) != 0;
        if (e->flags & F_CP) {
            st->cp_visits++;
            st->cp_visits_late += (e->flags & F_LATE) != 0;
            st->cp_home_late += (e->flags & F_HOMELATE) != 0;
            if (e->flags & (F_ALONE | F_REASON))
                tr->last_met_cp = e->date;
            if (e->flags & F_HOME)
                tr->home = e->date;
            if (e->flags & F_BEDROOM)
                tr->bed_from = NEVER;
            tr->nsa = (e->flags & F_NSA) != 0;
        }
        if (e->flags & F_LA) {
            st->la_visits++;
            st->la_visits_late += (e->flags & F_LATE) != 0;
        }
        break;
    case E_NOTE:
        st->case_notes++;
        break;
    case E_CSE:
        tr->cse_since = NEVER;
        tr->last_ra = e->date;
        st->cse_risk_assessments++;
        st->cse_concerns += (e->flags & F_FIRST) != 0;
        st->cse_moderate_plus += e->a >= B_MODERATE;
        st->cse_no_strategy += (e->flags & F_NOSTRAT) != 0;
        st->cse_reassessments_late += (e->flags & F_LATE) != 0;
        break;
    case E_MISSING: {
        st->missing_episodes++;
        st->return_interviews_never += (e->flags & F_NEVER) != 0;
        st->missing_no_strategy += (e->flags & F_NOSTRAT) != 0;
        if (e->x) /* rules: return_interview, 3 days from the return */
            await_w(tr, AW_RETURN, e->n, e->x + 3);
        /* rules: repeat_missing, count 3 within 90 days; a strategy discussion the same day,
         * even before it, meets it */
        if (tr->nmis == sizeof tr->mis / sizeof tr->mis[0]) {
            memmove(tr->mis, tr->mis + 1, (tr->nmis - 1) * sizeof tr->mis[0]);
            tr->nmis--;
        }
        tr->mis[tr->nmis++] = e->date;
        size_t n = 0;
        for (size_t i = 0; i < tr->nmis; i++)
            n += tr->mis[i] >= e->date - 90;
        if (n >= 3 && tr->rm_since >= NEVER && tr->last_sd != e->date)
            tr->rm_since = e->date;
        break;
    }
    case E_ALLOC:
        st->allocations++;
        tr->allocated = 1;
        tr->run_start = e->date;
        break;
    case E_TRANSFER:
        st->transfers++;
        if (tr->closed == 0 && tr->run_start >= NEVER)
            tr->run_start = e->date;
        break;
    case E_CLOSE:
        st->closures++;
        tr->closed = 1;
        /* closing the case stops the assessment timescale, unless it reopens within the packs'
         * resume_within (3 months), which resumes it */
        memcpy(tr->closed_a, tr->open_a, tr->nopen_a * sizeof tr->open_a[0]);
        tr->nclosed_a = tr->nopen_a;
        tr->closed_on = e->date;
        tr->nopen_a = 0;
        memcpy(tr->closed_w, tr->open_w, tr->nopen_w * sizeof tr->open_w[0]);
        tr->nclosed_w = tr->nopen_w;
        tr->nopen_w = 0;
        tr->run_start = NEVER;
        break;
    case E_REOPEN:
        st->reopenings++;
        tr->closed = 0;
        if (e->date <= M(tr->closed_on, 3)) {
            memcpy(tr->open_a, tr->closed_a, tr->nclosed_a * sizeof tr->open_a[0]);
            tr->nopen_a = tr->nclosed_a;
            for (size_t i = 0; i < tr->nclosed_w; i++) /* after those begun since the closure */
                await_w(tr, tr->closed_w[i].kind, tr->closed_w[i].n, tr->closed_w[i].due);
            tr->nclosed_w = 0;
        }
        break;
    default:
        break;
    }
}

/*
 * Whether the social worker dates visits on their due date: chosen (P_I_CLUSTER_W x
 * failure_scale), and no colleague of a lower number in the team is. At most one in a team:
 * a whole team dating its work to the due date is a shared habit, which a comparison with the
 * rest of the team does not show (docs/integrity.md, "What it cannot see").
 */
static int cluster_chosen(const loc *L, const char *actor)
{
    const gen *g = L->g;
    if (!chosen(g, actor, CW_INTEGRITY_DEADLINE_CLUSTER, P_I_CLUSTER_W))
        return 0;
    char id[80];
    for (int t = 0; t < NTEAMS; t++) {
        snprintf(id, sizeof id, "sw.l%u.%s.", L->num, TEAM_SHORT[t]);
        if (strncmp(actor, id, strlen(id)))
            continue;
        for (int32_t w = 0; w < L->teams[t].nworkers; w++) {
            sw_id(L, t, w, id, sizeof id);
            if (!strcmp(id, actor))
                return 1;
            if (chosen(g, id, CW_INTEGRITY_DEADLINE_CLUSTER, P_I_CLUSTER_W))
                return 0;
        }
    }
    return 1;
}

/*
 * Deadline clustering (docs/demo.md, "Signs of manipulation"): a chosen social worker's visits
 * are dated on their due date, P_I_CLUSTER_V of those that can be: a child protection visit
 * (seen alone) 10 working days after the registration or the last, a looked-after visit 1 week
 * after care began or 6 weeks after the last visit. A visit can be moved when that changes
 * nothing else: it was on time, no other event of the child's lies between its day and the due
 * date (case notes aside), the next visit of its kind is not late, there has been no placement
 * change since the last visit, and it is not in the 3-monthly stretch of care until 18. v holds
 * the child's events in date order; returns how many were moved (flagged F_I_DUE).
 */
static size_t to_due_dates(const loc *L, const child *c, dev *v, size_t n)
{
    const gen *g = L->g;
    size_t moved = 0;
    cw_date cp_last = 0, la_last = 0, la_start = 0, placed = 0, cp_home = 0;
    int la_first = 0, until18 = 0;
    char actor[80];
    for (size_t i = 0; i < n; i++) {
        dev *e = &v[i];
        if (e->flags & F_EXTRA)
            continue;
        switch (e->type) {
        case E_CONFERENCE:
            cp_last = e->b == CD_REGISTER ? e->date : e->b == CD_DEREGISTER ? 0 : cp_last;
            cp_home = e->b == CD_REGISTER ? e->date : cp_home;
            continue;
        case E_CLOSE:
            cp_last = la_last = 0;
            continue;
        case E_LASTART:
            la_last = la_start = e->date;
            la_first = 1;
            until18 = (e->flags & F_UNTIL18) != 0;
            continue;
        case E_LAEND:
            la_last = 0;
            continue;
        case E_PLACEMENT: /* each placement has its own first year and until_18 */
            placed = la_start = e->date;
            until18 = (e->flags & F_UNTIL18) != 0;
            continue;
        case E_VISIT:
            break;
        default:
            continue;
        }
        int cp = (e->flags & F_CP) && (e->flags & (F_ALONE | F_REASON)) && cp_last;
        int la = (e->flags & F_LA) && la_last;
        if (!cp && !la)
            continue;
        cw_date due = cp ? W(g, cp_last, 10) : la_last + (la_first ? 7 : 42);
        int ok = !(e->flags & F_LATE) && due > e->date && due <= g->as_of && due <= c->cutoff;
        if (la && (placed >= la_last || (until18 && due + 42 >= M(la_start, 12))))
            ok = 0;
        if (la && (e->flags & F_WEEKLY)) /* visited weekly: not moved 6 weeks on */
            ok = 0;
        if (cp && (e->flags & F_HOME) && due > cp_home + 28) /* still within 4 weeks at home */
            ok = 0;
        for (size_t j = i + 1; ok && j < n && v[j].date <= due; j++)
            ok = v[j].type == E_NOTE && !(v[j].flags & F_EXTRA);
        for (size_t j = i + 1; ok && j < n; j++)
            if (v[j].type == E_VISIT && (v[j].flags & (cp ? F_CP : F_LA))) {
                ok = !(v[j].flags & F_LATE);
                break;
            }
        if (ok && unit(mix(g->o.seed ^ mix(c->num * 131 + e->seq + 0xD0EULL))) < P_I_CLUSTER_V) {
            actor_of(L, c, e, actor, sizeof actor);
            if (cluster_chosen(L, actor)) {
                e->date = due;
                e->flags |= F_I_DUE;
                moved++;
            }
        }
        if (cp && (e->flags & F_HOME))
            cp_home = e->date;
        if (cp)
            cp_last = e->date;
        else {
            la_last = e->date;
            la_first = 0;
        }
    }
    return moved;
}

/* Emits child ci's events in date order, then its correction if it has one. */
static cw_rc emit_child(loc *L, uint32_t ci, size_t *xi)
{
    gen *g = L->g;
    child *c = &L->kids[ci];
    size_t nx = 0;
    while (*xi + nx < L->nextra && L->extra[*xi + nx].seq == ci)
        nx++;
    size_t n = c->ev_n + nx;
    if (n > L->captmp) {
        dev *v = realloc(L->tmp, n * sizeof *v);
        if (!v)
            return cw_error_set(g->err, CW_ENOMEM, "out of memory");
        L->tmp = v;
        L->captmp = n;
    }
    memcpy(L->tmp, L->ev + c->ev_off, c->ev_n * sizeof(dev));
    g->st.cin_reviews_overdue += c->cin_overdue;
    if (nx)
        memcpy(L->tmp + c->ev_n, L->extra + *xi, nx * sizeof(dev));
    *xi += nx;
    /* Late assessments dated the day before they were due (recorded when really done), or
     * whose date a correction moves there (docs/demo.md, "Signs of manipulation"); those done
     * more than 10 working days late, which is what the packs' thresholds can see. Decided
     * before the events are put in date order, so the child's events are still written in
     * date order. */
    for (size_t i = 0; i < n; i++) {
        dev *e = &L->tmp[i];
        if (e->type != E_ADONE || !(e->flags & F_LATE) || (e->flags & (F_EXTRA | F_CPA)))
            continue;
        cw_date due = 0;
        for (size_t k = 0; k < n; k++)
            if (L->tmp[k].type == E_ASTART && L->tmp[k].n == e->n)
                due = L->tmp[k].x;
        if (!due || e->date <= W(g, due, 10))
            continue;
        double u = unit(mix(g->o.seed ^ mix(c->num * 131 + e->seq)));
        if (u < P_I_HIDDEN * g->o.failure_scale) {
            e->x2 = e->date;
            e->date = W(g, due, -1);
            if (e->x > e->date)
                e->x = e->date;
            e->flags = (e->flags & ~(uint32_t)F_LATE) | F_I_HIDE;
        } else if (u < (P_I_HIDDEN + P_I_CORRECT) * g->o.failure_scale) {
            e->x2 = W(g, due, -1);
            e->flags |= F_I_MOVE;
        }
    }
    qsort(L->tmp, n, sizeof(dev), cmp_dev);
    if (g->o.failure_scale > 0 && to_due_dates(L, c, L->tmp, n))
        qsort(L->tmp, n, sizeof(dev), cmp_dev);
    char cid[32], actor[80];
    child_id(c, cid, sizeof cid);
    track tr;
    memset(&tr, 0, sizeof tr);
    tr.run_start = NEVER;
    tr.cse_since = NEVER;
    tr.repeat_since = NEVER;
    tr.last_astart = -NEVER;
    tr.bed_from = NEVER;
    tr.rm_since = NEVER;
    tr.last_sd = -NEVER;
    uint64_t fix_idx = UINT64_MAX;
    char fix_actor[80] = "";
    cw_date last_activity = 0;
    cw_rc rc = CW_OK;
    struct {
        uint64_t idx;
        cw_date date, seen;
        char actor[80];
    } moved[8]; /* late assessments whose date a correction will move */
    size_t nmoved = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const dev *e = &L->tmp[i];
        if (e->date > g->as_of || e->date > c->cutoff ||
            ((e->flags & F_I_HIDE) && e->x2 > g->as_of))
            continue;
        actor_of(L, c, e, actor, sizeof actor);
        /* signs of manipulation about one entry (docs/demo.md) */
        int hide = (e->flags & F_I_HIDE) != 0, outside = 0;
        int move = (e->flags & F_I_MOVE) && nmoved < sizeof moved / sizeof moved[0];
        if (hide) /* recorded on the day it was really done */
            g->force_rec = e->x2;
        if (e->flags & F_I_DUE) {
            injected(g, actor, CW_INTEGRITY_DEADLINE_CLUSTER, NULL);
            g->altered |= 1u << CW_INTEGRITY_DEADLINE_CLUSTER;
        }
        if (e->type == E_NOTE && !(e->flags & F_EXTRA) && e->actor == A_HOLDER &&
            unit(mix(g->o.seed ^ mix(c->num * 131 + e->seq + 0x075EULL))) <
                P_I_OUTSIDE * g->o.failure_scale) {
            const seg *sg = seg_at(L, c, e->date);
            if (sg) {
                int other = sg->team == T_SUPPORT ? T_LAC : T_SUPPORT;
                sw_id(L, other, 0, actor, sizeof actor);
                outside = 1;
            }
        }
        pb b = newpb();
        payload(L, c, e, cid, &b);
        uint64_t idx;
        if ((rc = put(g, actor, EVT_NAME[e->type], &b, &idx))) {
            cw_error_prefix(g->err, "child %s: ", cid);
            break;
        }
        if (hide || outside || (e->flags & F_I_RESET)) {
            int pat = hide      ? CW_INTEGRITY_OVERDUE_HIDDEN
                      : outside ? CW_INTEGRITY_OUTSIDE_TEAM
                                : CW_INTEGRITY_CLOCK_RESET;
            g->st.injected[pat]++;
            if (g->o.injected)
                g->o.injected(g->o.injected_ctx, pat, actor, idx);
        }
        if (move && g->o.altered) /* dated late until the correction: what it alters */
            g->o.altered(g->o.altered_ctx, CW_INTEGRITY_DATE_CORRECTION, actor, idx);
        if (move) {
            moved[nmoved].idx = idx;
            moved[nmoved].date = e->x2;
            moved[nmoved].seen = e->flags & F_SEEN ? dmin(e->x, moved[nmoved].date) : 0;
            snprintf(moved[nmoved].actor, sizeof moved[nmoved].actor, "%s", actor);
            nmoved++;
        }
        count(g, e, &tr);
        int made, spoken;
        if (c->lang == 1 && (e->type == E_VISIT || e->type == E_ADONE || e->type == E_NEEDS)) {
            g->st.welsh_work++;
            if (active_offer(g->o.seed, c, e, &made, &spoken)) {
                g->st.welsh_work_in_welsh += spoken == SL_WELSH || spoken == SL_BILINGUAL;
                g->st.welsh_work_offer += made != 0;
            }
        }
        if (activity(e->type))
            last_activity = e->date;
        if (!(e->flags & F_EXTRA) && e->seq == c->correct_seq) {
            fix_idx = idx;
            memcpy(fix_actor, actor, sizeof fix_actor);
        }
    }
    if (rc)
        return rc;
    cw_demo_stats *st = &g->st;
    st->children++;
    st->welsh += c->lang == 1;
    st->restricted += c->restricted;
    /* a CSE indicator with no risk assessment after it, 10 working days on */
    st->cse_unassessed += tr.cse_since < NEVER && W(g, tr.cse_since, 10) < g->as_of;
    st->repeat_contacts += tr.repeat_since < g->as_of; /* due the same day */
    st->repeat_missing += tr.rm_since < g->as_of;
    /* awaited since the case (re)opened, or begun while it was closed */
    for (size_t i = 0; i < tr.nopen_w; i++) {
        st->contacts_undecided += tr.open_w[i].kind == AW_CONTACT && tr.open_w[i].due < g->as_of;
        st->return_interviews_overdue +=
            tr.open_w[i].kind == AW_RETURN && tr.open_w[i].due < g->as_of;
    }
    if (!tr.closed) {
        st->open_cases++;
        st->on_register += tr.on_register;
        st->looked_after += tr.looked_after;
        for (size_t i = 0; i < tr.nopen_a; i++)
            st->assessments_overdue += tr.open_a[i].due < g->as_of;
        if (tr.on_register && tr.nsa && W(g, tr.last_met_cp, 10) < g->as_of)
            st->cp_not_seen_alone++;
        /* rules: cp_home_visit (4 weeks), cp_bedroom (6 months if no review is held) */
        st->cp_home_overdue += tr.on_register && tr.home + 28 < g->as_of;
        st->cp_bedroom_overdue +=
            tr.on_register && tr.bed_from < NEVER && M(tr.bed_from, 6) < g->as_of;
        if (tr.allocated && tr.run_start < NEVER) {
            c->run_start = tr.run_start;
            if (W(g, dmax(last_activity, tr.run_start), 20) < g->as_of)
                st->drifting++;
        }
    }
    if (c->never_discussed && c->seg_n)
        st->never_discussed++;
    for (size_t m = 0; m < nmoved && !rc; m++) {
        /* a correction that moves a late assessment's date to the day before it was due */
        pb b = newpb(), ch = newpb();
        pset(&b, "corrects", json_integer((json_int_t)moved[m].idx));
        pstr(&b, "reason", "Date corrected.");
        pdate(&ch, "date", moved[m].date);
        if (moved[m].seen)
            pdate(&ch, "child_seen_date", moved[m].seen);
        if (ch.bad)
            b.bad = 1;
        pset(&b, "changes", ch.o);
        uint64_t idx;
        if ((rc = put(g, moved[m].actor, "correction", &b, &idx)))
            return rc;
        g->st.injected[CW_INTEGRITY_DATE_CORRECTION]++;
        if (g->o.injected)
            g->o.injected(g->o.injected_ctx, CW_INTEGRITY_DATE_CORRECTION, moved[m].actor, idx);
    }
    if (rc)
        return rc;
    if (fix_idx != UINT64_MAX) {
        pb b = newpb();
        pb ch = newpb();
        pset(&b, "corrects", json_integer((json_int_t)fix_idx));
        if (c->correct == 1) {
            pstr(&b, "reason", "Typing error: the note named the wrong agency; corrected.");
            pstr(&ch, "text",
                 "Telephone call with the school (not the GP, as first recorded): "
                 "attendance has improved this half term.");
        } else {
            char addr[200];
            address(L, c, 1, addr, sizeof addr);
            pstr(&b, "reason", "House number recorded wrongly at first contact; corrected.");
            pstr(&ch, "address", addr);
        }
        if (ch.bad)
            b.bad = 1;
        pset(&b, "changes", ch.o);
        if ((rc = put(g, fix_actor, "correction", &b, NULL)))
            return rc;
        st->corrections++;
    }
    return CW_OK;
}

/* ---- supervision ---- */

typedef struct sess {
    cw_date date;
    uint8_t team, kind; /* kind: 0 regular, 1 hand-over, 2 transfer between teams */
    int32_t slot, worker;
} sess;

static int cmp_sess(const void *a, const void *b)
{
    const sess *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->team != y->team)
        return x->team < y->team ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static int push_sess(sess **v, size_t *n, size_t *cap, sess s)
{
    if (cw_array_grow(v, cap, *n, sizeof **v))
        return -1;
    (*v)[(*n)++] = s;
    return 0;
}

/* The next session 28 days after d, brought forward to a working day. */
static cw_date next_session(const gen *g, cw_date d)
{
    cw_date t = d + 28;
    while (!isw(g, t) && t > d + 1)
        t--;
    return t;
}

/*
 * Supervision: each social worker every 28 days with their team manager,
 * discussing every case they hold; a hand-over session the day a successor
 * takes a slot over, and a session the day a case arrives from another team.
 * Team managers meet their service manager every 28 days.
 */
static cw_rc emit_supervision(loc *L)
{
    gen *g = L->g;
    sess *v = NULL;
    size_t n = 0, cap = 0;
    cw_rc rc = CW_OK;
    for (int t = T_ASSESS; t < NTEAMS && !rc; t++) {
        const staffing *tm = &L->teams[t];
        for (size_t j = 0; j < tm->nslots && !rc; j++) {
            const slot *sl = &tm->slots[j];
            cw_date d = nextw(g, g->start + uni(&L->r, 0, 20));
            size_t ci = 1;
            while (d <= g->as_of && !rc) {
                if (ci < sl->n && sl->t[ci].from <= d) {
                    sess s = {sl->t[ci].from, (uint8_t)t, 1, (int32_t)j, sl->t[ci].worker};
                    if (push_sess(&v, &n, &cap, s))
                        rc = CW_ENOMEM;
                    d = next_session(g, sl->t[ci].from);
                    ci++;
                    continue;
                }
                if (chance(&L->r, g->o.failure_scale * P_SUP_MISSED)) {
                    g->st.supervisions_missed++;
                } else {
                    sess s = {d, (uint8_t)t, 0, (int32_t)j, worker_at(sl, d)};
                    if (push_sess(&v, &n, &cap, s))
                        rc = CW_ENOMEM;
                }
                d = next_session(g, d);
            }
            while (ci < sl->n && !rc) { /* successors after the last regular session */
                sess s = {sl->t[ci].from, (uint8_t)t, 1, (int32_t)j, sl->t[ci].worker};
                if (sl->t[ci].from <= g->as_of && push_sess(&v, &n, &cap, s))
                    rc = CW_ENOMEM;
                ci++;
            }
            for (size_t q = 0; q < sl->nsegs && !rc; q++) {
                const seg *s = &L->segs[sl->segs[q]];
                if (s->cont && s->start <= g->as_of) {
                    sess a = {s->start, (uint8_t)t, 2, (int32_t)j, worker_at(sl, s->start)};
                    if (push_sess(&v, &n, &cap, a))
                        rc = CW_ENOMEM;
                }
            }
        }
    }
    if (rc) {
        free(v);
        return cw_error_set(g->err, CW_ENOMEM, "out of memory");
    }
    qsort(v, n, sizeof *v, cmp_sess);
    char sup[80], who[80], cid[32];
    for (size_t i = 0; i < n && !rc; i++) {
        const sess *s = &v[i];
        if (i > 0 && v[i - 1].date == s->date && v[i - 1].team == s->team &&
            v[i - 1].slot == s->slot)
            continue; /* one session a day per worker: the first covers every case */
        const slot *sl = &L->teams[s->team].slots[s->slot];
        json_t *cases = json_array();
        size_t nc = 0;
        for (size_t q = 0; q < sl->nsegs && nc < MAX_DISCUSSED; q++) {
            const seg *sg = &L->segs[sl->segs[q]];
            child *c = &L->kids[sg->child];
            if (sg->start > s->date || (sg->end < NEVER && s->date >= sg->end) ||
                c->never_discussed)
                continue;
            if (s->kind == 2 && !(sg->cont && sg->start == s->date))
                continue;
            child_id(c, cid, sizeof cid);
            if (cases && json_array_append_new(cases, json_string(cid))) {
                json_decref(cases);
                cases = NULL;
            }
            nc++;
            if (s->date > c->last_disc)
                c->last_disc = s->date;
        }
        if (!nc) {
            json_decref(cases);
            continue;
        }
        pb b = newpb();
        sw_id(L, s->team, s->worker, who, sizeof who);
        tm_id(L, s->team, sup, sizeof sup);
        pstr(&b, "supervisee_id", who);
        pstr(&b, "supervisor_id", sup);
        pdate(&b, "date", s->date);
        pset(&b, "cases_discussed", cases);
        pstr(&b, "decisions", s->kind == 0 ? SUP_DECISIONS[(s->date / 28) % 4] : SUP_HANDOVER);
        if (s->kind == 0)
            pstr(&b, "actions", SUP_ACTIONS[(s->date / 7) % 4]);
        if (!(rc = put(g, sup, "supervision_held", &b, NULL)))
            g->st.supervisions++;
    }
    free(v);
    /* team managers with their service manager */
    for (int t = 0; t < NTEAMS && !rc; t++) {
        char sm[80];
        tm_id(L, t, who, sizeof who);
        sm_id(L, t, sm, sizeof sm);
        for (cw_date d = nextw(g, g->start + uni(&L->r, 0, 20)); d <= g->as_of && !rc;
             d = next_session(g, d)) {
            pb b = newpb();
            pstr(&b, "supervisee_id", who);
            pstr(&b, "supervisor_id", sm);
            pdate(&b, "date", d);
            pset(&b, "cases_discussed", json_array());
            pstr(&b, "decisions", SUP_TM);
            if (!(rc = put(g, sm, "supervision_held", &b, NULL)))
                g->st.supervisions++;
        }
    }
    return rc;
}

/* Staff who left, on the day their successor took over; caseloads at as_of. */
static cw_rc emit_leavers(loc *L)
{
    gen *g = L->g;
    cw_rc rc = CW_OK;
    char id[80];
    for (int t = T_ASSESS; t < NTEAMS && !rc; t++) {
        const staffing *tm = &L->teams[t];
        for (size_t j = 0; j < tm->nslots && !rc; j++) {
            const slot *sl = &tm->slots[j];
            for (size_t i = 1; i < sl->n && !rc; i++) {
                pb b = newpb();
                sw_id(L, t, sl->t[i - 1].worker, id, sizeof id);
                pstr(&b, "staff_id", id);
                pdate(&b, "date", sl->t[i].from);
                if (!(rc = put(g, "admin", "staff_left", &b, NULL)))
                    g->st.staff_left++;
            }
            uint64_t open = 0;
            for (size_t q = 0; q < sl->nsegs; q++) {
                const seg *s = &L->segs[sl->segs[q]];
                open += s->start <= g->as_of && s->end >= NEVER;
            }
            g->st.caseload_mean += (double)open; /* summed here, divided at the end */
            g->slots++;
            if (open > g->st.caseload_max)
                g->st.caseload_max = open;
        }
    }
    /* supervision gaps at as_of (rules: supervision_gap, 4 weeks) */
    for (size_t i = 0; i < L->nkids; i++) {
        const child *c = &L->kids[i];
        if (c->run_start >= NEVER)
            continue;
        cw_date met = c->last_disc >= c->run_start ? c->last_disc : c->run_start;
        g->st.supervision_gap += met + 28 < g->as_of;
    }
    return rc;
}

static void loc_release(loc *L)
{
    free(L->kids);
    free(L->ev);
    free(L->segs);
    free(L->extra);
    free(L->tmp);
    for (int t = 0; t < NTEAMS; t++) {
        staffing *tm = &L->teams[t];
        for (size_t j = 0; tm->slots && j < tm->nslots; j++) {
            free(tm->slots[j].t);
            free(tm->slots[j].ends);
            free(tm->slots[j].segs);
        }
        free(tm->slots);
        free(tm->senior);
    }
    memset(L, 0, sizeof *L);
}

/* Plans and emits one locality of nkids children, numbered from first. */
static cw_rc do_locality(gen *g, uint32_t num, uint64_t first, size_t nkids)
{
    loc L;
    memset(&L, 0, sizeof L);
    L.g = g;
    L.num = num;
    L.council = (num - 1) / LOCS_PER_COUNCIL + 1;
    L.first_in_council = (num - 1) % LOCS_PER_COUNCIL == 0;
    rng_seed(&L.r, g->o.seed, num, 0x6c6f63u);
    L.welsh_pm = (uint32_t)uni(&L.r, 40, 350);
    for (int i = 0; i < 4; i++) {
        L.place[i][0] = (uint8_t)uni(&L.r, 0, 11);
        L.place[i][1] = (uint8_t)uni(&L.r, 0, 11);
    }
    L.nkids = nkids;
    L.kids = calloc(nkids, sizeof *L.kids);
    cw_rc rc = L.kids ? CW_OK : cw_error_set(g->err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < nkids; i++) {
        gen_child(&L, (uint32_t)i, first + i);
        if (L.oom)
            rc = cw_error_set(g->err, CW_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = staff_plan(&L);
    if (!rc) {
        if (L.nextra)
            qsort(L.extra, L.nextra, sizeof *L.extra, cmp_extra);
        rc = emit_org(&L);
    }
    size_t xi = 0;
    for (size_t i = 0; !rc && i < nkids; i++) {
        rc = emit_child(&L, (uint32_t)i, &xi);
        g->children_done++;
    }
    if (!rc)
        rc = emit_supervision(&L);
    if (!rc)
        rc = emit_leavers(&L);
    if (!rc)
        g->st.localities++;
    loc_release(&L);
    return rc;
}

/* ---- the case-file audit (docs/demo.md, "The case-file audit") ---- */

/* The standard framework's themes, in its order, and what an auditor wrote for grades 2, 3
 * and 4 (a 1 is not given, a 5 only for risk: AUDIT_CRITICAL). */
enum { TH_VOICE, TH_ASSESS, TH_PLAN, TH_OVERSIGHT, TH_RISK, TH_RECORD, TH_IMPACT, NTHEMES };
static const char *const AUDIT_THEMES[NTHEMES] = {
    "childs_voice", "assessment", "planning", "management_oversight",
    "risk",         "recording",  "impact"};
static const char *const AUDIT_NARR[NTHEMES][3] = {
    {"The child was seen, and seen alone, at every visit in the period. Their wishes and "
     "feelings are recorded in their own words, and the plan shows how they were acted on.",
     "The child was seen regularly but not always alone, and the reason is not always recorded. "
     "Their views are summarised by the worker rather than written in their own words.",
     "There are long gaps between visits and little sign that the child was seen alone. Their "
     "wishes and feelings are not recorded, and nothing on file shows how they shaped "
     "decisions."},
    {"The assessment was completed on time, uses the family history and the views of everyone "
     "involved, and its analysis leads clearly to its conclusion.",
     "The assessment was completed, but it describes events rather than analysing them, and "
     "the father's views are missing. The conclusion is reasonable but not fully explained.",
     "The assessment was late and lists information without analysing it. The history is not "
     "used, and the conclusion does not follow from what is recorded."},
    {"The plan follows from the assessment, says who will do what by when, and was reviewed on "
     "time with the family.",
     "There is an up-to-date plan, but several actions have no timescale or named person, and "
     "there is no contingency plan.",
     "The plan has not been updated since the family's circumstances changed. Actions from the "
     "last review were not followed up, and the case has drifted."},
    {"The manager's decisions at key points are recorded with reasons. Supervision is regular "
     "and reflective, and its actions are followed up.",
     "Supervision is regular, but the notes record tasks rather than the manager's reasoning, "
     "and actions are not always carried forward to the next session.",
     "There is little evidence of management oversight: supervision notes are brief, and the "
     "manager did not act when visits fell behind."},
    {"Risks are clearly assessed and reviewed after each new incident, and the safety plan is "
     "shared with the family and the school.",
     "Risks are identified, but the risk assessment was not reviewed after a new incident, and "
     "the safety plan is out of date.",
     "Known risks are listed but not analysed. A missing episode was recorded without a return "
     "interview or a review of the risk assessment."},
    {"The chronology is up to date, case notes are prompt and purposeful, and the key documents "
     "are on file.",
     "Case notes are respectful and mostly prompt, but the chronology has not been kept up to "
     "date and some documents are not on file.",
     "Recording is weeks behind, there is no chronology, and the plan and the last review are "
     "not on file."},
    {"The child's situation has clearly improved: school attendance is up and the family say "
     "things are calmer at home.",
     "There is some progress for the child, but it is too early to say whether it will last, "
     "and the plan does not measure it.",
     "Little has changed for the child in the period, and the same concerns keep coming back."},
};
static const char *const AUDIT_CRITICAL =
    "Serious risk not acted on: repeated missing episodes and concerns about exploitation are "
    "recorded over several weeks with no strategy discussion and no review of the risk "
    "assessment. Raised with the team manager the same day.";
static const char *const AUDIT_NA[NTHEMES] = {
    [TH_ASSESS] = "No assessment was due or completed in the period audited; the last one is "
                  "more than a year old, and planning is graded instead.",
    [TH_IMPACT] = "The case was allocated only recently: too early to judge the impact of the "
                  "work."};
static const char *const AUDIT_SUMMARY[3] = {
    "A well-run case: the child is seen, heard and safer. To be shared as an example of good "
    "practice.",
    "Sound work with gaps in recording and planning, for the team manager to take up in "
    "supervision.",
    "Practice is not good enough: drift, weak planning and little oversight. Discussed with the "
    "team manager."};
static const char *const AUDIT_SUMMARY_CRITICAL =
    "A critical finding on risk, escalated at once to the case's managers. The other themes "
    "require improvement.";
static const char *const AUDIT_AGREE = "Moderated: the evidence on file supports the grade.";
static const char *const AUDIT_DIFFER =
    "Moderated: one grade apart from the auditor's; discussed and the difference noted.";

/* A recommendation's improvement points: who owns each, and when it is due (working days from
 * as_of). */
typedef struct audit_act {
    const char *owner; /* a manager of locality 1 ("hos" for the head of service) */
    int32_t due;       /* working days from as_of: < 0 due before it */
    const char *text;
} audit_act;

static const struct {
    int theme;
    const char *text;
    audit_act act[3];
} AUDIT_RECS[] = {
    {TH_VOICE,
     "Every child should be seen alone at each statutory visit, unless there is a recorded "
     "reason, and their wishes and feelings written down in their own words and used in the "
     "plan.",
     {{"sm.l1.1", -10,
       "Add a prompt to the visit record for whether the child was seen alone and, if not, why "
       "not."},
      {"tm.l1.safe", 40,
       "Read five visit records a month in the Safeguarding team for the child's own words, and "
       "feed back in supervision."}}},
    {TH_OVERSIGHT,
     "Supervision records should show the manager's reasoning and the actions agreed, and check "
     "that the last session's actions were done.",
     {{"sm.l1.2", 20,
       "Agree one supervision record for all teams, with a section for actions carried over."},
      {"tm.l1.lac", 60,
       "Read three supervision records for each worker in the Children Looked After team every "
       "quarter."}}},
    {TH_PLAN,
     "Plans should say who will do what by when, with outcomes the family understands, and a "
     "contingency plan.",
     {{"tm.l1.support", -5,
       "Run a practice workshop on outcome-focused care and support plans for the Family Support "
       "team."},
      {"sm.l1.2", 60,
       "Review every care and support plan open for more than 12 months for "
       "drift."}}},
    {TH_RISK,
     "Risk assessments should be reviewed after every new incident and at least every three "
     "months, with a strategy discussion whenever the risk is moderate or above.",
     {{"sm.l1.1", 20,
       "Check that every open case with a concern about child sexual exploitation has had its "
       "risk assessment reviewed in the last three months."},
      {"tm.l1.safe", 10,
       "Brief the Safeguarding team on when a new incident calls for a strategy discussion."},
      {"hos", 45,
       "Report the audit's themes and these actions to the corporate parenting board."}}},
};
#define AUDIT_NRECS (sizeof AUDIT_RECS / sizeof AUDIT_RECS[0])

typedef struct audit_case_plan {
    char child[65], auditor[65], tm[65];
    int grade[NTHEMES]; /* 0: not applicable */
    int overall;
    cw_date on; /* graded and completed */
} audit_case_plan;

static json_t *ids4(const char *a, const char *b, const char *c, const char *d)
{
    return json_pack("[ssss]", a, b, c, d);
}

/* Grades one case (its audit, or its moderation) and completes it on day d. */
static cw_rc grade_case(gen *g, const char *prog, const audit_case_plan *c, const char *who,
                        int moderation, const int *grade, int overall, cw_date d)
{
    cw_rc rc = CW_OK;
    for (int t = 0; !rc && t < NTHEMES; t++) {
        pb b = newpb();
        pstr(&b, "programme_id", prog);
        pstr(&b, "child_id", c->child);
        pdate(&b, "date", d);
        pstr(&b, "theme", AUDIT_THEMES[t]);
        if (grade[t])
            pset(&b, "grade", json_integer(grade[t]));
        else
            pbool(&b, "not_applicable", 1);
        pstr(&b, "narrative",
             moderation      ? (grade[t] == c->grade[t] ? AUDIT_AGREE : AUDIT_DIFFER)
             : !grade[t]     ? AUDIT_NA[t]
             : grade[t] == 5 ? AUDIT_CRITICAL
                             : AUDIT_NARR[t][grade[t] - 2]);
        if (moderation)
            pbool(&b, "moderation", 1);
        rc = put(g, who, "audit_theme_graded", &b, NULL);
    }
    pb b = newpb();
    pstr(&b, "programme_id", prog);
    pstr(&b, "child_id", c->child);
    pdate(&b, "date", d);
    pset(&b, "overall", json_integer(overall));
    int crit = 0;
    for (int t = 0; t < NTHEMES; t++)
        crit |= grade[t] == 5;
    if (moderation)
        pbool(&b, "moderation", 1);
    else
        pstr(&b, "summary", crit ? AUDIT_SUMMARY_CRITICAL : AUDIT_SUMMARY[overall - 2]);
    return rc ? (json_decref(b.o), rc) : put(g, who, "audit_case_completed", &b, NULL);
}

/* One of a programme's simple events: {id_field: id, date, field: text}. */
static cw_rc audit_put(gen *g, const char *actor, const char *type, const char *id_field,
                       const char *id, cw_date d, const char *field, const char *text)
{
    pb b = newpb();
    pstr(&b, id_field, id);
    pdate(&b, "date", d);
    if (field)
        pstr(&b, field, text);
    return put(g, actor, type, &b, NULL);
}

/*
 * The council's case-file audit (docs/demo.md): a programme the head of service commissioned
 * about 3 months before as_of and that ended about 1 month before it, its sample of 8 open
 * cases drawn by the QA auditor (cw_audit_draw, from the log as it stands: the council at
 * as_of), every case graded and completed, one moderated, a critical finding actioned by the
 * case's team manager the next working day, themed recommendations with actions, and the
 * report issued 3 weeks before as_of: acknowledged by the head of service, not the director,
 * and its actions partly done. Grades come from their own stream (seed, 0x617564).
 */
static cw_rc emit_audit(gen *g)
{
    cw_date as_of = g->as_of, starts = W(g, as_of, -63), ends = W(g, as_of, -21);
    cw_date drawn = W(g, starts, 2), recs = W(g, as_of, -18), issued = W(g, as_of, -15);
    char prog[40], seed[40], day[CW_DATE_LEN + 1], id[80];
    cw_date_format(starts, day);
    snprintf(prog, sizeof prog, "cfa-%.7s", day);
    cw_date_format(drawn, day);
    snprintf(seed, sizeof seed, "cfa:%s", day);
    cw_store *s = cw_ledger_store(g->l);
    cw_audit_framework f;
    cw_rc rc = cw_audit_framework_builtin(&f, "standard", g->err);
    if (rc)
        return rc;
    pb b = newpb();
    if (b.o && cw_audit_framework_facts(&f, b.o, g->err))
        b.bad = 1;
    cw_audit_framework_release(&f);
    pstr(&b, "programme_id", prog);
    pstr(&b, "title", "Case-file audit of open cases");
    pstr(&b, "scope",
         "A random sample of eight open cases across every team and case type, read against the "
         "standard framework. Restricted records, and cases audited in the last 12 months, are "
         "left out.");
    pdate(&b, "date", starts);
    pstr(&b, "commissioned_by", "hos.1");
    pdate(&b, "starts", starts);
    pdate(&b, "ends", ends);
    pset(&b, "auditors", ids4("qa.1.1", "tm.l1.assess", "tm.l1.support", "qa.1.2"));
    pstr(&b, "area_manager_id", "sm.l1.1");
    if ((rc = put(g, "hos.1", "audit_programme_created", &b, NULL)))
        return rc;

    /* The sample, drawn from the log in this batch as it stands. */
    /* Drawn by the head of service, who commissioned it: no auditor draws their own cases. */
    cw_audit_draw_opts d = {prog, seed, 8, 0, NULL, NULL, drawn, "hos.1"};
    json_t *sp = NULL;
    if ((rc = cw_audit_draw(s, cw_ledger_size(g->l), &d, &sp, g->err)))
        return rc;
    audit_case_plan c[8];
    size_t n = json_array_size(json_object_get(sp, "cases"));
    n = n < 8 ? n : 8; /* size 8, minimum 0: never more */
    memset(c, 0, sizeof c);
    for (size_t i = 0; i < n; i++) {
        snprintf(c[i].child, sizeof c[i].child, "%s",
                 json_string_value(json_array_get(json_object_get(sp, "cases"), i)));
        snprintf(c[i].auditor, sizeof c[i].auditor, "%s",
                 json_string_value(json_array_get(json_object_get(sp, "assigned"), i)));
    }
    b = (pb){sp, 0};
    if ((rc = put(g, "hos.1", "audit_sample_drawn", &b, NULL)))
        return rc;
    if (n < 2)
        return CW_OK; /* too few open cases to audit */

    /* The critical finding: the first case whose worker is in post under a team manager. */
    int crit = -1, mod = -1;
    for (size_t i = 0; !rc && i < n; i++) {
        cw_child_info ci;
        cw_staff_info w, m;
        if ((rc = cw_casework_child(s, c[i].child, &ci, g->err)) || !ci.worker[0] ||
            (rc = cw_casework_staff(s, ci.worker, &w, g->err)) || !w.found || w.left ||
            (rc = cw_casework_staff(s, w.manager, &m, g->err)) || !m.found || m.left ||
            strcmp(m.role, "team_manager"))
            continue;
        snprintf(c[i].tm, sizeof c[i].tm, "%s", w.manager);
        if (crit < 0)
            crit = (int)i;
    }
    /* Moderated by the second QA auditor (independent of every case): a case not theirs. */
    for (size_t i = 0; !rc && mod < 0 && i < n; i++)
        if ((int)i != crit && strcmp(c[i].auditor, "qa.1.2"))
            mod = (int)i;
    if (rc)
        return rc;

    /* Mostly 3s and 4s, a few 2s, the one 5; a few themes not applicable. */
    rng r;
    rng_seed(&r, g->o.seed, 1, 0x617564u);
    for (size_t i = 0; i < n; i++) {
        int base = chance(&r, 0.35) ? 4 : 3, sum = 0, cnt = 0;
        for (int t = 0; t < NTHEMES; t++) {
            int u = uni(&r, 0, 9), gr = base;
            if (u == 0)
                gr = base - 1;
            else if (u == 1 && base == 3)
                gr = 4;
            c[i].grade[t] = gr;
        }
        if ((int)i == crit) {
            c[i].grade[TH_RISK] = 5;
            c[i].grade[TH_IMPACT] = 4;
        }
        if (i == 1 || i == 4)
            c[i].grade[TH_ASSESS] = 0;
        if (i == 6)
            c[i].grade[TH_IMPACT] = 0;
        for (int t = 0; t < NTHEMES; t++)
            if (c[i].grade[t] && c[i].grade[t] < 5) {
                sum += c[i].grade[t];
                cnt++;
            }
        c[i].overall = (int)i == crit ? 4 : (2 * sum + cnt) / (2 * cnt);
        c[i].on = W(g, drawn, 5 + 3 * (int32_t)i);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        rc = grade_case(g, prog, &c[i], c[i].auditor, 0, c[i].grade, c[i].overall, c[i].on);
        if (!rc && (int)i == crit) {
            pb fb = newpb();
            pstr(&fb, "programme_id", prog);
            pstr(&fb, "child_id", c[i].child);
            pdate(&fb, "date", W(g, c[i].on, 1));
            pstr(&fb, "action",
                 "Discussed with the worker the next morning: a strategy discussion is arranged "
                 "with the police and the school, the risk assessment is being reviewed this "
                 "week, and I will check the case weekly until the risk comes down.");
            rc = put(g, c[i].tm, "audit_finding_actioned", &fb, NULL);
        }
    }
    if (rc)
        return rc;
    if (mod >= 0) {
        cw_date on = W(g, c[n - 1].on, 1), by = W(g, c[n - 1].on, 3);
        pb m = newpb();
        pstr(&m, "programme_id", prog);
        pstr(&m, "child_id", c[mod].child);
        pdate(&m, "date", on);
        pstr(&m, "moderator_id", "qa.1.2");
        int mg[NTHEMES];
        for (int t = 0; t < NTHEMES; t++)
            mg[t] = c[mod].grade[t];
        /* one grade apart on two themes */
        if (mg[TH_PLAN])
            mg[TH_PLAN] = mg[TH_PLAN] == 4 ? 3 : mg[TH_PLAN] + 1;
        if (mg[TH_RECORD])
            mg[TH_RECORD] = mg[TH_RECORD] == 2 ? 3 : mg[TH_RECORD] - 1;
        if ((rc = put(g, "qa.1.1", "audit_moderator_assigned", &m, NULL)) ||
            (rc = grade_case(g, prog, &c[mod], "qa.1.2", 1, mg, c[mod].overall, by)))
            return rc;
    }

    /* Recommendations and their actions, then the report. */
    for (size_t k = 0; !rc && k < AUDIT_NRECS; k++) {
        char rid[60];
        snprintf(rid, sizeof rid, "%s.r%zu", prog, k + 1);
        pb rb = newpb();
        pstr(&rb, "recommendation_id", rid);
        pstr(&rb, "programme_id", prog);
        pdate(&rb, "date", recs);
        pstr(&rb, "theme", AUDIT_THEMES[AUDIT_RECS[k].theme]);
        pstr(&rb, "text", AUDIT_RECS[k].text);
        rc = put(g, "qa.1.1", "audit_recommendation_made", &rb, NULL);
        for (size_t a = 0; !rc && a < 3 && AUDIT_RECS[k].act[a].text; a++) {
            const audit_act *x = &AUDIT_RECS[k].act[a];
            pb ab = newpb();
            snprintf(id, sizeof id, "%s.%zu", rid, a + 1);
            pstr(&ab, "action_id", id);
            pstr(&ab, "recommendation_id", rid);
            pdate(&ab, "date", recs);
            pstr(&ab, "text", x->text);
            pstr(&ab, "owner_id", strcmp(x->owner, "hos") ? x->owner : "hos.1");
            pdate(&ab, "due", W(g, as_of, x->due));
            rc = put(g, "qa.1.1", "audit_action_set", &ab, NULL);
        }
    }
    if (rc)
        return rc;
    char report[60];
    snprintf(report, sizeof report, "%s.report", prog);
    json_t *to = json_pack("[ss]", "hos.1", "dir.1"), *rp = NULL;
    cw_date_format(issued, day);
    if (!to)
        return cw_error_set(g->err, CW_ENOMEM, "out of memory");
    rc = cw_audit_report_content(s, cw_ledger_size(g->l), prog, report, day, to, 10, &rp, g->err);
    json_decref(to);
    if (rc)
        return rc;
    b = (pb){rp, 0};
    if ((rc = put(g, "hos.1", "audit_report_issued", &b, NULL)))
        return rc;
    snprintf(g->imp_audit_report, sizeof g->imp_audit_report, "%s", report);
    snprintf(g->imp_audit_rec, sizeof g->imp_audit_rec, "%s.r2", prog);

    /* Acknowledged by the head of service, not (yet) by the director: overdue on as_of. The
     * actions: 1.1 closed, 2.1 awaiting sign-off, 1.2 in progress, 3.1 overdue, untouched. */
    char a11[80], a12[80], a21[80];
    snprintf(a11, sizeof a11, "%s.r1.1", prog);
    snprintf(a12, sizeof a12, "%s.r1.2", prog);
    snprintf(a21, sizeof a21, "%s.r2.1", prog);
    if ((rc = audit_put(g, "hos.1", "audit_report_acknowledged", "report_id", report,
                        W(g, issued, 2), "comment",
                        "Received. I will take the recommendations to the next senior "
                        "leadership team meeting.")) ||
        (rc = audit_put(g, "sm.l1.1", "audit_action_completed", "action_id", a11, W(g, issued, 4),
                        "evidence",
                        "The visit record now asks whether the child was seen alone and, if not, "
                        "why not. It has been in use since the start of the month, and a spot "
                        "check of twenty visits found it answered on every one.")) ||
        (rc = audit_put(g, "tm.l1.safe", "audit_action_updated", "action_id", a12, W(g, issued, 5),
                        "note",
                        "Started: five visit records read this month, and what they showed shared "
                        "at the team meeting. Each worker's records to follow in supervision.")) ||
        (rc = audit_put(g, "hos.1", "audit_action_signed_off", "action_id", a11, W(g, issued, 6),
                        "comment",
                        "Checked a sample of visit records: the prompt is used. Closed.")) ||
        (rc = audit_put(g, "sm.l1.2", "audit_action_completed", "action_id", a21, W(g, issued, 9),
                        "evidence",
                        "The managers' meeting agreed one supervision record for every team, with "
                        "a section for actions carried over. In use from this month.")))
        return rc;
    g->st.audit_cases = n;
    return CW_OK;
}

/* ---- the inspection and its improvement plan (docs/demo.md, "The improvement plan") ---- */

/* The inspection's findings, after those of the Care Inspectorate Wales's 2017 inspection of a
 * Welsh council's children's services. */
static const struct {
    const char *theme, *severity, *text;
} IMP_FINDINGS[] = {
    {"safeguarding", "serious_concern",
     "There were missed opportunities to safeguard children: contacts and referrals about "
     "children at risk were closed or left undecided without enough enquiry."},
    {"follow_up", "serious_concern",
     "Assessments, interventions and follow-up that should have happened did not, and cases "
     "drifted without anyone noticing."},
    {"oversight", "serious_concern",
     "There was little management oversight or supervision of practice, and managers' decisions "
     "were not recorded on case files."},
    {"cse", "serious_concern",
     "The risk of child sexual exploitation was assessed inconsistently, and strategy "
     "discussions did not always follow when the risk was high."},
    {"childs_voice", "area_for_improvement",
     "Children's views were missing from many assessments, and it was not clear how their "
     "wishes and feelings shaped the plans made for them."},
    {"recording", "area_for_improvement",
     "Case notes were poor: often late, brief and without the purpose of the visit or what "
     "was decided."},
    {"performance_data", "serious_concern",
     "Performance data reported to members may have been manipulated: dates on some records "
     "did not match the work they described."},
    {"audit_response", "serious_concern",
     "An earlier case-file audit report had found many of the same weaknesses, and its "
     "recommendations were never acted on."},
};
#define IMP_NFINDINGS 8

/* Recommendations (the findings each answers, 1-based, 0-terminated) and their two points. */
static const struct {
    const char *text;
    int findings[4];
    const char *points[2];
} IMP_RECS[] = {
    {"Make safe, timely decisions on every contact and referral, and follow every assessment "
     "through.",
     {1, 2, 0},
     {"Every contact and referral is decided within one working day by a qualified manager.",
      "Assessments are completed on time and the actions they set are followed up."}},
    {"Give every worker regular, recorded supervision and make managers' oversight visible on "
     "the case file.",
     {3, 0},
     {"Every worker has monthly reflective supervision, recorded on one template.",
      "Managers' decisions at key points are recorded with their reasons."}},
    {"Assess the risk of child sexual exploitation in one consistent way, and act on it.",
     {4, 0},
     {"One risk assessment for child sexual exploitation, used by every team.",
      "Every moderate or significant risk has a strategy discussion."}},
    {"Put the child's voice at the centre of assessments, and keep case records up to date.",
     {5, 6, 0},
     {"The child's views, in their own words, are in every assessment.",
      "Case notes are written within two working days and say what was decided."}},
    {"Make the council's performance data trustworthy.",
     {7, 2, 0},
     {"Performance figures are independently checked against the case records.",
      "Work is recorded on the day it was done, and late entries are reported."}},
    {"Act on every case-file audit, starting with the audit of open cases, so that its "
     "recommendations are not left unactioned again.",
     {8, 3, 0},
     {"Each case-file audit report has an owner for each recommendation and is followed up by "
      "the board.",
      "Supervision records show the manager's reasoning and the actions carried over."}},
};
#define IMP_NRECS 6

/* What becomes of an action by as_of. */
enum {
    IF_DONE,     /* evidence, completed, signed off by someone other than its owner */
    IF_AWAIT,    /* evidence, completed: awaiting sign-off */
    IF_RETURNED, /* evidence, completed, returned, then a progress note */
    IF_BLOCKED,  /* a progress note saying it is blocked */
    IF_LATE,     /* past its due day, not complete (a note or nothing) */
    IF_OPEN,     /* in progress or not started, with or without evidence */
};
/* Evidence: none, a measure (with its target), the demo's audit report, a document. */
enum { IE_NONE, IE_MEASURE, IE_AUDIT, IE_DOC };

typedef struct imp_act {
    int rec, point; /* 0-based */
    const char *owner;
    int32_t due; /* working days from as_of */
    int fate, ev;
    int dep; /* 1-based index of an action it depends on, 0 none */
    const char *text;
    const char *ev_title, *measure, *target, *direction;
    const char *note; /* a progress note (the blocked one's says why) */
} imp_act;

static const imp_act IMP_ACTS[] = {
    {0, 0, "tm.l1.iaa", -60, IF_DONE, IE_DOC, 0,
     "Put a duty manager on the front door rota every working day to decide contacts.",
     "Front door duty manager rota, first quarter", NULL, NULL, NULL, NULL},
    {0, 0, "sm.l1.1", -30, IF_DONE, IE_DOC, 1,
     "Review every contact closed with no further action in the six months before the "
     "inspection.",
     "Review of contacts closed with no further action: findings", NULL, NULL, NULL, NULL},
    {0, 0, "tm.l1.assess", -5, IF_LATE, IE_NONE, 2,
     "Reopen and assess each case the review of closed contacts found unsafe.", NULL, NULL, NULL,
     NULL,
     "Most of the cases the review found unsafe are reopened and allocated; the rest wait for a "
     "worker."},
    {0, 1, "tm.l1.assess", 40, IF_OPEN, IE_MEASURE, 0,
     "Track every open assessment weekly against the 42 working day timescale.",
     "Assessments completed within 42 working days", "PM24", "90", "at_least",
     "Weekly tracking meeting started; the list of open assessments is shared with every team."},
    {0, 1, "sm.l1.1", 8, IF_OPEN, IE_NONE, 0,
     "Agree a check of each assessment's actions 20 working days after it is completed.", NULL,
     NULL, NULL, NULL, NULL},
    {1, 0, "sm.l1.2", -45, IF_DONE, IE_DOC, 0,
     "Publish a supervision policy with a monthly minimum and one recording template.",
     "Supervision policy and recording template", NULL, NULL, NULL, NULL},
    {1, 0, "tm.l1.safe", 30, IF_AWAIT, IE_DOC, 6,
     "Hold and record monthly supervision with every worker in the Safeguarding team.",
     "Safeguarding team supervision log, three months", NULL, NULL, NULL, NULL},
    {1, 0, "tm.l1.lac", 25, IF_RETURNED, IE_DOC, 6,
     "Hold and record monthly supervision with every worker in the Children Looked After team.",
     "Children Looked After team supervision log", NULL, NULL, NULL,
     "Sampling the records again with the service manager before asking for sign-off."},
    {1, 1, "hos.1", 60, IF_OPEN, IE_NONE, 0,
     "Audit a sample of managers' case decisions every quarter and report to the board.", NULL,
     NULL, NULL, NULL, "The first quarter's sample is chosen; the audit starts next month."},
    {1, 1, "qa.1.1", -10, IF_LATE, IE_NONE, 0,
     "Add management oversight to the themes read in the monthly case-file audit sample.", NULL,
     NULL, NULL, NULL, NULL},
    {2, 0, "sm.l1.1", -40, IF_DONE, IE_DOC, 0,
     "Adopt the regional risk assessment for every concern about child sexual exploitation.",
     "Practice guidance: assessing the risk of child sexual exploitation", NULL, NULL, NULL, NULL},
    {2, 0, "tm.l1.safe", 15, IF_BLOCKED, IE_NONE, 11,
     "Train every social worker in the regional risk assessment.", NULL, NULL, NULL, NULL,
     "Blocked: the regional trainer cannot run the course until the new year, and no other "
     "trainer is accredited."},
    {2, 1, "tm.l1.safe", 20, IF_OPEN, IE_DOC, 0,
     "Check every week that each moderate or significant risk has had a strategy discussion.",
     "Weekly check of risk bands and strategy discussions", NULL, NULL, NULL,
     "Weekly check in place; two cases found without a discussion were taken up the same day."},
    {3, 0, "tm.l1.assess", -35, IF_DONE, IE_DOC, 0,
     "Add a section for the child's views, in their own words, to the assessment record.",
     "Assessment record with the child's views section", NULL, NULL, NULL, NULL},
    {3, 0, "qa.1.2", 45, IF_OPEN, IE_NONE, 14,
     "Read twenty assessments a month for the child's own words, and feed back to the teams.", NULL,
     NULL, NULL, NULL, "Twenty assessments read this month; feedback sent to the managers."},
    {3, 1, "sm.l1.2", -20, IF_DONE, IE_DOC, 0,
     "Set the standard that case notes are written within two working days.",
     "Recording standard, agreed by the managers' meeting", NULL, NULL, NULL, NULL},
    {3, 1, "tm.l1.support", -8, IF_LATE, IE_NONE, 16,
     "Clear the backlog of case notes in the Family Support team.", NULL, NULL, NULL, NULL,
     "Agency worker started; about half the backlog is cleared."},
    {4, 0, "hos.1", -25, IF_DONE, IE_DOC, 0,
     "Commission an independent review of how the performance figures were produced.",
     "Independent review of performance reporting", NULL, NULL, NULL, NULL},
    {4, 0, "qa.1.1", 35, IF_OPEN, IE_MEASURE, 18,
     "Reconcile the quarterly performance measures with the case records every quarter.",
     "Re-registrations within 12 months, recomputed from the case records", "PM27", "10", "at_most",
     NULL},
    {4, 1, "sm.l1.1", 5, IF_OPEN, IE_NONE, 0,
     "Report late recording and changed dates to the board every month.", NULL, NULL, NULL, NULL,
     NULL},
    {5, 0, "hos.1", 20, IF_OPEN, IE_AUDIT, 0,
     "Take each case-file audit report to the board within a month, with an owner for each "
     "recommendation.",
     "Case-file audit of open cases: the issued report", NULL, NULL, NULL,
     "The audit of open cases went to the board; owners agreed for each recommendation."},
    {5, 1, "sm.l1.2", 50, IF_OPEN, IE_NONE, 7,
     "Use the agreed supervision record in every team, and check it in the next audit.", NULL, NULL,
     NULL, NULL, NULL},
};
#define IMP_NACTS (sizeof IMP_ACTS / sizeof IMP_ACTS[0])

/* The budget: four allocations adding up to exactly £4,000,000.00 (the council's reserves
 * first £1,000,000.00, then raised); commitments to about half the actions; spend. */
static const struct {
    const char *id, *source, *reason;
    cw_pence amount;
} IMP_FUNDS[] = {
    {"wg", "Welsh Government: improvement grant", "Grant letter for the improvement plan.",
     133333333},
    {"reserves", "Council reserves", "Agreed by cabinet when the plan was submitted.", 100000000},
    {"rpb", "Regional partnership board: integrated care fund",
     "The region's share of the plan's costs.", 133333333},
    {"base", "Children's services base budget",
     "The rounding, so that the plan's total is "
     "exactly £4,000,000.00.",
     1},
};
#define IMP_RESERVES_THEN 133333333 /* the reserves after the funding change */

static const struct {
    int act; /* 1-based */
    const char *alloc;
    cw_pence amount;
    int late; /* 1: committed after the funding change */
} IMP_COMMITS[] = {
    {1, "wg", 45000000, 0},  {2, "reserves", 30000000, 0}, {3, "reserves", 55000000, 0},
    {6, "rpb", 8000000, 0},  {7, "rpb", 25000000, 0},      {11, "rpb", 15000000, 0},
    {12, "wg", 30000000, 0}, {14, "rpb", 12000000, 0},     {17, "reserves", 40000000, 1},
    {18, "wg", 20000000, 0}, {19, "wg", 18000000, 0},      {13, "rpb", 10000000, 0},
};
#define IMP_NCOMMITS (sizeof IMP_COMMITS / sizeof IMP_COMMITS[0])

static const struct {
    int act;
    const char *alloc;
    cw_pence amount;
    int32_t day; /* working days from as_of */
    const char *reason;
} IMP_SPENDS[] = {
    {1, "wg", 20000000, -55, "Duty manager cover, first two months."},
    {1, "wg", 12000000, -35, "Duty manager cover, third month."},
    {2, "reserves", 28000000, -32, "Independent reviewers: review of closed contacts."},
    {2, "reserves", 4500000, -25, "Independent reviewers: extra days agreed to finish."},
    {6, "rpb", 7500000, -46, "Policy writing and the managers' workshops."},
    {11, "rpb", 14000000, -41, "Licences and the regional guidance."},
    {14, "rpb", 11000000, -36, "Changes to the assessment record."},
    {18, "wg", 9500000, -27, "Independent review of performance reporting: first stage."},
    {3, "reserves", 10000000, -20, "Agency social workers for the reopened cases."},
    {17, "reserves", 12000000, -18, "Agency social worker for the case-note backlog."},
    {17, "reserves", 12000000, -18, "Agency social worker for the case-note backlog."},
    {7, "rpb", 6000000, -10, "Supervision training for the Safeguarding team's managers."},
};
#define IMP_NSPENDS  (sizeof IMP_SPENDS / sizeof IMP_SPENDS[0])
#define IMP_REVERSED 11 /* 1-based: the spend recorded twice (as the one before it), reversed */

/* An improve_* command by actor, dated d; b already holds the rest. */
static cw_rc imp_put(gen *g, const char *actor, const char *type, pb *b, cw_date d)
{
    pdate(b, "date", d);
    return put(g, actor, type, b, NULL);
}

static void imp_id(char *out, size_t cap, const char *kind, size_t n)
{
    snprintf(out, cap, "ip1.%s%zu", kind, n);
}

/* Whether the log's pack is England's (meta rule_pack, set by caseward init --rules): its
 * council is inspected by Ofsted, answers to the Secretary of State, and has its measures. */
static int imp_england(gen *g)
{
    cw_buf name = CW_BUF_INIT(64);
    int yes = cw_store_meta_get(cw_ledger_store(g->l), "rule_pack", &name, NULL) == CW_OK &&
              name.data && !strcmp(name.data, "england");
    cw_buf_release(&name);
    return yes;
}

/* A Wales measure's counterpart in the council's pack (rules/england.measures for England). */
static const char *imp_measure(gen *g, const char *wales)
{
    if (!imp_england(g))
        return wales;
    return !strcmp(wales, "PM24") ? "CIN.assessment_45wd" : "CIN.repeat_cp_plan";
}

/* The action's evidence (by its owner on day d). */
static cw_rc imp_evidence(gen *g, size_t i, const char *aid, cw_date d)
{
    const imp_act *a = &IMP_ACTS[i];
    char id[64], sha[65], text[160];
    pb b = newpb();
    snprintf(id, sizeof id, "%s.e1", aid);
    pstr(&b, "evidence_id", id);
    pstr(&b, "action_id", aid);
    pstr(&b, "title", a->ev_title);
    if (a->ev == IE_MEASURE) {
        pstr(&b, "kind", "measure");
        pstr(&b, "measure_id", imp_measure(g, a->measure));
        pstr(&b, "target", a->target);
        pstr(&b, "direction", a->direction);
    } else if (a->ev == IE_AUDIT && g->imp_audit_report[0]) {
        pstr(&b, "kind", "audit_report");
        pstr(&b, "audit_report_id", g->imp_audit_report);
    } else {
        /* the file's SHA-256: of an invented document, different for each seed */
        snprintf(text, sizeof text, "%llu:%s", (unsigned long long)g->o.seed, a->ev_title);
        cw_sha256_hex(text, strlen(text), sha);
        pstr(&b, "kind", "document");
        pstr(&b, "sha256", sha);
    }
    return imp_put(g, a->owner, "improve_evidence_added", &b, d);
}

/* One of the simple events about an action: {action_id, date, field: text}. */
static cw_rc imp_act_put(gen *g, const char *actor, const char *type, const char *aid, cw_date d,
                         const char *field, const char *text)
{
    pb b = newpb();
    pstr(&b, "action_id", aid);
    if (field)
        pstr(&b, field, text);
    return imp_put(g, actor, type, &b, d);
}

/* A step of the plan's progress after it was submitted, emitted in date order. */
enum { S_EVID, S_NOTE, S_DONE, S_SIGN, S_RETURN, S_REC6, S_FUNDCHG, S_COMMIT, S_SPEND, S_REVERSE };
typedef struct imp_step {
    cw_date d;
    int kind;
    size_t i;   /* the action, commitment or spend (0-based) */
    size_t seq; /* the order made, for steps on the same day */
} imp_step;

static int cmp_step(const void *a, const void *b)
{
    const imp_step *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static cw_rc imp_rec(gen *g, size_t k, cw_date on)
{
    const char *ins = "ciw-insp-1", *dir = "dir.1";
    char rid[32], id[64];
    pb b = newpb();
    imp_id(rid, sizeof rid, "r", k + 1);
    pstr(&b, "recommendation_id", rid);
    pstr(&b, "plan_id", "ip1");
    pstr(&b, "text", IMP_RECS[k].text);
    json_t *fl = json_array();
    for (int f = 0; fl && f < 4 && IMP_RECS[k].findings[f]; f++) {
        snprintf(id, sizeof id, "%s.f%d", ins, IMP_RECS[k].findings[f]);
        if (json_array_append_new(fl, json_string(id)))
            b.bad = 1;
    }
    pset(&b, "findings", fl);
    if (k == IMP_NRECS - 1 && g->imp_audit_rec[0])
        pstr(&b, "audit_recommendation_id", g->imp_audit_rec);
    cw_rc rc = imp_put(g, dir, "improve_recommendation_added", &b, on);
    for (int p = 0; !rc && p < 2; p++) {
        char pid[40];
        snprintf(pid, sizeof pid, "%s.%d", rid, p + 1);
        b = newpb();
        pstr(&b, "point_id", pid);
        pstr(&b, "recommendation_id", rid);
        pstr(&b, "text", IMP_RECS[k].points[p]);
        rc = imp_put(g, dir, "improve_point_added", &b, on);
        for (size_t i = 0; !rc && i < IMP_NACTS; i++) {
            const imp_act *a = &IMP_ACTS[i];
            if (a->rec != (int)k || a->point != p)
                continue;
            char aid[40];
            imp_id(aid, sizeof aid, "a", i + 1);
            b = newpb();
            pstr(&b, "action_id", aid);
            pstr(&b, "point_id", pid);
            pstr(&b, "text", a->text);
            pstr(&b, "owner_id", a->owner);
            pdate(&b, "due", W(g, g->as_of, a->due));
            if (a->dep) {
                imp_id(id, sizeof id, "a", (size_t)a->dep);
                pset(&b, "depends_on", json_pack("[s]", id));
            }
            rc = imp_put(g, dir, "improve_action_added", &b, on);
            g->st.improve_actions++;
        }
    }
    return rc;
}

static cw_rc imp_commit(gen *g, size_t c, cw_date d)
{
    char id[40], aid[40];
    pb b = newpb();
    snprintf(id, sizeof id, "ip1.c%zu", c + 1);
    imp_id(aid, sizeof aid, "a", (size_t)IMP_COMMITS[c].act);
    pstr(&b, "commitment_id", id);
    pstr(&b, "action_id", aid);
    pstr(&b, "allocation_id", IMP_COMMITS[c].alloc);
    pset(&b, "amount_pence", json_integer(IMP_COMMITS[c].amount));
    pstr(&b, "reason",
         IMP_COMMITS[c].late ? "Agency staff, from the reserves added."
                             : "Costed in the plan as submitted.");
    return imp_put(g, "dir.1", "improve_budget_committed", &b, d);
}

/*
 * The council's inspection and improvement plan (docs/demo.md, "The improvement plan"): an
 * inspection by the Care Inspectorate Wales about five months before as_of with 8 findings, a
 * warning notice from the Welsh Ministers, the plan the director made and submitted on time,
 * its board, 6 recommendations with 12 improvement points and 22 actions part way through on
 * as_of, and a budget of exactly £4,000,000.00 about a third spent. Dates are in working days
 * before as_of; the seed changes the pence of the spend (its own stream, seed and "imp") and
 * the documents' hashes. It follows the case-file audit, whose report evidences an action and
 * whose recommendation on supervision the plan takes in.
 */
static cw_rc emit_improve(gen *g)
{
    cw_date as_of = g->as_of;
    cw_date started = W(g, as_of, -110), ended = W(g, as_of, -101), published = W(g, as_of, -90);
    cw_date issued = W(g, as_of, -88), created = W(g, as_of, -86), set = W(g, as_of, -84);
    cw_date funded = W(g, as_of, -75), submitted = W(g, as_of, -71);
    const char *ins = "ciw-insp-1", *plan = "ip1", *dir = "dir.1";
    char id[64], day[CW_DATE_LEN + 1];
    cw_rc rc = cw_improve_register(g->err);
    if (rc)
        return rc;

    pb b = newpb();
    cw_date_format(started, day);
    pstr(&b, "inspection_id", ins);
    pstr(&b, "inspectorate", imp_england(g) ? "ofsted" : "ciw");
    pstr(&b, "title", "Inspection of children's services");
    snprintf(id, sizeof id, "CIW/%.4s/CS", day);
    pstr(&b, "report_ref", id);
    pdate(&b, "started", started);
    pdate(&b, "ended", ended);
    pdate(&b, "published", published);
    if ((rc = imp_put(g, dir, "improve_inspection_recorded", &b, published)))
        return rc;
    for (size_t f = 0; !rc && f < IMP_NFINDINGS; f++) {
        b = newpb();
        snprintf(id, sizeof id, "%s.f%zu", ins, f + 1);
        pstr(&b, "finding_id", id);
        pstr(&b, "inspection_id", ins);
        pstr(&b, "theme", IMP_FINDINGS[f].theme);
        pstr(&b, "severity", IMP_FINDINGS[f].severity);
        pstr(&b, "text", IMP_FINDINGS[f].text);
        rc = imp_put(g, dir, "improve_finding_recorded", &b, published);
    }
    if (rc)
        return rc;
    b = newpb();
    pstr(&b, "notice_id", "ciw-insp-1.notice");
    pstr(&b, "inspection_id", ins);
    pstr(&b, "kind", "warning_notice");
    pstr(&b, "issued_by", imp_england(g) ? "Secretary of State for Education" : "Welsh Ministers");
    pdate(&b, "issued", issued);
    pset(&b, "plan_within", json_integer(20));
    pset(&b, "reviews", json_pack("[sss]", "90d", "6m", "12m"));
    if ((rc = imp_put(g, dir, "improve_notice_issued", &b, issued)))
        return rc;
    b = newpb();
    pstr(&b, "plan_id", plan);
    pstr(&b, "title", "Improvement plan for children's services");
    pstr(&b, "notice_id", "ciw-insp-1.notice");
    pstr(&b, "owner_id", dir);
    if ((rc = imp_put(g, dir, "improve_plan_created", &b, created)))
        return rc;
    /* the board: the head of service chairs it, the two service managers of locality 1 sit on
     * it, the second QA auditor observes */
    static const char *const BOARD[][2] = {
        {"hos.1", "chair"}, {"sm.l1.1", "member"}, {"sm.l1.2", "member"}, {"qa.1.2", "observer"}};
    for (size_t m = 0; !rc && m < 4; m++) {
        b = newpb();
        pstr(&b, "plan_id", plan);
        pstr(&b, "staff_id", BOARD[m][0]);
        pstr(&b, "board_role", BOARD[m][1]);
        rc = imp_put(g, dir, "improve_board_member_added", &b, created);
    }
    /* the first five recommendations as drafted; the money; the plan submitted to the Welsh
     * Ministers before its due day (20 working days from the notice) */
    for (size_t k = 0; !rc && k + 1 < IMP_NRECS; k++)
        rc = imp_rec(g, k, set);
    for (size_t f = 0; !rc && f < sizeof IMP_FUNDS / sizeof IMP_FUNDS[0]; f++) {
        b = newpb();
        pstr(&b, "allocation_id", IMP_FUNDS[f].id);
        pstr(&b, "plan_id", plan);
        pstr(&b, "source", IMP_FUNDS[f].source);
        pset(&b, "amount_pence", json_integer(IMP_FUNDS[f].amount));
        pstr(&b, "reason", IMP_FUNDS[f].reason);
        rc = imp_put(g, dir, "improve_funding_allocated", &b, funded);
    }
    for (size_t c = 0; !rc && c < IMP_NCOMMITS; c++)
        if (!IMP_COMMITS[c].late)
            rc = imp_commit(g, c, funded);
    if (rc)
        return rc;
    b = newpb();
    pstr(&b, "plan_id", plan);
    pstr(&b, "submitted_to",
         imp_england(g) ? "Secretary of State for Education" : "Welsh Ministers");
    if ((rc = imp_put(g, dir, "improve_plan_submitted", &b, submitted)))
        return rc;

    /* What happened after, in date order. */
    imp_step st[IMP_NACTS * 4 + IMP_NCOMMITS + IMP_NSPENDS + 4];
    size_t n = 0;
#define STEP(d_, k_, i_) (st[n] = (imp_step){(d_), (k_), (i_), n}, n++)
    for (size_t i = 0; i < IMP_NACTS; i++) {
        const imp_act *a = &IMP_ACTS[i];
        cw_date d = W(g, as_of, a->due);
        switch (a->fate) {
        case IF_DONE:
            STEP(W(g, d, -6), S_EVID, i);
            STEP(W(g, d, -4), S_DONE, i);
            STEP(W(g, d, -2), S_SIGN, i);
            break;
        case IF_AWAIT:
            STEP(W(g, as_of, -15), S_EVID, i);
            STEP(W(g, as_of, -6), S_DONE, i);
            break;
        case IF_RETURNED:
            STEP(W(g, as_of, -20), S_EVID, i);
            STEP(W(g, as_of, -16), S_DONE, i);
            STEP(W(g, as_of, -14), S_RETURN, i);
            STEP(W(g, as_of, -9), S_NOTE, i);
            break;
        case IF_BLOCKED:
            STEP(W(g, as_of, -7), S_NOTE, i);
            break;
        case IF_LATE:
            if (a->note)
                STEP(W(g, d, -10), S_NOTE, i);
            break;
        default:
            if (a->ev != IE_NONE)
                STEP(W(g, as_of, -8), S_EVID, i);
            if (a->note)
                STEP(W(g, as_of, -6), S_NOTE, i);
        }
    }
    STEP(W(g, as_of, -12), S_REC6, IMP_NRECS - 1);
    STEP(W(g, as_of, -40), S_FUNDCHG, 0);
    for (size_t c = 0; c < IMP_NCOMMITS; c++)
        if (IMP_COMMITS[c].late)
            STEP(W(g, as_of, -39), S_COMMIT, c);
    for (size_t s = 0; s < IMP_NSPENDS; s++)
        STEP(W(g, as_of, IMP_SPENDS[s].day), S_SPEND, s);
    STEP(W(g, as_of, -16), S_REVERSE, IMP_REVERSED - 1);
#undef STEP
    qsort(st, n, sizeof st[0], cmp_step);

    /* the pence of each spend: its amount and up to £999.99 more, drawn from the seed (the
     * spend recorded twice is the same twice) */
    cw_pence extra[IMP_NSPENDS];
    rng r;
    rng_seed(&r, g->o.seed, 1, 0x696d70u);
    for (size_t s = 0; s < IMP_NSPENDS; s++)
        extra[s] = s + 1 == IMP_REVERSED ? extra[s - 1] : uni(&r, 0, 99999);
    for (size_t j = 0; !rc && j < n; j++) {
        const imp_step *x = &st[j];
        char aid[40];
        const imp_act *a = x->kind <= S_RETURN ? &IMP_ACTS[x->i] : NULL;
        const char *signer = a && !strcmp(a->owner, "hos.1") ? dir : "hos.1";
        imp_id(aid, sizeof aid, "a", x->i + 1);
        switch (x->kind) {
        case S_EVID:
            rc = imp_evidence(g, x->i, aid, x->d);
            break;
        case S_NOTE:
            b = newpb();
            pstr(&b, "action_id", aid);
            pstr(&b, "note", a->note);
            if (a->fate == IF_BLOCKED)
                pbool(&b, "blocked", 1);
            rc = imp_put(g, a->owner, "improve_action_updated", &b, x->d);
            break;
        case S_DONE:
            rc = imp_act_put(g, a->owner, "improve_action_completed", aid, x->d, "note",
                             "Done: the evidence is attached for the board to check.");
            break;
        case S_SIGN:
            rc = imp_act_put(g, signer, "improve_action_signed_off", aid, x->d, "comment",
                             "Checked against the evidence: complete.");
            break;
        case S_RETURN:
            rc = imp_act_put(g, signer, "improve_action_returned", aid, x->d, "reason",
                             "The supervision records sampled list tasks but not the manager's "
                             "reasoning; please sample again once the template is in use.");
            break;
        case S_REC6:
            rc = imp_rec(g, x->i, x->d);
            break;
        case S_FUNDCHG:
            b = newpb();
            pstr(&b, "allocation_id", "reserves");
            pset(&b, "amount_pence", json_integer(IMP_RESERVES_THEN));
            pstr(&b, "reason",
                 "Cabinet agreed a further £333,333.33 from reserves for agency "
                 "staff to clear the backlogs.");
            rc = imp_put(g, dir, "improve_funding_changed", &b, x->d);
            break;
        case S_COMMIT:
            rc = imp_commit(g, x->i, x->d);
            break;
        case S_SPEND:
            b = newpb();
            snprintf(id, sizeof id, "ip1.s%zu", x->i + 1);
            pstr(&b, "spend_id", id);
            imp_id(aid, sizeof aid, "a", (size_t)IMP_SPENDS[x->i].act);
            pstr(&b, "action_id", aid);
            pstr(&b, "allocation_id", IMP_SPENDS[x->i].alloc);
            pset(&b, "amount_pence", json_integer(IMP_SPENDS[x->i].amount + extra[x->i]));
            pstr(&b, "reason", IMP_SPENDS[x->i].reason);
            snprintf(id, sizeof id, "INV-%04zu", x->i + 1 == IMP_REVERSED ? x->i : x->i + 1);
            pstr(&b, "reference", id);
            rc = imp_put(g, "hos.1", "improve_spend_recorded", &b, x->d);
            break;
        default: /* S_REVERSE */
            b = newpb();
            snprintf(id, sizeof id, "ip1.s%zu", x->i + 1);
            pstr(&b, "spend_id", id);
            pstr(&b, "reason", "Recorded twice: the same invoice as the spend before it.");
            rc = imp_put(g, "hos.1", "improve_spend_reversed", &b, x->d);
        }
    }
    return rc;
}

/* ---- the API ---- */

void cw_demo_opts_init(cw_demo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->children = 1000;
    o->seed = 1;
    o->as_of = CW_DEMO_TODAY;
    o->years = 3;
    o->batch = 5000;
    o->failure_scale = 1.0;
}

cw_rc cw_demo_generate(cw_ledger *l, const cw_demo_opts *o, cw_demo_stats *stats, cw_error *err)
{
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    if (o)
        g->o = *o;
    else
        cw_demo_opts_init(&g->o);
    g->l = l;
    g->err = err;
    cw_rc rc = CW_OK;
    cw_date today = (cw_date)(cw_time_now_ms() / 86400000);
    char a[CW_DATE_LEN + 1], b[CW_DATE_LEN + 1];
    if (!g->o.batch)
        g->o.batch = 5000;
    g->as_of = g->o.as_of == CW_DEMO_TODAY ? today : g->o.as_of;
    if (g->o.children < 1 || g->o.children > 10000000)
        rc = cw_error_set(err, CW_EINVAL, "children: %llu is not from 1 to 10,000,000",
                          (unsigned long long)g->o.children);
    else if (g->o.years < 1 || g->o.years > 10)
        rc = cw_error_set(err, CW_EINVAL, "years: %u is not from 1 to 10", g->o.years);
    else if (g->o.batch > 1000000)
        rc = cw_error_set(err, CW_EINVAL, "batch: %zu is more than 1,000,000", g->o.batch);
    else if (!(g->o.failure_scale >= 0 && g->o.failure_scale <= 5))
        rc = cw_error_set(err, CW_EINVAL, "failure_scale: must be from 0 to 5");
    /* The demo council's local authority number for the returns, unless the log has one: 999,
     * no real council's (docs/returns.md). */
    cw_buf la = CW_BUF_INIT(64);
    if (!rc && cw_store_meta_get(cw_ledger_store(l), "la_code", &la, NULL) == CW_ENOTFOUND)
        rc = cw_store_meta_put(cw_ledger_store(l), "la_code", "999", err);
    cw_buf_release(&la);
    if (!rc && g->as_of > today) {
        cw_date_format(g->as_of, a);
        rc = cw_error_set(err, CW_EINVAL, "as_of: %s is in the future", a);
    }
    if (!rc)
        rc = cw_calendar_load_default(&g->cal, err);
    if (rc) {
        free(g);
        return rc;
    }
    g->start = M(g->as_of, -12 * (int32_t)g->o.years);
    if (g->start < g->cal.first || M(g->as_of, 12) > g->cal.last) {
        cw_date_format(g->cal.first, a);
        cw_date_format(g->cal.last, b);
        rc = cw_error_set(err, CW_EINVAL,
                          "as_of: the history and a year after it must lie within the "
                          "working-day calendar (%s to %s)",
                          a, b);
    } else if (cw_ledger_size(l) != 0) {
        rc = cw_error_set(err, CW_EEXIST,
                          "the log already has %llu entries; the demo goes into a new, empty log",
                          (unsigned long long)cw_ledger_size(l));
    }
    if (!rc)
        rc = cw_casework_begin(l, err);
    if (!rc) {
        uint64_t nloc = (g->o.children + LOC_SIZE - 1) / LOC_SIZE;
        uint64_t first = 1;
        for (uint64_t i = 0; !rc && i < nloc; i++) {
            uint64_t n = g->o.children / nloc + (i < g->o.children % nloc);
            rc = do_locality(g, (uint32_t)(i + 1), first, (size_t)n);
            first += n;
        }
        if (!rc && with_audit(g))
            rc = emit_audit(g);
        if (!rc && with_audit(g))
            rc = emit_improve(g);
        if (!rc && (rc = cw_casework_commit(l, NULL, err)) == CW_OK) {
            g->st.batches++;
            if (g->o.progress)
                g->o.progress(g->o.progress_ctx, g->children_done, g->o.children, g->st.events);
        }
        if (rc)
            cw_casework_abort(l);
    }
    if (!rc && g->slots)
        g->st.caseload_mean /= (double)g->slots;
    /* people: a late recorder with 8 or more late entries, a sitting of 10 or more entries
     * about 5 or more children, a text pasted for 3 or more visits (the sizes the packs'
     * thresholds can see) */
    for (size_t i = 0; !rc && i < g->ninj; i++) {
        const struct inj *j = &g->inj[i];
        uint32_t enough = j->pattern == CW_INTEGRITY_LATE_RECORDING     ? 8
                          : j->pattern == CW_INTEGRITY_BULK_ENTRY       ? 10
                          : j->pattern == CW_INTEGRITY_DEADLINE_CLUSTER ? 5
                                                                        : 3;
        if (j->n < enough || (j->pattern == CW_INTEGRITY_BULK_ENTRY && j->nkids < 5))
            continue;
        g->st.injected[j->pattern]++;
        if (g->o.injected)
            g->o.injected(g->o.injected_ctx, j->pattern, j->actor, UINT64_MAX);
    }
    free(g->inj);
    cw_calendar_release(&g->cal);
    if (!rc && stats)
        *stats = g->st;
    free(g);
    return rc;
}

cw_rc cw_demo_stats_format(const cw_demo_stats *s, cw_buf *out)
{
    cw_rc rc = cw_buf_addf(
        out,
        "council: %llu head(s) of service, %llu localities, %llu teams, %llu staff "
        "(%llu social workers, %llu left)\n"
        "caseloads at as_of: %.1f open cases per social worker on average, %llu at most\n"
        "children: %llu (%llu Welsh-speaking, %llu restricted); at as_of %llu open cases, "
        "%llu on the register, %llu looked after\n"
        "events: %llu in %llu batches\n"
        "  contacts %llu, referrals %llu (%llu no further action), assessments %llu started, "
        "%llu completed\n"
        "  strategy discussions %llu, section 47 enquiries %llu, initial conferences %llu, "
        "registrations %llu (neglect %llu, emotional %llu, physical %llu, sexual %llu), "
        "reviews %llu, deregistrations %llu, core groups %llu\n"
        "  visits %llu (child protection %llu, looked after %llu), plans %llu, "
        "looked-after episodes %llu, placement changes %llu, reviews %llu, health checks %llu\n"
        "  CSE concerns %llu, risk assessments %llu (%llu moderate or above), missing "
        "episodes %llu\n"
        "  case notes %llu, allocations %llu, transfers %llu, closures %llu, reopenings %llu, "
        "supervisions %llu, corrections %llu\n"
        "failures (docs/demo.md):\n"
        "  referrals undecided %llu, repeat contacts unassessed %llu\n"
        "  assessments late %llu, never completed %llu (overdue at as_of %llu), without views "
        "%llu; visits without views %llu\n"
        "  ICPC late %llu, outline plans late %llu, core groups late %llu, reviews late %llu, "
        "CP visits late %llu, on the register and not seen alone at as_of %llu\n"
        "  looked-after plans late %llu, visits late %llu, reviews late %llu, GP late %llu, "
        "dentist late %llu\n"
        "  CSE concerns unassessed %llu, bands without a strategy discussion %llu, "
        "reassessments late %llu\n"
        "  never discussed in supervision %llu, supervision sessions missed %llu, supervision "
        "gaps at as_of %llu, drifting cases at as_of %llu\n",
        (unsigned long long)s->councils, (unsigned long long)s->localities,
        (unsigned long long)s->teams, (unsigned long long)s->staff,
        (unsigned long long)s->social_workers, (unsigned long long)s->staff_left, s->caseload_mean,
        (unsigned long long)s->caseload_max, (unsigned long long)s->children,
        (unsigned long long)s->welsh, (unsigned long long)s->restricted,
        (unsigned long long)s->open_cases, (unsigned long long)s->on_register,
        (unsigned long long)s->looked_after, (unsigned long long)s->events,
        (unsigned long long)s->batches, (unsigned long long)s->contacts,
        (unsigned long long)s->referrals, (unsigned long long)s->referrals_nfa,
        (unsigned long long)s->assessments_started, (unsigned long long)s->assessments_completed,
        (unsigned long long)s->strategy_discussions, (unsigned long long)s->section_47s,
        (unsigned long long)s->initial_conferences, (unsigned long long)s->registrations,
        (unsigned long long)s->registrations_by_category[0],
        (unsigned long long)s->registrations_by_category[1],
        (unsigned long long)s->registrations_by_category[2],
        (unsigned long long)s->registrations_by_category[3],
        (unsigned long long)s->review_conferences, (unsigned long long)s->deregistrations,
        (unsigned long long)s->core_groups, (unsigned long long)s->visits,
        (unsigned long long)s->cp_visits, (unsigned long long)s->la_visits,
        (unsigned long long)s->plans, (unsigned long long)s->looked_after_episodes,
        (unsigned long long)s->placement_changes, (unsigned long long)s->la_reviews,
        (unsigned long long)s->health_checks, (unsigned long long)s->cse_concerns,
        (unsigned long long)s->cse_risk_assessments, (unsigned long long)s->cse_moderate_plus,
        (unsigned long long)s->missing_episodes, (unsigned long long)s->case_notes,
        (unsigned long long)s->allocations, (unsigned long long)s->transfers,
        (unsigned long long)s->closures, (unsigned long long)s->reopenings,
        (unsigned long long)s->supervisions, (unsigned long long)s->corrections,
        (unsigned long long)s->referrals_undecided, (unsigned long long)s->repeat_contacts,
        (unsigned long long)s->assessments_late, (unsigned long long)s->assessments_never,
        (unsigned long long)s->assessments_overdue, (unsigned long long)s->assessments_no_views,
        (unsigned long long)s->visits_no_views, (unsigned long long)s->icpc_late,
        (unsigned long long)s->outline_plans_late, (unsigned long long)s->core_groups_late,
        (unsigned long long)s->reviews_late, (unsigned long long)s->cp_visits_late,
        (unsigned long long)s->cp_not_seen_alone, (unsigned long long)s->la_plans_late,
        (unsigned long long)s->la_visits_late, (unsigned long long)s->la_reviews_late,
        (unsigned long long)s->gp_late, (unsigned long long)s->dentist_late,
        (unsigned long long)s->cse_unassessed, (unsigned long long)s->cse_no_strategy,
        (unsigned long long)s->cse_reassessments_late, (unsigned long long)s->never_discussed,
        (unsigned long long)s->supervisions_missed, (unsigned long long)s->supervision_gap,
        (unsigned long long)s->drifting);
    if (!rc)
        rc = cw_buf_addf(out,
                         "the Active Offer: Welsh-speaking children's visits and assessments "
                         "%llu, carried out in Welsh or bilingually %llu, offer made %llu\n",
                         (unsigned long long)s->welsh_work,
                         (unsigned long long)s->welsh_work_in_welsh,
                         (unsigned long long)s->welsh_work_offer);
    if (!rc)
        rc = cw_buf_addf(out,
                         "signs of manipulation injected: late recorders %llu, backdated past "
                         "the deadline %llu, dates corrected %llu, visits dated on their due "
                         "date %llu, care ended and begun again %llu, bulk sittings %llu, "
                         "pasted text %llu, casework from another team %llu\n",
                         (unsigned long long)s->injected[CW_INTEGRITY_LATE_RECORDING],
                         (unsigned long long)s->injected[CW_INTEGRITY_OVERDUE_HIDDEN],
                         (unsigned long long)s->injected[CW_INTEGRITY_DATE_CORRECTION],
                         (unsigned long long)s->injected[CW_INTEGRITY_DEADLINE_CLUSTER],
                         (unsigned long long)s->injected[CW_INTEGRITY_CLOCK_RESET],
                         (unsigned long long)s->injected[CW_INTEGRITY_BULK_ENTRY],
                         (unsigned long long)s->injected[CW_INTEGRITY_BOILERPLATE],
                         (unsigned long long)s->injected[CW_INTEGRITY_OUTSIDE_TEAM]);
    if (!rc)
        rc = cw_buf_addf(
            out,
            "child protection route: assessments %llu (late %llu); visits due at "
            "home made elsewhere %llu, conferences with the bedroom unseen before "
            "the next %llu; at as_of not seen at home for 4 weeks %llu, bedroom "
            "unseen for 6 months %llu; placement plans late %llu\n",
            (unsigned long long)s->cp_assessments, (unsigned long long)s->cp_assessments_late,
            (unsigned long long)s->cp_home_late, (unsigned long long)s->cp_bedroom_missed,
            (unsigned long long)s->cp_home_overdue, (unsigned long long)s->cp_bedroom_overdue,
            (unsigned long long)s->placement_plans_late);
    if (!rc)
        rc = cw_buf_addf(
            out,
            "contacts decided %llu (late %llu; undecided past due at as_of %llu); return "
            "interviews %llu (late %llu, never offered %llu; overdue at as_of %llu); third missing "
            "episodes in 90 days without a strategy discussion %llu (children at as_of %llu); "
            "health assessment reviews late %llu; personal education plans %llu (late %llu); "
            "care and support plan reviews %llu (late %llu; overdue at as_of %llu)\n",
            (unsigned long long)s->contact_decisions, (unsigned long long)s->contact_decisions_late,
            (unsigned long long)s->contacts_undecided, (unsigned long long)s->return_interviews,
            (unsigned long long)s->return_interviews_late,
            (unsigned long long)s->return_interviews_never,
            (unsigned long long)s->return_interviews_overdue,
            (unsigned long long)s->missing_no_strategy, (unsigned long long)s->repeat_missing,
            (unsigned long long)s->health_assessments_late, (unsigned long long)s->peps,
            (unsigned long long)s->peps_late, (unsigned long long)s->cin_reviews,
            (unsigned long long)s->cin_reviews_late, (unsigned long long)s->cin_reviews_overdue);
    if (!rc)
        rc = cw_buf_addf(out,
                         "care leavers %llu: needs assessments %llu (late %llu), pathway plan "
                         "reviews late %llu, personal adviser visits %llu (late %llu)\n",
                         (unsigned long long)s->care_leavers,
                         (unsigned long long)s->needs_assessments,
                         (unsigned long long)s->needs_assessments_late,
                         (unsigned long long)s->pathway_reviews_late,
                         (unsigned long long)s->pa_visits, (unsigned long long)s->pa_visits_late);
    if (!rc && s->audit_cases)
        rc = cw_buf_addf(out,
                         "case-file audit: one programme, %llu cases audited, its report issued "
                         "(docs/demo.md)\n",
                         (unsigned long long)s->audit_cases);
    if (!rc && s->improve_actions)
        rc = cw_buf_addf(out,
                         "improvement plan: an inspection with 8 findings, a warning notice, a "
                         "plan of 6 recommendations and %llu actions, a budget of "
                         "£4,000,000.00 (docs/demo.md)\n",
                         (unsigned long long)s->improve_actions);
    return rc;
}

/* ---- sign-ins for the demo ---- */

typedef struct first_staff {
    char id[65], team[65], manager[65];
    const char *want_team; /* if set, the first in this team */
} first_staff;

static cw_rc first_staff_row(void *ctx, const cw_value *c, size_t n)
{
    first_staff *f = ctx;
    char id[65] = "", team[65] = "", manager[65] = "";
    if (f->id[0] || n < 3)
        return CW_OK;
    cw_value_copy(&c[0], id, sizeof id);
    cw_value_copy(&c[1], team, sizeof team);
    cw_value_copy(&c[2], manager, sizeof manager);
    if (f->want_team && strcmp(team, f->want_team) != 0)
        return CW_OK;
    memcpy(f->id, id, sizeof id);
    memcpy(f->team, team, sizeof team);
    memcpy(f->manager, manager, sizeof manager);
    return CW_OK;
}

static cw_rc find_staff(cw_ledger *l, const char *role, const char *team, first_staff *f,
                        cw_error *err)
{
    memset(f, 0, sizeof *f);
    f->want_team = team;
    cw_value k = cw_text(role);
    cw_rc rc =
        cw_store_run(cw_ledger_store(l), CW_Q_STAFF_IN_POST, &k, 1, first_staff_row, f, NULL, err);
    if (!rc && !f->id[0])
        rc = cw_error_set(err, CW_ENOTFOUND, "the demo council has no %s in post", role);
    return rc;
}

/* access_change_approved of proposal id, today, as actor's act, in a batch of its own. */
static cw_rc approve(cw_ledger *l, const char *actor, const char *id, cw_error *err)
{
    char day[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000), day);
    json_t *p = json_pack("{s:s, s:s}", "proposal_id", id, "date", day);
    cw_event ev = {actor, "access_change_approved", p};
    cw_rc rc =
        p ? cw_casework_submit_alone(l, &ev, err) : cw_error_set(err, CW_ENOMEM, "out of memory");
    json_decref(p);
    return rc;
}

cw_rc cw_demo_accounts(cw_ledger *l, const char *password, cw_buf *out, cw_error *err)
{
    first_staff sw, tm, sm, hos, dpo;
    cw_rc rc = find_staff(l, "social_worker", NULL, &sw, err);
    if (!rc && (rc = find_staff(l, "team_manager", sw.team, &tm, err)) == CW_ENOTFOUND)
        rc = find_staff(l, "team_manager", NULL, &tm, err);
    if (!rc)
        rc = find_staff(l, "service_manager", NULL, &sm, err);
    if (!rc)
        rc = find_staff(l, "head_of_service", NULL, &hos, err);
    if (!rc)
        rc = find_staff(l, "data_protection_officer", NULL, &dpo, err);
    if (rc)
        return rc;
    /* A council with a case-file audit (docs/demo.md) has a director and QA auditors: the
     * auditor's account is the first QA auditor's, and the director has one; a smaller council
     * has neither, and its auditor account is a role account. */
    first_staff qa, dir;
    if ((rc = find_staff(l, "qa_auditor", NULL, &qa, err)) == CW_ENOTFOUND) {
        cw_error_clear(err);
        rc = CW_OK;
    }
    if (!rc && (rc = find_staff(l, "director", NULL, &dir, err)) == CW_ENOTFOUND) {
        cw_error_clear(err);
        rc = CW_OK;
    }
    if (rc)
        return rc;
    char expires[CW_DATE_LEN + 1];
    cw_date_format((cw_date)(cw_time_now_ms() / 86400000) + 90, expires);
    const struct {
        const char *user, *staff, *role, *expires;
    } a[] = {
        {"social.worker", sw.id, NULL, NULL},
        {"team.manager", tm.id, NULL, NULL},
        {"service.manager", sm.id, NULL, NULL},
        {"head.of.service", hos.id, NULL, NULL},
        {"inspector", NULL, "inspector", expires},
        {"auditor", qa.id[0] ? qa.id : NULL, qa.id[0] ? NULL : "qa_auditor", NULL},
        {"admin", NULL, "administrator", NULL},
        {"data.protection", dpo.id, NULL, NULL},
        {"director", dir.id[0] ? dir.id : NULL, NULL, NULL},
        {"data.team", NULL, "data_team", NULL},
    };
    for (size_t i = 0; !rc && i < sizeof a / sizeof a[0]; i++) {
        if (!a[i].staff && !a[i].role)
            continue; /* the director, in a council without one */
        char one_time[21];
        /* The inspector's account sees every child's record (the two-person rule,
         * docs/events.md): proposed at the command line, approved by the head of service. */
        int inspector = a[i].role && !strcmp(a[i].role, "inspector");
        if (!(rc = inspector ? cw_account_create_proposed(
                                   l, "cli", a[i].user, a[i].staff, a[i].role, a[i].expires,
                                   "demo.inspector", "The inspectorate's visit.", one_time, err)
                             : cw_account_create(l, "cli", a[i].user, a[i].staff, a[i].role,
                                                 a[i].expires, one_time, err)) &&
            !(rc = cw_account_set_password(l, "cli", a[i].user, password, false, err)) &&
            !(rc = inspector ? approve(l, hos.id, "demo.inspector", err) : CW_OK))
            rc = cw_buf_addf(out, "%-16s %-16s %s\n", a[i].user,
                             a[i].role ? a[i].role : "(staff role)", a[i].staff ? a[i].staff : "");
        memset(one_time, 0, sizeof one_time);
    }
    return rc;
}
