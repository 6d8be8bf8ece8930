#!/usr/bin/env python3
"""Generate a synthetic claims book (eligibility + monthly medical_claim extracts).

The files follow the Tuva Project v0.18 input layer (`eligibility`, `medical_claim`), every
column in Tuva's order, plus one extra column at the end of medical_claim:
`claim_frequency_code` (X12 CLM05-3: 1 original, 7 replacement, 8 void), which Tuva does not have.

    python3 Scripts/generate-extracts.py --out /tmp/book --members 50000 --months 36 --start 2023-01

writes
    OUT/eligibility.csv
    OUT/medical_claim_YYYY_MM.csv     (one per month; .csv.gz with --gzip)

What is in the book (all synthetic; no real person, provider or claim):
  * eligibility: one or more spans per member; most enrolled before the book starts, some joining
    mid-book; some with a short gap (<= 45 days), some with a long gap (> 45 days), some termed,
    some changing plan. One plan is named STATE-MANDATED (a candidate for PLAN_EXEMPT).
  * claims: about 2 claim lines per member per month (or --lines-per-month-target lines a month),
    80 % professional (place_of_service_code 11, 22, 02, ...), 20 % institutional (bill_type_code
    0131, 0851, 0111 ...; revenue_center_code 0450, 0320 ... with their leading zeros), 1-6 lines a
    claim, 1-6 ICD-10-CM diagnoses from a generic pool, sometimes written with a dot (E11.9).
  * low back pain episodes for about 5 % of members: a visit with a primary LBP diagnosis, often a
    lumbar imaging line (x-ray / CT / MRI CPT) 0-40 days later (professional or institutional,
    some institutional lines without claim_line_start_date), follow-up visits, sometimes a red flag
    (cancer, trauma, IV drug abuse, neurologic impairment, spinal infection) before or after, and
    sometimes an earlier LBP diagnosis 100-250 days before.
  * claims that arrive late (a claim of month m in the file of month m+1 or m+2), re-sent
    replacements (claim_frequency_code 7, same claim_id, sometimes fewer lines, about 1 % of claims)
    and voids (code 8, about 0.2 %), and about 0.05 % bad rows (impossible date, claim_line_number
    0, unknown claim_type) so that the loader has something to reject.

Deterministic: the same arguments and --seed give the same bytes (gzip too: no name, mtime 0,
level 1 for speed). Streams month by month in bounded memory: what is kept is per member (spans,
planned LBP episodes) plus the rows of late and re-sent claims waiting for a later file (a few
percent of a month), never the book.

Rows are written as pre-joined strings (the csv module is used for the header and eligibility):
no generated value contains a comma, a quote or a line break, so the output is plain RFC 4180 CSV
that needs no quoting (--self-check re-reads every file with the csv module and counts fields).

Measured (Python 3.11, 2 cores): --members 30000 --months 36 writes 2.13 M claim lines (956 MB)
in 16-19 s, 110-135 k rows/s, under 100 MB of memory; --members 50000 --months 36 writes
3.56 M lines (1.6 GB) in 32 s. With --gzip (level 1) about 97 k rows/s and 105 MB for 30000.

Column lists: MEDICAL_CLAIM_COLUMNS and ELIGIBILITY_COLUMNS below are Tuva v0.18's, in Tuva's
order (tuva-health/tuva: integration_tests/models/medical_claim.sql and the input-layer YAML for
medical_claim; the normalized-input eligibility staging model and the v0.18.0 release, PR #1271,
for eligibility: snp_type and eight CMS risk-adjustment columns).
Python 3.11 standard library only.
"""

import argparse
import bisect
import csv
import datetime as dt
import gzip
import io
import math
import os
import random
import sys
import time

# --------------------------------------------------------------------------------------------
# Column lists (Tuva Project input layer, v0.18)
# --------------------------------------------------------------------------------------------

MEDICAL_CLAIM_COLUMNS = (
    ["claim_id", "claim_line_number", "claim_type", "person_id", "member_id", "payer", "plan",
     "claim_start_date", "claim_end_date", "claim_line_start_date", "claim_line_end_date",
     "admission_date", "discharge_date", "admit_source_code", "admit_type_code",
     "discharge_disposition_code", "place_of_service_code", "bill_type_code", "drg_code_type",
     "drg_code", "revenue_center_code", "service_unit_quantity", "hcpcs_code"]
    + ["hcpcs_modifier_%d" % i for i in range(1, 6)]
    + ["rendering_npi", "rendering_tin", "billing_npi", "billing_tin", "facility_npi",
       "paid_date", "paid_amount", "allowed_amount", "charge_amount", "coinsurance_amount",
       "copayment_amount", "deductible_amount", "total_cost_amount", "diagnosis_code_type"]
    + ["diagnosis_code_%d" % i for i in range(1, 26)]
    + ["diagnosis_poa_%d" % i for i in range(1, 26)]
    + ["procedure_code_type"]
    + ["procedure_code_%d" % i for i in range(1, 26)]
    + ["procedure_date_%d" % i for i in range(1, 26)]
    + ["in_network_flag", "data_source", "file_name", "file_date", "ingest_datetime"]
)
EXTRA_CLAIM_COLUMNS = ["claim_frequency_code"]  # not in Tuva
CLAIM_HEADER = MEDICAL_CLAIM_COLUMNS + EXTRA_CLAIM_COLUMNS

ELIGIBILITY_COLUMNS = [
    "person_id", "member_id", "subscriber_id", "gender", "race", "birth_date", "death_date",
    "death_flag", "enrollment_start_date", "enrollment_end_date", "payer", "payer_type", "plan",
    "original_reason_entitlement_code", "dual_status_code", "medicare_status_code",
    "enrollment_status", "hospice_flag", "snp_type", "medicaid_indicator",
    "long_term_institutional_flag", "part_d_raf_type", "low_income_subsidy_indicator",
    "metal_level", "csr_indicator", "enrollment_duration_months", "esrd_status",
    "transplant_duration_months", "group_id", "group_name", "name_suffix", "first_name",
    "middle_name", "last_name", "social_security_number", "subscriber_relation", "address",
    "city", "state", "zip_code", "phone", "email", "ethnicity", "data_source", "file_name",
    "file_date", "ingest_datetime",
]

DATA_SOURCE = "synthetic_book"
PAYER = "Acme Health Plan"

# --------------------------------------------------------------------------------------------
# Code pools. Every LBP / imaging / red-flag code below is in the matching value set of
# Sources/ValueSets/data (checked with --self-check --valuesets Sources/ValueSets/data).
# --------------------------------------------------------------------------------------------

# (code without dot, weight)
GENERIC_DX = [
    ("I10", 100), ("E119", 55), ("E785", 60), ("Z0000", 45), ("Z0001", 20), ("J069", 40),
    ("Z23", 35), ("E039", 20), ("F419", 22), ("F329", 20), ("K219", 20), ("J309", 12),
    ("N390", 15), ("M25561", 10), ("M79604", 6), ("R109", 10), ("R0602", 6), ("R519", 10),
    ("G4733", 10), ("E669", 18), ("Z1231", 15), ("Z1211", 8), ("J449", 10), ("J45909", 10),
    ("E1165", 10), ("I2510", 10), ("I4891", 8), ("N1830", 6), ("D649", 8), ("R7303", 10),
    ("Z79899", 18), ("Z87891", 8), ("M1990", 6), ("M1711", 6), ("M542", 8), ("L309", 5),
    ("B349", 8), ("R051", 10), ("R1084", 5), ("K5900", 6), ("F17210", 8), ("F900", 5),
    ("G43909", 6), ("M5416", 3),
    # background low back pain (counts as LBP history) and background red flags
    ("M5450", 6), ("M545", 2), ("M5459", 2), ("S335XXA", 1), ("M47816", 2),
    ("Z853", 2), ("C50911", 1), ("C61", 1), ("Z8546", 1), ("F1120", 1), ("R262", 1),
]

LBP_DX = [
    ("M5450", 20), ("M545", 4), ("M5451", 3), ("M5459", 5), ("M5441", 6), ("M5442", 6),
    ("M5440", 3), ("M5430", 3), ("M5126", 3), ("M5127", 2), ("M5136", 2), ("M51362", 1),
    ("M47816", 3), ("M48061", 2), ("S335XXA", 3), ("M533", 1), ("M549", 3), ("M5489", 1),
    ("M9903", 1),
]
NON_LBP_IMAGING_PRIMARY = ["M5416", "M25551", "M79604", "M5417", "M542", "R262"]

RED_FLAGS = {
    "CANCER": ["C50911", "C61", "C3490", "C189", "Z853", "Z8546", "C7951", "C787", "C3411"],
    "TRAUMA": ["S32010A", "S32009A", "S3210XA", "S32000A", "T07XXXA", "S72001A", "S22009A",
               "S32019A", "S32409A"],
    "IV_DRUG_ABUSE": ["F1120", "F1110", "F1420", "F1520", "F1320", "F1121", "F1410"],
    "NEUROLOGIC_IMPAIRMENT": ["G834", "R262", "R292", "K592", "M48062"],
    "SPINAL_INFECTION": ["M4626", "M4627", "M4636", "G061", "M4646"],
}
RED_FLAG_KINDS = list(RED_FLAGS)
RED_FLAG_KIND_WEIGHTS = [3, 3, 1, 2, 1]

IMAGING = {  # CPT: (modality, base price)
    "72100": ("XRAY", 60.0), "72110": ("XRAY", 80.0), "72114": ("XRAY", 95.0),
    "72120": ("XRAY", 70.0), "72020": ("XRAY", 40.0), "72200": ("XRAY", 45.0),
    "72220": ("XRAY", 50.0),
    "72131": ("CT", 260.0), "72132": ("CT", 340.0), "72133": ("CT", 390.0),
    "72148": ("MRI", 420.0), "72149": ("MRI", 520.0), "72158": ("MRI", 640.0),
}
IMAGING_WEIGHTED = (["72100"] * 30 + ["72110"] * 12 + ["72114"] * 3 + ["72120"] * 2
                    + ["72020"] * 3 + ["72200"] * 2 + ["72220"] * 2 + ["72131"] * 5
                    + ["72132"] * 1 + ["72133"] * 1 + ["72148"] * 30 + ["72149"] * 3
                    + ["72158"] * 6)
IMAGING_REVENUE = {"XRAY": "0320", "CT": "0350", "MRI": "0610"}

# professional lines: (hcpcs, base price, weight)
PROF_LINES = [
    ("99213", 110.0, 30), ("99214", 160.0, 20), ("99212", 75.0, 6), ("99203", 140.0, 4),
    ("99204", 210.0, 2), ("99395", 200.0, 2), ("99396", 210.0, 3), ("36415", 10.0, 14),
    ("85025", 12.0, 10), ("80053", 18.0, 10), ("80061", 20.0, 8), ("83036", 15.0, 6),
    ("81002", 5.0, 4), ("90471", 25.0, 4), ("90686", 22.0, 3), ("97110", 40.0, 8),
    ("97140", 38.0, 5), ("93000", 25.0, 3), ("71046", 45.0, 3), ("G0439", 175.0, 2),
    ("J1100", 3.0, 2), ("20610", 90.0, 2), ("87880", 18.0, 3), ("96372", 25.0, 3),
    ("99283", 130.0, 1), ("99284", 220.0, 1),
]
# institutional outpatient lines: (revenue code, hcpcs, base price, weight)
INST_LINES = [
    ("0300", "80053", 45.0, 12), ("0301", "80061", 40.0, 6), ("0305", "85025", 30.0, 10),
    ("0320", "71046", 180.0, 5), ("0450", "99284", 900.0, 8), ("0450", "99283", 600.0, 6),
    ("0510", "99213", 250.0, 8), ("0636", "J1100", 15.0, 5), ("0250", "", 35.0, 10),
    ("0730", "93005", 120.0, 4), ("0420", "97110", 150.0, 4), ("0761", "96372", 90.0, 4),
    ("0270", "", 60.0, 4),
]
POS_WEIGHTED = ["11"] * 80 + ["22"] * 6 + ["02"] * 4 + ["10"] * 2 + ["23"] * 2 + ["81"] * 3 \
    + ["12"] * 1 + ["19"] * 1 + ["01"] * 1
POS_HEADER = {p: ",,,,,%s,,," % p for p in sorted(set(POS_WEIGHTED) | {"49"})}
LINES_PROF = [1] * 42 + [2] * 27 + [3] * 15 + [4] * 8 + [5] * 5 + [6] * 3
LINES_INST = [1] * 30 + [2] * 25 + [3] * 18 + [4] * 12 + [5] * 9 + [6] * 6
DX_COUNT = [1] * 30 + [2] * 28 + [3] * 20 + [4] * 11 + [5] * 6 + [6] * 5

PLANS = [  # plan, payer_type, weight
    ("COMMERCIAL-PPO", "commercial", 45), ("COMMERCIAL-HMO", "commercial", 30),
    ("MEDICARE-ADVANTAGE", "medicare", 15), ("MEDICAID-MANAGED", "medicaid", 7),
    ("STATE-MANDATED", "commercial", 3),
]
RACES = ["white"] * 60 + ["black or african american"] * 13 + ["asian"] * 6 + \
    ["other race"] * 5 + ["unknown"] * 14 + ["american indian or alaska native"] * 1 + \
    ["native hawaiian or other pacific islander"] * 1
STATES = [("TN", "37"), ("GA", "30"), ("NC", "27"), ("KY", "40"), ("AL", "35")]

EMPTY_51 = "," * 51  # procedure_code_type + 25 codes + 25 dates, each with its trailing comma
COMMAS = ["," * k for k in range(60)]
AFTER_DX_NOT_INPATIENT = "," * 25 + EMPTY_51  # 25 empty POA flags + procedures

EXPECTED_LINES_PROF = sum(LINES_PROF) / len(LINES_PROF)
EXPECTED_LINES_INST = sum(LINES_INST) / len(LINES_INST)
P_INSTITUTIONAL = 0.20
EXPECTED_LINES_PER_CLAIM = (1 - P_INSTITUTIONAL) * EXPECTED_LINES_PROF + \
    P_INSTITUTIONAL * EXPECTED_LINES_INST

# rates
P_EPISODE = 0.05          # members with an LBP episode
P_EPISODE_IMAGING = 0.62  # of episodes, with lumbar imaging
P_EPISODE_RED_FLAG = 0.18
P_EPISODE_PRIOR = 0.12
P_REPLACE = 0.010         # claims re-sent later with code 7
P_VOID = 0.002            # claims voided later (code 8)
P_BAD_ROW = 0.0005        # rows made invalid on purpose
P_LAG1 = 0.06             # claim arrives one month late
P_LAG2 = 0.01             # two months late
P_DOTTED = 0.15           # a diagnosis written with its dot
P_LOWER = 0.005           # ... and in lower case
P_BG_IMAGING = 0.0005     # background professional line that is lumbar imaging
P_UNCOVERED_CLAIMS = 0.01  # a not-enrolled member still has claims that month


def weighted_list(pairs):
    out = []
    for item, w in pairs:
        out.extend([item] * w)
    return out


def dotted(code):
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


def money(x):
    return "%.2f" % x


class Book:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        y, m = (int(p) for p in args.start.split("-"))
        self.months = []  # (year, month, first_ordinal, last_ordinal)
        for k in range(args.months):
            yy, mm = y + (m - 1 + k) // 12, (m - 1 + k) % 12 + 1
            first = dt.date(yy, mm, 1).toordinal()
            ny, nm = yy + mm // 12, mm % 12 + 1
            last = dt.date(ny, nm, 1).toordinal() - 1
            self.months.append((yy, mm, first, last))
        self.book_first = self.months[0][2]
        self.book_last = self.months[-1][3]
        # date strings for every ordinal we can need
        self.date_base = self.book_first - 4 * 366
        span = self.book_last + 800 - self.date_base
        self.ds = [dt.date.fromordinal(self.date_base + i).isoformat() for i in range(span)]
        self.month_of = {}  # ordinal -> month index (only book days)
        for mi, (_, _, f, l) in enumerate(self.months):
            for o in range(f, l + 1):
                self.month_of[o] = mi
        init = random.Random(args.seed * 7919 + 17)  # reference data, independent of the book
        self.prof_npis = ["1%09d" % init.randrange(10 ** 9) for _ in range(3000)]
        self.prof_tins = ["%09d" % init.randrange(10 ** 8, 10 ** 9) for _ in range(600)]
        self.fac_npis = ["1%09d" % init.randrange(10 ** 9) for _ in range(250)]
        self.fac_tins = ["%09d" % init.randrange(10 ** 8, 10 ** 9) for _ in range(250)]
        self.generic = weighted_list(GENERIC_DX)
        self.lbp = weighted_list(LBP_DX)
        self.dx_forms = {}
        for code in set(self.generic) | set(self.lbp) | set(NON_LBP_IMAGING_PRIMARY) | \
                {c for v in RED_FLAGS.values() for c in v}:
            self.dx_forms[code] = (code, dotted(code), dotted(code).lower())
        self.block_cache = {}
        # line options, repeated by weight: (line block, price key, base price, line date)
        self.price_cache = {}
        self.price_rng = init
        self.prof_opts = weighted_list([((self.line_block("", h), self.variants(h, p), -1), w)
                                        for h, p, w in PROF_LINES])
        self.inst_opts = weighted_list([((self.line_block(r, h), self.variants(r + h, p)), w)
                                        for r, h, p, w in INST_LINES])
        self.bg_imaging_opts = [(self.line_block("", c), self.variants(c, IMAGING[c][1]), -1)
                                for c in IMAGING_WEIGHTED]
        # rendering, professional: NPIs and TINs as one string per provider
        self.prof_npi_block = []
        for i in range(3000):
            tin = self.prof_tins[i % 600]
            self.prof_npi_block.append(",".join([self.prof_npis[i], tin,
                                                 self.prof_npis[(i * 7 + 3) % 3000], tin, ""]))
        self.fac_npi_block = [",".join([self.prof_npis[(i * 13) % 3000], "", self.fac_npis[i],
                                        self.fac_tins[i], self.fac_npis[i]]) for i in range(250)]
        # file block + frequency code + newline, per file month and frequency code
        self.tails = []
        for (yy, mm, f, l) in self.months:
            fname = "medical_claim_%04d_%02d.csv%s" % (yy, mm, ".gz" if args.gzip else "")
            fdate = self.d(l + 3)
            self.tails.append({fq: ",%s,%s,%s,%s 05:30:00,%s\n" % (DATA_SOURCE, fname, fdate,
                                                                    fdate, fq)
                               for fq in ("1", "7", "8")})
        self.claim_seq = 0
        self.rows_written = 0
        self.bytes_written = 0
        self.files = []

    # ---------------------------------------------------------------- helpers
    def d(self, ordinal):
        return self.ds[ordinal - self.date_base]

    def variants(self, key, base):
        """Eight precomputed amount strings for a line code (deterministic)."""
        v = self.price_cache.get(key)
        if v is None:
            r = self.price_rng
            v = []
            for _ in range(8):
                allowed = base * r.uniform(0.8, 1.15)
                charge = allowed * r.uniform(1.4, 3.0)
                u = r.random()
                copay = coins = deduct = 0.0
                if u < 0.35:
                    copay = min(allowed, r.choice([10.0, 20.0, 25.0, 40.0]))
                elif u < 0.6:
                    coins = allowed * 0.2
                elif u < 0.7:
                    deduct = allowed
                paid = max(0.0, allowed - copay - coins - deduct)
                v.append(",".join([money(paid), money(allowed), money(charge), money(coins),
                                   money(copay), money(deduct), money(allowed)]))
            self.price_cache[key] = v
        return v

    def next_claim_id(self):
        self.claim_seq += 1
        return "CLM%010d" % self.claim_seq

    # ---------------------------------------------------------------- eligibility
    def make_members(self):
        rng = self.rng
        n = self.args.members
        plans_w = weighted_list([((p, t), w) for p, t, w in PLANS])
        self.members = []
        first, last = self.book_first, self.book_last
        nmonths = len(self.months)
        for i in range(n):
            mid = "M%08d" % (i + 1)
            pid = "P%08d" % (i + 1)
            plan, ptype = plans_w[int(rng.random() * len(plans_w))]
            u = rng.random()
            if u < 0.72:   # enrolled well before the book
                back = 1 + int(rng.random() * 36)
                yy, mm = self.months[0][0], self.months[0][1] - back
                while mm < 1:
                    mm += 12
                    yy -= 1
                start = dt.date(yy, mm, 1).toordinal()
            elif u < 0.82:  # enrolled from the first day of the book
                start = first
            else:          # joins mid-book (first of a month, or mid-month)
                mi = 1 + int(rng.random() * (nmonths - 1)) if nmonths > 1 else 0
                start = self.months[mi][2] + (0 if rng.random() < 0.8 else 14)
            spans = []
            u = rng.random()
            end_open = None
            death = None
            cur_plan = plan
            if u < 0.08:     # one short gap (<= 45 days)
                cut = self._cut(start)
                if cut:
                    gap = rng.choice([15, 30, 31, 45, 20])
                    spans.append((start, cut, cur_plan, ptype))
                    start = cut + 1 + gap
            elif u < 0.14:   # one long gap (> 45 days)
                cut = self._cut(start)
                if cut:
                    gap = 46 + int(rng.random() * 200)
                    spans.append((start, cut, cur_plan, ptype))
                    start = cut + 1 + gap
            elif u < 0.19:   # plan change, no gap
                cut = self._cut(start)
                if cut:
                    spans.append((start, cut, cur_plan, ptype))
                    start = cut + 1
                    cur_plan, ptype = plans_w[int(rng.random() * len(plans_w))]
            elif u < 0.24:   # termed during the book
                cut = self._cut(start)
                if cut:
                    end_open = cut
            elif u < 0.243:  # died during the book
                cut = self._cut(start)
                if cut:
                    death = cut - int(rng.random() * 20)
                    end_open = cut
            if start <= last:
                if end_open is None:
                    end = None if rng.random() < 0.6 else dt.date(
                        dt.date.fromordinal(last).year, 12, 31).toordinal()
                else:
                    end = end_open
                spans.append((start, end, cur_plan, ptype))
            birth = dt.date(1940, 1, 1).toordinal() + int(rng.random() * 29000)
            if ptype == "medicare":
                birth = min(birth, dt.date(1958, 12, 31).toordinal())
            gender = "female" if rng.random() < 0.52 else "male"
            race = RACES[int(rng.random() * len(RACES))]
            st, zp = STATES[int(rng.random() * len(STATES))]
            zipc = zp + "%03d" % int(rng.random() * 1000)
            weight = rng.choice([0.3, 0.5, 0.8, 1.0, 1.0, 1.2, 1.5, 2.2])
            self.members.append({
                "mid": mid, "pid": pid, "who": ",".join([pid, mid, PAYER, ""]), "spans": spans, "birth": birth, "gender": gender,
                "race": race, "state": st, "zip": zipc, "death": death, "w": weight,
            })

    def _cut(self, start):
        """A month-end inside the book after start (None when there is none)."""
        lo = max(start, self.book_first)
        cands = [l for (_, _, _, l) in self.months if l > lo + 20 and l < self.book_last - 10]
        if not cands:
            return None
        return cands[int(self.rng.random() * len(cands))]

    def write_eligibility(self, out_dir):
        path = os.path.join(out_dir, "eligibility.csv" + (".gz" if self.args.gzip else ""))
        fh, raw = self._open(path)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(ELIGIBILITY_COLUMNS)
        file_date = self.d(self.book_last)
        ingest = file_date + " 06:00:00"
        fname = os.path.basename(path)
        n = 0
        for m in self.members:
            for (s, e, plan, ptype) in m["spans"]:
                row = [""] * len(ELIGIBILITY_COLUMNS)
                row[0] = m["pid"]
                row[1] = m["mid"]
                row[2] = m["mid"] if self.rng.random() < 0.7 else "S" + m["mid"][1:]
                row[3] = m["gender"]
                row[4] = m["race"]
                row[5] = dt.date.fromordinal(m["birth"]).isoformat()
                if m["death"]:
                    row[6] = self.d(m["death"])
                    row[7] = "1"
                else:
                    row[7] = "0"
                row[8] = dt.date.fromordinal(s).isoformat()
                row[9] = "" if e is None else dt.date.fromordinal(e).isoformat()
                row[10] = PAYER
                row[11] = ptype
                row[12] = plan
                if ptype == "commercial":
                    row[28] = "GRP%05d" % (int(m["mid"][1:]) % 997)
                    row[29] = "Employer Group %d" % (int(m["mid"][1:]) % 997)
                row[35] = "self" if row[2] == m["mid"] else "dependent"
                row[38] = m["state"]
                row[39] = m["zip"]
                row[43] = DATA_SOURCE
                row[44] = fname
                row[45] = file_date
                row[46] = ingest
                w.writerow(row)
                n += 1
        self._close(fh, raw, path, n)

    # ---------------------------------------------------------------- files
    def _open(self, path):
        raw = open(path, "wb")
        if self.args.gzip:
            gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1)
            fh = io.TextIOWrapper(gz, encoding="utf-8", newline="", write_through=False)
            return fh, (gz, raw)
        fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        return fh, (None, raw)

    def _close(self, fh, raw, path, rows):
        fh.flush()
        gz, r = raw
        if gz is not None:
            fh.detach()
            gz.close()
            r.close()
        else:
            fh.close()
        self.files.append(path)
        self.rows_written += rows
        self.bytes_written += os.path.getsize(path)

    # ---------------------------------------------------------------- coverage
    @staticmethod
    def span_at(m, o):
        for sp in m["spans"]:
            if sp[0] <= o and (sp[1] is None or o <= sp[1]):
                return sp
        return None

    def plan_at(self, m, o):
        sp = self.span_at(m, o)
        if sp is None:
            sp = m["spans"][-1] if m["spans"] else (0, 0, "", "")
        return sp[2]

    def active_days(self, m, mi):
        """First and last covered ordinal of member m in month mi (None when not covered)."""
        _, _, f, l = self.months[mi]
        lo = hi = None
        for (s, e, _, _) in m["spans"]:
            a = max(s, f)
            b = l if e is None else min(e, l)
            if a <= b:
                lo = a if lo is None else min(lo, a)
                hi = b if hi is None else max(hi, b)
        return (lo, hi) if lo is not None else None

    # ---------------------------------------------------------------- LBP episodes
    def plan_episodes(self):
        """Schedule episode claims by month: {month_index: [(member_index, ordinal, spec)]}."""
        rng = self.rng
        self.scheduled = {}
        first, last = self.book_first, self.book_last
        days = last - first + 1
        self.episode_count = 0
        for i, m in enumerate(self.members):
            if rng.random() >= P_EPISODE:
                continue
            self.episode_count += 1
            i0 = first + int(rng.random() * days)
            lbp1 = self.lbp[int(rng.random() * len(self.lbp))]
            events = []
            visit = {"kind": "visit", "dx": [lbp1], "imaging": None}
            events.append((i0, visit))
            if rng.random() < P_EPISODE_IMAGING:
                cpt = IMAGING_WEIGHTED[int(rng.random() * len(IMAGING_WEIGHTED))]
                u = rng.random()
                if u < 0.15:
                    visit["imaging"] = cpt  # imaging on the visit claim itself
                else:
                    off = int(rng.random() * 41)  # 0..40 days
                    if rng.random() < 0.85:
                        pdx = self.lbp[int(rng.random() * len(self.lbp))]
                    else:
                        pdx = NON_LBP_IMAGING_PRIMARY[int(rng.random() * len(NON_LBP_IMAGING_PRIMARY))]
                    inst = rng.random() < 0.4
                    events.append((i0 + off, {"kind": "imaging", "dx": [pdx, lbp1], "cpt": cpt,
                                              "inst": inst}))
            for _ in range(int(rng.random() * 3)):
                events.append((i0 + 7 + int(rng.random() * 54),
                               {"kind": "visit", "dx": [self.lbp[int(rng.random() * len(self.lbp))]],
                                "imaging": None, "pt": True}))
            if rng.random() < P_EPISODE_RED_FLAG:
                kind = rng.choices(RED_FLAG_KINDS, RED_FLAG_KIND_WEIGHTS)[0]
                code = rng.choice(RED_FLAGS[kind])
                if kind == "CANCER":
                    off = -int(rng.random() * 900) + 40
                else:
                    off = -int(rng.random() * 420) + 45
                if rng.random() < 0.2:
                    visit["dx"].append(code)  # as a secondary diagnosis on the LBP visit
                else:
                    generic = self.generic[int(rng.random() * len(self.generic))]
                    events.append((i0 + off, {"kind": "redflag", "dx": [code, generic]}))
            if rng.random() < P_EPISODE_PRIOR:
                off = 100 + int(rng.random() * 151)
                events.append((i0 - off, {"kind": "visit", "dx": [self.lbp[int(rng.random() * len(self.lbp))]],
                                          "imaging": None}))
            for o, spec in events:
                if first <= o <= last:
                    self.scheduled.setdefault(self.month_of[o], []).append((i, o, spec))

    # ---------------------------------------------------------------- claims
    def claim_rates(self):
        active = 0
        for m in self.members:
            for mi in range(len(self.months)):
                if self.active_days(m, mi):
                    active += 1
        self.active_member_months = active
        if self.args.lines_per_month_target:
            target = self.args.lines_per_month_target * len(self.months)
        else:
            target = 2.0 * len(self.members) * len(self.months)
        # episodes, replacements add a few percent; background claims make up the rest
        mean_w = sum(m["w"] for m in self.members) / max(len(self.members), 1)
        lam = target * 0.975 / (max(active, 1) * EXPECTED_LINES_PER_CLAIM * mean_w)
        self.lam = lam
        # Poisson cumulative tables per distinct weight
        self.poisson = {}
        for w in sorted({m["w"] for m in self.members}):
            mu = lam * w
            cdf, p, acc = [], math.exp(-mu), 0.0
            for k in range(40):
                acc += p
                cdf.append(acc)
                p = p * mu / (k + 1)
            self.poisson[w] = cdf

    def line_block(self, rev, hcpcs, mod="", units="1"):
        key = (rev, hcpcs, mod, units)
        b = self.block_cache.get(key)
        if b is None:
            b = self.block_cache[key] = ",".join([rev, units, hcpcs, mod, "", "", "", ""])
        return b

    def render_claim(self, m, claim_id, ctype, start_o, dx_codes, lines, pos=None,
                     bill_type=None, inpatient=False):
        """Render one claim: a list of line tuples, joined into rows by finish_rows.

        lines: list of (line_block, amount variants, line_date) with line_date an ordinal,
        None (empty claim_line_start_date) or -1 (the claim start date).
        """
        random = self.rng.random
        ds = self.ds
        base = self.date_base
        spans = m["spans"]
        plan = spans[0][2] if len(spans) == 1 else self.plan_at(m, start_o)
        if ctype == "professional":
            end_o = start_o
        elif inpatient:
            end_o = start_o + 1 + int(random() * 4)
        else:
            end_o = start_o + (1 if random() < 0.1 else 0)
        cs = ds[start_o - base]
        head = "".join([ctype, ",", m["who"], plan, ",", cs, ",", ds[end_o - base]])
        if ctype == "professional":
            c_hdr = POS_HEADER[pos or "11"]
            npis = self.prof_npi_block[int(random() * 3000)]
        else:
            if inpatient:
                c_hdr = "%s,%s,1,%s,01,,0111,ms-drg,%s" % (
                    cs, ds[end_o - base], self.rng.choice(["1", "2", "3"]),
                    self.rng.choice(["470", "871", "292", "690", "392"]))
            else:
                c_hdr = ",,,,,,%s,," % (bill_type or "0131")
            npis = self.fac_npi_block[int(random() * 250)]
        paid_date = ds[end_o + 14 + int(random() * 32) - base]
        forms = self.dx_forms
        dx = []
        for c in dx_codes[:25]:
            r = random()
            dx.append(forms[c][0] if r >= P_DOTTED else forms[c][1 if r >= P_LOWER else 2])
        # diagnosis_code_type, 25 diagnoses, 25 POA flags, procedure_code_type, 25 procedure
        # codes and 25 procedure dates (always empty here), each followed by its separator,
        # then in_network_flag
        k = len(dx)
        if inpatient:
            poa = ",".join(["Y"] * k) + COMMAS[26 - k] + EMPTY_51
        else:
            poa = AFTER_DX_NOT_INPATIENT
        dx_block = "".join(["icd-10-cm,", ",".join(dx), COMMAS[26 - k], poa,
                            "1" if random() < 0.92 else "0"])
        rows = []
        n = 0
        for (block, amounts, lo) in lines:
            n += 1
            if lo == -1:
                ld = cs
            elif lo is None:
                ld = ""
            else:
                ld = ds[lo - base]
            rows.append((n, claim_id, head, ld, c_hdr, block, npis, paid_date,
                         amounts[int(random() * 8)], dx_block))
        return rows

    def finish_rows(self, rows, file_mi, freq, bad_ok=True):
        """Join rendered rows with the file block and the frequency code; returns strings."""
        tail = self.tails[file_mi][freq]
        out = []
        rng = self.rng
        for (n, claim_id, head, ld, c_hdr, block, npis, paid_date, money_s, dx_block) in rows:
            lineno = str(n)
            if bad_ok and rng.random() < P_BAD_ROW:
                kind = int(rng.random() * 3)
                if kind == 0:
                    ld = ld[:8] + "32" if ld else "%04d-02-30" % self.months[file_mi][0]
                elif kind == 1:
                    lineno = "0"
                else:
                    head = rng.choice(["dental", "PROF", "vision"]) + head[head.index(","):]
                self.bad_rows += 1
            out.append("".join([claim_id, ",", lineno, ",", head, ",", ld, ",", ld, ",", c_hdr,
                                ",", block, ",", npis, ",", paid_date, ",", money_s, ",",
                                dx_block, tail]))
        return out

    def background_claim(self, m, lo, hi):
        rng = self.rng
        random = rng.random
        o = lo + int(random() * (hi - lo + 1))
        ndx = DX_COUNT[int(random() * 100)]
        g = self.generic
        ng = len(g)
        codes = [g[int(random() * ng)]]
        for _ in range(ndx - 1):
            c = g[int(random() * ng)]
            if c not in codes:
                codes.append(c)
        if random() < P_INSTITUTIONAL:
            inpatient = random() < 0.04
            nl = LINES_INST[int(random() * 100)]
            lines = []
            opts = self.inst_opts
            no = len(opts)
            for k in range(nl):
                opt = opts[int(random() * no)]
                lines.append((opt[0], opt[1], None if random() < 0.25 else -1))
            bt = "0131" if random() < 0.8 else rng.choice(["0851", "0141", "0731"])
            self.claim_seq += 1
            return self.render_claim(m, "CLM%010d" % self.claim_seq, "institutional", o, codes,
                                     lines, bill_type=bt, inpatient=inpatient)
        nl = LINES_PROF[int(random() * 100)]
        lines = []
        opts = self.prof_opts
        no = len(opts)
        for k in range(nl):
            if random() < P_BG_IMAGING:
                img = self.bg_imaging_opts
                lines.append(img[int(random() * len(img))])
            else:
                lines.append(opts[int(random() * no)])
        pos = POS_WEIGHTED[int(random() * 100)]
        self.claim_seq += 1
        return self.render_claim(m, "CLM%010d" % self.claim_seq, "professional", o, codes,
                                 lines, pos=pos)

    def episode_claim(self, m, o, spec, mi):
        rng = self.rng
        kind = spec["kind"]
        codes = list(dict.fromkeys(spec["dx"]))
        lb = self.line_block
        if kind == "visit":
            h = "99214" if rng.random() < 0.5 else ("99203" if rng.random() < 0.5 else "99213")
            base = {"99214": 160.0, "99203": 140.0, "99213": 110.0}[h]
            lines = [(lb("", h), self.variants(h, base), -1)]
            if spec.get("pt"):
                lines = [(lb("", "97110", units="2"), self.variants("97110x2", 80.0), -1),
                         (lb("", "97140"), self.variants("97140", 38.0), -1)]
            if spec.get("imaging"):
                cpt = spec["imaging"]
                mod = "26" if rng.random() < 0.3 else ""
                lines.append((lb("", cpt, mod), self.variants(cpt, IMAGING[cpt][1]), -1))
            if rng.random() < 0.3:
                codes.append(self.generic[int(rng.random() * len(self.generic))])
            return self.render_claim(m, self.next_claim_id(), "professional", o,
                                     list(dict.fromkeys(codes)), lines,
                                     pos="11" if rng.random() < 0.9 else "02")
        if kind == "imaging":
            cpt = spec["cpt"]
            modality, base = IMAGING[cpt]
            if spec["inst"]:
                start = o if rng.random() < 0.8 else o - 1
                lines = [(lb(IMAGING_REVENUE[modality], cpt), self.variants("I" + cpt, base * 2.5),
                          None if rng.random() < 0.3 else o)]
                if rng.random() < 0.3:
                    lines.insert(0, (lb("0450", "99284"), self.variants("045099284", 900.0), start))
                return self.render_claim(m, self.next_claim_id(), "institutional", start,
                                         codes, lines, bill_type="0131")
            mod = "26" if rng.random() < 0.3 else ""
            lines = [(lb("", cpt, mod), self.variants(cpt, base), -1)]
            return self.render_claim(m, self.next_claim_id(), "professional", o, codes, lines,
                                     pos=rng.choice(["11", "11", "22", "49"]))
        # red flag claim
        h, p = PROF_LINES[int(rng.random() * 6)][:2]
        return self.render_claim(m, self.next_claim_id(), "professional", o, codes,
                                 [(lb("", h), self.variants(h, p), -1)],
                                 pos="11" if rng.random() < 0.7 else "22")

    def generate(self):
        args = self.args
        out_dir = args.out
        os.makedirs(out_dir, exist_ok=True)
        self.bad_rows = 0
        self.make_members()
        self.write_eligibility(out_dir)
        self.plan_episodes()
        self.claim_rates()
        rng = self.rng
        nmonths = len(self.months)
        pending = {}  # file month -> list of finished row strings (late claims, re-sends)
        claim_lines = 0
        self.replacements = self.voids = 0
        for mi in range(nmonths):
            yy, mm, f, l = self.months[mi]
            path = os.path.join(out_dir, "medical_claim_%04d_%02d.csv%s" % (
                yy, mm, ".gz" if args.gzip else ""))
            fh, raw = self._open(path)
            fh.write(",".join(CLAIM_HEADER) + "\n")
            rows_in_file = 0
            batch = []
            sched = {}
            for (i, o, spec) in self.scheduled.pop(mi, []):
                sched.setdefault(i, []).append((o, spec))
            bisect_right = bisect.bisect_right
            background = self.background_claim
            poisson = self.poisson
            random = rng.random
            for i, m in enumerate(self.members):
                spans = m["spans"]
                if len(spans) == 1:  # fast path: one span
                    s0, e0 = spans[0][0], spans[0][1]
                    lo = s0 if s0 > f else f
                    hi = l if (e0 is None or e0 > l) else e0
                    act = (lo, hi) if lo <= hi else None
                else:
                    act = self.active_days(m, mi)
                if act is None:
                    if rng.random() >= P_UNCOVERED_CLAIMS or not m["spans"]:
                        act = None
                    else:
                        act = (f, l)
                claims = []
                if act is not None:
                    k = bisect_right(poisson[m["w"]], random())
                    for _ in range(k):
                        claims.append(background(m, act[0], act[1]))
                for (o, spec) in sched.get(i, ()):
                    claims.append(self.episode_claim(m, o, spec, mi))
                for rows in claims:
                    u = rng.random()
                    target = mi
                    if u < P_LAG2 and mi + 2 < nmonths:
                        target = mi + 2
                    elif u < P_LAG1 + P_LAG2 and mi + 1 < nmonths:
                        target = mi + 1
                    finished = self.finish_rows(rows, target, "1")
                    if target == mi:
                        batch.extend(finished)
                    else:
                        pending.setdefault(target, []).extend(finished)
                    # a later re-send or void of this claim
                    v = rng.random()
                    if v < P_REPLACE + P_VOID and target + 1 < nmonths:
                        later = target + 1 + (1 if rng.random() < 0.3 and target + 2 < nmonths else 0)
                        if v < P_REPLACE:
                            keep = rows
                            if len(rows) > 1 and rng.random() < 0.5:
                                keep = rows[:len(rows) - 1 - int(rng.random() * (len(rows) - 1))]
                            pending.setdefault(later, []).extend(
                                self.finish_rows(keep, later, "7", bad_ok=False))
                            self.replacements += 1
                        else:
                            pending.setdefault(later, []).extend(
                                self.finish_rows(rows, later, "8", bad_ok=False))
                            self.voids += 1
                if len(batch) >= 20000:
                    fh.write("".join(batch))
                    rows_in_file += len(batch)
                    batch = []
            batch.extend(pending.pop(mi, []))
            fh.write("".join(batch))
            rows_in_file += len(batch)
            claim_lines += rows_in_file
            self._close(fh, raw, path, rows_in_file)
            if args.verbose:
                print("  %s: %d rows" % (os.path.basename(path), rows_in_file), file=sys.stderr)
        self.claim_lines = claim_lines


def self_check(out_dir, gz):
    """Parse every file with the csv module and check the field counts."""
    ok = True
    for name in sorted(os.listdir(out_dir)):
        path = os.path.join(out_dir, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            r = csv.reader(fh)
            header = next(r)
            n = bad = 0
            for row in r:
                n += 1
                if len(row) != len(header):
                    bad += 1
            print("  check %s: %d rows, %d columns, %d ragged" % (name, n, len(header), bad),
                  file=sys.stderr)
            ok = ok and bad == 0
    return ok


def check_value_sets(folder):
    """Check that every LBP / red-flag / imaging code used here is in the value sets given."""
    sets = {}
    for name in os.listdir(folder):
        if name.endswith(".csv") and name != "PROVENANCE.csv":
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    sets.setdefault(row["value_set"], set()).add(row["code"])
    problems = []
    for c, _ in LBP_DX:
        if c not in sets.get("LOW_BACK_PAIN", ()):
            problems.append("LBP " + c)
    for kind, codes in RED_FLAGS.items():
        for c in codes:
            if c not in sets.get(kind, ()):
                problems.append(kind + " " + c)
    imaging = sets.get("IMAGING_XRAY", set()) | sets.get("IMAGING_CT", set()) | sets.get("IMAGING_MRI", set())
    for c in IMAGING:
        if c not in imaging:
            problems.append("IMAGING " + c)
    flagged = set().union(*[sets.get(k, set()) for k in ["LOW_BACK_PAIN"] + RED_FLAG_KINDS])
    for c in NON_LBP_IMAGING_PRIMARY:
        if c in sets.get("LOW_BACK_PAIN", ()):
            problems.append("non-LBP primary is LBP: " + c)
    for c, _ in GENERIC_DX:
        if c in flagged:
            print("  note: generic pool code %s is in a policy value set (on purpose)" % c,
                  file=sys.stderr)
    for p in problems:
        print("  value-set problem: " + p, file=sys.stderr)
    return not problems


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--members", type=int, default=50000)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--start", default="2023-01", help="first month, YYYY-MM")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--gzip", action="store_true", help="write .csv.gz files")
    p.add_argument("--lines-per-month-target", type=int, default=0,
                   help="claim lines a month (default: 2 per member)")
    p.add_argument("--self-check", action="store_true",
                   help="re-read every file and check the field counts")
    p.add_argument("--valuesets", help="value-set folder to check the code pools against")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.members <= 0 or args.months <= 0:
        p.error("--members and --months must be positive")
    try:
        y, m = args.start.split("-")
        dt.date(int(y), int(m), 1)
    except Exception:
        p.error("--start must be YYYY-MM")
    if args.valuesets and not check_value_sets(args.valuesets):
        return 2
    t0 = time.time()
    book = Book(args)
    book.generate()
    secs = time.time() - t0
    print("generate-extracts: %d files, %d rows (%d claim lines, %d eligibility), %d bytes, "
          "%.1f s, %.0f rows/s; %d LBP episodes, %d re-sent, %d voided, %d bad rows; seed %d"
          % (len(book.files), book.rows_written, book.claim_lines,
             book.rows_written - book.claim_lines, book.bytes_written, secs,
             book.rows_written / secs if secs else 0, book.episode_count, book.replacements,
             book.voids, book.bad_rows, args.seed), file=sys.stderr)
    if args.self_check and not self_check(args.out, args.gzip):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
