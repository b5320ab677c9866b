#!/usr/bin/python3
"""Batch-trained learners on the spam benchmark's own CV folds: is the online learner the limit, or the evidence?

An offline upper-bound study (bench/README.md, "Spam quality", twenty-second session). It trains batch models of
other families on the same 5 folds of dev as `SpamQualityBenchmark --cv 5` and scores them the way the benchmark
does: spam recall at <= 0.1 % ham FP over the pooled held-out scores (spam must score above the third-highest of
2,905 ham) and ROC AUC (ties count half). Two kinds of input:

- the features exactly as Mailroom's extractor emits them, from the benchmark's token dump
  (`-Dspam.dumpTokens=FILE`: per message its fold, the sender history each fold's model gives it, the main model's
  and the header model's token hashes; `FILE.names` names them);
- representations of the raw text that do not go through the extractor: scikit-learn's TF-IDF of word 1-2-grams and
  of `char_wb` 3-5-grams over the headers and the decoded body (Python's `email` package), alone and stacked with
  the dumped features.

Ham is weighted 2 wherever the learner takes sample weights (main's `hamWeight`). Debian's scikit-learn is needed:
run it with /usr/bin/python3 (the pyenv python3 on the PATH has none).

Commands (from the repository root; the corpus unpacked by bench/run-spam-quality.sh):
    JAVA_OPTS="-Dspam.dump=bench/target/study/main-default.tsv -Dspam.dumpTokens=bench/target/study/tokens.tsv" \\
        bench/run-spam-quality.sh ../shared/corpus --cv 5
    JAVA_OPTS="-Dspam.seed=1 -Dspam.dump=bench/target/study/main-1.tsv" bench/run-spam-quality.sh ../shared/corpus --cv 5
    JAVA_OPTS="-Dspam.seed=2 -Dspam.dump=bench/target/study/main-2.tsv" bench/run-spam-quality.sh ../shared/corpus --cv 5
    /usr/bin/python3 bench/spam-batch-study.py --study bench/target/study --corpus bench/target/corpus-* [STAGE ...]
STAGES (default: main dumped text boost):
  main          main's own dumped scores (-Dspam.dump, main-*.tsv) scored here: the reproduction check
  dumped        L2 logistic regression, linear SVM (C swept), multinomial / complement NB on the dumped features
  blocks        the header model's block scaled against the main block (linear SVM)
  online        a numpy replica of main's online regression on the dump: checks the dump carries what main learns
  text          TF-IDF word 1-2-grams and char_wb 3-5-grams of the raw text, alone and stacked with the dump
  best          the best setting of each family and representation, scores kept
  knn           cosine k-nearest neighbours on the dump and on TF-IDF
  boost         gradient-boosted trees over the 2,000 / 5,000 most frequent dumped features; boost-large: 10,000
  textparts     TF-IDF words of the headers only / of the body only beside the dump
  curve         learning curves (a share of each fold's training rows); curve-online: main's learner's (replica)
  explain       the stacked SVM's strongest features on the spam it rescues from main's misses, and on its top ham
  artifacts     the corpus's collection artifact (empty X-Keywords:/X-Status: headers) taken out, same models
  rescued       every kept model against main: misses rescued and lost, the spam no model catches, main + w x model
Each line printed is `name: recall at <= 0.1% FP (of 1,327), AUC, CPU seconds per fit (process time, mean over the
5 folds)`; the stages' scores are kept in STUDY/scores-STAGES.npz for `rescued`.
"""
import argparse
import csv
import email
import email.policy
import glob
import html
import os
import re
import time

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata

HAM_WEIGHT = 2.0
BODY_CHARS = 20_000  # what the extractor tokenizes of the body
FOLDED = re.compile(r"[ \t]*\r?\n[ \t]+")


SCORES = {}  # every model's pooled held-out scores by name, saved for the `rescued` stage


def score(y, s):
    """Recall at <= 0.1 % ham FP (count of spam strictly above the threshold) and ROC AUC, as the benchmark."""
    y = np.asarray(y)
    s = np.asarray(s, dtype=float)
    ham = np.sort(s[y == 0])
    spam = s[y == 1]
    allowed = int(np.floor(len(ham) * 0.001))
    threshold = ham[len(ham) - 1 - allowed]
    caught = int((spam > threshold).sum())
    ranks = rankdata(s)  # average ranks: a tie counts half, as the benchmark's pairwise count
    auc = (ranks[y == 1].sum() - len(spam) * (len(spam) + 1) / 2) / (len(spam) * len(ham))
    return caught, auc, threshold


def line(name, y, s, cpu=None):
    caught, auc, _ = score(y, s)
    cpu_text = "" if cpu is None else f", CPU {cpu:.2f} s per fit"
    print(f"{name}: {caught} ({100 * caught / int((np.asarray(y) == 1).sum()):.2f}%), AUC {auc:.6f}{cpu_text}",
          flush=True)
    return caught, auc


# ---------------------------------------------------------------- inputs

def load_tokens(study):
    """The benchmark's token dump: rows in dev.tsv order, each (path, spam, fold, history per fold, tokens, headers)."""
    csv.field_size_limit(1 << 30)
    rows = []
    with open(os.path.join(study, "tokens.tsv")) as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for path, spam, fold, history, tokens, headers in reader:
            rows.append((path, int(spam), int(fold), [h.split(",") if h else [] for h in history.split("|")],
                         tokens.split(), headers.split()))
    names = {}
    with open(os.path.join(study, "tokens.tsv.names")) as f:
        for text in f:
            h, _, name = text.rstrip("\n").partition("\t")
            names[h] = name
    return rows, names


class Vocabulary:
    def __init__(self):
        self.index = {}
        self.hashes = []

    def of(self, h):
        i = self.index.get(h)
        if i is None:
            i = self.index[h] = len(self.hashes)
            self.hashes.append(h)
        return i


def dumped_matrices_scaled(rows, header_scale):
    mats, vocab = dumped_matrices(rows, True)
    scale = np.array([header_scale if kind == "h" else 1.0 for kind, _ in vocab.hashes])
    return [m @ sp.diags(scale) for m in mats]


def dumped_matrices(rows, header_block):
    """Per fold j, one matrix of every message's features as fold j's model sees them (history[j] with the tokens):
    the main model's set, binary, scaled to unit length; with header_block, the header model's set beside it as a
    second unit-length block (the batch form of main's stacked header model)."""
    vocab = Vocabulary()
    folds = max(r[2] for r in rows) + 1
    out = []
    for j in range(folds):
        indptr, indices, data = [0], [], []
        for _, _, _, history, tokens, headers in rows:
            main = set(history[j]) | set(tokens)
            cols = [vocab.of(("m", h)) for h in main]
            vals = [1 / np.sqrt(len(main))] * len(main)
            if header_block:
                hs = set(history[j]) | set(headers)
                cols += [vocab.of(("h", h)) for h in hs]
                vals += [1 / np.sqrt(len(hs))] * len(hs)
            indices += cols
            data += vals
            indptr.append(len(indices))
        out.append((indptr, indices, data))
    n = len(vocab.hashes)
    return [sp.csr_matrix((np.array(d), np.array(i), np.array(p)), shape=(len(rows), n)) for p, i, d in out], vocab


def message_text(raw, limit=BODY_CHARS):
    """Headers as written (unfolded) and the decoded text parts: plain as is, HTML with its tags and entities read
    out (the visible text) and its tag names kept as words (`<font>` -> `tag_font`)."""
    if raw.startswith(b"From ") and b"\n" in raw:
        raw = raw[raw.index(b"\n") + 1:]
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    headers = "\n".join(k + ": " + FOLDED.sub(" ", str(v)) for k, v in msg.items())
    body = []
    size = 0
    for part in msg.walk():
        if part.is_multipart() or size >= limit:
            continue
        ctype = part.get_content_type()
        if not ctype.startswith("text/"):
            body.append(f" attachment_{ctype.replace('/', '_')} ")
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "latin-1"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1", errors="replace")
        if ctype == "text/html":
            tags = " ".join("tag_" + t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", text))
            text = html.unescape(re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(script|style).*?</\1>", " ", text)))
            text = text + " " + tags
        body.append(text[:limit - size])
        size += len(body[-1])
    return headers, "\n".join(body)


def load_texts(corpus, paths, cache):
    if os.path.exists(cache):
        data = np.load(cache, allow_pickle=True)
        return list(data["headers"]), list(data["bodies"])
    headers, bodies = [], []
    for p in paths:
        with open(os.path.join(corpus, "spamassassin", p), "rb") as f:
            h, b = message_text(f.read())
        headers.append(h)
        bodies.append(b)
    np.savez_compressed(cache, headers=np.array(headers, dtype=object), bodies=np.array(bodies, dtype=object))
    return headers, bodies


# ---------------------------------------------------------------- cross-validation

def cv(name, y, folds, make_model, matrix_of_fold, weighted=True, decision=None, quiet=False):
    """Pooled held-out scores over the folds; matrix_of_fold(j) gives (X_train, X_test) for fold j."""
    scores = np.zeros(len(y))
    cpu = []
    for j in range(folds.max() + 1):
        train, test = folds != j, folds == j
        Xtr, Xte = matrix_of_fold(j, train, test)
        model = make_model()
        w = np.where(y[train] == 0, HAM_WEIGHT, 1.0)
        t0 = time.process_time()
        if weighted:
            model.fit(Xtr, y[train], sample_weight=w)
        else:
            model.fit(Xtr, y[train])
        cpu.append(time.process_time() - t0)
        scores[test] = decision(model, Xte) if decision else (
            model.decision_function(Xte) if hasattr(model, "decision_function")
            else model.predict_log_proba(Xte)[:, 1] - model.predict_log_proba(Xte)[:, 0])
    if not quiet:
        line(name, y, scores, float(np.mean(cpu)))
    SCORES[name] = scores
    return scores


def rows_of(matrices):
    return lambda j, train, test: (matrices[j][train], matrices[j][test])


# ---------------------------------------------------------------- stages

def stage_main(study, y, paths):
    """Main's own dumped scores (the benchmark's -Dspam.dump), scored here: must give the benchmark's figures."""
    out = {}
    for f in sorted(glob.glob(os.path.join(study, "main-*.tsv"))):
        with open(f) as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            by_path = {r["path"]: float(r["score"]) for r in reader}
        s = np.array([by_path[p] for p in paths])
        out[os.path.basename(f)] = s
        line("main " + os.path.basename(f), y, s)
    if out:
        caught, aucs = zip(*[score(y, s)[:2] for s in out.values()])
        print(f"main, mean of {len(out)} orders: {np.mean(caught):.1f}, AUC {np.mean(aucs):.6f}")
    return out


def stage_dumped(rows, y, folds):
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB, MultinomialNB
    from sklearn.svm import LinearSVC
    results = {}
    for block in (False, True):
        mats, vocab = dumped_matrices(rows, block)
        tag = "dumped main+header blocks" if block else "dumped main set"
        print(f"-- {tag}: {mats[0].shape[1]} columns", flush=True)
        for C in (10, 100, 1000, 10000):
            results[(tag, "lr", C)] = cv(f"{tag}, L2 logistic regression C={C}", y, folds,
                                         lambda: LogisticRegression(C=C, solver="liblinear", max_iter=1000),
                                         rows_of(mats))
        for C in (1, 10, 100, 1000):
            results[(tag, "svm", C)] = cv(f"{tag}, linear SVM C={C}", y, folds,
                                          lambda: LinearSVC(C=C, max_iter=50000), rows_of(mats))
        if not block:
            binary = [(m > 0).astype(np.float64) for m in mats]
            for a in (0.01, 0.1, 1.0):
                results[(tag, "mnb", a)] = cv(f"{tag}, multinomial NB (binary) alpha={a}", y, folds,
                                              lambda: MultinomialNB(alpha=a), rows_of(binary))
                results[(tag, "mnb-unit", a)] = cv(f"{tag}, multinomial NB (unit length) alpha={a}", y, folds,
                                                   lambda: MultinomialNB(alpha=a), rows_of(mats))
                results[(tag, "cnb", a)] = cv(f"{tag}, complement NB (binary, weights normalised) alpha={a}", y,
                                              folds, lambda: ComplementNB(alpha=a, norm=True), rows_of(binary))
    return results


def online_replica(X, y, order, rate=16.0, passes=3, margin=4.0, ham_weight=HAM_WEIGHT):
    """Main's regression step for step (SpamFilter.train): binary features scaled to unit length, one step per
    message, then reinforcing passes where the margin is below `margin`; X's rows are already unit length."""
    w = np.zeros(X.shape[1])
    bias = 0.0
    rows = [(X.indices[X.indptr[i]:X.indptr[i + 1]], X.data[X.indptr[i]] if X.indptr[i + 1] > X.indptr[i] else 0.0)
            for i in range(X.shape[0])]
    for p in range(passes):
        for i in order:
            idx, scale = rows[i]
            z = bias + w[idx].sum() * scale
            if p > 0 and (z if y[i] == 1 else -z) >= margin:
                continue
            delta = rate * (y[i] - 1 / (1 + np.exp(-z))) * scale * (1 if y[i] == 1 else ham_weight)
            w[idx] += delta
            bias += delta
    return w, bias


def stage_online(rows, y, folds):
    """A Python replica of main's online regression (three averaged orders) trained on the dump: if it lands where
    main's own regression does (1272-1275 of 1,327 alone), the dump carries what the model learns from."""
    mats, _ = dumped_matrices(rows, False)
    for seed in (1, 2):
        scores = np.zeros(len(y))
        for j in range(folds.max() + 1):
            train = np.where(folds != j)[0]
            Xtr = mats[j][train]
            ws, bs = [], []
            for o in range(3):
                order = np.random.default_rng(seed * 100 + o).permutation(len(train))
                w, b = online_replica(Xtr, y[train], order)
                ws.append(w)
                bs.append(b)
            test = folds == j
            scores[test] = mats[j][test] @ np.mean(ws, axis=0) + np.mean(bs)
        name = f"online replica of main's regression (3 orders averaged, numpy seed {seed})"
        line(name, y, scores)
        SCORES[name] = scores


def stage_blocks(rows, y, folds):
    """The header block's scale beside the main block (the batch form of main's header weight), linear SVM."""
    from sklearn.svm import LinearSVC
    for scale in (0.5, 2, 3):
        mats = dumped_matrices_scaled(rows, scale)
        for C in (3, 30):
            cv(f"dumped blocks, header block x{scale}, linear SVM C={C}", y, folds,
               lambda: LinearSVC(C=C, max_iter=50000), rows_of(mats))


def text_counts(headers, bodies, with_chars=True):
    from sklearn.feature_extraction.text import CountVectorizer
    docs = [h + "\n\n" + b for h, b in zip(headers, bodies)]
    t0 = time.process_time()
    word_vectorizer = CountVectorizer(ngram_range=(1, 2), lowercase=True, token_pattern=r"(?u)\b[\w$%.@'-]*\w[\w$%@-]*\b",
                            min_df=2, dtype=np.float64)
    words = word_vectorizer.fit_transform(docs)
    print(f"word 1-2-grams: {words.shape[1]} columns (min_df 2 over dev), {time.process_time() - t0:.0f} s",
          flush=True)
    if not with_chars:
        return words, word_vectorizer.get_feature_names_out()
    t0 = time.process_time()
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, min_df=2,
                            dtype=np.float64).fit_transform([d[:8000] for d in docs])
    print(f"char_wb 3-5-grams (first 8,000 characters): {chars.shape[1]} columns, {time.process_time() - t0:.0f} s",
          flush=True)
    return words, chars


def tfidf_of_fold(counts):
    """TF-IDF (sublinear tf, l2) fitted on the fold's training rows only; columns seen in < 2 training rows
    dropped (the vocabulary was counted over all of dev, but nothing about labels or weights leaks from it)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    def of(j, train, test):
        Xtr = counts[train]
        keep = np.asarray((Xtr > 0).sum(axis=0)).ravel() >= 2
        t = TfidfTransformer(sublinear_tf=True).fit(Xtr[:, keep])
        return t.transform(Xtr[:, keep]), t.transform(counts[test][:, keep])
    return of


def stacked(*parts, weights=None):
    def of(j, train, test):
        tr, te = [], []
        for k, p in enumerate(parts):
            a, b = p(j, train, test)
            w = 1 if weights is None else weights[k]
            tr.append(a * w)
            te.append(b * w)
        return sp.hstack(tr).tocsr(), sp.hstack(te).tocsr()
    return of


def stage_text(rows, y, folds, headers, bodies):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC
    words, chars = text_counts(headers, bodies)
    mains, _ = dumped_matrices(rows, True)
    dumped = rows_of(mains)
    results = {}
    reps = {"tfidf words 1-2": tfidf_of_fold(words), "tfidf char_wb 3-5": tfidf_of_fold(chars)}
    reps["tfidf words + char_wb"] = stacked(reps["tfidf words 1-2"], reps["tfidf char_wb 3-5"])
    reps["dumped blocks + tfidf words"] = stacked(dumped, reps["tfidf words 1-2"])
    reps["dumped blocks + tfidf char_wb"] = stacked(dumped, reps["tfidf char_wb 3-5"])
    reps["dumped blocks + words + char_wb"] = stacked(dumped, reps["tfidf words 1-2"], reps["tfidf char_wb 3-5"])
    for tag, rep in reps.items():
        cache = {}

        def cached(j, train, test, rep=rep, cache=cache):
            if j not in cache:
                cache[j] = rep(j, train, test)
            return cache[j]
        for C in (10, 30, 100):
            results[(tag, "lr", C)] = cv(f"{tag}, L2 logistic regression C={C}", y, folds,
                                         lambda: LogisticRegression(C=C, solver="liblinear", max_iter=1000), cached)
        for C in (1, 3):
            results[(tag, "svm", C)] = cv(f"{tag}, linear SVM C={C}", y, folds,
                                          lambda: LinearSVC(C=C, max_iter=20000), cached)
    return results


def stage_boost(rows, y, folds, settings=((2000, 300, 3), (5000, 500, 3))):
    """Gradient-boosted trees over the dumped features most frequent in the fold's training rows (dense)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    mats, _ = dumped_matrices(rows, True)

    def top(k):
        def of(j, train, test):
            Xtr = mats[j][train]
            df = np.asarray((Xtr > 0).sum(axis=0)).ravel()
            keep = np.argsort(-df)[:k]
            return (Xtr[:, keep] > 0).toarray().astype(np.float32), (mats[j][test][:, keep] > 0).toarray().astype(
                np.float32)
        return of
    out = {}
    for k, it, depth in settings:
        out[k] = cv(f"gradient boosting (hist) over the {k} most frequent dumped features, {it} rounds, depth {depth}",
                    y, folds, lambda: HistGradientBoostingClassifier(max_iter=it, learning_rate=0.1, max_depth=depth,
                                                                     early_stopping=False, l2_regularization=1.0),
                    top(k))
    return out


def stage_best(rows, y, folds, headers, bodies):
    """The best setting of each family and representation from the sweeps, with their scores kept (`rescued`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC
    words, chars = text_counts(headers, bodies)
    main_set, _ = dumped_matrices(rows, False)
    blocks, _ = dumped_matrices(rows, True)
    w, c = tfidf_of_fold(words), tfidf_of_fold(chars)
    svm = lambda C: (lambda: LinearSVC(C=C, max_iter=50000))
    cv("dumped main set, L2 logistic regression C=10000", y, folds,
       lambda: LogisticRegression(C=10000, solver="liblinear", max_iter=1000), rows_of(main_set))
    cv("dumped blocks, L2 logistic regression C=10000", y, folds,
       lambda: LogisticRegression(C=10000, solver="liblinear", max_iter=1000), rows_of(blocks))
    cv("dumped main set, multinomial NB (unit length) alpha=0.1", y, folds, lambda: MultinomialNB(alpha=0.1),
       rows_of(main_set))
    cv("dumped main set, linear SVM C=100", y, folds, svm(100), rows_of(main_set))
    cv("dumped blocks, linear SVM C=100", y, folds, svm(100), rows_of(blocks))
    cv("tfidf words 1-2, linear SVM C=3", y, folds, svm(3), w)
    cv("tfidf char_wb 3-5, linear SVM C=3", y, folds, svm(3), c)
    cv("tfidf words + char_wb, linear SVM C=3", y, folds, svm(3), stacked(w, c))
    for scale in (0.5, 1, 2):
        for C in (1, 3, 10):
            cv(f"dumped blocks + tfidf words x{scale}, linear SVM C={C}", y, folds, svm(C),
               stacked(rows_of(blocks), w, weights=[1, scale]))
    cv("dumped blocks + tfidf words + char_wb, linear SVM C=3", y, folds, svm(3), stacked(rows_of(blocks), w, c))
    cv("dumped blocks + tfidf words, L2 logistic regression C=1000", y, folds,
       lambda: LogisticRegression(C=1000, solver="liblinear", max_iter=1000), stacked(rows_of(blocks), w))


def knn_scores(name, y, folds, matrix_of_fold, k):
    """Cosine k-nearest neighbours: a held-out message's score is the similarity-weighted vote of its k most similar
    training messages (spam +1, ham -HAM_WEIGHT), so scores are continuous enough for a 0.1 % FP line."""
    scores = np.zeros(len(y))
    cpu = []
    for j in range(folds.max() + 1):
        train, test = folds != j, folds == j
        Xtr, Xte = matrix_of_fold(j, train, test)
        t0 = time.process_time()
        sims = (Xte @ Xtr.T).toarray()
        vote = np.where(y[train] == 1, 1.0, -HAM_WEIGHT)
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        rows_ = np.arange(sims.shape[0])[:, None]
        scores[test] = (sims[rows_, top] * vote[top]).sum(axis=1)
        cpu.append(time.process_time() - t0)
    line(name, y, scores, float(np.mean(cpu)))
    SCORES[name] = scores


def stage_knn(rows, y, folds, headers, bodies):
    words, chars = text_counts(headers, bodies)
    blocks, _ = dumped_matrices(rows, True)
    w, c = tfidf_of_fold(words), tfidf_of_fold(chars)
    norm = lambda f: (lambda j, tr, te: tuple(
        sp.csr_matrix(m.multiply(1 / np.sqrt(np.asarray(m.multiply(m).sum(axis=1)) + 1e-12))) for m in f(j, tr, te)))
    for k in (5, 20):
        knn_scores(f"kNN (cosine, k={k}) on dumped blocks", y, folds, norm(rows_of(blocks)), k)
        knn_scores(f"kNN (cosine, k={k}) on tfidf words + char_wb", y, folds, norm(stacked(w, c)), k)


def stage_explain(rows, y, folds, headers, bodies, names, main_scores, paths):
    """The stacked linear SVM (dumped blocks + TF-IDF words, C=3): for each spam it catches that main (default seed)
    misses, and for the ham at its line, the features that pushed hardest (weight x value)."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.svm import LinearSVC
    words, word_names = text_counts(headers, bodies, with_chars=False)
    blocks, vocab = dumped_matrices(rows, True)
    dumped_names = [("main " if kind == "m" else "hdr ") + names.get(h, h) for kind, h in vocab.hashes]
    scores = np.zeros(len(y))
    why = {}
    for j in range(folds.max() + 1):
        train, test = folds != j, folds == j
        Xtr_w = words[train]
        keep = np.asarray((Xtr_w > 0).sum(axis=0)).ravel() >= 2
        t = TfidfTransformer(sublinear_tf=True).fit(Xtr_w[:, keep])
        Xtr = sp.hstack([blocks[j][train], t.transform(Xtr_w[:, keep])]).tocsr()
        Xte = sp.hstack([blocks[j][test], t.transform(words[test][:, keep])]).tocsr()
        col_names = dumped_names + ["word " + n for n in word_names[keep]]
        model = LinearSVC(C=3, max_iter=50000).fit(Xtr, y[train], sample_weight=np.where(y[train] == 0, HAM_WEIGHT,
                                                                                          1.0))
        scores[test] = model.decision_function(Xte)
        coef = model.coef_.ravel()
        for row, i in enumerate(np.where(test)[0]):
            x = Xte[row]
            summed = {}  # a feature's copies share a name: their contributions are summed
            for k, v in zip(x.indices, x.data * coef[x.indices]):
                summed[col_names[k]] = summed.get(col_names[k], 0.0) + v
            top = sorted(summed.items(), key=lambda kv: -abs(kv[1]))[:8]
            why[i] = ", ".join(f"{n} {v:+.2f}" for n, v in top)
    line("explained model: dumped blocks + tfidf words, linear SVM C=3", y, scores)
    _, _, thr = score(y, scores)
    _, _, main_thr = score(y, main_scores)
    for i in np.where((y == 1) & (scores > thr) & (main_scores <= main_thr))[0]:
        print(f"rescued {paths[i]} main {main_scores[i] - main_thr:+.2f} svm {scores[i] - thr:+.2f}: {why[i]}")
    for i in np.where((y == 1) & (scores <= thr) & (main_scores > main_thr))[0]:
        print(f"lost {paths[i]} main {main_scores[i] - main_thr:+.2f} svm {scores[i] - thr:+.2f}: {why[i]}")
    for i in np.argsort(-np.where(y == 0, scores, -np.inf))[:4]:
        print(f"top ham {paths[i]} svm {scores[i] - thr:+.2f}: {why[i]}")


def stage_textparts(rows, y, folds, headers, bodies):
    """Which half of the raw text the stacked model's gain over the dumped features comes from: TF-IDF word
    1-2-grams of the headers alone or of the body alone beside the dumped blocks (linear SVM, C=3)."""
    from sklearn.svm import LinearSVC
    blocks, _ = dumped_matrices(rows, True)
    for part, docs in (("headers", headers), ("body", bodies)):
        counts, _ = text_counts(docs, [""] * len(docs), with_chars=False)
        for scale in (1, 2):
            cv(f"dumped blocks + tfidf words of the {part} only x{scale}, linear SVM C=3", y, folds,
               lambda: LinearSVC(C=3, max_iter=50000), stacked(rows_of(blocks), tfidf_of_fold(counts),
                                                               weights=[1, scale]))


def stage_curve(rows, y, folds, headers, bodies):
    """A learning curve: each fold's model trained on a random share of its training rows (three draws per share),
    scored on the whole held-out fold. (The dumped sender history was counted over the whole training set, which
    flatters the smaller shares a little; the TF-IDF model alone has no such term.)"""
    from sklearn.svm import LinearSVC
    words, _ = text_counts(headers, bodies, with_chars=False)
    blocks, _ = dumped_matrices(rows, True)
    reps = {"dumped blocks + tfidf words x2": stacked(rows_of(blocks), tfidf_of_fold(words), weights=[1, 2]),
            "tfidf words 1-2": tfidf_of_fold(words)}
    for tag, rep in reps.items():
        for share in (0.25, 0.5, 0.75, 1.0):
            figures = []
            for draw in range(3 if share < 1 else 1):
                rng = np.random.default_rng(draw)
                subsample = rng.random(len(y)) < share
                scores = np.zeros(len(y))
                for j in range(folds.max() + 1):
                    train, test = (folds != j) & subsample, folds == j
                    Xtr, Xte = rep(j, train, test)
                    model = LinearSVC(C=3, max_iter=50000).fit(Xtr, y[train], sample_weight=np.where(
                        y[train] == 0, HAM_WEIGHT, 1.0))
                    scores[test] = model.decision_function(Xte)
                figures.append(score(y, scores)[:2])
            c, a = np.mean(figures, axis=0)
            print(f"learning curve, {tag}, linear SVM C=3, {share:.0%} of each fold's training rows: {c:.1f} "
                  f"({' / '.join(str(int(f[0])) for f in figures)}), AUC {a:.6f}", flush=True)


def stage_curve_online(rows, y, folds):
    """The learning curve of main's own learner (the numpy replica of its regression, three averaged orders)."""
    mats, _ = dumped_matrices(rows, False)
    for share in (0.5, 0.75, 1.0):
        figures = []
        for draw in range(2 if share < 1 else 1):
            subsample = np.random.default_rng(draw).random(len(y)) < share
            scores = np.zeros(len(y))
            for j in range(folds.max() + 1):
                train = np.where((folds != j) & subsample)[0]
                ws, bs = [], []
                for o in range(3):
                    w, b = online_replica(mats[j][train], y[train], np.random.default_rng(100 + o).permutation(
                        len(train)))
                    ws.append(w)
                    bs.append(b)
                test = folds == j
                scores[test] = mats[j][test] @ np.mean(ws, axis=0) + np.mean(bs)
            figures.append(score(y, scores)[:2])
        c, a = np.mean(figures, axis=0)
        print(f"learning curve, online replica of main's regression, {share:.0%} of each fold's training rows: "
              f"{c:.1f} ({' / '.join(str(int(f[0])) for f in figures)}), AUC {a:.6f}", flush=True)


ARTIFACT_HEADERS = ("x-keywords", "x-status")  # a mail client's empty headers on 585 + 123 spam, 25 + 24 ham of the corpus


def stage_artifacts(rows, y, folds, names, headers, bodies):
    """The corpus's collection artifact (an empty `X-Keywords:` / `X-Status:` written by the collector's mail client,
    far more often in spam than ham) taken out: the dumped `h:` features of those headers, and those header lines
    from the raw text, before the same models are fitted."""
    from sklearn.svm import LinearSVC
    dropped = {h for h, n in names.items() if n in {"h:" + a for a in ARTIFACT_HEADERS}}
    clean = [(p, s_, f, [[h for h in g if h not in dropped] for g in hist], [t for t in tok if t not in dropped],
              [t for t in hdr if t not in dropped]) for p, s_, f, hist, tok, hdr in rows]
    print(f"artifact hashes dropped: {len(dropped)}", flush=True)
    blocks, _ = dumped_matrices(clean, True)
    cv("without the artifact: dumped blocks, linear SVM C=100", y, folds, lambda: LinearSVC(C=100, max_iter=50000),
       rows_of(blocks))
    pattern = re.compile(r"(?im)^(" + "|".join(ARTIFACT_HEADERS) + r"):.*$")
    words, _ = text_counts([pattern.sub("", h) for h in headers], bodies, with_chars=False)
    cv("without the artifact: tfidf words 1-2, linear SVM C=3", y, folds, lambda: LinearSVC(C=3, max_iter=50000),
       tfidf_of_fold(words))
    cv("without the artifact: dumped blocks + tfidf words x2, linear SVM C=3", y, folds,
       lambda: LinearSVC(C=3, max_iter=50000), stacked(rows_of(blocks), tfidf_of_fold(words), weights=[1, 2]))


def stage_rescued(study, y, paths, names):
    """Each model's line against main's (default seed): the spam it catches that main misses and the ham at its line;
    the spam no model catches at its own line; and main's score plus a small share of another model's."""
    mains = stage_main(study, y, paths)
    main = mains["main-default.tsv"]
    models = {}
    for f in sorted(glob.glob(os.path.join(study, "scores-*.npz"))):
        data = np.load(f, allow_pickle=True)
        models.update(zip(data["names"], data["scores"]))
    _, _, thr = score(y, main)
    main_missed = set(np.where((y == 1) & (main <= thr))[0])
    caught_by_any = set()
    best = sorted(models, key=lambda n: -score(y, models[n])[0])
    for n in best:
        c, auc, t = score(y, models[n])
        missed = set(np.where((y == 1) & (models[n] <= t))[0])
        caught_by_any |= main_missed - missed
        top_ham = np.argsort(-np.where(y == 0, models[n], -np.inf))[:3]
        print(f"{n}: {c}, AUC {auc:.6f}; of main's {len(main_missed)} misses it catches {len(main_missed - missed)}, "
              f"misses {len(missed - main_missed)} main catches; top ham {[paths[i] for i in top_ham]}")
    print(f"main's misses caught by at least one model at its own line: {len(caught_by_any)} of {len(main_missed)}")
    never = sorted(main_missed - caught_by_any)
    print("missed by main and by every model:", [paths[i] for i in never])
    for n in best[:8]:
        for w in (0.1, 0.2, 0.3, 0.5):
            figures = []
            for m in mains.values():
                other = models[n] / np.std(models[n]) * np.std(m)
                figures.append(score(y, m + w * other)[:2])
            c, a = np.mean(figures, axis=0)
            print(f"main + {w} x [{n}] (scaled to main's spread), mean of main's {len(mains)} orders: {c:.1f}, "
                  f"AUC {a:.6f} ({' / '.join(str(int(f[0])) for f in figures)})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--study", required=True, help="directory with tokens.tsv(.names) and main-*.tsv")
    ap.add_argument("--corpus", required=True, help="the unpacked corpus (holds spamassassin/dev.tsv)")
    ap.add_argument("stages", nargs="*", default=["main", "dumped", "text", "boost"])
    args = ap.parse_args()
    rows, names = load_tokens(args.study)
    y = np.array([r[1] for r in rows])
    folds = np.array([r[2] for r in rows])
    paths = [r[0] for r in rows]
    print(f"{len(rows)} messages: {int(y.sum())} spam, {int((y == 0).sum())} ham; folds {np.bincount(folds)}")
    if "main" in args.stages and "rescued" not in args.stages:
        stage_main(args.study, y, paths)
    if "dumped" in args.stages:
        stage_dumped(rows, y, folds)
    if "text" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_text(rows, y, folds, headers, bodies)
    if "online" in args.stages:
        stage_online(rows, y, folds)
    if "blocks" in args.stages:
        stage_blocks(rows, y, folds)
    if "best" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_best(rows, y, folds, headers, bodies)
    if "textparts" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_textparts(rows, y, folds, headers, bodies)
    if "curve" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_curve(rows, y, folds, headers, bodies)
    if "curve-online" in args.stages:
        stage_curve_online(rows, y, folds)
    if "artifacts" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_artifacts(rows, y, folds, names, headers, bodies)
    if "knn" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_knn(rows, y, folds, headers, bodies)
    if "boost" in args.stages:
        stage_boost(rows, y, folds)
    if "boost-large" in args.stages:
        stage_boost(rows, y, folds, ((10000, 800, 3),))
    if SCORES:
        np.savez_compressed(os.path.join(args.study, "scores-" + "-".join(args.stages) + ".npz"),
                            names=np.array(list(SCORES), dtype=object), scores=np.array(list(SCORES.values())))
    if "explain" in args.stages:
        headers, bodies = load_texts(args.corpus, paths, os.path.join(args.study, "texts.npz"))
        stage_explain(rows, y, folds, headers, bodies, names, stage_main(args.study, y, paths)["main-default.tsv"],
                      paths)
    if "rescued" in args.stages:
        stage_rescued(args.study, y, paths, names)


if __name__ == "__main__":
    main()
