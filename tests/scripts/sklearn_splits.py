#!/usr/bin/python3
"""Computes scikit-learn's cross-validation splits for the cases the C++ split tests generate, the
reference Kiln's time-series and group k-fold splits must equal.

Usage: sklearn_splits.py IN.json OUT.json

Input: {"cases": [case, ...]} where a case is
  {"kind": "time_series", "rows": int, "folds": int, "gap": int} or
  {"kind": "group_kfold", "groups": [int, ...], "folds": int}.

Output: {"cases": [{"folds": [{"train": [...], "test": [...]}, ...]}]}, indices ascending. Where
sklearn raises, the entry is {"error": message} instead.
"""

import json
import sys

import numpy as np
from sklearn.model_selection import GroupKFold, TimeSeriesSplit


def splits(case):
    if case["kind"] == "time_series":
        splitter = TimeSeriesSplit(n_splits=case["folds"], gap=case["gap"])
        x = np.zeros((case["rows"], 1))
        return splitter.split(x)
    groups = np.asarray(case["groups"])
    x = np.zeros((len(groups), 1))
    return GroupKFold(n_splits=case["folds"]).split(x, groups=groups)


def answer(case):
    try:
        return {"folds": [{"train": sorted(int(i) for i in train),
                           "test": sorted(int(i) for i in test)}
                          for train, test in splits(case)]}
    except ValueError as error:
        return {"error": str(error)}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump({"cases": [answer(c) for c in request["cases"]]}, f)


if __name__ == "__main__":
    main()
