"""Assemble the gold event sets from the annotators' files (run once per annotation round).

Inputs in ``corpus/annotations/events/``: ``normalised-*.jsonl`` (the writers' events
brought into line with ``docs/events-guide.md``; changes logged in ``normalisation-*.csv``),
``heldout-*.jsonl`` (blind annotation of every other article with a strike or incursion
paragraph) and ``second.jsonl`` (a second blind pass over a sample of the held-out
articles, listed in ``second-articles.txt``). Corpus v2: ``v2-*.jsonl`` (blind annotation of
the v2 articles listed in ``v2-articles.txt``, by paragraph index; offsets are filled in
here) and ``v2-second.jsonl`` (a second blind pass over ``v2-second-articles.txt``). The v1
halves stay as they were drawn; v2 articles are halved among themselves with their own seed.
Outputs ``corpus/events.jsonl`` (dev),
``corpus/events-heldout.jsonl``, ``corpus/events-articles.csv``,
``corpus/annotations/events/normalisation.csv``, ``corpus/annotations/events/conventions.csv`` (changes made
in every set by a rule the guide added later) and ``docs/results/events-agreement.json``.

    python scripts/build_events.py
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import formats  # noqa: E402
from analysis.corpus import load_corpus  # noqa: E402
from analysis.events.evaluation import annotator_agreement  # noqa: E402

KEYS = ["article", "start", "end", "paragraph", "kind", "date", "attacker", "target", "place",
        "admin_region", "country", "weapon", "weapon_type", "killed", "killed_at_least", "wounded",
        "wounded_at_least", "violated_state", "distance_km"]
EVENTS = ROOT / "corpus" / "annotations" / "events"


def read_jsonl(paths) -> list[dict]:
    events = []
    for path in sorted(paths):
        with path.open(encoding="utf-8") as handle:
            events += [json.loads(line) for line in handle if line.strip()]
    return events


def checked(events: list[dict], paragraphs: dict, source: str) -> list[dict]:
    """Events with their keys in order; raise on a key, kind or offset that breaks the guide."""
    rows = []
    for number, event in enumerate(events, 1):
        where = f"{source}: event {number} ({event.get('article')}, paragraph {event.get('paragraph')})"
        if set(event) - {"evidence"} != set(KEYS):
            raise SystemExit(f"{where}: keys differ from the guide: {sorted(set(event) ^ set(KEYS))}")
        if event["kind"] not in ("strike", "incursion"):
            raise SystemExit(f"{where}: unknown kind {event['kind']!r}")
        span = paragraphs.get((event["article"], int(event["paragraph"])))
        if span != (event["start"], event["end"]):
            raise SystemExit(f"{where}: offsets {event['start']}-{event['end']} are not the paragraph's {span}")
        for name in ("killed", "wounded"):
            if event[name] is not None and not (isinstance(event[name], int) and event[name] >= 0):
                raise SystemExit(f"{where}: {name} must be a whole number or null")
        rows.append({key: event[key] for key in KEYS})
    return sorted(rows, key=lambda e: (e["article"], e["paragraph"]))


_ZERO_PHRASE = re.compile(r"[^.]*\b(?:no|nobody|none|without|unharmed)\b[^.]*", re.I)
_DEATH_WORD = re.compile(r"\b(?:killed|kill|casualt\w*|victims?|deaths?|dead|fatalit\w*|loss of life|lives)\b",
                         re.I)


def literal_zero_deaths(events: list[dict], texts: dict, log: list[dict]) -> None:
    """Guide v1.1: "nobody was hurt" or "no injuries" give ``wounded`` 0 and leave ``killed`` unknown.

    The writers had also set ``killed`` to 0 for such sentences; the blind annotators had not. An event
    whose paragraph says only that nobody was hurt (a "no ..." phrase with no word about deaths) gets
    ``killed`` null; each change is logged.
    """
    for event in events:
        if event["killed"] != 0:
            continue
        phrases = _ZERO_PHRASE.findall(texts[(event["article"], event["paragraph"])])
        if phrases and not any(_DEATH_WORD.search(phrase) for phrase in phrases):
            log.append({"article": event["article"], "paragraph": event["paragraph"], "action": "edit",
                        "field": "killed", "before": 0, "after": "", "rule": "3 v1.1: injuries only; deaths unknown"})
            event["killed"], event["killed_at_least"] = None, False


def write_jsonl(path: Path, events: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for event in events:
            stream.write(json.dumps(event, ensure_ascii=False) + "\n")


def with_offsets(events: list[dict], paragraphs: dict) -> list[dict]:
    """Events written by paragraph index, with that paragraph's offsets added."""
    out = []
    for event in events:
        start, end = paragraphs.get((event["article"], int(event["paragraph"])), (None, None))
        out.append({**event, "start": start, "end": end})
    return out


def article_list(path: Path) -> list[str]:
    return sorted(set(path.read_text(encoding="utf-8").split())) if path.is_file() else []


def main() -> None:
    corpus = load_corpus()
    table = corpus.labels[corpus.labels["level"] == "paragraph"]
    paragraphs = {(a, int(i)): (int(s), int(e))
                  for a, i, s, e in zip(table["article"], table["index"], table["start"], table["end"])}
    dev_articles = sorted({e["article"] for e in read_jsonl([EVENTS / "writers.jsonl"])})
    dev = checked(read_jsonl(EVENTS.glob("normalised-*.jsonl")), paragraphs, "normalised")
    heldout = checked(read_jsonl(EVENTS.glob("heldout-*.jsonl")), paragraphs, "heldout")
    second = checked(read_jsonl([EVENTS / "second.jsonl"]), paragraphs, "second")
    v2_articles = article_list(EVENTS / "v2-articles.txt")
    v2 = checked(with_offsets(read_jsonl(EVENTS.glob("v2-[0-9]*.jsonl")), paragraphs), paragraphs, "v2")
    v2_second_articles = article_list(EVENTS / "v2-second-articles.txt")
    v2_second = checked(with_offsets(read_jsonl(EVENTS.glob("v2-second.jsonl")), paragraphs), paragraphs,
                        "v2-second")
    texts = {(a, int(i)): corpus.texts[a][s:e] for (a, i), (s, e) in paragraphs.items()}
    conventions: list[dict] = []
    for events in (dev, heldout, second, v2, v2_second):
        literal_zero_deaths(events, texts, conventions)
    # v1's held-out articles are its labelled ones; later corpus versions list theirs explicitly.
    v1_batches = {path.name for path in (ROOT / "corpus" / "drafts").iterdir() if path.is_dir()}
    v1_ids = set(corpus.articles.loc[corpus.articles["batch"].isin(v1_batches), "id"])
    labelled = table[table["labels"].str.contains("strikes|incursions") & table["article"].isin(v1_ids)]
    heldout_articles = sorted(set(labelled["article"]) - set(dev_articles))
    stray = {e["article"] for e in heldout} - set(heldout_articles)
    stray |= {e["article"] for e in v2} - set(v2_articles)
    if stray or {e["article"] for e in dev} - set(dev_articles):
        raise SystemExit(f"events for articles outside their split: {sorted(stray)}")
    write_jsonl(ROOT / "corpus" / "events.jsonl", dev)
    heldout_events = sorted(heldout + v2, key=lambda e: (e["article"], e["paragraph"]))
    write_jsonl(ROOT / "corpus" / "events-heldout.jsonl", heldout_events)
    # Halves of the held-out set: "A" (tune) was opened for error analysis after the first
    # held-out run; "B" (test) stays blind. v2 articles are halved apart, so v1's halves never move.
    tune = set(random.Random(2026).sample(heldout_articles, len(heldout_articles) // 2))
    tune |= set(random.Random(2027).sample(v2_articles, len(v2_articles) // 2))
    heldout_articles = heldout_articles + v2_articles
    with (ROOT / "corpus" / "events-articles.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["article", "split", "half"])
        writer.writerows([(a, "dev", "") for a in dev_articles] +
                         [(a, "heldout", "A" if a in tune else "B") for a in heldout_articles])
    logs = []
    for path in sorted(EVENTS.glob("normalisation-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            logs += list(csv.DictReader(handle))
    with (EVENTS / "normalisation.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["article", "paragraph", "action", "field", "before", "after",
                                                    "rule"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(logs, key=lambda r: (r["article"], int(r["paragraph"] or -1))))
    with (EVENTS / "conventions.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["article", "paragraph", "action", "field", "before", "after",
                                                    "rule"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(conventions)
    sample = (EVENTS / "second-articles.txt").read_text(encoding="utf-8").split()
    agreement = annotator_agreement(heldout, second, sample)
    if v2_second_articles:
        agreement = {**agreement, "v2": annotator_agreement(v2, v2_second, v2_second_articles)}
    (ROOT / "docs" / "results" / "events-agreement.json").write_text(formats.dumps(agreement), encoding="utf-8")
    print(f"dev: {len(dev)} events in {len(dev_articles)} articles ({len(logs)} logged changes, "
          f"{len(conventions)} by guide v1.1 conventions in all sets); "
          f"held-out: {len(heldout) + len(v2)} events in {len(heldout_articles)} articles "
          f"({len(v2)} events in {len(v2_articles)} v2 articles); "
          f"agreement on {len(sample)} articles: event F1 {agreement['events']['f1']}")


if __name__ == "__main__":
    main()
