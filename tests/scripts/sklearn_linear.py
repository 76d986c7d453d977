#!/usr/bin/python3
"""Fits scikit-learn's LogisticRegression, Ridge, DummyClassifier and DummyRegressor on the cases
the C++ model tests generate, the reference Kiln's logistic, ridge and baseline families must
equal.

Usage: sklearn_linear.py IN.json OUT.json

Input: {"cases": [case, ...]} where a case is
  {"kind": "logistic"|"ridge"|"dummy_classifier"|"dummy_regressor",
   "rows": int, "cols": int, "x": [...] (row-major), "y": [...], "weights": [...] or null,
   "classes": int (classification), "l2": float (logistic, ridge), "strategy": str (dummies),
   "test_rows": int, "test_x": [...] (row-major)}

Output: {"cases": [{"coef": [...] (row-major, outputs x cols), "intercept": [...],
"scores": [...]}]} with scores per Kiln's convention: binary P(class 1) per row, multiclass
row-major probabilities, regression the value. The dummies give no coef or intercept.

Logistic regression runs the "newton-cg" solver with tol=1e-12, multinomial for more than two
classes. It minimises the same objective as "lbfgs" but stops on the gradient alone: sklearn 1.2
passes no ftol to scipy's L-BFGS-B, whose default (2.2e-9 relative decrease) ends the search while
coefficients of features on unequal scales are still 1e-2 off, whatever tol says. Newton reaches
the optimum in tens of iterations; max_iter is 1000 rather than unbounded because the gradient of
features scaled by 100 can sit at its rounding floor just above 1e-12, where further iterations
change nothing but would run for minutes. Ridge runs the "cholesky" solver, which solves the
normal equations exactly.
"""

import json
import sys
import warnings

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LogisticRegression, Ridge


def matrix(values, rows, cols):
    return np.asarray(values, dtype=float).reshape(rows, cols)


def class_scores(probabilities, classes):
    if classes == 2:
        return probabilities[:, 1].tolist()
    return probabilities.reshape(-1).tolist()


def fit(case):
    x = matrix(case["x"], case["rows"], case["cols"])
    test_x = matrix(case["test_x"], case["test_rows"], case["cols"])
    y = np.asarray(case["y"], dtype=float)
    w = None if case["weights"] is None else np.asarray(case["weights"], dtype=float)
    kind = case["kind"]
    if kind == "logistic":
        classes = case["classes"]
        model = LogisticRegression(C=1.0 / case["l2"], penalty="l2", solver="newton-cg",
                                   tol=1e-12, max_iter=1000,
                                   multi_class="multinomial" if classes > 2 else "auto")
        model.fit(x, y.astype(int), sample_weight=w)
        return {"coef": model.coef_.reshape(-1).tolist(), "intercept": model.intercept_.tolist(),
                "scores": class_scores(model.predict_proba(test_x), classes),
                "iterations": int(np.max(model.n_iter_))}
    if kind == "ridge":
        model = Ridge(alpha=case["l2"], fit_intercept=True, solver="cholesky")
        model.fit(x, y, sample_weight=w)
        return {"coef": model.coef_.reshape(-1).tolist(),
                "intercept": [float(model.intercept_)], "scores": model.predict(test_x).tolist()}
    if kind == "dummy_classifier":
        model = DummyClassifier(strategy=case["strategy"])
        model.fit(x, y.astype(int), sample_weight=w)
        return {"scores": class_scores(model.predict_proba(test_x), case["classes"])}
    if kind == "dummy_regressor":
        model = DummyRegressor(strategy=case["strategy"])
        model.fit(x, y, sample_weight=w)
        return {"scores": model.predict(test_x).tolist()}
    raise ValueError("unknown case kind " + kind)


def main():
    warnings.filterwarnings("ignore")
    with open(sys.argv[1]) as f:
        request = json.load(f)
    response = {"cases": [fit(c) for c in request["cases"]]}
    with open(sys.argv[2], "w") as f:
        json.dump(response, f, allow_nan=False)


if __name__ == "__main__":
    main()
