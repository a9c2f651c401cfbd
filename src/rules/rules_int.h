/*
 * rules_int.h — private to src/rules: the event catalogue the rules can name,
 * and the loaded form of a rule pack.
 *
 * A loaded pack is flat arrays with index ranges, built once by the parser
 * (parse.c) and read-only afterwards, so one pack can be shared by threads
 * evaluating different children:
 *
 *   rules[]     one per `rule` block, in file order
 *   clauses[]   start / met_by / stop lines; a rule's clauses are contiguous
 *   matchers[]  distinct (event type, conditions) pairs; clauses point at one,
 *               so an event is tested against each pattern once
 *   conds[]     conditions; a matcher's or a `then` step's are contiguous
 *   values[]    condition values; a condition's are contiguous
 *   entries[]   for each event type, the (rule, clause) pairs it can drive,
 *               ordered by rule, then met_by, stop, start (the order the
 *               engine applies them in)
 *
 * Strings (ids, titles, sources, field names, values) point into the pack's
 * own copy of the text, split in place.
 */
#ifndef CW_RULES_RULES_INT_H
#define CW_RULES_RULES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"

/* ---- the event catalogue (events.c), after docs/events.md ---- */

typedef enum cw_ftype {
    CW_FT_ID,     /* identifier string */
    CW_FT_TEXT,   /* free text */
    CW_FT_DATE,   /* YYYY-MM-DD */
    CW_FT_BOOL,   /* true / false; absent reads as false */
    CW_FT_INT,    /* integer */
    CW_FT_ENUM,   /* one of values[] */
    CW_FT_IDS,    /* array of identifiers */
    CW_FT_OBJECT, /* a JSON object (correction.changes) */
} cw_ftype;

typedef enum cw_fcomputed {
    CW_FC_NONE = 0,
    CW_FC_CSE_SCORE, /* cse_risk_assessment: vulnerabilities + moderate + 5 x significant */
    CW_FC_CSE_BAND,  /* override_band if present, else the band of the score */
} cw_fcomputed;

typedef struct cw_ev_field {
    const char *name;
    cw_ftype type;
    const char *const *values; /* CW_FT_ENUM: NULL-terminated */
    cw_fcomputed computed;
} cw_ev_field;

typedef struct cw_ev_type {
    const char *name;
    const cw_ev_field *fields;
    size_t nfields;
    /* An event that refers to an id another event opened (referral_decided to
     * referral_received by referral_id) reads the fields it lacks from that
     * opener. key is the shared id field; opener the opener's type index (-1
     * for none). An opener has key set and opener -1. */
    const char *key;
    int opener;
} cw_ev_type;

extern const cw_ev_type cw_rules_types[];
extern const size_t cw_rules_ntypes;

/* Index of the named child-history event type, or -1. */
int cw_rules_type_find(const char *name);
/* 1 if name is an organisation event (never in a child's history). */
int cw_rules_type_is_organisation(const char *name);
/* The field of type t called name: its own, else its opener's (*inherited =
 * 1). NULL if neither has it. */
const cw_ev_field *cw_rules_field_find(int t, const char *name, int *inherited);
/* The CSE band of a score ("no_apparent_risk", "mild", "moderate", "significant"). */
const char *cw_rules_cse_band(int64_t score);
/* The engine's own type for a CSE risk assessment seen again as it ages, 6 and 12 months
 * after it while no later assessment has replaced it (engine.c); its facts are the
 * assessment's. */
#define CW_CSE_BAND_AGED "cse_band_aged"

/* ---- a loaded pack ---- */

#define CW_RULES_MAX_RULES      200
#define CW_RULES_MAX_CLAUSES    48 /* start + met_by + stop lines in one rule */
#define CW_RULES_MAX_CONDS      8  /* conditions on one line */
#define CW_RULES_MAX_VALUES     8  /* values in one condition */
#define CW_RULES_MAX_THEN       8
#define CW_RULES_MAX_ESCALATE   8
#define CW_RULES_MAX_LINKS      4 /* distinct link fields in one rule */
#define CW_RULES_MAX_COUNT      16
#define CW_RULES_MAX_TEXT       1000
#define CW_RULES_MAX_LINE       4000
#define CW_RULES_MAX_PACK_BYTES (1u << 20)
#define CW_RULES_TYPE_SLOTS     128 /* type-name hash table; a power of two */

typedef enum cw_unit {
    CW_UNIT_WORKING_DAYS,
    CW_UNIT_DAYS,
    CW_UNIT_WEEKS,
    CW_UNIT_MONTHS,
} cw_unit;

typedef struct cw_interval {
    int32_t n;
    cw_unit unit;
} cw_interval;

typedef enum cw_cond_op {
    CW_OP_EQ,      /* field=a,b: equals one of */
    CW_OP_NE,      /* field!=a,b: equals none of */
    CW_OP_PRESENT, /* field=* */
    CW_OP_ABSENT,  /* field!=* */
} cw_cond_op;

typedef struct cw_cond {
    const char *field;
    const cw_ev_field *def;
    cw_cond_op op;
    uint32_t first_value, nvalues;
} cw_cond;

typedef struct cw_cond_value {
    const char *s; /* as written */
    int64_t i;     /* CW_FT_INT: the number; CW_FT_BOOL: 1 for true */
} cw_cond_value;

typedef struct cw_matcher {
    int type;
    uint32_t first_cond, nconds;
} cw_matcher;

typedef enum cw_role {
    CW_ROLE_MET = 0,
    CW_ROLE_STOP = 1,
    CW_ROLE_START = 2,
} cw_role;

typedef struct cw_clause {
    cw_role role;
    int deadline; /* a `by` line: a stop that misses the open occurrence even if not yet due */
    uint32_t matcher;
    const char *link; /* field shared with the start event, or NULL (same child) */
    int link_slot;    /* index into the rule's links[] */
    size_t line;
} cw_clause;

typedef struct cw_then {
    cw_interval every;
    int has_after;
    cw_interval after;           /* applies once the cycle starts this long after the start */
    int32_t from_age;            /* applies once the child is this many years old (0: any age) */
    uint32_t first_cond, nconds; /* `if` conditions on the start event */
    size_t line;
} cw_then;

typedef struct cw_step {
    int32_t days;
    const char *role;
} cw_step;

typedef enum cw_rule_kind {
    CW_KIND_OBLIGATION,
    CW_KIND_SIGNAL,
} cw_rule_kind;

typedef struct cw_rule {
    const char *id, *title, *source;
    const char *title_cy; /* `title_cy`: the title in Welsh, or NULL */
    cw_rule_kind kind;
    size_t line;
    cw_interval due;
    int anchor;               /* `due ... from TYPE`: type index, or -1 (the start event) */
    const char *anchor_field; /* `due ... from FIELD`: a date field of the start event, or NULL */
    cw_then then[CW_RULES_MAX_THEN];
    size_t nthen;
    int32_t count_n; /* `count N within P`; 0 = none */
    cw_interval count_within;
    uint32_t count_slot; /* this rule's ring in the engine's count slots */
    int has_lookback;
    cw_interval lookback;
    int has_since;
    cw_date since; /* `since DATE`: start events dated before it start nothing */
    int has_age;
    int32_t age_from, age_to; /* `age N to M`: owed from the N-th birthday to the M-th */
    int memory; /* 1 if every met_by is same-child: the engine remembers the last one */
    cw_step esc[CW_RULES_MAX_ESCALATE];
    size_t nesc;
    uint32_t first_clause, nclauses;
    const char *links[CW_RULES_MAX_LINKS];
    size_t nlinks;
} cw_rule;

typedef struct cw_entry {
    uint32_t rule;
    uint32_t clause;
} cw_entry;

struct cw_rule_pack {
    char *text;      /* the pack's own copy, split in place */
    char digest[65]; /* SHA-256 of the text as loaded, in hex (measures name it in a report) */
    const char *name, *description;
    const char *description_cy;         /* `description_cy`: the description in Welsh, or NULL */
    cw_step esc[CW_RULES_MAX_ESCALATE]; /* the pack's default ladder */
    size_t nesc;
    char sign_off[256]; /* the kinds of work that need a manager's sign-off, comma-separated */
    int sign_off_seen;
    cw_interval resume;  /* a case reopened within this of its closure resumes its clocks */
    int count_event_day; /* `count_from event_day`: a due date counts the event's day as day 1 */
    int count_from_seen;
    int has_resume;
    cw_integrity_thresholds integrity; /* the `integrity` lines */
    size_t integrity_line[CW_INTEGRITY_NPATTERNS];
    cw_rule *rules;
    size_t nrules;
    cw_clause *clauses;
    size_t nclauses;
    cw_matcher *matchers;
    size_t nmatchers;
    cw_cond *conds;
    size_t nconds;
    cw_cond_value *values;
    size_t nvalues;
    cw_entry *entries;
    size_t nentries;
    uint32_t *type_first, *type_n;              /* entries per event type */
    uint32_t *type_mfirst, *type_mn;            /* matchers per event type (in type_m) */
    uint32_t *type_m;                           /* matcher indexes grouped by type */
    int16_t type_slots[CW_RULES_TYPE_SLOTS];    /* hash of type names -> type, -1 empty */
    uint8_t type_slot_len[CW_RULES_TYPE_SLOTS]; /* the length of the name in each slot */
    uint32_t count_slots;                       /* total ring slots for `count` rules */
};

/* The event type of name through the pack's hash table, or -1. */
int cw_rules_pack_type(const cw_rule_pack *p, const char *name);

/* Reading the words of a pack-like file (also the measures files'): a whole number at most
 * max; "N UNIT" at w[*i], advancing *i past it. On a problem, CW_EINVAL and what is wrong in
 * msg, in the words the refusals use. */
cw_rc cw_rules_read_number(const char *s, int64_t max, int32_t *out, char *msg, size_t cap);
cw_rc cw_rules_read_interval(char **w, size_t nw, size_t *i, int allow_zero, cw_interval *iv,
                             char *msg, size_t cap);

/* The interval added to d (months clamp to the month's end). */
cw_rc cw_rules_add_interval(const cw_calendar *cal, cw_date d, cw_interval iv, cw_date *out,
                            cw_error *err);

#endif
