-- caseward SQLite schema, version 1. Embedded into the binary at build time
-- (cmake/embed.cmake) and applied by `caseward init` in one transaction.
-- PRAGMA application_id = 0x63776431 ('cwd1') marks a caseward database and
-- PRAGMA user_version holds the schema version; both are set by the code.

-- Settings fixed when the log is created.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,  -- 'origin': the log's name (its checkpoint origin and key name)
                             -- 'vkey': the verifier key, c2sp vkey format
                             -- 'created_at': RFC 3339 UTC time of `caseward init`
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
