"""The label set of the codebook and the short descriptions used for zero-shot scoring."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.errors import InputError

LABELS: tuple[str, ...] = ("diplomacy", "strikes", "incursions")
OTHER = "other"

DESCRIPTIONS: dict[str, str] = {
    "diplomacy": (
        "Diplomacy between governments: negotiations, peace talks, summits, ceasefire "
        "proposals, security guarantees, alliances, official statements, protests, "
        "condemnations and threats exchanged between states."
    ),
    "strikes": (
        "A military strike: missiles, drones, artillery shelling, rockets or air raids "
        "hit a city, infrastructure or military site, killing or wounding people and "
        "causing damage and fires; air-raid alerts and air defence intercepting attacks."
    ),
    "incursions": (
        "An airspace violation: a foreign military drone, missile, aircraft or balloon "
        "enters the airspace or territory of a neighbouring country, crashes there or is "
        "shot down; jets are scrambled and airports closed."
    ),
}


def check_labels(labels: Iterable[str], where: str = "") -> list[str]:
    """Return ``labels`` sorted in codebook order, or raise on an unknown label.

    Parameters
    ----------
    labels : iterable of str
        Label names; ``"other"`` and empty strings are dropped.
    where : str
        Names the row or file in the error message.
    """
    found = []
    for label in labels:
        label = label.strip()
        if not label or label == OTHER:
            continue
        if label not in LABELS:
            suffix = f" in {where}" if where else ""
            raise InputError(
                f"unknown label {label!r}{suffix}; expected one of {', '.join(LABELS)}"
            )
        found.append(label)
    return [label for label in LABELS if label in found]
