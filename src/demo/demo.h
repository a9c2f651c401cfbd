/*
 * demo.h — a synthetic council for demonstrations, tests and benchmarks.
 *
 * cw_demo_generate fills an empty log with a realistic, entirely invented
 * children's services department: a head of service, service managers, team
 * managers and social workers in teams by service area, and children whose
 * journeys follow DESIGN.md section 4 (contact, referral, assessment, child
 * protection, looked after, CSE risk, supervision, closure and re-referral).
 * A documented share of the work is late or missing (docs/demo.md), so that
 * the obligations and signals of the rules engine have something to find;
 * with failure_scale 0 nothing is late and nothing is missing.
 *
 * Every command goes through cw_casework_submit, so the demo is valid by
 * the same rules as real data; nothing is dated after as_of. Commands are
 * committed in batches (one signed checkpoint per batch): on failure the log
 * keeps the batches committed before it.
 *
 * Reproducible: the same options (seed, children, as_of, years,
 * failure_scale) give the same commands, byte for byte, into an empty log,
 * whatever the batch size. Only the ledger's recorded_at (the real time of
 * the append) differs from run to run. Each command carries a source
 * ("demo", a plausible time it was recorded: docs/demo.md), so the integrity
 * analytics see realistic recording delays. No clock is read for the data; the
 * clock is read only to default as_of to today and to refuse an as_of after
 * today (validation refuses dates in the future).
 */
#ifndef CW_DEMO_DEMO_H
#define CW_DEMO_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/date.h"

/* as_of meaning "today" (UTC). */
#define CW_DEMO_TODAY INT32_MIN

/*
 * Called for each pattern of manipulated data the demo injected (docs/demo.md, "Signs of
 * manipulation"): pattern as cw_integrity_pattern, the member of staff, and the entry (its
 * ledger index) for patterns about one entry, or UINT64_MAX for patterns about a person
 * (late_recording, deadline_clustering, bulk_entry, boilerplate).
 *
 * As cw_demo_opts.altered, called for each entry a pattern about a person altered (recorded
 * late, in a bulk sitting, with pasted text, dated on its due date), with its ledger index,
 * whether or not the person reached the size that counts as injected: a person chosen for late
 * recording who left after 7 late entries is not counted, but their late entries can still look
 * like work recorded after its deadline (overdue_hidden), and rightly so.
 */
typedef void (*cw_demo_injected_fn)(void *ctx, int pattern, const char *staff, uint64_t entry);

/* Called after each committed batch. */
typedef void (*cw_demo_progress_fn)(void *ctx, uint64_t children_done, uint64_t children_total,
                                    uint64_t events);

typedef struct cw_demo_opts {
    uint64_t children;    /* 1 .. 10,000,000; default 1,000 */
    uint64_t seed;        /* default 1 */
    cw_date as_of;        /* the last day of the history; default CW_DEMO_TODAY */
    unsigned years;       /* years of history before as_of, 1 .. 10; default 3 */
    size_t batch;         /* commands per commit, 1 .. 1,000,000; default 5,000 */
    double failure_scale; /* multiplies every failure share, 0 .. 5; default 1; 0 = clean */
    int leaf_v1; /* 1: personal text in the leaves, as before issue 13 (upgrade tests only) */
    cw_demo_progress_fn progress; /* optional */
    void *progress_ctx;
    cw_demo_injected_fn injected; /* optional: what was injected, for tests */
    void *injected_ctx;
    cw_demo_injected_fn altered; /* optional: each entry a pattern altered, counted or not */
    void *altered_ctx;
} cw_demo_opts;

/* Sets the defaults above. */
void cw_demo_opts_init(cw_demo_opts *o);

/*
 * What was generated. Counts are of events in the log (dated on or before
 * as_of); "late" counts are events recorded after their due date, by the
 * generator's own choice; "at as_of" counts are the state on as_of, worked
 * out from the events as the Wales rule pack would (referrals_undecided,
 * repeat_contacts, assessments_overdue, cse_unassessed, supervision_gap,
 * drifting, cp_home_overdue and cp_bedroom_overdue equal what cw_oversight_all
 * finds for those rules). All of it is
 * a function of the options, so two runs with the same options give
 * identical stats (batches aside).
 */
typedef struct cw_demo_stats {
    /* the council */
    uint64_t councils, localities, teams, staff, social_workers, staff_left;
    double caseload_mean; /* open allocated cases per social worker in post at as_of */
    uint64_t caseload_max;
    /* children and volumes */
    uint64_t children, events, batches;
    uint64_t welsh, restricted;
    uint64_t contacts, referrals, referrals_nfa, assessments_started, assessments_completed;
    uint64_t strategy_discussions, section_47s, initial_conferences, registrations;
    uint64_t registrations_by_category[4]; /* neglect, emotional, physical, sexual */
    uint64_t review_conferences, deregistrations, core_groups, plans;
    uint64_t visits, cp_visits, la_visits;
    uint64_t looked_after_episodes, placement_changes, la_reviews, health_checks;
    uint64_t cse_concerns, cse_risk_assessments, cse_moderate_plus, missing_episodes;
    uint64_t case_notes, allocations, transfers, closures, reopenings, corrections;
    uint64_t supervisions;
    uint64_t cp_assessments; /* started on the child protection route (not in assessments_*) */
    /* the state at as_of */
    uint64_t open_cases, on_register, looked_after;
    /* failures (docs/demo.md gives the share each is drawn with) */
    uint64_t referrals_undecided;  /* never decided, past due at as_of */
    uint64_t repeat_contacts;      /* children with 3 contacts in 12 months unassessed at as_of */
    uint64_t assessments_late;     /* completed after 42 working days */
    uint64_t assessments_never;    /* never completed (closed without, or still open) */
    uint64_t assessments_overdue;  /* open and past due at as_of */
    uint64_t assessments_no_views; /* completed with views_not_obtained_reason */
    uint64_t visits_no_views;      /* visits with views_not_obtained_reason */
    uint64_t icpc_late, outline_plans_late, core_groups_late, reviews_late;
    uint64_t cp_visits_late;    /* seen alone more than 10 working days after the last */
    uint64_t cp_not_seen_alone; /* children on the register at as_of not seen alone */
    uint64_t la_plans_late, la_visits_late, la_reviews_late, gp_late, dentist_late;
    uint64_t placement_plans_late;    /* placement plans after 5 working days */
    uint64_t cp_assessments_late;     /* completed after 42 working days of the section 47 start */
    uint64_t cp_home_late;            /* CP visits that had to be at home, made elsewhere */
    uint64_t cp_bedroom_missed;       /* conferences after which the bedroom was not seen */
    uint64_t cp_home_overdue;         /* on the register at as_of, not seen at home for 4 weeks */
    uint64_t cp_bedroom_overdue;      /* on the register at as_of, bedroom unseen 6 months on */
    uint64_t contact_decisions;       /* contact_decided entries */
    uint64_t contact_decisions_late;  /* contacts decided after 1 working day */
    uint64_t contacts_undecided;      /* contacts neither decided nor referred, past due at as_of */
    uint64_t return_interviews;       /* return_interview entries (offered: accepted or declined) */
    uint64_t return_interviews_late;  /* offered more than 3 days after the return */
    uint64_t return_interviews_never; /* returned episodes never offered one */
    uint64_t return_interviews_overdue; /* returned episodes without one, past due at as_of */
    uint64_t missing_no_strategy; /* 3rd missing episodes in 90 days with no strategy discussion */
    uint64_t repeat_missing;      /* children with 3 in 90 days undiscussed at as_of */
    uint64_t health_assessments_late; /* reviews of the health assessment after 6 or 12 months */
    uint64_t care_leavers;            /* recorded eligible (category 1) on their 16th birthday */
    uint64_t needs_assessments;       /* care leavers' needs assessments */
    uint64_t needs_assessments_late;  /* after 3 months */
    uint64_t pathway_reviews_late;    /* pathway plans recorded again after 6 months */
    uint64_t pa_visits;               /* personal adviser visits */
    uint64_t pa_visits_late;          /* within 7 days, then 2 months, missed */
    uint64_t peps;                    /* personal education plans (the first, and reviews) */
    uint64_t peps_late;               /* after 20 working days, or 4 months after the last */
    uint64_t cin_reviews;             /* care and support (child in need) plans recorded again */
    uint64_t cin_reviews_late;        /* more than 3 months after the plan or its last review */
    uint64_t cin_reviews_overdue;     /* children whose plan review is past due at as_of */
    uint64_t cse_unassessed;          /* children with a CSE indicator unassessed after 10 wd */
    uint64_t cse_no_strategy;         /* moderate or significant bands with no strategy */
    uint64_t cse_reassessments_late;  /* reassessed more than 3 months after the last */
    uint64_t never_discussed;         /* allocated children never discussed in supervision */
    uint64_t supervisions_missed;     /* monthly supervision sessions that did not happen */
    uint64_t supervision_gap;         /* open cases past the 4-week standard at as_of */
    uint64_t drifting;                /* open cases with no activity for 20 wd at as_of */
    /* the Active Offer: Welsh-speaking children's visits and assessments (needs assessments
     * included), those carried out in Welsh or bilingually, and those where it was made */
    uint64_t welsh_work, welsh_work_in_welsh, welsh_work_offer;
    /* signs of manipulation injected, by cw_integrity_pattern: people (late_recording,
     * bulk_entry, boilerplate) or entries (the others) */
    uint64_t injected[CW_INTEGRITY_NPATTERNS];
    /* the case-file audit (docs/demo.md): cases audited, 0 when the demo carries none */
    uint64_t audit_cases;
    /* the improvement plan after an inspection (docs/demo.md): its actions, 0 when none */
    uint64_t improve_actions;
} cw_demo_stats;

/*
 * Generates the demo council into l, which must be an empty log opened for
 * writing (CW_EEXIST otherwise). o may be NULL for the defaults; stats may
 * be NULL. CW_EINVAL names a bad option. With 50 children or more it registers the
 * improvement plans module (cw_improve_register) for the council's improvement plan, so call it
 * before starting any thread.
 */
cw_rc cw_demo_generate(cw_ledger *l, const cw_demo_opts *o, cw_demo_stats *stats, cw_error *err);

/* Appends a human-readable summary of stats (several lines) to out. */
cw_rc cw_demo_stats_format(const cw_demo_stats *s, cw_buf *out);

/*
 * Sign-in accounts for trying the demo, all with the same password (not a
 * one-time one): a social worker in post, their team manager, a service
 * manager, a head of service, an inspector (for 90 days), a QA auditor (the
 * first QA auditor on the staff, or a role account in a council without one),
 * an administrator, the data protection officer and, where there is one, the
 * director. Appends a line per account ("username role staff_id")
 * to out. For demonstrations only: a real council gives each person their
 * own one-time password (caseward user add).
 */
cw_rc cw_demo_accounts(cw_ledger *l, const char *password, cw_buf *out, cw_error *err);

#endif
