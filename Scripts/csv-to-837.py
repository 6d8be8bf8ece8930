#!/usr/bin/env python3
"""Writes a Tuva medical_claim CSV extract as an X12 837 file (837P for professional claims,
837I for institutional ones), so the same claims can be loaded either way.

    python3 Scripts/csv-to-837.py IN.csv OUT.837 [--separators '*:^~'] [--no-line-breaks]

One interchange (ISA/IEA) holding up to two functional groups: 837P (GS08 005010X222A1) and 837I
(GS08 005010X223A2), one transaction set each. Every claim has its own subscriber loop (HL 22:
NM1*IL with the member id, NM1*PR with the payer), then CLM (CLM05: place of service or facility
code, B or A, frequency), REF*F8 for frequency 7 and 8, DTP*434 statement dates (837I), HI
(ABK/ABF, or BK/BF for icd-9-cm), and per line LX, SV1 (837P) or SV2 (837I) and DTP*472.

The mapping is the reverse of the one `lbp` reads (docs/x12.md), so loading the 837 stores what
loading the CSV stores, with these differences, all from what X12 cannot carry: a professional
claim's dates come from its lines; the type of bill is CLM05-1 + CLM05-3 (`0131` becomes `131`);
columns X12 has no place for (NPIs, paid amounts, data_source...) are dropped; rows of one claim
that disagree on header fields take the first row's; a claim whose values X12 cannot express
(line number 0, an impossible date) is rejected whole where the CSV rejects one row. The
claim_type `undetermined` (and anything not institutional) is written as 837P. Standard library only.
"""
import argparse
import csv
import re
import sys
from collections import OrderedDict

P_VERSION = "005010X222A1"
I_VERSION = "005010X223A2"


def x12_date(text):
    """YYYY-MM-DD or YYYYMMDD as CCYYMMDD (an impossible date is kept: the reader rejects it)."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text.replace("-", "")
    return text


def clean(text, seps):
    """A value with the separators removed (they cannot be escaped in X12)."""
    return "".join(c for c in (text or "").strip() if c not in seps)


def code(text, seps):
    return clean(text, seps).replace(".", "").upper()


def period(first, last):
    if not last or last == first:
        return ["D8", first]
    return ["RD8", f"{first}-{last}"]


def read_claims(path):
    claims = OrderedDict()
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(header, values))
            if "member_id" not in row and "person_id" in row:
                row["member_id"] = row["person_id"]
            claims.setdefault(row.get("claim_id", ""), []).append(row)
    return claims


def claim_segments(claim_id, rows, institutional, hl, seps):
    el, comp = seps[0], seps[1]
    first = rows[0]
    freq = clean(first.get("claim_frequency_code"), seps) or "1"
    member = clean(first.get("member_id"), seps)
    payer = clean(first.get("payer"), seps)
    total = 0.0
    for row in rows:
        try:
            total += float(row.get("charge_amount") or 0)
        except ValueError:
            pass
    if institutional:
        bill = clean(first.get("bill_type_code"), seps)
        if len(bill) == 4 and bill.startswith("0"):
            bill = bill[1:]
        facility = bill[:2] if len(bill) >= 2 else "11"
        clm05 = comp.join([facility, "A", freq])
    else:
        facility = clean(first.get("place_of_service_code"), seps) or "11"
        clm05 = comp.join([facility, "B", freq])
    segs = [
        ["HL", str(hl), "1", "22", "0"],
        ["SBR", "P", "18", "", "", "", "", "", "", "CI"],
        ["NM1", "IL", "1", "MEMBER", "SAMPLE", "", "", "", "MI", member],
        ["NM1", "PR", "2", payer or "PAYER", "", "", "", "", "PI", "00001"],
        ["CLM", clean(claim_id, seps), f"{total:.2f}", "", "", clm05, "Y", "A", "Y", "Y"],
    ]
    if freq in ("7", "8"):
        segs.append(["REF", "F8", clean(claim_id, seps)])
    if institutional:
        start = x12_date(first.get("claim_start_date"))
        end = x12_date(first.get("claim_end_date"))
        segs.append(["DTP", "434"] + period(start, end))
    icd9 = (first.get("diagnosis_code_type") or "").strip().lower() == "icd-9-cm"
    principal, other = ("BK", "BF") if icd9 else ("ABK", "ABF")
    dx = [code(first.get(f"diagnosis_code_{n}"), seps) for n in range(1, 26)]
    composites = []
    if dx[0]:
        composites.append(principal + comp + dx[0])
    composites += [other + comp + d for d in dx[1:] if d]
    for start in range(0, len(composites), 12):
        segs.append(["HI"] + composites[start:start + 12])
    for row in rows:
        procedure = code(row.get("hcpcs_code"), seps)
        modifiers = [code(row.get(f"hcpcs_modifier_{n}"), seps) for n in range(1, 5)]
        while modifiers and not modifiers[-1]:
            modifiers.pop()
        composite = comp.join(["HC", procedure] + modifiers) if procedure else ""
        charge = clean(row.get("charge_amount"), seps) or "0"
        units = clean(row.get("service_unit_quantity"), seps) or "1"
        segs.append(["LX", clean(row.get("claim_line_number"), seps)])
        if institutional:
            segs.append(["SV2", clean(row.get("revenue_center_code"), seps), composite, charge, "UN", units])
            line_date = x12_date(row.get("claim_line_start_date"))
        else:
            pos = clean(row.get("place_of_service_code"), seps)
            segs.append(["SV1", composite, charge, "UN", units, pos, "", "1"])
            line_date = x12_date(row.get("claim_line_start_date")) or x12_date(row.get("claim_start_date"))
        if line_date:
            line_end = x12_date(row.get("claim_line_end_date"))
            segs.append(["DTP", "472"] + period(line_date, line_end))
    return segs


def transaction(claims, institutional, control, seps):
    version = I_VERSION if institutional else P_VERSION
    body = [
        ["ST", "837", f"{control:04d}", version],
        ["BHT", "0019", "00", f"{control:04d}", "20240405", "1200", "CH"],
        ["NM1", "41", "2", "LBP SAMPLE SUBMITTER", "", "", "", "", "46", "SUBMIT1"],
        ["PER", "IC", "DATA TEAM", "TE", "5555550100"],
        ["NM1", "40", "2", "ACME HEALTH PLAN", "", "", "", "", "46", "RECV1"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "85", "2", "SAMPLE BILLING PROVIDER", "", "", "", "", "XX", "1234567893"],
        ["N3", "1 MAIN STREET"],
        ["N4", "CENTERVILLE", "PA", "17111"],
        ["REF", "EI", "123456789"],
    ]
    hl = 2
    for claim_id, rows in claims:
        body += claim_segments(claim_id, rows, institutional, hl, seps)
        hl += 1
    body.append(["SE", str(len(body) + 1), f"{control:04d}"])
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--separators", default="*:^~",
                        help="element, component, repetition separators and segment terminator (default *:^~)")
    parser.add_argument("--no-line-breaks", action="store_true", help="write the whole interchange on one line")
    args = parser.parse_args()
    seps = args.separators
    if len(seps) != 4 or len(set(seps)) != 4:
        sys.exit("csv-to-837: --separators needs four different characters")
    el, comp, rep, term = seps
    claims = read_claims(args.input)
    professional = [(k, v) for k, v in claims.items() if (v[0].get("claim_type") or "").strip().lower() != "institutional"]
    institutional = [(k, v) for k, v in claims.items() if (v[0].get("claim_type") or "").strip().lower() == "institutional"]
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "LBPSAMPLE".ljust(15), "ZZ", "ACMEHEALTH".ljust(15),
           "240405", "1200", rep, "00501", "000000001", "0", "P", comp]
    segments = [isa]
    groups = 0
    for number, (group, is_institutional) in enumerate([(professional, False), (institutional, True)], start=1):
        if not group:
            continue
        groups += 1
        segments.append(["GS", "HC", "LBPSAMPLE", "ACMEHEALTH", "20240405", "1200", str(number), "X",
                         I_VERSION if is_institutional else P_VERSION])
        segments += transaction(group, is_institutional, number, seps)
        segments.append(["GE", "1", str(number)])
    segments.append(["IEA", str(groups), "000000001"])
    end = term if args.no_line_breaks else term + "\n"
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        for segment in segments:
            out.write(el.join(segment) + end)


if __name__ == "__main__":
    main()
