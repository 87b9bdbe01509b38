"""The corpus is valid, its numbers meet the bar, and the schema catches broken copies."""

import json
import shutil

import pandas as pd
import pytest

from analysis.corpus import corpus_stats, data_card_tables, load_corpus
from analysis.errors import InputError
from tests.conftest import ROOT

CORPUS = ROOT / "corpus"


V1_BATCHES = sorted(path.name for path in (ROOT / "corpus" / "drafts").iterdir() if path.is_dir())
V2_BATCHES = sorted(path.name for path in (ROOT / "corpus" / "drafts-v2").iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_corpus_meets_the_bar(corpus):
    stats = corpus_stats(corpus)
    assert stats["articles"] >= 150
    assert stats["paragraphs"] >= 1500
    assert stats["sentences"] >= 4000
    assert min(stats["labels"].values()) >= 300
    # Issue 3's bar on multi-label paragraphs holds for the v1 corpus it was set for; v2 was written
    # to add single-label and `other` hard cases (issue 14), so the whole corpus has a lower share.
    v1 = set(corpus.articles.loc[corpus.articles["batch"].isin(V1_BATCHES), "id"])
    paragraphs = corpus.passages("paragraph")
    v1_paragraphs = paragraphs[paragraphs["article"].isin(v1)]
    assert sum(len(labels) > 1 for labels in v1_paragraphs["labels"]) >= 0.15 * len(v1_paragraphs)
    assert stats["multi_label"] >= 0.10 * stats["paragraphs"]
    assert stats["other"] >= 0.20 * stats["paragraphs"]
    theatres = {k: v for k, v in stats["theatres"].items() if k != "none"}
    assert len(theatres) >= 8
    assert max(stats["theatres"].values()) <= 0.40 * stats["paragraphs"]
    assert all(kappa >= 0.8 for kappa in stats["kappa"].values())


def test_corpus_v2_meets_its_bar(corpus):
    """Issue 14: at least 200 new articles and 2,000 new paragraphs, 400 and 3,800 in all, 18 theatres."""
    paragraphs = corpus.passages("paragraph")
    v2 = corpus.articles[corpus.articles["batch"].isin(V2_BATCHES)]
    assert len(v2) >= 200 and paragraphs["article"].isin(set(v2["id"])).sum() >= 2000
    assert len(corpus.articles) >= 400 and len(paragraphs) >= 3800
    assert corpus.articles["theatre"].nunique() >= 18
    assert corpus.articles["batch"].nunique() >= 12  # leave-writer-out needs many writers


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


def test_corpus_v3_adds_writers_in_new_styles(corpus):
    """Three more writer batches, in styles no earlier batch used, so grouped protocols hold out new voices."""
    v3_batches = sorted(path.name for path in (ROOT / "corpus" / "drafts-v3").iterdir() if path.is_dir())
    articles = corpus.articles
    earlier = articles[~articles["batch"].isin(v3_batches)]
    v3 = articles[articles["batch"].isin(v3_batches)]
    assert len(v3_batches) >= 3 and (v3.groupby("batch").size() >= 15).all()
    assert set(v3["style"]) - set(earlier["style"]) >= {"sitrep", "assessment", "social", "feature", "business"}
    assert (v3["split"] == "test").any() and (earlier["split"] == "test").sum() == 105
