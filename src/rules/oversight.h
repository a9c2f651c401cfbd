/*
 * oversight.h — the rules applied to the record: obligations and signals for
 * each child from the database, and escalation up the management chain.
 *
 * This is where the pure engine (rules.h) meets the casework projections: it
 * builds each child's history (corrections applied), evaluates the pack, and
 * for escalation finds the person to tell — walking up from the child's
 * allocated worker to the first manager holding the role the rule's ladder
 * names — and records an escalation_raised event in the ledger, so the log
 * proves who was told and when. Each item is escalated once per ladder step:
 * running escalation again, the same day or later, adds nothing new for
 * steps already recorded.
 */
#ifndef CW_RULES_OVERSIGHT_H
#define CW_RULES_OVERSIGHT_H

#include "casework/casework.h"
#include "rules/rules.h"

/*
 * Evaluates the pack for one child as it stood on as_of, from the child's
 * history kept by the projection (child_histories: each payload with
 * corrections applied and free text reduced to "present", in the compact
 * form of util/facts.h). One read, no parsing: this is what keeps
 * re-evaluating a child after an append cheap.
 */
cw_rc cw_oversight_child(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                         const char *child_id, cw_date as_of, cw_rule_results *out, cw_error *err);

/*
 * The same, from the child's full history read back from the ledger (what the
 * chronology shows). Slower; the two give the same answers, which the tests
 * check.
 */
cw_rc cw_oversight_child_from_ledger(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                                     const char *child_id, cw_date as_of, cw_rule_results *out,
                                     cw_error *err);

/* Called with each child's results; a non-zero return stops the walk. */
typedef cw_rc (*cw_oversight_fn)(void *ctx, const char *child_id, const cw_rule_results *r);

/* Evaluates every registered child, in child_id order. */
cw_rc cw_oversight_all(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal, cw_date as_of,
                       cw_oversight_fn fn, void *ctx, cw_error *err);

/* The key that names an obligation or a signal across runs. */
void cw_oversight_item_obligation(const cw_obligation *o, char *out, size_t cap);
void cw_oversight_item_signal(const cw_signal *s, char *out, size_t cap);

/*
 * Escalates every overdue obligation and every signal with an escalation
 * level, as of as_of, in one batch. *raised receives the number of
 * escalation_raised events recorded; *unrouted the number of items for which
 * nobody with the ladder's role could be found.
 */
cw_rc cw_oversight_escalate(cw_ledger *l, const cw_rule_pack *p, const cw_calendar *cal,
                            cw_date as_of, uint64_t *raised, uint64_t *unrouted, cw_error *err);

#endif
