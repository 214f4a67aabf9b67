"""The discrete-event core: fault schedules, the SimPy run and the traffic integrals.

One simulated period (a Monte Carlo year or a replay window) runs as follows:

1. :func:`sample_schedule` pre-samples every fault of every link of the topology from one
   per-year integer seed (a numpy ``Generator``): Poisson counts per link, uniform times,
   lognormal permit delays and repair times. Nothing random happens later, so a year gives
   bit-identical results in any process, pool or Dask worker.
2. :func:`simulate` runs one SimPy process per fault on a link in service: the link goes
   down, the repair waits for its region's permits, then (if the region's fleet is
   limited) for a repair ship (a ``simpy.Resource``, so simultaneous faults queue), then
   takes its repair time; the link is up again once all its faults are repaired.
3. Between two event times the network is constant: the router's state (served share and
   latency per commodity) is integrated against the diurnal load profiles exactly
   (piecewise constant on quarter hours), giving Gbps-hours offered, served and unserved,
   hours above the RTT threshold and hours degraded per country pair, and optional hourly
   time series. Changes at one instant are re-routed together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from cablesim.simulation.model import BIN_H, BINS_PER_DAY, HOURS_PER_YEAR, LinkFaults, SimModel
from cablesim.simulation.routers import make_router

__all__ = ["Schedule", "PeriodResult", "year_seed", "sample_schedule", "simulate",
           "simulate_year", "simulate_year_of", "Accumulator"]


@dataclass(frozen=True)
class Schedule:
    """Faults in time order (aligned arrays).

    Attributes
    ----------
    link : ndarray of int
        Edge index of the faulty link.
    start_h : ndarray
        Time of the fault, hours from the start of the period.
    permit_h : ndarray
        Wait for permits before the repair can start, hours.
    repair_h : ndarray
        Repair time once a ship (or crew) is on it, hours.
    pool : ndarray of int
        Ship pool the repair queues for (-1: none).
    """

    link: np.ndarray
    start_h: np.ndarray
    permit_h: np.ndarray
    repair_h: np.ndarray
    pool: np.ndarray

    def __len__(self) -> int:
        return len(self.link)

    @classmethod
    def scripted(cls, links: list[int], start_h: list[float], duration_h: list[float]
                 ) -> Schedule:
        """Cuts with fixed durations (replays): no permits, no ship queue."""
        order = np.lexsort((np.asarray(links), np.asarray(start_h, dtype=float)))
        n = len(links)
        return cls(np.asarray(links, dtype=np.int64)[order],
                   np.asarray(start_h, dtype=float)[order], np.zeros(n),
                   np.asarray(duration_h, dtype=float)[order], np.full(n, -1, dtype=np.int64))


def year_seed(seed: int, year: int) -> int:
    """The integer seed of simulated year ``year`` of a run seeded ``seed``."""
    state = np.random.SeedSequence([int(seed), int(year)]).generate_state(1, dtype=np.uint64)
    return int(state[0])


def sample_schedule(faults: LinkFaults, seed: int, begin_h: float, end_h: float) -> Schedule:
    """Every fault in ``[begin_h, end_h)`` on every link, from one integer seed."""
    rng = np.random.default_rng(seed)
    span = end_h - begin_h
    counts = rng.poisson(faults.rate_per_h * span)
    n = int(counts.sum())
    link = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    start = begin_h + rng.random(n) * span
    z_repair = rng.standard_normal(n)
    z_permit = rng.standard_normal(n)
    repair = faults.repair_median_h[link] * np.exp(faults.repair_sigma[link] * z_repair)
    permit = faults.permit_median_h[link] * np.exp(faults.permit_sigma * z_permit)
    order = np.lexsort((link, start))
    return Schedule(link[order], start[order], permit[order], repair[order],
                    faults.pool[link][order])


# ----------------------------------------------------------------------------- integrals
class _Integrals:
    """Exact integrals of the load profiles over time, per profile and time-of-day slot."""

    def __init__(self, factor: np.ndarray, slots: int, start_utc_h: float) -> None:
        self.factor = factor
        self.slots = slots
        self.start = start_utc_h
        p = len(factor)
        slot_of_bin = np.arange(BINS_PER_DAY) * slots // BINS_PER_DAY
        self.slot_of_bin = slot_of_bin
        onehot = np.zeros((BINS_PER_DAY, slots))
        onehot[np.arange(BINS_PER_DAY), slot_of_bin] = 1.0
        per_bin = factor[:, :, None] * onehot[None, :, :] * BIN_H  # (P, 96, J)
        self.cum = np.concatenate([np.zeros((p, 1, slots)), np.cumsum(per_bin, axis=1)], axis=1)
        self.per_bin = per_bin
        self.day = self.cum[:, -1, :]
        # per bin, contiguous (P, J) tables for at()
        self._cum_b = np.ascontiguousarray(self.cum.transpose(1, 0, 2))
        self._per_b = np.ascontiguousarray(per_bin.transpose(1, 0, 2))
        self._day = np.ascontiguousarray(self.day)
        self._last: tuple[float, np.ndarray] | None = None

    def at(self, t: float) -> np.ndarray:
        """Integral from UTC midnight of day 0 of the period to ``t``, shape (P, J)."""
        u = self.start + t
        days = float(math.floor(u / 24.0))
        x = u - days * 24.0
        b = min(int(x / BIN_H), BINS_PER_DAY - 1)
        frac = (x - b * BIN_H) / BIN_H
        return days * self._day + self._cum_b[b] + frac * self._per_b[b]

    def between(self, t0: float, t1: float) -> np.ndarray:
        """Integral over [t0, t1), shape (P, J)."""
        last = self._last
        start = last[1] if last is not None and last[0] == t0 else self.at(t0)
        end = self.at(t1)
        self._last = (t1, end)  # consecutive intervals share their bound
        return end - start

    def bins(self, t: np.ndarray) -> np.ndarray:
        """Quarter-hour bin of the UTC day at period times ``t``."""
        x = np.mod(self.start + t, 24.0)
        return np.minimum((x / BIN_H).astype(np.int64), BINS_PER_DAY - 1)


@dataclass
class PeriodResult:
    """Traffic integrals of one simulated period (for one scenario).

    Gbps-hours are integrals of load over the metric window; per-pair arrays follow
    ``SimModel.pair_labels``; per-link arrays cover every link of the topology.
    """

    scenario: str
    hours: float
    offered_gbph: float
    unserved_gbph: float
    served_lat_gbph: float
    pair_offered: np.ndarray
    pair_unserved: np.ndarray
    pair_served_lat: np.ndarray
    pair_hours_above: np.ndarray
    pair_hours_degraded: np.ndarray
    link_faults: np.ndarray
    link_down_h: np.ndarray
    faults: int = 0
    events: int = 0
    rerouted: int = 0
    max_down: int = 0
    hours_unserved: float = 0.0
    ship_wait_h: float = 0.0
    max_queue: int = 0
    lp_solves: int = 0
    timeseries: dict[str, np.ndarray] | None = None
    log: list[tuple[float, str, int]] = field(default_factory=list)

    @property
    def unserved_share(self) -> float:
        """Unserved Gbps-hours over offered."""
        return self.unserved_gbph / self.offered_gbph if self.offered_gbph else 0.0

    @property
    def mean_rtt_ms(self) -> float:
        """Served-traffic-weighted mean RTT over the window."""
        served = self.offered_gbph - self.unserved_gbph
        return 2.0 * self.served_lat_gbph / served if served > 0 else float("nan")

    def pair_rtt_ms(self) -> np.ndarray:
        """Served-traffic-weighted mean RTT per country pair."""
        served = self.pair_offered - self.pair_unserved
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(served > 0, 2.0 * self.pair_served_lat / served, np.nan)


class Accumulator:
    """Integrates the router's state between events (see the module docstring).

    Each interval costs one small matrix-vector product per slot (see :meth:`add`); the
    per-pair sums (offered, unserved, latency-weighted, hours above the RTT threshold and
    degraded) and the totals are accumulated in a batch when read, in the order the
    intervals came (``np.cumsum`` adds sequentially), so every figure is bit-identical to
    adding interval by interval.
    """

    _LAZY = ("offered", "unserved", "served_lat", "hours_unserved", "pair_offered",
             "pair_unserved", "pair_served_lat", "pair_above", "pair_degraded", "link_down_h")

    def __init__(self, model: SimModel, start_utc_h: float, window: tuple[float, float],
                 sample_range: tuple[float, float] | None = None) -> None:
        self.model = model
        self.window = window
        self.ints = _Integrals(model.profile_factor, model.slots, start_utc_h)
        n_pairs = len(model.pair_labels)
        m = model.graph.n_edges
        self._n_pairs = n_pairs
        self._sums: dict[str, Any] = {
            "offered": 0.0, "unserved": 0.0, "served_lat": 0.0, "hours_unserved": 0.0,
            "pair_offered": np.zeros(n_pairs), "pair_unserved": np.zeros(n_pairs),
            "pair_served_lat": np.zeros(n_pairs), "pair_above": np.zeros(n_pairs),
            "pair_degraded": np.zeros(n_pairs), "link_down_h": np.zeros(m)}
        # pending intervals, per slot: (offered, served, latency-weighted) per pair, hours
        self._v: list[np.ndarray] = []
        self._hours: list[float] = []
        n_prof = len(model.profile_factor)
        self._key = model.pair * n_prof + model.profile
        self._key2 = np.concatenate([self._key, self._key + n_pairs * n_prof])
        self._offered = np.bincount(self._key, weights=model.volume,
                                    minlength=n_pairs * n_prof)
        self._last: tuple | None = None
        self.samples: dict[str, np.ndarray] | None = None
        if sample_range is not None:
            t = np.arange(np.floor(sample_range[0]), np.ceil(sample_range[1])) + 0.5
            t = t[(t >= sample_range[0]) & (t < sample_range[1])]
            self.samples = {"t_h": t, "offered_gbps": np.zeros(len(t)),
                            "served_gbps": np.zeros(len(t)), "unserved_gbps": np.zeros(len(t)),
                            "mean_rtt_ms": np.full(len(t), np.nan)}

    def __getattr__(self, name: str) -> Any:
        # the accumulated figures (offered, pair_offered, ...): flushed on reading
        if name in Accumulator._LAZY:
            self._flush()
            return self._sums[name]
        raise AttributeError(name)

    def add(self, t0: float, t1: float, share: np.ndarray, lat: np.ndarray,
            down: np.ndarray) -> None:
        """Integrate the state (share, lat: (C, J)) over [t0, t1).

        Offered, served and latency-weighted Gbps are linear in the profile integrals, so
        the state is reduced once to (pair x profile) tables (kept while the router hands
        back the same ``share`` and ``lat`` objects) and each interval costs one small
        matrix-vector product per slot; the rest waits for :meth:`_flush`.
        """
        if self.samples is not None:
            self._sample(t0, t1, share, lat)
        a, b = max(t0, self.window[0]), min(t1, self.window[1])
        if b <= a:
            return
        tables = self._tables(share, lat)
        g = self.ints.between(a, b)  # (P, J)
        hours = g[0]  # profile 0 is flat: hours per slot
        # links down: += down * (b - a) adds b - a to those and 0.0 to the others
        link_down_h = self._sums["link_down_h"]
        np.add(link_down_h, b - a, out=link_down_h, where=np.asarray(down, dtype=bool))
        for j in range(self.model.slots):
            self._v.append(tables[j] @ g[:, j])  # offered, served and latency-weighted
            self._hours.append(hours[j])

    def _flush(self) -> None:
        """Add the pending intervals to the sums, in order (bit-identical to adding them
        one by one: ``np.cumsum`` along the intervals adds sequentially)."""
        if not self._v:
            return
        sums = self._sums
        n_pairs = self._n_pairs
        v = np.stack(self._v)  # (intervals x slots, 3 x pairs)
        hours = np.asarray(self._hours)
        op, sp, lw = v[:, :n_pairs], v[:, n_pairs:2 * n_pairs], v[:, 2 * n_pairs:]
        lost = op - sp
        # mean RTT per pair (inf where nothing is served)
        rtt = np.divide(2.0 * lw, sp, out=np.full(sp.shape, np.inf), where=sp > 0)
        active = op > 0
        above = hours[:, None] * (active & (rtt > self.model.rtt_threshold_ms))
        degraded = active & (lost > 1e-9 * op)
        for name, rows in (("pair_offered", op), ("pair_unserved", lost),
                           ("pair_served_lat", lw), ("pair_above", above),
                           ("pair_degraded", hours[:, None] * degraded)):
            sums[name] = _sequential_sum(sums[name], rows)
        total = v.reshape(len(v), 3, n_pairs).sum(axis=2)
        for name, values in (("hours_unserved", np.where(degraded.any(axis=1), hours, 0.0)),
                             ("offered", total[:, 0]), ("unserved", total[:, 0] - total[:, 1]),
                             ("served_lat", total[:, 2])):
            acc = float(sums[name])
            for x in values.tolist():  # Python floats: sequential IEEE additions
                acc += x
            sums[name] = acc
        self._v, self._hours = [], []

    def _tables(self, share: np.ndarray, lat: np.ndarray) -> list[np.ndarray]:
        """Per slot: offered, served and latency-weighted busy-hour Gbps per (pair,
        profile), stacked, shape (3 x pairs, profiles)."""
        if self._last is not None and self._last[0] is share and self._last[1] is lat:
            return self._last[2]
        m = self.model
        n_pairs, n_prof = len(m.pair_labels), len(m.profile_factor)
        tables = []
        for j in range(m.slots):
            served = m.volume * share[:, j]
            weights = np.concatenate([served, served * lat[:, j]])
            part = np.bincount(self._key2, weights=weights, minlength=2 * n_pairs * n_prof)
            tables.append(np.concatenate([self._offered, part]).reshape(3 * n_pairs, n_prof))
        # identity caching is only safe for arrays nobody writes to
        if not share.flags.writeable and not lat.flags.writeable:
            self._last = (share, lat, tables)
        return tables

    def _sample(self, t0: float, t1: float, share: np.ndarray, lat: np.ndarray) -> None:
        s = self.samples
        assert s is not None
        sel = np.flatnonzero((s["t_h"] >= t0) & (s["t_h"] < t1))
        if not len(sel):
            return
        m = self.model
        n_prof = len(m.profile_factor)
        bins = self.ints.bins(s["t_h"][sel])
        slots = self.ints.slot_of_bin[bins]
        f = m.profile_factor[:, bins]  # (P, K)
        offered = np.bincount(m.profile, weights=m.volume, minlength=n_prof) @ f
        served = np.zeros(len(sel))
        latw = np.zeros(len(sel))
        for j in np.unique(slots):
            k = slots == j
            a_served = np.bincount(m.profile, weights=m.volume * share[:, j], minlength=n_prof)
            a_lat = np.bincount(m.profile, weights=m.volume * share[:, j] * lat[:, j],
                                minlength=n_prof)
            served[k] = a_served @ f[:, k]
            latw[k] = a_lat @ f[:, k]
        s["offered_gbps"][sel] = offered
        s["served_gbps"][sel] = served
        s["unserved_gbps"][sel] = offered - served
        with np.errstate(invalid="ignore", divide="ignore"):
            s["mean_rtt_ms"][sel] = np.where(served > 0, 2.0 * latw / served, np.nan)


def _sequential_sum(first: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``first + rows[0] + rows[1] + ...`` added in that order (as ``+=`` row by row).

    A sum along axis 0 of a C-contiguous array with two or more columns adds row after
    row; with one column numpy would sum pairwise, so a zero column is added then."""
    stack = np.concatenate([first[None, :], rows])
    if stack.shape[1] == 1:
        return np.concatenate([stack, np.zeros_like(stack)], axis=1).sum(axis=0)[:1]
    return stack.sum(axis=0)


def simulate(model: SimModel, schedule: Schedule, begin_h: float, end_h: float, *,
             window: tuple[float, float] | None = None, start_utc_h: float = 0.0,
             router: Any = None, timeseries: bool = False, log: bool = False) -> PeriodResult:
    """Run one period of ``model`` under ``schedule`` with SimPy.

    Parameters
    ----------
    model : SimModel
        The scenario.
    schedule : Schedule
        Faults (times relative to the period; those on links not in service are ignored).
    begin_h, end_h : float
        The simulated span, hours (a warm-up may start before 0).
    window : (float, float), optional
        Span over which traffic is integrated (default: the whole span).
    start_utc_h : float
        UTC hour of day at time 0 (aligns the diurnal profiles).
    router : optional
        A router from :func:`cablesim.simulation.routers.make_router` (default:
        incremental, or capacitated for a capacitated scenario); it must be fresh.
    timeseries : bool
        Also sample hourly offered, served and unserved Gbps and the mean RTT.
    log : bool
        Keep the list of events ``(time_h, "fault"|"repair", link)``.
    """
    window = window or (begin_h, end_h)
    router = router if router is not None else make_router(model)
    m = model.graph.n_edges
    acc = Accumulator(model, start_utc_h, window, (begin_h, end_h) if timeseries else None)
    env = simpy.Environment(initial_time=begin_h)
    pools = [simpy.Resource(env, capacity=n) for n in model.faults.pool_ships]
    enabled = model.enabled
    keep = enabled[schedule.link] & (schedule.start_h >= begin_h) & (schedule.start_h < end_h)
    idx = np.flatnonzero(keep)
    # faults only on links in service: a link down is in service
    down = [0] * m  # faults under way per link
    down_mask = np.zeros(m, dtype=bool)  # down > 0
    st: dict[str, Any] = {"last": begin_h, "dirty": False, "events": 0, "max_down": 0,
                          "n_down": 0, "wait": 0.0, "max_queue": 0}
    events: list[tuple[float, str, int]] = []
    link_faults = np.zeros(m, dtype=np.int64)
    f_link, f_start = schedule.link.tolist(), schedule.start_h.tolist()
    f_permit, f_repair = schedule.permit_h.tolist(), schedule.repair_h.tolist()
    f_pool = schedule.pool.tolist()

    def advance(now: float) -> None:
        if now <= st["last"]:
            return
        if st["dirty"]:
            router.update(~down_mask)
            st["dirty"] = False
        share, lat = router.state()
        acc.add(st["last"], now, share, lat, down_mask)
        st["last"] = now

    def change(link: int, delta: int, kind: str) -> None:
        advance(env.now)
        before = down[link]
        down[link] = after = before + delta
        if (before == 0) != (after == 0):
            st["dirty"] = True
            down_mask[link] = after > 0
            st["n_down"] += 1 if after > 0 else -1
        st["events"] += 1
        st["max_down"] = max(st["max_down"], st["n_down"])
        if log:
            events.append((float(env.now), kind, link))

    def fault(i: int):
        link = f_link[i]
        yield env.timeout(f_start[i] - begin_h)
        if window[0] <= env.now < window[1]:
            link_faults[link] += 1
        change(link, +1, "fault")
        if f_permit[i] > 0:
            yield env.timeout(f_permit[i])
        pool = f_pool[i]
        if pool >= 0:
            resource = pools[pool]
            with resource.request() as req:
                asked = env.now
                st["max_queue"] = max(st["max_queue"], len(resource.queue))
                yield req
                st["wait"] += env.now - asked
                yield env.timeout(f_repair[i])
        else:
            yield env.timeout(f_repair[i])
        change(link, -1, "repair")

    for i in idx.tolist():
        env.process(fault(i))
    env.run(until=end_h)
    advance(end_h)
    result = PeriodResult(
        scenario=model.scenario, hours=window[1] - window[0], offered_gbph=acc.offered,
        unserved_gbph=acc.unserved, served_lat_gbph=acc.served_lat,
        pair_offered=acc.pair_offered, pair_unserved=acc.pair_unserved,
        pair_served_lat=acc.pair_served_lat, pair_hours_above=acc.pair_above,
        pair_hours_degraded=acc.pair_degraded, link_faults=link_faults,
        link_down_h=acc.link_down_h, faults=int(link_faults.sum()), events=st["events"],
        rerouted=int(getattr(router, "rerouted", getattr(getattr(router, "sp", None),
                                                         "rerouted", 0))),
        max_down=st["max_down"], hours_unserved=acc.hours_unserved, ship_wait_h=st["wait"],
        max_queue=st["max_queue"], lp_solves=int(getattr(router, "lp_solves", 0)),
        timeseries=acc.samples, log=events)
    return result


def simulate_year(models: list[SimModel], seed: int, year: int, *, warmup_days: float = 90.0,
                  router: str = "incremental", timeseries: bool = False
                  ) -> list[PeriodResult]:
    """Simulated year ``year`` of every model, all under the same faults.

    Faults are sampled from ``year_seed(seed, year)`` over a warm-up of ``warmup_days``
    before the year (so the year starts with the repairs then under way) and the year
    itself; traffic is integrated over the year only.
    """
    if not models:
        return []
    return [simulate_year_of(models, k, seed, year, warmup_days=warmup_days, router=router,
                             timeseries=timeseries)
            for k in range(len(models))]


def simulate_year_of(models: list[SimModel], k: int, seed: int, year: int, *,
                     warmup_days: float = 90.0, router: str = "incremental",
                     timeseries: bool = False) -> PeriodResult:
    """``simulate_year(models, ...)[k]`` alone (the faults still come from
    ``models[0]``), so that a pool can spread the scenarios of a year over workers."""
    begin = -24.0 * warmup_days
    schedule = sample_schedule(models[0].faults, year_seed(seed, year), begin, HOURS_PER_YEAR)
    model = models[k]
    return simulate(model, schedule, begin, HOURS_PER_YEAR, window=(0.0, HOURS_PER_YEAR),
                    start_utc_h=0.0, router=make_router(model, router), timeseries=timeseries)
