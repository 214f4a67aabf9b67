"""Country analytics on small hand-built graphs: disjoint paths, minimum cuts, single points
of failure, cut sets, and the global gravity demand."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

import cablesim
from cablesim.analytics import (
    analyze,
    country_table,
    edge_disjoint_paths,
    isolated_by_cut,
    min_cut,
    select_links,
    single_points_of_failure,
)
from cablesim.cli import EXIT_INVALID, EXIT_OK, main
from cablesim.demand import (
    demand_nodes,
    global_gravity_demand,
    load_demand_csv,
    write_demand_csv,
)
from cablesim.study import Study


def _node(nid, kind, country, lon, lat):
    return {"id": nid, "name": nid, "kind": kind, "country": country, "lon": lon, "lat": lat,
            "citation": "test"}


def _link(lid, a, b, system, gbps, kind="submarine", status="existing"):
    return {"id": lid, "from_node": a, "to_node": b, "kind": kind, "system": system,
            "capacity_gbps": gbps, "price_usd_per_mbps_month": 0.1, "length_km": 100.0,
            "status": status, "rfs_year": 2010, "citation": "test"}


@pytest.fixture
def net() -> cablesim.Network:
    """Countries AAA, BBB, CCC, DDD and one branching unit at sea.

    - cable X: a1 - b1 (100 Gbps)
    - cable Y: a2 - J - b1 (200 Gbps, through the branching unit J)
    - cable Z: b1 - c1 (50 Gbps): CCC's only cable
    - cable W: c1 - d1 (10 Gbps) and cable V: c1 - d1 (10 Gbps), parallel
    - cable P: a1 - b1, planned (not in service by default)
    - domestic: a1 - a2 (terrestrial, inside AAA), and AAA's city
    """
    nodes = pd.DataFrame([
        _node("a1", "landing", "AAA", 0.0, 0.0), _node("a2", "landing", "AAA", 0.5, 0.0),
        _node("cityA", "city", "AAA", 0.2, 0.1),
        _node("b1", "landing", "BBB", 5.0, 0.0), _node("c1", "landing", "CCC", 8.0, 2.0),
        _node("d1", "landing", "DDD", 9.0, 4.0), _node("J", "junction", None, 3.0, -1.0)])
    links = pd.DataFrame([
        _link("x:1", "a1", "b1", "X", 100), _link("y:1", "a2", "J", "Y", 200),
        _link("y:2", "J", "b1", "Y", 200), _link("z:1", "b1", "c1", "Z", 50),
        _link("w:1", "c1", "d1", "W", 10), _link("v:1", "c1", "d1", "V", 10),
        _link("p:1", "a1", "b1", "P", 999, status="planned"),
        _link("dom:1", "a1", "a2", "Dom AAA", 5000, kind="terrestrial"),
        _link("bh:1", "a1", "cityA", "Backhaul AAA", 5000, kind="metro")])
    return cablesim.Network.from_tables(nodes, links, name="hand")


def test_edge_disjoint_paths_and_min_cut(net):
    assert edge_disjoint_paths(net, "AAA", "BBB") == 2
    assert edge_disjoint_paths(net, "AAA", "CCC") == 1
    assert edge_disjoint_paths(net, "CCC", "DDD") == 2
    assert edge_disjoint_paths(net, "AAA", "BBB", statuses=("existing", "planned")) == 3
    cut = min_cut(net, "AAA", "BBB")
    assert cut["min_cut_gbps"] == pytest.approx(300.0)
    assert cut["min_cut_cables"] == ["X", "Y"]
    cut = min_cut(net, "AAA", "DDD")
    assert cut["min_cut_gbps"] == pytest.approx(20.0)
    assert cut["min_cut_links"] == ["w:1", "v:1"]


def test_unknown_country_has_a_hint(net):
    with pytest.raises(cablesim.ScenarioError, match="did you mean 'BBB'"):
        edge_disjoint_paths(net, "AAA", "BBBB")


def test_country_table(net):
    table = country_table(net).set_index("country")
    assert table.loc["BBB", "international_cables"] == 3
    assert table.loc["BBB", "international_gbps"] == pytest.approx(350.0)
    assert table.loc["AAA", "international_gbps"] == pytest.approx(300.0)
    assert table.loc["AAA", "landing_points"] == 2
    assert table.loc["AAA", "cables"] == 2  # X and Y; the domestic links are not cables
    assert table.loc["CCC", "neighbours"] == ["BBB", "DDD"]
    assert table.index[0] == "BBB"  # largest capacity first


def test_single_points_of_failure(net):
    spof = {(s["country"], s["cable"]): s for s in single_points_of_failure(net)}
    # Z is CCC's only way to the main component: losing it disconnects CCC and DDD
    assert spof[("CCC", "Z")]["effect"] == "disconnects"
    assert spof[("DDD", "Z")]["effect"] == "disconnects"
    # Y carries 200 of AAA's 300 Gbps and 200 of BBB's 350 Gbps
    assert spof[("AAA", "Y")]["effect"] == "halves"
    assert spof[("AAA", "Y")]["gbps_after"] == pytest.approx(100.0)
    assert spof[("BBB", "Y")]["effect"] == "halves"
    assert ("AAA", "X") not in spof  # 100 of 300
    # W and V are parallel: each carries half of DDD's 20 Gbps, neither disconnects
    assert spof[("DDD", "W")]["effect"] == "halves"
    assert ("CCC", "W") not in spof


def test_cut_set_isolates_countries(net):
    result = isolated_by_cut(net, ["system:Z"], countries=["AAA", "DDD"])
    assert result["isolated"] == ["CCC", "DDD"]
    assert result["cables"] == ["Z"] and result["links_removed"] == 1
    assert result["disconnected_pairs"] == [("AAA", "DDD")]
    loss = {r["country"]: r for r in result["capacity_loss"]}
    assert loss["BBB"]["gbps_after"] == pytest.approx(300.0)
    assert loss["CCC"]["share_lost"] == pytest.approx(50 / 70)
    # an area cut: only the branching unit's links (J at 3E, 1S)
    result = isolated_by_cut(net, ["area:2.5,-1.5,3.5,-0.5"])
    assert result["cables"] == ["Y"] and result["isolated"] == []


def test_selectors(net):
    assert select_links(net, ["id:y:*"]).sum() == 2
    assert select_links(net, ["kind:metro", "status:planned"]).sum() == 2
    with pytest.raises(cablesim.ScenarioError) as info:
        select_links(net, ["system:Q", "bogus", "area:1,2,0,3"])
    text = str(info.value)
    assert "selector 'system:Q' matches no link" in text
    assert "bad link selector 'bogus'" in text and "bad area" in text


def test_selectors_are_the_scenario_selectors(net):
    """analytics.select_links is cablesim.selectors (parse + match), one implementation."""
    from cablesim.selectors import match_links, match_selectors

    for sel in ("id:y:*", "kind:metro", "status:planned", "area:2.5,-1.5,3.5,-0.5"):
        assert (select_links(net, [sel]) == match_links(net.links, sel)).all()
    mask, problems = match_selectors(net.links, ["system:Yy", "area:200,0,210,1"],
                                     source="test", where="cut")
    assert not mask.any()
    assert [p.message for p in problems] == ["selector 'system:Yy' matches no link",
                                             "bad area 'area:200,0,210,1'"]
    assert problems[0].field == "cut" and problems[0].hint and "Y" in problems[0].hint


def test_analyze_is_json_ready(net):
    result = analyze(net, countries=["aaa", "BBB", "DDD"], cut=["system:Y"])
    json.dumps(result)
    assert result["selected"] == ["AAA", "BBB", "DDD"]
    assert [r["country"] for r in result["countries"]] == ["BBB", "AAA", "DDD"]
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    assert pairs[("AAA", "BBB")]["edge_disjoint_paths"] == 2
    assert pairs[("AAA", "DDD")]["min_cut_gbps"] == pytest.approx(20.0)
    assert result["cut"]["isolated"] == []


def test_cli_analyze(net, tmp_path):
    cablesim.save_topology(net, tmp_path / "hand")
    out, err = io.StringIO(), io.StringIO()
    code = main(["analyze", str(tmp_path / "hand"), "--country", "AAA", "CCC", "--cut",
                 "system:Z", "--json"], out, err)
    assert code == EXIT_OK, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["pairs"][0]["edge_disjoint_paths"] == 1
    assert data["cut"]["isolated"] == ["CCC", "DDD"]
    out = io.StringIO()
    code = main(["analyze", str(tmp_path / "hand")], out, io.StringIO())
    assert code == EXIT_OK
    assert "single points of failure" in out.getvalue()
    err = io.StringIO()
    code = main(["analyze", str(tmp_path / "hand"), "--cut", "system:Nope"], io.StringIO(), err)
    assert code == EXIT_INVALID and "matches no link" in err.getvalue()


def test_global_gravity_demand(net, tmp_path):
    # AAA has a city node; the others get none: add cities for BBB and CCC
    nodes, links = net.tables()
    extra = pd.DataFrame([_node("cityB", "city", "BBB", 5.0, 0.5),
                          _node("cityC", "hub", "CCC", 8.0, 2.5)])
    more = pd.DataFrame([_link("bhB", "b1", "cityB", "bhB", 100, kind="metro"),
                         _link("bhC", "c1", "cityC", "bhC", 100, kind="metro")])
    net2 = cablesim.Network.from_tables(pd.concat([nodes, extra]), pd.concat([links, more]))
    assert demand_nodes(net2) == {"AAA": "cityA", "BBB": "cityB", "CCC": "cityC"}
    demand = global_gravity_demand(net2, total_gbps=1000.0)
    assert demand["gbps"].sum() == pytest.approx(1000.0)
    assert len(demand) == 6
    g = demand.set_index(["origin_country", "destination_country"])["gbps"]
    assert g[("AAA", "BBB")] == pytest.approx(g[("BBB", "AAA")])
    # masses: international cables AAA 2 (X, Y), BBB 3, CCC 1 (Z; W and V join CCC to DDD,
    # which has no demand node, but they still count as CCC's international cables)
    assert g[("AAA", "BBB")] > g[("AAA", "CCC")]
    demand = global_gravity_demand(net2, total_gbps=10.0, masses={"AAA": 1, "BBB": 1})
    assert set(demand["origin"]) == {"cityA", "cityB"}
    write_demand_csv(demand, tmp_path / "d.csv")
    loaded = load_demand_csv(tmp_path / "d.csv", net2, study=Study())
    assert loaded["gbps"].sum() == pytest.approx(10.0)
    with pytest.raises(cablesim.DemandError):
        global_gravity_demand(net2, total_gbps=-1.0)
    with pytest.raises(cablesim.DemandError, match="at least two are needed"):
        global_gravity_demand(net2, masses={"AAA": 1})
