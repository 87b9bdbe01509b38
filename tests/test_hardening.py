"""Hardening 2: special files, byte caps, foreign models, metadata and dates, non-string text,
one writer per output, CR line endings, whole-word evidence and a progress bar that moves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from analysis.articles import Article, read_article, read_limited, read_passages, with_date
from analysis.errors import InputError
from analysis.models import get_model
from analysis.models.store import save_model
from analysis.segment import segment
from tests.conftest import ROOT, SEED, run_cli

GOOD = "Russian drones struck the city of Sumy overnight, wounding four people, the regional governor said."
SECRET = "Zyxwvut the unmistakable article sentence that must never be echoed back"


def _cli(*args, timeout=120):
    return run_cli(*args, timeout=timeout)


def _fails(done, fragment):
    stderr = done.stderr.decode()
    assert done.returncode == 2, (done.returncode, stderr)
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert fragment.lower() in stderr.lower(), stderr
    return stderr


# ------------------------------------------------------------------ special files


@pytest.fixture
def specials(tmp_path):
    """An article name for each special file: symlinks to devices, and a FIFO with no writer."""
    made = {}
    for name, target in (("zero", "/dev/zero"), ("urandom", "/dev/urandom")):
        link = tmp_path / f"{name}.txt"
        link.symlink_to(target)
        made[name] = link
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    made["fifo"] = fifo
    return made


@pytest.mark.parametrize("kind", ["zero", "urandom", "fifo"])
def test_special_files_are_refused_at_once(specials, kind, tmp_path):
    path = specials[kind]
    with pytest.raises(InputError, match="not a regular file"):
        read_article(path)
    started = time.monotonic()
    _fails(_cli("classify", path, timeout=60), "not a regular file")
    _fails(_cli("events", path, timeout=60), "not a regular file")
    _fails(_cli("report", path, "-o", tmp_path / f"{kind}.html", timeout=60), "not a regular file")
    assert time.monotonic() - started < 60
    assert not (tmp_path / f"{kind}.html").exists()


def test_special_passages_files_and_sidecars(tmp_path):
    jsonl = tmp_path / "zero.jsonl"
    jsonl.symlink_to("/dev/zero")
    _fails(_cli("classify", jsonl, timeout=60), "not a regular file")
    _fails(_cli("batch", jsonl, "-o", tmp_path / "out.parquet", timeout=60), "not a regular file")
    fifo = tmp_path / "pipe.parquet"
    os.mkfifo(fifo)
    _fails(_cli("batch", fifo, "-o", tmp_path / "out2.parquet", timeout=60), "not a regular file")
    article = tmp_path / "a.txt"
    article.write_text(GOOD)
    os.mkfifo(tmp_path / "a.meta.json")
    with pytest.raises(InputError, match=r"a\.meta\.json: is a named pipe"):
        read_article(article)
    _fails(_cli("events", article, timeout=60), "named pipe")


def test_the_byte_cap_holds_whatever_stat_says(tmp_path):
    # /proc files report a size of 0 but have content: the cap must count bytes read.
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(InputError, match="too large"):
        read_limited("/proc/self/status", 16)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 17)
    with pytest.raises(InputError, match="too large"):
        read_limited(small, 16)
    assert read_limited(small, 17) == b"x" * 17


def test_standard_input_is_capped():
    huge = b"Drones struck Kyiv. " * (11 * 1024 * 1024 // 20)
    done = subprocess.run([sys.executable, "-m", "analysis", "classify", "-"], input=huge, capture_output=True,
                          cwd=ROOT, timeout=120)
    _fails(done, "the limit for one article")


# ------------------------------------------------------------------ foreign models


def _foreign_models():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = [GOOD, "Ministers met in Geneva for talks.", "The harvest was good this year.", SECRET]
    y = [1, 0, 0, 1]
    bare = LogisticRegression().fit(np.eye(4), y)
    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, y)
    from analysis.models.text import tfidf_model

    return {"dict": {"labels": ["strikes"], "weights": [1.0, 2.0]}, "bare": bare, "pipeline": pipeline,
            "unfitted": tfidf_model()}


@pytest.mark.parametrize("kind", ["dict", "bare", "pipeline", "unfitted"])
def test_foreign_model_files_are_refused_on_load(kind, tmp_path):
    path = tmp_path / f"{kind}.skops"
    save_model(_foreign_models()[kind], path)
    expected = "not fitted" if kind == "unfitted" else "not one of this project's passage classifiers"
    with pytest.raises(InputError, match=expected):
        get_model(str(path))
    article = tmp_path / "article.txt"
    article.write_text(SECRET + ". " + GOOD + "\n")
    for command in (("classify", article), ("events", article), ("report", article, "-o", tmp_path / "r.html")):
        stderr = _fails(_cli(*command, "--model", path), expected)
        assert "Zyxwvut" not in stderr
    assert not (tmp_path / "r.html").exists()


def test_model_path_that_is_a_directory(tmp_path):
    folder = tmp_path / "models.skops"
    folder.mkdir()
    _fails(_cli("classify", SEED, "--model", folder), "is a directory")
    _fails(_cli("classify", SEED, "--model", tmp_path), "is a directory")


def test_internal_errors_never_echo_input_data():
    from analysis.cli import _short_message

    message = _short_message(ValueError("could not convert: " + SECRET * 20 + "\nsecond line"))
    assert message.startswith("ValueError: could not convert")
    assert len(message) < 200 and "second line" not in message


# ------------------------------------------------------------ metadata and dates


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ("[1, 2]", "expected a JSON object, got a list"),
        ('"a title"', "expected a JSON object, got a string"),
        ('{"date": "garbage"}', "field 'date': 'garbage' is not a date"),
        ('{"date": 20250821}', "field 'date' must be a date string"),
        ('{"date": "0001-01-01"}', "outside 1900-2100"),
        ('{"title": 42}', "field 'title' must be a string"),
        ('{"title": ["a"], "date": "2025-08-21"}', "field 'title' must be a string"),
        ('{"outlet": {"x": 1}}', "field 'outlet' must be a string"),
    ],
)
def test_bad_meta_json(meta, fragment, tmp_path):
    article = tmp_path / "story.txt"
    article.write_text(GOOD + "\n")
    (tmp_path / "story.meta.json").write_text(meta)
    with pytest.raises(InputError, match="story.meta.json"):
        read_article(article)
    _fails(_cli("events", article), fragment)
    _fails(_cli("report", article, "-o", tmp_path / "r.html"), fragment)
    assert not (tmp_path / "r.html").exists()


def test_good_meta_json_is_normalised(tmp_path):
    article = tmp_path / "story.txt"
    article.write_text(GOOD + "\n")
    (tmp_path / "story.meta.json").write_text('{"title": "T", "date": "2025-08-21T06:00:00"}')
    assert read_article(article).meta == {"title": "T", "date": "2025-08-21"}


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_the_range(value, tmp_path):
    with pytest.raises(InputError, match="outside 1900-2100"):
        with_date(Article(id="a", text=GOOD), value)
    _fails(_cli("events", SEED, "--date", value), "--date")
    _fails(_cli("report", SEED, "-o", tmp_path / "r.html", "--date", value), "outside 1900-2100")


def test_dates_at_the_edges_are_accepted():
    for value in ("1900-01-01", "2100-12-31"):
        assert with_date(Article(id="a", text=GOOD), value).meta["date"] == value


# ---------------------------------------------------------------- non-string text


BAD_ROWS = [None, 7, ["a", "b"], {"x": 1}, True]


@pytest.fixture
def mixed_jsonl(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [{"id": "good-0", "text": GOOD}] + [{"id": f"bad-{i}", "text": v} for i, v in enumerate(BAD_ROWS)]
    rows.append({"id": "good-1", "text": "Ministers met in Geneva for talks on a ceasefire."})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_non_string_text_is_an_error_naming_the_row(mixed_jsonl, tmp_path):
    with pytest.raises(InputError, match=r"row 2 \(null\), row 3 \(a number\), row 4 \(a list\)"):
        read_passages(mixed_jsonl)
    stderr = _fails(_cli("classify", mixed_jsonl), "'text' must be a string")
    assert "row 6 (a boolean)" in stderr and "row 5 (an object)" in stderr
    _fails(_cli("batch", mixed_jsonl, "-o", tmp_path / "out.parquet"), "row 2 (null)")
    assert not (tmp_path / "out.parquet").exists()


def test_skip_bad_rows_leaves_them_out_and_counts_them(mixed_jsonl, tmp_path):
    with pytest.warns(UserWarning, match=r"skipped 5 row\(s\)"):
        passages = read_passages(mixed_jsonl, skip_bad_rows=True)
    assert passages["id"].tolist() == ["good-0", "good-1"]
    assert passages["index"].tolist() == [0, 6]  # file rows, so the user can find them
    done = _cli("classify", mixed_jsonl, "--skip-bad-rows", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == ["good-0", "good-1"]
    assert "skipped 5 row(s)" in done.stderr.decode()
    out = tmp_path / "out.parquet"
    done = _cli("batch", mixed_jsonl, "-o", out, "--model", "tfidf", "--skip-bad-rows", "--chunksize", "3")
    assert done.returncode == 0, done.stderr
    assert "skipped 5 row(s)" in done.stderr.decode()
    assert pd.read_parquet(out)["id"].tolist() == ["good-0", "good-1"]


@pytest.mark.parametrize("column", [pd.Series([1, 2], dtype="int64"), pd.Series([GOOD, None], dtype="string"),
                                    pd.Series([True, False])])
def test_non_string_parquet_text(column, tmp_path):
    path = tmp_path / "passages.parquet"
    pd.DataFrame({"text": column}).to_parquet(path)
    with pytest.raises(InputError, match="'text' must be a string"):
        read_passages(path)
    _fails(_cli("classify", path), "'text' must be a string")
    _fails(_cli("batch", path, "-o", tmp_path / "out.parquet"), "'text' must be a string")


# ------------------------------------------------------------- one writer, line ends


def test_a_second_batch_on_the_same_output_is_refused(tmp_path):
    from analysis.files import output_lock

    passages = tmp_path / "p.jsonl"
    passages.write_text(json.dumps({"text": GOOD}) + "\n")
    out = tmp_path / "out.parquet"
    with output_lock(out):
        _fails(_cli("batch", passages, "-o", out, "--model", "tfidf"), f"another batch is writing {out}")
    assert not out.exists()
    done = _cli("batch", passages, "-o", out, "--model", "tfidf")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".out.parquet.lock").exists()


def test_a_killed_writer_leaves_no_stale_lock(tmp_path):
    from analysis.files import output_lock

    out = tmp_path / "out.parquet"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from analysis.files import output_lock\n"
                               f"with output_lock({str(out)!r}):\n    print('held', flush=True); time.sleep(60)"],
                              cwd=ROOT, stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"held"
    with pytest.raises(InputError, match="another batch"), output_lock(out):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    with output_lock(out) as lock:
        assert lock.exists()


def test_cr_only_line_endings_make_paragraphs():
    text = "Drones struck Kyiv overnight.\rTalks resumed in Geneva.\r\rPhotograph: staff"
    paragraphs = segment(Article(id="mac", text=text), "paragraph")
    assert paragraphs["text"].tolist() == ["Drones struck Kyiv overnight.", "Talks resumed in Geneva.",
                                           "Photograph: staff"]
    for row in paragraphs.itertuples():
        assert text[row.start:row.end] == row.text
    crlf = "First paragraph here.\r\nSecond one.\r\n"
    assert segment(Article(id="dos", text=crlf), "paragraph")["text"].tolist() == ["First paragraph here.",
                                                                                   "Second one."]


# ------------------------------------------------------------ evidence and progress


def test_evidence_marks_whole_words_only_and_never_stopwords():
    from analysis.report import highlight

    marked = highlight("There it is: the military convoy was hit.", {"strikes": ["he", "it", "hit", "mil"]})
    assert marked.count("<mark") == 1
    assert ">hit</mark>" in marked and "There" in marked and "military" in marked


def test_explanations_hold_no_stopwords(seed_path):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from analysis.explain import explain_passages
    from analysis.labelling import label_passages

    model = get_model("tfidf")
    labelled = label_passages(segment(read_article(seed_path), "paragraph"), model)
    terms = [term for row in explain_passages(model, labelled) for found in row.values() for term in found]
    assert terms
    assert not [t for t in terms if all(word in ENGLISH_STOP_WORDS for word in t.split())]


def test_local_batch_progress_moves_within_a_chunk():
    from analysis.batch import engines

    chunk = pd.DataFrame({"article": "a", "index": range(3000), "start": 0, "end": len(GOOD), "text": GOOD,
                          "boilerplate": False})

    class Work:
        parts = {}

        def write_part(self, number, table):
            self.parts[number] = table

    steps, work = [], Work()
    engines._run_local([(0, chunk)], work, get_model("keywords"), False, steps.append)
    assert steps == [1024, 1024, 952]
    assert work.parts[0].num_rows == 3000
