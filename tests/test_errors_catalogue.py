"""One test per error type of docs/errors.md; the catalogue lists every error type."""

from __future__ import annotations

import inspect
import shutil

import pandas as pd
import pytest

import cablesim
import cablesim._errors as errors
from cablesim.demand import load_demand_csv
from cablesim.experiment import load_experiment, path_between
from cablesim.invariants import check_scenario_tables
from conftest import DATA, ROOT, STUDY


def test_catalogue_lists_every_error_type():
    text = (ROOT / "docs" / "errors.md").read_text()
    types = [name for name, obj in inspect.getmembers(errors, inspect.isclass)
             if issubclass(obj, errors.CablesimError) and obj is not errors.CablesimError]
    for name in types:
        assert f"## {name}" in text, name
        assert f"test_{_snake(name)}" in text, name
        assert f"test_{_snake(name)}" in globals(), name


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def test_topology_error(tiny_copy):
    (tiny_copy / "links.csv").write_text((tiny_copy / "links.csv").read_text().replace(
        "HKHKG,CNNNG", "HKHKG,CNNNN"))
    with pytest.raises(cablesim.TopologyError, match="did you mean 'CNNNG'"):
        cablesim.load_topology(tiny_copy)


def test_scenario_error(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    path = folder / "experiment.toml"
    path.write_text(path.read_text().replace("[demand]", "[demnd]"))
    with pytest.raises(cablesim.ScenarioError, match="did you mean 'demand'"):
        load_experiment(path)


def test_demand_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("origin,destination,gbps\nIDJKT,VNHAN,-3\n")
    with pytest.raises(cablesim.DemandError) as info:
        load_demand_csv(path, cablesim.load_topology(DATA / "policy_small"), study=STUDY)
    assert info.value.problems[0].row == 2 and info.value.problems[0].field == "gbps"


def test_import_format_error(tmp_path):
    telegeography = pytest.importorskip("cablesim.io.telegeography")
    (tmp_path / "cable").mkdir()
    (tmp_path / "landing-point").mkdir()
    (tmp_path / "cable" / "cable-geo.json").write_text('{"type": "FeatureCollection", "feat')
    (tmp_path / "landing-point" / "landing-point-geo.json").write_text(
        '{"type": "FeatureCollection", "features": []}')
    with pytest.raises(cablesim.ImportFormatError) as info:
        telegeography.import_telegeography(tmp_path)
    assert "cable-geo.json" in str(info.value)


def test_routing_error(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    path = folder / "experiment.toml"
    path.write_text(path.read_text().replace(
        "[[scenario]]", '[links]\ndisable = ["id:han-hkg"]\n\n[[scenario]]', 1))
    with pytest.raises(cablesim.RoutingError, match="cannot be reached"):
        path_between(path, "IDJKT", "VNHAN")


def test_output_error(tmp_path):
    from cablesim._atomic import check_writable

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(cablesim.OutputError, match="is not a folder") as err:
        check_writable(blocker / "results")
    assert err.value.problems[0].file == str(blocker / "results")
    with pytest.raises(cablesim.OutputError, match="exists and is not a folder"):
        check_writable(blocker)
    with pytest.raises(cablesim.OutputError, match="is a folder, not a file"):
        check_writable(tmp_path, folder=False)
    check_writable(tmp_path / "new" / "deeper")  # creatable: no error, nothing created
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_invariant_error():
    pairs = pd.DataFrame({"origin": ["A"], "destination": ["B"], "offered_gbps": [3.0],
                          "served_gbps": [1.0], "unserved_gbps": [1.0],
                          "cost_usd_month": [1.0], "rtt_ms": [5.0], "floor_rtt_ms": [1.0]})
    links = pd.DataFrame({"link": ["ab"], "load_forward_gbps": [1.0],
                          "load_reverse_gbps": [0.0], "in_service": [True],
                          "capacity_gbps": [5.0]})
    with pytest.raises(cablesim.InvariantError, match="a bug in cablesim"):
        check_scenario_tables("s", pairs, links, capacitated=True)
