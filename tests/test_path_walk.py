"""The vectorised path walk, path text, distance and transit-key helpers against plain,
element-by-element versions."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cablesim.experiment.tables import path_nodes, path_texts
from cablesim.geo import great_circle_km, great_circle_km_array
from cablesim.policy import TransitRules
from cablesim.routing.graph import ArcGraph
from cablesim.routing.paths import arc_loads, shortest_paths


def random_graph(n: int, extra: int, seed: int) -> tuple[ArcGraph, np.ndarray]:
    """A graph of n nodes: a random tree on the first n - 2 nodes (two isolated nodes) plus
    ``extra`` random edges, parallel edges allowed; integer weights, so that ties occur."""
    rng = np.random.default_rng(seed)
    eu, ev = [], []
    for v in range(1, n - 2):
        eu.append(int(rng.integers(0, v)))
        ev.append(v)
    for _ in range(extra):
        a, b = (int(x) for x in rng.choice(n - 2, 2, replace=False))
        eu.append(a)
        ev.append(b)
    ids = np.array([f"N{i}" for i in range(n)], dtype=object)
    graph = ArcGraph(ids, np.array([f"e{i}" for i in range(len(eu))], dtype=object),
                     np.array(eu, dtype=np.int64), np.array(ev, dtype=np.int64),
                     {k: i for i, k in enumerate(ids)}, {})
    return graph, rng.integers(1, 6, len(eu)).astype(float)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(4, 30), extra=st.integers(0, 40), seed=st.integers(0, 10_000))
def test_walk_gives_valid_least_weight_paths(n, extra, seed):
    graph, weight = random_graph(n, extra, seed)
    rng = np.random.default_rng(seed + 1)
    origins = rng.integers(0, n, 60)
    destinations = rng.integers(0, n, 60)
    paths = shortest_paths(graph, graph.csr(weight), origins, destinations)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for e, (u, v) in enumerate(zip(graph.edge_u, graph.edge_v, strict=True)):
        if not g.has_edge(u, v) or g[u][v]["weight"] > weight[e]:
            g.add_edge(int(u), int(v), weight=weight[e])
    arc_weight = np.concatenate([weight, weight])
    for i, (o, d) in enumerate(zip(origins, destinations, strict=True)):
        row = paths.arcs[i]
        h = paths.hops[i]
        assert (row[:h] >= 0).all() and (row[h:] == -1).all()  # padding only at the end
        try:
            expected = nx.shortest_path_length(g, int(o), int(d), weight="weight")
        except nx.NetworkXNoPath:
            assert np.isinf(paths.dist[i]) and h == 0
            continue
        assert paths.dist[i] == expected
        if o == d:
            assert h == 0
            continue
        # the arcs chain from the origin to the destination and add up to the distance
        arcs = row[:h]
        assert graph.arc_tail[arcs[0]] == o and graph.arc_head[arcs[-1]] == d
        assert (graph.arc_head[arcs[:-1]] == graph.arc_tail[arcs[1:]]).all()
        assert arc_weight[arcs].sum() == expected
    # loads are the volumes summed over each path's arcs
    volume = rng.uniform(0, 10, 60)
    expected_load = np.zeros(2 * graph.n_edges)
    for i in range(60):
        np.add.at(expected_load, paths.arcs[i][: paths.hops[i]], volume[i])
    np.testing.assert_allclose(arc_loads(paths, volume, 2 * graph.n_edges), expected_load)


def test_path_texts_by_hand():
    ids = np.array(["A", "B", "C"], dtype=object)
    graph = ArcGraph(ids, np.array(["ab", "ac", "cb"], dtype=object), np.array([0, 0, 2]),
                     np.array([1, 2, 1]), {k: i for i, k in enumerate(ids)}, {})
    arcs = np.array([[1, 2], [3, -1], [-1, -1], [4, 0]])  # A>C>B, B>A, none, C>A>B
    assert path_texts(graph, arcs) == ["A > C > B", "B > A", "", "C > A > B"]
    assert path_texts(graph, np.zeros((2, 0), dtype=np.int64)) == ["", ""]
    for row, text in zip(arcs, path_texts(graph, arcs), strict=True):
        assert " > ".join(path_nodes(graph, row)) == text


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-89, 89), st.floats(-180, 180),
                          st.floats(-89, 89)), min_size=0, max_size=20))
def test_great_circle_array_equals_the_scalar_version(points):
    arr = np.array(points, dtype=float).reshape(-1, 4)
    got = great_circle_km_array(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    expected = [great_circle_km(*p) for p in points]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), restricted=st.sets(st.sampled_from(["CHN", "VNM", "LAO"])))
def test_transit_key_codes_equal_keys(seed, restricted):
    graph, _ = random_graph(12, 10, seed)
    rng = np.random.default_rng(seed)
    country = {nid: rng.choice(["CHN", "VNM", "LAO", "THA", None]) for nid in graph.node_ids}
    rules = TransitRules(graph, country, np.ones(graph.n_edges, dtype=bool),
                         sorted(restricted))
    o, v, d = (rng.integers(-1, 12, 50) for _ in range(3))
    o, d = np.abs(o), np.abs(d)
    codes = rules.key_codes(o, v, d)
    for i in range(50):
        assert rules.key_of(codes[i]) == rules.key(o[i], v[i], d[i])
    # groups are numbered in order of first appearance, as one by one
    reference = TransitRules(graph, country, np.ones(graph.n_edges, dtype=bool),
                             sorted(restricted))
    one_by_one = [reference.group(reference.key(a, b, c)) for a, b, c in zip(o, v, d, strict=True)]
    assert list(rules.groups(o, v, d)) == (one_by_one if restricted else [0] * 50)
    if restricted:
        np.testing.assert_array_equal(rules.masks(), reference.masks())
