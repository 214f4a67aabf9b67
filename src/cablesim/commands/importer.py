"""``cablesim import``, ``cablesim export`` and ``cablesim analyze``.

- ``cablesim import telegeography DIR --out TOPOLOGY_DIR [--capacity CSV]
  [--snapshot-label TEXT] [--merge TOPOLOGY] [--no-demand]``: import TeleGeography cable
  map data (either API layout) into a topology folder with ``import_report.json`` and
  ``import_report.md``; by default also a global gravity demand matrix
  (``gravity_demand.csv``) for ``experiments/global.toml``.
- ``cablesim export TOPOLOGY --out FILE [--format gpkg|geojson|graphml]``.
- ``cablesim analyze TOPOLOGY [--country ISO3 ...] [--cut LINK_SELECTOR ...] [--json]``:
  country-level resilience analytics.

Handlers only parse, print and choose exit codes; the work is in
:mod:`cablesim.io.telegeography`, :mod:`cablesim.io.merge`, :mod:`cablesim.io.export` and
:mod:`cablesim.analytics`, which raise :class:`cablesim.CablesimError` on bad input.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any, TextIO

from cablesim._atomic import check_writable

__all__ = ["register"]

DEMAND_FILE = "gravity_demand.csv"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import``, ``export`` and ``analyze`` sub-commands."""
    imp = subparsers.add_parser(
        "import", help="import external cable data into a topology folder",
        description="Import external cable map data into a cablesim topology folder.")
    kinds = imp.add_subparsers(dest="source_kind", metavar="SOURCE")
    tg = kinds.add_parser(
        "telegeography", help="TeleGeography submarine cable map data (API v2 or current)",
        description="Read cable/cable-geo.json, landing-point/landing-point-geo.json and the "
        "per-cable JSON files of a TeleGeography data folder (either layout); infer each "
        "cable's segments from its geometry; write nodes.csv, links.csv, geometry.geojson, "
        "import_report.json and import_report.md (and gravity_demand.csv) into --out.")
    tg.add_argument("source", metavar="DIR", help="TeleGeography data folder (holding cable/ "
                    "and landing-point/)")
    tg.add_argument("--out", required=True, help="topology folder to write")
    tg.add_argument("--force", action="store_true",
                    help="replace an import of other sources or options in --out")
    tg.add_argument("--capacity", metavar="CSV", help="design capacities: CSV with columns "
                    "system, design_capacity_gbps, citation (system = cable id or name)")
    tg.add_argument("--snapshot-label", metavar="TEXT", help="names the snapshot in "
                    "citations, e.g. 2021-06 (default: the folder name)")
    tg.add_argument("--merge", metavar="TOPOLOGY", action="append", default=[],
                    help="merge the terrestrial routes, cities and hubs of this topology "
                    "folder (e.g. topology/china_asean) into the import; repeatable")
    tg.add_argument("--match-km", type=float, default=5.0, help="landing points of a merged "
                    "topology closer than this to an imported one are the same (default 5)")
    tg.add_argument("--no-demand", action="store_true",
                    help=f"do not write the global gravity demand ({DEMAND_FILE})")
    tg.add_argument("--demand-tbps", type=float, default=None,
                    help="total of the gravity demand, Tbps (default: see docs/telegeography.md)")
    tg.set_defaults(handler=_cmd_import_telegeography)
    imp.set_defaults(handler=_cmd_import_usage, _import_parser=imp)

    exp = subparsers.add_parser(
        "export", help="export a topology to GeoPackage, GeoJSON or GraphML",
        description="Write a topology folder as a GeoPackage (layers nodes and links), one "
        "GeoJSON FeatureCollection (nodes and links) or GraphML (geometry as WKT).")
    exp.add_argument("topology", help="topology folder")
    exp.add_argument("--out", required=True, help="file to write")
    exp.add_argument("--format", choices=["gpkg", "geojson", "graphml"],
                     help="output format (default: from the file suffix)")
    exp.set_defaults(handler=_cmd_export)

    ana = subparsers.add_parser(
        "analyze", help="country-level resilience of a topology",
        description="Cables and landing points per country, edge-disjoint paths and "
        "minimum cuts between country pairs, single points of failure (cables whose loss "
        "disconnects a country or halves its international capacity), and the countries "
        "isolated by a cut set.")
    ana.add_argument("topology", help="topology folder")
    ana.add_argument("--country", nargs="+", metavar="ISO3", default=[],
                     help="countries to report on; pairs among them get disjoint paths and "
                     "minimum cuts")
    ana.add_argument("--cut", nargs="+", metavar="LINK_SELECTOR", default=[],
                     help="links to remove (id:, system:, status:, kind:, tag: patterns or "
                     "area:lon_min,lat_min,lon_max,lat_max)")
    ana.add_argument("--include-planned", action="store_true",
                     help="count planned links as in service (default: existing links only)")
    ana.add_argument("--top", type=int, default=25,
                     help="rows of the country table printed (default 25; all with --json)")
    ana.add_argument("--json", action="store_true", help="print the result as JSON")
    ana.set_defaults(handler=_cmd_analyze)


# ---------------------------------------------------------------------------- import
def _cmd_import_usage(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    args._import_parser.print_help(out)
    return 2


def _cmd_import_telegeography(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim._folders import ResultsFolder

    sources = [Path(args.source), *(Path(m) for m in args.merge)]
    if args.capacity:
        sources.append(Path(args.capacity))
    writer = ResultsFolder(args.out, kind="import", inputs={}, protected=sources,
                           force=args.force, parameters={
                               "source": str(Path(args.source).resolve()),
                               "snapshot_label": args.snapshot_label,
                               "capacity": str(Path(args.capacity).resolve())
                               if args.capacity else None,
                               "merge": [str(Path(m).resolve()) for m in args.merge],
                               "match_km": args.match_km, "demand_tbps": args.demand_tbps,
                               "demand": not args.no_demand})
    with writer.open() as folder:  # checked and locked before any reading
        return _import(args, folder, out, err)


def _import(args: argparse.Namespace, folder: Any, out: TextIO, err: TextIO) -> int:
    from cablesim.demand import GLOBAL_DEMAND_TBPS, global_gravity_demand, write_demand_csv
    from cablesim.io.merge import merge_topologies
    from cablesim.io.telegeography import read_telegeography, write_import_report
    from cablesim.io.topology import load_topology, save_topology

    total = time.perf_counter()

    def stage(label: str, start: float) -> None:
        err.write(f"  {label:<32} {time.perf_counter() - start:8.3f} s\n")

    t = time.perf_counter()
    result = read_telegeography(args.source, snapshot_label=args.snapshot_label,
                                capacity_csv=args.capacity)
    stage("read and infer segments", t)
    network = result.network
    report = result.report
    for other_path in args.merge:
        t = time.perf_counter()
        other = load_topology(other_path)
        network, merge_report = merge_topologies(network, other, match_km=args.match_km)
        report.setdefault("merged", []).append(merge_report)
        stage(f"merge {Path(other_path).name}", t)
    t = time.perf_counter()
    out_dir = folder.stage()
    save_topology(network, out_dir)
    written = ["nodes.csv", "links.csv", "geometry.geojson"]
    if not args.no_demand:
        tbps = args.demand_tbps if args.demand_tbps is not None else GLOBAL_DEMAND_TBPS
        if not (math.isfinite(tbps) and tbps > 0):
            from cablesim._errors import CablesimError, Problem

            raise CablesimError("bad option", [Problem("--demand-tbps", None, None,
                                                       f"must be > 0, got {tbps!r}")])
        demand = global_gravity_demand(network, total_gbps=tbps * 1000.0)
        write_demand_csv(demand, out_dir / DEMAND_FILE)
        written.append(DEMAND_FILE)
        report["demand"] = {"file": DEMAND_FILE, "pairs": int(len(demand)),
                            "total_gbps": float(demand["gbps"].sum()),
                            "countries": int(demand["origin"].nunique()),
                            "excluded_countries": demand.attrs.get("excluded", []),
                            "citation": demand.attrs.get("citation", "")}
    report["timings_s"]["write"] = round(time.perf_counter() - t, 3)
    write_import_report(report, out_dir)
    written += ["import_report.json", "import_report.md", "manifest.json"]
    folder.commit({"snapshot": report["snapshot"]})
    out_dir = folder.folder
    stage("write", t)
    err.write(f"  {'total':<32} {time.perf_counter() - total:8.3f} s\n")
    c = report["counts"]
    summary = network.summary()
    out.write(
        f"imported TeleGeography {report['snapshot']} ({report['layout']} layout) into "
        f"{out_dir}\n"
        f"  cables      {c['cables']:>6}  ("
        + ", ".join(f"{k} {v}" for k, v in report["cables_by_outcome"].items()) + "; "
        + ", ".join(f"{k} {v}" for k, v in report["cables_by_status"].items()) + ")\n"
        f"  nodes       {summary['nodes']:>6}  ("
        + ", ".join(f"{k} {v}" for k, v in summary["nodes_by_kind"].items()) + ")\n"
        f"  links       {summary['links']:>6}  ("
        + ", ".join(f"{k} {v}" for k, v in summary["links_by_kind"].items()) + ")\n"
        f"  countries   {len(summary['countries']):>6}\n"
        f"  fallbacks   " + (", ".join(f"{k} {v}" for k, v in report["fallbacks"].items())
                             or "none") + "\n"
        f"  t.b.d. landing points {len(report['tbd_landing_points'])}; unparseable fields "
        f"{len(report['unparseable_fields'])}; unknown country names "
        f"{len(report['unknown_countries'])}\n"
        f"  wrote {', '.join(written)}\n")
    return 0


# ---------------------------------------------------------------------------- export
def _cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.io.export import export_topology
    from cablesim.io.topology import load_topology

    check_writable(args.out, folder=False, name="export file")
    network = load_topology(args.topology)
    path, fmt = export_topology(network, args.out, args.format)
    out.write(f"wrote {path} ({fmt}: {len(network.nodes)} nodes, {len(network.links)} links)\n")
    return 0


# ---------------------------------------------------------------------------- analyze
def _cmd_analyze(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.analytics import analyze
    from cablesim.io.topology import load_topology

    network = load_topology(args.topology)
    statuses = ("existing", "planned") if args.include_planned else ("existing",)
    result = analyze(network, countries=args.country, cut=args.cut, statuses=statuses)
    if args.json:
        json.dump(result, out, indent=1, default=_json_default)
        out.write("\n")
        return 0
    out.write(_format_analysis(result, args.top))
    return 0


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _format_analysis(result: dict[str, Any], top: int) -> str:
    lines = [f"topology {result['topology']}: {result['in_service_links']} links in service "
             f"({', '.join(result['statuses'])}), {len(result['countries'])} countries"]
    rows = result["countries"]
    shown = rows if result["selected"] else rows[:top]
    lines.append("")
    lines.append(f"{'country':<8}{'landings':>9}{'cables':>8}{'intl cables':>12}"
                 f"{'intl Gbps':>12}{'SPOF':>6}  neighbours")
    for r in shown:
        lines.append(f"{r['country']:<8}{r['landing_points']:>9}{r['cables']:>8}"
                     f"{r['international_cables']:>12}{r['international_gbps']:>12,.0f}"
                     f"{len(r['single_points_of_failure']):>6}  "
                     + " ".join(r["neighbours"][:12]) + (" ..." if len(r["neighbours"]) > 12
                                                           else ""))
    if not result["selected"] and len(rows) > top:
        lines.append(f"... {len(rows) - top} more countries (use --json or --country)")
    spof = [s for s in result["single_points_of_failure"]
            if not result["selected"] or s["country"] in result["selected"]]
    lines += ["", f"single points of failure ({len(spof)}): cables whose loss disconnects a "
              "country or halves its international capacity"]
    for s in spof[: (None if result["selected"] else top)]:
        lines.append(f"  {s['country']}  {s['cable']:<45} {s['effect']:<12} "
                     f"{s['gbps_before']:>10,.0f} -> {s['gbps_after']:>10,.0f} Gbps")
    if not result["selected"] and len(spof) > top:
        lines.append(f"  ... {len(spof) - top} more (use --json or --country)")
    if result["pairs"]:
        lines += ["", "country pairs: edge-disjoint paths and minimum cut"]
        for p in result["pairs"]:
            cables = ", ".join(p["min_cut_cables"][:6]) + (" ..." if len(p["min_cut_cables"]) > 6
                                                           else "")
            lines.append(f"  {p['a']}-{p['b']}  disjoint paths {p['edge_disjoint_paths']:>3}  "
                         f"min cut {p['min_cut_gbps']:>12,.0f} Gbps  ({cables})")
    if result["cut"] is not None:
        cut = result["cut"]
        lines += ["", f"cut {', '.join(cut['selectors'])}: {cut['links_removed']} links of "
                  f"{len(cut['cables'])} cables removed"]
        lines.append("  isolated countries: " + (", ".join(cut["isolated"]) or "none"))
        for r in cut["capacity_loss"][:top]:
            lines.append(f"  {r['country']}  {r['gbps_before']:>10,.0f} -> "
                         f"{r['gbps_after']:>10,.0f} Gbps ({100 * r['share_lost']:.0f}% lost)")
        if cut["disconnected_pairs"]:
            lines.append("  selected pairs disconnected: "
                         + ", ".join(f"{a}-{b}" for a, b in cut["disconnected_pairs"]))
    return "\n".join(lines) + "\n"
