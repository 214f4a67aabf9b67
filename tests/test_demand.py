"""The demand floor: gravity model (hand-computed), classification, user matrices, growth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cablesim
from cablesim import DemandError, ScenarioError
from cablesim.demand import (
    DEMAND_OUTPUT_COLUMNS,
    GravityParams,
    class_totals_gbps,
    classify_pairs,
    gravity_demand,
    grow_demand,
    load_country_indicators,
    load_demand_csv,
)
from cablesim.geo import great_circle_km
from conftest import STUDY

DATA = Path(__file__).resolve().parent / "data"

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# Content hubs present in the fixture (the default EU and US lists name nodes it lacks).
HUBS = {"US": ("USLAX",), "EU": ("GBLON",), "JP": ("JPTYO",), "HKSG": ("HKHKG", "SGSIN")}
# Internet users, millions (seed report Table 1); VNM has no node in the fixture.
USERS = {"SGP": 4.70, "MYS": 21.09, "CHN": 710.0, "VNM": 49.06}
COORDS = {"SGSIN": (103.8198, 1.3521), "MYKUL": (101.6869, 3.1390),
          "MYJHB": (103.7414, 1.4927), "CNNNG": (108.3669, 22.8170)}


@pytest.fixture(scope="module")
def net() -> cablesim.Network:
    return cablesim.load_topology(DATA / "demand_small")


def countries_table(users: dict[str, float] = USERS) -> pd.DataFrame:
    table = pd.DataFrame({"country": list(users),
                          "internet_users_million": list(users.values())})
    return table.set_index("country")


def params(**changes) -> GravityParams:
    return GravityParams(content_hubs=HUBS, **changes)


def gbps(demand: pd.DataFrame, cls: str, origin: str, destination: str) -> float:
    row = demand[(demand["traffic_class"] == cls) & (demand["origin"] == origin)
                 & (demand["destination"] == destination)]
    assert len(row) == 1
    return float(row["gbps"].iloc[0])


def km(a: str, b: str) -> float:
    return great_circle_km(*COORDS[a], *COORDS[b])


# ---------------------------------------------------------------------- parameters
def test_defaults_and_calibrated_total():
    p = GravityParams()
    assert p.year == p.base_year == 2015
    assert p.international_gbps == 7430.0
    assert p.total_gbps == 7430.0 * 0.5
    totals = class_totals_gbps(p)
    assert totals["content"] == pytest.approx(0.6 * 3715.0, rel=1e-15)
    assert totals["partner"] == pytest.approx(0.1 * 3715.0, rel=1e-15)
    assert totals["intra"] == pytest.approx(0.3 * 3715.0, rel=1e-15)
    assert GravityParams(year=2025).total_gbps == pytest.approx(3715.0 * 1.3 ** 10, rel=1e-15)
    assert hash(p) == hash(GravityParams())


def test_from_mapping_unknown_key_hint_and_bad_values():
    with pytest.raises(ScenarioError) as info:
        GravityParams.from_mapping({"cagrr": 0.3, "peak_utilisation": 1.5,
                                    "base_year": "2015"}, source="exp.toml")
    problems = {p.field: p for p in info.value.problems}
    assert set(problems) == {"cagrr", "peak_utilisation", "base_year"}
    assert all(p.file == "exp.toml" and p.row is None for p in problems.values())
    assert problems["cagrr"].message == "unknown key"
    assert problems["cagrr"].hint == "did you mean 'cagr'?"
    assert "must be <= 1" in problems["peak_utilisation"].message
    assert "whole year" in problems["base_year"].message
    assert "exp.toml" in str(info.value)


def test_from_mapping_builds_params():
    p = GravityParams.from_mapping({"cagr": 0.25, "year": 2020, "distance_exponent": 2,
                                    "content_hubs": {k: list(v) for k, v in HUBS.items()}})
    assert p.cagr == 0.25 and p.year == 2020 and p.distance_exponent == 2.0
    assert p.content_hubs["HKSG"] == ("HKHKG", "SGSIN")
    assert p.base_year == 2015


def test_from_mapping_cross_checks():
    with pytest.raises(ScenarioError) as info:
        GravityParams.from_mapping({"content_share": 0.8, "partner_share": 0.3})
    assert [p.field for p in info.value.problems] == ["partner_share"]
    with pytest.raises(ScenarioError) as info:
        GravityParams.from_mapping({"content_hub_weights": {"US": 1.0, "CN": 0.1}})
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["content_hub_weights"] * 3 + ["content_hubs"]


# ---------------------------------------------------------------------- gravity model
def test_class_totals_equal_calibrated_shares(net):
    p = params(year=2019)
    demand = gravity_demand(net, countries_table(), p, study=STUDY)
    assert list(demand.columns) == list(DEMAND_OUTPUT_COLUMNS)
    sums = demand.groupby("traffic_class")["gbps"].sum()
    total = 7430.0 * 0.5 * 1.3 ** 4
    assert sums["intra_asean"] == pytest.approx(0.3 * total, rel=1e-12)
    assert sums["china_asean"] == pytest.approx(0.1 * total, rel=1e-12)
    assert sums["content"] == pytest.approx(0.6 * total, rel=1e-12)
    # only city/hub nodes of ASEAN and China (not the landing, not HKG) exchange gravity traffic
    gravity = demand[demand["traffic_class"] != "content"]
    assert set(gravity["origin"]) == {"SGSIN", "MYKUL", "MYJHB", "CNNNG"}
    keys = list(zip(demand["traffic_class"], demand["origin"], demand["destination"],
                    strict=True))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert (demand["gbps"] > 0).all()


def test_intra_asean_split_by_hand(net):
    demand = gravity_demand(net, countries_table(), params(), study=STUDY)
    # U_SG = 4.70, U_KUL = U_JHB = 21.09 / 2; a = b = gamma = 1; JB-SG is ~20 km -> floor 100
    u_sg, u_my = 4.70, 21.09 / 2
    d_kul, d_jhb = km("SGSIN", "MYKUL"), max(km("SGSIN", "MYJHB"), 100.0)
    assert km("SGSIN", "MYJHB") < 100.0
    raw = {("SGSIN", "MYKUL"): u_sg * u_my / d_kul, ("SGSIN", "MYJHB"): u_sg * u_my / d_jhb,
           ("MYKUL", "SGSIN"): u_my * u_sg / d_kul, ("MYJHB", "SGSIN"): u_my * u_sg / d_jhb}
    target = 0.3 * 3715.0
    for (o, d), r in raw.items():
        assert gbps(demand, "intra_asean", o, d) == pytest.approx(
            target * r / sum(raw.values()), rel=1e-12)
    ratio = gbps(demand, "intra_asean", "SGSIN", "MYJHB") / gbps(demand, "intra_asean",
                                                                 "SGSIN", "MYKUL")
    assert ratio == pytest.approx(d_kul / 100.0, rel=1e-12)


def test_china_asean_split_with_exponents_by_hand(net):
    p = params(users_exponent_origin=0.5, users_exponent_destination=2.0,
               distance_exponent=1.5)
    demand = gravity_demand(net, countries_table(), p, study=STUDY)
    users = {"SGSIN": 4.70, "MYKUL": 21.09 / 2, "MYJHB": 21.09 / 2, "CNNNG": 710.0}
    pairs = [(c, x) for c in ["CNNNG"] for x in ("SGSIN", "MYKUL", "MYJHB")]
    pairs += [(x, c) for c, x in pairs]
    raw = {(o, d): users[o] ** 0.5 * users[d] ** 2.0 / max(km(o, d), 100.0) ** 1.5
           for o, d in pairs}
    for (o, d), r in raw.items():
        assert gbps(demand, "china_asean", o, d) == pytest.approx(
            0.1 * 3715.0 * r / sum(raw.values()), rel=1e-12)


def test_content_split_by_hand(net):
    demand = gravity_demand(net, countries_table(), params(), study=STUDY)
    content = 0.6 * 3715.0
    u = {"SGSIN": 4.70, "MYKUL": 21.09 / 2, "MYJHB": 21.09 / 2}
    # US has one hub; ASEAN destinations by users
    assert gbps(demand, "content", "USLAX", "SGSIN") == pytest.approx(
        0.45 * content * 4.70 / 21.09 / (1 + 4.70 / 21.09), rel=1e-12)
    # HKSG's 25% is split over HKHKG and SGSIN; SGSIN serves only Malaysia
    assert gbps(demand, "content", "SGSIN", "MYKUL") == pytest.approx(
        0.25 * content / 2 / 2, rel=1e-12)
    assert gbps(demand, "content", "HKHKG", "MYJHB") == pytest.approx(
        0.25 * content / 2 * u["MYJHB"] / sum(u.values()), rel=1e-12)
    assert not ((demand["origin"] == "SGSIN") & (demand["destination"] == "SGSIN")).any()
    # weights are normalised
    doubled = {k: 2 * v for k, v in GravityParams().content_hub_weights.items()}
    again = gravity_demand(net, countries_table(), params(content_hub_weights=doubled), study=STUDY)
    pd.testing.assert_frame_equal(demand, again)


def test_users_weight_column_splits_a_country(net):
    nodes, links = net.tables()
    nodes["users_weight"] = ["" if c != "MYS" else ("3" if i == "MYKUL" else "1")
                             for i, c in zip(nodes["id"], nodes["country"], strict=True)]
    weighted = cablesim.Network.from_tables(nodes, links)
    demand = gravity_demand(weighted, countries_table(), params(), study=STUDY)
    # content from JPTYO goes to ASEAN cities by users: SG 4.70, KUL 0.75 x 21.09, JHB 0.25 x
    assert gbps(demand, "content", "JPTYO", "MYKUL") / gbps(
        demand, "content", "JPTYO", "MYJHB") == pytest.approx(3.0, rel=1e-12)
    nodes.loc[nodes["id"] == "MYJHB", "users_weight"] = ""
    with pytest.raises(DemandError) as info:
        gravity_demand(cablesim.Network.from_tables(nodes, links), countries_table(), params(),
                       study=STUDY)
    assert info.value.problems[0].field == "users_weight"
    assert "MYJHB" in info.value.problems[0].message
    nodes.loc[nodes["id"] == "MYJHB", "users_weight"] = "many"  # the schema types the column
    with pytest.raises(cablesim.TopologyError) as bad:
        cablesim.Network.from_tables(nodes, links)
    assert (bad.value.problems[0].row, bad.value.problems[0].field) == (4, "users_weight")


def test_deterministic_and_independent_of_node_order(net):
    first = gravity_demand(net, countries_table(), params(year=2030), study=STUDY)
    second = gravity_demand(net, countries_table(), params(year=2030), study=STUDY)
    assert first.to_csv(float_format="%.17g") == second.to_csv(float_format="%.17g")
    nodes, links = net.tables()
    shuffled = cablesim.Network.from_tables(nodes.iloc[::-1], links.iloc[::-1])
    third = gravity_demand(shuffled, countries_table(), params(year=2030), study=STUDY)
    pd.testing.assert_frame_equal(first, third, check_exact=True)


def test_missing_content_hubs_are_named(net):
    with pytest.raises(DemandError) as info:
        gravity_demand(net, countries_table(), GravityParams(), study=STUDY)
    named = [p.message.split("'")[1] for p in info.value.problems]
    assert named == ["USSJC", "DEFRA", "FRMRS", "NLAMS"]
    assert all(p.field == "id" for p in info.value.problems)
    # a region without weight needs no hubs
    weights = {"US": 0.45, "EU": 0.0, "JP": 0.1, "HKSG": 0.25}
    hubs = dict(HUBS, EU=("DEFRA",))
    demand = gravity_demand(net, countries_table(),
                            GravityParams(content_hubs=hubs, content_hub_weights=weights),
                            study=STUDY)
    assert "GBLON" not in set(demand["origin"])


def test_missing_country_users(net):
    with pytest.raises(DemandError) as info:
        gravity_demand(net, countries_table({"SGP": 4.7, "VNM": 49.06}), params(), study=STUDY)
    (problem,) = info.value.problems
    assert problem.field == "internet_users_million" and "CHN, MYS" in problem.message


def test_seed_country_indicators():
    path = SEEDS / "country_indicators.csv"
    if not path.exists():
        pytest.skip("seeds/country_indicators.csv not present")
    table = load_country_indicators(path)
    assert table.loc["SGP", "internet_users_million"] == 4.70
    assert table.loc["CHN", "internet_users_million"] == 710.0
    assert table["internet_users_million"].dtype == float


def test_country_indicator_problems(tmp_path):
    path = tmp_path / "countries.csv"
    path.write_text("country,internet_users_million,name\nSGP,4.7,Singapore\n"
                    "Singapore,4.7,x\nSGP,-1,Singapore again\nMYS,,Malaysia\n")
    with pytest.raises(DemandError) as info:
        load_country_indicators(path)
    found = {(p.row, p.field, p.message.split(" ")[0]) for p in info.value.problems}
    assert found == {(3, "country", "'Singapore'"), (4, "internet_users_million", "must"),
                     (4, "country", "duplicate"), (5, "internet_users_million", "is")}
    assert all(p.file == str(path) for p in info.value.problems)


# ---------------------------------------------------------------------- classification
def test_classify_pairs(net):
    pairs = [("MYKUL", "MYJHB", "domestic"), ("SGSIN", "MYKUL", "intra_asean"),
             ("CNNNG", "SGSIN", "china_asean"), ("MYJHB", "CNNNG", "china_asean"),
             ("USLAX", "MYKUL", "content"), ("MYKUL", "HKHKG", "content"),
             ("USLAX", "CNNNG", "other"), ("GBLON", "USLAX", "other"),
             ("CNNNG", "HKHKG", "other"), ("tuas-singapore", "SGSIN", "domestic"),
             ("tuas-singapore", "MYJHB", "intra_asean")]
    classes = classify_pairs(net, [p[0] for p in pairs], [p[1] for p in pairs], study=STUDY)
    assert classes.tolist() == [p[2] for p in pairs]
    with pytest.raises(DemandError) as info:
        classify_pairs(net, ["SGSIM"], ["MYKUL"], study=STUDY)
    assert info.value.problems[0].hint == "did you mean 'SGSIN'?"


def test_gravity_classes_agree_with_classify_pairs(net):
    demand = gravity_demand(net, countries_table(), params(), study=STUDY)
    gravity = demand[demand["traffic_class"] != "content"]
    assert (classify_pairs(net, gravity["origin"], gravity["destination"], study=STUDY)
            == gravity["traffic_class"].to_numpy()).all()
    content = demand[demand["traffic_class"] == "content"]
    expected = classify_pairs(net, content["origin"], content["destination"], params(), study=STUDY)
    # SGSIN is ASEAN: its content to Malaysia is also an intra-ASEAN pair
    assert set(expected) == {"content", "intra_asean"}


# ---------------------------------------------------------------------- user matrices
def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "demand.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_load_demand_csv(tmp_path, net):
    path = write(tmp_path, "origin,destination,gbps,note\nSGSIN,MYKUL,12.5,peak\n"
                           "CNNNG,SGSIN,0,\nUSLAX,MYJHB,3,cdn\n")
    demand = load_demand_csv(path, net, study=STUDY)
    assert list(demand.columns) == list(DEMAND_OUTPUT_COLUMNS) + ["note"]
    assert demand["gbps"].tolist() == [12.5, 0.0, 3.0]
    assert demand["traffic_class"].tolist() == ["intra_asean", "china_asean", "content"]
    assert demand["origin_country"].tolist() == ["SGP", "CHN", "USA"]
    assert demand["note"].tolist() == ["peak", None, "cdn"]


def demand_problems(path: Path, net) -> list[cablesim.Problem]:
    with pytest.raises(DemandError) as info:
        load_demand_csv(path, net, study=STUDY)
    assert isinstance(info.value, ValueError)
    assert all(p.file == str(path) for p in info.value.problems)
    return info.value.problems


@pytest.mark.parametrize(
    ("row", "field", "words", "hint"),
    [
        ("SGSIM,MYKUL,1", "origin", "unknown node id 'SGSIM'", "did you mean 'SGSIN'?"),
        ("SGSIN,MYKUX,1", "destination", "unknown node id 'MYKUX'", "did you mean 'MYKUL'?"),
        ("SGSIN,SGSIN,1", "destination", "same node 'SGSIN'", None),
        ("SGSIN,MYKUL,", "gbps", "is empty", None),
        (",MYKUL,1", "origin", "is empty", None),
        ("SGSIN,MYKUL,lots", "gbps", "not a number", None),
        ("SGSIN,MYKUL,NaN", "gbps", "finite", None),
        ("SGSIN,MYKUL,inf", "gbps", "finite", None),
        ("SGSIN,MYKUL,-2", "gbps", "must be >= 0", None),
    ],
)
def test_demand_csv_cell_problems(tmp_path, net, row, field, words, hint):
    path = write(tmp_path, f"origin,destination,gbps\nMYKUL,SGSIN,1\n{row}\n")
    (problem,) = demand_problems(path, net)
    assert (problem.row, problem.field) == (3, field)
    assert words in problem.message
    assert problem.hint == hint
    assert str(problem).startswith(f"{path}, line 3, field '{field}'")


def test_demand_csv_duplicate_pair_names_first_line(tmp_path, net):
    path = write(tmp_path, "origin,destination,gbps\nSGSIN,MYKUL,1\nMYKUL,SGSIN,1\n"
                           "SGSIN,MYKUL,2\n")
    (problem,) = demand_problems(path, net)
    assert (problem.row, problem.field) == (4, "destination")
    assert "duplicate pair 'SGSIN' -> 'MYKUL' (first at line 2)" in problem.message


def test_demand_csv_missing_column_with_hint(tmp_path, net):
    path = write(tmp_path, "origin,destinaton,gbps\nSGSIN,MYKUL,1\n")
    problems = demand_problems(path, net)
    missing = [p for p in problems if p.field == "destination"]
    assert len(missing) == 1 and missing[0].row is None
    assert missing[0].message == "required column is missing"
    assert missing[0].hint == "did you mean 'destinaton'?"


@pytest.mark.parametrize(
    ("content", "row", "words"),
    [
        (b"", None, "file is empty"),
        (b"origin,destination,gbps\nSGSIN,MYKUL,1\nMYKUL,SGSIN,2,3\n", 3, "malformed CSV"),
        (b"origin,destination,gbps\nSGSIN,MYKUL,1\nMYKUL,\xe9SGSIN,2\n", 3, "not UTF-8"),
    ],
)
def test_demand_csv_file_problems(tmp_path, net, content, row, words):
    path = write(tmp_path, content)
    (problem,) = demand_problems(path, net)
    assert (problem.row, problem.field) == (row, None)
    assert words in problem.message


def test_demand_csv_missing_file(tmp_path, net):
    (problem,) = demand_problems(tmp_path / "demand.csv", net)
    assert (problem.row, problem.field, problem.message) == (None, None, "file is missing")


def test_demand_csv_reports_everything_at_once(tmp_path, net):
    path = write(tmp_path, "origin,destination,gbps\nSGSIM,MYKUL,1\nSGSIN,SGSIN,x\n"
                           "MYKUL,SGSIN,-1\nMYKUL,SGSIN,1\n")
    problems = demand_problems(path, net)
    assert [(p.row, p.field) for p in problems] == [
        (3, "gbps"), (4, "gbps"), (2, "origin"), (3, "destination"), (5, "destination")]


# ---------------------------------------------------------------------- growth
def test_grow_demand_ten_years(net):
    demand = gravity_demand(net, countries_table(), params(), study=STUDY)
    grown = grow_demand(demand, 2015, 2025, 0.30)
    factor = 1.3 ** 10
    assert grown["gbps"].tolist() == pytest.approx((demand["gbps"] * factor).tolist(),
                                                   rel=1e-15)
    assert grown["gbps"].sum() == pytest.approx(3715.0 * factor, rel=1e-12)
    assert demand["gbps"].sum() == pytest.approx(3715.0, rel=1e-12)  # input untouched
    direct = gravity_demand(net, countries_table(), params(year=2025), study=STUDY)
    np.testing.assert_allclose(direct["gbps"], grown["gbps"], rtol=1e-12)
    back = grow_demand(grown, 2025, 2015, 0.30)
    np.testing.assert_allclose(back["gbps"], demand["gbps"], rtol=1e-12)


def test_grow_demand_rejects_bad_rates(net):
    demand = pd.DataFrame({"gbps": [1.0]})
    with pytest.raises(DemandError) as info:
        grow_demand(demand, 2015, 2020.5, -1.0)
    assert [p.field for p in info.value.problems] == ["to_year", "cagr"]


# ---------------------------------------------------------------------- properties
finite = dict(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    users=st.tuples(*[st.floats(1e-3, 2e3, **finite)] * 3),
    a=st.floats(0, 3, **finite), b=st.floats(0, 3, **finite), gamma=st.floats(0, 3, **finite),
    min_km=st.floats(1, 2000, **finite), peak=st.floats(0.01, 1, **finite),
    content=st.floats(0, 1, **finite), china_frac=st.floats(0, 1, **finite),
    weights=st.tuples(*[st.floats(0.01, 10, **finite)] * 4),
    cagr=st.floats(-0.5, 0.6, **finite), years=st.integers(-10, 20),  # within MAX_GBPS
)
def test_class_totals_always_meet_targets(net, users, a, b, gamma, min_km, peak, content,
                                          china_frac, weights, cagr, years):
    p = GravityParams(
        users_exponent_origin=a, users_exponent_destination=b, distance_exponent=gamma,
        min_distance_km=min_km, peak_utilisation=peak, content_share=content,
        partner_share=china_frac * (1 - content) * 0.999, cagr=cagr, year=2015 + years,
        content_hubs=HUBS, content_hub_weights=dict(zip(HUBS, weights, strict=True)))
    table = countries_table(dict(zip(("SGP", "MYS", "CHN"), users, strict=True)))
    demand = gravity_demand(net, table, p, study=STUDY)
    assert np.isfinite(demand["gbps"]).all() and (demand["gbps"] >= 0).all()
    sums = demand.groupby("traffic_class")["gbps"].sum()
    names = {"intra": STUDY.intra_class, "partner": STUDY.partner_class, "content": "content"}
    for key, target in class_totals_gbps(p).items():
        assert sums.get(names[key], 0.0) == pytest.approx(target, rel=1e-9, abs=1e-12)
