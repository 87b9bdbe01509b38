"""Write the unlabelled passages of one drafts folder as a sheet for a blind second annotator.

Used once while building the corpus: ``python scripts/make_blind_sheets.py corpus/drafts/snip OUT.txt``.
"""

import json
import sys
from pathlib import Path


def main(drafts: str, out: str) -> None:
    lines = []
    for path in sorted(Path(drafts).glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        lines.append(f"=== {article['id']} | {article.get('theatre')} | {article.get('date')} ===")
        for p, paragraph in enumerate(article["paragraphs"]):
            text = " ".join(s["text"] for s in paragraph["sentences"])
            lines.append(f"[P{p}] {text}")
            if len(paragraph["sentences"]) > 1:
                for s, sentence in enumerate(paragraph["sentences"]):
                    lines.append(f"    [P{p}S{s}] {sentence['text']}")
        lines.append("")
    Path(out).write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
