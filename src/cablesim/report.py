"""Experiment reports: ``report.md`` with PNG images beside it, and one self-contained
``report.html`` (images embedded as base64, tables, scenario descriptions, assumptions,
notes, the calibration verdict, citations).

Both documents are rendered from one list of blocks, so they say the same thing. Every
file is written atomically. Use::

    result = cablesim.run_experiment(cablesim.load_experiment("experiments/x.toml"))
    cablesim.report.write_report(result, "results/x")
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cablesim._atomic import atomic_write_bytes, atomic_write_text
from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim._version import __version__
from cablesim.experiment import ExperimentResult
from cablesim.experiment.path import paths_under

__all__ = ["write_report", "report_blocks", "render_markdown", "render_html", "ReportPlan",
           "plan_report"]

NATURAL_EARTH = ("Country outlines: Natural Earth, Admin 0 - Countries 1:50m, version 4.1.0 "
                 "(public domain, naturalearthdata.com), via the world-atlas 2.0.2 TopoJSON "
                 "(ISC licence); shipped in cablesim/data/naturalearth, simplified to 0.01°.")
TELEGEOGRAPHY = ("Submarine cable routes, landing points, lengths and ready-for-service dates: "
                 "TeleGeography Submarine Cable Map data, © TeleGeography, licensed CC BY-NC-SA "
                 "3.0; the route geometries drawn here are simplified derivatives and carry the "
                 "same licence.")


# ---------------------------------------------------------------------------- blocks
@dataclass
class Block:
    """One piece of a report: heading, paragraph, list, table or image."""

    kind: str  # "h1" | "h2" | "h3" | "p" | "ul" | "table" | "img"
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    align: list[str] = field(default_factory=list)  # "l" or "r" per column
    image: str = ""  # file name of a PNG beside the report


@dataclass
class ReportPlan:
    """Which pictures a report draws (see :func:`plan_report`)."""

    scenario_extents: dict[str, str | tuple[float, float, float, float]]
    compare: tuple[str, str] | None
    path_pairs: list[tuple[str, str]]
    path_policies: list[str]


def _safe(name: str) -> str:
    """A file-name part for ``name``: itself when it is safe, else a cleaned form with a
    short hash of the name, so that ``a/b`` and ``a_b`` never share a file."""
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.") or "x"
    if clean == name:
        return clean
    return f"{clean[:80]}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def plan_report(result: ExperimentResult, network: Any, *,
                compare: tuple[str, str] | None = None,
                path_pairs: Sequence[tuple[str, str]] | None = None,
                path_policies: Sequence[str] | None = None) -> ReportPlan:
    """Choose the maps of a report.

    - every scenario gets a map: the study's extent, or the Pacific-centred world view when
      more than 1 % of its intra-focus traffic leaves the region (hairpins) or when the
      links in service differ from the first scenario's outside the study's map (land
      routes to Europe opened, Red Sea cables cut);
    - ``compare`` (default: the study's ``compare`` scenarios where the experiment has them,
      else the first two scenarios) gets a side-by-side map and a difference map;
    - each pair of ``path_pairs`` (default: the study's ``path_pairs`` where both ends
      exist, else the largest intra-focus demand) gets a path map under ``path_policies``
      (default: the study's ``path_policies`` that are scenarios, else the first four).

    Raises
    ------
    ScenarioError
        Unknown scenario names in ``compare`` or ``path_policies``, unknown node ids.
    """
    s = result.scenarios
    names = [str(n) for n in s["scenario"]]
    problems = [Problem("report", None, "scenario", f"no scenario named {n!r}",
                        did_you_mean(n, names))
                for n in list(compare or ()) if n not in names]
    leaving = dict(zip(names, s["out_of_region_share"].fillna(0.0), strict=True))
    changed_outside = _changes_outside_region(result, network, names)
    study = result.experiment.study
    home = study.map_extent
    extents = {n: ("world" if float(leaving[n]) > 0.01 or changed_outside.get(n) else home)
               for n in names}
    if compare is None and len(names) >= 2:
        wanted = [n for n in study.settings.compare if n in names]
        compare = ((wanted[0], wanted[1]) if len(wanted) == 2 and wanted[0] != wanted[1]
                   else (names[0], names[1]))
    nodes = network.nodes.index
    if path_pairs is None:
        study_pairs = [tuple(p.split()) for p in study.settings.path_pairs]
        pairs = [(p[0], p[1]) for p in study_pairs
                 if len(p) == 2 and p[0] in nodes and p[1] in nodes]
        if not pairs and len(result.pairs):
            intra = result.pairs[(result.pairs["scenario"] == names[0])]
            cls = intra[intra["traffic_class"] == study.intra_class]
            top = (cls if len(cls) else intra).sort_values("offered_gbps", ascending=False)
            if len(top):
                pairs = [(str(top.iloc[0]["origin"]), str(top.iloc[0]["destination"]))]
    else:
        pairs = [tuple(p) for p in path_pairs]  # type: ignore[misc]
        for o, d in pairs:
            for node in (o, d):
                if node not in nodes:
                    problems.append(Problem("report", None, "path_pairs",
                                            f"unknown node id {node!r}",
                                            did_you_mean(node, nodes)))
    if path_policies is None:
        policies_list = [p for p in study.settings.path_policies if p in names] or names[:4]
    else:
        policies_list = list(path_policies)
    if problems:
        raise ScenarioError("cannot plan the report", problems)
    return ReportPlan(extents, compare, list(pairs), policies_list)


def _changes_outside_region(result: ExperimentResult, network: Any,
                            names: Sequence[str]) -> dict[str, bool]:
    """Per scenario: whether its links in service differ from the first scenario's on a
    link that leaves the study's map."""
    import shapely

    extent = result.experiment.study.map_extent
    if not names or "in_service" not in result.links or isinstance(extent, str):
        return {}
    region = shapely.box(*extent)
    geoms = network.links.geometry
    inside = {lid: bool(region.contains(g))
              for lid, g in zip(geoms.index, geoms.values, strict=True)}
    live = {n: set(result.links.loc[(result.links["scenario"] == n)
                                    & result.links["in_service"].astype(bool), "link"])
            for n in names}
    base = live[names[0]]
    return {n: any(not inside.get(lid, True) for lid in live[n] ^ base) for n in names}


# ---------------------------------------------------------------------------- numbers
def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        v = float(value)
        if math.isnan(v):
            return "n/a"
        if math.isinf(v):
            return "∞"
        return f"{v:,.{digits}f}"
    return str(value)


def _counterfactual_text(scenarios: Any) -> str:
    """One sentence naming the counterfactual scenarios and why (none: empty)."""
    if "counterfactual" not in scenarios.columns or not scenarios["counterfactual"].any():
        return ""
    rows = scenarios[scenarios["counterfactual"]]
    return (" Counterfactual (could not have existed in their year): "
            + "; ".join(f"{r.scenario} ({r.counterfactual_why})"
                        for r in rows.itertuples(index=False)) + ".")


def _background_text(scenarios: Any) -> str:
    """One sentence on the background traffic loaded with the scenarios (none: empty)."""
    if "background_offered_gbps" not in scenarios.columns:
        return ""
    offered = scenarios["background_offered_gbps"].fillna(0.0)
    if not (offered > 0).any():
        return ""
    unserved = float(scenarios["background_unserved_gbps"].fillna(0.0).max())
    most = float(offered.max())
    return (f" Background traffic between countries outside the study ({_fmt(most, 0)} "
            f"Gbps, unserved at most {_fmt(unserved, 0)} Gbps) shares "
            "the links and their capacity but is not counted in these columns "
            "(scenarios.csv background_*).")


def _pct(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if math.isnan(v) else f"{100 * v:.0f}%"


def _section(markdown: str, heading: str) -> list[str]:
    """Bullet items of a ``## heading`` section of a Markdown text."""
    out: list[str] = []
    inside = False
    for line in markdown.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower() == heading.lower()
            continue
        if inside and line.startswith("- "):
            out.append(line[2:].strip())
    return out


# ---------------------------------------------------------------------------- content
def report_blocks(result: ExperimentResult, images: dict[str, tuple[str, str]],
                  network: Any = None) -> list[Block]:
    """The report's content as blocks.

    ``images`` maps a key (``"topology"``, ``"compare"``, ``"difference"``,
    ``"path:O:D"``, ``"scenario:NAME"``, ``"chart:NAME"``) to (file name, caption).
    """
    exp = result.experiment
    s = result.scenarios
    blocks: list[Block] = [Block("h1", f"Experiment report: {exp.name}")]
    if exp.description:
        blocks.append(Block("p", exp.description))
    blocks.append(Block("p", (
        f"{len(s)} scenarios routed on the topology `{exp.topology.name}` "
        f"(cablesim {__version__}). Tables with every number are in the CSV files beside "
        "this report (scenarios.csv, pairs.csv, countries.csv, links.csv, "
        "transit_prices.csv); the assumptions and the data sources are at the end.")))
    # -- key numbers
    blocks.append(Block("h2", "Scenarios side by side"))
    group = exp.study.focus_label
    header = ["scenario", "policy", "served Gbps", "unserved Gbps", "USD per Mbps-month",
              "mean RTT ms", "p95 RTT ms", f"intra-{group} RTT ms",
              f"intra-{group} leaving region", "max utilisation"]
    rows = []
    for r in s.itertuples(index=False):
        rows.append([str(r.scenario), str(r.policy), _fmt(r.served_gbps, 0),
                     _fmt(r.unserved_gbps, 0), _fmt(r.cost_usd_per_mbps, 2),
                     _fmt(r.mean_rtt_ms), _fmt(r.p95_rtt_ms),
                     _fmt(getattr(r, exp.study.intra_rtt_column)),
                     _pct(r.out_of_region_share), _pct(r.max_utilization)])
    blocks.append(Block("table", header=header, rows=rows, align=["l", "l"] + ["r"] * 8))
    blocks.append(Block("p", "Served + unserved = offered in every scenario. RTT: round-trip "
                             "time of the path, weighted by served traffic. Utilisation: the "
                             "busier direction of a link divided by its capacity (routing "
                             "without capacity limits can exceed 100%)."
                             + _background_text(s) + _counterfactual_text(s)))
    blocks.append(Block("h2", "What rests on estimates"))
    blocks.append(Block("table", header=["scenario", "Gbps-km on estimated capacity",
                                         "lease cost on cited prices",
                                         "lease cost on estimated prices",
                                         "transit cost on cited prices",
                                         "transit cost on estimated prices",
                                         "demand on cited bandwidth",
                                         "demand on estimated bandwidth"],
                        rows=[[str(r.scenario), _pct(r.gbps_km_on_estimated_capacity_share),
                               _pct(r.lease_on_cited_price_share),
                               _pct(r.lease_on_estimated_price_share),
                               _pct(r.transit_on_cited_price_share),
                               _pct(r.transit_on_estimated_price_share),
                               _pct(getattr(r, "offered_on_cited_bandwidth_share", math.nan)),
                               _pct(getattr(r, "offered_on_estimated_bandwidth_share",
                                            math.nan))]
                              for r in s.itertuples(index=False)],
                        align=["l"] + ["r"] * 7))
    blocks.append(Block("p", "From each link's confidence classes (links.csv "
                             "capacity_confidence, price_confidence: cited, derived or "
                             "estimate; a link without one counts as an estimate). The rest "
                             "of the lease cost rests on derived prices: a cited quote scaled "
                             "by a stated rule. Transit: the share of the transit cost paid at "
                             "hubs whose price is cited or an estimate (nodes.csv "
                             "transit_price_confidence). Demand: the share of the offered "
                             "traffic into "
                             "countries whose bandwidth of the year is cited or an estimate "
                             "(the rest is interpolated or grown from a cited year; "
                             "countries.csv bandwidth_confidence)."))
    blocks.append(Block("h2", "Scenario descriptions"))
    blocks.append(Block("ul", items=[
        f"**{spec.name}** ({spec.policy.name}; {spec.routing.mode} routing, "
        f"{spec.routing.objective}): {spec.description}" for spec in exp.scenarios]))
    # -- pictures
    blocks.append(Block("h2", "Maps"))
    for key in ("topology", "compare", "difference"):
        if key in images:
            blocks.append(Block("img", image=images[key][0], text=images[key][1]))
    paths = [k for k in images if k.startswith("path:")]
    if paths:
        blocks.append(Block("h3", "Paths of one origin-destination pair under each policy"))
        for key in paths:
            blocks.append(Block("img", image=images[key][0], text=images[key][1]))
    scen = [k for k in images if k.startswith("scenario:")]
    if scen:
        blocks.append(Block("h3", "Each scenario"))
        for key in scen:
            blocks.append(Block("img", image=images[key][0], text=images[key][1]))
    charts = [k for k in images if k.startswith("chart:")]
    if charts:
        blocks.append(Block("h2", "Charts"))
        for key in charts:
            blocks.append(Block("img", image=images[key][0], text=images[key][1]))
    # -- countries
    blocks.append(Block("h2", "Cost per Mbps by country (USD per Mbps per month)"))
    pivot = result.countries.pivot_table(index="country", columns="scenario",
                                         values="cost_usd_per_mbps_month", aggfunc="first")
    cols = [n for n in s["scenario"] if n in pivot.columns]
    blocks.append(Block("table", header=["country"] + cols,
                        rows=[[str(c)] + [_fmt(pivot.at[c, n], 2) for n in cols]
                              for c in pivot.index], align=["l"] + ["r"] * len(cols)))
    # -- calibration
    cal = result.calibration
    blocks.append(Block("h2", "Calibration against the seed report"))
    blocks.append(Block("p", (
        "Delivered transit price (the lower of the local market price and the cheapest "
        "reachable hub's price + leased "
        f"transport to it), scenario `{cal.get('scenario')}`: **{cal.get('verdict')}**.")))
    items = []
    for check in cal.get("checks", []):
        value = check["value"]
        shown = f"{value:.2f}x" if isinstance(value, float) else str(value)
        items.append(f"{check['claim']}: {shown}: "
                     f"{'holds' if check['holds'] else 'does not hold'}")
    if items:
        blocks.append(Block("ul", items=items))
    if cal.get("why"):
        blocks.append(Block("p", f"Why: {cal['why']}."))
    # -- assumptions and notes
    blocks.append(Block("h2", "Assumptions"))
    blocks.append(Block("ul", items=_assumptions(result)))
    if result.notes:
        blocks.append(Block("h2", "Notes from the run"))
        blocks.append(Block("ul", items=list(result.notes)))
    # -- sources
    blocks.append(Block("h2", "Data sources and attribution"))
    citation = result.experiment.study.settings.citation
    sources = [citation] if citation else []
    routes = None if network is None else network.links.get("route_citation")
    if routes is not None and routes.dropna().astype(str).str.contains(
            "TeleGeography", case=False).any():
        sources.append(TELEGEOGRAPHY)
    sources.append(f"Topology `{exp.topology.name}`: every node and link row cites its source "
                   "(see the topology folder's SOURCES.md).")
    sources.append(NATURAL_EARTH)
    blocks.append(Block("ul", items=sources))
    blocks.append(Block("h2", "Inputs"))
    blocks.append(Block("ul", items=[
        f"experiment file: `{exp.path.name}` (sha256 {exp.input_hash[:16]}...)",
        f"topology: `{exp.topology.name}`",
        f"cablesim {__version__}"]))
    return blocks


def _assumptions(result: ExperimentResult) -> list[str]:
    from cablesim.experiment.write import summary_markdown

    try:
        items = _section(summary_markdown(result), "Assumptions")
    except Exception:  # pragma: no cover - the summary is optional for the report
        items = []
    return items or [
        "Lease cost: every Mbps carried over a link in either direction pays the link's "
        "price_usd_per_mbps_month.",
        "Transit cost: traffic exchanged at a hub pays the hub's transit price; direct traffic "
        "pays none.",
        "RTT is twice the one-way path latency (fibre group index 1.4682 plus an equipment "
        "allowance per link)."]


# ---------------------------------------------------------------------------- rendering
def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: Sequence[Block]) -> str:
    """Markdown text of the blocks (images as links to the PNG files)."""
    out: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out += ["#" * int(b.kind[1]) + " " + b.text, ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind == "ul":
            out += [f"- {item}" for item in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append("|" + "|".join("---:" if a == "r" else "---" for a in b.align) + "|")
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("")
        elif b.kind == "img":
            out += [f"![{b.text}]({b.image})", "", f"*{b.text}*", ""]
    return "\n".join(out).rstrip() + "\n"


def _inline(text: str) -> str:
    """HTML of a text with `code` and **bold** spans (everything else escaped)."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


_CSS = """
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: #1a1a1a;
       line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin-bottom: 4px; }
h2 { font-size: 20px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin-top: 24px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 4px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e3e3e3; }
th { background: #f3f5f7; text-align: left; vertical-align: bottom; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #fafbfc; }
figure { margin: 18px 0 26px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e5e5; }
figcaption { font-size: 13px; color: #555; margin-top: 4px; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; font-size: 90%; }
.scroll { overflow-x: auto; }
footer { margin-top: 40px; font-size: 12px; color: #777; }
"""


def render_html(blocks: Sequence[Block], folder: Path, title: str) -> str:
    """One self-contained HTML page of the blocks (PNG images read from ``folder`` and
    embedded as base64 data URIs)."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>",
           "<body>"]
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"<{b.kind}>{_inline(b.text)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{_inline(b.text)}</p>")
        elif b.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "table":
            cls = [' class="r"' if a == "r" else "" for a in b.align]
            head = "".join(f"<th{c}>{_inline(h)}</th>" for h, c in zip(b.header, cls, strict=True))
            body = "".join("<tr>" + "".join(f"<td{c}>{_inline(v)}</td>"
                                            for v, c in zip(row, cls, strict=True)) + "</tr>"
                           for row in b.rows)
            out.append(f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
                       f"<tbody>{body}</tbody></table></div>")
        elif b.kind == "img":
            data = base64.b64encode((folder / b.image).read_bytes()).decode("ascii")
            out.append(f'<figure><img src="data:image/png;base64,{data}" '
                       f'alt="{html.escape(b.text)}"><figcaption>{_inline(b.text)}'
                       "</figcaption></figure>")
    out += [f"<footer>Written by cablesim {html.escape(__version__)}. Images are embedded; "
            "this file needs nothing else to display.</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- writing
Progress = Callable[[str, float], None]


def write_report(result: ExperimentResult, out_dir: str | Path, network: Any = None, *,
                 dpi: float = 90.0, compare: tuple[str, str] | None = None,
                 path_pairs: Sequence[tuple[str, str]] | None = None,
                 path_policies: Sequence[str] | None = None,
                 progress: Progress | None = None) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the PNG images into ``out_dir``.

    Images: ``map_topology.png``, ``map_<scenario>.png`` for each scenario,
    ``compare_<a>_vs_<b>.png``, ``difference_<a>_vs_<b>.png``, ``path_<O>_<D>.png`` and the
    charts ``chart_latency_cdf.png``, ``chart_country_costs.png``,
    ``chart_utilisation.png``, ``chart_transit_prices.png``. ``report.md`` links to them;
    ``report.html`` embeds them and is self-contained. Every file is written atomically.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`cablesim.run_experiment`.
    out_dir : path-like
        Folder (created if needed), typically the one holding the CSV results.
    network : Network, optional
        The experiment's topology if already loaded (else loaded from the experiment).
    dpi : float
        Resolution of the PNG images (maps are about 10 x 8 inches).
    compare, path_pairs, path_policies : optional
        See :func:`plan_report`.
    progress : callable, optional
        Called with (stage name, seconds) after each group of images.

    Returns
    -------
    list of Path
        The files written (images, then report.md and report.html).

    Raises
    ------
    ScenarioError
        Unknown scenario names or node ids in the options.
    """
    from cablesim import plot
    from cablesim.io.topology import load_topology

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    net = network if network is not None else load_topology(result.experiment.topology)
    plan = plan_report(result, net, compare=compare, path_pairs=path_pairs,
                       path_policies=path_policies)
    written: list[Path] = []
    images: dict[str, tuple[str, str]] = {}
    t = time.perf_counter()

    def save(key: str, fig: Any, name: str, caption: str) -> None:
        written.append(plot.save_figure(fig, folder / name, dpi=dpi))
        images[key] = (name, caption)

    def stage(label: str) -> None:
        nonlocal t
        if progress:
            progress(label, time.perf_counter() - t)
        t = time.perf_counter()

    study = result.experiment.study
    save("topology", plot.plot_network(net, dpi=dpi, extent=study.map_extent,
                                       capitals=tuple(study.capitals.values())),
         "map_topology.png",
         f"The topology {net.name or result.experiment.topology.name}: submarine cables along "
         "their mapped routes, land routes with a white centre line, planned links "
         "dash-dotted, proposed links dashed.")
    if plan.compare:
        a, b = plan.compare
        save("compare", plot.plot_comparison(result, a, b, network=net, dpi=dpi),
             f"compare_{_safe(a)}_vs_{_safe(b)}.png",
             f"Scenarios {a} and {b} side by side: line width is the traffic carried, colour "
             "the utilisation, on the same scales.")
        save("difference", plot.plot_difference(result, a, b, network=net, dpi=dpi),
             f"difference_{_safe(a)}_vs_{_safe(b)}.png",
             f"Where traffic moves from {a} to {b}: blue links carry more, orange links less.")
    stage("report: topology and comparison maps")
    for o, d in plan.path_pairs:
        routes = paths_under(result.experiment, o, d, plan.path_policies, network=net)
        save(f"path:{o}:{d}", plot.plot_paths(net, o, d, routes,
                                              experiment_name=result.experiment.name, dpi=dpi,
                                              colours=result.experiment.study.settings.colours),
             f"path_{_safe(o)}_{_safe(d)}.png",
             f"The path from {o} to {d} under each policy, with its round-trip time.")
    stage("report: path maps")
    for name, extent in plan.scenario_extents.items():
        where = ("the world (its traffic leaves the region)" if extent == "world"
                 else study.settings.title or "the study region")
        save(f"scenario:{name}", plot.plot_scenario(result, name, network=net, extent=extent,
                                                    dpi=dpi),
             f"map_{_safe(name)}.png",
             f"Scenario {name} ({where}): width = traffic carried, colour = utilisation.")
    stage("report: scenario maps")
    save("chart:latency", plot.plot_latency_cdf(result, dpi=dpi), "chart_latency_cdf.png",
         "Round-trip time per scenario: share of served traffic at or below each RTT.")
    save("chart:costs", plot.plot_country_costs(result, dpi=dpi), "chart_country_costs.png",
         "Cost per served Mbps per month by country, scenarios side by side.")
    save("chart:utilisation", plot.plot_utilisation_histogram(result, dpi=dpi),
         "chart_utilisation.png", "How busy the links are in each scenario.")
    save("chart:transit", plot.plot_transit_prices(result, dpi=dpi),
         "chart_transit_prices.png",
         "Delivered IP transit prices at the capitals against the seed report's ratios.")
    stage("report: charts")
    blocks = report_blocks(result, images, net)
    written.append(atomic_write_text(folder / "report.md", render_markdown(blocks)))
    page = render_html(blocks, folder, f"{result.experiment.name}: cablesim report")
    written.append(atomic_write_bytes(folder / "report.html", page.encode("utf-8")))
    stage("report: documents")
    return written
