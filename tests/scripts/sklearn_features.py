#!/usr/bin/python3
"""Computes scikit-learn's scalers and PCA on a matrix the C++ feature tests generate, the
reference Kiln's scaling and PCA must equal.

Usage: sklearn_features.py IN.json OUT.json

Input: {"x": [[...], ...] (rows), "components": int}.
Output: {"standard": rows, "robust": rows, "pca": rows (PCA of the standardised matrix),
"explained_variance": [...]}.
"""

import json
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import RobustScaler, StandardScaler


def main():
    with open(sys.argv[1]) as f:
        case = json.load(f)
    x = np.asarray(case["x"], dtype=np.float64)
    standard = StandardScaler().fit_transform(x)
    pca = PCA(n_components=case["components"], svd_solver="full").fit(standard)
    out = {
        "standard": standard.tolist(),
        "robust": RobustScaler().fit_transform(x).tolist(),
        "pca": pca.transform(standard).tolist(),
        "explained_variance": pca.explained_variance_.tolist(),
    }
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
