"""Every class of bad topology input gives a TopologyError naming file, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cablesim
from cablesim import TopologyError


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1))


def problems_of(folder: Path) -> list[cablesim.Problem]:
    with pytest.raises(TopologyError) as info:
        cablesim.load_topology(folder)
    assert isinstance(info.value, ValueError)
    return info.value.problems


def only(problems, field):
    found = [p for p in problems if p.field == field]
    assert found, f"no problem about {field!r} in {[str(p) for p in problems]}"
    return found[0]


def test_unknown_node_id_in_links_with_did_you_mean(tiny_copy):
    rewrite(tiny_copy / "links.csv", "hk-nng:01,HKHKG,CNNNG", "hk-nng:01,HKHKG,CNNNN")
    p = only(problems_of(tiny_copy), "to_node")
    assert p.file.endswith("links.csv") and p.row == 4
    assert "unknown node id 'CNNNN'" in p.message and "did you mean 'CNNNG'?" in p.hint
    assert str(p).startswith(str(tiny_copy / "links.csv") + ", line 4, field 'to_node'")


def test_duplicate_node_and_link_ids(tiny_copy):
    rewrite(tiny_copy / "nodes.csv", "VNHAN,Hanoi", "SGSIN,Hanoi")
    rewrite(tiny_copy / "links.csv", "sg-hk:02,", "sg-hk:01,")
    problems = problems_of(tiny_copy)
    dup = [p for p in problems if "duplicate id" in p.message]
    assert {(Path(p.file).name, p.row) for p in dup} == {("nodes.csv", 5), ("links.csv", 3)}
    assert "first used at line 2" in dup[0].message


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("103.8198,1.3521", "203.8198,1.3521", "lon", "must be <= 180"),
        ("103.8198,1.3521", "103.8198,NaN", "lat", "finite"),
        ("103.8198,1.3521", "103.8198,", "lat", "is empty"),
        ("103.8198,1.3521", "103.8198,north", "lat", "not a number"),
        ("hub,SGP", "hub,Singapore", "country", "ISO 3166-1 alpha-3"),
        ("hub,SGP", "hub,", "country", "is empty"),
        ("Singapore,hub", "Singapore,hubb", "kind", "did you mean 'hub'?"),
        ("test fixture: GeoNames city centre\nHKHKG", "\nHKHKG", "citation", "is empty"),
    ],
)
def test_bad_node_cells(tiny_copy, old, new, field, words):
    rewrite(tiny_copy / "nodes.csv", old, new)
    p = only(problems_of(tiny_copy), field)
    assert p.file.endswith("nodes.csv") and p.row == 2
    assert words in str(p)


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("Test Cable A,1000,", "Test Cable A,-1000,", "capacity_gbps", "must be >= 1e-06"),
        ("Test Cable A,1000,", "Test Cable A,,", "capacity_gbps", "is empty"),
        ("Test Cable A,1000,", "Test Cable A,inf,", "capacity_gbps", "finite"),
        ("Test Cable A,1000,0.5", "Test Cable A,1000,-0.5", "price_usd_per_mbps_month", ">= 0"),
        (",existing,2016", ",exsting,2016", "status", "did you mean 'existing'?"),
        ("HKHKG,submarine,Test Cable A", "HKHKG,subsea,Test Cable A", "kind", "expected one of"),
        ("sg-hk:01,SGSIN,HKHKG", "sg-hk:01,SGSIN,SGSIN", "to_node", "self-loop"),
        (",existing,2016", ",existing,2016.5", "rfs_year", "whole number"),
        ("0.5,,,existing", "0.5,-3,,existing", "length_km", "must be > 0"),
        ("2016,test fixture", "2016,", "citation", "is empty"),
    ],
)
def test_bad_link_cells(tiny_copy, old, new, field, words):
    rewrite(tiny_copy / "links.csv", old, new)
    p = only(problems_of(tiny_copy), field)
    assert p.file.endswith("links.csv") and p.row == 2
    assert words in str(p)


def test_missing_required_column_suggests_the_misspelt_one(tiny_copy):
    rewrite(tiny_copy / "links.csv", "capacity_gbps", "capacity_gpbs")
    problems = problems_of(tiny_copy)
    p = only(problems, "capacity_gbps")
    assert p.row is None and "required column is missing" in p.message
    assert "did you mean 'capacity_gpbs'?" in p.hint


def test_derived_column_in_a_file_is_refused(tiny_copy):
    path = tiny_copy / "links.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",latency_ms"] + [x + ",1" for x in lines[1:]]) + "\n")
    assert "computed by cablesim" in only(problems_of(tiny_copy), "latency_ms").message


def test_all_problems_are_reported_at_once(tiny_copy):
    rewrite(tiny_copy / "nodes.csv", "103.8198,1.3521", "103.8198,95")
    rewrite(tiny_copy / "links.csv", "Test Cable A,1000,", "Test Cable A,-5,")
    rewrite(tiny_copy / "links.csv", "hk-nng:01,HKHKG", "hk-nng:01,HKHGK")
    rewrite(tiny_copy / "geometry.geojson", '"id": "nng-han:01"', '"id": "nng-han:99"')
    fields = sorted(str(p.field) for p in problems_of(tiny_copy))
    assert fields == ["capacity_gbps", "from_node", "id", "lat"]


def test_geometry_for_unknown_link(tiny_copy):
    rewrite(tiny_copy / "geometry.geojson", '"id": "nng-han:01"', '"id": "nng-han:02"')
    p = only(problems_of(tiny_copy), "id")
    assert p.file.endswith("geometry.geojson") and p.row == 1 and p.row_label == "feature"
    assert "unknown link 'nng-han:02'" in p.message and "did you mean 'nng-han:01'?" in p.hint


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('"LineString"', '"Point"', "not LineString or MultiLineString"),
        ("[[108.3669, 22.817], [106.7594, 22.1122], [105.8342, 21.0278]]", "[[108.3669, 22.817]]",
         "at least two positions"),
        ("[106.7594, 22.1122]", '[106.7594, "x"]', "is not [lon, lat]"),
        ("[106.7594, 22.1122]", "[196.7594, 22.1122]", "outside lon"),
        ("[105.8342, 21.0278]]", "[115.8342, 21.0278]]", "km from its nodes"),
    ],
)
def test_bad_geometry_features(tiny_copy, old, new, words):
    rewrite(tiny_copy / "geometry.geojson", old, new)
    p = only(problems_of(tiny_copy), "geometry")
    assert p.file.endswith("geometry.geojson") and p.row == 1
    assert words in p.message


def test_geometry_without_citation(tiny_copy):
    rewrite(tiny_copy / "geometry.geojson", '"citation": "test fixture: via Pingxiang"', '"x": 1')
    assert "missing" in only(problems_of(tiny_copy), "properties.citation").message


def test_truncated_geojson(tiny_copy):
    path = tiny_copy / "geometry.geojson"
    path.write_text(path.read_text()[:120])
    p = problems_of(tiny_copy)[0]
    assert p.file.endswith("geometry.geojson") and "not valid JSON" in p.message


def test_malformed_csv_names_the_line(tiny_copy):
    rewrite(tiny_copy / "links.csv", "Test Backbone,400", "Test Backbone,400,extra,fields")
    p = problems_of(tiny_copy)[0]
    assert p.file.endswith("links.csv") and p.row == 4 and "malformed CSV" in p.message


def test_empty_and_missing_and_binary_files(tiny_copy):
    (tiny_copy / "nodes.csv").write_text("")
    (tiny_copy / "links.csv").write_bytes(b"id,from\xff\xfe\n")
    messages = sorted(p.message for p in problems_of(tiny_copy))
    assert messages == ["file is empty", "is not UTF-8 text"]
    (tiny_copy / "links.csv").unlink()
    assert any(p.message == "file is missing" for p in problems_of(tiny_copy))


def test_header_only_nodes_file(tiny_copy):
    (tiny_copy / "nodes.csv").write_text("id,name,kind,country,lon,lat,citation\n")
    problems = problems_of(tiny_copy)
    assert any(p.message == "has no nodes" for p in problems)
    assert any("unknown node id" in p.message for p in problems)


def test_not_a_folder(tmp_path, tiny_dir):
    with pytest.raises(TopologyError, match="does not exist"):
        cablesim.load_topology(tmp_path / "nowhere")
    with pytest.raises(TopologyError, match="expected a folder"):
        cablesim.load_topology(tiny_dir / "nodes.csv")


def test_satellite_link_needs_an_orbital_slot(tiny_copy):
    rewrite(tiny_copy / "links.csv", "CNNNG,VNHAN,terrestrial", "CNNNG,VNHAN,satellite")
    p = only(problems_of(tiny_copy), "orbit_lon_deg")
    assert p.row == 5


def test_satellite_latency_comes_from_the_orbit(tiny_copy):
    path = tiny_copy / "links.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",orbit_lon_deg"
    lines[1:] = [x + "," for x in lines[1:]]
    lines[4] = lines[4].replace("terrestrial", "satellite") + "128.5"
    path.write_text("\n".join(lines) + "\n")
    (tiny_copy / "geometry.geojson").unlink()
    net = cablesim.load_topology(tiny_copy)
    assert net.links.loc["nng-han:01", "latency_ms"] > 239.0


def test_problem_json_is_serialisable(tiny_copy):
    rewrite(tiny_copy / "links.csv", "hk-nng:01,HKHKG,CNNNG", "hk-nng:01,HKHKG,CNNNN")
    problems = problems_of(tiny_copy)
    assert json.loads(json.dumps([p.as_dict() for p in problems]))[0]["field"] == "to_node"


def test_extra_fields_on_the_first_row_are_reported_not_shifted(tiny_copy):
    rewrite(tiny_copy / "links.csv", "2016,test fixture\n", "2016,test fixture,surprise\n")
    p = problems_of(tiny_copy)[0]
    assert p.file.endswith("links.csv") and p.row == 2
    assert "13 fields, but the header has 12" in p.message
