"""Reading TOML input files with the project's error discipline.

Small helpers shared by every TOML reader (experiments, simulations, plans): each problem is
collected as a located :class:`cablesim.Problem` naming the file and the key, unknown keys get
a "did you mean" hint, and nothing is raised until the caller has checked everything.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError
from cablesim.settings import unknown_key_hint

__all__ = ["read_toml", "unknown_keys", "table", "number", "input_path"]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a UTF-8 TOML file; raise :class:`ScenarioError` naming the file (and line)."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"file {str(path)!r} does not exist",
                            [Problem(str(path), None, None, "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError(f"{str(path)!r} is a folder", [Problem(
            str(path), None, None, "expected a TOML file")]) from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{str(path)!r} cannot be read", [Problem(
            str(path), None, None, "is not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{str(path)!r} is not valid TOML", [Problem(
            str(path), getattr(exc, "lineno", None), None, str(exc).split(" (at line")[0])
        ]) from None


def unknown_keys(table: Mapping[str, Any], allowed: set[str], where: str, source: str,
                 problems: list[Problem]) -> None:
    """Append an "unknown key" problem (with a hint) for each key not in ``allowed``."""
    for key in sorted(set(table) - allowed):
        problems.append(Problem(source, None, f"{where}.{key}" if where else key,
                                "unknown key", unknown_key_hint(key, allowed)))


def table(value: Any, where: str, source: str, problems: list[Problem]) -> dict[str, Any]:
    """``value`` as a dict (``{}`` when absent); a problem if it is not a table."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(source, None, where, "must be a table"))
        return {}
    return dict(value)


def number(values: Mapping[str, Any], key: str, default: float, where: str, source: str,
           problems: list[Problem], low: float | None = None, high: float | None = None,
           low_open: bool = False) -> float:
    """A finite number from ``values[key]`` within bounds, else ``default`` and a problem."""
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            float(value)):
        problems.append(Problem(source, None, f"{where}.{key}",
                                f"must be a finite number, got {value!r}"))
        return default
    value = float(value)
    if low is not None and (value < low or (low_open and value == low)):
        problems.append(Problem(source, None, f"{where}.{key}",
                                f"must be {'>' if low_open else '>='} {low:g}, got {value:g}"))
        return default
    if high is not None and value > high:
        problems.append(Problem(source, None, f"{where}.{key}",
                                f"must be <= {high:g}, got {value:g}"))
        return default
    return value


def input_path(file: Path, value: Any, key: str, kind: str, problems: list[Problem]) -> Path:
    """Resolve a path given in a settings file (relative to it) and check it exists."""
    source = str(file)
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        problems.append(Problem(source, None, key, f"must be a {kind} path, got {value!r}"))
        return file.parent
    path = (file.parent / value).resolve()
    exists = path.is_dir() if kind == "folder" else path.is_file()
    if not exists:
        problems.append(Problem(source, None, key, f"{kind} {str(path)!r} does not exist"))
    return path
