"""Run a whole resilience experiment: Monte Carlo, replays and criticality."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cablesim.simulation.config import SimulationExperiment
from cablesim.simulation.engine import PeriodResult, simulate_year
from cablesim.simulation.model import ModelBuilder, SimModel, expected_faults_per_year
from cablesim.simulation.montecarlo import MonteCarloResult, run_monte_carlo
from cablesim.simulation.replay import ReplayRun, check_replays, criticality, run_replay

__all__ = ["SimulationResult", "run_simulation"]

Progress = Callable[[str, int, int], None]


@dataclass
class SimulationResult:
    """Everything a resilience run produced (see :func:`run_simulation`).

    Attributes
    ----------
    sim : SimulationExperiment
        The parsed experiment.
    models : list of SimModel
        The Monte Carlo scenarios.
    monte_carlo : MonteCarloResult or None
        Per-year results (None when no years were run).
    sample_year : list of PeriodResult
        Year 0 of every scenario with hourly time series (for the plots).
    replays : list of ReplayRun
        Every replay on every replay scenario.
    n1, n2 : DataFrame
        Link criticality (see :func:`cablesim.simulation.replay.criticality`).
    link_info : DataFrame
        System, kind, ends and length of every link, indexed by link id.
    timings : dict of str to float
        Seconds per stage.
    notes : list of str
        Assumptions and warnings worth reading with the numbers.
    """

    sim: SimulationExperiment
    models: list[SimModel]
    monte_carlo: MonteCarloResult | None
    sample_year: list[PeriodResult]
    replays: list[ReplayRun]
    n1: pd.DataFrame
    n2: pd.DataFrame
    link_info: pd.DataFrame
    years: int
    seed: int
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_simulation(sim: SimulationExperiment, years: int | None = None, seed: int | None = None,
                   *, workers: int | None = None, scheduler: str | None = None,
                   client: Any = None, progress: Progress | None = None,
                   replays: bool = True, critical: bool = True, router: str = "incremental"
                   ) -> SimulationResult:
    """Run the Monte Carlo, the replays and the criticality ranking of an experiment.

    Parameters
    ----------
    sim : SimulationExperiment
        From :func:`cablesim.simulation.load_simulation`.
    years, seed : int, optional
        Override ``[simulation] years`` and ``seed`` (0 years skips the Monte Carlo).
    workers, scheduler, client
        Where the years run (see :func:`cablesim.simulation.run_monte_carlo`).
    progress : callable, optional
        ``progress(stage, done, total)`` as work completes (stages ``"years"``,
        ``"replays"``, ``"criticality"``).
    replays, critical : bool
        Whether to run the replays and the criticality ranking.
    router : str
        ``"incremental"`` or ``"naive"``.
    """
    settings = sim.settings
    years = settings.years if years is None else int(years)
    seed = settings.seed if seed is None else int(seed)
    timings: dict[str, float] = {}
    notes: list[str] = []
    t = time.perf_counter()
    builder = ModelBuilder(sim)
    if replays:
        check_replays(list(sim.replays), builder.network)
    models = [builder.model(spec) for spec in sim.scenario_specs()]
    timings["models"] = time.perf_counter() - t
    for model in models:
        notes.append(f"{model.scenario}: {model.n_commodities} commodities on "
                     f"{int(model.enabled.sum())} links in service; "
                     f"{expected_faults_per_year(model):.1f} faults expected a year")
        if model.capacitated:
            notes.append(f"{model.scenario}: capacitated; the LP is re-solved after every "
                         f"event for each of {model.slots} time-of-day blocks (slow)")
    mc = None
    if years > 0 and models:
        t = time.perf_counter()
        mc = run_monte_carlo(models, years, seed, warmup_days=settings.warmup_days,
                             workers=workers, scheduler=scheduler, client=client,
                             progress=progress, router=router)
        timings["monte carlo"] = time.perf_counter() - t
    t = time.perf_counter()
    sample = simulate_year(models, seed, 0, warmup_days=settings.warmup_days, router=router,
                           timeseries=True)
    timings["sample year"] = time.perf_counter() - t
    runs: list[ReplayRun] = []
    if replays and sim.replays:
        t = time.perf_counter()
        specs = sim.replay_specs()
        total = len(specs) * len(sim.replays)
        if progress:
            progress("replays", 0, total)
        for replay in sim.replays:
            for spec in specs:
                model = builder.model(spec, replay.network_year)
                run = run_replay(replay, model, builder.network,
                                 margin_days=settings.replay_margin_days, router=router)
                if run.not_in_service:
                    notes.append(f"replay {replay.name} on {spec.name}: not in service, "
                                 f"so not cut: {', '.join(run.not_in_service)}")
                runs.append(run)
                if progress:
                    progress("replays", len(runs), total)
        timings["replays"] = time.perf_counter() - t
    n1 = pd.DataFrame()
    n2 = pd.DataFrame()
    if critical and models:
        t = time.perf_counter()
        ones, twos = [], []
        for i, model in enumerate(models):
            a, b = criticality(model, settings.criticality_top)
            ones.append(a)
            twos.append(b)
            if progress:
                progress("criticality", i + 1, len(models))
        n1 = pd.concat(ones, ignore_index=True)
        n2 = pd.concat(twos, ignore_index=True)
        timings["criticality"] = time.perf_counter() - t
    links = builder.network.links
    info = pd.DataFrame({
        "system": links["system"], "kind": links["kind"], "from_node": links["from_node"],
        "to_node": links["to_node"], "length_km": links["length_km"]})
    info.index.name = "link"
    for frame in (n1,):
        if len(frame):
            joined = frame.join(info[["system", "kind"]], on="link")
            n1 = joined[["scenario", "rank", "link", "system", "kind"]
                        + [c for c in frame.columns if c not in ("scenario", "rank", "link")]]
    return SimulationResult(sim, models, mc, sample, runs, n1, n2, info, years, seed,
                            timings, notes)
