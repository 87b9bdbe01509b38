"""The check of issue 18: relabel the corpus paragraphs with labels of one's own, train, classify.

``talks`` = diplomacy, ``attack`` = strikes or incursions. The train-split articles become a labelled
file for ``python -m analysis train --labels``; the test-split articles a passages file for
``classify --model``. Prints the macro-F1 of the classified test paragraphs and the labels seen.

    .venv/bin/python scripts/talks_attack.py [--model tfidf|embed|ensemble] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.corpus import load_corpus  # noqa: E402

USER_LABELS = ("attack", "talks")


def relabel(labels: list[str]) -> list[str]:
    """Codebook labels -> the user's: talks (diplomacy), attack (strikes or incursions)."""
    out = []
    if "strikes" in labels or "incursions" in labels:
        out.append("attack")
    if "diplomacy" in labels:
        out.append("talks")
    return out


def write_files(folder: Path) -> tuple[Path, Path, dict]:
    """The labelled train file, the unlabelled test file and the test paragraphs' gold labels."""
    paragraphs = load_corpus().passages("paragraph")
    paragraphs["id"] = [f"{a}#{i}" for a, i in zip(paragraphs["article"], paragraphs["index"])]
    paragraphs["user"] = [";".join(relabel(list(labels))) for labels in paragraphs["labels"]]
    train = paragraphs[paragraphs["split"] == "train"]
    test = paragraphs[paragraphs["split"] == "test"]
    train_path, test_path = folder / "talks-attack-train.csv", folder / "talks-attack-test.csv"
    train[["id", "article", "text", "user"]].rename(columns={"user": "labels"}).to_csv(train_path, index=False)
    test[["id", "article", "text"]].to_csv(test_path, index=False)
    return train_path, test_path, dict(zip(test["id"], test["user"]))


def run(*args) -> str:
    done = subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode:
        sys.exit(f"python -m analysis {' '.join(map(str, args))} failed: {done.stderr.strip()}")
    return done.stdout


def main() -> None:
    from sklearn.metrics import f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ensemble", choices=("tfidf", "embed", "ensemble"))
    parser.add_argument("--keep", default=None, help="write the files here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(args.keep or work)
        folder.mkdir(parents=True, exist_ok=True)
        train_path, test_path, gold = write_files(folder)
        model_path = folder / f"talks-attack-{args.model}.skops"
        print(run("train", "--labels", train_path, "-o", model_path, "--model", args.model, "--force"))
        records = json.loads(run("classify", test_path, "--model", model_path, "--format", "json"))
    seen = sorted({label for record in records for label in [*record["labels"], *record["scores"]]})
    truth = np.array([[int(label in gold[r["id"]].split(";")) for label in USER_LABELS] for r in records])
    predicted = np.array([[int(label in r["labels"]) for label in USER_LABELS] for r in records])
    per_label = f1_score(truth, predicted, average=None, zero_division=0)
    print(f"test split: {len(records)} paragraphs; labels in the output: {', '.join(seen)}")
    print(f"macro-F1 {f1_score(truth, predicted, average='macro', zero_division=0):.3f} ("
          + ", ".join(f"{label} {f:.3f}" for label, f in zip(USER_LABELS, per_label)) + ")")


if __name__ == "__main__":
    main()
