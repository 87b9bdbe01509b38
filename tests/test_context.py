"""Paragraphs read within their article: the context features and the two-stage model."""

import numpy as np
import pandas as pd
import pytest

from analysis.models.context import ArticleContextModel, article_rows
from analysis.models.inputs import article_context, model_input
from analysis.models.text import tfidf_model


def _probabilities(features):
    return 1 / (1 + np.exp(-features))


def test_context_features_read_the_article_in_order():
    scores = np.array([[.1, .2, .3], [.5, .5, .5], [.9, .1, .2], [.4, .4, .4]])
    features = _probabilities(article_context(scores, ["a", "a", "b", "a"], [2, 0, 0, 1]))
    own, others, maximum, before, after = np.split(features, 5, axis=1)
    assert np.allclose(own, scores, atol=1e-9)
    assert np.allclose(others[0], [.45, .45, .45]) and np.allclose(others[2], 1e-4)  # b is alone
    assert np.allclose(maximum[0], [.5, .5, .5]) and np.allclose(maximum[2], scores[2])
    assert np.allclose(before[0], scores[3]) and np.allclose(before[1], 1e-4)  # row 1 opens article a
    assert np.allclose(after[1], scores[3]) and np.allclose(after[0], 1e-4)  # row 0 closes it


def test_passages_without_article_ids_are_each_their_own_article():
    rows = article_rows(["one", "two"])
    assert rows["article"].nunique() == 2
    frame = model_input(pd.DataFrame({"text": ["one", "two"]}))
    assert frame["article"].nunique() == 2
    # A passages file's rows name an article but were not segmented from it: still read alone.
    frame = model_input(pd.DataFrame({"text": ["one", "two"], "article": ["x", "x"], "index": [0, 1]}))
    assert frame["article"].nunique() == 2
    segmented = pd.DataFrame({"text": ["one", "two"], "article": ["x", "x"], "index": [0, 1], "paragraph": [0, 1]})
    frame = model_input(segmented)
    assert frame["article"].tolist() == ["x", "x"] and frame["position"].tolist() == [0, 1]


@pytest.fixture(scope="module")
def fitted():
    # Reactions ("the ministry summoned the envoy") are incursions only after an airspace paragraph.
    rows, labels = [], []
    for i in range(60):
        violated = i % 2 == 0
        opening = ("a drone entered the airspace of the neighbour" if violated
                   else "the ministers met to discuss the harvest")
        rows += [(f"a{i}", 0, f"{opening} on day {i}"), (f"a{i}", 1, f"the ministry summoned the envoy {i}"),
                 (f"a{i}", 2, f"shells hit the town {i}" if i % 3 == 0 else f"the weather was mild {i}")]
        labels += [[0, 0, int(violated)], [1, 0, int(violated)], [0, int(i % 3 == 0), 0]]
    frame = pd.DataFrame(rows, columns=["article", "position", "text"])
    model = ArticleContextModel(base=tfidf_model(), cv=3).fit(frame, np.array(labels))
    return model, frame


def test_a_reaction_is_read_through_the_paragraph_before_it(fitted):
    model, _ = fitted
    after_violation = pd.DataFrame({"article": ["t", "t"], "position": [0, 1],
                                    "text": ["a drone entered the airspace of the neighbour",
                                             "the ministry summoned the envoy"]})
    after_talks = after_violation.assign(text=["the ministers met to discuss the harvest",
                                               "the ministry summoned the envoy"])
    incursions = list(model.classes_).index("incursions")
    assert model.predict_proba(after_violation)[1, incursions] > model.predict_proba(after_talks)[1, incursions] + 0.2
    # Alone, the reaction has no article to read: the same text gets the same score.
    alone = model.predict_proba(["the ministry summoned the envoy"])
    assert np.allclose(alone, model.predict_proba(["the ministry summoned the envoy", "unrelated text"])[:1])


def test_thresholds_come_from_grouped_out_of_fold_scores(fitted):
    model, frame = fitted
    assert model.oof_scores_.shape == (len(frame), 3)
    assert len(model.thresholds_) == 3 and len(model.stage_) == 3


def test_a_second_degree_stage_reads_a_reaction_through_its_article(fitted):
    _, frame = fitted
    labels = np.array([[0, 0, int(a % 2 == 0)] if pos == 0 else [1, 0, int(a % 2 == 0)] if pos == 1
                       else [0, int(a % 3 == 0), 0]
                       for a, pos in zip(frame["article"].str[1:].astype(int), frame["position"])])
    model = ArticleContextModel(base=tfidf_model(), degree=2, C=3.0, cv=3).fit(frame, labels)
    assert all(len(stage.steps) == 2 for stage in model.stage_)
    reaction = pd.DataFrame({"article": ["t", "t"], "position": [0, 1],
                             "text": ["a drone entered the airspace of the neighbour",
                                      "the ministry summoned the envoy"]})
    calm = reaction.assign(text=["the ministers met to discuss the harvest", "the ministry summoned the envoy"])
    incursions = list(model.classes_).index("incursions")
    assert model.predict_proba(reaction)[1, incursions] > model.predict_proba(calm)[1, incursions] + 0.2


def test_a_stage_of_unknown_degree_is_refused(fitted):
    _, frame = fitted
    with pytest.raises(ValueError, match="degree must be 1 or 2"):
        labels = np.tile([[1, 0, 1], [1, 0, 0], [0, 1, 0]], (60, 1))
        ArticleContextModel(base=tfidf_model(), degree=3, cv=3).fit(frame, labels)
