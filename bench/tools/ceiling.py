#!/usr/bin/env python3
"""ceiling.py TRACE OUTDIR — turns the sqltrace log into replay files.

The log holds every statement the traced server ran, one per line, with
"-- WORKLOAD name" markers that bench/run.sh wrote between workloads. For
each workload this writes OUTDIR/name.sql and, for reads, OUTDIR/name.N.sql
split into nproc parts by request, and prints "name requests statements".

Each file starts with the PRAGMAs the server's connections ran when they
opened (cache size, temp store, foreign keys), so the shell works with the
same settings. A request starts with its read of auth_version; that read
and, when the server does not remember the caller yet, the token lookup and
the user-and-role load right after it are authentication, not the
workload's storage work, so they are dropped. Also dropped: connection set-up PRAGMAs and the
statements FTS5 runs on its own shadow tables ('main'.…), which the
virtual table redoes by itself when the shell runs the outer statement.
"""
import os
import sys

AUTH = "SELECT n FROM auth_version"
AUTH_MISS = ("SELECT user_id, id FROM api_tokens", 'SELECT t."id",t."email",')
OPENERS = ("BEGIN", "BEGIN IMMEDIATE")


# synchronous is left out: the server's reader and writer connections
# differ, and run.sh sets synchronous=FULL for the replayed writes itself.
CONN_PRAGMAS = ("foreign_keys", "temp_store", "cache_size", "mmap_size",
                "cache_spill")


def split_thread(line):
    """("T123 SQL") -> ("123", "SQL"); a line without a thread: (None, line)."""
    if line.startswith("T"):
        tid, _, rest = line.partition(" ")
        if tid[1:].isdigit():
            return tid[1:], rest
    return None, line


def parse(path):
    segs, name, pragmas = {}, None, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            tid, line = split_thread(line.rstrip("\n"))
            if line.startswith("PRAGMA "):
                # a connection's set-up value: the first one (a migration
                # sets temp_store=FILE on the writer for a while)
                key = line[7:].split("=")[0]
                if key in CONN_PRAGMAS and key not in pragmas:
                    pragmas[key] = line.rstrip(";") + ";"
                continue
            if line.startswith("-- WORKLOAD "):
                name = line.split(" ", 2)[2].strip()
                segs[name] = []
                continue
            if name is None or not line:
                continue
            segs[name].append((tid, line))
    return segs, list(pragmas.values())


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def request_lines(lines):
    """A read workload's statements from the threads that served requests
    (those that read auth_version): the job worker's claims and idle
    merges, run meanwhile, would open transactions inside the requests'.
    A write workload keeps every thread's, in order: its batches begin and
    commit on whichever thread opens or commits them."""
    served = {t for t, s in lines if s.startswith(AUTH)}
    if any(t in served and s.startswith(WRITES) for t, s in lines):
        return [s for _, s in lines]
    return [s for t, s in lines if t is None or t in served]


def requests(lines):
    # cur starts as the statements before the first request, kept only
    # for the transaction it may open
    reqs, cur, after_auth = [], [], 0
    for s in lines:
        if s.startswith("PRAGMA") or "'main'." in s:
            continue
        if s.startswith(AUTH):
            # the read transaction a request holds begins just before its
            # auth_version read: it belongs to this request, not the one before
            carry = []
            while cur and cur[-1].rstrip(";") in OPENERS:
                carry.insert(0, cur.pop())
            cur = carry
            reqs.append(cur)
            after_auth = 2
            continue
        if after_auth and s.startswith(AUTH_MISS):
            after_auth -= 1
            continue
        after_auth = 0
        cur.append(s)
    return [r for r in reqs if r]


def main():
    trace, out = sys.argv[1], sys.argv[2]
    parts = int(os.environ.get("BENCH_REPLAY_PARTS", os.cpu_count() or 1))
    os.makedirs(out, exist_ok=True)
    segs, pragmas = parse(trace)
    head = "".join(p + "\n" for p in pragmas)
    for name, lines in segs.items():
        reqs = requests(request_lines(lines))
        nstmt = sum(len(r) for r in reqs)
        with open(os.path.join(out, name + ".sql"), "w", encoding="utf-8") as f:
            f.write(head)
            for r in reqs:
                f.write("\n".join(r) + "\n")
        for p in range(parts):
            with open(os.path.join(out, "%s.%d.sql" % (name, p)), "w",
                      encoding="utf-8") as f:
                f.write(head)
                for r in reqs[p::parts]:
                    f.write("\n".join(r) + "\n")
        print(name, len(reqs), nstmt)


if __name__ == "__main__":
    main()
