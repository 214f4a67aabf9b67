"""Discrete-event resilience simulation: faults, repairs, diurnal load, replays, Monte Carlo.

Builds on the scenario engine: a resilience experiment is an experiment TOML file (see
:mod:`cablesim.experiment`) with a ``[simulation]`` table and ``[[replay]]`` tables (see
:mod:`cablesim.simulation.config` and docs/simulation.md)::

    from cablesim.simulation import load_simulation, run_simulation, write_simulation

    sim = load_simulation("experiments/resilience.toml")
    result = run_simulation(sim, years=20, seed=1)        # local cores; or scheduler=...
    write_simulation(result, "results/resilience")

Lower-level pieces: :func:`build_models` (one :class:`SimModel` per scenario),
:func:`simulate_year` / :func:`simulate` (one period under a fault :class:`Schedule`),
:func:`run_monte_carlo`, :func:`run_replay` and :func:`criticality`.
"""

from cablesim.simulation.config import (
    DiurnalCurve,
    FaultRates,
    RepairModel,
    RepairRegion,
    Replay,
    ReplayStage,
    SimulationExperiment,
    SimulationSettings,
    load_simulation,
)
from cablesim.simulation.engine import (
    PeriodResult,
    Schedule,
    sample_schedule,
    simulate,
    simulate_year,
    year_seed,
)
from cablesim.simulation.model import ModelBuilder, SimModel, build_models, link_faults
from cablesim.simulation.montecarlo import MonteCarloResult, confidence_interval, run_monte_carlo
from cablesim.simulation.replay import ReplayRun, criticality, run_replay
from cablesim.simulation.report import write_simulation
from cablesim.simulation.routers import CapacitatedRouter, IncrementalRouter, make_router
from cablesim.simulation.run import SimulationResult, run_simulation

__all__ = [
    "load_simulation", "run_simulation", "write_simulation", "SimulationExperiment",
    "SimulationSettings", "SimulationResult", "FaultRates", "RepairModel", "RepairRegion",
    "DiurnalCurve", "Replay", "ReplayStage", "SimModel", "ModelBuilder", "build_models",
    "link_faults", "Schedule", "PeriodResult", "sample_schedule", "simulate", "simulate_year",
    "year_seed", "MonteCarloResult", "run_monte_carlo", "confidence_interval", "ReplayRun",
    "run_replay", "criticality", "IncrementalRouter", "CapacitatedRouter", "make_router",
]
