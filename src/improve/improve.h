/*
 * improve.h — improvement plans after an inspection (docs/improvement.md):
 * inspections and their findings, statutory notices and their deadlines, plans
 * of recommendations, improvement points and actions with owners, due days,
 * dependencies and evidence, the plan's budget in integer pence, and the
 * reports issued to the improvement board and to ministers.
 *
 * The state is a fold of the improve_* entries of the log, in order
 * (cw_improve_fold): the server folds the entries it holds, and an inspector
 * folds an exported log with the same code, so both see the same plan. Nothing
 * here is typed in that can be derived: an action's RAG rating comes from its
 * dates, its evidence and its dependencies (cw_improve_rag), and a budget's
 * totals are sums of integer pence (never floating point), so they always add
 * up.
 *
 * Invariants of a folded state (each entry was checked by cw_improve_check
 * before it was recorded): identifiers are unique per kind; every reference
 * (a finding's inspection, an action's point, a commitment's allocation) names
 * a record folded before it; an allocation is never committed beyond its
 * amount; an action is complete only once signed off by someone other than
 * its owner, after evidence was given and its dependencies were complete.
 */
#ifndef CW_IMPROVE_IMPROVE_H
#define CW_IMPROVE_IMPROVE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/calendar.h"
#include "util/date.h"
#include "util/error.h"

/* Money in pence. Every amount recorded is 0 .. CW_IMPROVE_MAX_PENCE, and a plan holds at most
 * CW_IMPROVE_MAX_MONEY entries of money (the fold refuses more), so no plan's sum exceeds 10^17
 * pence and none can overflow (INT64_MAX is about 9.2 x 10^18). */
typedef int64_t cw_pence;
#define CW_IMPROVE_MAX_PENCE ((cw_pence)1000000000000) /* £10,000,000,000.00 */
#define CW_IMPROVE_MAX_MONEY 100000

/* "£1,333,333.33" (negative: "-£0.01"); out holds at least 32 bytes. */
void cw_improve_pounds(cw_pence p, char out[32]);
/* Parses "1333333.33", "£1,333,333.33", "1,333,333" or "0.01" into pence: at most two decimal
 * places, commas only between groups of three digits, not negative, at most
 * CW_IMPROVE_MAX_PENCE. Refusals name the text's problem. */
cw_rc cw_improve_parse_pounds(const char *s, cw_pence *out, cw_error *err);

/* A measure's target: "85", "85.0" or "7.5" (one decimal place at most) in tenths. */
cw_rc cw_improve_parse_target(const char *s, int64_t *tenths, cw_error *err);

typedef struct cw_imp_inspection {
    char id[65];
    char inspectorate[16];
    char *title, *report_ref;          /* report_ref may be NULL */
    cw_date started, ended, published; /* published 0: not recorded */
    uint64_t idx;
} cw_imp_inspection;

typedef struct cw_imp_finding {
    char id[65], inspection[65], theme[33], severity[24];
    char *text;
    int number; /* 1, 2, ... within its inspection */
    uint64_t idx;
} cw_imp_finding;

#define CW_IMPROVE_MAX_REVIEWS 12
typedef struct cw_imp_notice {
    char id[65], inspection[65], kind[32];
    char *issued_by;
    cw_date issued;
    int plan_within; /* working days to produce the plan */
    size_t nreviews;
    char reviews[CW_IMPROVE_MAX_REVIEWS][65]; /* "90d", "6m", "20wd" */
    cw_date plan_due;                         /* issued + plan_within working days */
    cw_date review_due[CW_IMPROVE_MAX_REVIEWS];
    uint64_t idx;
} cw_imp_notice;

typedef struct cw_imp_plan {
    char id[65], inspection[65], notice[65], owner[65];
    char *title;
    cw_date created, due;
    cw_date submitted; /* 0 until submitted */
    char *submitted_to;
    char created_by[65];
    size_t money_entries; /* its money changes folded (at most CW_IMPROVE_MAX_MONEY) */
    uint64_t idx;
} cw_imp_plan;

typedef struct cw_imp_member {
    char plan[65], staff[65], role[12]; /* chair | member | observer */
    cw_date from, until;                /* until 0: a member now */
} cw_imp_member;

#define CW_IMPROVE_MAX_FINDINGS 50
typedef struct cw_imp_recommendation {
    char id[65], plan[65], audit_recommendation[65];
    char *text;
    int number; /* 1, 2, ... within its plan */
    size_t nfindings;
    char (*findings)[65];
    uint64_t idx;
} cw_imp_recommendation;

typedef struct cw_imp_point {
    char id[65], recommendation[65], plan[65];
    char *text;
    int number; /* 1, 2, ... within its recommendation */
    uint64_t idx;
} cw_imp_point;

typedef enum cw_imp_status {
    CW_IMP_NOT_STARTED = 0, /* nothing recorded since it was set */
    CW_IMP_IN_PROGRESS,     /* progress or evidence recorded, or returned */
    CW_IMP_AWAITING_SIGN_OFF,
    CW_IMP_COMPLETE /* signed off */
} cw_imp_status;

#define CW_IMPROVE_MAX_DEPS 20
typedef struct cw_imp_action {
    char id[65], point[65], plan[65], owner[65];
    char *text;
    int number;                     /* 1, 2, ... within its point */
    cw_date set_on, due, first_due; /* first_due: the due day it was set with */
    size_t ndeps;
    char deps[CW_IMPROVE_MAX_DEPS][65];
    cw_imp_status status;
    int blocked;          /* its latest progress note says it is blocked */
    char *note;           /* the latest progress note, or NULL */
    cw_date noted_on;     /* its day */
    cw_date completed_on; /* the owner said done (awaiting sign-off), 0 if not */
    char completed_by[65];
    cw_date signed_off_on; /* 0 until signed off */
    char signed_off_by[65];
    int returned;  /* times returned */
    int replanned; /* times its owner, due day or dependencies were changed */
    size_t nevidence;
    cw_pence committed, spent; /* sums of its commitments and of its spend not reversed */
    uint64_t idx;
} cw_imp_action;

typedef struct cw_imp_evidence {
    char id[65], action[65], kind[16]; /* measure | audit_report | document */
    char *title;
    char measure[65], direction[10]; /* measure: the measure and at_least | at_most */
    int64_t target;                  /* measure: in tenths (85.0 -> 850) */
    char audit_report[65];           /* audit_report: its id */
    char sha256[65];                 /* document: the file's SHA-256 */
    cw_date date;
    char by[65];
    uint64_t idx;
} cw_imp_evidence;

typedef struct cw_imp_allocation {
    char id[65], plan[65];
    char *source;
    cw_pence amount, committed, spent;
    uint64_t idx;
} cw_imp_allocation;

typedef struct cw_imp_commitment {
    char id[65], action[65], allocation[65];
    cw_pence amount;
    uint64_t idx;
} cw_imp_commitment;

typedef struct cw_imp_spend {
    char id[65], action[65], allocation[65];
    cw_pence amount;
    cw_date date;
    int reversed;
    uint64_t idx;
} cw_imp_spend;

/* Every change of money, in order: who, when, what, from and to, and why. */
typedef struct cw_imp_money_change {
    uint64_t idx;
    cw_date date;
    char by[65];
    char type[40]; /* the event */
    char id[65];   /* the allocation, commitment or spend */
    char plan[65];
    cw_pence before, after;
    char *reason;
} cw_imp_money_change;

typedef struct cw_imp_report {
    char id[65], plan[65], kind[10]; /* board | minister */
    cw_date date, as_of;
    char by[65], content_sha256[65], measures_sha256[65];
    char *recipients;
    uint64_t log_size, idx;
} cw_imp_report;

#define CW_IMP_VEC(T, name)                                                                        \
    T *name;                                                                                       \
    size_t n##name, cap_##name

/* The folded state. Read its arrays directly; they are in the order recorded. */
typedef struct cw_improve {
    CW_IMP_VEC(cw_imp_inspection, inspections);
    CW_IMP_VEC(cw_imp_finding, findings);
    CW_IMP_VEC(cw_imp_notice, notices);
    CW_IMP_VEC(cw_imp_plan, plans);
    CW_IMP_VEC(cw_imp_member, members);
    CW_IMP_VEC(cw_imp_recommendation, recommendations);
    CW_IMP_VEC(cw_imp_point, points);
    CW_IMP_VEC(cw_imp_action, actions);
    CW_IMP_VEC(cw_imp_evidence, evidence);
    CW_IMP_VEC(cw_imp_allocation, allocations);
    CW_IMP_VEC(cw_imp_commitment, commitments);
    CW_IMP_VEC(cw_imp_spend, spends);
    CW_IMP_VEC(cw_imp_money_change, money);
    CW_IMP_VEC(cw_imp_report, reports);
    uint64_t entries; /* entries folded */
    uint64_t last_idx;
} cw_improve;
#undef CW_IMP_VEC

cw_improve *cw_improve_new(void);
void cw_improve_free(cw_improve *st);

/* The calendar due days are counted in (England and Wales' bank holidays), loaded once by
 * cw_improve_register; NULL before. */
const cw_calendar *cw_improve_calendar(void);

/*
 * Folds one entry into st: its index, type, the staff who recorded it, the day recorded and its
 * payload. The day recorded, not the date typed, is when a plan was submitted, an action's
 * progress, evidence, completion and sign-off happened: a typed date cannot make late work
 * look on time (docs/improvement.md, "RAG"). An entry that would break the state's invariants (it
 * was not checked) is refused with CW_EVERIFY and st is unchanged: an export whose plans do not
 * fold is not believed.
 */
cw_rc cw_improve_fold(cw_improve *st, uint64_t idx, const char *type, const char *actor,
                      cw_date recorded, const json_t *payload, cw_error *err);

/*
 * Folds the improve_* entries of s (inside the caller's transaction, if any). An entry's day
 * recorded is the log's (or, for history moved from another system, that system's claim in
 * the entry's source). dated_to, if not 0, gives the plan as it stood on that day: entries
 * recorded after it are left out, and so is an entry that then names something not yet there.
 * With dated_to 0 every entry must fold, or the load fails (CW_EVERIFY).
 */
cw_rc cw_improve_load(cw_store *s, cw_date dated_to, cw_improve **out, cw_error *err);
/* The same, of the entries below size only (a reader's snapshot: the log size it names). */
cw_rc cw_improve_load_upto(cw_store *s, uint64_t size, cw_date dated_to, cw_improve **out,
                           cw_error *err);
/* The same from an exported log: the first `size` leaves of dir/entries.jsonl (0: all). */
cw_rc cw_improve_load_export(const char *dir, uint64_t size, cw_date dated_to, cw_improve **out,
                             cw_error *err);

/* Checks an export before it is believed: its entries are the log its signed checkpoint names
 * (cw_ledger_export_check; vkey NULL: the export's own dir/vkey). *size: its entries. */
cw_rc cw_improve_export_verified(const char *dir, const char *vkey, uint64_t *size, cw_error *err);
/* The payload of the export's entry idx. */
cw_rc cw_improve_export_entry(const char *dir, uint64_t idx, json_t **payload, cw_error *err);

/* Who is recording: their staff id and role (staff_added's), and whether in post. */
typedef struct cw_improve_who {
    const char *staff_id;
    const char *role;
    int in_post;
} cw_improve_who;

/* Looks up a member of staff: found and in post, and their role and manager. */
typedef cw_rc (*cw_improve_staff_fn)(void *ctx, const char *staff_id, int *in_post, char role[32],
                                     char manager[65], cw_error *err);
/* Whether an audit report has been issued with this id. */
typedef cw_rc (*cw_improve_report_fn)(void *ctx, const char *report_id, int *issued, cw_error *err);
typedef struct cw_improve_env {
    cw_improve_staff_fn staff;
    cw_improve_report_fn audit_report; /* may be NULL: audit report evidence is refused */
    /* Whether a case-file audit's recommendation exists (may be NULL: none is taken). */
    cw_improve_report_fn audit_recommendation;
    /* Whether the council's measures (its pack's) have this id (may be NULL: not checked). */
    cw_improve_report_fn measure;
    void *ctx;
    const cw_calendar *cal;
} cw_improve_env;

/*
 * Whether who may record this improve_* entry now, on day `recorded`, given st: the rules of
 * docs/improvement.md ("Who may do what" and "What is refused"). The message names the field
 * and the value that was wrong.
 */
cw_rc cw_improve_check(const cw_improve *st, const cw_improve_env *env, const cw_improve_who *who,
                       const char *type, const json_t *payload, cw_date recorded, cw_error *err);

/* Registers cw_improve_check with the casework catalogue (cw_casework_set_improve) and loads the
 * calendar; call once at start, before any thread. */
cw_rc cw_improve_register(cw_error *err);

/* ---- reading a plan ---- */

const cw_imp_plan *cw_improve_plan(const cw_improve *st, const char *plan_id);
const cw_imp_action *cw_improve_action(const cw_improve *st, const char *action_id);
const cw_imp_allocation *cw_improve_allocation(const cw_improve *st, const char *allocation_id);
/* Whether staff_id may edit the plan: a director in post, the plan's owner, or its board's
 * chair or a member (not an observer) on day `on`. plan_id NULL: any plan's. */
int cw_improve_editor(const cw_improve *st, const char *plan_id, const char *staff_id,
                      const char *role, cw_date on);
/* The board member row of staff_id on the plan on day `on`, or NULL. */
const cw_imp_member *cw_improve_member(const cw_improve *st, const char *plan_id,
                                       const char *staff_id, cw_date on);

/* An action's RAG rating on day as_of (docs/improvement.md, "RAG"): never typed in. */
typedef enum cw_rag { CW_RAG_GREEN = 0, CW_RAG_AMBER, CW_RAG_RED, CW_RAG_COMPLETE } cw_rag;
/* The reason is one of: complete, overdue, blocked, dependency_late, dependency_after_due,
 * due_soon_no_evidence, on_track. */
cw_rag cw_improve_rag(const cw_improve *st, const cw_imp_action *a, const cw_calendar *cal,
                      cw_date as_of, const char **reason);
const char *cw_improve_rag_name(cw_rag r); /* green | amber | red | complete */
const char *cw_improve_status_name(cw_imp_status s);
/* Working days before due at which an action with no evidence turns amber. */
#define CW_IMPROVE_AMBER_DAYS 10

/* A notice's review point ("90d": calendar days, "6m": months, "20wd": working days) from
 * the notice's day. */
cw_rc cw_improve_review_due(const cw_calendar *cal, cw_date issued, const char *offset,
                            cw_date *out, cw_error *err);

/* A plan's budget on the state's last entry: sums of integer pence. */
typedef struct cw_improve_budget {
    cw_pence allocated, committed, spent;
    cw_pence uncommitted; /* allocated - committed */
    cw_pence unspent;     /* allocated - spent (negative: over budget) */
    cw_pence overspend;   /* the sum over actions of spent - committed where spent > committed */
    size_t overspent_actions;
} cw_improve_budget;
void cw_improve_budget_of(const cw_improve *st, const char *plan_id, cw_improve_budget *out);

/* ---- as JSON (view.c): the one shape the API, the web pages, the CLI and the reports read ---- */

/* {"pence": N, "pounds": "£1,234.56"} */
json_t *cw_improve_money_json(cw_pence p);
/* An inspection with its findings and notices (each notice's plan_due and review days). */
json_t *cw_improve_inspection_json(const cw_improve *st, const cw_imp_inspection *in);
/* An action on day as_of: its ref ("2.1.3": recommendation, point, action), status, rag and
 * rag_reason, dependencies, evidence, and money (committed, spent, variance). */
json_t *cw_improve_action_json(const cw_improve *st, const cw_imp_action *a, const cw_calendar *cal,
                               cw_date as_of);
/* A plan's budget: totals and each allocation by source. */
json_t *cw_improve_budget_json(const cw_improve *st, const char *plan_id);
/* Every change of the plan's money, in order: who, when, before, after, why. */
json_t *cw_improve_money_history_json(const cw_improve *st, const char *plan_id);
/* The plan on day as_of: its deadline (late or not), board, reports issued, recommendations ->
 * points -> actions, counts (actions, due, complete, late, red, amber, green) and budget. */
json_t *cw_improve_plan_json(const cw_improve *st, const cw_imp_plan *pl, const cw_calendar *cal,
                             cw_date as_of);

/* ---- reports (report.c, measures.c) ---- */

typedef struct cw_ledger cw_ledger;
typedef struct cw_rule_pack cw_rule_pack;
/*
 * For each measure evidence of the plan's actions: the measure over the three months to as_of,
 * its target, whether on target, and its trend (the same rolling quarter at six monthly steps,
 * oldest first), computed from l's projections at its latest checkpoint; *report is the latest
 * window's measures report (measures/report.h), NULL if the plan has no measure evidence.
 */
cw_rc cw_improve_measures(cw_ledger *l, const cw_rule_pack *pack, const cw_calendar *cal,
                          const cw_improve *st, const char *plan_id, cw_date as_of, json_t **lines,
                          json_t **report, cw_error *err);
/* The SHA-256 of a measures report's canonical JSON (its signed note's text, without the
 * newline). */
cw_rc cw_improve_measures_sha256(const json_t *report, char out[65]);
/* What a report says of the measures report it used: from, to, checkpoint (size, root_hash)
 * and sha256 (cw_improve_measures_sha256); NULL if report is NULL. */
json_t *cw_improve_measures_summary(const json_t *report);
/* The report's content for a day (kind: board | minister): integers and strings only. The
 * measure lines (cw_improve_measures) and the summary of their measures report are taken as
 * given: improve_report_issued records both among its figures, so that a verifier rebuilds the
 * content from an export with them and checks them against the signed measures report. */
cw_rc cw_improve_report_content(const cw_improve *st, const cw_imp_plan *pl, const char *kind,
                                cw_date as_of, const cw_calendar *cal, uint64_t log_size,
                                const json_t *measure_lines, const json_t *measures_summary,
                                json_t **out);
/* The SHA-256 of the content's canonical JSON: improve_report_issued's content_sha256. */
cw_rc cw_improve_report_hash(const json_t *content, char out[65]);
/* The figures improve_report_issued records: counts, budget totals in pence, measures on
 * target, and the measure lines and measures report summary the content was made with. */
json_t *cw_improve_report_figures(const json_t *content);
/* Escalates plans not submitted and actions not signed off by their due day (escalate.c; docs/
 * improvement.md, "Deadlines and escalation"), in one batch: *raised recorded, *unrouted with
 * nobody to tell. */
cw_rc cw_improve_escalate(cw_ledger *l, const cw_calendar *cal, cw_date as_of, uint64_t *raised,
                          uint64_t *unrouted, cw_error *err);
/* Printable forms, made from the content alone: HTML (lang en | cy) and CSV. */
cw_rc cw_improve_report_html(const json_t *content, const char *lang, cw_buf *b);
cw_rc cw_improve_report_csv(const json_t *content, cw_buf *b);

#endif
