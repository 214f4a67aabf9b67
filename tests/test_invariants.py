"""The library's invariant checks bite, and hold on random experiments."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablesim import InvariantError
from cablesim.experiment import load_experiment, run_experiment
from cablesim.invariants import check_scenario_tables
from conftest import DATA


def tables():
    pairs = pd.DataFrame({"origin": ["A"], "destination": ["B"], "offered_gbps": [3.0],
                          "served_gbps": [2.0], "unserved_gbps": [1.0],
                          "cost_usd_month": [10.0], "rtt_ms": [20.0], "floor_rtt_ms": [10.0]})
    links = pd.DataFrame({"link": ["ab"], "load_forward_gbps": [2.0], "load_reverse_gbps": [0.0],
                          "in_service": [True], "capacity_gbps": [2.0]})
    return pairs, links


def test_consistent_tables_pass():
    check_scenario_tables("s", *tables(), capacitated=True)


@pytest.mark.parametrize(
    ("table", "column", "value", "words"),
    [
        ("pairs", "unserved_gbps", 0.5, "served + unserved differs from offered"),
        ("pairs", "served_gbps", -1.0, "negative"),
        ("pairs", "cost_usd_month", float("nan"), "cost is negative or not finite"),
        ("pairs", "rtt_ms", 5.0, "below the fibre great-circle floor"),
        ("links", "load_forward_gbps", 2.5, "exceeds capacity"),
        ("links", "in_service", False, "out-of-service link carries traffic"),
    ],
)
def test_each_broken_invariant_is_reported(table, column, value, words):
    pairs, links = tables()
    target = pairs if table == "pairs" else links
    target[column] = [value]
    with pytest.raises(InvariantError, match=re.escape(words)):
        check_scenario_tables("s", pairs, links, capacitated=True)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(volumes=st.lists(st.floats(0.0, 50.0, allow_nan=False), min_size=2, max_size=2),
       scale=st.floats(0.005, 2.0), mode=st.sampled_from(["uncapacitated", "capacitated"]))
def test_random_demands_and_capacities_keep_the_invariants(tmp_path_factory, volumes, scale,
                                                          mode):
    folder = tmp_path_factory.mktemp("inv")
    shutil.copytree(DATA / "policy_small", folder, dirs_exist_ok=True)
    (folder / "demand.csv").write_text(
        f"origin,destination,gbps\nIDJKT,VNHAN,{volumes[0]!r}\nVNHAN,THBKK,{volumes[1]!r}\n")
    path = folder / "experiment.toml"
    path.write_text(path.read_text().replace(
        "[[scenario]]", f'[routing]\nmode = "{mode}"\ncapacity_scale = {scale!r}\n\n[[scenario]]',
        1))
    result = run_experiment(load_experiment(path))  # checks the invariants itself
    s = result.scenarios
    assert (s.served_gbps + s.unserved_gbps - s.offered_gbps).abs().max() < 1e-6
