"""The corpus is valid, its numbers meet the bar, and the schema catches broken copies."""

import json
import shutil

import pandas as pd
import pytest

from analysis.corpus import corpus_stats, data_card_tables, load_corpus
from analysis.errors import InputError
from tests.conftest import ROOT

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_corpus_meets_the_bar(corpus):
    stats = corpus_stats(corpus)
    assert stats["articles"] >= 150
    assert stats["paragraphs"] >= 1500
    assert stats["sentences"] >= 4000
    assert min(stats["labels"].values()) >= 300
    assert stats["multi_label"] >= 0.15 * stats["paragraphs"]
    assert stats["other"] >= 0.20 * stats["paragraphs"]
    theatres = {k: v for k, v in stats["theatres"].items() if k != "none"}
    assert len(theatres) >= 8
    assert max(stats["theatres"].values()) <= 0.40 * stats["paragraphs"]
    assert all(kappa >= 0.8 for kappa in stats["kappa"].values())


def test_splits_are_by_article_and_cover_every_theatre(corpus):
    articles = corpus.articles
    assert (articles["split"] == "test").mean() >= 0.20
    for theatre, group in articles.groupby("theatre"):
        assert (group["split"] == "test").any(), theatre
    assert "000_a59dc000b14f99a5" not in set(articles["id"])


def test_cli_corpus_json(cli):
    done = cli("corpus", "--format", "json")
    assert done.returncode == 0
    stats = json.loads(done.stdout)
    assert set(stats) >= {"articles", "paragraphs", "sentences", "labels", "multi_label", "other", "theatres",
                          "styles", "kappa"}


def test_data_card_is_current(corpus):
    card = (ROOT / "docs" / "data-card.md").read_text(encoding="utf-8")
    section = card.split("<!-- tables:start -->\n")[1].split("<!-- tables:end -->")[0]
    assert section == data_card_tables(corpus)


@pytest.fixture
def broken(tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy, ignore=shutil.ignore_patterns("cache", "blind"))
    return copy


def _edit_labels(root, edit):
    path = root / "labels.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def test_unknown_label_is_named(broken):
    def unknown(frame):
        frame.loc[5, "labels"] = "strikes;bombing"
    _edit_labels(broken, unknown)
    with pytest.raises(InputError, match=r"row 5: labels failed isin"):
        load_corpus(broken)


def test_offsets_that_do_not_match_are_named(broken):
    def shift(frame):
        frame.loc[3, "end"] = str(int(frame.loc[3, "end"]) + 1)
    _edit_labels(broken, shift)
    with pytest.raises(InputError, match=r"row 3: offsets do not select a non-empty, stripped passage"):
        load_corpus(broken)


def test_duplicate_and_empty_passages(broken):
    def duplicate(frame):
        frame.loc[len(frame)] = frame.loc[0]
    _edit_labels(broken, duplicate)
    with pytest.raises(InputError, match="uniqueness"):
        load_corpus(broken)


def test_duplicate_article_ids(broken):
    path = broken / "articles.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.head(1)]).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"articles.csv: row \d+: id failed"):
        load_corpus(broken)
