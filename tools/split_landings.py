#!/usr/bin/env python3
"""Mark interconnection points and split landing stations by cable system in
``topology/china_asean/`` (nodes.csv, links.csv, geometry.geojson).

Provenance script (committed, not run by CI); run it after ``derive_china_asean.py`` and the
``add_*`` tools. The rule (docs/routing.md, issue 15):

- cities and hubs are interconnection points (their data centres and exchanges);
- border junctions where land networks of different systems meet are hand-over points
  (``interconnect = yes``; estimate: cross-border fibre is handed over between operators at
  the border, e.g. China Telecom and MPT at Ruili-Muse), and so is APG's branching unit where
  the proposed Beibu Gulf branch would be spliced in (the branch is part of APG);
- the landing stations of Mumbai and Chennai, where the topology has no city node, are
  interconnection points (estimate: India's international carriers exchange in those
  cities' landing-station data centres);
- every other landing station where several systems land becomes one node per system
  (cablesim.interconnect.split_landings): carriers buy a system's capacity between landing
  cities and hand it over in the city, not at the landing.

Run from anywhere: ``python tools/split_landings.py``. Idempotent.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from cablesim.interconnect import split_landings

ROOT = Path(__file__).resolve().parents[1]
TOPOLOGY = ROOT / "topology" / "china_asean"

MARKED = {
    "bu-apg-3": "estimate: the proposed Beibu Gulf branch would be spliced into APG's "
                "branching unit, so traffic stays on APG",
    "mumbai-india": "estimate: India's international carriers exchange in Mumbai's "
                    "landing-station data centres (no Indian city node in this topology)",
    "chennai-india": "estimate: as Mumbai, for Chennai",
}
JUNCTION_NOTE = ("estimate: a border hand-over point where land networks of different "
                 "operators meet (e.g. China Telecom and MPT at Ruili-Muse)")


def main() -> None:
    nodes = pd.read_csv(TOPOLOGY / "nodes.csv", dtype=str, keep_default_na=False)
    links = pd.read_csv(TOPOLOGY / "links.csv", dtype=str, keep_default_na=False)
    if "interconnect" not in nodes.columns:
        nodes.insert(list(nodes.columns).index("metro"), "interconnect", "")
    systems: dict[str, set[str]] = {}
    for frm, to, system in zip(links["from_node"], links["to_node"], links["system"],
                               strict=True):
        for node in (frm, to):
            systems.setdefault(node, set()).add(system)
    for i, row in nodes.iterrows():
        note = MARKED.get(row["id"])
        if note is None and row["kind"] == "junction" and len(systems.get(row["id"], ())) > 1 \
                and not row["id"].startswith("bu-"):
            note = JUNCTION_NOTE
        if note is not None:
            nodes.at[i, "interconnect"] = "yes"
            marker = "; interconnect: "
            nodes.at[i, "citation"] = row["citation"].split(marker)[0] + marker + note
    links["capacity_gbps"] = links["capacity_gbps"].astype(float)
    new_nodes, new_links, copies = split_landings(nodes, links)
    new_links["capacity_gbps"] = new_links["capacity_gbps"].map(lambda v: f"{v:.6g}")
    for table, name in ((new_nodes, "nodes.csv"), (new_links, "links.csv")):
        table.to_csv(TOPOLOGY / name, index=False, quoting=csv.QUOTE_MINIMAL,
                     lineterminator="\n")
    path = TOPOLOGY / "geometry.geojson"
    doc = json.loads(path.read_text())
    features = []
    for feature in doc["features"]:
        link = feature["properties"]["id"]
        for new in copies.get(link, [link]):
            features.append({**feature, "properties": {**feature["properties"], "id": new}})
    doc["features"] = features
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"{len(nodes)} -> {len(new_nodes)} nodes, {len(links)} -> {len(new_links)} links; "
          f"{int((new_nodes['interconnect'] == 'yes').sum())} marked interconnection points")


if __name__ == "__main__":
    main()
