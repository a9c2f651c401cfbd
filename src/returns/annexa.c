/*
 * annexa.c — Ofsted's Annex A: the child-level lists a council gives inspectors at the start
 * of an inspection of local authority children's services (ILACS) (returns.h; docs/returns.md,
 * "Ofsted Annex A").
 *
 * Eleven CSV files, one per list, each with the template's exact header row (the headers and
 * their drop-down labels as the London Innovation and Improvement Alliance's copy of the
 * template gives them: docs/returns/research-annexa-ssd.md, Part A). Everything is as it
 * stood on the inspection date (q->as_of; default 31 March of q->year): events dated after it
 * are not read, and work awaiting a manager's sign-off is left out, as in every return.
 *
 * The periods run back from the inspection date and include it: "the six months before the
 * inspection" of 31 March 2026 is 1 October 2025 to 31 March 2026, its twelve months 1 April
 * 2025 to 31 March 2026; of 30 September 2025, 1 April to 30 September 2025 (months_back).
 *
 * Invariants:
 * - the lists read facts only: no name and no narrative. The two columns that name a person,
 *   Allocated Worker and Allocated Personal Advisor, carry staff ids. No list asks for a
 *   child's name.
 * - rows are in Child Unique ID order (byte order, as cw_returns_each_child gives children),
 *   then in the order of the list's own date (its first date column).
 * - where caseward records nothing for a column, the column is blank in every row and the
 *   notes say so once for the list and column; where a child lacks a value the list gives a
 *   default for, the notes give one line for the list and column with the number of rows.
 *
 * The files are UTF-8 with a byte-order mark and CRLF line ends: Excel opens a CSV without a
 * BOM in the system's ANSI code page, which garbles any character beyond ASCII (a team's name
 * in Welsh, say); with it, Excel (and LibreOffice, and Python's utf-8-sig) reads UTF-8. Every
 * cell goes through cw_csv_cell (util/csv.h), so no cell starts a formula.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "returns/returns.h"
#include "util/csv.h"
#include "returns/returns_int.h"
#include "util/facts.h"

/* ---- the lists and their headers ---- */

#define COMMON     "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"
#define DISABILITY "Does the Child have a Disability"
#define ALLOCATED  "Allocated Team", "Allocated Worker"

enum { L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, NLISTS };

typedef struct list_spec {
    const char *file; /* annex-a-YYYY-list-NN-<file>.csv */
    const char *columns[40];
} list_spec;

static const list_spec LISTS[NLISTS] = {
    {"contacts", {COMMON, "Date of Contact", "Contact Source"}},
    {"early-help",
     {COMMON, "Assessment start date", "Assessment completion date",
      "Organisation completing assessment"}},
    {"referrals",
     {COMMON, "Date of referral", "Referral Source", "Referral NFA?",
      "Number of Referrals in Last 12 Months", ALLOCATED}},
    {"assessments",
     {COMMON, DISABILITY, "Continuous Assessment Start Date",
      "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
      "Was the child assessed as requiring LA children's social care support?", ALLOCATED}},
    {"section-47",
     {COMMON, DISABILITY, "Strategy discussion initiating Section 47 Enquiry Start Date",
      "Was an Initial Child Protection Conference deemed unnecessary?",
      "Date of Initial Child Protection Conference",
      "Did the Initial Child Protection Conference Result in a Child Protection Plan",
      "Number of Section 47 Enquiries in the last 12 months",
      "Number of ICPCs in the last 12 months", ALLOCATED}},
    {"children-in-need",
     {COMMON, DISABILITY, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
      "CIN Closure Date", "Reason for Closure", "Case Status", ALLOCATED}},
    {"child-protection",
     {COMMON, DISABILITY, "Child Protection Plan Start Date", "Initial Category of Abuse",
      "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
      "Date of latest review conference", "Child Protection Plan End Date",
      "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months "
      "(Y/N)",
      "Number of Previous Child Protection Plans", ALLOCATED}},
    {"children-in-care",
     {COMMON,
      "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
      DISABILITY,
      "Date Started to be Looked After",
      "Child's Category of Need",
      "Is this a second or subsequent period of being a Looked After Child within the last 12 "
      "months (Y/N)",
      "Start date of current legal status",
      "Child's Legal Status",
      "Date of Latest Statutory Review",
      "Date of Last Social Work Visit",
      "What is the permanence plan for this child?",
      "Date of Last IRO Visit / Contact to the Child",
      "Date of Last Health Assessment",
      "Date of Last Dental Check",
      "Number of Placements in the Last 12 months",
      "Date Ceased to be Looked After",
      "Reason Ceased to be Looked After",
      "Start Date of Most Recent Placement",
      "Placement Type",
      "Placement Provider",
      "Placement postcode",
      "URN of Placement",
      "Placement Location",
      "LA of Placement",
      "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
      "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
      "Was the child offered a Return Interview after their last missing episode (Y/N)?",
      "Did the child accept a Return Interview after their last missing episode (Y/N)?",
      ALLOCATED}},
    {"care-leavers",
     {COMMON, "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
      DISABILITY, ALLOCATED, "Allocated Personal Advisor", "Eligibility Category",
      "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact",
      "Type of Accommodation", "Suitability of Accommodation", "Activity Status"}},
    {"adoption",
     {"Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
      "Age of Child (Years)", DISABILITY, "Date the Child Entered Care",
      "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
      "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption",
      "Date of Adoption Order",
      "Date of Decision that Child Should No Longer be Placed for Adoption",
      "Reason Why Child No Longer Placed for Adoption",
      "Date the child was placed for fostering in FFA or concurrent planning placement"}},
    {"adopters",
     {"Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
      "Is the (prospective) adopter fostering for adoption?", "Date enquiry received",
      "Date Stage 1 started", "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended",
      "Date application submitted", "Date application approved",
      "Date adopter matched with child(ren)", "Date child/children placed with adopter(s)",
      "No. of children placed", "Date of Adoption Order", "Date of leaving adoption process",
      "Reason for leaving adoption process"}},
};

/* The columns caseward records nothing for: blank in every row, one note each. */
static const struct {
    int list;
    const char *column, *why;
} BLANK[] = {
    {L2, "*",
     "caseward records no early help episodes (a contact decided 'early_help' is only a "
     "decision): the list is written with its header only"},
    {L7,
     "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months "
     "(Y/N)",
     "the legal status (L1, L2) is recorded since the SSDA903's facts, but Annex A does not "
     "read it yet: blank"},
    {L8, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
     "UASC status is recorded (child_details_recorded.uasc), but Annex A does not read it yet: "
     "blank"},
    {L8, "Child's Category of Need",
     "the category of need is recorded (looked_after_started), but Annex A does not read it yet: "
     "blank"},
    {L8, "Start date of current legal status",
     "the legal status is recorded (legal_status_changed), but Annex A does not read it yet: "
     "blank"},
    {L8, "Child's Legal Status",
     "the legal status is recorded (legal_status_changed), but Annex A does not read it yet: "
     "blank"},
    {L8, "What is the permanence plan for this child?",
     "caseward records no permanence plan code: blank"},
    {L8, "Date of Last IRO Visit / Contact to the Child",
     "caseward records no IRO contact with the child: blank"},
    {L8, "Reason Ceased to be Looked After",
     "the national reason is recorded (looked_after_ended.reason_detail), but Annex A does not "
     "read it yet: blank"},
    {L8, "Placement Type",
     "the placement's details are recorded, but Annex A does not derive its code yet: blank"},
    {L8, "Placement Provider", "the provider is recorded, but Annex A does not read it yet: blank"},
    {L8, "Placement postcode",
     "the placement postcode is recorded (personal), but Annex A does not read it yet: blank"},
    {L8, "URN of Placement",
     "the provider's URN is recorded, but Annex A does not read it yet: blank"},
    {L8, "Placement Location",
     "derived from the placement postcode, which Annex A does not read yet: blank"},
    {L8, "LA of Placement",
     "derived from the placement postcode, which Annex A does not read yet: blank"},
    {L8,
     "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
     "missing_episode.kind tells away from missing, but Annex A does not read it yet: every "
     "missing_episode is counted as missing, this column is blank"},
    {L9, "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
     "UASC status is recorded (child_details_recorded.uasc), but Annex A does not read it yet: "
     "blank"},
    {L9, "Allocated Personal Advisor",
     "caseward records the personal adviser only as free text on a visit (personal, not read): "
     "blank"},
    {L9, "LA in Touch",
     "care leavers' circumstances are recorded (care_leaver_contact), but Annex A does not read "
     "them yet: blank"},
    {L9, "Type of Accommodation",
     "care leavers' circumstances are recorded (care_leaver_contact), but Annex A does not read "
     "them yet: blank"},
    {L9, "Suitability of Accommodation",
     "care leavers' circumstances are recorded (care_leaver_contact), but Annex A does not read "
     "them yet: blank"},
    {L9, "Activity Status",
     "care leavers' circumstances are recorded (care_leaver_contact), but Annex A does not read "
     "them yet: blank"},
    {L10, "Family identifier", "caseward records no family identifier: blank"},
    {L10, "Date of Decision that Child Should be Placed for Adoption",
     "the decision is recorded (adoption_decision_made), but Annex A does not read it yet: blank"},
    {L10, "Date of Placement Order",
     "the legal status is recorded (legal_status_changed), but Annex A does not read it yet: "
     "blank"},
    {L10, "Date of Matching Child and Prospective Adopters",
     "caseward records no adoption match: blank"},
    {L10, "Date of Decision that Child Should No Longer be Placed for Adoption",
     "caseward records no reversal of an adoption decision: blank"},
    {L10, "Reason Why Child No Longer Placed for Adoption",
     "caseward records no reversal of an adoption decision: blank"},
    {L10, "Date the child was placed for fostering in FFA or concurrent planning placement",
     "caseward records no national placement code yet (U2, U5): blank"},
    {L11, "*",
     "caseward records no adopters (adults applying to adopt; the adoption agency holds them): "
     "the list is written with its header only"},
};

/* ---- national labels for caseward's values ---- */

static const char *label(const char *const map[][2], size_t n, const char *v)
{
    for (size_t i = 0; v && i < n; i++)
        if (!strcmp(map[i][0], v))
            return map[i][1];
    return NULL;
}
#define LABEL(map, v) label(map, sizeof map / sizeof map[0], v)

static const char *const GENDER[][2] = {{"male", "a) Male"},
                                        {"female", "b) Female"},
                                        {"not_known", "c) Not stated/recorded"},
                                        {"other", "d) Neither"}};

static const char *const ETHNICITY[][2] = {
    {"WBRI", "a) WBRI"}, {"WIRI", "b) WIRI"}, {"WIRT", "c) WIRT"}, {"WOTH", "d) WOTH"},
    {"WROM", "e) WROM"}, {"MWBC", "f) MWBC"}, {"MWBA", "g) MWBA"}, {"MWAS", "h) MWAS"},
    {"MOTH", "i) MOTH"}, {"AIND", "j) AIND"}, {"APKN", "k) APKN"}, {"ABAN", "l) ABAN"},
    {"AOTH", "m) AOTH"}, {"BCRB", "n) BCRB"}, {"BAFR", "o) BAFR"}, {"BOTH", "p) BOTH"},
    {"CHNE", "q) CHNE"}, {"OOTH", "r) OOTH"}, {"REFU", "s) REFU"}, {"NOBT", "t) NOBT"}};

static const char *const SOURCE[][2] = {{"1A", "a) 1A: Individual"},
                                        {"1B", "b) 1B: Individual"},
                                        {"1C", "c) 1C: Individual"},
                                        {"1D", "d) 1D: Individual"},
                                        {"2A", "e) 2A: Schools"},
                                        {"2B", "f) 2B: Education services"},
                                        {"3A", "g) 3A: Health services"},
                                        {"3B", "h) 3B: Health services"},
                                        {"3C", "i) 3C: Health services"},
                                        {"3D", "j) 3D: Health services"},
                                        {"3E", "k) 3E: Health services"},
                                        {"3F", "l) 3F: Health services"},
                                        {"4", "m) 4: Housing"},
                                        {"5A", "n) 5A: LA services"},
                                        {"5B", "o) 5B: LA services"},
                                        {"5C", "p) 5C: LA services"},
                                        {"5D", "p1) 5D: LA services"},
                                        {"6", "q) 6: Police"},
                                        {"7", "r) 7: Other legal agency"},
                                        {"8", "s) 8: Other"},
                                        {"9", "t) 9: Anonymous"},
                                        {"10", "u) 10: Unknown"}};

static const char *const NEED[][2] = {{"N1", "N1 - Abuse or neglect"},
                                      {"N2", "N2 - Child's disability"},
                                      {"N3", "N3 - Parental disability or illness"},
                                      {"N4", "N4 - Family in acute stress"},
                                      {"N5", "N5 - Family dysfunction"},
                                      {"N6", "N6 - Socially unacceptable behaviour"},
                                      {"N7", "N7 - Low income"},
                                      {"N8", "N8 - Absent parenting"},
                                      {"N9", "N9 - Cases other than children in need"},
                                      {"N0", "N0 - Not stated"}};

static const char *const CLOSURE[][2] = {
    {"RC1", "RC1 - Adopted"},
    {"RC2", "RC2 - Died"},
    {"RC3", "RC3 - Child arrangements order"},
    {"RC4", "RC4 - Special guardianship order"},
    {"RC5", "RC5 - Transferred to services of another local authority"},
    {"RC6", "RC6 - Transferred to adult social care services"},
    {"RC7", "RC7 - Services ceased for any other reason, including child no longer in need"},
    {"RC8", "RC8 - Case closed after assessment, no further action"},
    {"RC9", "RC9 - Case closed after assessment, referred to early help"}};

static const char *const ABUSE[][2] = {{"neglect", "a) Neglect"},
                                       {"physical", "b) Physical abuse"},
                                       {"sexual", "c) Sexual abuse"},
                                       {"emotional", "d) Emotional abuse"}};

static const char *const ELIGIBILITY[][2] = {
    {"relevant", "a) Relevant child"},
    {"former_relevant", "b) Former relevant child"},
    {"former_relevant_education", "b) Former relevant child"},
    {"qualifying", "c) Qualifying care leaver"},
    {"eligible", "d) Eligible child"}};

/* assessment_completed.outcome: did the child need children's social care's support? */
static const char *const SUPPORT[][2] = {{"care_and_support_plan", "a) Yes"},
                                         {"child_protection", "a) Yes"},
                                         {"looked_after", "a) Yes"},
                                         {"no_further_action", "b) No"},
                                         {"other_services", "b) No"}};

/* ---- one child's history, as it stood on the inspection date ---- */

typedef struct item {
    const char *id, *code, *code2; /* the record's id and its values, inside the facts */
    cw_date date, end, extra;
    int ended, flag, flag2, n;
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

typedef struct episode {
    cw_date start, closed, seen;
    const char *referral_id, *need, *reason;
    int had_referral, further, nfa, is_closed, has_seen;
} episode;

typedef struct registration {
    cw_date start, end, visit, review;
    const char *initial, *latest;
    int ended, has_visit, alone, has_review, previous;
} registration;

typedef struct period {
    cw_date start, end, review, visit, placed, adopted_placement;
    const char *reason, *placement_type;
    int ended, has_review, has_visit, has_adoption_placement;
} period;

typedef struct child {
    const cw_child_history *h;
    const char *gender, *ethnicity, *worker, *leaving_care;
    cw_fact disabilities;
    items contacts, referrals, assessments, strategies, enquiries, initials, placements, missing;
    episode *ep;
    size_t nep, capep;
    registration *reg;
    size_t nreg, capreg;
    period *la;
    size_t nla, capla;
    cw_date health, dental, pathway, pa_seen;
    int has_health, has_dental, has_pathway, has_pa_seen, cin_plan;
} child;

typedef struct staff_team {
    char staff[65], team[65];
} staff_team;

typedef struct team_name {
    char team[65], name[101];
} team_name;

typedef struct run {
    const cw_returns_query *q;
    cw_date as_of, from6, from12; /* the periods: [from6, as_of] and [from12, as_of] */
    cw_buf *out[NLISTS];
    size_t ncols[NLISTS];
    cw_returns_notes *notes;
    cw_returns_counts *counts;
    staff_team *staff;
    size_t nstaff, capstaff;
    team_name *teams;
    size_t nteams, capteams;
    size_t nobt[NLISTS], no_team[NLISTS], no_worker[NLISTS], no_need, no_reason, no_status,
        no_referral;
    size_t rows[NLISTS];
    cw_rc rc;
} run;

static int is(const char *a, const char *b)
{
    return a && !strcmp(a, b);
}

static int in6(const run *r, cw_date d)
{
    return d >= r->from6 && d <= r->as_of;
}

static int in12(const run *r, cw_date d)
{
    return d >= r->from12 && d <= r->as_of;
}

/* The first day of the n months that end with d: n months before the day after d (the six
 * months to 30 September start on 1 April, to 28 February on 1 September). */
static cw_date months_back(cw_date d, int n)
{
    return cw_date_add_months(d + 1, -n);
}

static item *push(run *r, items *a)
{
    if (cw_array_grow(&a->v, &a->cap, a->n, sizeof *a->v)) {
        r->rc = CW_ENOMEM;
        return NULL;
    }
    item *it = &a->v[a->n++];
    memset(it, 0, sizeof *it);
    return it;
}

static item *find(items *a, const char *id)
{
    for (size_t i = a->n; id && i-- > 0;)
        if (is(a->v[i].id, id))
            return &a->v[i];
    return NULL;
}

static episode *open_episode(const child *c)
{
    return c->nep && !c->ep[c->nep - 1].is_closed ? &c->ep[c->nep - 1] : NULL;
}

static registration *open_registration(const child *c)
{
    return c->nreg && !c->reg[c->nreg - 1].ended ? &c->reg[c->nreg - 1] : NULL;
}

static period *open_period(const child *c)
{
    return c->nla && !c->la[c->nla - 1].ended ? &c->la[c->nla - 1] : NULL;
}

/* The open episode, or a new one from d (opened by a referral, or by work with none). */
static episode *episode_at(run *r, child *c, cw_date d)
{
    episode *e = open_episode(c);
    if (e)
        return e;
    if (cw_array_grow(&c->ep, &c->capep, c->nep, sizeof *c->ep)) {
        r->rc = CW_ENOMEM;
        return NULL;
    }
    e = &c->ep[c->nep++];
    memset(e, 0, sizeof *e);
    e->start = d;
    return e;
}

static void work(run *r, child *c, cw_date d)
{
    episode *e = episode_at(r, c, d);
    if (e)
        e->further = 1;
}

static void seen(child *c, cw_date d)
{
    episode *e = open_episode(c);
    if (e && (!e->has_seen || d > e->seen))
        e->seen = d, e->has_seen = 1;
}

static void end_placement(child *c, cw_date d)
{
    if (c->placements.n && !c->placements.v[c->placements.n - 1].ended) {
        c->placements.v[c->placements.n - 1].ended = 1;
        c->placements.v[c->placements.n - 1].end = d;
    }
}

static void placement(run *r, child *c, const cw_case_event *ev)
{
    end_placement(c, ev->date);
    item *p = push(r, &c->placements);
    if (p)
        p->id = sval(ev->facts, "placement_id"), p->date = ev->date;
    period *la = open_period(c);
    if (la) {
        la->placed = ev->date;
        la->placement_type = sval(ev->facts, "placement_type");
        if (is(la->placement_type, "adoption") && !la->has_adoption_placement)
            la->adopted_placement = ev->date, la->has_adoption_placement = 1;
    }
}

static void read_event(run *r, child *c, const cw_case_event *ev)
{
    const char *t = ev->type;
    cw_facts f = ev->facts;
    cw_date d = ev->date;
    item *it;
    if (!strcmp(t, "child_registered")) {
        c->gender = sval(f, "gender"); /* never its free-text ethnicity: personal */
    } else if (!strcmp(t, "child_details_recorded")) {
        if (sval(f, "ethnicity_code"))
            c->ethnicity = sval(f, "ethnicity_code");
        if (cw_facts_get(f, "disabilities").kind == CW_FACT_LIST)
            c->disabilities = cw_facts_get(f, "disabilities");
    } else if (!strcmp(t, "contact_received")) {
        if ((it = push(r, &c->contacts)))
            it->date = d, it->code = sval(f, "source");
    } else if (!strcmp(t, "referral_received")) {
        if ((it = push(r, &c->referrals))) {
            it->id = sval(f, "referral_id"), it->date = d;
            it->code = sval(f, "source_code"), it->code2 = sval(f, "source");
        }
        if (!open_episode(c)) {
            episode *e = episode_at(r, c, d);
            if (e)
                e->had_referral = 1, e->referral_id = it ? it->id : NULL;
        }
    } else if (!strcmp(t, "referral_decided")) {
        const char *id = sval(f, "referral_id");
        int nfa = is(sval(f, "decision"), "no_further_action");
        if ((it = find(&c->referrals, id)))
            it->flag = nfa;
        episode *e = open_episode(c);
        if (e && e->had_referral && is(e->referral_id, id)) {
            if (!nfa)
                e->further = 1;
            else if (!e->further)
                e->nfa = 1, e->is_closed = 1, e->closed = d;
        }
    } else if (!strcmp(t, "assessment_started")) {
        if ((it = push(r, &c->assessments)))
            it->id = sval(f, "assessment_id"), it->date = d;
        work(r, c, d);
    } else if (!strcmp(t, "assessment_completed")) {
        if ((it = find(&c->assessments, sval(f, "assessment_id"))) && !it->ended) {
            it->ended = 1, it->end = d; /* the day it was signed off, when it needed it */
            it->flag = cw_facts_get(f, "child_seen").kind == CW_FACT_TRUE;
            it->code = sval(f, "outcome");
        }
        const char *need = sval(f, "primary_need"), *sd = sval(f, "child_seen_date");
        episode *e = open_episode(c);
        if (e && need)
            e->need = need;
        cw_date when;
        if (sd && !cw_date_parse(sd, strlen(sd), &when) && when <= r->as_of)
            seen(c, when);
    } else if (!strcmp(t, "strategy_discussion_held")) {
        if ((it = push(r, &c->strategies)))
            it->id = sval(f, "strategy_id"), it->date = d;
    } else if (!strcmp(t, "section_47_started")) {
        if ((it = push(r, &c->enquiries))) {
            it->id = sval(f, "enquiry_id"), it->date = d, it->extra = d;
            item *s = find(&c->strategies, sval(f, "strategy_id"));
            if (s)
                it->extra = s->date;
        }
        work(r, c, d);
    } else if (!strcmp(t, "section_47_completed")) {
        if ((it = find(&c->enquiries, sval(f, "enquiry_id"))) && !it->ended)
            it->ended = 1, it->end = d, it->code = sval(f, "outcome");
    } else if (!strcmp(t, "conference_held")) {
        const char *kind = sval(f, "kind"), *decision = sval(f, "decision");
        const char *cat = LABEL(ABUSE, sval(f, "category"));
        registration *g = open_registration(c);
        work(r, c, d);
        if (is(kind, "initial") && (it = push(r, &c->initials)))
            it->date = d, it->code = decision;
        if (is(decision, "register") && !g) {
            if (cw_array_grow(&c->reg, &c->capreg, c->nreg, sizeof *c->reg)) {
                r->rc = CW_ENOMEM;
                return;
            }
            g = &c->reg[c->nreg];
            memset(g, 0, sizeof *g);
            g->start = d;
            g->initial = g->latest = cat;
            g->previous = (int)c->nreg++;
            c->cin_plan = 0;
        } else if (g) {
            if (cat)
                g->latest = cat;
            if (is(kind, "review"))
                g->review = d, g->has_review = 1;
            if (is(decision, "deregister"))
                g->ended = 1, g->end = d;
        }
    } else if (!strcmp(t, "plan_recorded")) {
        const char *kind = sval(f, "kind");
        if (is(kind, "care_and_support") || is(kind, "child_protection_outline") ||
            is(kind, "child_protection") || is(kind, "looked_after"))
            work(r, c, d);
        if (is(sval(f, "kind"), "care_and_support") && !open_registration(c) && !open_period(c))
            c->cin_plan = 1;
        if (is(sval(f, "kind"), "pathway") && (!c->has_pathway || d > c->pathway))
            c->pathway = d, c->has_pathway = 1;
    } else if (!strcmp(t, "statutory_visit")) {
        int was_seen = cw_facts_get(f, "seen").kind == CW_FACT_TRUE;
        registration *g = open_registration(c);
        period *la = open_period(c);
        if (g) {
            g->visit = d, g->has_visit = 1;
            g->alone = cw_facts_get(f, "seen_alone").kind == CW_FACT_TRUE;
        }
        if (la && was_seen)
            la->visit = d, la->has_visit = 1;
        if (was_seen)
            seen(c, d);
    } else if (!strcmp(t, "looked_after_started")) {
        work(r, c, d);
        c->cin_plan = 0;
        if (cw_array_grow(&c->la, &c->capla, c->nla, sizeof *c->la)) {
            r->rc = CW_ENOMEM;
            return;
        }
        period *la = &c->la[c->nla++];
        memset(la, 0, sizeof *la);
        la->start = d;
        placement(r, c, ev);
    } else if (!strcmp(t, "placement_changed")) {
        placement(r, c, ev);
    } else if (!strcmp(t, "looked_after_ended")) {
        period *la = open_period(c);
        end_placement(c, d);
        if (la)
            la->ended = 1, la->end = d, la->reason = sval(f, "reason");
    } else if (!strcmp(t, "looked_after_review_held")) {
        period *la = open_period(c);
        if (la)
            la->review = d, la->has_review = 1;
    } else if (!strcmp(t, "health_check_recorded")) {
        const char *kind = sval(f, "kind");
        if (is(kind, "health_assessment"))
            c->health = d, c->has_health = 1;
        else if (is(kind, "dental_check"))
            c->dental = d, c->has_dental = 1;
    } else if (!strcmp(t, "missing_episode")) {
        if ((it = push(r, &c->missing))) {
            it->id = sval(f, "episode_id"), it->date = d;
            cw_fact_kind ri = cw_facts_get(f, "return_interview").kind;
            it->n = ri == CW_FACT_TRUE ? 1 : ri == CW_FACT_FALSE ? 0 : -1; /* migrated */
        }
    } else if (!strcmp(t, "return_interview")) {
        if ((it = find(&c->missing, sval(f, "episode_id"))))
            it->flag = 1, it->flag2 = cw_facts_get(f, "accepted").kind == CW_FACT_TRUE;
    } else if (!strcmp(t, "leaving_care_status")) {
        c->leaving_care = sval(f, "status");
    } else if (!strcmp(t, "personal_adviser_visit")) {
        if (cw_facts_get(f, "seen").kind == CW_FACT_TRUE)
            c->pa_seen = d, c->has_pa_seen = 1;
    } else if (!strcmp(t, "case_allocated") || !strcmp(t, "case_transferred")) {
        c->worker = sval(f, "worker_id");
    } else if (!strcmp(t, "case_closed")) {
        episode *e = open_episode(c);
        registration *g = open_registration(c);
        if (g)
            g->ended = 1, g->end = d;
        c->cin_plan = 0;
        if (e)
            e->is_closed = 1, e->closed = d, e->reason = sval(f, "closure_reason");
    }
}

/* ---- writing ---- */

typedef struct row {
    run *r;
    int list;
    size_t col;
} row;

static void cell(row *w, const char *s)
{
    run *r = w->r;
    if (r->rc)
        return;
    w->col++;
    r->rc = cw_csv_cell(r->out[w->list], s ? s : "", w->col == r->ncols[w->list], CW_CSV_QUOTE_ALL);
}

static void cell_date(row *w, cw_date d, int have)
{
    char s[16] = "";
    if (have) {
        int y;
        unsigned m, day;
        cw_date_to_ymd(d, &y, &m, &day);
        snprintf(s, sizeof s, "%02u/%02u/%04d", day, m, y);
    }
    cell(w, s);
}

static void cell_int(row *w, long n)
{
    char s[24];
    snprintf(s, sizeof s, "%ld", n);
    cell(w, s);
}

static void blank(row *w, int n)
{
    while (n-- > 0)
        cell(w, "");
}

/* Starts a row of list with the five columns every child list opens with. */
static row start(run *r, const child *c, int list, int family_column)
{
    row w = {r, list, 0};
    r->rows[list]++;
    r->counts->records++;
    const cw_child_history *h = c->h;
    cell(&w, h->child_id);
    if (family_column)
        cell(&w, "");
    cell(&w, LABEL(GENDER, c->gender));
    const char *eth = LABEL(ETHNICITY, c->ethnicity);
    if (!eth)
        r->nobt[list]++;
    cell(&w, eth ? eth : "t) NOBT");
    int unborn = h->date_of_birth > r->as_of;
    cell_date(&w, h->date_of_birth, !unborn);
    if (unborn) {
        cell(&w, "");
    } else {
        int y0, y1;
        unsigned m0, d0, m1, d1;
        cw_date_to_ymd(h->date_of_birth, &y0, &m0, &d0);
        cw_date_to_ymd(r->as_of, &y1, &m1, &d1);
        cell_int(&w, y1 - y0 - (m1 < m0 || (m1 == m0 && d1 < d0)));
    }
    return w;
}

static void disability(row *w, const child *c)
{
    const cw_fact *d = &c->disabilities;
    size_t pos = 0;
    const char *first = d->kind == CW_FACT_LIST ? cw_fact_item(d, &pos) : NULL;
    if (!first)
        cell(w, "c) Unknown");
    else
        cell(w, d->i == 1 && !strcmp(first, "NONE") ? "b) No" : "a) Yes");
}

/* The worker who holds the case (or held it last) and their team's name. */
static void allocated(row *w, const child *c)
{
    run *r = w->r;
    const char *team = NULL;
    for (size_t i = 0; c->worker && i < r->nstaff; i++)
        if (!strcmp(r->staff[i].staff, c->worker))
            for (size_t j = 0; j < r->nteams; j++)
                if (!strcmp(r->teams[j].team, r->staff[i].team))
                    team = r->teams[j].name;
    if (!c->worker)
        r->no_worker[w->list]++;
    else if (!team)
        r->no_team[w->list]++;
    cell(w, team);
    cell(w, c->worker);
}

static const char *source_label(const char *code, const char *source)
{
    const char *l = LABEL(SOURCE, code);
    if (!l)
        l = LABEL(SOURCE, cw_returns_source_code(source));
    return l ? l : "u) 10: Unknown";
}

static void write_child(run *r, child *c)
{
    const cw_date as_of = r->as_of;
    /* List 1: contacts received in the six months */
    for (size_t i = 0; i < c->contacts.n; i++) {
        const item *k = &c->contacts.v[i];
        if (!in6(r, k->date))
            continue;
        row w = start(r, c, L1, 0);
        cell_date(&w, k->date, 1);
        cell(&w, source_label(NULL, k->code));
    }
    /* List 3: referrals received in the six months */
    for (size_t i = 0; i < c->referrals.n; i++) {
        const item *k = &c->referrals.v[i];
        if (!in6(r, k->date))
            continue;
        long before = 0;
        for (size_t j = 0; j < i; j++)
            before += c->referrals.v[j].date >= months_back(k->date, 12);
        row w = start(r, c, L3, 0);
        cell_date(&w, k->date, 1);
        cell(&w, source_label(k->code, k->code2));
        cell(&w, k->flag ? "a) Yes" : "b) No");
        cell_int(&w, before);
        allocated(&w, c);
    }
    /* List 4: assessments started in the six months, or open on the inspection date */
    for (size_t i = 0; i < c->assessments.n; i++) {
        const item *a = &c->assessments.v[i];
        if (!in6(r, a->date) && a->ended)
            continue;
        row w = start(r, c, L4, 0);
        disability(&w, c);
        cell_date(&w, a->date, 1);
        cell(&w, !a->ended ? "c) Unknown" : a->flag ? "a) Yes" : "b) No");
        cell_date(&w, a->end, a->ended);
        cell(&w, a->ended ? LABEL(SUPPORT, a->code) : "");
        allocated(&w, c);
    }
    /* List 5: section 47 enquiries started in the six months, or open on the date */
    for (size_t i = 0; i < c->enquiries.n; i++) {
        const item *q = &c->enquiries.v[i];
        cw_date next = i + 1 < c->enquiries.n ? c->enquiries.v[i + 1].date : as_of + 1;
        const item *icpc = NULL;
        long s47 = 0, icpcs = 0;
        for (size_t j = 0; j < c->initials.n && !icpc; j++)
            if (c->initials.v[j].date >= q->date && c->initials.v[j].date < next)
                icpc = &c->initials.v[j];
        if (!in6(r, q->date) && (q->ended || icpc))
            continue;
        for (size_t j = 0; j < i; j++)
            s47 += c->enquiries.v[j].date >= months_back(q->date, 12);
        for (size_t j = 0; j < c->initials.n; j++)
            icpcs += c->initials.v[j].date >= months_back(q->date, 12) &&
                     c->initials.v[j].date < q->date;
        row w = start(r, c, L5, 0);
        disability(&w, c);
        cell_date(&w, q->extra, 1);
        cell(&w, icpc || is(q->code, "initial_conference") ? "b) No" : q->ended ? "a) Yes" : "");
        cell_date(&w, icpc ? icpc->date : 0, icpc != NULL);
        cell(&w, !icpc                              ? ""
                 : is(icpc->code, "register")       ? "a) Yes"
                 : is(icpc->code, "not_registered") ? "b) No"
                                                    : "");
        cell_int(&w, s47);
        cell_int(&w, icpcs);
        allocated(&w, c);
    }
    /* List 6: children in need, open on the date or closed in the six months; not care
     * leavers, nor children only referred */
    int care_leaver = c->leaving_care && !open_period(c);
    for (size_t i = 0; !care_leaver && i < c->nep; i++) {
        const episode *e = &c->ep[i];
        if (!e->further || e->nfa || (e->is_closed && e->closed < r->from6))
            continue;
        const char *need = LABEL(NEED, e->need), *status = NULL;
        if (!need)
            r->no_need++, need = "N0 - Not stated";
        if (!e->had_referral)
            r->no_referral++;
        int open_assessment = 0;
        for (size_t j = 0; j < c->assessments.n; j++)
            open_assessment |= !c->assessments.v[j].ended;
        if (e->is_closed)
            status = "e) Closed episode";
        else if (open_period(c))
            status = "a) Looked after child";
        else if (open_registration(c))
            status = "b) Child Protection plan";
        else if (c->cin_plan)
            status = "c) Child in need plan";
        else if (open_assessment)
            status = "d) Open assessment";
        else
            r->no_status++;
        if (e->is_closed && !LABEL(CLOSURE, e->reason))
            r->no_reason++;
        row w = start(r, c, L6, 0);
        disability(&w, c);
        cell_date(&w, e->start, 1);
        cell(&w, need);
        cell_date(&w, e->seen, e->has_seen);
        cell_date(&w, e->closed, e->is_closed);
        cell(&w, e->is_closed ? LABEL(CLOSURE, e->reason) : "");
        cell(&w, status);
        allocated(&w, c);
    }
    /* List 7: child protection plans open on the date or ended in the six months */
    for (size_t i = 0; i < c->nreg; i++) {
        const registration *g = &c->reg[i];
        if (g->ended && g->end < r->from6)
            continue;
        row w = start(r, c, L7, 0);
        disability(&w, c);
        cell_date(&w, g->start, 1);
        cell(&w, g->initial);
        cell(&w, g->latest);
        cell_date(&w, g->visit, g->has_visit);
        cell(&w, !g->has_visit ? "" : g->alone ? "a) Yes" : "b) No");
        cell_date(&w, g->review, g->has_review);
        cell_date(&w, g->end, g->ended);
        cell(&w, "");
        cell_int(&w, g->previous);
        allocated(&w, c);
    }
    /* List 8: looked after on the date, or ceased in the six months: the latest period */
    const period *la = c->nla ? &c->la[c->nla - 1] : NULL;
    if (la && (!la->ended || la->end >= r->from6)) {
        int again = 0;
        for (size_t i = 0; i + 1 < c->nla; i++)
            again |= c->la[i].end >= months_back(la->start, 12);
        size_t placements = 0;
        for (size_t i = 0; i < c->placements.n; i++) {
            const item *p = &c->placements.v[i];
            if (p->ended && p->end < r->from12)
                continue;
            int seen_before = 0;
            for (size_t j = 0; j < i; j++)
                seen_before |= is(c->placements.v[j].id, p->id) &&
                               (!c->placements.v[j].ended || c->placements.v[j].end >= r->from12);
            placements += !seen_before;
        }
        long missing = 0;
        const item *last = c->missing.n ? &c->missing.v[c->missing.n - 1] : NULL;
        for (size_t i = 0; i < c->missing.n; i++)
            missing += in12(r, c->missing.v[i].date);
        const char *offered = !last ? "" : last->flag || last->n == 1 ? "a) Yes" : "b) No";
        const char *accepted = !last || !*offered || offered[0] == 'b' ? ""
                               : !last->flag                           ? "c) Unknown"
                               : last->flag2                           ? "a) Yes"
                                                                       : "b) No";
        row w = start(r, c, L8, 0);
        cell(&w, "");
        disability(&w, c);
        cell_date(&w, la->start, 1);
        cell(&w, "");
        cell(&w, again ? "a) Yes" : "b) No");
        blank(&w, 2);
        cell_date(&w, la->review, la->has_review);
        cell_date(&w, la->visit, la->has_visit);
        blank(&w, 2);
        cell_date(&w, c->health, c->has_health);
        cell_date(&w, c->dental, c->has_dental);
        cell_int(&w, (long)placements);
        cell_date(&w, la->end, la->ended);
        cell(&w, "");
        cell_date(&w, la->placed, 1);
        blank(&w, 6);
        cell_int(&w, missing);
        cell(&w, "");
        cell(&w, offered);
        cell(&w, accepted);
        allocated(&w, c);
    }
    /* List 9: care leavers (any leaving care status on the date), under 25 */
    int y0, y1;
    unsigned m0, d0, m1, d1;
    cw_date_to_ymd(c->h->date_of_birth, &y0, &m0, &d0);
    cw_date_to_ymd(as_of, &y1, &m1, &d1);
    int age = y1 - y0 - (m1 < m0 || (m1 == m0 && d1 < d0));
    if (LABEL(ELIGIBILITY, c->leaving_care) && age < 25) {
        row w = start(r, c, L9, 0);
        cell(&w, "");
        disability(&w, c);
        allocated(&w, c);
        cell(&w, "");
        cell(&w, LABEL(ELIGIBILITY, c->leaving_care));
        cell_date(&w, c->pathway, c->has_pathway);
        cell(&w, "");
        cell_date(&w, c->pa_seen, c->has_pa_seen);
        blank(&w, 3);
    }
    /* List 10: adopted in the twelve months, or placed for adoption and not yet adopted */
    int adopted = la && la->ended && is(la->reason, "adoption") && in12(r, la->end);
    int placed = la && !la->ended && is(la->placement_type, "adoption");
    if (adopted || placed) {
        row w = start(r, c, L10, 1);
        disability(&w, c);
        cell_date(&w, la->start, 1);
        blank(&w, 3);
        cell_date(&w, la->adopted_placement, la->has_adoption_placement);
        cell_date(&w, la->end, adopted);
        blank(&w, 3);
    }
}

static void release_child(child *c)
{
    free(c->contacts.v);
    free(c->referrals.v);
    free(c->assessments.v);
    free(c->strategies.v);
    free(c->enquiries.v);
    free(c->initials.v);
    free(c->placements.v);
    free(c->missing.v);
    free(c->ep);
    free(c->reg);
    free(c->la);
}

static cw_rc one_child(void *ctx, const cw_child_history *h, cw_error *err)
{
    run *r = ctx;
    child c;
    memset(&c, 0, sizeof c);
    c.h = h;
    for (size_t i = 0; !r->rc && i < h->nevents; i++) {
        const cw_case_event *ev = &h->events[i];
        if (ev->date > r->as_of)
            break;
        if (!cw_case_event_awaited(ev))
            read_event(r, &c, ev);
    }
    size_t before = r->counts->records;
    if (!r->rc)
        write_child(r, &c);
    if (r->counts->records > before)
        r->counts->children++;
    release_child(&c);
    if (r->rc == CW_ENOMEM)
        return cw_error_set(err, r->rc, "out of memory");
    return r->rc ? cw_error_set(err, r->rc, "Annex A could not be written") : CW_OK;
}

/* ---- the staff's teams ---- */

static cw_rc staff_row(void *ctx, const cw_value *c, size_t n)
{
    run *r = ctx;
    if (n < 3 || cw_array_grow(&r->staff, &r->capstaff, r->nstaff, sizeof *r->staff))
        return n < 3 ? CW_EVERIFY : CW_ENOMEM;
    staff_team *s = &r->staff[r->nstaff++];
    if (cw_value_copy(&c[0], s->staff, sizeof s->staff) <= 0)
        return CW_EVERIFY;
    cw_value_copy(&c[2], s->team, sizeof s->team); /* no team: "" */
    return CW_OK;
}

static cw_rc team_row(void *ctx, const cw_value *c, size_t n)
{
    run *r = ctx;
    if (n < 2 || cw_array_grow(&r->teams, &r->capteams, r->nteams, sizeof *r->teams))
        return n < 2 ? CW_EVERIFY : CW_ENOMEM;
    team_name *t = &r->teams[r->nteams++];
    if (cw_value_copy(&c[0], t->team, sizeof t->team) <= 0 ||
        cw_value_copy(&c[1], t->name, sizeof t->name) <= 0)
        return CW_EVERIFY;
    return CW_OK;
}

/* ---- the notes ---- */

/* One note for a list's column (column "*": the whole list). */
static cw_rc note(run *r, int list, const char *column, const char *text)
{
    char field[200];
    if (!strcmp(column, "*"))
        snprintf(field, sizeof field, "List %02d", list + 1);
    else
        snprintf(field, sizeof field, "List %02d: %s", list + 1, column);
    return cw_returns_note(r->notes, "", field, "%s", text);
}

/* A note of how many rows of a list gave a default, if any did. */
static cw_rc count(run *r, int list, const char *column, size_t n, const char *what)
{
    char text[300];
    snprintf(text, sizeof text, "%zu rows: %s", n, what);
    return n ? note(r, list, column, text) : CW_OK;
}

static cw_rc notes(run *r)
{
    char d[3][CW_DATE_LEN + 1];
    cw_date_format(r->as_of, d[0]);
    cw_date_format(r->from6, d[1]);
    cw_date_format(r->from12, d[2]);
    cw_rc rc = cw_returns_note(r->notes, "", "Annex A",
                               "as at %s (the inspection date); six months: %s to %s; twelve "
                               "months: %s to %s",
                               d[0], d[1], d[0], d[2], d[0]);
    for (size_t i = 0; !rc && i < sizeof BLANK / sizeof BLANK[0]; i++)
        rc = note(r, BLANK[i].list, BLANK[i].column, BLANK[i].why);
    for (int l = 0; !rc && l < NLISTS; l++) {
        rc = count(r, l, "Ethnicity", r->nobt[l],
                   "no ethnicity code recorded (child_details_recorded ethnicity_code): t) NOBT");
        if (!rc)
            rc = count(r, l, "Allocated Worker", r->no_worker[l],
                       "the case was never allocated: Allocated Team and Worker blank");
        if (!rc)
            rc = count(r, l, "Allocated Team", r->no_team[l],
                       "the allocated worker has no team: blank");
    }
    if (!rc)
        rc = note(r, L1, "Contact Source",
                  "from caseward's own source (a contact records no national code): health is "
                  "given as 3F, local_authority as 5A (the nearest codes)");
    if (!rc)
        rc = count(r, L6, "Primary Need Code", r->no_need,
                   "no primary need recorded at assessment: N0 - Not stated");
    if (!rc)
        rc = count(r, L6, "CIN Start Date", r->no_referral,
                   "no referral before the work that opened the episode: the work's date");
    if (!rc)
        rc = count(r, L6, "Reason for Closure", r->no_reason,
                   "the closure gave no closure_reason: blank");
    if (!rc)
        rc = count(r, L6, "Case Status", r->no_status,
                   "an open episode with no care, plan or open assessment on the date: none of "
                   "the template's statuses fits, blank");
    return rc;
}

cw_rc cw_returns_annexa(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                        cw_returns_output *out, cw_error *err)
{
    (void)cal;
    run r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.notes = &out->notes;
    r.counts = &out->counts;
    r.as_of = cw_date_from_ymd(q->year, 3, 31);
    if (q->as_of && cw_date_parse(q->as_of, strlen(q->as_of), &r.as_of))
        return cw_error_set(err, CW_EUSAGE, "--as-of: %s is not a date (YYYY-MM-DD)", q->as_of);
    r.from6 = months_back(r.as_of, 6);
    r.from12 = months_back(r.as_of, 12);
    cw_rc rc = CW_OK;
    for (int l = 0; !rc && l < NLISTS; l++) {
        r.out[l] = cw_returns_output_file(out, "annex-a-%d-list-%02d-%s.csv", q->year, l + 1,
                                          LISTS[l].file);
        if (!r.out[l])
            return cw_error_set(err, CW_EINVAL, "annex-a: too many files");
        while (LISTS[l].columns[r.ncols[l]])
            r.ncols[l]++;
        rc = cw_buf_addstr(r.out[l], "\xEF\xBB\xBF"); /* the BOM: see the top of the file */
        for (size_t i = 0; !rc && i < r.ncols[l]; i++)
            rc = cw_csv_cell(r.out[l], LISTS[l].columns[i], i + 1 == r.ncols[l], CW_CSV_QUOTE_ALL);
    }
    if (rc)
        return cw_error_set(err, rc, "Annex A is too large");
    rc = cw_store_run(s, CW_Q_STAFF_ALL, NULL, 0, staff_row, &r, NULL, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_TEAMS_ALL, NULL, 0, team_row, &r, NULL, err);
    if (rc == CW_EVERIFY)
        rc = cw_error_set(err, rc, "the staff or teams in the database are damaged");
    else if (rc == CW_ENOMEM)
        rc = cw_error_set(err, rc, "out of memory");
    if (!rc)
        rc = cw_returns_each_child(s, one_child, &r, err);
    if (!rc && (rc = notes(&r)))
        rc = cw_error_set(err, rc, "out of memory");
    free(r.staff);
    free(r.teams);
    return rc;
}
