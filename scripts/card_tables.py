"""Print the model card's evaluation tables from the stored results (docs/results/evaluation*.json).

    python scripts/card_tables.py
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "results"
PROTOCOLS = {"test": "test split", "lto": "leave-theatres-out", "lwo": "leave-writer-out",
             "lso": "leave-style-out"}


def table(path: Path) -> str:
    results = json.loads(path.read_text(encoding="utf-8"))
    protocols = [p for p in PROTOCOLS if any(p in by for by in results["models"].values())]
    head = ["model"] + [f"{PROTOCOLS[p]} macro-F1 (dipl / strk / incu)" for p in protocols] + ["seed"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, by in results["models"].items():
        cells = [name]
        for protocol in protocols:
            result = by.get(protocol)
            if result is None:
                cells.append("-")
                continue
            f1 = " / ".join(f"{result['labels'][label]['f1']:.3f}" for label in ("diplomacy", "strikes", "incursions"))
            cells.append(f"{result['macro_f1']:.3f} ({f1})")
        seed = by.get("seed")
        cells.append(f"{seed['passages'] - len(seed['wrong'])}/{seed['passages']}" if seed else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    for name in ("evaluation.json", "evaluation-sentence.json"):
        print(f"{name}:\n\n{table(RESULTS / name)}\n")


if __name__ == "__main__":
    main()
