"""Exporting topologies (GeoPackage, GeoJSON, GraphML) and merging an import with a
hand-built topology."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from shapely import wkt

import cablesim
from cablesim.cli import EXIT_INVALID, EXIT_OK, main
from cablesim.io.export import export_format, export_topology
from cablesim.io.merge import merge_topologies
from cablesim.io.telegeography import read_telegeography

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
TG21 = ROOT.parent / "shared" / "data" / "telegeography-2021"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def imported() -> cablesim.Network:
    return read_telegeography(DATA / "tg_v2", snapshot_label="2021-06").network


# ---------------------------------------------------------------------------- export
def test_geopackage_has_node_and_link_layers(imported, tmp_path):
    path, fmt = export_topology(imported, tmp_path / "net.gpkg")
    assert fmt == "gpkg"
    nodes = gpd.read_file(path, layer="nodes")
    links = gpd.read_file(path, layer="links")
    assert len(nodes) == len(imported.nodes) and len(links) == len(imported.links)
    assert set(links["id"]) == set(imported.links.index)
    assert links.crs.to_epsg() == 4326
    row = links.set_index("id").loc["trunk-cable:03"]
    assert row["length_km"] == pytest.approx(imported.links.loc["trunk-cable:03", "length_km"])
    assert row.geometry.geom_type == "LineString"


def test_geojson_is_one_feature_collection(imported, tmp_path):
    path, _ = export_topology(imported, tmp_path / "net.geojson")
    doc = json.loads(path.read_text())
    kinds = [f["properties"]["feature_type"] for f in doc["features"]]
    assert kinds.count("node") == len(imported.nodes)
    assert kinds.count("link") == len(imported.links)
    link = next(f for f in doc["features"] if f["id"] == "trunk-cable:01")
    assert link["properties"]["from_node"] == "alpha-bay-ghana"
    assert link["properties"]["rfs_year"] == 2008
    assert link["properties"]["design_capacity_gbps"] is None
    assert link["geometry"]["type"] == "LineString"


def test_graphml_round_trips_with_wkt_geometry(imported, tmp_path):
    path, _ = export_topology(imported, tmp_path / "net.graphml")
    g = nx.read_graphml(path, force_multigraph=True)
    assert g.number_of_nodes() == len(imported.nodes)
    assert g.number_of_edges() == len(imported.links)
    keys = {k for _, _, k in g.edges(keys=True)}
    assert keys == set(imported.links.index)
    data = next(d for _, _, k, d in g.edges(keys=True, data=True) if k == "trunk-cable:03")
    assert data["kind"] == "submarine" and float(data["capacity_gbps"]) == 2880.0
    assert wkt.loads(data["geometry_wkt"]).geom_type == "LineString"
    assert wkt.loads(g.nodes["city:GHA"]["geometry_wkt"]).geom_type == "Point"


def test_format_from_suffix_and_errors(tmp_path):
    assert export_format("a/b.GPKG") == "gpkg"
    assert export_format("x.json") == "geojson"
    assert export_format("x.txt", "graphml") == "graphml"
    with pytest.raises(cablesim.CablesimError, match="unknown suffix"):
        export_format("x.txt")
    code, out, err = run("export", str(DATA / "tiny"), "--out", str(tmp_path / "t.graphml"))
    assert code == EXIT_OK and "graphml: 4 nodes, 4 links" in out
    code, _, err = run("export", str(DATA / "tiny"), "--out", str(tmp_path / "t.xyz"))
    assert code == EXIT_INVALID and "use .gpkg, .geojson or .graphml" in err


# ---------------------------------------------------------------------------- merge
def _regional() -> cablesim.Network:
    """A hand-built regional topology: a landing point 2 km from an imported one (other id),
    a city and a hub in Ghana, a land route Ghana-Togo, a cable the import has (dropped) and
    one it lacks (kept)."""
    nodes = pd.DataFrame([
        {"id": "alpha-bay-landing", "name": "Alpha Bay CLS", "kind": "landing", "country": "GHA",
         "lon": 0.018, "lat": 0.0, "metro": "GHACC", "citation": "test"},
        {"id": "GHACC", "name": "Accra", "kind": "city", "country": "GHA", "lon": 0.3,
         "lat": 0.5, "citation": "test"},
        {"id": "GHTEM", "name": "Tema", "kind": "hub", "country": "GHA", "lon": 0.1,
         "lat": 0.6, "citation": "test"},
        {"id": "TGLFW", "name": "Lome", "kind": "city", "country": "TGO", "lon": 9.0,
         "lat": 0.4, "citation": "test"},
        {"id": "beta-point-togo", "name": "Beta Point", "kind": "landing", "country": "TGO",
         "lon": 10.0, "lat": 0.0, "citation": "test"},
        {"id": "new-landing-ghana", "name": "New", "kind": "landing", "country": "GHA",
         "lon": 1.0, "lat": -1.0, "citation": "test"}])
    base = {"price_usd_per_mbps_month": 0.1, "status": "existing", "rfs_year": 2015,
            "length_km": None,
            "citation": "test", "capacity_gbps": 100.0}
    links = pd.DataFrame([
        {"id": "bh:alpha", "from_node": "alpha-bay-landing", "to_node": "GHACC", "kind": "metro",
         "system": "Backhaul", **base},
        {"id": "land:01", "from_node": "GHACC", "to_node": "TGLFW", "kind": "terrestrial",
         "system": "Ghana-Togo land route", **base},
        {"id": "metro:01", "from_node": "GHACC", "to_node": "GHTEM", "kind": "metro",
         "system": "Accra metro", **base},
        {"id": "trunk-copy:01", "from_node": "alpha-bay-landing", "to_node": "beta-point-togo",
         "kind": "submarine", "system": "Trunk", "tg_cable_id": "trunk-cable", **base},
        {"id": "newcable:01", "from_node": "alpha-bay-landing", "to_node": "new-landing-ghana",
         "kind": "submarine", "system": "New Cable", **base}])
    return cablesim.Network.from_tables(nodes, links, name="regional")


def test_merge_adds_land_routes_and_replaces_country_nodes(imported):
    merged, rep = merge_topologies(imported, _regional(), match_km=5.0)
    nodes, links = merged.nodes, merged.links
    assert rep["landings_matched_by_id"] == 1  # beta-point-togo
    assert rep["landings_matched_by_distance"] == [
        {"other": "alpha-bay-landing", "base": "alpha-bay-ghana",
         "km": pytest.approx(2.0, abs=0.01)}]
    assert "alpha-bay-landing" not in nodes.index
    assert rep["cables_dropped_as_duplicates"] == ["trunk-cable"]
    assert rep["cables_added"] == ["New Cable"]
    assert links.loc["newcable:01", "from_node"] == "alpha-bay-ghana"
    assert links.loc["land:01", "kind"] == "terrestrial"
    # Ghana and Togo bring cities: their synthetic country nodes are replaced
    assert set(rep["country_nodes_replaced"]) == {"city:GHA", "city:TGO"}
    assert "city:GHA" not in nodes.index and "city:BEN" in nodes.index
    assert nodes.loc["alpha-bay-ghana", "metro"] == "GHACC"  # its merged backhaul
    assert links.loc["bh:alpha", "from_node"] == "alpha-bay-ghana"
    # the t.b.d. Ghana landing had only the synthetic backhaul: re-pointed to the nearest
    # Ghanaian city or hub
    tbd = links.loc["bh:99-t-b-d-ghana-tbd-cable"]
    assert tbd["to_node"] == "GHACC" and "merged" in tbd["citation"]
    assert merged.summary()["components"] == 1
    assert rep["backhaul_links_repointed"] >= 1


def test_cli_import_with_merge(tmp_path):
    other = tmp_path / "regional"
    cablesim.save_topology(_regional(), other)
    code, out, err = run("import", "telegeography", str(DATA / "tg_current"), "--out",
                         str(tmp_path / "m"), "--merge", str(other))
    assert code == EXIT_OK, err
    net = cablesim.load_topology(tmp_path / "m")
    assert "land:01" in net.links.index
    report = json.loads((tmp_path / "m" / "import_report.json").read_text())
    assert report["merged"][0]["other"] == "regional"
    assert "Merged `regional`" in (tmp_path / "m" / "import_report.md").read_text()


@pytest.mark.skipif(not (TG21 / "cable" / "cable-geo.json").is_file(),
                    reason="shared TeleGeography 2021 snapshot not present")
def test_merge_2021_snapshot_with_china_asean():
    base = read_telegeography(TG21, snapshot_label="2021-06").network
    other = cablesim.load_topology(ROOT / "topology" / "china_asean")
    merged, rep = merge_topologies(base, other)
    assert rep["landings_matched_by_id"] > 150
    assert "city:SGP" in rep["country_nodes_replaced"] and "city:SGP" not in merged.nodes.index
    assert "SGSIN" in merged.nodes.index and "CNNNG" in merged.nodes.index
    assert "haikou-beihai-cable" in rep["cables_added"]  # a 2024 cable the 2021 map lacks
    assert rep["submarine_links_dropped_as_duplicates"] > 300
    terrestrial = merged.links[merged.links["kind"] == "terrestrial"]
    assert terrestrial["system"].str.contains("CMI").any()
    sizes = merged.summary()["component_sizes"]
    assert sizes[0] > 0.99 * len(merged.nodes)
