/*
 * store_postgres.c — the PostgreSQL backend of the storage interface (issue 15;
 * docs/postgres.md), with libpq.
 *
 * A store is one connection, used by one thread, opened from a libpq URI
 * (postgresql://... or postgres://...). The password is never part of what
 * caseward prints: libpq takes it from PGPASSWORD, ~/.pgpass or PGPASSFILE,
 * and no message here repeats the URI.
 *
 * Every statement with parameters is prepared on first use (once per pattern
 * of parameter types) and run with PQexecPrepared: parameters are bound, never
 * written into the SQL, each typed from its cw_value (bigint, text, bytea)
 * and sent in binary format; results come back in binary format and are
 * mapped to cw_value as store_sqlite.c maps SQLite's (bigint, integer and
 * smallint -> CW_V_INT, text -> CW_V_TEXT, bytea -> CW_V_BLOB, NULL ->
 * CW_V_NULL), column for column.
 *
 * Transactions: a write transaction (begin) is READ COMMITTED and first takes
 * the advisory lock APPEND_LOCK, held to its end, so that writers are
 * serialised on the log's tail as SQLite's BEGIN IMMEDIATE serialises them:
 * cw_ledger_batch_begin reads the stored size after cw_store_begin, so two
 * writers never take the same leaf index, and each statement after the lock
 * sees what the writer before committed. A read transaction (begin_read) is
 * REPEATABLE READ, READ ONLY: one snapshot to its end.
 *
 * The schema version (SQLite's user_version) is the meta row 'schema_version',
 * written by CREATE in the transaction that loads schema_postgres.sql. With
 * CW_STORE_CREATE_UNCOMMITTED that transaction is a write transaction left open for the
 * caller (caseward migrate), so that the schema and all written after it are one commit.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCHEMA_VERSION 12
#define APPEND_LOCK    0x6377643100000001LL /* 'cwd1', 1: the log's tail */
#define SCAN_BATCH     4096                 /* rows fetched at a time by the scans */
#define MAX_COLUMNS    32                   /* the widest named query, CW_Q_CHILD_RECORD, has 18 */
#define MAX_PARAMS     16
#define STR_(x)        #x
#define STR(x)         STR_(x)

/* PostgreSQL's type OIDs (catalog/pg_type.h), fixed since long ago. */
#define OID_BYTEA 17
#define OID_INT8  20
#define OID_INT2  21
#define OID_INT4  23
#define OID_TEXT  25

extern const char cw_schema_postgres[];
extern const char cw_schema_sqlite[];

/* The projection queries of store.h, for PostgreSQL: store_sqlite.c's, translated. */
static const char *const named[CW_Q_COUNT] = {
    [CW_Q_PROJECTION_APPLIED] = "SELECT value FROM projection_state WHERE key = 'applied'",
    [CW_Q_PROJECTION_SET_APPLIED] =
        "INSERT INTO projection_state(key, value) VALUES ('applied', $1) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [CW_Q_TEAM_GET] = "SELECT name FROM teams WHERE team_id = $1",
    [CW_Q_TEAM_PUT] = "INSERT INTO teams(team_id, name, service_area, idx) VALUES ($1, $2, $3, $4)",
    [CW_Q_STAFF_GET] =
        "SELECT role, team_id, manager_id, left_on, name FROM staff WHERE staff_id = $1",
    [CW_Q_STAFF_PUT] = "INSERT INTO staff(staff_id, name, role, team_id, manager_id, idx) "
                       "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT(staff_id) DO UPDATE SET "
                       "name = excluded.name, role = excluded.role, team_id = excluded.team_id, "
                       "manager_id = excluded.manager_id, idx = excluded.idx",
    [CW_Q_STAFF_LEFT] = "UPDATE staff SET left_on = $2, idx = $3 WHERE staff_id = $1",
    [CW_Q_STAFF_ALL] = "SELECT staff_id, role, team_id, manager_id, left_on FROM staff "
                       "ORDER BY staff_id",
    [CW_Q_CHILD_GET] =
        "SELECT date_of_birth, case_status, worker_id, cp_since, looked_after_since, "
        "restricted, cp_category FROM children WHERE child_id = $1",
    [CW_Q_CHILD_PUT] =
        "INSERT INTO children(child_id, given_name, family_name, date_of_birth, gender, "
        "ethnicity, language, address, restricted, idx, last_activity, case_status, "
        "family_language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)",
    [CW_Q_CHILD_SET_WORKER] = "UPDATE children SET worker_id = $2 WHERE child_id = $1",
    [CW_Q_CHILD_SET_STATUS] = "UPDATE children SET case_status = $2 WHERE child_id = $1",
    [CW_Q_CHILD_SET_CP] = "UPDATE children SET cp_category = $2, cp_since = $3 WHERE child_id = $1",
    [CW_Q_CHILD_SET_LOOKED_AFTER] =
        "UPDATE children SET looked_after_since = $2, placement_id = $3, "
        "placement_type = $4 WHERE child_id = $1",
    [CW_Q_CHILD_SET_PLACEMENT] = "UPDATE children SET placement_id = $2, placement_type = $3 "
                                 "WHERE child_id = $1",
    [CW_Q_CHILD_TOUCH] =
        "UPDATE children SET last_activity = GREATEST(coalesce(last_activity, ''), $2) "
        "WHERE child_id = $1",
    [CW_Q_CHILD_DELETE] = "DELETE FROM children WHERE child_id = $1",
    [CW_Q_CHILDREN_ALL] = "SELECT child_id, date_of_birth, worker_id, case_status FROM children "
                          "ORDER BY child_id",
    [CW_Q_ACCESS_PUT] = "INSERT INTO child_access(child_id, staff_id) VALUES ($1, $2) "
                        "ON CONFLICT DO NOTHING",
    [CW_Q_ACCESS_DELETE] = "DELETE FROM child_access WHERE child_id = $1",
    [CW_Q_RECORD_GET] = "SELECT kind, child_id, opened_on, closed_on, status, idx FROM records "
                        "WHERE record_id = $1",
    [CW_Q_RECORD_PUT] = "INSERT INTO records(record_id, kind, child_id, opened_on, status, idx) "
                        "VALUES ($1, $2, $3, $4, $5, $6)",
    [CW_Q_RECORD_CLOSE] = "UPDATE records SET closed_on = $2, status = $3, closed_idx = $4 "
                          "WHERE record_id = $1",
    [CW_Q_RECORD_DELETE_CHILD] = "DELETE FROM records WHERE child_id = $1",
    [CW_Q_ERASURES] = "SELECT record_id, child_id, opened_on, status, idx, closed_on, closed_idx "
                      "FROM records WHERE kind = 'erasure' ORDER BY idx DESC",
    [CW_Q_ACCESS_CHANGES] = "SELECT record_id, idx, status, closed_on, closed_idx FROM records "
                            "WHERE kind = 'access_change' ORDER BY idx DESC",
    [CW_Q_VISIT_PUT] = "INSERT INTO visits(idx, child_id, date, seen, seen_alone, views_recorded) "
                       "VALUES ($1, $2, $3, $4, $5, $6)",
    [CW_Q_VISIT_DELETE_CHILD] = "DELETE FROM visits WHERE child_id = $1",
    [CW_Q_SUPERVISION_PUT] = "INSERT INTO supervisions(idx, supervisee_id, supervisor_id, date) "
                             "VALUES ($1, $2, $3, $4) ON CONFLICT(idx) DO UPDATE SET "
                             "supervisee_id = excluded.supervisee_id, "
                             "supervisor_id = excluded.supervisor_id, date = excluded.date",
    [CW_Q_SUPERVISION_CASE_PUT] = "INSERT INTO supervision_cases(idx, child_id) "
                                  "VALUES ($1, $2) ON CONFLICT DO NOTHING",
    [CW_Q_SUPERVISION_CASE_DELETE_CHILD] = "DELETE FROM supervision_cases WHERE child_id = $1",
    [CW_Q_CHILD_EVENT_PUT] =
        "INSERT INTO child_events(child_id, idx, date, type) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (child_id, idx) DO UPDATE SET date = EXCLUDED.date, "
        "type = EXCLUDED.type",
    [CW_Q_CHILD_EVENTS] = "SELECT idx, date, type FROM child_events WHERE child_id = $1 "
                          "ORDER BY date, idx",
    [CW_Q_CHILD_EVENTS_DELETE] = "DELETE FROM child_events WHERE child_id = $1",
    [CW_Q_CHILD_HISTORY_TAIL] = "SELECT seg, events FROM child_histories WHERE child_id = $1 "
                                "ORDER BY seg DESC",
    [CW_Q_CHILD_HISTORY_TRIM] = "DELETE FROM child_histories WHERE child_id = $1 AND seg >= $2",
    [CW_Q_CHILD_FOR_RULES] = "SELECT c.date_of_birth, h.events FROM children c LEFT JOIN "
                             "child_histories h ON h.child_id = c.child_id WHERE c.child_id = $1 "
                             "ORDER BY h.seg",
    [CW_Q_HISTORIES_RANGE] = "SELECT child_id, events FROM child_histories WHERE child_id >= $1 "
                             "AND child_id <= $2 ORDER BY child_id, seg",
    [CW_Q_CHILD_HISTORY_PUT] =
        "INSERT INTO child_histories(child_id, seg, events) VALUES ($1, $2, $3) "
        "ON CONFLICT (child_id, seg) DO UPDATE SET events = EXCLUDED.events",
    [CW_Q_CHILD_HISTORY_DELETE] = "DELETE FROM child_histories WHERE child_id = $1",
    [CW_Q_EVENT_CHILDREN] = "SELECT child_id FROM child_events WHERE idx = $1 ORDER BY child_id",
    [CW_Q_CORRECTION_PUT] = "INSERT INTO corrections(idx, corrects, reason) VALUES ($1, $2, $3) "
                            "ON CONFLICT (idx) DO UPDATE SET corrects = EXCLUDED.corrects, "
                            "reason = EXCLUDED.reason",
    [CW_Q_ACCOUNT_GET] = "SELECT staff_id, role, password, must_change, disabled, expires_on, "
                         "failed, locked_until, language FROM accounts WHERE username = $1",
    [CW_Q_ACCOUNT_PUT] = "INSERT INTO accounts(username, staff_id, role, password, must_change, "
                         "disabled, expires_on, failed, locked_until, created_at) "
                         "VALUES ($1, $2, $3, $4, $5, 0, $6, 0, 0, $7)",
    [CW_Q_ACCOUNT_SET_PASSWORD] =
        "UPDATE accounts SET password = $2, must_change = $3, failed = 0, "
        "locked_until = 0 WHERE username = $1",
    [CW_Q_ACCOUNT_SET_STATUS] = "UPDATE accounts SET disabled = coalesce($2, disabled), "
                                "expires_on = coalesce($3, expires_on), "
                                "language = coalesce($4, language) WHERE username = $1",
    [CW_Q_ACCOUNT_SIGN_IN] =
        "UPDATE accounts SET failed = $2, locked_until = $3 WHERE username = $1",
    [CW_Q_ACCOUNT_COUNT] = "SELECT count(*) FROM accounts",
    [CW_Q_RECORD_ACCESS_PUT] =
        "INSERT INTO record_access(idx, child_id, actor, what, allowed, at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idx) DO UPDATE SET "
        "child_id = EXCLUDED.child_id, actor = EXCLUDED.actor, what = EXCLUDED.what, "
        "allowed = EXCLUDED.allowed, at = EXCLUDED.at",
    [CW_Q_RECORD_ACCESS_OF_CHILD] = "SELECT idx, actor, what, allowed, at FROM record_access "
                                    "WHERE child_id = $1 ORDER BY idx",
    [CW_Q_CHILDREN_AFTER] = "SELECT child_id, date_of_birth, worker_id, case_status, given_name, "
                            "family_name FROM children "
                            "WHERE child_id > $1 ORDER BY child_id",
    [CW_Q_CHILDREN_OF_WORKER] = "SELECT child_id, worker_id, case_status, given_name, family_name, "
                                "date_of_birth, language, family_language FROM children "
                                "WHERE worker_id = $1 "
                                "ORDER BY child_id",
    [CW_Q_CHILDREN_OF_TEAM] = "SELECT c.child_id, c.worker_id, c.case_status, c.given_name, "
                              "c.family_name, c.date_of_birth, c.language, c.family_language "
                              "FROM children c "
                              "JOIN staff s ON s.staff_id = c.worker_id WHERE s.team_id = $1 "
                              "ORDER BY c.worker_id, c.child_id",
    [CW_Q_STAFF_LIST] = "SELECT staff_id, name, role, team_id, manager_id, left_on FROM staff "
                        "ORDER BY staff_id",
    [CW_Q_TEAMS_ALL] = "SELECT team_id, name, service_area FROM teams ORDER BY team_id",
    [CW_Q_TOKEN_PUT] = "INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) "
                       "VALUES ($1, $2, $3, $4, $5, 0)",
    [CW_Q_TOKEN_BY_HASH] = "SELECT name, username, scope, revoked FROM api_tokens WHERE hash = $1",
    [CW_Q_TOKEN_GET] = "SELECT username, scope, revoked FROM api_tokens WHERE name = $1",
    [CW_Q_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked = 1 WHERE name = $1 AND revoked = 0",
    [CW_Q_STAFF_IN_POST] = "SELECT staff_id, team_id, manager_id FROM staff WHERE role = $1 AND "
                           "left_on IS NULL ORDER BY staff_id",
    [CW_Q_CHILD_RECORD] = "SELECT child_id, given_name, family_name, date_of_birth, gender, "
                          "ethnicity, language, address, restricted, worker_id, case_status, "
                          "cp_category, cp_since, looked_after_since, placement_id, "
                          "placement_type, last_activity, family_language FROM children "
                          "WHERE child_id = $1",
    [CW_Q_CHILD_SCOPE] = "SELECT c.worker_id, c.restricted, s.team_id, t.service_area, "
                         "s.manager_id, m.manager_id FROM children c LEFT JOIN staff s ON "
                         "s.staff_id = c.worker_id LEFT JOIN teams t ON t.team_id = s.team_id "
                         "LEFT JOIN staff m ON m.staff_id = s.manager_id WHERE c.child_id = $1",
    [CW_Q_TEAM_REPORTS_TO] = "SELECT 1 FROM staff s LEFT JOIN staff m ON m.staff_id = "
                             "s.manager_id WHERE s.team_id = $1 AND (s.manager_id = $2 OR "
                             "m.manager_id = $2) LIMIT 1",
    [CW_Q_CHILD_ACCESS_HAS] = "SELECT 1 FROM child_access WHERE child_id = $1 AND staff_id = $2",
    [CW_Q_CHILD_ACCESS_LIST] =
        "SELECT staff_id FROM child_access WHERE child_id = $1 ORDER BY staff_id",
    [CW_Q_TEAM_AREA] = "SELECT service_area FROM teams WHERE team_id = $1",
    [CW_Q_CHILD_NAME] =
        "SELECT given_name, family_name, worker_id FROM children WHERE child_id = $1",
    [CW_Q_CHILDREN_UNALLOCATED] =
        "SELECT child_id, worker_id, case_status, given_name, family_name, "
        "date_of_birth, language, family_language FROM children WHERE worker_id IS NULL AND "
        "case_status = 'open' ORDER BY child_id",
    /* A prefilter on the leaf bytes: in compact JSON the member "type" with such a value can
     * only be written like this (inside a string the quotes would be escaped). */
    [CW_Q_ENTRIES_ACCOUNTS] =
        "SELECT idx, leaf FROM entries WHERE position(convert_to('\"type\":\"account_', 'UTF8') "
        "IN leaf) > 0 OR position(convert_to('\"type\":\"token_', 'UTF8') IN leaf) > 0 "
        "ORDER BY idx",
    [CW_Q_ESCALATION_PUT] = "INSERT INTO escalations(child_id, item, level, notified_id, "
                            "as_of, idx) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    [CW_Q_ESCALATION_GET] = "SELECT notified_id, as_of, idx FROM escalations WHERE child_id = $1 "
                            "AND item = $2 AND level = $3",
    [CW_Q_ESCALATION_DELETE_CHILD] = "DELETE FROM escalations WHERE child_id = $1",
    [CW_Q_CORRECTIONS_OF] = "SELECT idx, reason FROM corrections WHERE corrects = $1 ORDER BY idx",
    [CW_Q_SIGNOFF_GET] = "SELECT kind, child_id, submitted_by, submitted_on, state, decided_by, "
                         "decided_on, decided_idx FROM signoffs WHERE idx = $1",
    [CW_Q_SIGNOFF_PUT] = "INSERT INTO signoffs(idx, child_id, kind, submitted_by, "
                         "submitted_on, state, decided_by, decided_on) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    [CW_Q_SIGNOFF_DECIDE] = "UPDATE signoffs SET state = $2, decided_by = $3, decided_on = $4, "
                            "decided_idx = $5 WHERE idx = $1",
    [CW_Q_SIGNOFFS_PENDING] =
        "SELECT idx, child_id, kind, submitted_by, submitted_on FROM signoffs "
        "WHERE state = 'pending' ORDER BY idx",
    [CW_Q_SIGNOFFS_RETURNED] = "SELECT idx, child_id, kind, submitted_by, submitted_on FROM "
                               "signoffs WHERE state = 'returned' AND submitted_by = $1 ORDER BY "
                               "idx",
    [CW_Q_POLICY_GET] = "SELECT value, idx FROM policy WHERE key = $1",
    [CW_Q_POLICY_PUT] =
        "INSERT INTO policy(key, value, idx) VALUES ($1, $2, $3) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, idx = EXCLUDED.idx",
    [CW_Q_CHILD_SET_RESTRICTED] = "UPDATE children SET restricted = $2 WHERE child_id = $1",
    [CW_Q_DEPUTY_PUT] =
        "INSERT INTO deputies(manager_id, deputy_id, until, idx) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (manager_id, deputy_id) DO UPDATE SET until = EXCLUDED.until, "
        "idx = EXCLUDED.idx",
    [CW_Q_DEPUTIES_ALL] = "SELECT manager_id, deputy_id, until FROM deputies ORDER BY manager_id, "
                          "deputy_id",
    [CW_Q_DEPUTY_HAS] = "SELECT 1 FROM deputies WHERE manager_id = $1 AND deputy_id = $2 AND "
                        "until >= $3",
    [CW_Q_HOLD_GET] = "SELECT child_id, kind, placed_on, until, lifted_on, idx FROM legal_holds "
                      "WHERE hold_id = $1",
    [CW_Q_HOLD_PUT] = "INSERT INTO legal_holds(hold_id, child_id, kind, placed_on, until, idx) "
                      "VALUES ($1, $2, $3, $4, $5, $6)",
    [CW_Q_HOLD_LIFT] = "UPDATE legal_holds SET lifted_on = $2, lifted_idx = $3 WHERE hold_id = $1",
    [CW_Q_HOLDS_COVERING] =
        "SELECT hold_id, kind, placed_on, child_id FROM legal_holds WHERE (child_id = $1 OR "
        "child_id IS NULL) AND lifted_on IS NULL AND (until IS NULL OR until >= $2) "
        "ORDER BY placed_on, hold_id",
    [CW_Q_ERASURES_PENDING_OF] = "SELECT record_id, status FROM records WHERE child_id = $1 AND "
                                 "kind = 'erasure' AND closed_on IS NULL ORDER BY record_id",
    [CW_Q_CHILD_RETENTION] =
        "SELECT kind, status, opened_on FROM records WHERE child_id = $1 UNION ALL "
        "SELECT 'event', type, date FROM child_events WHERE child_id = $1 AND type IN "
        "('looked_after_started', 'leaving_care_status', 'case_closed', 'case_reopened', "
        "'conference_held', 'section_47_started')",
    [CW_Q_ACCOUNTS_ALL] = "SELECT username, staff_id, role, password, must_change, disabled, "
                          "expires_on, failed, locked_until, created_at, language FROM accounts "
                          "ORDER BY username",
    [CW_Q_ACCOUNT_COPY] = "INSERT INTO accounts(username, staff_id, role, password, must_change, "
                          "disabled, expires_on, failed, locked_until, created_at, language) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    [CW_Q_TOKENS_ALL] = "SELECT name, hash, username, scope, created_at, revoked FROM api_tokens "
                        "ORDER BY name",
    [CW_Q_TOKEN_COPY] = "INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) "
                        "VALUES ($1, $2, $3, $4, $5, $6)",
    [CW_Q_AUDIT_PROGRAMME_GET] =
        "SELECT title, commissioned_by, starts, ends, framework, framework_sha256, themes, "
        "grades, critical, area_manager_id, idx FROM audit_programmes WHERE programme_id = $1",
    [CW_Q_AUDIT_PROGRAMME_PUT] =
        "INSERT INTO audit_programmes(programme_id, title, commissioned_by, starts, ends, "
        "framework, framework_sha256, themes, grades, critical, area_manager_id, idx) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    [CW_Q_AUDIT_PROGRAMMES_ALL] =
        "SELECT programme_id, title, commissioned_by, starts, ends, framework, grades, idx "
        "FROM audit_programmes ORDER BY idx DESC",
    [CW_Q_AUDIT_AUDITOR_PUT] = "INSERT INTO audit_auditors(programme_id, staff_id) VALUES ($1, $2)",
    [CW_Q_AUDIT_AUDITOR_HAS] =
        "SELECT 1 FROM audit_auditors WHERE programme_id = $1 AND staff_id = $2",
    [CW_Q_AUDIT_AUDITORS_OF] =
        "SELECT staff_id FROM audit_auditors WHERE programme_id = $1 ORDER BY staff_id",
    [CW_Q_AUDIT_SAMPLE_PUT] =
        "INSERT INTO audit_samples(idx, programme_id, seed, log_size, size, minimum, drawn_on) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [CW_Q_AUDIT_SAMPLES_OF] =
        "SELECT idx, seed, log_size, size, minimum, drawn_on FROM audit_samples WHERE "
        "programme_id = $1 ORDER BY idx",
    [CW_Q_AUDIT_CASE_PUT] =
        "INSERT INTO audit_cases(programme_id, child_id, auditor_id, how, added_on, idx, "
        "team_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [CW_Q_AUDIT_CASE_GET] =
        "SELECT auditor_id, how, added_on, idx, team_id, completed_on, overall, completed_idx, "
        "moderator_id, moderated_on, moderated_overall, moderated_idx FROM audit_cases WHERE "
        "programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_CASE_COMPLETE] =
        "UPDATE audit_cases SET completed_on = $3, overall = $4, completed_idx = $5 WHERE "
        "programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_CASE_MODERATOR] =
        "UPDATE audit_cases SET moderator_id = $3 WHERE programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_CASE_MODERATED] =
        "UPDATE audit_cases SET moderated_on = $3, moderated_overall = $4, moderated_idx = $5 "
        "WHERE programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_CASES_OF] =
        "SELECT child_id, auditor_id, how, added_on, team_id, completed_on, overall, "
        "moderator_id, moderated_on, moderated_overall FROM audit_cases WHERE programme_id = "
        "$1 ORDER BY child_id",
    [CW_Q_AUDIT_CASES_OF_STAFF] =
        "SELECT a.programme_id, a.child_id, a.auditor_id, a.moderator_id, a.completed_on, "
        "a.moderated_on, p.ends FROM audit_cases a JOIN audit_programmes p ON p.programme_id = "
        "a.programme_id WHERE (a.auditor_id = $1 OR a.moderator_id = $1) AND p.starts <= $2 "
        "AND p.ends >= $2 ORDER BY a.programme_id, a.child_id",
    [CW_Q_AUDIT_ACCESS] =
        "SELECT 1 FROM audit_cases a JOIN audit_programmes p ON p.programme_id = "
        "a.programme_id WHERE a.child_id = $1 AND (a.auditor_id = $2 OR a.moderator_id = $2) "
        "AND p.starts <= $3 AND p.ends >= $3",
    [CW_Q_AUDIT_GRADE_PUT] =
        "INSERT INTO audit_grades(programme_id, child_id, pass, theme, grade, graded_by, "
        "graded_on, idx) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (programme_id, "
        "child_id, pass, theme) DO UPDATE SET grade = excluded.grade, graded_by = "
        "excluded.graded_by, graded_on = excluded.graded_on, idx = excluded.idx",
    [CW_Q_AUDIT_GRADES_OF] =
        "SELECT theme, grade, graded_by, graded_on, idx FROM audit_grades WHERE programme_id = "
        "$1 AND child_id = $2 AND pass = $3 ORDER BY theme",
    [CW_Q_AUDIT_GRADES_ALL] =
        "SELECT child_id, pass, theme, grade, graded_by FROM audit_grades WHERE programme_id = "
        "$1 ORDER BY child_id, pass, theme",
    [CW_Q_AUDIT_FINDING_PUT] =
        "INSERT INTO audit_findings(programme_id, child_id, found_on, idx) VALUES ($1, $2, $3, "
        "$4)",
    [CW_Q_AUDIT_FINDING_GET] =
        "SELECT found_on, idx, actioned_on, actioned_by, actioned_idx FROM audit_findings "
        "WHERE programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_FINDING_ACTIONED] =
        "UPDATE audit_findings SET actioned_on = $3, actioned_by = $4, actioned_idx = $5 WHERE "
        "programme_id = $1 AND child_id = $2",
    [CW_Q_AUDIT_FINDINGS_ALL] =
        "SELECT programme_id, child_id, found_on, idx, actioned_on, actioned_by FROM "
        "audit_findings ORDER BY programme_id, child_id",
    [CW_Q_AUDIT_CANDIDATES] =
        "SELECT c.child_id, COALESCE(s.team_id, ''), CASE WHEN c.cp_since IS NOT NULL THEN "
        "'child_protection' WHEN c.looked_after_since IS NOT NULL THEN 'looked_after' ELSE "
        "'care_and_support' END FROM children c LEFT JOIN staff s ON s.staff_id = c.worker_id "
        "WHERE c.case_status = 'open' AND c.restricted = 0 AND NOT EXISTS (SELECT 1 FROM "
        "audit_cases a WHERE a.child_id = c.child_id AND a.added_on > $1) ORDER BY c.child_id",
    [CW_Q_AUDIT_RECOMMENDATION_GET] =
        "SELECT programme_id, number FROM audit_recommendations WHERE recommendation_id = $1",
    [CW_Q_AUDIT_RECOMMENDATION_PUT] =
        "INSERT INTO audit_recommendations(recommendation_id, programme_id, number, theme, "
        "text, idx) VALUES ($1, $2, $3, $4, $5, $6)",
    [CW_Q_AUDIT_RECOMMENDATIONS_OF] =
        "SELECT recommendation_id, number, theme, text FROM audit_recommendations WHERE "
        "programme_id = $1 ORDER BY number",
    [CW_Q_AUDIT_RECOMMENDATION_COUNT] =
        "SELECT count(*) FROM audit_recommendations WHERE programme_id = $1",
    [CW_Q_AUDIT_ACTION_GET] =
        "SELECT recommendation_id, programme_id, owner_id, due, status, number FROM "
        "audit_actions WHERE action_id = $1",
    [CW_Q_AUDIT_ACTION_PUT] =
        "INSERT INTO audit_actions(action_id, recommendation_id, programme_id, number, text, "
        "owner_id, due, status, idx) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
    [CW_Q_AUDIT_ACTION_COUNT] = "SELECT count(*) FROM audit_actions WHERE recommendation_id = $1",
    [CW_Q_AUDIT_ACTION_SET_STATUS] =
        "UPDATE audit_actions SET status = $2, updated_on = $3 WHERE action_id = $1",
    [CW_Q_AUDIT_ACTION_COMPLETE] =
        "UPDATE audit_actions SET status = 'awaiting_sign_off', updated_on = $2, completed_on "
        "= $2, completed_idx = $3 WHERE action_id = $1",
    [CW_Q_AUDIT_ACTION_CLOSE] =
        "UPDATE audit_actions SET status = 'closed', updated_on = $2, closed_on = $2, "
        "closed_by = $3, closed_idx = $4 WHERE action_id = $1",
    [CW_Q_AUDIT_ACTIONS_OF] =
        "SELECT a.action_id, a.recommendation_id, r.number, a.number, a.text, a.owner_id, "
        "a.due, a.status, a.updated_on, a.completed_on, a.closed_on, a.closed_by FROM "
        "audit_actions a JOIN audit_recommendations r ON r.recommendation_id = "
        "a.recommendation_id WHERE a.programme_id = $1 ORDER BY r.number, a.number",
    [CW_Q_AUDIT_ACTIONS_OPEN] =
        "SELECT a.action_id, a.programme_id, a.owner_id, a.due, a.status FROM audit_actions a "
        "JOIN audit_reports p ON p.programme_id = a.programme_id WHERE a.status <> 'closed' "
        "ORDER BY a.due, a.action_id",
    [CW_Q_AUDIT_REPORT_GET] =
        "SELECT programme_id, issued_on, issued_by, acknowledge_within, content_sha256, idx "
        "FROM audit_reports WHERE report_id = $1",
    [CW_Q_AUDIT_REPORT_OF] =
        "SELECT report_id, issued_on, issued_by, acknowledge_within, content_sha256, idx FROM "
        "audit_reports WHERE programme_id = $1",
    [CW_Q_AUDIT_REPORT_PUT] =
        "INSERT INTO audit_reports(report_id, programme_id, issued_on, issued_by, "
        "acknowledge_within, content_sha256, idx) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [CW_Q_AUDIT_REPORTS_ALL] =
        "SELECT report_id, programme_id, issued_on, issued_by, acknowledge_within, "
        "content_sha256, idx FROM audit_reports ORDER BY idx DESC",
    [CW_Q_AUDIT_RECIPIENT_PUT] =
        "INSERT INTO audit_recipients(report_id, staff_id) VALUES ($1, $2)",
    [CW_Q_AUDIT_RECIPIENT_ACK] =
        "UPDATE audit_recipients SET acknowledged_on = $3, acknowledged_idx = $4 WHERE "
        "report_id = $1 AND staff_id = $2",
    [CW_Q_AUDIT_RECIPIENTS_OF] =
        "SELECT staff_id, acknowledged_on, acknowledged_idx FROM audit_recipients WHERE "
        "report_id = $1 ORDER BY staff_id",
    [CW_Q_AUDIT_CASES_OPEN_COUNT] =
        "SELECT count(*) FROM audit_cases WHERE programme_id = $1 AND completed_on IS NULL",
    [CW_Q_AUDIT_ACTIONS_COUNT] = "SELECT count(*) FROM audit_actions WHERE programme_id = $1",
    [CW_Q_AUDIT_CASES_OF_CHILD] =
        "SELECT programme_id, how, auditor_id, moderator_id, completed_on, "
        "moderated_on, added_on FROM audit_cases WHERE child_id = $1 ORDER BY added_on, "
        "programme_id",
    [CW_Q_IMPROVE_PUT] = "INSERT INTO improve_entries(idx, type) VALUES ($1, $2)",
    [CW_Q_IMPROVE_ENTRIES] = "SELECT e.idx, e.leaf FROM improve_entries i JOIN entries e ON "
                             "e.idx = i.idx WHERE i.idx < $1 ORDER BY i.idx",
};

/* A statement prepared on the connection: its SQL (a constant of this file) and parameter
 * types; it is named "cwN", N its slot. */
#define PREPARED_SLOTS 512
typedef struct prepared {
    const char *sql;
    Oid types[MAX_PARAMS];
    int n;
    int used;
} prepared;

typedef struct pg_store {
    cw_store base;
    PGconn *c;
    prepared prep[PREPARED_SLOTS]; /* those with parameters, prepared on first use */
    int in_tx;                     /* between a begin and its commit or rollback */
    int readonly;
    int track;    /* versions has been asked for: commits note whether only this one wrote */
    int64_t mark; /* the next transaction id when last looked (versions, or after our commit) */
    int64_t data; /* the data version: bumped when another connection may have written */
} pg_store;

/* ---- parameters and results ---- */

/* Parameters, bound in binary format, each typed from its cw_value. */
typedef struct params {
    int n;
    int toobig;
    Oid types[MAX_PARAMS];
    const char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    char ints[MAX_PARAMS][8];
} params;

/* No parameters, and prepared once per connection like a statement with some: for the
 * statements without any that every write runs (exec prepares only when given params; sql is
 * then always a string constant, so its address names it). */
static const params NONE;

static void p_int(params *p, int64_t v)
{
    int k = p->n++;
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p->ints[k][i] = (char)(u & 0xff);
    p->types[k] = OID_INT8;
    p->values[k] = p->ints[k];
    p->lengths[k] = 8;
    p->formats[k] = 1;
}

/* Bytes as text (OID_TEXT: sent as they are, UTF-8) or as bytea. */
static void p_bytes(params *p, Oid type, const void *b, size_t len)
{
    int k = p->n++;
    if (len > (size_t)0x3fffffff) { /* PostgreSQL's limit on one value is 1 GB */
        p->toobig = 1;
        len = 0;
    }
    p->types[k] = type;
    p->values[k] = len ? b : "";
    p->lengths[k] = (int)len;
    p->formats[k] = 1;
}

static void p_text(params *p, const char *s)
{
    p_bytes(p, OID_TEXT, s, strlen(s));
}

static void p_value(params *p, const cw_value *v)
{
    if (v->type == CW_V_INT) {
        p_int(p, v->i);
    } else if (v->type == CW_V_TEXT) {
        p_bytes(p, OID_TEXT, v->s, v->len);
    } else if (v->type == CW_V_BLOB) {
        p_bytes(p, OID_BYTEA, v->s, v->len);
    } else { /* NULL: its type is the one PostgreSQL infers from where it is used */
        int k = p->n++;
        p->types[k] = 0;
        p->values[k] = NULL;
        p->lengths[k] = 0;
        p->formats[k] = 1;
    }
}

/* A big-endian integer of 2, 4 or 8 bytes (binary int2, int4, int8), sign-extended. */
static int64_t get_int(const char *p, int len)
{
    uint64_t v = 0;
    for (int i = 0; i < len; i++)
        v = v << 8 | (uint8_t)p[i];
    if (len == 2)
        return (int16_t)(uint16_t)v;
    if (len == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static void column(const PGresult *r, int row, int c, cw_value *v)
{
    *v = CW_NULL;
    if (PQgetisnull(r, row, c))
        return;
    const char *p = PQgetvalue(r, row, c);
    int len = PQgetlength(r, row, c);
    switch (PQftype(r, c)) {
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
        v->type = CW_V_INT;
        v->i = get_int(p, len);
        break;
    case OID_BYTEA:
        v->type = CW_V_BLOB;
        v->s = p;
        v->len = (size_t)len;
        break;
    default: /* text: binary format is the bytes themselves (libpq adds a NUL after them) */
        v->type = CW_V_TEXT;
        v->s = p;
        v->len = (size_t)len;
        break;
    }
}

static int64_t col_int(const PGresult *r, int row, int c)
{
    cw_value v;
    column(r, row, c, &v);
    return v.type == CW_V_INT ? v.i : 0;
}

/* libpq's message without its trailing newline. */
static void message(const char *m, const char **out, int *len)
{
    size_t n = m ? strlen(m) : 0;
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    *out = n ? m : "unknown error";
    *len = n ? (int)(n > 400 ? 400 : n) : (int)strlen(*out);
}

static cw_rc fail(pg_store *s, const PGresult *r, cw_error *err, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m)
        m = PQerrorMessage(s->c);
    cw_rc rc = CW_EDB;
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
        rc = CW_EBUSY; /* serialisation failure, deadlock, lock not available */
    else if (state && !strcmp(state, "54000"))
        rc = CW_ETOOBIG;
    else if (state && !strcmp(state, "53200"))
        rc = CW_ENOMEM;
    /* Storage faults (store.h): the server's disk full (53100) or failing (58030), the server
     * shutting down or not yet taking connections (57P01-57P03), the connection gone (08...,
     * or no result at all, as libpq gives when the server vanished mid-statement). */
    cw_store_fault fault = CW_STORE_FAULT_NONE;
    if (state && !strcmp(state, "53100"))
        fault = CW_STORE_FAULT_FULL;
    else if (state && !strcmp(state, "58030"))
        fault = CW_STORE_FAULT_IO;
    else if ((state && (!strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
                        !strcmp(state, "57P02") || !strcmp(state, "57P03"))) ||
             PQstatus(s->c) != CONNECTION_OK)
        fault = CW_STORE_FAULT_UNREACHABLE;
    const char *text;
    int len;
    message(m, &text, &len);
    if (fault) {
        cw_store_note_fault(fault);
        return cw_error_set(err, CW_EUNAVAIL, "database: %s: %s (%.*s)", what,
                            cw_store_fault_text(fault), len, text);
    }
    return cw_error_set(err, rc, "database: %s: %.*s", what, len, text);
}

/*
 * The slot of the statement sql with p's parameter types (a NULL's type is PostgreSQL's to
 * infer, so a statement is prepared once per pattern of NULLs), claimed for it if new
 * (.used still 0: the caller prepares it); -1 if the few slots it may take are all taken by
 * others (then it runs unprepared). sql must be a constant: its address is its key.
 */
static int prepared_slot(pg_store *s, const char *sql, const params *p)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15u;
    for (int i = 0; i < p->n; i++)
        h = (h ^ p->types[i]) * 0x100000001b3u;
    unsigned k = (unsigned)(h >> 32) % PREPARED_SLOTS;
    for (int probe = 0; probe < 8; probe++, k = (k + 1) % PREPARED_SLOTS) {
        prepared *e = &s->prep[k];
        if (e->sql == sql && e->n == p->n &&
            !memcmp(e->types, p->types, sizeof(Oid) * (size_t)p->n))
            return (int)k;
        if (!e->sql) {
            e->sql = sql;
            e->n = p->n;
            memcpy(e->types, p->types, sizeof(Oid) * (size_t)p->n);
            return (int)k;
        }
    }
    return -1;
}

/*
 * Runs sql with the parameters (may be NULL), results in binary format. On
 * success *out (may be NULL: cleared here) holds the result, for the caller
 * to PQclear; on failure the error is set and nothing is left to clear.
 */
static cw_rc exec(pg_store *s, const char *sql, const params *p, PGresult **out, const char *what,
                  cw_error *err)
{
    if (out)
        *out = NULL;
    if (p && p->toobig)
        return cw_error_set(err, CW_ETOOBIG, "database: %s: a value is larger than 1 GB", what);
    PGresult *r;
    int slot = p ? prepared_slot(s, sql, p) : -1;
    if (slot >= 0) {
        char name[16];
        snprintf(name, sizeof name, "cw%d", slot);
        if (!s->prep[slot].used) {
            r = PQprepare(s->c, name, sql, p->n, p->types);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                cw_rc rc = fail(s, r, err, what);
                PQclear(r);
                return rc;
            }
            PQclear(r);
            s->prep[slot].used = 1;
        }
        r = PQexecPrepared(s->c, name, p->n, p->values, p->lengths, p->formats, 1);
    } else {
        r = PQexecParams(s->c, sql, p ? p->n : 0, p ? p->types : NULL, p ? p->values : NULL,
                         p ? p->lengths : NULL, p ? p->formats : NULL, 1);
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (out)
            *out = r;
        else
            PQclear(r);
        return CW_OK;
    }
    cw_rc rc = fail(s, r, err, what);
    PQclear(r);
    return rc;
}

/* Rows changed by the statement that gave r. */
static int64_t changed(PGresult *r)
{
    const char *t = PQcmdTuples(r);
    return t && *t ? strtoll(t, NULL, 10) : 0;
}

/* ---- the interface ---- */

static void s_close(cw_store *base)
{
    pg_store *s = (pg_store *)base;
    PQfinish(s->c);
    free(s);
}

static void s_rollback(cw_store *base)
{
    pg_store *s = (pg_store *)base;
    s->in_tx = 0;
    if (s->c && PQtransactionStatus(s->c) != PQTRANS_IDLE)
        PQclear(PQexec(s->c, "ROLLBACK"));
}

static cw_rc session(pg_store *s, cw_error *err);

/*
 * A connection lost (the database server restarted, or failed over) is made again before
 * the next transaction, never inside one: the statement that found it lost failed, and
 * its transaction with it. libpq tries the URI's hosts in turn, so a multi-host URI with
 * target_session_attrs=read-write finds the promoted server (docs/deploy.md). Prepared
 * statements went with the old connection.
 */
static cw_rc reconnect_if_lost(pg_store *s, cw_error *err)
{
    if (s->in_tx || PQstatus(s->c) == CONNECTION_OK)
        return CW_OK;
    PQreset(s->c);
    for (size_t i = 0; i < PREPARED_SLOTS; i++)
        s->prep[i].used = 0;
    if (PQstatus(s->c) != CONNECTION_OK) {
        const char *text;
        int len;
        message(PQerrorMessage(s->c), &text, &len);
        cw_store_note_fault(CW_STORE_FAULT_UNREACHABLE);
        return cw_error_set(err, CW_EUNAVAIL, "database: the connection was lost: %.*s", len, text);
    }
    return session(s, err);
}

/* exec for a statement outside any transaction (a BEGIN, the version read): on a connection
 * found lost, made again and run once more. Nothing is done twice: such a statement writes
 * nothing. */
static cw_rc exec_outside(pg_store *s, const char *sql, const params *p, PGresult **out,
                          const char *what, cw_error *err)
{
    cw_rc rc = reconnect_if_lost(s, err);
    if (!rc && (rc = exec(s, sql, p, out, what, err)) && !s->in_tx &&
        PQstatus(s->c) != CONNECTION_OK && !(rc = reconnect_if_lost(s, err)))
        rc = exec(s, sql, p, out, what, err);
    return rc;
}

static cw_rc s_begin(cw_store *base, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    /* READ COMMITTED: each statement after the lock sees what the writer before committed.
     * No READ WRITE here: a read-only store's session default (read only) stays in force. */
    cw_rc rc = exec_outside(s, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, NULL, "begin", err);
    s->in_tx = !rc;
    if (rc || s->readonly)
        return rc;
    /* The wait for the tail: unbounded, unless this store's is set (a server's, which answers
     * "busy" rather than hold its requests behind another's long import). lock_not_available
     * is CW_EBUSY. */
    if (base->write_wait_ms) {
        char set[64];
        snprintf(set, sizeof set, "SET LOCAL lock_timeout = %d", base->write_wait_ms);
        if ((rc = exec(s, set, NULL, NULL, "setting the wait for the log's tail", err))) {
            s_rollback(base);
            return rc;
        }
    }
    params p = {0};
    p_int(&p, APPEND_LOCK);
    if ((rc = exec(s, "SELECT pg_advisory_xact_lock($1)", &p, NULL, "waiting for the log's tail",
                   err)))
        s_rollback(base);
    return rc;
}

static cw_rc s_begin_read(cw_store *base, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    cw_rc rc = exec_outside(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL,
                            "begin", err);
    s->in_tx = !rc;
    return rc;
}

/* The next transaction id to be assigned, in the whole cluster. */
static cw_rc next_xid(pg_store *s, int64_t *x, cw_error *err)
{
    PGresult *r;
    cw_rc rc = exec(s, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", &NONE, &r,
                    "reading the database's version", err);
    if (!rc) {
        *x = col_int(r, 0, 0);
        PQclear(r);
    }
    return rc;
}

static cw_rc s_commit(cw_store *base, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    int64_t own = -1, x = 0;
    PGresult *r;
    cw_rc rc;
    if (s->track) {
        if ((rc = exec(s, "SELECT pg_current_xact_id_if_assigned()::text::bigint", &NONE, &r,
                       "commit", err)))
            return rc;
        if (!PQgetisnull(r, 0, 0))
            own = col_int(r, 0, 0);
        PQclear(r);
    }
    s->in_tx = 0; /* whether COMMIT succeeds or fails, the transaction is over */
    if ((rc = exec(s, "COMMIT", NULL, &r, "commit", err)))
        return rc;
    /* COMMIT of a transaction in which a statement failed succeeds as a ROLLBACK. */
    int rolled_back = !strcmp(PQcmdStatus(r), "ROLLBACK");
    PQclear(r);
    if (rolled_back)
        return cw_error_set(err, CW_EDB, "database: commit: the transaction was rolled back");
    /* Our own commit does not change the data version as versions reports it, provided no
     * other transaction took an id since we last looked: ours was the next, and is the last. */
    if (own >= 0 && own == s->mark && !next_xid(s, &x, NULL) && x == own + 1)
        s->mark = x;
    return CW_OK;
}

static cw_rc s_meta_get(cw_store *base, const char *key, cw_buf *value, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    PGresult *r;
    p_text(&p, key);
    cw_rc rc = exec(s, "SELECT value FROM meta WHERE key = $1", &p, &r, "reading settings", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = cw_error_set(err, CW_ENOTFOUND, "database: setting %s is missing", key);
    } else if ((rc = cw_buf_add(value, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0)))) {
        cw_error_set(err, rc, "database: meta %s: %s", key, cw_rc_str(rc));
    }
    PQclear(r);
    return rc;
}

static cw_rc s_meta_put(cw_store *base, const char *key, const char *value, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    p_text(&p, key);
    p_text(&p, value);
    return exec(s,
                "INSERT INTO meta(key, value) VALUES ($1, $2) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &p, NULL, "writing settings", err);
}

static cw_rc s_entries_end(cw_store *base, uint64_t *end, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc = exec(s, "SELECT max(idx) FROM entries", &NONE, &r, "reading the log size", err);
    if (rc)
        return rc;
    if (PQgetisnull(r, 0, 0)) {
        *end = 0;
    } else {
        int64_t max = col_int(r, 0, 0);
        if (max < 0)
            rc = cw_error_set(err, CW_EDB, "database: entry index %" PRId64 " is negative", max);
        else
            *end = (uint64_t)max + 1;
    }
    PQclear(r);
    return rc;
}

static cw_rc s_entry_put(cw_store *base, uint64_t idx, const uint8_t *hashes, size_t hlen,
                         const void *leaf, size_t llen, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    p_int(&p, (int64_t)idx);
    p_bytes(&p, OID_BYTEA, hashes, hlen);
    p_bytes(&p, OID_BYTEA, leaf, llen);
    return exec(s, "INSERT INTO entries(idx, hashes, leaf) VALUES ($1, $2, $3)", &p, NULL,
                "appending an entry", err);
}

/* One column of one entry's row, or CW_ENOTFOUND. */
static cw_rc entry_column(pg_store *s, const char *sql, uint64_t idx, PGresult **r,
                          const char *what, cw_error *err)
{
    params p = {0};
    p_int(&p, (int64_t)idx);
    cw_rc rc = exec(s, sql, &p, r, what, err);
    if (!rc && PQntuples(*r) == 0) {
        PQclear(*r);
        *r = NULL;
        rc = cw_error_set(err, CW_ENOTFOUND, "entry %llu is not in the log",
                          (unsigned long long)idx);
    }
    return rc;
}

static cw_rc s_entry_hashes(cw_store *base, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                            cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc = entry_column(s, "SELECT hashes FROM entries WHERE idx = $1", idx, &r,
                            "reading a tree node", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQgetlength(r, 0, 0);
    if (n > cap)
        n = cap;
    if (n)
        memcpy(out, PQgetvalue(r, 0, 0), n);
    *len = n;
    PQclear(r);
    return CW_OK;
}

static cw_rc s_entry_leaf(cw_store *base, uint64_t idx, cw_buf *leaf, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc = entry_column(s, "SELECT leaf FROM entries WHERE idx = $1", idx, &r,
                            "reading an entry", err);
    if (rc)
        return rc;
    if ((rc = cw_buf_add(leaf, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0))))
        cw_error_set(err, rc, "entry %llu: %s", (unsigned long long)idx, cw_rc_str(rc));
    PQclear(r);
    return rc;
}

/* A row of a batch: row i of r, whose column 0 is the key. */
typedef cw_rc (*batch_row_fn)(void *ctx, const PGresult *r, int i);

/*
 * Runs sql ($1 the first key, $2 the last; ordered by the key, column 0, and LIMIT
 * SCAN_BATCH) batch after batch, each after the last key seen, so that neither the whole
 * table nor a server-side cursor is held; fn may read the store meanwhile.
 */
static cw_rc batches(pg_store *s, const char *sql, int64_t from, int64_t last, const char *what,
                     batch_row_fn fn, void *ctx, cw_error *err)
{
    for (;;) {
        params p = {0};
        PGresult *r;
        p_int(&p, from);
        p_int(&p, last);
        cw_rc rc = exec(s, sql, &p, &r, what, err);
        if (rc)
            return rc;
        int n = PQntuples(r);
        for (int i = 0; i < n && !rc; i++) {
            from = col_int(r, i, 0) + 1;
            rc = fn(ctx, r, i);
        }
        PQclear(r);
        if (rc || n < SCAN_BATCH)
            return rc;
    }
}

typedef struct entry_scan {
    cw_store_entry_fn fn;
    void *ctx;
} entry_scan;

static cw_rc entry_row(void *ctx, const PGresult *r, int i)
{
    entry_scan *e = ctx;
    return e->fn(e->ctx, col_int(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1),
                 (size_t)PQgetlength(r, i, 1), (const uint8_t *)PQgetvalue(r, i, 2),
                 (size_t)PQgetlength(r, i, 2));
}

static cw_rc s_entry_scan(cw_store *base, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                          cw_error *err)
{
    entry_scan e = {fn, ctx};
    return batches((pg_store *)base,
                   "SELECT idx, hashes, leaf FROM entries WHERE idx >= $1 AND idx < $2 "
                   "ORDER BY idx LIMIT " STR(SCAN_BATCH),
                   from, to, "scanning entries", entry_row, &e, err);
}

static cw_rc s_checkpoint_put(cw_store *base, uint64_t size, const char *note, size_t len,
                              cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    p_int(&p, (int64_t)size);
    p_bytes(&p, OID_TEXT, note, len);
    return exec(s, "INSERT INTO checkpoints(size, note) VALUES ($1, $2)", &p, NULL,
                "storing a checkpoint", err);
}

static cw_rc s_checkpoint_latest(cw_store *base, cw_buf *note, uint64_t *size, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc = exec(s, "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1", &NONE, &r,
                    "reading the latest checkpoint", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = cw_error_set(err, CW_ENOTFOUND, "the log has no checkpoint");
    } else {
        *size = (uint64_t)col_int(r, 0, 0);
        rc = cw_buf_add(note, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
    }
    PQclear(r);
    return rc;
}

typedef struct checkpoint_scan {
    cw_store_checkpoint_fn fn;
    void *ctx;
} checkpoint_scan;

static cw_rc checkpoint_row(void *ctx, const PGresult *r, int i)
{
    checkpoint_scan *c = ctx;
    return c->fn(c->ctx, col_int(r, i, 0), PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
}

static cw_rc s_checkpoint_scan(cw_store *base, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                               void *ctx, cw_error *err)
{
    checkpoint_scan c = {fn, ctx};
    return batches((pg_store *)base,
                   "SELECT size, note FROM checkpoints WHERE size >= $1 AND size <= $2 "
                   "ORDER BY size LIMIT " STR(SCAN_BATCH),
                   from, to, "reading checkpoints", checkpoint_row, &c, err);
}

/*
 * A put or erase that is refused (a second put, an erasure of an erased row) leaves the
 * transaction usable, as a refused statement does in SQLite: the refusal is found without a
 * failing statement, which in PostgreSQL would abort the whole transaction and make the
 * caller's commit fail.
 */
static cw_rc s_personal_put(cw_store *base, uint64_t idx, const uint8_t *salt, size_t salt_len,
                            const void *body, size_t body_len, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    PGresult *r;
    p_int(&p, (int64_t)idx);
    p_bytes(&p, OID_BYTEA, salt, salt_len);
    p_bytes(&p, OID_BYTEA, body, body_len);
    cw_rc rc = exec(s,
                    "INSERT INTO personal(idx, salt, body) VALUES ($1, $2, $3) "
                    "ON CONFLICT (idx) DO NOTHING",
                    &p, &r, "storing personal data", err);
    if (rc)
        return rc;
    if (changed(r) == 0)
        rc = cw_error_set(err, CW_EDB,
                          "database: storing personal data: entry %llu has personal data already",
                          (unsigned long long)idx);
    PQclear(r);
    return rc;
}

static cw_rc s_personal_get(cw_store *base, uint64_t idx, cw_buf *salt, cw_buf *body,
                            cw_personal_state *state, uint64_t *erased_idx, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    PGresult *r;
    *state = CW_PERSONAL_ABSENT;
    *erased_idx = 0;
    p_int(&p, (int64_t)idx);
    cw_rc rc = exec(s, "SELECT salt, body, erased_idx FROM personal WHERE idx = $1", &p, &r,
                    "reading personal data", err);
    if (rc)
        return rc;
    if (PQntuples(r) && !PQgetisnull(r, 0, 2)) {
        *state = CW_PERSONAL_ERASED;
        *erased_idx = (uint64_t)col_int(r, 0, 2);
    } else if (PQntuples(r)) {
        *state = CW_PERSONAL_HELD;
        rc = cw_buf_add(salt, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
        if (!rc)
            rc = cw_buf_add(body, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
        if (rc)
            cw_error_set(err, rc, "personal data of entry %llu: %s", (unsigned long long)idx,
                         cw_rc_str(rc));
    }
    PQclear(r);
    return rc;
}

static cw_rc s_personal_erase(cw_store *base, uint64_t idx, uint64_t erased_idx, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    params p = {0};
    PGresult *r;
    p_int(&p, (int64_t)idx);
    p_int(&p, (int64_t)erased_idx);
    cw_rc rc = exec(s,
                    "UPDATE personal SET salt = NULL, body = NULL, erased_idx = $2 "
                    "WHERE idx = $1 AND erased_idx IS NULL",
                    &p, &r, "erasing personal data", err);
    if (rc)
        return rc;
    int64_t n = changed(r);
    PQclear(r);
    if (n)
        return CW_OK;
    /* Nothing held to erase: erased already (what the trigger refuses), or no row. */
    params q = {0};
    p_int(&q, (int64_t)idx);
    if ((rc = exec(s, "SELECT 1 FROM personal WHERE idx = $1", &q, &r, "erasing personal data",
                   err)))
        return rc;
    n = PQntuples(r);
    PQclear(r);
    if (n)
        return cw_error_set(err, CW_EDB,
                            "database: erasing personal data: personal data can only be erased "
                            "once (entry %llu is erased already)",
                            (unsigned long long)idx);
    return cw_error_set(err, CW_ENOTFOUND, "entry %llu has no personal data to erase",
                        (unsigned long long)idx);
}

typedef struct personal_scan {
    cw_store_personal_fn fn;
    void *ctx;
} personal_scan;

static cw_rc personal_row(void *ctx, const PGresult *r, int i)
{
    personal_scan *ps = ctx;
    int erased = !PQgetisnull(r, i, 3);
    return ps->fn(
        ps->ctx, (uint64_t)col_int(r, i, 0), erased ? NULL : (const uint8_t *)PQgetvalue(r, i, 1),
        (size_t)PQgetlength(r, i, 1), erased ? NULL : (const uint8_t *)PQgetvalue(r, i, 2),
        (size_t)PQgetlength(r, i, 2), erased ? (uint64_t)col_int(r, i, 3) : 0);
}

static cw_rc s_personal_scan(cw_store *base, cw_store_personal_fn fn, void *ctx, cw_error *err)
{
    personal_scan ps = {fn, ctx};
    return batches((pg_store *)base,
                   "SELECT idx, salt, body, erased_idx FROM personal WHERE idx >= $1 "
                   "AND idx <= $2 ORDER BY idx LIMIT " STR(SCAN_BATCH),
                   0, INT64_MAX, "scanning personal data", personal_row, &ps, err);
}

static cw_rc s_run(cw_store *base, cw_query q, const cw_value *params_in, size_t nparams,
                   cw_store_row_fn fn, void *ctx, int64_t *changes, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    if ((unsigned)q >= CW_Q_COUNT || !named[q])
        return cw_error_set(err, CW_EINVAL, "database: no such query");
    if (nparams > MAX_PARAMS)
        return cw_error_set(err, CW_EINVAL, "database: too many parameters");
    params p = {0};
    for (size_t i = 0; i < nparams; i++)
        p_value(&p, &params_in[i]);
    PGresult *r;
    cw_rc rc = exec(s, named[q], &p, &r, "running a query", err);
    if (rc)
        return rc;
    int rows = PQntuples(r), n = PQnfields(r);
    if (n > MAX_COLUMNS)
        n = MAX_COLUMNS;
    for (int i = 0; fn && i < rows && !rc; i++) {
        cw_value cols[MAX_COLUMNS];
        for (int c = 0; c < n; c++)
            column(r, i, c, &cols[c]);
        rc = fn(ctx, cols, (size_t)n);
    }
    if (!rc && changes)
        *changes = changed(r);
    PQclear(r);
    return rc;
}

/* The tables that are not projections: as store_sqlite.c's list (the only other one). */
static const char *const not_projections[] = {"meta",       "entries",  "checkpoints", "accounts",
                                              "api_tokens", "personal", NULL};

static cw_rc s_projections_clear(cw_store *base, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc = exec(s,
                    "SELECT relname::text FROM pg_class WHERE relnamespace = "
                    "'public'::regnamespace AND relkind = 'r' ORDER BY relname",
                    NULL, &r, "listing the projection tables", err);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        const char *name = PQgetvalue(r, i, 0);
        int projection = 1;
        for (const char *const *t = not_projections; *t; t++)
            projection &= strcmp(*t, name) != 0;
        if (!projection)
            continue;
        /* Identifiers cannot be bound: the name, from the catalog, is quoted instead. */
        char *id = PQescapeIdentifier(s->c, name, strlen(name));
        cw_buf sql = CW_BUF_INIT(1024);
        if (!id || cw_buf_addf(&sql, "DELETE FROM %s", id))
            rc = cw_error_set(err, CW_ENOMEM, "database: clearing projections: out of memory");
        else
            rc = exec(s, sql.data, NULL, NULL, "clearing projections", err);
        PQfreemem(id);
        cw_buf_release(&sql);
    }
    PQclear(r);
    return rc;
}

/* ---- the structure check ---- */

/* Appends "word" (letters, digits, _) from p to out; returns the end of it. */
static const char *word(const char *p, cw_buf *out)
{
    const char *q = p;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
           *q == '_')
        q++;
    cw_buf_add(out, p, (size_t)(q - p));
    return q;
}

/*
 * The lines the structure check expects, from the embedded schema_postgres.sql:
 *   table NAME
 *   column TABLE.NAME TYPE null|not null
 *   constraint TABLE PRIMARY KEY (COLUMNS) or UNIQUE (COLUMN)
 *   index NAME on TABLE                      (CREATE INDEX; not those of keys)
 *   trigger NAME on TABLE type N calls FN enabled
 *   function NAME BODY                       (the body's newlines written \n)
 * tgtype N as pg_trigger has it: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
 */
static cw_rc expected_structure(cw_buf *out)
{
    const char *sql = cw_schema_postgres;
    for (const char *p = sql; (p = strstr(p, "\nCREATE ")); p++) {
        const char *q = p + 8;
        if (!strncmp(q, "TABLE ", 6)) {
            cw_buf name = CW_BUF_INIT(128);
            word(q + 6, &name);
            cw_buf_addf(out, "table %s\n", name.data);
            const char *end = strstr(q, "\n);");
            for (const char *l = strchr(q, '\n'); l && end && l < end; l = strchr(l + 1, '\n')) {
                if (!strncmp(l, "\n    PRIMARY KEY (", 18)) { /* a key of several columns */
                    const char *close = strchr(l, ')');
                    if (close && close < end)
                        cw_buf_addf(out, "constraint %s %.*s\n", name.data,
                                    (int)(close + 1 - (l + 5)), l + 5);
                    continue;
                }
                if (strncmp(l, "\n    ", 5) || l[5] == ' ' || l[5] == '-')
                    continue;
                cw_buf col = CW_BUF_INIT(128), type = CW_BUF_INIT(64);
                const char *t = word(l + 5, &col);
                while (*t == ' ')
                    t++;
                word(t, &type);
                const char *eol = strchr(l + 1, '\n'), *dash = strstr(l + 1, "--");
                if (!dash || dash > eol)
                    dash = eol;
                int notnull = 0, key = 0, unique = 0;
                for (const char *k = t; k < dash; k++) {
                    notnull |= !strncmp(k, "NOT NULL", 8);
                    key |= !strncmp(k, "PRIMARY KEY", 11);
                    unique |= !strncmp(k, "UNIQUE", 6);
                }
                cw_buf_addf(out, "column %s.%s %s %s\n", name.data, col.data, type.data,
                            notnull || key ? "not null" : "null");
                if (key)
                    cw_buf_addf(out, "constraint %s PRIMARY KEY (%s)\n", name.data, col.data);
                if (unique)
                    cw_buf_addf(out, "constraint %s UNIQUE (%s)\n", name.data, col.data);
                cw_buf_release(&col);
                cw_buf_release(&type);
            }
            cw_buf_release(&name);
        } else if (!strncmp(q, "INDEX ", 6)) {
            cw_buf name = CW_BUF_INIT(128), table = CW_BUF_INIT(128);
            const char *t = word(q + 6, &name);
            if (!strncmp(t, " ON ", 4))
                word(t + 4, &table);
            cw_buf_addf(out, "index %s on %s\n", name.data, table.data ? table.data : "");
            cw_buf_release(&name);
            cw_buf_release(&table);
        } else if (!strncmp(q, "TRIGGER ", 8)) {
            cw_buf name = CW_BUF_INIT(128), table = CW_BUF_INIT(128), fn = CW_BUF_INIT(128);
            const char *t = word(q + 8, &name), *on = strstr(t, " ON "), *end = strchr(t, ';');
            int type = 0;
            for (const char *k = t; on && k < on; k++) {
                type |= !strncmp(k, "BEFORE", 6) ? 2 : 0;
                type |= !strncmp(k, "INSERT", 6) ? 4 : 0;
                type |= !strncmp(k, "DELETE", 6) ? 8 : 0;
                type |= !strncmp(k, "UPDATE", 6) ? 16 : 0;
                type |= !strncmp(k, "TRUNCATE", 8) ? 32 : 0;
            }
            const char *row = on ? strstr(on, "FOR EACH ROW") : NULL;
            type |= row && end && row < end ? 1 : 0;
            const char *call = on ? strstr(on, "FUNCTION ") : NULL;
            if (on)
                word(on + 4, &table);
            if (call)
                word(call + 9, &fn);
            cw_buf_addf(out, "trigger %s on %s type %d calls %s enabled\n", name.data,
                        table.data ? table.data : "", type, fn.data ? fn.data : "");
            cw_buf_release(&name);
            cw_buf_release(&table);
            cw_buf_release(&fn);
        } else if (!strncmp(q, "FUNCTION ", 9)) {
            cw_buf name = CW_BUF_INIT(128);
            word(q + 9, &name);
            const char *b = strstr(q, "$$"), *e = b ? strstr(b + 2, "$$") : NULL;
            cw_buf_addf(out, "function %s ", name.data);
            for (const char *k = b ? b + 2 : q; e && k < e; k++)
                *k == '\n' ? cw_buf_addstr(out, "\\n") : cw_buf_addc(out, *k);
            cw_buf_addc(out, '\n');
            cw_buf_release(&name);
        }
    }
    return out->len < out->max ? CW_OK : CW_ETOOBIG;
}

/* The same lines, from the database's catalog (schema public). */
static const char structure_sql[] =
    "SELECT 'table ' || relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
    "AND relkind IN ('r', 'p', 'v', 'm', 'f') "
    "UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' ' || "
    "format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE "
    "' null' END FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE "
    "c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND "
    "a.attnum > 0 AND NOT a.attisdropped "
    "UNION ALL SELECT 'index ' || i.relname || ' on ' || t.relname FROM pg_index x JOIN "
    "pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE "
    "t.relnamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
    "WHERE k.conindid = x.indexrelid) "
    "UNION ALL SELECT 'trigger ' || g.tgname || ' on ' || c.relname || ' type ' || g.tgtype || "
    "' calls ' || p.proname || CASE WHEN g.tgenabled IN ('O', 'A') THEN ' enabled' ELSE "
    "' disabled' END FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON "
    "p.oid = g.tgfoid WHERE NOT g.tgisinternal AND c.relnamespace = 'public'::regnamespace "
    "UNION ALL SELECT 'constraint ' || c.relname || ' ' || pg_get_constraintdef(k.oid) FROM "
    "pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = "
    "'public'::regnamespace "
    "UNION ALL SELECT 'function ' || proname || ' ' || replace(prosrc, E'\\n', '\\n') FROM "
    "pg_proc WHERE pronamespace = 'public'::regnamespace";

/* Is line (up to and including its '\n') one of the lines of text? */
static int has_line(const char *text, const char *line)
{
    size_t n = (size_t)(strchr(line, '\n') - line) + 1;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        if (!strncmp(p, line, n))
            return 1;
    return 0;
}

/* The first line of a missing from b, as "what name" for the message; 0 if none. */
static int missing(const char *a, const char *b, char *out, size_t n)
{
    for (const char *p = a; *p; p = strchr(p, '\n') + 1)
        if (!has_line(b, p)) {
            const char *sp1 = strchr(p, ' '), *sp2 = sp1 ? strpbrk(sp1 + 1, " \n") : NULL;
            if (sp1 && sp2)
                snprintf(out, n, "%.*s %.*s", (int)(sp1 - p), p, (int)(sp2 - sp1 - 1), sp1 + 1);
            else
                snprintf(out, n, "an object");
            return 1;
        }
    return 0;
}

/*
 * What is compared: every table, column (type, NOT NULL), constraint (primary keys, UNIQUE;
 * any other is unexpected), index, trigger (table, events, timing, function, enabled) and
 * function (body) of the schema public, both ways. Not yet: defaults, a trigger's
 * arguments, and the grants.
 */
static cw_rc s_check_structure(cw_store *base, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    cw_buf have = CW_BUF_INIT(1 << 20), want = CW_BUF_INIT(1 << 20);
    PGresult *r = NULL;
    cw_rc rc = expected_structure(&want);
    if (rc)
        rc = cw_error_set(err, CW_EDB, "database: cannot build the reference schema");
    if (!rc)
        rc = exec(s, structure_sql, NULL, &r, "reading the schema", err);
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (cw_buf_add(&have, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0)) ||
            cw_buf_addc(&have, '\n'))
            rc = cw_error_set(err, CW_ETOOBIG, "database: the schema is too large");
    PQclear(r);
    char what[160];
    const char *h = have.data ? have.data : "", *w = want.data ? want.data : "";
    if (!rc && (missing(w, h, what, sizeof what) || missing(h, w, what, sizeof what)))
        rc = cw_error_set(err, CW_EVERIFY,
                          "the database's structure is not caseward's: %s is missing, altered "
                          "or unexpected (were the insert-only triggers dropped or disabled?)",
                          what);
    cw_buf_release(&have);
    cw_buf_release(&want);
    return rc;
}

/*
 * The schema version: a digest of the catalog rows of schema public's tables, columns,
 * triggers and functions (any CREATE, DROP, ALTER, or trigger disabled, writes one of them,
 * which gets a new xmin). The data version: PostgreSQL has no data_version, so it is
 * bumped whenever any transaction id was assigned since the last look other than for this
 * connection's own commits (s_commit): other connections' writes, and some that are not
 * writes to this database; a change too many only costs the check of what was appended.
 */
static cw_rc s_versions(cw_store *base, int64_t *schema, int64_t *data, cw_error *err)
{
    pg_store *s = (pg_store *)base;
    PGresult *r;
    cw_rc rc =
        exec_outside(s,
                     "SELECT ((SELECT count(*) * 1000003 + coalesce(sum(xmin::text::bigint), 0) "
                     "FROM pg_class WHERE relnamespace = 'public'::regnamespace) + "
                     "(SELECT count(*) * 1009 + coalesce(sum(a.xmin::text::bigint), 0) FROM "
                     "pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE "
                     "c.relnamespace = 'public'::regnamespace) + "
                     "(SELECT count(*) * 7919 + coalesce(sum(xmin::text::bigint), 0) FROM "
                     "pg_trigger) + (SELECT count(*) * 104729 + coalesce(sum(xmin::text::bigint), "
                     "0) FROM pg_proc WHERE pronamespace = 'public'::regnamespace))::bigint, "
                     "pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
                     &NONE, &r, "reading the database's version", err);
    if (rc)
        return rc;
    *schema = col_int(r, 0, 0);
    int64_t x = col_int(r, 0, 1);
    PQclear(r);
    if (!s->track || x != s->mark)
        s->data += s->track;
    s->track = 1;
    s->mark = x;
    *data = s->data;
    return CW_OK;
}

static cw_rc s_compare_read_model(cw_store *base, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                                  uint64_t *ndiff, cw_error *err)
{
    (void)base, (void)fn, (void)ctx;
    *rows = *ndiff = 0;
    return cw_error_set(err, CW_EUSAGE, "database: not a scratch store");
}

/* The snapshot (store.h): copy_to_sqlite below, every table in one REPEATABLE READ snapshot. */
static cw_rc s_snapshot(cw_store *base, const char *path, cw_error *err);

static const cw_store_ops pg_ops = {
    .close = s_close,
    .begin = s_begin,
    .begin_read = s_begin_read,
    .commit = s_commit,
    .rollback = s_rollback,
    .meta_get = s_meta_get,
    .meta_put = s_meta_put,
    .entries_end = s_entries_end,
    .entry_put = s_entry_put,
    .entry_hashes = s_entry_hashes,
    .entry_leaf = s_entry_leaf,
    .entry_scan = s_entry_scan,
    .checkpoint_put = s_checkpoint_put,
    .checkpoint_latest = s_checkpoint_latest,
    .checkpoint_scan = s_checkpoint_scan,
    .personal_put = s_personal_put,
    .personal_get = s_personal_get,
    .personal_erase = s_personal_erase,
    .personal_scan = s_personal_scan,
    .check_structure = s_check_structure,
    .run = s_run,
    .projections_clear = s_projections_clear,
    .compare_read_model = s_compare_read_model,
    .versions = s_versions,
    .snapshot = s_snapshot,
};

/* ---- opening ---- */

static void quiet(void *arg, const char *msg)
{
    (void)arg, (void)msg; /* NOTICEs (CREATE TABLE's and the like) are not printed */
}

/*
 * PostgreSQL's migrations: migrations_more[v] (its parts, in order) takes a database from schema
 * version v to v + 1, as store_sqlite.c's do for a file, leaving exactly what schema_postgres.sql
 * creates (the tests compare the two). They run in one transaction, serialised on the log's tail,
 * as the database's owner (caseward_owner: the application's role may not create tables); each
 * grants caseward_app, where that role exists, what grants_postgres.sql would.
 */
static const char *const audit_tables[] = {
    "-- Case-file audits (docs/audits.md). A programme (audit_programme_created)\n"
    "-- names its framework's themes and grade scale as facts, so grades are checked\n"
    "-- and reports recomputed from the log alone.\n"
    "CREATE TABLE audit_programmes (\n"
    "    programme_id     text COLLATE \"C\" PRIMARY KEY, -- the council's identifier for the "
    "programme\n"
    "    title            text COLLATE \"C\" NOT NULL,    -- what it audits (a fact: never a "
    "child's details)\n"
    "    commissioned_by  text COLLATE \"C\" NOT NULL,    -- staff id of who commissioned it\n"
    "    starts           text COLLATE \"C\" NOT NULL,    -- first day of the programme "
    "(YYYY-MM-DD)\n"
    "    ends             text COLLATE \"C\" NOT NULL,    -- last day: auditors see their cases "
    "until then\n"
    "    framework        text COLLATE \"C\" NOT NULL,    -- the audit framework's id (standard, "
    "ofsted, ...)\n"
    "    framework_sha256 text COLLATE \"C\" NOT NULL,    -- SHA-256 of the framework file, hex\n"
    "    themes           text COLLATE \"C\" NOT NULL,    -- the themes graded, comma-separated, "
    "in order\n"
    "    grades           bigint NOT NULL, -- the scale: grades 1 (best) to this\n"
    "    critical         text COLLATE \"C\" NOT NULL,    -- the grades that are a critical "
    "finding, comma-separated\n"
    "    area_manager_id  text COLLATE \"C\",             -- staff id told of each critical "
    "finding, if named\n"
    "    idx              bigint NOT NULL  -- the audit_programme_created entry\n"
    ");\n"
    "\n"
    "-- The auditors of each programme.\n"
    "CREATE TABLE audit_auditors (\n"
    "    programme_id text COLLATE \"C\" NOT NULL,\n"
    "    staff_id     text COLLATE \"C\" NOT NULL,\n"
    "    PRIMARY KEY (programme_id, staff_id)\n"
    ");\n"
    "\n"
    "-- Each sample drawn (audit_sample_drawn): enough to draw it again from the log.\n"
    "CREATE TABLE audit_samples (\n"
    "    idx          bigint PRIMARY KEY, -- the audit_sample_drawn entry\n"
    "    programme_id text COLLATE \"C\" NOT NULL,\n"
    "    seed         text COLLATE \"C\" NOT NULL,       -- the seed the keys are made from\n"
    "    log_size     bigint NOT NULL,    -- drawn from the record as entries 0..log_size-1 left "
    "it\n"
    "    size         bigint NOT NULL,    -- cases asked for\n"
    "    minimum      bigint NOT NULL,    -- cases at least from each team and case type\n"
    "    drawn_on     text COLLATE \"C\" NOT NULL        -- the day it was drawn\n"
    ");\n"
    "\n",
    "-- The cases of each programme, drawn or added by hand, and how far each audit is.\n"
    "CREATE TABLE audit_cases (\n"
    "    programme_id    text COLLATE \"C\" NOT NULL,\n"
    "    child_id        text COLLATE \"C\" NOT NULL,\n"
    "    auditor_id      text COLLATE \"C\" NOT NULL,    -- who audits it (staff id)\n"
    "    how             text COLLATE \"C\" NOT NULL,    -- drawn | added\n"
    "    added_on        text COLLATE \"C\" NOT NULL,    -- the day it was drawn or added\n"
    "    idx             bigint NOT NULL, -- the audit_sample_drawn or audit_case_added entry\n"
    "    team_id         text COLLATE \"C\",             -- the allocated worker's team when it "
    "was added, if any\n"
    "    completed_on    text COLLATE \"C\",             -- the day the audit was completed; NULL "
    "until then\n"
    "    overall         bigint,          -- the auditor's overall grade\n"
    "    completed_idx   bigint,          -- the case_audit_completed entry\n"
    "    moderator_id    text COLLATE \"C\",             -- who moderated it, once completed\n"
    "    moderated_on    text COLLATE \"C\",\n"
    "    moderated_overall bigint,        -- the moderator's overall grade\n"
    "    moderated_idx   bigint,\n"
    "    PRIMARY KEY (programme_id, child_id)\n"
    ");\n"
    "CREATE INDEX audit_cases_by_child ON audit_cases(child_id, added_on);\n"
    "CREATE INDEX audit_cases_by_auditor ON audit_cases(auditor_id);\n"
    "\n"
    "-- Each theme's grade for a case: the latest the auditor (pass 'audit') or the\n"
    "-- moderator ('moderation') gave, until the audit or moderation is completed.\n"
    "CREATE TABLE audit_grades (\n"
    "    programme_id text COLLATE \"C\" NOT NULL,\n"
    "    child_id     text COLLATE \"C\" NOT NULL,\n"
    "    pass         text COLLATE \"C\" NOT NULL,    -- audit | moderation\n"
    "    theme        text COLLATE \"C\" NOT NULL,\n"
    "    grade        bigint NOT NULL, -- 1 (best) .. the scale; 0: not applicable\n"
    "    graded_by    text COLLATE \"C\" NOT NULL,    -- staff id\n"
    "    graded_on    text COLLATE \"C\" NOT NULL,\n"
    "    idx          bigint NOT NULL, -- the audit_theme_graded entry\n"
    "    PRIMARY KEY (programme_id, child_id, pass, theme)\n"
    ");\n"
    "\n"
    "-- Critical findings: a completed audit with a critical grade (a theme's or the\n"
    "-- overall), and the action the case's managers recorded.\n"
    "CREATE TABLE audit_findings (\n"
    "    programme_id text COLLATE \"C\" NOT NULL,\n"
    "    child_id     text COLLATE \"C\" NOT NULL,\n"
    "    found_on     text COLLATE \"C\" NOT NULL,    -- the day the audit was completed\n"
    "    idx          bigint NOT NULL, -- the case_audit_completed entry\n"
    "    actioned_on  text COLLATE \"C\",             -- the day the action taken was recorded; "
    "NULL until then\n"
    "    actioned_by  text COLLATE \"C\",             -- staff id\n"
    "    actioned_idx bigint,          -- the critical_finding_actioned entry\n"
    "    PRIMARY KEY (programme_id, child_id)\n"
    ");\n",
    "-- A programme's recommendations (audit_recommendation_made), numbered in the order made, "
    "each\n"
    "-- with its improvement points: actions with an owner and a due date (audit_action_set). "
    "Their\n"
    "-- words are facts about practice, naming no child.\n"
    "CREATE TABLE audit_recommendations (\n"
    "    recommendation_id text COLLATE \"C\" PRIMARY KEY,\n"
    "    programme_id      text COLLATE \"C\" NOT NULL,\n"
    "    number            bigint NOT NULL, -- 1, 2, ... within the programme\n"
    "    theme             text COLLATE \"C\",             -- the theme it answers, if one\n"
    "    text              text COLLATE \"C\" NOT NULL,\n"
    "    idx               bigint NOT NULL  -- the audit_recommendation_made entry\n"
    ");\n"
    "\n"
    "CREATE TABLE audit_actions (\n"
    "    action_id         text COLLATE \"C\" PRIMARY KEY,\n"
    "    recommendation_id text COLLATE \"C\" NOT NULL,\n"
    "    programme_id      text COLLATE \"C\" NOT NULL,\n"
    "    number            bigint NOT NULL, -- 1, 2, ... within the recommendation (point 2.1, "
    "2.2)\n"
    "    text              text COLLATE \"C\" NOT NULL,\n"
    "    owner_id          text COLLATE \"C\" NOT NULL,    -- staff id: who must do it\n"
    "    due               text COLLATE \"C\" NOT NULL,    -- the day it is due\n"
    "    status            text COLLATE \"C\" NOT NULL,    -- open | in_progress | "
    "awaiting_sign_off | closed\n"
    "    idx               bigint NOT NULL, -- the audit_action_set entry\n"
    "    updated_on        text COLLATE \"C\",             -- the latest update, completion or "
    "return\n"
    "    completed_on      text COLLATE \"C\",             -- the owner's completion, with "
    "evidence (latest)\n"
    "    completed_idx     bigint,\n"
    "    closed_on         text COLLATE \"C\",             -- signed off by someone other than the "
    "owner\n"
    "    closed_by         text COLLATE \"C\",\n"
    "    closed_idx        bigint\n"
    ");\n"
    "CREATE INDEX audit_actions_by_programme ON audit_actions(programme_id, status);\n"
    "\n"
    "-- Issued reports (audit_report_issued) and who must acknowledge them.\n"
    "CREATE TABLE audit_reports (\n"
    "    report_id          text COLLATE \"C\" PRIMARY KEY,\n"
    "    programme_id       text COLLATE \"C\" NOT NULL UNIQUE, -- one report per programme\n"
    "    issued_on          text COLLATE \"C\" NOT NULL,\n"
    "    issued_by          text COLLATE \"C\" NOT NULL,    -- staff id\n"
    "    acknowledge_within bigint NOT NULL, -- working days\n"
    "    content_sha256     text COLLATE \"C\" NOT NULL,    -- SHA-256 of the report's content "
    "(docs/audits.md)\n"
    "    idx                bigint NOT NULL  -- the audit_report_issued entry\n"
    ");\n"
    "\n"
    "CREATE TABLE audit_recipients (\n"
    "    report_id        text COLLATE \"C\" NOT NULL,\n"
    "    staff_id         text COLLATE \"C\" NOT NULL,\n"
    "    acknowledged_on  text COLLATE \"C\",             -- NULL until acknowledged\n"
    "    acknowledged_idx bigint,          -- the audit_report_acknowledged entry\n"
    "    PRIMARY KEY (report_id, staff_id)\n"
    ");\n",
    "DO $$\n"
    "BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caseward_app') THEN\n"
    "        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_programmes, audit_auditors,\n"
    "            audit_samples, audit_cases, audit_grades, audit_findings, audit_recommendations,\n"
    "            audit_actions, audit_reports, audit_recipients TO caseward_app;\n"
    "    END IF;\n"
    "END\n"
    "$$;\n",
    NULL,
};
/* 11 -> 12: improvement plans (docs/improvement.md): a new table, empty until plans are
 * recorded (no improve_* event could be recorded before it). */
static const char *const improve_tables[] = {
    "-- Improvement plans (docs/improvement.md): the entries of the improve_* events, in log "
    "order.\n"
    "-- The plans, their actions and their budget are folded from these entries by src/improve/\n"
    "-- (the same code an inspector runs over an export), so this table is their only projection.\n"
    "CREATE TABLE improve_entries (\n"
    "    idx  bigint PRIMARY KEY,        -- the entry's ledger index\n"
    "    type text COLLATE \"C\" NOT NULL  -- its event type (improve_...)\n"
    ");\n",
    "DO $$\n"
    "BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caseward_app') THEN\n"
    "        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON improve_entries TO caseward_app;\n"
    "    END IF;\n"
    "END\n"
    "$$;\n",
    NULL,
};
static const char *const *const migrations_more[] = {
    [10] = audit_tables, /* case-file audits (docs/audits.md): new tables, empty until audits are
                            recorded */
    [11] = improve_tables,
};

/* The schema version in meta; 0 when the log's tables are not there. */
static cw_rc stored_version(pg_store *s, int64_t *version, cw_error *err)
{
    PGresult *r;
    *version = 0;
    cw_rc rc = exec(s, "SELECT to_regclass('public.meta') IS NOT NULL", NULL, &r,
                    "reading the schema version", err);
    if (rc)
        return rc;
    int has_meta = PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0] == 1; /* binary bool */
    PQclear(r);
    if (!has_meta)
        return CW_OK;
    cw_buf v = CW_BUF_INIT(64);
    uint64_t n = 0;
    rc = s_meta_get(&s->base, "schema_version", &v, err);
    if (!rc && cw_parse_u64(v.data, v.len, &n))
        rc = cw_error_set(err, CW_EDB, "database: the schema version in meta is not a number");
    cw_buf_release(&v);
    *version = rc == CW_ENOTFOUND ? -1 : (int64_t)n;
    return rc == CW_ENOTFOUND ? CW_OK : rc;
}

/*
 * Loads schema_postgres.sql, in one transaction, into a database that holds no log. With
 * keep_open (CW_STORE_CREATE_UNCOMMITTED) the transaction is a write transaction as s_begin
 * makes it (READ COMMITTED, the log's tail locked) and is left open for the caller: PostgreSQL's
 * DDL is transactional, so a rollback leaves the database without the schema.
 */
static cw_rc create_schema(pg_store *s, int keep_open, cw_error *err)
{
    int64_t version;
    cw_rc rc = stored_version(s, &version, err);
    if (rc)
        return rc;
    if (version != 0)
        return cw_error_set(err, CW_EEXIST,
                            "database: it already holds a caseward log (table meta); refusing to "
                            "overwrite it");
    if ((rc = keep_open ? s_begin(&s->base, err)
                        : exec(s, "BEGIN", NULL, NULL, "creating the schema", err)))
        return rc;
    /* The schema is several statements: the simple protocol (no parameters in it). */
    PGresult *r = PQexec(s->c, cw_schema_postgres);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = fail(s, r, err, "creating the schema");
    PQclear(r);
    if (!rc)
        rc = s_meta_put(&s->base, "schema_version", STR(SCHEMA_VERSION), err);
    if (!rc && !keep_open)
        rc = s_commit(&s->base, err);
    if (rc)
        s_rollback(&s->base);
    return rc;
}

/*
 * Takes a database of an older schema version (10 or later: PostgreSQL databases begin at 10)
 * to this caseward's, in one transaction serialised on the log's tail; the version is read
 * again under the lock, so two servers starting at once upgrade it once. The application's
 * role may not create tables: refused, the error says who can.
 */
static cw_rc upgrade(pg_store *s, int64_t *version, cw_error *err)
{
    int64_t from = *version;
    cw_rc rc = s_begin(&s->base, err);
    if (!rc)
        rc = stored_version(s, version, err);
    for (; !rc && *version >= 10 && *version < SCHEMA_VERSION; (*version)++) {
        const char *const *parts =
            (size_t)*version < sizeof migrations_more / sizeof *migrations_more
                ? migrations_more[*version]
                : NULL;
        for (size_t part = 0; !rc && parts && parts[part]; part++) {
            PGresult *r = PQexec(s->c, parts[part]);
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
                rc = fail(s, r, err, "upgrading the schema");
            PQclear(r);
        }
        char v[24];
        snprintf(v, sizeof v, "%" PRId64, *version + 1);
        if (!rc)
            rc = s_meta_put(&s->base, "schema_version", v, err);
    }
    if (!rc)
        return s_commit(&s->base, err);
    s_rollback(&s->base);
    *version = from;
    cw_error_prefix(err,
                    "database: upgrading it from schema version %" PRId64 " to %d needs the "
                    "database's owner (caseward_owner): run `caseward upgrade --db URI` as that "
                    "role (docs/postgres.md, \"Upgrading\"): ",
                    from, SCHEMA_VERSION);
    return rc;
}

/* The session's settings, on a new connection and on one made again. */
static cw_rc session(pg_store *s, cw_error *err)
{
    PQsetNoticeProcessor(s->c, quiet, NULL);
    /* The tables are found in public whatever the role's search_path; text is UTF-8. */
    cw_rc rc = exec(s,
                    "SELECT pg_catalog.set_config('search_path', 'public', false), "
                    "pg_catalog.set_config('client_encoding', 'UTF8', false)",
                    NULL, NULL, "setting up the connection", err);
    if (!rc && s->readonly)
        rc = exec(s, "SET default_transaction_read_only = on", NULL, NULL,
                  "setting up the connection", err);
    return rc;
}

static cw_rc setup(pg_store *s, int flags, cw_error *err)
{
    cw_rc rc = session(s, err);
    if (!rc && (flags & CW_STORE_CREATE))
        rc = create_schema(s, (flags & CW_STORE_CREATE_UNCOMMITTED) != 0, err);
    int64_t version = 0;
    if (!rc)
        rc = stored_version(s, &version, err);
    if (rc)
        return rc;
    if (version == 0)
        return cw_error_set(err, CW_ENOTFOUND,
                            "database: it holds no caseward log (caseward init --db makes one)");
    if (version >= 10 && version < SCHEMA_VERSION && !s->readonly &&
        (rc = upgrade(s, &version, err)))
        return rc;
    if (version >= 10 && version < SCHEMA_VERSION)
        return cw_error_set(err, CW_EDB,
                            "database: it has schema version %" PRId64 " and this caseward reads "
                            "version %d: run `caseward upgrade --db URI` as the database's owner "
                            "(caseward_owner) first (docs/postgres.md, \"Upgrading\")",
                            version, SCHEMA_VERSION);
    if (version != SCHEMA_VERSION)
        return cw_error_set(err, CW_EDB,
                            "database: it has schema version %" PRId64
                            "; this caseward reads version %d",
                            version, SCHEMA_VERSION);
    return CW_OK;
}

cw_rc cw_store_postgres_open(const char *uri, int flags, cw_store **out, cw_error *err)
{
    *out = NULL;
    pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    s->base.ops = &pg_ops;
    s->readonly = (flags & CW_STORE_READONLY) != 0;
    s->c = PQconnectdb(uri);
    cw_rc rc = CW_OK;
    if (!s->c) {
        rc = cw_error_set(err, CW_ENOMEM, "database: cannot connect: out of memory");
    } else if (PQstatus(s->c) != CONNECTION_OK) {
        /* libpq's message names the host, port or socket, never the password. */
        const char *text;
        int len;
        message(PQerrorMessage(s->c), &text, &len);
        /* A storage fault (store.h) like a connection lost: the server down, restarting or
         * out of connections is the common cause, and the message keeps libpq's words for
         * the rest (a password refused, a database that does not exist). */
        cw_store_note_fault(CW_STORE_FAULT_UNREACHABLE);
        rc = cw_error_set(err, CW_EUNAVAIL, "database: cannot connect: %.*s", len, text);
    } else {
        rc = setup(s, flags, err);
    }
    if (rc) {
        s_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return CW_OK;
}

/* ---- deep verify's scratch ---- */

/* Copies every row of the table from PostgreSQL (in the open read transaction) into the
 * SQLite database db, which has caseward's schema. */
static cw_rc copy_table(pg_store *s, sqlite3 *db, const char *table, cw_error *err)
{
    cw_buf sel = CW_BUF_INIT(8192), ins = CW_BUF_INIT(8192);
    sqlite3_stmt *cols = NULL, *put = NULL;
    cw_rc rc = CW_OK;
    int ncols = 0;
    char *tid = PQescapeIdentifier(s->c, table, strlen(table));
    if (!tid || sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1,
                                   &cols, NULL) != SQLITE_OK) {
        rc = cw_error_set(err, CW_EDB, "scratch database: %s", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_text(cols, 1, table, -1, SQLITE_STATIC);
    cw_buf_addstr(&sel, "DECLARE caseward_copy NO SCROLL CURSOR FOR SELECT ");
    cw_buf_addf(&ins, "INSERT INTO \"%s\" VALUES (", table);
    while (sqlite3_step(cols) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(cols, 0);
        char *id = PQescapeIdentifier(s->c, name, strlen(name));
        if (!id) {
            rc = cw_error_set(err, CW_ENOMEM, "out of memory");
            goto out;
        }
        cw_buf_addf(&sel, "%s%s", ncols ? ", " : "", id);
        cw_buf_addf(&ins, "%s?", ncols ? ", " : "");
        PQfreemem(id);
        ncols++;
    }
    if (cw_buf_addf(&sel, " FROM %s", tid) || cw_buf_addc(&ins, ')')) {
        rc = cw_error_set(err, CW_ETOOBIG, "scratch database: table %s: too many columns", table);
        goto out;
    }
    if (sqlite3_prepare_v2(db, ins.data, -1, &put, NULL) != SQLITE_OK) {
        rc = cw_error_set(err, CW_EDB, "scratch database: %s", sqlite3_errmsg(db));
        goto out;
    }
    if ((rc = exec(s, sel.data, NULL, NULL, "copying the database", err)))
        goto out;
    for (;;) {
        PGresult *r;
        if ((rc = exec(s, "FETCH " STR(SCAN_BATCH) " FROM caseward_copy", NULL, &r,
                       "copying the database", err)))
            break;
        int n = PQntuples(r);
        for (int i = 0; i < n && !rc; i++) {
            sqlite3_reset(put);
            for (int c = 0; c < ncols && c < PQnfields(r); c++) {
                cw_value v;
                column(r, i, c, &v);
                if (v.type == CW_V_INT)
                    sqlite3_bind_int64(put, c + 1, v.i);
                else if (v.type == CW_V_TEXT)
                    sqlite3_bind_text(put, c + 1, v.s, (int)v.len, SQLITE_STATIC);
                else if (v.type == CW_V_BLOB)
                    sqlite3_bind_blob(put, c + 1, v.s, (int)v.len, SQLITE_STATIC);
                else
                    sqlite3_bind_null(put, c + 1);
            }
            if (sqlite3_step(put) != SQLITE_DONE)
                rc = cw_error_set(err, CW_EDB, "scratch database: table %s: %s", table,
                                  sqlite3_errmsg(db));
        }
        PQclear(r);
        if (rc || n < SCAN_BATCH)
            break;
    }
    if (!rc)
        rc = exec(s, "CLOSE caseward_copy", NULL, NULL, "copying the database", err);
out:
    PQfreemem(tid);
    sqlite3_finalize(cols);
    sqlite3_finalize(put);
    cw_buf_release(&sel);
    cw_buf_release(&ins);
    return rc;
}

/* Copies the whole database, as of one moment, into the new SQLite file at path. */
static cw_rc copy_to_sqlite(pg_store *s, const char *path, cw_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;
    char *msg = NULL;
    cw_rc rc = CW_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                     "PRAGMA secure_delete = ON; BEGIN; PRAGMA application_id = 1668768817; "
                     "PRAGMA user_version = " STR(SCHEMA_VERSION) ";",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, cw_schema_sqlite, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite_%' ORDER BY name",
                           -1, &tables, NULL) != SQLITE_OK) {
        rc = cw_error_set(err, CW_EDB, "scratch database: %s",
                          msg  ? msg
                          : db ? sqlite3_errmsg(db)
                               : "cannot open");
        goto out;
    }
    if ((rc = s_begin_read(&s->base, err)))
        goto out;
    while (!rc && sqlite3_step(tables) == SQLITE_ROW)
        rc = copy_table(s, db, (const char *)sqlite3_column_text(tables, 0), err);
    s_rollback(&s->base);
    if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        rc = cw_error_set(err, CW_EDB, "scratch database: %s", msg ? msg : sqlite3_errmsg(db));
out:
    sqlite3_free(msg);
    sqlite3_finalize(tables);
    sqlite3_close(db);
    return rc;
}

static cw_rc s_snapshot(cw_store *base, const char *path, cw_error *err)
{
    return copy_to_sqlite((pg_store *)base, path, err);
}

/*
 * The deep verify's scratch for a PostgreSQL log: the whole database is copied, in one
 * snapshot, into a private temporary SQLite file (mode 0600, in $TMPDIR or /tmp, secure_delete
 * on), which then serves as the live database of a SQLite scratch store; the file is unlinked
 * as soon as that store holds it open. The copy holds personal data while it exists, as the
 * SQLite scratch does. It takes the database's size in disk space for the moment.
 */
cw_rc cw_store_postgres_open_scratch(const char *uri, cw_store **out, cw_error *err)
{
    *out = NULL;
    cw_store *live = NULL;
    cw_rc rc = cw_store_postgres_open(uri, CW_STORE_READONLY, &live, err);
    if (rc)
        return rc;
    const char *dir = getenv("TMPDIR");
    cw_buf path = CW_BUF_INIT(4096);
    if (cw_buf_addf(&path, "%s/caseward-pgcopy-XXXXXX", dir && *dir ? dir : "/tmp")) {
        rc = cw_error_set(err, CW_ETOOBIG, "TMPDIR: the path is too long");
        goto out;
    }
    int fd = mkstemp(path.data); /* mode 0600 */
    if (fd < 0) {
        rc = cw_error_set(err, CW_EIO, "%s: cannot create a scratch file: %s", path.data,
                          strerror(errno));
        goto out;
    }
    close(fd);
    rc = copy_to_sqlite((pg_store *)live, path.data, err);
    if (!rc)
        rc = cw_store_sqlite_open_scratch(path.data, out, err);
    unlink(path.data); /* held open by the scratch store from here on */
out:
    cw_store_close(live);
    cw_buf_release(&path);
    return rc;
}
