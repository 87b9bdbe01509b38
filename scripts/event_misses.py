"""The miss table: every missed gold event and every spurious event of the tune half and dev, by cause.

    python scripts/event_misses.py                      # writes docs/results/event-misses.md and .json
    python scripts/event_misses.py --splits tune -o /tmp/misses

The extractor is run as evaluation runs it (model labels, and gold passage labels) and its
events are matched to the gold ones by :func:`analysis.events.evaluation.match_events`. A cause
is read off the extractor's own outputs, in this order: a miss that the gold passage labels
recover is the classifier's; one that a relaxed run recovers (a filter switched off by an
:class:`~analysis.events.EventExtractor` parameter) is that filter's; one near an unmatched
prediction is a wrong kind, paragraph or place; one whose paragraph gave its place to another
gold event is a merge; the rest are read from the clauses the reader saw (which places the
gazetteer found there, whether the clause has an attack word, a weapon or a toll). The blind
``test`` half is refused: its misses are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.corpus import load_corpus  # noqa: E402
from analysis.events import EventExtractor  # noqa: E402
from analysis.events import evaluation as scoring  # noqa: E402
from analysis.events.assemble import article_countries  # noqa: E402
from analysis.events.clauses import ATTACK, is_background, read_clause, split_clauses  # noqa: E402
from analysis.events.places import find_mentions  # noqa: E402
from analysis.events.schema import KINDS  # noqa: E402

#: Filters that a relaxed run switches off, by the cause they stand for.
FILTERS = {
    "filter: background clause": {"background": False},
    "filter: not the clause's main place": {"primary_anchors": False},
    "filter: place read as a source or reference": {"place_roles": False},
    "filter: dropped as a shell (no where / what)": {"drop_shells": False},
    "filter: dropped as a retold incursion": {"drop_retold": False},
}
EXAMPLES = 3


def _near(a: dict, b: dict, same_kind: bool = True, same_paragraph: bool = True) -> float:
    if (a["kind"] == b["kind"]) != same_kind or (int(a["paragraph"]) == int(b["paragraph"])) != same_paragraph:
        return 0.0
    return scoring.location_similarity(a, b)


def _matched_gold(predicted: list[dict], gold: list[dict]) -> set[int]:
    return {j for _, j in scoring.match_events(predicted, gold)}


def _same_prediction(a: dict, others: list[dict]) -> bool:
    return any(_near(a, b) >= 2 or (_near(a, b) > 0 and a.get("place") == b.get("place")) for b in others)


class ArticleProbe:
    """One article's gold events and what the extractor's runs and stages made of them."""

    def __init__(self, article, sentences, gold: list[dict], model_events: list[dict] | None,
                 extractors: dict[str, EventExtractor]):
        self.article, self.sentences, self.gold = article, sentences, gold
        self.runs = {name: extractor.extract(article, sentences) for name, extractor in extractors.items()}
        self.predicted = self.runs["rules"]
        self.model_events = model_events
        self.matched = dict((j, i) for i, j in scoring.match_events(self.predicted, gold))
        self.matched_predictions = set(self.matched.values())

    def paragraph_text(self, paragraph: int) -> str:
        rows = self.sentences[self.sentences["paragraph"] == paragraph]
        if rows.empty:
            return ""
        return self.article.text[int(rows["start"].min()):int(rows["end"].max())]

    def clauses(self, paragraph: int) -> list[dict]:
        """The clauses the reader reads in a paragraph, with what it found in each."""
        text, found = self.article.text, []
        anchor_date, countries = self.article.date, article_countries(text)
        rows = self.sentences[self.sentences["paragraph"] == paragraph].sort_values("start")
        for row in rows.itertuples(index=False):
            labels = set(scoring_labels(row.labels))
            sentence = text[row.start:row.end]
            for a, b in split_clauses(sentence):
                start, end = row.start + a, row.start + b
                facts = read_clause(text, start, end, paragraph, anchor_date, countries, bool(ATTACK.search(sentence)))
                found.append({"facts": facts, "labels": labels,
                              "mentions": find_mentions(text[start:end], countries),
                              "background": is_background(facts.text, facts.dates, anchor_date)})
        return found


def scoring_labels(value) -> list[str]:
    if isinstance(value, str):
        return [label for label in value.split(";") if label]
    return list(value) if value is not None else []


def _names_place(mention_name: str, gold: dict) -> bool:
    return bool(gold.get("place")) and scoring.values_equal("place", mention_name, gold["place"])


def miss_cause(probe: ArticleProbe, j: int) -> str:
    """Why gold event ``j`` was not matched with gold passage labels."""
    gold = probe.gold[j]
    for cause in FILTERS:
        if j in _matched_gold(probe.runs[cause], probe.gold):
            return cause
    unmatched = [p for i, p in enumerate(probe.predicted) if i not in probe.matched_predictions]
    if any(_near(p, gold, same_kind=False) > 0 for p in unmatched):
        return "wrong kind (strike / incursion)"
    if any(_near(p, gold, same_paragraph=False) >= 2 for p in unmatched):
        return "told in another paragraph than the gold one"
    if any(_near(p, gold) == 0 and p["kind"] == gold["kind"] and int(p["paragraph"]) == int(gold["paragraph"])
           for p in unmatched):
        return "event found there with another place"
    paragraph = int(gold["paragraph"])
    clauses = probe.clauses(paragraph)
    if not any(c["labels"] & set(KINDS) for c in clauses):
        return "paragraph not labelled strikes / incursions (gold labels)"
    others = [probe.predicted[i] for k, i in probe.matched.items() if k != j and
              probe.gold[k]["kind"] == gold["kind"] and int(probe.gold[k]["paragraph"]) == paragraph]
    if gold.get("place"):
        anchored = [c for c in clauses if any(_names_place(m.name, gold) for m in c["facts"].anchors)]
        named = [c for c in clauses if any(_names_place(m.name, gold) for m in c["mentions"])]
        if not anchored:
            if named:
                return "place read as a source, reference or region only"
            first = gold["place"].split(",")[0].strip().lower()
            if first and first in probe.paragraph_text(paragraph).lower():
                return "place not in gazetteer"
            return "place not named in the paragraph as gold writes it"
        clause = anchored[0]
        if clause["labels"] == {"diplomacy"}:
            return "sentence labelled diplomacy only"
        if clause["background"]:
            return "filter: background clause"
        if not clause["facts"].attack:
            return "no attack word, weapon or toll in the clause"
        if others:
            return "merged into another event of the paragraph"
        if clause["facts"].context and not clause["facts"].strong:
            return "unlabelled sentence with no weapon or toll"
        return "place found, event not founded (reader)"
    if others:
        return "merged into another event of the paragraph"
    if not any(c["facts"].strong for c in clauses):
        return "no place, and no weapon or toll to found an event"
    return "region- or country-wide event not founded (reader)"


def spurious_cause(probe: ArticleProbe, i: int) -> str:
    """Why prediction ``i`` (gold passage labels) matched no gold event."""
    event = probe.predicted[i]
    unmatched_gold = [g for j, g in enumerate(probe.gold) if j not in probe.matched]
    if any(_near(event, g, same_kind=False) > 0 for g in unmatched_gold):
        return "wrong kind (strike / incursion)"
    if any(_near(event, g, same_paragraph=False) >= 2 for g in unmatched_gold):
        return "told in another paragraph than the gold one"
    if any(_near(event, g, same_paragraph=False) >= 2 for g in probe.gold):
        return "attack retold in a later paragraph"
    matched_here = [probe.predicted[k] for k in probe.matched_predictions]
    if _same_prediction(event, matched_here):
        return "one event split in two"
    paragraph_gold = [g for g in probe.gold if g["kind"] == event["kind"]
                      and int(g["paragraph"]) == int(event["paragraph"])]
    if any(g is u for g in paragraph_gold for u in unmatched_gold):
        return "wrong place for a gold event of the paragraph"
    if paragraph_gold:
        return "extra place in a paragraph with gold events"
    if not event.get("place"):
        return "unplaced event in a paragraph with no gold event"
    return "placed event in a paragraph with no gold event"


def _example(probe: ArticleProbe, event: dict, what: str) -> dict:
    text = " ".join(probe.paragraph_text(int(event["paragraph"])).split())
    if what == "spurious":
        text = " ".join(probe.article.text[int(event["start"]):int(event["end"])].split())
    else:
        # the words around the gold place, where the paragraph names it
        at = text.lower().find((event.get("place") or "").split(",")[0].strip().lower() or "\0")
        text = text[max(0, at - 80):] if at > 80 else text
    return {"article": probe.article.id, "paragraph": int(event["paragraph"]), "kind": event["kind"],
            "place": event.get("place") or event.get("admin_region") or event.get("country"),
            "text": text[:180]}


def collect(corpus, split: str, model) -> dict:
    """Causes of the misses and spurious events of one split, with counts and examples."""
    extractors = {"rules": EventExtractor(), **{cause: EventExtractor(**p) for cause, p in FILTERS.items()}}
    model_extractor = EventExtractor(model)
    misses, spurious = defaultdict(list), defaultdict(list)
    totals = Counter()
    for _, article, sentences, gold in scoring.gold_articles(corpus, split, True):
        model_events = model_extractor.extract(article)
        probe = ArticleProbe(article, sentences, gold, model_events, extractors)
        model_found = _matched_gold(model_events, gold)
        model_pairs = scoring.match_events(model_events, gold)
        totals.update(gold=len(gold), predicted=len(model_events), matched=len(model_pairs))
        for j, event in enumerate(gold):
            if j in model_found:
                continue
            cause = "classifier: passage not labelled (gold labels find it)" if j in probe.matched else \
                miss_cause(probe, j)
            misses[cause].append(_example(probe, event, "miss"))
        matched_model = {i for i, _ in model_pairs}
        gold_spurious = [probe.predicted[i] for i in range(len(probe.predicted)) if i not in probe.matched_predictions]
        for i, event in enumerate(model_events):
            if i in matched_model:
                continue
            twin = next((k for k, p in enumerate(probe.predicted) if k not in probe.matched_predictions
                         and p["kind"] == event["kind"] and int(p["paragraph"]) == int(event["paragraph"])
                         and p.get("place") == event.get("place") and p.get("country") == event.get("country")),
                        None)
            if twin is None:
                cause = "classifier: labelled a passage the gold labels do not" if not any(
                    _near(event, p) > 0 for p in gold_spurious) else "classifier: other labels, other reading"
            else:
                cause = spurious_cause(probe, twin)
            spurious[cause].append(_example(probe, event, "spurious"))
    return {"split": split, "totals": dict(totals), "misses": _table(misses), "spurious": _table(spurious)}


def _table(found: dict) -> list[dict]:
    return [{"cause": cause, "count": len(rows), "examples": rows[:EXAMPLES]}
            for cause, rows in sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))]


def markdown(results: list[dict]) -> str:
    lines = ["# Event misses by cause", "",
             f"Written by `python scripts/event_misses.py` with the rules of commit {_commit()} (model passage",
             "labels, as `evaluate-events` scores by default; causes read from the extractor's own runs and stages,",
             "see the script's docstring). The blind test half is not read.", ""]
    for result in results:
        totals = result["totals"]
        lines += [f"## {result['split']}: {totals['gold']} gold events, {totals['predicted']} predicted, "
                  f"{totals['matched']} matched", ""]
        for what in ("misses", "spurious"):
            count = sum(row["count"] for row in result[what])
            lines += [f"### {'Missed gold events' if what == 'misses' else 'Spurious events'} ({count})", "",
                      "| cause | count | examples (article ¶paragraph, place: text) |", "|---|---:|---|"]
            for row in result[what]:
                examples = "<br>".join(f"{e['article']} ¶{e['paragraph']} {e['kind']}, {e['place']}: "
                                       f"{e['text'].replace('|', '/')}" for e in row["examples"])
                lines.append(f"| {row['cause']} | {row['count']} | {examples} |")
            lines.append("")
    return "\n".join(lines)


def _commit() -> str:
    import subprocess

    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "analysis"], capture_output=True,
                           text=True).stdout.strip()
    return (found.stdout.strip() or "unknown") + (" with uncommitted changes" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", choices=("tune", "dev"), default=["tune", "dev"])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "results" / "event-misses"),
                        help="path without extension: .md and .json are written")
    args = parser.parse_args()
    from analysis.models import get_model

    corpus, model = load_corpus(), get_model(None)
    results = [collect(corpus, split, model) for split in args.splits]
    Path(f"{args.output}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    Path(f"{args.output}.md").write_text(markdown(results), encoding="utf-8")
    for result in results:
        print(result["split"], result["totals"])
        for what in ("misses", "spurious"):
            for row in result[what]:
                print(f"  {what:8} {row['count']:4}  {row['cause']}")


if __name__ == "__main__":
    main()
