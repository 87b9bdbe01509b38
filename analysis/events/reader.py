"""Read an article's labelled sentences, paragraph by paragraph, into events."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pandas as pd

from analysis.articles import Article
from analysis.events.anaphora import again_at_told_place
from analysis.events.assemble import (
    Event,
    apply_facts,
    article_countries,
    choose_kinds,
    compatible_country,
    copy_place,
    new_attack,
    place_fields,
    same_location,
)
from analysis.events.clauses import ATTACK, Facts, is_background, is_denial, read_clause, split_clauses
from analysis.events.dates import repeated_dates
from analysis.events.places import Mention
from analysis.events.schema import DEFAULT_SETTINGS, KINDS, Settings


class Reader:
    """Reads the labelled sentences of one article into events."""

    def __init__(self, article: Article, sentences: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS):
        self.article = article
        self.settings = settings
        self.text = article.text
        self.anchor_date = article.date
        self.countries = article_countries(self.text)
        self.sentences = sentences
        self.events: list[Event] = []

    def run(self) -> list[Event]:
        carried: dict[str, Event | None] = {"strike": None, "incursion": None}
        previous_paragraph = None
        for paragraph, rows in self.sentences.groupby("paragraph", sort=True):
            paragraph_kinds = {KINDS[label] for labels in rows["labels"] for label in labels if label in KINDS}
            if "paragraph_labels" in rows.columns:
                paragraph_kinds |= {KINDS[label] for label in rows["paragraph_labels"].iloc[0] if label in KINDS}
            if not paragraph_kinds:
                continue
            if previous_paragraph is None or paragraph != previous_paragraph + 1:
                carried = {"strike": None, "incursion": None}
            carried = self._read_paragraph(int(paragraph), rows, paragraph_kinds, carried)
            previous_paragraph = paragraph
        return self.events

    def _read_paragraph(self, paragraph: int, rows: pd.DataFrame, paragraph_kinds: set[str],
                        carried: dict) -> dict:
        """Read one paragraph; returns the current event of each kind for the next paragraph."""
        state = {kind: {"current": carried.get(kind)} for kind in ("strike", "incursion")}
        old_times = False  # the paragraph last named a date too old to be news
        for row in rows.sort_values("start").itertuples(index=False):
            labels = set(row.labels)
            if labels == {"diplomacy"}:
                continue  # talks and statements; their paragraph's attack sentences carry the facts
            kinds = {KINDS[label] for label in labels if label in KINDS} or paragraph_kinds
            sentence = self.text[row.start:row.end]
            kinds = choose_kinds(sentence, kinds)
            sentence_attack = bool(ATTACK.search(sentence))
            for a, b in split_clauses(sentence, self.settings.next_attack):
                start, end = row.start + a, row.start + b
                while end > start and self.text[end - 1] in " ,;":
                    end -= 1
                facts = read_clause(self.text, start, end, paragraph, self.anchor_date, self.countries,
                                    sentence_attack, self.settings)
                facts.sentence = int(row.start)
                facts.context = not any(label in KINDS for label in labels)
                dated = [d for d in facts.dates if d.value is not None and not d.reporting]
                if self.settings.denials and is_denial(facts.text):
                    continue
                if self.settings.background and is_background(facts.text, facts.dates, self.anchor_date,
                                                                 self.settings.counted_times):
                    old_times = old_times or bool(dated)
                    continue
                if dated:
                    old_times = False
                elif old_times:
                    continue  # "What happened in August 2022? China fired missiles ...": still the old story
                for kind in kinds:
                    self._apply(kind, facts, state[kind])
                    if self.settings.repeated_dates:
                        self._repeat(facts, state[kind]["current"])
        return {kind: state[kind]["current"] for kind in state}

    def _apply(self, kind: str, facts: Facts, state: dict) -> None:
        """Add one clause to the events of one kind: merge, adopt, or found new events."""
        current: Event | None = state["current"]
        told_before = current or next((e for e in reversed(self.events) if e.kind == kind), None)
        if told_before is not None and told_before.get("date"):
            # "Two days earlier, tank shells hit ...": counted from the attack just told, not from the paper
            previous = date.fromisoformat(told_before.get("date"))
            for mention in facts.dates:
                if mention.days_before_previous is not None:
                    mention.value = previous - timedelta(days=mention.days_before_previous)
        told = current
        if current is not None and current.paragraph != facts.paragraph and new_attack(current, facts):
            state["current"] = current = None  # a new paragraph reporting another attack
        anchors = facts.anchors
        if not facts.attack and not (current and anchors and all(same_location(current, a) for a in anchors)):
            if current is not None and not anchors and current.paragraph == facts.paragraph:
                current.add_span(facts.start, facts.end)
            return
        if not anchors:
            if told is not None and self.settings.same_place_again and told.located and \
                    told.paragraph != facts.paragraph and facts.strong and again_at_told_place(facts.text):
                # "Elsewhere in the city, artillery shells fell ...": a new event at the place told before
                state["current"] = self._new_event(kind, facts, None, model=told)
                copy_place(state["current"], told)
                return
            if current is not None:
                # a toll after a list of places ("the barrage killed 26") is a total: it belongs to no one place
                apply_facts(current, facts, self.text, first=False, single_anchor=not current.listed)
                listed = state.get("list", ())
                zero = any(facts.casualties.get(w) == 0 for w in ("killed", "wounded"))
                for other in listed if zero and any(e is current for e in listed) else ():
                    if other is not current:
                        apply_facts(other, facts, self.text, first=False, single_anchor=False)
            elif facts.strong:
                state["current"] = self._new_event(kind, facts, None)
                state["current"].lead = True
            if kind == "incursion" and state["current"] is not None and len(facts.violated) > 1:
                # "drones over Iraq and southern Syria": one violation of each state
                first = state["current"]
                for country in facts.violated:
                    if country not in (first.get("country"), first.get("attacker")):
                        other = self._new_event(kind, facts, None, model=first)
                        other.values["country"] = country
            return
        single = len(anchors) == 1
        used = [self._place_anchor(kind, facts, anchor, state, single) for anchor in anchors]
        used = [event for event in used if event is not None]
        if used and not single:
            # what the next sentences add belongs to the first place of a list
            state["current"] = used[0]
            if len({id(event) for event in used}) > 1:
                state["list"] = used
                for event in used:
                    event.listed = True

    def _repeat(self, facts: Facts, event: Event | None) -> None:
        """An attack counted and dated more than once ("three times this month, on October 3, 9 and
        10") is one event per day at its place, the first taking the first day."""
        days = repeated_dates(facts.text, facts.dates, self.anchor_date)
        if event is None or not days or (facts.start, facts.end) not in event.spans:
            return
        event.put("date", days[0].isoformat(), facts.text, override=True)
        for day in days[1:]:
            twin = copy.deepcopy(event)
            twin.put("date", day.isoformat(), facts.text, override=True)
            self.events.append(twin)

    def _place_anchor(self, kind: str, facts: Facts, anchor: Mention, state: dict, single: bool) -> Event | None:
        """Add a clause's facts at one of its places: to the event already there, to the
        paragraph's unplaced opening event, or to a new event. Returns the event used."""
        current = state["current"]
        earlier = next((e for e in self.events if e.kind == kind and e.paragraph == facts.paragraph
                        and e is not current and e.located and same_location(e, anchor, loose=False)), None)
        if earlier is None and (current is None or not same_location(current, anchor)):
            # a place reported earlier in the article, with nothing new about day or weapon:
            # a reaction or a follow-up ("Italy condemned the attack on Sumy"), not another attack
            earlier = next((e for e in reversed(self.events) if e.kind == kind and e.located
                            and same_location(e, anchor, loose=False) and not new_attack(e, facts)), None)
        if earlier is not None and (current is None or not same_location(current, anchor)):
            state["current"] = current = earlier
        if current is not None and same_location(current, anchor):
            if anchor.kind == "place" and current.get("place") is None and current.paragraph == facts.paragraph:
                # "... 614 strikes on the Zaporizhzhia region. Guided bombs hit Huliaipole": the place in the region
                place_fields(current, anchor, facts.admins, self.text)
            apply_facts(current, facts, self.text, first=False, single_anchor=single, anchor=anchor)
            return current
        if current is not None and not current.located and current.paragraph == facts.paragraph and \
                compatible_country(current, anchor):
            # the opening summary of the paragraph takes its first place
            place_fields(current, anchor, facts.admins, self.text)
            apply_facts(current, facts, self.text, first=True, single_anchor=single, anchor=anchor)
            return current
        if facts.context and not facts.strong:
            return None  # an unlabelled sentence may add to an attack but founds one only with a weapon or toll
        if facts.aftermath and current is not None and current.paragraph == facts.paragraph and not facts.weapons:
            # "falling fragments caused minor damage in Herzliya and Kfar Saba": the same salvo
            apply_facts(current, facts, self.text, first=False, single_anchor=single, anchor=anchor)
            return current
        model = current if current is not None and current.paragraph == facts.paragraph else None
        state["current"] = self._new_event(kind, facts, anchor, single_anchor=single, model=model)
        return state["current"]

    def _new_event(self, kind: str, facts: Facts, anchor: Mention | None, single_anchor: bool = True,
                   model: Event | None = None) -> Event:
        """Found an event from a clause, sharing side, day and (sometimes) weapon with ``model``."""
        event = Event(kind=kind, paragraph=facts.paragraph)
        if anchor is not None:
            place_fields(event, anchor, facts.admins, self.text)
        apply_facts(event, facts, self.text, first=True, single_anchor=single_anchor, anchor=anchor)
        if model is not None:
            # Later attacks in a paragraph share its side and day unless they say otherwise, and
            # its weapon when they are listed in the same sentence or follow an opening summary.
            share_weapon = model.lead or facts.sentence in model.sentences
            for name in ("weapon", "weapon_type", "attacker", "date"):
                if event.get(name) is None and model.get(name) is not None:
                    if name.startswith("weapon") and not share_weapon:
                        continue
                    if name == "weapon_type" and event.get("weapon") != model.get("weapon"):
                        continue
                    event.put(name, model.get(name), model.evidence.get(name), inherited=True)
        self.events.append(event)
        return event
