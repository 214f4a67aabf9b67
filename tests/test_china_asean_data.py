"""Checks on the cited China-ASEAN topology data in topology/china_asean/.

Uses only pandas, json and pyproj (not the cablesim package): schema checks on the
CSVs and GeoJSON, and a cross-check of every submarine system against the
TeleGeography 2021 data in ../shared/data/telegeography-2021 (skipped when absent).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "topology" / "china_asean"
TG21 = ROOT / ".." / "shared" / "data" / "telegeography-2021"

NODE_COLUMNS = ["id", "name", "kind", "country", "lon", "lat", "tg_id", "interconnect", "metro",
                "transit_price_usd_per_mbps_month", "transit_price_confidence", "users_weight",
                "citation"]
LINK_COLUMNS = ["id", "from_node", "to_node", "kind", "system", "capacity_gbps",
                "design_capacity_gbps", "price_usd_per_mbps_month", "length_km",
                "system_length_km", "route_factor",
                "status", "rfs_year", "capex_usd", "tg_cable_id", "capacity_confidence",
                "price_confidence", "citation"]
NODE_KINDS = {"landing", "city", "hub", "ixp", "junction"}
LINK_KINDS = {"submarine", "terrestrial", "metro", "transit", "satellite"}
STATUSES = {"existing", "planned", "proposed"}
HUBS = {"USLAX", "USSJC", "GBLON", "DEFRA", "FRMRS", "NLAMS", "SGSIN", "HKHKG", "JPTYO", "CNNNG"}
# ASEAN members + China: capital city node ids (UN/LOCODE)
CAPITALS = {"BRN": "BNBWN", "KHM": "KHPNH", "IDN": "IDJKT", "LAO": "LAVTE", "MYS": "MYKUL",
            "MMR": "MMNYT", "PHL": "PHMNL", "SGP": "SGSIN", "THA": "THBKK", "VNM": "VNHAN",
            "CHN": "CNBJS"}
LENGTH_TOLERANCE = 0.15


@pytest.fixture(scope="module")
def nodes() -> pd.DataFrame:
    return pd.read_csv(DATA / "nodes.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def links() -> pd.DataFrame:
    return pd.read_csv(DATA / "links.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def geometry() -> dict:
    return json.loads((DATA / "geometry.geojson").read_text(encoding="utf-8"))


def num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", float("nan")), errors="raise")


# ------------------------------------------------------------------------------ schema
def test_files_present():
    for name in ("nodes.csv", "links.csv", "geometry.geojson", "SOURCES.md"):
        assert (DATA / name).is_file(), name


def test_node_schema(nodes):
    problems = []
    if list(nodes.columns) != NODE_COLUMNS:
        problems.append(f"columns {list(nodes.columns)}")
    dup = nodes["id"][nodes["id"].duplicated()].tolist()
    if dup:
        problems.append(f"duplicate node ids {dup}")
    for _, r in nodes.iterrows():
        nid = r["id"]
        if not nid or re.search(r"[\s,]", nid):
            problems.append(f"bad id {nid!r}")
        if r["kind"] not in NODE_KINDS:
            problems.append(f"{nid}: kind {r['kind']!r}")
        if not r["citation"].strip():
            problems.append(f"{nid}: empty citation")
        lon, lat = float(r["lon"]), float(r["lat"])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(f"{nid}: coordinates {lon},{lat}")
        if r["country"]:
            if not re.fullmatch(r"[A-Z]{3}", r["country"]):
                problems.append(f"{nid}: country {r['country']!r}")
        elif r["kind"] != "junction":
            problems.append(f"{nid}: empty country on a {r['kind']}")
        if r["kind"] == "landing" and r["tg_id"] and nid.split("~")[0] != r["tg_id"]:
            problems.append(f"{nid}: tg_id {r['tg_id']} differs from id")
        if r["kind"] in {"city", "hub"} and not re.fullmatch(r"[A-Z]{5}", nid):
            problems.append(f"{nid}: city/hub id is not a UN/LOCODE-shaped code")
        if r["transit_price_usd_per_mbps_month"]:
            if r["kind"] not in {"city", "hub"}:
                problems.append(f"{nid}: transit price on a {r['kind']}")
            if float(r["transit_price_usd_per_mbps_month"]) <= 0:
                problems.append(f"{nid}: transit price <= 0")
    ids = set(nodes["id"])
    for _, r in nodes[nodes["metro"] != ""].iterrows():
        if r["metro"] not in ids:
            problems.append(f"{r['id']}: metro {r['metro']} is not a node")
    assert not problems, "\n".join(problems)


def test_link_schema(nodes, links):
    problems = []
    if list(links.columns) != LINK_COLUMNS:
        problems.append(f"columns {list(links.columns)}")
    dup = links["id"][links["id"].duplicated()].tolist()
    if dup:
        problems.append(f"duplicate link ids {dup}")
    ids = set(nodes["id"])
    cap = num(links["capacity_gbps"])
    price = num(links["price_usd_per_mbps_month"])
    length = num(links["length_km"])
    design = num(links["design_capacity_gbps"])
    rf = num(links["route_factor"])
    capex = num(links["capex_usd"])
    rfs = num(links["rfs_year"])
    for i, r in links.iterrows():
        lid = r["id"]
        if not lid or re.search(r"[\s,]", lid):
            problems.append(f"bad id {lid!r}")
        for end in (r["from_node"], r["to_node"]):
            if end not in ids:
                problems.append(f"{lid}: unknown node {end}")
        if r["from_node"] == r["to_node"]:
            problems.append(f"{lid}: self loop")
        if r["kind"] not in LINK_KINDS:
            problems.append(f"{lid}: kind {r['kind']!r}")
        if r["status"] not in STATUSES:
            problems.append(f"{lid}: status {r['status']!r}")
        if not r["system"].strip():
            problems.append(f"{lid}: empty system")
        if not r["citation"].strip():
            problems.append(f"{lid}: empty citation")
        if not (cap[i] > 0):
            problems.append(f"{lid}: capacity {r['capacity_gbps']!r}")
        if not (price[i] >= 0):
            problems.append(f"{lid}: price {r['price_usd_per_mbps_month']!r}")
        if not (length[i] > 0):
            problems.append(f"{lid}: length {r['length_km']!r}")
        if not math.isnan(design[i]) and design[i] <= 0:
            problems.append(f"{lid}: design capacity {design[i]}")
        if not math.isnan(rf[i]) and rf[i] < 1:
            problems.append(f"{lid}: route factor {rf[i]}")
        if not math.isnan(capex[i]) and capex[i] <= 0:
            problems.append(f"{lid}: capex {capex[i]}")
        if not math.isnan(rfs[i]) and not (1980 <= rfs[i] <= 2035 and rfs[i] == int(rfs[i])):
            problems.append(f"{lid}: rfs_year {r['rfs_year']}")
        if r["tg_cable_id"] and r["kind"] != "submarine":
            problems.append(f"{lid}: tg_cable_id on a {r['kind']} link")
        if ("estimate" not in r["citation"] and r["kind"] != "submarine"
                and not r["design_capacity_gbps"]):
            problems.append(
                f"{lid}: capacity without design figure but citation says no 'estimate'")
    assert not problems, "\n".join(problems[:200])


def test_geometry(nodes, links, geometry):
    problems = []
    assert geometry["type"] == "FeatureCollection"
    pos = {r["id"]: (float(r["lon"]), float(r["lat"])) for _, r in nodes.iterrows()}
    ends = {r["id"]: (r["from_node"], r["to_node"]) for _, r in links.iterrows()}
    seen = set()
    for f in geometry["features"]:
        lid = f["properties"]["id"]
        if lid in seen:
            problems.append(f"{lid}: two features")
        seen.add(lid)
        if lid not in ends:
            problems.append(f"{lid}: feature for an unknown link")
            continue
        if not f["properties"].get("citation"):
            problems.append(f"{lid}: feature without citation")
        g = f["geometry"]
        parts = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for part in parts:
            for lon, lat in part:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    problems.append(f"{lid}: coordinate {lon},{lat}")
        first, last = parts[0][0], parts[-1][-1]
        a, b = (pos[e] for e in ends[lid])

        def near(p, q):
            dlon = abs(p[0] - q[0])
            dlon = min(dlon, 360 - dlon)
            return dlon <= 0.5 and abs(p[1] - q[1]) <= 0.5

        if not ((near(first, a) and near(last, b)) or (near(first, b) and near(last, a))):
            problems.append(f"{lid}: line ends {first}..{last} not at its nodes {a}, {b}")
    missing = sorted(set(links.loc[links["kind"] == "submarine", "id"]) - seen)
    if missing:
        problems.append(f"submarine links without geometry: {missing}")
    assert not problems, "\n".join(problems[:200])
    assert (DATA / "geometry.geojson").stat().st_size < 1.5e6


def test_graph_connected_and_required_nodes(nodes, links):
    parent = {n: n for n in nodes["id"]}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, r in links.iterrows():
        parent[find(r["from_node"])] = find(r["to_node"])
    roots = {find(n) for n in nodes["id"]}
    assert len(roots) == 1, f"graph has {len(roots)} components"
    kind = dict(zip(nodes["id"], nodes["kind"], strict=True))
    country = dict(zip(nodes["id"], nodes["country"], strict=True))
    for h in HUBS:
        assert kind.get(h) == "hub", h
    for iso3, cap in CAPITALS.items():
        assert kind.get(cap) in {"city", "hub"} and country[cap] == iso3, (iso3, cap)
    for extra in ("MMRGN", "VNSGN", "VNDAD", "CNQZH", "CNBHY", "CNFAN"):
        assert kind.get(extra) in {"city", "hub"}, extra


def test_submarine_systems_count(links):
    sub = links[links["kind"] == "submarine"]
    assert sub["system"].nunique() >= 30
    europe = {"marseille-france", "toulon-france", "goonhilly-downs-united-kingdom",
              "porthcurno-united-kingdom", "penmarch-france", "ostend-belgium"}
    for slug in ("seamewe-3", "seamewe-4", "seamewe-5", "asia-africa-europe-1-aae-1",
                 "flag-europe-asia-fea", "peace-cable"):
        s = sub[sub["tg_cable_id"] == slug]
        used = {n.split("~")[0] for n in set(s["from_node"]) | set(s["to_node"])}
        assert used & europe, f"{slug} does not reach Europe"


def test_proposed_builds_have_capex(links):
    prop = links[links["status"] == "proposed"]
    assert len(prop) >= 4
    assert (num(prop["capex_usd"]) > 0).all()
    assert prop["system"].str.startswith("Proposed").all()


# ------------------------------------------------------------------ TeleGeography cross-check
def _tg_length(text) -> float | None:
    try:
        return float(str(text).replace(",", "").replace("km", "").strip())
    except ValueError:
        return None


def test_telegeography_cross_check(nodes, links):
    if not (TG21 / "cable").is_dir():
        pytest.skip("shared TeleGeography 2021 data not present")
    # a landing split by system (cablesim.interconnect) is TG's landing point once per system
    tg_of = dict(zip(nodes["id"], nodes["tg_id"], strict=True))
    sub = links[(links["kind"] == "submarine") & (links["tg_cable_id"] != "")]
    problems = []
    checked = 0
    for slug, grp in sub.groupby("tg_cable_id"):
        path = TG21 / "cable" / f"{slug}.json"
        if not path.is_file():
            continue  # a [TG24]-only cable: nothing to compare with
        checked += 1
        tg = json.loads(path.read_text(encoding="utf-8"))
        expected = {lp["id"] for lp in tg["landing_points"]
                    if str(lp.get("is_tbd")).lower() != "true"
                    and not lp["name"].lower().startswith("t.b.d")}
        used = {tg_of[n] for n in set(grp["from_node"]) | set(grp["to_node"]) if tg_of.get(n)}
        # a system modelled in part (SAFE: only Cochin-Penang) says so in every citation: its
        # landings are a subset of TG's and its stated length is the whole system's
        partial = grp["citation"].str.contains("part of the system", regex=False)
        if partial.any() and not partial.all():
            problems.append(f"{slug}: only some links say 'part of the system'")
        if partial.all():
            if len(used) < 2 or not used <= expected:
                problems.append(f"{slug} (in part): landings {sorted(used)} not a part of TG's")
            continue
        if used != expected:
            problems.append(f"{slug}: landings missing {sorted(expected - used)}, "
                            f"extra {sorted(used - expected)}")
        stated = _tg_length(tg.get("length"))
        if stated:
            total = pd.to_numeric(grp["length_km"]).sum()
            if abs(total / stated - 1) > LENGTH_TOLERANCE:
                problems.append(f"{slug}: length {total:,.0f} km vs TG {stated:,.0f} km")
    assert checked >= 30, f"only {checked} systems cross-checked against TG21"
    assert not problems, "TeleGeography mismatches:\n" + "\n".join(problems)


def test_china_users_weights_follow_the_cited_province_populations():
    """tools/add_users_weights.py: every province's people counted once, Guangxi's on its
    four nodes in proportion to their prefectures' census population."""
    nodes = pd.read_csv(DATA / "nodes.csv", keep_default_na=False).set_index("id")
    provinces = pd.read_csv(DATA / "calibration" / "china_province_population.csv")
    prefectures = pd.read_csv(DATA / "calibration" / "china_prefecture_population.csv")
    china = nodes[(nodes["country"] == "CHN") & nodes["kind"].isin(["city", "hub"])]
    weights = china["users_weight"].astype(float)
    assert (weights > 0).all()
    asean = nodes[nodes["country"].isin(["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL",
                                         "SGP", "THA", "VNM"])
                  & nodes["kind"].isin(["city", "hub"])]
    weighted = china.index.union(asean.index)
    assert (nodes.loc[~nodes.index.isin(weighted), "users_weight"] == "").all()
    assert weights.sum() == pytest.approx(provinces["population"].sum(), rel=1e-6)
    guangxi = ["CNNNG", "CNQZH", "CNBHY", "CNFAN"]
    people = float(provinces.loc[provinces["province"] == "Guangxi", "population"].iloc[0])
    assert weights[guangxi].sum() == pytest.approx(people, rel=1e-6)
    pop = prefectures.set_index("prefecture")["population_10k"]
    assert weights["CNNNG"] / weights["CNFAN"] == pytest.approx(
        pop["Nanning"] / pop["Fangchenggang"], rel=1e-6)
    # the audit's finding, undone: Fangchenggang no longer outweighs Beijing
    assert weights["CNFAN"] < weights["CNBJS"] / 50


def test_asean_users_weights_are_the_cited_agglomeration_populations():
    """tools/add_users_weights.py: ASEAN cities by UN WUP 2018 agglomeration, 2015."""
    nodes = pd.read_csv(DATA / "nodes.csv", keep_default_na=False).set_index("id")
    cities = pd.read_csv(DATA / "calibration" / "asean_city_population.csv")
    wup = cities[(cities["year"] == 2015) & cities["population"].notna()
                 & cities["source"].str.contains("File 12")].set_index("node")["population"]
    for node in ("PHMNL", "PHDVO", "MMRGN", "MMNYT", "IDJKT", "VNSGN"):
        assert float(nodes.loc[node, "users_weight"]) == pytest.approx(wup[node])
    # Manila, not Davao, is the Philippines' big city
    assert float(nodes.loc["PHMNL", "users_weight"]) > 7 * float(nodes.loc["PHDVO",
                                                                       "users_weight"])


def test_transit_price_confidence_follows_the_citation(nodes):
    """tools/add_confidence.py: a price borrowed from another city is an estimate,
    Singapore's 4 x London is derived, a cited median is cited; no price, no class."""
    conf = nodes.set_index("id")["transit_price_confidence"]
    assert conf["GBLON"] == "cited" and conf["HKHKG"] == "cited"
    assert conf["SGSIN"] == "derived"
    assert conf["DEFRA"] == "estimate" and conf["USSJC"] == "estimate"
    priced = nodes["transit_price_usd_per_mbps_month"].str.strip() != ""
    assert (nodes.loc[~priced, "transit_price_confidence"] == "").all()
    assert (nodes.loc[priced, "transit_price_confidence"] != "").all()
