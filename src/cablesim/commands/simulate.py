"""``cablesim simulate``: the discrete-event resilience simulation of an experiment.

    cablesim simulate experiments/resilience.toml [--years N] [--seed S] [--out DIR]
                      [--workers N | --scheduler ADDRESS] [--no-replays]
                      [--no-criticality] [--no-plots] [--naive]

Prints a progress bar on standard error (``rich`` when installed, else plain lines) and the
report (``simulation.md``) on standard output.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, TextIO

__all__ = ["register"]


class _Progress:
    """Progress display on ``err``: a rich bar when possible, else one line per 10%."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.rich: Any = None
        self.tasks: dict[str, Any] = {}
        self.last: dict[str, int] = {}
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
        except ImportError:
            return
        console = Console(file=err, stderr=True)
        self.rich = Progress(TextColumn("{task.description:<12}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                             console=console, transient=False, auto_refresh=False)
        # no refresh thread (redrawn on each update): with no other thread running, the
        # Monte Carlo pool may fork its workers (see cablesim.simulation.montecarlo)

    def __enter__(self) -> _Progress:
        if self.rich is not None:
            self.rich.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.rich is not None:
            self.rich.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.rich is not None:
            if stage not in self.tasks:
                self.tasks[stage] = self.rich.add_task(stage, total=total)
            self.rich.update(self.tasks[stage], completed=done, total=total)
            self.rich.refresh()
            return
        step = max(1, total // 10)
        if done == total or done - self.last.get(stage, -step) >= step:
            self.last[stage] = done
            self.err.write(f"  {stage:<12} {done}/{total}\n")


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _handler(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.simulation import load_simulation
    from cablesim.simulation.report import simulation_folder

    sim = load_simulation(args.experiment)
    out_dir = Path(args.out) if args.out else Path("results") / sim.name
    years = sim.settings.years if args.years is None else args.years
    seed = sim.settings.seed if args.seed is None else args.seed
    writer = simulation_folder(sim, out_dir, force=args.force, parameters={
        "years": years, "seed": seed, "plots": not args.no_plots,
        "replays": not args.no_replays, "criticality": not args.no_criticality})
    with writer.open() as folder:  # checked and locked before any computing
        return _simulate(args, sim, years, seed, folder, out, err)


def _simulate(args: argparse.Namespace, sim: Any, years: int, seed: int, folder: Any,
              out: TextIO, err: TextIO) -> int:
    from cablesim.simulation import run_simulation, write_simulation

    out_dir = folder.folder
    where = (f"dask scheduler {args.scheduler}" if args.scheduler else
             f"{args.workers} local processes" if args.workers else "local cores")
    err.write(f"simulating {sim.name}: {years} years (seed {seed}) on {where}, "
              f"{len(sim.replays)} replays\n")
    start = time.perf_counter()
    with _Progress(err) as progress:
        result = run_simulation(sim, years, seed, workers=args.workers,
                                scheduler=args.scheduler, progress=progress,
                                replays=not args.no_replays, critical=not args.no_criticality,
                                router="naive" if args.naive else "incremental")
    for stage, seconds in result.timings.items():
        err.write(f"  {stage:<45} {seconds:8.3f} s\n")
    mc = result.monte_carlo
    if mc is not None and mc.seconds > 0:
        err.write(f"  {'years per second':<45} {len(mc.years) / mc.seconds:8.3f}\n")
    files = write_simulation(result, folder, plots=not args.no_plots)
    err.write(f"  {'total':<45} {time.perf_counter() - start:8.3f} s\n")
    out.write((out_dir / "simulation.md").read_text())
    err.write(f"wrote {len(files)} files to {out_dir}\n")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``simulate`` sub-command."""
    p = subparsers.add_parser(
        "simulate", help="discrete-event resilience simulation (faults, repairs, replays)",
        description="Simulate random faults and repairs over many years (Monte Carlo with "
        "confidence intervals), replay the experiment's historical cuts and rank the most "
        "critical links; write CSV tables, PNG time series and simulation.md.")
    p.add_argument("experiment", help="experiment file with a [simulation] table, e.g. "
                   "experiments/resilience.toml")
    p.add_argument("--years", type=_positive, help="simulated years (default: the file's)")
    p.add_argument("--seed", type=_positive, help="random seed (default: the file's)")
    p.add_argument("--out", help="output folder (default results/<experiment name>)")
    p.add_argument("--force", action="store_true",
                   help="replace results of other inputs or settings in the output folder")
    p.add_argument("--workers", type=_positive,
                   help="local worker processes (default: one per core; 1: no pool)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the years on a dask.distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--no-replays", action="store_true", help="skip the replays")
    p.add_argument("--no-criticality", action="store_true", help="skip the N-1/N-2 ranking")
    p.add_argument("--no-plots", action="store_true", help="do not draw the PNG plots")
    p.add_argument("--naive", action="store_true",
                   help="re-route every demand at every event (the slow baseline)")
    p.set_defaults(handler=_handler)
