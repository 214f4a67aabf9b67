"""Settings declared once: typed dataclass fields carry their unit, bounds, default and doc.

Every setting that an experiment, simulation or plan file can hold is a field of a frozen
dataclass declared with :func:`setting`. That one declaration drives

- reading: :func:`read_settings` turns a TOML table into the dataclass, collecting a located
  :class:`cablesim.Problem` ("file, key: problem; did you mean") for every unknown key and
  every bad value, and keeping the default where a value is bad;
- defaults: the dataclass default is the only default;
- docs: :func:`settings_markdown` writes the settings reference (``docs/settings.md``).

Value kinds follow the field's type: ``float``, ``int``, ``bool``, ``str`` (with
``choices``), ``tuple[str, ...]`` (a TOML list of text), ``int | None`` and ``float | None``
(optional), ``Mapping[str, float]`` and ``Mapping[str, tuple[str, ...]]`` (TOML tables).
A ``kind`` refines the check: ``"year"`` (a whole year, 1850-2100), ``"iso3"`` (a list of
ISO 3166-1 alpha-3 codes), ``"selectors"`` (link selectors, :mod:`cablesim.selectors`),
``"box"`` (``[lon_min, lat_min, lon_max, lat_max]``), ``"custom"`` (declared here for the
docs, checked by the section's own reader, e.g. cross-references to scenarios).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any, TypeVar

from cablesim._errors import Problem, did_you_mean

__all__ = ["Rule", "setting", "read_settings", "settings_rows", "settings_markdown",
           "unknown_key_hint", "convert_value", "YEAR_MIN", "YEAR_MAX"]

YEAR_MIN, YEAR_MAX = 1850, 2100
"""Range of every year setting."""

T = TypeVar("T")


@dataclass(frozen=True)
class Rule:
    """What a setting may hold, and what it means.

    Attributes
    ----------
    doc : str
        One line: what the setting does and where its default comes from.
    unit : str
        Unit of the value ("" for none).
    low, high : float, optional
        Bounds (inclusive unless ``low_open`` / ``high_open``).
    choices : tuple of str
        Allowed text values (empty: any).
    kind : str
        ``"year"``, ``"iso3"``, ``"selectors"`` or ``""`` (see the module docstring).
    """

    doc: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    kind: str = ""
    type_text: str = ""

    def bounds_text(self) -> str:
        """The bounds and choices as the docs show them."""
        parts = []
        if self.choices:
            parts.append(" or ".join(f"`{c}`" for c in self.choices))
        if self.kind == "year":
            parts.append(f"{YEAR_MIN}-{YEAR_MAX}")
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return ", ".join(parts)


def setting(default: Any = MISSING, *, doc: str, unit: str = "", low: float | None = None,
            high: float | None = None, low_open: bool = False, high_open: bool = False,
            choices: Iterable[str] = (), kind: str = "", default_factory: Any = MISSING,
            compare: bool = True, type_text: str = "") -> Any:
    """A dataclass field that is a setting (see :class:`Rule` for the options;
    ``type_text`` names the type in the docs where the annotation does not say it)."""
    rule = Rule(doc, unit, low, high, low_open, high_open, tuple(choices), kind, type_text)
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, hash=False, compare=compare,
                                 metadata={"setting": rule})
    return dataclasses.field(default=default, compare=compare, metadata={"setting": rule})


def _rules(cls: type) -> list[tuple[dataclasses.Field[Any], Rule, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f, f.metadata["setting"], hints[f.name]) for f in dataclasses.fields(cls)
            if "setting" in f.metadata]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _optional(tp: Any) -> tuple[Any, bool]:
    """(inner type, whether None is allowed)."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(tp))
    return tp, False


def _out_of_bounds(x: float, rule: Rule) -> bool:
    return ((rule.low is not None and (x < rule.low or (rule.low_open and x == rule.low)))
            or (rule.high is not None and (x > rule.high or (rule.high_open and x == rule.high))))


def _check_number(value: Any, rule: Rule, whole: bool) -> tuple[Any, str | None]:
    """(clean value, problem message or None)."""
    if rule.kind == "year":
        if (not _is_number(value) or not math.isfinite(float(value))
                or float(value) != int(value)):
            return None, f"must be a whole year, got {value!r}"
        if not YEAR_MIN <= int(value) <= YEAR_MAX:
            return None, f"must be between {YEAR_MIN} and {YEAR_MAX}, got {int(value)}"
        return int(value), None
    if whole and (not _is_number(value) or not math.isfinite(float(value))
                  or float(value) != int(value) or _out_of_bounds(float(value), rule)):
        if rule.low is not None and rule.high is not None:
            return None, f"must be a whole number from {rule.low:g} to {rule.high:g}, " \
                f"got {value!r}"
        if rule.low is not None:
            return None, f"must be a whole number >= {rule.low:g}, got {value!r}"
        return None, f"must be a whole number, got {value!r}"
    if not _is_number(value) or not math.isfinite(float(value)):
        return None, f"must be a finite number, got {value!r}"
    x = float(value)
    if rule.low is not None and (x < rule.low or (rule.low_open and x == rule.low)):
        return None, f"must be {'>' if rule.low_open else '>='} {rule.low:g}, got {x:g}"
    if rule.high is not None and (x > rule.high or (rule.high_open and x == rule.high)):
        return None, f"must be {'<' if rule.high_open else '<='} {rule.high:g}, got {x:g}"
    return (int(value) if whole else x), None


def _convert(value: Any, tp: Any, rule: Rule, key: str, source: str,
             problems: list[Problem]) -> tuple[Any, bool]:
    """(clean value, ok): check ``value`` against the field type ``tp`` and ``rule``."""
    def bad(message: str, hint: str | None = None) -> tuple[Any, bool]:
        problems.append(Problem(source, None, key, message, hint))
        return None, False

    inner, optional = _optional(tp)
    if value is None and optional:
        return None, True
    origin = typing.get_origin(inner)
    if inner is bool:
        if not isinstance(value, bool):
            return bad(f"must be true or false, got {value!r}")
        return value, True
    if inner in (int, float):
        clean, message = _check_number(value, rule, inner is int)
        return (clean, True) if message is None else bad(message)
    if inner is str:
        if not isinstance(value, str):
            return bad(f"must be text, got {value!r}")
        if rule.choices and value not in rule.choices:
            return bad(f"must be {' or '.join(repr(c) for c in rule.choices)}, got {value!r}",
                       did_you_mean(value, rule.choices))
        return value, True
    if origin is tuple and typing.get_args(inner)[0] is int:
        clean_ints = []
        for item in value if isinstance(value, (list, tuple)) else [None]:
            number, message = _check_number(item, rule, True)
            if message is not None:
                what = "whole years" if rule.kind == "year" else "whole numbers"
                return bad(f"must be a list of {what}, got {value!r}")
            clean_ints.append(number)
        return tuple(clean_ints), True
    if origin is tuple and typing.get_args(inner)[0] is float:
        if not isinstance(value, (list, tuple)) or not all(
                _is_number(v) and math.isfinite(float(v)) for v in value):
            return bad(f"must be a list of finite numbers, got {value!r}")
        numbers = tuple(float(v) for v in value)
        if rule.kind == "box" and (len(numbers) != 4 or not numbers[1] < numbers[3]):
            return bad("must be [lon_min, lat_min, lon_max, lat_max] with lat_min < lat_max, "
                       f"got {list(value)!r}")
        return numbers, True
    if origin is tuple:
        if rule.kind == "selectors":
            from cablesim.selectors import parse_selectors, selector_problem

            parsed = parse_selectors(list(value) if isinstance(value, tuple) else value, key,
                                     source, problems)
            # the well-formed ones, so that later checks (matching links) still run; the
            # malformed ones are already reported
            return tuple(sel for sel in parsed if selector_problem(sel) is None), True
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            what = "ISO3 country codes" if rule.kind == "iso3" else "text values"
            return bad(f"must be a list of {what}, got {value!r}")
        if rule.kind == "iso3" and not all(len(c) == 3 and c.isupper() and c.isalpha()
                                           for c in value):
            return bad(f"must be a list of ISO3 country codes, got {value!r}")
        if rule.choices:
            wrong = [v for v in value if v not in rule.choices]
            if wrong:
                return bad(f"{wrong[0]!r} is not one of {', '.join(rule.choices)}",
                           did_you_mean(wrong[0], rule.choices))
        return tuple(value), True
    if origin in (Mapping, dict) or inner in (Mapping, dict):
        if not isinstance(value, Mapping):
            return bad("must be a table")
        args = typing.get_args(inner)
        if args and args[1] is float:
            table = {}
            for k, v in value.items():
                number, message = _check_number(v, rule, False)
                if message is not None:
                    problems.append(Problem(source, None, f"{key}.{k}", message))
                    return None, False
                table[str(k)] = number
            return table, True
        if args and args[1] is str and not all(isinstance(v, str) for v in value.values()):
            return bad(f"must be a table of text values, got {dict(value)!r}")
        return dict(value), True
    raise TypeError(f"setting {key!r} has a type the reader does not know: {tp!r}")


def convert_value(value: Any, tp: Any, rule: Rule, key: str, source: str,
                  problems: list[Problem]) -> tuple[Any, bool]:
    """Check one value against a type and a :class:`Rule` (for keys whose bounds depend on
    other keys); returns (clean value, ok), appending a located problem when not ok."""
    return _convert(value, tp, rule, key, source, problems)


def unknown_key_hint(key: str, allowed: Iterable[str]) -> str | None:
    """"did you mean" the closest allowed key, else the allowed keys ``key`` begins."""
    allowed = sorted(allowed)
    hint = did_you_mean(key, allowed)
    starts = [a for a in allowed if a.startswith(key)]
    if hint is None and starts:
        hint = "did you mean " + " or ".join(f"'{a}'" for a in starts[:4]) + "?"
    return hint


def read_settings(cls: type[T], table: Mapping[str, Any], *, where: str, source: str,
                  problems: list[Problem], base: T | None = None,
                  ignore: Iterable[str] = ()) -> T:
    """Build the settings dataclass ``cls`` from a TOML table.

    Parameters
    ----------
    cls : dataclass type
        Declared with :func:`setting` fields.
    table : mapping
        The parsed TOML table.
    where : str
        Key path of the table in the file (e.g. ``"scenario 'direct'.routing"``).
    source : str
        The file, named in every problem.
    problems : list of Problem
        Appended to; nothing is raised.
    base : instance of cls, optional
        Values that absent keys keep (default: the declared defaults).
    ignore : iterable of str
        Keys that another reader of the same table owns.

    Returns
    -------
    instance of cls
        Bad values keep their default (or ``base`` value).
    """
    rules = _rules(cls)
    names = [f.name for f, _, _ in rules]
    allowed = set(names) | set(ignore)
    for key in sorted(set(table) - allowed, key=str):
        problems.append(Problem(source, None, f"{where}.{key}" if where else str(key),
                                "unknown key", unknown_key_hint(str(key), allowed)))
    values: dict[str, Any] = {}
    for f, rule, tp in rules:
        if base is not None:
            values[f.name] = getattr(base, f.name)
        if f.name not in table or rule.kind == "custom":
            continue
        key = f"{where}.{f.name}" if where else f.name
        clean, ok = _convert(table[f.name], tp, rule, key, source, problems)
        if ok:
            values[f.name] = clean
    return cls(**values)


def _default_text(f: dataclasses.Field[Any]) -> str:
    if f.default is not MISSING:
        value = f.default
    elif f.default_factory is not MISSING:
        value = f.default_factory()
    else:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else repr(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_default_text_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _default_text_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _type_text(tp: Any, rule: Rule) -> str:
    inner, optional = _optional(tp)
    if rule.type_text:
        return rule.type_text
    if rule.kind == "year" and typing.get_origin(inner) is tuple:
        text = "list of years"
    elif rule.kind == "year":
        text = "year"
    elif rule.kind == "selectors":
        text = "list of link selectors"
    elif rule.kind == "iso3":
        text = "list of ISO3 codes"
    elif rule.kind == "box":
        text = "[lon_min, lat_min, lon_max, lat_max]"
    elif typing.get_origin(inner) is tuple and typing.get_args(inner)[0] in (float, int):
        text = "list of numbers"
    elif typing.get_origin(inner) is tuple:
        text = "list of text"
    elif typing.get_origin(inner) in (Mapping, dict):
        args = typing.get_args(inner)
        values: dict[Any, str] = {float: "table of numbers", str: "table of text"}
        text = values.get(args[1] if args else None, "table of lists")
    else:
        text = {bool: "bool", int: "int", float: "float", str: "text"}.get(inner, str(inner))
    return text + (" (optional)" if optional else "")


def settings_rows(cls: type) -> list[dict[str, str]]:
    """One row per setting of ``cls``: key, type, unit, default, bounds, description."""
    return [{"key": f.name, "type": _type_text(tp, rule), "unit": rule.unit,
             "default": _default_text(f), "bounds": rule.bounds_text(), "doc": rule.doc}
            for f, rule, tp in _rules(cls)]


def settings_markdown(sections: Iterable[tuple[str, type, str]], *, title: str,
                      preamble: str) -> str:
    """A Markdown reference of settings sections: ``(heading, dataclass, intro)``."""
    lines = [f"# {title}", "", preamble, ""]
    for heading, cls, intro in sections:
        lines += [f"## {heading}", "", intro, "",
                  "| key | type | unit | default | allowed | description |",
                  "|---|---|---|---|---|---|"]
        for row in settings_rows(cls):
            doc = row["doc"].replace("|", "\\|")
            lines.append(f"| `{row['key']}` | {row['type']} | {row['unit']} | "
                         f"`{row['default']}` | {row['bounds']} | {doc} |")
        lines.append("")
    return "\n".join(lines)


def check_settings(obj: Any, *, where: str, source: str,
                   problems: list[Problem]) -> dict[str, Any]:
    """Check the values of a constructed settings dataclass against their declarations.

    Returns the clean values (numbers as ``float`` or ``int``, lists as tuples) of the fields
    that passed; every bad value appends a located problem.
    """
    clean: dict[str, Any] = {}
    for f, rule, tp in _rules(type(obj)):
        if rule.kind == "custom":
            continue
        key = f"{where}.{f.name}" if where else f.name
        value, ok = _convert(getattr(obj, f.name), tp, rule, key, source, problems)
        if ok:
            clean[f.name] = value
    return clean


__all__ += ["check_settings"]
