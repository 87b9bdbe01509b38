"""The shipped linear models as plain arrays: one ``.npz`` file, no pickles, no scikit-learn to load.

A trained TF-IDF, embedding or ensemble model is, at paragraph level, a vocabulary, idf weights,
logistic-regression coefficients, intercepts and thresholds (plus, for the embedding side, the
lexicon's cues and the fixed MiniLM encoder). :func:`export_arrays` writes those as numeric and
string arrays with a JSON ``spec`` (stored as UTF-8 bytes inside the same file, so the two never
drift apart); :func:`load_arrays` reads them with ``np.load(allow_pickle=False)`` and checks every
key, dtype and shape. The model it returns computes the same scores as the scikit-learn estimator
(to 1e-9, see ``tests/test_arrays.py``) with numpy alone, which is what lets ``classify`` answer
without importing scikit-learn or skops.

Sentences are read with their paragraph (a ``context`` column) through hashed TF-IDF features,
embeddings and cues; the sentence model is stored the same way, each part with the column it reads,
and its hashing is a numpy MurmurHash3 that gives scikit-learn's hashes (so ``events``, which labels
sentences, needs no scikit-learn either). ``--explain``, and a file without a sentence model, go to
the full estimator, loaded from the skops file beside it on first use.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.errors import InputError
from analysis.models.text_arrays import HashedTfidf as _HashedTfidf
from analysis.models.text_arrays import Tfidf as _Tfidf

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
    if _is_hashed_tfidf(part):
        arrays[prefix + "idf"] = np.asarray(part[1].idf_)
        hashing = part[0]
        return {"kind": "hashed_tfidf", "ngram_range": list(hashing.ngram_range), "n_features": int(hashing.n_features),
                "sublinear_tf": bool(part[1].sublinear_tf), "token_pattern": hashing.token_pattern,
                "idf": prefix + "idf"}
    if isinstance(part, MiniLMEncoder):
        return {"kind": "minilm", "batch_size": int(part.batch_size)}
    if isinstance(part, LexiconFeatures):
        return {"kind": "lexicon", "cues": [list(cue) for cue in part.classifier_.cues_]}
    raise ValueError(f"{type(part).__name__} features cannot be stored as arrays")


def _is_hashed_tfidf(part) -> bool:
    """Whether ``part`` is :func:`~analysis.models.text.hashed_tfidf_features` with the project's settings."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import Pipeline

    if not (isinstance(part, Pipeline) and len(part.steps) == 2 and isinstance(part[0], HashingVectorizer)
            and isinstance(part[1], TfidfTransformer)):
        return False
    hashing, weighting = part[0].get_params(), part[1].get_params()
    same = {key: value for key, value in _TFIDF_PARAMS.items() if key in hashing and key != "norm"}
    if (any(hashing[key] != value for key, value in same.items()) or hashing["norm"] is not None
            or hashing["alternate_sign"] or hashing["dtype"] != np.float32
            or weighting["norm"] != "l2" or not weighting["use_idf"]):
        raise ValueError("only the project's hashed TF-IDF settings can be stored as arrays")
    return True


def _feature_parts(features) -> list[tuple[object, str]]:
    """The feature transformers of a fitted model, each with the input column it reads."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    if isinstance(features, FeatureUnion):
        if features.transformer_weights is not None:
            raise ValueError("weighted feature unions cannot be stored as arrays")
        return [(part, "text") for _, part in features.transformer_list]
    if isinstance(features, ColumnTransformer):
        if features.transformer_weights is not None or features.remainder != "drop":
            raise ValueError("only unweighted column transformers without remainder can be stored as arrays")
        parts = [(part, column) for _, part, column in features.transformers_ if not isinstance(part, str)]
        if not all(isinstance(column, str) for _, column in parts):
            raise ValueError("column transformers must read one named column per part to be stored as arrays")
        return parts
    return [(features, "text")]


def _export_linear(model, prefix: str, arrays: dict) -> dict:
    from sklearn.compose import ColumnTransformer

    features = model.features_
    parts = _feature_parts(features)
    if isinstance(features, ColumnTransformer) and features.sparse_output_ != (len(_sparse_parts(parts)) > 0):
        # The estimator multiplies whatever the transformer gave: keep to the forms scored here.
        raise ValueError("column transformers must give sparse rows from sparse parts only to be stored as arrays")
    for estimator in model.estimators_:
        if list(estimator.classes_) != [0, 1] or estimator.coef_.shape[0] != 1:
            raise ValueError("expected one binary logistic regression per label")
    # Kept in their fitted dtype (float32 after TF-IDF): scikit-learn computes the scores in it.
    arrays[prefix + "coef"] = np.vstack([est.coef_[0] for est in model.estimators_])
    arrays[prefix + "intercept"] = np.array([est.intercept_[0] for est in model.estimators_],
                                            dtype=model.estimators_[0].intercept_.dtype)
    specs = [{**_export_features(part, f"{prefix}f{i}_", arrays), "column": column}
             for i, (part, column) in enumerate(parts)]
    return {"kind": "linear", "features": specs,
            "coef": prefix + "coef", "intercept": prefix + "intercept",
            "thresholds": [float(t) for t in model.thresholds_]}


def _sparse_parts(parts: list[tuple[object, str]]) -> list:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [part for part, _ in parts if isinstance(part, TfidfVectorizer) or _is_hashed_tfidf(part)]


def _export_model(model, prefix: str, arrays: dict) -> dict:
    from analysis.models.context import ArticleContextModel
    from analysis.models.ensemble import MeanEnsemble

    if isinstance(model, ArticleContextModel):
        degree = getattr(model, "degree", 1)
        linear = [stage if degree == 1 else stage[-1] for stage in model.stage_]
        arrays[prefix + "coef"] = np.vstack([stage.coef_[0] for stage in linear])
        arrays[prefix + "intercept"] = np.array([stage.intercept_[0] for stage in linear])
        spec = {"kind": "context", "base": _export_model(model.base_, prefix + "b_", arrays),
                "coef": prefix + "coef", "intercept": prefix + "intercept", "degree": degree,
                "thresholds": [float(t) for t in model.thresholds_]}
        return spec
    if isinstance(model, MeanEnsemble):
        weights = model._weights(len(model.estimators_))
        return {"kind": "mean", "weights": [float(w) for w in weights],
                "members": [_export_model(m, f"{prefix}m{i}_", arrays) for i, m in enumerate(model.estimators_)],
                "thresholds": [float(t) for t in model.thresholds_]}
    return _export_linear(model, prefix, arrays)


def export_arrays(model, path: str | Path) -> Path:
    """Write a fitted :class:`~analysis.models.levels.LevelModel`'s paragraph model to ``path`` (``.npz``).

    The sentence model (text and paragraph columns) is stored too when its parts can be, else
    only its thresholds, and its rows are scored by the skops file.
    """
    arrays: dict[str, np.ndarray] = {}
    spec = {"format": FORMAT, "labels": list(LABELS),
            "paragraph": _export_model(model.models_["paragraph"], "p_", arrays),
            "sentence_thresholds": ([float(t) for t in model.models_["sentence"].thresholds_]
                                    if "sentence" in model.models_ else None)}
    if "sentence" in model.models_:
        sentence: dict[str, np.ndarray] = {}
        try:
            spec["sentence"] = _export_model(model.models_["sentence"], "s_", sentence)
            arrays.update(sentence)
        except ValueError:
            spec["sentence"] = None
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


class _Linear:
    """Features -> one logistic regression per label.

    Reads a list of texts, or a dict of columns (``text``, ``context``) when its parts read
    other columns than the text.
    """

    def __init__(self, spec: dict, arrays, path: Path):
        self.parts = []
        for part in spec["features"]:
            if part["kind"] == "tfidf":
                self.parts.append(_Tfidf(part, arrays[part["terms"]], arrays[part["idf"]]))
            elif part["kind"] == "hashed_tfidf":
                self.parts.append(_HashedTfidf(part, arrays[part["idf"]]))
            elif part["kind"] in ("minilm", "lexicon"):
                self.parts.append(part)
            else:
                raise InputError(f"{path}: unknown feature kind {part['kind']!r}")
        self.coef, self.intercept = arrays[spec["coef"]], arrays[spec["intercept"]]
        self.thresholds_ = np.array(spec["thresholds"], dtype=float)
        self.sparse = all(isinstance(p, _Tfidf) for p in self.parts)
        if not self.sparse and any(isinstance(p, _Tfidf) for p in self.parts):
            raise InputError(f"{path}: TF-IDF features cannot be combined with dense ones here")
        width = sum(p.width if isinstance(p, _Tfidf) else _dense_width(p) for p in self.parts)
        if self.coef.shape != (len(LABELS), width) or self.intercept.shape != (len(LABELS),):
            raise InputError(f"{path}: coefficients do not match the features ({self.coef.shape} for {width})")

    def _dense(self, columns: dict) -> np.ndarray:
        from analysis.models.cues import cue_counts
        from analysis.models.minilm import encode

        blocks = []
        for part in self.parts:
            texts = columns[part.get("column", "text")]
            if part["kind"] == "minilm":
                blocks.append(encode(texts, part["batch_size"]))
            else:
                blocks.append(np.log1p(cue_counts(_cues(part), texts)))
        return np.hstack(blocks)

    def _sparse(self, columns: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The parts' CSR arrays side by side, as scipy's ``hstack`` lays them out."""
        if len(self.parts) == 1:
            return self.parts[0].transform(columns[self.parts[0].column])
        rows, features, data, offset = [], [], [], 0
        for part in self.parts:
            part_rows, part_features, part_data = part.transform(columns[part.column])
            rows.append(part_rows)
            features.append(part_features + offset)
            data.append(part_data)
            offset += part.width
        rows, features, data = np.concatenate(rows), np.concatenate(features), np.concatenate(data)
        order = np.lexsort((features, rows))  # rows in order, columns sorted within each
        return rows[order], features[order], data[order]

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, 3)``, in the coefficients' dtype as in scikit-learn."""
        columns = X if isinstance(X, dict) else {"text": list(X)}
        n = len(columns["text"])
        if not n:
            return np.zeros((0, len(LABELS)))
        scores = []
        if self.sparse:
            rows, features, data = self._sparse(columns)
            for j in range(len(LABELS)):
                decision = _sparse_dot(rows, features, data, self.coef[j], n) + self.intercept[j]
                scores.append(_expit(decision))
        else:
            matrix = self._dense(columns)
            for j in range(len(LABELS)):
                scores.append(_expit((matrix @ self.coef[j : j + 1].T)[:, 0] + self.intercept[j]))
        return np.column_stack(scores)


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

    def predict_proba(self, X) -> np.ndarray:
        return sum(w * m.predict_proba(X) for w, m in zip(self.weights, self.members))


class _Context:
    """A base model's scores revised by the rest of the article (see :mod:`analysis.models.context`)."""

    reads_articles = True

    def __init__(self, spec: dict, arrays, path: Path):
        self.base = _build(spec["base"], arrays, path)
        self.coef, self.intercept = arrays[spec["coef"]], arrays[spec["intercept"]]
        self.thresholds_ = np.array(spec["thresholds"], dtype=float)
        self.degree = spec.get("degree", 1)
        width = 5 * len(LABELS)
        if self.degree == 2:
            self.pairs = np.triu_indices(width)
            width += len(self.pairs[0])
        elif self.degree != 1:
            raise InputError(f"{path}: article-context stage of unknown degree {self.degree!r}")
        if self.coef.shape != (len(LABELS), width) or self.intercept.shape != (len(LABELS),):
            raise InputError(f"{path}: article-context stage has the wrong shape")

    def predict_proba(self, texts: list[str], articles=None, positions=None) -> np.ndarray:
        from analysis.models.inputs import article_context, standalone_articles

        n = len(texts)
        articles = standalone_articles(n) if articles is None else articles
        positions = np.arange(n) if positions is None else positions
        features = article_context(self.base.predict_proba(texts), np.asarray(articles, dtype=object), positions)
        if self.degree == 1:
            return _expit(features @ self.coef.T + self.intercept)
        from analysis.models.inputs import LOGIT_BOUND

        # The columns of PolynomialFeatures(2, include_bias=False), in its order.
        first, second = self.pairs
        unit = features / LOGIT_BOUND
        expanded = np.hstack([unit, unit[:, first] * unit[:, second]])
        return _expit(expanded @ self.coef.T + self.intercept)


def _build(spec: dict, arrays, path: Path):
    kind = spec.get("kind")
    if kind == "context":
        return _Context(spec, arrays, path)
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
    wanted = _referenced([spec["paragraph"], spec.get("sentence")], set())
    if set(arrays) != wanted:
        extra, missing = sorted(set(arrays) - wanted), sorted(wanted - set(arrays))
        raise InputError(f"{path}: unexpected arrays {extra} / missing arrays {missing}")
    for key, array in arrays.items():
        kind = _DTYPES[key.rsplit("_", 1)[-1]]
        if array.dtype.kind != kind or array.ndim not in (1, 2):
            raise InputError(f"{path}: array {key!r} has dtype {array.dtype} and {array.ndim} dimensions")
    try:
        paragraph = _build(spec["paragraph"], arrays, path)
        sentence = _build(spec["sentence"], arrays, path) if spec.get("sentence") else None
    except (KeyError, TypeError, ValueError, InputError) as err:
        raise InputError(f"{path}: malformed array model spec ({type(err).__name__}: {err})") from None
    return ArrayLevelModel(paragraph, spec.get("sentence_thresholds"), fallback, sentence)


class ArrayLevelModel:
    """Paragraphs, and sentences read with their paragraph, scored from plain arrays.

    Sentences go to the full estimator when the file holds no sentence model (one whose
    parts cannot be stored as arrays), and so do explanations.

    Offers what :func:`analysis.labelling.scores_and_thresholds` needs of a level-aware
    model: ``predict_proba``, ``row_thresholds``, ``predict`` and ``thresholds_``.
    """

    def __init__(self, paragraph, sentence_thresholds=None, fallback: str | Path | None = None, sentence=None):
        self.paragraph = paragraph
        self.sentence = sentence
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
            # Passages straight from segment() or the corpus: build the columns the models read.
            return X.reset_index(drop=True) if "position" in X else model_input(X)
        return model_input(pd.DataFrame({"text": [str(t) for t in X]}))

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, shape ``(n, 3)``."""
        frame = self._frame(X)
        scores = np.zeros((len(frame), len(LABELS)))
        levels = frame["level"].to_numpy()
        rows = np.flatnonzero(levels == "paragraph")
        if len(rows):
            texts = frame["text"].to_numpy()[rows].tolist()
            if getattr(self.paragraph, "reads_articles", False) and "article" in frame:
                scores[rows] = self.paragraph.predict_proba(texts, frame["article"].to_numpy()[rows],
                                                            frame["position"].to_numpy()[rows])
            else:
                scores[rows] = self.paragraph.predict_proba(texts)
        rows = np.flatnonzero(levels == "sentence") if self.sentence is not None else []
        if len(rows):
            scores[rows] = self.sentence.predict_proba({name: frame[name].to_numpy()[rows].tolist()
                                                        for name in ("text", "context")})
        rows = np.flatnonzero((levels != "paragraph") & ((levels != "sentence") | (self.sentence is None)))
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
