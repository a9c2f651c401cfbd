-- caseward PostgreSQL schema, version 10: the PostgreSQL twin of schema_sqlite.sql (issue 15,
-- docs/postgres.md). KEEP THE TWO IN STEP: every table, column and index there is here, with
-- the same name, and a change to one is made to the other in the same commit
-- (tests/pg_schema_test.sh compares their tables and columns).
--
-- Loaded by the role that owns the tables (caseward_owner, which also runs migrations), in one
-- transaction, into a database that role owns. It creates no roles and grants nothing:
-- grants_postgres.sql does that, for the application's role.
--
-- The translation from SQLite:
--   INTEGER  -> bigint (entry indices, tree sizes, unix ms, counters: SQLite's INTEGER is
--               64-bit), or smallint for a flag that is 0 or 1
--   TEXT     -> text COLLATE "C": ordered and compared byte by byte, as SQLite's BINARY
--               collation does, whatever the database's locale
--   BLOB     -> bytea
--   STRICT, WITHOUT ROWID: dropped (PostgreSQL's types are always strict; a table has no rowid)
-- Dates stay text (YYYY-MM-DD, RFC 3339), as in SQLite, so that both backends store, order and
-- return the same strings. The insert-only and erase-only rules, triggers in SQLite, are
-- trigger functions here, and also refuse TRUNCATE, which SQLite does not have; the grants add
-- a second fence for the application's role. The schema version (SQLite's user_version) will
-- be kept by the backend; there is no application_id.

-- Text is UTF-8 in caseward, and a byte order needs a byte encoding that is UTF-8.
DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'caseward needs a UTF8 database, not %', current_setting('server_encoding');
    END IF;
END
$$;

-- Settings fixed when the log is created.
CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,  -- 'origin': the log's name (its checkpoint origin and
                                         --   key name)
                                         -- 'vkey': the verifier key, c2sp vkey format
                                         -- 'created_at': RFC 3339 UTC time of `caseward init`
                                         -- 'rule_pack': the council's statutory rule pack
                                         --   (wales, england)
    value text COLLATE "C" NOT NULL      -- the setting's value
);

-- The ledger: one row per leaf of the RFC 6962 Merkle tree. Insert-only.
CREATE TABLE entries (
    idx    bigint PRIMARY KEY,  -- 0-based leaf index; contiguous from 0
    hashes bytea NOT NULL,      -- 32-byte leaf hash, then the hashes of the perfect subtrees
                                -- this leaf completes, levels 1..t where t = trailing zero
                                -- bits of idx + 1 (so 32 * (1 + t) bytes; see ledger.h)
    leaf   bytea NOT NULL       -- the leaf bytes: compact UTF-8 JSON, exactly as hashed and
                                -- exported (see ledger/entry.h)
);

-- Refuses every change to a row of an insert-only table, and emptying it. TG_ARGV[0] names
-- what the table holds, in the words of the SQLite triggers' messages.
CREATE FUNCTION caseward_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only: % refused', TG_ARGV[0], TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

-- No REPLACE trigger as in SQLite: PostgreSQL has no INSERT OR REPLACE, an insert over an
-- existing index fails on the primary key, and INSERT ... ON CONFLICT DO UPDATE fires the
-- UPDATE trigger.
CREATE TRIGGER entries_insert_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION caseward_insert_only('ledger entries');
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION caseward_insert_only('ledger entries');

-- Every signed checkpoint the log has issued, one per append batch. Insert-only.
CREATE TABLE checkpoints (
    size bigint PRIMARY KEY,        -- tree size the checkpoint commits to
    note text COLLATE "C" NOT NULL  -- the c2sp signed note (tlog-checkpoint body + signature)
);

CREATE TRIGGER checkpoints_insert_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION caseward_insert_only('checkpoints');
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION caseward_insert_only('checkpoints');

-- The personal part of an entry (names, addresses, free text), kept beside
-- its leaf rather than in it, with the salt that hides it: the leaf commits
-- to a salted hash of it, so it can be erased and the log still verifies.
-- Not a projection: the log cannot recreate it, so rebuild leaves it alone.
-- Erase-only: a row's salt and body can be set to NULL once, naming the
-- erasure entry, and never changed otherwise or deleted. Nothing writes rows
-- yet (schema version 7 prepares the storage; leaf version 2 will fill it).
CREATE TABLE personal (
    idx        bigint PRIMARY KEY, -- the entry whose leaf commits to it
    salt       bytea,              -- 32 random bytes; NULL once erased
    body       bytea,              -- canonical JSON of the personal part; NULL once erased
    erased_idx bigint              -- the erasure entry that destroyed it; NULL while held
);

-- The only change allowed: salt and body to NULL, once, with the erasure entry named.
CREATE FUNCTION caseward_personal_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT (NEW.idx = OLD.idx AND NEW.salt IS NULL AND NEW.body IS NULL
                AND OLD.erased_idx IS NULL AND NEW.erased_idx IS NOT NULL) THEN
            RAISE EXCEPTION 'personal data can only be erased' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    -- DELETE, TRUNCATE
    RAISE EXCEPTION 'personal data is erased, not deleted' USING ERRCODE = 'restrict_violation';
END
$$;

-- No REPLACE trigger, for the reason given at entries.
CREATE TRIGGER personal_erase_only BEFORE UPDATE OR DELETE ON personal
    FOR EACH ROW EXECUTE FUNCTION caseward_personal_erase_only();
CREATE TRIGGER personal_no_truncate BEFORE TRUNCATE ON personal
    FOR EACH STATEMENT EXECUTE FUNCTION caseward_personal_erase_only();

-- ---------------------------------------------------------------------------
-- Projections: the current state of the organisation and of each child's
-- case, derived from the ledger. They are caches: `caseward rebuild` drops
-- and recreates them by replaying every entry, and must give identical rows.
-- Every row names the ledger entry (idx) it came from.
-- ---------------------------------------------------------------------------

-- How far the projections have been brought up to date.
CREATE TABLE projection_state (
    key   text COLLATE "C" PRIMARY KEY,  -- 'applied': number of ledger entries applied
    value bigint NOT NULL
);

CREATE TABLE teams (
    team_id      text COLLATE "C" PRIMARY KEY,  -- the council's team identifier
    name         text COLLATE "C" NOT NULL,
    service_area text COLLATE "C",              -- e.g. 'Children in need', 'Looked after'
    idx          bigint NOT NULL                -- entry that created the team
);

CREATE TABLE staff (
    staff_id   text COLLATE "C" PRIMARY KEY,  -- the account / worker identifier
    name       text COLLATE "C",              -- personal: NULL once erased, or replayed from
                                              -- facts only
    role       text COLLATE "C" NOT NULL,     -- social_worker, team_manager, ...
                                              -- (docs/events.md)
    team_id    text COLLATE "C",              -- current team, if any
    manager_id text COLLATE "C",              -- next step up the management chain, if any
    left_on    text COLLATE "C",              -- date the person left; NULL while in post
    idx        bigint NOT NULL                -- latest entry that changed the row
);

CREATE TABLE children (
    child_id           text COLLATE "C" PRIMARY KEY,
    given_name         text COLLATE "C",          -- personal: NULL once erased, or replayed
    family_name        text COLLATE "C",          -- from facts only (as are ethnicity and
                                                  -- address)
    date_of_birth      text COLLATE "C" NOT NULL, -- YYYY-MM-DD
    gender             text COLLATE "C" NOT NULL,
    ethnicity          text COLLATE "C",
    language           text COLLATE "C" NOT NULL, -- english | welsh | other
    family_language    text COLLATE "C",          -- the family's: english | welsh | other;
                                                  -- NULL: not recorded
    address            text COLLATE "C",
    restricted         smallint NOT NULL,         -- 1: visible only to the staff in child_access
    worker_id          text COLLATE "C",          -- allocated social worker, if any
    case_status        text COLLATE "C" NOT NULL, -- open | closed
    cp_category        text COLLATE "C",          -- CP register category while registered
    cp_since           text COLLATE "C",          -- date registered; NULL when not on the
                                                  -- register
    looked_after_since text COLLATE "C",          -- NULL when not looked after
    placement_id       text COLLATE "C",
    placement_type     text COLLATE "C",
    last_activity      text COLLATE "C",          -- latest effective date of any event about
                                                  -- the child
    idx                bigint NOT NULL            -- entry that registered the child
);

-- Staff named on a restricted record.
CREATE TABLE child_access (
    child_id text COLLATE "C" NOT NULL,
    staff_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (child_id, staff_id)
);

-- Every identified piece of casework: contacts, referrals, assessments,
-- strategy discussions, section 47 enquiries, conferences, plans and
-- missing episodes.
CREATE TABLE records (
    record_id  text COLLATE "C" PRIMARY KEY,  -- contact_id, referral_id, assessment_id, ...
    kind       text COLLATE "C" NOT NULL,     -- contact | referral | assessment |
                                              -- strategy_discussion | section_47 |
                                              -- conference | plan | missing_episode
    child_id   text COLLATE "C" NOT NULL,
    opened_on  text COLLATE "C" NOT NULL,     -- date received / started / held
    closed_on  text COLLATE "C",              -- date decided / completed / returned, if it
                                              -- has been
    status     text COLLATE "C",              -- decision, outcome or kind, as the event gives it
    idx        bigint NOT NULL,               -- entry that opened it
    closed_idx bigint                         -- entry that closed it
);
CREATE INDEX records_by_child ON records(child_id, opened_on);

CREATE TABLE visits (
    idx            bigint PRIMARY KEY,        -- the statutory_visit entry
    child_id       text COLLATE "C" NOT NULL,
    date           text COLLATE "C" NOT NULL,
    seen           smallint NOT NULL,         -- 1: the child was seen
    seen_alone     smallint NOT NULL,         -- 1: seen alone
    views_recorded smallint NOT NULL          -- 1: the child's views; 0: a reason they were
                                              -- not obtained
);
CREATE INDEX visits_by_child ON visits(child_id, date);

CREATE TABLE supervisions (
    idx           bigint PRIMARY KEY, -- the supervision_held entry
    supervisee_id text COLLATE "C" NOT NULL,
    supervisor_id text COLLATE "C" NOT NULL,
    date          text COLLATE "C" NOT NULL
);

CREATE TABLE supervision_cases (
    idx      bigint NOT NULL,           -- the supervision_held entry
    child_id text COLLATE "C" NOT NULL, -- a case discussed
    PRIMARY KEY (idx, child_id)
);
CREATE INDEX supervision_cases_by_child ON supervision_cases(child_id, idx);

-- Every entry about a child, with its effective date: the chronology.
CREATE TABLE child_events (
    child_id text COLLATE "C" NOT NULL,
    idx      bigint NOT NULL,
    date     text COLLATE "C" NOT NULL,  -- effective date (payload date, else the recorded date)
    type     text COLLATE "C" NOT NULL,
    PRIMARY KEY (child_id, idx)
);
-- Which children an entry is about (a correction looks this up for its target).
CREATE INDEX child_events_by_idx ON child_events(idx);

-- Each child's history as the rules engine reads it: every entry about the
-- child except caseward's escalations, in (date, idx) order, each payload
-- with its corrections applied and free text reduced to "present", in the
-- compact binary form described in src/util/facts.h. Kept in segments of
-- whole records (about 1 KB at most, so a row stays in its page): read in
-- seg order they make one history; putting an event in rewrites only the
-- segments from its own to the last (for the latest event, the last).
-- (In PostgreSQL a value over about 2 KB would be moved out of line (TOAST);
-- 1 KB segments stay in the row here too.)
CREATE TABLE child_histories (
    child_id text COLLATE "C" NOT NULL,
    seg      bigint NOT NULL,  -- the segment's place in the history, from 0
    events   bytea NOT NULL,   -- whole records of the history, src/util/facts.h
    PRIMARY KEY (child_id, seg)
);

CREATE TABLE corrections (
    idx      bigint PRIMARY KEY, -- the correction entry
    corrects bigint NOT NULL,    -- the entry it corrects
    reason   text COLLATE "C"    -- personal: NULL once erased, or replayed from facts only
);
CREATE INDEX corrections_by_target ON corrections(corrects);

-- Escalations recorded (escalation_raised entries): each overdue obligation
-- or signal is escalated once per level of its ladder.
CREATE TABLE escalations (
    child_id    text COLLATE "C" NOT NULL,
    item        text COLLATE "C" NOT NULL, -- the obligation or signal (rule id, start entry,
                                           -- due date)
    level       bigint NOT NULL,           -- step of the rule's escalation ladder
    notified_id text COLLATE "C" NOT NULL, -- who was told
    as_of       text COLLATE "C" NOT NULL, -- the day it was raised for
    idx         bigint NOT NULL,           -- the escalation_raised entry
    PRIMARY KEY (child_id, item, level)
);

-- Work that needs a manager's sign-off (docs/events.md, "Sign-off"): one row
-- per entry recorded under a sign-off policy, or recorded with a sign-off
-- claimed in the entry itself (migrated history). The state is decided when
-- the entry is first applied and changed only by work_signed_off and
-- work_returned entries, so a child's re-projection reads it, never redecides it.
CREATE TABLE signoffs (
    idx          bigint PRIMARY KEY,        -- the entry of the work (assessment_completed, ...)
    child_id     text COLLATE "C",          -- the child it is about (NULL: a supervision of
                                            -- no case)
    kind         text COLLATE "C" NOT NULL, -- assessment_completed | referral_decided |
                                            -- case_closed | plan_recorded | cse_override |
                                            -- supervision_held
    submitted_by text COLLATE "C" NOT NULL, -- who recorded the work (staff id)
    submitted_on text COLLATE "C" NOT NULL, -- the day it was recorded (YYYY-MM-DD)
    state        text COLLATE "C" NOT NULL, -- pending | signed_off | returned | claimed
                                            -- (signed off as the entry itself says: history
                                            -- migrated from before)
    decided_by   text COLLATE "C",          -- who signed it off or returned it (or the
                                            -- claimed signatory)
    decided_on   text COLLATE "C",          -- the day they did
    decided_idx  bigint                     -- their work_signed_off / work_returned entry
);
CREATE INDEX signoffs_by_state ON signoffs(state, submitted_by);

-- Named deputies (deputy_named entries): who may sign off in a manager's place, until when.
CREATE TABLE deputies (
    manager_id text COLLATE "C" NOT NULL,  -- the manager deputised for
    deputy_id  text COLLATE "C" NOT NULL,  -- who may act in their place
    until      text COLLATE "C" NOT NULL,  -- the last day they may (YYYY-MM-DD)
    idx        bigint NOT NULL,            -- the entry that named them
    PRIMARY KEY (manager_id, deputy_id)
);

-- Settings recorded in the log (sign_off_policy entries): the latest wins.
CREATE TABLE policy (
    key   text COLLATE "C" PRIMARY KEY, -- 'sign_off': the kinds of work that need a manager's
                                        -- sign-off
    value text COLLATE "C" NOT NULL,    -- comma-separated kinds
    idx   bigint NOT NULL               -- the entry that set it
);

-- Legal holds (legal_hold_placed, legal_hold_lifted entries; docs/privacy.md,
-- "Retention"): while a hold is in force, a child's record may not be destroyed
-- under the retention schedule or on a request for erasure. Facts only: the
-- reason for a hold is personal and stays in the log.
CREATE TABLE legal_holds (
    hold_id    text COLLATE "C" PRIMARY KEY,  -- the council's identifier for the hold
    child_id   text COLLATE "C",              -- the child it covers; NULL: every child of the
                                              -- council
    kind       text COLLATE "C" NOT NULL,     -- litigation | inquiry | complaint |
                                              -- police_investigation | other
    placed_on  text COLLATE "C" NOT NULL,     -- the hold's date (YYYY-MM-DD)
    until      text COLLATE "C",              -- the last day it holds, if it was set to lapse;
                                              -- NULL: until lifted
    idx        bigint NOT NULL,               -- the legal_hold_placed entry
    lifted_on  text COLLATE "C",              -- the day it was lifted; NULL while in force
    lifted_idx bigint                         -- the legal_hold_lifted entry
);
CREATE INDEX legal_holds_by_child ON legal_holds(child_id);

-- Sign-in accounts (docs/api.md). Not a projection: password hashes are
-- never in the log, so rebuild leaves this table alone. Every change to an
-- account is also an entry in the log (account_created, account_changed,
-- password_set), without the hash, in the same transaction.
CREATE TABLE accounts (
    username     text COLLATE "C" PRIMARY KEY,  -- sign-in name
    staff_id     text COLLATE "C",              -- the member of staff it belongs to (role:
                                                -- staff.role)
    role         text COLLATE "C",              -- for accounts that are not staff:
                                                -- administrator, qa_auditor, inspector
    password     text COLLATE "C" NOT NULL,     -- argon2id hash (libsodium's string form),
                                                -- never the password
    must_change  smallint NOT NULL,             -- 1: a one-time password: only changing it
                                                -- is allowed
    disabled     smallint NOT NULL,             -- 1: may not sign in
    expires_on   text COLLATE "C",              -- last day the account works (inspectors),
                                                -- or NULL
    failed       bigint NOT NULL,               -- failed sign-ins since the last success
    locked_until bigint NOT NULL,               -- unix ms before which sign-in is refused;
                                                -- 0 if not locked
    created_at   text COLLATE "C" NOT NULL,     -- RFC 3339 UTC
    language     text COLLATE "C"               -- en | cy: the language of its pages and the
                                                -- server's messages, as the user chose
                                                -- (account_changed); NULL until they choose
);

-- Every look at a child's record, and every refused request by someone
-- signed in (record_accessed entries): who, what, when, allowed or refused.
CREATE TABLE record_access (
    idx      bigint PRIMARY KEY,        -- the record_accessed entry
    child_id text COLLATE "C",          -- the child, if the request was about one
    actor    text COLLATE "C" NOT NULL, -- who asked (user:NAME)
    what     text COLLATE "C" NOT NULL, -- the request, by route: GET /api/v1/children/{id}
    allowed  smallint NOT NULL,         -- 1 shown or done, 0 refused
    at       text COLLATE "C" NOT NULL  -- when (the entry's recorded_at)
);
CREATE INDEX record_access_by_child ON record_access(child_id, idx);

-- API tokens for system-to-system calls. Not a projection: only a hash of
-- each token is kept (the token is shown once, when it is made). Making and
-- revoking one are entries in the log (token_created, token_revoked).
CREATE TABLE api_tokens (
    name       text COLLATE "C" PRIMARY KEY,     -- what the token is for, e.g. 'nightly-return'
    hash       text COLLATE "C" NOT NULL UNIQUE, -- SHA-256 of the token, hex
    username   text COLLATE "C" NOT NULL,        -- the account it acts as
    scope      text COLLATE "C" NOT NULL,        -- read (GET routes only) or write
    created_at text COLLATE "C" NOT NULL,        -- RFC 3339 UTC
    revoked    smallint NOT NULL                 -- 1: refused from now on
);

-- Case-file audits (docs/audits.md). A programme (audit_programme_created)
-- names its framework's themes and grade scale as facts, so grades are checked
-- and reports recomputed from the log alone.
CREATE TABLE audit_programmes (
    programme_id     text COLLATE "C" PRIMARY KEY, -- the council's identifier for the programme
    title            text COLLATE "C" NOT NULL,    -- what it audits (a fact: never a child's details)
    commissioned_by  text COLLATE "C" NOT NULL,    -- staff id of who commissioned it
    starts           text COLLATE "C" NOT NULL,    -- first day of the programme (YYYY-MM-DD)
    ends             text COLLATE "C" NOT NULL,    -- last day: auditors see their cases until then
    framework        text COLLATE "C" NOT NULL,    -- the audit framework's id (standard, ofsted, ...)
    framework_sha256 text COLLATE "C" NOT NULL,    -- SHA-256 of the framework file, hex
    themes           text COLLATE "C" NOT NULL,    -- the themes graded, comma-separated, in order
    grades           bigint NOT NULL, -- the scale: grades 1 (best) to this
    critical         text COLLATE "C" NOT NULL,    -- the grades that are a critical finding, comma-separated
    area_manager_id  text COLLATE "C",             -- staff id told of each critical finding, if named
    idx              bigint NOT NULL  -- the audit_programme_created entry
);

-- The auditors of each programme.
CREATE TABLE audit_auditors (
    programme_id text COLLATE "C" NOT NULL,
    staff_id     text COLLATE "C" NOT NULL,
    PRIMARY KEY (programme_id, staff_id)
);

-- Each sample drawn (audit_sample_drawn): enough to draw it again from the log.
CREATE TABLE audit_samples (
    idx          bigint PRIMARY KEY, -- the audit_sample_drawn entry
    programme_id text COLLATE "C" NOT NULL,
    seed         text COLLATE "C" NOT NULL,       -- the seed the keys are made from
    log_size     bigint NOT NULL,    -- drawn from the record as entries 0..log_size-1 left it
    size         bigint NOT NULL,    -- cases asked for
    minimum      bigint NOT NULL,    -- cases at least from each team and case type
    drawn_on     text COLLATE "C" NOT NULL        -- the day it was drawn
);

-- The cases of each programme, drawn or added by hand, and how far each audit is.
CREATE TABLE audit_cases (
    programme_id    text COLLATE "C" NOT NULL,
    child_id        text COLLATE "C" NOT NULL,
    auditor_id      text COLLATE "C" NOT NULL,    -- who audits it (staff id)
    how             text COLLATE "C" NOT NULL,    -- drawn | added
    added_on        text COLLATE "C" NOT NULL,    -- the day it was drawn or added
    idx             bigint NOT NULL, -- the audit_sample_drawn or audit_case_added entry
    team_id         text COLLATE "C",             -- the allocated worker's team when it was added, if any
    completed_on    text COLLATE "C",             -- the day the audit was completed; NULL until then
    overall         bigint,          -- the auditor's overall grade
    completed_idx   bigint,          -- the case_audit_completed entry
    moderator_id    text COLLATE "C",             -- who moderated it, once completed
    moderated_on    text COLLATE "C",
    moderated_overall bigint,        -- the moderator's overall grade
    moderated_idx   bigint,
    PRIMARY KEY (programme_id, child_id)
);
CREATE INDEX audit_cases_by_child ON audit_cases(child_id, added_on);
CREATE INDEX audit_cases_by_auditor ON audit_cases(auditor_id);

-- Each theme's grade for a case: the latest the auditor (pass 'audit') or the
-- moderator ('moderation') gave, until the audit or moderation is completed.
CREATE TABLE audit_grades (
    programme_id text COLLATE "C" NOT NULL,
    child_id     text COLLATE "C" NOT NULL,
    pass         text COLLATE "C" NOT NULL,    -- audit | moderation
    theme        text COLLATE "C" NOT NULL,
    grade        bigint NOT NULL, -- 1 (best) .. the scale; 0: not applicable
    graded_by    text COLLATE "C" NOT NULL,    -- staff id
    graded_on    text COLLATE "C" NOT NULL,
    idx          bigint NOT NULL, -- the audit_theme_graded entry
    PRIMARY KEY (programme_id, child_id, pass, theme)
);

-- Critical findings: a completed audit with a critical grade (a theme's or the
-- overall), and the action the case's managers recorded.
CREATE TABLE audit_findings (
    programme_id text COLLATE "C" NOT NULL,
    child_id     text COLLATE "C" NOT NULL,
    found_on     text COLLATE "C" NOT NULL,    -- the day the audit was completed
    idx          bigint NOT NULL, -- the case_audit_completed entry
    actioned_on  text COLLATE "C",             -- the day the action taken was recorded; NULL until then
    actioned_by  text COLLATE "C",             -- staff id
    actioned_idx bigint,          -- the critical_finding_actioned entry
    PRIMARY KEY (programme_id, child_id)
);

-- A programme's recommendations (audit_recommendation_made), numbered in the order made, each
-- with its improvement points: actions with an owner and a due date (audit_action_set). Their
-- words are facts about practice, naming no child.
CREATE TABLE audit_recommendations (
    recommendation_id text COLLATE "C" PRIMARY KEY,
    programme_id      text COLLATE "C" NOT NULL,
    number            bigint NOT NULL, -- 1, 2, ... within the programme
    theme             text COLLATE "C",             -- the theme it answers, if one
    text              text COLLATE "C" NOT NULL,
    idx               bigint NOT NULL  -- the audit_recommendation_made entry
);

CREATE TABLE audit_actions (
    action_id         text COLLATE "C" PRIMARY KEY,
    recommendation_id text COLLATE "C" NOT NULL,
    programme_id      text COLLATE "C" NOT NULL,
    number            bigint NOT NULL, -- 1, 2, ... within the recommendation (point 2.1, 2.2)
    text              text COLLATE "C" NOT NULL,
    owner_id          text COLLATE "C" NOT NULL,    -- staff id: who must do it
    due               text COLLATE "C" NOT NULL,    -- the day it is due
    status            text COLLATE "C" NOT NULL,    -- open | in_progress | awaiting_sign_off | closed
    idx               bigint NOT NULL, -- the audit_action_set entry
    updated_on        text COLLATE "C",             -- the latest update, completion or return
    completed_on      text COLLATE "C",             -- the owner's completion, with evidence (latest)
    completed_idx     bigint,
    closed_on         text COLLATE "C",             -- signed off by someone other than the owner
    closed_by         text COLLATE "C",
    closed_idx        bigint
);
CREATE INDEX audit_actions_by_programme ON audit_actions(programme_id, status);

-- Issued reports (audit_report_issued) and who must acknowledge them.
CREATE TABLE audit_reports (
    report_id          text COLLATE "C" PRIMARY KEY,
    programme_id       text COLLATE "C" NOT NULL UNIQUE, -- one report per programme
    issued_on          text COLLATE "C" NOT NULL,
    issued_by          text COLLATE "C" NOT NULL,    -- staff id
    acknowledge_within bigint NOT NULL, -- working days
    content_sha256     text COLLATE "C" NOT NULL,    -- SHA-256 of the report's content (docs/audits.md)
    idx                bigint NOT NULL  -- the audit_report_issued entry
);

CREATE TABLE audit_recipients (
    report_id        text COLLATE "C" NOT NULL,
    staff_id         text COLLATE "C" NOT NULL,
    acknowledged_on  text COLLATE "C",             -- NULL until acknowledged
    acknowledged_idx bigint,          -- the audit_report_acknowledged entry
    PRIMARY KEY (report_id, staff_id)
);

-- Improvement plans (docs/improvement.md): the entries of the improve_* events, in log order.
-- The plans, their actions and their budget are folded from these entries by src/improve/
-- (the same code an inspector runs over an export), so this table is their only projection.
CREATE TABLE improve_entries (
    idx  bigint PRIMARY KEY,        -- the entry's ledger index
    type text COLLATE "C" NOT NULL  -- its event type (improve_...)
);
