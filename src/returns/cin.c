/*
 * cin.c — England's Children in Need census (returns.h; docs/returns.md, "CIN census").
 *
 * Each child's history is read once, in (date, index) order, into CIN episodes
 * (CINdetails): an episode opens at a referral (or, with a note, at the first
 * piece of children-in-need work when no referral was recorded) and closes at
 * the case's closure, or at the referral's decision when that is no further
 * action. Inside it: assessments, CIN plans, section 47 enquiries and child
 * protection plans with their reviews, each kept or left out by the census
 * period as the specification's rules say (a module that ended before the
 * period is not reported; work still open must have started in it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "returns/returns.h"
#include "returns/returns_int.h"
#include "util/facts.h"

#define MAX_ITEMS 64 /* of each kind in one episode; more are noted and left out */

typedef struct assessment {
    char id[65];
    cw_date start, done;
    int completed;
    uint64_t awaiting; /* entry + 1 of its completion awaiting a manager's sign-off; 0: none */
    cw_fact factors;
    const char *outcome;
} assessment;

typedef struct enquiry {
    char id[65];
    cw_date start, target, icpc;
    int has_icpc, not_required;
} enquiry;

typedef struct cp_plan {
    cw_date start, end;
    int ended;
    const char *initial, *latest;
    int previous;
    cw_date reviews[MAX_ITEMS];
    int nreviews;
} cp_plan;

typedef struct cin_plan {
    cw_date start, end;
    int ended;
} cin_plan;

typedef struct episode {
    cw_date referral, closed;
    char referral_id[65];
    const char *source, *need, *reason;
    int had_referral, nfa, is_closed, reason_noted;
    cw_date icpc; /* an initial conference with no enquiry in the episode */
    int has_icpc;
    assessment as[MAX_ITEMS];
    enquiry s47[MAX_ITEMS];
    cp_plan cpp[MAX_ITEMS];
    cin_plan plans[MAX_ITEMS];
    int nas, ns47, ncpp, nplans;
} episode;

typedef struct strategy {
    char id[65];
    cw_date date;
} strategy;

typedef struct child_state {
    const cw_child_history *h;
    episode *ep;
    size_t nep, capep;
    strategy st[MAX_ITEMS];
    int nst;
    const char *gender, *ethnicity, *upn_unknown;
    cw_fact disabilities;
    uint64_t upn_entry, former_upn_entry;
    cw_date death;
    int has_death, looked_after, plans_ended; /* CP plans ended before, for previous counts */
    int overflow;
} child_state;

typedef struct cin_run {
    cw_store *s;
    const cw_calendar *cal;
    const cw_returns_query *q;
    cw_date from, to; /* the census period */
    cw_buf *xml;
    cw_returns_notes *notes;
    cw_returns_counts *counts;
    uint64_t last; /* entry + 1 of the latest event in any child's history; 0: none */
} cin_run;

static void copy_id(char out[65], const char *s)
{
    snprintf(out, 65, "%s", s ? s : "");
}

/* ---- the national codes caseward's own values stand for ---- */

static const char *abuse_category(const char *category)
{
    static const char *const map[][2] = {
        {"neglect", "NEG"}, {"physical", "PHY"}, {"sexual", "SAB"}, {"emotional", "EMO"}};
    for (size_t i = 0; category && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], category))
            return map[i][1];
    return NULL;
}

static const char *sex_code(const char *gender)
{
    if (gender && !strcmp(gender, "female"))
        return "F";
    if (gender && !strcmp(gender, "male"))
        return "M";
    return "U";
}

static int in_period(const cin_run *r, cw_date d)
{
    return d >= r->from && d <= r->to;
}

static const char *gender_code(const char *gender)
{
    const char *sex = sex_code(gender);
    if (gender && !strcmp(gender, "other"))
        return "9";
    return sex[0] == 'M' ? "1" : sex[0] == 'F' ? "2" : "0";
}

/* ---- reading one child's history into episodes ---- */

static episode *current(child_state *c)
{
    return c->nep && !c->ep[c->nep - 1].is_closed ? &c->ep[c->nep - 1] : NULL;
}

static cw_rc open_episode(child_state *c, cw_date d, episode **out)
{
    if (cw_array_grow(&c->ep, &c->capep, c->nep, sizeof *c->ep))
        return CW_ENOMEM;
    episode *e = &c->ep[c->nep++];
    memset(e, 0, sizeof *e);
    e->referral = d;
    *out = e;
    return CW_OK;
}

/* The open episode, or a new one opened at d by work with no referral before it. */
static cw_rc episode_for_work(child_state *c, cw_date d, episode **out)
{
    *out = current(c);
    return *out ? CW_OK : open_episode(c, d, out);
}

static int full(child_state *c, int n)
{
    if (n < MAX_ITEMS)
        return 0;
    c->overflow = 1;
    return 1;
}

static void end_cin_plan(episode *e, cw_date d)
{
    if (e && e->nplans && !e->plans[e->nplans - 1].ended) {
        e->plans[e->nplans - 1].ended = 1;
        e->plans[e->nplans - 1].end = d;
    }
}

static cp_plan *open_cpp(episode *e)
{
    return e && e->ncpp && !e->cpp[e->ncpp - 1].ended ? &e->cpp[e->ncpp - 1] : NULL;
}

static assessment *find_assessment(child_state *c, const char *id)
{
    for (size_t k = c->nep; id && k-- > 0;)
        for (int i = 0; i < c->ep[k].nas; i++)
            if (!strcmp(c->ep[k].as[i].id, id))
                return &c->ep[k].as[i];
    return NULL;
}

static enquiry *find_enquiry(child_state *c, const char *id)
{
    for (size_t k = c->nep; id && k-- > 0;)
        for (int i = 0; i < c->ep[k].ns47; i++)
            if (!strcmp(c->ep[k].s47[i].id, id))
                return &c->ep[k].s47[i];
    return NULL;
}

static int has_work(const episode *e)
{
    return e->nas || e->ns47 || e->ncpp || e->nplans || e->has_icpc;
}

static void close_episode(child_state *c, episode *e, cw_date d, const char *reason)
{
    end_cin_plan(e, d);
    cp_plan *p = open_cpp(e);
    if (p) {
        p->ended = 1;
        p->end = d;
        c->plans_ended++;
    }
    e->is_closed = 1;
    e->closed = d;
    e->reason = reason;
}

/* The reason for closure when the closure gave none: from what the episode's work found. RC8
 * and RC9 (closed after assessment) only where the assessment was the episode's only work and
 * is in this census (rules 2990, 8825Q). */
static const char *default_reason(const cin_run *r, const child_state *c, const episode *e)
{
    if (c->has_death && c->death <= e->closed)
        return "RC2";
    if (!e->ncpp && !e->nplans && !e->ns47 && !e->has_icpc && !c->looked_after && e->nas &&
        e->as[e->nas - 1].completed && in_period(r, e->as[e->nas - 1].done)) {
        const char *o = e->as[e->nas - 1].outcome;
        if (o && !strcmp(o, "no_further_action"))
            return "RC8";
        if (o && !strcmp(o, "other_services"))
            return "RC9";
    }
    return "RC7";
}

static cw_rc read_event(cin_run *r, child_state *c, const cw_case_event *ev)
{
    const char *t = ev->type;
    cw_facts f = ev->facts;
    episode *e = current(c);
    cw_rc rc = CW_OK;
    if (!strcmp(t, "child_registered")) {
        c->gender = sval(f, "gender");
    } else if (!strcmp(t, "child_details_recorded")) {
        const char *s;
        if ((s = sval(f, "ethnicity_code")))
            c->ethnicity = s;
        if (cw_facts_get(f, "disabilities").kind == CW_FACT_LIST)
            c->disabilities = cw_facts_get(f, "disabilities");
        if (cw_facts_get(f, "upn").kind != CW_FACT_ABSENT)
            c->upn_entry = ev->index + 1, c->upn_unknown = NULL;
        if ((s = sval(f, "upn_unknown")))
            c->upn_unknown = s, c->upn_entry = 0;
        if (cw_facts_get(f, "former_upn").kind != CW_FACT_ABSENT)
            c->former_upn_entry = ev->index + 1;
        if ((s = sval(f, "date_of_death")) && !cw_date_parse(s, strlen(s), &c->death))
            c->has_death = 1;
    } else if (!strcmp(t, "referral_received")) {
        if (e) {
            char d[CW_DATE_LEN + 1];
            cw_date_format(ev->date, d);
            rc = cw_returns_note(r->notes, c->h->child_id, "CINreferralDate",
                                 "a referral on %s came while an episode was open: reported as "
                                 "part of it",
                                 d);
        } else if (!(rc = open_episode(c, ev->date, &e))) {
            e->had_referral = 1;
            copy_id(e->referral_id, sval(f, "referral_id"));
            e->source = sval(f, "source_code");
            if (!e->source)
                e->source = cw_returns_source_code(sval(f, "source"));
        }
    } else if (!strcmp(t, "referral_decided")) {
        const char *d = sval(f, "decision");
        if (e && d && !strcmp(d, "no_further_action") && e->had_referral &&
            !strcmp(e->referral_id, sval(f, "referral_id") ? sval(f, "referral_id") : "") &&
            !has_work(e)) {
            e->nfa = 1;
            close_episode(c, e, ev->date, "RC7");
        }
    } else if (!strcmp(t, "assessment_started")) {
        if (!(rc = episode_for_work(c, ev->date, &e)) && !full(c, e->nas)) {
            assessment *a = &e->as[e->nas++];
            memset(a, 0, sizeof *a);
            copy_id(a->id, sval(f, "assessment_id"));
            a->start = ev->date;
        }
    } else if (!strcmp(t, "assessment_completed")) {
        assessment *a = find_assessment(c, sval(f, "assessment_id"));
        if (a && !a->completed) {
            a->completed = 1;
            a->done = ev->date;
            a->factors = cw_facts_get(f, "factors");
            a->outcome = sval(f, "outcome");
            const char *need = sval(f, "primary_need");
            if (need && e)
                e->need = need;
        }
    } else if (!strcmp(t, "strategy_discussion_held")) {
        if (!full(c, c->nst)) {
            copy_id(c->st[c->nst].id, sval(f, "strategy_id"));
            c->st[c->nst++].date = ev->date;
        }
    } else if (!strcmp(t, "section_47_started")) {
        if (!(rc = episode_for_work(c, ev->date, &e)) && !full(c, e->ns47)) {
            enquiry *q = &e->s47[e->ns47++];
            memset(q, 0, sizeof *q);
            copy_id(q->id, sval(f, "enquiry_id"));
            q->start = ev->date;
            /* the initial conference is due within 15 working days of the strategy
             * discussion (Working Together 2023), else of the enquiry's start */
            cw_date from = ev->date;
            const char *sid = sval(f, "strategy_id");
            for (int i = 0; sid && i < c->nst; i++)
                if (!strcmp(c->st[i].id, sid))
                    from = c->st[i].date;
            rc = cw_calendar_add_working_days(r->cal, from, 15, &q->target, NULL);
            if (rc) { /* outside the calendar's years */
                q->target = from;
                rc = cw_returns_note(r->notes, c->h->child_id, "InitialCPCtarget",
                                     "enquiry %s: a date outside caseward's calendar of bank "
                                     "holidays: its start date given",
                                     q->id);
            }
        }
    } else if (!strcmp(t, "section_47_completed")) {
        enquiry *q = find_enquiry(c, sval(f, "enquiry_id"));
        const char *o = sval(f, "outcome");
        if (q && o && strcmp(o, "initial_conference") != 0)
            q->not_required = 1;
    } else if (!strcmp(t, "conference_held")) {
        const char *kind = sval(f, "kind"), *decision = sval(f, "decision");
        const char *cat = abuse_category(sval(f, "category"));
        int initial = kind && !strcmp(kind, "initial");
        if (initial && !(rc = episode_for_work(c, ev->date, &e))) {
            enquiry *q = NULL;
            for (int i = e->ns47; i-- > 0 && !q;)
                if (!e->s47[i].has_icpc && !e->s47[i].not_required && e->s47[i].start <= ev->date)
                    q = &e->s47[i];
            if (q)
                q->has_icpc = 1, q->icpc = ev->date;
            else
                e->has_icpc = 1, e->icpc = ev->date;
        }
        if (!rc && e && decision && !strcmp(decision, "register") && !full(c, e->ncpp)) {
            end_cin_plan(e, ev->date);
            cp_plan *p = &e->cpp[e->ncpp++];
            memset(p, 0, sizeof *p);
            p->start = ev->date;
            p->initial = p->latest = cat;
            p->previous = c->plans_ended;
        } else if (!rc && e && open_cpp(e) && !initial) {
            cp_plan *p = open_cpp(e);
            if (cat)
                p->latest = cat;
            if (decision && !strcmp(decision, "deregister")) {
                p->ended = 1;
                p->end = ev->date;
                c->plans_ended++;
            } else if (!full(c, p->nreviews)) {
                p->reviews[p->nreviews++] = ev->date;
            }
        }
    } else if (!strcmp(t, "plan_recorded")) {
        const char *kind = sval(f, "kind");
        if (kind && !strcmp(kind, "care_and_support") && !c->looked_after &&
            !(rc = episode_for_work(c, ev->date, &e)) && !open_cpp(e) &&
            !(e->nplans && !e->plans[e->nplans - 1].ended) && !full(c, e->nplans)) {
            e->plans[e->nplans].start = ev->date;
            e->plans[e->nplans++].ended = 0;
        }
    } else if (!strcmp(t, "looked_after_started")) {
        c->looked_after = 1;
        if (!(rc = episode_for_work(c, ev->date, &e)))
            end_cin_plan(e, ev->date);
    } else if (!strcmp(t, "looked_after_ended")) {
        c->looked_after = 0;
    } else if (!strcmp(t, "case_closed")) {
        if (e) {
            const char *reason = sval(f, "closure_reason");
            int noted = !reason;
            close_episode(c, e, ev->date, reason);
            if (noted) {
                e->reason = default_reason(r, c, e);
                e->reason_noted = 1;
            }
        }
    }
    return rc == CW_ENOMEM ? CW_ENOMEM : CW_OK;
}

/* ---- writing ---- */

static cw_rc el(cw_buf *b, int depth, const char *name, const char *value)
{
    cw_rc rc = CW_OK;
    for (int i = 0; !rc && i < depth; i++)
        rc = cw_buf_addstr(b, "  ");
    if (!rc && !(rc = cw_buf_addf(b, "<%s>", name))) {
        /* values are codes, dates and checked UPNs; anything XML cannot carry is refused */
        for (const char *c = value; !rc && *c; c++) {
            if (*c == '&')
                rc = cw_buf_addstr(b, "&amp;");
            else if (*c == '<')
                rc = cw_buf_addstr(b, "&lt;");
            else if (*c == '>')
                rc = cw_buf_addstr(b, "&gt;");
            else if ((unsigned char)*c < 0x20)
                rc = CW_EINVAL;
            else
                rc = cw_buf_addc(b, *c);
        }
    }
    if (!rc)
        rc = cw_buf_addf(b, "</%s>\n", name);
    return rc;
}

static cw_rc el_date(cw_buf *b, int depth, const char *name, cw_date d)
{
    char s[CW_DATE_LEN + 1];
    cw_date_format(d, s);
    return el(b, depth, name, s);
}

static cw_rc tag(cw_buf *b, int depth, const char *name, int closing)
{
    cw_rc rc = CW_OK;
    for (int i = 0; !rc && i < depth; i++)
        rc = cw_buf_addstr(b, "  ");
    return rc ? rc : cw_buf_addf(b, closing ? "</%s>\n" : "<%s>\n", name);
}

/* Whether a module belongs in this year's census (the rules 8736, 8696, 8740, 8715, 4013,
 * 8930: what ended before the period is out; what is still open must have started in it,
 * for assessments and enquiries). */
static int assessment_in(const cin_run *r, const assessment *a)
{
    return a->completed && a->done <= r->to ? in_period(r, a->done) : in_period(r, a->start);
}

static int enquiry_in(const cin_run *r, const enquiry *q)
{
    if (q->has_icpc && q->icpc <= r->to)
        return in_period(r, q->icpc);
    return in_period(r, q->start);
}

static int span_in(const cin_run *r, cw_date start, int ended, cw_date end)
{
    return start <= r->to && (!ended || end > r->to || end >= r->from);
}

static int episode_in(const cin_run *r, const episode *e)
{
    return e->referral <= r->to && (!e->is_closed || e->closed > r->to || e->closed >= r->from);
}

/* Whether a plan has ended by the reference date, and when (*end): a plan open at, or ended
 * after, the child's death ended on the day they died (rules 4009Q, 8920). */
static int end_at_death(const cin_run *r, const child_state *c, int ended, cw_date *end)
{
    if (c->has_death && c->death <= r->to && (!ended || *end > c->death)) {
        *end = c->death;
        return 1;
    }
    return ended && *end <= r->to;
}

static cw_rc write_upn(cin_run *r, child_state *c, const char *field, uint64_t entry, int depth)
{
    char v[64];
    int held = 0;
    const char *element = !strcmp(field, "upn") ? "UPN" : "FormerUPN";
    cw_rc rc = cw_returns_personal(r->s, entry - 1, field, v, sizeof v, &held);
    if (!rc && held)
        rc = el(r->xml, depth, element, v);
    else if (!rc)
        rc = cw_returns_note(r->notes, c->h->child_id, element,
                             "the recorded %s is no longer held (erased): left out", field);
    return rc;
}

static cw_rc write_child(cin_run *r, child_state *c)
{
    cw_buf *b = r->xml;
    const char *id = c->h->child_id;
    cw_rc rc = tag(b, 2, "Child", 0);
    if (!rc)
        rc = tag(b, 3, "ChildIdentifiers", 0);
    if (!rc)
        rc = el(b, 4, "LAchildID", id);
    if (!rc && c->upn_entry)
        rc = write_upn(r, c, "upn", c->upn_entry, 4);
    if (!rc && c->former_upn_entry)
        rc = write_upn(r, c, "former_upn", c->former_upn_entry, 4);
    if (!rc && !c->upn_entry && c->upn_unknown)
        rc = el(b, 4, "UPNunknown", c->upn_unknown);
    if (!rc && !c->upn_entry && !c->upn_unknown)
        rc = cw_returns_note(r->notes, id, "UPN",
                             "neither a UPN nor why it is not known "
                             "(child_details_recorded upn or upn_unknown)");
    int unborn = c->h->date_of_birth > r->to;
    if (!rc)
        rc = el_date(b, 4, unborn ? "ExpectedPersonBirthDate" : "PersonBirthDate",
                     c->h->date_of_birth);
    /* Sex (M, F, U) from 2024-25; before it GenderCurrent (1 male, 2 female, 0 not known,
     * 9 not specified) */
    if (!rc && r->q->year >= 2025)
        rc = el(b, 4, "Sex", unborn ? "U" : sex_code(c->gender));
    else if (!rc)
        rc = el(b, 4, "GenderCurrent", unborn ? "0" : gender_code(c->gender));
    if (!rc && c->has_death && c->death <= r->to)
        rc = el_date(b, 4, "PersonDeathDate", c->death);
    if (!rc)
        rc = tag(b, 3, "ChildIdentifiers", 1);
    if (!rc)
        rc = tag(b, 3, "ChildCharacteristics", 0);
    if (!rc)
        rc = el(b, 4, "Ethnicity", c->ethnicity ? c->ethnicity : "NOBT");
    if (!rc && !c->ethnicity)
        rc = cw_returns_note(r->notes, id, "Ethnicity",
                             "no ethnicity code recorded: NOBT (information not yet obtained)");
    if (!rc && c->disabilities.kind == CW_FACT_LIST && c->disabilities.i > 0) {
        size_t pos = 0;
        const char *d;
        rc = tag(b, 4, "Disabilities", 0);
        while (!rc && (d = cw_fact_item(&c->disabilities, &pos)))
            rc = el(b, 5, "Disability", d);
        if (!rc)
            rc = tag(b, 4, "Disabilities", 1);
    } else if (!rc) {
        rc =
            cw_returns_note(r->notes, id, "Disability", "no disabilities recorded (not even NONE)");
    }
    if (!rc)
        rc = tag(b, 3, "ChildCharacteristics", 1);
    for (size_t k = 0; !rc && k < c->nep; k++) {
        const episode *e = &c->ep[k];
        if (!episode_in(r, e))
            continue;
        r->counts->records++;
        if (!(rc = tag(b, 3, "CINdetails", 0)))
            rc = el_date(b, 4, "CINreferralDate", e->referral);
        if (!rc)
            rc = el(b, 4, "ReferralSource", e->source ? e->source : "10");
        if (!rc && !e->had_referral)
            rc = cw_returns_note(r->notes, id, "CINreferralDate",
                                 "no referral recorded before the work that began on this "
                                 "episode: its first date is given, source 10 (unknown)");
        /* A referral with no further action is reported as such in the census of the year it
         * came in; one that came in before this year (more than a working day before it began:
         * rule 8569Q) was open at the last census, and closes in this one as an episode. */
        int nfa = e->nfa;
        cw_date edge = r->from;
        if (nfa && !cw_calendar_add_working_days(r->cal, r->from, -1, &edge, NULL) &&
            e->referral < edge) {
            nfa = 0;
            rc = cw_returns_note(r->notes, id, "ReferralNFA",
                                 "a referral from before the year, decided no further action in "
                                 "it: reported as an episode that closed (rule 8569Q)");
        }
        if (!rc && !nfa)
            rc = el(b, 4, "PrimaryNeedCode", e->need ? e->need : "N0");
        if (!rc && !nfa && !e->need)
            rc = cw_returns_note(r->notes, id, "PrimaryNeedCode",
                                 "no primary need recorded at assessment: N0 (not stated)");
        int closed = e->is_closed && e->closed <= r->to;
        if (!rc && closed) {
            rc = el_date(b, 4, "CINclosureDate", e->closed);
            if (!rc)
                rc = el(b, 4, "ReasonForClosure", e->reason);
            if (!rc && e->reason_noted)
                rc = cw_returns_note(r->notes, id, "ReasonForClosure",
                                     "the closure gave no closure_reason: %s, from the "
                                     "episode's work",
                                     e->reason);
            /* work the closure left open (the census refuses it: rules 8867, 8868) */
            for (int i = 0; !rc && i < e->nas; i++) {
                const assessment *a = &e->as[i];
                if (a->completed && a->done <= e->closed)
                    continue;
                if (a->awaiting)
                    rc = cw_returns_note(r->notes, id, "AssessmentAuthorisationDate",
                                         "the case closed while assessment %s was awaiting a "
                                         "manager's sign-off (entry %" PRIu64 ") (rule 8867)",
                                         a->id, a->awaiting - 1);
                else
                    rc = cw_returns_note(r->notes, id, "AssessmentAuthorisationDate",
                                         "the case closed while assessment %s was not completed "
                                         "(rule 8867)",
                                         a->id);
            }
            for (int i = 0; !rc && i < e->ns47; i++)
                if (!e->s47[i].has_icpc && !e->s47[i].not_required)
                    rc = cw_returns_note(r->notes, id, "ICPCnotRequired",
                                         "the case closed while section 47 enquiry %s had "
                                         "neither an initial conference nor an outcome (rule "
                                         "8868)",
                                         e->s47[i].id);
        }
        if (!rc && e->has_icpc && in_period(r, e->icpc))
            rc = el_date(b, 4, "DateOfInitialCPC", e->icpc);
        if (!rc)
            rc = el(b, 4, "ReferralNFA", nfa ? "true" : "false");
        for (int i = 0; !rc && i < e->nas; i++) {
            const assessment *a = &e->as[i];
            if (!assessment_in(r, a))
                continue;
            int done = a->completed && a->done <= r->to;
            rc = tag(b, 4, "Assessments", 0);
            if (!rc)
                rc = el_date(b, 5, "AssessmentActualStartDate", a->start);
            if (!rc && done)
                rc = el_date(b, 5, "AssessmentAuthorisationDate", a->done);
            if (!rc && done && a->factors.kind == CW_FACT_LIST && a->factors.i > 0) {
                size_t pos = 0;
                const char *code;
                rc = tag(b, 5, "FactorsIdentifiedAtAssessment", 0);
                while (!rc && (code = cw_fact_item(&a->factors, &pos)))
                    rc = el(b, 6, "AssessmentFactors", code);
                if (!rc)
                    rc = tag(b, 5, "FactorsIdentifiedAtAssessment", 1);
            } else if (!rc && done) {
                rc = cw_returns_note(r->notes, id, "AssessmentFactors",
                                     "assessment %s: no factors recorded at its completion", a->id);
            }
            if (!rc)
                rc = tag(b, 4, "Assessments", 1);
        }
        for (int i = 0; !rc && i < e->nplans; i++) {
            const cin_plan *p = &e->plans[i];
            cw_date end = p->end;
            int ended = end_at_death(r, c, p->ended, &end);
            if (!span_in(r, p->start, ended, end))
                continue;
            rc = tag(b, 4, "CINPlanDates", 0);
            if (!rc)
                rc = el_date(b, 5, "CINPlanStartDate", p->start);
            if (!rc && ended)
                rc = el_date(b, 5, "CINPlanEndDate", end);
            if (!rc)
                rc = tag(b, 4, "CINPlanDates", 1);
        }
        for (int i = 0; !rc && i < e->ns47; i++) {
            const enquiry *q = &e->s47[i];
            if (!enquiry_in(r, q))
                continue;
            rc = tag(b, 4, "Section47", 0);
            if (!rc)
                rc = el_date(b, 5, "S47ActualStartDate", q->start);
            if (!rc)
                rc = el_date(b, 5, "InitialCPCtarget", q->target);
            if (!rc && q->has_icpc && q->icpc <= r->to)
                rc = el_date(b, 5, "DateOfInitialCPC", q->icpc);
            if (!rc)
                rc = el(b, 5, "ICPCnotRequired", q->not_required ? "true" : "false");
            if (!rc)
                rc = tag(b, 4, "Section47", 1);
        }
        for (int i = 0; !rc && i < e->ncpp; i++) {
            const cp_plan *p = &e->cpp[i];
            cw_date end = p->end;
            int ended = end_at_death(r, c, p->ended, &end);
            if (!span_in(r, p->start, ended, end))
                continue;
            char n[16];
            snprintf(n, sizeof n, "%d", p->previous);
            rc = tag(b, 4, "ChildProtectionPlans", 0);
            if (!rc)
                rc = el_date(b, 5, "CPPstartDate", p->start);
            if (!rc && ended)
                rc = el_date(b, 5, "CPPendDate", end);
            if (!rc)
                rc = el(b, 5, "InitialCategoryOfAbuse", p->initial ? p->initial : "");
            if (!rc)
                rc = el(b, 5, "LatestCategoryOfAbuse", p->latest ? p->latest : "");
            if (!rc)
                rc = el(b, 5, "NumberOfPreviousCPP", n);
            int any = 0;
            for (int j = 0; j < p->nreviews; j++)
                any |= in_period(r, p->reviews[j]);
            if (!rc && any) {
                rc = tag(b, 5, "Reviews", 0);
                for (int j = 0; !rc && j < p->nreviews; j++)
                    if (in_period(r, p->reviews[j]))
                        rc = el_date(b, 6, "CPPreviewDate", p->reviews[j]);
                if (!rc)
                    rc = tag(b, 5, "Reviews", 1);
            }
            if (!rc)
                rc = tag(b, 4, "ChildProtectionPlans", 1);
        }
        if (!rc)
            rc = tag(b, 3, "CINdetails", 1);
    }
    if (!rc && c->overflow)
        rc = cw_returns_note(r->notes, id, "CINdetails",
                             "more than %d of one kind of work in an episode: the rest left out",
                             MAX_ITEMS);
    if (!rc)
        rc = tag(b, 2, "Child", 1);
    return rc;
}

static cw_rc one_child(void *ctx, const cw_child_history *h, cw_error *err)
{
    cin_run *r = ctx;
    child_state c;
    memset(&c, 0, sizeof c);
    c.h = h;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < h->nevents; i++) {
        const cw_case_event *ev = &h->events[i];
        if (ev->index + 1 > r->last)
            r->last = ev->index + 1;
        /* Work awaiting sign-off has not happened yet. After the year: only what is known of
         * the child, recorded since (the data team records what the notes ask for, then makes
         * the return again); a death only if in the year. */
        if (cw_case_event_awaited(ev)) { /* wherever the projection dates it: not done yet */
            if (strcmp(ev->type, "assessment_completed") != 0)
                continue;
            assessment *a = find_assessment(&c, sval(ev->facts, "assessment_id"));
            if (a && !a->completed)
                a->awaiting = ev->index + 1;
        } else if (ev->date <= r->to || !strcmp(ev->type, "child_details_recorded")) {
            rc = read_event(r, &c, ev);
        }
    }
    int in = 0;
    for (size_t k = 0; k < c.nep; k++)
        in |= episode_in(r, &c.ep[k]);
    if (!rc && in) {
        r->counts->children++;
        rc = write_child(r, &c);
    }
    free(c.ep);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, rc, "out of memory");
    if (rc == CW_EINVAL)
        return cw_error_set(err, rc, "child %s: a value the census's XML cannot carry",
                            h->child_id);
    return rc ? cw_error_set(err, rc, "the CIN census could not be written") : CW_OK;
}

cw_rc cw_returns_cin(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err)
{
    cw_buf *xml = cw_returns_output_file(out, "cin-%d.xml", q->year);
    if (!xml)
        return cw_error_set(err, CW_EINVAL, "cin: too many files");
    cin_run r = {s,
                 cal,
                 q,
                 cw_date_from_ymd(q->year - 1, 4, 1),
                 cw_date_from_ymd(q->year, 3, 31),
                 xml,
                 &out->notes,
                 &out->counts,
                 0};
    char ref[CW_DATE_LEN + 1];
    cw_date_format(r.to, ref);
    cw_rc rc = cw_buf_addf(xml,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<Message>\n"
                           "  <Header>\n"
                           "    <CollectionDetails>\n"
                           "      <Collection>CIN</Collection>\n"
                           "      <Year>%d</Year>\n"
                           "      <ReferenceDate>%s</ReferenceDate>\n"
                           "    </CollectionDetails>\n"
                           "    <Source>\n"
                           "      <SourceLevel>L</SourceLevel>\n"
                           "      <LEA>%s</LEA>\n"
                           "      <SoftwareCode>%s</SoftwareCode>\n"
                           "      <Release>%s</Release>\n"
                           "      <SerialNo>1</SerialNo>\n"
                           "      <DateTime>%s</DateTime>\n"
                           "    </Source>\n"
                           "  </Header>\n"
                           "  <Children>\n",
                           q->year, ref, q->la, q->software, q->release, q->now);
    if (rc)
        return cw_error_set(err, rc, "the CIN census is too large");
    /* DateTime: when the casework the census reads was last recorded (the recorded time of
     * the latest entry in any child's history), so the same casework gives the same bytes,
     * whatever was recorded since that is not casework (record-access entries, sign-ins);
     * q->now for a log with none. */
    char *at = strstr(xml->data, "<DateTime>");
    size_t at_off = at ? (size_t)(at - xml->data) + 10 : 0;
    if ((rc = cw_returns_each_child(s, one_child, &r, err)))
        return rc;
    json_t *root = NULL;
    const char *when = NULL;
    if (r.last && at_off && !(rc = cw_casework_entry(s, r.last - 1, &root, err)))
        when = json_string_value(json_object_get(root, "recorded_at"));
    if (when && strlen(when) >= 19 && strlen(q->now) == 19)
        memcpy(xml->data + at_off, when, 19);
    json_decref(root);
    if (rc)
        return rc;
    if ((rc = cw_buf_addstr(xml, "  </Children>\n</Message>\n")))
        return cw_error_set(err, rc, "the CIN census is too large");
    return CW_OK;
}
