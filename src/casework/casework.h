/*
 * casework.h — casework commands: validated, appended to the ledger, and
 * projected into the current-state tables, all in one transaction.
 *
 * A command is an event (ledger/entry.h) whose type is in the catalogue
 * (docs/events.md, the table in events.c). cw_casework_submit refuses a bad
 * command with a message naming the field and the value, and writes nothing;
 * a batch of commands is all or nothing.
 *
 * The projections (store/schema_sqlite.sql) are a cache of the ledger: each
 * entry's effect is a function of the entries before it, so
 * cw_casework_rebuild, which replays the ledger from the start, gives the
 * same rows. A correction re-projects the children it concerns from their
 * events, with the corrected fields in place.
 */
#ifndef CW_CASEWORK_CASEWORK_H
#define CW_CASEWORK_CASEWORK_H

#include <jansson.h>
#include <stdbool.h>

#include "ledger/ledger.h"
#include "util/date.h"

/* Opens a batch: a ledger batch, with the projections brought up to date. */
cw_rc cw_casework_begin(cw_ledger *l, cw_error *err);
/*
 * Validates ev against the catalogue and the current state, appends it and
 * applies it. On failure nothing of this command is kept and the batch must
 * be aborted (all or nothing).
 */
cw_rc cw_casework_submit(cw_ledger *l, const cw_event *ev, uint64_t *index, cw_error *err);
/*
 * The same for history migrated from another system (caseward import and append only; the
 * API records now): src says which system first recorded it and when, kept in the entry beside
 * the log's own recorded_at (ledger/entry.h). The event's date must not be after that day.
 */
cw_rc cw_casework_submit_source(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                                uint64_t *index, cw_error *err);
/*
 * As caseward wrote entries before issue 13, the personal texts inside the leaf, where they can
 * never be erased. Only for making an older database in the upgrade tests (caseward demo
 * --leaf-format 1); everything else records through cw_casework_submit.
 */
cw_rc cw_casework_submit_as_v1(cw_ledger *l, const cw_event *ev, const cw_event_source *src,
                               uint64_t *index, cw_error *err);
cw_rc cw_casework_commit(cw_ledger *l, uint64_t *new_size, cw_error *err);
void cw_casework_abort(cw_ledger *l);
/* One command in a batch of its own: begin, submit, commit (or abort). */
cw_rc cw_casework_submit_alone(cw_ledger *l, const cw_event *ev, cw_error *err);

/* A registered child as the projections hold it now. */
typedef struct cw_child_info {
    int found;
    cw_date dob;
    char status[16]; /* open | closed */
    char worker[65]; /* allocated worker, or "" */
    int on_register; /* on the child protection register, since cp_since */
    cw_date cp_since;
    int looked_after; /* looked after, since la_since */
    cw_date la_since;
    int restricted; /* a restricted record (docs/api.md, "Roles and scope") */
} cw_child_info;

/* A member of staff as the projections hold them now. */
typedef struct cw_staff_info {
    int found;
    char role[32];
    char team[65];
    char manager[65]; /* next step up the management chain, or "" */
    char name[101];
    int left;
} cw_staff_info;

/* Work's sign-off (docs/events.md, "Sign-off"), as the projections hold it now. */
typedef struct cw_signoff {
    int found;
    uint64_t idx;          /* the work's entry */
    char kind[32];         /* assessment_completed, referral_decided, case_closed, ... */
    char child[65];        /* "" for a supervision of no case */
    char submitted_by[65]; /* who recorded the work */
    cw_date submitted_on;
    char state[16];      /* pending | signed_off | returned | claimed | not_needed */
    char decided_by[65]; /* who signed it off or returned it, or the signatory the entry names */
    cw_date decided_on;
    int64_t decided_idx; /* their entry, or -1 */
} cw_signoff;

cw_rc cw_casework_signoff(cw_store *s, uint64_t idx, cw_signoff *out, cw_error *err);

/*
 * CW_OK if staff_id may sign off (or return) the work at idx on day `on`: it awaits sign-off,
 * it is not their own, and they are a current manager above its recorder in the management
 * chain, the head of service, or the named deputy (deputy_named, until on or later) of a
 * manager above the recorder; a supervision is confirmed by its supervisor alone. Otherwise
 * CW_EFORBIDDEN, or CW_EINVAL / CW_ENOTFOUND, naming why.
 */
cw_rc cw_casework_may_sign_off(cw_store *s, uint64_t idx, const char *staff_id, cw_date on,
                               cw_error *err);

/*
 * The version of an entry a change must name (based_on): the latest correction of it, or the
 * latest sign-off decision on it, whichever is later; the entry itself if neither. so (may be
 * NULL) receives the entry's sign-off, read on the way.
 */
cw_rc cw_casework_version(cw_store *s, uint64_t idx, uint64_t *version, cw_signoff *so,
                          cw_error *err);

/*
 * Records the kinds of work that need sign-off (comma-separated, from the rule pack) as a
 * sign_off_policy entry, if they differ from the policy in force; *recorded says whether
 * it did. From that entry on, work of those kinds is submitted for sign-off.
 */
cw_rc cw_casework_adopt_policy(cw_ledger *l, const char *kinds, const char *actor, int *recorded,
                               cw_error *err);

/* Look-ups; found is 0 (and CW_OK returned) when there is no such child or staff. */
cw_rc cw_casework_child(cw_store *s, const char *child_id, cw_child_info *out, cw_error *err);
/*
 * Entry idx as recorded: its root object (type, actor, payload, ...) with its personal part laid
 * over the payload where it is held (docs/privacy.md). Release with json_decref.
 */
cw_rc cw_casework_entry(cw_store *s, uint64_t idx, json_t **root, cw_error *err);
cw_rc cw_casework_staff(cw_store *s, const char *staff_id, cw_staff_info *out, cw_error *err);

/*
 * Records one step of an escalation once (escalation.c): an escalation_raised entry by
 * system:escalation, unless the escalations projection holds (child or "", item, level)
 * already. *raised is 1 if it was recorded, 0 if it was already, -1 if it is due and who is ""
 * (nobody to tell: nothing recorded).
 */
cw_rc cw_casework_escalate_once(cw_ledger *l, const char *child, const char *item, int level,
                                const char *who, cw_date as_of, int64_t days, int *raised,
                                cw_error *err);
/* The next member of staff in post above staff_id, or "". */
cw_rc cw_casework_manager_in_post(cw_store *s, const char *staff_id, char out[65], cw_error *err);

/* A legal hold in force (docs/privacy.md, "Retention"). */
typedef struct cw_legal_hold {
    int found;
    char hold_id[65];
    char kind[32];   /* litigation | inquiry | complaint | police_investigation | other */
    cw_date since;   /* the hold's date */
    int every_child; /* placed on every child's record, not on one */
} cw_legal_hold;

/* The earliest-placed legal hold covering child's record on day `on` (on the child, or on
 * every child; not lifted; its until, if any, not before `on`); found 0 if none. */
cw_rc cw_casework_hold_covering(cw_store *s, const char *child, cw_date on, cw_legal_hold *out,
                                cw_error *err);

/* *any: 1 if an erasure of child's whole record would still destroy something (a personal
 * part held beside the log); 0 once it has all been erased (or there was none). */
cw_rc cw_casework_erasable(cw_store *s, const char *child, int *any, cw_error *err);

/*
 * Applies the stored entries [from, to) to the projections in s and records how far they
 * reach: the replay of cw_casework_rebuild, for a store filled another way (an exported log
 * read back into a scratch store, cw_store_open_scratch).
 */
cw_rc cw_casework_replay(cw_store *s, uint64_t from, uint64_t to, cw_error *err);

/* Recreates every projection from the ledger, in one transaction. */
cw_rc cw_casework_rebuild(cw_ledger *l, cw_error *err);

/*
 * Readers: CW_OK if the projections cover every entry of the log, else
 * CW_EVERIFY naming how far behind they are (after an upgrade emptied them,
 * say) and what to run. Writers catch up instead: cw_casework_catch_up
 * applies the missing entries in one transaction (cw_casework_begin does the
 * same at the start of every batch).
 */
cw_rc cw_casework_current(cw_ledger *l, cw_error *err);

/*
 * The children a command is about, as the projection will file it: its
 * child_id, the child of the record it names (referral, assessment,
 * enquiry), the cases a supervision discussed, the children of a corrected
 * entry. Up to 50; *n receives how many.
 */
cw_rc cw_casework_children(cw_store *s, const char *type, const json_t *payload, char (*ids)[65],
                           size_t cap, size_t *n, cw_error *err);
cw_rc cw_casework_catch_up(cw_ledger *l, cw_error *err);

/*
 * Appends to out the payload of an event of this type as the rules read it
 * (util/facts.h): free text reduced to "present". The projection keeps each
 * child's history in this form.
 */
cw_rc cw_casework_facts(const char *type, const json_t *payload, cw_buf *out);

/*
 * Personal data and facts (issue 13; docs/privacy.md). A field is personal when it is free
 * text, except the few free texts that are facts (a team's name and service area, an
 * escalation's item, a record access's route): names, addresses, reasons, views, analysis,
 * notes. Everything else (identifiers, dates, choices, numbers, yes/no) is a fact.
 * cw_casework_field_personal says which. Unknown types and fields are not personal.
 */
bool cw_casework_field_personal(const char *type, const char *field);

/*
 * Splits an event's payload into its facts and its personal part. *facts is a copy of payload
 * with each personal text that is not empty replaced by true, so that its presence stays a
 * fact (cw_casework_facts gives the same bytes for both); *personal holds those texts at the
 * same places, or is NULL when there are none. A correction's reason is personal, and so are
 * the personal fields of the corrected entry inside its changes: target_type names that
 * entry's type (NULL for any other event, and for a correction whose changes should be left
 * whole). The caller owns both. cw_casework_join puts a personal part back: a copy of facts
 * with personal laid over it (personal may be NULL); NULL only when out of memory.
 */
cw_rc cw_casework_split(const char *type, const char *target_type, const json_t *payload,
                        json_t **facts, json_t **personal, cw_error *err);
json_t *cw_casework_join(const json_t *facts, const json_t *personal);
/*
 * The same, as an event is recorded: with the log's text key (cw_ledger_text_key), a text
 * the integrity analytics compare (a visit's views, an assessment's analysis) also leaves its
 * print among the facts (util/textprint.h), so that erasing it changes no figure.
 */
cw_rc cw_casework_split_keyed(const char *type, const char *target_type, const json_t *payload,
                              const uint8_t *key, json_t **facts, json_t **personal, cw_error *err);

/* True if type is a casework or organisation event in the catalogue. */
bool cw_casework_known_type(const char *type);

/* Whether s is an identifier as every event's id fields take it: 1-64 of A-Z a-z 0-9 . _ : -. */
bool cw_casework_valid_id(const char *s);

/*
 * Improvement plans (src/improve/, docs/improvement.md) sit above casework: their events are in
 * this catalogue (fields and limits), and their state checks are the improvement module's,
 * registered here by cw_improve_register(). Until one is registered every improve_* event is
 * refused. The call sees the store inside the write's transaction, so entries earlier in the
 * same batch are there to read.
 */
typedef struct cw_casework_improve_call {
    cw_store *store;
    const char *actor; /* who records it: a staff id */
    cw_date recorded;  /* the day it is recorded */
    uint64_t idx;      /* the index it will have */
} cw_casework_improve_call;
typedef cw_rc (*cw_casework_improve_fn)(const cw_casework_improve_call *call, const char *type,
                                        const json_t *payload, cw_error *err);
void cw_casework_set_improve(cw_casework_improve_fn fn);
/* 1 if type is an improvement plan event (improve_...). */
int cw_casework_is_improve(const char *type);
/* The catalogue's event types in order: the i-th, or NULL past the last. */
const char *cw_casework_type_name(size_t i);

/* Writes the catalogue as Markdown (for docs and `caseward events`). */
cw_rc cw_casework_describe(cw_buf *out);

/* Effective date of an entry: its payload "date", else its recorded date. */
cw_date cw_casework_effective_date(const json_t *payload, int64_t recorded_ms);

/*
 * A child's events with corrections applied, in (date, index) order: what the
 * chronology prints and what the rules engine reads. Entries are owned by the
 * history; release with cw_casework_history_release.
 */
typedef struct cw_history_entry {
    uint64_t index;
    cw_date date;
    int64_t recorded_ms; /* the log's own time of the append */
    int64_t source_ms;   /* when it was first recorded: source.recorded_at for history migrated
                            from another system (ledger/entry.h), else recorded_ms */
    char type[64];
    char actor[129];
    json_t *payload;  /* corrected payload */
    json_t *original; /* the payload as first recorded, if a correction changed it; else NULL */
    uint64_t corrected_by[8];
    size_t ncorrections;
    /* Personal data removed (docs/privacy.md): the erasure_approved entry that destroyed this
     * entry's personal part, or a correction's, else -1; its date; the lawful basis proposed.
     * The texts it held read true (they were there; they are gone). */
    int64_t removed_by;
    cw_date removed_on;
    char removed_under[32];
} cw_history_entry;

typedef struct cw_history {
    char child_id[65];
    cw_date date_of_birth;
    cw_history_entry *entries;
    size_t n, cap;
} cw_history;

/*
 * Every erasure proposed, the latest first, for the data protection officer (docs/privacy.md):
 * a JSON array of {erasure_id, child_id, proposed_on, proposed_by, lawful_basis, basis_label,
 * requested_by, reason, entries (null: the whole record), state (proposed, approved,
 * declined), decided_on, decided_by, decision_reason}. Only what the proposal and the
 * decision say: no case content.
 */
cw_rc cw_casework_erasures(cw_ledger *l, json_t **out, cw_error *err);

/*
 * The two-person rule (access_change.c; docs/events.md, "Two-person rule"). *widens: 1 if the
 * command (staff_changed or restriction_changed; any other type: 0) would let someone see a
 * child's record they cannot see now: such a change is proposed (access_change_proposed) and
 * applied when a second person approves it (access_change_approved) within
 * CW_ACCESS_CHANGE_DAYS days.
 */
#define CW_ACCESS_CHANGE_DAYS 14
cw_rc cw_casework_access_widens(cw_store *s, const char *type, const json_t *payload, int *widens,
                                cw_error *err);
/*
 * Every access change proposed, the latest first, on day today (which says which pending ones
 * have expired): a JSON array of {proposal_id, change, to (the change's fields), now (what they
 * are now: role, team_id, manager_id; or restricted), reason, proposed_by, proposed_on,
 * expires_after, proposed_entry, state (pending, expired, applied, rejected, withdrawn),
 * decided_by, decided_on, decision_reason}.
 */
cw_rc cw_casework_access_changes(cw_ledger *l, cw_date today, json_t **out, cw_error *err);
/* The child whose record a proposed access change is about, or "" (a change of staff). */
cw_rc cw_casework_access_change_child(cw_store *s, const char *proposal_id, char child[65],
                                      cw_error *err);

/* An erasure's lawful basis in words: "a request for erasure (UK GDPR article 17)" for
 * erasure_request, and so on (docs/privacy.md). */
const char *cw_casework_basis_label(const char *basis);

cw_rc cw_casework_history(cw_ledger *l, const char *child_id, cw_history *h, cw_error *err);
void cw_casework_history_release(cw_history *h);

#endif
