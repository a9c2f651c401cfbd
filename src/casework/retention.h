/*
 * retention.h — how long a child's record is kept, and what is due for destruction
 * (issue 13, docs/privacy.md "Retention").
 *
 * Retention rules are data (rules/retention-wales.txt, rules/retention-england.txt,
 * or a council's own file): each names a class of record derived from the facts in the
 * log (looked_after, child_protection, child_in_need, contact_only), a trigger (the
 * child's N-th birthday, or N years after the case closed), whether it is a statutory
 * minimum or the council's schedule, and its source. A child's record is due for
 * destruction on the latest due date of every rule that applies (the longest period
 * wins); a child whose case is open is never due. Destruction is an erasure of the whole
 * record under the lawful basis retention_schedule, proposed by one person and approved
 * by the data protection officer; a legal hold stops it.
 */
#ifndef CW_CASEWORK_RETENTION_H
#define CW_CASEWORK_RETENTION_H

#include "casework/casework.h"

typedef enum cw_retention_trigger {
    CW_RETAIN_BIRTHDAY = 0, /* the child's years-th birthday */
    CW_RETAIN_CLOSURE = 1,  /* years after the case's closure */
} cw_retention_trigger;

typedef struct cw_retention_rule {
    char id[48];
    char records[24]; /* looked_after | child_protection | child_in_need | contact_only */
    cw_retention_trigger trigger;
    int years;
    int older_age;   /* birthday rules: if the child was this old or older at closure ... */
    int older_years; /* ... the older_years-th birthday instead; 0: no such clause */
    int statutory;   /* 1: a statutory minimum; 0: the council's schedule */
    char source[600];
} cw_retention_rule;

typedef struct cw_retention_rules {
    char nation[32];
    cw_retention_rule *v;
    size_t n;
} cw_retention_rules;

/* Parses a rules file (format: rules/retention-wales.txt); name is used in errors. */
cw_rc cw_retention_load(const char *text, size_t len, const char *name, cw_retention_rules *out,
                        cw_error *err);
/* The built-in rules of a nation: wales or england. */
cw_rc cw_retention_load_builtin(const char *nation, cw_retention_rules *out, cw_error *err);
void cw_retention_rules_release(cw_retention_rules *r);

/* One child's record due for destruction. */
typedef struct cw_retention_due {
    char child[65];
    const cw_retention_rule *rule; /* the rule with the latest due date */
    cw_date due;
    cw_legal_hold hold; /* found: a legal hold stops it */
    char proposed[65];  /* a pending retention_schedule erasure of the child, or "" */
} cw_retention_due;

typedef struct cw_retention_report {
    cw_retention_due *v;
    size_t n, cap;
} cw_retention_report;

/*
 * Every child whose record is due for destruction on as_of (due date on or before it),
 * by child id; children whose record holds nothing personal any more are left out. The
 * report keeps pointers into r.
 */
cw_rc cw_retention_due_on(cw_store *s, const cw_retention_rules *r, cw_date as_of,
                          cw_retention_report *out, cw_error *err);
/* The due date of one child's record under r; *found 0 if no rule applies or the case is
 * open; *rule the rule that gives it. */
cw_rc cw_retention_child(cw_store *s, const cw_retention_rules *r, const char *child, cw_date *due,
                         const cw_retention_rule **rule, int *found, cw_error *err);
void cw_retention_report_release(cw_retention_report *rep);

/*
 * Proposes the destruction of every child's record due on as_of, not under a legal hold
 * and not already proposed: one erasure_proposed each (the whole record, lawful basis
 * retention_schedule, the reason naming the rule and its source), by actor, in one
 * batch. *proposed receives how many.
 */
cw_rc cw_retention_propose(cw_ledger *l, const cw_retention_rules *r, cw_date as_of,
                           const char *actor, size_t *proposed, cw_error *err);

#endif
