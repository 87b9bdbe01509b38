"""Model conventions, persistence and the committed evaluation results."""

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from analysis.corpus import load_corpus
from analysis.evaluate import EMBEDDING_CACHE, evaluate_model, metrics
from analysis.models import MODEL_NAMES, build_model, get_model
from analysis.models.embed import _key, embedding_cache, encode
from analysis.models.keywords import KeywordClassifier, LexiconFeatures
from analysis.models.store import load_model, save_model
from tests.conftest import ROOT

TEXTS = ["Missiles struck Kharkiv overnight, killing two people.",
         "The foreign ministers met in Geneva to discuss a ceasefire.",
         "A Russian drone entered Polish airspace and crashed near Lublin.",
         "Prices of bread rose again in the capital."] * 6
Y = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]] * 6)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_sklearn_conventions(name):
    model = build_model(name)
    params = model.get_params()
    assert clone(model).get_params().keys() == params.keys()
    with pytest.raises(NotFittedError):
        model.predict_proba(TEXTS[:1])


@pytest.mark.parametrize("name", ["keywords", "tfidf"])
def test_fit_predict_shapes_and_pipeline(name, tmp_path):
    model = build_model(name)
    fitted = model.fit(TEXTS, Y, groups=np.arange(len(TEXTS)) % 6) if name == "tfidf" else model.fit(TEXTS, Y)
    assert fitted is model
    scores = model.predict_proba(TEXTS)
    assert scores.shape == (len(TEXTS), 3) and ((scores >= 0) & (scores <= 1)).all()
    assert model.predict(TEXTS).shape == (len(TEXTS), 3)
    assert model.predict(TEXTS[:4]).tolist() == Y[:4].tolist()
    path = save_model(model, tmp_path / "m.skops")
    assert np.allclose(load_model(path).predict_proba(TEXTS), scores)


def test_lexicon_features_inside_a_pipeline():
    from sklearn.linear_model import LogisticRegression

    pipeline = Pipeline([("cues", LexiconFeatures()), ("lr", LogisticRegression())]).fit(TEXTS, Y[:, 2])
    assert pipeline.predict(TEXTS[:4]).tolist() == [0, 0, 1, 0]
    assert len(LexiconFeatures().fit([]).get_feature_names_out()) == len(KeywordClassifier().fit([]).cues_)


def test_zeroshot_takes_user_topics():
    model = build_model("zeroshot").set_params(topics={"sport": "a football match, a goal, a league game",
                                                       "weather": "rain, storms, temperatures, a heatwave"})
    model.fit([])
    assert list(model.classes_) == ["sport", "weather"]
    scores = model.predict_proba(["The striker scored twice in the cup final.", "Heavy rain flooded the roads."])
    assert scores[0, 0] > scores[0, 1] and scores[1, 1] > scores[1, 0]


def test_long_passages_are_chunked_not_truncated():
    head = "Peace talks between the foreign ministers continued in Geneva. " * 60
    tail = "Missiles struck the city, killing dozens of people in their homes. " * 60
    whole, head_only = encode([head + tail, head])
    assert whole @ head_only < 0.97  # the tail beyond 256 tokens changed the vector


def test_cached_embeddings_equal_fresh_ones():
    corpus = load_corpus()
    texts = corpus.passages("paragraph")["text"].sample(12, random_state=0).tolist()
    with np.load(EMBEDDING_CACHE) as stored:
        cached = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    fresh = encode(texts)
    for text, vector in zip(texts, fresh):
        assert float(cached[_key(text)] @ vector) > 0.999


def test_committed_evaluation_reproduces():
    stored = json.loads((ROOT / "docs" / "results" / "evaluation.json").read_text())
    corpus = load_corpus()
    with embedding_cache(EMBEDDING_CACHE):
        again = evaluate_model("tfidf", corpus, "paragraph", ("test",))
    assert again["test"] == stored["models"]["tfidf"]["test"]


def test_metrics_on_known_counts():
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]])
    guess = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1], [0, 0, 0]])
    result = metrics(truth, guess)
    assert result["labels"]["diplomacy"]["recall"] == 0.5
    assert result["labels"]["strikes"]["precision"] == 0.5
    assert result["exact_match"] == 0.5
    assert result["labels"]["strikes"]["confusion"] == {"tp": 1, "fp": 1, "fn": 0, "tn": 2}


def test_default_model_loads_offline():
    model = get_model()
    assert model.predict_proba(TEXTS[:2]).shape == (2, 3)


# scikit-learn's check_estimator skips estimators whose input is text (two_d_array=False); these are the
# checks of its API suite that do not need a numeric X, run on every estimator class of the package.
API_CHECKS = ["check_estimator_cloneable", "check_estimator_repr", "check_no_attributes_set_in_init",
              "check_parameters_default_constructible", "check_get_params_invariance", "check_set_params",
              "check_do_not_raise_errors_in_init_or_set_params", "check_valid_tag_types",
              "check_estimator_tags_renamed"]


def _estimators():
    from analysis.models.context import ArticleContextModel
    from analysis.models.embed import MiniLMEncoder
    from analysis.models.ensemble import MeanEnsemble
    from analysis.models.text import MultiLabelTextModel, tfidf_features
    from analysis.models.zeroshot import ZeroShotClassifier

    return [KeywordClassifier(), LexiconFeatures(), MiniLMEncoder(), ZeroShotClassifier(), MeanEnsemble(),
            MultiLabelTextModel(features=tfidf_features()), ArticleContextModel(),
            ArticleContextModel(degree=2)]


@pytest.mark.parametrize("check", API_CHECKS)
@pytest.mark.parametrize("estimator", _estimators(), ids=lambda e: type(e).__name__)
def test_sklearn_api_checks(estimator, check):
    import warnings

    from sklearn.utils import estimator_checks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(estimator_checks, check)(type(estimator).__name__, estimator)


def test_check_estimator_declares_text_input():
    from sklearn.utils import get_tags

    for estimator in _estimators():
        assert get_tags(estimator).input_tags.string and not get_tags(estimator).input_tags.two_d_array


def test_grouped_protocols_never_score_a_group_they_trained_on():
    """lwo/lso: each held-out group is scored by a model fitted without any of its passages."""
    import pandas as pd

    from analysis.evaluate import GROUPED_PROTOCOLS, grouped_metrics

    seen: list[set] = []

    class Recorder:
        def fit(self, texts, y):
            seen.append(set(texts))
            self.thresholds_ = np.full(3, 0.5)
            return self

        def predict_proba(self, texts):
            # Scores "strikes" only for texts it was trained on, so any leak would show as a hit.
            return np.array([[0.0, 1.0 if t in seen[-1] else 0.0, 0.0] for t in texts])

    passages = pd.DataFrame({
        "text": [f"passage {i}" for i in range(6)],
        "labels": [["strikes"]] * 6,
        "batch": ["a", "a", "b", "b", "c", "c"],
        "article": ["a1", "a2", "b1", "b2", "c1", "c2"],
    })
    result = grouped_metrics(Recorder, passages, GROUPED_PROTOCOLS["lwo"])
    assert len(seen) == 3 and all(len(texts) == 4 for texts in seen)
    assert result["labels"]["strikes"]["confusion"]["tp"] == 0
    assert set(result["groups"]) == {"a", "b", "c"}
    assert {"lwo": "batch", "lso": "style"}.items() <= GROUPED_PROTOCOLS.items()
