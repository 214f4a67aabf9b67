"""Settings declared once: the reader, the defaults and the generated reference."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cablesim._errors import Problem
from cablesim.experiment.spec import RoutingSettings
from cablesim.settings import read_settings, setting, settings_rows
from cablesim.settings_reference import SECTIONS, settings_reference_markdown
from conftest import ROOT


@dataclass(frozen=True)
class Demo:
    rate: float = setting(0.5, low=0.0, high=1.0, low_open=True, unit="per year",
                          doc="A share.")
    count: int = setting(3, low=1, high=10, doc="A count.")
    mode: str = setting("a", choices=("a", "b"), doc="A choice.")
    year: int | None = setting(None, kind="year", doc="A year.")
    codes: tuple[str, ...] = setting(default_factory=tuple, kind="iso3", doc="Countries.")
    box: tuple[float, ...] | None = setting(None, kind="box", doc="A box.")
    prices: Mapping[str, float] = setting(default_factory=dict, low=0.0, doc="Prices.")
    flag: bool = setting(False, doc="A flag.")


def read(table: dict) -> tuple[Demo, dict[str, Problem]]:
    problems: list[Problem] = []
    value = read_settings(Demo, table, where="demo", source="f.toml", problems=problems)
    return value, {p.field: p for p in problems}


def test_defaults_come_from_the_declaration() -> None:
    value, problems = read({})
    assert value == Demo() and not problems
    assert value.rate == 0.5 and value.count == 3 and value.codes == ()


def test_good_values_are_typed() -> None:
    value, problems = read({"rate": 1, "count": 10, "mode": "b", "year": 2016,
                            "codes": ["SGP", "CHN"], "box": [1, 2, 3, 4],
                            "prices": {"SGSIN": 4}, "flag": True})
    assert not problems
    assert value == Demo(1.0, 10, "b", 2016, ("SGP", "CHN"), (1.0, 2.0, 3.0, 4.0),
                         {"SGSIN": 4.0}, True)
    assert isinstance(value.rate, float) and isinstance(value.box[0], float)


def test_every_bad_value_is_located_and_keeps_its_default() -> None:
    value, problems = read({"rate": 0, "count": 11, "mode": "c", "year": 1700,
                            "codes": ["sgp"], "box": [1, 5, 3, 4], "prices": {"X": -1},
                            "flag": "yes", "rat": 0.2})
    assert value == Demo()
    assert problems["demo.rate"].message == "must be > 0, got 0"
    assert problems["demo.count"].message == "must be a whole number from 1 to 10, got 11"
    assert problems["demo.mode"].message == "must be 'a' or 'b', got 'c'"
    assert "between 1850 and 2100" in problems["demo.year"].message
    assert "ISO3" in problems["demo.codes"].message
    assert "lat_min < lat_max" in problems["demo.box"].message
    assert problems["demo.prices.X"].message == "must be >= 0, got -1"
    assert "true or false" in problems["demo.flag"].message
    assert problems["demo.rat"].message == "unknown key"
    assert problems["demo.rat"].hint == "did you mean 'rate'?"
    assert all(p.file == "f.toml" for p in problems.values())


@given(st.one_of(st.floats(allow_nan=True), st.integers(-10**6, 10**6), st.text(max_size=4),
                 st.booleans(), st.none(), st.lists(st.integers(), max_size=3)))
def test_a_number_is_accepted_exactly_when_finite_and_in_bounds(value) -> None:
    got, problems = read({"rate": value})
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value) and 0.0 < value <= 1.0)
    assert (not problems) == ok
    assert got.rate == (float(value) if ok else 0.5)


def test_routing_settings_read_from_toml_values() -> None:
    problems: list[Problem] = []
    value = read_settings(RoutingSettings, {"k_paths": 4, "no_transit": ["CHN"]},
                          where="routing", source="x", problems=problems)
    assert value == RoutingSettings(k_paths=4, no_transit=("CHN",)) and not problems


def test_every_section_documents_every_field() -> None:
    for _, cls, _ in SECTIONS:
        for row in settings_rows(cls):
            assert row["doc"] and row["type"], (cls.__name__, row["key"])


def test_docs_settings_md_is_current() -> None:
    assert (ROOT / "docs" / "settings.md").read_text() == settings_reference_markdown(), (
        "docs/settings.md is stale: run `cablesim settings --out docs/settings.md`")


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")))
def test_every_shipped_settings_file_loads(path) -> None:
    from cablesim.experiment import load_experiment
    from cablesim.planning import load_plan
    from cablesim.simulation import load_simulation

    text = path.read_text()
    if "../results/" in text and not (ROOT / "results" / "telegeography_2021").is_dir():
        pytest.skip(f"{path.name} runs on an imported topology (cablesim import telegeography)")
    if "[planning]" in text:
        load_plan(path)
    elif "[simulation]" in text:
        load_simulation(path)
    else:
        load_experiment(path)
