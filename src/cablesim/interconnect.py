"""Where traffic may change network: interconnection points and cable-system layers.

A cable system's capacity is bought between landing cities; its segments are not a public
road network. Carriers hand traffic from one system or network to another at
*interconnection points*: cities and hubs (their data centres and exchanges), border
hand-over points of land routes, and a cable landing station only where cited data says
carriers exchange there (node column ``interconnect``, with the reason in its citation).

:func:`split_landings` writes that into the topology's tables: a landing station where
several systems land and carriers do not interconnect becomes one node per system
(``<landing>~<system slug>``), and each of its land links (the backhaul to the metro) one
link per copy (``<link>~<system slug>``) with the system's share of the capacity. A path
can then change system only by going through an interconnection point, and the routing
kernels work on the tables as they are. :func:`system_changes` lists where a path changes
system, for ``cablesim path`` and the tests.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["INTERCONNECT_KINDS", "interconnection_points", "land_side", "access_links",
           "split_landings", "effective_systems",
           "system_slug", "SystemChange", "system_changes"]

INTERCONNECT_KINDS: tuple[str, ...] = ("city", "hub")
"""Node kinds that are always interconnection points."""

_TRUE = {"yes", "true", "1"}


def interconnection_points(nodes: pd.DataFrame) -> pd.Series:
    """Whether traffic may change network at each node (indexed like ``nodes``): cities
    and hubs always, any other node where its ``interconnect`` column says yes."""
    kind = nodes["kind"].astype(str).isin(INTERCONNECT_KINDS)
    if "interconnect" not in nodes.columns:
        return kind
    flag = nodes["interconnect"].map(lambda v: str(v).strip().lower() in _TRUE
                                     if isinstance(v, (str, bool)) else False)
    return kind | flag.astype(bool)


def land_side(links: pd.DataFrame, nodes: pd.DataFrame) -> np.ndarray:
    """Whether each link belongs to the land networks of its ends' countries: terrestrial
    and metro links, and any link at a city or hub. A submarine segment between a
    landing and the sea, or along a system through its landings, does not: a cable merely
    landing in a country is not that country's network."""
    kind = nodes["kind"].astype(str)
    at_city = (links["from_node"].map(kind).isin(INTERCONNECT_KINDS)
               | links["to_node"].map(kind).isin(INTERCONNECT_KINDS))
    land = links["kind"].astype(str).isin(("terrestrial", "metro"))
    return (land | at_city).to_numpy(dtype=bool)


def access_links(links: pd.DataFrame, nodes: pd.DataFrame) -> np.ndarray:
    """Whether each link is a landing's access to its metro: a non-submarine link between a
    landing station and an interconnection point (the backhaul). It belongs to the system
    it leads to, so stepping from a cable onto it is not a change of network."""
    points = interconnection_points(nodes)
    kind = nodes["kind"].astype(str)
    frm, to = links["from_node"], links["to_node"]
    landing_to_point = ((frm.map(kind) == "landing") & to.map(points).fillna(False).astype(bool)
                        ) | ((to.map(kind) == "landing")
                             & frm.map(points).fillna(False).astype(bool))
    return (landing_to_point & (links["kind"].astype(str) != "submarine")).to_numpy(dtype=bool)


def system_slug(system: str) -> str:
    """A short, stable id part for a system name: the text in its last parentheses if
    any (``Asia Pacific Gateway (APG)`` -> ``apg``), else the name, lower case."""
    found = re.findall(r"\(([^()]*)\)", system)
    text = found[-1] if found else system
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "system"


def split_landings(nodes: pd.DataFrame, links: pd.DataFrame
                   ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]]]:
    """One node per cable system at landings that are not interconnection points.

    Parameters
    ----------
    nodes, links : DataFrame
        Topology tables (columns ``id`` or an ``id`` index; links with ``from_node``,
        ``to_node``, ``kind``, ``system``, ``capacity_gbps``).

    Returns
    -------
    (DataFrame, DataFrame, dict)
        The new node and link tables (same columns, ``id`` as a column) and, for every link
        that was split, the ids of its copies (for its geometry).
    """
    nodes = nodes.reset_index() if "id" not in nodes.columns else nodes.copy()
    links = links.reset_index() if "id" not in links.columns else links.copy()
    point = interconnection_points(nodes.set_index("id"))
    submarine = links["kind"] == "submarine"
    systems: dict[str, list[str]] = {}
    for frm, to, system in zip(links.loc[submarine, "from_node"], links.loc[submarine, "to_node"],
                               links.loc[submarine, "system"], strict=True):
        for node in (frm, to):
            systems.setdefault(node, [])
            if system not in systems[node]:
                systems[node].append(system)
    kind = dict(zip(nodes["id"], nodes["kind"], strict=True))
    split = {n: sorted(s) for n, s in systems.items()
             if kind.get(n) == "landing" and not point.get(n, False) and len(s) > 1}
    if not split:
        return nodes, links, {}
    slugs: dict[str, dict[str, str]] = {}
    for node, names in split.items():
        taken: dict[str, str] = {}
        for name in names:
            slug = system_slug(name)
            while slug in taken.values():
                slug += "-x"
            taken[name] = slug
        slugs[node] = taken
    # nodes: the landing's row once per system
    rows = []
    for row in nodes.to_dict("records"):
        node = row["id"]
        if node not in split:
            rows.append(row)
            continue
        for name in split[node]:
            copy = dict(row)
            copy["id"] = f"{node}~{slugs[node][name]}"
            copy["citation"] = (f"{row['citation']}; landing of {name} only: carriers do not "
                                "interconnect at this landing station, so each system lands "
                                "on its own (cablesim.interconnect.split_landings)")
            rows.append(copy)
    new_nodes = pd.DataFrame(rows, columns=nodes.columns)
    # links: submarine segments to their system's copy; land links once per copy
    capacity_at = {(n, s): 0.0 for n, names in split.items() for s in names}
    for r in links[submarine].itertuples(index=False):
        for node in (r.from_node, r.to_node):
            if node in split:
                capacity_at[(node, r.system)] = max(capacity_at[(node, r.system)],
                                                    float(r.capacity_gbps))
    out = []
    copies: dict[str, list[str]] = {}
    for row in links.to_dict("records"):
        ends = [e for e in (row["from_node"], row["to_node"]) if e in split]
        if not ends:
            out.append(row)
            continue
        if row["kind"] == "submarine":
            for side in ("from_node", "to_node"):
                if row[side] in split:
                    row[side] = f"{row[side]}~{slugs[row[side]][row['system']]}"
            out.append(row)
            continue
        node = ends[0]  # a land link at a split landing: one per system there
        total = math.fsum(capacity_at[(node, s)] for s in split[node])
        for name in split[node]:
            copy = dict(row)
            slug = slugs[node][name]
            copy["id"] = f"{row['id']}~{slug}"
            side = "from_node" if row["from_node"] == node else "to_node"
            copy[side] = f"{node}~{slug}"
            share = capacity_at[(node, name)] / total if total > 0 else 1.0 / len(split[node])
            copy["capacity_gbps"] = float(row["capacity_gbps"]) * share
            if "capex_usd" in copy and isinstance(copy["capex_usd"], (int, float)) \
                    and not math.isnan(float(copy["capex_usd"])):
                copy["capex_usd"] = float(copy["capex_usd"]) * share
            copy["citation"] = (f"{row['citation']}; the part for {name} "
                                f"({100 * share:.0f}% of the capacity, its share of the "
                                "systems landing here; cablesim.interconnect.split_landings)")
            out.append(copy)
            copies.setdefault(str(row["id"]), []).append(str(copy["id"]))
    new_links = pd.DataFrame(out, columns=links.columns)
    return new_nodes, new_links, copies


@dataclass(frozen=True)
class SystemChange:
    """A place where a path moves from one system or network to another."""

    node: str
    from_system: str
    to_system: str
    interconnection_point: bool


def effective_systems(path_nodes: Sequence[str], path_systems: Sequence[str],
                      points: pd.Series, *, access: Sequence[bool] | None = None
                      ) -> list[str]:
    """The system of each link of a path, an access link (:func:`access_links`) taking
    that of the cable at its landing."""
    systems = list(path_systems)
    if access is not None:
        for i, is_access in enumerate(access):
            if not is_access:
                continue
            landing_first = not bool(points.get(path_nodes[i], False))
            j = i - 1 if landing_first else i + 1
            if 0 <= j < len(systems) and not access[j]:
                systems[i] = path_systems[j]
    return systems


def system_changes(path_nodes: Sequence[str], path_systems: Sequence[str],
                   points: pd.Series, *, access: Sequence[bool] | None = None
                   ) -> list[SystemChange]:
    """Where a path changes system: ``path_nodes`` has one more entry than
    ``path_systems`` (the system of each link in order); ``points`` says which nodes are
    interconnection points (:func:`interconnection_points`). Links flagged in ``access``
    (:func:`access_links`: a landing's backhaul to its metro) belong to the system they
    lead to: stepping from a cable onto its backhaul is not a change of network."""
    systems = effective_systems(path_nodes, path_systems, points, access=access)
    out = []
    for i in range(1, len(systems)):
        if systems[i] != systems[i - 1]:
            node = path_nodes[i]
            out.append(SystemChange(node, systems[i - 1], systems[i],
                                    bool(points.get(node, False))))
    return out
