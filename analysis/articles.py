"""Read the user's input: one article, or a table of pre-split passages.

Everything that can go wrong with a file the user hands us is turned into an
:class:`~analysis.errors.InputError` here, so later stages only see clean text.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import warnings
from dataclasses import dataclass, field, replace
from datetime import date as Date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

ARTICLE_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm"}
PASSAGE_SUFFIXES = {".jsonl", ".csv", ".parquet"}
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
MAX_META_BYTES = 1024 * 1024
# classify holds a passages file in memory; anything bigger belongs to `batch`.
MAX_PASSAGES_BYTES = 512 * 1024 * 1024
# Dates outside this range are typos (and 0001-01-01 overflows date arithmetic).
FIRST_YEAR, LAST_YEAR = 1900, 2100

# First bytes of common binary formats, so the error can say what the file is.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (or .docx/.xlsx)",
    b"\x1f\x8b": "a gzip archive",
    b"PAR1": "a Parquet file",
    b"\x7fELF": "an executable",
}
_ENGLISH_WORDS = frozenset(
    "the of and to in a is was for on that with by as at from said were has have "
    "it its after an be are which this their not but had they or".split()
)


@dataclass(frozen=True)
class Article:
    """One article: its id, its full text, whatever metadata came with it, and its date.

    ``date`` is the paper's date as a :class:`datetime.date`, the one every stage reads
    (events are dated against it). Left out, it is parsed here, once, from
    ``meta["date"]`` (ISO text; anything else leaves the article undated, as a date no
    stage can read). ``meta["date"]`` keeps the ISO text of the same day.
    """

    id: str
    text: str
    path: str | None = None
    meta: dict = field(default_factory=dict)
    date: Date | None = None

    def __post_init__(self):
        if self.date is None:
            object.__setattr__(self, "date", _meta_date(self.meta))
        elif (self.meta or {}).get("date") != self.date.isoformat():
            object.__setattr__(self, "meta", {**(self.meta or {}), "date": self.date.isoformat()})


def _meta_date(meta: dict | None) -> Date | None:
    value = (meta or {}).get("date")
    if not value:
        return None
    try:
        return Date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _describe_binary(head: bytes) -> str | None:
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    if b"\x00" in head[:8192]:
        return "a binary file"
    return None


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode file bytes to text, refusing binary data with a clear message.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are recognised;
    anything else must be named with ``encoding``.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if encoding is None and data.startswith(bom):
            encoding = codec
            break
    if encoding is None:
        kind = _describe_binary(data[:8192])
        if kind:
            raise InputError(f"{source}: this is {kind}, not text")
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"{source}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as err:
        raise InputError(
            f"{source}: not valid {encoding} (byte {err.start}); "
            "re-save it as UTF-8 or pass --encoding (e.g. --encoding latin-1)"
        ) from None
    if "\x00" in text:
        raise InputError(f"{source}: contains NUL characters; this is not a text file")
    return text


def _special_kind(mode: int) -> str | None:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular_file(path: str | Path) -> Path:
    """Refuse a missing path, a folder, and devices, FIFOs or sockets (also behind a symlink).

    Reading ``/dev/zero`` would never end and opening a FIFO with no writer would hang,
    so only regular files get as far as being opened.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows symlinks: the target is what would be read
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except NotADirectoryError:
        raise InputError(f"{path}: no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a file")
    kind = _special_kind(mode)
    if kind:
        raise InputError(f"{path}: is {kind}, not a regular file; only regular files are read")
    return path


def read_limited(path: str | Path, limit: int, advice: str = "") -> bytes:
    """The bytes of the regular file ``path``, refusing more than ``limit`` bytes.

    The cap is enforced while reading, not from ``stat``: a file that grows, or a
    special file swapped in after the check, still cannot exceed it.
    """
    path = check_regular_file(path)
    try:
        # O_NONBLOCK: should a FIFO replace the file after the check, open() must not hang.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    with os.fdopen(descriptor, "rb") as stream:
        if _special_kind(os.fstat(stream.fileno()).st_mode):
            raise InputError(f"{path}: is not a regular file; only regular files are read")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{path}: too large: more than {limit / 1e6:.0f} MB, the limit for this input{advice}")
    return data


def read_stream_limited(stream, limit: int, source: str) -> bytes:
    """Up to ``limit`` bytes from a binary ``stream`` (standard input), refusing more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{source}: more than {limit / 1e6:.0f} MB, the limit for one article")
    return data


def looks_like_html(text: str) -> bool:
    """True when ``text`` starts like an HTML document."""
    return bool(re.match(r"\s*(<!doctype html|<html|<head|<body)", text[:512], re.I))


def html_to_text(html: str, source: str) -> str:
    """Extract the main text of an HTML page (paragraphs on their own lines)."""
    import trafilatura  # heavy; only HTML input needs it

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise InputError(f"{source}: no article text found in this HTML page")
    return text


def english_share(text: str) -> float:
    """Share of the first 2,000 words that are common English function words."""
    words = re.findall(r"[^\W\d_]+", text[:20000].lower())[:2000]
    if not words:
        return 0.0
    return sum(word in _ENGLISH_WORDS for word in words) / len(words)


def read_article(path: str | Path, encoding: str | None = None) -> Article:
    """Read one article from a ``.txt``, ``.md`` or ``.html`` file.

    Parameters
    ----------
    path : str or Path
        The file. A sidecar ``<stem>.meta.json`` next to it, if present, becomes
        :attr:`Article.meta`.
    encoding : str, optional
        Force a text encoding instead of detecting UTF-8/UTF-16 by BOM.

    Raises
    ------
    InputError
        Missing, empty, binary, undecodable or oversized files.
    """
    path = Path(path)
    advice = "; split it, or run `python -m analysis batch` on a folder or a passages file"
    text = decode_bytes(read_limited(path, MAX_ARTICLE_BYTES, advice), str(path), encoding)
    if path.suffix.lower() in {".html", ".htm"} or looks_like_html(text):
        text = html_to_text(text, str(path))
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    # English news runs at 30-45 % function words; short texts are too noisy to judge.
    if len(text.split()) >= 12 and english_share(text) < 0.15:
        warnings.warn(
            f"{path}: this does not look like English text; the models were trained "
            "on English news and their labels may be meaningless",
            stacklevel=2,
        )
    return Article(id=path.stem, text=text, path=str(path), meta=read_meta(path))


def parse_date(value, what: str) -> str:
    """``value`` as an ISO date string (``YYYY-MM-DD``), or an InputError naming ``what``.

    Years outside 1900-2100 are refused as typos.
    """
    return parse_day(value, what).isoformat()


def parse_day(value, what: str) -> Date:
    """``value`` as a :class:`datetime.date`, or an InputError naming ``what`` (see :func:`parse_date`)."""
    from datetime import date, datetime

    if not isinstance(value, str):
        raise InputError(f"{what} must be a date string (YYYY-MM-DD), not {_json_type(value)}")
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            day = datetime.fromisoformat(text).date()  # a timestamp also dates the article
        except ValueError:
            raise InputError(f"{what}: {_shorten(text)!r} is not a date; expected YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(f"{what}: {day.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return day


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {list: "a list", dict: "an object", str: "a string"}.get(type(value), type(value).__name__)


def with_date(article: Article, value: str | None) -> Article:
    """``article`` dated ``value`` (an ISO date, ``YYYY-MM-DD``), or undated when ``value`` is None."""
    day = None if value is None else parse_day(value, "--date")
    return replace(article, date=day, meta={**(article.meta or {}), "date": None if day is None else day.isoformat()})


# Fields of a .meta.json that must be text when present (they reach tables and the report).
META_TEXT_FIELDS = ("title", "outlet", "topic", "language", "style", "author")


def validate_meta(meta, source: str) -> dict:
    """Check a parsed ``.meta.json``: an object, text fields as strings, an ISO ``date``.

    Returns the metadata with ``date`` normalised to ``YYYY-MM-DD``; raises an
    InputError naming the field otherwise.
    """
    if not isinstance(meta, dict):
        raise InputError(f"{source}: expected a JSON object, got {_json_type(meta)}")
    for name in META_TEXT_FIELDS:
        if meta.get(name) is not None and not isinstance(meta[name], str):
            raise InputError(f"{source}: field '{name}' must be a string, not {_json_type(meta[name])}")
    if meta.get("date") not in (None, ""):
        meta = {**meta, "date": parse_date(meta["date"], f"{source}: field 'date'")}
    return meta


def read_meta(path: Path) -> dict:
    """Read and validate the optional ``<stem>.meta.json`` sidecar of an article."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not os.path.lexists(sidecar):
        return {}
    data = read_limited(sidecar, MAX_META_BYTES)
    try:
        meta = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(f"{sidecar}: not valid JSON ({err})") from None
    return validate_meta(meta, str(sidecar))


def read_passages(path: str | Path, encoding: str | None = None, skip_bad_rows: bool = False) -> pd.DataFrame:
    """Read pre-split passages from a JSONL, CSV or Parquet file.

    The file needs a ``text`` field; ``id`` and ``article`` are kept when given.
    Returns a DataFrame with columns ``id``, ``article``, ``index``, ``start``,
    ``end``, ``text`` (offsets are into each passage's own text).
    """
    path = Path(path)
    frame = read_table(path, encoding, required=("text",))
    skipped: list[int] = []
    passages = passages_frame(frame, default_article=path.stem, skip_bad_rows=skip_bad_rows, skipped=skipped,
                              source=str(path))
    if skipped:
        warnings.warn(skipped_rows_message(path, skipped), stacklevel=2)
    return passages


def skipped_rows_message(path, skipped: list[int]) -> str:
    """The warning for rows left out by ``--skip-bad-rows``."""
    shown = ", ".join(str(row + 1) for row in skipped[:10]) + (" ..." if len(skipped) > 10 else "")
    return f"{path}: skipped {len(skipped)} row(s) whose 'text' is not a string (rows {shown})"


def read_table(path: str | Path, encoding: str | None = None, required=("text",)) -> pd.DataFrame:
    """Read a JSONL, CSV or Parquet file as it is (CSV cells as text), checking ``required`` columns."""
    path = check_regular_file(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as err:  # pyarrow raises several unrelated types
            raise InputError(f"{path}: not a readable Parquet file ({err})") from None
    else:
        advice = "; run `python -m analysis batch` on it instead"
        text = decode_bytes(read_limited(path, MAX_PASSAGES_BYTES, advice), str(path), encoding)
        if not text.strip():
            raise InputError(f"{path}: the file is empty")
        frame = _parse_table(text, suffix, path)
    for column in required:
        if column not in frame.columns:
            raise InputError(
                f"{path}: no {column!r} column (found: {', '.join(map(str, frame.columns)) or 'none'})"
            )
    return frame


def _parse_table(text: str, suffix: str, path: Path) -> pd.DataFrame:
    if suffix == ".csv":
        import io

        try:
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, ValueError) as err:
            raise InputError(f"{path}: not a readable CSV file ({err})") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise InputError(f"{path}:{number}: not a JSON object") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
        rows.append(row)
    return pd.DataFrame(rows)


def bad_text_rows(texts: pd.Series) -> list[tuple[int, str]]:
    """Positions and JSON type names of the values of ``texts`` that are not strings.

    A null, number, list, object or boolean must not be turned into text such as
    ``"['a', 'b']"`` and classified.
    """
    if isinstance(texts.dtype, pd.StringDtype):
        missing = texts.isna().to_numpy()
        return [(int(i), "null") for i in missing.nonzero()[0]]
    if texts.dtype != object:
        # A whole column of numbers or booleans: every row is wrong.
        return [(i, _json_type(value.item() if hasattr(value, "item") else value))
                for i, value in enumerate(texts.to_numpy())]
    return [(i, _json_type(value)) for i, value in enumerate(texts.to_numpy()) if not isinstance(value, str)]


def _describe_rows(bad: list[tuple[int, str]]) -> str:
    shown = ", ".join(f"row {row + 1} ({kind})" for row, kind in bad[:5])
    return shown + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")


def passages_frame(frame: pd.DataFrame, default_article: str, offset: int = 0,
                   with_id: bool | None = None, skip_bad_rows: bool = False,
                   skipped: list[int] | None = None, source: str | None = None) -> pd.DataFrame:
    """Normalise a table of passages to the columns the models expect.

    ``index`` counts rows from ``offset`` (so chunks of a large file keep their file row
    numbers); missing ids stay null and missing articles take ``default_article``.
    ``with_id`` defaults to whether the table has an ``id`` column.

    A ``text`` that is not a string is an InputError naming its row (counted from 1
    over the data rows of the file), or with ``skip_bad_rows`` the row is left out and
    its number appended to ``skipped``; ``index`` still gives the file row.
    """
    frame = frame.reset_index(drop=True)
    with_id = "id" in frame.columns if with_id is None else with_id
    bad = bad_text_rows(frame["text"])
    rows = pd.RangeIndex(offset, offset + len(frame))
    if bad:
        numbered = [(offset + row, kind) for row, kind in bad]
        if not skip_bad_rows:
            where = f"{source}: " if source else ""
            raise InputError(f"{where}'text' must be a string: {_describe_rows(numbered)}; "
                             "fix these rows or pass --skip-bad-rows")
        if skipped is not None:
            skipped.extend(row for row, _ in numbered)
        keep = np.ones(len(frame), dtype=bool)
        keep[[row for row, _ in bad]] = False
        frame, rows = frame[keep].reset_index(drop=True), rows[keep]
    texts = frame["text"].astype("string").fillna("")
    out = pd.DataFrame(index=range(len(frame)))
    if with_id:
        ids = frame["id"] if "id" in frame.columns else pd.Series([None] * len(frame))
        out["id"] = ids.astype("string").to_numpy()
    articles = frame["article"] if "article" in frame.columns else pd.Series([None] * len(frame))
    out["article"] = articles.astype("string").fillna(default_article).to_numpy()
    out["index"] = rows.to_numpy()
    out["start"] = 0
    out["end"] = texts.str.len().to_numpy()
    out["text"] = texts.to_numpy()
    out["boilerplate"] = False
    return out
