"""The labelled corpus: articles written here, passage labels keyed by offsets, splits.

Layout of a corpus folder::

    articles/<id>.txt          plain text, paragraphs separated by blank lines
    articles.csv               id, title, outlet, date, theatre, style, batch, split, lto_fold
    labels.csv                 article, level, index, paragraph, key, start, end, labels
    annotations/pass_a.csv     first annotation pass (same columns as labels.csv)
    annotations/pass_b.csv     blind second pass
    events.jsonl               gold events for a subset of articles

``labels`` holds the adjudicated labels joined by ``;`` (empty = other).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.errors import InputError

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "corpus"
ARTICLE_COLUMNS = ["id", "title", "outlet", "date", "theatre", "style", "batch", "split", "lto_fold"]
LABEL_COLUMNS = ["article", "level", "index", "paragraph", "key", "start", "end", "labels"]
def _label_sets() -> set[str]:
    sets = set()
    for mask in range(1 << len(LABELS)):
        sets.add(";".join(label for bit, label in enumerate(LABELS) if mask >> bit & 1))
    return sets


VALID_LABEL_SETS = _label_sets()


@dataclass
class Corpus:
    """A loaded, validated corpus."""

    root: Path
    articles: pd.DataFrame
    labels: pd.DataFrame
    texts: dict[str, str]

    def passages(self, level: str = "paragraph", labels: pd.DataFrame | None = None) -> pd.DataFrame:
        """Passages of one level with their text, label list and article metadata."""
        table = self.labels if labels is None else labels
        rows = table[table["level"] == level].copy()
        rows["text"] = [self.texts[a][s:e] for a, s, e in zip(rows["article"], rows["start"], rows["end"])]
        rows["labels"] = [[x for x in value.split(";") if x] for value in rows["labels"]]
        rows["boilerplate"] = False
        meta = self.articles.set_index("id")[["theatre", "style", "batch", "split", "lto_fold", "date"]]
        rows = rows.join(meta, on="article")
        return rows.sort_values(["article", "index"]).reset_index(drop=True)

    def annotation_pass(self, name: str) -> pd.DataFrame:
        """One raw annotation pass (``"a"`` or ``"b"``) as a labels table."""
        path = self.root / "annotations" / f"pass_{name}.csv"
        if not path.is_file():
            raise InputError(f"{path}: annotation pass {name!r} is missing")
        return read_labels(path)


def read_labels(path: Path) -> pd.DataFrame:
    """Read a labels CSV with ``labels`` as text (empty string = other)."""
    return pd.read_csv(path, dtype={"labels": str, "key": str, "article": str, "level": str},
                       keep_default_na=False)


def articles_schema():
    """pandera schema of ``articles.csv``."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9][a-z0-9_-]*$"), unique=True),
            "title": pa.Column(str, pa.Check.str_length(min_value=1)),
            "outlet": pa.Column(str),
            "date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
            "theatre": pa.Column(str, pa.Check.str_length(min_value=1)),
            "style": pa.Column(str, pa.Check.str_length(min_value=1)),
            "batch": pa.Column(str),
            "split": pa.Column(str, pa.Check.isin(["train", "test"])),
            "lto_fold": pa.Column(int, pa.Check.ge(0)),
        },
        strict=True,
    )


def labels_schema(texts: dict[str, str]):
    """pandera schema of ``labels.csv``; offsets are checked against the article texts."""
    import pandera.pandas as pa

    def offsets_match(frame: pd.DataFrame) -> pd.Series:
        ok = []
        for article, start, end in zip(frame["article"], frame["start"], frame["end"]):
            text = texts.get(article)
            passage = text[start:end] if text is not None and 0 <= start < end <= len(text) else ""
            ok.append(bool(passage.strip()) and passage == passage.strip())
        return pd.Series(ok, index=frame.index)

    return pa.DataFrameSchema(
        {
            "article": pa.Column(str, pa.Check.isin(sorted(texts))),
            "level": pa.Column(str, pa.Check.isin(["paragraph", "sentence"])),
            "index": pa.Column(int, pa.Check.ge(0)),
            "paragraph": pa.Column(int, pa.Check.ge(0)),
            "key": pa.Column(str),
            "start": pa.Column(int, pa.Check.ge(0)),
            "end": pa.Column(int, pa.Check.ge(1)),
            "labels": pa.Column(str, pa.Check.isin(sorted(VALID_LABEL_SETS))),
        },
        checks=[pa.Check(offsets_match, name="offsets_match_text",
                         error="offsets do not select a non-empty, stripped passage of the article text")],
        unique=["article", "level", "index"],
        strict=True,
    )


def validate_table(frame: pd.DataFrame, schema, source: str) -> pd.DataFrame:
    """Validate ``frame``; raise :class:`InputError` naming the first failing rows."""
    import pandera.errors

    try:
        return schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        # A table-wide check fails once per column of a row: report it once per row.
        cases = cases.drop_duplicates(subset=["index", "check"])
        shown = cases.head(5)
        described = "; ".join(
            f"row {row['index']}: {row['check']}" if row["check"].startswith("offsets")
            else f"row {row['index']}: {row['column'] or 'table'} failed {row['check']} (value {row['failure_case']!r})"
            for _, row in shown.iterrows()
        )
        more = len(cases) - len(shown)
        raise InputError(f"{source}: {described}" + (f"; and {more} more" if more > 0 else "")) from None


def load_corpus(root: str | Path | None = None) -> Corpus:
    """Load and validate the corpus in ``root`` (default: the repository's ``corpus/``)."""
    root = Path(root) if root else DEFAULT_ROOT
    if not (root / "articles.csv").is_file():
        raise InputError(f"{root}: no corpus here (articles.csv is missing)")
    articles = pd.read_csv(root / "articles.csv", dtype=str, keep_default_na=False)
    if "lto_fold" in articles:
        articles["lto_fold"] = pd.to_numeric(articles["lto_fold"], errors="coerce").fillna(-1).astype(int)
    articles = validate_table(articles, articles_schema(), str(root / "articles.csv"))
    texts = {}
    for article_id in articles["id"]:
        path = root / "articles" / f"{article_id}.txt"
        if not path.is_file():
            raise InputError(f"{path}: article listed in articles.csv is missing")
        texts[article_id] = path.read_text(encoding="utf-8")
    labels = read_labels(root / "labels.csv")
    labels = validate_table(labels, labels_schema(texts), str(root / "labels.csv"))
    return Corpus(root=root, articles=articles, labels=labels, texts=texts)


def label_matrix(passages: pd.DataFrame) -> np.ndarray:
    """0/1 matrix (n, 3) from the ``labels`` column (lists) of ``passages``."""
    from analysis.labelling import label_matrix as matrix_of

    return matrix_of(passages["labels"])


def _paired_passes(corpus: Corpus, level: str) -> pd.DataFrame | None:
    """Both raw annotation passes side by side (``labels_a``, ``labels_b``) at ``level``, or None."""
    try:
        first, second = corpus.annotation_pass("a"), corpus.annotation_pass("b")
    except InputError:
        return None
    merged = first.merge(second, on=["article", "level", "index"], suffixes=("_a", "_b"))
    return merged[merged["level"] == level]


def _kappas(paired: pd.DataFrame | None) -> dict[str, float]:
    from sklearn.metrics import cohen_kappa_score

    if paired is None or paired.empty:
        return {}
    result = {}
    for label in LABELS:
        a = [label in value.split(";") for value in paired["labels_a"]]
        b = [label in value.split(";") for value in paired["labels_b"]]
        result[label] = round(float(cohen_kappa_score(a, b)), 3)
    return result


def agreement(corpus: Corpus, level: str = "paragraph") -> dict[str, float]:
    """Cohen's kappa per label between the two raw annotation passes."""
    return _kappas(_paired_passes(corpus, level))


def agreement_by_batch(corpus: Corpus, level: str = "paragraph") -> dict[str, dict[str, float]]:
    """Cohen's kappa per label for each writer batch (``batch`` in ``articles.csv``)."""
    paired = _paired_passes(corpus, level)
    if paired is None:
        return {}
    batch_of = corpus.articles.set_index("id")["batch"]
    return {batch: _kappas(rows) for batch, rows in paired.groupby(paired["article"].map(batch_of))}


def corpus_stats(corpus: Corpus) -> dict:
    """The corpus in numbers, computed from the files (``python -m analysis corpus``)."""
    paragraphs = corpus.passages("paragraph")
    sentences = corpus.passages("sentence")
    matrix = label_matrix(paragraphs)
    theatres = paragraphs.groupby("theatre").size().sort_index()
    styles = corpus.articles.groupby("style").size().sort_index()
    return {
        "articles": int(len(corpus.articles)),
        "paragraphs": int(len(paragraphs)),
        "sentences": int(len(sentences)),
        "labels": {label: int(matrix[:, j].sum()) for j, label in enumerate(LABELS)},
        "multi_label": int((matrix.sum(axis=1) > 1).sum()),
        "other": int((matrix.sum(axis=1) == 0).sum()),
        "theatres": {name: int(n) for name, n in theatres.items()},
        "styles": {name: int(n) for name, n in styles.items()},
        "kappa": agreement(corpus, "paragraph"),
        "kappa_sentence": agreement(corpus, "sentence"),
        "splits": {name: int(n) for name, n in corpus.articles.groupby("split").size().items()},
    }


def label_theatre_table(corpus: Corpus, level: str = "paragraph") -> pd.DataFrame:
    """Passages per label (and other) in each theatre."""
    passages = corpus.passages(level)
    matrix = label_matrix(passages)
    table = pd.DataFrame(matrix, columns=list(LABELS))
    table["other"] = (matrix.sum(axis=1) == 0).astype(int)
    table["passages"] = 1
    table["theatre"] = passages["theatre"].to_numpy()
    return table.groupby("theatre").sum().sort_index()


def hard_cases(corpus: Corpus) -> pd.DataFrame:
    """Paragraphs tagged with a hard-case kind (``kinds.csv``) and their final labels.

    Returns one row per kind: ``paragraphs``, and how many of them carry each label or none.
    """
    path = corpus.root / "kinds.csv"
    columns = ["paragraphs", *LABELS, "other"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    kinds = pd.read_csv(path, dtype={"article": str, "kind": str}, keep_default_na=False)
    tagged = kinds.merge(corpus.passages("paragraph"), on=["article", "paragraph"])
    matrix = label_matrix(tagged)
    table = pd.DataFrame(matrix, columns=list(LABELS))
    table["other"] = (matrix.sum(axis=1) == 0).astype(int)
    table["paragraphs"] = 1
    table["kind"] = tagged["kind"].to_numpy()
    return table.groupby("kind")[columns].sum().sort_values("paragraphs", ascending=False)


def data_card_tables(corpus: Corpus) -> str:
    """The data card's numbers as Markdown tables (``python -m analysis corpus --format markdown``)."""
    stats = corpus_stats(corpus)
    paragraphs = corpus.passages("paragraph")
    sentences = corpus.passages("sentence")
    lines = ["| | count |", "|---|---|"]
    for key in ("articles", "paragraphs", "sentences", "multi_label", "other"):
        lines.append(f"| {key.replace('_', '-')} paragraphs |" if key in ("multi_label", "other")
                     else f"| {key} |")
        lines[-1] += f" {stats[key]} |"
    lines += ["", "Paragraphs per label and theatre:", ""]
    table = label_theatre_table(corpus)
    lines.append("| theatre | passages | " + " | ".join([*LABELS, "other"]) + " |")
    lines.append("|---" * (len(LABELS) + 3) + "|")
    for theatre, row in table.iterrows():
        cells = " | ".join(str(int(row[c])) for c in [*LABELS, "other"])
        lines.append(f"| {theatre} | {int(row['passages'])} | {cells} |")
    lines += ["", "Paragraphs per label and style:", ""]
    matrix = label_matrix(paragraphs)
    frame = pd.DataFrame(matrix, columns=list(LABELS))
    frame["other"] = (matrix.sum(axis=1) == 0).astype(int)
    frame["articles"] = 0
    frame["style"] = paragraphs["style"].to_numpy()
    by_style = frame.groupby("style").sum()
    by_style["articles"] = corpus.articles.groupby("style").size()
    lines.append("| style | articles | paragraphs | " + " | ".join([*LABELS, "other"]) + " |")
    lines.append("|---" * (len(LABELS) + 4) + "|")
    counts = paragraphs.groupby("style").size()
    for style, row in by_style.iterrows():
        cells = " | ".join(str(int(row[c])) for c in [*LABELS, "other"])
        lines.append(f"| {style} | {int(row['articles'])} | {int(counts[style])} | {cells} |")
    lines += ["", "Passage length in words:", "",
              "| level | median | 10th pct | 90th pct | max |", "|---|---|---|---|---|"]
    for name, frame_ in (("paragraph", paragraphs), ("sentence", sentences)):
        words = frame_["text"].str.split().str.len()
        lines.append(f"| {name} | {int(words.median())} | {int(words.quantile(0.1))} | "
                     f"{int(words.quantile(0.9))} | {int(words.max())} |")
    lines += ["", "Cohen's kappa between the two blind passes (before adjudication):", "",
              "| level | " + " | ".join(LABELS) + " |", "|---" * (len(LABELS) + 1) + "|"]
    for name, key in (("paragraph", "kappa"), ("sentence", "kappa_sentence")):
        kappas = " | ".join(f"{stats[key].get(label, float('nan')):.3f}" for label in LABELS)
        lines.append(f"| {name} | {kappas} |")
    lines += ["", "Writer batches (leave-writer-out holds out one at a time), with the paragraph-level kappa:", "",
              "| batch | articles | paragraphs | " + " | ".join(f"κ {label}" for label in LABELS) + " |",
              "|---" * (len(LABELS) + 3) + "|"]
    kappas_by_batch = agreement_by_batch(corpus)
    for batch, ids in corpus.articles.groupby("batch")["id"]:
        kappas = kappas_by_batch.get(batch, {})
        cells = " | ".join(f"{kappas[label]:.3f}" if label in kappas else "-" for label in LABELS)
        lines.append(f"| {batch} | {len(ids)} | {int(paragraphs['article'].isin(set(ids)).sum())} | {cells} |")
    cases = hard_cases(corpus)
    if len(cases):
        lines += ["", "Hard cases tagged by the writers (corpus v2; kinds in `corpus/kinds.csv`), final labels:", "",
                  "| kind | paragraphs | " + " | ".join([*LABELS, "other"]) + " |", "|---" * (len(LABELS) + 3) + "|"]
        for kind, row in cases.iterrows():
            lines.append(f"| {kind} | " + " | ".join(str(int(row[c])) for c in ["paragraphs", *LABELS, "other"]) + " |")
    return "\n".join(lines) + "\n"
