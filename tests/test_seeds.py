"""Checks for the cited seed tables in seeds/ (built from the CAICT 2016 report).

Uses pandas only; deliberately does not import cablesim.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
COUNTRY_CSV = SEEDS / "country_indicators.csv"
CLAIMS_CSV = SEEDS / "claims.csv"
SOURCE_TXT = ROOT.parent / "shared" / "seeds" / "000_4159d8a11f0f9890.txt"

ISO3 = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "CHN"}
ASEAN = ISO3 - {"CHN"}

COUNTRY_NUMERIC = [
    "area_km2",
    "gdp_2014_usd_100m",
    "gdp_2014_usd_billion",
    "population_10k",
    "population_million",
    "internet_users_10k",
    "internet_users_million",
    "internet_penetration_pct",
    "idi",
    "idi_global_rank",
]
# printed-unit column -> (converted column, divisor)
CONVERSIONS = {
    "gdp_2014_usd_100m": ("gdp_2014_usd_billion", Decimal(10)),
    "population_10k": ("population_million", Decimal(100)),
    "internet_users_10k": ("internet_users_million", Decimal(100)),
}
REQUIRED_CLAIMS = {
    "sgp_transit_vs_london",
    "chn_asean_transit_vs_sgp",
    "asean_intl_bandwidth",
    "asean_intl_bandwidth_growth",
    "intra_asean_traffic_via_us_eu",
    "guangxi_convergence_hub",
    "eurasian_land_cable_backup",
}
QUALITATIVE_CLAIMS = {
    "intra_asean_traffic_via_us_eu",
    "guangxi_convergence_hub",
    "eurasian_land_cable_backup",
}
LINE_REF = re.compile(r"\bL(\d+)(?:-(\d+))?\b")
HAS_LINE_REF = r"\bL\d+"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def countries() -> pd.DataFrame:
    return _read(COUNTRY_CSV)


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return _read(CLAIMS_CSV)


@pytest.fixture(scope="module")
def source_lines() -> list[str]:
    if not SOURCE_TXT.exists():
        pytest.skip(f"seed report not available at {SOURCE_TXT}")
    return SOURCE_TXT.read_text(encoding="utf-8").splitlines()


def _cited_text(citation: str, lines: list[str]) -> str:
    """Whitespace-normalised text of every line range cited as L<a>[-<b>]."""
    chunks = []
    for m in LINE_REF.finditer(citation):
        a = int(m.group(1))
        b = int(m.group(2) or a)
        assert 1 <= a <= b <= len(lines), f"bad line range {m.group(0)} in {citation!r}"
        chunks.extend(lines[a - 1 : b])
    return " ".join(" ".join(chunks).split())


# ---------------------------------------------------------------- file format


@pytest.mark.parametrize("path", [COUNTRY_CSV, CLAIMS_CSV])
def test_csv_format(path: Path) -> None:
    raw = path.read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw, "CSV must use \\n line endings"
    df = _read(path)
    assert len(df) > 0
    assert not any(c == "" or c.startswith("Unnamed") for c in df.columns), "no index column"


# ---------------------------------------------------------------- country_indicators.csv


def test_countries_present_once(countries: pd.DataFrame) -> None:
    codes = countries["country"].tolist()
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
    assert len(codes) == len(set(codes)) == 11
    assert set(codes) == ISO3


def test_country_required_columns(countries: pd.DataFrame) -> None:
    for col in ["country", "name", *COUNTRY_NUMERIC, "note", "citation"]:
        assert col in countries.columns, col


def test_country_numeric_non_negative(countries: pd.DataFrame) -> None:
    for col in COUNTRY_NUMERIC:
        for _, row in countries.iterrows():
            val = row[col]
            if val == "":
                # a missing value must be explained in the note
                assert row["note"].strip(), f"{row['country']}: empty {col} without note"
                continue
            num = pd.to_numeric(val)
            assert num >= 0, f"{row['country']}: {col}={val}"
    assert (countries["internet_penetration_pct"].astype(float) <= 100).all()


def test_country_unit_conversions_exact(countries: pd.DataFrame) -> None:
    for _, row in countries.iterrows():
        for printed, (converted, div) in CONVERSIONS.items():
            if row[printed] and row[converted]:
                assert Decimal(row[printed]) / div == Decimal(row[converted]), (
                    row["country"],
                    printed,
                )


def test_country_penetration_consistent(countries: pd.DataFrame) -> None:
    users = countries["internet_users_10k"].astype(float)
    pop = countries["population_10k"].astype(float)
    pen = countries["internet_penetration_pct"].astype(float)
    # Printed penetration agrees with users/population to within rounding (< 1 point).
    assert ((users / pop * 100 - pen).abs() < 1.0).all()


def test_country_citations(countries: pd.DataFrame) -> None:
    assert (countries["citation"].str.strip() != "").all()
    assert countries["citation"].str.contains("Table 1").all()
    assert countries["citation"].str.contains(HAS_LINE_REF).all()


def test_country_values_match_source(countries: pd.DataFrame, source_lines: list[str]) -> None:
    for _, row in countries.iterrows():
        m = re.search(r"row (L\d+(?:-\d+)?)", row["citation"])
        assert m, row["citation"]
        text = _cited_text(m.group(1), source_lines)
        tokens = text.split()
        for col in ["area_km2", "gdp_2014_usd_100m", "population_10k", "internet_users_10k", "idi",
                    "idi_global_rank"]:
            assert row[col] in tokens, (row["country"], col, row[col], text)
        assert row["internet_penetration_pct"] + "%" in tokens, (row["country"], text)


# ---------------------------------------------------------------- claims.csv


def test_claims_columns_and_ids(claims: pd.DataFrame) -> None:
    for col in ["claim_id", "subject", "quantity", "value_low", "value_high", "unit", "year",
                "statement", "citation"]:
        assert col in claims.columns, col
    ids = claims["claim_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"[a-z0-9_]+").all()
    missing = REQUIRED_CLAIMS - set(ids)
    assert not missing, missing


def test_claims_citations_and_statements(claims: pd.DataFrame) -> None:
    assert (claims["citation"].str.strip() != "").all()
    assert claims["citation"].str.contains(HAS_LINE_REF).all()
    assert (claims["statement"].str.strip() != "").all()


def test_claims_values(claims: pd.DataFrame) -> None:
    for _, row in claims.iterrows():
        lo, hi = row["value_low"], row["value_high"]
        if row["unit"] == "qualitative":
            assert lo == "" and hi == "", row["claim_id"]
            continue
        assert lo != "" or hi != "", f"{row['claim_id']}: quantitative claim without value"
        for v in (lo, hi):
            if v != "":
                assert pd.to_numeric(v) >= 0, row["claim_id"]
        if lo != "" and hi != "":
            assert float(lo) <= float(hi), row["claim_id"]


def test_required_claim_values(claims: pd.DataFrame) -> None:
    c = claims.set_index("claim_id")
    assert (float(c.at["sgp_transit_vs_london", "value_low"]),
            float(c.at["sgp_transit_vs_london", "value_high"])) == (2.0, 5.0)
    assert float(c.at["chn_asean_transit_vs_sgp", "value_low"]) == 2.0
    assert float(c.at["asean_intl_bandwidth", "value_low"]) == 7430.0
    assert c.at["asean_intl_bandwidth", "unit"] == "Gbps"
    assert float(c.at["asean_intl_bandwidth_growth", "value_low"]) == 165.0
    for cid in QUALITATIVE_CLAIMS:
        assert c.at[cid, "unit"] == "qualitative"


def test_asean_aggregates_match_members(countries: pd.DataFrame, claims: pd.DataFrame) -> None:
    c = claims.set_index("claim_id")
    members = countries[countries["country"].isin(ASEAN)]
    for cid, col in [
        ("asean_t1_area", "area_km2"),
        ("asean_t1_gdp_2014", "gdp_2014_usd_100m"),
        ("asean_t1_population", "population_10k"),
        ("asean_t1_internet_users", "internet_users_10k"),
    ]:
        assert sum(Decimal(v) for v in members[col]) == Decimal(c.at[cid, "value_low"]), cid


def test_claims_printed_text_in_source(claims: pd.DataFrame, source_lines: list[str]) -> None:
    if "printed" not in claims.columns:
        pytest.skip("no printed column")
    for _, row in claims.iterrows():
        text = _cited_text(row["citation"], source_lines)
        snippet = " ".join(row["printed"].split())
        assert snippet, row["claim_id"]
        assert snippet in text, (row["claim_id"], snippet)
