/*
 * measures_int.h — private to src/measures: the loaded form of a measures
 * file (parse.c) that the computation (compute.c) reads.
 */
#ifndef CW_MEASURES_MEASURES_INT_H
#define CW_MEASURES_MEASURES_INT_H

#include "measures/measures.h"
#include "rules/rules_int.h"

#define CW_MEASURES_MAX        200
#define CW_MEASURES_MAX_STATES 32
#define CW_MEASURES_MAX_ENDS   8 /* `from` or `to` lines of one state */
#define CW_MEASURES_MAX_CONDS  8
#define CW_MEASURES_MAX_VALUES 8
#define CW_MEASURES_MAX_TYPES  4 /* event types one `count events` line joins with `or` */
#define CW_MEASURES_MAX_TEXT   1000
#define CW_MEASURES_MAX_LINE   4000
#define CW_MEASURES_MAX_BYTES  (1u << 20)

/* One condition on an event's own field (the rule packs' syntax). */
typedef struct mcond {
    const char *field;
    const cw_ev_field *def;
    cw_cond_op op;
    const char *values[CW_MEASURES_MAX_VALUES];
    int64_t ivalues[CW_MEASURES_MAX_VALUES];
    int nvalues;
} mcond;

/* An event type and conditions on it. */
typedef struct mmatch {
    const char *type;
    mcond conds[CW_MEASURES_MAX_CONDS];
    int nconds;
} mmatch;

/* A state a child is in between a `from` event and a `to` event. */
typedef struct mstate {
    const char *id, *title;
    const char *title_cy; /* the title in Welsh, or NULL */
    mmatch from[CW_MEASURES_MAX_ENDS], to[CW_MEASURES_MAX_ENDS];
    int nfrom, nto;
    size_t line;
} mstate;

typedef enum mcount {
    MC_OBLIGATIONS, /* count obligations RULE met|due|started */
    MC_EVENTS,      /* count events TYPE [COND...] */
    MC_SPANS,       /* count spans STATE ended|started */
    MC_CHILDREN,    /* count children STATE at end|during */
} mcount;

typedef enum manchor {
    MA_MET,
    MA_DUE,
    MA_STARTED,
    MA_ENDED,
    MA_AT_END,
    MA_DURING,
} manchor;

typedef enum mnum {
    MN_STATES,       /* numerator on_time,late,...: obligations in those states */
    MN_AFTER,        /* numerator after TYPE [COND...] within N UNIT | ever */
    MN_WHERE,        /* numerator where COND...: the counted event itself matches */
    MN_LASTING,      /* numerator lasting N UNIT: spans at least that long */
    MN_EVENTS,       /* numerator events TYPE [COND...] in period [at least N] */
    MN_IN_STATE,     /* numerator STATE at end */
    MN_NOT_IN_STATE, /* numerator not STATE at end */
    MN_MEAN_DAYS,    /* no numerator line: unit days, the mean length of the spans */
} mnum;

/* Obligation states as a bit mask (numerator on_time,late ...). */
enum {
    MS_ON_TIME = 1,
    MS_LATE = 2,
    MS_OVERDUE = 4,
    MS_MISSED = 8,
    MS_ENDED_BY_CLOSURE = 16,
    MS_OPEN = 32,
};

typedef struct cw_measure {
    const char *id, *title, *source, *unit;
    const char *title_cy; /* the title in Welsh (`title_cy`, or the rule's), or NULL */
    char counted[300], numerator_text[300]; /* the period rule and the numerator, in words */
    mcount count;
    manchor anchor;
    const cw_rule *rule;                 /* MC_OBLIGATIONS */
    mmatch event[CW_MEASURES_MAX_TYPES]; /* MC_EVENTS: any of these (`or`) */
    int nevent;
    int state; /* MC_SPANS, MC_CHILDREN: index into states */
    mnum num;
    unsigned states_mask;                /* MN_STATES */
    mmatch other;                        /* MN_AFTER, MN_EVENTS */
    mmatch where[CW_MEASURES_MAX_TYPES]; /* MN_WHERE: the conditions, read against event[i] */
    int has_child;         /* a `child COND...` line: only children whose registration matches */
    mmatch child;          /* of type child_registered */
    char child_text[200];  /* the child line, for the definition in words */
    int ever;              /* MN_AFTER: any time before, not within */
    cw_interval within;    /* MN_AFTER, MN_LASTING */
    int32_t at_least;      /* MN_EVENTS */
    int other_state;       /* MN_IN_STATE, MN_NOT_IN_STATE */
    int has_target;        /* target N higher|lower */
    int64_t target_tenths; /* the target's value, in tenths */
    int higher_is_better;
    int automatic;    /* one of the pack's obligation rules, without a definition */
    char auto_id[80]; /* its id: timeliness.RULE */
    size_t line;
} cw_measure;

struct cw_measure_set {
    char *text; /* the file's own copy, split in place */
    const char *name, *description;
    const char *description_cy; /* the description in Welsh, or NULL */
    char digest[65];
    const cw_rule_pack *pack;
    mstate states[CW_MEASURES_MAX_STATES];
    size_t nstates;
    cw_measure *measures;
    size_t nmeasures;
};

#endif
