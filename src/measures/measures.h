/*
 * measures.h — performance measures as data, computed from the log.
 *
 * A measures file (rules/wales.measures, rules/england.measures; the format
 * is in docs/measures.md) defines each measure a council reports: its id as
 * published (PM24), its title, what is counted and in which period (the
 * denominator), which of those count for the numerator, its unit and its
 * source. Every obligation rule of the rule pack is a measure too (on time,
 * late, overdue), without a line of its own.
 *
 * Like the rules engine, the computation is a pure function of each child's
 * history (the facts only, never names or narrative) and of the staff's teams:
 * the live figures read the projections, an inspector's recomputation reads
 * the same tables rebuilt from an exported log, and the two give the same
 * integers. Each figure is tallied per team (the team of the child's
 * allocated worker on the day that counts for the item), so the council's,
 * an area's and a team's figures come from one pass.
 */
#ifndef CW_MEASURES_MEASURES_H
#define CW_MEASURES_MEASURES_H

#include <jansson.h>
#include <stdint.h>

#include "rules/rules.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/calendar.h"

typedef struct cw_measure_set cw_measure_set;

/*
 * Loads measure definitions for pack p from text; errors name source:line and
 * the problem, and nothing is loaded. The file's `measures NAME` line must name
 * p's pack; the rules it names must be obligation rules of p.
 */
cw_rc cw_measures_load(const char *text, size_t len, const char *source, const cw_rule_pack *p,
                       cw_measure_set **out, cw_error *err);
/* The built-in definitions for p's pack (rules/NAME.measures). */
cw_rc cw_measures_load_builtin(const cw_rule_pack *p, cw_measure_set **out, cw_error *err);
void cw_measures_free(cw_measure_set *m);

/* The SHA-256 (hex) of the definitions' text, of the rule pack's and of the calendar's: a
 * report names them, so a recomputation with other definitions is refused, not compared. */
const char *cw_measures_digest(const cw_measure_set *m);

/* The number of measures (the file's, then one per obligation rule), and the i-th as JSON:
 * id, title, unit, source, counted (the period rule in words), numerator (in words). */
size_t cw_measures_count(const cw_measure_set *m);
const char *cw_measures_id(const cw_measure_set *m, size_t i);
json_t *cw_measures_definition(const cw_measure_set *m, size_t i);
/* The index of the measure with this id, or -1. */
long cw_measures_find(const cw_measure_set *m, const char *id);

/* A period by name: fy2025 (1 April 2025 to 31 March 2026), 2025-q1 .. 2025-q4 (the quarters
 * of that financial year, q1 April to June), or 2025-04 (a calendar month). */
cw_rc cw_measures_period(const char *spec, cw_date *from, cw_date *to, cw_error *err);

/* What to compute. */
typedef struct cw_measures_query {
    cw_date from, to; /* the period, both days included */
    const char *team; /* only this team's items; NULL for the council */
    const char *area; /* only the items of teams in this service area; NULL for all */
    long detail;      /* keep the items behind this measure (its index), or -1 */
} cw_measures_query;

/* One item behind a figure: a drill-down row. */
typedef struct cw_measure_item {
    char child_id[65];
    cw_date date;        /* the day that places it in the period (met, due, event, end...) */
    uint64_t entries[2]; /* the log entries behind it (0 and 1 used as nentries says) */
    int nentries;
    int in_numerator;
    int64_t value; /* days, for a measure of lengths */
    char state[20];
} cw_measure_item;

typedef struct cw_measures_result cw_measures_result;

/*
 * Computes every measure for the query from the projections in s (read inside the caller's
 * transaction, so the figures are of one moment): each registered child's history, evaluated
 * by the pack as of q->to, and the staff's teams.
 */
cw_rc cw_measures_compute(cw_store *s, const cw_measure_set *m, const cw_rule_pack *p,
                          const cw_calendar *cal, const cw_measures_query *q,
                          cw_measures_result **out, cw_error *err);
void cw_measures_result_free(cw_measures_result *r);

/* The figures as a JSON array, one object per measure: id, title, unit, numerator,
 * denominator, value (null when the denominator is 0), and breakdown (by state) where the
 * measure has one. */
json_t *cw_measures_figures(const cw_measures_result *r);
/* The same figures per team (team_id null: items with no allocated worker), for comparing
 * teams: [{team_id, measures: [{id, numerator, denominator, value}]}]; teams with nothing in
 * the period left out. */
json_t *cw_measures_by_team(const cw_measures_result *r);
/* The number of children whose histories were read. */
uint64_t cw_measures_children(const cw_measures_result *r);
/* The items behind the query's detail measure. */
size_t cw_measures_items(const cw_measures_result *r, const cw_measure_item **items);

/*
 * The value of a figure, as the report prints it: a percentage or a mean, to one decimal place,
 * computed from the integers alone (so every machine prints the same).
 */
json_t *cw_measures_value(const char *unit, int64_t numerator, int64_t denominator);

#endif
