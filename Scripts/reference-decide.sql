-- Reference decider: a set-based SQL formulation of the decision rules of POLICY.md
-- ("The decision for one imaging line"), independent of the engine's Swift evaluator.
--
--     sqlite3 lbp.sqlite < Scripts/reference-decide.sql > ref.csv
--
-- Reads only the history tables (claim, claim_line, line_category, dx_event, eligibility_span);
-- writes nothing to the database (one SELECT inside a read transaction). Prints CSV:
--     claim_id,claim_line_number,outcome,reason,index_date
-- one row per imaging line, sorted by claim_id, claim_line_number; index_date is YYYY-MM-DD, empty
-- when the rules stop before the index date (rules 1-3).
--
-- Default policy settings, as in POLICY.md (change them in the `settings` and `exempt` CTEs):
--   index lookback 28 days, prior-LBP lookback 180 days, enrollment check on, lookback 180 days,
--   at most one gap of at most 45 days, red-flag window end I+28, trauma etc. lookback 1 year
--   (same month and day; Feb 29 -> Feb 28), no plan exempt.
--
-- Days are integer day numbers (days since 1970-01-01).

.bail on
.headers on
.mode csv
.separator "," "\n"
.nullvalue ''

BEGIN DEFERRED;

WITH RECURSIVE
settings(index_lookback, prior_days, enroll_check, enroll_lookback, max_gaps, max_gap_days,
         flag_after) AS (
    VALUES (28, 180, 1, 180, 1, 45, 28)
),
-- Plans exempt from the policy (rule 3): none by default. List one as  SELECT 'STATE-MANDATED'.
exempt(plan) AS (
    SELECT NULL WHERE 0
),
-- Red flags, in reason order (rule 7). lookback_years NULL: no lower bound ("any date").
red_flag(seq, reason, category, lookback_years) AS (
    VALUES (1, 'RED_FLAG_CANCER',           'CANCER',                NULL),
           (2, 'RED_FLAG_TRAUMA',           'TRAUMA',                1),
           (3, 'RED_FLAG_IV_DRUG_ABUSE',    'IV_DRUG_ABUSE',         1),
           (4, 'RED_FLAG_NEUROLOGIC',       'NEUROLOGIC_IMPAIRMENT', 1),
           (5, 'RED_FLAG_SPINAL_INFECTION', 'SPINAL_INFECTION',      1)
),

-- The periods of dx_event, first to last. The table is keyed by (period = day / 365, member,
-- category, day): every read below seeks once per period its window covers, as lbp does.
period(p) AS MATERIALIZED (
    SELECT min(period) FROM dx_event
    UNION ALL SELECT p + 1 FROM period WHERE p < (SELECT max(period) FROM dx_event)
),

-- The imaging lines with member, claim start and service date D.
imaging AS MATERIALIZED (
    SELECT cl.claim_id, cl.line_number, c.member_id, c.start_day AS start, cl.service_day AS d
    FROM (SELECT DISTINCT claim_id, line_number
          FROM line_category
          WHERE category IN ('IMAGING_XRAY', 'IMAGING_CT', 'IMAGING_MRI')) AS lc
    JOIN claim_line AS cl ON cl.claim_id = lc.claim_id AND cl.line_number = lc.line_number
    JOIN claim AS c ON c.claim_id = cl.claim_id
),

-- Rules 1-4 per line: primary LBP on the own claim, coverage on D, exempt plan on D, index date I.
step1 AS MATERIALIZED (
    SELECT l.*,
        -- (a claim's events are dated at its start)
        EXISTS (SELECT 1 FROM dx_event AS e
                WHERE e.period = l.start / 365 AND e.member_id = l.member_id AND e.category = 'LOW_BACK_PAIN'
                  AND e.day = l.start AND e.claim_id = l.claim_id AND e.position = 1) AS primary_lbp,
        EXISTS (SELECT 1 FROM eligibility_span AS s
                WHERE s.member_id = l.member_id AND s.start_day <= l.d
                  AND (s.end_day IS NULL OR s.end_day >= l.d)) AS covered,
        EXISTS (SELECT 1 FROM eligibility_span AS s JOIN exempt AS x ON x.plan = s.plan
                WHERE s.member_id = l.member_id AND s.start_day <= l.d
                  AND (s.end_day IS NULL OR s.end_day >= l.d)) AS plan_exempt,
        -- I = the earliest primary-LBP day in D-28 .. D; the own claim also counts at D.
        min(l.d, coalesce(
            (SELECT min(e.day) FROM settings AS st, period AS pp, dx_event AS e
             WHERE pp.p BETWEEN (l.d - st.index_lookback) / 365 AND l.d / 365
               AND e.period = pp.p AND e.member_id = l.member_id AND e.category = 'LOW_BACK_PAIN'
               AND e.day BETWEEN l.d - st.index_lookback AND l.d AND e.position = 1),
            l.d)) AS i
    FROM imaging AS l
),

-- Lines that reach rule 4 (index date), with their windows.
indexed AS MATERIALIZED (
    SELECT s1.claim_id, s1.line_number, s1.member_id, s1.d, s1.i,
        EXISTS (SELECT 1 FROM period AS pp, dx_event AS e
                WHERE pp.p BETWEEN (s1.i - st.prior_days) / 365 AND (s1.i - 1) / 365
                  AND e.period = pp.p AND e.member_id = s1.member_id AND e.category = 'LOW_BACK_PAIN'
                  AND e.day BETWEEN s1.i - st.prior_days AND s1.i - 1) AS prior_lbp,
        s1.i - st.enroll_lookback AS lo,     -- enrollment range lo .. hi (inclusive)
        s1.d AS hi,
        s1.i + st.flag_after AS flag_end,
        -- one year before I: same month and day, Feb 29 -> Feb 28
        CAST(strftime('%s',
            CASE WHEN strftime('%m-%d', s1.i * 86400, 'unixepoch') = '02-29'
                 THEN date(s1.i * 86400, 'unixepoch', '-1 year', '-1 day')
                 ELSE date(s1.i * 86400, 'unixepoch', '-1 year') END) AS INTEGER) / 86400
            AS year_before
    FROM step1 AS s1, settings AS st
    WHERE s1.primary_lbp AND s1.covered AND NOT s1.plan_exempt
),

-- Rule 6: the member's spans clipped to lo .. hi, ordered by start; the gap before each span is
-- its start minus one past the running maximum of the earlier ends (lo - 1 before the first).
clipped AS (
    SELECT x.claim_id, x.line_number, x.lo, x.hi,
        max(s.start_day, x.lo) AS s,
        min(coalesce(s.end_day, x.hi), x.hi) AS e
    FROM indexed AS x
    JOIN eligibility_span AS s
      ON s.member_id = x.member_id AND s.start_day <= x.hi
     AND (s.end_day IS NULL OR s.end_day >= x.lo)
    WHERE NOT x.prior_lbp
),
ordered AS (
    SELECT claim_id, line_number, lo, hi, s, e,
        max(e) OVER (PARTITION BY claim_id, line_number ORDER BY s, e
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
    FROM clipped
),
span_gaps AS (
    SELECT claim_id, line_number, hi,
        s - (coalesce(prev_end, lo - 1) + 1) AS gap,
        e
    FROM ordered
),
coverage AS (
    SELECT claim_id, line_number,
        sum(gap > 0) + (hi - max(e) > 0) AS gap_count,
        max(max(gap), hi - max(e)) AS longest_gap
    FROM span_gaps
    GROUP BY claim_id, line_number
),
enrollment AS (
    SELECT x.claim_id, x.line_number,
        CASE WHEN NOT st.enroll_check THEN 0
             WHEN c.claim_id IS NULL THEN 1             -- no span at all: one gap of the whole range
             WHEN c.gap_count > st.max_gaps OR c.longest_gap > st.max_gap_days THEN 1
             ELSE 0 END AS insufficient
    FROM indexed AS x
    CROSS JOIN settings AS st
    LEFT JOIN coverage AS c ON c.claim_id = x.claim_id AND c.line_number = x.line_number
    WHERE NOT x.prior_lbp
),

-- Rule 7: the first red flag (in order) with a dx event of the member in its window.
first_flag AS (
    SELECT x.claim_id, x.line_number,
        (SELECT f.reason FROM red_flag AS f
         WHERE EXISTS (SELECT 1 FROM period AS pp, dx_event AS e
                       WHERE pp.p <= x.flag_end / 365
                         AND (f.lookback_years IS NULL OR pp.p >= x.year_before / 365)
                         AND e.period = pp.p AND e.member_id = x.member_id AND e.category = f.category
                         AND e.day <= x.flag_end
                         AND (f.lookback_years IS NULL OR e.day >= x.year_before))
         ORDER BY f.seq LIMIT 1) AS reason
    FROM indexed AS x
    JOIN enrollment AS en ON en.claim_id = x.claim_id AND en.line_number = x.line_number
    WHERE NOT en.insufficient
)

SELECT s1.claim_id,
       s1.line_number AS claim_line_number,
       CASE WHEN s1.primary_lbp AND s1.covered AND NOT s1.plan_exempt AND NOT x.prior_lbp
                 AND NOT en.insufficient AND ff.reason IS NULL
            THEN 'DENY' ELSE 'ALLOW' END AS outcome,
       CASE WHEN NOT s1.primary_lbp THEN 'PRIMARY_DX_NOT_LBP'
            WHEN NOT s1.covered     THEN 'NO_COVERAGE'
            WHEN s1.plan_exempt     THEN 'PLAN_EXEMPT'
            WHEN x.prior_lbp        THEN 'PRIOR_LBP_DIAGNOSIS'
            WHEN en.insufficient    THEN 'INSUFFICIENT_ENROLLMENT'
            WHEN ff.reason IS NOT NULL THEN ff.reason
            ELSE 'LBP_IMAGING_WITHIN_28_DAYS' END AS reason,
       CASE WHEN x.claim_id IS NOT NULL THEN date(x.i * 86400, 'unixepoch') END AS index_date
FROM step1 AS s1
LEFT JOIN indexed    AS x  ON x.claim_id  = s1.claim_id AND x.line_number  = s1.line_number
LEFT JOIN enrollment AS en ON en.claim_id = s1.claim_id AND en.line_number = s1.line_number
LEFT JOIN first_flag AS ff ON ff.claim_id = s1.claim_id AND ff.line_number = s1.line_number
ORDER BY s1.claim_id, s1.line_number;

COMMIT;
