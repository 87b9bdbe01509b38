"""The inputs of a batch, streamed in numbered chunks: a folder of articles, or a passages file."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.articles import (
    ARTICLE_SUFFIXES,
    PASSAGE_SUFFIXES,
    Article,
    check_regular_file,
    passages_frame,
    read_article,
)
from analysis.errors import InputError
from analysis.segment import PASSAGE_COLUMNS, iter_passages

# Chunk fields passed to the model; everything else in an input table is ignored.
_PASSAGE_FIELDS = ("id", "article", "text")

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
                skip_bad_rows: bool = False, articles: bool = False) -> Source:
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
    articles : bool
        Yield :class:`ArticleChunk` s of whole articles (for events) instead of passages;
        only a folder has articles, so a passages file is refused.

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
        return _folder_source(path, level, chunksize, articles)
    if articles:
        raise InputError(f"{path}: events need whole articles, and a passages file has none (its rows are passages "
                         "without the article around them); give a folder of .txt/.md/.html articles")
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


def _folder_source(folder: Path, level: str, chunksize: int, articles: bool = False) -> Source:
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
        if articles:  # an article's date is in the .meta.json beside it: a changed date must not resume
            meta = path.with_name(path.stem + ".meta.json")
            if meta.is_file():
                listing.update(f"{meta.name}\0{meta.stat().st_size}\0{meta.stat().st_mtime_ns}\n".encode())
    fingerprint = {"files": len(files), "size": sum(sizes), "listing_sha256": listing.hexdigest()}
    position = Position(sum(sizes))
    chunker = _article_chunks if articles else _folder_chunks
    return Source(folder, "folder", False, fingerprint, None,
                  lambda: chunker(list(zip(files, sizes)), level, chunksize, position), position)


def _folder_articles(files: list[tuple[Path, int]], position: Position) -> Iterator[Article]:
    """Every readable article, in file-name order."""
    for path, size in files:
        try:
            article = read_article(path)
        except (InputError, OSError) as err:
            # One bad file in ten thousand should not sink the batch.
            warnings.warn(f"skipped {path.name}: {err}", stacklevel=2)
            article = None
        position.done += size
        if article is not None:
            yield article


def _folder_chunks(files: list[tuple[Path, int]], level: str, chunksize: int,
                   position: Position) -> Iterator[tuple[int, pd.DataFrame]]:
    # level, paragraph and context let a level-aware model read each sentence with its paragraph, as classify does
    columns = PASSAGE_COLUMNS + (["context"] if level == "sentence" else [])
    rows: list[dict] = []
    number = position.done = 0
    for article in _folder_articles(files, position):
        rows.extend(iter_passages(article, level))
        # Cut only between articles: the default model reads each paragraph with the rest of its article.
        if len(rows) >= chunksize:
            yield number, pd.DataFrame(rows, columns=columns)
            rows, number = [], number + 1
    if rows:
        yield number, pd.DataFrame(rows, columns=columns)


@dataclass
class ArticleChunk:
    """Whole articles, for a batch that extracts events too; ``len()`` is their passages at the batch's level."""

    articles: list[Article]
    passages: int

    def __len__(self) -> int:
        return self.passages


def _article_chunks(files: list[tuple[Path, int]], level: str, chunksize: int,
                    position: Position) -> Iterator[tuple[int, ArticleChunk]]:
    """Chunks of whole articles (events are read across an article's sentences), cut once ``chunksize`` is reached."""
    articles: list[Article] = []
    passages = number = position.done = 0
    for article in _folder_articles(files, position):
        articles.append(article)
        passages += sum(1 for _ in iter_passages(article, level))
        if passages >= chunksize:
            yield number, ArticleChunk(articles, passages)
            articles, passages, number = [], 0, number + 1
    if articles:
        yield number, ArticleChunk(articles, passages)
