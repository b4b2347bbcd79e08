#!/bin/sh
# import.sh BIN DIR ROWS [DB] — the import workload: writes a CSV of ROWS
# contact rows (Chinese, Russian and English names, phones, companies that
# repeat, so accounts are linked and created) into DIR, imports it into a
# fresh database with `rapport import contacts`, and prints one JSON
# object: rows, seconds, rows/s, peak RSS, created/linked counts. DB: an
# empty PostgreSQL database's URL instead of a new SQLite file in DIR.
set -eu
bin=$1 dir=$2 rows=$3
csv=$dir/import-$rows.csv
db=${4:-$dir/import-$rows.db}
export RAPPORT_DATA_DIR=$dir # where a PostgreSQL store keeps imported files
python3 - "$csv" "$rows" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
# names as a migration holds them: many people, few exact namesakes within
# one company (a namesake in the same company is a duplicate by name)
names = [
    (list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"), list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平")),
    (["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
      "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
      "Павлов", "Козлов", "Степанов", "Николаев"],
     ["Иван", "Анна", "Олег", "Мария", "Сергей", "Елена", "Дмитрий", "Ольга", "Андрей", "Татьяна",
      "Алексей", "Наталья", "Михаил", "Ирина", "Павел", "Светлана", "Николай", "Юлия", "Артём", "Ксения"]),
    (["Smith", "Brown", "Garcia", "Johnson", "Williams", "Jones", "Miller", "Davis", "Wilson", "Moore",
      "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis"],
     ["John", "Mary", "Luis", "Emma", "James", "Olivia", "Robert", "Sophia", "David", "Mia",
      "William", "Ava", "Richard", "Grace", "Joseph", "Chloe", "Daniel", "Lucy", "Peter", "Alice"]),
]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("Contact ID,First Name,Last Name,Email,Mobile,Company,City,Birthday\r\n")
    for i in range(n):
        # one row in 20 is a contact already in the file again, under
        # another id: found by its e-mail and updated
        e = i - 1 - rnd.randrange(min(i, 1000)) if i % 20 == 19 else i
        h = e * 2654435761 & 0xffffffff
        fam, giv = names[h % 3]
        f.write("C%d,%s,%s,u%d@ex%d.example.com,+7 916 %03d-%02d-%02d,Company %d,City %d,%02d.%02d.19%02d\r\n" % (
            i, giv[h // 3 % 20], fam[h // 60 % 20], e, e % 97, i // 10000 % 1000, i // 100 % 100, i % 100,
            rnd.randrange(max(1, n // 20)), i % 50, 1 + i % 28, 1 + i % 12, 50 + i % 50))
PY
[ -n "${4:-}" ] || rm -f "$db" "$db-wal" "$db-shm"
RAPPORT_ADMIN_PASSWORD=bench-admin-1 "$bin" init --db "$db" >/dev/null 2>&1
out=$dir/import-$rows.log
/usr/bin/time -f 'TIME %e %M' "$bin" import contacts "$csv" --db "$db" >"$out" 2>&1 || true
python3 - "$out" "$rows" "$(stat -c %s "$csv")" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
t = re.search(r"TIME ([0-9.]+) ([0-9]+)", text)
s = re.search(r"(\d+) rows, (\d+) created, (\d+) updated, (\d+) merged, (\d+) skipped, (\d+) rejected", text)
secs, kb = (float(t.group(1)), int(t.group(2))) if t else (None, None)
d = {"rows": int(sys.argv[2]), "csv_bytes": int(sys.argv[3]), "seconds": secs, "peak_rss_kb": kb}
if s:
    d.update(dict(zip(["processed", "created", "updated", "merged", "skipped", "rejected"], map(int, s.groups()))))
d["rows_per_s"] = d["rows"] / secs if secs else None
print(json.dumps(d))
PY
[ -n "${4:-}" ] || rm -f "$db" "$db-wal" "$db-shm"
[ -n "${KEEP_CSV:-}" ] || rm -f "$csv"
rm -rf "$db-imports"
