"""Where a model goes wrong: wrong passages, and the codebook rules they fall under."""

from __future__ import annotations

import re

import pandas as pd

# Cues that place a passage under one of the codebook's decided rules (docs/codebook.md).
RULES: dict[str, str] = {
    "third state or airspace": r"airspace|violat|poland|polish|romania|moldova|latvia|lithuania|estonia|jordan|"
                               r"egypt|saudi|qatar|japan|adiz|median line|balloon",
    "ground combat or gunfire": r"clash|fighting|gunfire|gunmen|troops|infantry|assault|ambush|sniper|firefight",
    "bombs by hand, accidents": r"\bied\b|car bomb|suicide|grenade|planted|industrial|accident|crash|gas explosion",
    "condemnation or protest": r"condemn|denounc|protest|summon|deplor",
    "denial or accusation": r"\bden(y|ied|ies)\b|rejected|accus|blamed",
    "threat or hypothetical": r"\bwould\b|\bcould\b|threat|warn|if\b",
    "tests and exercises": r"\btest|exercise|drill|parade",
    "historical mention": r"\b(19|20)\d\d\b|years ago|memorandum|since the",
    "question": r"\?",
}


def error_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Passages whose predicted labels differ from ``gold``, with ``missed`` and ``extra`` labels."""
    table = predictions.copy()
    table["missed"] = [sorted(set(g) - set(p)) for g, p in zip(table["gold"], table["labels"])]
    table["extra"] = [sorted(set(p) - set(g)) for g, p in zip(table["gold"], table["labels"])]
    wrong = table[(table["missed"].str.len() > 0) | (table["extra"].str.len() > 0)]
    return wrong.reset_index(drop=True)


def matching_rules(text: str) -> list[str]:
    """Names of the :data:`RULES` whose cues occur in ``text``."""
    return [name for name, pattern in RULES.items() if re.search(pattern, text, re.I)]


def rule_counts(errors: pd.DataFrame) -> pd.DataFrame:
    """How many wrong passages match each rule, split by missed and extra labels."""
    rows = []
    for name in RULES:
        matched = errors[[name in matching_rules(t) for t in errors["text"]]]
        rows.append({"rule": name, "wrong passages": len(matched),
                     "with a missed label": int((matched["missed"].str.len() > 0).sum()),
                     "with an extra label": int((matched["extra"].str.len() > 0).sum())})
    return pd.DataFrame(rows).set_index("rule").sort_values("wrong passages", ascending=False, kind="stable")
