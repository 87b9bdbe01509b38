"""Assemble the corpus from the annotators' draft files (run once per corpus revision).

Inputs: ``corpus/drafts/<batch>/<id>.json`` (corpus v1), ``corpus/drafts-v2/<batch>/<id>.json``
(corpus v2) and ``corpus/drafts-v3/<batch>/<id>.json`` (corpus v3): articles written here, with
the writer's annotation pass and, from v2 on, the hard-case ``kinds`` of each paragraph;
``corpus/annotations/blind/<batch>.tsv`` (the blind second pass) and
``corpus/annotations/adjudication.csv`` (decisions on disagreements). Outputs the plain text
articles, ``articles.csv``, ``labels.csv``, ``kinds.csv``, both raw passes and the writers' raw
events.

A draft that carries a ``split`` keeps it, so earlier versions' test articles stay test articles
when a version is added; the others are split a quarter to test per theatre, among themselves.

    python scripts/build_corpus.py [--drafts DIR ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

LABELS = ("diplomacy", "strikes", "incursions")
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TEST_SHARE = 0.25
# Leave-theatres-out folds: every theatre is held out once, with theatres of
# different kinds (spill-over heavy, strike heavy, mixed) spread across folds.
LTO_FOLDS = {
    "russia-ukraine": 0,
    "israel-gaza": 1,
    "koreas": 1,
    "sudan": 1,
    "israel-iran": 2,
    "china-taiwan": 2,
    "drc-rwanda": 2,
    "none": 2,
    "israel-lebanon": 3,
    "red-sea": 3,
    "india-pakistan": 3,
    "armenia-azerbaijan": 3,
    # corpus v2 theatres, spread so that each fold holds about a quarter of the articles
    "myanmar": 0,
    "ethiopia": 0,
    "libya": 0,
    "iraq": 0,
    "baltic": 1,
    "yemen": 1,
    "drc": 1,
    "somalia": 1,
    "afghanistan-pakistan": 1,
    "sahel": 2,
    "colombia": 2,
    "mexico": 2,
    "black-sea": 3,
    "syria": 3,
    "nigeria": 3,
}


def norm(labels) -> str:
    labels = [label.strip() for label in labels if label.strip() and label.strip() not in ("-", "other")]
    bad = [label for label in labels if label not in LABELS]
    if bad:
        raise ValueError(f"unknown labels {bad}")
    return ";".join(label for label in LABELS if label in labels)


def load_drafts(folders: list[Path]) -> list[dict]:
    articles = []
    for path in sorted(path for drafts in folders for path in drafts.glob("*/*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        article["batch"] = path.parent.name
        assert article["id"] == path.stem, path
        articles.append(article)
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids)), "duplicate article ids"
    return articles


def passages(article: dict):
    """Yield (level, index, paragraph, key, start, end, labels) with offsets into the text."""
    text_parts, offset, sentence_index = [], 0, 0
    rows = []
    for p, paragraph in enumerate(article["paragraphs"]):
        sentences = [s["text"].strip() for s in paragraph["sentences"]]
        p_text = " ".join(sentences)
        p_start = offset
        rows.append(("paragraph", p, p, f"P{p}", p_start, p_start + len(p_text), norm(paragraph["labels"])))
        s_offset = p_start
        for s, sentence in enumerate(paragraph["sentences"]):
            s_text = sentence["text"].strip()
            key = f"P{p}S{s}" if len(sentences) > 1 else f"P{p}"
            labels = norm(sentence["labels"])
            rows.append(("sentence", sentence_index, p, key, s_offset, s_offset + len(s_text), labels))
            sentence_index += 1
            s_offset += len(s_text) + 1
        text_parts.append(p_text)
        offset += len(p_text) + 2
    return "\n\n".join(text_parts) + "\n", rows


def paragraphs_cover_sentences(rows: list[dict]) -> int:
    """Give each paragraph every label one of its sentences carries (one article's final rows).

    An adjudicated sentence can gain a label that the agreed paragraph lacked; a paragraph
    reports what its sentences report. Returns how many paragraphs were widened.
    """
    from_sentences: dict[int, set] = {}
    for row in rows:
        if row["level"] == "sentence":
            from_sentences.setdefault(row["paragraph"], set()).update(x for x in row["labels"].split(";") if x)
    widened = 0
    for row in rows:
        if row["level"] == "paragraph":
            have = {x for x in row["labels"].split(";") if x}
            if not from_sentences.get(row["paragraph"], set()) <= have:
                row["labels"] = norm(have | from_sentences[row["paragraph"]])
                widened += 1
    return widened


def assign_splits(articles: list[dict]) -> dict[str, str]:
    """Test split: a quarter of each theatre's articles, drawn with a fixed seed.

    Articles whose draft already names its split keep it and take no part in the draw.
    """
    split = {article["id"]: article["split"] for article in articles if article.get("split")}
    by_theatre: dict[str, list[str]] = {}
    for article in articles:
        if not article.get("split"):
            by_theatre.setdefault(article["theatre"], []).append(article["id"])
    rng = random.Random(20250820)
    for theatre in sorted(by_theatre):
        ids = sorted(by_theatre[theatre])
        rng.shuffle(ids)
        n_test = max(1, round(len(ids) * TEST_SHARE))
        for i, article_id in enumerate(ids):
            split[article_id] = "test" if i < n_test else "train"
    return split


def read_blind(path: Path) -> dict[tuple[str, str], str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        article, key, labels = (line.split("\t") + ["", ""])[:3]
        out[(article.strip(), key.strip())] = norm(labels.replace(";", ",").split(","))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=Path, nargs="+",
                        default=[CORPUS / "drafts", CORPUS / "drafts-v2", CORPUS / "drafts-v3"])
    args = parser.parse_args()
    articles = load_drafts(args.drafts)
    splits = assign_splits(articles)
    (CORPUS / "articles").mkdir(parents=True, exist_ok=True)
    annotations = CORPUS / "annotations"
    annotations.mkdir(exist_ok=True)
    blind: dict[tuple[str, str], str] = {}
    for path in sorted((annotations / "blind").glob("*.tsv")):
        blind.update(read_blind(path))
    adjudicated = {}
    adjudication_file = annotations / "adjudication.csv"
    if adjudication_file.is_file():
        with open(adjudication_file, encoding="utf-8") as stream:
            for row in csv.DictReader(stream):
                adjudicated[(row["article"], row["key"])] = norm(row["labels"].split(";"))

    meta_rows, pass_a, pass_b, final, events, kinds = [], [], [], [], [], []
    widened = 0
    for article in articles:
        text, rows = passages(article)
        (CORPUS / "articles" / f"{article['id']}.txt").write_text(text, encoding="utf-8")
        meta_rows.append({
            "id": article["id"], "title": article["title"], "outlet": article["outlet"],
            "date": article["date"], "theatre": article["theatre"], "style": article["style"],
            "batch": article["batch"], "split": splits[article["id"]],
            "lto_fold": LTO_FOLDS[article["theatre"]],
        })
        for level, index, paragraph, key, start, end, labels in rows:
            base = {"article": article["id"], "level": level, "index": index, "paragraph": paragraph,
                    "key": key, "start": start, "end": end}
            pass_a.append({**base, "labels": labels})
            if (article["id"], key) in blind:
                pass_b.append({**base, "labels": blind[(article["id"], key)]})
            decided = adjudicated.get((article["id"], key), labels)
            # Codebook v1.1: a bare question reports nothing, whatever its answer says.
            if text[start:end].rstrip().endswith("?") and (level == "sentence" or text[start:end].count("?") == 1
                                                            and "." not in text[start:end]):
                decided = ""
            final.append({**base, "labels": decided})
        widened += paragraphs_cover_sentences(final[-len(rows):])
        for p, paragraph in enumerate(article["paragraphs"]):
            kinds.extend({"article": article["id"], "paragraph": p, "kind": kind}
                         for kind in paragraph.get("kinds", []))
        paragraph_spans = {r[1]: (r[4], r[5]) for r in rows if r[0] == "paragraph"}
        for event in article.get("events", []):
            start, end = paragraph_spans[event["paragraph"]]
            events.append({"article": article["id"], "start": start, "end": end, **event})

    def write(path: Path, rows: list[dict], fieldnames=None) -> None:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=fieldnames or list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    write(CORPUS / "articles.csv", meta_rows)
    write(annotations / "pass_a.csv", pass_a)
    if pass_b:
        write(annotations / "pass_b.csv", pass_b)
    write(CORPUS / "labels.csv", final)
    write(CORPUS / "kinds.csv", kinds, ["article", "paragraph", "kind"])
    # The writers' events are raw: scripts/build_events.py normalises them into the gold sets.
    with open(CORPUS / "annotations" / "events" / "writers.jsonl", "w", encoding="utf-8") as stream:
        for event in events:
            stream.write(json.dumps(event, ensure_ascii=False) + "\n")
    print(f"{len(articles)} articles, {len(final)} labelled passages, {len(pass_b)} blind labels, "
          f"{len(adjudicated)} adjudicated, {widened} paragraphs widened to their sentences' labels, "
          f"{len(events)} gold events")


if __name__ == "__main__":
    main()
