"""Writing the user's output files safely: never half-written, never overwritten by surprise."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from analysis.errors import InputError


def check_writable(path: str | Path, force: bool = False) -> Path:
    """Refuse an existing ``path`` unless ``force``, and a folder we cannot write to."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; pass --force to overwrite it")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{parent}: no such directory")
    # os.access says yes to root even on a read-only mount: try for real.
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=parent)
    except OSError:
        raise InputError(f"{parent}: directory is not writable") from None
    os.close(handle)
    os.unlink(probe)
    return path


def write_bytes_atomic(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp creates the file 0600; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(text: str, path: str | Path) -> Path:
    """UTF-8 text version of :func:`write_bytes_atomic`."""
    return write_bytes_atomic(text.encode("utf-8"), path)
