"""Check a folder of corpus draft articles before they are built into the corpus.

Each draft is ``<batch>/<id>.json``: ``id``, ``title``, ``outlet``, ``date``, ``theatre``, ``style``
and ``paragraphs`` (each with ``labels``, optional ``kinds`` and ``sentences`` of ``text`` and
``labels``). Prints a count per label, style, theatre and kind, and every problem found.

    python scripts/check_drafts.py corpus/drafts-v3/BATCH
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

LABELS = ("diplomacy", "strikes", "incursions")
THEATRES = {
    "russia-ukraine", "israel-gaza", "koreas", "sudan", "israel-iran", "china-taiwan", "drc-rwanda", "none",
    "israel-lebanon", "red-sea", "india-pakistan", "armenia-azerbaijan", "sahel", "somalia", "ethiopia",
    "nigeria", "libya", "syria", "yemen", "iraq", "myanmar", "afghanistan-pakistan", "colombia", "mexico",
    "baltic", "black-sea", "drc",
}
STYLES = {"analysis", "brief", "bulletin", "explainer", "liveblog", "readout", "translated", "wire",
          "statement", "transcript", "monitor", "headlines", "local",
          # corpus v3: humanitarian situation reports, think-tank assessments, officials' social-media
          # posts, long-form features and business desks
          "sitrep", "assessment", "social", "feature", "business"}
KINDS = {
    # hard negatives: `other` unless another label truly applies
    "ground-clash", "ambush", "shooting", "ied", "roadside-bomb", "suicide-bombing", "grenade", "arson",
    "kidnapping", "protest", "riot", "crime", "accident", "industrial-blast", "disaster", "troop-movement",
    "exercise", "domestic-politics", "rights-accusation", "decree", "domestic-condemnation", "militant-raid",
    # hard positives
    "strike-no-noun", "military-tally", "air-defence", "airport-closure", "incursion-reaction", "headline",
}


def check(folder: Path) -> list[str]:
    problems: list[str] = []
    labels, styles, theatres, kinds = Counter(), Counter(), Counter(), Counter()
    paragraphs = 0
    files = sorted(folder.glob("*.json"))
    for path in files:
        try:
            article = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            problems.append(f"{path.name}: not JSON ({err})")
            continue
        where = path.name
        for key in ("id", "title", "outlet", "date", "theatre", "style", "paragraphs"):
            if key not in article:
                problems.append(f"{where}: missing {key}")
        if article.get("id") != path.stem:
            problems.append(f"{where}: id {article.get('id')!r} is not the file name")
        if not str(article.get("id", "")).startswith(folder.name + "-"):
            problems.append(f"{where}: id should start with {folder.name}-")
        try:
            date.fromisoformat(article.get("date", ""))
        except ValueError:
            problems.append(f"{where}: date is not YYYY-MM-DD")
        if article.get("theatre") not in THEATRES:
            problems.append(f"{where}: unknown theatre {article.get('theatre')!r}")
        if article.get("style") not in STYLES:
            problems.append(f"{where}: unknown style {article.get('style')!r}")
        styles[article.get("style")] += 1
        theatres[article.get("theatre")] += 1
        for p, paragraph in enumerate(article.get("paragraphs", [])):
            paragraphs += 1
            for label in paragraph.get("labels", []):
                if label not in LABELS:
                    problems.append(f"{where} P{p}: unknown label {label!r}")
            for kind in paragraph.get("kinds", []):
                if kind not in KINDS:
                    problems.append(f"{where} P{p}: unknown kind {kind!r}")
                kinds[kind] += 1
            for label in paragraph.get("labels", []) or ["other"]:
                labels[label] += 1
            sentences = paragraph.get("sentences", [])
            if not sentences:
                problems.append(f"{where} P{p}: no sentences")
            union = set()
            for s, sentence in enumerate(sentences):
                text = sentence.get("text", "")
                if not text.strip() or "\n" in text:
                    problems.append(f"{where} P{p}S{s}: empty text or a line break inside")
                if re.search(r"\b(?:U\.S|U\.N|Gen|Lt|Col|Maj|Sgt|Dr|Mr|Mrs|Ms|No|St)\.\s", text):
                    problems.append(f"{where} P{p}S{s}: abbreviation with a full stop inside a sentence")
                for label in sentence.get("labels", []):
                    if label not in LABELS:
                        problems.append(f"{where} P{p}S{s}: unknown label {label!r}")
                union.update(sentence.get("labels", []))
            if not union <= set(paragraph.get("labels", [])):
                problems.append(f"{where} P{p}: sentence labels {sorted(union)} not all in the paragraph's")
    print(f"{folder}: {len(files)} articles, {paragraphs} paragraphs")
    print("labels:", dict(labels))
    print("styles:", dict(styles))
    print("theatres:", dict(theatres))
    print("kinds:", dict(kinds))
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1]))
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)
