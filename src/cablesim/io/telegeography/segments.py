"""Segment inference: which landing points are adjacent along a cable's route lines.

:func:`infer_segments` turns a cable's drawing into segments and branching units;
:func:`approximate_segments` is the documented fallback (the shortest tree joining the
landing points); :func:`route_geometry` is the simplified route written to
``geometry.geojson``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from cablesim.geo import (
    great_circle_km_array,
    path_length_km,
    split_antimeridian,
    summed_distance_km,
)
from cablesim.io.telegeography.reference import KM_PER_DEG, ImportSettings

__all__ = [
    "Point",
    "CableSegment",
    "SegmentInference",
    "infer_segments",
    "approximate_segments",
    "route_geometry",
    "planar_deg",
    "planar_deg_many",
    "dedupe",
]

# ============================================================================== geometry
Point = tuple[float, float]


@dataclass(frozen=True)
class CableSegment:
    """One link of a cable: the route between two adjacent nodes.

    Attributes
    ----------
    a, b : str
        End node ids (landing point ids, or branching unit ids).
    coords : tuple of (lon, lat)
        The route from ``a`` to ``b``; its ends are the nodes' positions.
    length_km : float
        Geodesic (WGS84) length of ``coords``, km.
    connector : bool
        Whether the route includes a straight piece added by the importer (a landing
        connector or a gap bridge) rather than drawn by TeleGeography.
    """

    a: str
    b: str
    coords: tuple[Point, ...]
    length_km: float
    connector: bool = False


@dataclass
class SegmentInference:
    """The segment graph inferred for one cable.

    Attributes
    ----------
    segments : list of CableSegment
    branching_units : dict of str to (lon, lat)
        Junction nodes (vertices where three or more route lines meet), by id.
    fallbacks : list of (str, str)
        ``(kind, detail)`` for every approximation made: ``landing_connector``,
        ``colocated_landing``, ``gap_bridged``, ``loop_dropped``.
    notes : list of str
        Other remarks (e.g. route lines that lead to no landing point, dropped).
    dropped_km : float
        Length of route lines removed because they lead to no landing point.
    """

    segments: list[CableSegment]
    branching_units: dict[str, Point]
    fallbacks: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped_km: float = 0.0

    @property
    def total_km(self) -> float:
        """Summed length of the segments, km."""
        return float(sum(s.length_km for s in self.segments))


def _key(lon: float, lat: float) -> Point:
    if lon > 179.999 or lon < -179.999:
        lon = 180.0
    return (round(lon, 6), round(lat, 6))


def _wrap(dlon: np.ndarray | float) -> Any:
    return (np.asarray(dlon) + 180.0) % 360.0 - 180.0


def planar_deg(a: Point, b: Point) -> float:
    """Planar distance in degrees (longitude scaled by the cosine of the mean latitude)."""
    dlon = abs(a[0] - b[0])
    if dlon > 180.0:
        dlon = 360.0 - dlon
    return math.hypot(dlon * math.cos(math.radians((a[1] + b[1]) / 2.0)), a[1] - b[1])


def planar_deg_many(p: Point, pts: np.ndarray) -> np.ndarray:
    dlon = np.abs(_wrap(pts[:, 0] - p[0]))
    return np.hypot(dlon * np.cos(np.radians((pts[:, 1] + p[1]) / 2.0)), pts[:, 1] - p[1])


def _to_segments(p: Point, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
    """Planar distance (deg) from ``p`` to segments ``a[i]-b[i]``, the parameter t and the
    nearest points (lon, lat)."""
    c = math.cos(math.radians(p[1]))
    ax, ay = _wrap(a[:, 0] - p[0]) * c, a[:, 1] - p[1]
    bx, by = _wrap(b[:, 0] - p[0]) * c, b[:, 1] - p[1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    nx_, ny_ = ax + t * dx, ay + t * dy
    near = np.column_stack([_wrap(p[0] + nx_ / max(c, 1e-9)), p[1] + ny_])
    return np.hypot(nx_, ny_), t, near


def _edges_km(edges: Sequence[tuple[Point, Point]]) -> float:
    """Summed geodesic length of straight edges, km."""
    if not edges:
        return 0.0
    arr = np.asarray(edges, dtype=float)
    return summed_distance_km(arr[:, 0, 0], arr[:, 0, 1], arr[:, 1, 0], arr[:, 1, 1])


def _stack(lines: Sequence[Sequence[Point]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment start points, end points and line index of every segment of ``lines``."""
    starts, ends, index = [], [], []
    for li, ls in enumerate(lines):
        if len(ls) < 2:
            continue
        arr = np.asarray(ls, dtype=float)
        starts.append(arr[:-1])
        ends.append(arr[1:])
        index.append(np.full(len(arr) - 1, li))
    if not starts:
        empty = np.zeros((0, 2))
        return empty, empty, np.zeros(0, dtype=int)
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(index)


def dedupe(points: Iterable[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def infer_segments(lines: Sequence[Sequence[Sequence[float]]],
                   landings: Sequence[tuple[str, float, float]],
                   settings: ImportSettings | None = None,
                   bu_prefix: str = "bu") -> SegmentInference:
    """Infer which landing points are adjacent along a cable from its route lines.

    Steps (the method of ``tools/derive_china_asean.py``, which ``topology/china_asean``
    documents):

    1. line ends closer than ``join_km`` become one point; a line end within ``join_km``
       of another line's interior is inserted into it (a T-junction);
    2. the lines become a graph of route vertices (points at +-180 degrees are joined
       across the antimeridian);
    3. landing points are snapped to free line ends within ``snap_km`` (nearest pairs
       first), else to the nearest vertex or point on an edge within ``snap_km``; a landing
       point farther away is joined by a straight connector to the nearest route point
       (fallback ``landing_connector``); a landing at a vertex another landing already
       holds is joined to it by a connector of nominal length (``colocated_landing``);
    4. pieces of the drawing that reach no landing point are dropped; the remaining pieces
       are joined by the shortest straight link (``gap_bridged``);
    5. dangling lines that end at no landing point are pruned;
    6. every vertex where three or more lines meet becomes a branching unit, named
       ``<bu_prefix><n>`` (numbered west to east); the chains between landing points and
       branching units are the segments, with their geodesic lengths (ends at the nodes'
       exact positions).

    Parameters
    ----------
    lines : sequence of sequences of (lon, lat)
        The cable's route lines (a MultiLineString's parts).
    landings : sequence of (id, lon, lat)
        Its landing points.
    settings : ImportSettings, optional
        Tolerances (defaults: :class:`ImportSettings`).
    bu_prefix : str
        Prefix of branching unit ids.

    Returns
    -------
    SegmentInference
        With no segments when there are no usable lines or fewer than two landing points.
    """
    settings = settings or ImportSettings()
    join = settings.join_km / KM_PER_DEG
    snap = settings.snap_km / KM_PER_DEG
    result = SegmentInference([], {})
    clean = [dedupe(_key(float(p[0]), float(p[1])) for p in ls) for ls in lines]
    clean = [ls for ls in clean if len(ls) >= 2]
    if not clean or len(landings) < 2:
        return result
    # 1a. merge line ends drawn a little apart
    reps: list[Point] = []
    rep: dict[Point, Point] = {}
    for ls in clean:
        for end in (ls[0], ls[-1]):
            if end in rep:
                continue
            best = None
            if reps:
                dist = planar_deg_many(end, np.asarray(reps))
                i = int(np.argmin(dist))
                if dist[i] < join:
                    best = reps[i]
            rep[end] = best or end
            if best is None:
                reps.append(end)
    clean = [dedupe([rep[ls[0]], *ls[1:-1], rep[ls[-1]]]) for ls in clean]
    clean = [ls for ls in clean if len(ls) >= 2]
    # 1b. T-junctions: a line end on another line's interior
    stacked = _stack(clean)
    for r in reps:
        dist, _, _ = _to_segments(r, stacked[0], stacked[1])
        hits = sorted(set(stacked[2][dist < join].tolist()))
        changed = False
        for li in hits:
            ls = clean[li]
            if r in ls:
                continue
            arr = np.asarray(ls)
            dist_l, t, _ = _to_segments(r, arr[:-1], arr[1:])
            i = int(np.argmin(dist_l))
            if dist_l[i] >= join:
                continue
            changed = True
            if t[i] < 0.02 or t[i] > 0.98:
                v = ls[i] if t[i] < 0.5 else ls[i + 1]
                clean = [[r if p == v else p for p in l2] for l2 in clean]
            else:
                ls.insert(i + 1, r)
        if changed:
            stacked = _stack(clean)
    clean = [dedupe(ls) for ls in clean]
    g = nx.Graph()
    for ls in clean:
        for a, b in itertools.pairwise(ls):
            if a != b:
                g.add_edge(a, b, connector=False)
    if g.number_of_edges() == 0:
        return result  # the drawing collapses to points (shorter than join_km)
    # 3. snap landing points
    label: dict[Point, str] = {}
    exact: dict[Point, Point] = {}
    todo = list(landings)
    ends = [v for v in g.nodes if g.degree(v) == 1]
    if ends:
        end_arr = np.asarray(ends)
        pairs = []
        for li, (_, lon, lat) in enumerate(todo):
            dist = planar_deg_many((lon, lat), end_arr)
            for j in np.nonzero(dist <= snap)[0]:
                pairs.append((float(dist[j]), li, int(j)))
        used_l: set[int] = set()
        used_e: set[int] = set()
        for _, li, ei in sorted(pairs):
            if li in used_l or ei in used_e:
                continue
            used_l.add(li)
            used_e.add(ei)
            label[ends[ei]] = todo[li][0]
            exact[ends[ei]] = (todo[li][1], todo[li][2])
        todo = [x for i, x in enumerate(todo) if i not in used_l]
    for lid, lon, lat in todo:
        p = (float(lon), float(lat))
        verts = list(g.nodes)
        vdist = planar_deg_many(p, np.asarray(verts))
        vi = int(np.argmin(vdist))
        best, best_d = verts[vi], float(vdist[vi])
        edges = [(a, b) for a, b in g.edges]
        if edges:
            ea = np.asarray([e[0] for e in edges])
            eb = np.asarray([e[1] for e in edges])
            edist, et, near = _to_segments(p, ea, eb)
            inside = (et > 0.02) & (et < 0.98)
            if inside.any():
                ei = int(np.argmin(np.where(inside, edist, np.inf)))
                if edist[ei] < best_d - 0.01:
                    q = _key(float(near[ei, 0]), float(near[ei, 1]))
                    if q not in g:
                        a, b = edges[ei]
                        conn = g.edges[a, b]["connector"]
                        g.remove_edge(a, b)
                        g.add_edge(a, q, connector=conn)
                        g.add_edge(q, b, connector=conn)
                        best, best_d = q, float(edist[ei])
        if best_d > snap:
            q = _key(*p)
            while q in g:
                q = (q[0], round(q[1] + 1e-6, 6))
            km = path_length_km([best, q])
            g.add_edge(best, q, connector=True)
            result.fallbacks.append(("landing_connector", f"{lid} lies {km:,.1f} km from the "
                                     "nearest route point: joined by a straight connector"))
            best = q
        elif best in label:
            q = _key(*p)
            while q in g:
                q = (q[0], round(q[1] + 1e-6, 6))
            km = path_length_km([best, q])
            g.add_edge(best, q, connector=True)
            result.fallbacks.append(("colocated_landing", f"{lid} shares its route point with "
                                     f"{label[best]}: joined to it by a straight link of "
                                     f"{km:,.1f} km (at least {settings.min_link_km} km)"))
            best = q
        label[best] = lid
        exact[best] = p
    # 4. drop pieces without landing points, bridge the others
    comps = [set(c) for c in nx.connected_components(g)]
    dead = [c for c in comps if not any(v in label for v in c)]
    for c in dead:
        result.dropped_km += _edges_km(list(g.subgraph(c).edges))
        g.remove_nodes_from(c)
    comps = [c for c in comps if any(v in label for v in c)]
    if len(comps) > 1:
        comps.sort(key=lambda c: (-sum(1 for v in c if v in label), -len(c), min(c)))
        main = set(comps[0])
        rest = comps[1:]
        while rest:
            main_arr = np.asarray(sorted(main))
            best_pair = None
            for ci, comp in enumerate(rest):
                for v in comp:
                    dist = planar_deg_many(v, main_arr)
                    i = int(np.argmin(dist))
                    if best_pair is None or dist[i] < best_pair[0]:
                        best_pair = (float(dist[i]), ci, tuple(main_arr[i]), v)
            assert best_pair is not None
            _, ci, u, v = best_pair
            u = (float(u[0]), float(u[1]))
            g.add_edge(u, v, connector=True)
            result.fallbacks.append(("gap_bridged", f"a gap of {path_length_km([u, v]):,.1f} km "
                                     f"in the drawing near ({u[0]:.2f}, {u[1]:.2f}) is bridged "
                                     "by a straight link"))
            main |= rest.pop(ci)
    # 5. prune dangling lines
    before = _edges_km(list(g.edges))
    stack = [v for v in g.nodes if g.degree(v) <= 1 and v not in label]
    while stack:
        v = stack.pop()
        if v not in g or v in label or g.degree(v) > 1:
            continue
        nbrs = list(g.neighbors(v))
        g.remove_node(v)
        stack.extend(n for n in nbrs if n not in label and g.degree(n) <= 1)
    result.dropped_km += before - _edges_km(list(g.edges))
    if result.dropped_km > 50.0:
        result.notes.append(f"{result.dropped_km:,.0f} km of route lines that lead to no listed "
                            "landing point were dropped")
    # 6. branching units and segments
    keys = set(label) | {v for v in g.nodes if g.degree(v) >= 3}
    bus = sorted(v for v in keys if v not in label)
    width = max(2, len(str(len(bus))))
    names = dict(label)
    for i, v in enumerate(bus, 1):
        names[v] = f"{bu_prefix}{i:0{width}d}"
        result.branching_units[names[v]] = v
    seen: set[tuple[Point, Point]] = set()
    for k in sorted(keys):
        for nb in sorted(g.neighbors(k)):
            if (k, nb) in seen:
                continue
            path = [k, nb]
            seen.update({(k, nb), (nb, k)})
            while path[-1] not in keys:
                cur = path[-1]
                nxt = [x for x in g.neighbors(cur) if x != path[-2] and (cur, x) not in seen]
                if not nxt:
                    break
                path.append(nxt[0])
                seen.update({(cur, nxt[0]), (nxt[0], cur)})
            from_name, to_name = names.get(path[0]), names.get(path[-1])
            if from_name is None or to_name is None:
                continue  # pragma: no cover - every chain ends at a key vertex
            if from_name == to_name:
                result.fallbacks.append(("loop_dropped", f"a loop of the drawing from "
                                         f"{from_name} back to itself is dropped (a link "
                                         "needs two ends)"))
                continue
            conn = any(g.edges[u, v]["connector"] for u, v in itertools.pairwise(path))
            coords = [exact.get(path[0], path[0]), *path[1:-1], exact.get(path[-1], path[-1])]
            result.segments.append(CableSegment(from_name, to_name, tuple(coords),
                                                path_length_km(coords), conn))
    return result


def approximate_segments(landings: Sequence[tuple[str, float, float]]) -> list[CableSegment]:
    """The documented approximation for a cable whose geometry cannot be used.

    The cable is taken to join its landing points along the shortest tree (the minimum
    spanning tree of their great-circle distances): segments are straight great-circle
    links, lengths their geodesic lengths (the caller scales them to the stated length or
    by the route factor).
    """
    n = len(landings)
    if n < 2:
        return []
    lon = np.array([x[1] for x in landings], dtype=float)
    lat = np.array([x[2] for x in landings], dtype=float)
    i, j = np.triu_indices(n, 1)
    weights = np.zeros((n, n))
    # + 1e-6: scipy drops zero weights
    weights[i, j] = great_circle_km_array(lon[i], lat[i], lon[j], lat[j]) + 1e-6
    from scipy.sparse.csgraph import minimum_spanning_tree

    tree = minimum_spanning_tree(weights).tocoo()
    segments = []
    for a, b, w in sorted(zip(tree.row.tolist(), tree.col.tolist(), tree.data.tolist(),
                               strict=True)):
        segments.append(CableSegment(landings[a][0], landings[b][0],
                                     ((lon[a], lat[a]), (lon[b], lat[b])), max(w - 1e-6, 0.0)))
    return segments


def route_geometry(coords: Sequence[Point], tolerance: float) -> BaseGeometry | None:
    """Simplified route of a segment, split at the antimeridian."""
    un = split_antimeridian(coords, ndigits=5)
    parts = []
    for part in un:
        line = LineString(part)
        if tolerance > 0 and len(part) > 2:
            line = line.simplify(tolerance, preserve_topology=False)
        pts = dedupe((round(x, 5), round(y, 5)) for x, y in line.coords)
        if len(pts) >= 2:
            parts.append(pts)
    if not parts:
        return None
    return LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)


