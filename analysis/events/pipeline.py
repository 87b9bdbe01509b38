"""From an article to its table of events."""

from __future__ import annotations

import math

import pandas as pd

from analysis.articles import Article
from analysis.events.assemble import Event, finish_events
from analysis.events.reader import Reader
from analysis.events.schema import EVENT_COLUMNS


def _labelled_sentences(article: Article, model, labelled: pd.DataFrame | None) -> pd.DataFrame:
    """The article's sentences with their labels (list per row) and paragraph numbers."""
    from analysis.segment import segment

    if labelled is None:
        from analysis.labelling import label_passages
        from analysis.models import get_model

        model = model if model is not None else get_model(None)
        sentences = label_passages(segment(article, "sentence"), model)
        # The paragraph's own label marks its unlabelled sentences as context too: a sentence
        # classifier can miss "At least 14 people ... were wounded in a Russian attack on Sumy".
        paragraphs = label_passages(segment(article, "paragraph"), model)
        by_paragraph = dict(zip(paragraphs["paragraph"], paragraphs["labels"]))
        sentences["paragraph_labels"] = [by_paragraph.get(p, []) for p in sentences["paragraph"]]
        return sentences
    table = labelled.copy()
    if "level" in table.columns:
        table = table[table["level"] == "sentence"]
    table["labels"] = [_as_labels(value) for value in table["labels"]]
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    if "paragraph" not in table.columns:
        spans = segment(article, "paragraph")
        table["paragraph"] = [
            int(next((p for p, s, e in zip(spans["paragraph"], spans["start"], spans["end"]) if s <= start < e),
                     -1))
            for start in table["start"]
        ]
    return table.reset_index(drop=True)


def _as_labels(value) -> list[str]:
    if isinstance(value, str):
        return [label for label in value.split(";") if label]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)


def extract_events(article: Article, model=None, labelled: pd.DataFrame | None = None) -> pd.DataFrame:
    """Extract strike and incursion events from an article.

    Parameters
    ----------
    article : Article
        The article; ``article.meta["date"]`` (ISO) anchors relative dates.
    model : optional
        A fitted model from :func:`analysis.models.get_model`; the default model
        when None. Ignored when ``labelled`` is given.
    labelled : DataFrame, optional
        Sentences already labelled: ``start``, ``end``, ``labels`` (list or
        ``;``-joined) and ``paragraph`` (computed from the offsets if missing).

    Returns
    -------
    DataFrame
        One row per event with :data:`EVENT_COLUMNS`. ``start``/``end`` cover the
        sentences the event was read from; ``evidence`` maps each field to the
        words it came from; coordinates are NaN for places no gazetteer knows.
    """
    sentences = _labelled_sentences(article, model, labelled)
    reader = Reader(article, sentences)
    events = reader.run()
    finish_events(events, article)
    events = [event for event in events if _is_event(event)]
    events = [event for number, event in enumerate(events) if not _retold(event, events[:number])]
    rows = [_row(event, article) for event in events]
    table = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    for name in ("killed", "wounded", "distance_km", "date", "attacker", "target", "place", "admin_region",
                 "country", "weapon", "weapon_type", "violated_state"):
        # object columns keep ints as ints and missing values as None rather than NaN
        table[name] = pd.Series([row[name] for row in rows], dtype=object, index=table.index)
    return table


def _is_event(event: Event) -> bool:
    """Drop shells: an event needs to say where, and what hit or whom."""
    has_where = event.located or event.get("country") is not None
    has_what = event.get("weapon") is not None or event.located or event.get("killed") or event.get("wounded")
    return bool(has_where and has_what)


def _retold(event: Event, earlier: list[Event]) -> bool:
    """An incursion told again in a later paragraph with no place of its own ("Romania's
    defence ministry called the breach unacceptable") is the earlier one, not a new event."""
    if event.kind != "incursion" or event.located or event.get("killed") or event.get("wounded"):
        return False
    return any(e.kind == event.kind and e.paragraph < event.paragraph and e.get("country") == event.get("country")
               and e.get("date") == event.get("date") for e in earlier)


def _row(event: Event, article: Article) -> dict:
    """One output row: the event's values under :data:`EVENT_COLUMNS`."""
    values = event.values
    row = {name: values.get(name) for name in EVENT_COLUMNS}
    row.update(
        article=article.id, start=min(s for s, _ in event.spans), end=max(e for _, e in event.spans),
        paragraph=event.paragraph, kind=event.kind,
        latitude=float(values.get("latitude", math.nan)), longitude=float(values.get("longitude", math.nan)),
        killed_at_least=bool(values.get("killed_at_least", False)),
        wounded_at_least=bool(values.get("wounded_at_least", False)),
        evidence={name: text for name, text in event.evidence.items() if name in EVENT_COLUMNS},
    )
    return row


def events_records(events: pd.DataFrame) -> list[dict]:
    """JSON-ready event dicts: missing values as ``None``, numbers as plain ints and floats."""
    records = []
    for row in events.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        records.append(clean)
    return records
