"""One batch run: check the arguments, hold the output's lock, label what is left, assemble the output."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from analysis.articles import skipped_rows_message
from analysis.batch.engines import ENGINES, _model_stamp, _run_dask, _run_local
from analysis.batch.events import UNDATED, events_path, events_schema
from analysis.batch.output import MANIFEST_VERSION, PART_PATTERN, WorkDir, output_schema
from analysis.batch.progress import _Progress, _Tally
from analysis.batch.sources import Source, open_source
from analysis.errors import InputError
from analysis.files import check_writable, output_lock
from analysis.labelling import check_event_labels, model_labels
from analysis.segment import LEVELS


def _manifest(source: Source, level: str, model: str | None, chunksize: int, events: bool = False) -> dict:
    """The settings that decide the content of every part file."""
    stamp = _model_stamp(model)
    # Only runs with events say so: the parts of earlier runs without them stay resumable.
    return {**({"events": True} if events else {}),
        "version": MANIFEST_VERSION,
        "input": str(source.path.resolve()),
        "kind": source.kind,
        **source.fingerprint,
        # Passages files are already split, so their level changes nothing.
        "level": level if source.kind == "folder" else None,
        "model": model,
        "model_file": list(stamp) if stamp else None,
        "chunksize": chunksize,
    }


def _check_arguments(input_path: Path, output_path: Path, level: str, engine: str, chunksize: int,
                     force: bool, events: bool) -> None:
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if not isinstance(chunksize, int) or chunksize < 1:
        raise InputError(f"chunksize must be a positive whole number, not {chunksize!r}")
    outputs = [output_path, events_path(output_path)] if events else [output_path]
    for path in outputs:
        check_writable(path, force)
        if input_path.exists() and path.resolve() == input_path.resolve():
            raise InputError(f"{path}: the output would overwrite the input")


def run_batch(input_path, output_path, level: str = "paragraph", model: str | None = None,
              engine: str = "local", scheduler: str | None = None, chunksize: int = 20000,
              force: bool = False, progress: bool | None = None, skip_bad_rows: bool = False,
              events: bool = False) -> dict:
    """Label every passage of a large input into one Parquet file, resumably.

    Parameters
    ----------
    input_path : str or Path
        A folder of ``.txt``/``.md``/``.html`` articles (read in file-name order;
        unreadable ones are skipped with a warning) or a ``.jsonl``/``.csv``/
        ``.parquet`` file of passages with a ``text`` column and optional ``id``
        and ``article`` columns.
    output_path : str or Path
        The Parquet file to write: one row per passage, in input order, with
        ``[id,] article, index, start, end, text, labels, score_<label>...``.
    level : {"paragraph", "sentence"}
        Passage unit for articles of a folder.
    model : str, optional
        A model name or ``.skops`` path for :func:`analysis.models.get_model`.
    engine : {"local", "dask"}
        Label in this process, or on Dask workers (results are identical).
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler (``tcp://...``). By
        default ``engine="dask"`` starts a local cluster of two worker processes
        and closes it afterwards.
    chunksize : int
        Passages per chunk: the unit of memory, of parallel work and of resuming.
    force : bool
        Overwrite an existing output file.
    progress : bool, optional
        Show a progress bar; by default only when stderr is a terminal.
    skip_bad_rows : bool
        Leave out passages whose ``text`` is not a string, with one warning that
        counts them, instead of stopping with an error that names the first rows.
    events : bool
        Also extract the strike and incursion events of every article into
        ``OUT.events.parquet`` beside ``OUT.parquet`` (:mod:`analysis.batch.events`),
        under the same rules: resumable, written atomically, never overwritten without
        ``force``. Needs a folder of articles and a model of strikes and incursions;
        chunks are then whole articles of at least ``chunksize`` passages.

    Returns
    -------
    dict
        ``passages``, ``chunks``, ``seconds``, ``resumed_chunks`` (chunks found
        finished by an earlier, interrupted run) and ``output``; with ``events``,
        ``events`` (how many) and ``events_output``.

    Raises
    ------
    InputError
        Bad arguments, unreadable input, no ``text`` column, a ``text`` that is not a
        string, an existing output without ``force``, another batch writing the same
        output, an unknown model or an unreachable scheduler; with ``events``, a
        passages file or a model without strikes and incursions.
    KeyboardInterrupt
        Propagated as is; finished parts stay, so rerunning resumes.
    """
    started = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    _check_arguments(input_path, output_path, level, engine, chunksize, force, events)
    with output_lock(output_path):
        return _locked_run(input_path, output_path, level, model, engine, scheduler, chunksize, progress,
                           skip_bad_rows, started, events)


def _locked_run(input_path: Path, output_path: Path, level: str, model: str | None, engine: str,
                scheduler: str | None, chunksize: int, progress: bool | None, skip_bad_rows: bool,
                started: float, events: bool = False) -> dict:
    """The body of :func:`run_batch`, run while this process holds the output's lock."""
    source = open_source(input_path, level, chunksize, skip_bad_rows, articles=events)
    # Locally the model is needed anyway; loading it first turns a bad name into
    # an error before any work. Dask workers load their own copy.
    # A .skops file may hold a user's own labels: its label set fixes the output columns.
    needed = engine == "local" or events or str(model or "").endswith(".skops")
    fitted = _load_model(model) if needed else None
    labels = model_labels(fitted) if fitted is not None else None
    if events:
        check_event_labels(fitted, model)
    work = WorkDir(output_path)
    work.prepare(_manifest(source, level, model, chunksize, events))
    events_level = level if events else None
    tally = _Tally()
    bar = _Progress(progress, source.total)
    complete = False
    try:
        todo = _pending_chunks(source, work, tally, bar, events)
        if engine == "local":
            _run_local(todo, work, fitted, source.with_id, bar.update, events_level)
        else:
            _run_dask(todo, work, model, source.with_id, bar.update, scheduler, events_level)
        complete = True
    finally:
        bar.close(complete)
        if not complete and not any(work.path.glob(PART_PATTERN)):
            work.clear()  # nothing worth resuming: leave no empty work folder behind
    found = {}
    if events:  # first, so that a finished passages file always has its events beside it
        work.assemble(events_path(output_path), tally.chunks, events_schema(), events=True)
        found = _events_summary(events_path(output_path))
    work.assemble(output_path, tally.chunks, output_schema(source.with_id, labels))
    work.clear()
    if source.skipped:
        warnings.warn(skipped_rows_message(input_path, source.skipped), stacklevel=3)
    return {
        "passages": tally.passages,
        "chunks": tally.chunks,
        "seconds": round(time.perf_counter() - started, 3),
        "resumed_chunks": tally.resumed,
        "output": str(output_path),
        **found,
    }


def _events_summary(path: Path) -> dict:
    """How many events the events file holds; warns once about articles whose events got no confidence."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["article", "confidence_why"]).to_pandas()
    undated = table.loc[table["confidence_why"] == UNDATED, "article"].nunique()
    if undated:
        warnings.warn(f"{undated} articles have no date, so their events get no confidence (give each a "
                      ".meta.json with its date)", UserWarning, stacklevel=4)
    return {"events": len(table), "events_output": str(path)}


def _load_model(name: str | None):
    from analysis.models import get_model

    return get_model(name)


def _pending_chunks(source: Source, work: WorkDir, tally: _Tally, bar: _Progress, events: bool = False) -> Iterator:
    """The chunks still to label; counts every chunk and skips those already done."""
    for number, chunk in source.chunks():
        tally.chunks += 1
        tally.passages += len(chunk)
        if source.total is None:
            bar.estimate(source.position.estimate(tally.passages))
        if work.is_done(number, len(chunk), events):
            tally.resumed += 1
            bar.update(len(chunk), resumed=tally.resumed)
            continue
        yield number, chunk
