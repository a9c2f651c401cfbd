/*
 * audit.h — case-file audits over the store (docs/audits.md): the commands that
 * create a programme and draw its sample, drawing it again from an export, and
 * a programme's figures. What the events mean and who may record them is the
 * catalogue's (src/casework/audits.c); this builds them and reads the result.
 */
#ifndef CW_QUALITY_AUDIT_H
#define CW_QUALITY_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "quality/quality.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/calendar.h"
#include "util/date.h"

/* The framework's facts a programme records: framework, framework_sha256, themes (in the
 * framework's order), grades and critical, added to payload. */
cw_rc cw_audit_framework_facts(const cw_audit_framework *f, json_t *payload, cw_error *err);

typedef struct cw_audit_draw_opts {
    const char *programme_id;
    const char *seed;
    size_t size, minimum;
    const json_t *teams;      /* ids: only these teams' cases; NULL: every team */
    const json_t *case_types; /* ids: only these case types; NULL: every type */
    cw_date on;               /* the day it is drawn: cases drawn or added after on - 12 months
                                 are left out */
    const char *drawn_by;     /* who draws it (the entry's actor): given no case of it, so that
                                 nobody draws, by their choice of seed, a case for themselves */
} cw_audit_draw_opts;

/*
 * Draws a sample for a programme from the store as it stands (log_size entries applied) and
 * builds the audit_sample_drawn payload: the cases (cw_audit_sample over the open cases that
 * are not restricted and not audited in the last 12 months) and each one's auditor: the
 * programme's auditor, independent of the case and not the one drawing it, with the fewest
 * cases of this draw so far (ties: the first by staff id). A case no auditor may audit is refused,
 * named.
 */
cw_rc cw_audit_draw(cw_store *s, uint64_t log_size, const cw_audit_draw_opts *o, json_t **payload,
                    cw_error *err);

/*
 * Draws every sample of programme_id again from the export in dir (entries.jsonl): the log is
 * replayed up to each sample's log_size and the draw repeated with its seed and options. The
 * entries must first hash to the root of the export's checkpoint, signed by vkey (a vkey file's
 * text; NULL: the export's own vkey, which proves only that the export is whole).
 * Writes one line per sample to out ("sample #IDX: the same N cases" or what differs) and
 * returns CW_EVERIFY if any differs.
 */
cw_rc cw_audit_redraw(const char *dir, const char *vkey, const char *programme_id, cw_buf *out,
                      cw_error *err);

/*
 * A programme's figures (docs/audits.md, "Reports"): the distribution of the audit's theme
 * grades (not applicable left out) overall, per theme, per team and per auditor, the overall
 * grades, moderation's agreement, the critical findings, and earlier programmes' overall
 * distributions for comparison. f, if given, must be the programme's framework (its labels).
 */
cw_rc cw_audit_figures(cw_store *s, const char *programme_id, const cw_audit_framework *f,
                       json_t **out, cw_error *err);
/* Loads into f the built-in framework the figures were computed with (their framework and
 * framework_sha256), for the grades' and themes' names; 0 if there is none (a council's own
 * file, or one changed since). Release f when 1 is returned. */
int cw_audit_framework_of(const json_t *figures, cw_audit_framework *f);

/* The same figures as facts only, without the grades' names: as a report records them, so
 * that they are recomputed from the log whatever framework files a later caseward holds. */
cw_rc cw_audit_figures_facts(cw_store *s, const char *programme_id, json_t **out, cw_error *err);

/*
 * The audit_report_issued payload for programme_id's report (report.c), from the store as the
 * first log_size entries left it (recorded in the payload, for verify to replay to): the
 * figures then, and
 * content_sha256, the SHA-256 of the canonical JSON of the report's content: {report_id,
 * programme_id, date, recipients, acknowledge_within, figures, recommendations (each with its
 * actions: number, text, owner_id, due)}.
 */
cw_rc cw_audit_report_content(cw_store *s, uint64_t log_size, const char *programme_id,
                              const char *report_id, const char *date, const json_t *recipients,
                              int64_t acknowledge_within, json_t **payload, cw_error *err);

/*
 * From the log as it stood just before a report was issued (s, replayed up to its entry): the
 * SHA-256 of the content the issued payload and the recommendations and actions then make
 * (which must be its content_sha256), and the figures computed then (*figures; which should be
 * the payload's).
 */
cw_rc cw_audit_report_rehash(cw_store *s, const json_t *issued, char sha[65], json_t **figures,
                             cw_error *err);

/*
 * Checks programme_id's issued report against the export in dir (checked first against its
 * signed checkpoint, as cw_audit_redraw does): its content hash rebuilt from the log, and its
 * figures recomputed from the log as it stood when it was issued. One line per check to out;
 * CW_EVERIFY if either differs.
 */
cw_rc cw_audit_verify_report(const char *dir, const char *vkey, const char *programme_id,
                             cw_buf *out, cw_error *err);

/*
 * The state of programme_id's issued report: as issued (its figures, hash and entry), who must
 * acknowledge it by when and who has, and each recommendation's actions as they stand now.
 */
cw_rc cw_audit_report_state(cw_store *s, const char *programme_id, json_t **out, cw_error *err);

/* A report's state as a printable HTML page (lang en or cy; f, if given, for the grades' and
 * themes' names), and as CSV (the figures, then the actions). */
cw_rc cw_audit_report_html(const json_t *state, const cw_audit_framework *f, const char *lang,
                           cw_buf *out);
cw_rc cw_audit_report_csv(const json_t *state, cw_buf *out);

/* Forward declaration: the ledger (ledger/ledger.h). */
typedef struct cw_ledger cw_ledger;

/*
 * Escalates, as of a day, what audits leave undone (escalate.c): critical findings with no
 * action recorded, reports not acknowledged in time, actions not closed by their due day; each
 * step once, in one batch. *raised counts the escalations recorded, *unrouted the steps with
 * nobody in the role to tell.
 */
cw_rc cw_audit_escalate(cw_ledger *l, const cw_calendar *cal, cw_date as_of, uint64_t *raised,
                        uint64_t *unrouted, cw_error *err);

#endif
