"""The Network model on the hand-built tiny topology: derivations, views, round trips."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cablesim
from cablesim.geo import fibre_latency_ms, geodesic_length_km, great_circle_km


@pytest.fixture
def tiny(tiny_dir):
    return cablesim.load_topology(tiny_dir)


def assert_networks_equal(a: cablesim.Network, b: cablesim.Network) -> None:
    assert_frame_equal(pd.DataFrame(a.nodes.drop(columns="geometry")),
                       pd.DataFrame(b.nodes.drop(columns="geometry")))
    assert_frame_equal(pd.DataFrame(a.links.drop(columns="geometry")),
                       pd.DataFrame(b.links.drop(columns="geometry")))
    assert list(a.nodes.geometry.geom_equals(b.nodes.geometry)) == [True] * len(a.nodes)
    assert list(a.links.geometry.geom_equals(b.links.geometry)) == [True] * len(a.links)


def test_tables_are_geodataframes_indexed_by_id(tiny):
    assert isinstance(tiny.nodes, gpd.GeoDataFrame) and isinstance(tiny.links, gpd.GeoDataFrame)
    assert tiny.nodes.crs == "EPSG:4326" and tiny.links.crs == "EPSG:4326"
    assert list(tiny.nodes.index) == ["SGSIN", "HKHKG", "CNNNG", "VNHAN"]
    assert tiny.links.index.name == "id"


def test_length_comes_from_the_given_value_the_geometry_or_the_great_circle(tiny):
    links = tiny.links
    sg_hk = great_circle_km(103.8198, 1.3521, 114.1694, 22.3193)
    assert links.loc["sg-hk:01", "length_km"] == pytest.approx(sg_hk, rel=1e-3)
    assert links.loc["sg-hk:01", "length_source"] == "great_circle"
    assert links.loc["sg-hk:02", "length_km"] == 2900.0
    assert links.loc["sg-hk:02", "length_source"] == "given"
    hk_nng = great_circle_km(114.1694, 22.3193, 108.3669, 22.817)
    assert links.loc["hk-nng:01", "length_km"] == pytest.approx(1.3 * hk_nng, rel=1e-3)
    route = links.loc["nng-han:01", "geometry"]
    assert links.loc["nng-han:01", "geometry_source"] == "file"
    assert links.loc["nng-han:01", "length_source"] == "geometry"
    assert links.loc["nng-han:01", "length_km"] == pytest.approx(geodesic_length_km(route))
    assert links.loc["nng-han:01", "route_citation"] == "test fixture: via Pingxiang"
    # the route via Pingxiang is longer than the straight line Nanning-Hanoi
    assert links.loc["nng-han:01", "length_km"] > great_circle_km(108.3669, 22.817, 105.8342,
                                                                   21.0278)


def test_latency_is_fibre_delay_plus_equipment_allowance(tiny):
    links = tiny.links
    expected = fibre_latency_ms(2900.0) + 0.1
    assert links.loc["sg-hk:02", "latency_ms"] == pytest.approx(expected)
    assert expected == pytest.approx(2900 * 1.4682 / 299792.458 * 1000 + 0.1)


def test_graph_view_keeps_parallel_systems_distinct(tiny):
    g = tiny.graph()
    assert isinstance(g, nx.MultiGraph)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 4
    assert set(g["SGSIN"]["HKHKG"]) == {"sg-hk:01", "sg-hk:02"}
    assert g["SGSIN"]["HKHKG"]["sg-hk:02"]["system"] == "Test Cable B"
    assert g.nodes["CNNNG"]["kind"] == "hub"


def test_round_trip_tables_graph_tables(tiny):
    assert_networks_equal(tiny, cablesim.Network.from_graph(tiny.graph()))


def test_round_trip_graph_keeps_link_orientation(tiny):
    back = cablesim.Network.from_graph(tiny.graph())
    assert back.links.loc["nng-han:01", "from_node"] == "CNNNG"


def test_round_trip_folder(tiny, tmp_path):
    cablesim.save_topology(tiny, tmp_path / "copy")
    again = cablesim.load_topology(tmp_path / "copy")
    again.name = tiny.name
    assert_networks_equal(tiny, again)
    # derived lengths are written back as empty cells, not frozen numbers
    text = (tmp_path / "copy" / "links.csv").read_text()
    assert "sg-hk:01,SGSIN,HKHKG,submarine,Test Cable A,1000.0,,0.5,," in text


def test_edited_graph_becomes_a_network(tiny):
    g = tiny.graph()
    g.remove_edge("SGSIN", "HKHKG", key="sg-hk:01")
    edited = cablesim.Network.from_graph(g)
    assert list(edited.links.index) == ["sg-hk:02", "hk-nng:01", "nng-han:01"]


def test_summary(tiny):
    s = tiny.summary()
    assert s["nodes"] == 4 and s["links"] == 4
    assert s["nodes_by_kind"] == {"city": 1, "hub": 3}
    assert s["links_by_kind"] == {"submarine": 2, "terrestrial": 2}
    assert s["links_by_status"] == {"existing": 3, "proposed": 1}
    assert s["countries"] == ["CHN", "HKG", "SGP", "VNM"]
    assert s["components"] == 1
    # Hanoi is reached only by the proposed link
    assert s["components_existing"] == 2
    assert s["total_km"] == pytest.approx(tiny.links["length_km"].sum(), abs=0.05)


def test_from_tables_accepts_typed_frames_with_id_index():
    nodes = pd.DataFrame(
        {"name": ["A", "B"], "kind": ["city", "city"], "country": ["SGP", "MYS"],
         "lon": [103.8, 101.7], "lat": [1.35, 3.14], "citation": ["x", "x"]},
        index=pd.Index(["SGSIN", "MYKUL"], name="id"))
    links = pd.DataFrame(
        {"id": ["a"], "from_node": ["SGSIN"], "to_node": ["MYKUL"], "kind": ["terrestrial"],
         "system": ["S"], "capacity_gbps": [10.0], "price_usd_per_mbps_month": [1.0],
         "length_km": [None], "status": ["existing"], "rfs_year": [None], "citation": ["x"]})
    net = cablesim.Network.from_tables(nodes, links)
    assert net.links.loc["a", "length_km"] == pytest.approx(great_circle_km(103.8, 1.35, 101.7,
                                                                           3.14), rel=1e-3)
