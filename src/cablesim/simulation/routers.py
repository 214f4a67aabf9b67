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
from cablesim.routing.paths import distances_from
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
        self.path_edges = np.full((c, 0), -1, dtype=np.int64)
        # the edge -> commodities index: users[e, c] is True when c's path uses edge e
        self.users = np.zeros((m, c), dtype=bool)
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
        arcs = paths.arcs[pick]
        reach = np.isfinite(total[pick])
        edges = np.where((arcs >= 0) & reach[:, None], arcs % m.graph.n_edges, -1)
        width = edges.shape[1]
        if width > self.path_edges.shape[1]:
            pad = np.full((len(self.path_edges), width - self.path_edges.shape[1]), -1,
                          dtype=np.int64)
            self.path_edges = np.hstack([self.path_edges, pad])
        self.users[:, rows] = False
        self.path_edges[rows] = -1
        self.path_edges[rows, :width] = edges
        r_i, h_i = np.nonzero(edges >= 0)
        self.users[edges[r_i, h_i], rows[r_i]] = True
        self.chosen[rows] = cidx[pick]
        self.dist[rows] = total[pick]
        self.lat[rows] = np.where(edges >= 0, m.latency[np.maximum(edges, 0)], 0.0).sum(axis=1)
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
            hit = self.users[failed].any(axis=0) if len(failed) else np.zeros(
                self.model.n_commodities, dtype=bool)
            if len(repaired):
                displaced = self.dist > self.best0 + 1e-9 * np.abs(
                    np.where(np.isfinite(self.best0), self.best0, 0.0))
                displaced &= ~hit
                rows = np.flatnonzero(displaced)
                if len(rows):
                    hit[rows[self._may_improve(repaired, rows)]] = True
            rows = np.flatnonzero(hit)
        self._reroute(rows)
        return len(rows)

    def _may_improve(self, repaired: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Which displaced commodities a repaired link could give a shorter path.

        A new shortest path that is shorter than the current one must use a repaired edge
        e = (u, v); its weight is at least ``w_e + min(d(o,u) + d(v,t), d(o,v) + d(u,t))``
        (through the hub, per leg) with distances on the whole network in service, which
        are lower bounds for every transit group. Commodities whose bound is not below
        their current path weight keep their (still shortest) path.
        """
        m = self.model
        graph = m.graph
        starts = m.cand_start[rows]
        counts = m.cand_start[rows + 1] - starts
        owner = np.repeat(np.arange(len(rows)), counts)
        cidx = np.repeat(starts, counts) + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
        o = m.origin[rows][owner]
        t = m.destination[rows][owner]
        h = m.cand_via[cidx]
        ends = np.concatenate([graph.edge_u[repaired], graph.edge_v[repaired]])
        sources = np.unique(np.concatenate([ends, h[h >= 0]]))
        pos = {int(v): i for i, v in enumerate(sources)}
        dist = distances_from(graph.csr(m.weight, self.alive), sources)
        hub_row = np.array([pos[int(v)] if v >= 0 else 0 for v in h], dtype=np.int64)
        d_h = dist[hub_row]  # (K, n) distances from each candidate's hub
        bound = np.full(len(cidx), np.inf)
        hubbed = h >= 0
        k_all = np.arange(len(cidx))
        for e in repaired.tolist():
            du = dist[pos[int(graph.edge_u[e])]]
            dv = dist[pos[int(graph.edge_v[e])]]
            w = m.weight[e]

            def through(x: np.ndarray, y: np.ndarray) -> np.ndarray:
                return w + np.minimum(du[x] + dv[y], dv[x] + du[y])

            direct = through(o, t)
            hv = np.where(hubbed, h, 0)
            via = np.minimum(through(o, hv) + d_h[k_all, t], d_h[k_all, o] + through(hv, t))
            bound = np.minimum(bound, np.where(hubbed, via, direct))
        bound = bound + m.cand_surcharge[cidx]
        best = np.minimum.reduceat(bound, np.cumsum(counts) - counts)
        current = self.dist[rows]
        return best < current - 1e-9 * np.abs(np.where(np.isfinite(current), current, 0.0))

    def served(self) -> np.ndarray:
        """Whether each commodity has a path now."""
        return np.isfinite(self.dist)

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Served share (0 or 1) and one-way latency of each commodity, shape (C, 1)."""
        return self.served().astype(float)[:, None], self.lat[:, None].copy()

    def edge_load(self, volume: np.ndarray) -> np.ndarray:
        """Load per edge (both directions added) for the given commodity volumes."""
        ok = self.path_edges >= 0
        weights = np.broadcast_to(np.asarray(volume, dtype=float)[:, None], ok.shape)
        return np.bincount(self.path_edges[ok], weights=weights[ok],
                           minlength=self.model.graph.n_edges)


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
