#!/usr/bin/env python3
"""md.py RESULTS.json — the tables of one run as Markdown, for RESULTS.md.

Prints the workload table (with the CPU split), the per-scale table and
the targets, from the JSON file bench/run.sh wrote.
"""
import json
import sys


def fmt_scale(n):
    n = int(n)
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def pct(v):
    return "-" if v is None else "%.0f" % v


def main():
    d = json.load(open(sys.argv[1], encoding="utf-8"))
    print("| workload | scale | req/s | p50 ms | p99 ms | ceiling req/s | vs | ratio "
          "| RSS MB | server / wrk / other CPU % |")
    print("|---|---|--:|--:|--:|--:|---|--:|--:|---|")
    for t in d["results"]:
        print("| %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %.1f | %s / %s / %s |" % (
            t["workload"], fmt_scale(t["scale"]), t["rps"], t["p50_ms"], t["p99_ms"],
            "%.0f" % t["ceiling_rps"] if t["ceiling_rps"] else "-", t["ceiling"],
            "%.2f" % t["ratio"] if t["ratio"] is not None else "-", t["rss_mb"],
            pct(t.get("cpu_server_pct")), pct(t.get("cpu_loadgen_pct")),
            pct(t.get("cpu_other_pct"))))
    n = d.get("nginx")
    if n:
        print("| nginx static file (%d B) | - | %.0f | %.2f | %.2f | - | - | - | - | %s / %s / %s |" % (
            n.get("body_bytes", 0), n["rps"], n["p50_ms"], n["p99_ms"],
            pct(n.get("cpu_server_pct")), pct(n.get("cpu_loadgen_pct")),
            pct(n.get("cpu_other_pct"))))
    print()
    print("| scale | db MB | generated in | start (mean of %s) | RSS idle | RSS after load | RSS peak |" % (
        next(iter(d["start"].values()), {}).get("runs", "?")))
    print("|---|--:|--:|--:|--:|--:|--:|")
    for s in sorted(d["data"], key=int):
        da, st, rs = d["data"][s], d["start"].get(s, {}), d["rss"].get(s, {})
        print("| %s | %.0f | %s | %s | %s | %s | %s |" % (
            fmt_scale(s), da.get("db_bytes", 0) / 1048576,
            "%.0f s" % da["generate_s"] if da.get("generate_s") else "-",
            "%.0f ms (%.0f-%.0f)" % (st["mean_ms"], st["min_ms"], st["max_ms"]) if st else "-",
            "%.1f MB" % (rs["idle_kb"] / 1024) if "idle_kb" in rs else "-",
            "%.1f MB" % (rs["after_load_kb"] / 1024) if "after_load_kb" in rs else "-",
            "%.1f MB" % (rs["hwm_kb"] / 1024) if "hwm_kb" in rs else "-"))
    print()
    for t in d["targets"]:
        print("- %s %s: %s" % ("MET" if t["met"] else "**MISSED**", t["target"], t["detail"]))


if __name__ == "__main__":
    main()
