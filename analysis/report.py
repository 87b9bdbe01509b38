"""A self-contained HTML report for one article, from the parameterised notebook.

``render_report`` runs ``notebooks/10-article-report.ipynb`` with papermill on the
article, then exports it to HTML without code cells (figures embedded as base64).
"""

from __future__ import annotations

import functools
import html
import re
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.explain import stopwords_only
from analysis.labelling import frame_labels

REPORT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "10-article-report.ipynb"
# nbconvert template without CDN scripts (require.js, MathJax, mermaid); see its comment.
TEMPLATES = Path(__file__).resolve().parent / "templates"
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
# The theme's CSS comments cite web pages; dropped so the file holds no address at all.
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MARK_COLOURS = {"diplomacy": "#cfe0f3", "strikes": "#f6d0cb", "incursions": "#fde6b8"}


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern:
    # Whole words only: "he" must not light up inside "there", nor "it" inside "military".
    words = [re.escape(word) for word in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def mark_colours(labels) -> dict[str, str]:
    """Highlight colour per label: the codebook's three, else a light shade of each user label's plot colour."""
    if set(labels) <= set(_MARK_COLOURS):
        return dict(_MARK_COLOURS)
    from analysis.plots import label_colours

    return {label: colour + "55" for label, colour in label_colours(labels).items() if label != "other"}


def highlight(text: str, terms_by_label: dict[str, list[str]], colours: dict[str, str] | None = None) -> str:
    """HTML of ``text`` with each evidence term marked in its label's colour.

    Terms match whole words only (case-insensitive); terms made only of stopwords are
    not marked. Everything, text and label names alike, is HTML-escaped.
    """
    colours = _MARK_COLOURS if colours is None else colours
    spans: list[tuple[int, int, str]] = []
    for label, terms in terms_by_label.items():
        for term in terms:
            if not term.strip() or stopwords_only(term):
                continue
            for match in _term_pattern(term).finditer(text):
                start, end = match.span()
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, label))
    out, cursor = [], 0
    for start, end, label in sorted(spans):
        out.append(html.escape(text[cursor:start]))
        out.append(f'<mark style="background:{colours.get(label, "#eee")}" title="{html.escape(label)}">'
                   f"{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def passages_html(labelled: pd.DataFrame, labels=None) -> str:
    """An HTML table of passages: index, labels with scores, text with evidence marked.

    ``labels`` defaults to those of the table's ``score_<label>`` columns.
    """
    from analysis.labelling import score_columns

    names = list(frame_labels(labelled) if labels is None else labels)
    colours = mark_colours(names)
    values = labelled[score_columns(names)].to_numpy(dtype=float)
    rows = []
    for row, row_scores in zip(labelled.itertuples(index=False), values):
        chosen = ", ".join(row.labels) or "other"
        scores = " ".join(f"{html.escape(label[:4])} {score:.2f}" for label, score in zip(names, row_scores))
        evidence = getattr(row, "evidence", None) or {}
        rows.append(
            f"<tr><td>{int(row.index)}</td><td><b>{html.escape(chosen)}</b><br><small>{scores}</small></td>"
            f"<td style='text-align:left'>{highlight(row.text, evidence, colours)}</td></tr>"
        )
    legend = " ".join(f'<mark style="background:{colours.get(label, "#eee")}">{html.escape(label)}</mark>'
                      for label in names)
    return (f"<p>Evidence words: {legend}</p><table><thead><tr><th>#</th><th>labels</th><th>passage</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def article_tables(article, classifier, level: str = "paragraph") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report's two tables: the article's labelled passages at ``level`` and its events.

    The classifier labels the article once (:func:`analysis.labelling.label_article`): the
    passages shown and the sentences the events are read from come from that one pass. A
    model of the user's own labels has no strikes or incursions to read events from, so
    the default model labels the article for the events.
    """
    from analysis.events.labelled import labelled_events
    from analysis.labelling import label_article, labels_events
    from analysis.segment import LEVELS

    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    paragraphs, sentences = label_article(article, classifier)
    labelled = paragraphs if level == "paragraph" else sentences
    if not labels_events(classifier):
        from analysis.models import get_model

        paragraphs, sentences = label_article(article, get_model(None))
    return labelled, labelled_events(article, paragraphs, sentences)


def heading_html(article, passages: int, level: str, model: str) -> str:
    """The report's heading: title, file name, counts, model and date, all escaped.

    The title and file name come from the user's files, so they are text, never markup.
    """
    title = article.meta.get("title") or article.id
    name = Path(article.path).name if article.path else article.id
    parts = [f"<code>{html.escape(name)}</code>", f"{passages} {html.escape(level)}s",
             f"model <code>{html.escape(str(model))}</code>"]
    if article.date is not None:
        parts.append(f"dated {article.date.isoformat()}")
    return f"<h1>{html.escape(str(title))}</h1>\n<p>{' · '.join(parts)}</p>"


def render_report(article_path: str | Path, output: str | Path, level: str = "paragraph",
                  model: str | None = None, force: bool = False, date: str | None = None) -> tuple[Path, float]:
    """Run the report notebook on ``article_path`` and write HTML to ``output``.

    ``date`` (``YYYY-MM-DD``) dates an article that has no ``.meta.json``, so that its
    events are dated and get a confidence. Returns the output path and the seconds it
    took. Refuses to overwrite an existing ``output`` unless ``force``; the article is
    checked before the notebook starts, so bad input fails fast with a clear message.
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    from analysis.articles import parse_date, read_article
    from analysis.files import check_writable, write_text_atomic
    from analysis.models import get_model

    started = time.perf_counter()
    output = check_writable(output, force)
    article_path = Path(article_path).resolve()
    read_article(article_path)  # a bad file is refused here, before the notebook starts
    if date is not None:
        date = parse_date(date, "--date")
    get_model(model)
    if model and model.endswith(".skops"):
        model = str(Path(model).resolve())  # the notebook runs in notebooks/, not here
    if not REPORT_NOTEBOOK.is_file():
        raise InputError(f"{REPORT_NOTEBOOK}: the report notebook is missing")
    with tempfile.TemporaryDirectory(prefix="war-report-") as work:
        executed = Path(work) / "report.ipynb"
        try:
            papermill.execute_notebook(
                str(REPORT_NOTEBOOK), str(executed), cwd=str(REPORT_NOTEBOOK.parent),
                parameters={"article_path": str(article_path), "level": level, "model": model, "date": date},
                kernel_name="python3", progress_bar=False, log_output=False,
                # The kernel logs its own transport notice and its shutdown interrupt on our stderr;
                # cell errors still arrive as PapermillExecutionError, so only those log lines go.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except papermill.PapermillExecutionError as err:
            raise InputError(f"the report notebook failed: {err.ename}: {err.evalue}") from None
        notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    body = _STYLE.sub(lambda m: _CSS_COMMENT.sub("", m.group(0)), body)
    write_text_atomic(body, output)
    return output, time.perf_counter() - started
