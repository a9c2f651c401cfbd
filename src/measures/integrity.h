/*
 * integrity.h — the signs of manipulated data (docs/integrity.md).
 *
 * The ledger keeps two clocks: what a person says happened when (the effective date in the
 * payload) and when it was recorded (the log's recorded_at, or, for history migrated from
 * another system, its source.recorded_at). Most manipulation of performance data shows in the
 * gap between them, or in patterns across many entries that no single entry reveals. This
 * module reads the log child by child (each child's entries, corrections applied, and the
 * rules engine's obligations for that child) and looks for eight patterns, each with the
 * thresholds of the rule pack's `integrity` lines (docs/rules.md):
 *
 *   late_recording       a member of staff recording late far more often than their team
 *   overdue_hidden       work recorded after its deadline but dated before it
 *   date_correction      a correction of a date that turns work met late into work on time
 *   deadline_clustering  completions on the due date far more often than the team's
 *   clock_reset          a case closed and reopened (or care or registration ended and begun
 *                        again) soon after, while work was overdue
 *   bulk_entry           many backdated entries about many children within minutes
 *   boilerplate          work completed with empty text, or the same text for many children
 *   outside_team         casework on a child by staff outside the team holding the case
 *
 * Each flag names its pattern, explains itself in plain words, and lists the entries (ledger
 * indexes), the staff, the team and the children behind it, with the figures. It never holds a
 * name or any free text: text is compared by a hash of its normalised form, kept in memory for
 * the run only. Memory grows with the number of staff and with what is flagged, not with the
 * log: one child's history is in memory at a time (texts aside: one small slot per distinct
 * completed text).
 *
 * The thresholds are the pack's; a pattern the pack has no line for is not looked for.
 */
#ifndef CW_MEASURES_INTEGRITY_H
#define CW_MEASURES_INTEGRITY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/calendar.h"
#include "util/date.h"

typedef struct cw_integrity_opts {
    cw_date from, to; /* entries dated from .. to, inclusive */
    const char *team; /* only flags about this team (its staff), or NULL for all */
} cw_integrity_opts;

#define CW_INTEGRITY_MAX_LISTED 100 /* entries, staff or children listed in one flag */
#define CW_INTEGRITY_MAX_FLAGS  500 /* flags listed per pattern; every one is counted */

typedef struct cw_integrity_flag {
    cw_integrity_pattern pattern;
    char team[65]; /* the team of the staff behind it ("" if they have none) */
    char explanation[640];
    uint64_t entries[CW_INTEGRITY_MAX_LISTED];
    int16_t entry_child[CW_INTEGRITY_MAX_LISTED]; /* each entry's child: its place in children,
                                                    or -1 (about no child, or not listed) */
    size_t nentries;
    uint64_t entries_total;
    char (*staff)[65];
    size_t nstaff;
    char (*children)[65];
    size_t nchildren;
    /* the figures behind it: count of of (a share, rate), the team's share, z; or -1 */
    int64_t count, of;
    double rate, team_rate, z;
} cw_integrity_flag;

typedef struct cw_integrity_summary {
    uint64_t checked; /* entries (or items) the pattern examined */
    uint64_t flags;   /* every flag raised */
    uint64_t listed;  /* of them, those in the report's list (at most CW_INTEGRITY_MAX_FLAGS: a
                         log whose every entry looks late, such as one imported without its
                         recording times, would otherwise list a flag per entry) */
    uint64_t entries; /* entries named in its flags */
    int on;           /* the pack looks for it */
} cw_integrity_summary;

typedef struct cw_integrity_report {
    cw_date from, to;
    char team[65];
    uint64_t log_size; /* the entries examined are those below this (the checkpoint's size) */
    cw_buf checkpoint; /* the signed checkpoint for log_size */
    cw_integrity_flag *flags;
    size_t nflags, cap;
    cw_integrity_summary summary[CW_INTEGRITY_NPATTERNS];
} cw_integrity_report;

void cw_integrity_report_init(cw_integrity_report *r);
void cw_integrity_report_release(cw_integrity_report *r);

/*
 * Runs every pattern the pack looks for over the entries dated from .. to, as the log stands
 * at its latest checkpoint. The log must be open and its projections current.
 */
cw_rc cw_integrity_run(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                       const cw_integrity_opts *o, cw_integrity_report *out, cw_error *err);

/*
 * The report as JSON: {"from","to","team","checkpoint":{"size","note"},"flags":[...],
 * "summary":{PATTERN:{"checked","flags","entries","looked_for"}}} (docs/integrity.md); each
 * flag's "entry_children" names the child of each of its "entries" (or null).
 * *out is a new reference.
 */
cw_rc cw_integrity_json(const cw_integrity_report *r, json_t **out);

/* The report for people: a summary per pattern, then the flags. */
cw_rc cw_integrity_text(const cw_integrity_report *r, cw_buf *out);

/* The pattern's heading in words ("Late recording"). */
const char *cw_integrity_pattern_title(cw_integrity_pattern p);

#endif
