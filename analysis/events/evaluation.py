"""Score extracted events against gold events, field by field.

Gold events follow ``docs/events-guide.md``. Two gold sets exist: the
development set (``corpus/events.jsonl`` plus the seed article), on which the
extraction rules were written, and the held-out set
(``corpus/events-heldout.jsonl``), annotated blind and never used to change the
rules. :func:`evaluate_events` scores either; :func:`annotator_agreement`
compares two annotators with the same matching and scoring.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.articles import Article
from analysis.events.lexicon import FACILITY_WORDS, rules_table
from analysis.events.names import normalise
from analysis.events.pipeline import extract_events
from analysis.events.schema import EVALUATED_FIELDS, ROOT, SEED_DIR, SEED_ID

GOLD_FILES = {"dev": "events.jsonl", "heldout": "events-heldout.jsonl"}
#: Every article annotated for events and its split, so that articles whose
#: gold list is empty still count the events the extractor invents there.
ANNOTATED_ARTICLES = "events-articles.csv"
#: ``tune`` and ``test`` are the two halves of the held-out set: after the first held-out
#: run, ``tune`` was opened for error analysis and ``test`` stayed blind.
SPLITS = ("dev", "heldout", "tune", "test", "all")

_ADMIN_SUFFIX = re.compile(r"\b(?:region|regions|oblast|province|governorate|district|county|state|prefecture|"
                           r"voivodeship|countryside)\b")
_PLACE_QUALIFIER = re.compile(r"^(?:(?:(?:north|south)\s?(?:east|west)?|east|west)(?:ern)?"
                              r"\s+(?:of\s+)?|central\s+|outskirts of\s+|near\s+|off\s+|the\s+)+")


@cache
def field_aliases(name: str) -> dict[str, str]:
    """Normalised alias -> normalised value for one evaluated field, from ``rules/aliases.csv``.

    The same table the extractor reads its actor and country names from; the rows
    marked for a field in its ``evaluate`` column fold gold and predicted values
    together ("RSF" and "Rapid Support Forces"). Country codes stand for their names.
    """
    from analysis.events.countries import country_names

    folded = {}
    for row in rules_table("aliases"):
        if name in row["evaluate"].split():
            means = country_names()[row["means"]] if row["kind"] == "country" else row["means"]
            folded[normalise(row["alias"])] = normalise(means)
    return folded

def _norm_value(name: str, value):
    """Normalise one field value for comparison; None for missing or empty values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if name in ("killed_at_least", "wounded_at_least"):
        return True if value else None
    if name in ("killed", "wounded"):
        return int(value)
    if name == "distance_km":
        return float(value)
    text = normalise(value)
    if not text:
        return None
    if name == "admin_region":
        text = re.sub(r"\s+", " ", _ADMIN_SUFFIX.sub("", text)).strip()
    elif name == "attacker":
        text = field_aliases("attacker").get(text, text)
    elif name in ("country", "violated_state"):
        text = field_aliases("country").get(text, text)
    elif name == "weapon":
        text = field_aliases("weapon").get(text, text)
    elif name == "target":
        text = " ".join(re.sub(r"s$", "", word) for word in text.split())
    return text


def _place_parts(value) -> set[str]:
    """A place value and each place it lists, without direction words or generic nouns.

    "Tal al-Sultan, Rafah" -> {"tal al sultan rafah", "tal al sultan", "rafah"};
    "east of Khan Younis" -> {..., "khan younis"}; "Shati refugee camp" -> {..., "shati"}.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return set()
    parts = {normalise(value)}
    for part in re.split(r",|;|\band\b|\bnear\b|\(|\)", str(value)):
        part = normalise(part)
        part = re.sub(r"^.*\b(?:of|off|around|near)\s+(?:the\s+)?", "", part)
        part = _PLACE_QUALIFIER.sub("", part).strip()
        part = re.sub(r"\s+(?:refugee camp|camp|district|neighbourhood|area|sector|directions?|region|province|"
                      r"county|governorate|oblast|prefecture|parts?|corner)$", "", part)
        if part and part not in FACILITY_WORDS and part != "shoal":
            parts.add(part)
    return {part for part in parts if part}


def values_equal(name: str, predicted, gold) -> bool:
    """Whether a predicted field value counts as correct against the gold value.

    Strings are compared after :func:`normalise` plus field-specific folding
    (region suffixes, attacker and country aliases, plural target nouns);
    places also match when one names a part of the other ("Zeitoun, Gaza City"
    and "Gaza City", "east of Khan Younis" and "Khan Younis"); distances within 10 %.
    """
    if name == "place":
        a, b = _place_parts(predicted), _place_parts(gold)
        return bool(a and b and a & b)
    p, g = _norm_value(name, predicted), _norm_value(name, gold)
    if p is None or g is None:
        return False
    if name == "distance_km":
        return abs(p - g) <= max(1.0, 0.1 * g)
    return p == g


def location_similarity(predicted: dict, gold: dict) -> float:
    """How well two events' locations agree: 0 means they cannot be the same event."""
    if predicted.get("place") and gold.get("place"):
        if not values_equal("place", predicted["place"], gold["place"]):
            return 0.0
        return 3.0
    admin = values_equal("admin_region", predicted.get("admin_region"), gold.get("admin_region"))
    if predicted.get("place") or gold.get("place"):
        cross = values_equal("place", predicted.get("place") or predicted.get("admin_region"),
                             gold.get("place") or gold.get("admin_region"))
        country = values_equal("country", predicted.get("country"), gold.get("country"))
        return 2.0 if admin or cross else (0.5 if country else 0.0)
    country = values_equal("country", predicted.get("country"), gold.get("country"))
    both_empty = not predicted.get("country") and not gold.get("country")
    return 2.0 if admin else (1.0 if country or both_empty else 0.0)


def match_events(predicted: list[dict], gold: list[dict]) -> list[tuple[int, int]]:
    """Pair predicted and gold events of one article, greedily by location similarity.

    Candidates must share ``kind`` and ``paragraph`` and have a positive
    :func:`location_similarity`; the pair with the highest similarity is
    taken first (ties: earlier gold, then earlier prediction), and each event
    is used once.
    """
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if p["kind"] != g["kind"] or int(p["paragraph"]) != int(g["paragraph"]):
                continue
            score = location_similarity(p, g)
            if score > 0:
                candidates.append((-score, j, i))
    pairs, used_p, used_g = [], set(), set()
    for _, j, i in sorted(candidates):
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score_events(predicted: list[dict], gold: list[dict], pairs: list[tuple[int, int]], counts: dict) -> None:
    """Add one article's true/false positives and misses per field to ``counts``.

    Besides ``tp``/``fp``/``fn``, each field counts ``matched`` (matched pairs
    whose gold event has a value) and ``matched_correct`` (of those, the ones
    predicted right), which separates wrong values from missed or extra events.
    """
    matched_p = {i: j for i, j in pairs}
    matched_g = {j for _, j in pairs}
    for name in EVALUATED_FIELDS:
        tally = counts.setdefault(name, {"tp": 0, "fp": 0, "fn": 0, "support": 0, "matched": 0,
                                         "matched_correct": 0})
        for i, p in enumerate(predicted):
            has_p = _norm_value(name, p.get(name)) is not None
            if i not in matched_p:
                tally["fp"] += has_p
                continue
            g = gold[matched_p[i]]
            has_g = _norm_value(name, g.get(name)) is not None
            tally["matched"] += has_g
            if has_p and has_g and values_equal(name, p.get(name), g.get(name)):
                tally["tp"] += 1
                tally["matched_correct"] += 1
            else:
                tally["fp"] += has_p
                tally["fn"] += has_g
        for j, g in enumerate(gold):
            has_g = _norm_value(name, g.get(name)) is not None
            tally["support"] += has_g
            if j not in matched_g:
                tally["fn"] += has_g
    events = counts.setdefault("_events", {"tp": 0, "fp": 0, "fn": 0, "support": 0})
    events["tp"] += len(pairs)
    events["fp"] += len(predicted) - len(pairs)
    events["fn"] += len(gold) - len(pairs)
    events["support"] += len(gold)


def summarise_counts(counts: dict) -> dict:
    events = counts.pop("_events", {"tp": 0, "fp": 0, "fn": 0, "support": 0})
    fields = {}
    for name, c in counts.items():
        accuracy = round(c["matched_correct"] / c["matched"], 4) if c["matched"] else None
        fields[name] = {**_prf(c["tp"], c["fp"], c["fn"]), "support": c["support"],
                        "accuracy_on_matched": accuracy}
    return {"events": {**_prf(events["tp"], events["fp"], events["fn"]), "support": events["support"]},
            "fields": fields}


def load_gold_events(path: str | Path | None = None) -> list[dict]:
    """Gold events from a JSON-lines file (default: the development set, ``corpus/events.jsonl``)."""
    path = Path(path) if path else ROOT / "corpus" / GOLD_FILES["dev"]
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_seed_events() -> list[dict]:
    """Gold events of the seed article."""
    path = SEED_DIR / f"{SEED_ID}.events.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _seed_article() -> Article:
    from analysis.articles import read_article

    return read_article(SEED_DIR / f"{SEED_ID}.txt")


def _seed_labels() -> pd.DataFrame:
    table = pd.read_csv(SEED_DIR / f"{SEED_ID}.labels.csv", dtype={"labels": str}, keep_default_na=False)
    return table[table["level"] == "sentence"].reset_index(drop=True)


def gold_events(corpus, split: str = "dev") -> dict[str, list[dict]]:
    """Gold events of one split, grouped by article id (the seed is part of ``dev``)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    names = ("dev", "heldout") if split == "all" else ("heldout",) if split in ("tune", "test") else (split,)
    listing = pd.read_csv(Path(corpus.root) / ANNOTATED_ARTICLES, dtype=str, keep_default_na=False)
    if split in ("tune", "test"):
        listing = listing[listing["half"] == {"tune": "A", "test": "B"}[split]]
    grouped: dict[str, list[dict]] = {}
    for name in names:
        for article_id in listing.loc[listing["split"] == name, "article"]:
            if article_id in corpus.texts:
                grouped[article_id] = []
        for event in load_gold_events(Path(corpus.root) / GOLD_FILES[name]):
            if event["article"] in grouped:
                grouped[event["article"]].append(event)
        if name == "dev":
            grouped[SEED_ID] = load_seed_events()
    return grouped


def evaluate_events(corpus=None, use_gold_labels: bool = False, model=None, split: str = "dev") -> dict:
    """Score :func:`analysis.events.extract_events` on the gold events of one split.

    Parameters
    ----------
    corpus : Corpus, optional
        From :func:`analysis.corpus.load_corpus` (loaded when None).
    use_gold_labels : bool
        Label sentences with the corpus' gold labels instead of the model, to
        separate extraction errors from classification errors.
    model : optional
        The passage model when ``use_gold_labels`` is False (default: the
        default model of :func:`analysis.models.get_model`).
    split : {"dev", "heldout", "tune", "test", "all"}
        ``dev``: the events the rules were written on, plus the seed;
        ``heldout``: the blind set, whose halves are ``tune`` (opened for error
        analysis after the first held-out run) and ``test`` (never inspected);
        ``all``: dev and held-out.

    Returns
    -------
    dict
        ``{"events": {precision, recall, f1, support}, "fields": {field:
        {precision, recall, f1, support, accuracy_on_matched}}, "articles": n,
        "split": split, "labels": "gold" or the model name}``. Events are
        matched within an article by kind, paragraph and place
        (:func:`match_events`); a field is a true positive when a matched pair
        has equal values (:func:`values_equal`), every other predicted value is
        a false positive and every other gold value a miss.
    """
    if model is None and not use_gold_labels:
        from analysis.models import get_model

        model = get_model(None)
    counts: dict = {}
    articles = 0
    for _, predicted, gold in _extracted(corpus, split, use_gold_labels, model):
        score_events(predicted, gold, match_events(predicted, gold), counts)
        articles += 1
    return {**summarise_counts(counts), "articles": articles, "split": split,
            "labels": "gold" if use_gold_labels else type(model).__name__}


def gold_articles(corpus, split: str, use_gold_labels: bool):
    """Yield ``(article id, article, gold-labelled sentences or None, gold events)`` for a split, in id order."""
    from analysis.corpus import load_corpus

    corpus = corpus if corpus is not None else load_corpus()
    sentences = corpus.passages("sentence") if use_gold_labels else None
    dates = corpus.articles.set_index("id")["date"].to_dict()
    for article_id, gold in sorted(gold_events(corpus, split).items()):
        if article_id == SEED_ID:
            article, labelled = _seed_article(), (_seed_labels() if use_gold_labels else None)
        else:
            article = Article(id=article_id, text=corpus.texts[article_id], meta={"date": dates.get(article_id)})
            labelled = sentences[sentences["article"] == article_id] if use_gold_labels else None
        yield article_id, article, labelled, gold


def _extracted(corpus, split: str, use_gold_labels: bool, model):
    """Yield ``(article id, predicted events, gold events)`` for every article of a split, in id order."""
    for article_id, article, labelled, gold in gold_articles(corpus, split, use_gold_labels):
        yield article_id, extract_events(article, model=model, labelled=labelled).to_dict("records"), gold


def annotator_agreement(first: list[dict], second: list[dict], articles: list[str]) -> dict:
    """Agreement of two annotators' events, scored like the extractor (``second`` against ``first``).

    Only ``articles`` (the ones both annotated) are compared. F1 is symmetric
    in the two annotators; precision and recall swap.
    """
    def by_article(events):
        grouped: dict[str, list[dict]] = {}
        for event in events:
            grouped.setdefault(event["article"], []).append(event)
        return grouped

    a, b = by_article(first), by_article(second)
    counts: dict = {}
    for article_id in sorted(articles):
        gold, other = a.get(article_id, []), b.get(article_id, [])
        score_events(other, gold, match_events(other, gold), counts)
    return {**summarise_counts(counts), "articles": len(articles)}


def event_outcomes(corpus=None, split: str = "tune", use_gold_labels: bool = True, model=None) -> pd.DataFrame:
    """One row per gold or predicted event of a split, saying what became of it.

    ``outcome`` is ``matched`` (a predicted and a gold event paired), ``missed``
    (a gold event with no prediction) or ``extra`` (a prediction with no gold
    event). Matched rows carry, for each of killed, wounded, place and weapon,
    whether the predicted value is right (``<field>_ok``; NA when the gold event
    has no value). Meant for error analysis on ``dev`` and ``tune``: the ``test``
    half stays unread beyond its scores.
    """
    if model is None and not use_gold_labels:
        from analysis.models import get_model

        model = get_model(None)
    rows = []
    for article_id, predicted, gold in _extracted(corpus, split, use_gold_labels, model):
        pairs = match_events(predicted, gold)
        matched_p, matched_g = dict(pairs), {j: i for i, j in pairs}
        for j, g in enumerate(gold):
            row = {"article": article_id, "paragraph": int(g["paragraph"]), "kind": g["kind"],
                   "outcome": "matched" if j in matched_g else "missed", "place": g.get("place"),
                   "admin_region": g.get("admin_region"), "predicted_place": None}
            if j in matched_g:
                p = predicted[matched_g[j]]
                row["predicted_place"] = p.get("place")
                for name in ("killed", "wounded", "place", "weapon"):
                    has_gold = _norm_value(name, g.get(name)) is not None
                    row[f"{name}_ok"] = values_equal(name, p.get(name), g.get(name)) if has_gold else pd.NA
            rows.append(row)
        for i, p in enumerate(predicted):
            if i not in matched_p:
                rows.append({"article": article_id, "paragraph": int(p["paragraph"]), "kind": p["kind"],
                             "outcome": "extra", "place": None, "admin_region": None,
                             "predicted_place": p.get("place")})
    columns = ["article", "paragraph", "kind", "outcome", "place", "admin_region", "predicted_place",
               "killed_ok", "wounded_ok", "place_ok", "weapon_ok"]
    table = pd.DataFrame(rows).reindex(columns=columns)
    for name in ("killed", "wounded", "place", "weapon"):
        table[f"{name}_ok"] = table[f"{name}_ok"].astype("boolean")
    return table.sort_values(["article", "paragraph", "outcome"], kind="stable").reset_index(drop=True)


def scores_table(results: dict, fields: tuple[str, ...] = ("killed", "wounded", "place", "weapon", "date",
                                                           "attacker", "target")) -> pd.DataFrame:
    """F1 of events and of each field, one row per gold set, from :func:`evaluate_events` results."""
    rows = {}
    for split, result in results.items():
        row = {"articles": result["articles"], "gold events": result["events"]["support"],
               "events": result["events"]["f1"]}
        row.update({name: result["fields"][name]["f1"] for name in fields})
        rows[split] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def stored_agreement() -> dict:
    """The two annotators' agreement on held-out events, as ``scripts/build_events.py`` stored it."""
    path = ROOT / "docs" / "results" / "events-agreement.json"
    return json.loads(path.read_text(encoding="utf-8"))
