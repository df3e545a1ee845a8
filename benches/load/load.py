#!/usr/bin/env python3
"""Helpers of run.sh: request bodies, answer checks and the result table.

    load.py bodies DIR          write the request bodies and expected answers
    load.py check FILE VALUE    exit 0 when FILE is a methodResponse whose
                                value is the int VALUE
    load.py report DIR          print the markdown table of DIR/results.tsv
"""

import random
import statistics
import sys
import xmlrpc.client

# The scenarios: name, body file, expected int result, wrk connections.
SCENARIOS = [
    ("add", "add.xml", 3, 64),
    ("add", "add.xml", 3, 1000),
    ("arrayOfStructsTest", "structs100.xml", None, 64),
]


def structs(n=100, seed=1):
    """The validator's array of structs: n structs of three ints each."""
    rng = random.Random(seed)
    return [
        {"moe": rng.randint(-1000, 1000), "larry": rng.randint(-1000, 1000),
         "curly": rng.randint(-1000, 1000)}
        for _ in range(n)
    ]


def bodies(out):
    # Written as Python's xmlrpc.client writes them, as a peer would send.
    with open(f"{out}/add.xml", "w") as f:
        f.write(xmlrpc.client.dumps((1, 2), "add"))
    with open(f"{out}/add.response.xml", "w") as f:
        f.write(xmlrpc.client.dumps((3,), methodresponse=True))
    array = structs()
    total = sum(s["curly"] for s in array)
    with open(f"{out}/structs100.xml", "w") as f:
        f.write(xmlrpc.client.dumps((array,), "validator1.arrayOfStructsTest"))
    with open(f"{out}/structs100.response.xml", "w") as f:
        f.write(xmlrpc.client.dumps((total,), methodresponse=True))
    with open(f"{out}/structs100.expected", "w") as f:
        f.write(f"{total}\n")


def check(path, expected):
    with open(path, "rb") as f:
        data = f.read()
    try:
        (value,), _ = xmlrpc.client.loads(data)
    except Exception as e:  # a fault or a malformed answer
        print(f"not the expected answer ({e}): {data[:300]!r}", file=sys.stderr)
        return 1
    if value != int(expected) or type(value) is not int:
        print(f"answer {value!r}, expected {expected}", file=sys.stderr)
        return 1
    return 0


SERVERS = ["hyper", "dxr", "tokio", "smol", "blocking"]
LABELS = {
    "hyper": "hyper 1 fixed answer (ceiling)",
    "dxr": "dxr 0.9 on axum 0.8",
    "tokio": "xmlrpc-tokio",
    "smol": "xmlrpc-smol",
    "blocking": "xmlrpc-blocking",
}


def report(out):
    rows = {}
    with open(f"{out}/results.tsv") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            rows.setdefault((r["scenario"], r["server"]), []).append(r)

    def med(runs, key):
        return statistics.median(float(r[key]) for r in runs)

    summary = {}
    for key, runs in rows.items():
        summary[key] = {
            "rps": med(runs, "rps"),
            "p50": med(runs, "p50_us") / 1000,
            "p99": med(runs, "p99_us") / 1000,
            "max": max(float(r["max_us"]) for r in runs) / 1000,
            "errors": sum(int(r["errors"]) for r in runs),
            "cpu": med(runs, "server_cpu"),
            "us_per_req": med(runs, "cpu_us_per_req"),
            "rss": max(float(r["vmhwm_kib"]) for r in runs) / 1024,
            "n": len(runs),
        }

    lines = [
        "| scenario | server | req/s | × ceiling | × dxr | p50 ms | p99 ms | max ms "
        "| errors | server CPU | CPU µs/req | peak RSS MiB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    scenario_names = []
    for name, _, _, conns in SCENARIOS:
        scenario = f"{name} c{conns}"
        if not any(k[0] == scenario for k in summary):
            continue
        scenario_names.append(scenario)
        ceiling = summary.get((scenario, "hyper"), {}).get("rps")
        dxr = summary.get((scenario, "dxr"), {}).get("rps")
        for server in SERVERS:
            s = summary.get((scenario, server))
            if s is None:
                continue
            xc = f"{s['rps'] / ceiling:.2f}" if ceiling else ""
            xd = f"{s['rps'] / dxr:.2f}" if dxr else ""
            lines.append(
                f"| {scenario} | {LABELS[server]} | {s['rps']:,.0f} | {xc} | {xd} "
                f"| {s['p50']:.2f} | {s['p99']:.2f} | {s['max']:.1f} | {s['errors']} "
                f"| {s['cpu']:.0f} % | {s['us_per_req']:.1f} | {s['rss']:.1f} |"
            )
    print("\n".join(lines))
    print()

    # The aims, for each of the project's servers.
    print("| server | add c64 ≥ 0.75 ceiling | add c1000 ≥ 0.75 ceiling "
          "| structs ≥ 5 × dxr | p99 ≤ dxr's (all) | peak RSS ≤ dxr's (all) |")
    print("|---|---|---|---|---|---|")
    for server in ["tokio", "smol", "blocking"]:
        cells = []
        for scenario, target in [("add c64", "ceiling"), ("add c1000", "ceiling"),
                                 ("arrayOfStructsTest c64", "dxr")]:
            s = summary.get((scenario, server))
            ref = summary.get((scenario, "hyper" if target == "ceiling" else "dxr"))
            if s is None or ref is None:
                cells.append("–")
                continue
            ratio = s["rps"] / ref["rps"]
            aim = 0.75 if target == "ceiling" else 5.0
            cells.append(f"{'yes' if ratio >= aim else 'no'} ({ratio:.2f})")
        for metric in ["p99", "rss"]:
            worse = []
            for scenario in scenario_names:
                s = summary.get((scenario, server))
                d = summary.get((scenario, "dxr"))
                if s and d and s[metric] > d[metric]:
                    worse.append(scenario)
            cells.append("yes" if not worse else "no: " + ", ".join(worse))
        print(f"| {LABELS[server]} | " + " | ".join(cells) + " |")


def main(argv):
    if len(argv) == 3 and argv[1] == "bodies":
        bodies(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "report":
        report(argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
