"""From an article to its table of events."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import fields

import pandas as pd

from analysis.articles import Article
from analysis.events.assemble import Event, finish_events
from analysis.events.reader import Reader
from analysis.events.schema import EVENT_COLUMNS, Settings


def _labelled_sentences(article: Article, model, labelled: pd.DataFrame | None) -> pd.DataFrame:
    """The article's sentences with their labels (list per row) and paragraph numbers."""
    from analysis.segment import segment

    if labelled is None:
        from analysis.labelling import label_passages
        from analysis.models import get_model

        model = model if model is not None else get_model(None)
        sentences = label_passages(segment(article, "sentence"), model)
        # The paragraph's own label marks its unlabelled sentences as context too: a sentence
        # classifier can miss "At least 14 people ... were wounded in a Russian attack on Sumy".
        paragraphs = label_passages(segment(article, "paragraph"), model)
        by_paragraph = dict(zip(paragraphs["paragraph"], paragraphs["labels"]))
        sentences["paragraph_labels"] = [by_paragraph.get(p, []) for p in sentences["paragraph"]]
        return sentences
    table = labelled.copy()
    if "level" in table.columns:
        table = table[table["level"] == "sentence"]
    table["labels"] = [_as_labels(value) for value in table["labels"]]
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    if "paragraph" not in table.columns:
        spans = segment(article, "paragraph")
        table["paragraph"] = [
            int(next((p for p, s, e in zip(spans["paragraph"], spans["start"], spans["end"]) if s <= start < e),
                     -1))
            for start in table["start"]
        ]
    return table.reset_index(drop=True)


def _as_labels(value) -> list[str]:
    if isinstance(value, str):
        return [label for label in value.split(";") if label]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)


class EventExtractor:
    """Strike and incursion events of articles, scikit-learn style: settings here, data in the methods.

    Parameters
    ----------
    model : optional
        A fitted passage model from :func:`analysis.models.get_model` to label
        sentences with; the default model when None. Not used for articles whose
        labelled sentences are given.
    night_date : {"end", "start"}
        How a night is dated: by the morning it ends ("end", as the corpus gold
        does: "over Wednesday night into Thursday" is Thursday) or by the evening
        it starts ("start": Wednesday; "overnight" in Thursday's paper is Wednesday).
    primary_anchors : bool
        Locate a clause's attack at its main place and the places listed with it
        (:func:`~analysis.events.places.primary_anchors`); False takes every place.
    place_roles : bool
        Set apart places that are only points of reference, sources or examples
        ("100km from Warsaw", "Moscow said"); False lets them locate events too.
    background : bool
        Skip background clauses: past or repeated incidents, comparisons, denials
        (:func:`~analysis.events.clauses.is_background`).
    drop_shells : bool
        Drop events that say neither where nor what hit or whom.
    drop_retold : bool
        Drop an incursion told again later with no place of its own.
    unknown_places : bool
        Also take as places names no gazetteer knows when the words around them say they are
        places ("near Nyabibwe", "Barmal district"; :mod:`~analysis.events.unknown_places`).
    weak_place_cues : bool
        With ``unknown_places``, also take unknown names after "in" or "at".
    same_place_again : bool
        A later paragraph with no place of its own that tells a further attack at the place just
        told ("Elsewhere in the city, ...": :mod:`~analysis.events.anaphora`) founds a new event there;
        False adds what it says to the earlier event.
    lone_districts : bool
        "X district" locates the event when its clause names no other place
        (:func:`~analysis.events.unknown_places.lone_districts`); False keeps it the part of a city
        told elsewhere.
    denials : bool
        Skip clauses saying no border was crossed or that intruders could be shot down
        (:func:`~analysis.events.clauses.is_denial`, ``rules/denials.csv``).
    road_between : bool
        "On the road between A and B" is one event at A
        (:func:`~analysis.events.unknown_places.road_between`); False gives one at each.
    counted_times : bool
        With ``background``, also skip clauses counting past hits in words ("has been targeted at
        least four times"); False skips only those counted in digits or as "several" or "many".
    capital_facilities : bool
        A capital named before a facility noun ("Vilnius airport was closed") is the facility's
        city, not its government speaking (:func:`~analysis.events.places.revise_roles`).
    aimed_places : bool
        A place an attack was fired towards ("rockets launched towards Ashdod") locates it when
        the clause names no other place hit (``rules/aim_cues.csv``); False keeps it a reference.
    zone_owners : bool
        Waters or a zone named with the island or town they surround are one place, "restricted
        waters of Kinmen" (:func:`~analysis.events.places.revise_roles`); False keeps the zone alone.
    site_directions : bool
        The town a named site is placed from ("the Al-Mawasi area west of Khan Yunis") is a point of
        reference, not a second place hit (:func:`~analysis.events.places.revise_roles`).
    list_gaps : bool
        A list of places goes on across a comma and a new noun phrase ("hit Zaporizhzhia and
        Kramatorsk, and that energy facilities in the Chernihiv region") and after "over" ("20 over
        the Moscow region and 72 over the Bryansk region"); False ends it there
        (:func:`~analysis.events.places.primary_anchors`).
    mixed_lists : bool
        A region listed after a place is a place hit of its own ("buildings in Dnipro and energy
        infrastructure in the Mykolaiv and Zaporizhzhia regions": three events); False makes it
        the region of the place.
    next_attack : bool
        ", and another ...", ", while a second ..." (``rules/next_attack.csv``) starts a clause, so a
        second weapon's place founds its own event ("a drone struck a car in Touline, and another
        dropped a grenade in Aita al-Shaab"; :func:`~analysis.events.clauses.split_clauses`).
    repeated_dates : bool
        An attack counted and dated more than once ("flew over Pyongyang three times, on October 3,
        9 and 10", "in two separate attacks on Sunday and Monday"; ``rules/repeat_nouns.csv``) is one
        event per day (:func:`~analysis.events.dates.repeated_dates`); False keeps one, on the first day.
    listed_districts : bool
        Districts listed together ("in the Izmail and Bilhorod-Dnistrovskyi districts") are places
        hit, one event each (:func:`~analysis.events.places.revise_roles`); False keeps each the part of
        a city told elsewhere, like a single "the Desnianskyi district".
    listed_regions : bool
        Regions listed with the places a clause reports hit ("in Dnipro and ... in the Mykolaiv and
        Zaporizhzhia regions"), and regions listed past a region's own word ("in the Khmelnytskyi
        region and ... in the Kyiv region"), are events of their own
        (:func:`~analysis.events.places.listed_regions`); False keeps only the places.
    closed_airports : bool
        An airport whose flights were stopped or restricted ("Kazan and Nizhnekamsk airports closed
        during a drone alert") is not a place hit, unless the clause says what closed it was there
        ("closed after drones were seen", "over the airfield") (``rules/closed_airports.csv``).
    defending_aircraft : bool
        A clause whose only weapons are the defence's aircraft, scrambled, on readiness or patrolling
        ("allied aircraft patrolled along the border"), with no hit or toll, is not an attack
        (``rules/defence_words.csv``).
    effect_places : bool
        A place named after an effect ("emergency power cuts in Kyiv, Odesa and Lviv regions",
        "blackout ordered in Barmer") with no attack word between is not a place hit
        (``rules/effect_words.csv``).
    gazetteer : mapping, optional
        Normalised name -> places, to use instead of the shipped gazetteer.
    mention_hook : callable, optional
        ``hook(clause, clause_start, paragraph, mentions) -> mentions``, called on the
        places found in each clause (offsets within the clause), to add or drop some.
    """

    def __init__(self, model=None, *, night_date: str = "end", primary_anchors: bool = True,
                 place_roles: bool = True, background: bool = True, drop_shells: bool = True,
                 drop_retold: bool = True, unknown_places: bool = True, weak_place_cues: bool = True,
                 same_place_again: bool = True, lone_districts: bool = True,
                 denials: bool = True, road_between: bool = True,
                 counted_times: bool = True, capital_facilities: bool = True, aimed_places: bool = True,
                 zone_owners: bool = True, site_directions: bool = True, list_gaps: bool = True,
                 mixed_lists: bool = True, next_attack: bool = True,
                 repeated_dates: bool = True, listed_districts: bool = True,
                 listed_regions: bool = True, closed_airports: bool = True,
                 defending_aircraft: bool = True, effect_places: bool = True, gazetteer: Mapping | None = None,
                 mention_hook: Callable | None = None):
        if night_date not in ("end", "start"):
            raise ValueError(f"night_date must be 'end' or 'start', not {night_date!r}")
        self.model = model
        self.night_date = night_date
        self.primary_anchors = primary_anchors
        self.place_roles = place_roles
        self.background = background
        self.drop_shells = drop_shells
        self.drop_retold = drop_retold
        self.unknown_places = unknown_places
        self.weak_place_cues = weak_place_cues
        self.same_place_again = same_place_again
        self.lone_districts = lone_districts
        self.denials = denials
        self.road_between = road_between
        self.counted_times = counted_times
        self.capital_facilities = capital_facilities
        self.aimed_places = aimed_places
        self.zone_owners = zone_owners
        self.site_directions = site_directions
        self.list_gaps = list_gaps
        self.mixed_lists = mixed_lists
        self.next_attack = next_attack
        self.repeated_dates = repeated_dates
        self.listed_districts = listed_districts
        self.listed_regions = listed_regions
        self.closed_airports = closed_airports
        self.defending_aircraft = defending_aircraft
        self.effect_places = effect_places
        self.gazetteer = gazetteer
        self.mention_hook = mention_hook

    def get_params(self, deep: bool = False) -> dict:
        """The constructor's settings, by name."""
        return {name: getattr(self, name) for name in _PARAMS}

    def _settings(self) -> Settings:
        return Settings(**{name: getattr(self, name) for name in _PARAMS if name != "model"})

    def frame(self, article: Article, labelled: pd.DataFrame | None = None) -> pd.DataFrame:
        """The events of one article as a DataFrame (see :func:`extract_events`)."""
        settings = self._settings()
        sentences = _labelled_sentences(article, self.model, labelled)
        events = Reader(article, sentences, settings).run()
        finish_events(events, article)
        if settings.drop_shells:
            events = [event for event in events if _is_event(event)]
        if settings.drop_retold:
            events = [event for number, event in enumerate(events) if not _retold(event, events[:number])]
        rows = [_row(event, article) for event in events]
        table = pd.DataFrame(rows, columns=EVENT_COLUMNS)
        for name in ("killed", "wounded", "distance_km", "date", "attacker", "target", "place", "admin_region",
                     "country", "weapon", "weapon_type", "violated_state"):
            # object columns keep ints as ints and missing values as None rather than NaN
            table[name] = pd.Series([row[name] for row in rows], dtype=object, index=table.index)
        return table

    def extract(self, article: Article, labelled: pd.DataFrame | None = None) -> list[dict]:
        """The events of one article as JSON-ready dicts (:func:`events_records`)."""
        return events_records(self.frame(article, labelled))

    def transform(self, articles: pd.DataFrame) -> pd.DataFrame:
        """The events of a table of articles (``id``, ``text`` and optionally ``date``), one row each."""
        frames = []
        for row in articles.to_dict("records"):
            meta = {"date": row["date"]} if row.get("date") else {}
            frames.append(self.frame(Article(id=str(row["id"]), text=row["text"], meta=meta)))
        if not frames:
            return pd.DataFrame(columns=EVENT_COLUMNS)
        return pd.concat(frames, ignore_index=True)


#: The constructor's parameters: the model, then every field of :class:`Settings`, in its order.
_PARAMS = ("model", *(setting.name for setting in fields(Settings)))


def extract_events(article: Article, model=None, labelled: pd.DataFrame | None = None) -> pd.DataFrame:
    """Extract strike and incursion events from an article, with the default settings of :class:`EventExtractor`.

    Parameters
    ----------
    article : Article
        The article; ``article.meta["date"]`` (ISO) anchors relative dates.
    model : optional
        A fitted model from :func:`analysis.models.get_model`; the default model
        when None. Ignored when ``labelled`` is given.
    labelled : DataFrame, optional
        Sentences already labelled: ``start``, ``end``, ``labels`` (list or
        ``;``-joined) and ``paragraph`` (computed from the offsets if missing).

    Returns
    -------
    DataFrame
        One row per event with :data:`EVENT_COLUMNS`. ``start``/``end`` cover the
        sentences the event was read from; ``evidence`` maps each field to the
        words it came from; coordinates are NaN for places no gazetteer knows.
    """
    return EventExtractor(model).frame(article, labelled)


def _is_event(event: Event) -> bool:
    """Drop shells: an event needs to say where, and what hit or whom."""
    has_where = event.located or event.get("country") is not None
    has_what = event.get("weapon") is not None or event.located or event.get("killed") or event.get("wounded")
    return bool(has_where and has_what)


def _retold(event: Event, earlier: list[Event]) -> bool:
    """An incursion told again in a later paragraph with no place of its own ("Romania's
    defence ministry called the breach unacceptable") is the earlier one, not a new event."""
    if event.kind != "incursion" or event.located or event.get("killed") or event.get("wounded"):
        return False
    return any(e.kind == event.kind and e.paragraph < event.paragraph and e.get("country") == event.get("country")
               and e.get("date") == event.get("date") for e in earlier)


def _row(event: Event, article: Article) -> dict:
    """One output row: the event's values under :data:`EVENT_COLUMNS`."""
    values = event.values
    row = {name: values.get(name) for name in EVENT_COLUMNS}
    row.update(
        article=article.id, start=min(s for s, _ in event.spans), end=max(e for _, e in event.spans),
        paragraph=event.paragraph, kind=event.kind,
        latitude=float(values.get("latitude", math.nan)), longitude=float(values.get("longitude", math.nan)),
        killed_at_least=bool(values.get("killed_at_least", False)),
        wounded_at_least=bool(values.get("wounded_at_least", False)),
        evidence={name: text for name, text in event.evidence.items() if name in EVENT_COLUMNS},
    )
    return row


def events_records(events: pd.DataFrame) -> list[dict]:
    """JSON-ready event dicts: missing values as ``None``, numbers as plain ints and floats."""
    records = []
    for row in events.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        records.append(clean)
    return records
