"""Property tests: round trips on random networks, and loaders on mutated files."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cablesim
from cablesim import TopologyError
from cablesim.schema import LINK_KINDS, LINK_STATUSES, NODE_KINDS
from test_network import assert_networks_equal

DATA = Path(__file__).resolve().parent / "data"
ids = st.text(string.ascii_letters + string.digits + ":-_", min_size=1, max_size=8)
names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                max_size=10).filter(str.strip)
finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw) -> cablesim.Network:
    node_ids = draw(st.lists(ids, min_size=2, max_size=7, unique=True))
    n = len(node_ids)
    nodes = pd.DataFrame({
        "id": node_ids,
        "name": draw(st.lists(names, min_size=n, max_size=n)),
        "kind": draw(st.lists(st.sampled_from([k for k in NODE_KINDS if k != "junction"]),
                              min_size=n, max_size=n)),
        "country": draw(st.lists(st.sampled_from(["SGP", "CHN", "VNM", "USA"]), min_size=n,
                                 max_size=n)),
        "lon": draw(st.lists(st.floats(-180, 180, **finite), min_size=n, max_size=n)),
        "lat": draw(st.lists(st.floats(-89, 89, **finite), min_size=n, max_size=n)),
        "citation": ["property test"] * n,
    })
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
        lambda p: p[0] != p[1]), max_size=10))
    m = len(pairs)
    links = pd.DataFrame({
        "id": [f"l{i}" for i in range(m)],
        "from_node": [node_ids[a] for a, _ in pairs],
        "to_node": [node_ids[b] for _, b in pairs],
        "kind": draw(st.lists(st.sampled_from([k for k in LINK_KINDS if k != "satellite"]),
                              min_size=m, max_size=m)),
        "system": draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=m, max_size=m)),
        "capacity_gbps": draw(st.lists(st.floats(0.001, 1e6, **finite), min_size=m, max_size=m)),
        "price_usd_per_mbps_month": draw(st.lists(st.floats(0, 100, **finite), min_size=m,
                                                  max_size=m)),
        "length_km": draw(st.lists(st.one_of(st.none(), st.floats(0.1, 40000, **finite)),
                                   min_size=m, max_size=m)),
        "status": draw(st.lists(st.sampled_from(LINK_STATUSES), min_size=m, max_size=m)),
        "rfs_year": draw(st.lists(st.one_of(st.none(), st.integers(1990, 2035)), min_size=m,
                                  max_size=m)),
        "citation": ["property test"] * m,
    })
    return cablesim.Network.from_tables(nodes, links, name="random")


@settings(max_examples=40, deadline=None)
@given(networks())
def test_graph_round_trip_is_lossless(net):
    assert_networks_equal(net, cablesim.Network.from_graph(net.graph()))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(net=networks())
def test_folder_round_trip_is_lossless(net, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rt")
    cablesim.save_topology(net, folder)
    again = cablesim.load_topology(folder)
    again.name = net.name
    assert_networks_equal(net, again)


@st.composite
def mutated_text(draw, original: str) -> str:
    text = original
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "truncate", "duplicate_line", "swap"]))
        pos = draw(st.integers(0, max(len(text) - 1, 0)))
        if op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif op == "insert":
            junk = draw(st.sampled_from([",", "\n", '"', "NaN", "inf", "-1e308", "1e999", "é",
                                         "\x00", "🛰", " ", "\ufeff", "None", "SGSIN"]))
            text = text[:pos] + junk + text[pos:]
        elif op == "truncate":
            text = text[:pos]
        elif op == "duplicate_line":
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 2))
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
                text = "".join(lines)
    return text


FILES = ["nodes.csv", "links.csv", "geometry.geojson"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_give_only_topology_errors(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(DATA / "tiny", folder, dirs_exist_ok=True)
    name = data.draw(st.sampled_from(FILES))
    original = (folder / name).read_text()
    (folder / name).write_text(data.draw(mutated_text(original)), encoding="utf-8")
    try:
        net = cablesim.load_topology(folder)
    except TopologyError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file and problem.message
    else:
        assert len(net.nodes) >= 1
