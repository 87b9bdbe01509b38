"""Write the extractor's events on every corpus article and the seed, to compare before and after a change.

    python scripts/snapshot_events.py OUT_DIR [gold keywords default]

writes ``OUT_DIR/events-gold.jsonl`` (gold sentence labels), ``events-keywords.jsonl`` (the keywords
model, through the extractor's own labelling path) and ``events-default.jsonl`` (the default model's
labels, computed once and kept in ``OUT_DIR/labels-default.json`` so a rerun only re-extracts).
Rows are sorted, one JSON object a line; ``diff`` two snapshots to see what a change moved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.articles import Article, read_article  # noqa: E402
from analysis.corpus import load_corpus  # noqa: E402
from analysis.events import events_records, extract_events  # noqa: E402

SEED = ROOT / "seeds" / "000_a59dc000b14f99a5.txt"


def _articles(corpus):
    dates = corpus.articles.set_index("id")["date"].to_dict()
    for article_id in sorted(corpus.texts):
        yield Article(id=article_id, text=corpus.texts[article_id], meta={"date": dates.get(article_id)})
    yield read_article(SEED)


def _default_labels(articles, path: Path) -> dict:
    import pandas as pd

    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {article_id: pd.DataFrame(rows) for article_id, rows in stored.items()}
    from analysis.labelling import label_passages
    from analysis.models import get_model
    from analysis.segment import segment

    model = get_model(None)
    labels = {}
    for article in articles:
        sentences = label_passages(segment(article, "sentence"), model)
        paragraphs = label_passages(segment(article, "paragraph"), model)
        by_paragraph = dict(zip(paragraphs["paragraph"], paragraphs["labels"]))
        sentences["paragraph_labels"] = [by_paragraph.get(p, []) for p in sentences["paragraph"]]
        labels[article.id] = sentences
    path.write_text(json.dumps({article_id: table[["article", "paragraph", "start", "end", "labels",
                                                    "paragraph_labels"]].to_dict("records")
                                for article_id, table in labels.items()}, default=list), encoding="utf-8")
    return _default_labels(articles, path)


def _write(path: Path, rows: list[dict]) -> None:
    lines = sorted(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str) for row in rows)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def main() -> None:
    out = Path(sys.argv[1])
    wanted = set(sys.argv[2:]) or {"gold", "keywords", "default"}
    out.mkdir(parents=True, exist_ok=True)
    from analysis.models import get_model

    corpus = load_corpus()
    articles = list(_articles(corpus))
    gold = corpus.passages("sentence")
    keywords = get_model("keywords")
    rows: dict[str, list[dict]] = {"gold": [], "keywords": [], "default": []}
    default = _default_labels(articles, out / "labels-default.json") if "default" in wanted else {}
    for article in articles:
        labelled = gold[gold["article"] == article.id]
        if len(labelled) and "gold" in wanted:
            rows["gold"] += events_records(extract_events(article, labelled=labelled))
        if "keywords" in wanted:
            rows["keywords"] += events_records(extract_events(article, model=keywords))
        if "default" in wanted:
            rows["default"] += events_records(extract_events(article, labelled=default[article.id]))
    for name in sorted(wanted):
        records = rows[name]
        _write(out / f"events-{name}.jsonl", records)
        print(f"{name}: {len(records)} events")


if __name__ == "__main__":
    main()
