-- Decisions of the LBP imaging policy, their evidence, and the history of how they changed.

-- One row per `lbp decide` run.
CREATE TABLE decide_run(
    run_id             INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    policy_id          TEXT NOT NULL,
    policy_version     TEXT NOT NULL,
    scope              TEXT NOT NULL,     -- the filters of the run, as text
    lines_decided      INTEGER NOT NULL DEFAULT 0,
    decisions_new      INTEGER NOT NULL DEFAULT 0,
    decisions_changed  INTEGER NOT NULL DEFAULT 0,
    decisions_retired  INTEGER NOT NULL DEFAULT 0
);

-- Every decision ever made. The current one of a line has is_current = 1; a decision is kept
-- (not re-inserted) while re-deciding gives the same result, so decided_at is when it was first made.
CREATE TABLE decision(
    decision_id    INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES decide_run(run_id),
    claim_id       TEXT NOT NULL,
    line_number    INTEGER NOT NULL,
    member_id      TEXT NOT NULL,
    service_day    INTEGER NOT NULL,
    hcpcs_code     TEXT NOT NULL,
    claim_type     TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ALLOW', 'DENY')),
    reason         TEXT NOT NULL,
    index_day      INTEGER,
    window_end_day INTEGER,
    red_flags      TEXT NOT NULL DEFAULT '',   -- every red flag present, in policy order, ';'-separated
    group_code     TEXT,
    carc           TEXT,
    rarc           TEXT,
    policy_id      TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    line_load_id   INTEGER,                    -- ledger entry of the claim version decided
    fingerprint    TEXT NOT NULL,              -- digest of everything above but run and time
    is_current     INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1))
);

CREATE UNIQUE INDEX decision_current ON decision(claim_id, line_number) WHERE is_current = 1;
CREATE INDEX decision_by_line ON decision(claim_id, line_number, decision_id);

-- What each decision looked at: for every rule that read history, what made it true, or that
-- its window was empty.
CREATE TABLE decision_evidence(
    decision_id      INTEGER NOT NULL REFERENCES decision(decision_id),
    seq              INTEGER NOT NULL,
    rule             TEXT NOT NULL,
    finding          TEXT NOT NULL,     -- 'found' or 'none'
    window_start_day INTEGER,
    window_end_day   INTEGER,
    claim_id         TEXT,
    position         INTEGER,
    code             TEXT,
    day              INTEGER,
    value_set        TEXT,
    load_id          INTEGER,           -- lineage: the ledger entry the evidence came from
    detail           TEXT,
    PRIMARY KEY (decision_id, seq)
) WITHOUT ROWID;

-- The retro-review list: each time a line's current decision was replaced or withdrawn.
CREATE TABLE decision_change(
    run_id               INTEGER NOT NULL REFERENCES decide_run(run_id),
    claim_id             TEXT NOT NULL,
    line_number          INTEGER NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('outcome', 'reason', 'evidence', 'policy', 'withdrawn')),
    previous_decision_id INTEGER NOT NULL REFERENCES decision(decision_id),
    new_decision_id      INTEGER REFERENCES decision(decision_id),
    PRIMARY KEY (run_id, claim_id, line_number)
) WITHOUT ROWID;
