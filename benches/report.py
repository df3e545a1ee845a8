#!/usr/bin/env python3
"""Prints criterion's results for the codec benchmarks as Markdown tables.

MB/s is the reference document's size over the time per iteration of the
fastest sample (criterion's sample.json), so within one payload a ratio of
MB/s is a ratio of times. On a shared machine other processes only ever add
time, so the fastest sample is the steadiest estimate; the median (from
estimates.json) is shown beside it. Only results written since
--since (a Unix time) are read, so rows of an older run never mix in.
"""
import argparse
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "criterion")
PAYLOADS = ["add", "structs100", "mixed10mb", "blob1mb", "blob1mb_lines", "add_py", "structs100_py",
            "mixed10mb_py"]
OURS = ["ours", "ours_ref"]
PEERS = ["dxr", "serde_xmlrpc", "xmlrpc"]
BARE = ["quick_xml_031", "quick_xml_038", "quick_xml_042"]
ORDER = ["ours", "ours_ref", "dxr", "serde_xmlrpc", "xmlrpc", "quick_xml_031", "quick_xml_038", "quick_xml_042",
         "base64_crate", "reference_writer", "base64_022_encode", "base64_013_encode"]
# The aims: ceiling ratio wanted, per (kind, payload).
AIM = {("parse", "add"): 0.85, ("parse", "mixed10mb"): 0.85, ("parse", "blob1mb"): 0.9,
       ("write", "add"): 0.85, ("write", "structs100"): 0.85, ("write", "mixed10mb"): 0.85,
       ("parse", "blob1mb_lines"): 0.9, ("write", "blob1mb"): 0.85,
       ("parse", "add_py"): 0.85, ("parse", "structs100_py"): 0.85, ("parse", "mixed10mb_py"): 0.85}


EXTRA = []  # more criterion folders (--also): the fastest sample of all counts


def load(group, since):
    rows = {}
    for root in EXTRA:
        for k, v in load_root(root, group, 0).items():
            if k not in rows or v[0] < rows[k][0]:
                rows[k] = v
    for k, v in load_root(ROOT, group, since).items():
        if k not in rows or v[0] < rows[k][0]:
            rows[k] = v
    return rows


def load_root(root, group, since):
    rows = {}
    d = os.path.join(root, group)
    if not os.path.isdir(d):
        return rows
    for name in os.listdir(d):
        est = os.path.join(d, name, "new", "estimates.json")
        bench = os.path.join(d, name, "new", "benchmark.json")
        if not os.path.exists(est) or os.path.getmtime(est) < since:
            continue
        with open(est) as f:
            median = json.load(f)["median"]["point_estimate"]
        with open(os.path.join(d, name, "new", "sample.json")) as f:
            sample = json.load(f)
        ns = min(t / i for t, i in zip(sample["times"], sample["iters"]))
        with open(bench) as f:
            b = json.load(f)
        n = (b.get("throughput") or {}).get("Bytes")
        if not n:
            continue
        rows[b.get("function_id") or name] = (ns, n / ns * 1e3, median)  # MB/s
    return rows


def ceiling(kind, payload, rows):
    if kind == "write":
        return "reference_writer"
    if payload.startswith("blob1mb"):
        return "base64_crate"
    q = [k for k in BARE if k in rows]
    return max(q, key=lambda k: rows[k][1]) if q else None


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def size(n):
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def summary(since):
    """One table per direction: a row per payload, MB/s per contender."""
    cols = {
        "parse": OURS + BARE + ["base64_crate"] + PEERS,
        "write": ["ours", "reference_writer"] + PEERS,
    }
    for kind in ("parse", "write"):
        head = cols[kind]
        mine = [c for c in OURS if c in head]
        ratios = [f"{c} ÷ {r}" for c in mine for r in ("ceiling", "fastest peer")]
        print(f"\n| {kind}, MB/s | size | " + " | ".join(head) + " | " + " | ".join(ratios) + " |")
        print("|---" * (len(head) + 2 + len(ratios)) + "|")
        for payload in PAYLOADS:
            rows = load(f"{kind}_{payload}", since)
            if not rows:
                continue
            n = None
            for name in rows:
                ns, mbs, _ = rows[name]
                n = mbs * ns / 1e3
            cells = [f"{rows[c][1]:.0f}" if c in rows else "–" for c in head]
            ceil = ceiling(kind, payload, rows)
            peers = [rows[p][1] for p in PEERS if p in rows]
            for c in mine:
                ours = rows.get(c)
                cells.append(f"{ours[1] / rows[ceil][1]:.2f}" if ours and ceil in rows else "–")
                cells.append(f"{ours[1] / max(peers):.2f}" if ours and peers else "–")
            print(f"| {payload} | {size(round(n))} | " + " | ".join(cells) + " |")


def versus(since):
    """Parse speed against serde_xmlrpc and the quick-xml 0.38 loop."""
    head = ["ours", "ours_ref", "serde_xmlrpc", "dxr", "xmlrpc", "quick_xml_038"]
    print("\n| parse, MB/s | size | " + " | ".join(head)
          + " | ours ÷ serde_xmlrpc | ours ÷ quick_xml_038 |")
    print("|---" * (len(head) + 4) + "|")
    for payload in PAYLOADS:
        rows = load(f"parse_{payload}", since)
        if not rows or payload.startswith("blob1mb"):
            continue
        ns, mbs, _ = next(iter(rows.values()))
        cells = [f"{rows[c][1]:.0f}" if c in rows else "–" for c in head]
        for other in ("serde_xmlrpc", "quick_xml_038"):
            ok = "ours" in rows and other in rows
            cells.append(f"{rows['ours'][1] / rows[other][1]:.2f}" if ok else "–")
        print(f"| {payload} | {size(round(mbs * ns / 1e3))} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--since", type=float, default=0)
    ap.add_argument("--summary", action="store_true", help="only the two summary tables")
    ap.add_argument("--also", action="append", default=[],
                    help="a copy of target/criterion from another run of the same code")
    args = ap.parse_args()
    EXTRA.extend(args.also)
    if args.summary:
        summary(args.since)
        versus(args.since)
        return
    verdicts = []
    for kind in ("parse", "write"):
        for payload in PAYLOADS:
            rows = load(f"{kind}_{payload}", args.since)
            if not rows:
                continue
            size = None
            ceil = ceiling(kind, payload, rows)
            print(f"\n### {kind} {payload}\n")
            print(f"| {kind} | fastest sample | median | MB/s | ÷ ceiling ({ceil}) | ours ÷ it |")
            print("|---|---:|---:|---:|---:|---:|")
            ours = rows.get("ours")
            for name in sorted(rows, key=lambda k: ORDER.index(k) if k in ORDER else 99):
                ns, mbs, median = rows[name]
                vs_ceil = f"{mbs / rows[ceil][1]:.2f}" if ceil in rows else "–"
                vs_ours = f"{ours[1] / mbs:.2f}" if ours else "–"
                print(f"| {name} | {fmt_time(ns)} | {fmt_time(median)} | {mbs:.0f} | {vs_ceil} | {vs_ours} |")
            for mine in OURS:
                ours = rows.get(mine)
                if ours is None:
                    if mine == "ours":
                        verdicts.append(f"{kind} {payload}: ours not measured")
                    continue
                slower = [p for p in PEERS if p in rows and rows[p][1] >= ours[1]]
                verdicts.append(
                    f"{kind} {payload}: {mine} faster than every peer: "
                    f"{'yes' if not slower else 'NO (' + ', '.join(slower) + ')'}"
                )
                aim = AIM.get((kind, payload))
                if aim and ceil in rows:
                    r = ours[1] / rows[ceil][1]
                    verdicts.append(
                        f"{kind} {payload}: {mine} {r:.2f} of {ceil} (aim {aim}): "
                        f"{'met' if r >= aim else 'NOT met'}"
                    )
    if verdicts:
        print("\n### aims\n")
        for v in verdicts:
            print(f"- {v}")
        print("\n### summary")
        summary(args.since)
        versus(args.since)
    else:
        print("no results", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
