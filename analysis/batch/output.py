"""What a batch writes: the output schema, labelled chunks, and the work folder of part files."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.labelling import SCORE_COLUMNS, label_passages, model_labels, score_columns

MANIFEST_NAME = "manifest.json"
# Bump when the part-file layout changes, so that old parts are never mixed in
# (2: a folder's chunks end with an article, so chunk boundaries moved).
MANIFEST_VERSION = 2
PART_PATTERN = "part-*.parquet"
EVENTS_PART_PATTERN = "events-*.parquet"


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
    return arrow_table(label_passages(chunk, model), schema)


def arrow_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """The ``schema`` columns of ``frame`` as an Arrow table without pandas metadata."""
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    # pandas metadata would tie the file to this pandas version and index layout.
    return table.replace_schema_metadata(None)


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

    def events_part(self, number: int) -> Path:
        """The events part file of chunk ``number`` (a batch with events)."""
        return self.path / f"events-{number:06d}.parquet"

    def is_done(self, number: int, rows: int, events: bool = False) -> bool:
        """Whether chunk ``number`` has a complete part file with ``rows`` rows (and its events part)."""
        try:
            if events:
                pq.read_metadata(self.events_part(number))
            return pq.read_metadata(self.part(number)).num_rows == rows
        except Exception:  # missing or damaged: label the chunk again
            return False

    def write_part(self, number: int, table: pa.Table | tuple[pa.Table, pa.Table]) -> None:
        """Write chunk ``number`` so that it appears complete or not at all.

        ``table`` is the passages, or ``(passages, events)``; the events go first, so that a
        passages part never stands without them.
        """
        if isinstance(table, tuple):
            table, events = table
            _write_atomic(self.events_part(number), lambda target: pq.write_table(events, target))
        _write_atomic(self.part(number), lambda target: pq.write_table(table, target))

    def assemble(self, output: Path, chunks: int, schema: pa.Schema, events: bool = False) -> None:
        """Stream parts ``0..chunks-1`` into a temporary file and rename it to ``output``.

        With ``events``, ``output`` is the events file and the events parts are read.
        """
        part = self.events_part if events else self.part

        def write(target: str) -> None:
            with pq.ParquetWriter(target, schema) as writer:
                for number in range(chunks):
                    # One part in memory at a time; each becomes a row group.
                    writer.write_table(pq.read_table(part(number), schema=schema))
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
        for pattern in (PART_PATTERN, EVENTS_PART_PATTERN, ".*.part", MANIFEST_NAME):
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

