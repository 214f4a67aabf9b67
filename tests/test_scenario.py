"""The scenario engine on the small hand-checkable experiment (tests/data/policy_small)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cablesim import ScenarioError
from cablesim.experiment import load_experiment, path_between, run_experiment
from cablesim.experiment.write import write_results
from cablesim.geo import C_KM_PER_S, FIBRE_GROUP_INDEX
from conftest import DATA

EXPERIMENT = DATA / "policy_small" / "experiment.toml"


def one_way_ms(km: float, links: int) -> float:
    return km * FIBRE_GROUP_INDEX / C_KM_PER_S * 1000.0 + 0.1 * links


@pytest.fixture(scope="module")
def result():
    return run_experiment(load_experiment(EXPERIMENT))


def pair(result, scenario, origin, destination):
    p = result.pairs
    row = p[(p.scenario == scenario) & (p.origin == origin) & (p.destination == destination)]
    assert len(row) == 1
    return row.iloc[0]


def test_direct_is_the_least_latency_path(result):
    row = pair(result, "direct", "IDJKT", "VNHAN")
    assert row.path == "IDJKT > SGSIN > HKHKG > VNHAN"
    assert row.rtt_ms == pytest.approx(2 * one_way_ms(1000 + 2600 + 900, 3))
    assert row.via == "" or pd.isna(row.via)
    # lease 0.5 + 1.0 + 0.4 USD per Mbps-month, no transit
    assert row.cost_usd_per_mbps_month == pytest.approx(1.9)
    assert row.cost_usd_month == pytest.approx(1.9 * 3000)


def test_hairpin_us_crosses_the_pacific_twice(result):
    row = pair(result, "hairpin_us", "IDJKT", "VNHAN")
    assert row.via == "USLAX"
    assert row.path == "IDJKT > SGSIN > HKHKG > USLAX > HKHKG > VNHAN"
    assert row.rtt_ms == pytest.approx(2 * one_way_ms(1000 + 2600 + 12000 + 12000 + 900, 5))
    # lease 0.5 + 1 + 2 + 2 + 0.4 plus Los Angeles transit 1.2
    assert row.cost_usd_per_mbps_month == pytest.approx(7.1)
    assert row.leaves_region_share == 1.0


def test_hairpin_eu_picks_the_nearest_european_hub(result):
    row = pair(result, "hairpin_eu", "IDJKT", "VNHAN")
    assert row.via == "FRMRS"
    assert row.cost_usd_per_mbps_month == pytest.approx(0.5 + 2.5 + 2.5 + 1.0 + 0.4 + 2.0)


def test_regional_hub_adds_no_detour_when_on_the_way(result):
    assert pair(result, "regional_hubs", "IDJKT", "VNHAN").rtt_ms == pytest.approx(
        pair(result, "direct", "IDJKT", "VNHAN").rtt_ms)


def test_guangxi_hub_uses_the_proposed_land_links(result):
    row = pair(result, "guangxi_hub", "VNHAN", "THBKK")
    assert row.via == "CNNNG" and row.path == "VNHAN > CNNNG > THBKK"
    assert row.rtt_ms == pytest.approx(2 * one_way_ms(400 + 1500, 2))
    assert row.cost_usd_per_mbps_month == pytest.approx(0.2 + 0.5)


def test_mix_splits_a_demand_between_options(result):
    row = pair(result, "mix", "IDJKT", "VNHAN")
    expected = 0.6 * 2 * one_way_ms(28500, 5) + 0.4 * 2 * one_way_ms(4500, 3)
    assert row.rtt_ms == pytest.approx(expected)
    assert row.leaves_region_share == pytest.approx(0.6)
    assert row.cost_usd_per_mbps_month == pytest.approx(0.6 * 7.1 + 0.4 * 1.9)


def test_every_output_accounts_for_all_demand(result):
    for table in (result.scenarios, result.pairs, result.countries):
        assert (table.served_gbps + table.unserved_gbps - table.offered_gbps).abs().max() < 1e-9
    assert (result.scenarios.offered_gbps == 5.0).all()


def test_results_are_byte_identical_on_rerun(tmp_path, result):
    write_results(result, tmp_path / "a")
    write_results(run_experiment(load_experiment(EXPERIMENT)), tmp_path / "b")
    for name in ("scenarios.csv", "pairs.csv", "countries.csv", "links.csv",
                 "transit_prices.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_calibration_reports_a_verdict(result):
    cal = result.calibration
    assert cal["verdict"] in ("reproduced", "not reproduced")
    first = cal["checks"][0]
    # Singapore: min(own 4.0, London 1.0 + lease 2.5 + 0.2) = 3.7; London: 1.0
    assert first["value"] == pytest.approx(3.7)


def test_capacitated_bottleneck_leaves_demand_unserved(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    text = (folder / "experiment.toml").read_text()
    text += ('\n[[scenario]]\nname = "tight"\npolicy = "direct"\n'
             'routing = { mode = "capacitated", capacity_scale = 0.01 }\n')
    (folder / "experiment.toml").write_text(text)
    res = run_experiment(load_experiment(folder / "experiment.toml"))
    row = res.scenarios.set_index("scenario").loc["tight"]
    # every link has 1 Gbps: JKT-VNHAN (3 Gbps) and VNHAN-THBKK (2 Gbps) share SGSIN-HKHKG
    assert row.served_gbps == pytest.approx(1.0 + 1.0)
    assert row.unserved_gbps == pytest.approx(3.0)
    assert row.max_utilization == pytest.approx(1.0)


def test_path_between_names_nodes_links_and_cost():
    info = path_between(EXPERIMENT, "IDJKT", "VNHAN", policy="hairpin_us")
    assert info["via"] == "USLAX"
    assert info["links"] == ["jkt-sgn", "sgn-hkg", "hkg-lax", "hkg-lax", "han-hkg"]
    assert info["cost_usd_per_mbps_month"] == pytest.approx(7.1)
    with pytest.raises(ScenarioError, match="did you mean 'VNHAN'"):
        path_between(EXPERIMENT, "IDJKT", "VNHAM")


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ('[routing]\nmode = "capacitatd"\n', "did you mean 'capacitated'"),
        ('[routing]\nobjective = "speed"\n', "must be 'latency' or 'cost'"),
        ('[links]\nenable = ["system:No Such*"]\n', "matches no link"),
        ('[links]\nenable = ["sistem:x"]\n', "bad selector"),
        ('[costz]\n', "did you mean 'costs'"),
    ],
)
def test_bad_experiment_files_name_the_key(tmp_path, edit, words):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    path = folder / "experiment.toml"
    text = path.read_text().replace("[[scenario]]", edit + "\n[[scenario]]", 1)
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        run_experiment(load_experiment(path))
    assert words in str(info.value)
    assert str(path) in str(info.value)


def test_unknown_hub_in_policy(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    path = folder / "experiment.toml"
    path.write_text(path.read_text() + '\n[[scenario]]\nname = "x"\npolicy = { rules = [ '
                    '{ traffic = "intra_asean", exchange = ["SGSNN"] } ] }\n')
    with pytest.raises(ScenarioError, match="did you mean 'SGSIN'"):
        run_experiment(load_experiment(path))


def test_no_transit_keeps_third_country_traffic_out_of_china(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    path = folder / "experiment.toml"
    path.write_text(path.read_text().replace("[[scenario]]", '[routing]\nno_transit = ["CHN"]\n\n'
                                            "[[scenario]]", 1))
    res = run_experiment(load_experiment(path))
    # Jakarta-Hanoi may no longer cut through Nanning on the proposed links...
    assert pair(res, "guangxi_hub", "IDJKT", "VNHAN").path == "IDJKT > SGSIN > HKHKG > VNHAN"
    # ...but traffic exchanged at Nanning may use them
    assert pair(res, "guangxi_hub", "VNHAN", "THBKK").path == "VNHAN > CNNNG > THBKK"


# ---------------------------------------------------------------------------- numeric limits
def test_huge_numbers_are_located_errors_not_solver_failures(tmp_path):
    import cablesim

    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    (folder / "demand.csv").write_text("origin,destination,gbps\nIDJKT,VNHAN,1e300\n"
                                       "VNHAN,THBKK,1.7e308\nIDJKT,THBKK,2\n")
    with pytest.raises(cablesim.DemandError) as err:
        run_experiment(load_experiment(folder / "experiment.toml"))
    problems = {(p.row, p.field) for p in err.value.problems}
    assert problems == {(2, "gbps"), (3, "gbps")}
    assert "must be <= 1e+08" in str(err.value)
    path = folder / "experiment.toml"
    path.write_text(path.read_text().replace(
        "[[scenario]]", '[[links.edit]]\nlinks = ["id:jkt-sgn"]\ncapacity_gbps = 1e20\n\n'
        "[[scenario]]", 1))
    with pytest.raises(ScenarioError, match="links.edit"):
        load_experiment(path)


def test_a_capacitated_result_not_proven_within_the_tolerance_is_an_error(tmp_path):
    import cablesim
    from conftest import ROOT

    text = (ROOT / "experiments" / "hairpin_vs_guangxi.toml").read_text()
    text = text.replace('"../topology', f'"{ROOT}/topology').replace(
        '"../seeds', f'"{ROOT}/seeds')
    text = text.replace('routing = { mode = "capacitated" }', 'routing = { mode = '
                        '"capacitated", max_iterations = 1, optimality_gap = 1e-9 }')
    path = tmp_path / "gap.toml"
    path.write_text(text)
    experiment = load_experiment(path)
    experiment = type(experiment)(**{**experiment.__dict__, "scenarios": tuple(
        s for s in experiment.scenarios if s.name == "direct_capacitated")})
    with pytest.raises(cablesim.RoutingError) as err:
        run_experiment(experiment)
    problem = err.value.problems[0]
    assert problem.field == "scenario 'direct_capacitated'.routing"
    assert "proven only within" in problem.message and "max_iterations" in problem.hint
