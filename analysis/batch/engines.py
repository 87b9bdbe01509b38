"""Where chunks are labelled: in this process, or on Dask workers that load each model once."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.batch import output
from analysis.batch.output import WorkDir
from analysis.errors import InputError

ENGINES = ("local", "dask")


# Models already loaded in this process, so a Dask worker loads each model once
# however many chunks it labels, instead of receiving a pickled model per task.
_MODEL_CACHE: dict[tuple, object] = {}
_MODEL_LOADS: Counter = Counter()
_MODEL_LOCK = threading.Lock()


def _model_stamp(name: str | None) -> tuple | None:
    """Size and mtime of the file behind model ``name``, if it has one.

    Part of the cache key and of the manifest, so that a retrained model is
    reloaded by long-lived workers and never mixed with parts from the old one.
    """
    from analysis.models import TRAINED_MODELS, model_path

    if name and name.endswith(".skops"):
        path = Path(name)
    elif name in TRAINED_MODELS:
        path = model_path(name)
    else:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def cached_model(name: str | None):
    """Load model ``name`` once per process (thread-safe) and keep it."""
    from analysis.models import get_model

    key = (name, _model_stamp(name))
    with _MODEL_LOCK:
        if key not in _MODEL_CACHE:
            # Keep one model only: some are hundreds of MB and a worker rarely switches.
            _MODEL_CACHE.clear()
            _MODEL_CACHE[key] = get_model(name)
            _MODEL_LOADS[name] += 1
        return _MODEL_CACHE[key]


def model_loads() -> dict:
    """How many times this process loaded each model (for tests and diagnostics)."""
    return dict(_MODEL_LOADS)


def label_chunk_on_worker(chunk: pd.DataFrame, model_name: str | None, with_id: bool) -> pa.Table:
    """Dask task: :func:`label_chunk` with the worker's cached model."""
    return output.label_chunk(chunk, cached_model(model_name), with_id)


# Passages labelled between two progress-bar updates in a local run: small enough that a
# slow model moves the bar every few seconds, large enough to keep vectorised labelling fast.
PROGRESS_STEP = 1024


def _run_local(chunks: Iterable, work: WorkDir, model, with_id: bool, finished: Callable[[int], None],
               events_level: str | None = None) -> None:
    """Label the chunks one after the other in this process with the fitted ``model``.

    Each chunk is labelled in steps of :data:`PROGRESS_STEP` passages so that the bar
    advances while a chunk is in progress; the part file still holds the whole chunk.
    With ``events_level``, chunks are whole articles, labelled (and their events read)
    one article at a time.
    """
    from analysis.batch.events import label_articles

    for number, chunk in chunks:
        if events_level is not None:
            work.write_part(number, label_articles(chunk, model, events_level, finished))
            continue
        tables = []
        for step in _steps(chunk):
            tables.append(output.label_chunk(step, model, with_id))
            finished(len(step))
        work.write_part(number, pa.concat_tables(tables))


def _steps(chunk: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """``chunk`` in pieces of about :data:`PROGRESS_STEP` passages, never cutting an article of a folder in two."""
    if "paragraph" not in chunk or chunk.empty:
        for start in range(0, max(len(chunk), 1), PROGRESS_STEP):
            yield chunk.iloc[start:start + PROGRESS_STEP]
        return
    articles = chunk["article"].to_numpy()
    starts = np.flatnonzero(np.r_[True, articles[1:] != articles[:-1]])
    ends = np.r_[starts[1:], len(chunk)]
    begin = 0
    for end in ends:
        if end - begin >= PROGRESS_STEP or end == len(chunk):
            yield chunk.iloc[begin:end]
            begin = end


@contextlib.contextmanager
def _dask_client(scheduler: str | None):
    """A client of the cluster at ``scheduler``, or of a local two-worker cluster made for this run."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({err})") from None
        with client:
            yield client
        return
    # A random HTTP port (":0"): the default 8787 clashes with any other cluster on the machine.
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                     silence_logs=logging.ERROR) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _run_dask(chunks: Iterable, work: WorkDir, model_name: str | None, with_id: bool,
              finished: Callable[[int], None], scheduler: str | None, events_level: str | None = None) -> None:
    """Label the chunks on Dask workers, keeping only a few chunks in flight.

    This process reads the input and writes the parts; workers only label. The
    window of twice the worker count keeps every worker busy while bounding the
    memory spent on chunks waiting in queues. With ``events_level``, chunks are
    whole articles and workers return their passages and events.
    """
    from distributed import as_completed

    from analysis.batch.events import label_articles_on_worker

    task, option = ((label_chunk_on_worker, with_id) if events_level is None
                    else (label_articles_on_worker, events_level))

    with _dask_client(scheduler) as client:
        window = max(2, 2 * sum(client.nthreads().values()))
        running: dict = {}
        completed = as_completed()

        def collect(future) -> None:
            number, rows = running.pop(future)
            work.write_part(number, future.result())
            future.release()
            finished(rows)

        for number, chunk in chunks:
            # Scatter first: chunks embedded in the task graph would all pass
            # through the scheduler (and trigger its large-graph warning).
            data = client.scatter(chunk, hash=False)
            future = client.submit(task, data, model_name, option, pure=False)
            running[future] = (number, len(chunk))
            completed.add(future)
            while len(running) >= window:
                collect(next(completed))
        for future in completed:
            collect(future)

