"""Throughput and memory of ``analysis.batch.run_batch``: local engine, Dask with 1 and 2 workers.

Usage::

    .venv/bin/python benchmarks/batch_throughput.py [--paragraphs 1000000] [--model tfidf]
                                                     [--chunksize 20000] [--engines local,dask-1,dask-2]

The input is synthetic: ``--paragraphs`` paragraphs of one to three sentences drawn
at random (fixed seed) from the corpus articles, written as Parquet to a temporary
folder that is deleted afterwards (``--keep`` keeps it). Every engine runs in a fresh
child process, so that peak memory is its own; the peak is the summed RSS of that
process and all its descendants (the Dask nanny and worker processes), sampled every
0.1 s. passages/s is measured over ``run_batch`` itself (model loading, reading,
labelling, writing and the final assembly), not over starting a cluster.

Targets: 1M paragraphs with the tfidf model in at most 2 minutes and under 2 GB peak
RSS; Dask with 2 workers at least 1.6x as fast as with 1. The script also times a
pure-Python busy loop in one and in two processes, because virtual CPUs that are
hyper-threads of one core (or an overcommitted host) cap any scaling, whatever the code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "corpus" / "articles"
ENGINES = ("local", "dask-1", "dask-2")
TARGET_SECONDS_PER_MILLION = 120
TARGET_PEAK_BYTES = 2 * 1024**3
TARGET_SCALING = 1.6


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=1_000_000, help="synthetic input size (default 1M)")
    parser.add_argument("--model", default="tfidf", help="model name or .skops path (default: tfidf)")
    parser.add_argument("--chunksize", type=int, default=20000)
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated subset of {ENGINES}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary input and outputs")
    # Internal: one measured run, in the child process.
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ----------------------------------------------------------------- synthetic input


def corpus_sentences() -> list[str]:
    """Every sentence of the corpus articles (the seed article is never used)."""
    from analysis.articles import read_article
    from analysis.segment import segment

    paths = sorted(ARTICLES.glob("*.txt"))
    if not paths:
        sys.exit(f"no articles in {ARTICLES}")
    sentences = []
    for path in paths:
        sentences += segment(read_article(path), "sentence")["text"].tolist()
    return [s for s in sentences if len(s) > 20]


def build_input(path: Path, paragraphs: int, seed: int = 0, block: int = 100_000) -> None:
    """Write ``paragraphs`` recombined paragraphs to ``path`` (id, article, text), block by block."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    pool = np.array(corpus_sentences(), dtype=object)
    rng = np.random.default_rng(seed)
    schema = pa.schema([("id", pa.string()), ("article", pa.string()), ("text", pa.string())])
    with pq.ParquetWriter(path, schema) as writer:
        for first in range(0, paragraphs, block):
            rows = range(first, min(first + block, paragraphs))
            lengths = rng.integers(1, 4, size=len(rows))
            picks = pool[rng.integers(0, len(pool), size=int(lengths.sum()))]
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            texts = [" ".join(picks[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
            # About a dozen paragraphs per article, like the corpus.
            writer.write_table(pa.table({
                "id": [f"s{i:07d}" for i in rows],
                "article": [f"synthetic-{i // 12:06d}" for i in rows],
                "text": texts,
            }, schema=schema))


# ---------------------------------------------------------------- the child runs


def run_child(args: argparse.Namespace) -> None:
    """One measured ``run_batch`` in this process; prints its summary as JSON."""
    import logging

    from analysis.batch import run_batch

    options = dict(model=args.model, chunksize=args.chunksize, force=True, progress=False)
    if args.child == "local":
        summary = run_batch(args.input, args.output, **options)
        print(json.dumps({**summary, "cluster_seconds": 0.0}))
        return
    from distributed import LocalCluster

    started = time.perf_counter()
    workers = int(args.child.split("-")[1])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        cluster_seconds = time.perf_counter() - started
        summary = run_batch(args.input, args.output, engine="dask", scheduler=cluster.scheduler_address, **options)
    print(json.dumps({**summary, "cluster_seconds": round(cluster_seconds, 2)}))


class TreeMemory(threading.Thread):
    """Sample the summed RSS of a process and all its descendants; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            self.peak = max(self.peak, self._rss(root, psutil))
            self.done.wait(self.interval)

    @staticmethod
    def _rss(root, psutil) -> int:
        total = 0
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        for process in processes:
            # Workers come and go while the cluster starts and stops.
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total


def measure(engine: str, source: Path, output: Path, args: argparse.Namespace) -> dict:
    """Run ``engine`` in a child process; return its summary with wall time and peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", engine, "--input", str(source),
               "--output", str(output), "--model", args.model, "--chunksize", str(args.chunksize)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(child.pid)
    memory.start()
    stdout, _ = child.communicate()
    memory.done.set()
    memory.join()
    if child.returncode:
        sys.exit(f"{engine}: the child run failed with status {child.returncode}")
    summary = json.loads(stdout.strip().splitlines()[-1])
    summary.update(engine=engine, wall=time.perf_counter() - started, peak_rss=memory.peak,
                   rate=summary["passages"] / summary["seconds"])
    return summary


# ----------------------------------------------------------------- the report


def _burn(_) -> float:
    started, total = time.perf_counter(), 0
    for i in range(50_000_000):
        total += i
    return time.perf_counter() - started


def cpu_parallelism() -> float:
    """Throughput of two busy-loop processes relative to one: the machine's own scaling."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [0, 0]))  # warm up both processes
        single = _burn(0)
        started = time.perf_counter()
        list(pool.map(_burn, [0, 1]))
        return 2 * single / (time.perf_counter() - started)


def same_output(first: Path, second: Path) -> bool:
    """Compare two output files batch by batch, without loading either whole."""
    import pyarrow.parquet as pq

    a, b = pq.ParquetFile(first), pq.ParquetFile(second)
    if a.metadata.num_rows != b.metadata.num_rows or not a.schema_arrow.equals(b.schema_arrow):
        return False
    pairs = zip(a.iter_batches(batch_size=50_000), b.iter_batches(batch_size=50_000))
    return all(x.equals(y) for x, y in pairs)


def resolve_model(name: str) -> str:
    """``name``, or "keywords" when ``name`` is a shipped model that is not trained yet."""
    from analysis.models import TRAINED_MODELS, model_path

    if name in TRAINED_MODELS and not model_path(name).is_file():
        print(f"model {name!r} is not trained yet (python -m analysis train --model {name}); "
              "falling back to 'keywords'")
        return "keywords"
    return name


def report(results: list[dict], args: argparse.Namespace, parallelism: float) -> None:
    print(f"\nmodel {args.model}, {args.paragraphs:,} paragraphs, chunksize {args.chunksize:,}, "
          f"{os.cpu_count()} CPUs (a busy loop in two processes: {parallelism:.2f}x one process)")
    print(f"{'engine':<8} {'passages/s':>11} {'run s':>8} {'wall s':>8} {'cluster s':>9} {'peak RSS':>10}")
    for r in results:
        print(f"{r['engine']:<8} {r['rate']:>11,.0f} {r['seconds']:>8.1f} {r['wall']:>8.1f} "
              f"{r['cluster_seconds']:>9.1f} {r['peak_rss'] / 2**20:>7,.0f} MB")
    best = max(results, key=lambda r: r["rate"])
    projected = 1_000_000 / best["rate"]
    peak = max(r["peak_rss"] for r in results)
    print(f"\nfastest engine {best['engine']}: 1M paragraphs in about {projected:.0f} s "
          f"(target <= {TARGET_SECONDS_PER_MILLION} s with tfidf): "
          f"{'met' if projected <= TARGET_SECONDS_PER_MILLION else 'missed'}")
    print(f"largest peak RSS {peak / 2**20:,.0f} MB (target < {TARGET_PEAK_BYTES / 2**20:,.0f} MB): "
          f"{'met' if peak < TARGET_PEAK_BYTES else 'missed'}")
    rates = {r["engine"]: r["rate"] for r in results}
    if "dask-1" in rates and "dask-2" in rates:
        scaling = rates["dask-2"] / rates["dask-1"]
        print(f"dask 2 workers vs 1: {scaling:.2f}x (target >= {TARGET_SCALING}x; busy-loop scaling on "
              f"this machine {parallelism:.2f}x): {'met' if scaling >= TARGET_SCALING else 'missed'}")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        run_child(args)
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        sys.exit(f"unknown engine(s) {', '.join(sorted(unknown))}; expected {', '.join(ENGINES)}")
    args.model = resolve_model(args.model)
    folder = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    try:
        source = folder / "input.parquet"
        started = time.perf_counter()
        build_input(source, args.paragraphs)
        print(f"built {args.paragraphs:,} paragraphs in {time.perf_counter() - started:.1f} s "
              f"({source.stat().st_size / 2**20:,.0f} MB) at {source}")
        parallelism = cpu_parallelism()
        results = []
        for engine in engines:
            results.append(measure(engine, source, folder / f"{engine}.parquet", args))
            print(f"{engine}: {results[-1]['seconds']:.1f} s", flush=True)
        outputs = [folder / f"{engine}.parquet" for engine in engines]
        identical = all(same_output(outputs[0], other) for other in outputs[1:])
        print(f"outputs identical across engines: {identical}")
        report(results, args, parallelism)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
