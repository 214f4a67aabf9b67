"""The bundled China-ASEAN topology loads, validates and has what the model needs."""

from __future__ import annotations

import io
import json

import pytest

import cablesim
from cablesim.cli import main
from cablesim.study import load_study
from conftest import ROOT

TOPOLOGY = ROOT / "topology" / "china_asean"
STUDY = load_study(TOPOLOGY / "study.toml")


@pytest.fixture(scope="module")
def net():
    return cablesim.load_topology(TOPOLOGY)


def test_validate_passes_and_reports_one_component():
    out = io.StringIO()
    assert main(["validate", str(TOPOLOGY), "--json"], out, io.StringIO()) == 0
    summary = json.loads(out.getvalue())
    assert summary["components"] == 1
    assert set(summary["links_by_kind"]) >= {"submarine", "terrestrial"}


def test_every_asean_member_and_china_has_its_capital(net):
    assert set(STUDY.capitals) == set(STUDY.focus_members) | set(STUDY.partner_members)
    for country, capital in STUDY.capitals.items():
        assert capital in net.nodes.index, capital
        assert net.nodes.at[capital, "country"] == country
        assert net.nodes.at[capital, "kind"] in ("city", "hub")


def test_hubs_of_the_exchange_policies_exist(net):
    hubs = {"USLAX", "USSJC", "GBLON", "DEFRA", "FRMRS", "NLAMS", "SGSIN", "HKHKG", "JPTYO",
            "CNNNG"}
    assert hubs <= set(net.nodes.index[net.nodes["kind"] == "hub"])
    for coast in ("CNQZH", "CNBHY", "CNFAN"):
        assert coast in net.nodes.index


def test_at_least_thirty_submarine_systems_and_the_land_routes(net):
    links = net.links
    assert links.loc[links["kind"] == "submarine", "system"].nunique() >= 30
    systems = " | ".join(sorted(set(links["system"])))
    for words in ("GMS IS China-Vietnam", "GMS IS China-Laos", "China-Myanmar",
                  "Laos-Thailand", "Laos-Vietnam", "Thailand-Malaysia", "Malaysia-Singapore",
                  "Cambodia-Vietnam", "Cambodia-Thailand", "Myanmar-Thailand", "TEA",
                  "Kazakhstan", "Malaysia-Cambodia-Thailand (MCT)"):
        assert words in systems, words


def test_every_number_is_cited(net):
    assert net.nodes["citation"].str.len().min() > 0
    assert net.links["citation"].str.len().min() > 0
    routed = net.links[net.links["geometry_source"] == "file"]
    assert routed["route_citation"].str.len().min() > 0


def test_submarine_segments_follow_their_real_routes(net):
    sub = net.links[net.links["kind"] == "submarine"]
    assert (sub["geometry_source"] == "file").all()


def test_singapore_hong_kong_on_the_cables_is_longer_than_the_great_circle(net):
    from cablesim.geo import great_circle_km
    from cablesim.routing.graph import ArcGraph
    from cablesim.routing.paths import shortest_paths

    g = ArcGraph.from_network(net)
    ps = shortest_paths(g, g.csr(net.links["length_km"].to_numpy()), g.nodes_of(["SGSIN"]),
                        g.nodes_of(["HKHKG"]))
    gc = great_circle_km(*net.nodes.loc["SGSIN", ["lon", "lat"]],
                         *net.nodes.loc["HKHKG", ["lon", "lat"]])
    assert gc == pytest.approx(2590, rel=0.01)
    assert gc < ps.dist[0] < 1.3 * gc
