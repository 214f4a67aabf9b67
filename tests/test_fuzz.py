"""Fuzzing every loader: mutated inputs give a result or the project's own errors, nothing else.

The regular test run tries a small number of inputs per loader; ``make fuzz`` sets
``CABLESIM_FUZZ_EXAMPLES=10000`` for the long run documented in the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cablesim
from cablesim import CablesimError
from cablesim.demand import load_demand_csv
from cablesim.experiment import load_experiment
from conftest import DATA, STUDY

EXAMPLES = int(os.environ.get("CABLESIM_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

JUNK = ["", ",", "\n", '"', "'", "=", "[", "]", "{", "}", "[[", "NaN", "nan", "inf", "-inf",
        "-1", "0", "1e999", "-1e308", "1e-320", "é", "\x00", "🛰", " ", "\t", "\ufeff", "None",
        "true", "SGSIN", "CNNNG", "#", "\\", "\\u0000", "9" * 40, "2016-01-01", "\r\n"]


@st.composite
def mutated(draw, original: str) -> str:
    """Apply 1-5 random edits: delete, insert junk, truncate, duplicate or swap lines."""
    text = original
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["delete", "insert", "truncate", "duplicate_line", "swap",
                                   "replace_token"]))
        pos = draw(st.integers(0, max(len(text) - 1, 0)))
        if op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 30)):]
        elif op == "insert":
            text = text[:pos] + draw(st.sampled_from(JUNK)) + text[pos:]
        elif op == "truncate":
            text = text[:pos]
        elif op == "replace_token":
            tokens = text.replace("\n", " \n ").split(" ")
            if tokens:
                i = draw(st.integers(0, len(tokens) - 1))
                tokens[i] = draw(st.sampled_from(JUNK))
                text = " ".join(tokens).replace(" \n ", "\n")
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 2))
                if op == "duplicate_line":
                    lines.insert(i, lines[i])
                else:
                    lines[i], lines[i + 1] = lines[i + 1], lines[i]
                text = "".join(lines)
    return text


def fresh_copy(factory, name: str) -> Path:
    folder = factory.mktemp("fuzz")
    shutil.copytree(DATA / name, folder, dirs_exist_ok=True)
    return folder


@FUZZ
@given(data=st.data())
def test_fuzz_topology_folder(data, tmp_path_factory):
    folder = fresh_copy(tmp_path_factory, "tiny")
    name = data.draw(st.sampled_from(["nodes.csv", "links.csv", "geometry.geojson"]))
    (folder / name).write_bytes(data.draw(mutated((folder / name).read_text())).encode(
        "utf-8", "surrogatepass"))
    try:
        cablesim.load_topology(folder)
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)


@FUZZ
@given(data=st.data())
def test_fuzz_experiment_toml(data, tmp_path_factory):
    folder = fresh_copy(tmp_path_factory, "policy_small")
    path = folder / "experiment.toml"
    path.write_text(data.draw(mutated(path.read_text())), encoding="utf-8")
    try:
        load_experiment(path)
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)


NETWORK = cablesim.load_topology(DATA / "policy_small")


@FUZZ
@given(data=st.data())
def test_fuzz_demand_csv(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    original = (DATA / "policy_small" / "demand.csv").read_text()
    path = folder / "demand.csv"
    path.write_text(data.draw(mutated(original)), encoding="utf-8")
    try:
        demand = load_demand_csv(path, NETWORK, study=STUDY)
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
    else:
        assert (demand["gbps"] >= 0).all()


@FUZZ
@given(data=st.data())
def test_fuzz_study_toml(data, tmp_path_factory):
    """The study file (groups, capitals, claims, latency, policy presets)."""
    folder = fresh_copy(tmp_path_factory, "policy_small")
    path = folder / "study.toml"
    path.write_text(data.draw(mutated(path.read_text())), encoding="utf-8")
    try:
        load_experiment(folder / "experiment.toml")
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)


@FUZZ
@given(data=st.data())
def test_fuzz_rtt_measurements(data, tmp_path_factory):
    from cablesim.experiment.latency_fit import load_measurements

    folder = tmp_path_factory.mktemp("fuzz")
    original = ("origin,destination,rtt_ms,role,source\nSGSIN,HKHKG,33.2,fit,a\n"
                "IDJKT,VNHAN,60,check,b\n")
    path = folder / "rtt.csv"
    path.write_text(data.draw(mutated(original)), encoding="utf-8")
    try:
        table = load_measurements(path, NETWORK)
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
    else:
        assert (table["rtt_ms"] > 0).all()


@FUZZ
@given(data=st.data())
def test_fuzz_bandwidth_table(data, tmp_path_factory):
    from cablesim.demand.balancing import bandwidth_in, load_bandwidth, nearest_figures

    folder = tmp_path_factory.mktemp("fuzz")
    original = ("country,year,gbps,metric,scope,source\nSGP,2014,3000,capacity,national,a\n"
                "KHM,2014,22,capacity,national,b\nKHM,2016,60,traffic,partial,c\n")
    path = folder / "bw.csv"
    path.write_text(data.draw(mutated(original)), encoding="utf-8")
    try:
        table = load_bandwidth(path, known_countries={"SGP", "KHM"})
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
    else:
        assert (table["gbps"] > 0).all() and set(table["country"]) <= {"SGP", "KHM"}
        assert set(table["scope"]) <= {"national", "partial"}
        assert all(v > 0 for v in bandwidth_in(table, ["SGP", "KHM"], 2015).values())
        assert (nearest_figures(table, ["SGP", "KHM"], 2016).get(
            "cited_gbps", pd.Series(dtype=float)) > 0).all()


PLAN = """[planning]
experiment = "experiment.toml"
scenarios = ["build_only", "lease_or_build"]
years = [2025, 2030]
discount_rate = 0.08
transit_prices = { SGSIN = 3.0 }

[[extend]]
links = ["status:proposed"]
capex_usd_per_gbps = 500
max_add_gbps = "capacity"
module_gbps = 100

[business_case]
hub = "lease_or_build"
baselines = ["build_only"]

[[sensitivity]]
parameter = "capex_scale"
low = 0.5
high = 2
"""


@FUZZ
@given(data=st.data())
def test_fuzz_plan_and_simulation_settings(data, tmp_path_factory):
    """The plan and simulation readers (settings declared once, their own cross-checks)."""
    from cablesim.planning import load_plan
    from cablesim.simulation import load_simulation

    plan_folder = fresh_copy(tmp_path_factory, "plan_small")
    plan = plan_folder / "plan.toml"
    plan.write_text(data.draw(mutated(PLAN)), encoding="utf-8")
    sim_folder = fresh_copy(tmp_path_factory, "sim_small")
    sim = sim_folder / "experiment.toml"
    sim.write_text(data.draw(mutated(sim.read_text())), encoding="utf-8")
    for load, path in ((load_plan, plan), (load_simulation, sim)):
        try:
            load(path)
        except CablesimError as exc:
            assert exc.problems and all(p.file and p.message for p in exc.problems)


TG_FILES = ["cable/cable-geo.json", "landing-point/landing-point-geo.json",
            "cable/trunk-cable.json", "cable/tbd-cable.json"]


@FUZZ
@given(data=st.data())
def test_fuzz_telegeography_both_layouts(data, tmp_path_factory):
    from cablesim.io.telegeography import import_telegeography

    layout = data.draw(st.sampled_from(["tg_v2", "tg_current"]))
    folder = fresh_copy(tmp_path_factory, layout)
    candidates = [f for f in TG_FILES if (folder / f).exists()]
    name = data.draw(st.sampled_from(candidates))
    (folder / name).write_text(data.draw(mutated((folder / name).read_text())),
                               encoding="utf-8")
    try:
        import_telegeography(folder)
    except CablesimError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
