-- caseward SQLite schema, version 10. Embedded into the binary at build time
-- (cmake/embed.cmake) and applied by `caseward init` in one transaction.
-- PRAGMA application_id = 0x63776431 ('cwd1') marks a caseward database and
-- PRAGMA user_version holds the schema version; both are set by the code.

-- Settings fixed when the log is created.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,  -- 'origin': the log's name (its checkpoint origin and key name)
                             -- 'vkey': the verifier key, c2sp vkey format
                             -- 'created_at': RFC 3339 UTC time of `caseward init`
                             -- 'rule_pack': the council's statutory rule pack (wales, england)
    value TEXT NOT NULL      -- the setting's value
) STRICT;

-- The ledger: one row per leaf of the RFC 6962 Merkle tree. Insert-only.
CREATE TABLE entries (
    idx    INTEGER PRIMARY KEY,  -- 0-based leaf index; contiguous from 0
    hashes BLOB NOT NULL,        -- 32-byte leaf hash, then the hashes of the perfect subtrees
                                 -- this leaf completes, levels 1..t where t = trailing zero
                                 -- bits of idx + 1 (so 32 * (1 + t) bytes; see ledger.h)
    leaf   BLOB NOT NULL         -- the leaf bytes: compact UTF-8 JSON, exactly as hashed and
                                 -- exported (see ledger/entry.h)
) STRICT;

CREATE TRIGGER entries_insert_only_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE refused');
END;

CREATE TRIGGER entries_insert_only_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE refused');
END;

-- INSERT OR REPLACE deletes the existing row without firing DELETE triggers
-- (unless recursive_triggers is on), so an insert over an existing index is
-- refused here, before conflict resolution runs.
CREATE TRIGGER entries_insert_only_replace BEFORE INSERT ON entries
WHEN EXISTS (SELECT 1 FROM entries WHERE idx = NEW.idx)
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only: REPLACE refused');
END;

-- Every signed checkpoint the log has issued, one per append batch. Insert-only.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,  -- tree size the checkpoint commits to
    note TEXT NOT NULL         -- the c2sp signed note (tlog-checkpoint body + signature)
) STRICT;

CREATE TRIGGER checkpoints_insert_only_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused');
END;

CREATE TRIGGER checkpoints_insert_only_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused');
END;

CREATE TRIGGER checkpoints_insert_only_replace BEFORE INSERT ON checkpoints
WHEN EXISTS (SELECT 1 FROM checkpoints WHERE size = NEW.size)
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: REPLACE refused');
END;

-- The personal part of an entry (names, addresses, free text), kept beside
-- its leaf rather than in it, with the salt that hides it: the leaf commits
-- to a salted hash of it, so it can be erased and the log still verifies.
-- Not a projection: the log cannot recreate it, so rebuild leaves it alone.
-- Erase-only: a row's salt and body can be set to NULL once, naming the
-- erasure entry, and never changed otherwise or deleted. Nothing writes rows
-- yet (schema version 7 prepares the storage; leaf version 2 will fill it).
CREATE TABLE personal (
    idx        INTEGER PRIMARY KEY, -- the entry whose leaf commits to it
    salt       BLOB,                -- 32 random bytes; NULL once erased
    body       BLOB,                -- canonical JSON of the personal part; NULL once erased
    erased_idx INTEGER              -- the erasure entry that destroyed it; NULL while held
) STRICT;

CREATE TRIGGER personal_erase_only BEFORE UPDATE ON personal
WHEN NOT (NEW.idx = OLD.idx AND NEW.salt IS NULL AND NEW.body IS NULL
          AND OLD.erased_idx IS NULL AND NEW.erased_idx IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'personal data can only be erased');
END;

CREATE TRIGGER personal_no_delete BEFORE DELETE ON personal
BEGIN
    SELECT RAISE(ABORT, 'personal data is erased, not deleted');
END;

-- As for entries: INSERT OR REPLACE would delete the held row without firing
-- the DELETE trigger, so an insert over an existing index is refused here.
CREATE TRIGGER personal_no_replace BEFORE INSERT ON personal
WHEN EXISTS (SELECT 1 FROM personal WHERE idx = NEW.idx)
BEGIN
    SELECT RAISE(ABORT, 'personal data is erased, not replaced');
END;

-- ---------------------------------------------------------------------------
-- Projections: the current state of the organisation and of each child's
-- case, derived from the ledger. They are caches: `caseward rebuild` drops
-- and recreates them by replaying every entry, and must give identical rows.
-- Every row names the ledger entry (idx) it came from.
-- ---------------------------------------------------------------------------

-- How far the projections have been brought up to date.
CREATE TABLE projection_state (
    key   TEXT PRIMARY KEY,  -- 'applied': number of ledger entries applied
    value INTEGER NOT NULL
) STRICT;

CREATE TABLE teams (
    team_id      TEXT PRIMARY KEY,  -- the council's team identifier
    name         TEXT NOT NULL,
    service_area TEXT,              -- e.g. 'Children in need', 'Looked after'
    idx          INTEGER NOT NULL   -- entry that created the team
) STRICT;

CREATE TABLE staff (
    staff_id   TEXT PRIMARY KEY,  -- the account / worker identifier
    name       TEXT,              -- personal: NULL once erased, or replayed from facts only
    role       TEXT NOT NULL,     -- social_worker, team_manager, ... (docs/events.md)
    team_id    TEXT,              -- current team, if any
    manager_id TEXT,              -- next step up the management chain, if any
    left_on    TEXT,              -- date the person left; NULL while in post
    idx        INTEGER NOT NULL   -- latest entry that changed the row
) STRICT;

CREATE TABLE children (
    child_id           TEXT PRIMARY KEY,
    given_name         TEXT,            -- personal: NULL once erased, or replayed from
    family_name        TEXT,            -- facts only (as are ethnicity and address)
    date_of_birth      TEXT NOT NULL,   -- YYYY-MM-DD
    gender             TEXT NOT NULL,
    ethnicity          TEXT,
    language           TEXT NOT NULL,   -- english | welsh | other
    family_language    TEXT,            -- the family's: english | welsh | other; NULL: not recorded
    address            TEXT,
    restricted         INTEGER NOT NULL, -- 1: visible only to the staff in child_access
    worker_id          TEXT,            -- allocated social worker, if any
    case_status        TEXT NOT NULL,   -- open | closed
    cp_category        TEXT,            -- CP register category while registered
    cp_since           TEXT,            -- date registered; NULL when not on the register
    looked_after_since TEXT,            -- NULL when not looked after
    placement_id       TEXT,
    placement_type     TEXT,
    last_activity      TEXT,            -- latest effective date of any event about the child
    idx                INTEGER NOT NULL -- entry that registered the child
) STRICT;

-- Staff named on a restricted record.
CREATE TABLE child_access (
    child_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    PRIMARY KEY (child_id, staff_id)
) STRICT;

-- Every identified piece of casework: contacts, referrals, assessments,
-- strategy discussions, section 47 enquiries, conferences, plans and
-- missing episodes.
CREATE TABLE records (
    record_id  TEXT PRIMARY KEY,  -- contact_id, referral_id, assessment_id, ...
    kind       TEXT NOT NULL,     -- contact | referral | assessment | strategy_discussion |
                                  -- section_47 | conference | plan | missing_episode
    child_id   TEXT NOT NULL,
    opened_on  TEXT NOT NULL,     -- date received / started / held
    closed_on  TEXT,              -- date decided / completed / returned, if it has been
    status     TEXT,              -- decision, outcome or kind, as the event gives it
    idx        INTEGER NOT NULL,  -- entry that opened it
    closed_idx INTEGER            -- entry that closed it
) STRICT;
CREATE INDEX records_by_child ON records(child_id, opened_on);

CREATE TABLE visits (
    idx            INTEGER PRIMARY KEY, -- the statutory_visit entry
    child_id       TEXT NOT NULL,
    date           TEXT NOT NULL,
    seen           INTEGER NOT NULL,
    seen_alone     INTEGER NOT NULL,
    views_recorded INTEGER NOT NULL     -- 1: the child's views; 0: a reason they were not obtained
) STRICT;
CREATE INDEX visits_by_child ON visits(child_id, date);

CREATE TABLE supervisions (
    idx           INTEGER PRIMARY KEY, -- the supervision_held entry
    supervisee_id TEXT NOT NULL,
    supervisor_id TEXT NOT NULL,
    date          TEXT NOT NULL
) STRICT;

CREATE TABLE supervision_cases (
    idx      INTEGER NOT NULL, -- the supervision_held entry
    child_id TEXT NOT NULL,    -- a case discussed
    PRIMARY KEY (idx, child_id)
) STRICT;
CREATE INDEX supervision_cases_by_child ON supervision_cases(child_id, idx);

-- Every entry about a child, with its effective date: the chronology.
CREATE TABLE child_events (
    child_id TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    date     TEXT NOT NULL,  -- effective date (payload date, else the recorded date)
    type     TEXT NOT NULL,
    PRIMARY KEY (child_id, idx)
) STRICT, WITHOUT ROWID;
-- Which children an entry is about (a correction looks this up for its target).
CREATE INDEX child_events_by_idx ON child_events(idx);

-- Each child's history as the rules engine reads it: every entry about the
-- child except caseward's escalations, in (date, idx) order, each payload
-- with its corrections applied and free text reduced to "present", in the
-- compact binary form described in src/util/facts.h. Kept in segments of
-- whole records (about 1 KB at most, so a row stays in its page): read in
-- seg order they make one history; putting an event in rewrites only the
-- segments from its own to the last (for the latest event, the last).
CREATE TABLE child_histories (
    child_id TEXT NOT NULL,
    seg      INTEGER NOT NULL,
    events   BLOB NOT NULL,
    PRIMARY KEY (child_id, seg)
) STRICT, WITHOUT ROWID;

CREATE TABLE corrections (
    idx      INTEGER PRIMARY KEY, -- the correction entry
    corrects INTEGER NOT NULL,    -- the entry it corrects
    reason   TEXT                 -- personal: NULL once erased, or replayed from facts only
) STRICT;
CREATE INDEX corrections_by_target ON corrections(corrects);

-- Escalations recorded (escalation_raised entries): each overdue obligation
-- or signal is escalated once per level of its ladder.
CREATE TABLE escalations (
    child_id    TEXT NOT NULL,
    item        TEXT NOT NULL,    -- the obligation or signal (rule id, start entry, due date)
    level       INTEGER NOT NULL, -- step of the rule's escalation ladder
    notified_id TEXT NOT NULL,    -- who was told
    as_of       TEXT NOT NULL,    -- the day it was raised for
    idx         INTEGER NOT NULL, -- the escalation_raised entry
    PRIMARY KEY (child_id, item, level)
) STRICT;

-- Work that needs a manager's sign-off (docs/events.md, "Sign-off"): one row
-- per entry recorded under a sign-off policy, or recorded with a sign-off
-- claimed in the entry itself (migrated history). The state is decided when
-- the entry is first applied and changed only by work_signed_off and
-- work_returned entries, so a child's re-projection reads it, never redecides it.
CREATE TABLE signoffs (
    idx          INTEGER PRIMARY KEY, -- the entry of the work (assessment_completed, ...)
    child_id     TEXT,                -- the child it is about (NULL: a supervision of no case)
    kind         TEXT NOT NULL,       -- assessment_completed | referral_decided | case_closed |
                                      -- plan_recorded | cse_override | supervision_held
    submitted_by TEXT NOT NULL,       -- who recorded the work (staff id)
    submitted_on TEXT NOT NULL,       -- the day it was recorded (YYYY-MM-DD)
    state        TEXT NOT NULL,       -- pending | signed_off | returned | claimed (signed off
                                      -- as the entry itself says: history migrated from before)
    decided_by   TEXT,                -- who signed it off or returned it (or the claimed signatory)
    decided_on   TEXT,                -- the day they did
    decided_idx  INTEGER              -- their work_signed_off / work_returned entry
) STRICT;
CREATE INDEX signoffs_by_state ON signoffs(state, submitted_by);

-- Named deputies (deputy_named entries): who may sign off in a manager's place, until when.
CREATE TABLE deputies (
    manager_id TEXT NOT NULL,    -- the manager deputised for
    deputy_id  TEXT NOT NULL,    -- who may act in their place
    until      TEXT NOT NULL,    -- the last day they may (YYYY-MM-DD)
    idx        INTEGER NOT NULL, -- the entry that named them
    PRIMARY KEY (manager_id, deputy_id)
) STRICT;

-- Settings recorded in the log (sign_off_policy entries): the latest wins.
CREATE TABLE policy (
    key   TEXT PRIMARY KEY, -- 'sign_off': the kinds of work that need a manager's sign-off
    value TEXT NOT NULL,    -- comma-separated kinds
    idx   INTEGER NOT NULL  -- the entry that set it
) STRICT;

-- Legal holds (legal_hold_placed, legal_hold_lifted entries; docs/privacy.md,
-- "Retention"): while a hold is in force, a child's record may not be destroyed
-- under the retention schedule or on a request for erasure. Facts only: the
-- reason for a hold is personal and stays in the log.
CREATE TABLE legal_holds (
    hold_id    TEXT PRIMARY KEY,  -- the council's identifier for the hold
    child_id   TEXT,              -- the child it covers; NULL: every child of the council
    kind       TEXT NOT NULL,     -- litigation | inquiry | complaint | police_investigation | other
    placed_on  TEXT NOT NULL,     -- the hold's date (YYYY-MM-DD)
    until      TEXT,              -- the last day it holds, if it was set to lapse; NULL: until lifted
    idx        INTEGER NOT NULL,  -- the legal_hold_placed entry
    lifted_on  TEXT,              -- the day it was lifted; NULL while in force
    lifted_idx INTEGER            -- the legal_hold_lifted entry
) STRICT;
CREATE INDEX legal_holds_by_child ON legal_holds(child_id);

-- Sign-in accounts (docs/api.md). Not a projection: password hashes are
-- never in the log, so rebuild leaves this table alone. Every change to an
-- account is also an entry in the log (account_created, account_changed,
-- password_set), without the hash, in the same transaction.
CREATE TABLE accounts (
    username     TEXT PRIMARY KEY,  -- sign-in name
    staff_id     TEXT,              -- the member of staff it belongs to (role: staff.role)
    role         TEXT,              -- for accounts that are not staff: administrator, qa_auditor,
                                    -- inspector
    password     TEXT NOT NULL,     -- argon2id hash (libsodium's string form), never the password
    must_change  INTEGER NOT NULL,  -- 1: a one-time password: only changing it is allowed
    disabled     INTEGER NOT NULL,  -- 1: may not sign in
    expires_on   TEXT,              -- last day the account works (inspectors), or NULL
    failed       INTEGER NOT NULL,  -- failed sign-ins since the last success
    locked_until INTEGER NOT NULL,  -- unix ms before which sign-in is refused; 0 if not locked
    created_at   TEXT NOT NULL,     -- RFC 3339 UTC
    language     TEXT               -- en | cy: the language of its pages and the server's
                                    -- messages, as the user chose (account_changed); NULL
                                    -- until they choose
) STRICT;

-- Every look at a child's record, and every refused request by someone
-- signed in (record_accessed entries): who, what, when, allowed or refused.
CREATE TABLE record_access (
    idx      INTEGER PRIMARY KEY, -- the record_accessed entry
    child_id TEXT,                -- the child, if the request was about one
    actor    TEXT NOT NULL,       -- who asked (user:NAME)
    what     TEXT NOT NULL,       -- the request, by route: GET /api/v1/children/{id}
    allowed  INTEGER NOT NULL,    -- 1 shown or done, 0 refused
    at       TEXT NOT NULL        -- when (the entry's recorded_at)
) STRICT;
CREATE INDEX record_access_by_child ON record_access(child_id, idx);

-- API tokens for system-to-system calls. Not a projection: only a hash of
-- each token is kept (the token is shown once, when it is made). Making and
-- revoking one are entries in the log (token_created, token_revoked).
CREATE TABLE api_tokens (
    name       TEXT PRIMARY KEY,  -- what the token is for, e.g. 'nightly-return'
    hash       TEXT NOT NULL UNIQUE, -- SHA-256 of the token, hex
    username   TEXT NOT NULL,     -- the account it acts as
    scope      TEXT NOT NULL,     -- read (GET routes only) or write
    created_at TEXT NOT NULL,     -- RFC 3339 UTC
    revoked    INTEGER NOT NULL   -- 1: refused from now on
) STRICT;

-- Case-file audits (docs/audits.md). A programme (audit_programme_created)
-- names its framework's themes and grade scale as facts, so grades are checked
-- and reports recomputed from the log alone.
CREATE TABLE audit_programmes (
    programme_id     TEXT PRIMARY KEY, -- the council's identifier for the programme
    title            TEXT NOT NULL,    -- what it audits (a fact: never a child's details)
    commissioned_by  TEXT NOT NULL,    -- staff id of who commissioned it
    starts           TEXT NOT NULL,    -- first day of the programme (YYYY-MM-DD)
    ends             TEXT NOT NULL,    -- last day: auditors see their cases until then
    framework        TEXT NOT NULL,    -- the audit framework's id (standard, ofsted, ...)
    framework_sha256 TEXT NOT NULL,    -- SHA-256 of the framework file, hex
    themes           TEXT NOT NULL,    -- the themes graded, comma-separated, in order
    grades           INTEGER NOT NULL, -- the scale: grades 1 (best) to this
    critical         TEXT NOT NULL,    -- the grades that are a critical finding, comma-separated
    area_manager_id  TEXT,             -- staff id told of each critical finding, if named
    idx              INTEGER NOT NULL  -- the audit_programme_created entry
) STRICT;

-- The auditors of each programme.
CREATE TABLE audit_auditors (
    programme_id TEXT NOT NULL,
    staff_id     TEXT NOT NULL,
    PRIMARY KEY (programme_id, staff_id)
) STRICT;

-- Each sample drawn (audit_sample_drawn): enough to draw it again from the log.
CREATE TABLE audit_samples (
    idx          INTEGER PRIMARY KEY, -- the audit_sample_drawn entry
    programme_id TEXT NOT NULL,
    seed         TEXT NOT NULL,       -- the seed the keys are made from
    log_size     INTEGER NOT NULL,    -- drawn from the record as entries 0..log_size-1 left it
    size         INTEGER NOT NULL,    -- cases asked for
    minimum      INTEGER NOT NULL,    -- cases at least from each team and case type
    drawn_on     TEXT NOT NULL        -- the day it was drawn
) STRICT;

-- The cases of each programme, drawn or added by hand, and how far each audit is.
CREATE TABLE audit_cases (
    programme_id    TEXT NOT NULL,
    child_id        TEXT NOT NULL,
    auditor_id      TEXT NOT NULL,    -- who audits it (staff id)
    how             TEXT NOT NULL,    -- drawn | added
    added_on        TEXT NOT NULL,    -- the day it was drawn or added
    idx             INTEGER NOT NULL, -- the audit_sample_drawn or audit_case_added entry
    team_id         TEXT,             -- the allocated worker's team when it was added, if any
    completed_on    TEXT,             -- the day the audit was completed; NULL until then
    overall         INTEGER,          -- the auditor's overall grade
    completed_idx   INTEGER,          -- the case_audit_completed entry
    moderator_id    TEXT,             -- who moderated it, once completed
    moderated_on    TEXT,
    moderated_overall INTEGER,        -- the moderator's overall grade
    moderated_idx   INTEGER,
    PRIMARY KEY (programme_id, child_id)
) STRICT;
CREATE INDEX audit_cases_by_child ON audit_cases(child_id, added_on);
CREATE INDEX audit_cases_by_auditor ON audit_cases(auditor_id);

-- Each theme's grade for a case: the latest the auditor (pass 'audit') or the
-- moderator ('moderation') gave, until the audit or moderation is completed.
CREATE TABLE audit_grades (
    programme_id TEXT NOT NULL,
    child_id     TEXT NOT NULL,
    pass         TEXT NOT NULL,    -- audit | moderation
    theme        TEXT NOT NULL,
    grade        INTEGER NOT NULL, -- 1 (best) .. the scale; 0: not applicable
    graded_by    TEXT NOT NULL,    -- staff id
    graded_on    TEXT NOT NULL,
    idx          INTEGER NOT NULL, -- the audit_theme_graded entry
    PRIMARY KEY (programme_id, child_id, pass, theme)
) STRICT;

-- Critical findings: a completed audit with a critical grade (a theme's or the
-- overall), and the action the case's managers recorded.
CREATE TABLE audit_findings (
    programme_id TEXT NOT NULL,
    child_id     TEXT NOT NULL,
    found_on     TEXT NOT NULL,    -- the day the audit was completed
    idx          INTEGER NOT NULL, -- the case_audit_completed entry
    actioned_on  TEXT,             -- the day the action taken was recorded; NULL until then
    actioned_by  TEXT,             -- staff id
    actioned_idx INTEGER,          -- the critical_finding_actioned entry
    PRIMARY KEY (programme_id, child_id)
) STRICT;

-- A programme's recommendations (audit_recommendation_made), numbered in the order made, each
-- with its improvement points: actions with an owner and a due date (audit_action_set). Their
-- words are facts about practice, naming no child.
CREATE TABLE audit_recommendations (
    recommendation_id TEXT PRIMARY KEY,
    programme_id      TEXT NOT NULL,
    number            INTEGER NOT NULL, -- 1, 2, ... within the programme
    theme             TEXT,             -- the theme it answers, if one
    text              TEXT NOT NULL,
    idx               INTEGER NOT NULL  -- the audit_recommendation_made entry
) STRICT;

CREATE TABLE audit_actions (
    action_id         TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL,
    programme_id      TEXT NOT NULL,
    number            INTEGER NOT NULL, -- 1, 2, ... within the recommendation (point 2.1, 2.2)
    text              TEXT NOT NULL,
    owner_id          TEXT NOT NULL,    -- staff id: who must do it
    due               TEXT NOT NULL,    -- the day it is due
    status            TEXT NOT NULL,    -- open | in_progress | awaiting_sign_off | closed
    idx               INTEGER NOT NULL, -- the audit_action_set entry
    updated_on        TEXT,             -- the latest update, completion or return
    completed_on      TEXT,             -- the owner's completion, with evidence (latest)
    completed_idx     INTEGER,
    closed_on         TEXT,             -- signed off by someone other than the owner
    closed_by         TEXT,
    closed_idx        INTEGER
) STRICT;
CREATE INDEX audit_actions_by_programme ON audit_actions(programme_id, status);

-- Issued reports (audit_report_issued) and who must acknowledge them.
CREATE TABLE audit_reports (
    report_id          TEXT PRIMARY KEY,
    programme_id       TEXT NOT NULL UNIQUE, -- one report per programme
    issued_on          TEXT NOT NULL,
    issued_by          TEXT NOT NULL,    -- staff id
    acknowledge_within INTEGER NOT NULL, -- working days
    content_sha256     TEXT NOT NULL,    -- SHA-256 of the report's content (docs/audits.md)
    idx                INTEGER NOT NULL  -- the audit_report_issued entry
) STRICT;

CREATE TABLE audit_recipients (
    report_id        TEXT NOT NULL,
    staff_id         TEXT NOT NULL,
    acknowledged_on  TEXT,             -- NULL until acknowledged
    acknowledged_idx INTEGER,          -- the audit_report_acknowledged entry
    PRIMARY KEY (report_id, staff_id)
) STRICT;

-- Improvement plans (docs/improvement.md): the entries of the improve_* events, in log order.
-- The plans, their actions and their budget are folded from these entries by src/improve/
-- (the same code an inspector runs over an export), so this table is their only projection.
CREATE TABLE improve_entries (
    idx  INTEGER PRIMARY KEY,  -- the entry's ledger index
    type TEXT NOT NULL         -- its event type (improve_...)
) STRICT;
