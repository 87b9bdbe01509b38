"""Events in a batch: whole articles labelled once, their passages and their events side by side.

``batch --events`` writes ``OUT.events.parquet`` beside ``OUT.parquet``: one row per strike or
incursion event, the columns of ``python -m analysis events --format csv`` plus the ``evidence``
of each field as a JSON object. The classifier runs once per article
(:func:`analysis.labelling.label_article`): the passages of the batch's level and the sentences
the events are read from come from that one pass.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis.batch.output import arrow_table, output_schema
from analysis.batch.sources import ArticleChunk
from analysis.labelling import label_article, model_labels

_STRINGS = ("article", "kind", "date", "attacker", "target", "place", "admin_region", "country", "weapon",
            "weapon_type", "violated_state", "evidence", "confidence_why")
_INTEGERS = ("start", "end", "paragraph", "killed", "wounded")
_FLOATS = ("latitude", "longitude", "distance_km", "confidence")
_FLAGS = ("killed_at_least", "wounded_at_least")
#: Why an undated article's events have no confidence (:func:`analysis.events.confidence.add_confidence`).
UNDATED = "no paper date"


def events_schema() -> pa.Schema:
    """The Arrow schema of the events file: :data:`~analysis.events.schema.EVENT_COLUMNS` and the confidence."""
    from analysis.events.schema import EVENT_COLUMNS

    types = {**dict.fromkeys(_STRINGS, pa.string()), **dict.fromkeys(_INTEGERS, pa.int64()),
             **dict.fromkeys(_FLOATS, pa.float64()), **dict.fromkeys(_FLAGS, pa.bool_())}
    return pa.schema([pa.field(name, types[name]) for name in [*EVENT_COLUMNS, "confidence", "confidence_why"]])


def events_path(output: Path) -> Path:
    """Where the events of a batch writing ``output`` go: ``OUT.parquet`` -> ``OUT.events.parquet``."""
    stem = output.name[: -len(".parquet")] if output.name.endswith(".parquet") else output.name
    return output.with_name(stem + ".events.parquet")


@lru_cache(maxsize=1)
def _confidence_model():
    from analysis.events.confidence import load_confidence_model

    return load_confidence_model()


def article_events(article, paragraphs: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """:func:`~analysis.events.labelled.labelled_events`, without a warning per undated article."""
    from analysis.events.labelled import labelled_events

    with warnings.catch_warnings():
        # One warning for the whole batch (run_batch counts the undated articles), not one per article.
        warnings.filterwarnings("ignore", message=".*has no date.*", category=UserWarning)
        return labelled_events(article, paragraphs, sentences, _confidence_model())


def label_articles(chunk: ArticleChunk, model, level: str, finished=None) -> tuple[pa.Table, pa.Table]:
    """Label a chunk of whole articles: ``(passages, events)`` as output-schema Arrow tables.

    Parameters
    ----------
    chunk : ArticleChunk
    model
        A fitted model that labels strikes and incursions.
    level : {"paragraph", "sentence"}
        The passages written to the passages file.
    finished : callable, optional
        Called with each article's passage count once it is done (the progress bar).
    """
    schema = output_schema(False, model_labels(model))
    passages, events = [], []
    for article in chunk.articles:
        paragraphs, sentences = label_article(article, model)
        passages.append(arrow_table(paragraphs if level == "paragraph" else sentences, schema))
        found = article_events(article, paragraphs, sentences)
        if len(found):
            found["evidence"] = [json.dumps(value, ensure_ascii=False, sort_keys=True) for value in found["evidence"]]
            events.append(_typed(found))
        if finished is not None:
            finished(passages[-1].num_rows)
    table = pa.concat_tables(passages) if passages else schema.empty_table()
    return table, pa.concat_tables(events) if events else events_schema().empty_table()


def _typed(events: pd.DataFrame) -> pa.Table:
    """Events as Arrow, missing values as nulls (object columns hold None, ints and strings mixed with them)."""
    schema = events_schema()
    columns = {}
    for field in schema:
        values = [None if value is None or (isinstance(value, float) and value != value)
                  else str(value) if field.type == pa.string() else value for value in events[field.name].tolist()]
        columns[field.name] = pa.array(values, type=field.type)
    return pa.table(columns, schema=schema)


def label_articles_on_worker(chunk: ArticleChunk, model_name: str | None, level: str) -> tuple[pa.Table, pa.Table]:
    """Dask task: :func:`label_articles` with the worker's cached model."""
    from analysis.batch.engines import cached_model

    return label_articles(chunk, cached_model(model_name), level)
