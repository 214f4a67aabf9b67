"""Export a topology to GeoPackage, GeoJSON or GraphML for GIS tools and graph libraries.

- **GeoPackage** (``.gpkg``, via geopandas/pyogrio): layers ``nodes`` (points) and
  ``links`` (lines, the real route where known), every column kept, in EPSG:4326;
- **GeoJSON** (``.geojson``/``.json``): one FeatureCollection with the nodes (Point
  features) and the links (LineString/MultiLineString features); each feature's
  ``properties`` hold its columns plus ``feature_type`` (``"node"`` or ``"link"``);
- **GraphML** (``.graphml``, via networkx): the :meth:`cablesim.Network.graph` view, one
  edge per link keyed by its id, node and edge attributes as columns, geometry as WKT
  strings (attribute ``geometry_wkt``); empty cells are left out.

Files are written atomically (a temporary file, then a rename). Derived columns
(``latency_ms``, ``length_source``...) are exported too: they are what users of the
exported file usually want.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from cablesim._atomic import atomic_write_bytes, atomic_write_text
from cablesim._errors import CablesimError, Problem
from cablesim.network import Network

__all__ = ["EXPORT_FORMATS", "export_format", "export_topology", "to_geojson", "to_graphml"]

EXPORT_FORMATS = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson",
                  ".graphml": "graphml"}
"""File suffix -> export format."""


def export_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The export format for ``path``: ``fmt`` when given, else from the suffix.

    Raises
    ------
    CablesimError
        For an unknown format or suffix.
    """
    if fmt is not None:
        if fmt not in set(EXPORT_FORMATS.values()):
            raise CablesimError("unknown export format", [Problem(
                "--format", None, None, f"{fmt!r} is not one of gpkg, geojson, graphml")])
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise CablesimError("cannot tell the export format", [Problem(
            str(path), None, None, f"unknown suffix {suffix or '(none)'!r}",
            "use .gpkg, .geojson or .graphml, or give --format")])
    return EXPORT_FORMATS[suffix]


def _plain(value: Any) -> Any:
    """A JSON/GraphML-friendly scalar (None for missing values)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _records(frame: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    cols = [c for c in frame.columns if c != "geometry"]
    out = []
    for idx, row in zip(frame.index, frame[cols].itertuples(index=False), strict=True):
        out.append((str(idx), {c: _plain(v) for c, v in zip(cols, row, strict=True)}))
    return out


def to_geojson(network: Network) -> dict[str, Any]:
    """The network as one GeoJSON FeatureCollection (nodes, then links)."""
    features = []
    for (node_id, props), geom in zip(_records(network.nodes), network.nodes.geometry, strict=True):
        features.append({"type": "Feature", "id": node_id,
                         "properties": {"id": node_id, "feature_type": "node", **props},
                         "geometry": mapping(geom)})
    for (link_id, props), geom in zip(_records(network.links), network.links.geometry, strict=True):
        features.append({"type": "Feature", "id": link_id,
                         "properties": {"id": link_id, "feature_type": "link", **props},
                         "geometry": mapping(geom) if geom is not None else None})
    return {"type": "FeatureCollection", "name": network.name,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": features}


def to_graphml(network: Network) -> str:
    """The network's graph view as GraphML text (geometry as WKT)."""
    g = network.graph()
    out = nx.MultiGraph()
    out.graph.update({"name": network.name or "", "crs": "EPSG:4326"})
    for node_id, data in g.nodes(data=True):
        attrs = {k: _plain(v) for k, v in data.items()}
        attrs["geometry_wkt"] = f"POINT ({data['lon']} {data['lat']})"
        out.add_node(str(node_id), **{k: v for k, v in attrs.items() if v is not None})
    for a, b, key, data in g.edges(keys=True, data=True):
        attrs = {k: _plain(v) for k, v in data.items() if k != "geometry"}
        geom = data.get("geometry")
        if geom is not None:
            attrs["geometry_wkt"] = geom.wkt
        out.add_edge(str(a), str(b), key=str(key),
                     **{k: v for k, v in attrs.items() if v is not None})
    return "\n".join(nx.generate_graphml(out, named_key_ids=True, edge_id_from_attribute=None))


def _to_gpkg(network: Network, path: Path) -> None:
    nodes = network.nodes.reset_index()
    links = network.links.reset_index()
    for frame in (nodes, links):
        for col in frame.columns:
            if col == "geometry":
                continue
            if str(frame[col].dtype) == "Int64":
                frame[col] = frame[col].astype("float64")
            elif frame[col].dtype == object:
                frame[col] = frame[col].map(lambda v: None if _plain(v) is None else str(v))
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        target = Path(tmp) / "export.gpkg"
        nodes.to_file(target, layer="nodes", driver="GPKG", engine="pyogrio")
        links.to_file(target, layer="links", driver="GPKG", engine="pyogrio")
        data = target.read_bytes()
    atomic_write_bytes(path, data)


def export_topology(network: Network, path: str | os.PathLike[str],
                    fmt: str | None = None) -> tuple[Path, str]:
    """Write ``network`` to ``path`` as GeoPackage, GeoJSON or GraphML.

    Parameters
    ----------
    network : Network
    path : path-like
        The file to write (its folder is created).
    fmt : str, optional
        ``"gpkg"``, ``"geojson"`` or ``"graphml"``; default from the suffix of ``path``.

    Returns
    -------
    (Path, str)
        The file written and its format.

    Raises
    ------
    CablesimError
        For an unknown format.
    """
    fmt = export_format(path, fmt)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        _to_gpkg(network, target)
    elif fmt == "geojson":
        atomic_write_text(target, json.dumps(to_geojson(network), ensure_ascii=False,
                                             separators=(",", ":")) + "\n")
    else:
        atomic_write_text(target, to_graphml(network) + "\n")
    return target, fmt
