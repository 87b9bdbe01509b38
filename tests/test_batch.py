"""Batch labelling: same labels as label_passages, independent of chunking, resumable, same on Dask."""

from __future__ import annotations

import json
import logging
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import batch
from analysis.articles import read_article, read_passages
from analysis.batch import run_batch
from analysis.errors import InputError
from analysis.labelling import SCORE_COLUMNS, label_passages
from analysis.models import get_model
from analysis.segment import segment

from .conftest import ROOT, SEED

MODEL = "keywords"  # needs no trained file
COMPARED = ["article", "index", "start", "end", "text", "labels", *SCORE_COLUMNS]


def _sentences() -> list[str]:
    return segment(read_article(SEED), "sentence")["text"].tolist()


def _passages(count: int, seed: int = 0) -> pd.DataFrame:
    """``count`` passages recombined from the seed article's sentences."""
    sentences, rng = _sentences(), random.Random(seed)
    texts = [" ".join(rng.sample(sentences, rng.randint(1, 3))) for _ in range(count)]
    texts[3] = texts[3] + "\nwith a line break, \"quotes\" and commas"  # CSV quoting
    texts[5] = ""  # an empty passage is still a row
    return pd.DataFrame({
        "id": [f"p{i:05d}" for i in range(count)],
        "article": [f"a{i // 25:03d}" for i in range(count)],
        "text": texts,
    })


def _write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        # Row groups that do not line up with any chunk size used below.
        frame.to_parquet(path, index=False, row_group_size=13)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        lines = [json.dumps(row) for row in frame.to_dict(orient="records")]
        lines.insert(10, "")  # blank lines are skipped
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["labels"] = frame["labels"].map(list)
    return frame


def _article_chunk_count(passages: pd.DataFrame, chunksize: int) -> int:
    """Chunks of a folder batch: whole articles, cut once ``chunksize`` passages are reached."""
    chunks, filled = 0, 0
    for size in passages.groupby("article", sort=False).size():
        filled += size
        if filled >= chunksize:
            chunks, filled = chunks + 1, 0
    return chunks + (filled > 0)


def _assert_same(got: pd.DataFrame, expected: pd.DataFrame, columns=COMPARED) -> None:
    assert len(got) == len(expected)
    for column in columns:
        assert got[column].tolist() == expected[column].tolist(), column


@pytest.fixture(scope="module")
def model():
    return get_model(MODEL)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return _passages(600)


@pytest.fixture
def parquet_input(tmp_path, table) -> Path:
    return _write(table, tmp_path / "passages.parquet")


@pytest.fixture
def folder(tmp_path) -> Path:
    """Six articles made of the seed's paragraphs in different orders, and one binary file."""
    paragraphs = read_article(SEED).text.split("\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    for k in range(6):
        rotated = paragraphs[k:] + paragraphs[:k]
        (folder / f"article-{k}.txt").write_text("\n".join(rotated), encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not an article: ignored
    return folder


@pytest.mark.parametrize("level", ["paragraph", "sentence"])
def test_folder_gives_the_labels_of_label_passages(tmp_path, folder, model, level):
    with pytest.warns(UserWarning, match="skipped broken.txt"):
        summary = run_batch(folder, tmp_path / "out.parquet", level=level, model=MODEL, chunksize=7)
    good = sorted(folder.glob("article-*.txt"))
    expected = pd.concat(
        [label_passages(segment(read_article(path), level), model) for path in good], ignore_index=True
    )
    got = _read(tmp_path / "out.parquet")
    _assert_same(got, expected)
    assert "id" not in got.columns
    assert summary["passages"] == len(expected)
    assert summary["chunks"] == _article_chunk_count(expected, 7)
    assert not (tmp_path / ".out.parquet.parts").exists()


def test_folder_sentences_are_read_with_their_paragraph(tmp_path, folder):
    """A level-aware model reads each sentence of a folder with its paragraph, as classify does."""
    with pytest.warns(UserWarning, match="skipped broken.txt"):
        run_batch(folder, tmp_path / "out.parquet", level="sentence", model="tfidf", chunksize=11)
    tfidf = get_model("tfidf")
    expected = pd.concat([label_passages(segment(read_article(path), "sentence"), tfidf)
                          for path in sorted(folder.glob("article-*.txt"))], ignore_index=True)
    _assert_same(_read(tmp_path / "out.parquet"), expected)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_passage_files_give_the_labels_of_label_passages(tmp_path, table, model, suffix):
    source = _write(table, tmp_path / f"passages{suffix}")
    summary = run_batch(source, tmp_path / "out.parquet", model=MODEL, chunksize=7)
    expected = label_passages(read_passages(source), model)
    got = _read(tmp_path / "out.parquet")
    _assert_same(got, expected, ["id", *COMPARED])
    assert got["index"].tolist() == list(range(len(table)))
    assert got["text"].iloc[3].endswith("commas")
    assert summary == {**summary, "passages": 600, "chunks": 86, "resumed_chunks": 0}


def test_chunk_size_does_not_change_the_output(tmp_path, parquet_input):
    run_batch(parquet_input, tmp_path / "small.parquet", model=MODEL, chunksize=7)
    run_batch(parquet_input, tmp_path / "large.parquet", model=MODEL, chunksize=1000)
    pd.testing.assert_frame_equal(_read(tmp_path / "small.parquet"), _read(tmp_path / "large.parquet"))


def test_existing_output_is_refused_and_left_untouched(tmp_path, parquet_input):
    output = tmp_path / "out.parquet"
    output.write_bytes(b"precious")
    with pytest.raises(InputError, match="already exists"):
        run_batch(parquet_input, output, model=MODEL)
    assert output.read_bytes() == b"precious"
    assert not (tmp_path / ".out.parquet.parts").exists()
    run_batch(parquet_input, output, model=MODEL, force=True)
    assert len(_read(output)) == 600


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_missing_text_column_is_an_input_error(tmp_path, table, suffix):
    source = _write(table.rename(columns={"text": "body"}), tmp_path / f"passages{suffix}")
    with pytest.raises(InputError, match=r"no 'text' column \(found: id, article, body\)"):
        run_batch(source, tmp_path / "out.parquet", model=MODEL)
    assert not (tmp_path / "out.parquet").exists()
    assert not (tmp_path / ".out.parquet.parts").exists()


def test_unknown_model_fails_before_any_work(tmp_path, parquet_input):
    with pytest.raises(InputError, match="unknown model"):
        run_batch(parquet_input, tmp_path / "out.parquet", model="no-such-model")
    assert list(tmp_path.iterdir()) == [parquet_input]


def _interrupt_after(monkeypatch, calls: int) -> None:
    """Make the ``calls``-th chunk raise KeyboardInterrupt, as Ctrl-C would."""
    real, seen = batch.output.label_chunk, []

    def flaky(*args, **kwargs):
        seen.append(1)
        if len(seen) == calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch.output, "label_chunk", flaky)


def test_interrupted_run_resumes_only_with_the_same_settings(tmp_path, parquet_input, monkeypatch):
    reference = tmp_path / "reference.parquet"
    run_batch(parquet_input, reference, model=MODEL, chunksize=50)
    output = tmp_path / "out.parquet"
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 4)
        with pytest.raises(KeyboardInterrupt):
            run_batch(parquet_input, output, model=MODEL, chunksize=50)
    parts = tmp_path / ".out.parquet.parts"
    assert len(list(parts.glob("part-*.parquet"))) == 3
    assert not output.exists()
    assert not list(tmp_path.glob("*.part")) + list(parts.glob("*.part"))

    with monkeypatch.context() as patch:
        _interrupt_after(patch, 2)  # resumes the 3 parts, adds 1, then stops again
        with pytest.raises(KeyboardInterrupt):
            run_batch(parquet_input, output, model=MODEL, chunksize=50)
    assert len(list(parts.glob("part-*.parquet"))) == 4
    assert run_batch(parquet_input, output, model=MODEL, chunksize=50)["resumed_chunks"] == 4
    pd.testing.assert_frame_equal(_read(output), _read(reference))
    assert not parts.exists()

    # Other settings must not reuse parts: here the chunk size changes.
    output.unlink()
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 3)
        with pytest.raises(KeyboardInterrupt):
            run_batch(parquet_input, output, model=MODEL, chunksize=50)
    summary = run_batch(parquet_input, output, model=MODEL, chunksize=60)
    assert summary["resumed_chunks"] == 0
    pd.testing.assert_frame_equal(_read(output), _read(reference))


def test_sigint_leaves_parts_that_the_next_run_resumes(tmp_path, table):
    source = _write(_passages(4000, seed=1), tmp_path / "many.parquet")
    output, parts = tmp_path / "out.parquet", tmp_path / ".out.parquet.parts"
    code = (
        "from analysis.batch import run_batch; "
        f"run_batch({str(source)!r}, {str(output)!r}, model={MODEL!r}, chunksize=40, progress=False)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(parts.glob("part-*.parquet")):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no part file appeared"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        stderr = process.communicate(timeout=60)[1].decode()
    finally:
        process.kill()
    assert process.returncode != 0
    assert "KeyboardInterrupt" in stderr
    assert not output.exists()
    finished = len(list(parts.glob("part-*.parquet")))
    assert 0 < finished < 100

    summary = run_batch(source, output, model=MODEL, chunksize=40)
    assert summary["resumed_chunks"] >= finished
    run_batch(source, tmp_path / "reference.parquet", model=MODEL, chunksize=40)
    pd.testing.assert_frame_equal(_read(output), _read(tmp_path / "reference.parquet"))
    assert not parts.exists()


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        yield cluster


def test_dask_cluster_gives_the_local_result_and_loads_the_model_once_per_worker(tmp_path, parquet_input,
                                                                                  cluster):
    from distributed import Client

    local = run_batch(parquet_input, tmp_path / "local.parquet", model=MODEL, chunksize=30)
    remote = run_batch(parquet_input, tmp_path / "dask.parquet", model=MODEL, chunksize=30, engine="dask",
                       scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(_read(tmp_path / "dask.parquet"), _read(tmp_path / "local.parquet"))
    assert remote["chunks"] == local["chunks"] == 20
    with Client(cluster) as client:
        loads = client.run(batch.model_loads)
    assert len(loads) == 2
    # 20 chunks over 2 workers, yet each worker loaded the model at most once.
    assert all(counts.get(MODEL, 0) <= 1 for counts in loads.values())
    assert sum(counts.get(MODEL, 0) for counts in loads.values()) >= 1


def test_dask_engine_starts_its_own_cluster(tmp_path, folder):
    with pytest.warns(UserWarning, match="skipped broken.txt"):
        run_batch(folder, tmp_path / "local.parquet", model=MODEL, chunksize=9)
        run_batch(folder, tmp_path / "dask.parquet", model=MODEL, chunksize=9, engine="dask")
    pd.testing.assert_frame_equal(_read(tmp_path / "dask.parquet"), _read(tmp_path / "local.parquet"))


def test_progress_bar_only_when_asked(tmp_path, parquet_input, capsys):
    run_batch(parquet_input, tmp_path / "quiet.parquet", model=MODEL, progress=False)
    assert capsys.readouterr().err == ""
    run_batch(parquet_input, tmp_path / "loud.parquet", model=MODEL, chunksize=100, progress=True)
    err = capsys.readouterr().err
    assert "600/600" in err and "passages/s" in err


def test_folder_chunks_keep_each_article_whole_for_the_article_reading_model(tmp_path, folder):
    """The default model reads a paragraph with the rest of its article: chunks and progress steps
    cut between articles, so a small chunk size gives what classify gives article by article."""
    from analysis.batch import engines

    ensemble = get_model("ensemble")
    assert getattr(ensemble.paragraph, "reads_articles", False)
    expected = pd.concat([label_passages(segment(read_article(path), "paragraph"), ensemble)
                          for path in sorted(folder.glob("article-*.txt"))], ignore_index=True)
    # A chunk size and a progress step far below one article's length: each chunk still ends with an article.
    with pytest.MonkeyPatch.context() as patch, pytest.warns(UserWarning, match="skipped broken.txt"):
        patch.setattr(engines, "PROGRESS_STEP", 3)
        summary = run_batch(folder, tmp_path / "out.parquet", model="ensemble", chunksize=5)
    got = _read(tmp_path / "out.parquet")
    _assert_same(got, expected)
    assert summary["chunks"] == _article_chunk_count(expected, 5)
