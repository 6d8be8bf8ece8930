#!/usr/bin/env python3
"""Posts pre-payment checks to a running `lbp serve` from several client processes and reports
latency (p50, p99, max) and checks per second. Used by Scripts/bench-serve; loopback only.

  serve-load.py --port PORT --token-file FILE --bodies BODIES.jsonl [--clients 4] [--seconds 15]

Each line of BODIES.jsonl is one {"claim": {...}} body. Every answer must be 200 with one
decision per imaging line; anything else is counted and printed as an error.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--label", default="checks")
    parser.add_argument("--until-file", help="stop when this file exists (and at --seconds at the latest)")
    args = parser.parse_args()

    token = open(args.token_file).read().strip()
    bodies = [line.encode() for line in open(args.bodies) if line.strip()]
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    deadline = time.time() + args.seconds
    results = multiprocessing.Queue()

    def client(index):
        """One client process: keep-alive connection, bodies round-robin, until the deadline."""
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        mine, errors, decided, n = [], [], 0, index
        while time.time() < deadline:
            if args.until_file and os.path.exists(args.until_file):
                break
            body = bodies[n % len(bodies)]
            n += args.clients
            start = time.perf_counter()
            try:
                conn.request("POST", "/v1/check", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except Exception as error:  # a dropped connection is an error; reconnect
                errors.append(f"{type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                errors.append(f"status {response.status}: {data[:200]!r}")
                continue
            mine.append(elapsed)
            decided += data.count(b'"outcome":"')
        results.put((mine, errors, decided))

    started = time.monotonic()
    processes = [multiprocessing.Process(target=client, args=(i,)) for i in range(args.clients)]
    for process in processes:
        process.start()
    latencies, errors, decided = [], [], [0]
    for _ in processes:
        mine, theirs, count = results.get()
        latencies += mine
        errors += theirs
        decided[0] += count
    for process in processes:
        process.join()
    wall = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else float("nan")

    print(f"{args.label}: {len(latencies)} checks in {wall:.1f} s by {args.clients} clients: "
          f"{len(latencies) / wall:.0f} checks/s, p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms, "
          f"max {latencies[-1] if latencies else float('nan'):.2f} ms; {decided[0]} imaging lines decided; {len(errors)} errors")
    for error in errors[:5]:
        print("  error:", error)
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
