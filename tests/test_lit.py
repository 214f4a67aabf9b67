"""Lit capacity by year: the rule and its anchors by hand, located errors, the switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cablesim import ScenarioError
from cablesim.lit import LitModel, LitRule, load_lit_anchors

LINKS = pd.DataFrame({
    "kind": ["submarine", "submarine", "submarine", "terrestrial", "submarine"],
    "system": ["Old", "New", "Anchored", "Land", "Undated"],
    "capacity_gbps": [1000.0, 10000.0, 8000.0, 500.0, 300.0],
    "rfs_year": [2000, 2014, 2010, 2010, None],
    "capacity_confidence": ["cited", "cited", "cited", "estimate", ""],
})
ANCHORS = pd.DataFrame({"system": ["Anchored", "Anchored"], "year": [2011, 2015],
                        "lit_gbps": [1000.0, 2000.0]})


def test_rule_and_anchors_by_hand():
    rule = LitRule(LitModel(initial_share=0.1, growth=0.2), ANCHORS)
    capacity, basis, confidence = rule.apply(LINKS, 2016)
    # Old: 0.1 x 1.2^16 = 1.85 of design -> design; New: 10000 x 0.1 x 1.2^2 = 1440;
    # Anchored: nearest anchor 2015, 2000 x 1.2 = 2400; Land keeps its capacity; Undated too
    np.testing.assert_allclose(capacity, [1000.0, 1440.0, 2400.0, 500.0, 300.0])
    assert list(basis) == ["design (fully lit by then)", "lit: rule from RFS 2014",
                           "lit: cited 2015 grown", "design", "design"]
    assert list(confidence) == ["cited", "estimate", "derived", "estimate", "estimate"]
    same_year = rule.apply(LINKS, 2011)
    assert same_year[0][2] == pytest.approx(1000.0) and same_year[2][2] == "cited"


def test_identity_is_design_capacity():
    capacity, basis, _ = LitRule().apply(LINKS, 2016)
    np.testing.assert_array_equal(capacity, LINKS["capacity_gbps"].to_numpy())
    assert set(basis) == {"design"}


def test_kinds_choose_the_links():
    rule = LitRule(LitModel(initial_share=0.5, growth=0.0, kinds=("terrestrial",)))
    capacity, _, _ = rule.apply(LINKS, 2016)
    np.testing.assert_allclose(capacity, [1000.0, 10000.0, 8000.0, 250.0, 300.0])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lit.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("row, field, words", [
    ("Anchord,2016,100,,lit,src", "system", "did you mean 'Anchored'"),
    ("Anchored,,100,,lit,src", "year", ""),
    ("Anchored,2016,-5,,lit,src", "lit_gbps", ""),
])
def test_anchor_table_problems_are_located(tmp_path, row, field, words):
    path = write(tmp_path, "system,year,lit_gbps,design_gbps,metric,source\n" + row + "\n")
    with pytest.raises(ScenarioError) as err:
        load_lit_anchors(path, known_systems={"Anchored", "Old"})
    problem = err.value.problems[0]
    assert (problem.row, problem.field) == (2, field)
    assert words in str(err.value)


def test_study_names_a_missing_anchor_file(tmp_path):
    from cablesim.study import load_study

    here = Path(__file__).resolve().parent / "data" / "policy_small" / "study.toml"
    text = here.read_text() + '\n[lit]\ninitial_share = 0.2\nanchors = "nope.csv"\n'
    (tmp_path / "study.toml").write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_study(tmp_path / "study.toml")
    assert any(p.field == "lit.anchors" and "does not exist" in p.message
               for p in err.value.problems)


def test_flagship_routes_on_lit_capacity_unless_told_design():
    from cablesim.experiment import load_experiment
    from cablesim.experiment.prepare import network_for_scenario
    from cablesim.io.topology import load_topology
    from conftest import ROOT

    experiment = load_experiment(ROOT / "experiments" / "hairpin_vs_guangxi.toml")
    network = load_topology(experiment.topology)
    spec = experiment.scenarios[0]
    links, _ = network_for_scenario(network, spec, 2016, "x")
    apg = links[links["system"] == "Asia Pacific Gateway (APG)"]
    # APG entered service in 2016: 0.12 of its 54.8 Tbps design by the study's rule
    assert apg["capacity_gbps"].iloc[0] == pytest.approx(0.12 * 54800)
    assert apg["capacity_basis"].iloc[0] == "lit: rule from RFS 2016"
    import dataclasses

    design = dataclasses.replace(spec, lit=LitRule())
    links, _ = network_for_scenario(network, design, 2016, "x")
    assert links.loc[apg.index[0], "capacity_gbps"] == pytest.approx(54800)


def test_links_capacity_design_in_an_experiment_file(tmp_path):
    from cablesim.experiment import load_experiment
    from conftest import ROOT

    text = (ROOT / "experiments" / "hairpin_vs_guangxi.toml").read_text()
    text = text.replace('"../', f'"{ROOT.as_posix()}/').replace(
        "[links]\n", '[links]\ncapacity = "design"\n', 1)
    (tmp_path / "e.toml").write_text(text)
    experiment = load_experiment(tmp_path / "e.toml")
    assert all(s.lit.model.is_identity for s in experiment.scenarios)
    bad = text.replace('capacity = "design"', 'capacity = "lits"')
    (tmp_path / "bad.toml").write_text(bad)
    with pytest.raises(ScenarioError) as err:
        load_experiment(tmp_path / "bad.toml")
    assert "links.capacity" in str(err.value)
