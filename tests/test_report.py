"""The experiment report: report.md with images beside it, a self-contained report.html."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cablesim
from cablesim._errors import ScenarioError
from cablesim.report import plan_report, write_report

EXPERIMENT = Path(__file__).resolve().parent / "data" / "policy_small" / "experiment.toml"
KEEP = ["direct", "hairpin_us"]


@pytest.fixture(scope="module")
def small_result() -> cablesim.ExperimentResult:
    """The small test experiment, cut to two scenarios to keep the test quick."""
    full = cablesim.run_experiment(cablesim.load_experiment(EXPERIMENT))
    cut = {name: getattr(full, name)[getattr(full, name)["scenario"].isin(KEEP)]
           for name in ("scenarios", "pairs", "countries", "links", "transit_prices")}
    return dataclasses.replace(full, **cut)


@pytest.fixture(scope="module")
def report_dir(small_result, tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("report")
    files = write_report(small_result, folder, dpi=30, path_pairs=[("VNHAN", "IDJKT")],
                         path_policies=["hairpin_us"])
    return folder, files


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag in ("link", "script") or (tag == "a" and attrs.get("href", "").startswith("http")):
            self.links.append(attrs.get("href") or attrs.get("src") or "")


def test_report_files_are_written(report_dir) -> None:
    folder, files = report_dir
    names = {p.name for p in files}
    assert {"report.md", "report.html", "map_topology.png", "map_direct.png",
            "map_hairpin_us.png", "compare_direct_vs_hairpin_us.png",
            "difference_direct_vs_hairpin_us.png", "path_VNHAN_IDJKT.png",
            "chart_latency_cdf.png", "chart_country_costs.png", "chart_utilisation.png",
            "chart_transit_prices.png"} <= names
    assert all(p.parent == folder and p.is_file() for p in files)
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temporary files


def test_report_md_links_every_image_and_has_the_tables(report_dir) -> None:
    folder, _ = report_dir
    text = (folder / "report.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert linked and all((folder / name).is_file() for name in linked)
    assert set(linked) == {p.name for p in folder.glob("*.png")}
    assert "| scenario | policy | served Gbps" in text
    for name in KEEP:
        assert f"| {name} |" in text
    assert "## Calibration against the seed report" in text
    assert "Natural Earth" in text


def test_report_html_is_self_contained(report_dir) -> None:
    folder, _ = report_dir
    page = (folder / "report.html").read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(page)
    pngs = len(list(folder.glob("*.png")))
    assert len(parser.images) == pngs
    assert all(src.startswith("data:image/png;base64,") for src in parser.images)
    assert not parser.links  # no external stylesheet, script or web link
    assert "table" in parser.tags
    for name in KEEP:
        assert f"<td>{name}</td>" in page
    for text in ("Calibration against the seed report", "Assumptions", "Natural Earth",
                 "Scenario descriptions"):
        assert text in page
    assert page.count("<table") == 3  # scenarios; what rests on estimates; cost per country
    assert "What rests on estimates" in page


def test_plan_defaults_and_errors(small_result) -> None:
    net = cablesim.load_topology(EXPERIMENT.parent)
    plan = plan_report(small_result, net)
    assert plan.compare == ("direct", "hairpin_us")  # no Guangxi scenario: the first two
    assert plan.scenario_extents == {"direct": (89.0, -12.5, 146.0, 43.5), "hairpin_us": "world"}
    assert plan.path_pairs == [("VNHAN", "IDJKT"), ("VNHAN", "THBKK")]
    assert plan.path_policies == ["direct", "hairpin_us"]
    full = cablesim.run_experiment(cablesim.load_experiment(EXPERIMENT))
    assert plan_report(full, net).compare == ("hairpin_us", "guangxi_hub")
    with pytest.raises(ScenarioError) as err:
        plan_report(small_result, net, compare=("direct", "hairpin-us"))
    assert "did you mean 'hairpin_us'" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        plan_report(small_result, net, path_pairs=[("VNHAN", "IDJKTT")])
    assert "did you mean 'IDJKT'" in str(err.value)
