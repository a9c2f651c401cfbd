/*
 * command.c — the command pipeline: catch the projections up, check the
 * fields, the actor and the state, append to the ledger, project. All of it
 * happens inside the ledger's batch transaction, so a refused command, or a
 * batch abandoned half way, leaves nothing behind.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "casework/casework_int.h"
#include "ledger/entry.h"
#include "util/buf.h"

static const char *str(const json_t *p, const char *k)
{
    return json_string_value(json_object_get(p, k));
}

static cw_rc applied_row(void *ctx, const cw_value *c, size_t n)
{
    if (n >= 1 && c[0].type == CW_V_INT)
        *(uint64_t *)ctx = (uint64_t)c[0].i;
    return CW_OK;
}

static cw_rc applied_entries(cw_ledger *l, uint64_t *applied, cw_error *err)
{
    *applied = 0;
    cw_rc rc = cw_store_run(cw_ledger_store(l), CW_Q_PROJECTION_APPLIED, NULL, 0, applied_row,
                            applied, NULL, err);
    if (!rc && *applied > cw_ledger_size(l))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the projections claim more entries than the log has; run caseward "
                          "rebuild");
    return rc;
}

cw_rc cw_casework_current(cw_ledger *l, cw_error *err)
{
    uint64_t applied;
    cw_rc rc = applied_entries(l, &applied, err);
    if (!rc && applied != cw_ledger_size(l))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the casework tables cover %llu of the log's %llu entries (after an "
                          "upgrade, say); run caseward rebuild",
                          (unsigned long long)applied, (unsigned long long)cw_ledger_size(l));
    return rc;
}

cw_rc cw_casework_catch_up(cw_ledger *l, cw_error *err)
{
    uint64_t applied;
    cw_rc rc = applied_entries(l, &applied, err);
    if (rc || applied == cw_ledger_size(l))
        return rc;
    cw_store *s = cw_ledger_store(l);
    if ((rc = cw_store_begin(s, err)))
        return rc;
    if (!(rc = cw_casework_replay(s, applied, cw_ledger_size(l), err)))
        rc = cw_store_commit(s, err);
    if (rc)
        cw_store_rollback(s);
    return rc;
}

cw_rc cw_casework_begin(cw_ledger *l, cw_error *err)
{
    cw_rc rc = cw_ledger_batch_begin(l, err);
    if (rc)
        return rc;
    /* Entries appended without projection (none, normally) are applied now. */
    uint64_t applied = 0;
    if (!(rc = applied_entries(l, &applied, err)) && applied != cw_ledger_size(l))
        rc = cw_casework_replay(cw_ledger_store(l), applied, cw_ledger_size(l), err);
    if (rc)
        cw_ledger_batch_abort(l);
    return rc;
}

static cw_rc check_actor(cw_ctx *c, const event_spec *spec, cw_error *err)
{
    if (spec->org || !strcmp(spec->name, "escalation_raised"))
        return CW_OK;
    cw_staff_info sp;
    cw_rc rc = cw_casework_staff(c->store, c->actor, &sp, err);
    if (rc)
        return rc;
    if (!sp.found)
        return cw_error_key(err, CW_EINVAL, "not_current_staff", "actor", c->actor, NULL);
    if (sp.left)
        return cw_error_key(err, CW_EINVAL, "staff_left", "actor", c->actor, NULL);
    return CW_OK;
}

cw_rc cw_casework_submit(cw_ledger *l, const cw_event *ev, uint64_t *index, cw_error *err)
{
    return cw_casework_submit_source(l, ev, NULL, index, err);
}

/*
 * A migrated event says when the older system recorded it; what it says happened cannot be
 * later than that (its date after the day it was recorded there).
 */
static cw_rc check_source(const cw_event *ev, const cw_event_source *src, cw_error *err)
{
    if (!src || !src->system)
        return CW_OK;
    const char *d = str(ev->payload, "date");
    cw_date date, rec = cw_casework_day_of(src->recorded_ms);
    if (d && !cw_date_parse(d, strlen(d), &date) && date > rec) {
        char rs[CW_DATE_LEN + 1];
        cw_date_format(rec, rs);
        return cw_error_set(err, CW_EINVAL,
                            "source.recorded_at: %s is before the event's date %s (a record "
                            "cannot be made before the thing happened)",
                            rs, d);
    }
    return CW_OK;
}

static cw_rc submit(cw_ledger *l, const cw_event *ev, const cw_event_source *src, int split,
                    uint64_t *index, cw_error *err);

cw_rc cw_casework_submit_source(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                uint64_t *index, cw_error *err)
{
    return submit(l, ev, src, 1, index, err);
}

cw_rc cw_casework_submit_as_v1(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                               uint64_t *index, cw_error *err)
{
    return submit(l, ev, src, 0, index, err);
}

static cw_rc submit(cw_ledger *l, const cw_event *ev, const cw_event_source *src, int split,
                    uint64_t *index, cw_error *err)
{
    const event_spec *spec = cw_casework_spec(ev->type);
    if (!spec)
        return cw_error_set(err, CW_EINVAL,
                            "type: \"%.64s\" is not a casework event (see docs/events.md)",
                            ev->type);
    if (!json_is_object(ev->payload))
        return cw_error_set(err, CW_EINVAL, "payload: must be a JSON object");
    cw_ctx c = {cw_ledger_store(l), cw_ledger_size(l), cw_ledger_batch_ms(l), 0, ev->actor, NULL};
    c.recorded = cw_casework_day_of(c.recorded_ms);
    cw_rc rc = cw_casework_check_fields(spec, ev->payload, c.recorded, err);
    if (!rc)
        rc = check_source(ev, src, err);
    if (!rc)
        rc = check_actor(&c, spec, err);
    if (!rc)
        rc = cw_casework_check_state(&c, spec, ev->payload, err);
    if (rc)
        return rc;
    /* The leaf holds the facts; the personal texts go beside it, behind a salted commitment
     * (docs/privacy.md). A correction's changes are split by the type of what it corrects. */
    char target_type[64] = "";
    if (!strcmp(ev->type, "correction")) {
        entry_view t;
        json_int_t target = json_integer_value(json_object_get(ev->payload, "corrects"));
        if ((rc = cw_casework_read_entry(c.store, (uint64_t)target, &t, err)))
            return rc;
        snprintf(target_type, sizeof target_type, "%s", t.type);
        json_decref(t.root);
    }
    json_t *facts = NULL, *personal = NULL;
    uint8_t key[32];
    if ((rc = cw_casework_check_no_print(ev->type, target_type[0] ? target_type : NULL, ev->payload,
                                         err)))
        return rc;
    if (!split)
        facts = json_incref((json_t *)(uintptr_t)ev->payload);
    else if ((rc = cw_ledger_text_key(l, key, err)) ||
             (rc = cw_casework_split_keyed(ev->type, target_type[0] ? target_type : NULL,
                                           ev->payload, key, &facts, &personal, err))) {
        sodium_memzero(key, sizeof key);
        return rc;
    }
    sodium_memzero(key, sizeof key);
    cw_event fev = {ev->actor, ev->type, facts};
    uint64_t idx;
    rc = cw_ledger_batch_add_personal(l, &fev, src, personal, &idx, err);
    /* Projected as a replay reads it back: the facts (prints among them) with the part over
     * them, so that the tables kept as commands arrive equal a rebuild's. */
    json_t *full = rc ? NULL : cw_casework_join(facts, personal);
    json_decref(facts);
    json_decref(personal);
    if (!rc && !full)
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    if (rc)
        return rc;
    c.idx = idx;
    rc = cw_casework_apply(&c, ev->type, full, err);
    json_decref(full);
    /* A critical finding is escalated at once, in the same batch (docs/audits.md). */
    if (!rc && !strcmp(ev->type, "audit_case_completed"))
        rc = cw_casework_audit_finding_told(l, &c, ev->payload, err);
    /* An approved access change is applied at once, in the same batch, as the approver's. */
    if (!rc && !strcmp(ev->type, "access_change_approved"))
        rc = cw_casework_access_apply(l, &c, ev->payload, err);
    if (rc)
        return rc;
    if (index)
        *index = idx;
    return CW_OK;
}

cw_rc cw_casework_commit(cw_ledger *l, uint64_t *new_size, cw_error *err)
{
    cw_value v = CW_INT(cw_ledger_size(l));
    cw_rc rc =
        cw_store_run(cw_ledger_store(l), CW_Q_PROJECTION_SET_APPLIED, &v, 1, NULL, NULL, NULL, err);
    if (rc) {
        cw_ledger_batch_abort(l);
        return rc;
    }
    return cw_ledger_batch_commit(l, new_size, err);
}

void cw_casework_abort(cw_ledger *l)
{
    cw_ledger_batch_abort(l);
}

cw_rc cw_casework_submit_alone(cw_ledger *l, const cw_event *ev, cw_error *err)
{
    cw_rc rc = cw_casework_begin(l, err);
    if (rc)
        return rc;
    if (!(rc = cw_casework_submit(l, ev, NULL, err)))
        rc = cw_casework_commit(l, NULL, err);
    else
        cw_casework_abort(l);
    return rc;
}

/* ---- corrections ---- */

cw_rc cw_casework_entry(cw_store *s, uint64_t idx, json_t **root, cw_error *err)
{
    entry_view e;
    cw_rc rc = cw_casework_read_entry(s, idx, &e, err);
    *root = rc ? NULL : e.root;
    return rc;
}

cw_rc cw_casework_read_entry(cw_store *s, uint64_t idx, entry_view *e, cw_error *err)
{
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
    json_error_t jerr;
    memset(e, 0, sizeof *e);
    uint64_t own;
    cw_rc rc = cw_store_entry_leaf(s, idx, &leaf, err);
    int has_source = 0;
    if (!rc && (cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &own, &e->recorded_ms) ||
                cw_entry_peek_source((const uint8_t *)leaf.data, leaf.len, &has_source,
                                     &e->source_ms, NULL, 0)))
        rc = cw_error_set(err, CW_EVERIFY, "entry %llu cannot be read back",
                          (unsigned long long)idx);
    if (!rc && !has_source)
        e->source_ms = e->recorded_ms;
    if (!rc) {
        e->root = json_loadb(leaf.data, leaf.len, 0, &jerr);
        e->type = e->root ? str(e->root, "type") : NULL;
        if (!e->type || !json_is_object(json_object_get(e->root, "payload")))
            rc = cw_error_set(err, CW_EVERIFY, "entry %llu cannot be read back",
                              (unsigned long long)idx);
    }
    if (!rc)
        rc = cw_casework_join_personal(s, idx, leaf.data, leaf.len, e->root, &e->erased_by, err);
    if (!rc)
        e->payload = json_object_get(e->root, "payload");
    cw_buf_release(&leaf);
    if (rc) {
        json_decref(e->root);
        memset(e, 0, sizeof *e);
    }
    return rc;
}

cw_rc cw_casework_join_personal(cw_store *s, uint64_t idx, const void *leaf, size_t len,
                                json_t *root, int64_t *erased_by, cw_error *err)
{
    int found = 0;
    uint8_t commitment[32];
    *erased_by = -1;
    cw_entry_peek_commitment(leaf, len, &found, commitment);
    if (!found)
        return CW_OK; /* the facts are the whole entry (or it was written before issue 13) */
    cw_buf salt = CW_BUF_INIT(64), body = CW_BUF_INIT(CW_ENTRY_MAX_BYTES);
    cw_personal_state state;
    uint64_t by = 0;
    json_error_t jerr;
    cw_rc rc = cw_store_personal_get(s, idx, &salt, &body, &state, &by, err);
    /* Absent: a log read from a facts-only export (caseward verify finds a part missing from a
     * council's own database). The facts are read as they are. */
    if (!rc && state == CW_PERSONAL_ERASED)
        *erased_by = (int64_t)by;
    else if (!rc && state == CW_PERSONAL_HELD) {
        json_t *part = json_loadb(body.data, body.len, 0, &jerr);
        json_t *joined = part ? cw_casework_join(json_object_get(root, "payload"), part) : NULL;
        if (!joined || json_object_set_new(root, "payload", joined))
            rc = cw_error_set(err, CW_EVERIFY, "entry %llu: its personal part cannot be read",
                              (unsigned long long)idx);
        json_decref(part);
    }
    if (body.len)
        sodium_memzero(body.data, body.len);
    cw_buf_release(&salt);
    cw_buf_release(&body);
    return rc;
}

/* The corrections of one entry, in the order recorded: all of them are merged. */
#define MAX_FIXES 256
typedef struct fix_list {
    uint64_t idx[MAX_FIXES];
    size_t n;
} fix_list;

static cw_rc fix_row(void *ctx, const cw_value *c, size_t n)
{
    fix_list *f = ctx;
    if (f->n == MAX_FIXES)
        return CW_ETOOBIG;
    if (n >= 1 && c[0].type == CW_V_INT)
        f->idx[f->n++] = (uint64_t)c[0].i;
    return CW_OK;
}

static cw_rc corrections_of(cw_store *s, uint64_t target, fix_list *fx, cw_error *err)
{
    cw_value t = CW_INT(target);
    fx->n = 0;
    cw_rc rc = cw_store_run(s, CW_Q_CORRECTIONS_OF, &t, 1, fix_row, fx, NULL, err);
    if (rc == CW_ETOOBIG)
        rc = cw_error_key(err, CW_ETOOBIG, "too_many_corrections", "corrects", CW_NUM(target),
                          CW_NUM(MAX_FIXES));
    return rc;
}

/*
 * No silent overwrite: a change that names the version it was based on (based_on: the entry,
 * or its latest correction or sign-off decision, as the person saw it) is refused with
 * CW_ECONFLICT if another change has landed since, naming it.
 */
static cw_rc check_based_on(cw_ctx *c, const json_t *p, uint64_t target, cw_error *err)
{
    const json_t *b = json_object_get(p, "based_on");
    if (!b || json_is_null(b))
        return CW_OK;
    uint64_t version;
    cw_rc rc = cw_casework_version(c->store, target, &version, NULL, err);
    if (!rc && (uint64_t)json_integer_value(b) != version)
        rc = cw_error_key(err, CW_ECONFLICT, "changed_since", "based_on", CW_NUM(target),
                          CW_NUM(version));
    return rc;
}

/* work_signed_off and work_returned: the actor may decide the work, as it stands now. */
cw_rc cw_casework_check_sign_off(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_sign_off(cw_ctx *c, const json_t *p, cw_error *err)
{
    json_int_t target = json_integer_value(json_object_get(p, "entry"));
    if ((uint64_t)target >= c->idx)
        return cw_error_key(err, CW_ENOTFOUND, "no_entry", "entry", CW_NUM(target), NULL);
    cw_rc rc = cw_casework_may_sign_off(c->store, (uint64_t)target, c->actor, c->recorded, err);
    if (!rc)
        rc = check_based_on(c, p, (uint64_t)target, err);
    /* A decision dated (migrated history) is not dated before the work it decides. */
    entry_view e;
    if (!rc && json_object_get(p, "date") &&
        !(rc = cw_casework_read_entry(c->store, (uint64_t)target, &e, err))) {
        cw_date work = cw_casework_effective_date(e.payload, e.recorded_ms);
        cw_date d = cw_casework_effective_date(p, 0);
        json_decref(e.root);
        if (d < work)
            rc = cw_error_key(err, CW_EINVAL, "decision_before_work", "date", NULL, NULL);
    }
    return rc;
}

cw_rc cw_casework_check_correction(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_correction(cw_ctx *c, const json_t *p, cw_error *err)
{
    json_int_t target = json_integer_value(json_object_get(p, "corrects"));
    if ((uint64_t)target >= c->idx)
        return cw_error_key(err, CW_ENOTFOUND, "no_entry", "corrects", CW_NUM(target), NULL);
    entry_view e;
    cw_rc rc = cw_casework_read_entry(c->store, (uint64_t)target, &e, err);
    if (rc)
        return rc;
    const event_spec *spec = cw_casework_spec(e.type);
    /* Decisions (sign-offs, restrictions) are made again, never corrected; a legal hold is
     * lifted and placed again; a case-file audit's entries are final (and no child's
     * casework: a correction of one would be recorded and have no effect); an improvement
     * plan changes by its own events, which say who changed what and why. */
    if (!spec || spec->org || cw_casework_is_audit(e.type) || cw_casework_is_improve(e.type) ||
        !strcmp(e.type, "correction") || !strcmp(e.type, "escalation_raised") ||
        !strcmp(e.type, "work_signed_off") || !strcmp(e.type, "work_returned") ||
        !strcmp(e.type, "restriction_changed") || !strncmp(e.type, "legal_hold_", 11)) {
        rc = cw_error_key(err, CW_EINVAL, "not_correctable", "corrects", CW_NUM(target), e.type);
        goto out;
    }
    if ((rc = check_based_on(c, p, (uint64_t)target, err)))
        goto out;
    const json_t *changes = json_object_get(p, "changes");
    const char *k;
    json_t *v;
    json_t *ch;
    memcpy(&ch, &changes, sizeof ch);
    json_object_foreach(ch, k, v)
    {
        const field_spec *f = spec->fields;
        while (f->name && strcmp(f->name, k) != 0)
            f++;
        if (!f->name) {
            rc = cw_error_key(err, CW_EINVAL, "change_not_a_field", "changes", k, e.type);
            goto out;
        }
        if ((f->flags & NOFIX) && !strncmp(k, "restricted", 10)) {
            rc = cw_error_key(err, CW_EINVAL, "fix_restriction", "changes", k, NULL);
            goto out;
        }
        if ((f->flags & NOFIX) && (!strcmp(k, "signed_off_by") || !strcmp(k, "decided_by"))) {
            rc = cw_error_key(err, CW_EINVAL, "fix_signoff", "changes", k, NULL);
            goto out;
        }
        if (f->flags & NOFIX) {
            rc = cw_error_key(err, CW_EINVAL, "fix_never", "changes", k, NULL);
            goto out;
        }
    }
    /* The corrected event, with the corrections before this one, must itself be valid. */
    json_t *merged = json_deep_copy(e.payload);
    if (!merged) {
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
        goto out;
    }
    fix_list fx;
    rc = corrections_of(c->store, (uint64_t)target, &fx, err);
    for (size_t j = 0; !rc && j < fx.n; j++) {
        entry_view fe;
        if (!(rc = cw_casework_read_entry(c->store, fx.idx[j], &fe, err))) {
            json_object_update(merged, json_object_get(fe.payload, "changes"));
            json_decref(fe.root);
        }
    }
    if (rc) {
        json_decref(merged);
        goto out;
    }
    json_object_update(merged, ch);
    rc = cw_casework_check_fields(spec, merged, c->recorded, err);
    if (!rc)
        rc = cw_casework_check_corrected(c, e.type, merged, ch, str(e.root, "actor"), err);
    json_decref(merged);
    if (rc)
        cw_error_wrap(err, "correction_invalid", "changes", e.type);
out:
    json_decref(e.root);
    return rc;
}

/* ---- a child's history ---- */

typedef struct row_list {
    struct row {
        uint64_t idx;
        cw_date date;
    } * v;
    size_t n, cap;
    int any_correction; /* a correction entry is among them */
} row_list;

static cw_rc collect_rows(void *ctx, const cw_value *c, size_t n)
{
    row_list *l = ctx;
    cw_date d = 0;
    if (n < 2 || c[0].type != CW_V_INT || c[1].type != CW_V_TEXT ||
        cw_date_parse(c[1].s, c[1].len, &d))
        return CW_EDB;
    if (cw_array_grow(&l->v, &l->cap, l->n, sizeof *l->v))
        return CW_ENOMEM;
    l->v[l->n].idx = (uint64_t)c[0].i;
    l->v[l->n].date = d;
    l->n++;
    if (n >= 3 && c[2].type == CW_V_TEXT && c[2].len == 10 && !memcmp(c[2].s, "correction", 10))
        l->any_correction = 1;
    return CW_OK;
}

cw_rc cw_casework_history(cw_ledger *l, const char *child_id, cw_history *h, cw_error *err)
{
    cw_store *s = cw_ledger_store(l);
    row_list rows = {0};
    cw_child_info dob;
    cw_value k = cw_text(child_id);
    memset(h, 0, sizeof *h);
    if (strlen(child_id) > 64)
        return cw_error_set(err, CW_EINVAL, "child: not an identifier");
    memcpy(h->child_id, child_id, strlen(child_id) + 1);
    cw_rc rc = cw_casework_child(s, child_id, &dob, err);
    if (!rc && !dob.found)
        rc = cw_error_set(err, CW_ENOTFOUND, "no child %s is registered", child_id);
    if (!rc)
        rc = cw_store_run(s, CW_Q_CHILD_EVENTS, &k, 1, collect_rows, &rows, NULL, err);
    h->date_of_birth = dob.dob;
    if (!rc && rows.n && !(h->entries = calloc(rows.n, sizeof *h->entries)))
        rc = cw_error_set(err, CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < rows.n; i++) {
        cw_history_entry *he = &h->entries[h->n];
        entry_view e;
        if ((rc = cw_casework_read_entry(s, rows.v[i].idx, &e, err)))
            break;
        he->recorded_ms = e.recorded_ms;
        he->source_ms = e.source_ms;
        he->removed_by = -1;
        if (e.erased_by >= 0 &&
            (rc = cw_casework_removal(s, e.erased_by, &he->removed_on, he->removed_under,
                                      sizeof he->removed_under, err))) {
            json_decref(e.root);
            break;
        }
        if (e.erased_by >= 0)
            he->removed_by = e.erased_by;
        he->index = rows.v[i].idx;
        he->date = rows.v[i].date;
        snprintf(he->type, sizeof he->type, "%s", e.type);
        snprintf(he->actor, sizeof he->actor, "%s",
                 str(e.root, "actor") ? str(e.root, "actor") : "");
        /* The payload outlives its entry's root: it is ours to change now. */
        he->payload = json_incref((json_t *)(uintptr_t)e.payload);
        fix_list fx = {.n = 0};
        /* Corrections of a child's entries are themselves among its entries,
         * so a child with none needs no look-ups (the common case). */
        if (rows.any_correction)
            rc = corrections_of(s, rows.v[i].idx, &fx, err);
        for (size_t j = 0; !rc && j < fx.n; j++) {
            entry_view fe;
            if ((rc = cw_casework_read_entry(s, fx.idx[j], &fe, err)))
                break;
            if (fe.erased_by >= 0 && he->removed_by < 0 &&
                (rc = cw_casework_removal(s, fe.erased_by, &he->removed_on, he->removed_under,
                                          sizeof he->removed_under, err))) {
                json_decref(fe.root);
                break;
            }
            if (fe.erased_by >= 0 && he->removed_by < 0)
                he->removed_by = fe.erased_by;
            if (!he->original)
                he->original = json_deep_copy(e.payload);
            json_object_update(he->payload, json_object_get(fe.payload, "changes"));
            /* every correction is merged; the first ones are listed */
            if (he->ncorrections < sizeof he->corrected_by / sizeof he->corrected_by[0])
                he->corrected_by[he->ncorrections++] = fx.idx[j];
            json_decref(fe.root);
        }
        json_decref(e.root);
        h->n++;
    }
    free(rows.v);
    if (rc)
        cw_casework_history_release(h);
    return rc;
}

void cw_casework_history_release(cw_history *h)
{
    for (size_t i = 0; i < h->n; i++) {
        json_decref(h->entries[i].payload);
        json_decref(h->entries[i].original);
    }
    free(h->entries);
    h->entries = NULL;
    h->n = 0;
}
