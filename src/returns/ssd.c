/*
 * ssd.c — the Standard Safeguarding Dataset as caseward can fill it (returns.h; docs/returns.md,
 * "Standard Safeguarding Dataset: export and import").
 *
 * The SSD as it stood at 31 March of the year asked for: every child's events dated on or
 * before that day, read as the rules read them (corrections applied), laid out as the SSD's
 * tables (one CSV each, the SSD's column names, in the order of data-to-insight's YAML), facts
 * only: no names, no narrative (the SSD's free-text columns stay blank), staff by their ids.
 *
 * What caseward needs to rebuild its own record and the SSD has no column for (whether the
 * child was seen alone where the SSD asks only for seen, a referral decision's date, when each
 * entry was first recorded and by whom, events of kinds the SSD has no table for) goes into one
 * extension file, caseward_facts.csv, never into the SSD's tables. It holds, for each event,
 * exactly the difference between the event and what an import makes of its SSD row
 * (cw_ssd_derive), so an export imported into an empty log gives the same record back
 * (tests/ssd_test.c).
 *
 * caseward_facts.csv: table,row_id,event,entry,field,value
 *   table   the SSD table whose row the event is part of, or "caseward" (no SSD table)
 *   row_id  that row's id (its first column); for "caseward", the child's id
 *   event   the caseward event type
 *   entry   the event's index in the exporting log (blank for the organisation's rows)
 *   field   a payload field, or _entry, _actor (the staff id who recorded it), _recorded_at
 *           (when it was first recorded: RFC 3339 UTC), or _absent (true: the row's event of
 *           this type is not in caseward's record, e.g. a CP plan row where no plan was
 *           recorded; only for rows with no other facts)
 *   value   JSON: a personal text field is true (it was there; its text is not exported), null
 *           (the import's field is not in the event)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/casework.h"
#include "ledger/entry.h"
#include "returns/returns.h"
#include "util/csv.h"
#include "returns/returns_int.h"
#include "returns/ssd_int.h"
#include "util/facts.h"
#include "util/time.h"

/* An event attached to a row (or to the extension file: table SSD_EXT). */
typedef struct att {
    int table;
    size_t row;
    char child[65];
    int64_t index; /* -1: an organisation row's own state */
    char type[64];
    char actor[129];
    int64_t recorded_ms;
    json_t *payload;
} att;

typedef struct staff {
    char id[65], team[65];
} staff;

typedef struct exp {
    cw_store *s;
    const cw_returns_query *q;
    cw_date cutoff;
    ssd_set set;
    att *a;
    size_t na, capa;
    unsigned char *seen; /* entries already exported (a supervision is in each child's history) */
    size_t nseen;
    staff *st;
    size_t nst, capst;
    cw_returns_output *out;
    cw_error *err;
} exp;

/* One child's state while its history is read. */
typedef struct kid {
    const char *id;
    long person, ref, cinp, cppl, clae, clap, invo, clea, s47;
    char cla_id[140];
    json_t *disabilities;
    json_t *strategies;    /* strategy discussions not yet attached: array of att indexes */
    const uint64_t *fixed; /* entries corrected, each | LATE if a correction is after the day */
    size_t nfixed;
} kid;

#define LATE ((uint64_t)1 << 63)

static const char *const SKIP[] = {"escalation_raised", "work_signed_off",  "work_returned",
                                   "erasure_proposed",  "erasure_approved", "erasure_declined",
                                   "sign_off_policy",   "record_accessed",  NULL};

static int skipped(const char *type)
{
    for (size_t i = 0; SKIP[i]; i++)
        if (!strcmp(SKIP[i], type))
            return 1;
    return !strncmp(type, "audit_", 6) || !strncmp(type, "improve_", 8);
}

static cw_rc oom(exp *x)
{
    return cw_error_set(x->err, CW_ENOMEM, "out of memory");
}

/* An id as the SSD's table would have it: a prefix the import gave it is taken off. */
static const char *strip(int table, const char *id)
{
    size_t n = strlen(cw_ssd_tables[table].prefix);
    if (id && !strncmp(id, cw_ssd_tables[table].prefix, n) && id[n] == ':')
        return id + n + 1;
    return id ? id : "";
}

static ssd_row *row(exp *x, int table, long i)
{
    return i >= 0 ? &x->set.rows[table][i] : NULL;
}

static cw_rc new_row(exp *x, int table, const char *id, long *idx)
{
    ssd_row *r = cw_ssd_add_row(&x->set, table, 0);
    if (!r || cw_ssd_set_cell(r, cw_ssd_tables[table].cols[0], id))
        return oom(x);
    r->line = x->set.n[table] + 1; /* its CSV line: the header is line 1 */
    *idx = (long)x->set.n[table] - 1;
    return CW_OK;
}

static cw_rc cell(exp *x, int table, long i, const char *col, const char *v)
{
    if (i < 0)
        return CW_OK;
    if (cw_ssd_set_cell(&x->set.rows[table][i], col, v ? v : ""))
        return oom(x);
    return CW_OK;
}

static long find(exp *x, int table, const char *id)
{
    ssd_row *r = cw_ssd_find(&x->set, table, cw_ssd_tables[table].cols[0], strip(table, id));
    return r ? (long)(r - x->set.rows[table]) : -1;
}

static const char *team_of(exp *x, const char *staff_id)
{
    for (size_t i = 0; staff_id && i < x->nst; i++)
        if (!strcmp(x->st[i].id, staff_id))
            return strip(SSD_DEPT, x->st[i].team);
    return "";
}

static const char *str(const json_t *p, const char *k)
{
    const char *s = json_string_value(json_object_get(p, k));
    return s ? s : "";
}

static cw_rc attach(exp *x, int table, long r, const char *child, int64_t index, const char *type,
                    const char *actor, int64_t recorded_ms, json_t *payload)
{
    if (cw_array_grow(&x->a, &x->capa, x->na, sizeof *x->a))
        return oom(x);
    att *a = &x->a[x->na++];
    memset(a, 0, sizeof *a);
    a->table = table;
    a->row = r < 0 ? 0 : (size_t)r;
    snprintf(a->child, sizeof a->child, "%s", child ? child : "");
    a->index = index;
    snprintf(a->type, sizeof a->type, "%s", type);
    snprintf(a->actor, sizeof a->actor, "%s", actor ? actor : "");
    a->recorded_ms = recorded_ms;
    a->payload = json_incref(payload);
    return CW_OK;
}

/* ---- an event as recorded, corrections applied ---- */

/* The names of the fields of well-formed facts, in turn (util/facts.h's layout). */
static const char *next_fact(cw_facts f, size_t *pos)
{
    if (*pos >= f.len)
        return NULL;
    size_t n = f.p[*pos];
    const char *name = (const char *)f.p + *pos + 1;
    size_t at = *pos + 1 + n + 1;
    char kind = (char)f.p[at++];
    uint32_t u = 0, v = 0;
    switch (kind) {
    case 'I':
        at += 8;
        break;
    case 'S':
        memcpy(&u, f.p + at, 4);
        at += 4 + u + 1;
        break;
    case 'A':
        at += 4;
        break;
    case 'L':
        memcpy(&v, f.p + at + 4, 4);
        at += 8 + v;
        break;
    default:
        break;
    }
    *pos = at;
    return name;
}

/* Lays the history's facts (corrections applied) over the payload as first recorded. */
static cw_rc corrected(cw_facts f, json_t *p)
{
    size_t pos = 0;
    const char *name;
    while ((name = next_fact(f, &pos))) {
        cw_fact v = cw_facts_get(f, name);
        json_t *j = NULL;
        if (v.kind == CW_FACT_STRING)
            j = json_string(v.s);
        else if (v.kind == CW_FACT_INT)
            j = json_integer(v.i);
        else if (v.kind == CW_FACT_TRUE || v.kind == CW_FACT_FALSE)
            j = json_boolean(v.kind == CW_FACT_TRUE);
        else if (v.kind == CW_FACT_LIST && v.s) {
            size_t at = 0;
            const char *item;
            j = json_array();
            while (j && (item = cw_fact_item(&v, &at)))
                json_array_append_new(j, json_string(item));
        }
        if (!j)
            continue; /* an object, a list whose items were not kept: as recorded */
        /* a text the facts keep only as present (a personal text, a text's fingerprint): as
         * recorded, not true */
        if (v.kind == CW_FACT_TRUE && json_is_string(json_object_get(p, name))) {
            json_decref(j);
            continue;
        }
        if (json_object_set_new(p, name, j))
            return CW_ENOMEM;
    }
    /* what caseward sets itself, and references to entries of the exporting log */
    json_object_del(p, "based_on");
    json_object_del(p, "proposal_id");
    return CW_OK;
}

typedef struct entry_read {
    json_t *payload;  /* as the rules read it: corrections applied (the SSD's rows) */
    json_t *original; /* as first recorded, when a correction changed it (the extension) */
    char actor[129];
    int64_t recorded_ms;
} entry_read;

static cw_rc read_entry(exp *x, const cw_case_event *ev, int corrected_later, entry_read *e)
{
    cw_buf leaf = CW_BUF_INIT(CW_ENTRY_MAX_BYTES + 1);
    uint64_t own;
    int64_t recorded = 0, source = 0;
    int has_source = 0;
    json_error_t jerr;
    memset(e, 0, sizeof *e);
    cw_rc rc = cw_store_entry_leaf(x->s, ev->index, &leaf, x->err);
    if (!rc &&
        (cw_entry_peek((const uint8_t *)leaf.data, leaf.len, &own, &recorded) ||
         cw_entry_peek_source((const uint8_t *)leaf.data, leaf.len, &has_source, &source, NULL, 0)))
        rc = cw_error_set(x->err, CW_EVERIFY, "entry %llu cannot be read back",
                          (unsigned long long)ev->index);
    json_t *root = rc ? NULL : json_loadb(leaf.data, leaf.len, 0, &jerr);
    cw_buf_release(&leaf);
    if (rc)
        return rc;
    json_t *p = json_object_get(root, "payload");
    if (!json_is_object(p)) {
        json_decref(root);
        return cw_error_set(x->err, CW_EVERIFY, "entry %llu cannot be read back",
                            (unsigned long long)ev->index);
    }
    e->payload = json_deep_copy(p);
    if (corrected_later)
        e->original = json_deep_copy(p);
    snprintf(e->actor, sizeof e->actor, "%s", str(root, "actor"));
    e->recorded_ms = has_source ? source : recorded;
    json_decref(root);
    if (!e->payload || (corrected_later && !e->original) || corrected(ev->facts, e->payload))
        return oom(x);
    if (e->original) {
        json_object_del(e->original, "based_on");
        json_object_del(e->original, "proposal_id");
    }
    if (!strcmp(ev->type, "child_registered") && !json_object_get(e->payload, "date")) {
        char d[CW_DATE_LEN + 1];
        cw_date_format(ev->date, d);
        json_object_set_new(e->payload, "date", json_string(d));
        if (e->original)
            json_object_set_new(e->original, "date", json_string(d));
    }
    return CW_OK;
}

/* The UPN (or former UPN) an entry recorded, "" if erased. */
static cw_rc upn_of(exp *x, uint64_t idx, const char *field, char out[32])
{
    json_t *root = NULL;
    out[0] = '\0';
    cw_rc rc = cw_casework_entry(x->s, idx, &root, x->err);
    if (rc)
        return rc;
    const char *v = json_string_value(json_object_get(json_object_get(root, "payload"), field));
    snprintf(out, 32, "%s", v ? v : "");
    json_decref(root);
    return CW_OK;
}

/* ---- the outcome flags the SSD writes ---- */

static cw_rc flags(exp *x, int table, long r, const char *col, const char *const *keys,
                   const char *set)
{
    json_t *o = json_object();
    int n = 0;
    for (size_t i = 0; o && keys[i]; i++) {
        int on = set && !strcmp(keys[i], set);
        n += on;
        json_object_set_new(o, keys[i], json_string(on ? "Y" : "N"));
    }
    if (!o)
        return oom(x);
    json_object_set_new(o, "TOTAL_NO_OF_OUTCOMES", json_integer(n));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return oom(x);
    cw_rc rc = cell(x, table, r, col, s);
    free(s);
    return rc;
}

static const char *const CONT_FLAGS[] = {"NEW_REFERRAL_FLAG",
                                         "EXISTING_REFERRAL_FLAG",
                                         "CP_ENQUIRY_FLAG",
                                         "NFA_FLAG",
                                         "NON_AGENCY_ADOPTION_FLAG",
                                         "PRIVATE_FOSTERING_FLAG",
                                         "ADVICE_FLAG",
                                         "MISSING_FLAG",
                                         "OLA_CP_FLAG",
                                         "OTHER_OUTCOMES_EXIST_FLAG",
                                         NULL};
static const char *const CINE_FLAGS[] = {"SINGLE_ASSESSMENT_FLAG",
                                         "NFA_FLAG",
                                         "STRATEGY_DISCUSSION_FLAG",
                                         "CLA_REQUEST_FLAG",
                                         "NON_AGENCY_ADOPTION_FLAG",
                                         "PRIVATE_FOSTERING_FLAG",
                                         "CP_TRANSFER_IN_FLAG",
                                         "CP_CONFERENCE_FLAG",
                                         "CARE_LEAVER_FLAG",
                                         "OTHER_OUTCOMES_EXIST_FLAG",
                                         NULL};
static const char *const CINA_FLAGS[] = {"NFA_FLAG",
                                         "NFA_S47_END_FLAG",
                                         "STRATEGY_DISCUSSION_FLAG",
                                         "CLA_REQUEST_FLAG",
                                         "PRIVATE_FOSTERING_FLAG",
                                         "LEGAL_ACTION_FLAG",
                                         "PROV_OF_SERVICES_FLAG",
                                         "PROV_OF_SB_CARE_FLAG",
                                         "SPECIALIST_ASSESSMENT_FLAG",
                                         "REFERRAL_TO_OTHER_AGENCY_FLAG",
                                         "OTHER_ACTIONS_FLAG",
                                         "OTHER_OUTCOMES_EXIST_FLAG",
                                         NULL};
static const char *const S47E_FLAGS[] = {"NFA_FLAG",
                                         "LEGAL_ACTION_FLAG",
                                         "PROV_OF_SERVICES_FLAG",
                                         "PROV_OF_SB_CARE_FLAG",
                                         "CP_CONFERENCE_FLAG",
                                         "NFA_CONTINUE_SINGLE_FLAG",
                                         "MONITOR_FLAG",
                                         "OTHER_OUTCOMES_EXIST_FLAG",
                                         NULL};
static const char *const ICPC_FLAGS[] = {"NFA_FLAG",
                                         "REFERRAL_TO_OTHER_AGENCY_FLAG",
                                         "SINGLE_ASSESSMENT_FLAG",
                                         "PROV_OF_SERVICES_FLAG",
                                         "CP_FLAG",
                                         "OTHER_OUTCOMES_EXIST_FLAG",
                                         NULL};

static const char *contact_flag(const char *o)
{
    return !strcmp(o, "referral")                 ? "NEW_REFERRAL_FLAG"
           : !strcmp(o, "no_further_action")      ? "NFA_FLAG"
           : !strcmp(o, "information_and_advice") ? "ADVICE_FLAG"
                                                  : "OTHER_OUTCOMES_EXIST_FLAG"; /* early help */
}

static const char *assessment_flag(const char *o)
{
    return !strcmp(o, "no_further_action")       ? "NFA_FLAG"
           : !strcmp(o, "care_and_support_plan") ? "PROV_OF_SERVICES_FLAG"
           : !strcmp(o, "child_protection")      ? "STRATEGY_DISCUSSION_FLAG"
           : !strcmp(o, "looked_after")          ? "CLA_REQUEST_FLAG"
                                                 : "OTHER_ACTIONS_FLAG";
}

/* ---- one child ---- */

/* The extension carries an event as first recorded: a correction of it is an event too. */
static cw_rc ext(exp *x, kid *k, const cw_case_event *ev, entry_read *e)
{
    return attach(x, SSD_EXT, -1, k->id, (int64_t)ev->index, ev->type, e->actor, e->recorded_ms,
                  e->original ? e->original : e->payload);
}

static cw_rc on(exp *x, kid *k, int table, long r, const cw_case_event *ev, entry_read *e)
{
    return attach(x, table, r, k->id, (int64_t)ev->index, ev->type, e->actor, e->recorded_ms,
                  e->original ? e->original : e->payload);
}

/* The id of a row made for an event with no id of its own: child.entry. */
static void own_id(const kid *k, const cw_case_event *ev, char out[100])
{
    snprintf(out, 100, "%s.%llu", k->id, (unsigned long long)ev->index);
}

static const char *row_id(exp *x, int table, long r)
{
    return r >= 0 ? x->set.rows[table][r].cell[0] : "";
}

static cw_rc visit(exp *x, kid *k, const cw_case_event *ev, entry_read *e)
{
    const json_t *p = e->payload;
    char id[100], d[CW_DATE_LEN + 1];
    long r;
    cw_rc rc;
    own_id(k, ev, id);
    cw_date_format(ev->date, d);
    const char *seen = json_is_true(json_object_get(p, "seen")) ? "Y" : "N";
    const char *alone = json_is_true(json_object_get(p, "seen_alone")) ? "Y" : "N";
    const json_t *b = json_object_get(p, "bedroom_seen");
    const char *bed = json_is_true(b) ? "Y" : json_is_false(b) ? "N" : "";
    if (k->clae >= 0) {
        if ((rc = new_row(x, SSD_CLAV, id, &r)) ||
            (rc = cell(x, SSD_CLAV, r, "clav_cla_id", k->cla_id)) ||
            (rc = cell(x, SSD_CLAV, r, "clav_cla_episode_id", row_id(x, SSD_CLAE, k->clae))) ||
            (rc = cell(x, SSD_CLAV, r, "clav_cla_visit_date", d)) ||
            (rc = cell(x, SSD_CLAV, r, "clav_cla_visit_seen", seen)) ||
            (rc = cell(x, SSD_CLAV, r, "clav_cla_visit_seen_alone", alone)))
            return rc;
        return on(x, k, SSD_CLAV, r, ev, e);
    }
    if (k->cppl >= 0) {
        if ((rc = new_row(x, SSD_CPPV, id, &r)) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_plan_id", row_id(x, SSD_CPPL, k->cppl))) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_visit_id", id)) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_visit_date", d)) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_visit_seen", seen)) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_visit_seen_alone", alone)) ||
            (rc = cell(x, SSD_CPPV, r, "cppv_cp_visit_bedroom", bed)))
            return rc;
        return on(x, k, SSD_CPPV, r, ev, e);
    }
    if (k->cinp >= 0 &&
        !row(x, SSD_CINP, k->cinp)->cell[cw_ssd_col(SSD_CINP, "cinp_cin_plan_end")][0]) {
        if ((rc = new_row(x, SSD_CINV, id, &r)) ||
            (rc = cell(x, SSD_CINV, r, "cinv_cin_plan_id", row_id(x, SSD_CINP, k->cinp))) ||
            (rc = cell(x, SSD_CINV, r, "cinv_cin_visit_date", d)) ||
            (rc = cell(x, SSD_CINV, r, "cinv_cin_visit_seen", seen)) ||
            (rc = cell(x, SSD_CINV, r, "cinv_cin_visit_seen_alone", alone)) ||
            (rc = cell(x, SSD_CINV, r, "cinv_cin_visit_bedroom", bed)))
            return rc;
        return on(x, k, SSD_CINV, r, ev, e);
    }
    return ext(x, k, ev, e);
}

static cw_rc placement(exp *x, kid *k, const cw_case_event *ev, entry_read *e, int start)
{
    char id[100], d[CW_DATE_LEN + 1];
    const char *pl = str(e->payload, "placement_id");
    long r, p;
    cw_rc rc;
    own_id(k, ev, id);
    cw_date_format(ev->date, d);
    if (start)
        snprintf(k->cla_id, sizeof k->cla_id, "%s", id);
    if (k->clae >= 0 &&
        ((rc = cell(x, SSD_CLAE, k->clae, "clae_cla_episode_ceased", d)) ||
         (rc = cell(x, SSD_CLAE, k->clae, "clae_cla_episode_ceased_reason", "X1")) ||
         (rc = cell(x, SSD_CLAP, k->clap, "clap_cla_placement_end_date", d))))
        return rc;
    const char *pid = find(x, SSD_CLAP, pl) < 0 && pl[0] ? pl : id;
    char entered_copy[CW_DATE_LEN + 1];
    const ssd_row *prev = start ? NULL : row(x, SSD_CLAE, k->clae);
    snprintf(entered_copy, sizeof entered_copy, "%s",
             prev ? cw_ssd_cell(prev, "clae_entered_care_date") : d);
    if ((rc = new_row(x, SSD_CLAP, pid, &p)) ||
        (rc = cell(x, SSD_CLAP, p, "clap_cla_episode_id", id)) ||
        (rc = cell(x, SSD_CLAP, p, "clap_cla_placement_start_date", d)) ||
        (rc = cell(x, SSD_CLAP, p, "clap_cla_id", k->cla_id)) ||
        (rc = new_row(x, SSD_CLAE, id, &r)) ||
        (rc = cell(x, SSD_CLAE, r, "clae_person_id", k->id)) ||
        (rc = cell(x, SSD_CLAE, r, "clae_cla_episode_start_date", d)) ||
        (rc = cell(x, SSD_CLAE, r, "clae_cla_episode_start_reason", start ? "S" : "P")) ||
        (rc = cell(x, SSD_CLAE, r, "clae_cla_id", k->cla_id)) ||
        (rc = cell(x, SSD_CLAE, r, "clae_referral_id", row_id(x, SSD_CINE, k->ref))) ||
        (rc = cell(x, SSD_CLAE, r, "clae_cla_placement_id", pid)) ||
        (rc = cell(x, SSD_CLAE, r, "clae_entered_care_date", entered_copy)))
        return rc;
    k->clae = r;
    k->clap = p;
    if (start)
        cw_returns_note(&x->out->notes, k->id, "clap_cla_placement_type",
                        "the SSDA903 placement code is not recorded in caseward: left blank "
                        "(caseward's placement type is in caseward_facts.csv)");
    return on(x, k, SSD_CLAE, r, ev, e);
}

static cw_rc details(exp *x, kid *k, const cw_case_event *ev, entry_read *e)
{
    const json_t *p = e->payload;
    char d[CW_DATE_LEN + 1], v[32], lid[100];
    long r;
    cw_rc rc = CW_OK;
    cw_date_format(ev->date, d);
    if (json_object_get(p, "ethnicity_code"))
        rc = cell(x, SSD_PERSON, k->person, "pers_ethnicity", str(p, "ethnicity_code"));
    if (!rc && json_object_get(p, "date_of_death"))
        rc = cell(x, SSD_PERSON, k->person, "pers_death_date", str(p, "date_of_death"));
    if (!rc && json_is_array(json_object_get(p, "disabilities"))) {
        json_decref(k->disabilities);
        k->disabilities = json_incref(json_object_get(p, "disabilities"));
    }
    static const char *const ids[][2] = {{"upn", "Unique Pupil Number"},
                                         {"former_upn", "Former Unique Pupil Number"}};
    for (size_t i = 0; !rc && i < 2; i++) {
        if (!json_object_get(p, ids[i][0]))
            continue;
        if ((rc = upn_of(x, ev->index, ids[i][0], v)))
            return rc;
        snprintf(lid, sizeof lid, "%s.%s", k->id, i ? "FUPN" : "UPN");
        if ((r = find(x, SSD_LINKED, lid)) < 0 && (rc = new_row(x, SSD_LINKED, lid, &r)))
            return rc;
        if ((rc = cell(x, SSD_LINKED, r, "link_person_id", k->id)) ||
            (rc = cell(x, SSD_LINKED, r, "link_identifier_type", ids[i][1])) ||
            (rc = cell(x, SSD_LINKED, r, "link_identifier_value", v)) ||
            (rc = cell(x, SSD_LINKED, r, "link_valid_from_date", d)) ||
            (rc = cell(x, SSD_LINKED, r, "link_valid_to_date", "")))
            return rc;
        if (!i)
            rc = cell(x, SSD_PERSON, k->person, "pers_upn_unknown", "");
    }
    if (!rc && json_object_get(p, "upn_unknown")) {
        snprintf(lid, sizeof lid, "%s.UPN", k->id);
        if ((rc = cell(x, SSD_PERSON, k->person, "pers_upn_unknown", str(p, "upn_unknown"))))
            return rc;
        if ((r = find(x, SSD_LINKED, lid)) >= 0)
            rc = cell(x, SSD_LINKED, r, "link_valid_to_date", d);
    }
    return rc ? rc : on(x, k, SSD_PERSON, k->person, ev, e);
}

static cw_rc conference(exp *x, kid *k, const cw_case_event *ev, entry_read *e)
{
    const json_t *p = e->payload;
    const char *dec = str(p, "decision"), *cat = str(p, "category");
    char d[CW_DATE_LEN + 1];
    long r;
    cw_rc rc;
    cw_date_format(ev->date, d);
    if (!strcmp(str(p, "kind"), "initial")) {
        const char *id = strip(SSD_ICPC, str(p, "conference_id"));
        int reg = !strcmp(dec, "register");
        if ((rc = new_row(x, SSD_ICPC, id, &r)) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_s47_enquiry_id", row_id(x, SSD_S47E, k->s47))) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_person_id", k->id)) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_referral_id", row_id(x, SSD_CINE, k->ref))) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_icpc_transfer_in", "N")) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_icpc_date", d)) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_icpc_outcome_cp_flag", reg ? "Y" : "N")) ||
            (rc = flags(x, SSD_ICPC, r, "icpc_icpc_outcome_json", ICPC_FLAGS,
                        reg ? "CP_FLAG" : NULL)) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_icpc_team", team_of(x, e->actor))) ||
            (rc = cell(x, SSD_ICPC, r, "icpc_icpc_worker_id", strip(SSD_PROF, e->actor))) ||
            (rc = on(x, k, SSD_ICPC, r, ev, e)))
            return rc;
        if (!reg)
            return CW_OK;
        long c;
        if ((rc = cell(x, SSD_ICPC, r, "icpc_cp_plan_id", id)) ||
            (rc = new_row(x, SSD_CPPL, id, &c)) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_referral_id", row_id(x, SSD_CINE, k->ref))) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_icpc_id", id)) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_person_id", k->id)) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_cp_plan_start_date", d)) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_cp_plan_initial_category",
                       cw_ssd_category_words(cat))) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_cp_plan_ola", "N")) ||
            (rc = cell(x, SSD_CPPL, c, "cppl_cp_plan_latest_category", cw_ssd_category_words(cat))))
            return rc;
        k->cppl = c;
        return CW_OK;
    }
    if (k->cppl < 0)
        return ext(x, k, ev, e);
    int cont = !strcmp(dec, "continue");
    if ((rc = new_row(x, SSD_CPPR, strip(SSD_CPPR, str(p, "conference_id")), &r)) ||
        (rc = cell(x, SSD_CPPR, r, "cppr_cp_plan_id", row_id(x, SSD_CPPL, k->cppl))) ||
        (rc = cell(x, SSD_CPPR, r, "cppr_cp_review_date", d)) ||
        (rc = cell(x, SSD_CPPR, r, "cppr_cp_review_outcome", cont ? "Y" : "N")) ||
        (rc = on(x, k, SSD_CPPR, r, ev, e)))
        return rc;
    if (cont && cat[0])
        rc = cell(x, SSD_CPPL, k->cppl, "cppl_cp_plan_latest_category", cw_ssd_category_words(cat));
    if (!cont) {
        rc = cell(x, SSD_CPPL, k->cppl, "cppl_cp_plan_end_date", d);
        k->cppl = -1;
    }
    return rc;
}

static cw_rc one_event(exp *x, kid *k, const cw_case_event *ev, entry_read *e)
{
    const char *t = ev->type;
    const json_t *p = e->payload;
    char d[CW_DATE_LEN + 1], id[100];
    long r;
    cw_rc rc;
    cw_date_format(ev->date, d);
    if (!strcmp(t, "correction")) { /* of an entry exported: the import numbers it anew */
        json_int_t target = json_integer_value(json_object_get(p, "corrects"));
        if (target <= 0 || (size_t)target >= x->nseen || !x->seen[target])
            return CW_OK;
        for (size_t f = 0; f < k->nfixed; f++)
            if (k->fixed[f] == ((uint64_t)target | LATE))
                return CW_OK; /* exported as corrected now */
        return ext(x, k, ev, e);
    }
    if (!strcmp(t, "child_registered")) {
        const char *dob = str(p, "date_of_birth"), *g = str(p, "gender");
        cw_date b = 0;
        cw_date_parse(dob, strlen(dob), &b);
        if ((rc = new_row(x, SSD_PERSON, k->id, &r)) ||
            (rc = cell(x, SSD_PERSON, r, "pers_sex",
                       !strcmp(g, "female") ? "F"
                       : !strcmp(g, "male") ? "M"
                                            : "U")) ||
            (rc = cell(x, SSD_PERSON, r, "pers_gender",
                       !strcmp(g, "male")     ? "01"
                       : !strcmp(g, "female") ? "02"
                       : !strcmp(g, "other")  ? "09"
                                              : "00")) ||
            (rc = cell(x, SSD_PERSON, r, b > x->cutoff ? "pers_expected_dob" : "pers_dob", dob)))
            return rc;
        k->person = r;
        return on(x, k, SSD_PERSON, r, ev, e);
    }
    if (k->person < 0) /* nothing of a child before it is registered */
        return ext(x, k, ev, e);
    if (!strcmp(t, "child_details_recorded"))
        return details(x, k, ev, e);
    if (!strcmp(t, "contact_received")) {
        const char *code = cw_ssd_source_code(str(p, "source"));
        if ((rc = new_row(x, SSD_CONTACTS, strip(SSD_CONTACTS, str(p, "contact_id")), &r)) ||
            (rc = cell(x, SSD_CONTACTS, r, "cont_person_id", k->id)) ||
            (rc = cell(x, SSD_CONTACTS, r, "cont_contact_date", d)) ||
            (rc = cell(x, SSD_CONTACTS, r, "cont_contact_source_code", code)) ||
            (rc = cell(x, SSD_CONTACTS, r, "cont_contact_source_desc", cw_ssd_source_desc(code))))
            return rc;
        return on(x, k, SSD_CONTACTS, r, ev, e);
    }
    if (!strcmp(t, "contact_decided")) {
        if ((r = find(x, SSD_CONTACTS, str(p, "contact_id"))) < 0)
            return ext(x, k, ev, e);
        if ((rc = flags(x, SSD_CONTACTS, r, "cont_contact_outcome_json", CONT_FLAGS,
                        contact_flag(str(p, "outcome")))))
            return rc;
        return on(x, k, SSD_CONTACTS, r, ev, e);
    }
    if (!strcmp(t, "referral_received")) {
        const char *code = str(p, "source_code");
        if (!code[0])
            code = cw_ssd_source_code(str(p, "source"));
        if ((rc = new_row(x, SSD_CINE, strip(SSD_CINE, str(p, "referral_id")), &r)) ||
            (rc = cell(x, SSD_CINE, r, "cine_person_id", k->id)) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_date", d)) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_source_code", code)) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_source_desc", cw_ssd_source_desc(code))))
            return rc;
        k->ref = r;
        return on(x, k, SSD_CINE, r, ev, e);
    }
    if (!strcmp(t, "referral_decided")) {
        const char *dec = str(p, "decision"), *by = str(p, "decided_by");
        if ((r = find(x, SSD_CINE, str(p, "referral_id"))) < 0)
            return ext(x, k, ev, e);
        if (!by[0])
            by = e->actor;
        if ((rc = flags(x, SSD_CINE, r, "cine_referral_outcome_json", CINE_FLAGS,
                        !strcmp(dec, "assessment")            ? "SINGLE_ASSESSMENT_FLAG"
                        : !strcmp(dec, "strategy_discussion") ? "STRATEGY_DISCUSSION_FLAG"
                                                              : "NFA_FLAG")) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_nfa",
                       !strcmp(dec, "no_further_action") ? "Y" : "N")) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_team", team_of(x, by))) ||
            (rc = cell(x, SSD_CINE, r, "cine_referral_worker_id", strip(SSD_PROF, by))))
            return rc;
        return on(x, k, SSD_CINE, r, ev, e);
    }
    if (!strcmp(t, "case_closed")) {
        if (k->cinp >= 0 &&
            !row(x, SSD_CINP, k->cinp)->cell[cw_ssd_col(SSD_CINP, "cinp_cin_plan_end")][0] &&
            (rc = cell(x, SSD_CINP, k->cinp, "cinp_cin_plan_end", d)))
            return rc;
        if (k->ref < 0 ||
            row(x, SSD_CINE, k->ref)->cell[cw_ssd_col(SSD_CINE, "cine_close_date")][0])
            return ext(x, k, ev, e);
        if ((rc = cell(x, SSD_CINE, k->ref, "cine_close_date", d)) ||
            (rc = cell(x, SSD_CINE, k->ref, "cine_close_reason", str(p, "closure_reason"))))
            return rc;
        return on(x, k, SSD_CINE, k->ref, ev, e);
    }
    if (!strcmp(t, "assessment_started")) {
        const char *ref = str(p, "referral_id");
        if ((rc = new_row(x, SSD_CINA, strip(SSD_CINA, str(p, "assessment_id")), &r)) ||
            (rc = cell(x, SSD_CINA, r, "cina_person_id", k->id)) ||
            (rc = cell(x, SSD_CINA, r, "cina_referral_id", strip(SSD_CINE, ref))) ||
            (rc = cell(x, SSD_CINA, r, "cina_assessment_start_date", d)))
            return rc;
        return on(x, k, SSD_CINA, r, ev, e);
    }
    if (!strcmp(t, "assessment_completed")) {
        const char *aid = str(p, "assessment_id"), *o = str(p, "outcome");
        if ((r = find(x, SSD_CINA, aid)) < 0)
            return ext(x, k, ev, e);
        if ((rc = cell(x, SSD_CINA, r, "cina_assessment_child_seen",
                       json_is_true(json_object_get(p, "child_seen")) ? "Y" : "N")) ||
            (rc = cell(x, SSD_CINA, r, "cina_assessment_auth_date", d)) ||
            (rc = flags(x, SSD_CINA, r, "cina_assessment_outcome_json", CINA_FLAGS,
                        assessment_flag(o))) ||
            (rc = cell(x, SSD_CINA, r, "cina_assessment_outcome_nfa",
                       !strcmp(o, "no_further_action") ? "Y" : "N")) ||
            (rc = cell(x, SSD_CINA, r, "cina_assessment_team", team_of(x, e->actor))) ||
            (rc = cell(x, SSD_CINA, r, "cina_assessment_worker_id", strip(SSD_PROF, e->actor))))
            return rc;
        const json_t *f = json_object_get(p, "factors");
        if (json_array_size(f)) {
            char *js = json_dumps(f, JSON_COMPACT);
            long fr;
            if (!js)
                return oom(x);
            rc = new_row(x, SSD_CINF, strip(SSD_CINA, aid), &fr);
            if (!rc && !(rc = cell(x, SSD_CINF, fr, "cinf_assessment_id", strip(SSD_CINA, aid))))
                rc = cell(x, SSD_CINF, fr, "cinf_assessment_factors_json", js);
            free(js);
            if (rc)
                return rc;
        }
        const char *need = str(p, "primary_need");
        ssd_row *ar = row(x, SSD_CINA, r);
        long er = find(x, SSD_CINE, ar->cell[cw_ssd_col(SSD_CINA, "cina_referral_id")]);
        if (er < 0)
            er = k->ref;
        if (need[0] && (rc = cell(x, SSD_CINE, er, "cine_cin_primary_need_code", need)))
            return rc;
        return on(x, k, SSD_CINA, r, ev, e);
    }
    if (!strcmp(t, "strategy_discussion_held")) {
        if ((rc = ext(x, k, ev, e)))
            return rc;
        return json_array_append_new(k->strategies, json_integer((json_int_t)x->na - 1)) ? oom(x)
                                                                                         : CW_OK;
    }
    if (!strcmp(t, "section_47_started")) {
        const char *sid = str(p, "strategy_id");
        if ((rc = new_row(x, SSD_S47E, strip(SSD_S47E, str(p, "enquiry_id")), &r)) ||
            (rc = cell(x, SSD_S47E, r, "s47e_referral_id", row_id(x, SSD_CINE, k->ref))) ||
            (rc = cell(x, SSD_S47E, r, "s47e_person_id", k->id)) ||
            (rc = cell(x, SSD_S47E, r, "s47e_s47_start_date", d)))
            return rc;
        k->s47 = r;
        size_t i;
        json_t *v;
        json_array_foreach(k->strategies, i, v)
        {
            att *a = &x->a[json_integer_value(v)];
            if (sid[0] && !strcmp(str(a->payload, "strategy_id"), sid) &&
                !strcmp(str(a->payload, "decision"), "section_47")) {
                a->table = SSD_S47E;
                a->row = (size_t)r;
                json_array_remove(k->strategies, i);
                break;
            }
        }
        return on(x, k, SSD_S47E, r, ev, e);
    }
    if (!strcmp(t, "section_47_completed")) {
        const char *o = str(p, "outcome");
        if ((r = find(x, SSD_S47E, str(p, "enquiry_id"))) < 0)
            return ext(x, k, ev, e);
        if ((rc = cell(x, SSD_S47E, r, "s47e_s47_end_date", d)) ||
            (rc = cell(x, SSD_S47E, r, "s47e_s47_nfa",
                       !strcmp(o, "no_further_action") ? "Y" : "N")) ||
            (rc = flags(x, SSD_S47E, r, "s47e_s47_outcome_json", S47E_FLAGS,
                        !strcmp(o, "initial_conference")  ? "CP_CONFERENCE_FLAG"
                        : !strcmp(o, "no_further_action") ? "NFA_FLAG"
                                                          : "PROV_OF_SERVICES_FLAG")) ||
            (rc = cell(x, SSD_S47E, r, "s47e_s47_completed_by_worker_id",
                       strip(SSD_PROF, e->actor))) ||
            (rc = cell(x, SSD_S47E, r, "s47e_s47_completed_by_team", team_of(x, e->actor))))
            return rc;
        return on(x, k, SSD_S47E, r, ev, e);
    }
    if (!strcmp(t, "conference_held"))
        return conference(x, k, ev, e);
    if (!strcmp(t, "plan_recorded")) {
        const char *kind = str(p, "kind");
        if (!strcmp(kind, "child_protection") && k->cppl >= 0)
            return on(x, k, SSD_CPPL, k->cppl, ev, e);
        if (strcmp(kind, "care_and_support") != 0)
            return ext(x, k, ev, e);
        if (k->cinp >= 0 &&
            !row(x, SSD_CINP, k->cinp)->cell[cw_ssd_col(SSD_CINP, "cinp_cin_plan_end")][0])
            return on(x, k, SSD_CINP, k->cinp, ev, e); /* a review of the plan */
        if ((rc = new_row(x, SSD_CINP, strip(SSD_CINP, str(p, "plan_id")), &r)) ||
            (rc = cell(x, SSD_CINP, r, "cinp_referral_id", row_id(x, SSD_CINE, k->ref))) ||
            (rc = cell(x, SSD_CINP, r, "cinp_person_id", k->id)) ||
            (rc = cell(x, SSD_CINP, r, "cinp_cin_plan_start", d)) ||
            (rc = cell(x, SSD_CINP, r, "cinp_cin_plan_team", team_of(x, e->actor))) ||
            (rc = cell(x, SSD_CINP, r, "cinp_cin_plan_worker_id", strip(SSD_PROF, e->actor))))
            return rc;
        k->cinp = r;
        return on(x, k, SSD_CINP, r, ev, e);
    }
    if (!strcmp(t, "looked_after_started"))
        return k->clae >= 0 ? ext(x, k, ev, e) : placement(x, k, ev, e, 1);
    if (!strcmp(t, "placement_changed"))
        return k->clae < 0 ? ext(x, k, ev, e) : placement(x, k, ev, e, 0);
    if (!strcmp(t, "looked_after_ended")) {
        if (k->clae < 0)
            return ext(x, k, ev, e);
        r = k->clae;
        if ((rc = cell(x, SSD_CLAE, r, "clae_cla_episode_ceased", d)) ||
            (rc = cell(x, SSD_CLAP, k->clap, "clap_cla_placement_end_date", d)))
            return rc;
        cw_returns_note(&x->out->notes, k->id, "clae_cla_episode_ceased_reason",
                        "the SSDA903 reason episode ceased is not recorded in caseward: left "
                        "blank (caseward's reason is in caseward_facts.csv)");
        k->clae = k->clap = -1;
        return on(x, k, SSD_CLAE, r, ev, e);
    }
    if (!strcmp(t, "looked_after_review_held")) {
        if (k->clae < 0)
            return ext(x, k, ev, e);
        own_id(k, ev, id);
        if ((rc = new_row(x, SSD_CLAR, id, &r)) ||
            (rc = cell(x, SSD_CLAR, r, "clar_cla_episode_id", row_id(x, SSD_CLAE, k->clae))) ||
            (rc = cell(x, SSD_CLAR, r, "clar_cla_id", k->cla_id)) ||
            (rc = cell(x, SSD_CLAR, r, "clar_cla_review_date", d)))
            return rc;
        return on(x, k, SSD_CLAR, r, ev, e);
    }
    if (!strcmp(t, "statutory_visit"))
        return visit(x, k, ev, e);
    if (!strcmp(t, "health_check_recorded")) {
        own_id(k, ev, id);
        if ((rc = new_row(x, SSD_CLAH, id, &r)) ||
            (rc = cell(x, SSD_CLAH, r, "clah_person_id", k->id)) ||
            (rc = cell(x, SSD_CLAH, r, "clah_health_check_type",
                       cw_ssd_health_words(str(p, "kind")))) ||
            (rc = cell(x, SSD_CLAH, r, "clah_health_check_date", d)) ||
            (rc = cell(x, SSD_CLAH, r, "clah_health_check_status", "Completed")))
            return rc;
        return on(x, k, SSD_CLAH, r, ev, e);
    }
    if (!strcmp(t, "missing_episode")) {
        const json_t *ri = json_object_get(p, "return_interview");
        if ((rc = new_row(x, SSD_MISS, strip(SSD_MISS, str(p, "episode_id")), &r)) ||
            (rc = cell(x, SSD_MISS, r, "miss_la_person_id", k->id)) ||
            (rc = cell(x, SSD_MISS, r, "miss_mis_epi_start", d)) ||
            (rc = cell(x, SSD_MISS, r, "miss_mis_epi_end", str(p, "returned"))) ||
            (rc = cell(x, SSD_MISS, r, "miss_mis_epi_rhi_offered",
                       json_is_boolean(ri) ? "Y" : "")) ||
            (rc = cell(x, SSD_MISS, r, "miss_mis_epi_rhi_accepted",
                       json_is_true(ri)    ? "Y"
                       : json_is_false(ri) ? "N"
                                           : "")))
            return rc;
        return on(x, k, SSD_MISS, r, ev, e);
    }
    if (!strcmp(t, "return_interview")) {
        /* the SSD has its offer and acceptance, not its date: the event itself is caseward's */
        if ((r = find(x, SSD_MISS, str(p, "episode_id"))) >= 0 &&
            ((rc = cell(x, SSD_MISS, r, "miss_mis_epi_rhi_offered", "Y")) ||
             (rc = cell(x, SSD_MISS, r, "miss_mis_epi_rhi_accepted",
                        json_is_true(json_object_get(p, "accepted")) ? "Y" : "N"))))
            return rc;
        return ext(x, k, ev, e);
    }
    if (!strcmp(t, "leaving_care_status")) {
        if (k->clea < 0) {
            if ((rc = new_row(x, SSD_CLEA, k->id, &r)) ||
                (rc = cell(x, SSD_CLEA, r, "clea_person_id", k->id)))
                return rc;
            k->clea = r;
        }
        if ((rc = cell(x, SSD_CLEA, k->clea, "clea_care_leaver_eligibility",
                       cw_ssd_eligibility_words(str(p, "status")))))
            return rc;
        return on(x, k, SSD_CLEA, k->clea, ev, e);
    }
    if (!strcmp(t, "case_allocated") || !strcmp(t, "case_transferred")) {
        const char *w = str(p, "worker_id");
        own_id(k, ev, id);
        if ((k->invo >= 0 && (rc = cell(x, SSD_INVO, k->invo, "invo_involvement_end_date", d))) ||
            (rc = new_row(x, SSD_INVO, id, &r)) ||
            (rc = cell(x, SSD_INVO, r, "invo_professional_id", strip(SSD_PROF, w))) ||
            (rc = cell(x, SSD_INVO, r, "invo_professional_role_id", "Allocated Case Worker")) ||
            (rc = cell(x, SSD_INVO, r, "invo_professional_team", team_of(x, w))) ||
            (rc = cell(x, SSD_INVO, r, "invo_involvement_start_date", d)) ||
            (rc = cell(x, SSD_INVO, r, "invo_person_id", k->id)) ||
            (rc = cell(x, SSD_INVO, r, "invo_referral_id", row_id(x, SSD_CINE, k->ref))))
            return rc;
        k->invo = r;
        return on(x, k, SSD_INVO, r, ev, e);
    }
    return ext(x, k, ev, e);
}

static cw_rc one_child(void *ctx, const cw_child_history *h, cw_error *err)
{
    exp *x = ctx;
    kid k = {h->child_id, -1, -1, -1, -1, -1, -1, -1, -1, -1, "", NULL, json_array(), NULL, 0};
    cw_rc rc = k.strategies ? CW_OK : oom(x);
    uint64_t *fixed = NULL; /* the entries a correction changed */
    size_t nfixed = 0, capfixed = 0;
    (void)err;
    for (size_t i = 0; !rc && i < h->nevents; i++) {
        if (strcmp(h->events[i].type, "correction") != 0)
            continue;
        cw_fact c = cw_facts_get(h->events[i].facts, "corrects");
        if (c.kind == CW_FACT_INT && c.i > 0) {
            if (cw_array_grow(&fixed, &capfixed, nfixed, sizeof *fixed))
                rc = oom(x);
            else /* a correction after the day: the entry goes as corrected, without them */
                fixed[nfixed++] = (uint64_t)c.i | (h->events[i].date > x->cutoff ? LATE : 0);
        }
    }
    k.fixed = fixed;
    k.nfixed = nfixed;
    for (size_t i = 0; !rc && i < h->nevents; i++) {
        const cw_case_event *ev = &h->events[i];
        if (ev->date > x->cutoff || skipped(ev->type))
            continue;
        if (cw_case_event_awaited(ev)) {
            /* it has not happened yet, as for every return */
            char d[CW_DATE_LEN + 1];
            cw_date_format(ev->date, d);
            rc = cw_returns_note(&x->out->notes, k.id, ev->type,
                                 "%s of %s awaits a manager's sign-off: left out", ev->type, d);
            continue;
        }
        if (ev->index >= x->nseen) {
            size_t n = x->nseen ? x->nseen : 1024;
            while (n <= ev->index)
                n *= 2;
            unsigned char *g = realloc(x->seen, n);
            if (!g) {
                rc = oom(x);
                break;
            }
            memset(g + x->nseen, 0, n - x->nseen);
            x->seen = g;
            x->nseen = n;
        }
        if (x->seen[ev->index])
            continue;
        x->seen[ev->index] = 1;
        entry_read e;
        int later = 0, late = 0;
        for (size_t f = 0; f < nfixed; f++) {
            later |= (fixed[f] & ~LATE) == ev->index;
            late |= fixed[f] == (ev->index | LATE);
        }
        later = later && !late;
        if (!(rc = read_entry(x, ev, later, &e)))
            rc = one_event(x, &k, ev, &e);
        json_decref(e.payload);
        json_decref(e.original);
    }
    free(fixed);
    /* the latest disabilities, one row each */
    size_t i;
    json_t *v;
    json_array_foreach(k.disabilities, i, v)
    {
        char id[100];
        long r;
        snprintf(id, sizeof id, "%s.%s", k.id, json_string_value(v));
        if (rc || (rc = new_row(x, SSD_DISABILITY, id, &r)) ||
            (rc = cell(x, SSD_DISABILITY, r, "disa_person_id", k.id)) ||
            (rc = cell(x, SSD_DISABILITY, r, "disa_disability_code", json_string_value(v))))
            break;
    }
    if (k.person >= 0)
        x->out->counts.children++;
    json_decref(k.disabilities);
    json_decref(k.strategies);
    return rc;
}

/* ---- the organisation ---- */

static cw_rc team_row(void *ctx, const cw_value *c, size_t n)
{
    exp *x = ctx;
    char id[65], name[101], area[101];
    long r;
    if (n < 3 || cw_value_copy(&c[0], id, sizeof id) < 1)
        return CW_EVERIFY;
    cw_value_copy(&c[1], name, sizeof name);
    cw_value_copy(&c[2], area, sizeof area);
    json_t *p = json_pack("{s:s, s:s}", "team_id", id, "name", name);
    if (!p)
        return CW_ENOMEM;
    if (area[0])
        json_object_set_new(p, "service_area", json_string(area));
    cw_rc rc = CW_ENOMEM;
    if (!new_row(x, SSD_DEPT, strip(SSD_DEPT, id), &r) &&
        !cell(x, SSD_DEPT, r, "dept_team_name", name) &&
        !cell(x, SSD_DEPT, r, "dept_team_parent_name", area))
        rc = attach(x, SSD_DEPT, r, "", -1, "team_created", "", -1, p);
    json_decref(p);
    return rc;
}

static cw_rc staff_row(void *ctx, const cw_value *c, size_t n)
{
    exp *x = ctx;
    char id[65], role[40], team[65], manager[65], left[CW_DATE_LEN + 1];
    if (n < 6 || cw_value_copy(&c[0], id, sizeof id) < 1)
        return CW_EVERIFY;
    cw_value_copy(&c[2], role, sizeof role);
    cw_value_copy(&c[3], team, sizeof team);
    cw_value_copy(&c[4], manager, sizeof manager);
    cw_value_copy(&c[5], left, sizeof left);
    if (cw_array_grow(&x->st, &x->capst, x->nst, sizeof *x->st))
        return CW_ENOMEM;
    snprintf(x->st[x->nst].id, sizeof x->st[x->nst].id, "%s", id);
    snprintf(x->st[x->nst].team, sizeof x->st[x->nst].team, "%s", team);
    x->nst++;
    return CW_OK;
}

static cw_rc staff_rows(void *ctx, const cw_value *c, size_t n)
{
    exp *x = ctx;
    char id[65], role[40], team[65], manager[65], left[CW_DATE_LEN + 1];
    long r;
    if (n < 6 || cw_value_copy(&c[0], id, sizeof id) < 1)
        return CW_EVERIFY;
    cw_value_copy(&c[2], role, sizeof role);
    cw_value_copy(&c[3], team, sizeof team);
    cw_value_copy(&c[4], manager, sizeof manager);
    cw_value_copy(&c[5], left, sizeof left);
    const ssd_row *t = cw_ssd_find(&x->set, SSD_DEPT, "dept_team_id", strip(SSD_DEPT, team));
    json_t *p = json_pack("{s:s, s:b, s:s}", "staff_id", id, "name", 1, "role", role);
    if (!p)
        return CW_ENOMEM;
    if (team[0])
        json_object_set_new(p, "team_id", json_string(team));
    if (manager[0])
        json_object_set_new(p, "manager_id", json_string(manager));
    cw_rc rc = CW_ENOMEM;
    if (!new_row(x, SSD_PROF, strip(SSD_PROF, id), &r) &&
        !cell(x, SSD_PROF, r, "prof_professional_job_title", cw_ssd_role_title(role)) &&
        !cell(x, SSD_PROF, r, "prof_professional_department",
              t ? cw_ssd_cell(t, "dept_team_name") : "") &&
        !attach(x, SSD_PROF, r, "", -1, "staff_added", "", -1, p))
        rc = CW_OK;
    json_decref(p);
    if (!rc && left[0]) {
        json_t *l = json_pack("{s:s, s:s}", "staff_id", id, "date", left);
        rc = l ? attach(x, SSD_PROF, r, "", -1, "staff_left", "", -1, l) : CW_ENOMEM;
        json_decref(l);
    }
    return rc;
}

/* ---- caseward_facts.csv ---- */

static cw_rc fact_line(cw_buf *b, const char *table, const char *row_id, const char *event,
                       int64_t entry, const char *field, const json_t *v)
{
    char e[24] = "";
    if (entry >= 0)
        snprintf(e, sizeof e, "%lld", (long long)entry);
    char *js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!js)
        return CW_ENOMEM;
    cw_rc rc = cw_csv_cell(b, table, 0, CW_CSV_QUOTE_ALL);
    if (!rc)
        rc = cw_csv_cell(b, row_id, 0, CW_CSV_QUOTE_ALL);
    if (!rc)
        rc = cw_csv_cell(b, event, 0, CW_CSV_QUOTE_ALL);
    if (!rc)
        rc = cw_csv_cell(b, e, 0, CW_CSV_QUOTE_ALL);
    if (!rc)
        rc = cw_csv_cell(b, field, 0, CW_CSV_QUOTE_ALL);
    if (!rc)
        rc = cw_csv_cell(b, js, 1, CW_CSV_QUOTE_ALL);
    free(js);
    return rc;
}

static int is_print(const char *k)
{
    size_t n = strlen(k);
    return n > 6 && !strcmp(k + n - 6, "_print");
}

/* The event's facts the import would not make from its row (derived: NULL for none). */
static cw_rc diff(cw_buf *b, const char *table, const char *rid, const att *a, json_t *derived)
{
    const char *key;
    json_t *v;
    cw_rc rc = CW_OK;
    json_t *e = json_integer(a->index);
    rc = e ? fact_line(b, table, rid, a->type, a->index, "_entry", e) : CW_ENOMEM;
    json_decref(e);
    if (!rc && a->actor[0]) {
        json_t *s = json_string(a->actor);
        rc = s ? fact_line(b, table, rid, a->type, a->index, "_actor", s) : CW_ENOMEM;
        json_decref(s);
    }
    if (!rc && a->recorded_ms >= 0) {
        char t[CW_RFC3339_MS_LEN + 1];
        cw_time_format_ms(a->recorded_ms, t);
        json_t *s = json_string(t);
        rc = s ? fact_line(b, table, rid, a->type, a->index, "_recorded_at", s) : CW_ENOMEM;
        json_decref(s);
    }
    json_object_foreach(a->payload, key, v)
    {
        if (rc)
            break;
        json_t *d = derived ? json_object_get(derived, key) : NULL;
        int personal = json_is_true(v) && cw_casework_field_personal(a->type, key);
        if (is_print(key)) {
            /* a text's print, so the import's stand-in text prints alike (docs/returns.md) */
            char base[64];
            snprintf(base, sizeof base, "%.*s", (int)(strlen(key) - 6), key);
            if (json_is_true(json_object_get(a->payload, base)))
                rc = fact_line(b, table, rid, a->type, a->index, key, v);
            continue;
        }
        if (personal ? json_is_string(d) : json_equal(v, d))
            continue;
        rc = fact_line(b, table, rid, a->type, a->index, key, v);
    }
    json_object_foreach(derived, key, v)
    {
        if (!rc && !json_object_get(a->payload, key))
            rc = fact_line(b, table, rid, a->type, a->index, key, json_null());
    }
    return rc;
}

static int by_row(const void *p, const void *q)
{
    const att *a = p, *b = q;
    if (a->table != b->table)
        return a->table < b->table ? -1 : 1;
    if (a->table != SSD_EXT && a->row != b->row)
        return a->row < b->row ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return strcmp(a->type, b->type);
}

static cw_rc facts_file(exp *x, cw_buf *b)
{
    cw_rc rc = cw_buf_addstr(b, "table,row_id,event,entry,field,value\r\n");
    qsort(x->a, x->na, sizeof *x->a, by_row);
    size_t i = 0; /* the attachments, in (table, row) order as the rows are walked */
    for (int t = 0; !rc && t < SSD_NTABLES; t++)
        for (size_t k = 0; !rc && k < x->set.n[t]; k++) {
            size_t j = i;
            while (j < x->na && x->a[j].table == t && x->a[j].row == k)
                j++;
            const ssd_row *r = &x->set.rows[t][k];
            ssd_cmds d = {NULL, 0, 0};
            cw_error e;
            if (cw_ssd_derive(&x->set, r, &d, &e)) {
                cw_ssd_cmds_release(&d);
                return cw_error_set(x->err, CW_EVERIFY, "ssd export: %s", e.msg);
            }
            unsigned char used[256] = {0};
            for (size_t a = i; !rc && a < j; a++) {
                json_t *match = NULL;
                for (size_t m = 0; m < d.n && m < sizeof used; m++)
                    if (!used[m] && !strcmp(d.c[m].type, x->a[a].type)) {
                        used[m] = 1;
                        match = d.c[m].payload;
                        break;
                    }
                rc = diff(b, cw_ssd_tables[t].name, r->cell[0], &x->a[a], match);
            }
            /* a row that stands for more than caseward holds (a registration with no plan
             * recorded): what the import must not make of it */
            for (size_t m = 0; !rc && i == j && m < d.n; m++)
                rc = fact_line(b, cw_ssd_tables[t].name, r->cell[0], d.c[m].type, -1, "_absent",
                               json_true());
            cw_ssd_cmds_release(&d);
            i = j;
        }
    for (; !rc && i < x->na; i++)
        rc = diff(b, SSD_EXT_TABLE, x->a[i].child, &x->a[i], NULL);
    return rc == CW_ENOMEM ? oom(x) : rc;
}

/* ---- the files ---- */

static cw_rc table_file(exp *x, int t)
{
    cw_buf *b = cw_returns_output_file(x->out, "%s.csv", cw_ssd_tables[t].name);
    if (!b)
        return cw_error_set(x->err, CW_EINVAL, "ssd: too many files");
    cw_rc rc = CW_OK;
    int nc = 0;
    while (nc < SSD_MAX_COLS && cw_ssd_tables[t].cols[nc])
        nc++;
    for (int c = 0; !rc && c < nc; c++)
        rc = cw_buf_addf(b, "%s%s", cw_ssd_tables[t].cols[c], c + 1 < nc ? "," : "\r\n");
    for (size_t r = 0; !rc && r < x->set.n[t]; r++)
        for (int c = 0; !rc && c < nc; c++)
            rc = cw_csv_cell(b, x->set.rows[t][r].cell[c], c + 1 == nc, CW_CSV_QUOTE_ALL);
    x->out->counts.records += x->set.n[t];
    return rc ? oom(x) : CW_OK;
}

cw_rc cw_returns_ssd(cw_store *s, const cw_calendar *cal, const cw_returns_query *q,
                     cw_returns_output *out, cw_error *err)
{
    exp x;
    (void)cal;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.q = q;
    x.out = out;
    x.err = err;
    x.set.roundtrip = 1;
    char cut[CW_DATE_LEN + 1];
    snprintf(cut, sizeof cut, "%04d-03-31", q->year);
    cw_date_parse(cut, CW_DATE_LEN, &x.cutoff);
    cw_rc rc = cw_store_run(s, CW_Q_STAFF_LIST, NULL, 0, staff_row, &x, NULL, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_TEAMS_ALL, NULL, 0, team_row, &x, NULL, err);
    if (!rc)
        rc = cw_store_run(s, CW_Q_STAFF_LIST, NULL, 0, staff_rows, &x, NULL, err);
    if (rc == CW_ENOMEM)
        rc = oom(&x);
    else if (rc == CW_EVERIFY)
        rc = cw_error_set(err, CW_EVERIFY, "the staff or teams in the database are damaged");
    if (!rc)
        rc = cw_returns_each_child(s, one_child, &x, err);
    for (int t = 0; !rc && t < SSD_NTABLES; t++)
        rc = table_file(&x, t);
    cw_buf *f = rc ? NULL : cw_returns_output_file(out, SSD_FACTS_FILE);
    if (!rc && !f)
        rc = cw_error_set(err, CW_EINVAL, "ssd: too many files");
    if (!rc)
        rc = facts_file(&x, f);
    for (size_t i = 0; i < x.na; i++)
        json_decref(x.a[i].payload);
    free(x.a);
    free(x.seen);
    free(x.st);
    cw_ssd_set_release(&x.set);
    return rc;
}
