"""Capacitated router benchmark: time, LP solves, proven gap and gap to the exact arc LP.

    python benchmarks/lp.py [--baseline REV] [--repeats N] [--only M,S,...] [--json]

Workloads (synthetic graphs and meshes of ``benchmarks/run.py``):

- ``M``: 1,000 nodes / 3,000 edges / 5,000 demands, capacity as generated (the runner's
  ``lp/M``); ``M/2``, ``M*2``: the same with capacity halved / doubled; ``M'``: another seed.
- ``S``: 150 nodes / 400 edges / 400 demands, capacity / 10 (the runner's ``lp/S``);
  ``S/2``, ``S*2``, ``S'``: variants. On these the exact arc formulation is solved too, and
  the gap of ``route`` to it is reported (same unmet penalty on both sides).

With ``--baseline REV``, ``routing/engine.py`` and ``routing/lp.py`` as of git revision REV
are loaded side by side with the working tree's and timed interleaved in the same process.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import types
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _harness import fmt_s, interleaved  # noqa: E402
from cablesim.routing import engine  # noqa: E402
from run import exact_arc_lp, mesh_demands, synthetic_graph  # noqa: E402

WORKLOADS = {
    # name: (nodes, edges, demands, seed, capacity factor)
    "M": (1000, 3000, 5000, 1000, 1.0),
    "M/2": (1000, 3000, 5000, 1000, 0.5),
    "M*2": (1000, 3000, 5000, 1000, 2.0),
    "M'": (1000, 3000, 5000, 2024, 1.0),
    "S": (150, 400, 400, 150, 0.1),
    "S/2": (150, 400, 400, 150, 0.05),
    "S*2": (150, 400, 400, 150, 0.2),
    "S'": (150, 400, 400, 151, 0.1),
}


def load_baseline(rev: str) -> types.ModuleType:
    """``cablesim.routing.engine`` as of ``rev``, with its own ``lp`` module."""
    def module(name: str, path: str, patch: dict[str, str]) -> types.ModuleType:
        text = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        for old, new in patch.items():
            text = text.replace(old, new)
        spec = importlib.util.spec_from_loader(name, loader=None)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        exec(compile(text, f"{rev}:{path}", "exec"), mod.__dict__)
        return mod

    module("baseline_lp", "src/cablesim/routing/lp.py", {})
    return module("baseline_engine", "src/cablesim/routing/engine.py",
                  {"from cablesim.routing.lp import": "from baseline_lp import"})


def objective(result, weight: np.ndarray, penalty: float) -> float:
    cost = engine._path_weight(result.paths.arcs, np.concatenate([weight, weight]))
    return float(cost @ result.path_flow + penalty * result.unserved.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=None, help="git revision to compare against")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    routers = {"new": engine}
    if args.baseline:
        routers = {"base": load_baseline(args.baseline), "new": engine}
    out: dict[str, dict] = {}
    for name in args.only.split(","):
        n, e, d, seed, factor = WORKLOADS[name]
        graph, weight, capacity, _ = synthetic_graph(n, e, seed=seed)
        com = mesh_demands(n, d, seed=seed)
        capacity = capacity * factor
        row: dict[str, object] = {}
        runs = {k: partial(mod.route, graph, com, weight, capacity_gbps=capacity)
                for k, mod in routers.items()}
        timing = interleaved(runs, args.repeats)
        exact = None
        if n <= 300:  # the route's own penalty: ten times the costliest least-weight path
            free = engine.route(graph, com, weight)
            penalty = 10.0 * float(free.paths.dist[np.isfinite(free.paths.dist)].max()) + 1
            exact, _ = exact_arc_lp(graph, weight, capacity, com, penalty)
        for k, run in runs.items():
            r = run()
            cap2 = np.concatenate([capacity, capacity])
            entry = {"s": timing[k], "lp_solves": int(r.lp_solves),
                     "proven_gap": float(r.gap_bound), "converged": bool(r.converged),
                     "unserved": float(r.unserved.sum()),
                     "max_overload": float(np.max(r.arc_load - cap2)),
                     "accounting": float(np.abs(r.served + r.unserved - com.volume).max())}
            if exact is not None:
                entry["gap_vs_exact"] = objective(r, weight, penalty) / exact - 1.0
            row[k] = entry
        out[name] = row
        if not args.json:
            for k, v in row.items():
                extra = (f" vs exact {100 * v['gap_vs_exact']:+.4f}%"
                         if "gap_vs_exact" in v else "")
                print(f"{name:4} {k:5} {fmt_s(v['s']):>9}  solves {v['lp_solves']:2}  proven "
                      f"{100 * v['proven_gap']:.3f}%{extra}  unserved {v['unserved']:.1f}  "
                      f"overload {v['max_overload']:+.1e}", flush=True)
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
