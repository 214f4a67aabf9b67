"""The :class:`Network`: node and link tables (the truth) and the views derived from them.

A network holds two GeoDataFrames in EPSG:4326, indexed by id:

- ``nodes``: the columns of :data:`cablesim.schema.NODE_COLUMNS` plus any extra columns,
  and a Point ``geometry``;
- ``links``: the columns of :data:`cablesim.schema.LINK_COLUMNS` (including the derived
  ``length_km``, ``latency_ms``, ``length_source``, ``geometry_source``) plus any extra
  columns, and the route ``geometry`` (the real route where given, else a great circle).

:meth:`Network.graph` builds a networkx ``MultiGraph`` view (one edge per link, keyed by link
id, so parallel systems between the same two nodes stay distinct) and
:meth:`Network.from_graph` turns such a graph back into an equal network, in the manner of
OSMnx's ``graph_to_gdfs`` / ``graph_from_gdfs``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from cablesim._errors import Problem, TopologyError
from cablesim.geo import (
    fibre_latency_ms,
    geo_satellite_latency_ms,
    geodesic_length_km,
    great_circle_line,
)
from cablesim.schema import LINK_COLUMNS, NODE_COLUMNS, Column
from cablesim.validation import (
    LINK_TABLE,
    NODE_TABLE,
    ROUTE_TABLE,
    TableSource,
    check_references,
    check_routes,
    coerce_table,
)

__all__ = ["Network", "CRS"]

CRS = "EPSG:4326"
"""Coordinate reference system of all geometries (WGS84 lon/lat degrees)."""

class Network:
    """A topology of nodes and links with geographic geometry.

    Build one with :func:`cablesim.load_topology` (from a folder),
    :meth:`Network.from_tables` (from DataFrames) or :meth:`Network.from_graph`.

    Parameters
    ----------
    nodes, links : GeoDataFrame
        Typed, validated tables as produced by :meth:`from_tables` (indexed by id).
    name : str
        A label for messages and outputs (e.g. the topology folder name).
    """

    def __init__(self, nodes: gpd.GeoDataFrame, links: gpd.GeoDataFrame, name: str = "") -> None:
        self.nodes = nodes
        self.links = links
        self.name = name

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_tables(
        cls,
        nodes: pd.DataFrame,
        links: pd.DataFrame,
        route_geometries: Mapping[str, BaseGeometry] | None = None,
        name: str = "",
        node_source: TableSource = NODE_TABLE,
        link_source: TableSource = LINK_TABLE,
        problems: Sequence[Problem] = (),
        allow_derived: bool = True,
        route_source: TableSource = ROUTE_TABLE,
        route_positions: Mapping[str, int] | None = None,
        route_citations: Mapping[str, str] | None = None,
    ) -> Network:
        """Validate node and link tables and derive lengths, latencies and geometries.

        Parameters
        ----------
        nodes, links : DataFrame
            One row per node / link with the columns of the schema (``id`` as a column or
            as the index); cells may be text or typed values.
        route_geometries : mapping of link id to (Multi)LineString, optional
            Real routes in lon/lat degrees; other links get a great-circle line.
        name : str
            Label of the network.
        node_source, link_source : TableSource
            Where the tables came from (used in problem messages).
        problems : sequence of Problem
            Problems found earlier (e.g. while reading files), reported together.
        allow_derived : bool
            Whether derived columns may be present in the input (they are recomputed).
        route_source : TableSource
            Where the route geometries came from (features are its rows).
        route_positions : mapping of link id to int, optional
            0-based feature position of each route, for messages.
        route_citations : mapping of link id to str, optional
            Source of each route geometry (kept in the ``route_citation`` column).

        Raises
        ------
        TopologyError
            Listing every problem found, each with its file, row and field.
        """
        found: list[Problem] = list(problems)
        nodes_t = coerce_table(_with_id(nodes), NODE_COLUMNS, node_source, found,
                               allow_derived=allow_derived)
        links_t = coerce_table(_with_id(links), LINK_COLUMNS, link_source, found,
                               allow_derived=allow_derived)
        check_references(nodes_t, links_t, node_source, link_source, found)
        routes = dict(route_geometries or {})
        positions = dict(route_positions or {lid: i for i, lid in enumerate(routes)})
        check_routes(routes, links_t, nodes_t, route_source, positions, found)
        if found:
            raise TopologyError(f"topology {name!r} is invalid" if name else
                                "topology is invalid", found)
        node_gdf = gpd.GeoDataFrame(
            nodes_t.set_index("id"),
            geometry=[Point(x, y) for x, y in zip(nodes_t["lon"], nodes_t["lat"], strict=True)],
            crs=CRS,
        )
        link_gdf = _derive_links(links_t.set_index("id"), node_gdf, routes,
                                 dict(route_citations or {}))
        return cls(node_gdf, link_gdf, name)

    @classmethod
    def from_graph(cls, graph: nx.MultiGraph) -> Network:
        """Rebuild a network from a graph made by :meth:`graph` (possibly edited).

        Node attributes become node columns and edge attributes link columns; the edge key
        is the link id. Derived columns are kept as they are in the graph.
        """
        node_cols = list(graph.graph.get("node_columns", []))
        link_cols = list(graph.graph.get("link_columns", []))
        node_rows = {n: dict(d) for n, d in graph.nodes(data=True)}
        nodes = pd.DataFrame.from_dict(node_rows, orient="index")
        nodes.index = pd.Index(list(node_rows), dtype=object, name="id")
        nodes = nodes.reindex(columns=node_cols or list(nodes.columns))
        link_rows: dict[str, dict[str, Any]] = {}
        for _, _, key, data in graph.edges(keys=True, data=True):
            link_rows[key] = dict(data)
        links = pd.DataFrame.from_dict(link_rows, orient="index")
        links.index = pd.Index(list(link_rows), dtype=object, name="id")
        geometry = list(links.pop("geometry")) if "geometry" in links else []
        links = links.reindex(columns=link_cols or list(links.columns))
        nodes = _typed(nodes, NODE_COLUMNS)
        links = _typed(links, LINK_COLUMNS)
        node_gdf = gpd.GeoDataFrame(
            nodes, geometry=[Point(x, y) for x, y in zip(nodes["lon"], nodes["lat"], strict=True)],
            crs=CRS)
        link_gdf = gpd.GeoDataFrame(links, geometry=gpd.GeoSeries(geometry, index=links.index,
                                                                  crs=CRS), crs=CRS)
        order = [i for i in graph.graph.get("link_order", []) if i in link_gdf.index]
        rest = [i for i in link_gdf.index if i not in set(order)]
        link_gdf = link_gdf.loc[order + rest]
        return cls(node_gdf, link_gdf, graph.graph.get("name", ""))

    # ------------------------------------------------------------------ views
    def graph(self) -> nx.MultiGraph:
        """Return a networkx MultiGraph view of the network.

        Nodes carry every node column; each link is an edge keyed by its id, carrying every
        link column (including ``from_node``/``to_node``, which keep the link's
        orientation) and its ``geometry``. Graph attributes record the name, CRS and column
        order so that :meth:`from_graph` restores equal tables.
        """
        g = nx.MultiGraph(
            name=self.name,
            crs=CRS,
            node_columns=[c for c in self.nodes.columns if c != "geometry"],
            link_columns=[c for c in self.links.columns if c != "geometry"],
            link_order=list(self.links.index),
        )
        node_cols = [c for c in self.nodes.columns if c != "geometry"]
        for node_id, row in zip(self.nodes.index, self.nodes[node_cols].itertuples(index=False),
                                strict=True):
            g.add_node(node_id, **dict(zip(node_cols, row, strict=True)))
        link_cols = list(self.links.columns)
        for link_id, row in zip(self.links.index, self.links[link_cols].itertuples(index=False),
                                strict=True):
            attrs = dict(zip(link_cols, row, strict=True))
            g.add_edge(attrs["from_node"], attrs["to_node"], key=link_id, **attrs)
        return g

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Node and link tables as plain DataFrames with ``id`` as the first column."""
        return (pd.DataFrame(self.nodes.drop(columns="geometry")).reset_index(),
                pd.DataFrame(self.links.drop(columns="geometry")).reset_index())

    def copy(self) -> Network:
        """Return a deep copy."""
        return Network(self.nodes.copy(), self.links.copy(), self.name)

    # ------------------------------------------------------------------ summaries
    @property
    def countries(self) -> list[str]:
        """The countries of the nodes (ISO 3166-1 alpha-3), sorted; blanks left out."""
        return sorted({c for c in self.nodes["country"].tolist() if c})

    def summary(self) -> dict[str, Any]:
        """Counts and totals describing the network, as a JSON-ready dict.

        Keys: ``name``, ``nodes``, ``links``, ``nodes_by_kind``, ``links_by_kind``,
        ``links_by_status``, ``systems``, ``countries``, ``total_km``, ``km_by_kind``,
        ``components`` (connected components over all links), ``components_existing``
        (over existing links only), ``component_sizes`` (largest first),
        ``isolated_nodes``.
        """
        links = self.links
        g = nx.Graph()
        g.add_nodes_from(self.nodes.index)
        g.add_edges_from(zip(links["from_node"], links["to_node"], strict=True))
        components = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
        existing = nx.Graph()
        existing.add_nodes_from(self.nodes.index)
        live = links[links["status"] == "existing"]
        existing.add_edges_from(zip(live["from_node"], live["to_node"], strict=True))
        return {
            "name": self.name,
            "nodes": int(len(self.nodes)),
            "links": int(len(links)),
            "nodes_by_kind": _count(self.nodes["kind"]),
            "links_by_kind": _count(links["kind"]),
            "links_by_status": _count(links["status"]),
            "systems": sorted(set(links["system"].tolist())),
            "countries": self.countries,
            "total_km": round(float(links["length_km"].sum()), 1),
            "km_by_kind": {k: round(float(v), 1) for k, v in
                           links.groupby("kind")["length_km"].sum().sort_index().items()},
            "components": len(components),
            "components_existing": nx.number_connected_components(existing),
            "component_sizes": components,
            "isolated_nodes": sorted(n for n in g.nodes if g.degree(n) == 0),
        }

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Network{label}: {len(self.nodes)} nodes, {len(self.links)} links>"


def _with_id(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with ``id`` as a column (moving it out of the index if needed)."""
    if "id" not in table.columns and table.index.name == "id":
        return table.reset_index()
    return table


def _typed(table: pd.DataFrame, columns: tuple[Column, ...]) -> pd.DataFrame:
    """Give schema columns their canonical dtypes (float64, Int64, object for text)."""
    kinds = {c.name: c.dtype for c in columns}
    out = table.copy()
    for name in out.columns:
        kind = kinds.get(name, "str")
        if kind == "float":
            out[name] = out[name].astype(float)
        elif kind == "int":
            out[name] = out[name].astype("Int64")
        else:
            out[name] = pd.Series([None if _missing(v) else v for v in out[name]],
                                  index=out.index, dtype=object)
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _count(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in sorted(Counter(series.tolist()).items())}


def _derive_links(
    links: pd.DataFrame,
    nodes: gpd.GeoDataFrame,
    routes: dict[str, BaseGeometry],
    route_citations: dict[str, str],
) -> gpd.GeoDataFrame:
    """Fill geometry, length_km, latency_ms and their provenance columns for each link."""
    lon = nodes["lon"].to_dict()
    lat = nodes["lat"].to_dict()
    geometries: list[BaseGeometry] = []
    lengths = links["length_km"].to_numpy(dtype=float).copy()
    length_source: list[str] = []
    geometry_source: list[str] = []
    latency = np.empty(len(links))
    for pos, (link_id, row) in enumerate(links.iterrows()):
        a, b = row["from_node"], row["to_node"]
        route = routes.get(link_id)
        if route is not None:
            geometries.append(route)
            geometry_source.append("file")
        else:
            geometries.append(great_circle_line(lon[a], lat[a], lon[b], lat[b]))
            geometry_source.append("great_circle")
        if np.isfinite(lengths[pos]):
            length_source.append("given")
        elif route is not None:
            lengths[pos] = geodesic_length_km(route)
            length_source.append("geometry")
        else:
            lengths[pos] = geodesic_length_km(geometries[-1]) * float(row["route_factor"])
            length_source.append("great_circle")
        if row["kind"] == "satellite":
            latency[pos] = geo_satellite_latency_ms(lon[a], lat[a], lon[b], lat[b],
                                                    float(row["orbit_lon_deg"]))
        else:
            latency[pos] = fibre_latency_ms(lengths[pos])
        latency[pos] += float(row["equipment_latency_ms"])
    out = links.copy()
    out["length_km"] = lengths
    out["latency_ms"] = latency
    out["length_source"] = pd.Series(length_source, index=out.index, dtype=object)
    out["geometry_source"] = pd.Series(geometry_source, index=out.index, dtype=object)
    out["route_citation"] = pd.Series(
        [route_citations.get(i, "") if i in routes else None for i in links.index],
        index=out.index, dtype=object)
    ordered = [c.name for c in LINK_COLUMNS] + [c for c in links.columns
                                                  if c not in {c.name for c in LINK_COLUMNS}]
    ordered = [c for c in ordered if c != "id"]
    return gpd.GeoDataFrame(out[ordered], geometry=geometries, crs=CRS)

