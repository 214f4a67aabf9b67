"""Replays of historical cuts, and per-link criticality (N-1, N-2).

A replay cuts the links its selectors match (on the topology; those not in service in a
scenario are ignored there) at the stage's start and restores them after its duration, with
no permits or ship queue: the durations are the historical ones. The same window is also
simulated without cuts, so every figure has a baseline under the same diurnal load:
unserved traffic, mean RTT per country pair and its change, and hourly time series.

Criticality ranks the links that carry traffic on the intact network by what their loss
alone costs at the busy hour (N-1: unserved Gbps, then the traffic-weighted RTT increase),
and evaluates every pair of the ``top`` most critical links (N-2), with the unserved traffic
the pair adds beyond the two single losses. It uses the incremental uncapacitated router
(for capacitated scenarios too: it ranks connectivity and latency, not congestion).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.network import Network
from cablesim.selectors import match_links
from cablesim.simulation.config import Replay
from cablesim.simulation.engine import PeriodResult, Schedule, simulate
from cablesim.simulation.model import HOURS_PER_YEAR, SimModel
from cablesim.simulation.routers import IncrementalRouter

__all__ = ["ReplayRun", "replay_links", "check_replays", "run_replay", "criticality"]


@dataclass
class ReplayRun:
    """One replay on one scenario."""

    replay: Replay
    scenario: str
    model: SimModel
    result: PeriodResult
    baseline: PeriodResult
    cut: list[str]
    not_in_service: list[str] = field(default_factory=list)

    @property
    def start(self) -> _dt.datetime:
        """UTC midnight of the replay's date (time 0)."""
        d = self.replay.date
        return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC)


def replay_links(replay: Replay, network: Network) -> list[tuple[np.ndarray, float, float]]:
    """Edge indices cut by each stage, with its start and duration in hours.

    Raises
    ------
    ScenarioError
        When a selector matches no link (naming the replay's file and key).
    """
    links = network.links
    out = []
    problems: list[Problem] = []
    for i, stage in enumerate(replay.stages):
        mask = np.zeros(len(links), dtype=bool)
        for sel in stage.cuts:
            hit = match_links(links, sel)
            if not hit.any():
                key = (f"replay {replay.name!r}.cuts" if len(replay.stages) == 1
                       else f"replay {replay.name!r}.stage[{i}].cuts")
                problems.append(Problem(replay.source, None, key,
                                        f"selector {sel!r} matches no link"))
            mask |= hit
        out.append((np.flatnonzero(mask), 24.0 * stage.start_day, 24.0 * stage.duration_days))
    if problems:
        raise ScenarioError(f"replay {replay.name!r} does not fit the topology", problems)
    return out


def check_replays(replays: list[Replay], network: Network) -> None:
    """Check every replay's selectors against the topology (all problems at once)."""
    problems: list[Problem] = []
    for replay in replays:
        try:
            replay_links(replay, network)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError("replays do not fit the topology", problems)


def run_replay(replay: Replay, model: SimModel, network: Network, *, margin_days: float = 2.0,
               router: str = "incremental") -> ReplayRun:
    """Replay ``replay`` on ``model`` (and its no-cut baseline over the same window)."""
    from cablesim.simulation.routers import make_router

    stages = replay_links(replay, network)
    links: list[int] = []
    starts: list[float] = []
    durations: list[float] = []
    cut: list[str] = []
    off: list[str] = []
    for edges, start, duration in stages:
        for e in edges.tolist():
            name = str(model.graph.edge_ids[e])
            if not model.enabled[e]:
                off.append(name)
                continue
            links.append(e)
            starts.append(start)
            durations.append(duration)
            cut.append(name)
    schedule = Schedule.scripted(links, starts, durations)
    end = 24.0 * replay.duration_days
    margin = 24.0 * margin_days
    begin, stop = -margin, end + margin
    result = simulate(model, schedule, begin, stop, window=(0.0, end), start_utc_h=0.0,
                      router=make_router(model, router), timeseries=True, log=True)
    baseline = simulate(model, Schedule.scripted([], [], []), begin, stop, window=(0.0, end),
                        start_utc_h=0.0, router=make_router(model, router), timeseries=False)
    return ReplayRun(replay, model.scenario, model, result, baseline,
                     sorted(set(cut)), sorted(set(off)))


def replay_tables(runs: list[ReplayRun]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(replays, replay_pairs, replay_timeseries)`` tables of replay runs."""
    rows, pair_frames, series = [], [], []
    for run in runs:
        r, b = run.result, run.baseline
        ts = r.timeseries or {}
        rtt = r.pair_rtt_ms()
        rtt0 = b.pair_rtt_ms()
        degraded = (r.pair_unserved - b.pair_unserved
                    > 1e-9 * np.maximum(r.pair_offered, 1e-300))
        rows.append({
            "replay": run.replay.name, "scenario": run.scenario,
            "date": run.replay.date.isoformat(), "duration_days": run.replay.duration_days,
            "network_year": run.model.network_year,
            "links_cut": len(run.cut), "links_not_in_service": len(run.not_in_service),
            "offered_gbph": r.offered_gbph, "unserved_gbph": r.unserved_gbph,
            "unserved_pct": 100.0 * r.unserved_share,
            "baseline_unserved_gbph": b.unserved_gbph,
            "extra_unserved_gbph": r.unserved_gbph - b.unserved_gbph,
            "extra_unserved_pct": 100.0 * (r.unserved_gbph - b.unserved_gbph) / r.offered_gbph
            if r.offered_gbph else 0.0,
            "peak_unserved_gbps": float(np.nanmax(ts["unserved_gbps"])) if len(
                ts.get("unserved_gbps", [])) else 0.0,
            "hours_with_unserved": r.hours_unserved,
            "mean_rtt_ms": r.mean_rtt_ms, "baseline_rtt_ms": b.mean_rtt_ms,
            "rtt_change_ms": r.mean_rtt_ms - b.mean_rtt_ms,
            "pairs_with_unserved": int(degraded.sum()),
            "pairs_slower_10ms": int(np.nansum((rtt - rtt0) > 10.0)),
            "cut": " ".join(run.cut),
        })
        labels = run.model.pair_labels
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = np.where(r.pair_offered > 0, 100.0 * r.pair_unserved / r.pair_offered, np.nan)
        pair_frames.append(pd.DataFrame({
            "replay": run.replay.name, "scenario": run.scenario,
            "origin_country": [a for a, _ in labels],
            "destination_country": [d for _, d in labels],
            "offered_gbph": r.pair_offered, "unserved_gbph": r.pair_unserved,
            "unserved_pct": pct, "baseline_unserved_gbph": b.pair_unserved,
            "extra_unserved_gbph": r.pair_unserved - b.pair_unserved,
            "baseline_rtt_ms": rtt0, "rtt_ms": rtt,
            "rtt_change_ms": rtt - rtt0, "hours_above_rtt": r.pair_hours_above,
            "baseline_hours_above_rtt": b.pair_hours_above,
            "hours_degraded": r.pair_hours_degraded,
        }))
        if ts:
            times = [run.start + _dt.timedelta(hours=float(t)) for t in ts["t_h"]]
            series.append(pd.DataFrame({
                "replay": run.replay.name, "scenario": run.scenario,
                "time_utc": [t.strftime("%Y-%m-%dT%H:%M") for t in times],
                "hour": ts["t_h"], "offered_gbps": ts["offered_gbps"],
                "served_gbps": ts["served_gbps"], "unserved_gbps": ts["unserved_gbps"],
                "mean_rtt_ms": ts["mean_rtt_ms"]}))
    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    return pd.DataFrame(rows), cat(pair_frames), cat(series)


# ----------------------------------------------------------------------------- criticality
def _impact(router: IncrementalRouter, volume: np.ndarray) -> tuple[float, float, float]:
    served = router.served()
    unserved = float(volume[~served].sum())
    delta = np.where(served, 2.0 * (router.lat - router.lat0), 0.0)
    latency = float((volume * delta).sum())
    moved = float(volume[served & (np.abs(router.lat - router.lat0) > 1e-9)].sum())
    return unserved, latency, moved


def criticality(model: SimModel, top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """N-1 ranking of the links carrying traffic, and N-2 over pairs of the ``top`` ones.

    Returns
    -------
    (DataFrame, DataFrame)
        ``n1``: ``scenario, rank, link, unserved_gbps, unserved_pct, rtt_increase_gbps_ms,
        mean_rtt_increase_ms`` (over the traffic served on the intact network),
        ``rerouted_gbps``, ``faults_per_year``, ``mean_outage_h`` (ignoring ship queues)
        and ``risk_unserved_gbph_per_year`` (their product with ``unserved_gbps``: the
        busy-hour traffic the link's faults leave unserved in an average year);
        ``n2``: ``scenario, link_a, link_b, unserved_gbps, unserved_pct,
        extra_unserved_gbps, rtt_increase_gbps_ms``.
    """
    router = IncrementalRouter(model)
    volume = model.volume
    base_served = router.served()
    base_unserved = float(volume[~base_served].sum())
    total = float(volume.sum())
    served_total = float(volume[base_served].sum())
    used = np.flatnonzero(router.users.any(axis=1) & model.enabled)
    intact = router.alive.copy()
    records = []
    for e in used.tolist():
        alive = intact.copy()
        alive[e] = False
        router.update(alive)
        unserved, lat, moved = _impact(router, volume)
        records.append((e, unserved - base_unserved, lat, moved))
        router.update(intact)
    n1 = pd.DataFrame(records, columns=["edge", "unserved_gbps", "rtt_increase_gbps_ms",
                                        "rerouted_gbps"])
    n1 = n1.sort_values(["unserved_gbps", "rtt_increase_gbps_ms", "edge"],
                        ascending=[False, False, True], kind="stable").reset_index(drop=True)
    n1.insert(0, "rank", np.arange(1, len(n1) + 1))
    n1.insert(0, "scenario", model.scenario)
    n1.insert(2, "link", model.graph.edge_ids[n1["edge"].to_numpy(dtype=np.int64)])
    n1["unserved_pct"] = 100.0 * n1["unserved_gbps"] / total if total else np.nan
    f = model.faults
    edges = n1["edge"].to_numpy(dtype=np.int64)
    outage_h = (f.repair_median_h[edges] * np.exp(f.repair_sigma[edges] ** 2 / 2.0)
                + f.permit_median_h[edges] * np.exp(f.permit_sigma ** 2 / 2.0))
    n1["faults_per_year"] = f.rate_per_h[edges] * HOURS_PER_YEAR
    n1["mean_outage_h"] = outage_h
    n1["risk_unserved_gbph_per_year"] = (n1["unserved_gbps"] * n1["faults_per_year"]
                                         * outage_h)
    n1["mean_rtt_increase_ms"] = (n1["rtt_increase_gbps_ms"] / served_total
                                  if served_total else np.nan)
    single = dict(zip(n1["edge"], n1["unserved_gbps"], strict=True))
    pairs = []
    chosen = n1["edge"].to_numpy(dtype=np.int64)[:top]
    for a, b in itertools.combinations(chosen.tolist(), 2):
        alive = intact.copy()
        alive[[a, b]] = False
        router.update(alive)
        unserved, lat, moved = _impact(router, volume)
        unserved -= base_unserved
        pairs.append({"scenario": model.scenario, "link_a": model.graph.edge_ids[a],
                      "link_b": model.graph.edge_ids[b], "unserved_gbps": unserved,
                      "unserved_pct": 100.0 * unserved / total if total else np.nan,
                      "extra_unserved_gbps": unserved - single[a] - single[b],
                      "rtt_increase_gbps_ms": lat, "rerouted_gbps": moved})
        router.update(intact)
    n2 = pd.DataFrame(pairs, columns=["scenario", "link_a", "link_b", "unserved_gbps",
                                      "unserved_pct", "extra_unserved_gbps",
                                      "rtt_increase_gbps_ms", "rerouted_gbps"])
    if len(n2):
        n2 = n2.sort_values(["unserved_gbps", "rtt_increase_gbps_ms"],
                            ascending=[False, False], kind="stable").reset_index(drop=True)
    return n1.drop(columns="edge"), n2
