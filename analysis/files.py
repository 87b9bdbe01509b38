"""Writing the user's output files safely: never half-written, never overwritten by surprise."""

from __future__ import annotations

import contextlib
import fcntl
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


@contextlib.contextmanager
def output_lock(path: str | Path, what: str = "batch"):
    """Hold an exclusive lock on ``path`` for as long as the block runs.

    The lock is ``.<name>.lock`` beside ``path``, taken with ``flock``: the system drops
    it when the holder exits, even after ``kill -9``, so a stale file never blocks a
    rerun. A second writer gets an InputError at once instead of mixing its parts in.
    """
    path = Path(path)
    lock_path = path.parent / f".{path.name}.lock"
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise InputError(f"another {what} is writing {path}; wait for it to finish") from None
        # The previous holder may have removed the file between our open and our lock:
        # only a lock on the file that is still there counts.
        try:
            same = os.stat(lock_path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(descriptor)
    try:
        yield lock_path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(descriptor)
