#!/usr/bin/env python3
"""Changes to a generated project's CSV files, for bench/incremental.sh.

    incremental.py DATA edit N FILE...   edit the second column of N rows spread over the files
    incremental.py DATA add N FILE       add N rows (copies of existing rows under new ids)
    incremental.py DATA delete N FILE    delete N rows that no other row names

Rows are chosen with a fixed seed, so two runs make the same change."""
import csv, io, random, sys

def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))

def write(path, table):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    open(path, "w", encoding="utf-8", newline="").write(out.getvalue())

def named_elsewhere(data, name):
    """Every cell of the other CSV files, and of the file's other columns:
    a row whose id is among them is named by another row."""
    import os
    cells = set()
    for other in os.listdir(data):
        if other.endswith(".csv"):
            for row in rows(f"{data}/{other}")[1:]:
                cells.update(row[1:] if other == name else row)
    return cells

def main():
    data, action, n, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    rng = random.Random(24)
    if action == "edit":
        per_file = [n // len(files) + (1 if i < n % len(files) else 0) for i in range(len(files))]
        for name, count in zip(files, per_file):
            path = f"{data}/{name}"
            table = rows(path)
            for i in rng.sample(range(1, len(table)), count):
                table[i][1] = table[i][1] + " (edited)"
            write(path, table)
    elif action == "add":
        path = f"{data}/{files[0]}"
        table = rows(path)
        for k in range(n):
            row = list(rng.choice(table[1:]))
            row[0] = f"{row[0]}-added-{k}"
            table.append(row)
        write(path, table)
    elif action == "delete":
        path = f"{data}/{files[0]}"
        table = rows(path)
        named = named_elsewhere(data, files[0])
        free = [i for i in range(1, len(table)) if table[i][0] not in named]
        for i in sorted(rng.sample(free, n), reverse=True):
            del table[i]
        write(path, table)

main()
