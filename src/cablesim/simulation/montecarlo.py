"""Monte Carlo over simulated years: local process pool or a Dask cluster, same results.

Year ``y`` of a run seeded ``s`` samples its faults from :func:`~cablesim.simulation.engine.
year_seed` ``(s, y)`` and simulates every scenario under them; nothing else is random, and
results are gathered in year order, so the tables are bit-identical whether the years run in
this process, in a ``concurrent.futures.ProcessPoolExecutor`` (the default, one worker per
core) or on a ``dask.distributed`` cluster (``scheduler="tcp://host:8786"`` or an existing
``client``). Each worker receives the prepared scenario models once (pool initializer, or one
``client.scatter(..., broadcast=True)``).

On Linux the local pool forks (when no other Python thread runs and no scenario is
capacitated, whose LP solver keeps native threads): the workers inherit the imported modules,
the models and the routers' model caches (built once here, before the pool starts) instead
of importing everything and unpickling the models; otherwise it uses ``forkserver``. The
caches hold only functions of the model, so results do not depend on the start method.

Confidence intervals are two-sided 95% Student-t intervals of the mean over years, clipped
to the metric's valid range (e.g. availability at most 100%).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cablesim.simulation.engine import PeriodResult, simulate_year, simulate_year_of, year_seed
from cablesim.simulation.model import HOURS_PER_YEAR, SimModel

__all__ = ["MonteCarloResult", "run_monte_carlo", "confidence_interval", "default_workers"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``."""


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def confidence_interval(values: np.ndarray, level: float = 0.95, *, axis: int = 0,
                        low: float | None = None, high: float | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t confidence interval of the mean along ``axis``, the bounds
    clipped to ``[low, high]`` (the metric's valid range) where given."""
    from scipy.special import stdtrit  # the Student t quantile (lighter than scipy.stats)

    values = np.asarray(values, dtype=float)
    n = values.shape[axis]
    mean = values.mean(axis=axis)
    if n < 2:
        nan = np.full_like(mean, np.nan, dtype=float)
        return mean, nan, nan
    sd = values.std(axis=axis, ddof=1)
    half = float(stdtrit(n - 1, 0.5 + level / 2.0)) * sd / math.sqrt(n)
    lo, hi = mean - half, mean + half
    if low is not None:
        lo = np.maximum(lo, low)
    if high is not None:
        hi = np.minimum(hi, high)
    return mean, lo, hi


# ----------------------------------------------------------------------------- workers
_WORKER: dict[str, Any] = {}


def pool_context(models: Sequence[SimModel]) -> tuple[Any, str]:
    """The start method for local workers: ``fork`` where safe (see the module docstring),
    else ``forkserver`` (``spawn`` off POSIX)."""
    if (os.name == "posix" and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1 and not any(m.capacitated for m in models)):
        return multiprocessing.get_context("fork"), "fork"
    method = "forkserver" if os.name == "posix" else "spawn"
    return multiprocessing.get_context(method), method


def warm_up(models: Sequence[SimModel]) -> None:
    """Build the routers' model caches now (intact routing, search structures, repair
    bounds of every link that can fail), so that forked workers inherit them."""
    from cablesim.simulation._fastroute import model_cache
    from cablesim.simulation.routers import IncrementalRouter

    for model in models:
        IncrementalRouter(model)
        model_cache(model).prepare(model)


def _init_worker(models: list[SimModel], seed: int, warmup_days: float, router: str) -> None:
    _WORKER.update(models=models, seed=seed, warmup_days=warmup_days, router=router)


def _strip(results: list[PeriodResult]) -> list[PeriodResult]:
    for r in results:
        r.timeseries = None
        r.log = []
    return results


def _pool_task(year: int, k: int) -> tuple[int, int, PeriodResult]:
    w = _WORKER
    result = simulate_year_of(w["models"], k, w["seed"], year, warmup_days=w["warmup_days"],
                              router=w["router"])
    return year, k, _strip([result])[0]


def year_task(models: list[SimModel], seed: int, year: int, warmup_days: float,
              router: str) -> tuple[int, list[PeriodResult]]:
    """One simulated year of every model (the unit of work sent to Dask workers)."""
    return year, _strip(simulate_year(models, seed, year, warmup_days=warmup_days, router=router))


# ----------------------------------------------------------------------------- result
@dataclass
class MonteCarloResult:
    """Per-year results of every scenario, with summary tables.

    Attributes
    ----------
    models : list of SimModel
        The scenarios, in order.
    years : list of int
        Year indices simulated.
    results : list of list of PeriodResult
        ``results[i][k]``: year ``years[i]``, scenario ``k``.
    seed : int
        The run's seed.
    executor : str
        What ran the years (``"sequential"``, ``"processes (N, start method)"`` or
        ``"dask <address>"``).
    seconds : float
        Wall time of the years.
    """

    models: list[SimModel]
    years: list[int]
    results: list[list[PeriodResult]]
    seed: int
    executor: str = "sequential"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def year_table(self) -> pd.DataFrame:
        """One row per scenario and simulated year."""
        rows = []
        for k, model in enumerate(self.models):
            for y, res in zip(self.years, self.results, strict=True):
                r = res[k]
                rows.append({
                    "scenario": model.scenario, "year": y, "year_seed": year_seed(self.seed, y),
                    "faults": r.faults, "events": r.events, "rerouted": r.rerouted,
                    "max_links_down": r.max_down, "offered_gbph": r.offered_gbph,
                    "unserved_gbph": r.unserved_gbph, "unserved_pct": 100.0 * r.unserved_share,
                    "hours_with_unserved": r.hours_unserved, "mean_rtt_ms": r.mean_rtt_ms,
                    "ship_wait_days": r.ship_wait_h / 24.0, "max_ship_queue": r.max_queue,
                    "lp_solves": r.lp_solves})
        return pd.DataFrame(rows)

    def summary_table(self) -> pd.DataFrame:
        """Per scenario: mean and 95% CI over years of the yearly figures."""
        years = self.year_table()
        metrics = ["unserved_gbph", "unserved_pct", "hours_with_unserved", "mean_rtt_ms",
                   "faults", "max_links_down", "ship_wait_days"]
        rows = []
        for model in self.models:
            sub = years[years["scenario"] == model.scenario]
            row: dict[str, Any] = {"scenario": model.scenario, "policy": model.policy,
                                   "mode": model.mode, "years": len(sub),
                                   "offered_gbph": float(sub["offered_gbph"].mean())}
            for name in metrics:
                mean, lo, hi = confidence_interval(
                    sub[name].to_numpy(), low=None if name == "mean_rtt_ms" else 0.0,
                    high=100.0 if name == "unserved_pct" else None)
                row[name] = float(mean)
                row[f"{name}_ci_low"] = float(lo)
                row[f"{name}_ci_high"] = float(hi)
            avail = 100.0 - sub["unserved_pct"].to_numpy()
            mean, lo, hi = confidence_interval(avail, low=0.0, high=100.0)
            row.update(availability_pct=float(mean), availability_pct_ci_low=float(lo),
                       availability_pct_ci_high=float(hi))
            rows.append(row)
        return pd.DataFrame(rows)

    def pair_table(self) -> pd.DataFrame:
        """Per scenario and country pair: availability, unserved traffic and RTT hours."""
        frames = []
        for k, model in enumerate(self.models):
            res = [r[k] for r in self.results]
            offered = np.vstack([r.pair_offered for r in res])
            unserved = np.vstack([r.pair_unserved for r in res])
            above = np.vstack([r.pair_hours_above for r in res])
            degraded = np.vstack([r.pair_hours_degraded for r in res])
            served_lat = np.vstack([r.pair_served_lat for r in res])
            with np.errstate(invalid="ignore", divide="ignore"):
                avail = np.where(offered > 0, 100.0 * (1.0 - unserved / offered), np.nan)
                served_total = (offered - unserved).sum(axis=0)
                rtt = np.where(served_total > 0, 2.0 * served_lat.sum(axis=0) / served_total,
                               np.nan)
            a_mean, a_lo, a_hi = confidence_interval(avail, low=0.0, high=100.0)
            u_mean, u_lo, u_hi = confidence_interval(unserved, low=0.0)
            h_mean, h_lo, h_hi = confidence_interval(above, low=0.0, high=HOURS_PER_YEAR)
            d_mean, d_lo, d_hi = confidence_interval(degraded, low=0.0, high=HOURS_PER_YEAR)
            t_avail = 100.0 * (1.0 - degraded / HOURS_PER_YEAR)
            t_mean, t_lo, t_hi = confidence_interval(t_avail, low=0.0, high=100.0)
            labels = model.pair_labels
            frames.append(pd.DataFrame({
                "scenario": model.scenario,
                "origin_country": [a for a, _ in labels],
                "destination_country": [b for _, b in labels],
                "offered_gbph_per_year": offered.mean(axis=0),
                "availability_pct": a_mean, "availability_pct_ci_low": a_lo,
                "availability_pct_ci_high": a_hi,
                "unserved_gbph_per_year": u_mean, "unserved_gbph_ci_low": u_lo,
                "unserved_gbph_ci_high": u_hi,
                "time_availability_pct": t_mean, "time_availability_pct_ci_low": t_lo,
                "time_availability_pct_ci_high": t_hi,
                "hours_degraded_per_year": d_mean, "hours_degraded_ci_low": d_lo,
                "hours_degraded_ci_high": d_hi,
                "hours_above_rtt_per_year": h_mean, "hours_above_rtt_ci_low": h_lo,
                "hours_above_rtt_ci_high": h_hi,
                "mean_rtt_ms": rtt,
                "rtt_threshold_ms": model.rtt_threshold_ms,
            }))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def link_table(self, link_info: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per scenario and link in service: faults and hours down per year (means)."""
        frames = []
        for k, model in enumerate(self.models):
            res = [r[k] for r in self.results]
            faults = np.vstack([r.link_faults for r in res]).mean(axis=0)
            down = np.vstack([r.link_down_h for r in res]).mean(axis=0)
            on = np.flatnonzero(model.enabled)
            frame = pd.DataFrame({
                "scenario": model.scenario,
                "link": model.graph.edge_ids[on],
                "expected_faults_per_year": model.faults.rate_per_h[on] * HOURS_PER_YEAR,
                "faults_per_year": faults[on],
                "down_hours_per_year": down[on],
                "shallow_km": model.faults.shallow_km[on],
                "deep_km": model.faults.deep_km[on],
                "repair_region": [model.faults.region_names[r] if r >= 0 else ""
                                  for r in model.faults.region[on]],
            })
            if link_info is not None:
                frame = frame.join(link_info, on="link")
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ----------------------------------------------------------------------------- running
def run_monte_carlo(models: Sequence[SimModel], years: int, seed: int, *,
                    first_year: int = 0, warmup_days: float = 90.0, workers: int | None = None,
                    scheduler: str | None = None, client: Any = None,
                    progress: Progress | None = None, router: str = "incremental"
                    ) -> MonteCarloResult:
    """Simulate ``years`` years (indices ``first_year ...``) of every model.

    Parameters
    ----------
    models : sequence of SimModel
        Scenarios; all see the same faults in a given year.
    years, seed : int
        Number of years and the run's seed.
    workers : int, optional
        Local worker processes (default: one per core; 1 runs in this process).
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler to run the years on instead.
    client : distributed.Client, optional
        An existing Dask client (e.g. of a ``LocalCluster``) to run the years on.
    progress : callable, optional
        ``progress("years", done, total)`` after each year.
    router : str
        ``"incremental"`` (default) or ``"naive"`` (full re-route at every event).
    """
    import time

    models = list(models)
    indices = list(range(first_year, first_year + years))
    done: dict[int, list[PeriodResult]] = {}
    start = time.perf_counter()

    def tick() -> None:
        if progress:
            progress("years", len(done), len(indices))

    tick()
    if client is not None or scheduler is not None:
        executor = _run_dask(models, indices, seed, warmup_days, router, scheduler, client,
                             done, tick)
    else:
        n = workers or default_workers()
        n = min(n, len(indices))
        if n <= 1:
            executor = "sequential"
            for y in indices:
                done[y] = _strip(simulate_year(models, seed, y, warmup_days=warmup_days,
                                               router=router))
                tick()
        else:
            ctx, method = pool_context(models)
            executor = f"processes ({n}, {method})"
            if method == "fork":
                warm_up(models)
                # objects that exist now are never collected in the workers: keep the
                # collector from touching (and so copying) the pages the workers inherit
                gc.freeze()
            try:
                _run_pool(models, indices, n, ctx, seed, warmup_days, router, done, tick)
            finally:
                if method == "fork":
                    gc.unfreeze()
    return MonteCarloResult(models, indices, [done[y] for y in indices], seed, executor,
                            time.perf_counter() - start)


def _run_pool(models: list[SimModel], indices: list[int], n: int, ctx: Any, seed: int,
              warmup_days: float, router: str, done: dict[int, list[PeriodResult]],
              tick: Callable[[], None]) -> None:
    """Years x scenarios on a local process pool; fills ``done`` by year."""
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker,
                             initargs=(models, seed, warmup_days, router)) as pool:
        # one task per year and scenario: small tasks keep the workers busy to
        # the end (results are gathered by year and scenario, whatever the order)
        parts: dict[int, dict[int, PeriodResult]] = {y: {} for y in indices}
        futures = [pool.submit(_pool_task, y, k) for y in indices
                   for k in range(len(models))]
        for fut in as_completed(futures):
            y, k, res = fut.result()
            parts[y][k] = res
            if len(parts[y]) == len(models):
                done[y] = [parts[y][i] for i in range(len(models))]
                tick()


def _run_dask(models: list[SimModel], indices: list[int], seed: int, warmup_days: float,
              router: str, scheduler: str | None, client: Any,
              done: dict[int, list[PeriodResult]], tick: Callable[[], None]) -> str:
    from distributed import Client
    from distributed import as_completed as dask_completed

    own = client is None
    if own:
        client = Client(scheduler)
    try:
        shared = client.scatter(models, broadcast=True)
        futures = [client.submit(year_task, shared, seed, y, warmup_days, router, pure=False)
                   for y in indices]
        for fut in dask_completed(futures):
            y, res = fut.result()
            done[y] = res
            tick()
        address = getattr(client.scheduler, "address", None) or scheduler or "cluster"
    finally:
        if own:
            client.close()
    return f"dask {address}"
