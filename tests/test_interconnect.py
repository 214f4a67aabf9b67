"""Routes that follow how networks interconnect: transit roles and cable-system layers on
small hand-built graphs, the role table's located errors, and the flagship's routes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cablesim
from cablesim import ScenarioError
from cablesim.experiment.tables import path_nodes
from cablesim.interconnect import (
    access_links,
    interconnection_points,
    land_side,
    split_landings,
    system_changes,
)
from cablesim.policy import TransitRules
from cablesim.routing.engine import Commodities, route_commodities
from cablesim.routing.graph import ArcGraph
from cablesim.transit_roles import load_transit_roles, roles_of


def network(nodes: list[tuple], links: list[tuple]) -> cablesim.Network:
    n = pd.DataFrame(nodes, columns=["id", "kind", "country", "lon", "lat"])
    n["name"], n["citation"] = n["id"], "test"
    lk = pd.DataFrame(links, columns=["id", "from_node", "to_node", "kind", "system",
                                      "length_km"])
    lk["capacity_gbps"], lk["price_usd_per_mbps_month"] = 100.0, 1.0
    lk["status"], lk["citation"], lk["rfs_year"] = "existing", "test", None
    return cablesim.Network.from_tables(n, lk)


def paths(net: cablesim.Network, pairs: list[tuple[str, str]], rules: TransitRules
          ) -> list[list[str]]:
    graph = ArcGraph.from_network(net)
    o = graph.nodes_of([a for a, _ in pairs])
    d = graph.nodes_of([b for _, b in pairs])
    via = np.full(len(pairs), -1)
    com = Commodities(o, via, d, np.ones(len(pairs)), rules.groups(o, via, d))
    weight = net.links["length_km"].to_numpy(dtype=float)
    result = route_commodities(graph, weight, com, rules.masks())
    out = []
    for i in range(len(pairs)):
        arcs = result.arcs[i][result.arcs[i] >= 0]
        out.append([str(graph.edge_ids[e]) for e in graph.arc_edge(arcs)]
                   if result.reachable[i] else [])
    return out


# Four countries on land: V - L - T - A (short hops) and V - A (long). L is closed,
# T sells transit to L only, V is closed, A is open (no role).
LAND = network(
    [("V1", "city", "VVV", 0, 0), ("L1", "city", "LLL", 1, 0), ("T1", "city", "TTT", 2, 0),
     ("A1", "city", "AAA", 3, 0)],
    [("vl", "V1", "L1", "terrestrial", "land", 100),
     ("lt", "L1", "T1", "terrestrial", "land", 100),
     ("ta", "T1", "A1", "terrestrial", "land", 100),
     ("va", "V1", "A1", "terrestrial", "land", 1000)])
ROLES = {"LLL": frozenset(), "TTT": frozenset({"LLL"}), "VVV": frozenset()}


def rules_for(net: cablesim.Network, **options) -> TransitRules:
    graph = ArcGraph.from_network(net)
    country = net.nodes["country"].to_dict()
    return TransitRules(graph, country, np.ones(graph.n_edges, dtype=bool),
                        land_side=land_side(net.links.reset_index(), net.nodes), **options)


def test_a_closed_country_carries_only_its_own_traffic():
    got = paths(LAND, [("V1", "T1"), ("V1", "L1")], rules_for(LAND, roles=ROLES))
    assert got[0] == ["va", "ta"]          # not across Laos-like L: the long way round
    assert got[1] == ["vl"]                # into L itself: allowed


def test_a_country_sells_transit_only_to_its_customers():
    got = paths(LAND, [("L1", "A1"), ("V1", "A1")], rules_for(LAND, roles=ROLES))
    assert got[0] == ["lt", "ta"]          # T sells to L
    assert got[1] == ["va"]                # V's traffic may not cross L (nor T)


def test_a_scenario_can_lift_a_role_but_not_no_transit():
    opened = paths(LAND, [("V1", "T1")], rules_for(LAND, roles=ROLES, open_countries=["LLL"]))
    assert opened[0] == ["vl", "lt"]
    closed = paths(LAND, [("V1", "T1")], rules_for(LAND, roles=ROLES, open_countries=["LLL"],
                                                    restricted=["LLL"]))
    assert closed[0] == ["va", "ta"]
    anyone = paths(LAND, [("V1", "T1")], rules_for(LAND))  # no roles: everyone sells
    assert anyone[0] == ["vl", "lt"]


# A cable from V to A lands in closed L on the way: passing its landing is not crossing L.
SEA = network(
    [("V1", "city", "VVV", 0, 0), ("A1", "city", "AAA", 3, 0), ("L1", "city", "LLL", 1, 1),
     ("v-land", "landing", "VVV", 0, 0.1), ("l-land", "landing", "LLL", 1, 0.9),
     ("a-land", "landing", "AAA", 3, 0.1)],
    [("bh-v", "V1", "v-land", "metro", "bh", 10), ("s:1", "v-land", "l-land", "submarine",
     "Cable", 100), ("s:2", "l-land", "a-land", "submarine", "Cable", 100),
     ("bh-a", "a-land", "A1", "metro", "bh", 10), ("bh-l", "l-land", "L1", "metro", "bh", 10)])


def test_a_cable_landing_in_a_closed_country_is_not_its_network():
    rules = rules_for(SEA, roles={"LLL": frozenset()})
    assert paths(SEA, [("V1", "A1")], rules)[0] == ["bh-v", "s:1", "s:2", "bh-a"]
    mask = rules.mask(frozenset())
    edges = list(SEA.links.index)
    assert not mask[edges.index("bh-l")] and mask[edges.index("s:1")]


# Two systems land at one station in P; their other ends are in Q and R. Carriers do not
# interconnect at the landing: a path from Q to R must hand over in P's city.
TWO = network(
    [("P1", "city", "PPP", 0, 0), ("Q1", "city", "QQQ", 1, 1), ("R1", "city", "RRR", -1, 1),
     ("p-land", "landing", "PPP", 0, 0.1), ("q-land", "landing", "QQQ", 1, 0.9),
     ("r-land", "landing", "RRR", -1, 0.9)],
    [("bh-p", "p-land", "P1", "metro", "bh", 50), ("one:1", "p-land", "q-land", "submarine",
     "One (ONE)", 100), ("two:1", "p-land", "r-land", "submarine", "Two (TWO)", 100),
     ("bh-q", "q-land", "Q1", "metro", "bh", 5), ("bh-r", "r-land", "R1", "metro", "bh", 5)])


def test_split_landings_makes_systems_hand_over_in_the_city():
    links = TWO.links.reset_index()
    links.loc[links["id"] == "one:1", "capacity_gbps"] = 300.0
    nodes, new_links, copies = split_landings(TWO.nodes.reset_index(), links)
    assert set(nodes["id"]) >= {"p-land~one", "p-land~two"} and "p-land" not in set(nodes["id"])
    assert copies == {"bh-p": ["bh-p~one", "bh-p~two"]}
    cap = new_links.set_index("id")["capacity_gbps"]
    # the backhaul's capacity split by the systems' capacities (300 and 100)
    assert cap["bh-p~one"] == pytest.approx(75.0) and cap["bh-p~two"] == pytest.approx(25.0)
    split = cablesim.Network.from_tables(nodes, new_links)
    got = paths(split, [("Q1", "R1")], rules_for(split))[0]
    assert got == ["bh-q", "one:1", "bh-p~one", "bh-p~two", "two:1", "bh-r"]
    before = paths(TWO, [("Q1", "R1")], rules_for(TWO))[0]
    assert before == ["bh-q", "one:1", "two:1", "bh-r"]  # changed system at the landing
    # a landing marked as an interconnection point stays one node
    marked = TWO.nodes.reset_index()
    marked["interconnect"] = np.where(marked["id"] == "p-land", "yes", "")
    kept, _, none = split_landings(marked, links)
    assert "p-land" in set(kept["id"]) and none == {}


def test_system_changes_are_named_with_their_node():
    points = interconnection_points(TWO.nodes)
    changes = system_changes(["Q1", "q-land", "p-land", "r-land", "R1"],
                             ["bh", "One (ONE)", "Two (TWO)", "bh"], points)
    assert [(c.node, c.interconnection_point) for c in changes] == [
        ("q-land", False), ("p-land", False), ("r-land", False)]


# ------------------------------------------------------------------ the role table
@pytest.mark.parametrize("rows, line, field, words", [
    ("XXX,none,,S,,estimate,\n", 2, "country", "unknown country 'XXX'"),
    ("THA,LAO KHX,,S,,estimate,\n", 2, "sells_transit_to", "unknown country 'KHX'"),
    ("THA,none,,S,,estimate,\nTHA,LAO,,S,,estimate,\n", 3, "country", "contradict"),
    ("THA,THA,,S,,estimate,\n", 2, "sells_transit_to", "itself"),
    ("THA,none,,S,,sure,\n", 2, "confidence", ""),
    ("Thai,none,,S,,estimate,\n", 2, "country", "ISO 3166-1"),
])
def test_bad_role_tables_get_located_errors(tmp_path, rows, line, field, words):
    path = tmp_path / "roles.csv"
    path.write_text("country,sells_transit_to,operator,source,url,confidence,note\n" + rows)
    with pytest.raises(ScenarioError) as err:
        load_transit_roles(path, known_countries={"THA", "LAO", "KHM"})
    assert any(p.row == line and p.field == field for p in err.value.problems), err.value
    assert words in str(err.value)


def test_the_committed_role_table_loads():
    from conftest import ROOT

    table = load_transit_roles(ROOT / "topology" / "china_asean" / "transit_roles.csv",
                               known_countries=cablesim.load_topology(
                                   ROOT / "topology" / "china_asean").countries)
    roles = roles_of(table)
    assert roles["CHN"] == frozenset({"LAO", "MMR"}) and roles["LAO"] == frozenset()
    assert roles["THA"] == frozenset({"LAO", "KHM", "MMR"})
    assert table["source"].str.len().min() > 10


# ------------------------------------------------------------------ the flagship
def flagship_paths(scenario: str) -> tuple:
    from cablesim.demand import load_country_indicators
    from cablesim.experiment import load_experiment
    from cablesim.experiment.prepare import prepare_scenario
    from cablesim.routing.engine import route
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    spec = next(s for s in experiment.scenarios if s.name == scenario)
    net = cablesim.load_topology(experiment.topology)
    graph = ArcGraph.from_network(net)
    demand = spec.demand.table(net, load_country_indicators(experiment.countries),
                               study=experiment.study)
    prep = prepare_scenario(spec, net, graph, demand, spec.demand.year, "flagship")
    result = route(graph, prep.commodities, prep.weight, prep.transit_rules.masks())
    return net, graph, prep, result


@pytest.mark.parametrize("scenario", ["direct", "regional_hubs", "guangxi_hub"])
def test_flagship_paths_change_system_only_at_interconnection_points(scenario):
    net, graph, prep, result = flagship_paths(scenario)
    points = interconnection_points(net.nodes)
    system = net.links["system"].to_numpy(dtype=object)
    bad = []
    access = access_links(net.links, net.nodes)
    for i in range(len(prep.commodities.origin)):
        arcs = result.paths.arcs[i][result.paths.arcs[i] >= 0]
        edges = graph.arc_edge(arcs)
        nodes = [str(n) for n in path_nodes(graph, arcs)]
        for change in system_changes(nodes, list(system[edges]), points,
                                     access=list(access[edges])):
            if not change.interconnection_point:
                bad.append((nodes[0], nodes[-1], change))
    assert not bad, bad[:5]


@pytest.mark.parametrize("scenario", ["direct", "regional_hubs", "guangxi_hub"])
def test_flagship_border_links_carry_no_third_country_traffic_without_a_role(scenario):
    net, graph, prep, result = flagship_paths(scenario)
    rules = prep.transit_rules
    country = net.nodes["country"].to_dict()
    side = land_side(net.links.reset_index(), net.nodes)
    ends = net.links[["from_node", "to_node"]].to_numpy()
    com = prep.commodities
    bad = []
    for i in range(len(com.origin)):
        allowed = rules.key(int(com.origin[i]), int(com.via[i]), int(com.destination[i]))
        edges = graph.arc_edge(result.paths.arcs[i][result.paths.arcs[i] >= 0])
        for e in edges[side[edges]]:
            for node in ends[e]:
                c = country.get(node)
                if c in rules.customers and c not in allowed:
                    bad.append((str(graph.node_ids[com.origin[i]]),
                                str(graph.node_ids[com.destination[i]]), str(net.links.index[e])))
    assert not bad, bad[:5]
    assert {"CHN", "LAO", "KHM", "MMR", "THA", "VNM"} <= set(rules.customers)


def test_the_audit_routes_are_gone():
    from cablesim.experiment import load_experiment
    from cablesim.experiment.path import path_between
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    via_gms = {"LAO", "KHM", "MMR"}
    for origin, destination in (("DEFRA", "VNHAN"), ("HKHKG", "THBKK"), ("JPTYO", "THBKK"),
                                ("USLAX", "THBKK")):
        info = path_between(experiment, origin, destination, policy="direct")
        crossed = {str(c) for c in info["countries"]}
        assert not crossed & via_gms, (origin, destination, info["nodes"])


def test_the_generalized_objective_prices_latency_at_the_value_of_time():
    net, graph, prep, _ = flagship_paths("direct")
    from cablesim.experiment import load_experiment
    from conftest import ROOT

    spec = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml").scenarios[0]
    assert spec.routing.objective == "generalized" and spec.routing.value_of_time == 0.5
    np.testing.assert_allclose(prep.weight, prep.price_usd_per_mbps_month
                               + 0.5 * prep.latency_ms)


def test_a_cheaper_slower_route_wins_under_the_generalized_objective():
    # two routes V1 -> A1: across L1 and T1 (3 links of 2 ms, price 1 each: 6 ms, 3 USD)
    # and direct (1 ms, 5 USD); at 0.01 USD per ms the cheap detour wins (3.06 < 5.01), at
    # 1 USD per ms the short one (9 > 6)
    net = LAND
    latency = np.array([2.0, 2.0, 2.0, 1.0])
    price = np.array([1.0, 1.0, 1.0, 5.0])
    rules = rules_for(net)
    graph = ArcGraph.from_network(net)
    o, d = graph.nodes_of(["V1"]), graph.nodes_of(["A1"])
    com = Commodities(o, np.array([-1]), d, np.ones(1), rules.groups(o, np.array([-1]), d))
    for vot, want in ((0.01, ["vl", "lt", "ta"]), (1.0, ["va"])):
        got = route_commodities(graph, price + vot * latency, com, rules.masks())
        arcs = got.arcs[0][got.arcs[0] >= 0]
        assert [str(graph.edge_ids[e]) for e in graph.arc_edge(arcs)] == want


def test_a_bad_interconnect_flag_is_a_located_error(tmp_path):
    import shutil

    from conftest import ROOT

    folder = tmp_path / "t"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", folder)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.insert(len(nodes.columns) - 1, "interconnect", "")
    nodes.loc[0, "interconnect"] = "maybe"
    nodes.to_csv(folder / "nodes.csv", index=False)
    with pytest.raises(cablesim.TopologyError) as err:
        cablesim.load_topology(folder)
    problem = err.value.problems[0]
    assert (problem.row, problem.field) == (2, "interconnect")
    assert "maybe" in str(err.value)


def test_held_out_tromboning_index_table_in_docs():
    # docs/routing.md, "Held out": the model's stretch for two Mekong pairs
    from cablesim.experiment import load_experiment
    from cablesim.experiment.path import path_between
    from cablesim.geo import great_circle_km
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    net = cablesim.load_topology(experiment.topology)
    nodes, links = net.nodes, net.links

    def stretch(o: str, d: str, policy: str) -> float:
        info = path_between(experiment, o, d, policy=policy, network=net)
        gc = great_circle_km(nodes.at[o, "lon"], nodes.at[o, "lat"], nodes.at[d, "lon"],
                             nodes.at[d, "lat"])
        return float(links.loc[info["links"], "length_km"].sum()) / gc

    assert stretch("KHPNH", "LAVTE", "direct") == pytest.approx(1.9, abs=0.05)
    assert stretch("KHPNH", "LAVTE", "hairpin_us") == pytest.approx(38.2, abs=0.05)
    assert stretch("VNHAN", "KHPNH", "regional_hubs") == pytest.approx(5.0, abs=0.05)
