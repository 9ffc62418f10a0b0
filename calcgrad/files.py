"""Reading and writing the files a command is given, so that no input hangs or floods memory
and no report is ever half-written.

Only regular files are read (a FIFO would block forever, /dev/zero never ends), and the size
limit is enforced while reading, not from a size the file reported beforehand. Reports are
written to a temporary file in the same folder and renamed into place: a failure (a full disk,
an interrupt) leaves the previous report untouched.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from calcgrad.errors import UsageError

_CHUNK = 1 << 20


def read_text(path: str | os.PathLike, max_bytes: int, what: str, encoding: str = "utf-8") -> str:
    """The text of a regular file of at most `max_bytes` bytes; UsageError otherwise.

    The file is opened without blocking and checked to be regular before anything is read; the
    limit is counted on the bytes actually read.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise UsageError(f"{what}: cannot read {path}: it does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{what}: {path} is a folder, not a file") from None
    except OSError as error:
        raise UsageError(f"{what}: cannot read {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UsageError(f"{what}: {path} is not a regular file (a pipe, device or folder "
                             "cannot be read); save the data to a file first")
        chunks, total = [], 0
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise UsageError(f"{what}: {path} is larger than the limit of {max_bytes:,} bytes")
            chunks.append(chunk)
    try:
        return b"".join(chunks).decode(encoding)
    except UnicodeDecodeError:
        raise UsageError(f"{what}: {path} is not UTF-8 text") from None


def check_writable(path: str | os.PathLike, inputs=(), what: str = "--out") -> Path:
    """Fail now, before any work, if a report could not be written to `path` later: a missing
    folder, a folder without write permission, a path that is a folder, or one of the inputs."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{what}: the folder {folder} does not exist; create it first")
    if path.is_dir():
        raise UsageError(f"{what}: {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise UsageError(f"{what}: {path} is not a regular file")
    for source in inputs:
        try:
            if path.exists() and os.path.samefile(path, source):
                raise UsageError(f"{what}: {path} is one of the input files; refusing to "
                                 "overwrite it")
        except OSError:
            continue
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{what}: cannot write in the folder {folder} (permission denied)")
    return path


def write_atomically(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to a temporary file beside `path`, flush it to disk, then rename it over
    `path`, so readers see the old file or the new one, never a partial one."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
