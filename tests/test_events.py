"""Event extraction: casualty counts, places, dates, weapons and the seed article's events."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis.articles import Article, read_article
from analysis.events import (
    EVENT_COLUMNS,
    EventExtractor,
    count_people,
    extract_events,
    find_attacker,
    find_dates,
    find_weapons,
    lookup_place,
    parse_number,
    read_casualties,
)
from analysis.events.evaluation import annotator_agreement, evaluate_events, match_events, values_equal
from analysis.events.gazetteer import gazetteer
from analysis.segment import segment
from tests.conftest import ROOT, SEED

SEED_LABELS = SEED.with_name(SEED.stem + ".labels.csv")


def labelled(article: Article, label: str = "strikes") -> pd.DataFrame:
    """Every sentence of ``article`` labelled ``label``, as a labelled-sentences table."""
    sentences = segment(article, "sentence")
    sentences["labels"] = [[label] for _ in range(len(sentences))]
    return sentences


def events_of(text: str, label: str = "strikes", day: str = "2025-08-21") -> pd.DataFrame:
    article = Article(id="t", text=text, meta={"date": day})
    return extract_events(article, labelled=labelled(article, label))


@pytest.fixture(scope="module")
def seed_article() -> Article:
    return read_article(SEED)


@pytest.fixture(scope="module", params=["keywords", "gold"])
def seed_events(request, seed_article) -> pd.DataFrame:
    if request.param == "keywords":
        from analysis.models import get_model

        return extract_events(seed_article, model=get_model("keywords"))
    labels = pd.read_csv(SEED_LABELS, dtype={"labels": str}, keep_default_na=False)
    return extract_events(seed_article, labelled=labels[labels["level"] == "sentence"])


def one(events: pd.DataFrame, **where) -> pd.Series:
    rows = events
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"expected one event with {where}, got {len(rows)}:\n{events}"
    return rows.iloc[0]


# --- numbers and casualties -------------------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("14", 14), ("1,200", 1200), ("three", 3), ("twenty-one", 21), ("a dozen", 12),
    ("two hundred and forty", 240), ("massive", None),
])
def test_parse_number_reads_digits_and_words(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("phrase, expected", [
    ("Three soldiers and a civilian", (4, False)),
    ("the driver and three passengers", (4, False)),
    ("at least 14 people", (14, True)),
    ("more than 300 others", (300, True)),
    ("about 20 civilians", (20, False)),
    ("dozens of others", (None, False)),
])
def test_count_people(phrase, expected):
    assert count_people(phrase) == expected


def test_family_with_children_is_not_added_to_the_count():
    found = read_casualties("At least 14 people, including a family with three children, "
                            "were wounded in a Russian attack on the region of Sumy.")
    assert (found["wounded"], found["wounded_at_least"]) == (14, True)
    assert "killed" not in found


def test_number_words_and_lower_bounds():
    found = read_casualties("Twenty-one people were killed and more than a dozen were injured.")
    assert (found["killed"], found["killed_at_least"]) == (21, False)
    assert (found["wounded"], found["wounded_at_least"]) == (12, True)


def test_active_and_noun_forms():
    found = read_casualties("Russian ballistic missiles struck Dnipro, killing at least 17 people and wounding 279.")
    assert (found["killed"], found["killed_at_least"], found["wounded"]) == (17, True, 279)
    found = read_casualties("The World Health Organization said 70 people were killed and 19 wounded.")
    assert (found["killed"], found["wounded"]) == (70, 19)


def test_ages_are_not_counts():
    assert read_casualties("A 64-year-old man was killed.")["killed"] == 1
    assert read_casualties("Two women aged 47 and 59 were injured.")["wounded"] == 2


def test_zero_only_when_the_text_says_nobody_was_hurt():
    assert read_casualties("No one was hurt, officials said.")["wounded"] == 0
    assert read_casualties("No casualties were reported.")["killed"] == 0
    for unknown in ("No casualty figures were available.", "There were no immediate reports of casualties.",
                    "Fragments fell in a field, with no serious injuries.",
                    "No casualties among military personnel were recorded."):
        found = read_casualties(unknown)
        assert "killed" not in found and "wounded" not in found, unknown


# --- weapons, dates, places ----------------------------------------------------------


def test_weapons_are_normalised_and_named_types_kept():
    assert [(w.weapon, w.weapon_type) for w in find_weapons("Russia used Iskander-M missiles and Shahed drones")] \
        == [("ballistic missile", "Iskander-M"), ("drone", "Shahed")]
    assert find_weapons("eight strikes from a multiple rocket launch system")[0].weapon == "MLRS"
    assert find_weapons("two guided aerial bombs struck")[0].weapon == "glide bomb"


@pytest.mark.parametrize("text, attacker", [
    ("at least three people were killed in a Russian artillery attack", "Russia"),
    ("The Indian army said Pakistani troops had fired artillery along the Line of Control", "Pakistan"),
    ("The company blamed the Rapid Support Forces for the attack", "Rapid Support Forces"),
    ("Iran sent about 100 drones towards Israel", "Iran"),
])
def test_attacker_is_the_side_that_fires_not_the_source(text, attacker):
    assert find_attacker(text)[0] == attacker


def test_weekdays_and_nights_resolve_against_the_article_date():
    from datetime import date

    thursday = date(2025, 8, 21)
    assert [d.value.isoformat() for d in find_dates("on Wednesday", thursday)] == ["2025-08-20"]
    # A night is dated by the morning it ends in, as the corpus gold events are.
    assert "2025-08-21" in [d.value.isoformat() for d in find_dates("over Wednesday night into Thursday", thursday)]
    assert [d.value.isoformat() for d in find_dates("Drones attacked overnight", thursday)] == ["2025-08-21"]
    assert [d.value.isoformat() for d in find_dates("on 1 November 2025", thursday)] == ["2025-11-01"]
    assert find_dates("the mayor said on Thursday", thursday)[0].reporting


def test_days_earlier_count_from_the_attack_told_before():
    from datetime import date

    thursday = date(2025, 8, 21)
    earlier, ago = find_dates("Two days earlier, and three days ago", thursday)
    assert earlier.days_before_previous == 2 and ago.days_before_previous is None
    events = events_of("On 10 August a glide bomb hit a school in Kharkiv, killing one person.\n\n"
                       "Two days earlier, a missile hit a depot in Kharkiv, killing 13 and wounding 56.")
    assert sorted(events["date"]) == ["2025-08-08", "2025-08-10"]
    assert events.set_index("date").loc["2025-08-08", "killed"] == 13
    assert events.set_index("date").loc["2025-08-10", "wounded"] is None


def test_gazetteer_is_cached_and_knows_conflict_places():
    assert gazetteer() is gazetteer()
    assert lookup_place("Kostiantynivka").admin_region == "Donetsk"
    assert lookup_place("Sumy", region=True).is_region
    assert lookup_place("Khan Younis").country == "Palestine"


# --- rule cases: sentences from several theatres and what the rules read in them ----------

RULE_CASES = [json.loads(line) for line in (ROOT / "tests" / "data" / "event_rules.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def _same(value, expected) -> bool:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return missing if expected is None else value == expected


@pytest.mark.parametrize("case", RULE_CASES, ids=[case["id"] for case in RULE_CASES])
def test_rule_case(case):
    """``tests/data/event_rules.jsonl``: a sentence or paragraph, labelled wholesale, and the
    fields of the event chosen by ``where`` (or the number of ``events``)."""
    events = events_of(case["text"], label=case["label"], day=case["date"])
    if "events" in case:
        assert len(events) == case["events"], events
    if "fields" in case:
        event = one(events, **case["where"]) if case["where"] else events.iloc[0]
        wrong = {name: (event[name], expected) for name, expected in case["fields"].items()
                 if not _same(event[name], expected)}
        assert not wrong, wrong


def test_extractor_settings_switch_rules_off():
    text = "Drones attacked Kyiv over Wednesday night into Thursday, damaging a house."
    article = Article(id="t", text=text, meta={"date": "2025-08-21"})
    sentences = labelled(article)
    assert EventExtractor().extract(article, sentences)[0]["date"] == "2025-08-21"
    assert EventExtractor(night_date="start").extract(article, sentences)[0]["date"] == "2025-08-20"
    background = ("Russian drones have crossed into the airspace of Romania several times since the invasion began.")
    article = Article(id="t", text=background, meta={"date": "2025-08-21"})
    assert EventExtractor().extract(article, labelled(article, "incursions")) == []
    assert EventExtractor(background=False).extract(article, labelled(article, "incursions"))
    with pytest.raises(ValueError, match="night_date"):
        EventExtractor(night_date="noon")


def test_extractor_transform_reads_a_table_of_articles():
    from analysis.models import get_model

    extractor = EventExtractor(get_model("keywords"))
    table = pd.DataFrame({"id": ["a", "b"], "date": ["2025-08-21", None],
                          "text": ["A Russian drone hit a warehouse in Lviv, injuring two workers.", "Nothing."]})
    events = extractor.transform(table)
    assert list(events.columns) == EVENT_COLUMNS and list(events["article"]) == ["a"]
    assert extractor.get_params()["night_date"] == "end"


def test_aliases_are_written_once():
    from analysis.events.lexicon import rules_table

    aliases = [(row["kind"], row["alias"]) for row in rules_table("aliases")]
    assert len(aliases) == len(set(aliases))


# --- the seed article -------------------------------------------------------------------


def test_seed_kostiantynivka(seed_events):
    event = one(seed_events, place="Kostiantynivka")
    assert (event["killed"], event["killed_at_least"], event["wounded"]) == (3, True, 4)
    assert (event["weapon"], event["target"], event["attacker"]) == ("MLRS", "market", "Russia")
    assert event["date"] == "2025-08-20" and event["admin_region"] == "Donetsk"


def test_seed_sumy_and_odesa(seed_events):
    sumy = one(seed_events, admin_region="Sumy")
    assert (sumy["wounded"], sumy["wounded_at_least"], sumy["killed"]) == (14, True, None)
    assert sumy["weapon"] is None  # the artillery of Kostiantynivka, in the sentence before, is another attack
    odesa = one(seed_events, admin_region="Odesa")
    assert (odesa["wounded"], odesa["weapon"], odesa["target"]) == (1, "drone", "fuel and energy facility")


def test_seed_refinery_and_kyiv(seed_events):
    refinery = one(seed_events, place="Novoshakhtinsk")
    assert (refinery["attacker"], refinery["weapon"], refinery["target"]) == ("Ukraine", "drone", "oil refinery")
    assert (refinery["admin_region"], refinery["country"]) == ("Rostov", "Russia")
    kyiv = one(seed_events, place="Kyiv")
    # "over Wednesday night into Thursday morning": a night is dated by the morning it ends in
    assert kyiv["weapon"] == "drone" and kyiv["date"] == "2025-08-21"


def test_seed_osiny_incursion(seed_events):
    osiny = one(seed_events, kind="incursion")
    assert (osiny["place"], osiny["country"], osiny["violated_state"]) == ("Osiny", "Poland", "Poland")
    assert (osiny["attacker"], osiny["weapon"], osiny["weapon_type"]) == ("Russia", "decoy drone", "Gerbera")
    assert osiny["distance_km"] == 100
    assert osiny["killed"] in (None, 0) and osiny["wounded"] in (None, 0)


def test_seed_has_no_invented_events(seed_article, seed_events):
    assert len(seed_events) == 6
    assert set(seed_events["kind"]) == {"strike", "incursion"}
    budapest = seed_article.text.index("Budapest")
    assert not ((seed_events["start"] <= budapest) & (budapest < seed_events["end"])).any()
    assert not seed_events["country"].isin(["Lithuania", "Latvia", "Romania"]).any()


def test_seed_rows_are_well_formed(seed_article, seed_events):
    assert list(seed_events.columns) == EVENT_COLUMNS
    for row in seed_events.itertuples(index=False):
        assert 0 <= row.start < row.end <= len(seed_article.text)
        for name, words in row.evidence.items():
            if not words.startswith("("):  # "(inferred: ...)" marks a value the text implies
                assert words in seed_article.text, (name, words)


# --- evaluation -----------------------------------------------------------------------------


def test_values_equal_and_greedy_matching():
    assert values_equal("place", "Rafah", "Tal al-Sultan, Rafah")
    assert values_equal("place", "Khan Younis", "east of Khan Younis")
    assert not values_equal("place", "Lviv", "Kyiv")
    assert values_equal("admin_region", "Sumy region", "Sumy")
    assert values_equal("attacker", "RSF", "Rapid Support Forces")
    gold = [{"kind": "strike", "paragraph": 1, "place": "Kyiv", "country": "Ukraine"},
            {"kind": "strike", "paragraph": 1, "place": "Lviv", "country": "Ukraine"}]
    predicted = [{"kind": "strike", "paragraph": 1, "place": "Lviv", "country": "Ukraine"},
                 {"kind": "strike", "paragraph": 2, "place": "Kyiv", "country": "Ukraine"}]
    assert match_events(predicted, gold) == [(0, 1)]


def test_evaluate_events_reports_fields():
    result = evaluate_events(use_gold_labels=True, split="dev")
    assert result["articles"] > 1 and result["split"] == "dev"
    assert set(result["events"]) == {"precision", "recall", "f1", "support"}
    for name in ("killed", "wounded", "place", "weapon"):
        scores = result["fields"][name]
        assert 0 <= scores["precision"] <= 1 and scores["support"] > 0
    assert result["events"]["f1"] > 0.5


def test_heldout_split_is_scored_apart_from_dev():
    dev = evaluate_events(use_gold_labels=True, split="dev")
    heldout = evaluate_events(use_gold_labels=True, split="heldout")
    both = evaluate_events(use_gold_labels=True, split="all")
    assert heldout["articles"] > 30
    assert both["articles"] == dev["articles"] + heldout["articles"]
    assert both["events"]["support"] == dev["events"]["support"] + heldout["events"]["support"]
    tune = evaluate_events(use_gold_labels=True, split="tune")
    test = evaluate_events(use_gold_labels=True, split="test")
    assert tune["articles"] + test["articles"] == heldout["articles"]
    assert tune["events"]["support"] + test["events"]["support"] == heldout["events"]["support"]
    with pytest.raises(ValueError, match="unknown split"):
        evaluate_events(use_gold_labels=True, split="train")


def test_stored_event_scores_reproduce():
    """docs/results/events-gold-labels.json is what the current extractor scores (gold passage labels)."""
    import json

    stored = json.loads((ROOT / "docs" / "results" / "events-gold-labels.json").read_text(encoding="utf-8"))
    for split, result in stored.items():
        assert evaluate_events(use_gold_labels=True, split=split) == result, split


def test_evaluate_events_cli_scores_several_splits():
    import json

    from tests.conftest import run_cli

    result = run_cli("evaluate-events", "--gold-labels", "--split", "tune", "test", "--format", "json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert set(scores) == {"tune", "test"}
    assert scores["test"]["split"] == "test" and scores["test"]["labels"] == "gold"
    single = json.loads(run_cli("evaluate-events", "--gold-labels", "--split", "test", "--format", "json").stdout)
    assert single == scores["test"]


def test_gold_sets_cover_different_articles_and_follow_the_guide():
    from analysis.events.evaluation import load_gold_events

    dev = load_gold_events(ROOT / "corpus" / "events.jsonl")
    heldout = load_gold_events(ROOT / "corpus" / "events-heldout.jsonl")
    assert not {e["article"] for e in dev} & {e["article"] for e in heldout}
    listing = pd.read_csv(ROOT / "corpus" / "events-articles.csv")
    assert not listing["article"].duplicated().any()
    for event in dev + heldout:
        assert event["kind"] in {"strike", "incursion"}
        assert event["killed"] is None or (isinstance(event["killed"], int) and event["killed"] >= 0)
        assert event["wounded"] is None or (isinstance(event["wounded"], int) and event["wounded"] >= 0)
        if event["kind"] == "strike":
            assert event["violated_state"] is None and event["distance_km"] is None


def test_annotator_agreement_is_symmetric_in_f1():
    a = [{"article": "x", "kind": "strike", "paragraph": 1, "place": "Kyiv", "country": "Ukraine", "killed": 2},
         {"article": "x", "kind": "strike", "paragraph": 2, "place": "Lviv", "country": "Ukraine"}]
    b = [{"article": "x", "kind": "strike", "paragraph": 1, "place": "Kyiv", "country": "Ukraine", "killed": 3}]
    forward, backward = annotator_agreement(a, b, ["x"]), annotator_agreement(b, a, ["x"])
    assert forward["events"]["f1"] == backward["events"]["f1"] == round(2 / 3, 4)
    assert forward["events"]["precision"] == backward["events"]["recall"] == 1.0
    assert forward["fields"]["killed"]["f1"] == 0.0
    assert forward["fields"]["killed"]["accuracy_on_matched"] == 0.0


def test_event_outcomes_agree_with_the_scores():
    from analysis.events.evaluation import event_outcomes, scores_table

    result = evaluate_events(use_gold_labels=True, split="tune")
    outcomes = event_outcomes(split="tune")
    counts = outcomes["outcome"].value_counts()
    precision, recall = result["events"]["precision"], result["events"]["recall"]
    matched, missed, extra = counts.get("matched", 0), counts.get("missed", 0), counts.get("extra", 0)
    assert matched + missed == result["events"]["support"]
    assert round(matched / (matched + missed), 4) == recall
    assert round(matched / (matched + extra), 4) == precision
    # a field is right on a matched pair exactly when it counts as a true positive
    assert int(outcomes["place_ok"].sum()) == round(result["fields"]["place"]["recall"] *
                                                    result["fields"]["place"]["support"])
    table = scores_table({"tune": result})
    assert table.loc["tune", "events"] == result["events"]["f1"] and table.loc["tune", "articles"] == result["articles"]


def test_event_field_bars_draws_one_bar_per_field_and_set():
    import matplotlib

    matplotlib.use("Agg")
    from analysis import plots
    from analysis.events.evaluation import stored_agreement

    results = {split: evaluate_events(use_gold_labels=True, split=split) for split in ("tune", "test")}
    ax = plots.event_field_bars(results, stored_agreement())
    assert len(ax.patches) == 2 * (1 + len(plots.EVENT_FIELDS))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["events", *plots.EVENT_FIELDS]
    assert len(ax.collections) == 2  # annotator marks, and one set of target segments
    assert len(ax.collections[1].get_segments()) == len(plots.EVENT_TARGETS)


def test_normalise_folds_accents_apostrophes_and_separators():
    from analysis.events import normalise

    assert normalise("Adré") == normalise("ADRE") == "adre"
    assert normalise("Kryvyi Rih’s") == normalise("Kryvyi Rih's") == "kryvyi rih's"
    assert normalise("al-Shifa / Gaza_City") == "al shifa gaza city"
    assert normalise("  Tel\tAviv, ") == "tel aviv"
    assert normalise(None) == ""


def test_shipped_gazetteer_is_what_its_inputs_build():
    """``analysis/data/gazetteer.json.gz`` is up to date: rebuild it with ``scripts/build_gazetteer.py``."""
    from analysis.events import gazetteer_build as build

    shipped = build.read_index(build.SHIPPED, build.inputs_key())
    assert shipped is not None, "the shipped gazetteer is out of date: run scripts/build_gazetteer.py"
    assert shipped == build.build_gazetteer()


def test_gazetteer_file_is_refused_when_damaged_or_built_from_other_inputs(tmp_path):
    from analysis.events import gazetteer_build as build

    path = tmp_path / "gazetteer.json.gz"
    small = {"kyiv": (build.Place("Kyiv", "city", "Kyiv", "Ukraine", 50.45, 30.52),)}
    build.write_index(path, small, "k1")
    assert build.read_index(path, "k1") == small
    assert build.read_index(path, "k2") is None
    assert not list(tmp_path.glob("*.part"))  # written whole or not at all
    import gzip

    damaged = ['{"key": "k1", "places": [["Nowhere"]], "index": {"x": [5]}}',
               '{"key": "k1", "places": [["A", "city", null, null, "x", 1.0, 0, "s"]], "index": {"a": [0]}}',
               '{"key": "k1", "places": [["A", "city", null, null, 1.0, 1.0, 0, "s"]], "index": {"a": [1]}}',
               "[" * 100000, "not json", ""]
    for text in damaged:
        path.write_bytes(gzip.compress(text.encode()))
        assert build.read_index(path, "k1") is None, text[:40]
    path.write_bytes(b"not gzip")
    assert build.read_index(path, "k1") is None


def test_gazetteer_is_built_with_a_warning_when_the_shipped_file_is_missing(tmp_path, monkeypatch):
    from analysis.events import gazetteer as module

    monkeypatch.setattr(module, "SHIPPED", tmp_path / "missing.json.gz")
    module.gazetteer.cache_clear()
    try:
        with pytest.warns(UserWarning, match="build_gazetteer"):
            assert "kostiantynivka" in module.gazetteer()
    finally:
        module.gazetteer.cache_clear()


def test_gazetteer_key_follows_its_inputs_not_the_rules(tmp_path, monkeypatch):
    from analysis.events import gazetteer_build as build
    from analysis.events.lexicon import RULES_DIR

    before = build.inputs_key()
    assert RULES_DIR / "weapons.csv" not in build.INPUTS and RULES_DIR / "attack_words.csv" not in build.INPUTS
    changed = tmp_path / "places.csv"
    changed.write_bytes(build.PLACES_CSV.read_bytes() + b"Newplace,city,,Ukraine,48.0,37.0\n")
    monkeypatch.setattr(build, "INPUTS", tuple(changed if p == build.PLACES_CSV else p for p in build.INPUTS))
    assert build.inputs_key() != before
