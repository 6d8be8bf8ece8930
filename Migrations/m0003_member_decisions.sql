-- Deciding from one member's history: which members each load touched (the incremental decide
-- re-decides only those), the kind of each decide run, what a decision's line looked like when it
-- was decided, the new change kinds of the retro-review list, and the stored policy versions.

-- Members whose claims or eligibility a load touched (the claim's old and new member alike), and
-- the earliest day the change can matter from (a claim's start or line date, a span's start).
CREATE TABLE member_change(
    load_id   INTEGER NOT NULL REFERENCES load_ledger(load_id),
    member_id TEXT NOT NULL,
    from_day  INTEGER NOT NULL,
    PRIMARY KEY (load_id, member_id)
) WITHOUT ROWID;

-- Dated diagnosis events carry the ledger entry of their claim version: a member's history is
-- read without a lookup in `claim`.
CREATE TABLE dx_event_v3(
    member_id TEXT NOT NULL,
    category  TEXT NOT NULL,
    day       INTEGER NOT NULL,
    claim_id  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    code      TEXT NOT NULL,
    load_id   INTEGER NOT NULL,
    PRIMARY KEY (member_id, category, day, claim_id, position)
) WITHOUT ROWID;
INSERT INTO dx_event_v3 SELECT e.member_id, e.category, e.day, e.claim_id, e.position, e.code, c.load_id
FROM dx_event e JOIN claim c ON c.claim_id = e.claim_id;
DROP TABLE dx_event;
ALTER TABLE dx_event_v3 RENAME TO dx_event;

-- Lines by procedure (or revenue) value set, with everything deciding one needs: a decide run
-- reads this small table instead of looking every imaging line up in claim, claim_line and
-- claim_diagnosis.
CREATE TABLE line_category_v3(
    claim_id        TEXT NOT NULL,
    line_number     INTEGER NOT NULL,
    category        TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    service_day     INTEGER NOT NULL,
    hcpcs_code      TEXT NOT NULL,
    claim_type      TEXT NOT NULL,
    claim_start_day INTEGER NOT NULL,
    primary_dx      TEXT,
    load_id         INTEGER NOT NULL,
    modifiers       TEXT NOT NULL,      -- ';'-separated
    revenue_code    TEXT NOT NULL,
    charge_amount   TEXT NOT NULL,
    PRIMARY KEY (claim_id, line_number, category),
    FOREIGN KEY (claim_id, line_number) REFERENCES claim_line(claim_id, line_number) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO line_category_v3
SELECT lc.claim_id, lc.line_number, lc.category, c.member_id, l.service_day, coalesce(l.hcpcs_code, ''), c.claim_type,
    c.start_day, d.code, l.load_id,
    rtrim(coalesce(l.hcpcs_modifier_1 || ';', '') || coalesce(l.hcpcs_modifier_2 || ';', '') || coalesce(l.hcpcs_modifier_3 || ';', '')
          || coalesce(l.hcpcs_modifier_4 || ';', '') || coalesce(l.hcpcs_modifier_5 || ';', ''), ';'),
    coalesce(l.revenue_center_code, ''), coalesce(l.charge_amount, '')
FROM line_category lc
JOIN claim_line l ON l.claim_id = lc.claim_id AND l.line_number = lc.line_number
JOIN claim c ON c.claim_id = lc.claim_id
LEFT JOIN claim_diagnosis d ON d.claim_id = lc.claim_id AND d.position = 1;
DROP TABLE line_category;
ALTER TABLE line_category_v3 RENAME TO line_category;
CREATE INDEX line_category_by_category ON line_category(category, member_id, service_day);

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
