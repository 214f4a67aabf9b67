"""The routing engine against hand-computed answers and networkx as an oracle."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cablesim
from cablesim.routing.engine import Commodities, route
from cablesim.routing.graph import ArcGraph
from cablesim.routing.lp import solve_path_lp
from cablesim.routing.paths import shortest_paths
from conftest import DATA


def triangle() -> ArcGraph:
    """A-B direct (edge 0); A-C (edge 1), C-B (edge 2)."""
    ids = np.array(["A", "B", "C"], dtype=object)
    return ArcGraph(ids, np.array(["ab", "ac", "cb"], dtype=object), np.array([0, 0, 2]),
                    np.array([1, 2, 1]), {k: i for i, k in enumerate(ids)},
                    {"ab": 0, "ac": 1, "cb": 2})


def one(origin: int, destination: int, gbps: float, via: int = -1) -> Commodities:
    return Commodities(np.array([origin]), np.array([via]), np.array([destination]),
                       np.array([gbps]))


def test_uncapacitated_takes_the_least_weight_path():
    g = triangle()
    r = route(g, one(0, 1, 8.0), np.array([3.0, 1.0, 1.0]))
    assert list(r.paths.arcs[0][: r.paths.hops[0]]) == [1, 2]  # A->C, C->B
    assert r.served[0] == 8.0 and r.unserved[0] == 0.0
    assert list(r.arc_load) == [0, 8, 8, 0, 0, 0]


def test_reverse_direction_uses_the_reverse_arcs():
    g = triangle()
    r = route(g, one(1, 0, 2.0), np.array([1.0, 5.0, 5.0]))
    assert list(r.paths.arcs[0][: r.paths.hops[0]]) == [3]  # arc e + m: B->A
    assert list(r.arc_load) == [0, 0, 0, 2, 0, 0]


def test_waypoint_goes_through_the_hub():
    g = triangle()
    r = route(g, one(0, 1, 1.0, via=2), np.array([1.0, 5.0, 5.0]))
    assert list(r.paths.arcs[0][: r.paths.hops[0]]) == [1, 2]
    assert r.paths.dist[0] == 10.0


def test_disabled_link_leaves_demand_unserved_and_accounted():
    g = triangle()
    r = route(g, one(0, 2, 4.0), np.ones(3), enabled=np.array([True, False, False]))
    assert r.served[0] == 0.0 and r.unserved[0] == 4.0


def test_capacitated_splits_over_the_bottleneck():
    g = triangle()
    r = route(g, one(0, 1, 8.0), np.array([1.0, 1.0, 1.0]),
              capacity_gbps=np.array([5.0, 10.0, 10.0]))
    assert r.served[0] == pytest.approx(8.0) and r.unserved[0] == pytest.approx(0.0)
    assert r.arc_load[0] == pytest.approx(5.0) and r.arc_load[1] == pytest.approx(3.0)


def test_capacitated_reports_unserved_demand():
    g = triangle()
    r = route(g, one(0, 1, 8.0), np.ones(3), capacity_gbps=np.array([5.0, 2.0, 10.0]))
    assert r.served[0] == pytest.approx(7.0) and r.unserved[0] == pytest.approx(1.0)
    assert r.served[0] + r.unserved[0] == 8.0


def test_lp_and_uncapacitated_agree_when_capacity_is_ample():
    net = cablesim.load_topology(DATA / "policy_small")
    g = ArcGraph.from_network(net)
    weight = net.links["latency_ms"].to_numpy()
    ids = list(net.nodes.index)
    rng = np.random.default_rng(7)
    pairs = [(a, b) for a in range(len(ids)) for b in range(len(ids)) if a != b]
    com = Commodities(np.array([a for a, _ in pairs]), np.full(len(pairs), -1),
                      np.array([b for _, b in pairs]), rng.uniform(0.1, 2.0, len(pairs)))
    free = route(g, com, weight)
    lp = route(g, com, weight, capacity_gbps=np.full(g.n_edges, 1e6))
    np.testing.assert_allclose(lp.arc_load, free.arc_load, atol=1e-6)
    np.testing.assert_allclose(lp.served, com.volume)


def test_path_lp_counts_an_arc_used_twice():
    # one path using arc 0 twice (a hairpin): capacity 10 allows only 5
    res = solve_path_lp(np.array([[0, 0]]), np.array([0]), np.array([1.0]), np.array([8.0]),
                        np.array([10.0]))
    assert res.served[0] == pytest.approx(5.0) and res.unserved[0] == pytest.approx(3.0)
    assert res.arc_load[0] == pytest.approx(10.0)


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 25), st.integers(0, 10_000), st.booleans())
def test_paths_match_networkx_and_flow_is_conserved(n, seed, capacitated):
    rng = np.random.default_rng(seed)
    g_nx = nx.gnm_random_graph(n, 2 * n, seed=seed)
    edges = list(g_nx.edges)
    if not edges:
        return
    ids = np.arange(n).astype(str).astype(object)
    g = ArcGraph(ids, np.arange(len(edges)).astype(str).astype(object),
                 np.array([u for u, _ in edges]), np.array([v for _, v in edges]),
                 {k: i for i, k in enumerate(ids)}, {})
    w = rng.uniform(1.0, 10.0, len(edges))
    for e, (u, v) in enumerate(edges):
        g_nx[u][v]["w"] = w[e]
    d = 20
    o, t = rng.integers(0, n, d), rng.integers(0, n, d)
    vol = rng.uniform(0.0, 5.0, d)
    ps = shortest_paths(g, g.csr(w), o, t)
    for i in range(d):
        if nx.has_path(g_nx, o[i], t[i]):
            assert ps.dist[i] == pytest.approx(nx.shortest_path_length(g_nx, o[i], t[i],
                                                                       weight="w"))
            arcs = ps.arcs[i][: ps.hops[i]]
            if len(arcs):
                assert g.arc_tail[arcs[0]] == o[i] and g.arc_head[arcs[-1]] == t[i]
                assert (g.arc_tail[arcs[1:]] == g.arc_head[arcs[:-1]]).all()
        else:
            assert not np.isfinite(ps.dist[i])
    cap = rng.uniform(0.5, 8.0, len(edges)) if capacitated else None
    r = route(g, Commodities(o, np.full(d, -1), t, vol), w, capacity_gbps=cap)
    np.testing.assert_allclose(r.served + r.unserved, vol, rtol=0, atol=1e-12)
    assert (r.served >= -1e-12).all() and (r.unserved >= -1e-12).all()
    assert (r.path_flow >= 0).all()
    if capacitated:
        assert (r.arc_load <= np.concatenate([cap, cap]) + 1e-6).all()
