"""Benchmark of the resilience simulation: incremental re-routing against a naive baseline.

    python benchmarks/simulation.py [--years N] [--parallel-years N] [--repeats R]
                                    [--workers W] [--quick] [--json] [--no-capacitated]

Workloads (experiments/resilience.toml, China-ASEAN topology, 2024 demand):

- ``one year``: one simulated year of the ``regional_hubs`` scenario (SimPy events, faults
  and repairs, diurnal load integrals) with the incremental router (an edge -> commodities
  index; only the demands whose paths touch the changed links are re-routed) and with the
  naive router that re-routes every demand at every event. Both must give the same result.
- ``Monte Carlo``: a batch of N years of the three uncapacitated scenarios (``--quick``:
  the first one) on W local worker processes (default 2), incremental against naive.
- ``Monte Carlo parallel``: a larger batch (``--parallel-years``) of the three scenarios
  with the incremental router on 1 worker against W workers (interleaved), and whether the
  year tables are bit-identical.
- ``capacitated``: one year of ``regional_hubs_capacitated`` (column-generation LP
  re-solved after every change for each time-of-day block), for its per-year figure.

Every single-year figure is the median of ``--repeats`` runs, the contenders interleaved so
that a noisy machine affects them alike. Ratios are naive time / incremental time (and
1-worker time / W-worker time). ``router_setup_s`` is the one-off cost, per model and
process, of the incremental router's model cache (intact routing, search structures,
repair bounds of every link; ``cablesim.simulation.montecarlo.warm_up``, inherited by
forked workers); the one-year figures exclude it (model building, as ``build_s``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cablesim.simulation import (  # noqa: E402
    ModelBuilder,
    load_simulation,
    run_monte_carlo,
    simulate_year,
)


def _cpu() -> float:
    """CPU seconds of this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=8, help="Monte Carlo batch size")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the one-year runs")
    parser.add_argument("--parallel-years", type=int, default=40,
                        help="batch size of the 1-worker / W-worker comparison")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument("--quick", action="store_true",
                        help="2 years of one scenario, 16 parallel years, 1 repeat")
    parser.add_argument("--no-capacitated", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.years, args.repeats, args.parallel_years = 2, 1, 16
    sim = load_simulation(ROOT / "experiments" / "resilience.toml")
    t_build, builder = _time(lambda: ModelBuilder(sim))
    specs = {s.name: s for s in sim.experiment.scenarios}
    models = [builder.model(specs[n]) for n in sim.settings.scenarios]
    seed = sim.settings.seed
    from cablesim.simulation.montecarlo import warm_up

    t_setup, _ = _time(lambda: warm_up(models))
    out: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "topology": {"nodes": builder.graph.n_nodes, "links": builder.graph.n_edges,
                     "commodities": models[0].n_commodities,
                     "links_in_service": int(models[0].enabled.sum())},
        "build_s": t_build, "router_setup_s": t_setup}
    # ---- one year, interleaved
    times: dict[str, list[float]] = {"incremental": [], "naive": []}
    results = {}
    for r in range(args.repeats):
        order = ["incremental", "naive"] if r % 2 == 0 else ["naive", "incremental"]
        for kind in order:
            dt, res = _time(lambda kind=kind: simulate_year(
                models[:1], seed, 0, warmup_days=sim.settings.warmup_days, router=kind))
            times[kind].append(dt)
            results[kind] = res[0]
    inc, naive = results["incremental"], results["naive"]
    same = (abs(inc.unserved_gbph - naive.unserved_gbph) <= 1e-6 * max(1.0, naive.offered_gbph)
            and abs(inc.mean_rtt_ms - naive.mean_rtt_ms) < 1e-9)
    one = {k: statistics.median(v) for k, v in times.items()}
    out["one_year"] = {"scenario": models[0].scenario, "faults": inc.faults,
                       "events": inc.events, "rerouted_incremental": inc.rerouted,
                       "rerouted_naive": naive.rerouted, "incremental_s": one["incremental"],
                       "naive_s": one["naive"], "ratio": one["naive"] / one["incremental"],
                       "same_result": bool(same)}
    # ---- Monte Carlo batch
    mc = {}
    mc_models = models[:1] if args.quick else models
    for kind in ("incremental", "naive"):
        dt, res = _time(lambda kind=kind: run_monte_carlo(mc_models, args.years, seed,
                                                          warmup_days=sim.settings.warmup_days,
                                                          workers=args.workers, router=kind))
        mc[kind] = {"seconds": dt, "scenario_years": args.years * len(mc_models),
                    "years_per_s": args.years / dt, "executor": res.executor,
                    "table": res.year_table()}
    same_mc = bool((mc["incremental"]["table"]["unserved_gbph"]
                    - mc["naive"]["table"]["unserved_gbph"]).abs().max()
                   <= 1e-6 * mc["naive"]["table"]["offered_gbph"].max())
    out["monte_carlo"] = {
        "years": args.years, "scenarios": [m.scenario for m in mc_models],
        "workers": args.workers,
        "incremental_s": mc["incremental"]["seconds"], "naive_s": mc["naive"]["seconds"],
        "incremental_years_per_s": mc["incremental"]["years_per_s"],
        "naive_years_per_s": mc["naive"]["years_per_s"],
        "ratio": mc["naive"]["seconds"] / mc["incremental"]["seconds"],
        "same_result": same_mc}
    # ---- parallel speed-up: the incremental router on one worker against ``--workers``,
    # interleaved (repeats alternate the order), on a batch big enough to amortise the pool
    if args.workers > 1:
        runs: dict[str, list[float]] = {"one": [], "many": []}
        cpu: dict[str, list[float]] = {"one": [], "many": []}
        tables = {}
        for r in range(max(1, args.repeats - 1)):
            order = [("many", args.workers), ("one", 1)]
            for name, w in (order if r % 2 == 0 else order[::-1]):
                before = _cpu()
                dt, res = _time(lambda w=w: run_monte_carlo(models, args.parallel_years, seed,
                                                            warmup_days=sim.settings.warmup_days,
                                                            workers=w, router="incremental"))
                cpu[name].append(_cpu() - before)
                runs[name].append(dt)
                tables[name] = (res.year_table(), res.executor)
        one_s, many_s = statistics.median(runs["one"]), statistics.median(runs["many"])
        out["monte_carlo_parallel"] = {
            "workers": args.workers, "years": args.parallel_years,
            "scenario_years": args.parallel_years * len(models),
            "executor": tables["many"][1], "one_worker_s": one_s, "workers_s": many_s,
            "ratio_parallel": one_s / many_s,
            # CPU seconds (this process and its workers): on a shared machine the wall
            # ratio also depends on what else runs; the load averages say how busy it was
            "one_worker_cpu_s": statistics.median(cpu["one"]),
            "workers_cpu_s": statistics.median(cpu["many"]),
            "load_average_after": os.getloadavg(),
            "bit_identical": bool(tables["one"][0].equals(tables["many"][0]))}
    if not args.no_capacitated and "regional_hubs_capacitated" in specs:
        cap = builder.model(specs["regional_hubs_capacitated"])
        dt, res = _time(lambda: simulate_year([cap], seed, 0,
                                              warmup_days=sim.settings.warmup_days))
        out["capacitated_one_year"] = {"scenario": cap.scenario, "seconds": dt,
                                       "events": res[0].events, "lp_solves": res[0].lp_solves,
                                       "unserved_pct": 100 * res[0].unserved_share}
    if args.json:
        print(json.dumps(out, indent=2, default=float))
        return 0
    o = out["one_year"]
    m = out["monte_carlo"]
    print(f"China-ASEAN: {out['topology']['links']} links ({out['topology']['links_in_service']}"
          f" in service), {out['topology']['commodities']} commodities; load average "
          f"{out['machine']['load_average'][0]:.2f} on {out['machine']['cores']} cores")
    print(f"router model cache (once per model and process): {out['router_setup_s']:.3f} s"
          f" for {len(models)} models")
    print(f"\none simulated year of {o['scenario']} ({o['faults']} faults, {o['events']} events;"
          f" median of {args.repeats}):")
    print(f"  {'router':<14}{'seconds':>10}{'years/s':>10}{'re-routed':>12}")
    print(f"  {'incremental':<14}{o['incremental_s']:>10.3f}{1 / o['incremental_s']:>10.3f}"
          f"{o['rerouted_incremental']:>12,}")
    print(f"  {'naive':<14}{o['naive_s']:>10.3f}{1 / o['naive_s']:>10.3f}"
          f"{o['rerouted_naive']:>12,}")
    print(f"  ratio naive/incremental: {o['ratio']:.2f}x; same result: {o['same_result']}")
    print(f"\nMonte Carlo: {m['years']} years x {len(m['scenarios'])} scenarios on "
          f"{m['workers']} worker processes:")
    print(f"  {'router':<14}{'seconds':>10}{'years/s':>10}")
    print(f"  {'incremental':<14}{m['incremental_s']:>10.2f}{m['incremental_years_per_s']:>10.3f}")
    print(f"  {'naive':<14}{m['naive_s']:>10.2f}{m['naive_years_per_s']:>10.3f}")
    print(f"  ratio naive/incremental: {m['ratio']:.2f}x; same result: {m['same_result']}")
    if "monte_carlo_parallel" in out:
        p = out["monte_carlo_parallel"]
        print(f"\nMonte Carlo, {p['years']} years x {len(models)} scenarios, incremental: "
              f"1 worker {p['one_worker_s']:.2f} s, {p['workers']} workers "
              f"{p['workers_s']:.2f} s ({p['executor']}): {p['ratio_parallel']:.2f}x; "
              f"bit-identical: {p['bit_identical']}; CPU {p['one_worker_cpu_s']:.2f} s vs "
              f"{p['workers_cpu_s']:.2f} s; load average after "
              f"{p['load_average_after'][0]:.2f}")
    if "capacitated_one_year" in out:
        c = out["capacitated_one_year"]
        print(f"\ncapacitated: one year of {c['scenario']}: {c['seconds']:.1f} s "
              f"({c['events']} events, {c['lp_solves']} LP solves)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
