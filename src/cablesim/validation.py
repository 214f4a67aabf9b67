"""Validation of component tables against :mod:`cablesim.schema`.

Two steps, both collecting every problem rather than stopping at the first:

1. :func:`coerce_table` turns a raw table (strings from a CSV file, or typed values from an
   in-memory frame) into typed columns, reporting missing columns, empty required cells,
   unparseable or non-finite numbers, out-of-range values and unknown categories.
2. :func:`check_references` checks the tables against each other: duplicate ids, links to
   unknown nodes (with "did you mean" hints), self-loops, missing countries.

Callers raise :class:`cablesim.TopologyError` with the collected problems.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from cablesim._errors import Problem, did_you_mean
from cablesim.geo import great_circle_km
from cablesim.schema import Column, columns_by_name

__all__ = [
    "TableSource",
    "coerce_table",
    "check_references",
    "check_routes",
    "NODE_TABLE",
    "LINK_TABLE",
    "ROUTE_TABLE",
]

_ISO3 = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class TableSource:
    """Where a table came from, for locating problems.

    Attributes
    ----------
    file : str
        File path or table name used in messages.
    first_row : int
        The number of the table's first data row in messages (2 for a CSV file whose header
        is line 1; 1 for an in-memory table).
    row_label : str
        ``"line"`` for files, ``"row"`` for in-memory tables.
    """

    file: str
    first_row: int = 2
    row_label: str = "line"

    def problem(self, pos: int | None, field: str | None, message: str,
                hint: str | None = None) -> Problem:
        """Build a :class:`Problem` for the row at 0-based position ``pos``."""
        row = None if pos is None else pos + self.first_row
        return Problem(self.file, row, field, message, hint, self.row_label)


NODE_TABLE = TableSource("nodes", 1, "row")
LINK_TABLE = TableSource("links", 1, "row")
ROUTE_TABLE = TableSource("geometry", 1, "feature")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


def _text(values: pd.Series) -> pd.Series:
    """Strip strings; map blanks to None; keep other objects as their str()."""
    out = [None if _is_blank(v) else str(v).strip() for v in values]
    return pd.Series(out, index=values.index, dtype=object)


def _numbers(values: pd.Series, col: Column, source: TableSource,
             problems: list[Problem]) -> pd.Series:
    """Parse a numeric column; NaN marks missing cells."""
    parsed = np.full(len(values), np.nan)
    for pos, raw in enumerate(values.tolist()):
        if _is_blank(raw):
            continue
        try:
            number = float(raw.strip()) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            problems.append(source.problem(pos, col.name, f"not a number: {str(raw)!r}"))
            continue
        if not math.isfinite(number):
            problems.append(source.problem(pos, col.name, f"must be a finite number, got {raw!r}"))
            continue
        bad = None
        if col.min is not None and (number < col.min or (col.min_exclusive and number == col.min)):
            bad = f"must be {'>' if col.min_exclusive else '>='} {col.min:g}, got {number:g}"
        elif col.max is not None and number > col.max:
            bad = f"must be <= {col.max:g}, got {number:g}"
        elif col.dtype == "int" and number != int(number):
            bad = f"must be a whole number, got {number:g}"
        if bad:
            problems.append(source.problem(pos, col.name, bad))
            continue
        parsed[pos] = number
    series = pd.Series(parsed, index=values.index, dtype=float)
    if col.dtype == "int":
        series = series.round().astype("Int64")
    return series


def coerce_table(
    raw: pd.DataFrame,
    columns: tuple[Column, ...],
    source: TableSource,
    problems: list[Problem],
    *,
    allow_derived: bool = True,
) -> pd.DataFrame:
    """Type a raw table by its schema, appending every problem found to ``problems``.

    Parameters
    ----------
    raw : DataFrame
        One row per component; cells may be strings (from CSV) or typed values.
    columns : tuple of Column
        The component's schema (:data:`cablesim.schema.NODE_COLUMNS` or ``LINK_COLUMNS``).
    source : TableSource
        Where the table came from, for messages.
    problems : list of Problem
        Receives the problems.
    allow_derived : bool
        Whether derived columns may be present (they are dropped and recomputed). Files
        must not carry them.

    Returns
    -------
    DataFrame
        Schema columns first (absent optional ones filled with defaults), then any extra
        columns as text, with a fresh RangeIndex. Invalid cells are missing (NaN/None).
    """
    schema = columns_by_name(columns)
    present = [str(c) for c in raw.columns]
    dupes = sorted({c for c in present if present.count(c) > 1})
    for name in dupes:
        problems.append(source.problem(None, name, "column appears more than once"))
    raw = raw.loc[:, ~pd.Index(present).duplicated()].copy()
    raw.columns = [str(c) for c in raw.columns]
    raw = raw.reset_index(drop=True)
    extra = [c for c in raw.columns if c not in schema]
    missing = [c.name for c in columns if c.required and not c.derived and c.name not in raw]
    for name in missing:
        problems.append(source.problem(None, name, "required column is missing",
                                       did_you_mean(name, extra)))
    for name in extra:
        near = did_you_mean(name, [c.name for c in columns if c.name not in raw])
        if near:
            problems.append(source.problem(None, name, "unknown column", near))
    out: dict[str, pd.Series] = {}
    for col in columns:
        if col.derived:
            if col.name in raw and not allow_derived:
                problems.append(source.problem(
                    None, col.name, "is computed by cablesim and must not be given in a file",
                    "remove the column"))
            continue
        if col.name not in raw:
            fill = col.default
            if col.dtype in ("float", "int"):
                # numeric columns have numeric defaults (schema.py)
                series = pd.Series(np.nan if fill is None else float(cast(float, fill)),
                                   index=raw.index, dtype=float)
                out[col.name] = series.astype("Int64") if col.dtype == "int" else series
            else:
                out[col.name] = pd.Series([fill] * len(raw), index=raw.index, dtype=object)
            continue
        values = raw[col.name]
        if col.dtype in ("float", "int"):
            series = _numbers(values, col, source, problems)
            blank = [(_is_blank(v)) for v in values.tolist()]
        else:
            series = _text(values)
            blank = series.isna().tolist()
            for pos, value in enumerate(series.tolist()):
                if value is not None and _CONTROL.search(value):
                    problems.append(source.problem(
                        pos, col.name, f"contains a control character: {value!r}",
                        "remove line breaks, tabs and other invisible characters"))
                    series.iloc[pos] = None
            if col.allowed is not None:
                for pos, value in enumerate(series.tolist()):
                    if value is not None and value not in col.allowed:
                        problems.append(source.problem(
                            pos, col.name,
                            f"unknown {col.name} {value!r}; expected one of "
                            + ", ".join(col.allowed),
                            did_you_mean(value.lower(), col.allowed)))
                        series.iloc[pos] = None
        if not col.nullable:
            for pos, is_blank in enumerate(blank):
                if is_blank:
                    problems.append(source.problem(pos, col.name, "is empty"))
        elif col.default is not None:
            if col.dtype in ("float", "int"):
                series = series.where(~pd.Series(blank, index=series.index), col.default)
            else:
                series = series.where(series.notna(), col.default)
        out[col.name] = series
    for name in extra:
        out[name] = _text(raw[name])
    return pd.DataFrame(out, index=raw.index)


def _duplicates(ids: pd.Series, source: TableSource, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for pos, value in enumerate(ids.tolist()):
        if value is None:
            continue
        if value in first:
            problems.append(source.problem(
                pos, "id", f"duplicate id {value!r} (first used at {source.row_label} "
                f"{first[value] + source.first_row})"))
        else:
            first[value] = pos


def check_references(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    node_source: TableSource,
    link_source: TableSource,
    problems: list[Problem],
) -> None:
    """Check typed node and link tables against each other, appending problems.

    Checks: duplicate node and link ids; country codes (ISO alpha-3, empty only for a
    junction); link endpoints that are not node ids (with "did you mean" hints); self-loops;
    ``metro`` references; satellite links without an orbital slot.
    """
    _duplicates(nodes["id"], node_source, problems)
    _duplicates(links["id"], link_source, problems)
    kinds_countries = zip(nodes["kind"].tolist(), nodes["country"].tolist(), strict=True)
    for pos, (kind, country) in enumerate(kinds_countries):
        if country is None:
            if kind not in (None, "junction"):
                problems.append(node_source.problem(
                    pos, "country", "is empty (only a junction at sea may have no country)"))
        elif not _ISO3.match(country):
            problems.append(node_source.problem(
                pos, "country", f"{country!r} is not an ISO 3166-1 alpha-3 code (e.g. SGP)"))
    node_ids = {i for i in nodes["id"].tolist() if i is not None}
    for pos, metro in enumerate(nodes["metro"].tolist()):
        if metro is not None and metro not in node_ids:
            problems.append(node_source.problem(pos, "metro", f"unknown node id {metro!r}",
                                                did_you_mean(metro, node_ids)))
    ends = zip(links["from_node"].tolist(), links["to_node"].tolist(), strict=True)
    for pos, (a, b) in enumerate(ends):
        for field, value in (("from_node", a), ("to_node", b)):
            if value is not None and value not in node_ids:
                problems.append(link_source.problem(pos, field, f"unknown node id {value!r}",
                                                    did_you_mean(value, node_ids)))
        if a is not None and a == b:
            problems.append(link_source.problem(
                pos, "to_node", f"self-loop: both ends are {a!r}"))
    sat = zip(links["kind"].tolist(), links["orbit_lon_deg"].tolist(), strict=True)
    for pos, (kind, orbit) in enumerate(sat):
        if kind == "satellite" and (orbit is None or not math.isfinite(orbit)):
            problems.append(link_source.problem(
                pos, "orbit_lon_deg", "a satellite link needs the longitude of its orbital slot"))


def check_routes(
    routes: dict[str, object],
    links: pd.DataFrame,
    nodes: pd.DataFrame,
    source: TableSource,
    positions: dict[str, int],
    problems: list[Problem],
    *,
    tolerance_km: float = 100.0,
) -> None:
    """Check route geometries against the typed tables, appending problems.

    A route must belong to a known link, and its two ends must lie within
    ``tolerance_km`` of the link's end nodes (in either orientation).

    Parameters
    ----------
    routes : dict of link id to (Multi)LineString
        Parsed route geometries.
    links, nodes : DataFrame
        Typed tables with an ``id`` column.
    source : TableSource
        Where the routes came from; rows are features.
    positions : dict of link id to int
        0-based feature position of each route, for messages.
    problems : list of Problem
        Receives the problems.
    tolerance_km : float
        Largest allowed gap between a route end and its node, km.
    """
    link_ids = [i for i in links["id"].tolist() if i is not None]
    link_set = set(link_ids)
    ends = {lid: (a, b)
            for lid, a, b in zip(links["id"], links["from_node"], links["to_node"], strict=True)}
    coords = {nid: (x, y)
              for nid, x, y in zip(nodes["id"], nodes["lon"], nodes["lat"], strict=True)}
    for link_id, geom in routes.items():
        pos = positions.get(link_id)
        if link_id not in link_set:
            problems.append(source.problem(pos, "id", f"geometry for unknown link {link_id!r}",
                                           did_you_mean(link_id, link_set)))
            continue
        a, b = ends[link_id]
        if a not in coords or b not in coords:
            continue
        (ax, ay), (bx, by) = coords[a], coords[b]
        if not all(math.isfinite(v) for v in (ax, ay, bx, by)):
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        first, last = parts[0].coords[0], parts[-1].coords[-1]
        forward = max(great_circle_km(ax, ay, *first), great_circle_km(bx, by, *last))
        backward = max(great_circle_km(ax, ay, *last), great_circle_km(bx, by, *first))
        gap = min(forward, backward)
        if gap > tolerance_km:
            problems.append(source.problem(
                pos, "geometry",
                f"route of link {link_id!r} ends {gap:,.0f} km from its nodes {a!r} and {b!r}",
                f"routes must start and end within {tolerance_km:g} km of the link's nodes"))
