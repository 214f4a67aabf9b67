"""Capacitated routing: lazy capacity rows, lazy commodities, warm-up, proven gap.

The oracle is the exact arc formulation of the min-cost multi-commodity flow with unmet
penalty, written independently here and solved by ``scipy.optimize.linprog``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from cablesim.routing.engine import Commodities, route
from cablesim.routing.graph import ArcGraph
from cablesim.routing.lp import PathLP, solve_path_lp


def graph_of(edges: list[tuple[int, int]], n: int) -> ArcGraph:
    ids = np.arange(n).astype(str).astype(object)
    return ArcGraph(ids, np.arange(len(edges)).astype(str).astype(object),
                    np.array([u for u, _ in edges], dtype=np.int64),
                    np.array([v for _, v in edges], dtype=np.int64),
                    {k: i for i, k in enumerate(ids)}, {})


def exact_objective(graph: ArcGraph, weight: np.ndarray, capacity: np.ndarray,
                    com: Commodities, penalty: float) -> float:
    """Arc formulation, one commodity per demand: min cost + penalty x unmet."""
    n, m2, d = graph.n_nodes, 2 * graph.n_edges, len(com.origin)
    tail, head = graph.arc_tail, graph.arc_head
    rows, cols, vals = [], [], []
    for k in range(d):  # flow conservation, with the unmet slack u_k from origin to dest
        arcs = np.arange(m2)
        rows += [k * n + tail, k * n + head]
        cols += [k * m2 + arcs, k * m2 + arcs]
        vals += [np.ones(m2), -np.ones(m2)]
    u = d * m2 + np.arange(d)
    rows += [np.arange(d) * n + com.origin, np.arange(d) * n + com.destination]
    cols += [u, u]
    vals += [np.ones(d), -np.ones(d)]
    a_eq = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(d * n, d * m2 + d))
    b_eq = np.zeros(d * n)
    np.add.at(b_eq, np.arange(d) * n + com.origin, com.volume)
    np.add.at(b_eq, np.arange(d) * n + com.destination, -com.volume)
    a_ub = sp.hstack([sp.hstack([sp.identity(m2)] * d), sp.csr_matrix((m2, d))]).tocsr()
    cap = np.concatenate([capacity, capacity])
    finite = np.isfinite(cap)
    cost = np.concatenate([np.tile(np.concatenate([weight, weight]), d), np.full(d, penalty)])
    res = linprog(cost, A_ub=a_ub[finite], b_ub=cap[finite], A_eq=a_eq, b_eq=b_eq,
                  bounds=(0, None), method="highs")
    assert res.status == 0
    return float(res.fun)


def route_objective(r, weight: np.ndarray, penalty: float) -> float:
    arcs = r.paths.arcs
    w = np.concatenate([weight, weight])
    cost = np.where(arcs >= 0, w[np.maximum(arcs, 0)], 0.0).sum(axis=1)
    return float(cost @ r.path_flow + penalty * r.unserved.sum())


def route_penalty(graph: ArcGraph, com: Commodities, weight: np.ndarray) -> float:
    """The unmet penalty ``route`` uses with k_paths=1: 10 x costliest least path + 1."""
    free = route(graph, com, weight)
    dist = free.paths.dist[np.isfinite(free.paths.dist)]
    return 10.0 * float(dist.max(initial=0.0)) + 1.0


# A (0) to B (1): direct (edge 0, weight 1), via C (2; edges 1, 2, weight 2 in all), via D
# (3; edges 3, 4, weight 4 in all).
DIAMOND = [(0, 1), (0, 2), (2, 1), (0, 3), (3, 1)]
DIAMOND_W = np.array([1.0, 1.0, 1.0, 2.0, 2.0])


def test_violated_arc_outside_the_lp_gets_its_row():
    # only the direct arc is overloaded by the cheapest paths, so only it starts with a row;
    # moving the surplus to A-C-B overloads C->B (capacity 2), which must then get a row
    # (arcs as in DIAMOND)
    cap = np.array([5.0, 100.0, 2.0, 100.0, 100.0, np.inf, np.inf, np.inf, np.inf, np.inf])
    model = PathLP(np.array([8.0]), cap, unmet_penalty=100.0)
    model.add_paths(np.array([[0, -1], [1, 2]]), np.array([0, 0]), np.array([1.0, 2.0]))
    model.solve()
    assert model.active_arcs[0] and model.active_arcs[2]
    assert not model.active_arcs[1]  # A->C never exceeds its capacity: no row
    assert model.solves >= 2  # the C->B row came after a solve that overloaded it
    res = model.result()
    assert res.arc_load[0] == pytest.approx(5.0) and res.arc_load[2] == pytest.approx(2.0)
    assert res.served[0] == pytest.approx(7.0) and res.unserved[0] == pytest.approx(1.0)


def test_inactive_commodity_joins_when_its_path_gets_a_row():
    # commodity 1 (C -> B, 1.5) starts outside the LP: C->B (capacity 2) is not overloaded by
    # the cheapest paths. Once commodity 0 shifts flow onto A-C-B, C->B is overloaded, gets
    # a row, and commodity 1 must enter the LP to share it.
    g = graph_of(DIAMOND, 4)
    com = Commodities(np.array([0, 2]), np.array([-1, -1]), np.array([1, 1]),
                      np.array([8.0, 1.5]))
    cap = np.array([5.0, 100.0, 2.0, 100.0, 100.0])
    r = route(g, com, DIAMOND_W, capacity_gbps=cap, warm_rounds=0)
    assert (r.arc_load <= np.concatenate([cap, cap]) + 1e-7).all()
    np.testing.assert_allclose(r.served + r.unserved, com.volume, rtol=0, atol=1e-12)
    penalty = route_penalty(g, com, DIAMOND_W)
    exact = exact_objective(g, DIAMOND_W, cap, com, penalty)
    assert route_objective(r, DIAMOND_W, penalty) == pytest.approx(exact, rel=1e-9)
    # all 9.5 Gbps served: 5 direct, 0.5 via C (with 1.5 from C), 2.5 via D
    assert r.unserved.sum() == pytest.approx(0.0, abs=1e-9)
    assert r.arc_load[3] == pytest.approx(2.5)


def test_commodities_far_from_any_bottleneck_stay_out_of_the_lp():
    cap = np.full(5, 100.0)
    cap[0] = 5.0
    model = PathLP(np.array([8.0, 3.0]), np.concatenate([cap, cap]), unmet_penalty=100.0)
    # commodity 1 (D -> B) only ever uses D->B, which is far from full
    model.add_paths(np.array([[0, -1], [1, 2], [4, -1]]), np.array([0, 0, 1]),
                    np.array([1.0, 2.0, 2.0]))
    sigma, pi = model.solve()
    assert list(model.active_commodities) == [True, False]
    assert sigma[1] == pytest.approx(2.0)  # its path cost: the dual of an inactive demand
    assert pi[0] > 0 and pi[4] == 0
    res = model.result()
    assert res.served[1] == pytest.approx(3.0) and res.arc_load[4] == pytest.approx(3.0)
    # a new path for the inactive commodity brings it into the LP
    model.add_paths(np.array([[3, 4]]), np.array([1]), np.array([4.0]))
    model.solve()
    assert model.active_commodities[1]


def test_hot_arcs_get_rows_from_the_start():
    cap = np.array([5.0, 100.0, 2.0, 100.0, 100.0, np.inf, np.inf, np.inf, np.inf, np.inf])
    hot = np.zeros(10, dtype=bool)
    hot[[2, 3, 7]] = True  # 7 has no finite capacity: no row
    model = PathLP(np.array([8.0]), cap, unmet_penalty=100.0, hot_arcs=hot)
    model.add_paths(np.array([[0, -1], [1, 2]]), np.array([0, 0]), np.array([1.0, 2.0]))
    model.solve()
    assert list(np.flatnonzero(model.active_arcs)) == [0, 2, 3]
    assert model.solves == 1  # C->B had its row before the first solve
    assert model.result().arc_load[2] == pytest.approx(2.0)


def test_inactive_commodity_costlier_than_the_penalty_is_unserved():
    cap = np.array([10.0, np.inf])
    res = solve_path_lp(np.array([[0], [1]]), np.array([0, 1]), np.array([1.0, 50.0]),
                        np.array([4.0, 2.0]), cap, unmet_penalty=20.0)
    assert res.served[0] == pytest.approx(4.0)
    assert res.served[1] == 0.0 and res.unserved[1] == 2.0


def test_zero_capacity_arcs_carry_nothing():
    g = graph_of(DIAMOND, 4)
    com = Commodities(np.array([0]), np.array([-1]), np.array([1]), np.array([3.0]))
    cap = np.array([0.0, 0.0, 10.0, 10.0, 10.0])
    r = route(g, com, DIAMOND_W, capacity_gbps=cap)
    assert r.arc_load[0] == 0.0 and r.arc_load[1] == 0.0
    assert r.served[0] == pytest.approx(3.0) and r.arc_load[3] == pytest.approx(3.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 12), st.integers(0, 10_000), st.sampled_from([0.3, 1.0, 3.0]),
       st.sampled_from([0, 2]))
def test_capacitated_route_is_within_its_proven_gap_of_the_exact_lp(n, seed, tightness,
                                                                      warm):
    rng = np.random.default_rng(seed)
    g_nx = nx.gnm_random_graph(n, 2 * n, seed=seed)
    edges = list(g_nx.edges)
    if not edges:
        return
    g = graph_of(edges, n)
    w = rng.uniform(1.0, 10.0, len(edges))
    d = 12
    o, t = rng.integers(0, n, d), rng.integers(0, n, d)
    com = Commodities(o, np.full(d, -1), t, rng.uniform(0.0, 5.0, d))
    cap = rng.uniform(0.5, 8.0, len(edges)) * tightness
    cap[rng.random(len(edges)) < 0.1] = np.inf
    r = route(g, com, w, capacity_gbps=cap, warm_rounds=warm)
    np.testing.assert_allclose(r.served + r.unserved, com.volume, rtol=0, atol=1e-12)
    assert (r.arc_load <= np.concatenate([cap, cap]) + 1e-6).all()
    assert (r.path_flow >= 0).all()
    penalty = route_penalty(g, com, w)
    exact = exact_objective(g, w, cap, com, penalty)
    ours = route_objective(r, w, penalty)
    assert ours >= exact * (1 - 1e-7) - 1e-6
    # the gap is relative to the solution's own cost: ours - bound <= gap * ours
    assert ours * (1 - r.gap_bound) <= exact * (1 + 1e-7) + 1e-6
    assert r.gap_bound <= 0.005 or not r.converged


# ---------------------------------------------------------------------------- parallel links
def test_many_identical_parallel_links_are_routed_as_one_and_loaded_equally():
    """Eleven identical links 0-1 (capacity 10 each) and a detour 0-2-1: the 100 Gbps fit on
    the parallel links (110 Gbps in all), proven optimal at once, each link at 100/110."""
    edges = [(0, 1)] * 11 + [(0, 2), (2, 1)]
    graph = graph_of(edges, 3)
    weight = np.array([1.0] * 11 + [5.0, 5.0])
    capacity = np.array([10.0] * 11 + [1000.0, 1000.0])
    com = Commodities(np.array([0]), np.array([-1]), np.array([1]), np.array([100.0]))
    r = route(graph, com, weight, None, capacity, max_iterations=3)
    assert r.converged and r.gap_bound <= 1e-9
    assert r.served.sum() == pytest.approx(100.0)
    m = graph.n_edges
    load = r.arc_load[:m] + r.arc_load[m:]
    np.testing.assert_allclose(load[:11], 100.0 / 11.0, rtol=1e-9)
    np.testing.assert_allclose(load[11:], 0.0, atol=1e-9)


def test_parallel_links_in_either_orientation_and_out_of_service_ones():
    """A link 1-0 is parallel to 0-1 (loads follow its orientation); a parallel link out of
    service carries nothing and adds no capacity."""
    edges = [(0, 1), (1, 0), (0, 1)]
    graph = graph_of(edges, 2)
    weight = np.ones(3)
    capacity = np.array([5.0, 5.0, 5.0])
    enabled = np.array([True, True, False])
    com = Commodities(np.array([0]), np.array([-1]), np.array([1]), np.array([12.0]))
    r = route(graph, com, weight, enabled, capacity)
    assert r.served.sum() == pytest.approx(10.0) and r.unserved.sum() == pytest.approx(2.0)
    m = graph.n_edges
    np.testing.assert_allclose(r.arc_load[:m], [5.0, 0.0, 0.0], atol=1e-9)  # 0->1 on edge 0
    np.testing.assert_allclose(r.arc_load[m:], [0.0, 5.0, 0.0], atol=1e-9)  # 0->1 on 1-0
