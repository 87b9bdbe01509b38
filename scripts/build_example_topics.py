"""Write the shipped example of a user's own topics: corpus paragraphs labelled by two written rules.

* ``casualties``: the paragraph reports people killed, dead, wounded or injured (:data:`CASUALTIES`);
* ``energy``: it mentions energy supply or infrastructure - power plants and lines, electricity,
  blackouts, refineries, fuel, pipelines, heating (:data:`ENERGY`; "Atomic Energy" does not count).

The labelled file holds the paragraphs of every sixth train-split article of the corpus (in id order,
starting with the first); the pool holds those of the next article of each six (unlabelled), so that
notebook 08 stays under a minute on the 414-article corpus. Both are deterministic:
``python scripts/build_example_topics.py`` rewrites the same bytes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.corpus import load_corpus  # noqa: E402

DATA = ROOT / "analysis" / "data"
STEP = 6
CASUALTIES = re.compile(
    r"\b(?:kill(?:ed|ing|s)?|dead|died|death toll|wounded|wounding|injur(?:ed|ies|ing|y)|casualt(?:y|ies)|bodies)\b",
    re.I)
ENERGY = re.compile(
    r"\b(?:power (?:plant|station|grid|line|supply|supplies)s?|(?<!atomic )energy|electricity|substations?"
    r"|blackouts?|power outages?|outages?|refiner(?:y|ies)|oil (?:depot|terminal|facility|facilities)|fuel"
    r"|gas (?:pipeline|facility|facilities|infrastructure|supplies)|pipelines?|nuclear (?:power )?plant|heating)\b",
    re.I)


def topics(text: str) -> str:
    """The example's labels of one paragraph, joined by ``;``."""
    return ";".join(name for name, rule in (("casualties", CASUALTIES), ("energy", ENERGY)) if rule.search(text))


def main() -> None:
    paragraphs = load_corpus().passages("paragraph")
    paragraphs = paragraphs[paragraphs["split"] == "train"]
    articles = sorted(paragraphs["article"].unique())
    paragraphs = paragraphs.assign(id=[f"{a}#{i}" for a, i in zip(paragraphs["article"], paragraphs["index"])])
    labelled = paragraphs[paragraphs["article"].isin(articles[0::STEP])]
    labelled = labelled.assign(labels=[topics(t) for t in labelled["text"]])
    pool = paragraphs[paragraphs["article"].isin(articles[1::STEP])]
    labelled[["id", "article", "text", "labels"]].to_csv(DATA / "example-topics.csv", index=False,
                                                         lineterminator="\n")
    pool[["id", "article", "text"]].to_csv(DATA / "example-pool.csv", index=False, lineterminator="\n")
    counts = {name: int(labelled["labels"].str.contains(name).sum()) for name in ("casualties", "energy")}
    print(f"example-topics.csv: {len(labelled)} paragraphs of {labelled['article'].nunique()} articles, {counts}; "
          f"example-pool.csv: {len(pool)} paragraphs of {pool['article'].nunique()} articles")


if __name__ == "__main__":
    main()
