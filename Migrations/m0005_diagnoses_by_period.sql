-- Diagnosis events partitioned by period: the key starts with `period` = day / 365 (whole
-- 365-day periods counted from 1970-01-01; SQLite's integer division, as Swift's, truncates).
-- Keyed by member first, a month's new events landed on nearly every page of the table, so a
-- load's cost grew with the whole history (measured on a 200,000-member book: about 5,600 of
-- 6,344 leaf pages rewritten by month 36's load). A month's events are dated in the current
-- period (a claim's start date), so its writes now stay within one period's pages, whatever
-- the history holds; a member's history costs one index seek per period its windows cover.
CREATE TABLE dx_event_v5(
    period    INTEGER NOT NULL CHECK (period = day / 365),
    member_id TEXT NOT NULL,
    category  TEXT NOT NULL,
    day       INTEGER NOT NULL,
    claim_id  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    code      TEXT NOT NULL,
    load_id   INTEGER NOT NULL,
    PRIMARY KEY (period, member_id, category, day, claim_id, position)
) WITHOUT ROWID;
INSERT INTO dx_event_v5(period, member_id, category, day, claim_id, position, code, load_id)
SELECT day / 365, member_id, category, day, claim_id, position, code, load_id FROM dx_event
ORDER BY day / 365, member_id, category, day, claim_id, position;
DROP TABLE dx_event;
ALTER TABLE dx_event_v5 RENAME TO dx_event;
