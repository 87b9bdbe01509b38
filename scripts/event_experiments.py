"""Three ways of learning event extraction instead of writing rules, tried and not kept.

Each experiment reruns the extractor on the dev and tune gold splits (gold passage
labels) and prints event F1 and field F1; learned parts are scored by grouped
cross-validation (whole articles per fold), so no article is scored by a model
trained on it. The blind ``test`` half is never read here.

    python scripts/event_experiments.py relax            # what each filter of the rules costs in recall
    python scripts/event_experiments.py unknown-places   # a learned recogniser for names no gazetteer has
    python scripts/event_experiments.py detector         # a learned choice among strict and relaxed events
    python scripts/event_experiments.py gazetteer-oracle # an upper bound: every gold place name known
    python scripts/event_experiments.py clause-detector  # rules vs rules + a learned detector (TF-IDF + rule outputs)
    python scripts/event_experiments.py recall-steps -o docs/results/event-experiments.md
                                                         # issue 16 step 5: each recall rule on and off

Each variant of the rules is an :class:`~analysis.events.EventExtractor` built with other
settings; nothing here is part of the package.
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline

from analysis.corpus import load_corpus
from analysis.events import EventExtractor, Mention, Place, normalise
from analysis.events import evaluation as scoring
from analysis.events.confidence import build_confidence_model, event_features
from analysis.events.gazetteer_build import build_gazetteer
from analysis.events.places import CONNECTORS, LOCATION_CUE, NAME_RUN, assign_roles, strip_possessive

SPLITS = ("dev", "tune")
#: The filters of the rules that can be switched off, as EventExtractor settings.
RELAXATIONS = {
    "primary": {"primary_anchors": False},  # every place of a clause, not only the main one
    "background": {"background": False},  # old or repeated incidents read as news
    "shell": {"drop_shells": False},  # events with no place, weapon or toll kept
    "retold": {"drop_retold": False},  # incursions told again kept
    "roles": {"place_roles": False},  # sources and speakers as places
}


def relaxed(names) -> EventExtractor:
    """An extractor with the named filters of the rules switched off."""
    settings = {}
    for name in names:
        settings.update(RELAXATIONS[name])
    return EventExtractor(**settings)


def articles(corpus):
    """(split, article id, article, gold sentences, gold events) for every dev and tune article."""
    for split in SPLITS:
        for article_id, article, sentences, gold in scoring.gold_articles(corpus, split, True):
            yield split, article_id, article, sentences, gold


def summary(by_split: dict) -> str:
    parts = []
    for split, counts in by_split.items():
        result = scoring.summarise_counts(counts)
        fields = " ".join(f"{name} {result['fields'][name]['f1']:.3f}" for name in ("killed", "wounded", "place",
                                                                                     "weapon"))
        parts.append(f"{split}: events F1 {result['events']['f1']:.3f} (P {result['events']['precision']:.3f} "
                     f"R {result['events']['recall']:.3f}); {fields}")
    return " | ".join(parts)


def extract(article, sentences, extractor: EventExtractor) -> list[dict]:
    return extractor.extract(article, sentences)


def run_relax(corpus) -> None:
    every = tuple(RELAXATIONS)
    for names in [()] + [(name,) for name in RELAXATIONS] + [every]:
        by_split: dict = {split: {} for split in SPLITS}
        extractor = relaxed(names)
        for split, _, article, sentences, gold in articles(corpus):
            predicted = extract(article, sentences, extractor)
            scoring.score_events(predicted, gold, scoring.match_events(predicted, gold), by_split[split])
        print(f"{'+'.join(names) or 'rules as shipped':>40}: {summary(by_split)}")


_STOP = frozenset("the in on at a an but and as after before during since when while with by for from of to this "
                  "that these those its his her their it he she they we i our there here however meanwhile earlier "
                  "later elsewhere also".split())


def _unknown_names(text: str, mentions) -> list[tuple[int, int]]:
    """Capitalised word runs of ``text`` that no gazetteer mention covers, trimmed of function words."""
    taken = [(m.start, m.end) for m in mentions]
    spans = []
    for run in NAME_RUN.finditer(text):
        group: list[tuple[str, int, int]] = []
        words = [(m.group(0), run.start() + m.start(), run.start() + m.end())
                 for m in re.finditer(r"\S+", run.group(0))]
        for word in words + [None]:
            if word is not None and not any(s < word[2] and word[1] < e for s, e in taken):
                group.append(word)
                continue
            while group and group[0][0].lower().strip("'’s") in _STOP:
                group.pop(0)
            while group and group[-1][0].lower() in CONNECTORS:
                group.pop()
            if group:
                spans.append((group[0][1], group[-1][2]))
            group = []
    return spans


def _name_features(text: str, start: int, end: int) -> dict:
    name = strip_possessive(text[start:end])
    before = re.findall(r"[\w’'-]+", text[max(0, start - 60):start].lower())[-3:]
    after = re.findall(r"[\w’'-]+", text[end:end + 40].lower())[:2]
    row = {f"before{i}={w}": 1.0 for i, w in enumerate(reversed(before))}
    row.update({f"after{i}={w}": 1.0 for i, w in enumerate(after)})
    row.update({f"word={w.lower()}": 1.0 for w in name.split()})
    row.update({"words": min(len(name.split()), 4), f"ending={name[-3:].lower()}": 1.0,
                "arabic_article": float(bool(re.match(r"(?:al|el|ad|ash|as|an|at|ar|az)-", name, re.I))),
                "sentence_start": float(bool(re.search(r"(?:^|[.!?]\s+)$", text[max(0, start - 3):start]))),
                "cue": float(bool(LOCATION_CUE.search(text[max(0, start - 40):start])))})
    return row


def run_unknown_places(corpus) -> None:
    """Collect unknown names while extracting, label them by the gold places of their paragraph,
    learn which are places (grouped CV), then extract again with the accepted names as places."""
    state = {"article": None, "collect": True}
    found, accepted = {}, set()

    def with_unknown_names(text, offset, paragraph, mentions):
        for start, end in _unknown_names(text, mentions):
            key = (state["article"], offset + start, offset + end)
            if state["collect"]:
                found.setdefault(key, (paragraph, strip_possessive(text[start:end]), _name_features(text, start, end)))
            elif key in accepted:
                mentions.append(Mention(name=strip_possessive(text[start:end]), start=start, end=end, kind="place"))
        if not state["collect"]:
            assign_roles(text, mentions)
        return mentions

    extractor = EventExtractor(mention_hook=with_unknown_names)

    def score_all() -> dict:
        by_split: dict = {split: {} for split in SPLITS}
        for split, article_id, article, sentences, gold in articles(corpus):
            state["article"] = article_id
            predicted = extract(article, sentences, extractor)
            scoring.score_events(predicted, gold, scoring.match_events(predicted, gold), by_split[split])
        return by_split

    gold_by_article = {article_id: gold for _, article_id, _, _, gold in articles(corpus)}
    print(f"{'rules as shipped':>28}: {summary(score_all())}")
    keys = list(found)
    labels = np.array([int(any(int(g["paragraph"]) == found[k][0] and g.get("place") and scoring.values_equal(
        "place", found[k][1], g["place"]) for g in gold_by_article[k[0]])) for k in keys])
    features = [found[k][2] for k in keys]
    groups = [k[0] for k in keys]
    print(f"unknown names: {len(keys)}, of them a gold event's place: {int(labels.sum())}")
    probabilities = np.zeros(len(keys))
    for train, held in GroupKFold(n_splits=5).split(features, labels, groups):
        model = make_pipeline(DictVectorizer(), LogisticRegression(C=3.0, max_iter=3000))
        model.fit([features[i] for i in train], labels[train])
        probabilities[held] = model.predict_proba([features[i] for i in held])[:, 1]
    state["collect"] = False
    for threshold in (0.1, 0.2, 0.3, 0.5):
        accepted.clear()
        accepted.update(k for k, p in zip(keys, probabilities) if p >= threshold)
        right = sum(labels[i] for i, k in enumerate(keys) if k in accepted)
        print(f"{f'accept p >= {threshold} ({len(accepted)}, {right} right)':>28}: {summary(score_all())}")


def _same_event(a: dict, b: dict) -> bool:
    return a["kind"] == b["kind"] and int(a["paragraph"]) == int(b["paragraph"]) and \
        scoring.location_similarity(a, b) >= 2


def run_detector(corpus) -> None:
    """Candidates: the shipped rules' events plus those of each relaxed run; a classifier over the
    confidence features and which runs produced each candidate keeps or drops it."""
    runs = {"rules": (), **{name: (name,) for name in ("primary", "background", "shell", "roles")},
            "all": tuple(RELAXATIONS)}
    extractors = {run: relaxed(names) for run, names in runs.items()}
    data = []
    for split, article_id, article, sentences, gold in articles(corpus):
        candidates: list[dict] = []
        for run, extractor in extractors.items():
            for event in extract(article, sentences, extractor):
                # the rules' own events are all kept apart; a relaxed run's event joins one it repeats
                same = None if run == "rules" else next((c for c in candidates if _same_event(c, event)), None)
                if same is None:
                    candidates.append({**event, "runs": {run}})
                else:
                    same["runs"].add(run)
        candidates.sort(key=lambda e: (int(e["paragraph"]), int(e["start"])))
        matched = {i for i, _ in scoring.match_events(candidates, gold)}
        features = event_features(candidates, article)
        for row, candidate in zip(features, candidates):
            row.update({f"run={run}": float(run in candidate["runs"]) for run in runs})
        marks = [int(i in matched) for i in range(len(candidates))]
        data.append((split, article_id, candidates, gold, features, marks))
    features = [row for *_, rows, _ in data for row in rows]
    labels = np.array([label for *_, marks in data for label in marks])
    groups = [article_id for _, article_id, candidates, *_ in data for _ in candidates]
    print(f"candidates: {len(labels)}, matching a gold event: {int(labels.sum())}")

    def score(keep) -> str:
        by_split: dict = {split: {} for split in SPLITS}
        position = 0
        for split, _, candidates, gold, _, _ in data:
            kept = [c for i, c in enumerate(candidates) if keep(position + i, c)]
            scoring.score_events(kept, gold, scoring.match_events(kept, gold), by_split[split])
            position += len(candidates)
        return summary(by_split)

    print(f"{'rules as shipped':>28}: {score(lambda i, c: 'rules' in c['runs'])}")
    print(f"{'every candidate':>28}: {score(lambda i, c: True)}")
    for regularisation in (0.3, 1.0):
        probabilities = np.zeros(len(labels))
        for train, held in GroupKFold(n_splits=5).split(features, labels, groups):
            model = build_confidence_model(regularisation).fit([features[i] for i in train], labels[train])
            probabilities[held] = model.predict_proba([features[i] for i in held])[:, 1]
        for threshold in (0.4, 0.5, 0.6):
            label = f"learned, C {regularisation}, p >= {threshold}"
            print(f"{label:>28}: {score(lambda i, c, t=threshold, p=probabilities: p[i] >= t)}")


def run_gazetteer_oracle(corpus) -> None:
    """Not a method but a bound: add every place name of the dev and tune gold events that the
    gazetteer lacks, then score the same events. What is still lost is not gazetteer coverage."""
    built = build_gazetteer()
    added = {}
    for _, _, _, _, gold in articles(corpus):
        for event in gold:
            for part in (event.get("place") or "").split(","):
                key = normalise(part.strip())
                if key and key not in built and key not in added:
                    added[key] = (Place(name=part.strip(), kind="city", admin_region=event.get("admin_region"),
                                               country=event.get("country"), latitude=float("nan"),
                                               longitude=float("nan")),)
    for label, index in (("rules as shipped", built), (f"+ {len(added)} gold place names", {**built, **added})):
        by_split: dict = {split: {} for split in SPLITS}
        extractor = EventExtractor(gazetteer=index)
        for split, _, article, sentences, gold in articles(corpus):
            predicted = extract(article, sentences, extractor)
            scoring.score_events(predicted, gold, scoring.match_events(predicted, gold), by_split[split])
        print(f"{label:>28}: {summary(by_split)}")


# --- rules vs rules + a learned detector over candidate events -------------------------------------------
# Candidates are the events of the shipped rules and of runs with one filter off (every place of a clause,
# background kept, sources as places, shells kept); each carries the words of the clauses it was read from
# (TF-IDF) and the rules' own outputs; a logistic regression keeps a candidate when its probability reaches
# a threshold. Measured by run_clause_detector; not kept (see docs/results/event-experiments.md).
DETECTOR_RUNS = {"rules": (), "primary": ("primary",), "background": ("background",), "roles": ("roles",),
                 "shell": ("shell",)}
_CANDIDATE_FIELDS = ("place", "admin_region", "country", "weapon", "weapon_type", "attacker", "target", "killed",
                     "wounded", "date")


def _missing_value(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _key(event: dict) -> tuple:
    return event["kind"], int(event["paragraph"]), event.get("place"), event.get("admin_region"), event.get("country")


def merge_runs(runs: dict[str, list[dict]]) -> list[dict]:
    """Every distinct event of the runs once, in article order, with ``runs`` naming the runs that read it."""
    merged: dict[tuple, dict] = {}
    for name, events in runs.items():
        for event in events:
            kept = merged.setdefault(_key(event), {**event, "runs": set()})
            kept["runs"].add(name)
    return sorted(merged.values(), key=lambda e: (int(e["paragraph"]), int(e["start"]), e["kind"]))


def candidate_table(candidates: list[dict], text: str) -> pd.DataFrame:
    """The detector's input: ``text`` (the clauses a candidate was read from) and ``rules`` (a feature dict)."""
    rows = []
    for number, event in enumerate(candidates):
        rules = {f"run={run}": 1.0 for run in event["runs"]}
        rules["rules_only_relaxed"] = float("rules" not in event["runs"])
        rules[f"kind={event['kind']}"] = 1.0
        for name in _CANDIDATE_FIELDS:
            rules[f"has_{name}"] = float(not _missing_value(event.get(name)))
        if not _missing_value(event.get("weapon")):
            rules[f"weapon={event['weapon']}"] = 1.0
        evidence = event.get("evidence") or {}
        rules["attacker_inferred"] = float(str(evidence.get("attacker", "")).startswith("(inferred"))
        rules["date_from_paper"] = float(not evidence.get("date"))
        rules["geocoded"] = float(not _missing_value(event.get("latitude")))
        same = [c for c in candidates if c["paragraph"] == event["paragraph"] and c["kind"] == event["kind"]]
        rules["candidates_in_paragraph"] = min(len(same), 6) / 6
        rules["paragraph_position"] = min(int(event["paragraph"]), 20) / 20
        rules["place_told_earlier"] = float(not _missing_value(event.get("place")) and any(
            c.get("place") == event.get("place") for c in candidates[:number]))
        rows.append({"text": " ".join(text[int(event["start"]):int(event["end"])].split()), "rules": rules})
    return pd.DataFrame(rows, columns=["text", "rules"])


def build_detector(regularisation: float = 1.0):
    """An unfitted pipeline from :func:`candidate_table` rows to the probability of a gold event."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "text"),
        ("rules", DictVectorizer(), "rules"),
    ])
    return Pipeline([("features", features),
                     ("classifier", LogisticRegression(C=regularisation, max_iter=5000, class_weight="balanced"))])


def article_candidates(article, labelled: pd.DataFrame) -> list[dict]:
    """The merged candidates of the rules and the relaxed runs for one article with labelled sentences."""
    runs = {name: relaxed(names).extract(article, labelled) for name, names in DETECTOR_RUNS.items()}
    return merge_runs(runs)


def training_table(corpus=None, splits: tuple[str, ...] = ("dev", "tune")):
    """Candidates of the gold splits with gold passage labels: (table, labels, article ids, per-article data).

    A candidate's label is 1 when it is matched to a gold event (:func:`~analysis.events.evaluation.match_events`
    over all the article's candidates). The blind ``test`` half is refused.
    """
    if "test" in splits or "heldout" in splits or "all" in splits:
        raise ValueError("the detector is never trained on the blind test half")
    tables, labels, groups, articles = [], [], [], []
    for split in splits:
        for article_id, article, labelled, gold in scoring.gold_articles(corpus, split, True):
            candidates = article_candidates(article, labelled)
            matched = {i for i, _ in scoring.match_events(candidates, gold)}
            tables.append(candidate_table(candidates, article.text))
            labels += [int(i in matched) for i in range(len(candidates))]
            groups += [article_id] * len(candidates)
            articles.append((split, article_id, candidates, gold))
    table = pd.concat(tables, ignore_index=True) if tables else candidate_table([], "")
    return table, np.array(labels), groups, articles


def run_clause_detector(corpus) -> None:
    """Rules alone vs rules + :mod:`analysis.events.detector`, by 5-fold cross-validation grouped by article
    on dev + tune: the detector gates the rules' own events, or chooses among them and the relaxed runs'."""
    table, labels, groups, data = training_table(corpus, SPLITS)
    print(f"candidates: {len(labels)}, matching a gold event: {int(labels.sum())}")
    rules_rows = np.array(["rules" in runs for c in data for runs in [x["runs"] for x in c[2]]])
    probabilities = {}
    for regularisation in (0.3, 1.0, 3.0):
        found = np.zeros(len(labels))
        for train, held in GroupKFold(n_splits=5).split(table, labels, groups):
            model = build_detector(regularisation).fit(table.iloc[train], labels[train])
            found[held] = model.predict_proba(table.iloc[held])[:, 1]
        probabilities[regularisation] = found

    def score(keep) -> str:
        by_split: dict = {split: {} for split in SPLITS}
        position = 0
        for split, _, candidates, gold in data:
            kept = [c for i, c in enumerate(candidates) if keep(position + i)]
            scoring.score_events(kept, gold, scoring.match_events(kept, gold), by_split[split])
            position += len(candidates)
        return summary(by_split)

    print(f"{'rules as shipped':>36}: {score(lambda i: rules_rows[i])}")
    print(f"{'every candidate':>36}: {score(lambda i: True)}")
    for regularisation, found in probabilities.items():
        for threshold in (0.3, 0.4, 0.5, 0.6):
            gate = f"rules gated, C {regularisation}, p >= {threshold}"
            print(f"{gate:>36}: {score(lambda i, f=found, t=threshold: rules_rows[i] and f[i] >= t)}")
            choose = f"all runs, C {regularisation}, p >= {threshold}"
            print(f"{choose:>36}: {score(lambda i, f=found, t=threshold: f[i] >= t)}")


#: Issue 16 step 5's rules, in the order they were added, as the EventExtractor settings that switch them off.
RECALL_STEPS = (
    ("unknown places, strong cues", {"unknown_places": False}),
    ("unknown places, weak cues (in, at)", {"weak_place_cues": False}),
    ("another attack at the place told before", {"same_place_again": False}),
    ("a lone district is the place", {"lone_districts": False}),
    ("no border crossed: no event", {"denials": False}),
    ("the road between A and B: one event", {"road_between": False}),
    ("past hits counted in words: background", {"counted_times": False}),
    ("a capital's airport is the city, not its government", {"capital_facilities": False}),
    ("fired towards a place: the place when nothing else is hit", {"aimed_places": False}),
    ("waters around an island: the island's waters", {"zone_owners": False}),
    ("a site north of a town: the site", {"site_directions": False}),
    ("a list goes on across a new noun and 'over'", {"list_gaps": False}),
    ("a region listed after a place: its own event", {"mixed_lists": False}),
    ("', and another ...' starts a clause", {"next_attack": False}),
    ("an attack counted on several days: one event per day", {"repeated_dates": False}),
    ("districts listed together: one event each", {"listed_districts": False}),
    ("regions listed with the places hit: events too", {"listed_regions": False}),
    ("an airport closed is not a place hit", {"closed_airports": False}),
    ("the defence's jets scrambled or patrolling: no attack", {"defending_aircraft": False}),
    ("power cuts in a place: an effect, not a place hit", {"effect_places": False}),
)
_SCORED = ("killed", "wounded", "place", "weapon")
NOTES_MARKER = "<!-- notes: written by hand, kept when recall-steps rewrites the tables above -->"


def _scores(corpus, extractor: EventExtractor) -> dict:
    by_split: dict = {split: {} for split in SPLITS}
    for split, _, article, sentences, gold in articles(corpus):
        predicted = extract(article, sentences, extractor)
        scoring.score_events(predicted, gold, scoring.match_events(predicted, gold), by_split[split])
    return {split: scoring.summarise_counts(counts) for split, counts in by_split.items()}


def _row(label: str, result: dict) -> str:
    cells = []
    for split in SPLITS:
        events = result[split]["events"]
        cells += [f"{events['f1']:.3f}", f"{events['precision']:.3f}", f"{events['recall']:.3f}"]
        cells += [f"{result[split]['fields'][name]['f1']:.3f}" for name in _SCORED]
    return f"| {label} | " + " | ".join(cells) + " |"


def run_recall_steps(corpus) -> list[str]:
    """Each rule of issue 16 step 5 switched on in turn, then each switched off alone, on dev and tune
    (gold passage labels). Vocabulary added to the CSV lists (place cues, casualty phrases) cannot be
    switched off and is in every row."""
    header = " | ".join(f"{split} {name}" for split in SPLITS for name in ("events F1", "P", "R", *_SCORED))
    lines = ["# Event recall experiments (issue 16, step 5)", "",
             "`python scripts/event_experiments.py recall-steps -o docs/results/event-experiments.md`: events and",
             "field F1 on dev and the tune half with gold passage labels. The blind test half is not read here.", "",
             "## The rules switched on one after another", "", f"| rules | {header} |",
             "|---|" + "---:|" * (len(SPLITS) * (3 + len(_SCORED)))]
    off = {}
    for _, settings in RECALL_STEPS:
        off.update(settings)
    lines.append(_row("none of them", _scores(corpus, EventExtractor(**off))))
    for label, settings in RECALL_STEPS:
        for name in settings:
            off.pop(name)
        lines.append(_row(f"+ {label}", _scores(corpus, EventExtractor(**off))))
        print(lines[-1], flush=True)
    lines += ["", "## Each rule switched off alone (the others on)", "", f"| switched off | {header} |",
              "|---|" + "---:|" * (len(SPLITS) * (3 + len(_SCORED)))]
    for label, settings in RECALL_STEPS:
        label = "unknown places, every cue" if "unknown_places" in settings else label
        lines.append(_row(f"- {label}", _scores(corpus, EventExtractor(**settings))))
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("experiment", choices=("relax", "unknown-places", "detector", "gazetteer-oracle",
                                               "clause-detector", "recall-steps"))
    parser.add_argument("-o", "--output", default=None, help="recall-steps: write its table to this markdown file")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    args = parser.parse_args()
    if args.output and args.experiment != "recall-steps":
        parser.error("--output is only written by recall-steps")
    if args.output and Path(args.output).exists() and not args.force:
        parser.error(f"{args.output} exists; pass --force to overwrite it")
    corpus = load_corpus()
    lines = {"relax": run_relax, "unknown-places": run_unknown_places, "detector": run_detector,
             "gazetteer-oracle": run_gazetteer_oracle, "clause-detector": run_clause_detector,
             "recall-steps": run_recall_steps}[args.experiment](corpus)
    if args.output:
        # notes written by hand below the marker (other experiments, with their commands) are kept
        path = Path(args.output)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        notes = old[old.index(NOTES_MARKER):] if NOTES_MARKER in old else ""
        path.write_text("\n".join(lines) + "\n\n" + notes, encoding="utf-8")


if __name__ == "__main__":
    main()
