#!/usr/bin/env python3
"""(Re)write the shipped sample extracts in Samples/.

    python3 Scripts/make-samples.py [--out Samples] [--valuesets DIR] [--check]

Writes
    Samples/eligibility.csv
    Samples/medical_claim_2024_01.csv, _02.csv, _03.csv
    Samples/expected_decisions.csv   (every imaging line after all three months, default policy)
    Samples/README.md                (the scenario table, generated from the same data)

The sample is small and hand-designed: one member per scenario (M001 ...), every outcome and
reason code of POLICY.md, re-sent and voided claims, a red flag that arrives a month late, and a
few bad rows. The expected outcomes are written by hand in SCENARIOS below; the script also runs a
small reference implementation of INPUT.md and POLICY.md over the files it wrote and stops with an
error if the two disagree, so the files, the README and expected_decisions.csv cannot drift apart.

Value sets: read from --valuesets (default: Sources/ValueSets/data of this repository).
Python 3.11 standard library only; deterministic output.
"""

import argparse
import csv
import datetime as dt
import io
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PAYER = "Acme Health Plan"
DATA_SOURCE = "sample"
MONTH_FILES = ["medical_claim_2024_01.csv", "medical_claim_2024_02.csv",
               "medical_claim_2024_03.csv"]
FILE_DATES = {0: "2024-02-05", 1: "2024-03-05", 2: "2024-04-05"}

# Tuva v0.18 medical_claim columns used here (a subset, in Tuva's order) + claim_frequency_code.
CLAIM_COLUMNS = [
    "claim_id", "claim_line_number", "claim_type", "person_id", "member_id", "payer", "plan",
    "claim_start_date", "claim_end_date", "claim_line_start_date", "claim_line_end_date",
    "place_of_service_code", "bill_type_code", "revenue_center_code", "service_unit_quantity",
    "hcpcs_code", "hcpcs_modifier_1", "rendering_npi", "billing_npi", "facility_npi",
    "paid_date", "paid_amount", "allowed_amount", "charge_amount", "diagnosis_code_type",
    "diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3", "diagnosis_code_4",
    "data_source", "file_name", "file_date", "claim_frequency_code",
]
# Tuva v0.18 eligibility columns used here (a subset, in Tuva's order).
ELIGIBILITY_COLUMNS = [
    "person_id", "member_id", "subscriber_id", "gender", "race", "birth_date",
    "enrollment_start_date", "enrollment_end_date", "payer", "payer_type", "plan",
    "data_source", "file_name", "file_date",
]

PPO = "COMMERCIAL-PPO"
HMO = "COMMERCIAL-HMO"
STATE = "STATE-MANDATED"
OPEN = ""
DEFAULT_SPANS = [("2023-01-01", OPEN, PPO)]

# Prices per procedure code: (charge, allowed, paid)
PRICES = {
    "99203": (240.00, 138.50, 118.50), "99204": (365.00, 211.20, 191.20),
    "99213": (185.00, 108.75, 88.75), "99214": (270.00, 158.40, 138.40),
    "99284": (1450.00, 905.10, 805.10), "72100": (145.00, 61.35, 61.35),
    "72110": (190.00, 79.80, 79.80), "72131": (980.00, 262.45, 212.45),
    "72148": (1650.00, 418.90, 368.90), "90686": (48.00, 22.10, 22.10),
    "90471": (40.00, 24.90, 24.90), "80053": (62.00, 18.15, 18.15),
}

# --------------------------------------------------------------------------------------------
# The scenarios. A claim: id, file month (0 = January file, 1 = February, 2 = March), type,
# start date (as written), diagnoses (as written), lines [(hcpcs, line date or None, revenue)],
# and optional: pos, bill type, frequency code, end date, keep (lines kept on a re-send).
# Dates are ISO unless written otherwise on purpose.
# --------------------------------------------------------------------------------------------


def prof(cid, month, start, dx, lines, pos="11", freq="1", **kw):
    return dict(id=cid, month=month, type="professional", start=start, dx=dx,
                lines=[(h, start if d == "=" else d, "") for h, d in lines], pos=pos,
                freq=freq, **kw)


def inst(cid, month, start, dx, lines, bill="0131", freq="1", **kw):
    return dict(id=cid, month=month, type="institutional", start=start, dx=dx,
                lines=[(h, start if d == "=" else d, rev) for rev, h, d in lines], pos="",
                bill=bill, freq=freq, **kw)


SCENARIOS = [
    dict(member="M001", scenario="Imaging claim billed for hip pain (M25.551); LBP only as a "
         "secondary diagnosis on it and on a visit a week earlier",
         spans=DEFAULT_SPANS,
         claims=[prof("C00101", 0, "2024-01-05", ["M54.50"], [("99213", "=")]),
                 prof("C00102", 0, "2024-01-12", ["M25.551", "M54.50"], [("72100", "=")])],
         expect={("C00102", 1): ("ALLOW", "PRIMARY_DX_NOT_LBP")}),
    dict(member="M002", scenario="Coverage ended 2023-12-31 (the second eligibility row has the "
         "same key as the first and replaces its open end); LBP + MRI on 2024-01-08",
         spans=[("2023-01-01", OPEN, PPO), ("2023-01-01", "2023-12-31", PPO)],
         claims=[prof("C00201", 0, "2024-01-08", ["M54.41"], [("99214", "="), ("72148", "=")])],
         expect={("C00201", 2): ("ALLOW", "NO_COVERAGE")}),
    dict(member="M003", scenario="Plan STATE-MANDATED; LBP visit with an MRI on the same claim. "
         "ALLOW PLAN_EXEMPT only with a settings file listing STATE-MANDATED as exempt; by default "
         "the line goes on to the later rules and is denied",
         spans=[("2023-01-01", OPEN, STATE)],
         claims=[prof("C00301", 0, "2024-01-10", ["M54.50"], [("99203", "="), ("72148", "=")])],
         expect={("C00301", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")},
         exempt={("C00301", 2): ("ALLOW", "PLAN_EXEMPT")}),
    dict(member="M004", scenario="LBP 2024-01-03, x-ray claim with primary LBP on 2024-02-01 "
         "(29 days later): I = 2024-02-01, the January LBP is a prior diagnosis",
         spans=DEFAULT_SPANS,
         claims=[prof("C00401", 0, "2024-01-03", ["M54.51"], [("99213", "=")]),
                 prof("C00402", 1, "2024-02-01", ["M54.50"], [("72110", "=")])],
         expect={("C00402", 1): ("ALLOW", "PRIOR_LBP_DIAGNOSIS")}),
    dict(member="M005", scenario="LBP (M51.26) as a secondary diagnosis on a 2023-11-20 claim that "
         "arrives late in the January file; new LBP visit 2024-01-16; institutional x-ray "
         "2024-01-25 (revenue 0320)",
         spans=DEFAULT_SPANS,
         claims=[prof("C00501", 0, "2023-11-20", ["I10", "M51.26"], [("99214", "=")]),
                 prof("C00502", 0, "2024-01-16", ["M54.42"], [("99213", "=")]),
                 inst("C00503", 0, "2024-01-25", ["M54.42"], [("0320", "72100", "=")])],
         expect={("C00503", 1): ("ALLOW", "PRIOR_LBP_DIAGNOSIS")}),
    dict(member="M006", scenario="Enrolled only from 2023-11-01: LBP 2024-01-09, x-ray "
         "2024-01-20; the 180-day lookback (from 2023-07-13) has a 111-day gap",
         spans=[("2023-11-01", OPEN, PPO)],
         claims=[prof("C00601", 0, "2024-01-09", ["M54.50"], [("99203", "=")]),
                 prof("C00602", 0, "2024-01-20", ["M54.50"], [("72100", "=")])],
         expect={("C00602", 1): ("ALLOW", "INSUFFICIENT_ENROLLMENT")}),
    dict(member="M007", scenario="One 31-day gap (October 2023) and a plan change (PPO to HMO): "
         "still continuous; LBP visit with an x-ray on 2024-01-11",
         spans=[("2023-01-01", "2023-09-30", PPO), ("2023-11-01", OPEN, HMO)],
         claims=[prof("C00701", 0, "2024-01-11", ["M54.59"], [("99213", "="), ("72100", "=")])],
         expect={("C00701", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M008", scenario="Two short gaps (14 and 9 days) in the lookback: only one gap is "
         "allowed; LBP visit with an x-ray on 2024-01-15",
         spans=[("2023-01-01", "2023-08-31", PPO), ("2023-09-15", "2023-10-31", PPO),
                ("2023-11-10", OPEN, PPO)],
         claims=[prof("C00801", 0, "2024-01-15", ["M54.50"], [("99214", "="), ("72110", "=")])],
         expect={("C00801", 2): ("ALLOW", "INSUFFICIENT_ENROLLMENT")}),
    dict(member="M009", scenario="Breast cancer claim from 2023-03-15 (history in the January "
         "file); LBP 2024-01-10; MRI 2024-01-18",
         spans=DEFAULT_SPANS,
         claims=[prof("C00901", 0, "2023-03-15", ["C50.911"], [("99214", "=")]),
                 prof("C00902", 0, "2024-01-10", ["M54.50"], [("99213", "=")]),
                 prof("C00903", 0, "2024-01-18", ["M54.50"], [("72148", "=")])],
         expect={("C00903", 1): ("ALLOW", "RED_FLAG_CANCER")}),
    dict(member="M010", scenario="L1 fracture (S32.010A) in the emergency room 2024-01-02; LBP "
         "visit with an x-ray 2024-01-05",
         spans=DEFAULT_SPANS,
         claims=[prof("C01001", 0, "2024-01-02", ["S32.010A"], [("99284", "=")], pos="23"),
                 prof("C01002", 0, "2024-01-05", ["M54.50"], [("99213", "="), ("72100", "=")])],
         expect={("C01002", 2): ("ALLOW", "RED_FLAG_TRAUMA")}),
    dict(member="M011", scenario="LBP 2024-02-05, x-ray 2024-02-08 (both in the February file); "
         "a trauma claim dated 2024-02-15 (I+10) arrives only in the March file. After loading "
         "January + February the line is DENY; after March it is ALLOW RED_FLAG_TRAUMA",
         spans=DEFAULT_SPANS,
         claims=[prof("C01101", 1, "2024-02-05", ["M54.50"], [("99203", "=")]),
                 prof("C01102", 1, "2024-02-08", ["M54.50"], [("72100", "=")]),
                 prof("C01103", 2, "2024-02-15", ["S32.000A"], [("99214", "=")])],
         expect={("C01102", 1): ("ALLOW", "RED_FLAG_TRAUMA")},
         after_feb={("C01102", 1): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M012", scenario="LBP visit with an x-ray 2024-01-10 (I+28 = 2024-02-07); "
         "trauma dx on 2024-02-09 is outside the window",
         spans=DEFAULT_SPANS,
         claims=[prof("C01201", 0, "2024-01-10", ["M54.50"], [("99213", "="), ("72100", "=")]),
                 prof("C01202", 1, "2024-02-09", ["S32.010A"], [("99214", "=")])],
         expect={("C01201", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M013", scenario="Opioid dependence (F11.20) on 2023-01-22, exactly one year "
         "before I = 2024-01-22 (the window's first day)",
         spans=DEFAULT_SPANS,
         claims=[prof("C01301", 0, "2023-01-22", ["F11.20"], [("99214", "=")]),
                 prof("C01302", 0, "2024-01-22", ["M54.50"], [("99213", "="), ("72100", "=")])],
         expect={("C01302", 2): ("ALLOW", "RED_FLAG_IV_DRUG_ABUSE")}),
    dict(member="M014", scenario="Opioid dependence on 2023-01-21, one day before the window "
         "(I = 2024-01-22)",
         spans=DEFAULT_SPANS,
         claims=[prof("C01401", 0, "2023-01-21", ["F11.20"], [("99214", "=")]),
                 prof("C01402", 0, "2024-01-22", ["M54.50"], [("99213", "="), ("72100", "=")])],
         expect={("C01402", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M015", scenario="Cauda equina syndrome (G83.4) as the second diagnosis of the "
         "imaging claim itself (LBP primary), 2024-02-12",
         spans=DEFAULT_SPANS,
         claims=[prof("C01501", 1, "2024-02-12", ["M54.41", "G83.4"],
                      [("99204", "="), ("72148", "=")])],
         expect={("C01501", 2): ("ALLOW", "RED_FLAG_NEUROLOGIC")}),
    dict(member="M016", scenario="LBP 2024-02-06; institutional MRI 2024-02-09 (revenue 0610); "
         "vertebral osteomyelitis (M46.26) diagnosed 2024-02-26 = I+20",
         spans=DEFAULT_SPANS,
         claims=[prof("C01601", 1, "2024-02-06", ["M54.50"], [("99213", "=")]),
                 inst("C01602", 1, "2024-02-09", ["M54.50"], [("0610", "72148", "=")]),
                 prof("C01603", 1, "2024-02-26", ["M46.26", "M54.50"], [("99214", "=")])],
         expect={("C01602", 1): ("ALLOW", "RED_FLAG_SPINAL_INFECTION")}),
    dict(member="M017", scenario="Two red flags: injury (T07.XXXA) 2024-03-01 and difficulty "
         "walking (R26.2, neurologic) on the LBP visit 2024-03-04; CT 2024-03-11. Both are "
         "recorded; the reason is the first in order, trauma",
         spans=DEFAULT_SPANS,
         claims=[prof("C01701", 2, "2024-03-01", ["T07.XXXA"], [("99284", "=")], pos="23"),
                 prof("C01702", 2, "2024-03-04", ["M54.50", "R26.2"], [("99214", "=")]),
                 prof("C01703", 2, "2024-03-11", ["M54.50"], [("72131", "=")], pos="22")],
         expect={("C01703", 1): ("ALLOW", "RED_FLAG_TRAUMA")}),
    dict(member="M018", scenario="LBP visit 2024-01-08 coded 'M54.5' (retired code, with a dot); "
         "x-ray 2024-01-17 whose primary diagnosis is written 'm54.50' (lower case)",
         spans=DEFAULT_SPANS,
         claims=[prof("C01801", 0, "2024-01-08", ["M54.5"], [("99213", "=")]),
                 prof("C01802", 0, "2024-01-17", ["m54.50"], [("72100", "=")])],
         expect={("C01802", 1): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M019", scenario="LBP 2024-02-01; emergency-room claim 2024-02-20 (bill type "
         "0131, revenue 0450) with a CT line (revenue 0350) that has no claim_line_start_date: "
         "D = claim_start_date",
         spans=DEFAULT_SPANS,
         claims=[prof("C01901", 1, "2024-02-01", ["M54.50"], [("99213", "=")]),
                 inst("C01902", 1, "2024-02-20", ["M54.50", "R10.9"],
                      [("0450", "99284", "="), ("0350", "72131", None)])],
         expect={("C01902", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M020", scenario="LBP 2024-01-02; x-ray claim dated 20240130 (YYYYMMDD) exactly "
         "28 days later: still within",
         spans=DEFAULT_SPANS,
         claims=[prof("C02001", 0, "2024-01-02", ["M54.50"], [("99213", "=")]),
                 prof("C02002", 0, "20240130", ["M54.50"], [("72100", "=")])],
         expect={("C02002", 1): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M021", scenario="One claim (place of service 22) with two imaging lines, an "
         "x-ray and an MRI, 2024-03-05; each line gets its own decision",
         spans=DEFAULT_SPANS,
         claims=[prof("C02101", 2, "2024-03-05", ["M51.26"],
                      [("99213", "="), ("72100", "="), ("72148", "=")], pos="22")],
         expect={("C02101", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS"),
                 ("C02101", 3): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M022", scenario="January claim 2024-01-19 with two imaging lines (2: 72100, "
         "3: 72110), re-sent in February with claim_frequency_code 7 and only lines 1-2: line 3 "
         "is gone",
         spans=DEFAULT_SPANS,
         claims=[prof("C02201", 0, "2024-01-19", ["M54.50"],
                      [("99214", "="), ("72100", "="), ("72110", "=")]),
                 prof("C02201", 1, "2024-01-19", ["M54.50"], [("99214", "="), ("72100", "=")],
                      freq="7")],
         expect={("C02201", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")},
         gone="line 3 dropped by the February re-send (code 7)",
         after_jan={("C02201", 2): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS"),
                    ("C02201", 3): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M023", scenario="MRI claim 2024-02-09 (February file, DENY after February) "
         "voided in the March file (claim_frequency_code 8): no decision after March",
         spans=DEFAULT_SPANS,
         claims=[prof("C02301", 1, "2024-02-02", ["M54.50"], [("99213", "=")]),
                 prof("C02302", 1, "2024-02-09", ["M54.50"], [("72148", "=")]),
                 prof("C02302", 2, "2024-02-09", ["M54.50"], [("72148", "=")], freq="8")],
         expect={},
         gone="claim voided in the March file (code 8)",
         after_feb={("C02302", 1): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")}),
    dict(member="M024", scenario="LBP visit 2024-01-04 makes the 2024-02-10 x-ray ALLOW "
         "PRIOR_LBP_DIAGNOSIS after February; the March file voids that visit, so after March "
         "the x-ray is a new episode: DENY",
         spans=DEFAULT_SPANS,
         claims=[prof("C02401", 0, "2024-01-04", ["M54.50"], [("99213", "=")]),
                 prof("C02402", 1, "2024-02-10", ["M54.50"], [("72100", "=")]),
                 prof("C02401", 2, "2024-01-04", ["M54.50"], [("99213", "=")], freq="8")],
         expect={("C02402", 1): ("DENY", "LBP_IMAGING_WITHIN_28_DAYS")},
         after_feb={("C02402", 1): ("ALLOW", "PRIOR_LBP_DIAGNOSIS")}),
    dict(member="M025", scenario="No imaging: ordinary claims (a flu shot at a pharmacy, place of "
         "service 01) and the deliberately bad rows (see Rejects below)",
         spans=DEFAULT_SPANS,
         claims=[prof("C02501", 0, "2024-01-03", ["I10", "Z00.00"], [("99213", "="), ("80053", "=")]),
                 prof("C02502", 0, "2024-01-09", ["Z23"], [("90686", "="), ("90471", "=")],
                      pos="01"),
                 prof("C02503", 1, "2024-02-14", ["E11.9"], [("99214", "=")]),
                 prof("C02504", 1, "2024-02-21", ["J06.9"], [("99213", "=")]),
                 prof("C02505", 2, "2024-03-06", ["I10"], [("99213", "=")]),
                 prof("C02506", 2, "2024-03-12", ["E78.5"], [("80053", "=")])],
         expect={}),
]

# Deliberately bad rows: (file month, after claim id or None = end, how to corrupt, reason)
# A corruption applies to one line of a claim in SCENARIOS (by claim id, line, file month) or is
# a raw line appended to a file.
BAD_ROWS = [
    # January: claim C02501 line 2 gets claim_line_number 0 (the row is rejected, line 1 stays)
    dict(month=0, claim="C02501", line=2, column="claim_line_number", value="0",
         kind="bad_integer"),
    # February: C02503 line 1 has an impossible date; C02504 an unknown claim type
    dict(month=1, claim="C02503", line=1, column="claim_start_date", value="2024-02-30",
         kind="bad_date"),
    dict(month=1, claim="C02504", line=1, column="claim_type", value="dental",
         kind="bad_value"),
    # March: a ragged row (too few fields) and an eligibility row with an impossible date
    dict(month=2, raw="C02507,1,professional,P025,M025,%s,%s,2024-03-20" % (PAYER, PPO),
         kind="malformed_row"),
]
BAD_ELIGIBILITY = dict(member="M025", start="2023-13-01", end="", plan=PPO, kind="bad_date")

PERSONS = {  # member -> (gender, race, birth date)
    "M001": ("female", "white", "1971-04-12"), "M002": ("male", "white", "1965-09-30"),
    "M003": ("female", "black or african american", "1980-02-14"),
    "M004": ("male", "asian", "1975-07-07"), "M005": ("female", "white", "1958-11-23"),
    "M006": ("male", "white", "1990-01-19"), "M007": ("female", "unknown", "1983-06-02"),
    "M008": ("male", "white", "1969-12-11"), "M009": ("female", "white", "1955-03-28"),
    "M010": ("male", "black or african american", "1992-08-16"),
    "M011": ("female", "white", "1987-10-05"), "M012": ("male", "other race", "1978-05-21"),
    "M013": ("male", "white", "1984-09-09"), "M014": ("female", "white", "1986-01-31"),
    "M015": ("male", "white", "1961-02-27"), "M016": ("female", "asian", "1973-12-01"),
    "M017": ("male", "white", "1999-07-15"), "M018": ("female", "white", "1966-04-04"),
    "M019": ("male", "unknown", "1970-10-10"), "M020": ("female", "white", "1994-03-03"),
    "M021": ("male", "white", "1959-06-18"), "M022": ("female", "white", "1977-08-08"),
    "M023": ("male", "black or african american", "1981-11-11"),
    "M024": ("female", "white", "1968-02-02"), "M025": ("male", "white", "1950-05-05"),
}

EXEMPT_PLANS = {STATE}

# --------------------------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------------------------


def npi(seed):
    return "1%09d" % (seed * 7919 % 1000000000)


def claim_rows(claim, member, file_month):
    person = "P" + member[1:]
    rows = []
    plan = plan_of(member, claim["start"])
    for n, (hcpcs, line_date, rev) in enumerate(claim["lines"], 1):
        charge, allowed, paid = PRICES[hcpcs]
        if claim["type"] == "institutional":
            charge, allowed, paid = charge * 2.4, allowed * 2.2, paid * 2.2
        start = claim["start"]
        end = claim.get("end", start)
        seed = int(re.sub(r"\D", "", claim["id"])) + n
        paid_day = to_date(start) + dt.timedelta(days=21)
        dx = claim["dx"] + [""] * (4 - len(claim["dx"]))
        row = {
            "claim_id": claim["id"], "claim_line_number": str(n), "claim_type": claim["type"],
            "person_id": person, "member_id": member, "payer": PAYER, "plan": plan,
            "claim_start_date": start, "claim_end_date": end,
            "claim_line_start_date": line_date or "", "claim_line_end_date": line_date or "",
            "place_of_service_code": claim.get("pos", ""),
            "bill_type_code": claim.get("bill", ""), "revenue_center_code": rev,
            "service_unit_quantity": "1", "hcpcs_code": hcpcs,
            "hcpcs_modifier_1": "26" if hcpcs in ("72148",) and claim["type"] == "professional"
            and claim.get("pos") == "22" else "",
            "rendering_npi": npi(seed), "billing_npi": npi(seed + 1000),
            "facility_npi": npi(seed + 5000) if claim["type"] == "institutional" else "",
            "paid_date": paid_day.isoformat() if claim["freq"] != "8" else "",
            "paid_amount": "%.2f" % paid, "allowed_amount": "%.2f" % allowed,
            "charge_amount": "%.2f" % charge, "diagnosis_code_type": "icd-10-cm",
            "diagnosis_code_1": dx[0], "diagnosis_code_2": dx[1], "diagnosis_code_3": dx[2],
            "diagnosis_code_4": dx[3], "data_source": DATA_SOURCE,
            "file_name": MONTH_FILES[file_month], "file_date": FILE_DATES[file_month],
            "claim_frequency_code": claim["freq"],
        }
        rows.append(row)
    return rows


def plan_of(member, start):
    sc = SCEN_BY_MEMBER[member]
    d = to_date(start)
    for (s, e, plan) in reversed(sc["spans"]):
        if to_date(s) <= d and (e == OPEN or d <= to_date(e)):
            return plan
    return sc["spans"][-1][2]


def to_date(s):
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return dt.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    if re.fullmatch(r"\d{8}", s):
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    raise ValueError("bad date %r" % s)


SCEN_BY_MEMBER = {sc["member"]: sc for sc in SCENARIOS}


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        if isinstance(r, str):
            buf.write(r + "\n")
        else:
            w.writerow([r.get(c, "") for c in header])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())


def build_files(out):
    os.makedirs(out, exist_ok=True)
    # eligibility
    rows = []
    for sc in SCENARIOS:
        m = sc["member"]
        g, race, birth = PERSONS[m]
        for (s, e, plan) in sc["spans"]:
            rows.append({"person_id": "P" + m[1:], "member_id": m, "subscriber_id": m,
                         "gender": g, "race": race, "birth_date": birth,
                         "enrollment_start_date": s, "enrollment_end_date": e, "payer": PAYER,
                         "payer_type": "commercial", "plan": plan, "data_source": DATA_SOURCE,
                         "file_name": "eligibility.csv", "file_date": "2024-04-05"})
        if m == BAD_ELIGIBILITY["member"]:
            bad = dict(rows[-1])
            bad["enrollment_start_date"] = BAD_ELIGIBILITY["start"]
            bad["enrollment_end_date"] = BAD_ELIGIBILITY["end"]
            rows.append(bad)
    write_csv(os.path.join(out, "eligibility.csv"), ELIGIBILITY_COLUMNS, rows)
    # claims, month by month, in scenario order
    for month, name in enumerate(MONTH_FILES):
        rows = []
        for sc in SCENARIOS:
            for claim in sc["claims"]:
                if claim["month"] != month:
                    continue
                for row in claim_rows(claim, sc["member"], month):
                    for bad in BAD_ROWS:
                        if bad.get("claim") == claim["id"] and bad["month"] == month and \
                                str(bad["line"]) == row["claim_line_number"]:
                            row[bad["column"]] = bad["value"]
                    rows.append(row)
        for bad in BAD_ROWS:
            if bad["month"] == month and "raw" in bad:
                rows.append(bad["raw"])
        write_csv(os.path.join(out, name), CLAIM_COLUMNS, rows)


# --------------------------------------------------------------------------------------------
# Reference implementation (INPUT.md row rules, POLICY.md decision), small and slow on purpose
# --------------------------------------------------------------------------------------------

def norm_code(s):
    return s.strip().upper().replace(".", "")


def load_value_sets(folder):
    sets = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv") and name != "PROVENANCE.csv":
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    sets.setdefault(row["value_set"], set()).add(norm_code(row["code"]))
    return sets


def parse_date_field(v):
    v = v.strip()
    try:
        return to_date(v)
    except ValueError:
        return None


class Store:
    def __init__(self):
        self.claims = {}        # claim_id -> claim
        self.eligibility = {}   # (member, start, payer, plan) -> (start, end, plan)
        self.loads = []         # (file, read, loaded, rejected)
        self.rejects = []       # (file, line, column, kind)

    def load_eligibility(self, path):
        read = loaded = 0
        name = os.path.basename(path)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            r = csv.reader(fh)
            header = [h.strip().lower() for h in next(r)]
            for row in r:
                read += 1
                line = r.line_num
                if len(row) != len(header):
                    self.rejects.append((name, line, "", "malformed_row"))
                    continue
                f = {h: v.strip() for h, v in zip(header, row)}
                member = f.get("member_id", f.get("person_id", ""))
                if not member:
                    self.rejects.append((name, line, "member_id", "empty_required"))
                    continue
                s = parse_date_field(f["enrollment_start_date"])
                if s is None:
                    self.rejects.append((name, line, "enrollment_start_date",
                                         "bad_date" if f["enrollment_start_date"] else
                                         "empty_required"))
                    continue
                e = None
                if f.get("enrollment_end_date"):
                    e = parse_date_field(f["enrollment_end_date"])
                    if e is None:
                        self.rejects.append((name, line, "enrollment_end_date", "bad_date"))
                        continue
                    if e < s:
                        self.rejects.append((name, line, "enrollment_end_date",
                                             "end_before_start"))
                        continue
                key = (member, s, f.get("payer", ""), f.get("plan", ""))
                self.eligibility.pop(key, None)  # a later row replaces (and moves to the end)
                self.eligibility[key] = (s, e, f.get("plan", ""))
                loaded += 1
        self.loads.append((name, read, loaded, read - loaded))

    def load_claims(self, path):
        read = loaded = 0
        name = os.path.basename(path)
        accepted = {}  # claim_id -> list of (line, fields)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            r = csv.reader(fh)
            header = [h.strip().lower() for h in next(r)]
            for row in r:
                read += 1
                line = r.line_num
                if len(row) != len(header):
                    self.rejects.append((name, line, "", "malformed_row"))
                    continue
                f = {h: v.strip() for h, v in zip(header, row)}
                if "member_id" not in header:
                    f["member_id"] = f.get("person_id", "")
                err = None
                for col in ("claim_id", "claim_line_number", "claim_type", "member_id",
                            "claim_start_date", "diagnosis_code_1"):
                    if not f.get(col):
                        err = (col, "empty_required")
                        break
                if not err:
                    for col in ("claim_start_date", "claim_end_date", "claim_line_start_date"):
                        if f.get(col) and parse_date_field(f[col]) is None:
                            err = (col, "bad_date")
                            break
                if not err and not (f["claim_line_number"].isdigit()
                                    and int(f["claim_line_number"]) > 0):
                    err = ("claim_line_number", "bad_integer")
                if not err and f["claim_type"].lower() not in ("professional", "institutional",
                                                               "undetermined"):
                    err = ("claim_type", "bad_value")
                if err:
                    self.rejects.append((name, line, err[0], err[1]))
                    continue
                accepted.setdefault(f["claim_id"], []).append((line, f))
        for cid, rows in accepted.items():
            seen, keep = set(), []
            for line, f in rows:
                n = int(f["claim_line_number"])
                if n in seen:
                    self.rejects.append((name, line, "claim_line_number", "duplicate_line"))
                    continue
                seen.add(n)
                keep.append((line, f))
            hdr = {(f["claim_type"].lower(), f["member_id"], parse_date_field(f["claim_start_date"]))
                   for _, f in keep}
            if len(hdr) > 1:
                for line, _ in keep:
                    self.rejects.append((name, line, "", "inconsistent_header"))
                continue
            loaded += len(keep)
            if any(f.get("claim_frequency_code") == "8" for _, f in keep):
                self.claims.pop(cid, None)
                continue
            first = min(keep, key=lambda x: int(x[1]["claim_line_number"]))[1]
            icd9 = first.get("diagnosis_code_type", "").lower() == "icd-9-cm"
            dx = [norm_code(first.get("diagnosis_code_%d" % i, "")) for i in range(1, 26)]
            lines = {}
            for _, f in keep:
                ld = parse_date_field(f["claim_line_start_date"]) if f.get(
                    "claim_line_start_date") else None
                lines[int(f["claim_line_number"])] = (norm_code(f.get("hcpcs_code", "")), ld)
            self.claims[cid] = dict(member=first["member_id"], type=first["claim_type"].lower(),
                                    start=parse_date_field(first["claim_start_date"]),
                                    dx=[] if icd9 else dx, icd9=icd9, lines=lines)
        self.loads.append((name, read, loaded, read - loaded))


def one_year_before(d):
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # Feb 29
        return d.replace(year=d.year - 1, day=28)


def decide(store, vs, exempt=frozenset(), lookback=180, max_gap=45):
    imaging = vs["IMAGING_XRAY"] | vs["IMAGING_CT"] | vs["IMAGING_MRI"]
    lbp = vs["LOW_BACK_PAIN"]
    flags = [("RED_FLAG_CANCER", "CANCER", None),
             ("RED_FLAG_TRAUMA", "TRAUMA", "year"),
             ("RED_FLAG_IV_DRUG_ABUSE", "IV_DRUG_ABUSE", "year"),
             ("RED_FLAG_NEUROLOGIC", "NEUROLOGIC_IMPAIRMENT", "year"),
             ("RED_FLAG_SPINAL_INFECTION", "SPINAL_INFECTION", "year")]
    by_member = {}
    for cid, c in store.claims.items():
        by_member.setdefault(c["member"], []).append((cid, c))
    spans = {}
    for (member, _, _, _), v in store.eligibility.items():
        spans.setdefault(member, []).append(v)
    out = {}
    for cid in sorted(store.claims):
        c = store.claims[cid]
        for n in sorted(c["lines"]):
            hcpcs, ld = c["lines"][n]
            if hcpcs not in imaging:
                continue
            D = ld or c["start"]
            m = c["member"]
            key = (cid, n)
            if not c["dx"] or c["dx"][0] not in lbp:
                out[key] = (m, "ALLOW", "PRIMARY_DX_NOT_LBP")
                continue
            covering = [s for s in spans.get(m, []) if s[0] <= D and (s[1] is None or D <= s[1])]
            if not covering:
                out[key] = (m, "ALLOW", "NO_COVERAGE")
                continue
            if any(s[2] in exempt for s in covering):
                out[key] = (m, "ALLOW", "PLAN_EXEMPT")
                continue
            hist = by_member.get(m, [])
            cands = [D] + [h["start"] for _, h in hist
                           if h["dx"] and h["dx"][0] in lbp
                           and D - dt.timedelta(days=28) <= h["start"] <= D]
            I = min(cands)
            lo = I - dt.timedelta(days=lookback)
            if any(code in lbp and lo <= h["start"] <= I - dt.timedelta(days=1)
                   for _, h in hist for code in h["dx"] if code):
                out[key] = (m, "ALLOW", "PRIOR_LBP_DIAGNOSIS")
                continue
            # continuous enrollment from I - lookback through D
            gaps, run, day = [], 0, lo
            while day <= D:
                cov = any(s[0] <= day and (s[1] is None or day <= s[1]) for s in spans[m])
                if cov:
                    if run:
                        gaps.append(run)
                    run = 0
                else:
                    run += 1
                day += dt.timedelta(days=1)
            if run:
                gaps.append(run)
            if len(gaps) > 1 or any(g > max_gap for g in gaps):
                out[key] = (m, "ALLOW", "INSUFFICIENT_ENROLLMENT")
                continue
            end = I + dt.timedelta(days=28)
            reason = None
            for code_name, vset, window in flags:
                start = None if window is None else one_year_before(I)
                hit = any(code in vs[vset] and (start is None or start <= h["start"])
                          and h["start"] <= end for _, h in hist for code in h["dx"] if code)
                if hit:
                    reason = code_name
                    break
            if reason:
                out[key] = (m, "ALLOW", reason)
            else:
                out[key] = (m, "DENY", "LBP_IMAGING_WITHIN_28_DAYS")
    return out


def run_reference(out, vs, months, exempt=frozenset()):
    st = Store()
    st.load_eligibility(os.path.join(out, "eligibility.csv"))
    for mi in range(months):
        st.load_claims(os.path.join(out, MONTH_FILES[mi]))
    return st, decide(st, vs, exempt)


def expected(stage):
    """The hand-written expectations for a stage: 'jan', 'feb', 'all' or 'exempt'.

    After January (February), a scenario's expectation is its after_jan (after_feb) entry when
    it has one, else its final expectation for the imaging claims already loaded by then.
    """
    res = {}
    last = {"jan": 0, "feb": 1}.get(stage, 2)
    for sc in SCENARIOS:
        exp = dict(sc["expect"])
        if stage == "exempt":
            exp.update(sc.get("exempt", {}))
        elif stage == "jan" and "after_jan" in sc:
            exp = dict(sc["after_jan"])
        elif stage in ("jan", "feb") and "after_feb" in sc:
            exp = dict(sc["after_feb"])
        loaded = {c["id"] for c in sc["claims"] if c["month"] <= last}
        for k, v in exp.items():
            if k[0] in loaded:
                res[k] = (sc["member"],) + v
    return res


def compare(label, got, want):
    ok = True
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            print("make-samples: %s: %s line %d: reference %s, expected %s"
                  % (label, k[0], k[1], got.get(k), want.get(k)), file=sys.stderr)
            ok = False
    return ok


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------

README_HEAD = """# Sample extracts

A small, hand-designed claims book for trying the engine and for tests. Generated by
`python3 Scripts/make-samples.py` (which also checks every outcome below against a small
reference implementation of INPUT.md and POLICY.md); do not edit the CSV files by hand.

| file | what |
|---|---|
| `eligibility.csv` | one row per enrollment span (Tuva `eligibility` columns, a subset) |
| `medical_claim_2024_01.csv` | January file (Tuva `medical_claim` columns, a subset, plus `claim_frequency_code`) |
| `medical_claim_2024_02.csv` | February file: new claims, one re-sent January claim (code 7) |
| `medical_claim_2024_03.csv` | March file: new claims, a late trauma diagnosis, two voids (code 8) |
| `expected_decisions.csv` | every imaging line after all three months are loaded, default policy |

Load `eligibility.csv`, then the three claim files **in month order**, then decide (the
repository README's first command does exactly this). Everyone is enrolled from 2023-01-01,
open-ended, on plan COMMERCIAL-PPO of payer "Acme Health Plan", unless the scenario says
otherwise. The sample covers every outcome and reason code of POLICY.md; `PLAN_EXEMPT` only with a
settings file that lists the plan `STATE-MANDATED` as exempt (no plan is exempt by default: M003's
line then goes on to the later rules and is denied).

What it exercises besides the rules: codes with dots and in lower case (`M54.5`, `m54.50`,
`S32.010A`), a `YYYYMMDD` date (`20240130`), codes with leading zeros (`revenue_center_code`
`0450`, `bill_type_code` `0131`, `place_of_service_code` `01`), an institutional imaging line with
an empty `claim_line_start_date`, a claim with two imaging lines, a re-sent claim with fewer lines,
voids, a history claim from 2023 arriving in the January file, an eligibility row that replaces an
earlier one with the same key, and rejected rows.

Regenerate with `python3 Scripts/make-samples.py`: it rewrites these files, re-derives every
decision below with its own small reference loader and decider, and stops with an error if one
disagrees with the outcome written into the scenario. For a large synthetic book (all Tuva
columns, millions of lines) use `python3 Scripts/generate-extracts.py --out DIR --members 30000
--months 36`.
"""


def readme(out, after_jan, after_feb, after_all, exempt_res, store):
    L = [README_HEAD, "## Scenarios\n",
         "Outcome after all three months with the default policy (as in `expected_decisions.csv`); "
         "where it differs, the outcome after an earlier month or with the exempt plan is noted.\n",
         "| member | scenario | imaging line (claim id / line) | expected outcome | reason |",
         "|---|---|---|---|---|"]
    for sc in SCENARIOS:
        m = sc["member"]
        keys = sorted(set(k for k in list(sc["expect"]) + list(sc.get("after_feb", {}))
                          + list(sc.get("after_jan", {}))))
        if not keys:
            L.append("| %s | %s | none | - | - |" % (m, sc["scenario"]))
            continue
        for k in keys:
            final = after_all.get(k)
            notes = []
            if final is None:
                outcome, reason = "no decision", sc.get("gone", "line no longer loaded")
            else:
                outcome, reason = final[1], final[2]
            if "after_feb" in sc and after_feb.get(k) != final:
                f = after_feb.get(k)
                notes.append("after Jan+Feb: %s" % ("%s %s" % (f[1], f[2]) if f else "no decision"))
            if "after_jan" in sc and after_jan.get(k) != after_feb.get(k) and after_jan.get(k):
                j = after_jan[k]
                notes.append("after Jan only: %s %s" % (j[1], j[2]))
            if "exempt" in sc and exempt_res.get(k) != final and exempt_res.get(k):
                e = exempt_res[k]
                notes.append("with STATE-MANDATED exempt: %s %s" % (e[1], e[2]))
            reason_cell = reason + ("" if not notes else " (" + "; ".join(notes) + ")")
            L.append("| %s | %s | %s / %d | %s | %s |" % (m, sc["scenario"], k[0], k[1], outcome,
                                                          reason_cell))
    counts = {}
    for k, v in after_all.items():
        counts[v[1:]] = counts.get(v[1:], 0) + 1
    L += ["", "## Outcome counts after all three months (default policy)\n",
          "| outcome | reason | lines |", "|---|---|---|"]
    for (o, r), n in sorted(counts.items()):
        L.append("| %s | %s | %d |" % (o, r, n))
    L += ["", "## Loads\n", "Expected counts when the files are loaded in this order:\n",
          "| file | read | loaded | rejected |", "|---|---|---|---|"]
    for name, read, loaded, rej in store.loads:
        L.append("| %s | %d | %d | %d |" % (name, read, loaded, rej))
    L += ["", "## Rejects\n", "| file | line | column | error kind | what |", "|---|---|---|---|---|"]
    what = {
        "bad_integer": "claim_line_number 0 (the claim's other line loads)",
        "bad_date": "an impossible date",
        "bad_value": "unknown claim_type `dental`",
        "malformed_row": "ragged row: fewer fields than the header",
    }
    for name, line, col, kind in store.rejects:
        extra = what.get(kind, "")
        if name == "eligibility.csv" and kind == "bad_date":
            extra = "enrollment_start_date `2023-13-01`"
        elif kind == "bad_date":
            extra = "claim_start_date `2024-02-30`"
        L.append("| %s | %d | %s | %s | %s |" % (name, line, col or "-", kind, extra))
    L += ["", "Line numbers count the header as line 1. The reference loader in "
          "`Scripts/make-samples.py` reports the first problem of a row; an engine may name "
          "another column when a row has several problems (none here has more than one).", ""]
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(L))


def find_valuesets(arg):
    for cand in ([arg] if arg else []) + [os.path.join(ROOT, "Sources", "ValueSets", "data")]:
        if cand and os.path.isfile(os.path.join(cand, "LOW_BACK_PAIN.csv")):
            return cand
    return None


def main(argv=None):
    p = argparse.ArgumentParser(description="Write the sample extracts in Samples/.")
    p.add_argument("--out", default=os.path.join(ROOT, "Samples"))
    p.add_argument("--valuesets", help="value-set folder (LOW_BACK_PAIN.csv ...)")
    args = p.parse_args(argv)
    folder = find_valuesets(args.valuesets)
    if not folder:
        print("make-samples: no value-set folder found (use --valuesets)", file=sys.stderr)
        return 2
    vs = load_value_sets(folder)
    build_files(args.out)
    _, after_jan = run_reference(args.out, vs, 1)
    _, after_feb = run_reference(args.out, vs, 2)
    store, after_all = run_reference(args.out, vs, 3)
    _, exempt_res = run_reference(args.out, vs, 3, exempt=frozenset(EXEMPT_PLANS))
    ok = compare("after January", after_jan, expected("jan"))
    ok &= compare("after February", after_feb, expected("feb"))
    ok &= compare("after March", after_all, expected("all"))
    ok &= compare("STATE-MANDATED exempt", exempt_res, expected("exempt"))
    reasons = {v[2] for v in after_all.values()} | {v[2] for v in exempt_res.values()}
    all_reasons = {"PRIMARY_DX_NOT_LBP", "NO_COVERAGE", "PLAN_EXEMPT", "PRIOR_LBP_DIAGNOSIS",
                   "INSUFFICIENT_ENROLLMENT", "RED_FLAG_CANCER", "RED_FLAG_TRAUMA",
                   "RED_FLAG_IV_DRUG_ABUSE", "RED_FLAG_NEUROLOGIC", "RED_FLAG_SPINAL_INFECTION",
                   "LBP_IMAGING_WITHIN_28_DAYS"}
    if all_reasons - reasons:
        print("make-samples: reasons not covered: %s" % sorted(all_reasons - reasons),
              file=sys.stderr)
        ok = False
    if not ok:
        return 1
    with open(os.path.join(args.out, "expected_decisions.csv"), "w", encoding="utf-8",
              newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["claim_id", "claim_line_number", "member_id", "outcome", "reason"])
        for (cid, n), (m, o, r) in sorted(after_all.items()):
            w.writerow([cid, n, m, o, r])
    readme(args.out, after_jan, after_feb, after_all, exempt_res, store)
    rows = sum(r for _, r, _, _ in store.loads)
    print("make-samples: wrote %s (%d members, %d rows, %d imaging decisions, value sets from %s)"
          % (args.out, len(SCENARIOS), rows, len(after_all), folder), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
