#!/usr/bin/env python3
"""Simulates a per-user online calibration of the importance model's scores, to judge it before building it.

Usage:
  SKIP_BUILD=1 JAVA_OPTS="-Dbench.users=odd -Dmailroom.importance.startingWeights=/tmp/sw-even.tsv \
      -Dbench.dumpFeatures=/tmp/odd.tsv" bench/run-importance.sh          # held-out replay, online scores dumped
  bench/calibrate-importance-per-user.py /tmp/odd.tsv CORPUS_DIR [L2,...]

For every user, in arrival order, each scored message's online score s (the dump's third column, log-odds with
the operating threshold at 0) is replaced by a*s + b, where (a, b) are refitted (Newton, L2 towards a=1, b=0) on
that user's labels known at the message's arrival, as the server would know them:
- `on reply`: an answered message as soon as its reply was sent (the first sent `Re:` with the same normalised
  subject within 30 days; a day after arrival if none is found), an unanswered one 30 days after arrival;
- `mature`: only messages older than 30 days, whose label is final (the `on reply` set over-represents answered
  mail, since answers are known weeks before non-answers).
Two forms: `offset` (b only: the user's own answer rate as a prior shift) and `platt` (a and b). Also `hindsight`:
(a, b) fitted on all of the user's labels, future included, which no server can do: the ceiling of any per-user
calibration of these scores. Prints pooled and mean per-user AUC and F1 at the operating threshold, the same
figures as ImportanceBenchmark.
"""
import datetime
import email.parser
import math
import os
import re
import sys
from collections import defaultdict

import numpy as np
from scipy.stats import rankdata

THRESHOLD = 0.22     # ImportanceModel.Settings.threshold
LABEL_AFTER = 30 * 86400
HEADERS = email.parser.BytesHeaderParser()
PREFIX = re.compile(r'^\s*((re|fw|fwd)\s*(\[\d+\])?\s*:\s*)+', re.I)


def subject(path):
    with open(path, 'rb') as f:
        return ' '.join(PREFIX.sub('', str(HEADERS.parse(f).get('Subject', '') or '')).lower().split())


def epoch(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()


def label_times(root, user):
    """(arrival, label known on reply, important) per scored INCOMING event of the user, in order."""
    rows = [l.split('\t') for l in open(os.path.join(root, user, 'events.tsv')).read().splitlines()[1:] if l]
    sent = [(epoch(r[1]), subject(os.path.join(root, user, r[3]))) for r in rows if r[2] == 'SENT']
    out = []
    for r in rows:
        if r[2] == 'INCOMING' and r[4] in ('important', 'normal'):
            t = epoch(r[1])
            known = t + LABEL_AFTER
            if r[4] == 'important':
                s = subject(os.path.join(root, user, r[3]))
                known = min([at for at, x in sent if t <= at <= t + LABEL_AFTER and x == s], default=t + 86400)
            out.append((t, known, r[4] == 'important'))
    return out


def refit(scores, labels, l2, platt):
    s, y = np.array(scores), np.array(labels, float)
    a, b = 1.0, 0.0
    for _ in range(6):
        p = 1 / (1 + np.exp(-np.clip(a * s + b, -30, 30)))
        w = p * (1 - p)
        gb = (p - y).sum() + l2 * b
        if not platt:
            b -= gb / (w.sum() + l2)
            continue
        ga = ((p - y) * s).sum() + l2 * (a - 1)
        haa, hbb, hab = (w * s * s).sum() + l2, w.sum() + l2, (w * s).sum()
        det = haa * hbb - hab * hab
        a, b = a - (hbb * ga - hab * gb) / det, b - (haa * gb - hab * ga) / det
    return a, b


def auc(s, y):
    r = rankdata(s)
    p = y.sum()
    return (r[y == 1].sum() - p * (p + 1) / 2) / (p * (len(y) - p))


def report(name, s, y, u):
    per_user = [auc(s[u == x], y[u == x]) for x in set(u) if 0 < y[u == x].sum() < (u == x).sum()]
    chosen = s > math.log(THRESHOLD / (1 - THRESHOLD))
    tp = (chosen & (y == 1)).sum()
    precision, recall = tp / max(chosen.sum(), 1), tp / y.sum()
    print(f"{name}: pooled {auc(s, y):.4f} per-user {np.mean(per_user):.4f} "
          f"f1 {2 * precision * recall / (precision + recall):.3f}", flush=True)


def main():
    dump, root = sys.argv[1], sys.argv[2]
    l2s = [float(x) for x in (sys.argv[3] if len(sys.argv) > 3 else '3,10,30,100').split(',')]
    shift = math.log(THRESHOLD / (1 - THRESHOLD))
    rows = defaultdict(list)
    for line in open(dump):
        r = line.split('\t', 3)
        rows[r[0]].append((int(r[1]), float(r[2]) + shift))   # back to plain log-odds
    times = {user: label_times(root, user) for user in rows}
    for user, rs in rows.items():
        if [bool(y) for y, _ in rs] != [imp for _, _, imp in times[user]]:
            sys.exit(f"{user}: the dump does not match the corpus's scored events")
    y = np.array([l for user in rows for l, _ in rows[user]])
    u = np.array([user for user in rows for _ in rows[user]])
    report('as replayed', np.array([s for user in rows for _, s in rows[user]]), y, u)
    for platt in (False, True):
        for l2 in l2s:
            out = []
            for rs in rows.values():
                a, b = refit([s for _, s in rs], [l for l, _ in rs], l2, platt)
                out += [a * s + b for _, s in rs]
            report(f"hindsight {'platt' if platt else 'offset'} L2 {l2}", np.array(out), y, u)
    for mature in (False, True):
        for platt in (False, True):
            for l2 in l2s:
                out = []
                for user, rs in rows.items():
                    ts = times[user]
                    ready = sorted(range(len(rs)), key=lambda i: ts[i][0] + LABEL_AFTER if mature else ts[i][1])
                    j, a, b, scores, labels = 0, 1.0, 0.0, [], []
                    for i, (_, s) in enumerate(rs):
                        grown = False
                        while j < len(ready) and (ts[ready[j]][0] + LABEL_AFTER if mature else ts[ready[j]][1]) <= ts[i][0]:
                            scores.append(rs[ready[j]][1])
                            labels.append(rs[ready[j]][0])
                            j, grown = j + 1, True
                        if grown:
                            a, b = refit(scores, labels, l2, platt)
                        out.append(a * s + b)
                report(f"{'mature' if mature else 'on reply'} {'platt' if platt else 'offset'} L2 {l2}",
                       np.array(out), y, u)


if __name__ == "__main__":
    main()
