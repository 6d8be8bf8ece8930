#!/usr/bin/env python3
"""Compare two decision CSVs line by line, e.g. the engine's export with the reference SQL's.

    python3 Scripts/compare-decisions.py LBP_CSV REF_CSV [--show N]

Both files are read by header name. Lines are keyed by (claim_id, claim_line_number); the columns
compared are those of outcome, reason, index_date that both files have (so
Samples/expected_decisions.csv, which has no index_date, can be either side). A line present in
only one file is a difference. Prints "N lines, N agree, N differ" and the first differing lines;
exits 1 on any difference, 0 otherwise.
"""
import argparse
import csv
import sys

KEY = ("claim_id", "claim_line_number")
COMPARED = ("outcome", "reason", "index_date")


def read(path):
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [k for k in KEY if k not in header]
        if missing:
            sys.exit(f"{path}: no column {', '.join(missing)}")
        rows = {}
        for row in reader:
            key = (row["claim_id"], int(row["claim_line_number"]))
            if key in rows:
                sys.exit(f"{path}: line {key} appears twice")
            rows[key] = row
        return header, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lbp_csv")
    ap.add_argument("ref_csv")
    ap.add_argument("--show", type=int, default=20, help="differing lines to print (default 20)")
    args = ap.parse_args()

    h1, a = read(args.lbp_csv)
    h2, b = read(args.ref_csv)
    cols = [c for c in COMPARED if c in h1 and c in h2]
    if not cols:
        sys.exit("no common column among " + ", ".join(COMPARED))

    keys = sorted(set(a) | set(b))
    differ = []
    for k in keys:
        ra, rb = a.get(k), b.get(k)
        va = tuple(ra[c] for c in cols) if ra else None
        vb = tuple(rb[c] for c in cols) if rb else None
        if va != vb:
            differ.append((k, va, vb))

    print(f"{len(keys)} lines, {len(keys) - len(differ)} agree, {len(differ)} differ"
          f" (compared: {', '.join(cols)})")
    if differ:
        print(f"first differing lines ({args.lbp_csv} | {args.ref_csv}):")
        fmt = lambda v: "(missing)" if v is None else ",".join(v)
        for (cid, ln), va, vb in differ[: args.show]:
            member = (a.get((cid, ln)) or b.get((cid, ln)) or {}).get("member_id", "")
            m = f" {member}" if member else ""
            print(f"  {cid},{ln}{m}: {fmt(va)} | {fmt(vb)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
