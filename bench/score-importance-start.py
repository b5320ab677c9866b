#!/usr/bin/env python3
"""Scores a feature dump with starting weights alone (no online learning): what the fitted start gives by itself.

Usage:
  JAVA_OPTS="-Dbench.users=odd -Dbench.dumpFeatures=/tmp/odd.tsv" bench/run-importance.sh
  bench/score-importance-start.py STARTING_WEIGHTS.tsv /tmp/odd.tsv [USERS_TSV all|even|odd]

Prints pooled and mean per-user ROC AUC and precision/recall/F1 at the model's operating threshold, the same
figures as ImportanceBenchmark, so "start alone" and "start + online learner" compare on the same replay. Dump a
replay of the measured users only (-Dbench.users): the population features (pop-*) count what the replayed users
received, so a dump of all users scored on one half is optimistic for that half.
"""
import math
import sys

import numpy as np
from scipy.stats import rankdata

PRIOR = 0.1          # ImportanceModel.Settings.prior: the model adds its log-odds, the file's bias does not hold it
THRESHOLD = 0.22     # ImportanceModel.Settings.threshold


def auc(scores, labels):
    ranks = rankdata(scores)
    positives = labels.sum()
    negatives = len(labels) - positives
    return (ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def main():
    weights = {}
    for line in open(sys.argv[1]):
        if line.strip() and not line.startswith("#"):
            name, value = line.rstrip("\n").split("\t")
            weights[name] = float(value)
    keep = None
    if len(sys.argv) > 4 and sys.argv[4] != "all":
        order = [l.split("\t")[0] for l in open(sys.argv[3]).read().splitlines()[1:] if l.strip()]
        keep = {u for i, u in enumerate(order) if i % 2 == (0 if sys.argv[4] == "even" else 1)}
    scores, labels, users = [], [], []
    for line in open(sys.argv[2]):
        row = line.rstrip("\n").split("\t")
        if keep is not None and row[0] not in keep:
            continue
        score = math.log(PRIOR / (1 - PRIOR))
        for kv in row[3:]:
            name, value = kv.rsplit("=", 1)
            score += weights.get(name, 0.0) * float(value)
        scores.append(score)
        labels.append(int(row[1]))
        users.append(row[0])
    s, y, u = np.array(scores), np.array(labels), np.array(users)
    per_user = [auc(s[u == x], y[u == x]) for x in sorted(set(users)) if 0 < y[u == x].sum() < (u == x).sum()]
    chosen = s >= math.log(THRESHOLD / (1 - THRESHOLD))
    tp = (chosen & (y == 1)).sum()
    precision, recall = tp / max(chosen.sum(), 1), tp / y.sum()
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"scored={len(s)}\nauc_pooled={auc(s, y):.4f}\nauc_mean_per_user={np.mean(per_user):.4f}\n"
          f"precision={precision:.4f}\nrecall={recall:.4f}\nf1={f1:.4f}")


if __name__ == "__main__":
    main()
