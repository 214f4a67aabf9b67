"""Route maps of a topology, of a scenario result and of two scenarios (path maps:
:mod:`cablesim.plot.pathmaps`).

Conventions, the same on every map:

- submarine cables are drawn along their real route (TeleGeography geometry where the
  topology has it, else a great circle); terrestrial and metro (land) routes carry a thin
  white centre line; satellite hops are dotted;
- proposed links are dashed (on topology maps planned links are dash-dotted);
- on scenario maps the line width is proportional to the traffic carried (the busier
  direction, Gbps; a minimum width keeps light links visible) and the colour is the
  utilisation (busier direction / capacity) with a colour bar; links in service without
  traffic are thin grey, links out of service faint;
- hubs (black squares) and capitals (ringed dots) are labelled; labels that would overlap
  or fall outside the map are left out;
- the title names what is drawn; the footer credits the data (TeleGeography's route data
  where it is drawn; Natural Earth outlines).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim._version import __version__
from cablesim.network import Network
from cablesim.plot._figure import BASE_FONT, new_figure
from cablesim.plot.basemap import (
    OUTLINE_CREDIT,
    MapFrame,
    _figure,
    draw_basemap,
    draw_scale_bar,
    fit_extent,
    geometry_parts,
    node_markers,
    place_labels,
    resolve_extent,
)

__all__ = [
    "plot_network",
    "plot_scenario",
    "plot_comparison",
    "plot_difference",
    "UTILISATION_CMAP",
]

# ---------------------------------------------------------------------------- style
KIND_COLOURS = {
    "submarine": "#1f5fa6",
    "terrestrial": "#b0520f",
    "metro": "#b0520f",
    "transit": "#6b6b6b",
    "satellite": "#7b3fa0",
}
IDLE = "#8d949b"
OFF = "#c3c8cd"
GAIN = "#1f6fb4"
LOSS = "#e0620d"

UTILISATION_CMAP = LinearSegmentedColormap.from_list(
    "cablesim_utilisation",
    [(0.0, "#2c4f9e"), (0.25, "#2f8fb8"), (0.5, "#3aa86b"), (0.7, "#d9a514"),
     (0.85, "#e8631c"), (1.0, "#c4122f")]).with_extremes(over="#5b0a3c")
"""Utilisation 0-100 % (blue, teal, green, amber, orange, red); above 100 % dark purple."""

MIN_WIDTH = 0.7
"""Line width (points) of the lightest carried traffic."""
MIN_PIXELS = 1.0
"""No line is drawn thinner than this many pixels (small, low-resolution images)."""


def _land_kind(kind: Any) -> bool:
    return kind in ("terrestrial", "metro")


def _is_land(kinds: np.ndarray) -> np.ndarray:
    return np.isin(kinds, ["terrestrial", "metro"])


# ---------------------------------------------------------------------------- layout
SIDE = 2.55
"""Width (inches) of the side panel holding the colour bar and the legend."""


@dataclass
class _Page:
    fig: Figure
    axes: list[Axes]
    side: tuple[float, float, float, float] | None  # x0, y0, x1, y1 in figure fraction
    own: bool  # whether the figure was made here (else drawing into the caller's axes)


def _wrap(text: str, width_in: float, fontsize: float) -> list[str]:
    if not text:
        return []
    chars = max(20, int(width_in * 72.0 / (0.56 * fontsize)))
    return textwrap.wrap(text, chars)


def _page(frames: Sequence[MapFrame], figsize: tuple[float, float] | None, dpi: float | None,
          side: bool, title: str | None, subtitle: str = "", credit: str = "",
          panel_titles: bool = False, ax: Axes | None = None,
          max_width: float | None = None) -> _Page:
    """A figure with maps side by side, a title block, a side panel and a credit line.

    Margins are fixed in inches; without ``figsize`` the figure takes the shape of the
    frames (maps at most 6.6 in tall; 12.5 in wide in all for one map, 16 in for more).
    The pixel size is ``figsize x dpi`` rounded to whole pixels.
    """
    if ax is not None:
        return _Page(_figure(ax), [ax], None, False)
    dpi = float(dpi or 100.0)
    n = len(frames)
    ratios = [f.width / ((f.lat_max - f.lat_min) * f.aspect) for f in frames]
    left, gap = 0.5, 0.45
    right = 0.15 + (SIDE if side else 0.0)
    if figsize is None:
        limit = max_width or (12.5 if n == 1 else 16.0)
        map_h = float(np.clip((limit - left - right - gap * (n - 1)) / sum(ratios), 3.0, 6.6))
        width = max(map_h * sum(ratios) + gap * (n - 1) + left + right, 7.0)
    else:
        width = float(figsize[0])
    sub = _wrap(subtitle, width - left - 0.2, 8.0)
    cred = _wrap(credit, width - 0.4, 5.8)
    top = 0.14 + (0.32 if title else 0.0) + 0.165 * len(sub) + (0.3 if panel_titles else 0.1)
    bottom = 0.36 + 0.105 * len(cred) + 0.05
    height = map_h + top + bottom if figsize is None else float(figsize[1])
    width, height = round(width * dpi) / dpi, round(height * dpi) / dpi
    fig = new_figure((width, height), dpi)
    fig.set_facecolor("white")
    avail = width - left - right - gap * (n - 1)
    widths = [avail * r / sum(ratios) for r in ratios]
    axes = []
    x = left
    for w in widths:
        axes.append(fig.add_axes((x / width, bottom / height, w / width,
                                  (height - top - bottom) / height)))
        x += w + gap
    if title:
        fig.text(left / width, 1 - 0.12 / height, title, ha="left", va="top", fontsize=12,
                 fontweight="bold", color="#1a1a1a")
    if sub:
        fig.text(left / width, 1 - (0.14 + 0.32) / height, "\n".join(sub), ha="left",
                 va="top", fontsize=8.0, color="#444444", linespacing=1.35)
    if cred:
        fig.text(1 - 0.15 / width, 0.05 / height, "\n".join(cred), ha="right", va="bottom",
                 fontsize=5.8, color="#666666", linespacing=1.3)
    panel = None
    if side:
        panel = ((width - right + 0.3) / width, bottom / height, 1 - 0.15 / width,
                 1 - top / height)
    return _Page(fig, axes, panel, True)


def _stacked_page(wide: MapFrame, near: MapFrame, figsize: tuple[float, float] | None,
                  dpi: float | None, title: str, subtitle: str, credit: str) -> _Page:
    """A wide map on top, a zoomed map below it on the left and the side panel (legend)
    beside the zoomed map."""
    dpi = float(dpi or 100.0)
    left, right, gap, head = 0.5, 0.15, 0.55, 0.3
    width = float(figsize[0]) if figsize else 12.5
    sub = _wrap(subtitle, width - left - 0.2, 8.0)
    cred = _wrap(credit, width - 0.4, 5.8)
    top = 0.14 + 0.32 + 0.165 * len(sub) + head
    bottom = 0.36 + 0.105 * len(cred) + 0.05
    r_wide = wide.width / ((wide.lat_max - wide.lat_min) * wide.aspect)
    r_near = near.width / ((near.lat_max - near.lat_min) * near.aspect)
    map_w = width - left - right
    if figsize is None:
        h1 = float(np.clip(map_w / r_wide, 3.0, 6.0))
        h2 = 4.3
        height = top + h1 + gap + head + h2 + bottom
    else:
        height = float(figsize[1])
        avail = height - top - bottom - gap - head
        h1 = avail * 0.55
        h2 = avail - h1
    w2 = float(np.clip(h2 * r_near, min(5.5, map_w - SIDE - 0.4), map_w - SIDE - 0.4))
    width, height = round(width * dpi) / dpi, round(height * dpi) / dpi
    fig = new_figure((width, height), dpi)
    fig.set_facecolor("white")
    y1 = height - top - h1
    ax1 = fig.add_axes((left / width, y1 / height, map_w / width, h1 / height))
    ax2 = fig.add_axes((left / width, bottom / height, w2 / width, h2 / height))
    fig.text(left / width, 1 - 0.12 / height, title, ha="left", va="top", fontsize=12,
             fontweight="bold", color="#1a1a1a")
    if sub:
        fig.text(left / width, 1 - 0.46 / height, "\n".join(sub), ha="left", va="top",
                 fontsize=8.0, color="#444444", linespacing=1.35)
    if cred:
        fig.text(1 - 0.15 / width, 0.05 / height, "\n".join(cred), ha="right", va="bottom",
                 fontsize=5.8, color="#666666", linespacing=1.3)
    x0 = (left + w2 + 0.5) / width
    panel = (x0, bottom / height, 1 - right / width, (bottom + h2) / height)
    return _Page(fig, [ax1, ax2], panel, True)


def _credit_text(links: pd.DataFrame | None, extra: str = "") -> str:
    """Data credits: TeleGeography where its route data is drawn, Natural Earth outlines."""
    parts = []
    if links is not None and len(links) and "route_citation" in links:
        cites = links["route_citation"].dropna().astype(str)
        if cites.str.contains("TeleGeography", case=False).any():
            parts.append("Submarine cable routes: TeleGeography Submarine Cable Map data "
                         "(© TeleGeography, CC BY-NC-SA 3.0), simplified")
        if "geometry_source" in links and (links["geometry_source"] == "great_circle").any():
            parts.append("links without a mapped route drawn as great circles")
    parts.append(OUTLINE_CREDIT)
    if extra:
        parts.append(extra)
    parts.append(f"drawn by cablesim {__version__}")
    return "; ".join(parts) + "."


def _side_legend(page: _Page, handles: list[Any], names: list[str], title: str | None = None,
                 norm: Normalize | None = None, over: bool = False,
                 fontsize: float = 7.0) -> Any:
    """Colour bar (optional) and legend in the side panel, or inside the caller's axes."""
    fig = page.fig
    if page.side is None:
        ax = page.axes[0]
        if norm is not None:
            cax = ax.inset_axes((0.62, 0.93, 0.34, 0.022))
            _colorbar(fig, cax, norm, over, horizontal=True, compact=True)
        leg = ax.legend(handles, names, loc="lower left", fontsize=fontsize - 0.5,
                        framealpha=0.92, edgecolor="#999999", handlelength=3.2,
                        title=title, title_fontsize=fontsize - 0.5)
        leg.set_zorder(10)
        return leg
    x0, y0, x1, y1 = page.side
    w_in, h_in = fig.get_size_inches()
    y_top = y1
    if norm is not None:
        cax = fig.add_axes((x0 + 0.05 / w_in, y1 - 0.62 / h_in, x1 - x0 - 0.35 / w_in,
                            0.14 / h_in))
        _colorbar(fig, cax, norm, over, horizontal=True)
        y_top = y1 - 1.0 / h_in
    leg = fig.legend(handles, names, loc="upper left", bbox_to_anchor=(x0, y_top),
                     fontsize=fontsize, frameon=False, handlelength=3.4, borderaxespad=0.0,
                     labelspacing=0.75, title=title, title_fontsize=fontsize,
                     alignment="left")
    leg.get_title().set_fontweight("bold")
    return leg


# ---------------------------------------------------------------------------- lines
def _dashes(style: str, width: float) -> Any:
    if style == "dashed":
        return (0, (max(3.8, 2.6 * width), max(2.4, 1.7 * width)))
    if style == "dashdot":
        return (0, (max(5.0, 3.0 * width), max(2.0, 1.2 * width), max(1.2, width),
                    max(2.0, 1.2 * width)))
    if style == "dotted":
        return (0, (max(1.0, width), max(1.6, 1.4 * width)))
    return "solid"


CASED_MIN_WIDTH = 1.7
"""Land routes are at least this wide so that their colour shows around the centre line."""


def _stripe(width: float) -> float:
    """Width of the white centre line that marks a land route."""
    return max(0.45, 0.26 * width)


def _add_lines(ax: Axes, table: pd.DataFrame, zorder: float) -> None:
    """Draw links: columns geometry, colour, width, style, cased, alpha (in draw order).

    Each style group becomes one LineCollection; "cased" lines (land routes) get a thin
    white centre line on top, dashed like the line itself.
    """
    frame: MapFrame = ax.cablesim_frame  # type: ignore[attr-defined]
    if table.empty:
        return
    thinnest = MIN_PIXELS * 72.0 / ax.figure.dpi  # points
    for (style, cased), group in table.groupby(["style", "cased"], sort=False):
        segs: list[np.ndarray] = []
        colours: list[Any] = []
        widths: list[float] = []
        dashes: list[Any] = []
        for row in group.itertuples(index=False):
            parts = geometry_parts(row.geometry, frame)
            rgba = matplotlib.colors.to_rgba(row.colour, row.alpha)
            width = max(float(row.width), thinnest)
            width = max(width, CASED_MIN_WIDTH) if cased else width
            for part in parts:
                segs.append(part)
                colours.append(rgba)
                widths.append(width)
                dashes.append(_dashes(style, width))
        if not segs:
            continue
        cap = "round" if style == "solid" else "butt"
        lines = LineCollection(segs, colors=colours, linewidths=widths, linestyles=dashes,
                               capstyle=cap, joinstyle="round", zorder=zorder)
        ax.add_collection(lines, autolim=False)
        if cased:
            stripe = LineCollection(segs, colors="white", linewidths=[_stripe(w) for w in widths],
                                    linestyles=dashes, capstyle="butt", joinstyle="round",
                                    zorder=zorder + 0.005, alpha=0.95)
            ax.add_collection(stripe, autolim=False)


def _handle(colour: str, width: float, style: str = "solid", cased: bool = False,
            alpha: float = 1.0) -> Line2D:
    if cased:
        width = max(width, CASED_MIN_WIDTH)
    line = Line2D([], [], color=colour, linewidth=width, alpha=alpha,
                  linestyle=_dashes(style, width),
                  solid_capstyle="butt", dash_capstyle="butt")
    if cased:
        line.set_path_effects([patheffects.Normal(),
                               patheffects.Stroke(linewidth=_stripe(width), foreground="white")])
    return line


def _marker_handle(kind: str) -> Line2D:
    if kind == "hub":
        return Line2D([], [], linestyle="none", marker="s", markersize=5,
                      markerfacecolor="#111111", markeredgecolor="white", markeredgewidth=0.6)
    if kind == "city":
        return Line2D([], [], linestyle="none", marker="o", markersize=2.2,
                      markerfacecolor="#555555", markeredgewidth=0)
    return Line2D([], [], linestyle="none", marker="o", markersize=5,
                  markerfacecolor="white", markeredgecolor="#111111", markeredgewidth=1.1)


# ---------------------------------------------------------------------------- nodes
def _draw_places(ax: Axes, nodes: pd.DataFrame, labels: bool, legend: Any = None,
                 only: Sequence[str] | None = None, fontsize: float = 6.5,
                 capitals: Collection[str] = ()) -> None:
    """Markers for hubs and capitals (and small dots for other cities), with labels."""
    capitals = set(capitals)
    is_hub = (nodes["kind"] == "hub").to_numpy()
    is_cap = nodes.index.isin(list(capitals))
    if only is not None:
        keep = nodes.index.isin(list(only))
        is_hub &= keep
        is_cap &= keep
    cities = (nodes["kind"] == "city").to_numpy() & ~is_cap & ~is_hub
    if only is None and cities.any():
        node_markers(ax, nodes.loc[cities, "lon"].to_numpy(), nodes.loc[cities, "lat"].to_numpy(),
                     s=3.5, c="#555555", linewidths=0, zorder=7)
    caps = is_cap & ~is_hub
    if caps.any():
        node_markers(ax, nodes.loc[caps, "lon"].to_numpy(), nodes.loc[caps, "lat"].to_numpy(),
                     s=20, c="white", edgecolors="#111111", linewidths=1.1, zorder=7.2)
    if is_hub.any():
        node_markers(ax, nodes.loc[is_hub, "lon"].to_numpy(), nodes.loc[is_hub, "lat"].to_numpy(),
                     s=22, c="#111111", marker="s", edgecolors="white", linewidths=0.6,
                     zorder=7.3)
    if labels:
        chosen = nodes[is_hub | is_cap]
        items = [(float(r.lon), float(r.lat), _short_name(str(r.name)), bool(k == "hub"))
                 for r, k in zip(chosen.itertuples(index=False), chosen["kind"], strict=True)]
        place_labels(ax, items, fontsize=fontsize, avoid=[legend] if legend is not None else ())


def _short_name(name: str) -> str:
    return {"Frankfurt am Main": "Frankfurt", "Bandar Seri Begawan": "Bandar Seri Begawan",
            "George Town (Penang)": "Penang"}.get(name, name)


# ---------------------------------------------------------------------------- inputs
def _scenario_names(result: Any) -> list[str]:
    return [str(s) for s in result.scenarios["scenario"].tolist()]


def _check_scenarios(result: Any, names: Sequence[str]) -> None:
    known = _scenario_names(result)
    problems = [Problem(str(result.experiment.path), None, "scenario",
                        f"no scenario named {n!r} (scenarios: {', '.join(known)})",
                        did_you_mean(n, known)) for n in names if n not in known]
    if problems:
        raise ScenarioError("unknown scenario", problems)


def _scenario_links(result: Any, scenario: str, network: Network) -> pd.DataFrame:
    """The result's link rows of one scenario joined with the topology's geometry."""
    rows = result.links[result.links["scenario"] == scenario].set_index("link")
    geo = network.links
    table = pd.DataFrame(geo[["from_node", "to_node", "kind", "status", "geometry_source",
                              "route_citation"]].copy())
    table["geometry"] = geo.geometry.values
    table["in_service"] = rows["in_service"].reindex(table.index).fillna(False).astype(bool)
    fwd = rows["load_forward_gbps"].reindex(table.index).fillna(0.0)
    rev = rows["load_reverse_gbps"].reindex(table.index).fillna(0.0)
    table["carried_gbps"] = np.maximum(fwd.to_numpy(float), rev.to_numpy(float))
    util = rows["utilization"].reindex(table.index).astype(float)
    table["utilization"] = util.replace([np.inf, -np.inf], np.nan).fillna(0.0)
    table["capacity_gbps"] = rows["capacity_gbps"].reindex(table.index)
    return table


def _nice(value: float) -> float:
    if value <= 0:
        return 0.0
    exp = math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10 ** exp >= value * 0.999:
            return m * 10 ** exp
    return 10 ** (exp + 1)


def _nice_below(value: float) -> float:
    if value <= 0:
        return 0.0
    exp = math.floor(math.log10(value))
    best = 10 ** exp
    for m in (1, 2, 2.5, 5):
        if m * 10 ** exp <= value * 1.0001:
            best = m * 10 ** exp
    return best


def _fmt_gbps(v: float) -> str:
    if v >= 1000:
        return f"{v / 1000:g} Tbps"
    return f"{v:g} Gbps"


@dataclass(frozen=True)
class _WidthScale:
    max_gbps: float
    max_width: float = 7.0

    def __call__(self, gbps: np.ndarray | float) -> np.ndarray:
        g = np.asarray(gbps, dtype=float)
        if self.max_gbps <= 0:
            return np.full(g.shape, MIN_WIDTH)
        return np.maximum(MIN_WIDTH, self.max_width * g / self.max_gbps)

    def samples(self) -> list[float]:
        top = _nice_below(self.max_gbps)
        values = [top, _nice_below(top / 2.5), _nice_below(top / 8)]
        return sorted({v for v in values if v > 0}, reverse=True)


def _fig_scale(ax: Axes) -> float:
    """Line widths scale with the map's size (a 9-inch-wide map is 1)."""
    bbox = ax.get_position()
    w_in = bbox.width * _figure(ax).get_size_inches()[0]
    return float(np.clip(w_in / 9.0, 0.45, 1.4))


# ---------------------------------------------------------------------------- topology map
def plot_network(network: Network, *, ax: Axes | None = None,
                 extent: str | Sequence[float] = "auto", capitals: Collection[str] = (),
                 title: str | None = None, labels: bool = True, legend: bool = True,
                 figsize: tuple[float, float] | None = None, dpi: float | None = None,
                 credits: bool = True) -> Figure:
    """A map of a topology: links styled by kind and status, hubs and capitals labelled.

    Parameters
    ----------
    network : Network
        From :func:`cablesim.load_topology`.
    ax : Axes, optional
        Draw into these axes (the legend goes inside them; no title or credits).
    extent : str or (lon_min, lat_min, lon_max, lat_max)
        ``"world"`` (centred on the Pacific), ``"asia_pacific"``,
        ``"asia_europe"``, ``"auto"`` (fit the nodes; the default) or a bounding box in
        degrees (``lon_max < lon_min`` crosses the antimeridian), such as a study's
        ``map_extent``. The map shows all of it.
    capitals : collection of str
        Node ids drawn and labelled as capitals (a study's ``capitals``).
    title : str, optional
        Default: the topology name.
    labels, legend, credits : bool
        Whether to label hubs and capitals, draw the legend and the data credits.
    figsize, dpi : optional
        Figure size in inches and resolution: the image is figsize x dpi pixels. Default:
        shaped like the extent, at most 6.6 in tall, at 100 dpi.

    Returns
    -------
    Figure
        Save it with :func:`cablesim.plot.save_figure`.
    """
    with matplotlib.rc_context(BASE_FONT):
        frame = (fit_extent(network.nodes["lon"], network.nodes["lat"], margin=0.04)
                 if isinstance(extent, str) and extent == "auto" else resolve_extent(extent))
        links = network.links
        counts = network.summary()
        subtitle = (f"{counts['links']} links ("
                    + ", ".join(f"{v} {k}" for k, v in counts["links_by_kind"].items())
                    + f"), {counts['nodes']} nodes; link status: "
                    + ", ".join(f"{v} {k}" for k, v in counts["links_by_status"].items()))
        default = f"Topology {network.name}" if network.name else "Topology"
        page = _page([frame], figsize, dpi, side=legend, ax=ax,
                     title=title or f"{default}: cable and land routes",
                     subtitle=subtitle, credit=_credit_text(links) if credits else "")
        axis = page.axes[0]
        draw_basemap(axis, frame)
        k = _fig_scale(axis)
        status = links["status"].to_numpy(dtype=object)
        kinds = links["kind"].to_numpy(dtype=object)
        style = np.where(status == "proposed", "dashed",
                         np.where(status == "planned", "dashdot",
                                  np.where(kinds == "satellite", "dotted", "solid")))
        width = np.where(kinds == "submarine", 1.0, np.where(_is_land(kinds), 2.0, 0.8)) * k
        table = pd.DataFrame({
            "geometry": links.geometry.values,
            "colour": [KIND_COLOURS.get(str(c), "#555555") for c in kinds],
            "width": width,
            "style": style,
            "cased": [_land_kind(c) for c in kinds],
            "alpha": 1.0,
            "order": np.where(status == "existing", 0, 1),
        }, index=links.index).sort_values("order", kind="stable")
        _add_lines(axis, table[~table["cased"]], zorder=3)
        _add_lines(axis, table[table["cased"]], zorder=3.5)
        if legend:
            handles = [_handle(KIND_COLOURS["submarine"], 1.6),
                       _handle(KIND_COLOURS["terrestrial"], 1.6, cased=True),
                       _handle("#555555", 1.4, "dashdot"), _handle("#555555", 1.4, "dashed")]
            names = ["submarine cable\n(real route where mapped)",
                     "land route (white centre line)", "planned (not in service yet)",
                     "proposed"]
            if (kinds == "satellite").any():
                handles.append(_handle(KIND_COLOURS["satellite"], 1.4, "dotted"))
                names.append("satellite hop")
            handles += [_marker_handle("hub"), _marker_handle("capital"),
                        _marker_handle("city")]
            names += ["exchange hub", "capital", "other city"]
            _side_legend(page, handles, names, title="Links and places")
        _draw_places(axis, network.nodes, labels,
                     axis.get_legend() if not page.own else None, capitals=capitals)
        draw_scale_bar(axis)
        return page.fig


def _study(result: Any) -> Any:
    """The study of a result (its experiment's), or None."""
    return getattr(getattr(result, "experiment", None), "study", None)


def _capitals(result: Any) -> tuple[str, ...]:
    study = _study(result)
    return tuple(study.capitals.values()) if study is not None else ()


def _default_extent(result: Any, extent: str | Sequence[float] | None
                    ) -> str | Sequence[float]:
    """``extent``, else the study's map extent, else ``"auto"``."""
    if extent is not None:
        return extent
    study = _study(result)
    return study.map_extent if study is not None else "auto"


def _intra(result: Any) -> tuple[str, str]:
    """(scenario column of the intra-focus RTT, how text names the focus group)."""
    study = _study(result)
    if study is None:
        return "intra_region_mean_rtt_ms", "region"
    return study.intra_rtt_column, study.focus_label


# ---------------------------------------------------------------------------- scenario maps
def _scenario_layer(ax: Axes, table: pd.DataFrame, scale: _WidthScale, norm: Normalize,
                    k: float) -> None:
    kinds = table["kind"].to_numpy(dtype=object)
    land = np.array([_land_kind(c) for c in kinds], dtype=bool)
    proposed = (table["status"] == "proposed").to_numpy()
    live = table["in_service"].to_numpy(dtype=bool)
    carried = table["carried_gbps"].to_numpy(float)
    busy = live & (carried > 1e-9)
    off = pd.DataFrame({
        "geometry": table.geometry.values[~live], "colour": OFF, "width": 0.5 * k,
        "style": np.where(proposed[~live], "dashed", "solid"), "cased": False,
        "alpha": 0.8})
    _add_lines(ax, off, zorder=2)
    idle = live & ~busy
    idle_t = pd.DataFrame({
        "geometry": table.geometry.values[idle], "colour": IDLE, "width": 0.6 * k,
        "style": np.where(proposed[idle], "dashed", "solid"), "cased": False, "alpha": 0.9})
    _add_lines(ax, idle_t, zorder=2.5)
    order = np.argsort(-carried[busy], kind="stable")
    idx = np.flatnonzero(busy)[order]
    colours = UTILISATION_CMAP(norm(table["utilization"].to_numpy(float)[idx]))
    busy_t = pd.DataFrame({
        "geometry": table.geometry.values[idx],
        "colour": [tuple(c) for c in colours],
        "width": scale(carried[idx]) * k,
        "style": np.where(proposed[idx], "dashed", "solid"),
        "cased": land[idx],
        "alpha": 1.0})
    _add_lines(ax, busy_t[~busy_t["cased"]], zorder=3)
    _add_lines(ax, busy_t[busy_t["cased"]], zorder=3.5)


def _scenario_handles(scale: _WidthScale, k: float, has_proposed: bool
                      ) -> tuple[list[Any], list[str]]:
    mid = matplotlib.colors.to_hex(UTILISATION_CMAP(0.3))
    handles: list[Any] = []
    names: list[str] = []
    for v in scale.samples():
        handles.append(_handle("#4d4d4d", float(scale(v)) * k))
        names.append(f"{_fmt_gbps(v)} carried")
    handles += [_handle(mid, 2.2 * k), _handle(mid, 2.2 * k, cased=True)]
    names += ["submarine cable", "land route (white centre line)"]
    if has_proposed:
        handles.append(_handle("#4d4d4d", 1.6, "dashed"))
        names.append("proposed link")
    handles += [_handle(IDLE, 0.9), _handle(OFF, 0.9)]
    names += ["in service, no traffic", "out of service"]
    handles += [_marker_handle("hub"), _marker_handle("capital"), _marker_handle("city")]
    names += ["exchange hub", "capital", "other city"]
    return handles, names


def _colorbar(fig: Figure, cax: Axes, norm: Normalize, over: bool,
              horizontal: bool = False, compact: bool = False) -> None:
    sm = ScalarMappable(norm=norm, cmap=UTILISATION_CMAP)
    bar = fig.colorbar(sm, cax=cax, extend="max" if over else "neither",
                       orientation="horizontal" if horizontal else "vertical",
                       extendfrac=0.06)
    label = "Utilisation (colour):\nbusier direction ÷ capacity"
    if over:
        label += "; ▶ over 100 %"
    if compact:
        label = "Utilisation" + (" (▶ over 100 %)" if over else "")
    bar.set_label(label, fontsize=7, labelpad=3)
    if horizontal:
        bar.ax.xaxis.set_label_position("top")
        bar.ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        bar.ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    else:
        bar.ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    bar.ax.tick_params(labelsize=6.5, length=2)
    bar.outline.set_linewidth(0.5)


def _scenario_row(result: Any, scenario: str) -> pd.Series:
    return result.scenarios.set_index("scenario").loc[scenario]


def _num(value: Any, fmt: str = ".0f", scale: float = 1.0) -> str:
    try:
        v = float(value) * scale
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if not math.isfinite(v) else format(v, fmt)


def _scenario_subtitle(result: Any, scenario: str) -> str:
    row = _scenario_row(result, scenario)
    column, group = _intra(result)
    return (f"Policy {row['policy']}, {row['mode']} routing, {int(row['year'])} demand: "
            f"served {_num(row['served_gbps'], ',.0f')} of {_num(row['offered_gbps'], ',.0f')}"
            f" Gbps; mean RTT {_num(row['mean_rtt_ms'])} ms (intra-{group} "
            f"{_num(row.get(column))} ms, "
            f"{_num(row['out_of_region_share'], '.0f', 100)} % of it leaving the region); "
            f"USD {_num(row['cost_usd_per_mbps'], '.2f')} per Mbps per month.")


def _draw_scenario(ax: Axes, table: pd.DataFrame, frame: MapFrame, scale: _WidthScale,
                   norm: Normalize, nodes: pd.DataFrame, labels: bool,
                   panel_title: str | None = None, capitals: Collection[str] = ()) -> None:
    draw_basemap(ax, frame)
    k = _fig_scale(ax)
    _scenario_layer(ax, table, scale, norm, k)
    _draw_places(ax, nodes, labels, capitals=capitals)
    draw_scale_bar(ax)
    if panel_title:
        ax.set_title(panel_title, fontsize=9.5, fontweight="bold", loc="left", pad=4)


def _frame_for(extent: str | Sequence[float], tables: Sequence[pd.DataFrame],
               nodes: pd.DataFrame) -> MapFrame:
    """The map frame: a preset or box, or ``"auto"``: fitted to the links carrying traffic."""
    if not (isinstance(extent, str) and extent == "auto"):
        return resolve_extent(extent)
    ends: set[str] = set()
    for t in tables:
        busy = t["in_service"] & (t["carried_gbps"] > 1e-9)
        ends |= set(t.loc[busy, "from_node"]) | set(t.loc[busy, "to_node"])
    chosen = nodes.loc[sorted(ends)] if ends else nodes
    return fit_extent(chosen["lon"], chosen["lat"], margin=0.04)


def _max_carried(*tables: pd.DataFrame) -> float:
    return max(float(t.loc[t["in_service"], "carried_gbps"].max() or 0.0) if
               t["in_service"].any() else 0.0 for t in tables)


def _any_over(*tables: pd.DataFrame) -> bool:
    return any(bool((t.loc[t["in_service"], "utilization"] > 1.0 + 1e-6).any()) for t in tables)


def plot_scenario(result: Any, scenario: str, *, network: Network, ax: Axes | None = None,
                  extent: str | Sequence[float] | None = None,
                  title: str | None = None, labels: bool = True, legend: bool = True,
                  figsize: tuple[float, float] | None = None, dpi: float | None = None,
                  max_gbps: float | None = None, credits: bool = True) -> Figure:
    """A map of one scenario: width proportional to carried Gbps, colour = utilisation.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`cablesim.run_experiment`.
    scenario : str
        A scenario name of the result.
    extent : str or box
        As for :func:`plot_network`; ``"auto"`` fits the links that carry traffic.
    network : Network
        The experiment's topology.
    max_gbps : float, optional
        Traffic drawn at the widest line (default: the scenario's busiest link), so that
        several maps can share one scale.
    ax, title, labels, legend, figsize, dpi, credits
        As for :func:`plot_network`.

    Raises
    ------
    ScenarioError
        When ``scenario`` is not in the result (with a did-you-mean hint).
    """
    _check_scenarios(result, [scenario])
    with matplotlib.rc_context(BASE_FONT):
        net = network
        table = _scenario_links(result, scenario, net)
        frame = _frame_for(_default_extent(result, extent), [table], net.nodes)
        scale = _WidthScale(max_gbps or _max_carried(table))
        norm = Normalize(0.0, 1.0)
        page = _page([frame], figsize, dpi, side=legend, ax=ax,
                     title=title or f"Scenario {scenario}: traffic carried and utilisation",
                     subtitle=_scenario_subtitle(result, scenario),
                     credit=_credit_text(table) if credits else "")
        axis = page.axes[0]
        _draw_scenario(axis, table, frame, scale, norm, net.nodes, labels,
                       capitals=_capitals(result))
        if legend:
            handles, names = _scenario_handles(scale, _fig_scale(axis),
                                               bool((table["status"] == "proposed").any()))
            _side_legend(page, handles, names, "Line width: traffic carried\n(busier direction)",
                         norm, _any_over(table))
        return page.fig


def plot_comparison(result: Any, a: str, b: str, *, network: Network,
                    extent: str | Sequence[float] | None = None, title: str | None = None,
                    labels: bool = True, figsize: tuple[float, float] | None = None,
                    dpi: float | None = None, credits: bool = True) -> Figure:
    """Two scenario maps side by side on one width scale and one colour bar.

    Raises
    ------
    ScenarioError
        When ``a`` or ``b`` is not a scenario of the result.
    """
    _check_scenarios(result, [a, b])
    with matplotlib.rc_context(BASE_FONT):
        net = network
        ta, tb = _scenario_links(result, a, net), _scenario_links(result, b, net)
        frame = _frame_for(_default_extent(result, extent), [ta, tb], net.nodes)
        scale = _WidthScale(_max_carried(ta, tb))
        norm = Normalize(0.0, 1.0)
        ra, rb = _scenario_row(result, a), _scenario_row(result, b)
        column, group = _intra(result)
        page = _page([frame, frame], figsize, dpi, side=True, panel_titles=True,
                     title=title or f"Scenarios side by side: {a} and {b}",
                     subtitle=(f"Intra-{group} round trip {_num(ra.get(column))} ms"
                               f" under {a}, {_num(rb.get(column))} ms under {b};"
                               f" cost USD {_num(ra['cost_usd_per_mbps'], '.2f')} and "
                               f"{_num(rb['cost_usd_per_mbps'], '.2f')} per Mbps per month. "
                               "Both maps use the same line-width and colour scales."),
                     credit=_credit_text(ta) if credits else "")
        for axis, t, name in ((page.axes[0], ta, a), (page.axes[1], tb, b)):
            row = _scenario_row(result, name)
            _draw_scenario(axis, t, frame, scale, norm, net.nodes, labels,
                           f"{name}  (policy {row['policy']})", capitals=_capitals(result))
        handles, names = _scenario_handles(scale, _fig_scale(page.axes[0]),
                                           bool((ta["status"] == "proposed").any()))
        _side_legend(page, handles, names, "Line width: traffic carried\n(busier direction)",
                     norm, _any_over(ta, tb))
        return page.fig


def plot_difference(result: Any, a: str, b: str, *, network: Network,
                    ax: Axes | None = None, extent: str | Sequence[float] | None = None,
                    title: str | None = None,
                    labels: bool = True, legend: bool = True,
                    figsize: tuple[float, float] | None = None, dpi: float | None = None,
                    credits: bool = True) -> Figure:
    """Where traffic moves from scenario ``a`` to ``b``.

    Links gaining carried Gbps (busier direction) under ``b`` are blue, links losing
    traffic orange; width is proportional to the size of the change. Links in service with
    no change worth drawing (under 0.5 % of the largest change) are thin grey.

    Raises
    ------
    ScenarioError
        When ``a`` or ``b`` is not a scenario of the result.
    """
    _check_scenarios(result, [a, b])
    with matplotlib.rc_context(BASE_FONT):
        net = network
        ta, tb = _scenario_links(result, a, net), _scenario_links(result, b, net)
        delta = (tb["carried_gbps"] - ta["carried_gbps"]).to_numpy(float)
        frame = _frame_for(_default_extent(result, extent), [ta, tb], net.nodes)
        big = float(np.abs(delta).max()) if len(delta) else 0.0
        threshold = max(0.005 * big, 1e-6)
        sa = result.scenarios.set_index("scenario")
        column, group = _intra(result)
        page = _page([frame], figsize, dpi, side=legend, ax=ax,
                     title=title or f"Where traffic moves: {a} → {b}",
                     subtitle=(f"Change in traffic carried per link (busier direction), {b} "
                               f"minus {a}. Intra-{group} round trip "
                               f"{_num(sa.loc[a].get(column))} → "
                               f"{_num(sa.loc[b].get(column))} ms; share of it "
                               "leaving the region "
                               f"{_num(sa.loc[a, 'out_of_region_share'], '.0f', 100)} → "
                               f"{_num(sa.loc[b, 'out_of_region_share'], '.0f', 100)} %."),
                     credit=_credit_text(tb) if credits else "")
        axis = page.axes[0]
        draw_basemap(axis, frame)
        k = _fig_scale(axis)
        scale = _WidthScale(big)
        live = (ta["in_service"] | tb["in_service"]).to_numpy(dtype=bool)
        proposed = (tb["status"] == "proposed").to_numpy()
        context = pd.DataFrame({
            "geometry": tb.geometry.values[live], "colour": IDLE, "width": 0.5 * k,
            "style": np.where(proposed[live], "dashed", "solid"), "cased": False,
            "alpha": 0.7})
        _add_lines(axis, context, zorder=2)
        changed = np.flatnonzero(np.abs(delta) > threshold)
        changed = changed[np.argsort(-np.abs(delta[changed]), kind="stable")]
        kinds = tb["kind"].to_numpy(dtype=object)
        lines = pd.DataFrame({
            "geometry": tb.geometry.values[changed],
            "colour": np.where(delta[changed] > 0, GAIN, LOSS),
            "width": scale(np.abs(delta[changed])) * k,
            "style": np.where(proposed[changed], "dashed", "solid"),
            "cased": np.array([_land_kind(c) for c in kinds[changed]], dtype=bool),
            "alpha": 0.95})
        _add_lines(axis, lines[~lines["cased"]], zorder=3)
        _add_lines(axis, lines[lines["cased"]], zorder=3.5)
        if legend:
            handles = [_handle(GAIN, 3.0 * k), _handle(LOSS, 3.0 * k)]
            names = [f"more traffic under {b}", f"less traffic under {b}"]
            for v in scale.samples():
                handles.append(_handle("#4d4d4d", float(scale(v)) * k))
                names.append(f"change of {_fmt_gbps(v)}")
            handles += [_handle(GAIN, 2.0 * k, cased=True), _handle("#4d4d4d", 1.6, "dashed"),
                        _handle(IDLE, 0.9), _marker_handle("hub"), _marker_handle("capital"),
                        _marker_handle("city")]
            names += ["land route (white centre line)", "proposed link",
                      "in service, little or no change", "exchange hub", "capital",
                      "other city"]
            _side_legend(page, handles, names, "Line width: size of the change")
        _draw_places(axis, net.nodes, labels,
                     axis.get_legend() if not page.own else None, capitals=_capitals(result))
        draw_scale_bar(axis)
        return page.fig
