/*
 * erasure.c — destroying personal data without breaking the proofs (issue 13,
 * docs/privacy.md). One person proposes an erasure (erasure_proposed: which
 * child's record, all of it or some entries, under which lawful basis, why);
 * the data protection officer, who is someone else, approves or declines it.
 * Approval destroys the personal parts it names in the same transaction: the
 * salt and the text are set to NULL (SQLite's secure_delete overwrites the
 * freed bytes) and the child's projections are made again without them. The
 * leaves, and so the tree, every checkpoint and every proof, are untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "casework/casework_int.h"
#include "ledger/entry.h"
#include "util/buf.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

/* ---- the proposal an erasure_approved or erasure_declined names ---- */

typedef struct proposal {
    int found, closed;
    char child[65];
    char status[64];
    uint64_t idx; /* its erasure_proposed entry */
} proposal;

static cw_rc proposal_row(void *ctx, const cw_value *c, size_t n)
{
    proposal *pr = ctx;
    char kind[16];
    if (n < 6 || cw_value_copy(&c[0], kind, sizeof kind) <= 0 || strcmp(kind, "erasure") != 0)
        return CW_OK;
    pr->found = 1;
    cw_value_copy(&c[1], pr->child, sizeof pr->child);
    pr->closed = c[3].type != CW_V_NULL;
    cw_value_copy(&c[4], pr->status, sizeof pr->status);
    pr->idx = c[5].type == CW_V_INT ? (uint64_t)c[5].i : 0;
    return CW_OK;
}

static cw_rc get_proposal(cw_store *s, const char *id, proposal *pr, cw_error *err)
{
    memset(pr, 0, sizeof *pr);
    cw_value k = cw_text(id);
    cw_rc rc = cw_store_run(s, CW_Q_RECORD_GET, &k, 1, proposal_row, pr, NULL, err);
    if (!rc && !pr->found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_erasure", "erasure_id", id, NULL);
    return rc;
}

/* ---- which entries, and whether each has a personal part to erase ---- */

typedef enum part { PART_NONE, PART_IN_LEAF, PART_HELD, PART_ERASED, PART_MISSING } part;

/* An entry's personal part: none (nothing personal), in the leaf (written before issue 13),
 * held beside it, erased, or missing (verify finds why). */
static cw_rc part_of(cw_store *s, uint64_t idx, const char *type, part *out, cw_error *err)
{
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
    cw_buf salt = CW_BUF_INIT(64), body = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    int found = 0;
    uint8_t commitment[32];
    cw_personal_state st = CW_PERSONAL_ABSENT;
    uint64_t by;
    cw_rc rc = cw_store_entry_leaf(s, idx, &leaf, err);
    if (!rc)
        cw_entry_peek_commitment((const uint8_t *)leaf.data, leaf.len, &found, commitment);
    if (!rc && found)
        rc = cw_store_personal_get(s, idx, &salt, &body, &st, &by, err);
    *out = PART_NONE;
    if (!rc && found)
        *out = st == CW_PERSONAL_HELD     ? PART_HELD
               : st == CW_PERSONAL_ERASED ? PART_ERASED
                                          : PART_MISSING;
    else if (!rc) {
        /* A leaf without a commitment: personal text in it was written before issue 13. */
        json_t *root = json_loadb(leaf.data, leaf.len, 0, NULL);
        const json_t *p = json_object_get(root, "payload");
        const char *k;
        json_t *v;
        json_t *pp;
        memcpy(&pp, &p, sizeof pp);
        json_object_foreach(pp, k, v) if (json_is_string(v) && json_string_length(v) &&
                                          cw_casework_field_personal(type, k)) *out = PART_IN_LEAF;
        json_decref(root);
    }
    cw_buf_release(&leaf);
    cw_buf_release(&salt);
    cw_buf_release(&body);
    return rc;
}

typedef struct ev_row {
    uint64_t idx;
    char type[64];
} ev_row;

typedef struct ev_list {
    ev_row *v;
    size_t n, cap;
} ev_list;

static cw_rc ev_collect(void *ctx, const cw_value *c, size_t n)
{
    ev_list *l = ctx;
    if (n < 3 || c[0].type != CW_V_INT)
        return CW_OK;
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    l->v[l->n].idx = (uint64_t)c[0].i;
    cw_value_copy(&c[2], l->v[l->n].type, sizeof l->v[l->n].type);
    l->n++;
    return CW_OK;
}

static cw_rc count_row(void *ctx, const cw_value *c, size_t n)
{
    (void)c, (void)n;
    (*(size_t *)ctx)++;
    return CW_OK;
}

int cw_casework_is_erasure(const char *type)
{
    return !strncmp(type, "erasure_", 8);
}

cw_rc cw_casework_removal(cw_store *s, int64_t by, cw_date *on, char *basis, size_t cap,
                          cw_error *err)
{
    entry_view a, p = {0};
    proposal pr;
    cw_rc rc = cw_casework_read_entry(s, (uint64_t)by, &a, err);
    if (rc)
        return rc;
    *on = cw_casework_effective_date(a.payload, a.recorded_ms);
    if (!(rc = get_proposal(s, str(a.payload, "erasure_id"), &pr, err)) &&
        !(rc = cw_casework_read_entry(s, pr.idx, &p, err)))
        snprintf(basis, cap, "%s",
                 str(p.payload, "lawful_basis") ? str(p.payload, "lawful_basis") : "");
    json_decref(p.root);
    json_decref(a.root);
    return rc;
}

/* The chronology's label for an erasure's lawful basis (docs/privacy.md). */
const char *cw_casework_basis_label(const char *basis)
{
    static const struct {
        const char *code, *label;
    } b[] = {
        {"rectification", "rectification (UK GDPR article 16)"},
        {"recorded_in_error", "recorded on the wrong record (UK GDPR article 5(1)(d))"},
        {"erasure_request", "a request for erasure (UK GDPR article 17)"},
        {"retention_schedule", "the retention schedule (UK GDPR article 5(1)(e))"},
    };
    for (size_t i = 0; basis && i < sizeof b / sizeof b[0]; i++)
        if (!strcmp(b[i].code, basis))
            return b[i].label;
    return basis ? basis : "";
}

/*
 * The entries an erasure of child's record destroys, each with its part held: those it
 * names (strict: each must be the child's, before `before`, with a part held), or every
 * entry about the child alone before `before` (an entry about several children, such as a
 * supervision, is erased only when named; erasures themselves are the record of what was
 * done and stay).
 */
static cw_rc erasure_entries(cw_store *s, const char *child, const json_t *named, uint64_t before,
                             int strict, ev_list *out, cw_error *err)
{
    ev_list all = {0};
    cw_value k = cw_text(child);
    cw_rc rc = cw_store_run(s, CW_Q_CHILD_EVENTS, &k, 1, ev_collect, &all, NULL, err);
    out->n = 0;
    for (size_t i = 0; !rc && named && i < json_array_size(named); i++) {
        const char *s_idx = json_string_value(json_array_get(named, i));
        char *end = NULL;
        unsigned long long idx = s_idx ? strtoull(s_idx, &end, 10) : 0;
        if (!s_idx || !*s_idx || *end || s_idx[0] == '-' || s_idx[0] == '+') {
            char cut[33];
            snprintf(cut, sizeof cut, "%s", s_idx ? s_idx : "");
            return cw_error_key(err, CW_EINVAL, "not_entry_number", "entries", cut, NULL);
        }
        char at[24];
        snprintf(at, sizeof at, "%llu", idx);
        const ev_row *hit = NULL;
        for (size_t j = 0; j < all.n && !hit; j++)
            if (all.v[j].idx == idx)
                hit = &all.v[j];
        if (!hit || idx >= before) {
            rc = cw_error_key(err, CW_EINVAL, "entry_not_in_record", "entries", at, child);
            break;
        }
        part pt;
        if ((rc = part_of(s, idx, hit->type, &pt, err)))
            break;
        if (strict && pt == PART_IN_LEAF)
            rc = cw_error_key(err, CW_EINVAL, "entry_in_leaf", "entries", at, NULL);
        else if (strict && pt == PART_NONE)
            rc = cw_error_key(err, CW_EINVAL, "entry_no_personal", "entries", at, NULL);
        else if (strict && pt == PART_ERASED)
            rc = cw_error_key(err, CW_EINVAL, "entry_erased", "entries", at, NULL);
        else if (strict && pt == PART_MISSING)
            rc = cw_error_set(err, CW_EVERIFY,
                              "entries: entry %llu's personal data is missing from the database "
                              "(run caseward verify)",
                              idx);
        else if (pt == PART_HELD) {
            if (cw_array_grow(&out->v, &out->cap, out->n, sizeof *out->v))
                rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            else
                out->v[out->n++] = *hit;
        }
    }
    for (size_t j = 0; !rc && !named && j < all.n; j++) {
        const ev_row *e = &all.v[j];
        size_t nkids = 0;
        part pt;
        cw_value ki = CW_INT(e->idx);
        if (e->idx >= before || cw_casework_is_erasure(e->type))
            continue;
        if ((rc = cw_store_run(s, CW_Q_EVENT_CHILDREN, &ki, 1, count_row, &nkids, NULL, err)) ||
            nkids > 1 || (rc = part_of(s, e->idx, e->type, &pt, err)) || pt != PART_HELD)
            continue;
        if (cw_array_grow(&out->v, &out->cap, out->n, sizeof *out->v))
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        else
            out->v[out->n++] = *e;
    }
    free(all.v);
    return rc;
}

cw_rc cw_casework_erasable(cw_store *s, const char *child, int *any, cw_error *err)
{
    ev_list l = {0};
    cw_rc rc = erasure_entries(s, child, NULL, UINT64_MAX, 0, &l, err);
    *any = !rc && l.n > 0;
    free(l.v);
    return rc;
}

/* ---- the checks ---- */

cw_rc cw_casework_check_erasure_proposed(cw_ctx *c, const json_t *p, cw_error *err)
{
    cw_child_info ci;
    const char *child = str(p, "child_id");
    cw_rc rc = cw_casework_child(c->store, child, &ci, err);
    if (!rc && !ci.found)
        rc = cw_error_key(err, CW_ENOTFOUND, "no_child", "child_id", child, NULL);
    ev_list l = {0};
    const json_t *named = json_object_get(p, "entries");
    if (!rc && named && json_array_size(named) == 0)
        rc = cw_error_key(err, CW_EINVAL, "entries_empty", "entries", NULL, NULL);
    /* A legal hold stops destruction under the schedule or on request (holds.c). */
    if (!rc)
        rc = cw_casework_hold_allows(c->store, child, str(p, "lawful_basis"), c->recorded, err);
    if (!rc)
        rc = erasure_entries(c->store, child, named, c->idx, 1, &l, err);
    if (!rc && l.n == 0)
        rc = cw_error_key(err, CW_EINVAL, "nothing_to_erase", "child_id", child, NULL);
    free(l.v);
    return rc;
}

/* erasure_approved and erasure_declined: the data protection officer's decision, not the
 * proposer's, on a proposal not yet decided. */
static cw_rc decided(cw_ctx *c, const json_t *p, int approving, cw_error *err)
{
    proposal pr;
    cw_staff_info me;
    const char *id = str(p, "erasure_id");
    cw_rc rc = get_proposal(c->store, id, &pr, err);
    if (!rc && pr.closed)
        rc = cw_error_key(err, CW_EINVAL,
                          !strcmp(pr.status, "approved") ? "erasure_approved_already"
                                                         : "erasure_declined_already",
                          "erasure_id", id, NULL);
    if (!rc)
        rc = cw_casework_staff(c->store, c->actor, &me, err);
    if (!rc && (!me.found || strcmp(me.role, "data_protection_officer") != 0))
        rc = cw_error_key(err, CW_EFORBIDDEN, "dpo_decides", "erasure_id", NULL, NULL);
    entry_view e = {0};
    if (!rc)
        rc = cw_casework_read_entry(c->store, pr.idx, &e, err);
    const char *proposer = e.root ? str(e.root, "actor") : NULL;
    if (!rc && proposer && !strcmp(proposer, c->actor))
        rc = cw_error_key(err, CW_EFORBIDDEN, "own_erasure", "erasure_id", c->actor, id);
    /* A legal hold placed since the proposal stops its approval (holds.c). */
    if (!rc && approving)
        rc = cw_casework_hold_allows(c->store, pr.child, str(e.payload, "lawful_basis"),
                                     c->recorded, err);
    /* An approval must still have something to erase (another erasure may have taken it). */
    if (!rc && approving) {
        ev_list l = {0};
        const json_t *named = json_object_get(e.payload, "entries");
        rc = erasure_entries(c->store, pr.child, named, named ? pr.idx : c->idx, 0, &l, err);
        if (!rc && l.n == 0)
            rc = cw_error_key(err, CW_EINVAL, "erasure_done", "erasure_id", id, NULL);
        free(l.v);
    }
    json_decref(e.root);
    return rc;
}

cw_rc cw_casework_check_erasure_approved(cw_ctx *c, const json_t *p, cw_error *err)
{
    return decided(c, p, 1, err);
}

cw_rc cw_casework_check_erasure_declined(cw_ctx *c, const json_t *p, cw_error *err)
{
    return decided(c, p, 0, err);
}

/* ---- the effect ---- */

cw_rc cw_casework_erase(cw_ctx *c, const json_t *p, cw_error *err)
{
    proposal pr;
    entry_view e = {0};
    ev_list l = {0};
    child_list kids = {.n = 0};
    cw_rc rc = get_proposal(c->store, str(p, "erasure_id"), &pr, err);
    if (!rc)
        rc = cw_casework_read_entry(c->store, pr.idx, &e, err);
    /* Named entries as proposed; the whole record as it stands when approved. */
    const json_t *named = e.payload ? json_object_get(e.payload, "entries") : NULL;
    if (!rc)
        rc = erasure_entries(c->store, pr.child, named, named ? pr.idx : c->idx, 0, &l, err);
    for (size_t i = 0; !rc && i < l.n; i++) {
        if ((rc = cw_store_personal_erase(c->store, l.v[i].idx, c->idx, err)))
            break;
        /* every child an erased entry is about is projected again without it */
        cw_value k = CW_INT(l.v[i].idx);
        child_list more = {.n = 0};
        rc = cw_store_run(c->store, CW_Q_EVENT_CHILDREN, &k, 1, cw_casework_child_list_row, &more,
                          NULL, err);
        for (size_t j = 0; !rc && j < more.n; j++)
            cw_casework_child_list_add(&kids, more.ids[j]);
    }
    for (size_t j = 0; !rc && j < kids.n; j++)
        rc = cw_casework_reproject(c, kids.ids[j], err);
    if (rc)
        cw_error_prefix(err, "erasure %s: ", str(p, "erasure_id"));
    free(l.v);
    json_decref(e.root);
    return rc;
}

/* ---- the list for the data protection officer ---- */

typedef struct list_ctx {
    cw_store *store;
    json_t *arr;
    cw_error *err;
} list_ctx;

static json_t *text_or_null(const json_t *p, const char *k)
{
    const char *v = str(p, k);
    return v ? json_string(v) : json_null();
}

static cw_rc erasure_row(void *ctx, const cw_value *c, size_t n)
{
    list_ctx *x = ctx;
    char id[65], child[65], on[16], state[16], decided[16];
    if (n < 7 || c[4].type != CW_V_INT)
        return CW_EDB;
    cw_value_copy(&c[0], id, sizeof id);
    cw_value_copy(&c[1], child, sizeof child);
    cw_value_copy(&c[2], on, sizeof on);
    int closed = c[6].type == CW_V_INT;
    snprintf(state, sizeof state, "%s", "proposed");
    if (closed)
        cw_value_copy(&c[3], state, sizeof state);
    decided[0] = '\0';
    if (closed)
        cw_value_copy(&c[5], decided, sizeof decided);
    entry_view p, d = {0};
    cw_rc rc = cw_casework_read_entry(x->store, (uint64_t)c[4].i, &p, x->err);
    if (!rc && closed)
        rc = cw_casework_read_entry(x->store, (uint64_t)c[6].i, &d, x->err);
    if (rc) {
        json_decref(p.root);
        return rc;
    }
    const json_t *entries = json_object_get(p.payload, "entries");
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:O, s:s, s:o, s:o, s:o}", "erasure_id", id,
        "child_id", child, "proposed_on", on, "proposed_by", text_or_null(p.root, "actor"),
        "lawful_basis", text_or_null(p.payload, "lawful_basis"), "basis_label",
        cw_casework_basis_label(str(p.payload, "lawful_basis")), "requested_by",
        text_or_null(p.payload, "requested_by"), "reason", text_or_null(p.payload, "reason"),
        "entries", entries ? entries : json_null(), "state", state, "decided_on",
        decided[0] ? json_string(decided) : json_null(), "decided_by",
        d.root ? text_or_null(d.root, "actor") : json_null(), "decision_reason",
        d.root ? text_or_null(d.payload, "reason") : json_null());
    json_decref(p.root);
    json_decref(d.root);
    if (!o || json_array_append_new(x->arr, o))
        return cw_error_set(x->err, CW_ENOMEM, "out of memory");
    return CW_OK;
}

cw_rc cw_casework_erasures(cw_ledger *l, json_t **out, cw_error *err)
{
    list_ctx x = {cw_ledger_store(l), json_array(), err};
    cw_rc rc = x.arr ? cw_store_run(x.store, CW_Q_ERASURES, NULL, 0, erasure_row, &x, NULL, err)
                     : cw_error_set(err, CW_ENOMEM, "out of memory");
    if (rc) {
        json_decref(x.arr);
        x.arr = NULL;
    }
    *out = x.arr;
    return rc;
}
