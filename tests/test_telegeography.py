"""The TeleGeography importer: parsing, segment inference, both layouts, every kind of mess,
located errors for malformed files, and the full 2021 snapshot (skipped where absent)."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest

import cablesim
from cablesim.cli import EXIT_INVALID, EXIT_OK, main
from cablesim.geo import great_circle_km
from cablesim.io.telegeography import (
    REPORT_JSON,
    REPORT_MD,
    UNKNOWN_COUNTRY,
    ImportSettings,
    approximate_segments,
    capacity_default,
    country_iso3,
    import_telegeography,
    infer_segments,
    load_capacity_csv,
    parse_length_km,
    parse_rfs_year,
    price_class,
    read_telegeography,
)

DATA = Path(__file__).resolve().parent / "data"
V2 = DATA / "tg_v2"
CURRENT = DATA / "tg_current"
TG21 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "telegeography-2021"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def v2_copy(tmp_path: Path) -> Path:
    target = tmp_path / "tg_v2"
    shutil.copytree(V2, target)
    return target


@pytest.fixture
def current_copy(tmp_path: Path) -> Path:
    target = tmp_path / "tg_current"
    shutil.copytree(CURRENT, target)
    return target


# ---------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("text, expected", [
    ("1,055 km", (1055.0, "ok")),
    ("280.4 km", (280.4, "ok")),
    ("about 600 km", (600.0, "ok")),
    ("20000", (20000.0, "ok")),
    (1500, (1500.0, "ok")),
    ("n.a.", (None, "n.a.")),
    ("", (None, "n.a.")),
    (None, (None, "absent")),
    ("roughly far", (None, "unparseable")),
    ("-5 km", (None, "unparseable")),
])
def test_parse_length(text, expected):
    assert parse_length_km(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2008 August", (2008, "ok")),
    ("2021 Q4", (2021, "ok")),
    ("1999", (1999, "ok")),
    ("Q3 2025", (2025, "ok")),
    (2025, (2025, "ok")),
    (float("nan"), (None, "unparseable")),
    (1e308, (None, "unparseable")),
    ("n.a.", (None, "n.a.")),
    (None, (None, "absent")),
    ("sometime soon", (None, "unparseable")),
])
def test_parse_rfs(text, expected):
    assert parse_rfs_year(text) == expected


@pytest.mark.parametrize("name, country, lon, lat, expected", [
    ("Muanda, Congo, Dem. Rep.", None, 12.35, -5.93, "COD"),
    ("Pointe-Noire, Congo, Rep.", None, 11.86, -4.78, "COG"),
    ("Isla Verde, PR, United States", None, -66.0, 18.4, "PRI"),
    ("Piti, GU, United States", None, 144.7, 13.46, "GUM"),
    ("Chung Hom Kok, China", None, 114.20, 22.22, "HKG"),
    ("Taipa, China", None, 113.56, 22.16, "MAC"),
    ("Shanghai, China", None, 121.47, 31.25, "CHN"),
    ("Gallows Bay, Sint Eustatius and Saba", None, -62.98, 17.48, "BES"),
    ("Abidjan, Côte d'Ivoire", None, -4.03, 5.32, "CIV"),
    ("Sihanoukville, Cambodia", "Cambodia", 103.5, 10.6, "KHM"),
    ("Hong Kong, China", "China", 114.16, 22.28, "HKG"),
    ("Zeta, Atlantis", None, 0.0, 0.0, None),
])
def test_country_names_map_to_iso3(name, country, lon, lat, expected):
    assert country_iso3(name, country, lon, lat)[0] == expected


def test_capacity_default_by_rfs_era_and_price_classes():
    assert capacity_default(2008)[:2] == (2880.0, "<= 2010")
    assert capacity_default(2012)[:2] == (15000.0, "2011-2014")
    assert capacity_default(2016)[:2] == (24000.0, "2015-2018")
    assert capacity_default(2023)[:2] == (144000.0, ">= 2019")
    assert capacity_default(None)[1] == "unknown"
    assert price_class(-70.0, -10.0) == "transpacific"
    assert price_class(5.0, 40.0) == "asia_europe"
    assert price_class(103.0, 114.0) == "intra_asia"


# ---------------------------------------------------------------------------- inference
def _by_ends(inference):
    return {frozenset((s.a, s.b)): s for s in inference.segments}


def test_trunk_with_one_branch_has_one_branching_unit():
    lines = [[[0, 0], [2.5, 0], [5, 0]], [[5, 0], [7.5, 0], [10, 0]], [[5, 0], [5, 1.5], [5, 3]]]
    landings = [("a", 0.0, 0.0), ("b", 10.0, 0.0), ("c", 5.0, 3.0)]
    inf = infer_segments(lines, landings, bu_prefix="bu")
    assert inf.branching_units == {"bu01": (5.0, 0.0)}
    segs = _by_ends(inf)
    assert set(segs) == {frozenset({"a", "bu01"}), frozenset({"b", "bu01"}),
                         frozenset({"c", "bu01"})}
    assert segs[frozenset({"a", "bu01"})].length_km == pytest.approx(great_circle_km(0, 0, 5, 0))
    assert segs[frozenset({"c", "bu01"})].length_km == pytest.approx(great_circle_km(5, 0, 5, 3))
    assert inf.fallbacks == []


def test_t_junction_and_ends_drawn_apart_are_joined():
    # the branch ends 2 km short of the trunk's interior; the trunk is drawn in two pieces
    # whose ends are 1 km apart
    lines = [[[0, 0], [4.0, 0]], [[4.009, 0], [10, 0]], [[5, 3], [5, 0.018]]]
    landings = [("a", 0.0, 0.0), ("b", 10.0, 0.0), ("c", 5.0, 3.0)]
    inf = infer_segments(lines, landings)
    assert len(inf.branching_units) == 1
    (x, y), = inf.branching_units.values()
    assert x == pytest.approx(5.0, abs=1e-3) and y == pytest.approx(0.018, abs=1e-3)
    assert len(inf.segments) == 3
    assert not [k for k, _ in inf.fallbacks if k == "gap_bridged"]


def test_landing_beyond_the_tolerance_gets_a_connector():
    lines = [[[0, 0], [0, -4]]]
    inf = infer_segments(lines, [("a", 0.0, 0.0), ("e", 0.0, -5.0)])
    kinds = [k for k, _ in inf.fallbacks]
    assert kinds == ["landing_connector"]
    (seg,) = inf.segments
    assert seg.connector
    assert seg.length_km == pytest.approx(great_circle_km(0, 0, 0, -5), rel=1e-6)
    assert "110.6 km" in inf.fallbacks[0][1]


def test_tolerances_are_settings():
    lines = [[[0, 0], [0, -4]]]
    landings = [("a", 0.0, 0.0), ("e", 0.0, -5.0)]
    inf = infer_segments(lines, landings, ImportSettings(snap_km=150.0))
    assert inf.fallbacks == []  # within 150 km: snapped to the line end, no connector
    (seg,) = inf.segments
    assert seg.length_km == pytest.approx(great_circle_km(0, 0, 0, -5), rel=1e-6)


def test_gap_in_the_drawing_is_bridged_and_dead_lines_dropped():
    lines = [[[12, 1], [13, 2]], [[13.5, 2.5], [14, 3]], [[30, 30], [31, 31]],
             [[13, 2], [13, 4]]]  # a line to nowhere, and a piece far away
    inf = infer_segments(lines, [("d", 12.0, 1.0), ("i", 14.0, 3.0)])
    assert [k for k, _ in inf.fallbacks] == ["gap_bridged"]
    (seg,) = inf.segments
    assert {seg.a, seg.b} == {"d", "i"} and seg.connector
    assert inf.dropped_km > 100


def test_antimeridian_crossing_is_one_segment():
    lines = [[[170, 0], [179.99996, 0]], [[-179.99996, 0], [-170, 0]]]
    inf = infer_segments(lines, [("w", 170.0, 0.0), ("e", -170.0, 0.0)])
    (seg,) = inf.segments
    assert seg.length_km == pytest.approx(great_circle_km(170, 0, -170, 0), rel=1e-4)
    assert inf.fallbacks == []


def test_colocated_landings_get_a_nominal_link():
    lines = [[[0, 0], [1, 0]]]
    inf = infer_segments(lines, [("a", 0.0, 0.0), ("a2", 0.0, 0.0), ("b", 1.0, 0.0)])
    assert [k for k, _ in inf.fallbacks] == ["colocated_landing"]
    assert {frozenset((s.a, s.b)) for s in inf.segments} == {frozenset({"a", "a2"}),
                                                            frozenset({"a", "b"})}


def test_a_drawing_shorter_than_the_join_tolerance_gives_no_segment():
    # the whole drawing is 1 km long: its two ends merge into one point
    inf = infer_segments([[[0, 0], [0.009, 0]]], [("a", 0.0, 0.0), ("b", 0.5, 0.0)])
    assert inf.segments == [] and inf.branching_units == {}


def test_approximation_is_the_shortest_tree():
    segs = approximate_segments([("a", 0.0, 0.0), ("c", 2.0, 0.0), ("b", 1.0, 0.0)])
    assert {frozenset((s.a, s.b)) for s in segs} == {frozenset({"a", "b"}), frozenset({"b", "c"})}
    assert sum(s.length_km for s in segs) == pytest.approx(great_circle_km(0, 0, 2, 0))


# ---------------------------------------------------------------------------- both layouts
def _links(result):
    return result.links.set_index("id")


@pytest.mark.parametrize("folder, layout", [(V2, "v2"), (CURRENT, "current")])
def test_synthetic_layouts_import_and_report_every_kind_of_mess(folder, layout):
    result = read_telegeography(folder, snapshot_label="2021-06")
    rep = result.report
    assert rep["layout"] == layout
    # every cable accounted for, with its outcome
    outcomes = {c["id"]: c["outcome"] for c in rep["cables"]}
    assert outcomes == {"trunk-cable": "inferred", "short-link": "inferred",
                        "gap-cable": "inferred", "tbd-cable": "inferred",
                        "nogeo-cable": "approximated", "geo-only": "no_links",
                        "island-cable": "inferred", "gap-bridge": "inferred"}
    assert sum(rep["cables_by_outcome"].values()) == rep["counts"]["cables"] == 8
    assert rep["fallbacks"] == {"gap_bridged": 1, "landing_connector": 1, "no_geometry": 1}
    # free text and n.a. counted with file and field
    unparse = {(Path(u["file"]).name, u["field"], u["reason"]) for u in rep["unparseable_fields"]}
    assert unparse == {("short-link.json", "length", "n.a."), ("short-link.json", "rfs", "n.a."),
                       ("nogeo-cable.json", "rfs", "unparseable")}
    assert [t["id"] for t in rep["tbd_landing_points"]] == ["99-t-b-d-ghana-tbd-cable"]
    assert [t["id"] for t in rep["landing_points_without_coordinates"]] == ["lost-point-togo"]
    assert rep["unknown_countries"] == [{"name": "Atlantis", "landing_points": ["zeta-atlantis"]}]
    assert [d["id"] for d in rep["duplicate_landing_entries"]] == ["gamma-cove-benin"]
    assert rep["unused_landing_points"]["ids"] == ["unused-harbour-ghana"]
    assert "owners" in rep["ignored_fields"]
    # the segment graph of the trunk: one branching unit, hand-checkable lengths
    links = _links(result)
    trunk = links[links["tg_cable_id"] == "trunk-cable"]
    assert set(zip(trunk["from_node"], trunk["to_node"], strict=True)) == {
        ("alpha-bay-ghana", "bu:trunk-cable:01"), ("beta-point-togo", "bu:trunk-cable:01"),
        ("bu:trunk-cable:01", "gamma-cove-benin")}
    assert trunk.loc["trunk-cable:03", "length_km"] == pytest.approx(
        great_circle_km(5, 0, 5, 3), abs=1e-3)
    # statuses, years and the estimates' citations
    assert links.loc["tbd-cable:01", "status"] == "planned"
    assert links.loc["trunk-cable:01", "rfs_year"] == 2008
    assert pd_isna(links.loc["short-link:01", "rfs_year"])
    assert "estimate: default for RFS <= 2010" in links.loc["trunk-cable:01", "citation"]
    assert "[TeleGeography 2021-06] trunk-cable" in links.loc["trunk-cable:01", "citation"]
    assert "estimate: default for RFS unknown" in links.loc["short-link:01", "citation"]
    assert "approximated" in links.loc["nogeo-cable:01", "citation"]
    assert links.loc["nogeo-cable:01", "length_km"] == pytest.approx(700.0)
    nodes = result.nodes.set_index("id")
    assert nodes.loc["zeta-atlantis", "country"] == UNKNOWN_COUNTRY
    assert nodes.loc["city:GHA", "kind"] == "city"
    assert "t.b.d." in nodes.loc["99-t-b-d-ghana-tbd-cable", "citation"]
    assert nodes.loc["alpha-bay-ghana", "metro"] == "city:GHA"
    # the network validates and is connected
    assert result.network.summary()["components"] == 1


def test_both_layouts_give_the_same_topology():
    a = read_telegeography(V2, snapshot_label="x 2021")
    b = read_telegeography(CURRENT, snapshot_label="x 2021")
    cols = ["id", "from_node", "to_node", "kind", "length_km", "status", "capacity_gbps"]
    assert a.links[cols].equals(b.links[cols])
    assert list(a.nodes["id"]) == list(b.nodes["id"])


def test_import_writes_a_valid_topology_folder_and_reports(tmp_path):
    out = tmp_path / "out"
    import_telegeography(V2, out, snapshot_label="2021-06")
    for name in ("nodes.csv", "links.csv", "geometry.geojson", REPORT_JSON, REPORT_MD):
        assert (out / name).is_file()
    net = cablesim.load_topology(out)
    assert len(net.links) == 17 and net.links.loc["trunk-cable:01", "geometry_source"] == "file"
    report = json.loads((out / REPORT_JSON).read_text())
    assert report["counts"]["cables"] == 8
    md = (out / REPORT_MD).read_text()
    assert "| geo-only | no_links |" in md and "lost-point-togo" in md


def test_capacity_csv_by_slug_or_name(tmp_path):
    csv = tmp_path / "cap.csv"
    csv.write_text("system,design_capacity_gbps,citation\n"
                   "trunk-cable,5000,Synthetic press release 2008\n"
                   "short link,1234.5,Operator website\n")
    result = read_telegeography(V2, snapshot_label="2021", capacity_csv=csv)
    links = _links(result)
    assert links.loc["trunk-cable:02", "capacity_gbps"] == 5000.0
    assert links.loc["trunk-cable:02", "design_capacity_gbps"] == 5000.0
    assert "design 5000 Gbps: Synthetic press release 2008" in links.loc["trunk-cable:02",
                                                                         "citation"]
    assert links.loc["short-link:01", "capacity_gbps"] == 1234.5
    assert result.report["capacity"]["csv"] == 2


def test_capacity_csv_problems_are_located(tmp_path):
    csv = tmp_path / "cap.csv"
    csv.write_text("system,design_capacity_gbps,citation\n"
                   "trunk-cabel,5000,x\n"
                   "short-link,-3,y\n"
                   "gap-cable,100,\n")
    with pytest.raises(cablesim.ImportFormatError) as info:
        load_capacity_csv(csv, {"trunk-cable": "Trunk Cable", "short-link": "Short Link",
                                "gap-cable": "Gap Cable"})
    text = str(info.value)
    assert f"{csv}, line 2, field 'system': unknown cable 'trunk-cabel'" in text
    assert "did you mean 'trunk-cable'?" in text
    assert "line 3, field 'design_capacity_gbps'" in text
    assert "line 4, field 'citation': is empty" in text


# ---------------------------------------------------------------------------- malformed files
def test_report_records_are_typed_and_give_the_json_form():
    """The report is frozen typed records; its JSON form is ``result.report``."""
    import dataclasses

    from cablesim.io.telegeography.report import CableOutcome, Fallback, ImportReport

    result = read_telegeography(V2, snapshot_label="2021-06")
    summary = result.summary
    assert isinstance(summary, ImportReport)
    assert summary.to_dict() == result.report
    assert all(isinstance(c, CableOutcome) for c in summary.cables)
    assert all(isinstance(f, Fallback) for f in summary.fallbacks)
    assert summary.fallback_counts == result.report["fallbacks"]
    assert summary.counts.cables == len(summary.cables) == 8
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.cables[0].outcome = "changed"  # type: ignore[misc]
    json.dumps(summary.to_dict())


def _problems(folder: Path) -> list[str]:
    with pytest.raises(cablesim.ImportFormatError) as info:
        read_telegeography(folder)
    return [str(p) for p in info.value.problems]


def test_truncated_json_names_the_file(v2_copy):
    path = v2_copy / "cable" / "trunk-cable.json"
    path.write_text(path.read_text()[:150])
    (msg,) = _problems(v2_copy)
    assert msg.startswith(str(path)) and "not valid JSON" in msg and "truncated" in msg


def test_truncated_geometry_file_names_the_file(current_copy):
    path = current_copy / "cable" / "cable-geo.json"
    path.write_bytes(path.read_bytes()[:-40])
    (msg,) = _problems(current_copy)
    assert str(path) in msg and "truncated" in msg


def test_bad_coordinates_name_file_feature_cable_and_field(v2_copy):
    path = v2_copy / "cable" / "cable-geo.json"
    doc = json.loads(path.read_text())
    doc["features"][1]["geometry"]["coordinates"][0][1] = [11, 200]
    doc["features"][2]["properties"] = {"color": "fff"}
    path.write_text(json.dumps(doc))
    msgs = _problems(v2_copy)
    assert (f"{path}, feature 2, field 'geometry': cable 'short-link': line 1: position "
            "[11, 200] is outside lon [-180, 180], lat [-90, 90]") in msgs
    assert any(m.startswith(f"{path}, feature 3, field 'properties.id': missing") for m in msgs)


def test_wrong_types_and_missing_members_are_located(v2_copy, current_copy):
    path = v2_copy / "cable" / "gap-cable.json"
    doc = json.loads(path.read_text())
    doc["landing_points"][1]["latlon"] = "north,east"
    doc["length"] = [600]
    path.write_text(json.dumps(doc))
    path2 = v2_copy / "cable" / "short-link.json"
    doc2 = json.loads(path2.read_text())
    del doc2["landing_points"]
    path2.write_text(json.dumps(doc2))
    msgs = _problems(v2_copy)
    assert (f"{path}, landing point 2, field 'latlon': landing point 'epsilon-gabon': latlon "
            "'north,east' is not two numbers") in " ".join(msgs)
    assert f"{path}, field 'length': cable 'gap-cable': wrong type, got [600]" in msgs
    assert f"{path2}, field 'landing_points': cable 'short-link': required member is missing" \
        in msgs
    lp = current_copy / "landing-point" / "landing-point-geo.json"
    doc3 = json.loads(lp.read_text())
    doc3["features"][0]["geometry"]["coordinates"] = ["0", 0]
    doc3["crs"]["properties"]["name"] = "EPSG:3857"
    lp.write_text(json.dumps(doc3))
    msgs = _problems(current_copy)
    assert any("field 'crs.properties.name': unsupported coordinate reference system "
               "'EPSG:3857'" in m for m in msgs)
    assert any("feature 1, field 'geometry.coordinates': landing point 'alpha-bay-ghana'" in m
               for m in msgs)


def test_unknown_extra_fields_are_never_fatal(current_copy):
    path = current_copy / "cable" / "trunk-cable.json"
    doc = json.loads(path.read_text())
    doc["brand_new_field"] = {"nested": [1, 2]}
    doc["landing_points"][0]["elevation_m"] = 3
    path.write_text(json.dumps(doc))
    geo = current_copy / "cable" / "cable-geo.json"
    gdoc = json.loads(geo.read_text())
    gdoc["features"][0]["properties"]["whatever"] = True
    gdoc["bbox"] = [-180, -90, 180, 90]
    geo.write_text(json.dumps(gdoc))
    rep = read_telegeography(current_copy).report
    assert rep["ignored_fields"]["brand_new_field"] == 1
    assert rep["ignored_fields"]["landing_points[].elevation_m"] == 1


def test_unusable_or_unmatched_geometry_falls_back_to_the_approximation(current_copy):
    geo = current_copy / "cable" / "cable-geo.json"
    doc = json.loads(geo.read_text())
    by_id = {f["properties"]["id"]: f for f in doc["features"]}
    by_id["short-link"]["geometry"]["coordinates"] = [[[10, 0], [10.001, 0]]]
    by_id["island-cable"]["geometry"]["coordinates"] = [[[-30, 20], [-20, 25]]]
    geo.write_text(json.dumps(doc))
    rep = read_telegeography(current_copy).report
    rows = {c["id"]: c for c in rep["cables"]}
    assert rows["short-link"]["outcome"] == "approximated"
    assert rows["short-link"]["fallbacks"] == ["geometry_unusable"]
    assert rows["island-cable"]["outcome"] == "approximated"
    assert "geometry_unmatched" in rows["island-cable"]["fallbacks"]
    assert rep["fallbacks"]["geometry_unmatched"] == 1


def test_missing_folder_and_files(tmp_path):
    with pytest.raises(cablesim.ImportFormatError, match="does not exist"):
        read_telegeography(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    msgs = _problems(tmp_path / "empty")
    assert any("cable-geo.json: file is missing" in m for m in msgs)
    assert any("landing-point-geo.json: file is missing" in m for m in msgs)


def test_cli_import_prints_summary_and_errors(tmp_path, v2_copy):
    code, out, err = run("import", "telegeography", str(V2), "--out", str(tmp_path / "t"),
                         "--snapshot-label", "2021-06")
    assert code == EXIT_OK, err
    assert "cables           8" in out and "inferred 6" in out
    assert (tmp_path / "t" / "gravity_demand.csv").is_file()
    demand = cablesim.load_topology(tmp_path / "t")
    assert "city:GHA" in demand.nodes.index
    path = v2_copy / "landing-point" / "landing-point-geo.json"
    path.write_text(path.read_text()[:300])
    code, out, err = run("import", "telegeography", str(v2_copy), "--out", str(tmp_path / "u"))
    assert code == EXIT_INVALID and out == ""
    assert str(path) in err and "not valid JSON" in err and "Traceback" not in err
    assert not (tmp_path / "u").exists()


# ---------------------------------------------------------------------------- shared snapshot
needs_tg21 = pytest.mark.skipif(not (TG21 / "cable" / "cable-geo.json").is_file(),
                                reason="shared TeleGeography 2021 snapshot not present")


@needs_tg21
def test_full_2021_snapshot_accounts_for_every_cable(tmp_path):
    start = time.perf_counter()
    result = import_telegeography(TG21, tmp_path / "tg21", snapshot_label="2021-06")
    elapsed = time.perf_counter() - start
    rep = result.report
    geo = json.loads((TG21 / "cable" / "cable-geo.json").read_text())
    geo_ids = {f["properties"].get("id") or f["properties"]["slug"] for f in geo["features"]}
    file_ids = {json.loads(p.read_text())["id"] for p in (TG21 / "cable").glob("*.json")
                if p.name not in ("cable-geo.json", "all.json")}
    reported = [c["id"] for c in rep["cables"]]
    assert sorted(reported) == sorted(geo_ids | file_ids)
    assert len(reported) == len(set(reported)) == rep["counts"]["cables"]
    assert sum(rep["cables_by_outcome"].values()) == len(reported)
    assert sum(rep["cables_by_status"].values()) == len(reported)
    assert rep["layout"] == "v2"
    assert len(rep["tbd_landing_points"]) == 3
    assert rep["unparseable_counts"]["length"]["n.a."] == 32
    assert rep["unknown_countries"] == []
    net = cablesim.load_topology(tmp_path / "tg21")
    assert len(net.links) == len(result.network.links)
    summary = net.summary()
    assert summary["component_sizes"][0] > 0.99 * summary["nodes"]
    # the China-ASEAN derivation found the same structure for SeaMeWe-3 (67 segments, 28 BUs)
    smw3 = next(c for c in rep["cables"] if c["id"] == "seamewe-3")
    assert (smw3["segments"], smw3["branching_units"]) == (67, 28)
    assert net.nodes.loc["chung-hom-kok-china", "country"] == "HKG"
    assert elapsed < 120, f"import took {elapsed:.1f} s"


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


# ---------------------------------------------------------------------------- fuzzing
import copy  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=int(os.environ.get("CABLESIM_FUZZ_EXAMPLES", "40")),
                deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
JSON_JUNK = [None, True, False, 0, -1, 1e308, math.nan, math.inf, "", "n.a.", "t.b.d.", "x",
             "1,2", "200,500", "\x00", "é", [], {}, [1], [[1, 2]], [200, 100], [[["a"]]],
             {"type": "Point"}, {"type": "MultiLineString", "coordinates": [[[0, 0]]]}]


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:6]):
            yield from _paths(v, prefix + (i,))


@st.composite
def json_edit(draw, doc):
    """Replace or delete the value at a random place of a JSON document (1-3 times)."""
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(JSON_JUNK)))
    return doc


@FUZZ
@given(data=st.data())
def test_fuzz_both_layouts(data, tmp_path_factory):
    layout = data.draw(st.sampled_from([V2, CURRENT]))
    folder = tmp_path_factory.mktemp("fuzz_tg")
    shutil.copytree(layout, folder, dirs_exist_ok=True)
    files = sorted(p for p in folder.rglob("*.json"))
    target = data.draw(st.sampled_from(files))
    if data.draw(st.booleans()):
        doc = data.draw(json_edit(json.loads(target.read_text())))
        target.write_text(json.dumps(doc, ensure_ascii=False))
    else:
        text = target.read_text()
        cut = data.draw(st.integers(0, max(len(text) - 1, 0)))
        junk = data.draw(st.sampled_from(["", ",", "]", "}", "{", "\"", "NaN", "\x00", "é"]))
        target.write_text(text[:cut] + junk + text[cut + data.draw(st.integers(0, 20)):])
    try:
        result = read_telegeography(folder, snapshot_label="2021")
    except cablesim.CablesimError as exc:
        assert exc.problems, "errors must carry located problems"
        return
    rep = result.report
    assert sum(rep["cables_by_outcome"].values()) == rep["counts"]["cables"]


@needs_tg21
def test_the_global_experiment_runs_on_a_fresh_import(tmp_path):
    # experiments/global.toml uses the China-ASEAN study on the imported world map: the
    # study's tables name countries without nodes there (land-locked Laos), which is no error
    from cablesim.experiment import load_experiment, run_experiment

    root = Path(__file__).resolve().parents[1]
    code, _, err = run("import", "telegeography", str(TG21), "--out",
                       str(tmp_path / "telegeography_2021"), "--snapshot-label", "2021-06")
    assert code == EXIT_OK, err
    text = (root / "experiments" / "global.toml").read_text()
    text = text.replace('"../results/telegeography_2021',
                        f'"{(tmp_path / "telegeography_2021").as_posix()}')
    text = text.replace('"../', f'"{root.as_posix()}/')
    (tmp_path / "global.toml").write_text(text)
    experiment = load_experiment(tmp_path / "global.toml")
    experiment = type(experiment)(**{**experiment.__dict__,
                                     "scenarios": experiment.scenarios[:1]})
    result = run_experiment(experiment)
    row = result.scenarios.iloc[0]
    assert row["served_gbps"] + row["unserved_gbps"] == pytest.approx(row["offered_gbps"])
