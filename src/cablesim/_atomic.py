"""Atomic file output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_text", "atomic_write_bytes", "check_writable"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The data goes to a temporary file in the same directory, is flushed and fsynced, and
    then replaces ``path`` with :func:`os.replace` (atomic on POSIX and Windows).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual file mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def check_writable(path: str | os.PathLike[str], *, folder: bool = True,
                   name: str = "output") -> None:
    """Raise :class:`cablesim.OutputError` unless ``path`` can be created or replaced.

    Checked before any work is done, so that a command fails at once with a located message
    instead of after minutes of computing. ``folder`` says whether ``path`` is a folder (the
    results folder) or a file (an image, a GeoPackage); ``name`` is how messages call it.
    """
    from cablesim._errors import OutputError, Problem

    target = Path(path)
    hint = f"choose another {name} location"
    if target.exists() and folder and not target.is_dir():
        raise OutputError(f"cannot write the {name}", [Problem(
            str(target), None, None, "exists and is not a folder", hint)])
    if target.exists() and not folder and target.is_dir():
        raise OutputError(f"cannot write the {name}", [Problem(
            str(target), None, None, "is a folder, not a file", hint)])
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write the {name}", [Problem(
            str(target), None, None, f"{str(parent)!r} is not a folder", hint)])
    try:  # a probe file, not os.access: root passes access checks that /proc still refuses
        fd, probe = tempfile.mkstemp(prefix=".cablesim-probe-", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write the {name}", [Problem(
            str(target), None, None, f"cannot create files in {str(parent)!r}: "
            f"{exc.strerror or exc}", hint)]) from None
    os.close(fd)
    os.unlink(probe)
