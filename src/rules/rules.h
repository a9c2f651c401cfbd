/*
 * rules.h — statutory timescales and safeguarding signals, as data.
 *
 * A rule pack (rules/wales.rules, the default, and rules/england.rules; the
 * format is in docs/rules.md) says, for each obligation, which event starts
 * it, when it falls due (working days, calendar days or months, on the
 * working-day calendar), what meets it, whether it recurs while a condition
 * holds, how it escalates up the management chain as days pass, and the
 * source of the timescale; and, for each safeguarding signal, the pattern
 * that raises it.
 *
 * The engine is a pure function of one child's history: it reads no
 * database, so the same history always gives the same answer, and an
 * inspector's recomputation from an exported log gives the same figures.
 */
#ifndef CW_RULES_RULES_H
#define CW_RULES_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/calendar.h"
#include "util/date.h"
#include "util/facts.h"

/* One event in a child's history, as the rules see it. */
typedef struct cw_case_event {
    uint64_t index;   /* the ledger entry */
    const char *type; /* e.g. "statutory_visit" (docs/events.md) */
    cw_date date;     /* its effective date (payload "date") */
    cw_facts facts;   /* its payload as facts (util/facts.h), corrections applied */
} cw_case_event;

/* Work awaiting a manager's sign-off (its facts say sign_off=awaited): it has not happened yet
 * for the rules, the measures and the returns. */
bool cw_case_event_awaited(const cw_case_event *e);

/* A child's history: every event about the child, in (date, index) order,
 * including supervision_held events whose cases_discussed name the child. */
typedef struct cw_child_history {
    const char *child_id;
    cw_date date_of_birth;
    const cw_case_event *events;
    size_t nevents;
} cw_child_history;

typedef enum cw_obligation_state {
    CW_OBLIGATION_OPEN = 0,             /* not yet due, not yet met */
    CW_OBLIGATION_MET_ON_TIME = 1,      /* met on or before its due date */
    CW_OBLIGATION_MET_LATE = 2,         /* met after its due date */
    CW_OBLIGATION_OVERDUE = 3,          /* past due, not met, still required */
    CW_OBLIGATION_MISSED = 4,           /* past due, not met, and no longer required
                                           (e.g. the child left the register) */
    CW_OBLIGATION_ENDED_BY_CLOSURE = 5, /* still open when the case was closed (signed off):
                                           ended, not dropped; days_overdue says how late it was
                                           at closure (0 if not yet due); a case reopened within
                                           the pack's resume_within brings it back */
} cw_obligation_state;

const char *cw_obligation_state_name(cw_obligation_state s);

typedef struct cw_obligation {
    const char *rule_id;  /* owned by the pack */
    const char *title;    /* owned by the pack */
    const char *title_cy; /* the title in Welsh (owned by the pack), or NULL */
    uint64_t started_by;  /* ledger index of the event that created it */
    cw_date start;
    cw_date due;
    cw_obligation_state state;
    int met;         /* 1 if met (on time or late) */
    uint64_t met_by; /* ledger index of the event that met it */
    cw_date met_on;
    int64_t days_overdue;    /* calendar days past due at as_of (or when met late, or closed) */
    cw_date ended_on;        /* ended_by_closure: the day the closure took effect */
    int escalation_level;    /* 0 = none; k = the k-th step of the rule's ladder reached */
    const char *escalate_to; /* role of that step ("team_manager", ...), or NULL */
} cw_obligation;

typedef struct cw_signal {
    const char *rule_id; /* owned by the pack */
    const char *title;
    const char *title_cy; /* the title in Welsh, or NULL */
    cw_date since;        /* when the pattern first held */
    uint64_t evidence[8]; /* ledger indexes of the events behind it */
    size_t nevidence;
    int escalation_level;
    const char *escalate_to;
} cw_signal;

typedef struct cw_rule_results {
    cw_obligation *obligations;
    size_t nobligations, cap_obligations;
    cw_signal *signals;
    size_t nsignals, cap_signals;
} cw_rule_results;

typedef struct cw_rule_pack cw_rule_pack;

/* Loads a pack from text; errors name source:line and the problem. */
cw_rc cw_rules_load(const char *text, size_t len, const char *source, cw_rule_pack **out,
                    cw_error *err);
/* Loads a built-in pack by name: "wales" or "england". */
cw_rc cw_rules_load_builtin(const char *name, cw_rule_pack **out, cw_error *err);
void cw_rules_free(cw_rule_pack *p);
const char *cw_rules_name(const cw_rule_pack *p);
/* The SHA-256 of the pack's text as loaded, in hex: which pack a figure was computed with. */
const char *cw_rules_digest(const cw_rule_pack *p);
/* The kinds of work the pack says need a manager's sign-off (its sign_off line), comma-separated;
 * "" if none. caseward records them in the log as a sign_off_policy entry. */
const char *cw_rules_sign_off(const cw_rule_pack *p);

/*
 * The thresholds of the integrity analytics (docs/integrity.md), from the pack's `integrity`
 * lines (docs/rules.md). A pattern whose line the pack lacks is not looked for (on == 0).
 * Working-day counts are as the calendar counts them (calendar.h).
 */
typedef enum cw_integrity_pattern {
    CW_INTEGRITY_LATE_RECORDING = 0, /* a user recording late far more often than their team */
    CW_INTEGRITY_OVERDUE_HIDDEN,     /* recorded after its deadline, dated before it */
    CW_INTEGRITY_DATE_CORRECTION,    /* a correction of a date that turns late into on time */
    CW_INTEGRITY_DEADLINE_CLUSTER,   /* completions on the due date beyond the team's share */
    CW_INTEGRITY_CLOCK_RESET,        /* closed and reopened (stopped and restarted) while overdue */
    CW_INTEGRITY_BULK_ENTRY,         /* many backdated entries for many children within minutes */
    CW_INTEGRITY_BOILERPLATE,        /* work completed with empty or pasted text */
    CW_INTEGRITY_OUTSIDE_TEAM,       /* casework by staff outside the case's team */
    CW_INTEGRITY_NPATTERNS
} cw_integrity_pattern;

/* The pattern's id as the pack and the reports name it ("late_recording", ...). */
const char *cw_integrity_pattern_id(cw_integrity_pattern p);

typedef struct cw_integrity_thresholds {
    int on[CW_INTEGRITY_NPATTERNS];
    int32_t late_after_wd;     /* late_recording: late = recorded more than this after the date */
    double late_z;             /* ... flagged at this many standard deviations above the team */
    int32_t late_at_least;     /* ... and at least this many late entries */
    int32_t hidden_after_wd;   /* overdue_hidden: recorded more than this after the deadline */
    int32_t cluster_within_wd; /* deadline_clustering: met this close to the due date, or on it */
    double cluster_z;          /* ... standard deviations above the team's share */
    int32_t cluster_at_least;  /* ... and at least this many such completions */
    int32_t reset_within_wd;   /* clock_reset: restarted within this of the stop */
    int32_t bulk_entries;      /* bulk_entry: at least this many entries ... */
    int32_t bulk_children;     /* ... about at least this many children ... */
    int32_t bulk_minutes;      /* ... recorded within this many minutes ... */
    int32_t bulk_after_wd;     /* ... each more than this after its date */
    int32_t boilerplate_children; /* boilerplate: the same text for at least this many children */
    int32_t boilerplate_words;    /* ... or fewer words than this ("empty") */
    int32_t outside_after_wd;     /* outside_team: the case's old team may finish off this long */
} cw_integrity_thresholds;

const cw_integrity_thresholds *cw_rules_integrity(const cw_rule_pack *p);

/*
 * Whether an obligation belongs in the lists of outstanding work on as_of: overdue, or ended by
 * a closure while late and still within the pack's resume_within of it (the case closed with
 * this work outstanding, and a reopening would bring it back).
 */
int cw_rules_outstanding(const cw_rule_pack *p, const cw_calendar *cal, const cw_obligation *o,
                         cw_date as_of);

void cw_rule_results_init(cw_rule_results *r);
void cw_rule_results_reset(cw_rule_results *r); /* empties, keeps memory */
void cw_rule_results_release(cw_rule_results *r);

/*
 * Appends to out every obligation and signal for one child as they stood on
 * as_of (events dated after as_of are ignored, so "what was overdue on
 * 1 March?" has an answer).
 */
cw_rc cw_rules_evaluate(const cw_rule_pack *p, const cw_calendar *cal, const cw_child_history *h,
                        cw_date as_of, cw_rule_results *out, cw_error *err);

#endif
