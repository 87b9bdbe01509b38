"""A self-contained HTML report for one article, from the parameterised notebook.

``render_report`` runs ``notebooks/10-article-report.ipynb`` with papermill on the
article, then exports it to HTML without code cells (figures embedded as base64).
"""

from __future__ import annotations

import html
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.codebook import LABELS
from analysis.errors import InputError

REPORT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "10-article-report.ipynb"
_MARK_COLOURS = {"diplomacy": "#cfe0f3", "strikes": "#f6d0cb", "incursions": "#fde6b8"}


def highlight(text: str, terms_by_label: dict[str, list[str]]) -> str:
    """HTML of ``text`` with each evidence term marked in its label's colour."""
    spans: list[tuple[int, int, str]] = []
    lowered = text.lower()
    for label, terms in terms_by_label.items():
        for term in terms:
            start = lowered.find(term.lower())
            while start >= 0:
                end = start + len(term)
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, label))
                start = lowered.find(term.lower(), end)
    out, cursor = [], 0
    for start, end, label in sorted(spans):
        out.append(html.escape(text[cursor:start]))
        out.append(f'<mark style="background:{_MARK_COLOURS.get(label, "#eee")}" title="{label}">'
                   f"{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def passages_html(labelled: pd.DataFrame) -> str:
    """An HTML table of passages: index, labels with scores, text with evidence marked."""
    rows = []
    for row in labelled.itertuples(index=False):
        labels = ", ".join(row.labels) or "other"
        scores = " ".join(f"{label[:4]} {getattr(row, f'score_{label}'):.2f}" for label in LABELS)
        evidence = getattr(row, "evidence", None) or {}
        rows.append(
            f"<tr><td>{row.index}</td><td><b>{html.escape(labels)}</b><br><small>{scores}</small></td>"
            f"<td style='text-align:left'>{highlight(row.text, evidence)}</td></tr>"
        )
    legend = " ".join(f'<mark style="background:{colour}">{label}</mark>' for label, colour in _MARK_COLOURS.items())
    return (f"<p>Evidence words: {legend}</p><table><thead><tr><th>#</th><th>labels</th><th>passage</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


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

    from analysis.articles import read_article, with_date
    from analysis.files import check_writable, write_text_atomic
    from analysis.models import get_model

    started = time.perf_counter()
    output = check_writable(output, force)
    article_path = Path(article_path).resolve()
    article = read_article(article_path)
    if date is not None:
        date = with_date(article, date).meta["date"]
    get_model(model)
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
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    write_text_atomic(body, output)
    return output, time.perf_counter() - started
