"""``batch --events``: the events of every article beside its passages, labelled once, under the batch's rules."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from analysis.articles import read_article
from analysis.batch import run_batch
from analysis.batch.events import events_path
from analysis.errors import InputError
from analysis.events import events_records, extract_events
from analysis.events.confidence import add_confidence
from analysis.models import get_model

from .conftest import ROOT, SEED, run_cli

MODEL = "keywords"  # labels strikes and incursions, needs no trained file
CORPUS = ["ruua-001.txt", "mest-020.txt"]


@pytest.fixture
def folder(tmp_path):
    """The seed with its date, the seed again without one, two corpus articles, and a file that is no article."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / "a-seed.txt")
    shutil.copy(SEED.with_name(SEED.stem + ".meta.json"), folder / "a-seed.meta.json")
    shutil.copy(SEED, folder / "b-undated.txt")
    for name in CORPUS:
        shutil.copy(ROOT / "corpus" / "articles" / name, folder / f"c-{name}")
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return folder


def _events(path) -> list[dict]:
    rows = pd.read_parquet(path).to_dict("records")
    for row in rows:
        row["evidence"] = json.loads(row["evidence"])
    return events_records(pd.DataFrame(rows))


def _expected(folder) -> list[dict]:
    model, rows = get_model(MODEL), []
    for path in sorted(p for p in folder.glob("*.txt") if p.name != "broken.txt"):
        article = read_article(path)
        with pytest.warns(UserWarning) if "date" not in article.meta else _nothing():
            rows += events_records(add_confidence(extract_events(article, model), article))
    return rows


class _nothing:  # noqa: N801 - a context manager that expects nothing
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_events_file_holds_what_the_events_command_gives(tmp_path, folder):
    output = tmp_path / "out.parquet"
    with pytest.warns(UserWarning) as caught:
        summary = run_batch(folder, output, model=MODEL, chunksize=30, events=True)
    messages = [str(w.message) for w in caught]
    assert any("skipped broken.txt" in m for m in messages)
    assert events_path(output) == tmp_path / "out.events.parquet"
    got, expected = _events(events_path(output)), _expected(folder)
    undated = {event["article"] for event in expected if event["confidence"] is None}
    assert len(undated) >= 2 and sum(m.startswith(f"{len(undated)} articles have no date") for m in messages) == 1
    assert len(expected) > 6 and got == expected
    assert summary["events"] == len(expected) and summary["events_output"] == str(events_path(output))
    undated = [event for event in got if event["article"] == "b-undated"]
    assert undated and all(event["confidence"] is None for event in undated)
    # the passages are those of a batch without events
    plain = run_batch(folder, tmp_path / "plain.parquet", model=MODEL, chunksize=30)
    pd.testing.assert_frame_equal(pd.read_parquet(output), pd.read_parquet(tmp_path / "plain.parquet"))
    assert summary["passages"] == plain["passages"]
    assert not (tmp_path / ".out.parquet.parts").exists()


@pytest.mark.parametrize("level", ["paragraph", "sentence"])
def test_the_classifier_runs_once_per_article(tmp_path, folder, monkeypatch, level):
    from analysis.batch import run

    calls = []

    class Counting:
        """The model, counting its predict_proba calls."""

        def __init__(self, model):
            self.model = model

        def __getattr__(self, name):
            return getattr(self.model, name)

        def predict_proba(self, texts):
            calls.append(len(texts))
            return self.model.predict_proba(texts)

    monkeypatch.setattr(run, "_load_model", lambda name: Counting(get_model(name)))
    with pytest.warns(UserWarning):
        run_batch(folder, tmp_path / "out.parquet", level=level, model=MODEL, chunksize=30, events=True)
    assert len(calls) == 4  # four readable articles, one call each for both files


def test_interrupted_run_resumes_with_its_events(tmp_path, folder, monkeypatch):
    from analysis.batch import events as batch_events

    output = tmp_path / "out.parquet"
    with pytest.warns(UserWarning):
        run_batch(folder, tmp_path / "reference.parquet", model=MODEL, chunksize=1, events=True)
    real, seen = batch_events.label_articles, []

    def flaky(*args, **kwargs):
        seen.append(1)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    with monkeypatch.context() as patch, pytest.warns(UserWarning):
        patch.setattr(batch_events, "label_articles", flaky)
        with pytest.raises(KeyboardInterrupt):
            run_batch(folder, output, model=MODEL, chunksize=1, events=True)
    parts = tmp_path / ".out.parquet.parts"
    assert len(list(parts.glob("events-*.parquet"))) == len(list(parts.glob("part-*.parquet"))) == 2
    assert not output.exists() and not events_path(output).exists()
    with pytest.warns(UserWarning):
        summary = run_batch(folder, output, model=MODEL, chunksize=1, events=True)
    assert summary["resumed_chunks"] == 2
    assert _events(events_path(output)) == _events(tmp_path / "reference.events.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(output), pd.read_parquet(tmp_path / "reference.parquet"))


def test_a_run_without_events_does_not_resume_from_parts_with_them(tmp_path, folder, monkeypatch):
    from analysis.batch import run
    from analysis.batch.output import WorkDir

    output = tmp_path / "out.parquet"
    manifests = []
    real = WorkDir.prepare
    monkeypatch.setattr(WorkDir, "prepare", lambda self, manifest: (manifests.append(manifest), real(self, manifest)))
    with pytest.warns(UserWarning):
        run_batch(folder, output, model=MODEL, events=True)
        run_batch(folder, output, model=MODEL, force=True)
    assert manifests[0]["events"] is True and "events" not in manifests[1]
    assert manifests[0]["listing_sha256"] != manifests[1]["listing_sha256"]  # the .meta.json dates count
    assert run._manifest is not None


def test_events_need_articles_and_a_model_of_strikes(tmp_path, folder, monkeypatch):
    import numpy as np

    from analysis.batch import run

    passages = tmp_path / "passages.csv"
    pd.DataFrame({"text": ["Drones hit Kyiv overnight."]}).to_csv(passages, index=False)
    with pytest.raises(InputError, match="events need whole articles, and a passages file has none"):
        run_batch(passages, tmp_path / "out.parquet", model=MODEL, events=True)

    class OwnTopics:  # a model of the user's own labels, as `train --labels` makes
        classes_ = np.array(["casualties", "energy"])

    monkeypatch.setattr(run, "_load_model", lambda name: OwnTopics())
    with pytest.raises(InputError, match="events need a model of the codebook's strikes and incursions"):
        run_batch(folder, tmp_path / "out.parquet", model="mine.skops", events=True)
    assert not list(tmp_path.glob("out*")) and not (tmp_path / ".out.parquet.parts").exists()


def test_an_existing_events_file_is_never_overwritten_silently(tmp_path, folder):
    output = tmp_path / "out.parquet"
    events_path(output).write_bytes(b"the user's own file")
    with pytest.raises(InputError, match="already exists; pass --force"):
        run_batch(folder, output, model=MODEL, events=True)
    assert events_path(output).read_bytes() == b"the user's own file" and not output.exists()
    with pytest.warns(UserWarning):
        run_batch(folder, output, model=MODEL, events=True, force=True)
    assert len(_events(events_path(output))) > 6


def test_cli_batch_events(tmp_path, folder):
    output = tmp_path / "out.parquet"
    done = run_cli("batch", folder, "-o", output, "--model", MODEL, "--events", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert f"wrote {events_path(output)}:" in done.stdout.decode()
    help_text = run_cli("batch", "--help").stdout.decode()
    assert "--events" in help_text and "OUTPUT.events.parquet" in help_text
    passages = tmp_path / "passages.jsonl"
    passages.write_text('{"text": "Drones hit Kyiv."}\n', encoding="utf-8")
    refused = run_cli("batch", passages, "-o", tmp_path / "p.parquet", "--model", MODEL, "--events")
    stderr = refused.stderr.decode()
    assert refused.returncode == 2 and "events need whole articles" in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
