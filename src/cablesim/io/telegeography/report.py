"""The import report: ``import_report.json`` and ``import_report.md``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cablesim._atomic import atomic_write_text
from cablesim.io.telegeography.reference import UNKNOWN_COUNTRY

__all__ = ["REPORT_JSON", "REPORT_MD", "write_import_report", "import_report_markdown"]

REPORT_JSON = "import_report.json"
REPORT_MD = "import_report.md"

def write_import_report(report: Mapping[str, Any], folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``import_report.json`` and ``import_report.md`` into ``folder`` (atomically)."""
    folder = Path(folder)
    return [atomic_write_text(folder / REPORT_JSON,
                              json.dumps(report, indent=1, ensure_ascii=False, default=str)
                              + "\n"),
            atomic_write_text(folder / REPORT_MD, import_report_markdown(report))]


def _md_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return out


def import_report_markdown(report: Mapping[str, Any]) -> str:
    """The import report as Markdown (the text of ``import_report.md``)."""
    c = report["counts"]
    lines = [
        f"# Import report: TeleGeography {report['snapshot']}",
        "",
        f"Source `{report['source']}` (layout: {report['layout']}); cablesim "
        f"{report['cablesim_version']}. Data (c) TeleGeography, CC BY-NC-SA 3.0: attribute "
        "TeleGeography wherever results derived from it are shown.",
        "",
        f"Every one of the {c['cables']} cables is listed below with its outcome: "
        + ", ".join(f"{v} {k}" for k, v in report["cables_by_outcome"].items())
        + ". By status: " + ", ".join(f"{v} {k}" for k, v in report["cables_by_status"].items())
        + ".",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table(["item", "count"], [
        ("cables (union of cable-geo.json and the per-cable files)", c["cables"]),
        ("cables in cable-geo.json", c["cables_in_geometry"]),
        ("cables with a per-cable file", c["cables_with_file"]),
        ("cables with links", c["cables_with_links"]),
        ("landing points imported", c["landing_points"]),
        ("landing points in landing-point-geo.json used by no cable (not imported)",
         report["unused_landing_points"]["count"]),
        ("branching units (junction nodes)", c["branching_units"]),
        ("countries (city nodes)", f"{c['countries']} ({c['cities']})"),
        ("nodes / links", f"{c['nodes']} / {c['links']}"),
        ("links by kind", ", ".join(f"{k} {v}" for k, v in c["links_by_kind"].items())),
        ("connected components", c["components"]),
        ("total length, km", f"{c['total_km']:,.0f}"),
    ])
    lines += ["", "## Fallbacks", "",
              "Kinds: `no_geometry` / `geometry_unmatched` / `geometry_unusable` (the cable is "
              "approximated by the shortest tree joining its landing points); "
              "`landing_connector` (a landing point beyond the snap tolerance is joined to the "
              "nearest route point by a straight connector); `colocated_landing` (two landing "
              "points at one route point, joined by a short straight link); `gap_bridged` "
              "(pieces of the drawing joined by a straight link); `loop_dropped` (a loop of the "
              "drawing without a landing point); `length_scaled` (segment lengths scaled up to "
              "the stated cable length); `length_mismatch` (the drawing is longer than the "
              "stated length: drawn lengths kept).", ""]
    lines += _md_table(["kind", "count"], sorted(report["fallbacks"].items()))
    lines += [""]
    lines += _md_table(["cable", "kind", "detail"], [(f["cable"], f["kind"], f["detail"])
                                                     for f in report["fallback_details"]])
    lines += ["", "## Unparseable or not-available fields", ""]
    lines += _md_table(["field", "counts"], [(k, ", ".join(f"{r} {n}" for r, n in v.items()))
                                             for k, v in report["unparseable_counts"].items()])
    lines += [""]
    lines += _md_table(["file", "field", "value", "reason"],
                       [(Path(u["file"]).name, u["field"], u["value"], u["reason"])
                        for u in report["unparseable_fields"]])
    lines += ["", "## t.b.d. landing points", "",
              "Kept as landing nodes at TeleGeography's placeholder position (flagged in their "
              "citation).", ""]
    lines += _md_table(["cable", "landing point", "id", "name"],
                       [(t["cable"], t["landing_point"], t["id"], t["name"])
                        for t in report["tbd_landing_points"]])
    lines += ["", "## Landing points without a position (left out of their cable)", ""]
    lines += _md_table(["cable", "landing point", "id"],
                       [(t["cable"], t["landing_point"], t["id"])
                        for t in report["landing_points_without_coordinates"]])
    lines += ["", "## Unknown country names", "",
              f"Their landing points get the code {UNKNOWN_COUNTRY} and no country node.", ""]
    lines += _md_table(["name", "landing points"],
                       [(u["name"], ", ".join(u["landing_points"]))
                        for u in report["unknown_countries"]])
    dup = report["duplicate_landing_entries"]
    lines += ["", f"Landing points listed twice in one cable (second entry ignored): {len(dup)}. "
              f"Landing point features repeated in landing-point-geo.json (first used): "
              f"{report['files']['landing_point_features_duplicate']}. Cable features merged "
              f"into one cable: {report['files']['geometry_features_merged_into_one_cable']}.",
              "", "Members not used by the importer (ignored): "
              + (", ".join(f"`{k}` ({v})" for k, v in report["ignored_fields"].items())
                 or "none") + ".", "",
              "Capacity: " + ", ".join(f"{k}: {v} cables" for k, v in report["capacity"].items())
              + ".", "",
              f"Backhaul links longer than {report['settings']['long_backhaul_km']:,.0f} km "
              f"(stand-ins for a national backbone): {len(report['long_backhaul_links'])}.", ""]
    if report.get("demand"):
        d = report["demand"]
        lines += [f"Demand: `{d['file']}`, {d['pairs']:,} pairs between {d['countries']} "
                  f"countries, {d['total_gbps']:,.0f} Gbps in total ({d.get('citation', '')}). "
                  "Countries left out (not in the main connected component, or no "
                  "international cable): " + (", ".join(d.get("excluded_countries", []))
                                              or "none") + ".", ""]
    for m in report.get("merged", []):
        lines += [f"Merged `{m['other']}`: landing points matched by id "
                  f"{m['landings_matched_by_id']}, by distance (<= {m['match_km']:g} km) "
                  f"{len(m['landings_matched_by_distance'])}; nodes added {m['nodes_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['nodes_added_by_kind'].items())}); "
                  f"links added {m['links_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['links_added_by_kind'].items())}); "
                  f"submarine links dropped as duplicates of imported cables "
                  f"{m['submarine_links_dropped_as_duplicates']} "
                  f"({len(m['cables_dropped_as_duplicates'])} cables); country nodes replaced: "
                  + (", ".join(m["country_nodes_replaced"]) or "none")
                  + f"; backhaul links re-pointed {m['backhaul_links_repointed']}.", ""]
    lines += ["## Cables", ""]
    lines += _md_table(
        ["cable", "outcome", "status", "RFS", "landings (used/listed)", "t.b.d.", "segments",
         "BUs", "route km", "stated km", "scale", "capacity Gbps", "fallbacks"],
        [(c["id"], c["outcome"], c["status"], c["rfs_year"],
          f"{c['landing_points_used']}/{c['landing_points_listed']}", c["tbd_landing_points"],
          c["segments"], c["branching_units"], c["route_km"], c["stated_km"], c["length_scale"],
          c["capacity_gbps"], ", ".join(sorted(set(c["fallbacks"]))) or c["reason"])
         for c in report["cables"]])
    t = report["timings_s"]
    lines += ["", "Timings, s: " + ", ".join(f"{k} {v}" for k, v in t.items()) + ".", ""]
    return "\n".join(lines)
