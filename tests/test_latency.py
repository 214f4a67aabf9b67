"""The latency model and its calibration: each component on a hand-built path, and the fit
recovering known parameters on a tiny set."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from cablesim.cli import EXIT_OK, main
from cablesim.experiment import load_experiment, path_between
from cablesim.experiment.latency_fit import _model_rtt, calibrate, load_measurements
from cablesim.io.topology import load_topology
from cablesim.latency import LatencyModel, rtt_parts
from conftest import DATA

NORDIC = DATA / "nordic_study"
C = 299.792458 / 1.4682  # km per ms in fibre
MODEL = LatencyModel(subsea_factor=1.2, terrestrial_factor=1.5, node_overhead_ms=1.0,
                     path_overhead_ms=2.0)


def hand_rtt(subsea_km: float, land_km: float, links: int, interconnections: float,
             model: LatencyModel = MODEL) -> float:
    one_way = (model.subsea_factor * subsea_km + model.terrestrial_factor * land_km) / C
    return 2 * (one_way + 0.1 * links + model.node_overhead_ms * interconnections) \
        + model.path_overhead_ms


def with_model(model: LatencyModel):
    experiment = load_experiment(NORDIC / "experiment.toml")
    specs = tuple(dataclasses.replace(s, latency=model) for s in experiment.scenarios)
    return dataclasses.replace(experiment, scenarios=specs)


def test_each_part_of_a_hand_built_path():
    # Oslo - Stockholm (520 km land, a hub) - Helsinki (500 km subsea): the path passes
    # Oslo (end, half), Stockholm (whole) and Helsinki (end, half): 2 interconnections
    info = path_between(with_model(MODEL), "NOOSL", "FIHEL")
    assert info["rtt_ms"] == pytest.approx(hand_rtt(500, 520, 2, 2.0), rel=1e-12)
    parts = info["rtt_parts_ms"]
    assert parts["propagation_ms"] == pytest.approx(2 * (1.2 * 500 + 1.5 * 520) / C, rel=1e-12)
    assert parts["equipment_ms"] == pytest.approx(0.4)
    assert parts["interconnection_ms"] == pytest.approx(4.0)
    assert parts["path_overhead_ms"] == 2.0
    assert sum(parts.values()) == pytest.approx(info["rtt_ms"], rel=1e-12)
    assert info["rtt_ms"] > info["floor_rtt_ms"]


def test_the_identity_model_is_the_topologys_latency():
    net = load_topology(NORDIC)
    np.testing.assert_array_equal(LatencyModel().link_latency_ms(net.links, net.nodes),
                                  net.links["latency_ms"].to_numpy())
    assert rtt_parts(LatencyModel(), net.links.iloc[[0]], net.nodes)["interconnection_ms"] == 0


def test_the_fit_recovers_known_parameters_and_predicts_left_out_pairs(tmp_path):
    """Measurements made by the model itself: the fit finds its parameters, and every pair
    left out is predicted exactly."""
    experiment = with_model(LatencyModel())
    truth = with_model(MODEL)
    pairs = [("NOOSL", "FIHEL"), ("FIHEL", "DKCPH"), ("DEHAM", "NOOSL"), ("SESTO", "NOOSL"),
             ("DEHAM", "FIHEL"), ("DKCPH", "SESTO"), ("DEHAM", "SESTO")]
    rows = [f"{o},{d},{path_between(truth, o, d)['rtt_ms']!r},min,model,2020,test,,"
            for o, d in pairs]
    csv = tmp_path / "rtt.csv"
    csv.write_text("origin,destination,rtt_ms,statistic,measurement,date,source,url,note\n"
                   + "\n".join(rows) + "\n")
    net = load_topology(NORDIC)
    cal = calibrate(experiment, load_measurements(csv, net), network=net)
    for name in ("subsea_factor", "terrestrial_factor", "node_overhead_ms", "path_overhead_ms"):
        assert getattr(cal.model, name) == pytest.approx(getattr(MODEL, name), abs=1e-4), name
    assert cal.fit_error < 1e-6 and cal.loo_error < 1e-4 and cal.below_floor == 0


def test_model_rtt_is_linear_in_the_parts():
    parts = pd.DataFrame({"subsea_ms": [10.0], "land_ms": [4.0], "other_ms": [1.0],
                          "equipment_ms": [0.3], "interconnections": [2.5]})
    x = np.array([1.1, 1.4, 0.8, 3.0])
    assert _model_rtt(x, parts)[0] == pytest.approx(2 * (11 + 5.6 + 1 + 0.3 + 2.0) + 3.0)


def test_measurement_files_are_checked_and_the_command_runs(tmp_path):
    net = load_topology(NORDIC)
    bad = tmp_path / "bad.csv"
    bad.write_text("origin,destination,rtt_ms,source\nNOOSL,FIHELL,10,x\nNOOSL,FIHEL,-3,x\n")
    with pytest.raises(Exception) as err:
        load_measurements(bad, net)
    fields = {(p.row, p.field) for p in err.value.problems}
    assert (2, "destination") in fields and (3, "rtt_ms") in fields
    good = tmp_path / "good.csv"
    good.write_text("origin,destination,rtt_ms,source\nNOOSL,FIHEL,16,a\nFIHEL,DKCPH,19,b\n"
                    "DEHAM,NOOSL,17,c\nSESTO,NOOSL,9,d\nDEHAM,FIHEL,25,e\nDKCPH,SESTO,13,f\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["calibrate-latency", str(NORDIC / "experiment.toml"), "--measurements",
                 str(good), "--out", str(tmp_path / "cal")], out, err)
    assert code == EXIT_OK, err.getvalue()
    assert "[latency]" in out.getvalue() and (tmp_path / "cal" / "latency_pairs.csv").is_file()


def test_a_paths_rtt_parts_add_up_to_its_rtt():
    # the parts come from the whole link table: a path's own segments of a system are not
    # stretched to the system's stated length (a hairpin once showed 752 ms of propagation
    # in a 372 ms round trip)
    from cablesim.experiment import load_experiment
    from cablesim.experiment.path import path_between
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    assert experiment.study.latency.stated_lengths
    for policy in ("direct", "hairpin_us"):
        info = path_between(experiment, "VNHAN", "IDJKT", policy=policy)
        assert sum(info["rtt_parts_ms"].values()) == pytest.approx(info["rtt_ms"], rel=1e-9)
