"""Read the user's input: one article, or a table of pre-split passages.

Everything that can go wrong with a file the user hands us is turned into an
:class:`~analysis.errors.InputError` here, so later stages only see clean text.
"""

from __future__ import annotations

import codecs
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

ARTICLE_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm"}
PASSAGE_SUFFIXES = {".jsonl", ".csv", ".parquet"}
MAX_ARTICLE_BYTES = 10 * 1024 * 1024

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
    """One article: its id, its full text and whatever metadata came with it."""

    id: str
    text: str
    path: str | None = None
    meta: dict = field(default_factory=dict)


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


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")


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
    _check_file(path)
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{path}: {size / 1e6:.1f} MB is too large for one article "
            f"(limit {MAX_ARTICLE_BYTES / 1e6:.0f} MB); split it, or run "
            "`python -m analysis batch` on a folder or a passages file"
        )
    text = decode_bytes(path.read_bytes(), str(path), encoding)
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


def with_date(article: Article, value: str) -> Article:
    """``article`` with ``meta["date"]`` set to ``value`` (an ISO date, ``YYYY-MM-DD``)."""
    from datetime import date

    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date; expected YYYY-MM-DD") from None
    return replace(article, meta={**(article.meta or {}), "date": day.isoformat()})


def read_meta(path: Path) -> dict:
    """Read the optional ``<stem>.meta.json`` sidecar of an article."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.is_file():
        return {}
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(f"{sidecar}: not valid JSON ({err})") from None


def read_passages(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read pre-split passages from a JSONL, CSV or Parquet file.

    The file needs a ``text`` field; ``id`` and ``article`` are kept when given.
    Returns a DataFrame with columns ``id``, ``article``, ``index``, ``start``,
    ``end``, ``text`` (offsets are into each passage's own text).
    """
    path = Path(path)
    frame = read_table(path, encoding, required=("text",))
    return passages_frame(frame, default_article=path.stem)


def read_table(path: str | Path, encoding: str | None = None, required=("text",)) -> pd.DataFrame:
    """Read a JSONL, CSV or Parquet file as it is (CSV cells as text), checking ``required`` columns."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as err:  # pyarrow raises several unrelated types
            raise InputError(f"{path}: not a readable Parquet file ({err})") from None
    else:
        text = decode_bytes(path.read_bytes(), str(path), encoding)
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


def passages_frame(frame: pd.DataFrame, default_article: str, offset: int = 0,
                   with_id: bool | None = None) -> pd.DataFrame:
    """Normalise a table of passages to the columns the models expect.

    ``index`` counts rows from ``offset`` (so chunks of a large file keep their file row
    numbers); missing ids stay null and missing articles take ``default_article``.
    ``with_id`` defaults to whether the table has an ``id`` column.
    """
    frame = frame.reset_index(drop=True)
    with_id = "id" in frame.columns if with_id is None else with_id
    texts = frame["text"].astype("string").fillna("")
    out = pd.DataFrame(index=range(len(frame)))
    if with_id:
        ids = frame["id"] if "id" in frame.columns else pd.Series([None] * len(frame))
        out["id"] = ids.astype("string").to_numpy()
    articles = frame["article"] if "article" in frame.columns else pd.Series([None] * len(frame))
    out["article"] = articles.astype("string").fillna(default_article).to_numpy()
    out["index"] = range(offset, offset + len(frame))
    out["start"] = 0
    out["end"] = texts.str.len().to_numpy()
    out["text"] = texts.to_numpy()
    out["boilerplate"] = False
    return out
