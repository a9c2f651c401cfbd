/*
 * store.h — the storage interface. Everything above this layer reaches the
 * database only through these functions; a backend (SQLite, store_sqlite.c;
 * PostgreSQL, store_postgres.c) supplies a cw_store_ops table. The store knows rows and bytes, not
 * Merkle trees or children.
 *
 * Writes happen between cw_store_begin and cw_store_commit; a failed write
 * leaves the transaction open for the caller to roll back, so a batch is
 * stored whole or not at all. (With PostgreSQL a failed statement aborts the
 * transaction: nothing but the rollback can follow it.) cw_store_begin serialises
 * writers: SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock on the log's tail,
 * so a writer reads the stored size after it and finds every earlier append.
 */
#ifndef CW_STORE_STORE_H
#define CW_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

typedef struct cw_store cw_store;

enum {
    CW_STORE_CREATE = 1,   /* create a new database; refuse if the file exists */
    CW_STORE_READONLY = 2, /* open an existing database for reading only */
    CW_STORE_NO_MMAP = 4,  /* a reader that must not map the file: long-lived beside a busy
                              writer, whose every commit would make it map the file again */
    /* With CREATE, PostgreSQL only (caseward migrate): the schema is loaded in a write
     * transaction (as cw_store_begin's) left open; the caller fills the database in it and
     * commits, or rolls back (or closes the store) and leaves the database as it was,
     * without the schema. */
    CW_STORE_CREATE_UNCOMMITTED = 8,
};

/*
 * Named queries over the projections. The SQL for each lives in the backend
 * (store_sqlite.c, store_postgres.c), so callers never build SQL; parameters are always bound.
 */
typedef enum cw_query {
    CW_Q_PROJECTION_APPLIED,     /* () -> applied */
    CW_Q_PROJECTION_SET_APPLIED, /* (applied) */
    CW_Q_TEAM_GET,               /* (team_id) -> name */
    CW_Q_TEAM_PUT,               /* (team_id, name, service_area, idx) */
    CW_Q_STAFF_GET,              /* (staff_id) -> role, team_id, manager_id, left_on, name */
    CW_Q_STAFF_PUT,              /* (staff_id, name, role, team_id, manager_id, idx) upsert */
    CW_Q_STAFF_LEFT,             /* (staff_id, left_on, idx) */
    CW_Q_STAFF_ALL,              /* () -> staff_id, role, team_id, manager_id, left_on */
    CW_Q_CHILD_GET,              /* (child_id) -> date_of_birth, case_status, worker_id, cp_since,
                                    looked_after_since, restricted, cp_category */
    CW_Q_CHILD_PUT,              /* (child_id, given, family, dob, gender, ethnicity, language,
                                    address, restricted, idx, last_activity) */
    CW_Q_CHILD_SET_WORKER,       /* (child_id, worker_id) */
    CW_Q_CHILD_SET_STATUS,       /* (child_id, case_status) */
    CW_Q_CHILD_SET_CP,           /* (child_id, cp_category, cp_since) */
    CW_Q_CHILD_SET_LOOKED_AFTER, /* (child_id, since, placement_id, placement_type) */
    CW_Q_CHILD_SET_PLACEMENT,    /* (child_id, placement_id, placement_type) */
    CW_Q_CHILD_TOUCH,            /* (child_id, date): last_activity = max(last_activity, date) */
    CW_Q_CHILD_DELETE,           /* (child_id) */
    CW_Q_CHILDREN_ALL,           /* () -> child_id, date_of_birth, worker_id, case_status */
    CW_Q_ACCESS_PUT,             /* (child_id, staff_id) */
    CW_Q_ACCESS_DELETE,          /* (child_id) */
    CW_Q_RECORD_GET,          /* (record_id) -> kind, child_id, opened_on, closed_on, status, idx */
    CW_Q_RECORD_PUT,          /* (record_id, kind, child_id, opened_on, status, idx) */
    CW_Q_RECORD_CLOSE,        /* (record_id, closed_on, status, closed_idx) */
    CW_Q_RECORD_DELETE_CHILD, /* (child_id) */
    CW_Q_VISIT_PUT,           /* (idx, child_id, date, seen, seen_alone, views_recorded) */
    CW_Q_VISIT_DELETE_CHILD,  /* (child_id) */
    CW_Q_SUPERVISION_PUT,     /* (idx, supervisee_id, supervisor_id, date) */
    CW_Q_SUPERVISION_CASE_PUT,          /* (idx, child_id) */
    CW_Q_SUPERVISION_CASE_DELETE_CHILD, /* (child_id) */
    CW_Q_CHILD_EVENT_PUT,               /* (child_id, idx, date, type) */
    CW_Q_CHILD_EVENTS,                  /* (child_id) -> idx, date, type, in (date, idx) order */
    CW_Q_CHILD_EVENTS_DELETE,           /* (child_id) */
    CW_Q_CHILD_HISTORY_TAIL,            /* (child_id) -> seg, events: the segments, last first */
    CW_Q_CHILD_HISTORY_TRIM,            /* (child_id, seg): drops the segments from seg on */
    CW_Q_CHILD_FOR_RULES,               /* (child_id) -> date_of_birth, events (blob or NULL),
                                           a row per segment in order */
    CW_Q_HISTORIES_RANGE,               /* (first child_id, last child_id) -> child_id, events:
                                           every segment, in (child_id, seg) order */
    CW_Q_CHILD_HISTORY_PUT,             /* (child_id, seg, events blob) */
    CW_Q_CHILD_HISTORY_DELETE,          /* (child_id) */
    CW_Q_EVENT_CHILDREN,                /* (idx) -> child_id: the children an entry is about */
    CW_Q_CORRECTION_PUT,                /* (idx, corrects, reason) */
    CW_Q_CORRECTIONS_OF,                /* (corrects) -> idx, reason, in idx order */
    CW_Q_ESCALATION_PUT,                /* (child_id, item, level, notified_id, as_of, idx) */
    CW_Q_ESCALATION_GET,                /* (child_id, item, level) -> notified_id, as_of, idx */
    CW_Q_ESCALATION_DELETE_CHILD,       /* (child_id) */
    CW_Q_ACCOUNT_GET,            /* (username) -> staff_id, role, password, must_change, disabled,
                                    expires_on, failed, locked_until */
    CW_Q_ACCOUNT_PUT,            /* (username, staff_id, role, password, must_change, expires_on,
                                    created_at) */
    CW_Q_ACCOUNT_SET_PASSWORD,   /* (username, password, must_change) */
    CW_Q_ACCOUNT_SET_STATUS,     /* (username, disabled, expires_on, language) */
    CW_Q_ACCOUNT_SIGN_IN,        /* (username, failed, locked_until) */
    CW_Q_ACCOUNT_COUNT,          /* () -> count */
    CW_Q_RECORD_ACCESS_PUT,      /* (idx, child_id, actor, what, allowed, at) */
    CW_Q_RECORD_ACCESS_OF_CHILD, /* (child_id) -> idx, actor, what, allowed, at, oldest first */
    CW_Q_CHILDREN_AFTER,         /* (child_id) -> child_id, date_of_birth, worker_id, case_status,
                                    given_name, family_name: the children after it, by id */
    CW_Q_CHILDREN_OF_WORKER,     /* (staff_id) -> child_id, worker_id, case_status, given_name,
                                    family_name, date_of_birth, language: allocated, by id */
    CW_Q_CHILDREN_OF_TEAM,       /* (team_id) -> as CHILDREN_OF_WORKER: allocated to its staff,
                                    by worker then child */
    CW_Q_STAFF_LIST,             /* () -> staff_id, name, role, team_id, manager_id, left_on */
    CW_Q_TEAMS_ALL,              /* () -> team_id, name, service_area */
    CW_Q_TOKEN_PUT,              /* (name, hash, username, scope, created_at) */
    CW_Q_TOKEN_BY_HASH,          /* (hash) -> name, username, scope, revoked */
    CW_Q_TOKEN_GET,              /* (name) -> username, scope, revoked */
    CW_Q_TOKEN_REVOKE,           /* (name) */
    CW_Q_STAFF_IN_POST,          /* (role) -> staff_id, team_id, manager_id: in post, by id */
    CW_Q_CHILD_RECORD,           /* (child_id) -> every column of children but idx, in order */
    CW_Q_CHILD_SCOPE,            /* (child_id) -> worker_id, restricted, worker's team_id,
                                    that team's service_area, the worker's manager and theirs */
    CW_Q_TEAM_REPORTS_TO,        /* (team_id, staff_id) -> 1 if a member's manager, or that
                                    manager's manager, is staff_id */
    CW_Q_CHILD_ACCESS_HAS,       /* (child_id, staff_id) -> 1 if named on the restricted record */
    CW_Q_CHILD_ACCESS_LIST,      /* (child_id) -> staff_id: those named on it, in order */
    CW_Q_TEAM_AREA,              /* (team_id) -> service_area */
    CW_Q_CHILD_NAME,             /* (child_id) -> given_name, family_name, worker_id */
    CW_Q_CHILDREN_UNALLOCATED,   /* () -> as CHILDREN_OF_WORKER: open cases with no worker */
    CW_Q_SIGNOFF_GET,            /* (idx) -> kind, child_id, submitted_by, submitted_on, state,
                                    decided_by, decided_on, decided_idx */
    CW_Q_SIGNOFF_PUT,            /* (idx, child_id, kind, submitted_by, submitted_on, state,
                                    decided_by, decided_on) insert, or keep the row there */
    CW_Q_SIGNOFF_DECIDE,         /* (idx, state, decided_by, decided_on, decided_idx) */
    CW_Q_SIGNOFFS_PENDING,       /* () -> idx, child_id, kind, submitted_by, submitted_on: work
                                    awaiting sign-off, oldest first */
    CW_Q_SIGNOFFS_RETURNED,      /* (submitted_by) -> as SIGNOFFS_PENDING: their returned work */
    CW_Q_POLICY_GET,             /* (key) -> value, idx */
    CW_Q_POLICY_PUT,             /* (key, value, idx) upsert */
    CW_Q_CHILD_SET_RESTRICTED,   /* (child_id, restricted) */
    CW_Q_DEPUTY_PUT,             /* (manager_id, deputy_id, until, idx) upsert */
    CW_Q_DEPUTY_HAS,             /* (manager_id, deputy_id, day) -> 1 if a deputy on that day */
    CW_Q_DEPUTIES_ALL,           /* () -> manager_id, deputy_id, until: by manager, deputy */
    CW_Q_ENTRIES_ACCOUNTS,       /* () -> idx, leaf: the entries that may be account or token
                                    events (a superset: the caller reads each one's type) */
    CW_Q_ERASURES,  /* () -> record_id, child_id, opened_on, status, idx, closed_on, closed_idx:
                       every erasure proposed, the latest first */
    CW_Q_HOLD_GET,  /* (hold_id) -> child_id, kind, placed_on, until, lifted_on, idx */
    CW_Q_HOLD_PUT,  /* (hold_id, child_id, kind, placed_on, until, idx) */
    CW_Q_HOLD_LIFT, /* (hold_id, lifted_on, lifted_idx) */
    CW_Q_HOLDS_COVERING,       /* (child_id, day) -> hold_id, kind, placed_on, child_id: holds
                                  on the child or every child, not lifted, not lapsed by day */
    CW_Q_ERASURES_PENDING_OF,  /* (child_id) -> erasure_id, lawful_basis: proposals undecided */
    CW_Q_ACCESS_CHANGES,       /* () -> record_id, idx, status, closed_on, closed_idx: every
                                  access change proposed (records of kind access_change), the
                                  latest first */
    CW_Q_CHILD_RETENTION,      /* (child_id) -> kind, status, date: the child's records, and
                                  'event', type, date for the events retention reads */
    CW_Q_ACCOUNTS_ALL,         /* () -> username, staff_id, role, password, must_change, disabled,
                                  expires_on, failed, locked_until, created_at, language: every
                                  column, by username (migrate copies them with ACCOUNT_COPY) */
    CW_Q_ACCOUNT_COPY,         /* (the columns of ACCOUNTS_ALL, in its order): the row as it was */
    CW_Q_TOKENS_ALL,           /* () -> name, hash, username, scope, created_at, revoked: every
                                  column, by name (migrate copies them with TOKEN_COPY) */
    CW_Q_TOKEN_COPY,           /* (the columns of TOKENS_ALL, in its order): the row as it was */
    CW_Q_AUDIT_PROGRAMME_GET,  /* (programme_id) -> title, commissioned_by, starts, ends, framework,
                                  framework_sha256, themes, grades, critical, area_manager_id, idx */
    CW_Q_AUDIT_PROGRAMME_PUT,  /* (programme_id, title, commissioned_by, starts, ends, framework,
                                  framework_sha256, themes, grades, critical, area_manager_id, idx)
                                */
    CW_Q_AUDIT_PROGRAMMES_ALL, /* () -> programme_id, title, commissioned_by, starts, ends,
                                  framework, grades, idx: the latest first */
    CW_Q_AUDIT_AUDITOR_PUT,    /* (programme_id, staff_id) */
    CW_Q_AUDIT_AUDITOR_HAS,    /* (programme_id, staff_id) -> 1 if one of its auditors */
    CW_Q_AUDIT_AUDITORS_OF,    /* (programme_id) -> staff_id, by staff_id */
    CW_Q_AUDIT_SAMPLE_PUT,     /* (idx, programme_id, seed, log_size, size, minimum, drawn_on) */
    CW_Q_AUDIT_SAMPLES_OF,     /* (programme_id) -> idx, seed, log_size, size, minimum, drawn_on: in
                                  order drawn */
    CW_Q_AUDIT_CASE_PUT, /* (programme_id, child_id, auditor_id, how, added_on, idx, team_id) */
    CW_Q_AUDIT_CASE_GET, /* (programme_id, child_id) -> auditor_id, how, added_on, idx, team_id,
                            completed_on, overall, completed_idx, moderator_id, moderated_on,
                            moderated_overall, moderated_idx */
    CW_Q_AUDIT_CASE_COMPLETE,  /* (programme_id, child_id, completed_on, overall, completed_idx) */
    CW_Q_AUDIT_CASE_MODERATOR, /* (programme_id, child_id, moderator_id) */
    CW_Q_AUDIT_CASE_MODERATED, /* (programme_id, child_id, moderated_on, moderated_overall,
                                  moderated_idx) */
    CW_Q_AUDIT_CASES_OF,       /* (programme_id) -> child_id, auditor_id, how, added_on, team_id,
                                  completed_on, overall, moderator_id, moderated_on, moderated_overall: by
                                  child_id */
    CW_Q_AUDIT_CASES_OF_STAFF, /* (staff_id, day) -> programme_id, child_id, auditor_id,
                                  moderator_id, completed_on, moderated_on, ends: the cases the
                                  staff audits or moderates in programmes running on day */
    CW_Q_AUDIT_ACCESS,    /* (child_id, staff_id, day) -> 1 if the staff audits or moderates the
                             child's case in a programme running on day */
    CW_Q_AUDIT_GRADE_PUT, /* (programme_id, child_id, pass, theme, grade, graded_by, graded_on, idx)
                             upsert */
    CW_Q_AUDIT_GRADES_OF, /* (programme_id, child_id, pass) -> theme, grade, graded_by, graded_on,
                             idx: by theme */
    CW_Q_AUDIT_GRADES_ALL,  /* (programme_id) -> child_id, pass, theme, grade, graded_by: by child,
                               pass, theme */
    CW_Q_AUDIT_FINDING_PUT, /* (programme_id, child_id, found_on, idx) */
    CW_Q_AUDIT_FINDING_GET, /* (programme_id, child_id) -> found_on, idx, actioned_on, actioned_by,
                               actioned_idx */
    CW_Q_AUDIT_FINDING_ACTIONED, /* (programme_id, child_id, actioned_on, actioned_by, actioned_idx)
                                  */
    CW_Q_AUDIT_FINDINGS_ALL,     /* () -> programme_id, child_id, found_on, idx, actioned_on,
                                    actioned_by: by programme, child */
    CW_Q_AUDIT_CANDIDATES, /* (since) -> child_id, team_id, case_type: open cases, not restricted,
                              none drawn or added for audit after since; by child_id */
    CW_Q_AUDIT_RECOMMENDATION_GET, /* (recommendation_id) -> programme_id, number */
    CW_Q_AUDIT_RECOMMENDATION_PUT, /* (recommendation_id, programme_id, number, theme, text, idx) */
    CW_Q_AUDIT_RECOMMENDATIONS_OF, /* (programme_id) -> recommendation_id, number, theme, text: by
                                      number */
    CW_Q_AUDIT_RECOMMENDATION_COUNT, /* (programme_id) -> how many */
    CW_Q_AUDIT_ACTION_GET, /* (action_id) -> recommendation_id, programme_id, owner_id, due, status,
                              number */
    CW_Q_AUDIT_ACTION_PUT, /* (action_id, recommendation_id, programme_id, number, text, owner_id,
                              due, idx): status open */
    CW_Q_AUDIT_ACTION_COUNT,      /* (recommendation_id) -> how many */
    CW_Q_AUDIT_ACTION_SET_STATUS, /* (action_id, status, updated_on) */
    CW_Q_AUDIT_ACTION_COMPLETE,   /* (action_id, completed_on, completed_idx): awaiting sign-off */
    CW_Q_AUDIT_ACTION_CLOSE,      /* (action_id, closed_on, closed_by, closed_idx) */
    CW_Q_AUDIT_ACTIONS_OF, /* (programme_id) -> action_id, recommendation_id, recommendation number,
                              number, text, owner_id, due, status, updated_on, completed_on,
                              closed_on, closed_by: in number order */
    CW_Q_AUDIT_ACTIONS_OPEN, /* () -> action_id, programme_id, owner_id, due, status: every action
                                not closed, of an issued report, by due date */
    CW_Q_AUDIT_REPORT_GET, /* (report_id) -> programme_id, issued_on, issued_by, acknowledge_within,
                              content_sha256, idx */
    CW_Q_AUDIT_REPORT_OF,  /* (programme_id) -> report_id, issued_on, issued_by, acknowledge_within,
                              content_sha256, idx */
    CW_Q_AUDIT_REPORT_PUT, /* (report_id, programme_id, issued_on, issued_by, acknowledge_within,
                              content_sha256, idx) */
    CW_Q_AUDIT_REPORTS_ALL,      /* () -> report_id, programme_id, issued_on, issued_by,
                                    acknowledge_within, content_sha256, idx: the latest first */
    CW_Q_AUDIT_RECIPIENT_PUT,    /* (report_id, staff_id) */
    CW_Q_AUDIT_RECIPIENT_ACK,    /* (report_id, staff_id, acknowledged_on, acknowledged_idx) */
    CW_Q_AUDIT_RECIPIENTS_OF,    /* (report_id) -> staff_id, acknowledged_on, acknowledged_idx: by
                                    staff_id */
    CW_Q_AUDIT_CASES_OPEN_COUNT, /* (programme_id) -> how many of its cases are not yet completed */
    CW_Q_AUDIT_ACTIONS_COUNT,    /* (programme_id) -> how many actions its recommendations have */
    CW_Q_AUDIT_CASES_OF_CHILD,   /* (child_id) -> programme_id, how, auditor_id, moderator_id,
                                    completed_on, moderated_on, added_on: by added_on */
    CW_Q_IMPROVE_PUT,            /* (idx, type): an improvement plan entry */
    CW_Q_IMPROVE_ENTRIES,        /* () -> idx, leaf: every improvement plan entry, in log order */
    CW_Q_COUNT
} cw_query;

typedef enum cw_value_type { CW_V_NULL = 0, CW_V_INT, CW_V_TEXT, CW_V_BLOB } cw_value_type;

/* A parameter or a column. Text is not NUL-terminated in columns: use len. */
typedef struct cw_value {
    cw_value_type type;
    int64_t i;
    const char *s;
    size_t len;
} cw_value;

#define CW_NULL   ((cw_value){CW_V_NULL, 0, NULL, 0})
#define CW_INT(x) ((cw_value){CW_V_INT, (int64_t)(x), NULL, 0})
/* Text from a C string; NULL gives SQL NULL. */
cw_value cw_text(const char *s);
/* Bytes as a BLOB (len 0 gives an empty blob, not NULL). */
cw_value cw_blob(const void *p, size_t len);

/*
 * Copies a text value into out (NUL-terminated). Returns 1 if copied, 0 if the
 * value is not text (out = ""), -1 if it does not fit (out = "").
 */
int cw_value_copy(const cw_value *v, char *out, size_t cap);

/* Called for each row; columns are valid only during the call. */
typedef cw_rc (*cw_store_row_fn)(void *ctx, const cw_value *cols, size_t ncols);

/* Called for each entry in index order; a non-zero return stops the scan. */
typedef cw_rc (*cw_store_entry_fn)(void *ctx, int64_t idx, const uint8_t *hashes, size_t hlen,
                                   const uint8_t *leaf, size_t llen);
/*
 * Called for each difference cw_store_compare_read_model finds: the table, the
 * row's key ("staff_id=sw.1"; identifiers only) and what differs ("differs
 * (role)", "is missing from the database", "is not in the log"). Never
 * personal data: only table names, key columns and column names.
 */
typedef void (*cw_store_diff_fn)(void *ctx, const char *table, const char *key, const char *what);
/* Called for each checkpoint in size order. */
typedef cw_rc (*cw_store_checkpoint_fn)(void *ctx, int64_t size, const char *note, size_t len);

/* One row of the personal table (cw_store_personal_scan). */
typedef cw_rc (*cw_store_personal_fn)(void *ctx, uint64_t idx, const uint8_t *salt, size_t salt_len,
                                      const uint8_t *body, size_t body_len, uint64_t erased_idx);
/* What the personal table holds for an entry (cw_store_personal_get). */
typedef enum cw_personal_state {
    CW_PERSONAL_ABSENT = 0, /* no row: the entry has no personal part (or is not stored) */
    CW_PERSONAL_HELD,       /* salt and body are held */
    CW_PERSONAL_ERASED,     /* salt and body were erased by the entry erased_idx */
} cw_personal_state;

typedef struct cw_store_ops {
    void (*close)(cw_store *s);
    cw_rc (*begin)(cw_store *s, cw_error *err);
    cw_rc (*begin_read)(cw_store *s, cw_error *err);
    cw_rc (*commit)(cw_store *s, cw_error *err);
    void (*rollback)(cw_store *s);
    cw_rc (*meta_get)(cw_store *s, const char *key, cw_buf *value, cw_error *err);
    cw_rc (*meta_put)(cw_store *s, const char *key, const char *value, cw_error *err);
    cw_rc (*entries_end)(cw_store *s, uint64_t *end, cw_error *err);
    cw_rc (*entry_put)(cw_store *s, uint64_t idx, const uint8_t *hashes, size_t hlen,
                       const void *leaf, size_t llen, cw_error *err);
    cw_rc (*entry_hashes)(cw_store *s, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                          cw_error *err);
    cw_rc (*entry_leaf)(cw_store *s, uint64_t idx, cw_buf *leaf, cw_error *err);
    cw_rc (*entry_scan)(cw_store *s, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                        cw_error *err);
    cw_rc (*checkpoint_put)(cw_store *s, uint64_t size, const char *note, size_t len,
                            cw_error *err);
    cw_rc (*checkpoint_latest)(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err);
    cw_rc (*checkpoint_scan)(cw_store *s, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                             void *ctx, cw_error *err);
    cw_rc (*personal_put)(cw_store *s, uint64_t idx, const uint8_t *salt, size_t salt_len,
                          const void *body, size_t body_len, cw_error *err);
    cw_rc (*personal_get)(cw_store *s, uint64_t idx, cw_buf *salt, cw_buf *body,
                          cw_personal_state *state, uint64_t *erased_idx, cw_error *err);
    cw_rc (*personal_erase)(cw_store *s, uint64_t idx, uint64_t erased_idx, cw_error *err);
    cw_rc (*personal_scan)(cw_store *s, cw_store_personal_fn fn, void *ctx, cw_error *err);
    cw_rc (*check_structure)(cw_store *s, cw_error *err);
    cw_rc (*run)(cw_store *s, cw_query q, const cw_value *params, size_t nparams,
                 cw_store_row_fn fn, void *ctx, int64_t *changes, cw_error *err);
    cw_rc (*projections_clear)(cw_store *s, cw_error *err);
    cw_rc (*compare_read_model)(cw_store *s, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                                uint64_t *ndiff, cw_error *err);
    cw_rc (*versions)(cw_store *s, int64_t *schema, int64_t *data, cw_error *err);
    cw_rc (*snapshot)(cw_store *s, const char *path, cw_error *err);
} cw_store_ops;

struct cw_store {
    const cw_store_ops *ops;
    int write_wait_ms; /* cw_store_set_write_wait; 0: the default (two minutes) */
};

/*
 * How long a write transaction (cw_store_begin) waits for another process's to finish before
 * it is refused with CW_EBUSY: by default two minutes, so that a valid batch waits its turn
 * behind a long import rather than fail. A server gives a shorter wait (its requests would
 * otherwise pile up behind an import) and answers 503 "busy" instead. SQLite's busy timeout;
 * PostgreSQL's lock_timeout for the wait on the log's tail.
 */
void cw_store_set_write_wait(cw_store *s, int ms);

/*
 * Whether path is a PostgreSQL connection URI (postgresql://... or postgres://...):
 * such a log has no file, so no key file beside it either (cw_ledger_key_path).
 */
int cw_store_is_uri(const char *path);
/* path as it may be shown: a URI's password (user:PASSWORD@, password=) written ***. */
cw_rc cw_store_display_name(const char *path, cw_buf *out);

/*
 * Opens (or with CW_STORE_CREATE creates, mode 0600) the database at path. A
 * PostgreSQL URI opens the PostgreSQL backend instead (docs/postgres.md): CREATE loads the
 * schema into the database named, refusing one that holds a log already.
 */
cw_rc cw_store_open(const char *path, int flags, cw_store **out, cw_error *err);
void cw_store_close(cw_store *s);

cw_rc cw_store_begin(cw_store *s, cw_error *err);
/* A transaction that only reads (on a read-only store too): every read in it sees the database
 * as of one moment, until cw_store_rollback or cw_store_commit. */
cw_rc cw_store_begin_read(cw_store *s, cw_error *err);
cw_rc cw_store_commit(cw_store *s, cw_error *err);
void cw_store_rollback(cw_store *s);

/* CW_ENOTFOUND if key is not set. */
cw_rc cw_store_meta_get(cw_store *s, const char *key, cw_buf *value, cw_error *err);
cw_rc cw_store_meta_put(cw_store *s, const char *key, const char *value, cw_error *err);

/* One past the highest stored index (0 when empty). */
cw_rc cw_store_entries_end(cw_store *s, uint64_t *end, cw_error *err);
cw_rc cw_store_entry_put(cw_store *s, uint64_t idx, const uint8_t *hashes, size_t hlen,
                         const void *leaf, size_t llen, cw_error *err);
/* Copies entry idx's hashes column into out; CW_ENOTFOUND if absent. */
cw_rc cw_store_entry_hashes(cw_store *s, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                            cw_error *err);
/* Appends entry idx's leaf bytes to leaf; CW_ENOTFOUND if absent. */
cw_rc cw_store_entry_leaf(cw_store *s, uint64_t idx, cw_buf *leaf, cw_error *err);
/* Visits every stored entry with from <= idx < to, in index order. */
cw_rc cw_store_entry_scan(cw_store *s, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                          cw_error *err);

cw_rc cw_store_checkpoint_put(cw_store *s, uint64_t size, const char *note, size_t len,
                              cw_error *err);
/* The checkpoint with the largest size; CW_ENOTFOUND if there is none. */
cw_rc cw_store_checkpoint_latest(cw_store *s, cw_buf *note, uint64_t *size, cw_error *err);
/* Visits every checkpoint with from <= size <= to, in size order. */
cw_rc cw_store_checkpoint_scan(cw_store *s, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                               void *ctx, cw_error *err);

/*
 * The personal part of entry idx (its canonical JSON body) and the salt its
 * leaf's commitment hides it with, kept beside the log in a table that can
 * only be erased, never otherwise changed or deleted (schema triggers).
 * Nothing calls these yet: leaf version 2 will.
 *
 * personal_put stores them, inside the transaction that appends entry idx
 * (a rollback leaves no row); a second put for the same idx is refused.
 */
cw_rc cw_store_personal_put(cw_store *s, uint64_t idx, const uint8_t *salt, size_t salt_len,
                            const void *body, size_t body_len, cw_error *err);
/*
 * *state says whether entry idx's personal part is held (salt and body are
 * appended to the buffers), erased (*erased_idx is the erasure entry; the
 * buffers are untouched) or absent. CW_OK in all three cases.
 */
cw_rc cw_store_personal_get(cw_store *s, uint64_t idx, cw_buf *salt, cw_buf *body,
                            cw_personal_state *state, uint64_t *erased_idx, cw_error *err);
/*
 * Sets entry idx's salt and body to NULL, recording erased_idx, the entry that
 * erased them; with secure_delete on, SQLite overwrites the freed bytes.
 * CW_ENOTFOUND if there is no row; refused (CW_EDB) if it is already erased.
 */
cw_rc cw_store_personal_erase(cw_store *s, uint64_t idx, uint64_t erased_idx, cw_error *err);
/* Calls fn for every row of the personal table in index order (held: salt and body; erased:
 * both NULL, erased_idx the erasure entry). fn's non-zero return stops the scan and is
 * returned. */
cw_rc cw_store_personal_scan(cw_store *s, cw_store_personal_fn fn, void *ctx, cw_error *err);

/*
 * Checks that the database's tables, triggers and indexes are exactly those
 * of caseward's schema: a dropped or altered insert-only trigger, a table
 * recreated without its constraints, or an extra object is evidence of
 * tampering even when the data happens to verify. CW_EVERIFY names the object.
 */
cw_rc cw_store_check_structure(cw_store *s, cw_error *err);

/*
 * Runs a named query with bound parameters, calling fn (may be NULL) for each
 * row; *changes (may be NULL) receives the number of rows written.
 */
cw_rc cw_store_run(cw_store *s, cw_query q, const cw_value *params, size_t nparams,
                   cw_store_row_fn fn, void *ctx, int64_t *changes, cw_error *err);

/* *found = whether the named query returns any row. */
cw_rc cw_store_exists(cw_store *s, cw_query q, const cw_value *params, size_t nparams, int *found,
                      cw_error *err);

/*
 * Empties every projection table (inside the caller's transaction). The
 * projection tables are every table of the schema except the log's own (meta,
 * entries, checkpoints) and those that hold what the log does not (accounts:
 * password hashes and sign-in counters; api_tokens: token hashes; personal:
 * the personal part of entries, which the leaves only commit to): one list,
 * in the backend, that cw_store_compare_read_model uses too, so a projection
 * table added to the schema is cleared, rebuilt and verified with no change here.
 */
cw_rc cw_store_projections_clear(cw_store *s, cw_error *err);

/*
 * Opens a scratch store for rebuilding the read model from the log at
 * live_path without touching it: a new, empty database with caseward's
 * projection tables (a temporary file, mode 0600, in $TMPDIR or /tmp, unlinked
 * as soon as it is open, so it is gone when the store is closed or the process
 * dies), in which the log's tables (meta, entries,
 * checkpoints, personal) are those of live_path, attached read-only. cw_casework_replay
 * into it reads the live log and writes only the scratch. Begin a transaction
 * (cw_store_begin) before reading: the live database is then read as of one
 * moment, replay and comparison alike.
 *
 * With live_path NULL the scratch has empty log tables of its own: the caller
 * stores entries in it (an exported log read back) and replays them.
 */
cw_rc cw_store_open_scratch(const char *live_path, cw_store **out, cw_error *err);

/*
 * On a scratch store after the replay: compares every projection table of the
 * rebuilt read model with the live database's, row for row in primary-key
 * order (two ordered scans merged), and the columns of accounts (staff_id,
 * role, disabled, expires_on) and api_tokens (username, scope, revoked) that
 * the log records. Calls fn for each row that differs; *rows receives the
 * rows compared, *ndiff the differences. CW_OK even when rows differ.
 */
cw_rc cw_store_compare_read_model(cw_store *scratch, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                                  uint64_t *ndiff, cw_error *err);

/*
 * The database's schema version (changed by any CREATE, DROP or ALTER, by
 * any connection) and data version (changed when another connection commits;
 * never by this one's own commits). Both are cheap (no table is read; with
 * PostgreSQL, a few catalog rows: store_postgres.c says how, and that the data
 * version may also change when nothing was committed, which costs only a check).
 */
cw_rc cw_store_versions(cw_store *s, int64_t *schema, int64_t *data, cw_error *err);

/*
 * A copy of the whole database as of one moment (caseward backup; docs/operations.md): every
 * table (the log, the personal parts, the projections, accounts and API tokens), written as a
 * SQLite caseward database in rollback-journal mode (one self-contained file, no -wal) into
 * path, which must exist and be empty: the caller creates it (mode 0600, exclusive) and, after,
 * fsyncs and renames it. Writers carry on meanwhile and none of their work is half in it:
 * SQLite, VACUUM INTO (one read transaction; free pages, and so nothing erased, are not
 * copied); PostgreSQL, every table read in one REPEATABLE READ snapshot. Call outside a
 * transaction.
 */
cw_rc cw_store_snapshot(cw_store *s, const char *path, cw_error *err);

/*
 * For a database file (not a URI): *in_use = 1 if another process has it open (SQLite's own
 * sign: the shared lock every connection holds on its -shm file's "dead man switch" byte while
 * it is open). A process that opens it a moment later is not seen: stop the server first.
 */
cw_rc cw_store_file_in_use(const char *path, int *in_use, cw_error *err);

/*
 * Storage faults: the failures of the storage itself, not of what was asked of it. A disk
 * full, an I/O error, a database server gone or out of space: every store of the process
 * reports them as CW_EUNAVAIL ("try again once it is back"), and counts them here, so that
 * a caller whose own error was turned into another code on the way up (a check that could
 * not read a node says the node is damaged) can still tell a fault of the disk from damage.
 * docs/faults.md.
 */
typedef enum cw_store_fault {
    CW_STORE_FAULT_NONE = 0,
    CW_STORE_FAULT_FULL,        /* the disk (or the database server's) is full */
    CW_STORE_FAULT_IO,          /* the disk reported an input/output error */
    CW_STORE_FAULT_UNREACHABLE, /* the database server cannot be reached */
} cw_store_fault;

/* How many storage faults every store of this process has met so far; *last (may be
 * NULL) receives the kind of the latest. */
uint64_t cw_store_faults(cw_store_fault *last);
/* In words, for logs and /healthz: "the disk is full", ... ("" for NONE). */
const char *cw_store_fault_text(cw_store_fault f);

#endif
