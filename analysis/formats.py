"""Render a labelled-passages table as text for people (table) or programs (JSON, CSV)."""

from __future__ import annotations

import io
import json
import shutil
import textwrap

import pandas as pd

from analysis.labelling import frame_labels, score_columns

# Column heads of the codebook's labels in the terminal table; other labels show their first five letters.
_SHORT = {"diplomacy": "dipl", "strikes": "strk", "incursions": "incu"}


def passage_records(labelled: pd.DataFrame) -> list[dict]:
    """One JSON-ready dict per passage: offsets, text, labels and label scores."""
    records = []
    has_id = "id" in labelled.columns
    has_evidence = "evidence" in labelled.columns
    labels = frame_labels(labelled)
    scores = labelled[score_columns(labels)].to_numpy(dtype=float)
    for row, row_scores in zip(labelled.itertuples(index=False), scores):
        record = {"id": row.id} if has_id else {}
        record.update(
            article=row.article, index=int(row.index), start=int(row.start), end=int(row.end),
        )
        if "paragraph" in labelled.columns and getattr(row, "level", "") == "sentence":
            record["paragraph"] = int(row.paragraph)
        record["text"] = row.text
        record["labels"] = list(row.labels)
        record["scores"] = {label: float(score) for label, score in zip(labels, row_scores)}
        if has_evidence:
            record["evidence"] = row.evidence
        records.append(record)
    return records


def dumps(obj) -> str:
    """Deterministic, human-readable JSON (UTF-8 characters kept, 2-space indent)."""
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def to_json(labelled: pd.DataFrame) -> str:
    """A JSON list with one object per passage."""
    return dumps(passage_records(labelled))


def to_csv(labelled: pd.DataFrame) -> str:
    """CSV with labels joined by ``;`` and one score column per label."""
    columns = [c for c in ("id", "article", "level", "index", "paragraph", "start", "end") if c in labelled]
    frame = labelled[columns + ["text"]].copy()
    frame["labels"] = [";".join(labels) for labels in labelled["labels"]]
    for column in score_columns(frame_labels(labelled)):
        frame[column] = labelled[column]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def to_table(labelled: pd.DataFrame, width: int | None = None) -> str:
    """A fixed-width table for the terminal: index, labels, scores, wrapped text."""
    width = width or max(80, min(shutil.get_terminal_size((110, 24)).columns, 140))
    names = frame_labels(labelled)
    heads = " ".join(f"{_SHORT.get(label, label[:5]):>5}" for label in names)
    head = f"{'#':>3}  {'labels':<22} {heads}  "
    text_width = max(30, width - len(head))
    lines = [head + "text", "-" * min(width, len(head) + text_width)]
    values = labelled[score_columns(names)].to_numpy(dtype=float)
    for row, row_scores in zip(labelled.itertuples(index=False), values):
        labels = ", ".join(row.labels) or "other"
        scores = " ".join(f"{score:5.2f}" for score in row_scores)
        wrapped = textwrap.wrap(row.text, text_width, max_lines=3, placeholder=" …") or [""]
        lines.append(f"{row.index:>3}  {labels:<22} {scores}  {wrapped[0]}")
        lines.extend(" " * len(head) + part for part in wrapped[1:])
        evidence = getattr(row, "evidence", None)
        if evidence:
            for label, terms in evidence.items():
                if terms:
                    lines.append(" " * len(head) + f"  {label}: " + ", ".join(terms))
    counts = {label: sum(label in labels for labels in labelled["labels"]) for label in names}
    other = sum(not labels for labels in labelled["labels"])
    summary = ", ".join(f"{label} {n}" for label, n in counts.items())
    lines.append("")
    lines.append(f"{len(labelled)} passages: {summary}, other {other}")
    return "\n".join(lines) + "\n"
