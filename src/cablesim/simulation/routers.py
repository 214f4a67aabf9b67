"""Re-routing after faults and repairs.

Three routers share one interface: ``update(alive)`` with the new set of links in service,
then ``state()`` -> ``(served_share, latency_ms)``, two arrays of shape (C, J) giving, for
each commodity and time-of-day slot, the share of its offered load that is served and the
flow-weighted one-way latency of its paths.

- :class:`IncrementalRouter` (uncapacitated, the default): an edge -> commodities index
  finds the commodities whose path uses a failed link; only those are re-routed. On a
  repair, only the commodities that are displaced (path weight above their weight on the
  intact network, or unreachable) are re-routed. Both are exact for unique shortest paths:
  a commodity whose path survives a fault keeps a shortest path (other paths only got
  longer), and one at its intact-network optimum cannot do better after a repair.
  Exchange hubs are re-chosen among the policy rule's candidates, as
  :func:`cablesim.policy.assign_exchange` chooses them (least path weight plus surcharge).
- ``IncrementalRouter(model, full_recompute=True)``: the naive baseline, re-routing every
  commodity at every event (for the benchmark and as a test oracle).
- :class:`CapacitatedRouter`: after each change, re-solves the capacitated path LP with the
  column-generation router (:func:`cablesim.routing.engine.route`) once per time-of-day
  slot (loads differ through the day), with the hubs chosen as above; solutions are
  cached by the set of links down.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from cablesim.routing.engine import Commodities, route, route_commodities
from cablesim.simulation.model import BINS_PER_DAY, SimModel

__all__ = ["IncrementalRouter", "CapacitatedRouter", "make_router", "slot_factors"]


class IncrementalRouter:
    """Least-weight routing kept up to date event by event (see the module docstring).

    Attributes
    ----------
    alive : ndarray of bool, shape (m,)
        Links in service now.
    dist : ndarray, shape (C,)
        Path weight of each commodity's chosen path plus its hub surcharge (inf: no path).
    best0, lat0 : ndarray, shape (C,)
        Weight and one-way latency on the intact network.
    rerouted : int
        Commodities re-routed so far (after the initial routing).
    """

    def __init__(self, model: SimModel, full_recompute: bool = False) -> None:
        self.model = model
        self.full = full_recompute
        m = model.graph.n_edges
        c = model.n_commodities
        self.alive = model.enabled.copy()
        self.chosen = np.zeros(c, dtype=np.int64)
        self.dist = np.full(c, np.inf)
        self.lat = np.zeros(c)
        self.edges: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * c
        self.users: list[set[int]] = [set() for _ in range(m)]
        self.rerouted = 0
        self.updates = 0
        self._reroute(np.arange(c))
        self.best0 = self.dist.copy()
        self.lat0 = self.lat.copy()
        self.rerouted = 0

    def masks(self) -> np.ndarray:
        """Edge masks of the transit groups restricted to the links in service."""
        return self.model.group_masks & self.alive[None, :]

    def _reroute(self, rows: np.ndarray) -> None:
        m = self.model
        if not len(rows):
            return
        starts = m.cand_start[rows]
        counts = m.cand_start[rows + 1] - starts
        owner = np.repeat(np.arange(len(rows)), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        cidx = np.repeat(starts, counts) + offsets
        com = Commodities(m.origin[rows][owner], m.cand_via[cidx], m.destination[rows][owner],
                          np.ones(len(cidx)), m.cand_group[cidx])
        paths = route_commodities(m.graph, m.weight, com, self.masks())
        total = paths.dist + m.cand_surcharge[cidx]
        order = np.lexsort((np.arange(len(cidx)), total, owner))
        first = np.ones(len(order), dtype=bool)
        first[1:] = owner[order][1:] != owner[order][:-1]
        pick = order[first]  # one candidate per row, rows in order
        n_edges = m.graph.n_edges
        for r, k in zip(rows.tolist(), pick.tolist()):
            old = self.edges[r]
            for e in old.tolist():
                self.users[e].discard(r)
            arcs = paths.arcs[k]
            edges = arcs[arcs >= 0] % n_edges if np.isfinite(total[k]) else arcs[:0]
            self.edges[r] = edges
            for e in edges.tolist():
                self.users[e].add(r)
            self.chosen[r] = cidx[k]
            self.dist[r] = total[k]
            self.lat[r] = float(m.latency[edges].sum()) if len(edges) else 0.0
        self.rerouted += len(rows)

    def update(self, alive: np.ndarray) -> int:
        """Take a new set of links in service; return the number of commodities re-routed."""
        alive = np.asarray(alive, dtype=bool) & self.model.enabled
        failed = np.flatnonzero(self.alive & ~alive)
        repaired = np.flatnonzero(~self.alive & alive)
        if not len(failed) and not len(repaired):
            return 0
        self.alive = alive.copy()
        self.updates += 1
        if self.full:
            rows = np.arange(self.model.n_commodities)
        else:
            hit: set[int] = set()
            for e in failed.tolist():
                hit |= self.users[e]
            if len(repaired):
                displaced = self.dist > self.best0 + 1e-9 * np.abs(
                    np.where(np.isfinite(self.best0), self.best0, 0.0))
                hit.update(np.flatnonzero(displaced).tolist())
            rows = np.array(sorted(hit), dtype=np.int64)
        self._reroute(rows)
        return len(rows)

    def served(self) -> np.ndarray:
        """Whether each commodity has a path now."""
        return np.isfinite(self.dist)

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Served share (0 or 1) and one-way latency of each commodity, shape (C, 1)."""
        return self.served().astype(float)[:, None], self.lat[:, None].copy()

    def arc_load(self, volume: np.ndarray) -> np.ndarray:
        """Load per edge (both directions added) for the given commodity volumes."""
        load = np.zeros(self.model.graph.n_edges)
        for c, edges in enumerate(self.edges):
            if len(edges) and volume[c]:
                np.add.at(load, edges, volume[c])
        return load


def slot_factors(model: SimModel) -> np.ndarray:
    """Mean load factor of each profile in each time-of-day slot, shape (P, J)."""
    j = model.slots
    per = BINS_PER_DAY // j
    return model.profile_factor.reshape(len(model.profile_factor), j, per).mean(axis=2)


class CapacitatedRouter:
    """Capacitated re-routing: the column-generation LP re-solved after every change.

    Hubs come from an :class:`IncrementalRouter` kept alongside (the policy's choice on the
    surviving network); each time-of-day slot is solved at its mean load. Solutions are
    cached by the set of links in service (the intact network recurs between faults).
    """

    def __init__(self, model: SimModel, cache_size: int = 256) -> None:
        self.model = model
        self.sp = IncrementalRouter(model)
        self.factors = slot_factors(model)
        self.cache: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.cache_size = cache_size
        self.solves = 0
        self.lp_solves = 0

    @property
    def alive(self) -> np.ndarray:
        """Links in service now."""
        return self.sp.alive

    def update(self, alive: np.ndarray) -> int:
        """Take a new set of links in service."""
        return self.sp.update(alive)

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Served share and flow-weighted one-way latency per commodity and slot."""
        key = self.sp.alive.tobytes()
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.move_to_end(key)
            return hit
        m = self.model
        c, j = m.n_commodities, m.slots
        share = np.zeros((c, j))
        lat = np.zeros((c, j))
        via = m.cand_via[self.sp.chosen]
        group = m.cand_group[self.sp.chosen]
        masks = self.sp.masks()
        n_edges = m.graph.n_edges
        for slot in range(j):
            volume = m.volume * self.factors[m.profile, slot]
            com = Commodities(m.origin, via, m.destination, volume, group)
            result = route(m.graph, com, m.weight, masks, m.capacity, m.k_paths,
                           m.penalty_factor)
            self.solves += 1
            self.lp_solves += int(result.lp_solves)
            arcs = result.paths.arcs
            ok = arcs >= 0
            plat = np.where(ok, m.latency[np.where(ok, arcs, 0) % n_edges], 0.0).sum(axis=1)
            flow = result.path_flow
            lat_flow = np.bincount(result.path_commodity, weights=flow * plat, minlength=c)
            served = result.served
            with np.errstate(invalid="ignore", divide="ignore"):
                share[:, slot] = np.where(volume > 0, served / np.where(volume > 0, volume, 1),
                                          self.sp.served().astype(float))
                lat[:, slot] = np.where(served > 0, lat_flow / np.where(served > 0, served, 1),
                                        self.sp.lat)
        share = np.clip(share, 0.0, 1.0)
        self.cache[key] = (share, lat)
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return share, lat


def make_router(model: SimModel, kind: str = "incremental"):
    """A router for the model: ``"incremental"`` or ``"naive"`` (uncapacitated
    scenarios), or the capacitated router (chosen automatically for capacitated ones)."""
    if model.capacitated:
        return CapacitatedRouter(model)
    if kind == "naive":
        return IncrementalRouter(model, full_recompute=True)
    if kind != "incremental":
        raise ValueError(f"unknown router {kind!r}")
    return IncrementalRouter(model)
