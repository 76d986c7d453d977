#!/usr/bin/python3
"""Computes scikit-learn's metrics and curves on the cases the C++ evaluation tests generate, the
reference Kiln's metrics must equal.

Usage: sklearn_metrics.py IN.json OUT.json

Input: {"cases": [case, ...], "delong": [pair, ...]} where a case is
  {"task": "binary"|"multiclass"|"regression", "truth": [...], "scores": [...] (multiclass:
   row-major, classes per row), "classes": int, "weights": [...] or null, "threshold": float,
   "k": int, "beta": float}
and a DeLong pair is {"truth": [0/1 ...], "a": [...], "b": [...]}.

Output: {"cases": [{"metrics": {name: value}, "roc": {...}, "pr": {...}, "calibration": {...},
"confusion": [[...]]}], "delong": [{"auc_a", "auc_b", "z", "p"}]}. Where sklearn raises, or
returns NaN, the entry is {"error": message} instead of a number.

DeLong's test has no sklearn implementation; the reference here computes the structural
components from their definition (every positive-negative pair, ties counting one half), which is
independent of the midrank algorithm Kiln uses.
"""

import json
import math
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn import calibration, metrics

CALIBRATION_BINS = 10


def number(compute):
    """The value of `compute()`, or {"error": ...} when sklearn raises or gives a non-finite."""
    try:
        value = float(compute())
    except ValueError as error:
        return {"error": str(error)}
    if not math.isfinite(value):
        return {"error": "sklearn returned {}".format(value)}
    return value


def finite_lists(arrays, names):
    if any(not np.all(np.isfinite(a)) for a in arrays[:-1]):
        return {"error": "undefined (non-finite values)"}
    return {name: [float(v) for v in a] for name, a in zip(names, arrays)}


def classification_metrics(y, pred, w, names):
    m = {
        "accuracy": lambda: metrics.accuracy_score(y, pred, sample_weight=w),
        "balanced_accuracy": lambda: metrics.balanced_accuracy_score(y, pred, sample_weight=w),
        "mcc": lambda: metrics.matthews_corrcoef(y, pred, sample_weight=w),
    }
    for average in ("macro", "micro", "weighted"):
        for name, fn in (("f1", metrics.f1_score), ("precision", metrics.precision_score),
                         ("recall", metrics.recall_score)):
            m[average + "_" + name] = (
                lambda fn=fn, average=average: fn(y, pred, average=average, sample_weight=w))
    return {name: number(m[name]) for name in names if name in m}


def binary_case(case, y, w):
    s = np.asarray(case["scores"], dtype=float)
    pred = (s >= case["threshold"]).astype(int)
    out = classification_metrics(
        y, pred, w, ["accuracy", "balanced_accuracy", "mcc", "macro_f1", "micro_f1",
                     "weighted_f1", "macro_precision", "micro_precision", "weighted_precision",
                     "macro_recall", "micro_recall", "weighted_recall"])
    out.update({
        "precision": number(lambda: metrics.precision_score(y, pred, sample_weight=w)),
        "recall": number(lambda: metrics.recall_score(y, pred, sample_weight=w)),
        "f1": number(lambda: metrics.f1_score(y, pred, sample_weight=w)),
        "f_beta": number(
            lambda: metrics.fbeta_score(y, pred, beta=case["beta"], sample_weight=w)),
        "roc_auc": number(lambda: metrics.roc_auc_score(y, s, sample_weight=w)),
        "pr_auc": number(lambda: metrics.average_precision_score(y, s, sample_weight=w)),
        "average_precision": number(
            lambda: metrics.average_precision_score(y, s, sample_weight=w)),
        "log_loss": number(lambda: metrics.log_loss(y, s, sample_weight=w, labels=[0, 1])),
        "brier": number(lambda: metrics.brier_score_loss(y, s, sample_weight=w)),
    })

    result = {"metrics": out}
    fpr, tpr, thresholds = metrics.roc_curve(y, s, sample_weight=w)
    result["roc"] = finite_lists([fpr, tpr, thresholds], ["x", "y", "thresholds"])
    precision, recall, thresholds = metrics.precision_recall_curve(y, s, sample_weight=w)
    result["pr"] = {"x": recall.tolist(), "y": precision.tolist(),
                    "thresholds": thresholds.tolist()}
    # calibration_curve takes no weights in sklearn 1.2, so only unweighted cases are compared.
    if w is None:
        frac, mean = calibration.calibration_curve(y, s, n_bins=CALIBRATION_BINS,
                                                   strategy="uniform")
        edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
        counts = np.bincount(np.searchsorted(edges[1:-1], s), minlength=CALIBRATION_BINS)
        counts = counts[counts != 0].astype(float)
        ece = float(np.sum(counts / counts.sum() * np.abs(frac - mean)))
        result["calibration"] = {"fraction_positive": frac.tolist(),
                                 "mean_predicted": mean.tolist(), "counts": counts.tolist(),
                                 "ece": ece}
    result["confusion"] = metrics.confusion_matrix(y, pred, labels=[0, 1],
                                                   sample_weight=w).astype(float).tolist()
    return result


def multiclass_case(case, y, w):
    classes = case["classes"]
    labels = list(range(classes))
    P = np.asarray(case["scores"], dtype=float).reshape(len(y), classes)
    pred = P.argmax(axis=1)
    out = classification_metrics(
        y, pred, w, ["accuracy", "balanced_accuracy", "mcc", "macro_f1", "micro_f1",
                     "weighted_f1", "macro_precision", "micro_precision", "weighted_precision",
                     "macro_recall", "micro_recall", "weighted_recall"])
    out.update({
        "roc_auc": number(lambda: metrics.roc_auc_score(
            y, P, multi_class="ovr", average="macro", sample_weight=w, labels=labels)),
        "log_loss": number(lambda: metrics.log_loss(y, P, sample_weight=w, labels=labels)),
        "top_k_accuracy": number(lambda: metrics.top_k_accuracy_score(
            y, P, k=case["k"], labels=labels, sample_weight=w)),
    })
    confusion = metrics.confusion_matrix(y, pred, labels=labels, sample_weight=w)
    return {"metrics": out, "confusion": confusion.astype(float).tolist()}


def regression_case(case, w):
    y = np.asarray(case["truth"], dtype=float)
    s = np.asarray(case["scores"], dtype=float)
    out = {
        "mse": number(lambda: metrics.mean_squared_error(y, s, sample_weight=w)),
        "rmse": number(lambda: metrics.mean_squared_error(y, s, sample_weight=w, squared=False)),
        "mae": number(lambda: metrics.mean_absolute_error(y, s, sample_weight=w)),
        "mape": number(
            lambda: metrics.mean_absolute_percentage_error(y, s, sample_weight=w)),
        "r2": number(lambda: metrics.r2_score(y, s, sample_weight=w)),
        "median_ae": number(lambda: metrics.median_absolute_error(y, s, sample_weight=w)),
    }
    return {"metrics": out}


def evaluate(case):
    w = None if case["weights"] is None else np.asarray(case["weights"], dtype=float)
    if case["task"] == "regression":
        return regression_case(case, w)
    y = np.asarray(case["truth"], dtype=float).astype(int)
    if case["task"] == "binary":
        return binary_case(case, y, w)
    return multiclass_case(case, y, w)


def delong(pair):
    y = np.asarray(pair["truth"], dtype=int)
    pos = y == 1

    def components(scores):
        s = np.asarray(scores, dtype=float)
        x = s[pos][:, None]
        z = s[~pos][None, :]
        psi = (x > z) + 0.5 * (x == z)
        return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)

    auc_a, v10_a, v01_a = components(pair["a"])
    auc_b, v10_b, v01_b = components(pair["b"])
    contrast = np.array([1.0, -1.0])
    s10 = np.cov(np.vstack([v10_a, v10_b]))
    s01 = np.cov(np.vstack([v01_a, v01_b]))
    variance = contrast @ s10 @ contrast / pos.sum() + contrast @ s01 @ contrast / (~pos).sum()
    z = (auc_a - auc_b) / math.sqrt(variance)
    return {"auc_a": float(auc_a), "auc_b": float(auc_b), "z": float(z),
            "p": float(stats.norm.sf(z)),
            "sklearn_auc_a": float(metrics.roc_auc_score(y, pair["a"])),
            "sklearn_auc_b": float(metrics.roc_auc_score(y, pair["b"]))}


def main():
    warnings.filterwarnings("ignore")
    with open(sys.argv[1]) as f:
        request = json.load(f)
    response = {"cases": [evaluate(c) for c in request.get("cases", [])],
                "delong": [delong(p) for p in request.get("delong", [])]}
    with open(sys.argv[2], "w") as f:
        json.dump(response, f, allow_nan=False)


if __name__ == "__main__":
    main()
