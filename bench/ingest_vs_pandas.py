#!/usr/bin/python3
"""CSV ingest: Kiln against pandas.read_csv on the same generated file.

Writes a CSV of 1,000,000 rows (16 float columns of random normals printed with 6 decimals and
4 categorical columns of short strings with 10 to 50 levels) into a temporary directory, then
times Kiln (`ingest_bench --file`: read, tokenize and infer into a typed frame, one thread) and
`pandas.read_csv` on it in turns, one read each per round, so that both meet the same moments of a
busy machine. Each read runs in a fresh process, as `kiln data add` does, and only the read is
timed (not the start of the process or the import of pandas): a fresh process writes its output
into fresh memory, which on some virtual machines costs as much as the parsing, and a reader
repeated in one process would reuse memory its earlier reads freed. The order alternates from one
round to the next, so that neither reader always follows the other; Kiln converting columns on
several threads (--kiln-threads) is timed last in each round, apart from the single-threaded
comparison. A first, untimed round reads the file once with each, so that neither meets the
memory the writing of the file just freed. Prints every round, then the best and the median of
each, the throughput and the ratios.

Usage: /usr/bin/python3 bench/ingest_vs_pandas.py --kiln-bench build-release/bench/ingest_bench
"""

import argparse
import json
import os
import statistics
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


def read_pandas(path):
    """Wall and CPU seconds of one read, in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert frame.shape[1] == FLOAT_COLUMNS + len(LEVELS)
    return wall, cpu


def read_pandas_fresh(path):
    """Wall and CPU seconds of one read, in a fresh process."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--pandas-once", path],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    return result["seconds"], result["cpu_seconds"]


def read_kiln(binary, path, threads=1):
    """Wall and CPU seconds of one read, in a fresh process."""
    out = subprocess.run([binary, "--file", path, "--repeat", "1", "--stream-only", "--threads",
                          str(threads)], check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    assert result["cols"] == FLOAT_COLUMNS + len(LEVELS)
    return result["seconds"], result["cpu_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiln-bench", default="build-release/bench/ingest_bench",
                        help="path to the ingest_bench binary (a Release build)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kiln-threads", type=int, default=min(os.cpu_count() or 1, 4),
                        help="also time Kiln converting columns on this many threads, after the "
                             "single-threaded pair in each round (1: not)")
    parser.add_argument("--pandas-once", metavar="CSV",
                        help="read CSV once with pandas, print the seconds as JSON and exit")
    args = parser.parse_args()
    if args.pandas_once:
        wall, cpu = read_pandas(args.pandas_once)
        print(json.dumps({"seconds": wall, "cpu_seconds": cpu}))
        return

    if not os.access(args.kiln_bench, os.X_OK):
        sys.exit(f"{args.kiln_bench} is not an executable; build the Release bench first")
    with tempfile.TemporaryDirectory(prefix="kiln-ingest-") as tmp:
        path = os.path.join(tmp, "ingest.csv")
        write_csv(path, args.rows, args.seed)
        mb = os.path.getsize(path) / 1e6
        print(f"file: {args.rows:,} rows x {FLOAT_COLUMNS + len(LEVELS)} columns, {mb:.1f} MB; "
              f"{args.rounds} rounds, each reader in a fresh process, alternating which goes first")
        read_kiln(args.kiln_bench, path)  # the untimed round
        read_pandas_fresh(path)
        kiln, pandas, kiln_threaded = [], [], []
        for round_number in range(1, args.rounds + 1):
            if round_number % 2:
                kiln.append(read_kiln(args.kiln_bench, path))
                pandas.append(read_pandas_fresh(path))
            else:
                pandas.append(read_pandas_fresh(path))
                kiln.append(read_kiln(args.kiln_bench, path))
            line = (f"round {round_number}: kiln {kiln[-1][0]:.3f} s, pandas "
                    f"{pandas[-1][0]:.3f} s, ratio {pandas[-1][0] / kiln[-1][0]:.1f}x")
            if args.kiln_threads > 1:
                kiln_threaded.append(read_kiln(args.kiln_bench, path, args.kiln_threads))
                line += f"; kiln on {args.kiln_threads} threads {kiln_threaded[-1][0]:.3f} s"
            print(line)

    def summary(name, runs):
        walls = [wall for wall, _ in runs]
        cpus = [cpu for _, cpu in runs]
        best, median = min(walls), statistics.median(walls)
        print(f"{name} best {best:6.3f} s {mb / best:7.1f} MB/s (CPU {min(cpus):.3f} s), "
              f"median {median:6.3f} s {mb / median:7.1f} MB/s")
        return best, median

    kiln_best, kiln_median = summary("kiln   (1 thread, streamed read):", kiln)
    pandas_best, pandas_median = summary(f"pandas (read_csv, {pd.__version__}):      ", pandas)
    print(f"ratio (pandas / kiln): {pandas_best / kiln_best:.1f}x best against best, "
          f"{pandas_median / kiln_median:.1f}x median against median")
    if kiln_threaded:
        best, median = summary(f"kiln   ({args.kiln_threads} threads):             ", kiln_threaded)
        print(f"ratio (pandas / kiln on {args.kiln_threads} threads): {pandas_best / best:.1f}x best "
              f"against best, {pandas_median / median:.1f}x median against median")


if __name__ == "__main__":
    main()
