/*
 * lac.c — the episodes of care both looked-after returns build (lac_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "returns/lac_int.h"
#include "returns/returns_int.h"
#include "util/facts.h"

/* England's temporary placements (T0-T4): a move to or from one gives no reason for the
 * change. Wales has no T codes. */
static int temporary(const char *place)
{
    return place && place[0] == 'T';
}

static cw_lac_row *last_row(cw_lac_episodes *e)
{
    return e->nrows ? &e->rows[e->nrows - 1] : NULL;
}

static cw_rc new_row(cw_lac_episodes *e, cw_date d, cw_lac_row **out)
{
    if (cw_array_grow(&e->rows, &e->caprows, e->nrows, sizeof *e->rows))
        return CW_ENOMEM;
    cw_lac_row *w = &e->rows[e->nrows++];
    memset(w, 0, sizeof *w);
    w->decom = d;
    *out = w;
    return CW_OK;
}

/* The row's placement and legal status from the state now. */
static void fill(cw_lac_episodes *e, cw_lac_row *w, int same_carers)
{
    w->ls = e->ls;
    w->cin = e->cin;
    w->home = e->home;
    w->post = e->post;
    w->mark = 0;
    e->rules->fill(e->ctx, e, w, same_carers);
}

static const char *rne_of(int ls_changed, int placement_changed, int same_carers)
{
    if (ls_changed && placement_changed)
        return same_carers ? "U" : "B";
    if (ls_changed)
        return "L";
    return same_carers ? "T" : "P";
}

/*
 * A change of legal status or placement on d (placement: a placement event, with its reason and
 * whether the carers are the same). Closes the open row with X1 and opens the next; a second
 * change on the row's first day rewrites that row (no row lasts less than a day).
 */
static cw_rc change(cw_lac_episodes *e, cw_date d, int placement, int same_carers,
                    const char *reason)
{
    cw_lac_row *cur = last_row(e);
    if (!cur || cur->ended)
        return CW_OK;
    if (cur->decom == d) {
        cw_lac_row *prev =
            e->nrows > 1 && e->rows[e->nrows - 2].ended && e->rows[e->nrows - 2].dec == d
                ? &e->rows[e->nrows - 2]
                : NULL;
        cur->moved |= placement;
        cur->same = placement ? same_carers : cur->same;
        fill(e, cur, cur->same);
        /* the day's changes undone (a status changed and changed back, two moves ending where
         * they began): no row for what did not change; the row before runs on */
        if (prev && strcmp(cur->rne, "S") && same(prev->ls, cur->ls) &&
            same(prev->place, cur->place) && same(prev->provider, cur->provider) &&
            same(prev->urn, cur->urn)) {
            e->nrows--;
            prev->ended = 0;
            prev->dec = 0;
            prev->rec = prev->rpc = NULL;
            return CW_OK;
        }
        if (prev && strcmp(cur->rne, "S")) {
            int lsd = !same(prev->ls, cur->ls);
            int pd = cur->moved || !same(prev->place, cur->place) ||
                     !same(prev->provider, cur->provider) || !same(prev->urn, cur->urn);
            cur->rne = rne_of(lsd, pd, cur->moved ? cur->same : 1);
            if (placement)
                prev->rpc = temporary(prev->place) || temporary(cur->place) ? NULL : reason;
        }
        return CW_OK;
    }
    cw_lac_row probe = *cur;
    /* a change of legal status alone keeps the carers, and what they are (A5 or A6, U1-U6) */
    fill(e, &probe, placement ? same_carers : cur->same);
    int lsd = !same(cur->ls, probe.ls);
    int pd = placement || !same(cur->place, probe.place) || !same(cur->provider, probe.provider) ||
             !same(cur->urn, probe.urn);
    if (!lsd && !pd)
        return CW_OK;
    cur->ended = 1;
    cur->dec = d;
    cur->rec = "X1";
    cur->rpc = pd && !temporary(cur->place) && !temporary(probe.place) ? reason : NULL;
    if (pd && !cur->rpc && !temporary(cur->place) && !temporary(probe.place) &&
        e->rules->no_reason) {
        cw_rc rc = e->rules->no_reason(e->ctx, e, d);
        if (rc)
            return rc;
    }
    cw_lac_row *w;
    cw_rc rc = new_row(e, d, &w);
    if (rc)
        return rc;
    *w = probe;
    w->decom = d;
    w->ended = 0;
    w->dec = 0;
    w->rec = w->rpc = NULL;
    w->moved = placement;
    w->same = placement ? same_carers : cur->same;
    w->rne = rne_of(lsd, pd, w->moved ? w->same : 1);
    return CW_OK;
}

static void placement(cw_lac_episodes *e, cw_facts f, uint64_t entry)
{
    e->ptype = sval(f, "placement_type");
    e->setting = sval(f, "setting");
    e->provider = sval(f, "provider");
    e->urn = sval(f, "provider_urn");
    e->ffa = bval(f, "fostering_for_adoption");
    e->u18 = bval(f, "until_18");
    e->post = present(f, "placement_postcode") ? entry + 1 : 0;
}

cw_rc cw_lac_read(cw_lac_episodes *e, const cw_case_event *ev)
{
    const char *t = ev->type;
    cw_facts f = ev->facts;
    cw_date d = ev->date;
    cw_rc rc = CW_OK;
    if (!strcmp(t, "assessment_completed")) {
        const char *need = sval(f, "primary_need");
        if (need && need[0] == 'N' && need[1] >= '1' && need[1] <= '8')
            e->need = need;
    } else if (!strcmp(t, "looked_after_started") && !e->in_care) {
        e->in_care = 1;
        e->ls = sval(f, "legal_status");
        e->cin = sval(f, "category_of_need");
        e->cin_assessed = !e->cin && e->need;
        if (!e->cin)
            e->cin = e->need;
        e->home = present(f, "home_postcode") ? ev->index + 1 : 0;
        placement(e, f, ev->index);
        cw_lac_row *w;
        if ((rc = new_row(e, d, &w)))
            return rc;
        fill(e, w, 0);
        w->rne = "S";
        w->moved = 1;
        if (e->nstarts < 64) {
            e->starts[e->nstarts] = d;
            e->starts_perm[e->nstarts++] = sval(f, "previous_permanence");
        }
    } else if (!strcmp(t, "placement_changed") && e->in_care) {
        placement(e, f, ev->index);
        rc = change(e, d, 1, bval(f, "same_carers"), sval(f, "change_reason"));
    } else if (!strcmp(t, "legal_status_changed") && e->in_care) {
        const char *ls = sval(f, "legal_status");
        if (!same(ls, e->ls)) {
            e->ls = ls;
            rc = change(e, d, 0, 1, NULL);
        }
    } else if (!strcmp(t, "looked_after_ended") && e->in_care) {
        cw_lac_row *cur = last_row(e);
        e->in_care = 0;
        /* care ending on the day a change began a row: no row of less than a day (rule 355); the
         * row before ends with the reason care ended */
        if (cur && !cur->ended && cur->decom == d && strcmp(cur->rne, "S") != 0 && e->nrows > 1 &&
            e->rows[e->nrows - 2].ended && e->rows[e->nrows - 2].dec == d) {
            e->nrows--;
            cur = last_row(e);
            cur->ended = 0;
            cur->rpc = NULL;
        }
        if (cur && !cur->ended) {
            cur->ended = 1;
            cur->dec = d;
            rc = e->rules->rec(e->ctx, e, sval(f, "reason"), sval(f, "reason_detail"), cur->place,
                               &cur->rec);
        }
    }
    return rc;
}

void cw_lac_release(cw_lac_episodes *e)
{
    free(e->rows);
    e->rows = NULL;
    e->nrows = e->caprows = 0;
}
