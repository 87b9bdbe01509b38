"""Column names, evaluated fields and where the seed article lives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PLACES_CSV = DATA_DIR / "places.csv"
ROOT = Path(__file__).resolve().parents[2]
SEED_ID = "000_a59dc000b14f99a5"
SEED_DIR = ROOT / "seeds"

EVENT_COLUMNS = [
    "article", "start", "end", "paragraph", "kind", "date", "attacker", "target", "place",
    "admin_region", "country", "latitude", "longitude", "weapon", "weapon_type", "killed",
    "killed_at_least", "wounded", "wounded_at_least", "violated_state", "distance_km", "evidence",
]
EVALUATED_FIELDS = (
    "date", "attacker", "target", "place", "admin_region", "country", "weapon", "weapon_type",
    "killed", "killed_at_least", "wounded", "wounded_at_least", "violated_state", "distance_km",
)
KINDS = {"strikes": "strike", "incursions": "incursion"}


@dataclass(frozen=True)
class Settings:
    """Which rules the extractor applies; :class:`analysis.events.EventExtractor` documents each."""

    night_date: str = "end"
    primary_anchors: bool = True
    place_roles: bool = True
    background: bool = True
    drop_shells: bool = True
    drop_retold: bool = True
    unknown_places: bool = True
    weak_place_cues: bool = True
    same_place_again: bool = True
    lone_districts: bool = True
    denials: bool = True
    road_between: bool = True
    counted_times: bool = True
    capital_facilities: bool = True
    aimed_places: bool = True
    zone_owners: bool = True
    site_directions: bool = True
    list_gaps: bool = True
    mixed_lists: bool = True
    next_attack: bool = True
    repeated_dates: bool = True
    listed_districts: bool = True
    listed_regions: bool = True
    closed_airports: bool = True
    defending_aircraft: bool = True
    effect_places: bool = True
    gazetteer: Mapping | None = None
    mention_hook: Callable | None = None


DEFAULT_SETTINGS = Settings()
