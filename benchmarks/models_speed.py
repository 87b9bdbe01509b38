"""Speed, size and memory of every model on 10,000 corpus paragraphs.

Prints passages/s per model (predict_proba on raw text, embeddings not cached), model size on disk,
training time from the model card, peak RSS of a fresh process per model, and the ratio of end-to-end
``classify`` labelling to a bare ``TfidfVectorizer.transform`` on the same passages. With ``--output``
the figures are also written as JSON (``docs/results/speed.json``).

    .venv/bin/python benchmarks/models_speed.py [--passages 10000] [--output docs/results/speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = ("keywords", "tfidf", "embed", "zeroshot", "ensemble")


def paragraphs(n: int) -> list[str]:
    """``n`` corpus paragraphs, cycling through the corpus in a fixed order."""
    from analysis.corpus import load_corpus

    texts = load_corpus().passages("paragraph")["text"].tolist()
    return [texts[i % len(texts)] for i in range(n)]


def measure(name: str, n: int) -> dict:
    """Run in a child process: load the model, label ``n`` paragraphs, report rate and peak RSS."""
    import pandas as pd

    from analysis.labelling import label_passages
    from analysis.models import get_model, model_path

    texts = paragraphs(n)
    started = time.perf_counter()
    model = get_model(name)
    load_seconds = time.perf_counter() - started
    frame = pd.DataFrame({"article": "bench", "index": range(n), "start": 0, "end": [len(t) for t in texts],
                          "text": texts, "boilerplate": False})
    started = time.perf_counter()
    label_passages(frame, model)
    seconds = time.perf_counter() - started
    result = {"passages_per_s": round(n / seconds, 1), "seconds": round(seconds, 2),
              "load_seconds": round(load_seconds, 2),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    path = model_path(name)
    if path.is_file():
        result["size_mb"] = round(path.stat().st_size / 1e6, 2)
        card = json.loads(path.with_suffix(".json").read_text())
        result["training_seconds"] = card.get("training_seconds")
    if name == "tfidf":
        bare = model.models_["paragraph"].features_  # the paragraph model's own TfidfVectorizer
        started = time.perf_counter()
        bare.transform(texts)
        result["bare_vectorizer_s"] = round(time.perf_counter() - started, 3)
        result["classify_over_bare_vectorizer"] = round(seconds / result["bare_vectorizer_s"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10000)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--output", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.passages)))
        return
    results = {}
    for name in args.models.split(","):
        done = subprocess.run([sys.executable, __file__, "--child", name, "--passages", str(args.passages)],
                              capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode:
            print(f"{name}: failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name:>9}: {results[name]}")
    summary = {"passages": args.passages, "cpus": os.cpu_count(), "models": results}
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
