"""The HTML article report: every passage, figures embedded, no overwrite, and a real browser."""

import base64
import html
import io
import json
import re
import shutil
import subprocess

import pytest
from PIL import Image

from analysis.articles import read_article
from analysis.report import highlight, render_report
from analysis.segment import segment
from tests.conftest import ROOT, SEED

CORPUS_ARTICLE = ROOT / "corpus" / "articles" / "ruin-005.txt"


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "seed.html"
    render_report(SEED, out)
    return out


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


@pytest.mark.parametrize("article_path", [SEED, CORPUS_ARTICLE], ids=["seed", "corpus"])
def test_report_has_every_passage_and_figures(article_path, seed_report, tmp_path):
    if article_path == SEED:
        out = seed_report
    else:
        out = tmp_path / "corpus.html"
        render_report(article_path, out, level="sentence")
    page = out.read_text(encoding="utf-8")
    text = _visible_text(page)
    level = "paragraph" if article_path == SEED else "sentence"
    for passage in segment(read_article(article_path), level)["text"]:
        assert passage in text
    images = _images(page)
    assert len(images) >= 2
    for data in images:
        assert Image.open(io.BytesIO(data)).size[0] > 100
    assert "import matplotlib" not in page  # code cells are left out


def test_report_refuses_to_overwrite(tmp_path, cli):
    out = tmp_path / "mine.html"
    out.write_text("keep me")
    done = cli("report", SEED, "-o", out)
    assert done.returncode == 2
    assert b"already exists" in done.stderr
    assert out.read_text() == "keep me"


def test_report_dates_an_undated_article(tmp_path, cli):
    undated = tmp_path / "article.txt"
    shutil.copy(SEED, undated)
    bad = cli("report", undated, "-o", tmp_path / "bad.html", "--date", "Thursday")
    assert bad.returncode == 2 and b"expected YYYY-MM-DD" in bad.stderr
    assert not (tmp_path / "bad.html").exists()
    out = tmp_path / "dated.html"
    render_report(undated, out, date="2025-08-21")
    page = _visible_text(out.read_text(encoding="utf-8"))
    assert "dated 2025-08-21" in page and "no paper date" not in page


def test_report_bad_article(tmp_path, cli):
    done = cli("report", tmp_path / "missing.txt", "-o", tmp_path / "x.html")
    assert done.returncode == 2
    assert not (tmp_path / "x.html").exists()


def test_highlight_escapes_and_marks():
    marked = highlight("Drones hit <Kyiv> & Lviv", {"strikes": ["drones hit"]})
    assert "&lt;Kyiv&gt; &amp; Lviv" in marked
    assert marked.startswith('<mark style="background:')


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_headless_chromium(seed_report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed here: `.ci/run` installs it (apt-get install chromium)")
    shot = tmp_path / "report.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--hide-scrollbars", "--window-size=1280,2400"]
    subprocess.run([browser, *flags, f"--screenshot={shot}", seed_report.as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("L")
    histogram = image.histogram()
    non_white = sum(histogram[:240]) / sum(histogram)
    assert non_white > 0.02, "the rendered page is blank"
    dom = subprocess.run([browser, *flags, "--dump-dom", seed_report.as_uri()],
                         capture_output=True, timeout=120, check=True).stdout.decode()
    assert len(_images(dom)) >= 2, "figures are missing from the rendered page"
    assert "Osiny" in dom


HOSTILE_NAME = "x<img src=x onerror=document.title='pwned-name'>"
HOSTILE_TITLE = ("<script>document.title='pwned-title'</script><img src=y onerror=\"document.title='pwned-img'\">"
                 " costs $5 and $10")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    article = folder / f"{HOSTILE_NAME}.txt"
    shutil.copy(SEED, article)
    meta = {"title": HOSTILE_TITLE, "outlet": "<b>bold</b>", "date": "2025-08-21"}
    (folder / f"{HOSTILE_NAME}.meta.json").write_text(json.dumps(meta))
    out = folder / "report.html"
    render_report(article, out)
    return out


def test_hostile_strings_are_text_not_markup(hostile_report):
    page = hostile_report.read_text(encoding="utf-8")
    assert "<script>document.title" not in page and "<img src=x" not in page and "<img src=y" not in page
    text = _visible_text(page)
    assert HOSTILE_TITLE in text and f"{HOSTILE_NAME}.txt" in text


def test_report_holds_no_external_address_nor_maths(hostile_report):
    page = hostile_report.read_text(encoding="utf-8")
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", page), "the report refers to the network"
    assert "<script src" not in page and "MathJax" not in page and "mermaid" not in page
    assert "$5 and $10" in _visible_text(page)  # dollar signs stay text
    assert "overflow-x: auto" in page  # wide tables scroll


def test_hostile_report_runs_no_script_in_headless_chromium(hostile_report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed here: `.ci/run` installs it (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=3000"]
    dom = subprocess.run([browser, *flags, "--dump-dom", hostile_report.as_uri()],
                         capture_output=True, timeout=120, check=True).stdout.decode()
    assert "Osiny" in dom, "the page did not render"
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and "pwned" not in title.group(1), title.group(1) if title else dom[:300]
    assert "pwned" not in _visible_text(re.sub(r"<title>.*?</title>", "", dom, flags=re.S)).replace(
        HOSTILE_NAME, "").replace(HOSTILE_TITLE, "")


class _Counting:
    """A model that counts the calls of its predict_proba."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def predict_proba(self, X):
        self.calls += 1
        return self.model.predict_proba(X)


@pytest.mark.parametrize("level", ["paragraph", "sentence"])
def test_report_labels_the_article_once_for_passages_and_events(level):
    import pandas as pd

    from analysis.events import extract_events
    from analysis.events.confidence import add_confidence
    from analysis.labelling import label_passages
    from analysis.models import get_model
    from analysis.report import article_tables

    article, model = read_article(SEED), get_model(None)
    counting = _Counting(model)
    labelled, events = article_tables(article, counting, level)
    assert counting.calls == 1
    # the tables the report showed when it labelled the article twice
    pd.testing.assert_frame_equal(labelled, label_passages(segment(article, level), model))
    pd.testing.assert_frame_equal(events, add_confidence(extract_events(article, model), article))
    assert len(events) == 6


def test_report_notebook_labels_only_through_article_tables():
    cells = json.loads((ROOT / "notebooks" / "10-article-report.ipynb").read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    assert code.count("article_tables(") == 1
    assert not re.search(r"\b(label_passages|extract_events|label_article)\(", code)
