#!/usr/bin/env python3
"""Fits the importance model's starting weights (sorter's importance/starting-weights.tsv) offline.

Usage:
  JAVA_OPTS=-Dbench.dumpFeatures=/tmp/features.tsv bench/run-importance.sh [CORPUS]
  bench/fit-importance-start.py /tmp/features.tsv USERS_TSV [all|even|odd] > starting-weights.tsv

Batch L2-regularised logistic regressions (Newton steps, numpy) over every scored message, on all users or every
other user of users.tsv (fit on one half, check on the other with
-Dmailroom.importance.startingWeights=/path/to/file), in two stages:
1. the behaviour features (never words or addresses, so they transfer to other users). The model adds log(prior
   odds) itself, so it is taken off the bias. Features seen fewer than 20 times get no weight;
2. the subject and body words (s:/b:) that at least WORD_USERS different users received, fitted on top of stage
   1's log-odds with a stronger L2: the words of requests that any user answers ("please", "can", "call",
   "meeting"...) and of mail nobody answers (newsletters, announcements). Words few users saw are left to the
   per-user learning. Never the sender's address or domain (the dump does not hold them).
The hand-set lines for what the corpus lacks (lists, bulk, Auto-Submitted, priority headers) are appended.
"""
import math
import sys
from collections import Counter, defaultdict

import numpy as np

PRIOR = 0.1          # ImportanceModel.Settings.prior
MIN_COUNT = 20
# The behaviour stage's L2: 5 since the twentieth session (1 before). Fitted on one half and replayed on the other,
# L2 1 / 3 / 5 / 10 gave pooled AUC 0.8559 / 0.8581 / 0.8592 / 0.8605 (even -> odd) and 0.8555 / 0.8569 / 0.8575 /
# 0.8580 (odd -> even): a fit with L2 1 over-fits its half (in-sample 0.887). 5 is the strongest that costs no F1 in
# either direction at its best threshold (10 loses 0.006 odd -> even); bench/README.md, Importance.
L2 = 5.0
WORD_USERS = 25      # a word gets a starting weight only when this many users received it
WORD_L2 = 10.0
HAND_SET = """# hand-set: the Enron replay has (almost) none of these, so the fit cannot weigh them
list\t-1.0
precedence:bulk\t-1.0
precedence:list\t-1.0
precedence:junk\t-1.5
auto-submitted\t-1.5
priority:high\t0.5
inreplyto:user\t1.0
"""


def is_word(name):
    return name.startswith("s:") or name.startswith("b:")


def newton(x, y, l2, offset, steps):
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(offset + x @ w)))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def matrix(rows, names):
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for i, r in enumerate(rows):
        for kv in r[3:]:
            n, v = kv.rsplit("=", 1)
            if n in index:
                x[i, index[n]] = float(v)
    return x


def main():
    dump, users_tsv = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) > 3 else "all"
    order = [l.split("\t")[0] for l in open(users_tsv).read().splitlines()[1:] if l.strip()]
    half = {u: i % 2 for i, u in enumerate(order)}
    rows = [l.rstrip("\n").split("\t") for l in open(dump)]
    if which != "all":
        rows = [r for r in rows if half[r[0]] == (0 if which == "even" else 1)]
    y = np.array([int(r[1]) for r in rows], dtype=float)
    counts = Counter(kv.rsplit("=", 1)[0] for r in rows for kv in r[3:])
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT and not is_word(n))
    x = matrix(rows, names)
    w = newton(x, y, L2, 0.0, 12)
    print(f"# fitted by bench/fit-importance-start.py on {len(rows)} scored messages ({which} users), L2 {L2}")
    seen = set()
    rounded = np.zeros(len(w))
    for i, (n, v) in enumerate(zip(names, w)):
        if abs(v) >= 0.005:
            rounded[i] = round(v, 3)
            if n == "bias":
                v -= math.log(PRIOR / (1 - PRIOR))
            print(f"{n}\t{v:.3f}")
            seen.add(n)
    users_of = defaultdict(set)
    for r in rows:
        for kv in r[3:]:
            n = kv.rsplit("=", 1)[0]
            if is_word(n):
                users_of[n].add(r[0])
    words = sorted(n for n, u in users_of.items() if len(u) >= WORD_USERS)
    if words:
        print(f"# words received by at least {WORD_USERS} users, fitted on top of the above, L2 {WORD_L2}")
        ww = newton(matrix(rows, words), y, WORD_L2, x @ rounded, 8)
        for n, v in zip(words, ww):
            if abs(v) >= 0.005:
                print(f"{n}\t{v:.3f}")
    for line in HAND_SET.splitlines():
        if line.startswith("#") or line.split("\t")[0] not in seen:
            print(line)


if __name__ == "__main__":
    main()
