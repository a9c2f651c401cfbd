/*
 * lac_int.h — the episodes of care both looked-after returns build (private to src/returns:
 * ssda903.c, England's SSDA903; wales.c, Wales' looked after children census).
 *
 * A child's history is read in (date, index) order. Every period of care becomes rows: a row
 * starts when the child starts to be looked after (RNE S) and at each change of legal status or
 * placement (L, P, T, B, U: England's codes; Wales folds T into P and U into B), closing the row
 * before with X1 on the same day; changes on one date make one row (the state at the end of the
 * day). Leaving care closes the last row with the reason the return's own rules give.
 *
 * What a row's placement code is (and its provider and URN, which England compares to tell a
 * move) is the return's: rules.fill. The builder compares the filled rows, so a return whose
 * code does not change with the provider (Wales) starts no row for a change of provider alone.
 */
#ifndef CW_RETURNS_LAC_INT_H
#define CW_RETURNS_LAC_INT_H

#include "casework/casework.h"
#include "returns/returns.h"

typedef struct cw_lac_row {
    cw_date decom, dec;
    int ended, moved, same; /* moved: a placement event began it; same: the same carers */
    int mark;               /* the return's own (Wales: the placement's location was assumed) */
    const char *rne, *ls, *cin, *place, *provider, *urn, *rec, *rpc;
    uint64_t home, post; /* entry + 1 holding home_postcode / placement_postcode; 0: none */
} cw_lac_row;

typedef struct cw_lac_episodes cw_lac_episodes;

typedef struct cw_lac_rules {
    /* The row's place, provider and URN (and mark) from the state now (e->ptype, e->setting,
     * e->provider, e->urn, e->ffa, e->u18, e->ls, e->post). */
    void (*fill)(void *ctx, const cw_lac_episodes *e, cw_lac_row *w, int same_carers);
    /* The reason the last row ended (looked_after_ended's reason and reason_detail). */
    cw_rc (*rec)(void *ctx, cw_lac_episodes *e, const char *reason, const char *detail,
                 const char *place, const char **out);
    /* A placement change from d with no change_reason (NULL: the return does not ask). */
    cw_rc (*no_reason)(void *ctx, cw_lac_episodes *e, cw_date d);
} cw_lac_rules;

struct cw_lac_episodes {
    const cw_lac_rules *rules;
    void *ctx;
    const char *need; /* the last assessment's primary need (N1-N8) */
    int cin_assessed; /* the category of need is that need: none given when care began */
    /* the state while looked after */
    int in_care;
    const char *ls, *cin;
    uint64_t home;
    const char *ptype, *setting, *provider, *urn;
    int ffa, u18;
    uint64_t post;
    cw_lac_row *rows;
    size_t nrows, caprows;
    cw_date starts[64]; /* periods of care begun (RNE S), with their permanence */
    const char *starts_perm[64];
    int nstarts;
};

/* Reads one event (assessment_completed, looked_after_started, placement_changed,
 * legal_status_changed, looked_after_ended; others are ignored) into e. */
cw_rc cw_lac_read(cw_lac_episodes *e, const cw_case_event *ev);
void cw_lac_release(cw_lac_episodes *e);

/* Whether a row is in a year from .. to: begun by its end, not ended before its start. */
static inline int cw_lac_row_in(const cw_lac_row *w, cw_date from, cw_date to)
{
    return w->decom <= to && (!w->ended || w->dec >= from);
}

#endif
