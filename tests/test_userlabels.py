"""Your own topics: train --labels, classify/batch/report with the user's labels, suggest, bad input."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.suggest import diverse_order, labelling_curve, suggest_passages, uncertainty
from analysis.userlabels import check_labelled, cross_validate, read_labelled, train_user_model
from tests.conftest import ROOT, run_cli

EXAMPLE = ROOT / "analysis" / "data" / "example-topics.csv"
WORDS = {
    "harvest": "farmers said the wheat harvest and the grain crops in the fields were late this year",
    "floods": "the river burst its banks after heavy rain and flood water covered the streets near the dam",
    None: "the town council met to discuss the budget, the schools and the new bus timetable",
}


def synthetic(articles: int = 12, per_article: int = 6, with_article: bool = True) -> pd.DataFrame:
    """Labelled passages of two topics (and none), several per article, every text different."""
    rows = []
    for a in range(articles):
        for k in range(per_article):
            i = a * per_article + k
            topic = ("harvest", "floods", None)[i % 3]
            both = i % 7 == 0 and topic == "harvest"
            text = f"In district {i} of province {a}, {WORDS[topic]}" + (f"; {WORDS['floods']}" if both else "") + "."
            labels = ";".join(t for t in ("floods" if both else None, topic) if t)
            rows.append({"id": f"p{i}", "article": f"art{a}", "text": text, "labels": labels})
    frame = pd.DataFrame(rows)
    return frame if with_article else frame.drop(columns="article")


def _write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


def _fails(done, fragment):
    stderr = done.stderr.decode()
    assert done.returncode == 2, (done.returncode, stderr)
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("error: ")
    assert fragment.lower() in stderr.lower(), stderr


@pytest.fixture(scope="module")
def user_model(tmp_path_factory):
    """A tfidf model of the synthetic topics, trained through the CLI."""


    folder = tmp_path_factory.mktemp("user")
    labels = _write(synthetic(), folder / "labels.csv")
    model = folder / "topics.skops"
    done = run_cli("train", "--labels", labels, "-o", model, "--model", "tfidf")
    assert done.returncode == 0, done.stderr.decode()
    return model, done.stdout.decode()


# ------------------------------------------------------------------ training and the card


def test_train_writes_model_and_card_with_the_users_labels(user_model):
    model_path, stdout = user_model
    card = json.loads(model_path.with_suffix(".json").read_text())
    frame = synthetic()
    assert card["labels"] == ["floods", "harvest"]
    rows = frame["labels"].str.split(";").tolist()
    for label in card["labels"]:
        assert card["counts"][label] == sum(label in row for row in rows)
    assert card["counts"]["none"] == int((frame["labels"] == "").sum())
    cv = card["cross_validation"]
    assert cv["grouped_by"] == "article" and cv["folds"] == 5 and len(cv["per_fold"]) == 5
    assert sum(fold["passages"] for fold in cv["per_fold"]) == len(frame)
    assert set(cv["labels"]) == {"floods", "harvest"}
    assert f"macro-F1 {cv['macro_f1']:.3f}" in stdout
    assert cv["macro_f1"] > 0.9  # the synthetic topics are easy: a broken pipeline would not get there


def test_cv_groups_by_row_without_an_article_column_and_never_tests_on_training_passages():
    data = check_labelled(synthetic(with_article=False))
    assert data.grouped_by == "row" and len(set(data.groups)) == len(data.texts)
    report = cross_validate(data, "tfidf")
    assert report["grouped_by"] == "row"
    # Folds partition the passages: each is predicted by exactly one model that did not see it.
    assert sum(fold["passages"] for fold in report["per_fold"]) == len(data.texts)


def test_user_model_round_trips_through_skops_and_get_model(user_model):
    from analysis.labelling import label_passages
    from analysis.models import get_model
    from analysis.models.store import untrusted_types

    model_path, _ = user_model
    assert untrusted_types(model_path) == []
    loaded = get_model(str(model_path))
    assert list(loaded.classes_) == ["floods", "harvest"]
    fresh, _ = train_user_model(synthetic(), "tfidf")
    passages = pd.DataFrame({"text": ["Heavy rain made the river flood the streets near the dam.",
                                      "Farmers brought in the wheat harvest from the fields."]})
    a, b = label_passages(passages, loaded), label_passages(passages, fresh)
    assert a["labels"].tolist() == b["labels"].tolist() == [["floods"], ["harvest"]]
    assert np.allclose(a[["score_floods", "score_harvest"]], b[["score_floods", "score_harvest"]])


# ------------------------------------------------------------------ the user's labels everywhere


def test_classify_outputs_only_the_users_labels(cli, user_model, tmp_path):
    model_path, _ = user_model
    article = tmp_path / "article.txt"
    article.write_text("The river flooded the streets after heavy rain near the dam.\n\n"
                       "Farmers said the wheat harvest was late.\n\nThe council met about the budget.\n")
    records = json.loads(cli("classify", article, "--model", model_path, "--format", "json").stdout)
    assert [r["labels"] for r in records][:2] == [["floods"], ["harvest"]]
    assert all(set(r["scores"]) == {"floods", "harvest"} for r in records)
    csv = cli("classify", article, "--model", model_path, "--format", "csv").stdout.decode()
    assert csv.splitlines()[0].endswith("labels,score_floods,score_harvest")
    table = cli("classify", article, "--model", model_path, "--explain").stdout.decode()
    assert "flood" in table.splitlines()[0] and "dipl" not in table
    assert "diplomacy" not in table and "floods 1, harvest 1, other 1" in table


def test_batch_parquet_has_a_score_column_per_user_label(cli, user_model, tmp_path):
    model_path, _ = user_model
    pool = _write(synthetic(articles=3).drop(columns="labels"), tmp_path / "pool.csv")
    out = tmp_path / "out.parquet"
    done = cli("batch", pool, "-o", out, "--model", model_path)
    assert done.returncode == 0, done.stderr.decode()
    frame = pd.read_parquet(out)
    assert [c for c in frame.columns if c.startswith("score_")] == ["score_floods", "score_harvest"]
    assert {label for row in frame["labels"] for label in row} <= {"floods", "harvest"}


def test_report_pieces_follow_the_users_labels(user_model):
    from analysis.labelling import label_passages
    from analysis.models import get_model
    from analysis.plots import label_counts, topic_strip
    from analysis.report import passages_html

    model = get_model(str(user_model[0]))
    labelled = label_passages(pd.DataFrame({"text": ["The river flooded the streets after rain.", "Budget talks."],
                                            "index": [0, 1]}), model)
    html = passages_html(labelled)
    assert "floo 0." in html and "harv 0." in html and "dipl" not in html
    assert [t.get_text() for t in topic_strip(labelled).get_yticklabels()] == ["floods", "harvest"]
    assert [t.get_text() for t in label_counts(labelled).get_xticklabels()] == ["floods", "harvest", "other"]


def test_events_refuse_a_user_model(cli, user_model, seed_path):
    _fails(cli("events", seed_path, "--model", user_model[0]), "strikes and incursions")


def test_talks_attack_round_trip(cli, tmp_path):
    """The issue's check with the fast tfidf model: corpus train split relabelled, test split classified."""
    from sklearn.metrics import f1_score

    spec = importlib.util.spec_from_file_location("talks_attack", ROOT / "scripts" / "talks_attack.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    train, test, gold = script.write_files(tmp_path)
    model = tmp_path / "talks-attack.skops"
    assert cli("train", "--labels", train, "-o", model, "--model", "tfidf").returncode == 0
    records = json.loads(cli("classify", test, "--model", model, "--format", "json").stdout)
    assert len(records) == len(gold)
    assert {label for r in records for label in r["labels"]} <= {"attack", "talks"}
    assert all(set(r["scores"]) == {"attack", "talks"} for r in records)
    truth = [[int(label in gold[r["id"]].split(";")) for label in ("attack", "talks")] for r in records]
    predicted = [[int(label in r["labels"]) for label in ("attack", "talks")] for r in records]
    assert f1_score(truth, predicted, average="macro") >= 0.80


# ------------------------------------------------------------------ suggest


def test_uncertainty_is_highest_at_the_threshold():
    scores = np.array([[0.3, 0.0], [1.0, 0.0], [0.0, 0.0], [0.65, 0.1]])
    thresholds = np.full((4, 2), 0.3)
    assert uncertainty(scores, thresholds).tolist() == pytest.approx([1.0, 0.0, 0.0, 0.5])


def test_near_duplicates_are_not_all_picked():
    texts = ["drones hit the power plant overnight"] * 3 + ["talks resumed in Geneva", "the harvest was late",
                                                             "a convoy crossed the border"]
    priority = np.array([0.9, 0.89, 0.88, 0.5, 0.4, 0.3])
    assert diverse_order(priority, texts, 3, diversity=0.0) == [0, 3, 4]
    assert diverse_order(priority, texts, 6)[:4] == [0, 3, 4, 5]  # duplicates wait until nothing else is left


def test_suggest_cli_writes_a_csv_ready_to_label(cli, user_model, tmp_path):
    model_path, _ = user_model
    frame = synthetic(articles=4)
    labelled = _write(frame.iloc[:6], tmp_path / "done.csv")
    pool = _write(frame.drop(columns="labels"), tmp_path / "pool.csv")
    out = tmp_path / "next.csv"
    done = cli("suggest", "--model", model_path, "--pool", pool, "-n", "5", "--labels", labelled, "-o", out)
    assert done.returncode == 0, done.stderr.decode()
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(table) == 5 and table["labels"].eq("").all()
    assert not set(table["text"]) & set(frame["text"].iloc[:6])
    assert {"guess", "uncertainty", "score_floods", "score_harvest"} <= set(table.columns)
    # The first pick is the pool's least sure passage among those not labelled yet.
    from analysis.labelling import scores_and_thresholds
    from analysis.models import get_model

    rest = frame.iloc[6:].reset_index(drop=True)
    scores, thresholds = scores_and_thresholds(get_model(str(model_path)), rest)
    assert float(table["uncertainty"].iloc[0]) == pytest.approx(uncertainty(scores, thresholds).max(), abs=1e-4)
    _fails(cli("suggest", "--model", model_path, "--pool", pool, "-o", out), "already exists")


def test_labelling_curve_ends_at_the_cross_validated_figure():
    data = check_labelled(synthetic(articles=10))
    full = cross_validate(data, "tfidf")["macro_f1"]
    for strategy in ("active", "random"):
        # Ranked by a noisy copy of the labels, the first passages are few: 12 is reachable.
        ranking = data.y + np.random.default_rng(1).uniform(0, 0.5, data.y.shape)
        curve = labelling_curve(data, [12, len(data.texts)], strategy, ranking, kind="tfidf")
        assert curve["labelled"].tolist()[0] == 12 and len(curve) == 2
        assert curve["macro_f1"].iloc[-1] == full


# ------------------------------------------------------------------ bad input: CLI and Python API


def _bad_frames():
    base = synthetic()
    few = base.copy()
    few.loc[few["labels"].str.contains("floods").to_numpy().nonzero()[0][3:], "labels"] = ""
    one = base.assign(labels=base["labels"].str.replace("floods", "harvest").str.replace("harvest;harvest",
                                                                                           "harvest"))
    bad_name = base.assign(labels=base["labels"].str.replace("floods", "flood water"))
    duplicated = base.copy()
    duplicated.loc[len(duplicated) - 1, "text"] = duplicated.loc[0, "text"]
    return [
        (few, "too few for floods (3)"),
        (one, "only one label, 'harvest'"),
        (bad_name, "'flood water' is not a valid identifier"),
        (duplicated, "same text"),
        (base.drop(columns="text"), "no 'text' column"),
        (base.drop(columns="labels"), "no 'labels' column"),
        (base.assign(labels=base["labels"].str.replace("floods", "other")), "'other' means no label"),
    ]


@pytest.mark.parametrize(("case", "fragment"), _bad_frames(),
                         ids=["few-positives", "one-label", "not-identifier", "duplicates", "no-text", "no-labels",
                              "other"])
def test_bad_labels_file(cli, tmp_path, case, fragment):
    path = _write(case, tmp_path / "labels.csv")
    _fails(cli("train", "--labels", path, "-o", tmp_path / "m.skops", "--model", "tfidf"), fragment)
    with pytest.raises(InputError, match="(?i)" + fragment.replace("(", r"\(").replace(")", r"\)")):
        train_user_model(path, "tfidf")
    assert not (tmp_path / "m.skops").exists()


def test_duplicates_without_an_article_column_are_refused():
    frame = synthetic(with_article=False)
    frame.loc[5, "text"] = frame.loc[1, "text"]
    with pytest.raises(InputError, match="rows 2 and 6 have the same text"):
        check_labelled(frame)
    same_article = synthetic()
    same_article.loc[1, "text"] = same_article.loc[0, "text"]  # one article: the same fold, no leak
    assert check_labelled(same_article).texts[0] == check_labelled(same_article).texts[1]


def test_existing_output_and_unknown_kind(cli, tmp_path):
    labels = _write(synthetic(), tmp_path / "labels.csv")
    existing = tmp_path / "m.skops"
    existing.write_bytes(b"keep me")
    _fails(cli("train", "--labels", labels, "-o", existing, "--model", "tfidf"), "already exists")
    assert existing.read_bytes() == b"keep me"
    _fails(cli("train", "--labels", labels, "-o", tmp_path / "n.skops", "--model", "keywords"), "unknown model kind")
    _fails(cli("train", "--labels", labels, "--model", "tfidf"), "needs -o")
    _fails(cli("train", "--labels", labels, "-o", tmp_path / "n.pkl", "--model", "tfidf"), "must end in .skops")
    with pytest.raises(InputError, match="unknown model kind"):
        train_user_model(labels, "keywords")


def test_suggest_bad_input(cli, user_model, tmp_path):
    from analysis.models import get_model

    model_path, _ = user_model
    pool = _write(synthetic(articles=2).drop(columns="labels"), tmp_path / "pool.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("id,text\n")
    _fails(cli("suggest", "--model", "tfidf", "--pool", pool), "trained on your own labels")
    _fails(cli("suggest", "--model", model_path, "--pool", empty), "no passages")
    _fails(cli("suggest", "--model", model_path, "--pool", pool, "-n", "0"), "at least 1")
    model = get_model(str(model_path))
    passages = pd.read_csv(pool)
    with pytest.raises(InputError, match="trained on your own labels"):
        suggest_passages(get_model("keywords"), passages, 3)
    with pytest.raises(InputError, match="no passages"):
        suggest_passages(model, passages.iloc[:0], 3)
    with pytest.raises(InputError, match="at least 1"):
        suggest_passages(model, passages, 0)


def test_shipped_example_is_what_the_script_writes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_example", ROOT / "scripts" / "build_example_topics.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "DATA", tmp_path)
    script.main()
    assert (tmp_path / "example-topics.csv").read_bytes() == EXAMPLE.read_bytes()
    assert (tmp_path / "example-pool.csv").read_bytes() == (EXAMPLE.parent / "example-pool.csv").read_bytes()
    data = check_labelled(read_labelled(EXAMPLE))
    assert data.labels == ("casualties", "energy") and data.grouped_by == "article"
