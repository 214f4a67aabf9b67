"""Re-routing after faults and repairs.

Three routers share one interface: ``update(alive)`` with the new set of links in service,
then ``state()`` -> ``(served_share, latency_ms)``, two arrays of shape (C, J) giving, for
each commodity and time-of-day slot, the share of its offered load that is served and the
flow-weighted one-way latency of its paths.

- :class:`IncrementalRouter` (uncapacitated, the default): an edge -> commodities index
  finds the commodities whose path uses a failed link; only those are re-routed. On a
  repair, only the commodities that are displaced (path weight above their weight on the
  intact network, or unreachable) and that the repaired link could shorten (a lower bound
  through it from intact-network distances, cached per model and link) are re-routed.
  Both are exact for unique shortest paths: a commodity whose path survives a fault keeps
  a shortest path (other paths only got longer), and one at its intact-network optimum, or
  whose every path through the repaired link is longer, cannot do better after a repair.
  Exchange hubs are re-chosen among the policy rule's candidates, as
  :func:`cablesim.policy.assign_exchange` chooses them (least path weight plus surcharge).
  A re-routing is one Dijkstra call on a block-diagonal graph of the transit groups
  (:mod:`cablesim.simulation._fastroute`), from a greedy vertex cover of the legs' ends
  (hubs first); a leg searched from its end is walked from its origin and its weight
  summed in travel order, so path weights are bit-identical to a search from the origin.
  After a repair, displaced commodities whose intact-network path is whole again take it
  back without a search, and searches stop at the largest current path weight. When the
  links in service return to what they were before the last change, that change is
  undone, and the intact network's routing is computed once per model.
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
from scipy.sparse.csgraph import dijkstra

from cablesim.routing.engine import Commodities, route, route_commodities
from cablesim.simulation._fastroute import FINITE, candidates, model_cache
from cablesim.simulation.model import BINS_PER_DAY, SimModel

__all__ = ["IncrementalRouter", "CapacitatedRouter", "make_router", "slot_factors"]


class IncrementalRouter:
    """Least-weight routing kept up to date event by event (see the module docstring).

    ``direct_legs_from`` says where searches for direct legs start: ``"auto"`` (from the
    nodes of a greedy vertex cover of the legs, hubs first: far fewer searches than one
    per origin), ``"origin"`` or ``"end"`` (tests set them to exercise both directions;
    results do not depend on it).

    Attributes
    ----------
    alive : ndarray of bool, shape (m,)
        Links in service now.
    dist : ndarray, shape (C,)
        Path weight of each commodity's chosen path plus its hub surcharge (inf: no path).
    best0, lat0 : ndarray, shape (C,)
        Weight and one-way latency on the intact network.
    users : ndarray of bool, shape (m, C)
        The edge -> commodities index: ``users[e, c]`` is True when c's path uses edge e.
    rerouted : int
        Commodities re-routed so far (after the initial routing).
    """

    direct_legs_from = "auto"
    undo_depth = 64

    def __init__(self, model: SimModel, full_recompute: bool = False) -> None:
        self.model = model
        self.full = full_recompute
        m = model.graph.n_edges
        c = model.n_commodities
        self.alive = model.enabled.copy()
        self.rerouted = 0
        self.updates = 0
        self._state: tuple[np.ndarray, np.ndarray] | None = None
        if full_recompute:
            self._clear(c, m)
            self._reroute_full(np.arange(c))
        else:
            self._cache = model_cache(model)
            self._matrix = self._cache.matrix(self.alive)
            self._entry = self._cache.entry0.copy()
            self._down = 0
            # changes to undo when the links in service go back to what they were before
            self._undo: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
            initial = self._cache.initial
            if initial is None:
                self._clear(c, m)
                self._route(np.arange(c))
                initial = {name: getattr(self, name).copy() for name in
                           ("chosen", "dist", "lat", "path_edges", "_users")}
                for value in initial.values():
                    value.flags.writeable = False
                self._cache.initial = initial
            self._initial = initial
            for name, value in initial.items():
                setattr(self, name, value.copy())
        self.best0 = self.dist.copy()
        self.lat0 = self.lat.copy()
        self.rerouted = 0


    def _clear(self, c: int, m: int) -> None:
        """No commodity routed yet (``c`` commodities, ``m`` edges)."""
        self.chosen = np.zeros(c, dtype=np.int64)
        self.dist = np.full(c, np.inf)
        self.lat = np.zeros(c)
        self.path_edges = np.full((c, 0), -1, dtype=np.int64)
        self._users = np.zeros((m + 1, c), dtype=bool)
    def _index_users(self, edges: np.ndarray, rows: np.ndarray, value: bool) -> None:
        """``users[edges[i, j], rows[i]] = value`` for every step j of path i (the padding
        -1 writes the extra row), as one flat scatter (``_users`` is C-contiguous: made
        by ``np.zeros`` or ``copy``, so ``reshape(-1)`` is a view)."""
        c = self._users.shape[1]
        self._users.reshape(-1)[edges * c + rows[:, None]] = value

    @property
    def users(self) -> np.ndarray:
        """The edge -> commodities index, shape (m, C) (a view: it follows the changes).

        It is kept with one more row, written for the padding ``-1`` of ``path_edges``, so
        that paths index it without dropping their padding first."""
        return self._users[:-1]

    def masks(self) -> np.ndarray:
        """Edge masks of the transit groups restricted to the links in service."""
        return self.model.group_masks & self.alive[None, :]

    # ----------------------------------------------------------------- naive baseline
    def _reroute_full(self, rows: np.ndarray) -> None:
        """Re-route ``rows`` with :func:`route_commodities` (one search per group and leg)."""
        m = self.model
        if not len(rows):
            return
        cidx, owner, _ = candidates(m, rows)
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
        self._widen(width)
        self.users[:, rows] = False
        self.path_edges[rows] = -1
        self.path_edges[rows, :width] = edges
        r_i, h_i = np.nonzero(edges >= 0)
        self.users[edges[r_i, h_i], rows[r_i]] = True
        self.chosen[rows] = cidx[pick]
        self.dist[rows] = total[pick]
        self.lat[rows] = np.where(edges >= 0, m.latency[np.maximum(edges, 0)], 0.0).sum(axis=1)
        self.rerouted += len(rows)

    def _widen(self, width: int) -> None:
        if width > self.path_edges.shape[1]:
            pad = np.full((len(self.path_edges), width - self.path_edges.shape[1]), -1,
                          dtype=np.int64)
            self.path_edges = np.hstack([self.path_edges, pad])

    # ----------------------------------------------------------------- incremental
    def _route(self, rows: np.ndarray, limit: float = np.inf) -> None:
        """Re-route ``rows`` with one Dijkstra call on the super graph.

        Every candidate's legs are searched: leg 2 (hub -> destination) from the hub,
        leg 1 of a hubbed candidate from the hub too (the graph is undirected: one search
        from each hub serves both legs), a direct leg from its origin or, when the direct
        legs have fewer distinct destinations than origins, from its destination. Every
        leg is then walked to the root of its search tree; a leg searched from its end is
        walked from its origin, summing the weights in travel order as a search from the
        origin does (so path weights are bit-identical to :func:`route_commodities`).
        Legs longer than ``limit`` may come back unreachable (the caller knows that the
        chosen candidates' legs are not).
        """
        if not len(rows):
            return
        m = self.model
        cache = self._cache
        cidx, owner, offsets = candidates(m, rows)
        k = len(cidx)
        hub = cache.c_hub[cidx]
        o = cache.c_o[cidx]
        t = cache.c_t[cidx]
        y1 = np.where(hub, cache.c_h[cidx], t)  # end of leg 1
        hubs = y1[hub]
        back = hub.copy()  # leg 1 searched from its end
        direct = ~hub
        if direct.any():
            side = self.direct_legs_from
            if side == "auto":
                back[direct] = ~_cover(o[direct], t[direct], hubs, cache.size)[o[direct]]
            else:
                back[direct] = side == "end"
        root = np.concatenate([np.where(back, y1, o), hubs])
        start = np.concatenate([np.where(back, o, y1), t[hub]])
        mark = np.zeros(cache.size, dtype=bool)
        mark[root] = True
        sources = np.flatnonzero(mark)
        index = np.zeros(cache.size, dtype=np.int64)
        index[sources] = np.arange(len(sources))
        inv = index[root]
        if np.isfinite(limit):
            limit = limit * (1.0 + 1e-9) + 1e-9
        dist, pred = dijkstra(self._matrix, directed=True, indices=sources,
                              return_predecessors=True, limit=min(limit, FINITE))
        leg = dist[inv, start]
        walked, steps = self._walk(pred, inv, start, sources)
        total = np.where(back & np.isfinite(leg[:k]), walked[:k], leg[:k])
        total[hub] = total[hub] + leg[k:]
        total = total + m.cand_surcharge[cidx]
        best = np.minimum.reduceat(total, offsets)
        at_best = np.flatnonzero(total == best[owner])
        best_owner = owner[at_best]
        first = np.ones(len(at_best), dtype=bool)
        first[1:] = best_owner[1:] != best_owner[:-1]
        pick = at_best[first]  # the first candidate at the best weight, per row
        reach = np.isfinite(total[pick])
        # the chosen legs' edges, leg 1 then leg 2 side by side
        # (the last row of steps takes no step: unreachable rows and direct legs' leg 2)
        width = steps.shape[1]
        leg2 = np.where(reach & hub[pick], k + (np.cumsum(hub) - 1)[pick], -1)
        edges = steps[np.stack([np.where(reach, pick, -1), leg2], axis=1)].reshape(
            len(rows), 2 * width)
        # stored without the steps no chosen leg takes (legs are prefixes of their half)
        used = (edges >= 0).any(axis=0)
        n1, n2 = int(used[:width].sum()), int(used[width:].sum())
        kept = np.concatenate([edges[:, :n1], edges[:, width:width + n2]], axis=1)
        self._widen(n1 + n2)
        # the edge -> commodities index: drop the old paths, add the new ones
        self._index_users(self.path_edges[rows], rows, False)
        self.path_edges[rows] = -1
        self.path_edges[rows, :n1 + n2] = kept
        self._index_users(kept, rows, True)
        self.chosen[rows] = cidx[pick]
        self.dist[rows] = total[pick]
        self.lat[rows] = cache.lat_ext[edges].sum(axis=1)  # padding: latency 0
        self.rerouted += len(rows)

    def _walk(self, pred: np.ndarray, src: np.ndarray, start: np.ndarray,
              sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Walk from ``start`` to the root of search tree ``src`` (rows of ``pred``, the
        searches from super nodes ``sources``).

        Returns the weight of each walk summed in walking order (for a leg searched from
        its end and walked from its origin, that is travel order: a sum along the steps
        adds sequentially, as the search from the origin does) and the edges of every
        step, shape (walks + 1, steps), padded with -1 (the last row: a walk of no step).
        The nodes after 1, 2, ... steps come by pointer doubling (log2(steps) rounds),
        within the block of the search's transit group (its tree stays there). The two
        directions of a node pair share their entry (the same parallel arcs, the same
        cheapest one).
        """
        cache = self._cache
        n = cache.n
        n_search = len(pred)
        group = sources // n
        base = (group * n)[:, None]  # first super node of each search's block
        local = np.arange(n)
        # per tree node of the block: its parent (roots and unreached nodes: themselves)
        # and the entry of the arc from it (a node "from itself": the sentinel, weight 0,
        # no edge); on flat positions row * n + local node
        block = pred.reshape(n_search, cache.n_groups, n)[np.arange(n_search), group]
        parent = np.where(block >= 0, block, base + local)
        parent -= base  # local
        entry = self._entry[(group * (n * n))[:, None] + parent * n + local].ravel()
        jump = (parent + (np.arange(n_search) * n)[:, None]).ravel()
        at = (src * n + start - base[src, 0])[None, :]  # position after 0, 1, ... steps
        sentinel = cache.n_entries
        while not (entry[at[-1]] == sentinel).all():
            at = np.concatenate([at, jump[at]])
            jump = jump[jump]
        # (steps, walks + 1): one more walk that takes no step (its edges: all padding)
        pos = np.concatenate([entry[at], np.full((len(at), 1), sentinel, dtype=entry.dtype)],
                             axis=1)
        # a sum along axis 0 with two or more columns adds row after row: in walking
        # order (see _sequential_sum in the engine)
        total = cache.w_ext[pos].sum(axis=0)[:len(src)]
        return total, cache.edge_ext[np.ascontiguousarray(pos.T)]

    def _save(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The routing of ``rows`` (to put back with :meth:`_put`)."""
        return {"rows": rows, "chosen": self.chosen[rows], "dist": self.dist[rows],
                "lat": self.lat[rows], "path_edges": self.path_edges[rows]}

    def _put(self, saved: dict[str, np.ndarray], rows: np.ndarray | None = None) -> None:
        """Put back a saved routing (of ``rows`` only, when given, indexing ``saved``
        by commodity)."""
        pick: slice | np.ndarray
        if rows is None:
            rows = saved["rows"]
            pick = slice(None)
        else:
            pick = rows
        if not len(rows):
            return
        self._index_users(self.path_edges[rows], rows, False)
        new = saved["path_edges"][pick]
        width = new.shape[1]
        self._widen(width)
        self.path_edges[rows] = -1
        self.path_edges[rows, :width] = new
        self._index_users(new, rows, True)
        for name in ("chosen", "dist", "lat"):
            getattr(self, name)[rows] = saved[name][pick]
        self.rerouted += len(rows)

    def update(self, alive: np.ndarray) -> int:
        """Take a new set of links in service; return the number of commodities re-routed.

        When none is, the state (and the arrays :meth:`state` hands back) is unchanged."""
        count = self._update(alive)
        if count:
            self._state = None
        return count

    def _update(self, alive: np.ndarray) -> int:
        alive = np.asarray(alive, dtype=bool) & self.model.enabled
        changed = np.flatnonzero(self.alive != alive)
        if not len(changed):
            return 0
        was = self.alive
        failed = changed[was[changed]]
        repaired = changed[~was[changed]]
        self.alive = alive
        self.updates += 1
        if self.full:
            rows = np.arange(self.model.n_commodities)
            self._reroute_full(rows)
            return len(rows)
        self._cache.update_entries(self._entry, self._matrix.data, changed, alive)
        self._down += len(failed) - len(repaired)
        undo = self._undo
        if undo and np.array_equal(alive, undo[-1][0]):
            # back to the links in service before the last change: undo it
            saved = undo.pop()[1]
            self._put(saved)
            return len(saved["rows"])
        if self._down == 0:
            # the intact network again: its routing is known
            rows = np.flatnonzero((self.dist != self.best0)
                                  | (self.chosen != self._initial["chosen"]))
            self._push(was, rows)
            self._put(self._initial, rows)
            return len(rows)
        hit = (self.users[failed].any(axis=0) if len(failed)
               else np.zeros(self.model.n_commodities, dtype=bool))
        limit = np.inf
        home = np.zeros(0, dtype=np.int64)
        if len(repaired):
            more = self._improvable(repaired)
            if len(failed):
                more = more[~hit[more]]
            if len(more):
                # displaced commodities whose intact-network path is whole again take it
                # back without a search: nothing is shorter, and ties would have chosen
                # another candidate on the intact network already
                down = np.flatnonzero(self.model.enabled & ~alive)
                back = ~self._initial["_users"][down[:, None], more].any(axis=0)
                home = more[back]
                more = more[~back]
                if not len(failed) and len(more):
                    # a repair only shortens paths: nothing longer than the current path
                    # weights needs searching
                    limit = float(self.dist[more].max())
                hit[more] = True
        rows = np.flatnonzero(hit)
        self._push(was, np.concatenate([rows, home]) if len(home) else rows)
        self._put(self._initial, home)
        self._route(rows, limit)
        return len(rows) + len(home)

    def _push(self, was: np.ndarray, rows: np.ndarray) -> None:
        """Remember how to undo a change from the links in service ``was``."""
        self._undo.append((was, self._save(rows)))
        if len(self._undo) > self.undo_depth:
            del self._undo[0]

    def _improvable(self, repaired: np.ndarray) -> np.ndarray:
        """The commodities a repaired link could give a shorter path (sorted indices).

        Only displaced commodities (path weight above that on the intact network) can
        improve, and a new shortest path that is shorter than the current one must use a
        repaired edge e = (u, v): its weight is at least
        ``w_e + min(d(o,u) + d(v,t), d(o,v) + d(u,t))`` (through the hub, per leg) with
        ``d`` the distances on the intact network of the commodity's transit group (lower
        bounds for every state; see :meth:`ModelCache.repair_bound`). Commodities whose
        bound is not below their current path weight (with a margin for rounding) keep
        their (still shortest) path.
        """
        rows = np.flatnonzero(self.dist > self.best0)
        if not len(rows):
            return rows
        cache = self._cache
        best = cache.repair_bound(self.model, int(repaired[0]))[rows]
        for e in repaired[1:].tolist():
            best = np.minimum(best, cache.repair_bound(self.model, e)[rows])
        current = self.dist[rows]
        margin = 1e-9 * np.abs(np.where(np.isfinite(current), current, 0.0)) + 1e-12
        return rows[best < current + margin]

    def served(self) -> np.ndarray:
        """Whether each commodity has a path now."""
        return np.isfinite(self.dist)

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Served share (0 or 1) and one-way latency of each commodity, shape (C, 1).

        The arrays are read-only and the same objects until the next change."""
        if self._state is None:
            share = self.served().astype(float)[:, None]
            lat = self.lat[:, None].copy()
            share.flags.writeable = False
            lat.flags.writeable = False
            self._state = (share, lat)
        return self._state

    def edge_load(self, volume: np.ndarray) -> np.ndarray:
        """Load per edge (both directions added) for the given commodity volumes."""
        ok = self.path_edges >= 0
        weights = np.broadcast_to(np.asarray(volume, dtype=float)[:, None], ok.shape)
        return np.bincount(self.path_edges[ok], weights=weights[ok],
                           minlength=self.model.graph.n_edges)


def _cover(a: np.ndarray, b: np.ndarray, chosen: np.ndarray, size: int) -> np.ndarray:
    """Nodes to search from so that every leg (a[i], b[i]) has an end among them, given the
    nodes ``chosen`` already (a greedy vertex cover: the node on most uncovered legs
    first, ties to the lowest index). Returns a mask over the ``size`` nodes."""
    mark = np.zeros(size, dtype=bool)
    mark[chosen] = True
    left = ~(mark[a] | mark[b])
    while left.any():
        degree = np.bincount(np.concatenate([a[left], b[left]]), minlength=size)
        node = int(degree.argmax())
        mark[node] = True
        left &= (a != node) & (b != node)
    return mark


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
            result = route(m.graph, com, m.weight, masks, m.capacity, k_paths=m.k_paths,
                           penalty_factor=m.penalty_factor)
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
        share.flags.writeable = False
        lat.flags.writeable = False
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
