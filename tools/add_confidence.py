#!/usr/bin/env python3
"""Write ``capacity_confidence`` and ``price_confidence`` into ``topology/china_asean/links.csv``
and ``transit_price_confidence`` into its ``nodes.csv``.

Provenance script (committed, not run by CI). The derive script writes each figure's source
into the link's ``citation`` in fixed phrases; this reads them back into a confidence class
(``cablesim.schema.CONFIDENCE_CLASSES``):

- capacity: ``capacity estimate: ...`` or ``design capacity not found`` -> *estimate*; a
  capacity statement marked ``(derived`` (e.g. fibre pairs x per-pair capacity) -> *derived*;
  any other capacity statement (a cited figure, e.g. ``capacity 24 Tbps, facts-inputs A1.2``)
  -> *cited*; none -> *estimate*.
- price: every lease price in this topology is ``price estimate: B3 <route> <n>G wave
  US$<x>/month ... -> US$/Mbps/month/km x length``: a cited wavelength quote scaled by
  distance and a cited price trend -> *derived*; anything else -> *estimate*.
- transit price (nodes): ``transit price estimate: ...`` (another city's figure applied)
  -> *estimate*; a figure marked ``derived:`` (e.g. 4 x London) -> *derived*; a cited
  median or national figure -> *cited*; no price -> blank.

Run from anywhere: ``python tools/add_confidence.py``.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINKS = ROOT / "topology" / "china_asean" / "links.csv"
NODES = ROOT / "topology" / "china_asean" / "nodes.csv"
COLUMNS = ("capacity_confidence", "price_confidence")


def capacity_confidence(citation: str) -> str:
    parts = [p for p in citation.split("; ") if "capacity" in p.lower()]
    if not parts or any("capacity estimate" in p or "capacity not found" in p for p in parts):
        return "estimate"
    if any("(derived" in p for p in parts):
        return "derived"
    return "cited"


def price_confidence(citation: str) -> str:
    if re.search(r"price estimate: B\d+ [^;]*\bwave\b", citation):
        return "derived"
    return "estimate"


def transit_price_confidence(price: str, citation: str) -> str:
    if not price.strip():
        return ""
    part = next((p for p in citation.split("; ") if "transit price" in p), "")
    if "transit price estimate" in part:
        return "estimate"
    if "derived" in part:
        return "derived"
    return "cited"


def nodes() -> None:
    with open(NODES, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames or [] if c != "transit_price_confidence"]
        rows = list(reader)
    at = fields.index("transit_price_usd_per_mbps_month") + 1
    fields[at:at] = ["transit_price_confidence"]
    for row in rows:
        row["transit_price_confidence"] = transit_price_confidence(
            row["transit_price_usd_per_mbps_month"], row["citation"])
    with open(NODES, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    classes = Counter(r["transit_price_confidence"] for r in rows)
    classes.pop("", None)
    print("transit_price_confidence", dict(classes))


def main() -> None:
    with open(LINKS, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames or [] if c not in COLUMNS]
        rows = list(reader)
    at = fields.index("citation")
    fields[at:at] = list(COLUMNS)
    for row in rows:
        row["capacity_confidence"] = capacity_confidence(row["citation"])
        row["price_confidence"] = price_confidence(row["citation"])
    with open(LINKS, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for column in COLUMNS:
        print(column, dict(Counter(r[column] for r in rows)))
    nodes()


if __name__ == "__main__":
    main()
