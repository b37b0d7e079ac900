#!/usr/bin/env python3
"""chart.py - spawn latency against heap size, from one JMH JSON result file.

usage: benchmarks/chart.py RESULT.json OUT.svg

Reads SpawnRoundTrip (-Xms64m) and SpawnRoundTripHeap8g (-Xms8g pre-touched):
the p0.50 of procmasterLoop, procmasterWaitFor and processBuilder; and
RawSpawnLoop.clone3's p50Us per heapMb (the C loop with that much memory
touched). Writes a dependency-free SVG (log-scale latency axis) and prints
the table it drew. Python standard library only.
"""
import json
import math
import sys

HEAP_CLASSES = {"SpawnRoundTrip": 64, "SpawnRoundTripHeap8g": 8192}
SERIES = [  # key, label, colour
    ("processBuilder", "ProcessBuilder (default, JDK posix_spawn)", "#d62728"),
    ("processBuilderVfork", "ProcessBuilder (launchMechanism=VFORK)", "#ff7f0e"),
    ("procmasterWaitFor", "procmaster spawn + waitFor", "#1f77b4"),
    ("procmasterLoop", "procmaster spawn + loop poll", "#2ca02c"),
    ("rawC", "raw C loop (pm-spawnloop, clone3)", "#7f7f7f"),
]


def load(path):
    points = {k: {} for k, _, _ in SERIES}
    for b in json.load(open(path)):
        cls, method = b["benchmark"].split(".")[-2:]
        if cls in HEAP_CLASSES and method in points:
            points[method][HEAP_CLASSES[cls]] = b["primaryMetric"]["scorePercentiles"]["50.0"]
        elif cls == "RawSpawnLoop":
            points["rawC"][int(b["params"]["heapMb"])] = b["secondaryMetrics"]["p50Us"]["score"]
    return points


def svg(points, out):
    w, h, ml, mr, mt, mb = 900, 440, 70, 440, 40, 60
    pw, ph = w - ml - mr, h - mt - mb
    heaps = sorted({x for s in points.values() for x in s})
    vals = [v for s in points.values() for v in s.values()]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    lx0, lx1 = math.log2(heaps[0]), math.log2(heaps[-1])

    def x(mb):
        return ml + (0.5 if lx1 == lx0 else (math.log2(mb) - lx0) / (lx1 - lx0)) * pw * 0.8 + pw * 0.1

    def y(us):
        return mt + ph - (math.log10(us) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * ph

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{ml}" y="22" font-size="15">Spawn round trip (median) against heap size, pm-exit0 child</text>',
         f'<line x1="{ml}" y1="{mt + ph}" x2="{ml + pw}" y2="{mt + ph}" stroke="black"/>',
         f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{mt + ph}" stroke="black"/>']
    d = lo
    while d <= hi * 1.0001:
        for m in (1, 2, 5):
            v = d * m
            if lo <= v <= hi:
                o.append(f'<line x1="{ml}" y1="{y(v):.1f}" x2="{ml + pw}" y2="{y(v):.1f}" stroke="#ddd"/>')
                o.append(f'<text x="{ml - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        d *= 10
    o.append(f'<text x="18" y="{mt + ph / 2}" transform="rotate(-90 18 {mt + ph / 2})" text-anchor="middle">'
             'µs per spawn + exit + reap (log)</text>')
    for mb in heaps:
        label = f"{mb // 1024} GiB" if mb >= 1024 else f"{mb} MiB"
        o.append(f'<text x="{x(mb):.1f}" y="{mt + ph + 20}" text-anchor="middle">{label}</text>')
    o.append(f'<text x="{ml + pw / 2}" y="{h - 15}" text-anchor="middle">heap (-Xms, pre-touched at 8 GiB; '
             'C loop: memory touched)</text>')
    shown = [(key, label, colour) for key, label, colour in SERIES if points[key]]
    heap_names = " / ".join(f"{mb // 1024} GiB" if mb >= 1024 else f"{mb} MiB" for mb in heaps)
    o.append(f'<text x="{ml + pw + 20}" y="{mt}" fill="#555">median µs at {heap_names}</text>')
    for i, (key, label, colour) in enumerate(shown):
        pts = sorted(points[key].items())
        path = " ".join(f"{x(mb):.1f},{y(v):.1f}" for mb, v in pts)
        o.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for mb, v in pts:
            o.append(f'<circle cx="{x(mb):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}"/>')
        # The values go into the legend: the procmaster and raw C series lie within a few µs of
        # each other, and labels next to their points overlapped.
        values = " / ".join(f"{points[key][mb]:.0f}" if mb in points[key] else "–" for mb in heaps)
        ly = mt + 20 + i * 22
        o.append(f'<line x1="{ml + pw + 20}" y1="{ly - 4}" x2="{ml + pw + 44}" y2="{ly - 4}" stroke="{colour}" '
                 'stroke-width="2"/>')
        o.append(f'<text x="{ml + pw + 50}" y="{ly}">{label}: {values} µs</text>')
    o.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(o) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    points = load(sys.argv[1])
    for key, label, _ in SERIES:
        print(f"{label:45s} " + "  ".join(f"{mb} MiB: {v:.1f} us" for mb, v in sorted(points[key].items())))
    svg(points, sys.argv[2])


if __name__ == "__main__":
    main()
