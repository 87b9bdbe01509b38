"""Every speed figure of issue 17, each beside its bare baseline measured in the same run.

    .venv/bin/python benchmarks/speed.py [--passages 200000] [--repeats 5] [--output docs/results/speed.json]

* cold start: wall time of ``python -m analysis classify SEED`` (default model) against a bare
  ``python -c "import pandas, sklearn"``, median of ``--repeats`` fresh processes each;
* events cold start: wall time of ``python -m analysis events SEED`` (default model, confidences
  included), median of ``--repeats`` fresh processes, beside a bare ``python -c "import pandas"``;
* TF-IDF throughput: ``python -m analysis batch --model tfidf`` over ``--passages`` synthetic paragraphs,
  passages per second of the whole process (start-up, reading, labelling, writing); beside it the
  project's labelling (``label_passages``) and a bare scikit-learn ``TfidfVectorizer.transform`` +
  ``predict_proba`` on the same passages in one process;
* embeddings: the default ensemble and the embedding model on 1,000 corpus paragraphs, against a raw
  onnxruntime forward of the same ONNX file on the same passages (length-sorted batches of 8);
* report: wall seconds of ``python -m analysis report SEED`` and whether anything but its ``wrote`` line
  reached the terminal.

With ``--output`` the figures are merged into that JSON file under ``"issue17"`` (the ``"models"``
table of ``benchmarks/models_speed.py`` is kept as it is).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
SEED = ROOT / "seeds" / "000_a59dc000b14f99a5.txt"
TARGETS = {"cold_start_s": 1.5, "cold_start_over_bare": 2.5, "events_cold_start_s": 2.0, "batch_tfidf_per_s": 20000,
           "classify_over_bare": 1.5, "ensemble_per_s": 300, "embed_over_raw_onnx": 1.2, "report_s": 8.0}


def _wall(command: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "0", **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return seconds, done


def _interleaved(bare_code: str, command: str, repeats: int) -> tuple[list[float], list[float]]:
    """Wall seconds of ``python -c bare_code`` and of ``python -m analysis command SEED``, run in turns."""
    python = sys.executable
    bare, project = [], []
    for _ in range(repeats):  # interleaved, so that a burst of load hits both
        bare.append(_wall([python, "-c", bare_code])[0])
        project.append(_wall([python, "-m", "analysis", command, str(SEED)])[0])
    return bare, project


def cold_start(repeats: int) -> dict:
    bare, project = _interleaved("import pandas, sklearn", "classify", repeats)
    result = {"classify_s": round(statistics.median(project), 3),
              "bare_import_pandas_sklearn_s": round(statistics.median(bare), 3)}
    result["ratio"] = round(result["classify_s"] / result["bare_import_pandas_sklearn_s"], 2)
    return result


def events_cold_start(repeats: int) -> dict:
    bare, project = _interleaved("import pandas", "events", repeats)
    return {"events_s": round(statistics.median(project), 3), "runs_s": [round(run, 3) for run in project],
            "bare_import_pandas_s": round(statistics.median(bare), 3)}


def _in_process_tfidf(source: Path) -> dict:
    """Project labelling vs bare scikit-learn on the same passages, in this process."""
    import numpy as np
    import pyarrow.parquet as pq

    from analysis.labelling import label_passages
    from analysis.models import get_model, model_path
    from analysis.models.store import load_model

    table = pq.read_table(source, columns=["article", "text"]).to_pandas()
    texts = table["text"].tolist()
    frame = table.assign(index=range(len(table)), start=0, end=table["text"].str.len())
    bare_model = load_model(model_path("tfidf")).models_["paragraph"]
    vectorizer, estimators = bare_model.features_, bare_model.estimators_
    started = time.perf_counter()
    matrix = vectorizer.transform(texts)
    bare_scores = np.column_stack([est.predict_proba(matrix)[:, 1] for est in estimators])
    bare = time.perf_counter() - started
    model = get_model("tfidf")
    started = time.perf_counter()
    labelled = label_passages(frame, model)
    project = time.perf_counter() - started
    same = bool(np.abs(labelled[["score_diplomacy", "score_strikes", "score_incursions"]].to_numpy()
                       - bare_scores.astype(np.float64).round(4)).max() < 1e-12)
    return {"bare_sklearn_per_s": round(len(texts) / bare), "classify_in_process_per_s": round(len(texts) / project),
            "classify_over_bare": round(project / bare, 2), "same_scores_as_bare": same}


def throughput(passages: int, repeats: int) -> dict:
    from batch_throughput import build_input

    with tempfile.TemporaryDirectory(prefix="speed-") as folder:
        source = Path(folder) / "input.parquet"
        build_input(source, passages)
        runs = []
        for _ in range(repeats):
            seconds, _ = _wall([sys.executable, "-m", "analysis", "batch", str(source), "-o",
                                str(Path(folder) / "out.parquet"), "--model", "tfidf", "--force", "--no-progress"])
            runs.append(seconds)
        result = {"passages": passages, "batch_whole_process_s": round(statistics.median(runs), 2),
                  "batch_whole_process_per_s": round(passages / statistics.median(runs))}
        result.update(_in_process_tfidf(source))
    return result


def embeddings(n: int = 500, rounds: int = 3) -> dict:
    import numpy as np
    import pandas as pd

    from analysis.corpus import load_corpus
    from analysis.labelling import label_passages
    from analysis.models import get_model
    from analysis.models.minilm import _runtime, _windows

    texts = load_corpus().passages("paragraph")["text"].tolist()
    texts = [texts[i % len(texts)] for i in range(n)]
    frame = pd.DataFrame({"article": "bench", "index": range(n), "start": 0, "end": 0, "text": texts})
    tokenizer, session = _runtime()

    def raw_forward() -> float:
        started = time.perf_counter()
        windows = [w for e in tokenizer.encode_batch(texts) for w in _windows(e.ids)]
        windows.sort(key=len)
        for begin in range(0, len(windows), 8):
            batch = windows[begin : begin + 8]
            ids = np.zeros((len(batch), max(map(len, batch))), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, window in enumerate(batch):
                ids[row, : len(window)], mask[row, : len(window)] = window, 1
            session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        return time.perf_counter() - started

    raw_forward()  # warm the session once for every run below
    models = {name: get_model(name) for name in ("embed", "ensemble")}
    timings: dict[str, list[float]] = {"raw": [], "embed": [], "ensemble": []}
    for _ in range(rounds):  # interleaved rounds, medians: the machine's load moves within a minute
        timings["raw"].append(raw_forward())
        for name, model in models.items():
            started = time.perf_counter()
            label_passages(frame, model)
            timings[name].append(time.perf_counter() - started)
    raw, embed, ensemble = (statistics.median(timings[k]) for k in ("raw", "embed", "ensemble"))
    return {"passages": n, "rounds": rounds, "raw_onnx_per_s": round(n / raw, 1), "embed_per_s": round(n / embed, 1),
            "ensemble_per_s": round(n / ensemble, 1), "embed_over_raw_onnx": round(embed / raw, 2)}


def report(repeats: int) -> dict:
    runs, noise = [], []
    with tempfile.TemporaryDirectory(prefix="speed-report-") as folder:
        for _ in range(repeats):
            seconds, done = _wall([sys.executable, "-m", "analysis", "report", str(SEED), "-o",
                                   str(Path(folder) / "seed.html"), "--force"])
            runs.append(seconds)
            noise += [line for line in done.stderr.splitlines() if line.strip()]
    return {"seed_report_s": round(statistics.median(runs), 2), "stderr_lines": noise}


def verdicts(figures: dict) -> dict:
    cold, tfidf, embed, rep = figures["cold_start"], figures["tfidf"], figures["embeddings"], figures["report"]
    return {
        "cold_start_s": cold["classify_s"] <= TARGETS["cold_start_s"],
        "cold_start_over_bare": cold["ratio"] <= TARGETS["cold_start_over_bare"],
        "events_cold_start_s": figures["events_cold_start"]["events_s"] <= TARGETS["events_cold_start_s"],
        "batch_tfidf_per_s": tfidf["batch_whole_process_per_s"] >= TARGETS["batch_tfidf_per_s"],
        "classify_over_bare": tfidf["classify_over_bare"] <= TARGETS["classify_over_bare"],
        "ensemble_per_s": embed["ensemble_per_s"] >= TARGETS["ensemble_per_s"],
        "embed_over_raw_onnx": embed["embed_over_raw_onnx"] <= TARGETS["embed_over_raw_onnx"],
        "report_s": rep["seed_report_s"] <= TARGETS["report_s"],
        "report_quiet": not rep["stderr_lines"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per cold-start figure")
    parser.add_argument("--output", default=None)
    parser.add_argument("--only-cold-start", action="store_true",
                        help="print the two cold-start figures only (no batch, embeddings or report runs)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    figures = {"cpus": os.cpu_count(), "load_average_at_start": round(load, 2)}
    figures["cold_start"] = cold_start(args.repeats)
    print(f"cold classify of the seed: {figures['cold_start']['classify_s']:.2f} s vs bare import pandas, sklearn "
          f"{figures['cold_start']['bare_import_pandas_sklearn_s']:.2f} s -> {figures['cold_start']['ratio']:.2f}x "
          f"(targets <= {TARGETS['cold_start_s']} s, <= {TARGETS['cold_start_over_bare']}x)", flush=True)
    figures["events_cold_start"] = events_cold_start(args.repeats)
    ev = figures["events_cold_start"]
    print(f"cold events of the seed: {ev['events_s']:.2f} s (runs {', '.join(f'{r:.2f}' for r in ev['runs_s'])}) "
          f"vs bare import pandas {ev['bare_import_pandas_s']:.2f} s "
          f"(target <= {TARGETS['events_cold_start_s']} s)", flush=True)
    if args.only_cold_start:
        print(json.dumps({key: figures[key] for key in ("load_average_at_start", "cold_start", "events_cold_start")}))
        return
    figures["tfidf"] = throughput(args.passages, 3)
    t = figures["tfidf"]
    print(f"batch --model tfidf, {t['passages']:,} passages: {t['batch_whole_process_per_s']:,} passages/s whole "
          f"process (target >= {TARGETS['batch_tfidf_per_s']:,}); "
          f"in process: project {t['classify_in_process_per_s']:,}/s "
          f"vs bare TfidfVectorizer.transform + predict_proba {t['bare_sklearn_per_s']:,}/s -> "
          f"{t['classify_over_bare']:.2f}x the bare time (target <= {TARGETS['classify_over_bare']}); "
          f"same scores: {t['same_scores_as_bare']}", flush=True)
    figures["embeddings"] = embeddings()
    e = figures["embeddings"]
    print(f"paragraphs, {e['passages']:,}: ensemble {e['ensemble_per_s']:.0f}/s "
          f"(target >= {TARGETS['ensemble_per_s']}), "
          f"embed {e['embed_per_s']:.0f}/s vs raw onnxruntime forward {e['raw_onnx_per_s']:.0f}/s -> "
          f"{e['embed_over_raw_onnx']:.2f}x (target <= {TARGETS['embed_over_raw_onnx']})", flush=True)
    figures["report"] = report(3)
    r = figures["report"]
    print(f"seed report: {r['seed_report_s']:.1f} s (target <= {TARGETS['report_s']}), "
          f"stderr lines: {len(r['stderr_lines'])}", flush=True)
    figures["met"] = verdicts(figures)
    print("met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in figures["met"].items()))
    if args.output:
        path = Path(args.output)
        stored = json.loads(path.read_text()) if path.is_file() else {}
        stored["issue17"] = figures
        path.write_text(json.dumps(stored, indent=2) + "\n")


if __name__ == "__main__":
    main()
