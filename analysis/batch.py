"""Label huge inputs chunk by chunk: bounded memory, resumable, locally or on Dask.

The input (a folder of articles, or a JSONL / CSV / Parquet file of passages) is
read as a stream and cut into chunks of ``chunksize`` passages. Each labelled
chunk is written as a Parquet *part file* in a hidden work folder beside the
output::

    out.parquet                  written last, atomically
    .out.parquet.parts/
        manifest.json            input fingerprint, level, model, chunksize
        part-000000.parquet      chunk 0, and so on

A run that is interrupted (Ctrl-C, a crash, a killed worker) leaves its finished
parts behind; the next run with the same settings skips them. Only when every
chunk is done are the parts streamed into one file, which is renamed into place.
Memory therefore stays at a few chunks, whatever the size of the input.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.articles import (
    ARTICLE_SUFFIXES,
    PASSAGE_SUFFIXES,
    check_regular_file,
    passages_frame,
    read_article,
    skipped_rows_message,
)
from analysis.errors import InputError
from analysis.files import check_writable, output_lock
from analysis.labelling import SCORE_COLUMNS, label_passages, model_labels, score_columns
from analysis.segment import LEVELS, iter_passages

__all__ = ["ENGINES", "open_source", "output_schema", "label_chunk", "run_batch", "model_loads"]

ENGINES = ("local", "dask")
MANIFEST_NAME = "manifest.json"
# Bump when the part-file layout changes, so that old parts are never mixed in.
MANIFEST_VERSION = 1
PART_PATTERN = "part-*.parquet"
# Chunk fields passed to the model; everything else in an input table is ignored.
_PASSAGE_FIELDS = ("id", "article", "text")


# --------------------------------------------------------------------------- output


def output_schema(with_id: bool, labels=None) -> pa.Schema:
    """The Arrow schema of the output file (and of every part file).

    Parameters
    ----------
    with_id : bool
        Whether the input gave passage ids (a leading ``id`` column).
    labels : sequence of str, optional
        The model's labels (default: the codebook's), one score column each.

    Returns
    -------
    pyarrow.Schema
        ``[id,] article, index, start, end, text, labels, score_<label>...``.
    """
    fields = [pa.field("id", pa.string())] if with_id else []
    fields += [
        pa.field("article", pa.string()),
        pa.field("index", pa.int64()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("text", pa.string()),
        pa.field("labels", pa.list_(pa.string())),
    ]
    columns = SCORE_COLUMNS if labels is None else score_columns(labels)
    fields += [pa.field(column, pa.float64()) for column in columns]
    return pa.schema(fields)


def label_chunk(chunk: pd.DataFrame, model, with_id: bool) -> pa.Table:
    """Label one chunk of passages and return it as an output-schema Arrow table.

    Parameters
    ----------
    chunk : DataFrame
        Passages with ``article``, ``index``, ``start``, ``end``, ``text`` (and
        ``id``, ``boilerplate`` when known).
    model
        A fitted model from :func:`analysis.models.get_model`.
    with_id : bool
        Keep the ``id`` column.

    Returns
    -------
    pyarrow.Table
    """
    schema = output_schema(with_id, model_labels(model))
    if not len(chunk):
        return schema.empty_table()  # every row of the chunk was skipped as bad
    labelled = label_passages(chunk, model)
    table = pa.Table.from_pandas(labelled[schema.names], schema=schema, preserve_index=False)
    # pandas metadata would tie the file to this pandas version and index layout.
    return table.replace_schema_metadata(None)


# ---------------------------------------------------------------- model per worker

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
    return label_chunk(chunk, cached_model(model_name), with_id)


# ----------------------------------------------------------------------- the input


@dataclass
class Source:
    """A streamed input: what it is, how to fingerprint it, how to read it in chunks.

    Attributes
    ----------
    path : Path
    kind : {"folder", "jsonl", "csv", "parquet"}
    with_id : bool
        The passages carry ids.
    fingerprint : dict
        Size and mtime (and for folders a digest of the listing), for the manifest.
    total : int or None
        Number of passages when known without reading everything (Parquet).
    chunks : callable
        ``chunks()`` yields ``(number, DataFrame)`` with exactly ``chunksize``
        passages each except the last.
    position : Position
        Bytes read so far out of the total, to estimate ``total`` when unknown.
    """

    path: Path
    kind: str
    with_id: bool
    fingerprint: dict
    total: int | None
    chunks: Callable[[], Iterator[tuple[int, pd.DataFrame]]]
    position: Position
    skipped: list[int] | None = None


@dataclass
class Position:
    """How far a streamed reader got: ``done`` of ``total`` input bytes."""

    total: int
    done: int = 0

    def estimate(self, passages: int) -> int | None:
        """Passages in the whole input, extrapolated from ``passages`` read so far."""
        if not self.done or not passages:
            return None
        return max(passages, round(passages * self.total / self.done))


def open_source(path: str | Path, level: str = "paragraph", chunksize: int = 20000,
                skip_bad_rows: bool = False) -> Source:
    """Check ``path`` and prepare to stream its passages in chunks.

    Parameters
    ----------
    path : str or Path
        A folder of ``.txt``/``.md``/``.html`` articles, or a ``.jsonl``,
        ``.csv`` or ``.parquet`` file of passages with a ``text`` column.
    level : {"paragraph", "sentence"}
        How articles of a folder are split; passages files are already split.
    chunksize : int
        Passages per chunk.
    skip_bad_rows : bool
        Leave out rows whose ``text`` is not a string (their file row numbers go to
        ``Source.skipped``) instead of failing on the first chunk that has one.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        A missing path, an unsupported file type, an unreadable table, no ``text``
        column, or a folder without articles.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return _folder_source(path, level, chunksize)
    suffix = path.suffix.lower()
    if suffix not in PASSAGE_SUFFIXES:
        raise InputError(
            f"{path}: expected a folder of articles or a passages file ({', '.join(sorted(PASSAGE_SUFFIXES))})"
        )
    check_regular_file(path)
    opener = {".jsonl": _jsonl_source, ".csv": _csv_source, ".parquet": _parquet_source}[suffix]
    rows = _RowPolicy(skip_bad_rows, [], str(path))
    source = opener(path, chunksize, rows)
    source.skipped = rows.skipped
    return source


@dataclass
class _RowPolicy:
    """What to do with a row whose ``text`` is not a string, and the rows skipped so far."""

    skip: bool
    skipped: list[int]
    source: str


def _file_fingerprint(path: Path) -> dict:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _missing_text(path: Path, columns: Iterable) -> InputError:
    found = ", ".join(map(str, columns)) or "none"
    return InputError(f"{path}: no 'text' column (found: {found})")


def _table_chunks(frames: Iterable[pd.DataFrame], with_id: bool, default_article: str,
                  chunksize: int, rows: _RowPolicy) -> Iterator[tuple[int, pd.DataFrame]]:
    """Re-cut raw frames of any size into numbered, normalised chunks of ``chunksize``.

    Readers do not promise exact batch sizes (Parquet batches stop at row-group
    ends), but resuming needs chunk ``k`` to be the same rows on every run.
    """
    pending: list[pd.DataFrame] = []
    buffered = offset = number = 0
    for frame in frames:
        pending.append(frame)
        buffered += len(frame)
        while buffered >= chunksize:
            joined = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
            head, rest = joined.iloc[:chunksize], joined.iloc[chunksize:].reset_index(drop=True)
            yield number, passages_frame(head, default_article, offset, with_id, rows.skip, rows.skipped,
                                         rows.source)
            number, offset = number + 1, offset + chunksize
            pending, buffered = ([rest] if len(rest) else []), len(rest)
    if buffered:
        joined = pd.concat(pending, ignore_index=True)
        yield number, passages_frame(joined, default_article, offset, with_id, rows.skip, rows.skipped,
                                     rows.source)


def _parquet_source(path: Path, chunksize: int, rows: _RowPolicy) -> Source:
    try:
        metadata = pq.read_metadata(path)
        columns = metadata.schema.to_arrow_schema().names
    except Exception as err:  # pyarrow raises several unrelated types on bad files
        raise InputError(f"{path}: not a readable Parquet file ({err})") from None
    if "text" not in columns:
        raise _missing_text(path, columns)
    wanted = [name for name in _PASSAGE_FIELDS if name in columns]
    with_id = "id" in columns

    def frames() -> Iterator[pd.DataFrame]:
        # Only the needed columns are read; the rest of a wide table never loads.
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize, columns=wanted):
            yield batch.to_pandas()

    return Source(path, "parquet", with_id, _file_fingerprint(path), metadata.num_rows,
                  lambda: _table_chunks(frames(), with_id, path.stem, chunksize, rows), Position(0))


def _csv_reader(source, **options):
    return pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig", **options)


def _csv_source(path: Path, chunksize: int, rows: _RowPolicy) -> Source:
    try:
        columns = list(_csv_reader(path, nrows=0).columns)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise InputError(f"{path}: not a readable CSV file ({err})") from None
    if "text" not in columns:
        raise _missing_text(path, columns)
    with_id = "id" in columns
    position = Position(path.stat().st_size)

    def frames() -> Iterator[pd.DataFrame]:
        wanted = [name for name in _PASSAGE_FIELDS if name in columns]
        try:
            with open(path, "rb") as stream, _csv_reader(stream, chunksize=chunksize, usecols=wanted) as reader:
                for frame in reader:
                    position.done = stream.tell()
                    yield frame
        except (pd.errors.ParserError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: not a readable CSV file ({err})") from None

    return Source(path, "csv", with_id, _file_fingerprint(path), None,
                  lambda: _table_chunks(frames(), with_id, path.stem, chunksize, rows), position)


def _jsonl_rows(path: Path, position: Position | None = None) -> Iterator[dict]:
    """The JSON objects of a JSONL file, one line at a time."""
    with open(path, "rb") as stream:
        # Binary lines: text-mode files cannot report their position while iterated.
        for number, line in enumerate(stream, start=1):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if position is not None:
                position.done = stream.tell()
            if not line.strip():
                continue
            yield _json_object(line, path, number)


def _json_object(line: bytes, path: Path, number: int) -> dict:
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(f"{path}:{number}: not valid UTF-8 (byte {err.start} of the line)") from None
    except ValueError:
        raise InputError(f"{path}:{number}: not a JSON object") from None
    if not isinstance(row, dict):
        raise InputError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
    return row


def _jsonl_source(path: Path, chunksize: int, rows: _RowPolicy) -> Source:
    # The first object stands for the file: streaming cannot look at every row first.
    first = next(_jsonl_rows(path), None)
    if first is None:
        raise InputError(f"{path}: the file is empty")
    if "text" not in first:
        raise _missing_text(path, first)
    with_id = "id" in first
    position = Position(path.stat().st_size)

    def frames() -> Iterator[pd.DataFrame]:
        batch: list[dict] = []
        for row in _jsonl_rows(path, position):
            batch.append({name: row.get(name) for name in _PASSAGE_FIELDS})
            if len(batch) == chunksize:
                yield pd.DataFrame(batch, columns=list(_PASSAGE_FIELDS), dtype=object)
                batch = []
        if batch:
            yield pd.DataFrame(batch, columns=list(_PASSAGE_FIELDS), dtype=object)

    return Source(path, "jsonl", with_id, _file_fingerprint(path), None,
                  lambda: _table_chunks(frames(), with_id, path.stem, chunksize, rows), position)


def _folder_source(folder: Path, level: str, chunksize: int) -> Source:
    files = sorted(
        (p for p in folder.iterdir()
         if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    if not files:
        raise InputError(f"{folder}: no articles ({', '.join(sorted(ARTICLE_SUFFIXES))}) in this folder")
    listing, sizes = hashlib.sha256(), []
    for path in files:
        stat = path.stat()
        sizes.append(stat.st_size)
        listing.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    fingerprint = {"files": len(files), "size": sum(sizes), "listing_sha256": listing.hexdigest()}
    position = Position(sum(sizes))
    return Source(folder, "folder", False, fingerprint, None,
                  lambda: _folder_chunks(list(zip(files, sizes)), level, chunksize, position), position)


def _folder_passages(files: list[tuple[Path, int]], level: str, position: Position) -> Iterator[dict]:
    """Passages of every readable article, in file-name order."""
    for path, size in files:
        try:
            article = read_article(path)
        except (InputError, OSError) as err:
            # One bad file in ten thousand should not sink the batch.
            warnings.warn(f"skipped {path.name}: {err}", stacklevel=2)
            article = None
        position.done += size
        if article is not None:
            yield from iter_passages(article, level)


def _folder_chunks(files: list[tuple[Path, int]], level: str, chunksize: int,
                   position: Position) -> Iterator[tuple[int, pd.DataFrame]]:
    columns = ["article", "index", "start", "end", "text", "boilerplate"]
    rows: list[dict] = []
    number = position.done = 0
    for passage in _folder_passages(files, level, position):
        rows.append(passage)
        if len(rows) == chunksize:
            yield number, pd.DataFrame(rows, columns=columns)
            rows, number = [], number + 1
    if rows:
        yield number, pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- the work folder


class WorkDir:
    """The hidden folder of part files and their manifest beside the output.

    Parameters
    ----------
    output : Path
        The final output file; the folder is ``.<output name>.parts``.
    """

    def __init__(self, output: Path):
        self.path = output.parent / f".{output.name}.parts"

    def part(self, number: int) -> Path:
        """The part file of chunk ``number``."""
        return self.path / f"part-{number:06d}.parquet"

    def prepare(self, manifest: dict) -> None:
        """Keep existing parts if they were made with ``manifest``'s settings, else clear them."""
        if self._manifest() == manifest:
            return
        self.clear()
        self.path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(manifest, indent=2, sort_keys=True)
        _write_atomic(self.path / MANIFEST_NAME, lambda target: Path(target).write_text(text, encoding="utf-8"))

    def _manifest(self) -> dict | None:
        try:
            return json.loads((self.path / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def is_done(self, number: int, rows: int) -> bool:
        """Whether chunk ``number`` has a complete part file with ``rows`` rows."""
        try:
            return pq.read_metadata(self.part(number)).num_rows == rows
        except Exception:  # missing or damaged: label the chunk again
            return False

    def write_part(self, number: int, table: pa.Table) -> None:
        """Write chunk ``number`` so that it appears complete or not at all."""
        _write_atomic(self.part(number), lambda target: pq.write_table(table, target))

    def assemble(self, output: Path, chunks: int, schema: pa.Schema) -> None:
        """Stream parts ``0..chunks-1`` into a temporary file and rename it to ``output``."""

        def write(target: str) -> None:
            with pq.ParquetWriter(target, schema) as writer:
                for number in range(chunks):
                    # One part in memory at a time; each becomes a row group.
                    writer.write_table(pq.read_table(self.part(number), schema=schema))
                if chunks == 0:
                    writer.write_table(schema.empty_table())

        _write_atomic(output, write)

    def clear(self) -> None:
        """Delete the manifest, parts and leftovers of this work folder, then the folder.

        Only files this module writes are removed, in case the folder name was
        ever taken by something else.
        """
        if not self.path.is_dir():
            return
        for pattern in (PART_PATTERN, ".*.part", MANIFEST_NAME):
            for path in self.path.glob(pattern):
                path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.rmdir()


def _write_atomic(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place.

    A crash or Ctrl-C at any moment leaves either the old file or the new one
    under ``path``, never half of one.
    """
    # Not mkstemp: its 0600 mode would leave the output unreadable to the user's group.
    temporary = str(path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------- progress


class _Progress:
    """A tqdm bar over passages, or nothing.

    Parameters
    ----------
    enabled : bool or None
        ``None``: show the bar only when stderr is a terminal.
    total : int or None
        Passages expected; without it the bar shows the rate but no ETA.
    """

    def __init__(self, enabled: bool | None, total: int | None):
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="passages", unit_scale=True, smoothing=0.1, dynamic_ncols=True)

    def update(self, rows: int, **postfix) -> None:
        """Count ``rows`` more passages done."""
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(rows)

    def estimate(self, total: int | None) -> None:
        """Set an extrapolated total, so that the bar can show an ETA."""
        if self.bar is not None and total:
            self.bar.total = total

    def close(self, complete: bool = False) -> None:
        """Close the bar; a complete run ends at 100 % whatever the estimate was."""
        if self.bar is not None:
            if complete:
                self.bar.total = self.bar.n
                self.bar.refresh()
            self.bar.close()


# ------------------------------------------------------------------------ engines


@dataclass
class _Tally:
    """What a run did, updated as chunks finish."""

    passages: int = 0
    chunks: int = 0
    resumed: int = 0


# Passages labelled between two progress-bar updates in a local run: small enough that a
# slow model moves the bar every few seconds, large enough to keep vectorised labelling fast.
PROGRESS_STEP = 1024


def _run_local(chunks: Iterable, work: WorkDir, model, with_id: bool, finished: Callable[[int], None]) -> None:
    """Label the chunks one after the other in this process with the fitted ``model``.

    Each chunk is labelled in steps of :data:`PROGRESS_STEP` passages so that the bar
    advances while a chunk is in progress; the part file still holds the whole chunk.
    """
    for number, chunk in chunks:
        tables = []
        for start in range(0, max(len(chunk), 1), PROGRESS_STEP):
            step = chunk.iloc[start:start + PROGRESS_STEP]
            tables.append(label_chunk(step, model, with_id))
            finished(len(step))
        work.write_part(number, pa.concat_tables(tables))


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
              finished: Callable[[int], None], scheduler: str | None) -> None:
    """Label the chunks on Dask workers, keeping only a few chunks in flight.

    This process reads the input and writes the parts; workers only label. The
    window of twice the worker count keeps every worker busy while bounding the
    memory spent on chunks waiting in queues.
    """
    from distributed import as_completed

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
            future = client.submit(label_chunk_on_worker, data, model_name, with_id, pure=False)
            running[future] = (number, len(chunk))
            completed.add(future)
            while len(running) >= window:
                collect(next(completed))
        for future in completed:
            collect(future)


# ----------------------------------------------------------------------- the run


def _manifest(source: Source, level: str, model: str | None, chunksize: int) -> dict:
    """The settings that decide the content of every part file."""
    stamp = _model_stamp(model)
    return {
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
                     force: bool) -> None:
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if not isinstance(chunksize, int) or chunksize < 1:
        raise InputError(f"chunksize must be a positive whole number, not {chunksize!r}")
    check_writable(output_path, force)
    if input_path.exists() and output_path.resolve() == input_path.resolve():
        raise InputError(f"{output_path}: the output would overwrite the input")


def run_batch(input_path, output_path, level: str = "paragraph", model: str | None = None,
              engine: str = "local", scheduler: str | None = None, chunksize: int = 20000,
              force: bool = False, progress: bool | None = None, skip_bad_rows: bool = False) -> dict:
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

    Returns
    -------
    dict
        ``passages``, ``chunks``, ``seconds``, ``resumed_chunks`` (chunks found
        finished by an earlier, interrupted run) and ``output``.

    Raises
    ------
    InputError
        Bad arguments, unreadable input, no ``text`` column, a ``text`` that is not a
        string, an existing output without ``force``, another batch writing the same
        output, an unknown model or an unreachable scheduler.
    KeyboardInterrupt
        Propagated as is; finished parts stay, so rerunning resumes.
    """
    started = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    _check_arguments(input_path, output_path, level, engine, chunksize, force)
    with output_lock(output_path):
        return _locked_run(input_path, output_path, level, model, engine, scheduler, chunksize, progress,
                           skip_bad_rows, started)


def _locked_run(input_path: Path, output_path: Path, level: str, model: str | None, engine: str,
                scheduler: str | None, chunksize: int, progress: bool | None, skip_bad_rows: bool,
                started: float) -> dict:
    """The body of :func:`run_batch`, run while this process holds the output's lock."""
    source = open_source(input_path, level, chunksize, skip_bad_rows)
    # Locally the model is needed anyway; loading it first turns a bad name into
    # an error before any work. Dask workers load their own copy.
    # A .skops file may hold a user's own labels: its label set fixes the output columns.
    fitted = _load_model(model) if engine == "local" or str(model or "").endswith(".skops") else None
    labels = model_labels(fitted) if fitted is not None else None
    work = WorkDir(output_path)
    work.prepare(_manifest(source, level, model, chunksize))
    tally = _Tally()
    bar = _Progress(progress, source.total)
    complete = False
    try:
        todo = _pending_chunks(source, work, tally, bar)
        if engine == "local":
            _run_local(todo, work, fitted, source.with_id, bar.update)
        else:
            _run_dask(todo, work, model, source.with_id, bar.update, scheduler)
        complete = True
    finally:
        bar.close(complete)
        if not complete and not any(work.path.glob(PART_PATTERN)):
            work.clear()  # nothing worth resuming: leave no empty work folder behind
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
    }


def _load_model(name: str | None):
    from analysis.models import get_model

    return get_model(name)


def _pending_chunks(source: Source, work: WorkDir, tally: _Tally, bar: _Progress) -> Iterator:
    """The chunks still to label; counts every chunk and skips those already done."""
    for number, chunk in source.chunks():
        tally.chunks += 1
        tally.passages += len(chunk)
        if source.total is None:
            bar.estimate(source.position.estimate(tally.passages))
        if work.is_done(number, len(chunk)):
            tally.resumed += 1
            bar.update(len(chunk), resumed=tally.resumed)
            continue
        yield number, chunk
