-- caseward PostgreSQL roles and grants (issue 15, item 3; docs/postgres.md): what the
-- application's role may do to the tables of schema_postgres.sql. The insert-only rule on the
-- log is kept twice over: the triggers of schema_postgres.sql refuse any change to an entry or
-- a checkpoint whoever asks, and the application's role is not even granted UPDATE, DELETE or
-- TRUNCATE on them, so it is refused before a trigger runs.
--
-- Two roles, made once by the database administrator (a council may rename them; the names
-- are written out below, so rename them here too):
--   caseward_owner  owns the database and its tables: loads schema_postgres.sql, runs
--                   migrations, applies this file. Never the role the server runs as.
--   caseward_app    the role `caseward serve` and the other commands connect as, granted
--                   below exactly what they need.
-- for instance, as a superuser:
--   CREATE ROLE caseward_owner LOGIN;
--   CREATE ROLE caseward_app LOGIN;
--   CREATE DATABASE caseward OWNER caseward_owner ENCODING 'UTF8' TEMPLATE template0;
--   -- then, connected to caseward as caseward_owner: schema_postgres.sql, then this file
--
-- Applied by caseward_owner (or a superuser) after schema_postgres.sql, in one transaction. It
-- can be applied again: a GRANT already held or a REVOKE of nothing changes nothing. A table
-- added to the schema must be added here too (tests/pg_schema_test.sh checks that the
-- application can use every table).

-- Nobody else gets in or creates anything: no connecting to this database, no temporary
-- tables, no objects in the public schema, except as granted here. (PostgreSQL 15 already
-- keeps CREATE on public from PUBLIC; said again, for a database made another way.)
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO caseward_app', current_database());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO caseward_app;

-- The log: read and appended to, never changed. (The settings of meta are written once, by
-- `caseward init`; the checkpoint and entry triggers refuse UPDATE, DELETE and TRUNCATE even
-- to caseward_owner.)
REVOKE ALL ON meta, entries, checkpoints FROM caseward_app;
GRANT SELECT, INSERT ON meta, entries, checkpoints TO caseward_app;

-- The personal parts of entries: read, added, and erased (salt and body set to NULL, the
-- erasure entry named in erased_idx: the columns granted; the trigger allows that change
-- once, and nothing else). Never deleted.
REVOKE ALL ON personal FROM caseward_app;
GRANT SELECT, INSERT ON personal TO caseward_app;
GRANT UPDATE (salt, body, erased_idx) ON personal TO caseward_app;

-- Sign-in accounts and API tokens: not projections (they hold what the log does not), so
-- changed in place (passwords, failed sign-ins, locks, revocation) but never deleted or
-- emptied: caseward removes neither.
REVOKE ALL ON accounts, api_tokens FROM caseward_app;
GRANT SELECT, INSERT, UPDATE ON accounts, api_tokens TO caseward_app;

-- The projections: caches of the log, rewritten as entries are applied and emptied by
-- `caseward rebuild`, which replays the log into them.
REVOKE ALL ON projection_state, teams, staff, children, child_access, records, visits,
    supervisions, supervision_cases, child_events, child_histories, corrections, escalations,
    signoffs, deputies, policy, legal_holds, record_access, audit_programmes, audit_auditors,
    audit_samples, audit_cases, audit_grades, audit_findings, audit_recommendations,
    audit_actions, audit_reports, audit_recipients, improve_entries FROM caseward_app;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON projection_state, teams, staff, children,
    child_access, records, visits, supervisions, supervision_cases, child_events,
    child_histories, corrections, escalations, signoffs, deputies, policy, legal_holds,
    record_access, audit_programmes, audit_auditors, audit_samples, audit_cases, audit_grades,
    audit_findings, audit_recommendations, audit_actions, audit_reports, audit_recipients,
    improve_entries
    TO caseward_app;
