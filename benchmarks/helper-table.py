#!/usr/bin/env python3
"""helper-table.py - benchmark 6's table from the JMH JSON of helper-session.sh.

usage: benchmarks/helper-table.py RESULT.json [RESULT.json ...]

For each file (one JMH run), prints one row per benchmark and parameter set: the median of the
measurement iterations (requests/s; for the SampleTime shape `request`, p50 and p99 in us), the
ratio to the ProcessBuilder baseline of the same file and the same number of helpers (throughput:
to the baseline's `request4`; `request`: p50 and p99 to the baseline's), and gc.alloc.rate.norm
(bytes allocated per request, from -prof gc; "-" when the run had no -prof gc). A missing
baseline leaves the ratio "-". Python standard library only.
"""
import json
import statistics
import sys


def params(r):
    p = r.get("params") or {}
    return p


def label(r):
    name = r["benchmark"].rsplit(".", 2)
    p = params(r)
    keys = [k for k in ("mode", "channel", "helpers", "inFlight") if k in p]
    if not r["benchmark"].endswith(("pipelined4", "pipelinedBulk4")) and "inFlight" in keys:
        keys.remove("inFlight")  # only the pipelined shapes use it
    return name[-2] + "." + name[-1], " ".join(f"{k}={p[k]}" for k in keys)


def median_score(r):
    m = r["primaryMetric"]
    raw = [s for fork in m.get("rawData") or [] for s in fork]
    return statistics.median(raw) if raw else m["score"]


def percentile(r, q):
    return r["primaryMetric"].get("scorePercentiles", {}).get(q)


def alloc(r):
    s = (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
    return None if s is None else s["score"]


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}".replace(",", " ")


def table(path):
    with open(path) as f:
        results = json.load(f)
    base = {}  # (shape, helpers) -> result
    for r in results:
        if r["benchmark"].endswith("HelperPoolBaseline.request4") or r["benchmark"].endswith("HelperPoolBaseline.request"):
            base[(r["benchmark"].rsplit(".", 1)[1], params(r).get("helpers", "4"))] = r
    print(f"\n{path}")
    print(f"| benchmark | parameters | median req/s or p50 / p99 us | ratio to the baseline (same run) | B/request |")
    print("|---|---|---|---|---|")
    for r in results:
        name, ps = label(r)
        helpers = params(r).get("helpers", "4")
        if r["mode"] == "sample":
            p50, p99 = percentile(r, "50.0"), percentile(r, "99.0")
            value = f"{fmt(p50, 1)} / {fmt(p99, 1)}"
            b = base.get(("request", helpers))
            if b is not None and p50 and p99:
                ratio = f"p50 {p50 / percentile(b, '50.0'):.2f}x, p99 {p99 / percentile(b, '99.0'):.2f}x"
            else:
                ratio = "-"
        else:
            score = median_score(r)
            value = fmt(score)
            b = base.get(("request4", helpers))
            ratio = f"{score / median_score(b):.2f}x request4" if b is not None else "-"
        print(f"| {name} | {ps} | {value} | {ratio} | {fmt(alloc(r))} |")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for path in argv[1:]:
        table(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
