#!/usr/bin/env python3
"""report.py RESULTS.jsonl OUT.json — the summary of a bench/run.sh run.

Reads the lines run.sh emitted (machine, run, data, start, rss, wrk,
ceiling), prints the table and the verdict on each target, and writes one
JSON document with everything.

Ceilings: "get" is compared with nginx serving a static file of the same
size (the HTTP ceiling); every other workload with the sqlite3 shell
replaying the statements the server ran for it (the storage ceiling).
"""
import json
import sys

READS = ["list", "page", "search_prefix", "search_cjk", "timeline"]
ORDER = ["get", "list", "page", "search_prefix", "search_cjk", "timeline",
         "create", "update", "delete", "mixed"] + [w + "_c1" for w in READS]


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def merge(rows, kind):
    out = {}
    for r in rows:
        if r["kind"] == kind:
            out.update({k: v for k, v in r.items() if k != "kind"})
    return out


def by_scale(rows, kind):
    out = {}
    for r in rows:
        if r["kind"] == kind:
            out.setdefault(r["scale"], {}).update(
                {k: v for k, v in r.items() if k not in ("kind", "scale")})
    return out


def fmt_scale(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def main():
    rows = load(sys.argv[1])
    machine = merge(rows, "machine")
    run = merge(rows, "run")
    data = by_scale(rows, "data")
    start = by_scale(rows, "start")
    rss = by_scale(rows, "rss")
    ceilings = {(r["scale"], r["workload"]): r for r in rows if r["kind"] == "ceiling"}
    nginx = next((r for r in rows if r["kind"] == "wrk" and r.get("target") == "nginx"), None)
    results = [r for r in rows if r["kind"] == "wrk" and r.get("target") == "rapport"]
    results.sort(key=lambda r: (r["scale"], ORDER.index(r["workload"])
                                if r["workload"] in ORDER else 99))
    scales = sorted({r["scale"] for r in results} | set(start))

    table = []
    for r in results:
        w, s = r["workload"], r["scale"]
        sq = ceilings.get((s, w))
        if w.endswith("_c1") and ceilings.get((s, w[:-3])):
            # one connection: compare with one shell's share of the replay
            sq = dict(ceilings[(s, w[:-3])])
            sq["rps"] = round(sq["rps"] / sq.get("parts", 1), 1)
        row = {
            "workload": w, "scale": s, "rps": r["rps"], "p50_ms": r["p50_ms"],
            "p90_ms": r["p90_ms"], "p99_ms": r["p99_ms"], "max_ms": r["max_ms"],
            "requests": r["requests"], "conns": r["conns"],
            "rss_mb": round(r.get("rss_kb", 0) / 1024, 1),
            "errors": r["errors"], "codes": r.get("codes", {}),
            "storage_ceiling_rps": sq["rps"] if sq else None,
            "cpu_other_pct": r.get("cpu_other_pct"), "cpu_steal_pct": r.get("cpu_steal_pct"),
            "cpu_irq_pct": r.get("cpu_irq_pct"),
            "cpu_server_pct": r.get("cpu_server_pct"), "cpu_loadgen_pct": r.get("cpu_loadgen_pct"),
            "http_ceiling_rps": nginx["rps"] if nginx else None,
        }
        for k in ("cursor_pages", "restarts"):
            if k in r:
                row[k] = r[k]
        if w == "get":
            row["ceiling"], row["ceiling_rps"] = "nginx", row["http_ceiling_rps"]
        else:
            row["ceiling"], row["ceiling_rps"] = "sqlite3", row["storage_ceiling_rps"]
        row["ratio"] = (round(r["rps"] / row["ceiling_rps"], 3)
                        if row["ceiling_rps"] else None)
        table.append(row)

    # --- the table -------------------------------------------------------
    hdr = ("workload", "scale", "req/s", "p50 ms", "p99 ms", "ceiling req/s",
           "vs", "ratio", "RSS MB", "non-2xx", "other CPU%")
    lines = []
    for t in table:
        bad = sum(v for k, v in t["codes"].items() if not k.startswith("2"))
        bad = max(bad, t["errors"]["status"])
        lines.append((t["workload"], fmt_scale(t["scale"]), "%.0f" % t["rps"],
                      "%.2f" % t["p50_ms"], "%.2f" % t["p99_ms"],
                      "%.0f" % t["ceiling_rps"] if t["ceiling_rps"] else "-",
                      t["ceiling"], "%.2f" % t["ratio"] if t["ratio"] is not None else "-",
                      "%.1f" % t["rss_mb"], str(bad),
                      "%.0f" % t["cpu_other_pct"] if t["cpu_other_pct"] is not None else "-"))
    if nginx:
        lines.append(("nginx static", "-", "%.0f" % nginx["rps"], "%.2f" % nginx["p50_ms"],
                      "%.2f" % nginx["p99_ms"], "-", "-", "-", "-",
                      str(nginx["errors"]["status"]),
                      "%.0f" % nginx["cpu_other_pct"] if "cpu_other_pct" in nginx else "-"))
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h)
              for i, h in enumerate(hdr)]

    def show(cells):
        return "  ".join(c.ljust(widths[i]) if i in (0, 6) else c.rjust(widths[i])
                         for i, c in enumerate(cells))
    print()
    binary = "commit %s" % run.get("commit")
    if run.get("binary") and run.get("binary") != "build/rapport":
        binary = "binary %s, HEAD %s" % (run["binary"].split("/")[-1], run.get("commit"))
    print("Rapport bench, %s run of %s (%s, %s s per workload, %d connections, mixed %d)" % (
        run.get("mode"), run.get("date"), binary, run.get("duration_s"),
        run.get("conns", 0), run.get("mixed_conns", 0)))
    print("machine: %s x %s, %s GiB RAM, kernel %s, %s fsync/s" % (
        machine.get("nproc"), machine.get("cpu"), machine.get("ram_gib"),
        machine.get("kernel"), machine.get("fsync_per_s")))
    print()
    print(show(hdr))
    print(show(["-" * w for w in widths]))
    for l in lines:
        print(show(l))
    for r in rows:
        if r["kind"] == "restart":
            print("note: the server was stopped from outside and restarted %s %s at %s" % (
                "during" if "during" in r else "before", r.get("during") or r.get("before"),
                fmt_scale(r["scale"])))
    again = [r for r in rows if r["kind"] == "noisy"]
    if again:
        print("note: measured again for the hypervisor's steal time (the run with the least\n"
              " counts): %s" % ", ".join(
                  "%s@%s (%.1f%% steal, p99 %.2f ms)" % (
                      r["workload"], fmt_scale(r["scale"]) if r["scale"] else "-",
                      r.get("cpu_steal_pct") or 0, r["p99_ms"])
                  for r in again))
    noisy = [t for t in table if (t["cpu_other_pct"] or 0) > 15]
    if noisy:
        print("note: other processes used >15%% of the CPU during: %s" % ", ".join(
            "%s@%s (%.0f%%)" % (t["workload"], fmt_scale(t["scale"]), t["cpu_other_pct"])
            for t in noisy))
    print("(other CPU%: share of the machine's CPU used by processes other than the server\n"
          " and wrk during the run; a shared machine makes those numbers less reliable)")
    print()
    print("%-8s %12s %12s %12s %14s %14s %12s" % (
        "scale", "db MB", "generate s", "start ms", "RSS idle MB", "RSS load MB", "RSS peak MB"))
    for s in scales:
        d, st, rs = data.get(s, {}), start.get(s, {}), rss.get(s, {})
        print("%-8s %12s %12s %12s %14s %14s %12s" % (
            fmt_scale(s), "%.0f" % (d.get("db_bytes", 0) / 1048576),
            "%.0f" % d["generate_s"] if d.get("generate_s") else "cached",
            "%.1f" % st["mean_ms"] if st else "-",
            "%.1f" % (rs["idle_kb"] / 1024) if "idle_kb" in rs else "-",
            "%.1f" % (rs["after_load_kb"] / 1024) if "after_load_kb" in rs else "-",
            "%.1f" % (rs["hwm_kb"] / 1024) if "hwm_kb" in rs else "-"))

    # --- targets -------------------------------------------------------------
    get = {t["scale"]: t for t in table if t["workload"] == "get"}
    res = {(t["scale"], t["workload"]): t for t in table}
    targets = []

    def target(name, met, detail):
        targets.append({"target": name, "met": met, "detail": detail})

    for s, t in sorted(get.items()):
        if t["ratio"] is not None:
            target("get by id >= 0.5x nginx req/s (%s)" % fmt_scale(s), t["ratio"] >= 0.5,
                   "%.0f vs %.0f req/s = %.2fx" % (t["rps"], t["ceiling_rps"], t["ratio"]))
        target("get by id p99 < 5 ms at %d connections (%s)" % (t["conns"], fmt_scale(s)),
               t["p99_ms"] < 5, "p99 %.2f ms" % t["p99_ms"])
    if scales:
        big, small = max(scales), min(scales)
        note = "" if big == 1000000 else " [largest scale run: %s, not 1M]" % fmt_scale(big)
        for w in READS + [x + "_c1" for x in READS]:
            t = res.get((big, w))
            if t:
                target("%s p99 < 10 ms at %s%s (%d conn.)" % (w, fmt_scale(big), note, t["conns"]),
                       t["p99_ms"] < 10,
                       "p99 %.2f ms" % t["p99_ms"])
            t0 = res.get((small, w))
            if t and t0 and big != small:
                r50 = t["p50_ms"] / t0["p50_ms"] if t0["p50_ms"] else 0
                r99 = t["p99_ms"] / t0["p99_ms"] if t0["p99_ms"] else 0
                target("%s p50 at %s <= 1.5x p50 at %s" % (w, fmt_scale(big), fmt_scale(small)),
                       r50 <= 1.5, "p50 %.2f -> %.2f ms (%.1fx); p99 %.2f -> %.2f ms (%.1fx)" % (
                           t0["p50_ms"], t["p50_ms"], r50, t0["p99_ms"], t["p99_ms"], r99))
        for s in scales:
            t = res.get((s, "create"))
            if t:
                target("durable creates >= 5000/s at %d connections (%s)" % (t["conns"], fmt_scale(s)),
                       t["rps"] >= 5000, "%.0f creates/s, p99 %.1f ms" % (t["rps"], t["p99_ms"]))
        st = start.get(big)
        if st:
            target("start < 200 ms on the %s database%s" % (fmt_scale(big), note),
                   st["mean_ms"] < 200, "mean %.1f ms (min %.1f, max %.1f) to the first /healthz 200" % (
                       st["mean_ms"], st["min_ms"], st["max_ms"]))
        for s in scales:
            rs = rss.get(s, {})
            if "idle_kb" in rs:
                target("idle RSS < 30 MB (%s)" % fmt_scale(s), rs["idle_kb"] < 30 * 1024,
                       "%.1f MB" % (rs["idle_kb"] / 1024))
    imports = [r for r in rows if r["kind"] == "import"]
    for im in imports:
        print()
        print("import: %d CSV rows into contacts in %.1f s = %.0f rows/s, peak RSS %.1f MB"
              " (%s created, %s updated, %s rejected)" % (
                  im["rows"], im["seconds"] or 0, im["rows_per_s"] or 0,
                  (im["peak_rss_kb"] or 0) / 1024, im.get("created"), im.get("updated"),
                  im.get("rejected")))
        target("import of %s rows: peak RSS < 200 MB" % fmt_scale(im["rows"]),
               (im["peak_rss_kb"] or 1e9) < 200 * 1024, "%.1f MB" % ((im["peak_rss_kb"] or 0) / 1024))
        target("import of %s rows: >= 10,000 rows/s" % fmt_scale(im["rows"]),
               (im["rows_per_s"] or 0) >= 10000, "%.0f rows/s" % (im["rows_per_s"] or 0))
    print()
    print("targets:")
    for t in targets:
        print("  %-4s %-58s %s" % ("MET" if t["met"] else "MISS", t["target"], t["detail"]))
    print()

    doc = {"run": run, "machine": machine, "data": data, "start": start, "rss": rss,
           "imports": imports,
           "nginx": nginx, "results": table,
           "storage_ceilings": [c for c in ceilings.values()], "targets": targets}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
