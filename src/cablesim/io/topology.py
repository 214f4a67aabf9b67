"""The topology folder format: ``nodes.csv``, ``links.csv`` and optional ``geometry.geojson``.

Reading collects every problem in every file (unreadable files, malformed CSV, bad cells,
unknown ids, bad geometry features) and raises one :class:`cablesim.TopologyError` listing
them, each naming the file, the line (CSV) or feature (GeoJSON) and the field.
"""

from __future__ import annotations

import csv
import json
import math
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
from shapely.geometry import LineString, MultiLineString, mapping
from shapely.geometry.base import BaseGeometry

from cablesim._atomic import atomic_write_text
from cablesim._errors import Problem, TopologyError
from cablesim.network import Network
from cablesim.schema import LINK_COLUMNS, NODE_COLUMNS, Column, file_columns
from cablesim.validation import TableSource, coerce_table

__all__ = ["NODES_FILE", "LINKS_FILE", "GEOMETRY_FILE", "load_topology", "save_topology",
           "read_csv_table",
           "read_csv_text"]

NODES_FILE = "nodes.csv"
LINKS_FILE = "links.csv"
GEOMETRY_FILE = "geometry.geojson"


def read_csv_text(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV file as text cells (nothing parsed), or record why it cannot be read.

    Returns ``None`` (with a problem appended) when the file is missing, unreadable, not
    UTF-8, empty, or not well-formed CSV; blank cells are empty strings.
    """
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "file is missing"))
        return None
    except IsADirectoryError:
        problems.append(Problem(name, None, None, "is a directory, expected a CSV file"))
        return None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, "is not UTF-8 text",
                                "save the file as UTF-8"))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "file is empty",
                                "the first line must name the columns"))
        return None
    if "\x00" in text:
        problems.append(Problem(name, text[: text.index("\x00")].count("\n") + 1, None,
                                "contains a NUL byte; is this a binary file?"))
        return None
    header: list[str] | None = None
    rows: list[list[str]] = []
    try:
        reader = csv.reader(StringIO(text, newline=""), strict=True)
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue  # blank line
            if header is None:
                header = [f.strip() for f in fields]
                continue
            if len(fields) != len(header):
                problems.append(Problem(
                    name, reader.line_num, None,
                    f"malformed CSV: {len(fields)} fields, but the header has {len(header)}",
                    "check quoting and commas on that line"))
                return None
            rows.append(fields)
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, None, f"malformed CSV: {exc}",
                                "check quoting on that line"))
        return None
    if header is None:
        problems.append(Problem(name, None, None, "has no header line",
                                "the first line must name the columns"))
        return None
    unnamed = [i for i, col in enumerate(header) if not col]
    if unnamed:
        problems.append(Problem(name, 1, None, "a column has no name in the header line",
                                "remove trailing commas or name the column"))
        return None
    return pd.DataFrame(rows, columns=header, dtype=object)


def read_csv_table(path: str | os.PathLike[str], columns: tuple[Column, ...],
                   problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV file and type it by its schema (:func:`cablesim.validation.coerce_table`,
    file columns only); ``None``, with the problem appended, when it cannot be read."""
    raw = read_csv_text(Path(path), problems)
    if raw is None:
        return None
    return coerce_table(raw, columns, TableSource(str(path)), problems, allow_derived=False)


def _read_routes(
    path: Path, problems: list[Problem]
) -> tuple[dict[str, BaseGeometry], dict[str, int], dict[str, str]]:
    """Parse ``geometry.geojson`` into link routes, their feature positions and citations."""
    name = str(path)
    routes: dict[str, BaseGeometry] = {}
    positions: dict[str, int] = {}
    citations: dict[str, str] = {}
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(Problem(name, None, None, "is not UTF-8 text"))
        return routes, positions, citations
    except json.JSONDecodeError as exc:
        problems.append(Problem(
            name, None, None, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"))
        return routes, positions, citations
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        return routes, positions, citations
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
        doc.get("features"), list
    ):
        problems.append(Problem(name, None, None,
                                "expected a GeoJSON FeatureCollection with a 'features' list"))
        return routes, positions, citations
    for pos, feature in enumerate(doc["features"]):
        def report(field: str | None, message: str, hint: str | None = None, *,
                   row: int = pos + 1) -> None:  # row bound now: B023
            problems.append(Problem(name, row, field, message, hint, "feature"))

        if not isinstance(feature, dict):
            report(None, "is not a GeoJSON Feature object")
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            props = {}
        link_id = props.get("id")
        if not isinstance(link_id, str) or not link_id.strip():
            report("properties.id", "missing: each feature must name its link id")
            continue
        link_id = link_id.strip()
        if link_id in routes:
            report("properties.id", f"duplicate geometry for link {link_id!r} "
                   f"(first at feature {positions[link_id] + 1})")
            continue
        geom = _parse_line_geometry(feature.get("geometry"))
        if isinstance(geom, str):
            report("geometry", geom)
            continue
        citation = props.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            report("properties.citation", "missing: say where the route comes from",
                   "a source or 'estimate: how'")
        routes[link_id] = geom
        positions[link_id] = pos
        citations[link_id] = citation.strip() if isinstance(citation, str) else ""
    return routes, positions, citations


def _parse_line_geometry(geometry: object) -> BaseGeometry | str:
    """Return a (Multi)LineString, or a message saying why ``geometry`` is not one."""
    if not isinstance(geometry, dict):
        return "missing or not an object"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    parts: list[Any] | None
    if kind == "LineString":
        parts = [coords]
    elif kind == "MultiLineString":
        parts = coords if isinstance(coords, list) else None
    else:
        return f"type {kind!r} is not LineString or MultiLineString"
    if not isinstance(parts, list) or not parts:
        return "has no coordinates"
    clean: list[list[tuple[float, float]]] = []
    for part in parts:
        if not isinstance(part, list) or len(part) < 2:
            return "each line needs at least two positions"
        points = []
        for position in part:
            if (not isinstance(position, list) or len(position) < 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                               for v in position[:2])):
                return f"position {position!r} is not [lon, lat]"
            lon, lat = float(position[0]), float(position[1])
            if not (math.isfinite(lon) and math.isfinite(lat)):
                return f"position {position!r} is not finite"
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                return f"position {position!r} is outside lon [-180, 180], lat [-90, 90]"
            points.append((lon, lat))
        clean.append(points)
    return LineString(clean[0]) if kind == "LineString" else MultiLineString(clean)


def load_topology(path: str | os.PathLike[str]) -> Network:
    """Read and validate a topology folder.

    Parameters
    ----------
    path : path-like
        Folder holding ``nodes.csv``, ``links.csv`` and optionally ``geometry.geojson``.

    Returns
    -------
    Network
        Named after the folder.

    Raises
    ------
    TopologyError
        Listing every problem found in any of the files.
    """
    folder = Path(path)
    if not folder.exists():
        raise TopologyError(f"topology folder {str(folder)!r} does not exist",
                            [Problem(str(folder), None, None, "no such file or folder")])
    if not folder.is_dir():
        raise TopologyError(f"{str(folder)!r} is not a topology folder", [Problem(
            str(folder), None, None, "is a file; expected a folder holding nodes.csv and "
            "links.csv")])
    problems: list[Problem] = []
    nodes = read_csv_text(folder / NODES_FILE, problems)
    links = read_csv_text(folder / LINKS_FILE, problems)
    routes: dict[str, BaseGeometry] = {}
    positions: dict[str, int] = {}
    citations: dict[str, str] = {}
    if (folder / GEOMETRY_FILE).exists():
        routes, positions, citations = _read_routes(folder / GEOMETRY_FILE, problems)
    if nodes is not None and len(nodes) == 0:
        problems.append(Problem(str(folder / NODES_FILE), None, None, "has no nodes"))
    if nodes is None or links is None:
        raise TopologyError(f"topology {str(folder)!r} cannot be read", problems)
    return Network.from_tables(
        nodes, links, routes, name=folder.name,
        node_source=TableSource(str(folder / NODES_FILE)),
        link_source=TableSource(str(folder / LINKS_FILE)),
        problems=problems, allow_derived=False,
        route_source=TableSource(str(folder / GEOMETRY_FILE), 1, "feature"),
        route_positions=positions, route_citations=citations,
    )


def save_topology(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write a network as a topology folder; each file is written atomically.

    Lengths that were derived (from geometry or the great circle) are written as empty
    cells, and only routes that came from a geometry file are written to
    ``geometry.geojson``, so that loading the folder again gives an equal network.

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    nodes, links = network.tables()
    node_cols = file_columns(NODE_COLUMNS)
    link_cols = file_columns(LINK_COLUMNS)
    derived = {c.name for c in LINK_COLUMNS if c.derived} | {c.name for c in NODE_COLUMNS
                                                              if c.derived}
    node_out = nodes[node_cols + [c for c in nodes.columns if c not in node_cols + list(derived)]]
    links_out = links.copy()
    links_out.loc[links_out["length_source"] != "given", "length_km"] = float("nan")
    links_out = links_out[link_cols + [c for c in links.columns
                                       if c not in link_cols and c not in derived]]
    atomic_write_text(folder / NODES_FILE, node_out.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(folder / LINKS_FILE, links_out.to_csv(index=False, lineterminator="\n"))
    routed = network.links[network.links["geometry_source"] == "file"]
    geometry_path = folder / GEOMETRY_FILE
    if len(routed):
        features = [
            {"type": "Feature", "properties": {"id": link_id, "citation": citation},
             "geometry": mapping(geom)}
            for link_id, geom, citation in zip(routed.index, routed.geometry,
                                               routed["route_citation"], strict=True)
        ]
        atomic_write_text(geometry_path, json.dumps(
            {"type": "FeatureCollection", "features": features}, separators=(",", ":")) + "\n")
    elif geometry_path.exists():
        geometry_path.unlink()
    return folder

