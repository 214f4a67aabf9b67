"""Charts of an experiment result: latency CDF, cost per country, utilisation, transit prices.

Every chart takes an :class:`~cablesim.experiment.ExperimentResult` and returns a matplotlib
Figure (Agg canvas, no display); save it with :func:`cablesim.plot.save_figure`. Each
scenario keeps one colour on every chart (and on path maps, for the policy presets).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim._version import __version__
from cablesim.plot._figure import BASE_FONT, new_figure
from cablesim.plot.maps import _wrap

__all__ = [
    "plot_latency_cdf",
    "plot_country_costs",
    "plot_utilisation_histogram",
    "plot_transit_prices",
    "scenario_colours",
    "COUNTRY_NAMES",
]

COUNTRY_NAMES = {
    "BRN": "Brunei", "KHM": "Cambodia", "IDN": "Indonesia", "LAO": "Laos",
    "MYS": "Malaysia", "MMR": "Myanmar", "PHL": "Philippines", "SGP": "Singapore",
    "THA": "Thailand", "VNM": "Viet Nam", "CHN": "China", "HKG": "Hong Kong",
    "GBR": "United Kingdom", "USA": "United States", "JPN": "Japan",
}
"""Short English names of the countries the charts label (others show their ISO3 code)."""

_OTHER_COLOURS = ["#1f78b4", "#e6ab02", "#555555", "#b15928", "#6a3d9a", "#a6cee3",
                  "#fb9a99", "#33a02c", "#cab2d6", "#ff7f00"]
_OTHER_STYLES = ["--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5))]
OVER_TOL = 1e-6
"""Utilisation up to 1 + OVER_TOL counts as full, not over capacity (LP round-off)."""
SEED_GREEN = "#d9efd9"
SEED_EDGE = "#3c8d3c"


def scenario_colours(names: Sequence[str], colours: Mapping[str, str] | None = None
                     ) -> dict[str, tuple[str, Any]]:
    """A (colour, line style) per scenario: ``colours[name]`` (a study's colours of its
    policy presets), else a palette with dashed styles."""
    out: dict[str, tuple[str, Any]] = {}
    colours = colours or {}
    k = 0
    for name in names:
        if name in colours:
            out[name] = (colours[name], "-")
        else:
            out[name] = (_OTHER_COLOURS[k % len(_OTHER_COLOURS)],
                         _OTHER_STYLES[k % len(_OTHER_STYLES)])
            k += 1
    return out


def _colours(result: Any) -> Mapping[str, str]:
    study = getattr(getattr(result, "experiment", None), "study", None)
    return study.settings.colours if study is not None else {}


def _chosen(result: Any, scenarios: Sequence[str] | None) -> list[str]:
    known = [str(s) for s in result.scenarios["scenario"]]
    if scenarios is None:
        return known
    problems = [Problem(str(result.experiment.path), None, "scenario",
                        f"no scenario named {s!r} (scenarios: {', '.join(known)})",
                        did_you_mean(s, known)) for s in scenarios if s not in known]
    if problems:
        raise ScenarioError("unknown scenario", problems)
    return list(scenarios)


def _figure(figsize: tuple[float, float], dpi: float | None) -> Figure:
    dpi = float(dpi or 100.0)
    w, h = figsize
    fig = new_figure((round(w * dpi) / dpi, round(h * dpi) / dpi), dpi)
    fig.set_facecolor("white")
    return fig


def _titles(fig: Figure, title: str, subtitle: str = "", credit: str = "") -> None:
    w, h = fig.get_size_inches()
    fig.text(0.45 / w, 1 - 0.12 / h, title, ha="left", va="top", fontsize=12,
             fontweight="bold", color="#1a1a1a")
    if subtitle:
        fig.text(0.45 / w, 1 - 0.44 / h, "\n".join(_wrap(subtitle, w - 0.7, 8.0)), ha="left",
                 va="top", fontsize=8, color="#444444", linespacing=1.35)
    fig.text(1 - 0.12 / w, 0.06 / h, (credit + "; " if credit else "")
             + f"drawn by cablesim {__version__}.", ha="right", va="bottom", fontsize=5.8,
             color="#666666")


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#777777")
        ax.spines[side].set_linewidth(0.7)
    ax.tick_params(labelsize=7.5, colors="#333333", length=3)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _weighted_cdf(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(values) & (weights > 0)
    v, w = values[keep], weights[keep]
    if not len(v):
        return np.array([]), np.array([])
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    return v, np.cumsum(w) / w.sum()


def plot_latency_cdf(result: Any, scenarios: Sequence[str] | None = None, *,
                     figsize: tuple[float, float] = (12.0, 5.4), dpi: float | None = None,
                     title: str | None = None) -> Figure:
    """Cumulative distribution of round-trip time, weighted by served traffic.

    Two panels: all served traffic, and the study's intra-focus traffic only (intra-ASEAN
    in the China-ASEAN study). A point (x, y) on a
    scenario's curve means: a share y of the served Gbps has a round trip of x ms or less.
    """
    names = _chosen(result, scenarios)
    styles = scenario_colours(names, _colours(result))
    with matplotlib.rc_context(BASE_FONT):
        fig = _figure(figsize, dpi)
        w, h = fig.get_size_inches()
        left, right, bottom, top = 0.65 / w, 2.4 / w, 0.75 / h, 0.95 / h
        gap = 0.55 / w
        width = (1 - left - right - gap) / 2
        axes = [fig.add_axes((left + i * (width + gap), bottom, width, 1 - top - bottom))
                for i in range(2)]
        pairs = result.pairs
        x_max = float(np.nanmax(pairs.loc[pairs["scenario"].isin(names), "rtt_ms"].to_numpy(
            dtype=float), initial=1.0))
        study = result.experiment.study
        for ax, klass, label in ((axes[0], None, "All served traffic"),
                                 (axes[1], study.intra_class,
                                  f"Intra-{study.focus_label} traffic")):
            _style(ax)
            ax.grid(True, axis="x", color="#eeeeee", linewidth=0.6)
            for name in names:
                rows = pairs[pairs["scenario"] == name]
                if klass:
                    rows = rows[rows["traffic_class"] == klass]
                v, c = _weighted_cdf(rows["rtt_ms"].to_numpy(dtype=float),
                                     rows["served_gbps"].to_numpy(dtype=float))
                if not len(v):
                    continue
                colour, style = styles[name]
                ax.step(np.concatenate([[0.0], v, [x_max * 1.02]]),
                        np.concatenate([[0.0], c, [1.0]]), where="post", color=colour,
                        linestyle=style, linewidth=1.6, label=name)
            ax.set_xlim(0, x_max * 1.02)
            ax.set_ylim(0, 1.01)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_xlabel("Round-trip time (ms)", fontsize=8)
            ax.set_title(label, fontsize=9.5, fontweight="bold", loc="left")
        axes[0].set_ylabel("Share of served traffic (Gbps) with this RTT or less", fontsize=8)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper left",
                   bbox_to_anchor=(1 - right + 0.3 / w, 1 - top), fontsize=7.5,
                   frameon=False, title="Scenario", title_fontsize=8, handlelength=3.0)
        _titles(fig, title or "Round-trip time: how much traffic gets how fast a path",
                "Traffic-weighted cumulative distribution of the round-trip time of each "
                "origin-destination demand, per scenario (a demand split over several paths, "
                "as in a policy mix, counts at its traffic-weighted mean). Curves further left "
                "are faster.", f"experiment {result.experiment.name}")
        return fig


def _country_label(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


def plot_country_costs(result: Any, scenarios: Sequence[str] | None = None, *,
                       figsize: tuple[float, float] = (12.5, 5.6), dpi: float | None = None,
                       title: str | None = None, max_countries: int = 40) -> Figure:
    """Cost per served Mbps per month for each country, scenarios side by side (bars).

    The cost is lease along the path plus transit at the exchange hub (and no capex),
    attributed to the origin's country (the receiving country for content traffic). With
    more than ``max_countries`` countries (a global run), the study's focus group and then the
    countries offering the most traffic are shown, up to ``max_countries``, and the
    subtitle says how many are left out.
    """
    names = _chosen(result, scenarios)
    styles = scenario_colours(names, _colours(result))
    with matplotlib.rc_context(BASE_FONT):
        fig = _figure(figsize, dpi)
        w, h = fig.get_size_inches()
        left, right, bottom, top = 0.7 / w, 2.4 / w, 0.8 / h, 0.95 / h
        ax = fig.add_axes((left, bottom, 1 - left - right, 1 - top - bottom))
        _style(ax)
        table = result.countries[result.countries["scenario"].isin(names)]
        pivot = table.pivot_table(index="country", columns="scenario",
                                  values="cost_usd_per_mbps_month", aggfunc="first")
        shown = list(pivot.index)
        study = result.experiment.study
        focus = set(study.focus_members)
        if len(shown) > max_countries:
            offered = table.groupby("country")["offered_gbps"].max()
            shown = sorted(shown, key=lambda c: (c not in focus, -float(offered.get(c, 0.0)),
                                                 str(c)))[:max_countries]
        left_out = len(pivot.index) - len(shown)
        order = sorted(shown, key=lambda c: (c not in focus, _country_label(c)))
        pivot = pivot.reindex(index=order, columns=names)
        n = len(names)
        group = 0.84
        bar = group / max(n, 1)
        x = np.arange(len(order))
        for i, name in enumerate(names):
            colour, style = styles[name]
            values = pivot[name].to_numpy(dtype=float)
            ax.bar(x - group / 2 + (i + 0.5) * bar, np.nan_to_num(values, nan=0.0), width=bar,
                   color=colour, edgecolor="white", linewidth=0.3, label=name,
                   hatch=None if style == "-" else "////" if style == "--" else "....")
        ax.set_xticks(x)
        crowded = len(order) > 14
        ax.set_xticklabels([_country_label(c) for c in order], fontsize=7 if crowded else 8,
                           rotation=60 if crowded else 0, ha="right" if crowded else "center",
                           rotation_mode="anchor")
        ax.set_xlim(-0.55, len(order) - 0.45)
        ax.set_ylabel("USD per Mbps per month (lease + transit)", fontsize=8)
        for xi in x[:-1]:
            ax.axvline(xi + 0.5, color="#eeeeee", linewidth=0.8, zorder=0)
        fig.legend(*ax.get_legend_handles_labels(), loc="upper left",
                   bbox_to_anchor=(1 - right + 0.3 / w, 1 - top), fontsize=7.5, frameon=False,
                   title="Scenario", title_fontsize=8)
        _titles(fig, title or "Cost per Mbps by country",
                "Monthly cost of the traffic each country originates (content: receives), per "
                "served Mbps: leased transport on every link of the path plus IP transit at "
                "the exchange hub. Hatched bars: scenarios that are not a plain policy preset."
                + (f" Shown: {study.focus_label} members and the countries offering most "
                   "traffic; "
                   f"{left_out} more countries are in countries.csv." if left_out else ""),
                f"experiment {result.experiment.name}")
        return fig


def plot_utilisation_histogram(result: Any, scenarios: Sequence[str] | None = None, *,
                               figsize: tuple[float, float] | None = None,
                               dpi: float | None = None, title: str | None = None) -> Figure:
    """How busy the links are: a histogram of utilisation per scenario (small multiples).

    Counts links in service that carry traffic, in 10 % bins of utilisation (busier
    direction / capacity); links over 100 % (possible when routing ignores capacity) are
    gathered in a red bar on the right. Idle links are counted in each panel's note.
    """
    names = _chosen(result, scenarios)
    n = len(names)
    cols = min(n, 5)
    rows_n = math.ceil(n / cols)
    figsize = figsize or (12.5, 1.2 + 2.4 * rows_n)
    with matplotlib.rc_context(BASE_FONT):
        fig = _figure(figsize, dpi)
        w, h = fig.get_size_inches()
        left, right, bottom, top = 0.7 / w, 0.2 / w, 0.6 / h, 0.95 / h
        gx, gy = 0.35 / w, 0.7 / h
        pw = (1 - left - right - gx * (cols - 1)) / cols
        ph = (1 - top - bottom - gy * (rows_n - 1)) / rows_n
        links = result.links
        edges = np.linspace(0.0, 1.0, 11)
        counts_all = {}
        for name in names:
            rows = links[(links["scenario"] == name) & links["in_service"]]
            carried = np.maximum(rows["load_forward_gbps"], rows["load_reverse_gbps"])
            util = rows["utilization"].to_numpy(dtype=float)[carried.to_numpy() > 1e-9]
            util = util[np.isfinite(util)]
            util = np.where(util <= 1.0 + OVER_TOL, np.minimum(util, 1.0), util)
            counts, _ = np.histogram(util[util <= 1.0], bins=edges)
            over = int((util > 1.0).sum())
            counts_all[name] = (counts, over, int(len(rows) - len(util)), util)
        y_max = max(max(int(c.max(initial=0)), o) for c, o, _, _ in counts_all.values()) or 1
        for i, name in enumerate(names):
            r, c = divmod(i, cols)
            ax = fig.add_axes((left + c * (pw + gx), 1 - top - (r + 1) * ph - r * gy, pw, ph))
            _style(ax)
            counts, over, idle, util = counts_all[name]
            ax.bar(edges[:-1] + 0.05, counts, width=0.092, color="#2f6db0")
            ax.bar([1.2], [over], width=0.092, color="#c4122f")
            ax.set_yscale("log")
            ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            ax.set_xlim(-0.03, 1.27)
            ax.set_ylim(0.8, y_max * 4.0)
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
                lambda v, _p: f"{v:g}" if v >= 1 else ""))
            ax.set_xticks([0, 0.5, 1.0, 1.2])
            ax.set_xticklabels(["0", "50", "100", ">100"], fontsize=6.5)
            ax.set_xlabel("utilisation, %", fontsize=6.5, labelpad=1)
            ax.set_title(name, fontsize=8.5, fontweight="bold", loc="left", pad=3)
            median = float(np.median(util)) if len(util) else float("nan")
            ax.text(0.98, 0.97, f"{len(util)} links with traffic\nmedian {100 * median:.0f} %"
                    f"\n{idle} idle in service", transform=ax.transAxes, ha="right", va="top",
                    fontsize=6.3, color="#444444")
            if c == 0:
                ax.set_ylabel("links (log scale)", fontsize=7.5)
        _titles(fig, title or "Link utilisation per scenario",
                "Links in service carrying traffic, by utilisation (busier direction ÷ "
                "capacity, 10 % bins); red: over capacity (routing without capacity limits can "
                "load a link beyond it).", f"experiment {result.experiment.name}")
        return fig


def plot_transit_prices(result: Any, scenario: str | None = None, *,
                        figsize: tuple[float, float] = (12.5, 5.4), dpi: float | None = None,
                        title: str | None = None) -> Figure:
    """Delivered IP transit price at each capital against the study's price claims.

    Left: each capital's delivered price divided by the study's price reference (Singapore
    for China-ASEAN), with the claim (most ASEAN capitals and China pay more than 2x
    Singapore) shaded. Right: each price divided by the benchmark's (London), with the
    claimed range for the reference (2-5x) shaded. Delivered price = the cheapest hub's
    transit price plus leased transport to that hub.
    """
    scenario = scenario or result.calibration.get("scenario") or str(
        result.scenarios["scenario"].iloc[0])
    _chosen(result, [scenario])
    with matplotlib.rc_context(BASE_FONT):
        fig = _figure(figsize, dpi)
        w, h = fig.get_size_inches()
        left, right, bottom, top = 0.95 / w, 0.3 / w, 0.75 / h, 1.0 / h
        gap = 1.05 / w
        width = (1 - left - right - gap) / 2
        axes = [fig.add_axes((left + i * (width + gap), bottom, width, 1 - top - bottom))
                for i in range(2)]
        prices = result.transit_prices[result.transit_prices["scenario"] == scenario]
        by_node = prices.set_index("node")
        study = result.experiment.study
        ref = study.settings.price_reference or ""
        bench = study.settings.price_benchmark or ""
        ref_name = str(by_node.at[ref, "name"]) if ref in by_node.index else ref
        bench_name = str(by_node.at[bench, "name"]) if bench in by_node.index else bench
        ref_country = str(by_node.at[ref, "country"]) if ref in by_node.index else ""
        partner = set(study.partner_members)
        capitals = [(c, n) for c, n in study.capitals.items() if n in by_node.index]
        capitals.sort(key=lambda cn: (cn[0] != ref_country, cn[0] in partner,
                                      _country_label(cn[0])))
        labels = [_country_label(c) for c, _ in capitals]
        price = np.array([float(by_node.at[n, "delivered_usd_per_mbps_month"])
                          for _, n in capitals])
        has_london = bench in by_node.index
        sg = float(by_node.at[ref, "delivered_usd_per_mbps_month"]) if (
            ref in by_node.index) else float("nan")
        ldn = float(by_node.at[bench, "delivered_usd_per_mbps_month"]) if has_london else (
            float("nan"))
        claims = study.claims
        factor = claims.focus_capitals_over_reference or 2.0
        band = claims.reference_over_benchmark or (2.0, 5.0)
        source = claims.source or "the study"
        if not capitals:
            for ax in axes:
                ax.set_axis_off()
            fig.text(0.5, 0.5, "No delivered transit prices to compare: the topology has "
                     "none of the study's capitals, or no hub with a cited transit "
                     "price.", ha="center", va="center", fontsize=10, wrap=True)
            fig.suptitle(title or f"Delivered IP transit prices (scenario {scenario})",
                         x=0.02, ha="left", fontsize=13, fontweight="bold")
            return fig
        y = np.arange(len(capitals))[::-1]
        panels = ((axes[0], price / sg, f"÷ {ref_name}'s delivered price", (factor, None),
                   f"{source}: most {study.focus_label} capitals\n"
                   f"pay > {factor:g}x {ref_name}"),
                  (axes[1], price / ldn, f"÷ {bench_name}'s delivered price",
                   (band[0], band[1]),
                   f"{source}: {ref_name} pays\n{band[0]:g}-{band[1]:g}x {bench_name}"))
        for ax, ratio, xlabel, band, band_label in panels:
            _style(ax)
            ax.grid(False, axis="y")
            ax.grid(True, axis="x", color="#e4e4e4", linewidth=0.6)
            finite = np.isfinite(ratio)
            hi = max(float(np.nanmax(np.where(finite, ratio, np.nan), initial=1.0)) * 1.22,
                     (band[1] or band[0] * 1.3) * 1.25)
            ax.axvspan(band[0], band[1] or hi * 2, color=SEED_GREEN, zorder=0)
            ax.axvline(band[0], color=SEED_EDGE, linewidth=1.0, linestyle="--", zorder=1)
            if band[1]:
                ax.axvline(band[1], color=SEED_EDGE, linewidth=1.0, linestyle="--", zorder=1)
            ax.text(band[0] + 0.02 * hi, y.max() + 1.55, band_label, fontsize=7,
                    color=SEED_EDGE, va="top", ha="left", fontweight="bold")
            ax.axvline(1.0, color="#555555", linewidth=0.8, zorder=1)
            colours = ["#1f5fa6" if c != ref_country else "#111111" for c, _ in capitals]
            ax.barh(y[finite], ratio[finite], height=0.62, color=np.array(colours)[finite],
                    zorder=2)
            for yi, r, p, ok in zip(y, ratio, price, finite, strict=True):
                text = (f"{r:.2f}x  (USD {p:.2f})" if ok else "no path to a priced hub")
                ax.text(r + 0.02 * hi if ok else 0.02 * hi, yi, text, va="center",
                        fontsize=6.8, color="#222222", zorder=3)
            ax.set_xlim(0, hi)
            ax.set_ylim(-0.7, y.max() + 1.7)
            ax.set_yticks(y)
            ax.set_yticklabels(labels, fontsize=7.5)
            ax.set_xlabel(f"Delivered transit price {xlabel}", fontsize=8)
        if not has_london:
            axes[1].text(0.5, 0.5, f"{bench_name} ({bench}) has no delivered price",
                         transform=axes[1].transAxes, ha="center", fontsize=9)
        cal = result.calibration
        verdict = cal.get("verdict", "not checked")
        _titles(fig, title or f"Delivered IP transit prices against the study's claims "
                f"(scenario {scenario}): {verdict}",
                "Delivered price per Mbps per month = transit price at the cheapest reachable hub "
                f"+ leased transport to it (cited medians). Shaded: the range {source} states.",
                f"experiment {result.experiment.name}")
        return fig
