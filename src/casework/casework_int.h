/* casework_int.h — private to src/casework: the catalogue and the context
 * that validation and projection share. */
#ifndef CW_CASEWORK_CASEWORK_INT_H
#define CW_CASEWORK_CASEWORK_INT_H

#include "casework/casework.h"
#include "store/store.h"

typedef enum ftype { F_ID, F_TEXT, F_DATE, F_BOOL, F_INT, F_ENUM, F_IDS, F_OBJECT } ftype;

enum {
    REQ = 1,      /* required */
    PAST = 2,     /* a date that must not be after the recorded date */
    NOFIX = 4,    /* cannot be changed by a correction (identifiers) */
    FACT = 8,     /* free text that is a fact, not personal data: it stays in the leaf (issue 13) */
    PRINT = 16,   /* a personal text's fingerprint (util/textprint.h), the field named before
                     "_print": set by caseward when the text is split off, never given */
    REPEATS = 32, /* ids: the same identifier may be listed more than once */
};

typedef struct field {
    const char *name;
    ftype type;
    unsigned flags;
    int max;                   /* text: bytes; int: maximum; ids: count */
    const char *const *values; /* enum values, NULL-terminated */
} field_spec;

/* What validation and projection of one entry need to know. */
typedef struct cw_ctx {
    cw_store *store;
    uint64_t idx;        /* the entry's ledger index */
    int64_t recorded_ms; /* its recorded_at */
    cw_date recorded;    /* its recorded date */
    const char *actor;
    const char *only_child; /* when re-projecting one child: apply only its part */
} cw_ctx;

typedef cw_rc (*check_fn)(cw_ctx *c, const json_t *p, cw_error *err);

typedef struct event_spec {
    const char *name;
    int org; /* organisation event: any actor may record it */
    const field_spec *fields;
    check_fn check;     /* state-dependent validation; NULL if none */
    const char *new_id; /* the record identifier this event creates (must be new), or NULL */
} event_spec;

const event_spec *cw_casework_spec(const char *type);

/* The checks against the current record: a new record's id is unused, then spec->check. */
cw_rc cw_casework_check_state(cw_ctx *c, const event_spec *spec, const json_t *p, cw_error *err);

/* Generic checks against the field table (types, limits, required, unknown). */
cw_rc cw_casework_check_fields(const event_spec *spec, const json_t *payload, cw_date recorded,
                               cw_error *err);

/*
 * The catalogue's rules that a corrected event (payload: the event with all
 * corrections so far and this one merged in) must still obey; changes are
 * this correction's, recorded_by the corrected entry's actor. Field types
 * and limits are checked separately (cw_casework_check_fields).
 */
cw_rc cw_casework_check_corrected(cw_ctx *c, const char *type, const json_t *payload,
                                  const json_t *changes, const char *recorded_by, cw_error *err);

/* The UTC day of a time in ms since the epoch. */
cw_date cw_casework_day_of(int64_t ms);

/* Applies one entry (any type) to the projections; unknown types are ignored. */
cw_rc cw_casework_apply(cw_ctx *c, const char *type, const json_t *payload, cw_error *err);

/* The children an entry is about (child_id, a record's child, cases discussed). */
typedef struct child_list {
    char ids[50][65];
    size_t n;
} child_list;
cw_rc cw_casework_children_of(cw_ctx *c, const char *type, const json_t *payload, child_list *out,
                              cw_error *err);

/* An entry read back from the log; release with json_decref(root). */
typedef struct entry_view {
    json_t *root;
    const char *type;
    const json_t *payload;
    int64_t recorded_ms;
    int64_t source_ms; /* when the source system recorded it (migrated history), else recorded_ms */
    int64_t erased_by; /* the erasure entry that destroyed its personal part, or -1 */
} entry_view;
/* The entry as recorded: its facts with its personal part laid back over them (docs/privacy.md);
 * once that part is erased, its texts stay true (present, removed) and erased_by names why. */
cw_rc cw_casework_read_entry(cw_store *s, uint64_t idx, entry_view *e, cw_error *err);

/*
 * Lays entry idx's personal part, if its leaf commits to one and it is held, over the payload
 * in root (the leaf parsed). *erased_by is the erasure entry once the part is destroyed, else
 * -1. A part that is not there at all (a log rebuilt from a facts-only export) leaves the facts
 * as they are: caseward verify is what finds a part missing from a council's database.
 */
cw_rc cw_casework_join_personal(cw_store *s, uint64_t idx, const void *leaf, size_t len,
                                json_t *root, int64_t *erased_by, cw_error *err);

/* Re-projects one child from the log (after a correction, a decision or an erasure). */
cw_rc cw_casework_reproject(cw_ctx *c, const char *child_id, cw_error *err);
/* Adds a child to a list once; a store row callback adding column 0's child. */
void cw_casework_child_list_add(child_list *l, const char *id);
cw_rc cw_casework_child_list_row(void *ctx, const cw_value *c, size_t n);

/* A print field (PRINT) given in a command, or in a correction's changes: refused. */
cw_rc cw_casework_check_no_print(const char *type, const char *target_type, const json_t *p,
                                 cw_error *err);

/* Erasure (erasure.c, docs/privacy.md): the checks, and the effect of an approval: the
 * personal parts it names are destroyed and the children they concern re-projected. */
cw_rc cw_casework_check_erasure_proposed(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_erasure_approved(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_erasure_declined(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_erase(cw_ctx *c, const json_t *p, cw_error *err);
/* erasure_proposed, _approved, _declined: about a child's record, not casework on it. */
int cw_casework_is_erasure(const char *type);
/* When (*on) and under what lawful basis the erasure approved in entry `by` was made. */
cw_rc cw_casework_removal(cw_store *s, int64_t by, cw_date *on, char *basis, size_t cap,
                          cw_error *err);

/* Case-file audits (audits.c, docs/audits.md): the checks and the projection. Audit events
 * are not casework on the child: no child's chronology or history holds them. */
#define CW_AUDIT_THEMES_TEXT 600 /* the themes of a programme, comma-separated */
int cw_casework_is_audit(const char *type);
cw_rc cw_casework_check_audit_programme(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_sample(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_case_added(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_moderator(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_graded(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_completed(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_finding_actioned(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_recommendation(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_action_set(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_report_issued(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_report_acknowledged(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_action_updated(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_audit_action_completed(cw_ctx *c, const json_t *p, cw_error *err);
/* audit_action_signed_off and audit_action_returned: never by the action's owner. */
cw_rc cw_casework_check_audit_action_decided(cw_ctx *c, const json_t *p, cw_error *err);
/*
 * After an audit_case_completed entry (c->idx) that opened a critical finding: records at once
 * an escalation_raised (actor system:escalation) to each of the case's team manager and service
 * manager (up the chain from its worker) and the programme's area manager; the head of service
 * in post if none of them is there. Nothing if the audit found nothing critical.
 */
cw_rc cw_casework_audit_finding_told(cw_ledger *l, const cw_ctx *c, const json_t *p, cw_error *err);
/* Applies an audit event (date: its date field) to the audit tables. */
cw_rc cw_casework_apply_audit(cw_ctx *c, const char *type, const json_t *p, const char *date,
                              cw_error *err);

/*
 * The two-person rule (access_change.c): the checks of a proposal, an approval and a rejection;
 * of a staff_changed or restriction_changed that names the proposal it applies (recorded by
 * caseward in the approval's batch, never given); and the approval's effect: the change itself,
 * recorded after it, in the same batch, as the approver's.
 */
cw_rc cw_casework_check_access_proposed(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_access_approved(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_access_rejected(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_access_applied(cw_ctx *c, const char *type, const json_t *p, cw_error *err);
cw_rc cw_casework_access_apply(cw_ledger *l, const cw_ctx *c, const json_t *p, cw_error *err);
/* The projection of access_change_* entries, and of a change that applies one. */
cw_rc cw_casework_apply_access(cw_ctx *c, const char *type, const json_t *p, cw_error *err);

/* Legal holds (holds.c): who may place and lift them, and what they name. */
cw_rc cw_casework_check_hold_placed(cw_ctx *c, const json_t *p, cw_error *err);
cw_rc cw_casework_check_hold_lifted(cw_ctx *c, const json_t *p, cw_error *err);
/*
 * CW_OK if no legal hold in force on day `on` covers child's record (a hold on the child, or on
 * every child); else CW_EFORBIDDEN naming the first hold, for an erasure under `basis` (the
 * lawful basis: a correction of the record, rectification or recorded_in_error, is never
 * stopped by a hold).
 */
cw_rc cw_casework_hold_allows(cw_store *s, const char *child, const char *basis, cw_date on,
                              cw_error *err);

/*
 * The sign-off state of a work entry as it is first applied: the row already there (a
 * re-projection never decides again), else decided now from the policy in force, the
 * recorder's role and what the entry claims, and stored. out->found is 0 for entries that
 * are not work of a sign-off kind.
 */
cw_rc cw_casework_signoff_decide(cw_ctx *c, const char *type, const json_t *p, const char *child,
                                 cw_signoff *out, cw_error *err);

/* The signing key shared by migrate and backup (migrate.c): read whole from its file, one
 * descriptor and no stdio, never through a symbolic link (KEY_FILE_MAX 4096 at most; the caller
 * wipes it with cw_casework_key_wipe); checked to be the log's (its public half the vkey in
 * s's settings; CW_EVERIFY naming path if not). */
cw_rc cw_casework_key_read(const char *path, cw_buf *out, cw_error *err);
cw_rc cw_casework_key_check(cw_store *s, const char *path, const cw_buf *key, cw_error *err);
void cw_casework_key_wipe(cw_buf *b);
/* err's message made "the backup is damaged: MESSAGE; nothing was restored" (backup.c). */
void cw_casework_backup_damaged(cw_error *err);

#endif
