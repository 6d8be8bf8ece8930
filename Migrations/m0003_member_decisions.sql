-- Deciding from one member's history: which members each load touched (the incremental decide
-- re-decides only those), the kind of each decide run, what a decision's line looked like when it
-- was decided, the new change kinds of the retro-review list, and the stored policy versions.

-- Members whose claims or eligibility a load touched (the claim's old and new member alike).
CREATE TABLE member_change(
    load_id   INTEGER NOT NULL REFERENCES load_ledger(load_id),
    member_id TEXT NOT NULL,
    PRIMARY KEY (load_id, member_id)
) WITHOUT ROWID;

-- 'full', 'incremental' or 'scoped', and the newest ledger entry the run saw.
ALTER TABLE decide_run ADD COLUMN mode TEXT NOT NULL DEFAULT 'full';
ALTER TABLE decide_run ADD COLUMN through_load_id INTEGER NOT NULL DEFAULT 0;

-- The line as decided (the claim may change later): what the 835 and explain show.
ALTER TABLE decision ADD COLUMN claim_start_day INTEGER;
ALTER TABLE decision ADD COLUMN primary_dx TEXT;
ALTER TABLE decision ADD COLUMN hcpcs_modifiers TEXT NOT NULL DEFAULT '';   -- ';'-separated
ALTER TABLE decision ADD COLUMN revenue_code TEXT NOT NULL DEFAULT '';
ALTER TABLE decision ADD COLUMN charge_amount TEXT NOT NULL DEFAULT '';

-- A decision changes when its outcome, reason, index date or red flags change ('evidence' and
-- 'policy' are kept for rows logged before this migration).
CREATE TABLE decision_change_v3(
    run_id               INTEGER NOT NULL REFERENCES decide_run(run_id),
    claim_id             TEXT NOT NULL,
    line_number          INTEGER NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('outcome', 'reason', 'index_date', 'red_flags', 'evidence',
                                                       'policy', 'withdrawn')),
    previous_decision_id INTEGER NOT NULL REFERENCES decision(decision_id),
    new_decision_id      INTEGER REFERENCES decision(decision_id),
    PRIMARY KEY (run_id, claim_id, line_number)
) WITHOUT ROWID;
INSERT INTO decision_change_v3 SELECT run_id, claim_id, line_number, kind, previous_decision_id, new_decision_id
FROM decision_change;
DROP TABLE decision_change;
ALTER TABLE decision_change_v3 RENAME TO decision_change;
CREATE INDEX decision_change_by_line ON decision_change(claim_id, line_number);

-- Every policy version set with `lbp policy set`; the newest is the one `lbp decide` uses.
CREATE TABLE policy_version(
    version_id  INTEGER PRIMARY KEY,
    policy_id   TEXT NOT NULL,
    version     TEXT NOT NULL,      -- engine version + digest of the settings and their value sets
    settings    TEXT NOT NULL,      -- the settings as canonical JSON
    value_sets  TEXT NOT NULL,      -- JSON object: value set name -> SHA-256 of its codes
    source      TEXT NOT NULL,      -- the file it was set from
    created_at  TEXT NOT NULL
);
