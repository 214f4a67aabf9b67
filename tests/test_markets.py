"""Local transit markets: the vintage of a year by hand, delivered prices for each binding
term on a small topology, and the price table's located errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cablesim
from cablesim import ScenarioError
from cablesim.experiment.tables import delivered_transit_prices
from cablesim.markets import MarketModel, load_transit_prices, market_prices
from cablesim.policy import TransitRules
from cablesim.routing.graph import ArcGraph

MODEL = MarketModel(per_10g_over_gige=0.5, decline_to_2015=0.1, decline_after_2015=0.2)


def prices(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["city", "year", "port", "usd_per_mbps_month",
                                       "statistic"])


def test_the_vintage_of_a_year_by_hand():
    table = prices([("HUB", 2013, "10GigE", 10.0, "median"),
                    ("HUB", 2016, "10GigE", 99.0, "lowest"),        # a bound: not a market
                    ("DEAR", 2015, "GigE", 40.0, "median"),
                    ("DEAR", 2012, "GigE", 80.0, "median"),
                    ("NOW", 2016, "10GigE", 3.0, "median"),
                    ("NOW", 2016, "10GigE", 5.0, "quoted")])
    got = market_prices(table, 2016, MODEL).set_index("node")
    # HUB: 10 in 2013, -10% a year to 2015, -20% to 2016: 10 x 0.9^2 x 0.8
    assert got.loc["HUB", "market_usd_per_mbps_month"] == pytest.approx(10 * 0.81 * 0.8)
    # DEAR: the 2015 GigE figure per 10GigE (x 0.5), moved one year
    assert got.loc["DEAR", "market_usd_per_mbps_month"] == pytest.approx(40 * 0.5 * 0.8)
    assert got.loc["DEAR", "market_confidence"] == "derived"
    # NOW: the median of the year's figures, cited
    assert got.loc["NOW", "market_usd_per_mbps_month"] == pytest.approx(4.0)
    assert got.loc["NOW", "market_confidence"] == "cited"
    back = market_prices(table, 2012, MODEL).set_index("node")
    assert back.loc["HUB", "market_usd_per_mbps_month"] == pytest.approx(10 / 0.9)


# a hub H with a cheap market, a city C one lease away with a dear market, a city D with a
# cheap market of its own, and a city E without any
NET = cablesim.Network.from_tables(
    pd.DataFrame({"id": ["H", "C", "D", "E"], "name": ["H", "C", "D", "E"],
                  "kind": "city", "country": ["HHH", "CCC", "DDD", "EEE"],
                  "lon": [0.0, 1, 2, 3], "lat": 0.0, "citation": "test"}),
    pd.DataFrame({"id": ["hc", "cd", "de"], "from_node": ["H", "C", "D"],
                  "to_node": ["C", "D", "E"], "kind": "terrestrial", "system": "s",
                  "capacity_gbps": 10.0, "price_usd_per_mbps_month": [1.0, 1.0, 0.5],
                  "status": "existing", "rfs_year": None, "citation": "test",
                  "length_km": 100.0}))


def test_delivered_prices_for_each_binding_term():
    graph = ArcGraph.from_network(NET)
    rules = TransitRules(graph, NET.nodes["country"].to_dict(),
                         np.ones(graph.n_edges, dtype=bool))
    market = pd.DataFrame({"node": ["H", "C", "D"], "market_usd_per_mbps_month": [2.0, 9.0, 2.5],
                           "market_basis": "test"})
    price = NET.links["price_usd_per_mbps_month"].to_numpy(dtype=float)
    got = delivered_transit_prices(graph, NET.nodes, price, rules, market).set_index("node")
    # C: its market (9) or H's 2 + 1 of lease = 3: via the hub, market over cost 3
    assert got.loc["C", "delivered_usd_per_mbps_month"] == pytest.approx(3.0)
    assert got.loc["C", "binding"] == "via hub" and got.loc["C", "via_hub"] == "H"
    assert got.loc["C", "market_over_cost"] == pytest.approx(3.0)
    # D: its own market 2.5 beats H's 2 + 2 = 4: the local market binds
    assert got.loc["D", "delivered_usd_per_mbps_month"] == pytest.approx(2.5)
    assert got.loc["D", "binding"] == "local market"
    # E: no market: D's 2.5 + 0.5 = 3.0 (H's 2 + 2.5 = 4.5)
    assert got.loc["E", "delivered_usd_per_mbps_month"] == pytest.approx(3.0)
    assert got.loc["E", "via_hub"] == "D" and np.isnan(got.loc["E", "market_over_cost"])
    # H is its own hub: its market binds
    assert got.loc["H", "binding"] == "local market"


@pytest.mark.parametrize("row, field, words", [
    ("XXSIN,SG,2015,Q2,10GigE,4,median,S,,,market", "city", "unknown city 'XXSIN'"),
    ("SGSIN,SG,2015,Q2,10GigE,-4,median,S,,,market", "usd_per_mbps_month", ""),
    ("SGSIN,SG,,Q2,10GigE,4,median,S,,,market", "year", ""),
    ("SGSIN,SG,2015,Q2,100GigE,4,median,S,,,market", "port", ""),
    ("SGSIN,SG,2015,Q2,10GigE,4,mean,S,,,market", "statistic", "unknown statistic"),
])
def test_bad_price_tables_get_located_errors(tmp_path, row, field, words):
    path = tmp_path / "p.csv"
    path.write_text("city,country,year,quarter,port,usd_per_mbps_month,statistic,source,url,"
                    "note,scope\n" + row + "\n")
    with pytest.raises(ScenarioError) as err:
        load_transit_prices(path, known_nodes={"SGSIN", "GBLON"})
    assert any(p.row == 2 and p.field == field for p in err.value.problems), err.value
    assert words in str(err.value)
    reference = row.replace("XXSIN", "AUSYD").replace(",market", ",reference")
    if field == "city":
        path.write_text(path.read_text().splitlines()[0] + "\n" + reference + "\n")
        assert len(load_transit_prices(path, known_nodes={"SGSIN"})) == 1


def test_the_flagship_singapore_over_london_comes_from_independent_figures():
    # Singapore's 2013 GigE median (US$13.51) and London's 2015 10GigE median (US$1.00),
    # each brought to 2016 by the cited declines: the seed's 2-5x, from cited inputs alone
    from cablesim.study import load_study
    from conftest import ROOT

    study = load_study(ROOT / "topology" / "china_asean" / "study.toml")
    got = market_prices(study.markets.table, 2016, study.markets.model).set_index("node")
    ratio = (got.loc["SGSIN", "market_usd_per_mbps_month"]
             / got.loc["GBLON", "market_usd_per_mbps_month"])
    assert ratio == pytest.approx(13.51 * 0.42 * 0.86 ** 2 / 1.00, rel=1e-9)
    assert 2.0 <= ratio <= 5.0


def test_scenarios_that_could_not_have_existed_are_labelled_counterfactual():
    from cablesim.experiment import load_experiment
    from cablesim.experiment.prepare import network_for_scenario
    from cablesim.experiment.tables import counterfactual_reasons
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    net = cablesim.load_topology(experiment.topology)
    by_name = {s.name: s for s in experiment.scenarios}
    for name, year, want in (("direct", 2016, 0), ("pan_eurasian_backup", 2016, 0),
                             ("guangxi_hub", 2016, 2), ("guangxi_hub", 2025, 1)):
        spec = by_name[name]
        links, enabled = network_for_scenario(net, spec, year, "x")
        why = counterfactual_reasons(spec, links, enabled, year, experiment.study)
        assert len(why) == want, (name, year, why)
        if name == "guangxi_hub" and year == 2016:
            assert "CNNNG" in why[1] and "2024" in why[1] and "proposed" in why[0]


def test_a_proxy_takes_its_models_price_as_an_estimate():
    table = prices([("HUB", 2016, "10GigE", 4.0, "median")])
    model = MarketModel(proxies={"NEW": "HUB", "ORPHAN": "NOWHERE"})
    got = market_prices(table, 2016, model).set_index("node")
    assert got.loc["NEW", "market_usd_per_mbps_month"] == pytest.approx(4.0)
    assert got.loc["NEW", "market_confidence"] == "estimate"
    assert got.loc["NEW", "market_basis"].startswith("estimate: HUB's market")
    assert "ORPHAN" not in got.index


def test_the_flagship_prices_exchange_at_nanning_and_shows_its_sensitivity(tmp_path):
    from cablesim.experiment import load_experiment, run_experiment
    from cablesim.experiment.write import write_results
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    keep = [s for s in experiment.scenarios if s.name in ("regional_hubs", "guangxi_hub")]
    experiment = type(experiment)(**{**experiment.__dict__, "scenarios": tuple(keep)})
    result = run_experiment(experiment)
    rows = result.scenarios.set_index("scenario")
    # Nanning no longer exchanges for free: it is charged Hong Kong's 2016 market price
    assert rows.loc["guangxi_hub", "estimated_hub_gbps"] > 100
    assert rows.loc["guangxi_hub", "estimated_hub_transit_usd_month"] > 0
    assert rows.loc["regional_hubs", "estimated_hub_gbps"] == 0
    write_results(result, tmp_path / "R")
    summary = (tmp_path / "R" / "summary.md").read_text()
    assert "| scenario | exchanged there Gbps | USD per Mbps at 0x | at 1x | at 2x |" in summary


def test_the_claims_table_is_computed_from_outputs():
    from cablesim.experiment.claims import claims_table
    from cablesim.study import load_study
    from conftest import ROOT

    study = load_study(ROOT / "topology" / "china_asean" / "study.toml")
    nodes = cablesim.load_topology(ROOT / "topology" / "china_asean").nodes
    scenarios = pd.DataFrame({"scenario": ["direct", "hairpin_us"], "year": [2016, 2016],
                              "policy": ["direct", "hairpin_us"],
                              "out_of_region_share": [0.0, 0.9]})
    prices = pd.DataFrame({
        "scenario": "direct", "node": ["SGSIN", "GBLON", "KHPNH", "LAVTE", "IDJKT", "CNBJS"],
        "market_usd_per_mbps_month": [3.0, 1.0, 60.0, 60.0, 4.0, np.nan],
        "delivered_usd_per_mbps_month": [3.0, 1.0, 4.0, 4.0, 3.5, 3.3],
        "market_basis": ["a", "b", "c", "d", "e", ""], "market_over_cost": [1.0, 1.0, 15.0,
                                                                             15.0, 1.1, np.nan],
        "via_hub": "SGSIN"})
    got = claims_table(scenarios, prices, study=study, nodes=nodes)
    by = {(r.claim, r.scenario, r.measure): r for r in got.itertuples(index=False)}
    sg = by[("Singapore transit is 2-5x London's", "direct", "market price")]
    assert sg.value == pytest.approx(3.0) and sg.holds is True
    caps = by[("most ASEAN capitals pay more than 2x Singapore", "direct", "market price")]
    assert caps.value.startswith("2 of 3 with a price") and caps.holds is True
    delivered = by[("most ASEAN capitals pay more than 2x Singapore", "direct",
                    "delivered price")]
    assert delivered.holds is False
    leave = by[("intra-ASEAN traffic is largely routed out of the region", "hairpin_us",
                "routed traffic")]
    assert leave.holds is True and leave.value == pytest.approx(0.9)
    gap = by[("Phnom Penh: market price over the cost of bringing a hub's transit there",
              "direct", "market over cost")]
    assert gap.value == pytest.approx(15.0) and "via SGSIN" in gap.rests_on
