-- The member history: what was loaded from which file, eligibility spans, claims with their
-- current lines and diagnoses, and the dated events derived from them by value set.
-- Days are integer day numbers (days since 1970-01-01); `date(day * 86400, 'unixepoch')` shows one.

-- One row per extract file loaded (or attempted and committed).
CREATE TABLE load_ledger(
    load_id         INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('eligibility', 'claims')),
    file_name       TEXT NOT NULL,
    file_size       INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_loaded     INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    warnings        INTEGER NOT NULL DEFAULT 0,
    claims_stored   INTEGER NOT NULL DEFAULT 0,
    claims_replaced INTEGER NOT NULL DEFAULT 0,
    claims_voided   INTEGER NOT NULL DEFAULT 0,
    loaded_at       TEXT NOT NULL,
    UNIQUE (kind, sha256)
);

-- Eligibility spans; a later row with the same key replaces an earlier one.
CREATE TABLE eligibility_span(
    member_id   TEXT NOT NULL,
    start_day   INTEGER NOT NULL,
    end_day     INTEGER,                      -- NULL: open-ended
    payer       TEXT NOT NULL DEFAULT '',
    plan        TEXT NOT NULL DEFAULT '',
    person_id   TEXT,
    birth_date  TEXT,
    gender      TEXT,
    data_source TEXT,
    file_name   TEXT,
    file_date   TEXT,
    load_id     INTEGER NOT NULL REFERENCES load_ledger(load_id),
    source_line INTEGER NOT NULL,
    PRIMARY KEY (member_id, start_day, payer, plan),
    CHECK (end_day IS NULL OR end_day >= start_day)
) WITHOUT ROWID;

-- The current version of each claim (header fields, from its lowest-numbered accepted line).
CREATE TABLE claim(
    claim_id       TEXT NOT NULL PRIMARY KEY,
    claim_type     TEXT NOT NULL CHECK (claim_type IN ('professional', 'institutional', 'undetermined')),
    member_id      TEXT NOT NULL,
    start_day      INTEGER NOT NULL,
    end_day        INTEGER,
    dx_code_type   TEXT NOT NULL CHECK (dx_code_type IN ('icd-10-cm', 'icd-9-cm')),
    frequency_code TEXT,
    payer          TEXT,
    plan           TEXT,
    data_source    TEXT,
    file_name      TEXT,
    file_date      TEXT,
    load_id        INTEGER NOT NULL REFERENCES load_ledger(load_id)
) WITHOUT ROWID;

-- The current lines of each claim.
CREATE TABLE claim_line(
    claim_id              TEXT NOT NULL REFERENCES claim(claim_id) ON DELETE CASCADE,
    line_number           INTEGER NOT NULL CHECK (line_number > 0),
    service_day           INTEGER NOT NULL,   -- claim_line_start_date, else the claim's start
    line_start_day        INTEGER,            -- as given; NULL when the extract left it empty
    hcpcs_code            TEXT,
    hcpcs_modifier_1      TEXT,
    hcpcs_modifier_2      TEXT,
    hcpcs_modifier_3      TEXT,
    hcpcs_modifier_4      TEXT,
    hcpcs_modifier_5      TEXT,
    revenue_center_code   TEXT,
    bill_type_code        TEXT,
    place_of_service_code TEXT,
    paid_amount           TEXT,
    charge_amount         TEXT,
    load_id               INTEGER NOT NULL REFERENCES load_ledger(load_id),
    source_line           INTEGER NOT NULL,
    PRIMARY KEY (claim_id, line_number)
) WITHOUT ROWID;

-- Every diagnosis of every current claim, normalised (upper case, no dots), by position.
-- Its date is the claim's start_day.
CREATE TABLE claim_diagnosis(
    claim_id TEXT NOT NULL REFERENCES claim(claim_id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 25),
    code     TEXT NOT NULL,
    PRIMARY KEY (claim_id, position)
) WITHOUT ROWID;

-- Claims removed by a void (claim_frequency_code 8), for lineage.
CREATE TABLE claim_void(
    claim_id TEXT NOT NULL PRIMARY KEY,
    load_id  INTEGER NOT NULL REFERENCES load_ledger(load_id)
) WITHOUT ROWID;

-- Code lists (value sets) and their codes, normalised like the diagnoses.
CREATE TABLE value_set(
    name        TEXT NOT NULL PRIMARY KEY,
    code_system TEXT NOT NULL,
    origin      TEXT NOT NULL,      -- 'embedded' or the file it was loaded from
    sha256      TEXT NOT NULL,      -- digest of its sorted codes
    code_count  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE value_set_code(
    value_set   TEXT NOT NULL REFERENCES value_set(name) ON DELETE CASCADE,
    code_system TEXT NOT NULL,
    code        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (value_set, code)
) WITHOUT ROWID;

CREATE INDEX value_set_code_by_code ON value_set_code(code_system, code);

-- Dated diagnosis events by member and category (a diagnosis value set): the table the
-- evaluator's windowed queries read as (member, category, day range). Derived from
-- claim_diagnosis and value_set_code; rebuilt when value sets change.
CREATE TABLE dx_event(
    member_id TEXT NOT NULL,
    category  TEXT NOT NULL,
    day       INTEGER NOT NULL,
    claim_id  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (member_id, category, day, claim_id, position)
) WITHOUT ROWID;

-- Lines whose procedure code is in a procedure value set (the imaging lines). Derived, like dx_event.
CREATE TABLE line_category(
    claim_id    TEXT NOT NULL,
    line_number INTEGER NOT NULL,
    category    TEXT NOT NULL,
    PRIMARY KEY (claim_id, line_number, category),
    FOREIGN KEY (claim_id, line_number) REFERENCES claim_line(claim_id, line_number) ON DELETE CASCADE
) WITHOUT ROWID;
