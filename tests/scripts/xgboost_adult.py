#!/usr/bin/python3
"""The reference Kiln's Adult figures must match: XGBoost through its scikit-learn interface with
native categorical support, trained on adult-train.csv and scored on adult-test.csv.

Usage: xgboost_adult.py TRAIN.csv TEST.csv

Prints one JSON object: {"roc_auc": float, "accuracy": float, "rows_train": int, "rows_test": int}.
The files are read as distributed: a space after every comma, '?' for missing values, test labels
ending in a period. Test categories are mapped onto the training categories (an unseen one is
missing), so that both frames share one category coding.
"""

import json
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score
from xgboost import XGBClassifier

TARGET = "target"
POSITIVE = ">50K"


def read(path):
    frame = pd.read_csv(path, skipinitialspace=True, na_values="?")
    frame = frame.dropna(subset=[TARGET])
    labels = frame.pop(TARGET).astype(str).str.rstrip(".")
    return frame, (labels == POSITIVE).astype(int)


def main():
    train_x, train_y = read(sys.argv[1])
    test_x, test_y = read(sys.argv[2])
    for column in train_x.columns:
        if train_x[column].dtype == object:
            train_x[column] = train_x[column].astype("category")
            test_x[column] = pd.Categorical(test_x[column],
                                            categories=train_x[column].cat.categories)

    model = XGBClassifier(n_estimators=300, max_depth=6, learning_rate=0.1, tree_method="hist",
                          enable_categorical=True)
    model.fit(train_x, train_y)
    scores = model.predict_proba(test_x)[:, 1]
    print(json.dumps({"roc_auc": roc_auc_score(test_y, scores),
                      "accuracy": accuracy_score(test_y, scores >= 0.5),
                      "rows_train": len(train_y),
                      "rows_test": len(test_y)}))


if __name__ == "__main__":
    main()
