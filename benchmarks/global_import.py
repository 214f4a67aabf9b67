"""Global benchmark: import the full TeleGeography snapshot and route the global demand.

    python benchmarks/global_import.py [--data DIR] [--repeats N] [--sample N]
                                       [--full-baseline] [--no-experiment] [--map FILE]
                                       [--json]

Stages, each timed (median of ``--repeats`` runs where repeated):

1. **import**: :func:`cablesim.io.telegeography.read_telegeography` on the snapshot (read
   the JSON, infer every cable's segments, validate the topology), then writing the
   folder and loading it back with :func:`cablesim.load_topology`;
2. **demand**: the global gravity matrix (:func:`cablesim.demand.global_gravity_demand`)
   between every country's city node;
3. **routing**: every demand on its least-latency path over the links in service, with
   cablesim's engine (grouped scipy Dijkstra, vectorised path walk, ``bincount`` loads),
   against a plain networkx baseline in the same run: ``nx.shortest_path`` per pair with a
   Python loop accumulating link loads (measured on ``--sample`` random demands and scaled
   linearly, marked ``~``, unless ``--full-baseline``), and networkx grouped by origin
   (``single_source_dijkstra``). Ratios are baseline time / cablesim time; the baselines'
   total weighted latency is checked against cablesim's;
4. **experiment** (unless ``--no-experiment``): the scenario engine end to end on the
   imported topology (``direct``, ``us_exchange`` and ``global_hubs`` policies, as in
   ``experiments/global.toml``) with the time of each stage; ``--map FILE`` draws the
   world map of the ``direct`` scenario.

The snapshot defaults to ``../shared/data/telegeography-2021`` (relative to the repository
root); nothing is written outside a temporary folder except the ``--map`` file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import cablesim  # noqa: E402
from _harness import fmt_s, interleaved  # noqa: E402
from cablesim.demand import global_gravity_demand, write_demand_csv  # noqa: E402
from cablesim.io.telegeography import read_telegeography  # noqa: E402
from cablesim.routing.engine import Commodities, route  # noqa: E402
from cablesim.routing.graph import ArcGraph  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "telegeography-2021"
YEAR = 2021

EXPERIMENT = """\
[experiment]
name = "global_benchmark"
topology = "topology"

[demand]
model = "csv"
path = "topology/gravity_demand.csv"
year = {year}
base_year = {year}

[[scenario]]
name = "direct"
policy = "direct"

[[scenario]]
name = "us_exchange"
policy = {{ rules = [{{ traffic = "*", exchange = ["city:USA"] }}] }}

[[scenario]]
name = "global_hubs"
policy = {{ rules = [{{ traffic = "*", exchange = ["city:USA", "city:GBR", "city:NLD", \
"city:DEU", "city:FRA", "city:SGP", "city:HKG", "city:JPN", "city:BRA", "city:ZAF", \
"city:ARE", "city:AUS"] }}] }}
"""


# ----------------------------------------------------------------------------- harness
# ----------------------------------------------------------------------------- routing
def in_service(network: cablesim.Network) -> np.ndarray:
    """Existing and planned links with an RFS year up to YEAR (as the scenario engine)."""
    links = network.links
    rfs = links["rfs_year"].astype("Float64").fillna(-np.inf).to_numpy(dtype=float)
    return links["status"].isin(["existing", "planned"]).to_numpy() & (rfs <= YEAR)


def to_networkx(graph: ArcGraph, weight: np.ndarray, enabled: np.ndarray) -> nx.Graph:
    """Plain networkx graph: the cheapest enabled edge per node pair."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    for e in np.flatnonzero(enabled):
        u, v = int(graph.edge_u[e]), int(graph.edge_v[e])
        if not g.has_edge(u, v) or g[u][v]["weight"] > weight[e]:
            g.add_edge(u, v, weight=float(weight[e]), arc=int(e))
    return g


def cablesim_route(graph: ArcGraph, weight: np.ndarray, enabled: np.ndarray,
                   com: Commodities) -> tuple[np.ndarray, float]:
    result = route(graph, com, weight, enabled)
    arcs = result.paths.arcs
    mask = arcs >= 0
    path_w = np.where(mask, weight[graph.arc_edge(np.where(mask, arcs, 0))], 0.0).sum(axis=1)
    return result.arc_load, float(np.sum(path_w * result.served))


def nx_per_pair(g: nx.Graph, graph: ArcGraph, com: Commodities,
                rows: np.ndarray) -> tuple[np.ndarray, float]:
    load = np.zeros(2 * graph.n_edges)
    m = graph.n_edges
    total = 0.0
    for i in rows:
        try:
            path = nx.shortest_path(g, int(com.origin[i]), int(com.destination[i]),
                                    weight="weight")
        except nx.NetworkXNoPath:
            continue
        for u, v in itertools.pairwise(path):
            e = g[u][v]["arc"]
            load[e if graph.edge_u[e] == u else e + m] += com.volume[i]
            total += g[u][v]["weight"] * com.volume[i]
    return load, total


def nx_grouped(g: nx.Graph, graph: ArcGraph, com: Commodities) -> tuple[np.ndarray, float]:
    load = np.zeros(2 * graph.n_edges)
    m = graph.n_edges
    total = 0.0
    for s in np.unique(com.origin):
        dist, paths = nx.single_source_dijkstra(g, int(s), weight="weight")
        for i in np.flatnonzero(com.origin == s):
            d = int(com.destination[i])
            if d not in paths:
                continue
            path = paths[d]
            total += dist[d] * com.volume[i]
            for u, v in itertools.pairwise(path):
                e = g[u][v]["arc"]
                load[e if graph.edge_u[e] == u else e + m] += com.volume[i]
    return load, total


# ----------------------------------------------------------------------------- stages
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="TeleGeography folder")
    parser.add_argument("--repeats", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--sample", type=int, default=2000,
                        help="demands timed for the networkx per-pair baseline (default 2000)")
    parser.add_argument("--full-baseline", action="store_true",
                        help="time networkx per pair on every demand (slow)")
    parser.add_argument("--no-experiment", action="store_true",
                        help="skip the scenario-engine run")
    parser.add_argument("--no-grouped", action="store_true",
                        help="skip the networkx grouped-by-origin baseline")
    parser.add_argument("--map", help="write the world map of the direct scenario (PNG/SVG/PDF)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "cable" / "cable-geo.json").is_file():
        print(f"no TeleGeography data at {data} (give --data)", file=sys.stderr)
        return 2
    out: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": len(
            __import__("os").sched_getaffinity(0)), "platform": platform.platform()},
        "repeats": args.repeats, "data": str(data),
    }
    started = time.perf_counter()
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr))

    # 1. import
    log("importing ...")
    holder: dict[str, object] = {}

    def do_import() -> None:
        holder["result"] = read_telegeography(data, snapshot_label="2021-06")

    timing = interleaved({"import": do_import}, args.repeats)
    result = holder["result"]
    rep = result.report
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "topology"
        t = time.perf_counter()
        cablesim.save_topology(result.network, folder)
        save_s = time.perf_counter() - t
        t = time.perf_counter()
        network = cablesim.load_topology(folder)
        load_s = time.perf_counter() - t
        out["import"] = {
            "cables": rep["counts"]["cables"], "outcomes": rep["cables_by_outcome"],
            "fallbacks": rep["fallbacks"], "nodes": len(network.nodes),
            "links": len(network.links), "read_and_infer_s": timing["import"],
            "stages_s": rep["timings_s"], "save_s": save_s, "load_topology_s": load_s}

        # 2. demand
        log("demand ...")
        t = time.perf_counter()
        demand = global_gravity_demand(network)
        demand_s = time.perf_counter() - t
        write_demand_csv(demand, folder / "gravity_demand.csv")
        out["demand"] = {"pairs": len(demand), "countries": int(demand["origin"].nunique()),
                         "total_gbps": float(demand["gbps"].sum()), "seconds": demand_s}

        # 3. routing: cablesim against networkx
        log("routing ...")
        graph = ArcGraph.from_network(network)
        weight = (network.links["latency_ms"].to_numpy(dtype=float)
                  + 1e-6 * network.links["price_usd_per_mbps_month"].to_numpy(dtype=float))
        enabled = in_service(network)
        com = Commodities(graph.nodes_of(list(demand["origin"])), np.full(len(demand), -1),
                          graph.nodes_of(list(demand["destination"])),
                          demand["gbps"].to_numpy(dtype=float))
        g = to_networkx(graph, weight, enabled)
        rng = np.random.default_rng(0)
        rows = (np.arange(len(demand)) if args.full_baseline else
                np.sort(rng.choice(len(demand), size=min(args.sample, len(demand)),
                                   replace=False)))
        _, ours_total = cablesim_route(graph, weight, enabled, com)
        _, sub_total = cablesim_route(graph, weight, enabled, com.subset(rows))
        _, nx_total = nx_per_pair(g, graph, com, rows)
        checks = {"per_pair_sample_rel_diff": abs(nx_total - sub_total) / max(sub_total, 1e-12)}
        if not args.no_grouped:
            _, grouped_total = nx_grouped(g, graph, com)
            checks["grouped_rel_diff"] = abs(grouped_total - ours_total) / max(ours_total, 1e-12)
        timing = interleaved({
            "cablesim": lambda: cablesim_route(graph, weight, enabled, com),
            "nx_per_pair": lambda: nx_per_pair(g, graph, com, rows),
        }, args.repeats)
        per_pair = timing["nx_per_pair"] * len(demand) / len(rows)
        grouped = (None if args.no_grouped else
                   interleaved({"nx_grouped": lambda: nx_grouped(g, graph, com)},
                               max(1, args.repeats // 2))["nx_grouped"])
        out["routing"] = {
            "nodes": graph.n_nodes, "edges": int(enabled.sum()), "demands": len(demand),
            "origins": int(len(np.unique(com.origin))), "cablesim_s": timing["cablesim"],
            "networkx_per_pair_s": per_pair,
            "networkx_per_pair_extrapolated": not args.full_baseline,
            "networkx_per_pair_sample": int(len(rows)),
            "networkx_grouped_s": grouped,
            "ratio_vs_networkx_per_pair": per_pair / timing["cablesim"],
            "ratio_vs_networkx_grouped": (None if grouped is None
                                          else grouped / timing["cablesim"]),
            "checks": checks}
        if max(checks.values()) > 1e-9:
            print(f"warning: baselines disagree with cablesim: {checks}", file=sys.stderr)

        # 4. the scenario engine end to end
        if not args.no_experiment:
            log("experiment ...")
            toml = Path(tmp) / "global_benchmark.toml"
            toml.write_text(EXPERIMENT.format(year=YEAR))
            exp = cablesim.load_experiment(toml)
            t = time.perf_counter()
            res = cablesim.run_experiment(exp)
            run_s = time.perf_counter() - t
            rows_ = res.scenarios.set_index("scenario")
            out["experiment"] = {
                "scenarios": len(exp.scenarios), "run_experiment_s": run_s,
                "stages_s": {k: round(v, 3) for k, v in res.timings.items()},
                "mean_rtt_ms": {k: round(float(v), 1) for k, v in rows_["mean_rtt_ms"].items()},
                "unserved_gbps": {k: round(float(v), 1)
                                  for k, v in rows_["unserved_gbps"].items()}}
            if args.map:
                from cablesim.plot._figure import save_figure
                from cablesim.plot.maps import plot_scenario

                t = time.perf_counter()
                fig = plot_scenario(res, "direct", extent="world", network=network,
                                    title="World cable map (TeleGeography 2021): gravity "
                                          "demand between countries, direct routing")
                save_figure(fig, args.map)
                out["map"] = {"file": args.map, "seconds": time.perf_counter() - t}
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["total_s"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(out, indent=2, default=str))
        return 0
    imp, dem, r = out["import"], out["demand"], out["routing"]
    print(f"global benchmark: TeleGeography snapshot {data} (median of {args.repeats}; "
          f"{out['machine']['cpus']} cpus, Python {out['machine']['python']})\n")
    print(f"{'stage':<40}{'cablesim':>12}{'baseline':>16}{'ratio':>10}  baseline")
    print(f"{'import: read + infer + validate':<40}{fmt_s(imp['read_and_infer_s']):>12}"
          f"{'':>16}{'':>10}  ({imp['cables']} cables -> {imp['nodes']} nodes, "
          f"{imp['links']} links)")
    print(f"{'  of which segment inference':<40}{fmt_s(imp['stages_s']['segments']):>12}")
    print(f"{'  of which validation (Network)':<40}{fmt_s(imp['stages_s']['validate']):>12}")
    print(f"{'save topology folder':<40}{fmt_s(imp['save_s']):>12}")
    print(f"{'load_topology (validate again)':<40}{fmt_s(imp['load_topology_s']):>12}")
    print(f"{'gravity demand':<40}{fmt_s(dem['seconds']):>12}{'':>16}{'':>10}  "
          f"({dem['pairs']:,} pairs, {dem['countries']} countries)")
    tilde = "~" if r["networkx_per_pair_extrapolated"] else ""
    name = f"route {r['nodes']}n/{r['demands']:,}d"
    print(f"{name:<40}{fmt_s(r['cablesim_s']):>12}"
          f"{tilde + fmt_s(r['networkx_per_pair_s']):>16}"
          f"{r['ratio_vs_networkx_per_pair']:>9.0f}x  networkx per pair"
          + (f" ({r['networkx_per_pair_sample']} sampled)" if tilde else ""))
    if r["networkx_grouped_s"] is not None:
        print(f"{'':<40}{'':>12}{fmt_s(r['networkx_grouped_s']):>16}"
              f"{r['ratio_vs_networkx_grouped']:>9.1f}x  networkx grouped by origin")
    if "experiment" in out:
        e = out["experiment"]
        print(f"{'experiment (3 policies, end to end)':<40}{fmt_s(e['run_experiment_s']):>12}")
        for stage, seconds in e["stages_s"].items():
            print(f"{'  ' + stage:<40}{fmt_s(seconds):>12}")
        print("  mean RTT ms: " + ", ".join(f"{k} {v}" for k, v in e["mean_rtt_ms"].items()))
    if "map" in out:
        print(f"{'world map':<40}{fmt_s(out['map']['seconds']):>12}  -> {out['map']['file']}")
    print("\nchecks: total weighted latency, networkx vs cablesim (relative): "
          + ", ".join(f"{k} {v:.1e}" for k, v in r["checks"].items()))
    print(f"peak memory {out['peak_rss_mib']:.0f} MiB; total {out['total_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
