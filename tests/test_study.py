"""The study as data: the engine holds no region of its own.

A second, tiny study (the Nordic countries with Germany as partner, tests/data/nordic_study)
runs through the same engine: its groups name the traffic classes and result columns, its
presets and claims drive the policies and the calibration, and no China-ASEAN name appears
in its results.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cablesim
from cablesim._errors import ScenarioError
from cablesim.experiment import load_experiment, path_between, run_experiment
from cablesim.study import Study, find_study, load_study
from conftest import DATA, ROOT

NORDIC = DATA / "nordic_study"
GROUP_INDEX = 1.4682
C_KM_PER_MS = 299.792458
PER_LINK_MS = 0.1


def rtt_ms(km: float, links: int) -> float:
    """Round trip over ``links`` links of ``km`` in all (the model's latency rule)."""
    return 2.0 * (km * GROUP_INDEX / C_KM_PER_MS + PER_LINK_MS * links)


@pytest.fixture(scope="module")
def result() -> cablesim.ExperimentResult:
    return run_experiment(load_experiment(NORDIC / "experiment.toml"))


def test_the_groups_name_classes_and_columns(result) -> None:
    assert "intra_nordic_mean_rtt_ms" in result.scenarios.columns
    assert not any("asean" in c for c in result.scenarios.columns)
    classes = dict(zip(zip(result.pairs["origin"], result.pairs["destination"], strict=True),
                       result.pairs["traffic_class"], strict=True))
    assert classes[("NOOSL", "FIHEL")] == "intra_nordic"
    assert classes[("DEHAM", "NOOSL")] == "germany_nordic"
    assert "ratio_to_stockholm" in result.transit_prices.columns
    assert "ratio_to_hamburg" in result.transit_prices.columns


def test_hand_computed_rtts_under_the_studys_preset(result) -> None:
    pairs = result.pairs.set_index(["scenario", "origin", "destination"])
    # direct: Oslo - Stockholm (520 km) - Helsinki (500 km)
    assert pairs.at[("direct", "NOOSL", "FIHEL"), "rtt_ms"] == pytest.approx(
        rtt_ms(1020, 2), rel=1e-9)
    # via Hamburg: Oslo - Copenhagen - Hamburg (600 + 350 km), then Hamburg - Copenhagen -
    # Stockholm - Helsinki (350 + 650 + 500 km)
    assert pairs.at[("via_hamburg", "NOOSL", "FIHEL"), "rtt_ms"] == pytest.approx(
        rtt_ms(2450, 5), rel=1e-9)
    assert pairs.at[("via_hamburg", "NOOSL", "FIHEL"), "via"] == "DEHAM"
    # the partner's traffic is not intra-Nordic: the preset leaves it direct
    assert not pairs.at[("via_hamburg", "DEHAM", "NOOSL"), "via"]
    assert pairs.at[("via_hamburg", "DEHAM", "NOOSL"), "rtt_ms"] == pytest.approx(
        rtt_ms(950, 2), rel=1e-9)
    # the intra-Nordic mean is weighted by served Gbps over the intra_nordic pairs only
    intra = result.pairs[(result.pairs["scenario"] == "direct")
                         & (result.pairs["traffic_class"] == "intra_nordic")]
    expected = (intra["rtt_ms"] * intra["served_gbps"]).sum() / intra["served_gbps"].sum()
    row = result.scenarios.set_index("scenario").loc["direct"]
    assert row["intra_nordic_mean_rtt_ms"] == pytest.approx(expected, rel=1e-12)


def test_calibration_uses_the_studys_claims(result) -> None:
    cal = result.calibration
    assert cal["verdict"] == "reproduced"
    claims = [c["claim"] for c in cal["checks"]]
    assert claims[0] == "Stockholm transit is 1.2-2x Hamburg's (a test claim)"
    # delivered at Stockholm: min(its own 1.5, Hamburg's 1.0 + transport Stockholm -
    # Copenhagen - Hamburg 0.2 + 0.2) = 1.4 USD per Mbps-month; at Hamburg: 1.0
    assert cal["checks"][0]["value"] == pytest.approx(1.4, rel=1e-12)
    # capitals, all cheapest via Hamburg (1.0) plus transport: Oslo via Copenhagen 0.3 + 0.2,
    # Helsinki via Stockholm and Copenhagen 0.3 + 0.2 + 0.2, Copenhagen 0.2
    assert cal["ratios_to_reference"] == pytest.approx(
        {"NOR": 1.5 / 1.4, "FIN": 1.7 / 1.4, "DNK": 1.2 / 1.4}, rel=1e-12)


def test_china_asean_presets_are_not_known_in_another_study() -> None:
    text = (NORDIC / "experiment.toml").read_text().replace(
        'policy = "via_hamburg"', 'policy = "hairpin_us"')
    path = NORDIC / "tmp_experiment.toml"
    try:
        path.write_text(text)
        with pytest.raises(ScenarioError) as err:
            load_experiment(path)
        assert "no preset named 'hairpin_us'" in str(err.value)
        assert "via_hamburg" in str(err.value)
    finally:
        path.unlink()


def test_path_between_uses_the_study(result) -> None:
    info = path_between(load_experiment(NORDIC / "experiment.toml"), "NOOSL", "FIHEL",
                        policy="via_hamburg")
    assert info["traffic_class"] == "intra_nordic" and info["via"] == "DEHAM"
    assert info["rtt_ms"] == pytest.approx(rtt_ms(2450, 5), rel=1e-9)


def test_a_topology_without_a_study_gets_an_empty_one(tmp_path: Path) -> None:
    study = find_study(tmp_path)
    assert study == Study() and study.policy_presets().keys() == {"direct"}
    assert study.map_extent == "auto"


def test_study_file_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "study.toml"
    bad.write_text('[study]\nfocus = "asea"\nregion_box = [1, 2, 3]\n'
                   '[groups.asean]\nmembers = ["SG"]\n'
                   '[policies.x]\nrules = [{ traffic = "intra_asea" }]\n'
                   '[colour]\n')
    with pytest.raises(ScenarioError) as err:
        load_study(bad)
    fields = {p.field for p in err.value.problems}
    assert {"study.focus", "study.region_box", "groups.asean.members", "colour"} <= fields
    assert "did you mean 'asean'" in str(err.value)


def test_fixture_copies_of_the_china_asean_study_are_current() -> None:
    """The copies hold everything but the fitted latency model (the fixtures' hand-computed
    RTTs are plain physics)."""
    import re

    main = (ROOT / "topology" / "china_asean" / "study.toml").read_text()
    main = re.sub(r"(?ms)^# BEGIN (latency|data files|lit|markets)\b.*?"
                  r"^# END (latency|data files|lit|markets)[^\n]*\n", "", main)
    for folder in ("policy_small", "sim_small", "plan_small"):
        copy = (DATA / folder / "study.toml").read_text().split("\n", 2)[2]
        assert copy == main, f"tests/data/{folder}/study.toml is stale: copy the study again"


def test_the_engine_names_no_country_node_or_preset() -> None:
    """No China-ASEAN country code, node id or policy name in the engine's code (text in
    docstrings and comments may use the flagship study as an example)."""
    words = {"ASEAN", "SGSIN", "GBLON", "CNNNG", "HKHKG", "USSJC", "hairpin_us",
             "guangxi_hub", "regional_hubs", "intra_asean", "china_asean", "KHM", "VNM"}
    # demand/params.py: the gravity model's cited default calibration (docs/demand.md); the
    # CLI names the repository's flagship files as examples and defaults
    package = ROOT / "src" / "cablesim"
    skip = {package / "demand" / "params.py", package / "cli.py"}
    for file in package.rglob("*.py"):
        if file in skip or {"telegeography", "commands"} & set(file.parts):
            continue
        tree = ast.parse(file.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and n.body and isinstance(n.body[0], ast.Expr)
                      and isinstance(n.body[0].value, ast.Constant)}
        docstrings |= {id(n.value) for n in ast.walk(tree)
                       if isinstance(n, ast.keyword) and n.arg == "doc"}  # settings' docs
        for n in ast.walk(tree):  # a table of country names is reference data, not a region
            if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "COUNTRY_NAMES"
                                                 for t in n.targets):
                docstrings |= {id(c) for c in ast.walk(n.value)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and "e.g." not in node.value):
                hit = [w for w in words if w in node.value]
                assert not hit, f"{file.relative_to(ROOT)}:{node.lineno} names {hit}"
