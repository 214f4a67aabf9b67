"""Confidence classes on link inputs, carried to the results: how much of a scenario's
traffic and cost rests on estimates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cablesim.experiment.tables import _confidence, _confidence_shares


def test_shares_by_hand():
    # three links: 10 Gbps over 100 km (estimated capacity, cited price US$2),
    # 5 Gbps over 200 km (cited capacity, derived price US$1), idle link
    load = np.array([10.0, 5.0, 0.0])
    length = np.array([100.0, 200.0, 50.0])
    lease = load * np.array([2.0, 1.0, 3.0]) * 1000.0  # 20,000 and 5,000 USD/month
    shares = _confidence_shares(load, length, lease,
                                np.array(["estimate", "cited", "estimate"], dtype=object),
                                np.array(["cited", "derived", "estimate"], dtype=object))
    assert shares["gbps_km_on_estimated_capacity_share"] == pytest.approx(1000 / 2000)
    assert shares["lease_on_cited_price_share"] == pytest.approx(20000 / 25000)
    assert shares["lease_on_estimated_price_share"] == 0.0
    idle = _confidence_shares(np.zeros(3), length, np.zeros(3),
                              np.array(["cited"] * 3, dtype=object),
                              np.array(["cited"] * 3, dtype=object))
    assert all(math.isnan(v) for v in idle.values())


def test_unlabelled_links_count_as_estimates():
    links = pd.DataFrame({"capacity_confidence": ["cited", "", None]})
    assert list(_confidence(links, "capacity_confidence")) == ["cited", "estimate", "estimate"]
    assert list(_confidence(links, "price_confidence")) == ["estimate"] * 3


def test_the_flagship_reports_what_rests_on_estimates(tmp_path):
    from cablesim.experiment import load_experiment, run_experiment
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    experiment = type(experiment)(**{**experiment.__dict__,
                                     "scenarios": experiment.scenarios[:1]})
    result = run_experiment(experiment)
    row = result.scenarios.iloc[0]
    # the per-link lease adds up to the scenario's lease cost and the background traffic's
    assert row["background_lease_cost_usd_month"] > 0
    assert result.links["lease_usd_month"].sum() == pytest.approx(
        row["lease_cost_usd_month"] + row["background_lease_cost_usd_month"], rel=1e-9)
    # every lease price of the topology is a quote scaled by distance: none cited, none a
    # bare estimate; part of the traffic rides on estimated capacities
    assert row["lease_on_cited_price_share"] == 0.0
    assert row["lease_on_estimated_price_share"] == 0.0
    assert 0.0 < row["gbps_km_on_estimated_capacity_share"] < 1.0
    assert set(result.links["price_confidence"]) == {"derived"}
    # every study country's 2016 bandwidth is cited; the background is reported apart
    assert row["offered_on_cited_bandwidth_share"] == pytest.approx(1.0)
    assert row["offered_on_estimated_bandwidth_share"] == 0.0
    from cablesim import write_results

    write_results(result, tmp_path / "R")
    summary = (tmp_path / "R" / "summary.md").read_text()
    assert "| scenario | background offered Gbps |" in summary
    assert "demand on cited bandwidth" in summary
