"""Tables for bench/sources.sh: one table of N rows and 20 columns, and two
join tables of M rows each, written as CSV; then the same wide table as SQLite,
Parquet and .xlsx (each only when missing). Deterministic: the same N gives the
same bytes."""
import csv, os, random, sqlite3, sys

work, rows, join_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(work, exist_ok=True)
random.seed(1)

COLUMNS = ["id", "name"] + [f"text{i}" for i in range(1, 7)] + [f"int{i}" for i in range(1, 5)] \
    + [f"dec{i}" for i in range(1, 4)] + [f"date{i}" for i in range(1, 4)] + ["flag", "note"]
assert len(COLUMNS) == 20

def wide_row(n):
    r = random.Random(n)
    return ([n, f"Name {n}"] + [f"t{i}-{r.randrange(10**6)}" for i in range(6)]
            + [r.randrange(10**9) for _ in range(4)]
            + [f"{r.randrange(10**6)}.{r.randrange(100):02d}" for _ in range(3)]
            + [f"{r.randrange(1990, 2025)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}" for _ in range(3)]
            + ["true" if r.random() < 0.5 else "false", "" if r.random() < 0.2 else f"note {n}"])

wide_csv = f"{work}/wide.csv"
if not os.path.exists(wide_csv):
    with open(wide_csv + ".tmp", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for n in range(1, rows + 1):
            w.writerow(wide_row(n))
    os.rename(wide_csv + ".tmp", wide_csv)

def read_wide():
    with open(wide_csv, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            yield row

TYPES = ["INTEGER", "VARCHAR(40)"] + ["VARCHAR(40)"] * 6 + ["BIGINT"] * 4 + ["DECIMAL(12,2)"] * 3 + ["DATE"] * 3 + ["BOOLEAN", "VARCHAR(40)"]

if not os.path.exists(f"{work}/wide.sqlite"):
    db = sqlite3.connect(f"{work}/wide.sqlite.tmp")
    db.execute("CREATE TABLE wide (" + ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, TYPES)) + ")")
    db.executemany(f"INSERT INTO wide VALUES ({','.join('?' * 20)})",
                   ([None if v == "" else v for v in row] for row in read_wide()))
    db.commit()
    db.close()
    os.rename(f"{work}/wide.sqlite.tmp", f"{work}/wide.sqlite")

if not os.path.exists(f"{work}/wide.parquet"):
    import pyarrow.csv as pacsv, pyarrow.parquet as pq
    table = pacsv.read_csv(wide_csv, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, f"{work}/wide.parquet.tmp", row_group_size=65536)
    os.rename(f"{work}/wide.parquet.tmp", f"{work}/wide.parquet")

if not os.path.exists(f"{work}/wide.xlsx"):
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("wide")
    sheet.append(COLUMNS)
    for row in read_wide():
        sheet.append([None if v == "" else (int(v) if c.startswith("int") or c == "id" else v)
                      for c, v in zip(COLUMNS, row)])
    book.save(f"{work}/wide.xlsx.tmp")
    os.rename(f"{work}/wide.xlsx.tmp", f"{work}/wide.xlsx")

# Joins: children whose parent key matches a parent for half of them;
# "dup": every parent key appears twice among the parents.
for variant in ["unique", "dup"]:
    path = f"{work}/join-{variant}"
    if os.path.exists(f"{path}-children.csv"):
        continue
    r = random.Random(7)
    with open(f"{path}-parents.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pid", "key", "label"])
        for n in range(join_rows):
            key = n // 2 if variant == "dup" else n
            w.writerow([f"p{n}", f"k{key}", f"parent {n}"])
    keys = join_rows // 2 if variant == "dup" else join_rows
    with open(f"{path}-children.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cid", "ref", "label"])
        for n in range(join_rows):
            ref = f"k{r.randrange(keys)}" if n % 2 == 0 else f"missing{n}"
            w.writerow([f"c{n}", ref, f"child {n}"])
