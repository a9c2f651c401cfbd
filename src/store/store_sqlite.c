/*
 * store_sqlite.c — the SQLite backend of the storage interface.
 *
 * One connection per cw_store, used by one thread. The database runs in WAL
 * mode with synchronous=FULL, so a committed transaction survives a crash of
 * the process or the machine. Every query is a named, prepared statement with
 * bound parameters. The file is created with mode 0600; SQLite gives its -wal
 * and -shm files the same mode.
 */
#include "store/faultvfs.h"
#include "store/store_int.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLICATION_ID 0x63776431 /* 'cwd1' */
#define SCHEMA_VERSION 12
#define STR_(x)        #x
#define STR(x)         STR_(x)

extern const char cw_schema_sqlite[];

/* How long a write waits for another process's write to finish before it is refused as busy. */
#define WRITE_WAIT_MS (120 * 1000)

enum {
    Q_BEGIN,
    Q_BEGIN_READ,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_META_GET,
    Q_META_PUT,
    Q_ENTRIES_END,
    Q_ENTRY_PUT,
    Q_ENTRY_HASHES,
    Q_ENTRY_LEAF,
    Q_ENTRY_SCAN,
    Q_CHECKPOINT_PUT,
    Q_CHECKPOINT_LATEST,
    Q_CHECKPOINT_SCAN,
    Q_PERSONAL_PUT,
    Q_PERSONAL_GET,
    Q_PERSONAL_ERASE,
    Q_PERSONAL_SCAN,
    Q_COUNT
};

static const char *const queries[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_BEGIN_READ] = "BEGIN DEFERRED",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_PUT] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [Q_ENTRIES_END] = "SELECT max(idx) FROM entries",
    [Q_ENTRY_PUT] = "INSERT INTO entries(idx, hashes, leaf) VALUES (?1, ?2, ?3)",
    [Q_ENTRY_HASHES] = "SELECT hashes FROM entries WHERE idx = ?1",
    [Q_ENTRY_LEAF] = "SELECT leaf FROM entries WHERE idx = ?1",
    [Q_ENTRY_SCAN] = "SELECT idx, hashes, leaf FROM entries WHERE idx >= ?1 AND idx < ?2 "
                     "ORDER BY idx",
    [Q_CHECKPOINT_PUT] = "INSERT INTO checkpoints(size, note) VALUES (?1, ?2)",
    [Q_CHECKPOINT_LATEST] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [Q_CHECKPOINT_SCAN] = "SELECT size, note FROM checkpoints WHERE size >= ?1 AND size <= ?2 "
                          "ORDER BY size",
    [Q_PERSONAL_PUT] = "INSERT INTO personal(idx, salt, body) VALUES (?1, ?2, ?3)",
    [Q_PERSONAL_GET] = "SELECT salt, body, erased_idx FROM personal WHERE idx = ?1",
    [Q_PERSONAL_SCAN] = "SELECT idx, salt, body, erased_idx FROM personal ORDER BY idx",
    [Q_PERSONAL_ERASE] = "UPDATE personal SET salt = NULL, body = NULL, erased_idx = ?2 "
                         "WHERE idx = ?1",
};

/* The projection queries of store.h, for SQLite. */
static const char *const named[CW_Q_COUNT] = {
    [CW_Q_PROJECTION_APPLIED] = "SELECT value FROM projection_state WHERE key = 'applied'",
    [CW_Q_PROJECTION_SET_APPLIED] =
        "INSERT INTO projection_state(key, value) VALUES ('applied', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [CW_Q_TEAM_GET] = "SELECT name FROM teams WHERE team_id = ?1",
    [CW_Q_TEAM_PUT] = "INSERT INTO teams(team_id, name, service_area, idx) VALUES (?1, ?2, ?3, ?4)",
    [CW_Q_STAFF_GET] =
        "SELECT role, team_id, manager_id, left_on, name FROM staff WHERE staff_id = ?1",
    [CW_Q_STAFF_PUT] = "INSERT INTO staff(staff_id, name, role, team_id, manager_id, idx) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(staff_id) DO UPDATE SET "
                       "name = excluded.name, role = excluded.role, team_id = excluded.team_id, "
                       "manager_id = excluded.manager_id, idx = excluded.idx",
    [CW_Q_STAFF_LEFT] = "UPDATE staff SET left_on = ?2, idx = ?3 WHERE staff_id = ?1",
    [CW_Q_STAFF_ALL] = "SELECT staff_id, role, team_id, manager_id, left_on FROM staff "
                       "ORDER BY staff_id",
    [CW_Q_CHILD_GET] =
        "SELECT date_of_birth, case_status, worker_id, cp_since, looked_after_since, "
        "restricted, cp_category FROM children WHERE child_id = ?1",
    [CW_Q_CHILD_PUT] =
        "INSERT INTO children(child_id, given_name, family_name, date_of_birth, gender, "
        "ethnicity, language, address, restricted, idx, last_activity, case_status, "
        "family_language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'open', ?12)",
    [CW_Q_CHILD_SET_WORKER] = "UPDATE children SET worker_id = ?2 WHERE child_id = ?1",
    [CW_Q_CHILD_SET_STATUS] = "UPDATE children SET case_status = ?2 WHERE child_id = ?1",
    [CW_Q_CHILD_SET_CP] = "UPDATE children SET cp_category = ?2, cp_since = ?3 WHERE child_id = ?1",
    [CW_Q_CHILD_SET_LOOKED_AFTER] =
        "UPDATE children SET looked_after_since = ?2, placement_id = ?3, "
        "placement_type = ?4 WHERE child_id = ?1",
    [CW_Q_CHILD_SET_PLACEMENT] = "UPDATE children SET placement_id = ?2, placement_type = ?3 "
                                 "WHERE child_id = ?1",
    [CW_Q_CHILD_TOUCH] = "UPDATE children SET last_activity = max(coalesce(last_activity, ''), ?2) "
                         "WHERE child_id = ?1",
    [CW_Q_CHILD_DELETE] = "DELETE FROM children WHERE child_id = ?1",
    [CW_Q_CHILDREN_ALL] = "SELECT child_id, date_of_birth, worker_id, case_status FROM children "
                          "ORDER BY child_id",
    [CW_Q_ACCESS_PUT] = "INSERT OR IGNORE INTO child_access(child_id, staff_id) VALUES (?1, ?2)",
    [CW_Q_ACCESS_DELETE] = "DELETE FROM child_access WHERE child_id = ?1",
    [CW_Q_RECORD_GET] = "SELECT kind, child_id, opened_on, closed_on, status, idx FROM records "
                        "WHERE record_id = ?1",
    [CW_Q_RECORD_PUT] = "INSERT INTO records(record_id, kind, child_id, opened_on, status, idx) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_RECORD_CLOSE] = "UPDATE records SET closed_on = ?2, status = ?3, closed_idx = ?4 "
                          "WHERE record_id = ?1",
    [CW_Q_RECORD_DELETE_CHILD] = "DELETE FROM records WHERE child_id = ?1",
    [CW_Q_ERASURES] = "SELECT record_id, child_id, opened_on, status, idx, closed_on, closed_idx "
                      "FROM records WHERE kind = 'erasure' ORDER BY idx DESC",
    [CW_Q_ACCESS_CHANGES] = "SELECT record_id, idx, status, closed_on, closed_idx FROM records "
                            "WHERE kind = 'access_change' ORDER BY idx DESC",
    [CW_Q_VISIT_PUT] = "INSERT INTO visits(idx, child_id, date, seen, seen_alone, views_recorded) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_VISIT_DELETE_CHILD] = "DELETE FROM visits WHERE child_id = ?1",
    [CW_Q_SUPERVISION_PUT] = "INSERT INTO supervisions(idx, supervisee_id, supervisor_id, date) "
                             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(idx) DO UPDATE SET "
                             "supervisee_id = excluded.supervisee_id, "
                             "supervisor_id = excluded.supervisor_id, date = excluded.date",
    [CW_Q_SUPERVISION_CASE_PUT] = "INSERT OR IGNORE INTO supervision_cases(idx, child_id) "
                                  "VALUES (?1, ?2)",
    [CW_Q_SUPERVISION_CASE_DELETE_CHILD] = "DELETE FROM supervision_cases WHERE child_id = ?1",
    [CW_Q_CHILD_EVENT_PUT] = "INSERT OR REPLACE INTO child_events(child_id, idx, date, type) "
                             "VALUES (?1, ?2, ?3, ?4)",
    [CW_Q_CHILD_EVENTS] = "SELECT idx, date, type FROM child_events WHERE child_id = ?1 "
                          "ORDER BY date, idx",
    [CW_Q_CHILD_EVENTS_DELETE] = "DELETE FROM child_events WHERE child_id = ?1",
    [CW_Q_CHILD_HISTORY_TAIL] = "SELECT seg, events FROM child_histories WHERE child_id = ?1 "
                                "ORDER BY seg DESC",
    [CW_Q_CHILD_HISTORY_TRIM] = "DELETE FROM child_histories WHERE child_id = ?1 AND seg >= ?2",
    [CW_Q_CHILD_FOR_RULES] = "SELECT c.date_of_birth, h.events FROM children c LEFT JOIN "
                             "child_histories h ON h.child_id = c.child_id WHERE c.child_id = ?1 "
                             "ORDER BY h.seg",
    [CW_Q_HISTORIES_RANGE] = "SELECT child_id, events FROM child_histories WHERE child_id >= ?1 "
                             "AND child_id <= ?2 ORDER BY child_id, seg",
    [CW_Q_CHILD_HISTORY_PUT] = "INSERT OR REPLACE INTO child_histories(child_id, seg, events) "
                               "VALUES (?1, ?2, ?3)",
    [CW_Q_CHILD_HISTORY_DELETE] = "DELETE FROM child_histories WHERE child_id = ?1",
    [CW_Q_EVENT_CHILDREN] = "SELECT child_id FROM child_events WHERE idx = ?1 ORDER BY child_id",
    [CW_Q_CORRECTION_PUT] = "INSERT OR REPLACE INTO corrections(idx, corrects, reason) "
                            "VALUES (?1, ?2, ?3)",
    [CW_Q_ACCOUNT_GET] = "SELECT staff_id, role, password, must_change, disabled, expires_on, "
                         "failed, locked_until, language FROM accounts WHERE username = ?1",
    [CW_Q_ACCOUNT_PUT] = "INSERT INTO accounts(username, staff_id, role, password, must_change, "
                         "disabled, expires_on, failed, locked_until, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, 0, 0, ?7)",
    [CW_Q_ACCOUNT_SET_PASSWORD] =
        "UPDATE accounts SET password = ?2, must_change = ?3, failed = 0, "
        "locked_until = 0 WHERE username = ?1",
    [CW_Q_ACCOUNT_SET_STATUS] = "UPDATE accounts SET disabled = coalesce(?2, disabled), "
                                "expires_on = coalesce(?3, expires_on), "
                                "language = coalesce(?4, language) WHERE username = ?1",
    [CW_Q_ACCOUNT_SIGN_IN] =
        "UPDATE accounts SET failed = ?2, locked_until = ?3 WHERE username = ?1",
    [CW_Q_ACCOUNT_COUNT] = "SELECT count(*) FROM accounts",
    [CW_Q_RECORD_ACCESS_PUT] =
        "INSERT OR REPLACE INTO record_access(idx, child_id, actor, what, allowed, "
        "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_RECORD_ACCESS_OF_CHILD] = "SELECT idx, actor, what, allowed, at FROM record_access "
                                    "WHERE child_id = ?1 ORDER BY idx",
    [CW_Q_CHILDREN_AFTER] = "SELECT child_id, date_of_birth, worker_id, case_status, given_name, "
                            "family_name FROM children "
                            "WHERE child_id > ?1 ORDER BY child_id",
    [CW_Q_CHILDREN_OF_WORKER] = "SELECT child_id, worker_id, case_status, given_name, family_name, "
                                "date_of_birth, language, family_language FROM children "
                                "WHERE worker_id = ?1 "
                                "ORDER BY child_id",
    [CW_Q_CHILDREN_OF_TEAM] = "SELECT c.child_id, c.worker_id, c.case_status, c.given_name, "
                              "c.family_name, c.date_of_birth, c.language, c.family_language "
                              "FROM children c "
                              "JOIN staff s ON s.staff_id = c.worker_id WHERE s.team_id = ?1 "
                              "ORDER BY c.worker_id, c.child_id",
    [CW_Q_STAFF_LIST] = "SELECT staff_id, name, role, team_id, manager_id, left_on FROM staff "
                        "ORDER BY staff_id",
    [CW_Q_TEAMS_ALL] = "SELECT team_id, name, service_area FROM teams ORDER BY team_id",
    [CW_Q_TOKEN_PUT] = "INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, 0)",
    [CW_Q_TOKEN_BY_HASH] = "SELECT name, username, scope, revoked FROM api_tokens WHERE hash = ?1",
    [CW_Q_TOKEN_GET] = "SELECT username, scope, revoked FROM api_tokens WHERE name = ?1",
    [CW_Q_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked = 1 WHERE name = ?1 AND revoked = 0",
    [CW_Q_STAFF_IN_POST] = "SELECT staff_id, team_id, manager_id FROM staff WHERE role = ?1 AND "
                           "left_on IS NULL ORDER BY staff_id",
    [CW_Q_CHILD_RECORD] = "SELECT child_id, given_name, family_name, date_of_birth, gender, "
                          "ethnicity, language, address, restricted, worker_id, case_status, "
                          "cp_category, cp_since, looked_after_since, placement_id, "
                          "placement_type, last_activity, family_language FROM children "
                          "WHERE child_id = ?1",
    [CW_Q_CHILD_SCOPE] = "SELECT c.worker_id, c.restricted, s.team_id, t.service_area, "
                         "s.manager_id, m.manager_id FROM children c LEFT JOIN staff s ON "
                         "s.staff_id = c.worker_id LEFT JOIN teams t ON t.team_id = s.team_id "
                         "LEFT JOIN staff m ON m.staff_id = s.manager_id WHERE c.child_id = ?1",
    [CW_Q_TEAM_REPORTS_TO] = "SELECT 1 FROM staff s LEFT JOIN staff m ON m.staff_id = "
                             "s.manager_id WHERE s.team_id = ?1 AND (s.manager_id = ?2 OR "
                             "m.manager_id = ?2) LIMIT 1",
    [CW_Q_CHILD_ACCESS_HAS] = "SELECT 1 FROM child_access WHERE child_id = ?1 AND staff_id = ?2",
    [CW_Q_CHILD_ACCESS_LIST] =
        "SELECT staff_id FROM child_access WHERE child_id = ?1 ORDER BY staff_id",
    [CW_Q_TEAM_AREA] = "SELECT service_area FROM teams WHERE team_id = ?1",
    [CW_Q_CHILD_NAME] =
        "SELECT given_name, family_name, worker_id FROM children WHERE child_id = ?1",
    [CW_Q_CHILDREN_UNALLOCATED] =
        "SELECT child_id, worker_id, case_status, given_name, family_name, "
        "date_of_birth, language, family_language FROM children WHERE worker_id IS NULL AND "
        "case_status = 'open' ORDER BY child_id",
    /* A prefilter on the leaf bytes: in compact JSON the member "type" with such a value can
     * only be written like this (inside a string the quotes would be escaped). */
    [CW_Q_ENTRIES_ACCOUNTS] =
        "SELECT idx, leaf FROM entries WHERE instr(leaf, CAST('\"type\":\"account_' AS BLOB)) > 0 "
        "OR instr(leaf, CAST('\"type\":\"token_' AS BLOB)) > 0 ORDER BY idx",
    [CW_Q_ESCALATION_PUT] = "INSERT OR IGNORE INTO escalations(child_id, item, level, notified_id, "
                            "as_of, idx) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_ESCALATION_GET] = "SELECT notified_id, as_of, idx FROM escalations WHERE child_id = ?1 "
                            "AND item = ?2 AND level = ?3",
    [CW_Q_ESCALATION_DELETE_CHILD] = "DELETE FROM escalations WHERE child_id = ?1",
    [CW_Q_CORRECTIONS_OF] = "SELECT idx, reason FROM corrections WHERE corrects = ?1 ORDER BY idx",
    [CW_Q_SIGNOFF_GET] = "SELECT kind, child_id, submitted_by, submitted_on, state, decided_by, "
                         "decided_on, decided_idx FROM signoffs WHERE idx = ?1",
    [CW_Q_SIGNOFF_PUT] = "INSERT OR IGNORE INTO signoffs(idx, child_id, kind, submitted_by, "
                         "submitted_on, state, decided_by, decided_on) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [CW_Q_SIGNOFF_DECIDE] = "UPDATE signoffs SET state = ?2, decided_by = ?3, decided_on = ?4, "
                            "decided_idx = ?5 WHERE idx = ?1",
    [CW_Q_SIGNOFFS_PENDING] =
        "SELECT idx, child_id, kind, submitted_by, submitted_on FROM signoffs "
        "WHERE state = 'pending' ORDER BY idx",
    [CW_Q_SIGNOFFS_RETURNED] = "SELECT idx, child_id, kind, submitted_by, submitted_on FROM "
                               "signoffs WHERE state = 'returned' AND submitted_by = ?1 ORDER BY "
                               "idx",
    [CW_Q_POLICY_GET] = "SELECT value, idx FROM policy WHERE key = ?1",
    [CW_Q_POLICY_PUT] = "INSERT OR REPLACE INTO policy(key, value, idx) VALUES (?1, ?2, ?3)",
    [CW_Q_CHILD_SET_RESTRICTED] = "UPDATE children SET restricted = ?2 WHERE child_id = ?1",
    [CW_Q_DEPUTY_PUT] = "INSERT OR REPLACE INTO deputies(manager_id, deputy_id, until, idx) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [CW_Q_DEPUTIES_ALL] = "SELECT manager_id, deputy_id, until FROM deputies ORDER BY manager_id, "
                          "deputy_id",
    [CW_Q_DEPUTY_HAS] = "SELECT 1 FROM deputies WHERE manager_id = ?1 AND deputy_id = ?2 AND "
                        "until >= ?3",
    [CW_Q_HOLD_GET] = "SELECT child_id, kind, placed_on, until, lifted_on, idx FROM legal_holds "
                      "WHERE hold_id = ?1",
    [CW_Q_HOLD_PUT] = "INSERT INTO legal_holds(hold_id, child_id, kind, placed_on, until, idx) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_HOLD_LIFT] = "UPDATE legal_holds SET lifted_on = ?2, lifted_idx = ?3 WHERE hold_id = ?1",
    [CW_Q_HOLDS_COVERING] =
        "SELECT hold_id, kind, placed_on, child_id FROM legal_holds WHERE (child_id = ?1 OR "
        "child_id IS NULL) AND lifted_on IS NULL AND (until IS NULL OR until >= ?2) "
        "ORDER BY placed_on, hold_id",
    [CW_Q_ERASURES_PENDING_OF] = "SELECT record_id, status FROM records WHERE child_id = ?1 AND "
                                 "kind = 'erasure' AND closed_on IS NULL ORDER BY record_id",
    [CW_Q_CHILD_RETENTION] =
        "SELECT kind, status, opened_on FROM records WHERE child_id = ?1 UNION ALL "
        "SELECT 'event', type, date FROM child_events WHERE child_id = ?1 AND type IN "
        "('looked_after_started', 'leaving_care_status', 'case_closed', 'case_reopened', "
        "'conference_held', 'section_47_started')",
    [CW_Q_ACCOUNTS_ALL] = "SELECT username, staff_id, role, password, must_change, disabled, "
                          "expires_on, failed, locked_until, created_at, language FROM accounts "
                          "ORDER BY username",
    [CW_Q_ACCOUNT_COPY] = "INSERT INTO accounts(username, staff_id, role, password, must_change, "
                          "disabled, expires_on, failed, locked_until, created_at, language) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [CW_Q_TOKENS_ALL] = "SELECT name, hash, username, scope, created_at, revoked FROM api_tokens "
                        "ORDER BY name",
    [CW_Q_TOKEN_COPY] = "INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_AUDIT_PROGRAMME_GET] =
        "SELECT title, commissioned_by, starts, ends, framework, framework_sha256, themes, "
        "grades, critical, area_manager_id, idx FROM audit_programmes WHERE programme_id = ?1",
    [CW_Q_AUDIT_PROGRAMME_PUT] =
        "INSERT INTO audit_programmes(programme_id, title, commissioned_by, starts, ends, "
        "framework, framework_sha256, themes, grades, critical, area_manager_id, idx) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [CW_Q_AUDIT_PROGRAMMES_ALL] =
        "SELECT programme_id, title, commissioned_by, starts, ends, framework, grades, idx "
        "FROM audit_programmes ORDER BY idx DESC",
    [CW_Q_AUDIT_AUDITOR_PUT] = "INSERT INTO audit_auditors(programme_id, staff_id) VALUES (?1, ?2)",
    [CW_Q_AUDIT_AUDITOR_HAS] =
        "SELECT 1 FROM audit_auditors WHERE programme_id = ?1 AND staff_id = ?2",
    [CW_Q_AUDIT_AUDITORS_OF] =
        "SELECT staff_id FROM audit_auditors WHERE programme_id = ?1 ORDER BY staff_id",
    [CW_Q_AUDIT_SAMPLE_PUT] =
        "INSERT INTO audit_samples(idx, programme_id, seed, log_size, size, minimum, drawn_on) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [CW_Q_AUDIT_SAMPLES_OF] =
        "SELECT idx, seed, log_size, size, minimum, drawn_on FROM audit_samples WHERE "
        "programme_id = ?1 ORDER BY idx",
    [CW_Q_AUDIT_CASE_PUT] =
        "INSERT INTO audit_cases(programme_id, child_id, auditor_id, how, added_on, idx, "
        "team_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [CW_Q_AUDIT_CASE_GET] =
        "SELECT auditor_id, how, added_on, idx, team_id, completed_on, overall, completed_idx, "
        "moderator_id, moderated_on, moderated_overall, moderated_idx FROM audit_cases WHERE "
        "programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_CASE_COMPLETE] =
        "UPDATE audit_cases SET completed_on = ?3, overall = ?4, completed_idx = ?5 WHERE "
        "programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_CASE_MODERATOR] =
        "UPDATE audit_cases SET moderator_id = ?3 WHERE programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_CASE_MODERATED] =
        "UPDATE audit_cases SET moderated_on = ?3, moderated_overall = ?4, moderated_idx = ?5 "
        "WHERE programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_CASES_OF] =
        "SELECT child_id, auditor_id, how, added_on, team_id, completed_on, overall, "
        "moderator_id, moderated_on, moderated_overall FROM audit_cases WHERE programme_id = "
        "?1 ORDER BY child_id",
    [CW_Q_AUDIT_CASES_OF_STAFF] =
        "SELECT a.programme_id, a.child_id, a.auditor_id, a.moderator_id, a.completed_on, "
        "a.moderated_on, p.ends FROM audit_cases a JOIN audit_programmes p ON p.programme_id = "
        "a.programme_id WHERE (a.auditor_id = ?1 OR a.moderator_id = ?1) AND p.starts <= ?2 "
        "AND p.ends >= ?2 ORDER BY a.programme_id, a.child_id",
    [CW_Q_AUDIT_ACCESS] =
        "SELECT 1 FROM audit_cases a JOIN audit_programmes p ON p.programme_id = "
        "a.programme_id WHERE a.child_id = ?1 AND (a.auditor_id = ?2 OR a.moderator_id = ?2) "
        "AND p.starts <= ?3 AND p.ends >= ?3",
    [CW_Q_AUDIT_GRADE_PUT] =
        "INSERT INTO audit_grades(programme_id, child_id, pass, theme, grade, graded_by, "
        "graded_on, idx) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (programme_id, "
        "child_id, pass, theme) DO UPDATE SET grade = excluded.grade, graded_by = "
        "excluded.graded_by, graded_on = excluded.graded_on, idx = excluded.idx",
    [CW_Q_AUDIT_GRADES_OF] =
        "SELECT theme, grade, graded_by, graded_on, idx FROM audit_grades WHERE programme_id = "
        "?1 AND child_id = ?2 AND pass = ?3 ORDER BY theme",
    [CW_Q_AUDIT_GRADES_ALL] =
        "SELECT child_id, pass, theme, grade, graded_by FROM audit_grades WHERE programme_id = "
        "?1 ORDER BY child_id, pass, theme",
    [CW_Q_AUDIT_FINDING_PUT] =
        "INSERT INTO audit_findings(programme_id, child_id, found_on, idx) VALUES (?1, ?2, ?3, "
        "?4)",
    [CW_Q_AUDIT_FINDING_GET] =
        "SELECT found_on, idx, actioned_on, actioned_by, actioned_idx FROM audit_findings "
        "WHERE programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_FINDING_ACTIONED] =
        "UPDATE audit_findings SET actioned_on = ?3, actioned_by = ?4, actioned_idx = ?5 WHERE "
        "programme_id = ?1 AND child_id = ?2",
    [CW_Q_AUDIT_FINDINGS_ALL] =
        "SELECT programme_id, child_id, found_on, idx, actioned_on, actioned_by FROM "
        "audit_findings ORDER BY programme_id, child_id",
    [CW_Q_AUDIT_CANDIDATES] =
        "SELECT c.child_id, COALESCE(s.team_id, ''), CASE WHEN c.cp_since IS NOT NULL THEN "
        "'child_protection' WHEN c.looked_after_since IS NOT NULL THEN 'looked_after' ELSE "
        "'care_and_support' END FROM children c LEFT JOIN staff s ON s.staff_id = c.worker_id "
        "WHERE c.case_status = 'open' AND c.restricted = 0 AND NOT EXISTS (SELECT 1 FROM "
        "audit_cases a WHERE a.child_id = c.child_id AND a.added_on > ?1) ORDER BY c.child_id",
    [CW_Q_AUDIT_RECOMMENDATION_GET] =
        "SELECT programme_id, number FROM audit_recommendations WHERE recommendation_id = ?1",
    [CW_Q_AUDIT_RECOMMENDATION_PUT] =
        "INSERT INTO audit_recommendations(recommendation_id, programme_id, number, theme, "
        "text, idx) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CW_Q_AUDIT_RECOMMENDATIONS_OF] =
        "SELECT recommendation_id, number, theme, text FROM audit_recommendations WHERE "
        "programme_id = ?1 ORDER BY number",
    [CW_Q_AUDIT_RECOMMENDATION_COUNT] =
        "SELECT count(*) FROM audit_recommendations WHERE programme_id = ?1",
    [CW_Q_AUDIT_ACTION_GET] =
        "SELECT recommendation_id, programme_id, owner_id, due, status, number FROM "
        "audit_actions WHERE action_id = ?1",
    [CW_Q_AUDIT_ACTION_PUT] =
        "INSERT INTO audit_actions(action_id, recommendation_id, programme_id, number, text, "
        "owner_id, due, status, idx) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8)",
    [CW_Q_AUDIT_ACTION_COUNT] = "SELECT count(*) FROM audit_actions WHERE recommendation_id = ?1",
    [CW_Q_AUDIT_ACTION_SET_STATUS] =
        "UPDATE audit_actions SET status = ?2, updated_on = ?3 WHERE action_id = ?1",
    [CW_Q_AUDIT_ACTION_COMPLETE] =
        "UPDATE audit_actions SET status = 'awaiting_sign_off', updated_on = ?2, completed_on "
        "= ?2, completed_idx = ?3 WHERE action_id = ?1",
    [CW_Q_AUDIT_ACTION_CLOSE] =
        "UPDATE audit_actions SET status = 'closed', updated_on = ?2, closed_on = ?2, "
        "closed_by = ?3, closed_idx = ?4 WHERE action_id = ?1",
    [CW_Q_AUDIT_ACTIONS_OF] =
        "SELECT a.action_id, a.recommendation_id, r.number, a.number, a.text, a.owner_id, "
        "a.due, a.status, a.updated_on, a.completed_on, a.closed_on, a.closed_by FROM "
        "audit_actions a JOIN audit_recommendations r ON r.recommendation_id = "
        "a.recommendation_id WHERE a.programme_id = ?1 ORDER BY r.number, a.number",
    [CW_Q_AUDIT_ACTIONS_OPEN] =
        "SELECT a.action_id, a.programme_id, a.owner_id, a.due, a.status FROM audit_actions a "
        "JOIN audit_reports p ON p.programme_id = a.programme_id WHERE a.status <> 'closed' "
        "ORDER BY a.due, a.action_id",
    [CW_Q_AUDIT_REPORT_GET] =
        "SELECT programme_id, issued_on, issued_by, acknowledge_within, content_sha256, idx "
        "FROM audit_reports WHERE report_id = ?1",
    [CW_Q_AUDIT_REPORT_OF] =
        "SELECT report_id, issued_on, issued_by, acknowledge_within, content_sha256, idx FROM "
        "audit_reports WHERE programme_id = ?1",
    [CW_Q_AUDIT_REPORT_PUT] =
        "INSERT INTO audit_reports(report_id, programme_id, issued_on, issued_by, "
        "acknowledge_within, content_sha256, idx) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [CW_Q_AUDIT_REPORTS_ALL] =
        "SELECT report_id, programme_id, issued_on, issued_by, acknowledge_within, "
        "content_sha256, idx FROM audit_reports ORDER BY idx DESC",
    [CW_Q_AUDIT_RECIPIENT_PUT] =
        "INSERT INTO audit_recipients(report_id, staff_id) VALUES (?1, ?2)",
    [CW_Q_AUDIT_RECIPIENT_ACK] =
        "UPDATE audit_recipients SET acknowledged_on = ?3, acknowledged_idx = ?4 WHERE "
        "report_id = ?1 AND staff_id = ?2",
    [CW_Q_AUDIT_RECIPIENTS_OF] =
        "SELECT staff_id, acknowledged_on, acknowledged_idx FROM audit_recipients WHERE "
        "report_id = ?1 ORDER BY staff_id",
    [CW_Q_AUDIT_CASES_OPEN_COUNT] =
        "SELECT count(*) FROM audit_cases WHERE programme_id = ?1 AND completed_on IS NULL",
    [CW_Q_AUDIT_ACTIONS_COUNT] = "SELECT count(*) FROM audit_actions WHERE programme_id = ?1",
    [CW_Q_AUDIT_CASES_OF_CHILD] =
        "SELECT programme_id, how, auditor_id, moderator_id, completed_on, "
        "moderated_on, added_on FROM audit_cases WHERE child_id = ?1 ORDER BY added_on, "
        "programme_id",
    [CW_Q_IMPROVE_PUT] = "INSERT INTO improve_entries(idx, type) VALUES (?1, ?2)",
    [CW_Q_IMPROVE_ENTRIES] = "SELECT e.idx, e.leaf FROM improve_entries i JOIN entries e ON "
                             "e.idx = i.idx WHERE i.idx < ?1 ORDER BY i.idx",
};

#define MAX_COLUMNS 32 /* the widest named query, CW_Q_CHILD_RECORD, has 18 */

typedef struct sqlite_store {
    cw_store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];
    sqlite3_stmt *named_stmt[CW_Q_COUNT]; /* prepared on first use */
    char *scratch_path;                   /* a scratch store's file until it is unlinked */
    int scratch;                          /* a scratch store (cw_store_open_scratch) */
    int erased; /* personal data was erased in the open transaction: empty the WAL after it */
} sqlite_store;

/*
 * The error of the statement that just failed. A full disk (SQLITE_FULL) and an I/O error
 * (SQLITE_IOERR) are storage faults: CW_EUNAVAIL, counted (store.h). SQLite has rolled the
 * transaction back, or leaves it for the caller to; either way nothing of it is committed.
 */
/* A writer's wait for the log's tail (cw_store_set_write_wait). */
static int write_wait(const sqlite_store *s)
{
    return s->base.write_wait_ms ? s->base.write_wait_ms : WRITE_WAIT_MS;
}

static cw_rc fail(sqlite_store *s, cw_error *err, const char *what)
{
    int code = sqlite3_errcode(s->db);
    /* The disk's faults: full; an I/O error; a file that can no longer be opened (a mount
     * lost) or written by a connection opened to write (a file system remounted read-only). */
    cw_store_fault fault =
        code == SQLITE_FULL ? CW_STORE_FAULT_FULL
        : code == SQLITE_IOERR || code == SQLITE_CANTOPEN ||
                (code == SQLITE_READONLY && sqlite3_db_readonly(s->db, "main") == 0)
            ? CW_STORE_FAULT_IO
            : CW_STORE_FAULT_NONE;
    cw_rc rc = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? CW_EBUSY
               : code == SQLITE_NOMEM                         ? CW_ENOMEM
               : code == SQLITE_TOOBIG                        ? CW_ETOOBIG
               : fault                                        ? CW_EUNAVAIL
                                                              : CW_EDB;
    if (fault) {
        cw_store_note_fault(fault);
        return cw_error_set(err, rc, "database: %s: %s (%s)", what, cw_store_fault_text(fault),
                            sqlite3_errmsg(s->db));
    }
    return cw_error_set(err, rc, "database: %s: %s", what, sqlite3_errmsg(s->db));
}

static sqlite3_stmt *stmt(sqlite_store *s, int q)
{
    sqlite3_stmt *st = s->stmt[q];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Runs a statement that returns no rows. */
static cw_rc exec_stmt(sqlite_store *s, sqlite3_stmt *st, const char *what, cw_error *err)
{
    int r = sqlite3_step(st);
    cw_rc rc = (r == SQLITE_DONE) ? CW_OK : fail(s, err, what);
    sqlite3_reset(st);
    return rc;
}

static void s_close(cw_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (int i = 0; i < CW_Q_COUNT; i++)
        sqlite3_finalize(s->named_stmt[i]);
    sqlite3_close(s->db);
    if (s->scratch_path)
        unlink(s->scratch_path);
    free(s->scratch_path);
    free(s);
}

static cw_rc s_begin(cw_store *base, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_busy_timeout(s->db, write_wait(s));
    return exec_stmt(s, stmt(s, Q_BEGIN), "begin", err);
}

/* A read transaction: SQLite takes its snapshot at the first read and keeps it to the end. */
static cw_rc s_begin_read(cw_store *base, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    return exec_stmt(s, stmt(s, Q_BEGIN_READ), "begin", err);
}

/*
 * After a transaction that erased personal data: the write-ahead log is copied into the
 * database and truncated to nothing, so that no earlier copy of an erased page is left in the
 * -wal file (secure_delete has overwritten the freed bytes in the new copies). A reader's open
 * snapshot can stop the truncation; the erasure stands, and the WAL is recycled later.
 */
static void empty_wal(sqlite_store *s)
{
    s->erased = 0;
    /* Without waiting: a TRUNCATE checkpoint waits for every reader (a backup, a verify, an
     * export) and keeps other writers out while it does, and this connection's wait is a
     * writer's (two minutes). A reader in the way leaves the WAL to be recycled later. */
    sqlite3_busy_timeout(s->db, 0);
    sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(s->db, write_wait(s));
}

static cw_rc s_commit(cw_store *base, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    cw_rc rc = exec_stmt(s, stmt(s, Q_COMMIT), "commit", err);
    if (!rc && s->erased)
        empty_wal(s);
    return rc;
}

static void s_rollback(cw_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    s->erased = 0;
    if (!sqlite3_get_autocommit(s->db)) /* a transaction is open */
        exec_stmt(s, stmt(s, Q_ROLLBACK), "rollback", NULL);
}

static cw_rc s_meta_get(cw_store *base, const char *key, cw_buf *value, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_META_GET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    cw_rc rc;
    if (r == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        rc = cw_buf_add(value, p ? p : "", (size_t)sqlite3_column_bytes(st, 0));
        if (rc)
            cw_error_set(err, rc, "database: meta %s: %s", key, cw_rc_str(rc));
    } else if (r == SQLITE_DONE) {
        rc = cw_error_set(err, CW_ENOTFOUND, "database: setting %s is missing", key);
    } else {
        rc = fail(s, err, "reading settings");
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_meta_put(cw_store *base, const char *key, const char *value, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_META_PUT);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return exec_stmt(s, st, "writing settings", err);
}

static cw_rc s_entries_end(cw_store *base, uint64_t *end, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_ENTRIES_END);
    int r = sqlite3_step(st);
    cw_rc rc = CW_OK;
    if (r != SQLITE_ROW) {
        rc = fail(s, err, "reading the log size");
    } else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        *end = 0;
    } else {
        int64_t max = sqlite3_column_int64(st, 0);
        if (max < 0)
            rc =
                cw_error_set(err, CW_EDB, "database: entry index %lld is negative", (long long)max);
        else
            *end = (uint64_t)max + 1;
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_entry_put(cw_store *base, uint64_t idx, const uint8_t *hashes, size_t hlen,
                         const void *leaf, size_t llen, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_ENTRY_PUT);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 2, hashes, (int)hlen, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, leaf, (int)llen, SQLITE_STATIC);
    return exec_stmt(s, st, "appending an entry", err);
}

static cw_rc s_entry_hashes(cw_store *base, uint64_t idx, uint8_t *out, size_t cap, size_t *len,
                            cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_ENTRY_HASHES);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    int r = sqlite3_step(st);
    cw_rc rc = CW_OK;
    if (r == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (n > cap)
            n = cap;
        if (n)
            memcpy(out, p, n);
        *len = n;
    } else if (r == SQLITE_DONE) {
        rc = cw_error_set(err, CW_ENOTFOUND, "entry %llu is not in the log",
                          (unsigned long long)idx);
    } else {
        rc = fail(s, err, "reading a tree node");
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_entry_leaf(cw_store *base, uint64_t idx, cw_buf *leaf, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_ENTRY_LEAF);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    int r = sqlite3_step(st);
    cw_rc rc = CW_OK;
    if (r == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        rc = cw_buf_add(leaf, p ? p : "", (size_t)sqlite3_column_bytes(st, 0));
        if (rc)
            cw_error_set(err, rc, "entry %llu: %s", (unsigned long long)idx, cw_rc_str(rc));
    } else if (r == SQLITE_DONE) {
        rc = cw_error_set(err, CW_ENOTFOUND, "entry %llu is not in the log",
                          (unsigned long long)idx);
    } else {
        rc = fail(s, err, "reading an entry");
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_entry_scan(cw_store *base, int64_t from, int64_t to, cw_store_entry_fn fn, void *ctx,
                          cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    /* A scan may run while another scan's statement is busy (nested reads), so
     * it prepares its own statement. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, queries[Q_ENTRY_SCAN], -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, "scanning entries");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    cw_rc rc = CW_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *h = sqlite3_column_blob(st, 1);
        size_t hl = (size_t)sqlite3_column_bytes(st, 1);
        const uint8_t *l = sqlite3_column_blob(st, 2);
        size_t ll = (size_t)sqlite3_column_bytes(st, 2);
        if ((rc = fn(ctx, sqlite3_column_int64(st, 0), h ? h : (const uint8_t *)"", hl,
                     l ? l : (const uint8_t *)"", ll)))
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = fail(s, err, "scanning entries");
    sqlite3_finalize(st);
    return rc;
}

static cw_rc s_checkpoint_put(cw_store *base, uint64_t size, const char *note, size_t len,
                              cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_CHECKPOINT_PUT);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, note, (int)len, SQLITE_STATIC);
    return exec_stmt(s, st, "storing a checkpoint", err);
}

static cw_rc s_personal_put(cw_store *base, uint64_t idx, const uint8_t *salt, size_t salt_len,
                            const void *body, size_t body_len, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_PERSONAL_PUT);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 2, salt, (int)salt_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, body, (int)body_len, SQLITE_STATIC);
    return exec_stmt(s, st, "storing personal data", err);
}

static cw_rc s_personal_get(cw_store *base, uint64_t idx, cw_buf *salt, cw_buf *body,
                            cw_personal_state *state, uint64_t *erased_idx, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_PERSONAL_GET);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    int r = sqlite3_step(st);
    cw_rc rc = CW_OK;
    *state = CW_PERSONAL_ABSENT;
    *erased_idx = 0;
    if (r == SQLITE_ROW && sqlite3_column_type(st, 2) != SQLITE_NULL) {
        *state = CW_PERSONAL_ERASED;
        *erased_idx = (uint64_t)sqlite3_column_int64(st, 2);
    } else if (r == SQLITE_ROW) {
        const void *sp = sqlite3_column_blob(st, 0), *bp = sqlite3_column_blob(st, 1);
        *state = CW_PERSONAL_HELD;
        rc = cw_buf_add(salt, sp ? sp : "", (size_t)sqlite3_column_bytes(st, 0));
        if (!rc)
            rc = cw_buf_add(body, bp ? bp : "", (size_t)sqlite3_column_bytes(st, 1));
        if (rc)
            cw_error_set(err, rc, "personal data of entry %llu: %s", (unsigned long long)idx,
                         cw_rc_str(rc));
    } else if (r != SQLITE_DONE) {
        rc = fail(s, err, "reading personal data");
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_personal_scan(cw_store *base, cw_store_personal_fn fn, void *ctx, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = NULL; /* its own statement: fn may read the store */
    if (sqlite3_prepare_v2(s->db, queries[Q_PERSONAL_SCAN], -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, "scanning personal data");
    cw_rc rc = CW_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *sp = sqlite3_column_blob(st, 1), *bp = sqlite3_column_blob(st, 2);
        int erased = sqlite3_column_type(st, 3) != SQLITE_NULL;
        if ((rc = fn(ctx, (uint64_t)sqlite3_column_int64(st, 0), erased ? NULL : sp,
                     (size_t)sqlite3_column_bytes(st, 1), erased ? NULL : bp,
                     (size_t)sqlite3_column_bytes(st, 2),
                     erased ? (uint64_t)sqlite3_column_int64(st, 3) : 0)))
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = fail(s, err, "scanning personal data");
    sqlite3_finalize(st);
    return rc;
}

static cw_rc s_personal_erase(cw_store *base, uint64_t idx, uint64_t erased_idx, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_PERSONAL_ERASE);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)erased_idx);
    cw_rc rc = exec_stmt(s, st, "erasing personal data", err);
    s->erased |= !rc;
    if (!rc && sqlite3_changes64(s->db) == 0)
        rc = cw_error_set(err, CW_ENOTFOUND, "entry %llu has no personal data to erase",
                          (unsigned long long)idx);
    return rc;
}

static cw_rc s_checkpoint_latest(cw_store *base, cw_buf *note, uint64_t *size, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_CHECKPOINT_LATEST);
    int r = sqlite3_step(st);
    cw_rc rc = CW_OK;
    if (r == SQLITE_ROW) {
        *size = (uint64_t)sqlite3_column_int64(st, 0);
        const void *p = sqlite3_column_blob(st, 1);
        rc = cw_buf_add(note, p ? p : "", (size_t)sqlite3_column_bytes(st, 1));
    } else if (r == SQLITE_DONE) {
        rc = cw_error_set(err, CW_ENOTFOUND, "the log has no checkpoint");
    } else {
        rc = fail(s, err, "reading the latest checkpoint");
    }
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_checkpoint_scan(cw_store *base, int64_t from, int64_t to, cw_store_checkpoint_fn fn,
                               void *ctx, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, Q_CHECKPOINT_SCAN);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    cw_rc rc = CW_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_blob(st, 1);
        if ((rc = fn(ctx, sqlite3_column_int64(st, 0), p ? p : "",
                     (size_t)sqlite3_column_bytes(st, 1))))
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = fail(s, err, "reading checkpoints");
    sqlite3_reset(st);
    return rc;
}

static cw_rc s_run(cw_store *base, cw_query q, const cw_value *params, size_t nparams,
                   cw_store_row_fn fn, void *ctx, int64_t *changes, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    if ((unsigned)q >= CW_Q_COUNT)
        return cw_error_set(err, CW_EINVAL, "database: no such query");
    sqlite3_stmt *st = s->named_stmt[q];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, named[q], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK)
            return fail(s, err, "preparing a query");
        s->named_stmt[q] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (size_t i = 0; i < nparams; i++) {
        int k = (int)i + 1;
        if (params[i].type == CW_V_INT)
            sqlite3_bind_int64(st, k, params[i].i);
        else if (params[i].type == CW_V_TEXT)
            sqlite3_bind_text(st, k, params[i].s, (int)params[i].len, SQLITE_STATIC);
        else if (params[i].type == CW_V_BLOB)
            sqlite3_bind_blob(st, k, params[i].s, (int)params[i].len, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, k);
    }
    cw_rc rc = CW_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn)
            continue;
        cw_value cols[MAX_COLUMNS];
        int n = sqlite3_column_count(st);
        if (n > MAX_COLUMNS)
            n = MAX_COLUMNS;
        for (int c = 0; c < n; c++) {
            int t = sqlite3_column_type(st, c);
            cols[c] = CW_NULL;
            if (t == SQLITE_INTEGER) {
                cols[c].type = CW_V_INT;
                cols[c].i = sqlite3_column_int64(st, c);
            } else if (t == SQLITE_BLOB) {
                cols[c].type = CW_V_BLOB;
                cols[c].s = sqlite3_column_blob(st, c);
                cols[c].len = (size_t)sqlite3_column_bytes(st, c);
                if (!cols[c].s)
                    cols[c].s = "";
            } else if (t != SQLITE_NULL) {
                cols[c].type = CW_V_TEXT;
                cols[c].s = (const char *)sqlite3_column_text(st, c);
                cols[c].len = (size_t)sqlite3_column_bytes(st, c);
                if (!cols[c].s)
                    cols[c].s = "";
            }
        }
        if ((rc = fn(ctx, cols, (size_t)n)))
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = fail(s, err, "running a query");
    else if (!rc && changes)
        *changes = sqlite3_changes64(s->db);
    sqlite3_reset(st);
    return rc;
}

/*
 * The tables that are not projections: the log's own, and the two that hold
 * what the log does not (password and token hashes, sign-in counters). Every
 * other table of the schema is a projection: cleared by rebuild, recreated by
 * replay, compared by deep verify. This is the only list.
 */
static const char *const not_projections[] = {"meta",       "entries",  "checkpoints", "accounts",
                                              "api_tokens", "personal", NULL};

static int is_projection(const char *table)
{
    for (const char *const *t = not_projections; *t; t++)
        if (!strcmp(*t, table))
            return 0;
    return 1;
}

/* The projection tables of schema "main", by name (each a malloc'd string; free with
 * free_names). */
static int projection_tables(sqlite3 *db, char ***out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int r = sqlite3_prepare_v2(db,
                               "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND "
                               "name NOT LIKE 'sqlite_%' ORDER BY name",
                               -1, &st, NULL);
    if (r != SQLITE_OK)
        return r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name || !is_projection(name))
            continue;
        char *copy = strdup(name);
        if (!copy || cw_array_grow(out, &cap, *n, sizeof **out)) {
            free(copy);
            r = SQLITE_NOMEM;
            break;
        }
        (*out)[(*n)++] = copy;
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? SQLITE_OK : r;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static cw_rc s_projections_clear(cw_store *base, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    char **tables;
    size_t n;
    int r = projection_tables(s->db, &tables, &n);
    for (size_t i = 0; r == SQLITE_OK && i < n; i++) {
        /* Table names come from the schema, which the structure check holds to caseward's;
         * identifiers cannot be bound, so the name is quoted (%w) instead. */
        char *sql = sqlite3_mprintf("DELETE FROM main.\"%w\"", tables[i]);
        r = sql ? sqlite3_exec(s->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    free_names(tables, n);
    if (r != SQLITE_OK)
        return fail(s, err, "clearing projections");
    return CW_OK;
}

/* Appends "type name sql\n" for each schema object of db, in name order. */
static int schema_text(sqlite3 *db, cw_buf *out)
{
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db,
                               "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema "
                               "WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
                               -1, &st, NULL);
    if (r != SQLITE_OK)
        return r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (cw_buf_addf(out, "%s %s %s %s\n", sqlite3_column_text(st, 0),
                        sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                        sqlite3_column_text(st, 3))) {
            r = SQLITE_TOOBIG;
            break;
        }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? SQLITE_OK : r;
}

/* Is line (up to and including its '\n') one of the lines of text? */
static int has_line(const char *text, const char *line)
{
    size_t n = (size_t)(strchr(line, '\n') - line) + 1;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        if (!strncmp(p, line, n))
            return 1;
    return 0;
}

/* The first object caseward's schema has and the database lacks (or has
 * altered), else the first the database adds: "type name", for the message. */
static void first_difference(const cw_buf *have, const cw_buf *want, char *out, size_t n)
{
    const char *h = have->data ? have->data : "", *w = want->data ? want->data : "";
    const char *line = NULL;
    for (const char *p = w; *p && !line; p = strchr(p, '\n') + 1)
        if (!has_line(h, p))
            line = p;
    for (const char *p = h; *p && !line; p = strchr(p, '\n') + 1)
        if (!has_line(w, p))
            line = p;
    if (!line)
        line = "";
    const char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2)
        snprintf(out, n, "an object");
    else
        snprintf(out, n, "%.*s %.*s", (int)(sp1 - line), line, (int)(sp2 - sp1 - 1), sp1 + 1);
}

static cw_rc s_check_structure(cw_store *base, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3 *ref = NULL;
    cw_buf have = CW_BUF_INIT(1 << 20), want = CW_BUF_INIT(1 << 20);
    cw_rc rc = CW_OK;
    if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(ref, cw_schema_sqlite, NULL, NULL, NULL) != SQLITE_OK ||
        schema_text(ref, &want) != SQLITE_OK) {
        rc = cw_error_set(err, CW_EDB, "database: cannot build the reference schema");
    } else if (schema_text(s->db, &have) != SQLITE_OK) {
        rc = fail(s, err, "reading the schema");
    } else if (have.len != want.len || (have.len && memcmp(have.data, want.data, have.len))) {
        char what[160];
        first_difference(&have, &want, what, sizeof what);
        rc = cw_error_set(err, CW_EVERIFY,
                          "the database's structure is not caseward's: %s is missing, altered "
                          "or unexpected (were the insert-only triggers dropped?)",
                          what);
    }
    sqlite3_close(ref);
    cw_buf_release(&have);
    cw_buf_release(&want);
    return rc;
}

/* ---- deep verify: the read model compared with one rebuilt from the log ---- */

/*
 * Beside the projections, the columns of the tables that are not projections
 * but grant access, which the log records (the rest, hashes and counters, it
 * does not). The key comes first.
 */
static const struct logged_columns {
    const char *table;
    const char *const columns[6];
} logged[] = {
    {"accounts", {"username", "staff_id", "role", "disabled", "expires_on", NULL}},
    {"api_tokens", {"name", "username", "scope", "revoked", NULL}},
};

#define MAX_CMP_COLUMNS 32

typedef struct cmp_table {
    const char *name;
    char *cols[MAX_CMP_COLUMNS];
    size_t ncols;
    int key[MAX_CMP_COLUMNS]; /* the primary key's columns, by position in cols */
    size_t nkey;
} cmp_table;

static void cmp_table_release(cmp_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        sqlite3_free(t->cols[i]);
    t->ncols = t->nkey = 0;
}

/* Reads the table's columns and primary key from the scratch (caseward's own schema). */
static int cmp_table_load(sqlite3 *db, cmp_table *t, const char *const *only)
{
    sqlite3_stmt *st = NULL;
    int keypos[MAX_CMP_COLUMNS];
    int r = sqlite3_prepare_v2(
        db, "SELECT name, pk FROM pragma_table_info(?1, 'main') ORDER BY cid", -1, &st, NULL);
    if (r != SQLITE_OK)
        return r;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    memset(keypos, 0, sizeof keypos);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int pk = sqlite3_column_int(st, 1);
        int wanted = !only;
        for (const char *const *c = only; c && *c; c++)
            wanted |= !strcmp(*c, name);
        if (!wanted)
            continue;
        if (t->ncols == MAX_CMP_COLUMNS) {
            r = SQLITE_TOOBIG;
            break;
        }
        if (!(t->cols[t->ncols] = sqlite3_mprintf("%s", name))) {
            r = SQLITE_NOMEM;
            break;
        }
        if (pk > 0 && pk <= MAX_CMP_COLUMNS)
            keypos[pk - 1] = (int)t->ncols + 1;
        t->ncols++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return r;
    for (size_t k = 0; k < MAX_CMP_COLUMNS && keypos[k]; k++)
        t->key[t->nkey++] = keypos[k] - 1;
    if (!t->nkey) /* no declared key (none so far): every column, in order, is the key */
        for (size_t c = 0; c < t->ncols; c++)
            t->key[t->nkey++] = (int)c;
    return SQLITE_OK;
}

/* SELECT the columns FROM schema.table ORDER BY the key. Identifiers come from caseward's
 * own schema (the scratch's); they cannot be bound, so they are quoted (%w). */
static int cmp_prepare(sqlite3 *db, const cmp_table *t, const char *schema, sqlite3_stmt **st)
{
    sqlite3_str *q = sqlite3_str_new(db);
    sqlite3_str_appendall(q, "SELECT ");
    for (size_t c = 0; c < t->ncols; c++)
        sqlite3_str_appendf(q, "%s\"%w\"", c ? ", " : "", t->cols[c]);
    sqlite3_str_appendf(q, " FROM %s.\"%w\" ORDER BY ", schema, t->name);
    for (size_t k = 0; k < t->nkey; k++)
        sqlite3_str_appendf(q, "%s\"%w\"", k ? ", " : "", t->cols[t->key[k]]);
    char *sql = sqlite3_str_finish(q);
    if (!sql)
        return SQLITE_NOMEM;
    int r = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    sqlite3_free(sql);
    return r;
}

/* Orders two column values as SQLite's ORDER BY does with the BINARY collation. */
static int value_cmp(sqlite3_stmt *a, sqlite3_stmt *b, int c)
{
    static const int rank[] = {[SQLITE_NULL] = 0,
                               [SQLITE_INTEGER] = 1,
                               [SQLITE_FLOAT] = 1,
                               [SQLITE_TEXT] = 2,
                               [SQLITE_BLOB] = 3};
    int ta = sqlite3_column_type(a, c), tb = sqlite3_column_type(b, c);
    if (rank[ta] != rank[tb])
        return rank[ta] < rank[tb] ? -1 : 1;
    if (ta == SQLITE_NULL)
        return 0;
    if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
        sqlite3_int64 x = sqlite3_column_int64(a, c), y = sqlite3_column_int64(b, c);
        return (x > y) - (x < y);
    }
    if (rank[ta] == 1) {
        double x = sqlite3_column_double(a, c), y = sqlite3_column_double(b, c);
        return (x > y) - (x < y);
    }
    const void *pa =
        ta == SQLITE_TEXT ? (const void *)sqlite3_column_text(a, c) : sqlite3_column_blob(a, c);
    const void *pb =
        tb == SQLITE_TEXT ? (const void *)sqlite3_column_text(b, c) : sqlite3_column_blob(b, c);
    size_t la = (size_t)sqlite3_column_bytes(a, c), lb = (size_t)sqlite3_column_bytes(b, c);
    int m = la && lb ? memcmp(pa, pb, la < lb ? la : lb) : 0;
    return m ? (m < 0 ? -1 : 1) : (la > lb) - (la < lb);
}

/* Equal as stored: the same type and the same value (1 and 1.0 are not). */
static int value_same(sqlite3_stmt *a, sqlite3_stmt *b, int c)
{
    return sqlite3_column_type(a, c) == sqlite3_column_type(b, c) && value_cmp(a, b, c) == 0;
}

/* "name=value, ..." of the row's key: identifiers, printable ASCII only, each cut short. */
static void key_text(const cmp_table *t, sqlite3_stmt *st, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < t->nkey && len + 1 < cap; k++) {
        int c = t->key[k];
        char v[72];
        int type = sqlite3_column_type(st, c);
        if (type == SQLITE_INTEGER) {
            snprintf(v, sizeof v, "%lld", (long long)sqlite3_column_int64(st, c));
        } else if (type == SQLITE_TEXT) {
            const unsigned char *p = sqlite3_column_text(st, c);
            size_t n = (size_t)sqlite3_column_bytes(st, c), i = 0;
            for (; i < n && i < 64; i++)
                v[i] = p[i] > 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
            v[i] = '\0';
            if (n > 64)
                snprintf(v + 64, sizeof v - 64, "...");
        } else {
            snprintf(v, sizeof v, "(%s)", type == SQLITE_NULL ? "null" : "bytes");
        }
        int w = snprintf(out + len, cap - len, "%s%s=%s", k ? ", " : "", t->cols[c], v);
        if (w < 0)
            break;
        len += (size_t)w < cap - len ? (size_t)w : cap - len - 1;
    }
}

static cw_rc cmp_one(sqlite_store *s, cmp_table *t, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                     uint64_t *ndiff, cw_error *err)
{
    sqlite3_stmt *a = NULL, *b = NULL; /* a: rebuilt from the log; b: the live database */
    cw_rc rc = CW_OK;
    if (cmp_prepare(s->db, t, "main", &a) != SQLITE_OK ||
        cmp_prepare(s->db, t, "live", &b) != SQLITE_OK) {
        rc = cw_error_set(err, CW_EDB, "database: comparing table %s: %s", t->name,
                          sqlite3_errmsg(s->db));
        goto out;
    }
    int ra = sqlite3_step(a), rb = sqlite3_step(b);
    char key[320], what[320];
    /* Until both are done, or either fails: a side that failed (a read error) is not a side
     * that ended, whose missing rows would be differences. */
    while ((ra == SQLITE_ROW || rb == SQLITE_ROW) && (ra == SQLITE_ROW || ra == SQLITE_DONE) &&
           (rb == SQLITE_ROW || rb == SQLITE_DONE)) {
        int order = 0;
        if (ra != SQLITE_ROW)
            order = 1;
        else if (rb != SQLITE_ROW)
            order = -1;
        else
            for (size_t k = 0; k < t->nkey && !order; k++)
                order = value_cmp(a, b, t->key[k]);
        (*rows)++;
        if (order < 0) {
            key_text(t, a, key, sizeof key);
            fn(ctx, t->name, key, "is missing from the database");
            (*ndiff)++;
            ra = sqlite3_step(a);
        } else if (order > 0) {
            key_text(t, b, key, sizeof key);
            fn(ctx, t->name, key, "is in the database but not in the log");
            (*ndiff)++;
            rb = sqlite3_step(b);
        } else {
            size_t len = 0;
            what[0] = '\0';
            for (size_t c = 0; c < t->ncols; c++) {
                if (value_same(a, b, (int)c))
                    continue;
                int w = snprintf(what + len, sizeof what - len, "%s%s", len ? ", " : "differs (",
                                 t->cols[c]);
                if (w > 0 && (size_t)w < sizeof what - len)
                    len += (size_t)w;
            }
            if (len) {
                snprintf(what + len, sizeof what - len, ")");
                key_text(t, a, key, sizeof key);
                fn(ctx, t->name, key, what);
                (*ndiff)++;
            }
            ra = sqlite3_step(a);
            rb = sqlite3_step(b);
        }
    }
    if (ra != SQLITE_DONE || rb != SQLITE_DONE)
        rc = fail(s, err, "comparing a table");
out:
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    return rc;
}

static cw_rc s_compare_read_model(cw_store *base, cw_store_diff_fn fn, void *ctx, uint64_t *rows,
                                  uint64_t *ndiff, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    char **tables = NULL;
    size_t n = 0;
    cw_rc rc = CW_OK;
    *rows = *ndiff = 0;
    if (!s->scratch)
        return cw_error_set(err, CW_EUSAGE, "database: not a scratch store");
    if (projection_tables(s->db, &tables, &n) != SQLITE_OK)
        return fail(s, err, "listing the projection tables");
    for (size_t i = 0; !rc && i < n + sizeof logged / sizeof logged[0]; i++) {
        cmp_table t = {.name = i < n ? tables[i] : logged[i - n].table};
        if (cmp_table_load(s->db, &t, i < n ? NULL : logged[i - n].columns) != SQLITE_OK)
            rc = cw_error_set(err, CW_EDB, "database: reading the columns of %s: %s", t.name,
                              sqlite3_errmsg(s->db));
        else
            rc = cmp_one(s, &t, fn, ctx, rows, ndiff, err);
        cmp_table_release(&t);
    }
    free_names(tables, n);
    return rc;
}

static cw_rc s_versions(cw_store *base, int64_t *schema, int64_t *data, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    static const char *const sql[] = {"PRAGMA schema_version", "PRAGMA data_version"};
    int64_t *out[] = {schema, data};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        int r = sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL);
        if (r == SQLITE_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
            *out[i] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (r != SQLITE_ROW)
            return fail(s, err, "reading the database's version");
    }
    return CW_OK;
}

/*
 * VACUUM INTO, not the online backup API (sqlite3_backup_*): it is one statement in one read
 * transaction, so a writer committing meanwhile neither blocks it nor makes it start again (an
 * incremental backup restarts on every commit by another connection: under steady load it may
 * never finish), and it writes only the live rows, freshly packed: no free page, and so no
 * trace of erased personal data, goes into the copy. It costs the index rebuilding (CPU, not
 * the writers' time). The copy is then switched to rollback-journal mode, so that it is one
 * file that a reader opens without making a -wal or -shm beside it.
 */
static cw_rc s_snapshot(cw_store *base, const char *path, cw_error *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = NULL;
    sqlite3 *out = NULL;
    char *msg = NULL;
    if (s->scratch)
        return cw_error_set(err, CW_EUSAGE, "database: a scratch store has nothing to copy");
    /* A reader's connection is query_only; the copy it writes is another file. */
    if (sqlite3_exec(s->db, "PRAGMA query_only = 0", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "VACUUM main INTO ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, "copying the database");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    cw_rc rc = r == SQLITE_DONE ? CW_OK : fail(s, err, "copying the database");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (sqlite3_open_v2(path, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, &msg) != SQLITE_OK)
        rc = cw_error_set(err, CW_EDB, "%s: %s", path,
                          msg   ? msg
                          : out ? sqlite3_errmsg(out)
                                : "cannot open");
    sqlite3_free(msg);
    if (out && sqlite3_close(out) != SQLITE_OK && !rc)
        rc = cw_error_set(err, CW_EDB, "%s: cannot close the copy", path);
    return rc;
}

/* SQLite's unix VFS (os_unix.c): the first lock byte of a -shm file is at 120, after 22 words
 * of header, and the "dead man switch" after its 8 locks: every connection holds a shared lock
 * on it while it has the WAL index open, that is while it has the database open in WAL mode. */
#define SHM_DMS_BYTE ((22 + 8) * 4 + 8)

cw_rc cw_store_file_in_use(const char *path, int *in_use, cw_error *err)
{
    cw_buf shm = CW_BUF_INIT(4096 + 8);
    *in_use = 0;
    if (cw_buf_addf(&shm, "%s-shm", path))
        return cw_error_set(err, CW_ETOOBIG, "%s: the path is too long", path);
    int fd = open(shm.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cw_rc rc = CW_OK;
    if (fd < 0) {
        if (errno != ENOENT) /* no -shm: no connection in WAL mode has it open */
            rc = cw_error_set(err, CW_EIO, "%s: %s", shm.data, strerror(errno));
    } else {
        struct flock fl = {
            .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS_BYTE, .l_len = 1};
        if (fcntl(fd, F_GETLK, &fl) != 0)
            rc = cw_error_set(err, CW_EIO, "%s: %s", shm.data, strerror(errno));
        else
            *in_use = fl.l_type != F_UNLCK;
        close(fd);
    }
    cw_buf_release(&shm);
    return rc;
}

static const cw_store_ops sqlite_ops = {
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

static cw_rc pragma_int(sqlite_store *s, const char *sql, int *out, cw_error *err)
{
    sqlite3_stmt *st = NULL;
    cw_rc rc = CW_OK;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, "reading the file header");
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = fail(s, err, "reading the file header");
    sqlite3_finalize(st);
    return rc;
}

/*
 * Upgrades, each from the version before. Only projections and tables beside
 * the log have changed so far: the log's own tables are never touched. When
 * a projection's shape changed (2 -> 3, 5 -> 6, 6 -> 7: SQLite cannot drop a
 * NOT NULL in place, so the table is recreated) the projections are emptied, so that
 * the next write replays the whole log into them (cw_casework_begin catches
 * up) as `caseward rebuild` would; new tables simply start empty. The SQL must
 * leave exactly what schema_sqlite.sql creates; the structure check and the
 * tests compare them.
 */
static const char *const migrations[] = {
    [2] = "DROP INDEX child_events_by_idx; DROP TABLE child_events;"
          "CREATE TABLE child_events (\n"
          "    child_id TEXT NOT NULL,\n"
          "    idx      INTEGER NOT NULL,\n"
          "    date     TEXT NOT NULL,  -- effective date (payload date, else the recorded date)\n"
          "    type     TEXT NOT NULL,\n"
          "    PRIMARY KEY (child_id, idx)\n"
          ") STRICT, WITHOUT ROWID;"
          "CREATE INDEX child_events_by_idx ON child_events(idx);"
          "CREATE TABLE child_histories (\n"
          "    child_id TEXT NOT NULL,\n"
          "    seg      INTEGER NOT NULL,\n"
          "    events   BLOB NOT NULL,\n"
          "    PRIMARY KEY (child_id, seg)\n"
          ") STRICT, WITHOUT ROWID;",
    [3] =
        "CREATE TABLE accounts (\n"
        "    username     TEXT PRIMARY KEY,  -- sign-in name\n"
        "    staff_id     TEXT,              -- the member of staff it belongs to (role: "
        "staff.role)\n"
        "    role         TEXT,              -- for accounts that are not staff: administrator, "
        "qa_auditor,\n"
        "                                    -- inspector\n"
        "    password     TEXT NOT NULL,     -- argon2id hash (libsodium's string form), never the "
        "password\n"
        "    must_change  INTEGER NOT NULL,  -- 1: a one-time password: only changing it is "
        "allowed\n"
        "    disabled     INTEGER NOT NULL,  -- 1: may not sign in\n"
        "    expires_on   TEXT,              -- last day the account works (inspectors), or NULL\n"
        "    failed       INTEGER NOT NULL,  -- failed sign-ins since the last success\n"
        "    locked_until INTEGER NOT NULL,  -- unix ms before which sign-in is refused; 0 if not "
        "locked\n"
        "    created_at   TEXT NOT NULL      -- RFC 3339 UTC\n"
        ") STRICT;\n"
        "CREATE TABLE record_access (\n"
        "    idx      INTEGER PRIMARY KEY, -- the record_accessed entry\n"
        "    child_id TEXT,                -- the child, if the request was about one\n"
        "    actor    TEXT NOT NULL,       -- who asked (user:NAME)\n"
        "    what     TEXT NOT NULL,       -- the request, by route: GET /api/v1/children/{id}\n"
        "    allowed  INTEGER NOT NULL,    -- 1 shown or done, 0 refused\n"
        "    at       TEXT NOT NULL        -- when (the entry's recorded_at)\n"
        ") STRICT;\n"
        "CREATE INDEX record_access_by_child ON record_access(child_id, idx);\n",
    [4] = "CREATE TABLE api_tokens (\n"
          "    name       TEXT PRIMARY KEY,  -- what the token is for, e.g. 'nightly-return'\n"
          "    hash       TEXT NOT NULL UNIQUE, -- SHA-256 of the token, hex\n"
          "    username   TEXT NOT NULL,     -- the account it acts as\n"
          "    scope      TEXT NOT NULL,     -- read (GET routes only) or write\n"
          "    created_at TEXT NOT NULL,     -- RFC 3339 UTC\n"
          "    revoked    INTEGER NOT NULL   -- 1: refused from now on\n"
          ") STRICT;\n",
    [5] =
        "CREATE TABLE signoffs (\n"
        "    idx          INTEGER PRIMARY KEY, -- the entry of the work (assessment_completed, "
        "...)\n"
        "    child_id     TEXT,                -- the child it is about (NULL: a supervision of no "
        "case)\n"
        "    kind         TEXT NOT NULL,       -- assessment_completed | referral_decided | "
        "case_closed |\n"
        "                                      -- plan_recorded | cse_override | supervision_held\n"
        "    submitted_by TEXT NOT NULL,       -- who recorded the work (staff id)\n"
        "    submitted_on TEXT NOT NULL,       -- the day it was recorded (YYYY-MM-DD)\n"
        "    state        TEXT NOT NULL,       -- pending | signed_off | returned | claimed "
        "(signed off\n"
        "                                      -- as the entry itself says: history migrated from "
        "before)\n"
        "    decided_by   TEXT,                -- who signed it off or returned it (or the claimed "
        "signatory)\n"
        "    decided_on   TEXT,                -- the day they did\n"
        "    decided_idx  INTEGER              -- their work_signed_off / work_returned entry\n"
        ") STRICT;\n"
        "CREATE INDEX signoffs_by_state ON signoffs(state, submitted_by);\n"
        "CREATE TABLE deputies (\n"
        "    manager_id TEXT NOT NULL,    -- the manager deputised for\n"
        "    deputy_id  TEXT NOT NULL,    -- who may act in their place\n"
        "    until      TEXT NOT NULL,    -- the last day they may (YYYY-MM-DD)\n"
        "    idx        INTEGER NOT NULL, -- the entry that named them\n"
        "    PRIMARY KEY (manager_id, deputy_id)\n"
        ") STRICT;\n"
        "CREATE TABLE policy (\n"
        "    key   TEXT PRIMARY KEY, -- 'sign_off': the kinds of work that need a manager's "
        "sign-off\n"
        "    value TEXT NOT NULL,    -- comma-separated kinds\n"
        "    idx   INTEGER NOT NULL  -- the entry that set it\n"
        ") STRICT;\n",
    [6] =
        "DROP TABLE staff;\n"
        "DROP TABLE children;\n"
        "DROP TABLE corrections;\n"
        "CREATE TABLE staff (\n"
        "    staff_id   TEXT PRIMARY KEY,  -- the account / worker identifier\n"
        "    name       TEXT,              -- personal: NULL once erased, or replayed from facts "
        "only\n"
        "    role       TEXT NOT NULL,     -- social_worker, team_manager, ... (docs/events.md)\n"
        "    team_id    TEXT,              -- current team, if any\n"
        "    manager_id TEXT,              -- next step up the management chain, if any\n"
        "    left_on    TEXT,              -- date the person left; NULL while in post\n"
        "    idx        INTEGER NOT NULL   -- latest entry that changed the row\n"
        ") STRICT;\n"
        "CREATE TABLE children (\n"
        "    child_id           TEXT PRIMARY KEY,\n"
        "    given_name         TEXT,            -- personal: NULL once erased, or replayed from\n"
        "    family_name        TEXT,            -- facts only (as are ethnicity and address)\n"
        "    date_of_birth      TEXT NOT NULL,   -- YYYY-MM-DD\n"
        "    gender             TEXT NOT NULL,\n"
        "    ethnicity          TEXT,\n"
        "    language           TEXT NOT NULL,   -- english | welsh | other\n"
        "    address            TEXT,\n"
        "    restricted         INTEGER NOT NULL, -- 1: visible only to the staff in child_access\n"
        "    worker_id          TEXT,            -- allocated social worker, if any\n"
        "    case_status        TEXT NOT NULL,   -- open | closed\n"
        "    cp_category        TEXT,            -- CP register category while registered\n"
        "    cp_since           TEXT,            -- date registered; NULL when not on the "
        "register\n"
        "    looked_after_since TEXT,            -- NULL when not looked after\n"
        "    placement_id       TEXT,\n"
        "    placement_type     TEXT,\n"
        "    last_activity      TEXT,            -- latest effective date of any event about the "
        "child\n"
        "    idx                INTEGER NOT NULL -- entry that registered the child\n"
        ") STRICT;\n"
        "CREATE TABLE corrections (\n"
        "    idx      INTEGER PRIMARY KEY, -- the correction entry\n"
        "    corrects INTEGER NOT NULL,    -- the entry it corrects\n"
        "    reason   TEXT                 -- personal: NULL once erased, or replayed from facts "
        "only\n"
        ") STRICT;\n"
        "CREATE INDEX corrections_by_target ON corrections(corrects);\n"
        "CREATE TABLE personal (\n"
        "    idx        INTEGER PRIMARY KEY, -- the entry whose leaf commits to it\n"
        "    salt       BLOB,                -- 32 random bytes; NULL once erased\n"
        "    body       BLOB,                -- canonical JSON of the personal part; NULL once "
        "erased\n"
        "    erased_idx INTEGER              -- the erasure entry that destroyed it; NULL while "
        "held\n"
        ") STRICT;\n"
        "CREATE TRIGGER personal_erase_only BEFORE UPDATE ON personal\n"
        "WHEN NOT (NEW.idx = OLD.idx AND NEW.salt IS NULL AND NEW.body IS NULL\n"
        "          AND OLD.erased_idx IS NULL AND NEW.erased_idx IS NOT NULL)\n"
        "BEGIN\n"
        "    SELECT RAISE(ABORT, 'personal data can only be erased');\n"
        "END;\n"
        "CREATE TRIGGER personal_no_delete BEFORE DELETE ON personal\n"
        "BEGIN\n"
        "    SELECT RAISE(ABORT, 'personal data is erased, not deleted');\n"
        "END;\n"
        "CREATE TRIGGER personal_no_replace BEFORE INSERT ON personal\n"
        "WHEN EXISTS (SELECT 1 FROM personal WHERE idx = NEW.idx)\n"
        "BEGIN\n"
        "    SELECT RAISE(ABORT, 'personal data is erased, not replaced');\n"
        "END;\n",
    [7] = "CREATE TABLE legal_holds (\n"
          "    hold_id    TEXT PRIMARY KEY,  -- the council's identifier for the hold\n"
          "    child_id   TEXT,              -- the child it covers; NULL: every child of the "
          "council\n"
          "    kind       TEXT NOT NULL,     -- litigation | inquiry | complaint | "
          "police_investigation | other\n"
          "    placed_on  TEXT NOT NULL,     -- the hold's date (YYYY-MM-DD)\n"
          "    until      TEXT,              -- the last day it holds, if it was set to lapse; "
          "NULL: until lifted\n"
          "    idx        INTEGER NOT NULL,  -- the legal_hold_placed entry\n"
          "    lifted_on  TEXT,              -- the day it was lifted; NULL while in force\n"
          "    lifted_idx INTEGER            -- the legal_hold_lifted entry\n"
          ") STRICT;\n"
          "CREATE INDEX legal_holds_by_child ON legal_holds(child_id);\n",
    [8] = /* the accounts' chosen language: the table made again as a new database has it */
    "CREATE TEMP TABLE accounts_before AS SELECT * FROM accounts;\n"
    "DROP TABLE accounts;\n"
    "CREATE TABLE accounts (\n"
    "    username     TEXT PRIMARY KEY,  -- sign-in name\n"
    "    staff_id     TEXT,              -- the member of staff it belongs to (role: staff.role)\n"
    "    role         TEXT,              -- for accounts that are not staff: administrator, "
    "qa_auditor,\n"
    "                                    -- inspector\n"
    "    password     TEXT NOT NULL,     -- argon2id hash (libsodium's string form), never the "
    "password\n"
    "    must_change  INTEGER NOT NULL,  -- 1: a one-time password: only changing it is allowed\n"
    "    disabled     INTEGER NOT NULL,  -- 1: may not sign in\n"
    "    expires_on   TEXT,              -- last day the account works (inspectors), or NULL\n"
    "    failed       INTEGER NOT NULL,  -- failed sign-ins since the last success\n"
    "    locked_until INTEGER NOT NULL,  -- unix ms before which sign-in is refused; 0 if not "
    "locked\n"
    "    created_at   TEXT NOT NULL,     -- RFC 3339 UTC\n"
    "    language     TEXT               -- en | cy: the language of its pages and the server's\n"
    "                                    -- messages, as the user chose (account_changed); NULL\n"
    "                                    -- until they choose\n"
    ") STRICT;\n"
    "INSERT INTO accounts SELECT *, NULL FROM accounts_before;\n"
    "DROP TABLE accounts_before;\n",
    [9] = /* the family's language (the Active Offer): the children projection made again and
           * filled from the log */
    "DROP TABLE children;\n"
    "CREATE TABLE children (\n"
    "    child_id           TEXT PRIMARY KEY,\n"
    "    given_name         TEXT,            -- personal: NULL once erased, or replayed from\n"
    "    family_name        TEXT,            -- facts only (as are ethnicity and address)\n"
    "    date_of_birth      TEXT NOT NULL,   -- YYYY-MM-DD\n"
    "    gender             TEXT NOT NULL,\n"
    "    ethnicity          TEXT,\n"
    "    language           TEXT NOT NULL,   -- english | welsh | other\n"
    "    family_language    TEXT,            -- the family's: english | welsh | other; NULL: not "
    "recorded\n"
    "    address            TEXT,\n"
    "    restricted         INTEGER NOT NULL, -- 1: visible only to the staff in child_access\n"
    "    worker_id          TEXT,            -- allocated social worker, if any\n"
    "    case_status        TEXT NOT NULL,   -- open | closed\n"
    "    cp_category        TEXT,            -- CP register category while registered\n"
    "    cp_since           TEXT,            -- date registered; NULL when not on the register\n"
    "    looked_after_since TEXT,            -- NULL when not looked after\n"
    "    placement_id       TEXT,\n"
    "    placement_type     TEXT,\n"
    "    last_activity      TEXT,            -- latest effective date of any event about the "
    "child\n"
    "    idx                INTEGER NOT NULL -- entry that registered the child\n"
    ") STRICT;\n",
};

/*
 * Migrations whose SQL is longer than the longest string C promises (4095 bytes): its parts, run
 * in order after migrations[v] (where there is one), in the same transaction.
 */
static const char *const audit_tables[] = {
    "-- Case-file audits (docs/audits.md). A programme (audit_programme_created)\n"
    "-- names its framework's themes and grade scale as facts, so grades are checked\n"
    "-- and reports recomputed from the log alone.\n"
    "CREATE TABLE audit_programmes (\n"
    "    programme_id     TEXT PRIMARY KEY, -- the council's identifier for the programme\n"
    "    title            TEXT NOT NULL,    -- what it audits (a fact: never a child's details)\n"
    "    commissioned_by  TEXT NOT NULL,    -- staff id of who commissioned it\n"
    "    starts           TEXT NOT NULL,    -- first day of the programme (YYYY-MM-DD)\n"
    "    ends             TEXT NOT NULL,    -- last day: auditors see their cases until then\n"
    "    framework        TEXT NOT NULL,    -- the audit framework's id (standard, ofsted, ...)\n"
    "    framework_sha256 TEXT NOT NULL,    -- SHA-256 of the framework file, hex\n"
    "    themes           TEXT NOT NULL,    -- the themes graded, comma-separated, in order\n"
    "    grades           INTEGER NOT NULL, -- the scale: grades 1 (best) to this\n"
    "    critical         TEXT NOT NULL,    -- the grades that are a critical finding, "
    "comma-separated\n"
    "    area_manager_id  TEXT,             -- staff id told of each critical finding, if named\n"
    "    idx              INTEGER NOT NULL  -- the audit_programme_created entry\n"
    ") STRICT;\n"
    "\n"
    "-- The auditors of each programme.\n"
    "CREATE TABLE audit_auditors (\n"
    "    programme_id TEXT NOT NULL,\n"
    "    staff_id     TEXT NOT NULL,\n"
    "    PRIMARY KEY (programme_id, staff_id)\n"
    ") STRICT;\n"
    "\n"
    "-- Each sample drawn (audit_sample_drawn): enough to draw it again from the log.\n"
    "CREATE TABLE audit_samples (\n"
    "    idx          INTEGER PRIMARY KEY, -- the audit_sample_drawn entry\n"
    "    programme_id TEXT NOT NULL,\n"
    "    seed         TEXT NOT NULL,       -- the seed the keys are made from\n"
    "    log_size     INTEGER NOT NULL,    -- drawn from the record as entries 0..log_size-1 left "
    "it\n"
    "    size         INTEGER NOT NULL,    -- cases asked for\n"
    "    minimum      INTEGER NOT NULL,    -- cases at least from each team and case type\n"
    "    drawn_on     TEXT NOT NULL        -- the day it was drawn\n"
    ") STRICT;\n"
    "\n",
    "-- The cases of each programme, drawn or added by hand, and how far each audit is.\n"
    "CREATE TABLE audit_cases (\n"
    "    programme_id    TEXT NOT NULL,\n"
    "    child_id        TEXT NOT NULL,\n"
    "    auditor_id      TEXT NOT NULL,    -- who audits it (staff id)\n"
    "    how             TEXT NOT NULL,    -- drawn | added\n"
    "    added_on        TEXT NOT NULL,    -- the day it was drawn or added\n"
    "    idx             INTEGER NOT NULL, -- the audit_sample_drawn or audit_case_added entry\n"
    "    team_id         TEXT,             -- the allocated worker's team when it was added, if "
    "any\n"
    "    completed_on    TEXT,             -- the day the audit was completed; NULL until then\n"
    "    overall         INTEGER,          -- the auditor's overall grade\n"
    "    completed_idx   INTEGER,          -- the case_audit_completed entry\n"
    "    moderator_id    TEXT,             -- who moderated it, once completed\n"
    "    moderated_on    TEXT,\n"
    "    moderated_overall INTEGER,        -- the moderator's overall grade\n"
    "    moderated_idx   INTEGER,\n"
    "    PRIMARY KEY (programme_id, child_id)\n"
    ") STRICT;\n"
    "CREATE INDEX audit_cases_by_child ON audit_cases(child_id, added_on);\n"
    "CREATE INDEX audit_cases_by_auditor ON audit_cases(auditor_id);\n"
    "\n"
    "-- Each theme's grade for a case: the latest the auditor (pass 'audit') or the\n"
    "-- moderator ('moderation') gave, until the audit or moderation is completed.\n"
    "CREATE TABLE audit_grades (\n"
    "    programme_id TEXT NOT NULL,\n"
    "    child_id     TEXT NOT NULL,\n"
    "    pass         TEXT NOT NULL,    -- audit | moderation\n"
    "    theme        TEXT NOT NULL,\n"
    "    grade        INTEGER NOT NULL, -- 1 (best) .. the scale; 0: not applicable\n"
    "    graded_by    TEXT NOT NULL,    -- staff id\n"
    "    graded_on    TEXT NOT NULL,\n"
    "    idx          INTEGER NOT NULL, -- the audit_theme_graded entry\n"
    "    PRIMARY KEY (programme_id, child_id, pass, theme)\n"
    ") STRICT;\n"
    "\n"
    "-- Critical findings: a completed audit with a critical grade (a theme's or the\n"
    "-- overall), and the action the case's managers recorded.\n"
    "CREATE TABLE audit_findings (\n"
    "    programme_id TEXT NOT NULL,\n"
    "    child_id     TEXT NOT NULL,\n"
    "    found_on     TEXT NOT NULL,    -- the day the audit was completed\n"
    "    idx          INTEGER NOT NULL, -- the case_audit_completed entry\n"
    "    actioned_on  TEXT,             -- the day the action taken was recorded; NULL until then\n"
    "    actioned_by  TEXT,             -- staff id\n"
    "    actioned_idx INTEGER,          -- the critical_finding_actioned entry\n"
    "    PRIMARY KEY (programme_id, child_id)\n"
    ") STRICT;\n",
    "-- A programme's recommendations (audit_recommendation_made), numbered in the order made, "
    "each\n"
    "-- with its improvement points: actions with an owner and a due date (audit_action_set). "
    "Their\n"
    "-- words are facts about practice, naming no child.\n"
    "CREATE TABLE audit_recommendations (\n"
    "    recommendation_id TEXT PRIMARY KEY,\n"
    "    programme_id      TEXT NOT NULL,\n"
    "    number            INTEGER NOT NULL, -- 1, 2, ... within the programme\n"
    "    theme             TEXT,             -- the theme it answers, if one\n"
    "    text              TEXT NOT NULL,\n"
    "    idx               INTEGER NOT NULL  -- the audit_recommendation_made entry\n"
    ") STRICT;\n"
    "\n"
    "CREATE TABLE audit_actions (\n"
    "    action_id         TEXT PRIMARY KEY,\n"
    "    recommendation_id TEXT NOT NULL,\n"
    "    programme_id      TEXT NOT NULL,\n"
    "    number            INTEGER NOT NULL, -- 1, 2, ... within the recommendation (point 2.1, "
    "2.2)\n"
    "    text              TEXT NOT NULL,\n"
    "    owner_id          TEXT NOT NULL,    -- staff id: who must do it\n"
    "    due               TEXT NOT NULL,    -- the day it is due\n"
    "    status            TEXT NOT NULL,    -- open | in_progress | awaiting_sign_off | closed\n"
    "    idx               INTEGER NOT NULL, -- the audit_action_set entry\n"
    "    updated_on        TEXT,             -- the latest update, completion or return\n"
    "    completed_on      TEXT,             -- the owner's completion, with evidence (latest)\n"
    "    completed_idx     INTEGER,\n"
    "    closed_on         TEXT,             -- signed off by someone other than the owner\n"
    "    closed_by         TEXT,\n"
    "    closed_idx        INTEGER\n"
    ") STRICT;\n"
    "CREATE INDEX audit_actions_by_programme ON audit_actions(programme_id, status);\n"
    "\n"
    "-- Issued reports (audit_report_issued) and who must acknowledge them.\n"
    "CREATE TABLE audit_reports (\n"
    "    report_id          TEXT PRIMARY KEY,\n"
    "    programme_id       TEXT NOT NULL UNIQUE, -- one report per programme\n"
    "    issued_on          TEXT NOT NULL,\n"
    "    issued_by          TEXT NOT NULL,    -- staff id\n"
    "    acknowledge_within INTEGER NOT NULL, -- working days\n"
    "    content_sha256     TEXT NOT NULL,    -- SHA-256 of the report's content (docs/audits.md)\n"
    "    idx                INTEGER NOT NULL  -- the audit_report_issued entry\n"
    ") STRICT;\n"
    "\n"
    "CREATE TABLE audit_recipients (\n"
    "    report_id        TEXT NOT NULL,\n"
    "    staff_id         TEXT NOT NULL,\n"
    "    acknowledged_on  TEXT,             -- NULL until acknowledged\n"
    "    acknowledged_idx INTEGER,          -- the audit_report_acknowledged entry\n"
    "    PRIMARY KEY (report_id, staff_id)\n"
    ") STRICT;\n",
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
    "    idx  INTEGER PRIMARY KEY,  -- the entry's ledger index\n"
    "    type TEXT NOT NULL         -- its event type (improve_...)\n"
    ") STRICT;\n",
    NULL,
};
static const char *const *const migrations_more[] = {
    [10] = audit_tables, /* case-file audits (docs/audits.md): new tables, empty until audits are
                            recorded */
    [11] = improve_tables,
};

static cw_rc migrate(sqlite_store *s, const char *path, int *version, cw_error *err)
{
    char *msg = NULL;
    int from = *version;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    /* Only a change to the casework tables needs them refilled from the log; a new table
     * (accounts, tokens, the access log) starts empty and is filled as entries come. */
    int replay = 0;
    for (; *version < SCHEMA_VERSION; (*version)++) {
        replay |= *version == 2; /* 2 -> 3: child_events and child_histories changed */
        replay |= *version == 5; /* 5 -> 6: sign-off states, and the histories that read them */
        replay |= *version == 6; /* 6 -> 7: personal columns of children, staff, corrections
                                    made nullable (tables recreated) */
        replay |= *version == 9; /* 9 -> 10: children.family_language */
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", *version + 1);
        const char *one =
            (size_t)*version < sizeof migrations / sizeof *migrations ? migrations[*version] : NULL;
        const char *const *parts =
            (size_t)*version < sizeof migrations_more / sizeof *migrations_more
                ? migrations_more[*version]
                : NULL;
        if (one && sqlite3_exec(s->db, one, NULL, NULL, &msg) != SQLITE_OK)
            goto fail;
        for (size_t part = 0; parts && parts[part]; part++)
            if (sqlite3_exec(s->db, parts[part], NULL, NULL, &msg) != SQLITE_OK)
                goto fail;
        if (sqlite3_exec(s->db, pragma, NULL, NULL, &msg) != SQLITE_OK)
            goto fail;
    }
    if (replay && s_projections_clear(&s->base, err))
        goto rollback;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    return CW_OK;
fail:
    cw_error_set(err, CW_EDB, "%s: upgrading from schema version %d: %s", path, from,
                 msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
rollback:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    *version = from;
    return CW_EDB;
}

/*
 * Once, before SQLite initialises: no memory statistics. Keeping them takes a
 * process-wide lock on every allocation, which serialised the threads that
 * evaluate children in parallel (each with its own connection).
 */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused if already initialised: fine */
    cw_faultvfs_from_env(); /* tests only: storage faults on demand (faultvfs.h) */
}

static cw_rc setup(sqlite_store *s, const char *path, int flags, cw_error *err)
{
    char *msg = NULL;
    /* secure_delete: erased personal data (and anything else freed) is overwritten with
     * zeros, not left in free space. Set here, not left to how SQLite was compiled. */
    static const char pragmas_rw[] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                     "PRAGMA cache_size = -65536; PRAGMA secure_delete = ON;";
    static const char pragmas_ro[] = "PRAGMA query_only = 1; PRAGMA cache_size = -65536;"
                                     "PRAGMA mmap_size = 17179869184;";
    /* A writer waits its turn at the log's tail: another's batch (an import of a hundred
     * thousand lines takes seconds) must not make a valid batch fail as "locked". A reader,
     * in WAL mode, waits only for a moment's recovery. */
    sqlite3_busy_timeout(s->db, (flags & CW_STORE_READONLY) ? 5000 : WRITE_WAIT_MS);
    sqlite3_extended_result_codes(s->db, 0);

    if (flags & CW_STORE_CREATE) {
        if (sqlite3_exec(s->db,
                         "PRAGMA journal_mode = WAL; BEGIN;"
                         "PRAGMA application_id = " STR(
                             APPLICATION_ID) "; PRAGMA user_version = " STR(SCHEMA_VERSION) ";",
                         NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(s->db, cw_schema_sqlite, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            cw_error_set(err, CW_EDB, "database: creating the schema: %s",
                         msg ? msg : sqlite3_errmsg(s->db));
            sqlite3_free(msg);
            return CW_EDB;
        }
    }
    int app = 0, version = 0;
    cw_rc rc = pragma_int(s, "PRAGMA application_id", &app, err);
    if (rc) {
        cw_error_prefix(err, "%s: ", path);
        return rc;
    }
    if (app != APPLICATION_ID)
        return cw_error_set(err, CW_EDB, "%s is not a caseward database", path);
    if ((rc = pragma_int(s, "PRAGMA user_version", &version, err)))
        return rc;
    /* A writer upgrades an older caseward database in place; a reader asks for one. */
    if (version >= 2 && version < SCHEMA_VERSION && !(flags & CW_STORE_READONLY) &&
        (rc = migrate(s, path, &version, err)))
        return rc;
    if (version >= 2 && version < SCHEMA_VERSION)
        return cw_error_set(err, CW_EDB,
                            "%s has schema version %d; open it once for writing (for example "
                            "caseward rebuild) to upgrade it to version %d",
                            path, version, SCHEMA_VERSION);
    if (version != SCHEMA_VERSION)
        return cw_error_set(err, CW_EDB, "%s has schema version %d; this caseward reads version %d",
                            path, version, SCHEMA_VERSION);
    if (sqlite3_exec(s->db, (flags & CW_STORE_READONLY) ? pragmas_ro : pragmas_rw, NULL, NULL,
                     &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return fail(s, err, "setting up the connection");
    }
    int secure = 0;
    if (!(flags & CW_STORE_READONLY) &&
        ((rc = pragma_int(s, "PRAGMA secure_delete", &secure, err)) || secure != 1))
        return rc ? rc : cw_error_set(err, CW_EDB, "database: secure_delete could not be set");
    /* After the read-only pragmas, which map the file. */
    if ((flags & CW_STORE_NO_MMAP) &&
        sqlite3_exec(s->db, "PRAGMA mmap_size = 0;", NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return fail(s, err, "setting up the connection");
    }
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK)
            return fail(s, err, "preparing queries (is the database damaged?)");
    }
    return CW_OK;
}

cw_rc cw_store_sqlite_open(const char *path, int flags, cw_store **out, cw_error *err)
{
    *out = NULL;
    if (flags & CW_STORE_CREATE_UNCOMMITTED) /* a file made and then rolled back stays a file */
        return cw_error_set(err, CW_EUSAGE, "%s: a schema left uncommitted is for PostgreSQL only",
                            path);
    if (flags & CW_STORE_CREATE) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return cw_error_set(err, errno == EEXIST ? CW_EEXIST : CW_EIO, "%s: %s", path,
                                errno == EEXIST ? "already exists; refusing to overwrite it"
                                                : strerror(errno));
        close(fd);
    } else {
        struct stat st;
        if (stat(path, &st) != 0)
            return cw_error_set(err, errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                                errno == ENOENT ? "no such database" : strerror(errno));
        /* The data is about children: a writer insists on a private file.
         * Readers may open a copy (an inspector's) whatever its mode. */
        if (!(flags & CW_STORE_READONLY) && (st.st_mode & 077))
            return cw_error_set(err, CW_EINVAL,
                                "%s is readable by other users (mode %03o); run chmod 600 on it",
                                path, (unsigned)(st.st_mode & 0777));
    }
    pthread_once(&configured, configure_sqlite);
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    s->base.ops = &sqlite_ops;
    int oflags = (flags & CW_STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int code = s->db ? sqlite3_errcode(s->db) : SQLITE_CANTOPEN;
        cw_rc rc = code == SQLITE_FULL || code == SQLITE_IOERR
                       ? fail(s, err, path)
                       : cw_error_set(err, CW_EDB, "%s: %s", path,
                                      s->db ? sqlite3_errmsg(s->db) : "cannot open");
        s_close(&s->base);
        return rc;
    }
    cw_rc rc = setup(s, path, flags, err);
    if (rc) {
        s_close(&s->base);
        if (flags & CW_STORE_CREATE)
            unlink(path);
        return rc;
    }
    *out = &s->base;
    return CW_OK;
}

/* file: URI of path, read-only: every byte outside [A-Za-z0-9/._~-] percent-encoded. */
static cw_rc readonly_uri(const char *path, cw_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    cw_rc rc = cw_buf_addstr(out, "file:");
    for (const unsigned char *p = (const unsigned char *)path; !rc && *p; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("/._~-", *p);
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        rc = plain ? cw_buf_add(out, (const char *)p, 1) : cw_buf_add(out, esc, 3);
    }
    return rc ? rc : cw_buf_addstr(out, "?mode=ro");
}

/*
 * The scratch is a file, not memory: the rebuilt projections are about 200 MB
 * at 20,000 children and would be about 5 GB at the national size (500,000),
 * all of it resident if held in memory. A file with a bounded page cache
 * (128 MiB) keeps the process's memory bounded, and costs nothing measurable
 * in time (20,000 children: 12.2 s of CPU with the file, 12.5 s in memory, the
 * same with a 512 MiB cache): the replay's own work is the cost, not the
 * storage. The live database is read through a bounded cache too, not mapped,
 * so its size does not show in the resident memory. Nothing of the scratch
 * needs to survive a crash (no journal, no sync); it is created 0600 by
 * mkstemp and unlinked as soon as SQLite holds it open.
 */
static const char scratch_pragmas[] =
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA main.locking_mode = EXCLUSIVE;"
    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072; PRAGMA secure_delete = ON;";

cw_rc cw_store_sqlite_open_scratch(const char *live_path, cw_store **out, cw_error *err)
{
    *out = NULL;
    /* The live database must be a caseward database of this version, readable. */
    cw_store *check = NULL;
    cw_rc rc = live_path ? cw_store_sqlite_open(live_path, CW_STORE_READONLY, &check, err) : CW_OK;
    cw_store_close(check);
    if (rc)
        return rc;
    const char *dir = getenv("TMPDIR");
    cw_buf path = CW_BUF_INIT(4096), uri = CW_BUF_INIT(3 * 4096 + 16);
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(err, CW_ENOMEM, "out of memory");
    s->base.ops = &sqlite_ops;
    if ((rc = cw_buf_addf(&path, "%s/caseward-verify-XXXXXX", dir && *dir ? dir : "/tmp"))) {
        rc = cw_error_set(err, rc, "TMPDIR: the path is too long");
        goto fail;
    }
    int fd = mkstemp(path.data); /* mode 0600 */
    if (fd < 0) {
        rc = cw_error_set(err, CW_EIO, "%s: cannot create a scratch file: %s", path.data,
                          strerror(errno));
        goto fail;
    }
    close(fd);
    s->scratch_path = path.data; /* removed by s_close from here on */
    path.data = NULL;
    pthread_once(&configured, configure_sqlite);
    char *msg = NULL;
    if (sqlite3_open_v2(s->scratch_path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, scratch_pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, cw_schema_sqlite, NULL, NULL, &msg) != SQLITE_OK ||
        /* Without these in main, the log's tables are found in the attached live database. */
        (live_path && sqlite3_exec(s->db,
                                   "DROP TABLE meta; DROP TABLE entries; DROP TABLE "
                                   "checkpoints; DROP TABLE personal;",
                                   NULL, NULL, &msg) != SQLITE_OK)) {
        rc = cw_error_set(err, CW_EDB, "scratch database: %s",
                          msg     ? msg
                          : s->db ? sqlite3_errmsg(s->db)
                                  : "cannot open");
        sqlite3_free(msg);
        goto fail;
    }
    /* Open and locked (exclusive, no journal: SQLite opens no other file for it and never
     * reopens it), so the name can go now: nothing is left behind even if the process is
     * killed, and no other process can open it by name meanwhile. */
    unlink(s->scratch_path);
    free(s->scratch_path);
    s->scratch_path = NULL;
    s->scratch = 1;
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_extended_result_codes(s->db, 0);
    sqlite3_stmt *st = NULL;
    if (!live_path)
        goto prepare; /* a log of its own, filled by the caller (an export read back) */
    if ((rc = readonly_uri(live_path, &uri))) {
        rc = cw_error_set(err, rc, "%s: the path is too long", live_path);
        goto fail;
    }
    if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS live", -1, &st, NULL) != SQLITE_OK) {
        rc = fail(s, err, "attaching the database");
        goto fail;
    }
    sqlite3_bind_text(st, 1, uri.data, (int)uri.len, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE ||
        sqlite3_exec(s->db, "PRAGMA live.cache_size = -65536; PRAGMA live.mmap_size = 0;", NULL,
                     NULL, NULL) != SQLITE_OK) {
        rc = fail(s, err, "attaching the database");
        goto fail;
    }
prepare:
    for (int i = 0; i < Q_COUNT; i++)
        if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK) {
            rc = fail(s, err, "preparing queries");
            goto fail;
        }
    cw_buf_release(&uri);
    *out = &s->base;
    return CW_OK;
fail:
    cw_buf_release(&path);
    cw_buf_release(&uri);
    s_close(&s->base);
    return rc;
}
