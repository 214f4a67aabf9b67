"""The map frame and base layers: country outlines, graticule, scale bar, labels, credits.

Maps are drawn in plate carrée (longitude, latitude in degrees) on a *frame*: a longitude
window ``[lon0, lon0 + 360)`` centred on the map, so that a world map centred on the
Pacific (``lon0 = -30``) draws trans-Pacific routes as one continuous line. Every
geometry is unwrapped (no jump of more than 180 degrees between consecutive points) and
drawn at the copies (shifted by multiples of 360 degrees) that fall in view, which also
joins routes stored as MultiLineStrings split at +-180 degrees.

Country outlines come from the Natural Earth 1:50m countries shipped with cablesim
(``cablesim/data/naturalearth``, public domain; see its SOURCE.md). Nothing is downloaded.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

from cablesim._errors import Problem, ScenarioError, did_you_mean

__all__ = [
    "EXTENTS",
    "MapFrame",
    "resolve_extent",
    "fit_extent",
    "country_outlines",
    "draw_basemap",
    "geometry_parts",
    "unwrapped_parts",
    "frame_copies",
    "map_pixel",
    "OUTLINE_CREDIT",
]

EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "world": (-30.0, -58.0, 330.0, 80.0),
    "asia_pacific": (60.0, -40.0, 250.0, 62.0),
    "asia_europe": (-12.0, -14.0, 150.0, 62.0),
}
"""Named map extents ``(lon_min, lat_min, lon_max, lat_max)``; ``lon_max`` may exceed 180
(the world view runs from 30 W to 330 E, i.e. it is centred on the Pacific at 150 E)."""

OUTLINE_CREDIT = "Country outlines: Natural Earth 1:50m (public domain)"

OCEAN = "#dfeaf3"
LAND = "#f2efe9"
BORDER = "#bdb7ab"
COAST = "#a9a397"
GRID = "#9fb4c7"


@dataclass(frozen=True)
class MapFrame:
    """The visible window of a map in frame coordinates.

    Attributes
    ----------
    lon_min, lat_min, lon_max, lat_max : float
        The requested extent; ``lon_min < lon_max`` and both lie in
        ``[lon0, lon0 + 360]``.
    """

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    @property
    def centre_lon(self) -> float:
        return 0.5 * (self.lon_min + self.lon_max)

    @property
    def lon0(self) -> float:
        """West edge of the 360-degree window the frame lives in."""
        return self.centre_lon - 180.0

    @property
    def width(self) -> float:
        return self.lon_max - self.lon_min

    @property
    def is_world(self) -> bool:
        return self.width >= 300.0

    def default_box(self, max_width: float = 12.0, height: float = 6.6) -> tuple[float, float]:
        """A map box (inches) with the frame's shape, at most ``max_width`` wide."""
        ratio = self.width / ((self.lat_max - self.lat_min) * self.aspect)
        w = height * ratio
        if w > max_width:
            w, height = max_width, max_width / ratio
        return max(w, 5.5), height

    @property
    def aspect(self) -> float:
        """Data aspect: plate carrée for world views, else equirectangular at mid latitude."""
        if self.is_world:
            return 1.0
        mid = 0.5 * (self.lat_min + self.lat_max)
        return 1.0 / max(math.cos(math.radians(mid)), 0.2)

    def x(self, lon: float | np.ndarray) -> float | np.ndarray:
        """Frame x of a longitude (wrapped into ``[lon0, lon0 + 360)``)."""
        return np.mod(np.asarray(lon, dtype=float) - self.lon0, 360.0) + self.lon0

    def contains(self, lon: float, lat: float, margin: float = 0.0) -> bool:
        x = float(self.x(lon))
        return (self.lon_min - margin <= x <= self.lon_max + margin
                and self.lat_min - margin <= lat <= self.lat_max + margin)


def resolve_extent(extent: str | Sequence[float | str] | MapFrame) -> MapFrame:
    """Turn a preset name or a bounding box into a :class:`MapFrame`.

    A box is ``(lon_min, lat_min, lon_max, lat_max)`` in degrees (or the same four numbers
    as one comma-separated string, as typed on a command line); ``lon_max < lon_min``
    means the box crosses the antimeridian (e.g. ``(100, -50, -100, 60)``).

    Raises
    ------
    ScenarioError
        Unknown preset names (with a did-you-mean hint) and malformed boxes.
    """
    if isinstance(extent, MapFrame):
        return extent
    if isinstance(extent, str) and "," in extent:  # "lon_min,lat_min,lon_max,lat_max"
        extent = [v.strip() for v in extent.split(",")]
    if isinstance(extent, str):
        if extent not in EXTENTS:
            raise ScenarioError("unknown map extent", [Problem(
                "extent", None, None, f"no extent preset named {extent!r} (presets: "
                + ", ".join(sorted(EXTENTS)) + ", or a box lon_min,lat_min,lon_max,lat_max)",
                did_you_mean(extent, EXTENTS))])
        extent = EXTENTS[extent]
    try:
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ScenarioError("bad map extent", [Problem(
            "extent", None, None,
            f"expected 4 numbers lon_min, lat_min, lon_max, lat_max, got {extent!r}")]) from None
    problems = []
    if not all(math.isfinite(v) for v in (lon_min, lat_min, lon_max, lat_max)):
        problems.append("must be finite")
    if not (-90.0 <= lat_min < lat_max <= 90.0):
        problems.append(f"needs -90 <= lat_min < lat_max <= 90, got {lat_min:g}, {lat_max:g}")
    if problems:
        raise ScenarioError("bad map extent", [Problem("extent", None, None, p)
                                               for p in problems])
    if lon_max <= lon_min:
        lon_max += 360.0
    if lon_max - lon_min > 360.0:
        lon_max = lon_min + 360.0
    return MapFrame(lon_min, lat_min, lon_max, lat_max)


def fit_extent(lons: Iterable[float], lats: Iterable[float], margin: float = 0.12,
               min_size: float = 8.0) -> MapFrame:
    """The smallest frame containing the points, with a relative margin.

    Longitudes are treated as circular: the box leaves out the widest empty arc of
    longitude, so points on both sides of the Pacific give a Pacific-centred box.
    """
    lon = np.mod(np.asarray(list(lons), dtype=float) + 180.0, 360.0) - 180.0
    lat = np.asarray(list(lats), dtype=float)
    if lon.size == 0:
        return resolve_extent("world")
    s = np.sort(np.unique(lon))
    gaps = np.diff(np.concatenate([s, [s[0] + 360.0]]))
    k = int(np.argmax(gaps))
    west = s[(k + 1) % len(s)]
    east = s[k] if k + 1 < len(s) else s[k]
    span = (east - west) % 360.0
    lon_min, lon_max = west, west + span
    lat_min, lat_max = float(lat.min()), float(lat.max())
    w = max(lon_max - lon_min, min_size)
    h = max(lat_max - lat_min, min_size * 0.6)
    cx, cy = 0.5 * (lon_min + lon_max), 0.5 * (lat_min + lat_max)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    if w >= 300.0:
        return resolve_extent("world")
    lat_lo, lat_hi = max(cy - h / 2, -85.0), min(cy + h / 2, 85.0)
    return MapFrame(cx - w / 2, lat_lo, cx + w / 2, lat_hi)


# ---------------------------------------------------------------------------- outlines
@functools.lru_cache(maxsize=1)
def country_outlines() -> Any:
    """The shipped Natural Earth 1:50m countries as a GeoDataFrame (EPSG:4326).

    Columns ``id`` (ISO 3166-1 numeric), ``name`` and a valid polygonal ``geometry``.
    Read offline with pyogrio's bundled GDAL TopoJSON driver; cached after the first call.

    The source rings cross the antimeridian where the countries do (Russia, Fiji) and
    Antarctica encircles the pole; here every ring is unwrapped (no step over 180 degrees,
    so longitudes may exceed 180) and rings around a pole are closed along it, which makes
    each polygon a plain planar polygon that the maps draw at 360-degree copies.
    """
    import geopandas as gpd

    ref = resources.files("cablesim.data") / "naturalearth" / "countries-50m.topo.json"
    with resources.as_file(ref) as path:
        table = gpd.read_file(path, layer="countries")
    geoms = table.geometry.values.copy()
    west, _, east, _ = shapely.bounds(np.asarray(geoms)).T
    for i in np.flatnonzero(east - west > 180.0):  # rings across the antimeridian or a pole
        geoms[i] = _unwrap_polygonal(geoms[i])
    for i in np.flatnonzero(~shapely.is_valid(np.asarray(geoms))):
        geoms[i] = _polygonal(shapely.make_valid(geoms[i]))
    table = table.set_geometry(geoms, crs="EPSG:4326")
    return table[~table.geometry.is_empty].reset_index(drop=True)


def _unwrap_ring(coords: np.ndarray, near: float | None = None) -> np.ndarray:
    xy = np.asarray(coords, dtype=float)[:, :2].copy()
    step = (np.diff(xy[:, 0]) + 180.0) % 360.0 - 180.0
    xy[1:, 0] = xy[0, 0] + np.cumsum(step)
    if abs(xy[-1, 0] - xy[0, 0]) > 180.0:
        pole = -90.0 if xy[:, 1].mean() < 0 else 90.0
        xy = np.vstack([xy, [[xy[-1, 0], pole], [xy[0, 0], pole]], xy[:1]])
    if near is not None:
        xy[:, 0] += 360.0 * round((near - xy[:, 0].mean()) / 360.0)
    return xy


def _unwrap_polygonal(geom: BaseGeometry) -> BaseGeometry:
    polys = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        shell = _unwrap_ring(np.asarray(poly.exterior.coords))
        shell[:, 0] -= 360.0 * math.floor((shell[:, 0].min() + 180.0) / 360.0)
        centre = float(shell[:, 0].mean())
        holes = [_unwrap_ring(np.asarray(r.coords), centre) for r in poly.interiors]
        polys.append(shapely.Polygon(shell, [h for h in holes if len(h) >= 4]))
    return shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@functools.lru_cache(maxsize=1)
def _outline_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Country geometries and their bounds as arrays (cached)."""
    geoms = np.asarray(country_outlines().geometry.values, dtype=object)
    return geoms, shapely.bounds(geoms)


def _clip(geoms: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    try:
        return shapely.clip_by_rect(geoms, x0, y0, x1, y1)
    except shapely.errors.GEOSException:  # a degenerate sliver: clip one by one
        window = shapely.box(x0, y0, x1, y1)
        out = []
        for g in geoms:
            try:
                out.append(shapely.clip_by_rect(g, x0, y0, x1, y1))
            except shapely.errors.GEOSException:
                out.append(shapely.make_valid(g).intersection(window))
        return np.asarray(out, dtype=object)


@functools.lru_cache(maxsize=16)
def _land_path(lon0: float, x_lo: float, x_hi: float, lat_lo: float, lat_hi: float) -> MplPath:
    """One compound path of every country polygon that shows in the window (cached)."""
    geoms, bounds = _outline_arrays()
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for k in (-1, 0, 1):
        shift = 360.0 * k
        x0, x1 = x_lo - shift, x_hi - shift
        hit = ((bounds[:, 2] >= x0) & (bounds[:, 0] <= x1)
               & (bounds[:, 3] >= lat_lo) & (bounds[:, 1] <= lat_hi))
        if not hit.any():
            continue
        parts = shapely.get_parts(_clip(geoms[hit], x0, lat_lo, x1, lat_hi))
        polys = parts[shapely.get_type_id(parts) == 3]
        polys = polys[~shapely.is_empty(polys)]
        if not len(polys):
            continue
        rings = shapely.get_rings(polys)
        xy, index = shapely.get_coordinates(rings, return_index=True)
        counts = np.bincount(index, minlength=len(rings))
        keep = np.repeat(counts >= 3, counts)
        xy, index = xy[keep], index[keep]
        if not len(xy):
            continue
        code = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
        first = np.ones(len(xy), dtype=bool)
        first[1:] = index[1:] != index[:-1]
        last = np.ones(len(xy), dtype=bool)
        last[:-1] = index[1:] != index[:-1]
        code[first] = MplPath.MOVETO
        code[last] = MplPath.CLOSEPOLY
        verts.append(xy + [shift, 0.0])
        codes.append(code)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.vstack(verts), np.concatenate(codes))


# ---------------------------------------------------------------------------- geometry
def unwrapped_parts(geom: BaseGeometry | None) -> list[np.ndarray]:
    """(n, 2) coordinate arrays of a (Multi)LineString with longitudes unwrapped.

    No step exceeds 180 degrees of longitude (so x may leave [-180, 180]), and parts that
    meet at the antimeridian (a route stored split at +-180) are joined into one.
    """
    if geom is None or geom.is_empty:
        return []
    raw = [np.asarray(g.coords, dtype=float)[:, :2] for g in getattr(geom, "geoms", [geom])
           if not g.is_empty]
    merged: list[np.ndarray] = []
    for part in raw:
        if len(part) < 2:
            continue
        xy = part.copy()
        xy[:, 0] = np.concatenate([[xy[0, 0]], xy[0, 0] + np.cumsum(
            (np.diff(xy[:, 0]) + 180.0) % 360.0 - 180.0)])
        if merged:
            prev = merged[-1]
            dx = ((xy[0, 0] - prev[-1, 0]) + 180.0) % 360.0 - 180.0
            if abs(dx) < 1e-6 and abs(xy[0, 1] - prev[-1, 1]) < 1e-6:
                xy[:, 0] += (prev[-1, 0] - xy[0, 0])
                merged[-1] = np.vstack([prev, xy[1:]])
                continue
        merged.append(xy)
    return merged


def frame_copies(xy: np.ndarray, frame: MapFrame, margin: float = 30.0) -> list[np.ndarray]:
    """An unwrapped line placed in the frame, at every 360-degree copy that shows in it."""
    base = float(frame.x(xy[0, 0])) - xy[0, 0]
    xy = xy + [base, 0.0]
    lo, hi = frame.lon_min - margin, frame.lon_max + margin
    x_min, x_max = xy[:, 0].min(), xy[:, 0].max()
    return [xy + [360.0 * k, 0.0] for k in (-1, 0, 1)
            if x_max + 360.0 * k >= lo and x_min + 360.0 * k <= hi]


def geometry_parts(geom: BaseGeometry | None, frame: MapFrame) -> list[np.ndarray]:
    """(n, 2) coordinate arrays of a (Multi)LineString, unwrapped and placed in the frame.

    Each part is unwrapped so that no step exceeds 180 degrees of longitude, joined with
    the next part when they meet at the antimeridian, and returned at every 360-degree
    copy that overlaps the frame (so lines crossing the frame's seam show on both sides).
    """
    return [c for xy in unwrapped_parts(geom) for c in frame_copies(xy, frame)]


# ---------------------------------------------------------------------------- drawing
def _lon_label(x: float, _pos: Any = None) -> str:
    lon = (x + 180.0) % 360.0 - 180.0
    lon = round(lon, 6)
    if abs(lon) < 1e-9 or abs(abs(lon) - 180.0) < 1e-9:
        return f"{abs(lon):g}°"
    return f"{abs(lon):g}°{'E' if lon > 0 else 'W'}"


def _lat_label(y: float, _pos: Any = None) -> str:
    if abs(y) < 1e-9:
        return "0°"
    return f"{abs(y):g}°{'N' if y > 0 else 'S'}"


def _grid_step(span: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 30, 45, 60):
        if span / step <= 8:
            return float(step)
    return 60.0


def _figure(ax: Axes) -> Figure:
    """The figure of a map's axes: maps are drawn on top-level figures, not subfigures."""
    fig = ax.figure
    if not isinstance(fig, Figure):
        raise TypeError(f"map axes must belong to a Figure, not a {type(fig).__name__}")
    return fig


def _fit_limits(ax: Axes, frame: MapFrame) -> tuple[float, float, float, float]:
    """Limits showing all of ``frame`` at its aspect, grown to fill the axes box.

    Latitude never grows past the poles: when the box is too tall for the frame even then,
    the axes box is made shorter (centred) instead.
    """
    pos = ax.get_position()
    fig_w, fig_h = _figure(ax).get_size_inches()
    box_w, box_h = pos.width * fig_w, pos.height * fig_h
    w, h = frame.width, frame.lat_max - frame.lat_min
    cx, cy = frame.centre_lon, 0.5 * (frame.lat_min + frame.lat_max)
    if h * frame.aspect / w < box_h / box_w:
        h = w * box_h / (box_w * frame.aspect)
    else:
        w = h * frame.aspect * box_w / box_h
    y_lo, y_hi = cy - h / 2, cy + h / 2
    if y_hi > 90.0:
        y_lo, y_hi = y_lo - (y_hi - 90.0), 90.0
    if y_lo < -90.0:
        y_lo, y_hi = -90.0, min(y_hi + (-90.0 - y_lo), 90.0)
    if y_hi - y_lo < h - 1e-9:
        new_h = box_w * (y_hi - y_lo) * frame.aspect / w / fig_h
        ax.set_position((pos.x0, pos.y0 + (pos.height - new_h) / 2, pos.width, new_h))
    return cx - w / 2, cx + w / 2, y_lo, y_hi


def draw_basemap(ax: Axes, frame: MapFrame, graticule: bool = True,
                 fontsize: float = 7.0) -> None:
    """Set up ``ax`` as a map of ``frame``: limits, aspect, ocean, land, graticule.

    The frame is stored as ``ax.cablesim_frame`` for :func:`map_pixel` and later layers.
    """
    ax.cablesim_frame = frame  # type: ignore[attr-defined]
    ax.set_facecolor(OCEAN)
    x_lo, x_hi, y_lo, y_hi = _fit_limits(ax, frame)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("auto")
    pad = 2.0
    path = _land_path(round(frame.lon0, 6), round(x_lo - pad, 2), round(x_hi + pad, 2),
                      round(max(y_lo - pad, -90.0), 2), round(min(y_hi + pad, 90.0), 2))
    land = PathPatch(path, facecolor=LAND, edgecolor=BORDER, linewidth=0.35, zorder=0.5)
    ax.add_artist(land)  # not add_patch: no need to walk 70k vertices for data limits
    ax.tick_params(labelsize=fontsize - 0.5, length=2, pad=1.5, colors="#555555")
    for side in ax.spines.values():
        side.set_edgecolor("#777777")
        side.set_linewidth(0.6)
    if graticule:
        step = 30.0 if frame.is_world else _grid_step(max(x_hi - x_lo, (y_hi - y_lo) * 1.3))
        xs = np.arange(math.ceil(x_lo / step) * step, x_hi + 1e-9, step)
        ys = np.arange(math.ceil(y_lo / step) * step, y_hi + 1e-9, step)
        ax.xaxis.set_major_locator(FixedLocator(xs.tolist()))
        ax.yaxis.set_major_locator(FixedLocator(ys.tolist()))
        ax.xaxis.set_major_formatter(FuncFormatter(_lon_label))
        ax.yaxis.set_major_formatter(FuncFormatter(_lat_label))
        ax.grid(True, color=GRID, linewidth=0.4, alpha=0.6, linestyle="-", zorder=0.6)
        ax.set_axisbelow(False)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)


def draw_scale_bar(ax: Axes, fontsize: float = 6.5) -> None:
    """A scale bar in the lower right corner (regional maps only)."""
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    if frame.is_world:
        return
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    lat = float(math.floor(0.5 * (frame.lat_min + frame.lat_max) + 0.5))
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    target = 0.18 * (x_hi - x_lo) * km_per_deg
    nice = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000]
    km = max([n for n in nice if n <= target] or [nice[0]])
    length = km / km_per_deg
    x1 = x_hi - 0.03 * (x_hi - x_lo)
    x0 = x1 - length
    y = y_lo + 0.045 * (y_hi - y_lo)
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    ax.plot([x0, x1], [y, y], color="#333333", linewidth=2.0, solid_capstyle="butt",
            zorder=6, path_effects=halo)
    for x in (x0, x1):
        ax.plot([x, x], [y - 0.006 * (y_hi - y_lo), y + 0.006 * (y_hi - y_lo)],
                color="#333333", linewidth=1.0, zorder=6)
    ax.text(0.5 * (x0 + x1), y + 0.012 * (y_hi - y_lo),
            f"{km:,} km (at {_lat_label(round(lat))})", ha="center", va="bottom",
            fontsize=fontsize, color="#333333", zorder=6, path_effects=halo)


def map_pixel(ax: Axes, lon: float, lat: float) -> tuple[float, float]:
    """Pixel (column, row from the top) of a lon/lat point in the saved image of the map.

    Valid for images saved at the figure's dpi without cropping (as :func:`save_figure`
    does); the maps fix their axes limits and positions when drawn, so no rendering is
    needed here.
    """
    fig = _figure(ax)
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    x = float(frame.x(lon))
    col, row = ax.transData.transform((x, lat))
    height = fig.get_size_inches()[1] * fig.dpi
    return float(col), float(height - row)


def node_markers(ax: Axes, lon: np.ndarray, lat: np.ndarray, **kwargs: Any) -> PathCollection:
    """Scatter points at lon/lat on the map's frame."""
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    return ax.scatter(frame.x(lon), lat, **kwargs)


def place_labels(ax: Axes, items: Sequence[tuple[float, float, str, bool]],
                 fontsize: float = 6.5, avoid: Sequence[Any] = ()) -> list[int]:
    """Label points without overlaps: try offsets around each point, skip if none is free.

    ``items`` are ``(lon, lat, text, important)``; important labels (bold) are placed first.
    Labels outside the visible map are skipped. ``avoid`` are artists (e.g. a legend)
    whose boxes labels must not cover. Returns the indices of the items labelled.
    """
    fig = _figure(ax)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvases have it
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    axes_box = ax.get_window_extent(renderer)
    taken = [a.get_window_extent(renderer) for a in avoid]
    placed: list[int] = []
    px_per_pt = fig.dpi / 72.0
    offsets = [(4, 3, "left", "bottom"), (4, -3, "left", "top"), (-4, 3, "right", "bottom"),
               (-4, -3, "right", "top"), (5, 0, "left", "center"), (-5, 0, "right", "center"),
               (0, 6, "center", "bottom"), (0, -6, "center", "top")]
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.9)]
    order = sorted(range(len(items)), key=lambda i: (not items[i][3], i))
    points = [ax.transData.transform((float(frame.x(lon)), lat)) for lon, lat, _, _ in items]
    probe = ax.text(0, 0, "", fontsize=fontsize)
    for i in order:
        lon, lat, text, important = items[i]
        x = float(frame.x(lon))
        if not (x_lo <= x <= x_hi and y_lo <= lat <= y_hi):
            continue
        probe.set_text(text)
        probe.set_fontweight("bold" if important else "normal")
        size = probe.get_window_extent(renderer)
        w, h = size.width * 1.04 + 2, size.height * 1.1
        px, py = points[i]
        for dx, dy, ha, va in offsets:
            ax0 = px + dx * px_per_pt - {"left": 0.0, "center": w / 2, "right": w}[ha]
            ay0 = py + dy * px_per_pt - {"bottom": 0.0, "center": h / 2, "top": h}[va]
            box = Bbox.from_bounds(ax0, ay0, w, h)
            inside = (box.x0 >= axes_box.x0 and box.x1 <= axes_box.x1
                      and box.y0 >= axes_box.y0 and box.y1 <= axes_box.y1)
            if not inside or any(box.overlaps(t) for t in taken):
                continue
            if any(box.contains(qx, qy) for j, (qx, qy) in enumerate(points) if j != i):
                continue
            ax.annotate(text, (x, lat), xytext=(dx, dy), textcoords="offset points", ha=ha,
                        va=va, fontsize=fontsize, fontweight="bold" if important else "normal",
                        color="#1a1a1a", zorder=8, path_effects=halo, annotation_clip=True)
            taken.append(box)
            placed.append(i)
            break
    probe.remove()
    return placed
