#!/usr/bin/env python3
"""Fits the importance model's starting weights (sorter's importance/starting-weights.tsv) offline.

Usage:
  JAVA_OPTS=-Dbench.dumpFeatures=/tmp/features.tsv bench/run-importance.sh [CORPUS]
  bench/fit-importance-start.py /tmp/features.tsv USERS_TSV [all|even|odd] > starting-weights.tsv

A batch L2-regularised logistic regression (Newton steps, numpy) over the behaviour features of every scored
message (never words or addresses, so it transfers to other users), on all users or every other user of
users.tsv (fit on one half, check on the other with -Dmailroom.importance.startingWeights=/path/to/file).
The model adds log(prior odds) itself, so it is taken off the bias. Features seen fewer than 20 times get no
weight; the hand-set lines for what the corpus lacks (lists, bulk, Auto-Submitted, priority headers) are appended.
"""
import math
import sys
from collections import Counter

import numpy as np

PRIOR = 0.1          # ImportanceModel.Settings.prior
MIN_COUNT = 20
L2 = 1.0
HAND_SET = """# hand-set: the Enron replay has (almost) none of these, so the fit cannot weigh them
list\t-1.0
precedence:bulk\t-1.0
precedence:list\t-1.0
precedence:junk\t-1.5
auto-submitted\t-1.5
priority:high\t0.5
inreplyto:user\t1.0
"""


def main():
    dump, users_tsv = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) > 3 else "all"
    order = [l.split("\t")[0] for l in open(users_tsv).read().splitlines()[1:] if l.strip()]
    half = {u: i % 2 for i, u in enumerate(order)}
    rows = [l.rstrip("\n").split("\t") for l in open(dump)]
    if which != "all":
        rows = [r for r in rows if half[r[0]] == (0 if which == "even" else 1)]
    counts = Counter(kv.rsplit("=", 1)[0] for r in rows for kv in r[3:])
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    y = np.array([int(r[1]) for r in rows], dtype=float)
    for i, r in enumerate(rows):
        for kv in r[3:]:
            n, v = kv.rsplit("=", 1)
            if n in index:
                x[i, index[n]] = float(v)
    w = np.zeros(len(names))
    for _ in range(12):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + L2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + L2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    print(f"# fitted by bench/fit-importance-start.py on {len(rows)} scored messages ({which} users), L2 {L2}")
    seen = set()
    for n, v in zip(names, w):
        if n == "bias":
            v -= math.log(PRIOR / (1 - PRIOR))
        if abs(v) >= 0.005:
            print(f"{n}\t{v:.3f}")
            seen.add(n)
    for line in HAND_SET.splitlines():
        if line.startswith("#") or line.split("\t")[0] not in seen:
            print(line)


if __name__ == "__main__":
    main()
