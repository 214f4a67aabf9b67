"""Doubly-constrained gravity (Furness) and country bandwidth tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablesim._errors import DemandError
from cablesim.demand.balancing import bandwidth_in, furness, load_bandwidth


def test_a_hand_computed_two_by_two():
    """Seed [[1, 1], [1, 1]] with rows (3, 1) and columns (2, 2): the unique matrix with
    those totals and the seed's cross ratio 1 is [[1.5, 1.5], [0.5, 0.5]]."""
    result = furness(np.ones((2, 2)), [3.0, 1.0], [2.0, 2.0])
    np.testing.assert_allclose(result.matrix, [[1.5, 1.5], [0.5, 0.5]], rtol=1e-9)


def test_the_diagonal_stays_empty_and_the_cross_ratios_are_kept():
    seed = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0], [2.0, 1.0, 0.0]])
    result = furness(seed, [10.0, 5.0, 5.0], [6.0, 8.0, 6.0])
    m = result.matrix
    assert np.all(np.diag(m) == 0)
    np.testing.assert_allclose(m.sum(axis=1), [10, 5, 5], rtol=1e-8)
    np.testing.assert_allclose(m.sum(axis=0), [6, 8, 6], rtol=1e-8)
    # scaling rows and columns keeps every ratio m_ij m_kl / (m_il m_kj)
    ratio = lambda x: x[0, 1] * x[1, 2] * x[2, 0] / (x[0, 2] * x[1, 0] * x[2, 1])  # noqa: E731
    assert ratio(m) == pytest.approx(ratio(seed), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 6), data=st.data())
def test_any_seed_meets_feasible_totals(n, data):
    """Totals taken from another matrix with the same zero pattern are feasible: the fit
    meets them, non-negative, with the diagonal still empty."""
    weights = st.floats(0.01, 100.0, allow_nan=False, allow_infinity=False)
    seed = np.array(data.draw(st.lists(weights, min_size=n * n, max_size=n * n))).reshape(n, n)
    target = np.array(data.draw(st.lists(weights, min_size=n * n, max_size=n * n))).reshape(n, n)
    np.fill_diagonal(seed, 0.0)
    np.fill_diagonal(target, 0.0)
    rows, cols = target.sum(axis=1), target.sum(axis=0)
    result = furness(seed, rows, cols, tolerance=1e-8, max_iterations=200_000)
    m = result.matrix
    assert (m >= 0).all() and np.all(np.diag(m) == 0)
    np.testing.assert_allclose(m.sum(axis=1), rows, rtol=1e-7)
    np.testing.assert_allclose(m.sum(axis=0), cols, rtol=1e-7)


def test_inconsistent_or_impossible_totals_are_errors():
    with pytest.raises(DemandError, match="differs"):
        furness(np.ones((2, 2)), [1.0, 1.0], [1.0, 2.0])
    with pytest.raises(DemandError, match="no weight"):
        furness(np.array([[0.0, 1.0], [0.0, 0.0]]), [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(DemandError, match="non-negative"):
        furness(np.ones((2, 2)), [-1.0, 3.0], [1.0, 1.0])


def test_bandwidth_tables_are_read_with_located_errors(tmp_path):
    good = tmp_path / "bw.csv"
    good.write_text("country,year,gbps,metric,source\nSGP,2014,3000,capacity,S1\n"
                    "SGP,2016,4800,capacity,S2\nKHM,2014,22,capacity,S1\n")
    table = load_bandwidth(good)
    got = bandwidth_in(table, ["SGP", "KHM", "LAO"], 2015)
    assert got["SGP"] == pytest.approx((3000 * 4800) ** 0.5)  # geometric midpoint
    assert "KHM" not in got and "LAO" not in got  # no extrapolation
    assert bandwidth_in(table, ["KHM"], 2014) == {"KHM": 22.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,gbps,metric,source\nSingapore,2014,3000,capacity,S1\n"
                   "SGP,,3000,capacity,S1\nSGP,2014,-5,capacity,S1\n")
    with pytest.raises(DemandError) as err:
        load_bandwidth(bad)
    located = {(p.row, p.field) for p in err.value.problems}
    assert {(2, "country"), (3, "year"), (4, "gbps")} <= located


def test_a_country_the_topology_does_not_have_is_a_located_error(tmp_path):
    table = tmp_path / "bw.csv"
    table.write_text("country,year,gbps,metric,source\nSGP,2014,3000,capacity,S1\n"
                     "SPG,2014,3000,capacity,S1\n")
    assert len(load_bandwidth(table)) == 2  # any ISO3-shaped code without a topology
    with pytest.raises(DemandError) as err:
        load_bandwidth(table, known_countries={"SGP", "MYS"})
    (problem,) = err.value.problems
    assert (problem.file, problem.row, problem.field) == (str(table), 3, "country")
    assert "SPG" in problem.message and "SGP" in (problem.hint or "")


def test_an_experiment_with_a_bad_bandwidth_table_stops_before_routing(tmp_path):
    import shutil

    from cablesim.experiment import load_experiment, run_experiment
    from conftest import ROOT

    topo = tmp_path / "china_asean"
    shutil.copytree(ROOT / "topology" / "china_asean", topo)
    bandwidth = topo / "calibration" / "international_bandwidth.csv"
    lines = bandwidth.read_text().splitlines()
    lines[1] = "XXY" + lines[1][3:]
    bandwidth.write_text("\n".join(lines) + "\n")
    experiment_file = tmp_path / "exp.toml"
    text = (ROOT / "experiments" / "hairpin_vs_guangxi.toml").read_text()
    text = text.replace('"../topology/china_asean"', f'"{topo}"')
    text = text.replace('"../seeds/', f'"{ROOT / "seeds"}/')
    experiment_file.write_text(text)
    experiment = load_experiment(experiment_file)
    assert experiment.study.bandwidth_path == bandwidth.resolve()
    stages: list[str] = []
    with pytest.raises(DemandError) as err:
        run_experiment(experiment, progress=lambda label, _: stages.append(label))
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "country")]
    assert not any("routing" in s for s in stages)


def test_bandwidth_in_takes_the_median_of_one_years_figures():
    table = pd.DataFrame({"country": ["THA"] * 3, "year": [2015] * 3,
                          "gbps": [1000.0, 2000.0, 1500.0], "metric": ["m"] * 3})
    assert bandwidth_in(table, ["THA"], 2015) == {"THA": 1500.0}


def test_the_committed_bandwidth_table_loads():
    from conftest import ROOT

    table = load_bandwidth(ROOT / "topology" / "china_asean" / "calibration"
                           / "international_bandwidth.csv")
    assert len(table) >= 40 and table["source"].str.len().min() > 0
    assert {"CHN", "VNM", "THA", "SGP"} <= set(table["country"])


def test_the_nearest_national_figure_is_shown_beside_the_offered_traffic():
    from cablesim.demand.balancing import nearest_figures

    table = pd.DataFrame({
        "country": ["KHM", "KHM", "KHM", "SGP"], "year": [2012, 2014, 2016, 2014],
        "gbps": [10.0, 22.0, 999.0, 3000.0], "metric": ["cap", "cap", "one operator", "cap"],
        "scope": ["national", "national", "partial", "national"]})
    got = nearest_figures(table, ["KHM", "SGP", "LAO"], 2015).set_index("country")
    assert got.loc["KHM", "cited_gbps"] == 22.0 and got.loc["KHM", "cited_year"] == 2014
    assert got.loc["SGP", "cited_year"] == 2014 and "LAO" not in got.index


def test_the_flagship_countries_table_carries_the_cited_bandwidth():
    from cablesim.experiment import load_experiment, run_experiment
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    experiment = type(experiment)(**{**experiment.__dict__,
                                     "scenarios": experiment.scenarios[:1]})
    gravity = experiment.scenarios[0].demand.gravity
    assert (gravity.totals, gravity.peak_utilisation, experiment.scenarios[0].demand.year) == (
        "countries", 0.5, 2016)
    countries = run_experiment(experiment).countries.set_index("country")
    # Cambodia's 2016 figure is cited (ITU, 96.081 Gbps): its busy-hour inbound target is
    # half of it, and the fitted demand meets every study country's target
    assert countries.loc["KHM", "bandwidth_basis"] == "cited 2016"
    assert countries.loc["KHM", "bandwidth_gbps"] == pytest.approx(96.081)
    assert countries.loc["KHM", "target_inbound_gbps"] == pytest.approx(96.081 * 0.5)
    # Singapore keeps 1 - 0.17 of it for its own traffic (the rest carries others')
    assert countries.loc["SGP", "target_inbound_gbps"] == pytest.approx(
        countries.loc["SGP", "bandwidth_gbps"] * 0.5 * (1 - 0.17))
    np.testing.assert_allclose(countries["inbound_over_target"].dropna(), 1.0, rtol=1e-6)
    assert len(countries["inbound_over_target"].dropna()) == 11
    # what the network carries into a country includes transit, never less than its own
    assert (countries["carried_inbound_gbps"] >= countries["inbound_gbps"] * (1 - 1e-9)).all()
    assert (countries["served_gbps"] + countries["unserved_gbps"]).to_numpy() == pytest.approx(
        countries["offered_gbps"].to_numpy())
