"""The shipped linear models as plain arrays: one ``.npz`` file, no pickles, no scikit-learn to load.

A trained TF-IDF, embedding or ensemble model is, at paragraph level, a vocabulary, idf weights,
logistic-regression coefficients, intercepts and thresholds (plus, for the embedding side, the
lexicon's cues and the fixed MiniLM encoder). :func:`export_arrays` writes those as numeric and
string arrays with a JSON ``spec`` (stored as UTF-8 bytes inside the same file, so the two never
drift apart); :func:`load_arrays` reads them with ``np.load(allow_pickle=False)`` and checks every
key, dtype and shape. The model it returns computes the same scores as the scikit-learn estimator
(to 1e-9, see ``tests/test_arrays.py``) with numpy alone, which is what lets ``classify`` answer
without importing scikit-learn or skops.

Sentences are read with their paragraph through hashed features; those rows, and ``--explain``,
go to the full estimator, loaded from the skops file beside it on first use.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.errors import InputError

FORMAT = "war-passages-arrays/1"
SPEC_KEY = "spec"
_TFIDF_PARAMS = {"analyzer": "word", "lowercase": True, "strip_accents": "unicode", "preprocessor": None,
                 "tokenizer": None, "stop_words": None, "binary": False, "norm": "l2", "use_idf": True,
                 "token_pattern": r"(?u)\b\w\w+\b", "vocabulary": None}


# --------------------------------------------------------------------------- export


def _export_features(part, prefix: str, arrays: dict) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from analysis.models.embed import MiniLMEncoder
    from analysis.models.keywords import LexiconFeatures

    if isinstance(part, TfidfVectorizer):
        params = part.get_params()
        if any(params[key] != value for key, value in _TFIDF_PARAMS.items()) or params["dtype"] != np.float32:
            raise ValueError("only the project's word TF-IDF settings can be stored as arrays")
        terms = np.empty(len(part.vocabulary_), dtype=object)
        for term, index in part.vocabulary_.items():
            terms[index] = term
        arrays[prefix + "terms"] = terms.astype(str)
        arrays[prefix + "idf"] = np.asarray(part.idf_, dtype=np.float32)
        return {"kind": "tfidf", "ngram_range": list(part.ngram_range), "sublinear_tf": bool(part.sublinear_tf),
                "token_pattern": part.token_pattern, "terms": prefix + "terms", "idf": prefix + "idf"}
    if isinstance(part, MiniLMEncoder):
        return {"kind": "minilm", "batch_size": int(part.batch_size)}
    if isinstance(part, LexiconFeatures):
        return {"kind": "lexicon", "cues": [list(cue) for cue in part.classifier_.cues_]}
    raise ValueError(f"{type(part).__name__} features cannot be stored as arrays")


def _export_linear(model, prefix: str, arrays: dict) -> dict:
    from sklearn.pipeline import FeatureUnion

    features = model.features_
    if isinstance(features, FeatureUnion):
        if features.transformer_weights is not None:
            raise ValueError("weighted feature unions cannot be stored as arrays")
        parts = [part for _, part in features.transformer_list]
    else:
        parts = [features]
    for estimator in model.estimators_:
        if list(estimator.classes_) != [0, 1] or estimator.coef_.shape[0] != 1:
            raise ValueError("expected one binary logistic regression per label")
    # Kept in their fitted dtype (float32 after TF-IDF): scikit-learn computes the scores in it.
    arrays[prefix + "coef"] = np.vstack([est.coef_[0] for est in model.estimators_])
    arrays[prefix + "intercept"] = np.array([est.intercept_[0] for est in model.estimators_],
                                            dtype=model.estimators_[0].intercept_.dtype)
    return {"kind": "linear", "features": [_export_features(p, f"{prefix}f{i}_", arrays) for i, p in enumerate(parts)],
            "coef": prefix + "coef", "intercept": prefix + "intercept",
            "thresholds": [float(t) for t in model.thresholds_]}


def _export_model(model, prefix: str, arrays: dict) -> dict:
    from analysis.models.ensemble import MeanEnsemble

    if isinstance(model, MeanEnsemble):
        weights = model._weights(len(model.estimators_))
        return {"kind": "mean", "weights": [float(w) for w in weights],
                "members": [_export_model(m, f"{prefix}m{i}_", arrays) for i, m in enumerate(model.estimators_)],
                "thresholds": [float(t) for t in model.thresholds_]}
    return _export_linear(model, prefix, arrays)


def export_arrays(model, path: str | Path) -> Path:
    """Write a fitted :class:`~analysis.models.levels.LevelModel`'s paragraph model to ``path`` (``.npz``).

    The sentence model's thresholds are kept too; its hashed features stay in the skops file.
    """
    arrays: dict[str, np.ndarray] = {}
    spec = {"format": FORMAT, "labels": list(LABELS),
            "paragraph": _export_model(model.models_["paragraph"], "p_", arrays),
            "sentence_thresholds": ([float(t) for t in model.models_["sentence"].thresholds_]
                                    if "sentence" in model.models_ else None)}
    return write_npz(arrays, spec, path)


def write_npz(arrays: dict[str, np.ndarray], spec: dict, path: str | Path) -> Path:
    """Write ``arrays`` and their JSON ``spec`` to one compressed ``.npz``, atomically."""
    import io

    from analysis.files import write_bytes_atomic

    arrays = {**arrays, SPEC_KEY: np.frombuffer(json.dumps(spec, sort_keys=True).encode("utf-8"), dtype=np.uint8)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path = Path(path)
    write_bytes_atomic(buffer.getvalue(), path)
    return path


# ----------------------------------------------------------------------------- load


def _strip_accents(text: str) -> str:
    """scikit-learn's ``strip_accents_unicode``."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Tfidf:
    """``TfidfVectorizer.transform`` for the project's settings, as CSR arrays, in numpy."""

    def __init__(self, spec: dict, terms: np.ndarray, idf: np.ndarray):
        self.vocabulary = dict(zip(terms.tolist(), range(len(terms))))
        self.idf = idf
        self.pattern = re.compile(spec["token_pattern"])
        self.min_n, self.max_n = spec["ngram_range"]
        self.sublinear = spec["sublinear_tf"]
        self.width = len(terms)

    def _ngrams(self, text: str) -> list[str]:
        tokens = self.pattern.findall(_strip_accents(text.lower()))
        grams = list(tokens) if self.min_n == 1 else []
        for n in range(max(self.min_n, 2), self.max_n + 1):
            # map/zip run in C: several times faster than joining slices one by one.
            grams += map(" ".join, zip(*(tokens[k:] for k in range(n))))
        return grams

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row number, column and float32 value of every non-zero, rows in order, columns sorted."""
        grams, lengths = [], []
        for text in texts:
            found = self._ngrams(text)
            grams += found
            lengths.append(len(found))
        # One dictionary lookup per n-gram, in C; -1 for n-grams outside the vocabulary.
        columns = np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        known = columns >= 0
        # Sorting row-major keys counts repeated n-grams and orders columns within rows, as CSR does.
        keys, counts = np.unique(rows[known] * self.width + columns[known], return_counts=True)
        rows, columns = keys // self.width, keys % self.width
        # The same float32 steps as scikit-learn, in the same order, so that scores agree to the last bits.
        data = counts.astype(np.float32)
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        data *= self.idf[columns]
        squares = np.bincount(rows, weights=(data * data).astype(np.float64), minlength=len(texts))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        data = (data.astype(np.float64) / norms[rows]).astype(np.float32)
        return rows, columns, data


class _Linear:
    """Features -> one logistic regression per label."""

    def __init__(self, spec: dict, arrays, path: Path):
        self.parts = []
        for part in spec["features"]:
            if part["kind"] == "tfidf":
                self.parts.append(_Tfidf(part, arrays[part["terms"]], arrays[part["idf"]]))
            elif part["kind"] in ("minilm", "lexicon"):
                self.parts.append(part)
            else:
                raise InputError(f"{path}: unknown feature kind {part['kind']!r}")
        self.coef, self.intercept = arrays[spec["coef"]], arrays[spec["intercept"]]
        self.thresholds_ = np.array(spec["thresholds"], dtype=float)
        sparse = [p for p in self.parts if isinstance(p, _Tfidf)]
        if sparse and len(self.parts) > 1:
            raise InputError(f"{path}: TF-IDF features cannot be combined with others here")
        width = sum(p.width if isinstance(p, _Tfidf) else _dense_width(p) for p in self.parts)
        if self.coef.shape != (len(LABELS), width) or self.intercept.shape != (len(LABELS),):
            raise InputError(f"{path}: coefficients do not match the features ({self.coef.shape} for {width})")

    def _dense(self, texts: list[str]) -> np.ndarray:
        from analysis.models.cues import cue_counts
        from analysis.models.minilm import encode

        blocks = []
        for part in self.parts:
            if part["kind"] == "minilm":
                blocks.append(encode(texts, part["batch_size"]))
            else:
                blocks.append(np.log1p(cue_counts(_cues(part), texts)))
        return np.hstack(blocks)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability of each label, shape ``(n, 3)``, in the coefficients' dtype as in scikit-learn."""
        if not texts:
            return np.zeros((0, len(LABELS)))
        columns = []
        if isinstance(self.parts[0], _Tfidf):
            rows, features, data = self.parts[0].transform(texts)
            for j in range(len(LABELS)):
                decision = _sparse_dot(rows, features, data, self.coef[j], len(texts)) + self.intercept[j]
                columns.append(_expit(decision))
        else:
            matrix = self._dense(texts)
            for j in range(len(LABELS)):
                columns.append(_expit((matrix @ self.coef[j : j + 1].T)[:, 0] + self.intercept[j]))
        return np.column_stack(columns)


def _sparse_dot(rows, columns, data, coef, n: int) -> np.ndarray:
    """Row sums of ``data * coef[columns]`` summed left to right in the result's dtype, as scipy's CSR product does."""
    dtype = np.result_type(data, coef)
    products = data.astype(dtype) * coef[columns]
    if dtype == np.float64:
        return np.bincount(rows, weights=products, minlength=n)
    # float32 sums depend on their order: lay each row out flat and accumulate along it.
    lengths = np.bincount(rows, minlength=n)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    table = np.zeros((n, max(int(lengths.max(initial=0)), 1)), dtype=dtype)
    table[rows, np.arange(len(rows)) - starts[rows]] = products
    return np.cumsum(table, axis=1, dtype=dtype)[:, -1]


def _expit(z: np.ndarray) -> np.ndarray:
    """The logistic function, scipy's own: numpy's float32 ``exp`` differs from it in the last bit."""
    from scipy.special import expit

    return expit(z)


def _dense_width(part: dict) -> int:
    from analysis.models.minilm import DIMENSIONS

    return DIMENSIONS if part["kind"] == "minilm" else len(part["cues"])


def _cues(part: dict) -> tuple:
    return tuple((label, pattern, float(weight)) for label, pattern, weight in part["cues"])


class _Mean:
    """Weighted mean of members' probabilities (summed in the order scikit-learn's ensemble sums them)."""

    def __init__(self, spec: dict, arrays, path: Path):
        self.members = [_build(m, arrays, path) for m in spec["members"]]
        # float64 scalars, as in scikit-learn: a Python float would keep float32 member scores in float32.
        self.weights = [np.float64(w) for w in spec["weights"]]
        self.thresholds_ = np.array(spec["thresholds"], dtype=float)
        if len(self.weights) != len(self.members) or not self.members:
            raise InputError(f"{path}: ensemble weights do not match its members")

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return sum(w * m.predict_proba(texts) for w, m in zip(self.weights, self.members))


def _build(spec: dict, arrays, path: Path):
    kind = spec.get("kind")
    if kind == "mean":
        return _Mean(spec, arrays, path)
    if kind == "linear":
        return _Linear(spec, arrays, path)
    raise InputError(f"{path}: unknown model kind {kind!r}")


def _referenced(spec, found: set) -> set:
    """Array keys the spec refers to."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("terms", "idf", "coef", "intercept") and isinstance(value, str):
                found.add(value)
            else:
                _referenced(value, found)
    elif isinstance(spec, list):
        for value in spec:
            _referenced(value, found)
    return found


_DTYPES = {"terms": "U", "idf": "f", "coef": "f", "intercept": "f"}


def read_npz(path: Path, expected_format: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON spec and the arrays of a :func:`write_npz` file, read without unpickling anything.

    Raises an :class:`InputError` for a missing, unreadable or pickled file, and for a spec whose
    ``format`` is not ``expected_format``.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except ValueError as err:  # numpy's answer to a pickled (object) array
        raise InputError(f"{path}: not a plain-array model file ({err})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(f"{path}: not a readable array model file ({err})") from None
    try:
        spec = json.loads(arrays.pop(SPEC_KEY).tobytes().decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
        raise InputError(f"{path}: no readable '{SPEC_KEY}' in the array model file") from None
    if not isinstance(spec, dict) or spec.get("format") != expected_format:
        raise InputError(f"{path}: not a {expected_format} model file")
    return spec, arrays


def load_arrays(path: str | Path, fallback: str | Path | None = None) -> ArrayLevelModel:
    """Load a model written by :func:`export_arrays`; refuse anything else with an :class:`InputError`.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file.
    fallback : str or Path, optional
        The skops file of the same model, loaded on first use for sentences and explanations.
    """
    path = Path(path)
    spec, arrays = read_npz(path, FORMAT)
    if "paragraph" not in spec:
        raise InputError(f"{path}: not a {FORMAT} model file")
    if spec.get("labels") != list(LABELS):
        raise InputError(f"{path}: the model's labels {spec.get('labels')} are not {list(LABELS)}")
    wanted = _referenced(spec["paragraph"], set())
    if set(arrays) != wanted:
        extra, missing = sorted(set(arrays) - wanted), sorted(wanted - set(arrays))
        raise InputError(f"{path}: unexpected arrays {extra} / missing arrays {missing}")
    for key, array in arrays.items():
        kind = _DTYPES[key.rsplit("_", 1)[-1]]
        if array.dtype.kind != kind or array.ndim not in (1, 2):
            raise InputError(f"{path}: array {key!r} has dtype {array.dtype} and {array.ndim} dimensions")
    try:
        paragraph = _build(spec["paragraph"], arrays, path)
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{path}: malformed array model spec ({type(err).__name__}: {err})") from None
    return ArrayLevelModel(paragraph, spec.get("sentence_thresholds"), fallback)


class ArrayLevelModel:
    """Paragraphs scored from plain arrays; sentences handed to the full estimator.

    Offers what :func:`analysis.labelling.scores_and_thresholds` needs of a level-aware
    model: ``predict_proba``, ``row_thresholds``, ``predict`` and ``thresholds_``.
    """

    def __init__(self, paragraph, sentence_thresholds=None, fallback: str | Path | None = None):
        self.paragraph = paragraph
        self.sentence_thresholds = (None if sentence_thresholds is None
                                    else np.array(sentence_thresholds, dtype=float))
        self.fallback = fallback
        self.thresholds_ = paragraph.thresholds_
        self.classes_ = np.array(LABELS)
        self._estimator = None

    def estimator(self):
        """The full scikit-learn estimator (loaded from the skops file once)."""
        if self._estimator is None:
            from analysis.models.store import load_classifier

            if self.fallback is None:
                raise InputError("this array model has no skops file for sentences or explanations")
            self._estimator = load_classifier(self.fallback)
        return self._estimator

    def _frame(self, X) -> pd.DataFrame:
        from analysis.models.inputs import model_input

        if isinstance(X, pd.DataFrame):
            return X.reset_index(drop=True)
        return model_input(pd.DataFrame({"text": [str(t) for t in X]}))

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, 3)``."""
        frame = self._frame(X)
        scores = np.zeros((len(frame), len(LABELS)))
        levels = frame["level"].to_numpy()
        rows = np.flatnonzero(levels == "paragraph")
        if len(rows):
            scores[rows] = self.paragraph.predict_proba(frame["text"].to_numpy()[rows].tolist())
        rows = np.flatnonzero(levels != "paragraph")
        if len(rows):
            scores[rows] = self.estimator().predict_proba(frame.iloc[rows].reset_index(drop=True))
        return scores

    def row_thresholds(self, X) -> np.ndarray:
        """Each row's decision thresholds."""
        frame = self._frame(X)
        out = np.tile(self.thresholds_, (len(frame), 1))
        sentences = frame["level"].to_numpy() == "sentence"
        if sentences.any():
            out[sentences] = (self.sentence_thresholds if self.sentence_thresholds is not None
                              else self.estimator().row_thresholds(frame[sentences])[0])
        return out

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, 3)``."""
        return (self.predict_proba(X) >= self.row_thresholds(X)).astype(int)
