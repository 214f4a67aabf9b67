"""Results folders that never lie: one writer for every command that writes a folder.

:class:`ResultsFolder` is how ``run``, ``simulate``, ``plan`` and ``import`` write their
output folder:

- **before any computing** (:meth:`ResultsFolder.open`): the location must be writable; a
  folder already there must be a cablesim results folder of the same kind and inputs
  (else a located :class:`~cablesim.OutputError`; ``force`` lets results of other inputs be
  replaced, but never a folder that holds an input of the run, the current directory or one
  of its parents, or a folder that is not a cablesim results folder); and a lock file beside
  the folder is taken, so that a second writer of the same folder is refused at once with
  the process that holds it named;
- everything is written into a staging folder beside the target (a short name, so that
  long folder names still fit), with the manifest (kind, inputs, parameters, files) last;
- :meth:`ResultsFolder.commit` checks the ownership again, under the lock, and swaps the
  staging folder in: an atomic exchange of the two folders where the system offers one
  (Linux ``renameat2``), else two renames;
- on any exit, error or signal, the staging folder and the lock are removed (signals are
  held while cleaning up and swapping), and stale ones of killed runs are removed by the
  next writer.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cablesim._atomic import atomic_write_text, check_writable
from cablesim._errors import OutputError, Problem
from cablesim._version import __version__

__all__ = ["ResultsFolder", "MANIFEST", "read_manifest"]

MANIFEST = "manifest.json"
"""The manifest of every results folder: kind, inputs, parameters, files, version."""

_STAGE_PREFIX = ".cablesim-stage-"
_LOCK_PREFIX = ".cablesim-lock-"


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a results folder (None when there is none or it is unreadable)."""
    try:
        value = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _legacy_manifest(folder: Path) -> dict[str, Any] | None:
    """What cablesim 0.1 folders written before the common manifest say of themselves."""
    if (folder / "simulation_manifest.json").is_file():
        return {"kind": "simulate", "inputs": None}
    if (folder / "import_report.json").is_file() and (folder / "nodes.csv").is_file():
        return {"kind": "import", "inputs": None}
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _within(inner: Path, outer: Path) -> bool:
    """Whether ``inner`` is ``outer`` or lies below it."""
    return inner == outer or outer in inner.parents


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM (delivered after the block) in the main thread."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):  # not POSIX, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2 RENAME_EXCHANGE); False when the
    system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


class ResultsFolder:
    """The writer of one results folder (see the module docstring).

    Parameters
    ----------
    folder : path-like
        The results folder.
    kind : str
        The command that writes it (``"run"``, ``"simulate"``, ``"plan"``, ``"import"``);
        a folder of another kind is never replaced without ``force``.
    inputs : mapping of str to str
        Input files (as named in the manifest) to their SHA-256.
    parameters : mapping, optional
        Settings that change the results but are not in the input files (a seed, a number
        of years given on the command line).
    protected : iterable of path-like
        The run's input files and folders: never inside the replaced folder, even with
        ``force``.
    force : bool
        Replace results of other inputs.
    """

    def __init__(self, folder: str | os.PathLike[str], *, kind: str,
                 inputs: Mapping[str, str], parameters: Mapping[str, Any] | None = None,
                 protected: Iterable[str | os.PathLike[str]] = (), force: bool = False
                 ) -> None:
        self.folder = Path(folder)
        self.kind = kind
        self.inputs = dict(inputs)
        self.parameters = dict(parameters or {})
        self.protected = [Path(p).resolve() for p in protected]
        self.force = force
        self._lock: Path | None = None
        self._stage: Path | None = None

    # ------------------------------------------------------------------ checks
    def _refuse(self, message: str, hint: str | None = None) -> OutputError:
        return OutputError("cannot write results", [Problem(
            str(self.folder), None, None, message, hint)])

    def _check_owner(self) -> None:
        """May the folder there now be replaced?"""
        folder = self.folder
        if not folder.exists():
            return
        if not folder.is_dir():
            raise self._refuse("exists and is not a folder", "choose another --out folder")
        manifest = read_manifest(folder) or _legacy_manifest(folder)
        if manifest is None:
            if any(folder.iterdir()):
                raise self._refuse(
                    "holds files that are not cablesim results (no manifest.json); they are "
                    "never replaced, not even with --force", "choose another --out folder")
            return
        kind = manifest.get("kind", "run" if "inputs" in manifest else "unknown")
        same = (kind == self.kind and manifest.get("inputs") == self.inputs
                and manifest.get("parameters", {}) == self.parameters)
        if same or self.force:
            return
        if kind != self.kind:
            raise self._refuse(f"holds the results of `cablesim {kind}`, not of "
                               f"`cablesim {self.kind}`",
                               "choose another --out folder, or pass --force to replace them")
        old_inputs = manifest.get("inputs") or {}
        old_params = manifest.get("parameters") or {}
        changed = sorted(set(old_inputs) ^ set(self.inputs)) + sorted(
            k for k in set(old_inputs) & set(self.inputs) if old_inputs[k] != self.inputs[k])
        changed += sorted(k for k in set(old_params) | set(self.parameters)
                          if old_params.get(k) != self.parameters.get(k))
        raise self._refuse("holds results of other inputs (changed: "
                           + (", ".join(changed) or "manifest") + ")",
                           "choose another --out folder, or pass --force to replace them")

    def _check_location(self) -> None:
        check_writable(self.folder, name="results folder")
        target = self.folder.resolve()
        cwd = Path.cwd().resolve()
        if _within(cwd, target):
            raise self._refuse("is the current folder or one of its parents; it is never "
                               "replaced", "choose a new folder, e.g. results/<name>")
        for path in self.protected:
            if _within(path, target):
                raise self._refuse(f"holds an input of this run ({path}); it is never "
                                   "replaced", "choose another --out folder")

    # ------------------------------------------------------------------ lock
    def _lock_path(self) -> Path:
        digest = hashlib.sha256(str(self.folder.resolve()).encode()).hexdigest()[:16]
        return self.folder.resolve().parent / f"{_LOCK_PREFIX}{digest}"

    def _acquire(self) -> None:
        lock = self._lock_path()
        lock.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(lock.read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    pid = -1
                if pid > 0 and _alive(pid) and pid != os.getpid():
                    raise self._refuse(
                        f"another cablesim command (process {pid}) is writing this folder",
                        "wait for it to finish, or choose another --out folder") from None
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{os.getpid()} {self.folder.resolve()}\n")
            self._lock = lock
            return
        raise self._refuse("cannot take the lock file beside it", "retry")

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(FileNotFoundError):
                self._lock.unlink()
            self._lock = None

    def _sweep_stale(self) -> None:
        """Remove staging folders of killed runs beside the folder."""
        parent = self.folder.resolve().parent
        with contextlib.suppress(OSError):
            for entry in parent.iterdir():
                if not entry.name.startswith(_STAGE_PREFIX):
                    continue
                try:
                    pid = int(entry.name[len(_STAGE_PREFIX):].split("-")[0])
                except ValueError:
                    continue
                if not _alive(pid):
                    shutil.rmtree(entry, ignore_errors=True)

    # ------------------------------------------------------------------ use
    @contextlib.contextmanager
    def open(self) -> Iterator[ResultsFolder]:
        """Check the location and ownership, take the lock; release it on the way out,
        removing anything staged but not committed."""
        self._check_location()
        self._check_owner()
        self._acquire()
        try:
            self._sweep_stale()
            yield self
        finally:
            with _signals_held():
                if self._stage is not None:
                    shutil.rmtree(self._stage, ignore_errors=True)
                    self._stage = None
                self._release()

    def stage(self) -> Path:
        """The staging folder to write into (made on first use)."""
        if self._lock is None:
            raise RuntimeError("ResultsFolder.stage() outside ResultsFolder.open()")
        if self._stage is None:
            parent = self.folder.resolve().parent
            self._stage = Path(tempfile.mkdtemp(prefix=f"{_STAGE_PREFIX}{os.getpid()}-",
                                                dir=parent))
            os.chmod(self._stage, 0o777 & ~_umask())  # mkdtemp makes 0700
        return self._stage

    def commit(self, manifest: Mapping[str, Any] | None = None) -> list[Path]:
        """Write the manifest, check the ownership again and swap the staged folder in.

        Returns the files written, in their final place.
        """
        stage = self.stage()
        files = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
        body = {"kind": self.kind, "inputs": self.inputs, "parameters": self.parameters,
                "cablesim_version": __version__, **(manifest or {}),
                "files": files + [MANIFEST]}
        atomic_write_text(stage / MANIFEST, json.dumps(body, indent=2, default=str) + "\n")
        with _signals_held():
            self._check_owner()  # under the lock: nobody else can have written since
            self._swap(stage)
            self._stage = None
        return [self.folder / f for f in body["files"]]

    def _swap(self, stage: Path) -> None:
        folder = self.folder
        if folder.exists():
            if _exchange(stage, folder):
                shutil.rmtree(stage, ignore_errors=True)  # now holds the old results
                return
            old = stage.with_name(stage.name + "-old")
            os.replace(folder, old)
            os.replace(stage, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
