"""Path maps: the path of one origin-destination pair under several policies.

Paths are drawn side by side in lanes, each in its own colour, over the cable map; a
hairpin goes out and back on the same cables. The paths are given (from
:func:`cablesim.experiment.path.paths_under`); nothing is routed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.geo import great_circle_km
from cablesim.network import Network
from cablesim.plot._figure import BASE_FONT
from cablesim.plot.basemap import (
    MapFrame,
    _figure,
    draw_basemap,
    draw_scale_bar,
    fit_extent,
    frame_copies,
    geometry_parts,
    node_markers,
    place_labels,
    resolve_extent,
    unwrapped_parts,
)
from cablesim.plot.maps import (
    OFF,
    _add_lines,
    _credit_text,
    _handle,
    _marker_handle,
    _page,
    _short_name,
    _side_legend,
    _stacked_page,
)

__all__ = ["plot_paths", "path_colour"]

_EXTRA_PATH_COLOURS = ["#e6ab02", "#1f78b4", "#666666", "#b15928", "#6a3d9a", "#33a02c"]
"""Colours of paths of policies that are not presets."""


def path_colour(name: str, i: int, colours: Mapping[str, str] | None = None) -> str:
    """The colour of a policy's path: ``colours[name]`` (a study's), else the ``i``-th of a
    palette."""
    return (colours or {}).get(name, _EXTRA_PATH_COLOURS[i % len(_EXTRA_PATH_COLOURS)])


def plot_paths(network: Network, origin: str, destination: str,
               paths: Mapping[str, Mapping[str, Any] | str], *, experiment_name: str = "",
               colours: Mapping[str, str] | None = None,
               extent: str | Sequence[float] | None = None, title: str | None = None,
               labels: bool = True, figsize: tuple[float, float] | None = None,
               dpi: float | None = None, credits: bool = True,
               zoom: bool | None = None) -> Figure:
    """The path of one origin-destination pair under each policy, over the map.

    Parameters
    ----------
    network : Network
        The topology the paths run on.
    origin, destination : str
        Node ids (e.g. ``"VNHAN"``, ``"IDJKT"``).
    paths : mapping of str to dict or str
        Policy name to its path (as :func:`cablesim.experiment.path_between` describes it),
        or to the reason there is none (:func:`cablesim.experiment.path.paths_under` gives
        this); each path is drawn in its own colour, with its exchange hub and round-trip
        time in the legend.
    experiment_name : str
        Named in the subtitle.
    colours : mapping of str to str, optional
        Colour of each policy's path (a study's ``colours``); others take a palette.
    extent : optional
        Default: fitted to every path (a hairpin via the US gives a Pacific view).
    zoom : bool, optional
        Add a panel zoomed on the origin and destination (default: when the paths reach
        much further than the two ends).

    Raises
    ------
    ScenarioError
        Unknown node ids (named ``origin`` / ``destination``), or no paths given.
    """
    net = network
    policies = list(paths)
    unknown = [Problem(name, None, None, f"unknown node id {node!r}",
                       did_you_mean(node, net.nodes.index))
               for name, node in (("origin", origin), ("destination", destination))
               if node not in net.nodes.index]
    if not policies:
        unknown.append(Problem("paths", None, None, "give at least one policy's path"))
    if unknown:
        raise ScenarioError("cannot draw the paths", unknown)
    with matplotlib.rc_context(BASE_FONT):
        listed: list[tuple[str, Mapping[str, Any] | None, str]] = [
            (name, info, "") if not isinstance(info, str) else (name, None, info)
            for name, info in paths.items()]
        paths_drawn = listed
        nodes = net.nodes
        drawn: list[tuple[str, Mapping[str, Any]]] = [
            (name, info) for name, info, _ in paths_drawn if info]
        lons = [nodes.at[origin, "lon"], nodes.at[destination, "lon"]]
        lats = [nodes.at[origin, "lat"], nodes.at[destination, "lat"]]
        for _, info in drawn:
            for lid in info["links"]:
                for part in geometry_parts(net.links.geometry[lid], resolve_extent("world")):
                    step = max(1, len(part) // 20)
                    lons += list(part[::step, 0]) + [part[-1, 0]]
                    lats += list(part[::step, 1]) + [part[-1, 1]]
        fitted = extent is None or (isinstance(extent, str) and extent == "auto")
        if fitted or extent is None:
            wide = fit_extent(lons, lats, margin=0.05)
        else:
            wide = resolve_extent(extent)
        near_lon, near_lat = lons[:2], lats[:2]
        for _, info in drawn:  # exchange hubs close to the two ends belong in the zoom
            via = info.get("via")
            if via and min(great_circle_km(nodes.at[via, "lon"], nodes.at[via, "lat"],
                                           nodes.at[e, "lon"], nodes.at[e, "lat"])
                           for e in (origin, destination)) < NEAR_KM:
                near_lon.append(nodes.at[via, "lon"])
                near_lat.append(nodes.at[via, "lat"])
        near = fit_extent(near_lon, near_lat, margin=0.2, min_size=16.0)
        if zoom is None:
            zoom = fitted and wide.width > 2.5 * near.width
        frames = [near, wide] if zoom else [wide]
        o_name = _short_name(str(nodes.at[origin, "name"]))
        d_name = _short_name(str(nodes.at[destination, "name"]))
        floor = next((info["floor_rtt_ms"] for _, info in drawn), float("nan"))
        used = net.links.loc[[lid for _, info in drawn for lid in info["links"]]]
        heading = title or f"{o_name} → {d_name}: the path under each policy"
        subtitle = (f"{origin} → {destination}"
                    + (f" in experiment {experiment_name}" if experiment_name else "")
                    + ". The fibre "
                    f"floor (great circle) is a {floor:.0f} ms round trip. Paths sharing a "
                    "cable run side by side; a hairpin goes out and back on the same cables.")
        credit = _credit_text(used) if credits else ""
        if zoom:
            page = _stacked_page(wide, near, figsize, dpi, title=heading, subtitle=subtitle,
                                 credit=credit)
            frames = [wide, near]
        else:
            page = _page(frames, figsize, dpi, side=True, title=heading, subtitle=subtitle,
                         credit=credit)
        n = len(drawn)
        lines = {name: _path_line(net, info) for name, info in drawn}
        shift = 0.5 if n % 2 else 0.0
        vias = sorted({info["via"] for _, info in drawn if info.get("via")} - {origin, destination})
        ends = [origin, destination]
        for axis, frame in zip(page.axes, frames, strict=True):
            draw_basemap(axis, frame)
            context = pd.DataFrame({
                "geometry": net.links.geometry.values, "colour": OFF, "width": 0.45,
                "style": "solid", "cased": False, "alpha": 0.9})
            _add_lines(axis, context, zorder=2)
            for j, (name, _) in enumerate(drawn):
                lane = (j - (n - 1) / 2.0 + shift) * LANE
                colour = path_colour(name, policies.index(name), colours)
                _draw_lane(axis, lines[name], lane, colour, zorder=3 + 0.1 * j)
            node_markers(axis, nodes.loc[ends, "lon"].to_numpy(),
                         nodes.loc[ends, "lat"].to_numpy(), s=60, c="white",
                         edgecolors="#111111", linewidths=1.6, zorder=7.5)
            if vias:
                node_markers(axis, nodes.loc[vias, "lon"].to_numpy(),
                             nodes.loc[vias, "lat"].to_numpy(), s=34, c="#111111", marker="s",
                             edgecolors="white", linewidths=0.8, zorder=7.5)
            if labels:
                items = [(float(nodes.at[e, "lon"]), float(nodes.at[e, "lat"]),
                          _short_name(str(nodes.at[e, "name"])), True) for e in ends]
                items += [(float(nodes.at[v, "lon"]), float(nodes.at[v, "lat"]),
                           f"{_short_name(str(nodes.at[v, 'name']))} (exchange)", False)
                          for v in vias]
                place_labels(axis, items, fontsize=7.5)
            draw_scale_bar(axis)
        if zoom:
            page.axes[0].set_title("The whole paths", fontsize=9.5, fontweight="bold",
                                   loc="left", pad=4)
            page.axes[1].set_title("Around the two ends", fontsize=9.5, fontweight="bold",
                                   loc="left", pad=4)
        handles: list[Any] = []
        names: list[str] = []
        for name, found, why in paths_drawn:
            colour = path_colour(name, policies.index(name), colours)
            if found:
                via = (f"exchange at {_short_name(str(nodes.at[found['via'], 'name']))}"
                       if found.get("via") else "direct exchange")
                handles.append(_handle(colour, LANE_WIDTH + 0.6))
                names.append(f"{name}: RTT {found['rtt_ms']:.0f} ms\n{via}")
            else:
                handles.append(_handle(colour, 1.2, "dotted"))
                names.append(f"{name}: no path\n({why})")
        handles += [Line2D([], [], linestyle="none", marker="o", markersize=7,
                           markerfacecolor="white", markeredgecolor="#111111",
                           markeredgewidth=1.5), _marker_handle("hub")]
        names += ["origin and destination", "exchange hub"]
        _side_legend(page, handles, names, "Policy: round-trip time", fontsize=7.5)
        return page.fig


NEAR_KM = 3000.0
"""Exchange hubs closer than this to an end of the path are shown in the zoomed panel."""
LANE = 3.1
"""Distance (points) between the lanes of paths drawn side by side."""
LANE_WIDTH = 2.5
"""Line width (points) of a path."""


def _path_line(net: Network, info: Mapping[str, Any]) -> list[np.ndarray]:
    """The links of a path as unwrapped lon/lat polylines, each in the direction of travel
    and continuous with the one before."""
    nodes = net.nodes
    seq = info["nodes"]
    out: list[np.ndarray] = []
    for i, lid in enumerate(info["links"]):
        parts = unwrapped_parts(net.links.geometry[lid])
        if not parts:
            continue
        xy = np.vstack(parts)
        here = (float(nodes.at[seq[i], "lon"]), float(nodes.at[seq[i], "lat"]))
        if _deg_distance(xy[-1], here) < _deg_distance(xy[0], here):
            xy = xy[::-1]
        if out:
            prev = out[-1][-1]
            xy = xy + [360.0 * round((prev[0] - xy[0, 0]) / 360.0), 0.0]
        out.append(xy)
    return out


def _deg_distance(a: Sequence[float], b: Sequence[float]) -> float:
    dx = (a[0] - b[0] + 180.0) % 360.0 - 180.0
    return math.hypot(dx * math.cos(math.radians(0.5 * (a[1] + b[1]))), a[1] - b[1])


def _offset_piece(xy: np.ndarray, lane_pt: float, sx: float, sy: float) -> np.ndarray:
    """A polyline moved ``lane_pt`` points to its left (scales: degrees per point)."""
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) > 1e-9, axis=1)
    xy = xy[keep]
    if len(xy) < 2 or abs(lane_pt) < 1e-9:
        return xy
    line = shapely.LineString(np.column_stack([xy[:, 0] / sx, xy[:, 1] / sy]))
    moved = line.offset_curve(lane_pt, join_style="round", quad_segs=4)
    parts = [np.asarray(g.coords) for g in getattr(moved, "geoms", [moved])
             if not g.is_empty and len(g.coords) >= 2]
    if not parts:
        return xy
    q = max(parts, key=len)
    start = np.array([xy[0, 0] / sx, xy[0, 1] / sy])
    if np.hypot(*(q[-1] - start)) < np.hypot(*(q[0] - start)):
        q = q[::-1]  # keep the direction of travel
    return np.column_stack([q[:, 0] * sx, q[:, 1] * sy])


def _draw_lane(ax: Axes, pieces: Sequence[np.ndarray], lane_pt: float, colour: str,
               zorder: float) -> None:
    """Draw a path offset sideways by ``lane_pt`` points (left of the direction of travel).

    Each link is offset on its own (GEOS drops the parts of an offset curve that fall in
    the buffer of other parts of the same line, which a hairpin, out and back, would hit);
    the offset links are then joined end to end into one continuous line.
    """
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    fig = _figure(ax)
    pos = ax.get_position()
    w_pt = pos.width * fig.get_size_inches()[0] * 72.0
    h_pt = pos.height * fig.get_size_inches()[1] * 72.0
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    sx, sy = (x_hi - x_lo) / w_pt, (y_hi - y_lo) / h_pt  # degrees per point
    moved = [_offset_piece(piece, lane_pt, sx, sy) for piece in pieces]
    moved = [m for m in moved if len(m) >= 1]
    if not moved:
        return
    line = np.vstack(moved)
    if len(line) < 2:
        return
    segs = frame_copies(line, frame)
    ax.add_collection(LineCollection(segs, colors=colour, linewidths=LANE_WIDTH,
                                     capstyle="round", joinstyle="round", zorder=zorder),
                      autolim=False)
