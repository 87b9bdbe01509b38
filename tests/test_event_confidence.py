"""The event confidence stage: features, training data, the shipped model, its CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.articles import Article, read_article
from analysis.errors import InputError
from analysis.events import extract_events
from analysis.events.confidence import (
    MODEL_PATH,
    TRAINING_SPLITS,
    ConfidenceModel,
    _check_trainable,
    add_confidence,
    build_confidence_model,
    confidence_report,
    event_features,
    explain_confidence,
    fit_confidence_model,
    load_confidence_model,
    save_confidence_model,
    training_table,
)
from analysis.events.evaluation import gold_events
from tests.conftest import ROOT, SEED, run_cli
from tests.test_events import SEED_LABELS


@pytest.fixture(scope="module")
def corpus():
    from analysis.corpus import load_corpus

    return load_corpus()


@pytest.fixture(scope="module")
def seed_events():
    article = read_article(SEED)
    table = pd.read_csv(SEED_LABELS, dtype={"labels": str}, keep_default_na=False)
    return article, extract_events(article, labelled=table[table["level"] == "sentence"])


def _event(paragraph, place=None, **values):
    base = {"kind": "strike", "paragraph": paragraph, "start": 0, "end": 100, "place": place, "date": None,
            "latitude": None, "evidence": {}}
    return {**base, **values}


def test_features_describe_each_event_in_its_article():
    article = Article(id="a", text="x", meta={"date": "2025-08-21"})
    events = [_event(1, "Sumy", date="2025-08-21", evidence={"date": "on Thursday"}),
              _event(1, "Kyiv", date="2025-08-01"),
              _event(2, "Sumy", kind="incursion", evidence={"attacker": "(inferred: attack on Ukraine)"})]
    first, second, third = event_features(events, article)
    assert first["same_day"] == 1 and first["date_from_paper"] == 0 and first["place_told_earlier"] == 0
    assert second["days_old"] == pytest.approx(20 / 60) and second["date_from_paper"] == 1
    assert second["rank_in_paragraph"] == pytest.approx(1 / 5) and first["events_in_paragraph"] == pytest.approx(2 / 6)
    assert third["kind=incursion"] == 1 and third["date_unknown"] == 1 and third["attacker_inferred"] == 1
    assert third["place_told_earlier"] == 1 and third["events_in_paragraph"] == pytest.approx(1 / 6)
    undated = event_features(events, Article(id="a", text="x"))
    assert all(row["undated_paper"] == 1 and "days_old" not in row for row in undated)
    with pytest.raises(InputError, match="evidence"):
        event_features([{key: value for key, value in events[0].items() if key != "evidence"}], article)


def test_training_never_sees_the_blind_test_half(corpus):
    features, labels, groups = training_table(corpus, TRAINING_SPLITS)
    assert len(features) == len(labels) == len(groups) > 100
    assert set(np.unique(labels)) == {0, 1}
    assert not set(groups) & set(gold_events(corpus, "test"))
    with pytest.raises(InputError):
        training_table(corpus, ("heldout",))  # contains the test half


def test_shipped_model_is_what_training_gives(corpus, seed_events):
    """analysis/models/trained/event-confidence.npz comes from the current code and gold events."""
    article, events = seed_events
    features = event_features(events, article)
    retrained = fit_confidence_model(corpus).predict_proba(features)[:, 1]
    np.testing.assert_allclose(load_confidence_model().predict_proba(features)[:, 1], retrained, rtol=1e-9)


def test_shipped_arrays_score_as_the_pipeline_on_both_halves(corpus):
    """The numpy scoring of the shipped arrays gives the scikit-learn pipeline's probabilities."""
    pipeline, shipped = fit_confidence_model(corpus), load_confidence_model()
    assert isinstance(shipped, ConfidenceModel) and MODEL_PATH.suffix == ".npz"
    for split in ("tune", "test"):
        features, _, _ = training_table(corpus, (split,), (True, False))
        difference = np.abs(pipeline.predict_proba(features) - shipped.predict_proba(features)).max()
        assert len(features) > 100 and difference < 1e-9, (split, difference)


def test_shipped_model_is_plain_arrays():
    with np.load(MODEL_PATH, allow_pickle=False) as stored:
        assert all(stored[key].dtype.kind in "Uuf" for key in stored.files)


def test_confidence_columns_on_the_seed(seed_events):
    article, events = seed_events
    table = add_confidence(events, article)
    assert len(table) == len(events) and table["confidence"].nunique() > 1
    for why in table["confidence_why"]:
        assert why.count(";") == 1 and all(part[0] in "+-" for part in why.split("; "))
    empty = add_confidence(events.iloc[:0], article)
    assert list(empty.columns[-2:]) == ["confidence", "confidence_why"] and empty.empty


def test_undated_articles_get_no_confidence_and_a_warning(seed_events):
    article, events = seed_events
    undated = Article(id=article.id, text=article.text)
    with pytest.warns(UserWarning, match="no date"):
        table = add_confidence(events, undated)
    assert table["confidence"].isna().all() and set(table["confidence_why"]) == {"no paper date"}


def test_too_little_training_data_is_a_clear_error():
    with pytest.raises(InputError, match="all real or all invented"):
        _check_trainable(np.ones(5, dtype=int), {"a"})
    with pytest.raises(InputError, match="too few"):
        _check_trainable(np.array([0, 1]), {"a", "b"}, folds=5)


def test_explanation_names_the_strongest_features_against_an_average_event():
    features = [{"has_place": 1.0, "has_killed": 0.0, "has_weapon": 1.0},
                {"has_place": 0.0, "has_killed": 1.0, "has_weapon": 1.0}] * 5
    model = build_confidence_model().fit(features, [1, 0] * 5)
    reasons = explain_confidence(model, {"has_place": 1.0, "has_killed": 0.0}).split("; ")
    assert sorted(reasons) == ["+no killed", "+place given"]
    assert explain_confidence(model, {"has_place": 0.0, "has_killed": 1.0}, top=1) in ("-killed given", "-no place")
    # a feature every training event had moves nothing
    assert "weapon" not in explain_confidence(model, {"has_place": 1.0, "has_weapon": 1.0}, top=3)


def test_stored_confidence_report_reproduces(corpus):
    """docs/results/event-confidence.json is what `evaluate-event-confidence --format json` gives now."""
    stored = json.loads((ROOT / "docs" / "results" / "event-confidence.json").read_text(encoding="utf-8"))
    assert confidence_report(corpus) == stored


def test_missing_or_foreign_model_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="no event confidence model"):
        load_confidence_model(tmp_path / "absent.skops")
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="not a readable skops model file"):
        load_confidence_model(junk)
    with pytest.raises(InputError, match="not an event confidence model"):
        load_confidence_model(ROOT / "analysis" / "models" / "trained" / "tfidf.skops")
    from sklearn.linear_model import LogisticRegression

    from analysis.models.store import save_model

    bare = save_model(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), tmp_path / "bare.skops")
    with pytest.raises(InputError, match="not an event confidence model"):
        load_confidence_model(bare)
    junk.rename(tmp_path / "junk.npz")
    with pytest.raises(InputError, match="not a (plain-array|readable array) model file"):
        load_confidence_model(tmp_path / "junk.npz")
    with pytest.raises(InputError, match="not a war-passages-event-confidence/1 model file"):
        load_confidence_model(ROOT / "analysis" / "models" / "trained" / "tfidf.npz")
    with np.load(MODEL_PATH, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    np.savez(tmp_path / "short.npz", **{**arrays, "coef": arrays["coef"][:-1]})
    with pytest.raises(InputError, match="do not match"):
        load_confidence_model(tmp_path / "short.npz")
    np.savez(tmp_path / "pickled.npz", **{**arrays, "coef": np.array([{"x": 1}], dtype=object)})
    with pytest.raises(InputError, match="not a plain-array model file"):
        load_confidence_model(tmp_path / "pickled.npz")


def test_a_skops_pipeline_of_earlier_releases_still_loads(tmp_path, seed_events):
    from analysis.models.store import save_model

    features = [{"has_place": 1.0, "kind=strike": 1.0}, {"has_killed": 1.0}] * 5
    pipeline = build_confidence_model().fit(features, [1, 0] * 5)
    loaded = load_confidence_model(save_model(pipeline, tmp_path / "old.skops"))
    assert np.abs(loaded.predict_proba(features) - pipeline.predict_proba(features)).max() < 1e-12
    again = load_confidence_model(save_confidence_model(pipeline, tmp_path / "new.npz"))
    assert again.feature_names_ == loaded.feature_names_
    np.testing.assert_array_equal(again.predict_proba(features), loaded.predict_proba(features))


def test_events_cli_filters_by_confidence(seed_path):
    every = json.loads(run_cli("events", seed_path, "--format", "json").stdout)
    assert every and all(0 <= event["confidence"] <= 1 and event["confidence_why"] for event in every)
    threshold = sorted(event["confidence"] for event in every)[len(every) // 2]
    kept = json.loads(run_cli("events", seed_path, "--format", "json", "--min-confidence", threshold).stdout)
    assert kept == [event for event in every if event["confidence"] >= threshold]
    assert 0 < len(kept) < len(every)


def test_events_cli_date_option(seed_path, tmp_path):
    import shutil

    copy = tmp_path / "article.txt"
    shutil.copy(seed_path, copy)  # without the seed's .meta.json
    undated = run_cli("events", copy, "--format", "json")
    assert undated.returncode == 0 and "has no date" in undated.stderr.decode()
    assert all(event["confidence"] is None for event in json.loads(undated.stdout))
    date = json.loads(seed_path.with_name(seed_path.stem + ".meta.json").read_text(encoding="utf-8"))["date"]
    dated = json.loads(run_cli("events", copy, "--format", "json", "--date", date).stdout)
    with_meta = json.loads(run_cli("events", seed_path, "--format", "json").stdout)
    strip = ("article",)
    assert [{k: v for k, v in e.items() if k not in strip} for e in dated] == \
        [{k: v for k, v in e.items() if k not in strip} for e in with_meta]
    hidden = run_cli("events", seed_path, "--min-confidence", "1")
    assert hidden.returncode == 0 and "hidden" in hidden.stdout.decode()


def test_events_cli_error_paths(seed_path, tmp_path):
    out_of_range = run_cli("events", seed_path, "--min-confidence", "1.5")
    assert out_of_range.returncode == 2 and "between 0 and 1" in out_of_range.stderr.decode()
    absent = run_cli("events", seed_path, "--confidence-model", tmp_path / "absent.skops")
    assert absent.returncode == 2 and "no event confidence model" in absent.stderr.decode()
    foreign = run_cli("events", seed_path, "--confidence-model", ROOT / "analysis/models/trained/tfidf.skops")
    assert foreign.returncode == 2 and "not an event confidence model" in foreign.stderr.decode()
    foreign_arrays = run_cli("events", seed_path, "--confidence-model", ROOT / "analysis/models/trained/tfidf.npz")
    assert foreign_arrays.returncode == 2 and "not a war-passages-event-confidence/1" in foreign_arrays.stderr.decode()
    bad_date = run_cli("events", seed_path, "--date", "last Tuesday")
    assert bad_date.returncode == 2 and "expected YYYY-MM-DD" in bad_date.stderr.decode()
    folds = run_cli("evaluate-event-confidence", "--folds", "1")
    assert folds.returncode == 2 and "--folds" in folds.stderr.decode()
    for done in (out_of_range, absent, foreign, foreign_arrays, bad_date, folds):
        assert "Traceback" not in done.stderr.decode()


def test_training_cli_does_not_overwrite_without_force(tmp_path):
    other_format = run_cli("train-event-confidence", "--output", tmp_path / "mine.skops")
    assert other_format.returncode == 2 and "name it *.npz" in other_format.stderr.decode()
    assert not (tmp_path / "mine.skops").exists()
    target = tmp_path / "mine.npz"
    target.write_bytes(b"the user's own file")
    refused = run_cli("train-event-confidence", "--output", target)
    assert refused.returncode == 2 and "already exists" in refused.stderr.decode()
    assert target.read_bytes() == b"the user's own file"
    done = run_cli("train-event-confidence", "--output", target, "--force")
    assert done.returncode == 0, done.stderr
    assert load_confidence_model(target).predict_proba([{"has_place": 1.0}]).shape == (1, 2)
    card = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    shipped = json.loads(MODEL_PATH.with_suffix(".json").read_text(encoding="utf-8"))
    assert card == shipped and card["training_splits"] == ["tune"]
