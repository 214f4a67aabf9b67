"""The schema tables drive the docs; docs/schema.md must be current."""

from __future__ import annotations

from pathlib import Path

from cablesim.schema import LINK_COLUMNS, NODE_COLUMNS, schema_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_schema_doc_is_generated_from_the_tables():
    assert (ROOT / "docs" / "schema.md").read_text() == schema_markdown(), (
        "docs/schema.md is stale: run `cablesim schema --out docs/schema.md`")


def test_every_column_is_described_and_numeric_ones_have_units():
    for col in NODE_COLUMNS + LINK_COLUMNS:
        assert col.description
        if col.dtype in ("float", "int") and col.name not in ("route_factor",):
            assert col.unit, col.name


def test_issue_columns_are_present():
    assert [c.name for c in NODE_COLUMNS if c.required] == [
        "id", "name", "kind", "country", "lon", "lat", "citation"]
    assert [c.name for c in LINK_COLUMNS if c.required] == [
        "id", "from_node", "to_node", "kind", "system", "capacity_gbps",
        "price_usd_per_mbps_month", "length_km", "status", "rfs_year", "citation"]
