/*
 * wales.c — Wales' looked after children census (returns.h; docs/returns.md, "Wales: the
 * looked-after children census").
 *
 * The Welsh Government's census is child-level and covers every child looked after at any time
 * in the year 1 April to 31 March, with subsets for the children adopted and for care leavers
 * aged 16 and over. Its 2025-26 guidance was not reachable: the forms, columns and code lists
 * here follow the 2018-19 guidance, the StatsWales tables and the SAIL Databank's lookups, and
 * are provisional (docs/returns.md lists which).
 *
 * The episodes are the SSDA903's (lac_int.h): a row at each start of care and each change of
 * legal status or Welsh placement code, closed by X1 on the day of the change. The codes are
 * Wales': legal status without V3/V4 (short breaks are V1), reason started S/L/P/B, the Welsh
 * placement list (foster care and secure and children's homes by where the carer or home is),
 * the Welsh reasons finished (E10: 18 and staying with former foster carers, When I Am Ready).
 *
 * Where the placement is: inside or outside the council's area and in Wales or not. caseward
 * has no postcode-to-authority lookup; the placement postcode's outward code tells Wales from
 * the rest of the UK except in the districts that straddle the border (wales_postcodes.inc,
 * from the ONS Postcode Directory). What it cannot tell is coded as inside the council's area,
 * with a note for the child.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "returns/lac_int.h"
#include "returns/returns.h"
#include "returns/returns_int.h"
#include "util/facts.h"

typedef cw_lac_row row;

/* where a placement is, as far as its postcode tells (the row's mark) */
enum {
    AT_NO_POSTCODE = 1, /* none recorded, or erased: inside the area assumed */
    AT_BORDER = 2,      /* a border district or an outward code not recognised: inside assumed */
    AT_WALES = 4,       /* in Wales, the council's area or not unknown: inside assumed */
    BY_PROVIDER = 8,    /* foster care with no provider (or another public body): the LA's */
    TEMPORARY = 16,     /* England's temporary placement (T0-T4): Z1 */
};

typedef struct runw {
    cw_store *s;
    const cw_returns_query *q;
    cw_date from, to;
    cw_buf *children, *episodes, *adoptions, *leavers;
    cw_returns_notes *notes;
    cw_returns_counts *counts;
    const char *child;
    uint64_t cached;  /* the entry whose placement postcode was last looked at, + 1 */
    int cached_wales; /* 1 in Wales, 0 outside, -1 not known */
} runw;

typedef struct contact {
    cw_date date;
    const char *in_touch, *activity, *accommodation;
} contact;

typedef struct childw {
    const cw_child_history *h;
    const char *gender, *ethnicity;
    int uasc_ever, has_duc;
    cw_date duc;
    cw_lac_episodes ep;
    cw_date decision, matched;
    int has_decision, has_match;
    int64_t adopters;
    const char *adopters_sex, *adopters_status;
    const char *status; /* leaving_care_status, the last on or before 31 March */
    int accommodated;
    cw_date status_date;
    contact last; /* the last care_leaver_contact in the year */
    int has_contact;
} childw;

#define note(r, field, ...) cw_returns_note((r)->notes, (r)->child, field, __VA_ARGS__)

/* ---- where a placement is ---- */

#include "returns/wales_postcodes.inc"

static int listed(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

#define LISTED(s, t) listed(s, t, sizeof t / sizeof t[0])

/*
 * Whether a postcode is in Wales, from its outward code (wales_postcodes.inc, made from the ONS
 * Postcode Directory): 1 in Wales, 0 outside, -1 not known (a district that straddles the
 * border, or an outward code or area the directory does not have).
 */
static int in_wales(const char *postcode)
{
    char pc[16], area[3];
    size_t n = 0, a = 0;
    for (const char *p = postcode; *p && n < sizeof pc - 1; p++)
        if (*p != ' ')
            pc[n++] = (char)toupper((unsigned char)*p);
    pc[n] = '\0';
    if (n < 5 || n > 7)
        return -1;
    pc[n - 3] = '\0'; /* the outward code: all but the inward code's three characters */
    while (a < 2 && isalpha((unsigned char)pc[a]))
        area[a] = pc[a], a++;
    area[a] = '\0';
    if (LISTED(pc, WELSH))
        return 1;
    if (LISTED(pc, BORDER))
        return -1;
    if (LISTED(pc, OTHER))
        return 0;
    if (LISTED(area, MIXED)) /* an area with Welsh districts, but no district the list has */
        return -1;
    return a && LISTED(area, AREAS) ? 0 : -1;
}

/* The placement postcode the entry recorded ("" once erased). */
static cw_rc postcode(cw_store *s, uint64_t entry, const char *field, char *out, size_t n)
{
    int held; /* as it stands: its latest correction's, "" once erased */
    return cw_returns_personal(s, entry - 1, field, out, n, &held);
}

/* Where the placement is: 2 outside Wales (so outside the council's area), 0 inside the area or
 * assumed so (*mark says why). 1, outside the area but in Wales, would need a postcode-to-
 * authority lookup caseward does not have, so it is never given. */
static int where(runw *r, uint64_t post, int *mark)
{
    if (!post) {
        *mark |= AT_NO_POSTCODE;
        return 0;
    }
    if (r->cached != post) {
        char pc[16];
        r->cached = post;
        r->cached_wales =
            postcode(r->s, post, "placement_postcode", pc, sizeof pc) || !pc[0] ? -2 : in_wales(pc);
    }
    if (r->cached_wales == -2) {
        *mark |= AT_NO_POSTCODE;
        return 0;
    }
    if (r->cached_wales == 0)
        return 2;
    *mark |= r->cached_wales == 1 ? AT_WALES : AT_BORDER;
    return 0;
}

/* ---- the Welsh codes ---- */

/* PLACE: the Welsh placement type (docs/returns.md). */
static void fill(void *ctx, const cw_lac_episodes *e, row *w, int same_carers)
{
    runw *r = ctx;
    const char *t = e->ptype;
    w->provider = w->urn = NULL; /* Wales asks neither: a new provider alone is no new row */
    w->place = NULL;
    if (!t)
        return;
    if ((!strcmp(t, "foster") || !strcmp(t, "kinship")) && e->ffa) {
        w->place = "A8"; /* placed with prospective adopters (s.81(11) of the 2014 Act) */
    } else if (!strcmp(t, "foster") || !strcmp(t, "kinship")) {
        int out = where(r, e->post, &w->mark) > 0;
        if (!strcmp(t, "kinship")) {
            w->place = out ? "F4" : "F1";
        } else {
            static const char *const agency[] = {"PR4", "PR5", NULL};
            static const char *const la[] = {"PR1", "PR2", NULL};
            int ag = one_of(e->provider, agency);
            if (!ag && !one_of(e->provider, la))
                w->mark |= BY_PROVIDER;
            w->place = ag ? (out ? "F6" : "F3") : (out ? "F5" : "F2");
        }
    } else if (!strcmp(t, "with_parents")) {
        w->place = "P1";
    } else if (!strcmp(t, "adoption")) {
        int order = e->ls && !strcmp(e->ls, "E1");
        w->place = order ? (same_carers ? "A5" : "A6") : (same_carers ? "A3" : "A4");
    } else if (e->setting) {
        const char *s = e->setting;
        if (!strcmp(s, "K1")) {
            int at = where(r, e->post, &w->mark);
            w->place = at == 2 ? "H22" : at == 1 ? "H21" : "H1";
        } else if (!strcmp(s, "K2")) {
            w->place = where(r, e->post, &w->mark) ? "H4" : "H3";
        } else if (!strcmp(s, "K3")) {
            w->place = "H5";
        } else if (s[0] == 'T') {
            w->place = "Z1";
            w->mark |= TEMPORARY;
        } else {
            w->place = s; /* R1, R2, R3, R5, S1, P3: the same codes */
        }
    }
}

/* REC: the Welsh reason the period of care finished, from reason_detail (or the coarse
 * reason, noted). E17 (18 and staying with the carers) is E10 when the carers were foster
 * carers (When I Am Ready), else E8. */
static cw_rc rec_of(void *ctx, cw_lac_episodes *e, const char *reason, const char *detail,
                    const char *place, const char **out)
{
    runw *r = ctx;
    int foster = place && place[0] == 'F';
    static const struct {
        const char *from, *to;
    } map[] = {{"E4A", "E4"},  {"E4B", "E4"},  {"E45", "E43"}, {"E46", "E43"},
               {"E47", "E44"}, {"E48", "E44"}, {"E13", "E8"},  {"E14", "E8"},
               {"E15", "E8"},  {"E16", "E8"},  {"E41", "E8"}};
    if (detail) {
        *out = detail;
        if (!strcmp(detail, "E17"))
            *out = foster ? "E10" : "E8";
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(detail, map[i].from))
                *out = map[i].to;
        return CW_OK;
    }
    const char *rec = "E8";
    if (reason && !strcmp(reason, "adoption"))
        rec = "E11";
    else if (reason && !strcmp(reason, "returned_home"))
        rec = "E4";
    else if (reason && !strcmp(reason, "special_guardianship"))
        rec = foster ? "E43" : "E44";
    *out = rec;
    if (e->rows[e->nrows - 1].dec < r->from)
        return CW_OK;
    return note(r, "REC", "care ended (%s) with no reason_detail: %s", reason ? reason : "?", rec);
}

/* LS: England's short breaks (V3, V4) are Wales' V1. */
static const char *ls_of(const char *ls)
{
    return ls && (!strcmp(ls, "V3") || !strcmp(ls, "V4")) ? "V1" : ls;
}

/* RNE: Wales has no T or U (a change of the carers' status only is a P; with the legal
 * status, a B). */
static const char *rne_of(const char *rne)
{
    return !strcmp(rne, "T") ? "P" : !strcmp(rne, "U") ? "B" : rne;
}

/* ---- reading ---- */

static cw_rc read_event(runw *r, childw *c, const cw_case_event *ev)
{
    const char *t = ev->type;
    cw_facts f = ev->facts;
    cw_rc rc = cw_lac_read(&c->ep, ev);
    if (rc)
        return rc;
    if (!strcmp(t, "child_registered")) {
        c->gender = sval(f, "gender");
    } else if (!strcmp(t, "child_details_recorded")) {
        const char *s;
        if ((s = sval(f, "ethnicity_code")))
            c->ethnicity = s;
        cw_fact u = cw_facts_get(f, "uasc");
        if (u.kind == CW_FACT_TRUE)
            c->uasc_ever = 1, c->has_duc = 0;
        else if (u.kind == CW_FACT_FALSE && c->uasc_ever && !c->has_duc)
            c->has_duc = 1, c->duc = ev->date;
    } else if (!strcmp(t, "adoption_decision_made")) {
        c->has_decision = 1;
        c->decision = ev->date;
    } else if (!strcmp(t, "adoption_decision_reversed")) {
        c->has_decision = 0;
    } else if (!strcmp(t, "adopters_matched")) {
        c->has_match = 1;
        c->matched = ev->date;
        c->adopters = cw_facts_get(f, "adopters").i;
        c->adopters_sex = sval(f, "adopter_sex");
        c->adopters_status = sval(f, "adopter_status");
    } else if (!strcmp(t, "leaving_care_status")) {
        c->status = sval(f, "status");
        c->status_date = ev->date;
        c->accommodated = cw_facts_get(f, "accommodated_by_authority").kind == CW_FACT_TRUE;
    } else if (!strcmp(t, "care_leaver_contact") && ev->date >= r->from) {
        c->has_contact = 1;
        c->last =
            (contact){ev->date, sval(f, "in_touch"), sval(f, "activity"), sval(f, "accommodation")};
    }
    return CW_OK;
}

/* ---- writing ---- */

static cw_rc write_episodes(runw *r, childw *c)
{
    const char *la = r->q->la, *id = c->h->child_id;
    cw_rc rc = CW_OK;
    int noted = 0, noted_home = 0, noted_post = 0, noted_cin = 0;
    for (size_t i = 0; !rc && i < c->ep.nrows; i++) {
        const row *w = &c->ep.rows[i];
        if (!cw_lac_row_in(w, r->from, r->to))
            continue;
        r->counts->records++;
        char decom[11], dec[11] = "", home[16] = "", post[16] = "";
        dmy(w->decom, decom);
        if (w->ended)
            dmy(w->dec, dec);
        if (w->home)
            rc = postcode(r->s, w->home, "home_postcode", home, sizeof home);
        if (!rc && w->post)
            rc = postcode(r->s, w->post, "placement_postcode", post, sizeof post);
        if (!rc && !home[0] && !c->uasc_ever && !noted_home++)
            rc = note(r, "HOME_POST",
                      "no home postcode held (not recorded when care began, or erased): left "
                      "blank");
        if (!rc && !post[0] && !noted_post++)
            rc = note(r, "PL_POST",
                      "no placement postcode held (not recorded, or erased): left blank");
        if (!rc && !w->ls)
            rc = note(r, "LS", "no legal status recorded for the episode from %s: left blank",
                      decom);
        if (!rc && w->ls && (!strcmp(w->ls, "V3") || !strcmp(w->ls, "V4")))
            rc = note(r, "LS", "England's short-break status %s on the episode from %s: V1", w->ls,
                      decom);
        if (!rc && w->cin && c->ep.cin_assessed && !noted_cin++)
            rc = note(r, "CIN",
                      "no category_of_need when care began: %s, the primary need of the last "
                      "assessment",
                      w->cin);
        if (!rc && !w->cin)
            rc = note(r, "CIN", "no category of need for the episode from %s: left blank", decom);
        if (!rc && !w->place)
            rc = note(r, "PLACE",
                      "the placement from %s has no setting (placement type residential or "
                      "other): left blank",
                      decom);
        if (!rc && (w->mark & TEMPORARY))
            rc = note(r, "PLACE", "England's temporary placement code on the placement from %s: Z1",
                      decom);
        if (!rc && (w->mark & (AT_NO_POSTCODE | AT_BORDER | AT_WALES)) && !(noted & 1)) {
            noted |= 1;
            rc = note(r, "PLACE",
                      "the placement from %s: %s, and caseward has no postcode-to-authority "
                      "lookup: coded as inside the authority (%s)",
                      decom,
                      w->mark & AT_NO_POSTCODE ? "no placement postcode held"
                      : w->mark & AT_BORDER
                          ? "its postcode is in a border district (or not recognised)"
                          : "its postcode is in Wales",
                      w->place);
        }
        if (!rc && (w->mark & BY_PROVIDER) && !(noted & 2)) {
            noted |= 2;
            rc = note(r, "PLACE",
                      "the foster placement from %s names no authority or agency provider: "
                      "coded as provided by the authority (%s)",
                      decom, w->place);
        }
        if (!rc)
            rc = ROW(r->episodes, la, id, decom, rne_of(w->rne), ls_of(w->ls), w->cin, w->place,
                     dec, w->ended ? w->rec : NULL, home, post);
    }
    return rc;
}

/* The care leaver's category under s.104(2) of the 2014 Act (docs/events.md, "Care
 * leavers"); NULL for a qualifying young person (category 5 or 6: caseward does not tell). */
static const char *category(const char *status)
{
    static const char *const map[][2] = {{"eligible", "1"},
                                         {"relevant", "2"},
                                         {"former_relevant", "3"},
                                         {"former_relevant_education", "4"}};
    for (size_t i = 0; status && i < 4; i++)
        if (!strcmp(status, map[i][0]))
            return map[i][1];
    return NULL;
}

static cw_rc write_child(runw *r, childw *c)
{
    const char *la = r->q->la, *id = c->h->child_id;
    char dob[11];
    dmy(c->h->date_of_birth, dob);
    int in = 0;
    const row *adopted = NULL, *placed = NULL;
    for (size_t i = 0; i < c->ep.nrows; i++) {
        const row *w = &c->ep.rows[i];
        if (!cw_lac_row_in(w, r->from, r->to))
            continue;
        in = 1;
        if (w->ended && w->rec && (!strcmp(w->rec, "E11") || !strcmp(w->rec, "E12")) &&
            w->dec >= r->from)
            adopted = w;
    }
    int age = age_at(c->h->date_of_birth, r->to);
    int leaver = c->status && age >= 16 && age < 26;
    if (!in && !leaver)
        return CW_OK;
    r->counts->children++;
    const char *sex = c->gender && !strcmp(c->gender, "male")     ? "1"
                      : c->gender && !strcmp(c->gender, "female") ? "2"
                                                                  : NULL;
    cw_rc rc = CW_OK;
    if (!sex)
        rc = note(r, "SEX", "gender neither male nor female: left blank");
    if (!rc && !c->ethnicity)
        rc = note(r, "ETHNICITY", "no ethnicity code recorded: left blank");
    char duc[11] = "";
    if (c->uasc_ever && c->has_duc && c->duc <= r->to)
        dmy(c->duc, duc);
    if (!rc)
        rc = ROW(r->children, la, id, sex, dob, c->ethnicity, c->uasc_ever ? "1" : "0", duc);
    if (!rc && in)
        rc = write_episodes(r, c);
    /* placed for adoption: the first of the placements for adoption the adoption ended, one
     * row after another (X1) */
    for (const row *w = adopted; w && w->place && w->place[0] == 'A'; w--) {
        placed = w;
        if (w == c->ep.rows || w[-1].dec != w->decom || !w[-1].rec || strcmp(w[-1].rec, "X1"))
            break;
    }
    if (!rc && adopted) {
        char dd[11] = "", dm[11] = "", dp[11] = "", da[11], nb[24] = "";
        if (c->has_decision && c->decision <= adopted->dec)
            dmy(c->decision, dd);
        if (c->has_match && c->matched <= adopted->dec) {
            dmy(c->matched, dm);
            snprintf(nb, sizeof nb, "%lld", (long long)c->adopters);
        }
        if (placed)
            dmy(placed->decom, dp);
        dmy(adopted->dec, da);
        const char *pl = adopted->place;
        int foster = pl && (!strcmp(pl, "A3") || !strcmp(pl, "A5"));
        if (!dd[0])
            rc = note(r, "DATE_DECISION", "no adoption_decision_made before the adoption: blank");
        if (!rc && !dm[0])
            rc = note(r, "DATE_MATCH", "no adopters_matched before the adoption: blank");
        if (!rc && !dp[0])
            rc = note(r, "DATE_PLACED", "adopted from a placement not for adoption: blank");
        if (!rc)
            rc = note(r, "ETHNICITY_ADOPTERS",
                      "caseward does not record the adopters' ethnicity: left blank");
        if (!rc)
            rc = ROW(r->adoptions, la, id, dob, dd, dm, dp, da, foster ? "1" : "0", nb,
                     dm[0] ? c->adopters_sex : NULL, dm[0] ? c->adopters_status : NULL, NULL);
    }
    if (!rc && leaver) {
        const char *cat = category(c->status);
        char sd[11];
        dmy(c->status_date, sd);
        if (!cat)
            rc = note(r, "CATEGORY",
                      "a qualifying young person: category 5 or 6, which caseward does not tell "
                      "apart: left blank");
        if (!rc && !c->has_contact)
            rc = note(r, "IN_TOUCH", "no care_leaver_contact in the year: left blank");
        const contact *x = c->has_contact ? &c->last : NULL;
        char cd[11] = "";
        if (x)
            dmy(x->date, cd);
        if (!rc)
            rc = ROW(r->leavers, la, id, dob, cat, sd, c->accommodated ? "1" : "0", cd,
                     x ? x->in_touch : NULL, x ? x->activity : NULL, x ? x->accommodation : NULL);
    }
    return rc;
}

static cw_rc one_child(void *ctx, const cw_child_history *h, cw_error *err)
{
    runw *r = ctx;
    childw c;
    memset(&c, 0, sizeof c);
    c.h = h;
    static const cw_lac_rules rules = {fill, rec_of, NULL};
    c.ep.rules = &rules;
    c.ep.ctx = r;
    r->child = h->child_id;
    cw_rc rc = CW_OK;
    for (size_t i = 0; !rc && i < h->nevents; i++) {
        const cw_case_event *ev = &h->events[i];
        const char *s;
        if (cw_case_event_awaited(ev))
            continue;
        if (ev->date <= r->to)
            rc = read_event(r, &c, ev);
        else if (!strcmp(ev->type, "child_details_recorded") &&
                 (s = sval(ev->facts, "ethnicity_code")))
            c.ethnicity = s; /* recorded after the year, as the notes asked: the census's */
    }
    if (!rc)
        rc = write_child(r, &c);
    cw_lac_release(&c.ep);
    if (rc == CW_ENOMEM)
        return cw_error_set(err, rc, "out of memory");
    return rc ? cw_error_set(err, rc, "the looked after children census could not be written")
              : CW_OK;
}

cw_rc cw_returns_wales_lac(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                           cw_returns_output *out, cw_error *err)
{
    (void)cal;
    static const struct {
        const char *name, *header;
    } files[] = {
        {"children", "LA,CHILD,SEX,DOB,ETHNICITY,UASC,DATE_UASC_CEASED"},
        {"episodes", "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,HOME_POST,PL_POST"},
        {"adoptions", "LA,CHILD,DOB,DATE_DECISION,DATE_MATCH,DATE_PLACED,DATE_ADOPTED,"
                      "FOSTER_CARERS,NB_ADOPTERS,SEX_ADOPTERS,LS_ADOPTERS,ETHNICITY_ADOPTERS"},
        {"care-leavers", "LA,CHILD,DOB,CATEGORY,CATEGORY_DATE,ACCOMMODATED_BY_LA,CONTACT_DATE,"
                         "IN_TOUCH,ACTIVITY,ACCOMMODATION"},
    };
    cw_buf *b[4];
    for (size_t i = 0; i < 4; i++) {
        b[i] = cw_returns_output_file(out, "wales-lac-%d-%s.csv", q->year, files[i].name);
        if (!b[i])
            return cw_error_set(err, CW_EINVAL, "wales-lac: too many files");
        if (cw_buf_addf(b[i], "%s\r\n", files[i].header))
            return cw_error_set(err, CW_ENOMEM, "out of memory");
    }
    runw r = {s,
              q,
              cw_date_from_ymd(q->year - 1, 4, 1),
              cw_date_from_ymd(q->year, 3, 31),
              b[0],
              b[1],
              b[2],
              b[3],
              &out->notes,
              &out->counts,
              NULL,
              0,
              0};
    /* what the files are, first among the notes: no child of its own */
    if (cw_returns_note(
            &out->notes, "", "wales-lac",
            "provisional: caseward's arrangement of the items in the 2018-19 census "
            "guidance and the SAIL code lists (the 2025-26 guidance was not reachable); "
            "check the columns and codes against the Welsh Government's Afon "
            "templates before sending"))
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    return cw_returns_each_child(s, one_child, &r, err);
}
