#!/usr/bin/python3
"""Reads a CSV file with pandas and writes what it got as JSON, the reference the C++ CSV tests
compare every cell against.

Output: {"shape": [rows, cols], "columns": [...], "dtypes": [...], "values": [[column 0 ...], ...]}
with values column by column; missing values are null, datetimes are seconds since the epoch.

Missing values follow Kiln's default tokens (not pandas' own list), floats use the round-trip
parser so that both sides read each decimal the same correctly rounded way.
"""

import argparse
import json
import math

import pandas as pd

KILN_MISSING_TOKENS = ["", "NA", "N/A", "?", "null", "NULL", "NaN", "nan"]


def column_values(series):
    kind = series.dtype.kind
    if kind == "M":
        seconds = series.astype("int64") // 10**9
        return [None if missing else int(s) for s, missing in zip(seconds, series.isna())]
    if kind == "f":
        return [None if math.isnan(v) else float(v) for v in series]
    if kind in "iu":
        return [int(v) for v in series]
    if kind == "b":
        return [bool(v) for v in series]
    return [None if (isinstance(v, float) and math.isnan(v)) else str(v) for v in series]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("out")
    parser.add_argument("--sep", default=",")
    parser.add_argument("--skipinitialspace", action="store_true")
    parser.add_argument("--dayfirst-dates", nargs="*", default=[],
                        help="columns to parse as dates, day first")
    args = parser.parse_args()

    frame = pd.read_csv(args.csv, sep=args.sep, skipinitialspace=args.skipinitialspace,
                        keep_default_na=False, na_values=KILN_MISSING_TOKENS,
                        float_precision="round_trip")
    for name in args.dayfirst_dates:
        frame[name] = pd.to_datetime(frame[name], dayfirst=True)

    dump = {
        "shape": list(frame.shape),
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "values": [column_values(frame[c]) for c in frame.columns],
    }
    with open(args.out, "w") as out:
        json.dump(dump, out)


if __name__ == "__main__":
    main()
