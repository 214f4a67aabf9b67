"""Route commodities (origin, optional exchange hub, destination, volume) over an ArcGraph.

Two modes share one result type:

- uncapacitated: every commodity takes its least-weight path (through its hub, if any);
  unreachable commodities are unserved;
- capacitated: each commodity's least-weight path, ``k - 1`` diverse ones (penalty
  re-weighting: after each round of grouped Dijkstra, the weight of every arc used in that
  round is multiplied by ``penalty_factor``) and the paths of a short price warm-up (arcs
  that the current paths overload get a price, the commodities crossing them re-route) seed
  the path LP of :mod:`cablesim.routing.lp` (lazy capacity and demand rows); column
  generation then adds, round by round, each commodity's shortest path under weight +
  capacity duals while it lowers the cost, until a Lagrangian bound proves the cost within
  ``optimality_gap`` of the optimum over all paths, not just the candidates.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from cablesim.routing.graph import ArcGraph
from cablesim.routing.lp import PathLP
from cablesim.routing.paths import PathSet, arc_loads, concat_paths, shortest_paths

__all__ = ["Commodities", "RoutingResult", "route_commodities", "route"]


@dataclass(frozen=True)
class Commodities:
    """Flows to route, as aligned integer/float arrays of length D.

    Attributes
    ----------
    origin, destination : ndarray of int
        Node indices.
    via : ndarray of int
        Exchange hub node index, or -1 for a direct path.
    volume : ndarray of float
        Offered volume, Gbps.
    group : ndarray of int, optional
        Row of the ``enabled`` matrix each commodity routes on (when ``enabled`` is 2-D,
        e.g. one row per set of transit restrictions); all 0 by default.
    """

    origin: np.ndarray
    via: np.ndarray
    destination: np.ndarray
    volume: np.ndarray
    group: np.ndarray | None = None

    def subset(self, rows: np.ndarray) -> Commodities:
        """The commodities at positions ``rows``."""
        return Commodities(self.origin[rows], self.via[rows], self.destination[rows],
                           self.volume[rows], None if self.group is None else self.group[rows])

    def __len__(self) -> int:
        return len(self.origin)


@dataclass(frozen=True)
class RoutingResult:
    """Paths, flows and loads of one routing run.

    Attributes
    ----------
    paths : PathSet
        Every path that carries (or could carry) flow, P rows.
    path_commodity : ndarray of int, shape (P,)
        Commodity of each path.
    path_flow : ndarray, shape (P,)
        Gbps on each path.
    served, unserved : ndarray, shape (D,)
        Gbps per commodity; ``served + unserved`` equals the offered volume exactly.
    arc_load : ndarray, shape (2m,)
        Gbps per arc (``e`` forward, ``e + m`` reverse).
    lp_solves : int
        HiGHS solves of the column generation, re-solves after new capacity rows included
        (0 when uncapacitated).
    converged : bool
        Whether column generation reached ``optimality_gap`` (or found no improving path).
    gap_bound : float
        Proven bound on the relative distance of the objective from the optimum over all
        paths (0 when uncapacitated or when no improving path is left).
    """

    paths: PathSet
    path_commodity: np.ndarray
    path_flow: np.ndarray
    served: np.ndarray
    unserved: np.ndarray
    arc_load: np.ndarray
    lp_solves: int = 0
    converged: bool = True
    gap_bound: float = 0.0


def route_commodities(graph: ArcGraph, edge_weight: np.ndarray, commodities: Commodities,
                      enabled: np.ndarray | None = None) -> PathSet:
    """Least-weight path of every commodity, through its hub where it has one.

    ``enabled`` is ``None`` (all edges), a mask of shape (m,), or a matrix of shape (G, m)
    whose row ``commodities.group[i]`` says which edges commodity i may use.
    """
    if enabled is not None and np.ndim(enabled) == 2:
        groups = commodities.group if commodities.group is not None else np.zeros(
            len(commodities), dtype=np.int64)
        parts: list[tuple[np.ndarray, PathSet]] = []
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            parts.append((rows, _route_one_mask(graph, edge_weight, commodities.subset(rows),
                                                enabled[g])))
        return _merge_paths(parts, len(commodities))
    return _route_one_mask(graph, edge_weight, commodities, enabled)


def _route_one_mask(graph: ArcGraph, edge_weight: np.ndarray, commodities: Commodities,
                    enabled: np.ndarray | None) -> PathSet:
    csr = graph.csr(edge_weight, enabled)
    via = commodities.via
    hubbed = via >= 0
    first_target = np.where(hubbed, via, commodities.destination)
    first = shortest_paths(graph, csr, commodities.origin, first_target)
    if not hubbed.any():
        return first
    second_origin = np.where(hubbed, via, commodities.destination)
    second = shortest_paths(graph, csr, second_origin, commodities.destination)
    return concat_paths(first, second)


def _merge_paths(parts: list[tuple[np.ndarray, PathSet]], n: int) -> PathSet:
    width = max((p.arcs.shape[1] for _, p in parts), default=0)
    arcs = np.full((n, width), -1, dtype=np.int64)
    hops = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.inf)
    for rows, p in parts:
        arcs[rows, : p.arcs.shape[1]] = p.arcs
        hops[rows] = p.hops
        dist[rows] = p.dist
    return PathSet(arcs, hops, dist)


def _path_weight(arcs: PathSet | np.ndarray, arc_weight: np.ndarray) -> np.ndarray:
    """Sum of ``arc_weight`` along each path (a PathSet or a padded arc matrix)."""
    arcs = arcs.arcs if isinstance(arcs, PathSet) else arcs
    mask = arcs >= 0
    values = np.where(mask, arc_weight[np.where(mask, arcs, 0)], 0.0)
    return values.sum(axis=1)


def route(
    graph: ArcGraph,
    commodities: Commodities,
    edge_weight: np.ndarray,
    enabled: np.ndarray | None = None,
    capacity_gbps: np.ndarray | None = None,
    *,
    k_paths: int = 1,
    penalty_factor: float = 3.0,
    max_iterations: int = 50,
    optimality_gap: float = 0.005,
    warm_rounds: int = 3,
    warm_step: float = 2.0,
) -> RoutingResult:
    """Route commodities without (``capacity_gbps=None``) or with capacity limits.

    Parameters
    ----------
    graph : ArcGraph
        The network's array view.
    commodities : Commodities
        What to route.
    edge_weight : ndarray, shape (m,)
        Weight minimised per edge (e.g. latency in ms or price in USD per Mbps per month).
    enabled : ndarray of bool, shape (m,) or (G, m), optional
        Edges that may carry traffic; with one row per commodity group (see
        :class:`Commodities`), e.g. to keep traffic out of a country's domestic network.
    capacity_gbps : ndarray, shape (m,), optional
        Per-direction capacity of each edge; ``None`` routes without capacity limits.
    k_paths : int
        Initial candidate paths per commodity in capacitated mode (rounds of re-weighting;
        the unmet-demand penalty is ten times the costliest of them plus one).
    penalty_factor : float
        Weight multiplier applied per round to arcs used in the previous round.
    max_iterations : int
        Most rounds of the column generation: after the initial candidates, each round
        solves the LP (re-solving while some arc is found over capacity without a row),
        prices every commodity's shortest path under weight + capacity duals and adds the
        paths that would lower the cost; it stops when none would (the LP optimum over all
        paths), once the gap is proven, or after this many rounds.
    optimality_gap : float
        Stop once the Lagrangian bound proves the objective within this relative distance
        of the optimum over all paths (default 0.5%).
    warm_rounds : int
        Rounds of price warm-up before the first LP solve: each raises the price of every
        arc that the commodities' current paths overload (by ``warm_step`` x the arc's
        weight x its relative overload) and re-routes the commodities that cross a
        re-priced arc; the new paths join the initial candidates. This only seeds the
        column generation (the optimum and the proven gap do not depend on it), but good
        seeds save LP rounds.
    warm_step : float
        Step of the warm-up prices, relative to the arc weights.
    """
    m = graph.n_edges
    volume = np.asarray(commodities.volume, dtype=float)
    base = np.asarray(edge_weight, dtype=float)
    if capacity_gbps is None:
        paths = route_commodities(graph, base, commodities, enabled)
        served = np.where(paths.reachable, volume, 0.0)
        return RoutingResult(paths, np.arange(len(volume)), served, served, volume - served,
                             arc_loads(paths, served, 2 * m))
    rep = parallel_representatives(graph, base, enabled)
    if (rep != np.arange(m)).any():
        return _route_merged(graph, commodities, base, enabled, capacity_gbps, rep,
                             k_paths=k_paths, penalty_factor=penalty_factor,
                             max_iterations=max_iterations, optimality_gap=optimality_gap,
                             warm_rounds=warm_rounds, warm_step=warm_step)
    arc_weight = np.concatenate([base, base])
    multiplier = np.ones(2 * m)
    rounds: list[PathSet] = []
    for _ in range(max(k_paths, 1)):
        weight = arc_weight * multiplier
        paths = route_commodities(graph, weight, commodities, enabled)
        rounds.append(paths)
        used = np.unique(paths.arcs[paths.arcs >= 0])
        multiplier[used] *= penalty_factor
        multiplier[(used + m) % (2 * m)] *= penalty_factor  # both directions of a used edge
    capacity = np.concatenate([np.asarray(capacity_gbps, dtype=float)] * 2)
    candidates: list[tuple[np.ndarray | None, PathSet]] = [(None, p) for p in rounds]
    cand_arcs, cand_commodity = _unique_candidates(candidates)
    cost = _path_weight(cand_arcs, arc_weight)
    penalty = 10.0 * float(cost.max(initial=0.0)) + 1.0
    hot = None
    if warm_rounds > 0:
        extra, hot = _warm_candidates(graph, commodities, enabled, arc_weight, capacity,
                                      volume, rounds[0], warm_rounds, warm_step)
        cand_arcs, cand_commodity = _unique_candidates([*candidates, *extra])
        cost = _path_weight(cand_arcs, arc_weight)
    model = PathLP(volume, capacity, penalty, hot_arcs=hot)
    model.add_paths(cand_arcs, cand_commodity, cost)
    active = volume > 0
    finite = np.isfinite(capacity)
    iterations, converged, gap, best_bound = 0, False, np.inf, -np.inf
    while iterations < max_iterations:
        sigma, pi = model.solve()
        iterations += 1
        priced = route_commodities(graph, arc_weight + pi, commodities, enabled)
        reduced = np.where(active & np.isfinite(priced.dist), priced.dist - sigma, 0.0)
        improving = reduced < -1e-9 * (1.0 + np.abs(sigma))
        # Lagrangian bound (capacity rows relaxed with prices pi >= 0): every commodity pays
        # its cheapest priced path or the penalty, less the capacity's worth at those prices.
        # Valid for any pi >= 0, so the solver's tolerances cannot make it overstate.
        price = np.maximum(pi, 0.0)
        dist = priced.dist if not (pi < 0).any() else route_commodities(
            graph, arc_weight + price, commodities, enabled).dist  # re-price with pi >= 0
        cheapest = np.minimum(dist, model.unmet_penalty)
        lagrange = (float(volume[active] @ cheapest[active])
                    - float(price[finite] @ capacity[finite]))
        best_bound = max(best_bound, lagrange)
        objective = model.objective()
        gap = (objective - best_bound) / max(abs(objective), 1e-12)
        if not improving.any() or gap <= optimality_gap:
            converged = True
            break
        rows = np.flatnonzero(improving)
        new_arcs = priced.arcs[rows]
        model.add_paths(new_arcs, rows, _path_weight(new_arcs, arc_weight))
    if not converged:
        model.solve()
    lp = model.result()
    cand = PathSet(model.path_arcs, (model.path_arcs >= 0).sum(axis=1),
                   np.zeros(len(model.path_commodity)))
    # the gap of the solution returned (its own flows, not the solver's objective value)
    primal = (float(lp.path_flow @ _path_weight(model.path_arcs, arc_weight))
              + model.unmet_penalty * float(lp.unserved.sum()))
    if np.isfinite(best_bound):
        gap = (primal - best_bound) / max(abs(primal), 1e-12)
    return RoutingResult(cand, model.path_commodity, lp.path_flow, lp.served, lp.unserved,
                         lp.arc_load, model.solves, converged, float(max(gap, 0.0)))


def _warm_candidates(graph: ArcGraph, commodities: Commodities, enabled: np.ndarray | None,
                     arc_weight: np.ndarray, capacity: np.ndarray, volume: np.ndarray,
                     first: PathSet, n_rounds: int, step: float
                     ) -> tuple[list[tuple[np.ndarray, PathSet]], np.ndarray]:
    """Paths from a few rounds of overload pricing (a subgradient step per round).

    Starting from ``first`` (each commodity's least-weight path, carrying its full volume),
    each round adds ``step * weight * (load / capacity - 1)`` to the price of every
    overloaded arc and re-routes the commodities whose current path crosses one of them;
    any other commodity's path stays a least-price path, since prices only rose elsewhere.

    Returns the (commodity rows, paths) of each round and a mask of the arcs overloaded at
    some point (likely to bind: they get capacity rows from the start).
    """
    n_arcs = len(arc_weight)
    served = np.where(first.reachable, volume, 0.0)
    current = first.arcs
    price = np.zeros(n_arcs)
    out: list[tuple[np.ndarray, PathSet]] = []
    ever = np.zeros(n_arcs, dtype=bool)
    for r in range(n_rounds + 1):
        load = arc_loads(PathSet(current, first.hops, first.dist), served, n_arcs)
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.where(load > capacity, load / capacity - 1.0, 0.0)
        hot = excess > 0
        ever |= hot
        if r == n_rounds or not hot.any():
            break
        price += step * arc_weight * np.minimum(excess, 100.0)
        rows = np.flatnonzero(((current >= 0) & hot[np.maximum(current, 0)]).any(axis=1)
                              & (served > 0))
        paths = route_commodities(graph, arc_weight + price, commodities.subset(rows),
                                  enabled)
        out.append((rows, paths))
        width = max(current.shape[1], paths.arcs.shape[1])
        current = np.pad(current, ((0, 0), (0, width - current.shape[1])), constant_values=-1)
        current[rows] = -1
        current[rows, : paths.arcs.shape[1]] = paths.arcs
    return out, ever


def _unique_candidates(rounds: list[tuple[np.ndarray | None, PathSet]]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Stack the rounds' reachable paths and drop duplicates per commodity (stable order).

    Each round is (commodity rows, paths), rows ``None`` meaning all commodities.
    """
    width = max((p.arcs.shape[1] for _, p in rounds), default=0)
    blocks, owners = [], []
    for rows, paths in rounds:
        ok = np.flatnonzero(paths.reachable)
        block = np.full((len(ok), width), -1, dtype=np.int64)
        block[:, : paths.arcs.shape[1]] = paths.arcs[ok]
        blocks.append(block)
        owners.append(ok if rows is None else np.asarray(rows)[ok])
    stacked = np.vstack(blocks) if blocks else np.zeros((0, width), dtype=np.int64)
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    keyed = np.column_stack([owner, stacked])
    # rows hashed to one integer (wrapping arithmetic), sorted stably by hash; a row equal to
    # its predecessor in that order is a repeat (a hash collision only costs a redundant
    # column, never a lost path)
    mix = np.random.default_rng(0).integers(1, 2**62, keyed.shape[1]) | 1
    with np.errstate(over="ignore"):
        digest = (keyed * mix).sum(axis=1)
    by_hash = np.argsort(digest, kind="stable")
    repeat = np.zeros(len(owner), dtype=bool)
    same = (digest[by_hash[1:]] == digest[by_hash[:-1]])
    same[same] = (keyed[by_hash[1:][same]] == keyed[by_hash[:-1][same]]).all(axis=1)
    repeat[by_hash[1:][same]] = True
    first = np.flatnonzero(~repeat)
    order = first[np.argsort(owner[first], kind="stable")]
    return stacked[order], owner[order]


def parallel_representatives(graph: ArcGraph, edge_weight: np.ndarray,
                             enabled: np.ndarray | None) -> np.ndarray:
    """For each edge, the first edge exactly parallel to it (itself when none).

    Exactly parallel: the same two end nodes (either orientation), the same weight and the
    same place in every ``enabled`` mask. Such edges are interchangeable for routing, so
    the capacitated router treats each group as one edge of their summed capacity: with
    many identical parallel links the column generation would otherwise add one of them
    per round and stop before proving its gap.
    """
    m = graph.n_edges
    lo = np.minimum(graph.edge_u, graph.edge_v)
    hi = np.maximum(graph.edge_u, graph.edge_v)
    weight = np.asarray(edge_weight, dtype=float)
    columns: list[np.ndarray] = [lo, hi, weight.view(np.int64)]
    if enabled is not None:
        mask = np.atleast_2d(np.asarray(enabled, dtype=bool))
        columns += [row.astype(np.int64) for row in mask]
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.column_stack(columns)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    rep = np.asarray(first[inverse.ravel()], dtype=np.int64)
    if enabled is not None:  # an edge out of service everywhere stands for itself
        unused = ~np.atleast_2d(np.asarray(enabled, dtype=bool)).any(axis=0)
        rep[unused] = np.flatnonzero(unused)
    return rep


def _route_merged(graph: ArcGraph, commodities: Commodities, base: np.ndarray,
                  enabled: np.ndarray | None, capacity_gbps: np.ndarray, rep: np.ndarray,
                  **options: Any) -> RoutingResult:
    """Capacitated routing with exactly parallel edges merged (see
    :func:`parallel_representatives`); the loads are split back in proportion to the
    edges' capacities, so that parallel edges are equally utilised."""
    m = graph.n_edges
    capacity = np.asarray(capacity_gbps, dtype=float)
    merged_capacity = np.bincount(rep, weights=capacity, minlength=m)
    keep = rep == np.arange(m)
    merged_enabled = keep.copy() if enabled is None else np.asarray(enabled, dtype=bool) & keep
    result = route(graph, commodities, base, merged_enabled,
                   np.where(keep, merged_capacity, capacity), **options)
    share = np.where(merged_capacity[rep] > 0, capacity / np.maximum(merged_capacity[rep],
                                                                     1e-300), 0.0)
    same = graph.edge_u == graph.edge_u[rep]
    fwd, rev = result.arc_load[:m], result.arc_load[m:]
    load = np.concatenate([np.where(same, fwd[rep], rev[rep]) * share,
                           np.where(same, rev[rep], fwd[rep]) * share])
    return dataclasses.replace(result, arc_load=load)
