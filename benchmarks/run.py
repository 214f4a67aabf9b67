"""cablesim benchmarks: the engine side by side with plain baselines, in one process.

    python benchmarks/run.py [--quick] [--json] [--repeats N]

Workloads
---------
- ``china_asean``: the flagship experiment end to end (load, demand, all scenarios), and its
  routing kernel (the ``direct`` scenario's demand) against networkx per pair and grouped.
- ``route/M``, ``route/L``: synthetic geographic graphs (1,000 nodes / 3,000 edges and
  5,000 / 15,000) with 50,000 demands (a full mesh among 225 cities); cablesim's grouped
  scipy Dijkstra + vectorised path walk + bincount against networkx per-pair
  ``shortest_path`` with Python-loop load accumulation (measured on a sample of demands and
  scaled linearly, marked ``~``) and networkx grouped by origin; and the bare scipy Dijkstra
  from the same origins, the floor under it (``ratio_to_dijkstra_floor`` = cablesim / floor).
- ``lp/S``: the capacitated router (a path LP solved by column generation priced with the
  shortest-path router, lazy capacity rows, a proven optimality gap) against the exact arc
  formulation aggregated by origin, on 150 nodes / 400 demands: time and optimality gap.
- ``lp/M``: the path LP on 1,000 nodes / 5,000 demands, end to end.
- ``simulation``: ``benchmarks/simulation.py`` (one simulated year and a Monte Carlo batch,
  incremental re-routing against re-routing everything; 2 processes against 1).
- ``global``: ``benchmarks/global_import.py`` on the TeleGeography 2021 snapshot in
  ``../shared/data`` (import, and routing every country pair against networkx per pair);
  skipped, and said so, where the snapshot is absent.

Every figure is the median of ``--repeats`` runs (contenders interleaved round-robin so
that a noisy machine affects them alike). Ratios are baseline time / cablesim time.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import sys
import time
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
GLOBAL_DATA = ROOT.parent / "shared" / "data" / "telegeography-2021"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import highspy  # noqa: E402

import cablesim  # noqa: E402
from _harness import fmt_s, interleaved  # noqa: E402
from cablesim.demand import load_country_indicators  # noqa: E402
from cablesim.experiment import prepare_scenario  # noqa: E402
from cablesim.geo import great_circle_km  # noqa: E402
from cablesim.routing.engine import Commodities, route  # noqa: E402
from cablesim.routing.graph import ArcGraph  # noqa: E402
from cablesim.routing.lp import new_solver  # noqa: E402
from cablesim.routing.paths import arc_loads, shortest_paths  # noqa: E402


# ----------------------------------------------------------------------------- workloads
def synthetic_graph(n_nodes: int, n_edges: int, seed: int) -> tuple[ArcGraph, np.ndarray,
                                                                    np.ndarray, np.ndarray]:
    """Random geographic graph: k-nearest-neighbour links plus long-haul links.

    Points are uniform on the sphere within latitude -60..70; about 80% of the edges join
    nearest neighbours, the rest are random links of 1,500-12,000 km; the graph is made
    connected. Returns the ArcGraph, edge weight (great-circle km x 1.15), capacity
    (log-uniform 100-10,000 Gbps) and node coordinates (n, 2).
    """
    rng = np.random.default_rng(seed)
    z = rng.uniform(math.sin(math.radians(-60)), math.sin(math.radians(70)), n_nodes)
    lat = np.degrees(np.arcsin(z))
    lon = rng.uniform(-180, 180, n_nodes)
    xyz = np.column_stack([np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                           np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
                           np.sin(np.radians(lat))])
    edges: set[tuple[int, int]] = set()
    k = max(2, int(round(0.8 * n_edges / n_nodes)) + 1)
    from scipy.spatial import cKDTree

    tree = cKDTree(xyz)
    _, nearest = tree.query(xyz, k=k + 1)
    for u in range(n_nodes):
        for v in nearest[u, 1:]:
            if len(edges) >= 0.8 * n_edges:
                break
            edges.add((min(u, int(v)), max(u, int(v))))
    while len(edges) < n_edges:
        u, v = (int(x) for x in rng.integers(0, n_nodes, 2))
        if u != v and 1500 <= great_circle_km(lon[u], lat[u], lon[v], lat[v]) <= 12000:
            edges.add((min(u, v), max(u, v)))
    g = nx.Graph()
    g.add_nodes_from(range(n_nodes))
    g.add_edges_from(edges)
    comps = [sorted(c) for c in nx.connected_components(g)]
    for a, b in pairwise(comps):
        edges.add((a[0], b[0]))
    eu = np.array([e[0] for e in sorted(edges)])
    ev = np.array([e[1] for e in sorted(edges)])
    km = np.array([great_circle_km(lon[u], lat[u], lon[v], lat[v])
                   for u, v in zip(eu, ev, strict=True)])
    ids = np.array([f"n{i}" for i in range(n_nodes)], dtype=object)
    graph = ArcGraph(ids, np.array([f"e{i}" for i in range(len(eu))], dtype=object), eu, ev,
                     {x: i for i, x in enumerate(ids)}, {})
    capacity = np.exp(rng.uniform(math.log(100), math.log(10_000), len(eu)))
    return graph, km * 1.15, capacity, np.column_stack([lon, lat])


def mesh_demands(n_nodes: int, n_demands: int, seed: int) -> Commodities:
    """Full mesh among the fewest cities c with c (c - 1) >= n_demands; lognormal Gbps."""
    rng = np.random.default_rng(seed + 1)
    c = int(math.ceil((1 + math.sqrt(1 + 4 * n_demands)) / 2))
    cities = rng.choice(n_nodes, size=c, replace=False)
    pairs = np.array([(a, b) for a in cities for b in cities if a != b])[:n_demands]
    volume = rng.lognormal(mean=math.log(10) - 0.5, sigma=1.0, size=len(pairs))
    return Commodities(pairs[:, 0], np.full(len(pairs), -1), pairs[:, 1], volume)


def to_networkx(graph: ArcGraph, weight: np.ndarray) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    for e, (u, v) in enumerate(zip(graph.edge_u, graph.edge_v, strict=True)):
        if not np.isfinite(weight[e]):  # disabled
            continue
        if not g.has_edge(u, v) or g[u][v]["weight"] > weight[e]:
            g.add_edge(int(u), int(v), weight=float(weight[e]), arc=e)
    return g


# ----------------------------------------------------------------------------- contenders
def cablesim_route(graph: ArcGraph, weight: np.ndarray, com: Commodities) -> np.ndarray:
    csr = graph.csr(weight)
    paths = shortest_paths(graph, csr, com.origin, com.destination)
    return arc_loads(paths, com.volume, 2 * graph.n_edges)


def dijkstra_floor(graph: ArcGraph, weight: np.ndarray, com: Commodities) -> None:
    """The bare scipy Dijkstra from every distinct origin (distances and predecessors) on
    the same CSR: the floor under any router built on it, without paths or loads."""
    dijkstra(graph.csr(weight).matrix, directed=True, indices=np.unique(com.origin),
             return_predecessors=True)


def nx_per_pair(g: nx.Graph, graph: ArcGraph, com: Commodities, rows: np.ndarray) -> np.ndarray:
    load = np.zeros(2 * graph.n_edges)
    m = graph.n_edges
    for i in rows:
        path = nx.shortest_path(g, int(com.origin[i]), int(com.destination[i]), weight="weight")
        for u, v in pairwise(path):
            e = g[u][v]["arc"]
            load[e if graph.edge_u[e] == u else e + m] += com.volume[i]
    return load


def nx_grouped(g: nx.Graph, graph: ArcGraph, com: Commodities) -> np.ndarray:
    load = np.zeros(2 * graph.n_edges)
    m = graph.n_edges
    for s in np.unique(com.origin):
        _, paths = nx.single_source_dijkstra(g, int(s), weight="weight")
        for i in np.flatnonzero(com.origin == s):
            path = paths[int(com.destination[i])]
            for u, v in pairwise(path):
                e = g[u][v]["arc"]
                load[e if graph.edge_u[e] == u else e + m] += com.volume[i]
    return load


def exact_arc_lp(graph: ArcGraph, weight: np.ndarray, capacity: np.ndarray, com: Commodities,
                 penalty: float) -> tuple[float, float]:
    """Exact min-cost multi-commodity flow, arc formulation aggregated by origin.

    Returns (objective including the unmet penalty, unserved Gbps).
    """
    n, m = graph.n_nodes, graph.n_edges
    tail, head = graph.arc_tail, graph.arc_head
    origins, group = np.unique(com.origin, return_inverse=True)
    n_groups, n_dem = len(origins), len(com.origin)
    rows, cols, vals = [], [], []
    for g in range(n_groups):  # arc columns of group g
        base_col, base_row = g * 2 * m, g * n
        arcs = np.arange(2 * m)
        rows += [base_row + tail, base_row + head]
        cols += [base_col + arcs, base_col + arcs]
        vals += [np.ones(2 * m), -np.ones(2 * m)]
    u_col = n_groups * 2 * m + np.arange(n_dem)
    rows += [group * n + com.origin, group * n + com.destination]
    cols += [u_col, u_col]
    vals += [np.ones(n_dem), -np.ones(n_dem)]
    cap_rows = n_groups * n + np.tile(np.arange(2 * m), n_groups)
    rows.append(cap_rows)
    cols.append(np.arange(n_groups * 2 * m))
    vals.append(np.ones(n_groups * 2 * m))
    n_rows, n_cols = n_groups * n + 2 * m, n_groups * 2 * m + n_dem
    a = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n_rows, n_cols))
    rhs = np.zeros(n_groups * n)
    np.add.at(rhs, group * n + com.origin, com.volume)
    np.add.at(rhs, group * n + com.destination, -com.volume)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    arc_w = np.concatenate([weight, weight])
    lp.col_cost_ = np.concatenate([np.tile(arc_w, n_groups), np.full(n_dem, penalty)])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, highspy.kHighsInf)
    cap = np.concatenate([capacity, capacity])
    lp.row_lower_ = np.concatenate([rhs, np.full(2 * m, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([rhs, cap])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    solver = new_solver()
    solver.passModel(lp)
    solver.run()
    x = np.asarray(solver.getSolution().col_value)
    return float(solver.getInfo().objective_function_value), float(x[n_groups * 2 * m:].sum())


# ----------------------------------------------------------------------------- harness
def _print_simulation(sim: dict) -> None:
    print("\nsimulation (experiments/resilience.toml, incremental vs re-route everything):")
    for key in ("one_year", "monte_carlo"):
        r = sim.get(key, {})
        if not r:
            continue
        print(f"  {key:<12} incremental {fmt_s(r['incremental_s']):>9}   naive "
              f"{fmt_s(r['naive_s']):>9}   ratio {r['ratio']:.1f}x   same result: "
              f"{r['same_result']}")
    par = sim.get("monte_carlo_parallel")
    if par:
        print(f"  {'parallel':<12} 1 worker {fmt_s(par['one_worker_s']):>9}   "
              f"{par['workers']} workers {fmt_s(par['workers_s']):>9}   ratio "
              f"{par['ratio_parallel']:.2f}x   bit-identical: {par['bit_identical']}")
        print(f"  {'':<12} ({par['years']} years x {par['scenario_years'] // par['years']} "
              f"scenarios, {par['executor']}; CPU {par['one_worker_cpu_s']:.1f} s vs "
              f"{par['workers_cpu_s']:.1f} s; load average after "
              f"{par['load_average_after'][0]:.2f})")
    if "router_setup_s" in sim:
        print(f"  {'setup':<12} models {fmt_s(sim['build_s'])}, router caches "
              f"{fmt_s(sim['router_setup_s'])} (once per model; forked workers inherit them)")


def _print_route(label: str, r: dict) -> None:
    name = f"{label} {r['nodes']}n/{r['demands']}d"
    print(f"{name:<34}{fmt_s(r['cablesim_s']):>12}"
          f"{'~' + fmt_s(r['networkx_per_pair_s_extrapolated']):>16}"
          f"{r['ratio_vs_networkx_per_pair']:>9.0f}x  networkx per pair")
    print(f"{'':<34}{'':>12}{fmt_s(r['networkx_grouped_s']):>16}"
          f"{r['ratio_vs_networkx_grouped']:>9.1f}x  networkx grouped by origin")
    if "dijkstra_floor_s" in r:
        print(f"{'':<34}{'':>12}{fmt_s(r['dijkstra_floor_s']):>16}"
              f"{r['ratio_to_dijkstra_floor']:>9.2f}x  of the bare scipy Dijkstra (the floor)")


def _print_global(glob: dict) -> None:
    if "skipped" in glob:
        print(f"\nglobal TeleGeography workload skipped: {glob['skipped']}")
        return
    imp, r = glob["import"], glob["routing"]
    print(f"\nglobal TeleGeography 2021 ({imp['cables']} cables -> {imp['nodes']} nodes, "
          f"{imp['links']} links):")
    print(f"{'  import (read + infer + validate)':<34}{fmt_s(imp['read_and_infer_s']):>12}")
    name = f"  route {r['nodes']}n/{r['demands']}d"
    tilde = "~" if r["networkx_per_pair_extrapolated"] else ""
    print(f"{name:<34}{fmt_s(r['cablesim_s']):>12}{tilde + fmt_s(r['networkx_per_pair_s']):>16}"
          f"{r['ratio_vs_networkx_per_pair']:>9.0f}x  networkx per pair")
    if r.get("networkx_grouped_s") is not None:
        print(f"{'':<34}{'':>12}{fmt_s(r['networkx_grouped_s']):>16}"
              f"{r['ratio_vs_networkx_grouped']:>9.1f}x  networkx grouped by origin")


def route_against_networkx(graph: ArcGraph, weight: np.ndarray, com: Commodities,
                           repeats: int, sample: int) -> dict:
    """cablesim's router, networkx per pair (on ``sample`` demands, scaled linearly) and
    grouped by origin, and the bare scipy Dijkstra floor, interleaved; loads are checked
    against both networkx baselines first."""
    g = to_networkx(graph, weight)
    rows = np.random.default_rng(0).choice(len(com.origin), size=min(sample, len(com.origin)),
                                           replace=False)
    # correctness: networkx's loads must match ours on the sample and on every demand
    np.testing.assert_allclose(cablesim_route(graph, weight, com.subset(np.sort(rows))),
                               nx_per_pair(g, graph, com, np.sort(rows)), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(nx_grouped(g, graph, com), cablesim_route(graph, weight, com),
                               rtol=1e-9, atol=1e-6)
    timing = interleaved({
        "cablesim": lambda: cablesim_route(graph, weight, com),
        "nx_per_pair_sample": lambda: nx_per_pair(g, graph, com, rows),
        "dijkstra_floor": lambda: dijkstra_floor(graph, weight, com),
    }, repeats)
    per_pair = timing["nx_per_pair_sample"] * len(com.origin) / len(rows)
    grouped = interleaved({"nx_grouped": lambda: nx_grouped(g, graph, com)},
                          max(1, repeats // 2))["nx_grouped"]
    return {
        "nodes": graph.n_nodes, "edges": int(np.isfinite(weight).sum()),
        "demands": len(com.origin), "origins": int(len(np.unique(com.origin))),
        "cablesim_s": timing["cablesim"],
        "networkx_per_pair_s_extrapolated": per_pair,
        "networkx_grouped_s": grouped,
        "ratio_vs_networkx_per_pair": per_pair / timing["cablesim"],
        "ratio_vs_networkx_grouped": grouped / timing["cablesim"],
        "dijkstra_floor_s": timing["dijkstra_floor"],
        "ratio_to_dijkstra_floor": timing["cablesim"] / timing["dijkstra_floor"],
    }


def bench_routing(label: str, n_nodes: int, n_edges: int, n_demands: int, repeats: int,
                  sample: int, out: dict) -> None:
    graph, weight, _, _ = synthetic_graph(n_nodes, n_edges, seed=n_nodes)
    com = mesh_demands(n_nodes, n_demands, seed=n_nodes)
    out[label] = route_against_networkx(graph, weight, com, repeats, sample)


def bench_lp_small(repeats: int, out: dict) -> None:
    graph, weight, capacity, _ = synthetic_graph(150, 400, seed=150)
    com = mesh_demands(150, 400, seed=150)
    capacity = capacity / 10.0  # make capacity bind somewhere
    free = route(graph, com, weight)
    penalty = 10.0 * float(free.paths.dist[np.isfinite(free.paths.dist)].max()) * 2 + 1.0

    result = route(graph, com, weight, capacity_gbps=capacity)
    from cablesim.routing.engine import _path_weight
    path_cost = _path_weight(result.paths, np.concatenate([weight, weight]))
    # re-solve our candidate LP with the same penalty as the exact LP for a fair gap
    from cablesim.routing.lp import solve_path_lp
    lp = solve_path_lp(result.paths.arcs, result.path_commodity, path_cost, com.volume,
                       np.concatenate([capacity, capacity]), unmet_penalty=penalty)
    ours_obj = float(lp.objective + penalty * lp.unserved.sum())
    exact_obj, exact_unserved = exact_arc_lp(graph, weight, capacity, com, penalty)
    timing = interleaved({
        "path_lp": lambda: route(graph, com, weight, capacity_gbps=capacity),
        "exact_arc_lp": lambda: exact_arc_lp(graph, weight, capacity, com, penalty),
    }, repeats)
    out["lp/S"] = {
        "nodes": 150, "edges": graph.n_edges, "demands": len(com.origin),
        "path_lp_s": timing["path_lp"], "exact_arc_lp_s": timing["exact_arc_lp"],
        "ratio_vs_exact_arc_lp": timing["exact_arc_lp"] / timing["path_lp"],
        "objective_gap": ours_obj / exact_obj - 1.0,
        "proven_gap_bound": float(result.gap_bound),
        "unserved_gbps_path_lp": float(lp.unserved.sum()),
        "unserved_gbps_exact": exact_unserved,
        "offered_gbps": float(com.volume.sum()),
    }


def bench_lp_medium(repeats: int, out: dict) -> None:
    graph, weight, capacity, _ = synthetic_graph(1000, 3000, seed=1000)
    com = mesh_demands(1000, 5000, seed=1000)
    timing = interleaved({"path_lp": lambda: route(graph, com, weight,
                                                   capacity_gbps=capacity)}, repeats)
    r = route(graph, com, weight, capacity_gbps=capacity)
    out["lp/M"] = {"nodes": 1000, "edges": graph.n_edges, "demands": len(com.origin),
                   "path_lp_s": timing["path_lp"],
                   "proven_gap_bound": float(r.gap_bound), "lp_solves": int(r.lp_solves),
                   "unserved_gbps": float(r.unserved.sum()),
                   "offered_gbps": float(com.volume.sum())}


def bench_china_asean(repeats: int, sample: int, out: dict) -> None:
    """The flagship experiment end to end, and its routing kernel against networkx.

    The kernel workload is the ``direct`` scenario's demand (the calibrated gravity matrix,
    its exchange policy applied) on the links in service, without the transit restrictions
    (which a plain networkx graph cannot express): cablesim's grouped router against
    networkx per pair on a sample of demands (scaled linearly) and grouped by origin.
    """
    exp = cablesim.load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    timing = interleaved({"run_experiment": lambda: cablesim.run_experiment(exp)}, repeats)
    stages = cablesim.run_experiment(exp).timings
    network = cablesim.load_topology(exp.topology)
    graph = ArcGraph.from_network(network)
    spec = next(sc for sc in exp.scenarios if sc.name == "direct")
    countries = load_country_indicators(exp.countries) if exp.countries else None
    demand, year = spec.demand.table(network, countries, study=exp.study), spec.demand.year
    prep = prepare_scenario(spec, network, graph, demand, year, exp.path.name)
    com = Commodities(prep.commodities.origin, np.full(len(prep.commodities.origin), -1),
                      prep.commodities.destination, prep.commodities.volume)
    weight = np.where(prep.enabled, prep.weight, np.inf)
    out["china_asean"] = {
        "scenarios": len(exp.scenarios),
        "run_experiment_s": timing["run_experiment"],
        "stages_s": {k: round(v, 4) for k, v in stages.items()},
        "route": route_against_networkx(graph, weight, com, repeats, sample),
    }


def _script_json(name: str, argv: list[str]) -> dict:
    """Run ``benchmarks/<name>.py`` with ``argv`` (which must ask for ``--json``) in this
    process and return the JSON it prints."""
    import contextlib
    import importlib.util
    import io

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" /
                                                  f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = module.main(argv)
    if status:
        raise RuntimeError(f"benchmarks/{name}.py {' '.join(argv)} exited with {status}")
    return json.loads(buffer.getvalue())


def bench_simulation(quick: bool) -> dict:
    """Run benchmarks/simulation.py (one simulated year and a Monte Carlo batch, incremental
    re-routing against re-routing every demand at every event) and return its figures."""
    return _script_json("simulation", ["--json", "--no-capacitated"]
                        + (["--quick"] if quick else []))


def bench_global(quick: bool, repeats: int) -> dict:
    """Run benchmarks/global_import.py on the TeleGeography snapshot (import, gravity demand,
    routing every country pair against networkx) and return its figures."""
    argv = ["--json", "--no-experiment", "--repeats", str(1 if quick else repeats)]
    if quick:
        argv += ["--sample", "300", "--no-grouped"]
    return _script_json("global_import", argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small repeats, M graph only")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--repeats", type=int, default=None, help="runs per median")
    parser.add_argument("--no-global", action="store_true",
                        help="skip the global TeleGeography workload")
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    out: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": len(
            __import__("os").sched_getaffinity(0)), "platform": platform.platform()},
        "repeats": repeats, "quick": args.quick,
    }
    started = time.perf_counter()
    bench_china_asean(repeats, 300 if args.quick else 1000, out)
    bench_routing("route/M", 1000, 3000, 50_000, repeats, 500 if args.quick else 3000, out)
    if not args.quick:
        bench_routing("route/L", 5000, 15_000, 50_000, repeats, 1000, out)
    bench_lp_small(repeats, out)
    bench_lp_medium(repeats, out)
    out["simulation"] = bench_simulation(args.quick)
    if args.no_global:
        out["global"] = {"skipped": "--no-global"}
    elif not (GLOBAL_DATA / "cable" / "cable-geo.json").is_file():
        out["global"] = {"skipped": f"no TeleGeography snapshot at {GLOBAL_DATA}"}
    else:
        out["global"] = bench_global(args.quick, repeats)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["total_s"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"cablesim benchmarks ({'quick, ' if args.quick else ''}median of {repeats}; "
          f"{out['machine']['cpus']} cpus, Python {out['machine']['python']})\n")
    print(f"{'stage':<34}{'cablesim':>12}{'baseline':>16}{'ratio':>10}  baseline")
    c = out["china_asean"]
    print(f"{'china_asean experiment':<34}{fmt_s(c['run_experiment_s']):>12}{'':>16}{'':>10}  "
          f"({c['scenarios']} scenarios end to end)")
    _print_route("china_asean route", c["route"])
    for label in ("route/M", "route/L"):
        if label in out:
            _print_route(label, out[label])
    s = out["lp/S"]
    print(f"{'lp/S 150n/400d path LP':<34}{fmt_s(s['path_lp_s']):>12}"
          f"{fmt_s(s['exact_arc_lp_s']):>16}{s['ratio_vs_exact_arc_lp']:>9.1f}x  exact arc LP"
          f" (gap {100 * s['objective_gap']:+.3f}%; proven <= {100 * s['proven_gap_bound']:.2f}%)")
    mm = out["lp/M"]
    print(f"{'lp/M 1000n/5000d path LP':<34}{fmt_s(mm['path_lp_s']):>12}{'':>16}{'':>10}  "
          f"(proven within {100 * mm['proven_gap_bound']:.2f}% of optimal; unserved "
          f"{mm['unserved_gbps']:.1f} of {mm['offered_gbps']:.0f} Gbps)")
    _print_simulation(out["simulation"])
    _print_global(out["global"])
    print(f"peak memory {out['peak_rss_mib']:.0f} MiB; total {out['total_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
