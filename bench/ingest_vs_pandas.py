#!/usr/bin/python3
"""CSV ingest: Kiln against pandas.read_csv on the same generated file.

Writes a CSV of 1,000,000 rows (16 float columns of random normals printed with 6 decimals and
4 categorical columns of short strings with 10 to 50 levels) into a temporary directory, then
times Kiln (`ingest_bench --file`: read, tokenize and infer into a typed frame, one thread) and
`pandas.read_csv` on it, best of three each, and prints both, the throughput and the ratio.

Usage: /usr/bin/python3 bench/ingest_vs_pandas.py --kiln-bench build-csv-rel/bench/ingest_bench
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

FLOAT_COLUMNS = 16
LEVELS = (10, 20, 35, 50)


def write_csv(path, rows, seed):
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(FLOAT_COLUMNS)] + [f"c{i}" for i in range(len(LEVELS))]
    vocab = [np.array([f"lvl{k}_{j:02d}" for j in range(n)]) for k, n in enumerate(LEVELS)]
    chunk = 100_000
    with open(path, "w", newline="") as out:
        out.write(",".join(names) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            floats = rng.standard_normal((n, FLOAT_COLUMNS))
            cols = [np.char.mod("%.6f", floats[:, j]) for j in range(FLOAT_COLUMNS)]
            cols += [v[rng.integers(0, len(v), n)] for v in vocab]
            table = np.stack(cols, axis=1)
            out.write("\n".join(",".join(row) for row in table.tolist()))
            out.write("\n")


def time_pandas(path, repeats):
    """Best wall time and best CPU time of `repeats` reads, in seconds."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        assert frame.shape[1] == FLOAT_COLUMNS + len(LEVELS)
        del frame
    return best_wall, best_cpu


def time_kiln(binary, path, repeats):
    """Best wall time and best CPU time of `repeats` reads, in seconds."""
    out = subprocess.run([binary, "--file", path, "--repeat", str(repeats)], check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out)
    return result["seconds"], result["cpu_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiln-bench", default="build-csv-rel/bench/ingest_bench",
                        help="path to the ingest_bench binary (a Release build)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    if not os.access(args.kiln_bench, os.X_OK):
        sys.exit(f"{args.kiln_bench} is not an executable; build the Release bench first")
    with tempfile.TemporaryDirectory(prefix="kiln-ingest-") as tmp:
        path = os.path.join(tmp, "ingest.csv")
        write_csv(path, args.rows, args.seed)
        mb = os.path.getsize(path) / 1e6
        kiln, kiln_cpu = time_kiln(args.kiln_bench, path, args.repeats)
        pandas, pandas_cpu = time_pandas(path, args.repeats)

    print(f"file: {args.rows:,} rows x {FLOAT_COLUMNS + len(LEVELS)} columns, {mb:.1f} MB; "
          f"best of {args.repeats}")
    print(f"kiln   (1 thread, ReadCsv + InferFrame): {kiln:6.3f} s  {mb / kiln:7.1f} MB/s  "
          f"(CPU {kiln_cpu:.3f} s)")
    print(f"pandas (read_csv, pandas {pd.__version__}):   {pandas:6.3f} s  {mb / pandas:7.1f} MB/s  "
          f"(CPU {pandas_cpu:.3f} s)")
    print(f"ratio (pandas / kiln): {pandas / kiln:.1f}x wall, {pandas_cpu / kiln_cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
