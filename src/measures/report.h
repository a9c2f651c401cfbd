/*
 * report.h — the signed measures report, and its recomputation from an
 * exported log.
 *
 * A report is a c2sp signed note (ledger/note.h) signed with the log's own key.
 * Its text is one line of canonical JSON (util/json.h) and a newline:
 *
 *   {"checkpoint":{"origin":..,"root_hash":..,"size":..},"children":N,
 *    "definitions":"<sha-256>","from":"YYYY-MM-DD","measures":[{"denominator":..,
 *    "id":"PM24","numerator":..,"title":..,"unit":"percent","value":87.5,...}],
 *    "pack":"wales","report":"caseward measures","to":"YYYY-MM-DD","version":1}
 *
 * with "team" or "area" when the figures are a team's or an area's. The
 * checkpoint is the log's size and root hash the figures were computed at.
 */
#ifndef CW_MEASURES_REPORT_H
#define CW_MEASURES_REPORT_H

#include "ledger/ledger.h"
#include "ledger/note.h"
#include "measures/measures.h"

/*
 * Computes the figures from the live projections of l at its latest checkpoint (one read
 * transaction: the projections must cover exactly the checkpoint's entries) and returns the
 * report's JSON in *report. *result (may be NULL) keeps the computation for drill-down.
 */
cw_rc cw_measures_report(cw_ledger *l, const cw_measure_set *m, const cw_rule_pack *p,
                         const cw_calendar *cal, const cw_measures_query *q, json_t **report,
                         cw_measures_result **result, cw_error *err);

/* The report's signed note: its canonical JSON and "\n", signed with the key beside the
 * database at db_path (db_path + ".key"). */
cw_rc cw_measures_sign(const char *db_path, const json_t *report, cw_buf *note, cw_error *err);

/* Called for each figure that differs: the measure, what differs, and both values. */
typedef void (*cw_measures_diff_fn)(void *ctx, const char *id, const char *what,
                                    const char *reported, const char *recomputed);

typedef struct cw_measures_check {
    uint64_t size;  /* the report's checkpoint size */
    size_t figures; /* measures compared */
    size_t differences;
} cw_measures_check;

/*
 * Recomputes a signed report from an exported log alone (dir/entries.jsonl): checks the
 * report's signature with v, that the export holds the report's checkpoint (its first `size`
 * entries hash to its root), rebuilds the read model from those entries in a scratch store,
 * computes every figure with the built-in definitions of the report's pack, and compares
 * them, calling fn for each that differs. CW_OK only if every figure is equal.
 */
cw_rc cw_measures_recompute(const char *dir, const char *note, size_t len,
                            const cw_note_verifier *v, cw_measures_diff_fn fn, void *ctx,
                            cw_measures_check *out, cw_error *err);

#endif
