/*
 * ssda903.c — England's looked-after children return, the SSDA903 (returns.h; docs/returns.md,
 * "SSDA903").
 *
 * Each child's history is read once, in (date, index) order, up to 31 March. Every period of
 * care becomes rows of Episodes: a row starts when the child starts to be looked after (RNE S)
 * and at each change of legal status or placement (L, P, T, B, U), closing the row before with
 * X1 on the same day; changes on one date make one row (the state at the end of the day).
 * Leaving care closes the last row with the reason (REC). The other tables come from the same
 * reading: reviews, UASC, the health outcomes of children looked after for 12 months (OC2),
 * care leavers at their birthdays (OC3), permanence before care (PrevPerm), missing and away
 * periods, and the social workers allocated. Where the log does not hold a field, the notes
 * say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "returns/lac_int.h"
#include "returns/returns.h"
#include "returns/returns_int.h"
#include "util/facts.h"

typedef cw_lac_row row;

typedef struct review {
    cw_date date;
    const char *participation;
} review;

typedef struct missing {
    cw_date start, end;
    int returned;
    const char *kind;
} missing;

typedef struct sw_episode {
    char worker[65];
    cw_date start, end;
    int ended;
    const char *reason;
} sw_episode;

typedef struct health {
    cw_date date;
    const char *kind;
    int64_t score;
    int has_score;
} health;

typedef struct contact {
    cw_date date;
    const char *in_touch, *activity, *accommodation;
    int suitable, has_suitable;
} contact;

typedef struct decision {
    cw_date date, ceased;
    int reversed;
    const char *reason;
} decision;

typedef struct child903 {
    const cw_child_history *h;
    const char *gender, *ethnicity, *upn_unknown;
    uint64_t upn_entry;
    int uasc_ever, has_duc, has_own_child, leaving_care;
    cw_date duc, own_child;
    cw_lac_episodes ep; /* the episodes of care (lac_int.h) */
    review *rv;
    size_t nrv, caprv;
    missing *ms;
    size_t nms, capms;
    sw_episode *sw;
    size_t nsw, capsw;
    health *hc;
    size_t nhc, caphc;
    contact *ct;
    size_t nct, capct;
    decision *ad;
    size_t nad, capad;
    cw_date matched;
    int has_match;
    const char *adopters_sex, *adopters_status;
    int64_t adopters;
} child903;

typedef struct run903 {
    cw_store *s;
    const cw_returns_query *q;
    cw_date from, to;
    cw_buf *header, *episodes, *reviews, *uasc, *oc2, *oc3, *ad1, *placed, *prevperm, *miss, *swe;
    cw_returns_notes *notes;
    cw_returns_counts *counts;
    const char *child; /* the child being read, for the episodes' notes */
} run903;

/* dd/mm/yyyy, the 903's only date form */
static cw_date birthday(cw_date dob, int years)
{
    return cw_date_add_months(dob, 12 * years);
}

static int temporary(const char *place)
{
    return place && place[0] == 'T';
}

/* ---- the national codes caseward's own values stand for ---- */

static const char *sex_code(const char *gender)
{
    if (gender && !strcmp(gender, "female"))
        return "F";
    if (gender && !strcmp(gender, "male"))
        return "M";
    return "U";
}

/* PLACE from the placement's type and details and the legal status (docs/returns.md). */
static const char *place_of(const cw_lac_episodes *c, int same_carers)
{
    const char *t = c->ptype;
    if (!t)
        return NULL;
    if (!strcmp(t, "foster"))
        return c->ffa ? "U5" : c->u18 ? "U4" : "U6";
    if (!strcmp(t, "kinship"))
        return c->ffa ? "U2" : c->u18 ? "U1" : "U3";
    if (!strcmp(t, "with_parents"))
        return "P1";
    if (!strcmp(t, "adoption")) {
        int order = c->ls && !strcmp(c->ls, "E1");
        return order ? (same_carers ? "A5" : "A6") : (same_carers ? "A3" : "A4");
    }
    return c->setting; /* residential, other: the setting, if recorded */
}

/* Places with no Ofsted URN (rules 218, 222). */
static int no_urn(const char *place)
{
    static const char *const none[] = {"P1", "P3", "R1", "R2", "R5", NULL};
    return !place || temporary(place) || one_of(place, none);
}

static int short_breaks(const char *ls)
{
    return ls && (!strcmp(ls, "V3") || !strcmp(ls, "V4"));
}

/* ---- reading a child's history ---- */

#define note(r, c, field, ...) cw_returns_note((r)->notes, (c)->h->child_id, field, __VA_ARGS__)

/* The row's place, provider and URN from the state now (cw_lac_rules.fill). */
static void fill(void *ctx, const cw_lac_episodes *e, row *w, int same_carers)
{
    (void)ctx;
    w->place = place_of(e, same_carers);
    w->provider = w->place && !strcmp(w->place, "P1") ? "PR0"
                  : temporary(w->place)               ? NULL
                                                      : e->provider;
    w->urn = no_urn(w->place) || short_breaks(e->ls) ? NULL : e->urn ? e->urn : "XXXXXXX";
}

/* A placement change with no change_reason (cw_lac_rules.no_reason). */
static cw_rc no_reason(void *ctx, cw_lac_episodes *e, cw_date d)
{
    run903 *r = ctx;
    (void)e;
    if (d < r->from)
        return CW_OK;
    char ds[11];
    dmy(d, ds);
    return cw_returns_note(r->notes, r->child, "REASON_PLACE_CHANGE",
                           "the placement change on %s gave no change_reason: left blank", ds);
}

/* REC: the recorded reason_detail, or the one the coarse reason stands for (noted). */
static cw_rc rec_of(void *ctx, cw_lac_episodes *e, const char *reason, const char *detail,
                    const char *place, const char **out)
{
    run903 *r = ctx;
    if (detail) {
        *out = detail;
        return CW_OK;
    }
    const char *rec = "E8";
    if (reason && !strcmp(reason, "adoption"))
        rec = "E11";
    else if (reason && !strcmp(reason, "returned_home"))
        rec = "E4A";
    else if (reason && !strcmp(reason, "special_guardianship"))
        rec = place && place[0] == 'U' && place[1] <= '3' ? "E45"
              : place && place[0] == 'U'                  ? "E46"
                                                          : "E48";
    *out = rec;
    if (e->rows[e->nrows - 1].dec < r->from)
        return CW_OK; /* not in this year's return */
    return cw_returns_note(r->notes, r->child, "REC", "care ended (%s) with no reason_detail: %s",
                           reason ? reason : "?", rec);
}

static cw_rc read_event(run903 *r, child903 *c, const cw_case_event *ev)
{
    const char *t = ev->type;
    cw_facts f = ev->facts;
    cw_date d = ev->date;
    cw_rc rc = cw_lac_read(&c->ep, ev); /* the episodes' own events */
    if (rc)
        return rc;
    if (!strcmp(t, "child_registered")) {
        c->gender = sval(f, "gender");
    } else if (!strcmp(t, "child_details_recorded")) {
        const char *s;
        if ((s = sval(f, "ethnicity_code")))
            c->ethnicity = s;
        if (present(f, "upn"))
            c->upn_entry = ev->index + 1, c->upn_unknown = NULL;
        if ((s = sval(f, "upn_unknown")))
            c->upn_unknown = s, c->upn_entry = 0;
        if (present(f, "uasc")) {
            if (bval(f, "uasc"))
                c->uasc_ever = 1, c->has_duc = 0;
            else if (c->uasc_ever && !c->has_duc)
                c->has_duc = 1, c->duc = d;
        }
        if (dval(f, "own_child_born", &c->own_child))
            c->has_own_child = 1;
    } else if (!strcmp(t, "looked_after_review_held")) {
        if (cw_array_grow(&c->rv, &c->caprv, c->nrv, sizeof *c->rv))
            return CW_ENOMEM;
        c->rv[c->nrv++] = (review){d, sval(f, "participation")};
    } else if (!strcmp(t, "missing_episode")) {
        if (cw_array_grow(&c->ms, &c->capms, c->nms, sizeof *c->ms))
            return CW_ENOMEM;
        missing *m = &c->ms[c->nms++];
        memset(m, 0, sizeof *m);
        m->start = d;
        m->kind = sval(f, "kind");
        m->returned = dval(f, "returned", &m->end) && m->end <= r->to;
    } else if (!strcmp(t, "health_check_recorded")) {
        if (cw_array_grow(&c->hc, &c->caphc, c->nhc, sizeof *c->hc))
            return CW_ENOMEM;
        cw_fact sc = cw_facts_get(f, "sdq_score");
        c->hc[c->nhc++] = (health){d, sval(f, "kind"), sc.i, sc.kind == CW_FACT_INT};
    } else if (!strcmp(t, "care_leaver_contact")) {
        if (cw_array_grow(&c->ct, &c->capct, c->nct, sizeof *c->ct))
            return CW_ENOMEM;
        cw_fact su = cw_facts_get(f, "accommodation_suitable");
        c->ct[c->nct++] = (contact){d,
                                    sval(f, "in_touch"),
                                    sval(f, "activity"),
                                    sval(f, "accommodation"),
                                    su.kind == CW_FACT_TRUE,
                                    su.kind == CW_FACT_TRUE || su.kind == CW_FACT_FALSE};
    } else if (!strcmp(t, "adoption_decision_made")) {
        if (cw_array_grow(&c->ad, &c->capad, c->nad, sizeof *c->ad))
            return CW_ENOMEM;
        c->ad[c->nad++] = (decision){d, 0, 0, NULL};
    } else if (!strcmp(t, "adoption_decision_reversed")) {
        for (size_t i = c->nad; i-- > 0;)
            if (!c->ad[i].reversed) {
                c->ad[i].reversed = 1;
                c->ad[i].ceased = d;
                c->ad[i].reason = sval(f, "reason");
                break;
            }
    } else if (!strcmp(t, "adopters_matched")) {
        c->has_match = 1;
        c->matched = d;
        c->adopters = cw_facts_get(f, "adopters").i;
        c->adopters_sex = sval(f, "adopter_sex");
        c->adopters_status = sval(f, "adopter_status");
    } else if (!strcmp(t, "leaving_care_status")) {
        c->leaving_care = 1;
    } else if (!strcmp(t, "case_allocated") || !strcmp(t, "case_transferred")) {
        sw_episode *open = c->nsw && !c->sw[c->nsw - 1].ended ? &c->sw[c->nsw - 1] : NULL;
        const char *worker = sval(f, "worker_id");
        if (open && open->start == d) { /* a second allocation that day: the day's last holds */
            snprintf(open->worker, sizeof open->worker, "%s", worker ? worker : "");
            return CW_OK;
        }
        if (open)
            open->ended = 1, open->end = d;
        if (cw_array_grow(&c->sw, &c->capsw, c->nsw, sizeof *c->sw))
            return CW_ENOMEM;
        sw_episode *w = &c->sw[c->nsw++];
        memset(w, 0, sizeof *w);
        snprintf(w->worker, sizeof w->worker, "%s", worker ? worker : "");
        w->start = d;
        w->reason = open ? "OTHERS" : "FCONTA";
    } else if (!strcmp(t, "case_closed")) {
        sw_episode *open = c->nsw && !c->sw[c->nsw - 1].ended ? &c->sw[c->nsw - 1] : NULL;
        if (open && open->start == d)
            c->nsw--; /* allocated and closed the same day: not an episode (rule SW09) */
        else if (open)
            open->ended = 1, open->end = d;
    }
    return rc;
}

/* ---- writing ---- */

/* A personal value (a postcode, the UPN) as it stands: the entry that recorded it, or its latest
 * correction; "" once erased. */
static cw_rc personal(run903 *r, uint64_t entry, const char *field, char *out, size_t n)
{
    int held;
    return cw_returns_personal(r->s, entry - 1, field, out, n, &held);
}

/* Looked after continuously for 12 months at 31 March, as the validator computes it
 * (lac_validator utils: add_col_to_episodes_CONTINUOUSLY_LOOKED_AFTER). */
static int cla12(const run903 *r, const child903 *c)
{
    int any = 0;
    for (size_t i = 0; i < c->ep.nrows; i++) {
        const row *w = &c->ep.rows[i];
        if (!cw_lac_row_in(w, r->from, r->to))
            continue;
        any = 1;
        if (!strcmp(w->rne, "S") && w->decom > r->from)
            return 0;
        if (w->ended && strcmp(w->rec, "X1") && w->dec >= r->from && w->dec < r->to)
            return 0;
        if (short_breaks(w->ls))
            return 0;
    }
    return any;
}

static int in_care_on(const child903 *c, cw_date d)
{
    for (size_t i = 0; i < c->ep.nrows; i++)
        if (c->ep.rows[i].decom <= d && (!c->ep.rows[i].ended || c->ep.rows[i].dec > d))
            return 1;
    return 0;
}

static cw_rc write_header(run903 *r, child903 *c, const char *dob)
{
    const char *id = c->h->child_id, *sex = sex_code(c->gender);
    char upn[20] = "", mc[11] = "";
    cw_rc rc = CW_OK;
    if (c->upn_entry && !(rc = personal(r, c->upn_entry, "upn", upn, sizeof upn)) && !upn[0])
        rc = note(r, c, "UPN", "the recorded UPN is no longer held (erased): left blank");
    if (!rc && !c->upn_entry && c->upn_unknown) {
        static const char *const ok[] = {"UN1", "UN2", "UN3", "UN4", "UN5", NULL};
        if (one_of(c->upn_unknown, ok))
            snprintf(upn, sizeof upn, "%s", c->upn_unknown);
        else
            rc = note(r, c, "UPN",
                      "upn_unknown %s is a CIN census code the 903 does not take: "
                      "left blank",
                      c->upn_unknown);
    }
    if (!rc && !c->upn_entry && !c->upn_unknown)
        rc = note(r, c, "UPN",
                  "neither a UPN nor why it is not known (child_details_recorded upn or "
                  "upn_unknown)");
    if (!rc && !c->ethnicity)
        rc = note(r, c, "ETHNIC", "no ethnicity code recorded: NOBT (not yet obtained)");
    /* MOTHER only for a girl with an episode in the year that is not a short break (rules 393,
     * 399, 628: a care leaver's or a short break's row leaves it blank) */
    int counts = 0;
    for (size_t i = 0; i < c->ep.nrows; i++) {
        const row *w = &c->ep.rows[i];
        counts |= cw_lac_row_in(w, r->from, r->to) && !short_breaks(w->ls);
    }
    const char *mother = NULL;
    if (!strcmp(sex, "F") && counts) {
        int is = c->has_own_child && c->own_child <= r->to;
        mother = is ? "1" : "0";
        if (is)
            dmy(c->own_child, mc);
    }
    if (!rc)
        rc = ROW(r->header, id, sex, dob, c->ethnicity ? c->ethnicity : "NOBT", upn, mother, mc);
    return rc;
}

static cw_rc write_episodes(run903 *r, child903 *c, int uasc)
{
    const char *id = c->h->child_id;
    cw_rc rc = CW_OK;
    int noted_home = 0, noted_post = 0, noted_cin = 0;
    const row *before = NULL;
    char before_post[16] = "";
    for (size_t i = 0; !rc && i < c->ep.nrows; i++) {
        const row *w = &c->ep.rows[i];
        if (!cw_lac_row_in(w, r->from, r->to))
            continue;
        r->counts->records++;
        char decom[11], dec[11] = "", home[16] = "", post[16] = "";
        dmy(w->decom, decom);
        if (w->ended)
            dmy(w->dec, dec);
        int sb = short_breaks(w->ls);
        if (!sb && !uasc && w->home)
            rc = personal(r, w->home, "home_postcode", home, sizeof home);
        if (!rc && !sb && w->post)
            rc = personal(r, w->post, "placement_postcode", post, sizeof post);
        if (!rc && !sb && !uasc && !home[0] && !noted_home++)
            rc = note(r, c, "HOME_POST",
                      "no home postcode held (not recorded when care began, or erased): left "
                      "blank");
        if (!rc && !sb && !post[0] && !noted_post++)
            rc = note(r, c, "PL_POST",
                      "no placement postcode held (not recorded, or erased): left blank");
        if (!rc && !w->ls)
            rc = note(r, c, "LS", "no legal status recorded for the episode from %s: left blank",
                      decom);
        int wardship = w->ls && !strcmp(w->ls, "W1");
        if (!rc && wardship)
            rc = note(r, c, "LS",
                      "wardship (W1, Wales' legal status) on the episode from %s is not an "
                      "SSDA903 code: left blank",
                      decom);
        if (!rc && w->cin && c->ep.cin_assessed && !noted_cin++)
            rc = note(r, c, "CIN",
                      "no category_of_need when care began: %s, the primary need of the last "
                      "assessment",
                      w->cin);
        if (!rc && !w->cin)
            rc =
                note(r, c, "CIN", "no category of need for the episode from %s: left blank", decom);
        if (!rc && !w->place)
            rc = note(r, c, "PLACE",
                      "the placement from %s has no setting (placement type residential or "
                      "other): left blank",
                      decom);
        if (!rc && w->place && !w->provider && !temporary(w->place))
            rc = note(r, c, "PLACE_PROVIDER",
                      "no provider recorded for the placement from %s: "
                      "left blank",
                      decom);
        if (!rc && w->urn && !strcmp(w->urn, "XXXXXXX"))
            rc = note(r, c, "URN",
                      "no Ofsted URN recorded for the placement from %s: XXXXXXX (the "
                      "placeholder)",
                      decom);
        /* a move the validator cannot see: the same placement code, provider, URN and
         * postcode (rules 435, 436; docs/returns.md) */
        if (!rc && before && strcmp(w->rne, "S") && strcmp(w->rne, "L") &&
            same(before->place, w->place) && same(before->provider, w->provider) &&
            same(before->urn, w->urn) && !strcmp(before_post, post))
            rc = note(r, c, "RNE",
                      "the move on %s is to a placement with the same code, provider, URN and "
                      "postcode: the validator may refuse RNE %s (rules 435, 436)",
                      decom, w->rne);
        before = w;
        snprintf(before_post, sizeof before_post, "%s", post);
        if (!rc)
            rc = ROW(r->episodes, id, decom, w->rne, wardship ? NULL : w->ls, w->cin, w->place,
                     w->provider, dec, w->ended ? w->rec : NULL, w->ended ? w->rpc : NULL, home,
                     post, w->urn);
    }
    return rc;
}

static cw_rc write_oc2(run903 *r, child903 *c, const char *dob)
{
    int age = age_at(c->h->date_of_birth, r->to);
    int imm = 0, teeth = 0, ha = 0, dev = 0, sdq = -1;
    for (size_t i = 0; i < c->nhc; i++) {
        const health *x = &c->hc[i];
        if (x->date < r->from || x->date > r->to || !x->kind)
            continue;
        imm |= !strcmp(x->kind, "immunisations");
        teeth |= !strcmp(x->kind, "dental_check");
        ha |= !strcmp(x->kind, "health_assessment");
        dev |= !strcmp(x->kind, "development_check");
        if (!strcmp(x->kind, "sdq") && x->has_score)
            sdq = (int)x->score;
    }
    char score[16] = "";
    const char *reason = NULL;
    cw_rc rc = CW_OK;
    /* asked for ages 4 to 16 at 31 March and for one who turned 17 in the year (rules 186,
     * 197B); SDQ1: over 16 when last assessed */
    int seventeen = birthday(c->h->date_of_birth, 17) >= r->from && age == 17;
    if (((age >= 4 && age <= 16) || seventeen) && sdq >= 0) {
        snprintf(score, sizeof score, "%d", sdq);
    } else if (seventeen) {
        reason = "SDQ1";
    } else if (age >= 4 && age <= 16) {
        reason = "SDQ4";
        rc = note(r, c, "SDQ_REASON",
                  "no SDQ score recorded in the year (health_check_recorded sdq): SDQ4 "
                  "(other)");
    }
    const char *convicted = age >= 10 ? "0" : NULL;
    if (!rc && convicted)
        rc = note(r, c, "CONVICTED",
                  "caseward records no convictions or youth cautions: 0 (check before "
                  "sending)");
    if (!rc)
        rc = note(r, c, "SUBSTANCE_MISUSE",
                  "caseward records no substance misuse: 0 (check before sending)");
    if (!rc)
        rc = ROW(r->oc2, c->h->child_id, dob, score, reason, convicted,
                 age < 5 ? (dev ? "1" : "0") : NULL, imm ? "1" : "0", teeth ? "1" : "0",
                 ha ? "1" : "0", "0", NULL, NULL);
    return rc;
}

/* The care leaver's birthday in the year (17th to 21st), or 0. */
static int oc3_birthday(const run903 *r, const child903 *c, cw_date *bday)
{
    if (!c->leaving_care)
        return 0;
    for (int n = 17; n <= 21; n++) {
        cw_date b = birthday(c->h->date_of_birth, n);
        if (b < r->from || b > r->to)
            continue;
        /* left care before the birthday (1007, 1016): not looked after on it, nor after it */
        if (!c->ep.nrows || in_care_on(c, b))
            return 0;
        const row *last = NULL;
        for (size_t i = 0; i < c->ep.nrows; i++)
            if (c->ep.rows[i].decom <= b)
                last = &c->ep.rows[i];
        if (!last || !last->ended || last->dec >= b)
            return 0;
        for (size_t i = 0; i < c->ep.nrows; i++)
            if (c->ep.rows[i].decom > b)
                return 0; /* looked after again after the birthday */
        if (last->rec && (!strcmp(last->rec, "E2") || !strcmp(last->rec, "E3")))
            return 0; /* died; another authority took over (1000, 1011) */
        *bday = b;
        return 1;
    }
    return 0;
}

static cw_rc write_oc3(run903 *r, child903 *c, const char *dob, cw_date b)
{
    /* the circumstances recorded nearest the birthday: from 3 months before it to 1 month
     * after (and not after 31 March) */
    const contact *best = NULL;
    cw_date lo = cw_date_add_months(b, -3), hi = cw_date_add_months(b, 1);
    for (size_t i = 0; i < c->nct; i++) {
        const contact *x = &c->ct[i];
        if (x->date < lo || x->date > hi || x->date > r->to)
            continue;
        cw_date dx = x->date > b ? x->date - b : b - x->date;
        cw_date db = best ? (best->date > b ? best->date - b : b - best->date) : 0;
        if (!best || dx <= db)
            best = x;
    }
    cw_rc rc = CW_OK;
    if (!best) {
        char bs[11];
        dmy(b, bs);
        rc = note(r, c, "IN_TOUCH",
                  "no care_leaver_contact from 3 months before to 1 month after the birthday "
                  "on %s: NO, 0, 0",
                  bs);
        return rc ? rc : ROW(r->oc3, c->h->child_id, dob, "NO", "0", "0");
    }
    const char *it = best->in_touch;
    int none = !strcmp(it, "DIED") || !strcmp(it, "RHOM") ||
               ((!strcmp(it, "NO") || !strcmp(it, "REFU")) && !best->activity);
    char accom[4] = "0";
    if (!none && best->accommodation) {
        /* no fixed abode and custody are never suitable (rule 133 refuses S1, X1) */
        int suit =
            best->suitable && strcmp(best->accommodation, "S") && strcmp(best->accommodation, "X");
        snprintf(accom, sizeof accom, "%s%s", best->accommodation, suit ? "1" : "2");
        if (!best->has_suitable)
            rc = note(r, c, "ACCOM", "accommodation_suitable not recorded: 2 (not suitable)");
    } else if (!none) {
        rc = note(r, c, "ACCOM", "no accommodation recorded: 0");
    }
    if (!rc && !none && !best->activity)
        rc = note(r, c, "ACTIV", "no activity recorded: 0");
    if (!rc)
        rc = ROW(r->oc3, c->h->child_id, dob, it, none || !best->activity ? "0" : best->activity,
                 none ? "0" : accom);
    return rc;
}

/* SW_ID: a Social Work England number (SW and digits) as it is; any other staff identifier
 * after XX, the 903's prefix for an identifier that is not one. */
static void sw_id(const char *worker, char out[80])
{
    int swe = (worker[0] == 'S' || worker[0] == 's') && (worker[1] == 'W' || worker[1] == 'w') &&
              worker[2] && strspn(worker + 2, "0123456789") == strlen(worker + 2);
    snprintf(out, 80, "%s%s", swe ? "" : "XX", worker);
}

static cw_rc write_child(run903 *r, child903 *c)
{
    const char *id = c->h->child_id;
    char dob[11];
    dmy(c->h->date_of_birth, dob);
    int in = 0, all_sb = 1, a_place = 0;
    const row *adopted = NULL;
    for (size_t i = 0; i < c->ep.nrows; i++)
        if (cw_lac_row_in(&c->ep.rows[i], r->from, r->to)) {
            in = 1;
            all_sb &= short_breaks(c->ep.rows[i].ls);
            const row *w = &c->ep.rows[i];
            if (w->ended && w->rec && (!strcmp(w->rec, "E11") || !strcmp(w->rec, "E12")))
                adopted = w;
            a_place |= w->place && w->place[0] == 'A';
        }
    cw_date bday = 0;
    int oc3 = oc3_birthday(r, c, &bday);
    if (!in && !oc3)
        return CW_OK;
    r->counts->children++;
    int uasc = c->uasc_ever;
    cw_rc rc = write_header(r, c, dob);
    if (!rc && in)
        rc = write_episodes(r, c, uasc);
    for (size_t i = 0; !rc && in && !all_sb && i < c->nrv; i++) {
        const review *v = &c->rv[i];
        if (v->date < r->from || v->date > r->to)
            continue;
        char ds[11];
        dmy(v->date, ds);
        const char *code = age_at(c->h->date_of_birth, v->date) < 4 ? "PN0" : v->participation;
        if (!code)
            rc =
                note(r, c, "REVIEW_CODE", "the review on %s gave no participation: left blank", ds);
        if (!rc)
            rc = ROW(r->reviews, id, dob, ds, code);
    }
    if (!rc && uasc) {
        char duc[11] = "";
        if (c->has_duc && c->duc <= r->to)
            dmy(c->duc, duc);
        rc = ROW(r->uasc, id, sex_code(c->gender), dob, duc);
    }
    if (!rc && in && cla12(r, c))
        rc = write_oc2(r, c, dob);
    if (!rc && oc3)
        rc = write_oc3(r, c, dob, bday);
    /* adopted in the year (AD1): the decision and the match before the adoption */
    const decision *dec = NULL;
    for (size_t i = 0; adopted && i < c->nad; i++)
        if (c->ad[i].date <= adopted->dec)
            dec = &c->ad[i];
    if (!rc && adopted && dec && c->has_match && c->matched <= adopted->dec) {
        char di[11], dm[11], nb[24];
        dmy(dec->date, di);
        dmy(c->matched, dm);
        snprintf(nb, sizeof nb, "%lld", (long long)c->adopters);
        const char *pl = adopted->place;
        int foster = pl && (!strcmp(pl, "A3") || !strcmp(pl, "A5"));
        rc = ROW(r->ad1, id, dob, di, dm, foster ? "1" : "0", nb, c->adopters_sex,
                 c->adopters_status);
    } else if (!rc && adopted) {
        rc = note(r, c, "AD1", "adopted in the year without %s recorded before it: AD1 left out",
                  dec ? "adopters_matched" : "adoption_decision_made");
    }
    /* decisions to place for adoption open at any time in the year (PlacedAdoption) */
    int any = 0;
    for (size_t i = 0; !rc && in && i < c->nad; i++) {
        const decision *x = &c->ad[i];
        if (x->date > r->to || (x->reversed && x->ceased < r->from))
            continue;
        any = 1;
        char dp[11], dc[11] = "";
        dmy(x->date, dp);
        int ceased = x->reversed && x->ceased <= r->to;
        if (ceased)
            dmy(x->ceased, dc);
        rc = ROW(r->placed, id, dob, dp, dc, ceased ? x->reason : NULL);
    }
    if (!rc && a_place && !any)
        rc = note(r, c, "DATE_PLACED",
                  "placed for adoption with no adoption_decision_made recorded: no "
                  "PlacedAdoption row");
    /* one row a child (INT35): the last period of care begun in the year */
    int last = -1;
    for (int i = 0; i < c->ep.nstarts; i++)
        if (c->ep.starts[i] >= r->from && c->ep.starts[i] <= r->to)
            last = i;
    for (int i = last; !rc && i >= 0 && i == last; i--) {
        const char *p = c->ep.starts_perm[i];
        int z = p && !strcmp(p, "Z1");
        if (!p)
            rc = note(r, c, "PREV_PERM",
                      "no previous_permanence recorded when care began: left blank");
        else if (!z)
            rc = note(r, c, "LA_PERM",
                      "permanence %s before care: its authority and date are not recorded "
                      "(999, ZZ/ZZ/ZZZZ)",
                      p);
        if (!rc)
            rc =
                ROW(r->prevperm, id, dob, p, p && !z ? "999" : NULL, p && !z ? "ZZ/ZZ/ZZZZ" : NULL);
    }
    for (size_t i = 0; !rc && in && i < c->nms; i++) {
        const missing *m = &c->ms[i];
        if (m->start > r->to || (m->returned && m->end < r->from))
            continue;
        int during = 0;
        for (size_t k = 0; k < c->ep.nrows; k++)
            during |= c->ep.rows[k].decom <= m->start &&
                      (!c->ep.rows[k].ended || c->ep.rows[k].dec >= m->start);
        if (!during)
            continue; /* missing while not looked after: not the 903's */
        char st[11], en[11] = "";
        dmy(m->start, st);
        if (m->returned)
            dmy(m->end, en);
        const char *k = m->kind ? (!strcmp(m->kind, "away") ? "A" : "M") : NULL;
        if (!k)
            rc = note(r, c, "MISSING",
                      "the missing episode from %s does not say missing or away: left blank", st);
        if (!rc)
            rc = ROW(r->miss, id, dob, k, st, en);
    }
    /* social worker episodes: for a child looked after at 31 March, every one in the year,
     * those before care began included */
    int at_end = c->ep.nrows && !c->ep.rows[c->ep.nrows - 1].ended;
    for (size_t i = 0; !rc && at_end && i < c->nsw; i++) {
        const sw_episode *w = &c->sw[i];
        if (w->start > r->to || (w->ended && w->end < r->from))
            continue;
        char sid[80], st[11], en[11] = "";
        sw_id(w->worker, sid);
        dmy(w->start, st);
        if (w->ended)
            dmy(w->end, en);
        rc = ROW(r->swe, id, dob, sid, st, en, w->reason);
    }
    return rc;
}

static cw_rc one_child(void *ctx, const cw_child_history *h, cw_error *err)
{
    run903 *r = ctx;
    child903 c;
    memset(&c, 0, sizeof c);
    c.h = h;
    static const cw_lac_rules rules = {fill, rec_of, no_reason};
    c.ep.rules = &rules;
    c.ep.ctx = r;
    r->child = h->child_id;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < h->nevents; i++) {
        const cw_case_event *ev = &h->events[i];
        const char *s;
        if (cw_case_event_awaited(ev))
            continue;
        if (ev->date <= r->to) {
            rc = read_event(r, &c, ev);
        } else if (!strcmp(ev->type, "child_details_recorded")) {
            /* who the child is, recorded after the year (the data team recording what the
             * notes asked for): the return's; what changed after it (UASC, a child born) is
             * not */
            if ((s = sval(ev->facts, "ethnicity_code")))
                c.ethnicity = s;
            if (present(ev->facts, "upn"))
                c.upn_entry = ev->index + 1, c.upn_unknown = NULL;
            if ((s = sval(ev->facts, "upn_unknown")))
                c.upn_unknown = s, c.upn_entry = 0;
        }
    }
    if (!rc)
        rc = write_child(r, &c);
    cw_lac_release(&c.ep);
    free(c.rv);
    free(c.ms);
    free(c.sw);
    free(c.hc);
    free(c.ct);
    free(c.ad);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, rc, "out of memory");
    return rc ? cw_error_set(err, rc, "the SSDA903 return could not be written") : CW_OK;
}

cw_rc cw_returns_903(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err)
{
    (void)cal;
    static const struct {
        const char *name, *header;
    } files[] = {
        {"header", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"},
        {"episodes", "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                     "HOME_POST,PL_POST,URN"},
        {"reviews", "CHILD,DOB,REVIEW,REVIEW_CODE"},
        {"uasc", "CHILD,SEX,DOB,DUC"},
        {"oc2", "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
                "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED"},
        {"oc3", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"},
        {"ad1", "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR"},
        {"placed-for-adoption", "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED"},
        {"previous-permanence", "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM"},
        {"missing", "CHILD,DOB,MISSING,MIS_START,MIS_END"},
        {"sw-episodes", "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON"},
        {"dolo", "CHILD,DOB,DOLO_START,DOLO_END"},
    };
    cw_buf *b[12];
    for (size_t i = 0; i < 12; i++) {
        b[i] = cw_returns_output_file(out, "903-%d-%s.csv", q->year, files[i].name);
        if (!b[i])
            return cw_error_set(err, CW_EINVAL, "903: too many files");
        if (cw_buf_addf(b[i], "%s\r\n", files[i].header))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    run903 r = {s,
                q,
                cw_date_from_ymd(q->year - 1, 4, 1),
                cw_date_from_ymd(q->year, 3, 31),
                b[0],
                b[1],
                b[2],
                b[3],
                b[4],
                b[5],
                b[6],
                b[7],
                b[8],
                b[9],
                b[10],
                &out->notes,
                &out->counts,
                NULL};
    return cw_returns_each_child(s, one_child, &r, err);
}
